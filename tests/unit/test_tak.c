/*
 * Tests for validator/tak.c: RFC 9691 Trust Anchor Keys, on the APNIC
 * testbed TAKs and mutations of their eContent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/x509v3.h>

#include "common/log.h"
#include "validator/cert.h"
#include "validator/cms.h"
#include "validator/incidence.h"
#include "validator/tak.h"

#include "suite.h"
#include "util.h"

#define TAKDIR	"rpki-client-regress/tak/"

struct tak_case {
	const char	*file;
	size_t		 ncomments;
	const char	*comment;	/* first comment of current, or NULL */
	const char	*uri;		/* first URI of current */
	int		 predecessor;
	int		 successor;
};

static const struct tak_case tak_cases[] = {
	{ TAKDIR "42AE70A64DA711EDB37796549E174E93.tak", 0, NULL,
	    "rsync://rpki-testbed.apnic.net/repository/"
	    "38ABA74A4DA711EDB37796549E174E93/root.cer", 0, 0 },
	{ TAKDIR "05F53BCE4DAA11EDB9AC0C5B9E174E93.tak", 1,
	    "Current key for original TAL",
	    "rsync://rpki-testbed.apnic.net/repository/"
	    "ED9D5F8E4DA911EDB9AC0C5B9E174E93/root.cer", 0, 1 },
	{ TAKDIR "B7C2334E4DA911EDAF862D5A9E174E93.tak", 0, NULL,
	    "rsync://rpki-testbed.apnic.net/repository/"
	    "AD9FA45A4DA911EDAF862D5A9E174E93/root.cer", 0, 1 },
	{ "rpki-commons/interop/openbsd-regress/"
	    "05F53BCE4DAA11EDB9AC0C5B9E174E93.tak", 1,
	    "Current key for original TAL",
	    "rsync://rpki-testbed.apnic.net/repository/"
	    "ED9D5F8E4DA911EDB9AC0C5B9E174E93/root.cer", 0, 1 },
};

/* eContent fields, and the EE's AKI equal to the current key's SKI. */
static void
test_tak_corpus(void)
{
	const struct tak_case	*c;
	struct cert		*ee;
	struct cms_object	*cms;
	struct tak		*tak;
	unsigned char		*der;
	size_t			 i, len;

	if (tu_corpusdir() == NULL) {
		fprintf(stderr, "corpus absent: skipping TAKs\n");
		return;
	}
	for (i = 0; i < sizeof(tak_cases) / sizeof(tak_cases[0]); i++) {
		c = &tak_cases[i];
		der = tu_corpus_load(c->file, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		cms = cms_parse(c->file, der, len, OID_CT_TAK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cms);
		tak = tak_parse_econtent(c->file, cms->econtent,
		    cms->econtent_len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tak);
		CU_ASSERT_EQUAL(tak->current->ncomments, c->ncomments);
		if (c->comment != NULL)
			CU_ASSERT_STRING_EQUAL(tak->current->comments[0],
			    c->comment);
		CU_ASSERT_EQUAL(tak->current->nuris, 1);
		CU_ASSERT_STRING_EQUAL(tak->current->uris[0], c->uri);
		CU_ASSERT_EQUAL(tak->predecessor != NULL, c->predecessor);
		CU_ASSERT_EQUAL(tak->successor != NULL, c->successor);
		CU_ASSERT(tak->current->spki_len > 200);
		ee = cert_parse_ee(c->file, cms->ee_der, cms->ee_der_len, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ee);
		CU_ASSERT(ee->has_aki);
		CU_ASSERT(memcmp(ee->aki, tak->current->ski, TAK_SKI_LEN) == 0);
		cert_free(ee);
		if (tak->successor != NULL)
			CU_ASSERT(tak->successor->nuris >= 1);
		tak_free(tak);
		cms_object_free(cms);
		free(der);
	}
}

/* Replace the first occurrence of from (same length) in buf. */
static int
patch(unsigned char *buf, size_t len, const char *from, const char *to)
{
	size_t	n = strlen(from), i;

	for (i = 0; i + n <= len; i++) {
		if (memcmp(buf + i, from, n) == 0) {
			memcpy(buf + i, to, n);
			return 1;
		}
	}
	return 0;
}

static int
tak_rejected(const unsigned char *der, size_t len, const char *reason)
{
	struct tak	*tak;
	const char	*log;

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	tak = tak_parse_econtent("m.tak", der, len);
	log = tu_log_capture_end();
	if (tak != NULL) {
		tak_free(tak);
		return 0;
	}
	if (strstr(log, reason) == NULL) {
		fprintf(stderr, "log \"%s\", want \"%s\"\n", log, reason);
		return 0;
	}
	return 1;
}

static void
test_tak_mutations(void)
{
	struct cms_object	*cms;
	unsigned char		*der, *m;
	size_t			 len, n, i;

	if (tu_corpusdir() == NULL)
		return;
	der = tu_corpus_load(TAKDIR "05F53BCE4DAA11EDB9AC0C5B9E174E93.tak",
	    &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	cms = cms_parse("m.tak", der, len, OID_CT_TAK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cms);
	n = cms->econtent_len;
	CU_ASSERT_FATAL((m = malloc(n + 1)) != NULL);

	memcpy(m, cms->econtent, n);
	CU_ASSERT(patch(m, n, "Current", "Cur\xff\xfe" "nt"));
	CU_ASSERT(tak_rejected(m, n, "RFC 9691 section 3.1: comment"));
	memcpy(m, cms->econtent, n);
	CU_ASSERT(patch(m, n, "Current", "Cur\nent"));
	CU_ASSERT(tak_rejected(m, n, "RFC 9691 section 3.1: comment"));
	memcpy(m, cms->econtent, n);
	CU_ASSERT(patch(m, n, "Current", "Cur\xc3\xa9nt"));	/* fine */
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	tak_free(tak_parse_econtent("m.tak", m, n));
	CU_ASSERT_STRING_EQUAL(tu_log_capture_end(), "");
	memcpy(m, cms->econtent, n);
	CU_ASSERT(patch(m, n, "rsync://", "rsynx://"));
	CU_ASSERT(tak_rejected(m, n, "certificateURI"));
	memcpy(m, cms->econtent, n);
	CU_ASSERT(patch(m, n, "repository", "repo sitor"));
	CU_ASSERT(tak_rejected(m, n, "certificateURI"));
	memcpy(m, cms->econtent, n);
	m[n] = 0;
	CU_ASSERT(tak_rejected(m, n + 1, "trailing data"));
	CU_ASSERT(tak_rejected(m, n - 1, "RFC 9691 section 3: TAK"));
	for (i = 0; i < n; i++) {
		memcpy(m, cms->econtent, n);
		m[i] ^= 0x42;
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		tak_free(tak_parse_econtent("m.tak", m, n));
		tu_log_capture_end();
	}
	free(m);
	cms_object_free(cms);
	free(der);
}

/* RFC 9691 section 4 with hand-made EE certificates. */
static void
test_tak_check_ee(void)
{
	struct tak	tak;
	struct tak_key	cur;
	struct cert	ee;
	struct as_res	ases;

	memset(&tak, 0, sizeof(tak));
	memset(&cur, 0, sizeof(cur));
	memset(&ee, 0, sizeof(ee));
	memset(&ases, 0, sizeof(ases));
	memset(cur.ski, 0x11, TAK_SKI_LEN);
	memset(ee.aki, 0x11, TAK_SKI_LEN);
	tak.current = &cur;
	ee.has_aki = 1;
	ases.inherit = 1;
	ee.ases = &ases;
	CU_ASSERT(tak_check_ee("e.tak", &tak, &ee) == 0);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	ee.aki[0] = 0x12;
	CU_ASSERT(tak_check_ee("e.tak", &tak, &ee) == -1);
	CU_ASSERT(strstr(tu_log_capture_end(), "current key") != NULL);
	ee.aki[0] = 0x11;
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	ases.inherit = 0;
	CU_ASSERT(tak_check_ee("e.tak", &tak, &ee) == -1);
	CU_ASSERT(strstr(tu_log_capture_end(), "inherit") != NULL);
	tak_free(NULL);
}

/*
 * Whole files accepted only through a profile incidence: APNIC testbed TAKs: EE issuer CN is a UTF8String.
 * Each parse counts the incidence once more.
 */
static const char *const tak_incidence_files[] = {
	"rpki-client-regress/tak/05F53BCE4DAA11EDB9AC0C5B9E174E93.tak",
	"rpki-client-regress/tak/42AE70A64DA711EDB37796549E174E93.tak",
	"rpki-client-regress/tak/B7C2334E4DA911EDAF862D5A9E174E93.tak",
};

static void
test_tak_incidences(void)
{
	struct tak	*o;
	unsigned char	*der;
	size_t		 len, i;
	uint64_t	 n;

	TU_NEED_CORPUS();
	for (i = 0; i < sizeof(tak_incidence_files) /
	    sizeof(tak_incidence_files[0]); i++) {
		der = tu_corpus_load(tak_incidence_files[i], &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		n = incidence_count(INCIDENCE_NAME_UTF8);
		o = tak_parse(tak_incidence_files[i], der, len);
		CU_ASSERT_PTR_NOT_NULL(o);
		if (o == NULL)
			fprintf(stderr, "%s rejected\n", tak_incidence_files[i]);
		else
			CU_ASSERT_PTR_NOT_NULL(o->ee);
		CU_ASSERT(incidence_count(INCIDENCE_NAME_UTF8) > n);
		tak_free(o);
		free(der);
	}
}

REEF_SUITE(tak,
    REEF_TEST(test_tak_corpus),
    REEF_TEST(test_tak_mutations),
    REEF_TEST(test_tak_check_ee),
    REEF_TEST(test_tak_incidences))
