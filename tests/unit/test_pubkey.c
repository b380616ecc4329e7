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
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "common/hash.h"
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

/* OpenSSL's verdict on sig over msg with key: 1 or 0. */
static int
evp_verify(EVP_PKEY *key, const unsigned char *msg, size_t len,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX	*ctx;
	int		 ok;

	ok = (ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* The key pubkey_rsa_from_x509() reads from a provider-less X509. */
static void
test_pubkey_from_x509(void)
{
	unsigned char	 msg[300], sig[256];
	size_t		 siglen = sizeof(sig);
	EVP_MD_CTX	*ctx;
	EVP_PKEY	*k;
	X509		*x;
	X509_NAME	*nm;
	unsigned char	*der = NULL;
	const unsigned char *p;
	size_t		 i;
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
	CU_ASSERT(evp_verify(k, msg, sizeof(msg), sig, siglen));
	CU_ASSERT_EQUAL(ERR_peek_error(), 0);
	EVP_PKEY_free(k);
	X509_free(x);
	/* One unused bit in the key's BIT STRING: not whole octets. */
	for (i = 0; i + 4 < (size_t)n; i++)
		if (memcmp(der + i, BYTES(0x03, 0x82, 0x01, 0x0f, 0x00), 5) ==
		    0)
			break;
	CU_ASSERT_FATAL(i + 4 < (size_t)n);
	der[i + 4] = 0x01;
	p = der;
	x = cert_x509_decode(&p, (size_t)n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NULL(pubkey_rsa_from_x509(x));
	X509_free(x);
	OPENSSL_free(der);
}

/* rsa_key's modulus and exponent, pointing into *der (caller frees). */
static void
rsa_key_parts(struct pubkey_rsa *out, unsigned char **der)
{
	struct pubkey_spki	spki;
	size_t			len;

	*der = spki_of(rsa_key, &len);
	CU_ASSERT_EQUAL_FATAL(pubkey_spki_parse(*der, len, &spki), PUBKEY_OK);
	CU_ASSERT_EQUAL_FATAL(pubkey_rsa_parse(&spki, out), PUBKEY_OK);
}

/*
 * The raw RSA operation of rsa_key's private key on em (256 octets):
 * a signature whose encoded message is em, however malformed.
 */
static void
raw_sign(const unsigned char *em, unsigned char *sig)
{
	EVP_PKEY_CTX	*ctx;
	size_t		 siglen = 256;

	ctx = EVP_PKEY_CTX_new(rsa_key, NULL);
	CU_ASSERT_FATAL(ctx != NULL && EVP_PKEY_sign_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 &&
	    EVP_PKEY_sign(ctx, sig, &siglen, em, 256) == 1 && siglen == 256);
	EVP_PKEY_CTX_free(ctx);
}

/*
 * Both verifications of this file (one-shot and with a set-up key) on
 * sig over msg, asserted to agree with OpenSSL's; returns the verdict.
 */
static int
verdicts(const struct pubkey_rsa *r, const struct pubkey_rsa_key *key,
    const unsigned char *msg, size_t len, const unsigned char *sig,
    size_t siglen)
{
	unsigned char	md[HASH_SHA256_LEN];
	int		one, set, ossl;

	CU_ASSERT_FATAL(hash_sha256(msg, len, md) == 0);
	one = pubkey_rsa_verify_digest(r, md, sig, siglen);
	set = pubkey_rsa_key_verify(key, md, sig, siglen);
	ossl = evp_verify(rsa_key, msg, len, sig, siglen);
	CU_ASSERT_EQUAL(one, ossl);
	CU_ASSERT_EQUAL(set, ossl);
	CU_ASSERT_EQUAL(ERR_peek_error(), 0);
	return one;
}

/*
 * RSASSA-PKCS1-v1_5 verification without an OpenSSL key: the verdicts
 * of OpenSSL on real signatures, damaged ones and encoded messages that
 * break each rule of RFC 8017 section 9.2.
 */
static void
test_pubkey_rsa_verify(void)
{
	static const unsigned char info[] = { 0x30, 0x31, 0x30, 0x0d, 0x06,
	    0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
	    0x00, 0x04, 0x20 };
	struct pubkey_rsa	 r;
	struct pubkey_rsa_key	*key;
	unsigned char		*der, msg[300], md[HASH_SHA256_LEN];
	unsigned char		 em[256], good[256], sig[257];
	size_t			 t = sizeof(info) + sizeof(md), i;

	rsa_key_parts(&r, &der);
	key = pubkey_rsa_key_new(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	memset(msg, 0x42, sizeof(msg));
	CU_ASSERT_FATAL(hash_sha256(msg, sizeof(msg), md) == 0);
	/* The encoding of section 9.2 step 5. */
	good[0] = 0x00;
	good[1] = 0x01;
	memset(good + 2, 0xff, sizeof(good) - t - 3);
	good[sizeof(good) - t - 1] = 0x00;
	memcpy(good + sizeof(good) - t, info, sizeof(info));
	memcpy(good + sizeof(good) - sizeof(md), md, sizeof(md));
	raw_sign(good, sig);
	CU_ASSERT(verdicts(&r, key, msg, sizeof(msg), sig, 256));
	/* Another message, a damaged signature, wrong lengths. */
	msg[0] ^= 1;
	CU_ASSERT(!verdicts(&r, key, msg, sizeof(msg), sig, 256));
	msg[0] ^= 1;
	sig[100] ^= 0x10;
	CU_ASSERT(!verdicts(&r, key, msg, sizeof(msg), sig, 256));
	sig[100] ^= 0x10;
	CU_ASSERT(!verdicts(&r, key, msg, sizeof(msg), sig, 255));
	CU_ASSERT(!verdicts(&r, key, msg, sizeof(msg), sig + 1, 255));
	memmove(sig + 1, sig, 256);
	sig[0] = 0x00;
	CU_ASSERT(!verdicts(&r, key, msg, sizeof(msg), sig, 257));
	/* A representative not below n: n itself, all ones. */
	CU_ASSERT(!verdicts(&r, key, msg, sizeof(msg), r.n, r.nlen));
	memset(sig, 0xff, 256);
	CU_ASSERT(!verdicts(&r, key, msg, sizeof(msg), sig, 256));
	/* Each octet of the encoding changed, one at a time. */
	for (i = 0; i < sizeof(em); i++) {
		memcpy(em, good, sizeof(em));
		em[i] ^= i == 0 ? 0x01 : 0x80;
		raw_sign(em, sig);
		CU_ASSERT(!verdicts(&r, key, msg, sizeof(msg), sig, 256));
	}
	/* The DigestInfo without the NULL parameters (RFC 8017 9.2 note 1). */
	memcpy(em, good, sizeof(em));
	memmove(em + 2, em + 4, sizeof(em) - t - 5);
	em[sizeof(em) - t - 3] = 0x00;
	memcpy(em + sizeof(em) - t - 2, BYTES(0x30, 0x2f, 0x30, 0x0b, 0x06,
	    0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04,
	    0x20), 17);
	CU_ASSERT_EQUAL(em[sizeof(em) - sizeof(md) - 1], 0x20);
	raw_sign(em, sig);
	CU_ASSERT(!verdicts(&r, key, msg, sizeof(msg), sig, 256));
	/* Block type 2 instead of 1; the digest shifted by one octet. */
	memcpy(em, good, sizeof(em));
	em[1] = 0x02;
	raw_sign(em, sig);
	CU_ASSERT(!verdicts(&r, key, msg, sizeof(msg), sig, 256));
	memcpy(em, good, sizeof(em));
	memmove(em + sizeof(em) - t - 2, em + sizeof(em) - t - 1, t + 1);
	em[sizeof(em) - 1] = 0x00;
	raw_sign(em, sig);
	CU_ASSERT(!verdicts(&r, key, msg, sizeof(msg), sig, 256));
	pubkey_rsa_key_free(key);
	OPENSSL_free(der);
}

/* OpenSSL's limits on RSA public keys hold here too. */
static void
test_pubkey_rsa_verify_limits(void)
{
	static unsigned char	big[PUBKEY_RSA_MAX_BITS / 8 + 1], e9[9];
	struct pubkey_rsa	r, k;
	unsigned char		*der, md[HASH_SHA256_LEN], sig[sizeof(big)];

	rsa_key_parts(&r, &der);
	memset(md, 0x11, sizeof(md));
	memset(sig, 0x01, sizeof(sig));
	/* e not below n. */
	k = r;
	k.e = r.n;
	k.elen = r.nlen;
	CU_ASSERT_PTR_NULL(pubkey_rsa_key_new(&k));
	/* Over PUBKEY_RSA_MAX_BITS; over 3072 bits with e over 64 bits. */
	memset(big, 0xc5, sizeof(big));
	k.n = big;
	k.nlen = sizeof(big);
	k.e = BYTES(0x01, 0x00, 0x01);
	k.elen = 3;
	CU_ASSERT_PTR_NULL(pubkey_rsa_key_new(&k));
	CU_ASSERT(!pubkey_rsa_verify_digest(&k, md, sig, k.nlen));
	k.nlen = PUBKEY_RSA_SMALL_BITS / 8 + 1;
	memset(e9, 0x01, sizeof(e9));
	k.e = e9;
	k.elen = sizeof(e9);
	CU_ASSERT_PTR_NULL(pubkey_rsa_key_new(&k));
	CU_ASSERT(!pubkey_rsa_verify_digest(&k, md, sig, k.nlen));
	k.elen = sizeof(e9) - 1;
	pubkey_rsa_key_free(pubkey_rsa_key_new(&k));
	/* A modulus too short for the encoding of a SHA-256 digest. */
	k.n = r.n;
	k.nlen = 61;
	k.e = r.e;
	k.elen = r.elen;
	CU_ASSERT(!pubkey_rsa_verify_digest(&k, md, sig, k.nlen));
	CU_ASSERT_EQUAL(ERR_peek_error(), 0);
	OPENSSL_free(der);
}

/* The key identifier is the SHA-1 of the key bits, as OpenSSL has it. */
static void
test_pubkey_key_id(void)
{
	struct pubkey_spki	 spki;
	unsigned char		*der, id[PUBKEY_KEYID_LEN], want[20];
	unsigned int		 n;
	size_t			 len;
	X509			*x;

	der = spki_of(rsa_key, &len);
	CU_ASSERT_EQUAL_FATAL(pubkey_spki_parse(der, len, &spki), PUBKEY_OK);
	CU_ASSERT_EQUAL_FATAL(pubkey_key_id(&spki, id), 0);
	x = X509_new();
	CU_ASSERT_FATAL(x != NULL && X509_set_pubkey(x, rsa_key));
	CU_ASSERT_FATAL(X509_pubkey_digest(x, EVP_sha1(), want, &n) &&
	    n == sizeof(want));
	CU_ASSERT_EQUAL(memcmp(id, want, sizeof(want)), 0);
	X509_free(x);
	OPENSSL_free(der);
}

/* pubkey_rsa_from_spki(): the algorithm and its parameters. */
static void
test_pubkey_rsa_from_spki(void)
{
	struct pubkey_rsa	 r;
	unsigned char		*der;
	size_t			 len;

	der = spki_of(rsa_key, &len);
	CU_ASSERT_EQUAL(pubkey_rsa_from_spki(der, len, &r), PUBKEY_OK);
	CU_ASSERT_EQUAL(r.nlen, 256);
	/* The NULL parameters turned into another NULL-sized value. */
	CU_ASSERT_EQUAL_FATAL(der[17], 0x05);
	der[17] = 0x04;
	CU_ASSERT_EQUAL(pubkey_rsa_from_spki(der, len, &r), PUBKEY_NOT_RSA);
	der[17] = 0x05;
	CU_ASSERT_EQUAL(pubkey_rsa_from_spki(der, len - 1, &r),
	    PUBKEY_MALFORMED);
	OPENSSL_free(der);
	der = spki_of(ec_key, &len);
	CU_ASSERT_EQUAL(pubkey_rsa_from_spki(der, len, &r), PUBKEY_NOT_RSA);
	OPENSSL_free(der);
	/* rsaEncryption without parameters is fine (RFC 4055 1.2 allows). */
	CU_ASSERT_EQUAL(pubkey_rsa_from_spki(BYTES(0x30, 0x18, 0x30, 0x0b,
	    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
	    0x03, 0x09, 0x00, 0x30, 0x06, 0x02, 0x01, 0x11, 0x02, 0x01, 0x03),
	    26, &r), PUBKEY_OK);
	CU_ASSERT_EQUAL(r.nlen, 1);
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
    REEF_TEST(test_pubkey_from_x509),
    REEF_TEST(test_pubkey_from_x509_ec),
    REEF_TEST(test_pubkey_rsa_verify),
    REEF_TEST(test_pubkey_rsa_verify_limits),
    REEF_TEST(test_pubkey_key_id),
    REEF_TEST(test_pubkey_rsa_from_spki),
    REEF_TEST(test_pubkey_p256));
