/*
 * SHA-256 helpers on OpenSSL EVP, hex and constant-time comparison.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "hash.h"

/* Read size when hashing files. */
#define HASH_READ_BLOCK	(64 * 1024)

static const char hex_digits[] = "0123456789abcdef";

/*
 * SHA-256 fetched once: EVP_sha256() makes OpenSSL look the algorithm up
 * (under a lock) on every digest, which showed in profiles of runs that
 * hash hundreds of thousands of small files.  A constant, not state.
 */
static EVP_MD		*sha256_fetched;
static pthread_once_t	 sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_fetch(void)
{
	sha256_fetched = EVP_MD_fetch(NULL, "SHA2-256", NULL);
}

static const EVP_MD *
sha256_md(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_fetched != NULL ? sha256_fetched : EVP_sha256();
}

/*
 * Start a digest; on failure nothing needs releasing.
 */
int
hash_sha256_init(struct hash_sha256_ctx *ctx)
{
	if ((ctx->md = EVP_MD_CTX_new()) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (!EVP_DigestInit_ex(ctx->md, sha256_md(), NULL)) {
		hash_sha256_cleanup(ctx);
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * Feed len bytes into the digest.
 */
int
hash_sha256_update(struct hash_sha256_ctx *ctx, const void *buf, size_t len)
{
	if (ctx->md == NULL || !EVP_DigestUpdate(ctx->md, buf, len)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * Finish the digest into out and release the context (also on failure).
 */
int
hash_sha256_final(struct hash_sha256_ctx *ctx,
    unsigned char out[HASH_SHA256_LEN])
{
	unsigned int n = 0;
	int ok;

	ok = ctx->md != NULL && EVP_DigestFinal_ex(ctx->md, out, &n) &&
	    n == HASH_SHA256_LEN;
	hash_sha256_cleanup(ctx);
	if (!ok) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * Release the context; safe to call more than once.
 */
void
hash_sha256_cleanup(struct hash_sha256_ctx *ctx)
{
	EVP_MD_CTX_free(ctx->md);
	ctx->md = NULL;
}

/*
 * One-shot digest of a buffer.
 */
int
hash_sha256(const void *buf, size_t len, unsigned char out[HASH_SHA256_LEN])
{
	unsigned int n = 0;

	if (!EVP_Digest(buf, len, out, &n, sha256_md(), NULL) ||
	    n != HASH_SHA256_LEN) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * Digest everything readable from fd, failing with EFBIG beyond max bytes.
 */
int
hash_sha256_fd(int fd, uint64_t max, unsigned char out[HASH_SHA256_LEN],
    uint64_t *size)
{
	struct hash_sha256_ctx ctx;
	unsigned char buf[HASH_READ_BLOCK];
	uint64_t total = 0;
	ssize_t n;
	int saved;

	if (hash_sha256_init(&ctx) == -1)
		return -1;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		total += n;
		if (max != 0 && total > max) {
			errno = EFBIG;
			goto fail;
		}
		if (hash_sha256_update(&ctx, buf, n) == -1)
			goto fail;
	}
	if (size != NULL)
		*size = total;
	return hash_sha256_final(&ctx, out);
fail:
	saved = errno;
	hash_sha256_cleanup(&ctx);
	errno = saved;
	return -1;
}

/*
 * Digest the file at path; see hash_sha256_fd().
 */
int
hash_sha256_file(const char *path, uint64_t max,
    unsigned char out[HASH_SHA256_LEN], uint64_t *size)
{
	int fd, rc, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = hash_sha256_fd(fd, max, out, size);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/*
 * Lowercase hex of in; out holds 2 * len + 1 bytes.
 */
void
hash_hex_encode(const unsigned char *in, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex_digits[in[i] >> 4];
		out[2 * i + 1] = hex_digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parse exactly 2 * outlen hex digits into out.
 */
int
hash_hex_decode(const char *hex, unsigned char *out, size_t outlen)
{
	size_t i;
	int hi, lo;

	if (strlen(hex) != 2 * outlen) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < outlen; i++) {
		hi = hex_value(hex[2 * i]);
		lo = hex_value(hex[2 * i + 1]);
		if (hi == -1 || lo == -1) {
			errno = EINVAL;
			return -1;
		}
		out[i] = hi << 4 | lo;
	}
	return 0;
}

/*
 * Constant-time equality (a digest mismatch must not leak where it differs).
 */
int
hash_equal(const unsigned char *a, const unsigned char *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}
