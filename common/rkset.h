/*
 * A set of BGPsec router keys (RFC 8209): build by appending, then freeze
 * (sort and de-duplicate) once; a frozen set is immutable and answers
 * lookups and diffs against another frozen set (RTR Router Key PDUs, RFC
 * 8210 section 5.10).
 *
 * Storage is one entry array plus one shared byte array for the SPKIs
 * (no per-entry allocation).  struct router_key values handed out point
 * into the set's byte array and stay valid until the set is freed (or,
 * before freezing, until the next rkset_add()).
 *
 * Identity and order: (asn, ski, spki), ascending by ASN, then SKI bytes,
 * then SPKI bytes (on a common prefix the shorter SPKI first).  This is
 * rpki-client's order except that rpki-client compares the base64 text
 * of the SPKI, which only matters for one ASN and SKI with two different
 * keys.  De-duplication keeps the latest expires and, among duplicates
 * with that expires, the smallest ta index, independent of the order of
 * rkset_add() calls.
 */
#ifndef REEF_RKSET_H
#define REEF_RKSET_H

#include <stddef.h>
#include <stdint.h>

#include "payload.h"

struct rkset;

/*
 * The changes from one frozen set to another, each list in set order.
 * announce: keys in the new set but not the old; withdraw: keys in the
 * old set but not the new.  SPKI pointers point into the two sets, so the
 * diff must not outlive them.  The lists are owned by the caller: free
 * with rk_diff_free().
 */
struct rk_diff {
	struct router_key	*announce;
	size_t			 nannounce;
	struct router_key	*withdraw;
	size_t			 nwithdraw;
};

/* Returns a new empty set, or NULL on allocation failure.  Free with rkset_free(). */
struct rkset	*rkset_new(void);

/* Frees the set and everything in it.  NULL is allowed. */
void		 rkset_free(struct rkset *);

/*
 * Check a router key: the SPKI must be present, 1..ROUTER_KEY_SPKI_MAX
 * bytes.  Returns PAYLOAD_OK or PAYLOAD_ESPKI.
 */
int		 router_key_check(const struct router_key *);

/* Compare two keys by identity (see above).  Returns <0, 0 or >0. */
int		 router_key_cmp(const struct router_key *,
		    const struct router_key *);

/*
 * Append a copy of *k (SPKI bytes copied) after router_key_check().
 * Returns PAYLOAD_OK, PAYLOAD_ESPKI, PAYLOAD_ESTATE if frozen,
 * PAYLOAD_ELIMIT or PAYLOAD_ENOMEM (the set is unchanged on error).
 */
int		 rkset_add(struct rkset *, const struct router_key *);

/*
 * Sort and de-duplicate; afterwards the set is read-only.  Returns
 * PAYLOAD_OK or PAYLOAD_ESTATE if already frozen.
 */
int		 rkset_freeze(struct rkset *);

/* Returns 1 if the set is frozen, else 0. */
int		 rkset_frozen(const struct rkset *);

/* Returns the number of entries (after de-duplication once frozen). */
size_t		 rkset_count(const struct rkset *);

/* Fill *out with entry i; returns 1, or 0 if i is out of range. */
int		 rkset_get(const struct rkset *, size_t, struct router_key *);

/*
 * Fill *out with the entry of a frozen set having the identity of *key
 * (its expires and ta are ignored).  Returns 1 if found, 0 if not,
 * PAYLOAD_ESTATE if the set is not frozen.
 */
int		 rkset_find(const struct rkset *, const struct router_key *,
		    struct router_key *);

/*
 * Compute the changes from the frozen set old to the frozen set new in
 * one linear pass.  Returns PAYLOAD_OK, PAYLOAD_ESTATE or PAYLOAD_ENOMEM
 * (*diff then empty).
 */
int		 rkset_diff(const struct rkset *, const struct rkset *,
		    struct rk_diff *);

/* Free the lists of a diff and empty it.  NULL is allowed. */
void		 rk_diff_free(struct rk_diff *);

#endif
