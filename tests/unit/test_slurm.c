/*
 * SLURM (RFC 8416): strict parsing (every malformed case named) and the
 * application of filters and assertions to frozen sets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/b64.h"
#include "common/log.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/slurm.h"

/* base64url of the 20 bytes "12345678901234567890" (no padding). */
#define SKI_A	"MTIzNDU2Nzg5MDEyMzQ1Njc4OTA"
/* base64url of 20 bytes 0xfb...: exercises '-' and '_'. */
#define SKI_B	"-_v7-_v7-_v7-_v7-_v7-_v7-_s"

/* Skeleton with the two RFC 8416 sections and slots for their lists. */
#define SLURM_DOC(pf, bf, pa, ba) \
	"{\"slurmVersion\":1,\"validationOutputFilters\":{\"prefixFilters\":[" \
	pf "],\"bgpsecFilters\":[" bf "]},\"locallyAddedAssertions\":{" \
	"\"prefixAssertions\":[" pa "],\"bgpsecAssertions\":[" ba "]}}"

/* A DER SubjectPublicKeyInfo of a fresh P-256 key, base64url unpadded. */
static char *
make_spki_b64url(uint8_t **der, size_t *derlen)
{
	EVP_PKEY *pk;
	unsigned char *buf = NULL;
	char *b64, *p;
	int len;

	pk = EVP_EC_gen("P-256");
	CU_ASSERT_PTR_NOT_NULL_FATAL(pk);
	len = i2d_PUBKEY(pk, &buf);
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_EQUAL_FATAL(b64_encode(buf, (size_t)len, &b64, NULL), 0);
	for (p = b64; *p != '\0'; p++)
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=')
			*p = '\0';
	*der = buf;
	*derlen = (size_t)len;
	EVP_PKEY_free(pk);
	return b64;
}

static struct slurm *
parse(const char *doc)
{
	return slurm_parse("test.json", doc, strlen(doc));
}

static void
test_slurm_rfc_example(void)
{
	struct slurm *s;
	uint8_t *der;
	size_t derlen;
	char *key, *doc;

	key = make_spki_b64url(&der, &derlen);
	doc = tu_asprintf(
	    "{\n  \"slurmVersion\": 1,\n"
	    "  \"validationOutputFilters\": {\n"
	    "    \"prefixFilters\": [\n"
	    "      { \"prefix\": \"192.0.2.0/24\", \"comment\": \"c\" },\n"
	    "      { \"asn\": 64496 },\n"
	    "      { \"prefix\": \"198.51.100.0/24\", \"asn\": 64497 }\n"
	    "    ],\n"
	    "    \"bgpsecFilters\": [\n"
	    "      { \"asn\": 64496 },\n"
	    "      { \"SKI\": \"" SKI_A "\" },\n"
	    "      { \"asn\": 64497, \"SKI\": \"" SKI_B "\" }\n"
	    "    ],\n"
	    "    \"aspaFilters\": [ { \"customerAsid\": 64499 } ]\n"
	    "  },\n"
	    "  \"locallyAddedAssertions\": {\n"
	    "    \"prefixAssertions\": [\n"
	    "      { \"asn\": 64496, \"prefix\": \"198.51.100.0/24\" },\n"
	    "      { \"asn\": 64496, \"prefix\": \"2001:DB8::/32\",\n"
	    "        \"maxPrefixLength\": 48, \"comment\": \"x\" }\n"
	    "    ],\n"
	    "    \"bgpsecAssertions\": [\n"
	    "      { \"asn\": 64496, \"SKI\": \"" SKI_A "\",\n"
	    "        \"routerPublicKey\": \"%s\" }\n"
	    "    ],\n"
	    "    \"aspaAssertions\": [\n"
	    "      { \"customerAsid\": 64500, \"providerSet\": [64501, 1] },\n"
	    "      { \"customerAsid\": 64502, \"providers\": [2] }\n"
	    "    ]\n"
	    "  }\n}\n", key);
	s = parse(doc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->npfx_filters, 3);
	CU_ASSERT(s->pfx_filters[0].has_prefix && !s->pfx_filters[0].has_asn);
	CU_ASSERT(!s->pfx_filters[1].has_prefix && s->pfx_filters[1].has_asn);
	CU_ASSERT_EQUAL(s->pfx_filters[1].asn, 64496);
	CU_ASSERT(s->pfx_filters[2].has_prefix && s->pfx_filters[2].has_asn);
	CU_ASSERT_EQUAL(s->nbgpsec_filters, 3);
	CU_ASSERT(memcmp(s->bgpsec_filters[1].ski, "12345678901234567890",
	    20) == 0);
	CU_ASSERT_EQUAL(s->bgpsec_filters[2].ski[0], 0xfb);
	CU_ASSERT_EQUAL(s->bgpsec_filters[2].ski[1], 0xfb);
	CU_ASSERT_EQUAL(s->naspa_filters, 1);
	CU_ASSERT_EQUAL(s->npfx_assertions, 2);
	CU_ASSERT_EQUAL(s->pfx_assertions[0].maxlen, 24);
	CU_ASSERT_EQUAL(s->pfx_assertions[1].maxlen, 48);
	CU_ASSERT_EQUAL(s->pfx_assertions[1].prefix.afi, AFI_IPV6);
	CU_ASSERT_EQUAL(s->nbgpsec_assertions, 1);
	CU_ASSERT_EQUAL(s->bgpsec_assertions[0].spki_len, derlen);
	CU_ASSERT(memcmp(s->bgpsec_assertions[0].spki, der, derlen) == 0);
	CU_ASSERT_EQUAL(s->naspa_assertions, 2);
	CU_ASSERT_EQUAL(s->aspa_assertions[0].nproviders, 2);
	CU_ASSERT_EQUAL(s->aspa_assertions[1].providers[0], 2);
	slurm_free(s);
	free(doc);
	free(key);
	OPENSSL_free(der);
}

static void
test_slurm_minimal(void)
{
	struct slurm *s;

	s = parse(SLURM_DOC("", "", "", ""));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->npfx_filters + s->nbgpsec_filters +
	    s->npfx_assertions + s->nbgpsec_assertions, 0);
	slurm_free(s);
	slurm_free(NULL);
}

static const struct {
	const char	*name;
	const char	*doc;
} malformed[] = {
	{ "empty input", "" },
	{ "not an object", "[]" },
	{ "version 2", "{\"slurmVersion\":2,\"validationOutputFilters\":"
	    "{\"prefixFilters\":[],\"bgpsecFilters\":[]},"
	    "\"locallyAddedAssertions\":{\"prefixAssertions\":[],"
	    "\"bgpsecAssertions\":[]}}" },
	{ "version as string", "{\"slurmVersion\":\"1\"}" },
	{ "version as fraction", "{\"slurmVersion\":1.0}" },
	{ "missing slurmVersion", "{\"validationOutputFilters\":"
	    "{\"prefixFilters\":[],\"bgpsecFilters\":[]},"
	    "\"locallyAddedAssertions\":{\"prefixAssertions\":[],"
	    "\"bgpsecAssertions\":[]}}" },
	{ "missing locallyAddedAssertions", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":{\"prefixFilters\":[],"
	    "\"bgpsecFilters\":[]}}" },
	{ "missing validationOutputFilters", "{\"slurmVersion\":1,"
	    "\"locallyAddedAssertions\":{\"prefixAssertions\":[],"
	    "\"bgpsecAssertions\":[]}}" },
	{ "missing bgpsecFilters", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":{\"prefixFilters\":[]},"
	    "\"locallyAddedAssertions\":{\"prefixAssertions\":[],"
	    "\"bgpsecAssertions\":[]}}" },
	{ "missing prefixAssertions", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":{\"prefixFilters\":[],"
	    "\"bgpsecFilters\":[]},\"locallyAddedAssertions\":{"
	    "\"bgpsecAssertions\":[]}}" },
	{ "unknown top-level member", "{\"slurmVersion\":1,\"x\":1}" },
	{ "repeated member", "{\"slurmVersion\":1,\"slurmVersion\":1}" },
	{ "trailing data", SLURM_DOC("", "", "", "") "{}" },
	{ "trailing comma", "{\"slurmVersion\":1,}" },
	{ "comment (JSON has none)", "/* x */" SLURM_DOC("", "", "", "") },
	{ "filters not an object", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":[]}" },
	{ "list not an array", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":{\"prefixFilters\":{}}}" },
	{ "entry not an object", SLURM_DOC("1", "", "", "") },
	{ "empty prefix filter", SLURM_DOC("{}", "", "", "") },
	{ "prefix filter with only a comment",
	    SLURM_DOC("{\"comment\":\"x\"}", "", "", "") },
	{ "prefix filter with maxPrefixLength",
	    SLURM_DOC("{\"prefix\":\"192.0.2.0/24\",\"maxPrefixLength\":24}",
	    "", "", "") },
	{ "prefix with host bits",
	    SLURM_DOC("{\"prefix\":\"198.51.100.6/24\"}", "", "", "") },
	{ "prefix without length",
	    SLURM_DOC("{\"prefix\":\"192.0.2.1\"}", "", "", "") },
	{ "prefix length too long",
	    SLURM_DOC("{\"prefix\":\"192.0.2.0/33\"}", "", "", "") },
	{ "prefix as number", SLURM_DOC("{\"prefix\":1}", "", "", "") },
	{ "negative asn", SLURM_DOC("{\"asn\":-1}", "", "", "") },
	{ "asn above 32 bits", SLURM_DOC("{\"asn\":4294967296}", "", "", "") },
	{ "asn as fraction", SLURM_DOC("{\"asn\":1.5}", "", "", "") },
	{ "asn with exponent", SLURM_DOC("{\"asn\":1e3}", "", "", "") },
	{ "asn as string", SLURM_DOC("{\"asn\":\"AS64496\"}", "", "", "") },
	{ "comment not a string",
	    SLURM_DOC("{\"asn\":1,\"comment\":5}", "", "", "") },
	{ "comment with NUL",
	    SLURM_DOC("{\"asn\":1,\"comment\":\"a\\u0000b\"}", "", "", "") },
	{ "empty bgpsec filter", SLURM_DOC("", "{}", "", "") },
	{ "SKI too short", SLURM_DOC("", "{\"SKI\":\"AAAA\"}", "", "") },
	{ "SKI padded", SLURM_DOC("", "{\"SKI\":\"" SKI_A "=\"}", "", "") },
	{ "SKI in the standard alphabet", SLURM_DOC("",
	    "{\"SKI\":\"+/v7+/v7+/v7+/v7+/v7+/v7+/s\"}", "", "") },
	{ "SKI bad length mod 4", SLURM_DOC("", "{\"SKI\":\"AAAAA\"}", "",
	    "") },
	{ "SKI with non-zero spare bits", SLURM_DOC("",
	    "{\"SKI\":\"MTIzNDU2Nzg5MDEyMzQ1Njc4OTB\"}", "", "") },
	{ "prefix assertion without asn",
	    SLURM_DOC("", "", "{\"prefix\":\"192.0.2.0/24\"}", "") },
	{ "prefix assertion without prefix",
	    SLURM_DOC("", "", "{\"asn\":1}", "") },
	{ "maxPrefixLength below prefix length", SLURM_DOC("", "",
	    "{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxPrefixLength\":23}",
	    "") },
	{ "maxPrefixLength beyond IPv4", SLURM_DOC("", "",
	    "{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxPrefixLength\":33}",
	    "") },
	{ "maxPrefixLength beyond IPv6", SLURM_DOC("", "",
	    "{\"asn\":1,\"prefix\":\"2001:db8::/32\",\"maxPrefixLength\":129}",
	    "") },
	{ "bgpsec assertion without key", SLURM_DOC("", "", "",
	    "{\"asn\":1,\"SKI\":\"" SKI_A "\"}") },
	{ "bgpsec assertion with a non-key", SLURM_DOC("", "", "",
	    "{\"asn\":1,\"SKI\":\"" SKI_A "\",\"routerPublicKey\":\"AAAA\"}") },
	{ "aspa assertion without providers", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":{\"prefixFilters\":[],"
	    "\"bgpsecFilters\":[]},\"locallyAddedAssertions\":{"
	    "\"prefixAssertions\":[],\"bgpsecAssertions\":[],"
	    "\"aspaAssertions\":[{\"customerAsid\":1}]}}" },
	{ "aspa assertion with empty providerSet", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":{\"prefixFilters\":[],"
	    "\"bgpsecFilters\":[]},\"locallyAddedAssertions\":{"
	    "\"prefixAssertions\":[],\"bgpsecAssertions\":[],"
	    "\"aspaAssertions\":[{\"customerAsid\":1,\"providerSet\":[]}]}}" },
	{ "aspa customer among providers", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":{\"prefixFilters\":[],"
	    "\"bgpsecFilters\":[]},\"locallyAddedAssertions\":{"
	    "\"prefixAssertions\":[],\"bgpsecAssertions\":[],"
	    "\"aspaAssertions\":[{\"customerAsid\":1,\"providerSet\":[2,1]}]}}" },
	{ "aspa duplicate provider", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":{\"prefixFilters\":[],"
	    "\"bgpsecFilters\":[]},\"locallyAddedAssertions\":{"
	    "\"prefixAssertions\":[],\"bgpsecAssertions\":[],"
	    "\"aspaAssertions\":[{\"customerAsid\":1,\"providerSet\":[2,2]}]}}" },
	{ "aspa customer 0", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":{\"prefixFilters\":[],"
	    "\"bgpsecFilters\":[]},\"locallyAddedAssertions\":{"
	    "\"prefixAssertions\":[],\"bgpsecAssertions\":[],"
	    "\"aspaAssertions\":[{\"customerAsid\":0,\"providerSet\":[2]}]}}" },
	{ "aspa providerSet and providers", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":{\"prefixFilters\":[],"
	    "\"bgpsecFilters\":[]},\"locallyAddedAssertions\":{"
	    "\"prefixAssertions\":[],\"bgpsecAssertions\":[],"
	    "\"aspaAssertions\":[{\"customerAsid\":1,\"providerSet\":[2],"
	    "\"providers\":[3]}]}}" },
	{ "aspa provider not a number", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":{\"prefixFilters\":[],"
	    "\"bgpsecFilters\":[]},\"locallyAddedAssertions\":{"
	    "\"prefixAssertions\":[],\"bgpsecAssertions\":[],"
	    "\"aspaAssertions\":[{\"customerAsid\":1,\"providerSet\":[\"2\"]}]}}" },
	{ "aspa filter without customer", "{\"slurmVersion\":1,"
	    "\"validationOutputFilters\":{\"prefixFilters\":[],"
	    "\"bgpsecFilters\":[],\"aspaFilters\":[{\"comment\":\"x\"}]}}" },
	{ "too deep", "{\"slurmVersion\":1,\"validationOutputFilters\":"
	    "{\"prefixFilters\":[{\"comment\":[[[[[]]]]]}]}}" },
};

static void
test_slurm_malformed(void)
{
	struct slurm *s;
	size_t i;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		s = parse(malformed[i].doc);
		if (s != NULL)
			fprintf(stderr, "accepted: %s\n", malformed[i].name);
		CU_ASSERT_PTR_NULL(s);
		slurm_free(s);
	}
}

/* Build frozen sets from literals. */
static struct vrpset *
vrps_of(const char *const *pfx, const uint32_t *asn, size_t n)
{
	struct vrpset *set = vrpset_new();
	struct vrp v;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&v, 0, sizeof(v));
		CU_ASSERT_EQUAL_FATAL(prefix_parse(pfx[i], &v.prefix), 0);
		v.maxlen = v.prefix.len;
		v.asn = asn[i];
		v.expires = 1000;
		CU_ASSERT_EQUAL_FATAL(vrpset_add(set, &v), 0);
	}
	vrpset_freeze(set);
	return set;
}

static int
has_vrp(const struct vrpset *set, const char *pfx, unsigned int maxlen,
    uint32_t asn)
{
	struct prefix p;

	CU_ASSERT_EQUAL_FATAL(prefix_parse(pfx, &p), 0);
	return vrpset_find(set, &p, maxlen, asn) != NULL;
}

static void
test_slurm_apply_prefix_filters(void)
{
	static const char *const pfx[] = {
		"192.0.2.0/24", "192.0.2.128/25", "192.0.0.0/16",
		"198.51.100.0/24", "198.51.100.0/24", "203.0.113.0/24",
		"2001:db8::/32",
	};
	static const uint32_t asn[] = { 1, 2, 3, 64497, 5, 64496, 64496 };
	struct vrpset *v;
	struct rkset *r = NULL;
	struct aspaset *a = NULL;
	struct slurm_stats st;
	struct slurm *s;

	/* By prefix (covers the /25, not the /16), by ASN, by both. */
	s = parse(SLURM_DOC("{\"prefix\":\"192.0.2.0/24\"},{\"asn\":64496},"
	    "{\"prefix\":\"198.51.100.0/24\",\"asn\":64497}", "", "", ""));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	v = vrps_of(pfx, asn, 7);
	CU_ASSERT_EQUAL_FATAL(slurm_apply(s, 9, 5000, &v, &r, &a, &st), 0);
	CU_ASSERT_EQUAL(vrpset_count(v), 2);
	CU_ASSERT(has_vrp(v, "192.0.0.0/16", 16, 3));
	CU_ASSERT(has_vrp(v, "198.51.100.0/24", 24, 5));
	CU_ASSERT(!has_vrp(v, "198.51.100.0/24", 24, 64497));
	CU_ASSERT(!has_vrp(v, "192.0.2.128/25", 25, 2));
	CU_ASSERT(!has_vrp(v, "2001:db8::/32", 32, 64496));
	CU_ASSERT_EQUAL(st.vrps_filtered, 5);
	CU_ASSERT_EQUAL(st.vrps_added, 0);
	/* NULL sets came back as empty frozen ones. */
	CU_ASSERT_PTR_NOT_NULL(r);
	CU_ASSERT_PTR_NOT_NULL(a);
	CU_ASSERT_EQUAL(rkset_count(r), 0);
	CU_ASSERT(aspaset_frozen(a));
	vrpset_free(v);
	rkset_free(r);
	aspaset_free(a);
	slurm_free(s);
}

static void
test_slurm_apply_assertions(void)
{
	static const char *const pfx[] = { "192.0.2.0/24", "10.0.0.0/8" };
	static const uint32_t asn[] = { 64496, 1 };
	struct vrpset *v;
	struct rkset *r = NULL;
	struct aspaset *a = NULL;
	struct slurm_stats st;
	struct slurm *s;
	const struct vrp *e;
	struct prefix p;

	/*
	 * Overlaps: the filter covers the asserted prefix, yet the assertion
	 * stays (assertions come after filtering); two filters matching one
	 * VRP remove it once; an assertion equal to an RPKI VRP merges.
	 */
	s = parse(SLURM_DOC("{\"prefix\":\"192.0.0.0/8\"},{\"asn\":64496}", "",
	    "{\"asn\":64496,\"prefix\":\"192.0.2.0/24\",\"maxPrefixLength\":26},"
	    "{\"asn\":1,\"prefix\":\"10.0.0.0/8\"},"
	    "{\"asn\":1,\"prefix\":\"10.0.0.0/8\"}", ""));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	v = vrps_of(pfx, asn, 2);
	CU_ASSERT_EQUAL_FATAL(slurm_apply(s, 7, 5000, &v, &r, &a, &st), 0);
	CU_ASSERT_EQUAL(st.vrps_filtered, 1);
	CU_ASSERT_EQUAL(st.vrps_added, 3);
	CU_ASSERT_EQUAL(vrpset_count(v), 2);
	prefix_parse("192.0.2.0/24", &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e = vrpset_find(v, &p, 26, 64496));
	CU_ASSERT_EQUAL(e->ta, 7);
	CU_ASSERT_EQUAL(e->expires, 5000);
	CU_ASSERT(!has_vrp(v, "192.0.2.0/24", 24, 64496));
	/* The RPKI's 10/8 (expires 1000) merged with the asserted one. */
	prefix_parse("10.0.0.0/8", &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e = vrpset_find(v, &p, 8, 1));
	CU_ASSERT_EQUAL(e->expires, 5000);
	vrpset_free(v);
	rkset_free(r);
	aspaset_free(a);
	slurm_free(s);
}

static void
test_slurm_apply_bgpsec_aspa(void)
{
	struct vrpset *v = NULL;
	struct rkset *r;
	struct aspaset *a;
	struct router_key k, got;
	struct aspa e;
	struct slurm_stats st;
	struct slurm *s;
	uint32_t prov[] = { 10, 11 };
	uint8_t *der;
	size_t derlen;
	char *key, *doc;

	key = make_spki_b64url(&der, &derlen);
	r = rkset_new();
	memset(&k, 0, sizeof(k));
	k.spki = der;
	k.spki_len = derlen;
	k.expires = 1000;
	k.asn = 64496;
	memcpy(k.ski, "12345678901234567890", 20);	/* SKI_A */
	rkset_add(r, &k);
	k.asn = 64497;
	memset(k.ski, 0xfb, 20);			/* SKI_B */
	rkset_add(r, &k);
	k.asn = 64498;
	rkset_add(r, &k);
	rkset_freeze(r);
	a = aspaset_new();
	memset(&e, 0, sizeof(e));
	e.providers = prov;
	e.nproviders = 2;
	e.expires = 1000;
	for (e.customer = 100; e.customer <= 102; e.customer++)
		aspaset_add(a, &e);
	aspaset_freeze(a);

	doc = tu_asprintf("{\"slurmVersion\":1,\"validationOutputFilters\":{"
	    "\"prefixFilters\":[],\"bgpsecFilters\":[{\"SKI\":\"" SKI_A "\"},"
	    "{\"asn\":64497,\"SKI\":\"" SKI_B "\"}],"
	    "\"aspaFilters\":[{\"customerAsid\":100}]},"
	    "\"locallyAddedAssertions\":{\"prefixAssertions\":[],"
	    "\"bgpsecAssertions\":[{\"asn\":65000,\"SKI\":\"" SKI_A "\","
	    "\"routerPublicKey\":\"%s\"}],\"aspaAssertions\":["
	    "{\"customerAsid\":101,\"providerSet\":[20]},"
	    "{\"customerAsid\":101,\"providerSet\":[21]},"
	    "{\"customerAsid\":200,\"providerSet\":[30]}]}}", key);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s = parse(doc));
	CU_ASSERT_EQUAL_FATAL(slurm_apply(s, 3, 5000, &v, &r, &a, &st), 0);
	CU_ASSERT_EQUAL(st.rks_filtered, 2);
	CU_ASSERT_EQUAL(st.rks_added, 1);
	CU_ASSERT_EQUAL(rkset_count(r), 2);	/* AS64498 kept, AS65000 added */
	CU_ASSERT_EQUAL(rkset_get(r, 0, &got), 1);
	CU_ASSERT_EQUAL(got.asn, 64498);
	CU_ASSERT_EQUAL(rkset_get(r, 1, &got), 1);
	CU_ASSERT_EQUAL(got.asn, 65000);
	CU_ASSERT_EQUAL(got.ta, 3);
	/* 100 filtered; 101 replaced by the union of its assertions; 102 kept. */
	CU_ASSERT_EQUAL(st.aspas_filtered, 2);
	CU_ASSERT_EQUAL(st.aspas_added, 3);
	CU_ASSERT_EQUAL(aspaset_count(a), 3);
	CU_ASSERT_EQUAL(aspaset_find(a, 100, &e), 0);
	CU_ASSERT_EQUAL_FATAL(aspaset_find(a, 101, &e), 1);
	CU_ASSERT_EQUAL(e.nproviders, 2);
	CU_ASSERT_EQUAL(e.providers[0], 20);
	CU_ASSERT_EQUAL(e.providers[1], 21);
	CU_ASSERT_EQUAL_FATAL(aspaset_find(a, 102, &e), 1);
	CU_ASSERT_EQUAL(e.providers[0], 10);
	CU_ASSERT_EQUAL(aspaset_find(a, 200, &e), 1);
	CU_ASSERT_EQUAL(vrpset_count(v), 0);
	vrpset_free(v);
	rkset_free(r);
	aspaset_free(a);
	slurm_free(s);
	free(doc);
	free(key);
	OPENSSL_free(der);
}

static void
test_slurm_apply_unfrozen(void)
{
	struct vrpset *v = vrpset_new();
	struct rkset *r = NULL;
	struct aspaset *a = NULL;
	struct slurm *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = parse(SLURM_DOC("", "", "", "")));
	CU_ASSERT_EQUAL(slurm_apply(s, 0, 0, &v, &r, &a, NULL), -1);
	CU_ASSERT_PTR_NULL(r);	/* untouched */
	vrpset_free(v);
	slurm_free(s);
}

static void
test_slurm_load(void)
{
	const char *doc = SLURM_DOC("{\"asn\":1}", "", "", "");
	struct slurm *s;
	char *dir, *path;

	dir = tu_tmpdir("slurm");
	path = tu_asprintf("%s/slurm.json", dir);
	CU_ASSERT_EQUAL_FATAL(tu_write_file(path, doc, strlen(doc)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s = slurm_load(path));
	CU_ASSERT_EQUAL(s->npfx_filters, 1);
	slurm_free(s);
	CU_ASSERT_PTR_NULL(slurm_load(dir));		/* a directory */
	free(path);
	path = tu_asprintf("%s/missing.json", dir);
	CU_ASSERT_PTR_NULL(slurm_load(path));
	free(path);
	tu_rmtree(dir);
	free(dir);
}

REEF_SUITE(slurm,
    REEF_TEST(test_slurm_rfc_example),
    REEF_TEST(test_slurm_minimal),
    REEF_TEST(test_slurm_malformed),
    REEF_TEST(test_slurm_apply_prefix_filters),
    REEF_TEST(test_slurm_apply_assertions),
    REEF_TEST(test_slurm_apply_bgpsec_aspa),
    REEF_TEST(test_slurm_apply_unfrozen),
    REEF_TEST(test_slurm_load))
