/*
 * Tests for common/aspaset.c: profile checks, provider normalisation,
 * merging per customer, lookups and diffs (against a naive reference on
 * random sets with a fixed seed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/aspaset.h"
#include "suite.h"

#define RANDOM_ASPAS	2000
#define RANDOM_PROV_MAX	6

static struct aspa
mkaspa(uint32_t customer, const uint32_t *prov, size_t n, uint32_t ta,
    int64_t expires)
{
	struct aspa a;

	a.customer = customer;
	a.providers = prov;
	a.nproviders = n;
	a.ta = ta;
	a.expires = expires;
	return a;
}

static int
providers_are(const struct aspa *a, const uint32_t *want, size_t n)
{
	return a->nproviders == n &&
	    memcmp(a->providers, want, n * sizeof(want[0])) == 0;
}

static void
test_check(void)
{
	static const uint32_t p[] = { 64500, 64501 };
	static const uint32_t p0[] = { 0 };
	static const uint32_t self[] = { 64500, 65000 };
	uint32_t *many;
	struct aspa a;
	size_t i;

	a = mkaspa(65000, p, 2, 0, 0);
	CU_ASSERT_EQUAL(aspa_check(&a), PAYLOAD_OK);
	/* AS 0 as the only provider: "no providers" (verification draft). */
	a = mkaspa(65000, p0, 1, 0, 0);
	CU_ASSERT_EQUAL(aspa_check(&a), PAYLOAD_OK);
	/* The customer cannot be AS 0. */
	a = mkaspa(0, p, 2, 0, 0);
	CU_ASSERT_EQUAL(aspa_check(&a), PAYLOAD_EASN);
	a = mkaspa(65000, p, 0, 0, 0);
	CU_ASSERT_EQUAL(aspa_check(&a), PAYLOAD_EPROVIDERS);
	a = mkaspa(65000, NULL, 2, 0, 0);
	CU_ASSERT_EQUAL(aspa_check(&a), PAYLOAD_EPROVIDERS);
	/* The customer may not be its own provider. */
	a = mkaspa(65000, self, 2, 0, 0);
	CU_ASSERT_EQUAL(aspa_check(&a), PAYLOAD_EPROVIDERS);

	many = calloc(MAX_ASPA_PROVIDERS + 1, sizeof(*many));
	CU_ASSERT_PTR_NOT_NULL_FATAL(many);
	for (i = 0; i <= MAX_ASPA_PROVIDERS; i++)
		many[i] = (uint32_t)i + 1;
	a = mkaspa(4000000000u, many, MAX_ASPA_PROVIDERS, 0, 0);
	CU_ASSERT_EQUAL(aspa_check(&a), PAYLOAD_OK);
	a.nproviders++;
	CU_ASSERT_EQUAL(aspa_check(&a), PAYLOAD_EPROVIDERS);
	free(many);
}

static void
test_add_normalises(void)
{
	static const uint32_t messy[] = { 30, 10, 20, 10, 30, 0 };
	static const uint32_t want[] = { 0, 10, 20, 30 };
	uint32_t copy[6];
	struct aspaset *s;
	struct aspa a, got;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = aspaset_new());
	memcpy(copy, messy, sizeof(copy));
	a = mkaspa(65000, copy, 6, 1, 77);
	CU_ASSERT_EQUAL(aspaset_add(s, &a), PAYLOAD_OK);
	/* The caller's array is copied, not kept nor reordered. */
	CU_ASSERT(memcmp(copy, messy, sizeof(copy)) == 0);
	memset(copy, 0xff, sizeof(copy));
	CU_ASSERT_EQUAL(aspaset_count(s), 1);
	CU_ASSERT_EQUAL_FATAL(aspaset_get(s, 0, &got), 1);
	CU_ASSERT(providers_are(&got, want, 4));
	CU_ASSERT_EQUAL(aspaset_get(s, 1, &got), 0);
	CU_ASSERT_EQUAL(aspaset_find(s, 65000, &got), PAYLOAD_ESTATE);
	CU_ASSERT_EQUAL(aspaset_frozen(s), 0);
	CU_ASSERT_EQUAL(aspaset_freeze(s), PAYLOAD_OK);
	CU_ASSERT_EQUAL(aspaset_frozen(s), 1);
	CU_ASSERT_EQUAL_FATAL(aspaset_find(s, 65000, &got), 1);
	CU_ASSERT_EQUAL(got.customer, 65000);
	CU_ASSERT_EQUAL(got.ta, 1);
	CU_ASSERT_EQUAL(got.expires, 77);
	CU_ASSERT(providers_are(&got, want, 4));
	CU_ASSERT_EQUAL(aspaset_find(s, 65001, &got), 0);
	CU_ASSERT_EQUAL(aspaset_find(s, 1, &got), 0);
	CU_ASSERT_EQUAL(aspaset_freeze(s), PAYLOAD_ESTATE);
	CU_ASSERT_EQUAL(aspaset_add(s, &a), PAYLOAD_ESTATE);
	aspaset_free(s);
	aspaset_free(NULL);
}

static void
test_add_errors(void)
{
	static const uint32_t p[] = { 65000 };
	struct aspaset *s;
	struct aspa a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = aspaset_new());
	a = mkaspa(65000, p, 1, 0, 0);
	CU_ASSERT_EQUAL(aspaset_add(s, &a), PAYLOAD_EPROVIDERS);
	a = mkaspa(0, p, 1, 0, 0);
	CU_ASSERT_EQUAL(aspaset_add(s, &a), PAYLOAD_EASN);
	a = mkaspa(1, p, 0, 0, 0);
	CU_ASSERT_EQUAL(aspaset_add(s, &a), PAYLOAD_EPROVIDERS);
	CU_ASSERT_EQUAL(aspaset_count(s), 0);
	aspaset_free(s);
}

/* Three ASPAs for one customer merge alike in all six insertion orders. */
static void
test_merge(void)
{
	static const uint32_t p1[] = { 3, 1 };
	static const uint32_t p2[] = { 2, 3 };
	static const uint32_t p3[] = { 4 };
	static const uint32_t other[] = { 9 };
	static const uint32_t want[] = { 1, 2, 3, 4 };
	static const int perm[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 }
	};
	struct aspa in[3], o, got;
	struct aspaset *s;
	int i, k;

	in[0] = mkaspa(65000, p1, 2, 2, 200);
	in[1] = mkaspa(65000, p2, 2, 1, 100);
	in[2] = mkaspa(65000, p3, 1, 3, 300);
	o = mkaspa(64999, other, 1, 7, 5);
	for (i = 0; i < 6; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(s = aspaset_new());
		for (k = 0; k < 3; k++) {
			CU_ASSERT_EQUAL(aspaset_add(s, &in[perm[i][k]]),
			    PAYLOAD_OK);
			if (k == 1)
				CU_ASSERT_EQUAL(aspaset_add(s, &o),
				    PAYLOAD_OK);
		}
		CU_ASSERT_EQUAL(aspaset_count(s), 4);
		CU_ASSERT_EQUAL_FATAL(aspaset_freeze(s), PAYLOAD_OK);
		CU_ASSERT_EQUAL_FATAL(aspaset_count(s), 2);
		/* Ordered by customer. */
		CU_ASSERT_EQUAL_FATAL(aspaset_get(s, 0, &got), 1);
		CU_ASSERT_EQUAL(got.customer, 64999);
		CU_ASSERT(providers_are(&got, other, 1));
		CU_ASSERT_EQUAL(got.ta, 7);
		CU_ASSERT_EQUAL_FATAL(aspaset_get(s, 1, &got), 1);
		CU_ASSERT_EQUAL(got.customer, 65000);
		CU_ASSERT(providers_are(&got, want, 4));
		CU_ASSERT_EQUAL(got.expires, 100);	/* earliest */
		CU_ASSERT_EQUAL(got.ta, 1);		/* smallest */
		aspaset_free(s);
	}
}

static void
test_has_provider(void)
{
	static const uint32_t p[] = { 0, 5, 64500, 4294967295u };
	struct aspa a = mkaspa(1, p, 4, 0, 0);

	CU_ASSERT_EQUAL(aspa_has_provider(&a, 0), 1);
	CU_ASSERT_EQUAL(aspa_has_provider(&a, 5), 1);
	CU_ASSERT_EQUAL(aspa_has_provider(&a, 64500), 1);
	CU_ASSERT_EQUAL(aspa_has_provider(&a, 4294967295u), 1);
	CU_ASSERT_EQUAL(aspa_has_provider(&a, 4), 0);
	CU_ASSERT_EQUAL(aspa_has_provider(&a, 6), 0);
	CU_ASSERT_EQUAL(aspa_has_provider(&a, 4294967294u), 0);
	a.nproviders = 0;
	CU_ASSERT_EQUAL(aspa_has_provider(&a, 0), 0);
}

static struct aspaset *
frozen_set(const struct aspa *a, size_t n)
{
	struct aspaset *s;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = aspaset_new());
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(aspaset_add(s, &a[i]), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(aspaset_freeze(s), PAYLOAD_OK);
	return s;
}

static void
test_diff_small(void)
{
	static const uint32_t p12[] = { 1, 2 }, p3[] = { 3 }, p35[] = { 3, 5 };
	static const uint32_t p4[] = { 4 }, p6[] = { 6 };
	struct aspa oa[3], na[3];
	struct aspaset *o, *n, *u;
	struct aspa_diff d;

	oa[0] = mkaspa(100, p12, 2, 0, 1);
	oa[1] = mkaspa(200, p3, 1, 0, 1);
	oa[2] = mkaspa(300, p4, 1, 0, 1);
	na[0] = mkaspa(100, p12, 2, 5, 99);	/* only ta/expires differ */
	na[1] = mkaspa(200, p35, 2, 0, 1);	/* providers changed */
	na[2] = mkaspa(400, p6, 1, 0, 1);	/* new customer */
	o = frozen_set(oa, 3);
	n = frozen_set(na, 3);
	CU_ASSERT_EQUAL_FATAL(aspaset_diff(o, n, &d), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(d.nannounce, 2);
	CU_ASSERT_EQUAL_FATAL(d.nwithdraw, 1);
	CU_ASSERT_EQUAL(d.announce[0].customer, 200);
	CU_ASSERT(providers_are(&d.announce[0], p35, 2));
	CU_ASSERT_EQUAL(d.announce[1].customer, 400);
	CU_ASSERT(providers_are(&d.announce[1], p6, 1));
	CU_ASSERT_EQUAL(d.withdraw[0].customer, 300);
	CU_ASSERT(providers_are(&d.withdraw[0], p4, 1));
	aspa_diff_free(&d);
	CU_ASSERT(d.announce == NULL && d.nannounce == 0);
	aspa_diff_free(NULL);

	/* A set against itself: nothing. */
	CU_ASSERT_EQUAL_FATAL(aspaset_diff(o, o, &d), PAYLOAD_OK);
	CU_ASSERT(d.nannounce == 0 && d.nwithdraw == 0);
	aspa_diff_free(&d);

	CU_ASSERT_PTR_NOT_NULL_FATAL(u = aspaset_new());
	CU_ASSERT_EQUAL(aspaset_diff(o, u, &d), PAYLOAD_ESTATE);
	CU_ASSERT(d.nannounce == 0 && d.announce == NULL);
	CU_ASSERT_EQUAL(aspaset_diff(u, o, &d), PAYLOAD_ESTATE);
	/* From nothing: everything is announced. */
	CU_ASSERT_EQUAL(aspaset_freeze(u), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(aspaset_diff(u, n, &d), PAYLOAD_OK);
	CU_ASSERT(d.nannounce == 3 && d.nwithdraw == 0);
	aspa_diff_free(&d);
	CU_ASSERT_EQUAL_FATAL(aspaset_diff(n, u, &d), PAYLOAD_OK);
	CU_ASSERT(d.nannounce == 0 && d.nwithdraw == 3);
	aspa_diff_free(&d);
	aspaset_free(u);
	aspaset_free(o);
	aspaset_free(n);
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

/* Naive model of a frozen set: per customer a provider bitmap over 0..63. */
struct model {
	uint32_t	customer;
	uint64_t	bits;
};

static size_t
model_find(const struct model *m, size_t n, uint32_t customer)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (m[i].customer == customer)
			return i;
	return n;
}

static uint64_t
bits_of(const struct aspa *a)
{
	uint64_t b = 0;
	size_t i;

	for (i = 0; i < a->nproviders; i++)
		b |= 1ULL << a->providers[i];
	return b;
}

/* Add *a to the set and fold it into the naive model. */
static void
add_both(struct aspaset *s, const struct aspa *a, struct model *m, size_t *nm)
{
	size_t at;

	CU_ASSERT_EQUAL_FATAL(aspaset_add(s, a), PAYLOAD_OK);
	at = model_find(m, *nm, a->customer);
	if (at == *nm) {
		m[at].customer = a->customer;
		m[at].bits = 0;
		(*nm)++;
	}
	m[at].bits |= bits_of(a);
}

/*
 * Two random sets and their models: old from RANDOM_ASPAS ASPAs with
 * customers 1000..1000+ncust and providers 0..63 (never the customer);
 * new from the same ASPAs with some dropped, some with a provider
 * changed and some moved to fresh customers.
 */
static void
random_pair(uint32_t *seed, uint32_t ncust, struct aspaset **o,
    struct model *mo, size_t *nmo, struct aspaset **n, struct model *mn,
    size_t *nmn)
{
	struct aspa a;
	uint32_t prov[RANDOM_PROV_MAX];
	size_t i, k, np;

	*nmo = *nmn = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(*o = aspaset_new());
	CU_ASSERT_PTR_NOT_NULL_FATAL(*n = aspaset_new());
	for (i = 0; i < RANDOM_ASPAS; i++) {
		np = 1 + xorshift(seed) % RANDOM_PROV_MAX;
		for (k = 0; k < np; k++)
			prov[k] = xorshift(seed) % 64;
		a = mkaspa(1000 + xorshift(seed) % ncust, prov, np,
		    xorshift(seed) % 4, 1000 + xorshift(seed) % 100);
		add_both(*o, &a, mo, nmo);
		switch (xorshift(seed) % 16) {
		case 0:
			continue;		/* dropped */
		case 1:
			prov[0] = xorshift(seed) % 64;
			break;
		case 2:
			a.customer += 100000;
			break;
		default:
			break;
		}
		add_both(*n, &a, mn, nmn);
	}
	CU_ASSERT_EQUAL_FATAL(aspaset_freeze(*o), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(aspaset_freeze(*n), PAYLOAD_OK);
}

static void
check_model(const struct aspaset *s, const struct model *m, size_t nm)
{
	struct aspa a;
	size_t i, j;

	CU_ASSERT_EQUAL_FATAL(aspaset_count(s), nm);
	for (i = 0; i < nm; i++) {
		CU_ASSERT_EQUAL_FATAL(aspaset_get(s, i, &a), 1);
		if (i > 0) {
			struct aspa prev;

			aspaset_get(s, i - 1, &prev);
			CU_ASSERT_FATAL(prev.customer < a.customer);
		}
		for (j = 1; j < a.nproviders; j++)
			CU_ASSERT_FATAL(a.providers[j - 1] < a.providers[j]);
		j = model_find(m, nm, a.customer);
		CU_ASSERT_FATAL(j < nm);
		CU_ASSERT_EQUAL(bits_of(&a), m[j].bits);
	}
}

static void
test_random_diff(void)
{
	struct model *mo, *mn;
	struct aspaset *o, *n;
	struct aspa_diff d;
	uint32_t seed = 0xa5fa;
	size_t nmo, nmn, i, j, k, wa, ww;
	int round;

	mo = calloc(RANDOM_ASPAS, sizeof(*mo));
	mn = calloc(RANDOM_ASPAS, sizeof(*mn));
	CU_ASSERT_FATAL(mo != NULL && mn != NULL);
	for (round = 0; round < 3; round++) {
		/* Few customers: heavy merging, many unchanged entries. */
		random_pair(&seed, 600 + 600 * round, &o, mo, &nmo, &n, mn,
		    &nmn);
		check_model(o, mo, nmo);
		check_model(n, mn, nmn);
		CU_ASSERT_EQUAL_FATAL(aspaset_diff(o, n, &d), PAYLOAD_OK);
		/* Expected from the models, in customer order. */
		wa = ww = 0;
		for (i = 0; i < aspaset_count(n); i++) {
			struct aspa a;

			aspaset_get(n, i, &a);
			j = model_find(mo, nmo, a.customer);
			if (j < nmo && mo[j].bits == bits_of(&a))
				continue;
			CU_ASSERT_FATAL(wa < d.nannounce);
			CU_ASSERT_EQUAL(d.announce[wa].customer, a.customer);
			CU_ASSERT_EQUAL(bits_of(&d.announce[wa]), bits_of(&a));
			wa++;
		}
		for (i = 0; i < aspaset_count(o); i++) {
			struct aspa a;

			aspaset_get(o, i, &a);
			if (model_find(mn, nmn, a.customer) < nmn)
				continue;
			CU_ASSERT_FATAL(ww < d.nwithdraw);
			CU_ASSERT_EQUAL(d.withdraw[ww].customer, a.customer);
			k = model_find(mo, nmo, a.customer);
			CU_ASSERT_EQUAL(bits_of(&d.withdraw[ww]), mo[k].bits);
			ww++;
		}
		CU_ASSERT_EQUAL(wa, d.nannounce);
		CU_ASSERT_EQUAL(ww, d.nwithdraw);
		CU_ASSERT(wa > 0 && ww > 0 && wa < nmn);
		aspa_diff_free(&d);
		aspaset_free(o);
		aspaset_free(n);
	}
	free(mo);
	free(mn);
}

REEF_SUITE(aspaset,
    REEF_TEST(test_check), REEF_TEST(test_add_normalises),
    REEF_TEST(test_add_errors), REEF_TEST(test_merge),
    REEF_TEST(test_has_provider), REEF_TEST(test_diff_small),
    REEF_TEST(test_random_diff))
