/*
 * Integration: the built reef-rtrd with its HTTP endpoint (--http, and
 * its alias --metrics).  /metrics follows RTR traffic and input loads,
 * /status and the validity API answer from the served set, a bad input
 * shows as a failed load while the set stays, malformed or oversized
 * requests get their 4xx, and a client that never sends anything does
 * not hold up the others.
 */
#include "config.h"

#include <sys/wait.h>

#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/privdrop.h"
#include "rtrd/pdu.h"
#include "tests/integration/rtrd_util.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* Milliseconds to wait for the server to listen or answer. */
#define WAIT_MS		10000
/* Largest HTTP answer these tests read. */
#define RESP_MAX	(256 * 1024)

/* Start with --http or --metrics; user: run as that --user, or NULL. */
static void
hsrv_start(struct rtrd_srv *s, const char *httpopt, const char *user)
{
	const char *args[] = { "-l", NULL, NULL, NULL, "-i", NULL, NULL, NULL,
	    NULL };

	rtrd_srv_init(s, "rtrdhttp", rtrd_json_a, RTRD_SRV_HTTP);
	args[1] = s->addr;
	args[2] = httpopt;
	args[3] = s->http_addr;
	args[5] = s->input;
	if (user != NULL) {
		args[6] = "--user";
		args[7] = user;
	}
	rtrd_srv_run(s, args, s->http_port);
}

/*
 * Send len bytes of req, read the whole answer (the server closes).
 * Returns the status (0 if none) and the answer in *resp (malloc'd).
 */
static int
http_raw(int port, const char *req, size_t len, char **resp)
{
	struct pollfd pfd;
	size_t off = 0;
	ssize_t n;
	char *buf;
	int fd;

	CU_ASSERT_FATAL((buf = malloc(RESP_MAX + 1)) != NULL);
	*resp = buf;
	buf[0] = '\0';
	CU_ASSERT_FATAL((fd = rtrd_connect_port(port)) != -1);
	if (len > 0)
		CU_ASSERT_FATAL(write(fd, req, len) == (ssize_t)len);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (off < RESP_MAX && poll(&pfd, 1, WAIT_MS) == 1 &&
	    (n = read(fd, buf + off, RESP_MAX - off)) > 0)
		off += n;
	buf[off] = '\0';
	close(fd);
	return strncmp(buf, "HTTP/1.1 ", 9) == 0 ? atoi(buf + 9) : 0;
}

static int
http_str(int port, const char *req, char **resp)
{
	return http_raw(port, req, strlen(req), resp);
}

static int
http_get(int port, const char *path, char **resp)
{
	char *req = tu_asprintf("GET %s HTTP/1.1\r\nHost: localhost\r\n"
	    "User-Agent: reef-tests\r\n\r\n", path);
	int rc = http_raw(port, req, strlen(req), resp);

	free(req);
	return rc;
}

/* Does the metric line "name value" appear in /metrics? */
static int
metric_is(int port, const char *line)
{
	char *resp, *want = tu_asprintf("\n%s\n", line);
	int found;

	CU_ASSERT(http_get(port, "/metrics", &resp) == 200);
	found = strstr(resp, want) != NULL;
	free(resp);
	free(want);
	return found;
}

/* One RTR Reset Query at version v; reads the answer up to End of Data. */
static void
rtr_reset(int port, uint8_t v)
{
	struct pdu_buf pb;
	struct pollfd pfd;
	uint8_t buf[4096];
	size_t off = 0;
	ssize_t n;
	int fd;

	CU_ASSERT_FATAL((fd = rtrd_connect_port(port)) != -1);
	pdu_buf_init(&pb);
	CU_ASSERT_FATAL(pdu_put_reset_query(&pb, v) == PDU_OK);
	CU_ASSERT_FATAL(write(fd, pb.data, pb.len) == (ssize_t)pb.len);
	pdu_buf_free(&pb);
	pfd.fd = fd;
	pfd.events = POLLIN;
	/* The End of Data of v1 is 24 bytes and comes last. */
	while (poll(&pfd, 1, WAIT_MS) == 1 &&
	    (n = read(fd, buf + off, sizeof(buf) - off)) > 0) {
		off += n;
		if (off >= PDU_END_OF_DATA_LEN &&
		    buf[off - PDU_END_OF_DATA_LEN + 1] == PDU_END_OF_DATA)
			break;
	}
	CU_ASSERT(off > PDU_END_OF_DATA_LEN);
	close(fd);
}

static void
test_rtrd_http_endpoints(void)
{
	struct rtrd_srv s;
	char *resp;
	int i, ok;

	hsrv_start(&s, "--http", NULL);
	CU_ASSERT(metric_is(s.http_port, "reef_rtrd_payloads{type=\"vrp\"} 2"));
	CU_ASSERT(metric_is(s.http_port,
	    "reef_rtrd_input_loads_total{result=\"ok\"} 1"));
	CU_ASSERT(metric_is(s.http_port, "reef_rtrd_reset_queries_total 0"));

	rtr_reset(s.port, PDU_VERSION_1);
	CU_ASSERT(metric_is(s.http_port, "reef_rtrd_reset_queries_total 1"));
	CU_ASSERT(metric_is(s.http_port, "reef_rtrd_cache_responses_total 1"));
	CU_ASSERT(metric_is(s.http_port, "reef_rtrd_connections_total 1"));

	CU_ASSERT(http_get(s.http_port, "/status", &resp) == 200);
	CU_ASSERT(strstr(resp, "Content-Type: application/json\r\n") != NULL);
	CU_ASSERT(strstr(resp, "\"vrps\": 2") != NULL);
	CU_ASSERT(strstr(resp, "\"aspas\": 1") != NULL);
	CU_ASSERT(strstr(resp, "\"last_result\": \"ok\"") != NULL);
	CU_ASSERT(strstr(resp, "\"kind\": \"http\"") != NULL);
	free(resp);

	CU_ASSERT(http_get(s.http_port, "/api/v1/validity/AS13335/1.0.0.0/24",
	    &resp) == 200);
	CU_ASSERT(strstr(resp, "\"state\": \"valid\"") != NULL);
	free(resp);
	CU_ASSERT(http_get(s.http_port, "/api/v1/validity/AS1/1.0.0.0/24",
	    &resp) == 200);
	CU_ASSERT(strstr(resp, "\"reason\": \"as\"") != NULL);
	free(resp);
	CU_ASSERT(http_get(s.http_port, "/api/v1/validity/AS1/1.0.0.0",
	    &resp) == 400);
	free(resp);
	CU_ASSERT(http_get(s.http_port, "/json", &resp) == 404);
	free(resp);
	CU_ASSERT(http_str(s.http_port, "DELETE /metrics HTTP/1.1\r\nHost: x"
	    "\r\n\r\n", &resp) == 405);
	CU_ASSERT(strstr(resp, "Allow: GET, HEAD\r\n") != NULL);
	free(resp);

	/* A bad input: counted as failed, the set stays. */
	rtrd_write_input(&s,
	    "{\"roas\": [ {\"asn\": 1, \"prefix\": \"1.0.0.0/33\"");
	for (i = ok = 0; i < WAIT_MS / 50 && !ok; i++) {
		rtrd_sleep_ms(50);
		ok = metric_is(s.http_port,
		    "reef_rtrd_input_loads_total{result=\"failed\"} 1");
	}
	CU_ASSERT(ok);
	CU_ASSERT(metric_is(s.http_port, "reef_rtrd_last_load_success 0"));
	CU_ASSERT(metric_is(s.http_port, "reef_rtrd_payloads{type=\"vrp\"} 2"));
	CU_ASSERT(http_get(s.http_port, "/status", &resp) == 200);
	CU_ASSERT(strstr(resp, "\"last_result\": \"failed\"") != NULL);
	CU_ASSERT(strstr(resp, "\"last_error\": ") != NULL);
	free(resp);
	rtrd_srv_stop(&s);
}

static void
test_rtrd_http_hostile(void)
{
	struct rtrd_srv s;
	char *big, *resp;
	int idle, i;

	/* The spelling of the option. */
	hsrv_start(&s, "--metrics", NULL);
	/* A client that sends nothing must not block the others. */
	CU_ASSERT_FATAL((idle = rtrd_connect_port(s.http_port)) != -1);
	CU_ASSERT(http_get(s.http_port, "/metrics", &resp) == 200);
	free(resp);
	/* A head that never ends within the limit. */
	CU_ASSERT_FATAL((big = malloc(16384)) != NULL);
	memcpy(big, "GET /metrics HTTP/1.1\r\nX-Pad: ", 30);
	memset(big + 30, 'a', 16384 - 30);
	CU_ASSERT(http_raw(s.http_port, big, 16384, &resp) == 431);
	free(resp);
	free(big);
	/* Garbage, a bare LF, an unknown version. */
	CU_ASSERT(http_raw(s.http_port, "\x16\x03\x01\x02\x00\x01\r\n\r\n", 10,
	    &resp) == 400);
	free(resp);
	CU_ASSERT(http_str(s.http_port, "GET / HTTP/1.1\nHost: x\n\n",
	    &resp) == 400);
	free(resp);
	CU_ASSERT(http_str(s.http_port, "GET / HTTP/3.0\r\nHost: x\r\n\r\n",
	    &resp) == 505);
	free(resp);
	/* Many connections at once, each answered. */
	for (i = 0; i < 20; i++) {
		CU_ASSERT(http_get(s.http_port, "/status", &resp) == 200);
		free(resp);
	}
	close(idle);
	CU_ASSERT(metric_is(s.http_port, "reef_rtrd_sessions{version=\"none\"} 0"));
	rtrd_srv_stop(&s);
}

/* The "Uid:" or "Gid:" line of /proc/PID/status, or "". */
static char *
proc_ids(pid_t pid, const char *field)
{
	char *path = tu_asprintf("/proc/%d/status", (int)pid);
	unsigned char *text = tu_read_file(path, NULL);
	char *line, *end, *out;

	free(path);
	if (text == NULL)
		return tu_asprintf("%s", "");
	line = strstr((char *)text, field);
	if (line == NULL || (end = strchr(line, '\n')) == NULL)
		out = tu_asprintf("%s", "");
	else
		out = tu_asprintf("%.*s", (int)(end - line), line);
	free(text);
	return out;
}

/* privdrop() in a child: ids changed, root gone for good. */
static int
child_drop(uid_t uid, gid_t gid)
{
	char err[256];
	gid_t groups[4];

	if (privdrop("nobody", err, sizeof(err)) == -1)
		return 1;
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid)
		return 2;
	if (getgroups(4, groups) != 1 || groups[0] != gid)
		return 3;
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1)
		return 4;
	/* Asking again for another user must fail now. */
	if (privdrop("root", err, sizeof(err)) != -1)
		return 5;
	return 0;
}

static void
test_rtrd_privdrop(void)
{
	const struct passwd *pw;
	struct rtrd_srv s;
	char err[256], *line, *want, *resp;
	pid_t pid;
	int status;

	CU_ASSERT(privdrop("no-such-user-reef", err, sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "no such user") != NULL);
	if (geteuid() != 0 || (pw = getpwnam("nobody")) == NULL) {
		printf("\n    SKIPPED: needs root and a \"nobody\" user\n");
		return;
	}
	CU_ASSERT_FATAL((pid = fork()) != -1);
	if (pid == 0)
		_exit(child_drop(pw->pw_uid, pw->pw_gid));
	CU_ASSERT(waitpid(pid, &status, 0) == pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		printf("\n    child status %#x\n", status);

	/* The server binds, loads, then runs as nobody and still answers. */
	hsrv_start(&s, "--http", "nobody");
	CU_ASSERT(metric_is(s.http_port, "reef_rtrd_payloads{type=\"vrp\"} 2"));
	rtr_reset(s.port, PDU_VERSION_2);
	line = proc_ids(s.pid, "Uid:");
	want = tu_asprintf("Uid:\t%u\t%u\t%u\t%u", pw->pw_uid, pw->pw_uid,
	    pw->pw_uid, pw->pw_uid);
	CU_ASSERT(strcmp(line, want) == 0);
	free(line);
	free(want);
	line = proc_ids(s.pid, "Groups:");
	want = tu_asprintf("Groups:\t%u", pw->pw_gid);
	CU_ASSERT(strncmp(line, want, strlen(want)) == 0);
	free(line);
	free(want);
	CU_ASSERT(http_get(s.http_port, "/status", &resp) == 200);
	free(resp);
	rtrd_srv_stop(&s);
}

REEF_SUITE(integration_rtrd_http,
    REEF_TEST(test_rtrd_http_endpoints),
    REEF_TEST(test_rtrd_http_hostile),
    REEF_TEST(test_rtrd_privdrop))
