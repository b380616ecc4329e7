/*
 * The validated store: for each publication point, the files of the
 * newest manifest that validated, kept apart from the fetched cache.
 * When a publication point's current manifest fails (RFC 9286 section
 * 6), the walk validates the stored copy again and uses it while it is
 * still current; the stored manifest is also what a new manifest is
 * compared with, so a replayed older one is noticed (RFC 9286 section
 * 4.2.1).
 *
 * Layout: STORE/<h> is a symbolic link to the file STORE/.<p>.XXXXXX,
 * one pack (validator/storepack.h) of the manifest and every file it
 * lists, where <h> is the hex SHA-256 of the manifest's rsync URI and <p>
 * its first 32 digits (so the link text fits in the link's inode;
 * mkostemp(3) makes the name unique).  A new copy is written to a new
 * file and the link is replaced with rename(2), so a reader sees the old
 * copy or the new one, never a mix; no name in STORE depends on the
 * repository's file names, so nothing can escape it.  One file per copy
 * keeps a changed point to one inode created and one freed.
 *
 * Thread-safe: a copy is written in a file of its own; replacing a
 * point's link is serialised by a lock inside the store.
 */
#ifndef REEF_VALIDATOR_STORE_H
#define REEF_VALIDATOR_STORE_H

#include <stddef.h>

#include "validator/storepack.h"

struct store;

/*
 * Open (creating it if needed) the store in dir.  Returns a new handle
 * (free with store_close()) or NULL after logging why.
 */
struct store	*store_open(const char *dir);

/* Release the handle; the directory stays.  NULL is allowed. */
void		 store_close(struct store *st);

/*
 * The stored copy of the publication point whose manifest has the URI
 * mft_uri, open for reading (a pack: storepack_load(),
 * storepack_load_first()).  Returns the descriptor (the caller closes
 * it), or -1 with errno ENOENT when there is none.
 */
int		 store_copy_open(struct store *st, const char *mft_uri);

/*
 * The name of the file STORE/<h> links to (".<p>.XXXXXX", a new name
 * for every copy saved) in name (len bytes), without checking that
 * it exists: what ties a memo record to one stored copy
 * (validator/ppmemo.h).  Returns 0, or -1 when there is no copy or the
 * name does not fit.
 */
int		 store_link(struct store *st, const char *mft_uri,
		    char *name, size_t len);

/*
 * Replace the stored copy for mft_uri by the nfiles files given, the
 * manifest first (plain names, storepack.h).  Returns 0, or -1 after
 * logging why (the old copy then stays).
 */
int		 store_save(struct store *st, const char *mft_uri,
		    const struct store_file *files, size_t nfiles);

/* Remove the stored copy for mft_uri, if any.  Returns 0 or -1. */
int		 store_remove(struct store *st, const char *mft_uri);

#endif
