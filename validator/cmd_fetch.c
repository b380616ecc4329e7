/*
 * reef fetch: fetch the TA certificates of the TALs, then every repository
 * named by a CA certificate found in what was fetched (simple recursive
 * discovery: every .cer of a fetched repository is parsed, no signature
 * is checked), and print one summary line per repository.
 *
 * The discovery parses fetched certificates, so it runs as reef validate's
 * walk does (reef(8), SANDBOX): the fetching in a child process
 * (fetch_proc.h) that writes only into the cache, the parsing in this
 * process, confined (sandbox.h) to reading the cache.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/log.h"
#include "common/privdrop.h"
#include "validator/cache.h"
#include "validator/cert.h"
#include "validator/cmd_fetch.h"
#include "validator/fetch.h"
#include "validator/fetch_proc.h"
#include "validator/sandbox.h"
#include "validator/tal.h"
#include "validator/uri.h"

/* Exit statuses. */
#define EXIT_ALL_OK	0
#define EXIT_SOME_FAIL	1
#define EXIT_USAGE	2
/* Largest -j. */
#define FETCH_MAX_JOBS	MAX_RSYNC_REQUESTS
/* Suffix of TAL files and of certificates. */
#define TAL_SUFFIX	".tal"
#define CER_SUFFIX	".cer"

struct fetch_opts {
	const char	*tal_dir;
	const char	*cache_dir;
	const char	*ca_file;
	const char	*user;		/* privdrop.h; NULL: default */
	int		 dubious;
	unsigned int	 timeout;
	unsigned int	 jobs;
	int		 verbose;
	int		 no_rrdp, no_rsync;
	int		 no_sandbox;
};

struct discover {
	struct fetch_proc *fp;
	size_t		 limit;		/* repositories at most */
	int		 refused;	/* repository URIs refused */
};

/* The TALs of --tal-dir, in name order; tals[i] NULL if it is not usable. */
struct tal_list {
	struct dirent	**names;
	struct tal	**tals;
	int		  n;
	struct tal	 *ok[MAX_TALS];	/* the usable ones, for the fetcher */
	size_t		  nok;
};

static void
usage(void)
{
	fprintf(stderr, "usage: reef fetch --tal-dir DIR --cache-dir DIR "
	    "[--ca-file FILE] [--allow-dubious-hosts]\n"
	    "                  [--timeout S] [-j N] [--no-rrdp | --no-rsync] "
	    "[--user NAME] [-v]\n"
	    "                  [--no-sandbox]\n");
}

static int
parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int
getopts(int argc, char **argv, struct fetch_opts *o)
{
	static const struct option longopts[] = {
		{ "tal-dir", required_argument, NULL, 't' },
		{ "cache-dir", required_argument, NULL, 'd' },
		{ "ca-file", required_argument, NULL, 'C' },
		{ "allow-dubious-hosts", no_argument, NULL, 'D' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "no-rrdp", no_argument, NULL, 'R' },
		{ "no-rsync", no_argument, NULL, 'S' },
		{ "user", required_argument, NULL, 'U' },
		{ "no-sandbox", no_argument, NULL, 'X' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "t:d:j:v", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 't':
			o->tal_dir = optarg;
			break;
		case 'd':
			o->cache_dir = optarg;
			break;
		case 'C':
			o->ca_file = optarg;
			break;
		case 'D':
			o->dubious = 1;
			break;
		case 'T':
			if (parse_uint(optarg, UINT32_MAX / 1000,
			    &o->timeout) == -1) {
				fprintf(stderr, "reef fetch: --timeout: bad "
				    "number of seconds: %s\n", optarg);
				return -1;
			}
			break;
		case 'j':
			if (parse_uint(optarg, FETCH_MAX_JOBS, &o->jobs) == -1 ||
			    o->jobs == 0) {
				fprintf(stderr, "reef fetch: -j: expected 1 to "
				    "%d: %s\n", FETCH_MAX_JOBS, optarg);
				return -1;
			}
			break;
		case 'R':
			o->no_rrdp = 1;
			break;
		case 'S':
			o->no_rsync = 1;
			break;
		case 'U':
			if (*optarg == '\0') {
				fprintf(stderr, "reef fetch: --user: empty "
				    "user name\n");
				return -1;
			}
			o->user = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'X':
			o->no_sandbox = 1;
			break;
		default:
			usage();
			return -1;
		}
	}
	if (optind != argc || o->tal_dir == NULL || o->cache_dir == NULL ||
	    (o->no_rrdp && o->no_rsync)) {
		usage();
		return -1;
	}
	return 0;
}

/*
 * Started as root, become the user of privdrop.h before the cache, the
 * TALs or the network are touched; rsync children inherit the ids.  The
 * cache directory is made for that user first; an existing one must
 * already be writable by it (reef(8)).  0, or -1 after logging.
 */
static int
drop_root(const struct fetch_opts *o)
{
	struct privdrop_id id;
	char err[PRIVDROP_ERR_LEN];
	int n;

	n = privdrop_dirs(o->user, &o->cache_dir, 1, &id, err, sizeof(err));
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
	if (faccessat(AT_FDCWD, o->cache_dir, W_OK | X_OK, AT_EACCESS) == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, o->cache_dir, "cache directory "
		    "not writable by %s", id.name);
		return -1;
	}
	return 0;
}

static unsigned char *
read_file(const char *path, size_t max, size_t *len)
{
	struct stat sb;
	unsigned char *buf = NULL;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return NULL;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size > max ||
	    (buf = malloc((size_t)sb.st_size + 1)) == NULL ||
	    read(fd, buf, (size_t)sb.st_size) != (ssize_t)sb.st_size) {
		free(buf);
		buf = NULL;
	} else
		*len = (size_t)sb.st_size;
	close(fd);
	return buf;
}

/* Queue the repository of the CA certificate at path, if it is one. */
static void
consider_cert(struct discover *dc, const char *path)
{
	unsigned char *der;
	size_t len;
	struct cert *c;

	if ((der = read_file(path, MAX_FILE_SIZE, &len)) == NULL)
		return;
	c = cert_parse(path, der, len);
	free(der);
	if (c == NULL)
		return;
	if (c->repo != NULL && fetch_proc_count(dc->fp) < dc->limit &&
	    fetch_proc_queue(dc->fp, c->repo, c->notify) == -1)
		dc->refused++;
	cert_free(c);
}

static void
scan_dir(struct discover *dc, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	struct stat sb;
	char *p;
	size_t nl;

	if (depth > CACHE_MAX_DEPTH || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) == -1)
			break;
		nl = strlen(de->d_name);
		if (lstat(p, &sb) == 0) {
			if (S_ISDIR(sb.st_mode))
				scan_dir(dc, p, depth + 1);
			else if (S_ISREG(sb.st_mode) && nl > strlen(CER_SUFFIX)
			    && strcmp(de->d_name + nl - strlen(CER_SUFFIX),
			    CER_SUFFIX) == 0)
				consider_cert(dc, p);
		}
		free(p);
	}
	closedir(d);
}

static int
is_tal(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return de->d_name[0] != '.' && n > strlen(TAL_SUFFIX) &&
	    strcmp(de->d_name + n - strlen(TAL_SUFFIX), TAL_SUFFIX) == 0;
}

/* Read and parse the TALs of --tal-dir into *tl.  0, or -1 (logged). */
static int
load_tals(const struct fetch_opts *o, struct tal_list *tl)
{
	char *path, *buf;
	size_t len;
	int i;

	memset(tl, 0, sizeof(*tl));
	tl->n = scandir(o->tal_dir, &tl->names, is_tal, alphasort);
	if (tl->n < 0) {
		log_warn_obj(o->tal_dir, "cannot read TAL directory");
		tl->n = 0;
		return -1;
	}
	if (tl->n == 0 || tl->n > MAX_TALS) {
		log_warnx_obj(o->tal_dir, "expected 1 to %d TALs, found %d",
		    MAX_TALS, tl->n);
		return -1;
	}
	if ((tl->tals = calloc((size_t)tl->n, sizeof(*tl->tals))) == NULL)
		return -1;
	for (i = 0; i < tl->n; i++) {
		if (asprintf(&path, "%s/%s", o->tal_dir,
		    tl->names[i]->d_name) == -1)
			return -1;
		if ((buf = (char *)read_file(path, MAX_TAL_SIZE, &len)) != NULL)
			tl->tals[i] = tal_parse(path, buf, len);
		if (tl->tals[i] != NULL)
			tl->ok[tl->nok++] = tl->tals[i];
		free(buf);
		free(path);
	}
	return 0;
}

static void
free_tals(struct tal_list *tl)
{
	int i;

	for (i = 0; i < tl->n; i++) {
		if (tl->tals != NULL)
			tal_free(tl->tals[i]);
		free(tl->names[i]);
	}
	free(tl->tals);
	free(tl->names);
}

/*
 * Print each TAL's TA certificate fetch (ta: the fetcher's results for
 * tl->ok, in order) and queue the TA's repository; returns the failures.
 */
static int
do_tals(const struct tal_list *tl, const struct fetch_proc_ta *ta,
    struct discover *dc, const char *cache)
{
	const struct fetch_proc_ta *t;
	size_t k = 0;
	int i, failed = 0;
	char *cer;

	for (i = 0; i < tl->n; i++) {
		t = tl->tals[i] != NULL ? &ta[k++] : NULL;
		if (t == NULL || t->rc == -1) {
			printf("%-50s %-6s %-7s\n", tl->names[i]->d_name,
			    "https", "failed");
			failed++;
			continue;
		}
		printf("%-50s %-6s %-7s\n", tl->names[i]->d_name,
		    fetch_proto_name(t->proto), t->proto == FETCH_PROTO_NONE ?
		    "stale" : "ok");
		/* An old TA certificate is usable, but the fetch failed. */
		if (t->proto == FETCH_PROTO_NONE)
			failed++;
		if (asprintf(&cer, "%s/ta/%s%s", cache, tl->tals[i]->name,
		    CER_SUFFIX) != -1) {
			consider_cert(dc, cer);
			free(cer);
		}
	}
	return failed;
}

/* The cache directory of repository i (may not exist), malloc'd. */
static char *
repo_dir(struct fetch_proc *fp, size_t i, const char *cache)
{
	const struct fetch_status *s = fetch_proc_status_at(fp, i);
	char *rel, *dir;

	if (s == NULL || uri_to_cache_path(s->repo_uri, URI_ALLOW_DUBIOUS,
	    &rel) != URI_OK)
		return NULL;
	if (asprintf(&dir, "%s/rsync/%s", cache, rel) == -1)
		dir = NULL;
	free(rel);
	return dir;
}

/*
 * Discovery: wait for every repository asked for, then look for CA
 * certificates naming further ones in what was fetched, until no new
 * one turns up.
 */
static void
discover(struct discover *dc, const char *cache)
{
	size_t i, scanned = 0, n;
	char *dir;

	for (;;) {
		n = fetch_proc_count(dc->fp);
		if (scanned == n)
			break;
		for (i = scanned; i < n; i++)
			(void)fetch_proc_wait(dc->fp, i);
		for (i = scanned; i < n; i++) {
			if ((dir = repo_dir(dc->fp, i, cache)) != NULL)
				scan_dir(dc, dir, 0);
			free(dir);
		}
		scanned = n;
	}
}

static int
summary(struct fetch_proc *fp)
{
	const struct fetch_status *s;
	size_t i, n = fetch_proc_count(fp);
	int bad = 0;

	for (i = 0; i < n; i++) {
		s = fetch_proc_status_at(fp, i);
		printf("%-50s %-6s %-7s %8llu objects %10llu bytes %7.2fs%s%s\n",
		    s->repo_uri, fetch_proto_name(s->proto),
		    fetch_result_name(s->result),
		    (unsigned long long)s->objects,
		    (unsigned long long)s->bytes, s->seconds,
		    s->error != NULL ? "  " : "",
		    s->error != NULL ? s->error : "");
		if (s->result != FETCH_OK)
			bad = 1;
	}
	return bad;
}

/*
 * Confine this process before it parses a fetched certificate: it reads
 * the cache, writes nothing, has no network and no exec.  0 or -1.
 */
static int
confine(const struct fetch_opts *o, const struct fetch_proc *fp)
{
	const char *ro[] = { o->cache_dir };
	struct sandbox_result sr;
	struct sandbox_config sc;
	char err[SANDBOX_NOTE_MAX], sum[SANDBOX_SUMMARY_MAX];

	if (o->no_sandbox) {
		log_info("confinement: none (--no-sandbox)");
		return 0;
	}
	memset(&sc, 0, sizeof(sc));
	sc.profile = SANDBOX_PARSER;
	sc.ro = ro;
	sc.nro = 1;
	if (sandbox_apply(&sc, &sr, err, sizeof(err)) == -1) {
		log_errorx("cannot confine the discovery process: %s "
		    "(--no-sandbox runs without)", err);
		return -1;
	}
	if (sr.note[0] != '\0')
		log_notice("confinement: %s; going on with what is available",
		    sr.note);
	log_info("confinement: discovery process %ld: %s; fetcher process "
	    "%ld: Landlock ABI %d", (long)getpid(), sandbox_summary(&sr, sum,
	    sizeof(sum)), (long)fetch_proc_pid(fp),
	    fetch_proc_landlock_abi(fp));
	return 0;
}

/* Start the fetcher process on the usable TALs; NULL (logged). */
static struct fetch_proc *
start_fetcher(const struct fetch_opts *o, const struct tal_list *tl,
    struct fetch_proc_ta *ta)
{
	const char *rw[] = { o->cache_dir, "/dev/null" };
	struct fetch_proc_config pc;
	struct sandbox_config sc;
	struct fetch_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.cache_dir = o->cache_dir;
	cfg.ca_file = o->ca_file;
	cfg.allow_dubious_hosts = o->dubious;
	cfg.timeout = o->timeout;
	cfg.max_rsync = o->jobs;
	cfg.no_rrdp = o->no_rrdp;
	cfg.no_rsync = o->no_rsync;
	memset(&sc, 0, sizeof(sc));
	sc.profile = SANDBOX_FETCHER;
	sc.rw = rw;
	sc.nrw = sizeof(rw) / sizeof(rw[0]);
	sc.cross_dir_rename = 1;
	memset(&pc, 0, sizeof(pc));
	pc.fetch = &cfg;
	pc.tals = tl->ok;
	pc.ntals = tl->nok;
	pc.sandbox = o->no_sandbox ? NULL : &sc;
	return fetch_proc_start(&pc, ta);
}

int
cmd_fetch(int argc, char **argv)
{
	struct fetch_opts o;
	struct log_config lc = { "reef", LOG_LEVEL_NOTICE, 0, 0, 2 };
	struct fetch_proc_ta ta[MAX_TALS];
	struct tal_list tl;
	struct discover dc;
	char err[PRIVDROP_ERR_LEN];
	int tafail, rc = EXIT_SOME_FAIL;

	if (getopts(argc, argv, &o) == -1)
		return EXIT_USAGE;
	if (o.verbose > 0)
		lc.level = o.verbose > 1 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
	log_init(&lc);
	if (drop_root(&o) != 0)
		return EXIT_SOME_FAIL;
	/* The cache must exist for the confinement rules. */
	if (privdrop_mkdirs(o.cache_dir, NULL, err, sizeof(err)) == -1) {
		log_errorx("cannot create the cache: %s", err);
		return EXIT_SOME_FAIL;
	}
	memset(&dc, 0, sizeof(dc));
	if (load_tals(&o, &tl) == -1 ||
	    (dc.fp = start_fetcher(&o, &tl, ta)) == NULL ||
	    confine(&o, dc.fp) == -1)
		goto out;
	dc.limit = (size_t)MAX_REPO_PER_TAL * MAX_TALS;
	tafail = do_tals(&tl, ta, &dc, o.cache_dir);
	discover(&dc, o.cache_dir);
	if (fetch_proc_finish(dc.fp) != 0)
		tafail++;
	rc = summary(dc.fp) || tafail != 0 || dc.refused > 0 ?
	    EXIT_SOME_FAIL : EXIT_ALL_OK;
 out:
	fetch_proc_free(dc.fp);
	free_tals(&tl);
	return rc;
}
