/*
 * Streaming JSON writer; see json.h for the rules it enforces.
 */
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

/* Whether what lies level containers deep is laid out on lines. */
static int
pretty_at(const struct json *j, size_t level)
{
	return (j->flags & JSON_PRETTY) &&
	    (j->flat_depth == 0 || level < j->flat_depth);
}

/*
 * In pretty mode (for what lies level containers deep), start a new line
 * indented to the current depth, after
 * a comma if comma is set; in compact mode just the comma.
 */
static int
separate(struct json *j, int comma, size_t level)
{
	size_t n;

	if (!pretty_at(j, level))
		return comma ? emit(j, ",", 1) : 0;
	n = j->depth * 2;
	if (n <= SEPARATOR_INDENT_MAX)
		return emit(j, separator + !comma, 1 + !!comma + n);
	/* Deeper than the string reaches (MAX_JSON_DEPTH raised). */
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

/* Write s as a quoted, escaped JSON string. */
static int
emit_quoted(struct json *j, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run, seq, bad;
	int rc;

	if (emit(j, "\"", 1) == -1)
		return -1;
	while (i < len) {
		/* Copy plain ASCII in one go. */
		for (run = i; run < len && s[run] >= 0x20 && s[run] < 0x7f &&
		    s[run] != '"' && s[run] != '\\'; run++)
			;
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
	}
	return emit(j, "\"", 1);
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
void
json_free(struct json *j)
{
	if (j == NULL)
		return;
	flush_quietly(j);
	free(j->buf);
	free(j);
}

static int
container_begin(struct json *j, enum frame_type type)
{
	if (before_value(j) == -1)
		return -1;
	if (j->depth == MAX_JSON_DEPTH)
		return json_fail(j, EINVAL);
	if (emit(j, type == FRAME_OBJECT ? "{" : "[", 1) == -1)
		return -1;
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
 * Write the key of the next object member.
 */
int
json_key(struct json *j, const char *key)
{
	struct frame *f;

	if (j->failed)
		return -1;
	if (key == NULL || j->depth == 0 || j->have_key)
		return json_fail(j, EINVAL);
	f = &j->stack[j->depth - 1];
	if (f->type != FRAME_OBJECT)
		return json_fail(j, EINVAL);
	if (separate(j, f->count++ > 0, j->depth) == -1 ||
	    emit_quoted(j, key, strlen(key)) == -1)
		return -1;
	if (emit(j, ": ", pretty_at(j, j->depth) ? 2 : 1) == -1)
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

/*
 * The decimal digits of v, written backwards ending just before end;
 * returns where they start.
 */
static char *
format_decimal(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

/*
 * Write a signed integer.
 */
int
json_int(struct json *j, int64_t v)
{
	char num[JSON_NUM_MAX], *p;

	/* The magnitude in unsigned arithmetic, INT64_MIN included. */
	p = format_decimal(num + sizeof(num),
	    v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	return scalar(j, p, (size_t)(num + sizeof(num) - p));
}

/*
 * Write an unsigned integer.
 */
int
json_uint(struct json *j, uint64_t v)
{
	char num[JSON_NUM_MAX], *p;

	p = format_decimal(num + sizeof(num), v);
	return scalar(j, p, (size_t)(num + sizeof(num) - p));
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
 * Write a member with a string value.
 */
int
json_kv_string(struct json *j, const char *key, const char *s)
{
	if (json_key(j, key) == -1)
		return -1;
	return json_string(j, s);
}

/*
 * Write a member with a signed integer value.
 */
int
json_kv_int(struct json *j, const char *key, int64_t v)
{
	if (json_key(j, key) == -1)
		return -1;
	return json_int(j, v);
}

/*
 * Write a member with an unsigned integer value.
 */
int
json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	if (json_key(j, key) == -1)
		return -1;
	return json_uint(j, v);
}

/*
 * Write a member with a boolean value.
 */
int
json_kv_bool(struct json *j, const char *key, int v)
{
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
