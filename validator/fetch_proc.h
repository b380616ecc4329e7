/*
 * The fetcher in a process of its own (privilege separation).
 *
 * fetch_proc_start() forks.  The child owns the struct fetcher (fetch.h):
 * the network, the rsync children, the writes into the cache.  It fetches
 * the TA certificates first, then serves the parent's requests until the
 * parent says it is done or goes away.  The parent, which parses what was
 * fetched, confines itself (sandbox.h) once fetch_proc_start() returned,
 * and asks for repositories through this interface: a drop-in for
 * fetch_repo() as the walk's struct repo_fetcher.
 *
 * The two talk over one SOCK_SEQPACKET socket pair (a message per
 * record, so no framing of our own).  Requests carry the parent's number
 * for the repository; answers carry it back with the repository's
 * struct fetch_status, so an answer is complete on its own and nothing
 * already answered is lost if the child dies.  Several walk threads may
 * wait at once: whichever waits first reads the socket for everyone
 * (leader and followers under one lock and condition variable), so there
 * is no reader thread to start after confinement or to stop at the end.
 * Repositories are told apart here as in fetch.c (the rsync module,
 * uri_repo_base()), so the child is asked once per module and a thread
 * asking for a module already answered gets the answer without a round
 * trip.
 *
 * Neither side trusts the other's messages: sizes, string lengths and
 * values are checked (fetch_proc.c, fetch_proc_msg.c), the number of
 * repositories is bounded by FETCH_PROC_MAX_REPOS, and a malformed
 * message ends the conversation (the parent then treats the child as
 * gone, the child exits).
 *
 * If the child dies, every request not yet answered, and every later
 * one, returns -1 at once with the result FETCH_FAILED and the error
 * FETCH_PROC_GONE: the walk goes on with what the cache holds, and
 * fetch_proc_finish() reports it.  The child is killed by the kernel
 * (PR_SET_PDEATHSIG) when the parent dies, so it never outlives the
 * run's cache lock.
 *
 * Threads: fetch_proc_fetch(), fetch_proc_queue() and fetch_proc_wait()
 * may be called from several threads at once; the other functions
 * belong to one thread.  fetch_proc_start() must be called while the
 * process has one thread (it forks).
 */
#ifndef REEF_VALIDATOR_FETCH_PROC_H
#define REEF_VALIDATOR_FETCH_PROC_H

#include <sys/types.h>

#include <stddef.h>

#include "common/limits.h"
#include "validator/fetch.h"
#include "validator/sandbox.h"
#include "validator/tal.h"

/* Most repositories one run asks for (fetch_proc_queue() refuses more). */
#define FETCH_PROC_MAX_REPOS	((size_t)MAX_REPO_PER_TAL * MAX_TALS)
/* The error of the repositories the fetcher process left unanswered. */
#define FETCH_PROC_GONE		"fetcher process gone"
/* How long fetch_proc_finish() waits for the child to end, in ms. */
#define FETCH_PROC_REAP_MS	10000

struct fetch_proc_config {
	const struct fetch_config	*fetch;	/* for fetch_new() */
	struct tal * const		*tals;	/* TA certificates to fetch */
	size_t				 ntals;
	/* The child's own confinement (SANDBOX_FETCHER); NULL: none. */
	const struct sandbox_config	*sandbox;
	/*
	 * Descriptors the child closes first: the parent's alone.  The
	 * cache lock is one: it must go when the parent dies, and a child
	 * killed with it may first have to finish a slow system call.
	 */
	const int			*close_fds;
	size_t				 nclose;
};

/* What became of the TA certificate of one TAL (see fetch_ta()). */
struct fetch_proc_ta {
	int		 rc;		/* 0: the certificate is in the cache */
	enum fetch_proto proto;		/* FETCH_PROTO_NONE: an old copy */
};

struct fetch_proc;

/*
 * Fork the fetcher process on cfg and wait until it has fetched the TA
 * certificates: ta[i] (cfg->ntals entries) says how the one of
 * cfg->tals[i] went.  Returns the handle, or NULL after logging when
 * the fetcher could not be set up (no process, or fetch_new() or its
 * confinement failed in the child).  A child that died during the TA
 * fetch still gives a handle, already gone, with every ta[i].rc -1.
 */
struct fetch_proc *fetch_proc_start(const struct fetch_proc_config *cfg,
		    struct fetch_proc_ta *ta);

/* The Landlock ABI the child confined itself with; 0: none. */
int		 fetch_proc_landlock_abi(const struct fetch_proc *fp);

/* The child's PID; 0 once it was reaped (or never ran). */
pid_t		 fetch_proc_pid(const struct fetch_proc *fp);

/* The repo_fetcher interface of the walk: fetch_proc_fetch() on fp. */
void		 fetch_proc_fetcher(struct fetch_proc *fp,
		    struct repo_fetcher *out);

/*
 * As fetch_repo(): bring the repository of ca_repository_uri up to date
 * (once per run) and wait.  arg is the struct fetch_proc.  Returns 0
 * when the cache holds a usable copy, -1 when nothing is cached, the
 * URI is refused or the fetcher process is gone.  Thread-safe.
 */
int		 fetch_proc_fetch(void *arg, const char *ca_repository_uri,
		    const char *rpki_notify_uri);

/*
 * Ask for the repository without waiting.  Returns its index for
 * fetch_proc_wait() and fetch_proc_status_at(), or -1 when the URI is
 * refused, FETCH_PROC_MAX_REPOS is reached or memory is short (logged).
 */
long		 fetch_proc_queue(struct fetch_proc *fp,
		    const char *ca_repository_uri, const char *rpki_notify_uri);

/* Wait for repository i to be answered; then as fetch_proc_fetch(). */
int		 fetch_proc_wait(struct fetch_proc *fp, size_t i);

/*
 * Tell the child that no more requests come, wait for its goodbye and
 * reap it.  Returns 0, or -1 when the child died, misbehaved or could
 * not be reaped (logged); the statuses stay readable either way.  Call
 * once, when no thread waits any more.
 */
int		 fetch_proc_finish(struct fetch_proc *fp);

/* Repositories asked for, and the status of the i-th (or NULL). */
size_t		 fetch_proc_count(struct fetch_proc *fp);
const struct fetch_status *fetch_proc_status_at(struct fetch_proc *fp,
		    size_t i);

/*
 * Free fp; a child not yet finished is told to stop (its socket
 * closed) and reaped as fetch_proc_finish() does.  NULL is allowed.
 */
void		 fetch_proc_free(struct fetch_proc *fp);

#endif
