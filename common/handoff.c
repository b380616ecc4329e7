/*
 * The hand-off file between `reef validate` and reef-rtrd.  The layout
 * is described in handoff.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "fdread.h"
#include "handoff.h"
#include "hash.h"
#include "limits.h"

#define HDR_LEN		36	/* magic, version, created, four counts */
#define TRAILER_LEN	HASH_SHA256_LEN
#define VRP_FIXED_LEN	20	/* VRP record without the address */
#define RK_FIXED_LEN	38	/* router key record without the SPKI */
#define ASPA_FIXED_LEN	20	/* ASPA record without the providers */
#define HANDOFF_MODE	0644

/* A bounded cursor over the bytes being read or written. */
struct cur {
	uint8_t		*w;	/* writing */
	const uint8_t	*r;	/* reading */
	size_t		 pos;
	size_t		 end;
};

/* Big-endian stores at p, which the compiler turns into one move each. */
static inline void
store_u16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = (uint8_t)v;
}

static inline void
store_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
store_i64(uint8_t *p, int64_t v)
{
	store_u32(p, (uint64_t)v >> 32);
	store_u32(p + 4, (uint32_t)(uint64_t)v);
}

static inline void
put_u16(struct cur *c, uint16_t v)
{
	store_u16(c->w + c->pos, v);
	c->pos += 2;
}

static inline void
put_u32(struct cur *c, uint32_t v)
{
	store_u32(c->w + c->pos, v);
	c->pos += 4;
}

static inline void
put_i64(struct cur *c, int64_t v)
{
	store_i64(c->w + c->pos, v);
	c->pos += 8;
}

static void
put_bytes(struct cur *c, const void *p, size_t n)
{
	memcpy(c->w + c->pos, p, n);
	c->pos += n;
}

/* Readers: the caller has checked that n bytes remain (cur_has()). */
static int
cur_has(const struct cur *c, size_t n)
{
	return c->end - c->pos >= n;
}

static uint8_t
get_u8(struct cur *c)
{
	return c->r[c->pos++];
}

static uint16_t
get_u16(struct cur *c)
{
	uint16_t v = (uint16_t)c->r[c->pos] << 8 | c->r[c->pos + 1];

	c->pos += 2;
	return v;
}

static uint32_t
get_u32(struct cur *c)
{
	uint32_t v = (uint32_t)get_u16(c) << 16;

	return v | get_u16(c);
}

static int64_t
get_i64(struct cur *c)
{
	uint64_t v = (uint64_t)get_u32(c) << 32;

	return (int64_t)(v | get_u32(c));
}

/* 1 if name is an acceptable TA name (see handoff.h), else 0. */
static int
ta_name_ok(const char *name, size_t len)
{
	size_t	i;

	if (len == 0 || len > MAX_FILENAME_LENGTH)
		return 0;
	for (i = 0; i < len; i++)
		if (name[i] < 0x21 || name[i] > 0x7e)
			return 0;
	return 1;
}

/* 1 if the TA names are acceptable and unique, else 0. */
static int
ta_table_ok(char *const *names, size_t n)
{
	size_t	i, j;

	if (n > MAX_TALS || (n > 0 && names == NULL))
		return 0;
	for (i = 0; i < n; i++) {
		if (names[i] == NULL || !ta_name_ok(names[i], strlen(names[i])))
			return 0;
		for (j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return 0;
	}
	return 1;
}

/*
 * Check *d for encoding and compute the file size.  Returns 0 or -1
 * (EINVAL).
 */
static int
encode_size(const struct handoff_data *d, size_t *size)
{
	struct router_key	k;
	struct aspa		a;
	const struct vrp	*v;
	size_t			i, n, nv, nr, na;

	nv = d->vrps != NULL ? vrpset_count(d->vrps) : 0;
	nr = d->rks != NULL ? rkset_count(d->rks) : 0;
	na = d->aspas != NULL ? aspaset_count(d->aspas) : 0;
	if ((d->vrps != NULL && !vrpset_frozen(d->vrps)) ||
	    (d->rks != NULL && !rkset_frozen(d->rks)) ||
	    (d->aspas != NULL && !aspaset_frozen(d->aspas)) ||
	    !ta_table_ok(d->ta_names, d->nta) || nv > PAYLOAD_SET_MAX ||
	    nr > PAYLOAD_SET_MAX || na > PAYLOAD_SET_MAX)
		return -1;
	n = HDR_LEN + TRAILER_LEN;
	for (i = 0; i < d->nta; i++)
		n += 2 + strlen(d->ta_names[i]);
	for (i = 0; i < nv; i++) {
		v = vrpset_get(d->vrps, i);
		if (vrp_check(v) != PAYLOAD_OK || v->ta >= d->nta)
			return -1;
		n += VRP_FIXED_LEN + prefix_afi_bytes(v->prefix.afi);
	}
	for (i = 0; i < nr; i++) {
		if (!rkset_get(d->rks, i, &k) || router_key_check(&k) !=
		    PAYLOAD_OK || k.ta >= d->nta)
			return -1;
		n += RK_FIXED_LEN + k.spki_len;
	}
	for (i = 0; i < na; i++) {
		/* A merged entry may exceed the per-object provider limit. */
		if (!aspaset_get(d->aspas, i, &a) || aspa_check(&a) !=
		    PAYLOAD_OK || a.ta >= d->nta)
			return -1;
		n += ASPA_FIXED_LEN + 4 * a.nproviders;
	}
	*size = n;
	return 0;
}

/*
 * One VRP record at p: afi, length, maxLength, a zero byte, asn, ta,
 * expires, the address (4 or 16 bytes, as encode_size() counted).
 */
static void
encode_vrp(uint8_t *p, const struct vrp *v)
{
	p[0] = v->prefix.afi;
	p[1] = v->prefix.len;
	p[2] = v->maxlen;
	p[3] = 0;
	store_u32(p + 4, v->asn);
	store_u32(p + 8, v->ta);
	store_i64(p + 12, v->expires);
	/* Fixed sizes, so that the copies are moves. */
	if (prefix_afi_bytes(v->prefix.afi) == 4)
		memcpy(p + VRP_FIXED_LEN, v->prefix.addr, 4);
	else
		memcpy(p + VRP_FIXED_LEN, v->prefix.addr, 16);
}

static void
encode_entries(const struct handoff_data *d, struct cur *c)
{
	struct router_key	 k;
	struct aspa		 a;
	const struct vrp	*v;
	size_t			 i, j;

	for (i = 0; d->vrps != NULL && i < vrpset_count(d->vrps); i++) {
		v = vrpset_get(d->vrps, i);
		encode_vrp(c->w + c->pos, v);
		c->pos += VRP_FIXED_LEN + prefix_afi_bytes(v->prefix.afi);
	}
	for (i = 0; d->rks != NULL && rkset_get(d->rks, i, &k); i++) {
		put_u32(c, k.asn);
		put_u32(c, k.ta);
		put_i64(c, k.expires);
		put_bytes(c, k.ski, ROUTER_KEY_SKI_LEN);
		put_u16(c, k.spki_len);
		put_bytes(c, k.spki, k.spki_len);
	}
	for (i = 0; d->aspas != NULL && aspaset_get(d->aspas, i, &a); i++) {
		put_u32(c, a.customer);
		put_u32(c, a.ta);
		put_i64(c, a.expires);
		put_u32(c, a.nproviders);
		for (j = 0; j < a.nproviders; j++)
			put_u32(c, a.providers[j]);
	}
}

void
handoff_encode_header(const struct handoff_data *d,
    uint8_t out[HANDOFF_HEADER_LEN])
{
	struct cur c;

	memset(&c, 0, sizeof(c));
	c.w = out;
	c.end = HANDOFF_HEADER_LEN;
	put_bytes(&c, HANDOFF_MAGIC, HANDOFF_MAGIC_LEN);
	put_u32(&c, HANDOFF_VERSION);
	put_i64(&c, d->created);
	put_u32(&c, d->nta);
	put_u32(&c, d->vrps != NULL ? vrpset_count(d->vrps) : 0);
	put_u32(&c, d->rks != NULL ? rkset_count(d->rks) : 0);
	put_u32(&c, d->aspas != NULL ? aspaset_count(d->aspas) : 0);
}

/*
 * Encode *d into a new buffer owned by the caller.  Returns 0, or -1
 * with errno EINVAL, ENOMEM or EIO (digest failure).
 */
int
handoff_encode(const struct handoff_data *d, uint8_t **out, size_t *outlen)
{
	struct cur	c;
	size_t		size, i, len;

	*out = NULL;
	*outlen = 0;
	if (encode_size(d, &size) == -1) {
		errno = EINVAL;
		return -1;
	}
	memset(&c, 0, sizeof(c));
	if ((c.w = malloc(size)) == NULL)
		return -1;
	c.end = size;
	handoff_encode_header(d, c.w);
	c.pos = HANDOFF_HEADER_LEN;
	for (i = 0; i < d->nta; i++) {
		len = strlen(d->ta_names[i]);
		put_u16(&c, len);
		put_bytes(&c, d->ta_names[i], len);
	}
	encode_entries(d, &c);
	if (hash_sha256(c.w, c.pos, c.w + c.pos) == -1) {
		free(c.w);
		return -1;
	}
	*out = c.w;
	*outlen = size;
	return 0;
}

/* Encode and atomically replace path.  Returns 0 or -1 with errno set. */
int
handoff_write(const char *path, const struct handoff_data *d)
{
	uint8_t	*buf;
	size_t	 len;
	int	 rc, saved;

	if (handoff_encode(d, &buf, &len) == -1)
		return -1;
	rc = atomic_write_file(path, buf, len, HANDOFF_MODE);
	saved = errno;
	free(buf);
	errno = saved;
	return rc;
}

static int fail(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Write the reason into err; always returns -1. */
static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
parse_tas(struct cur *c, struct handoff_data *out, char *err, size_t errlen)
{
	size_t	i, j;
	size_t	len;

	if (out->nta > 0 &&
	    (out->ta_names = calloc(out->nta, sizeof(char *))) == NULL)
		return fail(err, errlen, "out of memory");
	for (i = 0; i < out->nta; i++) {
		if (!cur_has(c, 2))
			return fail(err, errlen, "truncated TA table");
		len = get_u16(c);
		if (!cur_has(c, len))
			return fail(err, errlen, "truncated TA table");
		if (!ta_name_ok((const char *)c->r + c->pos, len))
			return fail(err, errlen, "TA %zu: bad name", i);
		if ((out->ta_names[i] = strndup((const char *)c->r + c->pos,
		    len)) == NULL)
			return fail(err, errlen, "out of memory");
		c->pos += len;
		for (j = 0; j < i; j++)
			if (strcmp(out->ta_names[i], out->ta_names[j]) == 0)
				return fail(err, errlen, "TA %zu: duplicate name",
				    i);
	}
	return 0;
}

static int
parse_vrps(struct cur *c, size_t n, struct handoff_data *out, char *err,
    size_t errlen)
{
	struct vrp	v, prev;
	size_t		i, alen;
	int		rc;

	for (i = 0; i < n; i++) {
		memset(&v, 0, sizeof(v));
		if (!cur_has(c, VRP_FIXED_LEN))
			return fail(err, errlen, "VRP %zu: truncated", i);
		v.prefix.afi = get_u8(c);
		v.prefix.len = get_u8(c);
		v.maxlen = get_u8(c);
		if (get_u8(c) != 0)
			return fail(err, errlen, "VRP %zu: reserved byte set", i);
		v.asn = get_u32(c);
		v.ta = get_u32(c);
		v.expires = get_i64(c);
		if ((alen = prefix_afi_bytes(v.prefix.afi)) == 0)
			return fail(err, errlen, "VRP %zu: bad AFI", i);
		if (!cur_has(c, alen))
			return fail(err, errlen, "VRP %zu: truncated", i);
		memcpy(v.prefix.addr, c->r + c->pos, alen);
		c->pos += alen;
		if ((rc = vrp_check(&v)) != PAYLOAD_OK)
			return fail(err, errlen, "VRP %zu: %s", i,
			    payload_strerror(rc));
		if (v.ta >= out->nta)
			return fail(err, errlen, "VRP %zu: TA index out of range",
			    i);
		if (i > 0 && vrp_cmp(&prev, &v) >= 0)
			return fail(err, errlen, "VRP %zu: out of order or "
			    "duplicate", i);
		if ((rc = vrpset_add(out->vrps, &v)) != PAYLOAD_OK)
			return fail(err, errlen, "VRP %zu: %s", i,
			    payload_strerror(rc));
		prev = v;
	}
	return 0;
}

static int
parse_rks(struct cur *c, size_t n, struct handoff_data *out, char *err,
    size_t errlen)
{
	struct router_key	k, prev;
	size_t			i;
	int			rc;

	memset(&prev, 0, sizeof(prev));
	for (i = 0; i < n; i++) {
		memset(&k, 0, sizeof(k));
		if (!cur_has(c, RK_FIXED_LEN))
			return fail(err, errlen, "router key %zu: truncated", i);
		k.asn = get_u32(c);
		k.ta = get_u32(c);
		k.expires = get_i64(c);
		memcpy(k.ski, c->r + c->pos, ROUTER_KEY_SKI_LEN);
		c->pos += ROUTER_KEY_SKI_LEN;
		k.spki_len = get_u16(c);
		if (!cur_has(c, k.spki_len))
			return fail(err, errlen, "router key %zu: truncated", i);
		k.spki = c->r + c->pos;
		c->pos += k.spki_len;
		if ((rc = router_key_check(&k)) != PAYLOAD_OK)
			return fail(err, errlen, "router key %zu: %s", i,
			    payload_strerror(rc));
		if (k.ta >= out->nta)
			return fail(err, errlen, "router key %zu: TA index out "
			    "of range", i);
		if (i > 0 && router_key_cmp(&prev, &k) >= 0)
			return fail(err, errlen, "router key %zu: out of order "
			    "or duplicate", i);
		if ((rc = rkset_add(out->rks, &k)) != PAYLOAD_OK)
			return fail(err, errlen, "router key %zu: %s", i,
			    payload_strerror(rc));
		prev = k;
	}
	return 0;
}

/* Read the providers of ASPA i into prov, checking their order. */
static int
parse_providers(struct cur *c, size_t i, uint32_t *prov, size_t n,
    char *err, size_t errlen)
{
	size_t	j;

	if (n == 0 || n > MAX_ASPA_PROVIDERS)
		return fail(err, errlen, "ASPA %zu: bad provider count", i);
	if (!cur_has(c, 4 * n))
		return fail(err, errlen, "ASPA %zu: truncated", i);
	for (j = 0; j < n; j++) {
		prov[j] = get_u32(c);
		if (j > 0 && prov[j] <= prov[j - 1])
			return fail(err, errlen, "ASPA %zu: providers out of "
			    "order or duplicate", i);
	}
	return 0;
}

static int
parse_aspas(struct cur *c, size_t n, struct handoff_data *out, char *err,
    size_t errlen)
{
	struct aspa	 a;
	uint32_t	*prov, prev = 0;
	size_t		 i;
	int		 rc = -1, prc;

	if ((prov = calloc(MAX_ASPA_PROVIDERS, sizeof(*prov))) == NULL)
		return fail(err, errlen, "out of memory");
	for (i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		if (!cur_has(c, ASPA_FIXED_LEN)) {
			fail(err, errlen, "ASPA %zu: truncated", i);
			goto out;
		}
		a.customer = get_u32(c);
		a.ta = get_u32(c);
		a.expires = get_i64(c);
		a.nproviders = get_u32(c);
		if (parse_providers(c, i, prov, a.nproviders, err, errlen) == -1)
			goto out;
		a.providers = prov;
		if ((prc = aspa_check(&a)) != PAYLOAD_OK) {
			fail(err, errlen, "ASPA %zu: %s", i, payload_strerror(prc));
			goto out;
		}
		if (a.ta >= out->nta) {
			fail(err, errlen, "ASPA %zu: TA index out of range", i);
			goto out;
		}
		if (i > 0 && a.customer <= prev) {
			fail(err, errlen, "ASPA %zu: out of order or duplicate",
			    i);
			goto out;
		}
		if ((prc = aspaset_add(out->aspas, &a)) != PAYLOAD_OK) {
			fail(err, errlen, "ASPA %zu: %s", i, payload_strerror(prc));
			goto out;
		}
		prev = a.customer;
	}
	rc = 0;
 out:
	free(prov);
	return rc;
}

/*
 * The header and the digest; leaves c after the header and c->end at
 * the trailer.
 */
static int
parse_header(struct cur *c, struct handoff_data *out, size_t *nv, size_t *nr,
    size_t *na, char *err, size_t errlen)
{
	unsigned char	 md[HASH_SHA256_LEN];
	uint32_t	 version;

	if (c->end < HANDOFF_MAGIC_LEN ||
	    memcmp(c->r, HANDOFF_MAGIC, HANDOFF_MAGIC_LEN) != 0)
		return fail(err, errlen, "not a hand-off file (bad magic)");
	if (c->end < HDR_LEN + TRAILER_LEN)
		return fail(err, errlen, "truncated (%zu bytes)", c->end);
	c->pos = HANDOFF_MAGIC_LEN;
	if ((version = get_u32(c)) != HANDOFF_VERSION)
		return fail(err, errlen, "unsupported version %u", version);
	c->end -= TRAILER_LEN;
	if (hash_sha256(c->r, c->end, md) == -1)
		return fail(err, errlen, "SHA-256 failed");
	if (!hash_equal(md, c->r + c->end, HASH_SHA256_LEN))
		return fail(err, errlen, "SHA-256 mismatch (truncated or "
		    "corrupted)");
	out->created = get_i64(c);
	out->nta = get_u32(c);
	*nv = get_u32(c);
	*nr = get_u32(c);
	*na = get_u32(c);
	if (out->nta > MAX_TALS)
		return fail(err, errlen, "too many TAs (%zu)", out->nta);
	/* Each count must also fit in the bytes left, so nothing huge is allocated. */
	if (*nv > PAYLOAD_SET_MAX || *nr > PAYLOAD_SET_MAX ||
	    *na > PAYLOAD_SET_MAX || *nv * (VRP_FIXED_LEN + 4) +
	    *nr * RK_FIXED_LEN + *na * ASPA_FIXED_LEN > c->end - c->pos)
		return fail(err, errlen, "entry counts exceed the file size");
	return 0;
}

/*
 * Decode and validate a whole hand-off file.  Returns 0 with *out owned
 * by the caller (handoff_free()), or -1 with the reason in err.
 */
int
handoff_parse(const uint8_t *buf, size_t len, struct handoff_data *out,
    char *err, size_t errlen)
{
	struct cur	c;
	size_t		nv = 0, nr = 0, na = 0;
	int		rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.r = buf;
	c.end = buf == NULL ? 0 : len;
	if (parse_header(&c, out, &nv, &nr, &na, err, errlen) == -1)
		goto bad;
	if ((out->vrps = vrpset_new()) == NULL ||
	    (out->rks = rkset_new()) == NULL ||
	    (out->aspas = aspaset_new()) == NULL) {
		fail(err, errlen, "out of memory");
		goto bad;
	}
	if (parse_tas(&c, out, err, errlen) == -1 ||
	    parse_vrps(&c, nv, out, err, errlen) == -1 ||
	    parse_rks(&c, nr, out, err, errlen) == -1 ||
	    parse_aspas(&c, na, out, err, errlen) == -1)
		goto bad;
	if (c.pos != c.end) {
		fail(err, errlen, "%zu unexpected bytes before the digest",
		    c.end - c.pos);
		goto bad;
	}
	if ((rc = vrpset_freeze(out->vrps)) != PAYLOAD_OK ||
	    (rc = rkset_freeze(out->rks)) != PAYLOAD_OK ||
	    (rc = aspaset_freeze(out->aspas)) != PAYLOAD_OK) {
		fail(err, errlen, "%s", payload_strerror(rc));
		goto bad;
	}
	return 0;
 bad:
	handoff_free(out);
	return -1;
}

/* Read the regular file at path into a new buffer (caller frees). */
static uint8_t *
read_whole(const char *path, size_t *len, char *err, size_t errlen)
{
	struct stat	 st;
	uint8_t		*buf = NULL;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		fail(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	/* Allocate one spare byte: reading more than st_size means it grew. */
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fail(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if ((n = fd_read_full(fd, buf, (size_t)st.st_size + 1)) == -1) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		goto bad;
	}
	off = (size_t)n;
	if (off != (size_t)st.st_size) {
		fail(err, errlen, "%s: changed while being read", path);
		goto bad;
	}
	*len = off;
	goto out;
 bad:
	free(buf);
	buf = NULL;
 out:
	close(fd);
	return buf;
}

/*
 * As handoff_parse() on the file at path; err begins with the path.
 * Returns 0 or -1.
 */
int
handoff_read(const char *path, struct handoff_data *out, char *err,
    size_t errlen)
{
	uint8_t	*buf;
	size_t	 len = 0, n;
	int	 rc;

	memset(out, 0, sizeof(*out));
	if ((buf = read_whole(path, &len, err, errlen)) == NULL)
		return -1;
	if (errlen == 0)
		rc = handoff_parse(buf, len, out, err, 0);
	else {
		n = (size_t)snprintf(err, errlen, "%s: ", path);
		if (n >= errlen)
			n = errlen - 1;
		rc = handoff_parse(buf, len, out, err + n, errlen - n);
	}
	if (rc == 0 && errlen > 0)
		err[0] = '\0';
	free(buf);
	return rc;
}

/* Release the sets and names of *d and zero it. */
void
handoff_free(struct handoff_data *d)
{
	size_t	i;

	if (d == NULL)
		return;
	for (i = 0; d->ta_names != NULL && i < d->nta; i++)
		free(d->ta_names[i]);
	free(d->ta_names);
	vrpset_free(d->vrps);
	rkset_free(d->rks);
	aspaset_free(d->aspas);
	memset(d, 0, sizeof(*d));
}
