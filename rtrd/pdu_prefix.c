/*
 * IPv4 Prefix and IPv6 Prefix PDUs (8210bis sections 5.9, 5.10) and their
 * order in a response (section 11.2.1).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtrd/pdu.h"
#include "rtrd/pdu_int.h"

/* Starting room for one group of VRPs sharing an address. */
#define GROUP_MIN_CAP	16

size_t
pdu_prefix_size(const struct vrp *v)
{
	switch (v->prefix.afi) {
	case AFI_IPV4:
		return PDU_IPV4_PREFIX_LEN;
	case AFI_IPV6:
		return PDU_IPV6_PREFIX_LEN;
	default:
		return 0;
	}
}

/* Write one Prefix PDU of pdu_prefix_size(v) bytes at p. */
static void
write_prefix(uint8_t *p, uint8_t version, uint8_t flags, const struct vrp *v)
{
	size_t	 alen = prefix_afi_bytes(v->prefix.afi);
	uint8_t	 type;

	type = v->prefix.afi == AFI_IPV4 ? PDU_IPV4_PREFIX : PDU_IPV6_PREFIX;
	pdu_write_header(p, version, type, 0, pdu_prefix_size(v));
	p[8] = flags;
	p[9] = v->prefix.len;
	p[10] = v->maxlen;
	p[11] = 0;
	/* prefix invariants keep the bits beyond the length zero (5.9) */
	memcpy(p + 12, v->prefix.addr, alen);
	pdu_be32(p + 12 + alen, v->asn);
}

int
pdu_put_prefix(struct pdu_buf *b, uint8_t version, uint8_t flags,
    const struct vrp *v)
{
	uint8_t	*p;

	if (version > PDU_VERSION_MAX)
		return PDU_EVERSION;
	if ((flags & ~PDU_FLAGS_MASK) != 0 || vrp_check(v) != PAYLOAD_OK)
		return PDU_EINVAL;
	if ((p = pdu_buf_grow(b, pdu_prefix_size(v))) == NULL)
		return PDU_ENOMEM;
	write_prefix(p, version, flags, v);
	return PDU_OK;
}

/*
 * 8210bis section 11.2.1 among announcements: higher addr, then higher
 * mlen, higher plen, higher asn first (AS 0 announcements come last).
 */
static int
cmp_announce(const void *pa, const void *pb)
{
	const struct vrp	*a = *(const struct vrp * const *)pa;
	const struct vrp	*b = *(const struct vrp * const *)pb;
	int			 c;

	if ((c = memcmp(a->prefix.addr, b->prefix.addr, PREFIX_ADDR_MAX)) != 0)
		return -c;
	if (a->maxlen != b->maxlen)
		return a->maxlen > b->maxlen ? -1 : 1;
	if (a->prefix.len != b->prefix.len)
		return a->prefix.len > b->prefix.len ? -1 : 1;
	if (a->asn != b->asn)
		return a->asn > b->asn ? -1 : 1;
	return 0;
}

/* Among withdrawals every key ascends (AS 0 withdrawals come first). */
static int
cmp_withdraw(const void *pa, const void *pb)
{
	return -cmp_announce(pa, pb);
}

struct vrp_src {
	const struct vrpset	*set;
	const struct vrp	*arr;
};

static const struct vrp *
src_get(const struct vrp_src *s, size_t i)
{
	return s->set != NULL ? vrpset_get(s->set, i) : &s->arr[i];
}

/* First index in [0, n) whose AFI is above afi (entries in AFI order). */
static size_t
afi_end(const struct vrp_src *s, size_t n, unsigned int afi)
{
	size_t	 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (src_get(s, mid)->prefix.afi <= afi)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
same_addr(const struct vrp *a, const struct vrp *b)
{
	return memcmp(a->prefix.addr, b->prefix.addr, PREFIX_ADDR_MAX) == 0;
}

struct emit_ctx {
	struct pdu_buf		*buf;
	uint8_t			 version;
	uint8_t			 flags;
	int			 skip_bad;
	struct pdu_encode_stats	*st;
	const struct vrp	**grp;
	size_t			 grpcap;
};

/* Sort one address group and write it. */
static int
emit_group(struct emit_ctx *c, size_t n)
{
	size_t	 i;
	uint8_t	*p;

	if (n > 1)
		qsort(c->grp, n, sizeof(c->grp[0]),
		    c->flags == PDU_FLAG_ANNOUNCE ? cmp_announce : cmp_withdraw);
	for (i = 0; i < n; i++) {
		if (vrp_check(c->grp[i]) != PAYLOAD_OK) {
			if (!c->skip_bad)
				return PDU_EINVAL;
			c->st->nskipped++;
			continue;
		}
		/* room was reserved for the whole range up front */
		p = pdu_buf_grow(c->buf, pdu_prefix_size(c->grp[i]));
		if (p == NULL)
			return PDU_ENOMEM;
		write_prefix(p, c->version, c->flags, c->grp[i]);
		c->st->npdus++;
	}
	return PDU_OK;
}

static int
group_add(struct emit_ctx *c, size_t n, const struct vrp *v)
{
	const struct vrp	**g;
	size_t			  cap;

	if (n == c->grpcap) {
		cap = c->grpcap == 0 ? GROUP_MIN_CAP : c->grpcap * 2;
		if ((g = reallocarray(c->grp, cap, sizeof(*g))) == NULL)
			return PDU_ENOMEM;
		c->grp = g;
		c->grpcap = cap;
	}
	c->grp[n] = v;
	return PDU_OK;
}

/*
 * Walk [lo, hi) by groups of equal address, ascending for withdrawals
 * and descending for announcements, each group sorted by the rest of
 * the key.  Set order already groups equal addresses, so only the small
 * groups need sorting.
 */
static int
emit_range(struct emit_ctx *c, const struct vrp_src *s, size_t lo, size_t hi)
{
	const struct vrp	*first, *v;
	size_t			 n;
	int			 down = c->flags == PDU_FLAG_ANNOUNCE;
	int			 rc = PDU_OK;

	while (rc == PDU_OK && lo < hi) {
		first = src_get(s, down ? hi - 1 : lo);
		for (n = 0; n < hi - lo; n++) {
			v = src_get(s, down ? hi - 1 - n : lo + n);
			if (!same_addr(first, v))
				break;
			if ((rc = group_add(c, n, v)) != PDU_OK)
				return rc;
		}
		if (down)
			hi -= n;
		else
			lo += n;
		rc = emit_group(c, n);
	}
	return rc;
}

int
pdu_emit_prefixes(struct pdu_buf *b, uint8_t version, uint8_t flags,
    unsigned int afi, const struct vrpset *set, const struct vrp *arr,
    size_t n, int skip_bad, struct pdu_encode_stats *st)
{
	struct vrp_src	 s = { set, arr };
	struct emit_ctx	 c;
	size_t		 lo, hi, each;
	int		 rc;

	lo = afi == AFI_IPV4 ? 0 : afi_end(&s, n, AFI_IPV4);
	hi = afi_end(&s, n, afi);
	if (lo >= hi)
		return PDU_OK;
	each = afi == AFI_IPV4 ? PDU_IPV4_PREFIX_LEN : PDU_IPV6_PREFIX_LEN;
	if (hi - lo > SIZE_MAX / each)
		return PDU_ENOMEM;
	if (pdu_buf_reserve(b, (hi - lo) * each) != PDU_OK)
		return PDU_ENOMEM;

	memset(&c, 0, sizeof(c));
	c.buf = b;
	c.version = version;
	c.flags = flags;
	c.skip_bad = skip_bad;
	c.st = st;
	rc = emit_range(&c, &s, lo, hi);
	free(c.grp);
	return rc;
}
