/*
 * Unit tests: the RRDP sink writing into a cache stage
 * (validator/rrdp_stage.c): snapshots through the writer threads, the
 * delta checks of RFC 8182 section 3.4.2, module admission and refusals.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/hash.h"
#include "common/limits.h"
#include "validator/rrdp_stage.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

#define HOST_A		"rpki.example.net"
#define HOST_B		"[2001:db8::1]"
/* Objects of the threaded snapshot test, and how many per directory. */
#define NOBJ		600
#define PER_DIR		40

/* Publish one object through the sink; 0, or -1 when refused. */
static int
publish(const struct rrdp_sink *k, const char *uri, const unsigned char *hash,
    const void *data, size_t len)
{
	const unsigned char *d = data;
	void *h;
	size_t half = len / 2;

	if ((h = k->publish_begin(k->arg, uri, hash)) == NULL)
		return -1;
	/* In two writes, as the parser hands over decoded chunks. */
	if ((half > 0 && k->publish_write(k->arg, h, d, half) == -1) ||
	    k->publish_write(k->arg, h, d + half, len - half) == -1) {
		k->publish_end(k->arg, h, 0);
		return -1;
	}
	return k->publish_end(k->arg, h, 1);
}

static char *
content(const char *root, const char *rel)
{
	char *p = tu_asprintf("%s/%s", root, rel);
	char *s = (char *)tu_read_file(p, NULL);

	free(p);
	return s;
}

static struct rrdp_stage *
new_stage(const char *root, int snapshot, unsigned int writers)
{
	struct rrdp_stage_config c;

	memset(&c, 0, sizeof(c));
	c.root = root;
	c.snapshot = snapshot;
	c.writers = writers;
	return rrdp_stage_new(&c);
}

static void
test_stage_snapshot_threads(void)
{
	char *root = tu_tmpdir("stage"), *uri, *want, *got;
	struct rrdp_stage *s;
	struct rrdp_sink k;
	uint64_t n;
	const char *m;
	size_t i, bad = 0;

	s = new_stage(root, 1, RRDP_STAGE_WRITERS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	rrdp_stage_sink(s, &k);
	for (i = 0; i < NOBJ; i++) {
		uri = tu_asprintf("rsync://%s/%s/ca%zu/o%zu.roa",
		    i % 3 == 2 ? HOST_B : HOST_A, i % 3 == 1 ? "modB" : "modA",
		    i / PER_DIR, i);
		want = tu_asprintf("object %zu", i);
		CU_ASSERT_EQUAL(publish(&k, uri, NULL, want, strlen(want)), 0);
		free(uri);
		free(want);
	}
	CU_ASSERT_EQUAL(rrdp_stage_flush(s), 0);
	CU_ASSERT_EQUAL(rrdp_stage_objects(s), NOBJ);
	CU_ASSERT_STRING_EQUAL(rrdp_stage_error(s), "");
	/* Every object in its own file, at the layout of uri.h. */
	for (i = 0; i < NOBJ; i++) {
		uri = tu_asprintf("%s/%s/ca%zu/o%zu.roa",
		    i % 3 == 2 ? "[2001:db8::1]" : HOST_A,
		    i % 3 == 1 ? "modB" : "modA", i / PER_DIR, i);
		want = tu_asprintf("object %zu", i);
		got = content(root, uri);
		if (got == NULL || strcmp(got, want) != 0)
			bad++;
		free(got);
		free(want);
		free(uri);
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* The modules, in the order first seen, with their objects. */
	m = rrdp_stage_module(s, 0, &n);
	CU_ASSERT_STRING_EQUAL(m, HOST_A "/modA");
	CU_ASSERT_EQUAL(n, NOBJ / 3);
	m = rrdp_stage_module(s, 1, &n);
	CU_ASSERT_STRING_EQUAL(m, HOST_A "/modB");
	CU_ASSERT_EQUAL(n, NOBJ / 3);
	m = rrdp_stage_module(s, 2, &n);
	CU_ASSERT_STRING_EQUAL(m, "[2001:db8::1]/modA");
	CU_ASSERT_EQUAL(n, NOBJ / 3);
	CU_ASSERT_PTR_NULL(rrdp_stage_module(s, 3, NULL));
	rrdp_stage_free(s);
	tu_rmtree(root);
	free(root);
}

static void
test_stage_snapshot_refusals(void)
{
	char *root = tu_tmpdir("stage");
	struct rrdp_stage *s;
	struct rrdp_sink k;
	unsigned char *big;

	/* The same URI twice: found by a writer thread, reported at flush. */
	s = new_stage(root, 1, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	rrdp_stage_sink(s, &k);
	CU_ASSERT_EQUAL(publish(&k, "rsync://" HOST_A "/m/a.cer", NULL, "1",
	    1), 0);
	(void)publish(&k, "rsync://" HOST_A "/m/a.cer", NULL, "2", 1);
	CU_ASSERT_EQUAL(rrdp_stage_flush(s), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(rrdp_stage_error(s), "published twice"));
	/* Once failed, nothing more is taken. */
	CU_ASSERT_EQUAL(publish(&k, "rsync://" HOST_A "/m/b.cer", NULL, "3",
	    1), -1);
	rrdp_stage_free(s);
	tu_rmtree(root);
	free(root);

	/* URIs that name no object file. */
	root = tu_tmpdir("stage");
	s = new_stage(root, 1, 0);
	rrdp_stage_sink(s, &k);
	CU_ASSERT_EQUAL(publish(&k, "rsync://" HOST_A "/m/dir/", NULL, "x", 1),
	    -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(rrdp_stage_error(s), "unusable object "
	    "URI"));
	rrdp_stage_free(s);
	s = new_stage(root, 1, 0);
	rrdp_stage_sink(s, &k);
	CU_ASSERT_EQUAL(publish(&k, "rsync://" HOST_A "/m/../x.cer", NULL, "x",
	    1), -1);
	rrdp_stage_free(s);
	s = new_stage(root, 1, 0);
	rrdp_stage_sink(s, &k);
	CU_ASSERT_EQUAL(publish(&k, "rsync://" HOST_A "/x.cer", NULL, "x", 1),
	    -1);
	rrdp_stage_free(s);
	/* An object over MAX_FILE_SIZE. */
	s = new_stage(root, 1, 2);
	rrdp_stage_sink(s, &k);
	big = calloc(1, MAX_FILE_SIZE + 1);
	CU_ASSERT_EQUAL(publish(&k, "rsync://" HOST_A "/m/big.crl", NULL, big,
	    MAX_FILE_SIZE + 1), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(rrdp_stage_error(s), "larger than"));
	free(big);
	rrdp_stage_free(s);
	/* Withdraw has no place in a snapshot. */
	s = new_stage(root, 1, 0);
	rrdp_stage_sink(s, &k);
	{
		unsigned char h[HASH_SHA256_LEN] = { 0 };

		CU_ASSERT_EQUAL(k.withdraw(k.arg, "rsync://" HOST_A "/m/a.cer",
		    h), -1);
	}
	rrdp_stage_free(s);
	tu_rmtree(root);
	free(root);
}

/* Refuses modB, as the fetcher does for a module of another server. */
static int
refuse_modb(void *arg, const char *module, char *why, size_t whysz)
{
	int *calls = arg;

	(*calls)++;
	if (strcmp(module, HOST_A "/modB") != 0)
		return 1;
	snprintf(why, whysz, "modB belongs to someone else");
	return 0;
}

static void
test_stage_module_refused(void)
{
	char *root = tu_tmpdir("stage"), *p;
	struct rrdp_stage_config c;
	struct rrdp_stage *s;
	struct rrdp_sink k;
	int calls = 0;

	memset(&c, 0, sizeof(c));
	c.root = root;
	c.snapshot = 1;
	c.writers = 2;
	c.module_ok = refuse_modb;
	c.arg = &calls;
	s = rrdp_stage_new(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	rrdp_stage_sink(s, &k);
	CU_ASSERT_EQUAL(publish(&k, "rsync://" HOST_A "/modA/1.roa", NULL, "a",
	    1), 0);
	CU_ASSERT_EQUAL(publish(&k, "rsync://" HOST_A "/modA/2.roa", NULL, "b",
	    1), 0);
	/* Asked once per module, not per object. */
	CU_ASSERT_EQUAL(calls, 1);
	CU_ASSERT_EQUAL(publish(&k, "rsync://" HOST_A "/modB/3.roa", NULL, "c",
	    1), -1);
	CU_ASSERT_EQUAL(calls, 2);
	CU_ASSERT_EQUAL(rrdp_stage_flush(s), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(rrdp_stage_error(s),
	    "modB belongs to someone else"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rrdp_stage_error(s), "/modB/3.roa"));
	/* Nothing of the refused module reached the disk. */
	p = tu_asprintf("%s/%s/modB", root, HOST_A);
	CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
	free(p);
	rrdp_stage_free(s);
	tu_rmtree(root);
	free(root);
}

static void
test_stage_delta(void)
{
	char *root = tu_tmpdir("stage"), *v, *p;
	unsigned char h1[HASH_SHA256_LEN], h2[HASH_SHA256_LEN];
	unsigned char wrong[HASH_SHA256_LEN];
	struct rrdp_stage *s;
	struct rrdp_sink k;
	const char *a = "rsync://" HOST_A "/m/ca/a.roa";
	const char *b = "rsync://" HOST_A "/m/ca/b.roa";
	char *old;

	/* The state a snapshot left. */
	s = new_stage(root, 1, 2);
	rrdp_stage_sink(s, &k);
	CU_ASSERT_EQUAL(publish(&k, a, NULL, "one", 3), 0);
	CU_ASSERT_EQUAL(publish(&k, b, NULL, "bee", 3), 0);
	CU_ASSERT_EQUAL(rrdp_stage_flush(s), 0);
	rrdp_stage_free(s);
	CU_ASSERT_EQUAL(hash_sha256("one", 3, h1), 0);
	CU_ASSERT_EQUAL(hash_sha256("bee", 3, h2), 0);
	memset(wrong, 0x5a, sizeof(wrong));
	/* A hard link, as the previous generation holds on a delta stage. */
	p = tu_asprintf("%s/%s/m/ca/a.roa", root, HOST_A);
	old = tu_asprintf("%s/old.roa", root);
	CU_ASSERT_EQUAL(link(p, old), 0);

	/* A replacement naming the right hash, a new object, a withdraw. */
	s = new_stage(root, 0, 0);
	rrdp_stage_sink(s, &k);
	CU_ASSERT_EQUAL(publish(&k, a, h1, "two", 3), 0);
	CU_ASSERT_EQUAL(publish(&k, "rsync://" HOST_A "/m/ca/c.roa", NULL,
	    "new", 3), 0);
	CU_ASSERT_EQUAL(k.withdraw(k.arg, b, h2), 0);
	CU_ASSERT_EQUAL(rrdp_stage_flush(s), 0);
	CU_ASSERT_EQUAL(rrdp_stage_objects(s), 3);
	rrdp_stage_free(s);
	v = content(root, HOST_A "/m/ca/a.roa");
	CU_ASSERT_STRING_EQUAL(v, "two");
	free(v);
	v = content(root, HOST_A "/m/ca/c.roa");
	CU_ASSERT_STRING_EQUAL(v, "new");
	free(v);
	CU_ASSERT_PTR_NULL(content(root, HOST_A "/m/ca/b.roa"));
	/* Replaced as a new file, never in place: the link is intact. */
	v = content(root, "old.roa");
	CU_ASSERT_STRING_EQUAL(v, "one");
	free(v);
	free(old);
	free(p);

	/* RFC 8182 section 3.4.2: every mismatch fails. */
	s = new_stage(root, 0, 0);
	rrdp_stage_sink(s, &k);
	CU_ASSERT_EQUAL(publish(&k, a, h1, "three", 5), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(rrdp_stage_error(s), "publish hash does "
	    "not match"));
	rrdp_stage_free(s);
	s = new_stage(root, 0, 0);
	rrdp_stage_sink(s, &k);
	CU_ASSERT_EQUAL(publish(&k, a, NULL, "three", 5), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(rrdp_stage_error(s), "without hash"));
	rrdp_stage_free(s);
	s = new_stage(root, 0, 0);
	rrdp_stage_sink(s, &k);
	CU_ASSERT_EQUAL(k.withdraw(k.arg, a, wrong), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(rrdp_stage_error(s), "withdraw hash"));
	rrdp_stage_free(s);
	s = new_stage(root, 0, 0);
	rrdp_stage_sink(s, &k);
	CU_ASSERT_EQUAL(k.withdraw(k.arg, b, h2), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(rrdp_stage_error(s), "not in the "
	    "cache"));
	rrdp_stage_free(s);
	/* None of the failed updates changed anything. */
	v = content(root, HOST_A "/m/ca/a.roa");
	CU_ASSERT_STRING_EQUAL(v, "two");
	free(v);
	tu_rmtree(root);
	free(root);
}

static void
test_stage_free_busy(void)
{
	char *root = tu_tmpdir("stage"), *uri;
	struct rrdp_stage *s;
	struct rrdp_sink k;
	unsigned char buf[3000];
	void *h;
	size_t i;

	/* Freed with objects queued and one open: no leak, no hang. */
	memset(buf, 'x', sizeof(buf));
	s = new_stage(root, 1, 2);
	rrdp_stage_sink(s, &k);
	for (i = 0; i < 200; i++) {
		uri = tu_asprintf("rsync://" HOST_A "/m/d%zu/o%zu.cer", i % 7,
		    i);
		CU_ASSERT_EQUAL(publish(&k, uri, NULL, buf, sizeof(buf)), 0);
		free(uri);
	}
	h = k.publish_begin(k.arg, "rsync://" HOST_A "/m/open.cer", NULL);
	CU_ASSERT_PTR_NOT_NULL(h);
	CU_ASSERT_EQUAL(k.publish_write(k.arg, h, buf, 10), 0);
	k.publish_end(k.arg, h, 0);
	rrdp_stage_free(s);
	CU_ASSERT_PTR_NULL(new_stage("/nonexistent/reef/stage", 1, 2));
	tu_rmtree(root);
	free(root);
}

REEF_SUITE(rrdp_stage, REEF_TEST(test_stage_snapshot_threads),
    REEF_TEST(test_stage_snapshot_refusals),
    REEF_TEST(test_stage_module_refused), REEF_TEST(test_stage_delta),
    REEF_TEST(test_stage_free_busy))
