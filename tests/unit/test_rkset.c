/*
 * Tests for common/rkset.c: checks, de-duplication, order, lookups and
 * diffs (against a naive O(n^2) reference on random sets, fixed seed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/rkset.h"
#include "suite.h"

#define RANDOM_KEYS	2000
#define SPKI_LEN	91	/* a DER P-256 SubjectPublicKeyInfo */

static struct router_key
mkkey(uint32_t asn, uint8_t skibyte, const uint8_t *spki, size_t len,
    uint32_t ta, int64_t expires)
{
	struct router_key k;

	memset(&k, 0, sizeof(k));
	k.asn = asn;
	memset(k.ski, skibyte, sizeof(k.ski));
	k.spki = spki;
	k.spki_len = len;
	k.ta = ta;
	k.expires = expires;
	return k;
}

static int
same_key(const struct router_key *a, const struct router_key *b)
{
	return a->asn == b->asn && memcmp(a->ski, b->ski, sizeof(a->ski)) == 0 &&
	    a->spki_len == b->spki_len &&
	    memcmp(a->spki, b->spki, a->spki_len) == 0;
}

static struct rkset *
frozen_set(const struct router_key *k, size_t n)
{
	struct rkset *s;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = rkset_new());
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(rkset_add(s, &k[i]), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(rkset_freeze(s), PAYLOAD_OK);
	return s;
}

static void
test_check(void)
{
	uint8_t spki[ROUTER_KEY_SPKI_MAX + 1];
	struct router_key k;
	struct rkset *s;

	memset(spki, 0x30, sizeof(spki));
	k = mkkey(64496, 1, spki, SPKI_LEN, 0, 0);
	CU_ASSERT_EQUAL(router_key_check(&k), PAYLOAD_OK);
	k.spki_len = ROUTER_KEY_SPKI_MAX;
	CU_ASSERT_EQUAL(router_key_check(&k), PAYLOAD_OK);
	k.spki_len = ROUTER_KEY_SPKI_MAX + 1;
	CU_ASSERT_EQUAL(router_key_check(&k), PAYLOAD_ESPKI);
	k.spki_len = 0;
	CU_ASSERT_EQUAL(router_key_check(&k), PAYLOAD_ESPKI);
	k = mkkey(64496, 1, NULL, SPKI_LEN, 0, 0);
	CU_ASSERT_EQUAL(router_key_check(&k), PAYLOAD_ESPKI);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = rkset_new());
	CU_ASSERT_EQUAL(rkset_add(s, &k), PAYLOAD_ESPKI);
	CU_ASSERT_EQUAL(rkset_count(s), 0);
	k = mkkey(64496, 1, spki, SPKI_LEN, 0, 0);
	CU_ASSERT_EQUAL(rkset_add(s, &k), PAYLOAD_OK);
	CU_ASSERT_EQUAL(rkset_frozen(s), 0);
	CU_ASSERT_EQUAL(rkset_find(s, &k, &k), PAYLOAD_ESTATE);
	CU_ASSERT_EQUAL(rkset_freeze(s), PAYLOAD_OK);
	CU_ASSERT_EQUAL(rkset_frozen(s), 1);
	CU_ASSERT_EQUAL(rkset_freeze(s), PAYLOAD_ESTATE);
	CU_ASSERT_EQUAL(rkset_add(s, &k), PAYLOAD_ESTATE);
	rkset_free(s);
	rkset_free(NULL);
}

static void
test_copy(void)
{
	uint8_t spki[SPKI_LEN], want[SPKI_LEN];
	struct router_key k, got;
	struct rkset *s;

	memset(spki, 0x42, sizeof(spki));
	memcpy(want, spki, sizeof(want));
	k = mkkey(65000, 7, spki, sizeof(spki), 3, 1234);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s = rkset_new());
	CU_ASSERT_EQUAL(rkset_add(s, &k), PAYLOAD_OK);
	/* Before freezing, entries are readable in insertion order. */
	CU_ASSERT_EQUAL_FATAL(rkset_get(s, 0, &got), 1);
	CU_ASSERT(same_key(&got, &k));
	CU_ASSERT_EQUAL(rkset_get(s, 1, &got), 0);
	/* The set holds its own copy of the SPKI bytes. */
	memset(spki, 0, sizeof(spki));
	CU_ASSERT_EQUAL(rkset_freeze(s), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(rkset_get(s, 0, &got), 1);
	CU_ASSERT_EQUAL(got.asn, 65000);
	CU_ASSERT_EQUAL(got.ta, 3);
	CU_ASSERT_EQUAL(got.expires, 1234);
	CU_ASSERT_EQUAL(got.ski[0], 7);
	CU_ASSERT_EQUAL(got.spki_len, SPKI_LEN);
	CU_ASSERT(memcmp(got.spki, want, SPKI_LEN) == 0);
	rkset_free(s);
}

static void
test_dedup(void)
{
	static const int perm[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 }
	};
	uint8_t spki[SPKI_LEN];
	struct router_key dup[3], in[3], got;
	struct rkset *s;
	int i, k;

	memset(spki, 0x30, sizeof(spki));
	dup[0] = mkkey(64496, 1, spki, SPKI_LEN, 4, 500);
	dup[1] = mkkey(64496, 1, spki, SPKI_LEN, 2, 900);
	dup[2] = mkkey(64496, 1, spki, SPKI_LEN, 1, 900);
	for (i = 0; i < 6; i++) {
		for (k = 0; k < 3; k++)
			in[k] = dup[perm[i][k]];
		s = frozen_set(in, 3);
		CU_ASSERT_EQUAL(rkset_count(s), 1);
		CU_ASSERT_EQUAL_FATAL(rkset_find(s, &dup[0], &got), 1);
		CU_ASSERT_EQUAL(got.expires, 900);
		CU_ASSERT_EQUAL(got.ta, 1);
		rkset_free(s);
	}
}

static void
test_order(void)
{
	uint8_t a[SPKI_LEN], b[SPKI_LEN];
	struct router_key in[6], got[6];
	struct rkset *s;
	size_t i;

	memset(a, 0x30, sizeof(a));
	memset(b, 0x31, sizeof(b));
	/* Expected order: ASN, then SKI, then SPKI bytes, shorter first. */
	got[0] = mkkey(1, 9, b, SPKI_LEN, 0, 0);
	got[1] = mkkey(64496, 1, a, SPKI_LEN - 1, 0, 0);
	got[2] = mkkey(64496, 1, a, SPKI_LEN, 0, 0);
	got[3] = mkkey(64496, 1, b, SPKI_LEN, 0, 0);
	got[4] = mkkey(64496, 2, a, SPKI_LEN, 0, 0);
	got[5] = mkkey(4294967295u, 0, a, SPKI_LEN, 0, 0);
	for (i = 0; i < 6; i++)
		in[i] = got[(i * 5) % 6];
	s = frozen_set(in, 6);
	CU_ASSERT_EQUAL_FATAL(rkset_count(s), 6);
	for (i = 0; i < 6; i++) {
		struct router_key k;

		CU_ASSERT_EQUAL_FATAL(rkset_get(s, i, &k), 1);
		CU_ASSERT(same_key(&k, &got[i]));
		CU_ASSERT_EQUAL(router_key_cmp(&k, &got[i]), 0);
		if (i > 0) {
			CU_ASSERT(router_key_cmp(&got[i - 1], &got[i]) < 0);
			CU_ASSERT(router_key_cmp(&got[i], &got[i - 1]) > 0);
		}
	}
	/* Lookups, including near misses. */
	for (i = 0; i < 6; i++) {
		struct router_key k;

		CU_ASSERT_EQUAL(rkset_find(s, &got[i], &k), 1);
		CU_ASSERT(same_key(&k, &got[i]));
	}
	{
		struct router_key miss = mkkey(64496, 1, a, SPKI_LEN - 2, 0, 0),
		    k;

		CU_ASSERT_EQUAL(rkset_find(s, &miss, &k), 0);
		miss = mkkey(64497, 1, a, SPKI_LEN, 0, 0);
		CU_ASSERT_EQUAL(rkset_find(s, &miss, &k), 0);
	}
	rkset_free(s);
}

static void
test_diff_small(void)
{
	uint8_t a[SPKI_LEN], b[SPKI_LEN];
	struct router_key ko[3], kn[3];
	struct rkset *o, *n, *u;
	struct rk_diff d;

	memset(a, 0x30, sizeof(a));
	memset(b, 0x31, sizeof(b));
	ko[0] = mkkey(1, 1, a, SPKI_LEN, 0, 1);
	ko[1] = mkkey(2, 1, a, SPKI_LEN, 0, 1);
	ko[2] = mkkey(3, 1, a, SPKI_LEN, 0, 1);
	kn[0] = mkkey(1, 1, a, SPKI_LEN, 5, 99);	/* same key */
	kn[1] = mkkey(2, 1, b, SPKI_LEN, 0, 1);		/* key rolled */
	kn[2] = mkkey(4, 1, a, SPKI_LEN, 0, 1);		/* new ASN */
	o = frozen_set(ko, 3);
	n = frozen_set(kn, 3);
	CU_ASSERT_EQUAL_FATAL(rkset_diff(o, n, &d), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(d.nannounce, 2);
	CU_ASSERT_EQUAL_FATAL(d.nwithdraw, 2);
	CU_ASSERT(same_key(&d.announce[0], &kn[1]));
	CU_ASSERT(same_key(&d.announce[1], &kn[2]));
	CU_ASSERT(same_key(&d.withdraw[0], &ko[1]));
	CU_ASSERT(same_key(&d.withdraw[1], &ko[2]));
	rk_diff_free(&d);
	CU_ASSERT(d.announce == NULL && d.nannounce == 0);
	rk_diff_free(NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(u = rkset_new());
	CU_ASSERT_EQUAL(rkset_diff(o, u, &d), PAYLOAD_ESTATE);
	CU_ASSERT(d.nannounce == 0 && d.announce == NULL);
	CU_ASSERT_EQUAL(rkset_diff(u, o, &d), PAYLOAD_ESTATE);
	CU_ASSERT_EQUAL(rkset_freeze(u), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(rkset_diff(u, u, &d), PAYLOAD_OK);
	CU_ASSERT(d.nannounce == 0 && d.nwithdraw == 0);
	rk_diff_free(&d);
	rkset_free(u);
	rkset_free(o);
	rkset_free(n);
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

/* Keys whose SPKI is one of a few variable-length byte strings. */
static struct router_key
random_key(uint32_t *seed, const uint8_t *pool)
{
	uint32_t r = xorshift(seed);

	return mkkey(64496 + r % 20, (uint8_t)((r >> 8) % 4),
	    pool + (r >> 12) % 4, SPKI_LEN - (r >> 16) % 3, (r >> 20) % 3,
	    1000 + (r >> 24) % 10);
}

/* Keys of frozen set a (in order) absent from frozen set b. */
static size_t
naive_minus(const struct rkset *a, const struct rkset *b,
    struct router_key *out)
{
	struct router_key ka, kb;
	size_t i, j, n = 0;

	for (i = 0; rkset_get(a, i, &ka); i++) {
		for (j = 0; rkset_get(b, j, &kb); j++)
			if (same_key(&ka, &kb))
				break;
		if (j == rkset_count(b))
			out[n++] = ka;
	}
	return n;
}

static void
check_diff(const struct rkset *a, const struct rkset *b)
{
	struct router_key *ann, *wd;
	struct rk_diff d;
	size_t nann, nwd, i;

	ann = calloc(rkset_count(b) + 1, sizeof(*ann));
	wd = calloc(rkset_count(a) + 1, sizeof(*wd));
	CU_ASSERT_FATAL(ann != NULL && wd != NULL);
	nann = naive_minus(b, a, ann);
	nwd = naive_minus(a, b, wd);
	CU_ASSERT_EQUAL_FATAL(rkset_diff(a, b, &d), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(d.nannounce, nann);
	CU_ASSERT_EQUAL_FATAL(d.nwithdraw, nwd);
	for (i = 0; i < nann; i++)
		CU_ASSERT(same_key(&d.announce[i], &ann[i]));
	for (i = 0; i < nwd; i++)
		CU_ASSERT(same_key(&d.withdraw[i], &wd[i]));
	rk_diff_free(&d);
	free(ann);
	free(wd);
}

static void
test_random(void)
{
	uint8_t pool[SPKI_LEN + 4];
	struct router_key k, *in;
	struct rkset *a, *b;
	uint32_t seed = 8209, side = 8208;
	size_t i, j, nuniq;

	for (i = 0; i < sizeof(pool); i++)
		pool[i] = (uint8_t)(i * 37);
	in = calloc(RANDOM_KEYS, sizeof(*in));
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a = rkset_new());
	CU_ASSERT_PTR_NOT_NULL_FATAL(b = rkset_new());
	for (i = 0, nuniq = 0; i < RANDOM_KEYS; i++) {
		k = random_key(&seed, pool);
		switch (xorshift(&side) % 6) {
		case 0:
			rkset_add(a, &k);
			break;
		case 1:
			rkset_add(b, &k);
			break;
		default:
			rkset_add(a, &k);
			rkset_add(b, &k);
			break;
		}
		for (j = 0; j < nuniq; j++)
			if (same_key(&in[j], &k))
				break;
		if (j == nuniq)
			in[nuniq++] = k;
	}
	CU_ASSERT_EQUAL(rkset_freeze(a), PAYLOAD_OK);
	CU_ASSERT_EQUAL(rkset_freeze(b), PAYLOAD_OK);
	/* Every distinct key is in one of the sets, none twice in one. */
	CU_ASSERT(rkset_count(a) <= nuniq && rkset_count(b) <= nuniq);
	CU_ASSERT(rkset_count(a) + rkset_count(b) >= nuniq);
	for (i = 1; i < rkset_count(a); i++) {
		struct router_key p, q;

		rkset_get(a, i - 1, &p);
		rkset_get(a, i, &q);
		CU_ASSERT_FATAL(router_key_cmp(&p, &q) < 0);
	}
	check_diff(a, b);
	check_diff(b, a);
	check_diff(a, a);
	rkset_free(a);
	rkset_free(b);
	free(in);
}

REEF_SUITE(rkset,
    REEF_TEST(test_check), REEF_TEST(test_copy), REEF_TEST(test_dedup),
    REEF_TEST(test_order), REEF_TEST(test_diff_small), REEF_TEST(test_random))
