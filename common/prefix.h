/*
 * IPv4 and IPv6 prefixes: strict parsing, canonical printing (RFC 5952
 * for IPv6), ordering, containment and construction from RFC 3779
 * IPAddress bit strings.
 *
 * A struct prefix is plain data (18 bytes, no pointers) so it can be
 * copied, compared and stored in large arrays.  Invariants of a valid
 * prefix (prefix_check()): afi is AFI_IPV4 or AFI_IPV6, len is within
 * 0..32 or 0..128, every address bit beyond len is zero and, for IPv4,
 * addr[4..15] are zero.  Every function producing a prefix establishes
 * them, so two equal prefixes are also equal bytewise.
 */
#ifndef REEF_PREFIX_H
#define REEF_PREFIX_H

#include <stddef.h>
#include <stdint.h>

/* Address family identifiers, numerically the IANA AFI values. */
enum afi {
	AFI_IPV4 = 1,
	AFI_IPV6 = 2
};

#define PREFIX_ADDR_MAX		16	/* bytes in the largest (IPv6) address */
#define PREFIX_V4_BITS		32
#define PREFIX_V6_BITS		128
/* Longest address text we print: eight full groups, plus NUL. */
#define PREFIX_ADDR_STRLEN	40
/* Address text, "/128" and NUL. */
#define PREFIX_STRLEN		(PREFIX_ADDR_STRLEN + 4)

struct prefix {
	uint8_t	afi;			/* enum afi */
	uint8_t	len;			/* prefix length in bits */
	uint8_t	addr[PREFIX_ADDR_MAX];	/* network byte order */
};

/* Error codes (all negative, 0 is success). */
enum prefix_err {
	PREFIX_OK = 0,
	PREFIX_ESYNTAX = -1,	/* not an address or prefix in strict form */
	PREFIX_ERANGE = -2,	/* prefix length beyond the family's width */
	PREFIX_EHOSTBITS = -3,	/* bits set beyond the prefix length */
	PREFIX_EAFI = -4,	/* unknown address family */
	PREFIX_EENCODING = -5,	/* malformed RFC 3779 bit string */
	PREFIX_ESPACE = -6	/* output buffer too small */
};

/* Returns a static description of a prefix_err code. */
const char	*prefix_strerror(int);

/* Returns the address size in bytes (4 or 16), or 0 for an unknown AFI. */
size_t		 prefix_afi_bytes(unsigned int afi);

/* Returns the address width in bits (32 or 128), or 0 for an unknown AFI. */
unsigned int	 prefix_afi_bits(unsigned int afi);

/*
 * Parse "192.0.2.0/24" or "2001:db8::/32" into *p.  The length is
 * mandatory; IPv4 octets may not have leading zeros; no whitespace
 * anywhere.  Returns PREFIX_OK, PREFIX_ESYNTAX, PREFIX_ERANGE or
 * PREFIX_EHOSTBITS (address valid but bits set beyond the length).
 * *p is only written on success.
 */
int		 prefix_parse(const char *, struct prefix *);

/*
 * Parse a bare address ("192.0.2.1", "2001:db8::1") as a host prefix
 * (/32 or /128).  This is the explicit API for host routes: a missing
 * length is never accepted by prefix_parse().  Returns PREFIX_OK or
 * PREFIX_ESYNTAX.
 */
int		 prefix_parse_addr(const char *, struct prefix *);

/*
 * Build *p from an AFI, an address of prefix_afi_bytes(afi) bytes and a
 * length, checking all invariants.  Returns PREFIX_OK, PREFIX_EAFI,
 * PREFIX_ERANGE or PREFIX_EHOSTBITS.
 */
int		 prefix_set(struct prefix *, unsigned int, const uint8_t *,
		    unsigned int);

/* Returns PREFIX_OK if *p satisfies the invariants, else the violated rule. */
int		 prefix_check(const struct prefix *);

/*
 * Print the address of the given family canonically into buf (NUL
 * terminated): dotted quad for IPv4, RFC 5952 for IPv6.  Returns the
 * string length, or PREFIX_EAFI / PREFIX_ESPACE.
 */
int		 prefix_addr_format(unsigned int, const uint8_t *, char *,
		    size_t);

/*
 * Print "addr/len" canonically into buf.  Returns the string length, or
 * PREFIX_EAFI / PREFIX_ESPACE.  PREFIX_STRLEN bytes always suffice.
 */
int		 prefix_format(const struct prefix *, char *, size_t);

/*
 * The same text as prefix_format() without its size check and copy, for
 * the writers that print a million prefixes: buf must hold PREFIX_STRLEN
 * bytes.  Returns the string length, or PREFIX_EAFI (buf untouched).
 */
int		 prefix_format_fast(const struct prefix *, char *);

/*
 * Total order: AFI, then address (as an unsigned big-endian number), then
 * length (shorter first).  Returns <0, 0 or >0 like memcmp().
 */
int		 prefix_cmp(const struct prefix *, const struct prefix *);

/*
 * Returns 1 if outer covers inner (same AFI, outer no longer than inner
 * and equal in the first outer->len bits; a prefix covers itself), else 0.
 */
int		 prefix_covers(const struct prefix *, const struct prefix *);

/*
 * Store in *out the prefix of length len that covers *p (the first len
 * bits of p, the rest cleared).  Returns PREFIX_OK or PREFIX_ERANGE when
 * len is longer than p->len.  out may equal p.
 */
int		 prefix_truncate(const struct prefix *, unsigned int,
		    struct prefix *);

/* Store in last the highest address inside *p (all host bits set). */
void		 prefix_last(const struct prefix *, uint8_t [PREFIX_ADDR_MAX]);

/*
 * Build *p from an RFC 3779 IPAddress BIT STRING content: the data bytes
 * and the count of unused bits in the last byte (0..7; 0 if there are no
 * bytes).  The prefix length is 8 * len - unused.  Per DER (X.690 section
 * 11.2.1) the unused bits must be zero; the data may not be longer than
 * the address.  Returns PREFIX_OK, PREFIX_EAFI or PREFIX_EENCODING.
 */
int		 prefix_from_bits(unsigned int, const uint8_t *, size_t, int,
		    struct prefix *);

/*
 * Expand an IPAddress BIT STRING used as an address range bound (RFC 3779
 * section 2.2.3.9) into a full address: the missing bits are zero for the
 * lower bound (fill_ones 0) and one for the upper bound (fill_ones 1).
 * Same checks as prefix_from_bits().  Returns PREFIX_OK, PREFIX_EAFI or
 * PREFIX_EENCODING; addr is zero-padded to PREFIX_ADDR_MAX bytes.
 */
int		 prefix_addr_from_bits(unsigned int, const uint8_t *, size_t,
		    int, int, uint8_t [PREFIX_ADDR_MAX]);

#endif
