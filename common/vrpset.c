/*
 * Sorted, de-duplicated VRP sets.  See vrpset.h for order and rules.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vrpset.h"

/* First allocation; doubled from there. */
#define VRPSET_INITIAL	1024

struct vrpset {
	struct vrp	*v;
	size_t		 n;
	size_t		 cap;
	int		 frozen;
};

/*
 * Returns a static string for a payload_err code (payload.h);
 * the caller must not free it.
 */
const char *
payload_strerror(int err)
{
	switch (err) {
	case PAYLOAD_OK:
		return "no error";
	case PAYLOAD_ENOMEM:
		return "out of memory";
	case PAYLOAD_ESTATE:
		return "set frozen or not yet frozen";
	case PAYLOAD_EPREFIX:
		return "invalid prefix";
	case PAYLOAD_EMAXLEN:
		return "maxLength out of range";
	case PAYLOAD_EASN:
		return "AS number not allowed";
	case PAYLOAD_EPROVIDERS:
		return "invalid ASPA provider list";
	case PAYLOAD_ESPKI:
		return "invalid router key";
	case PAYLOAD_ELIMIT:
		return "set too large";
	default:
		return "unknown payload error";
	}
}

/*
 * Returns a new empty set owned by the caller, or NULL.
 */
struct vrpset *
vrpset_new(void)
{
	return calloc(1, sizeof(struct vrpset));
}

/*
 * Frees the set and its entries.
 */
void
vrpset_free(struct vrpset *s)
{
	if (s == NULL)
		return;
	free(s->v);
	free(s);
}

/*
 * Returns PAYLOAD_OK or the rule *v breaks.
 */
int
vrp_check(const struct vrp *v)
{
	if (prefix_check(&v->prefix) != PREFIX_OK)
		return PAYLOAD_EPREFIX;
	if (v->maxlen < v->prefix.len ||
	    v->maxlen > prefix_afi_bits(v->prefix.afi))
		return PAYLOAD_EMAXLEN;
	return PAYLOAD_OK;
}

/* The prefix part of the set order: AFI, address up, length down. */
static int
prefix_setcmp(const struct prefix *a, const struct prefix *b)
{
	int rv;

	if (a->afi != b->afi)
		return a->afi < b->afi ? -1 : 1;
	if ((rv = memcmp(a->addr, b->addr, PREFIX_ADDR_MAX)) != 0)
		return rv;
	if (a->len != b->len)
		return a->len > b->len ? -1 : 1;
	return 0;
}

/*
 * Returns <0, 0 or >0 comparing identities in set order.
 */
int
vrp_cmp(const struct vrp *a, const struct vrp *b)
{
	int rv;

	if ((rv = prefix_setcmp(&a->prefix, &b->prefix)) != 0)
		return rv;
	if (a->maxlen != b->maxlen)
		return a->maxlen > b->maxlen ? -1 : 1;
	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	return 0;
}

/*
 * Returns 1 if vrp_cmp(a, b) == 0: the same test, cheaper, for the
 * de-duplication pass over a million entries.
 */
static inline int
vrp_same(const struct vrp *a, const struct vrp *b)
{
	return a->asn == b->asn && a->maxlen == b->maxlen &&
	    a->prefix.len == b->prefix.len && a->prefix.afi == b->prefix.afi &&
	    memcmp(a->prefix.addr, b->prefix.addr, PREFIX_ADDR_MAX) == 0;
}

/* Identity order, then the preferred duplicate first (see vrpset.h). */
static int
vrp_sortcmp(const void *pa, const void *pb)
{
	const struct vrp *a = pa, *b = pb;
	int rv;

	if ((rv = vrp_cmp(a, b)) != 0)
		return rv;
	if (a->expires != b->expires)
		return a->expires > b->expires ? -1 : 1;
	if (a->ta != b->ta)
		return a->ta < b->ta ? -1 : 1;
	return 0;
}

/*
 * Returns PAYLOAD_OK with a copy of *v appended, or an error (set
 * unchanged).
 */
int
vrpset_add(struct vrpset *s, const struct vrp *v)
{
	struct vrp *nv;
	size_t ncap;
	int rv;

	if (s->frozen)
		return PAYLOAD_ESTATE;
	if ((rv = vrp_check(v)) != PAYLOAD_OK)
		return rv;
	if (s->n == s->cap) {
		if (s->n >= PAYLOAD_SET_MAX)
			return PAYLOAD_ELIMIT;
		ncap = s->cap == 0 ? VRPSET_INITIAL : s->cap * 2;
		if (ncap > PAYLOAD_SET_MAX)
			ncap = PAYLOAD_SET_MAX;
		if ((nv = reallocarray(s->v, ncap, sizeof(*nv))) == NULL)
			return PAYLOAD_ENOMEM;
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = *v;
	return PAYLOAD_OK;
}

/* Returns 1 when v[0..n) is already in vrp_sortcmp() order. */
static int
vrp_sorted(const struct vrp *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (vrp_sortcmp(&v[i - 1], &v[i]) > 0)
			return 0;
	return 1;
}

/*
 * Freezing sorts a million 40-byte VRPs, where qsort(3) spends its time
 * in indirect comparator calls and, for elements this large, in a final
 * pass that chases a permutation through memory one cache miss at a
 * time.  Instead an in-place MSD radix sort ("American flag sort") moves
 * the VRPs bucket by bucket, each with a packed 64-bit key kept in a
 * parallel array; every pass writes to at most 256 sequential positions
 * at a time, which caches handle well.
 *
 * The key is monotone in vrp_sortcmp() order: a before b implies
 * key(a) <= key(b).  So differing keys decide the order alone and only
 * equal keys need vrp_sortcmp() itself.
 */

/* Buckets this small are finished by insertion sort. */
#define SORT_INSERTION_MAX	32
/* Bits per radix digit and the number of buckets it gives. */
#define SORT_DIGIT_BITS		8
#define SORT_BUCKETS		(1u << SORT_DIGIT_BITS)
/* Sets at least this large are sorted by two threads (vrp_radix_split()). */
#define SORT_SPLIT_MIN		100000

/*
 * Bit 63 is the AFI (IPv4 first).  IPv4: the address, then the length
 * and maxLength descending (as 32 minus them), then the top 19 bits of
 * the ASN.  IPv6: the first 63 address bits; the rest of the identity is
 * left to vrp_sortcmp().  vrp_check() bounds len and maxlen by 32 for
 * IPv4, so the fields cannot overlap.
 */
static uint64_t
vrp_sortkey(const struct vrp *v)
{
	const uint8_t *a = v->prefix.addr;
	uint64_t k = 0;
	int i;

	if (v->prefix.afi == AFI_IPV4) {
		for (i = 0; i < 4; i++)
			k = k << 8 | a[i];
		k <<= 31;
		k |= (uint64_t)(PREFIX_V4_BITS - v->prefix.len) << 25;
		k |= (uint64_t)(PREFIX_V4_BITS - v->maxlen) << 19;
		return k | v->asn >> 13;
	}
	for (i = 0; i < 8; i++)
		k = k << 8 | a[i];
	return (uint64_t)1 << 63 | k >> 1;
}

/* Returns 1 if the VRP with key ka sorts after the one with key kb. */
static inline int
vrp_after(const struct vrp *a, uint64_t ka, const struct vrp *b,
    uint64_t kb)
{
	if (ka != kb)
		return ka > kb;
	return vrp_sortcmp(a, b) > 0;
}

/* Insertion sort of v[0..n) and its keys k[0..n), for small buckets. */
static void
vrp_insertion(struct vrp *v, uint64_t *k, size_t n)
{
	struct vrp tv;
	uint64_t tk;
	size_t i, j;

	for (i = 1; i < n; i++) {
		if (!vrp_after(&v[i - 1], k[i - 1], &v[i], k[i]))
			continue;
		tv = v[i];
		tk = k[i];
		for (j = i; j > 0 && vrp_after(&v[j - 1], k[j - 1], &tv, tk);
		    j--) {
			v[j] = v[j - 1];
			k[j] = k[j - 1];
		}
		v[j] = tv;
		k[j] = tk;
	}
}

/*
 * Sort v[0..n), keys in k[0..n), whose keys agree above bit shift +
 * SORT_DIGIT_BITS: one in-place pass distributes them into buckets by
 * the digit at shift, then each bucket is sorted on the next digit.
 * Recursion depth is at most 64 / SORT_DIGIT_BITS.  Once the key is used
 * up, the entries left have equal keys and qsort(3) with the full
 * comparator orders them, so even crafted input costs O(n log n).
 */
/*
 * One in-place pass of vrp_radix(): the entries of v[0..n) in buckets by
 * the digit at shift, bucket b ending at end[b].
 */
static void
vrp_distribute(struct vrp *v, uint64_t *k, size_t n, int shift,
    uint32_t end[SORT_BUCKETS])
{
	uint32_t next[SORT_BUCKETS];
	struct vrp tv, uv;
	uint64_t tk, uk;
	uint32_t pos;
	unsigned int b, d;
	size_t i;

	memset(end, 0, SORT_BUCKETS * sizeof(end[0]));
	for (i = 0; i < n; i++)
		end[(k[i] >> shift) & (SORT_BUCKETS - 1)]++;
	for (b = 0, pos = 0; b < SORT_BUCKETS; b++) {
		next[b] = pos;
		pos += end[b];
		end[b] = pos;
	}
	/*
	 * next[b] is the first slot of bucket b not yet holding one of its
	 * own entries.  Take that slot's entry and swap it into the bucket
	 * it belongs to, and so on, until an entry for bucket b comes back.
	 */
	for (b = 0; b < SORT_BUCKETS; b++) {
		while (next[b] < end[b]) {
			pos = next[b];
			d = (k[pos] >> shift) & (SORT_BUCKETS - 1);
			if (d == b) {
				next[b]++;
				continue;
			}
			tv = v[pos];
			tk = k[pos];
			do {
				uv = v[next[d]];
				uk = k[next[d]];
				v[next[d]] = tv;
				k[next[d]++] = tk;
				tv = uv;
				tk = uk;
				d = (tk >> shift) & (SORT_BUCKETS - 1);
			} while (d != b);
			v[pos] = tv;
			k[pos] = tk;
			next[b]++;
		}
	}
}

static void	vrp_radix(struct vrp *, uint64_t *, size_t, int);

/* Sort buckets [from, to) of a vrp_distribute() pass on the next digit. */
static void
vrp_buckets(struct vrp *v, uint64_t *k, const uint32_t *end,
    unsigned int from, unsigned int to, int shift)
{
	uint32_t pos = from == 0 ? 0 : end[from - 1];
	unsigned int b;

	for (b = from; b < to; pos = end[b++])
		if (end[b] - pos > 1)
			vrp_radix(v + pos, k + pos, end[b] - pos,
			    shift - SORT_DIGIT_BITS);
}

/*
 * Sort v[0..n), keys in k[0..n), whose keys agree above bit shift +
 * SORT_DIGIT_BITS: one in-place pass distributes them into buckets by
 * the digit at shift, then each bucket is sorted on the next digit.
 * Recursion depth is at most 64 / SORT_DIGIT_BITS.  Once the key is used
 * up, the entries left have equal keys and qsort(3) with the full
 * comparator orders them, so even crafted input costs O(n log n).
 */
static void
vrp_radix(struct vrp *v, uint64_t *k, size_t n, int shift)
{
	uint32_t end[SORT_BUCKETS];

	if (n <= SORT_INSERTION_MAX) {
		vrp_insertion(v, k, n);
		return;
	}
	if (shift < 0) {
		qsort(v, n, sizeof(v[0]), vrp_sortcmp);
		return;
	}
	vrp_distribute(v, k, n, shift, end);
	vrp_buckets(v, k, end, 0, SORT_BUCKETS, shift);
}

/* The second half of vrp_radix_split()'s buckets, in a thread. */
struct radix_half {
	struct vrp	*v;
	uint64_t	*k;
	const uint32_t	*end;
	unsigned int	 from;
	int		 shift;
};

static void *
radix_half(void *arg)
{
	struct radix_half *h = arg;

	vrp_buckets(h->v, h->k, h->end, h->from, SORT_BUCKETS, h->shift);
	return NULL;
}

/*
 * vrp_radix() from the top digit, the buckets after the first pass
 * sorted half in this thread, half (by entries) in another; all in this
 * one if no thread can be started.
 */
static void
vrp_radix_split(struct vrp *v, uint64_t *k, size_t n)
{
	uint32_t end[SORT_BUCKETS];
	struct radix_half h;
	pthread_t tid;
	unsigned int mid;
	int shift = 64 - SORT_DIGIT_BITS;

	vrp_distribute(v, k, n, shift, end);
	for (mid = 0; mid < SORT_BUCKETS - 1 && end[mid] < n / 2; mid++)
		;
	h.v = v;
	h.k = k;
	h.end = end;
	h.from = mid;
	h.shift = shift;
	if (pthread_create(&tid, NULL, radix_half, &h) != 0) {
		vrp_buckets(v, k, end, 0, SORT_BUCKETS, shift);
		return;
	}
	vrp_buckets(v, k, end, 0, mid, shift);
	pthread_join(tid, NULL);
}

/*
 * Sort v[0..n) in vrp_sortcmp() order.  The result equals what qsort(3)
 * with vrp_sortcmp() gives: entries it calls equal are equal in every
 * field.  Extra memory: one 8-byte key per entry, freed on return
 * (glibc's qsort(3) takes 16 bytes per entry of this size).
 */
static void
vrp_sort(struct vrp *v, size_t n)
{
	uint64_t *k;
	size_t i;

	/* Without memory for the keys, sort the VRPs alone. */
	if ((k = reallocarray(NULL, n, sizeof(*k))) == NULL) {
		qsort(v, n, sizeof(v[0]), vrp_sortcmp);
		return;
	}
	for (i = 0; i < n; i++)
		k[i] = vrp_sortkey(&v[i]);
	if (n >= SORT_SPLIT_MIN)
		vrp_radix_split(v, k, n);
	else
		vrp_radix(v, k, n, 64 - SORT_DIGIT_BITS);
	free(k);
}

/*
 * Returns PAYLOAD_OK once the set is sorted and de-duplicated.
 */
int
vrpset_freeze(struct vrpset *s)
{
	struct vrp *nv;
	size_t i, out;

	if (s->frozen)
		return PAYLOAD_ESTATE;
	/* Inputs read back from our own files are already in order. */
	if (s->n > 1 && !vrp_sorted(s->v, s->n))
		vrp_sort(s->v, s->n);
	/* The first of each run of equal identities is the preferred one. */
	for (i = 0, out = 0; i < s->n; i++)
		if (out == 0 || !vrp_same(&s->v[out - 1], &s->v[i]))
			s->v[out++] = s->v[i];
	s->n = out;
	/* Give back the growth slack; keeping it is harmless if this fails. */
	if (s->n > 0 && s->n < s->cap &&
	    (nv = reallocarray(s->v, s->n, sizeof(*nv))) != NULL) {
		s->v = nv;
		s->cap = s->n;
	}
	s->frozen = 1;
	return PAYLOAD_OK;
}

/*
 * Returns 1 if the set is frozen.
 */
int
vrpset_frozen(const struct vrpset *s)
{
	return s->frozen;
}

/*
 * Returns the number of entries.
 */
size_t
vrpset_count(const struct vrpset *s)
{
	return s->n;
}

/*
 * Returns entry i, owned by the set, or NULL.
 */
const struct vrp *
vrpset_get(const struct vrpset *s, size_t i)
{
	return i < s->n ? &s->v[i] : NULL;
}

/* Index of the first entry whose prefix is not before p in set order. */
static size_t
lower_bound_prefix(const struct vrpset *s, const struct prefix *p)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (prefix_setcmp(&s->v[mid].prefix, p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Returns the matching entry, owned by the set, or NULL.
 */
const struct vrp *
vrpset_find(const struct vrpset *s, const struct prefix *p,
    unsigned int maxlen, uint32_t asn)
{
	struct vrp key;
	size_t i;
	int rv;

	if (!s->frozen)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.prefix = *p;
	key.maxlen = (uint8_t)maxlen;
	key.asn = asn;
	if (maxlen != key.maxlen)
		return NULL;
	for (i = lower_bound_prefix(s, p); i < s->n; i++) {
		if ((rv = vrp_cmp(&s->v[i], &key)) == 0)
			return &s->v[i];
		if (rv > 0)
			break;
	}
	return NULL;
}

/*
 * Returns the number of covering VRPs visited, or an error.
 */
long
vrpset_covering(const struct vrpset *s, const struct prefix *route,
    vrp_visit_fn fn, void *arg)
{
	struct prefix key;
	unsigned int len;
	size_t i;
	long found = 0;

	if (!s->frozen)
		return PAYLOAD_ESTATE;
	if (prefix_check(route) != PREFIX_OK)
		return PAYLOAD_EPREFIX;
	/*
	 * Every covering prefix is the route cut to some length; entries
	 * sharing a prefix are adjacent, so one binary search per length.
	 */
	for (len = 0; len <= route->len; len++) {
		prefix_truncate(route, len, &key);
		for (i = lower_bound_prefix(s, &key); i < s->n &&
		    prefix_setcmp(&s->v[i].prefix, &key) == 0; i++) {
			found++;
			if (fn != NULL && fn(&s->v[i], arg) != 0)
				return found;
		}
	}
	return found;
}

struct rov_ctx {
	uint32_t	origin;
	unsigned int	routelen;
	int		state;
};

static int
rov_visit(const struct vrp *v, void *arg)
{
	struct rov_ctx *c = arg;

	c->state = ROV_INVALID;
	if (v->asn != 0 && v->asn == c->origin && c->routelen <= v->maxlen) {
		c->state = ROV_VALID;
		return 1;
	}
	return 0;
}

/*
 * Returns the RFC 6811 state of the route, or an error.
 */
int
vrpset_validate_origin(const struct vrpset *s, const struct prefix *route,
    uint32_t origin)
{
	struct rov_ctx c;
	long rv;

	c.origin = origin;
	c.routelen = route->len;
	c.state = ROV_NOTFOUND;
	if ((rv = vrpset_covering(s, route, rov_visit, &c)) < 0)
		return (int)rv;
	return c.state;
}

/*
 * One merge pass over two frozen sets: count (lists NULL) or fill the
 * announce and withdraw lists.
 */
static void
diff_walk(const struct vrpset *o, const struct vrpset *n, struct vrp_diff *d,
    struct vrp *ann, struct vrp *wd)
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
			rv = vrp_cmp(&o->v[i], &n->v[j]);
		if (rv < 0) {
			if (wd != NULL)
				wd[d->nwithdraw] = o->v[i];
			d->nwithdraw++;
			i++;
		} else if (rv > 0) {
			if (ann != NULL)
				ann[d->nannounce] = n->v[j];
			d->nannounce++;
			j++;
		} else {
			i++;
			j++;
		}
	}
}

/*
 * Returns PAYLOAD_OK with caller-owned lists in *diff, or an
 * error with *diff empty.
 */
int
vrpset_diff(const struct vrpset *old, const struct vrpset *new,
    struct vrp_diff *diff)
{
	struct vrp_diff d;
	struct vrp *ann = NULL, *wd = NULL;
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
vrp_diff_free(struct vrp_diff *d)
{
	if (d == NULL)
		return;
	free(d->announce);
	free(d->withdraw);
	memset(d, 0, sizeof(*d));
}
