/*
 * The parent's side of the fetcher process (fetch_proc.h): start it,
 * ask it for repositories on behalf of any number of threads, and end
 * it.  What the child sends is checked by fpm_recv() and here (the
 * repository number must be one asked for and not yet answered).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <search.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "validator/fetch_proc_int.h"
#include "validator/uri.h"

/* Pause between two looks at a child that is ending, in ms. */
#define FP_REAP_STEP_MS		10
/* Room for why the fetcher is gone. */
#define FP_WHY_MAX		160
/* First size of the repository array. */
#define FP_INITIAL_REPOS	64

/* One repository (rsync module) asked for. */
struct fp_repo {
	char			*base;		/* rsync://AUTHORITY/MODULE/ */
	char			*notify;	/* as the child used it, or NULL */
	char			*error;		/* or NULL */
	int			 done;		/* answered (or given up) */
	int			 rc;		/* fetch_repo()'s */
	size_t			 idx;		/* in fetch_proc's repos */
	struct fetch_status	 st;		/* strings point above */
};

struct fetch_proc {
	int			 sock;		/* -1 once closed */
	pid_t			 pid;		/* 0 once reaped */
	int			 uri_flags;	/* for uri_repo_base() */
	int			 landlock_abi;	/* the child's */
	pthread_mutex_t		 lock;		/* everything below */
	pthread_cond_t		 cond;		/* an answer came or gone */
	int			 reading;	/* a thread is in recv() */
	int			 gone;		/* the child is not used any more */
	int			 done;		/* FPM_DONE received */
	int			 failed;	/* gone before FPM_DONE */
	uint32_t		 done_count;	/* FPM_DONE's count */
	struct fp_repo		**repos;
	size_t			 nrepos, cap;
	void			*bybase;	/* tsearch() of repos by base */
};

static int
repo_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fp_repo *)a)->base,
	    ((const struct fp_repo *)b)->base);
}

/* Give up repository r: nothing more will come for it.  Under lock. */
static void
give_up(struct fp_repo *r)
{
	r->done = 1;
	r->rc = -1;
	r->st.result = FETCH_FAILED;
	r->st.error = FETCH_PROC_GONE;
}

/*
 * The child is not to be used any more (dead, misbehaving, or told to
 * stop): give up every request not answered.  Under lock.
 */
static void
set_gone(struct fetch_proc *fp, const char *why)
{
	size_t i;

	if (!fp->gone && !fp->done) {
		fp->failed = 1;
		log_warnx("fetcher process: %s; repositories not yet fetched "
		    "are validated from the cache", why);
	}
	fp->gone = 1;
	for (i = 0; i < fp->nrepos; i++)
		if (!fp->repos[i]->done)
			give_up(fp->repos[i]);
	/* The child sees end of file, whatever it was doing. */
	if (fp->sock != -1)
		(void)shutdown(fp->sock, SHUT_RDWR);
	pthread_cond_broadcast(&fp->cond);
}

/* Copy s (may be NULL) into *dst, replacing it.  0 or -1. */
static int
set_string(char **dst, const char *s)
{
	char *d = NULL;

	if (s != NULL && (d = strdup(s)) == NULL)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

/* Record an FPM_ANSWER.  Under lock; 0, or -1 for a bad one. */
static int
take_answer(struct fetch_proc *fp, const struct fpm_msg *m)
{
	struct fp_repo *r;

	if (m->h.id >= fp->nrepos || fp->repos[m->h.id]->done)
		return -1;
	r = fp->repos[m->h.id];
	if (set_string(&r->error, (m->h.has & (1U << FPM_S_ERROR)) ?
	    m->str[FPM_S_ERROR] : NULL) == -1 ||
	    set_string(&r->notify, (m->h.has & (1U << FPM_S_NOTIFY)) ?
	    m->str[FPM_S_NOTIFY] : NULL) == -1)
		return -1;
	r->st.notify_uri = r->notify;
	r->st.error = r->error;
	r->st.proto = (enum fetch_proto)m->h.proto;
	r->st.result = (enum fetch_result)m->h.result;
	r->st.rrdp_delta = (int)m->h.rrdp_delta;
	r->st.unchanged = (int)m->h.unchanged;
	r->st.objects = m->h.objects;
	r->st.bytes = m->h.bytes;
	r->st.seconds = m->h.seconds;
	r->rc = m->h.rc;
	r->done = 1;
	return 0;
}

/* Act on one message from the child.  Under lock. */
static void
take(struct fetch_proc *fp, int n, int error, const struct fpm_msg *m,
    const char *err)
{
	char why[FP_WHY_MAX];

	if (n == 0 || n == -1) {
		snprintf(why, sizeof(why), "connection lost (%s)", n == 0 ?
		    "end of file" : strerror(error));
		set_gone(fp, why);
		return;
	}
	if (n == -2) {
		snprintf(why, sizeof(why), "malformed message (%s)", err);
		set_gone(fp, why);
		return;
	}
	if (m->h.type == FPM_ANSWER && take_answer(fp, m) == 0)
		return;
	if (m->h.type == FPM_DONE) {
		fp->done = 1;
		fp->done_count = m->h.count;
		return;
	}
	snprintf(why, sizeof(why), "unexpected message %u", m->h.type);
	set_gone(fp, why);
}

/*
 * Wait under lock until *flag is set or the child is gone, reading the
 * socket for everyone when no other thread does (leader/followers).
 */
static void
wait_for(struct fetch_proc *fp, const int *flag)
{
	struct fpm_msg *m;
	char err[FPM_WHY_MAX];
	int n, error;

	while (!*flag && !fp->gone) {
		if (fp->reading) {
			pthread_cond_wait(&fp->cond, &fp->lock);
			continue;
		}
		if ((m = malloc(sizeof(*m))) == NULL) {
			set_gone(fp, "out of memory");
			break;
		}
		fp->reading = 1;
		pthread_mutex_unlock(&fp->lock);
		err[0] = '\0';
		n = fpm_recv(fp->sock, m, 0, err, sizeof(err));
		error = errno;
		pthread_mutex_lock(&fp->lock);
		fp->reading = 0;
		take(fp, n, error, m, err);
		free(m);
		pthread_cond_broadcast(&fp->cond);
	}
}

/* A new repository for base (taken on success) and notify.  Under lock. */
static struct fp_repo *
add_repo(struct fetch_proc *fp, char *base, const char *notify)
{
	struct fp_repo *r, **nr;
	size_t ncap;

	if (fp->nrepos == fp->cap) {
		ncap = fp->cap == 0 ? FP_INITIAL_REPOS : fp->cap * 2;
		if ((nr = reallocarray(fp->repos, ncap, sizeof(*nr))) == NULL)
			return NULL;
		fp->repos = nr;
		fp->cap = ncap;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->base = base;
	if (set_string(&r->notify, notify) == -1 ||
	    tsearch(r, &fp->bybase, repo_cmp) == NULL) {
		free(r->notify);
		free(r);
		return NULL;
	}
	r->idx = fp->nrepos;
	r->st.repo_uri = r->base;
	r->st.notify_uri = r->notify;
	r->st.result = FETCH_PENDING;
	fp->repos[fp->nrepos++] = r;
	return r;
}

/* Ask the child for r (not under lock). */
static void
ask(struct fetch_proc *fp, const struct fp_repo *r, const char *uri)
{
	struct fpm_out o;

	memset(&o, 0, sizeof(o));
	o.h.type = FPM_FETCH;
	o.h.id = (uint32_t)r->idx;
	o.str[FPM_S_URI] = uri;
	o.str[FPM_S_NOTIFY] = r->notify;
	if (fpm_send(fp->sock, &o, 0) == -1) {
		pthread_mutex_lock(&fp->lock);
		set_gone(fp, "cannot be written to");
		pthread_mutex_unlock(&fp->lock);
	}
}

long
fetch_proc_queue(struct fetch_proc *fp, const char *uri, const char *notify)
{
	struct fp_repo key, *r, **found;
	enum uri_error e;
	char *base;
	int gone;

	/* What could not be passed on is refused here, as fetch.c would. */
	if (strlen(uri) > FPM_STR_MAX ||
	    (notify != NULL && strlen(notify) > FPM_STR_MAX)) {
		log_warnx_obj(uri, "repository URI refused: too long");
		return -1;
	}
	if ((e = uri_repo_base(uri, fp->uri_flags, &base)) != URI_OK) {
		log_warnx_obj(uri, "repository URI refused: %s",
		    uri_strerror(e));
		return -1;
	}
	key.base = base;
	pthread_mutex_lock(&fp->lock);
	if ((found = tfind(&key, &fp->bybase, repo_cmp)) != NULL) {
		r = *found;
		pthread_mutex_unlock(&fp->lock);
		free(base);
		return (long)r->idx;
	}
	r = NULL;
	if (fp->nrepos >= FETCH_PROC_MAX_REPOS)
		log_warnx_obj(base, "more than %zu repositories, not fetched",
		    FETCH_PROC_MAX_REPOS);
	else
		r = add_repo(fp, base, notify);
	if (r == NULL) {
		pthread_mutex_unlock(&fp->lock);
		free(base);
		return -1;
	}
	if ((gone = fp->gone))
		give_up(r);
	pthread_mutex_unlock(&fp->lock);
	if (!gone)
		ask(fp, r, uri);
	return (long)r->idx;
}

int
fetch_proc_wait(struct fetch_proc *fp, size_t i)
{
	struct fp_repo *r;
	int rc;

	pthread_mutex_lock(&fp->lock);
	if (i >= fp->nrepos) {
		pthread_mutex_unlock(&fp->lock);
		return -1;
	}
	r = fp->repos[i];
	wait_for(fp, &r->done);
	rc = r->done ? r->rc : -1;
	pthread_mutex_unlock(&fp->lock);
	return rc;
}

int
fetch_proc_fetch(void *arg, const char *uri, const char *notify)
{
	struct fetch_proc *fp = arg;
	long i;

	if ((i = fetch_proc_queue(fp, uri, notify)) == -1)
		return -1;
	return fetch_proc_wait(fp, (size_t)i);
}

/*
 * The walk's hint: queue the repository with the fetcher process, which
 * starts on it at once, without waiting for the answer.
 */
static int
fetch_proc_hint(void *arg, const char *uri, const char *notify)
{
	return fetch_proc_queue(arg, uri, notify) == -1 ? -1 : 0;
}

void
fetch_proc_fetcher(struct fetch_proc *fp, struct repo_fetcher *out)
{
	out->fetch = fetch_proc_fetch;
	out->arg = fp;
	out->hint = fetch_proc_hint;
}

size_t
fetch_proc_count(struct fetch_proc *fp)
{
	size_t n;

	pthread_mutex_lock(&fp->lock);
	n = fp->nrepos;
	pthread_mutex_unlock(&fp->lock);
	return n;
}

const struct fetch_status *
fetch_proc_status_at(struct fetch_proc *fp, size_t i)
{
	const struct fetch_status *st = NULL;

	pthread_mutex_lock(&fp->lock);
	if (i < fp->nrepos)
		st = &fp->repos[i]->st;
	pthread_mutex_unlock(&fp->lock);
	return st;
}

int
fetch_proc_landlock_abi(const struct fetch_proc *fp)
{
	return fp->landlock_abi;
}

pid_t
fetch_proc_pid(const struct fetch_proc *fp)
{
	return fp->pid;
}

/* Milliseconds to sleep (nanosleep is allowed in the sandbox). */
static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Reap the child, waiting at most FETCH_PROC_REAP_MS (its socket is
 * closed, so it is on its way out).  Returns 0 when it exited with
 * status 0, else -1 after logging.  A child that does not end is left
 * to PR_SET_PDEATHSIG: a confined parent may not signal it.
 */
static int
reap(struct fetch_proc *fp)
{
	int st, waited = 0;
	pid_t w;

	if (fp->pid <= 0)
		return 0;
	while ((w = waitpid(fp->pid, &st, WNOHANG)) == 0 &&
	    waited < FETCH_PROC_REAP_MS) {
		sleep_ms(FP_REAP_STEP_MS);
		waited += FP_REAP_STEP_MS;
	}
	if (w == 0 && kill(fp->pid, SIGKILL) == 0)
		w = waitpid(fp->pid, &st, 0);
	if (w != fp->pid) {
		log_warnx("fetcher process %ld did not end", (long)fp->pid);
		fp->pid = 0;
		return -1;
	}
	fp->pid = 0;
	if (WIFSIGNALED(st)) {
		log_warnx("fetcher process killed by signal %d (%s)",
		    WTERMSIG(st), strsignal(WTERMSIG(st)));
		return -1;
	}
	if (WEXITSTATUS(st) != 0) {
		log_warnx("fetcher process exited with status %d",
		    WEXITSTATUS(st));
		return -1;
	}
	return 0;
}

int
fetch_proc_finish(struct fetch_proc *fp)
{
	struct fpm_out o;
	int rc;

	pthread_mutex_lock(&fp->lock);
	if (!fp->gone) {
		memset(&o, 0, sizeof(o));
		o.h.type = FPM_FINISH;
		if (fpm_send(fp->sock, &o, 0) == -1)
			set_gone(fp, "cannot be written to");
		wait_for(fp, &fp->done);
		if (fp->done && fp->done_count != fp->nrepos) {
			log_warnx("fetcher process answered %u of %zu "
			    "repositories", fp->done_count, fp->nrepos);
			fp->failed = 1;
		}
	}
	/* No more answers: anything still open is given up, quietly. */
	fp->done = 1;
	set_gone(fp, "finished");
	rc = fp->failed ? -1 : 0;
	pthread_mutex_unlock(&fp->lock);
	if (fp->sock != -1) {
		close(fp->sock);
		fp->sock = -1;
	}
	if (reap(fp) == -1)
		rc = -1;
	return rc;
}

static void
repo_free(void *p)
{
	struct fp_repo *r = p;

	free(r->base);
	free(r->notify);
	free(r->error);
	free(r);
}

void
fetch_proc_free(struct fetch_proc *fp)
{
	if (fp == NULL)
		return;
	if (fp->sock != -1 || fp->pid > 0)
		(void)fetch_proc_finish(fp);
	tdestroy(fp->bybase, repo_free);
	free(fp->repos);
	pthread_mutex_destroy(&fp->lock);
	pthread_cond_destroy(&fp->cond);
	free(fp);
}

/* The child's FPM_TAS into ta (ntals entries).  0, or -1 (gone). */
static int
read_tas(struct fetch_proc *fp, size_t ntals, struct fetch_proc_ta *ta)
{
	struct fpm_msg *m;
	char err[FPM_WHY_MAX];
	size_t i;
	int n, rc = -1;

	if ((m = malloc(sizeof(*m))) == NULL)
		return -1;
	err[0] = '\0';
	n = fpm_recv(fp->sock, m, 0, err, sizeof(err));
	if (n == 1 && m->h.type == FPM_TAS && m->h.count == ntals) {
		for (i = 0; i < ntals; i++) {
			ta[i].rc = m->ta[i].rc;
			ta[i].proto = (enum fetch_proto)m->ta[i].proto;
		}
		fp->landlock_abi = m->h.rc;
		rc = 0;
	} else if (n == 1)
		log_warnx("fetcher process: unexpected first message");
	else if (n == -2)
		log_warnx("fetcher process: malformed message (%s)", err);
	free(m);
	return rc;
}

/* The new handle, child not yet started. */
static struct fetch_proc *
fp_new(const struct fetch_proc_config *cfg)
{
	struct fetch_proc *fp;

	if ((fp = calloc(1, sizeof(*fp))) == NULL)
		return NULL;
	fp->sock = -1;
	fp->uri_flags = cfg->fetch->allow_dubious_hosts ? URI_ALLOW_DUBIOUS :
	    0;
	pthread_mutex_init(&fp->lock, NULL);
	pthread_cond_init(&fp->cond, NULL);
	return fp;
}

struct fetch_proc *
fetch_proc_start(const struct fetch_proc_config *cfg,
    struct fetch_proc_ta *ta)
{
	struct fetch_proc *fp;
	pid_t parent = getpid();
	size_t i;
	int sv[2], st;

	for (i = 0; i < cfg->ntals; i++) {
		ta[i].rc = -1;
		ta[i].proto = FETCH_PROTO_NONE;
	}
	if (cfg->ntals > MAX_TALS || (fp = fp_new(cfg)) == NULL)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, NULL, "fetcher: socketpair");
		fetch_proc_free(fp);
		return NULL;
	}
	/* Nothing buffered may be written twice. */
	fflush(NULL);
	if ((fp->pid = fork()) == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, NULL, "fetcher: fork");
		close(sv[0]);
		close(sv[1]);
		fp->pid = 0;
		fetch_proc_free(fp);
		return NULL;
	}
	if (fp->pid == 0) {
		close(sv[0]);
		fetch_proc_child(sv[1], parent, cfg);
	}
	close(sv[1]);
	fp->sock = sv[0];
	if (read_tas(fp, cfg->ntals, ta) == 0)
		return fp;
	/* Gone before the TAs: a set-up failure ends the run. */
	close(fp->sock);
	fp->sock = -1;
	if (waitpid(fp->pid, &st, 0) == fp->pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == FPM_EXIT_SETUP) {
		fp->pid = 0;
		log_errorx("fetcher process could not be set up");
		fetch_proc_free(fp);
		return NULL;
	}
	fp->pid = 0;
	pthread_mutex_lock(&fp->lock);
	set_gone(fp, "ended before the TA certificates were fetched");
	pthread_mutex_unlock(&fp->lock);
	return fp;
}
