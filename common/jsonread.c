/*
 * Strict, bounded JSON pull reader.  See jsonread.h for the rules.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonread.h"

/* Room for "line:column: reason" of one error. */
#define JR_ERRLEN		160
/* First size of the string buffer; doubled up to max_string + 1. */
#define JR_STR_INITIAL		256

/* What the grammar allows at the current position. */
enum jr_state {
	ST_VALUE,		/* any value (document start, after ':' or ',' in an array) */
	ST_VALUE_OR_CLOSE,	/* after '[' */
	ST_KEY_OR_CLOSE,	/* after '{' */
	ST_KEY,			/* after ',' in an object */
	ST_COMMA_OR_CLOSE,	/* after a value inside a container */
	ST_END,			/* after the top-level value: only whitespace */
	ST_DONE
};

struct jsonread {
	const unsigned char	*buf;
	size_t			 len;
	size_t			 pos;
	size_t			 line;		/* line of pos, 1-based */
	size_t			 line_start;	/* offset of that line's first byte */
	size_t			 tok_line;
	size_t			 tok_col;
	size_t			 max_depth;
	size_t			 max_string;
	unsigned char		*stack;		/* '{' or '[' per open container */
	size_t			 depth;
	enum jr_state		 state;
	enum jr_token		 last;
	char			*str;
	size_t			 slen;
	size_t			 scap;
	struct jr_number	 num;
	int			 failed;
	char			 err[JR_ERRLEN];
};

static enum jr_token jr_fail(struct jsonread *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Record the first error, located at byte offset at (which lies on the
 * current line: newlines only occur in whitespace, which has been
 * consumed up to the failing token).
 */
static enum jr_token
jr_fail(struct jsonread *jr, size_t at, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (jr->failed)
		return JR_ERROR;
	jr->failed = 1;
	n = snprintf(jr->err, sizeof(jr->err), "%zu:%zu: ", jr->line,
	    at - jr->line_start + 1);
	if (n < 0 || (size_t)n >= sizeof(jr->err))
		return JR_ERROR;
	va_start(ap, fmt);
	vsnprintf(jr->err + n, sizeof(jr->err) - n, fmt, ap);
	va_end(ap);
	jr->last = JR_ERROR;
	return JR_ERROR;
}

/*
 * Returns a new reader over buf (not copied), or NULL on allocation
 * failure or a zero limit.  The caller frees it with jr_free().
 */
struct jsonread *
jr_new(const char *buf, size_t len, size_t max_depth, size_t max_string)
{
	struct jsonread	*jr;

	if (max_depth == 0 || max_string == 0 || max_string >= SIZE_MAX / 2)
		return NULL;
	if ((jr = calloc(1, sizeof(*jr))) == NULL)
		return NULL;
	jr->buf = (const unsigned char *)buf;
	jr->len = buf == NULL ? 0 : len;
	jr->line = 1;
	jr->max_depth = max_depth;
	jr->max_string = max_string;
	jr->state = ST_VALUE;
	jr->last = JR_END;
	jr->scap = max_string + 1 < JR_STR_INITIAL ? max_string + 1 :
	    JR_STR_INITIAL;
	jr->stack = malloc(max_depth);
	jr->str = malloc(jr->scap);
	if (jr->stack == NULL || jr->str == NULL) {
		jr_free(jr);
		return NULL;
	}
	jr->str[0] = '\0';
	return jr;
}

/* Frees the reader and its string buffer (not the input); NULL is allowed. */
void
jr_free(struct jsonread *jr)
{
	if (jr == NULL)
		return;
	free(jr->stack);
	free(jr->str);
	free(jr);
}

/* Skip RFC 8259 section 2 whitespace, counting lines. */
static void
jr_skip_ws(struct jsonread *jr)
{
	const unsigned char	*b = jr->buf;
	size_t			 p = jr->pos, n = jr->len;

	while (p < n) {
		if (b[p] == ' ' || b[p] == '\t' || b[p] == '\r')
			p++;
		else if (b[p] == '\n') {
			p++;
			jr->line++;
			jr->line_start = p;
		} else
			break;
	}
	jr->pos = p;
}

/* Make room for n more string bytes plus the NUL; 0 or -1 (error set). */
static int
jr_str_room(struct jsonread *jr, size_t n, size_t at)
{
	size_t	 need, cap;
	char	*s;

	if (n > jr->max_string - jr->slen) {
		jr_fail(jr, at, "string longer than %zu bytes", jr->max_string);
		return -1;
	}
	need = jr->slen + n + 1;
	if (need <= jr->scap)
		return 0;
	cap = jr->scap;
	while (cap < need)
		cap *= 2;
	if (cap > jr->max_string + 1)
		cap = jr->max_string + 1;
	if ((s = realloc(jr->str, cap)) == NULL) {
		jr_fail(jr, at, "out of memory");
		return -1;
	}
	jr->str = s;
	jr->scap = cap;
	return 0;
}

/* Value of one hex digit, or -1. */
static int
jr_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read the four hex digits of a \u escape at p; returns the unit or -1. */
static long
jr_hex4(const struct jsonread *jr, size_t p)
{
	long	v = 0;
	int	d, i;

	if (jr->len - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((d = jr_hexval(jr->buf[p + i])) < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Append code point cp as UTF-8; 0 or -1 (error set). */
static int
jr_put_utf8(struct jsonread *jr, uint32_t cp, size_t at)
{
	unsigned char	u[4];
	size_t		n;

	if (cp < 0x80) {
		u[0] = cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = 0xc0 | (cp >> 6);
		u[1] = 0x80 | (cp & 0x3f);
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = 0xe0 | (cp >> 12);
		u[1] = 0x80 | ((cp >> 6) & 0x3f);
		u[2] = 0x80 | (cp & 0x3f);
		n = 3;
	} else {
		u[0] = 0xf0 | (cp >> 18);
		u[1] = 0x80 | ((cp >> 12) & 0x3f);
		u[2] = 0x80 | ((cp >> 6) & 0x3f);
		u[3] = 0x80 | (cp & 0x3f);
		n = 4;
	}
	if (jr_str_room(jr, n, at) == -1)
		return -1;
	memcpy(jr->str + jr->slen, u, n);
	jr->slen += n;
	return 0;
}

/*
 * Decode a \u escape starting at the backslash at p (RFC 8259 section
 * 7): a surrogate pair becomes one code point; a lone surrogate is an
 * error (it has no UTF-8 form).  Returns the bytes consumed, or 0.
 */
static size_t
jr_unicode_escape(struct jsonread *jr, size_t p)
{
	long	hi, lo;

	if ((hi = jr_hex4(jr, p + 2)) < 0) {
		jr_fail(jr, p, "bad \\u escape");
		return 0;
	}
	if (hi >= 0xdc00 && hi <= 0xdfff) {
		jr_fail(jr, p, "lone low surrogate \\u%04lx", hi);
		return 0;
	}
	if (hi < 0xd800 || hi > 0xdbff)
		return jr_put_utf8(jr, hi, p) == 0 ? 6 : 0;
	if (jr->len - p < 12 || jr->buf[p + 6] != '\\' ||
	    jr->buf[p + 7] != 'u' || (lo = jr_hex4(jr, p + 8)) < 0 ||
	    lo < 0xdc00 || lo > 0xdfff) {
		jr_fail(jr, p, "lone high surrogate \\u%04lx", hi);
		return 0;
	}
	if (jr_put_utf8(jr, 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00),
	    p) == -1)
		return 0;
	return 12;
}

/*
 * Length of the valid UTF-8 sequence (RFC 3629 section 4: no overlong
 * forms, no surrogates, nothing above U+10FFFF) starting at p, or 0.
 */
static size_t
jr_utf8_len(const struct jsonread *jr, size_t p)
{
	const unsigned char	*b = jr->buf + p;
	size_t			 avail = jr->len - p, n, i;
	unsigned char		 lo = 0x80, hi = 0xbf;

	if (b[0] >= 0xc2 && b[0] <= 0xdf)
		n = 2;
	else if (b[0] >= 0xe0 && b[0] <= 0xef) {
		n = 3;
		if (b[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (b[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (b[0] >= 0xf0 && b[0] <= 0xf4) {
		n = 4;
		if (b[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (b[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (avail < n || b[1] < lo || b[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (b[i] < 0x80 || b[i] > 0xbf)
			return 0;
	return n;
}

/* Decode one escape at p into the string; returns bytes consumed or 0. */
static size_t
jr_escape(struct jsonread *jr, size_t p)
{
	char	c;

	if (p + 1 >= jr->len) {
		jr_fail(jr, p, "unterminated string");
		return 0;
	}
	switch (jr->buf[p + 1]) {
	case '"':	c = '"'; break;
	case '\\':	c = '\\'; break;
	case '/':	c = '/'; break;
	case 'b':	c = '\b'; break;
	case 'f':	c = '\f'; break;
	case 'n':	c = '\n'; break;
	case 'r':	c = '\r'; break;
	case 't':	c = '\t'; break;
	case 'u':
		return jr_unicode_escape(jr, p);
	default:
		jr_fail(jr, p, "bad escape");
		return 0;
	}
	if (jr_str_room(jr, 1, p) == -1)
		return 0;
	jr->str[jr->slen++] = c;
	return 2;
}

/*
 * Decode the string whose opening quote is at pos into jr->str; leaves
 * pos after the closing quote.  Returns 0 or -1 (error set).
 */
static int
jr_string_parse(struct jsonread *jr)
{
	const unsigned char	*b = jr->buf;
	size_t			 p = jr->pos + 1, run, n;

	jr->slen = 0;
	for (;;) {
		/* Copy plain ASCII in one go: the common case. */
		run = p;
		while (run < jr->len && b[run] != '"' && b[run] != '\\' &&
		    b[run] >= 0x20 && b[run] < 0x80)
			run++;
		if (run > p) {
			if (jr_str_room(jr, run - p, p) == -1)
				return -1;
			memcpy(jr->str + jr->slen, b + p, run - p);
			jr->slen += run - p;
			p = run;
		}
		if (p >= jr->len)
			return jr_fail(jr, jr->pos, "unterminated string"), -1;
		if (b[p] == '"')
			break;
		if (b[p] == '\\') {
			if ((n = jr_escape(jr, p)) == 0)
				return -1;
		} else if (b[p] < 0x20) {
			return jr_fail(jr, p, "control character 0x%02x in string",
			    b[p]), -1;
		} else {
			if ((n = jr_utf8_len(jr, p)) == 0)
				return jr_fail(jr, p, "invalid UTF-8"), -1;
			if (jr_str_room(jr, n, p) == -1)
				return -1;
			memcpy(jr->str + jr->slen, b + p, n);
			jr->slen += n;
		}
		p += n;
	}
	jr->str[jr->slen] = '\0';
	jr->pos = p + 1;
	return 0;
}

/* Parse the number at pos (RFC 8259 section 6).  Returns 0 or -1. */
static int
jr_number_parse(struct jsonread *jr)
{
	const unsigned char	*b = jr->buf;
	size_t			 p = jr->pos, n = jr->len;
	uint64_t		 mag = 0;
	int			 neg = 0, big = 0, frac = 0;

	if (b[p] == '-') {
		neg = 1;
		p++;
	}
	if (p >= n || b[p] < '0' || b[p] > '9')
		return jr_fail(jr, p, "digit expected"), -1;
	if (b[p] == '0') {
		p++;
		if (p < n && b[p] >= '0' && b[p] <= '9')
			return jr_fail(jr, p, "leading zero"), -1;
	} else {
		for (; p < n && b[p] >= '0' && b[p] <= '9'; p++) {
			if (mag > (UINT64_MAX - (b[p] - '0')) / 10)
				big = 1;
			else
				mag = mag * 10 + (b[p] - '0');
		}
	}
	if (p < n && b[p] == '.') {
		frac = 1;
		if (++p >= n || b[p] < '0' || b[p] > '9')
			return jr_fail(jr, p, "digit expected after '.'"), -1;
		while (p < n && b[p] >= '0' && b[p] <= '9')
			p++;
	}
	if (p < n && (b[p] == 'e' || b[p] == 'E')) {
		frac = 1;
		p++;
		if (p < n && (b[p] == '+' || b[p] == '-'))
			p++;
		if (p >= n || b[p] < '0' || b[p] > '9')
			return jr_fail(jr, p, "digit expected in exponent"), -1;
		while (p < n && b[p] >= '0' && b[p] <= '9')
			p++;
	}
	memset(&jr->num, 0, sizeof(jr->num));
	jr->num.text = (const char *)b + jr->pos;
	jr->num.len = p - jr->pos;
	jr->pos = p;
	if (frac)
		jr->num.kind = JR_NUM_FRAC;
	else if (big)
		jr->num.kind = JR_NUM_BIG;
	else if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			jr->num.kind = JR_NUM_BIG;
		else {
			jr->num.kind = JR_NUM_INT;
			jr->num.i = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
			    -(int64_t)mag;
		}
	} else if (mag > INT64_MAX) {
		jr->num.kind = JR_NUM_UINT;
		jr->num.u = mag;
	} else {
		jr->num.kind = JR_NUM_INT;
		jr->num.i = (int64_t)mag;
		jr->num.u = mag;
	}
	return 0;
}

/* The state after a complete value at the current depth. */
static void
jr_after_value(struct jsonread *jr)
{
	jr->state = jr->depth == 0 ? ST_END : ST_COMMA_OR_CLOSE;
}

static enum jr_token
jr_open(struct jsonread *jr, unsigned char c)
{
	if (jr->depth >= jr->max_depth)
		return jr_fail(jr, jr->pos, "nesting deeper than %zu",
		    jr->max_depth);
	jr->stack[jr->depth++] = c;
	jr->pos++;
	if (c == '{') {
		jr->state = ST_KEY_OR_CLOSE;
		return JR_OBJECT_BEGIN;
	}
	jr->state = ST_VALUE_OR_CLOSE;
	return JR_ARRAY_BEGIN;
}

static enum jr_token
jr_close(struct jsonread *jr)
{
	unsigned char	c = jr->stack[--jr->depth];

	jr->pos++;
	jr_after_value(jr);
	return c == '{' ? JR_OBJECT_END : JR_ARRAY_END;
}

/* Match the literal word at pos. */
static enum jr_token
jr_literal(struct jsonread *jr, const char *word, enum jr_token t)
{
	size_t	n = strlen(word);

	if (jr->len - jr->pos < n || memcmp(jr->buf + jr->pos, word, n) != 0)
		return jr_fail(jr, jr->pos, "invalid literal");
	jr->pos += n;
	jr_after_value(jr);
	return t;
}

/* Parse any value at pos (whitespace already skipped). */
static enum jr_token
jr_value(struct jsonread *jr)
{
	unsigned char	c;

	if (jr->pos >= jr->len)
		return jr_fail(jr, jr->pos, "unexpected end of input");
	c = jr->buf[jr->pos];
	switch (c) {
	case '{':
	case '[':
		return jr_open(jr, c);
	case '"':
		if (jr_string_parse(jr) == -1)
			return JR_ERROR;
		jr_after_value(jr);
		return JR_STRING;
	case 't':
		return jr_literal(jr, "true", JR_TRUE);
	case 'f':
		return jr_literal(jr, "false", JR_FALSE);
	case 'n':
		return jr_literal(jr, "null", JR_NULL);
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			if (jr_number_parse(jr) == -1)
				return JR_ERROR;
			jr_after_value(jr);
			return JR_NUMBER;
		}
		return jr_fail(jr, jr->pos, "unexpected character '%c'",
		    c >= 0x20 && c < 0x7f ? c : '?');
	}
}

/* Parse a key and its colon at pos (whitespace already skipped). */
static enum jr_token
jr_key(struct jsonread *jr)
{
	if (jr->pos >= jr->len)
		return jr_fail(jr, jr->pos, "unexpected end of input");
	if (jr->buf[jr->pos] != '"')
		return jr_fail(jr, jr->pos, "key expected");
	if (jr_string_parse(jr) == -1)
		return JR_ERROR;
	jr_skip_ws(jr);
	if (jr->pos >= jr->len || jr->buf[jr->pos] != ':')
		return jr_fail(jr, jr->pos, "':' expected");
	jr->pos++;
	jr->state = ST_VALUE;
	return JR_KEY;
}

static enum jr_token
jr_next_token(struct jsonread *jr)
{
	unsigned char	c, top;

	jr_skip_ws(jr);
	jr->tok_line = jr->line;
	jr->tok_col = jr->pos - jr->line_start + 1;
	switch (jr->state) {
	case ST_VALUE:
		return jr_value(jr);
	case ST_VALUE_OR_CLOSE:
		if (jr->pos < jr->len && jr->buf[jr->pos] == ']')
			return jr_close(jr);
		return jr_value(jr);
	case ST_KEY_OR_CLOSE:
		if (jr->pos < jr->len && jr->buf[jr->pos] == '}')
			return jr_close(jr);
		return jr_key(jr);
	case ST_KEY:
		return jr_key(jr);
	case ST_COMMA_OR_CLOSE:
		top = jr->stack[jr->depth - 1];
		if (jr->pos >= jr->len)
			return jr_fail(jr, jr->pos, "unexpected end of input");
		c = jr->buf[jr->pos];
		if ((c == '}' && top == '{') || (c == ']' && top == '['))
			return jr_close(jr);
		if (c != ',')
			return jr_fail(jr, jr->pos, "',' or '%c' expected",
			    top == '{' ? '}' : ']');
		jr->pos++;
		jr_skip_ws(jr);
		jr->tok_line = jr->line;
		jr->tok_col = jr->pos - jr->line_start + 1;
		if (top == '{')
			return jr_key(jr);
		/* RFC 8259 section 5: no trailing comma before ']'. */
		return jr_value(jr);
	case ST_END:
		if (jr->pos != jr->len)
			return jr_fail(jr, jr->pos, "data after the document");
		jr->state = ST_DONE;
		return JR_END;
	case ST_DONE:
	default:
		return JR_END;
	}
}

/* Returns the next token; see jsonread.h. */
enum jr_token
jr_next(struct jsonread *jr)
{
	if (jr->failed)
		return JR_ERROR;
	jr->last = jr_next_token(jr);
	return jr->last;
}

/* Returns 0 once the value begun by the last token is consumed, -1 on error. */
int
jr_skip(struct jsonread *jr)
{
	enum jr_token	t = jr->last;
	size_t		target;

	if (jr->failed)
		return -1;
	if (t == JR_KEY)
		t = jr_next(jr);
	if (t == JR_ERROR)
		return -1;
	if (t != JR_OBJECT_BEGIN && t != JR_ARRAY_BEGIN)
		return 0;
	target = jr->depth - 1;
	while (jr->depth > target)
		if (jr_next(jr) == JR_ERROR)
			return -1;
	return 0;
}

/* Returns the decoded text of the last key or string, owned by jr. */
const char *
jr_string(const struct jsonread *jr, size_t *len)
{
	if (len != NULL)
		*len = jr->slen;
	return jr->str;
}

/* Returns the last number, owned by jr. */
const struct jr_number *
jr_number(const struct jsonread *jr)
{
	return &jr->num;
}

/* Returns the 1-based line of the last token. */
size_t
jr_line(const struct jsonread *jr)
{
	return jr->tok_line;
}

/* Returns the 1-based byte column of the last token. */
size_t
jr_column(const struct jsonread *jr)
{
	return jr->tok_col;
}

/* Returns the number of open containers. */
size_t
jr_depth(const struct jsonread *jr)
{
	return jr->depth;
}

/* Returns the error text owned by jr, or NULL. */
const char *
jr_error(const struct jsonread *jr)
{
	return jr->failed ? jr->err : NULL;
}

/* Returns a static token name. */
const char *
jr_token_name(enum jr_token t)
{
	switch (t) {
	case JR_ERROR:		return "error";
	case JR_END:		return "end of document";
	case JR_OBJECT_BEGIN:	return "object";
	case JR_OBJECT_END:	return "end of object";
	case JR_ARRAY_BEGIN:	return "array";
	case JR_ARRAY_END:	return "end of array";
	case JR_KEY:		return "key";
	case JR_STRING:		return "string";
	case JR_NUMBER:		return "number";
	case JR_TRUE:		return "true";
	case JR_FALSE:		return "false";
	case JR_NULL:		return "null";
	}
	return "unknown";
}
