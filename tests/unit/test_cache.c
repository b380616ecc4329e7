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

/* ---- RRDP repositories ---------------------------------------------------- */

#define NOTIFY		"https://rrdp.example.net/notification.xml"
#define MOD_A		"rpki.example.net/repository"
#define MOD_B		"rpki.example.net/member_repository"
#define MOD_C		"other.example.org/repo"

/* Content of CACHEDIR/rsync/rel, or NULL. */
static char *
view_of(const char *cdir, const char *rel)
{
	char *p = tu_asprintf("%s/rsync/%s", cdir, rel);
	char *s = (char *)tu_read_file(p, NULL);

	free(p);
	return s;
}

static int
view_is(const char *cdir, const char *rel, const char *want)
{
	char *s = view_of(cdir, rel);
	int ok = s != NULL && strcmp(s, want) == 0;

	if (!ok)
		printf("\n    %s: \"%s\", not \"%s\"\n    ", rel,
		    s != NULL ? s : "(none)", want);
	free(s);
	return ok;
}

static int
count_module(void *arg, const char *relpath)
{
	(void)relpath;
	(*(int *)arg)++;
	return 0;
}

static void
test_cache_rrdp(void)
{
	char *dir = tu_tmpdir("cache"), *cdir = tu_asprintf("%s/c", dir);
	char key[CACHE_KEY_LEN + 1], *g1, *g2, *p;
	struct cache *c;
	struct cache_stage *s;
	int n = 0;

	c = cache_open(cdir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(cache_rrdp_key(NOTIFY, key), 0);
	CU_ASSERT_EQUAL(strlen(key), CACHE_KEY_LEN);
	CU_ASSERT_PTR_NULL(cache_rrdp_current(c, key));
	CU_ASSERT_EQUAL(cache_rrdp_attach(c, key, MOD_A), 1);
	/* One repository publishing in three modules of two hosts. */
	CU_ASSERT_EQUAL_FATAL(cache_rrdp_stage_begin(c, key, 0, &s), 0);
	CU_ASSERT_EQUAL(put(s->dir, MOD_A "/ta.cer", "ta1"), 0);
	CU_ASSERT_EQUAL(put(s->dir, MOD_B "/ca/x.roa", "x1"), 0);
	CU_ASSERT_EQUAL(put(s->dir, MOD_C "/y.roa", "y1"), 0);
	CU_ASSERT_EQUAL(cache_each_module(s->dir, count_module, &n), 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(cache_rrdp_commit(c, s), 0);
	g1 = cache_rrdp_current(c, key);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
	/* Committed, but no module is served from it until attached. */
	CU_ASSERT_PTR_NULL(view_of(cdir, MOD_A "/ta.cer"));
	CU_ASSERT_EQUAL(cache_rrdp_attach(c, key, MOD_A), 0);
	CU_ASSERT_EQUAL(cache_rrdp_attach(c, key, MOD_B), 0);
	CU_ASSERT_TRUE(view_is(cdir, MOD_A "/ta.cer", "ta1"));
	CU_ASSERT_TRUE(view_is(cdir, MOD_B "/ca/x.roa", "x1"));
	CU_ASSERT_PTR_NULL(view_of(cdir, MOD_C "/y.roa"));
	CU_ASSERT_TRUE(cache_current_rrdp(c, MOD_A));
	CU_ASSERT_FALSE(cache_current_rrdp(c, MOD_C));
	CU_ASSERT_EQUAL(cache_rrdp_attach(c, key, "rpki.example.net/none"), 1);
	p = cache_current(c, MOD_B);
	CU_ASSERT_PTR_NOT_NULL(p);
	CU_ASSERT_PTR_NOT_NULL(p != NULL ? strstr(p, MOD_B) : NULL);
	free(p);

	/* A delta stage: links to g1, a change in A; B gone, C kept. */
	CU_ASSERT_EQUAL_FATAL(cache_rrdp_stage_begin(c, key, 1, &s), 0);
	CU_ASSERT_EQUAL(put(s->dir, MOD_A "/ta.cer", "ta2"), 0);
	p = tu_asprintf("%s/%s", s->dir, "rpki.example.net/member_repository");
	CU_ASSERT_EQUAL(cache_rmtree(p), 0);
	free(p);
	CU_ASSERT_TRUE(view_is(cdir, MOD_A "/ta.cer", "ta1"));
	CU_ASSERT_EQUAL(cache_rrdp_commit(c, s), 0);
	g2 = cache_rrdp_current(c, key);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g2);
	CU_ASSERT_STRING_NOT_EQUAL(g1, g2);
	CU_ASSERT_FALSE(exists(g1));
	/* Attached modules followed the commit. */
	CU_ASSERT_TRUE(view_is(cdir, MOD_A "/ta.cer", "ta2"));
	/* B, which the repository dropped, keeps its previous copy. */
	CU_ASSERT_TRUE(view_is(cdir, MOD_B "/ca/x.roa", "x1"));
	CU_ASSERT_FALSE(cache_current_rrdp(c, MOD_B));
	/* An aborted stage changes nothing. */
	CU_ASSERT_EQUAL_FATAL(cache_rrdp_stage_begin(c, key, 0, &s), 0);
	CU_ASSERT_EQUAL(put(s->dir, MOD_A "/ta.cer", "ta3"), 0);
	cache_stage_abort(s);
	CU_ASSERT_TRUE(view_is(cdir, MOD_A "/ta.cer", "ta2"));
	CU_ASSERT_EQUAL(cache_recover(c), 0);
	cache_close(c);
	free(g1);
	free(g2);
	tu_rmtree(dir);
	free(cdir);
	free(dir);
}

static void
test_cache_rrdp_recover(void)
{
	char *dir = tu_tmpdir("cache"), *cdir = tu_asprintf("%s/c", dir);
	char key[CACHE_KEY_LEN + 1], *p, *q;
	struct cache *c;
	struct cache_stage *s;

	c = cache_open(cdir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(cache_rrdp_key(NOTIFY, key), 0);
	CU_ASSERT_EQUAL_FATAL(cache_rrdp_stage_begin(c, key, 0, &s), 0);
	CU_ASSERT_EQUAL(put(s->dir, MOD_A "/a.roa", "a1"), 0);
	CU_ASSERT_EQUAL(put(s->dir, MOD_B "/b.roa", "b1"), 0);
	CU_ASSERT_EQUAL(cache_rrdp_commit(c, s), 0);
	CU_ASSERT_EQUAL(cache_rrdp_attach(c, key, MOD_A), 0);
	CU_ASSERT_EQUAL(cache_rrdp_attach(c, key, MOD_B), 0);
	/*
	 * A kill -9 inside cache_rrdp_commit(), after "current" moved to
	 * g2 and before the module links did: both still name g1; g2 has
	 * A (changed) but no B.
	 */
	p = tu_asprintf("%s/.rrdp/%s/g2", cdir, key);
	CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
	CU_ASSERT_EQUAL(put(p, MOD_A "/a.roa", "a2"), 0);
	free(p);
	p = tu_asprintf("%s/.rrdp/%s/current", cdir, key);
	CU_ASSERT_EQUAL(unlink(p), 0);
	CU_ASSERT_EQUAL(symlink("g2", p), 0);
	free(p);
	/* And an interrupted stage, and a repository without "current". */
	CU_ASSERT_EQUAL_FATAL(cache_rrdp_stage_begin(c, key, 1, &s), 0);
	free(s->root);
	s->root = NULL;
	cache_stage_abort(s);
	p = tu_asprintf("%s/.rrdp/%064d/g1", cdir, 0);
	CU_ASSERT_EQUAL(cache_mkdirs(cdir, p + strlen(cdir) + 1, 1), 0);
	cache_close(c);

	c = cache_open(cdir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE(view_is(cdir, MOD_A "/a.roa", "a2"));
	CU_ASSERT_TRUE(cache_current_rrdp(c, MOD_A));
	/* B kept its copy from g1, now a module generation of its own. */
	CU_ASSERT_TRUE(view_is(cdir, MOD_B "/b.roa", "b1"));
	CU_ASSERT_FALSE(cache_current_rrdp(c, MOD_B));
	q = tu_asprintf("%s/.rrdp/%s/g1", cdir, key);
	CU_ASSERT_FALSE(exists(q));
	free(q);
	q = tu_asprintf("%s/.rrdp/%s/stage", cdir, key);
	CU_ASSERT_FALSE(exists(q));
	free(q);
	q = tu_asprintf("%s/.rrdp/%064d", cdir, 0);
	CU_ASSERT_FALSE(exists(q));
	free(q);
	free(p);
	CU_ASSERT_EQUAL(cache_recover(c), 0);
	cache_close(c);
	tu_rmtree(dir);
	free(cdir);
	free(dir);
}

REEF_SUITE(cache, REEF_TEST(test_cache_commit), REEF_TEST(test_cache_recover),
    REEF_TEST(test_cache_mkdirs), REEF_TEST(test_cache_rrdp),
    REEF_TEST(test_cache_rrdp_recover))
