/*
 * ASPA sets keyed by customer AS.  See aspaset.h for rules and merging.
 */
#include <stdlib.h>
#include <string.h>

#include "aspaset.h"

/* First allocations; doubled from there. */
#define ENTRIES_INITIAL		256
#define PROVIDERS_INITIAL	1024

/* An entry refers to nprov providers at pool[off]. */
struct aspa_ent {
	int64_t		expires;
	uint32_t	customer;
	uint32_t	ta;
	uint32_t	off;
	uint32_t	nprov;
};

struct aspaset {
	struct aspa_ent	*e;
	size_t		 n;
	size_t		 cap;
	uint32_t	*pool;
	size_t		 pooln;
	size_t		 poolcap;
	int		 frozen;
};

/*
 * Returns a new empty set owned by the caller, or NULL.
 */
struct aspaset *
aspaset_new(void)
{
	return calloc(1, sizeof(struct aspaset));
}

/*
 * Frees the set, its entries and provider storage.
 */
void
aspaset_free(struct aspaset *s)
{
	if (s == NULL)
		return;
	free(s->e);
	free(s->pool);
	free(s);
}

/*
 * Returns PAYLOAD_OK or the profile rule *a breaks.
 */
int
aspa_check(const struct aspa *a)
{
	size_t i;

	/* draft-ietf-sidrops-aspa-profile section 3: CAS is 1..4294967295. */
	if (a->customer == 0)
		return PAYLOAD_EASN;
	if (a->nproviders == 0 || a->nproviders > MAX_ASPA_PROVIDERS ||
	    a->providers == NULL)
		return PAYLOAD_EPROVIDERS;
	/* Section 3.3: the customer must not be among its providers. */
	for (i = 0; i < a->nproviders; i++)
		if (a->providers[i] == a->customer)
			return PAYLOAD_EPROVIDERS;
	return PAYLOAD_OK;
}

/*
 * Returns 1 if asn is a provider of *a, else 0.
 */
int
aspa_has_provider(const struct aspa *a, uint32_t asn)
{
	size_t lo = 0, hi = a->nproviders, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (a->providers[mid] == asn)
			return 1;
		if (a->providers[mid] < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int
u32cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return a < b ? -1 : a > b;
}

/* Sort p[0..n) and drop repetitions; returns the new count. */
static size_t
sort_unique(uint32_t *p, size_t n)
{
	size_t i, out;

	if (n > 1)
		qsort(p, n, sizeof(p[0]), u32cmp);
	for (i = 0, out = 0; i < n; i++)
		if (out == 0 || p[out - 1] != p[i])
			p[out++] = p[i];
	return out;
}

/* Make room for one more entry and nprov more providers. */
static int
reserve(struct aspaset *s, size_t nprov)
{
	struct aspa_ent *ne;
	uint32_t *np;
	size_t ncap;

	if (s->n >= PAYLOAD_SET_MAX || nprov > PAYLOAD_SET_MAX - s->pooln)
		return PAYLOAD_ELIMIT;
	if (s->n == s->cap) {
		ncap = s->cap == 0 ? ENTRIES_INITIAL : s->cap * 2;
		if ((ne = reallocarray(s->e, ncap, sizeof(*ne))) == NULL)
			return PAYLOAD_ENOMEM;
		s->e = ne;
		s->cap = ncap;
	}
	if (s->pooln + nprov > s->poolcap) {
		ncap = s->poolcap == 0 ? PROVIDERS_INITIAL : s->poolcap;
		while (ncap < s->pooln + nprov)
			ncap *= 2;
		if ((np = reallocarray(s->pool, ncap, sizeof(*np))) == NULL)
			return PAYLOAD_ENOMEM;
		s->pool = np;
		s->poolcap = ncap;
	}
	return PAYLOAD_OK;
}

/*
 * Returns PAYLOAD_OK with a normalised copy of *a appended, or an
 * error (set unchanged).
 */
int
aspaset_add(struct aspaset *s, const struct aspa *a)
{
	struct aspa_ent *e;
	int rv;

	if (s->frozen)
		return PAYLOAD_ESTATE;
	if ((rv = aspa_check(a)) != PAYLOAD_OK)
		return rv;
	if ((rv = reserve(s, a->nproviders)) != PAYLOAD_OK)
		return rv;
	e = &s->e[s->n++];
	e->customer = a->customer;
	e->ta = a->ta;
	e->expires = a->expires;
	e->off = (uint32_t)s->pooln;
	memcpy(s->pool + s->pooln, a->providers,
	    a->nproviders * sizeof(s->pool[0]));
	e->nprov = (uint32_t)sort_unique(s->pool + s->pooln, a->nproviders);
	s->pooln += e->nprov;
	return PAYLOAD_OK;
}

/* By customer; ties by pool offset so the sort is fully determined. */
static int
entcmp(const void *pa, const void *pb)
{
	const struct aspa_ent *a = pa, *b = pb;

	if (a->customer != b->customer)
		return a->customer < b->customer ? -1 : 1;
	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	return 0;
}

/*
 * Returns PAYLOAD_OK once entries are merged per customer and
 * sorted, or an error (set unchanged).
 */
int
aspaset_freeze(struct aspaset *s)
{
	struct aspa_ent first, *m;
	uint32_t *np = NULL;
	size_t i, j, out, pn;

	if (s->frozen)
		return PAYLOAD_ESTATE;
	/* The merged providers never outnumber the ones stored now. */
	if ((np = calloc(s->pooln > 0 ? s->pooln : 1, sizeof(*np))) == NULL)
		return PAYLOAD_ENOMEM;
	if (s->n > 1)
		qsort(s->e, s->n, sizeof(s->e[0]), entcmp);
	for (i = 0, out = 0, pn = 0; i < s->n; i = j) {
		/* Entry i may be the slot written next, so copy it first. */
		first = s->e[i];
		m = &s->e[out++];
		*m = first;
		m->off = (uint32_t)pn;
		memcpy(np + pn, s->pool + first.off, first.nprov * sizeof(*np));
		pn += first.nprov;
		for (j = i + 1; j < s->n && s->e[j].customer == m->customer;
		    j++) {
			memcpy(np + pn, s->pool + s->e[j].off,
			    s->e[j].nprov * sizeof(*np));
			pn += s->e[j].nprov;
			if (s->e[j].expires < m->expires)
				m->expires = s->e[j].expires;
			if (s->e[j].ta < m->ta)
				m->ta = s->e[j].ta;
		}
		if (j > i + 1) {
			m->nprov = (uint32_t)sort_unique(np + m->off,
			    pn - m->off);
			pn = m->off + m->nprov;
		}
	}
	free(s->pool);
	s->pool = np;
	s->pooln = s->poolcap = pn;
	s->n = out;
	s->frozen = 1;
	return PAYLOAD_OK;
}

/*
 * Returns 1 if the set is frozen.
 */
int
aspaset_frozen(const struct aspaset *s)
{
	return s->frozen;
}

/*
 * Returns the number of entries.
 */
size_t
aspaset_count(const struct aspaset *s)
{
	return s->n;
}

static void
view(const struct aspaset *s, const struct aspa_ent *e, struct aspa *out)
{
	out->customer = e->customer;
	out->ta = e->ta;
	out->expires = e->expires;
	out->providers = s->pool + e->off;
	out->nproviders = e->nprov;
}

/*
 * Returns 1 with entry i in *out (providers owned by the set),
 * or 0.
 */
int
aspaset_get(const struct aspaset *s, size_t i, struct aspa *out)
{
	if (i >= s->n)
		return 0;
	view(s, &s->e[i], out);
	return 1;
}

/*
 * Returns 1 with the customer's entry in *out (providers owned
 * by the set), 0 if absent, or PAYLOAD_ESTATE.
 */
int
aspaset_find(const struct aspaset *s, uint32_t customer, struct aspa *out)
{
	size_t lo = 0, hi = s->n, mid;

	if (!s->frozen)
		return PAYLOAD_ESTATE;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->e[mid].customer == customer) {
			view(s, &s->e[mid], out);
			return 1;
		}
		if (s->e[mid].customer < customer)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Returns 1 if two entries (of different sets) list the same providers. */
static int
same_providers(const struct aspaset *a, const struct aspa_ent *ea,
    const struct aspaset *b, const struct aspa_ent *eb)
{
	if (ea->nprov != eb->nprov)
		return 0;
	return memcmp(a->pool + ea->off, b->pool + eb->off,
	    ea->nprov * sizeof(a->pool[0])) == 0;
}

/*
 * One merge pass over two frozen sets: count (lists NULL) or fill the
 * announce and withdraw lists.
 */
static void
diff_walk(const struct aspaset *o, const struct aspaset *n,
    struct aspa_diff *d, struct aspa *ann, struct aspa *wd)
{
	size_t i = 0, j = 0;
	int rv;

	d->nannounce = d->nwithdraw = 0;
	while (i < o->n || j < n->n) {
		if (i == o->n)
			rv = 1;
		else if (j == n->n)
			rv = -1;
		else if (o->e[i].customer != n->e[j].customer)
			rv = o->e[i].customer < n->e[j].customer ? -1 : 1;
		else
			rv = 0;
		if (rv < 0) {
			if (wd != NULL)
				view(o, &o->e[i], &wd[d->nwithdraw]);
			d->nwithdraw++;
			i++;
			continue;
		}
		if (rv > 0 || !same_providers(o, &o->e[i], n, &n->e[j])) {
			if (ann != NULL)
				view(n, &n->e[j], &ann[d->nannounce]);
			d->nannounce++;
		}
		if (rv == 0)
			i++;
		j++;
	}
}

/*
 * Returns PAYLOAD_OK with caller-owned lists in *diff (providers
 * owned by the sets), or an error with *diff empty.
 */
int
aspaset_diff(const struct aspaset *old, const struct aspaset *new,
    struct aspa_diff *diff)
{
	struct aspa_diff d;
	struct aspa *ann = NULL, *wd = NULL;
	int rv = PAYLOAD_ESTATE;

	memset(diff, 0, sizeof(*diff));
	if (!old->frozen || !new->frozen)
		goto out;
	rv = PAYLOAD_ENOMEM;
	diff_walk(old, new, &d, NULL, NULL);
	if (d.nannounce > 0 &&
	    (ann = calloc(d.nannounce, sizeof(*ann))) == NULL)
		goto out;
	if (d.nwithdraw > 0 && (wd = calloc(d.nwithdraw, sizeof(*wd))) == NULL)
		goto out;
	diff_walk(old, new, &d, ann, wd);
	d.announce = ann;
	d.withdraw = wd;
	*diff = d;
	ann = wd = NULL;
	rv = PAYLOAD_OK;
out:
	free(ann);
	free(wd);
	return rv;
}

/*
 * Frees the lists of *d and empties it.
 */
void
aspa_diff_free(struct aspa_diff *d)
{
	if (d == NULL)
		return;
	free(d->announce);
	free(d->withdraw);
	memset(d, 0, sizeof(*d));
}
