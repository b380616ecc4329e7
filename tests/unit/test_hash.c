/*
 * Tests for common/hash.c: FIPS 180-2 SHA-256 vectors through every entry
 * point, file limits, hex conversion and comparison.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/hash.h"
#include "suite.h"
#include "util.h"

#define MILLION		1000000

/* FIPS 180-2 appendix B. */
static const char abc_hex[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char empty_hex[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char msg448[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char msg448_hex[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char million_a_hex[] =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static int
digest_is(const unsigned char d[HASH_SHA256_LEN], const char *hex)
{
	char buf[HASH_SHA256_HEX_LEN + 1];

	hash_hex_encode(d, HASH_SHA256_LEN, buf);
	return strcmp(buf, hex) == 0;
}

static void
test_hash_vectors(void)
{
	unsigned char d[HASH_SHA256_LEN];

	CU_ASSERT_EQUAL(hash_sha256("abc", 3, d), 0);
	CU_ASSERT_TRUE(digest_is(d, abc_hex));
	CU_ASSERT_EQUAL(hash_sha256("", 0, d), 0);
	CU_ASSERT_TRUE(digest_is(d, empty_hex));
	CU_ASSERT_EQUAL(hash_sha256(msg448, strlen(msg448), d), 0);
	CU_ASSERT_TRUE(digest_is(d, msg448_hex));
}

static void
test_hash_incremental(void)
{
	struct hash_sha256_ctx ctx;
	unsigned char d[HASH_SHA256_LEN], chunk[1000];
	size_t i, off;

	/* The 448-bit message in uneven pieces. */
	CU_ASSERT_EQUAL_FATAL(hash_sha256_init(&ctx), 0);
	for (off = 0, i = 1; off < strlen(msg448); off += i, i++) {
		size_t n = strlen(msg448) - off < i ? strlen(msg448) - off : i;

		CU_ASSERT_EQUAL(hash_sha256_update(&ctx, msg448 + off, n), 0);
	}
	CU_ASSERT_EQUAL(hash_sha256_final(&ctx, d), 0);
	CU_ASSERT_TRUE(digest_is(d, msg448_hex));
	CU_ASSERT_PTR_NULL(ctx.md);

	/* One million 'a' (FIPS 180-2 B.3). */
	memset(chunk, 'a', sizeof(chunk));
	CU_ASSERT_EQUAL_FATAL(hash_sha256_init(&ctx), 0);
	for (i = 0; i < MILLION / sizeof(chunk); i++)
		CU_ASSERT_EQUAL(hash_sha256_update(&ctx, chunk, sizeof(chunk)),
		    0);
	CU_ASSERT_EQUAL(hash_sha256_final(&ctx, d), 0);
	CU_ASSERT_TRUE(digest_is(d, million_a_hex));

	/* Used after final, or after cleanup: an error, not a crash. */
	errno = 0;
	CU_ASSERT_EQUAL(hash_sha256_update(&ctx, "x", 1), -1);
	CU_ASSERT_EQUAL(errno, EIO);
	CU_ASSERT_EQUAL(hash_sha256_final(&ctx, d), -1);
	CU_ASSERT_EQUAL_FATAL(hash_sha256_init(&ctx), 0);
	CU_ASSERT_EQUAL(hash_sha256_update(&ctx, "abc", 3), 0);
	hash_sha256_cleanup(&ctx);
	hash_sha256_cleanup(&ctx);
	CU_ASSERT_PTR_NULL(ctx.md);
}

static void
test_hash_file(void)
{
	char *dir = tu_tmpdir("hash"), *path, *big;
	unsigned char d[HASH_SHA256_LEN];
	uint64_t size = 0;
	int fd;

	CU_ASSERT_FATAL(dir != NULL);
	path = tu_asprintf("%s/f", dir);
	CU_ASSERT_FATAL(tu_write_file(path, "abc", 3) == 0);
	CU_ASSERT_EQUAL(hash_sha256_file(path, 0, d, &size), 0);
	CU_ASSERT_TRUE(digest_is(d, abc_hex));
	CU_ASSERT_EQUAL(size, 3);
	CU_ASSERT_EQUAL(hash_sha256_file(path, 3, d, NULL), 0);
	errno = 0;
	CU_ASSERT_EQUAL(hash_sha256_file(path, 2, d, &size), -1);
	CU_ASSERT_EQUAL(errno, EFBIG);

	/* Larger than one read block. */
	big = malloc(MILLION);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'a', MILLION);
	CU_ASSERT_FATAL(tu_write_file(path, big, MILLION) == 0);
	CU_ASSERT_EQUAL(hash_sha256_file(path, MILLION, d, &size), 0);
	CU_ASSERT_TRUE(digest_is(d, million_a_hex));
	CU_ASSERT_EQUAL(size, MILLION);
	CU_ASSERT_EQUAL(hash_sha256_file(path, MILLION - 1, d, &size), -1);
	CU_ASSERT_EQUAL(errno, EFBIG);
	free(big);

	/* Empty file. */
	CU_ASSERT_FATAL(tu_write_file(path, "", 0) == 0);
	CU_ASSERT_EQUAL(hash_sha256_file(path, 0, d, &size), 0);
	CU_ASSERT_TRUE(digest_is(d, empty_hex));
	CU_ASSERT_EQUAL(size, 0);

	/* From the current offset of a descriptor. */
	CU_ASSERT_FATAL(tu_write_file(path, "xxabc", 5) == 0);
	fd = open(path, O_RDONLY);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL(lseek(fd, 2, SEEK_SET), 2);
	CU_ASSERT_EQUAL(hash_sha256_fd(fd, 0, d, &size), 0);
	CU_ASSERT_TRUE(digest_is(d, abc_hex));
	CU_ASSERT_EQUAL(size, 3);
	close(fd);
	CU_ASSERT_EQUAL(hash_sha256_fd(fd, 0, d, &size), -1);
	CU_ASSERT_EQUAL(errno, EBADF);

	free(path);
	path = tu_asprintf("%s/missing", dir);
	CU_ASSERT_EQUAL(hash_sha256_file(path, 0, d, NULL), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	/* A directory cannot be read. */
	CU_ASSERT_EQUAL(hash_sha256_file(dir, 0, d, NULL), -1);
	CU_ASSERT_EQUAL(errno, EISDIR);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void
test_hash_hex(void)
{
	unsigned char d[HASH_SHA256_LEN], b[4];
	char out[9];
	char upper[HASH_SHA256_HEX_LEN + 1];
	size_t i;

	hash_hex_encode((const unsigned char *)"\x00\x9f\xa0\xff", 4, out);
	CU_ASSERT_STRING_EQUAL(out, "009fa0ff");
	hash_hex_encode(d, 0, out);
	CU_ASSERT_STRING_EQUAL(out, "");

	for (i = 0; i <= HASH_SHA256_HEX_LEN; i++)
		upper[i] = (i % 2) ? abc_hex[i] :
		    (char)((abc_hex[i] >= 'a') ? abc_hex[i] - 32 : abc_hex[i]);
	CU_ASSERT_EQUAL(hash_hex_decode(upper, d, sizeof(d)), 0);
	CU_ASSERT_TRUE(digest_is(d, abc_hex));
	CU_ASSERT_EQUAL(hash_hex_decode("DEADbeef", b, 4), 0);
	CU_ASSERT_EQUAL(memcmp(b, "\xde\xad\xbe\xef", 4), 0);
	CU_ASSERT_EQUAL(hash_hex_decode("", b, 0), 0);

	errno = 0;
	CU_ASSERT_EQUAL(hash_hex_decode("deadbee", b, 4), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(hash_hex_decode("deadbeef00", b, 4), -1);
	CU_ASSERT_EQUAL(hash_hex_decode("deadbeeg", b, 4), -1);
	CU_ASSERT_EQUAL(hash_hex_decode("dead beef", b, 4), -1);
	CU_ASSERT_EQUAL(hash_hex_decode(" deadbee", b, 4), -1);
	CU_ASSERT_EQUAL(hash_hex_decode("0x00beef", b, 4), -1);
}

static void
test_hash_equal(void)
{
	unsigned char a[HASH_SHA256_LEN], b[HASH_SHA256_LEN];

	CU_ASSERT_EQUAL_FATAL(hash_sha256("abc", 3, a), 0);
	memcpy(b, a, sizeof(b));
	CU_ASSERT_TRUE(hash_equal(a, b, sizeof(a)));
	b[0] ^= 1;
	CU_ASSERT_FALSE(hash_equal(a, b, sizeof(a)));
	b[0] ^= 1;
	b[HASH_SHA256_LEN - 1] ^= 0x80;
	CU_ASSERT_FALSE(hash_equal(a, b, sizeof(a)));
	CU_ASSERT_TRUE(hash_equal(a, b, HASH_SHA256_LEN - 1));
	CU_ASSERT_TRUE(hash_equal(a, b, 0));
}

REEF_SUITE(hash,
    REEF_TEST(test_hash_vectors),
    REEF_TEST(test_hash_incremental),
    REEF_TEST(test_hash_file),
    REEF_TEST(test_hash_hex),
    REEF_TEST(test_hash_equal))
