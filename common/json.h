/*
 * A streaming JSON (RFC 8259) writer to a FILE * or a growing buffer.
 *
 * The writer tracks nesting, commas and keys itself and refuses misuse
 * instead of writing invalid JSON: a value in an object without a key, a
 * key outside an object or twice in a row, a close that does not match
 * the open container, a second top-level value, nesting deeper than
 * MAX_JSON_DEPTH.  The first error (misuse, out of memory, or a failed
 * write to the FILE) is sticky: every later call fails too, and
 * json_finish() reports it.  Calls return 0 on success and -1 on error.
 *
 * Strings are taken as UTF-8.  '"', '\\' and control characters are
 * escaped (\n, \t etc. where JSON has a short form, else \u00XX; DEL as
 * \u007f).  Invalid UTF-8 (stray continuation bytes, overlong forms,
 * surrogates, code points above U+10FFFF, truncated sequences) is not
 * rejected: each maximal invalid subsequence is replaced by U+FFFD, so
 * names taken from untrusted repositories always yield valid output.
 *
 * Layout: compact ("{"a":1,"b":[true]}") or, with JSON_PRETTY, two-space
 * indentation, "key": value, one member or element per line, empty
 * containers as {} and [], and a final newline written by json_finish().
 *
 * A FILE writer keeps the text in a buffer of its own (64 KiB) and hands
 * it to the FILE with fwrite() when the buffer is full, in json_finish()
 * and in json_free(), so a write error may show at a later call than the
 * one that produced the text, at the latest in json_finish().  The
 * caller must not write to the FILE itself between json_new_file() and
 * json_finish() or json_free().
 */
#ifndef REEF_JSON_H
#define REEF_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_PRETTY	0x01	/* indent with two spaces per level */

struct json;

/* A writer appending to fp (not owned, not closed); NULL on ENOMEM. */
struct json	*json_new_file(FILE *fp, int flags);

/* A writer collecting the text in memory (see json_buffer()); NULL on ENOMEM. */
struct json	*json_new_buffer(int flags);

/*
 * Free the writer (and its buffer); NULL is accepted.  A FILE writer
 * first hands the FILE the text it still holds (without fflush()), so
 * the FILE has everything the calls wrote even without json_finish(),
 * unless a write had failed.  errno is left unchanged.
 */
void		 json_free(struct json *j);

/*
 * Hand a FILE writer's text so far to the FILE (without fflush()), so
 * that ftello() on it tells how much was written: 0, or -1 once any
 * call failed.  A buffer writer has nothing to hand.
 */
int		 json_flush(struct json *j);

/*
 * The number of bytes written so far (a FILE writer's, from where it
 * started): those handed to the FILE, those still buffered and those
 * json_splice() counted.
 */
uint64_t	 json_offset(const struct json *j);

/*
 * For a FILE writer whose innermost container is an array: the caller
 * appends to the FILE itself, right after this call, len bytes of
 * elements of that array as the writer lays them out, each after its
 * separator and the first without a comma (as a first element is).
 * Writes the comma they need, hands the text so far to the FILE and
 * counts them (one element as far as separators go).  0, or -1.
 */
int		 json_splice(struct json *j, uint64_t len);

/*
 * In pretty mode, lay out the contents of containers that lie depth or
 * more levels deep (the members of the top-level value lie 1 deep)
 * compactly, on the line where the container starts: with depth 3, the
 * elements of the arrays of a top-level object take one line each.  0 (the default): every level on lines.  Call it
 * before writing.
 */
void		 json_flat_from(struct json *j, size_t depth);

int		 json_object_begin(struct json *j);
int		 json_object_end(struct json *j);
int		 json_array_begin(struct json *j);
int		 json_array_end(struct json *j);

/* The key of the next member; only directly inside an object. */
int		 json_key(struct json *j, const char *key);

/* Values: in an array, after a key, or as the single top-level value. */
int		 json_string(struct json *j, const char *s);
int		 json_string_len(struct json *j, const char *s, size_t len);
int		 json_int(struct json *j, int64_t v);
int		 json_uint(struct json *j, uint64_t v);
int		 json_bool(struct json *j, int v);
int		 json_null(struct json *j);

/*
 * Key and value in one call (json_kv_string_len(): a string of len
 * bytes, as json_string_len()).  Members whose key and value need no
 * escape are written in one piece, so these are cheaper than the two
 * calls.
 */
int		 json_kv_string(struct json *j, const char *key, const char *s);
int		 json_kv_string_len(struct json *j, const char *key, const char *s,
		    size_t len);
int		 json_kv_int(struct json *j, const char *key, int64_t v);
int		 json_kv_uint(struct json *j, const char *key, uint64_t v);
int		 json_kv_bool(struct json *j, const char *key, int v);

/*
 * Check that exactly one complete top-level value was written, write the
 * final newline in pretty mode, hand a FILE writer's text to the FILE and
 * fflush() it.  Returns -1 if any call failed, the document is incomplete
 * or a write or fflush() failed.
 */
int		 json_finish(struct json *j);

/* Non-zero once an error has occurred. */
int		 json_failed(const struct json *j);

/*
 * The text of a buffer writer so far, NUL-terminated, owned by j (valid
 * until the next call on j); *len (may be NULL) gets its length.  NULL for
 * a FILE writer.
 */
const char	*json_buffer(const struct json *j, size_t *len);

#endif
