/*
 * RTR serial numbers: 32-bit unsigned integers that wrap from 2^32-1 to 0
 * and compare by RFC 1982 serial number arithmetic (SERIAL_BITS = 32), as
 * RFC 8210 section 2 and 8210bis section 2 require.
 *
 * Two serials are "less" or "greater" only when they lie less than 2^31
 * apart; at exactly 2^31 the order is undefined (RFC 1982 section 3.2)
 * and serial_cmp() says so rather than guessing.
 */
#ifndef REEF_RTRD_SERIAL_H
#define REEF_RTRD_SERIAL_H

#include <stdint.h>

/* RFC 1982 section 3.1: the largest addend, 2^(SERIAL_BITS - 1) - 1. */
#define SERIAL_ADD_MAX		0x7fffffffu
/* Distance at which two serials are incomparable (RFC 1982 section 3.2). */
#define SERIAL_HALF		0x80000000u

enum serial_order {
	SERIAL_LT = -1,
	SERIAL_EQ = 0,
	SERIAL_GT = 1,
	SERIAL_UNDEFINED = 2	/* exactly 2^31 apart */
};

/*
 * Compare a with b.  Returns SERIAL_LT, SERIAL_EQ, SERIAL_GT, or
 * SERIAL_UNDEFINED when they are exactly 2^31 apart.
 */
int		 serial_cmp(uint32_t, uint32_t);

/* Returns 1 if a is strictly before b (RFC 1982 "s1 < s2"), else 0. */
int		 serial_lt(uint32_t, uint32_t);

/* Returns 1 if a is strictly after b (RFC 1982 "s1 > s2"), else 0. */
int		 serial_gt(uint32_t, uint32_t);

/*
 * Store s + n (mod 2^32) in *out.  RFC 1982 section 3.1 defines addition
 * only for n <= SERIAL_ADD_MAX: returns 0, or -1 (and leaves *out alone)
 * for a larger n.
 */
int		 serial_add(uint32_t, uint32_t, uint32_t *);

/* Returns the serial following s (s + 1, wrapping to 0). */
uint32_t	 serial_next(uint32_t);

/*
 * Returns how many steps lead forward from from to to, i.e. to - from
 * modulo 2^32.  Meaningful as a count of deltas only when it is at most
 * SERIAL_ADD_MAX (to is not before from).
 */
uint32_t	 serial_distance(uint32_t, uint32_t);

#endif
