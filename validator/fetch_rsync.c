/*
 * rsync for one repository: the module is mirrored into a stage that
 * starts as hard links to the committed generation (so rsync transfers
 * only what changed; it writes changed files as new files and renames
 * them, never touching the shared ones in place), then committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "validator/fetch_int.h"

/* Returns 0 with the child started, or -1 (error recorded). */
int
fetch_rsync_start(struct fetcher *f, struct frepo *r)
{
	struct rsync_config cfg = f->rcfg;

	if (!f->have_rsync) {
		fetch_error(r, "%s: no rsync program", r->base);
		return -1;
	}
	if (f->deadline_ms != 0 && fetch_now_ms() >= f->deadline_ms) {
		fetch_error(r, "%s: run deadline passed", r->base);
		return -1;
	}
	cfg.deadline = (unsigned int)fetch_time_left(f, cfg.deadline);
	/* Files we wrote from RRDP carry our times, not the server's. */
	cfg.ignore_times = cache_current_rrdp(f->cache, r->relpath);
	if (cache_stage_begin(f->cache, r->relpath, 1, &r->stage) == -1) {
		fetch_error(r, "%s: cannot stage", r->base);
		return -1;
	}
	if (rsync_start(&cfg, r->base, r->stage->root, &r->rsync) == -1) {
		fetch_error(r, "%s: cannot start rsync", r->base);
		cache_stage_abort(r->stage);
		r->stage = NULL;
		return -1;
	}
	return 0;
}

/* Returns 0 while running, 1 when committed, -1 when failed. */
int
fetch_rsync_poll(struct fetcher *f, struct frepo *r)
{
	enum rsync_status s;
	struct repo_state old = r->st;

	s = rsync_poll(r->rsync);
	if (s == RSYNC_RUNNING)
		return 0;
	if (s != RSYNC_OK) {
		fetch_error(r, "%s", rsync_message(r->rsync));
		goto fail;
	}
	/* The content is at no RRDP serial: the next RRDP run takes a snapshot. */
	r->st.session[0] = '\0';
	r->st.serial = 0;
	r->st.etag[0] = '\0';
	r->st.last_modified[0] = '\0';
	r->st.proto = REPO_PROTO_RSYNC;
	if (fetch_state_write(f, r, r->stage->dir) == -1 ||
	    cache_stage_commit(f->cache, r->stage) == -1) {
		r->stage = NULL;
		r->st = old;
		fetch_error(r, "%s: cannot commit", r->base);
		goto fail;
	}
	r->stage = NULL;
	r->have_current = 1;
	rsync_free(r->rsync);
	r->rsync = NULL;
	return 1;
 fail:
	cache_stage_abort(r->stage);
	r->stage = NULL;
	rsync_free(r->rsync);
	r->rsync = NULL;
	return -1;
}
