/*
 * Tests for rtrd/serial.c: RFC 1982 comparison and addition with
 * SERIAL_BITS = 32, around zero, the wrap and the 2^31 distance.
 */
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "rtrd/serial.h"
#include "suite.h"

static void
test_cmp_basic(void)
{
	CU_ASSERT_EQUAL(serial_cmp(0, 0), SERIAL_EQ);
	CU_ASSERT_EQUAL(serial_cmp(1, 2), SERIAL_LT);
	CU_ASSERT_EQUAL(serial_cmp(2, 1), SERIAL_GT);
	CU_ASSERT_EQUAL(serial_cmp(UINT32_MAX, UINT32_MAX), SERIAL_EQ);
	CU_ASSERT(serial_lt(100, 101));
	CU_ASSERT(!serial_lt(101, 100));
	CU_ASSERT(!serial_lt(7, 7));
	CU_ASSERT(serial_gt(101, 100));
	CU_ASSERT(!serial_gt(7, 7));
}

/* RFC 1982 section 3.2: after the wrap, 0 follows 2^32 - 1. */
static void
test_cmp_wrap(void)
{
	CU_ASSERT_EQUAL(serial_cmp(UINT32_MAX, 0), SERIAL_LT);
	CU_ASSERT_EQUAL(serial_cmp(0, UINT32_MAX), SERIAL_GT);
	CU_ASSERT_EQUAL(serial_cmp(UINT32_MAX - 5, 10), SERIAL_LT);
	CU_ASSERT_EQUAL(serial_cmp(10, UINT32_MAX - 5), SERIAL_GT);
	CU_ASSERT(serial_lt(0xfffffff0u, 0x0000000fu));
}

/* Distances just below, at and just above 2^31. */
static void
test_cmp_half(void)
{
	CU_ASSERT_EQUAL(serial_cmp(0, 0x7fffffffu), SERIAL_LT);
	CU_ASSERT_EQUAL(serial_cmp(0x7fffffffu, 0), SERIAL_GT);
	CU_ASSERT_EQUAL(serial_cmp(0, 0x80000000u), SERIAL_UNDEFINED);
	CU_ASSERT_EQUAL(serial_cmp(0x80000000u, 0), SERIAL_UNDEFINED);
	CU_ASSERT_EQUAL(serial_cmp(0, 0x80000001u), SERIAL_GT);
	CU_ASSERT_EQUAL(serial_cmp(0x80000001u, 0), SERIAL_LT);
	CU_ASSERT_EQUAL(serial_cmp(5, 0x80000005u), SERIAL_UNDEFINED);
	/* undefined is neither less nor greater */
	CU_ASSERT(!serial_lt(0, 0x80000000u));
	CU_ASSERT(!serial_gt(0, 0x80000000u));
}

static void
test_add(void)
{
	uint32_t	 s = 42;

	CU_ASSERT_EQUAL(serial_add(10, 5, &s), 0);
	CU_ASSERT_EQUAL(s, 15);
	CU_ASSERT_EQUAL(serial_add(UINT32_MAX, 1, &s), 0);
	CU_ASSERT_EQUAL(s, 0);
	CU_ASSERT_EQUAL(serial_add(UINT32_MAX - 1, 10, &s), 0);
	CU_ASSERT_EQUAL(s, 8);
	CU_ASSERT_EQUAL(serial_add(0, SERIAL_ADD_MAX, &s), 0);
	CU_ASSERT_EQUAL(s, 0x7fffffffu);
	/* RFC 1982 section 3.1: larger addends are undefined */
	s = 42;
	CU_ASSERT_EQUAL(serial_add(0, SERIAL_ADD_MAX + 1, &s), -1);
	CU_ASSERT_EQUAL(s, 42);
	CU_ASSERT_EQUAL(serial_add(0, UINT32_MAX, &s), -1);
	CU_ASSERT_EQUAL(s, 42);
}

/* Every legal addition makes the result greater (section 3.1 property). */
static void
test_add_order(void)
{
	static const uint32_t	 bases[] = { 0, 1, 0x7fffffffu, 0x80000000u,
	    0xfffffffeu, UINT32_MAX };
	static const uint32_t	 adds[] = { 1, 2, 1000, 0x40000000u,
	    SERIAL_ADD_MAX };
	uint32_t		 r;
	size_t			 i, j;

	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		for (j = 0; j < sizeof(adds) / sizeof(adds[0]); j++) {
			CU_ASSERT_EQUAL_FATAL(serial_add(bases[i], adds[j], &r),
			    0);
			CU_ASSERT(serial_gt(r, bases[i]));
			CU_ASSERT(serial_lt(bases[i], r));
			CU_ASSERT_EQUAL(serial_distance(bases[i], r), adds[j]);
		}
}

static void
test_next_distance(void)
{
	CU_ASSERT_EQUAL(serial_next(0), 1);
	CU_ASSERT_EQUAL(serial_next(UINT32_MAX), 0);
	CU_ASSERT_EQUAL(serial_distance(5, 5), 0);
	CU_ASSERT_EQUAL(serial_distance(UINT32_MAX, 2), 3);
	CU_ASSERT_EQUAL(serial_distance(10, 7), UINT32_MAX - 2);
}

REEF_SUITE(serial,
    REEF_TEST(test_cmp_basic), REEF_TEST(test_cmp_wrap),
    REEF_TEST(test_cmp_half), REEF_TEST(test_add), REEF_TEST(test_add_order),
    REEF_TEST(test_next_distance))
