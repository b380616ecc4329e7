/*
 * The validation walk of "reef validate": from each TAL down the tree of
 * CA certificates, one publication point per CA, to the validated
 * payloads (VRPs, ASPAs, BGPsec router keys).
 *
 * The walk reads only the local cache (see the cache contract below) and
 * the validated store (validator/store.h); it asks the fetcher, if any,
 * to refresh a repository before it reads one of its publication points.
 *
 * Cache contract:
 *	CACHEDIR/ta/<tal name>.cer		TA certificate fetched over https
 *	CACHEDIR/rsync/<uri_to_cache_path(u)>	the object named by rsync URI u
 * The TA certificate is looked for in CACHEDIR/ta first, then at the
 * rsync paths of the TAL's rsync URIs.
 *
 * Failures stay local: a failing TA, CA or publication point never takes
 * away payloads of another one.  A publication point whose manifest
 * fails is failed as a whole (RFC 9286 section 6); the last good copy in
 * the store then stands in for it until it expires.
 */
#ifndef REEF_VALIDATOR_WALK_H
#define REEF_VALIDATOR_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "common/aspaset.h"
#include "common/rkset.h"
#include "common/vrpset.h"
#include "validator/repofetch.h"
#include "validator/roa.h"
#include "validator/tal.h"

/*
 * What the walk knows of one object besides its fate, for the report
 * (reef-formats(5), report.json).  Every member is optional: a NULL
 * string or a zero has_ flag means "not known" (for instance a file too
 * malformed to read).  Nothing is owned; the pointers are valid during
 * the callback only.
 */
struct walk_detail {
	const char		*issuer;	/* issuing CA's URI; "" for a TA */
	const char		*manifest;	/* manifest listing the object */
	const char		*ta;		/* TAL name */
	int			 has_validity;	/* EE's for signed objects */
	int64_t			 not_before, not_after;
	int			 has_update;	/* manifests and CRLs */
	int64_t			 this_update, next_update;
	int			 has_asn;	/* ROA asID */
	uint32_t		 asn;
	const struct roa_ip	*prefixes;	/* ROA contents */
	size_t			 nprefixes;
	int			 has_customer;	/* ASPA */
	uint32_t		 customer;
	const uint32_t		*providers;
	size_t			 nproviders;
	/*
	 * For an entry of a publication point's objects passed on from
	 * the result (report_defer): the digest (HASH_SHA256_LEN bytes) of
	 * all that point's entries, ppmemo.h struct ppmemo_entries; NULL
	 * otherwise.
	 */
	const unsigned char	*point_md;
};

/*
 * Called once for every object the walk looked at.  uri_or_file is the
 * object's rsync URI (or the cache file for a TA fetched over https),
 * type one of "tal", "cer", "crl", "mft", "roa", "asa", "router", "tak",
 * "gbr", "other"; accepted is 1 or 0 and reason says why it was rejected
 * (for an accepted object it is NULL, or a note such as "not processed"
 * for listed files of types the walk does not use).  detail (may be
 * NULL) carries the chain and contents the walk could read.  The walk
 * serialises the calls (never two at once), so the callback needs no
 * lock of its own, unless the configuration says it is thread-safe
 * (report_threadsafe; report_cb() is); it must not call back into the
 * walk.
 */
typedef void	(*walk_report_fn)(void *arg, const char *uri_or_file,
		    const char *type, int accepted, const char *reason,
		    const struct walk_detail *detail);

struct walk_config {
	struct tal	* const *tals;	/* ntals parsed TALs; index = ta index */
	size_t		 ntals;
	const char	*cache_dir;	/* read view (cache contract above) */
	const char	*store_dir;	/* validated store; NULL: no store */
	int64_t		 now;		/* validation time, seconds since epoch */
	unsigned int	 threads;	/* worker threads; 0: online processors */
	unsigned int	 max_depth;	/* 0: MAX_CERT_DEPTH */
	unsigned int	 max_repos;	/* per TAL; 0: MAX_REPO_PER_TAL */
	int		 allow_dubious;	/* accept URIs with IP hosts / ports */
	const struct repo_fetcher *fetcher; /* NULL: offline */
	/*
	 * Incremental validation (validator/ppmemo.h): records kept in
	 * memo_dir (NULL: none) for the program and settings named by
	 * memo_tag (MEMO_TAG_LEN bytes); memo_full validates everything
	 * again and rewrites the records ("reef validate --full").
	 */
	const char	*memo_dir;
	const unsigned char *memo_tag;
	int		 memo_full;
	walk_report_fn	 report;	/* may be NULL */
	void		*report_arg;
	/*
	 * report may be called from several workers at once: the walk then
	 * does not serialise the calls (a global run makes half a million).
	 */
	int		 report_threadsafe;
	/*
	 * The report entries of publication points are not passed to
	 * report during the walk but kept, encoded, in the result
	 * (walk_result_report()); report still gets the walk's own (TALs,
	 * TA and CA certificates).  Only while every point is reused and
	 * there is no fetcher: then the report may well be the one in use.
	 * Each point's digest is kept either way.
	 */
	int		 report_defer;
	/*
	 * With report_defer, what receives the points' entries when they
	 * are passed on during the walk (report_arg too; NULL: report).
	 */
	walk_report_fn	 report_point;
	/*
	 * With report_defer: keep every point's entries in the result
	 * even once a point's result changed or a fetcher runs, instead of
	 * passing them on during the walk.  For a caller that patches the
	 * report in use (validator/reportpatch.h) and so needs the entries
	 * of the points that changed only.
	 */
	int		 report_lazy;
	/*
	 * With report_defer: the points' entries are never needed (no
	 * report.json is written); only their digests are kept, and
	 * walk_result_report() passes nothing.
	 */
	int		 report_drop;
	/*
	 * Called once (NULL: not), in a worker while the payload sets are
	 * sorted, with report_arg, when every entry of the run was passed to
	 * the report during the walk, none kept apart: the report is then
	 * complete and will be written, and may be prepared for it.
	 */
	void		(*report_done)(void *arg);
};

/* Counters of one run (all for the whole run, every TA). */
struct walk_stats {
	size_t	tas;			/* TA certificates accepted */
	size_t	tas_failed;		/* TALs whose TA was not usable */
	size_t	cas;			/* CA certificates accepted (no TAs) */
	size_t	cas_failed;		/* CA certificates rejected */
	size_t	pubpoints;		/* publication points processed */
	size_t	pubpoints_failed;	/* ... whose manifest/CRL failed */
	size_t	pubpoints_stored;	/* ... replaced by the store's copy */
	size_t	pubpoints_reused;	/* ... reused from the memo */
	size_t	manifests;		/* manifests accepted */
	size_t	manifests_failed;	/* manifests rejected */
	size_t	crls;			/* CRLs accepted */
	size_t	crls_failed;
	size_t	roas;			/* ROAs accepted */
	size_t	roas_failed;
	size_t	aspas;			/* ASPA objects accepted */
	size_t	aspas_failed;
	size_t	router_certs;		/* BGPsec router certificates accepted */
	size_t	router_certs_failed;
	size_t	other_files;		/* listed files not processed (gbr, ...) */
	size_t	files_failed;		/* listed files missing or bad hash */
	size_t	repositories;		/* distinct repositories seen */
	size_t	repo_fetch_failed;	/* fetcher returned -1 */
	size_t	vrps;			/* VRPs before de-duplication */
};

/*
 * The result of walk_run().  The sets are frozen.  ta_names[i] is the
 * name of TAL i (the ta index of the payloads).  Owned by the caller:
 * release with walk_result_free().
 */
struct ppmemo_entries;
struct walk_entry_block;

struct memo;

struct walk_result {
	struct vrpset	 *vrps;
	struct aspaset	 *aspas;
	struct rkset	 *rks;
	char		**ta_names;
	size_t		  ntas;
	struct walk_stats stats;
	/* With report_defer: each publication point's report entries. */
	struct ppmemo_entries *points;
	size_t		  npoints;
	struct walk_entry_block *blocks;	/* their data (walk.c) */
	struct memo	 *memo;		/* where entries not read yet are */
};

/*
 * Validate everything reachable from cfg->tals at cfg->now and fill *out
 * (which the caller then owns).  Payload expiry ("expires") is the
 * earliest notAfter / nextUpdate along the chain from the TA to the
 * object, manifests and CRLs included, as rpki-client computes it.
 * Returns 0 on success (even when objects were rejected), -1 on a fatal
 * error (bad configuration, allocation failure, thread creation); *out
 * is then empty.
 */
int		 walk_run(const struct walk_config *cfg,
		    struct walk_result *out);

/*
 * Pass the report entries kept in res (walk_config's report_defer) to
 * fn(arg, ...), with the TA's name, as the walk would have, freeing each
 * point's as it goes (a second call passes nothing; the digests stay).
 * Returns 0, or -1 when one point's entries do not decode (the others
 * are passed).
 */
int		 walk_result_report(struct walk_result *res,
		    walk_report_fn fn, void *arg);

/*
 * walk_result_report() of the points i of res->points with want[i] set
 * only; the others keep their entries for a later call.
 */
int		 walk_result_report_some(struct walk_result *res,
		    const unsigned char *want, walk_report_fn fn, void *arg);

/* The digest of point i's entries (walk_detail's point_md). */
const unsigned char *walk_result_point_md(const struct walk_result *res,
		    size_t i);

/*
 * The digest of the report entries kept in res: of every point's
 * entries, in an order that depends only on them, and of the TA names.
 * Two results with the same digest report the same entries.  0 or -1.
 */
int		 walk_result_report_digest(const struct walk_result *res,
		    unsigned char *md);

/* Release everything *res owns and zero it.  NULL is allowed. */
void		 walk_result_free(struct walk_result *res);

#endif
