/*
 * RRDP (RFC 8182) for one repository: notification (conditional GET), then
 * the delta chain or the snapshot, streamed through the parsers of
 * rrdp.h into a cache stage that is committed only when the whole
 * snapshot or the whole chain applied.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/log.h"
#include "validator/fetch_int.h"
#include "validator/rrdp.h"
#include "validator/uri.h"

/* Mode of the object files written. */
#define OBJECT_MODE	0644

enum run_kind { RUN_NOTIFY, RUN_SNAPSHOT, RUN_DELTA };

struct rrdp_run {
	struct fetcher			*f;
	struct frepo			*r;
	enum run_kind			 kind;
	struct rrdp_notification_parser	*np;
	struct rrdp_notification	*n;
	struct rrdp_snapshot		*snap;
	struct rrdp_delta		*delta;
	size_t				 dfirst, dcount, di;
	char				 etag[REPO_MAX_VALIDATOR + 1];
	char				 lastmod[REPO_MAX_VALIDATOR + 1];
	uint64_t			 objects;
	/* Directory of the last object written: a CA's objects are published
	 * together, so most objects need no directory created. */
	char				*lastdir;
};

/* One object being written. */
struct pub {
	int		 fd;
	uint64_t	 size;
	char		*path;
};

static void	start_snapshot(struct rrdp_run *);
static void	next_delta(struct rrdp_run *);

static void
run_end(struct rrdp_run *run, int ok)
{
	struct fetcher *f = run->f;
	struct frepo *r = run->r;

	if (!ok) {
		cache_stage_abort(r->stage);
		r->stage = NULL;
	}
	fetch_rrdp_done(f, r, ok);	/* frees run: nothing after this */
}

void
fetch_rrdp_free(struct frepo *r)
{
	struct rrdp_run *run = r->rrdp;

	if (run == NULL)
		return;
	rrdp_notification_parser_free(run->np);
	rrdp_notification_free(run->n);
	rrdp_snapshot_free(run->snap);
	rrdp_delta_free(run->delta);
	cache_stage_abort(r->stage);
	r->stage = NULL;
	free(run->lastdir);
	free(run);
	r->rrdp = NULL;
}

/* ---- Sink: objects into the stage ------------------------------------ */

/* The stage path of uri, malloc'd, or NULL (error recorded). */
static char *
object_path(struct rrdp_run *run, const char *uri, const char **rest)
{
	struct frepo *r = run->r;
	struct uri u;
	char *rel = NULL, *p = NULL;
	size_t rl = strlen(r->relpath);

	if (uri_parse(uri, URI_ALLOW_DUBIOUS, &u) != URI_OK || u.dir ||
	    u.nsegments > CACHE_MAX_DEPTH ||
	    uri_cache_path_parsed(&u, &rel) != URI_OK ||
	    strncmp(rel, r->relpath, rl) != 0 || rel[rl] != '/') {
		fetch_error(r, "%s: unusable object URI", uri);
		goto out;
	}
	if (asprintf(&p, "%s/%s", r->stage->dir, rel + rl + 1) == -1) {
		p = NULL;
		goto out;
	}
	*rest = p + strlen(r->stage->dir) + 1;
 out:
	free(rel);
	return p;
}

static int
sink_uri_ok(void *arg, const char *uri)
{
	struct rrdp_run *run = arg;

	/* RFC 8182 section 3.5 and RFC 9674: only the repository's own URIs. */
	if (uri_is_under(uri, run->r->base))
		return 1;
	fetch_error(run->r, "%s: outside the repository %s", uri,
	    run->r->base);
	return 0;
}

/* 0 when the file at path has digest want, else -1 (error recorded). */
static int
check_hash(struct rrdp_run *run, const char *uri, const char *path,
    const unsigned char *want, const char *what)
{
	unsigned char got[HASH_SHA256_LEN];

	if (hash_sha256_file(path, MAX_FILE_SIZE, got, NULL) == -1) {
		fetch_error(run->r, "%s: %s of an object not in the cache",
		    uri, what);
		return -1;
	}
	if (!hash_equal(got, want, HASH_SHA256_LEN)) {
		fetch_error(run->r, "%s: %s hash does not match the cached "
		    "object", uri, what);
		return -1;
	}
	return 0;
}

/* Returns 1 when path's directory is the one the last object went to. */
static int
same_dir(const struct rrdp_run *run, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (run->lastdir == NULL || slash == NULL)
		return 0;
	n = (size_t)(slash - path);
	return strlen(run->lastdir) == n && strncmp(run->lastdir, path, n) == 0;
}

/*
 * Create the directories of rest (relative to the stage) and remember
 * path's directory for same_dir().  Returns 0 or -1 with errno set.
 */
static int
make_dirs(struct rrdp_run *run, const char *rest, const char *path)
{
	const char *slash = strrchr(path, '/');

	free(run->lastdir);
	run->lastdir = NULL;
	if (cache_mkdirs(run->r->stage->dir, rest, 0) == -1)
		return -1;
	if (slash != NULL)
		run->lastdir = strndup(path, (size_t)(slash - path));
	return 0;
}

static void *
sink_publish_begin(void *arg, const char *uri, const unsigned char *hash)
{
	struct rrdp_run *run = arg;
	struct pub *pb = NULL;
	const char *rest;
	char *path;
	struct stat sb;

	if ((path = object_path(run, uri, &rest)) == NULL)
		return NULL;
	/* RFC 8182 section 3.5.3.3: replace only what the delta names. */
	if (hash != NULL) {
		if (check_hash(run, uri, path, hash, "publish") == -1)
			goto fail;
	} else if (run->kind == RUN_DELTA && lstat(path, &sb) == 0) {
		fetch_error(run->r, "%s: publish without hash of an object "
		    "already cached", uri);
		goto fail;
	} else if (run->kind == RUN_SNAPSHOT && lstat(path, &sb) == 0) {
		/*
		 * A snapshot's stage starts empty: the URI came twice, and
		 * which copy is the object would be our guess (RFC 8182
		 * section 3.5.2: one publish per object).
		 */
		fetch_error(run->r, "%s: published twice in the snapshot",
		    uri);
		goto fail;
	}
	if (!same_dir(run, path) && make_dirs(run, rest, path) == -1) {
		fetch_error(run->r, "%s: cannot create directories: %s", uri,
		    strerror(errno));
		goto fail;
	}
	/* Never write in place: the old file is shared with the last generation. */
	if (unlink(path) == -1 && errno != ENOENT) {
		fetch_error(run->r, "%s: cannot replace: %s", uri,
		    strerror(errno));
		goto fail;
	}
	if ((pb = calloc(1, sizeof(*pb))) == NULL)
		goto fail;
	pb->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, OBJECT_MODE);
	/* The remembered directory went with an aborted stage: make it again. */
	if (pb->fd == -1 && errno == ENOENT &&
	    make_dirs(run, rest, path) == 0)
		pb->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, OBJECT_MODE);
	if (pb->fd == -1) {
		fetch_error(run->r, "%s: cannot create: %s", uri,
		    strerror(errno));
		goto fail;
	}
	pb->path = path;
	return pb;
 fail:
	free(pb);
	free(path);
	return NULL;
}

static int
sink_publish_write(void *arg, void *handle, const unsigned char *buf,
    size_t len)
{
	struct rrdp_run *run = arg;
	struct pub *pb = handle;
	ssize_t n;

	if (pb->size + len > MAX_FILE_SIZE) {
		fetch_error(run->r, "%s: object larger than %d bytes",
		    pb->path, MAX_FILE_SIZE);
		return -1;
	}
	pb->size += len;
	while (len > 0) {
		n = write(pb->fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fetch_error(run->r, "%s: write: %s", pb->path,
			    strerror(errno));
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
sink_publish_end(void *arg, void *handle, int ok)
{
	struct rrdp_run *run = arg;
	struct pub *pb = handle;
	int rc = 0;

	if (close(pb->fd) == -1 && ok) {
		fetch_error(run->r, "%s: close: %s", pb->path,
		    strerror(errno));
		rc = -1;
	}
	if (!ok || rc == -1)
		(void)unlink(pb->path);
	else
		run->objects++;
	free(pb->path);
	free(pb);
	return rc;
}

static int
sink_withdraw(void *arg, const char *uri, const unsigned char *hash)
{
	struct rrdp_run *run = arg;
	const char *rest;
	char *path;
	int rc = -1;

	if ((path = object_path(run, uri, &rest)) == NULL)
		return -1;
	if (check_hash(run, uri, path, hash, "withdraw") == -1)
		goto out;
	if (unlink(path) == -1) {
		fetch_error(run->r, "%s: cannot withdraw: %s", uri,
		    strerror(errno));
		goto out;
	}
	run->objects++;
	rc = 0;
 out:
	free(path);
	return rc;
}

static void
sink_init(struct rrdp_run *run, struct rrdp_sink *sink)
{
	memset(sink, 0, sizeof(*sink));
	sink->arg = run;
	sink->uri_ok = sink_uri_ok;
	sink->publish_begin = sink_publish_begin;
	sink->publish_write = sink_publish_write;
	sink->publish_end = sink_publish_end;
	sink->withdraw = sink_withdraw;
}

/* ---- Commit ------------------------------------------------------------ */

static int
commit(struct rrdp_run *run)
{
	struct frepo *r = run->r;
	struct repo_state old = r->st;

	repo_state_set(r->st.session, sizeof(r->st.session),
	    run->n->session.id);
	r->st.serial = run->n->session.serial;
	repo_state_set(r->st.notify, sizeof(r->st.notify), r->notify);
	memcpy(r->st.etag, run->etag, sizeof(r->st.etag));
	memcpy(r->st.last_modified, run->lastmod,
	    sizeof(r->st.last_modified));
	r->st.proto = REPO_PROTO_RRDP;
	r->status.objects += run->objects;
	if (fetch_state_write(run->f, r, r->stage->dir) == -1 ||
	    cache_stage_commit(run->f->cache, r->stage) == -1) {
		r->stage = NULL;
		r->st = old;
		fetch_error(r, "%s: cannot commit", r->base);
		return -1;
	}
	r->stage = NULL;
	r->have_current = 1;
	return 0;
}

/* ---- Requests ------------------------------------------------------------ */

static int
get(struct rrdp_run *run, const char *url, uint64_t max,
    int (*on_data)(void *, const void *, size_t),
    void (*on_done)(void *, const struct http_result *), int conditional)
{
	struct http_get_opts o;
	struct http_callbacks cb;

	if (run->f->closing || (run->f->deadline_ms != 0 &&
	    fetch_now_ms() >= run->f->deadline_ms)) {
		fetch_error(run->r, "%s: run deadline passed", url);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	if (conditional) {
		o.etag = run->r->st.etag[0] != '\0' ? run->r->st.etag : NULL;
		o.last_modified = run->r->st.last_modified[0] != '\0' ?
		    run->r->st.last_modified : NULL;
	}
	o.max_bytes = max;
	o.max_time = fetch_time_left(run->f, MAX_RRDP_TIME);
	cb.on_data = on_data;
	cb.on_done = on_done;
	cb.arg = run;
	if (http_get(run->f->http, url, &o, &cb) == -1) {
		fetch_error(run->r, "%s: cannot queue request", url);
		return -1;
	}
	return 0;
}

/* The request failed at the HTTP level or in the parser. */
static void
request_failed(struct rrdp_run *run, const struct http_result *res,
    const char *perr)
{
	if (res->err == HTTP_ERR_ABORTED && perr != NULL && perr[0] != '\0')
		fetch_error(run->r, "%s: %s", res->url, perr);
	else if (res->err != HTTP_OK)
		fetch_error(run->r, "%s", res->error != NULL ? res->error :
		    http_err_name(res->err));
	else
		fetch_error(run->r, "%s: %s", res->url,
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

	run->r->status.bytes += res->bytes;
	if (res->err != HTTP_OK || res->not_modified ||
	    rrdp_snapshot_finish(run->snap) == -1) {
		if (res->not_modified)
			fetch_error(run->r, "%s: 304 to an unconditional "
			    "request", res->url);
		else
			request_failed(run, res,
			    rrdp_snapshot_error(run->snap));
	} else if (commit(run) == 0) {
		run->r->status.rrdp_delta = 0;
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
	struct frepo *r = run->r;

	run->kind = RUN_SNAPSHOT;
	run->objects = 0;
	if (cache_stage_begin(run->f->cache, r->relpath, 0, &r->stage) ==
	    -1) {
		fetch_error(r, "%s: cannot stage", r->base);
		goto fail;
	}
	sink_init(run, &sink);
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

	run->r->status.bytes += res->bytes;
	if (res->err != HTTP_OK || res->not_modified ||
	    rrdp_delta_finish(run->delta) == -1) {
		request_failed(run, res, rrdp_delta_error(run->delta));
		rrdp_delta_free(run->delta);
		run->delta = NULL;
		cache_stage_abort(run->r->stage);
		run->r->stage = NULL;
		if (run->f->closing) {
			run_end(run, 0);
			return;
		}
		/* A broken delta chain is repaired by the snapshot. */
		log_info_obj(run->r->notify, "delta failed, using the "
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
		run->r->status.rrdp_delta = 1;
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
	sink_init(run, &sink);
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
	struct frepo *r = run->r;

	run->kind = RUN_DELTA;
	run->di = 0;
	run->objects = 0;
	if (cache_stage_begin(run->f->cache, r->relpath, 1, &r->stage) ==
	    -1) {
		fetch_error(r, "%s: cannot stage", r->base);
		run_end(run, 0);
		return;
	}
	next_delta(run);
}

/* Nothing new: refresh the state of the current generation only. */
static void
unchanged(struct rrdp_run *run)
{
	struct frepo *r = run->r;
	char *cur;

	r->status.unchanged = 1;
	if (run->etag[0] != '\0' || run->lastmod[0] != '\0') {
		memcpy(r->st.etag, run->etag, sizeof(r->st.etag));
		memcpy(r->st.last_modified, run->lastmod,
		    sizeof(r->st.last_modified));
	}
	if ((cur = cache_current(run->f->cache, r->relpath)) != NULL)
		(void)fetch_state_write(run->f, r, cur);
	free(cur);
	run_end(run, 1);
}

static void
decide(struct rrdp_run *run)
{
	struct frepo *r = run->r;
	const struct rrdp_notification *n = run->n;
	int same;

	/* RFC 8182 section 3.4.1: a new session or notify URI starts over. */
	same = r->have_current && r->st.proto == REPO_PROTO_RRDP &&
	    strcmp(r->st.notify, r->notify) == 0 &&
	    strcasecmp(r->st.session, n->session.id) == 0;
	if (same && r->st.serial == n->session.serial) {
		unchanged(run);
		return;
	}
	if (same && r->st.serial < n->session.serial &&
	    rrdp_notification_delta_chain(n, r->st.serial, &run->dfirst,
	    &run->dcount) == 0 && run->dcount > 0) {
		start_deltas(run);
		return;
	}
	if (same)
		log_info_obj(r->notify, "serial %llu -> %llu without a usable "
		    "delta chain, using the snapshot",
		    (unsigned long long)r->st.serial,
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

	run->r->status.bytes += res->bytes;
	if (res->err != HTTP_OK) {
		request_failed(run, res,
		    rrdp_notification_error(run->np));
		run_end(run, 0);
		return;
	}
	if (res->not_modified) {
		if (!run->r->have_current) {
			fetch_error(run->r, "%s: 304 without a cached copy",
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
fetch_rrdp_start(struct fetcher *f, struct frepo *r)
{
	struct rrdp_run *run;
	int conditional;

	if ((run = calloc(1, sizeof(*run))) == NULL)
		return -1;
	run->f = f;
	run->r = r;
	run->kind = RUN_NOTIFY;
	r->rrdp = run;
	run->np = rrdp_notification_parser_new(r->notify);
	if (run->np == NULL) {
		fetch_error(r, "%s: bad notification URI", r->notify);
		goto fail;
	}
	conditional = r->have_current && r->st.proto == REPO_PROTO_RRDP &&
	    strcmp(r->st.notify, r->notify) == 0 && r->st.session[0] != '\0';
	if (get(run, r->notify, MAX_RRDP_NOTIFICATION_SIZE, notify_data,
	    notify_done, conditional) == -1)
		goto fail;
	return 0;
 fail:
	fetch_rrdp_free(r);
	return -1;
}
