/*
 * Line assembly for the text writers (output_csv.c, output_bgpd.c,
 * output_bird.c).  A global run prints about a million lines per file;
 * one fprintf() per line spends most of its time parsing the format and
 * locking the FILE.  Instead the lines are put together by hand in a
 * block buffer that goes to the FILE with one fwrite() when full and in
 * text_flush().  The text is exactly what the format strings printed.
 *
 * Use: text_init(); then per line text_reserve() room for its bounded
 * part, fill it with the put_*() helpers, text_commit(); text_str() for
 * strings of any length; text_flush() at the end.  The caller does not
 * write to the FILE itself between text_init() and text_flush().  After a
 * failed write every call fails (returns NULL or -1).
 *
 * Everything is static inline: a handful of small helpers shared by three
 * writers.
 */
#ifndef REEF_VALIDATOR_OUTPUT_TEXT_H
#define REEF_VALIDATOR_OUTPUT_TEXT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/prefix.h"

/* Bytes collected before a write; on the stack of the writer. */
#define TEXT_BUF_SIZE	32768
/* Room asked for the bounded part of one line (numbers, prefix, words). */
#define TEXT_LINE_MAX	160
/* Digits of a 64-bit integer, with sign. */
#define TEXT_NUM_MAX	20

struct text_buf {
	FILE	*fp;
	size_t	 len;
	int	 failed;
	char	 data[TEXT_BUF_SIZE];
};

static inline void
text_init(struct text_buf *t, FILE *fp)
{
	t->fp = fp;
	t->len = 0;
	t->failed = 0;
}

/*
 * Write what is collected.  Returns 0, or -1 if this or an earlier write
 * failed.
 */
static inline int
text_flush(struct text_buf *t)
{
	if (t->failed)
		return -1;
	if (t->len > 0 && fwrite(t->data, 1, t->len, t->fp) != t->len)
		t->failed = 1;
	t->len = 0;
	return t->failed ? -1 : 0;
}

/*
 * Where the next n bytes (n <= TEXT_BUF_SIZE) go, flushing first if they
 * do not fit; NULL after a write error.
 */
static inline char *
text_reserve(struct text_buf *t, size_t n)
{
	if (t->failed || (n > TEXT_BUF_SIZE - t->len && text_flush(t) == -1))
		return NULL;
	return t->data + t->len;
}

/* Take the bytes written from text_reserve()'s pointer up to end. */
static inline void
text_commit(struct text_buf *t, const char *end)
{
	t->len = (size_t)(end - t->data);
}

/* Append s of any length.  Returns 0 or -1. */
static inline int
text_str(struct text_buf *t, const char *s)
{
	size_t n = strlen(s);
	char *p;

	if (n > TEXT_BUF_SIZE) {
		if (text_flush(t) == -1)
			return -1;
		if (fwrite(s, 1, n, t->fp) != n)
			t->failed = 1;
		return t->failed ? -1 : 0;
	}
	if ((p = text_reserve(t, n)) == NULL)
		return -1;
	memcpy(p, s, n);
	text_commit(t, p + n);
	return 0;
}

/* The n bytes of s at p; returns the end. */
static inline char *
put_mem(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* A string literal at p; returns the end. */
#define put_lit(p, s)	put_mem((p), (s), sizeof(s) - 1)

/* v in decimal at p, as "%llu" prints it; returns the end. */
static inline char *
put_u64(char *p, uint64_t v)
{
	char num[TEXT_NUM_MAX], *d = num + sizeof(num);

	do {
		*--d = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return put_mem(p, d, (size_t)(num + sizeof(num) - d));
}

/* v in decimal at p, as "%lld" prints it; returns the end. */
static inline char *
put_i64(char *p, int64_t v)
{
	if (v >= 0)
		return put_u64(p, (uint64_t)v);
	*p++ = '-';
	/* The magnitude in unsigned arithmetic, INT64_MIN included. */
	return put_u64(p, 0 - (uint64_t)v);
}

/* "addr/len" at p (PREFIX_STRLEN bytes of room); NULL on a bad AFI. */
static inline char *
put_prefix(char *p, const struct prefix *pfx)
{
	int n;

	if ((n = prefix_format_fast(pfx, p)) < 0)
		return NULL;
	return p + n;
}

#endif
