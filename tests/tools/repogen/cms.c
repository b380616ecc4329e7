/*
 * RPKI signed objects (RFC 6488): CMS SignedData version 3, one SignerInfo
 * identified by SKI, SHA-256, signed attributes content-type,
 * message-digest and signing-time only, the EE certificate and no CRLs.
 */
#include <stdio.h>

#include <openssl/bio.h>
#include <openssl/cms.h>

#include "repogen.h"

/*
 * Sign a->econtent as a->econtent_oid with the EE certificate and key;
 * append the DER ContentInfo to out.  Returns 0 or -1.
 */
int
rg_cms_sign(const struct cms_args *a, struct buf *out)
{
	const unsigned	 flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP |
	    CMS_USE_KEYID;
	CMS_ContentInfo	*cms = NULL;
	CMS_SignerInfo	*si;
	ASN1_OBJECT	*oid = NULL;
	ASN1_TIME	*st = NULL;
	BIO		*in = NULL;
	unsigned char	*der = NULL;
	int		 len, ok = 0;

	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL)
		goto out;
	if ((oid = OBJ_txt2obj(a->econtent_oid, 1)) == NULL ||
	    !CMS_set1_eContentType(cms, oid))
		goto out;
	if ((si = CMS_add1_signer(cms, a->ee, a->ee_key, EVP_sha256(),
	    flags)) == NULL)
		goto out;
	/* Set signing-time ourselves so output does not depend on the clock. */
	if ((st = ASN1_TIME_set(NULL, (time_t)a->signing_time)) == NULL ||
	    !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, st->type,
	    st, -1))
		goto out;
	if ((in = BIO_new_mem_buf(a->econtent, (int)a->econtent_len)) == NULL)
		goto out;
	if (!CMS_final(cms, in, NULL, CMS_BINARY))
		goto out;
	if ((len = i2d_CMS_ContentInfo(cms, &der)) <= 0)
		goto out;
	rg_buf_add(out, der, (size_t)len);
	ok = 1;
 out:
	if (!ok)
		fprintf(stderr, "reef-repogen: CMS signing failed\n");
	OPENSSL_free(der);
	BIO_free(in);
	ASN1_TIME_free(st);
	ASN1_OBJECT_free(oid);
	CMS_ContentInfo_free(cms);
	return ok ? 0 : -1;
}
