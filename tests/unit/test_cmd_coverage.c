/*
 * Tests for reef coverage (validator/cmd_coverage.c): the VRPs of an AS,
 * announced routes classified, RFC 9319 flagging of maxLength that
 * permits unannounced more-specifics, per-TA totals, JSON output and
 * exit status.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "validator/cmd_audit.h"
#include "audit_fixture.h"
#include "suite.h"
#include "util.h"

static const char * const cov_vrps[] = {
	"192.0.2.0/24 25 64500 0",	/* /24 and both /25: 3 prefixes */
	"198.51.100.0/24 24 64500 1",	/* exact: never loose */
	"203.0.113.0/24 24 64501 0",
	"2001:db8::/32 33 64500 1",
	NULL
};

static char *
cov_dir(void)
{
	struct fx_run run = { cov_vrps, NULL, NULL, NULL };

	return fx_outdir("coverage", &run);
}

static void
test_coverage_asn_only(void)
{
	struct fx_result r;
	char *dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = cov_dir());
	fx_run_in(cmd_coverage_run, NULL, &r, "coverage", "-o", dir,
	    "AS64500", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "VRPs for AS64500: 3"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "permits 3 prefixes"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "203.0.113.0/24"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "Per TA"));
	fx_result_free(&r);

	fx_run_in(cmd_coverage_run, NULL, &r, "coverage", "--json", "-o", dir,
	    "64500", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "asn"), 64500);
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "permitted"), 3);
	CU_ASSERT(fx_json_has(r.out, "ta", "ripe"));
	CU_ASSERT(fx_json_has(r.out, "ta", "arin"));
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "loose"), 1);  /* the first VRP */
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);
}

static void
test_coverage_routes(void)
{
	/* The /25s are only half announced; a duplicate counts once. */
	static const char routes[] =
	    "192.0.2.0/24 64500\n"
	    "192.0.2.0/25 64500\n"
	    "192.0.2.0/25 64500\n"
	    "198.51.100.0/24 64500\n"
	    "203.0.113.0/24 64500\n"
	    "10.0.0.0/8 64500\n"
	    "203.0.113.0/24 64501\n";
	struct fx_result r;
	char *dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = cov_dir());
	fx_run_in(cmd_coverage_run, routes, &r, "coverage", "-o", dir, "-f",
	    "-", "64500", NULL);
	/* An invalid route of AS64500: exit 1. */
	CU_ASSERT_EQUAL(r.rc, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out,
	    "Routes: 5 (3 valid, 1 invalid, 1 not-found)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "permits 1 unannounced prefix "));
	/* Routes of other ASes are left out when an AS is given. */
	CU_ASSERT_PTR_NULL(strstr(r.out, "AS64501 "));
	fx_result_free(&r);

	fx_run_in(cmd_coverage_run, routes, &r, "coverage", "--json", "-o",
	    dir, "-f", "-", NULL);
	CU_ASSERT_EQUAL(r.rc, 1);
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "routes"), 2);  /* first VRP */
	CU_ASSERT(fx_json_has(r.out, "state", "not-found"));
	CU_ASSERT(fx_json_has(r.out, "state", "invalid"));
	fx_result_free(&r);

	/* All more-specifics announced: no flag. */
	fx_run_in(cmd_coverage_run, "192.0.2.0/24 64500\n192.0.2.0/25 64500\n"
	    "192.0.2.128/25 64500\n", &r, "coverage", "-o", dir, "-f", "-",
	    "64500", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NULL(strstr(r.out, "192.0.2.0/24   25      AS64500  "
	    "ripe  3       maxLength"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "ripe  3"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "2001:db8::/32"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "permits 3 unannounced"));
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);
}

static void
test_coverage_errors(void)
{
	struct fx_result r;
	char *dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = cov_dir());
	fx_run_in(cmd_coverage_run, NULL, &r, "coverage", "-o", dir, NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "usage"));
	fx_result_free(&r);
	fx_run_in(cmd_coverage_run, NULL, &r, "coverage", "-o", dir, "ASX",
	    NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "bad AS number"));
	fx_result_free(&r);
	fx_run_in(cmd_coverage_run, "192.0.2.0/24 64500\njunk\n", &r,
	    "coverage", "-o", dir, "-f", "-", NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "stdin:2: "));
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);
}

REEF_SUITE(cmd_coverage,
    REEF_TEST(test_coverage_asn_only),
    REEF_TEST(test_coverage_routes),
    REEF_TEST(test_coverage_errors))
