/*
 * Tests for common/jsonread.c: RFC 8259 acceptance and rejection cases
 * (in the spirit of JSONTestSuite, written here), escapes and UTF-8,
 * number classification, limits, error positions and jr_skip().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/jsonread.h"
#include "suite.h"

#define T_DEPTH		16
#define T_STRING	64

/* Read the whole document; 0 if it is valid, -1 at the first error. */
static int
walk(const char *doc, size_t len, size_t depth, size_t maxstr)
{
	struct jsonread	*jr;
	enum jr_token	 t;
	size_t		 guard = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(jr = jr_new(doc, len, depth, maxstr));
	while ((t = jr_next(jr)) != JR_END && t != JR_ERROR)
		CU_ASSERT_FATAL(++guard < 100000);
	if (t == JR_ERROR) {
		CU_ASSERT_PTR_NOT_NULL(jr_error(jr));
		/* Errors are sticky. */
		CU_ASSERT_EQUAL(jr_next(jr), JR_ERROR);
	} else {
		CU_ASSERT_PTR_NULL(jr_error(jr));
		CU_ASSERT_EQUAL(jr_next(jr), JR_END);
	}
	jr_free(jr);
	return t == JR_END ? 0 : -1;
}

static int
walks(const char *doc)
{
	return walk(doc, strlen(doc), T_DEPTH, T_STRING);
}

static void
test_accept(void)
{
	static const char *ok[] = {
		"{}", "[]", "0", "-0", "1", "-1", "1.5", "1e5", "1E+5", "1e-5",
		"-0.0e0", "\"\"", "\"abc\"", "true", "false", "null",
		" \t\r\n[ 1 , 2 ]\n", "{\"a\":{\"b\":[[],{}]}}",
		"[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", "\"\\u0000\"",
		"\"\\ud83d\\ude00\"", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
		"\"\xef\xbf\xbf\"", "\"\xf4\x8f\xbf\xbf\"", "[1,[2,[3]]]",
		"{\"a\":1,\"a\":2}",	/* duplicates are the caller's business */
		"123456789012345678901234567890",	/* big, but a number */
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (walks(ok[i]) != 0)
			fprintf(stderr, "rejected: %s\n", ok[i]);
		CU_ASSERT_EQUAL(walks(ok[i]), 0);
	}
}

static void
test_reject(void)
{
	static const char *bad[] = {
		"", " ", "{", "[", "]", "}", "[1,]", "{\"a\":1,}", "[,1]",
		"{,}", "[1 2]", "{\"a\" 1}", "{\"a\":}", "{1:2}", "{a:1}",
		"{'a':1}", "['a']", "01", "-01", "+1", ".5", "1.", "1.e5",
		"1e", "1e+", "-", "--1", "0x10", "NaN", "Infinity", "-Infinity",
		"tru", "truee", "nul", "True", "[true false]", "1 2", "{} {}",
		"[] x", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"",
		"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
		"\"\\ud800x\"", "\"\t\"", "\"\n\"", "\"\x01\"",
		"\"\xc0\xaf\"", "\"\xe0\x80\xaf\"", "\"\xed\xa0\x80\"",
		"\"\xf4\x90\x80\x80\"", "\"\xf8\x88\x80\x80\x80\"", "\"\x80\"",
		"\"\xc3\"", "\"\xe2\x82\"", "\"\xff\"",
		"\xef\xbb\xbf{}",	/* byte order mark */
		"/* c */ {}", "[1] // c", "[\"a\"\"b\"]", "{\"a\":1 \"b\":2}",
		"[1}", "{\"a\":1]", "\x00",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (walk(bad[i], strlen(bad[i]) + (bad[i][0] == '\0'),
		    T_DEPTH, T_STRING) != -1)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CU_ASSERT_EQUAL(walk(bad[i], strlen(bad[i]) +
		    (bad[i][0] == '\0'), T_DEPTH, T_STRING), -1);
	}
	/* A NUL byte in the middle of the buffer is not whitespace. */
	CU_ASSERT_EQUAL(walk("[1]\0", 4, T_DEPTH, T_STRING), -1);
	CU_ASSERT_EQUAL(walk("[1]", 3, T_DEPTH, T_STRING), 0);
	/* Only the given length is read. */
	CU_ASSERT_EQUAL(walk("[1]]", 3, T_DEPTH, T_STRING), 0);
	CU_ASSERT_EQUAL(walk("[12", 2, T_DEPTH, T_STRING), -1);
}

static void
test_tokens(void)
{
	static const char	 doc[] = "{\"k\": [1, \"s\", true, false, null, {}]}";
	static const enum jr_token want[] = {
		JR_OBJECT_BEGIN, JR_KEY, JR_ARRAY_BEGIN, JR_NUMBER, JR_STRING,
		JR_TRUE, JR_FALSE, JR_NULL, JR_OBJECT_BEGIN, JR_OBJECT_END,
		JR_ARRAY_END, JR_OBJECT_END, JR_END
	};
	struct jsonread	*jr;
	size_t		 i, len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(jr = jr_new(doc, strlen(doc), 4, 16));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CU_ASSERT_EQUAL(jr_next(jr), want[i]);
		if (want[i] == JR_KEY) {
			CU_ASSERT_STRING_EQUAL(jr_string(jr, &len), "k");
			CU_ASSERT_EQUAL(len, 1);
			CU_ASSERT_EQUAL(jr_depth(jr), 1);
		}
		if (want[i] == JR_STRING)
			CU_ASSERT_STRING_EQUAL(jr_string(jr, NULL), "s");
		if (want[i] == JR_NUMBER) {
			CU_ASSERT_EQUAL(jr_number(jr)->kind, JR_NUM_INT);
			CU_ASSERT_EQUAL(jr_number(jr)->i, 1);
			CU_ASSERT_EQUAL(jr_column(jr), 8);
		}
	}
	CU_ASSERT_EQUAL(jr_depth(jr), 0);
	jr_free(jr);
	CU_ASSERT_STRING_EQUAL(jr_token_name(JR_KEY), "key");
	CU_ASSERT_STRING_EQUAL(jr_token_name(JR_END), "end of document");
}

/* Decode one top-level string; returns its length or -1. */
static long
str1(const char *doc, char *out, size_t outsz)
{
	struct jsonread	*jr;
	const char	*s;
	size_t		 len;
	long		 rc = -1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(jr = jr_new(doc, strlen(doc), 4, 16));
	if (jr_next(jr) == JR_STRING) {
		s = jr_string(jr, &len);
		CU_ASSERT_FATAL(len < outsz);
		memcpy(out, s, len + 1);
		rc = len;
	}
	jr_free(jr);
	return rc;
}

static void
test_escapes(void)
{
	char	buf[32];

	CU_ASSERT_EQUAL(str1("\"a\\u00e9b\"", buf, sizeof(buf)), 4);
	CU_ASSERT_STRING_EQUAL(buf, "a\xc3\xa9" "b");
	CU_ASSERT_EQUAL(str1("\"\\u20AC\"", buf, sizeof(buf)), 3);
	CU_ASSERT_STRING_EQUAL(buf, "\xe2\x82\xac");
	CU_ASSERT_EQUAL(str1("\"\\uD834\\uDD1E\"", buf, sizeof(buf)), 4);
	CU_ASSERT_STRING_EQUAL(buf, "\xf0\x9d\x84\x9e");
	CU_ASSERT_EQUAL(str1("\"\\uDBFF\\uDFFF\"", buf, sizeof(buf)), 4);
	CU_ASSERT_STRING_EQUAL(buf, "\xf4\x8f\xbf\xbf");
	CU_ASSERT_EQUAL(str1("\"\\u007f\\u0080\\u07ff\\u0800\"", buf,
	    sizeof(buf)), 1 + 2 + 2 + 3);
	CU_ASSERT_EQUAL(memcmp(buf, "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80", 8), 0);
	/* An escaped NUL is kept: the length tells. */
	CU_ASSERT_EQUAL(str1("\"a\\u0000b\"", buf, sizeof(buf)), 3);
	CU_ASSERT_EQUAL(memcmp(buf, "a\0b", 3), 0);
	CU_ASSERT_EQUAL(str1("\"\\/\\\\\\\"\"", buf, sizeof(buf)), 3);
	CU_ASSERT_STRING_EQUAL(buf, "/\\\"");
	CU_ASSERT_EQUAL(str1("\"\\uDE00\\uD83D\"", buf, sizeof(buf)), -1);
}

/* Parse one top-level number. */
static struct jr_number
num1(const char *doc)
{
	struct jsonread		*jr;
	struct jr_number	 n;

	memset(&n, 0, sizeof(n));
	CU_ASSERT_PTR_NOT_NULL_FATAL(jr = jr_new(doc, strlen(doc), 4, 16));
	CU_ASSERT_EQUAL_FATAL(jr_next(jr), JR_NUMBER);
	n = *jr_number(jr);
	n.text = NULL;
	CU_ASSERT_EQUAL(jr_next(jr), JR_END);
	jr_free(jr);
	return n;
}

static void
test_numbers(void)
{
	struct jr_number	n;

	n = num1("0");
	CU_ASSERT(n.kind == JR_NUM_INT && n.i == 0 && n.u == 0);
	n = num1("-0");
	CU_ASSERT(n.kind == JR_NUM_INT && n.i == 0);
	n = num1("9223372036854775807");
	CU_ASSERT(n.kind == JR_NUM_INT && n.i == INT64_MAX &&
	    n.u == INT64_MAX);
	n = num1("9223372036854775808");
	CU_ASSERT(n.kind == JR_NUM_UINT && n.u == (uint64_t)INT64_MAX + 1);
	n = num1("18446744073709551615");
	CU_ASSERT(n.kind == JR_NUM_UINT && n.u == UINT64_MAX);
	n = num1("18446744073709551616");
	CU_ASSERT(n.kind == JR_NUM_BIG);
	n = num1("-9223372036854775808");
	CU_ASSERT(n.kind == JR_NUM_INT && n.i == INT64_MIN);
	n = num1("-9223372036854775809");
	CU_ASSERT(n.kind == JR_NUM_BIG);
	n = num1("4294967295");
	CU_ASSERT(n.kind == JR_NUM_INT && n.i == 4294967295LL);
	n = num1("1.0");
	CU_ASSERT(n.kind == JR_NUM_FRAC);
	CU_ASSERT_EQUAL(n.len, 3);
	n = num1("1e3");
	CU_ASSERT(n.kind == JR_NUM_FRAC);
	n = num1("-2E-3");
	CU_ASSERT(n.kind == JR_NUM_FRAC && n.len == 5);
}

/* Error text of a document, into buf. */
static void
errof(const char *doc, char *buf, size_t bufsz)
{
	struct jsonread	*jr;

	CU_ASSERT_PTR_NOT_NULL_FATAL(jr = jr_new(doc, strlen(doc), 3, 8));
	while (jr_next(jr) > JR_END)
		;
	CU_ASSERT_PTR_NOT_NULL_FATAL(jr_error(jr));
	snprintf(buf, bufsz, "%s", jr_error(jr));
	jr_free(jr);
}

static void
test_errors_and_limits(void)
{
	char	buf[200];

	errof("[1,\n 2,\n   x]", buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "3:4: ", 5), 0);
	errof("{\n\"a\": [1,]}", buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "2:9: ", 5), 0);
	errof("[[[[1]]]]", buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "nesting"));
	CU_ASSERT_EQUAL(walk("[[[1]]]", 7, 3, 8), 0);
	errof("[\"123456789\"]", buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "longer"));
	CU_ASSERT_EQUAL(walk("[\"12345678\"]", 12, 3, 8), 0);
	/* The limit counts decoded bytes: 4 escapes of 2 bytes each. */
	CU_ASSERT_EQUAL(walk("\"\\u00e9\\u00e9\\u00e9\\u00e9\"", 26, 3, 8), 0);
	CU_ASSERT_EQUAL(walk("\"\\u00e9\\u00e9\\u00e9\\u00e9a\"", 27, 3, 8),
	    -1);
	errof("[1]\n  x", buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "2:3: ", 5), 0);
	errof("\"ab\x01\"", buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "1:4: control", 12), 0);
	CU_ASSERT_PTR_NULL(jr_new("[]", 2, 0, 8));
	CU_ASSERT_PTR_NULL(jr_new("[]", 2, 8, 0));
	jr_free(NULL);
}

static void
test_skip(void)
{
	static const char doc[] =
	    "{\"skip\": {\"a\": [1, {\"b\": []}], \"c\": \"d\"}, \"x\": [7, [8]], "
	    "\"keep\": 42}";
	struct jsonread	*jr;

	CU_ASSERT_PTR_NOT_NULL_FATAL(jr = jr_new(doc, strlen(doc), 8, 16));
	CU_ASSERT_EQUAL(jr_next(jr), JR_OBJECT_BEGIN);
	CU_ASSERT_EQUAL(jr_next(jr), JR_KEY);
	CU_ASSERT_EQUAL(jr_skip(jr), 0);	/* member value after a key */
	CU_ASSERT_EQUAL(jr_next(jr), JR_KEY);
	CU_ASSERT_STRING_EQUAL(jr_string(jr, NULL), "x");
	CU_ASSERT_EQUAL(jr_next(jr), JR_ARRAY_BEGIN);
	CU_ASSERT_EQUAL(jr_skip(jr), 0);	/* container after its begin */
	CU_ASSERT_EQUAL(jr_depth(jr), 1);
	CU_ASSERT_EQUAL(jr_next(jr), JR_KEY);
	CU_ASSERT_STRING_EQUAL(jr_string(jr, NULL), "keep");
	CU_ASSERT_EQUAL(jr_next(jr), JR_NUMBER);
	CU_ASSERT_EQUAL(jr_skip(jr), 0);	/* scalar: nothing */
	CU_ASSERT_EQUAL(jr_number(jr)->i, 42);
	CU_ASSERT_EQUAL(jr_next(jr), JR_OBJECT_END);
	CU_ASSERT_EQUAL(jr_next(jr), JR_END);
	jr_free(jr);

	/* Skipping into malformed input reports the error. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(jr = jr_new("{\"a\": [1, }", 11, 8, 16));
	CU_ASSERT_EQUAL(jr_next(jr), JR_OBJECT_BEGIN);
	CU_ASSERT_EQUAL(jr_next(jr), JR_KEY);
	CU_ASSERT_EQUAL(jr_skip(jr), -1);
	CU_ASSERT_PTR_NOT_NULL(jr_error(jr));
	jr_free(jr);
}

/* A long document of VRP-like objects: the reader is linear and fast. */
static void
test_large(void)
{
	const size_t	 n = 200000;
	char		*doc, *p;
	size_t		 i, objs = 0;
	struct jsonread	*jr;
	enum jr_token	 t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc = malloc(n * 100 + 16));
	p = doc;
	p += sprintf(p, "[");
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s{\"asn\": %zu, \"prefix\": \"10.%zu.%zu.0/24\"}",
		    i ? ",\n" : "", i, (i >> 8) & 255, i & 255);
	p += sprintf(p, "]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(jr = jr_new(doc, p - doc, 4, 64));
	while ((t = jr_next(jr)) > JR_END)
		if (t == JR_OBJECT_BEGIN)
			objs++;
	CU_ASSERT_EQUAL(t, JR_END);
	CU_ASSERT_EQUAL(objs, n);
	jr_free(jr);
	free(doc);
}

REEF_SUITE(jsonread, REEF_TEST(test_accept), REEF_TEST(test_reject),
    REEF_TEST(test_tokens), REEF_TEST(test_escapes), REEF_TEST(test_numbers),
    REEF_TEST(test_errors_and_limits), REEF_TEST(test_skip),
    REEF_TEST(test_large))
