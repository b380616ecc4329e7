/*
 * A set of validated ASPAs keyed by customer AS: build by appending, then
 * freeze once; a frozen set is immutable and answers lookups and diffs
 * against another frozen set (RTR ASPA PDUs, draft-ietf-sidrops-8210bis).
 *
 * Storage is one entry array plus one shared array of provider ASNs (no
 * per-entry allocation).  The struct aspa values handed out point into
 * the set's provider array and stay valid until the set is freed (or,
 * before freezing, until the next aspaset_add()).
 *
 * Rules (draft-ietf-sidrops-aspa-profile section 3): the customer AS is
 * 1..4294967295 (CAS excludes AS 0), the provider list is non-empty and
 * must not contain the customer; providers are unique and in ascending
 * order.  aspaset_add() accepts providers in any order and with
 * repetitions (the object parser enforces the profile's encoding rules)
 * and stores them sorted and unique.  AS 0 is an ordinary provider value
 * here: an ASPA listing only AS 0 says the customer has no providers
 * (draft-ietf-sidrops-aspa-verification); the set carries it unchanged
 * for routers to interpret.
 *
 * Merging.  Several ASPAs for one customer (e.g. from different CAs)
 * become one entry whose providers are the union of theirs, as RTR needs
 * one ASPA per customer (8210bis) and as rpki-client does.  The merged
 * entry expires at the EARLIEST expires of its parts (the union is only
 * complete while every part is valid, as in rpki-client) and its ta is
 * the smallest ta index of its parts.  The result does not depend on the
 * order of aspaset_add() calls.  A merged entry may list more than
 * MAX_ASPA_PROVIDERS providers; encoders must check their own limits
 * (e.g. MAX_RTR_PDU_SIZE).
 *
 * Order: customer ASN ascending.
 */
#ifndef REEF_ASPASET_H
#define REEF_ASPASET_H

#include <stddef.h>
#include <stdint.h>

#include "payload.h"

struct aspaset;

/*
 * The changes from one frozen set to another, each list in customer
 * order.  announce: customers new in the new set or whose provider list
 * changed, with their new providers (in RTR an announcement replaces the
 * previous ASPA of that customer); withdraw: customers absent from the
 * new set, with their old providers.  Provider pointers point into the
 * two sets, so the diff must not outlive them.  The lists are owned by
 * the caller: free with aspa_diff_free().
 */
struct aspa_diff {
	struct aspa	*announce;
	size_t		 nannounce;
	struct aspa	*withdraw;
	size_t		 nwithdraw;
};

/* Returns a new empty set, or NULL on allocation failure.  Free with aspaset_free(). */
struct aspaset	*aspaset_new(void);

/* Frees the set and everything in it.  NULL is allowed. */
void		 aspaset_free(struct aspaset *);

/*
 * Check an ASPA against the rules above (order and repetition of
 * providers aside).  Returns PAYLOAD_OK, PAYLOAD_EASN or
 * PAYLOAD_EPROVIDERS (empty, more than MAX_ASPA_PROVIDERS, or the
 * customer among its providers).
 */
int		 aspa_check(const struct aspa *);

/* Returns 1 if asn is among the (ascending) providers of *a, else 0. */
int		 aspa_has_provider(const struct aspa *, uint32_t);

/*
 * Append a copy of *a (providers copied, sorted, de-duplicated) after
 * aspa_check().  Returns PAYLOAD_OK, the aspa_check() error,
 * PAYLOAD_ESTATE if frozen, PAYLOAD_ELIMIT or PAYLOAD_ENOMEM (the set is
 * unchanged on error).
 */
int		 aspaset_add(struct aspaset *, const struct aspa *);

/*
 * Merge entries per customer and sort; afterwards the set is read-only.
 * Returns PAYLOAD_OK, PAYLOAD_ESTATE if already frozen or PAYLOAD_ENOMEM
 * (the set is then still unfrozen, with the same content).
 */
int		 aspaset_freeze(struct aspaset *);

/* Returns 1 if the set is frozen, else 0. */
int		 aspaset_frozen(const struct aspaset *);

/* Returns the number of entries (customers, once frozen). */
size_t		 aspaset_count(const struct aspaset *);

/* Fill *out with entry i; returns 1, or 0 if i is out of range. */
int		 aspaset_get(const struct aspaset *, size_t, struct aspa *);

/*
 * Fill *out with the entry of a customer in a frozen set.  Returns 1 if
 * found, 0 if not, PAYLOAD_ESTATE if the set is not frozen.
 */
int		 aspaset_find(const struct aspaset *, uint32_t, struct aspa *);

/*
 * Compute the changes from the frozen set old to the frozen set new in
 * one linear pass.  Returns PAYLOAD_OK, PAYLOAD_ESTATE or PAYLOAD_ENOMEM
 * (*diff then empty).
 */
int		 aspaset_diff(const struct aspaset *, const struct aspaset *,
		    struct aspa_diff *);

/* Free the lists of a diff and empty it.  NULL is allowed. */
void		 aspa_diff_free(struct aspa_diff *);

#endif
