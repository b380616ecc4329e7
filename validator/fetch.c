/*
 * The fetch orchestrator: one record per repository (rsync module) per
 * run, RRDP first and rsync as the fallback, all driven by one loop over
 * libcurl's multi handle and the rsync children.  See fetch.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/log.h"
#include "validator/fetch_int.h"
#include "validator/rrdp.h"
#include "validator/uri.h"

/* Longest slice of the loop, in ms (waiting threads re-check this often). */
#define FETCH_SLICE_MS		100
/* Slice given to libcurl while rsync children also need attention, in ms. */
#define FETCH_SHARED_SLICE_MS	10
/* Mode of TA certificate files. */
#define FETCH_TA_MODE		0644
/* Milliseconds per second. */
#define MS_PER_S		1000
/* Initial size of the repository array. */
#define FETCH_INITIAL_REPOS	16
/* Suffix of a TA certificate in CACHEDIR/ta. */
#define FETCH_TA_SUFFIX		".cer"

int64_t
fetch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * MS_PER_S + ts.tv_nsec / 1000000;
}

long
fetch_time_left(const struct fetcher *f, long max)
{
	int64_t left;

	if (f->deadline_ms == 0)
		return max;
	left = (f->deadline_ms - fetch_now_ms() + MS_PER_S - 1) / MS_PER_S;
	if (left < 1)
		left = 1;
	return left < max ? (long)left : max;
}

void
fetch_error(struct frepo *r, const char *fmt, ...)
{
	char buf[FETCH_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx_obj(r->base, "%s", buf);
	if (r->error[0] == '\0') {
		memcpy(r->error, buf, sizeof(buf));
		r->status.error = r->error;
	}
}

const char *
fetch_proto_name(enum fetch_proto p)
{
	switch (p) {
	case FETCH_PROTO_RRDP:
		return "rrdp";
	case FETCH_PROTO_RSYNC:
		return "rsync";
	case FETCH_PROTO_HTTPS:
		return "https";
	default:
		return "none";
	}
}

const char *
fetch_result_name(enum fetch_result r)
{
	switch (r) {
	case FETCH_OK:
		return "ok";
	case FETCH_STALE:
		return "stale";
	case FETCH_FAILED:
		return "failed";
	default:
		return "pending";
	}
}

static char *
state_path(const char *dir)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, REPO_STATE_FILE) == -1)
		return NULL;
	return p;
}

static int
write_state(struct frepo *r, const char *dir, int success)
{
	struct repo_state st = r->st;
	char *p;
	int rc;

	st.last_attempt = time(NULL);
	if (success)
		st.last_success = st.last_attempt;
	repo_state_set(st.last_error, sizeof(st.last_error), r->error);
	st.duration_ms = (uint64_t)(fetch_now_ms() - r->start_ms);
	st.bytes = r->status.bytes;
	st.objects = r->status.objects;
	if ((p = state_path(dir)) == NULL)
		return -1;
	rc = repo_state_write(p, &st);
	if (rc == -1)
		log_warn_obj(p, "cannot write repository state");
	free(p);
	return rc;
}

int
fetch_state_write(struct fetcher *f, struct frepo *r, const char *dir)
{
	(void)f;
	return write_state(r, dir, 1);
}

void
fetch_nerror(struct fnotify *fn, const char *fmt, ...)
{
	char buf[FETCH_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx_obj(fn->uri, "%s", buf);
	if (fn->error[0] == '\0')
		memcpy(fn->error, buf, sizeof(buf));
}

int
fetch_nstate_write(struct fnotify *fn, const char *dir, uint64_t objects)
{
	struct repo_state st = fn->st;
	char *p;
	int rc;

	st.last_attempt = st.last_success = time(NULL);
	st.last_error[0] = '\0';
	st.duration_ms = (uint64_t)(fetch_now_ms() - fn->start_ms);
	st.bytes = fn->bytes;
	st.objects = objects;
	if ((p = state_path(dir)) == NULL)
		return -1;
	rc = repo_state_write(p, &st);
	if (rc == -1)
		log_warn_obj(p, "cannot write repository state");
	free(p);
	return rc;
}

/* ---- Index of repositories by base URI --------------------------------- */

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Position of base in f->repos via the index, or -1.  Under f->lock. */
static long
index_find(const struct fetcher *f, const char *base)
{
	const struct fetch_index *x = &f->repo_index;
	size_t i, pos;

	if (x->size == 0)
		return -1;
	for (i = str_hash(base) & (x->size - 1); (pos = x->slots[i]) != 0;
	    i = (i + 1) & (x->size - 1))
		if (strcmp(f->repos[pos - 1]->base, base) == 0)
			return (long)(pos - 1);
	return -1;
}

/* Index f->repos[pos]; 0 or -1 (no memory).  Under f->lock. */
static int
index_add(struct fetcher *f, size_t pos)
{
	struct fetch_index *x = &f->repo_index, nx;
	size_t i, k;

	if (2 * (x->used + 1) > x->size) {
		nx.size = x->size == 0 ? FETCH_INITIAL_REPOS * 4 : x->size * 2;
		nx.used = 0;
		if ((nx.slots = calloc(nx.size, sizeof(*nx.slots))) == NULL)
			return -1;
		for (k = 0; k < x->size; k++) {
			if (x->slots[k] == 0)
				continue;
			i = str_hash(f->repos[x->slots[k] - 1]->base) &
			    (nx.size - 1);
			while (nx.slots[i] != 0)
				i = (i + 1) & (nx.size - 1);
			nx.slots[i] = x->slots[k];
			nx.used++;
		}
		free(x->slots);
		*x = nx;
	}
	i = str_hash(f->repos[pos]->base) & (x->size - 1);
	while (x->slots[i] != 0)
		i = (i + 1) & (x->size - 1);
	x->slots[i] = pos + 1;
	x->used++;
	return 0;
}

/* ---- The loop ---------------------------------------------------------- */

static struct frepo *
repo_at(struct fetcher *f, size_t i)
{
	struct frepo *r = NULL;

	pthread_mutex_lock(&f->lock);
	if (i < f->nrepos)
		r = f->repos[i];
	pthread_mutex_unlock(&f->lock);
	return r;
}

static size_t
count(struct fetcher *f)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->nrepos;
	pthread_mutex_unlock(&f->lock);
	return n;
}

static void
finish(struct fetcher *f, struct frepo *r, int ok, enum fetch_proto proto)
{
	char *cur;

	r->phase = FR_DONE;
	r->status.seconds = (double)(fetch_now_ms() - r->start_ms) / MS_PER_S;
	if (ok) {
		r->status.result = FETCH_OK;
		r->status.proto = proto;
		log_info_obj(r->base, "fetched over %s", fetch_proto_name(proto));
	} else {
		r->status.result = r->have_current ? FETCH_STALE :
		    FETCH_FAILED;
		if (r->have_current &&
		    (cur = cache_current(f->cache, r->relpath)) != NULL) {
			(void)write_state(r, cur, 0);
			free(cur);
		}
		log_warnx_obj(r->base, "fetch failed, %s", r->have_current ?
		    "keeping the previous copy" : "nothing cached");
	}
	/* For the callers of fetch_repo() waiting on another's turn. */
	pthread_mutex_lock(&f->lock);
	r->finished = 1;
	f->pending--;
	pthread_cond_broadcast(&f->turned);
	pthread_mutex_unlock(&f->lock);
}

static void
to_rsync(struct fetcher *f, struct frepo *r)
{
	if (f->cfg.no_rsync || f->closing) {
		finish(f, r, 0, FETCH_PROTO_NONE);
		return;
	}
	r->phase = FR_RSYNC_WAIT;
}

/* Objects the last update of fn changed in r's module. */
static uint64_t
module_objects(const struct fnotify *fn, const struct frepo *r)
{
	size_t i;

	for (i = 0; i < fn->nmods; i++)
		if (strcmp(fn->mods[i], r->relpath) == 0)
			return fn->modobjs[i];
	return 0;
}

/* fn is done: serve r from it, or fall back to rsync. */
static void
module_rrdp_done(struct fetcher *f, struct frepo *r)
{
	struct fnotify *fn = r->fn;
	char *cur, *sp;
	int rc;

	if (!fn->ok) {
		fetch_error(r, "RRDP: %s", fn->error[0] != '\0' ? fn->error :
		    "failed");
		if (!f->closing)
			log_notice("%s: RRDP failed, trying rsync", r->base);
		to_rsync(f, r);
		return;
	}
	if ((rc = cache_rrdp_attach(f->cache, fn->key, r->relpath)) != 0) {
		fetch_error(r, rc == 1 ? "%s publishes nothing for %s" :
		    "%s: cannot use it for %s", fn->uri, r->base);
		if (!f->closing)
			log_notice("%s: RRDP failed, trying rsync", r->base);
		to_rsync(f, r);
		return;
	}
	r->have_current = 1;
	if ((cur = cache_current(f->cache, r->relpath)) != NULL &&
	    (sp = state_path(cur)) != NULL) {
		(void)repo_state_read(sp, &r->st);
		free(sp);
	}
	free(cur);
	r->status.rrdp_delta = fn->delta;
	r->status.unchanged = fn->unchanged;
	r->status.objects += module_objects(fn, r);
	/* Bytes counted once, on the module that asked first. */
	if (fn->first == r)
		r->status.bytes += fn->bytes;
	finish(f, r, 1, FETCH_PROTO_RRDP);
}

void
fetch_rrdp_done(struct fetcher *f, struct fnotify *fn, int ok)
{
	struct frepo *r;
	size_t i, n;

	fetch_rrdp_free(fn);
	fn->phase = FN_DONE;
	fn->ok = ok;
	if (!ok && fn->error[0] == '\0')
		fetch_nerror(fn, "%s: failed", fn->uri);
	n = count(f);
	for (i = 0; i < n; i++) {
		r = repo_at(f, i);
		if (r->fn == fn && r->phase == FR_RRDP)
			module_rrdp_done(f, r);
	}
}

/* r wants its RRDP repository: start it, wait for it, or use it. */
static void
want_rrdp(struct fetcher *f, struct frepo *r)
{
	struct fnotify *fn = r->fn;

	r->phase = FR_RRDP;
	switch (fn->phase) {
	case FN_IDLE:
		fn->first = r;
		fn->start_ms = r->start_ms;
		fn->phase = FN_RUNNING;
		if (fetch_rrdp_start(f, fn) == -1)
			fetch_rrdp_done(f, fn, 0);
		break;
	case FN_RUNNING:
		break;
	case FN_DONE:
		module_rrdp_done(f, r);
		break;
	}
}

static void
start(struct fetcher *f, struct frepo *r)
{
	r->start_ms = fetch_now_ms();
	if (f->deadline_ms != 0 && r->start_ms >= f->deadline_ms) {
		fetch_error(r, "run deadline passed before the fetch began");
		finish(f, r, 0, FETCH_PROTO_NONE);
		return;
	}
	if (r->fn != NULL) {
		want_rrdp(f, r);
		return;
	}
	to_rsync(f, r);
}

/* One turn of the loop; returns the number of repositories pending. */
static size_t
iterate(struct fetcher *f, long slice)
{
	struct pollfd pfd[MAX_RSYNC_REQUESTS];
	struct frepo *r, *rs[MAX_RSYNC_REQUESTS];
	size_t i, n, nrs = 0, pending = 0, maxrs;
	int timeout = (int)slice, t, rc;

	n = count(f);
	maxrs = f->cfg.max_rsync;
	for (i = 0; i < n; i++) {
		r = repo_at(f, i);
		if (r->phase == FR_QUEUED)
			start(f, r);
		if (r->phase == FR_RSYNC)
			nrs++;
	}
	for (i = 0; i < n && nrs < maxrs; i++) {
		r = repo_at(f, i);
		if (r->phase != FR_RSYNC_WAIT)
			continue;
		if (fetch_rsync_start(f, r) == 0) {
			r->phase = FR_RSYNC;
			nrs++;
		} else
			finish(f, r, 0, FETCH_PROTO_NONE);
	}
	if (http_pending(f->http) > 0)
		(void)http_run(f->http, nrs > 0 ? FETCH_SHARED_SLICE_MS : slice);
	nrs = 0;
	for (i = 0; i < n; i++) {
		r = repo_at(f, i);
		if (r->phase != FR_RSYNC || nrs >= MAX_RSYNC_REQUESTS)
			continue;
		rs[nrs] = r;
		pfd[nrs].fd = rsync_fd(r->rsync);
		pfd[nrs].events = POLLIN;
		t = rsync_timeout_ms(r->rsync);
		if (t >= 0 && t < timeout)
			timeout = t;
		nrs++;
	}
	if (nrs > 0) {
		if (http_pending(f->http) > 0)
			timeout = 0;
		(void)poll(pfd, nrs, timeout);
		for (i = 0; i < nrs; i++) {
			rc = fetch_rsync_poll(f, rs[i]);
			if (rc == 1)
				finish(f, rs[i], 1, FETCH_PROTO_RSYNC);
			else if (rc == -1)
				finish(f, rs[i], 0, FETCH_PROTO_NONE);
		}
	}
	for (i = 0; i < n; i++)
		if (repo_at(f, i)->phase != FR_DONE)
			pending++;
	return pending;
}

/* One slice of the loop by whoever holds f->drive; waiters are told. */
static void
turn(struct fetcher *f)
{
	(void)iterate(f, FETCH_SLICE_MS);
	pthread_mutex_unlock(&f->drive);
	pthread_mutex_lock(&f->lock);
	f->turns++;
	pthread_cond_broadcast(&f->turned);
	pthread_mutex_unlock(&f->lock);
}

size_t
fetch_run(struct fetcher *f, long timeout_ms)
{
	int64_t end = timeout_ms < 0 ? 0 : fetch_now_ms() + timeout_ms;
	size_t pending;

	pthread_mutex_lock(&f->drive);
	do {
		pending = iterate(f, FETCH_SLICE_MS);
	} while (pending > 0 && (end == 0 || fetch_now_ms() < end));
	pthread_mutex_unlock(&f->drive);
	return pending;
}

/* ---- Repositories and RRDP repositories -------------------------------- */

static void
fnotify_free(struct fnotify *fn)
{
	size_t i;

	if (fn == NULL)
		return;
	fetch_rrdp_free(fn);
	cache_stage_abort(fn->stage);
	for (i = 0; i < fn->nmods; i++)
		free(fn->mods[i]);
	free(fn->mods);
	free(fn->modobjs);
	free(fn->uri);
	free(fn);
}

/* The RRDP repository of uri, found or added; NULL (logged).  Under lock. */
static struct fnotify *
fnotify_get(struct fetcher *f, const char *uri)
{
	struct fnotify *fn, **nn;
	char *cur, *sp;
	size_t i;

	for (i = 0; i < f->nnotes; i++)
		if (strcmp(f->notes[i]->uri, uri) == 0)
			return f->notes[i];
	if (f->nnotes == f->notesz) {
		size_t nsz = f->notesz == 0 ? FETCH_INITIAL_REPOS :
		    f->notesz * 2;

		if ((nn = reallocarray(f->notes, nsz, sizeof(*nn))) == NULL)
			return NULL;
		f->notes = nn;
		f->notesz = nsz;
	}
	if ((fn = calloc(1, sizeof(*fn))) == NULL ||
	    (fn->uri = strdup(uri)) == NULL ||
	    cache_rrdp_key(uri, fn->key) == -1) {
		fnotify_free(fn);
		return NULL;
	}
	repo_state_init(&fn->st);
	if ((cur = cache_rrdp_current(f->cache, fn->key)) != NULL) {
		fn->have_current = 1;
		if ((sp = state_path(cur)) != NULL)
			(void)repo_state_read(sp, &fn->st);
		free(sp);
	}
	free(cur);
	f->notes[f->nnotes++] = fn;
	return fn;
}

/*
 * RFC 8182 section 3.4.2: a server may change only what it published
 * itself.  Objects of a module this run bound to another RRDP repository
 * (a CA of that module named another rpkiNotify first) are refused, so a
 * hostile server cannot even seem to speak for a repository of another
 * server; objects of modules bound to none, or to rsync only, are kept
 * in fn's own tree, where nothing reads them unless a CA of that module
 * names fn (cache.h).
 */
int
fetch_module_ok(struct fetcher *f, const struct fnotify *fn,
    const char *module, char *why, size_t whysz)
{
	const struct frepo *r;
	size_t i;
	int ok = 1;

	pthread_mutex_lock(&f->lock);
	for (i = 0; i < f->nrepos && ok; i++) {
		r = f->repos[i];
		if (r->fn != NULL && r->fn != fn &&
		    strcmp(r->relpath, module) == 0) {
			snprintf(why, whysz, "outside the repository: %s is "
			    "served by %s", r->base, r->fn->uri);
			ok = 0;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return ok;
}

static void
frepo_free(struct frepo *r)
{
	if (r == NULL)
		return;
	rsync_free(r->rsync);
	cache_stage_abort(r->stage);
	free(r->base);
	free(r->relpath);
	free(r->notify);
	free(r);
}

/* A new repository record; NULL (logged).  Under f->lock. */
static struct frepo *
frepo_new(struct fetcher *f, char *base, const char *notify)
{
	struct frepo *r;
	char *cur = NULL, *sp;
	const char *why = NULL;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto fail;
	r->base = base;
	base = NULL;
	if (uri_to_cache_path(r->base, URI_ALLOW_DUBIOUS, &r->relpath) !=
	    URI_OK)
		goto fail;
	if (notify != NULL) {
		if (http_url_acceptable(notify, f->cfg.allow_dubious_hosts,
		    &why) == -1 || !rrdp_https_uri_valid(notify))
			log_warnx_obj(notify, "rpkiNotify refused (%s), using "
			    "rsync", why != NULL ? why : "bad URI");
		else if ((r->notify = strdup(notify)) == NULL)
			goto fail;
		else if (!f->cfg.no_rrdp &&
		    (r->fn = fnotify_get(f, notify)) == NULL)
			goto fail;
	}
	if ((cur = cache_current(f->cache, r->relpath)) != NULL) {
		r->have_current = 1;
		if ((sp = state_path(cur)) != NULL)
			(void)repo_state_read(sp, &r->st);
		free(sp);
	} else
		repo_state_init(&r->st);
	free(cur);
	r->status.repo_uri = r->base;
	r->status.notify_uri = r->notify;
	return r;
 fail:
	free(base);
	frepo_free(r);
	return NULL;
}

/* Find or add; returns the index or -1.  Locks f->lock. */
static long
lookup_or_add(struct fetcher *f, const char *uri, const char *notify)
{
	char *base = NULL;
	struct frepo *r, **nr;
	long idx = -1;
	enum uri_error e;

	e = uri_repo_base(uri, f->cfg.allow_dubious_hosts ? URI_ALLOW_DUBIOUS :
	    0, &base);
	if (e != URI_OK) {
		log_warnx_obj(uri, "repository URI refused: %s",
		    uri_strerror(e));
		return -1;
	}
	pthread_mutex_lock(&f->lock);
	if ((idx = index_find(f, base)) != -1) {
		r = f->repos[idx];
		/* The module's source is settled by its first claim. */
		if (notify != NULL && (r->notify == NULL ||
		    strcmp(r->notify, notify) != 0))
			log_info_obj(uri, "rpkiNotify %s ignored: %s is fetched "
			    "%s%s", notify, r->base, r->notify != NULL ?
			    "from " : "by rsync", r->notify != NULL ?
			    r->notify : "");
		free(base);
		goto out;
	}
	if (f->nrepos == f->reposz) {
		size_t nsz = f->reposz == 0 ? FETCH_INITIAL_REPOS :
		    f->reposz * 2;

		if ((nr = reallocarray(f->repos, nsz, sizeof(*nr))) == NULL) {
			free(base);
			goto out;
		}
		f->repos = nr;
		f->reposz = nsz;
	}
	if ((r = frepo_new(f, base, notify)) == NULL)
		goto out;
	f->repos[f->nrepos] = r;
	if (index_add(f, f->nrepos) == -1) {
		frepo_free(r);
		goto out;
	}
	idx = (long)f->nrepos++;
	f->pending++;
	pthread_cond_broadcast(&f->queued);
 out:
	pthread_mutex_unlock(&f->lock);
	return idx;
}

long
fetch_queue(struct fetcher *f, const char *uri, const char *notify)
{
	return lookup_or_add(f, uri, notify);
}

/*
 * Thread-safe; see fetch.h.  Whoever gets the drive lock runs one slice
 * of the loop; the other callers wait for that turn to end or for their
 * repository to finish, under f->lock, and then look again.  So a worker
 * whose repository is done returns at once instead of waiting for the
 * driver's own repository: one server dripping until the deadline would
 * otherwise hold up every worker, and no further repository would even
 * be asked for before the deadline (Stalloris).
 */
int
fetch_repo(void *arg, const char *uri, const char *notify)
{
	struct fetcher *f = arg;
	struct frepo *r;
	unsigned long seen;
	long idx;
	int done;

	if ((idx = lookup_or_add(f, uri, notify)) == -1)
		return -1;
	r = repo_at(f, (size_t)idx);
	for (;;) {
		pthread_mutex_lock(&f->lock);
		seen = f->turns;
		done = r->finished;
		pthread_mutex_unlock(&f->lock);
		if (done)
			break;
		if (pthread_mutex_trylock(&f->drive) == 0) {
			turn(f);
			continue;
		}
		pthread_mutex_lock(&f->lock);
		while (!r->finished && f->turns == seen)
			pthread_cond_wait(&f->turned, &f->lock);
		pthread_mutex_unlock(&f->lock);
	}
	/* finish() wrote the status before setting finished. */
	return r->status.result == FETCH_OK ||
	    r->status.result == FETCH_STALE ? 0 : -1;
}

/*
 * The driver of hinted fetches: runs the loop while anything is pending
 * (taking turns with fetch_repo() callers through f->drive), sleeps when
 * nothing is, ends when f closes.
 */
static void *
background(void *arg)
{
	struct fetcher *f = arg;

	pthread_mutex_lock(&f->lock);
	while (!f->closing) {
		if (f->pending == 0) {
			pthread_cond_wait(&f->queued, &f->lock);
			continue;
		}
		pthread_mutex_unlock(&f->lock);
		pthread_mutex_lock(&f->drive);
		if (!f->closing)
			turn(f);
		else
			pthread_mutex_unlock(&f->drive);
		pthread_mutex_lock(&f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

int
fetch_hint(struct fetcher *f, const char *uri, const char *notify)
{
	int rc = 0;

	if (f->closing || lookup_or_add(f, uri, notify) == -1)
		return -1;
	pthread_mutex_lock(&f->lock);
	if (!f->have_bg && !f->closing) {
		if (pthread_create(&f->bg, NULL, background, f) == 0)
			f->have_bg = 1;
		else {
			log_warnx("cannot start the background fetcher");
			rc = -1;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}

/* fetch_hint() as struct repo_fetcher's hint. */
static int
hint_cb(void *arg, const char *repo, const char *notify)
{
	return fetch_hint(arg, repo, notify);
}

void
fetch_repo_fetcher(struct fetcher *f, struct repo_fetcher *out)
{
	out->fetch = fetch_repo;
	out->arg = f;
	out->hint = hint_cb;
}

size_t
fetch_count(const struct fetcher *f)
{
	return count((struct fetcher *)f);
}

const struct fetch_status *
fetch_status_at(const struct fetcher *f, size_t i)
{
	struct frepo *r = repo_at((struct fetcher *)f, i);

	return r == NULL ? NULL : &r->status;
}

char *
fetch_repo_dir(const struct fetcher *f, size_t i)
{
	struct frepo *r = repo_at((struct fetcher *)f, i);
	char *cur, *p;

	if (r == NULL || (cur = cache_current(f->cache, r->relpath)) == NULL)
		return NULL;
	free(cur);
	if (asprintf(&p, "%s/rsync/%s", cache_dir(f->cache), r->relpath) == -1)
		return NULL;
	return p;
}

/* Returns a new fetcher or NULL (logged). */
struct fetcher *
fetch_new(const struct fetch_config *cfg)
{
	struct fetcher *f;
	struct http_config hc;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->cfg = *cfg;
	f->cfg.ca_file = NULL;
	f->cfg.rsync_program = NULL;
	f->cfg.cache_dir = NULL;
	pthread_mutex_init(&f->lock, NULL);
	pthread_mutex_init(&f->drive, NULL);
	pthread_cond_init(&f->turned, NULL);
	pthread_cond_init(&f->queued, NULL);
	if (f->cfg.max_rsync == 0 || f->cfg.max_rsync > MAX_RSYNC_REQUESTS)
		f->cfg.max_rsync = MAX_RSYNC_REQUESTS;
	if (cfg->timeout > 0)
		f->deadline_ms = fetch_now_ms() + (int64_t)cfg->timeout *
		    MS_PER_S;
	if ((f->cache = cache_open(cfg->cache_dir, 1)) == NULL)
		goto fail;
	memset(&hc, 0, sizeof(hc));
	hc.max_transfers = cfg->max_http;
	hc.ca_file = cfg->ca_file;
	hc.allow_dubious_hosts = cfg->allow_dubious_hosts;
	if ((f->http = http_new(&hc)) == NULL) {
		log_errorx("cannot set up the HTTPS client");
		goto fail;
	}
	if (!cfg->no_rsync) {
		if (rsync_config_init(&f->rcfg, cfg->rsync_program) == 0)
			f->have_rsync = 1;
		f->rcfg.allow_dubious = cfg->allow_dubious_hosts;
		f->rcfg.check_addresses = 1;
	}
	fetch_repo_fetcher(f, &f->rf);
	return f;
 fail:
	fetch_free(f);
	return NULL;
}

void
fetch_free(struct fetcher *f)
{
	size_t i;

	if (f == NULL)
		return;
	pthread_mutex_lock(&f->lock);
	f->closing = 1;
	pthread_cond_broadcast(&f->queued);
	pthread_mutex_unlock(&f->lock);
	if (f->have_bg)
		pthread_join(f->bg, NULL);
	for (i = 0; i < f->nrepos; i++) {
		rsync_free(f->repos[i]->rsync);
		f->repos[i]->rsync = NULL;
	}
	http_free(f->http);	/* cancels RRDP: their stages go */
	for (i = 0; i < f->nnotes; i++)
		fnotify_free(f->notes[i]);
	free(f->notes);
	for (i = 0; i < f->nrepos; i++)
		frepo_free(f->repos[i]);
	free(f->repos);
	free(f->repo_index.slots);
	cache_close(f->cache);
	pthread_mutex_destroy(&f->lock);
	pthread_mutex_destroy(&f->drive);
	pthread_cond_destroy(&f->turned);
	pthread_cond_destroy(&f->queued);
	free(f);
}

/* ---- TA certificates --------------------------------------------------- */

struct ta_dl {
	unsigned char	*buf;
	size_t		 len;
	int		 done, ok;
};

static int
ta_data(void *arg, const void *buf, size_t len)
{
	struct ta_dl *d = arg;
	unsigned char *nb;

	if (d->len + len > MAX_FILE_SIZE)
		return -1;
	if ((nb = realloc(d->buf, d->len + len)) == NULL)
		return -1;
	memcpy(nb + d->len, buf, len);
	d->buf = nb;
	d->len += len;
	return 0;
}

static void
ta_done(void *arg, const struct http_result *res)
{
	struct ta_dl *d = arg;

	d->done = 1;
	d->ok = res->err == HTTP_OK && !res->not_modified;
	if (!d->ok)
		log_warnx_obj(res->url, "TA certificate: %s",
		    res->error != NULL ? res->error : http_err_name(res->err));
}

static int
ta_https(struct fetcher *f, const char *uri, struct ta_dl *d)
{
	struct http_get_opts o;
	struct http_callbacks cb = { ta_data, ta_done, d };

	memset(&o, 0, sizeof(o));
	o.max_bytes = MAX_FILE_SIZE;
	o.max_time = fetch_time_left(f, MAX_IO_TIMEOUT);
	/* The client belongs to whoever drives the loop (fetch_hint()). */
	pthread_mutex_lock(&f->drive);
	if (http_get(f->http, uri, &o, &cb) == -1) {
		pthread_mutex_unlock(&f->drive);
		return -1;
	}
	while (!d->done)
		if (http_run(f->http, FETCH_SLICE_MS) == -1)
			break;
	pthread_mutex_unlock(&f->drive);
	return d->done && d->ok ? 0 : -1;
}

static int
ta_rsync(struct fetcher *f, const char *uri, struct ta_dl *d)
{
	struct rsync_config cfg = f->rcfg;
	struct rsync_job *job = NULL;
	char *tmp = NULL, *rel = NULL, *path = NULL;
	int fd = -1, rc = -1;
	struct stat sb;

	if (!f->have_rsync)
		return -1;
	cfg.deadline = (unsigned int)fetch_time_left(f, MAX_IO_TIMEOUT);
	if (asprintf(&tmp, "%s/%sta-XXXXXX", cache_dir(f->cache),
	    CACHE_TMP_PREFIX) == -1) {
		tmp = NULL;
		goto out;
	}
	if (mkdtemp(tmp) == NULL || uri_to_cache_path(uri, URI_ALLOW_DUBIOUS,
	    &rel) != URI_OK)
		goto out;
	if (rsync_start(&cfg, uri, tmp, &job) == -1 ||
	    rsync_wait(job) != RSYNC_OK)
		goto out;
	if (asprintf(&path, "%s/%s", tmp, rel) == -1) {
		path = NULL;
		goto out;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > MAX_FILE_SIZE)
		goto out;
	free(d->buf);
	d->len = (size_t)sb.st_size;
	if ((d->buf = malloc(d->len + 1)) == NULL ||
	    read(fd, d->buf, d->len) != (ssize_t)d->len)
		goto out;
	rc = 0;
 out:
	if (fd != -1)
		close(fd);
	rsync_free(job);
	if (tmp != NULL)
		(void)cache_rmtree(tmp);
	free(tmp);
	free(rel);
	free(path);
	return rc;
}

static int
ta_name_ok(const char *name)
{
	return name != NULL && name[0] != '\0' && name[0] != '.' &&
	    strchr(name, '/') == NULL &&
	    strlen(name) + strlen(FETCH_TA_SUFFIX) <= MAX_FILENAME_LENGTH;
}

/* Returns 0 when CACHEDIR/ta/NAME.cer is present afterwards, else -1. */
int
fetch_ta(struct fetcher *f, const struct tal *tal, enum fetch_proto *proto)
{
	struct ta_dl d;
	char *path = NULL;
	size_t i;
	int pass, rc = -1, got = 0;
	struct stat sb;

	if (proto != NULL)
		*proto = FETCH_PROTO_NONE;
	if (!ta_name_ok(tal->name)) {
		log_warnx("TAL name unusable as a file name");
		return -1;
	}
	if (asprintf(&path, "%s/ta/%s%s", cache_dir(f->cache), tal->name,
	    FETCH_TA_SUFFIX) == -1)
		return -1;
	/* RFC 8630 section 2.2: any URI will do; https is preferred. */
	for (pass = 0; pass < 2 && !got; pass++) {
		for (i = 0; i < tal->nuris && !got; i++) {
			int https = strncmp(tal->uris[i], "https://", 8) == 0;

			if (https != (pass == 0))
				continue;
			memset(&d, 0, sizeof(d));
			if ((https ? ta_https(f, tal->uris[i], &d) :
			    ta_rsync(f, tal->uris[i], &d)) == 0 &&
			    d.len >= MIN_FILE_SIZE) {
				if (atomic_write_file(path, d.buf, d.len,
				    FETCH_TA_MODE) == 0) {
					got = 1;
					if (proto != NULL)
						*proto = https ?
						    FETCH_PROTO_HTTPS :
						    FETCH_PROTO_RSYNC;
				} else
					log_warn_obj(path, "cannot write");
			}
			free(d.buf);
		}
	}
	if (got || stat(path, &sb) == 0)
		rc = 0;
	if (!got)
		log_warnx_obj(tal->name, "TA certificate not fetched%s",
		    rc == 0 ? ", using the cached copy" : "");
	free(path);
	return rc;
}
