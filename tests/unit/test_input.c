/*
 * Tests for rtrd/input.c: loading rpki-client and Routinator JSON and
 * the hand-off file, layout detection, expiry filtering, rejection of
 * bad entries with file and line:column, change polling, the same from
 * memory (input_load_buffer(), as for a body fetched over HTTPS), and a
 * timed load of 1,000,000 VRPs (time printed, not asserted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/handoff.h"
#include "rtrd/input.h"
#include "suite.h"
#include "util.h"

#define NOW		1700000000
#define BIG_VRPS	1000000

static const char rpki_client_json[] =
    "{\n"
    "\t\"metadata\": {\n"
    "\t\t\"buildmachine\": \"host\",\n"
    "\t\t\"buildtime\": \"2024-01-02T03:04:05Z\",\n"
    "\t\t\"talfiles\": [\"apnic.tal\"],\n"
    "\t\t\"roas\": 3\n"
    "\t},\n"
    "\t\"roas\": [\n"
    "\t\t{ \"asn\": 13335, \"prefix\": \"1.0.0.0/24\", \"maxLength\": 24, "
    "\"ta\": \"apnic\", \"expires\": 1700003600 },\n"
    "\t\t{ \"asn\": 64496, \"prefix\": \"2001:db8::/32\", \"maxLength\": 48, "
    "\"ta\": \"ripe\", \"expires\": 1700007200 },\n"
    "\t\t{ \"asn\": 64497, \"prefix\": \"192.0.2.0/24\", \"maxLength\": 24, "
    "\"ta\": \"ripe\", \"expires\": 1699999999 }\n"
    "\t],\n"
    "\t\"bgpsec_keys\": [\n"
    "\t\t{ \"asn\": 64498, \"ski\": \"510F485D29A29DB7B515F9C478F8ED3CB7AA7D23\", "
    "\"pubkey\": \"MFkwEwYHKoZIzj0CAQ==\", \"ta\": \"arin\", \"expires\": 1700100000 }\n"
    "\t],\n"
    "\t\"nonfunc_cas\": [ { \"location\": \"rsync://x/y.cer\", \"ta\": \"ripe\" } ],\n"
    "\t\"aspas\": [\n"
    "\t\t{ \"customer_asid\": 65000, \"expires\": 1700050000, "
    "\"providers\": [65002, 65001] },\n"
    "\t\t{ \"customer_asid\": 65010, \"expires\": 1600000000, "
    "\"providers\": [65011] }\n"
    "\t]\n"
    "}\n";

static const char routinator_json[] =
    "{\n"
    "  \"metadata\": {\n"
    "    \"generated\": 1626853335,\n"
    "    \"generatedTime\": \"2021-07-21T07:42:15Z\"\n"
    "  },\n"
    "  \"roas\": [\n"
    "    { \"asn\": \"AS13335\", \"prefix\": \"1.0.0.0/24\", \"maxLength\": 24, \"ta\": \"apnic\" },\n"
    "    { \"asn\": \"AS13335\", \"prefix\": \"1.0.0.0/24\", \"maxLength\": 24, \"ta\": \"N/A\" },\n"
    "    { \"asn\": \"AS64496\", \"prefix\": \"2001:db8::/32\", \"maxLength\": 32, \"ta\": \"ripe\" }\n"
    "  ],\n"
    "  \"routerKeys\": [\n"
    "    { \"asn\": \"AS1234\", \"SKI\": \"0000000000000000000000000000000000000001\", "
    "\"routerPublicKey\": \"-_8\", \"ta\": \"N/A\" }\n"
    "  ],\n"
    "  \"aspas\": [\n"
    "    { \"customer\": \"AS1234\", \"providers\": [\"AS1\", \"AS2\"], \"ta\": \"ripe\" },\n"
    "    { \"customer\": \"AS1234\", \"providers\": [\"AS3\"], \"ta\": \"arin\" }\n"
    "  ]\n"
    "}\n";

/* Write text to dir/name; returns the malloc'd path. */
static char *
put(const char *dir, const char *name, const char *text)
{
	char	*path = tu_asprintf("%s/%s", dir, name);

	CU_ASSERT_EQUAL_FATAL(tu_write_file(path, text, strlen(text)), 0);
	return path;
}

static void
test_rpki_client(void)
{
	struct input_set	 s;
	struct aspa		 a;
	struct router_key	 k;
	const struct vrp	*v;
	char			*dir, *path, err[512];

	dir = tu_tmpdir("input");
	path = put(dir, "vrps.json", rpki_client_json);
	CU_ASSERT_EQUAL_FATAL(input_load(path, NOW, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.format, INPUT_FORMAT_RPKI_CLIENT);
	CU_ASSERT_STRING_EQUAL(input_format_name(s.format), "rpki-client JSON");
	CU_ASSERT_EQUAL(s.created, 1704164645);
	CU_ASSERT_EQUAL(vrpset_count(s.vrps), 2);
	CU_ASSERT_EQUAL(s.expired_vrps, 1);
	CU_ASSERT_EQUAL(aspaset_count(s.aspas), 1);
	CU_ASSERT_EQUAL(s.expired_aspas, 1);
	CU_ASSERT_EQUAL(rkset_count(s.rks), 1);
	CU_ASSERT_EQUAL(s.expired_rks, 0);
	CU_ASSERT_EQUAL(s.next_expiry, 1700003600);
	v = vrpset_get(s.vrps, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v->asn, 13335);
	CU_ASSERT_EQUAL(v->maxlen, 24);
	CU_ASSERT_EQUAL(v->expires, 1700003600);
	CU_ASSERT_FATAL(v->ta < s.nta);
	CU_ASSERT_STRING_EQUAL(s.ta_names[v->ta], "apnic");
	CU_ASSERT_FATAL(aspaset_get(s.aspas, 0, &a));
	CU_ASSERT(a.customer == 65000 && a.nproviders == 2 &&
	    a.providers[0] == 65001 && a.providers[1] == 65002);
	CU_ASSERT_FATAL(a.ta < s.nta);
	CU_ASSERT_STRING_EQUAL(s.ta_names[a.ta], "unknown");
	CU_ASSERT_FATAL(rkset_get(s.rks, 0, &k));
	CU_ASSERT(k.asn == 64498 && k.ski[0] == 0x51 && k.ski[19] == 0x23 &&
	    k.spki_len == 13 && k.spki[0] == 0x30);
	CU_ASSERT_STRING_EQUAL(s.ta_names[k.ta], "arin");
	input_set_free(&s);
	input_set_free(&s);
	input_set_free(NULL);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void
test_routinator(void)
{
	struct input_set	 s;
	struct aspa		 a;
	struct router_key	 k;
	char			*dir, *path, err[512];

	dir = tu_tmpdir("input");
	path = put(dir, "vrps.json", routinator_json);
	CU_ASSERT_EQUAL_FATAL(input_load(path, NOW, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.format, INPUT_FORMAT_ROUTINATOR);
	CU_ASSERT_EQUAL(s.created, 1626853335);
	/* The two 1.0.0.0/24 entries are one VRP. */
	CU_ASSERT_EQUAL(vrpset_count(s.vrps), 2);
	CU_ASSERT_EQUAL(s.next_expiry, INT64_MAX);
	CU_ASSERT_EQUAL(vrpset_get(s.vrps, 0)->expires, INT64_MAX);
	/* ASPAs of one customer merge. */
	CU_ASSERT_EQUAL(aspaset_count(s.aspas), 1);
	CU_ASSERT_FATAL(aspaset_get(s.aspas, 0, &a));
	CU_ASSERT(a.customer == 1234 && a.nproviders == 3);
	CU_ASSERT_FATAL(rkset_get(s.rks, 0, &k));
	CU_ASSERT(k.asn == 1234 && k.ski[19] == 1 && k.spki_len == 2 &&
	    k.spki[0] == 0xfb && k.spki[1] == 0xff);
	CU_ASSERT_EQUAL(s.nta, 4);	/* apnic, N/A, ripe, arin */
	input_set_free(&s);
	free(path);

	/* The plain RIPE validator form: only "roas". */
	path = put(dir, "plain.json", "{\"roas\": [{\"asn\": \"AS1\", "
	    "\"prefix\": \"10.0.0.0/8\", \"maxLength\": 8, \"ta\": \"x\"}]}");
	CU_ASSERT_EQUAL_FATAL(input_load(path, NOW, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.format, INPUT_FORMAT_ROUTINATOR);
	CU_ASSERT_EQUAL(vrpset_count(s.vrps), 1);
	input_set_free(&s);
	free(path);
	/* rpki-client before 8.5: provider_authorizations. */
	path = put(dir, "old.json", "{\"roas\": [], \"provider_authorizations\": "
	    "{\"ipv4\": [{\"customer_asid\": 5, \"expires\": 1800000000, "
	    "\"providers\": [6]}], \"ipv6\": [{\"customer_asid\": 5, "
	    "\"expires\": 1800000000, \"providers\": [7]}]}}");
	CU_ASSERT_EQUAL_FATAL(input_load(path, NOW, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.format, INPUT_FORMAT_RPKI_CLIENT);
	CU_ASSERT_FATAL(aspaset_get(s.aspas, 0, &a));
	CU_ASSERT(a.customer == 5 && a.nproviders == 2);
	input_set_free(&s);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* Load text; expect failure with err containing want. */
static void
rejects(const char *dir, const char *text, const char *want)
{
	struct input_set	 s;
	char			*path, err[512];

	path = put(dir, "bad.json", text);
	CU_ASSERT_EQUAL(input_load(path, NOW, &s, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NULL(s.vrps);
	CU_ASSERT_EQUAL(strncmp(err, path, strlen(path)), 0);
	if (strstr(err, want) == NULL)
		fprintf(stderr, "want \"%s\", got \"%s\"\n", want, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	free(path);
}

#define ROA(body)	"{\"roas\": [{\"asn\": 1, \"prefix\": \"10.0.0.0/8\", " \
			"\"maxLength\": 8, \"ta\": \"t\"},\n {" body "}]}"

static void
test_reject(void)
{
	char	*dir = tu_tmpdir("input");

	rejects(dir, "", "empty file");
	rejects(dir, "{\"roas\": [", "1:11: unexpected end");
	rejects(dir, "[]", "object expected");
	rejects(dir, "{\"metadata\": {}}", "no roas");
	rejects(dir, "{\"roas\": []} x", "data after");
	rejects(dir, "{\"roas\": [], \"roas\": []}", "duplicate member \"roas\"");
	rejects(dir, "{\"roas\": {}}", "array expected");
	rejects(dir, "{\"roas\": [1]}", "roas[0]: object expected");
	rejects(dir, ROA("\"asn\": 2, \"prefix\": \"10.0.0.0/8\", "
	    "\"maxLength\": 7"), "2:2: roas[1]: maxLength");
	rejects(dir, ROA("\"asn\": 2, \"prefix\": \"10.0.0.0/8\", "
	    "\"maxLength\": 33"), "roas[1]: maxLength");
	rejects(dir, ROA("\"asn\": 2, \"prefix\": \"10.0.0.1/8\", "
	    "\"maxLength\": 8"), "roas[1]: prefix \"10.0.0.1/8\"");
	rejects(dir, ROA("\"asn\": 2, \"prefix\": \"10.0.0.0\", "
	    "\"maxLength\": 8"), "roas[1]: prefix");
	rejects(dir, ROA("\"asn\": 2, \"prefix\": \"10.0.0.0/8\", "
	    "\"maxLength\": 129"), "maxLength: 129 out of range");
	rejects(dir, ROA("\"asn\": 4294967296, \"prefix\": \"10.0.0.0/8\", "
	    "\"maxLength\": 8"), "asn: 4294967296 is not an AS number");
	rejects(dir, ROA("\"asn\": -1, \"prefix\": \"10.0.0.0/8\", "
	    "\"maxLength\": 8"), "is not an AS number");
	rejects(dir, ROA("\"asn\": 1.5, \"prefix\": \"10.0.0.0/8\", "
	    "\"maxLength\": 8"), "is not an AS number");
	rejects(dir, ROA("\"asn\": 2, \"prefix\": \"10.0.0.0/8\""),
	    "roas[1]: missing maxLength");
	rejects(dir, ROA("\"asn\": 2, \"asn\": 3, \"prefix\": \"10.0.0.0/8\", "
	    "\"maxLength\": 8"), "duplicate member \"asn\"");
	rejects(dir, ROA("\"asn\": \"AS2\", \"prefix\": \"10.0.0.0/8\", "
	    "\"maxLength\": 8"), "mixes rpki-client and Routinator");
	rejects(dir, ROA("\"asn\": 2, \"prefix\": 10, \"maxLength\": 8"),
	    "prefix: string expected");
	rejects(dir, ROA("\"asn\": 2, \"prefix\": \"10.0.0.0/8\", "
	    "\"maxLength\": 8, \"expires\": \"soon\""), "expires: integer");
	rejects(dir, ROA("\"asn\": 2, \"prefix\": \"10.0.0.0/8\", "
	    "\"maxLength\": 8, \"ta\": \"\""), "ta: bad name");
	rejects(dir, "{\"roas\": [{\"asn\": \"AS1x\", \"prefix\": \"10.0.0.0/8\", "
	    "\"maxLength\": 8}]}", "asn: \"AS1x\"");
	rejects(dir, "{\"aspas\": [{\"customer_asid\": 0, \"providers\": [1]}]}",
	    "aspas[0]: AS number not allowed");
	rejects(dir, "{\"aspas\": [{\"customer_asid\": 5, \"providers\": []}]}",
	    "aspas[0]: invalid ASPA provider list");
	rejects(dir, "{\"aspas\": [{\"customer_asid\": 5, \"providers\": [5]}]}",
	    "invalid ASPA provider list");
	rejects(dir, "{\"aspas\": [{\"customer_asid\": 5}]}", "missing providers");
	rejects(dir, "{\"aspas\": [{\"customer\": \"AS5\", \"providers\": [6]}]}",
	    "mixes");
	rejects(dir, "{\"bgpsec_keys\": [{\"asn\": 1, \"ski\": \"00\", "
	    "\"pubkey\": \"AQID\"}]}", "ski: not 40 hex digits");
	rejects(dir, "{\"bgpsec_keys\": [{\"asn\": 1, \"ski\": "
	    "\"0000000000000000000000000000000000000000\", \"pubkey\": \"A\"}]}",
	    "pubkey: bad base64");
	rejects(dir, "{\"bgpsec_keys\": [{\"asn\": 1, \"ski\": "
	    "\"0000000000000000000000000000000000000000\"}]}", "missing pubkey");
	rejects(dir, "{\"roas\": [{\"asn\": 1, \"prefix\": \"10.0.0.0/8\", "
	    "\"maxLength\": 8, \"ta\": \"a\\u0000b\"}]}", "NUL");
	tu_rmtree(dir);
	free(dir);
}

static void
test_handoff_dir(void)
{
	static char		*names[] = { "ripe" };
	struct handoff_data	 d;
	struct input_set	 s, e;
	struct input_stamp	 st;
	struct vrp		 v;
	char			*dir, *path, err[512];

	dir = tu_tmpdir("input");
	memset(&d, 0, sizeof(d));
	d.created = 42;
	d.ta_names = names;
	d.nta = 1;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d.vrps = vrpset_new());
	memset(&v, 0, sizeof(v));
	CU_ASSERT_FATAL(prefix_parse("10.0.0.0/8", &v.prefix) == PREFIX_OK);
	v.maxlen = 8;
	v.expires = NOW + 10;
	CU_ASSERT_FATAL(vrpset_add(d.vrps, &v) == PAYLOAD_OK);
	CU_ASSERT_FATAL(prefix_parse("11.0.0.0/8", &v.prefix) == PREFIX_OK);
	v.expires = NOW - 10;
	CU_ASSERT_FATAL(vrpset_add(d.vrps, &v) == PAYLOAD_OK);
	CU_ASSERT_FATAL(prefix_parse("12.0.0.0/8", &v.prefix) == PREFIX_OK);
	v.expires = NOW + 100;
	CU_ASSERT_FATAL(vrpset_add(d.vrps, &v) == PAYLOAD_OK);
	CU_ASSERT_FATAL(vrpset_freeze(d.vrps) == PAYLOAD_OK);
	path = tu_asprintf("%s/%s", dir, HANDOFF_FILENAME);

	memset(&st, 0, sizeof(st));
	CU_ASSERT_EQUAL(input_changed(dir, &st), -1);	/* not there yet */
	CU_ASSERT_EQUAL(input_load(dir, NOW, &s, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, HANDOFF_FILENAME));
	CU_ASSERT_EQUAL_FATAL(handoff_write(path, &d), 0);
	CU_ASSERT_EQUAL(input_changed(dir, &st), 1);
	CU_ASSERT_EQUAL(input_changed(dir, &st), 0);
	CU_ASSERT_EQUAL(input_changed(path, &st), 0);

	/* The directory and the file itself both work. */
	CU_ASSERT_EQUAL_FATAL(input_load(dir, NOW, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.format, INPUT_FORMAT_HANDOFF);
	CU_ASSERT_EQUAL(s.created, 42);
	CU_ASSERT_EQUAL(vrpset_count(s.vrps), 2);
	CU_ASSERT_EQUAL(s.expired_vrps, 1);
	CU_ASSERT_EQUAL(s.next_expiry, NOW + 10);
	CU_ASSERT_STRING_EQUAL(s.ta_names[0], "ripe");
	/* Later, the next entry expires too. */
	CU_ASSERT_EQUAL_FATAL(input_expire(&s, NOW + 11, &e, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(vrpset_count(e.vrps), 1);
	CU_ASSERT_EQUAL(e.expired_vrps, 2);
	CU_ASSERT_EQUAL(e.next_expiry, NOW + 100);
	CU_ASSERT_EQUAL(e.format, INPUT_FORMAT_HANDOFF);
	input_set_free(&e);
	input_set_free(&s);
	/* Nothing expired: the sets are taken over as read. */
	CU_ASSERT_EQUAL_FATAL(input_load(path, NOW - 100, &s, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(vrpset_count(s.vrps), 3);
	CU_ASSERT_EQUAL(s.expired_vrps, 0);
	CU_ASSERT_EQUAL(s.created, 42);
	CU_ASSERT_EQUAL(s.next_expiry, NOW - 10);
	CU_ASSERT_EQUAL(s.nta, 1);
	CU_ASSERT(vrpset_frozen(s.vrps) && aspaset_frozen(s.aspas) &&
	    rkset_frozen(s.rks));
	input_set_free(&s);

	/* A corrupted hand-off file is rejected, naming the file. */
	CU_ASSERT_EQUAL(tu_system("printf x >> '%s'", path), 0);
	CU_ASSERT_EQUAL(input_changed(dir, &st), 1);
	CU_ASSERT_EQUAL(input_load(dir, NOW, &s, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(strncmp(err, path, strlen(path)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "SHA-256"));
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(input_changed(dir, &st), -1);
	CU_ASSERT_EQUAL(st.valid, 0);
	vrpset_free(d.vrps);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* len bytes of text in a buffer of exactly that size, so ASan sees overreads. */
static char *
exact_copy(const char *text, size_t len)
{
	char	*p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p = malloc(len > 0 ? len : 1));
	memcpy(p, text, len);
	return p;
}

/* input_load_buffer() on text; returns its result, err filled. */
static int
load_buf(const char *name, const char *text, size_t len, struct input_set *s,
    char *err, size_t errlen)
{
	char	*buf = exact_copy(text, len);
	int	 rc;

	rc = input_load_buffer(name, buf, len, NOW, s, err, errlen);
	free(buf);
	return rc;
}

static void
test_buffer_json(void)
{
	static const char	 url[] = "https://example.net/vrps.json";
	struct input_set	 s, f;
	const struct vrp	*a, *b;
	char			*dir, *path, err[512];
	size_t			 i;

	/* The same content gives the same set as from a file. */
	CU_ASSERT_EQUAL_FATAL(load_buf(url, rpki_client_json,
	    strlen(rpki_client_json), &s, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	dir = tu_tmpdir("input");
	path = put(dir, "vrps.json", rpki_client_json);
	CU_ASSERT_EQUAL_FATAL(input_load(path, NOW, &f, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.format, INPUT_FORMAT_RPKI_CLIENT);
	CU_ASSERT_EQUAL(s.created, f.created);
	CU_ASSERT_EQUAL(s.next_expiry, f.next_expiry);
	CU_ASSERT_EQUAL(s.expired_vrps, 1);
	CU_ASSERT_EQUAL(s.expired_aspas, 1);
	CU_ASSERT_EQUAL(vrpset_count(s.vrps), vrpset_count(f.vrps));
	CU_ASSERT_EQUAL(aspaset_count(s.aspas), 1);
	CU_ASSERT_EQUAL(rkset_count(s.rks), 1);
	for (i = 0; (a = vrpset_get(s.vrps, i)) != NULL; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(b = vrpset_get(f.vrps, i));
		CU_ASSERT(a->asn == b->asn && a->maxlen == b->maxlen &&
		    a->expires == b->expires &&
		    strcmp(s.ta_names[a->ta], f.ta_names[b->ta]) == 0);
	}
	input_set_free(&s);
	input_set_free(&f);

	CU_ASSERT_EQUAL_FATAL(load_buf(url, routinator_json,
	    strlen(routinator_json), &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.format, INPUT_FORMAT_ROUTINATOR);
	CU_ASSERT_EQUAL(vrpset_count(s.vrps), 2);
	input_set_free(&s);

	/* Errors name the input and the place; *out is left zeroed. */
	CU_ASSERT_EQUAL(load_buf(url, "{\"roas\": [", 10, &s, err,
	    sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "https://example.net/vrps.json: 1:11: "
	    "unexpected end of input");
	CU_ASSERT(s.vrps == NULL && s.aspas == NULL && s.rks == NULL &&
	    s.nta == 0);
	CU_ASSERT_EQUAL(load_buf(url, "", 0, &s, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "https://example.net/vrps.json: empty "
	    "input");
	/* A cut-off body: the length counts, not a NUL. */
	CU_ASSERT_EQUAL(load_buf(url, rpki_client_json,
	    strlen(rpki_client_json) - 3, &s, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, url));
	CU_ASSERT_EQUAL(load_buf(url, ROA("\"asn\": 2, \"prefix\": "
	    "\"10.0.0.0/8\", \"maxLength\": 7"), strlen(ROA("\"asn\": 2, "
	    "\"prefix\": \"10.0.0.0/8\", \"maxLength\": 7")), &s, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "2:2: roas[1]: maxLength"));
	/* A NUL inside the buffer is not the end of it. */
	CU_ASSERT_EQUAL(load_buf(url, "{\"roas\": []}\0x", 15, &s, err,
	    sizeof(err)), -1);
	/* A small err buffer is cut, not overrun; none at all is allowed. */
	CU_ASSERT_EQUAL(load_buf(url, "[]", 2, &s, err, 8), -1);
	CU_ASSERT_EQUAL(strlen(err), 7);
	CU_ASSERT_EQUAL(load_buf(url, "[]", 2, &s, NULL, 0), -1);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void
test_buffer_handoff(void)
{
	static char		*names[] = { "ripe", "arin" };
	struct handoff_data	 d;
	struct input_set	 s;
	struct vrp		 v;
	uint8_t			*enc;
	char			 err[512];
	size_t			 len;

	memset(&d, 0, sizeof(d));
	d.created = 77;
	d.ta_names = names;
	d.nta = 2;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d.vrps = vrpset_new());
	memset(&v, 0, sizeof(v));
	CU_ASSERT_FATAL(prefix_parse("10.0.0.0/8", &v.prefix) == PREFIX_OK);
	v.maxlen = 16;
	v.asn = 65000;
	v.expires = NOW + 10;
	CU_ASSERT_FATAL(vrpset_add(d.vrps, &v) == PAYLOAD_OK);
	CU_ASSERT_FATAL(prefix_parse("11.0.0.0/8", &v.prefix) == PREFIX_OK);
	v.ta = 1;
	v.expires = NOW - 1;
	CU_ASSERT_FATAL(vrpset_add(d.vrps, &v) == PAYLOAD_OK);
	CU_ASSERT_FATAL(vrpset_freeze(d.vrps) == PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(handoff_encode(&d, &enc, &len), 0);

	CU_ASSERT_EQUAL_FATAL(load_buf("mem", (const char *)enc, len, &s, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.format, INPUT_FORMAT_HANDOFF);
	CU_ASSERT_EQUAL(s.created, 77);
	CU_ASSERT_EQUAL(vrpset_count(s.vrps), 1);
	CU_ASSERT_EQUAL(s.expired_vrps, 1);
	CU_ASSERT_EQUAL(s.next_expiry, NOW + 10);
	CU_ASSERT_EQUAL_FATAL(s.nta, 2);
	CU_ASSERT_STRING_EQUAL(s.ta_names[1], "arin");
	input_set_free(&s);

	/* Truncated: rejected with the name in front of the reason. */
	CU_ASSERT_EQUAL(load_buf("mem", (const char *)enc, len - 1, &s, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(strncmp(err, "mem: ", 5), 0);
	CU_ASSERT(strlen(err) > 5);
	CU_ASSERT(s.vrps == NULL);
	free(enc);
	vrpset_free(d.vrps);
}

static double
elapsed(const struct timespec *a)
{
	struct timespec	b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) + (b.tv_nsec - a->tv_nsec) / 1e9;
}

/* 1,000,000 VRPs in rpki-client's layout; prints the load time. */
static void
test_big(void)
{
	struct input_set	 s;
	struct timespec		 t0;
	FILE			*fp;
	char			*dir, *path, err[512];
	size_t			 i;

	dir = tu_tmpdir("input");
	path = tu_asprintf("%s/big.json", dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(path, "w"));
	fprintf(fp, "{\n\t\"metadata\": {\"buildtime\": \"2024-01-01T00:00:00Z\"},"
	    "\n\t\"roas\": [\n");
	for (i = 0; i < BIG_VRPS; i++) {
		if (i % 4 == 3)
			fprintf(fp, "\t\t{ \"asn\": %zu, \"prefix\": \"2001:db8:%zx:"
			    "%zx::/64\", \"maxLength\": 64, \"ta\": \"ripe\", "
			    "\"expires\": %d },\n", 64496 + i % 1000,
			    (i >> 16) & 0xffff, i & 0xffff, NOW + 3600);
		else
			fprintf(fp, "\t\t{ \"asn\": %zu, \"prefix\": \"%zu.%zu.%zu."
			    "0/24\", \"maxLength\": 24, \"ta\": \"%s\", "
			    "\"expires\": %d },\n", 64496 + i % 1000,
			    1 + (i >> 16) % 200, (i >> 8) & 255, i & 255,
			    i % 2 ? "apnic" : "arin", NOW + 3600);
	}
	fprintf(fp, "\t\t{ \"asn\": 1, \"prefix\": \"10.0.0.0/8\", \"maxLength\": 8, "
	    "\"ta\": \"ripe\", \"expires\": %d }\n\t]\n}\n", NOW + 3600);
	CU_ASSERT_EQUAL_FATAL(fclose(fp), 0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL_FATAL(input_load(path, NOW, &s, err, sizeof(err)), 0);
	fprintf(stderr, "\n    [input: %zu VRPs from JSON in %.3f s] ",
	    vrpset_count(s.vrps), elapsed(&t0));
	CU_ASSERT(vrpset_count(s.vrps) > BIG_VRPS / 2);
	input_set_free(&s);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

REEF_SUITE(input, REEF_TEST(test_rpki_client), REEF_TEST(test_routinator),
    REEF_TEST(test_buffer_json), REEF_TEST(test_buffer_handoff),
    REEF_TEST(test_reject), REEF_TEST(test_handoff_dir), REEF_TEST(test_big))
