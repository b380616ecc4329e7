/*
 * Streaming JSON writer; see json.h for the rules it enforces.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "limits.h"

/* Initial size of a buffer writer's text. */
#define JSON_BUF_INIT	1024
/*
 * Size of a FILE writer's own buffer: the text goes to the FILE in blocks
 * of this size, so that the cost of fwrite() (locking, bookkeeping) is
 * paid once per block instead of once per token.
 */
#define JSON_FILE_BUF	65536
/* Room for the decimal form of any 64-bit integer with sign. */
#define JSON_NUM_MAX	24
/*
 * Longest key or string written by the fast paths in one piece (more
 * goes through emit() in runs); far below JSON_FILE_BUF, so that room
 * for it can always be made.
 */
#define JSON_FAST_MAX	4096
/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
#define UTF8_REPLACEMENT	"\xef\xbf\xbd"

/* A comma, a newline and the indentation of 64 levels (pretty mode). */
#define SPACES16	"                "
#define SPACES128	SPACES16 SPACES16 SPACES16 SPACES16 \
			SPACES16 SPACES16 SPACES16 SPACES16
static const char separator[] = ",\n" SPACES128;
#define SEPARATOR_INDENT_MAX	(sizeof(separator) - 3)

enum frame_type {
	FRAME_OBJECT,
	FRAME_ARRAY,
};

struct frame {
	enum frame_type	type;
	size_t		count;		/* members or elements so far */
};

/*
 * Both kinds of writer collect the text in buf; a buffer writer grows it,
 * a FILE writer hands it to fp whenever it is full, in json_finish() and
 * in json_free().  buf is always NUL-terminated at len.
 */
struct json {
	FILE		*fp;		/* FILE writer, or NULL */
	char		*buf;		/* text not yet handed to fp */
	size_t		 len;
	size_t		 cap;
	uint64_t	 out;		/* bytes handed to fp or spliced */
	int		 flags;
	size_t		 flat_depth;	/* json_flat_from(); 0: none */
	int		 failed;	/* sticky error */
	int		 have_key;	/* key written, its value pending */
	int		 top_done;	/* the top-level value is complete */
	size_t		 depth;
	struct frame	 stack[MAX_JSON_DEPTH];
};

static int
json_fail(struct json *j, int err)
{
	j->failed = 1;
	errno = err;
	return -1;
}

/*
 * Hand the buffered text of a FILE writer to fp.  On a failed write the
 * text is dropped: nothing is written after a write error.
 */
static int
flush_buf(struct json *j)
{
	size_t n = j->len;
	int failed;

	errno = 0;
	failed = n > 0 && fwrite(j->buf, 1, n, j->fp) != n;
	if (!failed)
		j->out += n;
	j->len = 0;
	j->buf[0] = '\0';
	return failed ? json_fail(j, errno != 0 ? errno : EIO) : 0;
}

/*
 * On the way out after an error or in json_free(): hand fp what the
 * calls wrote, as an unbuffered writer would have, leaving errno alone
 * (a failure here is sticky like any other).
 */
static void
flush_quietly(struct json *j)
{
	int saved = errno;

	if (j->fp != NULL)
		(void)flush_buf(j);
	errno = saved;
}

/*
 * Make room for n more bytes and their NUL: flush a FILE writer (which
 * can then only take n below its buffer size), grow a buffer writer.
 */
static int
make_room(struct json *j, size_t n)
{
	size_t ncap;
	char *nbuf;

	if (j->fp != NULL)
		return flush_buf(j);
	if (n > SIZE_MAX - 1 - j->len)
		return json_fail(j, ENOMEM);
	ncap = j->cap;
	while (ncap < j->len + n + 1)
		ncap = ncap > SIZE_MAX / 2 ? j->len + n + 1 : ncap * 2;
	if ((nbuf = realloc(j->buf, ncap)) == NULL)
		return json_fail(j, ENOMEM);
	j->buf = nbuf;
	j->cap = ncap;
	return 0;
}

/* emit() for text that does not fit in the space left. */
static int
emit_slow(struct json *j, const char *s, size_t n)
{
	if (make_room(j, n) == -1)
		return -1;
	if (n < j->cap - j->len) {
		memcpy(j->buf + j->len, s, n);
		j->len += n;
		j->buf[j->len] = '\0';
		return 0;
	}
	/* Longer than a FILE writer's whole buffer: straight to fp. */
	errno = 0;
	if (fwrite(s, 1, n, j->fp) != n)
		return json_fail(j, errno != 0 ? errno : EIO);
	return 0;
}

/* Append n bytes of output. */
static inline int
emit(struct json *j, const char *s, size_t n)
{
	if (n >= j->cap - j->len)
		return emit_slow(j, s, n);
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
	return 0;
}

static int
emit_str(struct json *j, const char *s)
{
	return emit(j, s, strlen(s));
}

/*
 * Where the next n bytes of text go (n at most JSON_FAST_MAX, so that
 * they fit once a FILE writer's buffer is flushed), to be ended with
 * commit(); NULL after an error.  Saves the copy emit() makes for text
 * that is formatted in place.
 */
static char *
reserve_slow(struct json *j, size_t n)
{
	if (make_room(j, n) == -1)
		return NULL;
	return j->buf + j->len;
}

static inline char *
reserve(struct json *j, size_t n)
{
	if (n < j->cap - j->len)
		return j->buf + j->len;
	return reserve_slow(j, n);
}

/* Take the text written from reserve()'s pointer up to end. */
static inline void
commit(struct json *j, char *end)
{
	*end = '\0';
	j->len = (size_t)(end - j->buf);
}

/* Whether what lies level containers deep is laid out on lines. */
static int
pretty_at(const struct json *j, size_t level)
{
	return (j->flags & JSON_PRETTY) &&
	    (j->flat_depth == 0 || level < j->flat_depth);
}

/*
 * The text that separates a member or element from what precedes it, in
 * *n bytes: in pretty mode (for what lies level containers deep) a new
 * line indented to the current depth, after a comma if comma is set; in
 * compact mode just the comma.  NULL when the indentation is deeper than
 * separator[] reaches (MAX_JSON_DEPTH raised).
 */
static inline const char *
separator_text(const struct json *j, int comma, size_t level, size_t *n)
{
	size_t indent;

	if (!pretty_at(j, level)) {
		*n = comma ? 1 : 0;
		return separator;
	}
	if ((indent = j->depth * 2) > SEPARATOR_INDENT_MAX)
		return NULL;
	*n = 1 + !!comma + indent;
	return separator + !comma;
}

/*
 * The n bytes at s copied to p; returns the end.  For the short keys and
 * values of the fast paths: words with the last one overlapping, which
 * is cheaper than the block copy a compiler may inline for memcpy().
 */
static inline char *
put_bytes(char *p, const char *s, size_t n)
{
	uint64_t w;
	size_t i;

	if (n < sizeof(w)) {
		for (i = 0; i < n; i++)
			p[i] = s[i];
		return p + n;
	}
	for (i = 0; i + sizeof(w) < n; i += sizeof(w)) {
		memcpy(&w, s + i, sizeof(w));
		memcpy(p + i, &w, sizeof(w));
	}
	memcpy(&w, s + n - sizeof(w), sizeof(w));
	memcpy(p + n - sizeof(w), &w, sizeof(w));
	return p + n;
}

/* The separator text (n bytes) at p; returns the end. */
static inline char *
put_separator(char *p, const char *sep, size_t n)
{
	/* Within a compact line the separator is a comma or nothing. */
	if (n == 1)
		*p++ = *sep;
	else if (n > 1) {
		memcpy(p, sep, n);
		p += n;
	}
	return p;
}

/* Write separator_text(). */
static int
separate(struct json *j, int comma, size_t level)
{
	const char *sep;
	size_t n;

	if ((sep = separator_text(j, comma, level, &n)) != NULL)
		return n > 0 ? emit(j, sep, n) : 0;
	/* Deeper than the string reaches. */
	n = j->depth * 2;
	if (emit(j, separator + !comma, 1 + !!comma) == -1)
		return -1;
	for (; n > SEPARATOR_INDENT_MAX; n -= SEPARATOR_INDENT_MAX)
		if (emit(j, separator + 2, SEPARATOR_INDENT_MAX) == -1)
			return -1;
	return emit(j, separator + 2, n);
}

/* Check that a value may come now and write what precedes it. */
static int
before_value(struct json *j)
{
	struct frame *f;

	if (j->failed)
		return -1;
	if (j->depth == 0)
		return j->top_done ? json_fail(j, EINVAL) : 0;
	f = &j->stack[j->depth - 1];
	if (f->type == FRAME_OBJECT) {
		if (!j->have_key)
			return json_fail(j, EINVAL);
		j->have_key = 0;
		return 0;
	}
	return separate(j, f->count++ > 0, j->depth);
}

static void
after_value(struct json *j)
{
	if (j->depth == 0)
		j->top_done = 1;
}

/*
 * Length of the well-formed UTF-8 sequence at s (n bytes left), or 0 with
 * *bad set to the length of its maximal invalid prefix (Unicode 15,
 * section 3.9, table 3-7 gives the valid second-byte ranges).
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		if (s[0] == 0xf0)
			lo = 0x90;		/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;		/* above U+10FFFF */
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i < need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

/* Write one escaped byte below 0x20 or DEL. */
static int
emit_control(struct json *j, unsigned char c)
{
	char esc[8];

	switch (c) {
	case '\b':
		return emit(j, "\\b", 2);
	case '\f':
		return emit(j, "\\f", 2);
	case '\n':
		return emit(j, "\\n", 2);
	case '\r':
		return emit(j, "\\r", 2);
	case '\t':
		return emit(j, "\\t", 2);
	default:
		snprintf(esc, sizeof(esc), "\\u%04x", c);
		return emit(j, esc, 6);
	}
}

/* Eight copies of byte b in a 64-bit word. */
#define BYTES8(b)	(0x0101010101010101ULL * (b))

/*
 * Whether the eight bytes in w hold one that is not copied as is: below
 * 0x20, '"', '\\', or from 0x7f up.  Each term is a "has a byte less
 * than n" word trick: a byte's top bit ends up set if the byte matches
 * (x - 0x20 for bytes below 0x20, x ^ c - 1 for a byte equal to c, x + 1
 * and x itself for bytes from 0x7f up) or if the byte is from 0x80 up,
 * which matches anyway.  A borrow or carry can only mark a byte next to
 * one that matches, so the answer is exact.
 */
static inline int
word_special(uint64_t w)
{
	uint64_t t;

	t = (w - BYTES8(0x20)) | (w + BYTES8(0x01)) | w;
	t |= (w ^ BYTES8('"')) - BYTES8(0x01);
	t |= (w ^ BYTES8('\\')) - BYTES8(0x01);
	return (t & BYTES8(0x80)) != 0;
}

/* 1 for the bytes copied as is into a JSON string (see word_special()). */
static const unsigned char plain_table[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Length of the run of plain bytes at the start of s (n bytes). */
static inline size_t
plain_span(const unsigned char *s, size_t n)
{
	uint64_t w;
	size_t i = 0;

	for (; n - i >= sizeof(w); i += sizeof(w)) {
		memcpy(&w, s + i, sizeof(w));
		if (word_special(w))
			break;
	}
	/* Fewer than eight left: the last eight bytes, overlapping. */
	if (i < n && n - i < sizeof(w) && n >= sizeof(w)) {
		memcpy(&w, s + n - sizeof(w), sizeof(w));
		if (!word_special(w))
			return n;
	}
	while (i < n && plain_table[s[i]])
		i++;
	return i;
}

/*
 * The length of key if it is at most JSON_FAST_MAX bytes with none to
 * escape (measured and checked in one pass), else -1.
 */
static inline ssize_t
plain_key_len(const char *key)
{
	const unsigned char *k = (const unsigned char *)key;
	size_t n = 0;

	while (plain_table[k[n]] && n < JSON_FAST_MAX)
		n++;
	return k[n] == '\0' ? (ssize_t)n : -1;
}

/*
 * emit_quoted() for a string that holds bytes to escape or repair, the
 * first at plain.
 */
static int
emit_escaped(struct json *j, const char *str, size_t len, size_t plain)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = plain, seq, bad;
	int rc;

	if (emit(j, "\"", 1) == -1)
		return -1;
	while (i < len) {
		/* Copy plain ASCII in one go. */
		if (run > i && emit(j, str + i, run - i) == -1)
			return -1;
		if ((i = run) == len)
			break;
		if (s[i] == '"' || s[i] == '\\') {
			rc = emit(j, s[i] == '"' ? "\\\"" : "\\\\", 2);
			i++;
		} else if (s[i] < 0x80) {
			rc = emit_control(j, s[i]);
			i++;
		} else if ((seq = utf8_seq(s + i, len - i, &bad)) != 0) {
			rc = emit(j, str + i, seq);
			i += seq;
		} else {
			rc = emit_str(j, UTF8_REPLACEMENT);
			i += bad;
		}
		if (rc == -1)
			return -1;
		run = i + plain_span(s + i, len - i);
	}
	return emit(j, "\"", 1);
}

/*
 * Write s as a quoted, escaped JSON string.  Most strings need no
 * escape: those are found with a word-wise scan and copied at once.
 */
static int
emit_quoted(struct json *j, const char *str, size_t len)
{
	size_t plain = plain_span((const unsigned char *)str, len);
	char *p;

	if (plain < len || len > JSON_FAST_MAX)
		return emit_escaped(j, str, len, plain);
	if ((p = reserve(j, len + 2)) == NULL)
		return -1;
	*p++ = '"';
	memcpy(p, str, len);
	p += len;
	*p++ = '"';
	commit(j, p);
	return 0;
}

/* A writer whose text starts in a buffer of cap bytes. */
static struct json *
json_new(FILE *fp, int flags, size_t cap)
{
	struct json *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	if ((j->buf = malloc(cap)) == NULL) {
		free(j);
		return NULL;
	}
	j->buf[0] = '\0';
	j->cap = cap;
	j->fp = fp;
	j->flags = flags;
	return j;
}

/*
 * In pretty mode, write containers nested depth or more levels deep
 * compactly, each on the line where it starts.
 */
void
json_flat_from(struct json *j, size_t depth)
{
	j->flat_depth = depth;
}

/*
 * New writer on fp; returns an object the caller frees with json_free().
 */
struct json *
json_new_file(FILE *fp, int flags)
{
	return json_new(fp, flags, JSON_FILE_BUF);
}

/*
 * New in-memory writer; returns an object the caller frees with json_free().
 */
struct json *
json_new_buffer(int flags)
{
	return json_new(NULL, flags, JSON_BUF_INIT);
}

/*
 * Free the writer and its buffer (not its FILE), first handing a FILE
 * writer's buffered text to fp so that fp has everything the calls wrote
 * (see json.h).
 */
int
json_flush(struct json *j)
{
	if (j->failed)
		return -1;
	if (j->fp == NULL)
		return 0;
	return flush_buf(j);
}

uint64_t
json_offset(const struct json *j)
{
	return j->out + j->len;
}

int
json_splice(struct json *j, uint64_t len)
{
	struct frame *f;

	if (j->failed)
		return -1;
	if (j->fp == NULL || j->depth == 0 || j->have_key ||
	    (f = &j->stack[j->depth - 1])->type != FRAME_ARRAY)
		return json_fail(j, EINVAL);
	if (f->count > 0 && emit(j, ",", 1) == -1)
		return -1;
	if (flush_buf(j) == -1)
		return -1;
	f->count++;
	j->out += len;
	return 0;
}

void
json_free(struct json *j)
{
	if (j == NULL)
		return;
	flush_quietly(j);
	free(j->buf);
	free(j);
}

/*
 * container_begin() for an element of an array (the usual case: one of
 * many objects) with the separator and the bracket in one piece; 1 when
 * done, 0 to take the general path, -1 on error.
 */
static int
element_begin_fast(struct json *j, char bracket)
{
	const char *sep;
	struct frame *f;
	size_t n;
	char *p;

	if (j->failed || j->depth == 0 || j->depth == MAX_JSON_DEPTH ||
	    (f = &j->stack[j->depth - 1])->type != FRAME_ARRAY ||
	    (sep = separator_text(j, f->count > 0, j->depth, &n)) == NULL)
		return 0;
	if ((p = reserve(j, n + 1)) == NULL)
		return -1;
	p = put_separator(p, sep, n);
	*p++ = bracket;
	commit(j, p);
	f->count++;
	return 1;
}

static int
container_begin(struct json *j, enum frame_type type)
{
	char bracket = type == FRAME_OBJECT ? '{' : '[';
	int rc;

	if ((rc = element_begin_fast(j, bracket)) == -1)
		return -1;
	if (rc == 0) {
		if (before_value(j) == -1)
			return -1;
		if (j->depth == MAX_JSON_DEPTH)
			return json_fail(j, EINVAL);
		if (emit(j, &bracket, 1) == -1)
			return -1;
	}
	j->stack[j->depth].type = type;
	j->stack[j->depth].count = 0;
	j->depth++;
	return 0;
}

static int
container_end(struct json *j, enum frame_type type)
{
	size_t count;

	if (j->failed)
		return -1;
	if (j->depth == 0 || j->stack[j->depth - 1].type != type ||
	    j->have_key)
		return json_fail(j, EINVAL);
	count = j->stack[j->depth - 1].count;
	j->depth--;
	if (count > 0 && separate(j, 0, j->depth + 1) == -1)
		return -1;
	if (emit(j, type == FRAME_OBJECT ? "}" : "]", 1) == -1)
		return -1;
	after_value(j);
	return 0;
}

/*
 * Open an object.
 */
int
json_object_begin(struct json *j)
{
	return container_begin(j, FRAME_OBJECT);
}

/*
 * Close the innermost container, which must be an object.
 */
int
json_object_end(struct json *j)
{
	return container_end(j, FRAME_OBJECT);
}

/*
 * Open an array.
 */
int
json_array_begin(struct json *j)
{
	return container_begin(j, FRAME_ARRAY);
}

/*
 * Close the innermost container, which must be an array.
 */
int
json_array_end(struct json *j)
{
	return container_end(j, FRAME_ARRAY);
}

/*
 * The separator, the key and the colon in one piece, for a key with no
 * byte to escape (the usual case); returns 1 when done, 0 to take the
 * general path, -1 on error.
 */
static int
key_fast(struct json *j, const char *key, size_t klen, int comma)
{
	const char *sep;
	size_t n;
	int pretty = pretty_at(j, j->depth);
	char *p;

	if (klen > JSON_FAST_MAX ||
	    plain_span((const unsigned char *)key, klen) != klen ||
	    (sep = separator_text(j, comma, j->depth, &n)) == NULL)
		return 0;
	if ((p = reserve(j, n + klen + 4)) == NULL)
		return -1;
	memcpy(p, sep, n);
	p += n;
	*p++ = '"';
	memcpy(p, key, klen);
	p += klen;
	*p++ = '"';
	*p++ = ':';
	if (pretty)
		*p++ = ' ';
	commit(j, p);
	return 1;
}

/*
 * Write the key of the next object member.
 */
int
json_key(struct json *j, const char *key)
{
	struct frame *f;
	size_t klen;
	int comma, rc;

	if (j->failed)
		return -1;
	if (key == NULL || j->depth == 0 || j->have_key)
		return json_fail(j, EINVAL);
	f = &j->stack[j->depth - 1];
	if (f->type != FRAME_OBJECT)
		return json_fail(j, EINVAL);
	comma = f->count++ > 0;
	klen = strlen(key);
	if ((rc = key_fast(j, key, klen, comma)) == -1)
		return -1;
	if (rc == 0 && (separate(j, comma, j->depth) == -1 ||
	    emit_quoted(j, key, klen) == -1 ||
	    emit(j, ": ", pretty_at(j, j->depth) ? 2 : 1) == -1))
		return -1;
	j->have_key = 1;
	return 0;
}

/* Write an already formatted scalar of len bytes. */
static int
scalar(struct json *j, const char *text, size_t len)
{
	if (before_value(j) == -1 || emit(j, text, len) == -1)
		return -1;
	after_value(j);
	return 0;
}

/*
 * Write a string value of len bytes (may contain NULs, escaped).
 */
int
json_string_len(struct json *j, const char *s, size_t len)
{
	if (j->failed)
		return -1;
	if (s == NULL)
		return json_fail(j, EINVAL);
	if (before_value(j) == -1 || emit_quoted(j, s, len) == -1)
		return -1;
	after_value(j);
	return 0;
}

/*
 * Write a NUL-terminated string value; NULL is misuse (use json_null()).
 */
int
json_string(struct json *j, const char *s)
{
	return json_string_len(j, s, s == NULL ? 0 : strlen(s));
}

/* "00" to "99": two digits per division when formatting numbers. */
static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/*
 * The decimal digits of v, written backwards ending just before end;
 * returns where they start.
 */
static char *
format_decimal(char *end, uint64_t v)
{
	while (v >= 100) {
		end -= 2;
		memcpy(end, digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, digit_pairs + 2 * v, 2);
	} else
		*--end = (char)('0' + v);
	return end;
}

/*
 * Write a number: the magnitude mag, after a minus sign if neg, copied
 * into the text at once.
 */
static int
number(struct json *j, uint64_t mag, int neg)
{
	char num[JSON_NUM_MAX], *d, *p;
	size_t n;

	if (before_value(j) == -1)
		return -1;
	d = format_decimal(num + sizeof(num), mag);
	if (neg)
		*--d = '-';
	n = (size_t)(num + sizeof(num) - d);
	if ((p = reserve(j, n)) == NULL)
		return -1;
	memcpy(p, d, n);
	commit(j, p + n);
	after_value(j);
	return 0;
}

/*
 * Write a signed integer.
 */
int
json_int(struct json *j, int64_t v)
{
	/* The magnitude in unsigned arithmetic, INT64_MIN included. */
	return number(j, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

/*
 * Write an unsigned integer.
 */
int
json_uint(struct json *j, uint64_t v)
{
	return number(j, v, 0);
}

/*
 * Write true (v non-zero) or false.
 */
int
json_bool(struct json *j, int v)
{
	return v ? scalar(j, "true", 4) : scalar(j, "false", 5);
}

/*
 * Write null.
 */
int
json_null(struct json *j)
{
	return scalar(j, "null", 4);
}

/*
 * A whole member in one piece: the separator, the key, the colon and
 * the value, val (vlen bytes) quoted if quote is set, else as is (an
 * already formatted number or literal).  The usual case of a key and a
 * string with no byte to escape is checked and written here once rather
 * than in two calls; returns 1 when done, 0 to take the general path
 * (misuse, escapes, long text: json_key() and the value's call then
 * write it or fail as they should), -1 on error.
 */
static int
member_fast(struct json *j, const char *key, const char *val, size_t vlen,
    int quote)
{
	const char *sep;
	struct frame *f;
	size_t n, klen;
	ssize_t kl;
	char *p;

	if (j->failed || key == NULL || j->depth == 0 || j->have_key ||
	    (f = &j->stack[j->depth - 1])->type != FRAME_OBJECT ||
	    val == NULL || vlen > JSON_FAST_MAX ||
	    (kl = plain_key_len(key)) == -1 ||
	    (sep = separator_text(j, f->count > 0, j->depth, &n)) == NULL ||
	    (quote && plain_span((const unsigned char *)val, vlen) != vlen))
		return 0;
	klen = (size_t)kl;
	if ((p = reserve(j, n + klen + vlen + 6)) == NULL)
		return -1;
	p = put_separator(p, sep, n);
	*p++ = '"';
	p = put_bytes(p, key, klen);
	*p++ = '"';
	*p++ = ':';
	if (pretty_at(j, j->depth))
		*p++ = ' ';
	if (quote)
		*p++ = '"';
	p = put_bytes(p, val, vlen);
	if (quote)
		*p++ = '"';
	commit(j, p);
	f->count++;
	return 1;
}

/*
 * Write a member with a string value.
 */
int
json_kv_string(struct json *j, const char *key, const char *s)
{
	return json_kv_string_len(j, key, s, s != NULL ? strlen(s) : 0);
}

/*
 * Write a member with a string value of len bytes.
 */
int
json_kv_string_len(struct json *j, const char *key, const char *s, size_t len)
{
	int rc;

	if ((rc = member_fast(j, key, s, len, 1)) != 0)
		return rc == 1 ? 0 : -1;
	if (json_key(j, key) == -1)
		return -1;
	return json_string_len(j, s, len);
}

/* A member with a number: the magnitude mag, negative if neg. */
static int
kv_number(struct json *j, const char *key, uint64_t mag, int neg)
{
	char num[JSON_NUM_MAX], *d;
	int rc;

	d = format_decimal(num + sizeof(num), mag);
	if (neg)
		*--d = '-';
	if ((rc = member_fast(j, key, d, (size_t)(num + sizeof(num) - d),
	    0)) != 0)
		return rc == 1 ? 0 : -1;
	if (json_key(j, key) == -1)
		return -1;
	return number(j, mag, neg);
}

/*
 * Write a member with a signed integer value.
 */
int
json_kv_int(struct json *j, const char *key, int64_t v)
{
	return kv_number(j, key, v < 0 ? 0 - (uint64_t)v : (uint64_t)v,
	    v < 0);
}

/*
 * Write a member with an unsigned integer value.
 */
int
json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	return kv_number(j, key, v, 0);
}

/*
 * Write a member with a boolean value.
 */
int
json_kv_bool(struct json *j, const char *key, int v)
{
	int rc;

	if ((rc = member_fast(j, key, v ? "true" : "false", v ? 4 : 5,
	    0)) != 0)
		return rc == 1 ? 0 : -1;
	if (json_key(j, key) == -1)
		return -1;
	return json_bool(j, v);
}

/*
 * Complete the document; see json.h.
 */
int
json_finish(struct json *j)
{
	if (j->failed) {
		flush_quietly(j);
		return -1;
	}
	if (j->depth != 0 || !j->top_done) {
		flush_quietly(j);
		return json_fail(j, EINVAL);
	}
	if ((j->flags & JSON_PRETTY) && emit(j, "\n", 1) == -1)
		return -1;
	if (j->fp == NULL)
		return 0;
	if (flush_buf(j) == -1)
		return -1;
	errno = 0;
	if (fflush(j->fp) != 0 || ferror(j->fp))
		return json_fail(j, errno != 0 ? errno : EIO);
	return 0;
}

/*
 * Return non-zero once any call has failed.
 */
int
json_failed(const struct json *j)
{
	return j->failed;
}

/*
 * Return the buffered text (owned by j), or NULL for a FILE writer.
 */
const char *
json_buffer(const struct json *j, size_t *len)
{
	if (j->fp != NULL)
		return NULL;
	if (len != NULL)
		*len = j->len;
	return j->buf;
}
