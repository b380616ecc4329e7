/*
 * Tests for validator/as.c: RFC 3779 AS identifiers built in memory with
 * OpenSSL, read by as_res_parse() and, encoded, by as_res_parse_der()
 * (both must agree): canonical-form enforcement, containment and inherit;
 * then hand-made DER that no in-memory structure encodes.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/x509v3.h>

#include "common/log.h"
#include "validator/as.h"
#include "suite.h"
#include "test_resder.h"
#include "util.h"

static ASN1_INTEGER *
ai(uint64_t v)
{
	ASN1_INTEGER *a = ASN1_INTEGER_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_FATAL(ASN1_INTEGER_set_uint64(a, v));
	return a;
}

/* Append an id (min == max) or a range, in the order given. */
static void
add(ASIdentifiers *asid, uint64_t min, uint64_t max)
{
	CU_ASSERT_FATAL(X509v3_asid_add_id_or_range(asid, V3_ASID_ASNUM,
	    ai(min), min == max ? NULL : ai(max)));
}

static void
add_raw_range(ASIdentifiers *asid, uint64_t min, uint64_t max)
{
	CU_ASSERT_FATAL(X509v3_asid_add_id_or_range(asid, V3_ASID_ASNUM,
	    ai(min), ai(max)));
}

/* Warnings of as_res_parse() in the last parse(). */
static char old_log[TU_LOG_CAPTURE_MAX];

/*
 * Parse asid with both readers: as_res_parse() on asid, as_res_parse_der()
 * on its DER (which must agree with the OpenSSL oracle).  Returns the DER
 * reader's result; old_log gets the warnings of as_res_parse() and the
 * capture holds the DER reader's.  Frees asid.
 */
static struct as_res *
parse(ASIdentifiers *asid)
{
	struct as_res *r, *o;
	unsigned char *der = NULL;
	int len, ok;

	len = i2d_ASIdentifiers(asid, &der);
	CU_ASSERT_FATAL(len > 0);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	o = as_res_parse("test.cer", asid);
	snprintf(old_log, sizeof(old_log), "%s", tu_log_captured());
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	r = as_res_parse_der("test.cer", der, (size_t)len);
	CU_ASSERT_EQUAL(o != NULL, r != NULL);
	CU_ASSERT(resder_agree("test.cer", 0, der, (size_t)len, &ok));
	CU_ASSERT_EQUAL(ok, r != NULL);
	as_res_free(o);
	OPENSSL_free(der);
	ASIdentifiers_free(asid);
	return r;
}

static void
expect_reject(ASIdentifiers *asid, const char *why)
{
	struct as_res *r = parse(asid);

	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT(strstr(old_log, "test.cer: ") != NULL);
	CU_ASSERT(strstr(old_log, why) != NULL);
	CU_ASSERT(tu_logged("test.cer: "));
	CU_ASSERT(tu_logged(why));
	as_res_free(r);
}

static ASIdentifiers *
asid_new(void)
{
	ASIdentifiers *a = ASIdentifiers_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	return a;
}

static void
test_parse(void)
{
	ASIdentifiers *a = asid_new();
	struct as_res *r;

	add(a, 0, 0);
	add(a, 64496, 64511);
	add(a, 4200000000u, 4294967295u);
	r = parse(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_FALSE(r->inherit);
	CU_ASSERT_EQUAL_FATAL(r->nranges, 3);
	CU_ASSERT_EQUAL(r->ranges[0].min, 0);
	CU_ASSERT_EQUAL(r->ranges[0].max, 0);
	CU_ASSERT_EQUAL(r->ranges[1].min, 64496);
	CU_ASSERT_EQUAL(r->ranges[1].max, 64511);
	CU_ASSERT_EQUAL(r->ranges[2].max, 4294967295u);
	CU_ASSERT(as_res_contains_asn(r, 0));
	CU_ASSERT_FALSE(as_res_contains_asn(r, 1));
	CU_ASSERT(as_res_contains_asn(r, 64496));
	CU_ASSERT(as_res_contains_asn(r, 64511));
	CU_ASSERT_FALSE(as_res_contains_asn(r, 64512));
	CU_ASSERT_FALSE(as_res_contains_asn(r, 64495));
	CU_ASSERT(as_res_contains_asn(r, 4294967295u));
	CU_ASSERT(as_res_contains_range(r, 64500, 64510));
	CU_ASSERT_FALSE(as_res_contains_range(r, 64500, 64512));
	CU_ASSERT_FALSE(as_res_contains_range(r, 64510, 64500));
	as_res_free(r);
}

static void
test_inherit(void)
{
	ASIdentifiers *a = asid_new(), *p = asid_new();
	struct as_res *child, *parent, *copy;

	CU_ASSERT_FATAL(X509v3_asid_add_inherit(a, V3_ASID_ASNUM));
	child = parse(a);
	add(p, 65000, 65010);
	parent = parse(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(child);
	CU_ASSERT_PTR_NOT_NULL_FATAL(parent);
	CU_ASSERT(child->inherit);
	CU_ASSERT_FALSE(as_res_contains_asn(child, 65000));
	CU_ASSERT(as_res_contains(parent, child));
	/* An inherit issuer contains nothing explicit. */
	CU_ASSERT_FALSE(as_res_contains(child, parent));
	copy = as_res_dup(child);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	CU_ASSERT_EQUAL(as_res_inherit(copy, child), -1);
	CU_ASSERT_EQUAL(as_res_inherit(copy, NULL), -1);
	CU_ASSERT(copy->inherit);
	CU_ASSERT_EQUAL(as_res_inherit(child, parent), 0);
	CU_ASSERT_FALSE(child->inherit);
	CU_ASSERT(as_res_contains_asn(child, 65005));
	CU_ASSERT_EQUAL(child->nranges, 1);
	/* Resolving something that does not inherit changes nothing. */
	CU_ASSERT_EQUAL(as_res_inherit(parent, copy), 0);
	CU_ASSERT_EQUAL(parent->nranges, 1);
	as_res_free(child);
	as_res_free(parent);
	as_res_free(copy);
}

static void
test_reject(void)
{
	ASIdentifiers *a;

	a = asid_new();
	add(a, 10, 10);
	add(a, 5, 5);
	expect_reject(a, "RFC 3779 section 3.2.3.5: AS entries unsorted");
	a = asid_new();
	add(a, 10, 20);
	add(a, 15, 30);
	expect_reject(a, "RFC 3779 section 3.2.3.5");
	a = asid_new();
	add(a, 10, 20);
	add(a, 21, 30);
	expect_reject(a, "RFC 3779 section 3.2.3.6: adjacent");
	a = asid_new();
	add(a, 7, 7);
	add(a, 7, 7);
	expect_reject(a, "RFC 3779 section 3.2.3.5");
	/* A range of one AS must be written as an id; min > max is wrong. */
	a = asid_new();
	add_raw_range(a, 7, 7);
	expect_reject(a, "RFC 3779 section 3.2.3.8");
	a = asid_new();
	add_raw_range(a, 256, 1);
	expect_reject(a, "RFC 3779 section 3.2.3.8");
	/* Beyond 32 bits. */
	a = asid_new();
	add(a, 4294967296ull, 4294967296ull);
	expect_reject(a, "RFC 3779 section 3.2.3.7");
	/* RDI (RFC 6487 section 4.8.11). */
	a = asid_new();
	add(a, 1, 1);
	CU_ASSERT_FATAL(X509v3_asid_add_inherit(a, V3_ASID_RDI));
	expect_reject(a, "RFC 6487 section 4.8.11: RDI");
	/* Neither asnum nor rdi. */
	expect_reject(asid_new(), "RFC 6487 section 4.8.11");
}

static void
test_empty_list(void)
{
	ASIdentifiers *a = asid_new();

	add(a, 1, 1);
	ASIdOrRange_free(sk_ASIdOrRange_pop(a->asnum->u.asIdsOrRanges));
	expect_reject(a, "RFC 3779 section 3.2.3.4: empty");
}

static void
test_contains(void)
{
	ASIdentifiers *p = asid_new(), *c = asid_new(), *o = asid_new();
	struct as_res *parent, *child, *over;
	uint32_t i;

	for (i = 0; i < 100; i++)
		add(p, i * 10, i * 10 + 4);
	add(c, 10, 14);
	add(c, 990, 994);
	add(o, 13, 15);
	parent = parse(p);
	child = parse(c);
	over = parse(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(parent);
	CU_ASSERT_PTR_NOT_NULL_FATAL(child);
	CU_ASSERT_PTR_NOT_NULL_FATAL(over);
	CU_ASSERT(as_res_contains(parent, child));
	CU_ASSERT_FALSE(as_res_contains(parent, over));
	CU_ASSERT_FALSE(as_res_contains(child, parent));
	CU_ASSERT(as_res_contains(parent, NULL));
	CU_ASSERT_FALSE(as_res_contains(NULL, child));
	for (i = 0; i < 1010; i++)
		CU_ASSERT_EQUAL(as_res_contains_asn(parent, i),
		    i < 1000 && i % 10 < 5);
	CU_ASSERT_FALSE(as_res_contains_asn(NULL, 1));
	as_res_free(parent);
	as_res_free(child);
	as_res_free(over);
}

/* Hand-made values: DER (or not) that no in-memory structure encodes. */
#define HB(...)	(const unsigned char[]){ __VA_ARGS__ },		\
	sizeof((const unsigned char[]){ __VA_ARGS__ })
static const struct {
	const unsigned char	*der;
	size_t			 len;
	const char		*why;	/* NULL: accepted */
} as_ders[] = {
	/* AS64496; inherit. */
	{ HB(0x30, 0x09, 0xa0, 0x07, 0x30, 0x05, 0x02, 0x03, 0x00, 0xfb, 0xf0),
	    NULL },
	{ HB(0x30, 0x04, 0xa0, 0x02, 0x05, 0x00), NULL },
	/* INTEGER not minimal. */
	{ HB(0x30, 0x09, 0xa0, 0x07, 0x30, 0x05, 0x02, 0x03, 0x00, 0x00, 0x01),
	    "extension sbgp-autonomousSysNum: malformed" },
	/* Negative, 2^32, 2^64 - 1. */
	{ HB(0x30, 0x07, 0xa0, 0x05, 0x30, 0x03, 0x02, 0x01, 0xff),
	    "RFC 3779 section 3.2.3.7" },
	{ HB(0x30, 0x0b, 0xa0, 0x09, 0x30, 0x07, 0x02, 0x05, 0x01, 0x00, 0x00,
	    0x00, 0x00), "RFC 3779 section 3.2.3.7" },
	{ HB(0x30, 0x0f, 0xa0, 0x0d, 0x30, 0x0b, 0x02, 0x09, 0x00, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff), "RFC 3779 section 3.2.3.7" },
	/* asnum with an IMPLICIT (primitive) tag. */
	{ HB(0x30, 0x08, 0x80, 0x06, 0x30, 0x04, 0x02, 0x02, 0x01, 0x00),
	    "malformed value or trailing data" },
	/* Two values inside the EXPLICIT tag. */
	{ HB(0x30, 0x0a, 0xa0, 0x08, 0x05, 0x00, 0x30, 0x04, 0x02, 0x02, 0x01,
	    0x00), "malformed value or trailing data" },
	/* rdi after asnum; rdi before asnum. */
	{ HB(0x30, 0x08, 0xa0, 0x02, 0x05, 0x00, 0xa1, 0x02, 0x05, 0x00),
	    "RFC 6487 section 4.8.11: RDI not allowed" },
	{ HB(0x30, 0x08, 0xa1, 0x02, 0x05, 0x00, 0xa0, 0x02, 0x05, 0x00),
	    "malformed value or trailing data" },
	/* Neither. */
	{ HB(0x30, 0x00), "without asnum" },
	/* A range of one AS. */
	{ HB(0x30, 0x0c, 0xa0, 0x0a, 0x30, 0x08, 0x30, 0x06, 0x02, 0x01, 0x05,
	    0x02, 0x01, 0x05), "RFC 3779 section 3.2.3.8" },
	/* Trailing byte; NULL with contents; long-form length. */
	{ HB(0x30, 0x04, 0xa0, 0x02, 0x05, 0x00, 0x00),
	    "malformed value or trailing data" },
	{ HB(0x30, 0x05, 0xa0, 0x03, 0x05, 0x01, 0x00),
	    "malformed value or trailing data" },
	{ HB(0x30, 0x81, 0x04, 0xa0, 0x02, 0x05, 0x00), "is not DER encoded" },
};

static void
test_der_values(void)
{
	struct as_res *r;
	size_t i;
	int ok;

	for (i = 0; i < sizeof(as_ders) / sizeof(as_ders[0]); i++) {
		CU_ASSERT(resder_agree("test.cer", 0, as_ders[i].der,
		    as_ders[i].len, &ok));
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		r = as_res_parse_der("test.cer", as_ders[i].der,
		    as_ders[i].len);
		CU_ASSERT_EQUAL(r != NULL, as_ders[i].why == NULL);
		if (as_ders[i].why != NULL)
			CU_ASSERT(tu_logged(as_ders[i].why));
		as_res_free(r);
	}
	r = as_res_parse_der("test.cer", as_ders[0].der, as_ders[0].len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_FALSE(r->inherit);
	CU_ASSERT_EQUAL_FATAL(r->nranges, 1);
	CU_ASSERT_EQUAL(r->ranges[0].min, 64496);
	CU_ASSERT_EQUAL(r->ranges[0].max, 64496);
	as_res_free(r);
	r = as_res_parse_der("test.cer", as_ders[1].der, as_ders[1].len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT(r->inherit);
	as_res_free(r);
}

static int
as_init(void)
{
	if (tu_log_capture_start(LOG_LEVEL_WARNING) == -1)
		return -1;
	return 0;
}

static int
as_fini(void)
{
	tu_log_capture_end();
	return 0;
}

REEF_SUITE_FULL(as, as_init, as_fini,
    REEF_TEST(test_parse), REEF_TEST(test_inherit), REEF_TEST(test_reject),
    REEF_TEST(test_empty_list), REEF_TEST(test_contains),
    REEF_TEST(test_der_values))
