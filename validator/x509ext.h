/*
 * Helpers shared by the parsers of X.509 based RPKI objects (certificates,
 * CRLs, the EE certificates of signed objects): strict DER checks of
 * what OpenSSL decoded leniently, RFC 6487 names and URIs.
 *
 * Functions returning int give 0 when the input conforms and -1 when it
 * does not, after logging a warning that names fn and the RFC rule.
 */
#ifndef REEF_VALIDATOR_X509EXT_H
#define REEF_VALIDATOR_X509EXT_H

#include <stddef.h>

#include <openssl/x509v3.h>

/* The RPKI certificate policy, RFC 6484 section 1.2 (id-cp-ipAddr-asNumber). */
#define X509EXT_OID_RPKI_POLICY		"1.3.6.1.5.5.7.14.2"
/* RFC 8182 section 3.2: rpkiNotify access method. */
#define X509EXT_OID_RPKI_NOTIFY		"1.3.6.1.5.5.7.48.13"
/* RFC 6487 section 4.8.8.1: rpkiManifest access method. */
#define X509EXT_OID_RPKI_MANIFEST	"1.3.6.1.5.5.7.48.10"
/* RFC 6487 section 4.8.8.2: signedObject access method. */
#define X509EXT_OID_SIGNED_OBJECT	"1.3.6.1.5.5.7.48.11"
/* RFC 8209 section 3.1.3.2: id-kp-bgpsec-router. */
#define X509EXT_OID_BGPSEC_ROUTER	"1.3.6.1.5.5.7.3.30"

/*
 * Decode the value (the extnValue OCTET STRING content, val, len bytes)
 * of an extension of type nid with OpenSSL's template for it, and check
 * that it is DER: re-encode and compare bytes.  Extensions OpenSSL has
 * no template for fail.  Returns the decoded value, of the type
 * X509V3_EXT_d2i() gives (free it with x509ext_value_free()), or NULL
 * after logging.
 */
void	*x509ext_value_decode(const char *fn, int nid,
	    const unsigned char *val, size_t len);

/* Free v, what x509ext_value_decode() gave for nid; NULL is allowed. */
void	 x509ext_value_free(int nid, void *v);

/*
 * For the readers of extension values from their DER (validator/ip.c,
 * validator/as.c): log why the value of the extension named name
 * (OpenSSL's short name) is refused, in the words x509ext_value_decode()
 * uses: "not DER encoded" when ber is non-zero (OpenSSL would read the
 * value but encode it otherwise: lengths, BIT STRING padding), else
 * "malformed".  why says which rule.  Returns -1.
 */
int	 x509ext_der_refused(const char *fn, const char *name, int ber,
	    const char *why);

/* x509ext_value_decode() of the extension ext. */
void	*x509ext_decode(const char *fn, const X509_EXTENSION *ext);

/* Free v, what x509ext_decode() gave for ext; NULL is allowed. */
void	 x509ext_free(const X509_EXTENSION *ext, void *v);

/* As x509ext_decode(), only the check: returns 0 or -1 after logging. */
int	x509ext_der_check(const char *fn, const X509_EXTENSION *ext);

/*
 * RFC 6487 sections 4.4 and 4.5: exactly one commonName, at most one
 * serialNumber, nothing else, encoded in DER (checked on the encoding
 * OpenSSL received, X509_NAME_get0_der()).  Each value must be a
 * PrintableString; a valid UTF8String is accepted as the incidence
 * INCIDENCE_NAME_UTF8 (noted once per name).  what is "issuer" or
 * "subject", for the message.
 */
int	x509ext_name_check(const char *fn, const char *what,
	    const X509_NAME *name);

/*
 * x509ext_name_check() on the DER of a Name (der, len bytes) that OpenSSL
 * did not decode; a Name OpenSSL would not decode (RFC 5280 section
 * 4.1.2.4) is refused too.
 */
int	x509ext_name_check_der(const char *fn, const char *what,
	    const unsigned char *der, size_t len);

/*
 * If gn is a uniformResourceIdentifier, copy it into a new NUL-terminated
 * string *out (caller frees) after checking it is 1..MAX_URI_LENGTH bytes
 * of printable ASCII (no NUL, controls, spaces or 8-bit bytes).  Returns 0
 * with *out set, 0 with *out NULL for another GeneralName type, -1 for a
 * malformed URI (logged, citing section rfc).
 */
int	x509ext_uri(const char *fn, const char *rfc, const GENERAL_NAME *gn,
	    char **out);

/*
 * x509ext_uri() for the URI d (len bytes; a uniformResourceIdentifier
 * read from DER): 0 with *out a new string, or -1 for a malformed URI.
 */
int	x509ext_uri_bytes(const char *fn, const char *rfc,
	    const unsigned char *d, int len, char **out);

/* Non-zero if uri starts with "rsync://" (RFC 5781) and has a host part. */
int	x509ext_is_rsync(const char *uri);

/* Non-zero if uri starts with "https://" and has a host part. */
int	x509ext_is_https(const char *uri);

/*
 * The object identifier text oid equals obj.  Returns 1 or 0.
 */
int	x509ext_oid_is(const ASN1_OBJECT *obj, const char *oid);

#endif
