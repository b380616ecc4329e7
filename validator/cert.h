/*
 * RPKI resource certificates (RFC 6487) and BGPsec router certificates
 * (RFC 8209): DER in, a plain struct out, every rule of the profile
 * enforced.  OpenSSL decodes the ASN.1 and checks signatures; the profile
 * rules are ours, so anything OpenSSL tolerates but the RPKI does not
 * (BER, trailing data, lax times, unknown or duplicate extensions ...) is
 * rejected here.
 *
 * Every rejection is logged as a warning naming the file and citing the
 * RFC section, e.g. "x.cer: RFC 6487 section 4.8.1: basicConstraints must
 * be critical".
 *
 * Life cycle of a CA certificate in the tree walk:
 *	c = cert_parse(fn, der, len);           profile checks only
 *	cert_check_ta(c, tal, now, ...)         for a TA, or
 *	cert_check_issued(c, issuer, now, ...)  signature, names, AKI,
 *	                                        validity, resources; on
 *	                                        success inherit is resolved
 * after which c->ips / c->ases hold the effective resources (no inherit
 * left) and c can act as issuer for the next level.
 *
 * Life cycle of the EE certificate of a signed object: validator/cms.c
 * keeps the certificate's DER, cert_parse_ee() checks the profile on it,
 * then cert_check_issued(c, issuer, ...) as above.
 *
 * Both cert_parse() and cert_parse_ee() read the DER with validator/der.h
 * and validator/certder.h alone: no X509 is made, c->x509 stays NULL and
 * c->der holds the certificate.  Whatever needs an OpenSSL X509 of a cert
 * (reef show's names) makes one with cert_x509().  cert_parse_x509() and
 * cert_parse_ee_x509() are the former paths over an X509 OpenSSL decoded,
 * kept as the oracles the differential tests compare the DER readers
 * with (tests/unit/test_certca.c, tests/unit/test_certee.c).
 *
 * Speed: OpenSSL decodes certificates in a library context without
 * providers (cert_x509_decode()), so it does not build a key for each one
 * (costly with OpenSSL 3.0, see validator/pubkey.h).  The key profile is
 * judged on the DER; a TA or CA gets a struct pubkey_rsa_key for what it
 * verifies; signatures are checked over the TBSCertificate as received;
 * DER is checked by validator/certder.h instead of re-encoding, and the
 * serial number and key identifier are read from the DER too.
 */
#ifndef REEF_VALIDATOR_CERT_H
#define REEF_VALIDATOR_CERT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/hash.h"
#include "validator/as.h"
#include "validator/ip.h"
#include "validator/tal.h"

/* RFC 6487 section 4.8.2: the key identifier is a 160-bit SHA-1 hash. */
#define CERT_KEYID_LEN		20
/* RFC 6487 section 4.2 / RFC 5280 section 4.1.2.2: serial at most 20 octets. */
#define CERT_SERIAL_MAX_LEN	20
/* RFC 7935 section 3: RSA modulus size of resource certificates. */
#define CERT_RSA_BITS		2048
/* RFC 7935 section 3: RSA public exponent. */
#define CERT_RSA_EXPONENT	65537

enum cert_purpose {
	CERT_TA,	/* self-signed trust anchor (RFC 6487, RFC 8630) */
	CERT_CA,	/* CA certificate below a TA */
	CERT_EE,	/* EE certificate of a signed object */
	CERT_ROUTER	/* BGPsec router certificate (RFC 8209) */
};

/* validator/pubkey.h */
struct pubkey_rsa_key;

/* Flags for cert_parse_ee(): the SIA must be absent (RFC 9323 RSC). */
#define CERT_EE_NO_SIA	0x01

struct cert {
	enum cert_purpose purpose;
	X509		*x509;		/* owned; only from *_x509() */
	unsigned char	 ski[CERT_KEYID_LEN];
	unsigned char	 aki[CERT_KEYID_LEN];
	int		 has_aki;	/* 0 only for a TA that omits AKI */
	char		*aia;		/* caIssuers rsync URI; NULL on a TA */
	char		*crldp;		/* CRL rsync URI; NULL on a TA */
	char		*repo;		/* CA: caRepository rsync URI (ends in '/') */
	char		*mft;		/* CA: rpkiManifest rsync URI (ends in ".mft") */
	char		*notify;	/* CA: rpkiNotify https URI, or NULL */
	char		*signedobj;	/* EE: signedObject rsync URI, or NULL */
	int64_t		 notbefore;
	int64_t		 notafter;
	struct ip_res	*ips;		/* NULL if the extension is absent */
	struct as_res	*ases;		/* NULL if the extension is absent */
	struct pubkey_rsa_key *key;	/* TA, CA: the key, to verify with */
	unsigned char	*spki;		/* DER SubjectPublicKeyInfo */
	size_t		 spki_len;
	char		*serial;	/* serial number, lowercase hex */
	/* The serial number's octets, big-endian, no leading zero octet. */
	unsigned char	 serial_raw[CERT_SERIAL_MAX_LEN];
	size_t		 serial_raw_len;
	/* The DER the cert was read from (OPENSSL_free()), or NULL */
	unsigned char	*der;
	size_t		 der_len;
	/*
	 * The DER of the issuer and subject Names (RFC 5280 section
	 * 4.1.2.4): slices of der, or else of x509's own encoding.
	 */
	const unsigned char *issuer_name;
	size_t		 issuer_name_len;
	const unsigned char *subject_name;
	size_t		 subject_name_len;
	/* SHA-256 of the DER cert_parse*() read (not by cert_parse_ee*()) */
	unsigned char	 der_hash[HASH_SHA256_LEN];
	int		 has_der_hash;
};

/*
 * Parse a .cer file: a TA, a CA or a BGPsec router certificate, decided by
 * content; any other EE certificate is rejected.  A CA certificate whose
 * subject equals its issuer is taken as a TA, so its AKI must be absent or
 * equal to its SKI.  der must be exactly one DER certificate.  Read
 * from the DER without OpenSSL's X509 (validator/certee.c): c->x509 is
 * NULL, c->der a copy of der.  Accepts and refuses exactly what
 * cert_parse_x509() does, with the same fields.  Returns a new cert (free
 * with cert_free()), or NULL after logging why.
 */
struct cert	*cert_parse(const char *fn, const unsigned char *der,
		    size_t len);

/*
 * cert_parse() through OpenSSL's decoder: the cert holds the X509 (and
 * c->der is NULL).  The oracle of the differential test.
 */
struct cert	*cert_parse_x509(const char *fn, const unsigned char *der,
		    size_t len);

/*
 * Decode one certificate from *pp (at most len bytes) as d2i_X509() does,
 * advancing *pp past it, but without decoding its public key: the X509
 * lives in a library context that has no provider, so X509_get0_pubkey()
 * and X509_verify() fail on it (use pubkey_rsa_from_x509() and
 * cert_check_issued()); names, extensions, serial and i2d_X509() work.
 * Returns a new X509 (X509_free()), or NULL with OpenSSL's error queued.
 */
X509		*cert_x509_decode(const unsigned char **pp, size_t len);

/*
 * Check the EE certificate of a signed object, der (len bytes, its DER as
 * found in the CMS SignedData), against the profile (RFC 6487 section 4)
 * without OpenSSL's X509: the cert keeps its own copy of der and has
 * x509 NULL.  flags: CERT_EE_NO_SIA or 0 (then an SIA with an rsync
 * signedObject URI is required, RFC 6487 section 4.8.8.2).  Signature,
 * issuer and resources are checked later by cert_check_issued(), over
 * the DER kept in the cert.  Accepts and refuses exactly what
 * cert_parse_ee_x509() does.  Returns a new cert with purpose CERT_EE,
 * or NULL after logging why.  (validator/certee.c)
 */
struct cert	*cert_parse_ee(const char *fn, const unsigned char *der,
		    size_t len, int flags);

/*
 * cert_parse_ee() over an X509 OpenSSL decoded (cert_x509_decode()): x is
 * not consumed, the cert takes its own reference.  DER is checked on the
 * bytes i2d_X509() gives, which for a decoded certificate are the
 * TBSCertificate as received.  The oracle of the differential test, and
 * for callers that hold only an X509.
 */
struct cert	*cert_parse_ee_x509(const char *fn, X509 *x, int flags);

/*
 * An X509 of c, for what needs OpenSSL's view (printing names): a new
 * reference to c->x509, or else c->der decoded (see cert_x509_decode()).
 * Returns it (X509_free()), or NULL.
 */
X509		*cert_x509(const struct cert *c);

/* Release cert and everything it owns; NULL is allowed. */
void		 cert_free(struct cert *cert);

/*
 * Check a TA certificate against its TAL (RFC 8630 section 2.3): purpose
 * CERT_TA, public key equal to the TAL's, valid self-signature, validity
 * at now, no inherit in its resources (RFC 6487 section 7.2).  Returns 0,
 * or -1 with a reason (naming the RFC) in why (whylen bytes, may be 0).
 */
int		 cert_check_ta(const struct cert *cert, const struct tal *tal,
		    int64_t now, char *why, size_t whylen);

/*
 * Check child against its issuer (a TA or CA already validated, so with
 * no inherit left): issuer name, AKI = issuer SKI, signature by the issuer
 * key, validity at now, resources contained in the issuer's (RFC 6487
 * section 7.2, RFC 3779 sections 2.3 and 3.3).  On success returns 0 and
 * replaces inherit in child's resources by the issuer's (so child's
 * resources become the effective ones).  On failure returns -1, leaves
 * child unchanged and puts a reason in why.
 */
int		 cert_check_issued(struct cert *child, const struct cert *issuer,
		    int64_t now, char *why, size_t whylen);

/*
 * The resource part of cert_check_issued() alone: child's resources within
 * issuer's, then inherit resolved.  For a child whose signature and
 * validity were checked before with the same inputs (validator/ppmemo.c).
 * Returns 0, or -1 with a reason in why (child unchanged).
 */
int		 cert_check_resources(struct cert *child,
		    const struct cert *issuer, char *why, size_t whylen);

/*
 * Returns 1 if the DER Names a (alen bytes) and b (blen bytes) are the
 * same name: the same octets, or else equal as X509_NAME_cmp() compares
 * them (RFC 5280 section 7.1); 0 if not or if either does not decode.
 */
int		 cert_names_equal(const unsigned char *a, size_t alen,
		    const unsigned char *b, size_t blen);

/* Static name of a purpose: "TA", "CA", "EE", "router". */
const char	*cert_purpose_name(enum cert_purpose purpose);

#endif
