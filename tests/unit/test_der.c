/*
 * Tests for validator/der.c, the strict DER reader: every rejection path
 * on hand-made encodings (BER lengths, indefinite forms, truncation,
 * huge lengths, wrong tags, trailing bytes) and the value decoders.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "validator/der.h"

#include "suite.h"

/* Read the one TLV of buf (len bytes) with der_next(); returns the error. */
static enum der_err
next1(const unsigned char *buf, size_t len, struct der_tlv *t)
{
	struct der	d;

	der_init(&d, buf, len);
	return der_next(&d, t);
}

static enum der_err
next1_ber(const unsigned char *buf, size_t len, struct der_tlv *t)
{
	struct der	d;

	der_init(&d, buf, len);
	return der_next_ber(&d, t);
}

#define NEXT(a, t)	next1((a), sizeof(a), (t))
#define NEXT_BER(a, t)	next1_ber((a), sizeof(a), (t))

/* Identifier and length octets, in every form X.690 allows and forbids. */
static void
test_der_lengths(void)
{
	static const unsigned char shortf[] = { 0x04, 0x02, 0xaa, 0xbb };
	static const unsigned char empty[] = { 0x05, 0x00 };
	static const unsigned char nonmin1[] = { 0x04, 0x81, 0x02, 0xaa, 0xbb };
	static const unsigned char nonmin0[] = { 0x04, 0x82, 0x00, 0x81 };
	static const unsigned char nonmin7f[] = { 0x04, 0x81, 0x7f };
	static const unsigned char toolong[] = { 0x04, 0x85, 0x01, 0x00, 0x00,
	    0x00, 0x00 };
	static const unsigned char reserved[] = { 0x04, 0xff, 0x00 };
	static const unsigned char huge[] = { 0x04, 0x84, 0xff, 0xff, 0xff,
	    0xff, 0x00 };
	static const unsigned char lenoctets[] = { 0x04, 0x82, 0x01 };
	static const unsigned char contents[] = { 0x30, 0x05, 0x02, 0x01,
	    0x00 };
	static const unsigned char tagonly[] = { 0x30 };
	static const unsigned char hightag[] = { 0x1f, 0x22, 0x00 };
	static const unsigned char ctxhigh[] = { 0xbf, 0x81, 0x00, 0x00 };
	static const unsigned char eoc[] = { 0x00, 0x00 };
	static const unsigned char indef[] = { 0x30, 0x80, 0x05, 0x00, 0x00,
	    0x00 };
	unsigned char			*big;
	struct der_tlv			 t;
	struct der			 d;
	size_t				 n = 0x1234;

	CU_ASSERT_EQUAL(NEXT(shortf, &t), DER_OK);
	CU_ASSERT_EQUAL(t.tag, DER_OCTET_STRING);
	CU_ASSERT_EQUAL(t.len, 2);
	CU_ASSERT_EQUAL(t.tlv_len, 4);
	CU_ASSERT_PTR_EQUAL(t.hdr, shortf);
	CU_ASSERT_PTR_EQUAL(t.val, shortf + 2);
	CU_ASSERT_EQUAL(NEXT(empty, &t), DER_OK);
	CU_ASSERT_EQUAL(t.len, 0);

	CU_ASSERT_EQUAL(NEXT(nonmin1, &t), DER_E_LEN_NONMINIMAL);
	CU_ASSERT_EQUAL(NEXT(nonmin0, &t), DER_E_LEN_NONMINIMAL);
	CU_ASSERT_EQUAL(NEXT(nonmin7f, &t), DER_E_LEN_NONMINIMAL);
	CU_ASSERT_EQUAL(NEXT(toolong, &t), DER_E_LEN_TOO_LARGE);
	CU_ASSERT_EQUAL(NEXT(reserved, &t), DER_E_LEN_TOO_LARGE);
	CU_ASSERT_EQUAL(NEXT(huge, &t), DER_E_TRUNCATED);
	CU_ASSERT_EQUAL(NEXT(lenoctets, &t), DER_E_TRUNCATED);
	CU_ASSERT_EQUAL(NEXT(contents, &t), DER_E_TRUNCATED);
	CU_ASSERT_EQUAL(NEXT(tagonly, &t), DER_E_TRUNCATED);
	CU_ASSERT_EQUAL(NEXT(hightag, &t), DER_E_HIGH_TAG);
	CU_ASSERT_EQUAL(NEXT(ctxhigh, &t), DER_E_HIGH_TAG);
	CU_ASSERT_EQUAL(NEXT(eoc, &t), DER_E_EOC);
	CU_ASSERT_EQUAL(NEXT(indef, &t), DER_E_INDEFINITE);
	CU_ASSERT_EQUAL(next1(shortf, 0, &t), DER_E_MISSING);

	/* The longest minimal forms: two, three and four length octets. */
	CU_ASSERT_FATAL((big = calloc(1, 6 + 0x1000000)) != NULL);
	for (n = 0x100; n <= 0x1000000; n <<= 8) {
		size_t	k = n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4, i;

		big[0] = DER_OCTET_STRING;
		big[1] = 0x80 | (unsigned char)k;
		for (i = 0; i < k; i++)
			big[2 + i] = (unsigned char)(n >> (8 * (k - 1 - i)));
		CU_ASSERT_EQUAL(next1(big, 2 + k + n, &t), DER_OK);
		CU_ASSERT_EQUAL(t.len, n);
		CU_ASSERT_EQUAL(next1(big, 2 + k + n - 1, &t),
		    DER_E_TRUNCATED);
	}
	free(big);

	/* der_expect(), der_end(), der_peek(), der_at_end() */
	der_init(&d, contents, 4);
	CU_ASSERT_EQUAL(der_peek(&d), DER_SEQUENCE);
	CU_ASSERT_EQUAL(der_expect(&d, DER_SET, &t), DER_E_TRUNCATED);
	der_init(&d, shortf, sizeof(shortf));
	CU_ASSERT_EQUAL(der_expect(&d, DER_SEQUENCE, &t), DER_E_TAG);
	der_init(&d, shortf, sizeof(shortf));
	CU_ASSERT_EQUAL(der_expect(&d, DER_OCTET_STRING, &t), DER_OK);
	CU_ASSERT(der_at_end(&d));
	CU_ASSERT_EQUAL(der_peek(&d), -1);
	CU_ASSERT_EQUAL(der_end(&d), DER_OK);
	CU_ASSERT_EQUAL(der_next(&d, &t), DER_E_MISSING);
}

/* Reading elements of a constructed value, with trailing bytes. */
static void
test_der_enter(void)
{
	static const unsigned char seq[] = { 0x30, 0x06, 0x02, 0x01, 0x05, 0x04,
	    0x01, 0xaa, 0xff };
	static const unsigned char inner_trunc[] = { 0x30, 0x03, 0x02, 0x05,
	    0x00 };
	struct der			d, in;
	struct der_tlv			t, c;

	der_init(&d, seq, sizeof(seq));
	CU_ASSERT_EQUAL(der_expect(&d, DER_SEQUENCE, &t), DER_OK);
	CU_ASSERT_EQUAL(der_end(&d), DER_E_TRAILING);	/* the 0xff */
	der_enter(&in, &t);
	CU_ASSERT_EQUAL(der_expect(&in, DER_INTEGER, &c), DER_OK);
	CU_ASSERT_EQUAL(der_end(&in), DER_E_TRAILING);
	CU_ASSERT_EQUAL(der_expect(&in, DER_OCTET_STRING, &c), DER_OK);
	CU_ASSERT_EQUAL(c.val[0], 0xaa);
	CU_ASSERT_EQUAL(der_end(&in), DER_OK);
	CU_ASSERT_EQUAL(der_next(&in, &c), DER_E_MISSING);

	/* An element may not run past the end of its container. */
	der_init(&d, inner_trunc, sizeof(inner_trunc));
	CU_ASSERT_EQUAL(der_next(&d, &t), DER_OK);
	der_enter(&in, &t);
	CU_ASSERT_EQUAL(der_next(&in, &c), DER_E_TRUNCATED);
}

/* The indefinite form, read only by der_next_ber(). */
static void
test_der_ber(void)
{
	static const unsigned char indef[] = { 0x30, 0x80, 0x02, 0x01, 0x07,
	    0xa0, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04 };
	static const unsigned char prim[] = { 0x04, 0x80, 0x00, 0x00 };
	static const unsigned char noeoc[] = { 0x30, 0x80, 0x05, 0x00 };
	static const unsigned char badeoc[] = { 0x30, 0x80, 0x00, 0x01 };
	static const unsigned char inner_nonmin[] = { 0x30, 0x80, 0x04, 0x81,
	    0x01, 0xaa, 0x00, 0x00 };
	static const unsigned char definite[] = { 0x30, 0x02, 0x05, 0x00 };
	unsigned char			 deep[4 * (DER_MAX_DEPTH + 2)];
	struct der			 d, in, in2;
	struct der_tlv			 t, c;
	size_t				 i, n;

	der_init(&d, indef, sizeof(indef));
	CU_ASSERT_EQUAL(der_next_ber(&d, &t), DER_OK);
	CU_ASSERT(t.indefinite);
	CU_ASSERT_EQUAL(t.len, 9);		/* without the outer EOC */
	CU_ASSERT_EQUAL(t.tlv_len, 13);
	CU_ASSERT_EQUAL(der_peek(&d), DER_OCTET_STRING);   /* trailing */
	der_enter(&in, &t);
	CU_ASSERT_EQUAL(der_expect(&in, DER_INTEGER, &c), DER_OK);
	CU_ASSERT_EQUAL(der_next_ber(&in, &c), DER_OK);
	CU_ASSERT_EQUAL(c.tag, DER_CONTEXT_CONS(0));
	CU_ASSERT_EQUAL(c.len, 2);
	CU_ASSERT_EQUAL(der_end(&in), DER_OK);
	der_enter(&in2, &c);
	CU_ASSERT_EQUAL(der_next(&in2, &c), DER_OK);
	CU_ASSERT_EQUAL(c.tag, DER_NULL);
	CU_ASSERT(der_at_end(&in2));
	/* der_walk() and der_next() refuse what der_next_ber() read. */
	CU_ASSERT_EQUAL(der_walk(&t), DER_E_INDEFINITE);
	CU_ASSERT_EQUAL(NEXT(indef, &t), DER_E_INDEFINITE);

	CU_ASSERT_EQUAL(NEXT_BER(definite, &t), DER_OK);
	CU_ASSERT(!t.indefinite);
	CU_ASSERT_EQUAL(NEXT_BER(prim, &t), DER_E_INDEFINITE);
	CU_ASSERT_EQUAL(NEXT_BER(noeoc, &t), DER_E_TRUNCATED);
	CU_ASSERT_EQUAL(NEXT_BER(badeoc, &t), DER_E_EOC);
	CU_ASSERT_EQUAL(NEXT_BER(inner_nonmin, &t), DER_E_LEN_NONMINIMAL);
	CU_ASSERT_EQUAL(next1_ber(indef, 7, &t), DER_E_TRUNCATED);

	/* Nested indefinite values: DER_MAX_DEPTH levels, then one more. */
	for (n = DER_MAX_DEPTH + 1; n <= DER_MAX_DEPTH + 2; n++) {
		for (i = 0; i < n; i++) {
			deep[2 * i] = DER_SEQUENCE;
			deep[2 * i + 1] = 0x80;
		}
		memset(deep + 2 * n, 0, 2 * n);
		CU_ASSERT_EQUAL(next1_ber(deep, 4 * n, &t),
		    n == DER_MAX_DEPTH + 1 ? DER_OK : DER_E_DEPTH);
	}
}

/* der_walk(): DER all the way down. */
static void
test_der_walk(void)
{
	static const unsigned char good[] = { 0x31, 0x0c, 0x30, 0x07, 0x06,
	    0x01, 0x2a, 0xa0, 0x02, 0x05, 0x00, 0x04, 0x01, 0xaa };
	static const unsigned char cons_os[] = { 0x30, 0x05, 0x24, 0x03, 0x04,
	    0x01, 0xaa };
	static const unsigned char cons_int[] = { 0x30, 0x05, 0x22, 0x03, 0x04,
	    0x01, 0xaa };
	static const unsigned char prim_seq[] = { 0x30, 0x02, 0x10, 0x00 };
	static const unsigned char inner_nonmin[] = { 0x30, 0x04, 0x04, 0x81,
	    0x01, 0xaa };
	static const unsigned char inner_trunc[] = { 0x30, 0x03, 0x04, 0x02,
	    0xaa };
	static const unsigned char ctx_cons[] = { 0xa3, 0x02, 0x05, 0x00 };
	unsigned char			 deep[2 * (DER_MAX_DEPTH + 2)];
	struct der_tlv			 t;
	size_t				 i, n;

	CU_ASSERT_EQUAL(NEXT(good, &t), DER_OK);
	CU_ASSERT_EQUAL(der_walk(&t), DER_OK);
	CU_ASSERT_EQUAL(NEXT(ctx_cons, &t), DER_OK);
	CU_ASSERT_EQUAL(der_walk(&t), DER_OK);
	CU_ASSERT_EQUAL(NEXT(cons_os, &t), DER_OK);
	CU_ASSERT_EQUAL(der_walk(&t), DER_E_FORM);
	CU_ASSERT_EQUAL(NEXT(cons_int, &t), DER_OK);
	CU_ASSERT_EQUAL(der_walk(&t), DER_E_FORM);
	CU_ASSERT_EQUAL(NEXT(prim_seq, &t), DER_OK);
	CU_ASSERT_EQUAL(der_walk(&t), DER_E_FORM);
	CU_ASSERT_EQUAL(NEXT(inner_nonmin, &t), DER_OK);
	CU_ASSERT_EQUAL(der_walk(&t), DER_E_LEN_NONMINIMAL);
	CU_ASSERT_EQUAL(NEXT(inner_trunc, &t), DER_OK);
	CU_ASSERT_EQUAL(der_walk(&t), DER_E_TRUNCATED);

	/* DER_MAX_DEPTH + 1 nested SEQUENCEs pass, one more does not. */
	for (n = DER_MAX_DEPTH + 1; n <= DER_MAX_DEPTH + 2; n++) {
		for (i = 0; i < n; i++) {
			deep[2 * i] = DER_SEQUENCE;
			deep[2 * i + 1] = (unsigned char)(2 * (n - 1 - i));
		}
		CU_ASSERT_EQUAL(next1(deep, 2 * n, &t), DER_OK);
		CU_ASSERT_EQUAL(der_walk(&t),
		    n == DER_MAX_DEPTH + 1 ? DER_OK : DER_E_DEPTH);
	}
}

/* Decode an INTEGER TLV given as bytes; returns the error. */
static enum der_err
int1(const unsigned char *buf, size_t len, int64_t *v)
{
	struct der_tlv	t;
	enum der_err	e;

	if ((e = next1(buf, len, &t)) != DER_OK)
		return e;
	return der_int64(&t, v);
}

#define INT(a, v)	int1((a), sizeof(a), (v))

static void
test_der_integer(void)
{
	static const unsigned char zero[] = { 0x02, 0x01, 0x00 };
	static const unsigned char i127[] = { 0x02, 0x01, 0x7f };
	static const unsigned char i128[] = { 0x02, 0x02, 0x00, 0x80 };
	static const unsigned char m1[] = { 0x02, 0x01, 0xff };
	static const unsigned char m128[] = { 0x02, 0x01, 0x80 };
	static const unsigned char m129[] = { 0x02, 0x02, 0xff, 0x7f };
	static const unsigned char max[] = { 0x02, 0x08, 0x7f, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff };
	static const unsigned char min[] = { 0x02, 0x08, 0x80, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00 };
	static const unsigned char over[] = { 0x02, 0x09, 0x00, 0x80, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const unsigned char pad0[] = { 0x02, 0x02, 0x00, 0x7f };
	static const unsigned char padff[] = { 0x02, 0x02, 0xff, 0x80 };
	static const unsigned char empty[] = { 0x02, 0x00 };
	static const unsigned char notint[] = { 0x0a, 0x01, 0x01 };
	int64_t				v;

	CU_ASSERT(INT(zero, &v) == DER_OK && v == 0);
	CU_ASSERT(INT(i127, &v) == DER_OK && v == 127);
	CU_ASSERT(INT(i128, &v) == DER_OK && v == 128);
	CU_ASSERT(INT(m1, &v) == DER_OK && v == -1);
	CU_ASSERT(INT(m128, &v) == DER_OK && v == -128);
	CU_ASSERT(INT(m129, &v) == DER_OK && v == -129);
	CU_ASSERT(INT(max, &v) == DER_OK && v == INT64_MAX);
	CU_ASSERT(INT(min, &v) == DER_OK && v == INT64_MIN);
	CU_ASSERT_EQUAL(INT(over, &v), DER_E_RANGE);
	CU_ASSERT_EQUAL(INT(pad0, &v), DER_E_INTEGER);
	CU_ASSERT_EQUAL(INT(padff, &v), DER_E_INTEGER);
	CU_ASSERT_EQUAL(INT(empty, &v), DER_E_INTEGER);
	CU_ASSERT_EQUAL(INT(notint, &v), DER_E_TAG);
}

static void
test_der_oid(void)
{
	/* 1.2.840.113549.1.9.16.1.24 (id-ct-routeOriginAuthz) */
	static const unsigned char roa[] = { 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86,
	    0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x18 };
	/* 2.999.42: first subidentifier 1079 = 0x88 0x37 */
	static const unsigned char arc2[] = { 0x06, 0x03, 0x88, 0x37, 0x2a };
	static const unsigned char lead80[] = { 0x06, 0x03, 0x2a, 0x80, 0x01 };
	static const unsigned char first80[] = { 0x06, 0x02, 0x80, 0x01 };
	static const unsigned char open[] = { 0x06, 0x02, 0x2a, 0x86 };
	static const unsigned char empty[] = { 0x06, 0x00 };
	static const unsigned char notoid[] = { 0x04, 0x01, 0x2a };
	/* one subidentifier of 2^64: does not fit */
	static const unsigned char big[] = { 0x06, 0x0b, 0x2a, 0x82, 0x80, 0x80,
	    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
	struct der_tlv			t;
	char				buf[64];

	CU_ASSERT_EQUAL(NEXT(roa, &t), DER_OK);
	CU_ASSERT_EQUAL(der_oid(&t), DER_OK);
	CU_ASSERT(der_oid_is(&t, "1.2.840.113549.1.9.16.1.24"));
	CU_ASSERT(!der_oid_is(&t, "1.2.840.113549.1.9.16.1.26"));
	CU_ASSERT(!der_oid_is(&t, "1.2.840.113549.1.9.16.1"));
	CU_ASSERT(!der_oid_is(&t, "1.2.840.113549.1.9.16.1.24.1"));
	CU_ASSERT(!der_oid_is(&t, "1.2.840.113549.1.9.16.1.24."));
	CU_ASSERT(!der_oid_is(&t, "1.2.840.x"));
	CU_ASSERT(!der_oid_is(&t, "?"));
	CU_ASSERT(!der_oid_is(&t, "1.42.840"));
	CU_ASSERT(!der_oid_is(&t, "3.2.840"));
	CU_ASSERT_STRING_EQUAL(der_oid_format(&t, buf, sizeof(buf)),
	    "1.2.840.113549.1.9.16.1.24");
	/* truncated to the buffer, always terminated */
	CU_ASSERT_STRING_EQUAL(der_oid_format(&t, buf, 8), "1.2.840");
	CU_ASSERT_STRING_EQUAL(der_oid_format(&t, buf, 6), "1.2.8");

	CU_ASSERT_EQUAL(NEXT(arc2, &t), DER_OK);
	CU_ASSERT_EQUAL(der_oid(&t), DER_OK);
	CU_ASSERT(der_oid_is(&t, "2.999.42"));
	CU_ASSERT_STRING_EQUAL(der_oid_format(&t, buf, sizeof(buf)),
	    "2.999.42");

	CU_ASSERT_EQUAL(NEXT(lead80, &t), DER_OK);
	CU_ASSERT_EQUAL(der_oid(&t), DER_E_OID);
	CU_ASSERT_STRING_EQUAL(der_oid_format(&t, buf, sizeof(buf)), "?");
	CU_ASSERT(!der_oid_is(&t, "1.2.0.1"));
	CU_ASSERT_EQUAL(NEXT(first80, &t), DER_OK);
	CU_ASSERT_EQUAL(der_oid(&t), DER_E_OID);
	CU_ASSERT_EQUAL(NEXT(open, &t), DER_OK);
	CU_ASSERT_EQUAL(der_oid(&t), DER_E_OID);
	CU_ASSERT(!der_oid_is(&t, "1.2.6"));
	CU_ASSERT_EQUAL(NEXT(empty, &t), DER_OK);
	CU_ASSERT_EQUAL(der_oid(&t), DER_E_OID);
	CU_ASSERT_EQUAL(NEXT(notoid, &t), DER_OK);
	CU_ASSERT_EQUAL(der_oid(&t), DER_E_TAG);
	CU_ASSERT(!der_oid_is(&t, "1.2"));
	/* well formed, but an arc beyond 64 bits is never one of ours */
	CU_ASSERT_EQUAL(NEXT(big, &t), DER_OK);
	CU_ASSERT_EQUAL(der_oid(&t), DER_OK);
	CU_ASSERT(!der_oid_is(&t, "1.2.18446744073709551616"));
	CU_ASSERT_STRING_EQUAL(der_oid_format(&t, buf, sizeof(buf)), "?");
}

static void
test_der_null_set(void)
{
	static const unsigned char null[] = { 0x05, 0x00 };
	static const unsigned char null1[] = { 0x05, 0x01, 0x00 };
	static const unsigned char sorted[] = { 0x31, 0x0a, 0x02, 0x01, 0x01,
	    0x02, 0x01, 0x01, 0x02, 0x02, 0x01, 0x00 };
	static const unsigned char unsorted[] = { 0x31, 0x07, 0x02, 0x02, 0x01,
	    0x00, 0x02, 0x01, 0x01 };
	/* same tag and first octets: the shorter encoding sorts first */
	static const unsigned char shorter[] = { 0x31, 0x07, 0x04, 0x01, 0xaa,
	    0x04, 0x02, 0xaa, 0x00 };
	static const unsigned char tags[] = { 0xa0, 0x06, 0x04, 0x01, 0x00,
	    0x02, 0x01, 0x00 };
	static const unsigned char bad_elem[] = { 0x31, 0x03, 0x02, 0x82,
	    0x01 };
	struct der_tlv			t;

	CU_ASSERT_EQUAL(NEXT(null, &t), DER_OK);
	CU_ASSERT_EQUAL(der_null(&t), DER_OK);
	CU_ASSERT_EQUAL(NEXT(null1, &t), DER_OK);
	CU_ASSERT_EQUAL(der_null(&t), DER_E_NULL);
	CU_ASSERT_EQUAL(NEXT(sorted, &t), DER_OK);
	CU_ASSERT_EQUAL(der_null(&t), DER_E_TAG);

	CU_ASSERT_EQUAL(der_set_order(&t), DER_OK);
	CU_ASSERT_EQUAL(NEXT(unsorted, &t), DER_OK);
	CU_ASSERT_EQUAL(der_set_order(&t), DER_E_SET_ORDER);
	CU_ASSERT_EQUAL(NEXT(shorter, &t), DER_OK);
	CU_ASSERT_EQUAL(der_set_order(&t), DER_OK);
	/* by encoding, tag included: INTEGER (02) before OCTET STRING (04) */
	CU_ASSERT_EQUAL(NEXT(tags, &t), DER_OK);
	CU_ASSERT_EQUAL(der_set_order(&t), DER_E_SET_ORDER);
	CU_ASSERT_EQUAL(NEXT(bad_elem, &t), DER_OK);
	CU_ASSERT_EQUAL(der_set_order(&t), DER_E_TRUNCATED);
	CU_ASSERT_EQUAL(NEXT(null, &t), DER_OK);
	CU_ASSERT_EQUAL(der_set_order(&t), DER_E_FORM);
}

/* Decode a time TLV given as tag and text. */
static enum der_err
time1(unsigned char tag, const char *s, int64_t *v)
{
	unsigned char	buf[64];
	struct der_tlv	t;
	size_t		n = strlen(s);
	enum der_err	e;

	buf[0] = tag;
	buf[1] = (unsigned char)n;
	memcpy(buf + 2, s, n);
	if ((e = next1(buf, n + 2, &t)) != DER_OK)
		return e;
	return der_time(&t, v);
}

static void
test_der_time(void)
{
	int64_t	v;

	CU_ASSERT(time1(DER_UTCTIME, "230625120000Z", &v) == DER_OK &&
	    v == 1687694400);
	CU_ASSERT(time1(DER_UTCTIME, "700101000000Z", &v) == DER_OK &&
	    v == 0);
	CU_ASSERT(time1(DER_GENTIME, "20500101000000Z", &v) == DER_OK &&
	    v == 2524608000LL);
	/* RFC 5280 section 4.1.2.5: before 2050 it must be UTCTime */
	CU_ASSERT_EQUAL(time1(DER_GENTIME, "20231231235959Z", &v),
	    DER_E_TIME);
	CU_ASSERT_EQUAL(time1(DER_UTCTIME, "2306251200Z", &v), DER_E_TIME);
	CU_ASSERT_EQUAL(time1(DER_UTCTIME, "230625120000+0100", &v),
	    DER_E_TIME);
	CU_ASSERT_EQUAL(time1(DER_UTCTIME, "231325120000Z", &v), DER_E_TIME);
	CU_ASSERT_EQUAL(time1(DER_GENTIME, "20500101000000.5Z", &v),
	    DER_E_TIME);
	CU_ASSERT_EQUAL(time1(DER_OCTET_STRING, "230625120000Z", &v),
	    DER_E_TAG);
	CU_ASSERT_EQUAL(time1(DER_UTCTIME | DER_CONSTRUCTED, "230625120000Z",
	    &v), DER_E_TAG);
}

static void
test_der_octets(void)
{
	static const unsigned char prim[] = { 0x04, 0x03, 'a', 'b', 'c' };
	static const unsigned char cons[] = { 0x24, 0x09, 0x04, 0x02, 'a', 'b',
	    0x04, 0x00, 0x04, 0x01, 'c' };
	static const unsigned char cons_indef[] = { 0x24, 0x80, 0x04, 0x01, 'a',
	    0x04, 0x02, 'b', 'c', 0x00, 0x00 };
	static const unsigned char nested[] = { 0x24, 0x05, 0x24, 0x03, 0x04,
	    0x01, 'a' };
	static const unsigned char wrong[] = { 0x24, 0x03, 0x02, 0x01, 0x00 };
	static const unsigned char notos[] = { 0x03, 0x02, 0x00, 0xaa };
	static const unsigned char badseg[] = { 0x24, 0x03, 0x04, 0x81, 0x00 };
	struct der_tlv			t;
	unsigned char			out[8];
	size_t				len;

	CU_ASSERT_EQUAL(NEXT(prim, &t), DER_OK);
	CU_ASSERT(der_octets_ber(&t, NULL, &len) == DER_OK && len == 3);
	CU_ASSERT(der_octets_ber(&t, out, &len) == DER_OK && len == 3 &&
	    memcmp(out, "abc", 3) == 0);
	CU_ASSERT_EQUAL(NEXT(cons, &t), DER_OK);
	CU_ASSERT(der_octets_ber(&t, NULL, &len) == DER_OK && len == 3);
	memset(out, 0, sizeof(out));
	CU_ASSERT(der_octets_ber(&t, out, &len) == DER_OK && len == 3 &&
	    memcmp(out, "abc", 3) == 0);
	CU_ASSERT_EQUAL(NEXT_BER(cons_indef, &t), DER_OK);
	memset(out, 0, sizeof(out));
	CU_ASSERT(der_octets_ber(&t, out, &len) == DER_OK && len == 3 &&
	    memcmp(out, "abc", 3) == 0);
	CU_ASSERT_EQUAL(NEXT(nested, &t), DER_OK);
	CU_ASSERT_EQUAL(der_octets_ber(&t, NULL, &len), DER_E_FORM);
	CU_ASSERT_EQUAL(NEXT(wrong, &t), DER_OK);
	CU_ASSERT_EQUAL(der_octets_ber(&t, NULL, &len), DER_E_TAG);
	CU_ASSERT_EQUAL(NEXT(notos, &t), DER_OK);
	CU_ASSERT_EQUAL(der_octets_ber(&t, NULL, &len), DER_E_TAG);
	CU_ASSERT_EQUAL(NEXT(badseg, &t), DER_OK);
	CU_ASSERT_EQUAL(der_octets_ber(&t, NULL, &len), DER_E_LEN_NONMINIMAL);
}

/* Every error has its own message; unknown codes do not crash. */
static void
test_der_strerror(void)
{
	int	i, j;

	for (i = 0; i < DER_E_COUNT; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(der_strerror(i));
		CU_ASSERT(strlen(der_strerror(i)) > 5);
		for (j = 0; j < i; j++)
			CU_ASSERT_STRING_NOT_EQUAL(der_strerror(i),
			    der_strerror(j));
	}
	CU_ASSERT_STRING_EQUAL(der_strerror(DER_E_COUNT),
	    "unknown DER error");
	CU_ASSERT_STRING_EQUAL(der_strerror(-1), "unknown DER error");
	CU_ASSERT_PTR_NOT_NULL(strstr(der_strerror(DER_E_INDEFINITE),
	    "X.690"));
}

REEF_SUITE(der,
    REEF_TEST(test_der_lengths),
    REEF_TEST(test_der_enter),
    REEF_TEST(test_der_ber),
    REEF_TEST(test_der_walk),
    REEF_TEST(test_der_integer),
    REEF_TEST(test_der_oid),
    REEF_TEST(test_der_null_set),
    REEF_TEST(test_der_time),
    REEF_TEST(test_der_octets),
    REEF_TEST(test_der_strerror))
