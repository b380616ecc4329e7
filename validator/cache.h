/*
 * The fetcher's cache directory and its crash-safe, per-repository commit.
 *
 * Layout (CACHEDIR is the configured cache directory):
 *
 *	CACHEDIR/rsync/AUTHORITY/MODULE		symbolic link to the committed
 *						generation of the repository
 *	CACHEDIR/.repos/AUTHORITY/MODULE/gN	generation N: the module's files,
 *						plain, one per object, and the
 *						state file .reef-state
 *	CACHEDIR/.repos/AUTHORITY/MODULE/stage	a generation being built
 *	CACHEDIR/ta/TAL.cer			TA certificates (fetch.c)
 *
 * so CACHEDIR/rsync/<uri_to_cache_path(u)> is the object named by the
 * rsync URI u, as the cache contract requires.  The link is relative
 * ("../../.repos/AUTHORITY/MODULE/gN"), so the cache can be moved.
 *
 * A new generation is built in "stage": empty (RRDP snapshot) or as hard
 * links to the files of the committed generation (RRDP deltas, rsync),
 * which are never written in place: a changed object is a new file (the
 * old link is unlinked first; rsync writes a temporary and renames it).
 * Commit: write the state into the stage, make the data durable
 * (syncfs(2)), rename the stage to gN+1, and rename a new symbolic link
 * over CACHEDIR/rsync/AUTHORITY/MODULE -- rename(2) is atomic, so a
 * reader or a crash sees either the old generation with its state or the
 * new one with its state, never a mix -- then remove the old generation.
 *
 * Recovery (cache_open): in every CACHEDIR/.repos/AUTHORITY/MODULE, every
 * entry other than the generation the link names is an interrupted stage
 * or a generation whose removal was cut short, and is removed; so are
 * leftover temporary links and TA downloads.
 */
#ifndef REEF_VALIDATOR_CACHE_H
#define REEF_VALIDATOR_CACHE_H

#include "common/limits.h"

/* Directory levels below a repository root the cache creates or copies. */
#define CACHE_MAX_DEPTH		64
/* Name of the staging directory of a repository. */
#define CACHE_STAGE_NAME	"stage"
/* Hidden directory holding the repository generations. */
#define CACHE_REPOS_DIR		".repos"
/* Prefix of temporary names in CACHEDIR and CACHEDIR/rsync/AUTHORITY. */
#define CACHE_TMP_PREFIX	".tmp-"

struct cache;

/* A generation being built.  dir is where the repository's files go. */
struct cache_stage {
	char	*relpath;	/* "AUTHORITY/MODULE" */
	char	*root;		/* CACHEDIR/.repos/AUTHORITY/MODULE/stage */
	char	*dir;		/* root/AUTHORITY/MODULE: the module's files */
};

/*
 * Open the cache at dir (created with its subdirectories when missing)
 * and recover from an interrupted run.  durable: sync data before each
 * commit (off only for tests that do not care about power loss).
 * Returns NULL after logging why; free with cache_close().
 */
struct cache	*cache_open(const char *dir, int durable);
void		 cache_close(struct cache *c);

/* The cache directory as given; owned by c. */
const char	*cache_dir(const struct cache *c);

/*
 * Remove interrupted stages and orphaned generations everywhere (done by
 * cache_open()).  Returns the number of entries removed, -1 on error.
 */
int		 cache_recover(struct cache *c);

/*
 * The committed generation directory of the repository relpath
 * ("AUTHORITY/MODULE"), malloc'd, or NULL when none (or out of memory).
 */
char		*cache_current(const struct cache *c, const char *relpath);

/*
 * Start a new generation of relpath: an empty stage, or with copy set,
 * hard links to every regular file of the committed generation (none if
 * there is none).  A leftover stage is removed first.  Returns 0 and a
 * stage in *out, or -1 (logged).
 */
int		 cache_stage_begin(struct cache *c, const char *relpath,
		    int copy, struct cache_stage **out);

/*
 * Make the stage the committed generation (protocol above) and free it.
 * Returns 0, or -1 (logged) with the previous generation still in place
 * and the stage removed.
 */
int		 cache_stage_commit(struct cache *c, struct cache_stage *s);

/* Throw the stage away and free it; NULL is accepted. */
void		 cache_stage_abort(struct cache_stage *s);

/*
 * Remove the tree at path (no symbolic link is followed).  Returns 0, or
 * -1 when something could not be removed.
 */
int		 cache_rmtree(const char *path);

/*
 * Create the directories of path below base (which must exist), never
 * through a symbolic link; the last component too when last is set.
 * Returns 0 or -1 with errno set.
 */
int		 cache_mkdirs(const char *base, const char *path, int last);

#endif
