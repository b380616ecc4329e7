/*
 * Tests for reef diff (validator/cmd_diff.c) on two hand-written output
 * directories: VRPs, ASPAs and router keys announced and withdrawn,
 * grouping by TA and CA, object changes from the two reports, JSON and
 * exit status.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "validator/cmd_audit.h"
#include "audit_fixture.h"
#include "suite.h"
#include "util.h"

#define R "rsync://rpki.example/repo/"

static const char * const old_vrps[] = {
	"192.0.2.0/24 24 64500 0",
	"198.51.100.0/24 24 64501 1",
	"2001:db8::/32 48 64502 1",
	NULL
};
static const char * const new_vrps[] = {
	"192.0.2.0/24 24 64500 0",
	"203.0.113.0/24 24 64503 0",
	"2001:db8::/32 48 64502 1",
	NULL
};
static const char * const old_aspas[] = { "64500 1 2", "64501 3", NULL };
static const char * const new_aspas[] = { "64500 1 2 4", NULL };
static const char * const old_keys[] = { "64500 170 0", NULL };
static const char * const new_keys[] = { "64500 170 0", "64501 187 1", NULL };

static const char old_report[] =
    "{\"accepted\": 2, \"rejected\": 0, \"dropped\": 0, \"objects\": [\n"
    " {\"uri\": \"" R "a/gone.roa\", \"type\": \"roa\", \"accepted\": true,"
    "  \"issuer\": \"" R "a.cer\", \"asn\": 64501,"
    "  \"prefixes\": [{\"prefix\": \"198.51.100.0/24\", \"max_length\": 24}]},\n"
    " {\"uri\": \"" R "b/x.roa\", \"type\": \"roa\", \"accepted\": true},\n"
    " {\"uri\": \"" R "b/y.mft\", \"type\": \"mft\", \"accepted\": true}\n"
    "]}\n";
static const char new_report[] =
    "{\"accepted\": 2, \"rejected\": 1, \"dropped\": 0, \"objects\": [\n"
    " {\"uri\": \"" R "b/x.roa\", \"type\": \"roa\", \"accepted\": false,"
    "  \"reason\": \"RFC 6487 section 4.8.8: expired\"},\n"
    " {\"uri\": \"" R "b/y.mft\", \"type\": \"mft\", \"accepted\": true},\n"
    " {\"uri\": \"" R "c/new.roa\", \"type\": \"roa\", \"accepted\": true,"
    "  \"issuer\": \"" R "c.cer\", \"asn\": 64503,"
    "  \"prefixes\": [{\"prefix\": \"203.0.113.0/24\", \"max_length\": 24}]}\n"
    "]}\n";

static void
dirs(char **o, char **n)
{
	struct fx_run a = { old_vrps, old_aspas, old_keys, old_report };
	struct fx_run b = { new_vrps, new_aspas, new_keys, new_report };

	CU_ASSERT_PTR_NOT_NULL_FATAL(*o = fx_outdir("diffold", &a));
	CU_ASSERT_PTR_NOT_NULL_FATAL(*n = fx_outdir("diffnew", &b));
}

static void
cleanup(char *o, char *n)
{
	tu_rmtree(o);
	tu_rmtree(n);
	free(o);
	free(n);
}

static void
test_diff_text(void)
{
	struct fx_result r;
	char *o, *n;

	dirs(&o, &n);
	fx_run(cmd_diff_run, &r, "diff", o, n, NULL);
	CU_ASSERT_EQUAL(r.rc, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "VRPs: +1 -1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "  TA arin\n    CA " R "a.cer\n"
	    "      - 198.51.100.0/24-24 AS64501  (" R "a/gone.roa)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "  TA ripe\n    CA " R "c.cer\n"
	    "      + 203.0.113.0/24-24 AS64503"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "192.0.2.0/24"));
	/* A changed provider list is an announcement; a gone customer a withdrawal. */
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "ASPAs: +1 -1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "+ AS64500 providers AS1,AS2,AS4"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "- AS64501 providers AS3"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "Router keys: +1 -0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "+ AS64501 SKI BBBB"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out,
	    "Objects: 1 added, 1 removed, 1 changed"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "~ " R "b/x.roa (roa) accepted -> "
	    "rejected: RFC 6487 section 4.8.8: expired"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "- " R "a/gone.roa"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "+ " R "c/new.roa"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "y.mft"));
	fx_result_free(&r);
	cleanup(o, n);
}

static void
test_diff_json(void)
{
	struct fx_result r;
	char *o, *n;

	dirs(&o, &n);
	fx_run(cmd_diff_run, &r, "diff", "--json", o, n, NULL);
	CU_ASSERT_EQUAL(r.rc, 1);
	CU_ASSERT(fx_json_has(r.out, "prefix", "203.0.113.0/24"));
	CU_ASSERT(fx_json_has(r.out, "ca", R "c.cer"));
	CU_ASSERT(fx_json_has(r.out, "roa", R "a/gone.roa"));
	CU_ASSERT(fx_json_has(r.out, "change", "changed"));
	CU_ASSERT(fx_json_has(r.out, "change", "added"));
	CU_ASSERT(fx_json_has(r.out, "ski",
	    "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"));
	CU_ASSERT(fx_json_has(r.out, "generated", "2024-01-01T00:00:00Z"));
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "customer"), 64500);
	fx_result_free(&r);
	cleanup(o, n);
}

static void
test_diff_same_and_errors(void)
{
	struct fx_result r;
	char *o, *n;

	dirs(&o, &n);
	fx_run(cmd_diff_run, &r, "diff", n, n, NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "VRPs: +0 -0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "0 added, 0 removed, 0 changed"));
	fx_result_free(&r);
	fx_run(cmd_diff_run, &r, "diff", o, NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "usage"));
	fx_result_free(&r);
	fx_run(cmd_diff_run, &r, "diff", o, "/nonexistent/reef", NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "/nonexistent/reef"));
	fx_result_free(&r);
	cleanup(o, n);
}

REEF_SUITE(cmd_diff,
    REEF_TEST(test_diff_text),
    REEF_TEST(test_diff_json),
    REEF_TEST(test_diff_same_and_errors))
