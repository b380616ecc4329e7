/*
 * RFC 3779 IP address and AS identifier extensions.  OpenSSL's canonize
 * functions sort, merge and choose prefix or range encoding as RFC 3779
 * section 2.2.3.7 requires, so callers may add resources in any order.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "repogen.h"

/*
 * The first and last address of p, in the same representation as p->addr.
 */
void
rg_pfx_range(const struct pfx *p, uint64_t *lo, uint64_t *hi)
{
	int		width = p->afi == 1 ? 32 : 64;
	uint64_t	span;

	span = p->len >= width ? 0 :
	    (width - p->len == 64 ? ~0ULL : ((1ULL << (width - p->len)) - 1));
	*lo = p->addr & ~span;
	*hi = *lo | span;
}

/*
 * Returns 1 if p lies inside the range of its family.
 */
int
rg_res_pfx_in_range(const struct pfx *p, const struct range *v4,
    const struct range *v6)
{
	const struct range	*r = p->afi == 1 ? v4 : v6;
	uint64_t		 lo, hi;

	rg_pfx_range(p, &lo, &hi);
	return r->lo <= r->hi && lo >= r->lo && hi <= r->hi;
}

/* Address bytes of a value in the generator's representation. */
static void
addr_bytes(int afi, uint64_t v, int fill, unsigned char *out)
{
	int	i;

	if (afi == 1) {
		for (i = 0; i < 4; i++)
			out[i] = (unsigned char)(v >> (8 * (3 - i)));
		return;
	}
	for (i = 0; i < 8; i++)
		out[i] = (unsigned char)(v >> (8 * (7 - i)));
	memset(out + 8, fill ? 0xff : 0, 8);
}

static int
add_range(IPAddrBlocks *blocks, int afi, const struct range *r)
{
	unsigned char	min[16], max[16];

	if (r == NULL || r->lo > r->hi)
		return 1;
	addr_bytes(afi, r->lo, 0, min);
	addr_bytes(afi, r->hi, 1, max);
	return X509v3_addr_add_range(blocks, (unsigned)afi, NULL, min, max);
}

static int
finish_ip(X509 *x, IPAddrBlocks *blocks, int ok)
{
	if (ok && !X509v3_addr_canonize(blocks))
		ok = 0;
	if (ok && !X509_add1_ext_i2d(x, NID_sbgp_ipAddrBlock, blocks, 1,
	    X509V3_ADD_DEFAULT))
		ok = 0;
	sk_IPAddressFamily_pop_free(blocks, IPAddressFamily_free);
	if (!ok)
		fprintf(stderr, "reef-repogen: IP resources failed\n");
	return ok ? 0 : -1;
}

/*
 * Add a critical IP resources extension with the v4 and v6 ranges (either
 * may be empty: lo > hi) and, if extra is not NULL, that prefix too.
 * Returns 0 or -1.
 */
int
rg_res_add_ip(X509 *x, const struct range *v4, const struct range *v6,
    const struct pfx *extra)
{
	IPAddrBlocks	*blocks;
	struct range	 xr;
	int		 ok;

	if ((blocks = sk_IPAddressFamily_new_null()) == NULL)
		return -1;
	ok = add_range(blocks, 1, v4) && add_range(blocks, 2, v6);
	if (ok && extra != NULL) {
		rg_pfx_range(extra, &xr.lo, &xr.hi);
		ok = add_range(blocks, extra->afi, &xr);
	}
	return finish_ip(x, blocks, ok);
}

/*
 * Find a prefix (an IPv4 /24, else an IPv6 /32) just outside the ranges v4
 * and v6.  Returns 0, or -1 if both cover their whole address space.
 */
int
rg_res_outside(const struct range *v4, const struct range *v6, struct pfx *out)
{
	const uint64_t	v4span = 0xff, v6span = 0xffffffffULL;

	memset(out, 0, sizeof(*out));
	if (v4->lo > v4span || v4->hi < 0xffffffffULL - v4span) {
		out->afi = 1;
		out->len = out->maxlen = 24;
		out->addr = v4->hi < 0xffffffffULL - v4span ?
		    (v4->hi + 1) & ~v4span : (v4->lo - 1) & ~v4span;
		return 0;
	}
	if (v6->lo > v6span || v6->hi < ~0ULL - v6span) {
		out->afi = 2;
		out->len = out->maxlen = 32;
		out->addr = v6->hi < ~0ULL - v6span ?
		    (v6->hi + 1) & ~v6span : (v6->lo - 1) & ~v6span;
		return 0;
	}
	return -1;
}

/*
 * Returns 1 if b lies inside a.
 */
static int
pfx_covers(const struct pfx *a, const struct pfx *b)
{
	uint64_t	alo, ahi, blo, bhi;

	if (a->afi != b->afi)
		return 0;
	rg_pfx_range(a, &alo, &ahi);
	rg_pfx_range(b, &blo, &bhi);
	return alo <= blo && bhi <= ahi;
}

/*
 * Add a critical IP resources extension holding exactly the n prefixes
 * (sorted as rg_roa_normalise() leaves them).  Canonical form forbids
 * overlaps, so a prefix inside an earlier one is left out; adjacent ones
 * are merged by the canonize step.  Returns 0 or -1.
 */
int
rg_res_add_ip_pfx(X509 *x, const struct pfx *p, int n)
{
	IPAddrBlocks	*blocks;
	unsigned char	 a[16];
	int		 i, k, ok = 1;

	if ((blocks = sk_IPAddressFamily_new_null()) == NULL)
		return -1;
	for (i = 0; i < n && ok; i++) {
		for (k = 0; k < i; k++)
			if (pfx_covers(&p[k], &p[i]))
				break;
		if (k < i)
			continue;
		addr_bytes(p[i].afi, p[i].addr, 0, a);
		ok = X509v3_addr_add_prefix(blocks, p[i].afi, NULL, a,
		    p[i].len);
	}
	return finish_ip(x, blocks, ok);
}

/*
 * Add a critical IP resources extension with "inherit" for both families.
 * Returns 0 or -1.
 */
int
rg_res_add_ip_inherit(X509 *x)
{
	IPAddrBlocks	*blocks;
	int		 ok;

	if ((blocks = sk_IPAddressFamily_new_null()) == NULL)
		return -1;
	ok = X509v3_addr_add_inherit(blocks, 1, NULL) &&
	    X509v3_addr_add_inherit(blocks, 2, NULL);
	return finish_ip(x, blocks, ok);
}

/*
 * Add a critical AS identifiers extension (asnum only: RFC 6487 4.8.11
 * forbids rdi) with range r, or "inherit".  Returns 0 or -1.
 */
int
rg_res_add_as(X509 *x, const struct range *r, int inherit)
{
	ASIdentifiers	*asid;
	ASN1_INTEGER	*min = NULL, *max = NULL;
	int		 ok = 0;

	if ((asid = ASIdentifiers_new()) == NULL)
		return -1;
	if (inherit) {
		if (!X509v3_asid_add_inherit(asid, V3_ASID_ASNUM))
			goto out;
	} else {
		min = ASN1_INTEGER_new();
		if (min == NULL || !ASN1_INTEGER_set_uint64(min, r->lo))
			goto out;
		if (r->hi != r->lo) {
			max = ASN1_INTEGER_new();
			if (max == NULL || !ASN1_INTEGER_set_uint64(max, r->hi))
				goto out;
		}
		if (!X509v3_asid_add_id_or_range(asid, V3_ASID_ASNUM, min, max))
			goto out;
		min = max = NULL;	/* owned by asid now */
		if (!X509v3_asid_canonize(asid))
			goto out;
	}
	if (!X509_add1_ext_i2d(x, NID_sbgp_autonomousSysNum, asid, 1,
	    X509V3_ADD_DEFAULT))
		goto out;
	ok = 1;
 out:
	ASN1_INTEGER_free(min);
	ASN1_INTEGER_free(max);
	ASIdentifiers_free(asid);
	if (!ok)
		fprintf(stderr, "reef-repogen: AS resources failed\n");
	return ok ? 0 : -1;
}
