/*
 * Incremental validation of one publication point: reuse what its last
 * full validation produced when nothing it depends on has changed.
 *
 * A record (validator/memo.h) is reused only when all of these hold:
 *  - its key matches: the digest of the issuing CA certificate's DER, its
 *    effective resources (inherit resolved, so a change anywhere above that
 *    alters them forces re-validation), its URIs (certificate, manifest,
 *    repository, notification) and the URI policy;
 *  - the cached manifest has the digest recorded, and every file it
 *    lists is in the cache with the digest the manifest gives.  The
 *    fetcher never rewrites a cached file in place, so when the point's
 *    directory has the identity recorded (device, inode, change time:
 *    no entry created, removed or renamed since; see ppmemo.c, struct
 *    dir_id, for the clock-tick guard) no file is looked at; otherwise
 *    a file (the manifest too) is read and hashed again unless it is
 *    the very file the full validation read (same device, inode, size
 *    and modification time, struct pp_fileid).  Only someone able to
 *    write the cache, and so the memo kept in it, could change bytes
 *    behind these; a file edited in place is noticed by --full;
 *  - the validated store's link for the point names the same last good
 *    copy as when the record was written (every copy saved gets a new
 *    name, store.h), so manifest-replay checks, RFC 9286 section 4.2.1,
 *    see the same state;
 *  - the validation time lies in [time of the record, stable_until): no
 *    validity period, thisUpdate or nextUpdate that the full validation
 *    compared with the time has been crossed since, so expiry is applied
 *    at this run's time exactly as a full run would.
 * Reuse skips parsing and signature checks of everything the point lists;
 * a child CA is handed to the walk as the record describes it (its
 * digest, URIs, validity and resolved resources), and its certificate is
 * read and parsed again only when its own point cannot be reused.  The
 * payloads, counters and report entries are those of the full validation,
 * and expiry along the chain above (ctx->expires) is applied afresh.
 * Records are written only for a current copy that validated; a point
 * that fails or falls back to the store is validated in full every run.
 */
#ifndef REEF_VALIDATOR_PPMEMO_H
#define REEF_VALIDATOR_PPMEMO_H

#include "validator/memo.h"
#include "validator/pubpoint.h"

/* ppmemo_process() modes. */
enum ppmemo_mode {
	PPMEMO_REUSE,		/* reuse records, write new ones */
	PPMEMO_REBUILD		/* never reuse (reef validate --full), write */
};

/*
 * The tag of records written by this program (memo_open()): the digest of
 * the running executable, so any other build starts afresh.  0 or -1.
 */
int	ppmemo_program_tag(unsigned char *tag);

/*
 * The report entries of one publication point, kept in the encoding of
 * the records (ppmemo.c) instead of being passed to the report callback:
 * a run that changes nothing keeps report.json as it is (outkeep.h), so
 * the entries need not be decoded and stored at all, only told apart
 * from those of the run in use by their digest.  Those of a reused point
 * are not even read: they stay in its record until emitted, which needs
 * the memo still open.
 */
struct ppmemo_entries {
	unsigned char	*data;		/* the entries, encoded, or NULL: */
	size_t		 len;
	struct memo	*memo;		/* ... in the tail of this memo's */
	struct memo_tail tail;		/* record for mft, still to read */
	uint32_t	 n;
	char		*ca_uri;	/* what they are relative to */
	char		*mft;
	uint32_t	 ta;
	unsigned char	 entries_md[HASH_SHA256_LEN];	/* of the entries */
	/* SHA-256 of all the above: the same entries, the same digest. */
	unsigned char	 digest[HASH_SHA256_LEN];
	int		 lost;		/* out of memory: the entries are gone */
	/*
	 * Validated in full with a result (record) other than the memo
	 * held: the report will likely change.  0 for a reused point.
	 */
	int		 changed;
};

/*
 * pubpoint_process(ctx, out) with the memo m (NULL: none).  On reuse,
 * out->stats.pubpoints_reused is 1.  With defer NULL the report entries
 * go to ctx->report; else (ctx->report unused) into *defer, which the
 * caller frees with ppmemo_entries_free() (objects rejected are still
 * logged at once).  read_now (with defer): the caller passes the entries
 * on as soon as this returns, so a reused point's are read if they came
 * with the record instead of being left in it.  Returns what
 * pubpoint_process() would.
 */
int	ppmemo_process(const struct pubpoint_ctx *ctx, struct memo *m,
	    enum ppmemo_mode mode, struct pubpoint_out *out,
	    struct ppmemo_entries *defer, int read_now);

/*
 * Pass the entries of e to fn(arg, ...) as ppmemo_process() would have
 * passed them to ctx->report (the TA's name is left to fn), reading them
 * from the memo if need be.  Returns 0, or -1 when they cannot be read,
 * have another digest than recorded or do not decode (nothing is passed
 * then).
 */
int	ppmemo_entries_emit(const struct ppmemo_entries *e,
	    walk_report_fn fn, void *arg);

/* Free what e holds and zero it; NULL is allowed. */
void	ppmemo_entries_free(struct ppmemo_entries *e);

#endif
