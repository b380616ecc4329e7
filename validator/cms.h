/*
 * RPKI signed objects: the CMS SignedData wrapper of RFC 6488 (updated by
 * RFC 9589 for signing-time) around the eContent of a ROA, manifest,
 * ASPA, TAK or RSC.
 *
 * cms_parse() enforces the whole wrapper profile and verifies the
 * signature with the key of the single embedded EE certificate.  It does
 * not judge the EE certificate itself (that is cert_parse_ee() in
 * validator/cert.h, on the DER kept in the cms_object) nor its issuer:
 * the caller does both.
 *
 * Every rejection is logged as a warning naming the file and citing the
 * RFC section.
 */
#ifndef REEF_VALIDATOR_CMS_H
#define REEF_VALIDATOR_CMS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1t.h>
#include <openssl/x509.h>

#include "validator/der.h"
#include "validator/oid.h"

struct cms_object {
	unsigned char	*econtent;	/* eContent octets (DER of the payload) */
	size_t		 econtent_len;
	unsigned char	*ee_der;	/* DER of the EE certificate (owned) */
	size_t		 ee_der_len;
	int		 has_signing_time;
	int64_t		 signing_time;	/* RFC 9589: seconds since the epoch */
	int		 has_binary_signing_time;
	int64_t		 binary_signing_time; /* RFC 6019 */
};

/*
 * Parse and check the signed object der (len bytes) whose eContentType
 * must be econtent_type.  Returns a new cms_object (free with
 * cms_object_free()), or NULL after logging why.
 */
struct cms_object	*cms_parse(const char *fn, const unsigned char *der,
			    size_t len, enum oid_id econtent_type);

/* Release obj and everything it owns; NULL is allowed. */
void			 cms_object_free(struct cms_object *obj);

/*
 * Decoding helpers shared by the eContent parsers.
 *
 * cms_der_decode() decodes der (len bytes) as it, requires that every
 * byte is consumed and that re-encoding gives back exactly the input
 * (DER, X.690 section 10).  what names the structure and the RFC in
 * messages ("RFC 9582 section 4: RouteOriginAttestation").  Returns the
 * value (free with ASN1_item_free(v, it)) or NULL after logging why.
 */
ASN1_VALUE		*cms_der_decode(const char *fn, const char *what,
			    const ASN1_ITEM *it, const unsigned char *der,
			    size_t len);

/*
 * Store an ASN.1 INTEGER that must lie within 0..UINT32_MAX (an AS number
 * per RFC 6793, or a version) in *out.  Returns 0, or -1 if it is
 * negative, too large or malformed.
 */
int			 cms_integer_u32(const ASN1_INTEGER *i, uint32_t *out);

/*
 * Check a "version [0] INTEGER DEFAULT def" field of an eContent (v is
 * NULL when absent): its value must be want, and X.690 section 11.5
 * forbids encoding the DEFAULT value explicitly.  Returns 0 or -1 after
 * logging why, citing rfc.
 */
int			 cms_check_version(const char *fn, const char *rfc,
			    const ASN1_INTEGER *v, long def, long want);

/*
 * Log that the eContent what (e.g. "RFC 9582 section 4:
 * RouteOriginAttestation") read with validator/der.h is not DER, err
 * saying why.  Returns -1.
 */
int			 cms_econtent_not_der(const char *fn, const char *what,
			    enum der_err err);

/*
 * The eContent what has its "version [0] INTEGER DEFAULT 0" encoded (t,
 * the [0] element), and 0 is the only version allowed: refused whatever
 * it holds, as DER leaves a DEFAULT value out (X.690 section 11.5).  Logs
 * why, citing rfc.  Returns -1.
 */
int			 cms_econtent_version(const char *fn, const char *rfc,
			    const char *what, const struct der_tlv *t);

#endif
