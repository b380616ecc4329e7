/*
 * RFC 3779 IP address delegation extension (sbgp-ipAddrBlock) as plain
 * data: per address family (IPv4, IPv6) either "inherit" or a sorted
 * array of disjoint, non-adjacent inclusive address ranges.
 *
 * Parsing enforces the RPKI profile (RFC 6487 section 4.8.10): only the
 * IPv4 and IPv6 AFIs, no SAFI, each family at most once, the DER
 * canonical form of RFC 3779 section 2.2.3 (sorted, no overlap, no
 * adjacency, a prefix wherever a range could be written as one).
 */
#ifndef REEF_VALIDATOR_IP_H
#define REEF_VALIDATOR_IP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509v3.h>

#include "common/prefix.h"

/* Index of a family in struct ip_res.afi[]. */
#define IP_RES_V4	0
#define IP_RES_V6	1
#define IP_RES_NAFI	2

/* One address range, bounds inclusive, addresses zero-padded to 16 bytes. */
struct ip_range {
	uint8_t		min[PREFIX_ADDR_MAX];
	uint8_t		max[PREFIX_ADDR_MAX];
	int		plen;	/* prefix length if encoded as a prefix, else -1 */
};

struct ip_res_afi {
	int		 present;	/* the family appears in the extension */
	int		 inherit;	/* inherit (ranges empty) */
	struct ip_range	*ranges;	/* sorted ascending, disjoint */
	size_t		 nranges;
};

struct ip_res {
	struct ip_res_afi afi[IP_RES_NAFI];
};

/*
 * Convert the decoded extension into a new ip_res (caller frees with
 * ip_res_free()).  Returns NULL after logging a warning naming fn and the
 * RFC rule broken.  At most MAX_CERT_IP_ENTRIES entries in total.
 */
struct ip_res	*ip_res_parse(const char *fn, IPAddrBlocks *blocks);

/*
 * The same from the DER extension value (val, len bytes: the contents of
 * extnValue, an IPAddrBlocks of RFC 3779 section 2.2.3), refusing what is
 * not DER (X.690 section 10) as well.  Certificates are read with this;
 * ip_res_parse() serves decoded RSC resources and the tests' comparison.
 */
struct ip_res	*ip_res_parse_der(const char *fn, const unsigned char *val,
		    size_t len);

/* Release res and everything it owns; NULL is allowed. */
void		 ip_res_free(struct ip_res *res);

/* A deep copy (caller frees), or NULL on allocation failure. */
struct ip_res	*ip_res_dup(const struct ip_res *res);

/*
 * Returns 1 if a and b hold the same resources in the same form (families,
 * inherit, ranges and how each was encoded) or are both NULL, else 0.
 */
int		 ip_res_equal(const struct ip_res *a, const struct ip_res *b);

/* Non-zero if any family of res is marked inherit. */
int		 ip_res_has_inherit(const struct ip_res *res);

/* Number of ranges over both families (inherit counts as none). */
size_t		 ip_res_count(const struct ip_res *res);

/*
 * Returns 1 if every range of child lies within issuer's ranges of the
 * same family, 0 otherwise.  Families the child marks inherit are taken
 * as contained (the caller resolves them with ip_res_inherit()); an issuer
 * family marked inherit contains nothing.  Either may be NULL (no
 * resources).
 */
int		 ip_res_contains(const struct ip_res *issuer,
		    const struct ip_res *child);

/*
 * Replace every family child marks inherit by a copy of issuer's (RFC 3779
 * section 2.2.3.5).  Returns 0, or -1 when the issuer lacks that family or
 * marks it inherit itself, or on allocation failure (child unchanged then).
 */
int		 ip_res_inherit(struct ip_res *child, const struct ip_res *issuer);

/* Returns 1 if the prefix lies within one range of res (not inherit). */
int		 ip_res_covers_prefix(const struct ip_res *res,
		    const struct prefix *p);

/*
 * Returns 1 if the inclusive address range [min, max] of family afi
 * (AFI_IPV4 or AFI_IPV6) lies within one range of res.
 */
int		 ip_res_covers_range(const struct ip_res *res, unsigned int afi,
		    const uint8_t min[PREFIX_ADDR_MAX],
		    const uint8_t max[PREFIX_ADDR_MAX]);

/*
 * Print one range as "192.0.2.0/24" or "192.0.2.1-192.0.2.7" into buf.
 * Returns the length, or -1 if buf is too small (IP_RANGE_STRLEN suffices).
 */
#define IP_RANGE_STRLEN	(2 * PREFIX_ADDR_STRLEN + 1)
int		 ip_range_format(unsigned int afi, const struct ip_range *r,
		    char *buf, size_t size);

#endif
