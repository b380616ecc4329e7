/*
 * The validation report: counting, thread safety, rule extraction and
 * the JSON written (re-read with the strict reader).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/json.h"
#include "common/jsonread.h"
#include "tests/unit/suite.h"
#include "validator/report.h"

#define REPORT_THREADS		4
#define REPORT_PER_THREAD	500

static void
test_report_rule(void)
{
	char buf[64];

	CU_ASSERT_EQUAL(report_rule("x.roa: RFC 6487 section 4.8.8: bad",
	    buf, sizeof(buf)), strlen("RFC 6487 section 4.8.8"));
	CU_ASSERT_STRING_EQUAL(buf, "RFC 6487 section 4.8.8");
	/* A sentence's final dot is not part of the section. */
	report_rule("see RFC 9286 section 6.", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "RFC 9286 section 6");
	report_rule("RFC 8630: no URI", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "RFC 8630");
	CU_ASSERT_EQUAL(report_rule("no rule here", buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(report_rule("XRFC 1 section 2", buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(report_rule("RFC x", buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(report_rule(NULL, buf, sizeof(buf)), 0);
	/* Too small a buffer gives nothing rather than half a rule. */
	CU_ASSERT_EQUAL(report_rule("RFC 6487 section 4", buf, 8), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
}

static void
test_report_counts(void)
{
	struct report_counts c;
	struct report *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	CU_ASSERT_EQUAL(report_add(r, "rsync://a/b/c.roa", "roa", 1, NULL), 0);
	CU_ASSERT_EQUAL(report_add(r, "rsync://a/b/d.roa", "roa", 0,
	    "RFC 9582 section 4: bad"), 0);
	report_cb(r, "rsync://a/b/e.cer", "cer", 0, "expired");
	/* No URI: refused and counted as dropped. */
	CU_ASSERT_EQUAL(report_add(r, NULL, "roa", 1, NULL), -1);
	CU_ASSERT_EQUAL(report_add(NULL, "x", "roa", 1, NULL), -1);
	report_counts(r, &c);
	CU_ASSERT_EQUAL(c.accepted, 1);
	CU_ASSERT_EQUAL(c.rejected, 2);
	CU_ASSERT_EQUAL(c.dropped, 1);
	report_free(r);
	report_free(NULL);
}

static void *
adder(void *arg)
{
	char uri[64];
	int i;

	for (i = 0; i < REPORT_PER_THREAD; i++) {
		snprintf(uri, sizeof(uri), "rsync://h/m/%p-%d.roa", arg, i);
		report_cb(arg, uri, "roa", i % 2, i % 2 ? NULL : "bad");
	}
	return NULL;
}

static void
test_report_threads(void)
{
	pthread_t t[REPORT_THREADS];
	struct report_counts c;
	struct report *r;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	for (i = 0; i < REPORT_THREADS; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, adder, r), 0);
	for (i = 0; i < REPORT_THREADS; i++)
		pthread_join(t[i], NULL);
	report_counts(r, &c);
	CU_ASSERT_EQUAL(c.accepted, REPORT_THREADS * REPORT_PER_THREAD / 2);
	CU_ASSERT_EQUAL(c.rejected, REPORT_THREADS * REPORT_PER_THREAD / 2);
	CU_ASSERT_EQUAL(c.dropped, 0);
	report_free(r);
}

/* Next token must be a key named k. */
static int
key_is(struct jsonread *jr, const char *k)
{
	return jr_next(jr) == JR_KEY && strcmp(jr_string(jr, NULL), k) == 0;
}

static int
number_is(struct jsonread *jr, int64_t v)
{
	return jr_next(jr) == JR_NUMBER && jr_number(jr)->kind == JR_NUM_INT &&
	    jr_number(jr)->i == v;
}

static int
string_is(struct jsonread *jr, const char *s)
{
	return jr_next(jr) == JR_STRING && strcmp(jr_string(jr, NULL), s) == 0;
}

static void
test_report_json(void)
{
	struct jsonread *jr;
	struct report *r;
	struct json *j;
	const char *text;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	/* Added out of order: the output is sorted by URI. */
	report_add(r, "rsync://h/m/b.roa", "roa", 0,
	    "rsync://h/m/b.roa: RFC 6482 section 3.3: maxLength too long");
	report_add(r, "rsync://h/m/a.cer", "cer", 1, NULL);
	report_add(r, "rsync://h/m/\"q\".crl", "crl", 0, "bad \x01 name");
	CU_ASSERT_PTR_NOT_NULL_FATAL(j = json_new_buffer(0));
	CU_ASSERT_EQUAL_FATAL(report_write(r, j), 0);
	CU_ASSERT_EQUAL(json_finish(j), 0);
	text = json_buffer(j, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(jr = jr_new(text, len, 8, 4096));
	CU_ASSERT(jr_next(jr) == JR_OBJECT_BEGIN);
	CU_ASSERT(key_is(jr, "accepted") && number_is(jr, 1));
	CU_ASSERT(key_is(jr, "rejected") && number_is(jr, 2));
	CU_ASSERT(key_is(jr, "dropped") && number_is(jr, 0));
	CU_ASSERT(key_is(jr, "objects"));
	CU_ASSERT(jr_next(jr) == JR_ARRAY_BEGIN);
	/* '"' sorts before 'a'. */
	CU_ASSERT(jr_next(jr) == JR_OBJECT_BEGIN);
	CU_ASSERT(key_is(jr, "uri") && string_is(jr, "rsync://h/m/\"q\".crl"));
	CU_ASSERT(key_is(jr, "type") && string_is(jr, "crl"));
	CU_ASSERT(key_is(jr, "accepted") && jr_next(jr) == JR_FALSE);
	CU_ASSERT(key_is(jr, "reason") && string_is(jr, "bad \x01 name"));
	CU_ASSERT(jr_next(jr) == JR_OBJECT_END);	/* no rule quoted */
	CU_ASSERT(jr_next(jr) == JR_OBJECT_BEGIN);
	CU_ASSERT(key_is(jr, "uri") && string_is(jr, "rsync://h/m/a.cer"));
	CU_ASSERT(key_is(jr, "type") && string_is(jr, "cer"));
	CU_ASSERT(key_is(jr, "accepted") && jr_next(jr) == JR_TRUE);
	CU_ASSERT(jr_next(jr) == JR_OBJECT_END);	/* no reason */
	CU_ASSERT(jr_next(jr) == JR_OBJECT_BEGIN);
	CU_ASSERT(key_is(jr, "uri") && string_is(jr, "rsync://h/m/b.roa"));
	CU_ASSERT(key_is(jr, "type") && string_is(jr, "roa"));
	CU_ASSERT(key_is(jr, "accepted") && jr_next(jr) == JR_FALSE);
	CU_ASSERT(key_is(jr, "reason") && jr_next(jr) == JR_STRING);
	CU_ASSERT(key_is(jr, "rule") && string_is(jr, "RFC 6482 section 3.3"));
	CU_ASSERT(jr_next(jr) == JR_OBJECT_END);
	CU_ASSERT(jr_next(jr) == JR_ARRAY_END);
	CU_ASSERT(jr_next(jr) == JR_OBJECT_END);
	CU_ASSERT(jr_next(jr) == JR_END);
	jr_free(jr);
	json_free(j);
	report_free(r);
}

static void
test_report_empty_file(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = open_memstream(&buf, &len));
	/* A NULL report writes as an empty one. */
	CU_ASSERT_EQUAL(report_write_file(NULL, fp), 0);
	fclose(fp);
	CU_ASSERT_STRING_EQUAL(buf, "{\n  \"accepted\": 0,\n  \"rejected\": 0,\n"
	    "  \"dropped\": 0,\n  \"objects\": []\n}\n");
	free(buf);
}

static void
test_report_truncates(void)
{
	char big[MAX_REPORT_REASON * 2];
	struct jsonread *jr;
	struct report *r;
	struct json *j;
	const char *text;
	size_t len, slen;
	int found = 0;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	CU_ASSERT_EQUAL(report_add(r, "u", "roa", 0, big), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j = json_new_buffer(0));
	CU_ASSERT_EQUAL(report_write(r, j), 0);
	text = json_buffer(j, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jr = jr_new(text, len, 8, 1 << 16));
	while (jr_next(jr) > JR_END)
		if (jr_string(jr, &slen) != NULL && slen > 100) {
			CU_ASSERT_EQUAL(slen, MAX_REPORT_REASON);
			found = 1;
		}
	CU_ASSERT(found);
	jr_free(jr);
	json_free(j);
	report_free(r);
}

REEF_SUITE(report,
    REEF_TEST(test_report_rule),
    REEF_TEST(test_report_counts),
    REEF_TEST(test_report_threads),
    REEF_TEST(test_report_json),
    REEF_TEST(test_report_empty_file),
    REEF_TEST(test_report_truncates))
