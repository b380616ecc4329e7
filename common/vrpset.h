/*
 * A set of VRPs: build by appending, then freeze (sort and de-duplicate)
 * once; a frozen set is immutable and answers lookups, covering queries
 * (RFC 6811 origin validation) and diffs against another frozen set (RTR
 * serial deltas, RFC 8210 section 5).
 *
 * Storage is one flat array of struct vrp (40 bytes each, no per-element
 * allocation); adding is amortised O(1), freezing O(n log n).
 *
 * Identity and order.  A VRP is identified by (prefix, maxlen, asn).  A
 * frozen set is ordered as rpki-client orders its output, so text outputs
 * compare byte for byte: AFI (IPv4 first), address ascending, prefix
 * length DESCENDING, maxLength DESCENDING, ASN ascending.  vrp_cmp()
 * gives this order.
 *
 * De-duplication.  When several ROAs yield the same (prefix, maxlen, asn)
 * the set keeps one entry with the latest expires of them all; its ta is
 * the smallest ta index among the duplicates having that latest expires.
 * The result does not depend on the order of vrpset_add() calls.
 *
 * Sets are not locked: one writer, or any number of readers of a frozen
 * set.
 */
#ifndef REEF_VRPSET_H
#define REEF_VRPSET_H

#include <stddef.h>
#include <stdint.h>

#include "payload.h"

struct vrpset;

/* RFC 6811 section 2 route origin validation states. */
enum rov_state {
	ROV_NOTFOUND = 0,
	ROV_VALID = 1,
	ROV_INVALID = 2
};

/*
 * The changes from one frozen set to another, each list in set order.
 * announce: in the new set but not the old; withdraw: in the old set but
 * not the new (entries whose only change is expires or ta are in
 * neither).  Owned by the caller: free with vrp_diff_free().
 */
struct vrp_diff {
	struct vrp	*announce;
	size_t		 nannounce;
	struct vrp	*withdraw;
	size_t		 nwithdraw;
};

/* Called for each VRP found; a non-zero return stops the walk. */
typedef int	(*vrp_visit_fn)(const struct vrp *, void *);

/* Returns a new empty set, or NULL on allocation failure.  Free with vrpset_free(). */
struct vrpset	*vrpset_new(void);

/* Frees the set and everything in it.  NULL is allowed. */
void		 vrpset_free(struct vrpset *);

/*
 * Check a VRP before adding it: the prefix must satisfy prefix_check()
 * and maxlen must lie between the prefix length and the family width
 * (RFC 9582 section 4.3.2, formerly RFC 6482 section 3.3).  Returns
 * PAYLOAD_OK, PAYLOAD_EPREFIX or PAYLOAD_EMAXLEN.
 */
int		 vrp_check(const struct vrp *);

/*
 * Compare two VRPs by identity in set order (see above); expires and ta
 * are ignored.  Returns <0, 0 or >0.
 */
int		 vrp_cmp(const struct vrp *, const struct vrp *);

/*
 * Append a copy of *v after vrp_check().  Returns PAYLOAD_OK, the
 * vrp_check() error, PAYLOAD_ESTATE if the set is frozen, PAYLOAD_ELIMIT
 * or PAYLOAD_ENOMEM (the set is unchanged on error).
 */
int		 vrpset_add(struct vrpset *, const struct vrp *);

/*
 * Sort and de-duplicate; afterwards the set is read-only.  Returns
 * PAYLOAD_OK or PAYLOAD_ESTATE if already frozen.
 */
int		 vrpset_freeze(struct vrpset *);

/* Returns 1 if the set is frozen, else 0. */
int		 vrpset_frozen(const struct vrpset *);

/* Returns the number of entries (after de-duplication once frozen). */
size_t		 vrpset_count(const struct vrpset *);

/*
 * Returns entry i (set order once frozen, insertion order before), or
 * NULL if i is out of range.  The pointer belongs to the set.
 */
const struct vrp *vrpset_get(const struct vrpset *, size_t);

/*
 * Returns the entry with the given identity in a frozen set, or NULL if
 * absent or the set is not frozen.  The pointer belongs to the set.
 */
const struct vrp *vrpset_find(const struct vrpset *, const struct prefix *,
		    unsigned int, uint32_t);

/*
 * Call fn (if not NULL) for every VRP of the frozen set whose prefix
 * covers route (prefix_covers()), shortest covering prefix first, until
 * fn returns non-zero.  Returns the number of VRPs visited, or
 * PAYLOAD_ESTATE / PAYLOAD_EPREFIX.
 */
long		 vrpset_covering(const struct vrpset *, const struct prefix *,
		    vrp_visit_fn, void *);

/*
 * RFC 6811 section 2 origin validation of a route (prefix, origin AS)
 * against a frozen set.  A VRP matches if it covers the route, the route
 * is no longer than its maxLength and the ASNs are equal; a VRP for AS 0
 * never matches (RFC 6483 section 4, RFC 7607).  Pass origin 0 for a
 * route whose origin is "NONE" (path ending in an AS_SET).  Returns an
 * enum rov_state, or PAYLOAD_ESTATE / PAYLOAD_EPREFIX.
 */
int		 vrpset_validate_origin(const struct vrpset *,
		    const struct prefix *, uint32_t);

/*
 * Compute the changes from the frozen set old to the frozen set new in
 * one linear pass over both.  On success *diff holds the lists; returns
 * PAYLOAD_OK, PAYLOAD_ESTATE or PAYLOAD_ENOMEM (*diff then empty).
 */
int		 vrpset_diff(const struct vrpset *, const struct vrpset *,
		    struct vrp_diff *);

/* Free the lists of a diff and empty it.  NULL is allowed. */
void		 vrp_diff_free(struct vrp_diff *);

#endif
