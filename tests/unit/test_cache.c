/*
 * Unit tests: cache staging, commit and recovery (validator/cache.c).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/log.h"
#include "validator/cache.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

#define REL	"rpki.example.net/repo"

static int
put(const char *dir, const char *rel, const char *text)
{
	char *p = tu_asprintf("%s/%s", dir, rel);
	int rc;

	if (strchr(rel, '/') != NULL)
		(void)cache_mkdirs(dir, rel, 0);
	(void)unlink(p);
	rc = tu_write_file(p, text, strlen(text));
	free(p);
	return rc;
}

/* Content of CACHEDIR/rsync/REL/rel, or NULL. */
static char *
view(const char *cdir, const char *rel)
{
	char *p = tu_asprintf("%s/rsync/%s/%s", cdir, REL, rel);
	size_t len;
	char *s = (char *)tu_read_file(p, &len);

	free(p);
	return s;
}

static int
exists(const char *p)
{
	struct stat sb;

	return lstat(p, &sb) == 0;
}

static void
test_cache_commit(void)
{
	char *dir = tu_tmpdir("cache"), *cdir = tu_asprintf("%s/c", dir);
	struct cache *c;
	struct cache_stage *s;
	char *cur1, *cur2, *v;
	struct stat a, b;

	c = cache_open(cdir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NULL(cache_current(c, REL));
	/* First generation from an empty stage. */
	CU_ASSERT_EQUAL_FATAL(cache_stage_begin(c, REL, 1, &s), 0);
	CU_ASSERT_EQUAL(put(s->dir, "a/x.roa", "one"), 0);
	CU_ASSERT_EQUAL(put(s->dir, "a/y.roa", "keep"), 0);
	CU_ASSERT_EQUAL(cache_stage_commit(c, s), 0);
	cur1 = cache_current(c, REL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cur1);
	v = view(cdir, "a/x.roa");
	CU_ASSERT_STRING_EQUAL(v, "one");
	free(v);
	/* Second generation: hard links, a replaced file, a new one. */
	CU_ASSERT_EQUAL_FATAL(cache_stage_begin(c, REL, 1, &s), 0);
	{
		char *p1 = tu_asprintf("%s/a/y.roa", cur1);
		char *p2 = tu_asprintf("%s/a/y.roa", s->dir);

		CU_ASSERT_EQUAL(stat(p1, &a), 0);
		CU_ASSERT_EQUAL(stat(p2, &b), 0);
		CU_ASSERT_EQUAL(a.st_ino, b.st_ino);	/* linked, not copied */
		free(p1);
		free(p2);
	}
	CU_ASSERT_EQUAL(put(s->dir, "a/x.roa", "two"), 0);
	CU_ASSERT_EQUAL(put(s->dir, "b/z.cer", "new"), 0);
	/* The committed view is untouched while the stage changes. */
	v = view(cdir, "a/x.roa");
	CU_ASSERT_STRING_EQUAL(v, "one");
	free(v);
	CU_ASSERT_EQUAL(cache_stage_commit(c, s), 0);
	cur2 = cache_current(c, REL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cur2);
	CU_ASSERT_STRING_NOT_EQUAL(cur1, cur2);
	CU_ASSERT_FALSE(exists(cur1));		/* old generation removed */
	v = view(cdir, "a/x.roa");
	CU_ASSERT_STRING_EQUAL(v, "two");
	free(v);
	v = view(cdir, "a/y.roa");
	CU_ASSERT_STRING_EQUAL(v, "keep");
	free(v);
	v = view(cdir, "b/z.cer");
	CU_ASSERT_STRING_EQUAL(v, "new");
	free(v);
	/* An aborted stage changes nothing. */
	CU_ASSERT_EQUAL_FATAL(cache_stage_begin(c, REL, 0, &s), 0);
	CU_ASSERT_EQUAL(put(s->dir, "a/x.roa", "three"), 0);
	{
		char *root = strdup(s->root);

		cache_stage_abort(s);
		CU_ASSERT_FALSE(exists(root));
		free(root);
	}
	v = view(cdir, "a/x.roa");
	CU_ASSERT_STRING_EQUAL(v, "two");
	free(v);
	/* An empty stage (snapshot) drops what it does not carry. */
	CU_ASSERT_EQUAL_FATAL(cache_stage_begin(c, REL, 0, &s), 0);
	CU_ASSERT_EQUAL(put(s->dir, "only.mft", "m"), 0);
	CU_ASSERT_EQUAL(cache_stage_commit(c, s), 0);
	CU_ASSERT_PTR_NULL(view(cdir, "a/x.roa"));
	v = view(cdir, "only.mft");
	CU_ASSERT_STRING_EQUAL(v, "m");
	free(v);
	cache_close(c);
	free(cur1);
	free(cur2);
	tu_rmtree(dir);
	free(cdir);
	free(dir);
}

static void
test_cache_recover(void)
{
	char *dir = tu_tmpdir("cache"), *cdir = tu_asprintf("%s/c", dir);
	struct cache *c;
	struct cache_stage *s;
	char *cur, *p, *v;
	int n;

	c = cache_open(cdir, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(cache_stage_begin(c, REL, 0, &s), 0);
	CU_ASSERT_EQUAL(put(s->dir, "x.roa", "good"), 0);
	CU_ASSERT_EQUAL(cache_stage_commit(c, s), 0);
	cur = cache_current(c, REL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cur);
	/* What a kill -9 at various moments leaves behind. */
	CU_ASSERT_EQUAL_FATAL(cache_stage_begin(c, REL, 1, &s), 0);
	CU_ASSERT_EQUAL(put(s->dir, "x.roa", "half"), 0);
	free(s->root);		/* "forget" the stage without removing it */
	s->root = NULL;
	cache_stage_abort(s);
	p = tu_asprintf("%s/.repos/%s/g7", cdir, REL);	/* renamed, unlinked */
	CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
	CU_ASSERT_EQUAL(put(p, "x.roa", "orphan"), 0);
	free(p);
	p = tu_asprintf("%s/rsync/rpki.example.net/.tmp-repo", cdir);
	CU_ASSERT_EQUAL(symlink("../../.repos/whatever/g7", p), 0);
	free(p);
	p = tu_asprintf("%s/.tmp-ta-123", cdir);
	CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
	free(p);
	cache_close(c);

	c = cache_open(cdir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	p = tu_asprintf("%s/.repos/%s/g7", cdir, REL);
	CU_ASSERT_FALSE(exists(p));
	free(p);
	p = tu_asprintf("%s/.repos/%s/%s", cdir, REL, CACHE_STAGE_NAME);
	CU_ASSERT_FALSE(exists(p));
	free(p);
	p = tu_asprintf("%s/rsync/rpki.example.net/.tmp-repo", cdir);
	CU_ASSERT_FALSE(exists(p));
	free(p);
	p = tu_asprintf("%s/.tmp-ta-123", cdir);
	CU_ASSERT_FALSE(exists(p));
	free(p);
	CU_ASSERT_TRUE(exists(cur));
	v = view(cdir, "x.roa");
	CU_ASSERT_STRING_EQUAL(v, "good");
	free(v);
	/* Nothing left to do the second time. */
	n = cache_recover(c);
	CU_ASSERT_EQUAL(n, 0);
	/* A link naming a missing generation: no current copy. */
	cache_close(c);
	CU_ASSERT_EQUAL(cache_rmtree(cur), 0);
	c = cache_open(cdir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NULL(cache_current(c, REL));
	/* And the next commit works from there. */
	CU_ASSERT_EQUAL_FATAL(cache_stage_begin(c, REL, 1, &s), 0);
	CU_ASSERT_EQUAL(put(s->dir, "y.roa", "again"), 0);
	CU_ASSERT_EQUAL(cache_stage_commit(c, s), 0);
	v = view(cdir, "y.roa");
	CU_ASSERT_STRING_EQUAL(v, "again");
	free(v);
	cache_close(c);
	free(cur);
	tu_rmtree(dir);
	free(cdir);
	free(dir);
}

static void
test_cache_mkdirs(void)
{
	char *dir = tu_tmpdir("cache"), *p;

	CU_ASSERT_EQUAL(cache_mkdirs(dir, "a/b/c", 1), 0);
	p = tu_asprintf("%s/a/b/c", dir);
	CU_ASSERT_TRUE(exists(p));
	free(p);
	CU_ASSERT_EQUAL(cache_mkdirs(dir, "d/e/file", 0), 0);
	p = tu_asprintf("%s/d/e/file", dir);
	CU_ASSERT_FALSE(exists(p));
	free(p);
	CU_ASSERT_EQUAL(cache_mkdirs(dir, "a/../x", 1), -1);
	CU_ASSERT_EQUAL(cache_mkdirs(dir, "a//x", 1), -1);
	/* Never through a symbolic link. */
	p = tu_asprintf("%s/link", dir);
	CU_ASSERT_EQUAL(symlink("/tmp", p), 0);
	free(p);
	CU_ASSERT_EQUAL(cache_mkdirs(dir, "link/x", 1), -1);
	CU_ASSERT_EQUAL(cache_rmtree("/nonexistent/reef/x"), 0);
	tu_rmtree(dir);
	free(dir);
}

REEF_SUITE(cache, REEF_TEST(test_cache_commit), REEF_TEST(test_cache_recover),
    REEF_TEST(test_cache_mkdirs))
