/*
 * Tests for common/gtime.c: calendar arithmetic against known epochs,
 * strict UTCTime/GeneralizedTime, the RFC 5280 type rule, formatting and
 * user input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>

#include <CUnit/CUnit.h>

#include "common/gtime.h"
#include "suite.h"

/* Step of the round trip over the whole supported range (about a week). */
#define SWEEP_STEP	(7 * SECS_DAY + 12347)
#define SECS_DAY	86400LL

struct known {
	const char	*iso;
	int64_t		 t;
};

/* Reference values computed independently (date -u -d ... +%s). */
static const struct known known[] = {
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1969-12-31T23:59:59Z", -1 },
	{ "1950-01-01T00:00:00Z", -631152000LL },
	{ "2000-02-29T00:00:00Z", 951782400LL },
	{ "2000-03-01T00:00:00Z", 951868800LL },
	{ "1900-03-01T00:00:00Z", -2203891200LL },
	{ "2038-01-19T03:14:07Z", 2147483647LL },
	{ "2038-01-19T03:14:08Z", 2147483648LL },
	{ "2049-12-31T23:59:59Z", 2524607999LL },
	{ "2050-01-01T00:00:00Z", 2524608000LL },
	{ "2100-02-28T23:59:59Z", 4107542399LL },
	{ "2100-03-01T00:00:00Z", 4107542400LL },
	{ "9999-12-31T23:59:59Z", 253402300799LL },
	{ "0000-01-01T00:00:00Z", -62167219200LL },
	{ "0000-02-29T12:00:00Z", -62162078400LL },
};
#define NKNOWN	(sizeof(known) / sizeof(known[0]))

static void
test_gtime_known_epochs(void)
{
	char buf[GTIME_ISO_LEN + 1];
	int64_t t;
	size_t i;

	for (i = 0; i < NKNOWN; i++) {
		CU_ASSERT_EQUAL(gtime_format_iso(known[i].t, buf, sizeof(buf)),
		    0);
		CU_ASSERT_STRING_EQUAL(buf, known[i].iso);
		CU_ASSERT_EQUAL(gtime_parse_user(known[i].iso, &t), 0);
		CU_ASSERT_EQUAL(t, known[i].t);
	}
	CU_ASSERT_EQUAL(gtime_days_from_civil(1970, 1, 1), 0);
	CU_ASSERT_EQUAL(gtime_days_from_civil(1969, 12, 31), -1);
	CU_ASSERT_EQUAL(gtime_days_from_civil(2000, 3, 1), 11017);
	CU_ASSERT_EQUAL(GTIME_MIN, gtime_days_from_civil(0, 1, 1) * SECS_DAY);
	CU_ASSERT_EQUAL(GTIME_MAX,
	    gtime_days_from_civil(9999, 12, 31) * SECS_DAY + SECS_DAY - 1);
}

static void
test_gtime_make_split(void)
{
	struct gtime_tm tm;
	int64_t t, back;
	time_t tt;
	struct tm *g, gbuf;
	static const struct gtime_tm bad[] = {
		{ 2023, 2, 29, 0, 0, 0 },	/* not a leap year */
		{ 1900, 2, 29, 0, 0, 0 },	/* century, not leap */
		{ 2024, 2, 30, 0, 0, 0 },
		{ 2024, 4, 31, 0, 0, 0 },
		{ 2024, 13, 1, 0, 0, 0 },
		{ 2024, 0, 1, 0, 0, 0 },
		{ 2024, 1, 0, 0, 0, 0 },
		{ 2024, 1, 32, 0, 0, 0 },
		{ 2024, 1, 1, 24, 0, 0 },
		{ 2024, 1, 1, 23, 60, 0 },
		{ 2024, 1, 1, 23, 59, 60 },	/* no leap seconds */
		{ 2024, 1, 1, -1, 0, 0 },
		{ -1, 12, 31, 0, 0, 0 },
		{ 10000, 1, 1, 0, 0, 0 },
	};
	size_t i;

	tm = (struct gtime_tm){ 2024, 2, 29, 23, 59, 59 };
	CU_ASSERT_EQUAL(gtime_make(&tm, &t), 0);
	CU_ASSERT_EQUAL(t, 1709251199LL);
	tm = (struct gtime_tm){ 2000, 2, 29, 0, 0, 0 };
	CU_ASSERT_EQUAL(gtime_make(&tm, &t), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CU_ASSERT_EQUAL(gtime_make(&bad[i], &t), -1);
		CU_ASSERT_EQUAL(errno, EINVAL);
	}

	/* Sweep the whole range: split and make are inverses, and agree with glibc. */
	for (t = GTIME_MIN; t <= GTIME_MAX; t += SWEEP_STEP) {
		CU_ASSERT_EQUAL_FATAL(gtime_split(t, &tm), 0);
		CU_ASSERT_EQUAL_FATAL(gtime_make(&tm, &back), 0);
		CU_ASSERT_EQUAL_FATAL(back, t);
		tt = (time_t)t;
		g = gmtime_r(&tt, &gbuf);
		CU_ASSERT_FATAL(g != NULL);
		CU_ASSERT_EQUAL_FATAL(g->tm_year + 1900, tm.year);
		CU_ASSERT_EQUAL_FATAL(g->tm_mon + 1, tm.mon);
		CU_ASSERT_EQUAL_FATAL(g->tm_mday, tm.day);
		CU_ASSERT_EQUAL_FATAL(g->tm_hour, tm.hour);
		CU_ASSERT_EQUAL_FATAL(g->tm_min, tm.min);
		CU_ASSERT_EQUAL_FATAL(g->tm_sec, tm.sec);
	}
	CU_ASSERT_EQUAL(gtime_split(GTIME_MAX, &tm), 0);
	CU_ASSERT_EQUAL(tm.year, 9999);
	CU_ASSERT_EQUAL(tm.sec, 59);
	errno = 0;
	CU_ASSERT_EQUAL(gtime_split(GTIME_MAX + 1, &tm), -1);
	CU_ASSERT_EQUAL(errno, ERANGE);
	CU_ASSERT_EQUAL(gtime_split(GTIME_MIN - 1, &tm), -1);
	CU_ASSERT_EQUAL(gtime_split(INT64_MIN, &tm), -1);
}

static void
test_gtime_utctime(void)
{
	int64_t t;
	static const char *const bad[] = {
		"4912312359Z",		/* no seconds */
		"491231235959",		/* no Z */
		"491231235959+0000",	/* offsets are not DER */
		"4912312359590Z",
		"491231235960Z",	/* second 60 */
		"491231240000Z",	/* 24:00:00 */
		"491331000000Z",	/* month 13 */
		"490230000000Z",	/* Feb 30 */
		"490229000000Z",	/* 2049 is not a leap year */
		"000229000000z",	/* lowercase z */
		"0002290000 0Z",
		"-00229000000Z",
		"491231235959.Z",
	};
	size_t i;

	CU_ASSERT_EQUAL(gtime_parse_utctime("491231235959Z", 13, &t), 0);
	CU_ASSERT_EQUAL(t, 2524607999LL);
	CU_ASSERT_EQUAL(gtime_parse_utctime("500101000000Z", 13, &t), 0);
	CU_ASSERT_EQUAL(t, -631152000LL);
	CU_ASSERT_EQUAL(gtime_parse_utctime("991231235959Z", 13, &t), 0);
	CU_ASSERT_EQUAL(t, 946684799LL);
	CU_ASSERT_EQUAL(gtime_parse_utctime("000229000000Z", 13, &t), 0);
	CU_ASSERT_EQUAL(t, 951782400LL);
	CU_ASSERT_EQUAL(gtime_parse_utctime("380119031408Z", 13, &t), 0);
	CU_ASSERT_EQUAL(t, 2147483648LL);
	/* Only len characters count. */
	CU_ASSERT_EQUAL(gtime_parse_utctime("700101000000Zjunk", 13, &t), 0);
	CU_ASSERT_EQUAL(t, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CU_ASSERT_EQUAL(gtime_parse_utctime(bad[i], strlen(bad[i]), &t),
		    -1);
		CU_ASSERT_EQUAL(errno, EINVAL);
	}
	CU_ASSERT_EQUAL(gtime_parse_utctime("70010100\0" "0000Z", 13, &t), -1);
}

static void
test_gtime_generalized(void)
{
	int64_t t;
	static const char *const bad[] = {
		"20500101000000",	/* no Z */
		"20500101000000.5Z",	/* fractions are not allowed */
		"205001010000Z",	/* no seconds */
		"20500101000000+0100",
		"20501301000000Z",
		"21000229000000Z",	/* 2100 is not a leap year */
		"20500101240000Z",
		"20500101236000Z",
		"20500101235960Z",
		"2050010100000Z",
		"+2050101000000Z",
		"20500101000000z",
		"",
	};
	size_t i;

	CU_ASSERT_EQUAL(gtime_parse_generalized("20500101000000Z", 15, &t), 0);
	CU_ASSERT_EQUAL(t, 2524608000LL);
	CU_ASSERT_EQUAL(gtime_parse_generalized("99991231235959Z", 15, &t), 0);
	CU_ASSERT_EQUAL(t, GTIME_MAX);
	CU_ASSERT_EQUAL(gtime_parse_generalized("19500101000000Z", 15, &t), 0);
	CU_ASSERT_EQUAL(t, -631152000LL);
	CU_ASSERT_EQUAL(gtime_parse_generalized("24000229120000Z", 15, &t), 0);
	CU_ASSERT_EQUAL(gtime_parse_generalized("00000101000000Z", 15, &t), 0);
	CU_ASSERT_EQUAL(t, GTIME_MIN);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CU_ASSERT_EQUAL(gtime_parse_generalized(bad[i], strlen(bad[i]),
		    &t), -1);
		CU_ASSERT_EQUAL(errno, EINVAL);
	}
}

/* An ASN1_TIME of the given type holding exactly s (no checks by OpenSSL). */
static ASN1_TIME *
mk_time(int type, const char *s)
{
	ASN1_STRING *a = ASN1_STRING_type_new(type);

	CU_ASSERT_FATAL(a != NULL);
	CU_ASSERT_FATAL(ASN1_STRING_set(a, s, (int)strlen(s)) == 1);
	return a;
}

static void
test_gtime_asn1(void)
{
	struct {
		int		 type;
		const char	*s;
		int		 ok;
		int64_t		 t;
	} cases[] = {
		{ V_ASN1_UTCTIME, "491231235959Z", 1, 2524607999LL },
		{ V_ASN1_UTCTIME, "500101000000Z", 1, -631152000LL },
		{ V_ASN1_GENERALIZEDTIME, "20500101000000Z", 1, 2524608000LL },
		{ V_ASN1_GENERALIZEDTIME, "99991231235959Z", 1, GTIME_MAX },
		/* RFC 5280 4.1.2.5: before 2050 it must be UTCTime. */
		{ V_ASN1_GENERALIZEDTIME, "20491231235959Z", 0, 0 },
		{ V_ASN1_GENERALIZEDTIME, "19700101000000Z", 0, 0 },
		/* OpenSSL's parser would take these; ours must not. */
		{ V_ASN1_UTCTIME, "4912312359Z", 0, 0 },
		{ V_ASN1_UTCTIME, "491231235959+0000", 0, 0 },
		{ V_ASN1_GENERALIZEDTIME, "20500101000000.000Z", 0, 0 },
		{ V_ASN1_UTCTIME, "20500101000000Z", 0, 0 },
		{ V_ASN1_OCTET_STRING, "491231235959Z", 0, 0 },
		{ V_ASN1_IA5STRING, "20500101000000Z", 0, 0 },
	};
	ASN1_TIME *a;
	int64_t t;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = mk_time(cases[i].type, cases[i].s);
		t = 42;
		errno = 0;
		if (cases[i].ok) {
			CU_ASSERT_EQUAL(gtime_from_asn1(a, &t), 0);
			CU_ASSERT_EQUAL(t, cases[i].t);
		} else {
			CU_ASSERT_EQUAL(gtime_from_asn1(a, &t), -1);
			CU_ASSERT_EQUAL(errno, EINVAL);
			CU_ASSERT_EQUAL(t, 42);
		}
		ASN1_STRING_free(a);
	}
	CU_ASSERT_EQUAL(gtime_from_asn1(NULL, &t), -1);

	/* A real OpenSSL-built time round trips. */
	a = ASN1_TIME_set(NULL, (time_t)1700000000);
	CU_ASSERT_FATAL(a != NULL);
	CU_ASSERT_EQUAL(ASN1_STRING_type(a), V_ASN1_UTCTIME);
	CU_ASSERT_EQUAL(gtime_from_asn1(a, &t), 0);
	CU_ASSERT_EQUAL(t, 1700000000LL);
	ASN1_STRING_free(a);

	/* GeneralizedTime-only fields (e.g. manifest thisUpdate). */
	a = mk_time(V_ASN1_GENERALIZEDTIME, "20240229120000Z");
	CU_ASSERT_EQUAL(gtime_from_asn1_gentime(a, &t), 0);
	CU_ASSERT_EQUAL(t, 1709208000LL);
	ASN1_STRING_free(a);
	a = mk_time(V_ASN1_GENERALIZEDTIME, "20240229120000.5Z");
	CU_ASSERT_EQUAL(gtime_from_asn1_gentime(a, &t), -1);
	ASN1_STRING_free(a);
	a = mk_time(V_ASN1_UTCTIME, "240229120000Z");
	CU_ASSERT_EQUAL(gtime_from_asn1_gentime(a, &t), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	ASN1_STRING_free(a);
	CU_ASSERT_EQUAL(gtime_from_asn1_gentime(NULL, &t), -1);
}

static void
test_gtime_format(void)
{
	char buf[GTIME_ISO_LEN + 1];
	int64_t t;

	CU_ASSERT_EQUAL(gtime_format_generalized(2524608000LL, buf,
	    GTIME_GENERALIZED_LEN + 1), 0);
	CU_ASSERT_STRING_EQUAL(buf, "20500101000000Z");
	CU_ASSERT_EQUAL(gtime_parse_generalized(buf, strlen(buf), &t), 0);
	CU_ASSERT_EQUAL(t, 2524608000LL);
	CU_ASSERT_EQUAL(gtime_format_generalized(-1, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "19691231235959Z");

	errno = 0;
	CU_ASSERT_EQUAL(gtime_format_generalized(0, buf,
	    GTIME_GENERALIZED_LEN), -1);
	CU_ASSERT_EQUAL(errno, ERANGE);
	CU_ASSERT_EQUAL(gtime_format_iso(0, buf, GTIME_ISO_LEN), -1);
	CU_ASSERT_EQUAL(errno, ERANGE);
	CU_ASSERT_EQUAL(gtime_format_iso(GTIME_MAX + 1, buf, sizeof(buf)), -1);
	CU_ASSERT_EQUAL(errno, ERANGE);
	CU_ASSERT_EQUAL(gtime_format_generalized(GTIME_MIN - 1, buf,
	    sizeof(buf)), -1);
	CU_ASSERT_EQUAL(gtime_format_iso(INT64_MAX, buf, sizeof(buf)), -1);
}

static void
test_gtime_user(void)
{
	int64_t t;
	static const char *const bad[] = {
		"", "@", "@-", "@12a", "@ 1", "@+1", "@1.5",
		"@253402300800",		/* GTIME_MAX + 1 */
		"@-62167219201",		/* GTIME_MIN - 1 */
		"@99999999999999999999999",	/* would overflow */
		"2024-02-30", "2023-02-29T00:00:00Z", "2024-1-01",
		"2024-01-01T", "2024-01-01T00:00", "2024-01-01T00:00:00+01:00",
		"2024-01-01T00:00:00ZZ", "2024-01-01X00:00:00",
		"2024-01-01T24:00:00", "2024-01-01T00:00:60",
		"2024/01/01", " 2024-01-01", "2024-01-01 ", "20240101",
		"20240101000000", "20240101000000.5Z", "yesterday",
	};
	size_t i;

	CU_ASSERT_EQUAL(gtime_parse_user("@0", &t), 0);
	CU_ASSERT_EQUAL(t, 0);
	CU_ASSERT_EQUAL(gtime_parse_user("@1700000000", &t), 0);
	CU_ASSERT_EQUAL(t, 1700000000LL);
	CU_ASSERT_EQUAL(gtime_parse_user("@-631152000", &t), 0);
	CU_ASSERT_EQUAL(t, -631152000LL);
	CU_ASSERT_EQUAL(gtime_parse_user("@000000000000001", &t), 0);
	CU_ASSERT_EQUAL(t, 1);
	CU_ASSERT_EQUAL(gtime_parse_user("@253402300799", &t), 0);
	CU_ASSERT_EQUAL(t, GTIME_MAX);
	CU_ASSERT_EQUAL(gtime_parse_user("2024-02-29", &t), 0);
	CU_ASSERT_EQUAL(t, 1709164800LL);
	CU_ASSERT_EQUAL(gtime_parse_user("2024-02-29T12:00:00Z", &t), 0);
	CU_ASSERT_EQUAL(t, 1709208000LL);
	CU_ASSERT_EQUAL(gtime_parse_user("2024-02-29T12:00:00", &t), 0);
	CU_ASSERT_EQUAL(t, 1709208000LL);
	CU_ASSERT_EQUAL(gtime_parse_user("2024-02-29 12:00:00", &t), 0);
	CU_ASSERT_EQUAL(t, 1709208000LL);
	CU_ASSERT_EQUAL(gtime_parse_user("2024-02-29t12:00:00z", &t), 0);
	CU_ASSERT_EQUAL(t, 1709208000LL);
	CU_ASSERT_EQUAL(gtime_parse_user("20240229120000Z", &t), 0);
	CU_ASSERT_EQUAL(t, 1709208000LL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 42;
		errno = 0;
		CU_ASSERT_EQUAL(gtime_parse_user(bad[i], &t), -1);
		CU_ASSERT_TRUE(errno == EINVAL || errno == ERANGE);
		CU_ASSERT_EQUAL(t, 42);
	}
	CU_ASSERT_EQUAL(gtime_parse_user("@253402300800", &t), -1);
	CU_ASSERT_EQUAL(errno, ERANGE);
	CU_ASSERT_EQUAL(gtime_parse_user("@99999999999999999999999", &t), -1);
	CU_ASSERT_EQUAL(errno, ERANGE);
}

REEF_SUITE(gtime,
    REEF_TEST(test_gtime_known_epochs),
    REEF_TEST(test_gtime_make_split),
    REEF_TEST(test_gtime_utctime),
    REEF_TEST(test_gtime_generalized),
    REEF_TEST(test_gtime_asn1),
    REEF_TEST(test_gtime_format),
    REEF_TEST(test_gtime_user))
