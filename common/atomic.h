/*
 * Atomic file replacement: readers see either the old file or the complete
 * new one, never a partial write, even across a crash.
 *
 * The new content goes to a temporary file (mkstemp) in the target's own
 * directory, is fsync'ed, renamed over the target, and the directory is
 * fsync'ed so the rename itself is durable.  On any failure the temporary
 * file is removed and the target is left untouched.  The target gets
 * exactly the given mode (the umask does not apply).
 *
 * All functions return -1 with errno set on failure.
 */
#ifndef REEF_ATOMIC_H
#define REEF_ATOMIC_H

#include <sys/types.h>

#include <stdio.h>

struct atomic_file;

/* Replace path with the len bytes at buf. */
int			 atomic_write_file(const char *path, const void *buf,
			    size_t len, mode_t mode);

/*
 * Start replacing path: returns a handle owning an open temporary file, or
 * NULL.  The handle must be passed to exactly one of atomic_commit() or
 * atomic_abort(), which free it.
 */
struct atomic_file	*atomic_begin(const char *path, mode_t mode);

/*
 * The temporary file as a stdio stream or as a descriptor; both stay owned
 * by the handle.  Use one or the other for writing, not both.
 */
FILE			*atomic_stream(struct atomic_file *af);
int			 atomic_fd(const struct atomic_file *af);

/* Name of the temporary file (for diagnostics; owned by the handle). */
const char		*atomic_temp_path(const struct atomic_file *af);

/*
 * Flush, sync and rename the temporary over the target, then free af.
 * On failure the temporary is removed, the target untouched, af freed.
 * If an earlier write on the stream already failed, errno is EIO (stdio
 * does not keep the original errno).
 */
int			 atomic_commit(struct atomic_file *af);

/* Discard the temporary file and free af; NULL is accepted. */
void			 atomic_abort(struct atomic_file *af);

#endif
