/*
 * RFC 6488 signed objects (CMS SignedData, RFC 5652) as profiled for the
 * RPKI, with RFC 9589 (signing-time) and RFC 7935 (algorithms).
 *
 * OpenSSL's CMS_ContentInfo hides the version fields and re-encodes the
 * signed attributes before checking them, so the structure is decoded
 * with our own templates instead: every field stays visible and the
 * signed attributes are kept exactly as transmitted, which lets us both
 * insist on their DER form and verify the signature over those octets.
 *
 * The ContentInfo/SignedData framing itself may be BER: RFC 6488 section
 * 2 asks for DER, but the RIPE NCC published indefinite-length wrappers
 * for years and rpki-client accepts them.  Everything covered by the
 * signature or read as payload (signedAttrs, eContent) must be DER.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/gtime.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/cms.h"

/* RFC 6488 sections 2.1.1 and 2.1.6.1: SignedData and SignerInfo version. */
#define CMS_SIGNED_DATA_VERSION	3
#define CMS_SIGNER_INFO_VERSION	3
/* DER tag octets of signedAttrs as sent ([0] IMPLICIT) and as signed (SET). */
#define CMS_TAG_SIGNED_ATTRS	0xa0
#define CMS_TAG_SET		0x31
/* RFC 6488 section 2.1.6.4: content-type, message-digest, signing-time, binary-signing-time. */
#define CMS_MAX_SIGNED_ATTRS	4

typedef struct {
	int type;
	union {
		ASN1_STRING		*ias;	/* issuerAndSerialNumber */
		ASN1_OCTET_STRING	*ski;	/* [0] subjectKeyIdentifier */
	} d;
} CmsSid;

typedef struct {
	ASN1_INTEGER		*version;
	CmsSid			*sid;
	X509_ALGOR		*digest_alg;
	ASN1_STRING		*signed_attrs;	/* whole TLV, as transmitted */
	X509_ALGOR		*sig_alg;
	ASN1_OCTET_STRING	*sig;
	ASN1_STRING		*unsigned_attrs;
} CmsSignerInfo;

typedef struct {
	ASN1_OBJECT		*type;
	ASN1_OCTET_STRING	*content;
} CmsEncap;

DEFINE_STACK_OF(CmsSignerInfo)

typedef struct {
	ASN1_INTEGER			*version;
	STACK_OF(X509_ALGOR)		*digest_algs;
	CmsEncap			*encap;
	STACK_OF(X509)			*certs;
	STACK_OF(ASN1_TYPE)		*crls;
	STACK_OF(CmsSignerInfo)		*signers;
} CmsSignedData;

typedef struct {
	ASN1_OBJECT	*type;
	CmsSignedData	*sd;
} CmsContentInfo;

ASN1_CHOICE(CmsSid) = {
	ASN1_SIMPLE(CmsSid, d.ias, ASN1_SEQUENCE),
	ASN1_IMP(CmsSid, d.ski, ASN1_OCTET_STRING, 0),
} static_ASN1_CHOICE_END(CmsSid)

/*
 * signedAttrs and unsignedAttrs are read as ASN1_SEQUENCE, which keeps
 * the raw encoding (tag included); they are decoded separately below.
 */
ASN1_SEQUENCE(CmsSignerInfo) = {
	ASN1_SIMPLE(CmsSignerInfo, version, ASN1_INTEGER),
	ASN1_SIMPLE(CmsSignerInfo, sid, CmsSid),
	ASN1_SIMPLE(CmsSignerInfo, digest_alg, X509_ALGOR),
	ASN1_IMP_OPT(CmsSignerInfo, signed_attrs, ASN1_SEQUENCE, 0),
	ASN1_SIMPLE(CmsSignerInfo, sig_alg, X509_ALGOR),
	ASN1_SIMPLE(CmsSignerInfo, sig, ASN1_OCTET_STRING),
	ASN1_IMP_OPT(CmsSignerInfo, unsigned_attrs, ASN1_SEQUENCE, 1),
} static_ASN1_SEQUENCE_END(CmsSignerInfo)

ASN1_SEQUENCE(CmsEncap) = {
	ASN1_SIMPLE(CmsEncap, type, ASN1_OBJECT),
	ASN1_EXP_OPT(CmsEncap, content, ASN1_OCTET_STRING, 0),
} static_ASN1_SEQUENCE_END(CmsEncap)

ASN1_SEQUENCE(CmsSignedData) = {
	ASN1_SIMPLE(CmsSignedData, version, ASN1_INTEGER),
	ASN1_SET_OF(CmsSignedData, digest_algs, X509_ALGOR),
	ASN1_SIMPLE(CmsSignedData, encap, CmsEncap),
	ASN1_IMP_SET_OF_OPT(CmsSignedData, certs, X509, 0),
	ASN1_IMP_SET_OF_OPT(CmsSignedData, crls, ASN1_ANY, 1),
	ASN1_SET_OF(CmsSignedData, signers, CmsSignerInfo),
} static_ASN1_SEQUENCE_END(CmsSignedData)

ASN1_SEQUENCE(CmsContentInfo) = {
	ASN1_SIMPLE(CmsContentInfo, type, ASN1_OBJECT),
	ASN1_EXP(CmsContentInfo, sd, CmsSignedData, 0),
} static_ASN1_SEQUENCE_END(CmsContentInfo)

/* SignedAttributes ::= SET SIZE (1..MAX) OF Attribute (RFC 5652 section 5.3). */
ASN1_ITEM_TEMPLATE(CmsAttrs) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SET_OF, 0, CmsAttrs, X509_ATTRIBUTE)
static_ASN1_ITEM_TEMPLATE_END(CmsAttrs)

/* What the signed attributes told us. */
struct cms_attrs {
	const ASN1_OBJECT	*content_type;
	const ASN1_OCTET_STRING	*digest;
	int			 has_signing_time;
	int64_t			 signing_time;
	int			 has_bst;
	int64_t			 bst;
};

void
cms_object_free(struct cms_object *obj)
{
	if (obj == NULL)
		return;
	free(obj->econtent);
	X509_free(obj->ee);
	free(obj);
}

/*
 * RFC 5754 section 2 / RFC 4055 section 5: the parameters of SHA-256 and
 * RSA algorithm identifiers are absent or NULL.
 */
static int
cms_alg_is(const X509_ALGOR *alg, enum oid_id id)
{
	const ASN1_OBJECT	*obj;
	const void		*pval;
	int			 ptype;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	if (!oid_is(obj, id))
		return 0;
	return ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL;
}

ASN1_VALUE *
cms_der_decode(const char *fn, const char *what, const ASN1_ITEM *it,
    const unsigned char *der, size_t len)
{
	ASN1_VALUE		*v = NULL;
	const unsigned char	*p = der;
	unsigned char		*out = NULL;
	int			 outlen;

	if (len == 0 || len > MAX_FILE_SIZE) {
		log_warnx_obj(fn, "%s: bad length %zu", what, len);
		return NULL;
	}
	if ((v = ASN1_item_d2i(NULL, &p, (long)len, it)) == NULL) {
		log_warnx_crypto(fn, "%s: malformed", what);
		return NULL;
	}
	if (p != der + len) {
		log_warnx_obj(fn, "%s: %td bytes of trailing data", what,
		    der + len - p);
		goto fail;
	}
	/* X.690 section 10: DER is the one encoding that round-trips. */
	if ((outlen = ASN1_item_i2d(v, &out, it)) <= 0) {
		log_warnx_crypto(fn, "%s: cannot re-encode", what);
		goto fail;
	}
	if ((size_t)outlen != len || memcmp(out, der, len) != 0) {
		log_warnx_obj(fn, "%s: not DER encoded (X.690 section 10)",
		    what);
		goto fail;
	}
	OPENSSL_free(out);
	return v;
 fail:
	OPENSSL_free(out);
	ASN1_item_free(v, it);
	return NULL;
}

int
cms_integer_u32(const ASN1_INTEGER *i, uint32_t *out)
{
	uint64_t	v;

	if (i == NULL || ASN1_INTEGER_get_uint64(&v, i) != 1) {
		ERR_clear_error();
		return -1;
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int
cms_check_version(const char *fn, const char *rfc, const ASN1_INTEGER *v,
    long def, long want)
{
	int64_t	val;

	if (v == NULL) {
		if (def == want)
			return 0;
		log_warnx_obj(fn, "%s: version missing, must be %ld", rfc,
		    want);
		return -1;
	}
	if (ASN1_INTEGER_get_int64(&val, v) != 1) {
		ERR_clear_error();
		log_warnx_obj(fn, "%s: malformed version", rfc);
		return -1;
	}
	if (val == def) {
		log_warnx_obj(fn, "%s: version %ld is the DEFAULT and must "
		    "not be encoded (X.690 section 11.5)", rfc, def);
		return -1;
	}
	if (val != want) {
		log_warnx_obj(fn, "%s: version %lld, must be %ld", rfc,
		    (long long)val, want);
		return -1;
	}
	return 0;
}

/* Take the one value of an attribute, which must have exactly one. */
static const ASN1_TYPE *
cms_attr_value(const char *fn, X509_ATTRIBUTE *attr, const char *name,
    const char *sect, int type)
{
	const ASN1_TYPE	*t;

	if (X509_ATTRIBUTE_count(attr) != 1) {
		log_warnx_obj(fn, "RFC 6488 section %s: %s attribute must "
		    "have exactly one value", sect, name);
		return NULL;
	}
	t = X509_ATTRIBUTE_get0_type(attr, 0);
	if (t == NULL || (type != -1 && t->type != type)) {
		log_warnx_obj(fn, "RFC 6488 section %s: %s attribute has "
		    "the wrong type", sect, name);
		return NULL;
	}
	return t;
}

static int
cms_attr_signing_time(const char *fn, X509_ATTRIBUTE *attr,
    struct cms_attrs *out)
{
	const ASN1_TYPE	*t;

	if ((t = cms_attr_value(fn, attr, "signing-time", "2.1.6.4.3",
	    -1)) == NULL)
		return -1;
	if ((t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME) ||
	    gtime_from_asn1(t->value.utctime, &out->signing_time) == -1) {
		log_warnx_obj(fn, "RFC 9589 section 3 / RFC 5652 section "
		    "11.3: malformed signing-time");
		return -1;
	}
	out->has_signing_time = 1;
	return 0;
}

static int
cms_attr_binary_signing_time(const char *fn, X509_ATTRIBUTE *attr,
    struct cms_attrs *out)
{
	const ASN1_TYPE	*t;

	if ((t = cms_attr_value(fn, attr, "binary-signing-time",
	    "2.1.6.4.4", V_ASN1_INTEGER)) == NULL)
		return -1;
	/* RFC 6019 section 2: BinaryTime ::= INTEGER (0..MAX) */
	if (ASN1_INTEGER_get_int64(&out->bst, t->value.integer) != 1 ||
	    out->bst < 0) {
		ERR_clear_error();
		log_warnx_obj(fn, "RFC 6019 section 2: malformed "
		    "binary-signing-time");
		return -1;
	}
	out->has_bst = 1;
	return 0;
}

/* Dispatch one signed attribute; each kind may appear once. */
static int
cms_attr_one(const char *fn, X509_ATTRIBUTE *attr, struct cms_attrs *out)
{
	const ASN1_OBJECT	*obj = X509_ATTRIBUTE_get0_object(attr);
	const ASN1_TYPE		*t;
	char			 buf[OID_STRLEN];

	if (oid_is(obj, OID_CONTENT_TYPE)) {
		if (out->content_type != NULL)
			goto dup;
		if ((t = cms_attr_value(fn, attr, "content-type", "2.1.6.4.1",
		    V_ASN1_OBJECT)) == NULL)
			return -1;
		out->content_type = t->value.object;
	} else if (oid_is(obj, OID_MESSAGE_DIGEST)) {
		if (out->digest != NULL)
			goto dup;
		if ((t = cms_attr_value(fn, attr, "message-digest",
		    "2.1.6.4.2", V_ASN1_OCTET_STRING)) == NULL)
			return -1;
		out->digest = t->value.octet_string;
	} else if (oid_is(obj, OID_SIGNING_TIME)) {
		if (out->has_signing_time)
			goto dup;
		return cms_attr_signing_time(fn, attr, out);
	} else if (oid_is(obj, OID_BINARY_SIGNING_TIME)) {
		if (out->has_bst)
			goto dup;
		return cms_attr_binary_signing_time(fn, attr, out);
	} else {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4: unexpected "
		    "signed attribute %s", oid_format(obj, buf, sizeof(buf)));
		return -1;
	}
	return 0;
 dup:
	log_warnx_obj(fn, "RFC 6488 section 2.1.6.4: duplicate signed "
	    "attribute %s", oid_format(obj, buf, sizeof(buf)));
	return -1;
}

/*
 * Decode the signed attributes from their DER form as signed (tag SET)
 * and check the set of attributes present.
 */
static int
cms_attrs_parse(const char *fn, const unsigned char *der, size_t len,
    struct cms_attrs *out)
{
	STACK_OF(X509_ATTRIBUTE)	*attrs;
	int				 i, n, rc = -1;

	attrs = (STACK_OF(X509_ATTRIBUTE) *)cms_der_decode(fn,
	    "RFC 6488 section 2.1.6.4: signedAttrs", ASN1_ITEM_rptr(CmsAttrs),
	    der, len);
	if (attrs == NULL)
		return -1;
	n = sk_X509_ATTRIBUTE_num(attrs);
	if (n < 1 || n > CMS_MAX_SIGNED_ATTRS) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4: %d signed "
		    "attributes", n);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (cms_attr_one(fn, sk_X509_ATTRIBUTE_value(attrs, i),
		    out) == -1)
			goto out;
	if (out->content_type == NULL || out->digest == NULL) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4: content-type "
		    "and message-digest attributes are required");
		goto out;
	}
	rc = 0;
 out:
	/* content_type and digest point into attrs: copy before freeing */
	if (rc == 0) {
		out->content_type = OBJ_dup(out->content_type);
		out->digest = ASN1_OCTET_STRING_dup(out->digest);
		if (out->content_type == NULL || out->digest == NULL)
			rc = -1;
	} else {
		out->content_type = NULL;
		out->digest = NULL;
	}
	sk_X509_ATTRIBUTE_pop_free(attrs, X509_ATTRIBUTE_free);
	return rc;
}

static void
cms_attrs_clear(struct cms_attrs *a)
{
	ASN1_OBJECT_free((ASN1_OBJECT *)a->content_type);
	ASN1_OCTET_STRING_free((ASN1_OCTET_STRING *)a->digest);
	memset(a, 0, sizeof(*a));
}

/* RFC 6488 sections 2.1.1 to 2.1.5: the SignedData fields. */
static int
cms_check_signed_data(const char *fn, const CmsSignedData *sd,
    enum oid_id econtent_type)
{
	char	buf[OID_STRLEN];
	long	v;

	v = ASN1_INTEGER_get(sd->version);
	if (v != CMS_SIGNED_DATA_VERSION) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.1: SignedData "
		    "version %ld, must be 3", v);
		return -1;
	}
	if (sk_X509_ALGOR_num(sd->digest_algs) != 1 ||
	    !cms_alg_is(sk_X509_ALGOR_value(sd->digest_algs, 0), OID_SHA256)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.2: digestAlgorithms "
		    "must be exactly SHA-256");
		return -1;
	}
	if (!oid_is(sd->encap->type, econtent_type)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.3.1: eContentType %s, "
		    "want %s", oid_format(sd->encap->type, buf, sizeof(buf)),
		    oid_text(econtent_type));
		return -1;
	}
	if (sd->encap->content == NULL) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.3.2: eContent absent");
		return -1;
	}
	if (sk_X509_num(sd->certs) != 1) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.4: %d certificates, "
		    "must be exactly one", sk_X509_num(sd->certs));
		return -1;
	}
	if (sd->crls != NULL) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.5: crls must be "
		    "omitted");
		return -1;
	}
	if (sk_CmsSignerInfo_num(sd->signers) != 1) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6: %d SignerInfos, "
		    "must be exactly one", sk_CmsSignerInfo_num(sd->signers));
		return -1;
	}
	return 0;
}

/* RFC 6488 sections 2.1.6.1 to 2.1.6.7 except the signed attributes. */
static int
cms_check_signer(const char *fn, const CmsSignerInfo *si, X509 *ee)
{
	const ASN1_OCTET_STRING	*ski;
	long			 v;

	v = ASN1_INTEGER_get(si->version);
	if (v != CMS_SIGNER_INFO_VERSION) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.1: SignerInfo "
		    "version %ld, must be 3", v);
		return -1;
	}
	if (si->sid->type != 1) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.2: sid must be a "
		    "subjectKeyIdentifier");
		return -1;
	}
	ski = X509_get0_subject_key_id(ee);
	if (ski == NULL || ASN1_OCTET_STRING_cmp(ski, si->sid->d.ski) != 0) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.2: sid does not "
		    "match the EE certificate's subjectKeyIdentifier");
		return -1;
	}
	if (!cms_alg_is(si->digest_alg, OID_SHA256)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.3: digestAlgorithm "
		    "must be SHA-256");
		return -1;
	}
	if (si->signed_attrs == NULL) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4: signedAttrs "
		    "absent");
		return -1;
	}
	/* RFC 7935 section 2 allows both identifiers for RSA PKCS #1 v1.5. */
	if (!cms_alg_is(si->sig_alg, OID_RSA) &&
	    !cms_alg_is(si->sig_alg, OID_SHA256_RSA)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.5 / RFC 7935 "
		    "section 2: signatureAlgorithm must be rsaEncryption or "
		    "sha256WithRSAEncryption");
		return -1;
	}
	if (si->unsigned_attrs != NULL) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.7: unsignedAttrs "
		    "must be omitted");
		return -1;
	}
	return 0;
}

/* RFC 6488 section 3 item 2 / RFC 5652 section 5.6: the signature. */
static int
cms_verify(const char *fn, X509 *ee, const unsigned char *tbs, size_t tbslen,
    const ASN1_OCTET_STRING *sig)
{
	EVP_PKEY	*pkey;
	EVP_MD_CTX	*ctx = NULL;
	int		 rc = -1;

	if ((pkey = X509_get0_pubkey(ee)) == NULL ||
	    EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
		log_warnx_crypto(fn, "RFC 7935 section 3: EE key is not RSA");
		return -1;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) != 1) {
		log_warnx_crypto(fn, "cannot set up signature check");
		goto out;
	}
	if (EVP_DigestVerify(ctx, ASN1_STRING_get0_data(sig),
	    ASN1_STRING_length(sig), tbs, tbslen) != 1) {
		log_warnx_crypto(fn, "RFC 6488 section 3: signature does not "
		    "verify with the EE certificate's key");
		goto out;
	}
	rc = 0;
 out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/*
 * The signed attributes: DER, the required set, content-type matching
 * eContentType, message-digest matching the eContent, then the signature
 * over them.
 */
static int
cms_check_signed_attrs(const char *fn, const CmsSignedData *sd,
    const CmsSignerInfo *si, X509 *ee, struct cms_attrs *attrs)
{
	unsigned char	*tbs = NULL;
	unsigned char	 md[HASH_SHA256_LEN];
	size_t		 tbslen;
	int		 rc = -1;
	const ASN1_OCTET_STRING *ec = sd->encap->content;

	tbslen = (size_t)ASN1_STRING_length(si->signed_attrs);
	if (tbslen < 2 ||
	    ASN1_STRING_get0_data(si->signed_attrs)[0] !=
	    CMS_TAG_SIGNED_ATTRS) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4: malformed "
		    "signedAttrs");
		return -1;
	}
	if ((tbs = malloc(tbslen)) == NULL) {
		log_warn_obj(fn, "malloc");
		return -1;
	}
	/* RFC 5652 section 5.4: the signature covers the EXPLICIT SET OF tag. */
	memcpy(tbs, ASN1_STRING_get0_data(si->signed_attrs), tbslen);
	tbs[0] = CMS_TAG_SET;
	if (cms_attrs_parse(fn, tbs, tbslen, attrs) == -1)
		goto out;
	if (OBJ_cmp(attrs->content_type, sd->encap->type) != 0) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4.1: content-type "
		    "attribute differs from eContentType");
		goto out;
	}
	if (hash_sha256(ASN1_STRING_get0_data(ec), ASN1_STRING_length(ec),
	    md) == -1) {
		log_warnx_crypto(fn, "SHA-256 failed");
		goto out;
	}
	if (ASN1_STRING_length(attrs->digest) != HASH_SHA256_LEN ||
	    !hash_equal(md, ASN1_STRING_get0_data(attrs->digest),
	    HASH_SHA256_LEN)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4.2: message-digest "
		    "does not match the eContent");
		goto out;
	}
	rc = cms_verify(fn, ee, tbs, tbslen, si->sig);
 out:
	free(tbs);
	return rc;
}

/* Copy the results into a new cms_object. */
static struct cms_object *
cms_object_new(const char *fn, const CmsSignedData *sd, X509 *ee,
    const struct cms_attrs *attrs)
{
	struct cms_object	*obj;
	const ASN1_OCTET_STRING	*ec = sd->encap->content;

	if ((obj = calloc(1, sizeof(*obj))) == NULL)
		goto fail;
	obj->econtent_len = (size_t)ASN1_STRING_length(ec);
	/* +1 so that an empty eContent still gets a distinct allocation */
	if ((obj->econtent = malloc(obj->econtent_len + 1)) == NULL)
		goto fail;
	memcpy(obj->econtent, ASN1_STRING_get0_data(ec), obj->econtent_len);
	if (X509_up_ref(ee) != 1)
		goto fail;
	obj->ee = ee;
	obj->has_signing_time = attrs->has_signing_time;
	obj->signing_time = attrs->signing_time;
	obj->has_binary_signing_time = attrs->has_bst;
	obj->binary_signing_time = attrs->bst;
	return obj;
 fail:
	log_warn_obj(fn, "out of memory");
	cms_object_free(obj);
	return NULL;
}

struct cms_object *
cms_parse(const char *fn, const unsigned char *der, size_t len,
    enum oid_id econtent_type)
{
	CmsContentInfo		*ci = NULL;
	const CmsSignerInfo	*si;
	X509			*ee;
	struct cms_object	*obj = NULL;
	struct cms_attrs	 attrs;
	const unsigned char	*p = der;
	char			 buf[OID_STRLEN];

	memset(&attrs, 0, sizeof(attrs));
	if (len < MIN_FILE_SIZE || len > MAX_FILE_SIZE) {
		log_warnx_obj(fn, "RFC 6488 section 3: implausible size %zu",
		    len);
		return NULL;
	}
	ci = (CmsContentInfo *)ASN1_item_d2i(NULL, &p, (long)len,
	    ASN1_ITEM_rptr(CmsContentInfo));
	if (ci == NULL) {
		log_warnx_crypto(fn, "RFC 6488 section 2: not a CMS "
		    "SignedData object");
		goto out;
	}
	if (p != der + len) {
		log_warnx_obj(fn, "RFC 6488 section 3: %td bytes of trailing "
		    "data", der + len - p);
		goto out;
	}
	if (!oid_is(ci->type, OID_SIGNED_DATA)) {
		log_warnx_obj(fn, "RFC 6488 section 2: contentType %s is not "
		    "id-signedData", oid_format(ci->type, buf, sizeof(buf)));
		goto out;
	}
	if (cms_check_signed_data(fn, ci->sd, econtent_type) == -1)
		goto out;
	ee = sk_X509_value(ci->sd->certs, 0);
	si = sk_CmsSignerInfo_value(ci->sd->signers, 0);
	if (cms_check_signer(fn, si, ee) == -1)
		goto out;
	if (cms_check_signed_attrs(fn, ci->sd, si, ee, &attrs) == -1)
		goto out;
	obj = cms_object_new(fn, ci->sd, ee, &attrs);
 out:
	cms_attrs_clear(&attrs);
	ASN1_item_free((ASN1_VALUE *)ci, ASN1_ITEM_rptr(CmsContentInfo));
	return obj;
}
