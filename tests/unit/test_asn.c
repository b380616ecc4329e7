/*
 * Tests for common/asn.c: strict AS number and range parsing, printing.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/asn.h"
#include "suite.h"

static void
check_ok(const char *s, uint32_t want)
{
	uint32_t v = 12345;
	int rv;

	rv = asn_parse(s, &v);
	CU_ASSERT_EQUAL(rv, ASN_OK);
	CU_ASSERT_EQUAL(v, want);
	if (rv != ASN_OK || v != want)
		fprintf(stderr, "\n\"%s\": rv %d value %u\n", s, rv, v);
}

static void
check_bad(const char *s, int want)
{
	uint32_t v = 12345;
	int rv;

	rv = asn_parse(s, &v);
	CU_ASSERT_EQUAL(rv, want);
	if (rv != want)
		fprintf(stderr, "\n\"%s\": got %d, want %d\n", s, rv, want);
	CU_ASSERT_EQUAL(v, 12345);	/* untouched on failure */
}

static void
test_parse(void)
{
	check_ok("0", 0);
	check_ok("AS0", 0);
	check_ok("as0", 0);
	check_ok("1", 1);
	check_ok("65000", 65000);
	check_ok("AS65000", 65000);
	check_ok("as65000", 65000);
	check_ok("4294967295", 4294967295u);
	check_ok("AS4294967295", 4294967295u);
	check_ok("AS4200000000", 4200000000u);
	check_ok("1000000000", 1000000000u);
}

static void
test_parse_bad(void)
{
	check_bad("", ASN_ESYNTAX);
	check_bad("AS", ASN_ESYNTAX);
	check_bad("as", ASN_ESYNTAX);
	check_bad("As1", ASN_ESYNTAX);
	check_bad("aS1", ASN_ESYNTAX);
	check_bad("AS 1", ASN_ESYNTAX);
	check_bad(" 1", ASN_ESYNTAX);
	check_bad("1 ", ASN_ESYNTAX);
	check_bad("1\n", ASN_ESYNTAX);
	check_bad("+1", ASN_ESYNTAX);
	check_bad("-1", ASN_ESYNTAX);
	check_bad("AS-1", ASN_ESYNTAX);
	check_bad("AS+1", ASN_ESYNTAX);
	check_bad("01", ASN_ESYNTAX);
	check_bad("00", ASN_ESYNTAX);
	check_bad("AS01", ASN_ESYNTAX);
	check_bad("01234567890", ASN_ESYNTAX);
	check_bad("1.10", ASN_ESYNTAX);		/* asdot is not accepted */
	check_bad("AS1.10", ASN_ESYNTAX);
	check_bad("0x10", ASN_ESYNTAX);
	check_bad("1a", ASN_ESYNTAX);
	check_bad("ASAS1", ASN_ESYNTAX);
	check_bad("AS1AS", ASN_ESYNTAX);
	check_bad("ASN1", ASN_ESYNTAX);
	check_bad("1e3", ASN_ESYNTAX);
	check_bad("4294967296", ASN_ERANGE);
	check_bad("AS4294967296", ASN_ERANGE);
	check_bad("9999999999", ASN_ERANGE);
	check_bad("10000000000", ASN_ERANGE);
	check_bad("18446744073709551617", ASN_ERANGE);
	check_bad("99999999999999999999999999999999", ASN_ERANGE);
}

static void
test_format(void)
{
	char buf[ASN_STRLEN], small[8];
	uint32_t seed = 2024, v, back;
	int i, n;

	CU_ASSERT_EQUAL(asn_format(0, buf, sizeof(buf)), 3);
	CU_ASSERT_STRING_EQUAL(buf, "AS0");
	CU_ASSERT_EQUAL(asn_format(65000, buf, sizeof(buf)), 7);
	CU_ASSERT_STRING_EQUAL(buf, "AS65000");
	CU_ASSERT_EQUAL(asn_format(4294967295u, buf, sizeof(buf)), 12);
	CU_ASSERT_STRING_EQUAL(buf, "AS4294967295");
	/* ASN_STRLEN is exactly enough; one less is not. */
	CU_ASSERT_EQUAL(asn_format(4294967295u, buf, ASN_STRLEN - 1),
	    ASN_ESPACE);
	CU_ASSERT_EQUAL(asn_format(65000, small, sizeof(small)), 7);
	CU_ASSERT_EQUAL(asn_format(650000, small, sizeof(small)), ASN_ESPACE);
	CU_ASSERT_STRING_EQUAL(small, "AS65000");	/* untouched */

	/* Round trips over the whole range. */
	for (i = 0; i < 10000; i++) {
		seed = seed * 1103515245u + 12345u;
		v = seed ^ (seed >> 7);
		n = asn_format(v, buf, sizeof(buf));
		CU_ASSERT_FATAL(n > 2);
		CU_ASSERT_EQUAL_FATAL(asn_parse(buf, &back), ASN_OK);
		CU_ASSERT_EQUAL_FATAL(back, v);
		CU_ASSERT_EQUAL_FATAL(asn_parse(buf + 2, &back), ASN_OK);
		CU_ASSERT_EQUAL_FATAL(back, v);
	}
}

static void
check_range(const char *s, int want, uint32_t min, uint32_t max)
{
	struct asn_range r = { 7, 7 };
	int rv;

	rv = asn_range_parse(s, &r);
	CU_ASSERT_EQUAL(rv, want);
	if (rv != want)
		fprintf(stderr, "\n\"%s\": got %d, want %d\n", s, rv, want);
	if (want == ASN_OK) {
		CU_ASSERT_EQUAL(r.min, min);
		CU_ASSERT_EQUAL(r.max, max);
	} else {
		CU_ASSERT(r.min == 7 && r.max == 7);
	}
}

static void
test_range_parse(void)
{
	check_range("64496-64511", ASN_OK, 64496, 64511);
	check_range("AS64496-AS64511", ASN_OK, 64496, 64511);
	check_range("as1-AS2", ASN_OK, 1, 2);
	check_range("1-AS2", ASN_OK, 1, 2);
	check_range("65000", ASN_OK, 65000, 65000);
	check_range("AS65000", ASN_OK, 65000, 65000);
	check_range("5-5", ASN_OK, 5, 5);
	check_range("0-4294967295", ASN_OK, 0, 4294967295u);
	check_range("10-5", ASN_EORDER, 0, 0);
	check_range("1-4294967296", ASN_ERANGE, 0, 0);
	check_range("4294967296-1", ASN_ERANGE, 0, 0);
	check_range("1-", ASN_ESYNTAX, 0, 0);
	check_range("-1", ASN_ESYNTAX, 0, 0);
	check_range("-", ASN_ESYNTAX, 0, 0);
	check_range("", ASN_ESYNTAX, 0, 0);
	check_range("1--2", ASN_ESYNTAX, 0, 0);
	check_range("1-2-3", ASN_ESYNTAX, 0, 0);
	check_range("1 - 2", ASN_ESYNTAX, 0, 0);
	check_range("01-2", ASN_ESYNTAX, 0, 0);
	check_range("1-02", ASN_ESYNTAX, 0, 0);
	check_range("1.0-2.0", ASN_ESYNTAX, 0, 0);
}

static void
test_range_format(void)
{
	struct asn_range r;
	char buf[ASN_RANGE_STRLEN];

	r.min = 64496;
	r.max = 64511;
	CU_ASSERT_EQUAL(asn_range_format(&r, buf, sizeof(buf)), 15);
	CU_ASSERT_STRING_EQUAL(buf, "AS64496-AS64511");
	CU_ASSERT_EQUAL(asn_range_format(&r, buf, 15), ASN_ESPACE);
	CU_ASSERT_EQUAL(asn_range_format(&r, buf, 16), 15);
	r.min = r.max = 65000;
	CU_ASSERT_EQUAL(asn_range_format(&r, buf, sizeof(buf)), 7);
	CU_ASSERT_STRING_EQUAL(buf, "AS65000");
	r.min = 0;
	r.max = 4294967295u;
	CU_ASSERT_EQUAL(asn_range_format(&r, buf, sizeof(buf)), 16);
	CU_ASSERT_STRING_EQUAL(buf, "AS0-AS4294967295");
	/* The longest range text fits ASN_RANGE_STRLEN exactly. */
	r.min = 4294967294u;
	CU_ASSERT_EQUAL(asn_range_format(&r, buf, sizeof(buf)),
	    ASN_RANGE_STRLEN - 1);
	CU_ASSERT_STRING_EQUAL(buf, "AS4294967294-AS4294967295");
	r.min = 10;
	r.max = 5;
	CU_ASSERT_EQUAL(asn_range_format(&r, buf, sizeof(buf)), ASN_EORDER);

	/* Round trip. */
	CU_ASSERT_EQUAL_FATAL(asn_range_parse("AS64496-AS64511", &r), ASN_OK);
	asn_range_format(&r, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "AS64496-AS64511");
}

static void
test_range_contains(void)
{
	struct asn_range r = { 64496, 64511 };
	struct asn_range all = { 0, 4294967295u };

	CU_ASSERT_EQUAL(asn_range_contains(&r, 64496), 1);
	CU_ASSERT_EQUAL(asn_range_contains(&r, 64511), 1);
	CU_ASSERT_EQUAL(asn_range_contains(&r, 64500), 1);
	CU_ASSERT_EQUAL(asn_range_contains(&r, 64495), 0);
	CU_ASSERT_EQUAL(asn_range_contains(&r, 64512), 0);
	CU_ASSERT_EQUAL(asn_range_contains(&all, 0), 1);
	CU_ASSERT_EQUAL(asn_range_contains(&all, 4294967295u), 1);
}

static void
test_strerror(void)
{
	static const int codes[] = {
		ASN_OK, ASN_ESYNTAX, ASN_ERANGE, ASN_EORDER, ASN_ESPACE
	};
	size_t i, j, n = sizeof(codes) / sizeof(codes[0]);

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			CU_ASSERT(strcmp(asn_strerror(codes[i]),
			    asn_strerror(codes[j])) != 0);
	CU_ASSERT(strstr(asn_strerror(42), "unknown") != NULL);
	CU_ASSERT_STRING_EQUAL(asn_strerror(ASN_ERANGE),
	    "AS number above 4294967295");
}

REEF_SUITE(asn,
    REEF_TEST(test_parse), REEF_TEST(test_parse_bad), REEF_TEST(test_format),
    REEF_TEST(test_range_parse), REEF_TEST(test_range_format),
    REEF_TEST(test_range_contains), REEF_TEST(test_strerror))
