/*
 * Tests of rtrd/history.c: serials, deltas and their combination, the
 * shared buffers, the history limit, serial wrap-around and expiry.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/prefix.h"
#include "rtrd/history.h"
#include "rtrd/pdu.h"
#include "tests/unit/suite.h"

#define NO_EXPIRY	INT64_MAX
/* Most payload PDUs a test stream may hold. */
#define MAX_ITEMS	64
#define ITEM_LEN	80

static const uint16_t ids[HISTORY_NVERSIONS] = { 100, 101, 102 };

/* An ASPA for make_set(): customer and up to 3 providers. */
struct taspa {
	uint32_t	customer;
	uint32_t	prov[3];
	size_t		nprov;
};

/* A payload stream decoded into "+1.0.0.0/24-24 AS1" style lines. */
struct items {
	char	v[MAX_ITEMS][ITEM_LEN];
	size_t	n;
};

static void
add_vrp(struct vrpset *vs, const char *pfx, unsigned int maxlen,
    uint32_t asn, int64_t expires)
{
	struct vrp v;

	memset(&v, 0, sizeof(v));
	CU_ASSERT_FATAL(prefix_parse(pfx, &v.prefix) == PREFIX_OK);
	v.maxlen = maxlen;
	v.asn = asn;
	v.expires = expires;
	CU_ASSERT_FATAL(vrpset_add(vs, &v) == PAYLOAD_OK);
}

/*
 * A frozen input set of the VRPs "pfx asn" (maxlen = prefix length),
 * the ASPAs and, if ski != 0, one router key whose SKI is filled with it.
 */
static void
make_set(struct input_set *in, const char *const *vrps, size_t nvrps,
    const struct taspa *aspas, size_t naspas, uint8_t ski)
{
	static const uint8_t spki[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	struct router_key k;
	struct aspa a;
	struct prefix p;
	char buf[64], *sp;
	size_t i;

	memset(in, 0, sizeof(*in));
	in->format = INPUT_FORMAT_RPKI_CLIENT;
	in->next_expiry = NO_EXPIRY;
	CU_ASSERT_FATAL((in->vrps = vrpset_new()) != NULL);
	CU_ASSERT_FATAL((in->aspas = aspaset_new()) != NULL);
	CU_ASSERT_FATAL((in->rks = rkset_new()) != NULL);
	for (i = 0; i < nvrps; i++) {
		snprintf(buf, sizeof(buf), "%s", vrps[i]);
		CU_ASSERT_FATAL((sp = strchr(buf, ' ')) != NULL);
		*sp = '\0';
		CU_ASSERT_FATAL(prefix_parse(buf, &p) == PREFIX_OK);
		add_vrp(in->vrps, buf, p.len, strtoul(sp + 1, NULL, 10),
		    NO_EXPIRY);
	}
	for (i = 0; i < naspas; i++) {
		memset(&a, 0, sizeof(a));
		a.customer = aspas[i].customer;
		a.providers = aspas[i].prov;
		a.nproviders = aspas[i].nprov;
		a.expires = NO_EXPIRY;
		CU_ASSERT_FATAL(aspaset_add(in->aspas, &a) == PAYLOAD_OK);
	}
	if (ski != 0) {
		memset(&k, 0, sizeof(k));
		k.asn = 64512;
		memset(k.ski, ski, sizeof(k.ski));
		k.spki = spki;
		k.spki_len = sizeof(spki);
		k.expires = NO_EXPIRY;
		CU_ASSERT_FATAL(rkset_add(in->rks, &k) == PAYLOAD_OK);
	}
	CU_ASSERT_FATAL(vrpset_freeze(in->vrps) == PAYLOAD_OK);
	CU_ASSERT_FATAL(aspaset_freeze(in->aspas) == PAYLOAD_OK);
	CU_ASSERT_FATAL(rkset_freeze(in->rks) == PAYLOAD_OK);
}

/* Push a set of VRPs only; returns history_push()'s result. */
static int
push_vrps(struct history *h, const char *const *vrps, size_t n)
{
	struct input_set in;
	int rc;

	make_set(&in, vrps, n, NULL, 0, 0);
	if ((rc = history_push(h, &in)) == -1)
		input_set_free(&in);
	else
		CU_ASSERT(in.vrps == NULL);	/* taken over */
	return rc;
}

/* Decode a payload stream into lines, failing on anything but payloads. */
static void
decode(const struct rtr_buf *b, struct items *it)
{
	struct pdu p;
	char pfx[PREFIX_STRLEN];
	size_t off = 0, used;

	it->n = 0;
	if (b == NULL)
		return;
	while (off < b->len) {
		CU_ASSERT_FATAL(pdu_decode(b->data + off, b->len - off, &p,
		    &used) == PDU_OK);
		CU_ASSERT_FATAL(it->n < MAX_ITEMS);
		switch (p.type) {
		case PDU_IPV4_PREFIX:
		case PDU_IPV6_PREFIX:
			prefix_format(&p.vrp.prefix, pfx, sizeof(pfx));
			snprintf(it->v[it->n++], ITEM_LEN, "%c%s %u",
			    p.flags & PDU_FLAG_ANNOUNCE ? '+' : '-', pfx,
			    p.vrp.asn);
			break;
		case PDU_ASPA:
			snprintf(it->v[it->n++], ITEM_LEN, "%cAS%u:%zu",
			    p.flags & PDU_FLAG_ANNOUNCE ? '+' : '-',
			    p.customer, p.nproviders);
			break;
		case PDU_ROUTER_KEY:
			snprintf(it->v[it->n++], ITEM_LEN, "%ckey%u",
			    p.flags & PDU_FLAG_ANNOUNCE ? '+' : '-',
			    p.key.ski[0]);
			break;
		default:
			CU_FAIL_FATAL("not a payload PDU");
		}
		off += used;
	}
}

/* Does the stream hold exactly these lines (any order)? */
static int
same_items(const struct items *it, const char *const *want, size_t n)
{
	size_t i, j;

	if (it->n != n)
		return 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < it->n; j++)
			if (strcmp(it->v[j], want[i]) == 0)
				break;
		if (j == it->n)
			return 0;
	}
	return 1;
}

/* The net delta from `from` at version v, decoded. */
static enum history_result
delta_items(struct history *h, uint8_t v, uint32_t from, struct items *it)
{
	struct rtr_buf *b = NULL;
	enum history_result r;

	r = history_delta(h, v, from, &b);
	decode(b, it);
	rtr_buf_unref(b);
	return r;
}

static void
test_history_new_bounds(void)
{
	struct history *h;

	CU_ASSERT(history_new(0, ids, 0) == NULL);
	CU_ASSERT(history_new(MAX_RTR_DELTAS + 1, ids, 0) == NULL);
	CU_ASSERT_FATAL((h = history_new(MAX_RTR_DELTAS, ids, 7)) != NULL);
	CU_ASSERT(history_session_id(h, 0) == 100);
	CU_ASSERT(history_session_id(h, 2) == 102);
	history_free(h);
	history_free(NULL);
}

static void
test_history_no_data(void)
{
	struct history *h;
	struct rtr_buf *b = (struct rtr_buf *)1;

	CU_ASSERT_FATAL((h = history_new(3, ids, 0)) != NULL);
	CU_ASSERT(!history_has_data(h));
	CU_ASSERT(history_current(h) == NULL);
	CU_ASSERT(history_full(h, 1) == NULL);
	CU_ASSERT(history_delta(h, 1, 0, &b) == HISTORY_ERROR);
	CU_ASSERT(b == NULL);
	CU_ASSERT(history_expire(h, 1) == 0);
	history_free(h);
}

static void
test_history_full_shared(void)
{
	static const char *const a[] = { "192.0.2.0/24 1", "2001:db8::/32 2" };
	static const char *const want[] = { "+192.0.2.0/24 1",
	    "+2001:db8::/32 2" };
	struct history *h;
	struct rtr_buf *b1, *b2, *b0;
	struct items it;

	CU_ASSERT_FATAL((h = history_new(3, ids, 41)) != NULL);
	CU_ASSERT(push_vrps(h, a, 2) == 1);
	CU_ASSERT(history_has_data(h));
	CU_ASSERT(history_serial(h) == 41);
	CU_ASSERT(vrpset_count(history_current(h)->vrps) == 2);
	CU_ASSERT_FATAL((b1 = history_full(h, 1)) != NULL);
	CU_ASSERT_FATAL((b2 = history_full(h, 1)) != NULL);
	/* Encoded once, shared by reference. */
	CU_ASSERT(b1 == b2);
	CU_ASSERT(b1->refs == 3);
	CU_ASSERT_FATAL((b0 = history_full(h, 0)) != NULL);
	CU_ASSERT(b0 != b1);
	decode(b1, &it);
	CU_ASSERT(same_items(&it, want, 2));
	CU_ASSERT(history_full(h, PDU_VERSION_MAX + 1) == NULL);
	/* A buffer outlives the history that made it. */
	history_free(h);
	decode(b2, &it);
	CU_ASSERT(same_items(&it, want, 2));
	rtr_buf_unref(b1);
	rtr_buf_unref(b2);
	rtr_buf_unref(b0);
}

static void
test_history_one_delta(void)
{
	static const char *const a[] = { "192.0.2.0/24 1", "198.51.100.0/24 2" };
	static const char *const b[] = { "192.0.2.0/24 1", "203.0.113.0/24 3" };
	static const char *const want[] = { "+203.0.113.0/24 3",
	    "-198.51.100.0/24 2" };
	struct history *h;
	struct rtr_buf *d1, *d2, *full;
	struct items it;

	CU_ASSERT_FATAL((h = history_new(3, ids, 0)) != NULL);
	CU_ASSERT(push_vrps(h, a, 2) == 1);
	CU_ASSERT(history_delta(h, 2, 0, &d1) == HISTORY_CURRENT);
	full = history_full(h, 2);
	CU_ASSERT(push_vrps(h, b, 2) == 1);
	CU_ASSERT(history_serial(h) == 1);
	CU_ASSERT(history_ndeltas(h) == 1);
	/* The old full set stays valid for whoever still sends it. */
	decode(full, &it);
	CU_ASSERT(it.n == 2);
	rtr_buf_unref(full);
	CU_ASSERT(delta_items(h, 2, 0, &it) == HISTORY_DELTA);
	CU_ASSERT(same_items(&it, want, 2));
	/* Announcements first (8210bis section 11.2). */
	CU_ASSERT(it.v[0][0] == '+');
	CU_ASSERT(history_delta(h, 2, 0, &d1) == HISTORY_DELTA);
	CU_ASSERT(history_delta(h, 2, 0, &d2) == HISTORY_DELTA);
	CU_ASSERT(d1 == d2);
	rtr_buf_unref(d1);
	rtr_buf_unref(d2);
	CU_ASSERT(history_delta(h, 2, 1, &d1) == HISTORY_CURRENT);
	CU_ASSERT(d1 == NULL);
	/* Serials we never had, before and after ours. */
	CU_ASSERT(history_delta(h, 2, 0xffffffffu, &d1) == HISTORY_RESET);
	CU_ASSERT(history_delta(h, 2, 5, &d1) == HISTORY_RESET);
	CU_ASSERT(d1 == NULL);
	/* Same content again: no new serial. */
	CU_ASSERT(push_vrps(h, b, 2) == 0);
	CU_ASSERT(history_serial(h) == 1);
	CU_ASSERT(history_ndeltas(h) == 1);
	history_free(h);
}

static void
test_history_combined(void)
{
	static const char *const s0[] = { "10.0.0.0/8 1", "11.0.0.0/8 2" };
	static const char *const s1[] = { "11.0.0.0/8 2", "12.0.0.0/8 3",
	    "13.0.0.0/8 4" };
	static const char *const s2[] = { "10.0.0.0/8 1", "12.0.0.0/8 3" };
	static const char *const s3[] = { "12.0.0.0/8 3" };
	static const char *const w0[] = { "+12.0.0.0/8 3", "-10.0.0.0/8 1",
	    "-11.0.0.0/8 2" };
	static const char *const w1[] = { "-11.0.0.0/8 2", "-13.0.0.0/8 4" };
	static const char *const w2[] = { "-10.0.0.0/8 1" };
	struct history *h;
	struct items it;

	CU_ASSERT_FATAL((h = history_new(5, ids, 0)) != NULL);
	CU_ASSERT(push_vrps(h, s0, 2) == 1);
	CU_ASSERT(push_vrps(h, s1, 3) == 1);
	CU_ASSERT(push_vrps(h, s2, 2) == 1);
	CU_ASSERT(push_vrps(h, s3, 1) == 1);
	CU_ASSERT(history_serial(h) == 3);
	/*
	 * 10/8 left and came back and left again, 13/8 came and went: the
	 * net change holds each element once, or not at all.
	 */
	CU_ASSERT(delta_items(h, 1, 0, &it) == HISTORY_DELTA);
	CU_ASSERT(same_items(&it, w0, 3));
	CU_ASSERT(delta_items(h, 1, 1, &it) == HISTORY_DELTA);
	CU_ASSERT(same_items(&it, w1, 2));
	CU_ASSERT(delta_items(h, 1, 2, &it) == HISTORY_DELTA);
	CU_ASSERT(same_items(&it, w2, 1));
	/* Back to s0: from serial 0 the net change is empty. */
	CU_ASSERT(push_vrps(h, s0, 2) == 1);
	CU_ASSERT(delta_items(h, 0, 0, &it) == HISTORY_DELTA);
	CU_ASSERT(it.n == 0);
	history_free(h);
}

static void
test_history_limit(void)
{
	static const char *const s[][1] = { { "10.0.0.0/8 1" },
	    { "10.0.0.0/8 2" }, { "10.0.0.0/8 3" }, { "10.0.0.0/8 4" } };
	struct history *h;
	struct items it;
	size_t i;

	CU_ASSERT_FATAL((h = history_new(2, ids, 0)) != NULL);
	for (i = 0; i < 4; i++)
		CU_ASSERT(push_vrps(h, s[i], 1) == 1);
	CU_ASSERT(history_ndeltas(h) == 2);
	CU_ASSERT(history_serial(h) == 3);
	CU_ASSERT(delta_items(h, 1, 0, &it) == HISTORY_RESET);
	CU_ASSERT(delta_items(h, 1, 1, &it) == HISTORY_DELTA);
	CU_ASSERT(it.n == 2);
	CU_ASSERT(delta_items(h, 1, 2, &it) == HISTORY_DELTA);
	CU_ASSERT(it.n == 2);
	history_free(h);
}

static void
test_history_wrap(void)
{
	static const char *const a[] = { "10.0.0.0/8 1" };
	static const char *const b[] = { "10.0.0.0/8 2" };
	static const char *const c[] = { "10.0.0.0/8 3" };
	static const char *const want[] = { "+10.0.0.0/8 3", "-10.0.0.0/8 1" };
	struct history *h;
	struct items it;

	CU_ASSERT_FATAL((h = history_new(4, ids, 0xfffffffeu)) != NULL);
	CU_ASSERT(push_vrps(h, a, 1) == 1);
	CU_ASSERT(push_vrps(h, b, 1) == 1);
	CU_ASSERT(history_serial(h) == 0xffffffffu);
	CU_ASSERT(push_vrps(h, c, 1) == 1);
	CU_ASSERT(history_serial(h) == 0);
	CU_ASSERT(delta_items(h, 1, 0xfffffffeu, &it) == HISTORY_DELTA);
	CU_ASSERT(same_items(&it, want, 2));
	CU_ASSERT(delta_items(h, 1, 0xffffffffu, &it) == HISTORY_DELTA);
	CU_ASSERT(it.n == 2);
	history_free(h);
}

static void
test_history_aspa_and_keys(void)
{
	static const struct taspa a0[] = { { 100, { 1 }, 1 },
	    { 200, { 5, 6 }, 2 } };
	static const struct taspa a1[] = { { 100, { 2, 3 }, 2 },
	    { 300, { 7 }, 1 } };
	static const struct taspa a2[] = { { 300, { 7 }, 1 } };
	static const char *const w01[] = { "+AS100:2", "+AS300:1",
	    "-AS200:0", "+key1", "-key9" };
	static const char *const w02[] = { "+AS300:1", "-AS100:0",
	    "-AS200:0", "+key1", "-key9" };
	static const char *const w12[] = { "-AS100:0" };
	struct input_set in;
	struct history *h;
	struct items it;

	CU_ASSERT_FATAL((h = history_new(4, ids, 0)) != NULL);
	make_set(&in, NULL, 0, a0, 2, 9);
	CU_ASSERT(history_push(h, &in) == 1);
	make_set(&in, NULL, 0, a1, 2, 1);
	CU_ASSERT(history_push(h, &in) == 1);
	/* The old sets are gone: the deltas must own their keys and ASNs. */
	CU_ASSERT(delta_items(h, 2, 0, &it) == HISTORY_DELTA);
	CU_ASSERT(same_items(&it, w01, 5));
	make_set(&in, NULL, 0, a2, 1, 1);
	CU_ASSERT(history_push(h, &in) == 1);
	CU_ASSERT(delta_items(h, 2, 0, &it) == HISTORY_DELTA);
	CU_ASSERT(same_items(&it, w02, 5));
	CU_ASSERT(delta_items(h, 2, 1, &it) == HISTORY_DELTA);
	CU_ASSERT(same_items(&it, w12, 1));
	/* Version 0 knows neither ASPAs nor router keys. */
	CU_ASSERT(delta_items(h, 0, 0, &it) == HISTORY_DELTA);
	CU_ASSERT(it.n == 0);
	history_free(h);
}

static void
test_history_expire(void)
{
	static const char *const want[] = { "-10.0.0.0/8 1" };
	struct input_set in;
	struct history *h;
	struct items it;

	memset(&in, 0, sizeof(in));
	in.format = INPUT_FORMAT_RPKI_CLIENT;
	CU_ASSERT_FATAL((in.vrps = vrpset_new()) != NULL);
	CU_ASSERT_FATAL((in.aspas = aspaset_new()) != NULL);
	CU_ASSERT_FATAL((in.rks = rkset_new()) != NULL);
	add_vrp(in.vrps, "10.0.0.0/8", 8, 1, 1000);
	add_vrp(in.vrps, "11.0.0.0/8", 8, 2, 5000);
	CU_ASSERT_FATAL(vrpset_freeze(in.vrps) == PAYLOAD_OK);
	CU_ASSERT_FATAL(aspaset_freeze(in.aspas) == PAYLOAD_OK);
	CU_ASSERT_FATAL(rkset_freeze(in.rks) == PAYLOAD_OK);
	in.next_expiry = 1000;
	CU_ASSERT_FATAL((h = history_new(4, ids, 0)) != NULL);
	CU_ASSERT(history_push(h, &in) == 1);
	CU_ASSERT(history_expire(h, 999) == 0);
	/* Still valid during its expires second. */
	CU_ASSERT(history_expire(h, 1000) == 0);
	CU_ASSERT(history_serial(h) == 0);
	CU_ASSERT(history_expire(h, 1001) == 1);
	CU_ASSERT(history_serial(h) == 1);
	CU_ASSERT(vrpset_count(history_current(h)->vrps) == 1);
	CU_ASSERT(delta_items(h, 1, 0, &it) == HISTORY_DELTA);
	CU_ASSERT(same_items(&it, want, 1));
	CU_ASSERT(history_expire(h, 1002) == 0);
	history_free(h);
}

REEF_SUITE(history,
    REEF_TEST(test_history_new_bounds),
    REEF_TEST(test_history_no_data),
    REEF_TEST(test_history_full_shared),
    REEF_TEST(test_history_one_delta),
    REEF_TEST(test_history_combined),
    REEF_TEST(test_history_limit),
    REEF_TEST(test_history_wrap),
    REEF_TEST(test_history_aspa_and_keys),
    REEF_TEST(test_history_expire))
