/*
 * The output directory's layout (validator/outdir.c): a run's files
 * switch as a set through the .current link, formats a run does not
 * write disappear, plain files of older versions are adopted, leftovers
 * of killed runs are cleaned up, and the readers (reef-rtrd's input,
 * the auditors' runout_load()) follow every switch.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/vrpset.h"
#include "rtrd/input.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/outdir.h"
#include "validator/output.h"
#include "validator/runout.h"

#define T0	1700000000LL
/* Most entries listed in one output directory by the tests. */
#define MAX_ENTRIES	16

static const char *const pub[] = { "a", "b", "c" };
#define NPUB	(sizeof(pub) / sizeof(pub[0]))

/* The entries of dir other than "." and "..", sorted, joined by spaces. */
static char *
listing(const char *dir)
{
	char *names[MAX_ENTRIES], *out, *tmp;
	struct dirent *de;
	size_t n = 0, i, j;
	DIR *d;

	out = tu_asprintf("%s", "");
	if ((d = opendir(dir)) == NULL)
		return out;
	while ((de = readdir(d)) != NULL && n < MAX_ENTRIES)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			names[n++] = tu_asprintf("%s", de->d_name);
	closedir(d);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			tmp = names[j];
			names[j] = names[j - 1];
			names[j - 1] = tmp;
		}
	for (i = 0; i < n; i++) {
		tmp = tu_asprintf("%s%s%s", out, i > 0 ? " " : "", names[i]);
		free(out);
		free(names[i]);
		out = tmp;
	}
	return out;
}

/*
 * 1 if dir holds .current, one run directory (the one .current names)
 * and then exactly the public names in want (a space-separated list,
 * sorted).
 */
static int
layout_is(const char *dir, const char *want)
{
	char link[64], *expect, *got, *cur;
	ssize_t n;
	int ok;

	got = listing(dir);
	cur = tu_asprintf("%s/%s", dir, OUTDIR_CURRENT);
	n = readlink(cur, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	free(cur);
	expect = tu_asprintf("%s %s%s%s", OUTDIR_CURRENT, link,
	    want[0] != '\0' ? " " : "", want);
	ok = n > 0 && strncmp(link, OUTDIR_RUN_PREFIX,
	    strlen(OUTDIR_RUN_PREFIX)) == 0 && strcmp(got, expect) == 0;
	if (!ok)
		printf("\n    %s holds \"%s\", not \"%s\"", dir, got, expect);
	free(got);
	free(expect);
	return ok;
}

/* 1 if dir/name can be read and holds exactly want. */
static int
content_is(const char *dir, const char *name, const char *want)
{
	char *path = tu_asprintf("%s/%s", dir, name);
	unsigned char *buf = tu_read_file(path, NULL);
	int ok = buf != NULL && strcmp((char *)buf, want) == 0;

	free(buf);
	free(path);
	return ok;
}

/* 1 if dir/name is the link to .current/name. */
static int
is_public_link(const char *dir, const char *name)
{
	char buf[64], *path = tu_asprintf("%s/%s", dir, name);
	char *want = tu_asprintf("%s/%s", OUTDIR_CURRENT, name);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	int ok;

	buf[n > 0 ? n : 0] = '\0';
	ok = n > 0 && strcmp(buf, want) == 0;
	free(path);
	free(want);
	return ok;
}

/* Publish one run writing the names of list (space-separated) as text. */
static int
run_with(const char *dir, const char *list, const char *text)
{
	struct outdir_run *r;
	char *copy = tu_asprintf("%s", list), *name, *save = NULL;
	FILE *fp;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r = outdir_run_begin(dir));
	for (name = strtok_r(copy, " ", &save); name != NULL;
	    name = strtok_r(NULL, " ", &save)) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(fp = outdir_run_create(r, name));
		CU_ASSERT(fputs(text, fp) >= 0);
		CU_ASSERT_EQUAL(outdir_run_close(r, fp), 0);
	}
	free(copy);
	return outdir_run_publish(r, pub, NPUB);
}

/* Two runs: the second replaces the first as a set; modes; no clutter. */
static void
test_outdir_switch(void)
{
	char *dir = tu_tmpdir("outdir"), *first, *run;
	struct stat st;

	CU_ASSERT_EQUAL_FATAL(run_with(dir, "a b", "one"), 0);
	CU_ASSERT(layout_is(dir, "a b"));
	CU_ASSERT(content_is(dir, "a", "one") && content_is(dir, "b", "one"));
	CU_ASSERT(is_public_link(dir, "a") && is_public_link(dir, "b"));
	first = listing(dir);
	run = tu_asprintf("%s/%s", dir, OUTDIR_CURRENT);
	CU_ASSERT(stat(run, &st) == 0 && (st.st_mode & 07777) ==
	    OUTDIR_DIR_MODE);
	free(run);
	run = tu_asprintf("%s/a", dir);
	CU_ASSERT(stat(run, &st) == 0 && (st.st_mode & 07777) ==
	    OUTDIR_FILE_MODE);
	free(run);

	/* b is not written any more: it goes; c is new. */
	CU_ASSERT_EQUAL_FATAL(run_with(dir, "a c", "two"), 0);
	CU_ASSERT(layout_is(dir, "a c"));
	CU_ASSERT(content_is(dir, "a", "two") && content_is(dir, "c", "two"));
	/* The first run's directory was removed (a new name replaced it). */
	run = listing(dir);
	CU_ASSERT(strcmp(run, first) != 0);
	free(run);
	free(first);

	/* A run writing nothing leaves only its (empty) run directory. */
	CU_ASSERT_EQUAL(run_with(dir, "", "x"), 0);
	CU_ASSERT(layout_is(dir, ""));
	tu_rmtree(dir);
	free(dir);
}

/* An aborted run changes nothing and leaves nothing. */
static void
test_outdir_abort(void)
{
	char *dir = tu_tmpdir("outdir"), *before, *after;
	struct outdir_run *r;
	FILE *fp;

	CU_ASSERT_EQUAL_FATAL(run_with(dir, "a", "one"), 0);
	before = listing(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = outdir_run_begin(dir));
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = outdir_run_create(r, "a"));
	fputs("two", fp);
	CU_ASSERT_EQUAL(outdir_run_close(r, fp), 0);
	/* Creating a name twice fails (O_EXCL). */
	CU_ASSERT_PTR_NULL(outdir_run_create(r, "a"));
	outdir_run_abort(r);
	after = listing(dir);
	CU_ASSERT_STRING_EQUAL(after, before);
	CU_ASSERT(content_is(dir, "a", "one"));
	free(before);
	free(after);
	CU_ASSERT_PTR_NULL(outdir_run_begin("/nonexistent/outdir"));
	tu_rmtree(dir);
	free(dir);
}

/* Plain files of an older version become links; stale ones go. */
static void
test_outdir_adopt(void)
{
	char *dir = tu_tmpdir("outdir"), *path;

	path = tu_asprintf("%s/a", dir);
	CU_ASSERT_EQUAL(tu_write_file(path, "old", 3), 0);
	free(path);
	path = tu_asprintf("%s/b", dir);
	CU_ASSERT_EQUAL(tu_write_file(path, "old", 3), 0);
	free(path);
	CU_ASSERT_EQUAL_FATAL(run_with(dir, "a", "new"), 0);
	CU_ASSERT(layout_is(dir, "a"));
	CU_ASSERT(content_is(dir, "a", "new"));
	CU_ASSERT(is_public_link(dir, "a"));
	tu_rmtree(dir);
	free(dir);
}

/* outdir_clean() removes what killed runs left, and only that. */
static void
test_outdir_clean(void)
{
	char *dir = tu_tmpdir("outdir"), *p;

	CU_ASSERT_EQUAL_FATAL(run_with(dir, "a b", "one"), 0);
	/* A run killed before its switch, and one during it. */
	p = tu_asprintf("%s/%sAbCdEf", dir, OUTDIR_RUN_PREFIX);
	CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
	free(p);
	p = tu_asprintf("%s/%sAbCdEf/a", dir, OUTDIR_RUN_PREFIX);
	CU_ASSERT_EQUAL(tu_write_file(p, "half", 4), 0);
	free(p);
	p = tu_asprintf("%s/%s.AbCdEf", dir, OUTDIR_CURRENT);
	CU_ASSERT_EQUAL(symlink(".run.AbCdEf", p), 0);
	free(p);
	/* Not reef's: kept. */
	p = tu_asprintf("%s/.runaway", dir);
	CU_ASSERT_EQUAL(tu_write_file(p, "x", 1), 0);
	free(p);
	outdir_clean(dir);
	CU_ASSERT(layout_is(dir, ".runaway a b"));
	CU_ASSERT(content_is(dir, "a", "one") && content_is(dir, "b", "one"));
	tu_rmtree(dir);
	free(dir);
}

/* Output data with n VRPs (192.0.2.i/32), hand-off and report only. */
static struct vrpset *
vrps_of(int n)
{
	struct vrpset *s = vrpset_new();
	struct vrp v;
	char pfx[32];
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (i = 0; i < n; i++) {
		memset(&v, 0, sizeof(v));
		snprintf(pfx, sizeof(pfx), "192.0.2.%d/32", i);
		CU_ASSERT_EQUAL_FATAL(prefix_parse(pfx, &v.prefix), 0);
		v.maxlen = 32;
		v.asn = 64496;
		v.expires = T0 + 86400;
		CU_ASSERT_EQUAL_FATAL(vrpset_add(s, &v), 0);
	}
	CU_ASSERT_EQUAL_FATAL(vrpset_freeze(s), 0);
	return s;
}

/* Write a run of n VRPs with output_write_all(); its status. */
static int
write_vrps(const char *dir, int n, unsigned int flags)
{
	static const char *const tas[] = { "ta" };
	struct output_data d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.vrps = vrps_of(n);
	d.ta_names = tas;
	d.nta = 1;
	d.buildtime = T0;
	rc = output_write_all(dir, flags, &d);
	vrpset_free((struct vrpset *)d.vrps);
	return rc;
}

/* reef-rtrd's input and runout_load() see every run, and only whole ones. */
static void
test_outdir_readers(void)
{
	char *dir = tu_tmpdir("outdir"), err[RUNOUT_ERRLEN];
	struct input_stamp stamp;
	struct input_set set;
	struct runout ro;
	int n;

	memset(&stamp, 0, sizeof(stamp));
	CU_ASSERT_EQUAL_FATAL(write_vrps(dir, 1, OUTPUT_HANDOFF |
	    OUTPUT_REPORT), 0);
	CU_ASSERT_EQUAL(input_changed(dir, &stamp), 1);
	CU_ASSERT_EQUAL(input_changed(dir, &stamp), 0);
	for (n = 2; n <= 4; n++) {
		CU_ASSERT_EQUAL_FATAL(write_vrps(dir, n, OUTPUT_HANDOFF |
		    OUTPUT_REPORT), 0);
		CU_ASSERT_EQUAL(input_changed(dir, &stamp), 1);
		CU_ASSERT_EQUAL(input_changed(dir, &stamp), 0);
		CU_ASSERT_EQUAL_FATAL(input_load(dir, T0, &set, err,
		    sizeof(err)), 0);
		CU_ASSERT_EQUAL(vrpset_count(set.vrps), (size_t)n);
		input_set_free(&set);
		CU_ASSERT_EQUAL_FATAL(runout_load(dir, RUNOUT_NEED_REPORT, &ro,
		    err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(vrpset_count(ro.ho.vrps), (size_t)n);
		CU_ASSERT(ro.has_report);
		runout_free(&ro);
	}
	/* A run without the hand-off: the file is gone, not stale. */
	CU_ASSERT_EQUAL_FATAL(write_vrps(dir, 5, OUTPUT_CSV), 0);
	CU_ASSERT(layout_is(dir, "vrps.csv"));
	CU_ASSERT_EQUAL(input_changed(dir, &stamp), -1);
	CU_ASSERT_EQUAL(input_load(dir, T0, &set, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(runout_load(dir, 0, &ro, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "reef.handoff"));
	tu_rmtree(dir);
	free(dir);
}

/* A failed write leaves the outputs and the directory as they were. */
static void
test_outdir_failed_write(void)
{
	char *dir = tu_tmpdir("outdir"), *before, *after;
	struct output_data d;

	CU_ASSERT_EQUAL_FATAL(write_vrps(dir, 2, OUTPUT_CSV |
	    OUTPUT_HANDOFF), 0);
	before = listing(dir);
	memset(&d, 0, sizeof(d));
	/* An unfrozen set: the hand-off writer refuses it. */
	d.vrps = vrpset_new();
	CU_ASSERT_EQUAL(output_write_all(dir, OUTPUT_CSV | OUTPUT_HANDOFF,
	    &d), -1);
	vrpset_free((struct vrpset *)d.vrps);
	after = listing(dir);
	CU_ASSERT_STRING_EQUAL(after, before);
	CU_ASSERT(layout_is(dir, "reef.handoff vrps.csv"));
	free(before);
	free(after);
	tu_rmtree(dir);
	free(dir);
}

REEF_SUITE(outdir,
    REEF_TEST(test_outdir_switch),
    REEF_TEST(test_outdir_abort),
    REEF_TEST(test_outdir_adopt),
    REEF_TEST(test_outdir_clean),
    REEF_TEST(test_outdir_readers),
    REEF_TEST(test_outdir_failed_write));
