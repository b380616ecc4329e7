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
#include "validator/der.h"
#include "validator/x509ext.h"

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

/*
 * One ASIdOrRange into *r: an id (is_range zero, min only) or a range;
 * min_ok and max_ok are zero for a number out of range.  -1 after logging.
 */
static int
entry_get(const char *fn, int is_range, int min_ok, int max_ok,
    struct asn_range *r)
{
	if (!min_ok || (is_range && !max_ok)) {
		log_warnx_obj(fn, "RFC 3779 section 3.2.3.7: AS number out "
		    "of range 0..4294967295");
		return -1;
	}
	if (!is_range) {
		r->max = r->min;
		return 0;
	}
	/* Section 3.2.3.8: a range of one AS must be an id. */
	if (r->min >= r->max) {
		log_warnx_obj(fn, "RFC 3779 section 3.2.3.8: AS range %u-%u "
		    "must have min below max", r->min, r->max);
		return -1;
	}
	return 0;
}

static int
parse_entry(const char *fn, const ASIdOrRange *aor, struct asn_range *r)
{
	switch (aor->type) {
	case ASIdOrRange_id:
		return entry_get(fn, 0, asid_value(aor->u.id, &r->min) == 0, 1,
		    r);
	case ASIdOrRange_range:
		return entry_get(fn, 1,
		    asid_value(aor->u.range->min, &r->min) == 0,
		    asid_value(aor->u.range->max, &r->max) == 0, r);
	default:
		return entry_get(fn, 0, 0, 0, r);
	}
}

/*
 * Start an explicit list of n entries: not empty, within the limit, array
 * allocated.  -1 after logging.
 */
static int
list_alloc(const char *fn, size_t n, struct as_res *res)
{
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
	return 0;
}

/*
 * Section 3.2.3.5/3.2.3.6: the entry just stored follows the one before
 * it: ascending, disjoint, not adjacent.
 */
static int
list_order(const char *fn, const struct as_res *res)
{
	const struct asn_range *a, *b;

	if (res->nranges < 2)
		return 0;
	a = &res->ranges[res->nranges - 2];
	b = &res->ranges[res->nranges - 1];
	if (a->max >= b->min) {
		log_warnx_obj(fn, "RFC 3779 section 3.2.3.5: AS entries "
		    "unsorted or overlapping");
		return -1;
	}
	if (a->max + 1 == b->min) {
		log_warnx_obj(fn, "RFC 3779 section 3.2.3.6: adjacent AS "
		    "entries must be merged");
		return -1;
	}
	return 0;
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
	if (list_alloc(fn, n, res) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (parse_entry(fn, sk_ASIdOrRange_value(aors, i),
		    &res->ranges[i]) == -1)
			return -1;
		res->nranges++;
		if (list_order(fn, res) == -1)
			return -1;
	}
	return 0;
}

static void
log_rdi(const char *fn)
{
	log_warnx_obj(fn, "RFC 6487 section 4.8.11: RDI not allowed");
}

static void
log_no_asnum(const char *fn)
{
	log_warnx_obj(fn, "RFC 6487 section 4.8.11: AS identifier delegation "
	    "extension without asnum");
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
		log_rdi(fn);
		goto fail;
	}
	if (asid->asnum == NULL) {
		log_no_asnum(fn);
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

/*
 * The reader of the DER value.  Every encoding rule the decoding and
 * re-encoding of x509ext_value_decode() enforced is checked here (X.690
 * section 10: definite minimal lengths, no trailing data; section 8.3.2:
 * minimal INTEGERs; section 8.14: EXPLICIT tags constructed around one
 * value), then the rules above.
 */

/* Logs why the value is refused; returns -1. */
static int
as_not_der(const char *fn, enum der_err e)
{
	return x509ext_der_refused(fn, "sbgp-autonomousSysNum",
	    e == DER_E_INDEFINITE || e == DER_E_LEN_NONMINIMAL,
	    der_strerror(e));
}

/*
 * The ASId INTEGER t into *out.  Returns 0, -1 after logging if it is not
 * DER, or 1 if it is DER but no AS number (negative or above 2^32-1).
 */
static int
asid_der(const char *fn, const struct der_tlv *t, uint32_t *out)
{
	enum der_err e;
	int64_t v;

	if ((e = der_int64(t, &v)) == DER_E_RANGE)
		return 1;
	if (e != DER_OK)
		return as_not_der(fn, e);
	if (v < 0 || v > UINT32_MAX)
		return 1;
	*out = (uint32_t)v;
	return 0;
}

/* One ASIdOrRange TLV t into *r; -1 after logging. */
static int
entry_der(const char *fn, const struct der_tlv *t, struct asn_range *r)
{
	struct der d;
	struct der_tlv lo, hi;
	enum der_err e;
	int rl, rh;

	if (t->tag == DER_INTEGER) {
		if ((rl = asid_der(fn, t, &r->min)) == -1)
			return -1;
		return entry_get(fn, 0, rl == 0, 1, r);
	}
	if (t->tag != DER_SEQUENCE)
		return as_not_der(fn, DER_E_TAG);
	/* ASRange ::= SEQUENCE { min ASId, max ASId } */
	der_enter(&d, t);
	if ((e = der_expect(&d, DER_INTEGER, &lo)) != DER_OK ||
	    (e = der_expect(&d, DER_INTEGER, &hi)) != DER_OK ||
	    (e = der_end(&d)) != DER_OK)
		return as_not_der(fn, e);
	if ((rl = asid_der(fn, &lo, &r->min)) == -1 ||
	    (rh = asid_der(fn, &hi, &r->max)) == -1)
		return -1;
	return entry_get(fn, 1, rl == 0, rh == 0, r);
}

/*
 * The ASIdentifierChoice inside the EXPLICIT tag t, checked as DER into
 * *choice.  Returns 0, or -1 after logging.
 */
static int
choice_der(const char *fn, const struct der_tlv *t, struct der_tlv *choice)
{
	struct der d;
	enum der_err e;

	der_enter(&d, t);
	if ((e = der_next(&d, choice)) != DER_OK || (e = der_end(&d)) != DER_OK)
		return as_not_der(fn, e);
	/* ASIdentifierChoice ::= CHOICE { inherit NULL, asIdsOrRanges } */
	if (choice->tag != DER_SEQUENCE && (e = der_null(choice)) != DER_OK)
		return as_not_der(fn, e);
	return 0;
}

/* The SEQUENCE OF ASIdOrRange t into res. */
static int
list_der(const char *fn, const struct der_tlv *t, struct as_res *res)
{
	struct der d;
	struct der_tlv e_t;
	enum der_err e;
	size_t n = 0;

	/* Count, checking the framing, then read. */
	der_enter(&d, t);
	while (!der_at_end(&d)) {
		if ((e = der_next(&d, &e_t)) != DER_OK)
			return as_not_der(fn, e);
		n++;
	}
	if (list_alloc(fn, n, res) == -1)
		return -1;
	der_enter(&d, t);
	while (der_next(&d, &e_t) == DER_OK) {
		if (entry_der(fn, &e_t, &res->ranges[res->nranges]) == -1)
			return -1;
		res->nranges++;
		if (list_order(fn, res) == -1)
			return -1;
	}
	return 0;
}

/*
 * ASIdentifiers ::= SEQUENCE { asnum [0] EXPLICIT ASIdentifierChoice
 * OPTIONAL, rdi [1] EXPLICIT ASIdentifierChoice OPTIONAL } (RFC 3779
 * section 3.2.3.1).  An rdi is refused whatever it holds, so only its
 * framing is read.
 */
static int
asid_der_parse(const char *fn, const unsigned char *val, size_t len,
    struct as_res *res)
{
	struct der d;
	struct der_tlv seq, t, asnum, rdi;
	enum der_err e;
	int has_asnum = 0, has_rdi = 0;

	der_init(&d, val, len);
	if ((e = der_expect(&d, DER_SEQUENCE, &seq)) != DER_OK ||
	    (e = der_end(&d)) != DER_OK)
		return as_not_der(fn, e);
	der_enter(&d, &seq);
	if (der_peek(&d) == DER_CONTEXT_CONS(0)) {
		if ((e = der_next(&d, &t)) != DER_OK)
			return as_not_der(fn, e);
		if (choice_der(fn, &t, &asnum) == -1)
			return -1;
		has_asnum = 1;
	}
	if (der_peek(&d) == DER_CONTEXT_CONS(1)) {
		if ((e = der_next(&d, &t)) != DER_OK)
			return as_not_der(fn, e);
		if (choice_der(fn, &t, &rdi) == -1)
			return -1;
		has_rdi = 1;
	}
	if ((e = der_end(&d)) != DER_OK)
		return as_not_der(fn, e);
	if (has_rdi) {
		log_rdi(fn);
		return -1;
	}
	if (!has_asnum) {
		log_no_asnum(fn);
		return -1;
	}
	if (asnum.tag == DER_NULL) {
		res->inherit = 1;
		return 0;
	}
	return list_der(fn, &asnum, res);
}

/* Returns a new as_res owned by the caller, or NULL after logging. */
struct as_res *
as_res_parse_der(const char *fn, const unsigned char *val, size_t len)
{
	struct as_res *res;

	if ((res = calloc(1, sizeof(*res))) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return NULL;
	}
	if (asid_der_parse(fn, val, len, res) == -1) {
		as_res_free(res);
		return NULL;
	}
	return res;
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

int
as_res_equal(const struct as_res *a, const struct as_res *b)
{
	size_t j;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->inherit != b->inherit || a->nranges != b->nranges)
		return 0;
	for (j = 0; j < a->nranges; j++)
		if (a->ranges[j].min != b->ranges[j].min ||
		    a->ranges[j].max != b->ranges[j].max)
			return 0;
	return 1;
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
