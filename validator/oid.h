/*
 * The object identifiers of RPKI signed objects and of the CMS fields
 * around them, compared by their DER content octets so that no global
 * ASN1_OBJECT has to be created or freed.
 */
#ifndef REEF_VALIDATOR_OID_H
#define REEF_VALIDATOR_OID_H

#include <openssl/asn1.h>

enum oid_id {
	OID_SIGNED_DATA,	/* RFC 5652 section 5.1: id-signedData */
	OID_CT_ROA,		/* RFC 9582 section 3: id-ct-routeOriginAuthz */
	OID_CT_MFT,		/* RFC 9286 section 4.1: id-ct-rpkiManifest */
	OID_CT_GBR,		/* RFC 6493 section 6: id-ct-rpkiGhostbusters */
	OID_CT_RSC,		/* RFC 9323 section 4: id-ct-signedChecklist */
	OID_CT_ASPA,		/* aspa-profile section 2: id-ct-ASPA */
	OID_CT_TAK,		/* RFC 9691 section 3: id-ct-signedTAL */
	OID_CT_SPL,		/* signed prefix list: id-ct-signedPrefixList */
	OID_CONTENT_TYPE,	/* RFC 5652 section 11.1 */
	OID_MESSAGE_DIGEST,	/* RFC 5652 section 11.2 */
	OID_SIGNING_TIME,	/* RFC 5652 section 11.3 */
	OID_BINARY_SIGNING_TIME, /* RFC 6019 section 2 */
	OID_SHA256,		/* RFC 5754 section 2.2 */
	OID_RSA,		/* RFC 3447: rsaEncryption */
	OID_SHA256_RSA,		/* RFC 4055: sha256WithRSAEncryption */
	OID_COUNT
};

/* Returns 1 if obj is the identifier id, else 0 (also for NULL). */
int		 oid_is(const ASN1_OBJECT *obj, enum oid_id id);

/* Returns the dotted form of id (static storage), "?" if out of range. */
const char	*oid_text(enum oid_id id);

/*
 * Returns a new ASN1_OBJECT for id (caller frees with ASN1_OBJECT_free()),
 * or NULL on allocation failure.
 */
ASN1_OBJECT	*oid_new(enum oid_id id);

/*
 * Write the dotted form of obj into buf (always NUL-terminated when size
 * is non-zero), for messages; returns buf.
 */
char		*oid_format(const ASN1_OBJECT *obj, char *buf, size_t size);

/* Buffer size that oid_format() needs for every OID we print. */
#define OID_STRLEN	128

#endif
