/*
 * Tests for validator/crl.c: RFC 6487 section 5 CRLs, on the BBN
 * conformance CRLs, real CRLs and hand-made variations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/gtime.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/crl.h"

#include "suite.h"
#include "util.h"

#define BBN	"rpki-commons/conformance/root/"

struct crl_case {
	const char	*file;
	const char	*reason;	/* NULL: accepted */
	size_t		 nrevoked;
	size_t		 number_len;
};

static const struct crl_case crl_cases[] = {
	{ BBN "CRLVersion0/badCRLVersion0.crl", "RFC 6487 section 5:", 0, 0 },
	{ BBN "CRLVersion2/badCRLVersion2.crl", "RFC 6487 section 5:", 0, 0 },
	{ BBN "CRLNoVersion/badCRLNoVersion.crl", "RFC 6487 section 5:", 0, 0 },
	{ BBN "CRLSigAlgOuter/badCRLSigAlgOuter.crl", "RFC 7935 section 2", 0, 0 },
	{ BBN "CRLSigAlgInner/badCRLSigAlgInner.crl", "RFC 7935 section 2", 0, 0 },
	{ BBN "CRLSigAlgMatchButWrong/badCRLSigAlgMatchButWrong.crl",
	    "RFC 7935 section 2", 0, 0 },
	{ BBN "CRLIssuerOID/badCRLIssuerOID.crl", "RFC 6487 section 4.4:", 0, 0 },
	/* UTF8String issuer: accepted as incidence name-utf8string. */
	{ BBN "CRLIssuerUTF/badCRLIssuerUTF.crl", NULL, 0, 1 },
	{ BBN "CRLIssuer2Seq/badCRLIssuer2Seq.crl", "RFC 6487 section 4.4:", 0, 0 },
	{ BBN "CRLIssuer2Sets/badCRLIssuer2Sets.crl", "RFC 6487 section 4.4:", 0, 0 },
	{ BBN "CRLIssuerSerNum/badCRLIssuerSerNum.crl", "RFC 6487 section 4.4:", 0, 0 },
	{ BBN "CRLIssuerSet2SerNums/badCRLIssuerSet2SerNums.crl",
	    "RFC 6487 section 4.4:", 0, 0 },
	{ BBN "CRLIssuerSeq2SerNums/badCRLIssuerSeq2SerNums.crl",
	    "RFC 6487 section 4.4:", 0, 0 },
	{ BBN "CRLThisUpdateTyp/badCRLThisUpdateTyp.crl",
	    "RFC 5280 section 5.1.2.4:", 0, 0 },
	{ BBN "CRLNextUpdateTyp/badCRLNextUpdateTyp.crl",
	    "RFC 5280 section 5.1.2.5:", 0, 0 },
	{ BBN "CRLUpdatesCrossed/badCRLUpdatesCrossed.crl",
	    "RFC 5280 section 5.1.2.5:", 0, 0 },
	{ BBN "CRLNoAKI/badCRLNoAKI.crl", "RFC 6487 section 5:", 0, 0 },
	{ BBN "CRLNoCRLNum/badCRLNoCRLNum.crl", "RFC 6487 section 5:", 0, 0 },
	{ BBN "CRL2CRLNums/badCRL2CRLNums.crl", "RFC 6487 section 5:", 0, 0 },
	{ BBN "CRLIssAltName/badCRLIssAltName.crl", "RFC 6487 section 5:", 0, 0 },
	{ BBN "CRLIssDistPt/badCRLIssDistPt.crl", "RFC 6487 section 5:", 0, 0 },
	{ BBN "CRLDeltaCRLInd/badCRLDeltaCRLInd.crl", "RFC 6487 section 5:", 0, 0 },
	{ BBN "CRLNumberNeg/badCRLNumberNeg.crl", "RFC 9829 section 2", 0, 0 },
	{ BBN "CRLNumber2Big/badCRLNumber2Big.crl", "RFC 9829 section 2", 0, 0 },
	{ BBN "CRLEntryReason/badCRLEntryReason.crl", "RFC 6487 section 5:", 0, 0 },
	{ BBN "CRLEntryHasExtension/badCRLEntryHasExtension.crl",
	    "RFC 6487 section 5:", 0, 0 },
	{ BBN "CRLEntrySerNum0/badCRLEntrySerNum0.crl",
	    "RFC 5280 section 4.1.2.2:", 0, 0 },
	{ BBN "CRLEntrySerNumNeg/badCRLEntrySerNumNeg.crl",
	    "RFC 5280 section 4.1.2.2:", 0, 0 },
	{ BBN "CRLEntrySerNumTooBig/badCRLEntrySerNumTooBig.crl",
	    "RFC 5280 section 4.1.2.2:", 0, 0 },
	{ BBN "CRLNumberZero/goodCRLNumberZero.crl", NULL, 0, 0 },
	{ BBN "CRLNumberMax/goodCRLNumberMax.crl", NULL, 0, 20 },
	{ BBN "CRLEntrySerNumMax/goodCRLEntrySerNumMax.crl", NULL, 1, 1 },
	{ BBN "NAMSetNameSer/goodCRLMatch.crl", NULL, 0, 1 },
	{ BBN "NAMSeqNameSer/goodCRLMatch.crl", NULL, 0, 1 },
	{ BBN "NAMSeqSerName/goodCRLMatch.crl", NULL, 0, 1 },
	/* parses; only crl_check_issued() finds it stale */
	{ BBN "CRLNextUpdatePast/badCRLNextUpdatePast.crl", NULL, 0, 1 },
	{ BBN "root.crl", NULL, 0, 1 },
	{ "rpki-rs/repository/ta.crl", NULL, 6, 1 },
	{ "rpki-rs/repository/ca1.crl", NULL, 163, 2 },
};

static void
test_crl_corpus(void)
{
	const struct crl_case	*c;
	struct crl		*crl;
	unsigned char		*der;
	const char		*log;
	size_t			 i, len;

	if (tu_corpusdir() == NULL) {
		fprintf(stderr, "corpus absent: skipping CRL corpus cases\n");
		return;
	}
	for (i = 0; i < sizeof(crl_cases) / sizeof(crl_cases[0]); i++) {
		c = &crl_cases[i];
		der = tu_corpus_load(c->file, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		crl = crl_parse(c->file, der, len);
		log = tu_log_capture_end();
		if (c->reason == NULL) {
			CU_ASSERT_PTR_NOT_NULL(crl);
			if (crl == NULL)
				fprintf(stderr, "%s: %s\n", c->file, log);
			else {
				CU_ASSERT_EQUAL(crl->nrevoked, c->nrevoked);
				CU_ASSERT_EQUAL(crl->number_len, c->number_len);
				CU_ASSERT(crl->this_update < crl->next_update);
			}
		} else {
			CU_ASSERT_PTR_NULL(crl);
			if (strstr(log, c->reason) == NULL) {
				fprintf(stderr, "%s: log \"%s\", want \"%s\"\n",
				    c->file, log, c->reason);
				CU_FAIL("wrong reason");
			}
		}
		crl_free(crl);
		free(der);
	}
}

static struct cert *
load_cert(const char *rel)
{
	unsigned char	*der;
	size_t		 len;
	struct cert	*c;

	if ((der = tu_corpus_load(rel, &len)) == NULL)
		return NULL;
	c = cert_parse(rel, der, len);
	free(der);
	return c;
}

static struct crl *
load_crl(const char *rel)
{
	unsigned char	*der;
	size_t		 len;
	struct crl	*crl;

	if ((der = tu_corpus_load(rel, &len)) == NULL)
		return NULL;
	crl = crl_parse(rel, der, len);
	free(der);
	return crl;
}

/* Signature, AKI, issuer name and currency at fixed times. */
static void
test_crl_check_issued(void)
{
	struct crl	*crl, *stale;
	struct cert	*ca, *other;
	char		 why[256];
	int64_t		 now, then;

	if (tu_corpusdir() == NULL)
		return;
	CU_ASSERT(gtime_parse_user("2020-01-01T00:00:00Z", &now) == 0);
	crl = load_crl(BBN "CRLNumberZero/goodCRLNumberZero.crl");
	ca = load_cert(BBN "CRLNumberZero.cer");
	other = load_cert(BBN "CRLNextUpdatePast.cer");
	stale = load_crl(BBN "CRLNextUpdatePast/badCRLNextUpdatePast.crl");
	CU_ASSERT_FATAL(crl != NULL && ca != NULL && other != NULL &&
	    stale != NULL);

	CU_ASSERT(crl_check_issued(crl, ca, now, why, sizeof(why)) == 0);
	/* before thisUpdate */
	CU_ASSERT(crl_check_issued(crl, ca, crl->this_update - 1, why,
	    sizeof(why)) == -1);
	CU_ASSERT(strstr(why, "RFC 5280 section 5.1.2.4") != NULL);
	/* after nextUpdate */
	CU_ASSERT(crl_check_issued(crl, ca, crl->next_update + 1, why,
	    sizeof(why)) == -1);
	CU_ASSERT(strstr(why, "stale") != NULL);
	/* another CA */
	CU_ASSERT(crl_check_issued(crl, other, now, why, sizeof(why)) == -1);
	CU_ASSERT(strstr(why, "RFC") != NULL);
	/* a CRL whose nextUpdate lies in the past at any sensible time */
	CU_ASSERT(gtime_parse_user("2026-11-26", &then) == 0);
	CU_ASSERT(crl_check_issued(stale, other, then, why,
	    sizeof(why)) == -1);
	CU_ASSERT(strstr(why, "RFC 5280 section 5.1.2.5") != NULL);

	crl_free(crl);
	crl_free(stale);
	cert_free(ca);
	cert_free(other);
}

/*
 * The CRL issuer is compared with the CA's subject as DER, and where the
 * octets differ as X509_NAME_cmp() does (RFC 5280 section 7.1): a CN
 * that differs in case only is the same name, so the check goes on to
 * the signature (which the change broke); another letter is another name.
 */
static void
test_crl_issuer_name(void)
{
	static const char cn[] = "CRLNumberZero";
	unsigned char	*der, *at;
	size_t		 len;
	struct crl	*crl;
	struct cert	*ca;
	char		 why[256];
	int64_t		 now;

	if (tu_corpusdir() == NULL)
		return;
	CU_ASSERT(gtime_parse_user("2020-01-01", &now) == 0);
	der = tu_corpus_load(BBN "CRLNumberZero/goodCRLNumberZero.crl", &len);
	ca = load_cert(BBN "CRLNumberZero.cer");
	CU_ASSERT_FATAL(der != NULL && ca != NULL);
	CU_ASSERT_PTR_NULL(ca->x509);
	at = memmem(der, len, cn, sizeof(cn) - 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	crl = crl_parse("same.crl", der, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
	CU_ASSERT(crl->issuer_name_len == ca->subject_name_len &&
	    memcmp(crl->issuer_name, ca->subject_name,
	    ca->subject_name_len) == 0);
	CU_ASSERT(crl_check_issued(crl, ca, now, why, sizeof(why)) == 0);
	crl_free(crl);

	at[0] = 'c';	/* "cRLNumberZero": the same name, other octets */
	crl = crl_parse("case.crl", der, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
	CU_ASSERT(memcmp(crl->issuer_name, ca->subject_name,
	    ca->subject_name_len) != 0);
	CU_ASSERT(crl_check_issued(crl, ca, now, why, sizeof(why)) == -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "signature does not verify"));
	crl_free(crl);

	at[0] = 'D';	/* "DRLNumberZero": another name */
	crl = crl_parse("other.crl", der, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
	CU_ASSERT(crl_check_issued(crl, ca, now, why, sizeof(why)) == -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "CRL issuer differs"));
	crl_free(crl);
	free(der);
	cert_free(ca);
}

/* A flipped signature bit must fail the issuer check, not the parse. */
static void
test_crl_bad_signature(void)
{
	unsigned char	*der;
	size_t		 len;
	struct crl	*crl;
	struct cert	*ca;
	char		 why[256];
	int64_t		 now;

	if (tu_corpusdir() == NULL)
		return;
	CU_ASSERT(gtime_parse_user("2020-01-01", &now) == 0);
	der = tu_corpus_load(BBN "CRLNumberZero/goodCRLNumberZero.crl", &len);
	ca = load_cert(BBN "CRLNumberZero.cer");
	CU_ASSERT_FATAL(der != NULL && ca != NULL);
	der[len - 1] ^= 0x80;
	crl = crl_parse("flip.crl", der, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
	CU_ASSERT(crl_check_issued(crl, ca, now, why, sizeof(why)) == -1);
	CU_ASSERT(strstr(why, "signature") != NULL);
	crl_free(crl);

	/* trailing data and truncation are parse errors */
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(crl_parse("t.crl", der, len - 1));
	CU_ASSERT(strstr(tu_log_capture_end(),
	    "t.crl: RFC 5280 section 5") != NULL);
	free(der);
	cert_free(ca);
}

/* Binary search over the revoked serials of a real CRL. */
static void
test_crl_revoked(void)
{
	struct crl		*crl;
	STACK_OF(X509_REVOKED)	*revs;
	const ASN1_INTEGER	*s;
	ASN1_INTEGER		*absent;
	unsigned char		 buf[CRL_SERIAL_MAX_LEN + 2];
	int			 i, n;

	if (tu_corpusdir() == NULL)
		return;
	crl = load_crl("rpki-rs/repository/ca1.crl");
	CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
	revs = X509_CRL_get_REVOKED(crl->x509_crl);
	n = sk_X509_REVOKED_num(revs);
	CU_ASSERT_EQUAL(n, 163);
	for (i = 0; i < n; i++) {
		s = X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revs,
		    i));
		CU_ASSERT(crl_is_revoked(crl, s));
		/* the same with leading zero octets */
		memset(buf, 0, 2);
		memcpy(buf + 2, ASN1_STRING_get0_data(s),
		    (size_t)ASN1_STRING_length(s));
		CU_ASSERT(crl_is_revoked_bytes(crl, buf,
		    (size_t)ASN1_STRING_length(s) + 2));
	}
	for (i = 1; i < (int)crl->nrevoked; i++)
		CU_ASSERT(crl_serial_cmp(&crl->revoked[i - 1],
		    &crl->revoked[i]) <= 0);
	CU_ASSERT_FATAL((absent = ASN1_INTEGER_new()) != NULL);
	CU_ASSERT(ASN1_INTEGER_set_int64(absent, 0x7fffffffffffLL) == 1);
	CU_ASSERT(!crl_is_revoked(crl, absent));
	CU_ASSERT(!crl_is_revoked(crl, NULL));
	CU_ASSERT(!crl_is_revoked_bytes(crl, buf, 0));
	ASN1_INTEGER_free(absent);
	crl_free(crl);
}

static void
test_crl_serial_order(void)
{
	struct crl_serial a = { 1, { 0xff } }, b = { 2, { 0x01, 0x00 } };
	struct crl_serial c = { 2, { 0x01, 0x01 } };

	CU_ASSERT(crl_serial_cmp(&a, &b) < 0);
	CU_ASSERT(crl_serial_cmp(&b, &c) < 0);
	CU_ASSERT(crl_serial_cmp(&c, &b) > 0);
	CU_ASSERT(crl_serial_cmp(&c, &c) == 0);
}

/* Garbage of every small size is rejected without crashing. */
static void
test_crl_garbage(void)
{
	unsigned char	buf[256];
	size_t		i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 37 + 11);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	for (i = 0; i <= sizeof(buf); i += 5)
		CU_ASSERT_PTR_NULL(crl_parse("g.crl", buf, i));
	tu_log_capture_end();
	crl_free(NULL);
}

REEF_SUITE(crl,
    REEF_TEST(test_crl_corpus),
    REEF_TEST(test_crl_check_issued), REEF_TEST(test_crl_issuer_name),
    REEF_TEST(test_crl_bad_signature),
    REEF_TEST(test_crl_revoked),
    REEF_TEST(test_crl_serial_order),
    REEF_TEST(test_crl_garbage))
