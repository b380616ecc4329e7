/*
 * Integration: one full `reef validate` under valgrind (memcheck), with
 * no memory error and no definite or indirect leak.  The run is online,
 * against a tiny reef-repogen repository served on 127.0.0.1 by
 * tests/tools/serve.sh, with one repository's RRDP tree removed so that
 * it falls back to rsync: the fetcher's RRDP and rsync paths (rsync is
 * spawned, and not traced), the tree walk, every output writer, the
 * output directory switch and the metrics all run.
 *
 * Skipped, with the reason printed, when valgrind is not installed, in a
 * sanitizer build (ASan and valgrind do not mix), without rsync, nginx
 * or the built programs, or with REEF_TESTS_UNIT_ONLY set.
 */
#include <dirent.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests/integration/validate_util.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* A sanitizer build of the runner means one of reef too. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZER_BUILD	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZER_BUILD	1
#endif
#endif
#ifndef SANITIZER_BUILD
#define SANITIZER_BUILD	0
#endif

/* Generator seed and base time (reef-repogen(1) --time default). */
#define GEN_SEED		5502
#define GEN_BASE		1767225600LL
#define AT_VALID		(GEN_BASE + 86400)
/* Wall-clock cap of the run under valgrind (timeout(1)), reef's own. */
#define RUN_TIMEOUT		240
#define FETCH_TIMEOUT		120
/* valgrind's exit status when it found an error (--error-exitcode). */
#define VALGRIND_ERROR		99
#define VALGRIND_OPTS		"--leak-check=full " \
				"--errors-for-leak-kinds=definite,indirect " \
				"--error-exitcode=99 --trace-children=no"

static struct vu_fix fx;

static int
cleanup(void)
{
	vu_finish(&fx);
	return 0;
}

/* 1 if gen's rsync tree holds objects in module m. */
static int
module_used(const char *gen, const char *m)
{
	return tu_system("[ -n \"$(ls -A '%s/rsync/%s')\" ]", gen, m) == 0;
}

/*
 * The first non-TA module of gen (a directory of gen/rrdp) holding
 * objects, or NULL; malloc'd.
 */
static char *
rrdp_module(const char *gen)
{
	char *path = tu_asprintf("%s/rrdp", gen), *m = NULL;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' &&
			    strncmp(de->d_name, "repo-ta", 7) != 0 &&
			    (m == NULL || strcmp(de->d_name, m) < 0) &&
			    module_used(gen, de->d_name)) {
				free(m);
				m = tu_asprintf("%s", de->d_name);
			}
		closedir(d);
	}
	free(path);
	return m;
}

/* The run, its VRPs against the generator's, both fetch protocols. */
static void
test_valgrind_validate(void)
{
	char *g1, *var, *mod, *cache, *out, *log, *reef;
	const struct passwd *pw;
	struct vu_lines got, want;
	struct timespec t0, t1;
	int st;

	if (getenv("REEF_TESTS_UNIT_ONLY") == NULL &&
	    tu_system("command -v valgrind >/dev/null 2>&1") != 0) {
		vu_skip("valgrind is not installed");
		return;
	}
	if (SANITIZER_BUILD) {
		vu_skip("sanitizer build: valgrind cannot run ASan programs");
		return;
	}
	if (vu_start(&fx, "valgrind", VU_TOOLS, GEN_SEED,
	    "--scale tiny") != 1)
		return;
	memset(&got, 0, sizeof(got));
	memset(&want, 0, sizeof(want));
	g1 = tu_asprintf("%s/gen1", fx.repo);
	var = tu_asprintf("%s/norrdp", fx.dir);
	cache = tu_asprintf("%s/cache", fx.dir);
	out = tu_asprintf("%s/out", fx.dir);
	log = vu_run_log(&fx);
	reef = vu_reef_path();
	mod = rrdp_module(g1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mod);
	CU_ASSERT_EQUAL_FATAL(tu_system("cp -al '%s' '%s' && rm -rf "
	    "'%s/rrdp/%s'", g1, var, var, mod), 0);
	vu_switch(&fx, var);

	/* --user: the test's own user, even when _reef exists. */
	pw = getpwuid(geteuid());
	CU_ASSERT_PTR_NOT_NULL_FATAL(pw);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = tu_system("timeout %d valgrind " VALGRIND_OPTS " '%s' validate "
	    "-v -t '%s/tals' -d '%s' -o '%s' --user '%s' "
	    "--allow-dubious-hosts --ca-file '%s' --timeout %d -f all "
	    "--at @%lld >'%s' 2>&1", RUN_TIMEOUT, reef, fx.repo, cache, out,
	    pw->pw_name, fx.ca_file, FETCH_TIMEOUT, AT_VALID, log);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("\n    reef validate under valgrind: exit %d in %.1f s ", st,
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	CU_ASSERT_NOT_EQUAL(st, VALGRIND_ERROR);
	CU_ASSERT_EQUAL(st, 0);
	/* valgrind ran and counted the leaks as errors: none. */
	CU_ASSERT(vu_file_has(log, "ERROR SUMMARY: 0 errors"));
	/* Both fetch protocols ran. */
	CU_ASSERT(vu_file_has(log, "fetched over rrdp"));
	CU_ASSERT(vu_file_has(log, "fetched over rsync"));
	CU_ASSERT_EQUAL(vu_read_vrps(out, &got), 0);
	CU_ASSERT_EQUAL(vu_expected(g1, "vrps.csv", &want), 0);
	CU_ASSERT(want.n > 0);
	CU_ASSERT(vu_lines_same("VRPs", &got, &want, 1));
	if (CU_get_number_of_failures() != fx.failures)
		vu_show_log(log);
	vu_lines_free(&got);
	vu_lines_free(&want);
	free(g1);
	free(var);
	free(mod);
	free(cache);
	free(out);
	free(log);
	free(reef);
}

REEF_SUITE_FULL(integration_valgrind, NULL, cleanup,
    REEF_TEST(test_valgrind_validate));
