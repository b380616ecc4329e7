/*
 * RPKI signed objects (RFC 6488): CMS SignedData version 3, one SignerInfo
 * identified by SKI, SHA-256, signed attributes content-type,
 * message-digest and signing-time only, the EE certificate and no CRLs.
 *
 * The structure is written here with the DER writer of der.c rather than
 * by OpenSSL's CMS code, so that a test can ask for the departures from
 * RFC 6488 a lenient validator would let through (enum rg_cms_form): the
 * signature is always computed over the signed attributes exactly as
 * they are transmitted, so only the encoding rule is broken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "repogen.h"

#define OID_SIGNED_DATA		"1.2.840.113549.1.7.2"
#define OID_ATTR_CONTENT_TYPE	"1.2.840.113549.1.9.3"
#define OID_ATTR_DIGEST		"1.2.840.113549.1.9.4"
#define OID_ATTR_SIGNING_TIME	"1.2.840.113549.1.9.5"
#define OID_RSA			"1.2.840.113549.1.1.1"
/* RFC 6488 sections 2.1.1 and 2.1.6.1. */
#define CMS_VERSION		3
#define NATTRS			3
#define SHA256_LEN		32
/* RFC 5652 section 11.3: UTCTime for the years 1950 to 2049. */
#define UTC_FIRST_YEAR		1950
#define UTC_LAST_YEAR		2049
#define TM_YEAR_BASE		1900

#define TAG_OCTET_STRING	0x04
#define TAG_NULL		0x05
#define TAG_UTCTIME		0x17
#define TAG_GENTIME		0x18
#define TAG_SEQUENCE		0x30
#define TAG_SET			0x31
#define TAG_CTX0_PRIM		0x80
#define TAG_CTX0_CONS		0xa0

/* An Attribute: SEQUENCE { type, SET { the value's TLV } }. */
static void
attr(struct buf *out, const char *oid, const struct buf *value)
{
	struct buf	 seq = { 0 }, set = { 0 };

	rg_der_oid(&seq, oid);
	rg_buf_add(&set, value->p, value->len);
	rg_der_wrap(&seq, TAG_SET, &set);
	rg_der_wrap(out, TAG_SEQUENCE, &seq);
}

/* signing-time as a Time: UTCTime or GeneralizedTime by year. */
static void
signing_time(struct buf *out, int64_t t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;
	char		 s[32];
	int		 year;

	gmtime_r(&tt, &tm);
	year = tm.tm_year + TM_YEAR_BASE;
	if (year >= UTC_FIRST_YEAR && year <= UTC_LAST_YEAR) {
		snprintf(s, sizeof(s), "%02d%02d%02d%02d%02d%02dZ", year % 100,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		    tm.tm_sec);
		rg_der_tlv(out, TAG_UTCTIME, (const uint8_t *)s, strlen(s));
	} else
		rg_der_gtime(out, t);
}

/* X.690 section 11.6: SET OF elements in ascending order of encoding. */
static int
der_cmp(const void *va, const void *vb)
{
	const struct buf	*a = va, *b = vb;
	size_t			 n = a->len < b->len ? a->len : b->len;
	int			 c;

	if ((c = memcmp(a->p, b->p, n)) != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/*
 * The signed attributes as transmitted, tag [0] included, in form; the
 * content octets are what is signed under the SET tag (RFC 5652 5.4).
 */
static void
signed_attrs(const struct cms_args *a, const uint8_t *digest,
    struct buf *out)
{
	struct buf	 v[NATTRS], el[NATTRS], body = { 0 };
	int		 i;

	memset(v, 0, sizeof(v));
	memset(el, 0, sizeof(el));
	rg_der_oid(&v[0], a->econtent_oid);
	rg_der_tlv(&v[1], TAG_OCTET_STRING, digest, SHA256_LEN);
	signing_time(&v[2], a->signing_time);
	attr(&el[0], OID_ATTR_CONTENT_TYPE, &v[0]);
	attr(&el[1], OID_ATTR_DIGEST, &v[1]);
	attr(&el[2], OID_ATTR_SIGNING_TIME, &v[2]);
	qsort(el, NATTRS, sizeof(el[0]), der_cmp);
	for (i = 0; i < NATTRS && a->form != RG_CMS_ATTRS_EMPTY; i++) {
		/* Unsorted: the DER order reversed, still a valid BER SET. */
		const struct buf *e = a->form == RG_CMS_ATTRS_UNSORTED ?
		    &el[NATTRS - 1 - i] : &el[i];

		rg_buf_add(&body, e->p, e->len);
	}
	if (a->form == RG_CMS_ATTRS_INDEFINITE) {
		/* X.690 8.1.3.6: indefinite form, ended by two zero octets. */
		rg_buf_add(out, "\xa0\x80", 2);
		rg_buf_add(out, body.p, body.len);
		rg_buf_add(out, "\0\0", 2);
		rg_buf_free(&body);
	} else
		rg_der_wrap(out, TAG_CTX0_CONS, &body);
	for (i = 0; i < NATTRS; i++) {
		rg_buf_free(&v[i]);
		rg_buf_free(&el[i]);
	}
}

/* RSA PKCS #1 v1.5 with SHA-256 over the attributes under a SET tag. */
static int
sign_attrs(EVP_PKEY *key, const struct buf *attrs, struct buf *sig)
{
	EVP_MD_CTX	*ctx = NULL;
	uint8_t		*tbs = NULL;
	size_t		 len = 0;
	int		 rc = -1;

	if ((tbs = malloc(attrs->len)) == NULL)
		return -1;
	memcpy(tbs, attrs->p, attrs->len);
	tbs[0] = TAG_SET;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &len, tbs, attrs->len) != 1)
		goto out;
	sig->p = rg_xreallocarray(sig->p, len, 1);
	sig->cap = len;
	if (EVP_DigestSign(ctx, sig->p, &len, tbs, attrs->len) != 1)
		goto out;
	sig->len = len;
	rc = 0;
 out:
	EVP_MD_CTX_free(ctx);
	free(tbs);
	return rc;
}

/* AlgorithmIdentifier of SHA-256 (parameters absent, RFC 5754 2). */
static void
alg_sha256(struct buf *out)
{
	struct buf	 s = { 0 };

	rg_der_oid(&s, OID_SHA256);
	rg_der_wrap(out, TAG_SEQUENCE, &s);
}

/* SignerInfo: version, sid [0] SKI, digest, signed attrs, rsa, sig. */
static int
signer_info(const struct cms_args *a, const uint8_t *digest,
    struct buf *out)
{
	const ASN1_OCTET_STRING	*ski = X509_get0_subject_key_id(a->ee);
	struct buf		 si = { 0 }, attrs = { 0 }, sig = { 0 };
	struct buf		 alg = { 0 };

	if (ski == NULL)
		return -1;
	signed_attrs(a, digest, &attrs);
	if (sign_attrs(a->ee_key, &attrs, &sig) == -1) {
		rg_buf_free(&attrs);
		return -1;
	}
	rg_der_uint(&si, CMS_VERSION);
	rg_der_tlv(&si, TAG_CTX0_PRIM, ASN1_STRING_get0_data(ski),
	    (size_t)ASN1_STRING_length(ski));
	alg_sha256(&si);
	rg_buf_add(&si, attrs.p, attrs.len);
	/* RFC 7935 section 2: rsaEncryption, NULL parameters. */
	rg_der_oid(&alg, OID_RSA);
	rg_der_tlv(&alg, TAG_NULL, NULL, 0);
	rg_der_wrap(&si, TAG_SEQUENCE, &alg);
	rg_der_tlv(&si, TAG_OCTET_STRING, sig.p, sig.len);
	rg_der_wrap(out, TAG_SEQUENCE, &si);
	rg_buf_free(&attrs);
	rg_buf_free(&sig);
	return 0;
}

/* EncapsulatedContentInfo: eContentType and, unless left out, eContent. */
static void
encap(const struct cms_args *a, struct buf *out)
{
	struct buf	 seq = { 0 }, ex = { 0 };

	rg_der_oid(&seq, a->econtent_oid);
	if (a->form != RG_CMS_NO_ECONTENT) {
		rg_der_tlv(&ex, TAG_OCTET_STRING, a->econtent,
		    a->econtent_len);
		rg_der_wrap(&seq, TAG_CTX0_CONS, &ex);
	}
	rg_der_wrap(out, TAG_SEQUENCE, &seq);
}

/*
 * Sign a->econtent as a->econtent_oid with the EE certificate and key,
 * encoded as a->form asks; append the ContentInfo to out.  Returns 0 or
 * -1.
 */
int
rg_cms_sign(const struct cms_args *a, struct buf *out)
{
	struct buf	 sd = { 0 }, set = { 0 }, certs = { 0 }, si = { 0 };
	struct buf	 ci = { 0 }, ex = { 0 };
	uint8_t		 digest[SHA256_LEN];
	unsigned char	*cert = NULL;
	int		 len, rc = -1;

	/* RFC 5652 section 5.4: message-digest covers the eContent octets. */
	rg_sha256(a->econtent, a->econtent_len, digest);
	if ((len = i2d_X509(a->ee, &cert)) <= 0 ||
	    signer_info(a, digest, &si) == -1)
		goto out;
	rg_der_uint(&sd, CMS_VERSION);
	alg_sha256(&set);
	rg_der_wrap(&sd, TAG_SET, &set);
	encap(a, &sd);
	if (a->form != RG_CMS_NO_CERTS) {
		rg_buf_add(&certs, cert, (size_t)len);
		rg_der_wrap(&sd, TAG_CTX0_CONS, &certs);
	}
	rg_der_wrap(&sd, TAG_SET, &si);
	rg_der_oid(&ci, OID_SIGNED_DATA);
	rg_der_wrap(&ex, TAG_SEQUENCE, &sd);
	rg_der_wrap(&ci, TAG_CTX0_CONS, &ex);
	rg_der_wrap(out, TAG_SEQUENCE, &ci);
	rc = 0;
 out:
	if (rc == -1)
		fprintf(stderr, "reef-repogen: CMS signing failed\n");
	OPENSSL_free(cert);
	rg_buf_free(&sd);
	rg_buf_free(&set);
	rg_buf_free(&certs);
	rg_buf_free(&si);
	rg_buf_free(&ci);
	rg_buf_free(&ex);
	return rc;
}
