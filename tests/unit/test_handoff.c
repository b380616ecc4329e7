/*
 * Tests for common/handoff.c: round trips of random sets (fixed seed),
 * the file layout, and rejection of every truncation, every flipped
 * byte and each structural fault (with a recomputed digest, so the
 * structural checks themselves are exercised).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/handoff.h"
#include "common/hash.h"
#include "suite.h"
#include "util.h"

#define RANDOM_VRPS	5000
#define RANDOM_ASPAS	300
#define RANDOM_RKS	200
#define SEED		20240601u

static char *tas[] = { "afrinic", "apnic", "arin", "lacnic", "ripe" };

/* Small deterministic PRNG (xorshift32), independent of libc. */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
random_data(struct handoff_data *d, uint32_t seed, size_t nv, size_t na,
    size_t nr)
{
	struct vrp		v;
	struct aspa		a;
	struct router_key	k;
	uint32_t		prov[8];
	uint8_t			spki[100];
	uint8_t			addr[16];
	size_t			i, j;
	unsigned int		len;

	memset(d, 0, sizeof(*d));
	d->created = 1700000000 + (seed & 0xffff);
	d->ta_names = tas;
	d->nta = 5;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->vrps = vrpset_new());
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->aspas = aspaset_new());
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->rks = rkset_new());
	for (i = 0; i < nv; i++) {
		memset(&v, 0, sizeof(v));
		for (j = 0; j < 16; j++)
			addr[j] = rnd(&seed);
		if (rnd(&seed) % 3) {
			len = 8 + rnd(&seed) % 25;
			/* Host bits cleared by truncating a /32. */
			CU_ASSERT_FATAL(prefix_set(&v.prefix, AFI_IPV4, addr,
			    32) == PREFIX_OK);
			CU_ASSERT_FATAL(prefix_truncate(&v.prefix, len,
			    &v.prefix) == PREFIX_OK);
			v.maxlen = len + rnd(&seed) % (33 - len);
		} else {
			len = 16 + rnd(&seed) % 113;
			CU_ASSERT_FATAL(prefix_set(&v.prefix, AFI_IPV6, addr,
			    128) == PREFIX_OK);
			CU_ASSERT_FATAL(prefix_truncate(&v.prefix, len,
			    &v.prefix) == PREFIX_OK);
			v.maxlen = len + rnd(&seed) % (129 - len);
		}
		v.asn = rnd(&seed) % 70000;
		v.ta = rnd(&seed) % 5;
		v.expires = 1700000000 + rnd(&seed) % 100000;
		CU_ASSERT_EQUAL_FATAL(vrpset_add(d->vrps, &v), PAYLOAD_OK);
	}
	for (i = 0; i < na; i++) {
		memset(&a, 0, sizeof(a));
		a.customer = 1 + rnd(&seed) % 5000;
		a.nproviders = 1 + rnd(&seed) % 8;
		for (j = 0; j < a.nproviders; j++) {
			do
				prov[j] = rnd(&seed) % 6000;
			while (prov[j] == a.customer);
		}
		a.providers = prov;
		a.ta = rnd(&seed) % 5;
		a.expires = -5 + (int64_t)(rnd(&seed) % 10);	/* negatives too */
		CU_ASSERT_EQUAL_FATAL(aspaset_add(d->aspas, &a), PAYLOAD_OK);
	}
	for (i = 0; i < nr; i++) {
		memset(&k, 0, sizeof(k));
		k.asn = rnd(&seed) % 100;
		for (j = 0; j < ROUTER_KEY_SKI_LEN; j++)
			k.ski[j] = rnd(&seed) % 4;
		k.spki_len = 1 + rnd(&seed) % sizeof(spki);
		for (j = 0; j < k.spki_len; j++)
			spki[j] = rnd(&seed);
		k.spki = spki;
		k.ta = rnd(&seed) % 5;
		k.expires = INT64_MAX - rnd(&seed) % 3;
		CU_ASSERT_EQUAL_FATAL(rkset_add(d->rks, &k), PAYLOAD_OK);
	}
	CU_ASSERT_EQUAL_FATAL(vrpset_freeze(d->vrps), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(aspaset_freeze(d->aspas), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(rkset_freeze(d->rks), PAYLOAD_OK);
}

/* Free a random_data() result (its TA names are static). */
static void
free_data(struct handoff_data *d)
{
	vrpset_free(d->vrps);
	aspaset_free(d->aspas);
	rkset_free(d->rks);
	memset(d, 0, sizeof(*d));
}

static void
assert_same(const struct handoff_data *a, const struct handoff_data *b)
{
	const struct vrp	*va, *vb;
	struct aspa		 aa, ab;
	struct router_key	 ka, kb;
	size_t			 i;

	CU_ASSERT_EQUAL(a->created, b->created);
	CU_ASSERT_EQUAL_FATAL(a->nta, b->nta);
	for (i = 0; i < a->nta; i++)
		CU_ASSERT_STRING_EQUAL(a->ta_names[i], b->ta_names[i]);
	CU_ASSERT_EQUAL_FATAL(vrpset_count(a->vrps), vrpset_count(b->vrps));
	for (i = 0; i < vrpset_count(a->vrps); i++) {
		va = vrpset_get(a->vrps, i);
		vb = vrpset_get(b->vrps, i);
		CU_ASSERT_EQUAL(memcmp(va, vb, sizeof(*va)), 0);
	}
	CU_ASSERT_EQUAL_FATAL(aspaset_count(a->aspas), aspaset_count(b->aspas));
	for (i = 0; aspaset_get(a->aspas, i, &aa); i++) {
		CU_ASSERT_FATAL(aspaset_get(b->aspas, i, &ab));
		CU_ASSERT(aa.customer == ab.customer && aa.ta == ab.ta &&
		    aa.expires == ab.expires &&
		    aa.nproviders == ab.nproviders);
		CU_ASSERT(memcmp(aa.providers, ab.providers,
		    aa.nproviders * sizeof(uint32_t)) == 0);
	}
	CU_ASSERT_EQUAL_FATAL(rkset_count(a->rks), rkset_count(b->rks));
	for (i = 0; rkset_get(a->rks, i, &ka); i++) {
		CU_ASSERT_FATAL(rkset_get(b->rks, i, &kb));
		CU_ASSERT(router_key_cmp(&ka, &kb) == 0 && ka.ta == kb.ta &&
		    ka.expires == kb.expires);
	}
}

static void
test_roundtrip(void)
{
	struct handoff_data	 d, r;
	uint8_t			*buf, *buf2;
	size_t			 len, len2;
	char			 err[256];
	uint32_t		 seed;

	for (seed = SEED; seed < SEED + 4; seed++) {
		random_data(&d, seed, RANDOM_VRPS, RANDOM_ASPAS, RANDOM_RKS);
		CU_ASSERT_EQUAL_FATAL(handoff_encode(&d, &buf, &len), 0);
		CU_ASSERT_EQUAL_FATAL(handoff_parse(buf, len, &r, err,
		    sizeof(err)), 0);
		assert_same(&d, &r);
		/* Encoding is deterministic: re-encoding gives the same bytes. */
		CU_ASSERT_EQUAL_FATAL(handoff_encode(&r, &buf2, &len2), 0);
		CU_ASSERT(len == len2 && memcmp(buf, buf2, len) == 0);
		free(buf);
		free(buf2);
		handoff_free(&r);
		free_data(&d);
	}
	/* Empty sets, no TAs; NULL sets encode as empty. */
	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL_FATAL(handoff_encode(&d, &buf, &len), 0);
	CU_ASSERT_EQUAL(len, 36 + 32);
	CU_ASSERT_EQUAL(handoff_parse(buf, len, &r, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(vrpset_count(r.vrps), 0);
	CU_ASSERT(vrpset_frozen(r.vrps) && aspaset_frozen(r.aspas) &&
	    rkset_frozen(r.rks));
	handoff_free(&r);
	handoff_free(&r);	/* idempotent */
	handoff_free(NULL);
	free(buf);
}

static void
test_file(void)
{
	struct handoff_data	 d, r;
	char			*dir, *path, err[512];

	dir = tu_tmpdir("handoff");
	path = tu_asprintf("%s/%s", dir, HANDOFF_FILENAME);
	random_data(&d, SEED, 100, 10, 10);
	CU_ASSERT_EQUAL_FATAL(handoff_write(path, &d), 0);
	CU_ASSERT_EQUAL_FATAL(handoff_read(path, &r, err, sizeof(err)), 0);
	assert_same(&d, &r);
	handoff_free(&r);
	/* A missing file names the path. */
	CU_ASSERT_EQUAL(handoff_read(dir, &r, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, dir));
	free(path);
	path = tu_asprintf("%s/nope", dir);
	CU_ASSERT_EQUAL(handoff_read(path, &r, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(strncmp(err, path, strlen(path)), 0);
	CU_ASSERT_PTR_NULL(r.vrps);
	/* A failed write leaves nothing behind and no target. */
	free(path);
	path = tu_asprintf("%s/sub/x", dir);
	CU_ASSERT_EQUAL(handoff_write(path, &d), -1);
	free_data(&d);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* A small file: 2 TAs ("arin", "ripe"), 2 VRPs (v4, v6), 1 router key, 1 ASPA. */
static void
small_file(uint8_t **buf, size_t *len)
{
	static char		*names[] = { "arin", "ripe" };
	struct handoff_data	 d;
	struct vrp		 v;
	struct aspa		 a;
	struct router_key	 k;
	uint32_t		 prov[] = { 65001, 65002 };
	uint8_t			 spki[] = { 0x30, 0x03, 0x01, 0x02, 0x03 };

	memset(&d, 0, sizeof(d));
	d.created = 1717171717;
	d.ta_names = names;
	d.nta = 2;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d.vrps = vrpset_new());
	CU_ASSERT_PTR_NOT_NULL_FATAL(d.aspas = aspaset_new());
	CU_ASSERT_PTR_NOT_NULL_FATAL(d.rks = rkset_new());
	memset(&v, 0, sizeof(v));
	CU_ASSERT_FATAL(prefix_parse("192.0.2.0/24", &v.prefix) == PREFIX_OK);
	v.maxlen = 24;
	v.asn = 64496;
	v.expires = 1800000000;
	CU_ASSERT_FATAL(vrpset_add(d.vrps, &v) == PAYLOAD_OK);
	CU_ASSERT_FATAL(prefix_parse("2001:db8::/32", &v.prefix) == PREFIX_OK);
	v.maxlen = 48;
	v.ta = 1;
	CU_ASSERT_FATAL(vrpset_add(d.vrps, &v) == PAYLOAD_OK);
	memset(&k, 0, sizeof(k));
	k.asn = 64497;
	k.spki = spki;
	k.spki_len = sizeof(spki);
	k.expires = 1800000000;
	CU_ASSERT_FATAL(rkset_add(d.rks, &k) == PAYLOAD_OK);
	memset(&a, 0, sizeof(a));
	a.customer = 65000;
	a.providers = prov;
	a.nproviders = 2;
	a.ta = 1;
	CU_ASSERT_FATAL(aspaset_add(d.aspas, &a) == PAYLOAD_OK);
	CU_ASSERT_FATAL(vrpset_freeze(d.vrps) == PAYLOAD_OK);
	CU_ASSERT_FATAL(aspaset_freeze(d.aspas) == PAYLOAD_OK);
	CU_ASSERT_FATAL(rkset_freeze(d.rks) == PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(handoff_encode(&d, buf, len), 0);
	free_data(&d);
}

/* Offsets in small_file(). */
#define OFF_TAS		36
#define OFF_VRP4	(OFF_TAS + 2 + 4 + 2 + 4)
#define OFF_VRP6	(OFF_VRP4 + 24)
#define OFF_RK		(OFF_VRP6 + 36)
#define OFF_ASPA	(OFF_RK + 38 + 5)
#define SMALL_LEN	(OFF_ASPA + 20 + 8 + 32)

static void
test_layout(void)
{
	static const uint8_t hdr[] = {
		'R', 'E', 'E', 'F', 'H', 'O', 'F', '\n', 0, 0, 0, 1,
		0, 0, 0, 0, 0x66, 0x59, 0xf6, 0x05,	/* 1717171717 */
		0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1,
		0, 4, 'a', 'r', 'i', 'n', 0, 4, 'r', 'i', 'p', 'e'
	};
	static const uint8_t vrp4[] = {
		1, 24, 24, 0, 0, 0, 0xfb, 0xf0, 0, 0, 0, 0,
		0, 0, 0, 0, 0x6b, 0x49, 0xd2, 0x00, 192, 0, 2, 0
	};
	/* All 16 address bytes, the fixed part as for IPv4. */
	static const uint8_t vrp6[] = {
		2, 32, 48, 0, 0, 0, 0xfb, 0xf0, 0, 0, 0, 1,
		0, 0, 0, 0, 0x6b, 0x49, 0xd2, 0x00,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
	};
	unsigned char	 md[HASH_SHA256_LEN];
	uint8_t		*buf;
	size_t		 len;

	small_file(&buf, &len);
	CU_ASSERT_EQUAL_FATAL(len, SMALL_LEN);
	CU_ASSERT_EQUAL(memcmp(buf, hdr, sizeof(hdr)), 0);
	CU_ASSERT_EQUAL(memcmp(buf + OFF_VRP4, vrp4, sizeof(vrp4)), 0);
	CU_ASSERT_EQUAL(memcmp(buf + OFF_VRP6, vrp6, sizeof(vrp6)), 0);
	CU_ASSERT_EQUAL(OFF_VRP6 + sizeof(vrp6), OFF_RK);
	CU_ASSERT_EQUAL(buf[OFF_ASPA + 19], 2);		/* nproviders */
	CU_ASSERT_EQUAL(hash_sha256(buf, len - 32, md), 0);
	CU_ASSERT_EQUAL(memcmp(md, buf + len - 32, 32), 0);
	free(buf);
}

/* Parse a modified copy after recomputing its digest; returns the error. */
static int
parse_fixed(uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct handoff_data	r;
	int			rc;

	CU_ASSERT_EQUAL_FATAL(hash_sha256(buf, len - 32, buf + len - 32), 0);
	rc = handoff_parse(buf, len, &r, err, errlen);
	if (rc == 0)
		handoff_free(&r);
	else
		CU_ASSERT_PTR_NULL(r.vrps);
	return rc;
}

static void
test_corruption(void)
{
	struct handoff_data	 r;
	uint8_t			*buf, *copy;
	size_t			 len, i;
	char			 err[256];
	int			 bit;

	small_file(&buf, &len);
	CU_ASSERT_EQUAL_FATAL(handoff_parse(buf, len, &r, err, sizeof(err)), 0);
	handoff_free(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy = malloc(len + 8));
	/* Every truncation. */
	for (i = 0; i < len; i++) {
		CU_ASSERT_EQUAL(handoff_parse(buf, i, &r, err, sizeof(err)), -1);
		CU_ASSERT_PTR_NULL(r.vrps);
	}
	CU_ASSERT_EQUAL(handoff_parse(NULL, 0, &r, err, 0), -1);
	/* Every flipped bit. */
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(copy, buf, len);
			copy[i] ^= 1 << bit;
			CU_ASSERT_EQUAL(handoff_parse(copy, len, &r, err,
			    sizeof(err)), -1);
		}
	/* Appended bytes, even with a valid digest over them. */
	memcpy(copy, buf, len);
	CU_ASSERT_EQUAL(handoff_parse(copy, len + 1, &r, err, sizeof(err)), -1);
	memcpy(copy, buf, len - 32);
	memset(copy + len - 32, 0, 4);
	CU_ASSERT_EQUAL(parse_fixed(copy, len + 4, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unexpected bytes"));

#define FIXED_FAILS(stmt, text) do {					\
	memcpy(copy, buf, len);						\
	stmt;								\
	CU_ASSERT_EQUAL(parse_fixed(copy, len, err, sizeof(err)), -1);	\
	if (strstr(err, text) == NULL)					\
		fprintf(stderr, "want \"%s\", got \"%s\"\n", text, err); \
	CU_ASSERT_PTR_NOT_NULL(strstr(err, text));			\
} while (0)

	FIXED_FAILS(copy[0] = 'X', "bad magic");
	FIXED_FAILS(copy[11] = 2, "unsupported version");
	FIXED_FAILS(copy[23] = 9, "too many TAs");
	FIXED_FAILS(copy[27] = 200, "exceed the file size");
	FIXED_FAILS(copy[OFF_TAS + 2] = ' ', "bad name");
	FIXED_FAILS(memcpy(copy + OFF_TAS + 8, "arin", 4), "duplicate name");
	FIXED_FAILS(copy[OFF_VRP4 + 3] = 1, "reserved");
	FIXED_FAILS(copy[OFF_VRP4] = 3, "bad AFI");
	FIXED_FAILS(copy[OFF_VRP4 + 2] = 23, "maxLength");
	FIXED_FAILS(copy[OFF_VRP4 + 2] = 33, "maxLength");
	FIXED_FAILS(copy[OFF_VRP4 + 1] = 16, "prefix");	/* host bits */
	FIXED_FAILS(copy[OFF_VRP4 + 11] = 2, "TA index");
	/* Swap the IPv4 and IPv6 VRPs: same bytes, wrong order. */
	FIXED_FAILS(memcpy(copy + OFF_VRP4, buf + OFF_VRP6, 36);
	    memcpy(copy + OFF_VRP4 + 36, buf + OFF_VRP4, 24), "out of order");
	FIXED_FAILS(copy[OFF_RK + 36] = 0; copy[OFF_RK + 37] = 0,
	    "router key 0");
	FIXED_FAILS(copy[OFF_RK + 7] = 7, "TA index");
	FIXED_FAILS(copy[OFF_ASPA + 19] = 0, "provider count");
	FIXED_FAILS(copy[OFF_ASPA + 23] = 0xea, "providers out of order");
	FIXED_FAILS(copy[OFF_ASPA + 27] = 0xe8, "ASPA 0");	/* customer */
	FIXED_FAILS(memset(copy + OFF_ASPA, 0, 4), "ASPA 0");
#undef FIXED_FAILS
	/* The unmodified file, digest recomputed, still parses. */
	memcpy(copy, buf, len);
	CU_ASSERT_EQUAL(parse_fixed(copy, len, err, sizeof(err)), 0);
	free(copy);
	free(buf);
}

static void
test_encode_rejects(void)
{
	static char		*bad[] = { "ok", "has space" };
	static char		*dup[] = { "same", "same" };
	struct handoff_data	 d;
	struct vrp		 v;
	uint8_t			*buf;
	size_t			 len;

	memset(&d, 0, sizeof(d));
	d.ta_names = bad;
	d.nta = 2;
	CU_ASSERT_EQUAL(handoff_encode(&d, &buf, &len), -1);
	CU_ASSERT_PTR_NULL(buf);
	d.ta_names = dup;
	CU_ASSERT_EQUAL(handoff_encode(&d, &buf, &len), -1);
	d.nta = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d.vrps = vrpset_new());
	memset(&v, 0, sizeof(v));
	CU_ASSERT_FATAL(prefix_parse("10.0.0.0/8", &v.prefix) == PREFIX_OK);
	v.maxlen = 8;
	CU_ASSERT_FATAL(vrpset_add(d.vrps, &v) == PAYLOAD_OK);
	/* Not frozen. */
	CU_ASSERT_EQUAL(handoff_encode(&d, &buf, &len), -1);
	CU_ASSERT_FATAL(vrpset_freeze(d.vrps) == PAYLOAD_OK);
	/* ta 0 but no TA names. */
	CU_ASSERT_EQUAL(handoff_encode(&d, &buf, &len), -1);
	d.ta_names = bad;
	d.nta = 1;
	CU_ASSERT_EQUAL_FATAL(handoff_encode(&d, &buf, &len), 0);
	free(buf);
	vrpset_free(d.vrps);
}

REEF_SUITE(handoff, REEF_TEST(test_roundtrip), REEF_TEST(test_file),
    REEF_TEST(test_layout), REEF_TEST(test_corruption),
    REEF_TEST(test_encode_rejects))
