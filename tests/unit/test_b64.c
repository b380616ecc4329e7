/*
 * Tests for common/b64.c: RFC 4648 vectors, strictness, whitespace
 * skipping, size computations and round trips.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/b64.h"
#include "suite.h"

#define ROUNDTRIP_MAX	300

/* RFC 4648 section 10. */
static const struct {
	const char	*plain;
	const char	*enc;
} vectors[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};
#define NVECTORS	(sizeof(vectors) / sizeof(vectors[0]))

static void
test_b64_rfc4648_vectors(void)
{
	unsigned char *dec;
	char *enc;
	size_t i, len;

	for (i = 0; i < NVECTORS; i++) {
		CU_ASSERT_EQUAL_FATAL(b64_encode(vectors[i].plain,
		    strlen(vectors[i].plain), &enc, &len), 0);
		CU_ASSERT_STRING_EQUAL(enc, vectors[i].enc);
		CU_ASSERT_EQUAL(len, strlen(vectors[i].enc));
		free(enc);

		CU_ASSERT_EQUAL_FATAL(b64_decode(vectors[i].enc,
		    strlen(vectors[i].enc), &dec, &len), 0);
		CU_ASSERT_PTR_NOT_NULL(dec);
		CU_ASSERT_EQUAL(len, strlen(vectors[i].plain));
		CU_ASSERT_EQUAL(memcmp(dec, vectors[i].plain, len), 0);
		free(dec);
	}
	/* outlen is optional when encoding. */
	CU_ASSERT_EQUAL(b64_encode("\xff\xfe", 2, &enc, NULL), 0);
	CU_ASSERT_STRING_EQUAL(enc, "//4=");
	free(enc);
	CU_ASSERT_EQUAL(b64_encode("\xfb\xff", 2, &enc, NULL), 0);
	CU_ASSERT_STRING_EQUAL(enc, "+/8=");
	free(enc);
}

static void
test_b64_strict_rejects(void)
{
	static const char *const bad[] = {
		"Zg=",		/* length not a multiple of 4 */
		"Zg",		/* missing padding */
		"Zm9vY",
		"Zh==",		/* non-zero trailing bits, 2 pads */
		"Zm9=",		/* non-zero trailing bits, 1 pad */
		"Z===",		/* too much padding */
		"====",
		"=Zg=",
		"Zg=a",		/* data after padding */
		"Zg==Zg==",	/* padding before the end */
		"Zm9v\n",	/* whitespace is not allowed here */
		"Zm 9",
		"Zm-v",		/* base64url alphabet */
		"Zm_v",
		"Zm9\x80",
	};
	unsigned char *dec = (unsigned char *)"x";
	size_t i, len = 99;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CU_ASSERT_EQUAL(b64_decode(bad[i], strlen(bad[i]), &dec, &len),
		    -1);
		CU_ASSERT_EQUAL(errno, EINVAL);
		CU_ASSERT_PTR_NULL(dec);
		CU_ASSERT_EQUAL(len, 0);
	}
	/* An embedded NUL is not alphabet either. */
	CU_ASSERT_EQUAL(b64_decode("Zm\0v", 4, &dec, &len), -1);
	/* Only inlen characters are looked at. */
	CU_ASSERT_EQUAL(b64_decode("Zm9vGARBAGE", 4, &dec, &len), 0);
	CU_ASSERT_EQUAL(len, 3);
	CU_ASSERT_EQUAL(memcmp(dec, "foo", 3), 0);
	free(dec);
}

static void
test_b64_whitespace(void)
{
	unsigned char *dec;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(b64_decode_ws("Zm9v\r\nYmFy\n", 11, &dec,
	    &len), 0);
	CU_ASSERT_EQUAL(len, 6);
	CU_ASSERT_EQUAL(memcmp(dec, "foobar", 6), 0);
	free(dec);
	CU_ASSERT_EQUAL_FATAL(b64_decode_ws(" \tZ g\v=\f= ", 10, &dec,
	    &len), 0);
	CU_ASSERT_EQUAL(len, 1);
	CU_ASSERT_EQUAL(dec[0], 'f');
	free(dec);
	CU_ASSERT_EQUAL_FATAL(b64_decode_ws("\n\n", 2, &dec, &len), 0);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_PTR_NOT_NULL(dec);
	free(dec);
	/* Still strict about everything else. */
	errno = 0;
	CU_ASSERT_EQUAL(b64_decode_ws("Zh==\n", 5, &dec, &len), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(dec);
	CU_ASSERT_EQUAL(b64_decode_ws("Zm9v\nY", 6, &dec, &len), -1);
	CU_ASSERT_EQUAL(b64_decode_ws("Zm9v\0Yg==", 9, &dec, &len), -1);
}

static void
test_b64_sizes(void)
{
	char *enc = (char *)"x";
	size_t len = 7;

	CU_ASSERT_EQUAL(b64_encoded_len(0, &len), 0);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(b64_encoded_len(1, &len), 0);
	CU_ASSERT_EQUAL(len, 4);
	CU_ASSERT_EQUAL(b64_encoded_len(3, &len), 0);
	CU_ASSERT_EQUAL(len, 4);
	CU_ASSERT_EQUAL(b64_encoded_len(4, &len), 0);
	CU_ASSERT_EQUAL(len, 8);
	CU_ASSERT_EQUAL(b64_encoded_len((SIZE_MAX - 1) / 4 * 3, &len), 0);
	CU_ASSERT_EQUAL(len, (SIZE_MAX - 1) / 4 * 4);
	errno = 0;
	CU_ASSERT_EQUAL(b64_encoded_len(SIZE_MAX, &len), -1);
	CU_ASSERT_EQUAL(errno, EOVERFLOW);
	CU_ASSERT_EQUAL(b64_encoded_len(SIZE_MAX / 4 * 3 + 1, &len), -1);
	CU_ASSERT_EQUAL(b64_encode("", SIZE_MAX, &enc, NULL), -1);
	CU_ASSERT_PTR_NULL(enc);

	CU_ASSERT_EQUAL(b64_decoded_maxlen(0), 0);
	CU_ASSERT_EQUAL(b64_decoded_maxlen(4), 3);
	CU_ASSERT_EQUAL(b64_decoded_maxlen(5), 6);
	CU_ASSERT_EQUAL(b64_decoded_maxlen(SIZE_MAX), SIZE_MAX / 4 * 3 + 3);
}

static void
test_b64_roundtrip(void)
{
	unsigned char in[ROUNDTRIP_MAX], *dec;
	char *enc;
	size_t n, i, elen, dlen, want;
	uint32_t x = 12345;

	for (n = 0; n < ROUNDTRIP_MAX; n++) {
		for (i = 0; i < n; i++) {
			x = x * 1103515245 + 12345;
			in[i] = x >> 16;
		}
		CU_ASSERT_EQUAL_FATAL(b64_encode(in, n, &enc, &elen), 0);
		CU_ASSERT_EQUAL(b64_encoded_len(n, &want), 0);
		CU_ASSERT_EQUAL(elen, want);
		CU_ASSERT_EQUAL(strlen(enc), elen);
		CU_ASSERT_TRUE(b64_decoded_maxlen(elen) >= n);
		CU_ASSERT_EQUAL_FATAL(b64_decode(enc, elen, &dec, &dlen), 0);
		CU_ASSERT_EQUAL(dlen, n);
		CU_ASSERT_EQUAL(memcmp(dec, in, n), 0);
		free(dec);
		free(enc);
	}
}

REEF_SUITE(b64,
    REEF_TEST(test_b64_rfc4648_vectors),
    REEF_TEST(test_b64_strict_rejects),
    REEF_TEST(test_b64_whitespace),
    REEF_TEST(test_b64_sizes),
    REEF_TEST(test_b64_roundtrip))
