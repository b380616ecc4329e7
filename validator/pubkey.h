/*
 * Public keys of resource certificates, read from the DER of their
 * SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7) with validator/der.h,
 * and made into an OpenSSL key only when a signature is to be checked
 * with them.
 *
 * Why not d2i_PUBKEY() or X509_get0_pubkey(): OpenSSL 3.0 sets up a
 * provider decoder for every key it decodes, which costs several RSA-2048
 * verifications (OpenSSL issues 17950 and 19119, fixed in 3.2).  So
 * certificates are decoded without a provider (cert_x509_decode() in
 * validator/cert.h), their key profile is judged on the bytes
 * (RFC 7935 section 3) and pubkey_rsa_new() builds the key from its
 * modulus and exponent, about as costly as a twentieth of a verification.
 *
 * Nothing is allocated by the parsers: the structs point into the
 * caller's buffer.
 */
#ifndef REEF_VALIDATOR_PUBKEY_H
#define REEF_VALIDATOR_PUBKEY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "validator/der.h"

/* Largest RSA modulus pubkey_rsa_new() takes: OpenSSL's own limit. */
#define PUBKEY_RSA_MAX_BITS	16384
/* RFC 5480 section 2.1.1: id-ecPublicKey, and the curve secp256r1. */
#define PUBKEY_OID_EC		"1.2.840.10045.2.1"
#define PUBKEY_OID_P256		"1.2.840.10045.3.1.7"

enum pubkey_err {
	PUBKEY_OK = 0,
	PUBKEY_MALFORMED,	/* not the syntax of the structure */
	PUBKEY_NOT_DER		/* the syntax, but not in DER (X.690 10) */
};

/* A SubjectPublicKeyInfo, as slices of the DER it was read from. */
struct pubkey_spki {
	struct der_tlv		 alg;		/* algorithm OID */
	struct der_tlv		 params;	/* parameters, if any */
	int			 has_params;
	const unsigned char	*key;		/* subjectPublicKey octets */
	size_t			 keylen;
};

/* An RSAPublicKey (RFC 8017 appendix A.1.1) as big-endian magnitudes. */
struct pubkey_rsa {
	const unsigned char	*n;		/* no leading zero octet */
	size_t			 nlen;
	const unsigned char	*e;		/* no leading zero octet */
	size_t			 elen;
};

/*
 * Read the SubjectPublicKeyInfo der (len bytes, nothing after it): DER
 * throughout, a BIT STRING key without unused bits.
 */
enum pubkey_err	 pubkey_spki_parse(const unsigned char *der, size_t len,
		    struct pubkey_spki *out);

/* Returns 1 if spki's algorithm is rsaEncryption (RFC 8017), else 0. */
int		 pubkey_spki_is_rsa(const struct pubkey_spki *spki);

/*
 * Read the subjectPublicKey of spki as an RSAPublicKey: DER, nothing
 * after it, modulus and exponent positive.  Does not look at the
 * algorithm identifier.
 */
enum pubkey_err	 pubkey_rsa_parse(const struct pubkey_spki *spki,
		    struct pubkey_rsa *out);

/* Size of the modulus of k in bits. */
size_t		 pubkey_rsa_bits(const struct pubkey_rsa *k);

/* Returns 1 if the public exponent of k is e, else 0. */
int		 pubkey_rsa_exponent_is(const struct pubkey_rsa *k, uint64_t e);

/*
 * A new OpenSSL key (in the default library context) for k, or NULL if
 * the modulus is over PUBKEY_RSA_MAX_BITS or OpenSSL fails.  Free with
 * EVP_PKEY_free().
 */
EVP_PKEY	*pubkey_rsa_new(const struct pubkey_rsa *k);

/*
 * Returns 1 if spki is an id-ecPublicKey with the namedCurve secp256r1
 * (RFC 5480 section 2.1.1), else 0.
 */
int		 pubkey_spki_is_p256(const struct pubkey_spki *spki);

/*
 * Returns 1 if the subjectPublicKey of spki, a P-256 key, is a point on
 * the curve in compressed or uncompressed form (SEC 1 section 2.3.3;
 * RFC 5480 section 2.2), else 0.  OpenSSL checks the point.
 */
int		 pubkey_p256_point_ok(const struct pubkey_spki *spki);

/*
 * The RSA key of x (rsaEncryption with NULL or absent parameters) as a
 * new OpenSSL key, or NULL if it is not one or is malformed.  Works for
 * certificates decoded with or without a provider.
 */
EVP_PKEY	*pubkey_rsa_from_x509(X509 *x);

/*
 * Returns 1 if sig (siglen bytes) is a valid RSA PKCS #1 v1.5 SHA-256
 * signature (sha256WithRSAEncryption, RFC 7935 section 2) by key over
 * msg (len bytes), else 0.  Leaves no error on OpenSSL's queue.
 */
int		 pubkey_verify_sha256(EVP_PKEY *key, const unsigned char *msg,
		    size_t len, const unsigned char *sig, size_t siglen);

#endif
