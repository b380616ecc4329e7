/*
 * RFC 3779 section 2 IP address blocks as sorted arrays of ranges.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "common/limits.h"
#include "common/log.h"
#include "common/prefix.h"
#include "validator/der.h"
#include "validator/ip.h"
#include "validator/x509ext.h"

/*
 * RFC 3779 section 2.2.3.3: addressFamily is a 2-octet AFI plus an
 * optional SAFI octet.
 */
#define IP_AFI_LEN	2

static unsigned int
idx_afi(int idx)
{
	return idx == IP_RES_V4 ? AFI_IPV4 : AFI_IPV6;
}

static int
addr_cmp(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, PREFIX_ADDR_MAX);
}

/* *a + 1 == *b within nbytes address bytes. */
static int
addr_adjacent(const uint8_t *a, const uint8_t *b, size_t nbytes)
{
	uint8_t n[PREFIX_ADDR_MAX];
	size_t i;

	memcpy(n, a, sizeof(n));
	for (i = nbytes; i-- > 0; ) {
		if (++n[i] != 0)
			break;
		if (i == 0)
			return 0;	/* a is the highest address */
	}
	return memcmp(n, b, nbytes) == 0;
}

static int
bit_at(const uint8_t *a, unsigned int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

/*
 * If [min, max] is exactly one prefix, return its length, else -1.
 * RFC 3779 section 2.2.3.7: such a range must be encoded as a prefix.
 */
static int
range_as_prefix(const uint8_t *min, const uint8_t *max, unsigned int bits)
{
	unsigned int l, i;

	for (l = 0; l < bits && bit_at(min, l) == bit_at(max, l); l++)
		;
	for (i = l; i < bits; i++)
		if (bit_at(min, i) != 0 || bit_at(max, i) != 1)
			return -1;
	return (int)l;
}

static const char *
afi_name(int idx)
{
	return idx == IP_RES_V4 ? "IPv4" : "IPv6";
}

/*
 * An IPAddress BIT STRING value: len content octets (at most
 * PREFIX_ADDR_MAX) after the unused-bits octet, the unused low bits of
 * the last one cleared.
 */
struct ip_bits {
	uint8_t		buf[PREFIX_ADDR_MAX];
	size_t		len;
	int		unused;
};

/*
 * Copy an OpenSSL BIT STRING into *b with the unused low bits of the last
 * byte cleared: they are not part of the value (DER input has them zero
 * already; structures built in memory may not).
 */
static int
bits_get(const ASN1_BIT_STRING *bs, struct ip_bits *b)
{
	if (bs->length < 0 || bs->length > PREFIX_ADDR_MAX)
		return -1;
	memset(b->buf, 0, PREFIX_ADDR_MAX);
	b->len = bs->length;
	b->unused = bs->flags & ASN1_STRING_FLAG_BITS_LEFT ?
	    (int)(bs->flags & 7) : 0;
	if (b->len == 0)
		return b->unused == 0 ? 0 : -1;
	memcpy(b->buf, bs->data, b->len);
	b->buf[b->len - 1] &= 0xff << b->unused;
	return 0;
}

/*
 * Decode a range bound; RFC 3779 section 2.2.3.9: the lower bound drops
 * trailing zero bits, the upper bound trailing one bits.
 */
static int
bound_get(unsigned int afi, const struct ip_bits *b, int upper,
    uint8_t addr[PREFIX_ADDR_MAX])
{
	if (prefix_addr_from_bits(afi, b->buf, b->len, b->unused, upper,
	    addr) != PREFIX_OK)
		return -1;
	if (b->len > 0 && bit_at(b->buf, b->len * 8 - b->unused - 1) == upper)
		return -1;
	return 0;
}

/* An addressPrefix (b NULL if unusable) into *r; -1 after logging. */
static int
prefix_get(const char *fn, int idx, const struct ip_bits *b,
    struct ip_range *r)
{
	struct prefix p;

	memset(r, 0, sizeof(*r));
	if (b == NULL || prefix_from_bits(idx_afi(idx), b->buf, b->len,
	    b->unused, &p) != PREFIX_OK) {
		log_warnx_obj(fn, "RFC 3779 section 2.2.3.8: malformed %s "
		    "prefix", afi_name(idx));
		return -1;
	}
	memcpy(r->min, p.addr, PREFIX_ADDR_MAX);
	prefix_last(&p, r->max);
	r->plen = p.len;
	return 0;
}

/*
 * An addressRange (lo or hi NULL if unusable) into *r; -1 after logging.
 */
static int
range_get(const char *fn, int idx, const struct ip_bits *lo,
    const struct ip_bits *hi, struct ip_range *r)
{
	unsigned int afi = idx_afi(idx);

	memset(r, 0, sizeof(*r));
	r->plen = -1;
	if (lo == NULL || hi == NULL || bound_get(afi, lo, 0, r->min) == -1 ||
	    bound_get(afi, hi, 1, r->max) == -1) {
		log_warnx_obj(fn, "RFC 3779 section 2.2.3.9: malformed %s "
		    "range bound", afi_name(idx));
		return -1;
	}
	if (addr_cmp(r->min, r->max) > 0) {
		log_warnx_obj(fn, "RFC 3779 section 2.2.3.9: %s range with "
		    "min above max", afi_name(idx));
		return -1;
	}
	if (range_as_prefix(r->min, r->max, prefix_afi_bits(afi)) >= 0) {
		log_warnx_obj(fn, "RFC 3779 section 2.2.3.7: %s range must be "
		    "encoded as a prefix", afi_name(idx));
		return -1;
	}
	return 0;
}

/* One OpenSSL IPAddressOrRange into *r; -1 after logging. */
static int
parse_aor(const char *fn, int idx, const IPAddressOrRange *aor,
    struct ip_range *r)
{
	struct ip_bits lo, hi;

	switch (aor->type) {
	case IPAddressOrRange_addressPrefix:
		return prefix_get(fn, idx, bits_get(aor->u.addressPrefix,
		    &lo) == 0 ? &lo : NULL, r);
	case IPAddressOrRange_addressRange:
		return range_get(fn, idx,
		    bits_get(aor->u.addressRange->min, &lo) == 0 ? &lo : NULL,
		    bits_get(aor->u.addressRange->max, &hi) == 0 ? &hi : NULL,
		    r);
	default:
		return range_get(fn, idx, NULL, NULL, r);
	}
}

/*
 * Start the explicit list of n entries of family idx: not empty, within
 * the limit on all families (*total), array allocated.  -1 after logging.
 */
static int
family_alloc(const char *fn, int idx, size_t n, struct ip_res_afi *fam,
    size_t *total)
{
	if (n == 0) {
		log_warnx_obj(fn, "RFC 3779 section 2.2.3.6: empty %s "
		    "addressesOrRanges", afi_name(idx));
		return -1;
	}
	if (n > MAX_CERT_IP_ENTRIES - *total) {
		log_warnx_obj(fn, "more than %d IP address entries",
		    MAX_CERT_IP_ENTRIES);
		return -1;
	}
	*total += n;
	if ((fam->ranges = calloc(n, sizeof(*fam->ranges))) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * The range just stored at fam->ranges[fam->nranges - 1] follows the one
 * before it as section 2.2.3.6 wants: ascending, no overlap, no adjacency.
 */
static int
family_order(const char *fn, int idx, const struct ip_res_afi *fam)
{
	const struct ip_range *a, *b;

	if (fam->nranges < 2)
		return 0;
	a = &fam->ranges[fam->nranges - 2];
	b = &fam->ranges[fam->nranges - 1];
	if (addr_cmp(a->max, b->min) >= 0) {
		log_warnx_obj(fn, "RFC 3779 section 2.2.3.6: %s entries "
		    "unsorted or overlapping", afi_name(idx));
		return -1;
	}
	if (addr_adjacent(a->max, b->min, prefix_afi_bytes(idx_afi(idx)))) {
		log_warnx_obj(fn, "RFC 3779 section 2.2.3.6: adjacent %s "
		    "entries must be merged", afi_name(idx));
		return -1;
	}
	return 0;
}

/* The addresses of one family, sorted, disjoint and non-adjacent. */
static int
parse_family(const char *fn, int idx, const IPAddressChoice *choice,
    struct ip_res_afi *fam, size_t *total)
{
	const IPAddressOrRanges *aors;
	size_t i, n;

	fam->present = 1;
	if (choice->type == IPAddressChoice_inherit) {
		fam->inherit = 1;
		return 0;
	}
	aors = choice->u.addressesOrRanges;
	n = sk_IPAddressOrRange_num(aors);
	if (family_alloc(fn, idx, n, fam, total) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (parse_aor(fn, idx, sk_IPAddressOrRange_value(aors, i),
		    &fam->ranges[i]) == -1)
			return -1;
		fam->nranges++;
		if (family_order(fn, idx, fam) == -1)
			return -1;
	}
	return 0;
}

/*
 * The addressFamily octets (len bytes) as an index of struct ip_res.afi[],
 * after the one of the family before it (*last); -1 after logging.
 */
static int
family_index(const char *fn, const unsigned char *af, size_t len, int *last)
{
	unsigned int afi;
	int idx;

	if (len != IP_AFI_LEN) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.10: addressFamily "
		    "must be a 2-octet AFI without SAFI");
		return -1;
	}
	afi = (af[0] << 8) | af[1];
	if (afi != AFI_IPV4 && afi != AFI_IPV6) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.10: unknown AFI %u",
		    afi);
		return -1;
	}
	idx = afi == AFI_IPV4 ? IP_RES_V4 : IP_RES_V6;
	/* Section 2.2.3.3: one entry per AFI, sorted by AFI. */
	if (idx <= *last) {
		log_warnx_obj(fn, "RFC 3779 section 2.2.3.3: address families "
		    "duplicated or out of order");
		return -1;
	}
	*last = idx;
	return idx;
}

static void
no_families(const char *fn)
{
	log_warnx_obj(fn, "RFC 6487 section 4.8.10: IP address delegation "
	    "extension without address families");
}

/* Returns a new ip_res owned by the caller, or NULL after logging. */
struct ip_res *
ip_res_parse(const char *fn, IPAddrBlocks *blocks)
{
	struct ip_res *res;
	const IPAddressFamily *f;
	size_t total = 0;
	int i, idx, last = -1;

	if ((res = calloc(1, sizeof(*res))) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return NULL;
	}
	if (sk_IPAddressFamily_num(blocks) <= 0) {
		no_families(fn);
		goto fail;
	}
	for (i = 0; i < sk_IPAddressFamily_num(blocks); i++) {
		f = sk_IPAddressFamily_value(blocks, i);
		if (f->addressFamily->length < 0 || (idx = family_index(fn,
		    f->addressFamily->data, (size_t)f->addressFamily->length,
		    &last)) == -1)
			goto fail;
		if (parse_family(fn, idx, f->ipAddressChoice, &res->afi[idx],
		    &total) == -1)
			goto fail;
	}
	/* OpenSSL's own canonical-form check, belt and braces. */
	if (!X509v3_addr_is_canonical(blocks)) {
		log_warnx_obj(fn, "RFC 3779 section 2.2.3: IP address blocks "
		    "not in canonical form");
		goto fail;
	}
	return res;
fail:
	ip_res_free(res);
	return NULL;
}

/*
 * The reader of the DER value.  Every encoding rule the decoding and
 * re-encoding of x509ext_value_decode() enforced is checked here (X.690
 * section 10: definite minimal lengths, primitive strings, no trailing
 * data; section 11.2: BIT STRING unused bits), then the rules above.
 */

#define IP_EXT_NAME	"sbgp-ipAddrBlock"

/* Logs why the value is refused (e: a der_err); returns -1. */
static int
ip_not_der(const char *fn, enum der_err e)
{
	return x509ext_der_refused(fn, IP_EXT_NAME, e == DER_E_INDEFINITE ||
	    e == DER_E_LEN_NONMINIMAL, der_strerror(e));
}

/*
 * The IPAddress BIT STRING t into *b.  Returns 0, -1 after logging if it
 * is not DER (X.690 sections 8.6.2 and 11.2), or 1 if it is DER but
 * longer than any address (b unusable, the caller says why).
 */
static int
bits_der(const char *fn, const struct der_tlv *t, struct ip_bits *b)
{
	if (t->tag != DER_BIT_STRING)
		return ip_not_der(fn, DER_E_TAG);
	/* Section 8.6.2.2: the unused-bits octet, 0..7, 0 if no bits. */
	if (t->len == 0 || t->val[0] > 7 || (t->len == 1 && t->val[0] != 0))
		return x509ext_der_refused(fn, IP_EXT_NAME, t->len == 1 &&
		    t->val[0] <= 7, "X.690 section 8.6.2: malformed BIT "
		    "STRING");
	b->unused = t->val[0];
	b->len = t->len - 1;
	/* Section 11.2.1: the unused bits are zero. */
	if (b->len > 0 && (t->val[b->len] & ((1u << b->unused) - 1)) != 0)
		return x509ext_der_refused(fn, IP_EXT_NAME, 1,
		    "X.690 section 11.2.1: BIT STRING unused bits not zero");
	if (b->len > PREFIX_ADDR_MAX)
		return 1;
	memset(b->buf, 0, PREFIX_ADDR_MAX);
	if (b->len > 0)
		memcpy(b->buf, t->val + 1, b->len);
	return 0;
}

/* One IPAddressOrRange TLV t into *r; -1 after logging. */
static int
aor_der(const char *fn, int idx, const struct der_tlv *t, struct ip_range *r)
{
	struct der d;
	struct der_tlv lo_t, hi_t;
	struct ip_bits lo, hi;
	enum der_err e;
	int rl, rh;

	if (t->tag == DER_BIT_STRING) {
		if ((rl = bits_der(fn, t, &lo)) == -1)
			return -1;
		return prefix_get(fn, idx, rl == 0 ? &lo : NULL, r);
	}
	if (t->tag != DER_SEQUENCE)
		return ip_not_der(fn, DER_E_TAG);
	/* IPAddressRange ::= SEQUENCE { min, max IPAddress } */
	der_enter(&d, t);
	if ((e = der_next(&d, &lo_t)) != DER_OK ||
	    (e = der_next(&d, &hi_t)) != DER_OK || (e = der_end(&d)) != DER_OK)
		return ip_not_der(fn, e);
	if ((rl = bits_der(fn, &lo_t, &lo)) == -1 ||
	    (rh = bits_der(fn, &hi_t, &hi)) == -1)
		return -1;
	return range_get(fn, idx, rl == 0 ? &lo : NULL, rh == 0 ? &hi : NULL,
	    r);
}

/* The SEQUENCE OF IPAddressOrRange t of family idx into fam. */
static int
family_der(const char *fn, int idx, const struct der_tlv *t,
    struct ip_res_afi *fam, size_t *total)
{
	struct der d;
	struct der_tlv aor;
	enum der_err e;
	size_t n = 0;

	/* Count, checking the framing, then read. */
	der_enter(&d, t);
	while (!der_at_end(&d)) {
		if ((e = der_next(&d, &aor)) != DER_OK)
			return ip_not_der(fn, e);
		n++;
	}
	if (family_alloc(fn, idx, n, fam, total) == -1)
		return -1;
	der_enter(&d, t);
	while (der_next(&d, &aor) == DER_OK) {
		if (aor_der(fn, idx, &aor, &fam->ranges[fam->nranges]) == -1)
			return -1;
		fam->nranges++;
		if (family_order(fn, idx, fam) == -1)
			return -1;
	}
	return 0;
}

/*
 * One IPAddressFamily ::= SEQUENCE { addressFamily OCTET STRING,
 * ipAddressChoice } (RFC 3779 section 2.2.3.2) into res.
 */
static int
afi_der(const char *fn, const struct der_tlv *t, struct ip_res *res,
    int *last, size_t *total)
{
	struct der d;
	struct der_tlv af, choice;
	enum der_err e;
	int idx;

	if (t->tag != DER_SEQUENCE)
		return ip_not_der(fn, DER_E_TAG);
	der_enter(&d, t);
	if ((e = der_expect(&d, DER_OCTET_STRING, &af)) != DER_OK ||
	    (e = der_next(&d, &choice)) != DER_OK ||
	    (e = der_end(&d)) != DER_OK)
		return ip_not_der(fn, e);
	/* IPAddressChoice ::= CHOICE { inherit NULL, addressesOrRanges } */
	if (choice.tag != DER_SEQUENCE && (e = der_null(&choice)) != DER_OK)
		return ip_not_der(fn, e);
	if ((idx = family_index(fn, af.val, af.len, last)) == -1)
		return -1;
	res->afi[idx].present = 1;
	if (choice.tag == DER_NULL) {
		res->afi[idx].inherit = 1;
		return 0;
	}
	return family_der(fn, idx, &choice, &res->afi[idx], total);
}

/* Returns a new ip_res owned by the caller, or NULL after logging. */
struct ip_res *
ip_res_parse_der(const char *fn, const unsigned char *val, size_t len)
{
	struct ip_res *res;
	struct der d;
	struct der_tlv seq, f;
	enum der_err e;
	size_t total = 0;
	int last = -1;

	if ((res = calloc(1, sizeof(*res))) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return NULL;
	}
	/* IPAddrBlocks ::= SEQUENCE OF IPAddressFamily (section 2.2.3.1) */
	der_init(&d, val, len);
	if ((e = der_expect(&d, DER_SEQUENCE, &seq)) != DER_OK ||
	    (e = der_end(&d)) != DER_OK) {
		ip_not_der(fn, e);
		goto fail;
	}
	der_enter(&d, &seq);
	if (der_at_end(&d)) {
		no_families(fn);
		goto fail;
	}
	while (!der_at_end(&d)) {
		if ((e = der_next(&d, &f)) != DER_OK) {
			ip_not_der(fn, e);
			goto fail;
		}
		if (afi_der(fn, &f, res, &last, &total) == -1)
			goto fail;
	}
	return res;
fail:
	ip_res_free(res);
	return NULL;
}

/* Frees res and its range arrays; NULL is fine. */
void
ip_res_free(struct ip_res *res)
{
	int i;

	if (res == NULL)
		return;
	for (i = 0; i < IP_RES_NAFI; i++)
		free(res->afi[i].ranges);
	free(res);
}

static int
afi_copy(struct ip_res_afi *dst, const struct ip_res_afi *src)
{
	*dst = *src;
	dst->ranges = NULL;
	if (src->nranges == 0)
		return 0;
	dst->ranges = calloc(src->nranges, sizeof(*dst->ranges));
	if (dst->ranges == NULL)
		return -1;
	memcpy(dst->ranges, src->ranges, src->nranges * sizeof(*src->ranges));
	return 0;
}

int
ip_res_equal(const struct ip_res *a, const struct ip_res *b)
{
	const struct ip_res_afi *x, *y;
	size_t j;
	int i;

	if (a == NULL || b == NULL)
		return a == b;
	for (i = 0; i < IP_RES_NAFI; i++) {
		x = &a->afi[i];
		y = &b->afi[i];
		if (x->present != y->present || x->inherit != y->inherit ||
		    x->nranges != y->nranges)
			return 0;
		for (j = 0; j < x->nranges; j++)
			if (memcmp(x->ranges[j].min, y->ranges[j].min,
			    PREFIX_ADDR_MAX) != 0 || memcmp(x->ranges[j].max,
			    y->ranges[j].max, PREFIX_ADDR_MAX) != 0 ||
			    x->ranges[j].plen != y->ranges[j].plen)
				return 0;
	}
	return 1;
}

/* Returns a deep copy owned by the caller, or NULL. */
struct ip_res *
ip_res_dup(const struct ip_res *res)
{
	struct ip_res *d;
	int i;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	for (i = 0; i < IP_RES_NAFI; i++) {
		if (afi_copy(&d->afi[i], &res->afi[i]) == -1) {
			ip_res_free(d);
			return NULL;
		}
	}
	return d;
}

/* Returns non-zero if a family of res is marked inherit. */
int
ip_res_has_inherit(const struct ip_res *res)
{
	return res != NULL &&
	    (res->afi[IP_RES_V4].inherit || res->afi[IP_RES_V6].inherit);
}

/* Returns the number of ranges over both families. */
size_t
ip_res_count(const struct ip_res *res)
{
	if (res == NULL)
		return 0;
	return res->afi[IP_RES_V4].nranges + res->afi[IP_RES_V6].nranges;
}

/* [min, max] lies within one range of fam (binary search on min). */
static int
afi_covers(const struct ip_res_afi *fam, const uint8_t *min,
    const uint8_t *max)
{
	size_t lo = 0, hi, mid;

	if (fam->inherit || fam->nranges == 0)
		return 0;
	hi = fam->nranges;
	/* Find the last range whose min <= min. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (addr_cmp(fam->ranges[mid].min, min) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	return addr_cmp(fam->ranges[lo].min, min) <= 0 &&
	    addr_cmp(max, fam->ranges[lo].max) <= 0;
}

/* Returns 1 if issuer covers every explicit range of child, else 0. */
int
ip_res_contains(const struct ip_res *issuer, const struct ip_res *child)
{
	const struct ip_res_afi *c, *p;
	size_t j;
	int i;

	if (child == NULL)
		return 1;
	for (i = 0; i < IP_RES_NAFI; i++) {
		c = &child->afi[i];
		if (!c->present || c->inherit)
			continue;
		if (issuer == NULL)
			return 0;
		p = &issuer->afi[i];
		for (j = 0; j < c->nranges; j++)
			if (!afi_covers(p, c->ranges[j].min, c->ranges[j].max))
				return 0;
	}
	return 1;
}

/*
 * Returns 0 after copying issuer families into the ones child inherits, or
 * -1 with child unchanged.
 */
int
ip_res_inherit(struct ip_res *child, const struct ip_res *issuer)
{
	struct ip_res_afi tmp[IP_RES_NAFI];
	int i;

	for (i = 0; i < IP_RES_NAFI; i++) {
		if (!child->afi[i].inherit)
			continue;
		if (issuer == NULL || !issuer->afi[i].present ||
		    issuer->afi[i].inherit)
			return -1;
	}
	/* Copy first so that failure leaves child unchanged. */
	memset(tmp, 0, sizeof(tmp));
	for (i = 0; i < IP_RES_NAFI; i++) {
		if (child->afi[i].inherit &&
		    afi_copy(&tmp[i], &issuer->afi[i]) == -1) {
			free(tmp[0].ranges);
			free(tmp[1].ranges);
			return -1;
		}
	}
	for (i = 0; i < IP_RES_NAFI; i++) {
		if (!child->afi[i].inherit)
			continue;
		free(child->afi[i].ranges);
		child->afi[i] = tmp[i];
	}
	return 0;
}

/* Returns 1 if [min, max] of family afi lies within one range of res. */
int
ip_res_covers_range(const struct ip_res *res, unsigned int afi,
    const uint8_t min[PREFIX_ADDR_MAX], const uint8_t max[PREFIX_ADDR_MAX])
{
	if (res == NULL || (afi != AFI_IPV4 && afi != AFI_IPV6))
		return 0;
	return afi_covers(&res->afi[afi == AFI_IPV4 ? IP_RES_V4 : IP_RES_V6],
	    min, max);
}

/* Returns 1 if the valid prefix p lies within one range of res. */
int
ip_res_covers_prefix(const struct ip_res *res, const struct prefix *p)
{
	uint8_t max[PREFIX_ADDR_MAX];

	if (prefix_check(p) != PREFIX_OK)
		return 0;
	prefix_last(p, max);
	return ip_res_covers_range(res, p->afi, p->addr, max);
}

/* Prints r into buf; returns its length or -1 if buf is too small. */
int
ip_range_format(unsigned int afi, const struct ip_range *r, char *buf,
    size_t size)
{
	char lo[PREFIX_ADDR_STRLEN], hi[PREFIX_ADDR_STRLEN];
	int n;

	if (prefix_addr_format(afi, r->min, lo, sizeof(lo)) < 0)
		return -1;
	if (r->plen >= 0)
		n = snprintf(buf, size, "%s/%d", lo, r->plen);
	else {
		if (prefix_addr_format(afi, r->max, hi, sizeof(hi)) < 0)
			return -1;
		n = snprintf(buf, size, "%s-%s", lo, hi);
	}
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}
