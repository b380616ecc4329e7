/*
 * Tests for reef check (validator/cmd_check.c): single routes and their
 * exit status, text and JSON output (re-read with common/jsonread),
 * batch input from stdin and files with malformed lines named by line
 * number, bgpdump input, and usage errors.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "validator/cmd_audit.h"
#include "audit_fixture.h"
#include "suite.h"
#include "util.h"

static const char * const check_vrps[] = {
	"192.0.2.0/24 24 64500 0",
	"198.51.100.0/22 24 64501 1",
	"198.51.100.0/24 24 64502 0",
	"203.0.113.0/24 24 0 0",
	"2001:db8::/32 48 64505 1",
	NULL
};

static char *
check_dir(void)
{
	struct fx_run run = { check_vrps, NULL, NULL, NULL };

	return fx_outdir("check", &run);
}

static void
test_check_single(void)
{
	struct fx_result r;
	char *dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = check_dir());
	fx_run_in(cmd_check_run, NULL, &r, "check", "-o", dir,
	    "192.0.2.0/24", "AS64500", NULL);
	CU_ASSERT_EQUAL(r.rc, CHECK_EXIT_VALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "192.0.2.0/24 AS64500: valid"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "Matching VRPs"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "ripe"));
	/* No colour codes when not on a terminal. */
	CU_ASSERT_PTR_NULL(strchr(r.out, '\033'));
	fx_result_free(&r);

	fx_run_in(cmd_check_run, NULL, &r, "check", "-o", dir,
	    "198.51.100.0/25", "64501", NULL);
	CU_ASSERT_EQUAL(r.rc, CHECK_EXIT_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "invalid"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "do not match"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "length"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "asn+length"));
	fx_result_free(&r);

	fx_run_in(cmd_check_run, NULL, &r, "check", "--output-dir", dir,
	    "10.0.0.0/8", "64500", NULL);
	CU_ASSERT_EQUAL(r.rc, CHECK_EXIT_NOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "not-found"));
	fx_result_free(&r);

	/* AS 0 VRP: invalid whatever the origin; NONE never valid. */
	fx_run_in(cmd_check_run, NULL, &r, "check", "-o", dir,
	    "203.0.113.0/24", "0", NULL);
	CU_ASSERT_EQUAL(r.rc, CHECK_EXIT_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "as0"));
	fx_result_free(&r);
	fx_run_in(cmd_check_run, NULL, &r, "check", "-o", dir,
	    "192.0.2.0/24", "NONE", NULL);
	CU_ASSERT_EQUAL(r.rc, CHECK_EXIT_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "NONE"));
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);
}

static void
test_check_json(void)
{
	struct fx_result r;
	char *dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = check_dir());
	fx_run_in(cmd_check_run, NULL, &r, "check", "--json", "-o", dir,
	    "198.51.100.0/24", "64502", NULL);
	CU_ASSERT_EQUAL(r.rc, CHECK_EXIT_VALID);
	CU_ASSERT(fx_json_has(r.out, "state", "valid"));
	CU_ASSERT(fx_json_has(r.out, "generated", "2024-01-01T00:00:00Z"));
	CU_ASSERT(fx_json_has(r.out, "ta", "ripe"));
	CU_ASSERT(fx_json_has(r.out, "ta", "arin"));	/* the /22 covers */
	CU_ASSERT(fx_json_has(r.out, "reason", "asn"));
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "valid"), 1);
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "origin"), 64502);
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "maxLength"), 24);
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);
}

static void
test_check_batch(void)
{
	static const char input[] =
	    "# routes\n"
	    "192.0.2.0/24 AS64500\n"
	    "2001:db8:1::/48 64505\n"
	    "2001:db8:1::/49 64505\n"
	    "10.0.0.0/8 64500\n"
	    "TABLE_DUMP2|1|B|192.0.2.1|64496|192.0.2.0/24|64496 64500|IGP\n";
	struct fx_result r;
	char *dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = check_dir());
	/* The worst state wins: invalid. */
	fx_run_in(cmd_check_run, input, &r, "check", "-o", dir, NULL);
	CU_ASSERT_EQUAL(r.rc, CHECK_EXIT_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "PREFIX"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out,
	    "5 routes: 3 valid, 1 invalid, 1 not-found"));
	CU_ASSERT_STRING_EQUAL(r.err, "");
	fx_result_free(&r);

	/* Only valid and not-found: not-found. */
	fx_run_in(cmd_check_run, "192.0.2.0/24 64500\n10.0.0.0/8 1\n", &r,
	    "check", "-o", dir, "-", NULL);
	CU_ASSERT_EQUAL(r.rc, CHECK_EXIT_NOTFOUND);
	fx_result_free(&r);

	/* Empty input: nothing wrong. */
	fx_run_in(cmd_check_run, "", &r, "check", "-o", dir, NULL);
	CU_ASSERT_EQUAL(r.rc, CHECK_EXIT_VALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "0 routes"));
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);
}

static void
test_check_batch_malformed(void)
{
	static const char input[] =
	    "192.0.2.0/24 AS64500\n"
	    "192.0.2.0/24\n"
	    "192.0.2.1/24 64500\n"
	    "192.0.2.0/24 64500\n";
	struct fx_result r;
	char *dir, *file;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = check_dir());
	file = tu_asprintf("%s/routes.txt", dir);
	CU_ASSERT_FATAL(tu_write_file(file, input, strlen(input)) == 0);
	fx_run_in(cmd_check_run, NULL, &r, "check", "-o", dir, "--json",
	    "-f", file, NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "routes.txt:2: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "routes.txt:3: bad prefix"));
	CU_ASSERT_PTR_NULL(strstr(r.err, "routes.txt:4"));
	/* The good lines are still reported, with their line numbers. */
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "malformed"), 2);
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "routes"), 2);
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "line"), 1);
	fx_result_free(&r);
	free(file);
	tu_rmtree(dir);
	free(dir);
}

static void
test_check_errors(void)
{
	struct fx_result r;
	char *dir, *missing;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = check_dir());
	fx_run_in(cmd_check_run, NULL, &r, "check", "-o", dir,
	    "192.0.2.0/24", NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "usage"));
	fx_result_free(&r);
	fx_run_in(cmd_check_run, NULL, &r, "check", "-o", dir,
	    "192.0.2.0/24", "AS1.5", NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "bad AS number"));
	fx_result_free(&r);
	fx_run_in(cmd_check_run, NULL, &r, "check", "--bogus", NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "unknown option --bogus"));
	fx_result_free(&r);
	fx_run_in(cmd_check_run, NULL, &r, "check", "-o", NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "needs a value"));
	fx_result_free(&r);
	missing = tu_asprintf("%s/nothing", dir);
	fx_run_in(cmd_check_run, NULL, &r, "check", "-o", missing,
	    "192.0.2.0/24", "1", NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "reef.handoff"));
	fx_result_free(&r);
	fx_run_in(cmd_check_run, NULL, &r, "check", "-o", dir, "-f", missing,
	    NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	fx_result_free(&r);
	fx_run_in(cmd_check_run, NULL, &r, "check", "--help", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "usage"));
	fx_result_free(&r);
	free(missing);
	tu_rmtree(dir);
	free(dir);
}

REEF_SUITE(cmd_check,
    REEF_TEST(test_check_single),
    REEF_TEST(test_check_json),
    REEF_TEST(test_check_batch),
    REEF_TEST(test_check_batch_malformed),
    REEF_TEST(test_check_errors))
