/*
 * Streaming JSON writer; see json.h for the rules it enforces.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "limits.h"

/* Initial size of a buffer writer's text. */
#define JSON_BUF_INIT	1024
/* Room for the decimal form of any 64-bit integer with sign and NUL. */
#define JSON_NUM_MAX	24
/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
#define UTF8_REPLACEMENT	"\xef\xbf\xbd"

enum frame_type {
	FRAME_OBJECT,
	FRAME_ARRAY,
};

struct frame {
	enum frame_type	type;
	size_t		count;		/* members or elements so far */
};

struct json {
	FILE		*fp;		/* FILE writer, or NULL */
	char		*buf;		/* buffer writer text, NUL-terminated */
	size_t		 len;
	size_t		 cap;
	int		 flags;
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

/* Append n bytes of output. */
static int
emit(struct json *j, const char *s, size_t n)
{
	size_t ncap;
	char *nbuf;

	if (j->fp != NULL) {
		errno = 0;
		if (n > 0 && fwrite(s, 1, n, j->fp) != n)
			return json_fail(j, errno != 0 ? errno : EIO);
		return 0;
	}
	if (n > SIZE_MAX - 1 - j->len)
		return json_fail(j, ENOMEM);
	if (j->len + n + 1 > j->cap) {
		ncap = j->cap;
		while (ncap < j->len + n + 1)
			ncap = ncap > SIZE_MAX / 2 ? j->len + n + 1 : ncap * 2;
		if ((nbuf = realloc(j->buf, ncap)) == NULL)
			return json_fail(j, ENOMEM);
		j->buf = nbuf;
		j->cap = ncap;
	}
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

/* In pretty mode, start a new line indented to the current depth. */
static int
newline(struct json *j)
{
	static const char spaces[] = "                ";
	size_t n, chunk;

	if (!(j->flags & JSON_PRETTY))
		return 0;
	if (emit(j, "\n", 1) == -1)
		return -1;
	for (n = j->depth * 2; n > 0; n -= chunk) {
		chunk = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		if (emit(j, spaces, chunk) == -1)
			return -1;
	}
	return 0;
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
	if (f->count++ > 0 && emit(j, ",", 1) == -1)
		return -1;
	return newline(j);
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

static struct json *
json_new(FILE *fp, int flags)
{
	struct json *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->fp = fp;
	j->flags = flags;
	return j;
}

/*
 * New writer on fp; returns an object the caller frees with json_free().
 */
struct json *
json_new_file(FILE *fp, int flags)
{
	return json_new(fp, flags);
}

/*
 * New in-memory writer; returns an object the caller frees with json_free().
 */
struct json *
json_new_buffer(int flags)
{
	struct json *j;

	if ((j = json_new(NULL, flags)) == NULL)
		return NULL;
	if ((j->buf = malloc(JSON_BUF_INIT)) == NULL) {
		free(j);
		return NULL;
	}
	j->cap = JSON_BUF_INIT;
	j->buf[0] = '\0';
	return j;
}

/*
 * Free the writer and its buffer (not its FILE).
 */
void
json_free(struct json *j)
{
	if (j == NULL)
		return;
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
	if (count > 0 && newline(j) == -1)
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
	if (f->count++ > 0 && emit(j, ",", 1) == -1)
		return -1;
	if (newline(j) == -1 || emit_quoted(j, key, strlen(key)) == -1)
		return -1;
	if (emit_str(j, (j->flags & JSON_PRETTY) ? ": " : ":") == -1)
		return -1;
	j->have_key = 1;
	return 0;
}

/* Write an already formatted scalar. */
static int
scalar(struct json *j, const char *text)
{
	if (before_value(j) == -1 || emit_str(j, text) == -1)
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
 * Write a signed integer.
 */
int
json_int(struct json *j, int64_t v)
{
	char num[JSON_NUM_MAX];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return scalar(j, num);
}

/*
 * Write an unsigned integer.
 */
int
json_uint(struct json *j, uint64_t v)
{
	char num[JSON_NUM_MAX];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	return scalar(j, num);
}

/*
 * Write true (v non-zero) or false.
 */
int
json_bool(struct json *j, int v)
{
	return scalar(j, v ? "true" : "false");
}

/*
 * Write null.
 */
int
json_null(struct json *j)
{
	return scalar(j, "null");
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
	if (j->failed)
		return -1;
	if (j->depth != 0 || !j->top_done)
		return json_fail(j, EINVAL);
	if ((j->flags & JSON_PRETTY) && emit(j, "\n", 1) == -1)
		return -1;
	errno = 0;
	if (j->fp != NULL && (fflush(j->fp) != 0 || ferror(j->fp)))
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
