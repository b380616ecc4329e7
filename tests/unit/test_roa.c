/*
 * Tests for validator/roa.c: RFC 9582 ROAs, on the BBN conformance ROAs,
 * real ROAs and hand-made eContents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/log.h"
#include "validator/cert.h"
#include "validator/cms.h"
#include "validator/incidence.h"
#include "validator/roa.h"

#include "suite.h"
#include "util.h"

#define BBN	"rpki-commons/conformance/root/"

struct roa_case {
	const char	*file;
	const char	*reason;	/* NULL: accepted */
};

/* Whole-file verdicts: CMS, EE profile, eContent and resources. */
static const struct roa_case roa_bbn[] = {
	{ BBN "badCMS2Certs.roa", "RFC 6488 section 2.1.4" },
	{ BBN "badCMS2DigestAlgs.roa", "RFC 6488 section 2.1.2" },
	{ BBN "badCMS2SigInfo.roa", "RFC 6488 section 2.1.6" },
	{ BBN "badCMSContentType.roa", "RFC 6488 section 2" },
	{ BBN "badCMSDigestAlgSameWrong.roa", "RFC 6488 section 2.1.2" },
	{ BBN "badCMSDigestAlgWrongOuter.roa", "RFC 6488 section 2.1.2" },
	{ BBN "badCMSHasCRL.roa", "RFC 6488 section 2.1.5" },
	{ BBN "badCMSNoCerts.roa", "RFC 6488 section 2.1.4" },
	{ BBN "badCMSNoDigestAlgs.roa", "RFC 6488 section 2.1.2" },
	{ BBN "badCMSNoSigInfo.roa", "RFC 6488 section 2.1.6" },
	{ BBN "badCMSSigInfo2Sig.roa", "RFC 6488 section 2" },
	{ BBN "badCMSSigInfoAttrs2BinSigTime.roa", "RFC 6488 section 2.1.6.4" },
	{ BBN "badCMSSigInfoAttrs2ContType.roa", "RFC 6488 section 2.1.6.4" },
	{ BBN "badCMSSigInfoAttrs2MsgDigest.roa", "RFC 6488 section 2.1.6.4" },
	{ BBN "badCMSSigInfoAttrs2SigTime.roa", "RFC 6488 section 2.1.6.4" },
	{ BBN "badCMSSigInfoAttrsBinSigTime0Val.roa", "RFC 6488 section 2.1.6.4.4" },
	{ BBN "badCMSSigInfoAttrsBinSigTime2Val.roa", "RFC 6488 section 2.1.6.4.4" },
	{ BBN "badCMSSigInfoAttrsContType0Val.roa", "RFC 6488 section 2.1.6.4.1" },
	{ BBN "badCMSSigInfoAttrsContType2Val.roa", "RFC 6488 section 2.1.6.4.1" },
	{ BBN "badCMSSigInfoAttrsContTypeOid.roa", "RFC 6488 section 2.1.6.4.1" },
	{ BBN "badCMSSigInfoAttrsMsgDigest0Val.roa", "RFC 6488 section 2.1.6.4.2" },
	{ BBN "badCMSSigInfoAttrsMsgDigest2Val.roa", "RFC 6488 section 2.1.6.4.2" },
	{ BBN "badCMSSigInfoAttrsNoContType.roa", "RFC 6488 section 2.1.6.4" },
	{ BBN "badCMSSigInfoAttrsNoMsgDigest.roa", "RFC 6488 section 2.1.6.4" },
	{ BBN "badCMSSigInfoAttrsSigTime0Val.roa", "RFC 6488 section 2.1.6.4.3" },
	{ BBN "badCMSSigInfoAttrsSigTime2Val.roa", "RFC 6488 section 2.1.6.4.3" },
	{ BBN "badCMSSigInfoAttrsWrongDigest.roa", "RFC 6488 section 2.1.6.4.2" },
	{ BBN "badCMSSigInfoBadSid.roa", "RFC 6488 section 2.1.6.2" },
	{ BBN "badCMSSigInfoBadSigVal.roa", "RFC 6488 section 3" },
	{ BBN "badCMSSigInfoForbiddenAttr.roa", "RFC 6488 section 2.1.6.4" },
	{ BBN "badCMSSigInfoHashAlg.roa", "RFC 6488 section 2.1.6.3" },
	{ BBN "badCMSSigInfoNoAttrs.roa", "RFC 6488 section 2.1.6.4" },
	{ BBN "badCMSSigInfoNoHashAlg.roa", "RFC 6488 section 2" },
	{ BBN "badCMSSigInfoNoSid.roa", "RFC 6488 section 2" },
	{ BBN "badCMSSigInfoNoSig.roa", "RFC 6488 section 2" },
	{ BBN "badCMSSigInfoUnSigAttrs.roa", "RFC 6488 section 2.1.6.7" },
	{ BBN "badCMSSigInfoVersion.roa", "RFC 6488 section 2.1.6.1" },
	{ BBN "badCMSSigInfoVersion4.roa", "RFC 6488 section 2.1.6.1" },
	{ BBN "badCMSSigInfoWrongSid.roa", "RFC 6488 section 2.1.6.2" },
	/* RFC 7935 section 2 allows rsaEncryption; the BBN suite predates it */
	{ BBN "badCMSSigInfoWrongSigAlg.roa", NULL },
	{ BBN "badCMSVersion2.roa", "RFC 6488 section 2.1.1" },
	{ BBN "badCMSVersion4.roa", "RFC 6488 section 2.1.1" },
	/* the EE signature is the issuer check's business (cert_check_issued) */
	{ BBN "badEEBadSig.roa", NULL },
	{ BBN "badEEHasBasicConstraints.roa", "RFC 6487" },
	{ BBN "badEEHasCABasicConstraint.roa", "RFC 6487" },
	{ BBN "badEEHasEKU.roa", "RFC 6487" },
	{ BBN "badEEKeyUsageCABits.roa", "RFC 6487" },
	{ BBN "badEEKeyUsageHasCRLSign.roa", "RFC 6487" },
	{ BBN "badEEKeyUsageHasKeyCertSign.roa", "RFC 6487" },
	{ BBN "badEEKeyUsageHasKeyCertSignCABool.roa", "RFC 6487" },
	{ BBN "badEEKeyUsageHasNonRepu.roa", "RFC 6487" },
	/*
	 * keyUsage is an empty BIT STRING.  Its sid does match its SKI;
	 * OpenSSL 3.0 marks such a certificate invalid and hid its SKI,
	 * which read as a sid mismatch before the SKI came from the DER.
	 */
	{ BBN "badEEKeyUsageNoDigitalSig.roa", "RFC 6487 section 4.8.4" },
	{ BBN "badEESIAExtraWrongAccessMethod.roa", "RFC 6487" },
	{ BBN "badEESIANoRsync.roa", "RFC 6487" },
	{ BBN "badEESIAWrongAccessMethod.roa", "RFC 6487" },
	{ BBN "badROAASIDLarge.roa", "RFC 9582 section 4.2" },
	{ BBN "badROAASIDSmall.roa", "RFC 9582 section 4.2" },
	{ BBN "badROAFamily.roa", "RFC 9582 section 4.3.1" },
	{ BBN "badROAFamilyLth.roa", "RFC 9582 section 4.3.1" },
	{ BBN "badROAIP2Big.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4ExtraPfxAboveRange.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4ExtraPfxBelowPfx.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4ExtraPfxBelowRange.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4GoodIPv6Bad.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4Inherit.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4MaxLthLong.roa", "RFC 9582 section 4.3.2.2" },
	{ BBN "badROAIPv4MaxLthShort.roa", "RFC 9582 section 4.3.2.2" },
	{ BBN "badROAIPv4OnlyPfxAbovePfxNoGap.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxAboveRangeNoGap.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxBelowPfxNoGap.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxBelowRangeNoGap.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxBetweenPfxPfxNoGaps.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxBetweenPfxRangeNoGaps.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxBetweenRangePfxNoGaps.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxBetweenRangeRangeNoGaps.roa", "RFC 3779" },
	{ BBN "badROAIPv4OnlyPfxOverlapHighRange.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxOverlapLowRange.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxSpanPfxes.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxSpanRanges.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxSupersetHighPfx.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxSupersetHighRange.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxSupersetLowPfx.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxSupersetLowRange.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4OnlyPfxTouchRanges.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv4PrefixLong.roa", "RFC 9582 section 4.3.2.1" },
	{ BBN "badROAIPv6ExtraPfxAbovePfx.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6ExtraPfxAboveRange.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6ExtraPfxBelowPfx.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6ExtraPfxBelowRange.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6GoodIPv4Bad.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6Inherit.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6MaxLthLong.roa", "RFC 9582 section 4.3.2.2" },
	{ BBN "badROAIPv6MaxLthShort.roa", "RFC 9582 section 4.3.2.2" },
	{ BBN "badROAIPv6OnlyPfxAbovePfxNoGap.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxAboveRangeNoGap.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxBelowPfxNoGap.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxBelowRangeNoGap.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxBetweenPfxPfxNoGaps.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxBetweenPfxRangeNoGaps.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxBetweenRangePfxNoGaps.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxBetweenRangeRangeNoGaps.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxOverlapHighRange.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxOverlapLowRange.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxSpanPfxes.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxSpanRanges.roa", "RFC 3779" },
	{ BBN "badROAIPv6OnlyPfxSupersetHighPfx.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxSupersetHighRange.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxSupersetLowPfx.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxSupersetLowRange.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6OnlyPfxTouchRanges.roa", "RFC 9582 section 5" },
	{ BBN "badROAIPv6PrefixLong.roa", "RFC 9582 section 4.3.2.1" },
	{ BBN "badROAVersionV1Explicit.roa", "RFC 9582 section 4" },
	{ BBN "badROAVersionV1ExplicitBadSig.roa", "RFC 6488 section 2.1.6.4.2" },
	{ BBN "badROAVersionV2.roa", "RFC 9582 section 4" },
	{ BBN "badROAWrongType.roa", "RFC 6488 section 2.1.3.1" },
	{ BBN "goodEESIA2Rsync.roa", NULL },
	{ BBN "goodEESIAExtraAccessMethod.roa", NULL },
	{ BBN "goodEESIAHasNonURI.roa", NULL },
	{ BBN "goodEESIAHtRs.roa", NULL },
	{ BBN "goodROAASIDMax.roa", NULL },
	{ BBN "goodROAASIDZero.roa", NULL },
	{ BBN "goodROAComplexResources.roa", NULL },
	{ BBN "goodROAIPv4DupPrefixDiffMaxLen.roa", NULL },
	{ BBN "goodROAIPv4DupPrefixSameMaxLen.roa", NULL },
	{ BBN "goodROAIPv4ExtraSubPfxInPfxMiddle.roa", NULL },
	{ BBN "goodROAIPv4ExtraSubPfxInRangeMiddle.roa", NULL },
	{ BBN "goodROAIPv4OnlyPfxInPfxHigh.roa", NULL },
	{ BBN "goodROAIPv4OnlyPfxInPfxLow.roa", NULL },
	{ BBN "goodROAIPv4OnlyPfxInRangeHigh.roa", NULL },
	{ BBN "goodROAIPv4OnlyPfxInRangeLow.roa", NULL },
	{ BBN "goodROAIPv4OnlyPfxesInPfxesMiddle.roa", NULL },
	{ BBN "goodROAIPv4OnlyPfxesInRangesMiddle.roa", NULL },
	{ BBN "goodROAIPv4PfxEqualPfx.roa", NULL },
	{ BBN "goodROAIPv4PfxesEqualPfxes.roa", NULL },
	{ BBN "goodROAIPv4PfxesEqualRange.roa", NULL },
	{ BBN "goodROAIPv4PfxesEqualRanges.roa", NULL },
	{ BBN "goodROAIPv6DupPrefixDiffMaxLen.roa", NULL },
	{ BBN "goodROAIPv6DupPrefixSameMaxLen.roa", NULL },
	{ BBN "goodROAIPv6ExtraSubPfxInPfxMiddle.roa", NULL },
	{ BBN "goodROAIPv6ExtraSubPfxInRangeMiddle.roa", NULL },
	{ BBN "goodROAIPv6OnlyPfxInPfxHigh.roa", NULL },
	{ BBN "goodROAIPv6OnlyPfxInPfxLow.roa", NULL },
	{ BBN "goodROAIPv6OnlyPfxInRangeHigh.roa", NULL },
	{ BBN "goodROAIPv6OnlyPfxInRangeLow.roa", NULL },
	{ BBN "goodROAIPv6OnlyPfxesInPfxesMiddle.roa", NULL },
	{ BBN "goodROAIPv6OnlyPfxesInRangesMiddle.roa", NULL },
	{ BBN "goodROAIPv6PfxEqualPfx.roa", NULL },
	{ BBN "goodROAIPv6PfxesEqualPfxes.roa", NULL },
	{ BBN "goodROAIPv6PfxesEqualRange.roa", NULL },
	{ BBN "goodROAIPv6PfxesEqualRanges.roa", NULL },
	{ BBN "goodROANothingWrong.roa", NULL },
};

static void
test_roa_bbn(void)
{
	const struct roa_case	*c;
	struct roa		*roa;
	unsigned char		*der;
	const char		*log;
	size_t			 i, len;

	if (tu_corpusdir() == NULL) {
		fprintf(stderr, "corpus absent: skipping BBN ROAs\n");
		return;
	}
	for (i = 0; i < sizeof(roa_bbn) / sizeof(roa_bbn[0]); i++) {
		c = &roa_bbn[i];
		der = tu_corpus_load(c->file, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		roa = roa_parse(c->file, der, len);
		log = tu_log_capture_end();
		if (c->reason == NULL && roa == NULL) {
			fprintf(stderr, "%s: rejected: %s\n", c->file, log);
			CU_FAIL("good ROA rejected");
		} else if (c->reason != NULL && (roa != NULL ||
		    strstr(log, c->reason) == NULL)) {
			fprintf(stderr, "%s: log \"%s\", want \"%s\"\n",
			    c->file, log, c->reason);
			CU_FAIL("bad ROA accepted or wrong reason");
		}
		if (roa != NULL) {
			CU_ASSERT_PTR_NOT_NULL(roa->ee);
			CU_ASSERT(roa->nips > 0);
		}
		roa_free(roa);
		free(der);
	}
}

struct roa_real {
	const char	*file;
	const char	*reason;	/* NULL: eContent accepted */
	uint32_t	 asid;
	size_t		 nips;
	const char	*first;		/* first prefix after sorting */
	unsigned int	 maxlen;
};

/*
 * Real ROAs, judged at the layers this module owns (CMS + eContent):
 * several real EE certificates carry SIA forms the EE profile may
 * reject, which is not the ROA's business.
 */
static const struct roa_real roa_reals[] = {
	{ "rpki-rs/repository/example-ripe.roa", NULL, 209870, 1,
	    "2a0c:b642:fc0::/43", 43 },
	{ "rpki-client-regress/roa/Hf1ZR31W9DN5QSF6xJEO5qgH4ac.roa", NULL,
	    3130, 4, "147.28.0.0/16", 16 },
	{ "rpki-client-regress/roa/4DAr1VXnjh69GoQkxjmIQdkRVtQ.roa", NULL,
	    203274, 1, "198.133.206.0/24", 24 },
	{ "rpki-client-regress/roa/xZEe_HUX98kANKreh2ZIpdaDnAI.roa", NULL,
	    3927, 1, "198.180.150.0/24", 24 },
	{ "rpki-client-regress/roa/Zs_svFDVb-_DZnjgkN8DLKk_IRI.roa", NULL,
	    4128, 1, "198.180.152.0/24", 24 },
	{ "rpki-commons/interop/rpkid-objects/nI2bsx18I5mlex8lBpY0WSJUYio.roa",
	    NULL, 546, 1, "157.185.0.0/16", 22 },
	{ "rpki-validator-3/test-resources/557B4C46969B11E681906146C4F9AE02.roa",
	    NULL, 24440, 796, "43.242.100.0/22", 22 },
	{ "rpki-validator-3/test-resources/g11HohjaKcA9vAJV9LrYPq1bKZQ.roa",
	    NULL, 8551, 3870, "31.168.0.0/20", 20 },
	{ "rpki-prover/overcleaiming/EBA158C223CE11EBA804DD64C4F9AE02.roa",
	    NULL, 18254, 1, "103.101.176.0/32", 32 },
	{ "rpki-rs/repository/maxlen-overflow.roa",
	    "RFC 9582 section 4.3.2.2", 0, 0, NULL, 0 },
	{ "rpki-rs/repository/maxlen-underflow.roa",
	    "RFC 9582 section 4.3.2.2", 0, 0, NULL, 0 },
	{ "rpki-rs/repository/prefix-len-overflow.roa",
	    "RFC 9582 section 4.3.2.1", 0, 0, NULL, 0 },
	{ "rpki-commons/interop/misc-objects/6C76EDB2225D11E286C4BD8F7A2F2747.roa",
	    "RFC 6488 section 2.1.6.4", 0, 0, NULL, 0 },
};

static void
test_roa_real(void)
{
	const struct roa_real	*c;
	struct cms_object	*cms;
	struct roa		*roa;
	unsigned char		*der;
	const char		*log;
	char			 buf[PREFIX_STRLEN];
	size_t			 i, j, len;

	if (tu_corpusdir() == NULL) {
		fprintf(stderr, "corpus absent: skipping real ROAs\n");
		return;
	}
	for (i = 0; i < sizeof(roa_reals) / sizeof(roa_reals[0]); i++) {
		c = &roa_reals[i];
		der = tu_corpus_load(c->file, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		roa = NULL;
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		cms = cms_parse(c->file, der, len, OID_CT_ROA);
		if (cms != NULL)
			roa = roa_parse_econtent(c->file, cms->econtent,
			    cms->econtent_len);
		log = tu_log_capture_end();
		if (c->reason != NULL) {
			CU_ASSERT_PTR_NULL(roa);
			if (strstr(log, c->reason) == NULL)
				fprintf(stderr, "%s: \"%s\"\n", c->file, log);
			CU_ASSERT(strstr(log, c->reason) != NULL);
		} else {
			CU_ASSERT_PTR_NOT_NULL_FATAL(roa);
			CU_ASSERT_EQUAL(roa->asid, c->asid);
			CU_ASSERT_EQUAL(roa->nips, c->nips);
			prefix_format(&roa->ips[0].prefix, buf, sizeof(buf));
			CU_ASSERT_STRING_EQUAL(buf, c->first);
			CU_ASSERT_EQUAL(roa->ips[0].maxlen, c->maxlen);
			for (j = 1; j < roa->nips; j++)
				CU_ASSERT(prefix_cmp(&roa->ips[j - 1].prefix,
				    &roa->ips[j].prefix) <= 0);
		}
		roa_free(roa);
		cms_object_free(cms);
		free(der);
	}
}

/* ---- hand-made eContents ------------------------------------------- */

/* Append a TLV with a short-form length (content under 128 bytes). */
static size_t
tlv(unsigned char *out, unsigned char tag, const unsigned char *c, size_t n)
{
	CU_ASSERT_FATAL(n < 128);
	memmove(out + 2, c, n);
	out[0] = tag;
	out[1] = (unsigned char)n;
	return n + 2;
}

/* ROAIPAddress: bits (with the unused-bits octet first), maxlen or -1. */
static size_t
mk_addr(unsigned char *out, const unsigned char *bits, size_t n, int maxlen)
{
	unsigned char	c[64];
	size_t		l;

	l = tlv(c, 0x03, bits, n);
	if (maxlen >= 0) {
		unsigned char m = (unsigned char)maxlen;
		l += tlv(c + l, 0x02, &m, 1);
	}
	return tlv(out, 0x30, c, l);
}

/* ROAIPAddressFamily from an AFI octet string and encoded addresses. */
static size_t
mk_fam(unsigned char *out, const unsigned char *afi, size_t afilen,
    const unsigned char *addrs, size_t alen)
{
	unsigned char	c[128];
	size_t		l;

	l = tlv(c, 0x04, afi, afilen);
	l += tlv(c + l, 0x30, addrs, alen);
	return tlv(out, 0x30, c, l);
}

/* RouteOriginAttestation; version < 0 leaves it out. */
static size_t
mk_roa(unsigned char *out, int version, const unsigned char *asid,
    size_t asidlen, const unsigned char *fams, size_t flen)
{
	unsigned char	c[128], v[3];
	size_t		l = 0;

	if (version >= 0) {
		v[0] = 0x02;
		v[1] = 1;
		v[2] = (unsigned char)version;
		l = tlv(c, 0xa0, v, 3);
	}
	l += tlv(c + l, 0x02, asid, asidlen);
	l += tlv(c + l, 0x30, fams, flen);
	return tlv(out, 0x30, c, l);
}

static const unsigned char AFI4[] = { 0x00, 0x01 };
static const unsigned char AFI6[] = { 0x00, 0x02 };
static const unsigned char AS64496[] = { 0x00, 0xfb, 0xf0 };
static const unsigned char P192_0_2[] = { 0x00, 192, 0, 2 };	/* /24 */

/* A one-prefix IPv4 ROA for AS64496 with the given maxLength. */
static size_t
mk_simple(unsigned char *out, int version, int maxlen)
{
	unsigned char	a[32], f[64];
	size_t		al, fl;

	al = mk_addr(a, P192_0_2, sizeof(P192_0_2), maxlen);
	fl = mk_fam(f, AFI4, sizeof(AFI4), a, al);
	return mk_roa(out, version, AS64496, sizeof(AS64496), f, fl);
}

static int
econtent_rejected(const unsigned char *der, size_t len, const char *reason)
{
	struct roa	*roa;
	const char	*log;

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	roa = roa_parse_econtent("h.roa", der, len);
	log = tu_log_capture_end();
	if (roa != NULL) {
		roa_free(roa);
		fprintf(stderr, "accepted, want \"%s\"\n", reason);
		return 0;
	}
	if (strstr(log, reason) == NULL || strncmp(log, "warning: h.roa: ",
	    16) != 0) {
		fprintf(stderr, "log \"%s\", want \"%s\"\n", log, reason);
		return 0;
	}
	return 1;
}

static void
test_roa_econtent_ok(void)
{
	unsigned char	der[256];
	char		buf[PREFIX_STRLEN];
	struct roa	*roa;
	size_t		len;

	len = mk_simple(der, -1, 28);
	roa = roa_parse_econtent("h.roa", der, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(roa);
	CU_ASSERT_EQUAL(roa->asid, 64496);
	CU_ASSERT_EQUAL(roa->nips, 1);
	prefix_format(&roa->ips[0].prefix, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.0/24");
	CU_ASSERT_EQUAL(roa->ips[0].maxlen, 28);
	CU_ASSERT_PTR_NULL(roa->ee);
	roa_free(roa);

	/* maxLength absent: the prefix length */
	len = mk_simple(der, -1, -1);
	roa = roa_parse_econtent("h.roa", der, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(roa);
	CU_ASSERT_EQUAL(roa->ips[0].maxlen, 24);
	roa_free(roa);
}

static void
test_roa_econtent_bad(void)
{
	unsigned char	der[256], a[128], f[128], f2[64];
	size_t		len, al, fl, l;
	static const unsigned char afi_safi[] = { 0x00, 0x01, 0x01 };
	static const unsigned char afi3[] = { 0x00, 0x03 };
	static const unsigned char as_neg[] = { 0xff };
	static const unsigned char as_big[] = { 0x01, 0x00, 0x00, 0x00, 0x00 };
	static const unsigned char unused_set[] = { 0x01, 192, 0, 3 };
	static const unsigned char v4_long[] = { 0x00, 1, 2, 3, 4, 5 };

	/* X.690 section 11.5: the DEFAULT version must not be encoded */
	len = mk_simple(der, 0, 24);
	CU_ASSERT(econtent_rejected(der, len, "X.690 section 11.5"));
	len = mk_simple(der, 1, 24);
	CU_ASSERT(econtent_rejected(der, len, "RFC 9582 section 4.1: "
	    "version 1, must be 0"));
	len = mk_simple(der, -1, 23);
	CU_ASSERT(econtent_rejected(der, len, "RFC 9582 section 4.3.2.2"));
	len = mk_simple(der, -1, 33);
	CU_ASSERT(econtent_rejected(der, len, "RFC 9582 section 4.3.2.2"));

	/* trailing byte */
	len = mk_simple(der, -1, 24);
	der[len] = 0;
	CU_ASSERT(econtent_rejected(der, len + 1, "trailing data"));

	/* the outer SEQUENCE in indefinite-length form (BER, not DER) */
	len = mk_simple(der, -1, 24);
	memmove(der + 2, der + 2, len - 2);
	der[1] = 0x80;
	der[len] = 0;
	der[len + 1] = 0;
	CU_ASSERT(econtent_rejected(der, len + 2, "not DER"));

	/* address families */
	al = mk_addr(a, P192_0_2, sizeof(P192_0_2), 24);
	fl = mk_fam(f, afi3, sizeof(afi3), a, al);
	len = mk_roa(der, -1, AS64496, sizeof(AS64496), f, fl);
	CU_ASSERT(econtent_rejected(der, len, "RFC 9582 section 4.3.1"));
	fl = mk_fam(f, afi_safi, sizeof(afi_safi), a, al);
	len = mk_roa(der, -1, AS64496, sizeof(AS64496), f, fl);
	CU_ASSERT(econtent_rejected(der, len, "RFC 9582 section 4.3.1"));
	fl = mk_fam(f, AFI4, sizeof(AFI4), a, al);
	memcpy(f + fl, f, fl);
	len = mk_roa(der, -1, AS64496, sizeof(AS64496), f, 2 * fl);
	CU_ASSERT(econtent_rejected(der, len, "appears twice"));
	memcpy(f + 2 * fl, f, fl);
	len = mk_roa(der, -1, AS64496, sizeof(AS64496), f, 3 * fl);
	CU_ASSERT(econtent_rejected(der, len, "RFC 9582 section 4: 3 "
	    "ipAddrBlocks"));
	len = mk_roa(der, -1, AS64496, sizeof(AS64496), f, 0);
	CU_ASSERT(econtent_rejected(der, len, "RFC 9582 section 4: 0 "
	    "ipAddrBlocks"));
	fl = mk_fam(f, AFI4, sizeof(AFI4), a, 0);
	len = mk_roa(der, -1, AS64496, sizeof(AS64496), f, fl);
	CU_ASSERT(econtent_rejected(der, len, "empty address list"));

	/* addresses */
	/* a set padding bit is not DER (X.690 section 11.2.1) */
	al = mk_addr(a, unused_set, sizeof(unused_set), -1);
	fl = mk_fam(f, AFI4, sizeof(AFI4), a, al);
	len = mk_roa(der, -1, AS64496, sizeof(AS64496), f, fl);
	CU_ASSERT(econtent_rejected(der, len, "not DER"));
	al = mk_addr(a, v4_long, sizeof(v4_long), -1);
	fl = mk_fam(f, AFI4, sizeof(AFI4), a, al);
	len = mk_roa(der, -1, AS64496, sizeof(AS64496), f, fl);
	CU_ASSERT(econtent_rejected(der, len, "RFC 9582 section 4.3.2.1"));

	/* AS numbers */
	al = mk_addr(a, P192_0_2, sizeof(P192_0_2), -1);
	fl = mk_fam(f, AFI4, sizeof(AFI4), a, al);
	len = mk_roa(der, -1, as_neg, sizeof(as_neg), f, fl);
	CU_ASSERT(econtent_rejected(der, len, "RFC 9582 section 4.2"));
	len = mk_roa(der, -1, as_big, sizeof(as_big), f, fl);
	CU_ASSERT(econtent_rejected(der, len, "RFC 9582 section 4.2"));

	/* an IPv6 family with an IPv4 one is fine */
	l = mk_addr(f2, (const unsigned char *)"\x00\x20\x01\x0d\xb8", 5, -1);
	l = mk_fam(f + fl, AFI6, sizeof(AFI6), f2, l);
	len = mk_roa(der, -1, AS64496, sizeof(AS64496), f, fl + l);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	{
		struct roa *roa = roa_parse_econtent("h.roa", der, len);

		CU_ASSERT_PTR_NOT_NULL(roa);
		if (roa != NULL)
			CU_ASSERT_EQUAL(roa->nips, 2);
		roa_free(roa);
	}
	tu_log_capture_end();

	/* garbage never crashes */
	for (l = 0; l < len; l++) {
		der[l] ^= 0xa5;
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		roa_free(roa_parse_econtent("h.roa", der, len));
		tu_log_capture_end();
		der[l] ^= 0xa5;
	}
}

/* Unsorted input with duplicates comes out sorted and unique. */
static void
test_roa_normalise(void)
{
	unsigned char	der[256], a[128], f[160];
	char		buf[PREFIX_STRLEN];
	size_t		al = 0, fl, len;
	struct roa	*roa;
	static const unsigned char p10[] = { 0x00, 10, 0 };	/* 10.0/16 */
	static const unsigned char p9[] = { 0x00, 9 };		/* 9/8 */
	static const unsigned char p6[] = { 0x00, 0x20, 0x01 }; /* 2001::/16 */

	/* IPv6 family first, then IPv4 out of order with a duplicate */
	al = mk_addr(a, p6, sizeof(p6), -1);
	fl = mk_fam(f, AFI6, sizeof(AFI6), a, al);
	al = mk_addr(a, p10, sizeof(p10), 20);
	al += mk_addr(a + al, p9, sizeof(p9), -1);
	al += mk_addr(a + al, p10, sizeof(p10), 20);
	al += mk_addr(a + al, p10, sizeof(p10), 18);
	fl += mk_fam(f + fl, AFI4, sizeof(AFI4), a, al);
	len = mk_roa(der, -1, AS64496, sizeof(AS64496), f, fl);
	roa = roa_parse_econtent("h.roa", der, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(roa);
	CU_ASSERT_EQUAL_FATAL(roa->nips, 4);
	prefix_format(&roa->ips[0].prefix, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "9.0.0.0/8");
	prefix_format(&roa->ips[1].prefix, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "10.0.0.0/16");
	CU_ASSERT_EQUAL(roa->ips[1].maxlen, 18);
	CU_ASSERT_EQUAL(roa->ips[2].maxlen, 20);
	prefix_format(&roa->ips[3].prefix, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2001::/16");
	roa_free(roa);
}

/* RFC 9582 section 5 against hand-made EE resources. */
static void
test_roa_resources(void)
{
	unsigned char		der[256];
	struct roa		*roa;
	struct ip_range		 r;
	struct ip_res		 res;
	size_t			 len;

	len = mk_simple(der, -1, 24);
	roa = roa_parse_econtent("h.roa", der, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(roa);

	memset(&res, 0, sizeof(res));
	memset(&r, 0, sizeof(r));
	r.min[0] = 192;
	r.max[0] = 192;
	r.max[1] = 0;
	r.max[2] = 2;
	r.max[3] = 255;
	r.min[2] = 2;
	r.plen = 24;
	res.afi[IP_RES_V4].present = 1;
	res.afi[IP_RES_V4].ranges = &r;
	res.afi[IP_RES_V4].nranges = 1;
	CU_ASSERT(roa_check_resources("h.roa", roa, &res) == 0);

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	r.max[3] = 127;		/* now 192.0.2.0-192.0.2.127 */
	r.plen = 25;
	CU_ASSERT(roa_check_resources("h.roa", roa, &res) == -1);
	CU_ASSERT(strstr(tu_log_capture_end(),
	    "RFC 9582 section 5: 192.0.2.0/24") != NULL);

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	res.afi[IP_RES_V4].inherit = 1;
	res.afi[IP_RES_V4].nranges = 0;
	CU_ASSERT(roa_check_resources("h.roa", roa, &res) == -1);
	CU_ASSERT(strstr(tu_log_capture_end(), "inherit") != NULL);

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT(roa_check_resources("h.roa", roa, NULL) == -1);
	CU_ASSERT(strstr(tu_log_capture_end(), "RFC 9582 section 5") != NULL);
	roa_free(roa);
	roa_free(NULL);
}

/*
 * Whole files accepted only through a profile incidence: RIPE NCC (2019) and APNIC ROAs whose EE SIA carries rpkiNotify.
 * Each parse counts the incidence once more.
 */
static const char *const roa_incidence_files[] = {
	"rpki-client-regress/roa/4DAr1VXnjh69GoQkxjmIQdkRVtQ.roa",
	"rpki-client-regress/roa/Hf1ZR31W9DN5QSF6xJEO5qgH4ac.roa",
	"rpki-client-regress/roa/Zs_svFDVb-_DZnjgkN8DLKk_IRI.roa",
	"rpki-client-regress/roa/xZEe_HUX98kANKreh2ZIpdaDnAI.roa",
	"rpki-validator-3/test-resources/557B4C46969B11E681906146C4F9AE02.roa",
	"rpki-prover/overcleaiming/EBA158C223CE11EBA804DD64C4F9AE02.roa",
};

static void
test_roa_incidences(void)
{
	struct roa	*o;
	unsigned char	*der;
	size_t		 len, i;
	uint64_t	 n;

	TU_NEED_CORPUS();
	for (i = 0; i < sizeof(roa_incidence_files) /
	    sizeof(roa_incidence_files[0]); i++) {
		der = tu_corpus_load(roa_incidence_files[i], &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		n = incidence_count(INCIDENCE_EE_SIA_NOTIFY);
		o = roa_parse(roa_incidence_files[i], der, len);
		CU_ASSERT_PTR_NOT_NULL(o);
		if (o == NULL)
			fprintf(stderr, "%s rejected\n", roa_incidence_files[i]);
		else
			CU_ASSERT_PTR_NOT_NULL(o->ee);
		CU_ASSERT(incidence_count(INCIDENCE_EE_SIA_NOTIFY) > n);
		roa_free(o);
		free(der);
	}
}

REEF_SUITE(roa,
    REEF_TEST(test_roa_bbn),
    REEF_TEST(test_roa_real),
    REEF_TEST(test_roa_econtent_ok),
    REEF_TEST(test_roa_econtent_bad),
    REEF_TEST(test_roa_normalise),
    REEF_TEST(test_roa_resources),
    REEF_TEST(test_roa_incidences))
