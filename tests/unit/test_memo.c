/*
 * Unit tests: the memo store of incremental validation (validator/memo.h).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hash.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/memo.h"

static const unsigned char tag1[MEMO_TAG_LEN] = { 1, 2, 3 };
static const unsigned char tag2[MEMO_TAG_LEN] = { 3, 2, 1 };

/* Number of entries in dir (not . and ..). */
static size_t
count_entries(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_memo_roundtrip(void)
{
	char *tmp = tu_tmpdir("memo-rt"), *dir = tu_asprintf("%s/m", tmp);
	struct memo *m;
	unsigned char *buf;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m = memo_open(dir, tag1));
	CU_ASSERT_EQUAL(memo_get(m, "rsync://a/b.mft", &buf, &len, NULL), -1);
	CU_ASSERT_PTR_NULL(buf);
	CU_ASSERT_EQUAL(memo_put(m, "rsync://a/b.mft",
	    (const unsigned char *)"hello", 5, NULL, 0), 0);
	CU_ASSERT_EQUAL(memo_get(m, "rsync://a/b.mft", &buf, &len, NULL), 0);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT(buf != NULL && memcmp(buf, "hello", 5) == 0);
	free(buf);
	/* Replaced, not appended. */
	CU_ASSERT_EQUAL(memo_put(m, "rsync://a/b.mft",
	    (const unsigned char *)"", 0, NULL, 0), 0);
	CU_ASSERT_EQUAL(memo_get(m, "rsync://a/b.mft", &buf, &len, NULL), 0);
	CU_ASSERT_EQUAL(len, 0);
	free(buf);
	memo_drop(m, "rsync://a/b.mft");
	CU_ASSERT_EQUAL(memo_get(m, "rsync://a/b.mft", &buf, &len, NULL), -1);
	memo_close(m);
	tu_rmtree(tmp);
	free(tmp);
	free(dir);
}

/*
 * A record's tail: not read with the payload, read on its own, and no
 * longer readable once the record is replaced by one of another size.
 */
static void
test_memo_tail(void)
{
	char *tmp = tu_tmpdir("memo-tail"), *dir = tu_asprintf("%s/m", tmp);
	unsigned char *buf, *big, got[64];
	struct memo_tail t, t2;
	struct memo *m;
	size_t len, i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m = memo_open(dir, tag1));
	CU_ASSERT_EQUAL(memo_put(m, "k", (const unsigned char *)"core", 4,
	    (const unsigned char *)"the tail", 8), 0);
	CU_ASSERT_EQUAL(memo_get(m, "k", &buf, &len, &t), 0);
	CU_ASSERT(len == 4 && buf != NULL && memcmp(buf, "core", 4) == 0);
	/* A small record's tail comes with it, in the same buffer. */
	CU_ASSERT(t.data != NULL && memcmp(t.data, "the tail", 8) == 0);
	free(buf);
	CU_ASSERT_EQUAL(t.len, 8);
	CU_ASSERT_EQUAL(memo_get_tail(m, "k", &t, got), 0);
	CU_ASSERT_EQUAL(memcmp(got, "the tail", 8), 0);
	/* Without a tail. */
	CU_ASSERT_EQUAL(memo_put(m, "k", (const unsigned char *)"core", 4,
	    NULL, 0), 0);
	CU_ASSERT_EQUAL(memo_get(m, "k", &buf, &len, &t2), 0);
	free(buf);
	CU_ASSERT_EQUAL(t2.len, 0);
	/* The old place no longer fits the record. */
	CU_ASSERT_EQUAL(memo_get_tail(m, "k", &t, got), -1);
	CU_ASSERT_EQUAL(memo_get_tail(m, "absent", &t, got), -1);
	/* A payload longer than the first read, and a long tail. */
	big = malloc(100000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	for (i = 0; i < 100000; i++)
		big[i] = (unsigned char)(i * 31 + 7);
	CU_ASSERT_EQUAL(memo_put(m, "k", big, 70000, big + 70000, 30000),
	    0);
	CU_ASSERT_EQUAL(memo_get(m, "k", &buf, &len, &t), 0);
	CU_ASSERT(len == 70000 && buf != NULL &&
	    memcmp(buf, big, 70000) == 0);
	free(buf);
	free(big);
	CU_ASSERT_EQUAL(t.len, 30000);
	CU_ASSERT_PTR_NULL(t.data);
	memo_close(m);
	tu_rmtree(tmp);
	free(tmp);
	free(dir);
}

/* A lent record is neither replaced nor dropped while the handle lives. */
static void
test_memo_lend(void)
{
	char *tmp = tu_tmpdir("memo-lend"), *dir = tu_asprintf("%s/m", tmp);
	unsigned char *buf, got[8];
	struct memo_tail t;
	struct memo *m;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m = memo_open(dir, tag1));
	CU_ASSERT_EQUAL(memo_put(m, "k", (const unsigned char *)"one", 3,
	    (const unsigned char *)"tail1", 5), 0);
	CU_ASSERT_EQUAL(memo_get(m, "k", &buf, &len, &t), 0);
	free(buf);
	memo_lend(m, "k");
	CU_ASSERT_EQUAL(memo_put(m, "k", (const unsigned char *)"two", 3,
	    (const unsigned char *)"tail22", 6), 0);
	memo_drop(m, "k");
	CU_ASSERT_EQUAL(memo_get_tail(m, "k", &t, got), 0);
	CU_ASSERT_EQUAL(memcmp(got, "tail1", 5), 0);
	/* Other records are not affected. */
	CU_ASSERT_EQUAL(memo_put(m, "j", (const unsigned char *)"x", 1, NULL,
	    0), 0);
	memo_drop(m, "j");
	CU_ASSERT_EQUAL(memo_get(m, "j", &buf, &len, NULL), -1);
	memo_close(m);
	/* The next handle may replace it. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(m = memo_open(dir, tag1));
	CU_ASSERT_EQUAL(memo_put(m, "k", (const unsigned char *)"two", 3,
	    (const unsigned char *)"tail22", 6), 0);
	CU_ASSERT_EQUAL(memo_get(m, "k", &buf, &len, &t), 0);
	CU_ASSERT(len == 3 && buf != NULL && memcmp(buf, "two", 3) == 0);
	free(buf);
	CU_ASSERT_EQUAL(t.len, 6);
	memo_close(m);
	tu_rmtree(tmp);
	free(tmp);
	free(dir);
}

/* Records of another tag, truncated or altered records read as absent. */
static void
test_memo_rejects(void)
{
	char *tmp = tu_tmpdir("memo-bad"), *dir = tu_asprintf("%s/m", tmp);
	struct memo *m;
	unsigned char *buf;
	size_t len;
	int ok = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m = memo_open(dir, tag1));
	CU_ASSERT_EQUAL(memo_put(m, "k1", (const unsigned char *)"payload1",
	    8, NULL, 0), 0);
	CU_ASSERT_EQUAL(memo_put(m, "k2", (const unsigned char *)"payload2",
	    8, NULL, 0), 0);
	CU_ASSERT_EQUAL(memo_put(m, "k3", (const unsigned char *)"payload3",
	    8, NULL, 0), 0);
	memo_close(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m = memo_open(dir, tag2));
	CU_ASSERT_EQUAL(memo_get(m, "k1", &buf, &len, NULL), -1);
	memo_close(m);
	/* Flip a payload byte of one record, truncate another. */
	CU_ASSERT_EQUAL(tu_system("cd '%s' && for f in *; do n=$((n+1)); "
	    "case $n in 1) printf X | dd of=$f bs=1 seek=49 conv=notrunc "
	    "2>/dev/null;; 2) truncate -s 50 $f;; esac; done", dir), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m = memo_open(dir, tag1));
	ok += memo_get(m, "k1", &buf, &len, NULL) == 0;
	free(buf);
	ok += memo_get(m, "k2", &buf, &len, NULL) == 0;
	free(buf);
	ok += memo_get(m, "k3", &buf, &len, NULL) == 0;
	free(buf);
	CU_ASSERT_EQUAL(ok, 1);	/* only the untouched one */
	memo_close(m);
	tu_rmtree(tmp);
	free(tmp);
	free(dir);
}

/* memo_sweep() keeps what was read or written, removes the rest. */
static void
test_memo_sweep(void)
{
	char *tmp = tu_tmpdir("memo-sweep"), *dir = tu_asprintf("%s/m", tmp);
	char *p1 = tu_asprintf("%s/.x.tmp", dir), *p2 = tu_asprintf("%s/README",
	    dir);
	struct memo *m;
	unsigned char *buf;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m = memo_open(dir, tag1));
	CU_ASSERT_EQUAL(memo_put(m, "a", (const unsigned char *)"1", 1, NULL,
	    0), 0);
	CU_ASSERT_EQUAL(memo_put(m, "b", (const unsigned char *)"2", 1, NULL,
	    0), 0);
	CU_ASSERT_EQUAL(memo_put(m, "c", (const unsigned char *)"3", 1, NULL,
	    0), 0);
	memo_close(m);
	/* A leftover temporary file and a stranger, which stays. */
	CU_ASSERT_EQUAL(tu_write_file(p1, "t", 1), 0);
	CU_ASSERT_EQUAL(tu_write_file(p2, "r", 1), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m = memo_open(dir, tag1));
	CU_ASSERT_EQUAL(memo_get(m, "a", &buf, &len, NULL), 0);
	free(buf);
	CU_ASSERT_EQUAL(memo_put(m, "d", (const unsigned char *)"4", 1, NULL,
	    0), 0);
	/* b and c unused, the temporary file: three removed. */
	CU_ASSERT_EQUAL(memo_sweep(m), 3);
	CU_ASSERT_EQUAL(count_entries(dir), 3);	/* a, d, README */
	CU_ASSERT_EQUAL(memo_get(m, "b", &buf, &len, NULL), -1);
	memo_close(m);
	tu_rmtree(tmp);
	free(tmp);
	free(dir);
	free(p1);
	free(p2);
}

static void
test_memo_buffers(void)
{
	struct memo_wbuf w = { 0 };
	struct memo_rbuf r;
	unsigned char raw[3];

	memo_w_u8(&w, 0xab);
	memo_w_u32(&w, 0xdeadbeef);
	memo_w_u64(&w, 0x0123456789abcdefULL);
	memo_w_str(&w, "rsync://x/y");
	memo_w_str(&w, NULL);
	memo_w_str(&w, "");
	memo_w_bytes(&w, "xyz", 3);
	CU_ASSERT_FALSE_FATAL(w.failed);
	memset(&r, 0, sizeof(r));
	r.data = w.data;
	r.len = w.len;
	CU_ASSERT_EQUAL(memo_r_u8(&r), 0xab);
	CU_ASSERT_EQUAL(memo_r_u32(&r), 0xdeadbeef);
	CU_ASSERT(memo_r_u64(&r) == 0x0123456789abcdefULL);
	CU_ASSERT_STRING_EQUAL(memo_r_str(&r), "rsync://x/y");
	CU_ASSERT_PTR_NULL(memo_r_str(&r));
	CU_ASSERT_STRING_EQUAL(memo_r_str(&r), "");
	CU_ASSERT_EQUAL(memo_r_bytes(&r, raw, 3), 0);
	CU_ASSERT(memcmp(raw, "xyz", 3) == 0);
	CU_ASSERT_FALSE(r.failed);
	CU_ASSERT_EQUAL(r.off, r.len);
	/* Past the end: failure, zeroes. */
	CU_ASSERT_EQUAL(memo_r_u32(&r), 0);
	CU_ASSERT_TRUE(r.failed);
	/* A string whose length runs past the end, or lacks its NUL. */
	memset(&r, 0, sizeof(r));
	r.data = (const unsigned char *)"\0\0\0\x09" "abc";
	r.len = 7;
	CU_ASSERT_PTR_NULL(memo_r_str(&r));
	CU_ASSERT_TRUE(r.failed);
	memset(&r, 0, sizeof(r));
	r.data = (const unsigned char *)"\0\0\0\x03" "abc";
	r.len = 7;
	CU_ASSERT_PTR_NULL(memo_r_str(&r));
	CU_ASSERT_TRUE(r.failed);
	memset(&r, 0, sizeof(r));
	r.data = (const unsigned char *)"\0\0\0\x03" "a\0\0";
	r.len = 7;
	CU_ASSERT_PTR_NULL(memo_r_str(&r));	/* embedded NUL */
	CU_ASSERT_TRUE(r.failed);
	memo_wbuf_free(&w);
}

/*
 * Keys whose record digests all start at one slot of the set of records
 * used (its first size, 1024 slots: the low 10 bits of the digest's
 * first bytes), as a repository choosing its URIs could make them.
 */
#define COLLIDING	100

static void
test_memo_sweep_colliding(void)
{
	char *tmp = tu_tmpdir("memo-coll"), *dir = tu_asprintf("%s/m", tmp);
	char key[64];
	unsigned char md[HASH_SHA256_LEN];
	struct memo *m;
	unsigned int i, n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m = memo_open(dir, tag1));
	for (i = 0; n < COLLIDING; i++) {
		snprintf(key, sizeof(key), "rsync://x/%u.mft", i);
		CU_ASSERT_EQUAL_FATAL(hash_sha256(key, strlen(key), md), 0);
		if ((md[0] | (md[1] & 3) << 8) != 0x155)
			continue;
		CU_ASSERT_EQUAL(memo_put(m, key, (const unsigned char *)"1",
		    1, NULL, 0), 0);
		n++;
	}
	/* The first 64 are noted, the others swept: a bounded search, and
	 * a record lost is only a point validated in full next run. */
	CU_ASSERT_EQUAL(memo_sweep(m), COLLIDING - 64);
	CU_ASSERT_EQUAL(count_entries(dir), 64);
	memo_close(m);
	tu_rmtree(tmp);
	free(tmp);
	free(dir);
}

REEF_SUITE(memo,
    REEF_TEST(test_memo_roundtrip),
    REEF_TEST(test_memo_tail),
    REEF_TEST(test_memo_lend),
    REEF_TEST(test_memo_rejects),
    REEF_TEST(test_memo_sweep),
    REEF_TEST(test_memo_sweep_colliding),
    REEF_TEST(test_memo_buffers))
