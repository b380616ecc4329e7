/*
 * RFC 9582 Route Origin Authorizations.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/x509v3.h>

#include "common/limits.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/cms.h"
#include "validator/roa.h"

/* RFC 9582 section 4.3: addressFamily is exactly the two AFI octets. */
#define ROA_AFI_LEN		2
/* RFC 9582 section 4: ipAddrBlocks SIZE (1..2). */
#define ROA_MAX_FAMILIES	2

typedef struct {
	ASN1_BIT_STRING	*address;
	ASN1_INTEGER	*maxlen;
} RoaIpAddress;

DEFINE_STACK_OF(RoaIpAddress)

typedef struct {
	ASN1_OCTET_STRING		*afi;
	STACK_OF(RoaIpAddress)		*addresses;
} RoaIpFamily;

DEFINE_STACK_OF(RoaIpFamily)

typedef struct {
	ASN1_INTEGER		*version;
	ASN1_INTEGER		*asid;
	STACK_OF(RoaIpFamily)	*blocks;
} RoaContent;

ASN1_SEQUENCE(RoaIpAddress) = {
	ASN1_SIMPLE(RoaIpAddress, address, ASN1_BIT_STRING),
	ASN1_OPT(RoaIpAddress, maxlen, ASN1_INTEGER),
} static_ASN1_SEQUENCE_END(RoaIpAddress)

ASN1_SEQUENCE(RoaIpFamily) = {
	ASN1_SIMPLE(RoaIpFamily, afi, ASN1_OCTET_STRING),
	ASN1_SEQUENCE_OF(RoaIpFamily, addresses, RoaIpAddress),
} static_ASN1_SEQUENCE_END(RoaIpFamily)

ASN1_SEQUENCE(RoaContent) = {
	ASN1_EXP_OPT(RoaContent, version, ASN1_INTEGER, 0),
	ASN1_SIMPLE(RoaContent, asid, ASN1_INTEGER),
	ASN1_SEQUENCE_OF(RoaContent, blocks, RoaIpFamily),
} static_ASN1_SEQUENCE_END(RoaContent)

void
roa_free(struct roa *roa)
{
	if (roa == NULL)
		return;
	free(roa->ips);
	cert_free(roa->ee);
	free(roa);
}

static int
roa_ip_cmp(const void *a, const void *b)
{
	const struct roa_ip	*x = a, *y = b;
	int			 c;

	if ((c = prefix_cmp(&x->prefix, &y->prefix)) != 0)
		return c;
	return (int)x->maxlen - (int)y->maxlen;
}

/* RFC 9582 section 4.3.2: one ROAIPAddress into *out. */
static int
roa_ip_parse(const char *fn, unsigned int afi, const RoaIpAddress *a,
    struct roa_ip *out)
{
	const ASN1_BIT_STRING	*bs = a->address;
	int64_t			 ml;
	int			 unused, rc;

	/* OpenSSL keeps the count of unused bits in the flags. */
	unused = (bs->flags & ASN1_STRING_FLAG_BITS_LEFT) ? bs->flags & 0x07 : 0;
	rc = prefix_from_bits(afi, ASN1_STRING_get0_data(bs),
	    (size_t)ASN1_STRING_length(bs), unused, &out->prefix);
	if (rc != PREFIX_OK) {
		log_warnx_obj(fn, "RFC 9582 section 4.3.2.1: bad address: %s",
		    prefix_strerror(rc));
		return -1;
	}
	if (a->maxlen == NULL) {
		out->maxlen = out->prefix.len;
		return 0;
	}
	if (ASN1_INTEGER_get_int64(&ml, a->maxlen) != 1 ||
	    ml < out->prefix.len || ml > (int64_t)prefix_afi_bits(afi)) {
		log_warnx_obj(fn, "RFC 9582 section 4.3.2.2: maxLength out "
		    "of range for a /%u", out->prefix.len);
		return -1;
	}
	out->maxlen = (uint8_t)ml;
	return 0;
}

/* RFC 9582 section 4.3.1: the address family octets. */
static int
roa_afi(const char *fn, const ASN1_OCTET_STRING *os, unsigned int *afi)
{
	const unsigned char	*d = ASN1_STRING_get0_data(os);

	if (ASN1_STRING_length(os) != ROA_AFI_LEN || d[0] != 0 ||
	    (d[1] != AFI_IPV4 && d[1] != AFI_IPV6)) {
		log_warnx_obj(fn, "RFC 9582 section 4.3.1: addressFamily "
		    "must be 0001 (IPv4) or 0002 (IPv6) without SAFI");
		return -1;
	}
	*afi = d[1];
	return 0;
}

/* Convert every family into roa->ips, then sort and drop duplicates. */
static int
roa_parse_blocks(const char *fn, const RoaContent *rc, struct roa *roa)
{
	const RoaIpFamily	*fam;
	unsigned int		 afi, seen = 0;
	size_t			 total = 0, i, j, n;
	int			 f, nf = sk_RoaIpFamily_num(rc->blocks);

	if (nf < 1 || nf > ROA_MAX_FAMILIES) {
		log_warnx_obj(fn, "RFC 9582 section 4: %d ipAddrBlocks, "
		    "must be 1 or 2", nf);
		return -1;
	}
	for (f = 0; f < nf; f++) {
		fam = sk_RoaIpFamily_value(rc->blocks, f);
		if (roa_afi(fn, fam->afi, &afi) == -1)
			return -1;
		if (seen & (1u << afi)) {
			log_warnx_obj(fn, "RFC 9582 section 4.3.1: address "
			    "family %u appears twice", afi);
			return -1;
		}
		seen |= 1u << afi;
		n = (size_t)sk_RoaIpAddress_num(fam->addresses);
		if (n == 0) {
			log_warnx_obj(fn, "RFC 9582 section 4.3.1: empty "
			    "address list");
			return -1;
		}
		total += n;
	}
	if (total > MAX_ROA_IP_ADDRESSES) {
		log_warnx_obj(fn, "RFC 9582 section 4: %zu addresses, more "
		    "than %d", total, MAX_ROA_IP_ADDRESSES);
		return -1;
	}
	if ((roa->ips = calloc(total, sizeof(*roa->ips))) == NULL) {
		log_warn_obj(fn, "calloc");
		return -1;
	}
	for (f = 0, n = 0; f < nf; f++) {
		fam = sk_RoaIpFamily_value(rc->blocks, f);
		afi = ASN1_STRING_get0_data(fam->afi)[1];
		for (i = 0; i < (size_t)sk_RoaIpAddress_num(fam->addresses);
		    i++)
			if (roa_ip_parse(fn, afi, sk_RoaIpAddress_value(
			    fam->addresses, (int)i), &roa->ips[n++]) == -1)
				return -1;
	}
	/*
	 * RFC 9582 section 4.3.3 asks issuers for a sorted, duplicate-free
	 * form but relying parties accept others; normalise here.
	 */
	qsort(roa->ips, total, sizeof(*roa->ips), roa_ip_cmp);
	for (i = 0, j = 0; i < total; i++)
		if (j == 0 || roa_ip_cmp(&roa->ips[j - 1], &roa->ips[i]) != 0)
			roa->ips[j++] = roa->ips[i];
	roa->nips = j;
	return 0;
}

struct roa *
roa_parse_econtent(const char *fn, const unsigned char *der, size_t len)
{
	RoaContent	*rc;
	struct roa	*roa = NULL;

	rc = (RoaContent *)cms_der_decode(fn, "RFC 9582 section 4: "
	    "RouteOriginAttestation", ASN1_ITEM_rptr(RoaContent), der, len);
	if (rc == NULL)
		return NULL;
	if ((roa = calloc(1, sizeof(*roa))) == NULL) {
		log_warn_obj(fn, "calloc");
		goto fail;
	}
	if (cms_check_version(fn, "RFC 9582 section 4.1", rc->version, 0,
	    0) == -1)
		goto fail;
	if (cms_integer_u32(rc->asid, &roa->asid) == -1) {
		log_warnx_obj(fn, "RFC 9582 section 4.2: asID out of range");
		goto fail;
	}
	if (roa_parse_blocks(fn, rc, roa) == -1)
		goto fail;
	ASN1_item_free((ASN1_VALUE *)rc, ASN1_ITEM_rptr(RoaContent));
	return roa;
 fail:
	ASN1_item_free((ASN1_VALUE *)rc, ASN1_ITEM_rptr(RoaContent));
	roa_free(roa);
	return NULL;
}

int
roa_check_resources(const char *fn, const struct roa *roa,
    const struct ip_res *ee)
{
	char	buf[PREFIX_STRLEN];
	size_t	i;

	if (ee != NULL && ip_res_has_inherit(ee)) {
		log_warnx_obj(fn, "RFC 9582 section 5: EE certificate uses "
		    "inherit for its IP resources");
		return -1;
	}
	for (i = 0; i < roa->nips; i++) {
		if (ee != NULL && ip_res_covers_prefix(ee,
		    &roa->ips[i].prefix))
			continue;
		prefix_format(&roa->ips[i].prefix, buf, sizeof(buf));
		log_warnx_obj(fn, "RFC 9582 section 5: %s is not within the "
		    "EE certificate's resources", buf);
		return -1;
	}
	return 0;
}

struct roa *
roa_parse(const char *fn, const unsigned char *der, size_t len)
{
	struct cms_object	*cms;
	struct cert		*ee = NULL;
	struct roa		*roa = NULL;

	if ((cms = cms_parse(fn, der, len, OID_CT_ROA)) == NULL)
		return NULL;
	if ((ee = cert_parse_ee(fn, cms->ee, 0)) == NULL)
		goto out;
	if ((roa = roa_parse_econtent(fn, cms->econtent,
	    cms->econtent_len)) == NULL)
		goto out;
	if (roa_check_resources(fn, roa, ee->ips) == -1) {
		roa_free(roa);
		roa = NULL;
		goto out;
	}
	roa->has_signing_time = cms->has_signing_time;
	roa->signing_time = cms->signing_time;
	roa->ee = ee;
	ee = NULL;
 out:
	cert_free(ee);
	cms_object_free(cms);
	return roa;
}
