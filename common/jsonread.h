/*
 * A strict, bounded pull reader for JSON (RFC 8259) held in memory (for
 * example an mmap'd file).
 *
 * The caller asks for one token at a time with jr_next(); the reader
 * checks the grammar as it goes (commas, colons, matching brackets,
 * exactly one top-level value, nothing but whitespace after it) so a
 * caller never sees a token sequence that is not the prefix of a valid
 * document.  Strictness beyond the grammar: no byte order mark, no
 * comments, no trailing commas, no leading zeros or '+' in numbers,
 * control characters in strings rejected, invalid UTF-8 rejected, \u
 * escapes decoded to UTF-8 with surrogate pairs joined and lone
 * surrogates (escaped or not) rejected.  Nesting deeper than the
 * configured depth and strings longer than the configured length are
 * errors, so memory use is bounded whatever the input.  Duplicate keys
 * are left for the caller to detect.
 *
 * After an error every later jr_next() returns JR_ERROR again; jr_error()
 * gives "line:column: reason" (both 1-based, columns counting bytes).
 */
#ifndef REEF_JSONREAD_H
#define REEF_JSONREAD_H

#include <stddef.h>
#include <stdint.h>

enum jr_token {
	JR_ERROR = -1,
	JR_END = 0,		/* the document is complete */
	JR_OBJECT_BEGIN,
	JR_OBJECT_END,
	JR_ARRAY_BEGIN,
	JR_ARRAY_END,
	JR_KEY,			/* text in jr_string() */
	JR_STRING,		/* text in jr_string() */
	JR_NUMBER,		/* value in jr_number() */
	JR_TRUE,
	JR_FALSE,
	JR_NULL
};

/* How a number token reads. */
enum jr_numkind {
	JR_NUM_INT = 1,		/* integer in int64 range: i (and u if >= 0) */
	JR_NUM_UINT,		/* integer above INT64_MAX within uint64: u */
	JR_NUM_BIG,		/* integer beyond both ranges */
	JR_NUM_FRAC		/* has a fraction or an exponent */
};

struct jr_number {
	enum jr_numkind	 kind;
	int64_t		 i;
	uint64_t	 u;
	const char	*text;	/* the token as written, not NUL-terminated */
	size_t		 len;
};

struct jsonread;

/*
 * A reader over len bytes at buf (not copied: buf must outlive the
 * reader), allowing max_depth nested containers (at least 1) and strings
 * and keys of up to max_string bytes once decoded.  Returns NULL on
 * allocation failure or a zero limit.  Free with jr_free().
 */
struct jsonread	*jr_new(const char *buf, size_t len, size_t max_depth,
		    size_t max_string);

/* NULL is allowed. */
void		 jr_free(struct jsonread *jr);

/* Returns the next token (JR_END once the document is complete). */
enum jr_token	 jr_next(struct jsonread *jr);

/*
 * Skip the rest of the value whose first token was just returned (a
 * whole object or array after its BEGIN, nothing after a scalar); after a
 * JR_KEY, skip that member's value.  Returns 0, or -1 on error.
 */
int		 jr_skip(struct jsonread *jr);

/*
 * The decoded text of the last JR_KEY or JR_STRING: NUL-terminated
 * UTF-8 owned by the reader, valid until the next jr_next()/jr_skip().
 * It may contain NUL bytes (from \u0000): *len (may be NULL) gets the
 * full length.
 */
const char	*jr_string(const struct jsonread *jr, size_t *len);

/* The last JR_NUMBER, valid until the next call. */
const struct jr_number *jr_number(const struct jsonread *jr);

/* Line and column (1-based) of the first byte of the last token. */
size_t		 jr_line(const struct jsonread *jr);
size_t		 jr_column(const struct jsonread *jr);

/* Current container depth (0 at top level). */
size_t		 jr_depth(const struct jsonread *jr);

/* "line:column: reason" of the first error, or NULL if none. */
const char	*jr_error(const struct jsonread *jr);

/* Returns a static name of a token ("object begin", "string", ...). */
const char	*jr_token_name(enum jr_token t);

#endif
