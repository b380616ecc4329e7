/*
 * Tests for validator/cms.c: the RFC 6488 signed object wrapper, on the
 * BBN conformance objects, real objects and mutations of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/gtime.h"
#include "common/log.h"
#include "validator/cms.h"

#include "suite.h"
#include "util.h"

#define BBN	"rpki-commons/conformance/root/"

/* Parse der expecting failure with reason; returns 1 if it matched. */
static int
expect_reject(const unsigned char *der, size_t len, enum oid_id type,
    const char *reason)
{
	struct cms_object	*obj;
	const char		*log;

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	obj = cms_parse("t.roa", der, len, type);
	log = tu_log_capture_end();
	if (obj != NULL) {
		cms_object_free(obj);
		fprintf(stderr, "accepted, want \"%s\"\n", reason);
		return 0;
	}
	if (strstr(log, reason) == NULL || strstr(log, "t.roa") == NULL) {
		fprintf(stderr, "log \"%s\", want \"%s\"\n", log, reason);
		return 0;
	}
	return 1;
}

struct cms_case {
	const char	*file;
	const char	*reason;	/* NULL: accepted */
};

/* The BBN CMS cases and the RFC section each must be rejected under. */
static const struct cms_case cms_bbn[] = {
	{ "badCMSContentType.roa", "RFC 6488 section 2:" },
	{ "badCMSVersion2.roa", "RFC 6488 section 2.1.1:" },
	{ "badCMSVersion4.roa", "RFC 6488 section 2.1.1:" },
	{ "badCMSNoDigestAlgs.roa", "RFC 6488 section 2.1.2:" },
	{ "badCMS2DigestAlgs.roa", "RFC 6488 section 2.1.2:" },
	{ "badCMSDigestAlgWrongOuter.roa", "RFC 6488 section 2.1.2:" },
	{ "badCMSDigestAlgSameWrong.roa", "RFC 6488 section 2.1.2:" },
	{ "badROAWrongType.roa", "RFC 6488 section 2.1.3.1:" },
	{ "badCMSNoCerts.roa", "RFC 6488 section 2.1.4:" },
	{ "badCMS2Certs.roa", "RFC 6488 section 2.1.4:" },
	{ "badCMSHasCRL.roa", "RFC 6488 section 2.1.5:" },
	{ "badCMSNoSigInfo.roa", "RFC 6488 section 2.1.6:" },
	{ "badCMS2SigInfo.roa", "RFC 6488 section 2.1.6:" },
	{ "badCMSSigInfoVersion.roa", "RFC 6488 section 2.1.6.1:" },
	{ "badCMSSigInfoVersion4.roa", "RFC 6488 section 2.1.6.1:" },
	{ "badCMSSigInfoWrongSid.roa", "RFC 6488 section 2.1.6.2:" },
	{ "badCMSSigInfoBadSid.roa", "RFC 6488 section 2.1.6.2:" },
	{ "badCMSSigInfoNoSid.roa", "RFC 6488 section 2:" },
	{ "badCMSSigInfoHashAlg.roa", "RFC 6488 section 2.1.6.3:" },
	{ "badCMSSigInfoNoHashAlg.roa", "RFC 6488 section 2:" },
	{ "badCMSSigInfoNoAttrs.roa", "RFC 6488 section 2.1.6.4:" },
	{ "badCMSSigInfoForbiddenAttr.roa", "RFC 6488 section 2.1.6.4:" },
	{ "badCMSSigInfoAttrsNoContType.roa", "RFC 6488 section 2.1.6.4:" },
	{ "badCMSSigInfoAttrsNoMsgDigest.roa", "RFC 6488 section 2.1.6.4:" },
	{ "badCMSSigInfoAttrs2ContType.roa", "RFC 6488 section 2.1.6.4:" },
	{ "badCMSSigInfoAttrs2MsgDigest.roa", "RFC 6488 section 2.1.6.4:" },
	{ "badCMSSigInfoAttrs2SigTime.roa", "RFC 6488 section 2.1.6.4:" },
	{ "badCMSSigInfoAttrs2BinSigTime.roa", "RFC 6488 section 2.1.6.4:" },
	{ "badCMSSigInfoAttrsContType0Val.roa", "RFC 6488 section 2.1.6.4.1:" },
	{ "badCMSSigInfoAttrsContType2Val.roa", "RFC 6488 section 2.1.6.4.1:" },
	{ "badCMSSigInfoAttrsContTypeOid.roa", "RFC 6488 section 2.1.6.4.1:" },
	{ "badCMSSigInfoAttrsMsgDigest0Val.roa", "RFC 6488 section 2.1.6.4.2:" },
	{ "badCMSSigInfoAttrsMsgDigest2Val.roa", "RFC 6488 section 2.1.6.4.2:" },
	{ "badCMSSigInfoAttrsWrongDigest.roa", "RFC 6488 section 2.1.6.4.2:" },
	{ "badROAVersionV1ExplicitBadSig.roa", "RFC 6488 section 2.1.6.4.2:" },
	{ "badCMSSigInfoAttrsSigTime0Val.roa", "RFC 6488 section 2.1.6.4.3:" },
	{ "badCMSSigInfoAttrsSigTime2Val.roa", "RFC 6488 section 2.1.6.4.3:" },
	{ "badCMSSigInfoAttrsBinSigTime0Val.roa", "RFC 6488 section 2.1.6.4.4:" },
	{ "badCMSSigInfoAttrsBinSigTime2Val.roa", "RFC 6488 section 2.1.6.4.4:" },
	{ "badCMSSigInfoUnSigAttrs.roa", "RFC 6488 section 2.1.6.7:" },
	{ "badCMSSigInfo2Sig.roa", "RFC 6488 section 2:" },
	{ "badCMSSigInfoNoSig.roa", "RFC 6488 section 2:" },
	{ "badCMSSigInfoBadSigVal.roa", "RFC 6488 section 3:" },
	/* RFC 7935 section 2 allows rsaEncryption here; the BBN suite predates it. */
	{ "badCMSSigInfoWrongSigAlg.roa", NULL },
	{ "goodROANothingWrong.roa", NULL },
	{ "goodROAASIDZero.roa", NULL },
};

static void
test_cms_bbn(void)
{
	struct cms_object	*obj;
	unsigned char		*der;
	size_t			 i, len;
	char			*rel;

	if (tu_corpusdir() == NULL) {
		fprintf(stderr, "corpus absent: skipping BBN CMS cases\n");
		return;
	}
	for (i = 0; i < sizeof(cms_bbn) / sizeof(cms_bbn[0]); i++) {
		rel = tu_asprintf(BBN "%s", cms_bbn[i].file);
		der = tu_corpus_load(rel, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		if (cms_bbn[i].reason == NULL) {
			obj = cms_parse(rel, der, len, OID_CT_ROA);
			CU_ASSERT_PTR_NOT_NULL(obj);
			if (obj != NULL) {
				CU_ASSERT(obj->econtent_len > 0);
				CU_ASSERT_PTR_NOT_NULL(obj->ee);
			}
			cms_object_free(obj);
		} else if (!expect_reject(der, len, OID_CT_ROA,
		    cms_bbn[i].reason)) {
			fprintf(stderr, "  case %s\n", cms_bbn[i].file);
			CU_FAIL("BBN CMS case");
		}
		free(der);
		free(rel);
	}
}

struct cms_real {
	const char	*file;
	enum oid_id	 type;
	size_t		 econtent_len;
	const char	*signing_time;	/* ISO, or NULL if absent */
	const char	*reason;	/* NULL: accepted */
};

/* Real-world objects: CMS framing accepted (BER wrappers included). */
static const struct cms_real cms_reals[] = {
	{ "rpki-rs/repository/example-ripe.roa", OID_CT_ROA, 31,
	    NULL, NULL },
	{ "rpki-client-regress/roa/4DAr1VXnjh69GoQkxjmIQdkRVtQ.roa",
	    OID_CT_ROA, 0, NULL, NULL },
	{ "rpki-client-regress/mft/ripe-ncc-ta.mft", OID_CT_MFT, 0, NULL,
	    NULL },
	{ "rpki-client-regress/aspa/AS1000.asa", OID_CT_ASPA, 0, NULL, NULL },
	{ "rpki-client-regress/tak/42AE70A64DA711EDB37796549E174E93.tak",
	    OID_CT_TAK, 0, NULL, NULL },
	/* smimeCapabilities among the signed attributes */
	{ "rpki-commons/interop/misc-objects/6C76EDB2225D11E286C4BD8F7A2F2747.roa",
	    OID_CT_ROA, 0, NULL, "RFC 6488 section 2.1.6.4:" },
	/* right object, wrong expected type */
	{ "rpki-client-regress/mft/ripe-ncc-ta.mft", OID_CT_ROA, 0, NULL,
	    "RFC 6488 section 2.1.3.1:" },
};

static void
test_cms_real(void)
{
	struct cms_object	*obj;
	unsigned char		*der;
	size_t			 i, len;
	const struct cms_real	*c;

	if (tu_corpusdir() == NULL) {
		fprintf(stderr, "corpus absent: skipping real CMS objects\n");
		return;
	}
	for (i = 0; i < sizeof(cms_reals) / sizeof(cms_reals[0]); i++) {
		c = &cms_reals[i];
		der = tu_corpus_load(c->file, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		if (c->reason != NULL) {
			CU_ASSERT(expect_reject(der, len, c->type, c->reason));
			free(der);
			continue;
		}
		obj = cms_parse(c->file, der, len, c->type);
		CU_ASSERT_PTR_NOT_NULL(obj);
		if (obj != NULL && c->econtent_len != 0)
			CU_ASSERT_EQUAL(obj->econtent_len, c->econtent_len);
		cms_object_free(obj);
		free(der);
	}
}

/* The signing time of a real RIPE object, as RFC 9589 reads it. */
static void
test_cms_signing_time(void)
{
	struct cms_object	*obj;
	unsigned char		*der;
	size_t			 len;
	char			 iso[GTIME_ISO_LEN + 1];

	if (tu_corpusdir() == NULL)
		return;
	der = tu_corpus_load("rpki-client-regress/aspa/AS1000.asa", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	obj = cms_parse("AS1000.asa", der, len, OID_CT_ASPA);
	CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
	CU_ASSERT(obj->has_signing_time);
	CU_ASSERT(gtime_format_iso(obj->signing_time, iso, sizeof(iso)) == 0);
	/* signed 2023-06-25 per the EE validity in SOURCES.md */
	CU_ASSERT(strncmp(iso, "2023-06-2", 9) == 0);
	cms_object_free(obj);
	free(der);
}

/* Mutations of a valid object must all be rejected, never crash. */
static void
test_cms_mutations(void)
{
	unsigned char	*der, *m;
	size_t		 len, i;

	if (tu_corpusdir() == NULL)
		return;
	der = tu_corpus_load(BBN "goodROANothingWrong.roa", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	CU_ASSERT_FATAL((m = malloc(len + 1)) != NULL);

	/* the last byte is inside the signature */
	memcpy(m, der, len);
	m[len - 1] ^= 0x01;
	CU_ASSERT(expect_reject(m, len, OID_CT_ROA, "RFC 6488 section 3:"));

	/* appended garbage */
	memcpy(m, der, len);
	m[len] = 0;
	CU_ASSERT(expect_reject(m, len + 1, OID_CT_ROA, "trailing data"));

	/* truncation */
	CU_ASSERT(expect_reject(der, len - 10, OID_CT_ROA,
	    "RFC 6488 section 2:"));

	/* too small to be anything */
	CU_ASSERT(expect_reject(der, 10, OID_CT_ROA, "implausible size"));

	/* flipping any single byte must be caught or be harmless */
	for (i = 0; i < len; i += 7) {
		struct cms_object *obj;

		memcpy(m, der, len);
		m[i] ^= 0x55;
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		obj = cms_parse("t.roa", m, len, OID_CT_ROA);
		tu_log_capture_end();
		cms_object_free(obj);
	}
	free(m);
	free(der);
}

/* The DER helpers shared by the eContent parsers. */
static void
test_cms_helpers(void)
{
	ASN1_INTEGER	*i;
	uint32_t	 v;

	CU_ASSERT_FATAL((i = ASN1_INTEGER_new()) != NULL);
	CU_ASSERT(ASN1_INTEGER_set_int64(i, 4294967295LL) == 1);
	CU_ASSERT(cms_integer_u32(i, &v) == 0);
	CU_ASSERT_EQUAL(v, 4294967295U);
	CU_ASSERT(ASN1_INTEGER_set_int64(i, 4294967296LL) == 1);
	CU_ASSERT(cms_integer_u32(i, &v) == -1);
	CU_ASSERT(ASN1_INTEGER_set_int64(i, -1) == 1);
	CU_ASSERT(cms_integer_u32(i, &v) == -1);
	CU_ASSERT(cms_integer_u32(NULL, &v) == -1);

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT(cms_check_version("t.roa", "RFC X", NULL, 0, 0) == 0);
	CU_ASSERT(cms_check_version("t.roa", "RFC X", NULL, 0, 1) == -1);
	CU_ASSERT(ASN1_INTEGER_set_int64(i, 0) == 1);
	CU_ASSERT(cms_check_version("t.roa", "RFC X", i, 0, 0) == -1);
	CU_ASSERT(strstr(tu_log_capture_end(), "X.690 section 11.5") != NULL);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT(ASN1_INTEGER_set_int64(i, 1) == 1);
	CU_ASSERT(cms_check_version("t.roa", "RFC X", i, 0, 1) == 0);
	CU_ASSERT(cms_check_version("t.roa", "RFC X", i, 0, 0) == -1);
	CU_ASSERT(strstr(tu_log_capture_end(),
	    "RFC X: version 1, must be 0") != NULL);
	ASN1_INTEGER_free(i);

	CU_ASSERT(oid_is(NULL, OID_CT_ROA) == 0);
	CU_ASSERT_STRING_EQUAL(oid_text(OID_CT_ASPA),
	    "1.2.840.113549.1.9.16.1.49");
	CU_ASSERT_STRING_EQUAL(oid_text(OID_COUNT), "?");
}

/* Every OID in the table round-trips through OpenSSL's parser. */
static void
test_cms_oids(void)
{
	ASN1_OBJECT	*o;
	char		 buf[OID_STRLEN];
	int		 id, other;

	for (id = 0; id < OID_COUNT; id++) {
		CU_ASSERT_FATAL((o = oid_new(id)) != NULL);
		CU_ASSERT(oid_is(o, id));
		CU_ASSERT_STRING_EQUAL(oid_format(o, buf, sizeof(buf)),
		    oid_text(id));
		for (other = 0; other < OID_COUNT; other++)
			if (other != id)
				CU_ASSERT(!oid_is(o, other));
		ASN1_OBJECT_free(o);
	}
}

REEF_SUITE(cms,
    REEF_TEST(test_cms_bbn),
    REEF_TEST(test_cms_real),
    REEF_TEST(test_cms_signing_time),
    REEF_TEST(test_cms_mutations),
    REEF_TEST(test_cms_helpers),
    REEF_TEST(test_cms_oids))
