/*
 * Tests for the fast certificate path of validator/cert.c, crl.c and
 * x509ext.c: certificates decoded without a provider, keys judged on
 * their DER (RSA for resource certificates, P-256 for routers) with
 * hand-made SubjectPublicKeyInfos, the key a TA or CA keeps for
 * verifying, CRLs checked against such a CA, names checked on their
 * received DER, extension values decoded once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/hash.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/crl.h"
#include "validator/pubkey.h"
#include "validator/x509ext.h"

#include "suite.h"
#include "util.h"

/* One extension: a NID and OpenSSL config text. */
struct ck_ext {
	int		 nid;
	const char	*val;
};

/* One PolicyInformation with id-cp-ipAddr-asNumber (RFC 6484). */
#define CK_CP	"critical,DER:30:0c:30:0a:06:08:2b:06:01:05:05:07:0e:02"

static const struct ck_ext ta_exts[] = {
	{ NID_basic_constraints, "critical,CA:TRUE" },
	{ NID_subject_key_identifier, "hash" },
	{ NID_key_usage, "critical,keyCertSign,cRLSign" },
	{ NID_sinfo_access, "1.3.6.1.5.5.7.48.5;URI:rsync://example.net/r/,"
	    "1.3.6.1.5.5.7.48.10;URI:rsync://example.net/r/ta.mft" },
	{ NID_certificate_policies, CK_CP },
	{ NID_sbgp_ipAddrBlock, "critical,IPv4:10.0.0.0/8" },
	{ NID_sbgp_autonomousSysNum, "critical,AS:64496-64511" },
	{ 0, NULL }
};

static const struct ck_ext ca_exts[] = {
	{ NID_basic_constraints, "critical,CA:TRUE" },
	{ NID_subject_key_identifier, "hash" },
	{ NID_authority_key_identifier, "keyid:always" },
	{ NID_key_usage, "critical,keyCertSign,cRLSign" },
	{ NID_crl_distribution_points, "URI:rsync://example.net/r/ta.crl" },
	{ NID_info_access, "caIssuers;URI:rsync://example.net/ta.cer" },
	{ NID_sinfo_access, "1.3.6.1.5.5.7.48.5;URI:rsync://example.net/r/c/,"
	    "1.3.6.1.5.5.7.48.10;URI:rsync://example.net/r/c/c.mft" },
	{ NID_certificate_policies, CK_CP },
	{ NID_sbgp_ipAddrBlock, "critical,IPv4:10.1.0.0/16" },
	{ NID_sbgp_autonomousSysNum, "critical,AS:64500" },
	{ 0, NULL }
};

static const struct ck_ext ee_exts[] = {
	{ NID_subject_key_identifier, "hash" },
	{ NID_authority_key_identifier, "keyid:always" },
	{ NID_key_usage, "critical,digitalSignature" },
	{ NID_crl_distribution_points, "URI:rsync://example.net/r/ta.crl" },
	{ NID_info_access, "caIssuers;URI:rsync://example.net/ta.cer" },
	{ NID_sinfo_access,
	    "1.3.6.1.5.5.7.48.11;URI:rsync://example.net/r/x.roa" },
	{ NID_certificate_policies, CK_CP },
	{ NID_sbgp_ipAddrBlock, "critical,IPv4:inherit" },
	{ 0, NULL }
};

static const struct ck_ext router_exts[] = {
	{ NID_subject_key_identifier, "hash" },
	{ NID_authority_key_identifier, "keyid:always" },
	{ NID_key_usage, "critical,digitalSignature" },
	{ NID_ext_key_usage, "1.3.6.1.5.5.7.3.30" },
	{ NID_crl_distribution_points, "URI:rsync://example.net/r/ta.crl" },
	{ NID_info_access, "caIssuers;URI:rsync://example.net/ta.cer" },
	{ NID_certificate_policies, CK_CP },
	{ NID_sbgp_autonomousSysNum, "critical,AS:64500" },
	{ 0, NULL }
};

/* When the certificates are valid: 2020-01-01 .. 2040-01-01. */
#define CK_FROM		1577836800
#define CK_UNTIL	2208988800LL
#define CK_NOW		1600000000

/* Keys made once per suite run: generating RSA keys is slow. */
static EVP_PKEY *ta_key, *ca_key, *ec_key, *p384_key;

static int
ck_init(void)
{
	ta_key = EVP_RSA_gen(2048);
	ca_key = EVP_RSA_gen(2048);
	ec_key = EVP_EC_gen("P-256");
	p384_key = EVP_EC_gen("P-384");
	return ta_key && ca_key && ec_key && p384_key ? 0 : -1;
}

static int
ck_cleanup(void)
{
	EVP_PKEY_free(ta_key);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(ec_key);
	EVP_PKEY_free(p384_key);
	return 0;
}

static X509_NAME *
ck_name(const char *cn)
{
	X509_NAME	*n = X509_NAME_new();

	CU_ASSERT_FATAL(n != NULL && X509_NAME_add_entry_by_NID(n,
	    NID_commonName, V_ASN1_PRINTABLESTRING, (const unsigned char *)cn,
	    -1, -1, 0));
	return n;
}

/*
 * A certificate named cn with exts, issued by issuer and signed with ikey
 * (self-signed with ikey when issuer is NULL).  Its public key is key,
 * or when key is NULL the algorithm alg (params ptype/pval) with the
 * subjectPublicKey bits (len bytes).
 */
static X509 *
ck_x509(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
    const struct ck_ext *exts, int alg, int ptype, void *pval,
    const unsigned char *bits, size_t len)
{
	X509		*x = X509_new();
	X509_NAME	*n;
	X509V3_CTX	 ctx;
	X509_EXTENSION	*e;
	unsigned char	*copy;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	n = ck_name(cn);
	CU_ASSERT_FATAL(X509_set_version(x, 2) &&
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 7) &&
	    X509_set_subject_name(x, n) && X509_set_issuer_name(x,
	    issuer != NULL ? X509_get_subject_name(issuer) : n) &&
	    ASN1_TIME_set(X509_getm_notBefore(x), CK_FROM) != NULL &&
	    ASN1_TIME_set(X509_getm_notAfter(x), CK_UNTIL) != NULL);
	X509_NAME_free(n);
	if (key != NULL) {
		CU_ASSERT_FATAL(X509_set_pubkey(x, key));
	} else {
		copy = OPENSSL_memdup(bits, len);
		CU_ASSERT_FATAL(copy != NULL && X509_PUBKEY_set0_param(
		    X509_get_X509_PUBKEY(x), OBJ_nid2obj(alg), ptype, pval,
		    copy, (int)len));
	}
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	for (; exts->val != NULL; exts++) {
		e = X509V3_EXT_conf_nid(NULL, &ctx, exts->nid, exts->val);
		CU_ASSERT_FATAL(e != NULL && X509_add_ext(x, e, -1));
		X509_EXTENSION_free(e);
	}
	CU_ASSERT_FATAL(X509_sign(x, ikey, EVP_sha256()) > 0);
	return x;
}

/* cert_parse() of x's DER; logs captured from warning level. */
static struct cert *
ck_parse(X509 *x)
{
	unsigned char	*der = NULL;
	struct cert	*c;
	int		 n;

	n = i2d_X509(x, &der);
	CU_ASSERT_FATAL(n > 0);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	c = cert_parse("k.cer", der, (size_t)n);
	OPENSSL_free(der);
	return c;
}

/* The RSAPublicKey of key with its modulus padded by one zero octet. */
static unsigned char *
padded_rsa(EVP_PKEY *key, size_t *len)
{
	const unsigned char	*bits;
	X509_PUBKEY		*pk = NULL;
	unsigned char		*out;
	int			 blen;

	CU_ASSERT_FATAL(X509_PUBKEY_set(&pk, key) &&
	    X509_PUBKEY_get0_param(NULL, &bits, &blen, NULL, pk));
	/* 30 82 01 0a 02 82 01 01 00 <256> 02 03 01 00 01 */
	CU_ASSERT_EQUAL_FATAL(blen, 270);
	CU_ASSERT_FATAL(bits[4] == 0x02 && bits[5] == 0x82 && bits[7] == 0x01);
	out = malloc((size_t)blen + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	memcpy(out, bits, 8);
	out[3]++;		/* SEQUENCE one longer */
	out[7]++;		/* INTEGER one longer */
	out[8] = 0x00;
	memcpy(out + 9, bits + 8, (size_t)blen - 8);
	*len = (size_t)blen + 1;
	X509_PUBKEY_free(pk);
	return out;
}

/*
 * Returns 1 if key accepts a signature that k made over a message, as
 * signed_by() checks one, else 0.
 */
static int
ck_key_is(const struct pubkey_rsa_key *key, EVP_PKEY *k)
{
	unsigned char	 msg[100], md[HASH_SHA256_LEN], sig[512];
	size_t		 siglen = sizeof(sig);
	EVP_MD_CTX	*ctx;

	memset(msg, 0x17, sizeof(msg));
	ctx = EVP_MD_CTX_new();
	CU_ASSERT_FATAL(ctx != NULL && EVP_DigestSignInit(ctx, NULL,
	    EVP_sha256(), NULL, k) == 1 && EVP_DigestSign(ctx, sig, &siglen,
	    msg, sizeof(msg)) == 1);
	EVP_MD_CTX_free(ctx);
	CU_ASSERT_FATAL(hash_sha256(msg, sizeof(msg), md) == 0);
	return pubkey_rsa_key_verify(key, md, sig, siglen);
}

/* Decoded without a provider; a TA and a CA keep a key, an EE does not. */
static void
test_certkey_keys_kept(void)
{
	X509		*tax, *cax, *eex, *rx, *dx;
	struct cert	*ta, *ca, *ee, *rt;
	unsigned char	*der = NULL;
	const unsigned char *p;
	char		 why[256];
	X509		*tx;
	int		 n;

	tax = ck_x509("ta", ta_key, NULL, ta_key, ta_exts, 0, 0, NULL,
	    NULL, 0);
	ta = ck_parse(tax);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ta);
	CU_ASSERT_EQUAL(ta->purpose, CERT_TA);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ta->key);
	CU_ASSERT(ck_key_is(ta->key, ta_key));
	CU_ASSERT(!ck_key_is(ta->key, ca_key));
	/* Read from the DER: no X509 kept; one made on demand has no key. */
	CU_ASSERT_PTR_NULL(ta->x509);
	tx = cert_x509(ta);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
	CU_ASSERT_PTR_NULL(X509_get0_pubkey(tx));
	X509_free(tx);
	ERR_clear_error();
	/* The SPKI kept is the received one. */
	n = i2d_PUBKEY(ta_key, &der);
	CU_ASSERT(n > 0 && (size_t)n == ta->spki_len &&
	    memcmp(der, ta->spki, ta->spki_len) == 0);
	OPENSSL_free(der);
	der = NULL;

	cax = ck_x509("ca", ca_key, tax, ta_key, ca_exts, 0, 0, NULL, NULL, 0);
	ca = ck_parse(cax);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_EQUAL(ca->purpose, CERT_CA);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca->key);
	CU_ASSERT(ck_key_is(ca->key, ca_key));
	CU_ASSERT_EQUAL(cert_check_issued(ca, ta, CK_NOW, why, sizeof(why)),
	    0);
	/* Signed by the CA's key, checked against the TA: refused. */
	dx = ck_x509("ca", ca_key, tax, ca_key, ca_exts, 0, 0, NULL, NULL, 0);
	rt = ck_parse(dx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	CU_ASSERT_EQUAL(cert_check_issued(rt, ta, CK_NOW, why, sizeof(why)),
	    -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "signature does not verify"));
	cert_free(rt);
	X509_free(dx);

	/* An EE from cert_x509_decode(), as cms.c hands it over. */
	eex = ck_x509("ee", ta_key, cax, ca_key, ee_exts, 0, 0, NULL, NULL, 0);
	n = i2d_X509(eex, &der);
	CU_ASSERT_FATAL(n > 0);
	p = der;
	X509_free(eex);
	eex = cert_x509_decode(&p, (size_t)n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(eex);
	ee = cert_parse_ee_x509("k.roa", eex, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ee);
	CU_ASSERT_PTR_NULL(ee->key);
	CU_ASSERT_EQUAL(cert_check_issued(ee, ca, CK_NOW, why, sizeof(why)),
	    0);
	cert_free(ee);
	/* The same EE read from its DER, as cms.c now hands it over. */
	ee = cert_parse_ee("k.roa", der, (size_t)n, 0);
	OPENSSL_free(der);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ee);
	CU_ASSERT_PTR_NULL(ee->x509);
	CU_ASSERT_PTR_NULL(ee->key);
	CU_ASSERT_EQUAL(cert_check_issued(ee, ca, CK_NOW, why, sizeof(why)),
	    0);
	/* Not issued by the TA: the names differ, as the keys do. */
	CU_ASSERT_EQUAL(cert_check_issued(ee, ta, CK_NOW, why, sizeof(why)),
	    -1);
	/* A router certificate verifies nothing: no key either. */
	rx = ck_x509("rt", ec_key, cax, ca_key, router_exts, 0, 0, NULL,
	    NULL, 0);
	rt = ck_parse(rx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	CU_ASSERT_EQUAL(rt->purpose, CERT_ROUTER);
	CU_ASSERT_PTR_NULL(rt->key);
	CU_ASSERT_EQUAL(cert_check_issued(rt, ca, CK_NOW, why, sizeof(why)),
	    0);
	/* Nor can an EE act as an issuer. */
	CU_ASSERT_EQUAL(cert_check_issued(rt, ee, CK_NOW, why, sizeof(why)),
	    -1);
	cert_free(rt);
	cert_free(ee);
	cert_free(ca);
	cert_free(ta);
	X509_free(rx);
	X509_free(eex);
	X509_free(cax);
	X509_free(tax);
}

/* RSA keys judged on their DER: every message of check_rsa_key(). */
static void
test_certkey_rsa_profile(void)
{
	static const unsigned char garbage[] = { 0x04, 0x01, 0x00 };
	unsigned char	*bits;
	size_t		 len;
	X509		*tax, *x;
	struct cert	*c;

	tax = ck_x509("ta", ta_key, NULL, ta_key, ta_exts, 0, 0, NULL, NULL, 0);
	/* A zero octet before the modulus: OpenSSL decodes it, not DER. */
	bits = padded_rsa(ca_key, &len);
	x = ck_x509("ca", NULL, tax, ta_key, ca_exts, NID_rsaEncryption,
	    V_ASN1_NULL, NULL, bits, len);
	c = ck_parse(x);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(tu_logged("k.cer: X.690 section 10: public key is not DER "
	    "encoded"));
	cert_free(c);
	X509_free(x);
	free(bits);
	/* Not an RSAPublicKey at all. */
	x = ck_x509("ca", NULL, tax, ta_key, ca_exts, NID_rsaEncryption,
	    V_ASN1_NULL, NULL, garbage, sizeof(garbage));
	c = ck_parse(x);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(tu_logged("k.cer: RFC 6487 section 4.7: malformed public "
	    "key"));
	cert_free(c);
	X509_free(x);
	/* A good key but no NULL parameters (RFC 4055 section 1.2). */
	{
		X509_PUBKEY	*pk = NULL;
		const unsigned char *kb;
		int		 kl;

		CU_ASSERT_FATAL(X509_PUBKEY_set(&pk, ca_key) &&
		    X509_PUBKEY_get0_param(NULL, &kb, &kl, NULL, pk));
		x = ck_x509("ca", NULL, tax, ta_key, ca_exts,
		    NID_rsaEncryption, V_ASN1_UNDEF, NULL, kb, (size_t)kl);
		X509_PUBKEY_free(pk);
	}
	c = ck_parse(x);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(tu_logged("k.cer: RFC 7935 section 3: key must be RSA-2048"));
	cert_free(c);
	X509_free(x);
	/* An EC key in a CA certificate: OpenSSL knows it, not RSA. */
	x = ck_x509("ca", ec_key, tax, ta_key, ca_exts, 0, 0, NULL, NULL, 0);
	c = ck_parse(x);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(tu_logged("k.cer: RFC 7935 section 3: key must be RSA-2048"));
	cert_free(c);
	X509_free(x);
	/* An algorithm that is no key type: malformed. */
	x = ck_x509("ca", NULL, tax, ta_key, ca_exts, NID_md5WithRSAEncryption,
	    V_ASN1_NULL, NULL, garbage, sizeof(garbage));
	c = ck_parse(x);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(tu_logged("k.cer: RFC 6487 section 4.7: malformed public "
	    "key"));
	cert_free(c);
	X509_free(x);
	X509_free(tax);
}

/* Router keys: P-256 only, and a point on the curve. */
static void
test_certkey_router(void)
{
	X509_PUBKEY	*pk = NULL;
	const unsigned char *kb;
	unsigned char	 pt[65];
	int		 kl;
	X509		*tax, *cax, *x;
	struct cert	*c;

	tax = ck_x509("ta", ta_key, NULL, ta_key, ta_exts, 0, 0, NULL, NULL, 0);
	cax = ck_x509("ca", ca_key, tax, ta_key, ca_exts, 0, 0, NULL, NULL, 0);
	x = ck_x509("rt", p384_key, cax, ca_key, router_exts, 0, 0, NULL,
	    NULL, 0);
	c = ck_parse(x);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(tu_logged("RFC 8608 section 3: router key must be ECDSA on "
	    "named curve P-256"));
	cert_free(c);
	X509_free(x);
	/* The P-256 point with y changed: not on the curve. */
	CU_ASSERT_FATAL(X509_PUBKEY_set(&pk, ec_key) &&
	    X509_PUBKEY_get0_param(NULL, &kb, &kl, NULL, pk));
	CU_ASSERT_EQUAL_FATAL(kl, (int)sizeof(pt));
	memcpy(pt, kb, sizeof(pt));
	X509_PUBKEY_free(pk);
	pt[64] ^= 1;
	x = ck_x509("rt", NULL, cax, ca_key, router_exts,
	    NID_X9_62_id_ecPublicKey, V_ASN1_OBJECT,
	    OBJ_nid2obj(NID_X9_62_prime256v1), pt, sizeof(pt));
	c = ck_parse(x);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(tu_logged("k.cer: RFC 6487 section 4.7: malformed public "
	    "key: not a point on P-256"));
	cert_free(c);
	X509_free(x);
	/* The same point unchanged passes. */
	pt[64] ^= 1;
	x = ck_x509("rt", NULL, cax, ca_key, router_exts,
	    NID_X9_62_id_ecPublicKey, V_ASN1_OBJECT,
	    OBJ_nid2obj(NID_X9_62_prime256v1), pt, sizeof(pt));
	c = ck_parse(x);
	CU_ASSERT_PTR_NOT_NULL(c);
	cert_free(c);
	X509_free(x);
	X509_free(cax);
	X509_free(tax);
}

/* A CRL checked against a CA decoded without a provider. */
static void
test_certkey_crl(void)
{
	X509		*tax, *cax;
	struct cert	*ca;
	X509_CRL	*xc;
	X509V3_CTX	 ctx;
	X509_EXTENSION	*e;
	ASN1_INTEGER	*num;
	ASN1_TIME	*t;
	unsigned char	*der = NULL;
	struct crl	*crl;
	char		 why[256];
	int		 n, i;

	tax = ck_x509("ta", ta_key, NULL, ta_key, ta_exts, 0, 0, NULL, NULL, 0);
	cax = ck_x509("ca", ca_key, tax, ta_key, ca_exts, 0, 0, NULL, NULL, 0);
	ca = ck_parse(cax);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	for (i = 0; i < 2; i++) {
		xc = X509_CRL_new();
		CU_ASSERT_FATAL(xc != NULL && X509_CRL_set_version(xc, 1) &&
		    X509_CRL_set_issuer_name(xc, X509_get_subject_name(cax)));
		t = ASN1_TIME_set(NULL, CK_FROM);
		CU_ASSERT_FATAL(X509_CRL_set1_lastUpdate(xc, t));
		ASN1_TIME_free(t);
		t = ASN1_TIME_set(NULL, CK_UNTIL);
		CU_ASSERT_FATAL(X509_CRL_set1_nextUpdate(xc, t));
		ASN1_TIME_free(t);
		X509V3_set_ctx(&ctx, cax, NULL, NULL, xc, 0);
		e = X509V3_EXT_conf_nid(NULL, &ctx,
		    NID_authority_key_identifier, "keyid:always");
		CU_ASSERT_FATAL(e != NULL && X509_CRL_add_ext(xc, e, -1));
		X509_EXTENSION_free(e);
		num = ASN1_INTEGER_new();
		CU_ASSERT_FATAL(num != NULL && ASN1_INTEGER_set(num, 1) &&
		    X509_CRL_add1_ext_i2d(xc, NID_crl_number, num, 0, 0));
		ASN1_INTEGER_free(num);
		/* The first one signed by the CA, the second by the TA. */
		CU_ASSERT_FATAL(X509_CRL_sign(xc, i == 0 ? ca_key : ta_key,
		    EVP_sha256()) > 0);
		n = i2d_X509_CRL(xc, &der);
		CU_ASSERT_FATAL(n > 0);
		crl = crl_parse("k.crl", der, (size_t)n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
		CU_ASSERT_EQUAL(crl_check_issued(crl, ca, CK_NOW, why,
		    sizeof(why)), i == 0 ? 0 : -1);
		if (i == 1) {
			CU_ASSERT_PTR_NOT_NULL(strstr(why, "CRL signature "
			    "does not verify"));
		}
		crl_free(crl);
		OPENSSL_free(der);
		der = NULL;
		X509_CRL_free(xc);
	}
	CU_ASSERT_EQUAL(ERR_peek_error(), 0);
	cert_free(ca);
	X509_free(cax);
	X509_free(tax);
}

/* x509ext_name_check() of the Name whose DER is der (len bytes). */
static int
ck_name_check(const unsigned char *der, size_t len)
{
	const unsigned char	*p = der;
	X509_NAME		*nm;
	int			 rc;

	nm = d2i_X509_NAME(NULL, &p, (long)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nm);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	rc = x509ext_name_check("k.cer", "subject", nm);
	X509_NAME_free(nm);
	return rc;
}

#define NAME_BYTES(...)	((const unsigned char []){ __VA_ARGS__ })
#define NAME(...)	ck_name_check(NAME_BYTES(__VA_ARGS__), \
			    sizeof(NAME_BYTES(__VA_ARGS__)))

/* Names judged on the DER received: SET OF order, empty RDNs, lengths. */
static void
test_certkey_names(void)
{
	/* CN=a and serialNumber=1 in one RDN, in DER order: accepted. */
	CU_ASSERT_EQUAL(NAME(0x30, 0x16, 0x31, 0x14,
	    0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x01, 0x61,
	    0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x05, 0x13, 0x01, 0x31), 0);
	/* The same two the other way round: not DER (X.690 11.6). */
	CU_ASSERT_EQUAL(NAME(0x30, 0x16, 0x31, 0x14,
	    0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x05, 0x13, 0x01, 0x31,
	    0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x01, 0x61), -1);
	CU_ASSERT(tu_logged("k.cer: X.690 section 10: subject name is not DER "
	    "encoded"));
	/* An empty RDN after the CN. */
	CU_ASSERT_EQUAL(NAME(0x30, 0x0e, 0x31, 0x0a,
	    0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x01, 0x61,
	    0x31, 0x00), -1);
	CU_ASSERT(tu_logged("subject name is not DER encoded"));
	/* The CN's length in the long form. */
	CU_ASSERT_EQUAL(NAME(0x30, 0x0d, 0x31, 0x0b,
	    0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x81, 0x01, 0x61),
	    -1);
	CU_ASSERT(tu_logged("subject name is not DER encoded"));
}

/* Extension values decoded once, DER checked by re-encoding. */
static void
test_certkey_ext_decode(void)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*e;
	ASN1_OCTET_STRING *os;
	ASN1_OBJECT	*obj;
	void		*v;

	X509V3_set_ctx(&ctx, NULL, NULL, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_certificate_policies, CK_CP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	v = x509ext_decode("k.cer", e);
	CU_ASSERT_PTR_NOT_NULL(v);
	CU_ASSERT_EQUAL(sk_POLICYINFO_num(v), 1);
	x509ext_free(e, v);
	x509ext_free(e, NULL);
	CU_ASSERT_EQUAL(x509ext_der_check("k.cer", e), 0);
	X509_EXTENSION_free(e);
	/* cA FALSE given explicitly: BER. */
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
	    "critical,DER:30:03:01:01:00");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(x509ext_decode("k.cer", e));
	CU_ASSERT(tu_logged("X.690 section 10: extension basicConstraints is "
	    "not DER encoded"));
	X509_EXTENSION_free(e);
	/* An extension OpenSSL has no template for. */
	os = ASN1_OCTET_STRING_new();
	obj = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
	CU_ASSERT_FATAL(os != NULL && obj != NULL &&
	    ASN1_OCTET_STRING_set(os, (const unsigned char *)"\x05\x00", 2));
	e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(x509ext_decode("k.cer", e));
	CU_ASSERT(tu_logged("has no known encoding"));
	x509ext_free(e, NULL);
	X509_EXTENSION_free(e);
	ASN1_OBJECT_free(obj);
	ASN1_OCTET_STRING_free(os);
}

/* x509ext_oid_is() compares whole identifiers, arc by arc. */
static void
test_certkey_oid_is(void)
{
	static const struct {
		const char	*obj;
		int		 is;
	} cases[] = {
		{ X509EXT_OID_RPKI_POLICY, 1 },
		{ "1.3.6.1.5.5.7.14", 0 },
		{ "1.3.6.1.5.5.7.14.2.1", 0 },
		{ "1.3.6.1.5.5.7.14.3", 0 },
		{ "1.3.6.1.5.5.7.142", 0 },
		{ "2.3.6.1.5.5.7.14.2", 0 },
	};
	ASN1_OBJECT	*obj;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		obj = OBJ_txt2obj(cases[i].obj, 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
		CU_ASSERT_EQUAL(x509ext_oid_is(obj, X509EXT_OID_RPKI_POLICY),
		    cases[i].is);
		ASN1_OBJECT_free(obj);
	}
	/* A built-in object, and one with no content octets. */
	CU_ASSERT(x509ext_oid_is(OBJ_nid2obj(NID_sha256),
	    "2.16.840.1.101.3.4.2.1"));
	CU_ASSERT(!x509ext_oid_is(OBJ_nid2obj(NID_sha256),
	    "2.16.840.1.101.3.4.2"));
	CU_ASSERT(!x509ext_oid_is(OBJ_nid2obj(NID_undef), "0.0"));
}

REEF_SUITE_FULL(certkey, ck_init, ck_cleanup,
    REEF_TEST(test_certkey_keys_kept),
    REEF_TEST(test_certkey_rsa_profile),
    REEF_TEST(test_certkey_router),
    REEF_TEST(test_certkey_crl),
    REEF_TEST(test_certkey_names),
    REEF_TEST(test_certkey_ext_decode),
    REEF_TEST(test_certkey_oid_is));
