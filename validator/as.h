/*
 * RFC 3779 AS identifier delegation extension (sbgp-autonomousSysNum) as
 * plain data: "inherit" or a sorted array of disjoint, non-adjacent AS
 * ranges.  RDI is rejected (RFC 6487 section 4.8.11) and the canonical
 * form of RFC 3779 section 3.2.3 is enforced.
 */
#ifndef REEF_VALIDATOR_AS_H
#define REEF_VALIDATOR_AS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509v3.h>

#include "common/asn.h"

struct as_res {
	int		  inherit;	/* asnum is inherit (ranges empty) */
	struct asn_range *ranges;	/* sorted ascending, disjoint */
	size_t		  nranges;
};

/*
 * Convert the decoded extension into a new as_res (caller frees with
 * as_res_free()).  Returns NULL after logging a warning naming fn and the
 * RFC rule broken.  At most MAX_CERT_AS_ENTRIES entries.
 */
struct as_res	*as_res_parse(const char *fn, ASIdentifiers *asid);

/*
 * The same from the DER extension value (val, len bytes: the contents of
 * extnValue, an ASIdentifiers of RFC 3779 section 3.2.3), refusing what
 * is not DER (X.690 section 10) as well.  Certificates are read with
 * this; as_res_parse() serves decoded RSC resources and the tests'
 * comparison.
 */
struct as_res	*as_res_parse_der(const char *fn, const unsigned char *val,
		    size_t len);

/* Release res and everything it owns; NULL is allowed. */
void		 as_res_free(struct as_res *res);

/* A deep copy (caller frees), or NULL on allocation failure. */
struct as_res	*as_res_dup(const struct as_res *res);

/* Returns 1 if a and b hold the same AS resources or are both NULL. */
int		 as_res_equal(const struct as_res *a, const struct as_res *b);

/*
 * Returns 1 if every range of child lies within issuer's ranges, else 0.
 * A child marked inherit is taken as contained (resolve it with
 * as_res_inherit()); an issuer marked inherit contains nothing.  Either may
 * be NULL (no AS resources).
 */
int		 as_res_contains(const struct as_res *issuer,
		    const struct as_res *child);

/*
 * If child is marked inherit, replace it by a copy of issuer's ranges.
 * Returns 0, or -1 when issuer is NULL or inherit itself, or on
 * allocation failure (child unchanged then).
 */
int		 as_res_inherit(struct as_res *child, const struct as_res *issuer);

/* Returns 1 if asn lies within one range of res (not inherit), else 0. */
int		 as_res_contains_asn(const struct as_res *res, uint32_t asn);

/* Returns 1 if the whole range [min, max] lies within one range of res. */
int		 as_res_contains_range(const struct as_res *res, uint32_t min,
		    uint32_t max);

#endif
