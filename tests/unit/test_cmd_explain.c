/*
 * Tests for reef explain (validator/cmd_explain.c) and the report loader
 * (validator/runout.c): the chain behind a VRP from a report carrying
 * issuer, manifest, validity and ROA contents; rejected ROAs for a
 * missing VRP; a URI's fate; graceful output from a report without the
 * chain; malformed reports.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "validator/cmd_audit.h"
#include "validator/runout.h"
#include "audit_fixture.h"
#include "suite.h"
#include "util.h"

#define R "rsync://rpki.example/repo/"

static const char * const ex_vrps[] = {
	"192.0.2.0/24 24 64500 0",
	NULL
};

static const char ex_report[] =
    "{\"accepted\": 4, \"rejected\": 1, \"dropped\": 0, \"objects\": [\n"
    " {\"uri\": \"" R "ta.cer\", \"type\": \"cer\", \"accepted\": true,"
    "  \"issuer\": \"\", \"ta\": \"ripe\","
    "  \"not_before\": \"2023-01-01T00:00:00Z\","
    "  \"not_after\": \"2033-01-01T00:00:00Z\"},\n"
    " {\"uri\": \"" R "ca/ca.cer\", \"type\": \"cer\", \"accepted\": true,"
    "  \"issuer\": \"" R "ta.cer\", \"ta\": \"ripe\","
    "  \"manifest\": \"" R "ta.mft\","
    "  \"not_before\": \"2024-01-01T00:00:00Z\","
    "  \"not_after\": \"2025-01-01T00:00:00Z\"},\n"
    " {\"uri\": \"" R "ca/bad.roa\", \"type\": \"roa\", \"accepted\": false,"
    "  \"reason\": \"RFC 9582 section 4.3.2: resources not covered\","
    "  \"rule\": \"RFC 9582 section 4.3.2\","
    "  \"issuer\": \"" R "ca/ca.cer\", \"asn\": 64501,"
    "  \"prefixes\": [{\"prefix\": \"198.51.100.0/24\", \"max_length\": 24}]},\n"
    " {\"uri\": \"" R "ca/good.roa\", \"type\": \"roa\", \"accepted\": true,"
    "  \"issuer\": \"" R "ca/ca.cer\", \"manifest\": \"" R "ca/ca.mft\","
    "  \"not_before\": \"2024-01-01T00:00:00Z\","
    "  \"not_after\": \"2024-07-01T00:00:00Z\", \"asn\": 64500,"
    "  \"prefixes\": [{\"prefix\": \"192.0.2.0/24\", \"max_length\": 24},"
    "   {\"prefix\": \"192.0.3.0/24\"}], \"future\": {\"x\": [1]}},\n"
    " {\"uri\": \"" R "ca/ca.mft\", \"type\": \"mft\", \"accepted\": true,"
    "  \"this_update\": \"2024-01-01T00:00:00Z\","
    "  \"next_update\": \"2024-01-02T00:00:00Z\"}\n"
    "]}\n";

static const char ex_plain_report[] =
    "{\"accepted\": 1, \"rejected\": 1, \"dropped\": 0, \"objects\": [\n"
    " {\"uri\": \"" R "ca/bad.roa\", \"type\": \"roa\", \"accepted\": false,"
    "  \"reason\": \"malformed (see the log)\"},\n"
    " {\"uri\": \"" R "ca/good.roa\", \"type\": \"roa\", \"accepted\": true}\n"
    "]}\n";

static void
test_runout_parse(void)
{
	struct runout ro;
	const struct runout_obj *o;
	char err[RUNOUT_ERRLEN];

	memset(&ro, 0, sizeof(ro));
	CU_ASSERT_FATAL(runout_parse_report(ex_report, strlen(ex_report), &ro,
	    err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(ro.nobjs, 5);
	CU_ASSERT_EQUAL(ro.accepted, 4);
	CU_ASSERT_EQUAL(ro.rejected, 1);
	CU_ASSERT(ro.has_chain);
	CU_ASSERT(ro.has_payloads);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o = runout_find(&ro, R "ca/good.roa"));
	CU_ASSERT_EQUAL(o->asn, 64500);
	CU_ASSERT_EQUAL_FATAL(o->nprefixes, 2);
	CU_ASSERT_EQUAL(o->prefixes[1].maxlen, 24);	/* defaults to length */
	CU_ASSERT(o->has_validity);
	CU_ASSERT_EQUAL(o->not_after, 1719792000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o = runout_issuer(&ro, o));
	CU_ASSERT_STRING_EQUAL(o->uri, R "ca/ca.cer");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o = runout_issuer(&ro, o));
	CU_ASSERT_PTR_NULL(runout_issuer(&ro, o));	/* the TA */
	CU_ASSERT_PTR_NULL(runout_find(&ro, R "nothing"));
	runout_free(&ro);

	/* Malformed reports are refused with a position. */
	CU_ASSERT(runout_parse_report("{\"objects\": [{}]}", 17, &ro, err,
	    sizeof(err)) == -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "uri"));
	CU_ASSERT_EQUAL(ro.nobjs, 0);
	CU_ASSERT(runout_parse_report("[1]", 3, &ro, err, sizeof(err)) == -1);
	CU_ASSERT(runout_parse_report("{\"objects\": [{\"uri\": \"x\", "
	    "\"accepted\": 1}]}", 40, &ro, err, sizeof(err)) == -1);
	CU_ASSERT(runout_parse_report("{\"objects\": [{\"uri\": \"x\", "
	    "\"not_after\": \"soon\"}]}", 46, &ro, err, sizeof(err)) == -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad time"));
	runout_free(&ro);
}

static char *
ex_dir(const char *report)
{
	struct fx_run run = { ex_vrps, NULL, NULL, report };

	return fx_outdir("explain", &run);
}

static void
test_explain_chain(void)
{
	struct fx_result r;
	char *dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = ex_dir(ex_report));
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, "192.0.2.0/24",
	    "AS64500", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "192.0.2.0/24 AS64500: valid"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "VRP 192.0.2.0/24-24 AS64500"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, R "ca/good.roa"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "2024-07-01T00:00:00Z"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, R "ca/ca.mft"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, R "ca/ca.cer"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, R "ta.cer"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "records no issuer"));
	fx_result_free(&r);

	fx_run(cmd_explain_run, &r, "explain", "--json", "-o", dir,
	    "192.0.2.0/24", "AS64500", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(fx_json_has(r.out, "state", "valid"));
	CU_ASSERT(fx_json_has(r.out, "match", "match"));
	CU_ASSERT(fx_json_has(r.out, "uri", R "ta.cer"));
	CU_ASSERT(fx_json_has(r.out, "next_update", "2024-01-02T00:00:00Z"));
	CU_ASSERT(!fx_json_has(r.out, "note", NULL));
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);
}

static void
test_explain_missing(void)
{
	struct fx_result r;
	char *dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = ex_dir(ex_report));
	/* No VRP: the rejected ROA that would have covered it. */
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, "198.51.100.0/24",
	    "64501", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "not-found"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "No VRP covers"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, R "ca/bad.roa"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "resources not covered"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "good.roa"));
	fx_result_free(&r);
	/* Nothing anywhere: exit 1. */
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, "10.0.0.0/8",
	    "64501", NULL);
	CU_ASSERT_EQUAL(r.rc, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "none"));
	fx_result_free(&r);
	fx_run(cmd_explain_run, &r, "explain", "--json", "-o", dir,
	    "198.51.100.0/24", "64501", NULL);
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "rejected_total"), 1);
	CU_ASSERT(fx_json_has(r.out, "rule", "RFC 9582 section 4.3.2"));
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);
}

static void
test_explain_uri(void)
{
	struct fx_result r;
	char *dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = ex_dir(ex_report));
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, R "ca/good.roa",
	    NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "192.0.2.0/24-24 in the output"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out,
	    "192.0.3.0/24-24 not in the output"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, R "ta.cer"));
	fx_result_free(&r);
	fx_run(cmd_explain_run, &r, "explain", "--json", "-o", dir,
	    R "ca/bad.roa", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(fx_json_has(r.out, "reason",
	    "RFC 9582 section 4.3.2: resources not covered"));
	fx_result_free(&r);
	/* A directory: the objects under it. */
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, R "ca/", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, R "ca/ca.mft"));
	CU_ASSERT_PTR_NULL(strstr(r.out, R "ta.cer"));
	fx_result_free(&r);
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, R "zzz", NULL);
	CU_ASSERT_EQUAL(r.rc, 1);
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);
}

static void
test_explain_degraded(void)
{
	struct fx_result r;
	char *dir;

	/* A report without the chain: say so, still show VRPs and rejects. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = ex_dir(ex_plain_report));
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, "192.0.2.0/25",
	    "64500", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "invalid"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "records no issuer chain"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "VRP 192.0.2.0/24-24 AS64500"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "cannot tell"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, R "ca/bad.roa"));
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);

	/* No report at all. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = ex_dir(NULL));
	fx_run(cmd_explain_run, &r, "explain", "--json", "-o", dir,
	    "192.0.2.0/24", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(fx_json_has(r.out, "note",
	    "no report.json: objects cannot be shown"));
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "asn"), 64500);
	fx_result_free(&r);
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, R "ca/good.roa",
	    NULL);
	CU_ASSERT_EQUAL(r.rc, 1);
	fx_result_free(&r);
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, "192.0.2.1/24",
	    NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);

	/* A broken report is an error, not silence. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = ex_dir("{\"objects\": 5}"));
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, "192.0.2.0/24",
	    NULL);
	CU_ASSERT_EQUAL(r.rc, AUDIT_EXIT_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "report.json"));
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);
}

/*
 * Regression: the bug report "explain 192.0.0.0/5 AS3287663115 says valid
 * but lists one covering VRP, another AS's, as a mismatch", on the data
 * of the generated repository it came from (ASNs above 2^31, a shorter
 * covering VRP sorting first).  Every covering VRP is listed, shortest
 * first, the matching one marked so, each with its own ROA.
 */
#define G "rsync://localhost/repo-ta0/66ecf7eeb781a146/"

static const char * const big_vrps[] = {
	"192.0.0.0/4 4 3559352267 0",
	"192.0.0.0/5 13 3287663115 0",
	"193.224.0.0/11 11 3287663115 0",
	"194.0.0.0/7 7 3287663115 0",
	NULL
};

static const char big_report[] =
    "{\"accepted\": 3, \"rejected\": 0, \"dropped\": 0, \"objects\": [\n"
    " {\"uri\": \"" G "e3b3581e8fddb53e.roa\", \"type\": \"roa\","
    "  \"accepted\": true, \"issuer\": \"" G "ca.cer\", \"asn\": 3559352267,"
    "  \"prefixes\": [{\"prefix\": \"192.0.0.0/4\", \"max_length\": 4}]},\n"
    " {\"uri\": \"" G "a50605421026a3c0.roa\", \"type\": \"roa\","
    "  \"accepted\": true, \"issuer\": \"" G "ca.cer\", \"asn\": 3287663115,"
    "  \"prefixes\": [{\"prefix\": \"192.0.0.0/5\", \"max_length\": 13},"
    "   {\"prefix\": \"193.224.0.0/11\"}, {\"prefix\": \"194.0.0.0/7\"}]},\n"
    " {\"uri\": \"" G "ca.cer\", \"type\": \"cer\", \"accepted\": true,"
    "  \"issuer\": \"\"}\n"
    "]}\n";

/* The number of lines of text starting with prefix. */
static size_t
count_lines(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = 0, len = strlen(prefix);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, len) == 0)
			n++;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return n;
}

static void
test_explain_big_asn(void)
{
	struct fx_run run = { big_vrps, NULL, NULL, big_report };
	struct fx_result r;
	const char *m4, *m5, *roa5;
	char *dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = fx_outdir("explain-big", &run));
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, "192.0.0.0/5",
	    "AS3287663115", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out,
	    "192.0.0.0/5 AS3287663115: valid\n"));
	CU_ASSERT_EQUAL(count_lines(r.out, "  VRP "), 2);
	m4 = strstr(r.out, "  VRP 192.0.0.0/4-4 AS3559352267  TA ripe  "
	    "asn+length mismatch\n");
	m5 = strstr(r.out, "  VRP 192.0.0.0/5-13 AS3287663115  TA ripe  "
	    "matches\n");
	roa5 = strstr(r.out, G "a50605421026a3c0.roa");
	CU_ASSERT_PTR_NOT_NULL(m4);
	CU_ASSERT_PTR_NOT_NULL(m5);
	/* Shortest first; each VRP followed by its own ROA. */
	CU_ASSERT(m4 != NULL && m5 != NULL && m4 < m5);
	CU_ASSERT(roa5 != NULL && m5 != NULL && roa5 > m5);
	CU_ASSERT(m4 != NULL && m5 != NULL &&
	    strstr(m4, G "e3b3581e8fddb53e.roa") < m5);
	CU_ASSERT_PTR_NULL(strstr(r.out, "Rejected objects"));
	fx_result_free(&r);

	/* The same as JSON, the origin given as a plain number. */
	fx_run(cmd_explain_run, &r, "explain", "--json", "-o", dir,
	    "192.0.0.0/5", "3287663115", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT(fx_json_has(r.out, "state", "valid"));
	CU_ASSERT_EQUAL(fx_json_uint(r.out, "origin"), 3287663115u);
	CU_ASSERT(fx_json_has(r.out, "match", "match"));
	CU_ASSERT(fx_json_has(r.out, "match", "asn+length"));
	fx_result_free(&r);

	/* Another origin: invalid, both still listed, neither matching. */
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, "192.0.0.0/5",
	    "AS3287663116", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "AS3287663116: invalid\n"));
	CU_ASSERT_EQUAL(count_lines(r.out, "  VRP "), 2);
	CU_ASSERT_PTR_NULL(strstr(r.out, "matches"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "  VRP 192.0.0.0/5-13 "
	    "AS3287663115  TA ripe  asn mismatch\n"));
	fx_result_free(&r);

	/* The /4 VRP alone covers 192.0.0.0/4 and matches its own AS. */
	fx_run(cmd_explain_run, &r, "explain", "-o", dir, "192.0.0.0/4",
	    "AS3559352267", NULL);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "AS3559352267: valid\n"));
	CU_ASSERT_EQUAL(count_lines(r.out, "  VRP "), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "  VRP 192.0.0.0/4-4 "
	    "AS3559352267  TA ripe  matches\n"));
	fx_result_free(&r);
	tu_rmtree(dir);
	free(dir);
}

REEF_SUITE(cmd_explain,
    REEF_TEST(test_runout_parse),
    REEF_TEST(test_explain_chain),
    REEF_TEST(test_explain_missing),
    REEF_TEST(test_explain_uri),
    REEF_TEST(test_explain_degraded),
    REEF_TEST(test_explain_big_asn))
