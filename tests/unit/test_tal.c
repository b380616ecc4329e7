/*
 * Tests for validator/tal.c: every TAL in the shared corpus with its
 * expected outcome, and hand-made TALs around each RFC 8630 rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/b64.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/tal.h"
#include "suite.h"
#include "util.h"

/*
 * Expected outcome of every .tal file in the corpus.  reject: substring
 * of the warning, NULL if accepted; then name, URI count, first URI.
 * Deliberate choices: http URIs, the "key = value" format of
 * rpki-validator-3 and blank lines before or inside the comment section
 * (fort's comment-space tests) are all rejected, as RFC 8630 section 2.2
 * allows none of them; non-ASCII in comments is accepted.
 */
static const struct tal_case {
	const char	*path;
	const char	*reject;
	const char	*name;
	size_t		 nuris;
	const char	*uri0;
} tal_cases[] = {
	{ "cfrpki/tals/afrinic.tal", NULL, "afrinic", 2, "rsync://rpki.afrinic.net/repository/AfriNIC.cer" },
	{ "cfrpki/tals/apnic.tal", "RFC 8630 section 2.2: URI must be an rsync or https URI", NULL, 0, NULL },
	{ "cfrpki/tals/arin.tal", NULL, "arin", 2, "rsync://rpki.arin.net/repository/arin-rpki-ta.cer" },
	{ "cfrpki/tals/lacnic.tal", NULL, "lacnic", 2, "https://rrdp.lacnic.net/ta/rta-lacnic-rpki.cer" },
	{ "cfrpki/tals/ripe.tal", NULL, "ripe", 2, "rsync://rpki.ripe.net/ta/ripe-ncc-ta.cer" },
	{ "fort/tal/afrinic.tal", NULL, "afrinic", 2, "rsync://rpki.afrinic.net/repository/AfriNIC.cer" },
	{ "fort/tal/apnic.tal", NULL, "apnic", 2, "https://rpki.apnic.net/repository/apnic-rpki-root-iana-origin.cer" },
	{ "fort/tal/arin.tal", NULL, "arin", 2, "rsync://rpki.arin.net/repository/arin-rpki-ta.cer" },
	{ "fort/tal/lacnic.tal", NULL, "lacnic", 2, "https://rrdp.lacnic.net/ta/rta-lacnic-rpki.cer" },
	{ "fort/tal/ripe-ncc.tal", NULL, "ripe-ncc", 2, "https://rpki.ripe.net/ta/ripe-ncc-ta.cer" },
	{ "fort/test-resources/tal/1url-crlf.tal", NULL, "1url-crlf", 1, "rsync://example.com/rpki/ta.cer" },
	{ "fort/test-resources/tal/1url-lf.tal", NULL, "1url-lf", 1, "rsync://example.com/rpki/ta.cer" },
	{ "fort/test-resources/tal/4urls-crlf.tal", NULL, "4urls-crlf", 4, "rsync://example.com/rpki/ta.cer" },
	{ "fort/test-resources/tal/4urls-lf-comment-space-1.tal", "RFC 8630 section 2.2: TAL has no URI", NULL, 0, NULL },
	{ "fort/test-resources/tal/4urls-lf-comment-space-2.tal", "RFC 8630 section 2.2: TAL has no URI", NULL, 0, NULL },
	{ "fort/test-resources/tal/4urls-lf-comment-space-3.tal", "RFC 8630 section 2.2: TAL has no URI", NULL, 0, NULL },
	{ "fort/test-resources/tal/4urls-lf-comment-space-4.tal", "RFC 8630 section 2.2: TAL has no URI", NULL, 0, NULL },
	{ "fort/test-resources/tal/4urls-lf-comment-utf8.tal", NULL, "4urls-lf-comment-utf8", 4, "rsync://example.com/rpki/ta.cer" },
	{ "fort/test-resources/tal/4urls-lf-comment.tal", NULL, "4urls-lf-comment", 4, "rsync://example.com/rpki/ta.cer" },
	{ "fort/test-resources/tal/4urls-lf.tal", NULL, "4urls-lf", 4, "rsync://example.com/rpki/ta.cer" },
	{ "rpki-client-etc-rpki/afrinic.tal", NULL, "afrinic", 2, "rsync://rpki.afrinic.net/repository/AfriNIC.cer" },
	{ "rpki-client-etc-rpki/apnic.tal", NULL, "apnic", 2, "https://rpki.apnic.net/repository/apnic-rpki-root-iana-origin.cer" },
	{ "rpki-client-etc-rpki/arin.tal", NULL, "arin", 2, "https://rrdp.arin.net/arin-rpki-ta.cer" },
	{ "rpki-client-etc-rpki/lacnic.tal", NULL, "lacnic", 2, "https://rrdp.lacnic.net/ta/rta-lacnic-rpki.cer" },
	{ "rpki-client-etc-rpki/ripe.tal", NULL, "ripe", 2, "https://rpki.ripe.net/ta/ripe-ncc-ta.cer" },
	{ "rpki-client-regress/tal/afrinic.tal", NULL, "afrinic", 1, "rsync://rpki.afrinic.net/repository/AfriNIC.cer" },
	{ "rpki-client-regress/tal/apnic.tal", NULL, "apnic", 1, "rsync://rpki.apnic.net/repository/apnic-rpki-root-iana-origin.cer" },
	{ "rpki-client-regress/tal/ripe.tal", NULL, "ripe", 1, "rsync://rpki.ripe.net/ta/ripe-ncc-ta.cer" },
	{ "rpki-client-regress/tal/test.tal", NULL, "test", 2, "rsync://rpki.example.org/rpki/hedgehog/root.cer" },
	{ "rpki-rs/repository/ripe.tal", NULL, "ripe", 1, "rsync://rpki.ripe.net/ta/ripe-ncc-ta.cer" },
	{ "rpki-validator-3/preconfigured-tals/afrinic.tal", "RFC 8630 section 2.2: URI has a forbidden character", NULL, 0, NULL },
	{ "rpki-validator-3/preconfigured-tals/apnic.tal", "RFC 8630 section 2.2: URI has a forbidden character", NULL, 0, NULL },
	{ "rpki-validator-3/preconfigured-tals/lacnic.tal", "RFC 8630 section 2.2: URI has a forbidden character", NULL, 0, NULL },
	{ "rpki-validator-3/preconfigured-tals/ripe-ncc.tal", "RFC 8630 section 2.2: URI has a forbidden character", NULL, 0, NULL },
	{ "rpki-validator-3/test-resources/tals/rfc8630/afrinic-https-rsync.tal", NULL, "afrinic-https-rsync", 2, "https://rpki.afrinic.net/repository/AfriNIC.cer" },
	{ "rpki-validator-3/test-resources/tals/rfc8630/afrinic-reversed-rsync-https.tal", NULL, "afrinic-reversed-rsync-https", 2, "rsync://rpki.afrinic.net/repository/AfriNIC.cer" },
	{ "rpki-validator-3/test-resources/tals/rfc8630/example-tal-with-http-and-rsync.tal", "RFC 8630 section 2.2: URI must be an rsync or https URI", NULL, 0, NULL },
	{ "rpki-validator-3/test-resources/tals/rfc8630/ripe-ncc-rsync-only.tal", NULL, "ripe-ncc-rsync-only", 1, "rsync://rpki.ripe.net/ta/ripe-ncc-ta.cer" },
	{ "rpki-validator-3/test-resources/tals/ripeextended/afrinic-https_rsync.tal", "RFC 8630 section 2.2: URI has a forbidden character", NULL, 0, NULL },
	{ "rpki-validator-3/test-resources/tals/ripeextended/afrinic-rsync_https.tal", "RFC 8630 section 2.2: URI has a forbidden character", NULL, 0, NULL },
	{ "rpki-validator-3/test-resources/tals/ripeextended/example-tal-with-http-and-rsync.tal", "RFC 8630 section 2.2: URI has a forbidden character", NULL, 0, NULL },
	{ "rpki-validator-3/test-resources/tals/ripeextended/ripe-ncc-rsync-only.tal", "RFC 8630 section 2.2: URI has a forbidden character", NULL, 0, NULL },
};

/* Every SPKI in the corpus TALs is a DER RSA-2048 key of this length. */
#define CORPUS_SPKI_LEN	294

static void
test_corpus(void)
{
	const char *dir = tu_corpusdir();
	const struct tal_case *tc;
	struct tal *tal;
	unsigned char *buf;
	size_t i, len;
	char *path;

	if (dir == NULL) {
		fprintf(stderr, "\n[tal] corpus absent, corpus test skipped\n");
		return;
	}
	for (i = 0; i < sizeof(tal_cases) / sizeof(tal_cases[0]); i++) {
		tc = &tal_cases[i];
		path = tu_asprintf("%s/%s", dir, tc->path);
		buf = tu_read_file(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		tal = tal_parse(path, (const char *)buf, len);
		if (tc->reject != NULL) {
			CU_ASSERT_PTR_NULL(tal);
			CU_ASSERT(tu_logged(tc->reject));
			CU_ASSERT(tu_logged(path));
		} else {
			CU_ASSERT_PTR_NOT_NULL(tal);
			if (tal == NULL)
				fprintf(stderr, "\n%s rejected\n", tc->path);
		}
		if (tal != NULL && tc->reject == NULL) {
			CU_ASSERT_STRING_EQUAL(tal->name, tc->name);
			CU_ASSERT_EQUAL(tal->nuris, tc->nuris);
			CU_ASSERT_STRING_EQUAL(tal->uris[0], tc->uri0);
			CU_ASSERT_EQUAL(tal->spki_len, CORPUS_SPKI_LEN);
		}
		tal_free(tal);
		free(buf);
		free(path);
	}
}

/* The table covers every .tal file of the corpus. */
static void
test_corpus_complete(void)
{
	const char *dir = tu_corpusdir();
	char *cmd, line[4096];
	FILE *p;
	size_t i, n = 0, found;

	if (dir == NULL)
		return;
	cmd = tu_asprintf("cd '%s' && find . -name '*.tal' | cut -c3-", dir);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		n++;
		for (found = 0, i = 0; i < sizeof(tal_cases) /
		    sizeof(tal_cases[0]); i++)
			if (strcmp(tal_cases[i].path, line) == 0)
				found = 1;
		CU_ASSERT(found);
		if (!found)
			fprintf(stderr, "\nno expectation for %s\n", line);
	}
	pclose(p);
	free(cmd);
	CU_ASSERT_EQUAL(n, sizeof(tal_cases) / sizeof(tal_cases[0]));
}

/* Base64 of a fresh SubjectPublicKeyInfo of the given key type. */
static char *
key_b64(int rsa)
{
	EVP_PKEY *pkey;
	unsigned char *der = NULL;
	char *b64 = NULL;
	int n;

	pkey = rsa ? EVP_RSA_gen(1024) : EVP_EC_gen("P-256");
	CU_ASSERT_PTR_NOT_NULL_FATAL(pkey);
	n = i2d_PUBKEY(pkey, &der);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL_FATAL(b64_encode(der, n, &b64, NULL), 0);
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	return b64;
}

static struct tal *
parse_str(const char *fn, const char *s)
{
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	return tal_parse(fn, s, strlen(s));
}

static void
expect_reject(const char *s, const char *why)
{
	struct tal *tal = parse_str("x.tal", s);

	CU_ASSERT_PTR_NULL(tal);
	CU_ASSERT(tu_logged("x.tal: "));
	CU_ASSERT(tu_logged(why));
	tal_free(tal);
}

static void
test_handmade_ok(void)
{
	char *key = key_b64(1), *s, *wrapped;
	struct tal *tal;
	size_t i, j, n = strlen(key);

	/* Wrapped at 64 columns with CRLF, comments first. */
	wrapped = calloc(1, n + n / 64 * 2 + 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wrapped);
	for (i = j = 0; i < n; i++) {
		wrapped[j++] = key[i];
		if (i % 64 == 63) {
			wrapped[j++] = '\r';
			wrapped[j++] = '\n';
		}
	}
	s = tu_asprintf("# comment\r\n#\r\nhttps://example.net/ta.cer\r\n"
	    "rsync://example.net/repo/ta.cer\r\n\r\n%s\r\n", wrapped);
	tal = parse_str("/some/dir/example.tal", s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tal);
	CU_ASSERT_STRING_EQUAL(tal->name, "example");
	CU_ASSERT_EQUAL(tal->nuris, 2);
	CU_ASSERT_STRING_EQUAL(tal->uris[0], "https://example.net/ta.cer");
	CU_ASSERT_STRING_EQUAL(tal->uris[1], "rsync://example.net/repo/ta.cer");
	CU_ASSERT(tal->spki_len > 100);
	tal_free(tal);
	free(s);

	/* No comment, no final newline, file name without .tal suffix. */
	s = tu_asprintf("rsync://example.net/ta.cer\n\n%s", key);
	tal = parse_str("plain", s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tal);
	CU_ASSERT_STRING_EQUAL(tal->name, "plain");
	CU_ASSERT_EQUAL(tal->nuris, 1);
	tal_free(tal);
	free(s);

	/* Exactly MAX_TAL_URIS URIs. */
	s = strdup("");
	for (i = 0; i < MAX_TAL_URIS; i++) {
		char *t = tu_asprintf("%srsync://h%zu.example.net/ta.cer\n", s,
		    i);

		free(s);
		s = t;
	}
	wrapped = (free(wrapped), tu_asprintf("%s\n%s\n", s, key));
	tal = parse_str("many.tal", wrapped);
	CU_ASSERT_PTR_NOT_NULL(tal);
	if (tal != NULL) {
		CU_ASSERT_EQUAL(tal->nuris, MAX_TAL_URIS);
	}
	tal_free(tal);
	free(s);
	free(wrapped);
	free(key);
}

static void
test_handmade_bad(void)
{
	char *key = key_b64(1), *ec = key_b64(0), *s, *t, *big;
	size_t i;

	expect_reject("", "RFC 8630 section 2.2: TAL has no URI");
	s = tu_asprintf("\nrsync://example.net/ta.cer\n\n%s\n", key);
	expect_reject(s, "RFC 8630 section 2.2: TAL has no URI");
	free(s);
	s = tu_asprintf("# only a comment\n\n%s\n", key);
	expect_reject(s, "RFC 8630 section 2.2: TAL has no URI");
	free(s);
	expect_reject("rsync://example.net/ta.cer\n",
	    "RFC 8630 section 2.2: missing empty line");
	expect_reject("rsync://example.net/ta.cer",
	    "RFC 8630 section 2.2: malformed line");
	s = tu_asprintf("http://example.net/ta.cer\n\n%s\n", key);
	expect_reject(s, "RFC 8630 section 2.2: URI must be an rsync or https");
	free(s);
	s = tu_asprintf("ftp://example.net/ta.cer\n\n%s\n", key);
	expect_reject(s, "RFC 8630 section 2.2: URI must be an rsync or https");
	free(s);
	s = tu_asprintf("rsync:///ta.cer\n\n%s\n", key);
	expect_reject(s, "RFC 8630 section 2.2: URI must be an rsync or https");
	free(s);
	s = tu_asprintf("rsync://example.net/repo/\n\n%s\n", key);
	expect_reject(s, "not a directory");
	free(s);
	s = tu_asprintf("rsync://example.net/t a.cer\n\n%s\n", key);
	expect_reject(s, "forbidden character (0x20)");
	free(s);
	s = tu_asprintf("rsync://example.net/t\ta.cer\n\n%s\n", key);
	expect_reject(s, "forbidden character (0x09)");
	free(s);
	s = tu_asprintf("rsync://example.net/t\xc3\xa4.cer\n\n%s\n", key);
	expect_reject(s, "forbidden character (0xc3)");
	free(s);
	/* A lone CR inside a line. */
	s = tu_asprintf("rsync://example.net/t\ra.cer\n\n%s\n", key);
	expect_reject(s, "RFC 8630 section 2.2: malformed line");
	free(s);
	/* URI one byte over the limit. */
	big = calloc(1, MAX_URI_LENGTH + 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memcpy(big, "rsync://example.net/", 20);
	memset(big + 20, 'a', MAX_URI_LENGTH + 1 - 20);
	s = tu_asprintf("%s\n\n%s\n", big, key);
	expect_reject(s, "RFC 8630 section 2.2: URI longer than");
	free(s);
	free(big);
	/* One URI too many. */
	s = strdup("");
	for (i = 0; i <= MAX_TAL_URIS; i++) {
		t = tu_asprintf("%srsync://h%zu.example.net/ta.cer\n", s, i);
		free(s);
		s = t;
	}
	t = tu_asprintf("%s\n%s\n", s, key);
	expect_reject(t, "more than 16 URIs");
	free(s);
	free(t);
	/* Bad base64, junk after the key, non-RSA key, no key at all. */
	expect_reject("rsync://example.net/ta.cer\n\nMIIB!!!!\n",
	    "RFC 8630 section 2.2: subjectPublicKeyInfo is not valid base64");
	expect_reject("rsync://example.net/ta.cer\n\n\n",
	    "RFC 8630 section 2.2: subjectPublicKeyInfo is not valid base64");
	expect_reject("rsync://example.net/ta.cer\n\nAAAA\n",
	    "RFC 8630 section 2.2: malformed subjectPublicKeyInfo");
	s = tu_asprintf("rsync://example.net/ta.cer\n\n%s\n# trailer\n", key);
	expect_reject(s, "RFC 8630 section 2.2: subjectPublicKeyInfo is not valid base64");
	free(s);
	s = tu_asprintf("rsync://example.net/ta.cer\n\n%s\n", ec);
	expect_reject(s, "RFC 7935 section 3.1: TA key must be RSA");
	free(s);
	free(key);
	free(ec);
}

static void
test_limits(void)
{
	char *buf;
	struct tal *tal;

	/* A NUL byte anywhere. */
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	tal = tal_parse("x.tal", "rsync://e.net/ta.cer\0\n\nAAAA\n", 27);
	CU_ASSERT_PTR_NULL(tal);
	CU_ASSERT(tu_logged("NUL byte"));
	/* Over the size limit, whatever the content. */
	buf = malloc(MAX_TAL_SIZE + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	memset(buf, '#', MAX_TAL_SIZE + 1);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	tal = tal_parse("x.tal", buf, MAX_TAL_SIZE + 1);
	CU_ASSERT_PTR_NULL(tal);
	CU_ASSERT(tu_logged("TAL larger than"));
	free(buf);
	/* A file called just ".tal" has no name. */
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	tal = tal_parse("dir/.tal", "x", 1);
	CU_ASSERT_PTR_NULL(tal);
	CU_ASSERT(tu_logged("name is empty"));
	tal_free(NULL);
}

static int
tal_init(void)
{
	if (tu_log_capture_start(LOG_LEVEL_WARNING) == -1)
		return -1;
	return 0;
}

static int
tal_fini(void)
{
	tu_log_capture_end();
	return 0;
}

REEF_SUITE_FULL(tal, tal_init, tal_fini,
    REEF_TEST(test_corpus), REEF_TEST(test_corpus_complete),
    REEF_TEST(test_handmade_ok), REEF_TEST(test_handmade_bad),
    REEF_TEST(test_limits))
