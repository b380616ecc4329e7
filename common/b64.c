/*
 * Strict base64 per RFC 4648.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of an alphabet character, or -1. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int
is_b64_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

/*
 * Compute 4 * ceil(inlen / 3), failing if it (plus a NUL) overflows.
 */
int
b64_encoded_len(size_t inlen, size_t *outlen)
{
	size_t groups = inlen / 3 + (inlen % 3 != 0);

	if (groups > (SIZE_MAX - 1) / 4) {
		errno = EOVERFLOW;
		return -1;
	}
	*outlen = groups * 4;
	return 0;
}

/*
 * Return the most bytes inlen base64 characters can decode to.
 */
size_t
b64_decoded_maxlen(size_t inlen)
{
	return inlen / 4 * 3 + (inlen % 4 != 0 ? 3 : 0);
}

/*
 * Encode; *out is a new NUL-terminated string owned by the caller.
 */
int
b64_encode(const void *in, size_t inlen, char **out, size_t *outlen)
{
	const unsigned char *p = in;
	size_t len, i, o = 0;
	uint32_t v;
	char *s;

	*out = NULL;
	if (b64_encoded_len(inlen, &len) == -1)
		return -1;
	if ((s = malloc(len + 1)) == NULL)
		return -1;
	for (i = 0; i + 3 <= inlen; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		s[o++] = b64_alphabet[v >> 18];
		s[o++] = b64_alphabet[(v >> 12) & 0x3f];
		s[o++] = b64_alphabet[(v >> 6) & 0x3f];
		s[o++] = b64_alphabet[v & 0x3f];
	}
	if (inlen - i == 1) {
		v = (uint32_t)p[i] << 16;
		s[o++] = b64_alphabet[v >> 18];
		s[o++] = b64_alphabet[(v >> 12) & 0x3f];
		s[o++] = '=';
		s[o++] = '=';
	} else if (inlen - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		s[o++] = b64_alphabet[v >> 18];
		s[o++] = b64_alphabet[(v >> 12) & 0x3f];
		s[o++] = b64_alphabet[(v >> 6) & 0x3f];
		s[o++] = '=';
	}
	s[o] = '\0';
	*out = s;
	if (outlen != NULL)
		*outlen = o;
	return 0;
}

/*
 * Decode one 4-character quantum into out; '=' padding is allowed only in
 * the last one.  Returns the number of bytes written, or -1 if malformed.
 */
static int
decode_quantum(const unsigned char *q, int last, unsigned char *out)
{
	int v[4], i, npad = 0;

	for (i = 0; i < 4; i++) {
		if (q[i] == '=' && last && i >= 2) {
			npad++;
			v[i] = 0;
			continue;
		}
		/* No data may follow a pad character. */
		if (npad > 0 || (v[i] = b64_value(q[i])) == -1)
			return -1;
	}
	/* RFC 4648 section 3.5: the bits dropped by padding must be zero. */
	if (npad == 2 && (v[1] & 0x0f) != 0)
		return -1;
	if (npad == 1 && (v[2] & 0x03) != 0)
		return -1;
	out[0] = v[0] << 2 | v[1] >> 4;
	if (npad == 2)
		return 1;
	out[1] = (v[1] & 0x0f) << 4 | v[2] >> 2;
	if (npad == 1)
		return 2;
	out[2] = (v[2] & 0x03) << 6 | v[3];
	return 3;
}

/*
 * Strictly decode; *out is a new buffer owned by the caller.
 */
int
b64_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	unsigned char *buf;
	size_t i, o = 0;
	int n;

	*out = NULL;
	*outlen = 0;
	if (inlen % 4 != 0) {
		errno = EINVAL;
		return -1;
	}
	/* One spare byte so an empty result is still a valid allocation. */
	if ((buf = malloc(inlen / 4 * 3 + 1)) == NULL)
		return -1;
	for (i = 0; i < inlen; i += 4) {
		n = decode_quantum(p + i, i + 4 == inlen, buf + o);
		if (n == -1) {
			free(buf);
			errno = EINVAL;
			return -1;
		}
		o += n;
	}
	*out = buf;
	*outlen = o;
	return 0;
}

/*
 * Decode, skipping whitespace; *out is a new buffer owned by the caller.
 */
int
b64_decode_ws(const char *in, size_t inlen, unsigned char **out,
    size_t *outlen)
{
	char *compact;
	size_t i, n = 0;
	int rc, saved;

	*out = NULL;
	*outlen = 0;
	if ((compact = malloc(inlen + 1)) == NULL)
		return -1;
	for (i = 0; i < inlen; i++)
		if (!is_b64_space((unsigned char)in[i]))
			compact[n++] = in[i];
	rc = b64_decode(compact, n, out, outlen);
	saved = errno;
	free(compact);
	errno = saved;
	return rc;
}
