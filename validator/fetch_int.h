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
	FR_RRDP,		/* RRDP in flight */
	FR_RSYNC_WAIT,		/* waiting for an rsync slot */
	FR_RSYNC,		/* rsync child running */
	FR_DONE,
};

struct rrdp_run;

/* One repository (rsync module) of this run. */
struct frepo {
	char			*base;		/* rsync://AUTHORITY/MODULE/ */
	char			*relpath;	/* AUTHORITY/MODULE */
	char			*notify;	/* or NULL */
	enum frepo_phase	 phase;
	int			 finished;	/* phase FR_DONE; under f->lock */
	struct repo_state	 st;		/* as loaded; updated on commit */
	int			 have_current;	/* a committed generation */
	struct rrdp_run		*rrdp;
	struct rsync_job	*rsync;
	struct cache_stage	*stage;
	int64_t			 start_ms;
	char			 error[FETCH_ERROR_MAX];
	struct fetch_status	 status;
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
	pthread_mutex_t		 lock;		/* the repos array */
	pthread_mutex_t		 drive;		/* the loop */
	pthread_cond_t		 turned;	/* with lock: turns or a finished */
	unsigned long		 turns;		/* turns of fetch_repo() so far */
	struct frepo		**repos;
	size_t			 nrepos, reposz;
};

/* Monotonic milliseconds. */
int64_t		 fetch_now_ms(void);
/* Seconds left before the run deadline (at least 1), capped at max. */
long		 fetch_time_left(const struct fetcher *f, long max);
/* Record an error for r (printf style); the first one is kept as status. */
void		 fetch_error(struct frepo *r, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * Start RRDP for r (r->notify set).  Returns 0 when started (fetch_rrdp_done
 * will be called exactly once), -1 when it could not start.
 */
int		 fetch_rrdp_start(struct fetcher *f, struct frepo *r);
/* Called by fetch_rrdp.c when RRDP for r ended; ok: committed. */
void		 fetch_rrdp_done(struct fetcher *f, struct frepo *r, int ok);
/* Free r->rrdp (aborting its stage). */
void		 fetch_rrdp_free(struct frepo *r);

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

#endif
