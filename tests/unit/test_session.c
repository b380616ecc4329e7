/*
 * Tests of rtrd/session.c: the state machine driven with byte buffers,
 * version negotiation, answers to queries, cache resets, errors in both
 * directions, notifies, the output queue and the time-outs.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/prefix.h"
#include "rtrd/history.h"
#include "rtrd/pdu.h"
#include "rtrd/session.h"
#include "tests/unit/suite.h"

#define NO_EXPIRY	INT64_MAX
/* Most PDUs one drain() may collect. */
#define MAX_PDUS	32
#define T0		1000

static const uint16_t ids[HISTORY_NVERSIONS] = { 7000, 7001, 7002 };

static const struct session_config cfg2 = {
	.max_version = 2, .refresh = 300, .retry = 60, .expire = 900,
	.handshake_timeout = 30, .idle_timeout = 900
};
static const struct session_config cfg1 = {
	.max_version = 1, .refresh = 300, .retry = 60, .expire = 900,
	.handshake_timeout = 30, .idle_timeout = 900
};

/* What a router received: the raw bytes and the PDUs decoded from them. */
struct rx {
	uint8_t		*buf;
	size_t		 len;
	struct pdu	 p[MAX_PDUS];
	size_t		 n;
};

/* Push a set of the given /8 IPv4 prefixes with ASNs 1, 2, ... */
static void
push(struct history *h, const char *const *pfx, size_t n)
{
	struct input_set in;
	struct vrp v;
	size_t i;

	memset(&in, 0, sizeof(in));
	in.next_expiry = NO_EXPIRY;
	CU_ASSERT_FATAL((in.vrps = vrpset_new()) != NULL);
	CU_ASSERT_FATAL((in.aspas = aspaset_new()) != NULL);
	CU_ASSERT_FATAL((in.rks = rkset_new()) != NULL);
	for (i = 0; i < n; i++) {
		memset(&v, 0, sizeof(v));
		CU_ASSERT_FATAL(prefix_parse(pfx[i], &v.prefix) == PREFIX_OK);
		v.maxlen = v.prefix.len;
		v.asn = i + 1;
		v.expires = NO_EXPIRY;
		CU_ASSERT_FATAL(vrpset_add(in.vrps, &v) == PAYLOAD_OK);
	}
	CU_ASSERT_FATAL(vrpset_freeze(in.vrps) == PAYLOAD_OK);
	CU_ASSERT_FATAL(aspaset_freeze(in.aspas) == PAYLOAD_OK);
	CU_ASSERT_FATAL(rkset_freeze(in.rks) == PAYLOAD_OK);
	CU_ASSERT_FATAL(history_push(h, &in) >= 0);
}

static struct history *
new_history(int with_data)
{
	static const char *const a[] = { "10.0.0.0/8", "11.0.0.0/8" };
	struct history *h;

	CU_ASSERT_FATAL((h = history_new(4, ids, 50)) != NULL);
	if (with_data)
		push(h, a, 2);
	return h;
}

static void
rx_free(struct rx *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

/*
 * Take everything the session has queued (as a router reading it all)
 * and decode it.  Fails the test on an undecodable byte.
 */
static void
drain(struct session *s, struct rx *r)
{
	struct iovec iov[SESSION_QUEUE_MAX];
	size_t off, used, total = 0;
	int i, k;

	rx_free(r);
	k = session_output(s, iov, SESSION_QUEUE_MAX);
	for (i = 0; i < k; i++)
		total += iov[i].iov_len;
	CU_ASSERT(total == session_pending(s));
	CU_ASSERT_FATAL((r->buf = malloc(total + 1)) != NULL);
	for (i = 0; i < k; i++) {
		memcpy(r->buf + r->len, iov[i].iov_base, iov[i].iov_len);
		r->len += iov[i].iov_len;
	}
	session_sent(s, total);
	for (off = 0; off < r->len; off += used) {
		CU_ASSERT_FATAL(r->n < MAX_PDUS);
		CU_ASSERT_FATAL(pdu_decode(r->buf + off, r->len - off,
		    &r->p[r->n], &used) == PDU_OK);
		r->n++;
	}
}

static enum session_state
feed(struct session *s, const struct pdu_buf *pb)
{
	return session_input(s, pb->data, pb->len, T0);
}

static enum session_state
send_reset(struct session *s, uint8_t version)
{
	struct pdu_buf pb;
	enum session_state st;

	pdu_buf_init(&pb);
	CU_ASSERT_FATAL(pdu_put_reset_query(&pb, version) == PDU_OK);
	st = feed(s, &pb);
	pdu_buf_free(&pb);
	return st;
}

static enum session_state
send_serial(struct session *s, uint8_t version, uint16_t sid,
    uint32_t serial)
{
	struct pdu_buf pb;
	enum session_state st;

	pdu_buf_init(&pb);
	CU_ASSERT_FATAL(pdu_put_serial_query(&pb, version, sid, serial) ==
	    PDU_OK);
	st = feed(s, &pb);
	pdu_buf_free(&pb);
	return st;
}

/* Check r is Cache Response, npayload payload PDUs, End of Data. */
static void
check_response(const struct rx *r, uint8_t v, size_t npayload,
    uint32_t serial)
{
	size_t i;

	CU_ASSERT_FATAL(r->n == npayload + 2);
	CU_ASSERT(r->p[0].type == PDU_CACHE_RESPONSE);
	CU_ASSERT(r->p[0].session_id == ids[v]);
	for (i = 0; i < r->n; i++)
		CU_ASSERT(r->p[i].version == v);
	for (i = 1; i <= npayload; i++)
		CU_ASSERT(pdu_is_payload(r->p[i].type));
	CU_ASSERT(r->p[r->n - 1].type == PDU_END_OF_DATA);
	CU_ASSERT(r->p[r->n - 1].session_id == ids[v]);
	CU_ASSERT(r->p[r->n - 1].serial == serial);
	if (v > 0) {
		CU_ASSERT(r->p[r->n - 1].refresh == 300);
		CU_ASSERT(r->p[r->n - 1].retry == 60);
		CU_ASSERT(r->p[r->n - 1].expire == 900);
	}
}

/* Check r is one Error Report of version v and code. */
static void
check_error(const struct rx *r, uint8_t v, uint16_t code)
{
	CU_ASSERT_FATAL(r->n == 1);
	CU_ASSERT(r->p[0].type == PDU_ERROR_REPORT);
	CU_ASSERT(r->p[0].version == v);
	CU_ASSERT(r->p[0].error_code == code);
}

static void
test_session_reset_each_version(void)
{
	struct history *h = new_history(1);
	struct session *s;
	struct rx r = { 0 };
	uint8_t v;

	for (v = 0; v <= PDU_VERSION_MAX; v++) {
		CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
		CU_ASSERT(session_state(s) == SESSION_NEW);
		CU_ASSERT(session_version(s) == -1);
		CU_ASSERT(session_want_read(s));
		CU_ASSERT(send_reset(s, v) == SESSION_ESTABLISHED);
		CU_ASSERT(session_version(s) == v);
		/* No more reading while the answer waits. */
		CU_ASSERT(!session_want_read(s));
		drain(s, &r);
		check_response(&r, v, 2, 50);
		CU_ASSERT(session_want_read(s));
		CU_ASSERT(session_pending(s) == 0);
		session_free(s);
	}
	rx_free(&r);
	history_free(h);
}

static void
test_session_version_too_high(void)
{
	struct history *h = new_history(1);
	struct session *s;
	struct rx r = { 0 };

	/* A version 2 router meets a cache limited to version 1. */
	CU_ASSERT_FATAL((s = session_new(h, &cfg1, "t", T0)) != NULL);
	CU_ASSERT(send_reset(s, 2) == SESSION_CLOSING);
	CU_ASSERT(!session_want_read(s));
	drain(s, &r);
	check_error(&r, 1, RTR_ERR_UNSUPPORTED_VERSION);
	/* The offending PDU is quoted. */
	CU_ASSERT(r.p[0].error_pdu_len == PDU_RESET_QUERY_LEN);
	CU_ASSERT(session_state(s) == SESSION_CLOSED);
	session_free(s);

	/* The router retries at the version it was told: accepted. */
	CU_ASSERT_FATAL((s = session_new(h, &cfg1, "t", T0)) != NULL);
	CU_ASSERT(send_reset(s, 1) == SESSION_ESTABLISHED);
	drain(s, &r);
	check_response(&r, 1, 2, 50);
	session_free(s);

	/* A version no RFC defines. */
	CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
	{
		static const uint8_t v3[] = { 3, PDU_RESET_QUERY, 0, 0,
		    0, 0, 0, 8 };
		CU_ASSERT(session_input(s, v3, sizeof(v3), T0) ==
		    SESSION_CLOSING);
	}
	drain(s, &r);
	check_error(&r, 2, RTR_ERR_UNSUPPORTED_VERSION);
	CU_ASSERT(session_state(s) == SESSION_CLOSED);
	session_free(s);
	rx_free(&r);
	history_free(h);
}

static void
test_session_version_change(void)
{
	struct history *h = new_history(1);
	struct session *s;
	struct rx r = { 0 };

	/* Negotiated 1, then a version 0 query: Unexpected Protocol Version. */
	CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
	CU_ASSERT(send_reset(s, 1) == SESSION_ESTABLISHED);
	drain(s, &r);
	CU_ASSERT(send_reset(s, 0) == SESSION_CLOSING);
	drain(s, &r);
	check_error(&r, 1, RTR_ERR_UNEXPECTED_VERSION);
	CU_ASSERT(session_state(s) == SESSION_CLOSED);
	session_free(s);

	/* Version 0 has no code 8: Unsupported Protocol Version instead. */
	CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
	CU_ASSERT(send_reset(s, 0) == SESSION_ESTABLISHED);
	drain(s, &r);
	CU_ASSERT(send_serial(s, 2, ids[2], 50) == SESSION_CLOSING);
	drain(s, &r);
	check_error(&r, 0, RTR_ERR_UNSUPPORTED_VERSION);
	session_free(s);
	rx_free(&r);
	history_free(h);
}

static void
test_session_serial_query(void)
{
	static const char *const b[] = { "10.0.0.0/8", "12.0.0.0/8" };
	struct history *h = new_history(1);
	struct session *s;
	struct rx r = { 0 };

	CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
	/* Up to date: an empty response. */
	CU_ASSERT(send_serial(s, 2, ids[2], 50) == SESSION_ESTABLISHED);
	drain(s, &r);
	check_response(&r, 2, 0, 50);
	push(h, b, 2);
	/* One step behind: 11/8 withdrawn, 12/8 announced. */
	CU_ASSERT(send_serial(s, 2, ids[2], 50) == SESSION_ESTABLISHED);
	drain(s, &r);
	check_response(&r, 2, 2, 51);
	CU_ASSERT(r.p[1].flags == PDU_FLAG_ANNOUNCE);
	CU_ASSERT(r.p[1].vrp.prefix.addr[0] == 12);
	CU_ASSERT(r.p[2].flags == PDU_FLAG_WITHDRAW);
	CU_ASSERT(r.p[2].vrp.prefix.addr[0] == 11);
	/* A serial we never had. */
	CU_ASSERT(send_serial(s, 2, ids[2], 49) == SESSION_ESTABLISHED);
	drain(s, &r);
	CU_ASSERT_FATAL(r.n == 1);
	CU_ASSERT(r.p[0].type == PDU_CACHE_RESET);
	CU_ASSERT(r.p[0].version == 2);
	/* Another session's ID (the version 1 one): reset too. */
	CU_ASSERT(send_serial(s, 2, ids[1], 51) == SESSION_ESTABLISHED);
	drain(s, &r);
	CU_ASSERT_FATAL(r.n == 1);
	CU_ASSERT(r.p[0].type == PDU_CACHE_RESET);
	session_free(s);

	/* A first query for a stale session: reset, version fixed. */
	CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
	CU_ASSERT(send_serial(s, 1, 1234, 3) == SESSION_OPEN);
	CU_ASSERT(session_version(s) == 1);
	drain(s, &r);
	CU_ASSERT_FATAL(r.n == 1);
	CU_ASSERT(r.p[0].type == PDU_CACHE_RESET);
	CU_ASSERT(r.p[0].version == 1);
	/* Not established: no notifies yet. */
	CU_ASSERT(session_notify(s) == 0);
	session_free(s);
	rx_free(&r);
	history_free(h);
}

static void
test_session_no_data(void)
{
	static const char *const a[] = { "10.0.0.0/8" };
	struct history *h = new_history(0);
	struct session *s;
	struct rx r = { 0 };

	CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
	/* RFC 8210 section 8.4: No Data Available, the session stays. */
	CU_ASSERT(send_reset(s, 2) == SESSION_OPEN);
	drain(s, &r);
	check_error(&r, 2, RTR_ERR_NO_DATA);
	CU_ASSERT(session_state(s) == SESSION_OPEN);
	CU_ASSERT(send_serial(s, 2, ids[2], 1) == SESSION_OPEN);
	drain(s, &r);
	check_error(&r, 2, RTR_ERR_NO_DATA);
	push(h, a, 1);
	CU_ASSERT(send_reset(s, 2) == SESSION_ESTABLISHED);
	drain(s, &r);
	check_response(&r, 2, 1, 50);
	session_free(s);
	rx_free(&r);
	history_free(h);
}

static void
test_session_malformed(void)
{
	/* A Reset Query claiming 12 bytes. */
	static const uint8_t badlen[] = { 1, PDU_RESET_QUERY, 0, 0, 0, 0, 0,
	    12, 0, 0, 0, 0 };
	/* A Reset Query with a non-zero reserved field. */
	static const uint8_t badzero[] = { 1, PDU_RESET_QUERY, 0, 1, 0, 0, 0,
	    8 };
	/* A Cache Response sent by the router. */
	static const uint8_t wrongdir[] = { 1, PDU_CACHE_RESPONSE, 0, 1, 0,
	    0, 0, 8 };
	/* An unknown PDU type. */
	static const uint8_t badtype[] = { 1, 99, 0, 0, 0, 0, 0, 8 };
	static const struct {
		const uint8_t	*pdu;
		size_t		 len;
		uint16_t	 code;
	} cases[] = {
		{ badlen, sizeof(badlen), RTR_ERR_CORRUPT_DATA },
		{ badzero, sizeof(badzero), RTR_ERR_CORRUPT_DATA },
		{ wrongdir, sizeof(wrongdir), RTR_ERR_INVALID_REQUEST },
		{ badtype, sizeof(badtype), RTR_ERR_UNSUPPORTED_TYPE },
	};
	struct history *h = new_history(1);
	struct session *s;
	struct rx r = { 0 };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
		CU_ASSERT(session_input(s, cases[i].pdu, cases[i].len, T0) ==
		    SESSION_CLOSING);
		/* Further input is ignored while closing. */
		CU_ASSERT(send_reset(s, 1) == SESSION_CLOSING);
		drain(s, &r);
		check_error(&r, 1, cases[i].code);
		CU_ASSERT(r.p[0].error_pdu != NULL);
		CU_ASSERT(session_state(s) == SESSION_CLOSED);
		session_free(s);
	}
	rx_free(&r);
	history_free(h);
}

static void
test_session_router_error(void)
{
	struct history *h = new_history(1);
	struct session *s;
	struct pdu_buf pb;

	/* A fatal report ends the session without an answer. */
	CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
	CU_ASSERT(send_reset(s, 1) == SESSION_ESTABLISHED);
	session_sent(s, session_pending(s));
	pdu_buf_init(&pb);
	CU_ASSERT_FATAL(pdu_put_error_report(&pb, 1,
	    RTR_ERR_WITHDRAW_UNKNOWN, NULL, 0, "no such prefix") == PDU_OK);
	CU_ASSERT(feed(s, &pb) == SESSION_CLOSED);
	CU_ASSERT(session_pending(s) == 0);
	session_free(s);

	/* Even as the first PDU, and at a version we do not speak. */
	CU_ASSERT_FATAL((s = session_new(h, &cfg1, "t", T0)) != NULL);
	pdu_buf_reset(&pb);
	CU_ASSERT_FATAL(pdu_put_error_report(&pb, 2, RTR_ERR_CORRUPT_DATA,
	    NULL, 0, "bad") == PDU_OK);
	CU_ASSERT(feed(s, &pb) == SESSION_CLOSED);
	CU_ASSERT(session_pending(s) == 0);
	session_free(s);

	/* A malformed Error Report is never answered (text length lies). */
	CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
	{
		static const uint8_t bad[] = { 1, PDU_ERROR_REPORT, 0, 0,
		    0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 9 };
		CU_ASSERT(session_input(s, bad, sizeof(bad), T0) ==
		    SESSION_CLOSED);
	}
	CU_ASSERT(session_pending(s) == 0);
	session_free(s);
	pdu_buf_free(&pb);
	history_free(h);
}

static void
test_session_split_and_pipelined(void)
{
	struct history *h = new_history(1);
	struct session *s;
	struct pdu_buf pb;
	struct rx r = { 0 };
	size_t i;

	CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
	pdu_buf_init(&pb);
	CU_ASSERT_FATAL(pdu_put_serial_query(&pb, 1, ids[1], 50) == PDU_OK);
	/* One byte at a time: nothing until the PDU is complete. */
	for (i = 0; i + 1 < pb.len; i++) {
		CU_ASSERT(session_input(s, pb.data + i, 1, T0) == SESSION_NEW);
		CU_ASSERT(session_pending(s) == 0);
	}
	CU_ASSERT(session_input(s, pb.data + i, 1, T0) ==
	    SESSION_ESTABLISHED);
	drain(s, &r);
	check_response(&r, 1, 0, 50);

	/* Two queries in one read: the second waits for the first answer. */
	pdu_buf_reset(&pb);
	CU_ASSERT_FATAL(pdu_put_reset_query(&pb, 1) == PDU_OK);
	CU_ASSERT_FATAL(pdu_put_serial_query(&pb, 1, ids[1], 50) == PDU_OK);
	CU_ASSERT(feed(s, &pb) == SESSION_ESTABLISHED);
	drain(s, &r);
	check_response(&r, 1, 2, 50);
	/* Sending the first answer released the second query. */
	drain(s, &r);
	check_response(&r, 1, 0, 50);
	drain(s, &r);
	CU_ASSERT(r.n == 0);
	session_free(s);
	pdu_buf_free(&pb);
	rx_free(&r);
	history_free(h);
}

static void
test_session_notify(void)
{
	static const char *const b[] = { "10.0.0.0/8" };
	static const char *const c[] = { "12.0.0.0/8" };
	struct history *h = new_history(1);
	struct session *s, *fresh;
	struct iovec iov[SESSION_QUEUE_MAX];
	struct rx r = { 0 };

	CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
	CU_ASSERT_FATAL((fresh = session_new(h, &cfg2, "u", T0)) != NULL);
	CU_ASSERT(send_reset(s, 2) == SESSION_ESTABLISHED);
	drain(s, &r);
	push(h, b, 1);
	CU_ASSERT(session_notify(s) == 1);
	/* A notify already waiting is enough. */
	CU_ASSERT(session_notify(s) == 0);
	CU_ASSERT(session_notify(fresh) == 0);
	CU_ASSERT(session_pending(fresh) == 0);
	drain(s, &r);
	CU_ASSERT_FATAL(r.n == 1);
	CU_ASSERT(r.p[0].type == PDU_SERIAL_NOTIFY);
	CU_ASSERT(r.p[0].version == 2);
	CU_ASSERT(r.p[0].session_id == ids[2]);
	CU_ASSERT(r.p[0].serial == 51);
	/* Once it is partly sent, a new one is queued behind it. */
	push(h, c, 1);
	CU_ASSERT(session_notify(s) == 1);
	CU_ASSERT(session_output(s, iov, SESSION_QUEUE_MAX) == 1);
	session_sent(s, 4);
	CU_ASSERT(session_notify(s) == 1);
	CU_ASSERT(session_pending(s) == 2 * PDU_SERIAL_NOTIFY_LEN - 4);
	/* An abort keeps the partly sent PDU whole, then reports. */
	CU_ASSERT(session_abort(s, RTR_ERR_INTERNAL, "going away") ==
	    SESSION_CLOSING);
	CU_ASSERT(session_pending(s) > PDU_SERIAL_NOTIFY_LEN - 4);
	session_sent(s, PDU_SERIAL_NOTIFY_LEN - 4);
	drain(s, &r);
	check_error(&r, 2, RTR_ERR_INTERNAL);
	CU_ASSERT(session_state(s) == SESSION_CLOSED);
	session_free(s);
	session_free(fresh);
	rx_free(&r);
	history_free(h);
}

static void
test_session_timeouts(void)
{
	struct history *h = new_history(1);
	struct session *s;
	struct rx r = { 0 };

	CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
	CU_ASSERT(session_deadline(s) == T0 + 30);
	CU_ASSERT(session_tick(s, T0 + 29) == SESSION_NEW);
	CU_ASSERT(session_tick(s, T0 + 30) == SESSION_CLOSED);
	/* Nothing is answered any more. */
	CU_ASSERT(send_reset(s, 1) == SESSION_CLOSED);
	CU_ASSERT(session_pending(s) == 0);
	session_free(s);

	CU_ASSERT_FATAL((s = session_new(h, &cfg2, "t", T0)) != NULL);
	CU_ASSERT(send_reset(s, 1) == SESSION_ESTABLISHED);
	drain(s, &r);
	CU_ASSERT(session_deadline(s) == T0 + 900);
	CU_ASSERT(session_tick(s, T0 + 899) == SESSION_ESTABLISHED);
	CU_ASSERT(session_tick(s, T0 + 900) == SESSION_CLOSED);
	session_free(s);

	/* A report nobody reads is given up after the flush time-out. */
	CU_ASSERT_FATAL((s = session_new(h, &cfg1, "t", T0)) != NULL);
	CU_ASSERT(send_reset(s, 2) == SESSION_CLOSING);
	CU_ASSERT(session_tick(s, T0 + SESSION_FLUSH_TIMEOUT) ==
	    SESSION_CLOSED);
	session_free(s);

	/* The peer going away ends every state. */
	CU_ASSERT_FATAL((s = session_new(h, &cfg1, "t", T0)) != NULL);
	CU_ASSERT(session_eof(s) == SESSION_CLOSED);
	CU_ASSERT(strcmp(session_name(s), "t") == 0);
	session_free(s);
	rx_free(&r);
	history_free(h);
}

REEF_SUITE(session,
    REEF_TEST(test_session_reset_each_version),
    REEF_TEST(test_session_version_too_high),
    REEF_TEST(test_session_version_change),
    REEF_TEST(test_session_serial_query),
    REEF_TEST(test_session_no_data),
    REEF_TEST(test_session_malformed),
    REEF_TEST(test_session_router_error),
    REEF_TEST(test_session_split_and_pipelined),
    REEF_TEST(test_session_notify),
    REEF_TEST(test_session_timeouts))
