/*
 * Internals shared by fetch.c, fetch_rrdp.c and fetch_rsync.c.
 */
#ifndef REEF_VALIDATOR_FETCH_INT_H
#define REEF_VALIDATOR_FETCH_INT_H

#include <pthread.h>
#include <stdint.h>

#include "validator/cache.h"
#include "validator/fetch.h"
#include "validator/http.h"
#include "validator/repo.h"
#include "validator/rsync.h"

/* Longest error message kept per repository, with the NUL. */
#define FETCH_ERROR_MAX		REPO_MAX_ERROR

enum frepo_phase {
	FR_QUEUED = 0,		/* not started */
	FR_RRDP,		/* waiting for its RRDP repository */
	FR_RSYNC_WAIT,		/* waiting for an rsync slot */
	FR_RSYNC,		/* rsync child running */
	FR_DONE,
};

struct rrdp_run;

enum fnotify_phase {
	FN_IDLE = 0,		/* not asked for yet */
	FN_RUNNING,		/* notification, snapshot or deltas in flight */
	FN_DONE,		/* ok says how it went */
};

/*
 * One RRDP repository (one rpkiNotify URI) of this run: fetched once for
 * every module bound to it, into a tree of its own (cache.h).
 */
struct fnotify {
	char			*uri;
	char			 key[CACHE_KEY_LEN + 1];
	enum fnotify_phase	 phase;
	int			 ok;		/* FN_DONE: current now */
	struct repo_state	 st;		/* as loaded; updated on commit */
	int			 have_current;
	struct rrdp_run		*rrdp;
	struct cache_stage	*stage;
	struct frepo		*first;		/* the module that asked first */
	int64_t			 start_ms;
	int			 delta;		/* updated by deltas */
	int			 unchanged;	/* nothing new */
	uint64_t		 bytes;		/* received this run */
	char			**mods;		/* modules the update touched */
	uint64_t		*modobjs;	/* and objects in each */
	size_t			 nmods;
	char			 error[FETCH_ERROR_MAX];
};

/* One repository (rsync module) of this run. */
struct frepo {
	char			*base;		/* rsync://AUTHORITY/MODULE/ */
	char			*relpath;	/* AUTHORITY/MODULE */
	char			*notify;	/* or NULL */
	struct fnotify		*fn;		/* RRDP repository, or NULL */
	enum frepo_phase	 phase;
	int			 finished;	/* phase FR_DONE; under f->lock */
	struct repo_state	 st;		/* as loaded; updated on commit */
	int			 have_current;	/* a committed generation */
	struct rsync_job	*rsync;
	struct cache_stage	*stage;
	int64_t			 start_ms;
	char			 error[FETCH_ERROR_MAX];
	struct fetch_status	 status;
};

/* Open-addressing index of strings to array positions (fetch.c). */
struct fetch_index {
	size_t		*slots;		/* position + 1, 0: empty */
	size_t		 size;		/* power of two, or 0 */
	size_t		 used;
};

struct fetcher {
	struct fetch_config	 cfg;
	struct cache		*cache;
	struct http_ctx		*http;
	struct rsync_config	 rcfg;
	int			 have_rsync;
	int64_t			 deadline_ms;	/* 0: none */
	int			 closing;
	struct repo_fetcher	 rf;
	pthread_mutex_t		 lock;		/* the arrays, pending, bg */
	pthread_mutex_t		 drive;		/* the loop */
	pthread_cond_t		 turned;	/* with lock: turns or a finished */
	pthread_cond_t		 queued;	/* with lock: a repository added */
	unsigned long		 turns;		/* turns of fetch_repo() so far */
	struct frepo		**repos;
	size_t			 nrepos, reposz;
	struct fetch_index	 repo_index;	/* base -> repos */
	struct fnotify		**notes;
	size_t			 nnotes, notesz;
	size_t			 pending;	/* repos not finished */
	pthread_t		 bg;		/* fetch_hint()'s driver */
	int			 have_bg;
};

/* Monotonic milliseconds. */
int64_t		 fetch_now_ms(void);
/* Seconds left before the run deadline (at least 1), capped at max. */
long		 fetch_time_left(const struct fetcher *f, long max);
/* Record an error for r (printf style); the first one is kept as status. */
void		 fetch_error(struct frepo *r, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* Record an error for the RRDP repository fn (the first is kept). */
void		 fetch_nerror(struct fnotify *fn, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * Start RRDP for fn.  Returns 0 when started (fetch_rrdp_done will be
 * called exactly once), -1 when it could not start.
 */
int		 fetch_rrdp_start(struct fetcher *f, struct fnotify *fn);
/* Called by fetch_rrdp.c when RRDP for fn ended; ok: current now. */
void		 fetch_rrdp_done(struct fetcher *f, struct fnotify *fn, int ok);
/* Free fn->rrdp (aborting its stage). */
void		 fetch_rrdp_free(struct fnotify *fn);

/*
 * May the RRDP repository fn write objects of module ("AUTHORITY/
 * MODULE")?  Not when this run bound the module to another RRDP
 * repository (fetch.h).  Returns 1, or 0 with the reason in why.
 * Thread-safe.
 */
int		 fetch_module_ok(struct fetcher *f, const struct fnotify *fn,
		    const char *module, char *why, size_t whysz);

/* Start rsync of r into a stage.  Returns 0, or -1 (logged). */
int		 fetch_rsync_start(struct fetcher *f, struct frepo *r);
/*
 * Advance r's rsync job; returns 0 while it runs, 1 when it ended and was
 * committed, -1 when it failed (stage thrown away).
 */
int		 fetch_rsync_poll(struct fetcher *f, struct frepo *r);

/* Write r's state with this run's outcome into dir (a generation). */
int		 fetch_state_write(struct fetcher *f, struct frepo *r,
		    const char *dir);
/*
 * Write fn's state (a successful update now) into dir/.reef-state with
 * objects as the count of objects changed.
 */
int		 fetch_nstate_write(struct fnotify *fn, const char *dir,
		    uint64_t objects);

#endif
