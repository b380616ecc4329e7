/*
 * Tests for validator/ip.c: RFC 3779 IP address blocks built in memory
 * with OpenSSL, read by ip_res_parse() and, encoded, by ip_res_parse_der()
 * (both must agree): canonical-form enforcement, containment, inherit,
 * printing; then hand-made DER that no in-memory structure encodes.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/x509v3.h>

#include "common/log.h"
#include "common/prefix.h"
#include "validator/ip.h"
#include "suite.h"
#include "test_resder.h"
#include "util.h"

static IPAddrBlocks *
blocks_new(void)
{
	IPAddrBlocks *b = sk_IPAddressFamily_new_null();

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	return b;
}

static void
blocks_free(IPAddrBlocks *b)
{
	sk_IPAddressFamily_pop_free(b, IPAddressFamily_free);
}

/* Append prefix text "a.b.c.d/n" or "x::/n" without canonising the block. */
static void
add_prefix(IPAddrBlocks *b, const char *text)
{
	struct prefix p;
	unsigned afi;

	CU_ASSERT_EQUAL_FATAL(prefix_parse(text, &p), PREFIX_OK);
	afi = p.afi == AFI_IPV4 ? IANA_AFI_IPV4 : IANA_AFI_IPV6;
	CU_ASSERT_FATAL(X509v3_addr_add_prefix(b, afi, NULL, p.addr, p.len));
}

static void
add_range(IPAddrBlocks *b, const char *lo, const char *hi)
{
	struct prefix a, z;
	unsigned afi;

	CU_ASSERT_EQUAL_FATAL(prefix_parse_addr(lo, &a), PREFIX_OK);
	CU_ASSERT_EQUAL_FATAL(prefix_parse_addr(hi, &z), PREFIX_OK);
	afi = a.afi == AFI_IPV4 ? IANA_AFI_IPV4 : IANA_AFI_IPV6;
	CU_ASSERT_FATAL(X509v3_addr_add_range(b, afi, NULL, a.addr, z.addr));
}

/* The DER of b (OPENSSL_free() it), *len its length. */
static unsigned char *
blocks_der(IPAddrBlocks *b, size_t *len)
{
	const X509V3_EXT_METHOD *m = X509V3_EXT_get_nid(NID_sbgp_ipAddrBlock);
	unsigned char *der = NULL;
	int n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	n = ASN1_item_i2d((ASN1_VALUE *)b, &der, ASN1_ITEM_ptr(m->it));
	CU_ASSERT_FATAL(n > 0);
	*len = (size_t)n;
	return der;
}

/*
 * Parse b with both readers: ip_res_parse() on b, ip_res_parse_der() on
 * its DER (which must agree with the OpenSSL oracle).  Returns the DER
 * reader's result; *old_log gets the warnings of ip_res_parse() and the
 * capture holds the DER reader's.  Frees b.
 */
static struct ip_res *
parse_both(IPAddrBlocks *b, int *old_ok, char *old_log, size_t size)
{
	struct ip_res *r, *o;
	unsigned char *der;
	size_t len;
	int ok;

	der = blocks_der(b, &len);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	o = ip_res_parse("test.cer", b);
	snprintf(old_log, size, "%s", tu_log_captured());
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	r = ip_res_parse_der("test.cer", der, len);
	*old_ok = o != NULL;
	CU_ASSERT(resder_agree("test.cer", 1, der, len, &ok));
	CU_ASSERT_EQUAL(ok, r != NULL);
	ip_res_free(o);
	OPENSSL_free(der);
	blocks_free(b);
	return r;
}

/* Parse b expecting failure with a warning containing why; frees b. */
static void
expect_reject(IPAddrBlocks *b, const char *why)
{
	char old_log[TU_LOG_CAPTURE_MAX];
	struct ip_res *r;
	int old_ok;

	r = parse_both(b, &old_ok, old_log, sizeof(old_log));
	CU_ASSERT_FALSE(old_ok);
	CU_ASSERT(strstr(old_log, "test.cer: ") != NULL);
	CU_ASSERT(strstr(old_log, why) != NULL);
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT(tu_logged("test.cer: "));
	CU_ASSERT(tu_logged(why));
	ip_res_free(r);
}

/* Parse b expecting success; returns the DER reader's result.  Frees b. */
static struct ip_res *
parse_ok(IPAddrBlocks *b)
{
	char old_log[TU_LOG_CAPTURE_MAX];
	struct ip_res *r;
	int old_ok;

	r = parse_both(b, &old_ok, old_log, sizeof(old_log));
	CU_ASSERT(old_ok);
	CU_ASSERT_PTR_NOT_NULL(r);
	return r;
}

static struct prefix
pfx(const char *s)
{
	struct prefix p;

	memset(&p, 0, sizeof(p));
	CU_ASSERT_EQUAL(prefix_parse(s, &p), PREFIX_OK);
	return p;
}

static void
test_parse_basic(void)
{
	IPAddrBlocks *b = blocks_new();
	struct ip_res *r;
	char buf[IP_RANGE_STRLEN];

	add_prefix(b, "10.0.0.0/8");
	add_range(b, "192.0.2.1", "192.0.2.7");
	add_prefix(b, "2001:db8::/32");
	r = parse_ok(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->afi[IP_RES_V4].nranges, 2);
	CU_ASSERT_EQUAL(r->afi[IP_RES_V6].nranges, 1);
	CU_ASSERT_EQUAL(ip_res_count(r), 3);
	CU_ASSERT_FALSE(ip_res_has_inherit(r));
	CU_ASSERT_EQUAL(r->afi[IP_RES_V4].ranges[0].plen, 8);
	CU_ASSERT_EQUAL(r->afi[IP_RES_V4].ranges[1].plen, -1);
	CU_ASSERT(ip_range_format(AFI_IPV4, &r->afi[IP_RES_V4].ranges[0], buf,
	    sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "10.0.0.0/8");
	CU_ASSERT(ip_range_format(AFI_IPV4, &r->afi[IP_RES_V4].ranges[1], buf,
	    sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.1-192.0.2.7");
	CU_ASSERT(ip_range_format(AFI_IPV6, &r->afi[IP_RES_V6].ranges[0], buf,
	    sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8::/32");
	/* Too small a buffer fails cleanly. */
	CU_ASSERT_EQUAL(ip_range_format(AFI_IPV4, &r->afi[IP_RES_V4].ranges[1],
	    buf, 5), -1);
	ip_res_free(r);
}

static void
test_parse_inherit(void)
{
	IPAddrBlocks *b = blocks_new();
	struct ip_res *r;

	CU_ASSERT_FATAL(X509v3_addr_add_inherit(b, IANA_AFI_IPV6, NULL));
	add_prefix(b, "10.0.0.0/8");
	/* add_inherit created IPv6 first: sort the families as DER requires. */
	sk_IPAddressFamily_set_cmp_func(b, NULL);
	X509v3_addr_canonize(b);
	r = parse_ok(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT(ip_res_has_inherit(r));
	CU_ASSERT(r->afi[IP_RES_V6].inherit);
	CU_ASSERT(r->afi[IP_RES_V6].present);
	CU_ASSERT_FALSE(r->afi[IP_RES_V4].inherit);
	ip_res_free(r);
}

static void
test_reject_noncanonical(void)
{
	IPAddrBlocks *b;
	IPAddressOrRange *aor;
	unsigned safi = 1;
	unsigned char v4[4] = { 10, 0, 0, 0 }, ten[1] = { 10 };

	/* Unsorted. */
	b = blocks_new();
	add_prefix(b, "11.0.0.0/8");
	add_prefix(b, "10.0.0.0/8");
	expect_reject(b, "RFC 3779 section 2.2.3.6: IPv4 entries unsorted");
	/* Overlapping. */
	b = blocks_new();
	add_prefix(b, "10.0.0.0/8");
	add_prefix(b, "10.1.0.0/16");
	expect_reject(b, "RFC 3779 section 2.2.3.6: IPv4 entries unsorted or overlapping");
	/* Adjacent prefixes that must be merged (10/8 + 11/8 is not a prefix, still adjacent). */
	b = blocks_new();
	add_prefix(b, "10.0.0.0/8");
	add_prefix(b, "11.0.0.0/8");
	expect_reject(b, "RFC 3779 section 2.2.3.6: adjacent IPv4");
	/* Duplicate. */
	b = blocks_new();
	add_prefix(b, "10.0.0.0/8");
	add_prefix(b, "10.0.0.0/8");
	expect_reject(b, "RFC 3779 section 2.2.3.6");
	/* A range that is exactly a prefix must be encoded as one. */
	b = blocks_new();
	add_range(b, "10.0.0.1", "10.255.255.255");
	aor = sk_IPAddressOrRange_value(sk_IPAddressFamily_value(b, 0)->
	    ipAddressChoice->u.addressesOrRanges, 0);
	/* Lower bound 10.0.0.0 in canonical form: 7 bits "0000101". */
	CU_ASSERT_FATAL(ASN1_BIT_STRING_set(aor->u.addressRange->min, ten, 1));
	aor->u.addressRange->min->flags = ASN1_STRING_FLAG_BITS_LEFT | 1;
	expect_reject(b, "RFC 3779 section 2.2.3.7: IPv4 range must be encoded as a prefix");
	/* Adjacent IPv6 ranges. */
	b = blocks_new();
	add_range(b, "2001:db8::1", "2001:db8::2");
	add_range(b, "2001:db8::3", "2001:db8::5");
	expect_reject(b, "RFC 3779 section 2.2.3.6: adjacent IPv6");
	/* SAFI present (RFC 6487 section 4.8.10). */
	b = blocks_new();
	CU_ASSERT_FATAL(X509v3_addr_add_prefix(b, IANA_AFI_IPV4, &safi, v4, 8));
	expect_reject(b, "RFC 6487 section 4.8.10: addressFamily must be a 2-octet AFI without SAFI");
	/* Empty extension. */
	expect_reject(blocks_new(), "RFC 6487 section 4.8.10");
	/* Families out of order: IPv6 before IPv4. */
	b = blocks_new();
	add_prefix(b, "2001:db8::/32");
	add_prefix(b, "10.0.0.0/8");
	expect_reject(b, "RFC 3779 section 2.2.3.3");
}

static void
test_reject_empty_family(void)
{
	IPAddrBlocks *b = blocks_new();
	IPAddressFamily *f;

	add_prefix(b, "10.0.0.0/8");
	f = sk_IPAddressFamily_value(b, 0);
	/* Drop the one entry: addressesOrRanges becomes empty. */
	IPAddressOrRange_free(sk_IPAddressOrRange_pop(
	    f->ipAddressChoice->u.addressesOrRanges));
	expect_reject(b, "RFC 3779 section 2.2.3.6: empty IPv4");
}

static void
test_reject_bad_afi(void)
{
	IPAddrBlocks *b = blocks_new();
	IPAddressFamily *f;

	add_prefix(b, "10.0.0.0/8");
	f = sk_IPAddressFamily_value(b, 0);
	f->addressFamily->data[1] = 3;
	expect_reject(b, "RFC 6487 section 4.8.10: unknown AFI 3");
}

/* A range bound whose bit string keeps a trailing zero (lower) is not canonical. */
static void
test_reject_bound_encoding(void)
{
	IPAddrBlocks *b = blocks_new();
	IPAddressFamily *f;
	IPAddressOrRange *aor;
	ASN1_BIT_STRING *lo;
	unsigned char bytes[2] = { 10, 0 };

	add_range(b, "10.0.0.1", "10.0.0.7");
	f = sk_IPAddressFamily_value(b, 0);
	aor = sk_IPAddressOrRange_value(f->ipAddressChoice->u.addressesOrRanges,
	    0);
	lo = aor->u.addressRange->min;
	/* 10.0.0.0 as 16 bits with no unused bits: the trailing zeros stay. */
	CU_ASSERT_FATAL(ASN1_BIT_STRING_set(lo, bytes, 2));
	lo->flags = ASN1_STRING_FLAG_BITS_LEFT | 0;
	expect_reject(b, "RFC 3779 section 2.2.3.9: malformed IPv4 range bound");
}

static struct ip_res *
res_of(const char *const *prefixes)
{
	IPAddrBlocks *b = blocks_new();

	for (; *prefixes != NULL; prefixes++)
		add_prefix(b, *prefixes);
	return parse_ok(b);
}

static void
test_contains(void)
{
	static const char *const parent_p[] = { "10.0.0.0/8",
	    "192.168.0.0/16", "2001:db8::/32", NULL };
	static const char *const child_p[] = { "10.1.0.0/16",
	    "192.168.255.0/24", "2001:db8:ff00::/40", NULL };
	static const char *const over_p[] = { "10.0.0.0/7", NULL };
	static const char *const v6only_p[] = { "2001:db9::/32", NULL };
	struct ip_res *parent, *child, *over, *v6only;
	struct prefix p;

	parent = res_of(parent_p);
	child = res_of(child_p);
	over = res_of(over_p);
	v6only = res_of(v6only_p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(parent);
	CU_ASSERT_PTR_NOT_NULL_FATAL(child);
	CU_ASSERT_PTR_NOT_NULL_FATAL(over);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v6only);
	CU_ASSERT(ip_res_contains(parent, child));
	CU_ASSERT(ip_res_contains(parent, parent));
	CU_ASSERT_FALSE(ip_res_contains(child, parent));
	CU_ASSERT_FALSE(ip_res_contains(parent, over));
	CU_ASSERT_FALSE(ip_res_contains(parent, v6only));
	CU_ASSERT(ip_res_contains(parent, NULL));
	CU_ASSERT_FALSE(ip_res_contains(NULL, child));

	p = pfx("10.255.255.0/24");
	CU_ASSERT(ip_res_covers_prefix(parent, &p));
	p = pfx("11.0.0.0/24");
	CU_ASSERT_FALSE(ip_res_covers_prefix(parent, &p));
	p = pfx("0.0.0.0/0");
	CU_ASSERT_FALSE(ip_res_covers_prefix(parent, &p));
	p = pfx("192.168.0.0/16");
	CU_ASSERT(ip_res_covers_prefix(parent, &p));
	p = pfx("192.167.255.255/32");
	CU_ASSERT_FALSE(ip_res_covers_prefix(parent, &p));
	p = pfx("2001:db8:1::/48");
	CU_ASSERT(ip_res_covers_prefix(parent, &p));
	CU_ASSERT_FALSE(ip_res_covers_prefix(v6only, &p));
	CU_ASSERT_FALSE(ip_res_covers_prefix(NULL, &p));

	ip_res_free(parent);
	ip_res_free(child);
	ip_res_free(over);
	ip_res_free(v6only);
}

/* Many ranges: the binary search must find every one and nothing between. */
static void
test_contains_many(void)
{
	IPAddrBlocks *b = blocks_new();
	struct ip_res *r;
	struct prefix p;
	char text[32];
	int i;

	for (i = 0; i < 200; i += 2) {
		snprintf(text, sizeof(text), "10.%d.0.0/16", i);
		add_prefix(b, text);
	}
	r = parse_ok(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(ip_res_count(r), 100);
	for (i = 0; i < 256; i++) {
		snprintf(text, sizeof(text), "10.%d.128.0/24", i);
		p = pfx(text);
		CU_ASSERT_EQUAL(ip_res_covers_prefix(r, &p),
		    i < 200 && i % 2 == 0);
	}
	ip_res_free(r);
}

static void
test_inherit_resolve(void)
{
	static const char *const parent_p[] = { "10.0.0.0/8",
	    "2001:db8::/32", NULL };
	IPAddrBlocks *b = blocks_new();
	struct ip_res *parent, *child, *dup;
	struct prefix p;

	parent = res_of(parent_p);
	CU_ASSERT_FATAL(X509v3_addr_add_inherit(b, IANA_AFI_IPV4, NULL));
	child = parse_ok(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(parent);
	CU_ASSERT_PTR_NOT_NULL_FATAL(child);
	/* Inherit counts as contained, covers nothing until resolved. */
	CU_ASSERT(ip_res_contains(parent, child));
	p = pfx("10.1.0.0/16");
	CU_ASSERT_FALSE(ip_res_covers_prefix(child, &p));
	dup = ip_res_dup(child);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dup);
	CU_ASSERT_EQUAL(ip_res_inherit(child, parent), 0);
	CU_ASSERT_FALSE(ip_res_has_inherit(child));
	CU_ASSERT(ip_res_covers_prefix(child, &p));
	/* Only IPv4 was inherited; IPv6 stays absent. */
	CU_ASSERT_FALSE(child->afi[IP_RES_V6].present);
	p = pfx("2001:db8::/48");
	CU_ASSERT_FALSE(ip_res_covers_prefix(child, &p));
	/* An issuer marking inherit itself cannot be inherited from. */
	CU_ASSERT_EQUAL(ip_res_inherit(parent, dup), 0);	/* no-op */
	CU_ASSERT_EQUAL(ip_res_inherit(dup, dup), -1);
	CU_ASSERT(dup->afi[IP_RES_V4].inherit);		/* unchanged */
	CU_ASSERT_EQUAL(ip_res_inherit(dup, NULL), -1);
	ip_res_free(parent);
	ip_res_free(child);
	ip_res_free(dup);
}

static void
test_full_space(void)
{
	IPAddrBlocks *b = blocks_new();
	struct ip_res *r;
	struct prefix p;

	add_prefix(b, "0.0.0.0/0");
	add_range(b, "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	r = parse_ok(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	p = pfx("255.255.255.255/32");
	CU_ASSERT(ip_res_covers_prefix(r, &p));
	p = pfx("::/128");
	CU_ASSERT_FALSE(ip_res_covers_prefix(r, &p));
	p = pfx("8000::/1");
	CU_ASSERT_FALSE(ip_res_covers_prefix(r, &p));	/* includes ffff..ff */
	p = pfx("4000::/2");
	CU_ASSERT(ip_res_covers_prefix(r, &p));
	ip_res_free(r);
}

/* Hand-made values: DER (or not) that no in-memory structure encodes. */
#define HB(...)	(const unsigned char[]){ __VA_ARGS__ },		\
	sizeof((const unsigned char[]){ __VA_ARGS__ })
static const struct {
	const unsigned char	*der;
	size_t			 len;
	const char		*why;	/* NULL: accepted */
} ip_ders[] = {
	/* IPv4 10.0.0.0/8. */
	{ HB(0x30, 0x0c, 0x30, 0x0a, 0x04, 0x02, 0x00, 0x01, 0x30, 0x04, 0x03,
	    0x02, 0x00, 0x0a), NULL },
	/* IPv6 inherit. */
	{ HB(0x30, 0x08, 0x30, 0x06, 0x04, 0x02, 0x00, 0x02, 0x05, 0x00),
	    NULL },
	/* The same with a long-form length. */
	{ HB(0x30, 0x81, 0x0c, 0x30, 0x0a, 0x04, 0x02, 0x00, 0x01, 0x30, 0x04,
	    0x03, 0x02, 0x00, 0x0a), "is not DER encoded" },
	/* Indefinite length. */
	{ HB(0x30, 0x80, 0x30, 0x0a, 0x04, 0x02, 0x00, 0x01, 0x30, 0x04, 0x03,
	    0x02, 0x00, 0x0a, 0x00, 0x00), "is not DER encoded" },
	/* Trailing byte. */
	{ HB(0x30, 0x0c, 0x30, 0x0a, 0x04, 0x02, 0x00, 0x01, 0x30, 0x04, 0x03,
	    0x02, 0x00, 0x0a, 0x00), "malformed value or trailing data" },
	/* A padding bit set. */
	{ HB(0x30, 0x0c, 0x30, 0x0a, 0x04, 0x02, 0x00, 0x01, 0x30, 0x04, 0x03,
	    0x02, 0x01, 0x0b), "X.690 section 11.2.1" },
	/* No bits but 5 unused; 8 unused bits. */
	{ HB(0x30, 0x0b, 0x30, 0x09, 0x04, 0x02, 0x00, 0x01, 0x30, 0x03, 0x03,
	    0x01, 0x05), "is not DER encoded: X.690 section 8.6.2" },
	{ HB(0x30, 0x0c, 0x30, 0x0a, 0x04, 0x02, 0x00, 0x01, 0x30, 0x04, 0x03,
	    0x02, 0x08, 0x0a), "malformed value or trailing data: X.690 "
	    "section 8.6.2" },
	/* Constructed BIT STRING. */
	{ HB(0x30, 0x0e, 0x30, 0x0c, 0x04, 0x02, 0x00, 0x01, 0x30, 0x06, 0x23,
	    0x04, 0x03, 0x02, 0x00, 0x0a), "X.690 section 10" },
	/* AFI with a SAFI. */
	{ HB(0x30, 0x0d, 0x30, 0x0b, 0x04, 0x03, 0x00, 0x01, 0x01, 0x30, 0x04,
	    0x03, 0x02, 0x00, 0x0a), "2-octet AFI without SAFI" },
	/* A 40-bit IPv4 prefix. */
	{ HB(0x30, 0x10, 0x30, 0x0e, 0x04, 0x02, 0x00, 0x01, 0x30, 0x08, 0x03,
	    0x06, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x01),
	    "RFC 3779 section 2.2.3.8: malformed IPv4 prefix" },
	/* inherit NULL with contents. */
	{ HB(0x30, 0x09, 0x30, 0x07, 0x04, 0x02, 0x00, 0x01, 0x05, 0x01, 0x00),
	    "malformed value" },
	/* A range of three bounds. */
	{ HB(0x30, 0x15, 0x30, 0x13, 0x04, 0x02, 0x00, 0x01, 0x30, 0x0d, 0x30,
	    0x0b, 0x03, 0x02, 0x00, 0x0a, 0x03, 0x02, 0x00, 0x0b, 0x03, 0x01,
	    0x00), "malformed value or trailing data" },
	/* A family without its choice; no families. */
	{ HB(0x30, 0x06, 0x30, 0x04, 0x04, 0x02, 0x00, 0x01),
	    "malformed value" },
	{ HB(0x30, 0x00), "without address families" },
};

static void
test_der_values(void)
{
	struct ip_res *r;
	size_t i;
	int ok;

	for (i = 0; i < sizeof(ip_ders) / sizeof(ip_ders[0]); i++) {
		CU_ASSERT(resder_agree("test.cer", 1, ip_ders[i].der,
		    ip_ders[i].len, &ok));
		tu_log_capture_begin(LOG_LEVEL_WARNING);
		r = ip_res_parse_der("test.cer", ip_ders[i].der,
		    ip_ders[i].len);
		CU_ASSERT_EQUAL(r != NULL, ip_ders[i].why == NULL);
		if (ip_ders[i].why != NULL)
			CU_ASSERT(tu_logged(ip_ders[i].why));
		ip_res_free(r);
	}
	r = ip_res_parse_der("test.cer", ip_ders[0].der, ip_ders[0].len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->afi[IP_RES_V4].nranges, 1);
	CU_ASSERT_EQUAL(r->afi[IP_RES_V4].ranges[0].plen, 8);
	CU_ASSERT_EQUAL(r->afi[IP_RES_V4].ranges[0].max[0], 10);
	CU_ASSERT_EQUAL(r->afi[IP_RES_V4].ranges[0].max[3], 0xff);
	CU_ASSERT_FALSE(r->afi[IP_RES_V6].present);
	ip_res_free(r);
	r = ip_res_parse_der("test.cer", ip_ders[1].der, ip_ders[1].len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT(r->afi[IP_RES_V6].present && r->afi[IP_RES_V6].inherit);
	CU_ASSERT_FALSE(r->afi[IP_RES_V4].present);
	ip_res_free(r);
}

static int
quiet_init(void)
{
	if (tu_log_capture_start(LOG_LEVEL_WARNING) == -1)
		return -1;
	return 0;
}

static int
quiet_fini(void)
{
	tu_log_capture_end();
	return 0;
}

REEF_SUITE_FULL(ip, quiet_init, quiet_fini,
    REEF_TEST(test_parse_basic), REEF_TEST(test_parse_inherit),
    REEF_TEST(test_reject_noncanonical), REEF_TEST(test_reject_empty_family),
    REEF_TEST(test_reject_bad_afi), REEF_TEST(test_reject_bound_encoding),
    REEF_TEST(test_contains), REEF_TEST(test_contains_many),
    REEF_TEST(test_inherit_resolve), REEF_TEST(test_full_space),
    REEF_TEST(test_der_values))
