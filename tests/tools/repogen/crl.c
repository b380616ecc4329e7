/*
 * CRLs (RFC 6487 section 5): version 2, AKI and CRL number only,
 * sha256WithRSAEncryption.
 */
#include <stdio.h>

#include <openssl/x509v3.h>

#include "repogen.h"

static int
crl_add_revoked(X509_CRL *crl, uint64_t serial, int64_t when)
{
	X509_REVOKED	*rev;
	ASN1_INTEGER	*sn = NULL;
	ASN1_TIME	*t = NULL;
	int		 ok = 0;

	if ((rev = X509_REVOKED_new()) == NULL)
		return -1;
	if ((sn = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set_uint64(sn, serial) ||
	    !X509_REVOKED_set_serialNumber(rev, sn) ||
	    (t = ASN1_TIME_set(NULL, (time_t)when)) == NULL ||
	    !X509_REVOKED_set_revocationDate(rev, t) ||
	    !X509_CRL_add0_revoked(crl, rev))
		goto out;
	rev = NULL;
	ok = 1;
 out:
	X509_REVOKED_free(rev);
	ASN1_INTEGER_free(sn);
	ASN1_TIME_free(t);
	return ok ? 0 : -1;
}

/*
 * Build and sign the CRL of issuer (key ikey) valid from this_upd to
 * next_upd with CRL number num, revoking the nrev serials in rev at time
 * revtime; append its DER to out.  Returns 0 or -1.
 */
int
rg_crl_build(X509 *issuer, EVP_PKEY *ikey, int64_t this_upd, int64_t next_upd,
    uint64_t num, const uint64_t *rev, size_t nrev, int64_t revtime,
    struct buf *out)
{
	X509_CRL	*crl;
	ASN1_TIME	*t1 = NULL, *t2 = NULL;
	ASN1_INTEGER	*n = NULL;
	AUTHORITY_KEYID	*akid = NULL;
	ASN1_OCTET_STRING *ski;
	unsigned char	*der = NULL;
	int		 len, ok = 0;
	size_t		 i;

	if ((crl = X509_CRL_new()) == NULL)
		return -1;
	if (!X509_CRL_set_version(crl, 1) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)))
		goto out;
	if ((t1 = ASN1_TIME_set(NULL, (time_t)this_upd)) == NULL ||
	    (t2 = ASN1_TIME_set(NULL, (time_t)next_upd)) == NULL ||
	    !X509_CRL_set1_lastUpdate(crl, t1) ||
	    !X509_CRL_set1_nextUpdate(crl, t2))
		goto out;
	for (i = 0; i < nrev; i++)
		if (crl_add_revoked(crl, rev[i], revtime) == -1)
			goto out;
	if (!X509_CRL_sort(crl))
		goto out;
	ski = X509_get_ext_d2i(issuer, NID_subject_key_identifier, NULL, NULL);
	if (ski == NULL || (akid = AUTHORITY_KEYID_new()) == NULL) {
		ASN1_OCTET_STRING_free(ski);
		goto out;
	}
	akid->keyid = ski;
	if (!X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid,
	    0, 0))
		goto out;
	if ((n = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set_uint64(n, num) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, n, 0, 0))
		goto out;
	if (X509_CRL_sign(crl, ikey, EVP_sha256()) <= 0)
		goto out;
	if ((len = i2d_X509_CRL(crl, &der)) <= 0)
		goto out;
	rg_buf_add(out, der, (size_t)len);
	ok = 1;
 out:
	if (!ok)
		fprintf(stderr, "reef-repogen: building CRL failed\n");
	OPENSSL_free(der);
	ASN1_TIME_free(t1);
	ASN1_TIME_free(t2);
	ASN1_INTEGER_free(n);
	AUTHORITY_KEYID_free(akid);
	X509_CRL_free(crl);
	return ok ? 0 : -1;
}
