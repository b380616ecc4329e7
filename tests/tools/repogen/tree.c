/*
 * The CA hierarchy: shape, repositories (rsync modules), names, serials and
 * RFC 3779 resources, all decided up front from the seed.
 *
 * Resources: TA i gets the i-th of tas equal power-of-two slices of the IPv4
 * and IPv6 space and an equal slice of the AS number space.  A CA splits its
 * allocation into power-of-two chunks: chunk 0 for its own objects (ROAs,
 * ASPAs, router certs), then one or two adjacent chunks per child.  Two
 * chunks starting at an odd index are not a prefix, so some certificates
 * carry ranges (RFC 3779 2.1.2).  Allocations of siblings never overlap, so
 * every expected VRP, ASPA and router key is unique.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repogen.h"

enum purpose { P_SHAPE = 1, P_NAME, P_ALLOC };

#define AS_FIRST	1ULL
#define AS_LAST		4294967294ULL	/* 2^32 - 2; AS 0 and 2^32-1 unused */

typedef unsigned __int128 u128;

/* floor(log2(v)) for v > 0. */
static int
ilog2(u128 v)
{
	int	n = -1;

	while (v > 0) {
		v >>= 1;
		n++;
	}
	return n;
}

/*
 * Split the aligned range r into power-of-two chunks: out[0] is the own
 * chunk (if own), then take[i] chunks for child i.  Ranges are aligned, so
 * a chunk or an even-aligned pair is a prefix.
 */
static void
split_pow2(const struct range *r, int own, const int *take, int n,
    struct range *ownr, struct range *out)
{
	u128	size = (u128)r->hi - r->lo + 1, chunk;
	int	total = own ? 1 : 0, i;
	u128	pos;

	for (i = 0; i < n; i++)
		total += take[i];
	chunk = (u128)1 << ilog2(size / (u128)(total > 0 ? total : 1));
	if (chunk == 0)
		chunk = 1;
	pos = r->lo;
	if (own) {
		ownr->lo = (uint64_t)pos;
		ownr->hi = (uint64_t)(pos + chunk - 1);
		pos += chunk;
	}
	for (i = 0; i < n; i++) {
		out[i].lo = (uint64_t)pos;
		out[i].hi = (uint64_t)(pos + chunk * (u128)take[i] - 1);
		pos += chunk * (u128)take[i];
	}
}

/* The same for AS numbers, without alignment. */
static void
split_lin(const struct range *r, int own, const int *take, int n,
    struct range *ownr, struct range *out)
{
	uint64_t	size = r->hi - r->lo + 1, w, pos;
	int		total = own ? 1 : 0, i;

	for (i = 0; i < n; i++)
		total += take[i];
	w = size / (uint64_t)(total > 0 ? total : 1);
	if (w == 0)
		w = 1;
	pos = r->lo;
	if (own) {
		ownr->lo = pos;
		ownr->hi = pos + w - 1;
		pos += w;
	}
	for (i = 0; i < n; i++) {
		out[i].lo = pos;
		out[i].hi = pos + w * (uint64_t)take[i] - 1;
		pos += w * (uint64_t)take[i];
	}
}

static int
grow_ca(struct gen *g, int *cap)
{
	if (g->ncas == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		g->cas = rg_xreallocarray(g->cas, (size_t)*cap, sizeof(*g->cas));
	}
	memset(&g->cas[g->ncas], 0, sizeof(g->cas[0]));
	g->cas[g->ncas].id = g->ncas;
	return g->ncas++;
}

/* Breadth-first creation of the shape: ids are stable for given options. */
static void
make_shape(struct gen *g)
{
	struct prng	r;
	int		cap = 0, i, j, n, id;

	rg_prng_init(&r, g->seed, P_SHAPE, 0);
	for (i = 0; i < g->tas; i++) {
		id = grow_ca(g, &cap);
		g->cas[id].parent = -1;
		g->cas[id].ta = i;
	}
	for (i = 0; i < g->ncas; i++) {
		if (g->cas[i].depth >= g->depth)
			continue;
		n = g->breadth;
		if (g->cas[i].depth > 0)
			n = g->breadth / 2 + (int)rg_prng_below(&r,
			    (uint64_t)g->breadth + 1);
		g->cas[i].children = rg_xcalloc((size_t)(n ? n : 1), sizeof(int));
		for (j = 0; j < n; j++) {
			id = grow_ca(g, &cap);
			g->cas[id].parent = i;
			g->cas[id].ta = g->cas[i].ta;
			g->cas[id].depth = g->cas[i].depth + 1;
			g->cas[i].children[g->cas[i].nchildren++] = id;
		}
	}
}

static void
name_and_place(struct gen *g, struct ca *c, struct prng *r)
{
	const struct ca	*p;

	c->key = c->id;
	c->serial = (rg_prng_next(r) >> 2) | 1;
	c->mftnum = 10 + rg_prng_below(r, 1000);
	if (c->parent == -1) {
		rg_uri_printf(c->name, sizeof(c->name), "ta%d", c->ta);
		c->repo = c->ta;
		return;
	}
	p = &g->cas[c->parent];
	rg_rand_name(r, c->name, 17);
	c->repo = p->repo;
	if (g->repos > 0 && rg_prng_chance(r, c->depth == 1 ? 3 : 1, 4))
		c->repo = g->tas + (int)rg_prng_below(r, (uint64_t)g->repos);
	c->as_inherit = rg_prng_chance(r, 1, 4);
	c->ip_inherit = g->ip_inherit && rg_prng_chance(r, 1, 4);
}

static void
alloc_children(struct gen *g, struct ca *c, struct prng *r)
{
	int		*take, i, own = 1;
	struct range	*o4, *o6, *oas;

	take = rg_xcalloc((size_t)c->nchildren + 1, sizeof(int));
	o4 = rg_xcalloc((size_t)c->nchildren + 1, sizeof(*o4));
	o6 = rg_xcalloc((size_t)c->nchildren + 1, sizeof(*o6));
	oas = rg_xcalloc((size_t)c->nchildren + 1, sizeof(*oas));
	for (i = 0; i < c->nchildren; i++)
		take[i] = rg_prng_chance(r, 1, 4) ? 2 : 1;
	split_pow2(&c->v4, own, take, c->nchildren, &c->own4, o4);
	split_pow2(&c->v6, own, take, c->nchildren, &c->own6, o6);
	split_lin(&c->as, own, take, c->nchildren, &c->ownas, oas);
	for (i = 0; i < c->nchildren; i++) {
		struct ca	*k = &g->cas[c->children[i]];

		k->v4 = o4[i];
		k->v6 = o6[i];
		k->as = oas[i];
		k->ev4 = k->ip_inherit ? c->ev4 : k->v4;
		k->ev6 = k->ip_inherit ? c->ev6 : k->v6;
		k->eas = k->as_inherit ? c->eas : k->as;
	}
	free(take);
	free(o4);
	free(o6);
	free(oas);
}

static void
alloc_tas(struct gen *g)
{
	struct range	 all4 = { 0, 0xffffffffULL }, all6 = { 0, ~0ULL };
	struct range	 allas = { AS_FIRST, AS_LAST }, dummy;
	struct range	*o4, *o6, *oas;
	int		*take, i;

	take = rg_xcalloc((size_t)g->tas, sizeof(int));
	o4 = rg_xcalloc((size_t)g->tas, sizeof(*o4));
	o6 = rg_xcalloc((size_t)g->tas, sizeof(*o6));
	oas = rg_xcalloc((size_t)g->tas, sizeof(*oas));
	for (i = 0; i < g->tas; i++)
		take[i] = 1;
	split_pow2(&all4, 0, take, g->tas, &dummy, o4);
	split_pow2(&all6, 0, take, g->tas, &dummy, o6);
	split_lin(&allas, 0, take, g->tas, &dummy, oas);
	for (i = 0; i < g->tas; i++) {
		g->cas[i].v4 = g->cas[i].ev4 = o4[i];
		g->cas[i].v6 = g->cas[i].ev6 = o6[i];
		g->cas[i].as = g->cas[i].eas = oas[i];
	}
	free(take);
	free(o4);
	free(o6);
	free(oas);
}

/* Spread --roas over the CAs below the TAs (over the TAs if there are none). */
static void
plan_objects(struct gen *g, struct prng *r)
{
	int	first = g->ncas > g->tas ? g->tas : 0, n = g->ncas - first;
	int	i, base, rem;

	base = g->roas / n;
	rem = g->roas % n;
	for (i = first; i < g->ncas; i++) {
		struct ca	*c = &g->cas[i];

		c->nroas = base + (i - first < rem ? 1 : 0);
		if (c->parent == -1 && first != 0)
			continue;
		if (rg_prng_chance(r, 1, 3))
			c->naspas = 1 + rg_prng_chance(r, 1, 4);
		if (rg_prng_chance(r, 1, 6))
			c->nrouters = 1;
	}
}

/*
 * Build g->cas from the options.  Returns 0 or -1.
 */
int
rg_tree_build(struct gen *g)
{
	struct prng	r;
	int		i;

	make_shape(g);
	rg_prng_init(&r, g->seed, P_NAME, 0);
	for (i = 0; i < g->ncas; i++)
		name_and_place(g, &g->cas[i], &r);
	alloc_tas(g);
	rg_prng_init(&r, g->seed, P_ALLOC, 0);
	for (i = 0; i < g->ncas; i++) {
		struct ca	*c = &g->cas[i];

		if (c->nchildren > 0)
			alloc_children(g, c, &r);
		else {
			c->own4 = c->v4;
			c->own6 = c->v6;
			c->ownas = c->as;
		}
	}
	plan_objects(g, &r);
	g->nmodules = g->tas + g->repos;
	return 0;
}

/*
 * Free the tree and every per-CA output of g.
 */
void
rg_tree_free(struct gen *g)
{
	int	i;

	for (i = 0; i < g->ncas; i++) {
		free(g->cas[i].children);
		free(g->cas[i].out.vrps);
		free(g->cas[i].out.aspas);
		for (size_t k = 0; k < g->cas[i].out.nrks; k++)
			free(g->cas[i].out.rks[k].spki_b64);
		free(g->cas[i].out.rks);
	}
	free(g->cas);
	g->cas = NULL;
}

/*
 * Writes the name of module n (a repository) to out and returns out.
 */
const char *
rg_tree_module(const struct gen *g, int n, char *out, size_t sz)
{
	if (n < g->tas)
		rg_uri_printf(out, sz, "repo-ta%d", n);
	else
		rg_uri_printf(out, sz, "repo%d", n - g->tas);
	return out;
}

/*
 * The rsync URI of c's publication point, with a trailing slash.
 */
void
rg_tree_ca_dir_uri(const struct gen *g, const struct ca *c, char *out, size_t sz)
{
	char	mod[64];

	rg_uri_printf(out, sz, "rsync://%s/%s/%s/", g->rsync_host,
	    rg_tree_module(g, c->repo, mod, sizeof(mod)), c->name);
}

/*
 * The rsync URI of c's certificate: in module "ta" for a TA, else in the
 * parent's publication point.
 */
void
rg_tree_ca_cert_uri(const struct gen *g, const struct ca *c, char *out, size_t sz)
{
	char	dir[RG_MAX_PATH];

	if (c->parent == -1) {
		rg_uri_printf(out, sz, "rsync://%s/ta/%s.cer", g->rsync_host,
		    c->name);
		return;
	}
	rg_tree_ca_dir_uri(g, &g->cas[c->parent], dir, sizeof(dir));
	rg_uri_printf(out, sz, "%s%s.cer", dir, c->name);
}

/*
 * The directory of c's publication point in the current generation.
 */
void
rg_tree_ca_path(const struct gen *g, const struct ca *c, char *out, size_t sz)
{
	char	mod[64];

	rg_uri_printf(out, sz, "%s/rsync/%s/%s", g->gendir,
	    rg_tree_module(g, c->repo, mod, sizeof(mod)), c->name);
}

/*
 * Returns 1 if c is anc or below it.
 */
int
rg_tree_in_subtree(const struct gen *g, int anc, int c)
{
	for (; c != -1; c = g->cas[c].parent)
		if (c == anc)
			return 1;
	return 0;
}
