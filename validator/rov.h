/*
 * RFC 6811 route origin validation against a frozen VRP set, through an
 * index built once and then shared read-only (any number of threads).
 *
 * The index keeps, per address family, the distinct VRP prefixes sorted
 * by (address, length) with each one's nearest covering prefix in the
 * set ("parent").  A lookup finds by binary search (narrowed by a table
 * on the first 16 address bits) the greatest indexed prefix not after
 * the route; the deepest prefix covering the route is that one or one
 * of its ancestors, and every covering prefix is on the parent chain
 * from there.  A lookup therefore costs one short binary search and a
 * walk of at most one entry per prefix length: no allocation, no
 * per-length probes.
 *
 * Route origin.  RFC 6811 section 2 derives it from the AS_PATH: the
 * last AS of a final AS_SEQUENCE segment; "NONE" when the path ends in
 * an AS_SET (which RFC 9774 deprecates: such routes can never be Valid).
 * Callers pass origin_none = 1 for NONE; the origin number is then
 * ignored.  A VRP for AS 0 never matches (RFC 6483 section 4, RFC 7607)
 * but still covers, so it can make a route Invalid.
 */
#ifndef REEF_VALIDATOR_ROV_H
#define REEF_VALIDATOR_ROV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/prefix.h"
#include "common/vrpset.h"

/* Bits of the address used to index the first-level bucket table. */
#define ROV_BUCKET_BITS		16
/* Longest input line accepted by rov_parse_line(). */
#define ROV_MAX_LINE		8192
/* Longest error message from rov_parse_line(). */
#define ROV_ERRLEN		256
/* Most ASes in one bgpdump AS path we look at. */
#define ROV_MAX_PATH_TOKENS	4096

/* A route to validate.  origin is ignored when origin_none is set. */
struct rov_route {
	struct prefix	prefix;
	uint32_t	origin;
	int		origin_none;
};

/* Why a covering VRP does not match a route (rov_covering()). */
enum rov_why {
	ROV_MATCH = 0,		/* the VRP matches: the route is valid */
	ROV_WHY_ASN,		/* origin differs (or is NONE) */
	ROV_WHY_LENGTH,		/* route longer than maxLength */
	ROV_WHY_ASN_LENGTH,	/* both */
	ROV_WHY_AS0		/* AS 0 VRP: never matches (RFC 7607) */
};

/* Called for each covering VRP, shortest prefix first; non-zero stops. */
typedef int	(*rov_visit_fn)(const struct vrp *, enum rov_why, void *);

struct rov_index;

/*
 * Build the index over the frozen set vs, which must stay alive and
 * unchanged as long as the index (VRPs are referenced, not copied).
 * Returns the index, owned by the caller (rov_free()), or NULL with
 * errno EINVAL (set not frozen) or ENOMEM.
 */
struct rov_index	*rov_build(const struct vrpset *vs);

/* Free the index (not the set); NULL is allowed. */
void			 rov_free(struct rov_index *);

/*
 * RFC 6811 section 2 state of route: ROV_VALID, ROV_INVALID or
 * ROV_NOTFOUND (enum rov_state of vrpset.h).  An invalid prefix gives
 * ROV_NOTFOUND.
 */
int			 rov_validate(const struct rov_index *,
			    const struct rov_route *);

/*
 * Call fn (if not NULL) for every VRP covering route, shortest prefix
 * first, with the reason it does not match (ROV_MATCH if it does).
 * Returns the state as rov_validate() does (the walk stops early only
 * if fn asks, and then the state covers the VRPs seen so far).
 */
int			 rov_covering(const struct rov_index *,
			    const struct rov_route *, rov_visit_fn, void *);

/* Static lowercase name of an enum rov_state: "valid", "invalid", "not-found". */
const char		*rov_state_name(int);

/* Static short name of an enum rov_why: "match", "asn", "length", ... */
const char		*rov_why_name(enum rov_why);

/*
 * Parse one batch input line into *r:
 *	PREFIX ASN		("192.0.2.0/24 AS65000", "2001:db8::/32 65000";
 *				 ASN may be "NONE"; blanks are spaces or tabs)
 *	bgpdump -m line		(TABLE_DUMP|TABLE_DUMP2 with type B, or
 *				 BGP4MP|BGP4MP_ET with type A: field 6 is the
 *				 prefix, field 7 the AS path, whose origin is
 *				 the last AS; an AS_SET "{...}" at the end
 *				 gives NONE; an empty path or a final
 *				 confederation segment "(...)"/"[...]" gives
 *				 the peer AS of field 5, RFC 6811 section 2)
 * line is modified (tokenised).  Returns 1 with *r set, 0 for a line to
 * skip (empty, "#" comment, bgpdump withdrawal), or -1 with a reason in
 * err (errlen bytes).
 */
int			 rov_parse_line(char *line, struct rov_route *r,
			    char *err, size_t errlen);

/*
 * Parse a route given as two command line words (PREFIX, ASN or NONE).
 * Returns 0, or -1 with a reason in err.
 */
int			 rov_parse_route(const char *prefix, const char *asn,
			    struct rov_route *r, char *err, size_t errlen);

/* Called by rov_read_routes() for each route; non-zero stops reading. */
typedef int	(*rov_route_fn)(const struct rov_route *, size_t lineno,
		    void *);

/*
 * Read batch routes (rov_parse_line() format) from in, calling fn for
 * each.  Malformed or overlong (ROV_MAX_LINE) lines are reported on err
 * (may be NULL) as "name:LINE: reason", counted in *nbad and skipped.
 * Returns the number of routes passed to fn, or -1 on a read error or
 * when fn stopped the reading.
 */
long			 rov_read_routes(FILE *in, const char *name,
			    rov_route_fn fn, void *arg, FILE *err,
			    size_t *nbad);

#endif
