/*
 * ROA eContent (RFC 9582 section 4):
 *
 *   RouteOriginAttestation ::= SEQUENCE {
 *     version [0] INTEGER DEFAULT 0,
 *     asID ASID,
 *     ipAddrBlocks SEQUENCE (SIZE(1..2)) OF ROAIPAddressFamily }
 *   ROAIPAddressFamily ::= SEQUENCE {
 *     addressFamily OCTET STRING (SIZE(2)),
 *     addresses SEQUENCE (SIZE(1..MAX)) OF ROAIPAddress }
 *   ROAIPAddress ::= SEQUENCE { address BIT STRING, maxLength INTEGER OPTIONAL }
 */
#include <stdlib.h>
#include <string.h>

#include "repogen.h"

static int
pfx_cmp(const void *a, const void *b)
{
	const struct pfx	*x = a, *y = b;

	if (x->afi != y->afi)
		return x->afi < y->afi ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->maxlen != y->maxlen)
		return x->maxlen < y->maxlen ? -1 : 1;
	return 0;
}

/*
 * Sort the prefixes (IPv4 first, then by address and length: the canonical
 * order of RFC 9582 section 4.3.3) and drop duplicates of (prefix, length).
 */
void
rg_roa_normalise(struct roa_spec *r)
{
	int	i, n = 0;

	qsort(r->pfx, (size_t)r->npfx, sizeof(r->pfx[0]), pfx_cmp);
	for (i = 0; i < r->npfx; i++) {
		if (n > 0 && r->pfx[n - 1].afi == r->pfx[i].afi &&
		    r->pfx[n - 1].addr == r->pfx[i].addr &&
		    r->pfx[n - 1].len == r->pfx[i].len)
			continue;
		r->pfx[n++] = r->pfx[i];
	}
	r->npfx = n;
}

static void
roa_family(struct buf *blocks, const struct roa_spec *r, int afi)
{
	struct buf	 fam = { 0 }, addrs = { 0 }, one;
	uint8_t		 af[2] = { 0, (uint8_t)afi };
	int		 i;

	for (i = 0; i < r->npfx; i++) {
		if (r->pfx[i].afi != afi)
			continue;
		memset(&one, 0, sizeof(one));
		rg_der_pfx_bits(&one, &r->pfx[i]);
		/* maxLength is omitted when it equals the prefix length. */
		if (r->pfx[i].maxlen != r->pfx[i].len)
			rg_der_uint(&one, r->pfx[i].maxlen);
		rg_der_wrap(&addrs, 0x30, &one);
	}
	if (addrs.len == 0)
		return;
	rg_der_tlv(&fam, 0x04, af, sizeof(af));
	rg_der_wrap(&fam, 0x30, &addrs);
	rg_der_wrap(blocks, 0x30, &fam);
}

/*
 * Append the DER eContent of ROA r (already normalised) to out.  Returns 0.
 */
int
rg_roa_econtent(const struct roa_spec *r, struct buf *out)
{
	struct buf	seq = { 0 }, blocks = { 0 };

	rg_der_uint(&seq, r->asid);
	roa_family(&blocks, r, 1);
	roa_family(&blocks, r, 2);
	rg_der_wrap(&seq, 0x30, &blocks);
	rg_der_wrap(out, 0x30, &seq);
	return 0;
}
