/*
 * Repository state: what the fetcher remembers about one repository
 * between runs (RRDP session and serial, HTTP validators, the protocol
 * that last worked, the outcome of the last attempt).
 *
 * The state is a small text file, one "key value" line per field after a
 * "reef-repo-state 1" header, replaced atomically (common/atomic.h).  It
 * lives inside the committed generation of the repository (see
 * validator/cache.h), so the content and the RRDP serial it corresponds
 * to always switch together.  A missing, unreadable or corrupt file gives
 * a fresh state: the next fetch then starts over with a snapshot, which is
 * always safe.
 */
#ifndef REEF_VALIDATOR_REPO_H
#define REEF_VALIDATOR_REPO_H

#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"

/* File name of the state inside a repository directory (a hidden name no URI can take). */
#define REPO_STATE_FILE		".reef-state"
/* Header line of the state file, with the format version. */
#define REPO_STATE_MAGIC	"reef-repo-state 1"
/* Largest state file read, in bytes. */
#define REPO_STATE_MAX_SIZE	16384
/* Longest ETag or Last-Modified value kept (longer ones are not stored). */
#define REPO_MAX_VALIDATOR	256
/* Longest error message kept. */
#define REPO_MAX_ERROR		512

enum repo_proto {
	REPO_PROTO_NONE = 0,
	REPO_PROTO_RRDP,
	REPO_PROTO_RSYNC,
};

struct repo_state {
	/* RRDP position of the content; id "" when it did not come from RRDP. */
	char		 session[MAX_RRDP_SESSION_ID_LENGTH + 1];
	uint64_t	 serial;
	char		 notify[MAX_URI_LENGTH + 1];	/* "" when none */
	char		 etag[REPO_MAX_VALIDATOR + 1];	/* of the notification */
	char		 last_modified[REPO_MAX_VALIDATOR + 1];
	enum repo_proto	 proto;		/* what brought the content */
	int64_t		 last_success;	/* s since epoch, 0: never */
	int64_t		 last_attempt;	/* s since epoch, 0: never */
	char		 last_error[REPO_MAX_ERROR + 1];	/* "" after success */
	uint64_t	 duration_ms;	/* of the last attempt */
	uint64_t	 bytes;		/* received by the last attempt */
	uint64_t	 objects;	/* changed by the last attempt */
};

/* Reset *st to the fresh state (never fetched). */
void		 repo_state_init(struct repo_state *st);

/*
 * Read the state file at path into *st.  Returns 0 when it was read, -1
 * when it is missing or corrupt (logged at warning level when corrupt);
 * *st is then the fresh state.
 */
int		 repo_state_read(const char *path, struct repo_state *st);

/*
 * Replace the state file at path with *st, atomically.  Strings are
 * written only when printable US-ASCII (others are left out).  Returns 0,
 * or -1 with errno set.
 */
int		 repo_state_write(const char *path, const struct repo_state *st);

/* Copy src into the fixed field dst of size dstsz, or "" when it does not fit or is not printable. */
void		 repo_state_set(char *dst, size_t dstsz, const char *src);

/* "none", "rrdp", "rsync". */
const char	*repo_proto_name(enum repo_proto p);

#endif
