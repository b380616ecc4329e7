/*
 * Storage of incremental-validation records; see memo.h.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/be32.h"
#include "common/fdread.h"
#include "common/hash.h"
#include "common/log.h"
#include "validator/memo.h"

#define MEMO_MAGIC	"REEFMEMO"
#define MEMO_MAGIC_LEN	8
#define MEMO_VERSION	2
/* Magic, version, tag, payload length. */
#define MEMO_HEAD_LEN	(MEMO_MAGIC_LEN + 4 + MEMO_TAG_LEN + 4)
/*
 * Bytes read at first: the payload of most records (98 % of a global
 * repository's) and often the tail too, so reading one takes a single
 * pread(2); the rest of a longer payload is read after.
 */
#define MEMO_FIRST_READ	8192
#define MEMO_NAME_LEN	(HASH_SHA256_LEN * 2)

/* First size of the set of records used (a power of two). */
#define SEEN_INITIAL	1024
/*
 * Slots looked at for one digest.  Digests are of URIs a repository
 * chooses, so it can make many fall on one slot; past this bound a
 * record is not noted as used, which only means that memo_sweep()
 * removes it and its point is validated in full next run.
 */
#define SEEN_MAX_PROBES	64

/*
 * The records read or written in this run, by the digest their name
 * encodes: an open-addressing hash set (the digests are SHA-256, so
 * their first bytes are a good hash), at most half full.  used[] holds
 * SEEN_* flags, 0 for an empty slot.
 */
struct seen {
	unsigned char	(*slot)[HASH_SHA256_LEN];
	unsigned char	*used;
	size_t		 cap, n;
};

#define SEEN_USED	0x01
#define SEEN_LENT	0x02	/* memo_lend(): not to be replaced */

struct memo {
	char		*dir;
	int		 dfd;
	unsigned char	 tag[MEMO_TAG_LEN];
	pthread_mutex_t	 lock;		/* seen */
	struct seen	 seen;
	int		 seen_failed;	/* out of memory: sweep nothing */
};

/* The digest naming key's record. */
static int
record_digest(const char *key, unsigned char *md)
{
	return hash_sha256(key, strlen(key), md);
}

/* The record's file name for the digest md: hex, in name (65 bytes). */
static void
record_name(const unsigned char *md, char *name)
{
	hash_hex_encode(md, HASH_SHA256_LEN, name);
}

static size_t
seen_start(const struct seen *s, const unsigned char *md)
{
	uint64_t h;

	memcpy(&h, md, sizeof(h));
	return (size_t)h & (s->cap - 1);
}

/* The slot of md in s, or -1. */
static ssize_t
seen_find(const struct seen *s, const unsigned char *md)
{
	size_t i, probes = 0;

	if (s->cap == 0)
		return -1;
	for (i = seen_start(s, md); s->used[i] && probes < SEEN_MAX_PROBES;
	    i = (i + 1) & (s->cap - 1), probes++)
		if (memcmp(s->slot[i], md, HASH_SHA256_LEN) == 0)
			return (ssize_t)i;
	return -1;
}

/* Whether md is in s. */
static int
seen_has(const struct seen *s, const unsigned char *md)
{
	return seen_find(s, md) != -1;
}

/*
 * Put md, known to be absent, into s with flags, if s has room (and the
 * slot is not too far).
 */
static void
seen_put(struct seen *s, const unsigned char *md, unsigned char flags)
{
	size_t i, probes = 0;

	for (i = seen_start(s, md); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (++probes == SEEN_MAX_PROBES)
			return;
	memcpy(s->slot[i], md, HASH_SHA256_LEN);
	s->used[i] = flags;
	s->n++;
}

/* Double the capacity of s.  0 or -1 (s unchanged). */
static int
seen_grow(struct seen *s)
{
	struct seen g;
	size_t i;

	memset(&g, 0, sizeof(g));
	g.cap = s->cap == 0 ? SEEN_INITIAL : s->cap * 2;
	if ((g.slot = calloc(g.cap, sizeof(*g.slot))) == NULL ||
	    (g.used = calloc(g.cap, 1)) == NULL) {
		free(g.slot);
		return -1;
	}
	for (i = 0; i < s->cap; i++)
		if (s->used[i])
			seen_put(&g, s->slot[i], s->used[i]);
	free(s->slot);
	free(s->used);
	*s = g;
	return 0;
}

/* The flags (SEEN_*) of the record of digest md, 0 if not seen. */
static unsigned char
seen_flags(struct memo *m, const unsigned char *md)
{
	unsigned char f = 0;
	ssize_t i;

	pthread_mutex_lock(&m->lock);
	if ((i = seen_find(&m->seen, md)) != -1)
		f = m->seen.used[i];
	pthread_mutex_unlock(&m->lock);
	return f;
}

/*
 * Remember that the record of digest md was used in this run, with
 * flags (SEEN_*).  Returns the flags it had before (0: none).
 */
static unsigned char
mark_seen(struct memo *m, const unsigned char *md, unsigned char flags)
{
	unsigned char had = 0;
	ssize_t i;

	pthread_mutex_lock(&m->lock);
	if ((i = seen_find(&m->seen, md)) != -1) {
		had = m->seen.used[i];
		m->seen.used[i] |= flags;
	} else if (2 * (m->seen.n + 1) > m->seen.cap &&
	    seen_grow(&m->seen) == -1)
		m->seen_failed = 1;
	else
		seen_put(&m->seen, md, flags);
	pthread_mutex_unlock(&m->lock);
	return had;
}

struct memo *
memo_open(const char *dir, const unsigned char *tag)
{
	struct memo *m;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_msg_errno(LOG_LEVEL_ERROR, dir, "cannot create the memo "
		    "directory");
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->dir = strdup(dir)) == NULL) {
		free(m);
		log_errorx_obj(dir, "out of memory");
		return NULL;
	}
	if ((m->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, dir, "cannot open the memo "
		    "directory");
		free(m->dir);
		free(m);
		return NULL;
	}
	memcpy(m->tag, tag, MEMO_TAG_LEN);
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void
memo_close(struct memo *m)
{
	if (m == NULL)
		return;
	free(m->seen.slot);
	free(m->seen.used);
	pthread_mutex_destroy(&m->lock);
	close(m->dfd);
	free(m->dir);
	free(m);
}

/*
 * Read the framed part of the record file name (relative to m->dfd):
 * head, payload and checksum, in *buf (malloc'd), *len bytes; the tail
 * that follows has its place in *tail, and *have bytes of the file are
 * in *buf (the tail too when it came with the first read).
 */
static int
read_record(const struct memo *m, const char *name, unsigned char **buf,
    size_t *len, struct memo_tail *tail, size_t *have)
{
	struct stat sb;
	unsigned char *b = NULL, *nb;
	size_t size, framed;
	ssize_t n;
	int fd;

	*buf = NULL;
	if ((fd = openat(m->dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return -1;
	if ((b = malloc(MEMO_FIRST_READ)) == NULL)
		goto fail;
	do
		n = pread(fd, b, MEMO_FIRST_READ, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		goto fail;
	/* A short read of a regular file is its end: no fstat(2) needed. */
	size = (size_t)n;
	if (size == MEMO_FIRST_READ) {
		if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
		    sb.st_size > MEMO_MAX_RECORD)
			goto fail;
		size = (size_t)sb.st_size;
	}
	if (size < MEMO_HEAD_LEN + HASH_SHA256_LEN)
		goto fail;
	*have = size < MEMO_FIRST_READ ? size : MEMO_FIRST_READ;
	framed = MEMO_HEAD_LEN + (size_t)be32_get(b + MEMO_HEAD_LEN - 4) +
	    HASH_SHA256_LEN;
	if (framed > size)
		goto fail;
	if (framed > MEMO_FIRST_READ) {
		if ((nb = realloc(b, framed)) == NULL)
			goto fail;
		b = nb;
		if (fd_pread_full(fd, b + MEMO_FIRST_READ, framed -
		    MEMO_FIRST_READ, (off_t)MEMO_FIRST_READ) == -1)
			goto fail;
		*have = framed;
	}
	close(fd);
	tail->off = framed;
	tail->len = size - framed;
	*buf = b;
	*len = framed;
	return 0;
 fail:
	free(b);
	close(fd);
	return -1;
}

/* Check magic, version, tag and checksum; 0 if the record is usable. */
static int
check_record(const struct memo *m, const unsigned char *b, size_t len)
{
	unsigned char md[HASH_SHA256_LEN], ver[4] = {
		MEMO_VERSION >> 24, (MEMO_VERSION >> 16) & 0xff,
		(MEMO_VERSION >> 8) & 0xff, MEMO_VERSION & 0xff };

	if (memcmp(b, MEMO_MAGIC, MEMO_MAGIC_LEN) != 0 ||
	    memcmp(b + MEMO_MAGIC_LEN, ver, 4) != 0 ||
	    memcmp(b + MEMO_MAGIC_LEN + 4, m->tag, MEMO_TAG_LEN) != 0)
		return -1;
	if (hash_sha256(b, len - HASH_SHA256_LEN, md) == -1 ||
	    !hash_equal(md, b + len - HASH_SHA256_LEN, HASH_SHA256_LEN))
		return -1;
	return 0;
}

int
memo_get(struct memo *m, const char *key, unsigned char **buf, size_t *len,
    struct memo_tail *tail)
{
	char name[MEMO_NAME_LEN + 1];
	unsigned char *b, md[HASH_SHA256_LEN];
	struct memo_tail t;
	size_t n, plen, have;

	*buf = NULL;
	*len = 0;
	if (tail != NULL)
		memset(tail, 0, sizeof(*tail));
	if (record_digest(key, md) == -1)
		return -1;
	record_name(md, name);
	(void)mark_seen(m, md, SEEN_USED);
	memset(&t, 0, sizeof(t));
	if (read_record(m, name, &b, &n, &t, &have) == -1)
		return -1;
	if (check_record(m, b, n) == -1) {
		free(b);
		return -1;
	}
	plen = n - MEMO_HEAD_LEN - HASH_SHA256_LEN;
	memmove(b, b + MEMO_HEAD_LEN, have - MEMO_HEAD_LEN);
	if (have == n + t.len)
		t.data = b + plen + HASH_SHA256_LEN;
	*buf = b;
	*len = plen;
	if (tail != NULL)
		*tail = t;
	return 0;
}

int
memo_get_tail(struct memo *m, const char *key, const struct memo_tail *tail,
    unsigned char *buf)
{
	char name[MEMO_NAME_LEN + 1];
	unsigned char md[HASH_SHA256_LEN];
	struct stat sb;
	int fd, rc = -1;

	if (record_digest(key, md) == -1)
		return -1;
	record_name(md, name);
	if ((fd = openat(m->dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) ==
	    -1)
		return -1;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (uint64_t)sb.st_size == (uint64_t)tail->off + tail->len)
		rc = fd_pread_full(fd, buf, tail->len, (off_t)tail->off);
	close(fd);
	return rc;
}

/* Write all of buf to fd; 0 or -1. */
static int
write_all(int fd, const unsigned char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Head and checksum around payload, then tail, in a new buffer. */
static unsigned char *
frame(const struct memo *m, const unsigned char *payload, size_t len,
    const unsigned char *tail, size_t tlen, size_t *outlen)
{
	unsigned char *b;
	size_t framed = MEMO_HEAD_LEN + len + HASH_SHA256_LEN;

	if (len > UINT32_MAX || tlen > MEMO_MAX_RECORD || (b = malloc(framed +
	    tlen)) == NULL)
		return NULL;
	memcpy(b, MEMO_MAGIC, MEMO_MAGIC_LEN);
	be32_put(b + MEMO_MAGIC_LEN, MEMO_VERSION);
	memcpy(b + MEMO_MAGIC_LEN + 4, m->tag, MEMO_TAG_LEN);
	be32_put(b + MEMO_HEAD_LEN - 4, (uint32_t)len);
	memcpy(b + MEMO_HEAD_LEN, payload, len);
	if (hash_sha256(b, framed - HASH_SHA256_LEN, b + framed -
	    HASH_SHA256_LEN) == -1) {
		free(b);
		return NULL;
	}
	if (tlen > 0)
		memcpy(b + framed, tail, tlen);
	*outlen = framed + tlen;
	return b;
}

int
memo_put(struct memo *m, const char *key, const unsigned char *payload,
    size_t len, const unsigned char *tail, size_t tlen)
{
	char name[MEMO_NAME_LEN + 1], tmp[MEMO_NAME_LEN + 32];
	unsigned char *b, md[HASH_SHA256_LEN];
	size_t n;
	int fd, rc = -1;

	if (record_digest(key, md) == -1)
		return -1;
	/*
	 * A record whose tail was lent stays as it is for this run: only two
	 * CAs naming one manifest would write it after reusing it.
	 */
	if (mark_seen(m, md, SEEN_USED) & SEEN_LENT)
		return 0;
	if ((b = frame(m, payload, len, tail, tlen, &n)) == NULL)
		return -1;
	record_name(md, name);
	/* One writer per publication point and run; the thread id keeps
	 * two runs sharing a directory (not supported) from colliding. */
	snprintf(tmp, sizeof(tmp), ".%s.%ld", name, (long)gettid());
	fd = openat(m->dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd != -1) {
		rc = write_all(fd, b, n);
		if (close(fd) == -1)
			rc = -1;
		if (rc == 0)
			rc = renameat(m->dfd, tmp, m->dfd, name);
		if (rc == -1)
			(void)unlinkat(m->dfd, tmp, 0);
	}
	if (rc == -1)
		log_msg_errno(LOG_LEVEL_WARNING, key, "cannot write its memo "
		    "record");
	free(b);
	return rc;
}

void
memo_lend(struct memo *m, const char *key)
{
	unsigned char md[HASH_SHA256_LEN];

	if (record_digest(key, md) == 0)
		(void)mark_seen(m, md, SEEN_USED | SEEN_LENT);
}

void
memo_drop(struct memo *m, const char *key)
{
	char name[MEMO_NAME_LEN + 1];
	unsigned char md[HASH_SHA256_LEN];

	if (record_digest(key, md) == 0 && !(seen_flags(m, md) & SEEN_LENT)) {
		record_name(md, name);
		(void)unlinkat(m->dfd, name, 0);
	}
}

/*
 * A record name: exactly MEMO_NAME_LEN hex digits, decoded into md.  1 if
 * it is one, else 0.
 */
static int
record_name_digest(const char *s, unsigned char *md)
{
	return hash_hex_decode(s, md, HASH_SHA256_LEN) == 0;
}

size_t
memo_sweep(struct memo *m)
{
	unsigned char md[HASH_SHA256_LEN];
	struct dirent *de;
	size_t removed = 0;
	DIR *d;
	int fd, keep;

	if (m->seen_failed)
		return 0;
	if ((fd = dup(m->dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return 0;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && de->d_name[1] != '\0' &&
		    strcmp(de->d_name, "..") != 0) {
			/* A temporary file left by a killed run. */
			if (unlinkat(m->dfd, de->d_name, 0) == 0)
				removed++;
			continue;
		}
		if (!record_name_digest(de->d_name, md))
			continue;
		pthread_mutex_lock(&m->lock);
		keep = seen_has(&m->seen, md);
		pthread_mutex_unlock(&m->lock);
		if (!keep && unlinkat(m->dfd, de->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

/* Buffers. */

void
memo_w_bytes(struct memo_wbuf *w, const void *p, size_t n)
{
	unsigned char *q;
	size_t cap;

	if (w->failed)
		return;
	if (n > w->cap - w->len) {
		cap = w->cap == 0 ? 4096 : w->cap;
		while (cap - w->len < n) {
			if (cap > SIZE_MAX / 2) {
				w->failed = 1;
				return;
			}
			cap *= 2;
		}
		if ((q = realloc(w->data, cap)) == NULL) {
			w->failed = 1;
			return;
		}
		w->data = q;
		w->cap = cap;
	}
	if (n > 0)
		memcpy(w->data + w->len, p, n);
	w->len += n;
}

void
memo_w_u8(struct memo_wbuf *w, uint8_t v)
{
	memo_w_bytes(w, &v, 1);
}

void
memo_w_u32(struct memo_wbuf *w, uint32_t v)
{
	unsigned char b[4];

	be32_put(b, v);
	memo_w_bytes(w, b, sizeof(b));
}

void
memo_w_u64(struct memo_wbuf *w, uint64_t v)
{
	memo_w_u32(w, (uint32_t)(v >> 32));
	memo_w_u32(w, (uint32_t)v);
}

void
memo_w_str(struct memo_wbuf *w, const char *s)
{
	size_t n;

	if (s == NULL) {
		memo_w_u32(w, 0);
		return;
	}
	if ((n = strlen(s)) >= UINT32_MAX) {
		w->failed = 1;
		return;
	}
	memo_w_u32(w, (uint32_t)n + 1);
	memo_w_bytes(w, s, n + 1);
}

void
memo_wbuf_free(struct memo_wbuf *w)
{
	free(w->data);
	memset(w, 0, sizeof(*w));
}

int
memo_r_bytes(struct memo_rbuf *r, void *p, size_t n)
{
	if (r->failed || n > r->len - r->off) {
		r->failed = 1;
		if (n > 0)
			memset(p, 0, n);
		return -1;
	}
	if (n > 0)
		memcpy(p, r->data + r->off, n);
	r->off += n;
	return 0;
}

uint8_t
memo_r_u8(struct memo_rbuf *r)
{
	uint8_t v;

	(void)memo_r_bytes(r, &v, 1);
	return v;
}

uint32_t
memo_r_u32(struct memo_rbuf *r)
{
	unsigned char b[4];

	(void)memo_r_bytes(r, b, sizeof(b));
	return be32_get(b);
}

uint64_t
memo_r_u64(struct memo_rbuf *r)
{
	uint64_t hi = memo_r_u32(r);

	return hi << 32 | memo_r_u32(r);
}

const char *
memo_r_str(struct memo_rbuf *r)
{
	const char *s;
	uint32_t n = memo_r_u32(r);

	if (r->failed || n == 0)
		return NULL;
	if (n > r->len - r->off) {
		r->failed = 1;
		return NULL;
	}
	s = (const char *)r->data + r->off;
	/* Exactly n - 1 characters, then the NUL. */
	if (s[n - 1] != '\0' || memchr(s, '\0', n - 1) != NULL) {
		r->failed = 1;
		return NULL;
	}
	r->off += n;
	return s;
}
