/*
 * Public keys (RSA; P-256 for routers) from SubjectPublicKeyInfo DER;
 * see pubkey.h.
 */
#include <stdlib.h>
#include <string.h>

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
	struct pubkey_spki	 spki;
	struct pubkey_rsa	 rsa;
	unsigned char		*der = NULL;
	EVP_PKEY		*pkey = NULL;
	int			 n;

	/* Re-encodes the parsed fields, which needs no provider. */
	if ((n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der)) <= 0) {
		ERR_clear_error();
		return NULL;
	}
	if (pubkey_spki_parse(der, (size_t)n, &spki) == PUBKEY_OK &&
	    pubkey_spki_is_rsa(&spki) && (!spki.has_params ||
	    der_null(&spki.params) == DER_OK) &&
	    pubkey_rsa_parse(&spki, &rsa) == PUBKEY_OK)
		pkey = pubkey_rsa_new(&rsa);
	OPENSSL_free(der);
	return pkey;
}

int
pubkey_verify_sha256(EVP_PKEY *key, const unsigned char *msg, size_t len,
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
