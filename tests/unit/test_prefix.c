/*
 * Tests for common/prefix.c: strict parsing, RFC 5952 printing, order,
 * containment and RFC 3779 bit strings.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/prefix.h"
#include "suite.h"

/* Parse s, which must succeed, and check that it prints as want. */
static void
check_canon(const char *s, const char *want)
{
	struct prefix p, q;
	char buf[PREFIX_STRLEN];
	int rv;

	rv = prefix_parse(s, &p);
	CU_ASSERT_EQUAL_FATAL(rv, PREFIX_OK);
	CU_ASSERT_EQUAL(prefix_check(&p), PREFIX_OK);
	rv = prefix_format(&p, buf, sizeof(buf));
	CU_ASSERT_EQUAL(rv, (int)strlen(want));
	CU_ASSERT_STRING_EQUAL(buf, want);
	if (strcmp(buf, want) != 0)
		fprintf(stderr, "\n%s printed as %s, want %s\n", s, buf, want);
	/* The canonical text parses back to the same prefix. */
	CU_ASSERT_EQUAL_FATAL(prefix_parse(buf, &q), PREFIX_OK);
	CU_ASSERT_EQUAL(prefix_cmp(&p, &q), 0);
	CU_ASSERT(memcmp(&p, &q, sizeof(p)) == 0);
}

static void
check_bad(const char *s, int want)
{
	struct prefix p;
	int rv;

	memset(&p, 0xa5, sizeof(p));
	rv = prefix_parse(s, &p);
	CU_ASSERT_EQUAL(rv, want);
	if (rv != want)
		fprintf(stderr, "\n\"%s\": got %d, want %d\n", s, rv, want);
	/* Nothing is written on failure. */
	CU_ASSERT_EQUAL(p.afi, 0xa5);
	CU_ASSERT_EQUAL(p.len, 0xa5);
}

static void
test_parse_v4(void)
{
	struct prefix p;

	check_canon("0.0.0.0/0", "0.0.0.0/0");
	check_canon("255.255.255.255/32", "255.255.255.255/32");
	check_canon("192.0.2.0/24", "192.0.2.0/24");
	check_canon("192.0.2.128/25", "192.0.2.128/25");
	check_canon("10.0.0.0/8", "10.0.0.0/8");
	check_canon("128.0.0.0/1", "128.0.0.0/1");
	check_canon("0.0.0.0/32", "0.0.0.0/32");
	check_canon("100.64.0.0/10", "100.64.0.0/10");

	CU_ASSERT_EQUAL(prefix_parse("198.51.100.0/21", &p), PREFIX_EHOSTBITS);
	CU_ASSERT_EQUAL(prefix_parse("198.51.100.0/22", &p), PREFIX_OK);
	CU_ASSERT_EQUAL_FATAL(prefix_parse("198.51.100.0/24", &p), PREFIX_OK);
	CU_ASSERT_EQUAL(p.afi, AFI_IPV4);
	CU_ASSERT_EQUAL(p.len, 24);
	CU_ASSERT(p.addr[0] == 198 && p.addr[1] == 51 && p.addr[2] == 100 &&
	    p.addr[3] == 0);
	/* The unused tail of an IPv4 address is zero. */
	CU_ASSERT(memcmp(p.addr + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0);
}

static void
test_parse_v4_bad(void)
{
	check_bad("1.2.3.4/33", PREFIX_ERANGE);
	check_bad("1.2.3.0/1000", PREFIX_ERANGE);
	check_bad("1.2.3.0/99999999999999999999", PREFIX_ERANGE);
	check_bad("1.2.3.4/24", PREFIX_EHOSTBITS);
	check_bad("1.2.3.4/0", PREFIX_EHOSTBITS);
	check_bad("10.128.0.0/8", PREFIX_EHOSTBITS);
	check_bad("01.2.3.4/8", PREFIX_ESYNTAX);
	check_bad("1.2.3.00/32", PREFIX_ESYNTAX);
	check_bad("1.2.3/24", PREFIX_ESYNTAX);
	check_bad("1.2.3.4", PREFIX_ESYNTAX);
	check_bad("1.2.3.4/", PREFIX_ESYNTAX);
	check_bad("256.0.0.0/8", PREFIX_ESYNTAX);
	check_bad("1000.0.0.0/8", PREFIX_ESYNTAX);
	check_bad(" 1.2.3.0/24", PREFIX_ESYNTAX);
	check_bad("1.2.3.0/24 ", PREFIX_ESYNTAX);
	check_bad("1.2.3.0 /24", PREFIX_ESYNTAX);
	check_bad("1.2.3.0/ 24", PREFIX_ESYNTAX);
	check_bad("1.2.3.0/024", PREFIX_ESYNTAX);
	check_bad("0.0.0.0/00", PREFIX_ESYNTAX);
	check_bad("1.2.3.0/+24", PREFIX_ESYNTAX);
	check_bad("1.2.3.0/-1", PREFIX_ESYNTAX);
	check_bad("1.2.3.4.5/32", PREFIX_ESYNTAX);
	check_bad("1..3.4/32", PREFIX_ESYNTAX);
	check_bad(".1.2.3/32", PREFIX_ESYNTAX);
	check_bad("1.2.3.4./32", PREFIX_ESYNTAX);
	check_bad("1.2.3.0/24/1", PREFIX_ESYNTAX);
	check_bad("0x1.2.3.0/24", PREFIX_ESYNTAX);
	check_bad("1.2.3.0/0x18", PREFIX_ESYNTAX);
	check_bad("", PREFIX_ESYNTAX);
	check_bad("/24", PREFIX_ESYNTAX);
	check_bad("/", PREFIX_ESYNTAX);
}

static void
test_parse_v6(void)
{
	check_canon("::/0", "::/0");
	check_canon("::1/128", "::1/128");
	check_canon("::/128", "::/128");
	check_canon("2001:db8::/32", "2001:db8::/32");
	check_canon("2001:DB8::/32", "2001:db8::/32");
	check_canon("2001:0db8:0000:0000:0000:0000:0000:0000/32",
	    "2001:db8::/32");
	check_canon("0:0:0:0:0:0:0:1/128", "::1/128");
	check_canon("1:0:0:0:0:0:0:0/16", "1::/16");
	check_canon("fe80::/10", "fe80::/10");
	check_canon("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	check_canon("1:2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7:8/128");
	/* RFC 5952 section 4.2.2: one zero group is not compressed. */
	check_canon("2001:db8:0:1:1:1:1:1/128", "2001:db8:0:1:1:1:1:1/128");
	check_canon("2001:db8::1:1:1:1:1/128", "2001:db8:0:1:1:1:1:1/128");
	check_canon("1:2:3:4:5:6:7::/128", "1:2:3:4:5:6:7:0/128");
	check_canon("0:1:2:3:4:5:6:7/128", "0:1:2:3:4:5:6:7/128");
	/* Section 4.2.3: the longest run, the first one on a tie. */
	check_canon("2001:0:0:1:0:0:0:1/128", "2001:0:0:1::1/128");
	check_canon("2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128");
	check_canon("1:0:0:2:0:0:3:4/128", "1::2:0:0:3:4/128");
	/* Section 4.3: lowercase. */
	check_canon("ABCD:EF01::/32", "abcd:ef01::/32");
	/* Section 5: IPv4-mapped addresses end in a dotted quad. */
	check_canon("::ffff:192.0.2.1/128", "::ffff:192.0.2.1/128");
	check_canon("::ffff:c000:201/128", "::ffff:192.0.2.1/128");
	check_canon("0:0:0:0:0:ffff:c000:0201/128", "::ffff:192.0.2.1/128");
	check_canon("::ffff:0:0/96", "::ffff:0.0.0.0/96");
	/* Deprecated IPv4-compatible form: plain hex (unlike glibc). */
	check_canon("::1.2.3.4/128", "::102:304/128");
	check_canon("::ffff:0:0:0/128", "::ffff:0:0:0/128");
	check_canon("2001:db8::ffff:0:0/96", "2001:db8::ffff:0:0/96");
}

static void
test_parse_v6_bad(void)
{
	check_bad("2001:db8::/129", PREFIX_ERANGE);
	check_bad("::/1000", PREFIX_ERANGE);
	check_bad("2001:db8::1/64", PREFIX_EHOSTBITS);
	check_bad("2001:db8::/16", PREFIX_EHOSTBITS);
	check_bad("::1/127", PREFIX_EHOSTBITS);
	check_bad("2001:db8:::/32", PREFIX_ESYNTAX);
	check_bad("2001:db8::", PREFIX_ESYNTAX);
	check_bad("2001:db8::/", PREFIX_ESYNTAX);
	check_bad("2001:db8::/032", PREFIX_ESYNTAX);
	check_bad("12345::/16", PREFIX_ESYNTAX);
	check_bad("2001:db8::g/128", PREFIX_ESYNTAX);
	check_bad("::ffff:01.2.3.4/128", PREFIX_ESYNTAX);
	check_bad("::ffff:1.2.3/128", PREFIX_ESYNTAX);
	check_bad("1::2::3/128", PREFIX_ESYNTAX);
	check_bad("fe80::1%eth0/128", PREFIX_ESYNTAX);
	check_bad(" ::/0", PREFIX_ESYNTAX);
	check_bad("::/0 ", PREFIX_ESYNTAX);
	check_bad("1:2:3:4:5:6:7:8:9/128", PREFIX_ESYNTAX);
	check_bad("1:2:3:4:5:6:7/112", PREFIX_ESYNTAX);
	check_bad(":/0", PREFIX_ESYNTAX);
	check_bad("[::1]/128", PREFIX_ESYNTAX);
	check_bad("0000:0000:0000:0000:0000:0000:0000:0000:0/0",
	    PREFIX_ESYNTAX);
	check_bad("0000:0000:0000:0000:0000:ffff:255.255.255.2550/128",
	    PREFIX_ESYNTAX);
}

static void
test_parse_addr(void)
{
	struct prefix p;
	char buf[PREFIX_STRLEN];

	CU_ASSERT_EQUAL_FATAL(prefix_parse_addr("192.0.2.1", &p), PREFIX_OK);
	CU_ASSERT_EQUAL(p.afi, AFI_IPV4);
	CU_ASSERT_EQUAL(p.len, 32);
	CU_ASSERT_EQUAL(prefix_format(&p, buf, sizeof(buf)), 12);
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.1/32");

	CU_ASSERT_EQUAL_FATAL(prefix_parse_addr("2001:DB8::1", &p), PREFIX_OK);
	CU_ASSERT_EQUAL(p.afi, AFI_IPV6);
	CU_ASSERT_EQUAL(p.len, 128);
	prefix_format(&p, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8::1/128");

	CU_ASSERT_EQUAL(prefix_parse_addr("192.0.2.0/24", &p), PREFIX_ESYNTAX);
	CU_ASSERT_EQUAL(prefix_parse_addr("2001:db8::/32", &p),
	    PREFIX_ESYNTAX);
	CU_ASSERT_EQUAL(prefix_parse_addr("", &p), PREFIX_ESYNTAX);
	CU_ASSERT_EQUAL(prefix_parse_addr("1.2.3.04", &p), PREFIX_ESYNTAX);
	CU_ASSERT_EQUAL(prefix_parse_addr("1.2.3.4 ", &p), PREFIX_ESYNTAX);
}

/* Tiny deterministic generator so tests do not share libc's rand() state. */
static uint32_t
xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/*
 * Random IPv6 addresses with many zero groups: our text must parse back
 * to the same address, and equal glibc's inet_ntop() except where glibc
 * uses the IPv4-compatible dotted form RFC 5952 does not recommend.
 */
static void
test_format_v6_random(void)
{
	uint8_t a[16], b[16];
	char mine[PREFIX_ADDR_STRLEN], libc[INET6_ADDRSTRLEN];
	const char *dc;
	uint32_t seed = 0x5952, r;
	int i, w, n, mismatches = 0, compared = 0;

	for (i = 0; i < 20000; i++) {
		for (w = 0; w < 8; w++) {
			r = xorshift(&seed);
			/* Mostly zero groups, so runs and ties are common. */
			if (r % 3 != 0)
				r = 0;
			else
				r >>= (r >> 8) % 16;
			a[2 * w] = (uint8_t)(r >> 8);
			a[2 * w + 1] = (uint8_t)r;
		}
		n = prefix_addr_format(AFI_IPV6, a, mine, sizeof(mine));
		CU_ASSERT_FATAL(n > 0 && (size_t)n == strlen(mine));
		CU_ASSERT_FATAL(inet_pton(AF_INET6, mine, b) == 1);
		CU_ASSERT_FATAL(memcmp(a, b, 16) == 0);
		CU_ASSERT(strstr(mine, ":::") == NULL);
		dc = strstr(mine, "::");
		CU_ASSERT(dc == NULL || strstr(dc + 2, "::") == NULL);
		CU_ASSERT(strpbrk(mine, "ABCDEF") == NULL);
		/* glibc prints ::a.b.c.d when the first six groups are zero. */
		if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0)
			continue;
		inet_ntop(AF_INET6, a, libc, sizeof(libc));
		compared++;
		if (strcmp(mine, libc) != 0 && mismatches++ < 5)
			fprintf(stderr, "\nmine %s libc %s\n", mine, libc);
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	CU_ASSERT(compared > 10000);
}

static void
test_format(void)
{
	struct prefix p;
	char buf[PREFIX_STRLEN], small[12];
	uint8_t a[16];

	CU_ASSERT_EQUAL_FATAL(prefix_parse("192.0.2.0/24", &p), PREFIX_OK);
	/* "192.0.2.0/24" is 12 characters: 13 bytes needed. */
	CU_ASSERT_EQUAL(prefix_format(&p, small, sizeof(small)),
	    PREFIX_ESPACE);
	CU_ASSERT_EQUAL(prefix_format(&p, buf, 13), 12);
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.0/24");
	CU_ASSERT_EQUAL(prefix_addr_format(AFI_IPV4, p.addr, small, 10),
	    9);
	CU_ASSERT_STRING_EQUAL(small, "192.0.2.0");
	CU_ASSERT_EQUAL(prefix_addr_format(AFI_IPV4, p.addr, small, 9),
	    PREFIX_ESPACE);
	CU_ASSERT_EQUAL(prefix_addr_format(3, p.addr, buf, sizeof(buf)),
	    PREFIX_EAFI);
	p.afi = 0;
	CU_ASSERT_EQUAL(prefix_format(&p, buf, sizeof(buf)), PREFIX_EAFI);

	/* The longest texts fit the advertised buffer sizes exactly. */
	memset(a, 0xff, sizeof(a));
	CU_ASSERT_EQUAL(prefix_set(&p, AFI_IPV6, a, 128), PREFIX_OK);
	CU_ASSERT_EQUAL(prefix_format(&p, buf, sizeof(buf)),
	    PREFIX_STRLEN - 1);
	CU_ASSERT_EQUAL(prefix_format(&p, buf, PREFIX_STRLEN - 1),
	    PREFIX_ESPACE);
	CU_ASSERT_EQUAL(prefix_addr_format(AFI_IPV6, a, buf,
	    PREFIX_ADDR_STRLEN), PREFIX_ADDR_STRLEN - 1);
}

static int
qcmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

static void
test_cmp(void)
{
	/* Listed in the expected order. */
	static const char *const sorted[] = {
		"0.0.0.0/0", "0.0.0.0/8", "0.0.0.0/32", "10.0.0.0/8",
		"10.0.0.0/16", "10.0.0.0/24", "10.0.1.0/24", "10.128.0.0/9",
		"192.0.2.0/24", "255.255.255.255/32",
		"::/0", "::/128", "::1/128", "2001:db8::/32", "2001:db8::/48",
		"2001:db8:1::/48", "ffff::/16",
	};
	const size_t n = sizeof(sorted) / sizeof(sorted[0]);
	struct prefix p[sizeof(sorted) / sizeof(sorted[0])];
	struct prefix q[sizeof(sorted) / sizeof(sorted[0])];
	size_t i, j;

	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(prefix_parse(sorted[i], &p[i]),
		    PREFIX_OK);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int c = prefix_cmp(&p[i], &p[j]);

			CU_ASSERT((i < j && c < 0) || (i == j && c == 0) ||
			    (i > j && c > 0));
		}
	/* Sorting a reversed copy restores the order. */
	for (i = 0; i < n; i++)
		q[i] = p[n - 1 - i];
	qsort(q, n, sizeof(q[0]), qcmp);
	CU_ASSERT(memcmp(p, q, sizeof(p)) == 0);
}

static int
covers(const char *a, const char *b)
{
	struct prefix pa, pb;

	if (prefix_parse(a, &pa) != PREFIX_OK ||
	    prefix_parse(b, &pb) != PREFIX_OK)
		return -1;
	return prefix_covers(&pa, &pb);
}

static void
test_covers(void)
{
	CU_ASSERT_EQUAL(covers("0.0.0.0/0", "192.0.2.0/24"), 1);
	CU_ASSERT_EQUAL(covers("0.0.0.0/0", "0.0.0.0/0"), 1);
	CU_ASSERT_EQUAL(covers("0.0.0.0/0", "::/0"), 0);
	CU_ASSERT_EQUAL(covers("::/0", "0.0.0.0/0"), 0);
	CU_ASSERT_EQUAL(covers("10.0.0.0/8", "10.1.0.0/16"), 1);
	CU_ASSERT_EQUAL(covers("10.0.0.0/8", "10.0.0.0/8"), 1);
	CU_ASSERT_EQUAL(covers("10.0.0.0/8", "11.0.0.0/16"), 0);
	CU_ASSERT_EQUAL(covers("10.1.0.0/16", "10.0.0.0/8"), 0);
	CU_ASSERT_EQUAL(covers("10.0.0.0/9", "10.127.0.0/16"), 1);
	CU_ASSERT_EQUAL(covers("10.0.0.0/9", "10.128.0.0/16"), 0);
	CU_ASSERT_EQUAL(covers("10.128.0.0/9", "10.128.0.0/16"), 1);
	CU_ASSERT_EQUAL(covers("192.0.2.0/31", "192.0.2.1/32"), 1);
	CU_ASSERT_EQUAL(covers("192.0.2.0/32", "192.0.2.1/32"), 0);
	CU_ASSERT_EQUAL(covers("2001:db8::/32", "2001:db8:ffff::/48"), 1);
	CU_ASSERT_EQUAL(covers("2001:db8::/32", "2001:db9::/48"), 0);
	CU_ASSERT_EQUAL(covers("2001:db8::/33", "2001:db8:8000::/48"), 0);
	CU_ASSERT_EQUAL(covers("2001:db8::/127", "2001:db8::1/128"), 1);
	CU_ASSERT_EQUAL(covers("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"), 1);
}

static void
test_truncate(void)
{
	struct prefix p, q;
	char buf[PREFIX_STRLEN];

	CU_ASSERT_EQUAL_FATAL(prefix_parse("192.0.2.128/25", &p), PREFIX_OK);
	CU_ASSERT_EQUAL(prefix_truncate(&p, 24, &q), PREFIX_OK);
	prefix_format(&q, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.0/24");
	CU_ASSERT_EQUAL(prefix_truncate(&p, 0, &q), PREFIX_OK);
	prefix_format(&q, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0.0.0.0/0");
	CU_ASSERT_EQUAL(prefix_truncate(&p, 25, &q), PREFIX_OK);
	CU_ASSERT_EQUAL(prefix_cmp(&p, &q), 0);
	CU_ASSERT_EQUAL(prefix_truncate(&p, 26, &q), PREFIX_ERANGE);
	/* In place, non-byte boundary. */
	CU_ASSERT_EQUAL(prefix_truncate(&p, 17, &p), PREFIX_OK);
	prefix_format(&p, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "192.0.0.0/17");

	CU_ASSERT_EQUAL_FATAL(prefix_parse("2001:db8:abcd:ef01::/64", &p),
	    PREFIX_OK);
	CU_ASSERT_EQUAL(prefix_truncate(&p, 36, &q), PREFIX_OK);
	CU_ASSERT_EQUAL(prefix_check(&q), PREFIX_OK);
	prefix_format(&q, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8:a000::/36");
}

static void
check_last(const char *s, const char *want)
{
	struct prefix p;
	uint8_t last[PREFIX_ADDR_MAX];
	char buf[PREFIX_ADDR_STRLEN];
	size_t i;

	CU_ASSERT_EQUAL_FATAL(prefix_parse(s, &p), PREFIX_OK);
	prefix_last(&p, last);
	prefix_addr_format(p.afi, last, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, want);
	for (i = prefix_afi_bytes(p.afi); i < PREFIX_ADDR_MAX; i++)
		CU_ASSERT_EQUAL(last[i], 0);
}

static void
test_last(void)
{
	check_last("10.0.0.0/8", "10.255.255.255");
	check_last("10.0.0.0/9", "10.127.255.255");
	check_last("192.0.2.1/32", "192.0.2.1");
	check_last("0.0.0.0/0", "255.255.255.255");
	check_last("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	check_last("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	check_last("2001:db8::/127", "2001:db8::1");
}

static void
test_set_check(void)
{
	static const uint8_t v4[4] = { 192, 0, 2, 0 };
	static const uint8_t v4host[4] = { 192, 0, 2, 1 };
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct prefix p;

	CU_ASSERT_EQUAL(prefix_set(&p, AFI_IPV4, v4, 24), PREFIX_OK);
	CU_ASSERT_EQUAL(p.afi, AFI_IPV4);
	CU_ASSERT_EQUAL(p.len, 24);
	CU_ASSERT_EQUAL(prefix_check(&p), PREFIX_OK);
	CU_ASSERT_EQUAL(prefix_set(&p, AFI_IPV4, v4host, 24),
	    PREFIX_EHOSTBITS);
	CU_ASSERT_EQUAL(prefix_set(&p, AFI_IPV4, v4host, 32), PREFIX_OK);
	CU_ASSERT_EQUAL(prefix_set(&p, AFI_IPV4, v4, 33), PREFIX_ERANGE);
	CU_ASSERT_EQUAL(prefix_set(&p, 0, v4, 8), PREFIX_EAFI);
	CU_ASSERT_EQUAL(prefix_set(&p, AFI_IPV6, v6, 32), PREFIX_OK);
	CU_ASSERT_EQUAL(prefix_set(&p, AFI_IPV6, v6, 29), PREFIX_OK);
	CU_ASSERT_EQUAL(prefix_set(&p, AFI_IPV6, v6, 129), PREFIX_ERANGE);
	CU_ASSERT_EQUAL(prefix_set(&p, AFI_IPV6, v6, 28), PREFIX_EHOSTBITS);

	CU_ASSERT_EQUAL_FATAL(prefix_set(&p, AFI_IPV4, v4, 24), PREFIX_OK);
	p.addr[7] = 1;		/* beyond an IPv4 address */
	CU_ASSERT_EQUAL(prefix_check(&p), PREFIX_EHOSTBITS);
	p.addr[7] = 0;
	p.len = 33;
	CU_ASSERT_EQUAL(prefix_check(&p), PREFIX_ERANGE);
	p.len = 24;
	p.afi = 7;
	CU_ASSERT_EQUAL(prefix_check(&p), PREFIX_EAFI);

	CU_ASSERT_EQUAL(prefix_afi_bytes(AFI_IPV4), 4);
	CU_ASSERT_EQUAL(prefix_afi_bytes(AFI_IPV6), 16);
	CU_ASSERT_EQUAL(prefix_afi_bytes(0), 0);
	CU_ASSERT_EQUAL(prefix_afi_bits(AFI_IPV4), 32);
	CU_ASSERT_EQUAL(prefix_afi_bits(AFI_IPV6), 128);
	CU_ASSERT_EQUAL(prefix_afi_bits(3), 0);
}

static void
check_bits(unsigned int afi, const uint8_t *d, size_t len, int unused,
    const char *want)
{
	struct prefix p;
	char buf[PREFIX_STRLEN];

	CU_ASSERT_EQUAL_FATAL(prefix_from_bits(afi, d, len, unused, &p),
	    PREFIX_OK);
	CU_ASSERT_EQUAL(prefix_check(&p), PREFIX_OK);
	prefix_format(&p, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, want);
}

static void
test_from_bits(void)
{
	static const uint8_t ten[] = { 0x0a };
	static const uint8_t ten64[] = { 0x0a, 0x40 };
	static const uint8_t ten65[] = { 0x0a, 0x41 };
	static const uint8_t full4[] = { 192, 0, 2, 1 };
	static const uint8_t five[] = { 1, 2, 3, 4, 5 };
	/* RFC 3779 section 2.1.1 example: 2001:0:200::/39. */
	static const uint8_t v6ex[] = { 0x20, 0x01, 0x00, 0x00, 0x02 };
	uint8_t v6full[17];
	struct prefix p;

	check_bits(AFI_IPV4, ten, 1, 0, "10.0.0.0/8");
	/* RFC 3779 section 2.1.1 example: 10.64/12. */
	check_bits(AFI_IPV4, ten64, 2, 4, "10.64.0.0/12");
	check_bits(AFI_IPV4, NULL, 0, 0, "0.0.0.0/0");
	check_bits(AFI_IPV4, full4, 4, 0, "192.0.2.1/32");
	check_bits(AFI_IPV6, v6ex, 5, 1, "2001:0:200::/39");
	memset(v6full, 0xff, sizeof(v6full));
	check_bits(AFI_IPV6, v6full, 16, 0,
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	v6full[15] = 0x80;
	check_bits(AFI_IPV6, v6full, 16, 7,
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff80/121");
	v6full[15] = 0xff;

	CU_ASSERT_EQUAL(prefix_from_bits(AFI_IPV4, NULL, 0, 1, &p),
	    PREFIX_EENCODING);
	CU_ASSERT_EQUAL(prefix_from_bits(AFI_IPV4, ten, 1, 8, &p),
	    PREFIX_EENCODING);
	CU_ASSERT_EQUAL(prefix_from_bits(AFI_IPV4, ten, 1, -1, &p),
	    PREFIX_EENCODING);
	CU_ASSERT_EQUAL(prefix_from_bits(AFI_IPV4, five, 5, 0, &p),
	    PREFIX_EENCODING);
	/* Unused bits must be zero (DER). */
	CU_ASSERT_EQUAL(prefix_from_bits(AFI_IPV4, ten65, 2, 4, &p),
	    PREFIX_EENCODING);
	CU_ASSERT_EQUAL(prefix_from_bits(AFI_IPV6, v6full, 17, 0, &p),
	    PREFIX_EENCODING);
	CU_ASSERT_EQUAL(prefix_from_bits(0, ten, 1, 0, &p), PREFIX_EAFI);
}

static void
test_addr_from_bits(void)
{
	static const uint8_t ten[] = { 0x0a };
	static const uint8_t ten64[] = { 0x0a, 0x40 };
	static const uint8_t ten65[] = { 0x0a, 0x41 };
	static const uint8_t v6[] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint8_t a[PREFIX_ADDR_MAX];
	char buf[PREFIX_ADDR_STRLEN];

	CU_ASSERT_EQUAL(prefix_addr_from_bits(AFI_IPV4, ten, 1, 0, 0, a),
	    PREFIX_OK);
	prefix_addr_format(AFI_IPV4, a, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "10.0.0.0");
	CU_ASSERT_EQUAL(prefix_addr_from_bits(AFI_IPV4, ten, 1, 0, 1, a),
	    PREFIX_OK);
	prefix_addr_format(AFI_IPV4, a, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "10.255.255.255");
	CU_ASSERT_EQUAL(prefix_addr_from_bits(AFI_IPV4, ten64, 2, 4, 1, a),
	    PREFIX_OK);
	prefix_addr_format(AFI_IPV4, a, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "10.79.255.255");
	CU_ASSERT_EQUAL(prefix_addr_from_bits(AFI_IPV4, NULL, 0, 0, 1, a),
	    PREFIX_OK);
	prefix_addr_format(AFI_IPV4, a, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "255.255.255.255");
	CU_ASSERT_EQUAL(prefix_addr_from_bits(AFI_IPV6, v6, 4, 0, 1, a),
	    PREFIX_OK);
	prefix_addr_format(AFI_IPV6, a, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	CU_ASSERT_EQUAL(prefix_addr_from_bits(AFI_IPV6, v6, 4, 0, 0, a),
	    PREFIX_OK);
	prefix_addr_format(AFI_IPV6, a, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8::");

	CU_ASSERT_EQUAL(prefix_addr_from_bits(AFI_IPV4, ten65, 2, 4, 1, a),
	    PREFIX_EENCODING);
	CU_ASSERT_EQUAL(prefix_addr_from_bits(9, ten, 1, 0, 0, a),
	    PREFIX_EAFI);
}

static void
test_strerror(void)
{
	static const int codes[] = {
		PREFIX_OK, PREFIX_ESYNTAX, PREFIX_ERANGE, PREFIX_EHOSTBITS,
		PREFIX_EAFI, PREFIX_EENCODING, PREFIX_ESPACE
	};
	size_t i, j, n = sizeof(codes) / sizeof(codes[0]);

	for (i = 0; i < n; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(prefix_strerror(codes[i]));
		for (j = 0; j < i; j++)
			CU_ASSERT(strcmp(prefix_strerror(codes[i]),
			    prefix_strerror(codes[j])) != 0);
	}
	CU_ASSERT(strstr(prefix_strerror(-100), "unknown") != NULL);
	CU_ASSERT_STRING_EQUAL(prefix_strerror(PREFIX_EHOSTBITS),
	    "bits set beyond the prefix length");
}

REEF_SUITE(prefix,
    REEF_TEST(test_parse_v4), REEF_TEST(test_parse_v4_bad),
    REEF_TEST(test_parse_v6), REEF_TEST(test_parse_v6_bad),
    REEF_TEST(test_parse_addr), REEF_TEST(test_format_v6_random),
    REEF_TEST(test_format), REEF_TEST(test_cmp), REEF_TEST(test_covers),
    REEF_TEST(test_truncate), REEF_TEST(test_last),
    REEF_TEST(test_set_check), REEF_TEST(test_from_bits),
    REEF_TEST(test_addr_from_bits), REEF_TEST(test_strerror))
