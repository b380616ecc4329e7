/*
 * Tests for validator/cert.c: every .cer file in the shared corpus with
 * its expected outcome, certificate chains from the corpus validated at
 * fixed times, and certificates built here with OpenSSL that break one
 * RFC 6487 / RFC 8209 rule each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/gtime.h"
#include "common/hash.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/certder.h"
#include "validator/incidence.h"
#include "validator/tal.h"
#include "suite.h"
#include "test_certee.h"
#include "util.h"

/* Validation time for the BBN conformance objects (valid 2011..2046). */
#define BBN_NOW		1795651200LL	/* 2026-11-26 */
/* Validation time for the 2019 RIPE/AfriNIC objects. */
#define Y2019_NOW	1570000000LL	/* 2019-10-02 */
#define DAY		86400

/*
 * Expected outcome of every .cer file in the corpus: reject is a
 * substring of the warning (NULL if accepted); for accepted files the
 * purpose, the number of IP ranges and of AS ranges (inherit counts 0).
 * BBN "bad*" files whose fault shows only against the issuer (signature,
 * AKI, validity) parse and are covered by test_chains.
 */
static const struct cer_case {
	const char		*path;
	const char		*reject;
	enum cert_purpose	 purpose;
	size_t			 nips;
	size_t			 nas;
} cer_cases[] = {
	{ "rpki-client-regress/cer/2a7dd1d787d793e4c8af56e197d4eed92af6ba13.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-client-regress/cer/Vr46VDCUfrRNL9yZAy4mxfEAspQ.cer", NULL, CERT_ROUTER, 0, 1 },
	{ "rpki-client-regress/cer/aaI5ikDRYL7nJH9kwrv4b80iIAI.cer", NULL, CERT_CA, 1, 0 },
	{ "rpki-client-regress/cer/arin-to-afrinic.cer", NULL, CERT_CA, 203, 0 },
	{ "rpki-client-regress/ta/AfriNIC.cer", NULL, CERT_TA, 2, 1 },
	{ "rpki-client-regress/ta/apnic-rpki-root-iana-origin.cer", NULL, CERT_TA, 2, 1 },
	{ "rpki-client-regress/ta/ripe-ncc-ta.cer", NULL, CERT_TA, 2, 1 },
	{ "rpki-commons/conformance/badRootBadAIA.cer", "RFC 6487 section 4.8.7: authorityInfoAccess extension not allowed in TA certificate", 0, 0, 0 },
	{ "rpki-commons/conformance/badRootBadAKI.cer", "RFC 6487 section 4.8.3: AKI of a TA must equal its SKI", 0, 0, 0 },
	{ "rpki-commons/conformance/badRootBadCRLDP.cer", "RFC 6487 section 4.8.6: cRLDistributionPoints extension not allowed in TA certificate", 0, 0, 0 },
	{ "rpki-commons/conformance/badRootBadSig.cer", NULL, CERT_TA, 2, 1 },
	{ "rpki-commons/conformance/badRootNameDiff.cer", "RFC 6487 section 4.8.6: cRLDistributionPoints extension missing in CA certificate", 0, 0, 0 },
	{ "rpki-commons/conformance/goodRootAKIMatches.cer", NULL, CERT_TA, 2, 1 },
	{ "rpki-commons/conformance/goodRootAKIOmitted.cer", NULL, CERT_TA, 2, 1 },
	{ "rpki-commons/conformance/root.cer", NULL, CERT_TA, 2, 1 },
	{ "rpki-commons/conformance/root/CRL2CRLNums.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLDeltaCRLInd.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLEntryHasExtension.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLEntryReason.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLEntrySerNum0.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLEntrySerNumMax.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLEntrySerNumNeg.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLEntrySerNumTooBig.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLIssAltName.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLIssDistPt.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLIssuer2Seq.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLIssuer2Sets.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLIssuerOID.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLIssuerSeq2SerNums.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLIssuerSerNum.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLIssuerSet2SerNums.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLIssuerUTF.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLNextUpdatePast.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLNextUpdateTyp.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLNoAKI.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLNoCRLNum.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLNoVersion.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLNumber2Big.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLNumberMax.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLNumberNeg.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLNumberZero.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLSigAlgInner.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLSigAlgMatchButWrong.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLSigAlgOuter.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLThisUpdateTyp.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLUpdatesCrossed.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLVersion0.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/CRLVersion2.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTASNotInherit.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTDuplicateFileOneHash.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTDuplicateFileTwoHashes.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTEndCrossed.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTFileHashLong.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTFileHashShort.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTFileNotIA5.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTHashAlg.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTHashAlgSameLength.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTHashOctetStr.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTIPv4NotInherit.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTIPv6NotInherit.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTNegNum.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTNextUpdPast.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTNextUpdUTC.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTNoNum.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTNumMax.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTNumTooBig.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTNumZero.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTStartCrossed.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTThisUpdFuture.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTThisUpdUTC.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTUnkownFileExtension.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTUpdCrossed.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTVersion0.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTVersion1.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/MFTWrongType.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/NAMSeqNameSer.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/NAMSeqNameSer/goodCertMatch.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/NAMSeqSerName.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/NAMSeqSerName/goodCertMatch.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/NAMSetNameSer.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/NAMSetNameSer/goodCertMatch.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/badCert2AKI.cer", "RFC 5280 section 4.2: duplicate authorityKeyIdentifier extension", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCert2ASNum.cer", "RFC 5280 section 4.2: duplicate autonomousSysNum extension", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCert2BasicConstr.cer", "RFC 5280 section 4.2: duplicate basicConstraints extension", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCert2CRLDP.cer", "RFC 5280 section 4.2: duplicate cRLDistributionPoints extension", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCert2Cpol.cer", "RFC 5280 section 4.2: duplicate certificatePolicies extension", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCert2IPAddr.cer", "RFC 5280 section 4.2: duplicate ipAddrBlocks extension", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCert2KeyUsage.cer", "RFC 5280 section 4.2: duplicate keyUsage extension", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCert2SKI.cer", "RFC 5280 section 4.2: duplicate subjectKeyIdentifier extension", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertAIA2x.cer", "RFC 5280 section 4.2: duplicate authorityInfoAccess extension", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertAIAAccessLoc.cer", "RFC 6487 section 4.8.7: AIA caIssuers must be an rsync URI", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertAIABadAccess.cer", "RFC 6487 section 4.8.7: AIA access method must be caIssuers", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertAIACrit.cer", "RFC 6487 section 4.8.7: authorityInfoAccess extension must not be critical", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertAKIHasACI.cer", "RFC 6487 section 4.8.3: AKI must have keyIdentifier only", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertAKIHasACIACSN.cer", "RFC 6487 section 4.8.3: AKI must have keyIdentifier only", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertAKIHasACSN.cer", "RFC 6487 section 4.8.3: AKI must have keyIdentifier only", 0, 0, 0 },
	/* bad* that only fail against the issuer: see test_chains. */
	{ "rpki-commons/conformance/root/badCertAKIHash.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/badCertAKILong.cer", "RFC 6487 section 4.8.3: AKI must be 20 octets", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertAKIShort.cer", "RFC 6487 section 4.8.3: AKI must be 20 octets", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertBadSig.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/badCertBasicConstrNoCA.cer", "RFC 6487 section 4.8.1: basicConstraints must have cA true and no pathLenConstraint", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertBasicConstrNoCrit.cer", "RFC 6487 section 4.8.1: basicConstraints extension must be critical", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertBasicConstrPathLth.cer", "RFC 6487 section 4.8.1: basicConstraints must have cA true and no pathLenConstraint", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertBothSigAlg.cer", "RFC 7935 section 2: signature algorithm must be sha256WithRSAEncryption in both places", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertCRLDPCrit.cer", "RFC 6487 section 4.8.6: cRLDistributionPoints extension must not be critical", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertCRLDPCrlIssuer.cer", "RFC 6487 section 4.8.6: CRLDP must have a fullName only", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertCRLDPNoRsyncDistPt.cer", "RFC 6487 section 4.8.6: CRLDP has no rsync URI", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertCRLDPReasons.cer", "RFC 6487 section 4.8.6: CRLDP must have a fullName only", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertCpol2oid1correct.cer", "RFC 6487 section 4.8.9: exactly one policy required", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertCpol2oid2correct.cer", "RFC 6487 section 4.8.9: exactly one policy required", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertCpolBadOid.cer", "RFC 6487 section 4.8.9: policy must be id-cp-ipAddr-asNumber", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertCpolNoCrit.cer", "RFC 6487 section 4.8.9: certificatePolicies extension must be critical", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertCpolQualCpsUnotice.cer", "RFC 7318 section 2: only a CPS policy qualifier is allowed", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertCpolQualUnotice.cer", "RFC 7318 section 2: only a CPS policy qualifier is allowed", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertEKU.cer", "RFC 6487 section 4.8.5: extendedKeyUsage extension not allowed in CA certificate", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertInnerSigAlg.cer", "RFC 7935 section 2: signature algorithm must be sha256WithRSAEncryption in both places", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertIssUID.cer", "RFC 6487 section 4: issuerUniqueID and subjectUniqueID must be absent", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertIssuer2ComName.cer", "RFC 6487 section 4.5: issuer name must have exactly one commonName, has 2", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertIssuer2SetComName.cer", "RFC 6487 section 4.5: issuer name must have exactly one commonName, has 2", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertIssuerOID.cer", "RFC 6487 section 4.5: issuer name has an attribute other than commonName and serialNumber", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertIssuerSeq2SerNums.cer", "RFC 6487 section 4.5: issuer name has more than one serialNumber", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertIssuerSerNum.cer", "RFC 6487 section 4.5: issuer name must have exactly one commonName, has 0", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertIssuerSet2SerNums.cer", "RFC 6487 section 4.5: issuer name has more than one serialNumber", 0, 0, 0 },
	/* UTF8String names: accepted as incidence name-utf8string. */
	{ "rpki-commons/conformance/root/badCertIssuerUtf.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/badCertKUsageDigitalSig.cer", "RFC 6487 section 4.8.4: keyUsage must be keyCertSign and cRLSign only", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertKUsageExtra.cer", "RFC 6487 section 4.8.4: keyUsage must be keyCertSign and cRLSign only", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertKUsageNoCRLSign.cer", "RFC 6487 section 4.8.4: keyUsage must be keyCertSign and cRLSign only", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertKUsageNoCertSign.cer", "RFC 6487 section 4.8.4: keyUsage must be keyCertSign and cRLSign only", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertKUsageNoCrit.cer", "RFC 6487 section 4.8.4: keyUsage extension must be critical", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertNoAIA.cer", "RFC 6487 section 4.8.7: authorityInfoAccess extension missing in CA certificate", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertNoAKI.cer", "RFC 6487 section 4.8.3: authorityKeyIdentifier extension missing in CA certificate", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertNoBasicConstr.cer", "RFC 6487 section 4.8.1: basicConstraints missing: certificate is neither CA nor BGPsec router", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertNoCRLDP.cer", "RFC 6487 section 4.8.6: cRLDistributionPoints extension missing in CA certificate", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertNoCpol.cer", "RFC 6487 section 4.8.9: certificatePolicies extension missing in CA certificate", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertNoKeyUsage.cer", "RFC 6487 section 4.8.4: keyUsage extension missing in CA certificate", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertNoSIA.cer", "RFC 6487 section 4.8.8: subjectInfoAccess extension missing in CA certificate", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertNoSKI.cer", "RFC 6487 section 4.8.2: subjectKeyIdentifier extension missing in CA certificate", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertOuterSigAlg.cer", "RFC 7935 section 2: signature algorithm must be sha256WithRSAEncryption in both places", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertPubKeyAlg.cer", "RFC 6487 section 4.7: malformed public key", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertPubKeyExp.cer", "RFC 7935 section 3: key must be RSA-2048 with exponent 65537", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertPubKeyLong.cer", "RFC 7935 section 3: key must be RSA-2048 with exponent 65537", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertPubKeyShort.cer", "RFC 7935 section 3: key must be RSA-2048 with exponent 65537", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertResourcesASEmpty.cer", "RFC 3779 section 3.2.3.4: empty asIdsOrRanges", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertResourcesASNoCrit.cer", "RFC 6487 section 4.8.11: autonomousSysNum extension must be critical", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertResourcesBadAFI.cer", "RFC 6487 section 4.8.10: unknown AFI 3", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertResourcesBadASOrder.cer", "RFC 3779 section 3.2.3.8: AS range 256-1 must have min below max", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertResourcesBadV4Order.cer", "RFC 3779 section 2.2.3.6: IPv4 entries unsorted or overlapping", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertResourcesBadV6Order.cer", "RFC 3779 section 2.2.3.6: IPv6 entries unsorted or overlapping", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertResourcesIPEmpty.cer", "RFC 6487 section 4.8.10: IP address delegation extension without address families", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertResourcesIPNoCrit.cer", "RFC 6487 section 4.8.10: ipAddrBlocks extension must be critical", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertResourcesNone.cer", "RFC 6487 section 4.8.10: neither IP nor AS resources present", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertResourcesSAFI.cer", "RFC 6487 section 4.8.10: addressFamily must be a 2-octet AFI without SAFI", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSIA2x.cer", "RFC 5280 section 4.2: duplicate subjectInfoAccess extension", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSIAAccessMethod.cer", "RFC 6487 section 4.8.8.1: access method signedObject not allowed in CA certificate", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSIAMFTNoRsync.cer", "RFC 6487 section 4.8.8.1: SIA lacks an rsync rpkiManifest URI", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSIANoMFT.cer", "RFC 6487 section 4.8.8.1: SIA lacks an rsync rpkiManifest URI", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSIANoRepo.cer", "RFC 6487 section 4.8.8.1: SIA lacks an rsync caRepository URI", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSIARepoNoRsync.cer", "RFC 6487 section 4.8.8.1: SIA lacks an rsync caRepository URI", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSKIHash.cer", "RFC 6487 section 4.8.2: SKI is not the SHA-1 hash of the public key", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSKILong.cer", "RFC 6487 section 4.8.2: SKI must be 20 octets", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSKIShort.cer", "RFC 6487 section 4.8.2: SKI must be 20 octets", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSerNum.cer", "RFC 6487 section 4.2: serial number must be positive and at most 20 octets", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSerNum0.cer", "RFC 6487 section 4.2: serial number must be positive and at most 20 octets", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSerNumTooBig.cer", "RFC 6487 section 4.2: serial number must be positive and at most 20 octets", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSubjUID.cer", "RFC 6487 section 4: issuerUniqueID and subjectUniqueID must be absent", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSubject2ComName.cer", "RFC 6487 section 4.5: subject name must have exactly one commonName, has 2", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSubject2SetComName.cer", "RFC 6487 section 4.5: subject name must have exactly one commonName, has 2", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSubjectOID.cer", "RFC 6487 section 4.5: subject name has an attribute other than commonName and serialNumber", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSubjectSeq2SerNums.cer", "RFC 6487 section 4.5: subject name has more than one serialNumber", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSubjectSerNum.cer", "RFC 6487 section 4.5: subject name must have exactly one commonName, has 0", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSubjectSet2SerNums.cer", "RFC 6487 section 4.5: subject name has more than one serialNumber", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertSubjectUtf.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/badCertUnkExtension.cer", "RFC 6487 section 4.8: unexpected extension 2.5.29.33", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertUnkExtensionCrit.cer", "RFC 6487 section 4.8: unexpected critical extension 2.5.29.33", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertValCrossed.cer", "RFC 6487 section 4.6: notBefore is after notAfter", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertValFromFuture.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/badCertValFromTyp.cer", "RFC 5280 section 4.1.2.5: malformed validity time", 0, 0, 0 },
	/* notAfter (2000) before notBefore (2011): crossed, caught at parse time. */
	{ "rpki-commons/conformance/root/badCertValToPast.cer", "RFC 6487 section 4.6: notBefore is after notAfter", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertValToTyp.cer", "RFC 5280 section 4.1.2.5: malformed validity time", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertVersion1.cer", "RFC 6487 section 4.1: version must be 3", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertVersion2.cer", "RFC 6487 section 4.1: version must be 3", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertVersion4.cer", "RFC 6487 section 4.1: version must be 3", 0, 0, 0 },
	{ "rpki-commons/conformance/root/badCertVersionNeg.cer", "RFC 6487 section 4.1: version must be 3", 0, 0, 0 },
	/* BBN says good; rejected like rpki-client: one AIA entry only. */
	/* RFC 6487 section 4.8.7 allows further caIssuers URIs. */
	{ "rpki-commons/conformance/root/goodCertAIA2AccessDescHtRs.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/goodCertAIA2AccessDescRsRs.cer", NULL, CERT_CA, 2, 1 },
	/* BBN says good; rejected like rpki-client: one DistributionPoint only. */
	{ "rpki-commons/conformance/root/goodCertCRLDP2DistPt.cer", "RFC 6487 section 4.8.6: CRLDP must have exactly one DistributionPoint", 0, 0, 0 },
	{ "rpki-commons/conformance/root/goodCertCpolQualCps.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/goodCertResourcesASInhOnly.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/goodCertResourcesASInherit.cer", NULL, CERT_CA, 2, 0 },
	{ "rpki-commons/conformance/root/goodCertResourcesAllInherit.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/goodCertResourcesIP4InhOnly.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/goodCertResourcesIP4Inherit.cer", NULL, CERT_CA, 1, 1 },
	{ "rpki-commons/conformance/root/goodCertResourcesIP6InhOnly.cer", NULL, CERT_CA, 0, 0 },
	{ "rpki-commons/conformance/root/goodCertResourcesIP6Inherit.cer", NULL, CERT_CA, 1, 1 },
	{ "rpki-commons/conformance/root/goodCertSIAMFT2Rsync.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/goodCertSIAMFTHasNonURI.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/goodCertSIAMFTHtRs.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/goodCertSIARepo2Rsync.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/goodCertSIARepoHasNonURI.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/goodCertSIARepoHtRs.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/conformance/root/goodCertSerNumMax.cer", NULL, CERT_CA, 2, 1 },
	{ "rpki-commons/resourcecertificate/apnic-rpki-root-iana-origin-includes-policy-with-cps.cer", NULL, CERT_TA, 2, 1 },
	{ "rpki-commons/router/router_certificate.cer", NULL, CERT_ROUTER, 0, 1 },
	{ "rpki-prover/bgp_cert.cer", NULL, CERT_ROUTER, 0, 1 },
	{ "rpki-prover/bgp_router_cert.cer", NULL, CERT_ROUTER, 0, 1 },
	{ "rpki-prover/big_cert.cer", NULL, CERT_CA, 2199, 227 },
	/* An extension outside the RFC 6487 profile. */
	{ "rpki-prover/extra_extensions.cer", "RFC 6487 section 4.8: unexpected critical extension 1.3.6.1.5.5.7.1.45", 0, 0, 0 },
	{ "rpki-prover/overcleaiming/2R93viIBHX4dV12fmttfjhYOX9k.cer", NULL, CERT_CA, 2, 0 },
	{ "rpki-prover/smaller.cer", NULL, CERT_CA, 2, 1 },
	/* RFC 8183 identity certificates, not RPKI resource certificates. */
	{ "rpki-rs/ca/id_afrinic.cer", "RFC 6487 section 4.5: issuer name has an attribute other than commonName and serialNumber", 0, 0, 0 },
	{ "rpki-rs/ca/id_ta.cer", "RFC 6487 section 4.8.4: keyUsage extension missing in TA certificate", 0, 0, 0 },
	{ "rpki-rs/ca/sigmsg/cms_ta.cer", "RFC 6487 section 4.8.4: keyUsage extension missing in TA certificate", 0, 0, 0 },
	/* rpki-rs compat: deliberately wrong resource encoding. */
	{ "rpki-rs/compat/res_incorrect.cer", "RFC 3779 section 2.2.3.9: malformed IPv4 range bound", 0, 0, 0 },
	{ "rpki-rs/repository/ca1.cer", NULL, CERT_CA, 2, 1 },
	/* rpki-rs test router: CN is a UTF8String. */
	{ "rpki-rs/repository/router.cer", NULL, CERT_ROUTER, 0, 2 },
	{ "rpki-rs/repository/ta.cer", NULL, CERT_TA, 2, 1 },
	{ "rpki-validator-3/test-resources/empty-file.cer", "size 0 out of range", 0, 0, 0 },
	{ "rpki-validator-3/test-resources/ripe-ncc-ta.cer", NULL, CERT_TA, 2, 1 },
};

#define NCASES	(sizeof(cer_cases) / sizeof(cer_cases[0]))

static struct cert *
load(const char *rel)
{
	struct cert *c;
	unsigned char *buf;
	size_t len;

	buf = tu_corpus_load(rel, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	c = cert_parse(rel, buf, len);
	free(buf);
	return c;
}

static struct tal *
load_tal(const char *rel)
{
	struct tal *t;
	unsigned char *buf;
	size_t len;

	buf = tu_corpus_load(rel, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	t = tal_parse(rel, (const char *)buf, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	free(buf);
	return t;
}

/* A TAL holding the certificate's own key, for TAs the corpus has no TAL for. */
static struct tal *
self_tal(const struct cert *c)
{
	struct tal *t = calloc(1, sizeof(*t));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	t->name = strdup("self");
	t->spki = malloc(c->spki_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->spki);
	memcpy(t->spki, c->spki, c->spki_len);
	t->spki_len = c->spki_len;
	return t;
}

static void
test_corpus(void)
{
	const struct cer_case *tc;
	struct cert *c;
	size_t i;

	if (tu_corpusdir() == NULL) {
		fprintf(stderr, "\n[cert] corpus absent, corpus tests skipped\n");
		return;
	}
	for (i = 0; i < NCASES; i++) {
		tc = &cer_cases[i];
		c = load(tc->path);
		if (tc->reject != NULL) {
			CU_ASSERT_PTR_NULL(c);
			CU_ASSERT(tu_logged(tc->reject));
			CU_ASSERT(tu_logged(tc->path));
			cert_free(c);
			continue;
		}
		CU_ASSERT_PTR_NOT_NULL(c);
		if (c == NULL) {
			fprintf(stderr, "\n%s rejected\n", tc->path);
			continue;
		}
		CU_ASSERT_EQUAL(c->purpose, tc->purpose);
		CU_ASSERT_EQUAL(ip_res_count(c->ips), tc->nips);
		CU_ASSERT_EQUAL(c->ases != NULL ? c->ases->nranges : 0, tc->nas);
		CU_ASSERT(c->notbefore <= c->notafter);
		CU_ASSERT_PTR_NOT_NULL(c->serial);
		if (c->purpose == CERT_TA || c->purpose == CERT_CA) {
			CU_ASSERT_PTR_NOT_NULL(c->repo);
			CU_ASSERT_PTR_NOT_NULL(c->mft);
		}
		if (c->purpose != CERT_TA) {
			CU_ASSERT(c->has_aki);
			CU_ASSERT_PTR_NOT_NULL(c->aia);
			CU_ASSERT_PTR_NOT_NULL(c->crldp);
		} else {
			CU_ASSERT_PTR_NULL(c->aia);
			CU_ASSERT_PTR_NULL(c->crldp);
		}
		if (c->purpose == CERT_ROUTER) {
			CU_ASSERT_PTR_NULL(c->ips);
			CU_ASSERT_PTR_NULL(c->repo);
			CU_ASSERT_EQUAL(c->spki_len, 91);	/* P-256 SPKI */
		}
		cert_free(c);
	}
}

/* The table covers every .cer file of the corpus. */
static void
test_corpus_complete(void)
{
	const char *dir = tu_corpusdir();
	char *cmd, line[4096];
	FILE *p;
	size_t i, n = 0, found;

	if (dir == NULL)
		return;
	cmd = tu_asprintf("cd '%s' && find . -name '*.cer' | cut -c3-", dir);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		n++;
		for (found = 0, i = 0; i < NCASES; i++)
			if (strcmp(cer_cases[i].path, line) == 0)
				found = 1;
		CU_ASSERT(found);
		if (!found)
			fprintf(stderr, "\nno expectation for %s\n", line);
	}
	pclose(p);
	free(cmd);
	CU_ASSERT_EQUAL(n, NCASES);
}

static void
ski_is(const struct cert *c, const char *hex)
{
	char buf[2 * CERT_KEYID_LEN + 1];

	hash_hex_encode(c->ski, CERT_KEYID_LEN, buf);
	CU_ASSERT_STRING_EQUAL(buf, hex);
}

/* Key fields of a few real certificates. */
static void
test_corpus_fields(void)
{
	struct cert *c;
	char buf[IP_RANGE_STRLEN];

	if (tu_corpusdir() == NULL)
		return;
	c = load("rpki-client-regress/ta/ripe-ncc-ta.cer");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->purpose, CERT_TA);
	ski_is(c, "e8552b1fd6d1a4f7e404c6d8e5680d1ebc163fc3");
	CU_ASSERT_STRING_EQUAL(c->repo, "rsync://rpki.ripe.net/repository/");
	CU_ASSERT_STRING_EQUAL(c->mft,
	    "rsync://rpki.ripe.net/repository/ripe-ncc-ta.mft");
	CU_ASSERT_STRING_EQUAL(c->notify,
	    "https://rrdp.ripe.net/notification.xml");
	CU_ASSERT_STRING_EQUAL(c->serial, "c9");
	CU_ASSERT_FALSE(ip_res_has_inherit(c->ips));
	cert_free(c);

	c = load("rpki-client-regress/cer/2a7dd1d787d793e4c8af56e197d4eed92af6ba13.cer");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->purpose, CERT_CA);
	ski_is(c, "2a7dd1d787d793e4c8af56e197d4eed92af6ba13");
	CU_ASSERT(c->has_aki);
	CU_ASSERT_STRING_EQUAL(c->aia, "rsync://rpki.ripe.net/ta/ripe-ncc-ta.cer");
	CU_ASSERT_STRING_EQUAL(c->crldp,
	    "rsync://rpki.ripe.net/repository/ripe-ncc-ta.crl");
	CU_ASSERT_STRING_EQUAL(c->repo, "rsync://rpki.ripe.net/repository/aca/");
	CU_ASSERT_STRING_EQUAL(c->mft, "rsync://rpki.ripe.net/repository/aca/"
	    "Kn3R14fXk-TIr1bhl9Tu2Sr2uhM.mft");
	CU_ASSERT_PTR_NULL(c->signedobj);
	cert_free(c);

	c = load("rpki-commons/conformance/root.cer");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	ski_is(c, "d27f6e783b2b5ce535940d54c0a6f38f5b7804d4");
	CU_ASSERT_FALSE(c->has_aki);
	CU_ASSERT_PTR_NULL(c->notify);
	CU_ASSERT_EQUAL_FATAL(c->ips->afi[IP_RES_V4].nranges, 1);
	CU_ASSERT(ip_range_format(AFI_IPV4, &c->ips->afi[IP_RES_V4].ranges[0],
	    buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "1.0.0.0/8");
	CU_ASSERT(ip_range_format(AFI_IPV6, &c->ips->afi[IP_RES_V6].ranges[0],
	    buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "102::/16");
	CU_ASSERT(as_res_contains_range(c->ases, 1, 65536));
	CU_ASSERT_FALSE(as_res_contains_asn(c->ases, 0));
	cert_free(c);

	c = load("rpki-client-regress/cer/Vr46VDCUfrRNL9yZAy4mxfEAspQ.cer");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->purpose, CERT_ROUTER);
	CU_ASSERT_PTR_NULL(c->signedobj);
	CU_ASSERT_EQUAL(c->ases->nranges, 1);
	cert_free(c);
}

/*
 * One step of a chain: child checked against issuer at now; why is the
 * expected failure (substring) or NULL.
 */
static const struct chain_case {
	const char	*child;
	const char	*issuer;
	int64_t		 now;
	const char	*why;
} chain_cases[] = {
	{ "rpki-client-regress/cer/2a7dd1d787d793e4c8af56e197d4eed92af6ba13.cer",
	  "rpki-client-regress/ta/ripe-ncc-ta.cer", Y2019_NOW, NULL },
	{ "rpki-rs/repository/ca1.cer", "rpki-rs/repository/ta.cer", Y2019_NOW,
	  NULL },
	{ "rpki-client-regress/cer/arin-to-afrinic.cer",
	  "rpki-client-regress/ta/AfriNIC.cer", Y2019_NOW, NULL },
	/* Expired by now. */
	{ "rpki-client-regress/cer/2a7dd1d787d793e4c8af56e197d4eed92af6ba13.cer",
	  "rpki-client-regress/ta/ripe-ncc-ta.cer", BBN_NOW,
	  "RFC 5280 section 6.1.3: certificate expired" },
	/* Not issued by that CA. */
	{ "rpki-client-regress/cer/aaI5ikDRYL7nJH9kwrv4b80iIAI.cer",
	  "rpki-client-regress/cer/2a7dd1d787d793e4c8af56e197d4eed92af6ba13.cer",
	  Y2019_NOW, "RFC 6487 section 4.4: issuer name differs" },
	{ "rpki-client-regress/cer/arin-to-afrinic.cer",
	  "rpki-client-regress/ta/ripe-ncc-ta.cer", Y2019_NOW,
	  "RFC 6487 section 4.4" },
	/* A TA is never a child. */
	{ "rpki-client-regress/ta/ripe-ncc-ta.cer",
	  "rpki-client-regress/ta/ripe-ncc-ta.cer", Y2019_NOW,
	  "RFC 6487 section 4.8.3: a self-signed certificate below a CA" },
	/* A router certificate cannot issue. */
	{ "rpki-commons/conformance/root/goodCertSerNumMax.cer",
	  "rpki-client-regress/cer/Vr46VDCUfrRNL9yZAy4mxfEAspQ.cer", BBN_NOW,
	  "RFC 6487 section 4.8.1: issuer is not a CA" },
	/* BBN: faults visible only against the issuer. */
	{ "rpki-commons/conformance/root/badCertAKIHash.cer",
	  "rpki-commons/conformance/root.cer", BBN_NOW,
	  "RFC 6487 section 4.8.3: AKI does not match" },
	{ "rpki-commons/conformance/root/badCertBadSig.cer",
	  "rpki-commons/conformance/root.cer", BBN_NOW,
	  "RFC 5280 section 6.1.3: signature does not verify" },
	{ "rpki-commons/conformance/root/badCertValFromFuture.cer",
	  "rpki-commons/conformance/root.cer", BBN_NOW,
	  "RFC 5280 section 6.1.3: certificate not yet valid" },
};

static void
check_chain(const struct chain_case *cc)
{
	struct cert *child, *issuer;
	char why[256];
	int rc;

	issuer = load(cc->issuer);
	child = load(cc->child);
	CU_ASSERT_PTR_NOT_NULL_FATAL(issuer);
	CU_ASSERT_PTR_NOT_NULL_FATAL(child);
	why[0] = '\0';
	rc = cert_check_issued(child, issuer, cc->now, why, sizeof(why));
	if (cc->why == NULL) {
		CU_ASSERT_EQUAL(rc, 0);
		if (rc != 0)
			fprintf(stderr, "\n%s: %s\n", cc->child, why);
		CU_ASSERT_FALSE(ip_res_has_inherit(child->ips));
		CU_ASSERT(child->ases == NULL || !child->ases->inherit);
	} else {
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, cc->why));
		if (strstr(why, cc->why) == NULL)
			fprintf(stderr, "\n%s: got \"%s\"\n", cc->child, why);
	}
	cert_free(child);
	cert_free(issuer);
}

/*
 * Every BBN child of root.cer that parses validates against it (apart from
 * the three in chain_cases), inherit being resolved to root's resources;
 * the NAM* CAs in turn issue their goodCertMatch children.
 */
static void
test_chains(void)
{
	const char *bad[] = { "badCertAKIHash", "badCertBadSig",
	    "badCertValFromFuture" };
	struct cert *root, *child, *sub;
	const char *p;
	char why[256], *subpath;
	size_t i, j, nok = 0;
	int isbad;

	if (tu_corpusdir() == NULL)
		return;
	for (i = 0; i < sizeof(chain_cases) / sizeof(chain_cases[0]); i++)
		check_chain(&chain_cases[i]);

	root = load("rpki-commons/conformance/root.cer");
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	for (i = 0; i < NCASES; i++) {
		p = cer_cases[i].path;
		if (cer_cases[i].reject != NULL ||
		    strncmp(p, "rpki-commons/conformance/root/", 30) != 0 ||
		    strchr(p + 30, '/') != NULL)
			continue;
		for (isbad = 0, j = 0; j < 3; j++)
			if (strstr(p, bad[j]) != NULL)
				isbad = 1;
		if (isbad)
			continue;
		child = load(p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(child);
		why[0] = '\0';
		CU_ASSERT_EQUAL(cert_check_issued(child, root, BBN_NOW, why,
		    sizeof(why)), 0);
		if (why[0] != '\0')
			fprintf(stderr, "\n%s: %s\n", p, why);
		nok++;
		/* Inherit resolved: everything now covered explicitly. */
		CU_ASSERT_FALSE(ip_res_has_inherit(child->ips));
		CU_ASSERT(ip_res_contains(root->ips, child->ips));
		CU_ASSERT(as_res_contains(root->ases, child->ases));
		if (strstr(p, "AllInherit") != NULL) {
			CU_ASSERT_EQUAL(ip_res_count(child->ips),
			    ip_res_count(root->ips));
			CU_ASSERT(as_res_contains_range(child->ases, 1, 65536));
		}
		if (strstr(p, "/NAM") != NULL) {
			subpath = tu_asprintf("%.*s/goodCertMatch.cer",
			    (int)(strlen(p) - 4), p);
			sub = load(subpath);
			CU_ASSERT_PTR_NOT_NULL_FATAL(sub);
			/* Before its issuer was validated, inherit is unresolved. */
			CU_ASSERT_EQUAL(cert_check_issued(sub, child, BBN_NOW,
			    why, sizeof(why)), 0);
			cert_free(sub);
			free(subpath);
		}
		cert_free(child);
	}
	CU_ASSERT(nok >= 60);
	cert_free(root);
}

/* TA certificates against their TALs. */
static void
test_ta(void)
{
	static const struct {
		const char	*cer;
		const char	*tal;	/* NULL: the certificate's own key */
		const char	*why;
	} tas[] = {
		{ "rpki-client-regress/ta/ripe-ncc-ta.cer",
		  "rpki-client-regress/tal/ripe.tal", NULL },
		{ "rpki-client-regress/ta/AfriNIC.cer",
		  "rpki-client-regress/tal/afrinic.tal", NULL },
		{ "rpki-client-regress/ta/apnic-rpki-root-iana-origin.cer",
		  "rpki-client-regress/tal/apnic.tal", NULL },
		{ "rpki-rs/repository/ta.cer", "rpki-rs/repository/ripe.tal",
		  NULL },
		{ "rpki-commons/conformance/root.cer", NULL, NULL },
		{ "rpki-commons/conformance/goodRootAKIMatches.cer", NULL,
		  NULL },
		{ "rpki-commons/conformance/goodRootAKIOmitted.cer", NULL,
		  NULL },
		{ "rpki-commons/conformance/badRootBadSig.cer", NULL,
		  "RFC 6487 section 4: TA self-signature does not verify" },
		{ "rpki-client-regress/ta/ripe-ncc-ta.cer",
		  "rpki-client-regress/tal/afrinic.tal",
		  "RFC 8630 section 2.3: public key does not match the TAL" },
		{ "rpki-client-regress/cer/2a7dd1d787d793e4c8af56e197d4eed92af6ba13.cer",
		  NULL, "RFC 8630 section 2.3: not a self-signed TA" },
	};
	struct cert *c;
	struct tal *t;
	char why[256];
	size_t i;
	int rc;

	if (tu_corpusdir() == NULL)
		return;
	for (i = 0; i < sizeof(tas) / sizeof(tas[0]); i++) {
		c = load(tas[i].cer);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		t = tas[i].tal != NULL ? load_tal(tas[i].tal) : self_tal(c);
		why[0] = '\0';
		rc = cert_check_ta(c, t, c->notbefore + DAY, why, sizeof(why));
		if (tas[i].why == NULL) {
			CU_ASSERT_EQUAL(rc, 0);
			if (rc != 0)
				fprintf(stderr, "\n%s: %s\n", tas[i].cer, why);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_PTR_NOT_NULL(strstr(why, tas[i].why));
		}
		/* Validity is checked too. */
		if (tas[i].why == NULL) {
			CU_ASSERT_EQUAL(cert_check_ta(c, t, c->notafter + 1,
			    why, sizeof(why)), -1);
			CU_ASSERT_PTR_NOT_NULL(strstr(why, "expired"));
			CU_ASSERT_EQUAL(cert_check_ta(c, t, c->notbefore - 1,
			    why, sizeof(why)), -1);
			CU_ASSERT_PTR_NOT_NULL(strstr(why, "not yet valid"));
		}
		tal_free(t);
		cert_free(c);
	}
}

/* ---- Certificates built here ------------------------------------------ */

/* One extension for the builder: a NID with OpenSSL config text, or an OID with "DER:..." text. */
struct ext_conf {
	int		 nid;
	const char	*oid;	/* used when nid is 0 */
	const char	*val;
};

#define CONF_END	{ 0, NULL, NULL }

/*
 * certificatePolicies has no plain-text form in OpenSSL without a config
 * database, so give its DER: one PolicyInformation with the OID
 * 1.3.6.1.5.5.7.14.<last byte>.
 */
#define CP_DER	"DER:30:0c:30:0a:06:08:2b:06:01:05:05:07:0e:"
#define CP_RPKI	"critical," CP_DER "02"

static const struct ext_conf ta_exts[] = {
	{ NID_basic_constraints, NULL, "critical,CA:TRUE" },
	{ NID_subject_key_identifier, NULL, "hash" },
	{ NID_key_usage, NULL, "critical,keyCertSign,cRLSign" },
	{ NID_sinfo_access, NULL,
	    "1.3.6.1.5.5.7.48.5;URI:rsync://example.net/repo/,"
	    "1.3.6.1.5.5.7.48.10;URI:rsync://example.net/repo/ta.mft,"
	    "1.3.6.1.5.5.7.48.13;URI:https://example.net/notify.xml" },
	{ NID_certificate_policies, NULL, CP_RPKI },
	{ NID_sbgp_ipAddrBlock, NULL,
	    "critical,IPv4:10.0.0.0/8,IPv6:2001:db8::/32" },
	{ NID_sbgp_autonomousSysNum, NULL, "critical,AS:64496-64511" },
	CONF_END
};

static const struct ext_conf ca_exts[] = {
	{ NID_basic_constraints, NULL, "critical,CA:TRUE" },
	{ NID_subject_key_identifier, NULL, "hash" },
	{ NID_authority_key_identifier, NULL, "keyid:always" },
	{ NID_key_usage, NULL, "critical,keyCertSign,cRLSign" },
	{ NID_crl_distribution_points, NULL,
	    "URI:rsync://example.net/repo/ta.crl" },
	{ NID_info_access, NULL, "caIssuers;URI:rsync://example.net/ta.cer" },
	{ NID_sinfo_access, NULL,
	    "1.3.6.1.5.5.7.48.5;URI:rsync://example.net/repo/ca/,"
	    "1.3.6.1.5.5.7.48.10;URI:rsync://example.net/repo/ca/ca.mft" },
	{ NID_certificate_policies, NULL, CP_RPKI },
	{ NID_sbgp_ipAddrBlock, NULL, "critical,IPv4:10.1.0.0/16,IPv6:inherit" },
	{ NID_sbgp_autonomousSysNum, NULL, "critical,AS:64500" },
	CONF_END
};

static const struct ext_conf ee_exts[] = {
	{ NID_subject_key_identifier, NULL, "hash" },
	{ NID_authority_key_identifier, NULL, "keyid:always" },
	{ NID_key_usage, NULL, "critical,digitalSignature" },
	{ NID_crl_distribution_points, NULL,
	    "URI:rsync://example.net/repo/ta.crl" },
	{ NID_info_access, NULL, "caIssuers;URI:rsync://example.net/ta.cer" },
	{ NID_sinfo_access, NULL,
	    "1.3.6.1.5.5.7.48.11;URI:rsync://example.net/repo/x.roa" },
	{ NID_certificate_policies, NULL, CP_RPKI },
	{ NID_sbgp_ipAddrBlock, NULL, "critical,IPv4:inherit" },
	CONF_END
};

static const struct ext_conf router_exts[] = {
	{ NID_subject_key_identifier, NULL, "hash" },
	{ NID_authority_key_identifier, NULL, "keyid:always" },
	{ NID_key_usage, NULL, "critical,digitalSignature" },
	{ NID_ext_key_usage, NULL, "1.3.6.1.5.5.7.3.30" },
	{ NID_crl_distribution_points, NULL,
	    "URI:rsync://example.net/repo/ta.crl" },
	{ NID_info_access, NULL, "caIssuers;URI:rsync://example.net/ta.cer" },
	{ NID_certificate_policies, NULL, CP_RPKI },
	{ NID_sbgp_autonomousSysNum, NULL, "critical,AS:64500" },
	CONF_END
};

/* Keys made once per suite run: generating RSA keys is slow. */
static EVP_PKEY *ta_key, *ca_key, *ec_key, *small_key;

/* Optional changes to the certificate before it is signed. */
struct tweak {
	const char	*cn;		/* subject CN (default "test") */
	long		 serial;	/* default 1 */
	int		 version;	/* X509 version value, default 2 (v3) */
	int		 gentime;	/* notBefore as GeneralizedTime before 2050 */
	const EVP_MD	*md;		/* default SHA-256 */
	int		 extra_o;	/* add an O= attribute to the subject */
	int		 utf8_cn;	/* CN as UTF8String */
};

static X509_NAME *
make_name(const char *cn, int utf8, int extra_o)
{
	X509_NAME *n = X509_NAME_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_FATAL(X509_NAME_add_entry_by_NID(n, NID_commonName,
	    utf8 ? MBSTRING_UTF8 : V_ASN1_PRINTABLESTRING,
	    (const unsigned char *)cn, -1, -1, 0));
	if (extra_o)
		CU_ASSERT_FATAL(X509_NAME_add_entry_by_NID(n,
		    NID_organizationName, V_ASN1_PRINTABLESTRING,
		    (const unsigned char *)"Org", -1, -1, 0));
	return n;
}

static void
add_exts(X509 *x, X509 *issuer, const struct ext_conf *exts)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	for (; exts->val != NULL; exts++) {
		if (exts->nid != 0)
			e = X509V3_EXT_conf_nid(NULL, &ctx, exts->nid,
			    exts->val);
		else
			e = X509V3_EXT_conf(NULL, &ctx, exts->oid, exts->val);
		if (e == NULL) {
			fprintf(stderr, "\nextension %d %s: \"%s\"\n", exts->nid,
			    exts->oid != NULL ? exts->oid : "", exts->val);
			ERR_print_errors_fp(stderr);
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		/* X509_add_ext appends, so duplicates are possible on purpose. */
		CU_ASSERT_FATAL(X509_add_ext(x, e, -1));
		X509_EXTENSION_free(e);
	}
}

/*
 * A certificate for key with exts, issued by issuer (signed with ikey) or
 * self-signed when issuer is NULL.
 */
static X509 *
make_x509(EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
    const struct ext_conf *exts, const struct tweak *tw)
{
	static const struct tweak none;
	X509 *x = X509_new();
	X509_NAME *subj;
	ASN1_TIME *t;

	if (tw == NULL)
		tw = &none;
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_FATAL(X509_set_version(x, tw->version ? tw->version - 1 :
	    2));
	CU_ASSERT_FATAL(ASN1_INTEGER_set(X509_get_serialNumber(x),
	    tw->serial ? tw->serial : 1));
	subj = make_name(tw->cn != NULL ? tw->cn : "test", tw->utf8_cn,
	    tw->extra_o);
	CU_ASSERT_FATAL(X509_set_subject_name(x, subj));
	CU_ASSERT_FATAL(X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : subj));
	X509_NAME_free(subj);
	/* Valid 2020-01-01 .. 2040-01-01. */
	t = tw->gentime ? ASN1_GENERALIZEDTIME_set(NULL, 1577836800) :
	    ASN1_TIME_set(NULL, 1577836800);
	CU_ASSERT_FATAL(X509_set1_notBefore(x, t));
	ASN1_TIME_free(t);
	t = ASN1_TIME_set(NULL, 2208988800LL);
	CU_ASSERT_FATAL(X509_set1_notAfter(x, t));
	ASN1_TIME_free(t);
	CU_ASSERT_FATAL(X509_set_pubkey(x, key));
	add_exts(x, issuer, exts);
	CU_ASSERT_FATAL(X509_sign(x, issuer != NULL ? ikey : key,
	    tw->md != NULL ? tw->md : EVP_sha256()) > 0);
	return x;
}

static unsigned char *
der_of(X509 *x, size_t *len)
{
	unsigned char *der = NULL;
	int n;

	n = i2d_X509(x, &der);
	CU_ASSERT_FATAL(n > 0);
	*len = n;
	return der;
}

static struct cert *
parse_x509(X509 *x)
{
	unsigned char *der;
	size_t len;
	struct cert *c;

	der = der_of(x, &len);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	c = cert_parse("made.cer", der, len);
	OPENSSL_free(der);
	return c;
}

/*
 * cert_parse_ee() of x's DER, as cms.c hands it over (x stays the
 * caller's).
 */
static struct cert *
parse_ee(const char *fn, X509 *x, int flags)
{
	unsigned char *der;
	size_t len;
	struct cert *c;

	der = der_of(x, &len);
	c = cert_parse_ee(fn, der, len, flags);
	OPENSSL_free(der);
	return c;
}

/* The TA and CA every hand-made test starts from. */
static X509 *
make_ta(void)
{
	static const struct tweak tw = { .cn = "ta" };

	return make_x509(ta_key, NULL, NULL, ta_exts, &tw);
}

static void
test_made_good(void)
{
	X509 *tax, *cax, *eex, *rx;
	struct cert *ta, *ca, *ee, *rt;
	struct tal *tal;
	char why[256];
	struct prefix p;

	tax = make_ta();
	ta = parse_x509(tax);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ta);
	CU_ASSERT_EQUAL(ta->purpose, CERT_TA);
	CU_ASSERT_STRING_EQUAL(ta->repo, "rsync://example.net/repo/");
	CU_ASSERT_STRING_EQUAL(ta->mft, "rsync://example.net/repo/ta.mft");
	CU_ASSERT_STRING_EQUAL(ta->notify, "https://example.net/notify.xml");
	CU_ASSERT_STRING_EQUAL(ta->serial, "01");
	CU_ASSERT_EQUAL(ta->notbefore, 1577836800);
	CU_ASSERT_EQUAL(ta->notafter, 2208988800LL);
	tal = self_tal(ta);
	CU_ASSERT_EQUAL(cert_check_ta(ta, tal, 1600000000, why, sizeof(why)),
	    0);
	tal_free(tal);

	cax = make_x509(ca_key, tax, ta_key, ca_exts, NULL);
	ca = parse_x509(cax);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_EQUAL(ca->purpose, CERT_CA);
	CU_ASSERT(memcmp(ca->aki, ta->ski, CERT_KEYID_LEN) == 0);
	CU_ASSERT_STRING_EQUAL(ca->aia, "rsync://example.net/ta.cer");
	CU_ASSERT_STRING_EQUAL(ca->crldp, "rsync://example.net/repo/ta.crl");
	CU_ASSERT_PTR_NULL(ca->notify);
	CU_ASSERT(ca->ips->afi[IP_RES_V6].inherit);
	CU_ASSERT_EQUAL(cert_check_issued(ca, ta, 1600000000, why,
	    sizeof(why)), 0);
	/* IPv6 inherited from the TA. */
	CU_ASSERT_FALSE(ca->ips->afi[IP_RES_V6].inherit);
	CU_ASSERT_EQUAL(prefix_parse("2001:db8:1::/48", &p), PREFIX_OK);
	CU_ASSERT(ip_res_covers_prefix(ca->ips, &p));
	CU_ASSERT(as_res_contains_asn(ca->ases, 64500));
	CU_ASSERT_FALSE(as_res_contains_asn(ca->ases, 64501));

	/* EE via the signed-object entry point; x stays the caller's. */
	eex = make_x509(ta_key, cax, ca_key, ee_exts, NULL);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	ee = parse_ee("made.roa", eex, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ee);
	CU_ASSERT_EQUAL(ee->purpose, CERT_EE);
	CU_ASSERT_STRING_EQUAL(ee->signedobj, "rsync://example.net/repo/x.roa");
	CU_ASSERT_PTR_NULL(ee->repo);
	CU_ASSERT_EQUAL(cert_check_issued(ee, ca, 1600000000, why,
	    sizeof(why)), 0);
	CU_ASSERT_EQUAL(ee->ips->afi[IP_RES_V4].nranges, 1);
	cert_free(ee);
	/* An EE certificate is not a .cer file. */
	CU_ASSERT_PTR_NULL(parse_x509(eex));
	CU_ASSERT(tu_logged("RFC 6487 section 4.8.1"));
	/* Nor does the RSC flavour accept an SIA. */
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(parse_ee("made.sig", eex, CERT_EE_NO_SIA));
	CU_ASSERT(tu_logged("RFC 9323 section 2: SIA must be absent"));
	X509_free(eex);

	rx = make_x509(ec_key, cax, ca_key, router_exts, NULL);
	rt = parse_x509(rx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	CU_ASSERT_EQUAL(rt->purpose, CERT_ROUTER);
	CU_ASSERT_EQUAL(rt->spki_len, 91);
	CU_ASSERT_EQUAL(cert_check_issued(rt, ca, 1600000000, why,
	    sizeof(why)), 0);
	CU_ASSERT(as_res_contains_asn(rt->ases, 64500));
	CU_ASSERT_PTR_NULL(rt->ips);
	cert_free(rt);
	X509_free(rx);

	cert_free(ca);
	cert_free(ta);
	X509_free(cax);
	X509_free(tax);
}

/* Copy base with the entry for nid replaced by val (NULL drops it) or, with append, added again. */
static struct ext_conf *
mutate(const struct ext_conf *base, int nid, const char *oid,
    const char *val, int append)
{
	struct ext_conf *out;
	size_t i, n = 0;

	while (base[n].val != NULL)
		n++;
	out = calloc(n + 2, sizeof(*out));
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	for (i = n = 0; base[i].val != NULL; i++) {
		if (!append && nid != 0 && base[i].nid == nid) {
			if (val != NULL)
				out[n++] = (struct ext_conf){ nid, NULL, val };
			continue;
		}
		out[n++] = base[i];
	}
	if (append)
		out[n++] = (struct ext_conf){ nid, oid, val };
	return out;
}

/* Each CA-certificate mutation and the rejection it must cause. */
static const struct mutation {
	int		 nid;
	const char	*oid;
	const char	*val;
	int		 append;
	const char	*why;
} ca_mutations[] = {
	{ NID_basic_constraints, NULL, "CA:TRUE", 0,
	  "RFC 6487 section 4.8.1: basicConstraints extension must be critical" },
	{ NID_basic_constraints, NULL, "critical,CA:TRUE,pathlen:0", 0,
	  "RFC 6487 section 4.8.1: basicConstraints must have cA true and no pathLenConstraint" },
	/* BOOLEAN TRUE as 0x01: BER, not DER. */
	{ NID_basic_constraints, NULL, "critical,DER:30:03:01:01:01", 0,
	  "RFC 6487 section 4.8.1: basicConstraints must have cA true" },
	/* INTEGER with a redundant leading zero inside an extension. */
	{ NID_sbgp_autonomousSysNum, NULL,
	  "critical,DER:30:09:a0:07:30:05:02:03:00:00:01", 0,
	  "X.690 section 10: extension sbgp-autonomousSysNum: malformed" },
	{ NID_subject_key_identifier, NULL, "hash", 1,
	  "RFC 5280 section 4.2: duplicate subjectKeyIdentifier" },
	/* cA DEFAULT FALSE given explicitly: not DER. */
	{ NID_basic_constraints, NULL, "critical,DER:30:03:01:01:00", 0,
	  "X.690 section 10: extension basicConstraints is not DER encoded" },
	{ NID_subject_key_identifier, NULL,
	  "0102030405060708090a0b0c0d0e0f1011121314", 0,
	  "RFC 6487 section 4.8.2: SKI is not the SHA-1 hash" },
	{ NID_authority_key_identifier, NULL, "keyid:always,issuer:always", 0,
	  "RFC 6487 section 4.8.3: AKI must have keyIdentifier only" },
	{ NID_key_usage, NULL, "keyCertSign,cRLSign", 0,
	  "RFC 6487 section 4.8.4: keyUsage extension must be critical" },
	{ NID_key_usage, NULL, "critical,keyCertSign,cRLSign,digitalSignature",
	  0, "RFC 6487 section 4.8.4: keyUsage must be keyCertSign and cRLSign only" },
	{ NID_ext_key_usage, NULL, "1.3.6.1.5.5.7.3.30", 1,
	  "RFC 6487 section 4.8.5: extendedKeyUsage extension not allowed in CA" },
	{ NID_crl_distribution_points, NULL, NULL, 0,
	  "RFC 6487 section 4.8.6: cRLDistributionPoints extension missing" },
	{ NID_crl_distribution_points, NULL,
	  "URI:https://example.net/repo/ta.crl", 0,
	  "RFC 6487 section 4.8.6: CRLDP has no rsync URI" },
	{ NID_info_access, NULL, "caIssuers;URI:https://example.net/ta.cer", 0,
	  "RFC 6487 section 4.8.7: AIA caIssuers must be an rsync URI" },
	{ NID_info_access, NULL, "OCSP;URI:rsync://example.net/ta.cer", 0,
	  "RFC 6487 section 4.8.7: AIA access method must be caIssuers" },
	{ NID_sinfo_access, NULL,
	  "1.3.6.1.5.5.7.48.5;URI:rsync://example.net/repo/ca/,"
	  "1.3.6.1.5.5.7.48.10;URI:rsync://example.net/other/ca.mft", 0,
	  "RFC 6487 section 4.8.8.1: rpkiManifest must be a .mft file in caRepository" },
	{ NID_sinfo_access, NULL,
	  "1.3.6.1.5.5.7.48.5;URI:rsync://example.net/repo/ca/,"
	  "1.3.6.1.5.5.7.48.10;URI:rsync://example.net/repo/ca/ca.mft,"
	  "1.3.6.1.5.5.7.48.13;URI:http://example.net/notify.xml", 0,
	  "RFC 8182 section 3.2: rpkiNotify must be a single https URI" },
	{ NID_sinfo_access, NULL,
	  "1.3.6.1.5.5.7.48.5;URI:rsync://example.net/re\x7fpo/,"
	  "1.3.6.1.5.5.7.48.10;URI:rsync://example.net/repo/ca/ca.mft", 0,
	  "RFC 6487 section 4.8.8.1: URI has a forbidden character (0x7f)" },
	{ NID_certificate_policies, NULL, "critical," CP_DER "03", 0,
	  "RFC 6487 section 4.8.9: policy must be id-cp-ipAddr-asNumber" },
	{ NID_certificate_policies, NULL, CP_DER "02", 0,
	  "RFC 6487 section 4.8.9: certificatePolicies extension must be critical" },
	{ NID_sbgp_ipAddrBlock, NULL, "IPv4:10.1.0.0/16", 0,
	  "RFC 6487 section 4.8.10: ipAddrBlocks extension must be critical" },
	/* IPv4 11/8 then 10/8: unsorted. */
	{ NID_sbgp_ipAddrBlock, NULL,
	  "critical,DER:30:10:30:0e:04:02:00:01:30:08:03:02:00:0b:03:02:00:0a",
	  0, "RFC 3779 section 2.2.3.6: IPv4 entries unsorted" },
	/* AS 64501 then 64500: unsorted. */
	{ NID_sbgp_autonomousSysNum, NULL,
	  "critical,DER:30:0e:a0:0c:30:0a:02:03:00:fb:f5:02:03:00:fb:f4", 0,
	  "RFC 3779 section 3.2.3.5: AS entries unsorted" },
	{ NID_sbgp_ipAddrBlock, NULL, NULL, 0, NULL },	/* AS only: fine */
	{ NID_subject_alt_name, NULL, "DNS:example.net", 1,
	  "RFC 6487 section 4.8: unexpected extension 2.5.29.17" },
	{ NID_inhibit_any_policy, NULL, "critical,1", 1,
	  "RFC 6487 section 4.8: unexpected critical extension 2.5.29.54" },
	/* RFC 8360 ipAddrBlocks-v2 is rejected like any unknown extension. */
	{ 0, "1.3.6.1.5.5.7.1.28", "critical,DER:30:00", 1,
	  "RFC 6487 section 4.8: unexpected critical extension 1.3.6.1.5.5.7.1.28" },
};

static void
test_made_mutations(void)
{
	const struct mutation *m;
	struct ext_conf *exts;
	struct cert *c;
	X509 *tax, *x;
	size_t i;

	tax = make_ta();
	for (i = 0; i < sizeof(ca_mutations) / sizeof(ca_mutations[0]); i++) {
		m = &ca_mutations[i];
		exts = mutate(ca_exts, m->nid, m->oid, m->val, m->append);
		x = make_x509(ca_key, tax, ta_key, exts, NULL);
		c = parse_x509(x);
		if (m->why == NULL) {
			CU_ASSERT_PTR_NOT_NULL(c);
		} else {
			CU_ASSERT_PTR_NULL(c);
			CU_ASSERT(tu_logged("made.cer: "));
			CU_ASSERT(tu_logged(m->why));
		}
		cert_free(c);
		X509_free(x);
		free(exts);
	}
	X509_free(tax);
}

/* Rules on the certificate body rather than its extensions. */
static void
test_made_body(void)
{
	static const struct {
		struct tweak	 tw;
		int		 small;
		const char	*why;
	} cases[] = {
		{ { .version = 1 }, 0, "RFC 6487 section 4.1: version must be 3" },
		{ { .serial = -5 }, 0, "RFC 6487 section 4.2" },
		{ { .gentime = 1 }, 0, "RFC 5280 section 4.1.2.5" },
		{ { .extra_o = 1 }, 0, "RFC 6487 section 4.5: subject name has an attribute other than" },
		/* UTF8String is an incidence, but not with control characters. */
		{ { .utf8_cn = 1, .cn = "a\001b" }, 0, "RFC 6487 section 4.5: subject name attribute CN is not a PrintableString" },
		{ { .cn = "a_b" }, 0, "not a PrintableString" },
		{ { .serial = 0 }, 1, "RFC 7935 section 3: key must be RSA-2048" },
	};
	struct tweak tw;
	struct cert *c;
	X509 *tax, *x;
	size_t i;

	tax = make_ta();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tw = cases[i].tw;
		x = make_x509(cases[i].small ? small_key : ca_key, tax, ta_key,
		    ca_exts, &tw);
		c = parse_x509(x);
		CU_ASSERT_PTR_NULL(c);
		CU_ASSERT(tu_logged(cases[i].why));
		cert_free(c);
		X509_free(x);
	}
	/* SHA-384 signatures are not RFC 7935. */
	tw = (struct tweak){ .md = EVP_sha384() };
	x = make_x509(ca_key, tax, ta_key, ca_exts, &tw);
	c = parse_x509(x);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(tu_logged("RFC 7935 section 2: signature algorithm"));
	X509_free(x);
	X509_free(tax);
}

/* DER-level damage: trailing data, BER lengths, truncation. */
static void
test_made_encoding(void)
{
	X509 *tax;
	unsigned char *der, *buf;
	size_t len, i;
	struct cert *c;

	tax = make_ta();
	der = der_of(tax, &len);
	CU_ASSERT_EQUAL_FATAL(der[0], 0x30);
	CU_ASSERT_EQUAL_FATAL(der[1], 0x82);	/* two length octets */

	buf = malloc(len + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	memcpy(buf, der, len);
	buf[len] = 0;
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(cert_parse("made.cer", buf, len + 1));
	CU_ASSERT(tu_logged(
	    "X.690 section 10: trailing data after certificate"));
	free(buf);

	/* Outer length in three octets instead of two: BER. */
	buf = malloc(len + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	buf[0] = 0x30;
	buf[1] = 0x83;
	buf[2] = 0;
	memcpy(buf + 3, der + 2, len - 2);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	c = cert_parse("made.cer", buf, len + 1);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(tu_logged("made.cer: "));
	cert_free(c);
	free(buf);

	/* basicConstraints critical flag TRUE as 0x01 instead of 0xff. */
	buf = malloc(len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	memcpy(buf, der, len);
	for (i = 0; i + 8 <= len; i++)
		if (memcmp(buf + i, "\x06\x03\x55\x1d\x13\x01\x01\xff", 8) == 0)
			break;
	CU_ASSERT_FATAL(i + 8 <= len);
	buf[i + 7] = 0x01;
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	c = cert_parse("made.cer", buf, len);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(tu_logged(
	    "X.690 section 11.1: basicConstraints extension critical flag"));
	cert_free(c);
	free(buf);

	/* Every truncation fails cleanly. */
	for (i = 0; i < len; i += 7) {
		c = cert_parse("made.cer", der, i);
		CU_ASSERT_PTR_NULL(c);
		cert_free(c);
	}
	/* Flipping a byte in the signature leaves parsing intact but breaks the TA check. */
	der[len - 5] ^= 1;
	c = cert_parse("made.cer", der, len);
	CU_ASSERT_PTR_NOT_NULL(c);
	if (c != NULL) {
		struct tal *t = self_tal(c);
		char why[128];

		CU_ASSERT_EQUAL(cert_check_ta(c, t, 1600000000, why,
		    sizeof(why)), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "self-signature"));
		tal_free(t);
	}
	cert_free(c);
	OPENSSL_free(der);
	X509_free(tax);
}

/* Containment failures and TA rules. */
static void
test_made_issuance(void)
{
	static const struct tweak sub = { .cn = "sub" };
	struct ext_conf *exts;
	X509 *tax, *cax, *x;
	struct cert *ta, *ca, *c;
	char why[256];

	tax = make_ta();
	ta = parse_x509(tax);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ta);

	/* Overclaiming IP. */
	exts = mutate(ca_exts, NID_sbgp_ipAddrBlock, NULL,
	    "critical,IPv4:11.0.0.0/16", 0);
	x = make_x509(ca_key, tax, ta_key, exts, NULL);
	c = parse_x509(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(cert_check_issued(c, ta, 1600000000, why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "RFC 6487 section 7.2: IP"));
	cert_free(c);
	X509_free(x);
	free(exts);

	/* Overclaiming AS. */
	exts = mutate(ca_exts, NID_sbgp_autonomousSysNum, NULL,
	    "critical,AS:64496-64512", 0);
	x = make_x509(ca_key, tax, ta_key, exts, NULL);
	c = parse_x509(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(cert_check_issued(c, ta, 1600000000, why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "RFC 6487 section 7.2: AS"));
	/* Failure leaves the child untouched. */
	CU_ASSERT(c->ips->afi[IP_RES_V6].inherit);
	cert_free(c);
	X509_free(x);
	free(exts);

	/* Signed by the wrong key. */
	x = make_x509(ca_key, tax, ca_key, ca_exts, NULL);
	c = parse_x509(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(cert_check_issued(c, ta, 1600000000, why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "signature does not verify"));
	cert_free(c);
	X509_free(x);

	/* Inheriting from an issuer whose resources still inherit. */
	cax = make_x509(ca_key, tax, ta_key, ca_exts, NULL);
	ca = parse_x509(cax);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	x = make_x509(ta_key, cax, ca_key, ca_exts, &sub);
	c = parse_x509(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(cert_check_issued(c, ca, 1600000000, why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "validate the issuer first"));
	cert_free(c);
	X509_free(x);
	cert_free(ca);
	X509_free(cax);

	/* TA rules: inherit, AIA, CRLDP, AKI not matching SKI. */
	exts = mutate(ta_exts, NID_sbgp_ipAddrBlock, NULL,
	    "critical,IPv4:inherit", 0);
	x = make_x509(ta_key, NULL, NULL, exts, NULL);
	CU_ASSERT_PTR_NULL(parse_x509(x));
	CU_ASSERT(tu_logged(
	    "RFC 8630 section 2.3: TA resources must not use inherit"));
	X509_free(x);
	free(exts);
	exts = mutate(ta_exts, NID_info_access, NULL,
	    "caIssuers;URI:rsync://example.net/ta.cer", 1);
	x = make_x509(ta_key, NULL, NULL, exts, NULL);
	CU_ASSERT_PTR_NULL(parse_x509(x));
	CU_ASSERT(tu_logged(
	    "RFC 6487 section 4.8.7: authorityInfoAccess extension not allowed in TA"));
	X509_free(x);
	free(exts);
	exts = mutate(ta_exts, NID_authority_key_identifier, NULL,
	    "0102030405060708090a0b0c0d0e0f1011121314", 1);
	exts[7] = (struct ext_conf){ NID_authority_key_identifier, NULL,
	    "DER:30:16:80:14:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:"
	    "10:11:12:13:14" };
	x = make_x509(ta_key, NULL, NULL, exts, NULL);
	CU_ASSERT_PTR_NULL(parse_x509(x));
	CU_ASSERT(tu_logged(
	    "RFC 6487 section 4.8.3: AKI of a TA must equal its SKI"));
	X509_free(x);
	free(exts);

	cert_free(ta);
	X509_free(tax);
}

/* Router and EE rules. */
static void
test_made_router_ee(void)
{
	struct ext_conf *exts;
	X509 *tax, *x;
	struct cert *c;

	tax = make_ta();
	/* Router with an RSA key. */
	x = make_x509(ca_key, tax, ta_key, router_exts, NULL);
	CU_ASSERT_PTR_NULL(parse_x509(x));
	CU_ASSERT(tu_logged("RFC 8608 section 3: router key must be ECDSA"));
	X509_free(x);
	/* Router with IP resources. */
	exts = mutate(router_exts, NID_sbgp_ipAddrBlock, NULL,
	    "critical,IPv4:10.0.0.0/24", 1);
	x = make_x509(ec_key, tax, ta_key, exts, NULL);
	CU_ASSERT_PTR_NULL(parse_x509(x));
	CU_ASSERT(tu_logged("ipAddrBlocks extension not allowed in router"));
	X509_free(x);
	free(exts);
	/* Router with inherit. */
	exts = mutate(router_exts, NID_sbgp_autonomousSysNum, NULL,
	    "critical,AS:inherit", 0);
	x = make_x509(ec_key, tax, ta_key, exts, NULL);
	CU_ASSERT_PTR_NULL(parse_x509(x));
	CU_ASSERT(tu_logged("RFC 8209 section 3.1.3.5"));
	X509_free(x);
	free(exts);
	/* EKU without the BGPsec purpose. */
	exts = mutate(router_exts, NID_ext_key_usage, NULL, "serverAuth", 0);
	x = make_x509(ec_key, tax, ta_key, exts, NULL);
	CU_ASSERT_PTR_NULL(parse_x509(x));
	CU_ASSERT(tu_logged(
	    "RFC 8209 section 3.1.3.2: EKU lacks id-kp-bgpsec-router"));
	X509_free(x);
	free(exts);

	/* EE without SIA; with a CA-only access method; with keyCertSign. */
	exts = mutate(ee_exts, NID_sinfo_access, NULL, NULL, 0);
	x = make_x509(ca_key, tax, ta_key, exts, NULL);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(parse_ee("made.roa", x, 0));
	CU_ASSERT(tu_logged("RFC 6487 section 4.8.8.2: SIA missing"));
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	c = parse_ee("made.sig", x, CERT_EE_NO_SIA);
	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT_PTR_NULL(c != NULL ? c->signedobj : NULL);
	cert_free(c);
	X509_free(x);
	free(exts);
	exts = mutate(ee_exts, NID_sinfo_access, NULL,
	    "1.3.6.1.5.5.7.48.11;URI:rsync://example.net/repo/x.roa,"
	    "1.3.6.1.5.5.7.48.10;URI:rsync://example.net/repo/x.mft", 0);
	x = make_x509(ca_key, tax, ta_key, exts, NULL);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(parse_ee("made.roa", x, 0));
	CU_ASSERT(tu_logged(
	    "RFC 6487 section 4.8.8.2: access method rpkiManifest not allowed in EE"));
	X509_free(x);
	free(exts);
	exts = mutate(ee_exts, NID_key_usage, NULL,
	    "critical,digitalSignature,keyCertSign", 0);
	x = make_x509(ca_key, tax, ta_key, exts, NULL);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(parse_ee("made.roa", x, 0));
	CU_ASSERT(tu_logged(
	    "RFC 6487 section 4.8.4: keyUsage must be digitalSignature only"));
	X509_free(x);
	free(exts);
	exts = mutate(ee_exts, NID_basic_constraints, NULL, "critical,CA:TRUE",
	    1);
	x = make_x509(ca_key, tax, ta_key, exts, NULL);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(parse_ee("made.roa", x, 0));
	CU_ASSERT(tu_logged("basicConstraints not allowed in EE"));
	X509_free(x);
	free(exts);
	CU_ASSERT_PTR_NULL(cert_parse_ee("made.roa", NULL, 0, 0));
	X509_free(tax);
	cert_free(NULL);
	CU_ASSERT_STRING_EQUAL(cert_purpose_name(CERT_ROUTER), "router");
}

/*
 * Profile incidences (validator/incidence.c): each deviation is accepted
 * and counted once per occurrence; what stays forbidden stays rejected.
 */
static void
test_made_incidences(void)
{
	struct tweak tw = { .utf8_cn = 1, .cn = "caf\xc3\xa9" };
	struct ext_conf *exts;
	struct cert *c;
	X509 *tax, *x;
	uint64_t n;

	CU_ASSERT_STRING_EQUAL(incidence_name(INCIDENCE_EE_SIA_NOTIFY),
	    "ee-sia-rpkinotify");
	CU_ASSERT_STRING_EQUAL(incidence_name(INCIDENCE_NAME_UTF8),
	    "name-utf8string");
	CU_ASSERT_STRING_EQUAL(incidence_name(INCIDENCE_COUNT), "unknown");
	CU_ASSERT_STRING_EQUAL(incidence_summary(INCIDENCE_COUNT), "");
	CU_ASSERT_PTR_NOT_NULL(strstr(incidence_summary(
	    INCIDENCE_EE_SIA_NOTIFY), "4.8.8.2"));
	incidence_note(INCIDENCE_COUNT, "x");	/* ignored */
	CU_ASSERT_EQUAL(incidence_count(INCIDENCE_COUNT), 0);
	incidence_reset();
	CU_ASSERT_EQUAL(incidence_count(INCIDENCE_NAME_UTF8), 0);
	CU_ASSERT_EQUAL(incidence_count(INCIDENCE_EE_SIA_NOTIFY), 0);

	/* A UTF8String subject CN (APNIC TAK, rpki-rs router.cer). */
	tax = make_ta();
	x = make_x509(ca_key, tax, ta_key, ca_exts, &tw);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	c = parse_x509(x);
	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT_EQUAL(incidence_count(INCIDENCE_NAME_UTF8), 1);
	cert_free(c);
	X509_free(x);

	/* rpkiNotify in an EE's SIA (RIPE NCC 2019): ignored, counted. */
	exts = mutate(ee_exts, NID_sinfo_access, NULL,
	    "1.3.6.1.5.5.7.48.11;URI:rsync://example.net/repo/x.roa,"
	    "1.3.6.1.5.5.7.48.13;URI:https://example.net/notify.xml", 0);
	x = make_x509(ca_key, tax, ta_key, exts, NULL);
	n = incidence_count(INCIDENCE_NAME_UTF8);
	c = parse_ee("made.roa", x, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(incidence_count(INCIDENCE_EE_SIA_NOTIFY), 1);
	CU_ASSERT_EQUAL(incidence_count(INCIDENCE_NAME_UTF8), n);
	CU_ASSERT_PTR_NULL(c->notify);
	CU_ASSERT_STRING_EQUAL(c->signedobj, "rsync://example.net/repo/x.roa");
	cert_free(c);
	X509_free(x);
	free(exts);

	/* rpkiNotify alone: still no signedObject. */
	exts = mutate(ee_exts, NID_sinfo_access, NULL,
	    "1.3.6.1.5.5.7.48.13;URI:https://example.net/notify.xml", 0);
	x = make_x509(ca_key, tax, ta_key, exts, NULL);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(parse_ee("made.roa", x, 0));
	CU_ASSERT(tu_logged(
	    "RFC 6487 section 4.8.8.2: SIA lacks an rsync signedObject URI"));
	CU_ASSERT_EQUAL(incidence_count(INCIDENCE_EE_SIA_NOTIFY), 2);
	X509_free(x);
	free(exts);

	/* Several caIssuers URIs (RFC 6487 section 4.8.7): first rsync. */
	exts = mutate(ca_exts, NID_info_access, NULL,
	    "caIssuers;URI:https://example.net/ta.cer,"
	    "caIssuers;URI:rsync://example.net/a/ta.cer,"
	    "caIssuers;URI:rsync://example.net/b/ta.cer", 0);
	x = make_x509(ca_key, tax, ta_key, exts, NULL);
	c = parse_x509(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->aia, "rsync://example.net/a/ta.cer");
	cert_free(c);
	X509_free(x);
	free(exts);
	/* ... but every one must be caIssuers. */
	exts = mutate(ca_exts, NID_info_access, NULL,
	    "caIssuers;URI:rsync://example.net/ta.cer,"
	    "OCSP;URI:https://example.net/ocsp", 0);
	x = make_x509(ca_key, tax, ta_key, exts, NULL);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(parse_x509(x));
	CU_ASSERT(tu_logged(
	    "RFC 6487 section 4.8.7: AIA access method must be caIssuers"));
	X509_free(x);
	free(exts);
	/* ... and their number is bounded. */
	exts = mutate(ca_exts, NID_info_access, NULL,
	    "caIssuers;URI:rsync://example.net/1.cer,"
	    "caIssuers;URI:rsync://example.net/2.cer,"
	    "caIssuers;URI:rsync://example.net/3.cer,"
	    "caIssuers;URI:rsync://example.net/4.cer,"
	    "caIssuers;URI:rsync://example.net/5.cer,"
	    "caIssuers;URI:rsync://example.net/6.cer,"
	    "caIssuers;URI:rsync://example.net/7.cer,"
	    "caIssuers;URI:rsync://example.net/8.cer,"
	    "caIssuers;URI:rsync://example.net/9.cer", 0);
	x = make_x509(ca_key, tax, ta_key, exts, NULL);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(parse_x509(x));
	CU_ASSERT(tu_logged(
	    "RFC 6487 section 4.8.7: AIA has more than 8 access descriptions"));
	X509_free(x);
	free(exts);
	X509_free(tax);
}

static int
cert_init(void)
{
	if (tu_log_capture_start(LOG_LEVEL_WARNING) == -1)
		return -1;
	ta_key = EVP_RSA_gen(2048);
	ca_key = EVP_RSA_gen(2048);
	small_key = EVP_RSA_gen(1024);
	ec_key = EVP_EC_gen("P-256");
	if (ta_key == NULL || ca_key == NULL || small_key == NULL ||
	    ec_key == NULL)
		return -1;
	return 0;
}

static int
cert_fini(void)
{
	EVP_PKEY_free(ta_key);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(small_key);
	EVP_PKEY_free(ec_key);
	tu_log_capture_end();
	return 0;
}

/*
 * Each EE mutation (as ca_mutations), with the flags cert_parse_ee() gets;
 * why NULL means both readers accept.
 */
static const struct ee_mutation {
	int		 nid;
	const char	*oid;
	const char	*val;
	int		 append;
	int		 flags;
	const char	*why;
} ee_mutations[] = {
	{ NID_subject_key_identifier, NULL, NULL, 0, 0,
	  "RFC 6487 section 4.8.2: subjectKeyIdentifier extension missing" },
	{ NID_subject_key_identifier, NULL,
	  "0102030405060708090a0b0c0d0e0f1011121314", 0, 0,
	  "RFC 6487 section 4.8.2: SKI is not the SHA-1 hash" },
	{ NID_subject_key_identifier, NULL, "0102", 0, 0,
	  "RFC 6487 section 4.8.2: SKI must be 20 octets" },
	{ NID_subject_key_identifier, NULL, "critical,hash", 0, 0,
	  "subjectKeyIdentifier extension must not be critical" },
	{ NID_subject_key_identifier, NULL, "hash", 1, 0,
	  "RFC 5280 section 4.2: duplicate subjectKeyIdentifier" },
	{ NID_subject_key_identifier, NULL, "DER:04:14:01", 0, 0,
	  "X.690 section 10: extension subjectKeyIdentifier: malformed" },
	{ NID_authority_key_identifier, NULL, NULL, 0, 0,
	  "RFC 6487 section 4.8.3: authorityKeyIdentifier extension missing" },
	{ NID_authority_key_identifier, NULL, "keyid:always,issuer:always", 0,
	  0, "RFC 6487 section 4.8.3: AKI must have keyIdentifier only" },
	{ NID_authority_key_identifier, NULL, "DER:30:03:80:01:01", 0, 0,
	  "RFC 6487 section 4.8.3: AKI must be 20 octets" },
	{ NID_authority_key_identifier, NULL, "DER:30:81:03:80:01:01", 0, 0,
	  "X.690 section 10: extension authorityKeyIdentifier is not DER" },
	{ NID_key_usage, NULL, NULL, 0, 0,
	  "RFC 6487 section 4.8.4: keyUsage extension missing" },
	{ NID_key_usage, NULL, "digitalSignature", 0, 0,
	  "RFC 6487 section 4.8.4: keyUsage extension must be critical" },
	{ NID_key_usage, NULL, "critical,digitalSignature,nonRepudiation", 0, 0,
	  "RFC 6487 section 4.8.4: keyUsage must be digitalSignature only" },
	/* BIT STRING with a trailing zero octet: not DER. */
	{ NID_key_usage, NULL, "critical,DER:03:03:07:80:00", 0, 0,
	  "RFC 6487 section 4.8.4: keyUsage must be digitalSignature only" },
	/* BIT STRING with a non-zero unused bit: not DER. */
	{ NID_key_usage, NULL, "critical,DER:03:02:07:81", 0, 0,
	  "X.690 section 10: extension keyUsage" },
	{ NID_basic_constraints, NULL, "critical,CA:FALSE", 1, 0,
	  "RFC 6487 section 4.8.1: basicConstraints not allowed in EE" },
	{ NID_ext_key_usage, NULL, "1.3.6.1.5.5.7.3.30", 1, 0,
	  "RFC 6487 section 4.8.5: extendedKeyUsage not allowed in EE" },
	{ NID_crl_distribution_points, NULL, NULL, 0, 0,
	  "RFC 6487 section 4.8.6: cRLDistributionPoints extension missing" },
	{ NID_crl_distribution_points, NULL,
	  "URI:https://example.net/repo/ta.crl", 0, 0,
	  "RFC 6487 section 4.8.6: CRLDP has no rsync URI" },
	{ NID_crl_distribution_points, NULL,
	  "URI:https://example.net/a.crl,URI:rsync://example.net/repo/ta.crl",
	  0, 0, "RFC 6487 section 4.8.6: CRLDP must have exactly one" },
	{ NID_info_access, NULL, "caIssuers;URI:https://example.net/ta.cer,"
	  "caIssuers;URI:rsync://example.net/ta.cer", 0, 0, NULL },
	{ NID_info_access, NULL, NULL, 0, 0,
	  "RFC 6487 section 4.8.7: authorityInfoAccess extension missing" },
	{ NID_info_access, NULL, "OCSP;URI:rsync://example.net/ta.cer", 0, 0,
	  "RFC 6487 section 4.8.7: AIA access method must be caIssuers" },
	{ NID_info_access, NULL,
	  "critical,caIssuers;URI:rsync://example.net/ta.cer", 0, 0,
	  "authorityInfoAccess extension must not be critical" },
	{ NID_sinfo_access, NULL, NULL, 0, 0,
	  "RFC 6487 section 4.8.8.2: SIA missing in EE" },
	{ NID_sinfo_access, NULL, NULL, 0, CERT_EE_NO_SIA, NULL },
	{ NID_sinfo_access, NULL,
	  "1.3.6.1.5.5.7.48.11;URI:rsync://example.net/repo/x.roa", 0,
	  CERT_EE_NO_SIA, "RFC 9323 section 2: SIA must be absent" },
	{ NID_sinfo_access, NULL,
	  "1.3.6.1.5.5.7.48.11;URI:https://example.net/repo/x.roa", 0, 0,
	  "RFC 6487 section 4.8.8.2: SIA lacks an rsync signedObject URI" },
	{ NID_sinfo_access, NULL,
	  "1.3.6.1.5.5.7.48.5;URI:rsync://example.net/repo/", 0, 0,
	  "RFC 6487 section 4.8.8.2: access method caRepository not allowed" },
	{ NID_sinfo_access, NULL,
	  "1.3.6.1.5.5.7.48.11;URI:rsync://example.net/re po/x.roa", 0, 0,
	  "RFC 6487 section 4.8.8.2: URI has a forbidden character (0x20)" },
	{ NID_certificate_policies, NULL, NULL, 0, 0,
	  "RFC 6487 section 4.8.9: certificatePolicies extension missing" },
	{ NID_certificate_policies, NULL, CP_DER "02", 0, 0,
	  "RFC 6487 section 4.8.9: certificatePolicies extension must be "
	  "critical" },
	{ NID_certificate_policies, NULL, "critical," CP_DER "03", 0, 0,
	  "RFC 6487 section 4.8.9: policy must be id-cp-ipAddr-asNumber" },
	{ NID_sbgp_ipAddrBlock, NULL, NULL, 0, 0,
	  "RFC 6487 section 4.8.10: neither IP nor AS resources present" },
	{ NID_sbgp_autonomousSysNum, NULL, "critical,AS:64500", 1, 0, NULL },
	{ NID_sbgp_ipAddrBlock, NULL, "IPv4:10.1.0.0/16", 0, 0,
	  "RFC 6487 section 4.8.10: ipAddrBlocks extension must be critical" },
	{ NID_sbgp_ipAddrBlock, NULL,
	  "critical,DER:30:10:30:0e:04:02:00:01:30:08:03:02:00:0b:03:02:00:0a",
	  0, 0, "RFC 3779 section 2.2.3.6: IPv4 entries unsorted" },
	{ NID_sbgp_ipAddrBlock, NULL, "critical,IPv4:10.0.0.0/8,IPv6:::/0", 0,
	  0, NULL },
	{ NID_sbgp_autonomousSysNum, NULL,
	  "critical,DER:30:09:a0:07:30:05:02:03:00:00:01", 1, 0,
	  "X.690 section 10: extension sbgp-autonomousSysNum: malformed" },
	{ NID_subject_alt_name, NULL, "DNS:example.net", 1, 0,
	  "RFC 6487 section 4.8: unexpected extension 2.5.29.17" },
	{ NID_inhibit_any_policy, NULL, "critical,1", 1, 0,
	  "RFC 6487 section 4.8: unexpected critical extension 2.5.29.54" },
	{ 0, "1.3.6.1.5.5.7.1.28", "critical,DER:30:00", 1, 0,
	  "RFC 6487 section 4.8: unexpected critical extension "
	  "1.3.6.1.5.5.7.1.28" },
};

/* Both EE readers on x's DER; the DER reader's warnings must cite why. */
static void
ee_paths_agree(X509 *x, int flags, const char *why)
{
	struct certee_result res;
	unsigned char *der;
	size_t len;

	der = der_of(x, &len);
	CU_ASSERT(certee_agree("made.roa", der, len, flags, &res));
	CU_ASSERT_EQUAL(res.der_ok, why == NULL);
	if (res.der_ok != (why == NULL))
		fprintf(stderr, "\nwanted %s, log: %s\n", why == NULL ?
		    "success" : why, res.der_log);
	if (why != NULL && strstr(res.der_log, why) == NULL) {
		fprintf(stderr, "\nwanted \"%s\", log: %s\n", why, res.der_log);
		CU_FAIL("EE reader's reason");
	}
	OPENSSL_free(der);
}

/*
 * The DER of x with extra (n bytes) put into the TBSCertificate before
 * its extensions, lengths fixed (a v1 field where RFC 6487 wants none).
 */
static unsigned char *
der_with_tbs_field(X509 *x, const unsigned char *extra, size_t n,
    size_t *outlen)
{
	unsigned char *der, *tbs, *out;
	const unsigned char *ext3;
	size_t len, tlen, olen, i;
	struct certder parts;

	der = der_of(x, &len);
	CU_ASSERT_FATAL(certder_split(der, len, &parts) == NULL);
	/* The [3] header, with two length octets, before the SEQUENCE. */
	ext3 = parts.exts.hdr - 4;
	CU_ASSERT_FATAL(ext3[0] == 0xa3 && ext3[1] == 0x82);
	/* TBS content: fields up to [3], extra, [3] to the end. */
	tlen = parts.tbs.len + n;
	tbs = malloc(tlen + 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tbs);
	tbs[0] = 0x30;
	tbs[1] = 0x82;
	tbs[2] = tlen >> 8;
	tbs[3] = tlen & 0xff;
	i = (size_t)(ext3 - parts.tbs.val);
	memcpy(tbs + 4, parts.tbs.val, i);
	memcpy(tbs + 4 + i, extra, n);
	memcpy(tbs + 4 + i + n, ext3, parts.tbs.len - i);
	olen = tlen + 4 + parts.sigalg.tlv_len + (der + len -
	    (parts.sigalg.hdr + parts.sigalg.tlv_len));
	out = malloc(olen + 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	out[0] = 0x30;
	out[1] = 0x82;
	out[2] = olen >> 8;
	out[3] = olen & 0xff;
	memcpy(out + 4, tbs, tlen + 4);
	memcpy(out + 4 + tlen + 4, parts.sigalg.hdr, olen - tlen - 4);
	*outlen = olen + 4;
	free(tbs);
	OPENSSL_free(der);
	return out;
}

/*
 * Hand-made EEs breaking each rule of the profile, through both readers
 * (tests/unit/test_certee.c has the corpus and the damaged copies).
 */
static void
test_made_ee_paths(void)
{
	static const struct {
		struct tweak	 tw;
		int		 key;	/* 0 RSA-2048, 1 RSA-1024, 2 P-256 */
		const char	*why;
	} body[] = {
		{ { .version = 1 }, 0, "RFC 6487 section 4.1: version must be 3" },
		{ { .serial = -5 }, 0, "RFC 6487 section 4.2" },
		{ { .gentime = 1 }, 0, "RFC 5280 section 4.1.2.5" },
		{ { .extra_o = 1 }, 0, "RFC 6487 section 4.5: subject name has an attribute other than" },
		{ { .utf8_cn = 1, .cn = "a\001b" }, 0, "RFC 6487 section 4.5: subject name attribute CN is not a PrintableString" },
		{ { .utf8_cn = 1, .cn = "caf\xc3\xa9" }, 0, NULL },
		{ { .cn = "a_b" }, 0, "not a PrintableString" },
		{ { .serial = 0 }, 1, "RFC 7935 section 3: key must be RSA-2048" },
		{ { .serial = 0 }, 2, "RFC 7935 section 3: key must be RSA-2048" },
	};
	/* issuerUniqueID and subjectUniqueID, empty BIT STRINGs. */
	static const unsigned char uids[] = { 0x81, 0x01, 0x00, 0x82, 0x01,
	    0x00 };
	EVP_PKEY *keys[3];
	const struct ee_mutation *m;
	struct certee_result res;
	struct ext_conf *exts;
	struct tweak tw;
	unsigned char *der;
	size_t i, len;
	ASN1_TIME *t;
	X509 *tax, *x;

	keys[0] = ca_key;
	keys[1] = small_key;
	keys[2] = ec_key;
	tax = make_ta();
	x = make_x509(ca_key, tax, ta_key, ee_exts, NULL);
	ee_paths_agree(x, 0, NULL);
	X509_free(x);
	for (i = 0; i < sizeof(ee_mutations) / sizeof(ee_mutations[0]); i++) {
		m = &ee_mutations[i];
		exts = mutate(ee_exts, m->nid, m->oid, m->val, m->append);
		x = make_x509(ca_key, tax, ta_key, exts, NULL);
		ee_paths_agree(x, m->flags, m->why);
		X509_free(x);
		free(exts);
	}
	for (i = 0; i < sizeof(body) / sizeof(body[0]); i++) {
		tw = body[i].tw;
		x = make_x509(keys[body[i].key], tax, ta_key, ee_exts, &tw);
		ee_paths_agree(x, 0, body[i].why);
		X509_free(x);
	}
	/* SHA-384 signatures are not RFC 7935. */
	tw = (struct tweak){ .md = EVP_sha384() };
	x = make_x509(ca_key, tax, ta_key, ee_exts, &tw);
	ee_paths_agree(x, 0, "RFC 7935 section 2: signature algorithm");
	X509_free(x);
	/* notBefore after notAfter. */
	x = make_x509(ca_key, tax, ta_key, ee_exts, NULL);
	t = ASN1_TIME_set(NULL, 2208988801LL);
	CU_ASSERT_FATAL(X509_set1_notBefore(x, t));
	ASN1_TIME_free(t);
	ee_paths_agree(x, 0, "RFC 6487 section 4.6: notBefore is after");
	/* Unique IDs; then a field no version has. */
	der = der_with_tbs_field(x, uids, sizeof(uids), &len);
	CU_ASSERT(certee_agree("made.roa", der, len, 0, &res));
	CU_ASSERT(strstr(res.der_log, "issuerUniqueID and subjectUniqueID "
	    "must be absent") != NULL);
	free(der);
	der = der_with_tbs_field(x, (const unsigned char *)"\x84\x00", 2,
	    &len);
	CU_ASSERT(certee_agree("made.roa", der, len, 0, &res));
	CU_ASSERT(strstr(res.der_log, "RFC 6487 section 4: malformed") !=
	    NULL);
	free(der);
	X509_free(x);
	X509_free(tax);
}

REEF_SUITE_FULL(cert, cert_init, cert_fini,
    REEF_TEST(test_corpus), REEF_TEST(test_corpus_complete),
    REEF_TEST(test_corpus_fields), REEF_TEST(test_chains), REEF_TEST(test_ta),
    REEF_TEST(test_made_good), REEF_TEST(test_made_mutations),
    REEF_TEST(test_made_body), REEF_TEST(test_made_encoding),
    REEF_TEST(test_made_issuance), REEF_TEST(test_made_router_ee),
    REEF_TEST(test_made_incidences), REEF_TEST(test_made_ee_paths))
