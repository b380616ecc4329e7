/*
 * Tests for validator/rov.c: RFC 6811 states on hand-built VRP sets
 * (maxLength edges, AS 0, origin NONE, overlapping and nested VRPs,
 * IPv6, /0, /32, /128), agreement with vrpset_validate_origin() on a
 * random set, the covering walk, and batch line parsing (PREFIX ASN and
 * bgpdump -m lines).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include "common/vrpset.h"
#include "validator/rov.h"
#include "suite.h"

/* Random set size and routes for the cross-check against vrpset. */
#define T_RANDOM_VRPS	3000
#define T_RANDOM_ROUTES	20000
/* Set size and routes for the covering walk against a linear scan. */
#define T_COVER_VRPS	400
#define T_COVER_ROUTES	5000

static void
add(struct vrpset *s, const char *pfx, unsigned int maxlen, uint32_t asn)
{
	struct vrp v;

	memset(&v, 0, sizeof(v));
	CU_ASSERT_FATAL(prefix_parse(pfx, &v.prefix) == PREFIX_OK);
	v.maxlen = (uint8_t)maxlen;
	v.asn = asn;
	v.expires = 1;
	CU_ASSERT_FATAL(vrpset_add(s, &v) == PAYLOAD_OK);
}

static int
state(const struct rov_index *ix, const char *pfx, const char *asn)
{
	struct rov_route r;
	char err[ROV_ERRLEN];
	int s1, s2;

	CU_ASSERT_FATAL(rov_parse_route(pfx, asn, &r, err, sizeof(err)) == 0);
	s1 = rov_validate(ix, &r);
	s2 = rov_covering(ix, &r, NULL, NULL);
	CU_ASSERT_EQUAL(s1, s2);
	return s1;
}

static struct vrpset *
sample_set(void)
{
	struct vrpset *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = vrpset_new());
	add(s, "192.0.2.0/24", 24, 64500);
	add(s, "198.51.100.0/22", 24, 64501);
	add(s, "198.51.100.0/24", 24, 64502);	/* nested, other AS */
	add(s, "203.0.113.0/24", 24, 0);	/* AS 0 */
	add(s, "10.0.0.0/8", 8, 64503);
	add(s, "10.1.0.0/16", 32, 64504);
	add(s, "2001:db8::/32", 48, 64505);
	add(s, "2001:db8:1::/48", 128, 64506);
	add(s, "100.64.0.0/10", 10, 64507);
	add(s, "100.64.0.0/10", 12, 64508);	/* same prefix, two ASes */
	CU_ASSERT_FATAL(vrpset_freeze(s) == PAYLOAD_OK);
	return s;
}

static void
test_rov_states(void)
{
	struct vrpset *s = sample_set();
	struct rov_index *ix;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ix = rov_build(s));
	/* Exact match, then each failure. */
	CU_ASSERT_EQUAL(state(ix, "192.0.2.0/24", "AS64500"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "192.0.2.0/24", "64501"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "192.0.2.0/25", "64500"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "192.0.2.0/23", "64500"), ROV_NOTFOUND);
	CU_ASSERT_EQUAL(state(ix, "192.0.3.0/24", "64500"), ROV_NOTFOUND);
	/* maxLength edges: /24 allowed, /25 not. */
	CU_ASSERT_EQUAL(state(ix, "198.51.101.0/24", "64501"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "198.51.101.0/25", "64501"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "198.51.100.0/22", "64501"), ROV_VALID);
	/* Covered by several VRPs, only one matches. */
	CU_ASSERT_EQUAL(state(ix, "198.51.100.0/24", "64501"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "198.51.100.0/24", "64502"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "198.51.100.0/24", "64503"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "100.64.0.0/12", "64508"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "100.64.0.0/12", "64507"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "100.64.0.0/10", "64507"), ROV_VALID);
	/* AS 0 VRPs cover but never match, even an AS 0 route. */
	CU_ASSERT_EQUAL(state(ix, "203.0.113.0/24", "0"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "203.0.113.0/24", "64500"), ROV_INVALID);
	/* Origin NONE (AS_SET) is never valid. */
	CU_ASSERT_EQUAL(state(ix, "192.0.2.0/24", "NONE"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "192.0.3.0/24", "NONE"), ROV_NOTFOUND);
	/* /32 host routes inside a maxLength-32 VRP, and the /8 above. */
	CU_ASSERT_EQUAL(state(ix, "10.1.2.3/32", "64504"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "10.1.2.3/32", "64503"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "10.2.0.0/16", "64503"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "10.0.0.0/8", "64503"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "11.0.0.0/8", "64503"), ROV_NOTFOUND);
	/* IPv6, /128 and the families kept apart. */
	CU_ASSERT_EQUAL(state(ix, "2001:db8::/32", "64505"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "2001:db8:ff::/48", "64505"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "2001:db8:ff::/49", "64505"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "2001:db8:1::1/128", "64506"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "2001:db8:1::1/128", "64505"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "2001:db9::/32", "64505"), ROV_NOTFOUND);
	CU_ASSERT_EQUAL(state(ix, "::/0", "64505"), ROV_NOTFOUND);
	CU_ASSERT_EQUAL(state(ix, "0.0.0.0/0", "64505"), ROV_NOTFOUND);
	rov_free(ix);
	vrpset_free(s);
}

static void
test_rov_default_routes(void)
{
	struct vrpset *s;
	struct rov_index *ix;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = vrpset_new());
	add(s, "0.0.0.0/0", 0, 64500);
	add(s, "::/0", 8, 64501);
	add(s, "255.255.255.255/32", 32, 64502);
	add(s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 128, 64503);
	CU_ASSERT_FATAL(vrpset_freeze(s) == PAYLOAD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ix = rov_build(s));
	CU_ASSERT_EQUAL(state(ix, "0.0.0.0/0", "64500"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "0.0.0.0/1", "64500"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "192.0.2.0/24", "64500"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "255.255.255.255/32", "64502"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "255.255.255.255/32", "64500"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "255.255.255.254/32", "64502"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "::/0", "64501"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "2001::/16", "64501"), ROV_INVALID);
	CU_ASSERT_EQUAL(state(ix, "2000::/8", "64501"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
	    "64503"), ROV_VALID);
	CU_ASSERT_EQUAL(state(ix, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128",
	    "64503"), ROV_INVALID);
	rov_free(ix);
	vrpset_free(s);
}

static void
test_rov_empty(void)
{
	struct vrpset *s;
	struct rov_index *ix;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = vrpset_new());
	CU_ASSERT_PTR_NULL(rov_build(s));	/* not frozen */
	CU_ASSERT_PTR_NULL(rov_build(NULL));
	CU_ASSERT_FATAL(vrpset_freeze(s) == PAYLOAD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ix = rov_build(s));
	CU_ASSERT_EQUAL(state(ix, "192.0.2.0/24", "64500"), ROV_NOTFOUND);
	CU_ASSERT_EQUAL(state(ix, "::/0", "NONE"), ROV_NOTFOUND);
	rov_free(ix);
	rov_free(NULL);
	vrpset_free(s);
}

struct seen {
	char	text[16][64];
	size_t	n;
};

static int
record(const struct vrp *v, enum rov_why w, void *arg)
{
	struct seen *s = arg;
	char p[PREFIX_STRLEN];

	prefix_format(&v->prefix, p, sizeof(p));
	if (s->n < 16)
		snprintf(s->text[s->n++], sizeof(s->text[0]), "%s-%u AS%u %s",
		    p, v->maxlen, v->asn, rov_why_name(w));
	return 0;
}

static int
stop_first(const struct vrp *v, enum rov_why w, void *arg)
{
	(*(int *)arg)++;
	return 1;
}

static void
test_rov_covering_order(void)
{
	struct vrpset *s = sample_set();
	struct rov_index *ix;
	struct rov_route r;
	struct seen seen;
	char err[ROV_ERRLEN];
	int calls = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ix = rov_build(s));
	memset(&seen, 0, sizeof(seen));
	CU_ASSERT_FATAL(rov_parse_route("198.51.100.0/25", "64502", &r, err,
	    sizeof(err)) == 0);
	CU_ASSERT_EQUAL(rov_covering(ix, &r, record, &seen), ROV_INVALID);
	CU_ASSERT_EQUAL_FATAL(seen.n, 2);
	/* Shortest prefix first, with the reason each does not match. */
	CU_ASSERT_STRING_EQUAL(seen.text[0],
	    "198.51.100.0/22-24 AS64501 asn+length");
	CU_ASSERT_STRING_EQUAL(seen.text[1], "198.51.100.0/24-24 AS64502 length");
	memset(&seen, 0, sizeof(seen));
	CU_ASSERT_FATAL(rov_parse_route("203.0.113.0/24", "0", &r, err,
	    sizeof(err)) == 0);
	CU_ASSERT_EQUAL(rov_covering(ix, &r, record, &seen), ROV_INVALID);
	CU_ASSERT_EQUAL_FATAL(seen.n, 1);
	CU_ASSERT_STRING_EQUAL(seen.text[0], "203.0.113.0/24-24 AS0 as0");
	CU_ASSERT_FATAL(rov_parse_route("100.64.0.0/10", "64507", &r, err,
	    sizeof(err)) == 0);
	rov_covering(ix, &r, stop_first, &calls);
	CU_ASSERT_EQUAL(calls, 1);
	rov_free(ix);
	vrpset_free(s);
}

/* Compare with the reference in common/vrpset.c on random nested data. */
static void
test_rov_random_agrees(void)
{
	struct vrpset *s;
	struct rov_index *ix;
	struct rov_route r;
	struct vrp v;
	unsigned int seed = 12345, i, len;
	uint32_t a;
	int ref;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = vrpset_new());
	for (i = 0; i < T_RANDOM_VRPS; i++) {
		memset(&v, 0, sizeof(v));
		len = 8 + rand_r(&seed) % 25;
		/* Few distinct top bits so that prefixes nest a lot. */
		a = (uint32_t)(rand_r(&seed) % 4) << 28 |
		    (uint32_t)rand_r(&seed) << 8;
		a &= (uint32_t)~(UINT64_C(0xffffffff) >> len);
		v.prefix.afi = AFI_IPV4;
		v.prefix.len = (uint8_t)len;
		v.prefix.addr[0] = a >> 24;
		v.prefix.addr[1] = a >> 16;
		v.prefix.addr[2] = a >> 8;
		v.prefix.addr[3] = a;
		v.maxlen = (uint8_t)(len + rand_r(&seed) % (33 - len));
		v.asn = rand_r(&seed) % 8;
		CU_ASSERT_FATAL(vrpset_add(s, &v) == PAYLOAD_OK);
	}
	CU_ASSERT_FATAL(vrpset_freeze(s) == PAYLOAD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ix = rov_build(s));
	for (i = 0; i < T_RANDOM_ROUTES; i++) {
		memset(&r, 0, sizeof(r));
		len = rand_r(&seed) % 33;
		a = (uint32_t)(rand_r(&seed) % 4) << 28 |
		    (uint32_t)rand_r(&seed) << 8 | (rand_r(&seed) & 0xff);
		a &= (uint32_t)~(UINT64_C(0xffffffff) >> len);
		r.prefix.afi = AFI_IPV4;
		r.prefix.len = (uint8_t)len;
		r.prefix.addr[0] = a >> 24;
		r.prefix.addr[1] = a >> 16;
		r.prefix.addr[2] = a >> 8;
		r.prefix.addr[3] = a;
		r.origin = rand_r(&seed) % 8;
		ref = vrpset_validate_origin(s, &r.prefix, r.origin);
		CU_ASSERT_EQUAL(rov_validate(ix, &r), ref);
		if (rov_validate(ix, &r) != ref)
			break;
	}
	rov_free(ix);
	vrpset_free(s);
}

/* What the covering walk reported for one route. */
struct tally {
	size_t	n;		/* VRPs visited */
	size_t	matches;	/* ... with ROV_MATCH */
	int	ordered;	/* prefix lengths never decreased */
	int	last_len;
};

static int
tally(const struct vrp *v, enum rov_why w, void *arg)
{
	struct tally *t = arg;

	t->n++;
	if (w == ROV_MATCH)
		t->matches++;
	if (v->prefix.len < t->last_len)
		t->ordered = 0;
	t->last_len = v->prefix.len;
	return 0;
}

/* A random IPv4 prefix of length >= min, clustered so that many nest. */
static void
random_prefix4(unsigned int *seed, unsigned int min, struct prefix *p)
{
	unsigned int len = min + rand_r(seed) % (33 - min);
	uint32_t a = (uint32_t)(0xc0 + rand_r(seed) % 4) << 24 |
	    (uint32_t)(rand_r(seed) & 0xffff) << 8;

	a &= len == 0 ? 0 : (uint32_t)~(UINT64_C(0xffffffff) >> len);
	memset(p, 0, sizeof(*p));
	p->afi = AFI_IPV4;
	p->len = (uint8_t)len;
	p->addr[0] = a >> 24;
	p->addr[1] = a >> 16;
	p->addr[2] = a >> 8;
	p->addr[3] = a;
}

/*
 * The covering walk lists exactly the VRPs a linear scan finds covering
 * the route, shortest first, and its state and matches agree, with
 * ASNs on both sides of 2^31 (the reef explain bug report's were above).
 */
static void
test_rov_covering_agrees(void)
{
	static const uint32_t asns[] = { 0, 64500, 2147483647u, 2147483648u,
	    3287663115u, 3559352267u, UINT32_MAX };
	struct vrpset *s;
	struct rov_index *ix;
	struct rov_route r;
	struct tally t;
	const struct vrp *p;
	struct vrp v;
	unsigned int seed = 4242, i;
	size_t k, cover, match, bad = 0;
	int want;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = vrpset_new());
	for (i = 0; i < T_COVER_VRPS; i++) {
		memset(&v, 0, sizeof(v));
		random_prefix4(&seed, 2, &v.prefix);
		v.maxlen = (uint8_t)(v.prefix.len + rand_r(&seed) %
		    (33 - v.prefix.len));
		v.asn = asns[rand_r(&seed) % (sizeof(asns) / sizeof(asns[0]))];
		v.ta = rand_r(&seed) % 2;
		v.expires = 1;
		CU_ASSERT_FATAL(vrpset_add(s, &v) == PAYLOAD_OK);
	}
	CU_ASSERT_FATAL(vrpset_freeze(s) == PAYLOAD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ix = rov_build(s));
	for (i = 0; i < T_COVER_ROUTES && bad == 0; i++) {
		memset(&r, 0, sizeof(r));
		random_prefix4(&seed, 0, &r.prefix);
		r.origin = asns[rand_r(&seed) % (sizeof(asns) /
		    sizeof(asns[0]))];
		cover = match = 0;
		for (k = 0; (p = vrpset_get(s, k)) != NULL; k++) {
			if (!prefix_covers(&p->prefix, &r.prefix))
				continue;
			cover++;
			if (p->asn != 0 && p->asn == r.origin &&
			    r.prefix.len <= p->maxlen)
				match++;
		}
		want = cover == 0 ? ROV_NOTFOUND : match > 0 ? ROV_VALID :
		    ROV_INVALID;
		memset(&t, 0, sizeof(t));
		t.ordered = 1;
		if (rov_covering(ix, &r, tally, &t) != want ||
		    rov_covering(ix, &r, NULL, NULL) != want ||
		    rov_validate(ix, &r) != want || t.n != cover ||
		    t.matches != match || !t.ordered)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	rov_free(ix);
	vrpset_free(s);
}

/* Size of the timing test (tests/bench/bench_check.c does 1,000,000). */
#define T_SPEED_COUNT	200000

/*
 * Route checks per CPU second on a set of T_SPEED_COUNT VRPs: printed
 * for information only (timing depends on the machine and sanitizers);
 * the states are checked against vrpset_validate_origin() on a sample.
 */
static void
test_rov_speed(void)
{
	struct vrpset *s;
	struct rov_index *ix;
	struct rov_route *r;
	struct timespec t0, t1;
	struct vrp v;
	unsigned int seed = 777, i, len;
	uint32_t a;
	double secs;
	size_t valid = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = vrpset_new());
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = calloc(T_SPEED_COUNT, sizeof(*r)));
	for (i = 0; i < T_SPEED_COUNT; i++) {
		memset(&v, 0, sizeof(v));
		len = 16 + rand_r(&seed) % 9;
		a = (uint32_t)rand_r(&seed) << 1;
		a &= (uint32_t)~(UINT64_C(0xffffffff) >> len);
		v.prefix.afi = AFI_IPV4;
		v.prefix.len = (uint8_t)len;
		v.prefix.addr[0] = a >> 24;
		v.prefix.addr[1] = a >> 16;
		v.prefix.addr[2] = a >> 8;
		v.prefix.addr[3] = a;
		v.maxlen = (uint8_t)len;
		v.asn = 1 + (uint32_t)rand_r(&seed) % 1000;
		CU_ASSERT_FATAL(vrpset_add(s, &v) == PAYLOAD_OK);
		r[i].prefix = v.prefix;
		r[i].origin = i % 2 ? v.asn : 1 + (uint32_t)rand_r(&seed) % 1000;
	}
	CU_ASSERT_FATAL(vrpset_freeze(s) == PAYLOAD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ix = rov_build(s));
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	for (i = 0; i < T_SPEED_COUNT; i++)
		valid += rov_validate(ix, &r[i]) == ROV_VALID;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("\n    rov: %d routes against %zu VRPs: %.0f routes/s\n",
	    T_SPEED_COUNT, vrpset_count(s), T_SPEED_COUNT /
	    (secs > 0 ? secs : 1e-9));
	/* Every odd route has its own VRP's origin. */
	CU_ASSERT(valid >= T_SPEED_COUNT / 2);
	for (i = 0; i < T_SPEED_COUNT; i += 997)
		CU_ASSERT_EQUAL(rov_validate(ix, &r[i]),
		    vrpset_validate_origin(s, &r[i].prefix, r[i].origin));
	rov_free(ix);
	free(r);
	vrpset_free(s);
}

static int
line(const char *text, struct rov_route *r, char *err)
{
	char buf[ROV_MAX_LINE + 2];

	snprintf(buf, sizeof(buf), "%s", text);
	return rov_parse_line(buf, r, err, ROV_ERRLEN);
}

static void
test_rov_parse_lines(void)
{
	struct rov_route r;
	char err[ROV_ERRLEN], p[PREFIX_STRLEN];

	CU_ASSERT_EQUAL(line("192.0.2.0/24 AS65000\n", &r, err), 1);
	CU_ASSERT_EQUAL(r.origin, 65000);
	CU_ASSERT_EQUAL(r.origin_none, 0);
	CU_ASSERT_EQUAL(line("  2001:db8::/32\t65001\r\n", &r, err), 1);
	prefix_format(&r.prefix, p, sizeof(p));
	CU_ASSERT_STRING_EQUAL(p, "2001:db8::/32");
	CU_ASSERT_EQUAL(r.origin, 65001);
	CU_ASSERT_EQUAL(line("192.0.2.0/24 none", &r, err), 1);
	CU_ASSERT_EQUAL(r.origin_none, 1);
	CU_ASSERT_EQUAL(line("", &r, err), 0);
	CU_ASSERT_EQUAL(line("   \n", &r, err), 0);
	CU_ASSERT_EQUAL(line("# comment", &r, err), 0);
	CU_ASSERT_EQUAL(line("192.0.2.0/24", &r, err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "1 word"));
	CU_ASSERT_EQUAL(line("192.0.2.0/24 1 2", &r, err), -1);
	CU_ASSERT_EQUAL(line("192.0.2.1/24 65000", &r, err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad prefix"));
	CU_ASSERT_EQUAL(line("192.0.2.0/33 65000", &r, err), -1);
	CU_ASSERT_EQUAL(line("192.0.2.0 65000", &r, err), -1);
	CU_ASSERT_EQUAL(line("192.0.2.0/24 AS4294967296", &r, err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad AS number"));
	CU_ASSERT_EQUAL(line("192.0.2.0/24 1.10", &r, err), -1);
}

static void
test_rov_parse_bgpdump(void)
{
	struct rov_route r;
	char err[ROV_ERRLEN], p[PREFIX_STRLEN];

	CU_ASSERT_EQUAL(line("TABLE_DUMP2|1367366400|B|202.249.2.169|2497|"
	    "1.0.0.0/24|2497 15169|IGP|202.249.2.169|0|0||NAG||", &r, err), 1);
	prefix_format(&r.prefix, p, sizeof(p));
	CU_ASSERT_STRING_EQUAL(p, "1.0.0.0/24");
	CU_ASSERT_EQUAL(r.origin, 15169);
	CU_ASSERT_EQUAL(r.origin_none, 0);
	/* AS_SET at the end: origin NONE. */
	CU_ASSERT_EQUAL(line("TABLE_DUMP2|1|B|192.0.2.1|64500|192.0.2.0/24|"
	    "64500 64501 {64502,64503}|IGP|192.0.2.1|0|0||NAG||", &r, err), 1);
	CU_ASSERT_EQUAL(r.origin_none, 1);
	/* An AS_SET before the end does not matter. */
	CU_ASSERT_EQUAL(line("TABLE_DUMP2|1|B|192.0.2.1|64500|192.0.2.0/24|"
	    "64500 {64502} 64510|IGP", &r, err), 1);
	CU_ASSERT_EQUAL(r.origin, 64510);
	/* Empty path and final confederation segment: the peer AS. */
	CU_ASSERT_EQUAL(line("TABLE_DUMP2|1|B|192.0.2.1|64500|192.0.2.0/24||IGP",
	    &r, err), 1);
	CU_ASSERT_EQUAL(r.origin, 64500);
	CU_ASSERT_EQUAL(line("TABLE_DUMP2|1|B|192.0.2.1|64500|192.0.2.0/24|"
	    "64501 (65001 65002)|IGP", &r, err), 1);
	CU_ASSERT_EQUAL(r.origin, 64500);
	/* Updates: announcements count, withdrawals are skipped. */
	CU_ASSERT_EQUAL(line("BGP4MP|1|A|192.0.2.1|64500|2001:db8::/32|"
	    "64500 64496|IGP|192.0.2.1|0|0||NAG||", &r, err), 1);
	CU_ASSERT_EQUAL(r.origin, 64496);
	CU_ASSERT_EQUAL(r.prefix.afi, AFI_IPV6);
	CU_ASSERT_EQUAL(line("BGP4MP|1|W|192.0.2.1|64500|2001:db8::/32", &r,
	    err), 0);
	/* Malformed. */
	CU_ASSERT_EQUAL(line("TABLE_DUMP2|1|B|192.0.2.1|64500", &r, err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "fields"));
	CU_ASSERT_EQUAL(line("TABLE_DUMP2|1|X|192.0.2.1|64500|192.0.2.0/24|1|",
	    &r, err), -1);
	CU_ASSERT_EQUAL(line("TABLE_DUMP2|1|B|192.0.2.1|64500|192.0.2.0/24|"
	    "64500 x|IGP", &r, err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "origin"));
	CU_ASSERT_EQUAL(line("TABLE_DUMP2|1|B|192.0.2.1|64500|192.0.2.0/2|"
	    "64500|IGP", &r, err), -1);
}

struct collect {
	size_t	n;
	size_t	lines[8];
};

static int
collect(const struct rov_route *r, size_t lineno, void *arg)
{
	struct collect *c = arg;

	if (c->n < 8)
		c->lines[c->n] = lineno;
	c->n++;
	return 0;
}

static void
test_rov_read_routes(void)
{
	static const char input[] =
	    "# routes\n"
	    "192.0.2.0/24 AS65000\n"
	    "bogus\n"
	    "\n"
	    "TABLE_DUMP2|1|B|192.0.2.1|64500|198.51.100.0/24|64500 64501|IGP\n"
	    "198.51.100.0/24 ASX\n";
	struct collect c;
	char *errbuf = NULL;
	size_t errlen = 0, nbad;
	FILE *in, *err;
	long n;

	memset(&c, 0, sizeof(c));
	CU_ASSERT_PTR_NOT_NULL_FATAL(in = fmemopen((void *)input,
	    sizeof(input) - 1, "r"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(err = open_memstream(&errbuf, &errlen));
	n = rov_read_routes(in, "routes.txt", collect, &c, err, &nbad);
	fclose(err);
	fclose(in);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(nbad, 2);
	CU_ASSERT_EQUAL(c.lines[0], 2);
	CU_ASSERT_EQUAL(c.lines[1], 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "routes.txt:3: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "routes.txt:6: bad AS number"));
	free(errbuf);
}

REEF_SUITE(rov,
    REEF_TEST(test_rov_states),
    REEF_TEST(test_rov_default_routes),
    REEF_TEST(test_rov_empty),
    REEF_TEST(test_rov_covering_order),
    REEF_TEST(test_rov_random_agrees),
    REEF_TEST(test_rov_covering_agrees),
    REEF_TEST(test_rov_speed),
    REEF_TEST(test_rov_parse_lines),
    REEF_TEST(test_rov_parse_bgpdump),
    REEF_TEST(test_rov_read_routes))
