/*
 * rtrcheck: a small, strict RTR client for tests.
 *
 * usage: rtrcheck [-cdrT] [-v version] [-s session:serial] [-t seconds]
 *            host port
 *
 * Connects over TCP, sends a Reset Query (or, with -s, a Serial Query for
 * that session and serial) at the given protocol version (default 2) and
 * reads the response up to End of Data or Cache Reset.  Every PDU is
 * decoded strictly (rtrd/pdu_decode.c) and the exchange checked against
 * RFC 6810 / RFC 8210 / draft-ietf-sidrops-8210bis: the version of every
 * PDU, the session ID, announcements only after a Reset Query, no
 * element twice, and the section 11.2 payload order (required for
 * version 2; for versions 0 and 1 a deviation is only reported).
 *
 * Output on success (stdout): "# version V", "# session S", "# serial N"
 * and, from version 1, "# refresh R", "# retry R", "# expire E"; then one
 * CSV line per element, sorted bytewise:
 *	vrp,PREFIX,MAXLEN,ASN
 *	routerkey,ASN,SKI-HEX,SPKI-HEX
 *	aspa,CUSTOMER,PROVIDER;PROVIDER...
 * In the answer to a Serial Query each line starts with "+" (announce)
 * or "-" (withdraw; a withdrawn ASPA has no providers).  With -c only the
 * counts are printed, with -T the time from query to End of Data goes to
 * stderr, -d dumps every PDU to stderr.
 *
 * -r expects a Cache Reset (e.g. for a Serial Query outside the cache's
 * history): it is then success and anything else a failure.
 *
 * Exit status: 0 success; 1 protocol violation, Error Report received
 * or unexpected outcome (message on stderr); 2 usage or connection
 * error.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/prefix.h"
#include "rtrd/pdu.h"

#define DEFAULT_TIMEOUT		30	/* seconds for the whole exchange */
#define READ_CHUNK		(256 * 1024)
#define LINE_MAX_LEN		(64 + 4 * PDU_MAX_LEN)	/* hex SPKI, ASPA */

enum {
	EXIT_VIOLATION = 1,
	EXIT_USAGE = 2
};

struct lines {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

struct check {
	uint8_t		 version;
	int		 serial_query;
	uint16_t	 q_session;
	uint32_t	 q_serial;
	int		 expect_reset;
	int		 count_only;
	int		 timing;
	int		 dump;
	int		 timeout;

	int		 fd;
	struct timespec	 start;
	int		 started;	/* Cache Response seen */
	uint16_t	 session;
	struct pdu	 prev;		/* last payload PDU, for the order */
	uint8_t		*prev_spki;	/* its SPKI, copied */
	int		 have_prev;
	size_t		 nannounce;
	size_t		 nwithdraw;
	size_t		 nbad_order;
	struct lines	 out;
	char		*line;		/* scratch, LINE_MAX_LEN bytes */
};

static void __attribute__((noreturn, format(printf, 2, 3)))
fail(int status, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "rtrcheck: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(status);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: rtrcheck [-cdrT] [-v version] "
	    "[-s session:serial] [-t seconds] host port\n");
	exit(EXIT_USAGE);
}

static int
connect_to(const char *host, const char *port)
{
	struct addrinfo	 hints, *res, *ai;
	int		 fd = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		fail(EXIT_USAGE, "%s port %s: %s", host, port,
		    gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		fail(EXIT_USAGE, "connect %s port %s: %s", host, port,
		    strerror(errno));
	return fd;
}

static void
send_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			fail(EXIT_USAGE, "write: %s", strerror(errno));
		}
		p += w;
		n -= w;
	}
}

static void
lines_add(struct lines *l, const char *s)
{
	char	**v;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 1024 : l->cap * 2;
		if ((v = reallocarray(l->v, l->cap, sizeof(*v))) == NULL)
			fail(EXIT_USAGE, "out of memory");
		l->v = v;
	}
	if ((l->v[l->n++] = strdup(s)) == NULL)
		fail(EXIT_USAGE, "out of memory");
}

static void
lines_free(struct lines *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static void
hex(char *out, const uint8_t *p, size_t n)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/*
 * The CSV line of a payload PDU, without the +/- sign.  The identity of
 * an element is the line up to the ASPA providers.
 */
static void
format_payload(struct check *c, const struct pdu *p)
{
	char	 pfx[PREFIX_STRLEN];
	size_t	 off, i;

	switch (p->type) {
	case PDU_IPV4_PREFIX:
	case PDU_IPV6_PREFIX:
		prefix_format(&p->vrp.prefix, pfx, sizeof(pfx));
		snprintf(c->line, LINE_MAX_LEN, "vrp,%s,%u,%u", pfx,
		    (unsigned int)p->vrp.maxlen, p->vrp.asn);
		break;
	case PDU_ROUTER_KEY:
		off = snprintf(c->line, LINE_MAX_LEN, "routerkey,%u,",
		    p->key.asn);
		hex(c->line + off, p->key.ski, ROUTER_KEY_SKI_LEN);
		off += 2 * ROUTER_KEY_SKI_LEN;
		c->line[off++] = ',';
		hex(c->line + off, p->key.spki, p->key.spki_len);
		break;
	case PDU_ASPA:
		off = snprintf(c->line, LINE_MAX_LEN, "aspa,%u,", p->customer);
		for (i = 0; i < p->nproviders; i++)
			off += snprintf(c->line + off, LINE_MAX_LEN - off,
			    "%s%u", i > 0 ? ";" : "", pdu_aspa_provider(p, i));
		break;
	}
}

static void
dump_pdu(const struct pdu *p)
{
	fprintf(stderr, "< v%u %s len %u", p->version, pdu_type_name(p->type),
	    p->length);
	if (pdu_is_payload(p->type))
		fprintf(stderr, " %s", p->flags ? "announce" : "withdraw");
	fprintf(stderr, "\n");
}

/* Keep a copy of a payload PDU for the next order comparison. */
static void
remember(struct check *c, const struct pdu *p)
{
	c->prev = *p;
	if (p->type == PDU_ROUTER_KEY) {
		memcpy(c->prev_spki, p->key.spki, p->key.spki_len);
		c->prev.key.spki = c->prev_spki;
	}
	c->prev.providers = NULL;
	c->have_prev = 1;
}

static void
on_payload(struct check *c, const struct pdu *p)
{
	int	 cmp;

	if (!c->started)
		fail(EXIT_VIOLATION, "%s before Cache Response",
		    pdu_type_name(p->type));
	/* 8210bis section 5.5: a Reset Query gets announcements only */
	if (!c->serial_query && p->flags != PDU_FLAG_ANNOUNCE)
		fail(EXIT_VIOLATION, "withdrawal in the answer to a Reset "
		    "Query");
	if (c->have_prev && (cmp = pdu_payload_cmp(&c->prev, p)) >= 0) {
		format_payload(c, p);
		if (cmp == 0)
			fail(EXIT_VIOLATION, "duplicate %s %s", p->flags ?
			    "announcement" : "withdrawal", c->line);
		/* section 11.2: MUST for version 2, SHOULD before */
		if (c->version >= PDU_VERSION_2)
			fail(EXIT_VIOLATION, "ordering error (8210bis section "
			    "11.2) at %s %s", p->flags ? "announcement" :
			    "withdrawal", c->line);
		c->nbad_order++;
	}
	remember(c, p);
	if (p->flags == PDU_FLAG_ANNOUNCE)
		c->nannounce++;
	else
		c->nwithdraw++;
	if (c->count_only)
		return;
	if (!c->serial_query) {
		format_payload(c, p);
		lines_add(&c->out, c->line);
		return;
	}
	c->line[0] = p->flags == PDU_FLAG_ANNOUNCE ? '+' : '-';
	c->line++;
	format_payload(c, p);
	c->line--;
	lines_add(&c->out, c->line);
}

/* An element both announced and withdrawn in one delta is no minimum. */
static void
check_delta_unique(struct check *c)
{
	size_t		 i;
	const char	*a, *b;
	size_t		 la, lb;

	for (i = 1; i < c->out.n; i++) {
		a = c->out.v[i - 1] + 1;
		b = c->out.v[i] + 1;
		/* ASPA identity stops before the providers */
		la = strncmp(a, "aspa,", 5) == 0 ?
		    (size_t)(strchr(a + 5, ',') - a) : strlen(a);
		lb = strncmp(b, "aspa,", 5) == 0 ?
		    (size_t)(strchr(b + 5, ',') - b) : strlen(b);
		if (la == lb && memcmp(a, b, la) == 0)
			fail(EXIT_VIOLATION, "%.*s both announced and "
			    "withdrawn (8210bis section 5.3)", (int)la, a);
	}
}

static int
sign_blind_cmp(const void *pa, const void *pb)
{
	const char	*a = *(char * const *)pa, *b = *(char * const *)pb;
	int		 c;

	if ((c = strcmp(a + 1, b + 1)) != 0)
		return c;
	return strcmp(a, b);
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 +
	    (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
finish(struct check *c, const struct pdu *eod)
{
	size_t	 i;

	if (c->timing)
		fprintf(stderr, "rtrcheck: %zu payload PDUs in %.1f ms\n",
		    c->nannounce + c->nwithdraw, elapsed_ms(&c->start));
	if (c->nbad_order > 0)
		fprintf(stderr, "rtrcheck: warning: %zu PDUs out of the "
		    "8210bis section 11.2 order\n", c->nbad_order);
	if (c->serial_query && c->out.n > 0) {
		qsort(c->out.v, c->out.n, sizeof(char *), sign_blind_cmp);
		check_delta_unique(c);
	}
	if (c->out.n > 0)
		qsort(c->out.v, c->out.n, sizeof(char *), str_cmp);
	printf("# version %u\n# session %u\n# serial %u\n", eod->version,
	    eod->session_id, eod->serial);
	if (eod->version >= PDU_VERSION_1)
		printf("# refresh %u\n# retry %u\n# expire %u\n", eod->refresh,
		    eod->retry, eod->expire);
	if (c->count_only)
		printf("# announce %zu\n# withdraw %zu\n", c->nannounce,
		    c->nwithdraw);
	for (i = 0; i < c->out.n; i++)
		printf("%s\n", c->out.v[i]);
	if (fflush(stdout) == EOF)
		fail(EXIT_USAGE, "stdout: %s", strerror(errno));
}

static void
on_error_report(const struct pdu *p)
{
	fail(EXIT_VIOLATION, "Error Report from the cache: %u (%s)%s%.*s",
	    p->error_code, pdu_rtr_error_name(p->error_code),
	    p->error_text_len > 0 ? ": " : "", (int)p->error_text_len,
	    p->error_text != NULL ? (const char *)p->error_text : "");
}

/* Handle one PDU; returns 1 when the exchange is complete. */
static int
on_pdu(struct check *c, const struct pdu *p)
{
	if (c->dump)
		dump_pdu(p);
	if (p->type == PDU_ERROR_REPORT)
		on_error_report(p);
	/* section 7: ignore Serial Notify, of any version, until the
	 * session is open */
	if (p->type == PDU_SERIAL_NOTIFY && !c->started)
		return 0;
	/* 8210bis section 7: every PDU carries the negotiated version */
	if (p->version != c->version)
		fail(EXIT_VIOLATION, "%s of version %u in a version %u "
		    "session", pdu_type_name(p->type), p->version, c->version);
	switch (p->type) {
	case PDU_SERIAL_NOTIFY:
		return 0;	/* a hint; section 5.2 allows it any time */
	case PDU_CACHE_RESPONSE:
		if (c->started)
			fail(EXIT_VIOLATION, "second Cache Response");
		if (c->expect_reset)
			fail(EXIT_VIOLATION, "Cache Response, expected Cache "
			    "Reset");
		/* section 5.3: the session must not change on a Serial Query */
		if (c->serial_query && p->session_id != c->q_session)
			fail(EXIT_VIOLATION, "Cache Response for session %u, "
			    "queried %u", p->session_id, c->q_session);
		c->started = 1;
		c->session = p->session_id;
		return 0;
	case PDU_CACHE_RESET:
		if (c->started || !c->serial_query)
			fail(EXIT_VIOLATION, "unexpected Cache Reset");
		if (!c->expect_reset)
			fail(EXIT_VIOLATION, "Cache Reset for session %u "
			    "serial %u", c->q_session, c->q_serial);
		printf("# cache reset\n");
		return 1;
	case PDU_END_OF_DATA:
		if (!c->started)
			fail(EXIT_VIOLATION, "End of Data before Cache "
			    "Response");
		/* section 5.7: same session as the Cache Response */
		if (p->session_id != c->session)
			fail(EXIT_VIOLATION, "End of Data for session %u in "
			    "session %u", p->session_id, c->session);
		finish(c, p);
		return 1;
	default:
		on_payload(c, p);
		return 0;
	}
}

static void
send_query(struct check *c)
{
	struct pdu_buf	 b = { 0 };
	int		 rc;

	if (c->serial_query)
		rc = pdu_put_serial_query(&b, c->version, c->q_session,
		    c->q_serial);
	else
		rc = pdu_put_reset_query(&b, c->version);
	if (rc != PDU_OK)
		fail(EXIT_USAGE, "query: %s", pdu_strerror(rc));
	send_all(c->fd, b.data, b.len);
	pdu_buf_free(&b);
}

/* Read until the exchange completes; the buffer only holds a tail. */
static void
run(struct check *c)
{
	struct pollfd	 pfd;
	struct pdu	 p;
	uint8_t		*buf;
	size_t		 len = 0, off, used;
	ssize_t		 r;
	int		 rc, left;

	if ((buf = malloc(READ_CHUNK + PDU_MAX_LEN)) == NULL)
		fail(EXIT_USAGE, "out of memory");
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	send_query(c);
	for (;;) {
		left = c->timeout * 1000 - (int)elapsed_ms(&c->start);
		if (left <= 0)
			fail(EXIT_VIOLATION, "timed out after %d s",
			    c->timeout);
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if ((rc = poll(&pfd, 1, left)) == -1 && errno != EINTR)
			fail(EXIT_USAGE, "poll: %s", strerror(errno));
		if (rc <= 0)
			continue;
		if ((r = read(c->fd, buf + len, READ_CHUNK)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fail(EXIT_VIOLATION, "read: %s", strerror(errno));
		}
		if (r == 0)
			fail(EXIT_VIOLATION, "connection closed before End "
			    "of Data%s", len > 0 ? " (inside a PDU)" : "");
		len += r;
		for (off = 0; off < len; off += used) {
			rc = pdu_decode_ex(buf + off, len - off,
			    PDU_DECODE_AS_ROUTER, &p, &used);
			if (rc == PDU_INCOMPLETE)
				break;
			if (rc != PDU_OK)
				fail(EXIT_VIOLATION, "bad %s: %s (would send "
				    "Error Report code %u)",
				    pdu_type_name(p.type), pdu_strerror(rc),
				    pdu_err_to_rtr(rc));
			if (on_pdu(c, &p)) {
				free(buf);
				return;
			}
		}
		memmove(buf, buf + off, len - off);
		len -= off;
	}
}

static void
parse_query(struct check *c, const char *arg)
{
	unsigned long	 session, serial;
	char		*end;

	errno = 0;
	session = strtoul(arg, &end, 10);
	if (end == arg || *end != ':' || session > UINT16_MAX)
		usage();
	arg = end + 1;
	serial = strtoul(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || serial > UINT32_MAX)
		usage();
	c->serial_query = 1;
	c->q_session = session;
	c->q_serial = serial;
}

int
main(int argc, char **argv)
{
	struct check	 c;
	char		*end;
	long		 n;
	int		 ch;

	memset(&c, 0, sizeof(c));
	c.version = PDU_VERSION_MAX;
	c.timeout = DEFAULT_TIMEOUT;
	while ((ch = getopt(argc, argv, "cdrs:t:Tv:")) != -1) {
		switch (ch) {
		case 'c':
			c.count_only = 1;
			break;
		case 'd':
			c.dump = 1;
			break;
		case 'r':
			c.expect_reset = 1;
			break;
		case 's':
			parse_query(&c, optarg);
			break;
		case 't':
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 1 ||
			    n > 3600)
				usage();
			c.timeout = n;
			break;
		case 'T':
			c.timing = 1;
			break;
		case 'v':
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 0 ||
			    n > PDU_VERSION_MAX)
				usage();
			c.version = n;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2 || (c.expect_reset && !c.serial_query))
		usage();
	if ((c.line = malloc(LINE_MAX_LEN + 1)) == NULL ||
	    (c.prev_spki = malloc(PDU_MAX_LEN)) == NULL)
		fail(EXIT_USAGE, "out of memory");
	c.fd = connect_to(argv[0], argv[1]);
	run(&c);
	close(c.fd);
	if (fflush(stdout) == EOF)
		fail(EXIT_USAGE, "stdout: %s", strerror(errno));
	lines_free(&c.out);
	free(c.line);
	free(c.prev_spki);
	return 0;
}
