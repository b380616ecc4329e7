/*
 * RFC 9323 RPKI Signed Checklists.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/x509v3.h>

#include "common/limits.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/cms.h"
#include "validator/oid.h"
#include "validator/rsc.h"

/* RFC 9323 section 4.2: ConstrainedIPAddrBlocks SIZE (1..2). */
#define RSC_MAX_FAMILIES	2

typedef struct {
	ASN1_IA5STRING		*name;
	ASN1_OCTET_STRING	*hash;
} RscFileHash;

DEFINE_STACK_OF(RscFileHash)

/*
 * ConstrainedASIdentifiers and ConstrainedIPAddressFamily encode exactly
 * like RFC 3779's ASIdentifiers and IPAddressFamily minus the inherit and
 * rdi alternatives, so OpenSSL's templates decode them; the forbidden
 * alternatives are rejected after decoding.
 */
typedef struct {
	ASIdentifiers			*asid;
	STACK_OF(IPAddressFamily)	*ips;
} RscResources;

typedef struct {
	ASN1_INTEGER		*version;
	RscResources		*resources;
	X509_ALGOR		*digest;
	STACK_OF(RscFileHash)	*checklist;
} RscContent;

ASN1_SEQUENCE(RscFileHash) = {
	ASN1_OPT(RscFileHash, name, ASN1_IA5STRING),
	ASN1_SIMPLE(RscFileHash, hash, ASN1_OCTET_STRING),
} static_ASN1_SEQUENCE_END(RscFileHash)

/* The module is DEFINITIONS EXPLICIT TAGS (RFC 9323 section 4). */
ASN1_SEQUENCE(RscResources) = {
	ASN1_EXP_OPT(RscResources, asid, ASIdentifiers, 0),
	ASN1_EXP_SEQUENCE_OF_OPT(RscResources, ips, IPAddressFamily, 1),
} static_ASN1_SEQUENCE_END(RscResources)

ASN1_SEQUENCE(RscContent) = {
	ASN1_EXP_OPT(RscContent, version, ASN1_INTEGER, 0),
	ASN1_SIMPLE(RscContent, resources, RscResources),
	ASN1_SIMPLE(RscContent, digest, X509_ALGOR),
	ASN1_SEQUENCE_OF(RscContent, checklist, RscFileHash),
} static_ASN1_SEQUENCE_END(RscContent)

void
rsc_free(struct rsc *rsc)
{
	size_t	i;

	if (rsc == NULL)
		return;
	for (i = 0; i < rsc->nfiles; i++)
		free(rsc->files[i].name);
	free(rsc->files);
	ip_res_free(rsc->ips);
	as_res_free(rsc->ases);
	cert_free(rsc->ee);
	free(rsc);
}

/* RFC 9323 section 4.2: ConstrainedASIdentifiers into rsc->ases. */
static int
rsc_parse_asid(const char *fn, ASIdentifiers *asid, struct rsc *rsc)
{
	if (asid->rdi != NULL) {
		log_warnx_obj(fn, "RFC 9323 section 4.2: asID must not "
		    "carry rdi");
		return -1;
	}
	if (asid->asnum == NULL ||
	    asid->asnum->type != ASIdentifierChoice_asIdsOrRanges) {
		log_warnx_obj(fn, "RFC 9323 section 4.2: asID must list AS "
		    "identifiers (no inherit)");
		return -1;
	}
	if (sk_ASIdOrRange_num(asid->asnum->u.asIdsOrRanges) < 1) {
		log_warnx_obj(fn, "RFC 9323 section 4.2: empty asID");
		return -1;
	}
	if ((rsc->ases = as_res_parse(fn, asid)) == NULL)
		return -1;
	return 0;
}

/* RFC 9323 section 4.2: ConstrainedIPAddrBlocks into rsc->ips. */
static int
rsc_parse_ips(const char *fn, STACK_OF(IPAddressFamily) *ips,
    struct rsc *rsc)
{
	const IPAddressFamily	*af;
	int			 i, n = sk_IPAddressFamily_num(ips);

	if (n < 1 || n > RSC_MAX_FAMILIES) {
		log_warnx_obj(fn, "RFC 9323 section 4.2: %d address "
		    "families, must be 1 or 2", n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		af = sk_IPAddressFamily_value(ips, i);
		if (af->ipAddressChoice->type !=
		    IPAddressChoice_addressesOrRanges ||
		    sk_IPAddressOrRange_num(
		    af->ipAddressChoice->u.addressesOrRanges) < 1) {
			log_warnx_obj(fn, "RFC 9323 section 4.2: each address "
			    "family must list addresses (no inherit)");
			return -1;
		}
	}
	if ((rsc->ips = ip_res_parse(fn, ips)) == NULL)
		return -1;
	return 0;
}

/* RFC 9323 section 4.4: a PortableFilename, i.e. [a-zA-Z0-9._-]+. */
static int
rsc_valid_name(const unsigned char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > MAX_FILENAME_LENGTH)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* One FileNameAndHash into *out. */
static int
rsc_parse_file(const char *fn, int idx, const RscFileHash *fh,
    struct rsc_file *out)
{
	const unsigned char	*name;
	size_t			 len;

	if (ASN1_STRING_length(fh->hash) != HASH_SHA256_LEN) {
		log_warnx_obj(fn, "RFC 9323 section 4.4: checkList entry %d: "
		    "hash of %d bytes, SHA-256 needs %d", idx,
		    ASN1_STRING_length(fh->hash), HASH_SHA256_LEN);
		return -1;
	}
	memcpy(out->hash, ASN1_STRING_get0_data(fh->hash), HASH_SHA256_LEN);
	if (fh->name == NULL)
		return 0;
	name = ASN1_STRING_get0_data(fh->name);
	len = (size_t)ASN1_STRING_length(fh->name);
	if (!rsc_valid_name(name, len)) {
		log_warnx_obj(fn, "RFC 9323 section 4.4: checkList entry %d: "
		    "file name is not a PortableFilename", idx);
		return -1;
	}
	if ((out->name = strndup((const char *)name, len)) == NULL) {
		log_warn_obj(fn, "strndup");
		return -1;
	}
	return 0;
}

static int
rsc_parse_checklist(const char *fn, const RscContent *rc, struct rsc *rsc)
{
	int	i, n = sk_RscFileHash_num(rc->checklist);

	if (n < 1 || n > MAX_CHECKLIST_ENTRIES) {
		log_warnx_obj(fn, "RFC 9323 section 4.4: checkList has %d "
		    "entries, must be 1..%d", n, MAX_CHECKLIST_ENTRIES);
		return -1;
	}
	if ((rsc->files = calloc((size_t)n, sizeof(*rsc->files))) == NULL) {
		log_warn_obj(fn, "calloc");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rsc_parse_file(fn, i, sk_RscFileHash_value(rc->checklist,
		    i), &rsc->files[i]) == -1)
			return -1;
		rsc->nfiles++;
	}
	return 0;
}

/* RFC 9323 section 4.3 (RFC 7935 section 2): the digest is SHA-256. */
static int
rsc_check_digest(const char *fn, const X509_ALGOR *alg)
{
	const ASN1_OBJECT	*obj;
	const void		*pval;
	int			 ptype;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	/* RFC 5754 section 2: parameters absent, or NULL from old signers. */
	if (!oid_is(obj, OID_SHA256) ||
	    (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL)) {
		log_warnx_obj(fn, "RFC 9323 section 4.3: digestAlgorithm "
		    "must be SHA-256");
		return -1;
	}
	return 0;
}

struct rsc *
rsc_parse_econtent(const char *fn, const unsigned char *der, size_t len)
{
	RscContent	*rc;
	struct rsc	*rsc = NULL;

	rc = (RscContent *)cms_der_decode(fn, "RFC 9323 section 4: "
	    "RpkiSignedChecklist", ASN1_ITEM_rptr(RscContent), der, len);
	if (rc == NULL) {
		/* The drafts before RFC 9323 used other layouts. */
		log_warnx_obj(fn, "RFC 9323 section 4: not an RFC 9323 "
		    "checklist (pre-RFC draft format?)");
		return NULL;
	}
	if ((rsc = calloc(1, sizeof(*rsc))) == NULL) {
		log_warn_obj(fn, "calloc");
		goto fail;
	}
	if (cms_check_version(fn, "RFC 9323 section 4.1", rc->version, 0,
	    0) == -1)
		goto fail;
	if (rc->resources->asid == NULL && rc->resources->ips == NULL) {
		log_warnx_obj(fn, "RFC 9323 section 4.2: ResourceBlock needs "
		    "asID or ipAddrBlocks");
		goto fail;
	}
	if (rc->resources->asid != NULL &&
	    rsc_parse_asid(fn, rc->resources->asid, rsc) == -1)
		goto fail;
	if (rc->resources->ips != NULL &&
	    rsc_parse_ips(fn, rc->resources->ips, rsc) == -1)
		goto fail;
	if (rsc_check_digest(fn, rc->digest) == -1)
		goto fail;
	if (rsc_parse_checklist(fn, rc, rsc) == -1)
		goto fail;
	ASN1_item_free((ASN1_VALUE *)rc, ASN1_ITEM_rptr(RscContent));
	return rsc;
 fail:
	ASN1_item_free((ASN1_VALUE *)rc, ASN1_ITEM_rptr(RscContent));
	rsc_free(rsc);
	return NULL;
}

int
rsc_check_ee(const char *fn, const struct rsc *rsc, const struct cert *ee)
{
	if ((ee->ips != NULL && ip_res_has_inherit(ee->ips)) ||
	    (ee->ases != NULL && ee->ases->inherit)) {
		log_warnx_obj(fn, "RFC 9323 section 2: EE certificate must "
		    "not use inherit");
		return -1;
	}
	if (rsc->ips != NULL && (ee->ips == NULL ||
	    !ip_res_contains(ee->ips, rsc->ips))) {
		log_warnx_obj(fn, "RFC 9323 section 5: IP resources of the "
		    "checklist are not within the EE certificate's");
		return -1;
	}
	if (rsc->ases != NULL && (ee->ases == NULL ||
	    !as_res_contains(ee->ases, rsc->ases))) {
		log_warnx_obj(fn, "RFC 9323 section 5: AS resources of the "
		    "checklist are not within the EE certificate's");
		return -1;
	}
	return 0;
}

struct rsc *
rsc_parse(const char *fn, const unsigned char *der, size_t len)
{
	struct cms_object	*cms;
	struct cert		*ee = NULL;
	struct rsc		*rsc = NULL;

	if ((cms = cms_parse(fn, der, len, OID_CT_RSC)) == NULL)
		return NULL;
	/*
	 * The eContent first: objects of the pre-RFC drafts then fail with
	 * a message about their layout rather than about their EE.
	 */
	if ((rsc = rsc_parse_econtent(fn, cms->econtent,
	    cms->econtent_len)) == NULL)
		goto out;
	/* RFC 9323 section 2: RSCs live outside repositories, no SIA. */
	if ((ee = cert_parse_ee(fn, cms->ee_der, cms->ee_der_len,
	    CERT_EE_NO_SIA)) == NULL) {
		rsc_free(rsc);
		rsc = NULL;
		goto out;
	}
	if (rsc_check_ee(fn, rsc, ee) == -1) {
		rsc_free(rsc);
		rsc = NULL;
		goto out;
	}
	rsc->has_signing_time = cms->has_signing_time;
	rsc->signing_time = cms->signing_time;
	rsc->ee = ee;
	ee = NULL;
 out:
	cert_free(ee);
	cms_object_free(cms);
	return rsc;
}

int
rsc_lookup(const struct rsc *rsc, const char *name,
    const unsigned char hash[HASH_SHA256_LEN])
{
	size_t	i;

	for (i = 0; i < rsc->nfiles; i++) {
		if (!hash_equal(rsc->files[i].hash, hash, HASH_SHA256_LEN))
			continue;
		if (name == NULL || (rsc->files[i].name != NULL &&
		    strcmp(rsc->files[i].name, name) == 0))
			return 1;
	}
	return 0;
}
