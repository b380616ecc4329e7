/*
 * reef fetch: fetch the TA certificates of the TALs, then every repository
 * named by a CA certificate found in what was fetched (simple recursive
 * discovery: every .cer of a fetched repository is parsed, no signature
 * is checked), and print one summary line per repository.
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
#include "validator/tal.h"

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
};

struct discover {
	struct fetcher	*f;
	size_t		 limit;		/* repositories at most */
	int		 refused;	/* repository URIs refused */
};

static void
usage(void)
{
	fprintf(stderr, "usage: reef fetch --tal-dir DIR --cache-dir DIR "
	    "[--ca-file FILE] [--allow-dubious-hosts]\n"
	    "                  [--timeout S] [-j N] [--no-rrdp | --no-rsync] "
	    "[--user NAME] [-v]\n");
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
	if (c->repo != NULL && fetch_count(dc->f) < dc->limit &&
	    fetch_queue(dc->f, c->repo, c->notify) == -1)
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

/* Fetch each TAL's TA certificate and queue its repository; failures counted. */
static int
do_tals(struct fetcher *f, const struct fetch_opts *o, struct discover *dc,
    const char *cache)
{
	struct dirent **names = NULL;
	int n, i, failed = 0;
	char *path, *buf;
	size_t len;
	struct tal *tal;
	enum fetch_proto proto;

	n = scandir(o->tal_dir, &names, is_tal, alphasort);
	if (n < 0) {
		log_warn_obj(o->tal_dir, "cannot read TAL directory");
		return -1;
	}
	if (n == 0 || n > MAX_TALS) {
		log_warnx_obj(o->tal_dir, "expected 1 to %d TALs, found %d",
		    MAX_TALS, n);
		failed = -1;
	}
	for (i = 0; i < n && failed != -1; i++) {
		tal = NULL;
		buf = NULL;
		if (asprintf(&path, "%s/%s", o->tal_dir, names[i]->d_name) ==
		    -1)
			break;
		if ((buf = (char *)read_file(path, MAX_TAL_SIZE, &len)) ==
		    NULL || (tal = tal_parse(path, buf, len)) == NULL ||
		    fetch_ta(f, tal, &proto) == -1) {
			printf("%-50s %-6s %-7s\n", names[i]->d_name, "https",
			    "failed");
			failed++;
		} else {
			char *cer;

			printf("%-50s %-6s %-7s\n", names[i]->d_name,
			    fetch_proto_name(proto), proto ==
			    FETCH_PROTO_NONE ? "stale" : "ok");
			/* An old TA certificate is usable, but the fetch failed. */
			if (proto == FETCH_PROTO_NONE)
				failed++;
			if (asprintf(&cer, "%s/ta/%s%s", cache, tal->name,
			    CER_SUFFIX) != -1) {
				consider_cert(dc, cer);
				free(cer);
			}
		}
		tal_free(tal);
		free(buf);
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return failed;
}

static int
summary(struct fetcher *f)
{
	const struct fetch_status *s;
	size_t i, n = fetch_count(f);
	int bad = 0;

	for (i = 0; i < n; i++) {
		s = fetch_status_at(f, i);
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

int
cmd_fetch(int argc, char **argv)
{
	struct fetch_opts o;
	struct fetch_config cfg;
	struct log_config lc = { "reef", LOG_LEVEL_NOTICE, 0, 0, 2 };
	struct discover dc;
	struct fetcher *f;
	size_t i, scanned = 0, n;
	int tafail, rc = EXIT_SOME_FAIL;
	char *dir;

	if (getopts(argc, argv, &o) == -1)
		return EXIT_USAGE;
	if (o.verbose > 0)
		lc.level = o.verbose > 1 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
	log_init(&lc);
	if (drop_root(&o) != 0)
		return EXIT_SOME_FAIL;
	memset(&cfg, 0, sizeof(cfg));
	cfg.cache_dir = o.cache_dir;
	cfg.ca_file = o.ca_file;
	cfg.allow_dubious_hosts = o.dubious;
	cfg.timeout = o.timeout;
	cfg.max_rsync = o.jobs;
	cfg.no_rrdp = o.no_rrdp;
	cfg.no_rsync = o.no_rsync;
	if ((f = fetch_new(&cfg)) == NULL)
		return EXIT_SOME_FAIL;
	dc.f = f;
	dc.limit = (size_t)MAX_REPO_PER_TAL * MAX_TALS;
	dc.refused = 0;
	tafail = do_tals(f, &o, &dc, o.cache_dir);
	/* Discovery: each repository fetched may name further ones. */
	for (;;) {
		(void)fetch_run(f, -1);
		n = fetch_count(f);
		if (scanned == n)
			break;
		for (i = scanned; i < n; i++) {
			if ((dir = fetch_repo_dir(f, i)) != NULL)
				scan_dir(&dc, dir, 0);
			free(dir);
		}
		scanned = n;
	}
	rc = summary(f) || tafail != 0 || dc.refused > 0 ? EXIT_SOME_FAIL :
	    EXIT_ALL_OK;
	fetch_free(f);
	return rc;
}
