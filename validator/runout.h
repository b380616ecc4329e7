/*
 * The outputs of one "reef validate" run, loaded back for the auditors'
 * subcommands (check, coverage, explain, diff): the hand-off file
 * (OUTDIR/reef.handoff: the validated payloads and TA names) and the
 * report (OUTDIR/report.json: every object and its fate).
 *
 * Report members read for each object (report.c writes the first five):
 *	uri, type, accepted, reason, rule
 * and, when a newer validator writes them (all optional; absent members
 * leave the field NULL or its has_ flag 0, and the commands then say what
 * they cannot tell):
 *	issuer		URI of the issuing CA certificate ("" for a TA)
 *	manifest	URI of the manifest listing the object
 *	ta		name of the Trust Anchor the object descends from
 *	not_before, not_after	validity of the (EE) certificate, ISO 8601
 *	this_update, next_update	of a manifest or CRL, ISO 8601
 *	asn, prefixes	a ROA's asID and [{prefix, max_length}] (also for
 *			a rejected ROA whose content could be read)
 *	customer	an ASPA's customer AS
 * Unknown members are skipped, so the report may grow further.
 */
#ifndef REEF_VALIDATOR_RUNOUT_H
#define REEF_VALIDATOR_RUNOUT_H

#include <stddef.h>
#include <stdint.h>

#include "common/handoff.h"
#include "common/prefix.h"

/* The report file inside the output directory. */
#define RUNOUT_REPORT_FILENAME	"report.json"
/* Largest report.json read (a full run of MAX_REPORT_ENTRIES fits). */
#define RUNOUT_MAX_REPORT_SIZE	(4LL * 1024 * 1024 * 1024)
/* Nesting of report.json: document, objects, object, prefixes, prefix. */
#define RUNOUT_MAX_DEPTH	8
/* Longest string in report.json: a URI or a reason, with room to spare. */
#define RUNOUT_MAX_STRING	8192
/* Prefixes kept per ROA entry of the report (as the ROA parser allows). */
#define RUNOUT_MAX_PREFIXES	200000
/* Length of the error text of runout_load(). */
#define RUNOUT_ERRLEN		512

/* runout_load() flags. */
#define RUNOUT_NEED_REPORT	0x01	/* fail when report.json is missing */

struct runout_prefix {
	struct prefix	prefix;
	uint8_t		maxlen;
};

/* One entry of report.json; strings are owned by the struct runout. */
struct runout_obj {
	char			*uri;
	char			*type;
	char			*reason;	/* NULL: none */
	char			*rule;		/* NULL: none */
	int			 accepted;
	char			*issuer;	/* NULL: not in the report */
	char			*manifest;
	char			*ta;
	int			 has_validity;
	int64_t			 not_before, not_after;
	int			 has_update;
	int64_t			 this_update, next_update;
	int			 has_asn;
	uint32_t		 asn;
	int			 has_customer;
	uint32_t		 customer;
	struct runout_prefix	*prefixes;
	size_t			 nprefixes;
};

/* A VRP a ROA entry of the report carries, for runout_roa_of(). */
struct runout_vrpref {
	struct prefix	prefix;
	uint8_t		maxlen;
	uint32_t	asn;
	size_t		obj;		/* index into objs */
};

struct runout {
	char			*dir;
	struct handoff_data	 ho;
	int			 has_report;
	int			 has_chain;	/* some entry has issuer */
	int			 has_payloads;	/* some ROA entry has prefixes */
	size_t			 accepted, rejected, dropped;
	struct runout_obj	*objs;		/* sorted by uri, then type */
	size_t			 nobjs;
	struct runout_vrpref	*refs;		/* sorted by prefix, maxlen, asn */
	size_t			 nrefs;
};

/*
 * Load the outputs in dir into *ro: the hand-off file is required; the
 * report too with RUNOUT_NEED_REPORT, else a missing report.json leaves
 * has_report 0.  A report that exists but does not parse is always an
 * error.  Returns 0 (release with runout_free()), or -1 with a one-line
 * reason in err (errlen bytes) and *ro empty.
 */
int			 runout_load(const char *dir, int flags,
			    struct runout *ro, char *err, size_t errlen);

/*
 * Parse report.json content (len bytes at buf) into ro's report fields.
 * Returns 0, or -1 with a reason in err.  Exposed for the tests.
 */
int			 runout_parse_report(const char *buf, size_t len,
			    struct runout *ro, char *err, size_t errlen);

/* Release everything in *ro and zero it; NULL is allowed. */
void			 runout_free(struct runout *ro);

/*
 * The first report entry with this uri (of any type), or NULL.  The
 * pointer belongs to ro.
 */
const struct runout_obj	*runout_find(const struct runout *ro,
			    const char *uri);

/*
 * The accepted ROA entry of the report that carries VRP v (first in URI
 * order), else a rejected one, or NULL when none does or the report has
 * no ROA contents (has_payloads 0).  Owned by ro.
 */
const struct runout_obj	*runout_roa_of(const struct runout *ro,
			    const struct vrp *v);

/*
 * The entry of the issuer of o (o->issuer looked up), or NULL.  Owned by
 * ro.
 */
const struct runout_obj	*runout_issuer(const struct runout *ro,
			    const struct runout_obj *o);

/* Name of TA index ta, or "unknown"; the string belongs to ro. */
const char		*runout_ta_name(const struct runout *ro, uint32_t ta);

#endif
