/*
 * Unit tests of reef-repogen's building blocks: the DER writer, the PRNG,
 * ROA normalisation, RFC 3779 extension building and eContent encoders.
 * (The generator as a whole is checked against peer validators by
 * tests/tools/repogen/check-peers.sh.)
 */
#include <string.h>

#include <openssl/x509v3.h>

#include "suite.h"
#include "tests/tools/repogen/repogen.h"

static int
buf_is(const struct buf *b, const void *want, size_t len)
{
	return b->len == len && memcmp(b->p, want, len) == 0;
}

static void
test_der_uint(void)
{
	struct buf	b = { 0 };

	rg_der_uint(&b, 0);
	CU_ASSERT(buf_is(&b, "\x02\x01\x00", 3));
	rg_buf_free(&b);
	rg_der_uint(&b, 127);
	CU_ASSERT(buf_is(&b, "\x02\x01\x7f", 3));
	rg_buf_free(&b);
	/* A set top bit needs a leading zero octet (X.690 8.3.2). */
	rg_der_uint(&b, 128);
	CU_ASSERT(buf_is(&b, "\x02\x02\x00\x80", 4));
	rg_buf_free(&b);
	rg_der_uint(&b, 0xffffffffULL);
	CU_ASSERT(buf_is(&b, "\x02\x05\x00\xff\xff\xff\xff", 7));
	rg_buf_free(&b);
	rg_der_uint(&b, 0x0100);
	CU_ASSERT(buf_is(&b, "\x02\x02\x01\x00", 4));
	rg_buf_free(&b);
}

static void
test_der_tlv_lengths(void)
{
	struct buf	b = { 0 };
	uint8_t		c[300];

	memset(c, 0xaa, sizeof(c));
	rg_der_tlv(&b, 0x04, c, 127);
	CU_ASSERT(b.len == 129 && b.p[1] == 127);
	rg_buf_free(&b);
	rg_der_tlv(&b, 0x04, c, 128);
	CU_ASSERT(b.len == 131 && b.p[1] == 0x81 && b.p[2] == 128);
	rg_buf_free(&b);
	rg_der_tlv(&b, 0x04, c, 300);
	CU_ASSERT(b.len == 304 && b.p[1] == 0x82 && b.p[2] == 0x01 &&
	    b.p[3] == 0x2c);
	rg_buf_free(&b);
	rg_der_tlv(&b, 0x05, NULL, 0);
	CU_ASSERT(buf_is(&b, "\x05\x00", 2));
	rg_buf_free(&b);
}

static void
test_der_oid(void)
{
	struct buf	b = { 0 };

	rg_der_oid(&b, OID_SHA256);
	CU_ASSERT(buf_is(&b, "\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01",
	    11));
	rg_buf_free(&b);
	rg_der_oid(&b, OID_CT_ASPA);
	CU_ASSERT(buf_is(&b,
	    "\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x31", 13));
	rg_buf_free(&b);
}

static void
test_der_pfx_bits(void)
{
	struct buf	b = { 0 };
	struct pfx	p8 = { 1, 8, 8, 0x0a000000 };
	struct pfx	p10 = { 1, 10, 10, 0x0a400000 };
	struct pfx	p0 = { 1, 0, 0, 0 };
	struct pfx	v6 = { 2, 32, 48, 0x20010db800000000ULL };

	rg_der_pfx_bits(&b, &p8);
	CU_ASSERT(buf_is(&b, "\x03\x02\x00\x0a", 4));
	rg_buf_free(&b);
	/* 10.64.0.0/10: 6 unused bits, trailing bits zero. */
	rg_der_pfx_bits(&b, &p10);
	CU_ASSERT(buf_is(&b, "\x03\x03\x06\x0a\x40", 5));
	rg_buf_free(&b);
	rg_der_pfx_bits(&b, &p0);
	CU_ASSERT(buf_is(&b, "\x03\x01\x00", 3));
	rg_buf_free(&b);
	rg_der_pfx_bits(&b, &v6);
	CU_ASSERT(buf_is(&b, "\x03\x05\x00\x20\x01\x0d\xb8", 7));
	rg_buf_free(&b);
}

static void
test_prng(void)
{
	struct prng	a, b, c;
	int		i, same = 1, differ = 0;

	rg_prng_init(&a, 42, 1, 7);
	rg_prng_init(&b, 42, 1, 7);
	rg_prng_init(&c, 42, 1, 8);
	for (i = 0; i < 100; i++) {
		uint64_t	x = rg_prng_next(&a);

		same &= x == rg_prng_next(&b);
		differ |= x != rg_prng_next(&c);
	}
	CU_ASSERT(same);
	CU_ASSERT(differ);
	for (i = 0; i < 1000; i++)
		CU_ASSERT(rg_prng_below(&a, 10) < 10);
	CU_ASSERT(rg_prng_below(&a, 0) == 0);
}

static void
test_roa_normalise(void)
{
	struct roa_spec	s;

	memset(&s, 0, sizeof(s));
	s.npfx = 4;
	s.pfx[0] = (struct pfx){ 2, 32, 32, 0x20010db800000000ULL };
	s.pfx[1] = (struct pfx){ 1, 24, 24, 0xc0000200 };
	s.pfx[2] = (struct pfx){ 1, 16, 24, 0x0a000000 };
	s.pfx[3] = (struct pfx){ 1, 24, 28, 0xc0000200 };	/* duplicate */
	rg_roa_normalise(&s);
	CU_ASSERT_EQUAL(s.npfx, 3);
	CU_ASSERT(s.pfx[0].afi == 1 && s.pfx[0].addr == 0x0a000000);
	CU_ASSERT(s.pfx[1].afi == 1 && s.pfx[1].addr == 0xc0000200);
	CU_ASSERT(s.pfx[2].afi == 2);
}

static void
test_res_pfx_canonical(void)
{
	X509		*x;
	IPAddrBlocks	*blocks;
	struct pfx	 p[3] = {
		{ 1, 16, 16, 0x0a000000 },
		{ 1, 24, 24, 0x0a000100 },	/* inside the /16 */
		{ 1, 16, 16, 0x0a010000 },	/* adjacent: merged */
	};

	x = X509_new();
	CU_ASSERT_FATAL(x != NULL);
	CU_ASSERT(rg_res_add_ip_pfx(x, p, 3) == 0);
	blocks = X509_get_ext_d2i(x, NID_sbgp_ipAddrBlock, NULL, NULL);
	CU_ASSERT_FATAL(blocks != NULL);
	CU_ASSERT(X509v3_addr_is_canonical(blocks));
	CU_ASSERT_EQUAL(sk_IPAddressFamily_num(blocks), 1);
	/* 10.0.0.0/16 + 10.1.0.0/16 merge to the prefix 10.0.0.0/15. */
	CU_ASSERT_EQUAL(sk_IPAddressOrRange_num(
	    sk_IPAddressFamily_value(blocks, 0)->ipAddressChoice->
	    u.addressesOrRanges), 1);
	sk_IPAddressFamily_pop_free(blocks, IPAddressFamily_free);
	X509_free(x);
}

static void
test_res_outside(void)
{
	struct range	v4 = { 0x0a000000, 0x0affffff }, v6 = { 0, 0 };
	struct range	all4 = { 0, 0xffffffffULL }, all6 = { 0, ~0ULL };
	struct pfx	p;

	CU_ASSERT(rg_res_outside(&v4, &v6, &p) == 0);
	CU_ASSERT(p.afi == 1 && p.len == 24 && p.addr == 0x0b000000);
	CU_ASSERT(!rg_res_pfx_in_range(&p, &v4, &v6));
	CU_ASSERT(rg_res_outside(&all4, &v6, &p) == 0);
	CU_ASSERT(p.afi == 2 && !rg_res_pfx_in_range(&p, &all4, &v6));
	CU_ASSERT(rg_res_outside(&all4, &all6, &p) == -1);
}

static void
test_aspa_econtent(void)
{
	struct aspa_out	a = { 64496, 2, { 64497, 64498 } };
	struct buf	b = { 0 };
	static const uint8_t want[] = {
		0x30, 0x16,
		0xa0, 0x03, 0x02, 0x01, 0x01,		/* version [0] 1 */
		0x02, 0x03, 0x00, 0xfb, 0xf0,		/* customer */
		0x30, 0x0a,
		0x02, 0x03, 0x00, 0xfb, 0xf1,
		0x02, 0x03, 0x00, 0xfb, 0xf2,
	};

	rg_aspa_econtent(&a, &b);
	CU_ASSERT(buf_is(&b, want, sizeof(want)));
	rg_buf_free(&b);
}

static void
test_roa_econtent(void)
{
	struct roa_spec	s;
	struct buf	b = { 0 };
	static const uint8_t want[] = {
		0x30, 0x16,
		0x02, 0x03, 0x00, 0xfb, 0xf0,		/* asID 64496 */
		0x30, 0x0f, 0x30, 0x0d,
		0x04, 0x02, 0x00, 0x01,			/* IPv4 */
		0x30, 0x07, 0x30, 0x05,
		0x03, 0x03, 0x00, 0xc0, 0x00,		/* 192.0.0.0/16 */
		/* maxLength omitted: equal to the length */
	};

	memset(&s, 0, sizeof(s));
	s.asid = 64496;
	s.npfx = 1;
	s.pfx[0] = (struct pfx){ 1, 16, 16, 0xc0000000 };
	rg_roa_econtent(&s, &b);
	CU_ASSERT_EQUAL(b.len, sizeof(want) - 0);
	CU_ASSERT(b.len >= 2 && b.p[0] == 0x30);
	CU_ASSERT(buf_is(&b, want, sizeof(want)));
	rg_buf_free(&b);
}

static void
test_mft_econtent(void)
{
	struct mft_entry	 e[1];
	struct buf		 b = { 0 };
	const unsigned char	*p;
	ASN1_TYPE		*t;

	memset(e, 0, sizeof(e));
	strcpy(e[0].name, "a.roa");
	memset(e[0].hash, 0x11, sizeof(e[0].hash));
	rg_mft_econtent(5, 1767225600LL, 1767225600LL + 86400, e, 1, &b);
	/* It is one well-formed DER SEQUENCE, nothing after it. */
	p = b.p;
	t = d2i_ASN1_TYPE(NULL, &p, (long)b.len);
	CU_ASSERT(t != NULL && t->type == V_ASN1_SEQUENCE);
	CU_ASSERT(p == b.p + b.len);
	/* manifestNumber first (version DEFAULT 0 omitted), then time. */
	CU_ASSERT(b.p[2] == 0x02 && b.p[3] == 0x01 && b.p[4] == 0x05);
	CU_ASSERT(memcmp(b.p + 5, "\x18\x0f" "20260101000000Z", 17) == 0);
	ASN1_TYPE_free(t);
	rg_buf_free(&b);
}

REEF_SUITE(repogen,
    REEF_TEST(test_der_uint),
    REEF_TEST(test_der_tlv_lengths),
    REEF_TEST(test_der_oid),
    REEF_TEST(test_der_pfx_bits),
    REEF_TEST(test_prng),
    REEF_TEST(test_roa_normalise),
    REEF_TEST(test_res_pfx_canonical),
    REEF_TEST(test_res_outside),
    REEF_TEST(test_aspa_econtent),
    REEF_TEST(test_roa_econtent),
    REEF_TEST(test_mft_econtent));
