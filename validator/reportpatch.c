/*
 * report.json patched from the previous run's (reportpatch.h).
 *
 * First the plan: an old group can be copied when it holds no entry of
 * the walk's own and each of its points is among this run's with the
 * same digest.  The points it covers are not filled into the report; all
 * others are.  Then every entry the report holds is set against the
 * groups still to be copied, both in write order: a group whose URI range
 * holds one of them (an equal key included) is not copied after all and
 * its points are filled too, which adds entries inside its own range
 * only.  Last the write: the report's entries and the copied groups
 * merged in order, adjacent copied groups in one copy, and the new index
 * built from what is written.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/fdread.h"
#include "common/json.h"
#include "common/limits.h"
#include "validator/report_int.h"
#include "validator/reportpatch.h"

struct patch {
	struct report			*r;
	const struct report_points	*pts;
	const struct reportidx		*old;	/* NULL: nothing to copy */
	int				 oldfd;
	unsigned char			*want;	/* by point: fill now */
	unsigned char			*filled; /* by point */
	unsigned char			*copy;	/* by old group */
	uint32_t			*table;	/* point index + 1, by md */
	size_t				 tmask;
};

/* The first eight bytes of a digest, as the table's hash. */
static size_t
md_hash(const unsigned char *md)
{
	uint64_t h;

	memcpy(&h, md, sizeof(h));
	return (size_t)h;
}

static size_t	table_find(const struct patch *, const unsigned char *);

/*
 * Index the run's points by digest.  Two points with one digest (one
 * CA reached twice) would be told apart by no group: then nothing is
 * copied (p->old cleared).  0 or -1 on ENOMEM.
 */
static int
table_build(struct patch *p)
{
	const unsigned char *md;
	size_t cap = 1024, i, k;

	while (cap < 2 * p->pts->n)
		cap *= 2;
	if ((p->table = calloc(cap, sizeof(*p->table))) == NULL)
		return -1;
	p->tmask = cap - 1;
	for (i = 0; i < p->pts->n; i++) {
		md = p->pts->md(p->pts->arg, i);
		if (table_find(p, md) != SIZE_MAX)
			p->old = NULL;
		for (k = md_hash(md) & p->tmask; p->table[k] != 0;
		    k = (k + 1) & p->tmask)
			;
		p->table[k] = (uint32_t)i + 1;
	}
	return 0;
}

/* The run's point with digest md: its index, or SIZE_MAX. */
static size_t
table_find(const struct patch *p, const unsigned char *md)
{
	size_t k;

	for (k = md_hash(md) & p->tmask; p->table[k] != 0;
	    k = (k + 1) & p->tmask)
		if (memcmp(p->pts->md(p->pts->arg, p->table[k] - 1), md,
		    HASH_SHA256_LEN) == 0)
			return p->table[k] - 1;
	return SIZE_MAX;
}

/*
 * Mark the old groups that can be copied and the points they cover
 * (want cleared); a point named by two groups makes the second one not
 * copied.
 */
static void
plan(struct patch *p)
{
	const struct reportidx_group *g;
	size_t i, k, at;

	memset(p->want, 1, p->pts->n);
	for (i = 0; p->old != NULL && i < p->old->ngroups; i++) {
		g = &p->old->groups[i];
		p->copy[i] = (g->flags & REPORTIDX_OWN) == 0 && g->npoints > 0;
		for (k = 0; p->copy[i] && k < g->npoints; k++)
			if ((at = table_find(p, p->old->md[g->point0 + k])) ==
			    SIZE_MAX || !p->want[at])
				p->copy[i] = 0;
		for (k = 0; p->copy[i] && k < g->npoints; k++)
			p->want[table_find(p, p->old->md[g->point0 + k])] = 0;
	}
}

/* Give up copying group i: its points are to be filled. */
static void
uncopy(struct patch *p, size_t i)
{
	const struct reportidx_group *g = &p->old->groups[i];
	size_t k, at;

	p->copy[i] = 0;
	for (k = 0; k < g->npoints; k++)
		if ((at = table_find(p, p->old->md[g->point0 + k])) != SIZE_MAX)
			p->want[at] = 1;
}

/* Fill the points wanted and not filled yet.  0 or -1. */
static int
fill(struct patch *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->pts->n; i++) {
		if (p->filled[i])
			p->want[i] = 0;
		n += p->want[i];
	}
	if (n == 0)
		return 0;
	if (p->pts->fill(p->pts->arg, p->want) == -1)
		return -1;
	for (i = 0; i < p->pts->n; i++)
		p->filled[i] |= p->want[i];
	memset(p->want, 0, p->pts->n);
	return 0;
}

/*
 * Set c's entries against the groups to copy, both in write order, and
 * give up those whose range holds an entry.  Returns how many.
 */
static size_t
check_ranges(struct patch *p, const struct report_cursor *c)
{
	const struct reportidx *o = p->old;
	const struct reportidx_group *g;
	size_t i, fi = 0, n = report_cursor_n(c), given_up = 0;

	for (i = 0; o != NULL && i < o->ngroups; i++) {
		if (!p->copy[i])
			continue;
		g = &o->groups[i];
		while (fi < n && report_cursor_cmp(c, fi, reportidx_uri(o,
		    g->first), reportidx_type(o, g->first)) < 0)
			fi++;
		if (fi < n && report_cursor_cmp(c, fi, reportidx_uri(o,
		    g->last), reportidx_type(o, g->last)) <= 0) {
			uncopy(p, i);
			given_up++;
		}
	}
	return given_up;
}

/* The counters of the groups to copy, added to *n. */
static void
copied_counts(const struct patch *p, struct report_counts *n)
{
	const struct reportidx_group *g;
	size_t i;

	for (i = 0; p->old != NULL && i < p->old->ngroups; i++) {
		if (!p->copy[i])
			continue;
		g = &p->old->groups[i];
		n->accepted += g->accepted;
		n->rejected += g->n - g->accepted;
	}
}

/* The next old group to copy from g on, or the number of groups. */
static size_t
next_copy(const struct patch *p, size_t g)
{
	size_t n = p->old != NULL ? p->old->ngroups : 0;

	while (g < n && !p->copy[g])
		g++;
	return g;
}

/*
 * Fill the report with every point not copied and open a cursor on it
 * with the groups to copy settled.  A report that dropped entries, or
 * would hold more than MAX_REPORT_ENTRIES with the copies, gets
 * everything filled instead (a full write says what was dropped).  NULL
 * on failure.
 */
static struct report_cursor *
settle(struct patch *p, struct json *j)
{
	struct report_cursor *c;
	struct report_counts n;
	size_t i;

	for (;;) {
		if (fill(p) == -1 ||
		    (c = report_cursor_open(p->r, j)) == NULL)
			return NULL;
		if (check_ranges(p, c) == 0) {
			report_cursor_counts(c, &n);
			copied_counts(p, &n);
			if (next_copy(p, 0) == (p->old != NULL ?
			    p->old->ngroups : 0) || (n.dropped == 0 &&
			    n.accepted + n.rejected <= MAX_REPORT_ENTRIES))
				return c;
			for (i = 0; i < p->old->ngroups; i++)
				if (p->copy[i])
					uncopy(p, i);
		}
		(void)report_cursor_close(c);
	}
}

/* What the write keeps while merging. */
struct merge {
	struct patch		*p;
	struct report_cursor	*c;
	struct json		*j;
	FILE			*fp;
	struct reportidx	*ix;
	size_t			*last;		/* by point id: its last entry */
	size_t			*stamp;		/* by point id: group added to */
	size_t			 serial;	/* of the group open */
	size_t			 maxlast;	/* last entry of its points */
	size_t			 elements;	/* written so far */
	uint64_t		 copied;	/* bytes */
	char			 uri[MAX_URI_LENGTH + 1];
};

/* Write the report's entry i, adding it to the index.  0 or -1. */
static int
put_entry(struct merge *m, size_t i)
{
	const char *type = report_cursor_type(m->c, i);
	uint32_t id = report_cursor_point(m->c, i);
	uint64_t start = json_offset(m->j) + (m->elements > 0);
	int ok = report_cursor_accepted(m->c, i), have_uri = 0;

	/* The URI is needed to open or close a group only. */
	if (!m->ix->open) {
		(void)report_cursor_uri(m->c, i, m->uri);
		have_uri = 1;
		reportidx_open(m->ix, start, m->uri, type);
		m->serial++;
		m->maxlast = i;
	}
	if (id != 0) {
		if (m->stamp[id] != m->serial) {
			m->stamp[id] = m->serial;
			reportidx_point(m->ix,
			    report_cursor_point_md(m->c, id));
		}
		if (m->last[id] > m->maxlast)
			m->maxlast = m->last[id];
	}
	reportidx_count(m->ix, 1, ok != 0, id == 0);
	if (report_cursor_entry(m->c, i) == -1)
		return -1;
	m->elements++;
	/* Equal keys stay in one group: their order is the insertion's. */
	if (m->maxlast <= i && (i + 1 == report_cursor_n(m->c) ||
	    !report_cursor_same_key(m->c, i, i + 1))) {
		if (!have_uri)
			(void)report_cursor_uri(m->c, i, m->uri);
		reportidx_close(m->ix, json_offset(m->j), m->uri, type);
	}
	return 0;
}

/*
 * Copy the old groups to copy from g on that lie next to each other in
 * the old file with no entry of the report (fi on) between: one copy.
 * Returns the group after the last copied, or SIZE_MAX on failure.
 */
static size_t
put_groups(struct merge *m, size_t g, size_t fi)
{
	const struct reportidx *o = m->p->old;
	const struct reportidx_group *a = &o->groups[g], *b;
	size_t h = g, n = report_cursor_n(m->c);
	uint64_t base, len;

	while (h + 1 < o->ngroups && m->p->copy[h + 1] &&
	    o->groups[h + 1].off == o->groups[h].off + o->groups[h].len + 1 &&
	    (fi == n || report_cursor_cmp(m->c, fi, reportidx_uri(o,
	    o->groups[h + 1].first), reportidx_type(o,
	    o->groups[h + 1].first)) > 0))
		h++;
	b = &o->groups[h];
	len = b->off + b->len - a->off;
	if (json_splice(m->j, len) == -1 || fflush(m->fp) != 0 ||
	    fd_copy_range(fileno(m->fp), m->p->oldfd, a->off, len) == -1)
		return SIZE_MAX;
	base = json_offset(m->j) - len;
	m->copied += len;
	for (; g <= h; g++)
		reportidx_add(m->ix, o, g, base + o->groups[g].off - a->off);
	m->elements++;
	return h + 1;
}

/* Write the objects: entries and copied groups merged.  0 or -1. */
static int
merge_write(struct merge *m)
{
	const struct reportidx *o = m->p->old;
	size_t fi = 0, n = report_cursor_n(m->c), i, np;
	size_t ng = o != NULL ? o->ngroups : 0, g = next_copy(m->p, 0);

	np = report_cursor_npoints(m->c);
	if ((m->last = calloc(np + 1, sizeof(*m->last))) == NULL ||
	    (m->stamp = calloc(np + 1, sizeof(*m->stamp))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		m->last[report_cursor_point(m->c, i)] = i;
	while (fi < n || g < ng) {
		if (g < ng && (fi == n || report_cursor_cmp(m->c, fi,
		    reportidx_uri(o, o->groups[g].first), reportidx_type(o,
		    o->groups[g].first)) > 0)) {
			if ((g = put_groups(m, g, fi)) == SIZE_MAX)
				return -1;
			g = next_copy(m->p, g);
		} else if (put_entry(m, fi++) == -1)
			return -1;
	}
	return 0;
}

/* Write the whole report to j (the plan made).  0 or -1. */
static int
write_all(struct patch *p, struct json *j, FILE *fp, struct reportidx *ix,
    uint64_t *copied)
{
	struct report_counts n;
	struct merge m;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	m.p = p;
	m.j = j;
	m.fp = fp;
	m.ix = ix;
	if ((m.c = settle(p, j)) == NULL)
		return -1;
	report_cursor_counts(m.c, &n);
	copied_counts(p, &n);
	if (report_cursor_head(m.c, &n) == 0 && merge_write(&m) == 0)
		rc = 0;
	if (report_cursor_close(m.c) == -1)
		rc = -1;
	*copied = m.copied;
	free(m.last);
	free(m.stamp);
	return rc;
}

static const unsigned char *
no_md(void *arg, size_t i)
{
	(void)arg;
	(void)i;
	return NULL;
}

static int
no_fill(void *arg, const unsigned char *want)
{
	(void)arg;
	(void)want;
	return 0;
}

int
report_patch_write(struct report *r, const struct report_points *pts,
    const struct reportidx *old, int oldfd, FILE *fp, struct reportidx *ix,
    uint64_t *copied)
{
	static const struct report_points none = { 0, no_md, no_fill, NULL };
	struct patch p;
	uint64_t n = 0;
	struct json *j = NULL;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.r = r;
	p.pts = pts != NULL ? pts : &none;
	p.old = oldfd != -1 ? old : NULL;
	p.oldfd = oldfd;
	if ((p.want = calloc(p.pts->n + 1, 1)) == NULL ||
	    (p.filled = calloc(p.pts->n + 1, 1)) == NULL ||
	    (p.old != NULL && (p.copy = calloc(p.old->ngroups + 1, 1)) ==
	    NULL) || table_build(&p) == -1)
		goto out;
	plan(&p);
	if ((j = json_new_file(fp, JSON_PRETTY)) == NULL)
		goto out;
	json_flat_from(j, 3);	/* one repository or object per line */
	if (write_all(&p, j, fp, ix, &n) == 0 && json_finish(j) == 0)
		rc = 0;
	if (copied != NULL)
		*copied = n;
 out:
	json_free(j);
	free(p.want);
	free(p.filled);
	free(p.copy);
	free(p.table);
	return rc;
}
