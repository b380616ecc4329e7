/*
 * Autonomous System numbers (32-bit, RFC 6793) and AS ranges.
 *
 * Accepted text is "asplain" (RFC 5396) with an optional "AS" or "as"
 * prefix: "AS65000", "as65000", "65000".  The "asdot" form ("1.10") is
 * rejected: rpki-client and the RPKI output formats use asplain only,
 * and accepting both would make "1.10" and "65546" two spellings of one
 * number.  No sign, no whitespace, no leading zeros except "0" itself,
 * nothing above 4294967295.  Printing always gives "AS65000".
 */
#ifndef REEF_ASN_H
#define REEF_ASN_H

#include <stddef.h>
#include <stdint.h>

/* "AS4294967295" and NUL. */
#define ASN_STRLEN		13
/* "AS4294967295-AS4294967295" and NUL. */
#define ASN_RANGE_STRLEN	(2 * ASN_STRLEN)

struct asn_range {
	uint32_t	min;
	uint32_t	max;	/* inclusive; min <= max */
};

/* Error codes (all negative, 0 is success). */
enum asn_err {
	ASN_OK = 0,
	ASN_ESYNTAX = -1,	/* not an AS number in strict asplain form */
	ASN_ERANGE = -2,	/* all digits, but above 4294967295 */
	ASN_EORDER = -3,	/* range with min > max */
	ASN_ESPACE = -4		/* output buffer too small */
};

/* Returns a static description of an asn_err code. */
const char	*asn_strerror(int);

/*
 * Parse an AS number (see above) into *out.  Returns ASN_OK, ASN_ESYNTAX
 * or ASN_ERANGE; *out is only written on success.
 */
int		 asn_parse(const char *, uint32_t *);

/* Print "AS<n>" into buf; returns the length or ASN_ESPACE. */
int		 asn_format(uint32_t, char *, size_t);

/*
 * Parse "MIN-MAX" (each side as for asn_parse(), e.g. "64496-64511" or
 * "AS64496-AS64511") or a single AS number (a range of one) into *out.
 * Returns ASN_OK, ASN_ESYNTAX, ASN_ERANGE or ASN_EORDER.
 */
int		 asn_range_parse(const char *, struct asn_range *);

/*
 * Print "ASmin-ASmax", or "ASmin" when min == max, into buf; returns the
 * length, ASN_EORDER for an inverted range or ASN_ESPACE.
 */
int		 asn_range_format(const struct asn_range *, char *, size_t);

/* Returns 1 if asn lies within the range (inclusive), else 0. */
int		 asn_range_contains(const struct asn_range *, uint32_t);

#endif
