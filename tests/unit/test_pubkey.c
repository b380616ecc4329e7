/*
 * Tests for validator/pubkey.c: SubjectPublicKeyInfo and RSAPublicKey
 * read from DER (every rejection path on hand-made encodings), RSA keys
 * made from the bytes and compared with OpenSSL's own, signatures, and
 * the P-256 checks of router keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "validator/cert.h"
#include "validator/pubkey.h"

#include "suite.h"

#define BYTES(...)	((const unsigned char []){ __VA_ARGS__ })
#define LEN(...)	sizeof(BYTES(__VA_ARGS__))
#define SPKI(out, ...)	spki_parse(BYTES(__VA_ARGS__), \
			    LEN(__VA_ARGS__), (out))

/* Keys made once per suite run: generating RSA keys is slow. */
static EVP_PKEY *rsa_key, *ec_key;

static int
pubkey_init(void)
{
	rsa_key = EVP_RSA_gen(2048);
	ec_key = EVP_EC_gen("P-256");
	return rsa_key == NULL || ec_key == NULL ? -1 : 0;
}

static int
pubkey_cleanup(void)
{
	EVP_PKEY_free(rsa_key);
	EVP_PKEY_free(ec_key);
	return 0;
}

/*
 * pubkey_spki_parse() of a copy of der (len bytes) that stays valid until
 * the next call: out points into it.
 */
static enum pubkey_err
spki_parse(const unsigned char *der, size_t len, struct pubkey_spki *out)
{
	static unsigned char	buf[64];

	CU_ASSERT_FATAL(len <= sizeof(buf));
	memcpy(buf, der, len);
	return pubkey_spki_parse(buf, len, out);
}

/* The DER SubjectPublicKeyInfo of key (OpenSSL's encoding). */
static unsigned char *
spki_of(EVP_PKEY *key, size_t *len)
{
	unsigned char	*der = NULL;
	int		 n;

	n = i2d_PUBKEY(key, &der);
	CU_ASSERT_FATAL(n > 0);
	*len = (size_t)n;
	return der;
}

/* The RSAPublicKey bytes k, as an rsaEncryption SPKI with NULL params. */
static enum pubkey_err
rsa_parse(const unsigned char *k, size_t klen, struct pubkey_rsa *out)
{
	static unsigned char	buf[64];
	static const unsigned char head[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a,
	    0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };
	struct pubkey_spki	spki;
	size_t			n = 0, inner;
	enum pubkey_err		e;

	CU_ASSERT_FATAL(klen + sizeof(head) + 5 < sizeof(buf));
	inner = sizeof(head) + 2 + 1 + klen;
	buf[n++] = 0x30;
	buf[n++] = (unsigned char)inner;
	memcpy(buf + n, head, sizeof(head));
	n += sizeof(head);
	buf[n++] = 0x03;
	buf[n++] = (unsigned char)(klen + 1);
	buf[n++] = 0x00;
	memcpy(buf + n, k, klen);
	n += klen;
	e = pubkey_spki_parse(buf, n, &spki);
	CU_ASSERT_EQUAL_FATAL(e, PUBKEY_OK);
	CU_ASSERT(pubkey_spki_is_rsa(&spki));
	return pubkey_rsa_parse(&spki, out);
}

#define RSA_PARSE(out, ...)	rsa_parse(BYTES(__VA_ARGS__), \
				    LEN(__VA_ARGS__), (out))

/* A real key: parsed, profiled, rebuilt equal to OpenSSL's. */
static void
test_pubkey_rsa_real(void)
{
	struct pubkey_spki	 spki;
	struct pubkey_rsa	 rsa;
	unsigned char		*der;
	size_t			 len;
	EVP_PKEY		*k;

	der = spki_of(rsa_key, &len);
	CU_ASSERT_EQUAL_FATAL(pubkey_spki_parse(der, len, &spki), PUBKEY_OK);
	CU_ASSERT(pubkey_spki_is_rsa(&spki));
	CU_ASSERT(!pubkey_spki_is_p256(&spki));
	CU_ASSERT(spki.has_params);
	CU_ASSERT_EQUAL(spki.params.tag, DER_NULL);
	CU_ASSERT_EQUAL_FATAL(pubkey_rsa_parse(&spki, &rsa), PUBKEY_OK);
	CU_ASSERT_EQUAL(pubkey_rsa_bits(&rsa), 2048);
	CU_ASSERT_EQUAL(rsa.nlen, 256);
	CU_ASSERT(pubkey_rsa_exponent_is(&rsa, 65537));
	CU_ASSERT(!pubkey_rsa_exponent_is(&rsa, 3));
	k = pubkey_rsa_new(&rsa);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(k, rsa_key), 1);
	CU_ASSERT_EQUAL(EVP_PKEY_get_bits(k), 2048);
	EVP_PKEY_free(k);
	/* Trailing data after the SPKI. */
	CU_ASSERT_EQUAL(pubkey_spki_parse(der, len - 1, &spki),
	    PUBKEY_MALFORMED);
	OPENSSL_free(der);
}

/* SubjectPublicKeyInfo framing, algorithm, BIT STRING. */
static void
test_pubkey_spki(void)
{
	struct pubkey_spki	s;

	/* Minimal good one: alg 1.2 without parameters, key 0xaa. */
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x09, 0x30, 0x03, 0x06, 0x01, 0x2a,
	    0x03, 0x02, 0x00, 0xaa), PUBKEY_OK);
	CU_ASSERT(!s.has_params);
	CU_ASSERT_EQUAL(s.keylen, 1);
	CU_ASSERT_EQUAL(s.key[0], 0xaa);
	CU_ASSERT(!pubkey_spki_is_rsa(&s));
	/* Unused bits in the key: not whole octets. */
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x09, 0x30, 0x03, 0x06, 0x01, 0x2a,
	    0x03, 0x02, 0x01, 0xaa), PUBKEY_NOT_DER);
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x09, 0x30, 0x03, 0x06, 0x01, 0x2a,
	    0x03, 0x02, 0x08, 0xaa), PUBKEY_MALFORMED);
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x07, 0x30, 0x03, 0x06, 0x01, 0x2a,
	    0x03, 0x00), PUBKEY_MALFORMED);
	/* Lengths not minimal; indefinite. */
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x81, 0x09, 0x30, 0x03, 0x06, 0x01,
	    0x2a, 0x03, 0x02, 0x00, 0xaa), PUBKEY_NOT_DER);
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x80, 0x30, 0x03, 0x06, 0x01, 0x2a,
	    0x03, 0x02, 0x00, 0xaa, 0x00, 0x00), PUBKEY_NOT_DER);
	/* Parameters must be DER too: a NULL in a BER length. */
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x0c, 0x30, 0x06, 0x06, 0x01, 0x2a,
	    0x05, 0x81, 0x00, 0x03, 0x02, 0x00, 0xaa), PUBKEY_NOT_DER);
	/* Wrong types, missing key, extra element, bad OID. */
	CU_ASSERT_EQUAL(SPKI(&s, 0x31, 0x09, 0x30, 0x03, 0x06, 0x01, 0x2a,
	    0x03, 0x02, 0x00, 0xaa), PUBKEY_MALFORMED);
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x09, 0x30, 0x03, 0x06, 0x01, 0x2a,
	    0x04, 0x02, 0x00, 0xaa), PUBKEY_MALFORMED);
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x05, 0x30, 0x03, 0x06, 0x01, 0x2a),
	    PUBKEY_MALFORMED);
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x0b, 0x30, 0x03, 0x06, 0x01, 0x2a,
	    0x03, 0x02, 0x00, 0xaa, 0x05, 0x00), PUBKEY_MALFORMED);
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x09, 0x30, 0x03, 0x06, 0x01, 0x80,
	    0x03, 0x02, 0x00, 0xaa), PUBKEY_MALFORMED);
	CU_ASSERT_EQUAL(SPKI(&s, 0x30), PUBKEY_MALFORMED);
}

/* RSAPublicKey: integers in minimal form, positive, nothing after. */
static void
test_pubkey_rsa_values(void)
{
	struct pubkey_rsa	r;

	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x07, 0x02, 0x02, 0x00, 0xc1,
	    0x02, 0x01, 0x03), PUBKEY_OK);
	CU_ASSERT_EQUAL(r.nlen, 1);
	CU_ASSERT_EQUAL(r.n[0], 0xc1);
	CU_ASSERT_EQUAL(pubkey_rsa_bits(&r), 8);
	CU_ASSERT(pubkey_rsa_exponent_is(&r, 3));
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x06, 0x02, 0x01, 0x11, 0x02, 0x01,
	    0x03), PUBKEY_OK);
	CU_ASSERT_EQUAL(pubkey_rsa_bits(&r), 5);
	/* Padded modulus, padded exponent: BER. */
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x08, 0x02, 0x03, 0x00, 0x00, 0xc1,
	    0x02, 0x01, 0x03), PUBKEY_NOT_DER);
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x08, 0x02, 0x02, 0x00, 0xc1,
	    0x02, 0x02, 0x00, 0x03), PUBKEY_NOT_DER);
	/* Negative modulus, zero modulus, empty INTEGER, negative e. */
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x06, 0x02, 0x01, 0xc1, 0x02, 0x01,
	    0x03), PUBKEY_MALFORMED);
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01,
	    0x03), PUBKEY_MALFORMED);
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x05, 0x02, 0x00, 0x02, 0x01,
	    0x03), PUBKEY_MALFORMED);
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x06, 0x02, 0x01, 0x11, 0x02, 0x01,
	    0xfd), PUBKEY_MALFORMED);
	/* Missing exponent, extra element, trailing bytes, wrong type. */
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x03, 0x02, 0x01, 0x11),
	    PUBKEY_MALFORMED);
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x09, 0x02, 0x01, 0x11, 0x02, 0x01,
	    0x03, 0x02, 0x01, 0x03), PUBKEY_MALFORMED);
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x06, 0x02, 0x01, 0x11, 0x02, 0x01,
	    0x03, 0x00), PUBKEY_MALFORMED);
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x31, 0x06, 0x02, 0x01, 0x11, 0x02, 0x01,
	    0x03), PUBKEY_MALFORMED);
	/* A long length in the RSAPublicKey: BER. */
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x81, 0x06, 0x02, 0x01, 0x11, 0x02,
	    0x01, 0x03), PUBKEY_NOT_DER);
	/* An exponent wider than 64 bits is never the one asked for. */
	CU_ASSERT_EQUAL(RSA_PARSE(&r, 0x30, 0x0f, 0x02, 0x01, 0x11, 0x02, 0x0a,
	    0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x01), PUBKEY_OK);
	CU_ASSERT(!pubkey_rsa_exponent_is(&r, 1));
}

/* Keys over PUBKEY_RSA_MAX_BITS are refused, not truncated. */
static void
test_pubkey_rsa_limits(void)
{
	static unsigned char	big[PUBKEY_RSA_MAX_BITS / 8 + 1];
	struct pubkey_rsa	r;
	EVP_PKEY		*k;

	ERR_clear_error();
	memset(big, 0xc5, sizeof(big));
	r.n = big;
	r.nlen = sizeof(big);
	r.e = BYTES(0x01, 0x00, 0x01);
	r.elen = 3;
	CU_ASSERT_PTR_NULL(pubkey_rsa_new(&r));
	r.nlen = sizeof(big) - 1;
	k = pubkey_rsa_new(&r);
	CU_ASSERT_PTR_NOT_NULL(k);
	CU_ASSERT_EQUAL(EVP_PKEY_get_bits(k), PUBKEY_RSA_MAX_BITS);
	EVP_PKEY_free(k);
	CU_ASSERT_EQUAL(ERR_peek_error(), 0);
}

/* Signatures made by OpenSSL verify with the rebuilt key, and only them. */
static void
test_pubkey_verify(void)
{
	unsigned char	 msg[300], sig[256];
	size_t		 siglen = sizeof(sig);
	EVP_MD_CTX	*ctx;
	EVP_PKEY	*k;
	X509		*x;
	X509_NAME	*nm;
	unsigned char	*der = NULL;
	const unsigned char *p;
	int		 n;

	memset(msg, 0x42, sizeof(msg));
	ctx = EVP_MD_CTX_new();
	CU_ASSERT_FATAL(ctx != NULL && EVP_DigestSignInit(ctx, NULL,
	    EVP_sha256(), NULL, rsa_key) == 1 && EVP_DigestSign(ctx, sig,
	    &siglen, msg, sizeof(msg)) == 1);
	EVP_MD_CTX_free(ctx);
	/* The key of a certificate decoded without a provider. */
	x = X509_new();
	nm = X509_NAME_new();
	CU_ASSERT_FATAL(x != NULL && nm != NULL);
	CU_ASSERT_FATAL(X509_NAME_add_entry_by_NID(nm, NID_commonName,
	    MBSTRING_ASC, (const unsigned char *)"k", -1, -1, 0));
	CU_ASSERT_FATAL(X509_set_subject_name(x, nm) &&
	    X509_set_issuer_name(x, nm) && X509_set_pubkey(x, rsa_key) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
	    X509_gmtime_adj(X509_getm_notAfter(x), 60) != NULL &&
	    X509_sign(x, rsa_key, EVP_sha256()) > 0);
	n = i2d_X509(x, &der);
	CU_ASSERT_FATAL(n > 0);
	X509_free(x);
	X509_NAME_free(nm);
	p = der;
	x = cert_x509_decode(&p, (size_t)n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_EQUAL(p, der + n);
	CU_ASSERT_PTR_NULL(X509_get0_pubkey(x));	/* no provider there */
	ERR_clear_error();
	k = pubkey_rsa_from_x509(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(k, rsa_key), 1);
	CU_ASSERT(pubkey_verify_sha256(k, msg, sizeof(msg), sig, siglen));
	msg[7] ^= 1;
	CU_ASSERT(!pubkey_verify_sha256(k, msg, sizeof(msg), sig, siglen));
	msg[7] ^= 1;
	CU_ASSERT(!pubkey_verify_sha256(k, msg, sizeof(msg), sig,
	    siglen - 1));
	CU_ASSERT_EQUAL(ERR_peek_error(), 0);
	EVP_PKEY_free(k);
	X509_free(x);
	OPENSSL_free(der);
}

/* pubkey_rsa_from_x509() of a certificate whose key is not RSA. */
static void
test_pubkey_from_x509_ec(void)
{
	X509		*x;

	x = X509_new();
	CU_ASSERT_FATAL(x != NULL && X509_set_pubkey(x, ec_key));
	CU_ASSERT_PTR_NULL(pubkey_rsa_from_x509(x));
	X509_free(x);
}

/* A P-256 SPKI with the point given, for pubkey_p256_point_ok(). */
static int
p256_with(const unsigned char *pt, size_t len)
{
	struct pubkey_spki	s;

	memset(&s, 0, sizeof(s));
	s.key = pt;
	s.keylen = len;
	return pubkey_p256_point_ok(&s);
}

/* Router keys: the curve, the point forms, points off the curve. */
static void
test_pubkey_p256(void)
{
	struct pubkey_spki	 s;
	unsigned char		*der, pt[65], cpt[33];
	size_t			 len;

	der = spki_of(ec_key, &len);
	CU_ASSERT_EQUAL_FATAL(pubkey_spki_parse(der, len, &s), PUBKEY_OK);
	CU_ASSERT(pubkey_spki_is_p256(&s));
	CU_ASSERT(!pubkey_spki_is_rsa(&s));
	CU_ASSERT_EQUAL_FATAL(s.keylen, sizeof(pt));
	CU_ASSERT(pubkey_p256_point_ok(&s));
	memcpy(pt, s.key, sizeof(pt));
	/* The same point compressed: 02 or 03 after the parity of y. */
	cpt[0] = 0x02 | (pt[64] & 1);
	memcpy(cpt + 1, pt + 1, 32);
	CU_ASSERT(p256_with(cpt, sizeof(cpt)));
	/* A point off the curve, the other y, infinity, hybrid, sizes. */
	pt[64] ^= 1;
	CU_ASSERT(!p256_with(pt, sizeof(pt)));
	pt[64] ^= 1;
	CU_ASSERT(p256_with(pt, sizeof(pt)));
	CU_ASSERT(!p256_with(BYTES(0x00), 1));
	pt[0] = 0x06 | (pt[64] & 1);
	CU_ASSERT(!p256_with(pt, sizeof(pt)));
	pt[0] = 0x04;
	CU_ASSERT(!p256_with(pt, sizeof(pt) - 1));
	CU_ASSERT(!p256_with(cpt, sizeof(cpt) - 1));
	CU_ASSERT(!p256_with(pt, 0));
	CU_ASSERT_EQUAL(ERR_peek_error(), 0);
	OPENSSL_free(der);
	/* Another curve (secp384r1), and no parameters at all. */
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x15, 0x30, 0x10, 0x06, 0x07, 0x2a,
	    0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04,
	    0x00, 0x22, 0x03, 0x01, 0x00), PUBKEY_OK);
	CU_ASSERT(!pubkey_spki_is_p256(&s));
	CU_ASSERT_EQUAL(SPKI(&s, 0x30, 0x0e, 0x30, 0x09, 0x06, 0x07, 0x2a,
	    0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x03, 0x01, 0x00), PUBKEY_OK);
	CU_ASSERT(!pubkey_spki_is_p256(&s));
}

REEF_SUITE_FULL(pubkey, pubkey_init, pubkey_cleanup,
    REEF_TEST(test_pubkey_rsa_real),
    REEF_TEST(test_pubkey_spki),
    REEF_TEST(test_pubkey_rsa_values),
    REEF_TEST(test_pubkey_rsa_limits),
    REEF_TEST(test_pubkey_verify),
    REEF_TEST(test_pubkey_from_x509_ec),
    REEF_TEST(test_pubkey_p256));
