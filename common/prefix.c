/*
 * IPv4 and IPv6 prefixes.  See prefix.h for the invariants.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <string.h>

#include "prefix.h"

#define V4_BYTES	4
#define V6_BYTES	16
#define V6_WORDS	8
/* Longest IPv6 text inet_pton() may need: full groups plus a dotted quad. */
#define V6_INPUT_MAX	45
/* Decimal digits of the longest valid prefix length ("128"). */
#define LEN_DIGITS_MAX	3
#define OCTET_DIGITS_MAX 3
#define OCTET_MAX	255
#define UNUSED_BITS_MAX	7

/*
 * Returns a static string; the caller must not free it.
 */
const char *
prefix_strerror(int err)
{
	switch (err) {
	case PREFIX_OK:
		return "no error";
	case PREFIX_ESYNTAX:
		return "malformed address or prefix";
	case PREFIX_ERANGE:
		return "prefix length out of range";
	case PREFIX_EHOSTBITS:
		return "bits set beyond the prefix length";
	case PREFIX_EAFI:
		return "unknown address family";
	case PREFIX_EENCODING:
		return "malformed address bit string";
	case PREFIX_ESPACE:
		return "output buffer too small";
	default:
		return "unknown prefix error";
	}
}

/*
 * Returns 4, 16 or 0 (unknown AFI).
 */
size_t
prefix_afi_bytes(unsigned int afi)
{
	switch (afi) {
	case AFI_IPV4:
		return V4_BYTES;
	case AFI_IPV6:
		return V6_BYTES;
	default:
		return 0;
	}
}

/*
 * Returns 32, 128 or 0 (unknown AFI).
 */
unsigned int
prefix_afi_bits(unsigned int afi)
{
	return prefix_afi_bytes(afi) * 8;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Parse a decimal number of at most maxdigits digits without a leading
 * zero from s[0..n).  Returns the value or -1.
 */
static long
parse_dec(const char *s, size_t n, size_t maxdigits)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > maxdigits || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Strict dotted quad in s[0..n); returns 0 or -1. */
static int
parse_v4(const char *s, size_t n, uint8_t out[V4_BYTES])
{
	size_t i, start = 0;
	int octet = 0;
	long v;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (octet == V4_BYTES)
			return -1;
		v = parse_dec(s + start, i - start, OCTET_DIGITS_MAX);
		if (v < 0 || v > OCTET_MAX)
			return -1;
		out[octet++] = (uint8_t)v;
		start = i + 1;
	}
	return octet == V4_BYTES ? 0 : -1;
}

/* IPv6 text in s[0..n); returns 0 or -1. */
static int
parse_v6(const char *s, size_t n, uint8_t out[V6_BYTES])
{
	char buf[V6_INPUT_MAX + 1];
	size_t i;

	if (n == 0 || n > V6_INPUT_MAX)
		return -1;
	/* inet_pton() would stop at or accept nothing else, but be explicit. */
	for (i = 0; i < n; i++)
		if (!is_xdigit(s[i]) && s[i] != ':' && s[i] != '.')
			return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* glibc rejects leading zeros in an embedded dotted quad too. */
	return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -1;
}

/* Address of either family in s[0..n), family chosen by the presence of ':'. */
static int
parse_addr(const char *s, size_t n, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (memchr(s, ':', n) != NULL) {
		p->afi = AFI_IPV6;
		return parse_v6(s, n, p->addr);
	}
	p->afi = AFI_IPV4;
	return parse_v4(s, n, p->addr);
}

/* Returns 1 if any bit at or after position len of the address is set. */
static int
has_host_bits(const struct prefix *p, unsigned int len)
{
	size_t nbytes = prefix_afi_bytes(p->afi);
	size_t i = len / 8;

	if (i >= nbytes)
		return 0;
	if (len % 8 != 0 && (p->addr[i] & (0xff >> (len % 8))) != 0)
		return 1;
	for (i = (len + 7) / 8; i < nbytes; i++)
		if (p->addr[i] != 0)
			return 1;
	return 0;
}

/*
 * Returns PREFIX_OK or why s is not a strict "addr/len"; *out
 * is written only on success.
 */
int
prefix_parse(const char *s, struct prefix *out)
{
	struct prefix p;
	const char *slash;
	long len;

	if ((slash = strchr(s, '/')) == NULL)
		return PREFIX_ESYNTAX;
	if (parse_addr(s, slash - s, &p) == -1)
		return PREFIX_ESYNTAX;
	if (slash[1] == '\0')
		return PREFIX_ESYNTAX;
	/* A well-formed number that is simply too large is a range error. */
	len = parse_dec(slash + 1, strlen(slash + 1), LEN_DIGITS_MAX);
	if (len < 0) {
		if (slash[1] != '0' && strspn(slash + 1, "0123456789") ==
		    strlen(slash + 1))
			return PREFIX_ERANGE;
		return PREFIX_ESYNTAX;
	}
	if ((unsigned long)len > prefix_afi_bits(p.afi))
		return PREFIX_ERANGE;
	p.len = (uint8_t)len;
	if (has_host_bits(&p, p.len))
		return PREFIX_EHOSTBITS;
	*out = p;
	return PREFIX_OK;
}

/*
 * Returns PREFIX_OK with a /32 or /128 host prefix in *out, or
 * PREFIX_ESYNTAX.
 */
int
prefix_parse_addr(const char *s, struct prefix *out)
{
	struct prefix p;

	if (parse_addr(s, strlen(s), &p) == -1)
		return PREFIX_ESYNTAX;
	p.len = (uint8_t)prefix_afi_bits(p.afi);
	*out = p;
	return PREFIX_OK;
}

/*
 * Returns PREFIX_OK with *out built from afi, addr and len, or the
 * invariant they break.
 */
int
prefix_set(struct prefix *out, unsigned int afi, const uint8_t *addr,
    unsigned int len)
{
	struct prefix p;
	size_t nbytes;

	if ((nbytes = prefix_afi_bytes(afi)) == 0)
		return PREFIX_EAFI;
	if (len > prefix_afi_bits(afi))
		return PREFIX_ERANGE;
	memset(&p, 0, sizeof(p));
	p.afi = (uint8_t)afi;
	p.len = (uint8_t)len;
	memcpy(p.addr, addr, nbytes);
	if (has_host_bits(&p, len))
		return PREFIX_EHOSTBITS;
	*out = p;
	return PREFIX_OK;
}

/*
 * Returns PREFIX_OK or the first invariant *p breaks.
 */
int
prefix_check(const struct prefix *p)
{
	size_t nbytes, i;

	if ((nbytes = prefix_afi_bytes(p->afi)) == 0)
		return PREFIX_EAFI;
	if (p->len > prefix_afi_bits(p->afi))
		return PREFIX_ERANGE;
	if (has_host_bits(p, p->len))
		return PREFIX_EHOSTBITS;
	for (i = nbytes; i < PREFIX_ADDR_MAX; i++)
		if (p->addr[i] != 0)
			return PREFIX_EHOSTBITS;
	return PREFIX_OK;
}

/* Copy the NUL-terminated src into buf if it fits; returns its length. */
static int
put(const char *src, int n, char *buf, size_t bufsz)
{
	if (n < 0 || (size_t)n >= bufsz)
		return PREFIX_ESPACE;
	memcpy(buf, src, n + 1);
	return n;
}

/* The decimal digits of v (below 1000) at out; returns the end. */
static char *
put_dec(char *out, unsigned int v)
{
	if (v >= 100)
		*out++ = (char)('0' + v / 100);
	if (v >= 10)
		*out++ = (char)('0' + v / 10 % 10);
	*out++ = (char)('0' + v % 10);
	return out;
}

/* The lowercase hex digits of v (below 0x10000), no leading zeros. */
static char *
put_hex(char *out, unsigned int v)
{
	static const char digits[] = "0123456789abcdef";
	int shift = 12;

	while (shift > 0 && (v >> shift) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*out++ = digits[(v >> shift) & 0xf];
	return out;
}

/* Dotted quad at out; returns the end (no NUL). */
static char *
put_v4(char *out, const uint8_t *a)
{
	out = put_dec(out, a[0]);
	*out++ = '.';
	out = put_dec(out, a[1]);
	*out++ = '.';
	out = put_dec(out, a[2]);
	*out++ = '.';
	return put_dec(out, a[3]);
}

/*
 * RFC 5952 section 4: lowercase, no leading zeros in a group, "::" for
 * the longest run of two or more zero groups (the first one on a tie).
 * Section 5: IPv4-mapped addresses (::ffff:0:0/96) end in a dotted quad.
 * Writes at most PREFIX_ADDR_STRLEN - 1 bytes at out; returns the end
 * (no NUL).
 */
static char *
put_v6(char *out, const uint8_t *a)
{
	unsigned int w[V6_WORDS];
	int i, best = -1, bestlen = 1, run, words = V6_WORDS;

	for (i = 0; i < V6_WORDS; i++)
		w[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i < V6_WORDS; i += run > 0 ? run : 1) {
		for (run = 0; i + run < V6_WORDS && w[i + run] == 0; run++)
			;
		if (run > bestlen) {
			best = i;
			bestlen = run;
		}
	}
	if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 &&
	    w[5] == 0xffff)
		words = 6;	/* the last two become a dotted quad */
	for (i = 0; i < words; i++) {
		if (i == best) {
			*out++ = ':';
			*out++ = ':';
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			*out++ = ':';
		out = put_hex(out, w[i]);
	}
	if (words < V6_WORDS) {
		*out++ = ':';
		out = put_v4(out, a + 12);
	}
	return out;
}

/*
 * The address text at out, NUL-terminated (out holds PREFIX_ADDR_STRLEN
 * bytes).  Returns its length, or PREFIX_EAFI with out untouched.
 */
static int
format_addr(unsigned int afi, const uint8_t *addr, char *out)
{
	char *end;

	switch (afi) {
	case AFI_IPV4:
		end = put_v4(out, addr);
		break;
	case AFI_IPV6:
		end = put_v6(out, addr);
		break;
	default:
		return PREFIX_EAFI;
	}
	*end = '\0';
	return (int)(end - out);
}

/*
 * Returns the length of the text written to buf, or an error;
 * buf is untouched on error.
 */
int
prefix_addr_format(unsigned int afi, const uint8_t *addr, char *buf,
    size_t bufsz)
{
	char tmp[PREFIX_ADDR_STRLEN];
	int n;

	if ((n = format_addr(afi, addr, tmp)) < 0)
		return n;
	return put(tmp, n, buf, bufsz);
}

/*
 * Returns the length of "addr/len" written to buf, or an error;
 * buf is untouched on error.
 */
int
prefix_format(const struct prefix *p, char *buf, size_t bufsz)
{
	char tmp[PREFIX_STRLEN];
	int n;

	if ((n = prefix_format_fast(p, tmp)) < 0)
		return n;
	return put(tmp, n, buf, bufsz);
}

/*
 * Returns the length of "addr/len" written to buf (PREFIX_STRLEN bytes),
 * or PREFIX_EAFI with buf untouched.
 */
int
prefix_format_fast(const struct prefix *p, char *buf)
{
	char *end;
	int n;

	if ((n = format_addr(p->afi, p->addr, buf)) < 0)
		return n;
	end = buf + n;
	*end++ = '/';
	end = put_dec(end, p->len);
	*end = '\0';
	return (int)(end - buf);
}

/*
 * Returns <0, 0 or >0: AFI, then address, then shorter length first.
 */
int
prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int rv;

	if (a->afi != b->afi)
		return a->afi < b->afi ? -1 : 1;
	/* Unused IPv4 bytes are zero, so comparing all 16 is exact. */
	if ((rv = memcmp(a->addr, b->addr, PREFIX_ADDR_MAX)) != 0)
		return rv;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return 0;
}

/*
 * Returns 1 if outer covers inner (itself included), else 0.
 */
int
prefix_covers(const struct prefix *outer, const struct prefix *inner)
{
	unsigned int full, rest;

	if (outer->afi != inner->afi || outer->len > inner->len)
		return 0;
	full = outer->len / 8;
	rest = outer->len % 8;
	if (memcmp(outer->addr, inner->addr, full) != 0)
		return 0;
	if (rest != 0 &&
	    ((outer->addr[full] ^ inner->addr[full]) & (0xff << (8 - rest))) !=
	    0)
		return 0;
	return 1;
}

/*
 * Returns PREFIX_OK with *out the covering prefix of length len,
 * or PREFIX_ERANGE.
 */
int
prefix_truncate(const struct prefix *p, unsigned int len, struct prefix *out)
{
	struct prefix t;
	unsigned int full, rest;

	if (len > p->len)
		return PREFIX_ERANGE;
	t = *p;
	t.len = (uint8_t)len;
	full = len / 8;
	rest = len % 8;
	if (rest != 0)
		t.addr[full++] &= (uint8_t)(0xff << (8 - rest));
	memset(t.addr + full, 0, PREFIX_ADDR_MAX - full);
	*out = t;
	return PREFIX_OK;
}

/*
 * Writes the last address of *p into the caller's array.
 */
void
prefix_last(const struct prefix *p, uint8_t last[PREFIX_ADDR_MAX])
{
	size_t nbytes = prefix_afi_bytes(p->afi), i;

	memcpy(last, p->addr, PREFIX_ADDR_MAX);
	for (i = p->len / 8; i < nbytes; i++) {
		if (i == p->len / 8u && p->len % 8 != 0)
			last[i] |= 0xff >> (p->len % 8);
		else
			last[i] = 0xff;
	}
}

/* Common checks of an IPAddress BIT STRING; returns PREFIX_OK or an error. */
static int
check_bits(unsigned int afi, const uint8_t *data, size_t len, int unused)
{
	size_t nbytes;

	if ((nbytes = prefix_afi_bytes(afi)) == 0)
		return PREFIX_EAFI;
	if (len > nbytes || unused < 0 || unused > UNUSED_BITS_MAX)
		return PREFIX_EENCODING;
	if (len == 0)
		return unused == 0 ? PREFIX_OK : PREFIX_EENCODING;
	/* X.690 section 11.2.1: DER requires the unused bits to be zero. */
	if ((data[len - 1] & ((1u << unused) - 1)) != 0)
		return PREFIX_EENCODING;
	return PREFIX_OK;
}

/*
 * Returns PREFIX_OK with *out decoded from an IPAddress BIT
 * STRING, or why the bit string is unacceptable.
 */
int
prefix_from_bits(unsigned int afi, const uint8_t *data, size_t len,
    int unused, struct prefix *out)
{
	struct prefix p;
	int rv;

	if ((rv = check_bits(afi, data, len, unused)) != PREFIX_OK)
		return rv;
	memset(&p, 0, sizeof(p));
	p.afi = (uint8_t)afi;
	p.len = (uint8_t)(len * 8 - unused);
	if (len > 0)
		memcpy(p.addr, data, len);
	*out = p;
	return PREFIX_OK;
}

/*
 * Returns PREFIX_OK with a range bound decoded into addr, or
 * why the bit string is unacceptable.
 */
int
prefix_addr_from_bits(unsigned int afi, const uint8_t *data, size_t len,
    int unused, int fill_ones, uint8_t addr[PREFIX_ADDR_MAX])
{
	struct prefix p;
	int rv;

	if ((rv = prefix_from_bits(afi, data, len, unused, &p)) != PREFIX_OK)
		return rv;
	if (fill_ones)
		prefix_last(&p, addr);
	else
		memcpy(addr, p.addr, PREFIX_ADDR_MAX);
	return PREFIX_OK;
}
