/*
 * Public keys (RSA; P-256 for routers) from SubjectPublicKeyInfo DER;
 * see pubkey.h.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include "validator/oid.h"
#include "validator/pubkey.h"

/* SEC 1 section 2.3.3: point forms, and their sizes for P-256. */
#define PUBKEY_EC_COMPRESSED_EVEN	0x02
#define PUBKEY_EC_COMPRESSED_ODD	0x03
#define PUBKEY_EC_UNCOMPRESSED		0x04
#define PUBKEY_P256_FIELD_OCTETS	32
/* X.690 section 8.6.2.2: the initial octet of a BIT STRING, 0..7. */
#define PUBKEY_MAX_UNUSED_BITS	7
#define PUBKEY_MAX_OCTETS	(PUBKEY_RSA_MAX_BITS / 8)
/*
 * Where OpenSSL keeps the unused bits of a BIT STRING it decoded: the low
 * bits of its flags, with ASN1_STRING_FLAG_BITS_LEFT set.
 */
#define PUBKEY_FLAGS_UNUSED_BITS	0x07
/*
 * RFC 8017 section 9.2 note 1: the DER of the DigestInfo of a SHA-256
 * digest, up to the digest itself (AlgorithmIdentifier with NULL
 * parameters, then the OCTET STRING header).
 */
static const unsigned char pubkey_sha256_info[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20
};
/* RFC 8017 section 9.2 step 5: 0x00 0x01 PS 0x00 T, PS at least 8 octets. */
#define PUBKEY_PS_MIN		8
#define PUBKEY_EM_OVERHEAD	(3 + PUBKEY_PS_MIN)

/* An RSA key set up for verifying (pubkey.h). */
struct pubkey_rsa_key {
	BIGNUM		*n;
	BIGNUM		*e;
	BN_MONT_CTX	*mont;		/* of n */
	size_t		 k;		/* octets of n (RFC 8017 section 2) */
};

/*
 * SHA-1 fetched once: EVP_sha1() makes OpenSSL look the algorithm up on
 * every digest (common/hash.c does the same for SHA-256).  A constant,
 * not state.
 */
static EVP_MD		*pubkey_sha1_fetched;
static pthread_once_t	 pubkey_sha1_once = PTHREAD_ONCE_INIT;

static void
pubkey_sha1_fetch(void)
{
	pubkey_sha1_fetched = EVP_MD_fetch(NULL, "SHA1", NULL);
}

/* Errors of the DER reader that mean BER rather than garbage. */
static enum pubkey_err
pubkey_der_err(enum der_err e)
{
	switch (e) {
	case DER_OK:
		return PUBKEY_OK;
	case DER_E_INDEFINITE:
	case DER_E_LEN_NONMINIMAL:
	case DER_E_INTEGER:
	case DER_E_FORM:
		return PUBKEY_NOT_DER;
	default:
		return PUBKEY_MALFORMED;
	}
}

/* AlgorithmIdentifier (RFC 5280 section 4.1.1.2) from d into out. */
static enum der_err
pubkey_alg(struct der *d, struct pubkey_spki *out)
{
	struct der	in;
	struct der_tlv	t;
	enum der_err	e;

	if ((e = der_expect(d, DER_SEQUENCE, &t)) != DER_OK)
		return e;
	der_enter(&in, &t);
	if ((e = der_expect(&in, DER_OID, &out->alg)) != DER_OK ||
	    (e = der_oid(&out->alg)) != DER_OK)
		return e;
	out->has_params = !der_at_end(&in);
	if (out->has_params && ((e = der_next(&in, &out->params)) != DER_OK ||
	    (e = der_walk(&out->params)) != DER_OK))
		return e;
	return der_end(&in);
}

enum pubkey_err
pubkey_spki_parse(const unsigned char *der, size_t len,
    struct pubkey_spki *out)
{
	struct der	d, in;
	struct der_tlv	t, bits;
	enum der_err	e;

	memset(out, 0, sizeof(*out));
	der_init(&d, der, len);
	if ((e = der_expect(&d, DER_SEQUENCE, &t)) != DER_OK ||
	    (e = der_end(&d)) != DER_OK)
		return pubkey_der_err(e);
	der_enter(&in, &t);
	if ((e = pubkey_alg(&in, out)) != DER_OK ||
	    (e = der_expect(&in, DER_BIT_STRING, &bits)) != DER_OK ||
	    (e = der_end(&in)) != DER_OK)
		return pubkey_der_err(e);
	if (bits.len == 0 || bits.val[0] > PUBKEY_MAX_UNUSED_BITS)
		return PUBKEY_MALFORMED;
	/* RFC 5280 section 4.1.2.7: the key is whole octets. */
	if (bits.val[0] != 0)
		return PUBKEY_NOT_DER;
	out->key = bits.val + 1;
	out->keylen = bits.len - 1;
	return PUBKEY_OK;
}

int
pubkey_spki_is_rsa(const struct pubkey_spki *spki)
{
	return der_oid_is(&spki->alg, oid_text(OID_RSA));
}

int
pubkey_spki_is_p256(const struct pubkey_spki *spki)
{
	return der_oid_is(&spki->alg, PUBKEY_OID_EC) && spki->has_params &&
	    der_oid_is(&spki->params, PUBKEY_OID_P256);
}

int
pubkey_p256_point_ok(const struct pubkey_spki *spki)
{
	OSSL_PARAM	 params[3];
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*pkey = NULL;
	size_t		 want;

	/* Not the point at infinity, nor the hybrid form. */
	if (spki->keylen == 0)
		return 0;
	switch (spki->key[0]) {
	case PUBKEY_EC_COMPRESSED_EVEN:
	case PUBKEY_EC_COMPRESSED_ODD:
		want = 1 + PUBKEY_P256_FIELD_OCTETS;
		break;
	case PUBKEY_EC_UNCOMPRESSED:
		want = 1 + 2 * PUBKEY_P256_FIELD_OCTETS;
		break;
	default:
		return 0;
	}
	if (spki->keylen != want)
		return 0;
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)SN_X9_62_prime256v1, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    (void *)spki->key, spki->keylen);
	params[2] = OSSL_PARAM_construct_end();
	/* fromdata decodes the point with EC_POINT_oct2point(): on curve. */
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return pkey != NULL;
}

/*
 * A positive INTEGER from d as its magnitude (no leading zero octet).
 * X.690 section 8.3.2: the shortest form; RFC 8017 section 3.1: n and e
 * are positive.
 */
static enum pubkey_err
pubkey_uint(struct der *d, const unsigned char **mag, size_t *len)
{
	struct der_tlv	t;
	enum der_err	e;
	int64_t		v;

	if ((e = der_expect(d, DER_INTEGER, &t)) != DER_OK)
		return pubkey_der_err(e);
	if (t.len == 0)
		return PUBKEY_MALFORMED;	/* X.690 section 8.3.1 */
	/* Minimal form; the size does not matter here. */
	e = der_int64(&t, &v);
	if (e != DER_OK && e != DER_E_RANGE)
		return pubkey_der_err(e);
	if (t.val[0] & 0x80)
		return PUBKEY_MALFORMED;	/* negative */
	*mag = t.val;
	*len = t.len;
	if (**mag == 0) {
		(*mag)++;
		(*len)--;
	}
	return *len == 0 ? PUBKEY_MALFORMED : PUBKEY_OK;
}

enum pubkey_err
pubkey_rsa_parse(const struct pubkey_spki *spki, struct pubkey_rsa *out)
{
	struct der	d, in;
	struct der_tlv	t;
	enum der_err	e;
	enum pubkey_err	pe;

	der_init(&d, spki->key, spki->keylen);
	if ((e = der_expect(&d, DER_SEQUENCE, &t)) != DER_OK ||
	    (e = der_end(&d)) != DER_OK)
		return pubkey_der_err(e);
	der_enter(&in, &t);
	if ((pe = pubkey_uint(&in, &out->n, &out->nlen)) != PUBKEY_OK ||
	    (pe = pubkey_uint(&in, &out->e, &out->elen)) != PUBKEY_OK)
		return pe;
	return pubkey_der_err(der_end(&in));
}

enum pubkey_err
pubkey_rsa_from_spki(const unsigned char *der, size_t len,
    struct pubkey_rsa *out)
{
	struct pubkey_spki	spki;
	enum pubkey_err		e;

	if ((e = pubkey_spki_parse(der, len, &spki)) != PUBKEY_OK)
		return e;
	if (!pubkey_spki_is_rsa(&spki) || (spki.has_params &&
	    der_null(&spki.params) != DER_OK))
		return PUBKEY_NOT_RSA;
	return pubkey_rsa_parse(&spki, out);
}

int
pubkey_key_id(const struct pubkey_spki *spki,
    unsigned char out[PUBKEY_KEYID_LEN])
{
	unsigned int	n = 0;
	int		ok;

	pthread_once(&pubkey_sha1_once, pubkey_sha1_fetch);
	ok = EVP_Digest(spki->key, spki->keylen, out, &n,
	    pubkey_sha1_fetched != NULL ? pubkey_sha1_fetched : EVP_sha1(),
	    NULL) == 1 && n == PUBKEY_KEYID_LEN;
	ERR_clear_error();
	return ok ? 0 : -1;
}

size_t
pubkey_rsa_bits(const struct pubkey_rsa *k)
{
	size_t		bits = k->nlen * 8;
	unsigned char	top = k->n[0];

	/* n[0] is not zero: pubkey_rsa_parse() stripped the sign octet. */
	while (!(top & 0x80)) {
		top <<= 1;
		bits--;
	}
	return bits;
}

int
pubkey_rsa_exponent_is(const struct pubkey_rsa *k, uint64_t e)
{
	uint64_t	v = 0;
	size_t		i;

	if (k->elen > sizeof(v))
		return 0;
	for (i = 0; i < k->elen; i++)
		v = (v << 8) | k->e[i];
	return v == e;
}

/*
 * Copy the big-endian magnitude in (len bytes) into out in the host's
 * byte order, which is what OSSL_PARAM_construct_BN() takes.
 */
static void
pubkey_native(unsigned char *out, const unsigned char *in, size_t len)
{
	const uint16_t	one = 1;
	size_t		i;

	if (*(const unsigned char *)&one == 0) {
		memcpy(out, in, len);
		return;
	}
	for (i = 0; i < len; i++)
		out[i] = in[len - 1 - i];
}

EVP_PKEY *
pubkey_rsa_new(const struct pubkey_rsa *k)
{
	unsigned char	 n[PUBKEY_MAX_OCTETS], e[PUBKEY_MAX_OCTETS];
	OSSL_PARAM	 params[3];
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*pkey = NULL;

	if (k->nlen > sizeof(n) || k->elen > sizeof(e))
		return NULL;
	pubkey_native(n, k->n, k->nlen);
	pubkey_native(e, k->e, k->elen);
	params[0] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_N, n, k->nlen);
	params[1] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_E, e, k->elen);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		ERR_clear_error();
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

EVP_PKEY *
pubkey_rsa_from_x509(X509 *x)
{
	const ASN1_BIT_STRING	*bits;
	const unsigned char	*key;
	ASN1_OBJECT		*alg;
	X509_ALGOR		*algor;
	struct pubkey_spki	 spki;
	struct pubkey_rsa	 rsa;
	int			 keylen, ptype;

	/* The fields OpenSSL decoded, which needs no provider. */
	if (!X509_PUBKEY_get0_param(&alg, &key, &keylen, &algor,
	    X509_get_X509_PUBKEY(x)) || keylen < 0 ||
	    (bits = X509_get0_pubkey_bitstr(x)) == NULL) {
		ERR_clear_error();
		return NULL;
	}
	X509_ALGOR_get0(NULL, &ptype, NULL, algor);
	if (!oid_is(alg, OID_RSA) ||
	    (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF))
		return NULL;
	/* RFC 5280 section 4.1.2.7: the key is whole octets. */
	if ((bits->flags & ASN1_STRING_FLAG_BITS_LEFT) &&
	    (bits->flags & PUBKEY_FLAGS_UNUSED_BITS))
		return NULL;
	memset(&spki, 0, sizeof(spki));
	spki.key = key;
	spki.keylen = (size_t)keylen;
	if (pubkey_rsa_parse(&spki, &rsa) != PUBKEY_OK)
		return NULL;
	return pubkey_rsa_new(&rsa);
}

/*
 * RFC 8017 section 9.2, EMSA-PKCS1-v1_5 of a SHA-256 digest into em
 * (emlen octets, at least the DigestInfo plus PUBKEY_EM_OVERHEAD).
 */
static void
pubkey_emsa_sha256(const unsigned char *digest, unsigned char *em,
    size_t emlen)
{
	size_t	tlen = sizeof(pubkey_sha256_info) + HASH_SHA256_LEN;

	em[0] = 0x00;
	em[1] = 0x01;
	memset(em + 2, 0xff, emlen - tlen - 3);
	em[emlen - tlen - 1] = 0x00;
	memcpy(em + emlen - tlen, pubkey_sha256_info,
	    sizeof(pubkey_sha256_info));
	memcpy(em + emlen - HASH_SHA256_LEN, digest, HASH_SHA256_LEN);
}

/*
 * The key limits OpenSSL's RSA public operation has (pubkey.h): e < n,
 * a short e above PUBKEY_RSA_SMALL_BITS.  Returns 1 if n and e keep them.
 */
static int
pubkey_rsa_limits_ok(const BIGNUM *n, const BIGNUM *e)
{
	return BN_num_bits(n) <= PUBKEY_RSA_MAX_BITS && BN_ucmp(n, e) > 0 &&
	    (BN_num_bits(n) <= PUBKEY_RSA_SMALL_BITS ||
	    BN_num_bits(e) <= PUBKEY_RSA_MAX_EXP_BITS);
}

/*
 * RFC 8017 section 8.2.2, for the key n, e of k octets (mont: the
 * Montgomery form of n, or NULL to have it computed).  Returns 1 if sig
 * verifies, else 0.
 */
static int
pubkey_rsassa_verify(const BIGNUM *n, const BIGNUM *e, BN_MONT_CTX *mont,
    size_t k, const unsigned char *digest, const unsigned char *sig,
    size_t siglen, BN_CTX *ctx)
{
	unsigned char	em[PUBKEY_MAX_OCTETS], want[PUBKEY_MAX_OCTETS];
	BIGNUM		*s, *m;
	int		 ok = 0;

	/*
	 * Step 1: the signature is k octets; section 9.2 step 3: k leaves
	 * room for the encoding.
	 */
	if (k > sizeof(em) || siglen != k || k < sizeof(pubkey_sha256_info) +
	    HASH_SHA256_LEN + PUBKEY_EM_OVERHEAD)
		return 0;
	BN_CTX_start(ctx);
	s = BN_CTX_get(ctx);
	if ((m = BN_CTX_get(ctx)) == NULL ||
	    BN_bin2bn(sig, (int)siglen, s) == NULL)
		goto out;
	/* Step 2: RSAVP1 (section 5.2.2), the representative below n. */
	if (BN_ucmp(s, n) >= 0 || BN_mod_exp_mont(m, s, e, n, ctx,
	    mont) != 1 || BN_bn2binpad(m, em, (int)k) != (int)k)
		goto out;
	/* Steps 3 and 4: encode the digest and compare. */
	pubkey_emsa_sha256(digest, want, k);
	ok = memcmp(em, want, k) == 0;
 out:
	BN_CTX_end(ctx);
	return ok;
}

int
pubkey_rsa_verify_digest(const struct pubkey_rsa *k,
    const unsigned char digest[HASH_SHA256_LEN], const unsigned char *sig,
    size_t siglen)
{
	BN_CTX	*ctx;
	BIGNUM	*n, *e;
	int	 ok = 0;

	if (k->nlen > PUBKEY_MAX_OCTETS || k->elen > PUBKEY_MAX_OCTETS ||
	    (ctx = BN_CTX_new()) == NULL)
		return 0;
	BN_CTX_start(ctx);
	n = BN_CTX_get(ctx);
	if ((e = BN_CTX_get(ctx)) != NULL &&
	    BN_bin2bn(k->n, (int)k->nlen, n) != NULL &&
	    BN_bin2bn(k->e, (int)k->elen, e) != NULL &&
	    pubkey_rsa_limits_ok(n, e))
		ok = pubkey_rsassa_verify(n, e, NULL, k->nlen, digest, sig,
		    siglen, ctx);
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

struct pubkey_rsa_key *
pubkey_rsa_key_new(const struct pubkey_rsa *k)
{
	struct pubkey_rsa_key	*key;
	BN_CTX			*ctx = NULL;

	if (k->nlen > PUBKEY_MAX_OCTETS || k->elen > PUBKEY_MAX_OCTETS ||
	    (key = calloc(1, sizeof(*key))) == NULL)
		return NULL;
	key->k = k->nlen;
	if ((key->n = BN_bin2bn(k->n, (int)k->nlen, NULL)) == NULL ||
	    (key->e = BN_bin2bn(k->e, (int)k->elen, NULL)) == NULL ||
	    !pubkey_rsa_limits_ok(key->n, key->e) ||
	    (ctx = BN_CTX_new()) == NULL ||
	    (key->mont = BN_MONT_CTX_new()) == NULL ||
	    BN_MONT_CTX_set(key->mont, key->n, ctx) != 1) {
		pubkey_rsa_key_free(key);
		key = NULL;
	}
	BN_CTX_free(ctx);
	ERR_clear_error();
	return key;
}

void
pubkey_rsa_key_free(struct pubkey_rsa_key *key)
{
	if (key == NULL)
		return;
	BN_free(key->n);
	BN_free(key->e);
	BN_MONT_CTX_free(key->mont);
	free(key);
}

int
pubkey_rsa_key_verify(const struct pubkey_rsa_key *key,
    const unsigned char digest[HASH_SHA256_LEN], const unsigned char *sig,
    size_t siglen)
{
	BN_CTX	*ctx;
	int	 ok;

	if ((ctx = BN_CTX_new()) == NULL)
		return 0;
	ok = pubkey_rsassa_verify(key->n, key->e, key->mont, key->k, digest,
	    sig, siglen, ctx);
	BN_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}
