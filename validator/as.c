/*
 * RFC 3779 section 3 AS identifiers as a sorted array of ranges.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "common/asn.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/as.h"

/* An ASN.1 INTEGER holding an AS number (0..2^32-1) into *out. */
static int
asid_value(const ASN1_INTEGER *ai, uint32_t *out)
{
	uint64_t v;

	if (!ASN1_INTEGER_get_uint64(&v, ai) || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_entry(const char *fn, const ASIdOrRange *aor, struct asn_range *r)
{
	switch (aor->type) {
	case ASIdOrRange_id:
		if (asid_value(aor->u.id, &r->min) == -1)
			goto bad;
		r->max = r->min;
		return 0;
	case ASIdOrRange_range:
		if (asid_value(aor->u.range->min, &r->min) == -1 ||
		    asid_value(aor->u.range->max, &r->max) == -1)
			goto bad;
		/* Section 3.2.3.8: a range of one AS must be an id. */
		if (r->min >= r->max) {
			log_warnx_obj(fn, "RFC 3779 section 3.2.3.8: AS range "
			    "%u-%u must have min below max", r->min, r->max);
			return -1;
		}
		return 0;
	default:
		break;
	}
bad:
	log_warnx_obj(fn, "RFC 3779 section 3.2.3.7: AS number out of range "
	    "0..4294967295");
	return -1;
}

static int
parse_asnum(const char *fn, const ASIdentifierChoice *choice,
    struct as_res *res)
{
	const ASIdOrRanges *aors;
	size_t i, n;

	if (choice->type == ASIdentifierChoice_inherit) {
		res->inherit = 1;
		return 0;
	}
	aors = choice->u.asIdsOrRanges;
	n = sk_ASIdOrRange_num(aors);
	if (n == 0) {
		log_warnx_obj(fn, "RFC 3779 section 3.2.3.4: empty "
		    "asIdsOrRanges");
		return -1;
	}
	if (n > MAX_CERT_AS_ENTRIES) {
		log_warnx_obj(fn, "more than %d AS entries",
		    MAX_CERT_AS_ENTRIES);
		return -1;
	}
	if ((res->ranges = calloc(n, sizeof(*res->ranges))) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (parse_entry(fn, sk_ASIdOrRange_value(aors, i),
		    &res->ranges[i]) == -1)
			return -1;
		res->nranges++;
		if (i == 0)
			continue;
		/*
		 * Section 3.2.3.5/3.2.3.6: ascending, disjoint, not
		 * adjacent.
		 */
		if (res->ranges[i - 1].max >= res->ranges[i].min) {
			log_warnx_obj(fn, "RFC 3779 section 3.2.3.5: AS "
			    "entries unsorted or overlapping");
			return -1;
		}
		if (res->ranges[i - 1].max + 1 == res->ranges[i].min) {
			log_warnx_obj(fn, "RFC 3779 section 3.2.3.6: adjacent "
			    "AS entries must be merged");
			return -1;
		}
	}
	return 0;
}

/* Returns a new as_res owned by the caller, or NULL after logging. */
struct as_res *
as_res_parse(const char *fn, ASIdentifiers *asid)
{
	struct as_res *res;

	if ((res = calloc(1, sizeof(*res))) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return NULL;
	}
	if (asid->rdi != NULL) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.11: RDI not allowed");
		goto fail;
	}
	if (asid->asnum == NULL) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.11: AS identifier "
		    "delegation extension without asnum");
		goto fail;
	}
	if (parse_asnum(fn, asid->asnum, res) == -1)
		goto fail;
	if (!X509v3_asid_is_canonical(asid)) {
		log_warnx_obj(fn, "RFC 3779 section 3.2.3: AS identifiers not "
		    "in canonical form");
		goto fail;
	}
	return res;
fail:
	as_res_free(res);
	return NULL;
}

/* Frees res and its ranges; NULL is fine. */
void
as_res_free(struct as_res *res)
{
	if (res == NULL)
		return;
	free(res->ranges);
	free(res);
}

/* Returns a deep copy owned by the caller, or NULL. */
struct as_res *
as_res_dup(const struct as_res *res)
{
	struct as_res *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->inherit = res->inherit;
	if (res->nranges > 0) {
		d->ranges = calloc(res->nranges, sizeof(*d->ranges));
		if (d->ranges == NULL) {
			free(d);
			return NULL;
		}
		memcpy(d->ranges, res->ranges,
		    res->nranges * sizeof(*res->ranges));
		d->nranges = res->nranges;
	}
	return d;
}

/* Returns 1 if [min, max] lies within one range of res (binary search). */
int
as_res_contains_range(const struct as_res *res, uint32_t min, uint32_t max)
{
	size_t lo = 0, hi, mid;

	if (res == NULL || res->inherit || res->nranges == 0 || min > max)
		return 0;
	hi = res->nranges;
	/* The last range whose min <= min. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (res->ranges[mid].min <= min)
			lo = mid;
		else
			hi = mid;
	}
	return res->ranges[lo].min <= min && max <= res->ranges[lo].max;
}

/* Returns 1 if asn lies within one range of res. */
int
as_res_contains_asn(const struct as_res *res, uint32_t asn)
{
	return as_res_contains_range(res, asn, asn);
}

/* Returns 1 if issuer covers every range of child, else 0. */
int
as_res_contains(const struct as_res *issuer, const struct as_res *child)
{
	size_t i;

	if (child == NULL || child->inherit)
		return 1;
	for (i = 0; i < child->nranges; i++)
		if (!as_res_contains_range(issuer, child->ranges[i].min,
		    child->ranges[i].max))
			return 0;
	return 1;
}

/*
 * Returns 0 after replacing an inheriting child by issuer's ranges, or -1
 * with child unchanged.
 */
int
as_res_inherit(struct as_res *child, const struct as_res *issuer)
{
	struct asn_range *r = NULL;

	if (!child->inherit)
		return 0;
	if (issuer == NULL || issuer->inherit)
		return -1;
	if (issuer->nranges > 0) {
		if ((r = calloc(issuer->nranges, sizeof(*r))) == NULL)
			return -1;
		memcpy(r, issuer->ranges, issuer->nranges * sizeof(*r));
	}
	free(child->ranges);
	child->ranges = r;
	child->nranges = issuer->nranges;
	child->inherit = 0;
	return 0;
}
