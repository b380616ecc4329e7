/*
 * AS numbers and ranges.  See asn.h for the accepted syntax.
 */
#include <stdio.h>
#include <string.h>

#include "asn.h"

#define ASN_MAX		UINT32_MAX
/* Digits of ASN_MAX; anything longer is out of range. */
#define ASN_DIGITS_MAX	10

/*
 * Returns a static string; the caller must not free it.
 */
const char *
asn_strerror(int err)
{
	switch (err) {
	case ASN_OK:
		return "no error";
	case ASN_ESYNTAX:
		return "malformed AS number";
	case ASN_ERANGE:
		return "AS number above 4294967295";
	case ASN_EORDER:
		return "AS range minimum above maximum";
	case ASN_ESPACE:
		return "output buffer too small";
	default:
		return "unknown AS number error";
	}
}

/* Parse s[0..n) as an AS number. */
static int
parse_span(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	/* "AS" or "as", not the mixed-case spellings. */
	if (n >= 2 && ((s[0] == 'A' && s[1] == 'S') ||
	    (s[0] == 'a' && s[1] == 's'))) {
		s += 2;
		n -= 2;
	}
	if (n == 0 || (n > 1 && s[0] == '0'))
		return ASN_ESYNTAX;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return ASN_ESYNTAX;
	if (n > ASN_DIGITS_MAX)
		return ASN_ERANGE;
	for (i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (v > ASN_MAX)
		return ASN_ERANGE;
	*out = (uint32_t)v;
	return ASN_OK;
}

/*
 * Returns ASN_OK with the number in *out, or why s is not one.
 */
int
asn_parse(const char *s, uint32_t *out)
{
	return parse_span(s, strlen(s), out);
}

/* snprintf() result into an error code. */
static int
fit(int n, size_t bufsz)
{
	if (n < 0 || (size_t)n >= bufsz)
		return ASN_ESPACE;
	return n;
}

/*
 * Returns the length of "AS<n>" written to buf, or ASN_ESPACE.
 */
int
asn_format(uint32_t asn, char *buf, size_t bufsz)
{
	char tmp[ASN_STRLEN];
	int n;

	n = fit(snprintf(tmp, sizeof(tmp), "AS%u", asn), bufsz);
	if (n >= 0)
		memcpy(buf, tmp, n + 1);
	return n;
}

/*
 * Returns ASN_OK with the range in *out, or why s is not one.
 */
int
asn_range_parse(const char *s, struct asn_range *out)
{
	struct asn_range r;
	const char *dash;
	int rv;

	if ((dash = strchr(s, '-')) == NULL) {
		if ((rv = parse_span(s, strlen(s), &r.min)) != ASN_OK)
			return rv;
		r.max = r.min;
	} else {
		if ((rv = parse_span(s, dash - s, &r.min)) != ASN_OK)
			return rv;
		if ((rv = parse_span(dash + 1, strlen(dash + 1), &r.max)) !=
		    ASN_OK)
			return rv;
	}
	if (r.min > r.max)
		return ASN_EORDER;
	*out = r;
	return ASN_OK;
}

/*
 * Returns the length of the range text written to buf, or an
 * error; buf is untouched on error.
 */
int
asn_range_format(const struct asn_range *r, char *buf, size_t bufsz)
{
	char tmp[ASN_RANGE_STRLEN];
	int n;

	if (r->min > r->max)
		return ASN_EORDER;
	if (r->min == r->max)
		n = snprintf(tmp, sizeof(tmp), "AS%u", r->min);
	else
		n = snprintf(tmp, sizeof(tmp), "AS%u-AS%u", r->min, r->max);
	if ((n = fit(n, bufsz)) >= 0)
		memcpy(buf, tmp, n + 1);
	return n;
}

/*
 * Returns 1 if asn lies in [min, max], else 0.
 */
int
asn_range_contains(const struct asn_range *r, uint32_t asn)
{
	return asn >= r->min && asn <= r->max;
}
