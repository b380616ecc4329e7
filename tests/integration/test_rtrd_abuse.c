/*
 * Integration: the built reef-rtrd under abuse (issue 8).  Each test runs
 * the real server on an output directory holding a reef.handoff written
 * here, and checks that what a hostile or broken peer does costs that
 * peer its session and nothing else:
 *
 *	malformed PDUs from 200 connections at once get the Error Report
 *	8210bis section 5.11 / 12 asks for (none for a bad Error Report)
 *	and lose their session, while a router synced before the flood
 *	still gets a correct delta;
 *	3000 idle connections: the session limit holds, memory per
 *	session stays small and routers are still served;
 *	slow readers that never drain a 200,000-VRP response: memory does
 *	not grow with them and a good router is served promptly;
 *	connections that end mid-PDU or with a RST leak nothing;
 *	accept() failing with EMFILE does not make the server spin, and it
 *	accepts again once descriptors are free;
 *	a restart (SIGKILL or SIGTERM) with another set: routers end up
 *	with exactly the new set, through Cache Reset and Reset Query.
 *
 * The figures measured (resident memory, CPU time, response times) are
 * printed, one line per test.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/handoff.h"
#include "common/limits.h"
#include "common/vrpset.h"
#include "rtrd/pdu.h"
#include "tests/integration/rtrd_util.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* Milliseconds to wait for any answer or close from the server. */
#define WAIT_MS		10000
/*
 * The test sets: VRP i is 11.0.0.0/24 + i * 256, maxLength 24, origin
 * AS64496 + i % 1000, so every received prefix maps back to its index.
 */
#define VRP_BASE	0x0b000000u
#define VRP_ASN		64496u
#define VRP_NASN	1000u
/* Indexes a test set may use (flag bytes per synced client). */
#define MAX_INDEX	(1u << 20)
/* A client's read buffer: room for several largest PDUs. */
#define RD_BUF		(4 * (PDU_MAX_LEN + 1))
/* Far in the future: nothing expires during a test. */
#define EXPIRES		4000000000LL

/* Test 1: connections sending malformed PDUs, all at once. */
#define FLOOD		200
/*
 * Test 2: idle connections, and what each may cost in resident memory.
 * A session holds its struct conn and struct session (under 1 KiB; the
 * queue holds references, not bytes); 8 KiB leaves room for allocator
 * and sanitizer overhead (ASan measures about 3 KiB) and still fails if
 * a session ever carried its own read buffer (16 KiB) or output copy.
 */
#define NIDLE		3000
#define IDLE_KIB_MAX	8
/*
 * Test 3: the large set (about 4 MB of PDUs per version) and readers
 * that never take it.  Each holds a reference to the shared stream; a
 * copy per reader would cost 4 MB, the bound allows 16 KiB.
 */
#define BIG_SET		200000
#define NSLOW		100
#define SLOW_KIB_MAX	16
#define SLOW_RCVBUF	4096
/* Milliseconds a good router may take to get the big set next to them. */
#define BIG_SYNC_MS	10000
/* Test 4: connections per way of ending mid-PDU, with FIN and with RST. */
#define NCUT		10
/*
 * Test 5: descriptors left to rtrd, connections beyond them, and the
 * CPU time it may use meanwhile: 10% of the window (spinning on accept()
 * would use it all).
 */
#define NSLOTS		4
#define NOVER		16
#define CPU_WINDOW_MS	3000
#define CPU_MAX_MS	300

/* Outcome of read_answer(). */
enum answer {
	ANS_FAIL = -1,
	ANS_DATA = 0,		/* Cache Response .. End of Data */
	ANS_RESET = 1		/* Cache Reset */
};

/* A router-side connection with a buffered, strict PDU reader. */
struct client {
	int		 fd;
	uint8_t		 version;
	uint16_t	 sid;
	uint32_t	 serial;
	uint8_t		*have;		/* MAX_INDEX flags, or NULL */
	size_t		 nhave;
	uint8_t		*rbuf;
	size_t		 roff;
	size_t		 rlen;
};

/* ---- The server and its input -------------------------------------------- */

/*
 * Write the VRPs with indexes [lo, hi) as dir/reef.handoff, atomically
 * (handoff_write() renames into place), as reef validate does.
 */
static void
write_set(const struct rtrd_srv *s, size_t lo, size_t hi)
{
	static char *tas[] = { "abuse" };
	struct handoff_data d;
	struct vrp v;
	uint8_t addr[4];
	uint32_t a;
	char *path;
	size_t i;

	memset(&d, 0, sizeof(d));
	d.created = 1700000000;
	d.ta_names = tas;
	d.nta = 1;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d.vrps = vrpset_new());
	for (i = lo; i < hi; i++) {
		memset(&v, 0, sizeof(v));
		a = VRP_BASE + ((uint32_t)i << 8);
		addr[0] = a >> 24;
		addr[1] = a >> 16;
		addr[2] = a >> 8;
		addr[3] = a;
		CU_ASSERT_FATAL(prefix_set(&v.prefix, AFI_IPV4, addr, 24) ==
		    PREFIX_OK);
		v.maxlen = 24;
		v.asn = VRP_ASN + i % VRP_NASN;
		v.expires = EXPIRES;
		CU_ASSERT_FATAL(vrpset_add(d.vrps, &v) == PAYLOAD_OK);
	}
	CU_ASSERT_FATAL(vrpset_freeze(d.vrps) == PAYLOAD_OK);
	path = tu_asprintf("%s/%s", s->dir, HANDOFF_FILENAME);
	CU_ASSERT_FATAL(handoff_write(path, &d) == 0);
	free(path);
	vrpset_free(d.vrps);
}

/* Run reef-rtrd on s->port serving s->dir; returns once it listens. */
static void
srv_run(struct rtrd_srv *s)
{
	const char *args[] = { "-l", NULL, "-i", NULL, "--refresh", "60",
	    "--retry", "30", "--expire", "600", NULL };

	args[1] = s->addr;
	args[3] = s->dir;
	rtrd_srv_run(s, args, s->port);
}

/* A new server serving the VRPs [lo, hi). */
static void
srv_start(struct rtrd_srv *s, const char *tag, size_t lo, size_t hi)
{
	rtrd_srv_init(s, tag, NULL, 0);
	write_set(s, lo, hi);
	srv_run(s);
}

/* Integration suites step aside when only unit tests are wanted. */
static int
unit_only(void)
{
	if (getenv("REEF_TESTS_UNIT_ONLY") == NULL)
		return 0;
	printf("\n    SKIPPED: REEF_TESTS_UNIT_ONLY is set\n    ");
	return 1;
}

/* ---- What /proc says about the server ------------------------------------ */

/* A "Name:   N kB" line of /proc/pid/status, in KiB; -1 if absent. */
static long
proc_kb(pid_t pid, const char *field)
{
	char *path = tu_asprintf("/proc/%d/status", (int)pid), *p;
	unsigned char *text = tu_read_file(path, NULL);
	long kb = -1;

	if (text != NULL && (p = strstr((char *)text, field)) != NULL)
		kb = strtol(p + strlen(field), NULL, 10);
	free(text);
	free(path);
	return kb;
}

/* User plus system CPU time of pid in milliseconds; -1 on failure. */
static long
proc_cpu_ms(pid_t pid)
{
	char *path = tu_asprintf("/proc/%d/stat", (int)pid), *p;
	unsigned char *text = tu_read_file(path, NULL);
	unsigned long ut, st;
	long ms = -1;

	/* Fields 14 and 15; the command name before them may hold spaces. */
	if (text != NULL && (p = strrchr((char *)text, ')')) != NULL &&
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%lu %lu", &ut, &st) == 2)
		ms = (long)((ut + st) * 1000 / sysconf(_SC_CLK_TCK));
	free(text);
	free(path);
	return ms;
}

/* The number of descriptors pid holds open. */
static int
proc_nfds(pid_t pid)
{
	char *path = tu_asprintf("/proc/%d/fd", (int)pid);
	struct dirent *de;
	DIR *d;
	int n = 0;

	CU_ASSERT_FATAL((d = opendir(path)) != NULL);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	free(path);
	return n;
}

/*
 * The RLIMIT_NOFILE that leaves pid exactly nfree more descriptors: new
 * ones take the lowest free numbers, and inherited ones may sit high.
 */
static rlim_t
limit_for_free(pid_t pid, int nfree)
{
	char *path = tu_asprintf("/proc/%d/fd", (int)pid);
	struct dirent *de;
	uint8_t *open;
	rlim_t fd;
	DIR *d;
	int n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(open = calloc(65536, 1));
	CU_ASSERT_FATAL((d = opendir(path)) != NULL);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && atoi(de->d_name) < 65536)
			open[atoi(de->d_name)] = 1;
	closedir(d);
	free(path);
	for (fd = 0, n = 0; fd < 65536; fd++)
		if (!open[fd] && ++n == nfree)
			break;
	free(open);
	return fd + 1;
}

/*
 * Wait up to ms for pid to hold exactly want descriptors.  Returns the
 * count seen last.
 */
static int
wait_nfds(pid_t pid, int want, int ms)
{
	int n, i;

	for (i = 0; i <= ms / 50; i++) {
		if ((n = proc_nfds(pid)) == want)
			return n;
		rtrd_sleep_ms(50);
	}
	return n;
}

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ---- A strict router ----------------------------------------------------- */

/* A client on a new connection; synced ones get the element flags. */
static struct client *
client_new(int port, uint8_t version, int synced)
{
	struct client *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c = calloc(1, sizeof(*c)));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->rbuf = malloc(RD_BUF));
	if (synced) {
		c->have = calloc(MAX_INDEX, 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c->have);
	}
	c->version = version;
	CU_ASSERT_FATAL((c->fd = rtrd_connect_port(port)) != -1);
	return c;
}

static void
client_free(struct client *c)
{
	if (c == NULL)
		return;
	if (c->fd != -1)
		close(c->fd);
	free(c->have);
	free(c->rbuf);
	free(c);
}

/* A new connection for a client that keeps its state (a reconnect). */
static void
client_reconnect(struct client *c, int port)
{
	close(c->fd);
	c->roff = c->rlen = 0;
	CU_ASSERT_FATAL((c->fd = rtrd_connect_port(port)) != -1);
}

/*
 * Have at least n bytes buffered, waiting up to WAIT_MS for each read.
 * Returns 0, or -1 on EOF, reset or time-out.
 */
static int
fill(struct client *c, size_t n)
{
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	ssize_t r;

	if (c->roff > 0 && c->rlen - c->roff < n) {
		memmove(c->rbuf, c->rbuf + c->roff, c->rlen - c->roff);
		c->rlen -= c->roff;
		c->roff = 0;
	}
	while (c->rlen - c->roff < n) {
		if (poll(&pfd, 1, WAIT_MS) != 1)
			return -1;
		if ((r = read(c->fd, c->rbuf + c->rlen, RD_BUF - c->rlen)) <= 0)
			return -1;
		c->rlen += r;
	}
	return 0;
}

/*
 * Read the next PDU and decode it strictly as a router would.  p's
 * pointers stay valid until the next read.  Returns 0, or -1 on EOF,
 * time-out or a malformed PDU.
 */
static int
read_pdu(struct client *c, struct pdu *p)
{
	const uint8_t *h;
	size_t len, used;

	if (fill(c, PDU_HEADER_LEN) == -1)
		return -1;
	h = c->rbuf + c->roff;
	len = (size_t)h[4] << 24 | h[5] << 16 | h[6] << 8 | h[7];
	if (len < PDU_HEADER_LEN || len > PDU_MAX_LEN || fill(c, len) == -1)
		return -1;
	if (pdu_decode_ex(c->rbuf + c->roff, len, PDU_DECODE_AS_ROUTER, p,
	    &used) != PDU_OK)
		return -1;
	c->roff += len;
	return 0;
}

/*
 * Wait for the server to close the connection, with nothing more sent.
 * Returns 1 if it did (EOF or reset), 0 if bytes came, -1 on time-out.
 */
static int
read_eof(struct client *c)
{
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	ssize_t r;

	if (c->rlen > c->roff)
		return 0;
	if (poll(&pfd, 1, WAIT_MS) != 1)
		return -1;
	/* Whatever came stays buffered for read_pdu(). */
	c->roff = c->rlen = 0;
	if ((r = read(c->fd, c->rbuf, RD_BUF)) > 0) {
		c->rlen = r;
		return 0;
	}
	return r == 0 || errno == ECONNRESET ? 1 : 0;
}

static void
send_bytes(int fd, const void *buf, size_t len)
{
	CU_ASSERT_FATAL(write(fd, buf, len) == (ssize_t)len);
}

static void
send_reset_query(struct client *c)
{
	struct pdu_buf pb;

	pdu_buf_init(&pb);
	CU_ASSERT_FATAL(pdu_put_reset_query(&pb, c->version) == PDU_OK);
	send_bytes(c->fd, pb.data, pb.len);
	pdu_buf_free(&pb);
}

static void
send_serial_query(struct client *c)
{
	struct pdu_buf pb;

	pdu_buf_init(&pb);
	CU_ASSERT_FATAL(pdu_put_serial_query(&pb, c->version, c->sid,
	    c->serial) == PDU_OK);
	send_bytes(c->fd, pb.data, pb.len);
	pdu_buf_free(&pb);
}

/* The index of a test VRP, or -1 if the server made it up. */
static long
vrp_index(const struct pdu *p)
{
	const uint8_t *a = p->vrp.prefix.addr;
	uint32_t v;
	long i;

	if (p->type != PDU_IPV4_PREFIX || p->vrp.prefix.len != 24 ||
	    p->vrp.maxlen != 24)
		return -1;
	v = (uint32_t)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
	if (v < VRP_BASE || (v & 0xff) != 0)
		return -1;
	i = (v - VRP_BASE) >> 8;
	if (i >= (long)MAX_INDEX || p->vrp.asn != VRP_ASN + i % VRP_NASN)
		return -1;
	return i;
}

/* Apply one payload PDU; after a Reset Query only announcements. */
static int
apply(struct client *c, const struct pdu *p, int reset)
{
	long i;

	if ((i = vrp_index(p)) == -1)
		return -1;
	if (p->flags & PDU_FLAG_ANNOUNCE) {
		/* RFC 8210 section 5.6: no duplicate announcement. */
		if (c->have[i])
			return -1;
		c->have[i] = 1;
		c->nhave++;
		return 0;
	}
	if (reset || !c->have[i])
		return -1;
	c->have[i] = 0;
	c->nhave--;
	return 0;
}

/*
 * Read the answer to a query: Cache Reset, or Cache Response, payloads
 * in the 8210bis section 11.2 order and End of Data, all at the
 * client's version and session; the payloads are applied.  A Serial
 * Notify first is skipped (it may cross the query).
 */
static enum answer
read_answer(struct client *c, int reset)
{
	struct pdu p, prev;
	int have_prev = 0;

	do {
		if (read_pdu(c, &p) == -1 || p.version != c->version)
			return ANS_FAIL;
	} while (p.type == PDU_SERIAL_NOTIFY);
	if (p.type == PDU_CACHE_RESET)
		return ANS_RESET;
	if (p.type != PDU_CACHE_RESPONSE)
		return ANS_FAIL;
	c->sid = p.session_id;
	for (;;) {
		if (read_pdu(c, &p) == -1 || p.version != c->version)
			return ANS_FAIL;
		if (p.type == PDU_END_OF_DATA)
			break;
		if (!pdu_is_payload(p.type) || apply(c, &p, reset) == -1 ||
		    (have_prev && pdu_payload_cmp(&prev, &p) >= 0))
			return ANS_FAIL;
		prev = p;
		have_prev = 1;
	}
	if (p.session_id != c->sid)
		return ANS_FAIL;
	c->serial = p.serial;
	return ANS_DATA;
}

/* Reset Query: the client then holds exactly the served set. */
static enum answer
client_reset(struct client *c)
{
	memset(c->have, 0, MAX_INDEX);
	c->nhave = 0;
	send_reset_query(c);
	return read_answer(c, 1);
}

/* Serial Query for the client's session and serial. */
static enum answer
client_serial(struct client *c)
{
	send_serial_query(c);
	return read_answer(c, 0);
}

/*
 * What a router does after a restart or a notify: Serial Query, and on
 * Cache Reset a Reset Query (RFC 8210 section 8.3).
 */
static enum answer
client_update(struct client *c)
{
	enum answer a;

	if ((a = client_serial(c)) != ANS_RESET)
		return a;
	return client_reset(c) == ANS_DATA ? ANS_RESET : ANS_FAIL;
}

/* Does the client hold exactly the VRPs [lo, hi)? */
static int
holds(const struct client *c, size_t lo, size_t hi)
{
	size_t i;

	if (c->nhave != hi - lo)
		return 0;
	for (i = lo; i < hi; i++)
		if (!c->have[i])
			return 0;
	return 1;
}

/* Wait for a Serial Notify of the client's session. */
static int
read_notify(struct client *c)
{
	struct pdu p;

	return read_pdu(c, &p) == 0 && p.type == PDU_SERIAL_NOTIFY &&
	    p.version == c->version && p.session_id == c->sid ? 0 : -1;
}

/* Lower a client socket's receive buffer before it connects. */
static int
connect_small_rcvbuf(int port)
{
	struct sockaddr_in sin;
	int fd, sz = SLOW_RCVBUF;

	CU_ASSERT_FATAL((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
	    0)) != -1);
	CU_ASSERT(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)) ==
	    0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) ==
	    0);
	return fd;
}

/* Close with a RST instead of a FIN (SO_LINGER with time 0). */
static void
close_rst(int fd)
{
	struct linger l = { 1, 0 };

	CU_ASSERT(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) == 0);
	close(fd);
}

/* ---- 1. Malformed PDU floods --------------------------------------------- */

/*
 * Malformed first PDUs and the Error Report code 8210bis section 12
 * gives for each (section 5.11: none for a bad Error Report, the
 * session is just dropped), at the version the server must answer with.
 */
struct bad {
	const char	*what;
	uint8_t		 bytes[16];
	size_t		 len;
	int		 code;		/* -1: no answer, just closed */
	uint8_t		 version;	/* of the answer */
	int		 fin;		/* shut our side after it */
};

static const struct bad bads[] = {
	/* 8210bis section 7: answer with the highest version served. */
	{ "version 7", { 7, PDU_RESET_QUERY, 0, 0, 0, 0, 0, 8 }, 8,
	    RTR_ERR_UNSUPPORTED_VERSION, PDU_VERSION_2, 0 },
	{ "length 2^32-1", { 2, PDU_RESET_QUERY, 0, 0, 255, 255, 255, 255 },
	    8, RTR_ERR_CORRUPT_DATA, PDU_VERSION_2, 0 },
	{ "length 4", { 1, PDU_RESET_QUERY, 0, 0, 0, 0, 0, 4 }, 8,
	    RTR_ERR_CORRUPT_DATA, PDU_VERSION_1, 0 },
	{ "Serial Query of 8 bytes", { 0, PDU_SERIAL_QUERY, 0, 0, 0, 0, 0,
	    8 }, 8, RTR_ERR_CORRUPT_DATA, PDU_VERSION_0, 0 },
	{ "type 99", { 2, 99, 0, 0, 0, 0, 0, 8 }, 8,
	    RTR_ERR_UNSUPPORTED_TYPE, PDU_VERSION_2, 0 },
	/* A cache-to-router PDU sent to the cache. */
	{ "Cache Response", { 1, PDU_CACHE_RESPONSE, 0, 1, 0, 0, 0, 8 }, 8,
	    RTR_ERR_INVALID_REQUEST, PDU_VERSION_1, 0 },
	{ "Error Report of 1 MiB", { 2, PDU_ERROR_REPORT, 0, 0, 0, 16, 0,
	    0 }, 8, -1, 0, 0 },
	{ "Error Report, inner length 64", { 2, PDU_ERROR_REPORT, 0, 0, 0,
	    0, 0, 16, 0, 0, 0, 64, 0, 0, 0, 0 }, 16, -1, 0, 0 },
	{ "half a header", { 2, PDU_RESET_QUERY, 0, 0 }, 4, -1, 0, 1 },
};
#define NBAD	(sizeof(bads) / sizeof(bads[0]))
/* Two more kinds, beyond the table: garbage, and a version switch. */
#define NKINDS	(NBAD + 2)

/* Pseudo-random bytes for the garbage kind (xorshift, fixed seed). */
static void
garbage(uint8_t *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		buf[i] = seed;
	}
}

/* Send what connection k of the flood sends. */
static void
flood_send(struct client *c, size_t k)
{
	uint8_t g[64];

	if (k % NKINDS < NBAD) {
		send_bytes(c->fd, bads[k % NKINDS].bytes, bads[k % NKINDS].len);
		if (bads[k % NKINDS].fin)
			shutdown(c->fd, SHUT_WR);
	} else if (k % NKINDS == NBAD) {
		garbage(g, sizeof(g), 0x9e3779b9u + k);
		send_bytes(c->fd, g, sizeof(g));
		/* Garbage may announce a length never sent: end it. */
		shutdown(c->fd, SHUT_WR);
	} else {
		/* A version 1 session, then a version 2 query. */
		c->version = PDU_VERSION_1;
		send_reset_query(c);
	}
}

/* Check the answer to connection k of the flood.  Returns 0 if right. */
static int
flood_check(struct client *c, size_t k)
{
	static const uint8_t v2q[] = { 2, PDU_RESET_QUERY, 0, 0, 0, 0, 0, 8 };
	const struct bad *b;
	struct pdu p;

	if (k % NKINDS == NBAD + 1) {
		/* RFC 8210 section 7: Unexpected Protocol Version. */
		c->have = calloc(MAX_INDEX, 1);
		if (c->have == NULL || read_answer(c, 1) != ANS_DATA)
			return -1;
		send_bytes(c->fd, v2q, sizeof(v2q));
		return read_pdu(c, &p) == 0 && p.type == PDU_ERROR_REPORT &&
		    p.version == PDU_VERSION_1 &&
		    p.error_code == RTR_ERR_UNEXPECTED_VERSION &&
		    p.error_pdu_len == sizeof(v2q) &&
		    memcmp(p.error_pdu, v2q, sizeof(v2q)) == 0 &&
		    read_eof(c) == 1 ? 0 : -1;
	}
	if (k % NKINDS == NBAD) {
		/* Garbage: an Error Report or nothing, then the close. */
		if (read_eof(c) == 1)
			return 0;
		return read_pdu(c, &p) == 0 && p.type == PDU_ERROR_REPORT &&
		    read_eof(c) == 1 ? 0 : -1;
	}
	b = &bads[k % NKINDS];
	if (b->code == -1)
		return read_eof(c) == 1 ? 0 : -1;
	/* The offending PDU comes back (its header, if the length lied). */
	return read_pdu(c, &p) == 0 && p.type == PDU_ERROR_REPORT &&
	    p.error_code == b->code && p.version == b->version &&
	    p.error_pdu_len == b->len &&
	    memcmp(p.error_pdu, b->bytes, b->len) == 0 &&
	    p.error_text_len > 0 && read_eof(c) == 1 ? 0 : -1;
}

static void
test_abuse_malformed_flood(void)
{
	struct client *good, *c[FLOOD];
	struct rtrd_srv s;
	size_t k, wrong = 0;
	int base;

	if (unit_only())
		return;

	srv_start(&s, "abuse-flood", 0, 1000);
	good = client_new(s.port, PDU_VERSION_2, 1);
	CU_ASSERT_FATAL(client_reset(good) == ANS_DATA);
	CU_ASSERT(holds(good, 0, 1000));
	base = proc_nfds(s.pid);

	/* All connected first, so the server has them all at once. */
	for (k = 0; k < FLOOD; k++)
		c[k] = client_new(s.port, PDU_VERSION_2, 0);
	for (k = 0; k < FLOOD; k++)
		flood_send(c[k], k);
	for (k = 0; k < FLOOD; k++) {
		if (flood_check(c[k], k) != 0) {
			if (wrong++ < 5)
				printf("\n    wrong answer to %s",
				    k % NKINDS < NBAD ? bads[k % NKINDS].what :
				    k % NKINDS == NBAD ? "garbage" :
				    "a version switch");
		}
	}
	CU_ASSERT(wrong == 0);
	/* Every bad session is gone: only the good one is left. */
	CU_ASSERT(wait_nfds(s.pid, base, 3000) == base);
	for (k = 0; k < FLOOD; k++)
		client_free(c[k]);

	/* The router synced before the flood gets the next delta right. */
	write_set(&s, 300, 1300);
	CU_ASSERT(read_notify(good) == 0);
	CU_ASSERT(client_serial(good) == ANS_DATA);
	CU_ASSERT(holds(good, 300, 1300));
	CU_ASSERT(client_reset(good) == ANS_DATA);
	CU_ASSERT(holds(good, 300, 1300));
	printf("\n    %d malformed sessions answered and closed; "
	    "fds %d before and after ", FLOOD, base);
	client_free(good);
	rtrd_srv_stop(&s);
}

/* ---- 2. Thousands of idle connections ------------------------------------ */

/* Raise our descriptor limit; returns how many idle connections fit. */
static size_t
raise_own_limit(void)
{
	struct rlimit rl;

	CU_ASSERT_FATAL(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		CU_ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	}
	if (rl.rlim_cur >= NIDLE + 64)
		return NIDLE;
	return rl.rlim_cur > MAX_RTR_CLIENTS + 64 ? rl.rlim_cur - 64 : 0;
}

/* The soft and hard "Max open files" of pid; 0 if unreadable. */
static int
proc_nofile(pid_t pid, unsigned long *soft, unsigned long *hard)
{
	char *path = tu_asprintf("/proc/%d/limits", (int)pid), *p;
	unsigned char *text = tu_read_file(path, NULL);
	int ok;

	ok = text != NULL &&
	    (p = strstr((char *)text, "Max open files")) != NULL &&
	    sscanf(p + strlen("Max open files"), "%lu %lu", soft, hard) == 2;
	free(text);
	free(path);
	return ok;
}

/* Count the connections the server has closed (EOF or reset now). */
static size_t
count_closed(const int *fds, size_t n)
{
	struct pollfd pfd;
	size_t i, closed = 0;
	char b;

	for (i = 0; i < n; i++) {
		pfd.fd = fds[i];
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) == 1 && recv(fds[i], &b, 1,
		    MSG_DONTWAIT) <= 0)
			closed++;
	}
	return closed;
}

/* Wait up to ms for the server to close all n; returns how many it did. */
static size_t
wait_closed(const int *fds, size_t n, int ms)
{
	size_t closed = 0;
	int i;

	for (i = 0; i <= ms / 50; i++) {
		if ((closed = count_closed(fds, n)) == n)
			break;
		rtrd_sleep_ms(50);
	}
	return closed;
}

static void
test_abuse_idle_connections(void)
{
	struct client *good, *late;
	struct rtrd_srv s;
	struct timespec t0;
	unsigned long soft = 0, hard = 0;
	size_t nidle, i, live, closed;
	long rss0, rss1, hwm, per, connect_ms;
	int *fds, base, n;

	if (unit_only())
		return;

	if ((nidle = raise_own_limit()) == 0) {
		printf("\n    SKIPPED: descriptor limit too low ");
		return;
	}
	srv_start(&s, "abuse-idle", 0, 1000);
	/* rtrd lifts its soft limit to the hard one by itself. */
	CU_ASSERT(proc_nofile(s.pid, &soft, &hard));
	CU_ASSERT(soft == hard);
	good = client_new(s.port, PDU_VERSION_1, 1);
	CU_ASSERT_FATAL(client_reset(good) == ANS_DATA);
	base = proc_nfds(s.pid);
	rss0 = proc_kb(s.pid, "VmRSS:");

	CU_ASSERT_PTR_NOT_NULL_FATAL(fds = calloc(nidle, sizeof(*fds)));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nidle; i++)
		CU_ASSERT_FATAL((fds[i] = rtrd_connect_port(s.port)) != -1);
	connect_ms = elapsed_ms(&t0);
	/*
	 * The session limit holds: the good one and the newest idle ones
	 * are kept, the oldest idle ones closed to make room.
	 */
	live = MAX_RTR_CLIENTS - 1 < nidle ? MAX_RTR_CLIENTS - 1 : nidle;
	closed = wait_closed(fds, nidle - live, WAIT_MS);
	CU_ASSERT(closed == nidle - live);
	n = wait_nfds(s.pid, base + (int)live, WAIT_MS);
	CU_ASSERT(n == base + (int)live);
	CU_ASSERT(count_closed(fds + closed, nidle - closed) == 0);
	rss1 = proc_kb(s.pid, "VmRSS:");
	hwm = proc_kb(s.pid, "VmHWM:");
	per = live > 0 ? (rss1 - rss0) * 1024 / (long)live : 0;
	CU_ASSERT(rss0 > 0 && rss1 > 0);
	CU_ASSERT(per < IDLE_KIB_MAX * 1024);

	/* The router synced before is served: a new set, its delta. */
	write_set(&s, 500, 1500);
	CU_ASSERT(read_notify(good) == 0);
	CU_ASSERT(client_serial(good) == ANS_DATA);
	CU_ASSERT(holds(good, 500, 1500));
	/* So is one arriving now that every slot is taken. */
	late = client_new(s.port, PDU_VERSION_2, 1);
	CU_ASSERT(client_reset(late) == ANS_DATA);
	CU_ASSERT(holds(late, 500, 1500));
	printf("\n    rtrd NOFILE %lu/%lu; %zu idle connects in %ld ms, "
	    "%zu kept, %zu closed; VmRSS %ld -> %ld KiB (%ld B/session), "
	    "VmHWM %ld KiB ", soft, hard, nidle, connect_ms, live, closed,
	    rss0, rss1, per, hwm);

	for (i = 0; i < nidle; i++)
		close(fds[i]);
	free(fds);
	/* The idle sessions are gone once their peers are. */
	CU_ASSERT(wait_nfds(s.pid, base + 1, 5000) == base + 1);
	client_free(late);
	client_free(good);
	rtrd_srv_stop(&s);
}

/* ---- 3. Slow readers on a large set -------------------------------------- */

static void
test_abuse_slow_readers(void)
{
	struct client *good, *late;
	struct rtrd_srv s;
	struct timespec t0;
	struct pdu_buf pb;
	long rss0, rss1, hwm, per, sync_ms, first_ms;
	int fds[NSLOW], base;
	size_t i;

	if (unit_only())
		return;

	srv_start(&s, "abuse-slow", 0, BIG_SET);
	good = client_new(s.port, PDU_VERSION_2, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_FATAL(client_reset(good) == ANS_DATA);
	first_ms = elapsed_ms(&t0);
	CU_ASSERT(holds(good, 0, BIG_SET));
	base = proc_nfds(s.pid);
	rss0 = proc_kb(s.pid, "VmRSS:");

	/* Each asks for the whole set and never reads a byte of it. */
	pdu_buf_init(&pb);
	CU_ASSERT_FATAL(pdu_put_reset_query(&pb, PDU_VERSION_2) == PDU_OK);
	for (i = 0; i < NSLOW; i++) {
		fds[i] = connect_small_rcvbuf(s.port);
		send_bytes(fds[i], pb.data, pb.len);
	}
	pdu_buf_free(&pb);
	/* All taken in and answering, so all stuck. */
	CU_ASSERT(wait_nfds(s.pid, base + NSLOW, WAIT_MS) == base + NSLOW);
	rtrd_sleep_ms(500);
	rss1 = proc_kb(s.pid, "VmRSS:");
	hwm = proc_kb(s.pid, "VmHWM:");
	per = (rss1 - rss0) * 1024 / NSLOW;
	/* A copy of the 4 MB stream per reader would show at once. */
	CU_ASSERT(rss0 > 0 && rss1 > 0);
	CU_ASSERT(per < SLOW_KIB_MAX * 1024);

	/* Good routers are served next to them, promptly. */
	CU_ASSERT(client_serial(good) == ANS_DATA);
	CU_ASSERT(holds(good, 0, BIG_SET));
	late = client_new(s.port, PDU_VERSION_2, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT(client_reset(late) == ANS_DATA);
	sync_ms = elapsed_ms(&t0);
	CU_ASSERT(holds(late, 0, BIG_SET));
	CU_ASSERT(sync_ms < BIG_SYNC_MS);
	printf("\n    %d VRPs: first sync %ld ms; %d stuck readers: VmRSS "
	    "%ld -> %ld KiB (%ld B/reader), VmHWM %ld KiB; a sync next to "
	    "them %ld ms ", BIG_SET, first_ms, NSLOW, rss0, rss1, per, hwm,
	    sync_ms);
	for (i = 0; i < NSLOW; i++)
		close_rst(fds[i]);
	client_free(late);
	client_free(good);
	rtrd_srv_stop(&s);
}

/* ---- 4. Connections ending mid-PDU --------------------------------------- */

/* Ways of ending a connection early. */
enum cut {
	CUT_HALF_HEADER,	/* 4 bytes of a header */
	CUT_HALF_BODY,		/* a Serial Query's header alone */
	CUT_ERROR_BODY,		/* an Error Report cut short */
	CUT_MID_RESPONSE,	/* a Reset Query, part of the answer read */
	NCUTS
};

/* Start connection fd on its way to being cut. */
static void
cut_start(int fd, enum cut how)
{
	static const uint8_t half[] = { 2, PDU_RESET_QUERY, 0, 0 };
	static const uint8_t sq[] = { 2, PDU_SERIAL_QUERY, 0, 1, 0, 0, 0, 12 };
	static const uint8_t er[20] = { 2, PDU_ERROR_REPORT, 0, 0, 0, 0, 0,
	    64, 0, 0, 0, 8 };
	static const uint8_t rq[] = { 2, PDU_RESET_QUERY, 0, 0, 0, 0, 0, 8 };
	uint8_t buf[16384];

	switch (how) {
	case CUT_HALF_HEADER:
		send_bytes(fd, half, sizeof(half));
		break;
	case CUT_HALF_BODY:
		send_bytes(fd, sq, sizeof(sq));
		break;
	case CUT_ERROR_BODY:
		send_bytes(fd, er, sizeof(er));
		break;
	default:
		send_bytes(fd, rq, sizeof(rq));
		CU_ASSERT(read(fd, buf, sizeof(buf)) > 0);
		break;
	}
}

static void
test_abuse_cut_connections(void)
{
	struct client *good, *late, *fin;
	struct rtrd_srv s;
	int fds[NCUTS][2][NCUT];
	int base, n, how, rst;
	size_t i;

	if (unit_only())
		return;

	srv_start(&s, "abuse-cut", 0, 20000);
	good = client_new(s.port, PDU_VERSION_1, 1);
	CU_ASSERT_FATAL(client_reset(good) == ANS_DATA);
	base = proc_nfds(s.pid);

	for (how = 0; how < NCUTS; how++)
		for (rst = 0; rst < 2; rst++)
			for (i = 0; i < NCUT; i++) {
				CU_ASSERT_FATAL((fds[how][rst][i] =
				    rtrd_connect_port(s.port)) != -1);
				cut_start(fds[how][rst][i], how);
			}
	/* The partial PDUs are waiting in the server now. */
	n = wait_nfds(s.pid, base + NCUTS * 2 * NCUT, WAIT_MS);
	CU_ASSERT(n == base + NCUTS * 2 * NCUT);
	rtrd_sleep_ms(200);
	for (how = 0; how < NCUTS; how++)
		for (rst = 0; rst < 2; rst++)
			for (i = 0; i < NCUT; i++) {
				if (rst)
					close_rst(fds[how][rst][i]);
				else
					close(fds[how][rst][i]);
			}
	/* Every cut session is closed, nothing leaks. */
	CU_ASSERT(wait_nfds(s.pid, base, 5000) == base);

	/* A peer that shuts its side after asking still gets the answer. */
	fin = client_new(s.port, PDU_VERSION_2, 1);
	send_reset_query(fin);
	shutdown(fin->fd, SHUT_WR);
	CU_ASSERT(read_answer(fin, 1) == ANS_DATA);
	CU_ASSERT(holds(fin, 0, 20000));
	CU_ASSERT(read_eof(fin) == 1);

	write_set(&s, 1, 20001);
	CU_ASSERT(read_notify(good) == 0);
	CU_ASSERT(client_serial(good) == ANS_DATA);
	CU_ASSERT(holds(good, 1, 20001));
	late = client_new(s.port, PDU_VERSION_0, 1);
	CU_ASSERT(client_reset(late) == ANS_DATA);
	CU_ASSERT(holds(late, 1, 20001));
	printf("\n    %d connections cut (FIN and RST, mid-header, "
	    "mid-body, mid-response); fds back to %d ",
	    NCUTS * 2 * NCUT, base);
	client_free(fin);
	client_free(late);
	client_free(good);
	rtrd_srv_stop(&s);
}

/* ---- 5. accept() failing with EMFILE ------------------------------------- */

static void
test_abuse_accept_emfile(void)
{
	struct client *good, *waiting, *late;
	struct rtrd_srv s;
	struct rlimit rl;
	unsigned char *log;
	int fds[NOVER];
	long cpu0, cpu1;
	size_t i;

	if (unit_only())
		return;

	srv_start(&s, "abuse-emfile", 0, 100);
	good = client_new(s.port, PDU_VERSION_2, 1);
	CU_ASSERT_FATAL(client_reset(good) == ANS_DATA);
	/* Room for NSLOTS more descriptors, soft and hard. */
	rl.rlim_cur = rl.rlim_max = limit_for_free(s.pid, NSLOTS);
	CU_ASSERT_FATAL(prlimit(s.pid, RLIMIT_NOFILE, &rl, NULL) == 0);

	/* More connections than it can take; the last one asks. */
	for (i = 0; i < NOVER; i++)
		CU_ASSERT_FATAL((fds[i] = rtrd_connect_port(s.port)) != -1);
	waiting = client_new(s.port, PDU_VERSION_2, 1);
	send_reset_query(waiting);
	rtrd_sleep_ms(300);

	cpu0 = proc_cpu_ms(s.pid);
	rtrd_sleep_ms(CPU_WINDOW_MS);
	cpu1 = proc_cpu_ms(s.pid);
	CU_ASSERT(cpu0 >= 0 && cpu1 >= 0);
	CU_ASSERT(cpu1 - cpu0 < CPU_MAX_MS);
	log = tu_read_file(s.log, NULL);
	CU_ASSERT(log != NULL &&
	    strstr((char *)log, "Too many open files") != NULL);
	free(log);

	/* Established sessions are served meanwhile. */
	write_set(&s, 50, 150);
	CU_ASSERT(read_notify(good) == 0);
	CU_ASSERT(client_serial(good) == ANS_DATA);
	CU_ASSERT(holds(good, 50, 150));

	/* Descriptors freed: the waiting router is accepted and served. */
	for (i = 0; i < NOVER; i++)
		close(fds[i]);
	CU_ASSERT(read_answer(waiting, 1) == ANS_DATA);
	CU_ASSERT(holds(waiting, 50, 150));
	late = client_new(s.port, PDU_VERSION_1, 1);
	CU_ASSERT(client_reset(late) == ANS_DATA);
	CU_ASSERT(holds(late, 50, 150));
	printf("\n    NOFILE %lu, %d connections beyond it: CPU %ld ms in "
	    "%d ms ", (unsigned long)rl.rlim_cur, NOVER, cpu1 - cpu0,
	    CPU_WINDOW_MS);
	client_free(late);
	client_free(waiting);
	client_free(good);
	rtrd_srv_stop(&s);
}

/* ---- 6. Restarts --------------------------------------------------------- */

/*
 * Sync a client per version on [lo, hi), end the server with sig,
 * restart it on the same port with [nlo, nhi) and check every client
 * ends up with exactly the new set.
 */
static void
restart_with(struct rtrd_srv *s, int sig, size_t nlo, size_t nhi,
    struct client **c)
{
	int status;
	uint8_t v;
	struct pdu p;

	CU_ASSERT_FATAL(kill(s->pid, sig) == 0);
	CU_ASSERT_FATAL(waitpid(s->pid, &status, 0) == s->pid);
	/* SIGKILL: no goodbye at all; SIGTERM: a clean exit. */
	CU_ASSERT(sig == SIGKILL ?
	    WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL :
	    WIFEXITED(status) && WEXITSTATUS(status) == 0);
	s->pid = 0;
	for (v = 0; v <= PDU_VERSION_MAX; v++) {
		/* The router sees its session end (any goodbye decoded). */
		while (read_eof(c[v]) == 0)
			CU_ASSERT_FATAL(read_pdu(c[v], &p) == 0);
	}
	write_set(s, nlo, nhi);
	srv_run(s);
	for (v = 0; v <= PDU_VERSION_MAX; v++) {
		client_reconnect(c[v], s->port);
		/* New session IDs: the stale set must go (section 8.3). */
		CU_ASSERT(client_update(c[v]) == ANS_RESET);
		CU_ASSERT(holds(c[v], nlo, nhi));
	}
}

static void
test_abuse_restart(void)
{
	struct client *c[PDU_VERSION_MAX + 1];
	struct rtrd_srv s;
	uint16_t sid[PDU_VERSION_MAX + 1];
	uint8_t v;

	if (unit_only())
		return;

	srv_start(&s, "abuse-restart", 0, 1000);
	for (v = 0; v <= PDU_VERSION_MAX; v++) {
		c[v] = client_new(s.port, v, 1);
		CU_ASSERT_FATAL(client_reset(c[v]) == ANS_DATA);
		CU_ASSERT(holds(c[v], 0, 1000));
		sid[v] = c[v]->sid;
	}
	restart_with(&s, SIGKILL, 600, 1800, c);
	restart_with(&s, SIGTERM, 1200, 2400, c);
	/* A delta after the restart works on the new session. */
	write_set(&s, 1300, 2400);
	for (v = 0; v <= PDU_VERSION_MAX; v++) {
		CU_ASSERT(read_notify(c[v]) == 0);
		CU_ASSERT(client_serial(c[v]) == ANS_DATA);
		CU_ASSERT(holds(c[v], 1300, 2400));
	}
	printf("\n    session IDs v0-v2 %u/%u/%u -> %u/%u/%u after two "
	    "restarts ", sid[0], sid[1], sid[2], c[0]->sid, c[1]->sid,
	    c[2]->sid);
	for (v = 0; v <= PDU_VERSION_MAX; v++)
		client_free(c[v]);
	rtrd_srv_stop(&s);
}

REEF_SUITE(integration_rtrd_abuse,
    REEF_TEST(test_abuse_malformed_flood),
    REEF_TEST(test_abuse_idle_connections),
    REEF_TEST(test_abuse_slow_readers),
    REEF_TEST(test_abuse_cut_connections),
    REEF_TEST(test_abuse_accept_emfile),
    REEF_TEST(test_abuse_restart))
