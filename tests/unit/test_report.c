/*
 * The validation report: counting, thread safety, rule extraction and
 * the JSON written (re-read with the strict reader).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/gtime.h"
#include "common/json.h"
#include "common/jsonread.h"
#include "common/prefix.h"
#include "tests/unit/suite.h"
#include "validator/report.h"
#include "validator/runout.h"
#include "validator/walk.h"

#define REPORT_THREADS		4
#define REPORT_PER_THREAD	500
/* Entries of the sort test: more than two chunks of entries. */
#define SORT_ENTRIES		9000
/* Directories colliding in the string table: above INTERN_MAX_PROBES. */
#define COLLIDING_DIRS		100
/* Prefixes of the large ROA: its contents need more than 1 MiB. */
#define BIG_ROA_PREFIXES	70000

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

/* One object as written: its uri, type and reason (NULL: none). */
struct seen {
	char	*uri;
	char	*type;
	char	*reason;
};

static void
seen_free(struct seen *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].uri);
		free(v[i].type);
		free(v[i].reason);
	}
	free(v);
}

/* Read the members of one object into o; -1 on a bad document. */
static int
seen_object(struct jsonread *jr, struct seen *o)
{
	const char *k;
	char **dst;
	enum jr_token t;

	while ((t = jr_next(jr)) == JR_KEY) {
		k = jr_string(jr, NULL);
		dst = strcmp(k, "uri") == 0 ? &o->uri : strcmp(k, "type") == 0 ?
		    &o->type : strcmp(k, "reason") == 0 ? &o->reason : NULL;
		if (dst == NULL) {
			if (jr_skip(jr) == -1)
				return -1;
			continue;
		}
		if (jr_next(jr) != JR_STRING)
			return -1;
		*dst = strdup(jr_string(jr, NULL));
	}
	return t == JR_OBJECT_END && o->uri != NULL && o->type != NULL ?
	    0 : -1;
}

/* The objects of report text, in file order, *n of them; NULL if bad. */
static struct seen *
seen_read(const char *text, size_t len, size_t *n)
{
	struct jsonread *jr;
	struct seen *v = NULL;
	size_t cap = 0;
	int ok = 0;

	*n = 0;
	if ((jr = jr_new(text, len, 8, 1 << 16)) == NULL)
		return NULL;
	if (jr_next(jr) != JR_OBJECT_BEGIN)
		goto out;
	for (;;) {
		if (jr_next(jr) != JR_KEY)
			goto out;
		if (strcmp(jr_string(jr, NULL), "objects") == 0)
			break;
		if (jr_skip(jr) == -1)
			goto out;
	}
	if (jr_next(jr) != JR_ARRAY_BEGIN)
		goto out;
	while (jr_next(jr) == JR_OBJECT_BEGIN) {
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			v = realloc(v, cap * sizeof(*v));
		}
		memset(&v[*n], 0, sizeof(*v));
		if (seen_object(jr, &v[(*n)++]) == -1)
			goto out;
	}
	ok = 1;
 out:
	jr_free(jr);
	if (!ok) {
		seen_free(v, *n);
		return NULL;
	}
	return v;
}

/* An entry of the sort test as added. */
struct added {
	char	 uri[64];
	char	 type[8];
	int	 seq;
};

static int
added_cmp(const void *a, const void *b)
{
	const struct added *x = a, *y = b;
	int c;

	if ((c = strcmp(x->uri, y->uri)) != 0 ||
	    (c = strcmp(x->type, y->type)) != 0)
		return c;
	return x->seq - y->seq;
}

/*
 * A URI from few segments, so that URIs repeat and directories are
 * prefixes of one another and of files ("m/a" and "m/a/b", "m/ab").
 */
static void
random_uri(unsigned int *seed, char *buf, size_t len)
{
	static const char *seg[] = { "a", "ab", "a.cer", "b", "\xc3\xa9",
	    "z.roa", "" };
	size_t n, i, used;

	n = rand_r(seed) % 5;
	used = snprintf(buf, len, "%s", rand_r(seed) % 8 == 0 ? "" :
	    "rsync://h/m/");
	for (i = 0; i < n; i++)
		used += snprintf(buf + used, len - used, "%s/",
		    seg[rand_r(seed) % 7]);
	snprintf(buf + used, len - used, "%s", seg[rand_r(seed) % 7]);
}

/*
 * The n entries in[] added to r (reason "seq N" for in[N]) are written
 * in strcmp() order of URI, then type, then insertion (in is sorted).
 */
static void
check_order(struct report *r, struct added *in, size_t n)
{
	struct seen *out;
	struct json *j;
	char reason[32];
	const char *text;
	size_t i, nout, len, bad = 0;

	qsort(in, n, sizeof(*in), added_cmp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j = json_new_buffer(0));
	CU_ASSERT_EQUAL_FATAL(report_write(r, j), 0);
	text = json_buffer(j, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out = seen_read(text, len, &nout));
	CU_ASSERT_EQUAL_FATAL(nout, n);
	for (i = 0; i < n; i++) {
		snprintf(reason, sizeof(reason), "seq %d", in[i].seq);
		if (strcmp(out[i].uri, in[i].uri) != 0 ||
		    strcmp(out[i].type, in[i].type) != 0 ||
		    out[i].reason == NULL || strcmp(out[i].reason, reason) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	seen_free(out, nout);
	json_free(j);
}

/* Add in[i] to r as check_order() expects. */
static int
add_seq(struct report *r, const struct added *in)
{
	char reason[32];

	snprintf(reason, sizeof(reason), "seq %d", in->seq);
	return report_add(r, in->uri, in->type, 1, reason);
}

/* Entries come out in strcmp() order of URI, then type, then insertion. */
static void
test_report_sort(void)
{
	static const char *types[] = { "roa", "cer", "crl", "" };
	struct added *in;
	struct report *r;
	unsigned int seed = 42;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in = calloc(SORT_ENTRIES, sizeof(*in)));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	for (i = 0; i < SORT_ENTRIES; i++) {
		random_uri(&seed, in[i].uri, sizeof(in[i].uri));
		snprintf(in[i].type, sizeof(in[i].type), "%s",
		    types[rand_r(&seed) % 4]);
		in[i].seq = (int)i;
		CU_ASSERT_EQUAL(add_seq(r, &in[i]), 0);
	}
	check_order(r, in, SORT_ENTRIES);
	report_free(r);
	free(in);
}

/* FNV-1a of s: the report's string hash, to make strings collide. */
static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/*
 * Directories chosen to collide in the report's string table, more than
 * it looks through, some stored more than once: still written in order.
 */
static void
test_report_sort_collisions(void)
{
	/* With and without a subdirectory. */
	static const char *files[2][4] = {
		{ "x.roa", "sub/y.roa", "x.roa", "w" },
		{ "x.roa", "a", "x.roa", "w" } };
	struct added in[COLLIDING_DIRS * 4];
	char dir[32];
	struct report *r;
	uint32_t want = 0;
	unsigned int c;
	size_t n = 0, ndirs = 0, i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	memset(in, 0, sizeof(in));
	for (c = 0; ndirs < COLLIDING_DIRS; c++) {
		snprintf(dir, sizeof(dir), "rsync://h/c%u/", c);
		/* The first slots of the smallest table, for every size. */
		if (c == 0)
			want = fnv1a(dir) & 0x3ff;
		else if ((fnv1a(dir) & 0x3ff) != want)
			continue;
		ndirs++;
		for (i = 0; i < 4; i++, n++) {
			snprintf(in[n].uri, sizeof(in[n].uri), "%s%s", dir,
			    files[ndirs % 2][i]);
			snprintf(in[n].type, sizeof(in[n].type), "%s",
			    i == 2 ? "crl" : "roa");
			in[n].seq = (int)n;
			CU_ASSERT_EQUAL(add_seq(r, &in[n]), 0);
		}
	}
	check_order(r, in, n);
	report_free(r);
}

/* A directory's files sort around its subdirectories, as strcmp() says. */
static void
test_report_sort_nested(void)
{
	static const char *order[] = { "rsync://h/m/a.cer",
	    "rsync://h/m/b", "rsync://h/m/b.cer", "rsync://h/m/b/c.roa",
	    "rsync://h/m/b/c/d.roa", "rsync://h/m/c.cer",
	    "rsync://h/mm/a.roa" };
	static const int added[] = { 5, 2, 0, 6, 3, 1, 4 };
	struct seen *out;
	struct report *r;
	struct json *j;
	const char *text;
	size_t i, n, len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	for (i = 0; i < 7; i++)
		CU_ASSERT_EQUAL(report_add(r, order[added[i]], "cer", 1,
		    NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j = json_new_buffer(0));
	CU_ASSERT_EQUAL_FATAL(report_write(r, j), 0);
	text = json_buffer(j, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out = seen_read(text, len, &n));
	CU_ASSERT_EQUAL_FATAL(n, 7);
	for (i = 0; i < n; i++)
		CU_ASSERT_STRING_EQUAL(out[i].uri, order[i]);
	seen_free(out, n);
	json_free(j);
	report_free(r);
}

/* Strings shared by entries are kept once but written for each. */
static void
test_report_shared_strings(void)
{
	char issuer1[32], issuer2[32];
	struct walk_detail d;
	struct report *r;
	struct json *j;
	const char *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	snprintf(issuer1, sizeof(issuer1), "rsync://h/ca.cer");
	snprintf(issuer2, sizeof(issuer2), "rsync://h/ca.cer");
	memset(&d, 0, sizeof(d));
	d.issuer = issuer1;
	d.ta = "ta";
	CU_ASSERT_EQUAL(report_add_detail(r, "rsync://h/m/a.crl", NULL, 1, "",
	    &d), 0);
	/* The caller's buffers may change after the call. */
	memset(issuer1, 'x', 8);
	d.issuer = issuer2;
	d.manifest = "";
	d.has_customer = 1;
	d.customer = 7;
	d.nproviders = 3;	/* no array: no providers */
	CU_ASSERT_EQUAL(report_add_detail(r, "rsync://h/m/b.asa", "asa", 0,
	    NULL, &d), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j = json_new_buffer(0));
	CU_ASSERT_EQUAL_FATAL(report_write(r, j), 0);
	text = json_buffer(j, NULL);
	/* A NULL type is written "", an empty reason kept (no rule). */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "{\"uri\":\"rsync://h/m/a.crl\","
	    "\"type\":\"\",\"accepted\":true,\"reason\":\"\","
	    "\"issuer\":\"rsync://h/ca.cer\",\"ta\":\"ta\"}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "{\"uri\":\"rsync://h/m/b.asa\","
	    "\"type\":\"asa\",\"accepted\":false,"
	    "\"issuer\":\"rsync://h/ca.cer\",\"manifest\":\"\","
	    "\"ta\":\"ta\",\"customer\":7,\"providers\":[]}"));
	json_free(j);
	report_free(r);
}

/* key: t in text as gtime_format_iso() writes it, or absent. */
static int
time_written(const char *text, const char *key, int64_t t)
{
	char iso[GTIME_ISO_LEN + 1], want[64];

	if (gtime_format_iso(t, iso, sizeof(iso)) == -1) {
		snprintf(want, sizeof(want), "\"%s\":", key);
		return strstr(text, want) == NULL;
	}
	snprintf(want, sizeof(want), "\"%s\":\"%s\"", key, iso);
	return strstr(text, want) != NULL;
}

/* Times at and beyond the ends of the supported range. */
static void
test_report_times(void)
{
	struct walk_detail d;
	struct report *r;
	struct json *j;
	const char *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	memset(&d, 0, sizeof(d));
	d.has_validity = 1;
	d.not_before = GTIME_MIN;
	d.not_after = GTIME_MAX;
	d.has_update = 1;
	d.this_update = -1;
	d.next_update = GTIME_MAX + 1;
	CU_ASSERT_EQUAL(report_add_detail(r, "x.mft", "mft", 1, NULL, &d), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j = json_new_buffer(0));
	CU_ASSERT_EQUAL_FATAL(report_write(r, j), 0);
	text = json_buffer(j, NULL);
	CU_ASSERT(time_written(text, "not_before", d.not_before));
	CU_ASSERT(time_written(text, "not_after", d.not_after));
	CU_ASSERT(time_written(text, "this_update", d.this_update));
	CU_ASSERT(time_written(text, "next_update", d.next_update));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"1969-12-31T23:59:59Z\""));
	json_free(j);
	report_free(r);
}

/* The prefixes of o are those of ips, in order. */
static int
prefixes_are(const struct runout_obj *o, const struct roa_ip *ips, size_t n)
{
	size_t i;

	if (o == NULL || !o->has_asn || o->nprefixes != n)
		return 0;
	for (i = 0; i < n; i++)
		if (prefix_cmp(&o->prefixes[i].prefix, &ips[i].prefix) != 0 ||
		    o->prefixes[i].maxlen != ips[i].maxlen)
			return 0;
	return 1;
}

/* ROA contents survive, edge prefixes and more than an arena block. */
static void
test_report_prefixes(void)
{
	static const char *edge[] = { "0.0.0.0/0", "10.0.0.0/8",
	    "192.0.2.255/32", "::/0", "2001:db8::1/128", "2001:db8:0:1::/64" };
	struct roa_ip small[6], *big;
	struct walk_detail d;
	struct runout ro;
	struct report *r;
	struct json *j;
	char err[RUNOUT_ERRLEN], s[64];
	const char *text;
	size_t i, len;

	memset(small, 0, sizeof(small));
	for (i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(prefix_parse(edge[i], &small[i].prefix), 0);
		small[i].maxlen = small[i].prefix.len + (i % 2);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(big = calloc(BIG_ROA_PREFIXES,
	    sizeof(*big)));
	for (i = 0; i < BIG_ROA_PREFIXES; i++) {
		snprintf(s, sizeof(s), "2001:db8:%zx:%zx::ff/128", i / 1000 + 1,
		    i % 1000 + 1);
		CU_ASSERT_EQUAL(prefix_parse(s, &big[i].prefix), 0);
		big[i].maxlen = 128;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	memset(&d, 0, sizeof(d));
	d.has_asn = 1;
	d.asn = 64500;
	d.prefixes = small;
	d.nprefixes = 6;
	CU_ASSERT_EQUAL(report_add_detail(r, "rsync://h/m/a.roa", "roa", 1,
	    NULL, &d), 0);
	d.prefixes = big;
	d.nprefixes = BIG_ROA_PREFIXES;
	CU_ASSERT_EQUAL(report_add_detail(r, "rsync://h/m/b.roa", "roa", 1,
	    NULL, &d), 0);
	/* After the large one, entries go on in the same storage. */
	d.prefixes = small;
	d.nprefixes = 2;
	CU_ASSERT_EQUAL(report_add_detail(r, "rsync://h/m/c.roa", "roa", 0,
	    "bad", &d), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j = json_new_buffer(0));
	CU_ASSERT_EQUAL_FATAL(report_write(r, j), 0);
	text = json_buffer(j, &len);
	memset(&ro, 0, sizeof(ro));
	CU_ASSERT_EQUAL_FATAL(runout_parse_report(text, len, &ro, err,
	    sizeof(err)), 0);
	CU_ASSERT(prefixes_are(runout_find(&ro, "rsync://h/m/a.roa"), small,
	    6));
	CU_ASSERT(prefixes_are(runout_find(&ro, "rsync://h/m/b.roa"), big,
	    BIG_ROA_PREFIXES));
	CU_ASSERT(prefixes_are(runout_find(&ro, "rsync://h/m/c.roa"), small,
	    2));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "{\"prefix\":\"0.0.0.0/0\","
	    "\"max_length\":0}"));
	runout_free(&ro);
	json_free(j);
	report_free(r);
	free(big);
}

/*
 * Names in one directory that differ within, at or after their first
 * eight bytes (the sort orders most of them from those bytes alone), are
 * shorter than eight bytes or hold bytes from 0x80 up (valid UTF-8, as
 * the text is re-read), in several
 * directories, some of which are prefixes of others: strcmp() order.
 */
static void
test_report_sort_heads(void)
{
	static const char *names[] = { "abcdefgh", "abcdefgh0.roa",
	    "abcdefgh1.roa", "abcdefgi", "abcdefg", "abc", "a", "",
	    "\xc3\xa9t\xc3\xa9.roa", "\xf0\x9f\x98\x80", "zzzzzzzz.cer",
	    "abcdefgh\xc3\xa9",
	    "ABCDEFGH.roa", "abcdefgh.crl", "abcdefgh/x.roa", "0123456789" };
	static const char *dirs[] = { "rsync://h/m/", "rsync://h/m/a/",
	    "rsync://h/m/abcdefgh/", "rsync://h/m/abcdefgh0/" };
	static const char *types[] = { "roa", "cer" };
	size_t nn = sizeof(names) / sizeof(names[0]);
	size_t nd = sizeof(dirs) / sizeof(dirs[0]), i, n = 0;
	struct added *in;
	struct report *r;
	unsigned int seed = 7;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in = calloc(nn * nd * 2, sizeof(*in)));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	/* Each URI twice, in an order that is not the sorted one. */
	for (i = 0; i < nn * nd * 2; i++) {
		size_t k = (i * 37 + rand_r(&seed) % 2) % (nn * nd * 2);

		snprintf(in[n].uri, sizeof(in[n].uri), "%s%s",
		    dirs[k / 2 % nd], names[k / 2 / nd]);
		snprintf(in[n].type, sizeof(in[n].type), "%s", types[k % 2]);
		in[n].seq = (int)n;
		CU_ASSERT_EQUAL(add_seq(r, &in[n]), 0);
		n++;
	}
	check_order(r, in, n);
	report_free(r);
	free(in);
}

/*
 * Neighbouring entries with the same times, other times, and times out
 * of range between ones in range: each object has its own times.
 */
static void
test_report_times_repeat(void)
{
	static const int64_t t[] = { 0, 0, 1790000000, 1790000000, -1,
	    GTIME_MAX + 1, 1790000000, GTIME_MIN - 1, GTIME_MIN, 0 };
	char uri[32], iso[GTIME_ISO_LEN + 1], want[64], *line, *end;
	size_t n = sizeof(t) / sizeof(t[0]), i, bad = 0;
	struct walk_detail d;
	struct report *r;
	struct json *j;
	const char *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r = report_new());
	for (i = 0; i < n; i++) {
		memset(&d, 0, sizeof(d));
		d.has_validity = 1;
		d.not_before = t[i];
		d.not_after = t[n - 1 - i];
		snprintf(uri, sizeof(uri), "d/%02zu.roa", i);
		CU_ASSERT_EQUAL(report_add_detail(r, uri, "roa", 1, NULL, &d),
		    0);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(j = json_new_buffer(JSON_PRETTY));
	json_flat_from(j, 3);
	CU_ASSERT_EQUAL_FATAL(report_write(r, j), 0);
	text = json_buffer(j, NULL);
	line = strstr(text, "\"objects\": [");
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	for (i = 0; i < n; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(line = strchr(line, '\n'));
		line++;
		CU_ASSERT_PTR_NOT_NULL_FATAL(end = strchr(line, '\n'));
		*end = '\0';
		if (gtime_format_iso(t[i], iso, sizeof(iso)) == 0) {
			snprintf(want, sizeof(want), "\"not_before\":\"%s\"",
			    iso);
			bad += strstr(line, want) == NULL;
		} else
			bad += strstr(line, "\"not_before\"") != NULL;
		if (gtime_format_iso(t[n - 1 - i], iso, sizeof(iso)) == 0) {
			snprintf(want, sizeof(want), "\"not_after\":\"%s\"",
			    iso);
			bad += strstr(line, want) == NULL;
		} else
			bad += strstr(line, "\"not_after\"") != NULL;
		*end = '\n';
	}
	CU_ASSERT_EQUAL(bad, 0);
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
    REEF_TEST(test_report_repositories),
    REEF_TEST(test_report_sort),
    REEF_TEST(test_report_sort_collisions),
    REEF_TEST(test_report_sort_nested),
    REEF_TEST(test_report_shared_strings),
    REEF_TEST(test_report_times),
    REEF_TEST(test_report_prefixes),
    REEF_TEST(test_report_sort_heads),
    REEF_TEST(test_report_times_repeat))
