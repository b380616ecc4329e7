/*
 * RRDP (RFC 8182) for one RRDP repository (one rpkiNotify URI):
 * notification (conditional GET), then the delta chain or the snapshot,
 * streamed through the parsers of rrdp.h into the repository's cache
 * stage (validator/rrdp_stage.h), committed only when the whole snapshot
 * or the whole chain applied.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "validator/fetch_int.h"
#include "validator/rrdp.h"
#include "validator/rrdp_stage.h"

enum run_kind { RUN_NOTIFY, RUN_SNAPSHOT, RUN_DELTA };

struct rrdp_run {
	struct fetcher			*f;
	struct fnotify			*fn;
	enum run_kind			 kind;
	struct rrdp_notification_parser	*np;
	struct rrdp_notification	*n;
	struct rrdp_snapshot		*snap;
	struct rrdp_delta		*delta;
	struct rrdp_stage		*ws;	/* writes into fn->stage */
	size_t				 dfirst, dcount, di;
	char				 etag[REPO_MAX_VALIDATOR + 1];
	char				 lastmod[REPO_MAX_VALIDATOR + 1];
};

static void	start_snapshot(struct rrdp_run *);
static void	next_delta(struct rrdp_run *);

/* Throw away the stage and its writer. */
static void
drop_stage(struct rrdp_run *run)
{
	rrdp_stage_free(run->ws);
	run->ws = NULL;
	cache_stage_abort(run->fn->stage);
	run->fn->stage = NULL;
}

static void
run_end(struct rrdp_run *run, int ok)
{
	if (!ok)
		drop_stage(run);
	fetch_rrdp_done(run->f, run->fn, ok);	/* frees run: nothing after */
}

void
fetch_rrdp_free(struct fnotify *fn)
{
	struct rrdp_run *run = fn->rrdp;

	if (run == NULL)
		return;
	rrdp_notification_parser_free(run->np);
	rrdp_notification_free(run->n);
	/* The parsers first: they end their open objects in the writer. */
	rrdp_snapshot_free(run->snap);
	rrdp_delta_free(run->delta);
	drop_stage(run);
	free(run);
	fn->rrdp = NULL;
}

/* ---- Stage ------------------------------------------------------------- */

static int
module_ok(void *arg, const char *module, char *why, size_t whysz)
{
	struct rrdp_run *run = arg;

	return fetch_module_ok(run->f, run->fn, module, why, whysz);
}

/* A new stage (empty for a snapshot) and its writer; 0 or -1 (recorded). */
static int
begin_stage(struct rrdp_run *run, int snapshot)
{
	struct rrdp_stage_config wc;
	struct fnotify *fn = run->fn;

	if (cache_rrdp_stage_begin(run->f->cache, fn->key, !snapshot,
	    &fn->stage) == -1) {
		fetch_nerror(fn, "%s: cannot stage", fn->uri);
		return -1;
	}
	memset(&wc, 0, sizeof(wc));
	wc.root = fn->stage->dir;
	wc.snapshot = snapshot;
	wc.writers = snapshot ? RRDP_STAGE_WRITERS : 0;
	wc.module_ok = module_ok;
	wc.arg = run;
	if ((run->ws = rrdp_stage_new(&wc)) == NULL) {
		fetch_nerror(fn, "%s: cannot stage: %s", fn->uri,
		    strerror(errno));
		drop_stage(run);
		return -1;
	}
	return 0;
}

struct state_ctx {
	struct rrdp_run	*run;
	int		 failed;
};

/* Each module directory gets the repository's state, for operators. */
static int
module_state(void *arg, const char *relpath)
{
	struct state_ctx *sc = arg;
	struct fnotify *fn = sc->run->fn;
	uint64_t objects = 0, n;
	const char *m;
	size_t i;
	char *dir;

	for (i = 0; (m = rrdp_stage_module(sc->run->ws, i, &n)) != NULL; i++)
		if (strcmp(m, relpath) == 0)
			objects = n;
	if (asprintf(&dir, "%s/%s", fn->stage->dir, relpath) == -1 ||
	    fetch_nstate_write(fn, dir, objects) == -1)
		sc->failed = 1;
	free(dir);
	return 0;
}

/* Keep the modules the update touched, for the modules' status. */
static void
keep_modules(struct rrdp_run *run)
{
	struct fnotify *fn = run->fn;
	const char *m;
	uint64_t n;
	size_t i, k;

	for (i = 0; i < fn->nmods; i++)
		free(fn->mods[i]);
	free(fn->mods);
	free(fn->modobjs);
	fn->mods = NULL;
	fn->modobjs = NULL;
	fn->nmods = 0;
	for (k = 0; rrdp_stage_module(run->ws, k, NULL) != NULL; k++)
		;
	if (k == 0 || (fn->mods = calloc(k, sizeof(*fn->mods))) == NULL ||
	    (fn->modobjs = calloc(k, sizeof(*fn->modobjs))) == NULL)
		return;
	for (i = 0; i < k; i++) {
		m = rrdp_stage_module(run->ws, i, &n);
		if ((fn->mods[i] = strdup(m)) == NULL)
			break;
		fn->modobjs[i] = n;
		fn->nmods++;
	}
}

/*
 * Every module the update wrote in must still be the repository's to
 * write (a module may have been bound to another RRDP repository while
 * this one was downloading).  0 or -1 (recorded).
 */
static int
recheck_modules(struct rrdp_run *run)
{
	char why[FETCH_ERROR_MAX / 2];
	const char *m;
	size_t i;

	for (i = 0; (m = rrdp_stage_module(run->ws, i, NULL)) != NULL; i++)
		if (!fetch_module_ok(run->f, run->fn, m, why, sizeof(why))) {
			fetch_nerror(run->fn, "%s: %s", run->fn->uri, why);
			return -1;
		}
	return 0;
}

static int
commit(struct rrdp_run *run)
{
	struct fnotify *fn = run->fn;
	struct repo_state old = fn->st;
	struct state_ctx sc = { run, 0 };

	if (rrdp_stage_flush(run->ws) == -1) {
		fetch_nerror(fn, "%s", rrdp_stage_error(run->ws));
		return -1;
	}
	if (recheck_modules(run) == -1)
		return -1;
	repo_state_set(fn->st.session, sizeof(fn->st.session),
	    run->n->session.id);
	fn->st.serial = run->n->session.serial;
	repo_state_set(fn->st.notify, sizeof(fn->st.notify), fn->uri);
	memcpy(fn->st.etag, run->etag, sizeof(fn->st.etag));
	memcpy(fn->st.last_modified, run->lastmod,
	    sizeof(fn->st.last_modified));
	fn->st.proto = REPO_PROTO_RRDP;
	if (fetch_nstate_write(fn, fn->stage->dir,
	    rrdp_stage_objects(run->ws)) == -1 ||
	    cache_each_module(fn->stage->dir, module_state, &sc) == -1 ||
	    sc.failed) {
		fn->st = old;
		fetch_nerror(fn, "%s: cannot write the state", fn->uri);
		return -1;
	}
	keep_modules(run);
	rrdp_stage_free(run->ws);
	run->ws = NULL;
	if (cache_rrdp_commit(run->f->cache, fn->stage) == -1) {
		fn->stage = NULL;
		fn->st = old;
		fetch_nerror(fn, "%s: cannot commit", fn->uri);
		return -1;
	}
	fn->stage = NULL;
	fn->have_current = 1;
	return 0;
}

/* ---- Requests ---------------------------------------------------------- */

static int
get(struct rrdp_run *run, const char *url, uint64_t max,
    int (*on_data)(void *, const void *, size_t),
    void (*on_done)(void *, const struct http_result *), int conditional)
{
	struct http_get_opts o;
	struct http_callbacks cb;
	struct fnotify *fn = run->fn;

	if (run->f->closing || (run->f->deadline_ms != 0 &&
	    fetch_now_ms() >= run->f->deadline_ms)) {
		fetch_nerror(fn, "%s: run deadline passed", url);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	if (conditional) {
		o.etag = fn->st.etag[0] != '\0' ? fn->st.etag : NULL;
		o.last_modified = fn->st.last_modified[0] != '\0' ?
		    fn->st.last_modified : NULL;
	}
	o.max_bytes = max;
	o.max_time = fetch_time_left(run->f, MAX_RRDP_TIME);
	cb.on_data = on_data;
	cb.on_done = on_done;
	cb.arg = run;
	if (http_get(run->f->http, url, &o, &cb) == -1) {
		fetch_nerror(fn, "%s: cannot queue request", url);
		return -1;
	}
	return 0;
}

/* The request failed at the HTTP level, in the parser or in the stage. */
static void
request_failed(struct rrdp_run *run, const struct http_result *res,
    const char *perr)
{
	const char *serr = run->ws != NULL ? rrdp_stage_error(run->ws) : "";

	if (serr[0] != '\0')
		fetch_nerror(run->fn, "%s", serr);
	else if (res->err == HTTP_ERR_ABORTED && perr != NULL &&
	    perr[0] != '\0')
		fetch_nerror(run->fn, "%s: %s", res->url, perr);
	else if (res->err != HTTP_OK)
		fetch_nerror(run->fn, "%s", res->error != NULL ? res->error :
		    http_err_name(res->err));
	else
		fetch_nerror(run->fn, "%s: %s", res->url,
		    perr != NULL && perr[0] != '\0' ? perr : "rejected");
}

static int
snap_data(void *arg, const void *buf, size_t len)
{
	struct rrdp_run *run = arg;

	return rrdp_snapshot_feed(run->snap, buf, len);
}

static void
snap_done(void *arg, const struct http_result *res)
{
	struct rrdp_run *run = arg;
	int ok = 0;

	run->fn->bytes += res->bytes;
	if (res->err != HTTP_OK || res->not_modified ||
	    rrdp_snapshot_finish(run->snap) == -1) {
		if (res->not_modified)
			fetch_nerror(run->fn, "%s: 304 to an unconditional "
			    "request", res->url);
		else
			request_failed(run, res,
			    rrdp_snapshot_error(run->snap));
	} else if (commit(run) == 0) {
		run->fn->delta = 0;
		ok = 1;
	}
	rrdp_snapshot_free(run->snap);
	run->snap = NULL;
	run_end(run, ok);
}

static void
start_snapshot(struct rrdp_run *run)
{
	struct rrdp_sink sink;

	run->kind = RUN_SNAPSHOT;
	if (begin_stage(run, 1) == -1)
		goto fail;
	rrdp_stage_sink(run->ws, &sink);
	run->snap = rrdp_snapshot_new(run->n->snapshot_uri, &run->n->session,
	    run->n->snapshot_hash, &sink);
	if (run->snap == NULL)
		goto fail;
	if (get(run, run->n->snapshot_uri, MAX_RRDP_SNAPSHOT_SIZE, snap_data,
	    snap_done, 0) == -1)
		goto fail;
	return;
 fail:
	rrdp_snapshot_free(run->snap);
	run->snap = NULL;
	run_end(run, 0);
}

static int
delta_data(void *arg, const void *buf, size_t len)
{
	struct rrdp_run *run = arg;

	return rrdp_delta_feed(run->delta, buf, len);
}

static void
delta_done(void *arg, const struct http_result *res)
{
	struct rrdp_run *run = arg;

	run->fn->bytes += res->bytes;
	if (res->err != HTTP_OK || res->not_modified ||
	    rrdp_delta_finish(run->delta) == -1) {
		request_failed(run, res, rrdp_delta_error(run->delta));
		rrdp_delta_free(run->delta);
		run->delta = NULL;
		drop_stage(run);
		if (run->f->closing) {
			run_end(run, 0);
			return;
		}
		/* A broken delta chain is repaired by the snapshot. */
		log_info_obj(run->fn->uri, "delta failed, using the "
		    "snapshot");
		start_snapshot(run);
		return;
	}
	rrdp_delta_free(run->delta);
	run->delta = NULL;
	if (++run->di < run->dcount) {
		next_delta(run);
		return;
	}
	if (commit(run) == 0) {
		run->fn->delta = 1;
		run_end(run, 1);
	} else
		run_end(run, 0);
}

static void
next_delta(struct rrdp_run *run)
{
	struct rrdp_sink sink;
	struct rrdp_session exp;
	const struct rrdp_delta_ref *d = &run->n->deltas[run->dfirst +
	    run->di];

	exp = run->n->session;
	exp.serial = d->serial;
	rrdp_stage_sink(run->ws, &sink);
	run->delta = rrdp_delta_new(d->uri, &exp, d->hash, &sink);
	if (run->delta == NULL ||
	    get(run, d->uri, MAX_RRDP_DELTA_SIZE, delta_data, delta_done,
	    0) == -1) {
		rrdp_delta_free(run->delta);
		run->delta = NULL;
		run_end(run, 0);
	}
}

static void
start_deltas(struct rrdp_run *run)
{
	run->kind = RUN_DELTA;
	run->di = 0;
	if (begin_stage(run, 0) == -1) {
		run_end(run, 0);
		return;
	}
	next_delta(run);
}

/* Nothing new: refresh the state of the current generation only. */
static void
unchanged(struct rrdp_run *run)
{
	struct fnotify *fn = run->fn;
	char *cur;

	fn->unchanged = 1;
	if (run->etag[0] != '\0' || run->lastmod[0] != '\0') {
		memcpy(fn->st.etag, run->etag, sizeof(fn->st.etag));
		memcpy(fn->st.last_modified, run->lastmod,
		    sizeof(fn->st.last_modified));
	}
	if ((cur = cache_rrdp_current(run->f->cache, fn->key)) != NULL)
		(void)fetch_nstate_write(fn, cur, 0);
	free(cur);
	run_end(run, 1);
}

static void
decide(struct rrdp_run *run)
{
	struct fnotify *fn = run->fn;
	const struct rrdp_notification *n = run->n;
	int same;

	/* RFC 8182 section 3.4.1: a new session or notify URI starts over. */
	same = fn->have_current && fn->st.proto == REPO_PROTO_RRDP &&
	    strcmp(fn->st.notify, fn->uri) == 0 &&
	    strcasecmp(fn->st.session, n->session.id) == 0;
	if (same && fn->st.serial == n->session.serial) {
		unchanged(run);
		return;
	}
	if (same && fn->st.serial < n->session.serial &&
	    rrdp_notification_delta_chain(n, fn->st.serial, &run->dfirst,
	    &run->dcount) == 0 && run->dcount > 0) {
		start_deltas(run);
		return;
	}
	if (same)
		log_info_obj(fn->uri, "serial %llu -> %llu without a usable "
		    "delta chain, using the snapshot",
		    (unsigned long long)fn->st.serial,
		    (unsigned long long)n->session.serial);
	start_snapshot(run);
}

static int
notify_data(void *arg, const void *buf, size_t len)
{
	struct rrdp_run *run = arg;

	return rrdp_notification_feed(run->np, buf, len);
}

static void
notify_done(void *arg, const struct http_result *res)
{
	struct rrdp_run *run = arg;
	struct fnotify *fn = run->fn;

	fn->bytes += res->bytes;
	if (res->err != HTTP_OK) {
		request_failed(run, res, rrdp_notification_error(run->np));
		run_end(run, 0);
		return;
	}
	if (res->not_modified) {
		if (!fn->have_current) {
			fetch_nerror(fn, "%s: 304 without a cached copy",
			    res->url);
			run_end(run, 0);
			return;
		}
		unchanged(run);
		return;
	}
	if (rrdp_notification_finish(run->np, &run->n) == -1) {
		request_failed(run, res, rrdp_notification_error(run->np));
		run_end(run, 0);
		return;
	}
	repo_state_set(run->etag, sizeof(run->etag), res->etag);
	repo_state_set(run->lastmod, sizeof(run->lastmod),
	    res->last_modified);
	if (run->f->closing) {
		run_end(run, 0);
		return;
	}
	decide(run);
}

/* Returns 0 when started (fetch_rrdp_done follows), -1 when not. */
int
fetch_rrdp_start(struct fetcher *f, struct fnotify *fn)
{
	struct rrdp_run *run;
	int conditional;

	if ((run = calloc(1, sizeof(*run))) == NULL)
		return -1;
	run->f = f;
	run->fn = fn;
	run->kind = RUN_NOTIFY;
	fn->rrdp = run;
	run->np = rrdp_notification_parser_new(fn->uri);
	if (run->np == NULL) {
		fetch_nerror(fn, "%s: bad notification URI", fn->uri);
		goto fail;
	}
	conditional = fn->have_current && fn->st.proto == REPO_PROTO_RRDP &&
	    strcmp(fn->st.notify, fn->uri) == 0 && fn->st.session[0] != '\0';
	if (get(run, fn->uri, MAX_RRDP_NOTIFICATION_SIZE, notify_data,
	    notify_done, conditional) == -1)
		goto fail;
	return 0;
 fail:
	fetch_rrdp_free(fn);
	return -1;
}
