/*
 * Writing what RRDP snapshots and deltas carry into a cache stage: the
 * sink (validator/rrdp.h) the fetcher hands to the parsers.
 *
 * Every object becomes one plain file at ROOT/AUTHORITY/MODULE/PATH, the
 * layout of uri_to_cache_path() (validator/uri.h), where ROOT is a stage
 * directory (validator/cache.h) the caller owns and commits or throws
 * away.  Nothing here makes anything durable: the commit syncs the file
 * system once for the whole stage, so that a crash before it leaves the
 * previous generation in place and one after it the new one.
 *
 * Speed.  A snapshot is mostly the creation of many small files, so:
 * files are created with openat(2) relative to an open descriptor of
 * their directory, kept in a small cache (the objects of one CA come
 * together), so a directory is looked up and created once, not once per
 * object; in a snapshot stage (which starts empty, so no object depends
 * on another) the files are written by RRDP_STAGE_WRITERS threads while
 * the parser goes on, through a queue bounded by RRDP_STAGE_QUEUE_BYTES
 * of object data.  A delta stage writes in order, in the caller's thread,
 * since its checks read what earlier elements wrote.
 *
 * Checks (RFC 8182 section 3.4.2: a publish that replaces an object and
 * a withdraw name the hash of what they replace, and must match what
 * this server gave before, i.e. what is in the stage): a delta publish
 * with a hash replaces a file of that SHA-256; one without a hash must
 * not find a file; a withdraw removes a file of that SHA-256; a snapshot
 * may not publish the same URI twice.  Object URIs are parsed with
 * uri_parse() (any host, which is safe: the stage is the RRDP
 * repository's own tree) and may be at most CACHE_MAX_DEPTH segments
 * deep; each module (AUTHORITY/MODULE) an object lands in is shown to the
 * caller's module_ok() once, which may refuse it.
 *
 * A stage belongs to one thread (the one feeding the parser) apart from
 * its writer threads, which it owns.
 */
#ifndef REEF_VALIDATOR_RRDP_STAGE_H
#define REEF_VALIDATOR_RRDP_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "validator/rrdp.h"

/* Writer threads of a snapshot stage. */
#define RRDP_STAGE_WRITERS	2
/* Object bytes queued for the writers before the parser waits. */
#define RRDP_STAGE_QUEUE_BYTES	(8 * 1024 * 1024)
/* Objects queued for the writers before the parser waits. */
#define RRDP_STAGE_QUEUE_JOBS	4096
/* Open directory descriptors kept between objects. */
#define RRDP_STAGE_DIR_CACHE	16
/* Longest error message kept, with the NUL. */
#define RRDP_STAGE_ERROR_MAX	512

struct rrdp_stage_config {
	const char	*root;		/* existing directory */
	int		 snapshot;	/* root started empty */
	unsigned int	 writers;	/* snapshot: threads; 0: none */
	/*
	 * Called once per module ("AUTHORITY/MODULE") objects land in,
	 * before the first of them is written; return 1 to accept, or 0
	 * after writing the reason (one line) into why, which fails the
	 * file.  May be NULL (every module accepted).
	 */
	int		(*module_ok)(void *arg, const char *module,
			    char *why, size_t whysz);
	void		*arg;
};

struct rrdp_stage;

/*
 * New stage writer on cfg (copied; root is opened now).  Returns NULL
 * (errno set) when root cannot be opened or memory is short.
 */
struct rrdp_stage	*rrdp_stage_new(const struct rrdp_stage_config *cfg);

/* The sink writing into s; valid as long as s. */
void		 rrdp_stage_sink(struct rrdp_stage *s,
		    struct rrdp_sink *out);

/*
 * Wait until every object handed over so far is written.  Returns 0, or
 * -1 when anything failed since s was made (rrdp_stage_error() says why).
 */
int		 rrdp_stage_flush(struct rrdp_stage *s);

/* The first failure ("URI: reason"), or "" when none; owned by s. */
const char	*rrdp_stage_error(const struct rrdp_stage *s);

/* Objects written or withdrawn so far (complete ones only). */
uint64_t	 rrdp_stage_objects(const struct rrdp_stage *s);

/*
 * Modules objects were written to or withdrawn from, in the order first
 * seen: the i-th ("AUTHORITY/MODULE", owned by s) or NULL past the end,
 * with its number of objects in *objects (may be NULL).
 */
const char	*rrdp_stage_module(const struct rrdp_stage *s, size_t i,
		    uint64_t *objects);

/* Stop the writers (what is queued is dropped) and free s; NULL is fine. */
void		 rrdp_stage_free(struct rrdp_stage *s);

#endif
