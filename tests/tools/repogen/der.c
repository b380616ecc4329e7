/*
 * A minimal DER writer, enough for the eContent of ROAs, manifests and ASPA
 * objects (X.690 section 10: definite, minimal lengths).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "repogen.h"

/*
 * Append tag, DER length and content.
 */
void
rg_der_tlv(struct buf *b, uint8_t tag, const uint8_t *c, size_t len)
{
	uint8_t	 hdr[10];
	size_t	 n = 0, i, nb = 0, l;

	hdr[n++] = tag;
	if (len < 0x80)
		hdr[n++] = (uint8_t)len;
	else {
		for (l = len; l > 0; l >>= 8)
			nb++;
		hdr[n++] = (uint8_t)(0x80 | nb);
		for (i = nb; i > 0; i--)
			hdr[n++] = (uint8_t)(len >> (8 * (i - 1)));
	}
	rg_buf_add(b, hdr, n);
	rg_buf_add(b, c, len);
}

/*
 * Append inner as the content of a tag, then free inner.
 */
void
rg_der_wrap(struct buf *b, uint8_t tag, struct buf *inner)
{
	rg_der_tlv(b, tag, inner->p, inner->len);
	rg_buf_free(inner);
}

/*
 * A non-negative INTEGER in the fewest octets (X.690 8.3.2).
 */
void
rg_der_uint(struct buf *b, uint64_t v)
{
	uint8_t	 c[9];
	int	 n = 0, i;

	for (i = 7; i >= 0; i--) {
		uint8_t	o = (uint8_t)(v >> (8 * i));

		if (n == 0 && o == 0 && i > 0)
			continue;
		if (n == 0 && (o & 0x80))
			c[n++] = 0;
		c[n++] = o;
	}
	rg_der_tlv(b, 0x02, c, (size_t)n);
}

/*
 * An OBJECT IDENTIFIER from dotted text (X.690 8.19).
 */
void
rg_der_oid(struct buf *b, const char *txt)
{
	uint8_t		 c[64];
	size_t		 n = 0;
	unsigned long	 arcs[32];
	int		 na = 0, i, k;
	const char	*p = txt;
	char		*end;

	while (*p != '\0' && na < 32) {
		arcs[na++] = strtoul(p, &end, 10);
		p = *end == '.' ? end + 1 : end;
		if (*end == '\0')
			break;
	}
	arcs[1] += arcs[0] * 40;
	for (i = 1; i < na; i++) {
		uint8_t		tmp[10];
		int		nt = 0;
		unsigned long	v = arcs[i];

		do {
			tmp[nt++] = (uint8_t)(v & 0x7f);
			v >>= 7;
		} while (v > 0);
		for (k = nt - 1; k >= 0; k--)
			c[n++] = (uint8_t)(tmp[k] | (k > 0 ? 0x80 : 0));
	}
	rg_der_tlv(b, 0x06, c, n);
}

/*
 * GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 5280 4.1.2.5.2 form, as RFC 9286
 * requires for manifests).
 */
void
rg_der_gtime(struct buf *b, int64_t t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;
	char		 s[32];

	gmtime_r(&tt, &tm);
	strftime(s, sizeof(s), "%Y%m%d%H%M%SZ", &tm);
	rg_der_tlv(b, 0x18, (const uint8_t *)s, strlen(s));
}

/*
 * The BIT STRING of a prefix (RFC 3779 2.1.2): only the prefix bits, unused
 * trailing bits zero.
 */
void
rg_der_pfx_bits(struct buf *b, const struct pfx *p)
{
	uint8_t	 c[1 + 16];
	int	 bytes = (p->len + 7) / 8, i, width;
	uint64_t v = p->addr;

	width = p->afi == 1 ? 4 : 8;
	c[0] = (uint8_t)(bytes * 8 - p->len);
	for (i = 0; i < bytes; i++)
		c[1 + i] = (uint8_t)(v >> (8 * (width - 1 - i)));
	if (bytes > 0 && (p->len % 8) != 0)
		c[bytes] &= (uint8_t)(0xff << (8 - p->len % 8));
	rg_der_tlv(b, 0x03, c, (size_t)bytes + 1);
}
