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
#include "validator/der.h"

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
	/*
	 * Its sid is its EE certificate's SKI: the empty keyUsage is the
	 * EE profile's business (cert_parse_ee(), RFC 6487 section 4.8.4),
	 * whatever OpenSSL makes of the certificate.
	 */
	{ "badEEKeyUsageNoDigitalSig.roa", NULL },
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
				CU_ASSERT_PTR_NOT_NULL(obj->ee_der);
				CU_ASSERT(obj->ee_der_len > 0);
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

/* A growing byte buffer for building test encodings. */
struct tbuf {
	unsigned char	*p;
	size_t		 len;
};

static void
tbuf_put(struct tbuf *b, const void *data, size_t n)
{
	b->p = realloc(b->p, b->len + n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b->p);
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

/* Identifier and minimal definite length octets. */
static void
tbuf_hdr(struct tbuf *b, unsigned char tag, size_t len)
{
	unsigned char	h[6];
	size_t		n = 0, k;

	h[n++] = tag;
	if (len < 0x80)
		h[n++] = (unsigned char)len;
	else {
		for (k = 1; k < 4 && (len >> (8 * k)) != 0; k++)
			;
		h[n++] = 0x80 | (unsigned char)k;
		while (k-- > 0)
			h[n++] = (unsigned char)(len >> (8 * k));
	}
	tbuf_put(b, h, n);
}

static void
tbuf_indef(struct tbuf *b, unsigned char tag)
{
	unsigned char	h[2] = { tag, 0x80 };

	tbuf_put(b, h, 2);
}

static void
tbuf_eoc(struct tbuf *b)
{
	static const unsigned char	eoc[2] = { 0, 0 };

	tbuf_put(b, eoc, 2);
}

static void
tbuf_tlv(struct tbuf *b, const struct der_tlv *t)
{
	tbuf_put(b, t->hdr, t->tlv_len);
}

/* The parts of a DER signed object the re-framing tests move around. */
struct cms_parts {
	struct der_tlv	ct, content, version, digest_algs, ec_type;
	struct der_tlv	econtent, certs, cert, signers, si, sid;
	struct der_tlv	signed_attrs, sig;
	struct der_tlv	attr_values;	/* of the first signed attribute */
};

/* Take a DER signed object apart; fatal assertions on the way. */
static void
cms_split(const unsigned char *der, size_t len, struct cms_parts *p)
{
	struct der	d, ci, sd, enc, ec, sis, si, in;
	struct der_tlv	t;

	der_init(&d, der, len);
	CU_ASSERT_EQUAL_FATAL(der_expect(&d, DER_SEQUENCE, &t), DER_OK);
	der_enter(&ci, &t);
	CU_ASSERT_EQUAL_FATAL(der_expect(&ci, DER_OID, &p->ct), DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_expect(&ci, 0xa0, &p->content), DER_OK);
	der_enter(&sd, &p->content);
	CU_ASSERT_EQUAL_FATAL(der_expect(&sd, DER_SEQUENCE, &t), DER_OK);
	der_enter(&sd, &t);
	CU_ASSERT_EQUAL_FATAL(der_expect(&sd, DER_INTEGER, &p->version),
	    DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_expect(&sd, DER_SET, &p->digest_algs),
	    DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_expect(&sd, DER_SEQUENCE, &t), DER_OK);
	der_enter(&enc, &t);
	CU_ASSERT_EQUAL_FATAL(der_expect(&enc, DER_OID, &p->ec_type), DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_expect(&enc, 0xa0, &t), DER_OK);
	der_enter(&ec, &t);
	CU_ASSERT_EQUAL_FATAL(der_expect(&ec, DER_OCTET_STRING,
	    &p->econtent), DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_expect(&sd, 0xa0, &p->certs), DER_OK);
	der_enter(&in, &p->certs);
	CU_ASSERT_EQUAL_FATAL(der_expect(&in, DER_SEQUENCE, &p->cert), DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_expect(&sd, DER_SET, &p->signers), DER_OK);
	der_enter(&sis, &p->signers);
	CU_ASSERT_EQUAL_FATAL(der_expect(&sis, DER_SEQUENCE, &p->si), DER_OK);
	der_enter(&si, &p->si);
	CU_ASSERT_EQUAL_FATAL(der_expect(&si, DER_INTEGER, &t), DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_expect(&si, 0x80, &p->sid), DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_expect(&si, DER_SEQUENCE, &t), DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_expect(&si, 0xa0, &p->signed_attrs),
	    DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_expect(&si, DER_SEQUENCE, &t), DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_expect(&si, DER_OCTET_STRING, &p->sig),
	    DER_OK);
	der_enter(&in, &p->signed_attrs);
	CU_ASSERT_EQUAL_FATAL(der_expect(&in, DER_SEQUENCE, &t), DER_OK);
	der_enter(&in, &t);
	CU_ASSERT_EQUAL_FATAL(der_expect(&in, DER_OID, &t), DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_expect(&in, DER_SET, &p->attr_values),
	    DER_OK);
}

/* How cms_reframe() re-encodes the framing. */
struct reframe {
	size_t	segment;	/* eContent in segments this long; 0: as is */
	int	nested;		/* one more constructed level around */
	int	si_indef;	/* SignerInfo in indefinite form too */
	int	extra;		/* a NULL after the SignedData in [0] */
};

/*
 * The object in p re-encoded the way the RIPE NCC once published them:
 * every framing TLV (ContentInfo, [0], SignedData, encapContentInfo,
 * [0], certificates) with indefinite length, optionally with more BER.
 * Returns a malloc'd buffer of *len bytes.
 */
static unsigned char *
cms_reframe(const struct cms_parts *p, const struct reframe *how,
    size_t *len)
{
	struct tbuf	b = { NULL, 0 };
	struct der	certs;
	struct der_tlv	t;
	size_t		off, n;

	tbuf_indef(&b, DER_SEQUENCE);
	tbuf_tlv(&b, &p->ct);
	tbuf_indef(&b, 0xa0);
	tbuf_indef(&b, DER_SEQUENCE);
	tbuf_tlv(&b, &p->version);
	tbuf_tlv(&b, &p->digest_algs);
	tbuf_indef(&b, DER_SEQUENCE);
	tbuf_tlv(&b, &p->ec_type);
	tbuf_indef(&b, 0xa0);
	if (how->segment == 0)
		tbuf_tlv(&b, &p->econtent);
	else {
		tbuf_indef(&b, DER_OCTET_STRING | DER_CONSTRUCTED);
		if (how->nested)
			tbuf_indef(&b, DER_OCTET_STRING | DER_CONSTRUCTED);
		for (off = 0; off < p->econtent.len; off += n) {
			n = p->econtent.len - off < how->segment ?
			    p->econtent.len - off : how->segment;
			tbuf_hdr(&b, DER_OCTET_STRING, n);
			tbuf_put(&b, p->econtent.val + off, n);
		}
		if (how->nested)
			tbuf_eoc(&b);
		tbuf_eoc(&b);
	}
	tbuf_eoc(&b);			/* [0] eContent */
	tbuf_eoc(&b);			/* encapContentInfo */
	tbuf_indef(&b, 0xa0);
	der_enter(&certs, &p->certs);
	while (der_next(&certs, &t) == DER_OK)
		tbuf_tlv(&b, &t);
	tbuf_eoc(&b);			/* certificates */
	if (!how->si_indef)
		tbuf_tlv(&b, &p->signers);
	else {
		tbuf_indef(&b, DER_SET);
		tbuf_indef(&b, DER_SEQUENCE);
		tbuf_put(&b, p->si.val, p->si.len);
		tbuf_eoc(&b);
		tbuf_eoc(&b);
	}
	tbuf_eoc(&b);			/* SignedData */
	if (how->extra)
		tbuf_hdr(&b, DER_NULL, 0);
	tbuf_eoc(&b);			/* [0] content */
	tbuf_eoc(&b);			/* ContentInfo */
	*len = b.len;
	return b.p;
}

/*
 * BER framing as real objects carry it is read (indefinite lengths, a
 * constructed eContent), and gives exactly the eContent of the DER form;
 * any other BER is refused.
 */
static void
test_cms_ber_framing(void)
{
	static const struct {
		struct reframe	 how;
		const char	*reason;	/* NULL: accepted */
	} cases[] = {
		{ { 0, 0, 0, 0 }, NULL },
		{ { 7, 0, 0, 0 }, NULL },
		{ { 1000, 0, 0, 0 }, NULL },
		/* segments in segments: der_octets_ber() reads one level */
		{ { 7, 1, 0, 0 }, "EncapsulatedContentInfo (RFC 5652 section "
		    "5.2): indefinite length" },
		{ { 0, 0, 1, 0 }, "SignerInfo (RFC 5652 section 5.3): "
		    "indefinite length" },
		{ { 0, 0, 0, 1 }, "ContentInfo (RFC 5652 section 3): "
		    "unexpected data after the last element" },
	};
	struct cms_object	*ref, *obj;
	struct cms_parts	 parts;
	unsigned char		*der, *ber;
	size_t			 len, blen, i;
	const char		*log;

	TU_NEED_CORPUS();
	der = tu_corpus_load(BBN "goodROANothingWrong.roa", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	ref = cms_parse("t.roa", der, len, OID_CT_ROA);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	cms_split(der, len, &parts);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ber = cms_reframe(&parts, &cases[i].how, &blen);
		CU_ASSERT(blen > len);
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		obj = cms_parse("t.roa", ber, blen, OID_CT_ROA);
		log = tu_log_capture_end();
		if (cases[i].reason == NULL) {
			CU_ASSERT_PTR_NOT_NULL(obj);
			if (obj != NULL) {
				CU_ASSERT_EQUAL(obj->econtent_len,
				    ref->econtent_len);
				CU_ASSERT(memcmp(obj->econtent, ref->econtent,
				    ref->econtent_len) == 0);
				CU_ASSERT_EQUAL(obj->has_signing_time,
				    ref->has_signing_time);
				CU_ASSERT_EQUAL(obj->signing_time,
				    ref->signing_time);
			}
		} else {
			CU_ASSERT_PTR_NULL(obj);
			CU_ASSERT_PTR_NOT_NULL(strstr(log, "RFC 6488 section "
			    "2: not a CMS SignedData object"));
			if (strstr(log, cases[i].reason) == NULL) {
				fprintf(stderr, "log \"%s\", want \"%s\"\n",
				    log, cases[i].reason);
				CU_FAIL("reason");
			}
		}
		cms_object_free(obj);
		free(ber);
	}
	cms_object_free(ref);
	free(der);
}

/* DER damage in places the signature does not cover. */
static void
test_cms_der_framing(void)
{
	struct cms_parts	 parts;
	unsigned char		*der, *m, tmp[512];
	size_t			 len, a, b;
	struct der		 sa;
	struct der_tlv		 t1, t2;

	TU_NEED_CORPUS();
	der = tu_corpus_load(BBN "goodROANothingWrong.roa", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	CU_ASSERT_FATAL((m = malloc(len + 1)) != NULL);
	CU_ASSERT_FATAL(der[1] == 0x82);

	/* the outer length in three octets instead of two */
	m[0] = der[0];
	m[1] = 0x83;
	m[2] = 0;
	memcpy(m + 3, der + 2, len - 2);
	CU_ASSERT(expect_reject(m, len + 1, OID_CT_ROA, "ContentInfo (RFC "
	    "5652 section 3): length not in minimal form"));

	/* outer length one too long, one too short */
	memcpy(m, der, len);
	m[3]++;
	CU_ASSERT(expect_reject(m, len, OID_CT_ROA, "RFC 6488 section 2: "
	    "not a CMS SignedData object: ContentInfo (RFC 5652 section 3): "
	    "TLV runs past the end"));
	m[3] -= 2;
	CU_ASSERT(expect_reject(m, len, OID_CT_ROA, "RFC 6488 section 2: "
	    "not a CMS SignedData object"));

	/* a high tag number as the outer identifier */
	memcpy(m, der, len);
	m[0] = 0x3f;
	CU_ASSERT(expect_reject(m, len, OID_CT_ROA, "tag number above 30"));

	/* the first two signed attributes swapped: not a DER SET OF */
	cms_split(der, len, &parts);
	der_enter(&sa, &parts.signed_attrs);
	CU_ASSERT_EQUAL_FATAL(der_next(&sa, &t1), DER_OK);
	CU_ASSERT_EQUAL_FATAL(der_next(&sa, &t2), DER_OK);
	CU_ASSERT_FATAL(t1.tlv_len + t2.tlv_len <= sizeof(tmp));
	a = (size_t)(t1.hdr - der);
	b = t1.tlv_len + t2.tlv_len;
	memcpy(tmp, t2.hdr, t2.tlv_len);
	memcpy(tmp + t2.tlv_len, t1.hdr, t1.tlv_len);
	memcpy(m, der, len);
	memcpy(m + a, tmp, b);
	CU_ASSERT(expect_reject(m, len, OID_CT_ROA, "RFC 6488 section "
	    "2.1.6.4: signedAttrs: SET OF elements not in DER order (X.690 "
	    "section 11.6)"));

	free(m);
	free(der);
}

/*
 * The EE certificate of p with its outer signatureAlgorithm's first
 * length octet in long form, which OpenSSL accepts and encodes again in
 * DER, and the object framed around it (cms_reframe()).  Returns the
 * new object, of *len bytes.
 */
static unsigned char *
cms_ber_sigalg(struct cms_parts *p, size_t *len)
{
	struct tbuf	 cert = { NULL, 0 }, certs = { NULL, 0 };
	struct reframe	 how = { 0, 0, 0, 0 };
	struct der	 in;
	struct der_tlv	 tbs, alg, sig;
	unsigned char	*out;

	der_enter(&in, &p->cert);
	CU_ASSERT_FATAL(der_expect(&in, DER_SEQUENCE, &tbs) == DER_OK &&
	    der_expect(&in, DER_SEQUENCE, &alg) == DER_OK &&
	    der_expect(&in, DER_BIT_STRING, &sig) == DER_OK);
	CU_ASSERT_FATAL(alg.len < 0x80);
	tbuf_tlv(&cert, &tbs);
	tbuf_put(&cert, (const unsigned char []){ DER_SEQUENCE, 0x81 }, 2);
	tbuf_put(&cert, (const unsigned char []){ (unsigned char)alg.len },
	    1);
	tbuf_put(&cert, alg.val, alg.len);
	tbuf_tlv(&cert, &sig);
	tbuf_hdr(&certs, DER_SEQUENCE, cert.len);
	tbuf_put(&certs, cert.p, cert.len);
	p->certs.val = certs.p;
	p->certs.len = certs.len;
	out = cms_reframe(p, &how, len);
	free(cert.p);
	free(certs.p);
	return out;
}

/*
 * The EE certificate's subjectKeyIdentifier and key are read from its
 * DER: the sid must match the SKI's octets, and the certificate must be
 * DER where cert_parse_ee() sees OpenSSL's encoding instead.
 */
static void
test_cms_ee_der(void)
{
	struct cms_parts	 p;
	struct cms_object	*obj;
	unsigned char		*der, *m, ski[] = { 0x04, 0x14 };
	size_t			 len, mlen, i;

	TU_NEED_CORPUS();
	der = tu_corpus_load(BBN "goodROANothingWrong.roa", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	cms_split(der, len, &p);
	/* BER inside; the framing around alone passes (ber_framing). */
	m = cms_ber_sigalg(&p, &mlen);
	CU_ASSERT(expect_reject(m, mlen, OID_CT_ROA, "X.690 section 10: EE "
	    "certificate is not DER encoded: length not in minimal form"));
	free(m);
	cms_split(der, len, &p);
	/* Each octet of the SKI in the certificate changed: no match. */
	CU_ASSERT_FATAL(p.sid.len == 20);
	CU_ASSERT_FATAL((m = malloc(len)) != NULL);
	for (i = 0; i + sizeof(ski) + 20 <= p.cert.tlv_len; i++)
		if (memcmp(p.cert.hdr + i, ski, sizeof(ski)) == 0 &&
		    memcmp(p.cert.hdr + i + 2, p.sid.val, 20) == 0)
			break;
	CU_ASSERT_FATAL(i + sizeof(ski) + 20 <= p.cert.tlv_len);
	i += (size_t)(p.cert.hdr - der) + sizeof(ski);
	for (mlen = 0; mlen < 20; mlen += 3) {
		memcpy(m, der, len);
		m[i + mlen] ^= 0x01;
		CU_ASSERT(expect_reject(m, len, OID_CT_ROA, "RFC 6488 section "
		    "2.1.6.2: sid does not match"));
	}
	/* The SKI's OCTET STRING one octet shorter (the last one left). */
	memcpy(m, der, len);
	m[i - 1] = 19;
	CU_ASSERT(expect_reject(m, len, OID_CT_ROA, "RFC 6488 section "
	    "2.1.6.2: sid does not match"));
	/* Unchanged, it parses. */
	obj = cms_parse("t.roa", der, len, OID_CT_ROA);
	CU_ASSERT_PTR_NOT_NULL(obj);
	cms_object_free(obj);
	free(m);
	free(der);
}

/* One identifier octet replaced: where the structure breaks, and why. */
static void
test_cms_wrong_tags(void)
{
	struct cms_parts	 p;
	unsigned char		*der, *m;
	size_t			 len, i;
	const struct {
		const struct der_tlv	*at;
		unsigned char		 tag;
		const char		*reason;
	} cases[] = {
		{ &p.content, 0xa1, "ContentInfo (RFC 5652 section 3): "
		    "unexpected type" },
		{ &p.digest_algs, DER_SEQUENCE, "digestAlgorithms (RFC 5652 "
		    "section 5.1): unexpected type" },
		{ &p.ec_type, DER_OCTET_STRING, "EncapsulatedContentInfo "
		    "(RFC 5652 section 5.2): unexpected type" },
		{ &p.econtent, 0x0c, "EncapsulatedContentInfo (RFC 5652 "
		    "section 5.2): unexpected type" },
		{ &p.cert, DER_SET, "certificates (RFC 5652 section "
		    "10.2.2): unexpected type" },
		{ &p.certs, 0xa1, "RFC 6488 section 2.1.4: 0 certificates" },
		{ &p.signers, DER_SEQUENCE, "signerInfos (RFC 5652 section "
		    "5.1): unexpected type" },
		{ &p.sid, 0x81, "SignerIdentifier (RFC 5652 section 5.3): "
		    "unexpected type" },
		/* any SEQUENCE passes for an issuerAndSerialNumber */
		{ &p.sid, DER_SEQUENCE, "RFC 6488 section 2.1.6.2: sid must "
		    "be a subjectKeyIdentifier" },
		{ &p.signed_attrs, 0x80, "AlgorithmIdentifier (RFC 5280 "
		    "section 4.1.1.2): unexpected type" },
		{ &p.sig, DER_BIT_STRING, "SignerInfo (RFC 5652 section "
		    "5.3): unexpected type" },
		/* BER's constructed form, which OpenSSL used to accept */
		{ &p.sig, DER_OCTET_STRING | DER_CONSTRUCTED, "SignerInfo "
		    "(RFC 5652 section 5.3): unexpected type" },
		{ &p.attr_values, 0x11, "RFC 6488 section 2.1.6.4: "
		    "signedAttrs: primitive or constructed form" },
		{ &p.attr_values, DER_SEQUENCE, "RFC 6488 section 2.1.6.4: "
		    "signedAttrs: unexpected type" },
	};

	TU_NEED_CORPUS();
	der = tu_corpus_load(BBN "goodROANothingWrong.roa", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	CU_ASSERT_FATAL((m = malloc(len)) != NULL);
	cms_split(der, len, &p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(m, der, len);
		m[cases[i].at->hdr - der] = cases[i].tag;
		if (!expect_reject(m, len, OID_CT_ROA, cases[i].reason)) {
			fprintf(stderr, "  case %zu\n", i);
			CU_FAIL("wrong tag case");
		}
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
    REEF_TEST(test_cms_ber_framing),
    REEF_TEST(test_cms_der_framing),
    REEF_TEST(test_cms_wrong_tags),
    REEF_TEST(test_cms_ee_der),
    REEF_TEST(test_cms_helpers),
    REEF_TEST(test_cms_oids))
