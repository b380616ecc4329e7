/*
 * Output files kept from one run of reef validate to the next when their
 * content would not change (reef-formats(5), "Output directory").
 *
 * A writer whose text depends only on the validated data, not on the
 * run's time, can state a digest of everything it prints: the build of
 * Reef, the format and the data (output.h, struct output_writer's
 * inputs).  Each run directory holds, besides the outputs, the file
 * OUTKEEP_FILE with one line per output written with such a digest:
 *
 *	NAME SP DIGEST SP SIZE [SP BODY] LF
 *
 * (NAME the output's file name, DIGEST 64 hex digits, SIZE the
 * file's size in decimal).  A run whose digest for NAME equals the one
 * the run in use recorded, while that run's NAME still has the size
 * recorded, hard-links the file into its own run directory
 * (outdir_run_keep()) instead of writing the same bytes again.
 *
 * A file whose head changes every run (vrps.json's metadata, the time in
 * reef.handoff's header) has BODY,
 * the offset where the rest of it begins, and DIGEST is that of what the
 * rest is written from: a run with the same digest writes its own head
 * and copies the rest from the run in use's file (outkeep_try_body()).
 *
 * A missing, unreadable or malformed OUTKEEP_FILE only means every file
 * is written in full.
 *
 * Thread-safe: writers running at once may call outkeep_try() and
 * outkeep_note().
 */
#ifndef REEF_VALIDATOR_OUTKEEP_H
#define REEF_VALIDATOR_OUTKEEP_H

#include <stdint.h>

#include "common/hash.h"
#include "validator/outdir.h"

/* The file in each run directory. */
#define OUTKEEP_FILE		".inputs"
/* Most lines read from or written to it. */
#define OUTKEEP_MAX_FILES	32
/* Longest output name it holds. */
#define OUTKEEP_NAME_MAX	64

struct outkeep;

/*
 * The digests the run in use recorded, read through r (none when there
 * is no such run or its file is unusable).  NULL only on ENOMEM.
 */
struct outkeep	*outkeep_open(struct outdir_run *r);

/*
 * Keep the run in use's file name in r if it was written from the
 * inputs md and still has the size recorded; the new run's record then
 * holds it too.  Returns 0 when kept, else -1 (the caller writes it).
 */
int		 outkeep_try(struct outkeep *k, struct outdir_run *r,
		    const char *name, const unsigned char md[HASH_SHA256_LEN]);

/*
 * The run in use's file name, open for reading, if its body was written
 * from the inputs md and the file still has the size recorded: its
 * descriptor (the caller closes it), with the body's offset in *off and
 * length in *len.  -1 otherwise.
 */
int		 outkeep_try_body(struct outkeep *k, struct outdir_run *r,
		    const char *name, const unsigned char md[HASH_SHA256_LEN],
		    uint64_t *off, uint64_t *len);

/* Record that name was written from the inputs md, size bytes long. */
void		 outkeep_note(struct outkeep *k, const char *name,
		    const unsigned char md[HASH_SHA256_LEN], uint64_t size);

/*
 * Record that name, size bytes long, has its body from offset body on,
 * written from the inputs md.
 */
void		 outkeep_note_body(struct outkeep *k, const char *name,
		    const unsigned char md[HASH_SHA256_LEN], uint64_t size,
		    uint64_t body);

/*
 * Write the new run's OUTKEEP_FILE into r.  Returns 0, or -1 after
 * logging (the next run then writes every file).
 */
int		 outkeep_save(struct outkeep *k, struct outdir_run *r);

/* Free k; NULL is accepted. */
void		 outkeep_free(struct outkeep *k);

#endif
