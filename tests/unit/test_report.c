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
#include "validator/runout.h"
#include "validator/walk.h"

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
	report_cb(r, "rsync://a/b/e.cer", "cer", 0, "expired", NULL);
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
		report_cb(arg, uri, "roa", i % 2, i % 2 ? NULL : "bad", NULL);
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
	CU_ASSERT(key_is(jr, "repositories"));
	CU_ASSERT(jr_next(jr) == JR_ARRAY_BEGIN);
	CU_ASSERT(jr_next(jr) == JR_ARRAY_END);
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
	    "  \"dropped\": 0,\n  \"repositories\": [],\n  \"objects\": []\n}\n");
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

/* A report of a small tree with every detail, for the round trips. */
static struct report *
detail_report(void)
{
	static const uint32_t providers[] = { 64501, 64502 };
	struct roa_ip ips[2];
	struct walk_detail d;
	struct report *r;

	if ((r = report_new()) == NULL)
		return NULL;
	memset(ips, 0, sizeof(ips));
	CU_ASSERT_EQUAL(prefix_parse("192.0.2.0/24", &ips[0].prefix), 0);
	ips[0].maxlen = 24;
	CU_ASSERT_EQUAL(prefix_parse("2001:db8::/32", &ips[1].prefix), 0);
	ips[1].maxlen = 48;
	memset(&d, 0, sizeof(d));
	d.issuer = "";
	d.ta = "ta1";
	d.has_validity = 1;
	d.not_before = 1767225600;	/* 2026-01-01 */
	d.not_after = 2082758400;	/* 2036-01-01 */
	CU_ASSERT_EQUAL(report_add_detail(r, "rsync://h/ta/ta.cer", "cer", 1,
	    NULL, &d), 0);
	d.issuer = "rsync://h/ta/ta.cer";
	d.manifest = NULL;
	d.has_update = 1;
	d.this_update = 1767225600;
	d.next_update = 1767312000;
	CU_ASSERT_EQUAL(report_add_detail(r, "rsync://h/m/ta.mft", "mft", 1,
	    NULL, &d), 0);
	d.has_update = 0;
	d.manifest = "rsync://h/m/ta.mft";
	d.has_asn = 1;
	d.asn = 64500;
	d.prefixes = ips;
	d.nprefixes = 2;
	CU_ASSERT_EQUAL(report_add_detail(r, "rsync://h/m/a.roa", "roa", 1,
	    NULL, &d), 0);
	/* A rejected ROA whose content could be read keeps it. */
	d.nprefixes = 1;
	CU_ASSERT_EQUAL(report_add_detail(r, "rsync://h/m/b.roa", "roa", 0,
	    "RFC 6487 section 4.8.8: expired", &d), 0);
	d.has_asn = 0;
	d.prefixes = NULL;
	d.nprefixes = 0;
	d.has_customer = 1;
	d.customer = 64500;
	d.providers = providers;
	d.nproviders = 2;
	CU_ASSERT_EQUAL(report_add_detail(r, "rsync://h/m/c.asa", "asa", 1,
	    NULL, &d), 0);
	return r;
}

/* Every detail member survives report_write() and runout's reader. */
static void
test_report_detail_roundtrip(void)
{
	const struct runout_obj *o, *up;
	struct runout ro;
	struct report *r;
	struct json *j;
	struct vrp v;
	char err[RUNOUT_ERRLEN];
	const char *text;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r = detail_report());
	CU_ASSERT_PTR_NOT_NULL_FATAL(j = json_new_buffer(0));
	CU_ASSERT_EQUAL_FATAL(report_write(r, j), 0);
	text = json_buffer(j, &len);
	memset(&ro, 0, sizeof(ro));
	CU_ASSERT_EQUAL_FATAL(runout_parse_report(text, len, &ro, err,
	    sizeof(err)), 0);
	CU_ASSERT(ro.has_chain);
	CU_ASSERT(ro.has_payloads);
	CU_ASSERT_EQUAL(ro.nobjs, 5);

	CU_ASSERT_PTR_NOT_NULL_FATAL(o = runout_find(&ro,
	    "rsync://h/m/a.roa"));
	CU_ASSERT_STRING_EQUAL(o->issuer, "rsync://h/ta/ta.cer");
	CU_ASSERT_STRING_EQUAL(o->manifest, "rsync://h/m/ta.mft");
	CU_ASSERT_STRING_EQUAL(o->ta, "ta1");
	CU_ASSERT(o->has_validity && o->not_before == 1767225600 &&
	    o->not_after == 2082758400);
	CU_ASSERT(!o->has_update);
	CU_ASSERT(o->has_asn && o->asn == 64500);
	CU_ASSERT_EQUAL_FATAL(o->nprefixes, 2);
	CU_ASSERT_EQUAL(o->prefixes[1].maxlen, 48);
	CU_ASSERT_EQUAL(o->prefixes[1].prefix.len, 32);
	/* The VRP index finds the accepted ROA, and its issuer the TA. */
	memset(&v, 0, sizeof(v));
	v.prefix = o->prefixes[0].prefix;
	v.maxlen = 24;
	v.asn = 64500;
	CU_ASSERT_PTR_EQUAL(runout_roa_of(&ro, &v), o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(up = runout_issuer(&ro, o));
	CU_ASSERT_STRING_EQUAL(up->uri, "rsync://h/ta/ta.cer");
	CU_ASSERT_STRING_EQUAL(up->issuer, "");
	CU_ASSERT_PTR_NULL(runout_issuer(&ro, up));

	CU_ASSERT_PTR_NOT_NULL_FATAL(o = runout_find(&ro,
	    "rsync://h/m/ta.mft"));
	CU_ASSERT(o->has_update && o->this_update == 1767225600 &&
	    o->next_update == 1767312000);
	CU_ASSERT_PTR_NULL(o->manifest);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o = runout_find(&ro,
	    "rsync://h/m/b.roa"));
	CU_ASSERT(!o->accepted && o->has_asn && o->nprefixes == 1);
	CU_ASSERT_STRING_EQUAL(o->rule, "RFC 6487 section 4.8.8");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o = runout_find(&ro,
	    "rsync://h/m/c.asa"));
	CU_ASSERT(o->has_customer && o->customer == 64500);
	CU_ASSERT(!o->has_asn && o->nprefixes == 0);
	runout_free(&ro);
	json_free(j);
	report_free(r);
}

/* Repositories: sorted by URI, optional members left out, copied. */
static void
test_report_repositories(void)
{
	struct report_repo rr;
	struct report *r;
	struct json *j;
	const char *text, *a, *b;
	char uri[64];
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	memset(&rr, 0, sizeof(rr));
	snprintf(uri, sizeof(uri), "rsync://z.example/mod/");
	rr.uri = uri;
	rr.protocol = "rsync";
	rr.result = "stale";
	rr.error = "connection refused";
	rr.milliseconds = 1500;
	CU_ASSERT_EQUAL(report_add_repo(r, &rr), 0);
	/* The report keeps its own copy. */
	memset(uri, 'x', 10);
	memset(&rr, 0, sizeof(rr));
	rr.uri = "rsync://a.example/mod/";
	rr.notify = "https://a.example/notification.xml";
	rr.protocol = "rrdp";
	rr.result = "ok";
	rr.delta = 1;
	rr.objects = 3;
	rr.bytes = 4096;
	CU_ASSERT_EQUAL(report_add_repo(r, &rr), 0);
	rr.uri = NULL;
	CU_ASSERT_EQUAL(report_add_repo(r, &rr), -1);
	CU_ASSERT_EQUAL(report_add_repo(NULL, &rr), -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j = json_new_buffer(0));
	CU_ASSERT_EQUAL_FATAL(report_write(r, j), 0);
	text = json_buffer(j, &len);
	a = strstr(text, "\"uri\":\"rsync://a.example/mod/\","
	    "\"notify\":\"https://a.example/notification.xml\","
	    "\"protocol\":\"rrdp\",\"result\":\"ok\",\"delta\":true,"
	    "\"unchanged\":false,\"objects\":3,\"bytes\":4096,"
	    "\"milliseconds\":0}");
	b = strstr(text, "\"uri\":\"rsync://z.example/mod/\","
	    "\"protocol\":\"rsync\",\"result\":\"stale\",\"delta\":false,"
	    "\"unchanged\":false,\"objects\":0,\"bytes\":0,"
	    "\"milliseconds\":1500,\"error\":\"connection refused\"}");
	CU_ASSERT_PTR_NOT_NULL(a);
	CU_ASSERT_PTR_NOT_NULL(b);
	CU_ASSERT(a != NULL && b != NULL && a < b);
	json_free(j);
	report_free(r);
}

REEF_SUITE(report,
    REEF_TEST(test_report_rule),
    REEF_TEST(test_report_counts),
    REEF_TEST(test_report_threads),
    REEF_TEST(test_report_json),
    REEF_TEST(test_report_empty_file),
    REEF_TEST(test_report_truncates),
    REEF_TEST(test_report_detail_roundtrip),
    REEF_TEST(test_report_repositories))
