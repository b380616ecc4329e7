/*
 * Times as int64_t seconds since 1970-01-01T00:00:00Z (leap seconds are
 * not counted, as in POSIX time), converted to and from the ASN.1 and text
 * forms Reef meets.  All calendar arithmetic is done here (proleptic
 * Gregorian calendar), independent of TZ, timegm(3) and a 32-bit time_t.
 *
 * Supported range: 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z
 * (GTIME_MIN..GTIME_MAX), the range of GeneralizedTime.
 *
 * Functions returning int give 0 on success and -1 on failure with errno
 * set to EINVAL (malformed), ERANGE (value or buffer size out of range).
 */
#ifndef REEF_GTIME_H
#define REEF_GTIME_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>

#define GTIME_MIN		(-62167219200LL)	/* 0000-01-01T00:00:00Z */
#define GTIME_MAX		253402300799LL		/* 9999-12-31T23:59:59Z */
#define GTIME_ISO_LEN		20	/* "YYYY-MM-DDTHH:MM:SSZ" without NUL */
#define GTIME_GENERALIZED_LEN	15	/* "YYYYMMDDHHMMSSZ" without NUL */
#define GTIME_UTCTIME_LEN	13	/* "YYMMDDHHMMSSZ" without NUL */

/* Broken-down UTC time; fields are calendar values (mon 1..12, day 1..31). */
struct gtime_tm {
	int	year;
	int	mon;
	int	day;
	int	hour;
	int	min;
	int	sec;
};

/* Days from 1970-01-01 to the given date (which is not validated). */
int64_t	gtime_days_from_civil(int64_t year, int mon, int day);

/* Seconds since the epoch of a validated broken-down time. */
int	gtime_make(const struct gtime_tm *tm, int64_t *out);

/* Break t (within GTIME_MIN..GTIME_MAX) down into *tm. */
int	gtime_split(int64_t t, struct gtime_tm *tm);

/*
 * DER UTCTime content, exactly "YYMMDDHHMMSSZ" (RFC 5280 section
 * 4.1.2.5.1): YY >= 50 is 19YY, otherwise 20YY.  s need not be
 * NUL-terminated.
 */
int	gtime_parse_utctime(const char *s, size_t len, int64_t *out);

/*
 * DER GeneralizedTime content, exactly "YYYYMMDDHHMMSSZ" (RFC 5280
 * section 4.1.2.5.2: no fractional seconds, always Z).
 */
int	gtime_parse_generalized(const char *s, size_t len, int64_t *out);

/*
 * Time of an X.509/CRL/CMS Time CHOICE, checked by the parsers above (not
 * by OpenSSL's lenient ones).  RFC 5280 section 4.1.2.5 (and RFC 5652
 * section 11.3 for signing-time): dates through 2049 MUST be UTCTime, from
 * 2050 on GeneralizedTime; a GeneralizedTime before 2050 is rejected.
 */
int	gtime_from_asn1(const ASN1_TIME *t, int64_t *out);

/* A field that must be a GeneralizedTime (e.g. RFC 9286 thisUpdate). */
int	gtime_from_asn1_gentime(const ASN1_GENERALIZEDTIME *t, int64_t *out);

/* Write "YYYY-MM-DDTHH:MM:SSZ" into buf (at least GTIME_ISO_LEN + 1 bytes). */
int	gtime_format_iso(int64_t t, char *buf, size_t size);

/* Write "YYYYMMDDHHMMSSZ" into buf (at least GTIME_GENERALIZED_LEN + 1 bytes). */
int	gtime_format_generalized(int64_t t, char *buf, size_t size);

/*
 * A time given by a user, in UTC:
 *	YYYY-MM-DDTHH:MM:SS[Z]	(ISO 8601; 'T' may also be a space)
 *	YYYY-MM-DD		(midnight)
 *	YYYYMMDDHHMMSSZ		(GeneralizedTime)
 *	@SECONDS		(since the epoch, may be negative)
 * Lowercase 't' and 'z' are accepted; time zone offsets are not.
 */
int	gtime_parse_user(const char *s, int64_t *out);

#endif
