/*
 * Integration: the HTTPS client (validator/http.c) against real servers on
 * 127.0.0.1: nginx from tests/tools/serve.sh for the well-behaved cases and
 * tests/tools/hostile_httpd.py for the misbehaving ones.  Every hostile case
 * asserts both the outcome and that it ended within its bound.
 *
 * Without nginx, rsync, openssl or python3 the tests pass with a visible
 * SKIPPED line, as CUnit has no skipped state; a setup that fails with the
 * tools present fails every test.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/hash.h"
#include "common/limits.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/http.h"

/* Files nginx serves for the concurrent case, and their size. */
#define NFILES		8
#define FILE_SIZE	(256 * 1024)
/* Polls of 0.1 s for the hostile server to listen, and to exit. */
#define START_TICKS	100
#define STOP_TICKS	50
/* Upper bound of one well-behaved run, in ms. */
#define RUN_LIMIT_MS	20000
/* How long a run lasts before its requests are cancelled, in ms. */
#define CANCEL_AFTER_MS	800
/* Body bytes a collector keeps for inspection. */
#define KEEP_BODY	4096

struct env {
	const char	*skip;		/* reason to skip, or NULL */
	const char	*broken;	/* reason to fail, or NULL */
	char		*tmp;
	char		*state;		/* serve.sh state directory */
	char		*ca;
	char		*wrong_ca;
	char		*hlog;		/* hostile server request log */
	int		 https_port;
	int		 hport;
	pid_t		 hpid;
};

/* Suite state: CUnit's init/cleanup/test functions take no argument. */
static struct env E;

struct got {
	struct hash_sha256_ctx	 h;
	uint64_t		 bytes;
	size_t			 chunks;
	int			 stop_after;	/* on_data returns -1 after this many chunks */
	int			 done;
	enum http_err		 err;
	int			 status;
	int			 not_modified;
	double			 seconds;
	char			 error[600];
	char			 final_url[600];
	char			 etag[300];
	char			 lastmod[300];
	char			 body[KEEP_BODY + 1];
	unsigned char		 digest[HASH_SHA256_LEN];
};

static int
on_data(void *arg, const void *buf, size_t len)
{
	struct got *g = arg;
	size_t keep;

	if (g->stop_after > 0 && g->chunks >= (size_t)g->stop_after)
		return -1;
	if (g->bytes < KEEP_BODY) {
		keep = KEEP_BODY - g->bytes;
		if (keep > len)
			keep = len;
		memcpy(g->body + g->bytes, buf, keep);
	}
	g->bytes += len;
	g->chunks++;
	return hash_sha256_update(&g->h, buf, len) == 0 ? 0 : -1;
}

static void
on_done(void *arg, const struct http_result *r)
{
	struct got *g = arg;

	g->done++;
	g->err = r->err;
	g->status = r->status;
	g->not_modified = r->not_modified;
	g->seconds = r->seconds;
	snprintf(g->error, sizeof(g->error), "%s", r->error ? r->error : "");
	snprintf(g->final_url, sizeof(g->final_url), "%s", r->final_url);
	snprintf(g->etag, sizeof(g->etag), "%s", r->etag ? r->etag : "");
	snprintf(g->lastmod, sizeof(g->lastmod), "%s",
	    r->last_modified ? r->last_modified : "");
	CU_ASSERT_EQUAL(r->bytes, g->bytes);
	hash_sha256_final(&g->h, g->digest);
}

static void
got_init(struct got *g)
{
	memset(g, 0, sizeof(*g));
	CU_ASSERT_FATAL(hash_sha256_init(&g->h) == 0);
}

static struct http_callbacks
cbs(struct got *g)
{
	struct http_callbacks cb = { on_data, on_done, g };

	return cb;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Test configuration: loopback servers, their CA, no proxy. */
static struct http_config
config(void)
{
	struct http_config c;

	memset(&c, 0, sizeof(c));
	c.ca_file = E.ca;
	c.proxy = "";
	c.allow_dubious_hosts = 1;
	return c;
}

/* Run ctx until idle; return the wall-clock seconds it took. */
static double
run_idle(struct http_ctx *ctx)
{
	double t0 = now();

	CU_ASSERT_EQUAL(http_run(ctx, RUN_LIMIT_MS), 0);
	CU_ASSERT_EQUAL(http_pending(ctx), 0);
	return now() - t0;
}

/*
 * One GET of url with opts on a context made from cfg; fills g and
 * returns the wall-clock seconds.
 */
static double
get_one(const struct http_config *cfg, const char *url,
    const struct http_get_opts *opts, struct got *g)
{
	struct http_ctx *ctx;
	struct http_callbacks cb = cbs(g);
	double s;

	CU_ASSERT_FATAL((ctx = http_new(cfg)) != NULL);
	CU_ASSERT_FATAL(http_get(ctx, url, opts, &cb) == 0);
	s = run_idle(ctx);
	http_free(ctx);
	CU_ASSERT_EQUAL(g->done, 1);
	return s;
}

static char *
nginx_url(const char *name)
{
	return tu_asprintf("https://localhost:%d/rrdp/%s", E.https_port, name);
}

static char *
hostile_url(const char *path)
{
	return tu_asprintf("https://localhost:%d%s", E.hport, path);
}

/* Count lines of the hostile server's log whose path is path. */
static int
log_count(const char *path)
{
	unsigned char *buf;
	char *line, *save = NULL, *sp;
	int n = 0;

	if ((buf = tu_read_file(E.hlog, NULL)) == NULL)
		return 0;
	for (line = strtok_r((char *)buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if ((sp = strchr(line, ' ')) != NULL && strcmp(sp + 1, path) == 0)
			n++;
	free(buf);
	return n;
}

/* Connection number of the last request for path in the log, or -1. */
static int
log_conn(const char *path)
{
	unsigned char *buf;
	char *line, *save = NULL, *sp;
	int conn = -1;

	if ((buf = tu_read_file(E.hlog, NULL)) == NULL)
		return -1;
	for (line = strtok_r((char *)buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if ((sp = strchr(line, ' ')) != NULL && strcmp(sp + 1, path) == 0)
			conn = atoi(line);
	free(buf);
	return conn;
}

/* Say why a test does nothing; return 1 when it must not run. */
static int
unavailable(void)
{
	if (E.broken != NULL) {
		printf("\n    setup failed: %s\n    ", E.broken);
		CU_FAIL("integration_http setup failed");
		return 1;
	}
	if (E.skip != NULL) {
		printf("\n    SKIPPED: %s\n    ", E.skip);
		return 1;
	}
	return 0;
}

/* ---- Setup ----------------------------------------------------------- */

static int
read_env(void)
{
	unsigned char *buf;
	char *p, *path;

	path = tu_asprintf("%s/env", E.state);
	buf = tu_read_file(path, NULL);
	free(path);
	if (buf == NULL)
		return -1;
	if ((p = strstr((char *)buf, "HTTPS_PORT=")) != NULL)
		E.https_port = atoi(p + strlen("HTTPS_PORT="));
	free(buf);
	E.ca = tu_asprintf("%s/ca.pem", E.state);
	return E.https_port > 0 ? 0 : -1;
}

/* Deterministic file contents that do not compress away. */
static int
make_files(const char *dir)
{
	unsigned char *buf;
	uint32_t x;
	char *p;
	size_t i;
	int f, rc = 0;

	if ((buf = malloc(FILE_SIZE)) == NULL)
		return -1;
	for (f = 0; f < NFILES && rc == 0; f++) {
		x = 2463534242u + (uint32_t)f;
		for (i = 0; i < FILE_SIZE; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (unsigned char)x;
		}
		p = tu_asprintf("%s/f%d.bin", dir, f);
		rc = tu_write_file(p, buf, FILE_SIZE);
		free(p);
	}
	free(buf);
	return rc;
}

static int
start_hostile(void)
{
	char *script, *cert, *key, *portfile, *out;
	unsigned char *buf;
	int i, fd;

	script = tu_asprintf("%s/tests/tools/hostile_httpd.py", tu_srcdir());
	cert = tu_asprintf("%s/server.pem", E.state);
	key = tu_asprintf("%s/server.key", E.state);
	portfile = tu_asprintf("%s/hostile.port", E.tmp);
	out = tu_asprintf("%s/hostile.out", E.tmp);
	E.hlog = tu_asprintf("%s/hostile.log", E.tmp);
	E.hpid = fork();
	if (E.hpid == 0) {
		if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execlp("python3", "python3", script, "--cert", cert, "--key",
		    key, "--portfile", portfile, "--log", E.hlog, (char *)NULL);
		_exit(127);
	}
	for (i = 0; E.hpid > 0 && i < START_TICKS && E.hport == 0; i++) {
		if ((buf = tu_read_file(portfile, NULL)) != NULL) {
			E.hport = atoi((char *)buf);
			free(buf);
		} else
			usleep(100000);
	}
	free(script);
	free(cert);
	free(key);
	free(portfile);
	free(out);
	return E.hport > 0 ? 0 : -1;
}

static void
stop_hostile(void)
{
	int i, st;

	if (E.hpid <= 0)
		return;
	kill(E.hpid, SIGTERM);
	for (i = 0; i < STOP_TICKS; i++) {
		if (waitpid(E.hpid, &st, WNOHANG) == E.hpid)
			break;
		usleep(100000);
	}
	if (i == STOP_TICKS) {
		kill(E.hpid, SIGKILL);
		waitpid(E.hpid, &st, 0);
	}
	E.hpid = 0;
}

static int
suite_init(void)
{
	const char *e = getenv("REEF_TESTS_UNIT_ONLY");
	char *gen = NULL;

	memset(&E, 0, sizeof(E));
	if (e != NULL && *e != '\0') {
		E.skip = "REEF_TESTS_UNIT_ONLY is set";
		return 0;
	}
	if (tu_system("(command -v nginx && command -v rsync && "
	    "command -v openssl && command -v python3) >/dev/null") != 0) {
		E.skip = "needs nginx, rsync, openssl and python3";
		return 0;
	}
	E.broken = "cannot make a scratch directory";
	if ((E.tmp = tu_tmpdir("http")) == NULL)
		return 0;
	E.state = tu_asprintf("%s/state", E.tmp);
	gen = tu_asprintf("%s/gen", E.tmp);
	E.broken = "cannot write the files to serve";
	if (tu_system("mkdir -p '%s/rsync/m' '%s/rrdp'", gen, gen) != 0)
		goto out;
	free(gen);
	gen = tu_asprintf("%s/gen/rrdp", E.tmp);
	if (make_files(gen) != 0)
		goto out;
	free(gen);
	gen = tu_asprintf("%s/gen", E.tmp);
	E.broken = "serve.sh did not start (see its output above)";
	if (tu_system("'%s/tests/tools/serve.sh' start '%s' --rsync-port auto "
	    "--https-port auto --state '%s' >/dev/null", tu_srcdir(), gen,
	    E.state) != 0)
		goto out;
	E.broken = "cannot read serve.sh's settings";
	if (read_env() != 0)
		goto out;
	E.broken = "cannot make a second CA";
	E.wrong_ca = tu_asprintf("%s/wrong-ca.pem", E.tmp);
	if (tu_system("openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256 -nodes -keyout '%s/wrong.key' -out '%s' "
	    "-days 2 -subj '/CN=Reef wrong CA' >/dev/null 2>&1", E.tmp,
	    E.wrong_ca) != 0)
		goto out;
	E.broken = "hostile_httpd.py did not start";
	if (start_hostile() != 0)
		goto out;
	E.broken = NULL;
 out:
	free(gen);
	return 0;
}

static int
suite_cleanup(void)
{
	stop_hostile();
	if (E.state != NULL)
		tu_system("'%s/tests/tools/serve.sh' stop '%s' >/dev/null 2>&1",
		    tu_srcdir(), E.state);
	if (E.tmp != NULL)
		tu_rmtree(E.tmp);
	free(E.tmp);
	free(E.state);
	free(E.ca);
	free(E.wrong_ca);
	free(E.hlog);
	memset(&E, 0, sizeof(E));
	return 0;
}

/* ---- Well-behaved server --------------------------------------------- */

static void
test_http_concurrent(void)
{
	struct http_config cfg = config();
	struct http_ctx *ctx;
	struct http_callbacks cb;
	struct got g[NFILES];
	unsigned char want[HASH_SHA256_LEN];
	char *url, *path;
	int i;

	if (unavailable())
		return;
	cfg.max_transfers = 4;
	cfg.max_per_host = 3;
	CU_ASSERT_FATAL((ctx = http_new(&cfg)) != NULL);
	for (i = 0; i < NFILES; i++) {
		got_init(&g[i]);
		cb = cbs(&g[i]);
		url = tu_asprintf("https://localhost:%d/rrdp/f%d.bin",
		    E.https_port, i);
		CU_ASSERT_EQUAL(http_get(ctx, url, NULL, &cb), 0);
		free(url);
	}
	CU_ASSERT_EQUAL(http_pending(ctx), NFILES);
	CU_ASSERT(run_idle(ctx) < 10);
	http_free(ctx);
	for (i = 0; i < NFILES; i++) {
		path = tu_asprintf("%s/gen/rrdp/f%d.bin", E.tmp, i);
		CU_ASSERT_EQUAL(hash_sha256_file(path, 0, want, NULL), 0);
		free(path);
		CU_ASSERT_EQUAL(g[i].done, 1);
		CU_ASSERT_EQUAL(g[i].err, HTTP_OK);
		CU_ASSERT_EQUAL(g[i].status, 200);
		CU_ASSERT_EQUAL(g[i].bytes, FILE_SIZE);
		CU_ASSERT(g[i].chunks > 1);
		CU_ASSERT(memcmp(g[i].digest, want, sizeof(want)) == 0);
		CU_ASSERT(g[i].etag[0] == '"');
		CU_ASSERT(g[i].lastmod[0] != '\0');
	}
}

static void
test_http_conditional(void)
{
	struct http_config cfg = config();
	struct http_get_opts opts;
	struct got g;
	char etag[300], lastmod[300], *url = nginx_url("f0.bin");

	if (unavailable())
		goto out;
	got_init(&g);
	get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_OK);
	CU_ASSERT_FATAL(g.etag[0] != '\0' && g.lastmod[0] != '\0');
	memcpy(etag, g.etag, sizeof(etag));
	memcpy(lastmod, g.lastmod, sizeof(lastmod));

	/* The ETag nginx gave: 304, no body, the same ETag back. */
	memset(&opts, 0, sizeof(opts));
	opts.etag = etag;
	got_init(&g);
	get_one(&cfg, url, &opts, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_OK);
	CU_ASSERT_EQUAL(g.status, 304);
	CU_ASSERT_EQUAL(g.not_modified, 1);
	CU_ASSERT_EQUAL(g.bytes, 0);
	CU_ASSERT_STRING_EQUAL(g.etag, etag);
	CU_ASSERT_STRING_EQUAL(g.error, "");

	/* Last-Modified alone works too. */
	memset(&opts, 0, sizeof(opts));
	opts.last_modified = lastmod;
	got_init(&g);
	get_one(&cfg, url, &opts, &g);
	CU_ASSERT_EQUAL(g.status, 304);
	CU_ASSERT_EQUAL(g.not_modified, 1);

	/* A stale ETag gets the whole file. */
	memset(&opts, 0, sizeof(opts));
	opts.etag = "\"0-0\"";
	got_init(&g);
	get_one(&cfg, url, &opts, &g);
	CU_ASSERT_EQUAL(g.status, 200);
	CU_ASSERT_EQUAL(g.not_modified, 0);
	CU_ASSERT_EQUAL(g.bytes, FILE_SIZE);

	/* A corrupt stored ETag is dropped, not sent: a full fetch. */
	memset(&opts, 0, sizeof(opts));
	opts.etag = "\"x\"\r\nX-Injected: 1";
	got_init(&g);
	get_one(&cfg, url, &opts, &g);
	CU_ASSERT_EQUAL(g.status, 200);
	CU_ASSERT_EQUAL(g.bytes, FILE_SIZE);
 out:
	free(url);
}

static void
test_http_not_found(void)
{
	struct http_config cfg = config();
	struct got g;
	char *url = nginx_url("missing.xml");

	if (unavailable())
		goto out;
	got_init(&g);
	get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_STATUS);
	CU_ASSERT_EQUAL(g.status, 404);
	CU_ASSERT_EQUAL(g.bytes, 0);
	CU_ASSERT(strstr(g.error, url) == g.error);
	CU_ASSERT(strstr(g.error, "404") != NULL);
 out:
	free(url);
}

static void
test_http_wrong_ca(void)
{
	struct http_config cfg = config();
	struct got g;
	char *url = nginx_url("f1.bin");

	if (unavailable())
		goto out;
	cfg.ca_file = E.wrong_ca;
	got_init(&g);
	get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_TLS);
	CU_ASSERT_EQUAL(g.bytes, 0);
	CU_ASSERT(strstr(g.error, url) == g.error);

	/* The system store does not know the throwaway CA either. */
	cfg.ca_file = NULL;
	got_init(&g);
	get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_TLS);
 out:
	free(url);
}

/* Refused URLs never reach the network: the server logs nothing. */
static void
test_http_refused(void)
{
	struct http_config cfg = config();
	struct got g;
	char *url;

	if (unavailable())
		return;
	cfg.allow_dubious_hosts = 0;
	url = hostile_url("/ok/1");
	got_init(&g);
	get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_URL);
	CU_ASSERT(strstr(g.error, url) == g.error);
	free(url);

	cfg.allow_dubious_hosts = 1;
	url = tu_asprintf("http://localhost:%d/ok/2", E.hport);
	got_init(&g);
	get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_URL);
	CU_ASSERT(strstr(g.error, "https") != NULL);
	free(url);
	CU_ASSERT_EQUAL(log_count("/ok/1"), 0);
	CU_ASSERT_EQUAL(log_count("/ok/2"), 0);
}

/* ---- Hostile server -------------------------------------------------- */

static void
test_http_user_agent(void)
{
	struct http_config cfg = config();
	struct got g;
	char *url = hostile_url("/headers");

	if (unavailable())
		goto out;
	got_init(&g);
	get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_OK);
	CU_ASSERT(strstr(g.body, "User-Agent: " PACKAGE_NAME "/"
	    PACKAGE_VERSION "\r\n") != NULL);
	CU_ASSERT(strstr(g.body, "Accept-Encoding: gzip, deflate\r\n") != NULL);
	CU_ASSERT(strstr(g.body, "Cookie") == NULL);
	CU_ASSERT(strstr(g.body, "If-None-Match") == NULL);
 out:
	free(url);
}

/* Sequential requests to one server reuse the connection. */
static void
test_http_keepalive(void)
{
	struct http_config cfg = config();
	struct http_ctx *ctx;
	struct http_callbacks cb;
	struct got g1, g2;
	char *u1 = hostile_url("/ok/3001"), *u2 = hostile_url("/ok/3002");

	if (unavailable())
		goto out;
	CU_ASSERT_FATAL((ctx = http_new(&cfg)) != NULL);
	got_init(&g1);
	cb = cbs(&g1);
	CU_ASSERT_EQUAL(http_get(ctx, u1, NULL, &cb), 0);
	run_idle(ctx);
	got_init(&g2);
	cb = cbs(&g2);
	CU_ASSERT_EQUAL(http_get(ctx, u2, NULL, &cb), 0);
	run_idle(ctx);
	http_free(ctx);
	CU_ASSERT_EQUAL(g1.bytes, 3001);
	CU_ASSERT_EQUAL(g2.bytes, 3002);
	CU_ASSERT(log_conn("/ok/3001") > 0);
	CU_ASSERT_EQUAL(log_conn("/ok/3001"), log_conn("/ok/3002"));
 out:
	free(u1);
	free(u2);
}

static void
test_http_drip(void)
{
	struct http_config cfg = config();
	struct got g;
	double s;
	char *url = hostile_url("/drip");

	if (unavailable())
		goto out;
	cfg.low_speed_limit = 100;
	cfg.low_speed_time = 2;
	got_init(&g);
	s = get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_TIMEOUT);
	CU_ASSERT(g.bytes < 10);
	CU_ASSERT(s >= 1.5 && s < 6);
	CU_ASSERT(strstr(g.error, url) == g.error);
 out:
	free(url);
}

static void
test_http_endless(void)
{
	struct http_config cfg = config();
	struct http_get_opts opts;
	struct got g;
	double s;
	char *url = hostile_url("/endless");

	if (unavailable())
		goto out;
	memset(&opts, 0, sizeof(opts));
	opts.max_bytes = 1024 * 1024;
	got_init(&g);
	s = get_one(&cfg, url, &opts, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_TOO_BIG);
	CU_ASSERT(g.bytes <= opts.max_bytes);
	CU_ASSERT(g.bytes > opts.max_bytes / 2);
	CU_ASSERT(s < 5);
 out:
	free(url);
}

static void
test_http_gzip_bomb(void)
{
	struct http_config cfg = config();
	struct http_get_opts opts;
	struct got g;
	double s;
	char *url = hostile_url("/bomb");

	if (unavailable())
		goto out;
	memset(&opts, 0, sizeof(opts));
	opts.max_bytes = 64 * 1024 * 1024;
	got_init(&g);
	s = get_one(&cfg, url, &opts, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_TOO_BIG);
	CU_ASSERT(g.bytes <= opts.max_bytes);
	CU_ASSERT(strstr(g.error, "expands") != NULL);
	CU_ASSERT(s < 10);

	/* Below the ratio's floor, the decompressed cap stops it. */
	opts.max_bytes = 512 * 1024;
	got_init(&g);
	s = get_one(&cfg, url, &opts, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_TOO_BIG);
	CU_ASSERT(g.bytes <= opts.max_bytes);
	CU_ASSERT(g.bytes > opts.max_bytes / 2);
	CU_ASSERT(strstr(g.error, "larger than") != NULL);
	CU_ASSERT(s < 5);
 out:
	free(url);
}

/* Redirects: same origin followed, another origin or scheme refused. */
static void
test_http_redirects(void)
{
	struct http_config cfg = config();
	struct got g;
	char *url;

	if (unavailable())
		return;
	url = hostile_url("/same");
	got_init(&g);
	get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_OK);
	CU_ASSERT_EQUAL(g.bytes, 1000);
	CU_ASSERT(strstr(g.final_url, "/ok/1000") != NULL);
	free(url);

	url = hostile_url("/away");
	got_init(&g);
	get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_REDIRECT);
	CU_ASSERT_EQUAL(g.bytes, 0);
	CU_ASSERT(strstr(g.error, "RFC 9674") != NULL);
	free(url);

	url = hostile_url("/away-http");
	got_init(&g);
	get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_REDIRECT);
	free(url);
	CU_ASSERT_EQUAL(log_count("/away-target"), 0);

	url = hostile_url("/nolocation");
	got_init(&g);
	get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_REDIRECT);
	CU_ASSERT_EQUAL(g.status, 302);
	free(url);
}

static void
test_http_redirect_loop(void)
{
	struct http_config cfg = config();
	struct got g;
	double s;
	char *url = hostile_url("/loop");

	if (unavailable())
		goto out;
	got_init(&g);
	s = get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_REDIRECT);
	CU_ASSERT(strstr(g.error, "redirects") != NULL);
	/* The first request and MAX_HTTP_REDIRECTS followed ones. */
	CU_ASSERT_EQUAL(log_count("/loop"), MAX_HTTP_REDIRECTS + 1);
	CU_ASSERT(s < 5);
 out:
	free(url);
}

static void
test_http_silent(void)
{
	struct http_config cfg = config();
	struct http_get_opts opts;
	struct got g;
	double s;
	char *url = hostile_url("/silent");

	if (unavailable())
		goto out;
	cfg.low_speed_time = 30;
	memset(&opts, 0, sizeof(opts));
	opts.max_time = 2;
	got_init(&g);
	s = get_one(&cfg, url, &opts, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_TIMEOUT);
	CU_ASSERT_EQUAL(g.status, 0);
	CU_ASSERT(s >= 1.5 && s < 5);
	CU_ASSERT(g.seconds >= 1.5 && g.seconds < 5);
 out:
	free(url);
}

static void
test_http_consumer_abort(void)
{
	struct http_config cfg = config();
	struct got g;
	char *url = nginx_url("f2.bin");

	if (unavailable())
		goto out;
	got_init(&g);
	g.stop_after = 1;
	get_one(&cfg, url, NULL, &g);
	CU_ASSERT_EQUAL(g.err, HTTP_ERR_ABORTED);
	CU_ASSERT_EQUAL(g.chunks, 1);
	CU_ASSERT(g.bytes < FILE_SIZE);
 out:
	free(url);
}

/*
 * The global and the per-host limit each hold the second request back (the
 * server sees one), http_run() returns at its timeout, and http_free()
 * reports what is left as cancelled.
 */
static void
test_http_limits_cancel(void)
{
	struct http_config cfg;
	struct http_ctx *ctx;
	struct http_callbacks cb;
	struct got g1, g2;
	double t0;
	int round, before;
	char *url = hostile_url("/silent");

	if (unavailable())
		goto out;
	for (round = 0; round < 2; round++) {
		cfg = config();
		if (round == 0)
			cfg.max_transfers = 1;
		else
			cfg.max_per_host = 1;
		before = log_count("/silent");
		CU_ASSERT_FATAL((ctx = http_new(&cfg)) != NULL);
		got_init(&g1);
		got_init(&g2);
		cb = cbs(&g1);
		CU_ASSERT_EQUAL(http_get(ctx, url, NULL, &cb), 0);
		cb = cbs(&g2);
		CU_ASSERT_EQUAL(http_get(ctx, url, NULL, &cb), 0);
		t0 = now();
		CU_ASSERT_EQUAL(http_run(ctx, CANCEL_AFTER_MS), 1);
		CU_ASSERT(now() - t0 < 2);
		CU_ASSERT_EQUAL(http_pending(ctx), 2);
		CU_ASSERT_EQUAL(g1.done + g2.done, 0);
		CU_ASSERT_EQUAL(log_count("/silent"), before + 1);
		http_free(ctx);
		CU_ASSERT_EQUAL(g1.done, 1);
		CU_ASSERT_EQUAL(g2.done, 1);
		CU_ASSERT_EQUAL(g1.err, HTTP_ERR_CANCELLED);
		CU_ASSERT_EQUAL(g2.err, HTTP_ERR_CANCELLED);
	}
 out:
	free(url);
}

REEF_SUITE_FULL(integration_http, suite_init, suite_cleanup,
    REEF_TEST(test_http_concurrent),
    REEF_TEST(test_http_conditional),
    REEF_TEST(test_http_not_found),
    REEF_TEST(test_http_wrong_ca),
    REEF_TEST(test_http_refused),
    REEF_TEST(test_http_user_agent),
    REEF_TEST(test_http_keepalive),
    REEF_TEST(test_http_drip),
    REEF_TEST(test_http_endless),
    REEF_TEST(test_http_gzip_bomb),
    REEF_TEST(test_http_redirects),
    REEF_TEST(test_http_redirect_loop),
    REEF_TEST(test_http_silent),
    REEF_TEST(test_http_consumer_abort),
    REEF_TEST(test_http_limits_cancel))
