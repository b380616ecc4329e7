/*
 * Base64 (RFC 4648 section 4, the standard alphabet with '=' padding).
 *
 * Decoding is strict: only alphabet characters, input length a multiple
 * of 4, one or two '=' only at the very end, and the unused low bits of the
 * last character zero (RFC 4648 section 3.5), so every byte string has
 * exactly one accepted encoding.  b64_decode_ws() additionally skips ASCII
 * whitespace anywhere, for TAL files and RRDP elements, which wrap lines.
 *
 * Return values: 0 on success, -1 on error with errno set to EINVAL
 * (malformed input), EOVERFLOW (size not representable) or ENOMEM.
 */
#ifndef REEF_B64_H
#define REEF_B64_H

#include <stddef.h>

/* Encoded length of inlen bytes (without the NUL); -1 (EOVERFLOW) if too big. */
int	b64_encoded_len(size_t inlen, size_t *outlen);

/* Upper bound of the decoded length of inlen characters. */
size_t	b64_decoded_maxlen(size_t inlen);

/*
 * Encode inlen bytes into a new NUL-terminated string *out (caller frees);
 * *outlen (may be NULL) receives its length without the NUL.
 */
int	b64_encode(const void *in, size_t inlen, char **out, size_t *outlen);

/*
 * Decode inlen characters (not necessarily NUL-terminated) strictly into a
 * new buffer *out (caller frees; never NULL on success, even when empty) of
 * *outlen bytes.  On error *out is NULL.
 */
int	b64_decode(const char *in, size_t inlen, unsigned char **out,
	    size_t *outlen);

/* As b64_decode(), but space, tab, CR, LF, VT and FF are ignored. */
int	b64_decode_ws(const char *in, size_t inlen, unsigned char **out,
	    size_t *outlen);

#endif
