/*
 * The validation walk; see walk.h.
 *
 * A job of the thread pool is one validated CA certificate (a TA or a CA
 * accepted in its parent's publication point): fetch its repository if a
 * fetcher is given, process its publication point (pubpoint.c), merge the
 * payloads and queue its child CAs as new jobs.  Shared state (payload
 * sets, counters, the SKIs and repositories seen) lives in struct walk
 * under one mutex; reports go out under a second one.
 */
#include <sys/mman.h>

#include <errno.h>
#include <pthread.h>
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/memo.h"
#include "validator/ppmemo.h"
#include "validator/pubpoint.h"
#include "validator/store.h"
#include "validator/threadpool.h"
#include "validator/uri.h"
#include "validator/validate.h"
#include "validator/walk.h"

/* A repository the fetcher was asked for. */
struct repo_node {
	char	*uri;		/* caRepository URI */
	int	 done;		/* fetch finished */
	int	 rc;		/* its result */
};

struct walk {
	const struct walk_config *cfg;
	struct threadpool	*pool;
	struct store		*store;
	struct memo		*memo;		/* NULL: none */
	int			 uri_flags;
	unsigned int		 max_depth;
	unsigned int		 max_repos;
	pthread_mutex_t		 lock;		/* everything below */
	pthread_cond_t		 fetched;	/* a repo_node became done */
	pthread_mutex_t		 report_lock;
	struct vrpset		*vrps;
	struct aspaset		*aspas;
	struct rkset		*rks;
	struct walk_stats	 stats;
	void			*skis;		/* tsearch: 20-byte SKIs */
	void			*repos;		/* tsearch: struct repo_node */
	void			*hinted;	/* tsearch: repositories hinted */
	void			*tal_repos[MAX_TALS]; /* tsearch: repo bases */
	size_t			 ntal_repos[MAX_TALS];
	size_t			 ncerts;	/* certificates queued */
	int			 fatal;		/* allocation failure */
	struct ppmemo_entries	*points;	/* report_defer: entries */
	size_t			 npoints, points_cap;
	struct walk_entry_block	*blocks, *last_block; /* their data */
	/*
	 * A point was validated in full, so report.json will likely change:
	 * entries go to the report as they come (emit_eager()).  Read
	 * without the lock too (atomic).
	 */
	int			 eager;
	const char		*ta_names[MAX_TALS];
};

/*
 * The points' kept report entries are copied into blocks mapped of their
 * own, filled in the order of the points, so that passing them to the
 * report (walk_result_report()) gives each block back to the system as
 * soon as its points are done: the entries and the report they become
 * are not both held in full.
 */
#define ENTRY_BLOCK	(1024 * 1024)

struct walk_entry_block {
	struct walk_entry_block *next;
	size_t		 size;		/* of the mapping */
	size_t		 used;		/* bytes of data[] used */
	size_t		 end;		/* index after its last point */
	unsigned char	 data[];
};

/* One CA certificate whose publication point is to be processed. */
struct task {
	struct walk	*w;
	struct cert	*cert;
	char		*uri;
	char		*issuer;	/* parent's URI; NULL for a TA */
	char		*manifest;	/* parent's manifest; NULL for a TA */
	uint32_t	 ta;
	unsigned int	 depth;		/* TA = 1 */
	int64_t		 expires;
	/* task_precheck(): what admit_locked() needs of the URIs alone. */
	int		 prechecked;
	int		 mft_outside;	/* manifest not under caRepository */
	enum uri_error	 repo_err;	/* of uri_repo_base() */
	char		*repo_base;	/* uri_repo_base() of cert->repo */
};


static void	run_task(void *);

static void
walk_report(struct walk *w, const char *uri, const char *type, int ok,
    const char *why, const struct walk_detail *d)
{
	if (w->cfg->report == NULL)
		return;
	if (w->cfg->report_threadsafe) {
		w->cfg->report(w->cfg->report_arg, uri, type, ok, why, d);
		return;
	}
	pthread_mutex_lock(&w->report_lock);
	w->cfg->report(w->cfg->report_arg, uri, type, ok, why, d);
	pthread_mutex_unlock(&w->report_lock);
}

/* The TAL name of index ta, for the report. */
static const char *
ta_name(const struct walk *w, uint32_t ta)
{
	return ta < w->cfg->ntals ? w->cfg->tals[ta]->name : NULL;
}

/* A report without detail but the TA's name. */
static void
walk_report_ta(struct walk *w, uint32_t ta, const char *uri,
    const char *type, int ok, const char *why)
{
	struct walk_detail d;

	memset(&d, 0, sizeof(d));
	d.ta = ta_name(w, ta);
	walk_report(w, uri, type, ok, why, &d);
}

/* A certificate about to be queued or refused: its place in the tree. */
static void
walk_report_cert(struct walk *w, const struct task *t, int ok,
    const char *why)
{
	struct walk_detail d;

	memset(&d, 0, sizeof(d));
	d.issuer = t->issuer != NULL ? t->issuer : "";
	d.manifest = t->manifest;
	d.ta = ta_name(w, t->ta);
	d.has_validity = 1;
	d.not_before = t->cert->notbefore;
	d.not_after = t->cert->notafter;
	walk_report(w, t->uri, "cer", ok, why, &d);
}

/* walk_report() as a walk_report_fn; arg is the walk. */
static void
walk_report_cb(void *arg, const char *uri, const char *type, int ok,
    const char *why, const struct walk_detail *d)
{
	walk_report(arg, uri, type, ok, why, d);
}

/*
 * A report callback adding the TA's name to each entry before passing it
 * on: for pubpoint.c's entries and those emit_points() passes on.
 */
struct named_report {
	walk_report_fn	 fn;
	void		*arg;
	const char	*ta;
	const unsigned char *point;	/* walk_detail's point_md */
};

static void
named_report(void *arg, const char *uri, const char *type, int ok,
    const char *why, const struct walk_detail *detail)
{
	struct named_report *nr = arg;
	struct walk_detail d;

	if (detail != NULL)
		d = *detail;
	else
		memset(&d, 0, sizeof(d));
	d.ta = nr->ta;
	d.point_md = nr->point;
	nr->fn(nr->arg, uri, type, ok, why, &d);
}


static int
ski_cmp(const void *a, const void *b)
{
	return memcmp(a, b, CERT_KEYID_LEN);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int
repo_cmp(const void *a, const void *b)
{
	const struct repo_node *x = a, *y = b;

	return strcmp(x->uri, y->uri);
}

static void
repo_free(void *p)
{
	struct repo_node *r = p;

	free(r->uri);
	free(r);
}

static void
stats_add(struct walk_stats *to, const struct walk_stats *s)
{
	to->tas += s->tas;
	to->tas_failed += s->tas_failed;
	to->cas += s->cas;
	to->cas_failed += s->cas_failed;
	to->pubpoints += s->pubpoints;
	to->pubpoints_failed += s->pubpoints_failed;
	to->pubpoints_stored += s->pubpoints_stored;
	to->pubpoints_reused += s->pubpoints_reused;
	to->manifests += s->manifests;
	to->manifests_failed += s->manifests_failed;
	to->crls += s->crls;
	to->crls_failed += s->crls_failed;
	to->roas += s->roas;
	to->roas_failed += s->roas_failed;
	to->aspas += s->aspas;
	to->aspas_failed += s->aspas_failed;
	to->router_certs += s->router_certs;
	to->router_certs_failed += s->router_certs_failed;
	to->other_files += s->other_files;
	to->files_failed += s->files_failed;
	to->repositories += s->repositories;
	to->repo_fetch_failed += s->repo_fetch_failed;
	to->vrps += s->vrps;
}

static void
task_free(struct task *t)
{
	if (t == NULL)
		return;
	cert_free(t->cert);
	free(t->repo_base);
	free(t->uri);
	free(t->issuer);
	free(t->manifest);
	free(t);
}

/*
 * The checks of t's URIs, which need no lock, so that workers make them
 * before taking it (admit_locked() uses them).
 */
static void
task_precheck(const struct walk *w, struct task *t)
{
	t->prechecked = 1;
	if (t->cert->repo == NULL || t->cert->mft == NULL ||
	    !uri_is_under(t->cert->mft, t->cert->repo)) {
		t->mft_outside = 1;
		return;
	}
	t->repo_err = uri_repo_base(t->cert->repo, w->uri_flags,
	    &t->repo_base);
}

/*
 * Checks that need the whole run: depth, duplicate SKI (which also breaks
 * any cycle), the TAL's repository budget, the certificate budget; and
 * those of task_precheck().  Called with w->lock held.  Returns 0, or -1
 * with why.
 */
static int
admit_locked(struct walk *w, struct task *t, char *why, size_t whylen)
{
	char *base, **found;
	void *key;

	if (t->depth > w->max_depth) {
		snprintf(why, whylen, "certificate tree deeper than %u",
		    w->max_depth);
		return -1;
	}
	if (w->ncerts >= MAX_CERTS_PER_RUN) {
		snprintf(why, whylen, "more than %d certificates",
		    MAX_CERTS_PER_RUN);
		return -1;
	}
	if (!t->prechecked)
		task_precheck(w, t);
	if (t->mft_outside) {
		snprintf(why, whylen, "RFC 6487 section 4.8.8.1: manifest "
		    "not within the CA repository");
		return -1;
	}
	if (t->repo_err != URI_OK) {
		snprintf(why, whylen, "caRepository: %s",
		    uri_strerror(t->repo_err));
		return -1;
	}
	base = t->repo_base;
	t->repo_base = NULL;
	if (tfind(t->cert->ski, &w->skis, ski_cmp) != NULL) {
		snprintf(why, whylen, "RFC 6487 section 4.8.2: SKI already "
		    "used by another certificate in this run");
		free(base);
		return -1;
	}
	found = tfind(base, &w->tal_repos[t->ta], str_cmp);
	if (found == NULL && w->ntal_repos[t->ta] >= w->max_repos) {
		snprintf(why, whylen, "more than %u repositories for this "
		    "TAL", w->max_repos);
		free(base);
		return -1;
	}
	if (found == NULL) {
		if (tsearch(base, &w->tal_repos[t->ta], str_cmp) == NULL)
			goto nomem;
		w->ntal_repos[t->ta]++;
		w->stats.repositories++;
		base = NULL;
	}
	free(base);
	if ((key = malloc(CERT_KEYID_LEN)) == NULL)
		goto nomem;
	memcpy(key, t->cert->ski, CERT_KEYID_LEN);
	if (tsearch(key, &w->skis, ski_cmp) == NULL) {
		free(key);
		goto nomem;
	}
	w->ncerts++;
	return 0;
 nomem:
	w->fatal = 1;
	snprintf(why, whylen, "out of memory");
	return -1;
}

/*
 * Tell the fetcher about t's repository now, so it is fetched while the
 * workers are busy elsewhere (Stalloris: a worker no longer meets a
 * repository for the first time when it reaches it).  Once per repository
 * (caRepository URI); the fetcher's hint does not block.
 */
static void
hint_locked(struct walk *w, const struct task *t)
{
	const struct repo_fetcher *f = w->cfg->fetcher;
	char *uri;

	if (f == NULL || f->hint == NULL || t->cert->repo == NULL ||
	    tfind(t->cert->repo, &w->hinted, str_cmp) != NULL)
		return;
	if ((uri = strdup(t->cert->repo)) == NULL)
		return;
	if (tsearch(uri, &w->hinted, str_cmp) == NULL) {
		free(uri);
		return;
	}
	(void)f->hint(f->arg, t->cert->repo, t->cert->notify);
}

/* Admit and queue t (which this takes over).  Called with w->lock held. */
static void
queue_locked(struct walk *w, struct task *t)
{
	char why[VALID_WHY_LEN];
	int ta = t->depth == 1;

	if (admit_locked(w, t, why, sizeof(why)) == -1) {
		log_warnx_obj(t->uri, "%s", why);
		if (ta)
			w->stats.tas_failed++;
		else
			w->stats.cas_failed++;
		walk_report_cert(w, t, 0, why);
		task_free(t);
		return;
	}
	if (ta)
		w->stats.tas++;
	else
		w->stats.cas++;
	walk_report_cert(w, t, 1, NULL);
	hint_locked(w, t);
	/*
	 * Child CAs depth first: the queue then holds the children along
	 * one path, not a whole level of the tree (peak memory at global
	 * scale 431 -> 159 MB); TAs in order.
	 */
	if ((ta ? threadpool_submit(w->pool, run_task, t) :
	    threadpool_submit_front(w->pool, run_task, t)) == -1) {
		w->fatal = 1;
		task_free(t);
	}
}

/*
 * Ask the fetcher for t's repository once per run; later askers wait for
 * the first.  Returns the fetcher's result (0 without a fetcher).
 */
static int
fetch_repo(struct walk *w, const struct cert *c)
{
	const struct repo_fetcher *f = w->cfg->fetcher;
	struct repo_node key, *r, **found;
	int rc;

	if (f == NULL || f->fetch == NULL)
		return 0;
	key.uri = c->repo;
	pthread_mutex_lock(&w->lock);
	if ((found = tfind(&key, &w->repos, repo_cmp)) != NULL) {
		r = *found;
		while (!r->done)
			pthread_cond_wait(&w->fetched, &w->lock);
		rc = r->rc;
		pthread_mutex_unlock(&w->lock);
		return rc;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->uri = strdup(c->repo)) == NULL ||
	    tsearch(r, &w->repos, repo_cmp) == NULL) {
		if (r != NULL)
			free(r->uri);
		free(r);
		pthread_mutex_unlock(&w->lock);
		return -1;	/* read whatever the cache holds */
	}
	pthread_mutex_unlock(&w->lock);
	rc = f->fetch(f->arg, c->repo, c->notify);
	pthread_mutex_lock(&w->lock);
	r->rc = rc;
	r->done = 1;
	if (rc != 0)
		w->stats.repo_fetch_failed++;
	pthread_cond_broadcast(&w->fetched);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

/*
 * The tasks of t's child CAs in o (taken over from o), made and
 * prechecked without the lock; NULL entries where memory ran out, and
 * *nomem set.  NULL (with *nomem) when the array itself cannot be had.
 */
static struct task **
child_tasks(struct walk *w, const struct task *t, struct pubpoint_out *o,
    int *nomem)
{
	struct task **cs, *c;
	size_t i;

	if (o->nchildren == 0 ||
	    (cs = calloc(o->nchildren, sizeof(*cs))) == NULL) {
		*nomem = o->nchildren > 0;
		return NULL;
	}
	for (i = 0; i < o->nchildren; i++) {
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			*nomem = 1;
			continue;
		}
		c->w = w;
		c->cert = o->children[i].cert;
		c->uri = o->children[i].uri;
		c->ta = t->ta;
		c->depth = t->depth + 1;
		c->expires = o->children[i].expires;
		if ((c->issuer = strdup(t->uri)) == NULL ||
		    (c->manifest = strdup(t->cert->mft)) == NULL)
			*nomem = 1;
		o->children[i].cert = NULL;
		o->children[i].uri = NULL;
		task_precheck(w, c);
		cs[i] = c;
	}
	return cs;
}

/* Free what the walk keeps of a point's entries (data lies in a block). */
static void
point_free(struct ppmemo_entries *e)
{
	free(e->ca_uri);
	free(e->mft);
	memset(e, 0, sizeof(*e));
}

static void
blocks_free(struct walk_entry_block *b)
{
	struct walk_entry_block *next;

	for (; b != NULL; b = next) {
		next = b->next;
		munmap(b, b->size);
	}
}

/* Room for len bytes at the end of w's blocks; NULL on ENOMEM. */
static unsigned char *
block_room(struct walk *w, size_t len)
{
	struct walk_entry_block *b = w->last_block;
	size_t size;
	void *m;

	if (b != NULL && len <= b->size - sizeof(*b) - b->used)
		return b->data + b->used;
	size = sizeof(*b) + len > ENTRY_BLOCK ? sizeof(*b) + len :
	    ENTRY_BLOCK;
	if ((m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		return NULL;
	b = m;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	b->end = 0;
	if (w->last_block != NULL)
		w->last_block->next = b;
	else
		w->blocks = b;
	w->last_block = b;
	return b->data;
}

/*
 * Pass the entries of points[0..n) (those i with want[i] set, want not
 * NULL) to fn(arg, ...) with their TA's name (ta_names, ntas of them),
 * and, want NULL, give back each block of *blocks once its points are
 * passed.  Returns 0, or -1 when a point's entries do not decode (the
 * others are passed).
 */
static int
emit_points(struct ppmemo_entries *points, size_t n,
    const unsigned char *want, struct walk_entry_block **blocks,
    const char *const *ta_names, size_t ntas, walk_report_fn fn, void *arg)
{
	struct walk_entry_block *b;
	struct named_report nr;
	size_t i;
	int rc = 0;

	nr.fn = fn;
	nr.arg = arg;
	for (i = 0; i < n; i++) {
		if (want != NULL && !want[i])
			continue;
		nr.ta = points[i].ta < ntas ? ta_names[points[i].ta] : NULL;
		nr.point = points[i].digest;
		if (ppmemo_entries_emit(&points[i], named_report, &nr) ==
		    -1) {
			log_errorx_obj(points[i].mft, "report entries "
			    "unreadable");
			rc = -1;
		}
		/* Passed on: the report holds them now. */
		points[i].data = NULL;
		points[i].len = 0;
		points[i].memo = NULL;
		points[i].n = 0;
		while (want == NULL && (b = *blocks) != NULL &&
		    b->end <= i + 1) {
			*blocks = b->next;
			munmap(b, b->size);
		}
	}
	return rc;
}

/*
 * A point's entry passed on by emit_eager(): to cfg->report_point if set,
 * else as walk_report() does; arg is the walk.
 */
static void
walk_report_point(void *arg, const char *uri, const char *type, int ok,
    const char *why, const struct walk_detail *d)
{
	struct walk *w = arg;

	if (w->cfg->report_point == NULL) {
		walk_report(w, uri, type, ok, why, d);
		return;
	}
	if (!w->cfg->report_threadsafe)
		pthread_mutex_lock(&w->report_lock);
	w->cfg->report_point(w->cfg->report_arg, uri, type, ok, why, d);
	if (!w->cfg->report_threadsafe)
		pthread_mutex_unlock(&w->report_lock);
}

/*
 * Entries are kept for the end of the run (walk_result_report()) while
 * every point gives what its record held: report.json is then likely
 * kept as it is and the entries never needed.  The first point whose
 * result changed means it will likely be written: the entries kept so
 * far are passed on, and from then on each worker passes its point's
 * entries at once, as they come, keeping only their digest; with
 * report_lazy, never (the report is patched from few).  e: the point's
 * (malloc'd data).
 */
static void
emit_eager(struct walk *w, struct ppmemo_entries *e)
{
	struct walk_entry_block *none = NULL;
	unsigned char *data = e->data;

	if (e->ca_uri == NULL)
		return;
	if (!__atomic_load_n(&w->eager, __ATOMIC_ACQUIRE)) {
		if (!e->changed || w->cfg->report_lazy ||
		    w->cfg->report_drop)
			return;
		pthread_mutex_lock(&w->lock);
		if (!w->eager) {
			(void)emit_points(w->points, w->npoints, NULL,
			    &w->blocks, w->ta_names, w->cfg->ntals,
			    walk_report_point, w);
			blocks_free(w->blocks);
			w->blocks = w->last_block = NULL;
			__atomic_store_n(&w->eager, 1, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&w->lock);
	}
	(void)emit_points(e, 1, NULL, &none, w->ta_names, w->cfg->ntals,
	    walk_report_point, w);
	free(data);
}

/* Keep the point's report entries e (taken over). */
static void
keep_entries_locked(struct walk *w, struct ppmemo_entries *e)
{
	struct ppmemo_entries *n;
	unsigned char *at;
	size_t cap;

	if (e->lost)
		w->fatal = 1;
	if (e->ca_uri == NULL)
		return;		/* none: the point was not processed */
	if (w->cfg->report_drop) {
		free(e->data);
		e->data = NULL;
		e->len = 0;
		e->memo = NULL;
		e->n = 0;
	}
	if (w->npoints == w->points_cap) {
		cap = w->points_cap == 0 ? 1024 : w->points_cap * 2;
		if ((n = reallocarray(w->points, cap, sizeof(*n))) == NULL) {
			w->fatal = 1;
			ppmemo_entries_free(e);
			return;
		}
		w->points = n;
		w->points_cap = cap;
	}
	if (e->len > 0) {
		if ((at = block_room(w, e->len)) == NULL) {
			w->fatal = 1;
			ppmemo_entries_free(e);
			return;
		}
		memcpy(at, e->data, e->len);
		free(e->data);
		e->data = at;
		w->last_block->used += e->len;
		w->last_block->end = w->npoints + 1;
	} else {
		free(e->data);
		e->data = NULL;
	}
	w->points[w->npoints++] = *e;
	memset(e, 0, sizeof(*e));
}

/* Add o's payloads to the run's and queue the children cs (taken over). */
static void
merge_locked(struct walk *w, struct pubpoint_out *o, struct task **cs,
    int nomem)
{
	size_t i;

	if (nomem)
		w->fatal = 1;
	for (i = 0; i < o->nvrps; i++)
		if (vrpset_add(w->vrps, &o->vrps[i]) == PAYLOAD_ENOMEM)
			w->fatal = 1;
	for (i = 0; i < o->naspas; i++)
		if (aspaset_add(w->aspas, &o->aspas[i]) == PAYLOAD_ENOMEM)
			w->fatal = 1;
	for (i = 0; i < o->nrks; i++)
		if (rkset_add(w->rks, &o->rks[i]) == PAYLOAD_ENOMEM)
			w->fatal = 1;
	stats_add(&w->stats, &o->stats);
	for (i = 0; cs != NULL && i < o->nchildren; i++)
		if (cs[i] != NULL)
			queue_locked(w, cs[i]);
}

/* A job: remove the memo's records this run did not use. */
static void
sweep_task(void *arg)
{
	(void)memo_sweep(arg);
}

/* A job: walk_config's report_done. */
static void
report_done_task(void *arg)
{
	const struct walk_config *cfg = arg;

	cfg->report_done(cfg->report_arg);
}

/* One job: the publication point of t->cert. */
static void
run_task(void *arg)
{
	struct task *t = arg;
	struct walk *w = t->w;
	struct pubpoint_ctx ctx;
	struct pubpoint_out out;
	struct named_report ra;
	struct ppmemo_entries e, *defer = w->cfg->report_defer ? &e : NULL;
	struct task **cs;
	int nomem = 0;

	if (fetch_repo(w, t->cert) == -1)
		log_warnx_obj(t->cert->repo, "repository not fetched; "
		    "using what the cache holds");
	memset(&ctx, 0, sizeof(ctx));
	ctx.ca = t->cert;
	ctx.ca_uri = t->uri;
	ctx.ta = t->ta;
	ctx.now = w->cfg->now;
	ctx.expires = t->expires;
	ctx.cache_dir = w->cfg->cache_dir;
	ctx.store = w->store;
	ctx.uri_flags = w->uri_flags;
	ra.fn = walk_report_cb;
	ra.arg = w;
	ra.ta = ta_name(w, t->ta);
	ra.point = NULL;
	ctx.report = named_report;
	ctx.report_arg = &ra;
	/* Passed on at once (emit_eager()) when the walk is eager. */
	(void)ppmemo_process(&ctx, w->memo, w->cfg->memo_full ?
	    PPMEMO_REBUILD : PPMEMO_REUSE, &out, defer,
	    __atomic_load_n(&w->eager, __ATOMIC_ACQUIRE));
	if (defer != NULL)
		emit_eager(w, defer);
	cs = child_tasks(w, t, &out, &nomem);
	pthread_mutex_lock(&w->lock);
	merge_locked(w, &out, cs, nomem);
	if (defer != NULL)
		keep_entries_locked(w, defer);
	pthread_mutex_unlock(&w->lock);
	free(cs);
	pubpoint_out_free(&out);
	task_free(t);
}

/*
 * Try one candidate file for the TA of tal.  Returns the validated TA
 * (caller frees) or NULL, having reported why.
 */
static struct cert *
try_ta(struct walk *w, uint32_t idx, const char *path, const char *name)
{
	const struct tal *tal = w->cfg->tals[idx];
	unsigned char *der;
	size_t len;
	struct cert *c;
	char why[VALID_WHY_LEN];
	const char *reason;

	if (pp_read_file(path, &der, &len) == -1)
		return NULL;	/* not cached there: try the next one */
	log_last_reset();
	c = cert_parse(name, der, len);
	free(der);
	if (c == NULL) {
		/* The parser logged why, with the RFC section (log.h). */
		reason = log_last_message(name);
		walk_report_ta(w, idx, name, "cer", 0, reason != NULL ?
		    reason : "malformed (see the log)");
		return NULL;
	}
	if (valid_ta(c, tal, w->cfg->now, why, sizeof(why)) == -1) {
		log_warnx_obj(name, "%s", why);
		walk_report_ta(w, idx, name, "cer", 0, why);
		cert_free(c);
		return NULL;
	}
	return c;
}

/*
 * RFC 8630 section 3: find the TA certificate of tal in the cache
 * (CACHEDIR/ta/<name>.cer, then each rsync URI of the TAL).  Returns the
 * validated certificate and its name/URI in *where, or NULL.
 */
static struct cert *
load_ta(struct walk *w, uint32_t idx, char **where)
{
	const struct tal *tal = w->cfg->tals[idx];
	struct cert *c = NULL;
	char *path = NULL, *rel;
	size_t i;

	*where = NULL;
	if (asprintf(&path, "%s/ta/%s.cer", w->cfg->cache_dir, tal->name) ==
	    -1)
		return NULL;
	if ((c = try_ta(w, idx, path, path)) != NULL) {
		*where = path;
		return c;
	}
	free(path);
	for (i = 0; i < tal->nuris; i++) {
		if (uri_to_cache_path(tal->uris[i], w->uri_flags, &rel) !=
		    URI_OK)
			continue;
		if (asprintf(&path, "%s/rsync/%s", w->cfg->cache_dir, rel) ==
		    -1) {
			free(rel);
			return NULL;
		}
		free(rel);
		c = try_ta(w, idx, path, tal->uris[i]);
		free(path);
		if (c != NULL) {
			if ((*where = strdup(tal->uris[i])) == NULL) {
				cert_free(c);
				return NULL;
			}
			return c;
		}
	}
	return NULL;
}

static void
start_tal(struct walk *w, uint32_t idx)
{
	const struct tal *tal = w->cfg->tals[idx];
	struct task *t;
	char *where;
	struct cert *c;

	if ((c = load_ta(w, idx, &where)) == NULL) {
		log_warnx_obj(tal->name, "no valid TA certificate in the "
		    "cache");
		walk_report_ta(w, idx, tal->name, "tal", 0, "RFC 8630 section "
		    "3: no valid TA certificate");
		pthread_mutex_lock(&w->lock);
		w->stats.tas_failed++;
		pthread_mutex_unlock(&w->lock);
		return;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		cert_free(c);
		free(where);
		pthread_mutex_lock(&w->lock);
		w->fatal = 1;
		pthread_mutex_unlock(&w->lock);
		return;
	}
	t->w = w;
	t->cert = c;
	t->uri = where;
	t->ta = idx;
	t->depth = 1;
	t->expires = c->notafter;
	walk_report_ta(w, idx, tal->name, "tal", 1, NULL);
	pthread_mutex_lock(&w->lock);
	queue_locked(w, t);
	pthread_mutex_unlock(&w->lock);
}

static void
walk_cleanup(struct walk *w)
{
	size_t i;

	threadpool_free(w->pool);
	store_close(w->store);
	memo_close(w->memo);
	tdestroy(w->skis, free);
	tdestroy(w->repos, repo_free);
	tdestroy(w->hinted, free);
	for (i = 0; i < MAX_TALS; i++)
		tdestroy(w->tal_repos[i], free);
	vrpset_free(w->vrps);
	aspaset_free(w->aspas);
	rkset_free(w->rks);
	for (i = 0; i < w->npoints; i++)
		point_free(&w->points[i]);
	free(w->points);
	blocks_free(w->blocks);
	pthread_cond_destroy(&w->fetched);
	pthread_mutex_destroy(&w->report_lock);
	pthread_mutex_destroy(&w->lock);
}

static int
fill_names(const struct walk_config *cfg, struct walk_result *out)
{
	size_t i;

	if ((out->ta_names = calloc(cfg->ntals + 1, sizeof(char *))) == NULL)
		return -1;
	out->ntas = cfg->ntals;
	for (i = 0; i < cfg->ntals; i++)
		if ((out->ta_names[i] = strdup(cfg->tals[i]->name)) == NULL)
			return -1;
	return 0;
}

/* Returns 0 with *out filled (caller frees), or -1 with *out empty. */
int
walk_run(const struct walk_config *cfg, struct walk_result *out)
{
	struct walk w;
	size_t i;
	int rc = -1, frozen;

	memset(out, 0, sizeof(*out));
	if (cfg == NULL || cfg->cache_dir == NULL || cfg->ntals > MAX_TALS ||
	    (cfg->ntals > 0 && cfg->tals == NULL)) {
		log_errorx("walk: bad configuration");
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.uri_flags = cfg->allow_dubious ? URI_ALLOW_DUBIOUS : 0;
	w.max_depth = cfg->max_depth == 0 || cfg->max_depth > MAX_CERT_DEPTH ?
	    MAX_CERT_DEPTH : cfg->max_depth;
	w.max_repos = cfg->max_repos == 0 || cfg->max_repos >
	    MAX_REPO_PER_TAL ? MAX_REPO_PER_TAL : cfg->max_repos;
	pthread_mutex_init(&w.lock, NULL);
	pthread_mutex_init(&w.report_lock, NULL);
	pthread_cond_init(&w.fetched, NULL);
	w.vrps = vrpset_new();
	w.aspas = aspaset_new();
	w.rks = rkset_new();
	if (w.vrps == NULL || w.aspas == NULL || w.rks == NULL)
		goto out;
	if (cfg->store_dir != NULL &&
	    (w.store = store_open(cfg->store_dir)) == NULL)
		goto out;
	if (cfg->memo_dir != NULL && cfg->memo_tag != NULL &&
	    (w.memo = memo_open(cfg->memo_dir, cfg->memo_tag)) == NULL)
		log_warnx_obj(cfg->memo_dir, "incremental validation off: "
		    "every publication point is validated in full");
	/*
	 * Without records, no point's result is known before; with a
	 * fetcher, report.json gets this run's fetch times and is written in
	 * any case: the entries go to the report as they come.  Unless the
	 * caller patches the report (report_lazy) and needs few of them.
	 */
	w.eager = !cfg->report_lazy && !cfg->report_drop &&
	    (w.memo == NULL || cfg->fetcher != NULL);
	for (i = 0; i < cfg->ntals; i++)
		w.ta_names[i] = cfg->tals[i]->name;
	if ((w.pool = threadpool_new(cfg->threads)) == NULL) {
		log_errorx("walk: cannot start worker threads");
		goto out;
	}
	for (i = 0; i < cfg->ntals; i++)
		start_tal(&w, (uint32_t)i);
	threadpool_wait(w.pool);
	if (w.fatal) {
		log_errorx("walk: out of memory");
		goto out;
	}
	/* The records not used are removed while the sets are sorted. */
	if (w.memo != NULL && threadpool_submit(w.pool, sweep_task,
	    w.memo) == -1)
		(void)memo_sweep(w.memo);
	/* So is the report prepared, when it is complete. */
	if (cfg->report_done != NULL && (w.eager || !cfg->report_defer) &&
	    threadpool_submit(w.pool, report_done_task, (void *)cfg) == -1)
		cfg->report_done(cfg->report_arg);
	frozen = vrpset_freeze(w.vrps) == PAYLOAD_OK &&
	    aspaset_freeze(w.aspas) == PAYLOAD_OK &&
	    rkset_freeze(w.rks) == PAYLOAD_OK;
	threadpool_wait(w.pool);
	if (!frozen || fill_names(cfg, out) == -1)
		goto out;
	out->vrps = w.vrps;
	out->aspas = w.aspas;
	out->rks = w.rks;
	w.vrps = NULL;
	w.aspas = NULL;
	w.rks = NULL;
	out->stats = w.stats;
	out->points = w.points;
	out->npoints = w.npoints;
	out->blocks = w.blocks;
	w.points = NULL;
	w.npoints = 0;
	w.blocks = w.last_block = NULL;
	/* Kept points' entries are read from their records when emitted. */
	out->memo = w.memo;
	w.memo = NULL;
	rc = 0;
 out:
	walk_cleanup(&w);
	if (rc == -1)
		walk_result_free(out);
	return rc;
}

/* Frees everything res owns. */
void
walk_result_free(struct walk_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	vrpset_free(res->vrps);
	aspaset_free(res->aspas);
	rkset_free(res->rks);
	if (res->ta_names != NULL)
		for (i = 0; i < res->ntas; i++)
			free(res->ta_names[i]);
	free(res->ta_names);
	for (i = 0; i < res->npoints; i++)
		point_free(&res->points[i]);
	free(res->points);
	blocks_free(res->blocks);
	memo_close(res->memo);
	memset(res, 0, sizeof(*res));
}

int
walk_result_report(struct walk_result *res, walk_report_fn fn, void *arg)
{
	return emit_points(res->points, res->npoints, NULL, &res->blocks,
	    (const char *const *)res->ta_names, res->ntas, fn, arg);
}

int
walk_result_report_some(struct walk_result *res, const unsigned char *want,
    walk_report_fn fn, void *arg)
{
	return emit_points(res->points, res->npoints, want, &res->blocks,
	    (const char *const *)res->ta_names, res->ntas, fn, arg);
}

const unsigned char *
walk_result_point_md(const struct walk_result *res, size_t i)
{
	return res->points[i].digest;
}

static int
digest_cmp(const void *a, const void *b)
{
	return memcmp(a, b, HASH_SHA256_LEN);
}

int
walk_result_report_digest(const struct walk_result *res, unsigned char *md)
{
	static const char what[] = "reef walk report entries 1";
	unsigned char (*dg)[HASH_SHA256_LEN];
	struct hash_sha256_ctx h;
	uint64_t n = res->npoints;
	size_t i;
	int rc = 0;

	/* Sorted: the order the workers finished in does not count. */
	if ((dg = calloc(res->npoints + 1, sizeof(*dg))) == NULL)
		return -1;
	for (i = 0; i < res->npoints; i++)
		memcpy(dg[i], res->points[i].digest, HASH_SHA256_LEN);
	qsort(dg, res->npoints, sizeof(*dg), digest_cmp);
	if (hash_sha256_init(&h) == -1) {
		free(dg);
		return -1;
	}
	rc |= hash_sha256_update(&h, what, sizeof(what));
	for (i = 0; i < res->ntas; i++)
		rc |= hash_sha256_update(&h, res->ta_names[i],
		    strlen(res->ta_names[i]) + 1);
	rc |= hash_sha256_update(&h, &n, sizeof(n));
	rc |= hash_sha256_update(&h, dg, res->npoints * sizeof(*dg));
	free(dg);
	if (hash_sha256_final(&h, md) == -1 || rc != 0)
		return -1;
	return 0;
}
