/*
 * Tests for common/json.c: exact compact and pretty output, escaping and
 * UTF-8 repair, misuse detection, FILE output (through the writer's own
 * buffer: the same text as a buffer writer, also beyond the buffer size
 * and without json_finish()) and write errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/json.h"
#include "common/limits.h"
#include "suite.h"
#include "util.h"

#define MANY	10000

/* The document used for the layout tests. */
static void
write_doc(struct json *j)
{
	CU_ASSERT_EQUAL(json_object_begin(j), 0);
	CU_ASSERT_EQUAL(json_kv_string(j, "name", "reef"), 0);
	CU_ASSERT_EQUAL(json_kv_int(j, "neg", -5), 0);
	CU_ASSERT_EQUAL(json_kv_uint(j, "big", UINT64_MAX), 0);
	CU_ASSERT_EQUAL(json_kv_bool(j, "ok", 1), 0);
	CU_ASSERT_EQUAL(json_key(j, "list"), 0);
	CU_ASSERT_EQUAL(json_array_begin(j), 0);
	CU_ASSERT_EQUAL(json_int(j, 1), 0);
	CU_ASSERT_EQUAL(json_null(j), 0);
	CU_ASSERT_EQUAL(json_array_begin(j), 0);
	CU_ASSERT_EQUAL(json_array_end(j), 0);
	CU_ASSERT_EQUAL(json_object_begin(j), 0);
	CU_ASSERT_EQUAL(json_kv_bool(j, "f", 0), 0);
	CU_ASSERT_EQUAL(json_object_end(j), 0);
	CU_ASSERT_EQUAL(json_array_end(j), 0);
	CU_ASSERT_EQUAL(json_key(j, "empty"), 0);
	CU_ASSERT_EQUAL(json_object_begin(j), 0);
	CU_ASSERT_EQUAL(json_object_end(j), 0);
	CU_ASSERT_EQUAL(json_object_end(j), 0);
	CU_ASSERT_EQUAL(json_finish(j), 0);
	CU_ASSERT_FALSE(json_failed(j));
}

static void
test_json_compact(void)
{
	struct json *j = json_new_buffer(0);
	size_t len = 0;
	const char *want = "{\"name\":\"reef\",\"neg\":-5,"
	    "\"big\":18446744073709551615,\"ok\":true,"
	    "\"list\":[1,null,[],{\"f\":false}],\"empty\":{}}";

	CU_ASSERT_FATAL(j != NULL);
	write_doc(j);
	CU_ASSERT_STRING_EQUAL(json_buffer(j, &len), want);
	CU_ASSERT_EQUAL(len, strlen(want));
	json_free(j);
}

static void
test_json_pretty(void)
{
	struct json *j = json_new_buffer(JSON_PRETTY);

	CU_ASSERT_FATAL(j != NULL);
	write_doc(j);
	CU_ASSERT_STRING_EQUAL(json_buffer(j, NULL),
	    "{\n"
	    "  \"name\": \"reef\",\n"
	    "  \"neg\": -5,\n"
	    "  \"big\": 18446744073709551615,\n"
	    "  \"ok\": true,\n"
	    "  \"list\": [\n"
	    "    1,\n"
	    "    null,\n"
	    "    [],\n"
	    "    {\n"
	    "      \"f\": false\n"
	    "    }\n"
	    "  ],\n"
	    "  \"empty\": {}\n"
	    "}\n");
	json_free(j);
}

/* json_flat_from(): deep containers on the line where they start. */
static void
test_json_flat_from(void)
{
	struct json *j = json_new_buffer(JSON_PRETTY);

	CU_ASSERT_FATAL(j != NULL);
	json_flat_from(j, 3);
	write_doc(j);
	CU_ASSERT_STRING_EQUAL(json_buffer(j, NULL),
	    "{\n"
	    "  \"name\": \"reef\",\n"
	    "  \"neg\": -5,\n"
	    "  \"big\": 18446744073709551615,\n"
	    "  \"ok\": true,\n"
	    "  \"list\": [\n"
	    "    1,\n"
	    "    null,\n"
	    "    [],\n"
	    "    {\"f\":false}\n"
	    "  ],\n"
	    "  \"empty\": {}\n"
	    "}\n");
	json_free(j);
	/* From level 1: the whole document on one line. */
	CU_ASSERT_FATAL((j = json_new_buffer(JSON_PRETTY)) != NULL);
	json_flat_from(j, 1);
	write_doc(j);
	CU_ASSERT_STRING_EQUAL(json_buffer(j, NULL),
	    "{\"name\":\"reef\",\"neg\":-5,\"big\":18446744073709551615,"
	    "\"ok\":true,\"list\":[1,null,[],{\"f\":false}],\"empty\":{}}\n");
	json_free(j);
}

static void
test_json_scalars(void)
{
	struct {
		int		 kind;
		const char	*want;
	} cases[] = {
		{ 0, "-9223372036854775808" },
		{ 1, "9223372036854775807" },
		{ 2, "0" },
		{ 3, "null" },
		{ 4, "false" },
		{ 5, "\"\"" },
	};
	struct json *j;
	size_t i;
	int rc = -1;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		j = json_new_buffer(JSON_PRETTY);
		CU_ASSERT_FATAL(j != NULL);
		switch (cases[i].kind) {
		case 0:
			rc = json_int(j, INT64_MIN);
			break;
		case 1:
			rc = json_int(j, INT64_MAX);
			break;
		case 2:
			rc = json_uint(j, 0);
			break;
		case 3:
			rc = json_null(j);
			break;
		case 4:
			rc = json_bool(j, 0);
			break;
		case 5:
			rc = json_string(j, "");
			break;
		}
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(json_finish(j), 0);
		CU_ASSERT_NSTRING_EQUAL(json_buffer(j, NULL), cases[i].want,
		    strlen(cases[i].want));
		CU_ASSERT_STRING_EQUAL(json_buffer(j, NULL) +
		    strlen(cases[i].want), "\n");
		json_free(j);
	}
}

/* Compact encoding of len bytes of s as a lone string value. */
static char *
enc(const char *s, size_t len)
{
	struct json *j = json_new_buffer(0);
	char *out;

	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT_EQUAL(json_string_len(j, s, len), 0);
	CU_ASSERT_EQUAL(json_finish(j), 0);
	out = strdup(json_buffer(j, NULL));
	json_free(j);
	return out;
}

#define R	"\xef\xbf\xbd"	/* U+FFFD */

static void
test_json_escaping(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\s/", "\"q\\\"b\\\\s/\"" },
		{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
		/* Valid UTF-8 passes through: 2, 3 and 4 byte forms, limits. */
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
		    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"" },
		{ "\xc2\x80\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf",
		    "\"\xc2\x80\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf\"" },
		/* Invalid UTF-8: one U+FFFD per maximal invalid subpart. */
		{ "\x80", "\"" R "\"" },
		{ "a\xbf" "b", "\"a" R "b\"" },
		{ "\xc0\xaf", "\"" R R "\"" },		/* overlong '/' */
		{ "\xc1\xbf", "\"" R R "\"" },
		{ "\xe0\x80\x80", "\"" R R R "\"" },	/* overlong */
		{ "\xed\xa0\x80", "\"" R R R "\"" },	/* surrogate */
		{ "\xf0\x80\x80\x80", "\"" R R R R "\"" },
		{ "\xf4\x90\x80\x80", "\"" R R R R "\"" }, /* > U+10FFFF */
		{ "\xf5\x80", "\"" R R "\"" },
		{ "\xff", "\"" R "\"" },
		{ "\xe2\x82", "\"" R "\"" },		/* truncated at end */
		{ "\xe2\x82" "A", "\"" R "A\"" },
		{ "\xf0\x9f\x98" "x", "\"" R "x\"" },
		{ "\xf0\x9f\x98\xc3\xa9", "\"" R "\xc3\xa9\"" },
	};
	char *out;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = enc(cases[i].in, strlen(cases[i].in));
		CU_ASSERT_STRING_EQUAL(out, cases[i].want);
		free(out);
	}
	/* Embedded NUL with an explicit length. */
	out = enc("a\0b", 3);
	CU_ASSERT_STRING_EQUAL(out, "\"a\\u0000b\"");
	free(out);
}

static void
test_json_keys_escaped(void)
{
	struct json *j = json_new_buffer(0);

	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT_EQUAL(json_object_begin(j), 0);
	CU_ASSERT_EQUAL(json_kv_string(j, "a\"\n\xff", "v"), 0);
	CU_ASSERT_EQUAL(json_object_end(j), 0);
	CU_ASSERT_EQUAL(json_finish(j), 0);
	CU_ASSERT_STRING_EQUAL(json_buffer(j, NULL),
	    "{\"a\\\"\\n" R "\":\"v\"}");
	json_free(j);
}

/* Misuse scenarios; each ends with the call that must fail. */
static int
misuse(int which, struct json *j)
{
	switch (which) {
	case 0:		/* value without key in an object */
		json_object_begin(j);
		return json_int(j, 1);
	case 1:		/* key in an array */
		json_array_begin(j);
		return json_key(j, "k");
	case 2:		/* key at top level */
		return json_key(j, "k");
	case 3:		/* two keys in a row */
		json_object_begin(j);
		json_key(j, "a");
		return json_key(j, "b");
	case 4:		/* mismatched close */
		json_array_begin(j);
		return json_object_end(j);
	case 5:
		json_object_begin(j);
		return json_array_end(j);
	case 6:		/* close with nothing open */
		return json_object_end(j);
	case 7:		/* a second top-level value */
		json_int(j, 1);
		return json_int(j, 2);
	case 8:		/* close with a key still waiting for its value */
		json_object_begin(j);
		json_key(j, "dangling");
		return json_object_end(j);
	case 9:		/* NULL string */
		json_array_begin(j);
		return json_string(j, NULL);
	case 10:	/* NULL key */
		json_object_begin(j);
		return json_key(j, NULL);
	case 11:	/* kv outside an object */
		json_array_begin(j);
		return json_kv_int(j, "x", 1);
	case 12:
		return json_kv_uint(j, "x", 1);
	case 13:
		return json_kv_bool(j, "x", 1);
	case 14:
		return json_kv_string(j, "x", "y");
	case 15:	/* a container after the top-level value */
		json_object_begin(j);
		json_object_end(j);
		return json_array_begin(j);
	default:
		return 0;
	}
}
#define NMISUSE	16

static void
test_json_misuse(void)
{
	struct json *j;
	const char *before;
	char *saved;
	int i;

	for (i = 0; i < NMISUSE; i++) {
		j = json_new_buffer(0);
		CU_ASSERT_FATAL(j != NULL);
		errno = 0;
		CU_ASSERT_EQUAL(misuse(i, j), -1);
		CU_ASSERT_EQUAL(errno, EINVAL);
		CU_ASSERT_TRUE(json_failed(j));
		/* Sticky: nothing else is accepted or written. */
		saved = strdup(json_buffer(j, NULL));
		CU_ASSERT_EQUAL(json_null(j), -1);
		CU_ASSERT_EQUAL(json_string(j, "x"), -1);
		CU_ASSERT_EQUAL(json_string(j, NULL), -1);
		CU_ASSERT_EQUAL(json_array_begin(j), -1);
		CU_ASSERT_EQUAL(json_array_end(j), -1);
		CU_ASSERT_EQUAL(json_object_end(j), -1);
		CU_ASSERT_EQUAL(json_key(j, "k"), -1);
		CU_ASSERT_EQUAL(json_finish(j), -1);
		before = json_buffer(j, NULL);
		CU_ASSERT_STRING_EQUAL(before, saved);
		free(saved);
		json_free(j);
	}
}

static void
test_json_incomplete(void)
{
	struct json *j;

	/* Nothing written. */
	j = json_new_buffer(0);
	CU_ASSERT_FATAL(j != NULL);
	errno = 0;
	CU_ASSERT_EQUAL(json_finish(j), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	json_free(j);

	/* A container left open. */
	j = json_new_buffer(JSON_PRETTY);
	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT_EQUAL(json_array_begin(j), 0);
	CU_ASSERT_EQUAL(json_array_begin(j), 0);
	CU_ASSERT_EQUAL(json_array_end(j), 0);
	CU_ASSERT_EQUAL(json_finish(j), -1);
	CU_ASSERT_TRUE(json_failed(j));
	json_free(j);
	json_free(NULL);
}

static void
test_json_depth(void)
{
	struct json *j = json_new_buffer(0);
	int i;

	CU_ASSERT_FATAL(j != NULL);
	for (i = 0; i < MAX_JSON_DEPTH; i++)
		CU_ASSERT_EQUAL_FATAL(json_array_begin(j), 0);
	CU_ASSERT_EQUAL(json_array_begin(j), -1);
	CU_ASSERT_TRUE(json_failed(j));
	json_free(j);

	j = json_new_buffer(0);
	CU_ASSERT_FATAL(j != NULL);
	for (i = 0; i < MAX_JSON_DEPTH; i++)
		CU_ASSERT_EQUAL_FATAL(json_array_begin(j), 0);
	for (i = 0; i < MAX_JSON_DEPTH; i++)
		CU_ASSERT_EQUAL_FATAL(json_array_end(j), 0);
	CU_ASSERT_EQUAL(json_finish(j), 0);
	CU_ASSERT_EQUAL(strlen(json_buffer(j, NULL)), 2 * MAX_JSON_DEPTH);
	json_free(j);
}

static void
test_json_growth(void)
{
	struct json *j = json_new_buffer(0);
	const char *s;
	size_t len, want = 2;
	int i;

	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT_EQUAL(json_array_begin(j), 0);
	for (i = 0; i < MANY; i++) {
		CU_ASSERT_EQUAL_FATAL(json_int(j, i), 0);
		want += snprintf(NULL, 0, "%d", i) + (i > 0);
	}
	CU_ASSERT_EQUAL(json_array_end(j), 0);
	CU_ASSERT_EQUAL(json_finish(j), 0);
	s = json_buffer(j, &len);
	CU_ASSERT_EQUAL(len, want);
	CU_ASSERT_EQUAL(strlen(s), len);
	CU_ASSERT_NSTRING_EQUAL(s, "[0,1,2,", 7);
	CU_ASSERT_STRING_EQUAL(s + len - 6, ",9999]");
	json_free(j);
}

/* A FILE writer on a new file path; *fp gets the FILE. */
static struct json *
file_writer(const char *path, int flags, FILE **fp)
{
	struct json *j;

	*fp = fopen(path, "w");
	CU_ASSERT_FATAL(*fp != NULL);
	j = json_new_file(*fp, flags);
	CU_ASSERT_FATAL(j != NULL);
	return j;
}

static void
test_json_file(void)
{
	char *dir = tu_tmpdir("json"), *path, *text;
	struct json *j;
	FILE *fp;

	CU_ASSERT_FATAL(dir != NULL);
	path = tu_asprintf("%s/out.json", dir);
	j = file_writer(path, JSON_PRETTY, &fp);
	CU_ASSERT_PTR_NULL(json_buffer(j, NULL));
	CU_ASSERT_EQUAL(json_object_begin(j), 0);
	CU_ASSERT_EQUAL(json_key(j, "roas"), 0);
	CU_ASSERT_EQUAL(json_array_begin(j), 0);
	CU_ASSERT_EQUAL(json_object_begin(j), 0);
	CU_ASSERT_EQUAL(json_kv_string(j, "prefix", "192.0.2.0/24"), 0);
	CU_ASSERT_EQUAL(json_kv_uint(j, "maxLength", 24), 0);
	CU_ASSERT_EQUAL(json_object_end(j), 0);
	CU_ASSERT_EQUAL(json_array_end(j), 0);
	CU_ASSERT_EQUAL(json_object_end(j), 0);
	CU_ASSERT_EQUAL(json_finish(j), 0);
	json_free(j);
	CU_ASSERT_EQUAL(fclose(fp), 0);
	text = (char *)tu_read_file(path, NULL);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_STRING_EQUAL(text,
	    "{\n"
	    "  \"roas\": [\n"
	    "    {\n"
	    "      \"prefix\": \"192.0.2.0/24\",\n"
	    "      \"maxLength\": 24\n"
	    "    }\n"
	    "  ]\n"
	    "}\n");
	free(text);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void
test_json_write_error(void)
{
	struct json *j;
	FILE *fp;

	/* /dev/full fails every write with ENOSPC. */
	if ((fp = fopen("/dev/full", "w")) == NULL) {
		fprintf(stderr, "no /dev/full, write errors not tested\n");
		return;
	}
	j = json_new_file(fp, 0);
	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT_EQUAL(json_string(j, "buffered by stdio"), 0);
	errno = 0;
	CU_ASSERT_EQUAL(json_finish(j), -1);
	CU_ASSERT_EQUAL(errno, ENOSPC);
	CU_ASSERT_TRUE(json_failed(j));
	json_free(j);
	fclose(fp);

	/*
	 * Unbuffered: the writer's own buffer still holds a short document,
	 * so the failure shows in json_finish().
	 */
	fp = fopen("/dev/full", "w");
	CU_ASSERT_FATAL(fp != NULL);
	setvbuf(fp, NULL, _IONBF, 0);
	j = json_new_file(fp, 0);
	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT_EQUAL(json_array_begin(j), 0);
	CU_ASSERT_EQUAL(json_array_end(j), 0);
	errno = 0;
	CU_ASSERT_EQUAL(json_finish(j), -1);
	CU_ASSERT_EQUAL(errno, ENOSPC);
	json_free(j);
	fclose(fp);
}

/*
 * A document longer than the writer's buffer fails at the call that
 * fills it, and every later call fails too.
 */
static void
test_json_write_error_midway(void)
{
	struct json *j;
	FILE *fp;
	int i, first = -1, err = 0, later_ok = 0;

	if ((fp = fopen("/dev/full", "w")) == NULL) {
		fprintf(stderr, "no /dev/full, write errors not tested\n");
		return;
	}
	j = json_new_file(fp, JSON_PRETTY);
	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT_EQUAL(json_array_begin(j), 0);
	for (i = 0; i < MANY; i++) {
		errno = 0;
		if (json_string(j, "a string of thirty bytes, or so") == 0) {
			if (first >= 0)
				later_ok++;
		} else if (first < 0) {
			first = i;
			err = errno;
		}
	}
	/* 10,000 strings of 30 bytes and more are far beyond 64 KiB. */
	CU_ASSERT(first > 0);
	CU_ASSERT(first < MANY);
	CU_ASSERT_EQUAL(err, ENOSPC);
	CU_ASSERT_EQUAL(later_ok, 0);
	CU_ASSERT_TRUE(json_failed(j));
	CU_ASSERT_EQUAL(json_array_end(j), -1);
	CU_ASSERT_EQUAL(json_finish(j), -1);
	json_free(j);
	fclose(fp);
}

/* Write the same varied document through a FILE and a buffer writer. */
static void
write_big_doc(struct json *j, const char *huge)
{
	uint64_t v;
	int64_t sv;
	int i;

	CU_ASSERT_EQUAL(json_object_begin(j), 0);
	CU_ASSERT_EQUAL(json_kv_string(j, "huge", huge), 0);
	CU_ASSERT_EQUAL(json_key(j, "numbers"), 0);
	CU_ASSERT_EQUAL(json_array_begin(j), 0);
	for (i = 0, v = 1; i < MANY; i++, v = v * 3 + (uint64_t)i) {
		sv = (int64_t)(v >> 1);
		CU_ASSERT_EQUAL(json_int(j, i % 2 ? -sv : sv), 0);
		CU_ASSERT_EQUAL(json_uint(j, v), 0);
	}
	CU_ASSERT_EQUAL(json_int(j, INT64_MIN), 0);
	CU_ASSERT_EQUAL(json_uint(j, UINT64_MAX), 0);
	CU_ASSERT_EQUAL(json_array_end(j), 0);
	/* Indentation down to the deepest level. */
	CU_ASSERT_EQUAL(json_key(j, "deep"), 0);
	for (i = 1; i < MAX_JSON_DEPTH; i++)
		CU_ASSERT_EQUAL(json_array_begin(j), 0);
	CU_ASSERT_EQUAL(json_string(j, "bottom \xff\"\n"), 0);
	CU_ASSERT_EQUAL(json_bool(j, 1), 0);
	for (i = 1; i < MAX_JSON_DEPTH; i++)
		CU_ASSERT_EQUAL(json_array_end(j), 0);
	CU_ASSERT_EQUAL(json_kv_bool(j, "last", 0), 0);
	CU_ASSERT_EQUAL(json_object_end(j), 0);
	CU_ASSERT_EQUAL(json_finish(j), 0);
}

static void
test_json_file_big(void)
{
	char *dir = tu_tmpdir("json"), *path, *huge, *text;
	size_t hugelen = 3 * 65536 + 11, i, len = 0, blen = 0;
	const char *want;
	struct json *j, *b;
	FILE *fp;
	int pretty;

	CU_ASSERT_FATAL(dir != NULL);
	path = tu_asprintf("%s/big.json", dir);
	huge = malloc(hugelen + 1);
	CU_ASSERT_FATAL(huge != NULL);
	for (i = 0; i < hugelen; i++)
		huge[i] = "abc\"\\xyz\t"[i % 10];
	huge[hugelen] = '\0';
	for (pretty = 0; pretty <= JSON_PRETTY; pretty += JSON_PRETTY) {
		fp = fopen(path, "w");
		CU_ASSERT_FATAL(fp != NULL);
		j = json_new_file(fp, pretty);
		b = json_new_buffer(pretty);
		CU_ASSERT_FATAL(j != NULL && b != NULL);
		write_big_doc(j, huge);
		write_big_doc(b, huge);
		json_free(j);
		CU_ASSERT_EQUAL(fclose(fp), 0);
		want = json_buffer(b, &blen);
		text = (char *)tu_read_file(path, &len);
		CU_ASSERT_FATAL(text != NULL);
		CU_ASSERT(blen > 4 * 65536);
		CU_ASSERT_EQUAL(len, blen);
		CU_ASSERT(len == blen && memcmp(text, want, len) == 0);
		free(text);
		json_free(b);
	}
	free(huge);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* Integers as printf prints them, around every power of ten. */
static void
test_json_integers(void)
{
	char want[64];
	struct json *j;
	uint64_t p = 1;
	int64_t sv;
	int i, d, neg;

	for (i = 0; i < 20; i++, p *= 10) {
		for (d = -1; d <= 1; d++) {
			for (neg = 0; neg <= 1; neg++) {
				sv = (int64_t)((p + (uint64_t)d) &
				    (uint64_t)INT64_MAX);
				sv = neg ? -sv : sv;
				j = json_new_buffer(0);
				CU_ASSERT_FATAL(j != NULL);
				CU_ASSERT_EQUAL(json_int(j, sv), 0);
				snprintf(want, sizeof(want), "%" PRId64, sv);
				CU_ASSERT_STRING_EQUAL(json_buffer(j, NULL),
				    want);
				json_free(j);
			}
			j = json_new_buffer(0);
			CU_ASSERT_FATAL(j != NULL);
			CU_ASSERT_EQUAL(json_uint(j, p + (uint64_t)d), 0);
			snprintf(want, sizeof(want), "%" PRIu64,
			    p + (uint64_t)d);
			CU_ASSERT_STRING_EQUAL(json_buffer(j, NULL), want);
			json_free(j);
		}
	}
}

/*
 * json_free() without json_finish() hands fp what the calls wrote, also
 * after misuse, and leaves errno alone.
 */
static void
test_json_free_flushes(void)
{
	char *dir = tu_tmpdir("json"), *path, *text;
	struct json *j;
	FILE *fp;

	CU_ASSERT_FATAL(dir != NULL);
	path = tu_asprintf("%s/partial.json", dir);
	j = file_writer(path, JSON_PRETTY, &fp);
	CU_ASSERT_EQUAL(json_object_begin(j), 0);
	CU_ASSERT_EQUAL(json_kv_int(j, "a", 1), 0);
	CU_ASSERT_EQUAL(json_int(j, 2), -1);	/* no key: misuse */
	CU_ASSERT_EQUAL(json_finish(j), -1);
	errno = EDOM;
	json_free(j);
	CU_ASSERT_EQUAL(errno, EDOM);
	CU_ASSERT_EQUAL(fclose(fp), 0);
	text = (char *)tu_read_file(path, NULL);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_STRING_EQUAL(text, "{\n  \"a\": 1");
	free(text);

	/* No json_finish() at all. */
	j = file_writer(path, 0, &fp);
	CU_ASSERT_EQUAL(json_array_begin(j), 0);
	CU_ASSERT_EQUAL(json_string(j, "x"), 0);
	json_free(j);
	CU_ASSERT_EQUAL(fclose(fp), 0);
	text = (char *)tu_read_file(path, NULL);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_STRING_EQUAL(text, "[\"x\"");
	free(text);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/*
 * The escaped form of s (len bytes) as json.h describes it, for the
 * bytes the fast-path tests use: plain ASCII, '"', '\\', controls, DEL,
 * a valid two-byte sequence (c3 a9) and lone bytes from 0x80 up that
 * start no valid sequence (each one U+FFFD).  Appended to out at *o.
 */
static void
ref_escape(const unsigned char *s, size_t len, char *out, size_t *o)
{
	size_t i;

	out[(*o)++] = '"';
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			out[(*o)++] = '\\';
			out[(*o)++] = (char)s[i];
		} else if (s[i] == '\n') {
			memcpy(out + *o, "\\n", 2);
			*o += 2;
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			*o += (size_t)sprintf(out + *o, "\\u%04x", s[i]);
		} else if (s[i] == 0xc3 && i + 1 < len && s[i + 1] == 0xa9) {
			memcpy(out + *o, "\xc3\xa9", 2);
			*o += 2;
			i++;
		} else if (s[i] >= 0x80) {
			memcpy(out + *o, R, 3);
			*o += 3;
		} else
			out[(*o)++] = (char)s[i];
	}
	out[(*o)++] = '"';
	out[*o] = '\0';
}

/*
 * Plain strings of every length up to 40 and the same with one byte to
 * escape or repair at every position: the word-wise scan must find it
 * in any of the eight lanes, in the overlapping last word and in the
 * byte-wise tail, for values (one or two calls) and for keys.
 */
static void
test_json_fast_strings(void)
{
	static const char *specials[] = { "\"", "\\", "\n", "\x01", "\x1f",
	    "\x7f", "\x80", "\xff", "\xc3\xa9", "\xc3" };
	unsigned char in[64];
	char want[512], key[64];
	struct json *j;
	size_t len, pos, k, o, bad = 0;

	for (len = 0; len <= 40; len++) {
		for (k = 0; k <= sizeof(specials) / sizeof(specials[0]); k++) {
			for (pos = 0; pos <= len; pos++) {
				/* Printable bytes, ' ' and '~' included. */
				for (o = 0; o < len; o++)
					in[o] = (unsigned char)(' ' +
					    (o * 7 + len) % 95);
				if (k > 0 && pos < len) {
					memcpy(in + pos, specials[k - 1],
					    strlen(specials[k - 1]));
					if (pos + strlen(specials[k - 1]) > len)
						continue;
				} else if (k > 0)
					continue;
				in[len] = '\0';
				/* {"<in>":"<in>","v":"<in>"} */
				o = 0;
				want[o++] = '{';
				ref_escape(in, len, want, &o);
				want[o++] = ':';
				ref_escape(in, len, want, &o);
				memcpy(want + o, ",\"v\":", 5);
				o += 5;
				ref_escape(in, len, want, &o);
				want[o++] = '}';
				want[o] = '\0';
				memcpy(key, in, len + 1);
				j = json_new_buffer(0);
				CU_ASSERT_FATAL(j != NULL);
				json_object_begin(j);
				json_kv_string_len(j, key, (const char *)in,
				    len);
				json_key(j, "v");
				json_string_len(j, (const char *)in, len);
				json_object_end(j);
				if (json_finish(j) != 0 ||
				    strcmp(json_buffer(j, NULL), want) != 0)
					bad++;
				json_free(j);
				if (k == 0)
					break;
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * Members written in one piece and in two calls give the same text, in
 * every layout, also for keys and values beyond the one-piece limit
 * (4096 bytes) and for keys that need escapes.
 */
static void
write_members(struct json *j, const char *longs, int split)
{
	json_object_begin(j);
	if (split) {
		json_key(j, "s");
		json_string(j, "v");
		json_key(j, "i");
		json_int(j, INT64_MIN);
		json_key(j, "u");
		json_uint(j, UINT64_MAX);
		json_key(j, "b");
		json_bool(j, 0);
		json_key(j, longs);
		json_string(j, longs);
		json_key(j, "k\"\n");
		json_int(j, -1);
		json_key(j, "list");
	} else {
		json_kv_string(j, "s", "v");
		json_kv_int(j, "i", INT64_MIN);
		json_kv_uint(j, "u", UINT64_MAX);
		json_kv_bool(j, "b", 0);
		json_kv_string_len(j, longs, longs, strlen(longs));
		json_kv_int(j, "k\"\n", -1);
		json_key(j, "list");
	}
	json_array_begin(j);
	json_object_begin(j);
	json_kv_int(j, "x", INT64_MAX);
	json_object_end(j);
	json_object_begin(j);
	json_object_end(j);
	json_array_end(j);
	json_object_end(j);
	CU_ASSERT_EQUAL(json_finish(j), 0);
}

static void
test_json_fast_members(void)
{
	static const int modes[] = { 0, JSON_PRETTY, JSON_PRETTY };
	char *longs, want[128];
	const char *text, *split_text;
	struct json *a, *b;
	size_t i, n = 5000, len;

	CU_ASSERT_FATAL((longs = malloc(n + 1)) != NULL);
	for (i = 0; i < n; i++)
		longs[i] = (char)('a' + i % 26);
	longs[n] = '\0';
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		a = json_new_buffer(modes[i]);
		b = json_new_buffer(modes[i]);
		CU_ASSERT_FATAL(a != NULL && b != NULL);
		if (i == 2) {
			json_flat_from(a, 3);
			json_flat_from(b, 3);
		}
		write_members(a, longs, 0);
		write_members(b, longs, 1);
		text = json_buffer(a, &len);
		split_text = json_buffer(b, NULL);
		CU_ASSERT_STRING_EQUAL(text, split_text);
		CU_ASSERT(len > 2 * n);
		snprintf(want, sizeof(want), i == 0 ?
		    "{\"s\":\"v\",\"i\":%" PRId64 ",\"u\":%" PRIu64
		    ",\"b\":false,\"" : "{\n  \"s\": \"v\",\n  \"i\": %" PRId64
		    ",\n  \"u\": %" PRIu64 ",\n  \"b\": false,\n  \"",
		    INT64_MIN, UINT64_MAX);
		CU_ASSERT_NSTRING_EQUAL(text, want, strlen(want));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, i == 0 ?
		    "\"k\\\"\\n\":-1," : "\"k\\\"\\n\": -1,"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, i == 0 ?
		    "[{\"x\":9223372036854775807},{}]" : i == 1 ?
		    "[\n    {\n      \"x\": 9223372036854775807\n    },\n"
		    "    {}\n  ]" :
		    "[\n    {\"x\":9223372036854775807},\n    {}\n  ]"));
		json_free(a);
		json_free(b);
	}
	free(longs);
}

/* Members as printf prints their numbers, around every power of ten. */
static void
test_json_kv_integers(void)
{
	char want[256];
	struct json *j;
	uint64_t p = 1;
	int64_t sv;
	int i, d;

	for (i = 0; i < 20; i++, p *= 10) {
		for (d = -1; d <= 1; d++) {
			sv = (int64_t)((p + (uint64_t)d) & (uint64_t)INT64_MAX);
			j = json_new_buffer(0);
			CU_ASSERT_FATAL(j != NULL);
			json_object_begin(j);
			json_kv_int(j, "n", -sv);
			json_kv_int(j, "p", sv);
			json_kv_uint(j, "u", p + (uint64_t)d);
			json_object_end(j);
			CU_ASSERT_EQUAL(json_finish(j), 0);
			snprintf(want, sizeof(want), "{\"n\":%" PRId64
			    ",\"p\":%" PRId64 ",\"u\":%" PRIu64 "}", -sv, sv,
			    p + (uint64_t)d);
			CU_ASSERT_STRING_EQUAL(json_buffer(j, NULL), want);
			json_free(j);
		}
	}
}

/*
 * A FILE writer's text is the buffer writer's when members, strings to
 * escape and numbers straddle its 64 KiB block at every offset: members
 * of every length from 1 to 300 bytes, one in three with an escape.
 */
static void
test_json_file_boundaries(void)
{
	char *dir = tu_tmpdir("json"), *path, *text, *want, val[512];
	size_t i, k, len = 0, blen = 0, o = 0, cap = 1 << 20, vlen;
	struct json *j, *b;
	FILE *fp;

	CU_ASSERT_FATAL(dir != NULL);
	path = tu_asprintf("%s/bounds.json", dir);
	CU_ASSERT_FATAL((fp = fopen(path, "w")) != NULL);
	CU_ASSERT_FATAL((want = malloc(cap)) != NULL);
	j = json_new_file(fp, 0);
	b = json_new_buffer(0);
	CU_ASSERT_FATAL(j != NULL && b != NULL);
	json_array_begin(j);
	json_array_begin(b);
	want[o++] = '[';
	for (i = 0; o < 3 * 65536 + 1000; i++) {
		vlen = 1 + i % 300;
		for (k = 0; k < vlen; k++)
			val[k] = (char)('A' + (i + k) % 26);
		if (i % 3 == 0)
			val[(i * 13) % vlen] = i % 2 ? '"' : '\x02';
		if (i > 0)
			want[o++] = ',';
		want[o++] = '{';
		ref_escape((const unsigned char *)"k", 1, want, &o);
		want[o++] = ':';
		ref_escape((const unsigned char *)val, vlen, want, &o);
		o += (size_t)sprintf(want + o, ",\"n\":%" PRIu64 "}",
		    UINT64_MAX - i);
		json_object_begin(j);
		json_object_begin(b);
		json_kv_string_len(j, "k", val, vlen);
		json_kv_string_len(b, "k", val, vlen);
		json_kv_uint(j, "n", UINT64_MAX - i);
		json_kv_uint(b, "n", UINT64_MAX - i);
		json_object_end(j);
		json_object_end(b);
	}
	want[o++] = ']';
	want[o] = '\0';
	json_array_end(j);
	json_array_end(b);
	CU_ASSERT_EQUAL(json_finish(j), 0);
	CU_ASSERT_EQUAL(json_finish(b), 0);
	json_free(j);
	CU_ASSERT_EQUAL(fclose(fp), 0);
	text = (char *)tu_read_file(path, &len);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_EQUAL(len, o);
	CU_ASSERT(len == o && memcmp(text, want, o) == 0);
	CU_ASSERT_STRING_EQUAL(json_buffer(b, &blen), want);
	free(text);
	json_free(b);
	free(want);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

REEF_SUITE(json,
    REEF_TEST(test_json_compact),
    REEF_TEST(test_json_pretty),
    REEF_TEST(test_json_flat_from),
    REEF_TEST(test_json_scalars),
    REEF_TEST(test_json_escaping),
    REEF_TEST(test_json_keys_escaped),
    REEF_TEST(test_json_misuse),
    REEF_TEST(test_json_incomplete),
    REEF_TEST(test_json_depth),
    REEF_TEST(test_json_growth),
    REEF_TEST(test_json_file),
    REEF_TEST(test_json_write_error),
    REEF_TEST(test_json_write_error_midway),
    REEF_TEST(test_json_file_big),
    REEF_TEST(test_json_integers),
    REEF_TEST(test_json_free_flushes),
    REEF_TEST(test_json_fast_strings),
    REEF_TEST(test_json_fast_members),
    REEF_TEST(test_json_kv_integers),
    REEF_TEST(test_json_file_boundaries))
