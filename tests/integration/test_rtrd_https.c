/*
 * Integration: reef-rtrd reading its input from an HTTPS URL
 * (-i https://..., --ca-file, --input-interval).  nginx from
 * tests/tools/serve.sh serves a JSON file on 127.0.0.1 under a throwaway
 * CA; tests/tools/rtrcheck checks what the cache serves and /metrics
 * what it counted.  The file is served, a replaced file becomes the next
 * serial, an unchanged one is answered 304 and keeps the serial, a
 * broken one is counted as a failed load while the set stays, SIGHUP
 * fetches at once, an untrusted certificate is refused, and the command
 * line refuses what is not https.
 *
 * Without nginx, openssl or rsync (or with REEF_TESTS_UNIT_ONLY set) the
 * tests print SKIPPED, as CUnit has no skipped state.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests/integration/rtrd_util.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* Milliseconds to wait for a change. */
#define WAIT_MS		15000
/* Milliseconds between checks while waiting. */
#define POLL_MS		100
/* Largest HTTP answer read from /metrics. */
#define RESP_MAX	(256 * 1024)

static const char json_a[] =
    "{\"metadata\": {\"buildtime\": \"2024-01-01T00:00:00Z\"},\n"
    " \"roas\": [\n"
    "  {\"asn\": 13335, \"prefix\": \"1.0.0.0/24\", \"maxLength\": 24,"
    " \"ta\": \"apnic\", \"expires\": 4000000000},\n"
    "  {\"asn\": 65001, \"prefix\": \"2001:db8::/32\", \"maxLength\": 48,"
    " \"ta\": \"ripe\", \"expires\": 4000000000}\n"
    " ],\n"
    " \"aspas\": [{\"customer_asid\": 64500, \"expires\": 4000000000,"
    " \"providers\": [64501, 64502]}]}\n";

/* Routinator's layout this time: the format is told from the content. */
static const char json_b[] =
    "{\"metadata\": {\"generated\": 1700000000},\n"
    " \"roas\": [\n"
    "  {\"asn\": \"AS13335\", \"prefix\": \"1.0.0.0/24\", \"maxLength\": 24,"
    " \"ta\": \"apnic\"},\n"
    "  {\"asn\": \"AS65002\", \"prefix\": \"192.0.2.0/24\", \"maxLength\": 24,"
    " \"ta\": \"arin\"}\n"
    " ]}\n";

/* Cut short: a partial upload must never be served. */
static const char json_broken[] =
    "{\"roas\": [{\"asn\": 13335, \"prefix\": \"1.0.0.0/24\", \"maxLen";

/* The suite's servers: serve.sh's nginx, shared by every test. */
static struct {
	const char	*skip;		/* reason to skip, or NULL */
	const char	*broken;	/* setup failure, or NULL */
	char		*tmp;
	char		*state;		/* serve.sh state directory */
	char		*file;		/* the served JSON */
	char		*url;
	char		*ca;
	int		 https_port;
	time_t		 mtime;		/* last mtime given to the file */
} E;

/*
 * Replace the served file atomically.  nginx's ETag is mtime and size,
 * so each version gets a later mtime than the one before: versions
 * written within one second would otherwise look alike.
 */
static int
put_file(const char *text)
{
	struct timespec ts[2];
	char *tmp = tu_asprintf("%s.tmp", E.file);
	int rc;

	memset(ts, 0, sizeof(ts));
	E.mtime = E.mtime == 0 ? time(NULL) - 100 : E.mtime + 1;
	ts[0].tv_sec = ts[1].tv_sec = E.mtime;
	rc = tu_write_file(tmp, text, strlen(text)) == 0 &&
	    utimensat(AT_FDCWD, tmp, ts, 0) == 0 &&
	    rename(tmp, E.file) == 0 ? 0 : -1;
	free(tmp);
	return rc;
}

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
	E.url = tu_asprintf("https://localhost:%d/ta/vrps.json", E.https_port);
	return E.https_port > 0 ? 0 : -1;
}

static int
suite_init(void)
{
	const char *e = getenv("REEF_TESTS_UNIT_ONLY");

	memset(&E, 0, sizeof(E));
	if (e != NULL && *e != '\0') {
		E.skip = "REEF_TESTS_UNIT_ONLY is set";
		return 0;
	}
	if (tu_system("(command -v nginx && command -v rsync && "
	    "command -v openssl) >/dev/null") != 0) {
		E.skip = "needs nginx, rsync and openssl";
		return 0;
	}
	E.broken = "cannot make a scratch directory";
	if ((E.tmp = tu_tmpdir("rtrdhttps")) == NULL)
		return 0;
	E.state = tu_asprintf("%s/state", E.tmp);
	E.file = tu_asprintf("%s/gen/rsync/ta/vrps.json", E.tmp);
	E.broken = "cannot write the file to serve";
	if (tu_system("mkdir -p '%s/gen/rsync/ta' '%s/gen/rrdp'", E.tmp,
	    E.tmp) != 0 || put_file(json_a) != 0)
		return 0;
	E.broken = "serve.sh did not start (see its output above)";
	if (tu_system("'%s/tests/tools/serve.sh' start '%s/gen' --rsync-port "
	    "auto --https-port auto --state '%s' >/dev/null", tu_srcdir(),
	    E.tmp, E.state) != 0)
		return 0;
	E.broken = "cannot read serve.sh's settings";
	if (read_env() != 0)
		return 0;
	E.broken = NULL;
	return 0;
}

static int
suite_cleanup(void)
{
	if (E.state != NULL)
		tu_system("'%s/tests/tools/serve.sh' stop '%s' >/dev/null 2>&1",
		    tu_srcdir(), E.state);
	if (E.tmp != NULL)
		tu_rmtree(E.tmp);
	free(E.tmp);
	free(E.state);
	free(E.file);
	free(E.url);
	free(E.ca);
	memset(&E, 0, sizeof(E));
	return 0;
}

/* Say why a test does nothing; returns 1 when it must not run. */
static int
unavailable(void)
{
	if (E.broken != NULL) {
		printf("\n    setup failed: %s\n    ", E.broken);
		CU_FAIL("integration_rtrd_https setup failed");
		return 1;
	}
	if (E.skip != NULL) {
		printf("\n    SKIPPED: %s\n    ", E.skip);
		return 1;
	}
	return 0;
}

/* ---- reef-rtrd ------------------------------------------------------- */

/* Start reef-rtrd on the URL; ca NULL: no --ca-file. */
static void
srv_start(struct rtrd_srv *s, const char *ca, const char *interval)
{
	const char *args[] = { "-l", NULL, "--http", NULL, "-i", NULL,
	    "--input-interval", NULL, NULL, NULL, NULL };

	rtrd_srv_init(s, "rtrdhttps-srv", NULL, RTRD_SRV_HTTP);
	args[1] = s->addr;
	args[3] = s->http_addr;
	args[5] = E.url;
	args[7] = interval;
	/* Without ca, the system store must refuse the throwaway CA. */
	if (ca != NULL) {
		args[8] = "--ca-file";
		args[9] = ca;
	}
	rtrd_srv_run(s, args, s->http_port);
}

/* rtrcheck's Reset Query answer (malloc'd, NULL if it failed). */
static char *
rtr_reset(const struct rtrd_srv *s)
{
	char *bin, *file, *out = NULL;

	bin = tu_asprintf("%s/tests/tools/rtrcheck", tu_builddir());
	file = tu_asprintf("%s/rc.out", E.tmp);
	if (tu_system("'%s' -t 5 127.0.0.1 %d >'%s' 2>/dev/null", bin,
	    s->port, file) == 0)
		out = (char *)tu_read_file(file, NULL);
	free(bin);
	free(file);
	return out;
}

/* The serial rtrcheck saw, or -1 if there is no data yet. */
static long
serial_of(const char *out)
{
	const char *p;

	if (out == NULL || (p = strstr(out, "# serial ")) == NULL)
		return -1;
	return strtol(p + strlen("# serial "), NULL, 10);
}

/* A counter from /metrics, e.g. "...{result=\"failed\"}"; -1 if absent. */
static long
metric(const struct rtrd_srv *s, const char *name)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n"
	    "\r\n";
	struct pollfd pfd;
	size_t off = 0;
	ssize_t n;
	char *buf, *want, *p;
	long v = -1;
	int fd;

	CU_ASSERT_FATAL((buf = malloc(RESP_MAX + 1)) != NULL);
	CU_ASSERT_FATAL((fd = rtrd_connect_port(s->http_port)) != -1);
	CU_ASSERT_FATAL(write(fd, req, sizeof(req) - 1) ==
	    (ssize_t)sizeof(req) - 1);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (off < RESP_MAX && poll(&pfd, 1, WAIT_MS) == 1 &&
	    (n = read(fd, buf + off, RESP_MAX - off)) > 0)
		off += n;
	buf[off] = '\0';
	close(fd);
	want = tu_asprintf("\n%s ", name);
	if ((p = strstr(buf, want)) != NULL)
		v = strtol(p + strlen(want), NULL, 10);
	free(want);
	free(buf);
	return v;
}

#define LOADS_OK	"reef_rtrd_input_loads_total{result=\"ok\"}"
#define LOADS_FAILED	"reef_rtrd_input_loads_total{result=\"failed\"}"
#define LOADS_SAME	"reef_rtrd_input_loads_total{result=\"not_modified\"}"

/* Wait until the counter name reaches at least want; returns its value. */
static long
wait_metric(const struct rtrd_srv *s, const char *name, long want)
{
	long v = -1;
	int i;

	for (i = 0; i < WAIT_MS / POLL_MS; i++) {
		if ((v = metric(s, name)) >= want)
			break;
		rtrd_sleep_ms(POLL_MS);
	}
	return v;
}

/*
 * Wait until the served serial is want (ANY_SERIAL: the first set, whatever
 * its serial, which reef-rtrd picks at random); returns rtrcheck's answer.
 */
#define ANY_SERIAL	(-2)

static char *
wait_serial(const struct rtrd_srv *s, long want)
{
	char *out = NULL;
	long got;
	int i;

	for (i = 0; i < WAIT_MS / POLL_MS; i++) {
		free(out);
		got = serial_of(out = rtr_reset(s));
		if (got == want || (want == ANY_SERIAL && got >= 0))
			return out;
		rtrd_sleep_ms(POLL_MS);
	}
	return out;
}

/* The serial after s (RFC 1982: 2^32 - 1 wraps to 0). */
static long
next_serial(long s)
{
	return (long)(((uint32_t)s + 1) & 0xffffffffu);
}

static int
has_line(const char *out, const char *line)
{
	char *want = tu_asprintf("\n%s\n", line);
	int found = out != NULL && strstr(out, want) != NULL;

	free(want);
	return found;
}

/* Does nginx's access log show a 304 answer to reef-rtrd? */
static int
logged_304(void)
{
	return tu_system("grep -q '\" 304 .*reef-rtrd/' "
	    "'%s/nginx/logs/access.log'", E.state) == 0;
}

/* ---- Tests ----------------------------------------------------------- */

/*
 * Served, replaced, unchanged (304), broken: one server polling every
 * second goes through each in turn.
 */
static void
test_https_lifecycle(void)
{
	struct rtrd_srv s;
	char *out;
	long first, serial, failed, same;

	if (unavailable())
		return;
	CU_ASSERT_FATAL(put_file(json_a) == 0);
	srv_start(&s, E.ca, "1");

	/* The first download is served. */
	out = wait_serial(&s, ANY_SERIAL);
	CU_ASSERT((first = serial_of(out)) >= 0);
	CU_ASSERT(has_line(out, "vrp,1.0.0.0/24,24,13335"));
	CU_ASSERT(has_line(out, "vrp,2001:db8::/32,48,65001"));
	CU_ASSERT(has_line(out, "aspa,64500,64501;64502"));
	free(out);
	CU_ASSERT(metric(&s, LOADS_OK) == 1);

	/* Unchanged: conditional requests get 304, the serial stays. */
	CU_ASSERT(wait_metric(&s, LOADS_SAME, 2) >= 2);
	CU_ASSERT(logged_304());
	CU_ASSERT(metric(&s, LOADS_OK) == 1);
	CU_ASSERT(metric(&s, LOADS_FAILED) == 0);
	out = rtr_reset(&s);
	CU_ASSERT(serial_of(out) == first);
	free(out);

	/* Replaced: the next serial carries the new set. */
	CU_ASSERT_FATAL(put_file(json_b) == 0);
	out = wait_serial(&s, next_serial(first));
	CU_ASSERT(serial_of(out) == next_serial(first));
	CU_ASSERT(has_line(out, "vrp,1.0.0.0/24,24,13335"));
	CU_ASSERT(has_line(out, "vrp,192.0.2.0/24,24,65002"));
	CU_ASSERT(!has_line(out, "vrp,2001:db8::/32,48,65001"));
	CU_ASSERT(out != NULL && strstr(out, "aspa,") == NULL);
	free(out);
	CU_ASSERT(metric(&s, LOADS_OK) == 2);

	/* Broken: counted as failed, each time; the set and serial stay. */
	CU_ASSERT_FATAL(put_file(json_broken) == 0);
	CU_ASSERT((failed = wait_metric(&s, LOADS_FAILED, 2)) >= 2);
	out = rtr_reset(&s);
	serial = serial_of(out);
	CU_ASSERT(serial == next_serial(first));
	CU_ASSERT(has_line(out, "vrp,192.0.2.0/24,24,65002"));
	free(out);
	CU_ASSERT(metric(&s, LOADS_OK) == 2);
	CU_ASSERT(tu_system("grep -qF '%s: 1:' '%s'", E.url, s.log) == 0);
	CU_ASSERT(tu_system("grep -q 'still serving the previous set' '%s'",
	    s.log) == 0);

	/* Repaired with the set already served: no new serial. */
	same = metric(&s, LOADS_SAME);
	CU_ASSERT_FATAL(put_file(json_b) == 0);
	CU_ASSERT(wait_metric(&s, LOADS_OK, 3) == 3);
	CU_ASSERT(wait_metric(&s, LOADS_SAME, same + 1) > same);
	out = rtr_reset(&s);
	CU_ASSERT(serial_of(out) == next_serial(first));
	free(out);
	rtrd_srv_stop(&s);
}

/* A long interval: SIGHUP fetches at once. */
static void
test_https_sighup(void)
{
	struct rtrd_srv s;
	char *out;
	long first;

	if (unavailable())
		return;
	CU_ASSERT_FATAL(put_file(json_a) == 0);
	srv_start(&s, E.ca, "3600");
	out = wait_serial(&s, ANY_SERIAL);
	CU_ASSERT((first = serial_of(out)) >= 0);
	CU_ASSERT(has_line(out, "vrp,2001:db8::/32,48,65001"));
	free(out);
	CU_ASSERT_FATAL(put_file(json_b) == 0);
	/* Nothing happens by itself for an hour. */
	rtrd_sleep_ms(1500);
	out = rtr_reset(&s);
	CU_ASSERT(serial_of(out) == first);
	free(out);
	kill(s.pid, SIGHUP);
	out = wait_serial(&s, next_serial(first));
	CU_ASSERT(serial_of(out) == next_serial(first));
	CU_ASSERT(has_line(out, "vrp,192.0.2.0/24,24,65002"));
	free(out);
	/* Unchanged since: the next SIGHUP gets a 304. */
	kill(s.pid, SIGHUP);
	CU_ASSERT(wait_metric(&s, LOADS_SAME, 1) == 1);
	CU_ASSERT(metric(&s, LOADS_OK) == 2);
	rtrd_srv_stop(&s);
}

/* Without --ca-file the throwaway CA is not trusted: nothing served. */
static void
test_https_untrusted(void)
{
	struct rtrd_srv s;
	char *out;

	if (unavailable())
		return;
	CU_ASSERT_FATAL(put_file(json_a) == 0);
	srv_start(&s, NULL, "1");
	CU_ASSERT(wait_metric(&s, LOADS_FAILED, 1) >= 1);
	CU_ASSERT(metric(&s, LOADS_OK) == 0);
	out = rtr_reset(&s);
	CU_ASSERT(serial_of(out) == -1);
	free(out);
	CU_ASSERT(tu_system("grep -qF '%s' '%s'", E.url, s.log) == 0);
	CU_ASSERT(tu_system("grep -q 'no data to serve yet' '%s'",
	    s.log) == 0);
	rtrd_srv_stop(&s);
}

/* The command line refuses what cannot work, before starting. */
static void
test_https_options(void)
{
	static const char *const bad[] = {
		"-i http://localhost/vrps.json",
		"-i ftp://localhost/vrps.json",
		"-i https:///vrps.json",
		"-i https://user@localhost/vrps.json",
		"-i 'https://localhost/a b.json'",
		"-i https://localhost/v.json --input-interval 0",
		"-i https://localhost/v.json --input-interval 86401",
		"-i /var/lib/reef --ca-file /etc/ssl/certs/ca.pem",
		"-i /var/lib/reef --input-interval 60",
	};
	char *bin, *log;
	size_t i;

	if (E.skip != NULL && E.tmp == NULL) {
		printf("\n    SKIPPED: %s\n    ", E.skip);
		return;
	}
	bin = rtrd_bin();
	log = tu_asprintf("%s/options.log", E.tmp);
	CU_ASSERT_FATAL(access(bin, X_OK) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT(tu_system("'%s' -l 127.0.0.1:1 %s >'%s' 2>&1", bin,
		    bad[i], log) == 1);
		CU_ASSERT(tu_system("grep -q '^reef-rtrd: ' '%s'", log) == 0);
	}
	CU_ASSERT(tu_system("'%s' -i http://x/y >'%s' 2>&1 ; grep -q "
	    "'not an https:// URL' '%s'", bin, log, log) == 0);
	free(log);
	free(bin);
}

REEF_SUITE_FULL(integration_rtrd_https, suite_init, suite_cleanup,
    REEF_TEST(test_https_lifecycle), REEF_TEST(test_https_sighup),
    REEF_TEST(test_https_untrusted), REEF_TEST(test_https_options))
