/*
 * Strict ASN.1 time parsing and calendar arithmetic; see gtime.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>

#include "gtime.h"

#define SECS_PER_DAY	86400
#define SECS_PER_HOUR	3600
#define SECS_PER_MIN	60
/* Days in a 400-year Gregorian cycle. */
#define DAYS_PER_ERA	146097
/* Days from 0000-03-01 to 1970-01-01, the epoch of days_from_civil(). */
#define EPOCH_SHIFT	719468
/* RFC 5280 section 4.1.2.5.1: two-digit years below this are 20YY. */
#define UTC_PIVOT	50
/* First year that RFC 5280 encodes as GeneralizedTime. */
#define GENTIME_FIRST_YEAR	2050
#define YEAR_MAX	9999
/* Digits accepted after '@': GTIME_MAX has 12, and 15 cannot overflow. */
#define EPOCH_DIGITS_MAX	15

static int
is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int
days_in_month(int64_t y, int m)
{
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/*
 * Days from 1970-01-01 to year-mon-day, counting in years that start on
 * March 1st so the leap day is the last day of its year.
 */
int64_t
gtime_days_from_civil(int64_t year, int mon, int day)
{
	int64_t y = year - (mon <= 2), era, yoe, doy, doe;

	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;				/* 0..399 */
	doy = (153 * (mon > 2 ? mon - 3 : mon + 9) + 2) / 5 + day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* 0..146096 */
	return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
}

/* Inverse of gtime_days_from_civil(). */
static void
civil_from_days(int64_t days, struct gtime_tm *tm)
{
	int64_t z = days + EPOCH_SHIFT, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - (DAYS_PER_ERA - 1)) / DAYS_PER_ERA;
	doe = z - era * DAYS_PER_ERA;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / (DAYS_PER_ERA - 1)) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = (int)(yoe + era * 400 + (tm->mon <= 2));
}

/*
 * Validate tm and convert it to seconds since the epoch.
 */
int
gtime_make(const struct gtime_tm *tm, int64_t *out)
{
	if (tm->year < 0 || tm->year > YEAR_MAX ||
	    tm->mon < 1 || tm->mon > 12 ||
	    tm->day < 1 || tm->day > days_in_month(tm->year, tm->mon) ||
	    tm->hour < 0 || tm->hour > 23 ||
	    tm->min < 0 || tm->min > 59 ||
	    tm->sec < 0 || tm->sec > 59) {
		errno = EINVAL;
		return -1;
	}
	*out = gtime_days_from_civil(tm->year, tm->mon, tm->day) *
	    SECS_PER_DAY + tm->hour * SECS_PER_HOUR + tm->min * SECS_PER_MIN +
	    tm->sec;
	return 0;
}

/*
 * Break t down into calendar fields.
 */
int
gtime_split(int64_t t, struct gtime_tm *tm)
{
	int64_t days, rem;

	if (t < GTIME_MIN || t > GTIME_MAX) {
		errno = ERANGE;
		return -1;
	}
	days = t / SECS_PER_DAY;
	rem = t % SECS_PER_DAY;
	if (rem < 0) {
		rem += SECS_PER_DAY;
		days--;
	}
	civil_from_days(days, tm);
	tm->hour = (int)(rem / SECS_PER_HOUR);
	tm->min = (int)(rem % SECS_PER_HOUR / SECS_PER_MIN);
	tm->sec = (int)(rem % SECS_PER_MIN);
	return 0;
}

/* Parse exactly n decimal digits; -1 if any is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Parse "MMDDHHMMSS" at s into tm (the year is already set). */
static int
parse_mdhms(const char *s, struct gtime_tm *tm)
{
	if ((tm->mon = digits(s, 2)) == -1 ||
	    (tm->day = digits(s + 2, 2)) == -1 ||
	    (tm->hour = digits(s + 4, 2)) == -1 ||
	    (tm->min = digits(s + 6, 2)) == -1 ||
	    (tm->sec = digits(s + 8, 2)) == -1)
		return -1;
	return 0;
}

/*
 * Parse a DER UTCTime "YYMMDDHHMMSSZ".
 */
int
gtime_parse_utctime(const char *s, size_t len, int64_t *out)
{
	struct gtime_tm tm;

	if (len != GTIME_UTCTIME_LEN || s[len - 1] != 'Z' ||
	    (tm.year = digits(s, 2)) == -1 || parse_mdhms(s + 2, &tm) == -1) {
		errno = EINVAL;
		return -1;
	}
	tm.year += tm.year >= UTC_PIVOT ? 1900 : 2000;
	return gtime_make(&tm, out);
}

/*
 * Parse a DER GeneralizedTime "YYYYMMDDHHMMSSZ".
 */
int
gtime_parse_generalized(const char *s, size_t len, int64_t *out)
{
	struct gtime_tm tm;

	if (len != GTIME_GENERALIZED_LEN || s[len - 1] != 'Z' ||
	    (tm.year = digits(s, 4)) == -1 || parse_mdhms(s + 4, &tm) == -1) {
		errno = EINVAL;
		return -1;
	}
	return gtime_make(&tm, out);
}

/*
 * Convert an X.509 Time, enforcing the RFC 5280 choice of type.
 */
int
gtime_from_asn1(const ASN1_TIME *t, int64_t *out)
{
	const char *data;
	size_t len;
	int64_t v;

	if (t == NULL)
		goto bad;
	data = (const char *)ASN1_STRING_get0_data(t);
	len = ASN1_STRING_length(t);
	switch (ASN1_STRING_type(t)) {
	case V_ASN1_UTCTIME:
		return gtime_parse_utctime(data, len, out);
	case V_ASN1_GENERALIZEDTIME:
		if (gtime_parse_generalized(data, len, &v) == -1)
			return -1;
		if (v < gtime_days_from_civil(GENTIME_FIRST_YEAR, 1, 1) *
		    SECS_PER_DAY)
			goto bad;
		*out = v;
		return 0;
	default:
		goto bad;
	}
bad:
	errno = EINVAL;
	return -1;
}

/*
 * Convert an ASN.1 GeneralizedTime field.
 */
int
gtime_from_asn1_gentime(const ASN1_GENERALIZEDTIME *t, int64_t *out)
{
	if (t == NULL || ASN1_STRING_type(t) != V_ASN1_GENERALIZEDTIME) {
		errno = EINVAL;
		return -1;
	}
	return gtime_parse_generalized((const char *)ASN1_STRING_get0_data(t),
	    ASN1_STRING_length(t), out);
}

/* Split t and check that size bytes can hold need characters and a NUL. */
static int
format_prep(int64_t t, size_t size, size_t need, struct gtime_tm *tm)
{
	if (size < need + 1) {
		errno = ERANGE;
		return -1;
	}
	return gtime_split(t, tm);
}

/*
 * Write t as "YYYY-MM-DDTHH:MM:SSZ".
 */
int
gtime_format_iso(int64_t t, char *buf, size_t size)
{
	struct gtime_tm tm;

	if (format_prep(t, size, GTIME_ISO_LEN, &tm) == -1)
		return -1;
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.year,
	    tm.mon, tm.day, tm.hour, tm.min, tm.sec);
	return 0;
}

/*
 * Write t as "YYYYMMDDHHMMSSZ".
 */
int
gtime_format_generalized(int64_t t, char *buf, size_t size)
{
	struct gtime_tm tm;

	if (format_prep(t, size, GTIME_GENERALIZED_LEN, &tm) == -1)
		return -1;
	snprintf(buf, size, "%04d%02d%02d%02d%02d%02dZ", tm.year, tm.mon,
	    tm.day, tm.hour, tm.min, tm.sec);
	return 0;
}

/* "@[-]DIGITS", range-checked against GTIME_MIN..GTIME_MAX. */
static int
parse_epoch(const char *s, int64_t *out)
{
	int neg = 0, n = 0;
	int64_t v = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (n == EPOCH_DIGITS_MAX)
			goto range;
		v = v * 10 + (*s - '0');
	}
	if (n == 0 || *s != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (neg)
		v = -v;
	if (v < GTIME_MIN || v > GTIME_MAX)
		goto range;
	*out = v;
	return 0;
range:
	errno = ERANGE;
	return -1;
}

/* "YYYY-MM-DD" followed by nothing or by [Tt ]HH:MM:SS[Zz]. */
static int
parse_iso(const char *s, int64_t *out)
{
	struct gtime_tm tm = { 0 };
	size_t len = strlen(s);

	if (len < 10 || s[4] != '-' || s[7] != '-' ||
	    (tm.year = digits(s, 4)) == -1 || (tm.mon = digits(s + 5, 2)) == -1 ||
	    (tm.day = digits(s + 8, 2)) == -1)
		goto bad;
	if (len == 10)
		return gtime_make(&tm, out);
	if (len != 19 && !(len == 20 && (s[19] == 'Z' || s[19] == 'z')))
		goto bad;
	if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':' ||
	    (tm.hour = digits(s + 11, 2)) == -1 ||
	    (tm.min = digits(s + 14, 2)) == -1 ||
	    (tm.sec = digits(s + 17, 2)) == -1)
		goto bad;
	return gtime_make(&tm, out);
bad:
	errno = EINVAL;
	return -1;
}

/*
 * Parse a user-supplied time; see gtime.h for the accepted forms.
 */
int
gtime_parse_user(const char *s, int64_t *out)
{
	if (s[0] == '@')
		return parse_epoch(s + 1, out);
	if (strlen(s) == GTIME_GENERALIZED_LEN && strchr(s, '-') == NULL)
		return gtime_parse_generalized(s, GTIME_GENERALIZED_LEN, out);
	return parse_iso(s, out);
}
