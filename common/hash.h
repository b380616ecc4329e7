/*
 * SHA-256 (FIPS 180-4) on OpenSSL's EVP interface, hex conversion of
 * digests and constant-time comparison.
 *
 * Functions returning int give 0 on success and -1 on failure with errno
 * set (EINVAL for bad input, EFBIG for a file over the size limit, EIO
 * when OpenSSL fails, or the errno of a failed system call).
 */
#ifndef REEF_HASH_H
#define REEF_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define HASH_SHA256_LEN		32	/* digest bytes */
#define HASH_SHA256_HEX_LEN	64	/* hex digits, without the NUL */

/* Incremental SHA-256; initialise with hash_sha256_init(). */
struct hash_sha256_ctx {
	EVP_MD_CTX	*md;
};

/* Digest of len bytes at buf into out. */
int	hash_sha256(const void *buf, size_t len,
	    unsigned char out[HASH_SHA256_LEN]);

/*
 * Digest of the whole file at path, read in blocks.  If max is non-zero a
 * file longer than max bytes fails with EFBIG.  *size (may be NULL)
 * receives the number of bytes hashed.
 */
int	hash_sha256_file(const char *path, uint64_t max,
	    unsigned char out[HASH_SHA256_LEN], uint64_t *size);

/* As hash_sha256_file() on an open descriptor, read from its offset to EOF. */
int	hash_sha256_fd(int fd, uint64_t max,
	    unsigned char out[HASH_SHA256_LEN], uint64_t *size);

/*
 * Incremental form: init, any number of updates, then final, which
 * releases the context.  cleanup releases a context abandoned before
 * final (harmless after final or a failed init).
 */
int	hash_sha256_init(struct hash_sha256_ctx *ctx);
int	hash_sha256_update(struct hash_sha256_ctx *ctx, const void *buf,
	    size_t len);
int	hash_sha256_final(struct hash_sha256_ctx *ctx,
	    unsigned char out[HASH_SHA256_LEN]);
void	hash_sha256_cleanup(struct hash_sha256_ctx *ctx);

/*
 * Write the lowercase hex form of len bytes to out, which must hold
 * 2 * len + 1 bytes (NUL-terminated).
 */
void	hash_hex_encode(const unsigned char *in, size_t len, char *out);

/*
 * Decode exactly 2 * outlen hex digits (either case) from the
 * NUL-terminated string hex into out; anything else fails with EINVAL.
 */
int	hash_hex_decode(const char *hex, unsigned char *out, size_t outlen);

/* Compare len bytes in time independent of their content; 1 if equal. */
int	hash_equal(const unsigned char *a, const unsigned char *b, size_t len);

#endif
