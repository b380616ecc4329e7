/*
 * Unit tests for validator/uri.c: every syntax rule with accepted and
 * refused examples, the dubious-host policy, segment-wise containment,
 * cache paths and canonical formatting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/limits.h"
#include "validator/uri.h"
#include "tests/unit/suite.h"

struct parse_case {
	const char	*uri;
	int		 flags;
	enum uri_error	 want;
};

#define D	URI_ALLOW_DUBIOUS

static const struct parse_case parse_cases[] = {
	/* Plain good ones. */
	{ "rsync://rpki.example.net/repo/", 0, URI_OK },
	{ "rsync://rpki.example.net/repo", 0, URI_OK },
	{ "rsync://rpki.example.net/repo/a/b/c.cer", 0, URI_OK },
	{ "rsync://rpki.example.net/repo/ca-1/x_y~z=1,2;3+4!$&'()@:.roa", 0,
	    URI_OK },
	{ "rsync://a.b-c.d9/m/f.mft", 0, URI_OK },
	{ "rsync://x/m/f", 0, URI_OK },
	{ "https://rrdp.example.net/notification.xml", 0, URI_OK },
	{ "https://rrdp.example.net/", 0, URI_OK },
	{ "https://rrdp.example.net", 0, URI_OK },
	{ "https://rrdp.example.net/a/b/", 0, URI_OK },
	/* Scheme: exactly one of the two, lowercase. */
	{ "RSYNC://h.example/m/", 0, URI_ERR_SCHEME },
	{ "Https://h.example/x", 0, URI_ERR_SCHEME },
	{ "http://h.example/x", 0, URI_ERR_SCHEME },
	{ "ftp://h.example/x", 0, URI_ERR_SCHEME },
	{ "rsync:/h.example/m/", 0, URI_ERR_SCHEME },
	{ "rsync:h.example/m/", 0, URI_ERR_SCHEME },
	{ "file:///etc/passwd", 0, URI_ERR_SCHEME },
	{ "/etc/passwd", 0, URI_ERR_SCHEME },
	{ " rsync://h.example/m/", 0, URI_ERR_SCHEME },
	/* Length. */
	{ "", 0, URI_ERR_LENGTH },
	/* Dot segments, in every spelling. */
	{ "rsync://h.example/mod/../x", 0, URI_ERR_SEGMENT },
	{ "rsync://h.example/mod/./x", 0, URI_ERR_SEGMENT },
	{ "rsync://h.example/mod/..", 0, URI_ERR_SEGMENT },
	{ "rsync://h.example/mod/a/../../etc", 0, URI_ERR_SEGMENT },
	{ "rsync://h.example/../x", 0, URI_ERR_SEGMENT },
	{ "rsync://h.example/mod/.hidden", 0, URI_ERR_SEGMENT },
	{ "rsync://h.example/mod/...", 0, URI_ERR_SEGMENT },
	{ "https://h.example/../x", 0, URI_ERR_SEGMENT },
	{ "rsync://h.example/mod/a..b", 0, URI_OK },
	{ "rsync://h.example/mod/a.", 0, URI_OK },
	/* Percent-encoding is refused outright. */
	{ "rsync://h.example/mod/%2e%2e/x", 0, URI_ERR_PERCENT },
	{ "rsync://h.example/mod/a%2fb", 0, URI_ERR_PERCENT },
	{ "rsync://h.example/mod/a%00", 0, URI_ERR_PERCENT },
	{ "rsync://h%2eexample/mod/", 0, URI_ERR_PERCENT },
	{ "rsync://[fe80::1%25eth0]/mod/", D, URI_ERR_PERCENT },
	/* Empty segments. */
	{ "rsync://h.example/mod//x", 0, URI_ERR_SEGMENT },
	{ "rsync://h.example/mod/x//", 0, URI_ERR_SEGMENT },
	{ "https://h.example//x", 0, URI_ERR_SEGMENT },
	{ "https://h.example//", 0, URI_ERR_SEGMENT },
	/* No module. */
	{ "rsync://h.example", 0, URI_ERR_MODULE },
	{ "rsync://h.example/", 0, URI_ERR_MODULE },
	{ "rsync://h.example//x", 0, URI_ERR_MODULE },
	/* Characters. */
	{ "rsync://h.example/mod/a\\b", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/a b", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/a\tb", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/a\nb", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/a\x7f", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/caf\xc3\xa9", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/a*", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/a[1]", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/a\"b", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/a<b>", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/a|b", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/a`b", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/a{b}", 0, URI_ERR_CHAR },
	{ "rsync://h.example/mod/a^b", 0, URI_ERR_CHAR },
	/* Query and fragment. */
	{ "rsync://h.example/mod/x?y", 0, URI_ERR_QUERY },
	{ "https://h.example/n.xml?x=1", 0, URI_ERR_QUERY },
	{ "https://h.example/n.xml#frag", 0, URI_ERR_QUERY },
	{ "https://h.example?x", 0, URI_ERR_QUERY },
	/* Userinfo. */
	{ "rsync://user@h.example/mod/", 0, URI_ERR_USERINFO },
	{ "rsync://user:pw@h.example/mod/", 0, URI_ERR_USERINFO },
	{ "https://@h.example/x", 0, URI_ERR_USERINFO },
	{ "rsync://h.example/mod/a@b", 0, URI_OK },
	/* Host names. */
	{ "rsync:///mod/", 0, URI_ERR_HOST },
	{ "rsync://-h.example/mod/", 0, URI_ERR_HOST },
	{ "rsync://h-.example/mod/", 0, URI_ERR_HOST },
	{ "rsync://h.example-/mod/", 0, URI_ERR_HOST },
	{ "rsync://h..example/mod/", 0, URI_ERR_HOST },
	{ "rsync://.h.example/mod/", 0, URI_ERR_HOST },
	{ "rsync://h.example./mod/", 0, URI_ERR_HOST },
	{ "rsync://h_x.example/mod/", 0, URI_ERR_HOST },
	{ "rsync://h!.example/mod/", 0, URI_ERR_HOST },
	{ "rsync://[h.example]/mod/", D, URI_ERR_HOST },
	{ "rsync://[::1/mod/", D, URI_ERR_HOST },
	{ "rsync://[::1]x/mod/", D, URI_ERR_HOST },
	{ "rsync://[v1.fe]/mod/", D, URI_ERR_HOST },
	{ "rsync://[]/mod/", D, URI_ERR_HOST },
	{ "rsync://[1:2:3:4:5:6:7:8:9]/mod/", D, URI_ERR_HOST },
	{ "rsync://h.example]/mod/", D, URI_ERR_HOST },
	{ "rsync://xn--bcher-kva.example/mod/", 0, URI_OK },
	{ "rsync://h1.example/mod/", 0, URI_OK },
	/* Ports: syntax always checked, any port is dubious. */
	{ "rsync://h.example:873/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://h.example:873/mod/", D, URI_OK },
	{ "https://h.example:8443/x", 0, URI_ERR_DUBIOUS },
	{ "https://h.example:8443/x", D, URI_OK },
	{ "rsync://h.example:/mod/", D, URI_ERR_PORT },
	{ "rsync://h.example:0/mod/", D, URI_ERR_PORT },
	{ "rsync://h.example:65536/mod/", D, URI_ERR_PORT },
	{ "rsync://h.example:65535/mod/", D, URI_OK },
	{ "rsync://h.example:000873/mod/", D, URI_ERR_PORT },
	{ "rsync://h.example:87a/mod/", D, URI_ERR_PORT },
	{ "rsync://h.example:+87/mod/", D, URI_ERR_PORT },
	{ "rsync://h.example:-1/mod/", D, URI_ERR_PORT },
	{ "rsync://h.example:80:81/mod/", D, URI_ERR_PORT },
	{ "rsync://h.example:99999999999/mod/", D, URI_ERR_PORT },
	/* IP literals and localhost. */
	{ "rsync://127.0.0.1/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://127.0.0.1/mod/", D, URI_OK },
	{ "rsync://10.1.2.3/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://2130706433/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://0x7f000001/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://0x7f.1/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://127.1/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://0177.0.0.1/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://host.123/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://localhost/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://LOCALHOST/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://localhost/mod/", D, URI_OK },
	{ "rsync://evil.localhost/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://localhost.example/mod/", 0, URI_OK },
	{ "rsync://mylocalhost/mod/", 0, URI_OK },
	{ "rsync://[::1]/mod/", 0, URI_ERR_DUBIOUS },
	{ "rsync://[::1]/mod/", D, URI_OK },
	{ "rsync://[::1]:8873/mod/", D, URI_OK },
	{ "rsync://[::ffff:127.0.0.1]/mod/", 0, URI_ERR_DUBIOUS },
	{ "https://[2001:db8::1]/n.xml", 0, URI_ERR_DUBIOUS },
	{ "https://[2001:db8::1]/n.xml", D, URI_OK },
	{ "rsync://::1/mod/", D, URI_ERR_HOST },
	/* Structure errors win over the dubious check. */
	{ "rsync://127.0.0.1/mod/../x", 0, URI_ERR_SEGMENT },
};

static void
test_parse_table(void)
{
	struct uri u;
	enum uri_error err;
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		err = uri_parse(parse_cases[i].uri, parse_cases[i].flags, &u);
		if (err != parse_cases[i].want)
			printf("\n    %s (flags %d): got %d (%s), want %d\n",
			    parse_cases[i].uri, parse_cases[i].flags, err,
			    uri_strerror(err), parse_cases[i].want);
		CU_ASSERT_EQUAL(err, parse_cases[i].want);
	}
}

static void
test_parse_fields(void)
{
	struct uri u;

	CU_ASSERT_EQUAL_FATAL(uri_parse("rsync://RPKI.Example.NET/Repo/A/b.cer",
	    0, &u), URI_OK);
	CU_ASSERT_EQUAL(u.scheme, URI_SCHEME_RSYNC);
	CU_ASSERT_STRING_EQUAL(u.host, "rpki.example.net");
	CU_ASSERT_EQUAL(u.port, 0);
	CU_ASSERT_FALSE(u.ipv6);
	CU_ASSERT_FALSE(u.dubious);
	/* Only the host is case-insensitive. */
	CU_ASSERT_STRING_EQUAL(u.module, "Repo");
	CU_ASSERT_STRING_EQUAL(u.path, "A/b.cer");
	CU_ASSERT_EQUAL(u.nsegments, 2);
	CU_ASSERT_FALSE(u.dir);

	CU_ASSERT_EQUAL_FATAL(uri_parse("rsync://h.example/mod", 0, &u),
	    URI_OK);
	CU_ASSERT_STRING_EQUAL(u.module, "mod");
	CU_ASSERT_STRING_EQUAL(u.path, "");
	CU_ASSERT_EQUAL(u.nsegments, 0);
	CU_ASSERT_TRUE(u.dir);

	CU_ASSERT_EQUAL_FATAL(uri_parse("rsync://h.example/mod/d/", 0, &u),
	    URI_OK);
	CU_ASSERT_STRING_EQUAL(u.path, "d");
	CU_ASSERT_TRUE(u.dir);

	CU_ASSERT_EQUAL_FATAL(uri_parse("https://H.example:8443/a/n.xml",
	    URI_ALLOW_DUBIOUS, &u), URI_OK);
	CU_ASSERT_EQUAL(u.scheme, URI_SCHEME_HTTPS);
	CU_ASSERT_STRING_EQUAL(u.host, "h.example");
	CU_ASSERT_EQUAL(u.port, 8443);
	CU_ASSERT_TRUE(u.dubious);
	CU_ASSERT_STRING_EQUAL(u.module, "");
	CU_ASSERT_STRING_EQUAL(u.path, "a/n.xml");
	CU_ASSERT_FALSE(u.dir);

	CU_ASSERT_EQUAL_FATAL(uri_parse("rsync://[0:0::1]:873/m/",
	    URI_ALLOW_DUBIOUS, &u), URI_OK);
	CU_ASSERT_TRUE(u.ipv6);
	CU_ASSERT_STRING_EQUAL(u.host, "::1");
	CU_ASSERT_EQUAL(u.port, 873);

	CU_ASSERT_EQUAL_FATAL(uri_parse("rsync://[2001:DB8::A]/m/",
	    URI_ALLOW_DUBIOUS, &u), URI_OK);
	CU_ASSERT_STRING_EQUAL(u.host, "2001:db8::a");
}

/* A URI of exactly len bytes: the prefix, then segments of seglen. */
static char *
long_uri(const char *prefix, size_t len, size_t seglen)
{
	char *s;
	size_t i, n;

	s = malloc(len + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	n = strlen(prefix);
	memcpy(s, prefix, n);
	for (i = n; i < len; i++)
		s[i] = (i - n) % (seglen + 1) == seglen ? '/' : 'a';
	/* Never end on a '/' after an empty segment. */
	if (s[len - 1] == '/')
		s[len - 1] = 'b';
	s[len] = '\0';
	return s;
}

static void
test_lengths(void)
{
	struct uri u;
	char *s, label[URI_MAX_LABEL_LENGTH + 2];
	char host[URI_MAX_HOST_LENGTH + 3];
	char buf[URI_MAX_HOST_LENGTH + 64];
	size_t i;

	/* Total length: MAX_URI_LENGTH is fine, one more is not. */
	s = long_uri("rsync://h.example/m/", MAX_URI_LENGTH, 100);
	CU_ASSERT_EQUAL(uri_parse(s, 0, &u), URI_OK);
	free(s);
	s = long_uri("rsync://h.example/m/", MAX_URI_LENGTH + 1, 100);
	CU_ASSERT_EQUAL(uri_parse(s, 0, &u), URI_ERR_LENGTH);
	free(s);
	s = long_uri("rsync://h.example/m/", 100000, 100);
	CU_ASSERT_EQUAL(uri_parse(s, 0, &u), URI_ERR_LENGTH);
	free(s);

	/* Segments: MAX_FILENAME_LENGTH is fine, one more is not. */
	s = long_uri("rsync://h.example/m/", 20 + MAX_FILENAME_LENGTH,
	    MAX_FILENAME_LENGTH);
	CU_ASSERT_EQUAL(uri_parse(s, 0, &u), URI_OK);
	free(s);
	s = long_uri("rsync://h.example/m/", 20 + MAX_FILENAME_LENGTH + 1,
	    MAX_FILENAME_LENGTH + 1);
	CU_ASSERT_EQUAL(uri_parse(s, 0, &u), URI_ERR_SEGMENT_LENGTH);
	free(s);
	/* Also for the module. */
	s = long_uri("rsync://h.example/", 18 + MAX_FILENAME_LENGTH + 1,
	    MAX_FILENAME_LENGTH + 1);
	CU_ASSERT_EQUAL(uri_parse(s, 0, &u), URI_ERR_SEGMENT_LENGTH);
	free(s);

	/* Labels: 63 fine, 64 not. */
	memset(label, 'l', URI_MAX_LABEL_LENGTH);
	label[URI_MAX_LABEL_LENGTH] = '\0';
	snprintf(buf, sizeof(buf), "rsync://%s.example/m/", label);
	CU_ASSERT_EQUAL(uri_parse(buf, 0, &u), URI_OK);
	label[URI_MAX_LABEL_LENGTH] = 'l';
	label[URI_MAX_LABEL_LENGTH + 1] = '\0';
	snprintf(buf, sizeof(buf), "rsync://%s.example/m/", label);
	CU_ASSERT_EQUAL(uri_parse(buf, 0, &u), URI_ERR_HOST);

	/* Host: 253 fine, 254 not (labels of 9 and dots). */
	for (i = 0; i < URI_MAX_HOST_LENGTH + 1; i++)
		host[i] = i % 10 == 9 ? '.' : 'h';
	host[URI_MAX_HOST_LENGTH] = '\0';
	snprintf(buf, sizeof(buf), "rsync://%s/m/", host);
	CU_ASSERT_EQUAL(uri_parse(buf, 0, &u), URI_OK);
	CU_ASSERT_EQUAL(strlen(u.host), URI_MAX_HOST_LENGTH);
	host[URI_MAX_HOST_LENGTH] = 'h';
	host[URI_MAX_HOST_LENGTH + 1] = '\0';
	snprintf(buf, sizeof(buf), "rsync://%s/m/", host);
	CU_ASSERT_EQUAL(uri_parse(buf, 0, &u), URI_ERR_HOST);
}

/* An embedded NUL ends the URI: the rest can never be seen. */
static void
test_embedded_nul(void)
{
	static const char s[] = "rsync://h.example/mod/a.cer\0/../../x";
	struct uri u;

	CU_ASSERT_EQUAL_FATAL(uri_parse(s, 0, &u), URI_OK);
	CU_ASSERT_STRING_EQUAL(u.path, "a.cer");
}

struct under_case {
	const char	*child;
	const char	*base;
	int		 want;
};

static const struct under_case under_cases[] = {
	{ "rsync://h.example/mod/a/x.cer", "rsync://h.example/mod/a/", 1 },
	{ "rsync://h.example/mod/a/b/x.cer", "rsync://h.example/mod/a/", 1 },
	{ "rsync://h.example/mod/a/b/", "rsync://h.example/mod/a/", 1 },
	{ "rsync://h.example/mod/x.cer", "rsync://h.example/mod/", 1 },
	{ "rsync://h.example/mod/x.cer", "rsync://h.example/mod", 1 },
	{ "rsync://H.EXAMPLE/mod/a/x", "rsync://h.example/mod/a/", 1 },
	/* Segment-wise, not a string prefix. */
	{ "rsync://h.example/mod/ab/x", "rsync://h.example/mod/a/", 0 },
	{ "rsync://h.example/mod/ab", "rsync://h.example/mod/a", 0 },
	{ "rsync://h.example/modx/a", "rsync://h.example/mod/", 0 },
	{ "rsync://h.example.evil/mod/a", "rsync://h.example/mod/", 0 },
	/* Equal is not under; a file base contains nothing. */
	{ "rsync://h.example/mod/a/", "rsync://h.example/mod/a/", 0 },
	{ "rsync://h.example/mod/", "rsync://h.example/mod/", 0 },
	{ "rsync://h.example/mod/a/x", "rsync://h.example/mod/a", 0 },
	{ "rsync://h.example/mod/", "rsync://h.example/mod/a/", 0 },
	/* Different scheme, host, port, module, case of module. */
	{ "https://h.example/mod/a/x", "rsync://h.example/mod/a/", 0 },
	{ "rsync://g.example/mod/a/x", "rsync://h.example/mod/a/", 0 },
	{ "rsync://h.example:873/mod/a/x", "rsync://h.example/mod/a/", 0 },
	{ "rsync://h.example:873/mod/a/x", "rsync://h.example:873/mod/a/", 1 },
	{ "rsync://h.example/MOD/a/x", "rsync://h.example/mod/a/", 0 },
	{ "rsync://[::1]/mod/x", "rsync://[0::1]/mod/", 1 },
	/* Unparsable either side. */
	{ "rsync://h.example/mod/a/../../etc", "rsync://h.example/mod/a/", 0 },
	{ "rsync://h.example/mod/a/%2e%2e/x", "rsync://h.example/mod/a/", 0 },
	{ "rsync://h.example/mod/a/x", "rsync://h.example/", 0 },
	{ "https://h.example/a/n.xml", "https://h.example/a/", 1 },
	{ "https://h.example/a/n.xml", "https://h.example/", 1 },
	{ "https://h.example/a/n.xml", "https://h.example", 1 },
};

static void
test_is_under(void)
{
	size_t i;
	int got;

	for (i = 0; i < sizeof(under_cases) / sizeof(under_cases[0]); i++) {
		got = uri_is_under(under_cases[i].child, under_cases[i].base);
		if (got != under_cases[i].want)
			printf("\n    %s under %s: got %d\n",
			    under_cases[i].child, under_cases[i].base, got);
		CU_ASSERT_EQUAL(got, under_cases[i].want);
	}
}

struct path_case {
	const char	*uri;
	const char	*want;		/* NULL: refused */
};

static const struct path_case path_cases[] = {
	{ "rsync://rpki.example.net/repo/a/b.cer",
	    "rpki.example.net/repo/a/b.cer" },
	{ "rsync://RPKI.Example.net/repo/a/", "rpki.example.net/repo/a" },
	{ "rsync://rpki.example.net/repo/", "rpki.example.net/repo" },
	{ "rsync://rpki.example.net/repo", "rpki.example.net/repo" },
	{ "rsync://rpki.example.net:8873/repo/x.roa",
	    "rpki.example.net:8873/repo/x.roa" },
	{ "rsync://127.0.0.1:873/m/x", "127.0.0.1:873/m/x" },
	{ "rsync://[0::1]:873/m/x", "[::1]:873/m/x" },
	{ "rsync://[::1]/m/x", "[::1]/m/x" },
	{ "https://rpki.example.net/repo/x", NULL },
	{ "rsync://rpki.example.net/repo/../x", NULL },
	{ "rsync://rpki.example.net/repo/.x", NULL },
};

static void
test_cache_path(void)
{
	char *p;
	enum uri_error err;
	size_t i;

	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		err = uri_to_cache_path(path_cases[i].uri, URI_ALLOW_DUBIOUS,
		    &p);
		if (path_cases[i].want == NULL) {
			CU_ASSERT_NOT_EQUAL(err, URI_OK);
			CU_ASSERT_PTR_NULL(p);
			continue;
		}
		CU_ASSERT_EQUAL(err, URI_OK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		if (strcmp(p, path_cases[i].want) != 0)
			printf("\n    %s: got %s\n", path_cases[i].uri, p);
		CU_ASSERT_STRING_EQUAL(p, path_cases[i].want);
		free(p);
	}
	/* The flags reach the parser. */
	CU_ASSERT_EQUAL(uri_to_cache_path("rsync://127.0.0.1/m/x", 0, &p),
	    URI_ERR_DUBIOUS);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(uri_to_cache_path("https://h.example/x", 0, &p),
	    URI_ERR_NOT_RSYNC);
	CU_ASSERT_PTR_NULL(p);
}

static void
test_repo_base(void)
{
	char *b;

	CU_ASSERT_EQUAL(uri_repo_base("rsync://Rpki.Example.net/repo/a/b.cer",
	    0, &b), URI_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(b, "rsync://rpki.example.net/repo/");
	free(b);
	CU_ASSERT_EQUAL(uri_repo_base("rsync://h.example/repo", 0, &b), URI_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(b, "rsync://h.example/repo/");
	free(b);
	CU_ASSERT_EQUAL(uri_repo_base("rsync://[::1]:9/repo/x/",
	    URI_ALLOW_DUBIOUS, &b), URI_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(b, "rsync://[::1]:9/repo/");
	free(b);
	CU_ASSERT_EQUAL(uri_repo_base("https://h.example/repo/x", 0, &b),
	    URI_ERR_NOT_RSYNC);
	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT_EQUAL(uri_repo_base("rsync://h.example:1/repo/x", 0, &b),
	    URI_ERR_DUBIOUS);
	CU_ASSERT_PTR_NULL(b);
	/* The base contains the URI it came from. */
	CU_ASSERT_EQUAL_FATAL(uri_repo_base("rsync://h.example/r/a/b", 0, &b),
	    URI_OK);
	CU_ASSERT_TRUE(uri_is_under("rsync://h.example/r/a/b", b));
	free(b);
}

static const char *const format_cases[][2] = {
	{ "rsync://H.Example/mod/a/b.cer", "rsync://h.example/mod/a/b.cer" },
	{ "rsync://h.example/mod", "rsync://h.example/mod/" },
	{ "rsync://h.example/mod/d/", "rsync://h.example/mod/d/" },
	{ "rsync://[0:0::1]:873/mod/", "rsync://[::1]:873/mod/" },
	{ "https://h.example", "https://h.example/" },
	{ "https://h.example/", "https://h.example/" },
	{ "https://h.example:443/a/n.xml", "https://h.example:443/a/n.xml" },
	{ "https://h.example/a/", "https://h.example/a/" },
};

static void
test_format_round_trip(void)
{
	struct uri u, v;
	char *s, *t;
	size_t i;

	for (i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(uri_parse(format_cases[i][0],
		    URI_ALLOW_DUBIOUS, &u), URI_OK);
		s = uri_format(&u);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_STRING_EQUAL(s, format_cases[i][1]);
		/* The canonical form is a fixed point. */
		CU_ASSERT_EQUAL_FATAL(uri_parse(s, URI_ALLOW_DUBIOUS, &v),
		    URI_OK);
		t = uri_format(&v);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_STRING_EQUAL(s, t);
		CU_ASSERT_STRING_EQUAL(u.host, v.host);
		CU_ASSERT_STRING_EQUAL(u.module, v.module);
		CU_ASSERT_STRING_EQUAL(u.path, v.path);
		CU_ASSERT_EQUAL(u.port, v.port);
		CU_ASSERT_EQUAL(u.dir, v.dir);
		CU_ASSERT_EQUAL(u.nsegments, v.nsegments);
		free(s);
		free(t);
	}
}

static void
test_strerror(void)
{
	CU_ASSERT_STRING_EQUAL(uri_strerror(URI_OK), "no error");
	CU_ASSERT_PTR_NOT_NULL(strstr(uri_strerror(URI_ERR_PERCENT),
	    "percent"));
	CU_ASSERT_PTR_NOT_NULL(strstr(uri_strerror(URI_ERR_DUBIOUS),
	    "localhost"));
	CU_ASSERT_STRING_EQUAL(uri_strerror((enum uri_error)1000),
	    "unknown error");
	CU_ASSERT_STRING_EQUAL(uri_strerror((enum uri_error)-1),
	    "unknown error");
}

REEF_SUITE(uri,
    REEF_TEST(test_parse_table),
    REEF_TEST(test_parse_fields),
    REEF_TEST(test_lengths),
    REEF_TEST(test_embedded_nul),
    REEF_TEST(test_is_under),
    REEF_TEST(test_cache_path),
    REEF_TEST(test_repo_base),
    REEF_TEST(test_format_round_trip),
    REEF_TEST(test_strerror))
