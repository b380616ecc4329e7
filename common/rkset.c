/*
 * BGPsec router key sets.  See rkset.h for order and de-duplication.
 */
#include <stdlib.h>
#include <string.h>

#include "rkset.h"

/* First allocations; doubled from there. */
#define ENTRIES_INITIAL	64
#define BYTES_INITIAL	4096

/*
 * The SPKI of an entry is len bytes at pool[off]; spki caches that
 * address once the pool stops moving (at freeze) so sorting and
 * comparing need no pool.
 */
struct rk_ent {
	int64_t		 expires;
	const uint8_t	*spki;
	uint32_t	 off;
	uint32_t	 len;
	uint32_t	 asn;
	uint32_t	 ta;
	uint8_t		 ski[ROUTER_KEY_SKI_LEN];
};

struct rkset {
	struct rk_ent	*e;
	size_t		 n;
	size_t		 cap;
	uint8_t		*pool;
	size_t		 pooln;
	size_t		 poolcap;
	int		 frozen;
};

/* Bytes of SPKI the set may hold; keeps offsets within 32 bits. */
#define POOL_MAX	((size_t)PAYLOAD_SET_MAX * 8)

/*
 * Returns a new empty set owned by the caller, or NULL.
 */
struct rkset *
rkset_new(void)
{
	return calloc(1, sizeof(struct rkset));
}

/*
 * Frees the set, its entries and SPKI storage.
 */
void
rkset_free(struct rkset *s)
{
	if (s == NULL)
		return;
	free(s->e);
	free(s->pool);
	free(s);
}

/*
 * Returns PAYLOAD_OK or PAYLOAD_ESPKI.
 */
int
router_key_check(const struct router_key *k)
{
	if (k->spki == NULL || k->spki_len == 0 ||
	    k->spki_len > ROUTER_KEY_SPKI_MAX)
		return PAYLOAD_ESPKI;
	return PAYLOAD_OK;
}

/* The identity comparison on the raw fields. */
static int
keycmp(uint32_t aasn, const uint8_t *aski, const uint8_t *aspki, size_t alen,
    uint32_t basn, const uint8_t *bski, const uint8_t *bspki, size_t blen)
{
	int rv;

	if (aasn != basn)
		return aasn < basn ? -1 : 1;
	if ((rv = memcmp(aski, bski, ROUTER_KEY_SKI_LEN)) != 0)
		return rv;
	if ((rv = memcmp(aspki, bspki, alen < blen ? alen : blen)) != 0)
		return rv;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return 0;
}

/*
 * Returns <0, 0 or >0 comparing identities in set order.
 */
int
router_key_cmp(const struct router_key *a, const struct router_key *b)
{
	return keycmp(a->asn, a->ski, a->spki, a->spki_len,
	    b->asn, b->ski, b->spki, b->spki_len);
}

static int
entcmp(const struct rk_ent *a, const struct rk_ent *b)
{
	return keycmp(a->asn, a->ski, a->spki, a->len,
	    b->asn, b->ski, b->spki, b->len);
}

/* Identity order, then the preferred duplicate first. */
static int
ent_sortcmp(const void *pa, const void *pb)
{
	const struct rk_ent *a = pa, *b = pb;
	int rv;

	if ((rv = entcmp(a, b)) != 0)
		return rv;
	if (a->expires != b->expires)
		return a->expires > b->expires ? -1 : 1;
	if (a->ta != b->ta)
		return a->ta < b->ta ? -1 : 1;
	return 0;
}

/* Make room for one more entry and len more SPKI bytes. */
static int
reserve(struct rkset *s, size_t len)
{
	struct rk_ent *ne;
	uint8_t *np;
	size_t ncap;

	if (s->n >= PAYLOAD_SET_MAX || len > POOL_MAX - s->pooln)
		return PAYLOAD_ELIMIT;
	if (s->n == s->cap) {
		ncap = s->cap == 0 ? ENTRIES_INITIAL : s->cap * 2;
		if ((ne = reallocarray(s->e, ncap, sizeof(*ne))) == NULL)
			return PAYLOAD_ENOMEM;
		s->e = ne;
		s->cap = ncap;
	}
	if (s->pooln + len > s->poolcap) {
		ncap = s->poolcap == 0 ? BYTES_INITIAL : s->poolcap;
		while (ncap < s->pooln + len)
			ncap *= 2;
		if ((np = realloc(s->pool, ncap)) == NULL)
			return PAYLOAD_ENOMEM;
		s->pool = np;
		s->poolcap = ncap;
	}
	return PAYLOAD_OK;
}

/*
 * Returns PAYLOAD_OK with a copy of *k appended, or an error (set
 * unchanged).
 */
int
rkset_add(struct rkset *s, const struct router_key *k)
{
	struct rk_ent *e;
	int rv;

	if (s->frozen)
		return PAYLOAD_ESTATE;
	if ((rv = router_key_check(k)) != PAYLOAD_OK)
		return rv;
	if ((rv = reserve(s, k->spki_len)) != PAYLOAD_OK)
		return rv;
	e = &s->e[s->n++];
	memset(e, 0, sizeof(*e));
	e->expires = k->expires;
	e->off = (uint32_t)s->pooln;
	e->len = (uint32_t)k->spki_len;
	e->asn = k->asn;
	e->ta = k->ta;
	memcpy(e->ski, k->ski, ROUTER_KEY_SKI_LEN);
	memcpy(s->pool + s->pooln, k->spki, k->spki_len);
	s->pooln += k->spki_len;
	return PAYLOAD_OK;
}

/*
 * Returns PAYLOAD_OK once the set is sorted and de-duplicated.
 */
int
rkset_freeze(struct rkset *s)
{
	size_t i, out;

	if (s->frozen)
		return PAYLOAD_ESTATE;
	for (i = 0; i < s->n; i++)
		s->e[i].spki = s->pool + s->e[i].off;
	if (s->n > 1)
		qsort(s->e, s->n, sizeof(s->e[0]), ent_sortcmp);
	/*
	 * The first of each run of equal identities is the preferred one.
	 * Dropped duplicates leave their bytes in the pool; they are bounded
	 * by the input and freed with the set.
	 */
	for (i = 0, out = 0; i < s->n; i++)
		if (out == 0 || entcmp(&s->e[out - 1], &s->e[i]) != 0)
			s->e[out++] = s->e[i];
	s->n = out;
	s->frozen = 1;
	return PAYLOAD_OK;
}

/*
 * Returns 1 if the set is frozen.
 */
int
rkset_frozen(const struct rkset *s)
{
	return s->frozen;
}

/*
 * Returns the number of entries.
 */
size_t
rkset_count(const struct rkset *s)
{
	return s->n;
}

static void
view(const struct rkset *s, const struct rk_ent *e, struct router_key *out)
{
	out->asn = e->asn;
	out->ta = e->ta;
	out->expires = e->expires;
	memcpy(out->ski, e->ski, ROUTER_KEY_SKI_LEN);
	out->spki = s->pool + e->off;
	out->spki_len = e->len;
}

/*
 * Returns 1 with entry i in *out (SPKI owned by the set), or 0.
 */
int
rkset_get(const struct rkset *s, size_t i, struct router_key *out)
{
	if (i >= s->n)
		return 0;
	view(s, &s->e[i], out);
	return 1;
}

/*
 * Returns 1 with the matching entry in *out (SPKI owned by the
 * set), 0 if absent, or PAYLOAD_ESTATE.
 */
int
rkset_find(const struct rkset *s, const struct router_key *key,
    struct router_key *out)
{
	size_t lo = 0, hi = s->n, mid;
	int rv;

	if (!s->frozen)
		return PAYLOAD_ESTATE;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		rv = keycmp(s->e[mid].asn, s->e[mid].ski, s->e[mid].spki,
		    s->e[mid].len, key->asn, key->ski, key->spki,
		    key->spki_len);
		if (rv == 0) {
			view(s, &s->e[mid], out);
			return 1;
		}
		if (rv < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * One merge pass over two frozen sets: count (lists NULL) or fill the
 * announce and withdraw lists.
 */
static void
diff_walk(const struct rkset *o, const struct rkset *n, struct rk_diff *d,
    struct router_key *ann, struct router_key *wd)
{
	size_t i = 0, j = 0;
	int rv;

	d->nannounce = d->nwithdraw = 0;
	while (i < o->n || j < n->n) {
		if (i == o->n)
			rv = 1;
		else if (j == n->n)
			rv = -1;
		else
			rv = entcmp(&o->e[i], &n->e[j]);
		if (rv < 0) {
			if (wd != NULL)
				view(o, &o->e[i], &wd[d->nwithdraw]);
			d->nwithdraw++;
			i++;
		} else if (rv > 0) {
			if (ann != NULL)
				view(n, &n->e[j], &ann[d->nannounce]);
			d->nannounce++;
			j++;
		} else {
			i++;
			j++;
		}
	}
}

/*
 * Returns PAYLOAD_OK with caller-owned lists in *diff (SPKIs
 * owned by the sets), or an error with *diff empty.
 */
int
rkset_diff(const struct rkset *old, const struct rkset *new,
    struct rk_diff *diff)
{
	struct rk_diff d;
	struct router_key *ann = NULL, *wd = NULL;
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
rk_diff_free(struct rk_diff *d)
{
	if (d == NULL)
		return;
	free(d->announce);
	free(d->withdraw);
	memset(d, 0, sizeof(*d));
}
