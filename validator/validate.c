/*
 * Relations between parsed RPKI objects; see validate.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include "validator/validate.h"

static int
fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Returns 0 if cert is the valid TA of tal at now, else -1 (why). */
int
valid_ta(const struct cert *cert, const struct tal *tal, int64_t now,
    char *why, size_t whylen)
{
	return cert_check_ta(cert, tal, now, why, whylen);
}

/* Returns 0 if crl was issued by issuer and is current, else -1 (why). */
int
valid_crl(const struct crl *crl, const struct cert *issuer, int64_t now,
    char *why, size_t whylen)
{
	if (issuer->purpose != CERT_TA && issuer->purpose != CERT_CA)
		return fail(why, whylen, "RFC 6487 section 5: CRL issuer is "
		    "not a CA");
	return crl_check_issued(crl, issuer, now, why, whylen);
}

/* RFC 6487 section 5: every certificate is checked against its issuer's CRL. */
static int
not_revoked(const struct cert *cert, const struct crl *crl, char *why,
    size_t whylen)
{
	if (crl != NULL &&
	    crl_is_revoked_bytes(crl, cert->serial_raw, cert->serial_raw_len))
		return fail(why, whylen, "RFC 6487 section 5: certificate "
		    "serial %s is revoked", cert->serial != NULL ?
		    cert->serial : "?");
	return 0;
}

/* Returns 0 if cert is validly issued by issuer and unrevoked, else -1. */
int
valid_cert(struct cert *cert, const struct cert *issuer,
    const struct crl *crl, int64_t now, char *why, size_t whylen)
{
	if (not_revoked(cert, crl, why, whylen) == -1)
		return -1;
	return cert_check_issued(cert, issuer, now, why, whylen);
}

/* Returns 0 if mft is signed under issuer, unrevoked and current. */
int
valid_mft(struct mft *mft, const struct cert *issuer, const struct crl *crl,
    int64_t now, char *why, size_t whylen)
{
	if (mft->ee == NULL)
		return fail(why, whylen, "RFC 9286 section 5.1: manifest "
		    "without EE certificate");
	if (valid_cert(mft->ee, issuer, crl, now, why, whylen) == -1)
		return -1;
	return mft_check_current(mft, now, why, whylen);
}

/* Returns 0 if cur may follow old, else -1 (why). */
int
valid_mft_successor(const struct mft *cur,
    const unsigned char cur_hash[HASH_SHA256_LEN], const struct mft *old,
    const unsigned char old_hash[HASH_SHA256_LEN], char *why, size_t whylen)
{
	int c = mft_compare(cur, old);
	char a[MFT_NUMBER_STRLEN], b[MFT_NUMBER_STRLEN];

	mft_number_hex(cur, a);
	mft_number_hex(old, b);
	if (c < 0)
		return fail(why, whylen, "RFC 9286 section 4.2.1: manifest "
		    "number went backwards (%s after %s)", a, b);
	if (c == 0 && !hash_equal(cur_hash, old_hash, HASH_SHA256_LEN))
		return fail(why, whylen, "RFC 9286 section 4.2.1: manifest "
		    "number %s re-used for different content", a);
	if (cur->this_update < old->this_update)
		return fail(why, whylen, "RFC 9286 section 4.2.1: manifest "
		    "thisUpdate went backwards");
	return 0;
}

/* Returns 0 if buf matches the manifest hash of f, else -1 (why). */
int
valid_filehash(const unsigned char *buf, size_t len, const struct mft_file *f,
    char *why, size_t whylen)
{
	unsigned char md[HASH_SHA256_LEN];

	if (hash_sha256(buf, len, md) == -1)
		return fail(why, whylen, "cannot compute SHA-256");
	if (!hash_equal(md, f->hash, HASH_SHA256_LEN))
		return fail(why, whylen, "RFC 9286 section 6.6: hash does "
		    "not match the manifest");
	return 0;
}

/* Returns 0 if the ROA's EE is validly issued by issuer, else -1. */
int
valid_roa(struct roa *roa, const struct cert *issuer, const struct crl *crl,
    int64_t now, char *why, size_t whylen)
{
	if (roa->ee == NULL)
		return fail(why, whylen, "RFC 6488 section 2.1.4: no EE "
		    "certificate");
	return valid_cert(roa->ee, issuer, crl, now, why, whylen);
}

/* Returns 0 if the ASPA's EE is validly issued by issuer, else -1. */
int
valid_aspa(struct aspa_object *aspa, const struct cert *issuer,
    const struct crl *crl, int64_t now, char *why, size_t whylen)
{
	if (aspa->ee == NULL)
		return fail(why, whylen, "RFC 6488 section 2.1.4: no EE "
		    "certificate");
	return valid_cert(aspa->ee, issuer, crl, now, why, whylen);
}

/* ASN.1 universal tags that DER forbids in constructed form (X.690 10.2). */
#define TAG_BIT_STRING		0x03
#define TAG_OCTET_STRING	0x04
#define TAG_CONSTRUCTED		0x20
#define TAG_CLASS_MASK		0xc0
#define TAG_NUMBER_MASK		0x1f
#define LEN_LONG		0x80

/*
 * Check the one TLV at *p (which must end by end) and, if constructed,
 * everything inside it; advance *p past it.  Returns 0 or -1 (why).
 */
static int
der_tlv(const unsigned char **p, const unsigned char *end, int depth,
    char *why, size_t whylen)
{
	const unsigned char *q = *p, *cend;
	unsigned char id;
	size_t len, n, i;

	if (depth > VALID_DER_MAX_DEPTH)
		return fail(why, whylen, "RFC 6488 section 3: nesting too "
		    "deep");
	if (q >= end)
		goto trunc;
	id = *q++;
	if ((id & TAG_NUMBER_MASK) == TAG_NUMBER_MASK) {
		/* High tag number: base-128 octets, the last without 0x80. */
		while (q < end && (*q & LEN_LONG))
			q++;
		if (q++ >= end)
			goto trunc;
	}
	if (q >= end)
		goto trunc;
	if (*q == LEN_LONG)
		return fail(why, whylen, "RFC 6488 section 3: indefinite "
		    "length (BER, not DER)");
	if (*q & LEN_LONG) {
		n = *q++ & ~LEN_LONG;
		if (n > sizeof(size_t) || (size_t)(end - q) < n)
			goto trunc;
		if (*q == 0)
			goto nonmin;
		for (len = 0, i = 0; i < n; i++)
			len = (len << 8) | *q++;
		if (len < LEN_LONG)
			goto nonmin;
	} else
		len = *q++;
	if ((size_t)(end - q) < len)
		goto trunc;
	cend = q + len;
	if (id & TAG_CONSTRUCTED) {
		if ((id & TAG_CLASS_MASK) == 0 &&
		    ((id & TAG_NUMBER_MASK) == TAG_OCTET_STRING ||
		    (id & TAG_NUMBER_MASK) == TAG_BIT_STRING))
			return fail(why, whylen, "RFC 6488 section 3: "
			    "constructed string (BER, not DER)");
		while (q < cend)
			if (der_tlv(&q, cend, depth + 1, why, whylen) == -1)
				return -1;
	}
	*p = cend;
	return 0;
 trunc:
	return fail(why, whylen, "RFC 6488 section 3: truncated or "
	    "malformed DER");
 nonmin:
	return fail(why, whylen, "RFC 6488 section 3: length not in "
	    "minimal form (BER, not DER)");
}

/* Returns 0 if der is a single DER TLV without trailing data, else -1. */
int
valid_der_framing(const unsigned char *der, size_t len, char *why,
    size_t whylen)
{
	const unsigned char *p = der;

	if (der_tlv(&p, der + len, 0, why, whylen) == -1)
		return -1;
	if (p != der + len)
		return fail(why, whylen, "RFC 6488 section 3: %td bytes of "
		    "trailing data", der + len - p);
	return 0;
}

/* Returns the earlier of two expiry times, a non-positive one meaning unknown. */
int64_t
valid_expires_min(int64_t a, int64_t b)
{
	if (a <= 0)
		return b;
	if (b <= 0)
		return a;
	return a < b ? a : b;
}
