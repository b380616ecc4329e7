/*
 * Tests for validator/rsc.c: RFC 9323 signed checklists, on the corpus
 * objects (one current, the pre-RFC drafts rejected) and hand-made
 * eContents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/hash.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/incidence.h"
#include "validator/rsc.h"

#include "suite.h"
#include "util.h"

#define RSC_GOOD	"rpki-client-regress/rsc/rsc-deployment-test-3.sig"
#define RSC_HIST	"rpki-client-regress/historic/rsc/"
/* SHA-256 of test.txt as listed in RSC_GOOD. */
#define RSC_GOOD_HASH	\
	"f2ca1bb6c7e907d06dafe4687e579fce76b37e4e93b7605022da52e6ccc26fd2"

static void
test_rsc_corpus_good(void)
{
	unsigned char	*der, h[HASH_SHA256_LEN];
	size_t		 len;
	struct rsc	*rsc;

	TU_NEED_CORPUS();
	CU_ASSERT_FATAL((der = tu_corpus_load(RSC_GOOD, &len)) != NULL);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	rsc = rsc_parse(RSC_GOOD, der, len);
	CU_ASSERT_STRING_EQUAL(tu_log_capture_end(), "");
	CU_ASSERT_FATAL(rsc != NULL);
	CU_ASSERT_EQUAL(rsc->nfiles, 1);
	CU_ASSERT_STRING_EQUAL(rsc->files[0].name, "test.txt");
	CU_ASSERT_PTR_NULL(rsc->ases);
	CU_ASSERT_FATAL(rsc->ips != NULL);
	CU_ASSERT(rsc->ips->afi[IP_RES_V4].present);
	CU_ASSERT(!rsc->ips->afi[IP_RES_V6].present);
	CU_ASSERT_EQUAL(rsc->ips->afi[IP_RES_V4].nranges, 1);
	CU_ASSERT_EQUAL(rsc->ips->afi[IP_RES_V4].ranges[0].plen, 24);
	CU_ASSERT(rsc->has_signing_time);
	CU_ASSERT_PTR_NOT_NULL(rsc->ee);
	CU_ASSERT_PTR_NULL(rsc->ee->signedobj);

	CU_ASSERT(hash_hex_decode(RSC_GOOD_HASH, h, sizeof(h)) == 0);
	CU_ASSERT_EQUAL(rsc_lookup(rsc, "test.txt", h), 1);
	CU_ASSERT_EQUAL(rsc_lookup(rsc, NULL, h), 1);
	CU_ASSERT_EQUAL(rsc_lookup(rsc, "other.txt", h), 0);
	h[0] ^= 1;
	CU_ASSERT_EQUAL(rsc_lookup(rsc, NULL, h), 0);

	/* The EE must contain the checklist's resources, without inherit. */
	CU_ASSERT_EQUAL(rsc_check_ee("x", rsc, rsc->ee), 0);
	{
		struct cert	ee;
		struct as_res	as;

		memset(&ee, 0, sizeof(ee));
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		CU_ASSERT_EQUAL(rsc_check_ee("x", rsc, &ee), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(tu_log_capture_end(),
		    "RFC 9323 section 5"));
		memset(&as, 0, sizeof(as));
		as.inherit = 1;
		ee.ips = rsc->ee->ips;
		ee.ases = &as;
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		CU_ASSERT_EQUAL(rsc_check_ee("x", rsc, &ee), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(tu_log_capture_end(),
		    "RFC 9323 section 2: EE certificate must not use inherit"));
	}
	rsc_free(rsc);
	free(der);
}

struct rsc_case {
	const char	*file;
	const char	*reason;
};

/* Pre-RFC drafts: other ResourceBlock layouts. */
static const struct rsc_case rsc_hist[] = {
	{ RSC_HIST "98e8734fa1c9d72cec864aff45a39863a896ed6c00d2508a707b43c720558632.sig",
	    "not an RFC 9323 checklist (pre-RFC draft format?)" },
	{ RSC_HIST "apnic-demo.sig",
	    "not an RFC 9323 checklist (pre-RFC draft format?)" },
	{ RSC_HIST "checklist.sig",
	    "not an RFC 9323 checklist (pre-RFC draft format?)" },
	/* Not a checklist at all: the CMS layer names the content type. */
	{ "rpki-client-regress/aspa/AS1000.asa", "RFC 6488" },
};

/*
 * Checklists whose EE certificate names are UTF8Strings: accepted as the
 * incidence name-utf8string (rpki-client accepts them too).
 */
static const struct {
	const char	*file;
	size_t		 nfiles;
	const char	*first;		/* name of the first entry */
} rsc_utf8[] = {
	{ RSC_HIST "c6938fc00af6496d9d4e6e2d876e4b4811887b60f4f1bc9cd0b3cdb7c57c6d5e.sig",
	    1, "RpkiSignedChecklist-2022.asn" },
	{ RSC_HIST "checklist-08.sig", 2, "b42_ipv6_loa.png" },
	{ "rpki-prover/checklist.sig", 2, "b42_ipv6_loa.png" },
};

static void
test_rsc_corpus_utf8(void)
{
	unsigned char	*der;
	size_t		 len, i;
	struct rsc	*rsc;
	uint64_t	 n;

	TU_NEED_CORPUS();
	for (i = 0; i < sizeof(rsc_utf8) / sizeof(rsc_utf8[0]); i++) {
		CU_ASSERT_FATAL((der = tu_corpus_load(rsc_utf8[i].file,
		    &len)) != NULL);
		n = incidence_count(INCIDENCE_NAME_UTF8);
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		rsc = rsc_parse(rsc_utf8[i].file, der, len);
		CU_ASSERT_STRING_EQUAL(tu_log_capture_end(), "");
		CU_ASSERT_PTR_NOT_NULL(rsc);
		CU_ASSERT(incidence_count(INCIDENCE_NAME_UTF8) > n);
		if (rsc != NULL) {
			CU_ASSERT_EQUAL(rsc->nfiles, rsc_utf8[i].nfiles);
			CU_ASSERT_PTR_NOT_NULL_FATAL(rsc->files[0].name);
			CU_ASSERT_STRING_EQUAL(rsc->files[0].name,
			    rsc_utf8[i].first);
			CU_ASSERT_EQUAL(rsc_check_ee(rsc_utf8[i].file, rsc,
			    rsc->ee), 0);
		}
		rsc_free(rsc);
		free(der);
	}
}

static void
test_rsc_corpus_rejected(void)
{
	unsigned char	*der;
	size_t		 len, i;
	const char	*log;

	TU_NEED_CORPUS();
	for (i = 0; i < sizeof(rsc_hist) / sizeof(rsc_hist[0]); i++) {
		CU_ASSERT_FATAL((der = tu_corpus_load(rsc_hist[i].file,
		    &len)) != NULL);
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		CU_ASSERT_PTR_NULL(rsc_parse(rsc_hist[i].file, der, len));
		log = tu_log_capture_end();
		if (strstr(log, rsc_hist[i].reason) == NULL)
			fprintf(stderr, "%s: want \"%s\", got \"%s\"\n",
			    rsc_hist[i].file, rsc_hist[i].reason, log);
		CU_ASSERT_PTR_NOT_NULL(strstr(log, rsc_hist[i].reason));
		free(der);
	}
}

/* DER builder for hand-made eContents (short definite lengths only). */
struct der {
	unsigned char	b[512];
	size_t		len;
};

static void
der_raw(struct der *d, const void *p, size_t n)
{
	CU_ASSERT_FATAL(d->len + n <= sizeof(d->b));
	memcpy(d->b + d->len, p, n);
	d->len += n;
}

static void
der_tlv(struct der *d, unsigned char tag, const struct der *content)
{
	unsigned char	hdr[2] = { tag, (unsigned char)content->len };

	CU_ASSERT_FATAL(content->len < 128);
	der_raw(d, hdr, 2);
	der_raw(d, content->b, content->len);
}

static const unsigned char ip_fam_v4[] = {
	/* SEQUENCE { OCTET STRING 0001, SEQUENCE { BIT STRING 192.0.2/24 } } */
	0x30, 0x0c, 0x04, 0x02, 0x00, 0x01, 0x30, 0x06,
	0x03, 0x04, 0x00, 0xc0, 0x00, 0x02
};
static const unsigned char ip_fam_inherit[] = {
	0x30, 0x06, 0x04, 0x02, 0x00, 0x01, 0x05, 0x00
};
static const unsigned char as_block[] = {
	/* [0] { SEQUENCE { [0] { SEQUENCE { INTEGER 64496 } } } } */
	0xa0, 0x0b, 0x30, 0x09, 0xa0, 0x07, 0x30, 0x05,
	0x02, 0x03, 0x00, 0xfb, 0xf0
};
static const unsigned char alg_sha256[] = {
	0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x01
};
static const unsigned char alg_sha1[] = {
	0x30, 0x07, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a
};

struct econtent_spec {
	const unsigned char	*version;	/* raw [0] field or NULL */
	size_t			 version_len;
	int			 with_as, with_ip, ip_inherit;
	const unsigned char	*alg;
	size_t			 alg_len;
	const char		*name;		/* NULL: omitted */
	size_t			 hash_len;
	int			 nfiles;
};

static void
build(const struct econtent_spec *s, struct der *out)
{
	struct der	res = { .len = 0 }, fams = { .len = 0 };
	struct der	tmp = { .len = 0 }, fh = { .len = 0 };
	struct der	list = { .len = 0 }, body = { .len = 0 };
	unsigned char	hash[64];
	int		i;

	if (s->with_as)
		der_raw(&res, as_block, sizeof(as_block));
	if (s->with_ip) {
		if (s->ip_inherit)
			der_raw(&fams, ip_fam_inherit, sizeof(ip_fam_inherit));
		else
			der_raw(&fams, ip_fam_v4, sizeof(ip_fam_v4));
		der_tlv(&tmp, 0x30, &fams);
		der_tlv(&res, 0xa1, &tmp);
	}
	if (s->name != NULL) {
		struct der n = { .len = 0 };

		der_raw(&n, s->name, strlen(s->name));
		der_tlv(&fh, 0x16, &n);
	}
	memset(hash, 0xab, sizeof(hash));
	tmp.len = 0;
	der_raw(&tmp, hash, s->hash_len);
	der_tlv(&fh, 0x04, &tmp);
	for (i = 0; i < s->nfiles; i++)
		der_tlv(&list, 0x30, &fh);
	if (s->version != NULL)
		der_raw(&body, s->version, s->version_len);
	der_tlv(&body, 0x30, &res);
	der_raw(&body, s->alg, s->alg_len);
	der_tlv(&body, 0x30, &list);
	out->len = 0;
	der_tlv(out, 0x30, &body);
}

static const struct econtent_spec good_spec = {
	NULL, 0, 0, 1, 0, alg_sha256, sizeof(alg_sha256), "a.txt", 32, 1
};

/* Parse the eContent of spec; returns the rsc and the log in *log. */
static struct rsc *
parse_spec(const struct econtent_spec *spec, const char **log)
{
	struct der	d;
	struct rsc	*rsc;

	build(spec, &d);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	rsc = rsc_parse_econtent("t.sig", d.b, d.len);
	*log = tu_log_capture_end();
	return rsc;
}

static void
test_rsc_econtent_good(void)
{
	struct econtent_spec	 s = good_spec;
	struct rsc		*rsc;
	const char		*log;

	rsc = parse_spec(&s, &log);
	CU_ASSERT_STRING_EQUAL(log, "");
	CU_ASSERT_FATAL(rsc != NULL);
	CU_ASSERT_EQUAL(rsc->nfiles, 1);
	CU_ASSERT_STRING_EQUAL(rsc->files[0].name, "a.txt");
	CU_ASSERT_EQUAL(rsc->files[0].hash[31], 0xab);
	CU_ASSERT_PTR_NULL(rsc->ases);
	rsc_free(rsc);

	/* AS only, unnamed entries, several of them. */
	s.with_as = 1;
	s.with_ip = 0;
	s.name = NULL;
	s.nfiles = 2;
	rsc = parse_spec(&s, &log);
	CU_ASSERT_FATAL(rsc != NULL);
	CU_ASSERT_EQUAL(rsc->nfiles, 2);
	CU_ASSERT_PTR_NULL(rsc->files[1].name);
	CU_ASSERT_PTR_NULL(rsc->ips);
	CU_ASSERT_FATAL(rsc->ases != NULL);
	CU_ASSERT_EQUAL(rsc->ases->nranges, 1);
	CU_ASSERT_EQUAL(rsc->ases->ranges[0].min, 64496);
	CU_ASSERT_EQUAL(rsc->ases->ranges[0].max, 64496);
	rsc_free(rsc);
}

static void
expect_reject(const struct econtent_spec *s, const char *reason)
{
	const char	*log;

	CU_ASSERT_PTR_NULL(parse_spec(s, &log));
	if (strstr(log, reason) == NULL)
		fprintf(stderr, "want \"%s\", got \"%s\"\n", reason, log);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, reason));
}

static void
test_rsc_econtent_bad(void)
{
	static const unsigned char v1[] = { 0xa0, 0x03, 0x02, 0x01, 0x01 };
	static const unsigned char v0[] = { 0xa0, 0x03, 0x02, 0x01, 0x00 };
	struct econtent_spec	s;

	s = good_spec;
	s.version = v1;
	s.version_len = sizeof(v1);
	expect_reject(&s, "RFC 9323 section 4.1");
	/* X.690 section 11.5: the DEFAULT version must not be encoded. */
	s.version = v0;
	expect_reject(&s, "RFC 9323 section 4.1");

	s = good_spec;
	s.with_ip = 0;
	expect_reject(&s, "RFC 9323 section 4.2: ResourceBlock needs");

	s = good_spec;
	s.ip_inherit = 1;
	expect_reject(&s, "(no inherit)");

	s = good_spec;
	s.alg = alg_sha1;
	s.alg_len = sizeof(alg_sha1);
	expect_reject(&s, "RFC 9323 section 4.3");

	s = good_spec;
	s.name = "a/b.txt";
	expect_reject(&s, "not a PortableFilename");
	s.name = "";
	expect_reject(&s, "not a PortableFilename");

	s = good_spec;
	s.hash_len = 31;
	expect_reject(&s, "hash of 31 bytes");

	s = good_spec;
	s.nfiles = 0;
	expect_reject(&s, "checkList has 0 entries");
}

static void
test_rsc_econtent_trailing(void)
{
	struct der	d;
	const char	*log;

	build(&good_spec, &d);
	d.b[d.len++] = 0x00;
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(rsc_parse_econtent("t.sig", d.b, d.len));
	log = tu_log_capture_end();
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "RFC 9323 section 4"));
	/* Truncated input fails too, without reading past the end. */
	build(&good_spec, &d);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	CU_ASSERT_PTR_NULL(rsc_parse_econtent("t.sig", d.b, d.len - 1));
	tu_log_capture_end();
	rsc_free(NULL);
}

REEF_SUITE(rsc,
    REEF_TEST(test_rsc_corpus_good),
    REEF_TEST(test_rsc_corpus_rejected),
    REEF_TEST(test_rsc_corpus_utf8),
    REEF_TEST(test_rsc_econtent_good),
    REEF_TEST(test_rsc_econtent_bad),
    REEF_TEST(test_rsc_econtent_trailing))
