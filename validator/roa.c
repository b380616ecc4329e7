/*
 * RFC 9582 Route Origin Authorizations.
 */
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/cms.h"
#include "validator/der.h"
#include "validator/roa.h"

/* RFC 9582 section 4.3: addressFamily is exactly the two AFI octets. */
#define ROA_AFI_LEN		2
/* RFC 9582 section 4: ipAddrBlocks SIZE (1..2). */
#define ROA_MAX_FAMILIES	2

/* What every decoding failure of the eContent is called. */
#define ROA_WHAT	"RFC 9582 section 4: RouteOriginAttestation"

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

/* Log that the eContent is not DER (err says why); returns -1. */
static int
roa_not_der(const char *fn, enum der_err err)
{
	return cms_econtent_not_der(fn, ROA_WHAT, err);
}

/*
 * RFC 9582 section 4.3.2.1: the BIT STRING address t into *out.  DER
 * (X.690 sections 8.6.2 and 11.2.1): at most 7 unused bits, none when
 * there is no content octet, and every unused bit zero.
 */
static int
roa_address(const char *fn, unsigned int afi, const struct der_tlv *t,
    struct prefix *out)
{
	unsigned int	unused;
	int		rc;

	if (t->len == 0 || (unused = t->val[0]) > 7 ||
	    (t->len == 1 && unused != 0) ||
	    (t->len > 1 && (t->val[t->len - 1] & ((1u << unused) - 1)) != 0))
		return roa_not_der(fn, DER_E_FORM);
	rc = prefix_from_bits(afi, t->val + 1, t->len - 1, (int)unused, out);
	if (rc != PREFIX_OK) {
		log_warnx_obj(fn, "RFC 9582 section 4.3.2.1: bad address: %s",
		    prefix_strerror(rc));
		return -1;
	}
	return 0;
}

/* RFC 9582 section 4.3.2: one ROAIPAddress t into *out. */
static int
roa_ip_parse(const char *fn, unsigned int afi, const struct der_tlv *t,
    struct roa_ip *out)
{
	struct der_tlv	addr, ml;
	struct der	in;
	enum der_err	e;
	int64_t		v;

	der_enter(&in, t);
	if ((e = der_expect(&in, DER_BIT_STRING, &addr)) != DER_OK)
		return roa_not_der(fn, e);
	if (roa_address(fn, afi, &addr, &out->prefix) == -1)
		return -1;
	if (der_at_end(&in)) {
		out->maxlen = out->prefix.len;
		return 0;
	}
	if ((e = der_expect(&in, DER_INTEGER, &ml)) != DER_OK ||
	    (e = der_end(&in)) != DER_OK)
		return roa_not_der(fn, e);
	e = der_int64(&ml, &v);
	if (e == DER_E_INTEGER)
		return roa_not_der(fn, e);
	if (e != DER_OK || v < out->prefix.len ||
	    v > (int64_t)prefix_afi_bits(afi)) {
		log_warnx_obj(fn, "RFC 9582 section 4.3.2.2: maxLength out "
		    "of range for a /%u", out->prefix.len);
		return -1;
	}
	out->maxlen = (uint8_t)v;
	return 0;
}

/*
 * RFC 9582 section 4.3.1: one ROAIPAddressFamily t; its AFI in *afi and
 * its address list in *addrs, with their count in *n.
 */
static int
roa_family(const char *fn, const struct der_tlv *t, unsigned int *afi,
    struct der_tlv *addrs, size_t *n)
{
	struct der_tlv	os, a;
	struct der	in;
	enum der_err	e;

	der_enter(&in, t);
	if ((e = der_expect(&in, DER_OCTET_STRING, &os)) != DER_OK ||
	    (e = der_expect(&in, DER_SEQUENCE, addrs)) != DER_OK ||
	    (e = der_end(&in)) != DER_OK)
		return roa_not_der(fn, e);
	if (os.len != ROA_AFI_LEN || os.val[0] != 0 ||
	    (os.val[1] != AFI_IPV4 && os.val[1] != AFI_IPV6)) {
		log_warnx_obj(fn, "RFC 9582 section 4.3.1: addressFamily "
		    "must be 0001 (IPv4) or 0002 (IPv6) without SAFI");
		return -1;
	}
	*afi = os.val[1];
	der_enter(&in, addrs);
	for (*n = 0; !der_at_end(&in); (*n)++)
		if ((e = der_expect(&in, DER_SEQUENCE, &a)) != DER_OK)
			return roa_not_der(fn, e);
	if (*n == 0) {
		log_warnx_obj(fn, "RFC 9582 section 4.3.1: empty address "
		    "list");
		return -1;
	}
	return 0;
}

/* Sort roa->ips and drop duplicates. */
static void
roa_normalise(struct roa *roa, size_t total)
{
	size_t	i, j;

	/*
	 * RFC 9582 section 4.3.3 asks issuers for a sorted, duplicate-free
	 * form but relying parties accept others; normalise here.
	 */
	qsort(roa->ips, total, sizeof(*roa->ips), roa_ip_cmp);
	for (i = 0, j = 0; i < total; i++)
		if (j == 0 || roa_ip_cmp(&roa->ips[j - 1], &roa->ips[i]) != 0)
			roa->ips[j++] = roa->ips[i];
	roa->nips = j;
}

/* The ipAddrBlocks t: every family into roa->ips, sorted, unique. */
static int
roa_parse_blocks(const char *fn, const struct der_tlv *t, struct roa *roa)
{
	struct der_tlv	fam[ROA_MAX_FAMILIES], addrs[ROA_MAX_FAMILIES], a;
	unsigned int	afi[ROA_MAX_FAMILIES], seen = 0;
	size_t		count[ROA_MAX_FAMILIES], total = 0, nf, f, i, n;
	struct der	in, ain;
	enum der_err	e;

	der_enter(&in, t);
	for (nf = 0; !der_at_end(&in); nf++)
		if ((e = der_expect(&in, DER_SEQUENCE,
		    nf < ROA_MAX_FAMILIES ? &fam[nf] : &a)) != DER_OK)
			return roa_not_der(fn, e);
	if (nf < 1 || nf > ROA_MAX_FAMILIES) {
		log_warnx_obj(fn, "RFC 9582 section 4: %zu ipAddrBlocks, "
		    "must be 1 or 2", nf);
		return -1;
	}
	for (f = 0; f < nf; f++) {
		if (roa_family(fn, &fam[f], &afi[f], &addrs[f],
		    &count[f]) == -1)
			return -1;
		if (seen & (1u << afi[f])) {
			log_warnx_obj(fn, "RFC 9582 section 4.3.1: address "
			    "family %u appears twice", afi[f]);
			return -1;
		}
		seen |= 1u << afi[f];
		total += count[f];
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
		der_enter(&ain, &addrs[f]);
		for (i = 0; i < count[f]; i++)
			if (der_next(&ain, &a) != DER_OK ||
			    roa_ip_parse(fn, afi[f], &a, &roa->ips[n++]) == -1)
				return -1;
	}
	roa_normalise(roa, total);
	return 0;
}

/* RFC 9582 section 4.2: asID, an INTEGER (0..4294967295). */
static int
roa_asid(const char *fn, const struct der_tlv *t, uint32_t *asid)
{
	enum der_err	e;
	int64_t		v;

	if ((e = der_int64(t, &v)) == DER_E_INTEGER)
		return roa_not_der(fn, e);
	if (e != DER_OK || v < 0 || v > UINT32_MAX) {
		log_warnx_obj(fn, "RFC 9582 section 4.2: asID out of range");
		return -1;
	}
	*asid = (uint32_t)v;
	return 0;
}

/*
 * The RouteOriginAttestation, read with validator/der.h: strict DER
 * throughout (definite minimal lengths, minimal INTEGERs, primitive
 * strings, no DEFAULT encoded), nothing before or after it.
 */
struct roa *
roa_parse_econtent(const char *fn, const unsigned char *der, size_t len)
{
	struct der_tlv	 top, t, blocks;
	struct der	 in, body;
	struct roa	*roa = NULL;
	enum der_err	 e;

	if (len == 0 || len > MAX_FILE_SIZE) {
		log_warnx_obj(fn, "%s: bad length %zu", ROA_WHAT, len);
		return NULL;
	}
	der_init(&in, der, len);
	if ((e = der_expect(&in, DER_SEQUENCE, &top)) != DER_OK) {
		roa_not_der(fn, e);
		return NULL;
	}
	if (!der_at_end(&in)) {
		log_warnx_obj(fn, "%s: %td bytes of trailing data", ROA_WHAT,
		    der + len - in.p);
		return NULL;
	}
	if ((roa = calloc(1, sizeof(*roa))) == NULL) {
		log_warn_obj(fn, "calloc");
		return NULL;
	}
	der_enter(&body, &top);
	if ((e = der_next(&body, &t)) != DER_OK) {
		roa_not_der(fn, e);
		goto fail;
	}
	if (t.tag == DER_CONTEXT_CONS(0)) {
		cms_econtent_version(fn, "RFC 9582 section 4.1", ROA_WHAT,
		    &t);
		goto fail;
	}
	if (t.tag != DER_INTEGER) {
		roa_not_der(fn, DER_E_TAG);
		goto fail;
	}
	if (roa_asid(fn, &t, &roa->asid) == -1)
		goto fail;
	if ((e = der_expect(&body, DER_SEQUENCE, &blocks)) != DER_OK ||
	    (e = der_end(&body)) != DER_OK) {
		roa_not_der(fn, e);
		goto fail;
	}
	if (roa_parse_blocks(fn, &blocks, roa) == -1)
		goto fail;
	return roa;
 fail:
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
	if ((ee = cert_parse_ee(fn, cms->ee_der, cms->ee_der_len, 0)) == NULL)
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
