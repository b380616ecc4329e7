/*
 * RFC 6488 signed objects (CMS SignedData, RFC 5652) as profiled for the
 * RPKI, with RFC 9589 (signing-time) and RFC 7935 (algorithms).
 *
 * The CMS structure is read with our own DER reader (validator/der.h),
 * not OpenSSL's templates, which hide the version fields, allocate for
 * every field and accept BER wherever they meet it.  The EE certificate
 * is not decoded by OpenSSL either: its DER is kept in the cms_object
 * for cert_parse_ee(), and what this file needs from it, its
 * subjectKeyIdentifier and its key, is read from its bytes
 * (validator/certder.h).  The signature over the signed attributes, exactly as
 * transmitted, is checked with the EE key's modulus and exponent, no
 * OpenSSL key made for it (validator/pubkey.h says why).
 *
 * Parsing has two steps.  cms_decode() takes the structure apart into
 * slices of the input (struct cms_sd), rejecting anything that is not
 * the RFC 5652 syntax ("RFC 6488 section 2: not a CMS SignedData
 * object: ...").  The checks of RFC 6488 then run over those slices in
 * the order of its sections.
 *
 * The ContentInfo/SignedData framing itself may be BER in two ways real
 * objects use: RFC 6488 section 2 asks for DER, but the RIPE NCC
 * published indefinite-length wrappers with a constructed eContent OCTET
 * STRING for years and rpki-client accepts them (the tree walk rejects
 * them: validate.h, valid_der_framing()).  Everything else must be DER:
 * the SignerInfo, the certificate (cert_parse_ee() checks all of it,
 * cms_decode_ee() its framing first) and above all the signed
 * attributes, which
 * are covered by the signature.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/certder.h"
#include "validator/cms.h"
#include "validator/der.h"
#include "validator/pubkey.h"

/* RFC 6488 sections 2.1.1 and 2.1.6.1: SignedData and SignerInfo version. */
#define CMS_SIGNED_DATA_VERSION	3
#define CMS_SIGNER_INFO_VERSION	3
/* RFC 5652 section 5.3: signedAttrs [0], unsignedAttrs [1], IMPLICIT. */
#define CMS_TAG_SIGNED_ATTRS	DER_CONTEXT_CONS(0)
#define CMS_TAG_UNSIGNED_ATTRS	DER_CONTEXT_CONS(1)
/* RFC 5652 sections 5.1 and 5.2: certificates, crls and eContent. */
#define CMS_TAG_CERTS		DER_CONTEXT_CONS(0)
#define CMS_TAG_CRLS		DER_CONTEXT_CONS(1)
#define CMS_TAG_ECONTENT	DER_CONTEXT_CONS(0)
/* RFC 5652 section 3: content [0] EXPLICIT of the ContentInfo. */
#define CMS_TAG_CONTENT		DER_CONTEXT_CONS(0)
/* RFC 5652 section 5.3: sid subjectKeyIdentifier [0] IMPLICIT OCTET STRING. */
#define CMS_TAG_SID_SKI		DER_CONTEXT(0)
/*
 * RFC 6488 section 2.1.6.4: content-type, message-digest, signing-time and
 * binary-signing-time.
 */
#define CMS_MAX_SIGNED_ATTRS	4
/* RFC 5280 section 4.2.1.2: id-ce-subjectKeyIdentifier. */
#define CMS_OID_SKI		"2.5.29.14"

/* An AlgorithmIdentifier (RFC 5280 section 4.1.1.2). */
struct cms_alg {
	struct der_tlv	oid;
	struct der_tlv	params;
	int		has_params;
};

/* The SignerInfo fields (RFC 5652 section 5.3), as slices of the input. */
struct cms_signer {
	struct der_tlv	version;
	struct der_tlv	sid;		/* SEQUENCE or [0] */
	struct cms_alg	digest_alg;
	struct der_tlv	signed_attrs;	/* [0] TLV as transmitted */
	int		has_signed_attrs;
	struct cms_alg	sig_alg;
	struct der_tlv	sig;
	int		has_unsigned_attrs;
};

/* The ContentInfo and SignedData fields (RFC 5652 sections 3 and 5.1). */
struct cms_sd {
	struct der_tlv		content_type;
	size_t			trailing;	/* bytes after it */
	struct der_tlv		version;
	size_t			ndigest_algs;
	struct cms_alg		digest_alg;	/* the first one */
	struct der_tlv		econtent_type;
	struct der_tlv		econtent;	/* maybe constructed */
	int			has_econtent;
	size_t			ncerts;
	struct der_tlv		cert;		/* the first one */
	int			has_crls;
	size_t			nsigners;
	struct cms_signer	si;		/* the first one */
};

/* What the signed attributes told us. */
struct cms_attrs {
	struct der_tlv		content_type;	/* the OID */
	int			has_content_type;
	struct der_tlv		digest;		/* OCTET STRING */
	int			has_digest;
	int			has_signing_time;
	int64_t			signing_time;
	int			has_bst;
	int64_t			bst;
};

void
cms_object_free(struct cms_object *obj)
{
	if (obj == NULL)
		return;
	free(obj->econtent);
	free(obj->ee_der);
	free(obj);
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
cms_econtent_not_der(const char *fn, const char *what, enum der_err err)
{
	log_warnx_obj(fn, "%s: not DER encoded (X.690 section 10): %s", what,
	    der_strerror(err));
	return -1;
}

int
cms_econtent_version(const char *fn, const char *rfc, const char *what,
    const struct der_tlv *t)
{
	struct der_tlv	v;
	struct der	in;
	enum der_err	e;
	int64_t		val;

	der_enter(&in, t);
	if ((e = der_expect(&in, DER_INTEGER, &v)) != DER_OK ||
	    (e = der_end(&in)) != DER_OK ||
	    ((e = der_int64(&v, &val)) != DER_OK && e != DER_E_RANGE))
		return cms_econtent_not_der(fn, what, e);
	if (e == DER_OK && val == 0)
		log_warnx_obj(fn, "%s: version 0 is the DEFAULT and must not "
		    "be encoded (X.690 section 11.5)", rfc);
	else if (e == DER_OK)
		log_warnx_obj(fn, "%s: version %lld, must be 0", rfc,
		    (long long)val);
	else
		log_warnx_obj(fn, "%s: version out of range, must be 0", rfc);
	return -1;
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

/* Record where decoding failed; returns e. */
static enum der_err
cms_err(const char **where, const char *what, enum der_err e)
{
	*where = what;
	return e;
}

/* An AlgorithmIdentifier: SEQUENCE { OID, parameters ANY OPTIONAL }. */
static enum der_err
cms_decode_alg(struct der *d, struct cms_alg *a, const char **where)
{
	const char		*what = "AlgorithmIdentifier (RFC 5280 "
				    "section 4.1.1.2)";
	struct der		 in;
	struct der_tlv		 t;
	enum der_err		 e;

	if ((e = der_expect(d, DER_SEQUENCE, &t)) != DER_OK)
		return cms_err(where, what, e);
	der_enter(&in, &t);
	if ((e = der_expect(&in, DER_OID, &a->oid)) != DER_OK ||
	    (e = der_oid(&a->oid)) != DER_OK)
		return cms_err(where, what, e);
	a->has_params = !der_at_end(&in);
	if (a->has_params && (e = der_next(&in, &a->params)) != DER_OK)
		return cms_err(where, what, e);
	if ((e = der_end(&in)) != DER_OK)
		return cms_err(where, what, e);
	return DER_OK;
}

/*
 * An INTEGER field: DER, of any size (the value is judged later, so that
 * a wrong version is reported as such).
 */
static enum der_err
cms_decode_int(struct der *d, struct der_tlv *t)
{
	int64_t		v;
	enum der_err	e;

	if ((e = der_expect(d, DER_INTEGER, t)) != DER_OK)
		return e;
	e = der_int64(t, &v);
	return e == DER_E_RANGE ? DER_OK : e;
}

/* The SignerInfo fields after the sid (RFC 5652 section 5.3). */
static enum der_err
cms_decode_signer_rest(struct der *in, struct cms_signer *si,
    const char **where)
{
	const char		*what = "SignerInfo (RFC 5652 section 5.3)";
	struct der_tlv		 t;
	enum der_err		 e;

	if ((e = cms_decode_alg(in, &si->digest_alg, where)) != DER_OK)
		return e;
	si->has_signed_attrs = der_peek(in) == CMS_TAG_SIGNED_ATTRS;
	if (si->has_signed_attrs &&
	    (e = der_next(in, &si->signed_attrs)) != DER_OK)
		return cms_err(where, what, e);
	if ((e = cms_decode_alg(in, &si->sig_alg, where)) != DER_OK)
		return e;
	if ((e = der_expect(in, DER_OCTET_STRING, &si->sig)) != DER_OK)
		return cms_err(where, what, e);
	si->has_unsigned_attrs = der_peek(in) == CMS_TAG_UNSIGNED_ATTRS;
	if (si->has_unsigned_attrs && (e = der_next(in, &t)) != DER_OK)
		return cms_err(where, what, e);
	if ((e = der_end(in)) != DER_OK)
		return cms_err(where, what, e);
	return DER_OK;
}

/* One SignerInfo (RFC 5652 section 5.3); DER throughout. */
static enum der_err
cms_decode_signer(struct der *d, struct cms_signer *si, const char **where)
{
	const char		*what = "SignerInfo (RFC 5652 section 5.3)";
	struct der		 in;
	struct der_tlv		 t;
	enum der_err		 e;

	if ((e = der_expect(d, DER_SEQUENCE, &t)) != DER_OK)
		return cms_err(where, what, e);
	der_enter(&in, &t);
	if ((e = cms_decode_int(&in, &si->version)) != DER_OK ||
	    (e = der_next(&in, &si->sid)) != DER_OK)
		return cms_err(where, what, e);
	/* SignerIdentifier: issuerAndSerialNumber or [0] SKI. */
	if (si->sid.tag != DER_SEQUENCE && si->sid.tag != CMS_TAG_SID_SKI)
		return cms_err(where, "SignerIdentifier (RFC 5652 section "
		    "5.3)", DER_E_TAG);
	return cms_decode_signer_rest(&in, si, where);
}

/* signerInfos: SET OF SignerInfo, keeping the first. */
static enum der_err
cms_decode_signers(struct der *d, struct cms_sd *sd, const char **where)
{
	const char		*what = "signerInfos (RFC 5652 section 5.1)";
	struct cms_signer	 si;
	struct der		 in;
	struct der_tlv		 t;
	enum der_err		 e;

	if ((e = der_next_ber(d, &t)) != DER_OK)
		return cms_err(where, what, e);
	if (t.tag != DER_SET)
		return cms_err(where, what, DER_E_TAG);
	der_enter(&in, &t);
	while (!der_at_end(&in)) {
		if ((e = cms_decode_signer(&in, &si, where)) != DER_OK)
			return e;
		if (sd->nsigners++ == 0)
			sd->si = si;
	}
	return DER_OK;
}

/* digestAlgorithms: SET OF AlgorithmIdentifier, keeping the first. */
static enum der_err
cms_decode_digest_algs(struct der *d, struct cms_sd *sd, const char **where)
{
	const char		*what = "digestAlgorithms (RFC 5652 section "
				    "5.1)";
	struct cms_alg		 a;
	struct der		 in;
	struct der_tlv		 t;
	enum der_err		 e;

	if ((e = der_next_ber(d, &t)) != DER_OK)
		return cms_err(where, what, e);
	if (t.tag != DER_SET)
		return cms_err(where, what, DER_E_TAG);
	der_enter(&in, &t);
	while (!der_at_end(&in)) {
		if ((e = cms_decode_alg(&in, &a, where)) != DER_OK)
			return e;
		if (sd->ndigest_algs++ == 0)
			sd->digest_alg = a;
	}
	return DER_OK;
}

/*
 * EncapsulatedContentInfo (RFC 5652 section 5.2): eContentType and
 * eContent [0] EXPLICIT OCTET STRING OPTIONAL.
 */
static enum der_err
cms_decode_encap(struct der *d, struct cms_sd *sd, const char **where)
{
	const char		*what = "EncapsulatedContentInfo (RFC 5652 "
				    "section 5.2)";
	struct der		 in, ec;
	struct der_tlv		 t;
	size_t			 len;
	enum der_err		 e;

	if ((e = der_next_ber(d, &t)) != DER_OK)
		return cms_err(where, what, e);
	if (t.tag != DER_SEQUENCE)
		return cms_err(where, what, DER_E_TAG);
	der_enter(&in, &t);
	if ((e = der_expect(&in, DER_OID, &sd->econtent_type)) != DER_OK ||
	    (e = der_oid(&sd->econtent_type)) != DER_OK)
		return cms_err(where, what, e);
	if (der_at_end(&in))
		return DER_OK;
	if ((e = der_next_ber(&in, &t)) != DER_OK)
		return cms_err(where, what, e);
	if (t.tag != CMS_TAG_ECONTENT)
		return cms_err(where, what, DER_E_TAG);
	der_enter(&ec, &t);
	if ((e = der_next_ber(&ec, &sd->econtent)) != DER_OK ||
	    (e = der_octets_ber(&sd->econtent, NULL, &len)) != DER_OK ||
	    (e = der_end(&ec)) != DER_OK || (e = der_end(&in)) != DER_OK)
		return cms_err(where, what, e);
	sd->has_econtent = 1;
	return DER_OK;
}

/* certificates [0] IMPLICIT SET OF, each a Certificate SEQUENCE. */
static enum der_err
cms_decode_certs(struct der *d, struct cms_sd *sd, const char **where)
{
	const char		*what = "certificates (RFC 5652 section "
				    "10.2.2)";
	struct der		 in;
	struct der_tlv		 t;
	enum der_err		 e;

	if ((e = der_next_ber(d, &t)) != DER_OK)
		return cms_err(where, what, e);
	der_enter(&in, &t);
	while (!der_at_end(&in)) {
		if ((e = der_expect(&in, DER_SEQUENCE, &t)) != DER_OK)
			return cms_err(where, what, e);
		if (sd->ncerts++ == 0)
			sd->cert = t;
	}
	return DER_OK;
}

/* SignedData (RFC 5652 section 5.1). */
static enum der_err
cms_decode_signed_data(struct der *d, struct cms_sd *sd, const char **where)
{
	const char		*what = "SignedData (RFC 5652 section 5.1)";
	struct der		 in;
	struct der_tlv		 t;
	enum der_err		 e;

	if ((e = der_next_ber(d, &t)) != DER_OK)
		return cms_err(where, what, e);
	if (t.tag != DER_SEQUENCE)
		return cms_err(where, what, DER_E_TAG);
	der_enter(&in, &t);
	if ((e = cms_decode_int(&in, &sd->version)) != DER_OK)
		return cms_err(where, what, e);
	if ((e = cms_decode_digest_algs(&in, sd, where)) != DER_OK ||
	    (e = cms_decode_encap(&in, sd, where)) != DER_OK)
		return e;
	if (der_peek(&in) == CMS_TAG_CERTS &&
	    (e = cms_decode_certs(&in, sd, where)) != DER_OK)
		return e;
	if (der_peek(&in) == CMS_TAG_CRLS) {
		sd->has_crls = 1;
		if ((e = der_next_ber(&in, &t)) != DER_OK)
			return cms_err(where, what, e);
	}
	if ((e = cms_decode_signers(&in, sd, where)) != DER_OK)
		return e;
	if ((e = der_end(&in)) != DER_OK)
		return cms_err(where, what, e);
	return DER_OK;
}

/* ContentInfo (RFC 5652 section 3) around the SignedData. */
static enum der_err
cms_decode(const unsigned char *der, size_t len, struct cms_sd *sd,
    const char **where)
{
	const char		*what = "ContentInfo (RFC 5652 section 3)";
	struct der		 d, in, content;
	struct der_tlv		 t;
	enum der_err		 e;

	memset(sd, 0, sizeof(*sd));
	der_init(&d, der, len);
	if ((e = der_next_ber(&d, &t)) != DER_OK)
		return cms_err(where, what, e);
	if (t.tag != DER_SEQUENCE)
		return cms_err(where, what, DER_E_TAG);
	sd->trailing = (size_t)(d.end - d.p);
	der_enter(&in, &t);
	if ((e = der_expect(&in, DER_OID, &sd->content_type)) != DER_OK ||
	    (e = der_oid(&sd->content_type)) != DER_OK ||
	    (e = der_next_ber(&in, &t)) != DER_OK)
		return cms_err(where, what, e);
	if (t.tag != CMS_TAG_CONTENT)
		return cms_err(where, what, DER_E_TAG);
	if ((e = der_end(&in)) != DER_OK)
		return cms_err(where, what, e);
	der_enter(&content, &t);
	if ((e = cms_decode_signed_data(&content, sd, where)) != DER_OK)
		return e;
	if ((e = der_end(&content)) != DER_OK)
		return cms_err(where, what, e);
	return DER_OK;
}

/*
 * RFC 5754 section 2 / RFC 4055 section 5: the parameters of SHA-256 and
 * RSA algorithm identifiers are absent or NULL.
 */
static int
cms_alg_is(const struct cms_alg *a, enum oid_id id)
{
	if (!der_oid_is(&a->oid, oid_text(id)))
		return 0;
	return !a->has_params || der_null(&a->params) == DER_OK;
}

/* An INTEGER version field; "out of range" prints as such. */
static const char *
cms_version_text(const struct der_tlv *t, char *buf, size_t size)
{
	int64_t	v;

	if (der_int64(t, &v) != DER_OK)
		snprintf(buf, size, "out of range");
	else
		snprintf(buf, size, "%lld", (long long)v);
	return buf;
}

static int
cms_version_is(const struct der_tlv *t, int64_t want)
{
	int64_t	v;

	return der_int64(t, &v) == DER_OK && v == want;
}

/* Two OBJECT IDENTIFIER TLVs are the same identifier. */
static int
cms_oid_eq(const struct der_tlv *a, const struct der_tlv *b)
{
	return a->len == b->len && memcmp(a->val, b->val, a->len) == 0;
}

/* RFC 6488 sections 2.1.1 to 2.1.6: the SignedData fields. */
static int
cms_check_signed_data(const char *fn, const struct cms_sd *sd,
    enum oid_id econtent_type)
{
	char	buf[OID_STRLEN];

	if (!cms_version_is(&sd->version, CMS_SIGNED_DATA_VERSION)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.1: SignedData "
		    "version %s, must be 3", cms_version_text(&sd->version,
		    buf, sizeof(buf)));
		return -1;
	}
	if (sd->ndigest_algs != 1 ||
	    !cms_alg_is(&sd->digest_alg, OID_SHA256)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.2: digestAlgorithms "
		    "must be exactly SHA-256");
		return -1;
	}
	if (!der_oid_is(&sd->econtent_type, oid_text(econtent_type))) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.3.1: eContentType %s, "
		    "want %s", der_oid_format(&sd->econtent_type, buf,
		    sizeof(buf)), oid_text(econtent_type));
		return -1;
	}
	if (!sd->has_econtent) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.3.2: eContent absent");
		return -1;
	}
	if (sd->ncerts != 1) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.4: %zu certificates, "
		    "must be exactly one", sd->ncerts);
		return -1;
	}
	if (sd->has_crls) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.5: crls must be "
		    "omitted");
		return -1;
	}
	if (sd->nsigners != 1) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6: %zu SignerInfos, "
		    "must be exactly one", sd->nsigners);
		return -1;
	}
	return 0;
}

/*
 * The one certificate (RFC 6488 section 2.1.4): its parts as slices of
 * cert, and a copy of its DER into obj for cert_parse_ee(), which judges
 * the rest (RFC 6488 section 3 wants it DER throughout).  Returns 0, or
 * -1 after logging why.
 */
static int
cms_decode_ee(const char *fn, const struct der_tlv *cert,
    struct certder *parts, struct cms_object *obj)
{
	const char		*msg;
	enum der_err		 e;

	if ((msg = certder_split(cert->hdr, cert->tlv_len, parts)) == NULL &&
	    (e = der_walk(&parts->sigalg)) != DER_OK)
		msg = der_strerror(e);
	if (msg != NULL) {
		log_warnx_obj(fn, "X.690 section 10: EE certificate is not "
		    "DER encoded: %s", msg);
		return -1;
	}
	if ((obj->ee_der = malloc(cert->tlv_len)) == NULL) {
		log_warn_obj(fn, "malloc");
		return -1;
	}
	memcpy(obj->ee_der, cert->hdr, cert->tlv_len);
	obj->ee_der_len = cert->tlv_len;
	return 0;
}

/*
 * Returns 1 if the sid (a [0] subjectKeyIdentifier, RFC 5652 section
 * 5.3) is the keyIdentifier of the subjectKeyIdentifier extension of the
 * EE certificate, else 0.  A certificate without one, or with one that
 * is not an OCTET STRING, matches nothing; one with two is refused by
 * cert_parse_ee() (RFC 5280 section 4.2).
 */
static int
cms_sid_is_ski(const struct der_tlv *sid, const struct certder *ee)
{
	struct der_tlv	ext, ski;
	struct der	in;

	if (certder_ext(ee, CMS_OID_SKI, &ext) != 1)
		return 0;
	der_enter(&in, &ext);
	if (der_expect(&in, DER_OCTET_STRING, &ski) != DER_OK ||
	    der_end(&in) != DER_OK)
		return 0;
	return ski.len == sid->len && memcmp(ski.val, sid->val,
	    sid->len) == 0;
}

/* RFC 6488 sections 2.1.6.1 to 2.1.6.7 except the signed attributes. */
static int
cms_check_signer(const char *fn, const struct cms_signer *si,
    const struct certder *ee)
{
	char			 buf[32];

	if (!cms_version_is(&si->version, CMS_SIGNER_INFO_VERSION)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.1: SignerInfo "
		    "version %s, must be 3", cms_version_text(&si->version,
		    buf, sizeof(buf)));
		return -1;
	}
	if (si->sid.tag != CMS_TAG_SID_SKI) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.2: sid must be a "
		    "subjectKeyIdentifier");
		return -1;
	}
	if (!cms_sid_is_ski(&si->sid, ee)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.2: sid does not "
		    "match the EE certificate's subjectKeyIdentifier");
		return -1;
	}
	if (!cms_alg_is(&si->digest_alg, OID_SHA256)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.3: digestAlgorithm "
		    "must be SHA-256");
		return -1;
	}
	if (!si->has_signed_attrs) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4: signedAttrs "
		    "absent");
		return -1;
	}
	/* RFC 7935 section 2 allows both identifiers for RSA PKCS #1 v1.5. */
	if (!cms_alg_is(&si->sig_alg, OID_RSA) &&
	    !cms_alg_is(&si->sig_alg, OID_SHA256_RSA)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.5 / RFC 7935 "
		    "section 2: signatureAlgorithm must be rsaEncryption or "
		    "sha256WithRSAEncryption");
		return -1;
	}
	if (si->has_unsigned_attrs) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.7: unsignedAttrs "
		    "must be omitted");
		return -1;
	}
	return 0;
}

/*
 * The one value of an attribute (its attrValues SET in values), which
 * must have the identifier octet tag.  Returns 0 or -1 after logging.
 */
static int
cms_attr_value(const char *fn, const struct der_tlv *values,
    const char *name, const char *sect, unsigned char tag,
    struct der_tlv *out)
{
	struct der	in;

	der_enter(&in, values);
	if (der_next(&in, out) != DER_OK || !der_at_end(&in)) {
		log_warnx_obj(fn, "RFC 6488 section %s: %s attribute must "
		    "have exactly one value", sect, name);
		return -1;
	}
	if (out->tag != tag) {
		log_warnx_obj(fn, "RFC 6488 section %s: %s attribute has "
		    "the wrong type", sect, name);
		return -1;
	}
	return 0;
}

static int
cms_attr_signing_time(const char *fn, const struct der_tlv *values,
    struct cms_attrs *out)
{
	struct der	in;
	struct der_tlv	t;

	der_enter(&in, values);
	if (der_next(&in, &t) != DER_OK || !der_at_end(&in)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4.3: signing-time "
		    "attribute must have exactly one value");
		return -1;
	}
	if (der_time(&t, &out->signing_time) != DER_OK) {
		log_warnx_obj(fn, "RFC 9589 section 3 / RFC 5652 section "
		    "11.3: malformed signing-time");
		return -1;
	}
	out->has_signing_time = 1;
	return 0;
}

static int
cms_attr_binary_signing_time(const char *fn, const struct der_tlv *values,
    struct cms_attrs *out)
{
	struct der_tlv	t;

	if (cms_attr_value(fn, values, "binary-signing-time", "2.1.6.4.4",
	    DER_INTEGER, &t) == -1)
		return -1;
	/* RFC 6019 section 2: BinaryTime ::= INTEGER (0..MAX) */
	if (der_int64(&t, &out->bst) != DER_OK || out->bst < 0) {
		log_warnx_obj(fn, "RFC 6019 section 2: malformed "
		    "binary-signing-time");
		return -1;
	}
	out->has_bst = 1;
	return 0;
}

static int
cms_attr_content_type(const char *fn, const struct der_tlv *values,
    struct cms_attrs *out)
{
	if (cms_attr_value(fn, values, "content-type", "2.1.6.4.1", DER_OID,
	    &out->content_type) == -1)
		return -1;
	if (der_oid(&out->content_type) != DER_OK) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4.1: content-type "
		    "attribute: %s", der_strerror(DER_E_OID));
		return -1;
	}
	out->has_content_type = 1;
	return 0;
}

/* Dispatch one signed attribute; each kind may appear once. */
static int
cms_attr_one(const char *fn, const struct der_tlv *type,
    const struct der_tlv *values, struct cms_attrs *out)
{
	char	buf[OID_STRLEN];

	if (der_oid_is(type, oid_text(OID_CONTENT_TYPE))) {
		if (out->has_content_type)
			goto dup;
		return cms_attr_content_type(fn, values, out);
	} else if (der_oid_is(type, oid_text(OID_MESSAGE_DIGEST))) {
		if (out->has_digest)
			goto dup;
		if (cms_attr_value(fn, values, "message-digest", "2.1.6.4.2",
		    DER_OCTET_STRING, &out->digest) == -1)
			return -1;
		out->has_digest = 1;
	} else if (der_oid_is(type, oid_text(OID_SIGNING_TIME))) {
		if (out->has_signing_time)
			goto dup;
		return cms_attr_signing_time(fn, values, out);
	} else if (der_oid_is(type, oid_text(OID_BINARY_SIGNING_TIME))) {
		if (out->has_bst)
			goto dup;
		return cms_attr_binary_signing_time(fn, values, out);
	} else {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4: unexpected "
		    "signed attribute %s", der_oid_format(type, buf,
		    sizeof(buf)));
		return -1;
	}
	return 0;
 dup:
	log_warnx_obj(fn, "RFC 6488 section 2.1.6.4: duplicate signed "
	    "attribute %s", der_oid_format(type, buf, sizeof(buf)));
	return -1;
}

/*
 * Attribute ::= SEQUENCE { attrType OID, attrValues SET OF ANY } (RFC
 * 5652 section 5.3), DER with its values in SET OF order.
 */
static enum der_err
cms_decode_attr(struct der *d, struct der_tlv *type, struct der_tlv *values)
{
	struct der	in;
	struct der_tlv	t;
	enum der_err	e;

	if ((e = der_expect(d, DER_SEQUENCE, &t)) != DER_OK)
		return e;
	der_enter(&in, &t);
	if ((e = der_expect(&in, DER_OID, type)) != DER_OK ||
	    (e = der_oid(type)) != DER_OK ||
	    (e = der_expect(&in, DER_SET, values)) != DER_OK ||
	    (e = der_set_order(values)) != DER_OK)
		return e;
	return der_end(&in);
}

/*
 * The signed attributes sa (the [0] TLV as transmitted): DER throughout,
 * a SET OF in DER order (RFC 5652 section 5.4 signs its DER encoding),
 * then the set of attributes present.  Returns 0 or -1 after logging.
 */
static int
cms_attrs_parse(const char *fn, const struct der_tlv *sa,
    struct cms_attrs *out)
{
	struct der_tlv	type, values;
	struct der	in;
	enum der_err	e;
	size_t		n;

	if ((e = der_walk(sa)) != DER_OK || (e = der_set_order(sa)) != DER_OK)
		goto bad;
	der_enter(&in, sa);
	for (n = 0; !der_at_end(&in); n++)
		if ((e = cms_decode_attr(&in, &type, &values)) != DER_OK)
			goto bad;
	if (n < 1 || n > CMS_MAX_SIGNED_ATTRS) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4: %zu signed "
		    "attributes", n);
		return -1;
	}
	der_enter(&in, sa);
	while (!der_at_end(&in)) {
		(void)cms_decode_attr(&in, &type, &values);
		if (cms_attr_one(fn, &type, &values, out) == -1)
			return -1;
	}
	if (!out->has_content_type || !out->has_digest) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4: content-type "
		    "and message-digest attributes are required");
		return -1;
	}
	return 0;
 bad:
	log_warnx_obj(fn, "RFC 6488 section 2.1.6.4: signedAttrs: %s",
	    der_strerror(e));
	return -1;
}

/*
 * RFC 6488 section 3 item 2 / RFC 5652 section 5.4: the signature covers
 * the DER of the signed attributes with the EXPLICIT SET OF tag instead
 * of the [0] IMPLICIT one they are sent with.  The key is the EE
 * certificate's, read from its SubjectPublicKeyInfo slice spki.
 */
static int
cms_verify(const char *fn, const struct der_tlv *spki,
    const struct der_tlv *sa, const struct der_tlv *sig)
{
	static const unsigned char set_tag = DER_SET;
	struct hash_sha256_ctx	ctx;
	struct pubkey_rsa	key;
	unsigned char		md[HASH_SHA256_LEN];
	enum pubkey_err		e;

	if ((e = pubkey_rsa_from_spki(spki->hdr, spki->tlv_len, &key)) !=
	    PUBKEY_OK) {
		log_warnx_obj(fn, e == PUBKEY_NOT_DER ? "X.690 section 10: EE "
		    "public key is not DER encoded" : "RFC 7935 section 3: EE "
		    "key is not RSA");
		return -1;
	}
	if (hash_sha256_init(&ctx) == -1 ||
	    hash_sha256_update(&ctx, &set_tag, 1) == -1 ||
	    hash_sha256_update(&ctx, sa->hdr + 1, sa->tlv_len - 1) == -1 ||
	    hash_sha256_final(&ctx, md) == -1) {
		hash_sha256_cleanup(&ctx);
		log_warnx_crypto(fn, "SHA-256 failed");
		return -1;
	}
	if (!pubkey_rsa_verify_digest(&key, md, sig->val, sig->len)) {
		log_warnx_obj(fn, "RFC 6488 section 3: signature does not "
		    "verify with the EE certificate's key");
		return -1;
	}
	return 0;
}

/*
 * The signed attributes: DER, the required set, content-type matching
 * eContentType, message-digest matching the eContent (econtent, len
 * bytes), then the signature over them.
 */
static int
cms_check_signed_attrs(const char *fn, const struct cms_sd *sd,
    const struct certder *ee, const unsigned char *econtent, size_t len,
    struct cms_attrs *attrs)
{
	unsigned char	md[HASH_SHA256_LEN];

	if (cms_attrs_parse(fn, &sd->si.signed_attrs, attrs) == -1)
		return -1;
	if (!cms_oid_eq(&attrs->content_type, &sd->econtent_type)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4.1: content-type "
		    "attribute differs from eContentType");
		return -1;
	}
	if (hash_sha256(econtent, len, md) == -1) {
		log_warnx_crypto(fn, "SHA-256 failed");
		return -1;
	}
	if (attrs->digest.len != HASH_SHA256_LEN ||
	    !hash_equal(md, attrs->digest.val, HASH_SHA256_LEN)) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.6.4.2: message-digest "
		    "does not match the eContent");
		return -1;
	}
	return cms_verify(fn, &ee->spki, &sd->si.signed_attrs, &sd->si.sig);
}

/*
 * The eContent octets (joined if the OCTET STRING was constructed) in a
 * new buffer of *len + 1 bytes, so that an empty eContent still gets a
 * distinct allocation.  Returns it (caller frees) or NULL.
 */
static unsigned char *
cms_econtent(const char *fn, const struct cms_sd *sd, size_t *len)
{
	unsigned char	*buf;

	if (der_octets_ber(&sd->econtent, NULL, len) != DER_OK)
		return NULL;	/* cannot happen: cms_decode() checked */
	if ((buf = malloc(*len + 1)) == NULL) {
		log_warn_obj(fn, "malloc");
		return NULL;
	}
	(void)der_octets_ber(&sd->econtent, buf, len);
	return buf;
}

/* The checks of RFC 6488 over the decoded sd; fills obj or returns -1. */
static int
cms_check(const char *fn, const struct cms_sd *sd, enum oid_id econtent_type,
    struct cms_object *obj)
{
	struct cms_attrs	attrs;
	struct certder		ee;
	char			buf[OID_STRLEN];

	if (sd->trailing > 0) {
		log_warnx_obj(fn, "RFC 6488 section 3: %zu bytes of trailing "
		    "data", sd->trailing);
		return -1;
	}
	if (!der_oid_is(&sd->content_type, oid_text(OID_SIGNED_DATA))) {
		log_warnx_obj(fn, "RFC 6488 section 2: contentType %s is not "
		    "id-signedData", der_oid_format(&sd->content_type, buf,
		    sizeof(buf)));
		return -1;
	}
	if (cms_check_signed_data(fn, sd, econtent_type) == -1 ||
	    cms_decode_ee(fn, &sd->cert, &ee, obj) == -1 ||
	    cms_check_signer(fn, &sd->si, &ee) == -1)
		return -1;
	if ((obj->econtent = cms_econtent(fn, sd, &obj->econtent_len)) == NULL)
		return -1;
	memset(&attrs, 0, sizeof(attrs));
	if (cms_check_signed_attrs(fn, sd, &ee, obj->econtent,
	    obj->econtent_len, &attrs) == -1)
		return -1;
	obj->has_signing_time = attrs.has_signing_time;
	obj->signing_time = attrs.signing_time;
	obj->has_binary_signing_time = attrs.has_bst;
	obj->binary_signing_time = attrs.bst;
	return 0;
}

struct cms_object *
cms_parse(const char *fn, const unsigned char *der, size_t len,
    enum oid_id econtent_type)
{
	struct cms_sd		 sd;
	struct cms_object	*obj;
	const char		*where = "ContentInfo";
	enum der_err		 e;

	if (len < MIN_FILE_SIZE || len > MAX_FILE_SIZE) {
		log_warnx_obj(fn, "RFC 6488 section 3: implausible size %zu",
		    len);
		return NULL;
	}
	if ((e = cms_decode(der, len, &sd, &where)) != DER_OK) {
		log_warnx_obj(fn, "RFC 6488 section 2: not a CMS SignedData "
		    "object: %s: %s", where, der_strerror(e));
		return NULL;
	}
	if ((obj = calloc(1, sizeof(*obj))) == NULL) {
		log_warn_obj(fn, "out of memory");
		return NULL;
	}
	if (cms_check(fn, &sd, econtent_type, obj) == -1) {
		cms_object_free(obj);
		return NULL;
	}
	return obj;
}
