/*
 * Tests for validator/certder.c: the slices of a certificate's DER and
 * the strict DER check that replaced re-encoding with OpenSSL.  The
 * certificates are assembled here field by field, so that each test can
 * spoil exactly one encoding and see it rejected (or, for a critical flag
 * TRUE that is not 0xff, reported in crit_bad).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "validator/certder.h"

#include "suite.h"

#define CD_BUF	2048

/* A growing buffer of DER. */
struct cd_buf {
	unsigned char	b[CD_BUF];
	size_t		n;
};

static void
put(struct cd_buf *o, const void *p, size_t len)
{
	CU_ASSERT_FATAL(o->n + len <= sizeof(o->b));
	memcpy(o->b + o->n, p, len);
	o->n += len;
}

/* Append tag, the DER length of len, then the contents. */
static void
tlv(struct cd_buf *o, unsigned char tag, const void *v, size_t len)
{
	unsigned char	h[4];
	size_t		hl = 0;

	h[hl++] = tag;
	if (len < 0x80)
		h[hl++] = (unsigned char)len;
	else if (len < 0x100) {
		h[hl++] = 0x81;
		h[hl++] = (unsigned char)len;
	} else {
		h[hl++] = 0x82;
		h[hl++] = (unsigned char)(len >> 8);
		h[hl++] = (unsigned char)len;
	}
	put(o, h, hl);
	put(o, v, len);
}

/* Append the TLV tag around what in holds. */
static void
wrap(struct cd_buf *o, unsigned char tag, const struct cd_buf *in)
{
	tlv(o, tag, in->b, in->n);
}

#define BYTES(...)	((const unsigned char []){ __VA_ARGS__ })
#define PUT(o, ...)	put((o), BYTES(__VA_ARGS__), \
			    sizeof(BYTES(__VA_ARGS__)))

/* What a test changes; NULL fields take the good default. */
struct spoil {
	const unsigned char	*serial;	/* whole TLV */
	size_t			 serial_len;
	const unsigned char	*crit;		/* whole TLV of extension 1 */
	size_t			 crit_len;
	const unsigned char	*crit2;		/* of extension 2 */
	size_t			 crit2_len;
	const unsigned char	*key;		/* BIT STRING contents */
	size_t			 key_len;
	const unsigned char	*sig;		/* BIT STRING contents */
	size_t			 sig_len;
	const unsigned char	*params;	/* of the TBS signature alg */
	size_t			 params_len;
	const unsigned char	*cn;		/* CN value TLV of the issuer */
	size_t			 cn_len;
};

#define SET(field, ...)	.field = BYTES(__VA_ARGS__), \
			.field##_len = sizeof(BYTES(__VA_ARGS__))

/* sha256WithRSAEncryption, 1.2.840.113549.1.1.11 */
static const unsigned char oid_sha256rsa[] = { 0x06, 0x09, 0x2a, 0x86, 0x48,
    0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b };
/* rsaEncryption, 1.2.840.113549.1.1.1 */
static const unsigned char oid_rsa[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
    0xf7, 0x0d, 0x01, 0x01, 0x01 };

static void
alg(struct cd_buf *o, const unsigned char *params, size_t len)
{
	struct cd_buf	a = { .n = 0 };

	put(&a, oid_sha256rsa, sizeof(oid_sha256rsa));
	put(&a, params, len);
	wrap(o, 0x30, &a);
}

/* Name: one RDN with one commonName. */
static void
name(struct cd_buf *o, const unsigned char *cn, size_t len)
{
	struct cd_buf	atv = { .n = 0 }, rdn = { .n = 0 };
	struct cd_buf	seq = { .n = 0 };

	PUT(&atv, 0x06, 0x03, 0x55, 0x04, 0x03);
	put(&atv, cn, len);
	wrap(&rdn, 0x30, &atv);
	wrap(&seq, 0x31, &rdn);
	wrap(o, 0x30, &seq);
}

/* One Extension: an OID, the critical TLV if any, an OCTET STRING. */
static void
ext(struct cd_buf *o, unsigned char last, const unsigned char *crit,
    size_t crit_len)
{
	struct cd_buf	e = { .n = 0 };

	PUT(&e, 0x06, 0x03, 0x55, 0x1d, last);
	if (crit != NULL)
		put(&e, crit, crit_len);
	PUT(&e, 0x04, 0x02, 0x05, 0x00);
	wrap(o, 0x30, &e);
}

/* The certificate s describes, into o. */
static void
build(struct cd_buf *o, const struct spoil *s)
{
	static const unsigned char key[] = { 0x00, 0x30, 0x06, 0x02, 0x01,
	    0x03, 0x02, 0x01, 0x03 };
	static const unsigned char sig[] = { 0x00, 0xaa, 0xbb };
	struct cd_buf	tbs = { .n = 0 }, t = { .n = 0 }, spki = { .n = 0 };
	struct cd_buf	exts = { .n = 0 }, list = { .n = 0 }, cert = { .n = 0 };

	PUT(&tbs, 0xa0, 0x03, 0x02, 0x01, 0x02);
	if (s->serial != NULL)
		put(&tbs, s->serial, s->serial_len);
	else
		PUT(&tbs, 0x02, 0x01, 0x01);
	if (s->params != NULL)
		alg(&tbs, s->params, s->params_len);
	else
		alg(&tbs, BYTES(0x05, 0x00), 2);
	if (s->cn != NULL)
		name(&tbs, s->cn, s->cn_len);
	else
		name(&tbs, BYTES(0x13, 0x01, 0x61), 3);
	PUT(&t, 0x17, 0x0d, '2', '0', '0', '1', '0', '1', '0', '0', '0', '0',
	    '0', '0', 'Z');
	PUT(&t, 0x17, 0x0d, '3', '0', '0', '1', '0', '1', '0', '0', '0', '0',
	    '0', '0', 'Z');
	wrap(&tbs, 0x30, &t);
	name(&tbs, BYTES(0x13, 0x01, 0x62), 3);
	t.n = 0;
	put(&t, oid_rsa, sizeof(oid_rsa));
	PUT(&t, 0x05, 0x00);
	wrap(&spki, 0x30, &t);
	if (s->key != NULL)
		tlv(&spki, 0x03, s->key, s->key_len);
	else
		tlv(&spki, 0x03, key, sizeof(key));
	wrap(&tbs, 0x30, &spki);
	ext(&list, 0x13, s->crit, s->crit_len);
	ext(&list, 0x0f, s->crit2, s->crit2_len);
	wrap(&exts, 0x30, &list);
	wrap(&tbs, 0xa3, &exts);
	wrap(&cert, 0x30, &tbs);
	alg(&cert, BYTES(0x05, 0x00), 2);
	if (s->sig != NULL)
		tlv(&cert, 0x03, s->sig, s->sig_len);
	else
		tlv(&cert, 0x03, sig, sizeof(sig));
	o->n = 0;
	wrap(o, 0x30, &cert);
}

/* certder_check() on the certificate s describes: NULL or the message. */
static const char *
check(const struct spoil *s, struct certder *out)
{
	static struct cd_buf	b;
	struct certder		tmp;

	build(&b, s);
	return certder_check(b.b, b.n, out != NULL ? out : &tmp);
}

/* The message for s contains want. */
static int
rejected(const struct spoil *s, const char *want)
{
	const char	*msg = check(s, NULL);

	return msg != NULL && strstr(msg, want) != NULL;
}

static void
test_certder_good(void)
{
	static const struct spoil none;
	struct cd_buf	b;
	struct certder	c, d;

	build(&b, &none);
	CU_ASSERT_PTR_NULL(certder_check(b.b, b.n, &c));
	/* The slices: TBS first inside, the key, the signature octets. */
	CU_ASSERT_EQUAL_FATAL(b.b[1], 0x81);
	CU_ASSERT_PTR_EQUAL(c.tbs.hdr, b.b + 3);
	CU_ASSERT_EQUAL(c.tbs.tag, 0x30);
	CU_ASSERT_EQUAL(c.spki.tag, 0x30);
	CU_ASSERT(c.spki.hdr > c.tbs.hdr && c.spki.hdr < c.tbs.val +
	    c.tbs.len);
	CU_ASSERT_EQUAL(c.siglen, 2);
	CU_ASSERT_EQUAL(c.sig[0], 0xaa);
	CU_ASSERT_PTR_EQUAL(c.sig + c.siglen, b.b + b.n);
	CU_ASSERT(c.has_exts);
	CU_ASSERT_EQUAL(c.exts.tag, 0x30);
	CU_ASSERT_EQUAL(c.crit_bad, 0);
	/* certder_split() finds the same slices. */
	CU_ASSERT_PTR_NULL(certder_split(b.b, b.n, &d));
	CU_ASSERT_PTR_EQUAL(d.tbs.hdr, c.tbs.hdr);
	CU_ASSERT_EQUAL(d.tbs.tlv_len, c.tbs.tlv_len);
	CU_ASSERT_PTR_EQUAL(d.spki.hdr, c.spki.hdr);
	CU_ASSERT_PTR_EQUAL(d.sig, c.sig);
	/* Critical flags TRUE as 0xff are fine. */
	CU_ASSERT_PTR_NULL(check(&(struct spoil){ SET(crit, 0x01, 0x01, 0xff),
	    SET(crit2, 0x01, 0x01, 0xff) }, &c));
	CU_ASSERT_EQUAL(c.crit_bad, 0);
}

/* Trailing data, truncation, BER lengths, high tags. */
static void
test_certder_framing(void)
{
	static const struct spoil none;
	struct cd_buf	b, x;
	struct certder	c;
	size_t		i;

	build(&b, &none);
	x = b;
	x.b[x.n++] = 0;
	CU_ASSERT_PTR_NOT_NULL(certder_check(x.b, x.n, &c));
	CU_ASSERT_PTR_NOT_NULL(certder_split(x.b, x.n, &c));
	for (i = 0; i < b.n; i++) {
		CU_ASSERT_PTR_NOT_NULL(certder_check(b.b, i, &c));
		CU_ASSERT_PTR_NOT_NULL(certder_split(b.b, i, &c));
	}
	/* The outer length (one octet) in two: not minimal. */
	CU_ASSERT_EQUAL_FATAL(b.b[1], 0x81);
	x.n = 0;
	PUT(&x, 0x30, 0x82, 0x00);
	put(&x, b.b + 2, b.n - 2);
	CU_ASSERT(strstr(certder_check(x.b, x.n, &c), "minimal") != NULL);
	/* A commonName whose length is in the long form: not minimal. */
	CU_ASSERT(rejected(&(struct spoil){ SET(cn, 0x13, 0x81, 0x01, 0x61) },
	    "minimal"));
	/* The serial INTEGER with a tag in the high form. */
	CU_ASSERT(rejected(&(struct spoil){ SET(serial, 0x1f, 0x02, 0x01,
	    0x01) }, "tag number"));
	/* Indefinite length inside: BER. */
	CU_ASSERT(rejected(&(struct spoil){ SET(cn, 0x13, 0x80, 0x61, 0x00,
	    0x00) }, "indefinite"));
}

/* Primitive contents: INTEGER, BOOLEAN, NULL, BIT STRING, forms. */
static void
test_certder_values(void)
{
	/* INTEGERs: padded, empty; a large positive one is fine. */
	CU_ASSERT(rejected(&(struct spoil){ SET(serial, 0x02, 0x02, 0x00,
	    0x01) }, "INTEGER"));
	CU_ASSERT(rejected(&(struct spoil){ SET(serial, 0x02, 0x02, 0xff,
	    0x81) }, "INTEGER"));
	CU_ASSERT(rejected(&(struct spoil){ SET(serial, 0x02, 0x00) },
	    "INTEGER"));
	CU_ASSERT_PTR_NULL(check(&(struct spoil){ SET(serial, 0x02, 0x0a,
	    0x00, 0x80, 1, 2, 3, 4, 5, 6, 7, 8) }, NULL));
	/* NULL parameters with contents. */
	CU_ASSERT(rejected(&(struct spoil){ SET(params, 0x05, 0x01, 0x00) },
	    "NULL"));
	/* A string in the constructed form (X.690 section 10.2). */
	CU_ASSERT(rejected(&(struct spoil){ SET(cn, 0x33, 0x03, 0x13, 0x01,
	    0x61) }, "constructed"));
	/* BIT STRINGs: padding bits set, more than 7, unused in empty. */
	CU_ASSERT(rejected(&(struct spoil){ SET(key, 0x03, 0xff) },
	    "BIT STRING"));
	CU_ASSERT(rejected(&(struct spoil){ SET(key, 0x08, 0x00) },
	    "BIT STRING"));
	CU_ASSERT(rejected(&(struct spoil){ SET(key, 0x01) }, "BIT STRING"));
	CU_ASSERT(rejected(&(struct spoil){ .key = BYTES(0), .key_len = 0 },
	    "BIT STRING"));
	/* Unused bits that are zero are DER (the key check refuses them). */
	CU_ASSERT_PTR_NULL(check(&(struct spoil){ SET(key, 0x03, 0xf8) },
	    NULL));
	/* BOOLEAN of two octets. */
	CU_ASSERT(rejected(&(struct spoil){ SET(crit, 0x01, 0x02, 0xff,
	    0xff) }, "BOOLEAN"));
}

/* The signature BIT STRING must be whole octets (RFC 5280 4.1.1.3). */
static void
test_certder_signature(void)
{
	struct cd_buf	b;
	struct certder	c;

	CU_ASSERT(rejected(&(struct spoil){ SET(sig, 0x01, 0xaa, 0xba) },
	    "RFC 5280 section 4.1.1.3"));
	CU_ASSERT(rejected(&(struct spoil){ .sig = BYTES(0), .sig_len = 0 },
	    "RFC 5280 section 4.1.1.3"));
	/* An empty signature of whole octets is the verifier's problem. */
	build(&b, &(struct spoil){ SET(sig, 0x00) });
	CU_ASSERT_PTR_NULL(certder_split(b.b, b.n, &c));
	CU_ASSERT_EQUAL(c.siglen, 0);
}

/* critical BOOLEAN DEFAULT FALSE: never FALSE; TRUE other than 0xff noted. */
static void
test_certder_critical(void)
{
	struct certder	c;

	CU_ASSERT(rejected(&(struct spoil){ SET(crit, 0x01, 0x01, 0x00) },
	    "DEFAULT"));
	CU_ASSERT(rejected(&(struct spoil){ SET(crit2, 0x01, 0x01, 0x00) },
	    "X.690 section 11.5"));
	CU_ASSERT_PTR_NULL(check(&(struct spoil){ SET(crit, 0x01, 0x01,
	    0x01) }, &c));
	CU_ASSERT_EQUAL(c.crit_bad, 1);
	CU_ASSERT_PTR_NULL(check(&(struct spoil){ SET(crit2, 0x01, 0x01,
	    0x80) }, &c));
	CU_ASSERT_EQUAL(c.crit_bad, 2);
	CU_ASSERT_PTR_NULL(check(&(struct spoil){ SET(crit, 0x01, 0x01, 0x7f),
	    SET(crit2, 0x01, 0x01, 0xfe) }, &c));
	CU_ASSERT_EQUAL(c.crit_bad, 3);
}

/* certder_ext() over the extensions of c given as bytes: its result. */
static int
ext_in(const unsigned char *exts, size_t len, const char *oid,
    struct der_tlv *value)
{
	struct certder	c;
	struct der	d;

	memset(&c, 0, sizeof(c));
	c.has_exts = 1;
	der_init(&d, exts, len);
	CU_ASSERT_EQUAL_FATAL(der_next(&d, &c.exts), DER_OK);
	return certder_ext(&c, oid, value);
}

#define EXT_IN(oid, v, ...)	ext_in(BYTES(__VA_ARGS__), \
				    sizeof(BYTES(__VA_ARGS__)), (oid), (v))

/* Extensions found by extnID, with or without a critical flag. */
static void
test_certder_ext(void)
{
	static const struct spoil none;
	struct certder	c;
	struct der_tlv	v;

	CU_ASSERT_PTR_NULL(check(&(struct spoil){ SET(crit2, 0x01, 0x01,
	    0xff) }, &c));
	CU_ASSERT_EQUAL(certder_ext(&c, "2.5.29.19", &v), 1);
	CU_ASSERT_EQUAL(v.tag, 0x04);
	CU_ASSERT(v.len == 2 && v.val[0] == 0x05 && v.val[1] == 0x00);
	CU_ASSERT_EQUAL(certder_ext(&c, "2.5.29.15", &v), 1);
	CU_ASSERT_EQUAL(v.tag, 0x04);
	CU_ASSERT_EQUAL(certder_ext(&c, "2.5.29.14", &v), 0);
	CU_ASSERT_EQUAL(certder_ext(&c, "2.5.29", &v), 0);
	c.has_exts = 0;
	CU_ASSERT_EQUAL(certder_ext(&c, "2.5.29.19", &v), 0);
	/* The first of two is found. */
	CU_ASSERT_EQUAL(EXT_IN("2.5.29.14", &v, 0x30, 0x12,
	    0x30, 0x07, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x00,
	    0x30, 0x07, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x01, 0x00), 1);
	CU_ASSERT_EQUAL(v.len, 0);
	/*
	 * Not an Extension: no extnValue, a value that is not an OCTET
	 * STRING, something after it, no SEQUENCE, BER.
	 */
	CU_ASSERT_EQUAL(EXT_IN("2.5.29.14", &v, 0x30, 0x07,
	    0x30, 0x05, 0x06, 0x03, 0x55, 0x1d, 0x0e), -1);
	CU_ASSERT_EQUAL(EXT_IN("2.5.29.14", &v, 0x30, 0x09,
	    0x30, 0x07, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x03, 0x00), -1);
	CU_ASSERT_EQUAL(EXT_IN("2.5.29.14", &v, 0x30, 0x0b,
	    0x30, 0x09, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x00, 0x05,
	    0x00), -1);
	CU_ASSERT_EQUAL(EXT_IN("2.5.29.14", &v, 0x30, 0x07,
	    0x31, 0x05, 0x06, 0x03, 0x55, 0x1d, 0x0e), -1);
	CU_ASSERT_EQUAL(EXT_IN("2.5.29.14", &v, 0x30, 0x0a,
	    0x30, 0x81, 0x07, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x00), -1);
	/* The serial number's slice. */
	CU_ASSERT_PTR_NULL(check(&none, &c));
	CU_ASSERT(c.serial.tag == 0x02 && c.serial.len == 1 &&
	    c.serial.val[0] == 0x01);
	CU_ASSERT_PTR_NULL(check(&(struct spoil){ SET(serial, 0x02, 0x03,
	    0x00, 0x80, 0x01) }, &c));
	CU_ASSERT(c.serial.len == 3 && c.serial.val[1] == 0x80);
}

REEF_SUITE(certder,
    REEF_TEST(test_certder_good),
    REEF_TEST(test_certder_framing),
    REEF_TEST(test_certder_values),
    REEF_TEST(test_certder_signature),
    REEF_TEST(test_certder_critical),
    REEF_TEST(test_certder_ext));
