/*
 * ASPA objects, draft-ietf-sidrops-aspa-profile (eContent version 1;
 * earlier drafts carried per-provider AFI limits
 * and version 0, which no current validator accepts).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>

#include "common/limits.h"
#include "common/log.h"
#include "validator/aspa.h"
#include "validator/cert.h"
#include "validator/cms.h"

/* Section 3.1: the version is 1 and, being non-DEFAULT, always encoded. */
#define ASPA_VERSION		1
#define ASPA_VERSION_DEFAULT	0
#define ASPA_SPEC		"draft-ietf-sidrops-aspa-profile"

typedef struct {
	ASN1_INTEGER		*version;
	ASN1_INTEGER		*customer;
	STACK_OF(ASN1_INTEGER)	*providers;
} AspaContent;

ASN1_SEQUENCE(AspaContent) = {
	ASN1_EXP_OPT(AspaContent, version, ASN1_INTEGER, 0),
	ASN1_SIMPLE(AspaContent, customer, ASN1_INTEGER),
	ASN1_SEQUENCE_OF(AspaContent, providers, ASN1_INTEGER),
} static_ASN1_SEQUENCE_END(AspaContent)

/* Earlier drafts: ProviderAS ::= SEQUENCE { providerASID, afiLimit OPTIONAL }. */
typedef struct {
	ASN1_INTEGER		*asid;
	ASN1_OCTET_STRING	*afi;
} AspaLegacyProvider;

DEFINE_STACK_OF(AspaLegacyProvider)

typedef struct {
	ASN1_INTEGER			*version;
	ASN1_INTEGER			*customer;
	STACK_OF(AspaLegacyProvider)	*providers;
} AspaLegacyContent;

ASN1_SEQUENCE(AspaLegacyProvider) = {
	ASN1_SIMPLE(AspaLegacyProvider, asid, ASN1_INTEGER),
	ASN1_OPT(AspaLegacyProvider, afi, ASN1_OCTET_STRING),
} static_ASN1_SEQUENCE_END(AspaLegacyProvider)

ASN1_SEQUENCE(AspaLegacyContent) = {
	ASN1_EXP_OPT(AspaLegacyContent, version, ASN1_INTEGER, 0),
	ASN1_SIMPLE(AspaLegacyContent, customer, ASN1_INTEGER),
	ASN1_SEQUENCE_OF(AspaLegacyContent, providers, AspaLegacyProvider),
} static_ASN1_SEQUENCE_END(AspaLegacyContent)

void
aspa_free(struct aspa_object *aspa)
{
	if (aspa == NULL)
		return;
	free(aspa->providers);
	cert_free(aspa->ee);
	free(aspa);
}

/* Returns 1 if der decodes as an ASPA of the superseded profiles. */
static int
aspa_is_legacy(const unsigned char *der, size_t len)
{
	const unsigned char	*p = der;
	AspaLegacyContent	*v;
	int			 legacy;

	v = (AspaLegacyContent *)ASN1_item_d2i(NULL, &p, (long)len,
	    ASN1_ITEM_rptr(AspaLegacyContent));
	ERR_clear_error();
	if (v == NULL)
		return 0;
	/* an empty provider list fits both forms: leave it to the new one */
	legacy = p == der + len && sk_AspaLegacyProvider_num(v->providers) > 0;
	ASN1_item_free((ASN1_VALUE *)v, ASN1_ITEM_rptr(AspaLegacyContent));
	return legacy;
}

/* Section 3.3: 1..MAX providers, strictly ascending, not the customer. */
static int
aspa_parse_providers(const char *fn, const AspaContent *ac,
    struct aspa_object *aspa)
{
	size_t		 i, n = (size_t)sk_ASN1_INTEGER_num(ac->providers);
	uint32_t	 as;

	if (n == 0 || n > MAX_ASPA_PROVIDERS) {
		log_warnx_obj(fn, ASPA_SPEC " section 3.3: %zu providers, "
		    "must be 1..%d", n, MAX_ASPA_PROVIDERS);
		return -1;
	}
	if ((aspa->providers = calloc(n, sizeof(*aspa->providers))) == NULL) {
		log_warn_obj(fn, "calloc");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (cms_integer_u32(sk_ASN1_INTEGER_value(ac->providers,
		    (int)i), &as) == -1) {
			log_warnx_obj(fn, ASPA_SPEC " section 3.3: provider "
			    "AS number out of range");
			return -1;
		}
		if (as == aspa->customer) {
			log_warnx_obj(fn, ASPA_SPEC " section 3.3: customer "
			    "AS%u listed as its own provider", as);
			return -1;
		}
		if (i > 0 && as <= aspa->providers[i - 1]) {
			log_warnx_obj(fn, ASPA_SPEC " section 3.3: providers "
			    "not in strictly ascending order at AS%u", as);
			return -1;
		}
		aspa->providers[i] = as;
	}
	aspa->nproviders = n;
	return 0;
}

struct aspa_object *
aspa_parse_econtent(const char *fn, const unsigned char *der, size_t len)
{
	AspaContent		*ac;
	struct aspa_object	*aspa = NULL;

	if (aspa_is_legacy(der, len)) {
		log_warnx_obj(fn, ASPA_SPEC " section 3: eContent of an "
		    "earlier draft profile (providers with AFI limits) "
		    "is not supported");
		return NULL;
	}
	ac = (AspaContent *)cms_der_decode(fn, ASPA_SPEC " section 3: "
	    "ASProviderAttestation", ASN1_ITEM_rptr(AspaContent), der, len);
	if (ac == NULL)
		return NULL;
	if ((aspa = calloc(1, sizeof(*aspa))) == NULL) {
		log_warn_obj(fn, "calloc");
		goto fail;
	}
	if (cms_check_version(fn, ASPA_SPEC " section 3.1", ac->version,
	    ASPA_VERSION_DEFAULT, ASPA_VERSION) == -1)
		goto fail;
	if (cms_integer_u32(ac->customer, &aspa->customer) == -1) {
		log_warnx_obj(fn, ASPA_SPEC " section 3.2: customerASID out "
		    "of range");
		goto fail;
	}
	if (aspa_parse_providers(fn, ac, aspa) == -1)
		goto fail;
	ASN1_item_free((ASN1_VALUE *)ac, ASN1_ITEM_rptr(AspaContent));
	return aspa;
 fail:
	ASN1_item_free((ASN1_VALUE *)ac, ASN1_ITEM_rptr(AspaContent));
	aspa_free(aspa);
	return NULL;
}

int
aspa_check_ee(const char *fn, const struct aspa_object *aspa,
    const struct cert *ee)
{
	const struct as_res	*as = ee->ases;

	if (ee->ips != NULL) {
		log_warnx_obj(fn, ASPA_SPEC " section 4: EE certificate must "
		    "not carry IP resources");
		return -1;
	}
	if (as == NULL || as->inherit || as->nranges != 1 ||
	    as->ranges[0].min != aspa->customer ||
	    as->ranges[0].max != aspa->customer) {
		log_warnx_obj(fn, ASPA_SPEC " section 4: EE certificate AS "
		    "resources must be exactly the customer AS%u",
		    aspa->customer);
		return -1;
	}
	return 0;
}

struct aspa_object *
aspa_parse(const char *fn, const unsigned char *der, size_t len)
{
	struct cms_object	*cms;
	struct cert		*ee = NULL;
	struct aspa_object	*aspa = NULL;

	if ((cms = cms_parse(fn, der, len, OID_CT_ASPA)) == NULL)
		return NULL;
	if ((ee = cert_parse_ee(fn, cms->ee_der, cms->ee_der_len, 0)) == NULL)
		goto out;
	if ((aspa = aspa_parse_econtent(fn, cms->econtent,
	    cms->econtent_len)) == NULL)
		goto out;
	if (aspa_check_ee(fn, aspa, ee) == -1) {
		aspa_free(aspa);
		aspa = NULL;
		goto out;
	}
	aspa->has_signing_time = cms->has_signing_time;
	aspa->signing_time = cms->signing_time;
	aspa->ee = ee;
	ee = NULL;
 out:
	cert_free(ee);
	cms_object_free(cms);
	return aspa;
}
