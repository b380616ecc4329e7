/*
 * The validation report (report.h), kept compact because a global run
 * holds half a million entries until the end:
 *
 * - every string and entry record lives in one arena of large blocks
 *   addressed by 32-bit references (no malloc header per string);
 * - the strings that repeat across entries (the URI's directory, type,
 *   reason, issuer, manifest, TA) are stored once, looked up through a
 *   hash table;
 * - the entries are fixed-size structs in chunks of REPORT_CHUNK (no
 *   doubling realloc, so no moment with the old and the new array);
 * - when written, the entries are sorted as 64-bit keys (a rank computed
 *   from the distinct directories, and the entry's index).
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/gtime.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/prefix.h"
#include "validator/report.h"
#include "validator/report_int.h"
#include "validator/walk.h"

/* Arena blocks: 1 MiB each, so a reference is block number and offset. */
#if MAX_REPORT_BYTES > 4294967296ULL
#error "report references are 32-bit"
#endif
#define ARENA_SHIFT		20
#define ARENA_BLOCK		((size_t)1 << ARENA_SHIFT)
#define ARENA_SLOTS		((size_t)(MAX_REPORT_BYTES >> ARENA_SHIFT))
/* Entries per chunk (128 KiB of struct report_entry). */
#define REPORT_CHUNK		4096
/* First size of the string table; it doubles at half full. */
#define INTERN_INITIAL		1024
/*
 * Slots looked at to find a string.  The strings come from repositories,
 * so they may have been chosen to collide: beyond this a string is stored
 * again instead of shared, which bounds the time, not the correctness.
 */
#define INTERN_MAX_PROBES	64

/*
 * The report's storage: ARENA_SLOTS slots of ARENA_BLOCK bytes, filled in
 * order.  A reference is the byte offset from the start of slot 0 (0 is
 * never handed out, so it means "none").  An item larger than a block
 * gets a run of slots backed by one allocation; head marks the slot that
 * owns an allocation.
 */
struct arena_slot {
	char		*mem;
	int		 head;
};

struct arena {
	struct arena_slot *slot;	/* ARENA_SLOTS, NULL until first use */
	size_t		 nslots;	/* slots in use */
	size_t		 used;		/* bytes used in the last slot */
};

/*
 * A table of strings, numbered from 1 in the order first seen (0: none);
 * ref[id - 1] is the arena reference of string id.  A hash table (open
 * addressing, at most half full) finds a string's number.  Strings are
 * distinct but for those stored again after INTERN_MAX_PROBES.
 */
struct intern_slot {
	uint32_t	 id;		/* 0: empty */
	uint32_t	 hash;
};

struct intern {
	struct intern_slot *slot;
	size_t		 cap;		/* a power of two */
	uint32_t	*ref;
	size_t		 n, refcap;
};

/* A string to store, measured (and hashed) before taking the lock. */
struct key {
	const char	*s;		/* NULL: none */
	size_t		 len;
	uint32_t	 hash;
};

/* Flags of an entry: accepted, and which parts of the record exist. */
#define ENTRY_ACCEPTED		0x01
#define ENTRY_VALIDITY		0x02
#define ENTRY_UPDATE		0x04
#define ENTRY_ASN		0x08
#define ENTRY_CUSTOMER		0x10
#define ENTRY_POINT		0x20	/* report_cb_point(): a point's */

/*
 * One entry.  dir is a string of the report's dirs, type, reason,
 * issuer, manifest and ta of its strings (0: none), point one of its
 * points (the publication point's digest, walk_detail's point_md; 0:
 * none), rec the arena reference of the entry's record.  dir and the record's name make the
 * URI (split after the last '/', so the directory shared by a
 * publication point is stored once).  The insertion order, the last sort
 * key, is the entry's index.
 *
 * The record holds, in this order and unaligned (read with memcpy):
 * the URI's last segment with its NUL; not_before, not_after (int64) if
 * ENTRY_VALIDITY; this_update, next_update (int64) if ENTRY_UPDATE;
 * asn, nprefixes (uint32) and the prefixes packed as afi, len, maxlen,
 * address bytes kept (n), then n bytes (the address with its trailing
 * zero bytes left out) if ENTRY_ASN; customer, nproviders (uint32) and
 * the providers (uint32) if ENTRY_CUSTOMER.
 */
struct report_entry {
	uint32_t	 dir;
	uint32_t	 rec;
	uint32_t	 type;
	uint32_t	 reason;
	uint32_t	 issuer;
	uint32_t	 manifest;
	uint32_t	 ta;
	uint32_t	 point;
	uint8_t		 flags;
};

/* Header bytes of a packed prefix: afi, len, maxlen, address bytes kept. */
#define PACKED_PREFIX_HDR	4

struct report_repo_entry {
	char		*uri;
	char		*notify;
	char		*protocol;
	char		*result;
	char		*error;
	int		 delta, unchanged;
	uint64_t	 objects, bytes, milliseconds;
};

struct report {
	pthread_mutex_t		 lock;
	struct arena		 arena;
	struct intern		 dirs;		/* the URIs' directories */
	struct intern		 strings;	/* the other strings */
	struct intern		 points;	/* point digests (binary) */
	struct report_entry	**chunks;
	size_t			 nchunks, chunkcap;
	size_t			 nentries;
	struct report_counts	 counts;
	struct report_repo_entry *repos;
	size_t			 nrepos;
	/* cached_order(): the write order of the first order_n entries. */
	uint64_t		*order_mem;
	const uint64_t		*order;
	size_t			 order_n;
};

/*
 * A new empty report owned by the caller; NULL on ENOMEM.
 */
struct report *
report_new(void)
{
	struct report *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

static void
arena_free(struct arena *a)
{
	size_t i;

	if (a->slot == NULL)
		return;
	for (i = 0; i < a->nslots; i++)
		if (a->slot[i].head)
			free(a->slot[i].mem);
	free(a->slot);
}

static void
intern_free(struct intern *t)
{
	free(t->slot);
	free(t->ref);
}

static void
repo_entry_free(struct report_repo_entry *e)
{
	free(e->uri);
	free(e->notify);
	free(e->protocol);
	free(e->result);
	free(e->error);
}

/*
 * Free the report and its entries; NULL is accepted.
 */
void
report_free(struct report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nchunks; i++)
		free(r->chunks[i]);
	free(r->chunks);
	arena_free(&r->arena);
	intern_free(&r->dirs);
	intern_free(&r->strings);
	intern_free(&r->points);
	for (i = 0; i < r->nrepos; i++)
		repo_entry_free(&r->repos[i]);
	free(r->repos);
	free(r->order_mem);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* The bytes at reference ref (not 0). */
static inline char *
arena_at(const struct arena *a, uint32_t ref)
{
	return a->slot[ref >> ARENA_SHIFT].mem + (ref & (ARENA_BLOCK - 1));
}

/*
 * Start a run of slots for an item of size bytes (the rest of the last
 * slot stays usable).  0, or -1 on ENOMEM or beyond MAX_REPORT_BYTES.
 */
static int
arena_extend(struct arena *a, size_t size)
{
	size_t i, n = (size + ARENA_BLOCK - 1) / ARENA_BLOCK;
	char *mem;

	if (a->slot == NULL &&
	    (a->slot = calloc(ARENA_SLOTS, sizeof(*a->slot))) == NULL)
		return -1;
	if (n > ARENA_SLOTS - a->nslots ||
	    (mem = malloc(n * ARENA_BLOCK)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < n; i++) {
		a->slot[a->nslots + i].mem = mem + i * ARENA_BLOCK;
		a->slot[a->nslots + i].head = i == 0;
	}
	a->nslots += n;
	a->used = size - (n - 1) * ARENA_BLOCK;
	return 0;
}

/*
 * size bytes (at least 1) in the arena: their reference, or 0 on ENOMEM.
 * Items are not aligned: they are strings or read with memcpy.
 */
static uint32_t
arena_alloc(struct arena *a, size_t size)
{
	size_t first;

	/* Reference 0 means none: the arena's first byte is never used. */
	if (a->nslots == 0 && arena_extend(a, 1) == -1)
		return 0;
	if (size <= ARENA_BLOCK - a->used) {
		a->used += size;
		return (uint32_t)((a->nslots - 1) * ARENA_BLOCK + a->used -
		    size);
	}
	first = a->nslots;
	if (arena_extend(a, size) == -1)
		return 0;
	return (uint32_t)(first * ARENA_BLOCK);
}

/*
 * A hash of the len bytes at s for the intern tables, eight bytes per
 * step (URIs of some 60 bytes are hashed several times per entry): each
 * word is mixed in by a multiplication with an odd constant and a fold
 * of the high half, and the length closes it.
 */
static uint32_t
hash_bytes(const char *s, size_t len)
{
	const uint64_t m = 0x9e3779b97f4a7c15ULL;
	uint64_t h = 0x243f6a8885a308d3ULL, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * m;
		h ^= h >> 32;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, s + i, len - i);
		h = (h ^ w) * m;
		h ^= h >> 32;
	}
	h = (h ^ len) * m;
	return (uint32_t)(h ^ h >> 29);
}

/* k: the first len bytes of s (at most max; s NULL: none), hashed. */
static void
key_set(struct key *k, const char *s, size_t len)
{
	k->s = s;
	k->len = len;
	k->hash = s != NULL ? hash_bytes(s, len) : 0;
}

/* key_set() of the string s cut to max bytes, as strndup() would. */
static void
key_str(struct key *k, const char *s, size_t max)
{
	key_set(k, s, s != NULL ? strnlen(s, max) : 0);
}

/* Non-zero if the stored string at ref is the key's. */
static int
key_is(const struct arena *a, uint32_t ref, const struct key *k)
{
	const char *s = arena_at(a, ref);

	return memcmp(s, k->s, k->len) == 0 && s[k->len] == '\0';
}

/* Double the hash table of t (or make the first); -1 on ENOMEM. */
static int
intern_rehash(struct intern *t)
{
	struct intern_slot *n;
	size_t cap, i, j;

	cap = t->cap == 0 ? INTERN_INITIAL : t->cap * 2;
	if ((n = calloc(cap, sizeof(*n))) == NULL)
		return -1;
	for (i = 0; i < t->cap; i++) {
		if (t->slot[i].id == 0)
			continue;
		for (j = t->slot[i].hash & (cap - 1); n[j].id != 0;
		    j = (j + 1) & (cap - 1))
			;
		n[j] = t->slot[i];
	}
	free(t->slot);
	t->slot = n;
	t->cap = cap;
	return 0;
}

/* Room for one more string in t; -1 on ENOMEM. */
static int
intern_grow(struct intern *t)
{
	uint32_t *n;
	size_t cap;

	if (t->n >= UINT32_MAX - 1)
		return -1;
	if (t->n >= t->cap / 2 && intern_rehash(t) == -1)
		return -1;
	if (t->n < t->refcap)
		return 0;
	cap = t->refcap == 0 ? INTERN_INITIAL : t->refcap * 2;
	if ((n = reallocarray(t->ref, cap, sizeof(*n))) == NULL)
		return -1;
	t->ref = n;
	t->refcap = cap;
	return 0;
}

/* String id of t, NULL for 0. */
static inline const char *
intern_str(const struct arena *a, const struct intern *t, uint32_t id)
{
	return id == 0 ? NULL : arena_at(a, t->ref[id - 1]);
}

/*
 * The number of the key's string in t, stored the first time it is
 * seen; 0 for no string or on ENOMEM (*err set).  Called with the lock
 * held.
 */
static uint32_t
intern(struct arena *a, struct intern *t, const struct key *k, int *err)
{
	struct intern_slot *sl;
	uint32_t ref;
	size_t i, probes = 0;

	if (k->s == NULL)
		return 0;
	if (intern_grow(t) == -1)
		goto fail;
	for (i = k->hash & (t->cap - 1); t->slot[i].id != 0 &&
	    probes < INTERN_MAX_PROBES; i = (i + 1) & (t->cap - 1), probes++) {
		sl = &t->slot[i];
		if (sl->hash == k->hash && key_is(a, t->ref[sl->id - 1], k))
			return sl->id;
	}
	if ((ref = arena_alloc(a, k->len + 1)) == 0)
		goto fail;
	memcpy(arena_at(a, ref), k->s, k->len);
	arena_at(a, ref)[k->len] = '\0';
	t->ref[t->n++] = ref;
	if (t->slot[i].id == 0) {
		t->slot[i].id = (uint32_t)t->n;
		t->slot[i].hash = k->hash;
	}
	return (uint32_t)t->n;
 fail:
	*err = 1;
	return 0;
}

/* Address bytes of p up to its last non-zero one (the rest are zero). */
static size_t
prefix_used(const struct prefix *p)
{
	size_t n = sizeof(p->addr);

	while (n > 0 && p->addr[n - 1] == 0)
		n--;
	return n;
}

/* The flags of an entry with detail d. */
static uint8_t
entry_flags(int accepted, const struct walk_detail *d)
{
	uint8_t f = accepted ? ENTRY_ACCEPTED : 0;

	if (d == NULL)
		return f;
	if (d->has_validity)
		f |= ENTRY_VALIDITY;
	if (d->has_update)
		f |= ENTRY_UPDATE;
	if (d->has_asn)
		f |= ENTRY_ASN;
	if (d->has_customer)
		f |= ENTRY_CUSTOMER;
	return f;
}

/* Prefixes and providers kept of d (none when the array is NULL). */
static size_t
nprefixes(const struct walk_detail *d)
{
	return d->prefixes != NULL ? d->nprefixes : 0;
}

static size_t
nproviders(const struct walk_detail *d)
{
	return d->providers != NULL ? d->nproviders : 0;
}

/*
 * Bytes of the record of an entry with the last URI segment of blen
 * bytes, flags f and detail d; 0 if too large for the arena.
 */
static size_t
record_size(size_t blen, uint8_t f, const struct walk_detail *d)
{
	size_t i, n = blen + 1;

	if (f & ENTRY_VALIDITY)
		n += 2 * sizeof(int64_t);
	if (f & ENTRY_UPDATE)
		n += 2 * sizeof(int64_t);
	if (f & ENTRY_ASN) {
		if (nprefixes(d) > UINT32_MAX / (PACKED_PREFIX_HDR +
		    PREFIX_ADDR_MAX))
			return 0;
		n += 2 * sizeof(uint32_t);
		for (i = 0; i < nprefixes(d); i++)
			n += PACKED_PREFIX_HDR +
			    prefix_used(&d->prefixes[i].prefix);
	}
	if (f & ENTRY_CUSTOMER) {
		if (nproviders(d) > UINT32_MAX / sizeof(uint32_t))
			return 0;
		n += (2 + nproviders(d)) * sizeof(uint32_t);
	}
	return n <= UINT32_MAX ? n : 0;
}

static unsigned char *
put_bytes(unsigned char *p, const void *v, size_t n)
{
	memcpy(p, v, n);
	return p + n;
}

static unsigned char *
put_u32(unsigned char *p, uint32_t v)
{
	return put_bytes(p, &v, sizeof(v));
}

static unsigned char *
put_i64(unsigned char *p, int64_t v)
{
	return put_bytes(p, &v, sizeof(v));
}

/* The ROA contents at p: asn, count, packed prefixes; the end. */
static unsigned char *
put_prefixes(unsigned char *p, const struct walk_detail *d)
{
	const struct roa_ip *ip;
	size_t i, used;

	p = put_u32(p, d->asn);
	p = put_u32(p, (uint32_t)nprefixes(d));
	for (i = 0; i < nprefixes(d); i++) {
		ip = &d->prefixes[i];
		used = prefix_used(&ip->prefix);
		*p++ = ip->prefix.afi;
		*p++ = ip->prefix.len;
		*p++ = ip->maxlen;
		*p++ = (unsigned char)used;
		p = put_bytes(p, ip->prefix.addr, used);
	}
	return p;
}

/* Fill the record at p (record_size() bytes) as struct report_entry says. */
static void
record_fill(unsigned char *p, const char *base, size_t blen, uint8_t f,
    const struct walk_detail *d)
{
	size_t i;

	p = put_bytes(p, base, blen);
	*p++ = '\0';
	if (f & ENTRY_VALIDITY) {
		p = put_i64(p, d->not_before);
		p = put_i64(p, d->not_after);
	}
	if (f & ENTRY_UPDATE) {
		p = put_i64(p, d->this_update);
		p = put_i64(p, d->next_update);
	}
	if (f & ENTRY_ASN)
		p = put_prefixes(p, d);
	if (f & ENTRY_CUSTOMER) {
		p = put_u32(p, d->customer);
		p = put_u32(p, (uint32_t)nproviders(d));
		for (i = 0; i < nproviders(d); i++)
			p = put_u32(p, d->providers[i]);
	}
}

/* A free entry slot at the end (a new chunk when needed); NULL on ENOMEM. */
static struct report_entry *
entry_next(struct report *r)
{
	struct report_entry **n;
	size_t cap;

	if (r->nentries >= MAX_REPORT_ENTRIES)
		return NULL;
	if (r->nentries < r->nchunks * REPORT_CHUNK)
		goto found;
	if (r->nchunks == r->chunkcap) {
		cap = r->chunkcap == 0 ? 16 : r->chunkcap * 2;
		if ((n = reallocarray(r->chunks, cap, sizeof(*n))) == NULL)
			return NULL;
		r->chunks = n;
		r->chunkcap = cap;
	}
	if ((r->chunks[r->nchunks] = malloc(REPORT_CHUNK *
	    sizeof(struct report_entry))) == NULL)
		return NULL;
	r->nchunks++;
 found:
	return &r->chunks[r->nentries / REPORT_CHUNK][r->nentries %
	    REPORT_CHUNK];
}

static inline const struct report_entry *
entry_at(const struct report *r, size_t i)
{
	return &r->chunks[i / REPORT_CHUNK][i % REPORT_CHUNK];
}

/* Length of the directory of uri (len bytes): up to its last '/', or 0. */
static size_t
dir_len(const char *uri, size_t len)
{
	while (len > 0 && uri[len - 1] != '/')
		len--;
	return len;
}

/* The interned strings of an entry: indices into entry_store()'s keys. */
enum {
	KEY_DIR, KEY_TYPE, KEY_REASON, KEY_ISSUER, KEY_MANIFEST, KEY_TA,
	KEY_POINT, NKEYS
};

/*
 * Store one entry: the interned strings k, the URI's last segment base
 * (blen bytes), flags f, detail d.  0, or -1 on ENOMEM (strings already
 * stored stay, unused).  Called with the lock held.
 */
static int
entry_store(struct report *r, const struct key k[NKEYS], const char *base,
    size_t blen, uint8_t f, const struct walk_detail *d)
{
	struct report_entry *e, n;
	size_t size;
	int err = 0;

	memset(&n, 0, sizeof(n));
	n.flags = f;
	n.dir = intern(&r->arena, &r->dirs, &k[KEY_DIR], &err);
	n.type = intern(&r->arena, &r->strings, &k[KEY_TYPE], &err);
	n.reason = intern(&r->arena, &r->strings, &k[KEY_REASON], &err);
	n.issuer = intern(&r->arena, &r->strings, &k[KEY_ISSUER], &err);
	n.manifest = intern(&r->arena, &r->strings, &k[KEY_MANIFEST], &err);
	n.ta = intern(&r->arena, &r->strings, &k[KEY_TA], &err);
	n.point = intern(&r->arena, &r->points, &k[KEY_POINT], &err);
	if (err || (size = record_size(blen, f, d)) == 0 ||
	    (n.rec = arena_alloc(&r->arena, size)) == 0 ||
	    (e = entry_next(r)) == NULL)
		return -1;
	record_fill((unsigned char *)arena_at(&r->arena, n.rec), base, blen,
	    f, d);
	*e = n;
	r->nentries++;
	return 0;
}

/*
 * Append one entry (strings copied).  Returns 0, or -1 (the entry is
 * then counted as dropped).  Thread-safe.
 */
int
report_add(struct report *r, const char *uri, const char *type, int accepted,
    const char *reason)
{
	return report_add_detail(r, uri, type, accepted, reason, NULL);
}

/*
 * report_add() with the walk's detail copied too.  Returns 0 or -1.
 */
/* report_add_detail() with extra entry flags (ENTRY_POINT). */
static int
add_detail(struct report *r, const char *uri, const char *type,
    int accepted, const char *reason, const struct walk_detail *detail,
    uint8_t extra)
{
	struct key k[NKEYS];
	size_t len = 0, dlen = 0;
	uint8_t f;
	int rc = -1;

	if (r == NULL)
		return -1;
	f = entry_flags(accepted != 0, detail) | extra;
	if (uri != NULL) {
		/* Measured and hashed outside the lock. */
		len = strnlen(uri, MAX_URI_LENGTH);
		dlen = dir_len(uri, len);
		key_set(&k[KEY_DIR], uri, dlen);
		key_str(&k[KEY_TYPE], type != NULL ? type : "",
		    MAX_REPORT_TYPE);
		key_str(&k[KEY_REASON], reason, MAX_REPORT_REASON);
		key_str(&k[KEY_ISSUER], detail != NULL ? detail->issuer : NULL,
		    MAX_URI_LENGTH);
		key_str(&k[KEY_MANIFEST], detail != NULL ? detail->manifest :
		    NULL, MAX_URI_LENGTH);
		key_str(&k[KEY_TA], detail != NULL ? detail->ta : NULL,
		    MAX_FILENAME_LENGTH);
		key_set(&k[KEY_POINT], detail != NULL ? (const char *)
		    detail->point_md : NULL, HASH_SHA256_LEN);
	}
	pthread_mutex_lock(&r->lock);
	if (uri != NULL && entry_store(r, k, uri + dlen, len - dlen, f,
	    detail) == 0) {
		if (f & ENTRY_ACCEPTED)
			r->counts.accepted++;
		else
			r->counts.rejected++;
		rc = 0;
	} else
		r->counts.dropped++;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int
report_add_detail(struct report *r, const char *uri, const char *type,
    int accepted, const char *reason, const struct walk_detail *detail)
{
	return add_detail(r, uri, type, accepted, reason, detail, 0);
}

/*
 * report_add() as the walk's report callback; arg is the report.
 */
void
report_cb(void *arg, const char *uri_or_file, const char *type, int accepted,
    const char *reason, const struct walk_detail *detail)
{
	(void)add_detail(arg, uri_or_file, type, accepted, reason, detail, 0);
}

void
report_cb_point(void *arg, const char *uri_or_file, const char *type,
    int accepted, const char *reason, const struct walk_detail *detail)
{
	(void)add_detail(arg, uri_or_file, type, accepted, reason, detail,
	    ENTRY_POINT);
}

/* A copy of the optional string s (at most max bytes) in *out; -1 on ENOMEM. */
static int
dup_opt(const char *s, size_t max, char **out)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	return (*out = strndup(s, max)) == NULL ? -1 : 0;
}

/*
 * Record one repository's fetch result (strings copied).  Returns 0 or -1.
 */
int
report_add_repo(struct report *r, const struct report_repo *rr)
{
	struct report_repo_entry e, *n;
	int rc = -1;

	if (r == NULL || rr == NULL || rr->uri == NULL)
		return -1;
	memset(&e, 0, sizeof(e));
	if (dup_opt(rr->uri, MAX_URI_LENGTH, &e.uri) == -1 ||
	    dup_opt(rr->notify, MAX_URI_LENGTH, &e.notify) == -1 ||
	    dup_opt(rr->protocol != NULL ? rr->protocol : "none",
	    MAX_REPORT_WORD, &e.protocol) == -1 ||
	    dup_opt(rr->result != NULL ? rr->result : "pending",
	    MAX_REPORT_WORD, &e.result) == -1 ||
	    dup_opt(rr->error, MAX_REPORT_REASON, &e.error) == -1)
		goto out;
	e.delta = rr->delta != 0;
	e.unchanged = rr->unchanged != 0;
	e.objects = rr->objects;
	e.bytes = rr->bytes;
	e.milliseconds = rr->milliseconds;
	pthread_mutex_lock(&r->lock);
	if (r->nrepos < MAX_REPORT_REPOS && (n = reallocarray(r->repos,
	    r->nrepos + 1, sizeof(*n))) != NULL) {
		r->repos = n;
		r->repos[r->nrepos++] = e;
		rc = 0;
	}
	pthread_mutex_unlock(&r->lock);
 out:
	if (rc != 0)
		repo_entry_free(&e);
	return rc;
}

/*
 * A consistent snapshot of the counters.
 */
void
report_counts(struct report *r, struct report_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	*out = r->counts;
	pthread_mutex_unlock(&r->lock);
}

/* Length of the section number at s: digits and inner dots ("4.8.8"). */
static size_t
section_len(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]) ||
	    (s[n] == '.' && isdigit((unsigned char)s[n + 1])))
		n++;
	return n;
}

/*
 * The "RFC N[ section X.Y]" quoted in reason, into buf; returns its
 * length or 0.
 */
size_t
report_rule(const char *reason, char *buf, size_t len)
{
	const char *p, *q;
	size_t n, sec;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (reason == NULL)
		return 0;
	for (p = reason; (p = strstr(p, "RFC ")) != NULL; p += 4) {
		if (p != reason && isalnum((unsigned char)p[-1]))
			continue;
		if ((n = strspn(p + 4, "0123456789")) == 0)
			continue;
		n += 4;
		q = p + n;
		if (strncmp(q, " section ", 9) == 0 &&
		    (sec = section_len(q + 9)) > 0)
			n += 9 + sec;
		if (n >= len)
			return 0;
		memcpy(buf, p, n);
		buf[n] = '\0';
		return n;
	}
	return 0;
}

/* strcmp() of the string a and the concatenation b1 b2. */
static int
tail_cmp(const char *a, const char *b1, const char *b2)
{
	size_t n = strlen(b1);
	int c;

	if ((c = strncmp(a, b1, n)) != 0)
		return c;
	return strcmp(a + n, b2);
}

/*
 * strcmp() of the concatenations a1 a2 and b1 b2 (-1, 0 or 1); la and lb
 * are the lengths of a1 and b1.
 */
static int
cat2_cmp_len(const char *a1, size_t la, const char *a2, const char *b1,
    size_t lb, const char *b2)
{
	int c;

	if ((c = memcmp(a1, b1, la < lb ? la : lb)) == 0) {
		if (la == lb)
			c = strcmp(a2, b2);
		else if (la < lb)
			c = tail_cmp(a2, b1 + la, b2);
		else
			c = -tail_cmp(b2, a1 + lb, a2);
	}
	return (c > 0) - (c < 0);
}

/* cat2_cmp_len() measuring a1 and b1. */
static int
cat2_cmp(const char *a1, const char *a2, const char *b1, const char *b2)
{
	return cat2_cmp_len(a1, strlen(a1), a2, b1, strlen(b1), b2);
}

/* strcmp() of the URIs of x and y (directory and last segment). */
static int
uri_cmp(const struct report *r, const struct report_entry *x,
    const struct report_entry *y)
{
	const char *xb = arena_at(&r->arena, x->rec);
	const char *yb = arena_at(&r->arena, y->rec);

	if (x->dir == y->dir)
		return strcmp(xb, yb);
	return cat2_cmp(intern_str(&r->arena, &r->dirs, x->dir), xb,
	    intern_str(&r->arena, &r->dirs, y->dir), yb);
}

/* Entries a and b (indices) by URI, then type, then insertion order. */
static int
entry_cmp(const struct report *r, uint32_t a, uint32_t b)
{
	const struct report_entry *x = entry_at(r, a), *y = entry_at(r, b);
	int c;

	if ((c = uri_cmp(r, x, y)) != 0)
		return c;
	if (x->type != y->type && (c = strcmp(intern_str(&r->arena,
	    &r->strings, x->type), intern_str(&r->arena, &r->strings,
	    y->type))) != 0)
		return c;
	return a < b ? -1 : a > b;
}

/*
 * Sorting half a million entries by URI is costly when every comparison
 * reads two entries and their strings.  So each entry gets a rank first,
 * such that a lower rank means a lower URI and equal ranks are left to
 * entry_cmp(): the rank of its directory among the distinct directories
 * and, for an entry whose directory is a prefix of another directory
 * (the TA's or a CA's directory holding the children's directories), the
 * rank of its own URI among them (its directory's rank would not do:
 * "a/x.cer" sorts after "a/b/c.roa").  Two directories neither of which
 * is a prefix of the other, or a directory and a URI whose directory is
 * not a prefix of it, compare as the URIs under them.
 */

/* A string to rank, as two parts, and what it is the rank of. */
struct rank_name {
	const char	*a, *b;
	size_t		 alen;		/* of a, measured once for the sort */
	uint32_t	 id;		/* directory number, or entry index */
	int		 is_dir;
};

static int
rank_name_cmp(const void *a, const void *b)
{
	const struct rank_name *x = a, *y = b;

	return cat2_cmp_len(x->a, x->alen, x->b, y->a, y->alen, y->b);
}

/*
 * The directories in strcmp() order, for entry_ranks(); those that are
 * a prefix of another one are marked in anc (by number - 1) and counted
 * in *nanc.  NULL on ENOMEM.
 */
static struct rank_name *
dirs_sorted(const struct report *r, unsigned char *anc, size_t *nanc)
{
	struct rank_name *d;
	size_t i, n = r->dirs.n;

	if ((d = calloc(n, sizeof(*d))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		d[i].a = intern_str(&r->arena, &r->dirs, (uint32_t)i + 1);
		d[i].alen = strlen(d[i].a);
		d[i].b = "";
		d[i].id = (uint32_t)i + 1;
		d[i].is_dir = 1;
	}
	qsort(d, n, sizeof(*d), rank_name_cmp);
	/*
	 * Directories below one follow it directly, after its copies if it
	 * was stored more than once (INTERN_MAX_PROBES).
	 */
	*nanc = 0;
	for (i = n; i-- > 0;) {
		if (i + 1 == n)
			continue;
		if (strcmp(d[i + 1].a, d[i].a) == 0)
			anc[d[i].id - 1] = anc[d[i + 1].id - 1];
		else if (strncmp(d[i + 1].a, d[i].a, strlen(d[i].a)) == 0)
			anc[d[i].id - 1] = 1;
		*nanc += anc[d[i].id - 1];
	}
	return d;
}

/*
 * The names to rank: the directories that are no prefix of another one
 * (from the sorted d), and the URIs of the entries in the others.  *np
 * gets their number; NULL on ENOMEM.
 */
static struct rank_name *
rank_names(const struct report *r, const struct rank_name *d,
    const unsigned char *anc, size_t nanc, size_t *np)
{
	const struct report_entry *e;
	struct rank_name *v;
	size_t i, k = 0, n = r->dirs.n - nanc;

	for (i = 0; nanc > 0 && i < r->nentries; i++)
		n += anc[entry_at(r, i)->dir - 1];
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < r->dirs.n; i++)
		if (!anc[d[i].id - 1])
			v[k++] = d[i];
	for (i = 0; nanc > 0 && i < r->nentries; i++) {
		e = entry_at(r, i);
		if (!anc[e->dir - 1])
			continue;
		v[k].a = intern_str(&r->arena, &r->dirs, e->dir);
		v[k].alen = strlen(v[k].a);
		v[k].b = arena_at(&r->arena, e->rec);
		v[k++].id = (uint32_t)i;
	}
	*np = n;
	return v;
}

/*
 * Fill keys[i] with entry i's rank << 32 | i.  0, or -1 on ENOMEM.
 */
static int
entry_ranks(const struct report *r, uint64_t *keys)
{
	struct rank_name *d = NULL, *v = NULL;
	unsigned char *anc;
	uint32_t *dir_rank = NULL, rank = 0;
	size_t i, n, nanc;
	int rc = -1;

	if ((anc = calloc(r->dirs.n, 1)) == NULL ||
	    (dir_rank = calloc(r->dirs.n, sizeof(*dir_rank))) == NULL ||
	    (d = dirs_sorted(r, anc, &nanc)) == NULL ||
	    (v = rank_names(r, d, anc, nanc, &n)) == NULL)
		goto out;
	qsort(v, n, sizeof(*v), rank_name_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && rank_name_cmp(&v[i - 1], &v[i]) != 0)
			rank++;
		if (v[i].is_dir)
			dir_rank[v[i].id - 1] = rank;
		else
			keys[v[i].id] = (uint64_t)rank << 32 | v[i].id;
	}
	for (i = 0; i < r->nentries; i++)
		if (!anc[entry_at(r, i)->dir - 1])
			keys[i] = (uint64_t)dir_rank[entry_at(r, i)->dir - 1] <<
			    32 | i;
	rc = 0;
 out:
	free(anc);
	free(dir_rank);
	free(d);
	free(v);
	return rc;
}

/*
 * What the sort compares: the report, and the first eight bytes of each
 * entry's last URI segment as a big-endian number (zero after its end),
 * so that most entries of one directory are ordered without reading
 * their records.
 */
struct sort_ctx {
	const struct report	*r;
	uint64_t		*head;		/* by entry index */
};

/* The first eight bytes of s (zero after its NUL) as a number. */
static uint64_t
name_head(const char *s)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < sizeof(v); i++) {
		v = v << 8 | (unsigned char)*s;
		if (*s != '\0')
			s++;
	}
	return v;
}

/*
 * Sort keys a and b: by rank, then (equal ranks) entry_cmp().  Entries
 * of one directory whose names differ in their first eight bytes are
 * ordered as strcmp() would order them from those bytes alone.
 */
static int
sort_key_cmp(const struct sort_ctx *c, uint64_t a, uint64_t b)
{
	uint32_t x = (uint32_t)a, y = (uint32_t)b;

	if (a >> 32 != b >> 32)
		return a < b ? -1 : 1;
	if (c->head[x] != c->head[y] &&
	    entry_at(c->r, x)->dir == entry_at(c->r, y)->dir)
		return c->head[x] < c->head[y] ? -1 : 1;
	return entry_cmp(c->r, x, y);
}

/* Merge the sorted runs src[lo..mid) and src[mid..hi) into dst[lo..hi). */
static void
merge(const struct sort_ctx *c, const uint64_t *src, uint64_t *dst,
    size_t lo, size_t mid, size_t hi)
{
	size_t i = lo, j = mid, k = lo;

	while (i < mid && j < hi)
		dst[k++] = sort_key_cmp(c, src[i], src[j]) <= 0 ? src[i++] :
		    src[j++];
	while (i < mid)
		dst[k++] = src[i++];
	while (j < hi)
		dst[k++] = src[j++];
}

/*
 * Sort the n keys at a (tmp: room for n more) by sort_key_cmp(): a
 * bottom-up merge sort, as qsort() has no argument for the report.
 * Returns the sorted array, a or tmp.
 */
static uint64_t *
sort_keys(const struct sort_ctx *c, uint64_t *a, uint64_t *tmp, size_t n)
{
	uint64_t *t;
	size_t i, w;

	for (w = 1; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w)
			merge(c, a, tmp, i, i + w < n ? i + w : n,
			    i + 2 * w < n ? i + 2 * w : n);
		t = a;
		a = tmp;
		tmp = t;
	}
	return a;
}

/*
 * The entries in write order, as sort keys (the entry index is the low
 * 32 bits); *mem (to free) gets the memory holding them.  NULL on ENOMEM.
 */
static const uint64_t *
entry_order(const struct report *r, uint64_t **mem)
{
	struct sort_ctx c;
	const uint64_t *sorted;
	size_t i, n = r->nentries;

	c.r = r;
	if ((*mem = reallocarray(NULL, n, 2 * sizeof(**mem))) == NULL ||
	    entry_ranks(r, *mem) == -1 ||
	    (c.head = reallocarray(NULL, n, sizeof(*c.head))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		c.head[i] = name_head(arena_at(&r->arena, entry_at(r, i)->rec));
	sorted = sort_keys(&c, *mem, *mem + n, n);
	free(c.head);
	return sorted;
}

/*
 * What report_write() keeps while writing the entries: the lengths of
 * the report's strings, measured once instead of for every entry that
 * names them, and the last time written for each time member, as
 * neighbouring entries (one publication point) mostly share them.
 */
enum {
	TIME_NOT_BEFORE, TIME_NOT_AFTER, TIME_THIS_UPDATE, TIME_NEXT_UPDATE,
	NTIMES
};

struct time_memo {
	int64_t		 t;
	int		 set;		/* t and text are filled */
	int		 ok;		/* t lies in GTIME_MIN..GTIME_MAX */
	char		 text[GTIME_ISO_LEN + 1];
};

struct writer {
	struct json		*j;
	const struct report	*r;
	uint32_t		*dir_len;	/* of directory id - 1 */
	uint32_t		*str_len;	/* of string id - 1 */
	struct time_memo	 times[NTIMES];
};

/*
 * The lengths of the n strings of t, in a new array owned by the caller
 * (NULL on ENOMEM; an empty table gets a 1-element array).
 */
static uint32_t *
string_lengths(const struct arena *a, const struct intern *t)
{
	uint32_t *len;
	size_t i;

	if ((len = calloc(t->n > 0 ? t->n : 1, sizeof(*len))) == NULL)
		return NULL;
	for (i = 0; i < t->n; i++)
		len[i] = (uint32_t)strlen(arena_at(a, t->ref[i]));
	return len;
}

/*
 * entry_order() of r, kept for the next caller while no entry is added:
 * report_digest() and report_write() of one run share it.  Called with
 * the lock held.  NULL on ENOMEM.
 */
static const uint64_t *
cached_order(struct report *r)
{
	if (r->order != NULL && r->order_n == r->nentries)
		return r->order;
	free(r->order_mem);
	r->order_mem = NULL;
	if ((r->order = entry_order(r, &r->order_mem)) == NULL) {
		free(r->order_mem);
		r->order_mem = NULL;
		return NULL;
	}
	r->order_n = r->nentries;
	return r->order;
}

int
report_sort(struct report *r)
{
	return r->nentries == 0 || cached_order(r) != NULL ? 0 : -1;
}

/* Two decimal digits of v at p. */
static char *
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/*
 * Fill m with t as ISO 8601, as gtime_format_iso() writes it but
 * without snprintf().
 */
static void
format_time(struct time_memo *m, int64_t t)
{
	struct gtime_tm tm;
	char *p = m->text;

	m->t = t;
	m->set = 1;
	if (!(m->ok = gtime_split(t, &tm) == 0))
		return;
	p = put2(p, tm.year / 100);
	p = put2(p, tm.year % 100);
	*p++ = '-';
	p = put2(p, tm.mon);
	*p++ = '-';
	p = put2(p, tm.day);
	*p++ = 'T';
	p = put2(p, tm.hour);
	*p++ = ':';
	p = put2(p, tm.min);
	*p++ = ':';
	p = put2(p, tm.sec);
	*p++ = 'Z';
	*p = '\0';
}

/*
 * key: t as ISO 8601 (a time outside GTIME_MIN..GTIME_MAX is left out);
 * slot: which of w's memos holds the last such time.
 */
static void
write_time(struct writer *w, int slot, const char *key, int64_t t)
{
	struct time_memo *m = &w->times[slot];

	if (!m->set || m->t != t)
		format_time(m, t);
	if (m->ok)
		json_kv_string_len(w->j, key, m->text, GTIME_ISO_LEN);
}

/* A record reader: the next value at *p. */
static int64_t
get_i64(const unsigned char **p)
{
	int64_t v;

	memcpy(&v, *p, sizeof(v));
	*p += sizeof(v);
	return v;
}

static uint32_t
get_u32(const unsigned char **p)
{
	uint32_t v;

	memcpy(&v, *p, sizeof(v));
	*p += sizeof(v);
	return v;
}

/* The ROA contents at *p: "asn", "prefixes": [ { "prefix", "max_length" } ]. */
static void
write_prefixes(struct json *j, const unsigned char **p)
{
	char buf[PREFIX_STRLEN];
	struct prefix pfx;
	uint32_t i, n;
	uint8_t maxlen, used;
	int len;

	json_kv_uint(j, "asn", get_u32(p));
	n = get_u32(p);
	json_key(j, "prefixes");
	json_array_begin(j);
	for (i = 0; i < n; i++) {
		memset(&pfx, 0, sizeof(pfx));
		pfx.afi = (*p)[0];
		pfx.len = (*p)[1];
		maxlen = (*p)[2];
		used = (*p)[3];
		memcpy(pfx.addr, *p + PACKED_PREFIX_HDR, used);
		*p += PACKED_PREFIX_HDR + used;
		if ((len = prefix_format_fast(&pfx, buf)) < 0)
			continue;
		json_object_begin(j);
		json_kv_string_len(j, "prefix", buf, (size_t)len);
		json_kv_uint(j, "max_length", maxlen);
		json_object_end(j);
	}
	json_array_end(j);
}

/* The ASPA contents at *p: "customer", "providers": [ ... ]. */
static void
write_providers(struct json *j, const unsigned char **p)
{
	uint32_t i, n;

	json_kv_uint(j, "customer", get_u32(p));
	n = get_u32(p);
	json_key(j, "providers");
	json_array_begin(j);
	for (i = 0; i < n; i++)
		json_uint(j, get_u32(p));
	json_array_end(j);
}

/* key: string id of the report's strings, if not 0. */
static void
write_string(struct writer *w, const char *key, uint32_t id)
{
	if (id != 0)
		json_kv_string_len(w->j, key, intern_str(&w->r->arena,
		    &w->r->strings, id), w->str_len[id - 1]);
}

/* The members from the walk's detail, those known; p: after the name. */
static void
write_detail(struct writer *w, const struct report_entry *e,
    const unsigned char *p)
{
	write_string(w, "issuer", e->issuer);
	write_string(w, "manifest", e->manifest);
	write_string(w, "ta", e->ta);
	if (e->flags & ENTRY_VALIDITY) {
		write_time(w, TIME_NOT_BEFORE, "not_before", get_i64(&p));
		write_time(w, TIME_NOT_AFTER, "not_after", get_i64(&p));
	}
	if (e->flags & ENTRY_UPDATE) {
		write_time(w, TIME_THIS_UPDATE, "this_update", get_i64(&p));
		write_time(w, TIME_NEXT_UPDATE, "next_update", get_i64(&p));
	}
	if (e->flags & ENTRY_ASN)
		write_prefixes(w->j, &p);
	if (e->flags & ENTRY_CUSTOMER)
		write_providers(w->j, &p);
}

/*
 * The entries are written in URI order, not in the order they were
 * stored, so each one's struct and record are mostly cache misses: ask
 * for the struct PREFETCH_AHEAD entries ahead and for the record of the
 * one half as far, whose struct has arrived by then.
 */
#define PREFETCH_AHEAD	16

static void
prefetch_entry(const struct report *r, const uint64_t *order, size_t n,
    size_t i)
{
#if defined(__GNUC__)
	if (i + PREFETCH_AHEAD < n)
		__builtin_prefetch(entry_at(r, (uint32_t)order[i +
		    PREFETCH_AHEAD]));
	if (i + PREFETCH_AHEAD / 2 < n)
		__builtin_prefetch(arena_at(&r->arena, entry_at(r,
		    (uint32_t)order[i + PREFETCH_AHEAD / 2])->rec));
#else
	(void)r;
	(void)order;
	(void)n;
	(void)i;
#endif
}

static int
write_entry(struct writer *w, const struct report_entry *e)
{
	char uri[MAX_URI_LENGTH + 1], rule[MAX_REPORT_REASON];
	const struct report *r = w->r;
	struct json *j = w->j;
	const char *base, *reason;
	size_t dlen, blen;

	/* The URI was at most MAX_URI_LENGTH bytes when stored. */
	base = arena_at(&r->arena, e->rec);
	dlen = w->dir_len[e->dir - 1];
	blen = strlen(base);
	memcpy(uri, intern_str(&r->arena, &r->dirs, e->dir), dlen);
	memcpy(uri + dlen, base, blen);
	json_object_begin(j);
	json_kv_string_len(j, "uri", uri, dlen + blen);
	write_string(w, "type", e->type);
	json_kv_bool(j, "accepted", e->flags & ENTRY_ACCEPTED);
	if ((reason = intern_str(&r->arena, &r->strings, e->reason)) !=
	    NULL) {
		json_kv_string_len(j, "reason", reason,
		    w->str_len[e->reason - 1]);
		if (report_rule(reason, rule, sizeof(rule)) > 0)
			json_kv_string(j, "rule", rule);
	}
	write_detail(w, e, (const unsigned char *)base + blen + 1);
	return json_object_end(j);
}

static int
repo_cmp(const void *a, const void *b)
{
	const struct report_repo_entry *x = a, *y = b;

	return strcmp(x->uri, y->uri);
}

/* "repositories": [...], sorted in place (the lock is held). */
static void
write_repos(struct json *j, struct report *r)
{
	const struct report_repo_entry *e;
	size_t i, n = r != NULL ? r->nrepos : 0;

	if (n > 0)
		qsort(r->repos, n, sizeof(*r->repos), repo_cmp);
	json_key(j, "repositories");
	json_array_begin(j);
	for (i = 0; i < n; i++) {
		e = &r->repos[i];
		json_object_begin(j);
		json_kv_string(j, "uri", e->uri);
		if (e->notify != NULL)
			json_kv_string(j, "notify", e->notify);
		json_kv_string(j, "protocol", e->protocol);
		json_kv_string(j, "result", e->result);
		json_kv_bool(j, "delta", e->delta);
		json_kv_bool(j, "unchanged", e->unchanged);
		json_kv_uint(j, "objects", e->objects);
		json_kv_uint(j, "bytes", e->bytes);
		json_kv_uint(j, "milliseconds", e->milliseconds);
		if (e->error != NULL)
			json_kv_string(j, "error", e->error);
		json_object_end(j);
	}
	json_array_end(j);
}

/*
 * A report being written (report_int.h): the writer's state and the
 * entries' write order, with the report's lock held throughout.
 */
struct report_cursor {
	struct writer		 w;
	struct report		*r;		/* NULL: an empty report */
	const uint64_t		*order;
	size_t			 n;
	int			 head;		/* report_cursor_head() done */
};

struct report_cursor *
report_cursor_open(struct report *r, struct json *j)
{
	struct report_cursor *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->r = r;
	c->w.j = j;
	c->w.r = r;
	if (r == NULL)
		return c;
	pthread_mutex_lock(&r->lock);
	c->n = r->nentries;
	if (c->n > 0 && ((c->order = cached_order(r)) == NULL ||
	    (c->w.dir_len = string_lengths(&r->arena, &r->dirs)) == NULL ||
	    (c->w.str_len = string_lengths(&r->arena, &r->strings)) ==
	    NULL)) {
		(void)report_cursor_close(c);
		return NULL;
	}
	return c;
}

size_t
report_cursor_n(const struct report_cursor *c)
{
	return c->n;
}

void
report_cursor_counts(const struct report_cursor *c, struct report_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (c->r != NULL)
		*out = c->r->counts;
}

/* Entry i of c in write order. */
static const struct report_entry *
cursor_entry(const struct report_cursor *c, size_t i)
{
	return entry_at(c->r, (uint32_t)c->order[i]);
}

uint32_t
report_cursor_point(const struct report_cursor *c, size_t i)
{
	return cursor_entry(c, i)->point;
}

size_t
report_cursor_npoints(const struct report_cursor *c)
{
	return c->r != NULL ? c->r->points.n : 0;
}

const unsigned char *
report_cursor_point_md(const struct report_cursor *c, uint32_t id)
{
	return (const unsigned char *)intern_str(&c->r->arena, &c->r->points,
	    id);
}

int
report_cursor_accepted(const struct report_cursor *c, size_t i)
{
	return (cursor_entry(c, i)->flags & ENTRY_ACCEPTED) != 0;
}

size_t
report_cursor_uri(const struct report_cursor *c, size_t i, char *buf)
{
	const struct report_entry *e = cursor_entry(c, i);
	const char *base = arena_at(&c->r->arena, e->rec);
	size_t dlen = c->w.dir_len[e->dir - 1], blen = strlen(base);

	/* The URI was at most MAX_URI_LENGTH bytes when stored. */
	memcpy(buf, intern_str(&c->r->arena, &c->r->dirs, e->dir), dlen);
	memcpy(buf + dlen, base, blen + 1);
	return dlen + blen;
}

const char *
report_cursor_type(const struct report_cursor *c, size_t i)
{
	return intern_str(&c->r->arena, &c->r->strings,
	    cursor_entry(c, i)->type);
}

int
report_cursor_cmp(const struct report_cursor *c, size_t i, const char *uri,
    const char *type)
{
	const struct report_entry *e = cursor_entry(c, i);
	int k;

	if ((k = cat2_cmp(intern_str(&c->r->arena, &c->r->dirs, e->dir),
	    arena_at(&c->r->arena, e->rec), uri, "")) != 0)
		return k;
	k = strcmp(report_cursor_type(c, i), type);
	return (k > 0) - (k < 0);
}

int
report_cursor_same_key(const struct report_cursor *c, size_t i, size_t k)
{
	const struct report_entry *x = cursor_entry(c, i);
	const struct report_entry *y = cursor_entry(c, k);

	return uri_cmp(c->r, x, y) == 0 && (x->type == y->type ||
	    strcmp(report_cursor_type(c, i), report_cursor_type(c, k)) == 0);
}

int
report_cursor_head(struct report_cursor *c, const struct report_counts *n)
{
	struct json *j = c->w.j;

	json_object_begin(j);
	json_kv_uint(j, "accepted", n->accepted);
	json_kv_uint(j, "rejected", n->rejected);
	json_kv_uint(j, "dropped", n->dropped);
	write_repos(j, c->r);
	json_key(j, "objects");
	c->head = 1;
	return json_array_begin(j);
}

int
report_cursor_entry(struct report_cursor *c, size_t i)
{
	prefetch_entry(c->r, c->order, c->n, i);
	return write_entry(&c->w, cursor_entry(c, i));
}

int
report_cursor_close(struct report_cursor *c)
{
	struct json *j = c->w.j;
	int rc = -1;

	if (c->head) {
		json_array_end(j);
		if (json_object_end(j) == 0 && !json_failed(j))
			rc = 0;
	}
	if (c->r != NULL)
		pthread_mutex_unlock(&c->r->lock);
	free(c->w.dir_len);
	free(c->w.str_len);
	free(c);
	return rc;
}

/*
 * Write the report as one JSON object to j (entries sorted by URI, type,
 * insertion order).  Returns 0 or -1.
 */
int
report_write(struct report *r, struct json *j)
{
	struct report_cursor *c;
	struct report_counts n;
	size_t i;

	if ((c = report_cursor_open(r, j)) == NULL)
		return -1;
	report_cursor_counts(c, &n);
	report_cursor_head(c, &n);
	for (i = 0; i < c->n; i++)
		report_cursor_entry(c, i);
	return report_cursor_close(c);
}

/*
 * report_write() to fp as a complete pretty-printed document.
 */
int
report_write_file(struct report *r, FILE *fp)
{
	struct json *j;
	int rc = -1;

	if ((j = json_new_file(fp, JSON_PRETTY)) == NULL)
		return -1;
	json_flat_from(j, 3);	/* one repository or object per line */
	if (report_write(r, j) == 0 && json_finish(j) == 0)
		rc = 0;
	json_free(j);
	return rc;
}

/* Digest of the report (report_digest()). */

static int	digest(struct report *, const unsigned char *, size_t,
		    unsigned char *, int);

/* Bytes gathered before a digest update: one call per entry is slow. */
#define DIGEST_BUF	(64 * 1024)

struct digest_buf {
	struct hash_sha256_ctx	 ctx;
	unsigned char		 b[DIGEST_BUF];
	size_t			 n;
	int			 failed;
};

static void
dg_flush(struct digest_buf *g)
{
	if (g->n > 0 && hash_sha256_update(&g->ctx, g->b, g->n) == -1)
		g->failed = 1;
	g->n = 0;
}

static void
dg_bytes(struct digest_buf *g, const void *p, size_t len)
{
	if (len > sizeof(g->b) - g->n) {
		dg_flush(g);
		if (len > sizeof(g->b)) {
			if (hash_sha256_update(&g->ctx, p, len) == -1)
				g->failed = 1;
			return;
		}
	}
	memcpy(g->b + g->n, p, len);
	g->n += len;
}

/* A string, told apart from NULL and from what follows. */
static void
dg_str(struct digest_buf *g, const char *s)
{
	unsigned char present = s != NULL;

	dg_bytes(g, &present, 1);
	if (s != NULL)
		dg_bytes(g, s, strlen(s) + 1);
}

static void
dg_u64(struct digest_buf *g, uint64_t v)
{
	dg_bytes(g, &v, sizeof(v));
}

/* Length of the record at p (struct report_entry) for flags f. */
static size_t
record_len(const unsigned char *p, uint8_t f)
{
	const unsigned char *q = p + strlen((const char *)p) + 1;
	uint32_t i, n;

	if (f & ENTRY_VALIDITY)
		q += 2 * sizeof(int64_t);
	if (f & ENTRY_UPDATE)
		q += 2 * sizeof(int64_t);
	if (f & ENTRY_ASN) {
		q += sizeof(uint32_t);
		n = get_u32(&q);
		for (i = 0; i < n; i++)
			q += PACKED_PREFIX_HDR + q[3];
	}
	if (f & ENTRY_CUSTOMER) {
		q += sizeof(uint32_t);
		n = get_u32(&q);
		q += (size_t)n * sizeof(uint32_t);
	}
	return (size_t)(q - p);
}

static void
digest_entry(struct digest_buf *g, const struct report *r,
    const struct report_entry *e)
{
	const unsigned char *rec =
	    (const unsigned char *)arena_at(&r->arena, e->rec);
	const struct intern *t = &r->strings;
	uint8_t flags;

	dg_str(g, intern_str(&r->arena, &r->dirs, e->dir));
	dg_str(g, intern_str(&r->arena, t, e->type));
	dg_str(g, intern_str(&r->arena, t, e->reason));
	dg_str(g, intern_str(&r->arena, t, e->issuer));
	dg_str(g, intern_str(&r->arena, t, e->manifest));
	dg_str(g, intern_str(&r->arena, t, e->ta));
	flags = e->flags & (uint8_t)~ENTRY_POINT;
	dg_bytes(g, &flags, 1);
	dg_bytes(g, rec, record_len(rec, e->flags));
}

static void
digest_repos(struct digest_buf *g, struct report *r)
{
	const struct report_repo_entry *e;
	size_t i;

	/* Sorted as report_write() sorts them. */
	if (r->nrepos > 0)
		qsort(r->repos, r->nrepos, sizeof(*r->repos), repo_cmp);
	dg_u64(g, r->nrepos);
	for (i = 0; i < r->nrepos; i++) {
		e = &r->repos[i];
		dg_str(g, e->uri);
		dg_str(g, e->notify);
		dg_str(g, e->protocol);
		dg_str(g, e->result);
		dg_str(g, e->error);
		dg_u64(g, (uint64_t)e->delta);
		dg_u64(g, (uint64_t)e->unchanged);
		dg_u64(g, e->objects);
		dg_u64(g, e->bytes);
		dg_u64(g, e->milliseconds);
	}
}

/*
 * The entries of r to digest, in write order, into g: all, or without
 * those of report_cb_point() (own), whose counters then follow.
 */
static void
digest_entries(struct digest_buf *g, struct report *r, int own)
{
	const struct report_entry *e;
	const uint64_t *order = NULL;
	uint64_t n = 0, accepted = 0;
	size_t i;

	if (r->nentries > 0 && (order = cached_order(r)) == NULL)
		g->failed = 1;
	for (i = 0; order != NULL && i < r->nentries; i++) {
		e = entry_at(r, (uint32_t)order[i]);
		if (own && (e->flags & ENTRY_POINT))
			continue;
		digest_entry(g, r, e);
		n++;
		accepted += (e->flags & ENTRY_ACCEPTED) != 0;
	}
	dg_u64(g, n);
	dg_u64(g, accepted);
}

int
report_digest(struct report *r, const unsigned char *tag, size_t taglen,
    unsigned char *md)
{
	return digest(r, tag, taglen, md, 0);
}

int
report_digest_own(struct report *r, const unsigned char *tag, size_t taglen,
    unsigned char *md)
{
	return digest(r, tag, taglen, md, 1);
}

static int
digest(struct report *r, const unsigned char *tag, size_t taglen,
    unsigned char *md, int own)
{
	static const char what[] = "reef report digest 2";
	struct digest_buf *g;
	int rc = -1;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -1;
	if (hash_sha256_init(&g->ctx) == -1) {
		free(g);
		return -1;
	}
	dg_bytes(g, what, sizeof(what));
	dg_bytes(g, tag, taglen);
	if (r == NULL)
		goto done;
	pthread_mutex_lock(&r->lock);
	dg_u64(g, r->counts.dropped);
	digest_repos(g, r);
	digest_entries(g, r, own);
	pthread_mutex_unlock(&r->lock);
 done:
	dg_flush(g);
	if (hash_sha256_final(&g->ctx, md) == 0 && !g->failed)
		rc = 0;
	free(g);
	return rc;
}
