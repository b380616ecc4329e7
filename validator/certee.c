/*
 * Certificates read from their DER with validator/der.h, without
 * OpenSSL's X509: the EE certificate of a signed object (RFC 6487
 * section 4, RFC 6488 section 2.1.4; decoding, re-encoding and freeing
 * an X509 cost a fifth of a validation's CPU, for ~500,000 EE
 * certificates used once) and the TA, CA and router certificates of
 * .cer files (cert_parse(), RFC 6487, RFC 8209).
 *
 * The TBSCertificate (RFC 5280 section 4.1) is taken apart here, as
 * strictly as OpenSSL's decoder does (a field of the wrong type, one
 * too many or an unknown trailing one is a malformed certificate); the
 * profile itself is cert.c's (validator/certee.h): the fields read here
 * go through the same checks as those cert_parse_ee_x509() and
 * cert_parse_x509() read from an X509, so that both accept and refuse
 * the same certificates, which tests/unit/test_certee.c and
 * tests/unit/test_certca.c compare.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/certder.h"
#include "validator/certee.h"
#include "validator/der.h"
#include "validator/x509ext.h"

/* Identifier octets of the TBSCertificate fields (RFC 5280 section 4.1). */
#define EE_TAG_VERSION		DER_CONTEXT_CONS(0)
#define EE_TAG_ISSUER_UID	1	/* [1] IMPLICIT, either form */
#define EE_TAG_SUBJECT_UID	2	/* [2] IMPLICIT, either form */
#define EE_TAG_EXTENSIONS	DER_CONTEXT_CONS(3)
/* Universal BOOLEAN (X.690 section 8.2), which der.h does not name. */
#define EE_BOOLEAN		0x01
/* Longest dotted extnID shown in a message. */
#define EE_OID_TEXT		128

/* version [0] EXPLICIT INTEGER v3 (2), RFC 6487 section 4.1. */
static const unsigned char ee_version3[] = { 0x02, 0x01, 0x02 };
/*
 * sha256WithRSAEncryption with NULL or absent parameters (RFC 7935
 * section 2, RFC 4055 section 5), the only two DER forms allowed.
 */
static const unsigned char ee_sigalg_null[] = { 0x30, 0x0d, 0x06, 0x09,
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00 };
static const unsigned char ee_sigalg_absent[] = { 0x30, 0x0b, 0x06, 0x09,
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b };

/* The fields of a TBSCertificate, as slices of it. */
struct ee_tbs {
	struct der_tlv	version;
	int		has_version;
	struct der_tlv	serial;
	struct der_tlv	sigalg;
	struct der_tlv	issuer;
	struct der_tlv	validity;
	struct der_tlv	subject;
	struct der_tlv	spki;
	int		has_uid;	/* issuerUniqueID or subjectUniqueID */
	struct der_tlv	exts;		/* the SEQUENCE OF Extension */
	int		has_exts;
};

/* The context tag number of t, or -1 if t is not context-specific. */
static int
ee_context_tag(const struct der_tlv *t)
{
	if ((t->tag & DER_CLASS_MASK) != DER_CLASS_CONTEXT)
		return -1;
	return t->tag & DER_TAG_NUMBER_MASK;
}

/* What follows subjectPublicKeyInfo: unique IDs, then [3] extensions. */
static int
ee_tbs_tail(struct der *in, struct ee_tbs *out)
{
	struct der	x;
	struct der_tlv	t;
	int		last = 0, n;

	while (!der_at_end(in)) {
		if (der_next(in, &t) != DER_OK)
			return -1;
		n = ee_context_tag(&t);
		if (n == EE_TAG_ISSUER_UID || n == EE_TAG_SUBJECT_UID) {
			if (n <= last || out->has_exts)
				return -1;
			out->has_uid = 1;
			last = n;
			continue;
		}
		if (t.tag != EE_TAG_EXTENSIONS || out->has_exts)
			return -1;
		der_enter(&x, &t);
		if (der_expect(&x, DER_SEQUENCE, &out->exts) != DER_OK ||
		    der_end(&x) != DER_OK)
			return -1;
		out->has_exts = 1;
	}
	return 0;
}

/*
 * TBSCertificate ::= SEQUENCE { version [0] EXPLICIT OPTIONAL, serial
 * INTEGER, signature, issuer, validity, subject, subjectPublicKeyInfo
 * (each a SEQUENCE), [1], [2], [3] } (RFC 5280 section 4.1), nothing
 * else.  Returns 0, or -1 if OpenSSL's decoder would refuse it.
 */
static int
ee_tbs_read(const struct der_tlv *tbs, struct ee_tbs *out)
{
	struct der	in;
	struct der_tlv	*seq[] = { &out->sigalg, &out->issuer,
			    &out->validity, &out->subject, &out->spki };
	size_t		i;

	memset(out, 0, sizeof(*out));
	der_enter(&in, tbs);
	if (der_peek(&in) == EE_TAG_VERSION) {
		if (der_next(&in, &out->version) != DER_OK)
			return -1;
		out->has_version = 1;
	}
	if (der_expect(&in, DER_INTEGER, &out->serial) != DER_OK)
		return -1;
	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		if (der_expect(&in, DER_SEQUENCE, seq[i]) != DER_OK)
			return -1;
	return ee_tbs_tail(&in, out);
}

/* The version field is v3 (RFC 6487 section 4.1). */
static int
ee_version_ok(const struct ee_tbs *t)
{
	return t->has_version && t->version.len == sizeof(ee_version3) &&
	    memcmp(t->version.val, ee_version3, sizeof(ee_version3)) == 0;
}

/*
 * The same algorithm in the TBSCertificate and outside it, each one of
 * the two allowed encodings (RFC 7935 section 2).
 */
static int
ee_sigalg_ok(const struct der_tlv *in, const struct der_tlv *out)
{
	if (in->tlv_len != out->tlv_len ||
	    memcmp(in->hdr, out->hdr, in->tlv_len) != 0)
		return 0;
	return (in->tlv_len == sizeof(ee_sigalg_null) &&
	    memcmp(in->hdr, ee_sigalg_null, in->tlv_len) == 0) ||
	    (in->tlv_len == sizeof(ee_sigalg_absent) &&
	    memcmp(in->hdr, ee_sigalg_absent, in->tlv_len) == 0);
}

/* Validity ::= SEQUENCE { notBefore Time, notAfter Time } into c. */
static int
ee_validity(const char *fn, const struct der_tlv *v, struct cert *c)
{
	struct der	in;
	struct der_tlv	nb, na;

	der_enter(&in, v);
	if (der_next(&in, &nb) != DER_OK || der_next(&in, &na) != DER_OK ||
	    der_end(&in) != DER_OK || der_time(&nb, &c->notbefore) != DER_OK ||
	    der_time(&na, &c->notafter) != DER_OK) {
		log_warnx_obj(fn, "RFC 5280 section 4.1.2.5: malformed "
		    "validity time");
		return -1;
	}
	return cert_check_validity(fn, c);
}

/*
 * Version, serial, algorithms, unique IDs, names, validity, in the order
 * cert.c checks them on an X509; outer is the signatureAlgorithm after
 * the TBSCertificate.
 */
static int
ee_check_tbs(const char *fn, const struct ee_tbs *t,
    const struct der_tlv *outer, struct cert *c)
{
	if (!ee_version_ok(t)) {
		log_warnx_obj(fn, "RFC 6487 section 4.1: version must be 3");
		return -1;
	}
	if (cert_check_serial(fn, &t->serial, c) == -1)
		return -1;
	if (!ee_sigalg_ok(&t->sigalg, outer)) {
		log_warnx_obj(fn, "RFC 7935 section 2: signature algorithm "
		    "must be sha256WithRSAEncryption in both places");
		return -1;
	}
	if (t->has_uid) {
		log_warnx_obj(fn, "RFC 6487 section 4: issuerUniqueID and "
		    "subjectUniqueID must be absent");
		return -1;
	}
	if (x509ext_name_check_der(fn, "issuer", t->issuer.hdr,
	    t->issuer.tlv_len) == -1 ||
	    x509ext_name_check_der(fn, "subject", t->subject.hdr,
	    t->subject.tlv_len) == -1)
		return -1;
	return ee_validity(fn, &t->validity, c);
}

/*
 * Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN
 * DEFAULT FALSE, extnValue OCTET STRING } (RFC 5280 section 4.1), each
 * sorted into ex by cert.c's rules.  crit_bad as in struct certder.
 */
static int
ee_collect_exts(const char *fn, const struct ee_tbs *t, uint64_t crit_bad,
    struct cert_exts *ex)
{
	struct der	list, in;
	struct der_tlv	ext, id, crit, val;
	enum cert_ext	j;
	char		oid[EE_OID_TEXT];
	unsigned int	i;
	int		critical;

	der_init(&list, t->exts.val, t->exts.len);
	for (i = 0; t->has_exts && !der_at_end(&list); i++) {
		if (der_expect(&list, DER_SEQUENCE, &ext) != DER_OK)
			goto malformed;
		der_enter(&in, &ext);
		critical = 0;
		if (der_expect(&in, DER_OID, &id) != DER_OK)
			goto malformed;
		if (der_peek(&in) == EE_BOOLEAN) {
			if (der_next(&in, &crit) != DER_OK || crit.len != 1)
				goto malformed;
			critical = crit.val[0] != 0;
		}
		if (der_expect(&in, DER_OCTET_STRING, &val) != DER_OK ||
		    der_end(&in) != DER_OK)
			goto malformed;
		if ((j = cert_ext_of_oid(&id)) == CERT_EXT_N)
			return cert_ext_unknown(fn, der_oid_format(&id, oid,
			    sizeof(oid)), critical);
		if (cert_ext_add(fn, ex, j, i, critical, crit_bad, val.val,
		    val.len) == -1)
			return -1;
	}
	return 0;
malformed:
	log_warnx_obj(fn, "RFC 5280 section 4.1: malformed extension");
	return -1;
}

/*
 * A new cert of purpose holding a copy of der, not yet checked; NULL if
 * no memory.
 */
static struct cert *
ee_new(const char *fn, const unsigned char *der, size_t len,
    enum cert_purpose purpose)
{
	struct cert *c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->der = OPENSSL_malloc(len)) == NULL) {
		log_warnx_obj(fn, "out of memory");
		free(c);
		return NULL;
	}
	memcpy(c->der, der, len);
	c->der_len = len;
	c->purpose = purpose;
	return c;
}

/*
 * c->der taken apart and its TBSCertificate checked up to the
 * extensions, which are sorted into ex (der_only).  Returns 0, or -1
 * after logging.
 */
static int
ee_read(const char *fn, struct cert *c, struct ee_tbs *tbs,
    struct cert_exts *ex)
{
	struct certder	 parts;
	const char	*msg;

	memset(ex, 0, sizeof(*ex));
	ex->der_only = 1;
	if ((msg = certder_check(c->der, c->der_len, &parts)) != NULL) {
		log_warnx_obj(fn, "X.690 section 10: certificate is not DER "
		    "encoded: %s", msg);
		return -1;
	}
	if (ee_tbs_read(&parts.tbs, tbs) == -1) {
		log_warnx_obj(fn, "RFC 6487 section 4: malformed certificate");
		return -1;
	}
	if (ee_check_tbs(fn, tbs, &parts.sigalg, c) == -1 ||
	    ee_collect_exts(fn, tbs, parts.crit_bad, ex) == -1)
		return -1;
	return 0;
}

/* Point c's name slices at the Names of tbs, slices of c->der. */
static void
ee_names(struct cert *c, const struct ee_tbs *tbs)
{
	c->issuer_name = tbs->issuer.hdr;
	c->issuer_name_len = tbs->issuer.tlv_len;
	c->subject_name = tbs->subject.hdr;
	c->subject_name_len = tbs->subject.tlv_len;
}

/*
 * Returns a new EE cert (x509 NULL, its own copy of der), or NULL after
 * logging.
 */
struct cert *
cert_parse_ee(const char *fn, const unsigned char *der, size_t len,
    int flags)
{
	struct ee_tbs	 tbs;
	struct cert_exts ex;
	struct cert	*c;

	if (der == NULL || len == 0) {
		log_warnx_obj(fn, "RFC 6488 section 2.1.4: no EE certificate");
		return NULL;
	}
	if ((c = ee_new(fn, der, len, CERT_EE)) == NULL)
		return NULL;
	if (ee_read(fn, c, &tbs, &ex) == -1 ||
	    cert_check_ee(fn, &tbs.spki, &ex, flags, c) == -1)
		goto fail;
	cert_exts_free(&ex);
	ee_names(c, &tbs);
	return c;
fail:
	cert_exts_free(&ex);
	cert_free(c);
	return NULL;
}

/*
 * X.690 section 10: der is one certificate with nothing after it.
 * Returns 0, or -1 after logging; a certificate that cannot be read is
 * left to certder_check() to explain.
 */
static int
ee_no_trailing(const char *fn, const unsigned char *der, size_t len)
{
	struct der	in;
	struct der_tlv	t;

	der_init(&in, der, len);
	if (der_next(&in, &t) == DER_OK && !der_at_end(&in)) {
		log_warnx_obj(fn, "X.690 section 10: trailing data after "
		    "certificate");
		return -1;
	}
	return 0;
}

/*
 * Returns a new TA, CA or router cert (x509 NULL, its own copy of der),
 * or NULL after logging.
 */
struct cert *
cert_parse(const char *fn, const unsigned char *der, size_t len)
{
	struct ee_tbs	 tbs;
	struct cert_exts ex;
	struct cert	*c;
	int		 self_issued;

	if (der == NULL || len == 0 || len > MAX_FILE_SIZE) {
		log_warnx_obj(fn, "certificate size %zu out of range", len);
		return NULL;
	}
	if (ee_no_trailing(fn, der, len) == -1 ||
	    (c = ee_new(fn, der, len, CERT_CA)) == NULL)
		return NULL;
	if (ee_read(fn, c, &tbs, &ex) == -1)
		goto fail;
	/* RFC 6487 section 4.4 and 4.5: a TA is its own issuer. */
	self_issued = cert_names_equal(tbs.subject.hdr, tbs.subject.tlv_len,
	    tbs.issuer.hdr, tbs.issuer.tlv_len);
	if (cert_check_ca(fn, &tbs.spki, self_issued, &ex, c) == -1)
		goto fail;
	cert_exts_free(&ex);
	ee_names(c, &tbs);
	if (hash_sha256(der, len, c->der_hash) == 0)
		c->has_der_hash = 1;
	return c;
fail:
	cert_exts_free(&ex);
	cert_free(c);
	return NULL;
}
