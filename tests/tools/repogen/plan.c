/*
 * What a CA publishes in each generation: its ROAs (with the changes of
 * generation 2 and the ROA-level defects) and its ASPA objects.  Everything
 * derives from per-CA random streams, so a plan does not depend on which
 * thread or in which order it is computed, and generation 2 reproduces every
 * unchanged generation 1 object exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "repogen.h"

enum { P_ROA = 10, P_GEN2 = 11, P_ASPA = 12, P_EXTRA = 13 };

#define V4_MAX_ROA_LEN	24	/* longest generated ROA prefixes */
#define V6_MAX_ROA_LEN	48
#define ROA_LEN_SPREAD	8	/* how much longer than the chunk a prefix is */
#define MAXLEN_SPREAD	8
#define GEN2_CHANGE_DEN	10	/* 1 in 10 withdrawn, 1 in 10 changed */
#define GEN2_MAX_NEW	3
#define TRIES		64

typedef unsigned __int128 u128;

static int
bits_of(u128 v)
{
	int	n = -1;

	while (v > 0) {
		v >>= 1;
		n++;
	}
	return n;
}

/*
 * A random prefix inside own.  own may be two chunks starting at an odd
 * chunk, so only its first aligned power-of-two block is used.
 */
static void
rand_pfx(struct prng *r, int afi, const struct range *own, struct pfx *p)
{
	int	width = afi == 1 ? 32 : 64, maxw = afi == 1 ? 32 : 128;
	int	cap = afi == 1 ? V4_MAX_ROA_LEN : V6_MAX_ROA_LEN;
	int	base, span, len, extra, q;
	u128	size = (u128)own->hi - own->lo + 1, idx;

	q = bits_of(size);
	while (q > 0 && (own->lo & (((u128)1 << q) - 1)) != 0)
		q--;
	base = width - q;
	if (base > cap)
		cap = width;
	span = cap - base < ROA_LEN_SPREAD ? cap - base : ROA_LEN_SPREAD;
	len = base + (int)rg_prng_below(r, (uint64_t)span + 1);
	idx = rg_prng_below(r, (uint64_t)1 << (len - base));
	p->afi = (uint8_t)afi;
	p->len = (uint8_t)len;
	p->addr = (uint64_t)(own->lo + (idx << (width - len)));
	p->maxlen = (uint8_t)len;
	if (rg_prng_chance(r, 1, 2)) {
		extra = maxw - len < MAXLEN_SPREAD ? maxw - len : MAXLEN_SPREAD;
		p->maxlen = (uint8_t)(len + (int)rg_prng_below(r,
		    (uint64_t)extra + 1));
	}
}

static void
roa_make(const struct ca *c, struct prng *r, int born, struct roa_spec *s)
{
	int	n, mode, i, afi;

	memset(s, 0, sizeof(*s));
	rg_rand_name(r, s->name, 17);
	s->asid = (uint32_t)(c->ownas.lo + rg_prng_below(r,
	    c->ownas.hi - c->ownas.lo + 1));
	s->serial = (rg_prng_next(r) >> 2) | 1;
	s->born = born;
	s->defect = -1;
	n = 1 + (int)rg_prng_below(r, 4);
	mode = (int)rg_prng_below(r, 10);
	for (i = 0; i < n; i++) {
		afi = mode < 6 ? 1 : mode < 8 ? 2 : 1 + (i % 2);
		rand_pfx(r, afi, afi == 1 ? &c->own4 : &c->own6, &s->pfx[i]);
	}
	s->npfx = n;
	rg_roa_normalise(s);
}

static int
overlaps(const struct pfx *a, const struct pfx *b)
{
	uint64_t	alo, ahi, blo, bhi;

	if (a->afi != b->afi)
		return 0;
	rg_pfx_range(a, &alo, &ahi);
	rg_pfx_range(b, &blo, &bhi);
	return alo <= bhi && blo <= ahi;
}

/* roa-prefix-outside-ee: add a prefix disjoint from the others. */
static void
add_disjoint(const struct ca *c, struct prng *r, struct roa_spec *s)
{
	struct pfx	p;
	int		t, i, clash;

	for (t = 0; t < TRIES; t++) {
		int	afi = 1 + (t % 2);

		rand_pfx(r, afi, afi == 1 ? &c->own4 : &c->own6, &p);
		for (clash = 0, i = 0; i < s->npfx; i++)
			clash |= overlaps(&p, &s->pfx[i]);
		if (!clash)
			break;
	}
	if (t == TRIES) {
		/* Own chunk too small: drop all but one prefix instead. */
		s->npfx = 1;
		rand_pfx(r, s->pfx[0].afi == 1 ? 2 : 1,
		    s->pfx[0].afi == 1 ? &c->own6 : &c->own4, &p);
	}
	p.maxlen = p.len;
	s->xpfx = p;
	s->pfx[s->npfx++] = p;
	rg_roa_normalise(s);
}

/* ee-resources-outside-issuer: a prefix just outside the CA's resources. */
static void
add_outside(const struct ca *c, struct roa_spec *s)
{
	struct pfx	p;

	if (rg_res_outside(&c->ev4, &c->ev6, &p) == -1)
		return;		/* rg_defects_choose() rules this out */
	if (s->npfx == RG_MAX_ROA_PFX)
		s->npfx--;
	s->pfx[s->npfx++] = p;
	rg_roa_normalise(s);
}

static int
needs_roa(int d)
{
	return rg_defect_scope(d) == SCOPE_ROA || d == DEF_MFT_HASH_MISMATCH ||
	    d == DEF_FILE_MISSING;
}

static void
apply_defects(const struct ca *c, struct prng *r, struct roa_spec *s,
    int *n)
{
	int	d, k = 0;

	for (d = 0; d < DEF__COUNT; d++) {
		if (!(c->defects & (1U << d)))
			continue;
		if (d == DEF_FILE_NOT_ON_MFT) {
			roa_make(c, r, 1, &s[*n]);
			s[(*n)++].defect = d;
			continue;
		}
		if (!needs_roa(d) || k >= *n)
			continue;
		s[k].defect = d;
		if (d == DEF_EE_RES_OUTSIDE)
			add_outside(c, &s[k]);
		else if (d == DEF_ROA_PFX_OUTSIDE_EE)
			add_disjoint(c, r, &s[k]);
		k++;
	}
}

/* Generation 2: withdraw, change and add some ROAs. */
static void
gen2_changes(const struct gen *g, const struct ca *c, struct roa_spec *s,
    int *n, uint64_t *rev, size_t *nrev)
{
	struct prng	r;
	int		i, out = 0, nnew, orig = *n;
	char		name[RG_NAME_LEN];

	rg_prng_init(&r, g->seed, P_GEN2, (uint64_t)c->id);
	for (i = 0; i < orig; i++) {
		uint64_t	x = rg_prng_below(&r, GEN2_CHANGE_DEN);

		if (x == 0) {
			/* Withdrawn; the first one is also revoked. */
			if (*nrev == 0)
				rev[(*nrev)++] = s[i].serial;
			continue;
		}
		if (x == 1) {
			memcpy(name, s[i].name, sizeof(name));
			roa_make(c, &r, 2, &s[i]);
			memcpy(s[i].name, name, sizeof(name));
		}
		s[out++] = s[i];
	}
	/* TAs publish no ROAs of their own; keep it so. */
	nnew = orig > 0 ? (int)rg_prng_below(&r, GEN2_MAX_NEW + 1) : 0;
	for (i = 0; i < nnew; i++)
		roa_make(c, &r, 2, &s[out++]);
	*n = out;
}

/*
 * The ROAs c publishes in generation gen: *specs (the caller frees it) holds
 * *n entries; *rev (the caller frees it) the *nrev EE serials to revoke.
 */
void
rg_roa_plan(const struct gen *g, const struct ca *c, int gen,
    struct roa_spec **specs, int *n, uint64_t **rev, size_t *nrev)
{
	struct prng	 r, x;
	struct roa_spec	*s;
	int		 i;

	s = rg_xcalloc((size_t)c->nroas + GEN2_MAX_NEW + 2, sizeof(*s));
	*rev = rg_xcalloc(2, sizeof(uint64_t));
	*nrev = 0;
	rg_prng_init(&r, g->seed, P_ROA, (uint64_t)c->id);
	for (i = 0; i < c->nroas; i++)
		roa_make(c, &r, 1, &s[i]);
	*n = c->nroas;
	rg_prng_init(&x, g->seed, P_EXTRA, (uint64_t)c->id);
	apply_defects(c, &x, s, n);
	if (gen == 2 && !c->frozen)
		gen2_changes(g, c, s, n, *rev, nrev);
	*specs = s;
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * ASPA object i of c: customer, providers (ascending, unique, never the
 * customer), file name and EE serial.
 */
void
rg_aspa_plan(const struct gen *g, const struct ca *c, int i, struct aspa_out *a,
    char *name, uint64_t *serial)
{
	struct prng	r;
	int		n, k, out = 0;
	uint64_t	w = c->ownas.hi - c->ownas.lo + 1;

	rg_prng_init(&r, g->seed, P_ASPA, (uint64_t)c->id * 8 + (uint64_t)i);
	rg_rand_name(&r, name, 17);
	*serial = (rg_prng_next(&r) >> 2) | 1;
	a->customer = (uint32_t)(c->ownas.lo + (uint64_t)i % w);
	n = 1 + (int)rg_prng_below(&r, 4);
	for (k = 0; k < n; k++) {
		uint32_t	p = (uint32_t)(1 + rg_prng_below(&r, 400000));

		if (p != a->customer)
			a->prov[out++] = p;
	}
	if (out == 0)
		a->prov[out++] = a->customer == 1 ? 2 : 1;
	qsort(a->prov, (size_t)out, sizeof(a->prov[0]), u32_cmp);
	for (a->nprov = 0, k = 0; k < out; k++)
		if (a->nprov == 0 || a->prov[a->nprov - 1] != a->prov[k])
			a->prov[a->nprov++] = a->prov[k];
}
