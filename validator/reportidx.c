/*
 * The index of a report.json (reportidx.h): building, encoding, reading.
 */
#include <stdlib.h>
#include <string.h>

#include "common/be32.h"
#include "common/fdread.h"
#include "common/hash.h"
#include "validator/reportidx.h"

void
reportidx_init(struct reportidx *ix, const unsigned char *program,
    const unsigned char *context)
{
	memset(ix, 0, sizeof(*ix));
	memcpy(ix->program, program, sizeof(ix->program));
	memcpy(ix->context, context, sizeof(ix->context));
}

int
reportidx_by(int fd, const unsigned char *program)
{
	unsigned char b[REPORTIDX_MAGIC_LEN + REPORTIDX_PROGRAM_LEN];

	return fd_pread_full(fd, b, sizeof(b), 0) == 0 &&
	    memcmp(b, REPORTIDX_MAGIC, REPORTIDX_MAGIC_LEN) == 0 &&
	    memcmp(b + REPORTIDX_MAGIC_LEN, program,
	    REPORTIDX_PROGRAM_LEN) == 0;
}

void
reportidx_free(struct reportidx *ix)
{
	if (ix == NULL)
		return;
	free(ix->groups);
	if (ix->file != NULL)
		free(ix->file);
	else {
		free(ix->md);
		free(ix->keys);
	}
	memset(ix, 0, sizeof(*ix));
}

const char *
reportidx_uri(const struct reportidx *ix, uint32_t k)
{
	return ix->keys + k;
}

const char *
reportidx_type(const struct reportidx *ix, uint32_t k)
{
	const char *uri = ix->keys + k;

	return uri + strlen(uri) + 1;
}

int
reportidx_cmp(const struct reportidx *ix, uint32_t k, const char *uri,
    const char *type)
{
	int c;

	if ((c = strcmp(reportidx_uri(ix, k), uri)) == 0)
		c = strcmp(reportidx_type(ix, k), type);
	return (c > 0) - (c < 0);
}

/* Room for n more of size bytes each in *p (*cap of them, *used used). */
static int
grow(void *pp, size_t *cap, size_t used, size_t n, size_t size)
{
	void **p = pp, *q;
	size_t ncap = *cap;

	if (used + n <= *cap)
		return 0;
	while (ncap < used + n)
		ncap = ncap == 0 ? 1024 : ncap * 2;
	if ((q = reallocarray(*p, ncap, size)) == NULL)
		return -1;
	*p = q;
	*cap = ncap;
	return 0;
}

/* Store the key (uri, type); its offset, or UINT32_MAX (failed set). */
static uint32_t
key_add(struct reportidx *ix, const char *uri, const char *type)
{
	size_t ul = strlen(uri) + 1, tl = strlen(type) + 1, at = ix->keybytes;

	if (ix->failed || at + ul + tl > UINT32_MAX ||
	    grow(&ix->keys, &ix->kcap, at, ul + tl, 1) == -1) {
		ix->failed = 1;
		return UINT32_MAX;
	}
	memcpy(ix->keys + at, uri, ul);
	memcpy(ix->keys + at + ul, type, tl);
	ix->keybytes += ul + tl;
	return (uint32_t)at;
}

void
reportidx_open(struct reportidx *ix, uint64_t off, const char *uri,
    const char *type)
{
	struct reportidx_group *g;
	uint32_t k;

	if (ix->open || ix->failed || (k = key_add(ix, uri, type)) ==
	    UINT32_MAX || grow(&ix->groups, &ix->gcap, ix->ngroups, 1,
	    sizeof(*ix->groups)) == -1) {
		ix->failed = 1;
		return;
	}
	g = &ix->groups[ix->ngroups++];
	memset(g, 0, sizeof(*g));
	g->off = off;
	g->point0 = (uint32_t)ix->nmd;
	g->first = k;
	ix->open = 1;
}

void
reportidx_point(struct reportidx *ix, const unsigned char *md)
{
	if (!ix->open || ix->failed || ix->nmd >= UINT32_MAX ||
	    grow(&ix->md, &ix->mdcap, ix->nmd, 1, sizeof(*ix->md)) == -1) {
		ix->failed = 1;
		return;
	}
	memcpy(ix->md[ix->nmd++], md, HASH_SHA256_LEN);
	ix->groups[ix->ngroups - 1].npoints++;
}

void
reportidx_count(struct reportidx *ix, uint32_t n, uint32_t accepted,
    int own)
{
	struct reportidx_group *g;

	if (!ix->open || ix->failed) {
		ix->failed = 1;
		return;
	}
	g = &ix->groups[ix->ngroups - 1];
	if (n > UINT32_MAX - g->n) {
		ix->failed = 1;
		return;
	}
	g->n += n;
	g->accepted += accepted;
	if (own)
		g->flags |= REPORTIDX_OWN;
}

void
reportidx_close(struct reportidx *ix, uint64_t end, const char *uri,
    const char *type)
{
	struct reportidx_group *g;
	uint32_t k;

	if (!ix->open || ix->failed || (k = key_add(ix, uri, type)) ==
	    UINT32_MAX) {
		ix->failed = 1;
		return;
	}
	g = &ix->groups[ix->ngroups - 1];
	g->len = end - g->off;
	g->last = k;
	ix->open = 0;
}

void
reportidx_add(struct reportidx *ix, const struct reportidx *old, size_t g,
    uint64_t off)
{
	const struct reportidx_group *o = &old->groups[g];
	int was_open = ix->open;
	uint32_t i;

	if (!was_open)
		reportidx_open(ix, off, reportidx_uri(old, o->first),
		    reportidx_type(old, o->first));
	for (i = 0; i < o->npoints; i++)
		reportidx_point(ix, old->md[o->point0 + i]);
	reportidx_count(ix, o->n, o->accepted, (o->flags & REPORTIDX_OWN) !=
	    0);
	if (!was_open)
		reportidx_close(ix, off + o->len, reportidx_uri(old, o->last),
		    reportidx_type(old, o->last));
}

static unsigned char *
put64(unsigned char *p, uint64_t v)
{
	be64_put(p, v);
	return p + 8;
}

int
reportidx_encode(struct reportidx *ix, uint64_t size, unsigned char **buf,
    size_t *len)
{
	const struct reportidx_group *g;
	unsigned char *b, *p;
	size_t i, n;

	*buf = NULL;
	*len = 0;
	if (ix->open || ix->failed || ix->ngroups > UINT32_MAX ||
	    ix->nmd > UINT32_MAX)
		return -1;
	n = REPORTIDX_HEAD_LEN + ix->ngroups * REPORTIDX_GROUP_LEN +
	    ix->nmd * HASH_SHA256_LEN + ix->keybytes + HASH_SHA256_LEN;
	if (n > REPORTIDX_MAX_SIZE || (b = malloc(n)) == NULL)
		return -1;
	p = b;
	memcpy(p, REPORTIDX_MAGIC, REPORTIDX_MAGIC_LEN);
	p += REPORTIDX_MAGIC_LEN;
	memcpy(p, ix->program, REPORTIDX_PROGRAM_LEN);
	p += REPORTIDX_PROGRAM_LEN;
	memcpy(p, ix->context, HASH_SHA256_LEN);
	p += HASH_SHA256_LEN;
	p = put64(p, size);
	be32_put(p, (uint32_t)ix->ngroups);
	be32_put(p + 4, (uint32_t)ix->nmd);
	be32_put(p + 8, (uint32_t)ix->keybytes);
	p += 12;
	for (i = 0; i < ix->ngroups; i++) {
		g = &ix->groups[i];
		p = put64(p, g->off);
		p = put64(p, g->len);
		be32_put(p, g->n);
		be32_put(p + 4, g->accepted);
		be32_put(p + 8, g->npoints);
		be32_put(p + 12, g->flags);
		be32_put(p + 16, g->first);
		be32_put(p + 20, g->last);
		p += 24;
	}
	if (ix->nmd > 0)
		memcpy(p, ix->md, ix->nmd * HASH_SHA256_LEN);
	p += ix->nmd * HASH_SHA256_LEN;
	if (ix->keybytes > 0)
		memcpy(p, ix->keys, ix->keybytes);
	p += ix->keybytes;
	if (hash_sha256(b, (size_t)(p - b), p) == -1) {
		free(b);
		return -1;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* Non-zero if k is the offset of a well-formed key in keys. */
static int
key_ok(const char *keys, size_t n, uint32_t k)
{
	const char *end;

	if (k >= n || (end = memchr(keys + k, '\0', n - k)) == NULL)
		return 0;
	k = (uint32_t)(end - keys) + 1;
	return k < n && memchr(keys + k, '\0', n - k) != NULL;
}

/* Key a before key b in the report's order (strictly if strict). */
static int
key_before(const struct reportidx *ix, uint32_t a, uint32_t b, int strict)
{
	int c = reportidx_cmp(ix, a, reportidx_uri(ix, b),
	    reportidx_type(ix, b));

	return strict ? c < 0 : c <= 0;
}

/* Read and check the groups at p into ix; 0 or -1. */
static int
parse_groups(struct reportidx *ix, const unsigned char *p)
{
	struct reportidx_group *g;
	uint64_t end = 0, points = 0;
	size_t i;

	for (i = 0; i < ix->ngroups; i++, p += REPORTIDX_GROUP_LEN) {
		g = &ix->groups[i];
		g->off = be64_get(p);
		g->len = be64_get(p + 8);
		g->n = be32_get(p + 16);
		g->accepted = be32_get(p + 20);
		g->npoints = be32_get(p + 24);
		g->flags = be32_get(p + 28);
		g->first = be32_get(p + 32);
		g->last = be32_get(p + 36);
		g->point0 = (uint32_t)points;
		points += g->npoints;
		if (g->off < end || g->len == 0 || g->len > ix->size ||
		    g->off > ix->size - g->len || g->n == 0 ||
		    g->accepted > g->n || (g->flags & ~REPORTIDX_OWN) != 0 ||
		    points > ix->nmd || !key_ok(ix->keys, ix->keybytes,
		    g->first) || !key_ok(ix->keys, ix->keybytes, g->last) ||
		    !key_before(ix, g->first, g->last, 0) ||
		    (i > 0 && !key_before(ix, ix->groups[i - 1].last,
		    g->first, 1)))
			return -1;
		end = g->off + g->len;
	}
	return points == ix->nmd ? 0 : -1;
}

int
reportidx_parse(struct reportidx *ix, unsigned char *buf, size_t len)
{
	unsigned char md[HASH_SHA256_LEN];
	const unsigned char *p = buf;
	uint64_t need;

	memset(ix, 0, sizeof(*ix));
	ix->file = buf;
	if (len < REPORTIDX_HEAD_LEN + HASH_SHA256_LEN ||
	    memcmp(p, REPORTIDX_MAGIC, REPORTIDX_MAGIC_LEN) != 0)
		goto bad;
	p += REPORTIDX_MAGIC_LEN;
	memcpy(ix->program, p, REPORTIDX_PROGRAM_LEN);
	p += REPORTIDX_PROGRAM_LEN;
	memcpy(ix->context, p, HASH_SHA256_LEN);
	p += HASH_SHA256_LEN;
	ix->size = be64_get(p);
	ix->ngroups = be32_get(p + 8);
	ix->nmd = be32_get(p + 12);
	ix->keybytes = be32_get(p + 16);
	p += 20;
	need = REPORTIDX_HEAD_LEN + (uint64_t)ix->ngroups *
	    REPORTIDX_GROUP_LEN + (uint64_t)ix->nmd * HASH_SHA256_LEN +
	    ix->keybytes + HASH_SHA256_LEN;
	if (need != len || hash_sha256(buf, len - HASH_SHA256_LEN, md) ==
	    -1 || !hash_equal(md, buf + len - HASH_SHA256_LEN,
	    HASH_SHA256_LEN))
		goto bad;
	ix->md = (unsigned char (*)[HASH_SHA256_LEN])(buf + REPORTIDX_HEAD_LEN +
	    ix->ngroups * REPORTIDX_GROUP_LEN);
	ix->keys = (char *)(ix->md + ix->nmd);
	if (ix->ngroups > 0 && (ix->groups = calloc(ix->ngroups,
	    sizeof(*ix->groups))) == NULL)
		goto bad;
	if (parse_groups(ix, p) == -1)
		goto bad;
	return 0;
 bad:
	reportidx_free(ix);
	return -1;
}
