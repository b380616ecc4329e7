/*
 * Tests for validator/mft.c: RFC 9286 manifests, on the BBN conformance
 * manifests, real manifests and hand-made inputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/gtime.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/cms.h"
#include "validator/incidence.h"
#include "validator/mft.h"

#include "suite.h"
#include "util.h"

#define BBN	"rpki-commons/conformance/root/"

struct mft_case {
	const char	*file;
	const char	*reason;	/* NULL: accepted */
};

/* Whole-file verdicts: CMS, EE profile, eContent and EE checks. */
static const struct mft_case mft_bbn[] = {
	{ BBN "CRL2CRLNums/CRL2CRLNums.mft", NULL },
	{ BBN "CRLDeltaCRLInd/CRLDeltaCRLInd.mft", NULL },
	{ BBN "CRLEntryHasExtension/CRLEntryHasExtension.mft", NULL },
	{ BBN "CRLEntryReason/CRLEntryReason.mft", NULL },
	{ BBN "CRLEntrySerNum0/CRLEntrySerNum0.mft", NULL },
	{ BBN "CRLEntrySerNumMax/CRLEntrySerNumMax.mft", NULL },
	{ BBN "CRLEntrySerNumNeg/CRLEntrySerNumNeg.mft", NULL },
	{ BBN "CRLEntrySerNumTooBig/CRLEntrySerNumTooBig.mft", NULL },
	{ BBN "CRLIssAltName/CRLIssAltName.mft", NULL },
	{ BBN "CRLIssDistPt/CRLIssDistPt.mft", NULL },
	{ BBN "CRLIssuer2Seq/CRLIssuer2Seq.mft", NULL },
	{ BBN "CRLIssuer2Sets/CRLIssuer2Sets.mft", NULL },
	{ BBN "CRLIssuerOID/CRLIssuerOID.mft", NULL },
	{ BBN "CRLIssuerSeq2SerNums/CRLIssuerSeq2SerNums.mft", NULL },
	{ BBN "CRLIssuerSerNum/CRLIssuerSerNum.mft", NULL },
	{ BBN "CRLIssuerSet2SerNums/CRLIssuerSet2SerNums.mft", NULL },
	{ BBN "CRLIssuerUTF/CRLIssuerUTF.mft", NULL },
	{ BBN "CRLNextUpdatePast/CRLNextUpdatePast.mft", NULL },
	{ BBN "CRLNextUpdateTyp/CRLNextUpdateTyp.mft", NULL },
	{ BBN "CRLNoAKI/CRLNoAKI.mft", NULL },
	{ BBN "CRLNoCRLNum/CRLNoCRLNum.mft", NULL },
	{ BBN "CRLNoVersion/CRLNoVersion.mft", NULL },
	{ BBN "CRLNumber2Big/CRLNumber2Big.mft", NULL },
	{ BBN "CRLNumberMax/CRLNumberMax.mft", NULL },
	{ BBN "CRLNumberNeg/CRLNumberNeg.mft", NULL },
	{ BBN "CRLNumberZero/CRLNumberZero.mft", NULL },
	{ BBN "CRLSigAlgInner/CRLSigAlgInner.mft", NULL },
	{ BBN "CRLSigAlgMatchButWrong/CRLSigAlgMatchButWrong.mft", NULL },
	{ BBN "CRLSigAlgOuter/CRLSigAlgOuter.mft", NULL },
	{ BBN "CRLThisUpdateTyp/CRLThisUpdateTyp.mft", NULL },
	{ BBN "CRLUpdatesCrossed/CRLUpdatesCrossed.mft", NULL },
	{ BBN "CRLVersion0/CRLVersion0.mft", NULL },
	{ BBN "CRLVersion2/CRLVersion2.mft", NULL },
	{ BBN "MFTASNotInherit/badMFTASNotInherit.mft", "RFC 9286 section 5.1" },
	{ BBN "MFTDuplicateFileOneHash/badMFTDuplicateFileOneHash.mft", "RFC 9286 section 4.2.2" },
	{ BBN "MFTDuplicateFileTwoHashes/badMFTDuplicateFileTwoHashes.mft", "RFC 9286 section 4.2.2" },
	{ BBN "MFTEndCrossed/badMFTEndCrossed.mft", "RFC 9286 section 5.1" },
	{ BBN "MFTFileHashLong/badMFTFileHashLong.mft", "RFC 9286 section 4.2.1" },
	{ BBN "MFTFileHashShort/badMFTFileHashShort.mft", "RFC 9286 section 4.2.1" },
	{ BBN "MFTFileNotIA5/badMFTFileNotIA5.mft", "RFC 9286 section 4.2" },
	{ BBN "MFTHashAlg/badMFTHashAlg.mft", "RFC 9286 section 4.2.1" },
	{ BBN "MFTHashAlgSameLength/badMFTHashAlgSameLength.mft", "RFC 9286 section 4.2.1" },
	{ BBN "MFTHashOctetStr/badMFTHashOctetStr.mft", "RFC 7935 section 3" },	/* undecodable EE key */
	{ BBN "MFTIPv4NotInherit/badMFTIPv4NotInherit.mft", "RFC 9286 section 5.1" },
	{ BBN "MFTIPv6NotInherit/badMFTIPv6NotInherit.mft", "RFC 9286 section 5.1" },
	{ BBN "MFTNegNum/badMFTNegNum.mft", "RFC 9286 section 4.2.1" },
	{ BBN "MFTNextUpdPast/badMFTNextUpdPast.mft", "RFC 9286 section 5.1" },
	{ BBN "MFTNextUpdUTC/badMFTNextUpdUTC.mft", "RFC 9286 section 4.2.1" },
	{ BBN "MFTNoNum/badMFTNoNum.mft", "RFC 9286 section 4.2" },
	{ BBN "MFTNumMax/goodMFTNumMax.mft", NULL },
	{ BBN "MFTNumTooBig/badMFTNumTooBig.mft", "RFC 9286 section 4.2.1" },
	{ BBN "MFTNumZero/goodMFTNumZero.mft", NULL },
	{ BBN "MFTStartCrossed/badMFTStartCrossed.mft", "RFC 9286 section 5.1" },
	/* parses; mft_check_current() rejects it, see test_mft_current */
	{ BBN "MFTThisUpdFuture/badMFTThisUpdFuture.mft", NULL },
	{ BBN "MFTThisUpdUTC/badMFTThisUpdUTC.mft", "RFC 7935 section 3" },	/* undecodable EE key */
	{ BBN "MFTUnkownFileExtension/goodMFTUnkownFileExtension.mft", NULL },
	{ BBN "MFTUpdCrossed/badMFTUpdCrossed.mft", "RFC 7935 section 3" },	/* undecodable EE key */
	{ BBN "MFTVersion0/badMFTVersion0.mft", "RFC 9286 section 4.2" },
	{ BBN "MFTWrongType/badMFTWrongType.mft", "RFC 6488 section 2.1.3.1" },
	{ BBN "NAMSeqNameSer/goodMFTMatch.mft", NULL },
	{ BBN "NAMSeqSerName/goodMFTMatch.mft", NULL },
	{ BBN "NAMSetNameSer/goodMFTMatch.mft", NULL },
	{ BBN "root.mft", NULL },
};

static void
test_mft_bbn(void)
{
	const struct mft_case	*c;
	struct mft		*mft;
	unsigned char		*der;
	const char		*log;
	size_t			 i, len;

	if (tu_corpusdir() == NULL) {
		fprintf(stderr, "corpus absent: skipping BBN manifests\n");
		return;
	}
	for (i = 0; i < sizeof(mft_bbn) / sizeof(mft_bbn[0]); i++) {
		c = &mft_bbn[i];
		der = tu_corpus_load(c->file, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		mft = mft_parse(c->file, der, len);
		log = tu_log_capture_end();
		if (c->reason == NULL && mft == NULL) {
			fprintf(stderr, "%s: rejected: %s\n", c->file, log);
			CU_FAIL("good manifest rejected");
		} else if (c->reason != NULL && (mft != NULL ||
		    strstr(log, c->reason) == NULL)) {
			fprintf(stderr, "%s: log \"%s\", want \"%s\"\n",
			    c->file, log, c->reason);
			CU_FAIL("bad manifest accepted or wrong reason");
		}
		if (mft != NULL)
			CU_ASSERT_PTR_NOT_NULL(mft->ee);
		mft_free(mft);
		free(der);
	}
}

struct mft_real {
	const char	*file;
	const char	*number;	/* hex */
	size_t		 nfiles;
	const char	*this_update;	/* ISO */
	const char	*next_update;
};

/* Real manifests at the layers this module owns (CMS + eContent). */
static const struct mft_real mft_reals[] = {
	{ "rpki-prover/afrinic_mft1.mft", "7e", 6,
	    "2019-07-03T07:44:58Z", "2019-08-10T07:44:58Z" },
	{ "rpki-prover/afrinic_mft2.mft", "90", 6,
	    "2020-10-30T04:48:57Z", "2020-12-06T04:48:57Z" },
	{ "rpki-rs/repository/ca1.mft", "06a9", 3,
	    "2019-04-06T09:35:49Z", "2019-04-07T09:35:49Z" },
	{ "rpki-rs/repository/ta.mft", "32", 2,
	    "2019-02-26T13:14:44Z", "2019-05-26T13:14:44Z" },
	{ "rpki-rs/repository/signature-alg-mismatch.mft",
	    "010d0c9f4328576d51cc73c042cfc173e35f2b2d", 4,
	    "2020-08-12T15:52:11Z", "2020-08-15T15:00:00Z" },
	{ "rpki-client-regress/mft/Kn3R14fXk-TIr1bhl9Tu2Sr2uhM.mft", "078a", 3,
	    "2019-06-18T00:00:56Z", "2019-06-19T00:00:56Z" },
	{ "rpki-client-regress/mft/RjQZ5pSL7riIcFGhdm4iFtIalko.mft", "11", 6,
	    "2019-06-18T03:12:23Z", "2019-06-18T09:12:23Z" },
	{ "rpki-client-regress/mft/ripe-ncc-ta.mft", "33", 2,
	    "2019-05-15T12:24:36Z", "2019-08-15T12:24:36Z" },
	{ BBN "root.mft", "01", 344,
	    "2011-04-11T18:57:28Z", "2046-05-15T18:59:28Z" },
};

static void
test_mft_real(void)
{
	const struct mft_real	*c;
	struct cms_object	*cms;
	struct mft		*mft;
	unsigned char		*der;
	char			 hex[MFT_NUMBER_STRLEN];
	char			 iso[GTIME_ISO_LEN + 1];
	size_t			 i, j, len;

	if (tu_corpusdir() == NULL) {
		fprintf(stderr, "corpus absent: skipping real manifests\n");
		return;
	}
	for (i = 0; i < sizeof(mft_reals) / sizeof(mft_reals[0]); i++) {
		c = &mft_reals[i];
		der = tu_corpus_load(c->file, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		cms = cms_parse(c->file, der, len, OID_CT_MFT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cms);
		mft = mft_parse_econtent(c->file, cms->econtent,
		    cms->econtent_len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(mft);
		mft_number_hex(mft, hex);
		CU_ASSERT_STRING_EQUAL(hex, c->number);
		CU_ASSERT_EQUAL(mft->nfiles, c->nfiles);
		gtime_format_iso(mft->this_update, iso, sizeof(iso));
		CU_ASSERT_STRING_EQUAL(iso, c->this_update);
		gtime_format_iso(mft->next_update, iso, sizeof(iso));
		CU_ASSERT_STRING_EQUAL(iso, c->next_update);
		for (j = 0; j < mft->nfiles; j++) {
			CU_ASSERT(mft_find(mft, mft->files[j].name) ==
			    &mft->files[j]);
			if (j > 0)
				CU_ASSERT(strcmp(mft->files[j - 1].name,
				    mft->files[j].name) < 0);
		}
		CU_ASSERT_PTR_NULL(mft_find(mft, "absent.roa"));
		mft_free(mft);
		cms_object_free(cms);
		free(der);
	}
}

/* RFC 9286 sections 4.2.1 and 6.3 at fixed times. */
static void
test_mft_current(void)
{
	struct mft	*future, *past;
	unsigned char	*der;
	size_t		 len;
	char		 why[256];
	int64_t		 t;
	struct cms_object *cms;

	if (tu_corpusdir() == NULL)
		return;
	der = tu_corpus_load(BBN "MFTThisUpdFuture/badMFTThisUpdFuture.mft",
	    &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	future = mft_parse("f.mft", der, len);
	free(der);
	CU_ASSERT_PTR_NOT_NULL_FATAL(future);
	CU_ASSERT(gtime_parse_user("2026-11-26", &t) == 0);
	CU_ASSERT(mft_check_current(future, t, why, sizeof(why)) == -1);
	CU_ASSERT(strstr(why, "RFC 9286 section 4.2.1") != NULL);
	CU_ASSERT(mft_check_current(future, future->this_update, why,
	    sizeof(why)) == 0);

	der = tu_corpus_load(BBN "MFTNextUpdPast/badMFTNextUpdPast.mft", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	cms = cms_parse("p.mft", der, len, OID_CT_MFT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cms);
	past = mft_parse_econtent("p.mft", cms->econtent, cms->econtent_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(past);
	CU_ASSERT(mft_check_current(past, t, why, sizeof(why)) == -1);
	CU_ASSERT(strstr(why, "RFC 9286 section 6.3") != NULL);
	CU_ASSERT(mft_check_current(past, past->next_update, why,
	    sizeof(why)) == 0);
	CU_ASSERT(mft_check_current(past, past->next_update + 1, why,
	    sizeof(why)) == -1);
	mft_free(past);
	mft_free(future);
	cms_object_free(cms);
	free(der);
}

static void
test_mft_compare(void)
{
	struct mft	a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	CU_ASSERT(mft_compare(&a, &b) == 0);		/* 0 vs 0 */
	b.number_len = 1;
	b.number[0] = 1;
	CU_ASSERT(mft_compare(&a, &b) < 0);
	CU_ASSERT(mft_compare(&b, &a) > 0);
	a.number_len = 1;
	a.number[0] = 0xff;
	CU_ASSERT(mft_compare(&a, &b) > 0);
	b.number_len = 2;				/* 0x0100 > 0xff */
	b.number[0] = 0x01;
	b.number[1] = 0x00;
	CU_ASSERT(mft_compare(&a, &b) < 0);
	a.number_len = 2;
	a.number[0] = 0x01;
	a.number[1] = 0x00;
	CU_ASSERT(mft_compare(&a, &b) == 0);
	a.number[1] = 0x01;
	CU_ASSERT(mft_compare(&a, &b) > 0);
}

static void
test_mft_filenames(void)
{
	static const struct {
		const char	*name;
		int		 ok;
	} cases[] = {
		{ "a.roa", 1 },
		{ "Kn3R14fXk-TIr1bhl9Tu2Sr2uhM.mft", 1 },
		{ "under_score.cer", 1 },
		{ "foo.nul", 1 },		/* unregistered: listed, skipped */
		{ ".roa", 0 },			/* nothing before the dot */
		{ "a.b.roa", 0 },		/* two dots */
		{ "aroa", 0 },			/* no dot */
		{ "a.ro", 0 },			/* two-letter extension */
		{ "a.roas", 0 },
		{ "a.ROA", 0 },
		{ "a/b.roa", 0 },		/* path separator */
		{ "../x.roa", 0 },
		{ "sp ace.roa", 0 },
		{ "t\xc3\xa9.roa", 0 },		/* non-ASCII */
		{ "", 0 },
	};
	char	big[MAX_FILENAME_LENGTH + 2];
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (mft_valid_filename(cases[i].name, strlen(cases[i].name)) !=
		    cases[i].ok)
			fprintf(stderr, "file name \"%s\"\n", cases[i].name);
		CU_ASSERT_EQUAL(mft_valid_filename(cases[i].name,
		    strlen(cases[i].name)), cases[i].ok);
	}
	/* an embedded NUL */
	CU_ASSERT_EQUAL(mft_valid_filename("a\0b.roa", 7), 0);
	/* the length limit */
	memset(big, 'a', sizeof(big));
	memcpy(big + MAX_FILENAME_LENGTH - 4, ".roa", 4);
	CU_ASSERT_EQUAL(mft_valid_filename(big, MAX_FILENAME_LENGTH), 1);
	memcpy(big + MAX_FILENAME_LENGTH - 3, ".roa", 4);
	CU_ASSERT_EQUAL(mft_valid_filename(big, MAX_FILENAME_LENGTH + 1), 0);

	CU_ASSERT(mft_known_extension("x.roa"));
	CU_ASSERT(mft_known_extension("x.asa"));
	CU_ASSERT(mft_known_extension("x.tak"));
	CU_ASSERT(!mft_known_extension("x.nul"));
	CU_ASSERT(!mft_known_extension("roa"));
}

/* RFC 9286 section 5.1 against hand-made EE certificates. */
static void
test_mft_check_ee(void)
{
	struct mft		mft;
	struct cert		ee;
	struct ip_res		ips;
	struct as_res		ases;

	memset(&mft, 0, sizeof(mft));
	memset(&ee, 0, sizeof(ee));
	memset(&ips, 0, sizeof(ips));
	memset(&ases, 0, sizeof(ases));
	mft.this_update = 1000;
	mft.next_update = 2000;
	ee.notbefore = 1000;
	ee.notafter = 2000;
	ips.afi[IP_RES_V4].present = ips.afi[IP_RES_V4].inherit = 1;
	ips.afi[IP_RES_V6].present = ips.afi[IP_RES_V6].inherit = 1;
	ases.inherit = 1;
	ee.ips = &ips;
	ee.ases = &ases;
	CU_ASSERT(mft_check_ee("e.mft", &mft, &ee) == 0);

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	ee.notbefore = 1001;
	CU_ASSERT(mft_check_ee("e.mft", &mft, &ee) == -1);
	ee.notbefore = 1000;
	ee.notafter = 1999;
	CU_ASSERT(mft_check_ee("e.mft", &mft, &ee) == -1);
	ee.notafter = 2000;
	CU_ASSERT(strstr(tu_log_capture_end(),
	    "e.mft: RFC 9286 section 5.1") != NULL);

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	ips.afi[IP_RES_V6].inherit = 0;
	CU_ASSERT(mft_check_ee("e.mft", &mft, &ee) == -1);
	ips.afi[IP_RES_V6].inherit = 1;
	ases.inherit = 0;
	CU_ASSERT(mft_check_ee("e.mft", &mft, &ee) == -1);
	ee.ips = NULL;
	ee.ases = NULL;
	CU_ASSERT(mft_check_ee("e.mft", &mft, &ee) == -1);
	CU_ASSERT(strstr(tu_log_capture_end(), "inherit") != NULL);
	ee.ases = &ases;
	ases.inherit = 1;
	CU_ASSERT(mft_check_ee("e.mft", &mft, &ee) == 0);
}

/* Mutations of a real eContent: trailing data, truncation, bit flips. */
static void
test_mft_mutations(void)
{
	struct cms_object	*cms;
	unsigned char		*der, *m;
	size_t			 len, i;

	if (tu_corpusdir() == NULL)
		return;
	der = tu_corpus_load("rpki-client-regress/mft/ripe-ncc-ta.mft", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	cms = cms_parse("m.mft", der, len, OID_CT_MFT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cms);
	CU_ASSERT_FATAL((m = malloc(cms->econtent_len + 1)) != NULL);
	memcpy(m, cms->econtent, cms->econtent_len);
	m[cms->econtent_len] = 0;
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(mft_parse_econtent("m.mft", m,
	    cms->econtent_len + 1));
	CU_ASSERT(strstr(tu_log_capture_end(), "trailing data") != NULL);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(mft_parse_econtent("m.mft", m,
	    cms->econtent_len - 1));
	CU_ASSERT(strstr(tu_log_capture_end(), "RFC 9286 section 4.2") != NULL);
	for (i = 0; i < cms->econtent_len; i++) {
		m[i] ^= 0x21;
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		mft_free(mft_parse_econtent("m.mft", m, cms->econtent_len));
		tu_log_capture_end();
		m[i] ^= 0x21;
	}
	free(m);
	cms_object_free(cms);
	free(der);
	mft_free(NULL);
}

/*
 * Whole files accepted only through a profile incidence: RIPE NCC (2019) and AFRINIC (2020) manifests whose EE SIA carries rpkiNotify.
 * Each parse counts the incidence once more.
 */
static const char *const mft_incidence_files[] = {
	"rpki-client-regress/mft/RjQZ5pSL7riIcFGhdm4iFtIalko.mft",
	"rpki-prover/afrinic_mft2.mft",
};

static void
test_mft_incidences(void)
{
	struct mft	*o;
	unsigned char	*der;
	size_t		 len, i;
	uint64_t	 n;

	TU_NEED_CORPUS();
	for (i = 0; i < sizeof(mft_incidence_files) /
	    sizeof(mft_incidence_files[0]); i++) {
		der = tu_corpus_load(mft_incidence_files[i], &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		n = incidence_count(INCIDENCE_EE_SIA_NOTIFY);
		o = mft_parse(mft_incidence_files[i], der, len);
		CU_ASSERT_PTR_NOT_NULL(o);
		if (o == NULL)
			fprintf(stderr, "%s rejected\n", mft_incidence_files[i]);
		else
			CU_ASSERT_PTR_NOT_NULL(o->ee);
		CU_ASSERT(incidence_count(INCIDENCE_EE_SIA_NOTIFY) > n);
		mft_free(o);
		free(der);
	}
}

REEF_SUITE(mft,
    REEF_TEST(test_mft_bbn),
    REEF_TEST(test_mft_real),
    REEF_TEST(test_mft_current),
    REEF_TEST(test_mft_compare),
    REEF_TEST(test_mft_filenames),
    REEF_TEST(test_mft_check_ee),
    REEF_TEST(test_mft_mutations),
    REEF_TEST(test_mft_incidences))
