/*
 * Tests for validator/aspa.c: ASPA objects (draft-ietf-sidrops-aspa-profile),
 * on real and historic objects and hand-made eContents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/limits.h"
#include "common/log.h"
#include "validator/aspa.h"
#include "validator/cert.h"
#include "validator/cms.h"
#include "validator/incidence.h"

#include "suite.h"
#include "util.h"

#define HIST	"rpki-client-regress/historic/aspa/"
#define INTEROP	"rpki-commons/interop/aspa/"

struct aspa_case {
	const char	*file;
	const char	*reason;	/* NULL: eContent accepted */
	uint32_t	 customer;
	size_t		 nproviders;
	uint32_t	 first;		/* lowest provider */
	int		 full_ok;	/* aspa_parse() accepts the whole file */
};

#define LEGACY	"earlier draft profile"

static const struct aspa_case aspa_cases[] = {
	{ "rpki-client-regress/aspa/AS1000.asa", NULL, 1000, 1, 1025, 1 },
	{ "rpki-client-regress/aspa/5m80fwYws_3FiFD7JiQjAqZ1RYQ.asa", NULL,
	    15562, 4, 2914, 1 },
	{ "rpki-prover/AS204325.asa", NULL, 204325, 3, 65000, 1 },
	{ INTEROP "GOOD-profile-15-APNIC-rpki-aspa-demo-AS1000.asa", NULL,
	    1000, 1, 1025, 1 },
	{ INTEROP "GOOD-profile-15-draft-ietf-sidrops-profile-15-sample.asa",
	    NULL, 15562, 4, 2914, 0 },
	{ INTEROP "GOOD-profile-15-rpki-commons-propertytest-sample.asa",
	    NULL, 3681266052U, 82, 315330153, 0 },
	/* removed from rpki-client's regress for its EE, not its eContent */
	{ HIST "AS945.asa", NULL, 945, 6, 1299, 1 },
	{ INTEROP "BAD-profile-15-APNIC-rpki-aspa-demo-AS1000.asa",
	    "section 3.1: version missing", 0, 0, 0, 0 },
	{ INTEROP "BAD-profile-15-rpki-commons-propertytest-sample-implicit-tag.asa",
	    "section 3: ASProviderAttestation: malformed", 0, 0, 0, 0 },
	{ INTEROP "BAD-profile-13-AS211321-profile-13.asa", LEGACY, 0, 0, 0, 0 },
	{ INTEROP "BAD-profile-13-no-signingtime-aspa-rpkimancer.asa", LEGACY,
	    0, 0, 0, 0 },
	{ "rpki-prover/aspa.1.asa", LEGACY, 0, 0, 0, 0 },
	{ "rpki-rs/repository/aspa-bm.asa", LEGACY, 0, 0, 0, 0 },
	{ HIST "2338bd30cba1ff30fe3cf930824f39b45569d458de356729cb0121400ee3616a.asa",
	    LEGACY, 0, 0, 0, 0 },
	{ HIST "5c67c85c9fbdf4daea0034480c2c3da10ef241738cb4f5a16e6cf60ec812713d.asa",
	    LEGACY, 0, 0, 0, 0 },
	{ HIST "63bbc4571294a06f5e7533166179bafcb0252e0484708e6d45924e1e479c8636.asa",
	    LEGACY, 0, 0, 0, 0 },
	{ HIST "c27f17d94c8a2f9e4c6d07e69f58c33c48c28c77ff602040e02bb19f6ffd3dfd.asa",
	    LEGACY, 0, 0, 0, 0 },
	{ HIST "d6915eb78c75cab0bc46b48568232ec971819eab2b0009060c463f636bd7c204.asa",
	    LEGACY, 0, 0, 0, 0 },
};

static void
test_aspa_corpus(void)
{
	const struct aspa_case	*c;
	struct cms_object	*cms;
	struct aspa_object	*aspa, *full;
	unsigned char		*der;
	const char		*log;
	size_t			 i, j, len;

	if (tu_corpusdir() == NULL) {
		fprintf(stderr, "corpus absent: skipping ASPA corpus\n");
		return;
	}
	for (i = 0; i < sizeof(aspa_cases) / sizeof(aspa_cases[0]); i++) {
		c = &aspa_cases[i];
		der = tu_corpus_load(c->file, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		aspa = NULL;
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		cms = cms_parse(c->file, der, len, OID_CT_ASPA);
		if (cms != NULL)
			aspa = aspa_parse_econtent(c->file, cms->econtent,
			    cms->econtent_len);
		log = tu_log_capture_end();
		if (c->reason != NULL) {
			CU_ASSERT_PTR_NULL(aspa);
			if (strstr(log, c->reason) == NULL)
				fprintf(stderr, "%s: \"%s\"\n", c->file, log);
			CU_ASSERT(strstr(log, c->reason) != NULL);
			CU_ASSERT(strstr(log,
			    "draft-ietf-sidrops-aspa-profile") != NULL);
		} else {
			CU_ASSERT_PTR_NOT_NULL_FATAL(aspa);
			CU_ASSERT_EQUAL(aspa->customer, c->customer);
			CU_ASSERT_EQUAL(aspa->nproviders, c->nproviders);
			CU_ASSERT_EQUAL(aspa->providers[0], c->first);
			for (j = 1; j < aspa->nproviders; j++)
				CU_ASSERT(aspa->providers[j - 1] <
				    aspa->providers[j]);
		}
		if (c->full_ok) {
			tu_log_capture_begin(LOG_LEVEL_WARNING);
			full = aspa_parse(c->file, der, len);
			log = tu_log_capture_end();
			if (full == NULL)
				fprintf(stderr, "%s: %s\n", c->file, log);
			CU_ASSERT_PTR_NOT_NULL(full);
			if (full != NULL) {
				CU_ASSERT_EQUAL(full->customer, c->customer);
				CU_ASSERT_PTR_NOT_NULL(full->ee);
			}
			aspa_free(full);
		}
		aspa_free(aspa);
		cms_object_free(cms);
		free(der);
	}
}

/* ---- hand-made eContents ------------------------------------------- */

/* Append a DER INTEGER for a non-negative value. */
static size_t
put_int(unsigned char *out, uint64_t v)
{
	unsigned char	tmp[9];
	size_t		n = 0, i;

	do {
		tmp[n++] = (unsigned char)(v & 0xff);
		v >>= 8;
	} while (v != 0);
	if (tmp[n - 1] & 0x80)
		tmp[n++] = 0;
	out[0] = 0x02;
	out[1] = (unsigned char)n;
	for (i = 0; i < n; i++)
		out[2 + i] = tmp[n - 1 - i];
	return n + 2;
}

/* Header (tag + definite length, short or 2-byte long form) then content. */
static size_t
wrap(unsigned char *out, unsigned char tag, const unsigned char *c, size_t n)
{
	size_t	h;

	if (n < 128) {
		out[1] = (unsigned char)n;
		h = 2;
	} else {
		CU_ASSERT_FATAL(n < 65536);
		out[1] = 0x82;
		out[2] = (unsigned char)(n >> 8);
		out[3] = (unsigned char)n;
		h = 4;
	}
	memmove(out + h, c, n);
	out[0] = tag;
	return n + h;
}

/* ASProviderAttestation; version < 0 leaves it out. */
static size_t
mk_aspa(unsigned char *out, int version, uint64_t customer,
    const uint64_t *prov, size_t nprov)
{
	static unsigned char	c[80000], p[80000];
	unsigned char		v[8];
	size_t			l = 0, pl = 0, i;

	if (version >= 0) {
		i = put_int(v, (uint64_t)version);
		l = wrap(c, 0xa0, v, i);
	}
	l += put_int(c + l, customer);
	for (i = 0; i < nprov; i++)
		pl += put_int(p + pl, prov[i]);
	l += wrap(c + l, 0x30, p, pl);
	return wrap(out, 0x30, c, l);
}

static int
aspa_rejected(const unsigned char *der, size_t len, const char *reason)
{
	struct aspa_object	*a;
	const char		*log;

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	a = aspa_parse_econtent("h.asa", der, len);
	log = tu_log_capture_end();
	if (a != NULL) {
		aspa_free(a);
		fprintf(stderr, "accepted, want \"%s\"\n", reason);
		return 0;
	}
	if (strstr(log, reason) == NULL || strstr(log, "h.asa: ") == NULL) {
		fprintf(stderr, "log \"%s\", want \"%s\"\n", log, reason);
		return 0;
	}
	return 1;
}

static void
test_aspa_econtent(void)
{
	static unsigned char	der[90000];
	static uint64_t		many[MAX_ASPA_PROVIDERS + 1];
	struct aspa_object	*a;
	size_t			 len, i;
	const uint64_t		 ok[] = { 64500, 64501, 4294967295ULL };

	len = mk_aspa(der, 1, 64496, ok, 3);
	a = aspa_parse_econtent("h.asa", der, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->customer, 64496);
	CU_ASSERT_EQUAL(a->nproviders, 3);
	CU_ASSERT_EQUAL(a->providers[2], 4294967295U);
	aspa_free(a);

	/* version: must be present and 1 */
	CU_ASSERT(aspa_rejected(der, mk_aspa(der, -1, 64496, ok, 3),
	    "section 3.1: version missing"));
	CU_ASSERT(aspa_rejected(der, mk_aspa(der, 0, 64496, ok, 3),
	    "X.690 section 11.5"));
	CU_ASSERT(aspa_rejected(der, mk_aspa(der, 2, 64496, ok, 3),
	    "section 3.1: version 2, must be 1"));

	/* customer */
	CU_ASSERT(aspa_rejected(der, mk_aspa(der, 1, 4294967296ULL, ok, 3),
	    "section 3.2"));

	/* providers */
	{
		const uint64_t desc[] = { 64501, 64500 };
		const uint64_t dup[] = { 64500, 64500 };
		const uint64_t self[] = { 64495, 64496, 64497 };
		const uint64_t big[] = { 64500, 4294967296ULL };

		CU_ASSERT(aspa_rejected(der, mk_aspa(der, 1, 64496, desc, 2),
		    "strictly ascending"));
		CU_ASSERT(aspa_rejected(der, mk_aspa(der, 1, 64496, dup, 2),
		    "strictly ascending"));
		CU_ASSERT(aspa_rejected(der, mk_aspa(der, 1, 64496, self, 3),
		    "own provider"));
		CU_ASSERT(aspa_rejected(der, mk_aspa(der, 1, 64496, big, 2),
		    "out of range"));
		CU_ASSERT(aspa_rejected(der, mk_aspa(der, 1, 64496, NULL, 0),
		    "0 providers"));
	}
	for (i = 0; i <= MAX_ASPA_PROVIDERS; i++)
		many[i] = 100000 + i;
	len = mk_aspa(der, 1, 1, many, MAX_ASPA_PROVIDERS);
	a = aspa_parse_econtent("h.asa", der, len);
	CU_ASSERT_PTR_NOT_NULL(a);
	if (a != NULL)
		CU_ASSERT_EQUAL(a->nproviders, MAX_ASPA_PROVIDERS);
	aspa_free(a);
	CU_ASSERT(aspa_rejected(der, mk_aspa(der, 1, 1, many,
	    MAX_ASPA_PROVIDERS + 1), "providers, must be 1.."));

	/* trailing byte, truncation */
	len = mk_aspa(der, 1, 64496, ok, 3);
	der[len] = 0;
	CU_ASSERT(aspa_rejected(der, len + 1, "trailing data"));
	CU_ASSERT(aspa_rejected(der, len - 1, "malformed"));
}

/* The EE checks against hand-made certificates. */
static void
test_aspa_check_ee(void)
{
	struct aspa_object	aspa;
	struct cert		ee;
	struct as_res		ases;
	struct asn_range	r[2] = { { 64496, 64496 }, { 64500, 64500 } };
	struct ip_res		ips;

	memset(&aspa, 0, sizeof(aspa));
	memset(&ee, 0, sizeof(ee));
	memset(&ases, 0, sizeof(ases));
	memset(&ips, 0, sizeof(ips));
	aspa.customer = 64496;
	ases.ranges = r;
	ases.nranges = 1;
	ee.ases = &ases;
	CU_ASSERT(aspa_check_ee("e.asa", &aspa, &ee) == 0);

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	ases.nranges = 2;			/* more than the customer */
	CU_ASSERT(aspa_check_ee("e.asa", &aspa, &ee) == -1);
	ases.nranges = 1;
	r[0].max = 64497;			/* a range around it */
	CU_ASSERT(aspa_check_ee("e.asa", &aspa, &ee) == -1);
	r[0].max = 64496;
	ases.inherit = 1;
	CU_ASSERT(aspa_check_ee("e.asa", &aspa, &ee) == -1);
	ases.inherit = 0;
	ee.ases = NULL;
	CU_ASSERT(aspa_check_ee("e.asa", &aspa, &ee) == -1);
	CU_ASSERT(strstr(tu_log_capture_end(),
	    "exactly the customer AS64496") != NULL);

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	ee.ases = &ases;
	ee.ips = &ips;
	CU_ASSERT(aspa_check_ee("e.asa", &aspa, &ee) == -1);
	CU_ASSERT(strstr(tu_log_capture_end(), "IP resources") != NULL);
	aspa_free(NULL);
}

/*
 * Whole files accepted only through a profile incidence: draft-15 sample ASPA: EE subject CN is a UTF8String.
 * Each parse counts the incidence once more.
 */
static const char *const aspa_incidence_files[] = {
	"rpki-commons/interop/aspa/GOOD-profile-15-draft-ietf-sidrops-profile-15-sample.asa",
};

static void
test_aspa_incidences(void)
{
	struct aspa_object	*o;
	unsigned char	*der;
	size_t		 len, i;
	uint64_t	 n;

	TU_NEED_CORPUS();
	for (i = 0; i < sizeof(aspa_incidence_files) /
	    sizeof(aspa_incidence_files[0]); i++) {
		der = tu_corpus_load(aspa_incidence_files[i], &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		n = incidence_count(INCIDENCE_NAME_UTF8);
		o = aspa_parse(aspa_incidence_files[i], der, len);
		CU_ASSERT_PTR_NOT_NULL(o);
		if (o == NULL)
			fprintf(stderr, "%s rejected\n", aspa_incidence_files[i]);
		else
			CU_ASSERT_PTR_NOT_NULL(o->ee);
		CU_ASSERT(incidence_count(INCIDENCE_NAME_UTF8) > n);
		aspa_free(o);
		free(der);
	}
}

REEF_SUITE(aspa,
    REEF_TEST(test_aspa_corpus),
    REEF_TEST(test_aspa_econtent),
    REEF_TEST(test_aspa_check_ee),
    REEF_TEST(test_aspa_incidences))
