/*
 * bench_rtrd: benchmarks of an RTR cache server (reef-rtrd or a peer).
 *
 * usage: bench_rtrd gen [-n vrps] [-s seed] dir
 *        bench_rtrd load dir
 *        bench_rtrd serve [-c clients] [-e vrps] [-r repeats] [-t seconds]
 *            [-v version] [-p port] -- server-argv ...
 *
 * gen writes a synthetic payload set to dir: vrps.json (rpki-client's
 * JSON layout, read by reef-rtrd and StayRTR alike), reef.handoff (the
 * same set as a hand-off file; the ASPAs in the layout before rpki-client
 * 8.5, the only one StayRTR 0.5 reads) and vrps-next.json (about 1% of the VRPs
 * withdrawn and 1% new ones, for the delta).  Besides the VRPs there is
 * one ASPA per 200 VRPs and one router key per 1000, roughly today's
 * global proportions.
 *
 * load measures, in this process, the loading of vrps.json and of
 * reef.handoff (rtrd/input.h) and the delta to vrps-next.json: the
 * history's diff plus the encoding of the answer to a Serial Query.
 *
 * serve starts the server given after "--", which must listen on
 * 127.0.0.1:port; every "{port}" in its arguments is replaced by the
 * port, a free one chosen here unless -p names one.  Then it measures: the time from exec until a Reset
 * Query is first answered completely (load, encoding and transfer; a
 * server answering "No Data Available" meanwhile is asked again), the
 * wall time of one full reset (best of the repeats), and the time for
 * `clients` connected routers to complete a Reset Query sent at once,
 * with the server's resident memory (VmRSS with every client still
 * connected, VmHWM peak) from /proc.  The server is stopped by PID at
 * the end, and dies with this process (PR_SET_PDEATHSIG) if it crashes.
 *
 * Results go to stdout, one "name<TAB>value<TAB>unit" line each;
 * progress and errors to stderr.  Exit status 0, or 1 on any failure
 * (a client that got fewer VRPs than expected counts as one).
 */
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/b64.h"
#include "common/handoff.h"
#include "rtrd/history.h"
#include "rtrd/input.h"
#include "rtrd/pdu.h"

#define DEFAULT_VRPS		100000
#define DEFAULT_SEED		1
#define DEFAULT_CLIENTS		100
#define DEFAULT_REPEATS		5
#define DEFAULT_TIMEOUT		600	/* seconds for each phase */
#define VRPS_PER_ASPA		200
#define VRPS_PER_ROUTER_KEY	1000
#define CHANGE_PERCENT		1	/* VRPs withdrawn and added by "next" */
#define EXPIRES_AHEAD		(7 * 86400)
#define IPV6_PERCENT		25
#define MAX_ASN_DRAWN		400000
#define MAX_PROVIDERS_DRAWN	6
#define CUSTOMER_BASE		100000	/* ASPA customers: distinct ASNs */
#define READY_POLL_MS		20	/* between attempts while loading */
#define CONNECT_INFLIGHT	64	/* below every listen backlog */
#define READ_BUF		(256 * 1024)
#define EPOLL_BATCH		256
#define MS_PER_S		1000
#define ERR_LEN			512

static const char *const ta_names[] = {
	"afrinic", "apnic", "arin", "lacnic", "ripe"
};
#define NTA	(sizeof(ta_names) / sizeof(ta_names[0]))

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_rtrd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: bench_rtrd gen [-n vrps] [-s seed] dir\n"
	    "       bench_rtrd load dir\n"
	    "       bench_rtrd serve [-c clients] [-e vrps] [-r repeats] "
	    "[-t seconds]\n"
	    "           [-v version] [-p port] -- server-argv ...\n");
	exit(2);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
result(const char *name, double value, const char *unit)
{
	printf("%s\t%.10g\t%s\n", name, value, unit);
	fflush(stdout);
}

static unsigned long
num_arg(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		die("\"%s\": not a number from %lu to %lu", s, min, max);
	return v;
}

static char *
path_join(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) == -1)
		die("out of memory");
	return p;
}

/* ---- gen ----------------------------------------------------------------- */

/* splitmix64: every draw derives from (seed, index), so sets are reproducible. */
static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

struct gen {
	uint64_t	 seed;
	size_t		 nvrps;
	int64_t		 expires;
	char		*spki_b64;	/* one real P-256 key, shared */
};

/*
 * The VRP with index k, as prefix text.  IPv4 ones are distinct /24
 * blocks (odd multiplier: a bijection mod 2^24) of varied length; IPv6
 * ones distinct /48s under 2a00::/12.  Duplicates after masking are
 * possible and harmless: the loaders de-duplicate.
 */
static void
gen_vrp(const struct gen *g, uint64_t k, char *pfx, size_t pfxlen,
    unsigned int *maxlen, uint32_t *asn)
{
	uint64_t r = mix(g->seed ^ mix(k));
	unsigned int len, lenpick = (unsigned int)(r % 10);
	uint32_t v4;
	uint64_t v6;

	*asn = 1 + (uint32_t)((r >> 8) % MAX_ASN_DRAWN);
	if ((r >> 40) % 100 >= IPV6_PERCENT) {
		len = lenpick < 7 ? 24 : lenpick < 9 ? 22 : 16 + (r >> 32) % 8;
		v4 = (uint32_t)((k * 2654435761ULL) & 0xffffff) << 8;
		v4 &= len == 0 ? 0 : ~0u << (32 - len);
		snprintf(pfx, pfxlen, "%u.%u.%u.%u/%u", v4 >> 24,
		    (v4 >> 16) & 0xff, (v4 >> 8) & 0xff, v4 & 0xff, len);
		*maxlen = (r >> 50) % 5 == 0 ? 24 : len;
		return;
	}
	len = lenpick < 6 ? 48 : lenpick < 8 ? 44 : 32 + (r >> 32) % 16;
	/* 36 bits of the /48 below 2a00::/12; mask to len (<= 48). */
	v6 = (k * 0x9e3779b1ULL) & 0xfffffffffULL;
	v6 &= ~0ULL << (48 - len);
	snprintf(pfx, pfxlen, "2a%02x:%x:%x::/%u",
	    (unsigned int)(v6 >> 32) & 0x0f, (unsigned int)(v6 >> 16) & 0xffff,
	    (unsigned int)v6 & 0xffff, len);
	*maxlen = (r >> 50) % 5 == 0 ? 48 : len;
}

static void
put_roa(FILE *f, const struct gen *g, uint64_t k, int *first)
{
	char pfx[64];
	unsigned int maxlen;
	uint32_t asn;

	gen_vrp(g, k, pfx, sizeof(pfx), &maxlen, &asn);
	fprintf(f, "%s\n\t\t{ \"asn\": %u, \"prefix\": \"%s\", "
	    "\"maxLength\": %u, \"ta\": \"%s\", \"expires\": %lld }",
	    *first ? "" : ",", asn, pfx, maxlen, ta_names[k % NTA],
	    (long long)g->expires);
	*first = 0;
}

static void
put_aspas(FILE *f, const struct gen *g)
{
	size_t i, n = g->nvrps / VRPS_PER_ASPA, np, j;
	uint32_t cust, prov[MAX_PROVIDERS_DRAWN];
	uint64_t r;

	/*
	 * rpki-client's layout before 8.5: StayRTR 0.5 reads no other, and
	 * reef-rtrd reads it too, so both serve the very same file.
	 */
	fprintf(f, "\n\t],\n\t\"provider_authorizations\": { \"ipv4\": [");
	for (i = 0; i < n; i++) {
		r = mix(g->seed ^ mix(~(uint64_t)i));
		cust = CUSTOMER_BASE + (uint32_t)i;
		np = 1 + r % MAX_PROVIDERS_DRAWN;
		/* Ascending, distinct, never the customer (below it). */
		for (j = 0; j < np; j++)
			prov[j] = 1 + (uint32_t)j * (CUSTOMER_BASE /
			    MAX_PROVIDERS_DRAWN) + (uint32_t)((r >> (8 + j * 8)) %
			    (CUSTOMER_BASE / MAX_PROVIDERS_DRAWN - 1));
		fprintf(f, "%s\n\t\t{ \"customer_asid\": %u, \"expires\": %lld, "
		    "\"providers\": [", i ? "," : "", cust,
		    (long long)g->expires);
		for (j = 0; j < np; j++)
			fprintf(f, "%s%u", j ? ", " : "", prov[j]);
		fprintf(f, "] }");
	}
}

static void
put_router_keys(FILE *f, const struct gen *g)
{
	size_t i, n = g->nvrps / VRPS_PER_ROUTER_KEY, j;
	uint64_t r;

	fprintf(f, "\n\t] },\n\t\"bgpsec_keys\": [");
	for (i = 0; i < n; i++) {
		r = mix(g->seed ^ mix(i) ^ 0x5a5a5a5aULL);
		fprintf(f, "%s\n\t\t{ \"asn\": %u, \"ski\": \"", i ? "," : "",
		    1 + (uint32_t)(r % MAX_ASN_DRAWN));
		for (j = 0; j < ROUTER_KEY_SKI_LEN; j++)
			fprintf(f, "%02x", (unsigned int)(mix(r + j) & 0xff));
		fprintf(f, "\", \"pubkey\": \"%s\", \"ta\": \"%s\", "
		    "\"expires\": %lld }", g->spki_b64, ta_names[i % NTA],
		    (long long)g->expires);
	}
}

/*
 * Write one JSON file: VRPs 0..nvrps-1, or with next set the "next"
 * generation (CHANGE_PERCENT of them dropped, as many new ones added).
 */
static void
write_json(const char *path, const struct gen *g, int next)
{
	FILE *f;
	uint64_t k, end = g->nvrps;
	int first = 1;
	char when[32];
	time_t t = time(NULL);
	struct tm tm;

	if ((f = fopen(path, "w")) == NULL)
		die("%s: %s", path, strerror(errno));
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "{\n\t\"metadata\": { \"buildmachine\": \"bench_rtrd\", "
	    "\"buildtime\": \"%s\" },\n\t\"roas\": [", when);
	if (next)
		end += g->nvrps * CHANGE_PERCENT / 100;
	for (k = 0; k < end; k++) {
		if (next && k < g->nvrps &&
		    mix(g->seed ^ k ^ 0xdeadULL) % 100 < CHANGE_PERCENT)
			continue;
		put_roa(f, g, k, &first);
	}
	put_aspas(f, g);
	put_router_keys(f, g);
	fprintf(f, "\n\t]\n}\n");
	if (ferror(f) || fclose(f) == EOF)
		die("%s: write error", path);
}

/* Base64 DER SubjectPublicKeyInfo of a fresh P-256 key (RFC 8608). */
static char *
make_spki(void)
{
	EVP_PKEY *k;
	unsigned char *der = NULL;
	char *b64;
	size_t b64len;
	int len;

	if ((k = EVP_EC_gen("P-256")) == NULL ||
	    (len = i2d_PUBKEY(k, &der)) <= 0)
		die("cannot make a P-256 key");
	if (b64_encode(der, (size_t)len, &b64, &b64len) == -1)
		die("out of memory");
	OPENSSL_free(der);
	EVP_PKEY_free(k);
	return b64;
}

static void
write_handoff(const char *dir, const char *json)
{
	struct input_set s;
	struct handoff_data d;
	char err[ERR_LEN], *path;

	if (input_load(json, time(NULL), &s, err, sizeof(err)) == -1)
		die("%s", err);
	memset(&d, 0, sizeof(d));
	d.created = time(NULL);
	d.ta_names = s.ta_names;
	d.nta = s.nta;
	d.vrps = s.vrps;
	d.rks = s.rks;
	d.aspas = s.aspas;
	path = path_join(dir, HANDOFF_FILENAME);
	if (handoff_write(path, &d) == -1)
		die("%s: %s", path, strerror(errno));
	fprintf(stderr, "bench_rtrd: %zu VRPs, %zu ASPAs, %zu router keys\n",
	    vrpset_count(s.vrps), aspaset_count(s.aspas), rkset_count(s.rks));
	free(path);
	input_set_free(&s);
}

static int
cmd_gen(int argc, char **argv)
{
	struct gen g;
	char *p;
	int ch;

	memset(&g, 0, sizeof(g));
	g.nvrps = DEFAULT_VRPS;
	g.seed = DEFAULT_SEED;
	while ((ch = getopt(argc, argv, "n:s:")) != -1) {
		switch (ch) {
		case 'n':
			g.nvrps = num_arg(optarg, 1, PAYLOAD_SET_MAX / 2);
			break;
		case 's':
			g.seed = num_arg(optarg, 0, ULONG_MAX);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	g.expires = time(NULL) + EXPIRES_AHEAD;
	g.spki_b64 = make_spki();
	if (mkdir(argv[optind], 0755) == -1 && errno != EEXIST)
		die("%s: %s", argv[optind], strerror(errno));
	p = path_join(argv[optind], "vrps.json");
	write_json(p, &g, 0);
	write_handoff(argv[optind], p);
	free(p);
	p = path_join(argv[optind], "vrps-next.json");
	write_json(p, &g, 1);
	free(p);
	free(g.spki_b64);
	return 0;
}

/* ---- load ---------------------------------------------------------------- */

/* Load path, returning the seconds it took; *s receives the set. */
static double
timed_load(const char *path, struct input_set *s)
{
	char err[ERR_LEN];
	double t0 = now_s();

	if (input_load(path, time(NULL), s, err, sizeof(err)) == -1)
		die("%s", err);
	return now_s() - t0;
}

static int
cmd_load(int argc, char **argv)
{
	struct input_set s;
	struct history *h;
	struct rtr_buf *b = NULL;
	uint16_t ids[HISTORY_NVERSIONS] = { 1, 2, 3 };
	char *json, *hof, *next;
	uint32_t first;
	double t0, dt;

	if (argc != 2)
		usage();
	json = path_join(argv[1], "vrps.json");
	hof = path_join(argv[1], HANDOFF_FILENAME);
	next = path_join(argv[1], "vrps-next.json");

	dt = timed_load(json, &s);
	result("vrps", (double)vrpset_count(s.vrps), "count");
	result("load_json", dt, "s");
	input_set_free(&s);
	result("load_handoff", timed_load(hof, &s), "s");

	/* The delta a Serial Query gets after the next set is loaded. */
	if ((h = history_new(HISTORY_DEFAULT_DELTAS, ids, 1)) == NULL ||
	    history_push(h, &s) != 1)
		die("history: out of memory");
	first = history_serial(h);
	timed_load(next, &s);
	t0 = now_s();
	if (history_push(h, &s) != 1 ||
	    history_delta(h, PDU_VERSION_2, first, &b) != HISTORY_DELTA)
		die("history: no delta");
	dt = now_s() - t0;
	result("delta", dt, "s");
	result("delta_bytes", (double)b->len, "bytes");
	rtr_buf_unref(b);
	history_free(h);
	free(json);
	free(hof);
	free(next);
	return 0;
}

/* ---- serve: an RTR client that only counts ------------------------------- */

enum client_state {
	CL_CONNECTING,
	CL_CONNECTED,	/* connected, query not sent yet */
	CL_READING,
	CL_DONE,
	CL_FAILED
};

struct client {
	int		 fd;
	enum client_state state;
	uint8_t		 hdr[PDU_HEADER_LEN];
	size_t		 hdrlen;
	uint32_t	 skip;		/* body bytes of the PDU still to come */
	int		 started;	/* Cache Response seen */
	uint16_t	 error;		/* Error Report code, if any */
	int		 got_error;
	size_t		 nvrps;
	size_t		 nrks;
	size_t		 naspas;
};

struct bench {
	uint16_t	 port;
	uint8_t		 version;
	size_t		 nclients;
	size_t		 expect;	/* VRPs each reset must deliver, 0: any */
	unsigned int	 repeats;
	int		 timeout;
	pid_t		 server;
	int		 ep;
	uint8_t		*buf;
};

static void
client_reset_state(struct client *c)
{
	c->hdrlen = 0;
	c->skip = 0;
	c->started = 0;
	c->got_error = 0;
	c->nvrps = c->nrks = c->naspas = 0;
}

/* A complete PDU of type hdr[1]; its body has been skipped. */
static void
client_pdu(struct client *c)
{
	switch (c->hdr[1]) {
	case PDU_CACHE_RESPONSE:
		c->started = 1;
		break;
	case PDU_IPV4_PREFIX:
	case PDU_IPV6_PREFIX:
		c->nvrps++;
		break;
	case PDU_ROUTER_KEY:
		c->nrks++;
		break;
	case PDU_ASPA:
		c->naspas++;
		break;
	case PDU_END_OF_DATA:
		c->state = CL_DONE;
		break;
	case PDU_ERROR_REPORT:
		c->got_error = 1;
		c->error = (uint16_t)(c->hdr[2] << 8 | c->hdr[3]);
		c->state = CL_FAILED;
		break;
	case PDU_CACHE_RESET:
		c->state = CL_FAILED;
		break;
	default:
		break;	/* Serial Notify and the like */
	}
}

/* Walk the PDUs in buf; only headers are looked at. */
static void
client_feed(struct client *c, const uint8_t *buf, size_t n)
{
	size_t off = 0, k;
	uint32_t len;

	while (off < n && c->state == CL_READING) {
		if (c->skip > 0) {
			k = n - off < c->skip ? n - off : c->skip;
			c->skip -= (uint32_t)k;
			off += k;
			if (c->skip == 0)
				client_pdu(c);
			continue;
		}
		k = PDU_HEADER_LEN - c->hdrlen;
		if (k > n - off)
			k = n - off;
		memcpy(c->hdr + c->hdrlen, buf + off, k);
		c->hdrlen += k;
		off += k;
		if (c->hdrlen < PDU_HEADER_LEN)
			break;
		c->hdrlen = 0;
		len = (uint32_t)c->hdr[4] << 24 | (uint32_t)c->hdr[5] << 16 |
		    (uint32_t)c->hdr[6] << 8 | c->hdr[7];
		if (len < PDU_HEADER_LEN || len > PDU_MAX_LEN) {
			c->state = CL_FAILED;
			break;
		}
		c->skip = len - PDU_HEADER_LEN;
		if (c->skip == 0)
			client_pdu(c);
	}
}

static int
set_nonblock(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Start a non-blocking connect to 127.0.0.1:port, registered with ep. */
static int
client_connect(struct bench *b, struct client *c)
{
	struct sockaddr_in sin;
	struct epoll_event ev;

	memset(c, 0, sizeof(*c));
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    set_nonblock(c->fd) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(b->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->state = CL_CONNECTING;
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT | EPOLLIN;
	ev.data.ptr = c;
	return epoll_ctl(b->ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void
client_close(struct bench *b, struct client *c)
{
	if (c->fd != -1) {
		(void)epoll_ctl(b->ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
	}
}

static int
client_query(struct bench *b, struct client *c)
{
	uint8_t q[PDU_RESET_QUERY_LEN] = { 0 };
	struct epoll_event ev;

	q[0] = b->version;
	q[1] = PDU_RESET_QUERY;
	q[7] = PDU_RESET_QUERY_LEN;
	client_reset_state(c);
	if (write(c->fd, q, sizeof(q)) != (ssize_t)sizeof(q))
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = c;
	c->state = CL_READING;
	return epoll_ctl(b->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Handle an event of c; the state tells the caller what happened. */
static void
client_event(struct bench *b, struct client *c, uint32_t events)
{
	struct epoll_event ev;
	int err = 0;
	socklen_t len = sizeof(err);
	ssize_t n;

	if (c->state == CL_CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
		    err != 0) {
			c->state = CL_FAILED;
			return;
		}
		/* Quiet until the query: writable would fire forever. */
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(b->ep, EPOLL_CTL_MOD, c->fd, &ev) == -1) {
			c->state = CL_FAILED;
			return;
		}
		c->state = CL_CONNECTED;
		return;
	}
	if (c->state != CL_READING)
		return;
	for (;;) {
		n = read(c->fd, b->buf, READ_BUF);
		if (n > 0) {
			client_feed(c, b->buf, (size_t)n);
			if (c->state != CL_READING)
				return;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		c->state = CL_FAILED;	/* closed or error mid-answer */
		return;
	}
}

/*
 * Run the event loop until no client is in state `until_not` or the
 * deadline passes.  Returns 0, or -1 on time-out.
 */
static int
run_clients(struct bench *b, struct client *cl, size_t n,
    enum client_state until_not, double deadline)
{
	struct epoll_event evs[EPOLL_BATCH];
	size_t i, busy;
	int k, j;

	for (;;) {
		for (busy = 0, i = 0; i < n; i++)
			busy += cl[i].state == until_not;
		if (busy == 0)
			return 0;
		if (now_s() > deadline)
			return -1;
		k = epoll_wait(b->ep, evs, EPOLL_BATCH, MS_PER_S);
		if (k == -1 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (j = 0; j < k; j++)
			client_event(b, evs[j].data.ptr, evs[j].events);
	}
}

/*
 * One client: connect, Reset Query, read to End of Data.  Returns 0 on
 * success (*c holds the counts), 1 on a refusal or an Error Report (the
 * server may still be loading), -1 on time-out.
 */
static int
one_reset(struct bench *b, struct client *c, double deadline)
{
	int rc = 1;

	if (client_connect(b, c) == -1)
		goto out;
	if (run_clients(b, c, 1, CL_CONNECTING, deadline) == -1) {
		rc = -1;
		goto out;
	}
	if (c->state != CL_CONNECTED || client_query(b, c) == -1)
		goto out;
	if (run_clients(b, c, 1, CL_READING, deadline) == -1) {
		rc = -1;
		goto out;
	}
	if (c->state == CL_DONE && c->started)
		rc = 0;
 out:
	client_close(b, c);
	return rc;
}

static void
check_counts(const struct bench *b, const struct client *c, const char *what)
{
	if (b->expect != 0 && c->nvrps != b->expect)
		die("%s: %zu VRPs received, %zu expected", what, c->nvrps,
		    b->expect);
}

/* Value in kB of a "Name:" line of /proc/PID/status, or -1. */
static long
proc_status_kb(pid_t pid, const char *name)
{
	char path[64], line[256];
	size_t nlen = strlen(name);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, nlen) == 0 && line[nlen] == ':') {
			v = strtol(line + nlen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* The peak over the server and its descendants would need cgroups; the
 * servers measured here are single processes. */
static void
report_memory(const struct bench *b, const char *when)
{
	char name[64];

	snprintf(name, sizeof(name), "rss_%s", when);
	result(name, (double)proc_status_kb(b->server, "VmRSS") / 1024, "MiB");
}

/*
 * A loopback port nobody listens on: bind port 0 (or the given one) and
 * give it back.  Another program could take it in between; the server
 * would then fail to bind and wait_ready() notices it exited.
 */
static uint16_t
free_port(uint16_t want)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(want);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("127.0.0.1:%u: %s", want, strerror(errno));
	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		die("getsockname: %s", strerror(errno));
	close(fd);
	return ntohs(sin.sin_port);
}

/* Replace every "{port}" in the server's arguments (leaked: exec'd). */
static void
subst_port(char **argv, uint16_t port)
{
	const char *key = "{port}";
	char *p, *n;

	for (; *argv != NULL; argv++)
		while ((p = strstr(*argv, key)) != NULL) {
			if (asprintf(&n, "%.*s%u%s", (int)(p - *argv), *argv,
			    port, p + strlen(key)) == -1)
				die("out of memory");
			*argv = n;
		}
}

static pid_t
start_server(char **argv)
{
	pid_t pid;

	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		/* Never outlive the benchmark, whatever happens to it. */
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		execvp(argv[0], argv);
		fprintf(stderr, "bench_rtrd: %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	return pid;
}

/* SIGTERM, then SIGKILL if it has not gone after a few seconds. */
static void
stop_server(pid_t pid)
{
	int i, status;

	(void)kill(pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		usleep(100 * 1000);
	}
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
}

/* Phase 1: time from exec to the first complete answer. */
static void
wait_ready(struct bench *b, double t0)
{
	struct client c;
	double deadline = t0 + b->timeout;
	int rc, status;

	for (;;) {
		if (waitpid(b->server, &status, WNOHANG) == b->server)
			die("the server exited before serving");
		rc = one_reset(b, &c, deadline);
		if (rc == 0)
			break;
		if (rc == -1 || now_s() > deadline)
			die("no complete answer within %d s", b->timeout);
		usleep(READY_POLL_MS * 1000);
	}
	result("ready", now_s() - t0, "s");
	result("vrps_served", (double)c.nvrps, "count");
	result("router_keys_served", (double)c.nrks, "count");
	result("aspas_served", (double)c.naspas, "count");
	check_counts(b, &c, "first reset");
	if (b->expect == 0)
		b->expect = c.nvrps;
}

/* Phase 2: single-client resets, best of the repeats. */
static void
single_resets(struct bench *b)
{
	struct client c;
	double t, best = -1;
	unsigned int i;

	for (i = 0; i < b->repeats; i++) {
		t = now_s();
		if (one_reset(b, &c, t + b->timeout) != 0)
			die("reset %u failed", i + 1);
		t = now_s() - t;
		check_counts(b, &c, "single reset");
		if (best < 0 || t < best)
			best = t;
	}
	result("reset", best, "s");
}

/* Phase 3: nclients connected at once, all resetting together. */
static void
concurrent_resets(struct bench *b)
{
	struct client *cl;
	size_t i, started, failed = 0;
	double t0, deadline = now_s() + b->timeout;

	if ((cl = calloc(b->nclients, sizeof(*cl))) == NULL)
		die("out of memory");
	for (i = 0; i < b->nclients; i++)
		cl[i].fd = -1;
	/* A batch at a time: a full listen backlog would cost SYN retries. */
	for (started = 0; started < b->nclients; ) {
		for (i = 0; i < CONNECT_INFLIGHT && started < b->nclients; i++)
			if (client_connect(b, &cl[started++]) == -1)
				die("connect: %s", strerror(errno));
		if (run_clients(b, cl, started, CL_CONNECTING, deadline) == -1)
			die("connecting %zu clients timed out", b->nclients);
	}
	for (i = 0; i < b->nclients; i++)
		if (cl[i].state != CL_CONNECTED)
			die("client %zu could not connect", i);
	t0 = now_s();
	for (i = 0; i < b->nclients; i++)
		if (client_query(b, &cl[i]) == -1)
			die("client %zu: cannot send the query", i);
	if (run_clients(b, cl, b->nclients, CL_READING, deadline) == -1)
		die("%zu concurrent resets timed out", b->nclients);
	result("concurrent_resets", now_s() - t0, "s");
	for (i = 0; i < b->nclients; i++) {
		if (cl[i].state != CL_DONE ||
		    (b->expect != 0 && cl[i].nvrps != b->expect))
			failed++;
	}
	/* Measured while every client is still connected. */
	report_memory(b, "clients");
	result("clients", (double)b->nclients, "count");
	result("clients_failed", (double)failed, "count");
	for (i = 0; i < b->nclients; i++)
		client_close(b, &cl[i]);
	free(cl);
	if (failed > 0)
		die("%zu of %zu clients did not get the full set", failed,
		    b->nclients);
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
cmd_serve(int argc, char **argv)
{
	struct bench b;
	double t0;
	long hwm;
	int ch, status;

	memset(&b, 0, sizeof(b));
	b.version = PDU_VERSION_2;
	b.nclients = DEFAULT_CLIENTS;
	b.repeats = DEFAULT_REPEATS;
	b.timeout = DEFAULT_TIMEOUT;
	while ((ch = getopt(argc, argv, "c:e:p:r:t:v:")) != -1) {
		switch (ch) {
		case 'c':
			b.nclients = num_arg(optarg, 1, MAX_RTR_CLIENTS);
			break;
		case 'e':
			b.expect = num_arg(optarg, 0, PAYLOAD_SET_MAX);
			break;
		case 'p':
			b.port = (uint16_t)num_arg(optarg, 0, 65535);
			break;
		case 'r':
			b.repeats = (unsigned int)num_arg(optarg, 1, 100);
			break;
		case 't':
			b.timeout = (int)num_arg(optarg, 1, 86400);
			break;
		case 'v':
			b.version = (uint8_t)num_arg(optarg, 0, PDU_VERSION_MAX);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	b.port = free_port(b.port);
	subst_port(argv + optind, b.port);
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	if ((b.buf = malloc(READ_BUF)) == NULL ||
	    (b.ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("out of memory");
	t0 = now_s();
	b.server = start_server(argv + optind);
	wait_ready(&b, t0);
	report_memory(&b, "loaded");
	single_resets(&b);
	concurrent_resets(&b);
	if (waitpid(b.server, &status, WNOHANG) == b.server)
		die("the server died during the benchmark");
	hwm = proc_status_kb(b.server, "VmHWM");
	result("rss_peak", (double)hwm / 1024, "MiB");
	stop_server(b.server);
	close(b.ep);
	free(b.buf);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "gen") == 0)
		return cmd_gen(argc - 1, argv + 1);
	if (strcmp(argv[1], "load") == 0)
		return cmd_load(argc - 1, argv + 1);
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	usage();
}
