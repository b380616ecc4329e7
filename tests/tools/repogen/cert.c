/*
 * Resource certificates (RFC 6487): CA, TA, EE and BGPsec router (RFC 8209)
 * profiles.  rg_cert_build() sets everything except the RFC 3779 extensions,
 * which the caller adds before rg_cert_sign().
 */
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "repogen.h"

#define OID_CA_REPOSITORY	"1.3.6.1.5.5.7.48.5"
#define OID_RPKI_MANIFEST	"1.3.6.1.5.5.7.48.10"
#define OID_SIGNED_OBJECT	"1.3.6.1.5.5.7.48.11"
#define OID_RPKI_NOTIFY		"1.3.6.1.5.5.7.48.13"
#define OID_RPKI_POLICY		"1.3.6.1.5.5.7.14.2"	/* RFC 6484 */
#define OID_KP_BGPSEC_ROUTER	"1.3.6.1.5.5.7.3.30"	/* RFC 8209 */
#define EXT_MAX			1024

/* SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2 method 1). */
static int
key_ski(EVP_PKEY *k, unsigned char *md)
{
	X509_PUBKEY		*xpk = NULL;
	const unsigned char	*pk;
	int			 pklen, rc = -1;

	if (!X509_PUBKEY_set(&xpk, k))
		return -1;
	if (X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, xpk)) {
		SHA1(pk, (size_t)pklen, md);
		rc = 0;
	}
	X509_PUBKEY_free(xpk);
	return rc;
}

/*
 * Writes the hex SKI of k (40 characters and a NUL) to out.
 */
void
rg_cert_ski_hex(EVP_PKEY *k, char *out)
{
	unsigned char	md[SHA_DIGEST_LENGTH];

	if (key_ski(k, md) == -1)
		memset(md, 0, sizeof(md));
	rg_hexify(md, sizeof(md), out);
}

static int
add_conf_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 ok;

	X509V3_set_ctx(&ctx, NULL, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value)) == NULL) {
		fprintf(stderr, "reef-repogen: extension %s: %s\n",
		    OBJ_nid2sn(nid), value);
		return -1;
	}
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* certificatePolicies, critical, the RPKI policy only (RFC 6487 4.8.9). */
static int
add_policy(X509 *x)
{
	CERTIFICATEPOLICIES	*cp;
	POLICYINFO		*pi;
	int			 ok = 0;

	if ((cp = sk_POLICYINFO_new_null()) == NULL)
		return -1;
	if ((pi = POLICYINFO_new()) == NULL)
		goto out;
	ASN1_OBJECT_free(pi->policyid);
	if ((pi->policyid = OBJ_txt2obj(OID_RPKI_POLICY, 1)) == NULL ||
	    !sk_POLICYINFO_push(cp, pi)) {
		POLICYINFO_free(pi);
		goto out;
	}
	ok = X509_add1_ext_i2d(x, NID_certificate_policies, cp, 1, 0);
 out:
	sk_POLICYINFO_pop_free(cp, POLICYINFO_free);
	return ok ? 0 : -1;
}

static int
add_key_ids(X509 *x, const struct cert_args *a)
{
	unsigned char		 md[SHA_DIGEST_LENGTH];
	ASN1_OCTET_STRING	*os = NULL;
	AUTHORITY_KEYID		*akid = NULL;
	int			 rc = -1;

	if (key_ski(a->subject_key, md) == -1 ||
	    (os = ASN1_OCTET_STRING_new()) == NULL ||
	    !ASN1_OCTET_STRING_set(os, md, sizeof(md)) ||
	    !X509_add1_ext_i2d(x, NID_subject_key_identifier, os, 0, 0))
		goto out;
	/* A self-signed TA needs no AKI (RFC 6487 4.8.3). */
	if (a->issuer != NULL) {
		if (key_ski(a->issuer_key, md) == -1 ||
		    (akid = AUTHORITY_KEYID_new()) == NULL ||
		    (akid->keyid = ASN1_OCTET_STRING_new()) == NULL ||
		    !ASN1_OCTET_STRING_set(akid->keyid, md, sizeof(md)) ||
		    !X509_add1_ext_i2d(x, NID_authority_key_identifier, akid,
		    0, 0))
			goto out;
	}
	rc = 0;
 out:
	ASN1_OCTET_STRING_free(os);
	AUTHORITY_KEYID_free(akid);
	return rc;
}

static int
add_profile_exts(X509 *x, const struct cert_args *a)
{
	char	v[EXT_MAX];

	if (a->is_ca && add_conf_ext(x, NID_basic_constraints,
	    "critical,CA:TRUE") == -1)
		return -1;
	if (add_conf_ext(x, NID_key_usage, a->is_ca ?
	    "critical,keyCertSign,cRLSign" : "critical,digitalSignature") == -1)
		return -1;
	if (a->is_router && add_conf_ext(x, NID_ext_key_usage,
	    OID_KP_BGPSEC_ROUTER) == -1)
		return -1;
	if (a->crldp != NULL && add_conf_ext(x, NID_crl_distribution_points,
	    (rg_uri_printf(v, sizeof(v), "URI:%s", a->crldp), v)) == -1)
		return -1;
	if (a->aia != NULL && add_conf_ext(x, NID_info_access,
	    (rg_uri_printf(v, sizeof(v), "caIssuers;URI:%s", a->aia), v)) == -1)
		return -1;
	if (a->is_ca) {
		rg_uri_printf(v, sizeof(v), "%s;URI:%s,%s;URI:%s,%s;URI:%s",
		    OID_CA_REPOSITORY, a->sia_repo, OID_RPKI_MANIFEST,
		    a->sia_mft, OID_RPKI_NOTIFY, a->sia_notify);
		if (add_conf_ext(x, NID_sinfo_access, v) == -1)
			return -1;
	} else if (a->sia_object != NULL) {
		rg_uri_printf(v, sizeof(v), "%s;URI:%s", OID_SIGNED_OBJECT,
		    a->sia_object);
		if (add_conf_ext(x, NID_sinfo_access, v) == -1)
			return -1;
	}
	return add_policy(x);
}

static int
set_name(X509_NAME *n, const char *cn)
{
	return X509_NAME_add_entry_by_NID(n, NID_commonName,
	    V_ASN1_PRINTABLESTRING, (const unsigned char *)cn, -1, -1, 0);
}

/*
 * Returns a new, unsigned certificate for a (the caller frees it and adds
 * RFC 3779 extensions), or NULL.
 */
X509 *
rg_cert_build(const struct cert_args *a)
{
	X509		*x;
	X509_NAME	*subj = NULL;
	int		 ok = 0;

	if ((x = X509_new()) == NULL)
		return NULL;
	if (!X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), a->serial))
		goto out;
	if ((subj = X509_NAME_new()) == NULL || !set_name(subj, a->cn) ||
	    !X509_set_subject_name(x, subj))
		goto out;
	if (!X509_set_issuer_name(x, a->issuer != NULL ?
	    X509_get_subject_name(a->issuer) : subj))
		goto out;
	if (ASN1_TIME_set(X509_getm_notBefore(x), (time_t)a->not_before) ==
	    NULL || ASN1_TIME_set(X509_getm_notAfter(x),
	    (time_t)a->not_after) == NULL)
		goto out;
	if (!X509_set_pubkey(x, a->subject_key))
		goto out;
	if (add_key_ids(x, a) == -1 || add_profile_exts(x, a) == -1)
		goto out;
	ok = 1;
 out:
	X509_NAME_free(subj);
	if (!ok) {
		fprintf(stderr, "reef-repogen: building certificate %s failed\n",
		    a->cn);
		X509_free(x);
		x = NULL;
	}
	return x;
}

/*
 * Sign x with sha256WithRSAEncryption (RFC 7935 section 2).  Returns 0 or -1.
 */
int
rg_cert_sign(X509 *x, EVP_PKEY *issuer_key)
{
	if (X509_sign(x, issuer_key, EVP_sha256()) <= 0) {
		fprintf(stderr, "reef-repogen: signing certificate failed\n");
		return -1;
	}
	return 0;
}

/*
 * Append the DER of x to b.  Returns 0 or -1.
 */
int
rg_cert_der(X509 *x, struct buf *b)
{
	unsigned char	*der = NULL;
	int		 len;

	if ((len = i2d_X509(x, &der)) <= 0)
		return -1;
	rg_buf_add(b, der, (size_t)len);
	OPENSSL_free(der);
	return 0;
}
