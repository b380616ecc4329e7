/*
 * The DER of an X.509 certificate (RFC 5280 section 4.1) read with
 * validator/der.h: the slices reef needs from it (what the signature
 * covers, the signature, the public key), and a check that the whole
 * certificate is DER (X.690 section 10).
 *
 * The check replaces re-encoding the certificate with OpenSSL and
 * comparing bytes, which cost about one RSA-2048 verification per
 * certificate and left OpenSSL's copy of the TBSCertificate marked as
 * modified, so that every later i2d_X509() re-encoded it again.  It
 * rejects what that comparison rejected (the messages cite the rule):
 *	- lengths not definite or not minimal, tag numbers in high form,
 *	  constructed encodings of strings (X.690 sections 10.1 and 10.2);
 *	- INTEGERs not in minimal form (X.690 section 8.3.2), BOOLEANs not
 *	  one octet, NULLs with contents, malformed OBJECT IDENTIFIERs;
 *	- BIT STRINGs with more than 7 unused bits, unused bits in an
 *	  empty one, or unused bits not zero (X.690 section 11.2);
 *	- an Extension's critical flag FALSE encoded, although it is the
 *	  DEFAULT (X.690 section 11.5).
 * The rest of what re-encoding compared is checked where the field is
 * read: names (x509ext_name_check(); OpenSSL never re-encoded them),
 * the critical flag TRUE as 0xff (found here, reported by cert.c with
 * the extension's name), extension values (x509ext_decode()), the
 * version (it must be 3, so encoded), times (RFC 5280 4.1.2.5).
 *
 * Nothing is allocated: the results point into the caller's buffer.
 */
#ifndef REEF_VALIDATOR_CERTDER_H
#define REEF_VALIDATOR_CERTDER_H

#include <stddef.h>
#include <stdint.h>

#include "validator/der.h"

/* The parts of a certificate, as slices of its DER. */
struct certder {
	struct der_tlv		 tbs;	/* TBSCertificate: what is signed */
	struct der_tlv		 sigalg; /* outer signatureAlgorithm */
	struct der_tlv		 serial; /* serialNumber (its tag unchecked) */
	struct der_tlv		 issuer; /* issuer Name */
	struct der_tlv		 subject; /* subject Name */
	struct der_tlv		 spki;	/* SubjectPublicKeyInfo */
	struct der_tlv		 exts;	/* extensions SEQUENCE OF, or len 0 */
	int			 has_exts;
	/*
	 * Bit i set: extension i (in order, i < 64) has its critical flag
	 * encoded, as neither FALSE nor the DER TRUE 0xff (X.690 section
	 * 11.1).  Set by certder_check() only.
	 */
	uint64_t		 crit_bad;
	const unsigned char	*sig;	/* signature octets */
	size_t			 siglen;
};

/*
 * Find the parts of the certificate der (len bytes, nothing after it).
 * Reads only the framing, so it is meant for bytes that passed
 * certder_check() or OpenSSL's decoder.  Returns NULL, or a static
 * message (citing X.690 or RFC 5280) saying what is wrong.
 */
const char	*certder_split(const unsigned char *der, size_t len,
		    struct certder *out);

/*
 * certder_split(), then the whole certificate checked to be DER as the
 * comment above says.  Returns NULL, or a static message.
 */
const char	*certder_check(const unsigned char *der, size_t len,
		    struct certder *out);

/*
 * The extnValue OCTET STRING of the first extension of c whose extnID is
 * the OBJECT IDENTIFIER oid (dotted text) into *value, for reading the
 * extension's DER inside it.  Returns 1 if found, 0 if c has no such
 * extension, -1 if an Extension is not Extension ::= SEQUENCE { extnID,
 * critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } in DER.
 */
int		 certder_ext(const struct certder *c, const char *oid,
		    struct der_tlv *value);

#endif
