/*
 * Tests for the RTR PDU code (rtrd/pdu_*.c): exact bytes of every PDU at
 * every version (hand-written from the RFC 6810, RFC 8210 and 8210bis
 * figures), round trips, every decoding error, the Error Report reply
 * logic and the 8210bis section 11.2 order of full and delta streams
 * (checked against a naive replay of random deltas).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include "common/prefix.h"
#include "rtrd/pdu.h"
#include "suite.h"

#define NVERSIONS	3
#define SPEED_VRPS	1000000
#define RANDOM_ROUNDS	20
#define RANDOM_VRPS	300
#define RANDOM_ASPAS	40
#define RANDOM_KEYS	20
#define ITEM_STRLEN	256

static struct vrp
mkvrp(const char *pfx, unsigned int maxlen, uint32_t asn)
{
	struct vrp	 v;

	memset(&v, 0, sizeof(v));
	CU_ASSERT_EQUAL_FATAL(prefix_parse(pfx, &v.prefix), PREFIX_OK);
	v.maxlen = maxlen;
	v.asn = asn;
	return v;
}

/* Compare a buffer against expected bytes, printing the first mismatch. */
static int
bytes_eq(const struct pdu_buf *b, const uint8_t *exp, size_t n)
{
	size_t	 i;

	if (b->len != n) {
		fprintf(stderr, "length %zu, expected %zu\n", b->len, n);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (b->data[i] != exp[i]) {
			fprintf(stderr, "byte %zu: %02x, expected %02x\n", i,
			    b->data[i], exp[i]);
			return 0;
		}
	return 1;
}

/* Decode exactly one PDU filling the whole buffer. */
static int
decode_one(const uint8_t *p, size_t n, struct pdu *out)
{
	size_t	 used;
	int	 rc;

	rc = pdu_decode(p, n, out, &used);
	if (rc == PDU_OK)
		CU_ASSERT_EQUAL(used, n);
	return rc;
}

static void
test_control_bytes(void)
{
	struct pdu_buf	 b = { 0 };
	uint8_t		 v;

	for (v = 0; v < NVERSIONS; v++) {
		const uint8_t notify[] = { v, 0, 0x12, 0x34, 0, 0, 0, 12,
		    0xde, 0xad, 0xbe, 0xef };
		const uint8_t query[] = { v, 1, 0xab, 0xcd, 0, 0, 0, 12,
		    0, 0, 0, 7 };
		const uint8_t reset[] = { v, 2, 0, 0, 0, 0, 0, 8 };
		const uint8_t resp[] = { v, 3, 0xfe, 0xdc, 0, 0, 0, 8 };
		const uint8_t creset[] = { v, 8, 0, 0, 0, 0, 0, 8 };

		pdu_buf_reset(&b);
		CU_ASSERT_EQUAL(pdu_put_serial_notify(&b, v, 0x1234,
		    0xdeadbeef), PDU_OK);
		CU_ASSERT(bytes_eq(&b, notify, sizeof(notify)));
		pdu_buf_reset(&b);
		CU_ASSERT_EQUAL(pdu_put_serial_query(&b, v, 0xabcd, 7), PDU_OK);
		CU_ASSERT(bytes_eq(&b, query, sizeof(query)));
		pdu_buf_reset(&b);
		CU_ASSERT_EQUAL(pdu_put_reset_query(&b, v), PDU_OK);
		CU_ASSERT(bytes_eq(&b, reset, sizeof(reset)));
		pdu_buf_reset(&b);
		CU_ASSERT_EQUAL(pdu_put_cache_response(&b, v, 0xfedc), PDU_OK);
		CU_ASSERT(bytes_eq(&b, resp, sizeof(resp)));
		pdu_buf_reset(&b);
		CU_ASSERT_EQUAL(pdu_put_cache_reset(&b, v), PDU_OK);
		CU_ASSERT(bytes_eq(&b, creset, sizeof(creset)));
	}
	CU_ASSERT_EQUAL(pdu_put_reset_query(&b, 3), PDU_EVERSION);
	CU_ASSERT_EQUAL(pdu_put_cache_response(&b, 255, 1), PDU_EVERSION);
	pdu_buf_free(&b);
}

static void
test_end_of_data_bytes(void)
{
	/* RFC 6810 section 5.8: version 0 has the serial only */
	const uint8_t	 v0[] = { 0, 7, 0x00, 0x2a, 0, 0, 0, 12,
	    0, 0, 0x01, 0x00 };
	const uint8_t	 v1[] = { 1, 7, 0x00, 0x2a, 0, 0, 0, 24,
	    0, 0, 0x01, 0x00, 0, 0, 0x0e, 0x10, 0, 0, 0x02, 0x58,
	    0, 0, 0x1c, 0x20 };
	const uint8_t	 v2[] = { 2, 7, 0x00, 0x2a, 0, 0, 0, 24,
	    0, 0, 0x01, 0x00, 0, 0, 0x0e, 0x10, 0, 0, 0x02, 0x58,
	    0, 0, 0x1c, 0x20 };
	struct pdu_buf	 b = { 0 };

	CU_ASSERT_EQUAL(pdu_put_end_of_data(&b, 0, 42, 256, 3600, 600, 7200),
	    PDU_OK);
	CU_ASSERT(bytes_eq(&b, v0, sizeof(v0)));
	pdu_buf_reset(&b);
	CU_ASSERT_EQUAL(pdu_put_end_of_data(&b, 1, 42, 256, 3600, 600, 7200),
	    PDU_OK);
	CU_ASSERT(bytes_eq(&b, v1, sizeof(v1)));
	pdu_buf_reset(&b);
	CU_ASSERT_EQUAL(pdu_put_end_of_data(&b, 2, 42, 256, 3600, 600, 7200),
	    PDU_OK);
	CU_ASSERT(bytes_eq(&b, v2, sizeof(v2)));

	/* 8210bis section 6 ranges; version 0 ignores the intervals */
	pdu_buf_reset(&b);
	CU_ASSERT_EQUAL(pdu_put_end_of_data(&b, 1, 1, 1, 0, 600, 7200),
	    PDU_EINVAL);
	CU_ASSERT_EQUAL(pdu_put_end_of_data(&b, 1, 1, 1, 86401, 600, 172800),
	    PDU_EINVAL);
	CU_ASSERT_EQUAL(pdu_put_end_of_data(&b, 2, 1, 1, 3600, 7201, 7200),
	    PDU_EINVAL);
	CU_ASSERT_EQUAL(pdu_put_end_of_data(&b, 2, 1, 1, 60, 60, 599),
	    PDU_EINVAL);
	CU_ASSERT_EQUAL(pdu_put_end_of_data(&b, 2, 1, 1, 3600, 600, 172801),
	    PDU_EINVAL);
	/* expire must exceed refresh and retry */
	CU_ASSERT_EQUAL(pdu_put_end_of_data(&b, 2, 1, 1, 3600, 600, 3600),
	    PDU_EINVAL);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_EQUAL(pdu_put_end_of_data(&b, 2, 1, 1, 1, 1, 600), PDU_OK);
	CU_ASSERT_EQUAL(pdu_put_end_of_data(&b, 0, 1, 1, 0, 0, 0), PDU_OK);
	CU_ASSERT_EQUAL(pdu_put_end_of_data(&b, 3, 1, 1, 1, 1, 600),
	    PDU_EVERSION);
	pdu_buf_free(&b);
}

static void
test_prefix_bytes(void)
{
	struct pdu_buf	 b = { 0 };
	struct vrp	 v4 = mkvrp("192.0.2.0/24", 24, 64496);
	struct vrp	 v6 = mkvrp("2001:db8::/32", 48, 64497);
	struct vrp	 bad;
	uint8_t		 v;

	for (v = 0; v < NVERSIONS; v++) {
		const uint8_t e4[] = { v, 4, 0, 0, 0, 0, 0, 20,
		    1, 24, 24, 0, 192, 0, 2, 0, 0, 0, 0xfb, 0xf0 };
		const uint8_t e6[] = { v, 6, 0, 0, 0, 0, 0, 32,
		    0, 32, 48, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb, 0xf1 };

		pdu_buf_reset(&b);
		CU_ASSERT_EQUAL(pdu_put_prefix(&b, v, PDU_FLAG_ANNOUNCE, &v4),
		    PDU_OK);
		CU_ASSERT(bytes_eq(&b, e4, sizeof(e4)));
		pdu_buf_reset(&b);
		CU_ASSERT_EQUAL(pdu_put_prefix(&b, v, PDU_FLAG_WITHDRAW, &v6),
		    PDU_OK);
		CU_ASSERT(bytes_eq(&b, e6, sizeof(e6)));
	}

	/* every prefix is checked before sending */
	pdu_buf_reset(&b);
	bad = v4;
	bad.maxlen = 23;
	CU_ASSERT_EQUAL(pdu_put_prefix(&b, 2, 1, &bad), PDU_EINVAL);
	bad.maxlen = 33;
	CU_ASSERT_EQUAL(pdu_put_prefix(&b, 2, 1, &bad), PDU_EINVAL);
	bad = v6;
	bad.maxlen = 129;
	CU_ASSERT_EQUAL(pdu_put_prefix(&b, 2, 1, &bad), PDU_EINVAL);
	bad = v4;
	bad.prefix.addr[3] = 1;		/* host bit */
	CU_ASSERT_EQUAL(pdu_put_prefix(&b, 2, 1, &bad), PDU_EINVAL);
	CU_ASSERT_EQUAL(pdu_put_prefix(&b, 2, 0x81, &v4), PDU_EINVAL);
	CU_ASSERT_EQUAL(pdu_put_prefix(&b, 3, 1, &v4), PDU_EVERSION);
	CU_ASSERT_EQUAL(b.len, 0);
	pdu_buf_free(&b);
}

static void
test_router_key_bytes(void)
{
	static const uint8_t spki[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	struct pdu_buf		 b = { 0 };
	struct router_key	 k;
	uint8_t			 v;

	memset(&k, 0, sizeof(k));
	memset(k.ski, 0xaa, sizeof(k.ski));
	k.ski[19] = 0x01;
	k.asn = 65536;
	k.spki = spki;
	k.spki_len = sizeof(spki);
	for (v = 1; v < NVERSIONS; v++) {
		const uint8_t e[] = { v, 9, 1, 0, 0, 0, 0, 37,
		    0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
		    0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0x01,
		    0, 1, 0, 0, 0x30, 0x03, 0x02, 0x01, 0x05 };

		pdu_buf_reset(&b);
		CU_ASSERT_EQUAL(pdu_put_router_key(&b, v, PDU_FLAG_ANNOUNCE,
		    &k), PDU_OK);
		CU_ASSERT(bytes_eq(&b, e, sizeof(e)));
	}
	pdu_buf_reset(&b);
	CU_ASSERT_EQUAL(pdu_put_router_key(&b, 2, PDU_FLAG_WITHDRAW, &k),
	    PDU_OK);
	CU_ASSERT_EQUAL(b.data[2], 0);
	/* no Router Key in version 0 (RFC 6810: type 9 reserved) */
	CU_ASSERT_EQUAL(pdu_put_router_key(&b, 0, 1, &k), PDU_ETYPE);
	k.spki_len = 0;
	CU_ASSERT_EQUAL(pdu_put_router_key(&b, 1, 1, &k), PDU_EINVAL);
	pdu_buf_free(&b);
}

static void
test_aspa_bytes(void)
{
	static const uint32_t	 prov[] = { 64497, 64498 };
	static const uint32_t	 prov0[] = { 0, 64499 };
	static const uint32_t	 only0[] = { 0 };
	static const uint32_t	 unsorted[] = { 64498, 64497 };
	/* 8210bis-27 section 5.12: flags, zero, length, customer, providers */
	static const uint8_t	 ann[] = { 2, 11, 1, 0, 0, 0, 0, 20,
	    0, 0, 0xfb, 0xf0, 0, 0, 0xfb, 0xf1, 0, 0, 0xfb, 0xf2 };
	static const uint8_t	 wd[] = { 2, 11, 0, 0, 0, 0, 0, 12,
	    0, 0, 0xfb, 0xf0 };
	static const uint8_t	 drop0[] = { 2, 11, 1, 0, 0, 0, 0, 16,
	    0, 0, 0xfb, 0xf0, 0, 0, 0xfb, 0xf3 };
	static const uint8_t	 just0[] = { 2, 11, 1, 0, 0, 0, 0, 16,
	    0, 0, 0xfb, 0xf0, 0, 0, 0, 0 };
	struct pdu_buf		 b = { 0 };
	struct aspa		 a = { 64496, 0, 0, prov, 2 };
	uint32_t		*big;
	size_t			 i;

	CU_ASSERT_EQUAL(pdu_put_aspa(&b, 2, PDU_FLAG_ANNOUNCE, &a), PDU_OK);
	CU_ASSERT(bytes_eq(&b, ann, sizeof(ann)));
	pdu_buf_reset(&b);
	CU_ASSERT_EQUAL(pdu_put_aspa(&b, 2, PDU_FLAG_WITHDRAW, &a), PDU_OK);
	CU_ASSERT(bytes_eq(&b, wd, sizeof(wd)));
	/* AS 0 is dropped from a multi-provider list, kept on its own */
	pdu_buf_reset(&b);
	a.providers = prov0;
	CU_ASSERT_EQUAL(pdu_put_aspa(&b, 2, PDU_FLAG_ANNOUNCE, &a), PDU_OK);
	CU_ASSERT(bytes_eq(&b, drop0, sizeof(drop0)));
	pdu_buf_reset(&b);
	a.providers = only0;
	a.nproviders = 1;
	CU_ASSERT_EQUAL(pdu_put_aspa(&b, 2, PDU_FLAG_ANNOUNCE, &a), PDU_OK);
	CU_ASSERT(bytes_eq(&b, just0, sizeof(just0)));

	pdu_buf_reset(&b);
	CU_ASSERT_EQUAL(pdu_put_aspa(&b, 1, 1, &a), PDU_ETYPE);
	CU_ASSERT_EQUAL(pdu_put_aspa(&b, 0, 1, &a), PDU_ETYPE);
	a.nproviders = 0;
	CU_ASSERT_EQUAL(pdu_put_aspa(&b, 2, 1, &a), PDU_EINVAL);
	a.providers = unsorted;
	a.nproviders = 2;
	CU_ASSERT_EQUAL(pdu_put_aspa(&b, 2, 1, &a), PDU_EINVAL);
	a.providers = prov;
	a.customer = 0;
	CU_ASSERT_EQUAL(pdu_put_aspa(&b, 2, 1, &a), PDU_EINVAL);
	CU_ASSERT_EQUAL(b.len, 0);

	/* the 64 KiB PDU limit bounds the provider list */
	CU_ASSERT_PTR_NOT_NULL_FATAL(big = calloc(PDU_ASPA_MAX_PROVIDERS + 1,
	    sizeof(*big)));
	for (i = 0; i <= PDU_ASPA_MAX_PROVIDERS; i++)
		big[i] = i + 1;
	a.customer = 1000000;
	a.providers = big;
	a.nproviders = PDU_ASPA_MAX_PROVIDERS;
	CU_ASSERT_EQUAL(pdu_put_aspa(&b, 2, 1, &a), PDU_OK);
	CU_ASSERT(b.len <= PDU_MAX_LEN);
	a.nproviders++;
	CU_ASSERT_EQUAL(pdu_put_aspa(&b, 2, 1, &a), PDU_ETOOBIG);
	free(big);
	pdu_buf_free(&b);
}

static void
test_error_report_bytes(void)
{
	static const uint8_t	 bad[] = { 3, 2, 0, 0, 0, 0, 0, 8 };
	static const uint8_t	 e[] = { 2, 10, 0, 4, 0, 0, 0, 29,
	    0, 0, 0, 8, 3, 2, 0, 0, 0, 0, 0, 8,
	    0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o' };
	static const uint8_t	 bare[] = { 1, 10, 0, 1, 0, 0, 0, 16,
	    0, 0, 0, 0, 0, 0, 0, 0 };
	struct pdu_buf		 b = { 0 };
	char			 text[PDU_ERROR_TEXT_MAX + 10];
	uint8_t			 encap[PDU_ERROR_ENCAP_MAX + 100];

	CU_ASSERT_EQUAL(pdu_put_error_report(&b, 2, RTR_ERR_UNSUPPORTED_VERSION,
	    bad, sizeof(bad), "hello"), PDU_OK);
	CU_ASSERT(bytes_eq(&b, e, sizeof(e)));
	pdu_buf_reset(&b);
	CU_ASSERT_EQUAL(pdu_put_error_report(&b, 1, RTR_ERR_INTERNAL, NULL,
	    0, NULL), PDU_OK);
	CU_ASSERT(bytes_eq(&b, bare, sizeof(bare)));

	/* codes per version: 8 from version 1, 9..13 from version 2 */
	pdu_buf_reset(&b);
	CU_ASSERT_EQUAL(pdu_put_error_report(&b, 0, 8, NULL, 0, NULL),
	    PDU_EINVAL);
	CU_ASSERT_EQUAL(pdu_put_error_report(&b, 1, 9, NULL, 0, NULL),
	    PDU_EINVAL);
	CU_ASSERT_EQUAL(pdu_put_error_report(&b, 2, 14, NULL, 0, NULL),
	    PDU_EINVAL);
	CU_ASSERT_EQUAL(pdu_put_error_report(&b, 2, 13, NULL, 0, NULL),
	    PDU_OK);

	/* truncation of the offending PDU and of the text */
	pdu_buf_reset(&b);
	memset(encap, 0x55, sizeof(encap));
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	CU_ASSERT_EQUAL(pdu_put_error_report(&b, 2, 0, encap, sizeof(encap),
	    text), PDU_OK);
	CU_ASSERT_EQUAL(b.len, PDU_ERROR_REPORT_MIN_LEN + PDU_ERROR_ENCAP_MAX +
	    PDU_ERROR_TEXT_MAX);
	/* a two-byte character straddling the limit is cut whole */
	pdu_buf_reset(&b);
	text[PDU_ERROR_TEXT_MAX - 1] = (char)0xc3;
	text[PDU_ERROR_TEXT_MAX] = (char)0xa9;
	CU_ASSERT_EQUAL(pdu_put_error_report(&b, 2, 0, NULL, 0, text), PDU_OK);
	CU_ASSERT_EQUAL(b.len, PDU_ERROR_REPORT_MIN_LEN +
	    PDU_ERROR_TEXT_MAX - 1);
	pdu_buf_reset(&b);
	CU_ASSERT_EQUAL(pdu_put_error_report(&b, 2, 0, NULL, 0, "\xff"),
	    PDU_EINVAL);
	pdu_buf_free(&b);
}

/* Encode then decode every PDU type at every version it exists in. */
static void
test_round_trip(void)
{
	static const uint8_t	 spki[] = { 0x30, 0x01, 0x00 };
	static const uint32_t	 prov[] = { 0, 7, 4200000000u };
	struct pdu_buf		 b = { 0 };
	struct pdu		 p;
	struct vrp		 v4 = mkvrp("10.0.0.0/8", 24, 4294967295u);
	struct vrp		 v6 = mkvrp("::/0", 128, 0);
	struct router_key	 k;
	struct aspa		 a = { 5, 0, 0, prov + 1, 2 };
	size_t			 used;
	uint8_t			 v;

	memset(&k, 0, sizeof(k));
	k.ski[0] = 9;
	k.asn = 123;
	k.spki = spki;
	k.spki_len = sizeof(spki);
	for (v = 0; v < NVERSIONS; v++) {
		pdu_buf_reset(&b);
		CU_ASSERT_FATAL(pdu_put_serial_notify(&b, v, 7, 99) == PDU_OK);
		CU_ASSERT_EQUAL_FATAL(decode_one(b.data, b.len, &p), PDU_OK);
		CU_ASSERT(p.version == v && p.type == PDU_SERIAL_NOTIFY &&
		    p.session_id == 7 && p.serial == 99 && p.length == 12);

		pdu_buf_reset(&b);
		CU_ASSERT_FATAL(pdu_put_end_of_data(&b, v, 65535, UINT32_MAX,
		    86400, 7200, 172800) == PDU_OK);
		CU_ASSERT_EQUAL_FATAL(decode_one(b.data, b.len, &p), PDU_OK);
		CU_ASSERT(p.type == PDU_END_OF_DATA && p.session_id == 65535 &&
		    p.serial == UINT32_MAX);
		if (v > 0)
			CU_ASSERT(p.refresh == 86400 && p.retry == 7200 &&
			    p.expire == 172800);

		pdu_buf_reset(&b);
		CU_ASSERT_FATAL(pdu_put_prefix(&b, v, 1, &v4) == PDU_OK);
		CU_ASSERT_FATAL(pdu_put_prefix(&b, v, 0, &v6) == PDU_OK);
		CU_ASSERT_EQUAL_FATAL(pdu_decode(b.data, b.len, &p, &used),
		    PDU_OK);
		CU_ASSERT(used == 20 && p.flags == 1 &&
		    prefix_cmp(&p.vrp.prefix, &v4.prefix) == 0 &&
		    p.vrp.maxlen == 24 && p.vrp.asn == 4294967295u);
		CU_ASSERT_EQUAL_FATAL(decode_one(b.data + 20, b.len - 20, &p),
		    PDU_OK);
		CU_ASSERT(p.flags == 0 && p.type == PDU_IPV6_PREFIX &&
		    prefix_cmp(&p.vrp.prefix, &v6.prefix) == 0 &&
		    p.vrp.maxlen == 128 && p.vrp.asn == 0);

		pdu_buf_reset(&b);
		CU_ASSERT_FATAL(pdu_put_error_report(&b, v, 2, NULL, 0,
		    "no data \xc3\xa9") == PDU_OK);
		CU_ASSERT_EQUAL_FATAL(decode_one(b.data, b.len, &p), PDU_OK);
		CU_ASSERT(p.error_code == 2 && p.error_pdu == NULL &&
		    p.error_text_len == 10 &&
		    memcmp(p.error_text, "no data \xc3\xa9", 10) == 0);
		if (v == 0)
			continue;

		pdu_buf_reset(&b);
		CU_ASSERT_FATAL(pdu_put_router_key(&b, v, 1, &k) == PDU_OK);
		CU_ASSERT_EQUAL_FATAL(decode_one(b.data, b.len, &p), PDU_OK);
		CU_ASSERT(p.flags == 1 && p.key.asn == 123 &&
		    memcmp(p.key.ski, k.ski, 20) == 0 &&
		    p.key.spki_len == 3 && memcmp(p.key.spki, spki, 3) == 0);
		if (v == 1)
			continue;

		pdu_buf_reset(&b);
		CU_ASSERT_FATAL(pdu_put_aspa(&b, v, 1, &a) == PDU_OK);
		CU_ASSERT_EQUAL_FATAL(decode_one(b.data, b.len, &p), PDU_OK);
		CU_ASSERT(p.flags == 1 && p.customer == 5 &&
		    p.nproviders == 2 && pdu_aspa_provider(&p, 0) == 7 &&
		    pdu_aspa_provider(&p, 1) == 4200000000u);
		pdu_buf_reset(&b);
		CU_ASSERT_FATAL(pdu_put_aspa(&b, v, 0, &a) == PDU_OK);
		CU_ASSERT_EQUAL_FATAL(decode_one(b.data, b.len, &p), PDU_OK);
		CU_ASSERT(p.flags == 0 && p.customer == 5 &&
		    p.nproviders == 0);
	}
	pdu_buf_free(&b);
}

/* Expect pdu_decode() to fail with err and quote `quote` bytes. */
static void
expect_err(const uint8_t *p, size_t n, int err, size_t quote)
{
	struct pdu	 out;
	size_t		 used = 12345;
	int		 rc;

	rc = pdu_decode(p, n, &out, &used);
	if (rc != err)
		fprintf(stderr, "got %d (%s), expected %d (%s)\n", rc,
		    pdu_strerror(rc), err, pdu_strerror(err));
	CU_ASSERT_EQUAL(rc, err);
	CU_ASSERT_EQUAL(used, quote);
}

static void
test_decode_header_errors(void)
{
	static const uint8_t	 v3[] = { 3, 2, 0, 0, 0, 0, 0, 8 };
	static const uint8_t	 type5[] = { 1, 5, 0, 0, 0, 0, 0, 8 };
	static const uint8_t	 type12[] = { 2, 12, 0, 0, 0, 0, 0, 8 };
	static const uint8_t	 type255[] = { 2, 255, 0, 0, 0, 0, 0, 8 };
	static const uint8_t	 rk_v0[] = { 0, 9, 0, 0, 0, 0, 0, 40 };
	static const uint8_t	 aspa_v1[] = { 1, 11, 0, 0, 0, 0, 0, 12 };
	static const uint8_t	 short_len[] = { 1, 2, 0, 0, 0, 0, 0, 7 };
	static const uint8_t	 huge[] = { 2, 11, 1, 0, 0, 1, 0, 0 };
	static const uint8_t	 reset_12[] = { 1, 2, 0, 0, 0, 0, 0, 12,
	    0, 0, 0, 0 };
	static const uint8_t	 reset_nz[] = { 2, 2, 0, 1, 0, 0, 0, 8 };
	static const uint8_t	 creset_nz[] = { 2, 8, 0x80, 0, 0, 0, 0, 8 };
	static const uint8_t	 eod_v0_24[] = { 0, 7, 0, 0, 0, 0, 0, 24 };
	static const uint8_t	 eod_v1_12[] = { 1, 7, 0, 0, 0, 0, 0, 12 };
	static const uint8_t	 v4_21[] = { 1, 4, 0, 0, 0, 0, 0, 21 };
	static const uint8_t	 v6_20[] = { 1, 6, 0, 0, 0, 0, 0, 20 };
	static const uint8_t	 rk_32[] = { 1, 9, 1, 0, 0, 0, 0, 32 };
	static const uint8_t	 aspa_13[] = { 2, 11, 1, 0, 0, 0, 0, 17 };
	static const uint8_t	 aspa_8[] = { 2, 11, 0, 0, 0, 0, 0, 8 };
	static const uint8_t	 rk_zero[] = { 1, 9, 1, 1, 0, 0, 0, 40 };
	static const uint8_t	 rk_flags[] = { 1, 9, 3, 0, 0, 0, 0, 40 };
	static const uint8_t	 aspa_flags[] = { 2, 11, 0x81, 0, 0, 0, 0, 16 };
	static const uint8_t	 err_15[] = { 2, 10, 0, 0, 0, 0, 0, 15 };

	expect_err(v3, sizeof(v3), PDU_EVERSION, 8);
	expect_err(v3, 1, PDU_EVERSION, 1);	/* known from one octet */
	expect_err(type5, sizeof(type5), PDU_ETYPE, 8);
	expect_err(type12, sizeof(type12), PDU_ETYPE, 8);
	expect_err(type255, sizeof(type255), PDU_ETYPE, 8);
	expect_err(rk_v0, sizeof(rk_v0), PDU_ETYPE, 8);
	expect_err(aspa_v1, sizeof(aspa_v1), PDU_ETYPE, 8);
	expect_err(short_len, sizeof(short_len), PDU_ELENGTH, 8);
	expect_err(huge, sizeof(huge), PDU_ELENGTH, 8);
	expect_err(reset_12, sizeof(reset_12), PDU_ELENGTH, 12);
	expect_err(reset_nz, sizeof(reset_nz), PDU_EZERO, 8);
	expect_err(creset_nz, sizeof(creset_nz), PDU_EZERO, 8);
	/* wrong fixed lengths fail on the header, before the body came */
	expect_err(eod_v0_24, sizeof(eod_v0_24), PDU_ELENGTH, 8);
	expect_err(eod_v1_12, sizeof(eod_v1_12), PDU_ELENGTH, 8);
	expect_err(v4_21, sizeof(v4_21), PDU_ELENGTH, 8);
	expect_err(v6_20, sizeof(v6_20), PDU_ELENGTH, 8);
	expect_err(rk_32, sizeof(rk_32), PDU_ELENGTH, 8);
	expect_err(aspa_13, sizeof(aspa_13), PDU_ELENGTH, 8);
	expect_err(aspa_8, sizeof(aspa_8), PDU_ELENGTH, 8);
	expect_err(rk_zero, sizeof(rk_zero), PDU_EZERO, 8);
	expect_err(rk_flags, sizeof(rk_flags), PDU_EFLAGS, 8);
	expect_err(aspa_flags, sizeof(aspa_flags), PDU_EFLAGS, 8);
	/* a malformed Error Report is never answered */
	expect_err(err_15, sizeof(err_15), PDU_EERROR, 8);
}

static void
test_decode_incomplete(void)
{
	struct pdu_buf	 b = { 0 };
	struct pdu	 p;
	struct vrp	 v = mkvrp("2001:db8::/32", 32, 1);
	size_t		 i, used;

	CU_ASSERT_FATAL(pdu_put_prefix(&b, 1, 1, &v) == PDU_OK);
	for (i = 0; i < b.len; i++) {
		used = 99;
		CU_ASSERT_EQUAL(pdu_decode(b.data, i, &p, &used),
		    PDU_INCOMPLETE);
		CU_ASSERT_EQUAL(used, 0);
	}
	CU_ASSERT_EQUAL(pdu_decode(b.data, b.len, &p, &used), PDU_OK);
	/* a bad PDU that is not all there is quoted as far as it goes */
	b.data[11] = 1;
	expect_err(b.data, b.len, PDU_EZERO, 32);
	pdu_buf_free(&b);
}

static void
test_decode_body_errors(void)
{
	struct pdu_buf	 b = { 0 };
	struct vrp	 v4 = mkvrp("192.0.2.0/24", 24, 1);
	struct vrp	 v6 = mkvrp("2001:db8::/32", 48, 1);

	CU_ASSERT_FATAL(pdu_put_prefix(&b, 2, 1, &v4) == PDU_OK);
	b.data[8] = 0x03;			/* reserved flag bit */
	expect_err(b.data, b.len, PDU_EFLAGS, 20);
	b.data[8] = 1;
	b.data[11] = 0x10;			/* zero octet */
	expect_err(b.data, b.len, PDU_EZERO, 20);
	b.data[11] = 0;
	b.data[9] = 25;				/* plen > maxlen */
	expect_err(b.data, b.len, PDU_EPREFIX, 20);
	b.data[9] = 24;
	b.data[10] = 33;			/* maxlen > 32 */
	expect_err(b.data, b.len, PDU_EPREFIX, 20);
	b.data[9] = 33;				/* plen > 32 */
	expect_err(b.data, b.len, PDU_EPREFIX, 20);
	b.data[9] = 24;
	b.data[10] = 24;
	b.data[15] = 1;				/* host bit (5.9) */
	expect_err(b.data, b.len, PDU_EPREFIX, 20);

	pdu_buf_reset(&b);
	CU_ASSERT_FATAL(pdu_put_prefix(&b, 2, 1, &v6) == PDU_OK);
	b.data[10] = 129;
	expect_err(b.data, b.len, PDU_EPREFIX, 32);
	b.data[10] = 48;
	b.data[27] = 0x80;			/* host bit in the last octet */
	expect_err(b.data, b.len, PDU_EPREFIX, 32);

	/* End of Data timing (8210bis section 6) */
	pdu_buf_reset(&b);
	CU_ASSERT_FATAL(pdu_put_end_of_data(&b, 1, 1, 1, 3600, 600, 7200) ==
	    PDU_OK);
	memset(b.data + 12, 0, 4);		/* refresh 0 */
	expect_err(b.data, b.len, PDU_EINTERVAL, 24);
	pdu_buf_free(&b);
}

static void
test_decode_aspa_errors(void)
{
	/* announcement without providers: ASPA Provider List Error */
	static const uint8_t	 empty[] = { 2, 11, 1, 0, 0, 0, 0, 12,
	    0, 0, 0, 1 };
	static const uint8_t	 wd_prov[] = { 2, 11, 0, 0, 0, 0, 0, 16,
	    0, 0, 0, 1, 0, 0, 0, 2 };
	static const uint8_t	 with0[] = { 2, 11, 1, 0, 0, 0, 0, 20,
	    0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2 };
	static const uint8_t	 unsorted[] = { 2, 11, 1, 0, 0, 0, 0, 20,
	    0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 2 };
	static const uint8_t	 dup[] = { 2, 11, 1, 0, 0, 0, 0, 20,
	    0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 3 };
	static const uint8_t	 only0[] = { 2, 11, 1, 0, 0, 0, 0, 16,
	    0, 0, 0, 1, 0, 0, 0, 0 };
	static const uint8_t	 aspa_zero[] = { 2, 11, 1, 7, 0, 0, 0, 16,
	    0, 0, 0, 1, 0, 0, 0, 2 };
	struct pdu		 p;

	expect_err(empty, sizeof(empty), PDU_EASPA, 12);
	expect_err(wd_prov, sizeof(wd_prov), PDU_EASPA, 16);
	expect_err(with0, sizeof(with0), PDU_EASPA, 20);
	expect_err(unsorted, sizeof(unsorted), PDU_EASPA, 20);
	expect_err(dup, sizeof(dup), PDU_EASPA, 20);
	expect_err(aspa_zero, sizeof(aspa_zero), PDU_EZERO, 16);
	CU_ASSERT_EQUAL(pdu_err_to_rtr(PDU_EASPA), RTR_ERR_ASPA_PROVIDER_LIST);
	/* a lone AS 0 means "no providers" and is fine */
	CU_ASSERT_EQUAL(decode_one(only0, sizeof(only0), &p), PDU_OK);
	CU_ASSERT(p.nproviders == 1 && pdu_aspa_provider(&p, 0) == 0);
}

static void
test_decode_error_report_errors(void)
{
	static const uint8_t	 ok[] = { 2, 10, 0, 3, 0, 0, 0, 22,
	    0, 0, 0, 4, 2, 2, 0, 0, 0, 0, 0, 2, 'h', 'i' };
	/* encapsulated length beyond the PDU */
	static const uint8_t	 encap[] = { 2, 10, 0, 3, 0, 0, 0, 22,
	    0, 0, 0, 7, 2, 2, 0, 0, 0, 0, 0, 2, 'h', 'i' };
	/* text length not matching the rest */
	static const uint8_t	 tlen[] = { 2, 10, 0, 3, 0, 0, 0, 22,
	    0, 0, 0, 4, 2, 2, 0, 0, 0, 0, 0, 1, 'h', 'i' };
	static const uint8_t	 tlen_big[] = { 2, 10, 0, 3, 0, 0, 0, 22,
	    0, 0, 0, 4, 2, 2, 0, 0, 0xff, 0xff, 0xff, 0xff, 'h', 'i' };
	static const uint8_t	 encap_huge[] = { 2, 10, 0, 3, 0, 0, 0, 16,
	    0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
	static const uint8_t	 utf8[] = { 2, 10, 0, 3, 0, 0, 0, 18,
	    0, 0, 0, 0, 0, 0, 0, 2, 0xc0, 0xaf };
	static const uint8_t	 surrogate[] = { 2, 10, 0, 3, 0, 0, 0, 19,
	    0, 0, 0, 0, 0, 0, 0, 3, 0xed, 0xa0, 0x80 };
	/* code 8 does not exist in version 0, 14 in no version */
	static const uint8_t	 code8_v0[] = { 0, 10, 0, 8, 0, 0, 0, 16,
	    0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t	 code14[] = { 2, 10, 0, 14, 0, 0, 0, 16,
	    0, 0, 0, 0, 0, 0, 0, 0 };
	struct pdu		 p;

	CU_ASSERT_EQUAL_FATAL(decode_one(ok, sizeof(ok), &p), PDU_OK);
	CU_ASSERT(p.error_code == 3 && p.error_pdu_len == 4 &&
	    p.error_pdu == ok + 12 && p.error_text_len == 2);
	expect_err(encap, sizeof(encap), PDU_EERROR, 22);
	expect_err(tlen, sizeof(tlen), PDU_EERROR, 22);
	expect_err(tlen_big, sizeof(tlen_big), PDU_EERROR, 22);
	expect_err(encap_huge, sizeof(encap_huge), PDU_EERROR, 16);
	expect_err(utf8, sizeof(utf8), PDU_EERROR, 18);
	expect_err(surrogate, sizeof(surrogate), PDU_EERROR, 19);
	expect_err(code8_v0, sizeof(code8_v0), PDU_EERROR, 16);
	expect_err(code14, sizeof(code14), PDU_EERROR, 16);
}

static void
test_decode_options(void)
{
	static const uint8_t	 reset_nz[] = { 2, 2, 0, 1, 0, 0, 0, 8 };
	static const uint8_t	 rk_flags[] = { 1, 9, 0x83, 5, 0, 0, 0, 33,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 1, 0x30 };
	static const uint8_t	 resp[] = { 2, 3, 0, 1, 0, 0, 0, 8 };
	static const uint8_t	 query[] = { 2, 1, 0, 1, 0, 0, 0, 12,
	    0, 0, 0, 1 };
	struct pdu		 p;
	size_t			 used;

	CU_ASSERT_EQUAL_FATAL(sizeof(rk_flags), 33);
	CU_ASSERT_EQUAL(pdu_decode_ex(reset_nz, 8, PDU_DECODE_IGNORE_ZERO, &p,
	    &used), PDU_OK);
	CU_ASSERT_EQUAL(pdu_decode_ex(rk_flags, sizeof(rk_flags),
	    PDU_DECODE_IGNORE_ZERO, &p, &used), PDU_OK);
	CU_ASSERT_EQUAL(p.flags, 1);	/* reserved bits masked off */
	CU_ASSERT_EQUAL(pdu_decode_ex(resp, 8, PDU_DECODE_AS_CACHE, &p, &used),
	    PDU_EDIRECTION);
	CU_ASSERT_EQUAL(used, 8);
	CU_ASSERT_EQUAL(pdu_err_to_rtr(PDU_EDIRECTION),
	    RTR_ERR_INVALID_REQUEST);
	CU_ASSERT_EQUAL(pdu_decode_ex(query, 12, PDU_DECODE_AS_CACHE, &p,
	    &used), PDU_OK);
	CU_ASSERT_EQUAL(pdu_decode_ex(query, 12, PDU_DECODE_AS_ROUTER, &p,
	    &used), PDU_EDIRECTION);
	CU_ASSERT_EQUAL(pdu_decode_ex(resp, 8, PDU_DECODE_AS_ROUTER, &p,
	    &used), PDU_OK);
}

static void
test_error_reply(void)
{
	static const uint8_t	 v3[] = { 3, 2, 0, 0, 0, 0, 0, 8 };
	static const uint8_t	 type5[] = { 1, 5, 0, 0, 0, 0, 0, 8 };
	static const uint8_t	 errpdu[] = { 2, 10, 0, 0, 0, 0, 0, 15 };
	struct pdu_buf		 b = { 0 };
	struct pdu		 p;
	struct pdu		 out;
	size_t			 used;
	int			 rc;

	rc = pdu_decode(v3, sizeof(v3), &out, &used);
	CU_ASSERT_EQUAL_FATAL(rc, PDU_EVERSION);
	CU_ASSERT_EQUAL(pdu_put_error_for(&b, PDU_VERSION_MAX, rc, v3, used,
	    NULL), PDU_OK);
	CU_ASSERT_EQUAL_FATAL(decode_one(b.data, b.len, &p), PDU_OK);
	CU_ASSERT(p.version == 2 && p.error_code ==
	    RTR_ERR_UNSUPPORTED_VERSION && p.error_pdu_len == 8 &&
	    memcmp(p.error_pdu, v3, 8) == 0 && p.error_text_len > 0);

	pdu_buf_reset(&b);
	rc = pdu_decode(type5, sizeof(type5), &out, &used);
	CU_ASSERT_EQUAL(pdu_put_error_for(&b, 1, rc, type5, used, "type 5"),
	    PDU_OK);
	CU_ASSERT_EQUAL_FATAL(decode_one(b.data, b.len, &p), PDU_OK);
	CU_ASSERT(p.error_code == RTR_ERR_UNSUPPORTED_TYPE &&
	    p.error_text_len == 6);

	/* never answer an Error Report with one */
	pdu_buf_reset(&b);
	rc = pdu_decode(errpdu, sizeof(errpdu), &out, &used);
	CU_ASSERT_EQUAL(rc, PDU_EERROR);
	CU_ASSERT_EQUAL(pdu_put_error_for(&b, 2, rc, errpdu, used, NULL),
	    PDU_ENOREPLY);
	CU_ASSERT_EQUAL(pdu_put_error_for(&b, 2, PDU_ELENGTH, errpdu, used,
	    NULL), PDU_ENOREPLY);
	CU_ASSERT_EQUAL(b.len, 0);

	/* codes a version lacks fall back to Corrupt Data */
	CU_ASSERT_EQUAL(pdu_put_error_for(&b, 0, PDU_EASPA, NULL, 0, NULL),
	    PDU_OK);
	CU_ASSERT_EQUAL_FATAL(decode_one(b.data, b.len, &p), PDU_OK);
	CU_ASSERT_EQUAL(p.error_code, RTR_ERR_CORRUPT_DATA);
	pdu_buf_free(&b);

	CU_ASSERT(pdu_rtr_error_fatal(RTR_ERR_CORRUPT_DATA));
	CU_ASSERT(!pdu_rtr_error_fatal(RTR_ERR_NO_DATA));
	CU_ASSERT(!pdu_rtr_error_fatal(RTR_ERR_UNSUPPORTED_VERSION));
	CU_ASSERT(!pdu_rtr_error_fatal(RTR_ERR_CACHE_RESTART));
	CU_ASSERT(pdu_rtr_error_fatal(RTR_ERR_ORDERING));
	CU_ASSERT_STRING_EQUAL(pdu_rtr_error_name(9),
	    "ASPA Provider List Error");
	CU_ASSERT_STRING_EQUAL(pdu_type_name(PDU_ASPA), "ASPA");
	CU_ASSERT(!pdu_type_valid(0, PDU_ROUTER_KEY));
	CU_ASSERT(pdu_type_valid(1, PDU_ROUTER_KEY));
	CU_ASSERT(!pdu_type_valid(1, PDU_ASPA));
	CU_ASSERT(pdu_type_valid(2, PDU_ASPA));
	CU_ASSERT(!pdu_type_valid(2, 5));
	CU_ASSERT(!pdu_type_valid(3, 0));
}

/* Decode a stream into an array; fails the test on any error. */
static struct pdu *
decode_stream(const struct pdu_buf *b, size_t *n)
{
	struct pdu	*v = NULL, *nv;
	size_t		 off = 0, used, cap = 0;

	*n = 0;
	while (off < b->len) {
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			nv = reallocarray(v, cap, sizeof(*v));
			CU_ASSERT_PTR_NOT_NULL_FATAL(nv);
			v = nv;
		}
		CU_ASSERT_EQUAL_FATAL(pdu_decode(b->data + off, b->len - off,
		    &v[*n], &used), PDU_OK);
		off += used;
		(*n)++;
	}
	return v;
}

/* Every neighbour pair in 8210bis section 11.2 order, no duplicates. */
static int
stream_ordered(const struct pdu *v, size_t n)
{
	size_t	 i;

	for (i = 1; i < n; i++)
		if (pdu_payload_cmp(&v[i - 1], &v[i]) >= 0) {
			fprintf(stderr, "order broken at PDU %zu\n", i);
			return 0;
		}
	return 1;
}

static struct vrpset *
vrps_of(const struct vrp *v, size_t n)
{
	struct vrpset	*s;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = vrpset_new());
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(vrpset_add(s, &v[i]), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(vrpset_freeze(s), PAYLOAD_OK);
	return s;
}

/*
 * The 8210bis section 11.1.2 example and friends, in the exact order of
 * section 11.2.1: IPv4 before IPv6; announcements by descending address,
 * then max length, prefix length and ASN.
 */
static void
test_full_order_exact(void)
{
	struct vrp	 in[] = {
		mkvrp("192.0.2.0/25", 25, 64494),
		mkvrp("192.0.2.0/24", 24, 64495),
		mkvrp("192.0.2.0/24", 25, 0),
		mkvrp("192.0.2.0/24", 25, 64496),
		mkvrp("198.51.100.0/24", 24, 1),
		mkvrp("2001:db8::/32", 32, 5),
		mkvrp("10.0.0.0/8", 8, 3),
	};
	static const char *const exp[] = {
		"198.51.100.0/24-24 1",
		"192.0.2.0/25-25 64494",
		"192.0.2.0/24-25 64496",
		"192.0.2.0/24-25 0",
		"192.0.2.0/24-24 64495",
		"10.0.0.0/8-8 3",
		"2001:db8::/32-32 5",
	};
	struct pdu_encode_stats	 st;
	struct pdu_buf		 b = { 0 };
	struct vrpset		*s = vrps_of(in, sizeof(in) / sizeof(in[0]));
	struct pdu		*v;
	char			 pfx[PREFIX_STRLEN], line[ITEM_STRLEN];
	size_t			 i, n;

	CU_ASSERT_EQUAL_FATAL(pdu_encode_full(&b, 2, s, NULL, NULL, &st),
	    PDU_OK);
	CU_ASSERT_EQUAL(st.npdus, 7);
	CU_ASSERT_EQUAL(st.nskipped, 0);
	v = decode_stream(&b, &n);
	CU_ASSERT_EQUAL_FATAL(n, 7);
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(v[i].flags, PDU_FLAG_ANNOUNCE);
		prefix_format(&v[i].vrp.prefix, pfx, sizeof(pfx));
		snprintf(line, sizeof(line), "%s-%u %u", pfx,
		    (unsigned int)v[i].vrp.maxlen, v[i].vrp.asn);
		CU_ASSERT_STRING_EQUAL(line, exp[i]);
	}
	CU_ASSERT(stream_ordered(v, n));
	free(v);
	vrpset_free(s);
	pdu_buf_free(&b);
}

/* One canonical text line per payload element, for set comparisons. */
static void
item_line(const struct pdu *p, char *buf, size_t len)
{
	char	 pfx[PREFIX_STRLEN];
	int	 off;
	size_t	 i;

	switch (p->type) {
	case PDU_IPV4_PREFIX:
	case PDU_IPV6_PREFIX:
		prefix_format(&p->vrp.prefix, pfx, sizeof(pfx));
		snprintf(buf, len, "vrp %s %u %u", pfx,
		    (unsigned int)p->vrp.maxlen, p->vrp.asn);
		break;
	case PDU_ROUTER_KEY:
		off = snprintf(buf, len, "rk %u %02x %zu", p->key.asn,
		    p->key.ski[0], p->key.spki_len);
		for (i = 0; i < p->key.spki_len && (size_t)off + 3 < len; i++)
			off += snprintf(buf + off, len - off, "%02x",
			    p->key.spki[i]);
		break;
	default:
		snprintf(buf, len, "aspa %u", p->customer);
		break;
	}
}

/* The state a router builds: text lines, the ASPA providers appended. */
struct rstate {
	char	(*lines)[ITEM_STRLEN];
	size_t	  n;
	size_t	  cap;
};

static ssize_t
rstate_find(const struct rstate *r, const char *key)
{
	size_t	 i, klen = strlen(key);

	for (i = 0; i < r->n; i++)
		if (strncmp(r->lines[i], key, klen) == 0 &&
		    (r->lines[i][klen] == '\0' || r->lines[i][klen] == ':'))
			return i;
	return -1;
}

/* Apply one PDU as a router must; returns 0, or -1 on a protocol error. */
static int
rstate_apply(struct rstate *r, const struct pdu *p)
{
	char		 key[ITEM_STRLEN], full[ITEM_STRLEN];
	ssize_t		 at;
	size_t		 i;
	int		 off;

	item_line(p, key, sizeof(key));
	at = rstate_find(r, key);
	if (p->flags == PDU_FLAG_WITHDRAW) {
		if (at < 0)
			return -1;
		memmove(r->lines[at], r->lines[r->n - 1], ITEM_STRLEN);
		r->n--;
		return 0;
	}
	off = snprintf(full, sizeof(full), "%s", key);
	if (p->type == PDU_ASPA) {
		for (i = 0; i < p->nproviders && (size_t)off + 12 < sizeof(full);
		    i++)
			off += snprintf(full + off, sizeof(full) - off, ":%u",
			    pdu_aspa_provider(p, i));
		if (at >= 0) {		/* 5.12: an announcement replaces */
			memcpy(r->lines[at], full, ITEM_STRLEN);
			return 0;
		}
	} else if (at >= 0)
		return -1;		/* duplicate announcement */
	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 256 : r->cap * 2;
		r->lines = reallocarray(r->lines, r->cap, ITEM_STRLEN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r->lines);
	}
	memcpy(r->lines[r->n++], full, ITEM_STRLEN);
	return 0;
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
rstate_load(struct rstate *r, const struct pdu_buf *b)
{
	struct pdu	*v;
	size_t		 i, n;

	v = decode_stream(b, &n);
	CU_ASSERT(stream_ordered(v, n));
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(rstate_apply(r, &v[i]), 0);
	free(v);
}

struct sets {
	struct vrpset	*vrps;
	struct rkset	*keys;
	struct aspaset	*aspas;
	uint8_t		 spki[RANDOM_KEYS][4];
	uint32_t	 prov[RANDOM_ASPAS][4];
};

static uint32_t
rnd(uint32_t n)
{
	return (uint32_t)random() % n;
}

/* Small random sets over narrow value ranges, so sets overlap a lot. */
static void
sets_random(struct sets *s)
{
	struct vrp		 v;
	struct router_key	 k;
	struct aspa		 a;
	uint8_t			 addr[16];
	size_t			 i, j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s->vrps = vrpset_new());
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->keys = rkset_new());
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->aspas = aspaset_new());
	for (i = 0; i < RANDOM_VRPS; i++) {
		unsigned int afi = rnd(2) ? AFI_IPV4 : AFI_IPV6;
		unsigned int bits = afi == AFI_IPV4 ? 32 : 128;
		unsigned int len = 8 + rnd(3) * 8;

		memset(&v, 0, sizeof(v));
		memset(addr, 0, sizeof(addr));
		addr[0] = 10 + rnd(3);
		if (len > 8)
			addr[1] = rnd(4);
		if (len > 16)
			addr[2] = rnd(2);
		CU_ASSERT_EQUAL_FATAL(prefix_set(&v.prefix, afi, addr, len),
		    PREFIX_OK);
		v.maxlen = len + rnd(bits - len + 1 > 3 ? 3 : 1);
		v.asn = rnd(4);
		CU_ASSERT_EQUAL_FATAL(vrpset_add(s->vrps, &v), PAYLOAD_OK);
	}
	for (i = 0; i < RANDOM_KEYS; i++) {
		memset(&k, 0, sizeof(k));
		k.asn = rnd(3);
		k.ski[0] = rnd(3);
		s->spki[i][0] = 0x30;
		s->spki[i][1] = rnd(3);
		s->spki[i][2] = rnd(2);
		k.spki = s->spki[i];
		k.spki_len = 2 + rnd(3);
		CU_ASSERT_EQUAL_FATAL(rkset_add(s->keys, &k), PAYLOAD_OK);
	}
	for (i = 0; i < RANDOM_ASPAS; i++) {
		memset(&a, 0, sizeof(a));
		a.customer = 100 + rnd(20);
		a.nproviders = 1 + rnd(3);
		for (j = 0; j < a.nproviders; j++)
			s->prov[i][j] = rnd(6);
		a.providers = s->prov[i];
		if (aspa_check(&a) == PAYLOAD_OK)
			CU_ASSERT_EQUAL_FATAL(aspaset_add(s->aspas, &a),
			    PAYLOAD_OK);
	}
	CU_ASSERT_EQUAL_FATAL(vrpset_freeze(s->vrps), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(rkset_freeze(s->keys), PAYLOAD_OK);
	CU_ASSERT_EQUAL_FATAL(aspaset_freeze(s->aspas), PAYLOAD_OK);
}

static void
sets_free(struct sets *s)
{
	vrpset_free(s->vrps);
	rkset_free(s->keys);
	aspaset_free(s->aspas);
}

/*
 * For random pairs of sets and every version: full(old) followed by
 * delta(old, new), applied as a router applies PDUs (withdrawals must
 * match, no duplicate announcements), equals full(new); every stream is
 * in section 11.2 order.
 */
static void
test_delta_replay(void)
{
	struct sets		 old, new;
	struct vrp_diff		 vd;
	struct rk_diff		 kd;
	struct aspa_diff	 ad;
	struct pdu_buf		 fo = { 0 }, fn = { 0 }, d = { 0 };
	struct rstate		 ra = { 0 }, rb = { 0 };
	struct pdu_encode_stats	 st;
	size_t			 i, ndelta = 0;
	int			 round;
	uint8_t			 v;

	srandom(1);
	for (round = 0; round < RANDOM_ROUNDS; round++) {
		sets_random(&old);
		sets_random(&new);
		CU_ASSERT_EQUAL_FATAL(vrpset_diff(old.vrps, new.vrps, &vd), 0);
		CU_ASSERT_EQUAL_FATAL(rkset_diff(old.keys, new.keys, &kd), 0);
		CU_ASSERT_EQUAL_FATAL(aspaset_diff(old.aspas, new.aspas, &ad),
		    0);
		for (v = 0; v < NVERSIONS; v++) {
			pdu_buf_reset(&fo);
			pdu_buf_reset(&fn);
			pdu_buf_reset(&d);
			CU_ASSERT_EQUAL_FATAL(pdu_encode_full(&fo, v, old.vrps,
			    old.keys, old.aspas, NULL), PDU_OK);
			CU_ASSERT_EQUAL_FATAL(pdu_encode_full(&fn, v, new.vrps,
			    new.keys, new.aspas, NULL), PDU_OK);
			CU_ASSERT_EQUAL_FATAL(pdu_encode_delta(&d, v, &vd, &kd,
			    &ad, &st), PDU_OK);
			ndelta += st.npdus;
			ra.n = rb.n = 0;
			rstate_load(&ra, &fo);
			rstate_load(&ra, &d);
			rstate_load(&rb, &fn);
			CU_ASSERT_EQUAL_FATAL(ra.n, rb.n);
			qsort(ra.lines, ra.n, ITEM_STRLEN, line_cmp);
			qsort(rb.lines, rb.n, ITEM_STRLEN, line_cmp);
			for (i = 0; i < ra.n; i++)
				CU_ASSERT_STRING_EQUAL(ra.lines[i],
				    rb.lines[i]);
		}
		vrp_diff_free(&vd);
		rk_diff_free(&kd);
		aspa_diff_free(&ad);
		sets_free(&old);
		sets_free(&new);
	}
	/* the random sets must really differ, or nothing was tested */
	CU_ASSERT(ndelta > RANDOM_ROUNDS * NVERSIONS * 10);
	free(ra.lines);
	free(rb.lines);
	pdu_buf_free(&fo);
	pdu_buf_free(&fn);
	pdu_buf_free(&d);
}

/* Router keys from version 1, ASPAs from version 2 only. */
static void
test_full_versions(void)
{
	static const uint8_t	 spki[] = { 0x30, 0x00 };
	static const uint32_t	 prov[] = { 2 };
	struct router_key	 k;
	struct aspa		 a = { 1, 0, 0, prov, 1 };
	struct vrp		 vv = mkvrp("192.0.2.0/24", 24, 1);
	struct vrpset		*vs = vrps_of(&vv, 1);
	struct rkset		*ks;
	struct aspaset		*as;
	struct pdu_encode_stats	 st;
	struct pdu_buf		 b = { 0 };
	struct vrpset		*unfrozen;

	memset(&k, 0, sizeof(k));
	k.spki = spki;
	k.spki_len = sizeof(spki);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ks = rkset_new());
	CU_ASSERT_PTR_NOT_NULL_FATAL(as = aspaset_new());
	CU_ASSERT_FATAL(rkset_add(ks, &k) == PAYLOAD_OK);
	CU_ASSERT_FATAL(aspaset_add(as, &a) == PAYLOAD_OK);
	CU_ASSERT_FATAL(rkset_freeze(ks) == PAYLOAD_OK);
	CU_ASSERT_FATAL(aspaset_freeze(as) == PAYLOAD_OK);

	CU_ASSERT_EQUAL(pdu_encode_full(&b, 0, vs, ks, as, &st), PDU_OK);
	CU_ASSERT(st.npdus == 1 && b.len == 20);
	pdu_buf_reset(&b);
	CU_ASSERT_EQUAL(pdu_encode_full(&b, 1, vs, ks, as, &st), PDU_OK);
	CU_ASSERT(st.npdus == 2 && b.len == 20 + 34);
	pdu_buf_reset(&b);
	CU_ASSERT_EQUAL(pdu_encode_full(&b, 2, vs, ks, as, &st), PDU_OK);
	CU_ASSERT(st.npdus == 3 && b.len == 20 + 34 + 16);
	CU_ASSERT_EQUAL(b.data[20 + 34 + 1], PDU_ASPA);
	/* empty and NULL sets give an empty stream */
	pdu_buf_reset(&b);
	CU_ASSERT_EQUAL(pdu_encode_full(&b, 2, NULL, NULL, NULL, &st), PDU_OK);
	CU_ASSERT(st.npdus == 0 && b.len == 0);
	CU_ASSERT_EQUAL(pdu_encode_full(&b, 3, vs, NULL, NULL, &st),
	    PDU_EVERSION);
	CU_ASSERT_PTR_NOT_NULL_FATAL(unfrozen = vrpset_new());
	CU_ASSERT_EQUAL(pdu_encode_full(&b, 2, unfrozen, NULL, NULL, &st),
	    PDU_EINVAL);
	CU_ASSERT_EQUAL(pdu_encode_delta(&b, 3, NULL, NULL, NULL, &st),
	    PDU_EVERSION);
	CU_ASSERT_EQUAL(b.len, 0);
	vrpset_free(unfrozen);
	vrpset_free(vs);
	rkset_free(ks);
	aspaset_free(as);
	pdu_buf_free(&b);
}

/* A delta that cannot be encoded fails whole; the buffer is unchanged. */
static void
test_delta_failure(void)
{
	struct vrp		 bad = mkvrp("192.0.2.0/24", 24, 1);
	struct vrp_diff		 vd = { &bad, 1, NULL, 0 };
	struct pdu_buf		 b = { 0 };
	uint8_t			*steal;
	size_t			 len;

	CU_ASSERT_FATAL(pdu_put_cache_reset(&b, 1) == PDU_OK);
	bad.maxlen = 40;
	CU_ASSERT_EQUAL(pdu_encode_delta(&b, 1, &vd, NULL, NULL, NULL),
	    PDU_EINVAL);
	CU_ASSERT_EQUAL(b.len, 8);
	steal = pdu_buf_steal(&b, &len);
	CU_ASSERT(steal != NULL && len == 8 && b.data == NULL && b.len == 0);
	free(steal);
	CU_ASSERT_PTR_NULL(pdu_buf_steal(&b, &len));
	CU_ASSERT_EQUAL(len, 0);
}

/* Measures only; prints the time to encode SPEED_VRPS announcements. */
static void
test_speed(void)
{
	struct vrpset		*s;
	struct vrp		 v;
	struct pdu_encode_stats	 st;
	struct pdu_buf		 b = { 0 };
	struct timespec		 t0, t1;
	uint8_t			 addr[16];
	size_t			 i;
	double			 ms;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = vrpset_new());
	for (i = 0; i < SPEED_VRPS; i++) {
		memset(&v, 0, sizeof(v));
		memset(addr, 0, sizeof(addr));
		if (i % 4 == 0) {
			addr[0] = 0x20;
			addr[1] = 0x01;
			addr[2] = i >> 16;
			addr[3] = i >> 8;
			addr[4] = i;
			CU_ASSERT_FATAL(prefix_set(&v.prefix, AFI_IPV6, addr,
			    48) == PREFIX_OK);
			v.maxlen = 48;
		} else {
			addr[0] = 1 + (i >> 16) % 200;
			addr[1] = i >> 8;
			addr[2] = i;
			CU_ASSERT_FATAL(prefix_set(&v.prefix, AFI_IPV4, addr,
			    24) == PREFIX_OK);
			v.maxlen = 24;
		}
		v.asn = i % 65000;
		CU_ASSERT_FATAL(vrpset_add(s, &v) == PAYLOAD_OK);
	}
	CU_ASSERT_FATAL(vrpset_freeze(s) == PAYLOAD_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL(pdu_encode_full(&b, 2, s, NULL, NULL, &st), PDU_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("\n    encoded %zu VRPs (%zu bytes) in %.1f ms\n", st.npdus,
	    b.len, ms);
	CU_ASSERT_EQUAL(st.npdus, vrpset_count(s));
	vrpset_free(s);
	pdu_buf_free(&b);
}

REEF_SUITE(pdu,
    REEF_TEST(test_control_bytes), REEF_TEST(test_end_of_data_bytes),
    REEF_TEST(test_prefix_bytes), REEF_TEST(test_router_key_bytes),
    REEF_TEST(test_aspa_bytes), REEF_TEST(test_error_report_bytes),
    REEF_TEST(test_round_trip), REEF_TEST(test_decode_header_errors),
    REEF_TEST(test_decode_incomplete), REEF_TEST(test_decode_body_errors),
    REEF_TEST(test_decode_aspa_errors),
    REEF_TEST(test_decode_error_report_errors),
    REEF_TEST(test_decode_options), REEF_TEST(test_error_reply),
    REEF_TEST(test_full_order_exact), REEF_TEST(test_full_versions),
    REEF_TEST(test_delta_replay), REEF_TEST(test_delta_failure),
    REEF_TEST(test_speed))
