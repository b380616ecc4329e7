/*
 * Small helpers: buffers, files, hex, base64, hashing, allocation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "repogen.h"

/*
 * Allocation failures are fatal: a test generator has nothing to recover.
 */
void *
rg_xcalloc(size_t n, size_t sz)
{
	void	*p;

	if ((p = calloc(n ? n : 1, sz ? sz : 1)) == NULL) {
		perror("calloc");
		exit(1);
	}
	return p;
}

/*
 * Returns p resized to n * sz bytes (overflow checked); exits on failure.
 */
void *
rg_xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz) {
		fprintf(stderr, "reef-repogen: allocation overflow\n");
		exit(1);
	}
	if ((p = realloc(p, n * sz > 0 ? n * sz : 1)) == NULL) {
		perror("realloc");
		exit(1);
	}
	return p;
}

/*
 * Returns a copy of s the caller frees; exits on failure.
 */
char *
rg_xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL) {
		perror("strdup");
		exit(1);
	}
	return p;
}

/*
 * Append len bytes to b, growing it geometrically.
 */
void
rg_buf_add(struct buf *b, const void *p, size_t len)
{
	if (b->len + len > b->cap) {
		size_t	ncap = b->cap ? b->cap : 256;

		while (ncap < b->len + len)
			ncap *= 2;
		b->p = rg_xreallocarray(b->p, ncap, 1);
		b->cap = ncap;
	}
	if (len > 0)
		memcpy(b->p + b->len, p, len);
	b->len += len;
}

/*
 * Free b's storage and leave it empty and reusable.
 */
void
rg_buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/*
 * Create path and its parents.  Returns 0, or -1 with a message.
 */
int
rg_mkdir_p(const char *path)
{
	char	 tmp[RG_MAX_PATH];
	char	*p;

	if (strlen(path) >= sizeof(tmp)) {
		fprintf(stderr, "reef-repogen: path too long: %s\n", path);
		return -1;
	}
	strcpy(tmp, path);
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
		goto fail;
	return 0;
 fail:
	fprintf(stderr, "reef-repogen: mkdir %s: %s\n", tmp, strerror(errno));
	return -1;
}

/*
 * Write len bytes to path (created or truncated).  Returns 0, or -1 with a
 * message.
 */
int
rg_write_file(const char *path, const uint8_t *p, size_t len)
{
	int	 fd, rc = -1;
	ssize_t	 n;
	size_t	 off = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		goto out;
	while (off < len) {
		if ((n = write(fd, p + off, len - off)) <= 0)
			goto out;
		off += (size_t)n;
	}
	rc = 0;
 out:
	if (rc == -1)
		fprintf(stderr, "reef-repogen: write %s: %s\n", path,
		    strerror(errno));
	if (fd != -1 && close(fd) == -1 && rc == 0) {
		fprintf(stderr, "reef-repogen: close %s: %s\n", path,
		    strerror(errno));
		rc = -1;
	}
	return rc;
}

/*
 * Lowercase hex of p into out, which must hold 2 * len + 1 bytes.
 */
void
rg_hexify(const uint8_t *p, size_t len, char *out)
{
	static const char	 hx[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

/*
 * Returns a newly allocated base64 string (no line breaks) of p; the caller
 * frees it.
 */
char *
rg_b64_encode(const uint8_t *p, size_t len)
{
	char	*out;

	out = rg_xcalloc(4 * ((len + 2) / 3) + 1, 1);
	EVP_EncodeBlock((unsigned char *)out, p, (int)len);
	return out;
}

/*
 * A file or directory name of len - 1 hex characters drawn from r.
 */
void
rg_rand_name(struct prng *r, char *out, size_t len)
{
	uint8_t	 raw[RG_NAME_LEN / 2];
	size_t	 i, n = (len - 1) / 2;

	if (n > sizeof(raw))
		n = sizeof(raw);
	for (i = 0; i < n; i++)
		raw[i] = (uint8_t)rg_prng_next(r);
	rg_hexify(raw, n, out);
}

/*
 * SHA-256 of p into md (32 bytes).
 */
void
rg_sha256(const uint8_t *p, size_t len, uint8_t *md)
{
	SHA256(p, len, md);
}

/*
 * snprintf that fails loudly on truncation (URIs must never be cut short).
 * Returns 0 or -1.
 */
int
rg_uri_printf(char *out, size_t sz, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(out, sz, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sz) {
		fprintf(stderr, "reef-repogen: string too long\n");
		exit(1);
	}
	return 0;
}
