/*
 * Public keys of resource certificates, read from the DER of their
 * SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7) with validator/der.h,
 * and signatures checked with them.
 *
 * Why not d2i_PUBKEY() or X509_get0_pubkey(): OpenSSL 3.0 sets up a
 * provider decoder for every key it decodes, which costs several RSA-2048
 * verifications (OpenSSL issues 17950 and 19119, fixed in 3.2).  So
 * certificates are decoded without a provider (cert_x509_decode() in
 * validator/cert.h) and their key profile is judged on the bytes
 * (RFC 7935 section 3).
 *
 * Nor does a signature need an OpenSSL key (EVP_PKEY): RSASSA-PKCS1-v1_5
 * verification (RFC 8017 section 8.2.2) is a modular exponentiation,
 * done with OpenSSL's bignums on the modulus and exponent, and a
 * comparison with the encoding of the digest.  Building an EVP_PKEY and
 * setting up a verification through it cost a quarter of checking the
 * EE signature of a signed object (its key is used once:
 * pubkey_rsa_verify_digest()) and a sixth of checking a certificate
 * with its issuer's key (set up once: struct pubkey_rsa_key).
 * pubkey_rsa_new() remains for OpenSSL's own checks (X509_CRL_verify()).
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

#include "common/hash.h"
#include "validator/der.h"

/* Largest RSA modulus pubkey_rsa_new() takes: OpenSSL's own limit. */
#define PUBKEY_RSA_MAX_BITS	16384
/*
 * OpenSSL's other limit on RSA public keys, which the verification here
 * keeps too: above this many modulus bits, the public exponent has at
 * most PUBKEY_RSA_MAX_EXP_BITS bits.
 */
#define PUBKEY_RSA_SMALL_BITS	3072
#define PUBKEY_RSA_MAX_EXP_BITS	64
/* RFC 5280 section 4.2.1.2 method (1): a key identifier is a SHA-1. */
#define PUBKEY_KEYID_LEN	20
/* RFC 5480 section 2.1.1: id-ecPublicKey, and the curve secp256r1. */
#define PUBKEY_OID_EC		"1.2.840.10045.2.1"
#define PUBKEY_OID_P256		"1.2.840.10045.3.1.7"

enum pubkey_err {
	PUBKEY_OK = 0,
	PUBKEY_MALFORMED,	/* not the syntax of the structure */
	PUBKEY_NOT_DER,		/* the syntax, but not in DER (X.690 10) */
	PUBKEY_NOT_RSA		/* another algorithm or RSA parameters */
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

/*
 * pubkey_spki_parse() and pubkey_rsa_parse() of the SubjectPublicKeyInfo
 * der (len bytes): PUBKEY_NOT_RSA unless its algorithm is rsaEncryption
 * with NULL or absent parameters (RFC 4055 section 1.2).  out points
 * into der.
 */
enum pubkey_err	 pubkey_rsa_from_spki(const unsigned char *der, size_t len,
		    struct pubkey_rsa *out);

/*
 * The key identifier of spki, the SHA-1 of its subjectPublicKey (RFC
 * 5280 section 4.2.1.2 method (1), which RFC 6487 section 4.8.2
 * requires), into out.  Returns 0, or -1 if OpenSSL fails.
 */
int		 pubkey_key_id(const struct pubkey_spki *spki,
		    unsigned char out[PUBKEY_KEYID_LEN]);

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
 * certificates decoded with or without a provider, and reads the key
 * OpenSSL decoded without encoding it again.
 */
EVP_PKEY	*pubkey_rsa_from_x509(X509 *x);

/*
 * Returns 1 if sig (siglen bytes) is a valid RSASSA-PKCS1-v1_5 signature
 * with SHA-256 (sha256WithRSAEncryption, RFC 7935 section 2; RFC 8017
 * section 8.2.2) by the RSA key k of a message whose SHA-256 digest is
 * digest, else 0: the verdict OpenSSL's EVP_DigestVerify() gives with
 * pubkey_rsa_new(k), including its limits on keys (PUBKEY_RSA_MAX_BITS,
 * PUBKEY_RSA_MAX_EXP_BITS, e < n), for a key used once.  Leaves no error
 * on OpenSSL's queue.
 */
int		 pubkey_rsa_verify_digest(const struct pubkey_rsa *k,
		    const unsigned char digest[HASH_SHA256_LEN],
		    const unsigned char *sig, size_t siglen);

/*
 * An RSA public key set up for checking many signatures (a TA's or
 * CA's): modulus and exponent as OpenSSL bignums and the Montgomery
 * form of the modulus, the part of each verification that depends on
 * the key alone, computed once as OpenSSL's own RSA keys do.  Not
 * changed once made, so threads may share it.
 */
struct pubkey_rsa_key;

/*
 * A new key for k, or NULL if k is beyond the limits of
 * pubkey_rsa_verify_digest() or OpenSSL fails.  Free with
 * pubkey_rsa_key_free() (NULL is allowed).
 */
struct pubkey_rsa_key	*pubkey_rsa_key_new(const struct pubkey_rsa *k);
void		 pubkey_rsa_key_free(struct pubkey_rsa_key *key);

/* pubkey_rsa_verify_digest() with key. */
int		 pubkey_rsa_key_verify(const struct pubkey_rsa_key *key,
		    const unsigned char digest[HASH_SHA256_LEN],
		    const unsigned char *sig, size_t siglen);

#endif
