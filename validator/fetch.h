/*
 * The fetcher: keeps the local cache (validator/cache.h) up to date with
 * the repositories the validation walk asks for, over RRDP (RFC 8182)
 * first and rsync when RRDP fails.
 *
 * Repository identity.  One repository is one rsync module: the
 * repository base "rsync://AUTHORITY/MODULE/" of a caRepository URI
 * (uri_repo_base()).  Every CA publishing in a module shares it, so the
 * module is fetched once per run whatever number of CAs point into it.
 * The first rpkiNotify URI given for a module is the one used (later
 * ones are logged and ignored): that binds the module to that RRDP
 * repository for the run.
 *
 * RRDP repositories.  One notification file may publish for several
 * modules, even of several hosts (RIRs serve many CAs, in more than one
 * module, under one file), so an RRDP repository is one rpkiNotify URI,
 * fetched once per run whatever number of modules are bound to it, into
 * a tree of its own (cache.h) holding every object it publishes, under
 * whatever rsync URI: as rpki-client and Routinator do, what one server
 * publishes is kept apart from what every other source wrote.  A module
 * bound to it is served from that tree (its CACHEDIR/rsync link points
 * there) once it is current; a module it publishes nothing for falls
 * back to rsync.  RFC 8182 section 3.4.2 (a server may change only what
 * it published itself): an update carrying objects of a module that
 * this run bound to another RRDP repository fails as a whole (rsync is
 * then used for its own modules), so a hostile server can neither
 * replace nor seem to speak for another server's repository; what it
 * publishes for modules bound to nothing, or to rsync, stays in its tree
 * and is used only if a CA of that module later names it.  Limit: the
 * first CA to name a module decides where that module comes from for the
 * run, as before; a hostile CA that names another operator's module with
 * its own rpkiNotify before that operator's CAs are reached can withhold
 * that module for the run (the validated store keeps the last good
 * publication points).
 *
 * Strategy per repository and run: with an rpkiNotify URI, the
 * notification file (conditional GET with the stored ETag and
 * Last-Modified), then the delta chain when the stored session matches
 * and the chain is complete and at most MAX_RRDP_DELTAS long, otherwise
 * (or when a delta fails) the snapshot.  When RRDP fails, rsync of the
 * module.  The protocol that worked is recorded in the repository state;
 * RRDP is tried again on every run, so a repository returns to RRDP as
 * soon as its server recovers.  A repository whose fetch fails keeps its
 * previous content, untouched.
 *
 * Many repositories are in flight at once: all HTTPS transfers share one
 * libcurl multi handle and up to max_rsync rsync children run beside
 * them, driven by one loop.  After the run deadline nothing new is
 * started and what is in flight is abandoned (staged data thrown away).
 *
 * Threads: fetch_repo() and fetch_hint() may be called from several
 * threads at once (the walk's workers); one of the callers (or the
 * background thread fetch_hint() starts) drives the loop while others
 * wait.  Every other function belongs to one thread.
 */
#ifndef REEF_VALIDATOR_FETCH_H
#define REEF_VALIDATOR_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "validator/repofetch.h"
#include "validator/tal.h"

struct fetch_config {
	const char	*cache_dir;	/* CACHEDIR; created when missing */
	const char	*ca_file;	/* PEM trust anchors; NULL: system */
	const char	*rsync_program;	/* NULL: "rsync" from $PATH */
	int		 allow_dubious_hosts; /* localhost, IP literals, ports */
	unsigned int	 timeout;	/* run deadline, s from fetch_new; 0: none */
	size_t		 max_http;	/* transfers in flight; 0: MAX_HTTP_REQUESTS */
	size_t		 max_rsync;	/* rsync children; 0: MAX_RSYNC_REQUESTS */
	int		 no_rrdp;	/* rsync only */
	int		 no_rsync;	/* RRDP only */
};

enum fetch_proto {
	FETCH_PROTO_NONE = 0,	/* nothing fetched (yet) */
	FETCH_PROTO_RRDP,
	FETCH_PROTO_RSYNC,
	FETCH_PROTO_HTTPS,	/* a TA certificate */
};

enum fetch_result {
	FETCH_PENDING = 0,	/* queued or in flight */
	FETCH_OK,		/* fetched; the cache is current */
	FETCH_STALE,		/* failed; the previous content is kept */
	FETCH_FAILED,		/* failed and nothing is cached */
};

/* What became of one repository this run; strings owned by the fetcher. */
struct fetch_status {
	const char	*repo_uri;	/* rsync://AUTHORITY/MODULE/ */
	const char	*notify_uri;	/* or NULL */
	enum fetch_proto proto;		/* what brought the content */
	enum fetch_result result;
	int		 rrdp_delta;	/* RRDP by deltas (else snapshot/none) */
	int		 unchanged;	/* nothing new (304 or same serial) */
	uint64_t	 objects;	/* objects written or deleted this run */
	/* Bytes received this run; RRDP: on the module that asked first. */
	uint64_t	 bytes;
	double		 seconds;	/* wall clock of this run's fetch */
	const char	*error;		/* last error, or NULL */
};

struct fetcher;

/*
 * New fetcher on cfg (copied, strings too).  Opens (creating if needed)
 * the cache and removes what an interrupted run left behind.  Returns
 * NULL after logging why.  Free with fetch_free().
 */
struct fetcher	*fetch_new(const struct fetch_config *cfg);

/* Abandon whatever is in flight (staging thrown away) and free f. */
void		 fetch_free(struct fetcher *f);

/*
 * The repo_fetcher interface of the walk: f's fetch_repo().  *out is
 * filled in; it stays valid as long as f.
 */
void		 fetch_repo_fetcher(struct fetcher *f, struct repo_fetcher *out);

/*
 * Bring the repository of ca_repository_uri up to date (once per run;
 * later calls return the first outcome) and wait for it.  arg is the
 * struct fetcher.  Returns 0 when the cache holds a usable copy (fresh
 * or previous), -1 when nothing is cached.  Thread-safe.
 */
int		 fetch_repo(void *arg, const char *ca_repository_uri,
		    const char *rpki_notify_uri);

/*
 * Stalloris mitigation: queue the repository of ca_repository_uri for
 * fetching in the background and return at once, so that a child CA's
 * repository is on its way as soon as the child is found rather than
 * when a worker reaches it.  The first call starts a thread that drives
 * the loop whenever something is pending (until fetch_free()); a later
 * fetch_repo() for the repository just waits for that fetch (or returns
 * its outcome).  Idempotent (a repository already queued or fetched is
 * left alone), cheap (a hash lookup) and thread-safe.  Returns 0, or -1
 * when the URI is refused (logged), memory is short or f is closing.
 */
int		 fetch_hint(struct fetcher *f, const char *ca_repository_uri,
		    const char *rpki_notify_uri);

/*
 * Queue the repository without waiting (cmd_fetch discovers many at
 * once).  Returns its index for fetch_status_at(), or -1 when the URI is
 * refused (logged) or memory is exhausted.
 */
long		 fetch_queue(struct fetcher *f, const char *ca_repository_uri,
		    const char *rpki_notify_uri);

/*
 * Drive every queued fetch for at most timeout_ms (negative: until all
 * are done).  Returns the number still pending.
 */
size_t		 fetch_run(struct fetcher *f, long timeout_ms);

/* Repositories known to f, and the status of the i-th (or NULL). */
size_t		 fetch_count(const struct fetcher *f);
const struct fetch_status *fetch_status_at(const struct fetcher *f,
		    size_t i);

/*
 * Directory holding the committed copy of repository i (under
 * CACHEDIR/rsync), malloc'd, or NULL when nothing is cached.
 */
char		*fetch_repo_dir(const struct fetcher *f, size_t i);

/*
 * Fetch the TA certificate of tal: each https URI of the TAL in order,
 * then each rsync URI, until one succeeds; the certificate is installed
 * atomically as CACHEDIR/ta/<tal->name>.cer.  Blocking.  Returns 0 when
 * that file is (now or from before) present, -1 otherwise.  *proto (may
 * be NULL) tells what worked this time (FETCH_PROTO_NONE: the old copy).
 */
int		 fetch_ta(struct fetcher *f, const struct tal *tal,
		    enum fetch_proto *proto);

/* "rrdp", "rsync", "https" or "none"; "ok", "stale", "failed", "pending". */
const char	*fetch_proto_name(enum fetch_proto p);
const char	*fetch_result_name(enum fetch_result r);

#endif
