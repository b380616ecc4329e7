/*
 * reef validate: the whole relying-party run.
 *
 *	TALs -> (fetch TA certificates and repositories) -> walk -> SLURM
 *	     -> outputs, all or nothing
 *
 * A run that cannot produce a trustworthy result (no TAL, no usable TA,
 * a fatal walk error, a bad SLURM file, an output that cannot be written)
 * exits 1 and leaves every previous output in place, so routers keep the
 * last good data rather than an empty set.  A run that wrote its outputs
 * but had to use cached copies of some repositories exits 2, so that cron
 * or a systemd unit can alert on it.  OUTDIR/metrics is written whatever
 * the outcome, once the run holds the cache lock.
 *
 * One run per cache: CACHEDIR/.lock is flock()ed (never blocking) for the
 * whole run and holds the PID of its holder for the error message.  The
 * kernel drops the lock when the process dies, even by SIGKILL.
 *
 * Privilege separation (reef(8), SANDBOX): the fetching runs in a child
 * process (fetch_proc.h) that may write only into the cache; this
 * process, which parses everything fetched, confines itself (sandbox.h)
 * before the walk: it reads the TALs and the cache, writes the outputs
 * and the directories the walk keeps in the cache, and has no network
 * and no exec.
 */
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/gtime.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/privdrop.h"
#include "validator/cmd_validate.h"
#include "validator/fetch.h"
#include "validator/fetch_proc.h"
#include "validator/incidence.h"
#include "validator/outdir.h"
#include "validator/output.h"
#include "validator/ppmemo.h"
#include "validator/report.h"
#include "validator/reportidx.h"
#include "validator/reportpatch.h"
#include "validator/sandbox.h"
#include "validator/slurm.h"
#include "validator/tal.h"
#include "validator/walk.h"

#define VALIDATE_USAGE \
	"usage: reef validate [-v] [-t taldir] [-d cachedir] [-o outdir] " \
	"[-j jobs]\n" \
	"                     [-f formats] [--offline] [--at time] " \
	"[--timeout seconds]\n" \
	"                     [--slurm file] [--ca-file file] " \
	"[--allow-dubious-hosts]\n" \
	"                     [--user name] [--full] [--no-sandbox]\n"

/* Longest flag name quoted in a usage error. */
#define VALIDATE_FLAG_MAX	32

struct validate_opts {
	const char	*tal_dir;
	const char	*cache_dir;
	const char	*out_dir;
	const char	*slurm;
	const char	*ca_file;
	const char	*user;		/* privdrop.h; NULL: default */
	unsigned int	 jobs;
	unsigned int	 timeout;
	unsigned int	 formats;
	int		 offline;
	int		 full;		/* no reuse of the memo (ppmemo.h) */
	int		 no_sandbox;	/* no confinement (sandbox.h) */
	int		 allow_dubious;
	int		 verbose;
	int		 help;
	int		 have_at;
	int64_t		 at;
	/* The process ends after the run: its memory is left to the end. */
	int		 exiting;
};

enum opt_id {
	OPT_TAL_DIR, OPT_CACHE_DIR, OPT_OUT_DIR, OPT_JOBS, OPT_OFFLINE,
	OPT_AT, OPT_TIMEOUT, OPT_SLURM, OPT_CA_FILE, OPT_DUBIOUS,
	OPT_FORMATS, OPT_VERBOSE, OPT_HELP, OPT_USER, OPT_FULL,
	OPT_NO_SANDBOX
};

static const struct opt_def {
	enum opt_id	 id;
	char		 shortname;	/* 0: long form only */
	const char	*longname;
	int		 has_arg;
} opt_defs[] = {
	{ OPT_TAL_DIR,	 't', "tal-dir",		1 },
	{ OPT_CACHE_DIR, 'd', "cache-dir",		1 },
	{ OPT_OUT_DIR,	 'o', "output-dir",		1 },
	{ OPT_JOBS,	 'j', "jobs",			1 },
	{ OPT_OFFLINE,	 0,   "offline",		0 },
	{ OPT_AT,	 0,   "at",			1 },
	{ OPT_TIMEOUT,	 0,   "timeout",		1 },
	{ OPT_SLURM,	 0,   "slurm",			1 },
	{ OPT_CA_FILE,	 0,   "ca-file",		1 },
	{ OPT_DUBIOUS,	 0,   "allow-dubious-hosts",	0 },
	{ OPT_FORMATS,	 'f', "formats",		1 },
	{ OPT_VERBOSE,	 'v', "verbose",		0 },
	{ OPT_HELP,	 'h', "help",			0 },
	{ OPT_USER,	 0,   "user",			1 },
	{ OPT_FULL,	 0,   "full",			0 },
	{ OPT_NO_SANDBOX, 0,  "no-sandbox",		0 },
};

/* Find the option argv[*i] names; its value (if any) goes to *val. */
static const struct opt_def *
opt_find(int argc, char **argv, int *i, const char **val, FILE *err)
{
	const char *a = argv[*i], *eq;
	size_t k, n;

	*val = NULL;
	for (k = 0; k < sizeof(opt_defs) / sizeof(opt_defs[0]); k++) {
		const struct opt_def *d = &opt_defs[k];

		if (a[1] == '-') {
			eq = strchr(a + 2, '=');
			n = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (strlen(d->longname) != n ||
			    strncmp(a + 2, d->longname, n) != 0)
				continue;
			if (eq != NULL && !d->has_arg) {
				fprintf(err, "reef validate: --%s takes no "
				    "value\n", d->longname);
				return NULL;
			}
			if (eq != NULL)
				*val = eq + 1;
		} else {
			if (d->shortname == 0 || a[1] != d->shortname ||
			    a[2] != '\0')
				continue;
		}
		if (d->has_arg && *val == NULL) {
			if (*i + 1 >= argc) {
				fprintf(err, "reef validate: %s needs a value\n",
				    a);
				return NULL;
			}
			*val = argv[++*i];
		}
		return d;
	}
	fprintf(err, "reef validate: unknown option %s\n", a);
	return NULL;
}

/* A decimal number in lo..hi. */
static int
parse_uint(const char *s, unsigned long lo, unsigned long hi,
    unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* Store the value of one option; 0, or -1 after naming the flag on err. */
static int
opt_apply(struct validate_opts *o, const struct opt_def *d, const char *v,
    const char *flag, FILE *err)
{
	switch (d->id) {
	case OPT_TAL_DIR:	o->tal_dir = v; break;
	case OPT_CACHE_DIR:	o->cache_dir = v; break;
	case OPT_OUT_DIR:	o->out_dir = v; break;
	case OPT_SLURM:		o->slurm = v; break;
	case OPT_CA_FILE:	o->ca_file = v; break;
	case OPT_USER:
		if (*v == '\0') {
			fprintf(err, "reef validate: %s: empty user name\n",
			    flag);
			return -1;
		}
		o->user = v;
		break;
	case OPT_OFFLINE:	o->offline = 1; break;
	case OPT_FULL:		o->full = 1; break;
	case OPT_NO_SANDBOX:	o->no_sandbox = 1; break;
	case OPT_DUBIOUS:	o->allow_dubious = 1; break;
	case OPT_VERBOSE:	o->verbose++; break;
	case OPT_HELP:		o->help = 1; break;
	case OPT_JOBS:
		if (parse_uint(v, 1, VALIDATE_MAX_JOBS, &o->jobs) != 0) {
			fprintf(err, "reef validate: %s: \"%s\" is not a "
			    "number of jobs in 1..%d\n", flag, v,
			    VALIDATE_MAX_JOBS);
			return -1;
		}
		break;
	case OPT_TIMEOUT:
		if (parse_uint(v, 0, VALIDATE_MAX_TIMEOUT, &o->timeout) != 0) {
			fprintf(err, "reef validate: %s: \"%s\" is not a "
			    "number of seconds in 0..%d\n", flag, v,
			    VALIDATE_MAX_TIMEOUT);
			return -1;
		}
		break;
	case OPT_AT:
		if (gtime_parse_user(v, &o->at) != 0) {
			fprintf(err, "reef validate: %s: bad time \"%s\" "
			    "(ISO 8601 or @seconds)\n", flag, v);
			return -1;
		}
		o->have_at = 1;
		break;
	case OPT_FORMATS:
		if (output_parse_formats(v, &o->formats) != 0) {
			fprintf(err, "reef validate: %s: bad format list "
			    "\"%s\" (csv, json, bgpd, bird, bird1, handoff, "
			    "report, all)\n", flag, v);
			return -1;
		}
		break;
	}
	return 0;
}

/* A directory named by flag must exist. */
static int
check_dir(const char *flag, const char *path, FILE *err)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		fprintf(err, "reef validate: %s: %s: %s\n", flag, path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(err, "reef validate: %s: %s: not a directory\n", flag,
		    path);
		return -1;
	}
	return 0;
}

/* Parse the command line; 0, or -1 after writing the reason to err. */
static int
validate_getopt(int argc, char **argv, struct validate_opts *o, FILE *err)
{
	const struct opt_def *d;
	char flag[VALIDATE_FLAG_MAX];
	const char *v;
	int i;

	memset(o, 0, sizeof(*o));
	o->tal_dir = VALIDATE_TAL_DIR;
	o->cache_dir = VALIDATE_CACHE_DIR;
	o->out_dir = VALIDATE_OUTPUT_DIR;
	o->formats = OUTPUT_DEFAULT;
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || argv[i][1] == '\0') {
			fprintf(err, "reef validate: unexpected argument %s\n",
			    argv[i]);
			return -1;
		}
		/* Name the flag as the user wrote it, without "=value". */
		snprintf(flag, sizeof(flag), "%.*s",
		    (int)strcspn(argv[i], "="), argv[i]);
		if ((d = opt_find(argc, argv, &i, &v, err)) == NULL)
			return -1;
		if (opt_apply(o, d, v, flag, err) != 0)
			return -1;
	}
	if (o->help)
		return 0;
	if (check_dir("-t", o->tal_dir, err) != 0)
		return -1;
	if (o->offline && check_dir("-d", o->cache_dir, err) != 0)
		return -1;
	if (o->slurm != NULL && access(o->slurm, R_OK) == -1) {
		fprintf(err, "reef validate: --slurm: %s: %s\n", o->slurm,
		    strerror(errno));
		return -1;
	}
	if (o->ca_file != NULL && access(o->ca_file, R_OK) == -1) {
		fprintf(err, "reef validate: --ca-file: %s: %s\n", o->ca_file,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * TA names end up in CSV fields, comment lines and the hand-off file:
 * keep them to a safe alphabet (rpki-client's TAL names all fit).
 */
static int
ta_name_ok(const char *name)
{
	const char *p;

	if (*name == '\0' || strlen(name) > MAX_FILENAME_LENGTH)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("._-+", *p) == NULL)
			return 0;
	return 1;
}

/* The whole of a small file, malloc'd; NULL after logging. */
static char *
read_small(const char *path, size_t max, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn_obj(path, "open");
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)max) {
		log_warnx_obj(path, "not a regular file of at most %zu bytes",
		    max);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	while (*len < (size_t)st.st_size &&
	    (n = read(fd, buf + *len, (size_t)st.st_size - *len)) > 0)
		*len += (size_t)n;
	if (*len != (size_t)st.st_size) {
		log_warnx_obj(path, "short read");
		free(buf);
		buf = NULL;
	}
 out:
	close(fd);
	return buf;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* The *.tal file names in dir, sorted; NULL on error (logged). */
static char **
list_tals(const char *dir, size_t *n)
{
	struct dirent *de;
	char **names = NULL, **nn;
	size_t len, cap = 0;
	DIR *d;

	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		log_msg_errno(LOG_LEVEL_ERROR, dir, "opendir");
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 4 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 4, ".tal") != 0)
			continue;
		if (*n == cap) {
			cap = cap == 0 ? MAX_TALS : cap * 2;
			if ((nn = reallocarray(names, cap,
			    sizeof(*nn))) == NULL)
				goto fail;
			names = nn;
		}
		if ((names[*n] = strdup(de->d_name)) == NULL)
			goto fail;
		(*n)++;
	}
	closedir(d);
	if (*n > 0)
		qsort(names, *n, sizeof(*names), name_cmp);
	else {
		free(names);
		names = calloc(1, sizeof(*names));
	}
	return names;
 fail:
	log_msg_errno(LOG_LEVEL_ERROR, dir, "listing TALs");
	closedir(d);
	while (*n > 0)
		free(names[--*n]);
	free(names);
	return NULL;
}

/*
 * Parse the TALs of dir into tals (at most MAX_TALS).  Returns the number
 * loaded (>= 0) or -1; failures are reported and counted in *failed.
 */
static int
load_tals(const char *dir, struct tal **tals, struct report *rep,
    size_t *failed)
{
	char path[MAX_PATH_LENGTH + 1], **names;
	size_t i, n, len;
	struct tal *t;
	char *buf;
	int nt = 0;

	*failed = 0;
	if ((names = list_tals(dir, &n)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]) >= sizeof(path))
			continue;
		if (nt == MAX_TALS) {
			log_warnx_obj(path, "more than %d TALs, ignored",
			    MAX_TALS);
			report_add(rep, path, "tal", 0, "too many TALs");
			(*failed)++;
			continue;
		}
		t = NULL;
		if ((buf = read_small(path, MAX_TAL_SIZE, &len)) != NULL)
			t = tal_parse(path, buf, len);
		free(buf);
		if (t != NULL && !ta_name_ok(t->name)) {
			log_warnx_obj(path, "TAL name not made of letters, "
			    "digits and ._-+");
			tal_free(t);
			t = NULL;
		}
		if (t == NULL) {
			report_add(rep, path, "tal", 0, "TAL not usable "
			    "(RFC 8630 section 2.2)");
			(*failed)++;
			continue;
		}
		report_add(rep, path, "tal", 1, NULL);
		tals[nt++] = t;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return nt;
}

/* mkdir -p dir.  0, or -1 after logging. */
static int
make_dirs(const char *dir)
{
	char path[MAX_PATH_LENGTH + 1], *p;

	if ((size_t)snprintf(path, sizeof(path), "%s", dir) >= sizeof(path)) {
		log_errorx_obj(dir, "path too long");
		return -1;
	}
	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			log_msg_errno(LOG_LEVEL_ERROR, path, "mkdir");
			return -1;
		}
		*p = '/';
	}
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		log_msg_errno(LOG_LEVEL_ERROR, path, "mkdir");
		return -1;
	}
	return 0;
}

/* The PID written in the lock file fd by its holder, or 0. */
static long
lock_holder(int fd)
{
	char buf[32];
	ssize_t n;
	long pid;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	return pid > 0 ? pid : 0;
}

/*
 * Take CACHEDIR/.lock without waiting.  Returns the locked descriptor
 * (the caller closes it at the end of the run), or -1 after saying why:
 * another run holds it (its PID named when known) or the file cannot be
 * opened.
 */
static int
lock_cache(const char *cache_dir)
{
	char path[MAX_PATH_LENGTH + 1], pid[32];
	long holder;
	int fd, n;

	if (make_dirs(cache_dir) != 0)
		return -1;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", cache_dir,
	    VALIDATE_LOCK_FILE) >= sizeof(path)) {
		log_errorx_obj(cache_dir, "path too long");
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	/* A cache the user may only read (--offline) locks all the same. */
	if (fd == -1 && (errno == EACCES || errno == EROFS))
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, path, "lock file");
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK && (holder = lock_holder(fd)) > 0)
			log_errorx_obj(path, "locked by another reef validate "
			    "(PID %ld) using this cache; not running", holder);
		else if (errno == EWOULDBLOCK)
			log_errorx_obj(path, "locked by another reef validate "
			    "using this cache; not running");
		else
			log_msg_errno(LOG_LEVEL_ERROR, path, "flock");
		close(fd);
		return -1;
	}
	/* For the message of a run that finds the lock taken. */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if ((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR &&
	    (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)n, 0) != n))
		log_msg_errno(LOG_LEVEL_WARNING, path, "writing the PID");
	return fd;
}

/* Create dir (one level) when missing. */
static int
ensure_dir(const char *dir)
{
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_msg_errno(LOG_LEVEL_ERROR, dir, "mkdir");
		return -1;
	}
	return 0;
}

/*
 * The outputs are written last: find out before a long fetch and walk,
 * not after them, that they cannot be.  The writers still check.
 */
static int
check_out_dir(const char *dir)
{
	struct stat st;

	if (ensure_dir(dir) != 0)
		return -1;
	if (stat(dir, &st) == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, dir, "output directory");
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_errorx_obj(dir, "output directory: not a directory");
		return -1;
	}
	/* AT_EACCESS: judge with the ids the files will be created with. */
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, dir, "output directory not "
		    "writable");
		return -1;
	}
	return 0;
}

static void
fill_stats(struct output_stats *st, const struct walk_stats *w,
    size_t ntals, size_t tals_failed)
{
	memset(st, 0, sizeof(*st));
	st->roas = w->roas;
	st->roas_failed = w->roas_failed;
	st->aspas = w->aspas;
	st->aspas_failed = w->aspas_failed;
	st->router_certs = w->router_certs;
	st->certs = w->tas + w->cas;
	st->certs_failed = w->cas_failed;
	st->tals = ntals - (w->tas_failed > ntals ? ntals : w->tas_failed);
	st->tals_failed = tals_failed + w->tas_failed;
	st->manifests = w->manifests;
	st->manifests_failed = w->manifests_failed;
	st->crls = w->crls;
	st->repositories = w->repositories;
	st->vrps = w->vrps;
}

/* Everything a run holds, released by run_free(). */
struct run {
	struct tal		*tals[MAX_TALS];
	size_t			 ntals;
	struct report		*report;
	struct slurm		*slurm;
	struct fetch_proc	*fetcher;	/* the fetcher process */
	int			 fetcher_failed; /* it died or misbehaved */
	int			 lockfd;	/* CACHEDIR/.lock: ours alone */
	struct walk_result	 res;
	int			 walked;	/* res is filled */
	const char		**names;
	char			 store[MAX_PATH_LENGTH + 1];
	size_t			 tas_missed;	/* TA certificates not fetched */
	struct report_repo	*repos;		/* fetch results, for metrics */
	size_t			 nrepos;
	const unsigned char	*program;	/* NULL: unknown */
	/* report.json may be patched: the points' entries were kept. */
	int			 report_lazy;
	struct report_points	 points;	/* output_data's */
	int64_t			 start;		/* wall clock, s since epoch */
	struct timespec		 t0;		/* CLOCK_MONOTONIC at start */
};

static void
run_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->ntals; i++)
		tal_free(r->tals[i]);
	report_free(r->report);
	slurm_free(r->slurm);
	fetch_proc_free(r->fetcher);
	walk_result_free(&r->res);
	free(r->names);
	free(r->repos);
}

/* Seconds since the run began (monotonic clock). */
static double
run_elapsed(const struct run *r)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - r->t0.tv_sec) +
	    (double)(t.tv_nsec - r->t0.tv_nsec) / 1e9;
}

/*
 * The fetch deadline for --timeout S: what is left of S once a reserve
 * for the walk and the outputs (VALIDATE_WALK_RESERVE_PCT of S, at least
 * VALIDATE_WALK_RESERVE_MIN seconds) is set aside, so that validation
 * still finishes on cached data.  0 (no deadline) without --timeout; at
 * least 1 otherwise, as 0 would mean none.
 */
static unsigned int
fetch_budget(unsigned int timeout, double elapsed)
{
	double reserve, left;

	if (timeout == 0)
		return 0;
	reserve = (double)timeout * VALIDATE_WALK_RESERVE_PCT / 100;
	if (reserve < VALIDATE_WALK_RESERVE_MIN)
		reserve = VALIDATE_WALK_RESERVE_MIN;
	left = (double)timeout - elapsed - reserve;
	return left < 1 ? 1 : (unsigned int)left;
}

/*
 * Copy the fetcher's per-repository results into the report and
 * r->repos (the strings stay the fetcher's).  Returns the number of
 * repositories whose fetch failed (stale or nothing cached).
 */
static size_t
collect_repos(struct run *r)
{
	const struct fetch_status *st;
	struct report_repo *rr;
	size_t i, n, failed = 0;

	if (r->fetcher == NULL)
		return 0;
	n = fetch_proc_count(r->fetcher);
	if (n == 0 || (r->repos = calloc(n, sizeof(*r->repos))) == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if ((st = fetch_proc_status_at(r->fetcher, i)) == NULL)
			continue;
		rr = &r->repos[r->nrepos++];
		rr->uri = st->repo_uri;
		rr->notify = st->notify_uri;
		rr->protocol = fetch_proto_name(st->proto);
		rr->result = fetch_result_name(st->result);
		rr->delta = st->rrdp_delta;
		rr->unchanged = st->unchanged;
		rr->objects = st->objects;
		rr->bytes = st->bytes;
		rr->milliseconds = st->seconds > 0 ?
		    (uint64_t)(st->seconds * 1000 + 0.5) : 0;
		rr->error = st->error;
		if (st->result != FETCH_OK) {
			log_warnx_obj(st->repo_uri, "not fetched (%s)%s%s",
			    rr->result, st->error != NULL ? ": " : "",
			    st->error != NULL ? st->error : "");
			failed++;
		}
		(void)report_add_repo(r->report, rr);
	}
	return failed;
}

/*
 * Start the fetcher process, confined to writing into the cache, and
 * let it bring the TA certificates in; failures are the walk's to
 * report.  0, or -1 when it could not be set up (logged).
 */
static int
start_fetcher(const struct validate_opts *o, struct run *r)
{
	struct fetch_proc_ta ta[MAX_TALS];
	struct fetch_proc_config pc;
	struct sandbox_config sc;
	struct fetch_config fc;
	const char *rw[] = { o->cache_dir, "/dev/null" };
	size_t i;

	memset(&fc, 0, sizeof(fc));
	fc.cache_dir = o->cache_dir;
	fc.ca_file = o->ca_file;
	fc.allow_dubious_hosts = o->allow_dubious;
	fc.timeout = fetch_budget(o->timeout, run_elapsed(r));
	memset(&sc, 0, sizeof(sc));
	sc.profile = SANDBOX_FETCHER;
	sc.rw = rw;
	sc.nrw = sizeof(rw) / sizeof(rw[0]);
	sc.cross_dir_rename = 1;
	memset(&pc, 0, sizeof(pc));
	pc.fetch = &fc;
	pc.tals = r->tals;
	pc.ntals = r->ntals;
	pc.sandbox = o->no_sandbox ? NULL : &sc;
	pc.close_fds = &r->lockfd;
	pc.nclose = 1;
	if ((r->fetcher = fetch_proc_start(&pc, ta)) == NULL)
		return -1;
	for (i = 0; i < r->ntals; i++) {
		if (ta[i].rc != 0)
			log_warnx_obj(r->tals[i]->name, "TA certificate not "
			    "available");
		if (ta[i].proto == FETCH_PROTO_NONE)
			r->tas_missed++;
	}
	return 0;
}

/* Say once what confinement the run is under. */
static void
log_confinement(const struct run *r, const struct sandbox_result *sr)
{
	char sum[SANDBOX_SUMMARY_MAX], fetcher[96];
	long pid;
	int abi;

	if (sr->note[0] != '\0')
		log_notice("confinement: %s; going on with what is available",
		    sr->note);
	fetcher[0] = '\0';
	if (r->fetcher != NULL) {
		abi = fetch_proc_landlock_abi(r->fetcher);
		pid = (long)fetch_proc_pid(r->fetcher);
		if (abi > 0)
			snprintf(fetcher, sizeof(fetcher), "; fetcher process "
			    "%ld: Landlock ABI %d, writes to the cache only",
			    pid, abi);
		else
			snprintf(fetcher, sizeof(fetcher), "; fetcher process "
			    "%ld: no Landlock", pid);
	}
	log_info("confinement: walk process %ld: %s%s", (long)getpid(),
	    sandbox_summary(sr, sum, sizeof(sum)), fetcher);
}

/*
 * Confine this process before it parses anything fetched: it reads the
 * TALs and the cache, reads and writes the output directory and the
 * nwalk directories of walk (those the walk writes in the cache; a
 * missing one is left out, the walk then fails to open it as it would
 * anyway), nothing else; no network, no exec.  0, or -1 after logging.
 */
static int
confine(const struct validate_opts *o, struct run *r,
    const char * const *walk, size_t nwalk)
{
	const char *ro[] = { o->tal_dir, o->cache_dir };
	const char *rw[SANDBOX_MAX_PATHS];
	struct sandbox_result sr;
	struct sandbox_config sc;
	struct stat st;
	char err[SANDBOX_NOTE_MAX];
	size_t i, nrw = 0;

	if (o->no_sandbox) {
		log_info("confinement: none (--no-sandbox)");
		return 0;
	}
	rw[nrw++] = o->out_dir;
	for (i = 0; i < nwalk && nrw < SANDBOX_MAX_PATHS; i++)
		if (stat(walk[i], &st) == 0)
			rw[nrw++] = walk[i];
	memset(&sc, 0, sizeof(sc));
	sc.profile = SANDBOX_PARSER;
	sc.ro = ro;
	sc.nro = sizeof(ro) / sizeof(ro[0]);
	sc.rw = rw;
	sc.nrw = nrw;
	if (sandbox_apply(&sc, &sr, err, sizeof(err)) == -1) {
		log_errorx("cannot confine the walk process: %s (--no-sandbox "
		    "runs without)", err);
		return -1;
	}
	log_confinement(r, &sr);
	return 0;
}

/*
 * Worker threads for -j (0: one per online processor), counted before
 * confinement hides /sys.
 */
static unsigned int
walk_threads(unsigned int jobs)
{
	long n;

	if (jobs > 0)
		return jobs;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > VALIDATE_MAX_JOBS ? VALIDATE_MAX_JOBS :
	    (unsigned int)n;
}

/* Create dir (one level) for the walk, which may not once confined. */
static void
walk_dir(const char *dir)
{
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		log_msg_errno(LOG_LEVEL_WARNING, dir, "mkdir");
}

_Static_assert(MEMO_TAG_LEN == REPORTIDX_PROGRAM_LEN,
    "report.json's index names the build as the memo does");

/*
 * Non-zero if outdir's run in use has a report.json index written by
 * program, so that the next report.json is likely patched from it
 * (reportpatch.h): the walk then keeps every point's entries apart
 * (walk.h, report_lazy).
 */
static int
patch_base(const char *outdir, const unsigned char *program)
{
	char path[MAX_PATH_LENGTH + 1];
	int fd, by;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s", outdir,
	    OUTDIR_CURRENT, REPORTIDX_FILE) >= sizeof(path) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	by = reportidx_by(fd, program);
	close(fd);
	return by;
}

/* walk_config's report_done: sort the report while the sets are. */
static void
report_sorted(void *arg)
{
	(void)report_sort(arg);
}

/*
 * Fetch (in the fetcher process) and validate with the TALs loaded;
 * fills r->res.  0 or -1.
 */
static int
run_walk(const struct validate_opts *o, struct run *r, int64_t now)
{
	struct walk_config wc;
	struct repo_fetcher rf;
	unsigned char tag[MEMO_TAG_LEN];
	char memo[PATH_MAX];
	const char *walk[2];
	size_t i, nwalk = 0;
	int n;

	if ((size_t)snprintf(r->store, sizeof(r->store), "%s/%s",
	    o->cache_dir, VALIDATE_STORE_SUBDIR) >= sizeof(r->store) ||
	    (size_t)snprintf(memo, sizeof(memo), "%s/%s", o->cache_dir,
	    VALIDATE_MEMO_SUBDIR) >= sizeof(memo)) {
		log_errorx_obj(o->cache_dir, "path too long");
		return -1;
	}
	memset(&wc, 0, sizeof(wc));
	if (ppmemo_program_tag(tag) == 0) {
		wc.memo_dir = memo;
		wc.memo_tag = tag;
		wc.memo_full = o->full;
	} else
		log_warnx("incremental validation off: cannot identify the "
		    "running program");
	/* The directories the walk writes in the cache. */
	walk[nwalk++] = r->store;
	if (wc.memo_dir != NULL)
		walk[nwalk++] = wc.memo_dir;
	for (i = 0; i < nwalk; i++)
		walk_dir(walk[i]);
	wc.threads = walk_threads(o->jobs);
	if (!o->offline && start_fetcher(o, r) != 0)
		return -1;
	if (confine(o, r, walk, nwalk) != 0)
		return -1;
	if (r->fetcher != NULL) {
		fetch_proc_fetcher(r->fetcher, &rf);
		wc.fetcher = &rf;
	}
	wc.tals = r->tals;
	wc.ntals = r->ntals;
	wc.cache_dir = o->cache_dir;
	wc.store_dir = r->store;
	wc.now = now;
	wc.allow_dubious = o->allow_dubious;
	wc.report = report_cb;
	wc.report_arg = r->report;
	wc.report_threadsafe = 1;	/* report.h */
	/* Points' entries are added only if report.json is written. */
	wc.report_defer = 1;
	wc.report_point = report_cb_point;
	wc.report_done = report_sorted;
	wc.report_lazy = r->report_lazy = !o->full && wc.memo_tag != NULL &&
	    (o->formats & OUTPUT_REPORT) != 0 &&
	    patch_base(o->out_dir, wc.memo_tag);
	/* Without report.json, the points' entries are not needed at all. */
	wc.report_drop = (o->formats & OUTPUT_REPORT) == 0;
	n = walk_run(&wc, &r->res);
	/* The fetcher's work is over: let it go before the outputs. */
	if (r->fetcher != NULL && fetch_proc_finish(r->fetcher) != 0)
		r->fetcher_failed = 1;
	if (n != 0) {
		log_errorx("validation failed");
		return -1;
	}
	r->walked = 1;
	log_info("%zu publication points, %zu reused unchanged from the last "
	    "run, %zu failed", r->res.stats.pubpoints,
	    r->res.stats.pubpoints_reused, r->res.stats.pubpoints_failed);
	if (r->res.stats.tas == 0) {
		log_errorx("no trust anchor could be used; keeping the "
		    "previous outputs");
		return -1;
	}
	return 0;
}

/*
 * Apply SLURM and fill the TA name table (with "slurm" appended when
 * SLURM is used) for the outputs.  0 or -1.
 */
static int
run_slurm(struct run *r, struct output_data *d, int64_t now)
{
	struct slurm_stats ss;
	size_t i, n = r->res.ntas;
	uint32_t ta;

	if ((r->names = calloc(n + 1, sizeof(*r->names))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		r->names[i] = r->res.ta_names[i];
	d->ta_names = r->names;
	d->nta = n;
	if (r->slurm == NULL)
		return 0;
	/* A TAL that is itself called "slurm" shares its name and index. */
	for (ta = 0; ta < n; ta++)
		if (strcmp(r->names[ta], SLURM_TA_NAME) == 0)
			break;
	if (ta == n)
		r->names[d->nta++] = SLURM_TA_NAME;
	if (slurm_apply(r->slurm, ta, now + SLURM_ASSERTION_LIFETIME,
	    &r->res.vrps, &r->res.rks, &r->res.aspas, &ss) != 0) {
		log_errorx("applying SLURM failed");
		return -1;
	}
	d->stats.slurm_filtered = ss.vrps_filtered + ss.rks_filtered +
	    ss.aspas_filtered;
	d->stats.slurm_asserted = ss.vrps_added + ss.rks_added +
	    ss.aspas_added;
	log_info("SLURM: %zu payloads filtered, %zu asserted",
	    d->stats.slurm_filtered, d->stats.slurm_asserted);
	return 0;
}

/* Whole seconds of a + b. */
static int64_t
cpu_seconds(const struct timeval *a, const struct timeval *b)
{
	return (int64_t)a->tv_sec + (int64_t)b->tv_sec +
	    ((int64_t)a->tv_usec + (int64_t)b->tv_usec) / 1000000;
}

/* OUTDIR/metrics for the run ending with status rc (failures logged). */
static void
write_metrics(const struct validate_opts *o, const struct run *r,
    const struct output_data *d, int rc)
{
	struct metrics_data m;

	memset(&m, 0, sizeof(m));
	m.exit_status = rc;
	m.start = r->start;
	m.duration = run_elapsed(r);
	m.last_success = rc == VALIDATE_EXIT_FAIL ?
	    output_metrics_last_success(o->out_dir) : r->start;
	m.repos = r->repos;
	m.nrepos = r->nrepos;
	m.walk = r->walked ? &r->res.stats : NULL;
	if (rc != VALIDATE_EXIT_FAIL) {
		m.vrps = d->vrps;
		m.aspas = d->aspas;
		m.rks = d->rks;
	}
	m.ta_names = d->ta_names;
	m.nta = d->nta;
	(void)output_write_metrics(o->out_dir, &m);
}

/* report_points' md: the digest of point i's entries. */
static const unsigned char *
point_md(void *arg, size_t i)
{
	struct run *r = arg;

	return walk_result_point_md(&r->res, i);
}

/*
 * report_points' fill: the entries of the points wanted; when that is
 * all of them, as walk_result_report() passes them (giving back their
 * memory as it goes).
 */
static int
points_fill(void *arg, const unsigned char *want)
{
	struct run *r = arg;
	size_t i;

	for (i = 0; i < r->res.npoints && want[i]; i++)
		;
	if (i == r->res.npoints)
		return walk_result_report(&r->res, report_cb_point, r->report);
	return walk_result_report_some(&r->res, want, report_cb_point,
	    r->report);
}

/* output_data's report_fill: the points' entries into the report. */
static int
report_fill(void *arg)
{
	struct run *r = arg;

	return walk_result_report(&r->res, report_cb_point, r->report);
}

/*
 * output_data's report_inputs: the digest of what report.json is written
 * from, the walk's own entries and the repositories
 * (report_digest_own()) and the points' entries (kept apart or passed
 * on during the walk, walk_result_report_digest()).  Called by a writer
 * thread.  0 or -1.
 */
static int
report_inputs(void *arg, unsigned char *md)
{
	static const char what[] = "reef report.json inputs 1";
	unsigned char own[HASH_SHA256_LEN], points[HASH_SHA256_LEN];
	struct run *r = arg;
	struct hash_sha256_ctx h;
	int rc;

	if (r->program == NULL || report_digest_own(r->report, r->program,
	    OUTPUT_PROGRAM_LEN, own) == -1 ||
	    walk_result_report_digest(&r->res, points) == -1 ||
	    hash_sha256_init(&h) == -1)
		return -1;
	rc = hash_sha256_update(&h, what, sizeof(what));
	rc |= hash_sha256_update(&h, own, sizeof(own));
	rc |= hash_sha256_update(&h, points, sizeof(points));
	if (hash_sha256_final(&h, md) == -1 || rc != 0)
		return -1;
	return 0;
}

/* Fill the run's metadata in d for the writers. */
static void
fill_meta(struct output_data *d, struct run *r, char *host,
    size_t hostlen, int64_t now)
{
	struct rusage ru, rc;

	if (gethostname(host, hostlen) != 0)
		snprintf(host, hostlen, "localhost");
	host[hostlen - 1] = '\0';
	memset(&ru, 0, sizeof(ru));
	memset(&rc, 0, sizeof(rc));
	getrusage(RUSAGE_SELF, &ru);
	/* With the fetcher process (reaped by now) and its rsync children. */
	getrusage(RUSAGE_CHILDREN, &rc);
	d->vrps = r->res.vrps;
	d->aspas = r->res.aspas;
	d->rks = r->res.rks;
	d->buildtime = now;
	d->elapsed = (int64_t)run_elapsed(r);
	d->usertime = cpu_seconds(&ru.ru_utime, &rc.ru_utime);
	d->systemtime = cpu_seconds(&ru.ru_stime, &rc.ru_stime);
	d->hostname = host;
	d->report = r->report;
	d->report_fill = report_fill;
	d->report_inputs = report_inputs;
	d->report_fill_arg = r;
	r->points.n = r->res.npoints;
	r->points.md = point_md;
	r->points.fill = points_fill;
	r->points.arg = r;
	d->report_points = &r->points;
	/* Entries passed on during the walk: no old group may be copied. */
	d->report_patch = r->report_lazy;
	r->program = d->program;
}

/*
 * Started as root, become the user of privdrop.h before the cache, the
 * TALs or the network are touched, so that neither repository data nor
 * rsync children (they inherit the ids) are ever handled as root.  The
 * cache and output directories are made first, for that user, as it may
 * not be allowed to create them; existing ones must already be writable
 * by it (reef(8)).  0, or -1 after logging.
 */
static int
drop_root(const struct validate_opts *o)
{
	const char *dirs[] = { o->cache_dir, o->out_dir };
	struct privdrop_id id;
	char err[PRIVDROP_ERR_LEN];
	int n;

	n = privdrop_dirs(o->user, dirs, sizeof(dirs) / sizeof(dirs[0]), &id,
	    err, sizeof(err));
	if (n == -1) {
		log_errorx("cannot drop privileges: %s", err);
		return -1;
	}
	if (n == 0) {
		if (geteuid() == 0 && o->user == NULL)
			log_warnx("running as root: no user %s; use --user",
			    PRIVDROP_DEFAULT_USER);
		return 0;
	}
	log_info("running as user %s", id.name);
	/* Say so now rather than after a fetch that could not be stored. */
	if (!o->offline &&
	    faccessat(AT_FDCWD, o->cache_dir, W_OK | X_OK, AT_EACCESS) == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, o->cache_dir, "cache directory "
		    "not writable by %s", id.name);
		return -1;
	}
	return 0;
}

_Static_assert(OUTPUT_PROGRAM_LEN == MEMO_TAG_LEN,
    "the outputs are tagged as memo records are");

/*
 * A run whose memory is left to the end of the process (validate_opts
 * exiting): freeing half a million report entries and the sets only
 * delays the exit.  Kept here (volatile, so the store stays), it is
 * reachable rather than leaked.
 */
static struct run *volatile run_at_exit;

/* The run after the command line was accepted: VALIDATE_EXIT_*. */
static int
validate(const struct validate_opts *o)
{
	char host[OUTPUT_HOSTNAME_MAX];
	unsigned char program[OUTPUT_PROGRAM_LEN];
	struct output_data d;
	struct run r;
	size_t tals_failed, unfetched = 0;
	int64_t now;
	int n, lockfd, out_ok = 0, rc = VALIDATE_EXIT_FAIL;

	memset(&r, 0, sizeof(r));
	memset(&d, 0, sizeof(d));
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	r.start = (int64_t)time(NULL);
	now = o->have_at ? o->at : r.start;
	/* Unchanged outputs are kept only by the build that wrote them. */
	if (ppmemo_program_tag(program) == 0)
		d.program = program;
	if (drop_root(o) != 0)
		return VALIDATE_EXIT_FAIL;
	/* Without the lock there are no metrics: they are the holder's. */
	if ((lockfd = lock_cache(o->cache_dir)) == -1)
		return VALIDATE_EXIT_FAIL;
	r.lockfd = lockfd;
	incidence_reset();
	if ((r.report = report_new()) == NULL)
		goto out;
	/* A bad SLURM file fails the run before any time is spent. */
	if (o->slurm != NULL && (r.slurm = slurm_load(o->slurm)) == NULL)
		goto out;
	if (check_out_dir(o->out_dir) != 0)
		goto out;
	out_ok = 1;
	/* A run killed while writing left its temporaries (we hold the lock). */
	output_clean_temps(o->out_dir);
	if ((n = load_tals(o->tal_dir, r.tals, r.report, &tals_failed)) < 0)
		goto out;
	r.ntals = (size_t)n;
	if (r.ntals == 0) {
		log_errorx_obj(o->tal_dir, "no usable TAL");
		goto out;
	}
	n = run_walk(o, &r, now);
	unfetched = collect_repos(&r) + r.tas_missed;
	if (n != 0)
		goto out;
	fill_stats(&d.stats, &r.res.stats, r.ntals, tals_failed);
	if (run_slurm(&r, &d, now) != 0)
		goto out;
	fill_meta(&d, &r, host, sizeof(host), now);
	d.jobs = walk_threads(o->jobs);
	if (output_write_all(o->out_dir, o->formats, &d) != 0)
		goto out;
	log_notice("%zu VRPs, %zu router keys, %zu ASPAs written to %s",
	    vrpset_count(d.vrps), rkset_count(d.rks), aspaset_count(d.aspas),
	    o->out_dir);
	rc = VALIDATE_EXIT_OK;
	if (unfetched > 0) {
		log_warnx("%zu repositories or TA certificates not fetched; "
		    "their cached copies were used", unfetched);
		rc = VALIDATE_EXIT_PARTIAL;
	}
	if (r.fetcher_failed) {
		log_warnx("the fetcher process did not end normally; the "
		    "cached copies of what it had not fetched were used");
		rc = VALIDATE_EXIT_PARTIAL;
	}
 out:
	if (out_ok)
		write_metrics(o, &r, &d, rc);
	/* The fetcher goes as run_free() lets it go, in any case. */
	fetch_proc_free(r.fetcher);
	r.fetcher = NULL;
	if (!o->exiting || (run_at_exit = malloc(sizeof(r))) == NULL)
		run_free(&r);
	else
		*run_at_exit = r;
	close(lockfd);
	return rc;
}

/*
 * reef validate with usage errors on err.  Returns VALIDATE_EXIT_*.
 */
/* cmd_validate_run(); exiting: the process ends after the run. */
static int
validate_main(int argc, char **argv, FILE *err, int exiting)
{
	struct validate_opts o;
	struct log_config lc;

	if (validate_getopt(argc, argv, &o, err) != 0) {
		fputs(VALIDATE_USAGE, err);
		return VALIDATE_EXIT_USAGE;
	}
	if (o.help) {
		fputs(VALIDATE_USAGE, err);
		return VALIDATE_EXIT_OK;
	}
	memset(&lc, 0, sizeof(lc));
	lc.ident = "reef";
	lc.level = o.verbose >= 2 ? LOG_LEVEL_DEBUG : o.verbose == 1 ?
	    LOG_LEVEL_INFO : LOG_LEVEL_NOTICE;
	lc.fd = STDERR_FILENO;
	log_init(&lc);
	o.exiting = exiting;
	return validate(&o);
}

int
cmd_validate_run(int argc, char **argv, FILE *err)
{
	return validate_main(argc, argv, err, 0);
}

/*
 * The "validate" subcommand.
 */
int
cmd_validate(int argc, char **argv)
{
	return validate_main(argc, argv, stderr, 1);
}
