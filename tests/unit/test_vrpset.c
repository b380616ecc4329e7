/*
 * Tests for common/vrpset.c: checks, de-duplication, order, lookups,
 * covering queries, RFC 6811 origin validation and diffs (against naive
 * O(n^2) references on random sets with a fixed seed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/prefix.h"
#include "common/vrpset.h"
#include "suite.h"

#define RANDOM_VRPS	3000

static struct vrp
mkvrp(const char *pfx, unsigned int maxlen, uint32_t asn, uint32_t ta,
    int64_t expires)
{
	struct vrp v;

	memset(&v, 0, sizeof(v));
	CU_ASSERT_EQUAL_FATAL(prefix_parse(pfx, &v.prefix), PREFIX_OK);
	v.maxlen = (uint8_t)maxlen;
	v.asn = asn;
	v.ta = ta;
	v.expires = expires;
	return v;
}

static struct vrpset *
frozen_set(const struct vrp *v, size_t n)
{
	struct vrpset *s;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = vrpset_new());
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(vrpset_add(s, &v[i]), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(vrpset_freeze(s), PAYLOAD_OK);
	return s;
}

/* Same identity, written independently of vrp_cmp(). */
static int
same_key(const struct vrp *a, const struct vrp *b)
{
	return a->prefix.afi == b->prefix.afi && a->prefix.len == b->prefix.len &&
	    memcmp(a->prefix.addr, b->prefix.addr, PREFIX_ADDR_MAX) == 0 &&
	    a->maxlen == b->maxlen && a->asn == b->asn;
}

/* The documented set order, written independently of vrp_cmp(). */
static int
ordered(const struct vrp *a, const struct vrp *b)
{
	int rv;

	if (a->prefix.afi != b->prefix.afi)
		return a->prefix.afi < b->prefix.afi;
	rv = memcmp(a->prefix.addr, b->prefix.addr, PREFIX_ADDR_MAX);
	if (rv != 0)
		return rv < 0;
	if (a->prefix.len != b->prefix.len)
		return a->prefix.len > b->prefix.len;
	if (a->maxlen != b->maxlen)
		return a->maxlen > b->maxlen;
	return a->asn < b->asn;
}

static void
test_check(void)
{
	struct vrp v;

	v = mkvrp("192.0.2.0/24", 24, 64496, 0, 0);
	CU_ASSERT_EQUAL(vrp_check(&v), PAYLOAD_OK);
	v.maxlen = 32;
	CU_ASSERT_EQUAL(vrp_check(&v), PAYLOAD_OK);
	v.maxlen = 23;
	CU_ASSERT_EQUAL(vrp_check(&v), PAYLOAD_EMAXLEN);
	v.maxlen = 33;
	CU_ASSERT_EQUAL(vrp_check(&v), PAYLOAD_EMAXLEN);
	v = mkvrp("2001:db8::/32", 128, 64496, 0, 0);
	CU_ASSERT_EQUAL(vrp_check(&v), PAYLOAD_OK);
	v.maxlen = 129;
	CU_ASSERT_EQUAL(vrp_check(&v), PAYLOAD_EMAXLEN);
	v.maxlen = 31;
	CU_ASSERT_EQUAL(vrp_check(&v), PAYLOAD_EMAXLEN);
	v = mkvrp("0.0.0.0/0", 0, 0, 0, 0);
	CU_ASSERT_EQUAL(vrp_check(&v), PAYLOAD_OK);
	/* Broken prefixes are caught before the maxLength. */
	v = mkvrp("192.0.2.0/24", 24, 64496, 0, 0);
	v.prefix.addr[3] = 1;
	CU_ASSERT_EQUAL(vrp_check(&v), PAYLOAD_EPREFIX);
	v.prefix.addr[3] = 0;
	v.prefix.afi = 0;
	CU_ASSERT_EQUAL(vrp_check(&v), PAYLOAD_EPREFIX);
}

static void
test_add_errors(void)
{
	struct vrpset *s;
	struct vrp v, bad;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = vrpset_new());
	CU_ASSERT_EQUAL(vrpset_frozen(s), 0);
	v = mkvrp("192.0.2.0/24", 24, 64496, 0, 0);
	bad = v;
	bad.maxlen = 20;
	CU_ASSERT_EQUAL(vrpset_add(s, &bad), PAYLOAD_EMAXLEN);
	bad = v;
	bad.prefix.len = 40;
	CU_ASSERT_EQUAL(vrpset_add(s, &bad), PAYLOAD_EPREFIX);
	CU_ASSERT_EQUAL(vrpset_count(s), 0);
	CU_ASSERT_EQUAL(vrpset_add(s, &v), PAYLOAD_OK);
	CU_ASSERT_EQUAL(vrpset_count(s), 1);
	/* Insertion order before freezing. */
	CU_ASSERT(same_key(vrpset_get(s, 0), &v));
	CU_ASSERT_PTR_NULL(vrpset_get(s, 1));
	/* Queries need a frozen set. */
	CU_ASSERT_PTR_NULL(vrpset_find(s, &v.prefix, 24, 64496));
	CU_ASSERT_EQUAL(vrpset_covering(s, &v.prefix, NULL, NULL),
	    PAYLOAD_ESTATE);
	CU_ASSERT_EQUAL(vrpset_validate_origin(s, &v.prefix, 64496),
	    PAYLOAD_ESTATE);
	CU_ASSERT_EQUAL(vrpset_freeze(s), PAYLOAD_OK);
	CU_ASSERT_EQUAL(vrpset_frozen(s), 1);
	CU_ASSERT_EQUAL(vrpset_freeze(s), PAYLOAD_ESTATE);
	CU_ASSERT_EQUAL(vrpset_add(s, &v), PAYLOAD_ESTATE);
	CU_ASSERT_EQUAL(vrpset_count(s), 1);
	vrpset_free(s);
	vrpset_free(NULL);
}

/* All 24 insertion orders of four duplicates give the same survivor. */
static void
test_dedup(void)
{
	struct vrp dup[4], extra, in[5];
	const struct vrp *r;
	struct vrpset *s;
	int a, b, c, d, used;

	dup[0] = mkvrp("192.0.2.0/24", 24, 64496, 3, 100);
	dup[1] = mkvrp("192.0.2.0/24", 24, 64496, 5, 200);
	dup[2] = mkvrp("192.0.2.0/24", 24, 64496, 2, 200);
	dup[3] = mkvrp("192.0.2.0/24", 24, 64496, 0, 150);
	/* Differs only in maxLength: a separate entry. */
	extra = mkvrp("192.0.2.0/24", 25, 64496, 9, 50);
	for (a = 0; a < 4; a++)
	for (b = 0; b < 4; b++)
	for (c = 0; c < 4; c++)
	for (d = 0; d < 4; d++) {
		used = 1 << a | 1 << b | 1 << c | 1 << d;
		if (used != 0xf)
			continue;
		in[0] = dup[a];
		in[1] = extra;
		in[2] = dup[b];
		in[3] = dup[c];
		in[4] = dup[d];
		s = frozen_set(in, 5);
		CU_ASSERT_EQUAL(vrpset_count(s), 2);
		r = vrpset_find(s, &dup[0].prefix, 24, 64496);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->expires, 200);
		CU_ASSERT_EQUAL(r->ta, 2);
		r = vrpset_find(s, &dup[0].prefix, 25, 64496);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->expires, 50);
		CU_ASSERT_EQUAL(r->ta, 9);
		vrpset_free(s);
	}
}

static void
test_order(void)
{
	/* The expected (rpki-client) order. */
	static const struct {
		const char	*pfx;
		unsigned int	 maxlen;
		uint32_t	 asn;
	} want[] = {
		{ "0.0.0.0/0", 0, 0 },
		{ "10.0.0.0/24", 24, 1 },
		{ "10.0.0.0/16", 24, 1 },
		{ "10.0.0.0/16", 16, 1 },
		{ "10.0.0.0/16", 16, 2 },
		{ "10.0.0.0/16", 16, 4294967295u },
		{ "10.0.0.0/8", 8, 1 },
		{ "10.0.1.0/24", 24, 1 },
		{ "192.0.2.0/24", 24, 64496 },
		{ "255.255.255.255/32", 32, 1 },
		{ "::/0", 0, 0 },
		{ "2001:db8::/48", 48, 1 },
		{ "2001:db8::/32", 48, 1 },
		{ "2001:db8::/32", 32, 1 },
		{ "2001:db8:1::/48", 48, 1 },
	};
	const size_t n = sizeof(want) / sizeof(want[0]);
	struct vrp v[sizeof(want) / sizeof(want[0])];
	char buf[PREFIX_STRLEN];
	struct vrpset *s;
	const struct vrp *r;
	size_t i;

	/* Add in reverse, interleaved order. */
	for (i = 0; i < n; i++) {
		size_t k = (i * 7) % n;

		v[i] = mkvrp(want[k].pfx, want[k].maxlen, want[k].asn, 0, 0);
	}
	s = frozen_set(v, n);
	CU_ASSERT_EQUAL_FATAL(vrpset_count(s), n);
	for (i = 0; i < n; i++) {
		r = vrpset_get(s, i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		prefix_format(&r->prefix, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, want[i].pfx);
		CU_ASSERT_EQUAL(r->maxlen, want[i].maxlen);
		CU_ASSERT_EQUAL(r->asn, want[i].asn);
		if (i > 0) {
			CU_ASSERT(vrp_cmp(vrpset_get(s, i - 1), r) < 0);
			CU_ASSERT(vrp_cmp(r, vrpset_get(s, i - 1)) > 0);
		}
		CU_ASSERT_EQUAL(vrp_cmp(r, r), 0);
	}
	CU_ASSERT_PTR_NULL(vrpset_get(s, n));
	vrpset_free(s);
}

static void
test_empty(void)
{
	struct vrpset *a, *b;
	struct vrp_diff d;
	struct prefix p;

	a = frozen_set(NULL, 0);
	b = frozen_set(NULL, 0);
	CU_ASSERT_EQUAL(vrpset_count(a), 0);
	CU_ASSERT_PTR_NULL(vrpset_get(a, 0));
	CU_ASSERT_EQUAL(prefix_parse("10.0.0.0/8", &p), PREFIX_OK);
	CU_ASSERT_PTR_NULL(vrpset_find(a, &p, 8, 1));
	CU_ASSERT_EQUAL(vrpset_covering(a, &p, NULL, NULL), 0);
	CU_ASSERT_EQUAL(vrpset_validate_origin(a, &p, 1), ROV_NOTFOUND);
	CU_ASSERT_EQUAL(vrpset_diff(a, b, &d), PAYLOAD_OK);
	CU_ASSERT(d.nannounce == 0 && d.nwithdraw == 0);
	CU_ASSERT(d.announce == NULL && d.withdraw == NULL);
	vrp_diff_free(&d);
	vrp_diff_free(NULL);
	vrpset_free(a);
	vrpset_free(b);
}

static void
test_find(void)
{
	struct vrp v[3];
	struct vrpset *s;
	const struct vrp *r;
	struct prefix p;

	v[0] = mkvrp("192.0.2.0/24", 24, 64496, 1, 10);
	v[1] = mkvrp("192.0.2.0/24", 26, 64496, 1, 10);
	v[2] = mkvrp("2001:db8::/32", 48, 64497, 2, 20);
	s = frozen_set(v, 3);
	r = vrpset_find(s, &v[1].prefix, 26, 64496);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT(same_key(r, &v[1]));
	r = vrpset_find(s, &v[2].prefix, 48, 64497);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->ta, 2);
	CU_ASSERT_EQUAL(r->expires, 20);
	CU_ASSERT_PTR_NULL(vrpset_find(s, &v[1].prefix, 25, 64496));
	CU_ASSERT_PTR_NULL(vrpset_find(s, &v[1].prefix, 26, 64497));
	CU_ASSERT_PTR_NULL(vrpset_find(s, &v[1].prefix, 26 + 256, 64496));
	CU_ASSERT_EQUAL(prefix_parse("192.0.2.0/25", &p), PREFIX_OK);
	CU_ASSERT_PTR_NULL(vrpset_find(s, &p, 26, 64496));
	vrpset_free(s);
}

struct collect {
	char	text[16][PREFIX_STRLEN];
	int	n;
	int	stop_after;
};

static int
collect_visit(const struct vrp *v, void *arg)
{
	struct collect *c = arg;

	if (c->n < 16)
		prefix_format(&v->prefix, c->text[c->n], PREFIX_STRLEN);
	c->n++;
	return c->stop_after > 0 && c->n >= c->stop_after;
}

static long
covering(const struct vrpset *s, const char *route, struct collect *c,
    int stop_after)
{
	struct prefix p;

	memset(c, 0, sizeof(*c));
	c->stop_after = stop_after;
	CU_ASSERT_EQUAL_FATAL(prefix_parse(route, &p), PREFIX_OK);
	return vrpset_covering(s, &p, collect_visit, c);
}

static void
test_covering(void)
{
	struct vrp v[8];
	struct vrpset *s;
	struct collect c;
	struct prefix bad;

	v[0] = mkvrp("10.0.0.0/8", 8, 1, 0, 0);
	v[1] = mkvrp("10.0.0.0/16", 24, 2, 0, 0);
	v[2] = mkvrp("10.0.0.0/24", 24, 3, 0, 0);
	v[3] = mkvrp("10.0.1.0/24", 24, 4, 0, 0);
	v[4] = mkvrp("11.0.0.0/8", 8, 5, 0, 0);
	v[5] = mkvrp("2001:db8::/32", 48, 6, 0, 0);
	v[6] = mkvrp("10.0.0.0/16", 16, 7, 0, 0);
	v[7] = mkvrp("0.0.0.0/0", 32, 0, 0, 0);
	s = frozen_set(v, 8);

	CU_ASSERT_EQUAL(covering(s, "10.0.0.0/24", &c, 0), 5);
	CU_ASSERT_EQUAL(c.n, 5);
	/* Shortest covering prefix first. */
	CU_ASSERT_STRING_EQUAL(c.text[0], "0.0.0.0/0");
	CU_ASSERT_STRING_EQUAL(c.text[1], "10.0.0.0/8");
	CU_ASSERT_STRING_EQUAL(c.text[2], "10.0.0.0/16");
	CU_ASSERT_STRING_EQUAL(c.text[3], "10.0.0.0/16");
	CU_ASSERT_STRING_EQUAL(c.text[4], "10.0.0.0/24");
	CU_ASSERT_EQUAL(covering(s, "10.0.1.128/25", &c, 0), 5);
	CU_ASSERT_STRING_EQUAL(c.text[4], "10.0.1.0/24");
	CU_ASSERT_EQUAL(covering(s, "10.0.0.0/8", &c, 0), 2);
	CU_ASSERT_EQUAL(covering(s, "10.1.0.0/16", &c, 0), 2);
	CU_ASSERT_EQUAL(covering(s, "12.0.0.0/8", &c, 0), 1);
	CU_ASSERT_EQUAL(covering(s, "0.0.0.0/0", &c, 0), 1);
	CU_ASSERT_EQUAL(covering(s, "2001:db8:1::/48", &c, 0), 1);
	CU_ASSERT_STRING_EQUAL(c.text[0], "2001:db8::/32");
	CU_ASSERT_EQUAL(covering(s, "2001:db9::/32", &c, 0), 0);
	CU_ASSERT_EQUAL(covering(s, "2001::/16", &c, 0), 0);
	/* Without a callback the covering VRPs are only counted. */
	CU_ASSERT_EQUAL_FATAL(prefix_parse("10.0.0.0/24", &bad), PREFIX_OK);
	CU_ASSERT_EQUAL(vrpset_covering(s, &bad, NULL, NULL), 5);
	/* The callback can stop the walk. */
	CU_ASSERT_EQUAL(covering(s, "10.0.0.0/24", &c, 2), 2);
	CU_ASSERT_EQUAL(c.n, 2);

	memset(&bad, 0, sizeof(bad));
	bad.afi = AFI_IPV4;
	bad.len = 8;
	bad.addr[3] = 1;
	CU_ASSERT_EQUAL(vrpset_covering(s, &bad, collect_visit, &c),
	    PAYLOAD_EPREFIX);
	CU_ASSERT_EQUAL(vrpset_validate_origin(s, &bad, 1), PAYLOAD_EPREFIX);
	vrpset_free(s);
}

static int
rov(const struct vrpset *s, const char *route, uint32_t origin)
{
	struct prefix p;

	CU_ASSERT_EQUAL_FATAL(prefix_parse(route, &p), PREFIX_OK);
	return vrpset_validate_origin(s, &p, origin);
}

static void
test_validate_origin(void)
{
	struct vrp v[5];
	struct vrpset *s;

	v[0] = mkvrp("10.0.0.0/16", 24, 65000, 0, 0);
	v[1] = mkvrp("10.0.0.0/16", 16, 65001, 0, 0);
	v[2] = mkvrp("192.0.2.0/24", 24, 0, 0, 0);	/* AS0: never routed */
	v[3] = mkvrp("2001:db8::/32", 48, 65002, 0, 0);
	v[4] = mkvrp("198.51.100.0/24", 24, 65003, 0, 0);
	s = frozen_set(v, 5);

	CU_ASSERT_EQUAL(rov(s, "10.0.1.0/24", 65000), ROV_VALID);
	CU_ASSERT_EQUAL(rov(s, "10.0.0.0/16", 65000), ROV_VALID);
	CU_ASSERT_EQUAL(rov(s, "10.0.0.0/16", 65001), ROV_VALID);
	/* Covered, but the other VRP's maxLength is too short. */
	CU_ASSERT_EQUAL(rov(s, "10.0.1.0/24", 65001), ROV_INVALID);
	CU_ASSERT_EQUAL(rov(s, "10.0.1.0/25", 65000), ROV_INVALID);
	CU_ASSERT_EQUAL(rov(s, "10.0.1.0/24", 65009), ROV_INVALID);
	/* Not covered: shorter than the VRP, or elsewhere. */
	CU_ASSERT_EQUAL(rov(s, "10.0.0.0/8", 65000), ROV_NOTFOUND);
	CU_ASSERT_EQUAL(rov(s, "11.0.0.0/8", 65000), ROV_NOTFOUND);
	/* AS0 VRPs never match, even for origin 0 (NONE). */
	CU_ASSERT_EQUAL(rov(s, "192.0.2.0/24", 0), ROV_INVALID);
	CU_ASSERT_EQUAL(rov(s, "192.0.2.0/24", 64496), ROV_INVALID);
	CU_ASSERT_EQUAL(rov(s, "198.51.100.0/24", 0), ROV_INVALID);
	CU_ASSERT_EQUAL(rov(s, "198.51.100.0/24", 65003), ROV_VALID);
	CU_ASSERT_EQUAL(rov(s, "2001:db8:ffff::/48", 65002), ROV_VALID);
	CU_ASSERT_EQUAL(rov(s, "2001:db8:ffff::/49", 65002), ROV_INVALID);
	CU_ASSERT_EQUAL(rov(s, "2001:db9::/48", 65002), ROV_NOTFOUND);
	vrpset_free(s);
}

static uint32_t
xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* A random VRP from a small universe, so that sets overlap a lot. */
static struct vrp
random_vrp(uint32_t *seed)
{
	struct vrp v;
	uint32_t r = xorshift(seed), r2 = xorshift(seed);
	unsigned int len;

	memset(&v, 0, sizeof(v));
	if (r % 4 == 0) {
		len = 32 + ((r >> 2) % 3) * 8;	/* 32, 40 or 48 */
		v.prefix.afi = AFI_IPV6;
		v.prefix.addr[0] = 0x20;
		v.prefix.addr[1] = 0x01;
		v.prefix.addr[2] = 0x0d;
		v.prefix.addr[3] = 0xb8;
		if (len >= 40)
			v.prefix.addr[4] = (r >> 8) % 4;
		if (len >= 48)
			v.prefix.addr[5] = (r >> 12) % 4;
	} else {
		len = (r >> 2) % 2 == 0 ? 16 : 24;
		v.prefix.afi = AFI_IPV4;
		v.prefix.addr[0] = 10;
		v.prefix.addr[1] = (r >> 8) % 8;
		if (len == 24)
			v.prefix.addr[2] = (r >> 12) % 8;
	}
	v.prefix.len = (uint8_t)len;
	v.maxlen = (uint8_t)(len + (r2 % 3));
	v.asn = 64496 + (r2 >> 4) % 6;
	v.ta = (r2 >> 8) % 3;
	v.expires = 1000 + (r2 >> 12) % 50;
	return v;
}

/*
 * Random multiset with many duplicates: the frozen set must equal the
 * naive de-duplication (latest expires, smallest ta among those).
 */
static void
test_random_dedup(void)
{
	struct vrp *in, *ref;
	struct vrpset *s;
	const struct vrp *r;
	uint32_t seed = 0xdecafbad;
	size_t i, j, nref = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in = calloc(RANDOM_VRPS, sizeof(*in)));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref = calloc(RANDOM_VRPS, sizeof(*ref)));
	for (i = 0; i < RANDOM_VRPS; i++) {
		in[i] = random_vrp(&seed);
		CU_ASSERT_EQUAL_FATAL(vrp_check(&in[i]), PAYLOAD_OK);
		for (j = 0; j < nref; j++)
			if (same_key(&ref[j], &in[i]))
				break;
		if (j == nref)
			ref[nref++] = in[i];
		else if (in[i].expires > ref[j].expires ||
		    (in[i].expires == ref[j].expires && in[i].ta < ref[j].ta))
			ref[j] = in[i];
	}
	s = frozen_set(in, RANDOM_VRPS);
	CU_ASSERT_EQUAL(vrpset_count(s), nref);
	CU_ASSERT(nref < RANDOM_VRPS / 2);	/* the test did exercise dedup */
	for (i = 0; i < vrpset_count(s); i++) {
		r = vrpset_get(s, i);
		if (i > 0)
			CU_ASSERT_FATAL(ordered(vrpset_get(s, i - 1), r));
	}
	for (j = 0; j < nref; j++) {
		r = vrpset_find(s, &ref[j].prefix, ref[j].maxlen, ref[j].asn);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->expires, ref[j].expires);
		CU_ASSERT_EQUAL(r->ta, ref[j].ta);
	}
	vrpset_free(s);
	free(in);
	free(ref);
}

/* Elements of a (unique, ordered) set a whose key is not in set b. */
static size_t
naive_minus(const struct vrpset *a, const struct vrpset *b, struct vrp *out)
{
	size_t i, j, n = 0;

	for (i = 0; i < vrpset_count(a); i++) {
		for (j = 0; j < vrpset_count(b); j++)
			if (same_key(vrpset_get(a, i), vrpset_get(b, j)))
				break;
		if (j == vrpset_count(b))
			out[n++] = *vrpset_get(a, i);
	}
	return n;
}

static void
check_diff(const struct vrpset *a, const struct vrpset *b)
{
	struct vrp_diff d;
	struct vrp *ann, *wd;
	size_t nann, nwd, i;

	ann = calloc(vrpset_count(b) + 1, sizeof(*ann));
	wd = calloc(vrpset_count(a) + 1, sizeof(*wd));
	CU_ASSERT_FATAL(ann != NULL && wd != NULL);
	nann = naive_minus(b, a, ann);
	nwd = naive_minus(a, b, wd);
	CU_ASSERT_EQUAL_FATAL(vrpset_diff(a, b, &d), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(d.nannounce, nann);
	CU_ASSERT_EQUAL_FATAL(d.nwithdraw, nwd);
	for (i = 0; i < nann; i++) {
		CU_ASSERT(same_key(&d.announce[i], &ann[i]));
		/* Announcements carry the new set's data. */
		CU_ASSERT_EQUAL(d.announce[i].expires, ann[i].expires);
		CU_ASSERT_EQUAL(d.announce[i].ta, ann[i].ta);
	}
	for (i = 0; i < nwd; i++)
		CU_ASSERT(same_key(&d.withdraw[i], &wd[i]));
	/* |a| - withdrawn + announced = |b| */
	CU_ASSERT_EQUAL(vrpset_count(a) - nwd + nann, vrpset_count(b));
	vrp_diff_free(&d);
	CU_ASSERT(d.announce == NULL && d.nannounce == 0);
	free(ann);
	free(wd);
}

static void
test_random_diff(void)
{
	struct vrpset *a, *b;
	struct vrp v;
	uint32_t seed = 8210, keep = 6811;
	size_t i;
	int round;

	for (round = 0; round < 3; round++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(a = vrpset_new());
		CU_ASSERT_PTR_NOT_NULL_FATAL(b = vrpset_new());
		for (i = 0; i < RANDOM_VRPS; i++) {
			v = random_vrp(&seed);
			/* Mostly shared, some only on one side. */
			switch (xorshift(&keep) % 8) {
			case 0:
				vrpset_add(a, &v);
				break;
			case 1:
				vrpset_add(b, &v);
				break;
			case 2:
				vrpset_add(a, &v);
				v.expires += 100;	/* not a change */
				v.ta++;
				vrpset_add(b, &v);
				break;
			default:
				vrpset_add(a, &v);
				vrpset_add(b, &v);
				break;
			}
		}
		CU_ASSERT_EQUAL(vrpset_freeze(a), PAYLOAD_OK);
		CU_ASSERT_EQUAL(vrpset_freeze(b), PAYLOAD_OK);
		check_diff(a, b);
		check_diff(b, a);
		check_diff(a, a);
		vrpset_free(a);
		vrpset_free(b);
	}
}

static void
test_diff_small(void)
{
	struct vrp va[3], vb[3];
	struct vrpset *a, *b, *u;
	struct vrp_diff d;
	char buf[PREFIX_STRLEN];

	va[0] = mkvrp("10.0.0.0/8", 8, 1, 0, 100);
	va[1] = mkvrp("10.0.0.0/8", 8, 2, 0, 100);
	va[2] = mkvrp("2001:db8::/32", 32, 3, 0, 100);
	vb[0] = mkvrp("10.0.0.0/8", 8, 1, 1, 999);	/* same key */
	vb[1] = mkvrp("10.0.0.0/8", 9, 2, 0, 100);	/* maxlen differs */
	vb[2] = mkvrp("192.0.2.0/24", 24, 4, 0, 100);
	a = frozen_set(va, 3);
	b = frozen_set(vb, 3);
	CU_ASSERT_EQUAL_FATAL(vrpset_diff(a, b, &d), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(d.nannounce, 2);
	CU_ASSERT_EQUAL_FATAL(d.nwithdraw, 2);
	CU_ASSERT_EQUAL(d.announce[0].maxlen, 9);
	prefix_format(&d.announce[1].prefix, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.0/24");
	CU_ASSERT_EQUAL(d.withdraw[0].asn, 2);
	CU_ASSERT_EQUAL(d.withdraw[0].maxlen, 8);
	CU_ASSERT_EQUAL(d.withdraw[1].asn, 3);
	vrp_diff_free(&d);

	/* Unfrozen operands are refused and the diff left empty. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(u = vrpset_new());
	d.nannounce = 5;
	CU_ASSERT_EQUAL(vrpset_diff(a, u, &d), PAYLOAD_ESTATE);
	CU_ASSERT(d.nannounce == 0 && d.announce == NULL);
	CU_ASSERT_EQUAL(vrpset_diff(u, a, &d), PAYLOAD_ESTATE);
	vrpset_free(u);
	vrpset_free(a);
	vrpset_free(b);
}

/*
 * Random routes: covering queries and origin validation agree with a
 * linear scan over the set.
 */
static void
test_random_covering(void)
{
	struct vrp *in;
	struct vrpset *s;
	struct vrp route;
	const struct vrp *r;
	uint32_t seed = 6483;
	size_t i, j;
	long want;
	int state;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in = calloc(RANDOM_VRPS, sizeof(*in)));
	for (i = 0; i < RANDOM_VRPS; i++)
		in[i] = random_vrp(&seed);
	s = frozen_set(in, RANDOM_VRPS);
	for (i = 0; i < 500; i++) {
		route = random_vrp(&seed);
		/* Lengthen some routes below the VRPs' maxLength. */
		if (i % 2 == 0 && route.prefix.len < 48)
			route.prefix.len += 2;
		want = 0;
		state = ROV_NOTFOUND;
		for (j = 0; j < vrpset_count(s); j++) {
			r = vrpset_get(s, j);
			if (!prefix_covers(&r->prefix, &route.prefix))
				continue;
			want++;
			if (state != ROV_VALID)
				state = ROV_INVALID;
			if (r->asn == route.asn && route.prefix.len <= r->maxlen)
				state = ROV_VALID;
		}
		CU_ASSERT_EQUAL(vrpset_covering(s, &route.prefix,
		    collect_visit, &(struct collect){ .n = 0 }), want);
		CU_ASSERT_EQUAL(vrpset_validate_origin(s, &route.prefix,
		    route.asn), state);
	}
	vrpset_free(s);
	free(in);
}

/* A large set stays fast and exact (1,000,000 is the design target). */
static void
test_large(void)
{
	struct vrpset *s;
	struct vrp v;
	size_t i;
	const size_t n = 300000;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = vrpset_new());
	memset(&v, 0, sizeof(v));
	v.prefix.afi = AFI_IPV4;
	v.prefix.len = 24;
	v.maxlen = 24;
	for (i = 0; i < n; i++) {
		/* Each prefix twice, in a scrambled order. */
		uint32_t k = (uint32_t)((i * 2654435761u) % (n / 2));

		v.prefix.addr[0] = (uint8_t)(k >> 16);
		v.prefix.addr[1] = (uint8_t)(k >> 8);
		v.prefix.addr[2] = (uint8_t)k;
		v.asn = k % 100;
		v.expires = (int64_t)i;
		CU_ASSERT_EQUAL_FATAL(vrpset_add(s, &v), PAYLOAD_OK);
	}
	CU_ASSERT_EQUAL(vrpset_count(s), n);
	CU_ASSERT_EQUAL(vrpset_freeze(s), PAYLOAD_OK);
	CU_ASSERT_EQUAL(vrpset_count(s), n / 2);
	for (i = 1; i < vrpset_count(s); i++)
		CU_ASSERT_FATAL(vrp_cmp(vrpset_get(s, i - 1),
		    vrpset_get(s, i)) < 0);
	vrpset_free(s);
}

/*
 * vrpset_freeze() against an independent reference: qsort(3) with the
 * documented order (identity ascending in set order, then expires
 * descending, then ta ascending), keeping the first of each run of equal
 * identities.
 */
static int
ref_sortcmp(const void *pa, const void *pb)
{
	const struct vrp *a = pa, *b = pb;

	if (!same_key(a, b))
		return ordered(a, b) ? -1 : 1;
	if (a->expires != b->expires)
		return a->expires > b->expires ? -1 : 1;
	if (a->ta != b->ta)
		return a->ta < b->ta ? -1 : 1;
	return 0;
}

/* Sorts in[0..n) in place and returns the de-duplicated count. */
static size_t
ref_freeze(struct vrp *in, size_t n)
{
	size_t i, out = 0;

	qsort(in, n, sizeof(in[0]), ref_sortcmp);
	for (i = 0; i < n; i++)
		if (out == 0 || !same_key(&in[out - 1], &in[i]))
			in[out++] = in[i];
	return out;
}

/* Input shapes for check_freeze(). */
enum gen_shape {
	GEN_WIDE,	/* any valid prefix of either family */
	GEN_DUPS,	/* a small universe: many equal identities */
	GEN_TIES,	/* few identities, differing in expires and ta */
	GEN_V4_ASN,	/* one IPv4 prefix, ASNs differing in low bits */
	GEN_V6_HOST	/* IPv6 host routes inside one /64 */
};

/* Keep the first len bits of addr, clear the rest. */
static void
mask_addr(uint8_t *addr, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < PREFIX_ADDR_MAX; i++) {
		if (len >= 8 * (i + 1))
			continue;
		if (len <= 8 * i)
			addr[i] = 0;
		else
			addr[i] &= (uint8_t)(0xff00 >> (len - 8 * i));
	}
}

static struct vrp
gen_vrp(uint32_t *seed, enum gen_shape shape)
{
	struct vrp v;
	unsigned int i, bits;

	if (shape == GEN_DUPS)
		return random_vrp(seed);
	memset(&v, 0, sizeof(v));
	v.prefix.afi = xorshift(seed) % 3 == 0 ? AFI_IPV6 : AFI_IPV4;
	bits = v.prefix.afi == AFI_IPV4 ? 32 : 128;
	for (i = 0; i < bits / 8; i++)
		v.prefix.addr[i] = (uint8_t)xorshift(seed);
	v.prefix.len = (uint8_t)(xorshift(seed) % (bits + 1));
	v.asn = xorshift(seed);
	v.ta = xorshift(seed) % 4;
	v.expires = (int64_t)(xorshift(seed) % 5) - 2;
	switch (shape) {
	case GEN_TIES:
		v.prefix.afi = AFI_IPV4;
		v.prefix.len = 8;
		v.prefix.addr[0] = xorshift(seed) % 4;
		v.asn %= 3;
		break;
	case GEN_V4_ASN:
		v.prefix.afi = AFI_IPV4;
		v.prefix.len = 16;
		v.prefix.addr[0] = 10;
		v.asn = 65536 + v.asn % 64;
		break;
	case GEN_V6_HOST:
		v.prefix.afi = AFI_IPV6;
		v.prefix.len = 128;
		memset(v.prefix.addr, 0x20, 8);
		v.prefix.addr[15] %= 8;
		v.asn %= 2;
		break;
	default:
		/* Wide ASNs and expires, sometimes before 1970. */
		if (xorshift(seed) % 2)
			v.expires = (int64_t)xorshift(seed) - INT32_MAX;
		break;
	}
	if (v.prefix.afi == AFI_IPV4)
		memset(v.prefix.addr + 4, 0, PREFIX_ADDR_MAX - 4);
	mask_addr(v.prefix.addr, v.prefix.len);
	bits = prefix_afi_bits(v.prefix.afi);
	v.maxlen = (uint8_t)(v.prefix.len +
	    xorshift(seed) % (bits - v.prefix.len + 1));
	if (shape == GEN_TIES || shape == GEN_V6_HOST)
		v.maxlen = v.prefix.len;
	return v;
}

/* Freeze in[0..n) and compare with the reference field by field. */
static void
check_freeze(const struct vrp *in, size_t n)
{
	struct vrpset *s;
	struct vrp *ref;
	const struct vrp *r;
	size_t i, nref;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ref = calloc(n + 1, sizeof(*ref)));
	if (n > 0)
		memcpy(ref, in, n * sizeof(*ref));
	nref = ref_freeze(ref, n);
	s = frozen_set(in, n);
	CU_ASSERT_EQUAL_FATAL(vrpset_count(s), nref);
	for (i = 0; i < nref; i++) {
		r = vrpset_get(s, i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_FATAL(same_key(r, &ref[i]));
		CU_ASSERT_FATAL(r->expires == ref[i].expires);
		CU_ASSERT_FATAL(r->ta == ref[i].ta);
	}
	vrpset_free(s);
	free(ref);
}

/* Random inputs of a shape, then the same sorted and reverse-sorted. */
static void
check_freeze_shape(uint32_t seed, enum gen_shape shape, size_t n)
{
	struct vrp *in, t;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in = calloc(n + 1, sizeof(*in)));
	for (i = 0; i < n; i++) {
		in[i] = gen_vrp(&seed, shape);
		CU_ASSERT_EQUAL_FATAL(vrp_check(&in[i]), PAYLOAD_OK);
	}
	check_freeze(in, n);
	qsort(in, n, sizeof(in[0]), ref_sortcmp);
	check_freeze(in, n);
	for (i = 0; i < n / 2; i++) {
		t = in[i];
		in[i] = in[n - 1 - i];
		in[n - 1 - i] = t;
	}
	check_freeze(in, n);
	free(in);
}

static void
test_freeze_reference(void)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 31, 32, 33, 257, 5000 };
	static const enum gen_shape shapes[] = {
		GEN_WIDE, GEN_DUPS, GEN_TIES, GEN_V4_ASN, GEN_V6_HOST
	};
	size_t i, j;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (j = 0; j < sizeof(shapes) / sizeof(shapes[0]); j++)
			check_freeze_shape((uint32_t)(i * 31 + j + 1),
			    shapes[j], sizes[i]);
	check_freeze_shape(0x5eed, GEN_WIDE, 200000);
	check_freeze_shape(0xd0d0, GEN_DUPS, 200000);
}

static void
test_strerror(void)
{
	static const int codes[] = {
		PAYLOAD_OK, PAYLOAD_ENOMEM, PAYLOAD_ESTATE, PAYLOAD_EPREFIX,
		PAYLOAD_EMAXLEN, PAYLOAD_EASN, PAYLOAD_EPROVIDERS,
		PAYLOAD_ESPKI, PAYLOAD_ELIMIT
	};
	size_t i, j, n = sizeof(codes) / sizeof(codes[0]);

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			CU_ASSERT(strcmp(payload_strerror(codes[i]),
			    payload_strerror(codes[j])) != 0);
	CU_ASSERT(strstr(payload_strerror(-99), "unknown") != NULL);
	CU_ASSERT_STRING_EQUAL(payload_strerror(PAYLOAD_EMAXLEN),
	    "maxLength out of range");
}

REEF_SUITE(vrpset,
    REEF_TEST(test_check), REEF_TEST(test_add_errors), REEF_TEST(test_dedup),
    REEF_TEST(test_order), REEF_TEST(test_empty), REEF_TEST(test_find),
    REEF_TEST(test_covering), REEF_TEST(test_validate_origin),
    REEF_TEST(test_random_dedup), REEF_TEST(test_random_diff),
    REEF_TEST(test_diff_small), REEF_TEST(test_random_covering),
    REEF_TEST(test_large), REEF_TEST(test_freeze_reference),
    REEF_TEST(test_strerror))
