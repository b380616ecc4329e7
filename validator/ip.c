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
#include "validator/ip.h"

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
 * Copy a BIT STRING value into buf (PREFIX_ADDR_MAX bytes) with the unused
 * low bits of the last byte cleared: they are not part of the value (DER
 * input has them zero already; structures built in memory may not).
 */
static int
bits_get(const ASN1_BIT_STRING *bs, uint8_t *buf, size_t *len, int *unused)
{
	if (bs->length < 0 || bs->length > PREFIX_ADDR_MAX)
		return -1;
	memset(buf, 0, PREFIX_ADDR_MAX);
	*len = bs->length;
	*unused = bs->flags & ASN1_STRING_FLAG_BITS_LEFT ?
	    (int)(bs->flags & 7) : 0;
	if (*len == 0)
		return *unused == 0 ? 0 : -1;
	memcpy(buf, bs->data, *len);
	buf[*len - 1] &= 0xff << *unused;
	return 0;
}

/*
 * Decode a range bound; RFC 3779 section 2.2.3.9: the lower bound drops
 * trailing zero bits, the upper bound trailing one bits.
 */
static int
bound_get(unsigned int afi, const ASN1_BIT_STRING *bs, int upper,
    uint8_t addr[PREFIX_ADDR_MAX])
{
	uint8_t buf[PREFIX_ADDR_MAX];
	size_t len;
	int unused;

	if (bits_get(bs, buf, &len, &unused) == -1 ||
	    prefix_addr_from_bits(afi, buf, len, unused, upper, addr) !=
	    PREFIX_OK)
		return -1;
	if (len > 0 && bit_at(buf, len * 8 - unused - 1) == upper)
		return -1;
	return 0;
}

/* One IPAddressOrRange into *r; -1 after logging on a malformed entry. */
static int
parse_aor(const char *fn, int idx, const IPAddressOrRange *aor,
    struct ip_range *r)
{
	unsigned int afi = idx_afi(idx), bits = prefix_afi_bits(afi);
	uint8_t buf[PREFIX_ADDR_MAX];
	struct prefix p;
	size_t len;
	int unused;

	memset(r, 0, sizeof(*r));
	switch (aor->type) {
	case IPAddressOrRange_addressPrefix:
		if (bits_get(aor->u.addressPrefix, buf, &len, &unused) == -1 ||
		    prefix_from_bits(afi, buf, len, unused, &p) != PREFIX_OK) {
			log_warnx_obj(fn, "RFC 3779 section 2.2.3.8: malformed "
			    "%s prefix", afi_name(idx));
			return -1;
		}
		memcpy(r->min, p.addr, PREFIX_ADDR_MAX);
		prefix_last(&p, r->max);
		r->plen = p.len;
		return 0;
	case IPAddressOrRange_addressRange:
		r->plen = -1;
		if (bound_get(afi, aor->u.addressRange->min, 0, r->min) == -1 ||
		    bound_get(afi, aor->u.addressRange->max, 1, r->max) == -1)
			break;
		if (addr_cmp(r->min, r->max) > 0) {
			log_warnx_obj(fn, "RFC 3779 section 2.2.3.9: %s range "
			    "with min above max", afi_name(idx));
			return -1;
		}
		if (range_as_prefix(r->min, r->max, bits) >= 0) {
			log_warnx_obj(fn, "RFC 3779 section 2.2.3.7: %s range "
			    "must be encoded as a prefix", afi_name(idx));
			return -1;
		}
		return 0;
	default:
		break;
	}
	log_warnx_obj(fn, "RFC 3779 section 2.2.3.9: malformed %s range bound",
	    afi_name(idx));
	return -1;
}

/* The addresses of one family, sorted, disjoint and non-adjacent. */
static int
parse_family(const char *fn, int idx, const IPAddressChoice *choice,
    struct ip_res_afi *fam, size_t *total)
{
	const IPAddressOrRanges *aors;
	size_t i, n, nbytes = prefix_afi_bytes(idx_afi(idx));

	fam->present = 1;
	if (choice->type == IPAddressChoice_inherit) {
		fam->inherit = 1;
		return 0;
	}
	aors = choice->u.addressesOrRanges;
	n = sk_IPAddressOrRange_num(aors);
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
	for (i = 0; i < n; i++) {
		if (parse_aor(fn, idx, sk_IPAddressOrRange_value(aors, i),
		    &fam->ranges[i]) == -1)
			return -1;
		fam->nranges++;
		if (i == 0)
			continue;
		/* Section 2.2.3.6: ascending, no overlap, no adjacency. */
		if (addr_cmp(fam->ranges[i - 1].max, fam->ranges[i].min) >= 0) {
			log_warnx_obj(fn, "RFC 3779 section 2.2.3.6: %s "
			    "entries unsorted or overlapping", afi_name(idx));
			return -1;
		}
		if (addr_adjacent(fam->ranges[i - 1].max, fam->ranges[i].min,
		    nbytes)) {
			log_warnx_obj(fn, "RFC 3779 section 2.2.3.6: adjacent "
			    "%s entries must be merged", afi_name(idx));
			return -1;
		}
	}
	return 0;
}

/* Returns a new ip_res owned by the caller, or NULL after logging. */
struct ip_res *
ip_res_parse(const char *fn, IPAddrBlocks *blocks)
{
	struct ip_res *res;
	const IPAddressFamily *f;
	unsigned int afi;
	size_t total = 0;
	int i, idx, last = -1;

	if ((res = calloc(1, sizeof(*res))) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return NULL;
	}
	if (sk_IPAddressFamily_num(blocks) <= 0) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.10: IP address "
		    "delegation extension without address families");
		goto fail;
	}
	for (i = 0; i < sk_IPAddressFamily_num(blocks); i++) {
		f = sk_IPAddressFamily_value(blocks, i);
		if (f->addressFamily->length != IP_AFI_LEN) {
			log_warnx_obj(fn, "RFC 6487 section 4.8.10: "
			    "addressFamily must be a 2-octet AFI without SAFI");
			goto fail;
		}
		afi = (f->addressFamily->data[0] << 8) |
		    f->addressFamily->data[1];
		if (afi != AFI_IPV4 && afi != AFI_IPV6) {
			log_warnx_obj(fn, "RFC 6487 section 4.8.10: unknown "
			    "AFI %u", afi);
			goto fail;
		}
		idx = afi == AFI_IPV4 ? IP_RES_V4 : IP_RES_V6;
		/* Section 2.2.3.3: one entry per AFI, sorted by AFI. */
		if (idx <= last) {
			log_warnx_obj(fn, "RFC 3779 section 2.2.3.3: address "
			    "families duplicated or out of order");
			goto fail;
		}
		last = idx;
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
