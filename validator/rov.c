/*
 * RFC 6811 origin validation index (rov.h) and batch route parsing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/asn.h"
#include "common/be32.h"
#include "validator/rov.h"

#define ROV_NONE	UINT32_MAX
#define ROV_NBUCKETS	(1u << ROV_BUCKET_BITS)
/* Fields of a bgpdump -m line up to the AS path. */
#define ROV_BGPDUMP_MIN_FIELDS	7

/* An IPv6 prefix as two 64-bit halves, for fast compares. */
struct key6 {
	uint64_t	hi;
	uint64_t	lo;
	uint32_t	len;
};

/* What a lookup needs of a VRP, packed; the VRP itself is in vrp[]. */
struct rov_ent {
	uint32_t	asn;
	uint32_t	maxlen;
};

/*
 * A distinct VRP prefix with its links, in one record so that a lookup
 * touches one cache line per level.  first: its VRPs are ent[first] up
 * to the next node's first (a sentinel node ends the array).
 */
struct node4 {
	uint64_t	key;		/* address << 8 | length */
	uint32_t	parent;		/* nearest covering prefix, or ROV_NONE */
	uint32_t	first;
};

struct node6 {
	struct key6	key;
	uint32_t	parent;
	uint32_t	first;
};

struct rov_fam {
	size_t		  n;		/* distinct prefixes */
	struct node4	 *n4;		/* IPv4, n + 1 with the sentinel */
	struct node6	 *n6;		/* IPv6, likewise */
	struct rov_ent	 *ent;
	const struct vrp **vrp;
	uint32_t	 *bucket;	/* ROV_NBUCKETS + 1 offsets into n4/n6 */
};

struct rov_index {
	struct rov_fam	fam[2];		/* [0] IPv4, [1] IPv6 */
};

static uint64_t
addr64(const uint8_t *a)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | a[i];
	return v;
}

static uint64_t
mask64(unsigned int len)
{
	return len == 0 ? 0 : len >= 64 ? UINT64_MAX : UINT64_MAX << (64 - len);
}

static uint64_t
key4_of(const struct prefix *p)
{
	return (uint64_t)be32_get(p->addr) << 8 | p->len;
}

static struct key6
key6_of(const struct prefix *p)
{
	struct key6 k;

	k.hi = addr64(p->addr);
	k.lo = addr64(p->addr + 8);
	k.len = p->len;
	return k;
}

static int
key6_le(const struct key6 *a, const struct key6 *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi;
	if (a->lo != b->lo)
		return a->lo < b->lo;
	return a->len <= b->len;
}

/* Does the indexed prefix k cover the route r? */
static int
covers4(uint64_t k, uint64_t r)
{
	unsigned int len = k & 0xff;
	uint64_t m;

	if (len > (r & 0xff))
		return 0;
	m = mask64(24 + len);	/* address bits 39..8 of the key */
	return ((k ^ r) & m) == 0;
}

static int
covers6(const struct key6 *k, const struct key6 *r)
{
	if (k->len > r->len)
		return 0;
	if (k->len <= 64)
		return ((k->hi ^ r->hi) & mask64(k->len)) == 0;
	return k->hi == r->hi && ((k->lo ^ r->lo) & mask64(k->len - 64)) == 0;
}

/* Order for building: address, length ascending, then ASN. */
static int
vrp_ptr_cmp(const void *a, const void *b)
{
	const struct vrp *x = *(const struct vrp * const *)a;
	const struct vrp *y = *(const struct vrp * const *)b;
	int c;

	if ((c = prefix_cmp(&x->prefix, &y->prefix)) != 0)
		return c;
	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	return x->maxlen < y->maxlen ? -1 : x->maxlen > y->maxlen;
}

static void
fam_free(struct rov_fam *f)
{
	free(f->n4);
	free(f->n6);
	free(f->ent);
	free(f->vrp);
	free(f->bucket);
	memset(f, 0, sizeof(*f));
}

/* The first ROV_BUCKET_BITS bits of node i. */
static uint32_t
node_bucket(const struct rov_fam *f, size_t i)
{
	if (f->n4 != NULL)
		return (uint32_t)(f->n4[i].key >> (40 - ROV_BUCKET_BITS));
	return (uint32_t)(f->n6[i].key.hi >> (64 - ROV_BUCKET_BITS));
}

static int
node_covers(const struct rov_fam *f, uint32_t a, uint32_t b)
{
	if (f->n4 != NULL)
		return covers4(f->n4[a].key, f->n4[b].key);
	return covers6(&f->n6[a].key, &f->n6[b].key);
}

/* Parents by a stack walk over the nodes in (address, length) order. */
static int
fam_link(struct rov_fam *f)
{
	uint32_t *stack, sp = 0, i;

	if ((stack = calloc(f->n + 1, sizeof(*stack))) == NULL)
		return -1;
	for (i = 0; i < f->n; i++) {
		while (sp > 0 && !node_covers(f, stack[sp - 1], i))
			sp--;
		if (f->n4 != NULL)
			f->n4[i].parent = sp > 0 ? stack[sp - 1] : ROV_NONE;
		else
			f->n6[i].parent = sp > 0 ? stack[sp - 1] : ROV_NONE;
		stack[sp++] = i;
	}
	free(stack);
	return 0;
}

static void
fam_buckets(struct rov_fam *f)
{
	size_t i = 0;
	uint32_t b;

	for (b = 0; b < ROV_NBUCKETS; b++) {
		while (i < f->n && node_bucket(f, i) < b)
			i++;
		f->bucket[b] = (uint32_t)i;
	}
	f->bucket[ROV_NBUCKETS] = (uint32_t)f->n;
}

/* Index the nv VRPs at v (pointers, sorted here) of one family. */
static int
fam_build(struct rov_fam *f, const struct vrp **v, size_t nv, int v6)
{
	size_t i, n = 0;

	qsort(v, nv, sizeof(*v), vrp_ptr_cmp);
	for (i = 0; i < nv; i++)
		if (i == 0 || prefix_cmp(&v[i]->prefix, &v[i - 1]->prefix) != 0)
			n++;
	f->vrp = v;
	f->n = n;
	if ((f->ent = calloc(nv + 1, sizeof(*f->ent))) == NULL ||
	    (f->bucket = calloc(ROV_NBUCKETS + 1, sizeof(*f->bucket))) == NULL)
		return -1;
	if (v6)
		f->n6 = calloc(n + 1, sizeof(*f->n6));
	else
		f->n4 = calloc(n + 1, sizeof(*f->n4));
	if (f->n4 == NULL && f->n6 == NULL)
		return -1;
	for (i = 0, n = 0; i < nv; i++) {
		if (i == 0 || prefix_cmp(&v[i]->prefix, &v[i - 1]->prefix) != 0) {
			if (v6) {
				f->n6[n].key = key6_of(&v[i]->prefix);
				f->n6[n++].first = (uint32_t)i;
			} else {
				f->n4[n].key = key4_of(&v[i]->prefix);
				f->n4[n++].first = (uint32_t)i;
			}
		}
		f->ent[i].asn = v[i]->asn;
		f->ent[i].maxlen = v[i]->maxlen;
	}
	if (v6)
		f->n6[n].first = (uint32_t)nv;
	else
		f->n4[n].first = (uint32_t)nv;
	if (fam_link(f) == -1)
		return -1;
	fam_buckets(f);
	return 0;
}

/*
 * Build the index over the frozen set vs.  Returns it (caller frees with
 * rov_free()) or NULL with errno set.
 */
struct rov_index *
rov_build(const struct vrpset *vs)
{
	struct rov_index *ix = NULL;
	const struct vrp **v[2] = { NULL, NULL };
	size_t nv[2] = { 0, 0 }, i, n;
	const struct vrp *p;
	int k;

	if (vs == NULL || !vrpset_frozen(vs)) {
		errno = EINVAL;
		return NULL;
	}
	n = vrpset_count(vs);
	if ((ix = calloc(1, sizeof(*ix))) == NULL ||
	    (v[0] = calloc(n + 1, sizeof(*v[0]))) == NULL ||
	    (v[1] = calloc(n + 1, sizeof(*v[1]))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		p = vrpset_get(vs, i);
		k = p->prefix.afi == AFI_IPV6;
		v[k][nv[k]++] = p;
	}
	for (k = 0; k < 2; k++) {
		const struct vrp **own = v[k];

		v[k] = NULL;
		if (fam_build(&ix->fam[k], own, nv[k], k) == -1) {
			if (ix->fam[k].vrp == NULL)
				free(own);
			goto fail;
		}
	}
	return ix;
 fail:
	free(v[0]);
	free(v[1]);
	rov_free(ix);
	errno = ENOMEM;
	return NULL;
}

/* Free the index; NULL is allowed. */
void
rov_free(struct rov_index *ix)
{
	if (ix == NULL)
		return;
	fam_free(&ix->fam[0]);
	fam_free(&ix->fam[1]);
	free(ix);
}

static inline uint32_t
node_parent(const struct rov_fam *f, uint32_t c)
{
	return f->n4 != NULL ? f->n4[c].parent : f->n6[c].parent;
}

static inline uint32_t
node_first(const struct rov_fam *f, uint32_t c)
{
	return f->n4 != NULL ? f->n4[c].first : f->n6[c].first;
}

/* Deepest indexed prefix covering the IPv4 route key r, or ROV_NONE. */
static uint32_t
deepest4(const struct rov_fam *f, uint64_t r)
{
	uint32_t b = (uint32_t)(r >> (40 - ROV_BUCKET_BITS));
	uint32_t lo = f->bucket[b], hi = f->bucket[b + 1], mid, c;

	while (lo < hi) {		/* first node > r */
		mid = lo + (hi - lo) / 2;
		if (f->n4[mid].key <= r)
			lo = mid + 1;
		else
			hi = mid;
	}
	c = lo == 0 ? ROV_NONE : lo - 1;
	while (c != ROV_NONE && !covers4(f->n4[c].key, r))
		c = f->n4[c].parent;
	return c;
}

static uint32_t
deepest6(const struct rov_fam *f, const struct key6 *r)
{
	uint32_t b = (uint32_t)(r->hi >> (64 - ROV_BUCKET_BITS));
	uint32_t lo = f->bucket[b], hi = f->bucket[b + 1], mid, c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (key6_le(&f->n6[mid].key, r))
			lo = mid + 1;
		else
			hi = mid;
	}
	c = lo == 0 ? ROV_NONE : lo - 1;
	while (c != ROV_NONE && !covers6(&f->n6[c].key, r))
		c = f->n6[c].parent;
	return c;
}

static uint32_t
deepest(const struct rov_index *ix, const struct rov_route *r,
    const struct rov_fam **fp)
{
	struct key6 k;

	if (prefix_check(&r->prefix) != PREFIX_OK)
		return ROV_NONE;
	if (r->prefix.afi == AFI_IPV4) {
		*fp = &ix->fam[0];
		if ((*fp)->n == 0)
			return ROV_NONE;
		return deepest4(*fp, key4_of(&r->prefix));
	}
	*fp = &ix->fam[1];
	if ((*fp)->n == 0)
		return ROV_NONE;
	k = key6_of(&r->prefix);
	return deepest6(*fp, &k);
}

static enum rov_why
why(const struct rov_ent *e, const struct rov_route *r)
{
	int asn_bad, len_bad;

	if (e->asn == 0)
		return ROV_WHY_AS0;
	asn_bad = r->origin_none || e->asn != r->origin;
	len_bad = r->prefix.len > e->maxlen;
	if (asn_bad && len_bad)
		return ROV_WHY_ASN_LENGTH;
	if (asn_bad)
		return ROV_WHY_ASN;
	return len_bad ? ROV_WHY_LENGTH : ROV_MATCH;
}

/*
 * RFC 6811 section 2 state of route.  Returns an enum rov_state.
 */
int
rov_validate(const struct rov_index *ix, const struct rov_route *r)
{
	const struct rov_fam *f = NULL;
	uint32_t c, i;

	if ((c = deepest(ix, r, &f)) == ROV_NONE)
		return ROV_NOTFOUND;
	if (r->origin_none)
		return ROV_INVALID;
	if (r->origin == 0)
		return ROV_INVALID;	/* AS 0 VRPs never match */
	for (; c != ROV_NONE; c = node_parent(f, c))
		for (i = node_first(f, c); i < node_first(f, c + 1); i++)
			if (f->ent[i].asn == r->origin &&
			    f->ent[i].maxlen >= r->prefix.len)
				return ROV_VALID;
	return ROV_INVALID;
}

/*
 * Visit every VRP covering route, shortest prefix first.  Returns an enum
 * rov_state.
 */
int
rov_covering(const struct rov_index *ix, const struct rov_route *r,
    rov_visit_fn fn, void *arg)
{
	const struct rov_fam *f = NULL;
	uint32_t chain[PREFIX_V6_BITS + 1], c, i;
	size_t n = 0;
	int state = ROV_NOTFOUND;
	enum rov_why w;

	for (c = deepest(ix, r, &f); c != ROV_NONE && n < PREFIX_V6_BITS + 1;
	    c = node_parent(f, c))
		chain[n++] = c;
	while (n > 0) {
		c = chain[--n];
		for (i = node_first(f, c); i < node_first(f, c + 1); i++) {
			w = why(&f->ent[i], r);
			if (w == ROV_MATCH)
				state = ROV_VALID;
			else if (state == ROV_NOTFOUND)
				state = ROV_INVALID;
			if (fn != NULL && fn(f->vrp[i], w, arg) != 0)
				return state;
		}
	}
	return state;
}

const char *
rov_state_name(int s)
{
	switch (s) {
	case ROV_VALID:
		return "valid";
	case ROV_INVALID:
		return "invalid";
	case ROV_NOTFOUND:
		return "not-found";
	}
	return "error";
}

const char *
rov_why_name(enum rov_why w)
{
	switch (w) {
	case ROV_MATCH:
		return "match";
	case ROV_WHY_ASN:
		return "asn";
	case ROV_WHY_LENGTH:
		return "length";
	case ROV_WHY_ASN_LENGTH:
		return "asn+length";
	case ROV_WHY_AS0:
		return "as0";
	}
	return "unknown";
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
parse_prefix(const char *s, struct prefix *p, char *err, size_t errlen)
{
	int rc;

	if ((rc = prefix_parse(s, p)) != PREFIX_OK)
		return fail(err, errlen, "bad prefix \"%.64s\": %s", s,
		    prefix_strerror(rc));
	return 0;
}

/*
 * Parse PREFIX and ASN (or NONE) words into *r.  Returns 0 or -1 with a
 * reason in err.
 */
int
rov_parse_route(const char *pfx, const char *asn, struct rov_route *r,
    char *err, size_t errlen)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (parse_prefix(pfx, &r->prefix, err, errlen) == -1)
		return -1;
	if (strcasecmp(asn, "NONE") == 0) {
		r->origin_none = 1;
		return 0;
	}
	if ((rc = asn_parse(asn, &r->origin)) != ASN_OK)
		return fail(err, errlen, "bad AS number \"%.32s\": %s", asn,
		    asn_strerror(rc));
	return 0;
}

/*
 * Origin of a bgpdump AS path (RFC 6811 section 2): the last AS of a
 * final AS_SEQUENCE; NONE after an AS_SET; the peer AS for an empty path
 * or a final confederation segment.
 */
static int
bgpdump_origin(char *path, const char *peeras, struct rov_route *r,
    char *err, size_t errlen)
{
	char *tok, *last = NULL, *save = NULL;
	size_t n = 0;
	int rc;

	for (tok = strtok_r(path, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		if (++n > ROV_MAX_PATH_TOKENS)
			return fail(err, errlen, "AS path longer than %d "
			    "entries", ROV_MAX_PATH_TOKENS);
		last = tok;
	}
	if (last != NULL && (last[0] == '{' || last[strlen(last) - 1] == '}')) {
		r->origin_none = 1;	/* AS_SET: RFC 6811 section 2, RFC 9774 */
		return 0;
	}
	if (last == NULL || last[0] == '(' || last[0] == '[' ||
	    last[strlen(last) - 1] == ')' || last[strlen(last) - 1] == ']')
		last = (char *)peeras;
	if ((rc = asn_parse(last, &r->origin)) != ASN_OK)
		return fail(err, errlen, "bad origin AS \"%.32s\": %s", last,
		    asn_strerror(rc));
	return 0;
}

static int
parse_bgpdump(char *line, struct rov_route *r, char *err, size_t errlen)
{
	char *f[ROV_BGPDUMP_MIN_FIELDS], *p = line;
	size_t n = 0;

	while (n < ROV_BGPDUMP_MIN_FIELDS && p != NULL) {
		f[n++] = p;
		if ((p = strchr(p, '|')) != NULL)
			*p++ = '\0';
	}
	if (n >= 3 && strcmp(f[2], "W") == 0)
		return 0;		/* a withdrawal announces nothing */
	if (n < ROV_BGPDUMP_MIN_FIELDS)
		return fail(err, errlen, "bgpdump line with %zu fields, "
		    "expected at least %d", n, ROV_BGPDUMP_MIN_FIELDS);
	if (strncmp(f[0], "BGP4MP", 6) == 0 ? strcmp(f[2], "A") != 0 :
	    strcmp(f[2], "B") != 0)
		return fail(err, errlen, "bgpdump entry type \"%.8s\" not "
		    "supported", f[2]);
	memset(r, 0, sizeof(*r));
	if (parse_prefix(f[5], &r->prefix, err, errlen) == -1)
		return -1;
	if (bgpdump_origin(f[6], f[4], r, err, errlen) == -1)
		return -1;
	return 1;
}

/*
 * Parse one batch line (see rov.h).  Returns 1, 0 (skip) or -1.
 */
int
rov_parse_line(char *line, struct rov_route *r, char *err, size_t errlen)
{
	char *w[3], *save = NULL;
	size_t n = 0, len;

	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0' || *line == '#')
		return 0;
	if (strncmp(line, "TABLE_DUMP", 10) == 0 ||
	    strncmp(line, "BGP4MP", 6) == 0) {
		return parse_bgpdump(line, r, err, errlen);
	}
	for (w[n] = strtok_r(line, " \t", &save); w[n] != NULL && n < 3;
	    w[n] = strtok_r(NULL, " \t", &save))
		if (++n == 3)
			break;
	if (n != 2)
		return fail(err, errlen, "expected \"PREFIX ASN\", got %zu "
		    "word%s", n, n == 1 ? "" : "s");
	return rov_parse_route(w[0], w[1], r, err, errlen) == 0 ? 1 : -1;
}

/*
 * Read routes from in, one per line.  Returns the count passed to fn, or
 * -1 on a read error or when fn returned non-zero.
 */
long
rov_read_routes(FILE *in, const char *name, rov_route_fn fn, void *arg,
    FILE *err, size_t *nbad)
{
	struct rov_route r;
	char *line = NULL, why[ROV_ERRLEN];
	size_t cap = 0, lineno = 0;
	ssize_t len;
	long n = 0;
	int rc;

	*nbad = 0;
	while ((len = getline(&line, &cap, in)) != -1) {
		lineno++;
		if (len > ROV_MAX_LINE) {
			snprintf(why, sizeof(why), "line longer than %d bytes",
			    ROV_MAX_LINE);
			rc = -1;
		} else if (memchr(line, '\0', (size_t)len) != NULL) {
			snprintf(why, sizeof(why), "NUL byte in line");
			rc = -1;
		} else
			rc = rov_parse_line(line, &r, why, sizeof(why));
		if (rc == -1) {
			if (err != NULL)
				fprintf(err, "%s:%zu: %s\n", name, lineno, why);
			(*nbad)++;
			continue;
		}
		if (rc == 0)
			continue;
		if (fn(&r, lineno, arg) != 0) {
			n = -1;
			break;
		}
		n++;
	}
	if (n != -1 && ferror(in))
		n = -1;
	free(line);
	return n;
}
