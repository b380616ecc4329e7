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
 *	CACHEDIR/.rrdp/KEY/current		symbolic link "gN": the committed
 *						generation of an RRDP repository
 *	CACHEDIR/.rrdp/KEY/gN			generation N of it: its state file
 *						and AUTHORITY/MODULE/... for every
 *						module it publishes in
 *	CACHEDIR/.rrdp/KEY/stage		one being built
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
 * RRDP repositories.  One RRDP repository (one rpkiNotify URI; KEY is
 * the hex SHA-256 of the URI) may publish objects of several modules, so
 * it has a tree of its own, built and committed the same way: its
 * "current" link is renamed over to commit, which is the moment its state
 * changes.  A module served by it has its CACHEDIR/rsync/AUTHORITY/MODULE
 * link pointing into the committed generation
 * ("../../.rrdp/KEY/gN/AUTHORITY/MODULE"): cache_rrdp_attach() sets it,
 * and cache_rrdp_commit() moves every link pointing into the repository's
 * tree to the new generation (or removes it when the new generation has
 * nothing for that module) before removing the old one.  A module link
 * is changed only by the source fetching that module (the fetcher
 * decides which, fetch.h), never because of what another repository
 * published.
 *
 * Recovery (cache_open): in every CACHEDIR/.repos/AUTHORITY/MODULE, every
 * entry other than the generation the link names is an interrupted stage
 * or a generation whose removal was cut short, and is removed; in every
 * CACHEDIR/.rrdp/KEY every entry other than "current" and the generation
 * it names (everything, without a valid "current"); a module link naming
 * another generation of an RRDP repository than its current one (a crash
 * during a commit) is moved to the current one, or removed when that has
 * nothing for the module; so are leftover temporary links and TA
 * downloads.
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
/* Hidden directory holding the RRDP repositories. */
#define CACHE_RRDP_DIR		".rrdp"
/* Name of the link to the committed generation of an RRDP repository. */
#define CACHE_CURRENT_NAME	"current"
/* Length of the key of an RRDP repository (hex SHA-256), without the NUL. */
#define CACHE_KEY_LEN		64

struct cache;

/*
 * A generation being built.  dir is where the repository's files go: for
 * a module root/AUTHORITY/MODULE, for an RRDP repository root itself
 * (objects at dir/AUTHORITY/MODULE/PATH).
 */
struct cache_stage {
	char	*relpath;	/* "AUTHORITY/MODULE", or NULL (RRDP) */
	char	*key;		/* RRDP repository key, or NULL (module) */
	char	*root;		/* CACHEDIR/.repos/AUTHORITY/MODULE/stage or
				   CACHEDIR/.rrdp/KEY/stage */
	char	*dir;
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
 * The committed directory of the module relpath ("AUTHORITY/MODULE"):
 * its generation, or its part of an RRDP repository's generation;
 * malloc'd, or NULL when none (or out of memory).
 */
char		*cache_current(const struct cache *c, const char *relpath);

/*
 * 1 when the module relpath is served from an RRDP repository's tree
 * (its files were written by us, with our own times), else 0.
 */
int		 cache_current_rrdp(const struct cache *c, const char *relpath);

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

/* ---- RRDP repositories ------------------------------------------------ */

/* The key of the RRDP repository of notify_uri into out; 0 or -1. */
int		 cache_rrdp_key(const char *notify_uri,
		    char out[CACHE_KEY_LEN + 1]);

/*
 * The committed generation directory of RRDP repository key, malloc'd,
 * or NULL when none.
 */
char		*cache_rrdp_current(const struct cache *c, const char *key);

/*
 * Start a new generation of RRDP repository key, empty or (copy set) as
 * hard links to the files of the committed one; a leftover stage is
 * removed first.  Returns 0 and a stage in *out, or -1 (logged).
 */
int		 cache_rrdp_stage_begin(struct cache *c, const char *key,
		    int copy, struct cache_stage **out);

/*
 * Commit the stage of an RRDP repository (protocol above): sync, rename
 * it to gN+1, switch "current", move the module links that pointed into
 * the repository's tree, remove the old generation.  Frees s.  Returns
 * 0, or -1 (logged) with the previous generation in place.
 */
int		 cache_rrdp_commit(struct cache *c, struct cache_stage *s);

/*
 * Point the module link of relpath at that module's directory in the
 * committed generation of RRDP repository key (a module generation it
 * replaces is removed).  Returns 0, 1 when that generation has no such
 * directory (nothing changed), or -1 (logged).
 */
int		 cache_rrdp_attach(struct cache *c, const char *key,
		    const char *relpath);

/*
 * Call fn(arg, relpath) for every module directory ("AUTHORITY/MODULE")
 * of the RRDP generation or stage directory dir.  Returns 0, or -1 when
 * dir cannot be read or fn returned -1.
 */
int		 cache_each_module(const char *dir,
		    int (*fn)(void *arg, const char *relpath), void *arg);

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
