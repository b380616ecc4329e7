/*
 * RFC 6487 section 5 CRLs.
 *
 * OpenSSL decodes the CRL; the RPKI profile on top is ours, and so is
 * the signature check: the TBSCertList is hashed as received when the CRL
 * is parsed and checked against the issuer's prepared key
 * (validator/pubkey.h), not through an OpenSSL key made from the issuer's
 * certificate for every CRL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/gtime.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/crl.h"
#include "validator/der.h"
#include "validator/incidence.h"
#include "validator/oid.h"
#include "validator/pubkey.h"

/* X509_CRL_get_version() value of a version 2 CRL (RFC 5280 section 5.1.2.1). */
#define CRL_VERSION_2		1

void
crl_free(struct crl *crl)
{
	if (crl == NULL)
		return;
	X509_CRL_free(crl->x509_crl);
	free(crl->revoked);
	free(crl->sig);
	free(crl->issuer_name);
	free(crl);
}

int
crl_serial_cmp(const void *a, const void *b)
{
	const struct crl_serial	*x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->bytes, y->bytes, x->len);
}

/* RFC 7935 section 2 / RFC 4055 section 5: sha256WithRSA, NULL parameters. */
static int
crl_alg_ok(const X509_ALGOR *alg)
{
	const ASN1_OBJECT	*obj;
	const void		*pval;
	int			 ptype;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	return oid_is(obj, OID_SHA256_RSA) &&
	    (ptype == V_ASN1_NULL || ptype == V_ASN1_UNDEF);
}

/* s converts to non-empty UTF-8 (OpenSSL checks the encoding). */
static int
crl_utf8_ok(const ASN1_STRING *s)
{
	unsigned char	*u = NULL;
	int		 n;

	n = ASN1_STRING_to_UTF8(&u, s);
	OPENSSL_free(u);
	return n > 0;
}

/*
 * RFC 6487 section 4.4 (referenced by section 5): the issuer name holds
 * one CommonName and at most one serialNumber, each a PrintableString
 * (or a UTF8String: INCIDENCE_NAME_UTF8).  They may share one RDN (the
 * BBN conformance case NAMSetNameSer).
 */
static int
crl_check_issuer(const char *fn, const X509_NAME *name)
{
	const X509_NAME_ENTRY	*e;
	const ASN1_STRING	*s;
	int			 i, n, nid, cn = 0, sn = 0, utf8 = 0;

	n = X509_NAME_entry_count(name);
	for (i = 0; i < n; i++) {
		e = X509_NAME_get_entry(name, i);
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		s = X509_NAME_ENTRY_get_data(e);
		if (nid == NID_commonName)
			cn++;
		else if (nid == NID_serialNumber)
			sn++;
		else {
			log_warnx_obj(fn, "RFC 6487 section 4.4: unexpected "
			    "attribute in issuer name");
			return -1;
		}
		if (ASN1_STRING_type(s) == V_ASN1_UTF8STRING &&
		    crl_utf8_ok(s))
			utf8 = 1;
		else if (ASN1_STRING_type(s) != V_ASN1_PRINTABLESTRING) {
			log_warnx_obj(fn, "RFC 6487 section 4.4: issuer name "
			    "attribute is not a PrintableString");
			return -1;
		}
	}
	if (cn != 1 || sn > 1) {
		log_warnx_obj(fn, "RFC 6487 section 4.4: issuer must have one "
		    "commonName and at most one serialNumber");
		return -1;
	}
	/* The CA's own certificate names it the same way. */
	if (utf8)
		incidence_note(INCIDENCE_NAME_UTF8, fn);
	return 0;
}

/* AKI: keyIdentifier only, 160 bits (RFC 6487 section 4.8.3). */
static int
crl_ext_aki(const char *fn, X509_EXTENSION *ext, struct crl *crl)
{
	AUTHORITY_KEYID	*aki;
	int		 rc = -1;

	if ((aki = X509V3_EXT_d2i(ext)) == NULL) {
		log_warnx_crypto(fn, "RFC 6487 section 5: malformed "
		    "authorityKeyIdentifier");
		return -1;
	}
	if (aki->keyid == NULL || aki->issuer != NULL || aki->serial != NULL ||
	    ASN1_STRING_length(aki->keyid) != CRL_KEYID_LEN) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.3: "
		    "authorityKeyIdentifier must be a 160-bit keyIdentifier "
		    "only");
		goto out;
	}
	memcpy(crl->aki, ASN1_STRING_get0_data(aki->keyid), CRL_KEYID_LEN);
	rc = 0;
 out:
	AUTHORITY_KEYID_free(aki);
	return rc;
}

/* CRLNumber ::= INTEGER (0..MAX), at most 20 octets (RFC 5280 5.2.3, RFC 9829). */
static int
crl_ext_number(const char *fn, X509_EXTENSION *ext, struct crl *crl)
{
	ASN1_INTEGER	*num;
	int		 len, rc = -1;

	if ((num = X509V3_EXT_d2i(ext)) == NULL) {
		log_warnx_crypto(fn, "RFC 6487 section 5: malformed "
		    "cRLNumber");
		return -1;
	}
	len = ASN1_STRING_length(num);
	/* The limit is on the DER content, which adds 00 before a high bit. */
	if (ASN1_STRING_type(num) != V_ASN1_INTEGER ||
	    len > CRL_NUMBER_MAX_LEN || (len == CRL_NUMBER_MAX_LEN &&
	    (ASN1_STRING_get0_data(num)[0] & 0x80))) {
		log_warnx_obj(fn, "RFC 9829 section 2 / RFC 5280 section "
		    "5.2.3: cRLNumber must be non-negative and at most 20 "
		    "octets");
		goto out;
	}
	if (len == 1 && ASN1_STRING_get0_data(num)[0] == 0)
		len = 0;
	memcpy(crl->number, ASN1_STRING_get0_data(num), (size_t)len);
	crl->number_len = (size_t)len;
	rc = 0;
 out:
	ASN1_INTEGER_free(num);
	return rc;
}

/* RFC 6487 section 5: exactly AKI and CRL number, neither critical. */
static int
crl_check_extensions(const char *fn, X509_CRL *x, struct crl *crl)
{
	X509_EXTENSION	*ext;
	int		 i, n, nid, aki = 0, num = 0;

	n = X509_CRL_get_ext_count(x);
	for (i = 0; i < n; i++) {
		ext = X509_CRL_get_ext(x, i);
		nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
		if (X509_EXTENSION_get_critical(ext)) {
			log_warnx_obj(fn, "RFC 6487 section 5: critical CRL "
			    "extension");
			return -1;
		}
		if (nid == NID_authority_key_identifier && aki++ == 0) {
			if (crl_ext_aki(fn, ext, crl) == -1)
				return -1;
		} else if (nid == NID_crl_number && num++ == 0) {
			if (crl_ext_number(fn, ext, crl) == -1)
				return -1;
		} else {
			log_warnx_obj(fn, "RFC 6487 section 5: unexpected or "
			    "duplicate CRL extension");
			return -1;
		}
	}
	if (aki != 1 || num != 1) {
		log_warnx_obj(fn, "RFC 6487 section 5: authorityKeyIdentifier "
		    "and cRLNumber are required");
		return -1;
	}
	return 0;
}

/* RFC 6487 section 5 / RFC 5280 section 5.1.2.6: one revoked entry. */
static int
crl_entry(const char *fn, const X509_REVOKED *r, struct crl_serial *out)
{
	const ASN1_INTEGER	*s = X509_REVOKED_get0_serialNumber(r);
	int64_t			 t;
	int			 len = ASN1_STRING_length(s);

	if (X509_REVOKED_get_ext_count(r) != 0) {
		log_warnx_obj(fn, "RFC 6487 section 5: CRL entry extensions "
		    "are not allowed");
		return -1;
	}
	/* RFC 5280 section 4.1.2.2: positive, at most 20 octets of DER. */
	if (ASN1_STRING_type(s) != V_ASN1_INTEGER || len < 1 ||
	    len > CRL_SERIAL_MAX_LEN || (len == CRL_SERIAL_MAX_LEN &&
	    (ASN1_STRING_get0_data(s)[0] & 0x80)) ||
	    (len == 1 && ASN1_STRING_get0_data(s)[0] == 0)) {
		log_warnx_obj(fn, "RFC 5280 section 4.1.2.2: revoked serial "
		    "number must be positive and at most 20 octets");
		return -1;
	}
	if (gtime_from_asn1(X509_REVOKED_get0_revocationDate(r), &t) == -1) {
		log_warnx_obj(fn, "RFC 5280 section 5.1.2.6: malformed "
		    "revocationDate");
		return -1;
	}
	out->len = (uint8_t)len;
	memcpy(out->bytes, ASN1_STRING_get0_data(s), (size_t)len);
	return 0;
}

static int
crl_entries(const char *fn, X509_CRL *x, struct crl *crl)
{
	STACK_OF(X509_REVOKED)	*revs = X509_CRL_get_REVOKED(x);
	size_t			 i, n;

	n = (size_t)sk_X509_REVOKED_num(revs);
	if (revs == NULL || n == 0)
		return 0;
	/* A CRL of MAX_FILE_SIZE holds far fewer entries than this. */
	if (n > MAX_FILE_SIZE / 16) {
		log_warnx_obj(fn, "RFC 6487 section 5: too many entries");
		return -1;
	}
	if ((crl->revoked = calloc(n, sizeof(*crl->revoked))) == NULL) {
		log_warn_obj(fn, "calloc");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (crl_entry(fn, sk_X509_REVOKED_value(revs, (int)i),
		    &crl->revoked[i]) == -1)
			return -1;
	crl->nrevoked = n;
	qsort(crl->revoked, n, sizeof(*crl->revoked), crl_serial_cmp);
	return 0;
}

/*
 * TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature
 * AlgorithmIdentifier, issuer Name, ... } (RFC 5280 section 5.1): the
 * inner algorithm and the issuer Name of tbs.
 */
static enum der_err
crl_tbs_head(const struct der_tlv *tbs, struct der_tlv *alg,
    struct der_tlv *issuer)
{
	struct der	in;
	enum der_err	e;

	der_enter(&in, tbs);
	if (der_peek(&in) == DER_INTEGER && (e = der_next(&in, alg)) != DER_OK)
		return e;
	if ((e = der_expect(&in, DER_SEQUENCE, alg)) != DER_OK)
		return e;
	return der_expect(&in, DER_SEQUENCE, issuer);
}

/*
 * OpenSSL 3.0 has no accessor for the signature algorithm inside
 * tbsCertList, so find it in the DER.
 */
static int
crl_inner_alg_ok(const unsigned char *der, size_t len)
{
	const unsigned char	*p;
	struct der_tlv		 top, tbs, inner, issuer;
	struct der		 in;
	X509_ALGOR		*alg;
	int			 ok;

	der_init(&in, der, len);
	if (der_expect(&in, DER_SEQUENCE, &top) != DER_OK)
		return 0;
	der_enter(&in, &top);
	if (der_expect(&in, DER_SEQUENCE, &tbs) != DER_OK ||
	    crl_tbs_head(&tbs, &inner, &issuer) != DER_OK)
		return 0;
	p = inner.hdr;
	if ((alg = d2i_X509_ALGOR(NULL, &p, (long)inner.tlv_len)) == NULL)
		return 0;
	ok = crl_alg_ok(alg);
	X509_ALGOR_free(alg);
	return ok;
}

/* Version, algorithms, issuer, times. */
static int
crl_check_header(const char *fn, X509_CRL *x, struct crl *crl,
    const unsigned char *der, size_t len)
{
	const X509_ALGOR	*outer;
	const ASN1_BIT_STRING	*sig;
	const ASN1_TIME		*nu;

	if (X509_CRL_get_version(x) != CRL_VERSION_2) {
		log_warnx_obj(fn, "RFC 6487 section 5: CRL version must be 2");
		return -1;
	}
	X509_CRL_get0_signature(x, &sig, &outer);
	if (!crl_alg_ok(outer) || !crl_inner_alg_ok(der, len)) {
		ERR_clear_error();
		log_warnx_obj(fn, "RFC 6487 section 5 / RFC 7935 section 2: "
		    "signature algorithm must be sha256WithRSAEncryption");
		return -1;
	}
	if (crl_check_issuer(fn, X509_CRL_get_issuer(x)) == -1)
		return -1;
	if (gtime_from_asn1(X509_CRL_get0_lastUpdate(x),
	    &crl->this_update) == -1) {
		log_warnx_obj(fn, "RFC 5280 section 5.1.2.4: malformed "
		    "thisUpdate");
		return -1;
	}
	if ((nu = X509_CRL_get0_nextUpdate(x)) == NULL ||
	    gtime_from_asn1(nu, &crl->next_update) == -1) {
		log_warnx_obj(fn, "RFC 5280 section 5.1.2.5: nextUpdate "
		    "missing or malformed");
		return -1;
	}
	if (crl->this_update >= crl->next_update) {
		log_warnx_obj(fn, "RFC 5280 section 5.1.2.5: nextUpdate is "
		    "not after thisUpdate");
		return -1;
	}
	return 0;
}

/*
 * RFC 5280 section 5.1: CertificateList ::= SEQUENCE { tbsCertList,
 * signatureAlgorithm, signatureValue BIT STRING }.  Keep the SHA-256 of
 * the TBS as received and a copy of the signature for crl_check_issued().
 * The two algorithm identifiers must be the same octets (RFC 5280
 * section 5.1.1.2), as OpenSSL's X509_CRL_verify() also requires.
 */
static int
crl_split(const char *fn, const unsigned char *der, size_t len,
    struct crl *crl)
{
	struct der_tlv	top, tbs, alg, inner, sig, issuer;
	struct der	in;
	enum der_err	e;

	der_init(&in, der, len);
	if ((e = der_expect(&in, DER_SEQUENCE, &top)) != DER_OK ||
	    (e = der_end(&in)) != DER_OK)
		goto bad;
	der_enter(&in, &top);
	if ((e = der_expect(&in, DER_SEQUENCE, &tbs)) != DER_OK ||
	    (e = der_expect(&in, DER_SEQUENCE, &alg)) != DER_OK ||
	    (e = der_expect(&in, DER_BIT_STRING, &sig)) != DER_OK ||
	    (e = der_end(&in)) != DER_OK ||
	    (e = crl_tbs_head(&tbs, &inner, &issuer)) != DER_OK)
		goto bad;
	if (inner.tlv_len != alg.tlv_len || memcmp(inner.hdr, alg.hdr,
	    alg.tlv_len) != 0 || sig.len < 2 || sig.val[0] != 0) {
		log_warnx_obj(fn, "RFC 5280 section 5.1.1.2: signature "
		    "algorithms differ or signatureValue is malformed");
		return -1;
	}
	if (hash_sha256(tbs.hdr, tbs.tlv_len, crl->tbs_hash) == -1 ||
	    (crl->sig = malloc(sig.len - 1)) == NULL ||
	    (crl->issuer_name = malloc(issuer.tlv_len)) == NULL) {
		log_warn_obj(fn, "CRL signature");
		return -1;
	}
	memcpy(crl->issuer_name, issuer.hdr, issuer.tlv_len);
	crl->issuer_name_len = issuer.tlv_len;
	memcpy(crl->sig, sig.val + 1, sig.len - 1);
	crl->siglen = sig.len - 1;
	return 0;
 bad:
	log_warnx_obj(fn, "X.690 section 10: CRL is not DER encoded: %s",
	    der_strerror(e));
	return -1;
}

struct crl *
crl_parse(const char *fn, const unsigned char *der, size_t len)
{
	struct crl		*crl = NULL;
	const unsigned char	*p = der;

	if (len < MIN_FILE_SIZE / 2 || len > MAX_FILE_SIZE) {
		log_warnx_obj(fn, "RFC 6487 section 5: implausible CRL size "
		    "%zu", len);
		return NULL;
	}
	if ((crl = calloc(1, sizeof(*crl))) == NULL) {
		log_warn_obj(fn, "calloc");
		return NULL;
	}
	if ((crl->x509_crl = d2i_X509_CRL(NULL, &p, (long)len)) == NULL) {
		log_warnx_crypto(fn, "RFC 5280 section 5: malformed CRL");
		goto fail;
	}
	if (p != der + len) {
		log_warnx_obj(fn, "RFC 5280 section 5: %td bytes of trailing "
		    "data", der + len - p);
		goto fail;
	}
	if (crl_check_header(fn, crl->x509_crl, crl, der, len) == -1 ||
	    crl_split(fn, der, len, crl) == -1 ||
	    crl_check_extensions(fn, crl->x509_crl, crl) == -1 ||
	    crl_entries(fn, crl->x509_crl, crl) == -1)
		goto fail;
	return crl;
 fail:
	crl_free(crl);
	return NULL;
}

int
crl_check_issued(const struct crl *crl, const struct cert *issuer,
    int64_t now, char *why, size_t whylen)
{
	if (issuer->key == NULL) {
		snprintf(why, whylen, "RFC 6487 section 5: CRL issuer is not "
		    "a parsed CA certificate");
		return -1;
	}
	if (!cert_names_equal(crl->issuer_name, crl->issuer_name_len,
	    issuer->subject_name, issuer->subject_name_len)) {
		snprintf(why, whylen, "RFC 5280 section 6.3.3: CRL issuer "
		    "differs from the CA's subject");
		return -1;
	}
	if (memcmp(issuer->ski, crl->aki, CRL_KEYID_LEN) != 0) {
		snprintf(why, whylen, "RFC 6487 section 5: CRL "
		    "authorityKeyIdentifier differs from the CA's "
		    "subjectKeyIdentifier");
		return -1;
	}
	if (!pubkey_rsa_key_verify(issuer->key, crl->tbs_hash, crl->sig,
	    crl->siglen)) {
		snprintf(why, whylen, "RFC 5280 section 6.3.3: CRL signature "
		    "does not verify with the CA's key");
		return -1;
	}
	if (now < crl->this_update) {
		snprintf(why, whylen, "RFC 5280 section 5.1.2.4: CRL "
		    "thisUpdate is in the future");
		return -1;
	}
	if (now > crl->next_update) {
		snprintf(why, whylen, "RFC 5280 section 5.1.2.5: CRL is "
		    "stale (nextUpdate has passed)");
		return -1;
	}
	return 0;
}

int
crl_is_revoked_bytes(const struct crl *crl, const unsigned char *bytes,
    size_t len)
{
	struct crl_serial	key;

	while (len > 0 && bytes[0] == 0) {
		bytes++;
		len--;
	}
	if (len == 0 || len > CRL_SERIAL_MAX_LEN || crl->nrevoked == 0)
		return 0;
	key.len = (uint8_t)len;
	memcpy(key.bytes, bytes, len);
	return bsearch(&key, crl->revoked, crl->nrevoked,
	    sizeof(*crl->revoked), crl_serial_cmp) != NULL;
}

int
crl_is_revoked(const struct crl *crl, const ASN1_INTEGER *serial)
{
	if (serial == NULL || ASN1_STRING_type(serial) != V_ASN1_INTEGER)
		return 0;
	return crl_is_revoked_bytes(crl, ASN1_STRING_get0_data(serial),
	    (size_t)ASN1_STRING_length(serial));
}
