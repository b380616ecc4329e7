/*
 * SLURM: local exceptions to the validated RPKI data (RFC 8416), with
 * the ASPA members of draft-ietf-sidrops-aspa-slurm.
 *
 * File format (RFC 8416 section 3.2), parsed strictly: a JSON object with
 * exactly the members
 *	"slurmVersion": 1
 *	"validationOutputFilters": {
 *	    "prefixFilters": [ { "prefix"?, "asn"?, "comment"? } ... ],
 *	    "bgpsecFilters": [ { "asn"?, "SKI"?, "comment"? } ... ],
 *	    "aspaFilters"?: [ { "customerAsid", "comment"? } ... ] }
 *	"locallyAddedAssertions": {
 *	    "prefixAssertions": [ { "prefix", "asn", "maxPrefixLength"?,
 *		"comment"? } ... ],
 *	    "bgpsecAssertions": [ { "asn", "SKI", "routerPublicKey",
 *		"comment"? } ... ],
 *	    "aspaAssertions"?: [ { "customerAsid", "providerSet",
 *		"comment"? } ... ] }
 * A filter needs at least one of its matching members.  Unknown or
 * repeated members, wrong types, prefixes with host bits set, AS numbers
 * outside 0..4294967295, a maxPrefixLength shorter than the prefix or
 * longer than the family, SKIs that are not 20 bytes and keys that are
 * not a DER SubjectPublicKeyInfo are errors: the whole file is then
 * rejected (RFC 8416 section 4.1: a SLURM file is applied atomically or
 * not at all).  SKI and routerPublicKey are base64url without padding
 * (RFC 8416 sections 3.3.2, 3.4.2; RFC 4648 section 5).  "providers" is
 * accepted for "providerSet" (an earlier draft's spelling).
 *
 * Application (RFC 8416 section 4.2 and the draft): filters remove
 * RPKI-derived payloads; assertions are added afterwards, so no filter
 * removes an assertion.  A prefix filter removes every VRP whose prefix
 * is covered by (equal to or more specific than) the filter's prefix
 * and/or whose ASN equals the filter's ASN (both must match when both
 * are given); a BGPsec filter likewise by ASN and/or SKI; an ASPA filter
 * removes the customer's ASPA.  An ASPA assertion replaces whatever the
 * RPKI said about that customer (several assertions for one customer
 * are merged).
 */
#ifndef REEF_VALIDATOR_SLURM_H
#define REEF_VALIDATOR_SLURM_H

#include <stddef.h>
#include <stdint.h>

#include "common/aspaset.h"
#include "common/payload.h"
#include "common/prefix.h"
#include "common/rkset.h"
#include "common/vrpset.h"

/* Largest SLURM file read, in bytes. */
#define MAX_SLURM_SIZE		(16 * 1024 * 1024)
/* Entries in any one filter or assertion list. */
#define MAX_SLURM_ENTRIES	1000000
/* Longest string (a comment or an encoded key) in a SLURM file. */
#define MAX_SLURM_STRING	8192
/* JSON nesting of a SLURM file (the deepest is 4: object, list, entry, providers). */
#define MAX_SLURM_DEPTH		5
/* The only version RFC 8416 section 3.2 defines. */
#define SLURM_VERSION		1
/* TA name given to asserted payloads in the outputs. */
#define SLURM_TA_NAME		"slurm"
/*
 * Lifetime given to asserted payloads, from the validation time: they
 * carry no expiry of their own and each run renews them.
 */
#define SLURM_ASSERTION_LIFETIME	(7 * 24 * 3600)

struct slurm_prefix_filter {
	int		has_prefix;
	int		has_asn;
	struct prefix	prefix;
	uint32_t	asn;
};

struct slurm_bgpsec_filter {
	int		has_asn;
	int		has_ski;
	uint32_t	asn;
	uint8_t		ski[ROUTER_KEY_SKI_LEN];
};

struct slurm_aspa_filter {
	uint32_t	customer;
};

struct slurm_prefix_assertion {
	struct prefix	prefix;
	uint32_t	asn;
	uint8_t		maxlen;		/* the prefix length when not given */
};

struct slurm_bgpsec_assertion {
	uint32_t	 asn;
	uint8_t		 ski[ROUTER_KEY_SKI_LEN];
	uint8_t		*spki;		/* DER SubjectPublicKeyInfo */
	size_t		 spki_len;
};

struct slurm_aspa_assertion {
	uint32_t	 customer;
	uint32_t	*providers;	/* as written, no duplicates */
	size_t		 nproviders;
};

/* A parsed SLURM file.  Owned by the caller: slurm_free(). */
struct slurm {
	struct slurm_prefix_filter	*pfx_filters;
	size_t				 npfx_filters;
	struct slurm_bgpsec_filter	*bgpsec_filters;
	size_t				 nbgpsec_filters;
	struct slurm_aspa_filter	*aspa_filters;
	size_t				 naspa_filters;
	struct slurm_prefix_assertion	*pfx_assertions;
	size_t				 npfx_assertions;
	struct slurm_bgpsec_assertion	*bgpsec_assertions;
	size_t				 nbgpsec_assertions;
	struct slurm_aspa_assertion	*aspa_assertions;
	size_t				 naspa_assertions;
};

/* What slurm_apply() did. */
struct slurm_stats {
	size_t	vrps_filtered, vrps_added;
	size_t	rks_filtered, rks_added;
	size_t	aspas_filtered, aspas_added;
};

/*
 * Parse len bytes of the SLURM file fn.  Returns a new struct slurm (free
 * with slurm_free()), or NULL after logging "fn: RFC 8416 section X:
 * line:column: reason".
 */
struct slurm	*slurm_parse(const char *fn, const char *buf, size_t len);

/* As slurm_parse() on the file at path (at most MAX_SLURM_SIZE bytes). */
struct slurm	*slurm_load(const char *path);

/* Release s and everything it owns; NULL is allowed. */
void		 slurm_free(struct slurm *s);

/*
 * Apply s to the frozen sets *vrps, *rks and *aspas (a NULL set is taken
 * as empty): build new frozen sets without the filtered payloads and with
 * the assertions, which get TA index ta and expiry expires, then free the
 * old sets and store the new ones.  *st (may be NULL) gets the counts.
 * Returns 0, or -1 on ENOMEM or an unfrozen input set (the sets are then
 * unchanged).
 */
int		 slurm_apply(const struct slurm *s, uint32_t ta,
		    int64_t expires, struct vrpset **vrps, struct rkset **rks,
		    struct aspaset **aspas, struct slurm_stats *st);

#endif
