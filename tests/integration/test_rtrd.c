/*
 * Integration: the built reef-rtrd serving a JSON input written by the
 * test, queried by the project's rtrcheck, by Debian's rtrclient
 * (rtr-tools, librtr) and by a raw client in this file, at protocol
 * versions 0, 1 and 2: full resets, Serial Notify and the delta after
 * the input is replaced, a bad input that must not replace the set,
 * malformed PDUs, and a session over --stdio.
 *
 * A missing rtrcheck or rtrclient is reported as "SKIPPED" (CUnit has
 * no skipped state) and the test passes.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/prefix.h"
#include "rtrd/pdu.h"
#include "tests/integration/rtrd_util.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* Milliseconds to wait for the server to listen, answer or notify. */
#define WAIT_MS		10000
/* Elements a test set holds at most. */
#define MAX_ELEMS	16
#define ELEM_LEN	96
#define NVERSIONS	(PDU_VERSION_MAX + 1)

/* Set B: one VRP changed, one added, the ASPA's providers changed. */
static const char json_b[] =
    "{\"metadata\": {\"buildtime\": \"2024-01-01T01:00:00Z\"},\n"
    " \"roas\": [\n"
    "  {\"asn\": 13336, \"prefix\": \"1.0.0.0/24\", \"maxLength\": 24,"
    " \"ta\": \"apnic\", \"expires\": 4000000000},\n"
    "  {\"asn\": 64496, \"prefix\": \"192.0.2.0/24\", \"maxLength\": 24,"
    " \"ta\": \"apnic\", \"expires\": 4000000000},\n"
    "  {\"asn\": 65001, \"prefix\": \"2001:db8::/32\", \"maxLength\": 48,"
    " \"ta\": \"ripe\", \"expires\": 4000000000}\n"
    " ],\n"
    " \"aspas\": [{\"customer_asid\": 64500, \"expires\": 4000000000,"
    " \"providers\": [64503]}],\n"
    " \"bgpsec_keys\": []}\n";

/* Sets A (rtrd_json_a, served first) and B as rtrcheck prints them. */
static const char *const set_a[] = {
	"vrp,1.0.0.0/24,24,13335",
	"vrp,2001:db8::/32,48,65001",
	"aspa,64500,64501;64502",
};
static const char *const set_b[] = {
	"vrp,1.0.0.0/24,24,13336",
	"vrp,192.0.2.0/24,24,64496",
	"vrp,2001:db8::/32,48,65001",
	"aspa,64500,64503",
};
#define NA	3
#define NB	4

/* A set of elements as rtrcheck prints them. */
struct elems {
	char	v[MAX_ELEMS][ELEM_LEN];
	size_t	n;
};

static void
skipped(const char *why)
{
	printf("\n    SKIPPED: %s\n", why);
	fflush(stdout);
}

static char *
rtrcheck_path(void)
{
	return tu_asprintf("%s/tests/tools/rtrcheck", tu_builddir());
}

/* Start reef-rtrd on a fresh port with input json; fatal if it cannot. */
static void
srv_start(struct rtrd_srv *s, const char *json)
{
	const char *args[] = { "-l", NULL, "-i", NULL, "--refresh", "60",
	    "--retry", "30", "--expire", "600", NULL };

	rtrd_srv_init(s, "rtrd", json, 0);
	args[1] = s->addr;
	args[3] = s->input;
	rtrd_srv_run(s, args, s->port);
}

/* ---- A raw RTR client ---------------------------------------------------- */

/* Read exactly len bytes within WAIT_MS; 0, or -1 on EOF or time-out. */
static int
read_full(int fd, uint8_t *buf, size_t len)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		if (poll(&pfd, 1, WAIT_MS) != 1)
			return -1;
		if ((n = read(fd, buf + off, len - off)) <= 0)
			return -1;
		off += n;
	}
	return 0;
}

/*
 * Read one PDU into buf (PDU_MAX_LEN bytes) and decode it strictly as a
 * router would.  Returns 0, or -1 on EOF, time-out or a bad PDU.
 */
static int
read_pdu(int fd, uint8_t *buf, struct pdu *p)
{
	size_t len, used;

	if (read_full(fd, buf, PDU_HEADER_LEN) == -1)
		return -1;
	len = (size_t)buf[4] << 24 | buf[5] << 16 | buf[6] << 8 | buf[7];
	if (len < PDU_HEADER_LEN || len > PDU_MAX_LEN ||
	    read_full(fd, buf + PDU_HEADER_LEN, len - PDU_HEADER_LEN) == -1)
		return -1;
	return pdu_decode_ex(buf, len, PDU_DECODE_AS_ROUTER, p, &used) ==
	    PDU_OK ? 0 : -1;
}

static void
send_buf(int fd, struct pdu_buf *pb)
{
	CU_ASSERT_FATAL(write(fd, pb->data, pb->len) == (ssize_t)pb->len);
	pdu_buf_reset(pb);
}

static int
elem_find(const struct elems *e, const char *s, size_t cmp)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strncmp(e->v[i], s, cmp) == 0)
			return i;
	return -1;
}

/* Apply one payload PDU to the set, checking it makes sense there. */
static void
apply(struct elems *e, const struct pdu *p)
{
	char s[ELEM_LEN], pfx[PREFIX_STRLEN];
	size_t i, n;
	int k;

	if (p->type == PDU_ASPA) {
		n = snprintf(s, sizeof(s), "aspa,%u,", p->customer);
		for (i = 0; i < p->nproviders && n < sizeof(s); i++)
			n += snprintf(s + n, sizeof(s) - n, "%s%u",
			    i > 0 ? ";" : "", pdu_aspa_provider(p, i));
		/* An ASPA announcement replaces the customer's previous one. */
		if ((k = elem_find(e, s, strchr(s + 5, ',') + 1 - s)) != -1)
			e->v[k][0] = '\0';
	} else {
		CU_ASSERT_FATAL(p->type == PDU_IPV4_PREFIX ||
		    p->type == PDU_IPV6_PREFIX);
		prefix_format(&p->vrp.prefix, pfx, sizeof(pfx));
		snprintf(s, sizeof(s), "vrp,%s,%u,%u", pfx, p->vrp.maxlen,
		    p->vrp.asn);
		k = elem_find(e, s, ELEM_LEN);
		if (p->flags & PDU_FLAG_ANNOUNCE) {
			CU_ASSERT(k == -1);	/* no duplicate */
		} else {
			CU_ASSERT(k != -1);	/* no unknown withdrawal */
			if (k != -1)
				e->v[k][0] = '\0';
		}
	}
	if (p->flags & PDU_FLAG_ANNOUNCE) {
		CU_ASSERT_FATAL(e->n < MAX_ELEMS);
		snprintf(e->v[e->n++], ELEM_LEN, "%s", s);
	}
	/* Drop the emptied slots. */
	for (i = k = 0; i < e->n; i++)
		if (e->v[i][0] != '\0')
			memmove(e->v[k++], e->v[i], ELEM_LEN);
	e->n = k;
}

/* Exactly the expected elements? */
static int
elems_equal(const struct elems *e, const char *const *want, size_t n)
{
	size_t i;

	if (e->n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (elem_find(e, want[i], ELEM_LEN) == -1)
			return 0;
	return 1;
}

/*
 * Read Cache Response .. End of Data at version v, applying payloads to
 * e; store the session ID and serial.  Returns 0 or -1.
 */
static int
read_response(int fd, uint8_t v, struct elems *e, uint16_t *sid,
    uint32_t *serial)
{
	uint8_t *buf;
	struct pdu p;
	int rc = -1;

	CU_ASSERT_FATAL((buf = malloc(PDU_MAX_LEN)) != NULL);
	if (read_pdu(fd, buf, &p) == -1 || p.type != PDU_CACHE_RESPONSE ||
	    p.version != v)
		goto out;
	*sid = p.session_id;
	for (;;) {
		if (read_pdu(fd, buf, &p) == -1 || p.version != v)
			goto out;
		if (p.type == PDU_END_OF_DATA)
			break;
		if (!pdu_is_payload(p.type))
			goto out;
		apply(e, &p);
	}
	CU_ASSERT(p.session_id == *sid);
	*serial = p.serial;
	rc = 0;
 out:
	free(buf);
	return rc;
}

/* The elements of a version: no ASPA below 2. */
static size_t
expect(const char *const *all, size_t n, uint8_t v, const char **out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (v >= PDU_VERSION_2 || strncmp(all[i], "aspa,", 5) != 0)
			out[k++] = all[i];
	return k;
}

/* ---- Tests --------------------------------------------------------------- */

static void
test_rtrd_raw_notify_delta(void)
{
	const char *want[MAX_ELEMS];
	struct rtrd_srv s;
	struct elems e[NVERSIONS];
	struct pdu_buf pb;
	struct pdu p;
	uint8_t *buf;
	uint16_t sid[NVERSIONS];
	uint32_t serial[NVERSIONS], serial2;
	int fd[NVERSIONS];
	uint8_t v;
	size_t n;

	CU_ASSERT_FATAL((buf = malloc(PDU_MAX_LEN)) != NULL);
	srv_start(&s, rtrd_json_a);
	pdu_buf_init(&pb);
	for (v = 0; v <= PDU_VERSION_MAX; v++) {
		memset(&e[v], 0, sizeof(e[v]));
		CU_ASSERT_FATAL((fd[v] = rtrd_connect_port(s.port)) != -1);
		CU_ASSERT_FATAL(pdu_put_reset_query(&pb, v) == PDU_OK);
		send_buf(fd[v], &pb);
		CU_ASSERT_FATAL(read_response(fd[v], v, &e[v], &sid[v],
		    &serial[v]) == 0);
		n = expect(set_a, NA, v, want);
		CU_ASSERT(elems_equal(&e[v], want, n));
	}
	/* Session IDs differ per version; the serial is shared. */
	CU_ASSERT(sid[0] != sid[1] && sid[1] != sid[2] && sid[0] != sid[2]);
	CU_ASSERT(serial[0] == serial[1] && serial[1] == serial[2]);

	rtrd_write_input(&s, json_b);
	for (v = 0; v <= PDU_VERSION_MAX; v++) {
		/* RFC 8210 section 5.2: Serial Notify, then we ask. */
		CU_ASSERT_FATAL(read_pdu(fd[v], buf, &p) == 0);
		CU_ASSERT(p.type == PDU_SERIAL_NOTIFY);
		CU_ASSERT(p.version == v);
		CU_ASSERT(p.session_id == sid[v]);
		CU_ASSERT(p.serial == serial[v] + 1);
		CU_ASSERT_FATAL(pdu_put_serial_query(&pb, v, sid[v],
		    serial[v]) == PDU_OK);
		send_buf(fd[v], &pb);
		CU_ASSERT_FATAL(read_response(fd[v], v, &e[v], &sid[v],
		    &serial2) == 0);
		CU_ASSERT(serial2 == serial[v] + 1);
		n = expect(set_b, NB, v, want);
		CU_ASSERT(elems_equal(&e[v], want, n));
		/* Outside the history (a serial never issued): Cache Reset. */
		CU_ASSERT_FATAL(pdu_put_serial_query(&pb, v, sid[v],
		    serial[v] + 100) == PDU_OK);
		send_buf(fd[v], &pb);
		CU_ASSERT_FATAL(read_pdu(fd[v], buf, &p) == 0);
		CU_ASSERT(p.type == PDU_CACHE_RESET);
		close(fd[v]);
	}
	pdu_buf_free(&pb);
	free(buf);
	rtrd_srv_stop(&s);
}

/* Run rtrcheck with args; its stdout in *out (malloc'd).  Exit status. */
static int
run_rtrcheck(const char *args, int port, char **out, const char *dir)
{
	char *bin = rtrcheck_path(), *file = tu_asprintf("%s/rc.out", dir);
	int rc;

	rc = tu_system("'%s' %s 127.0.0.1 %d > '%s'", bin, args, port, file);
	*out = (char *)tu_read_file(file, NULL);
	free(bin);
	free(file);
	return rc;
}

/* Are all lines present in text (each as a whole line)? */
static int
has_lines(const char *text, const char *prefix, const char *const *lines,
    size_t n)
{
	char *want;
	size_t i;
	int ok = 1;

	for (i = 0; i < n && ok; i++) {
		want = tu_asprintf("\n%s%s\n", prefix, lines[i]);
		ok = text != NULL && strstr(text, want) != NULL;
		free(want);
	}
	return ok;
}

/* Count the element (non-comment) lines. */
static size_t
count_lines(const char *text)
{
	size_t n = 0;

	for (; text != NULL && *text != '\0'; text = strchr(text, '\n') + 1) {
		if (*text != '#')
			n++;
		if (strchr(text, '\n') == NULL)
			break;
	}
	return n;
}

static void
test_rtrd_rtrcheck(void)
{
	static const char *const delta_v2[] = { "+vrp,1.0.0.0/24,24,13336",
	    "-vrp,1.0.0.0/24,24,13335", "+vrp,192.0.2.0/24,24,64496",
	    "+aspa,64500,64503" };
	const char *want[MAX_ELEMS];
	char *bin = rtrcheck_path(), *out, *args, *p = NULL;
	unsigned int sid[PDU_VERSION_MAX + 1], serial = 0;
	struct rtrd_srv s;
	uint8_t v;
	size_t n;

	if (access(bin, X_OK) != 0) {
		skipped("tests/tools/rtrcheck not built");
		free(bin);
		return;
	}
	free(bin);
	srv_start(&s, rtrd_json_a);
	for (v = 0; v <= PDU_VERSION_MAX; v++) {
		args = tu_asprintf("-v %u", v);
		CU_ASSERT(run_rtrcheck(args, s.port, &out, s.dir) == 0);
		n = expect(set_a, NA, v, want);
		CU_ASSERT(has_lines(out, "", want, n));
		CU_ASSERT(count_lines(out) == n);
		CU_ASSERT_FATAL(out != NULL &&
		    (p = strstr(out, "# session ")) != NULL);
		sid[v] = strtoul(p + 10, NULL, 10);
		CU_ASSERT_FATAL((p = strstr(out, "# serial ")) != NULL);
		serial = strtoul(p + 9, NULL, 10);
		free(args);
		free(out);
	}
	/* A bad input is refused and the set stays. */
	rtrd_write_input(&s,
	    "{\"roas\": [{\"asn\": 1, \"prefix\": \"1.0.0.0/33\"");
	rtrd_sleep_ms(300);
	CU_ASSERT(run_rtrcheck("-v 2", s.port, &out, s.dir) == 0);
	n = expect(set_a, NA, 2, want);
	CU_ASSERT(has_lines(out, "", want, n));
	free(out);

	rtrd_write_input(&s, json_b);
	rtrd_sleep_ms(300);
	for (v = 0; v <= PDU_VERSION_MAX; v++) {
		args = tu_asprintf("-v %u -s %u:%u", v, sid[v], serial);
		CU_ASSERT(run_rtrcheck(args, s.port, &out, s.dir) == 0);
		n = v == 2 ? 4 : 3;
		CU_ASSERT(has_lines(out, "", delta_v2, n));
		CU_ASSERT(count_lines(out) == n);
		free(args);
		free(out);
		/* Another version's session ID: Cache Reset. */
		args = tu_asprintf("-r -v %u -s %u:%u", v,
		    sid[(v + 1) % (PDU_VERSION_MAX + 1)], serial);
		CU_ASSERT(run_rtrcheck(args, s.port, &out, s.dir) == 0);
		free(args);
		free(out);
		args = tu_asprintf("-v %u", v);
		CU_ASSERT(run_rtrcheck(args, s.port, &out, s.dir) == 0);
		n = expect(set_b, NB, v, want);
		CU_ASSERT(has_lines(out, "", want, n));
		CU_ASSERT(count_lines(out) == n);
		free(args);
		free(out);
	}
	rtrd_srv_stop(&s);
}

static void
test_rtrd_rtrclient(void)
{
	struct rtrd_srv s;
	char *out, *err, *full;
	unsigned char *text;
	pid_t pid;
	int i, status;

	if (tu_system("command -v rtrclient >/dev/null 2>&1") != 0) {
		skipped("rtrclient (Debian rtr-tools) not installed");
		return;
	}
	srv_start(&s, rtrd_json_a);
	full = tu_asprintf("%s/full.out", s.dir);
	CU_ASSERT(tu_system("timeout 20 rtrclient -e tcp 127.0.0.1 %d "
	    "> '%s' 2>/dev/null", s.port, full) == 0);
	text = tu_read_file(full, NULL);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT(strstr((char *)text, "1.0.0.0/24-24 AS 13335") != NULL);
	CU_ASSERT(strstr((char *)text, "2001:db8::/32-48 AS 65001") != NULL);
	free(text);

	/* A live session: Serial Notify, Serial Query, the delta. */
	out = tu_asprintf("%s/live.out", s.dir);
	err = tu_asprintf("%s/live.err", s.dir);
	CU_ASSERT_FATAL((pid = fork()) != -1);
	if (pid == 0) {
		char *cmd = tu_asprintf("exec stdbuf -oL rtrclient -p tcp "
		    "127.0.0.1 %d > '%s' 2> '%s'", s.port, out, err);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < WAIT_MS / 50; i++) {
		text = tu_read_file(err, NULL);
		if (text != NULL && strstr((char *)text, "Sync successful")) {
			free(text);
			break;
		}
		free(text);
		rtrd_sleep_ms(50);
	}
	rtrd_write_input(&s, json_b);
	for (i = 0; i < WAIT_MS / 50; i++) {
		text = tu_read_file(out, NULL);
		if (text != NULL && strstr((char *)text, "- 1.0.0.0") != NULL &&
		    strstr((char *)text, "192.0.2.0") != NULL)
			break;
		free(text);
		text = NULL;
		rtrd_sleep_ms(50);
	}
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT(strstr((char *)text, "+ 1.0.0.0") != NULL);
	CU_ASSERT(strstr((char *)text, "13336") != NULL);
	CU_ASSERT(strstr((char *)text, "+ 192.0.2.0") != NULL);
	free(text);
	text = tu_read_file(err, NULL);
	CU_ASSERT(text != NULL &&
	    strstr((char *)text, "Serial Notify received") != NULL);
	free(text);
	free(out);
	free(err);
	free(full);
	rtrd_srv_stop(&s);
}

static void
test_rtrd_malformed(void)
{
	/* A Reset Query whose length says 9. */
	static const uint8_t bad[] = { 1, PDU_RESET_QUERY, 0, 0, 0, 0, 0, 9,
	    0 };
	/* A version 7 Reset Query. */
	static const uint8_t v7[] = { 7, PDU_RESET_QUERY, 0, 0, 0, 0, 0, 8 };
	const char *want[MAX_ELEMS];
	struct elems e = { 0 };
	struct pdu_buf pb;
	struct pdu p;
	struct rtrd_srv s;
	uint8_t *buf;
	uint16_t sid;
	uint32_t serial;
	int fd, good;

	CU_ASSERT_FATAL((buf = malloc(PDU_MAX_LEN)) != NULL);
	srv_start(&s, rtrd_json_a);
	/* A router mid-session must not suffer from another's garbage. */
	CU_ASSERT_FATAL((good = rtrd_connect_port(s.port)) != -1);

	CU_ASSERT_FATAL((fd = rtrd_connect_port(s.port)) != -1);
	CU_ASSERT(write(fd, bad, sizeof(bad)) == sizeof(bad));
	CU_ASSERT_FATAL(read_pdu(fd, buf, &p) == 0);
	CU_ASSERT(p.type == PDU_ERROR_REPORT);
	CU_ASSERT(p.error_code == RTR_ERR_CORRUPT_DATA);
	CU_ASSERT(p.version == 1);
	/* Then the server hangs up. */
	CU_ASSERT(read_full(fd, buf, 1) == -1);
	close(fd);

	CU_ASSERT_FATAL((fd = rtrd_connect_port(s.port)) != -1);
	CU_ASSERT(write(fd, v7, sizeof(v7)) == sizeof(v7));
	CU_ASSERT_FATAL(read_pdu(fd, buf, &p) == 0);
	CU_ASSERT(p.type == PDU_ERROR_REPORT);
	CU_ASSERT(p.error_code == RTR_ERR_UNSUPPORTED_VERSION);
	CU_ASSERT(p.version == PDU_VERSION_MAX);
	CU_ASSERT(read_full(fd, buf, 1) == -1);
	close(fd);

	pdu_buf_init(&pb);
	CU_ASSERT_FATAL(pdu_put_reset_query(&pb, 2) == PDU_OK);
	send_buf(good, &pb);
	CU_ASSERT(read_response(good, 2, &e, &sid, &serial) == 0);
	CU_ASSERT(elems_equal(&e, want, expect(set_a, NA, 2, want)));
	close(good);
	pdu_buf_free(&pb);
	free(buf);
	rtrd_srv_stop(&s);
}

static void
test_rtrd_stdio(void)
{
	const char *want[MAX_ELEMS];
	struct elems e = { 0 };
	struct pdu_buf pb;
	struct rtrd_srv s;
	char *bin = rtrd_bin();
	uint16_t sid;
	uint32_t serial;
	pid_t pid;
	int sv[2], status;

	/* Only for the input file; the listener started here is unused. */
	srv_start(&s, rtrd_json_a);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CU_ASSERT_FATAL((pid = fork()) != -1);
	if (pid == 0) {
		int lfd = open(s.log, O_WRONLY | O_APPEND);

		if (lfd != -1)
			dup2(lfd, STDERR_FILENO);
		dup2(sv[1], STDIN_FILENO);
		dup2(sv[1], STDOUT_FILENO);
		close(sv[0]);
		close(sv[1]);
		execl(bin, "reef-rtrd", "--stdio", "-i", s.input, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	pdu_buf_init(&pb);
	CU_ASSERT_FATAL(pdu_put_reset_query(&pb, 1) == PDU_OK);
	send_buf(sv[0], &pb);
	CU_ASSERT(read_response(sv[0], 1, &e, &sid, &serial) == 0);
	CU_ASSERT(elems_equal(&e, want, expect(set_a, NA, 1, want)));
	/* The router leaving ends the server. */
	close(sv[0]);
	CU_ASSERT(waitpid(pid, &status, 0) == pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	pdu_buf_free(&pb);
	free(bin);
	rtrd_srv_stop(&s);
}

REEF_SUITE(integration_rtrd,
    REEF_TEST(test_rtrd_raw_notify_delta),
    REEF_TEST(test_rtrd_rtrcheck),
    REEF_TEST(test_rtrd_rtrclient),
    REEF_TEST(test_rtrd_malformed),
    REEF_TEST(test_rtrd_stdio))
