/*
 * RFC 1982 serial number arithmetic with SERIAL_BITS = 32.
 */
#include <stdint.h>

#include "rtrd/serial.h"

/*
 * RFC 1982 section 3.2: i1 < i2 if (i1 < i2 and i2 - i1 < 2^31) or
 * (i1 > i2 and i1 - i2 > 2^31).  Both cases are "the forward distance
 * from i1 to i2, modulo 2^32, lies in 1 .. 2^31 - 1", which unsigned
 * wrap-around computes directly.
 */
int
serial_cmp(uint32_t a, uint32_t b)
{
	uint32_t	 d = b - a;

	if (d == 0)
		return SERIAL_EQ;
	if (d == SERIAL_HALF)
		return SERIAL_UNDEFINED;
	return d < SERIAL_HALF ? SERIAL_LT : SERIAL_GT;
}

int
serial_lt(uint32_t a, uint32_t b)
{
	return serial_cmp(a, b) == SERIAL_LT;
}

int
serial_gt(uint32_t a, uint32_t b)
{
	return serial_cmp(a, b) == SERIAL_GT;
}

int
serial_add(uint32_t s, uint32_t n, uint32_t *out)
{
	if (n > SERIAL_ADD_MAX)
		return -1;
	*out = s + n;
	return 0;
}

uint32_t
serial_next(uint32_t s)
{
	return s + 1;
}

uint32_t
serial_distance(uint32_t from, uint32_t to)
{
	return to - from;
}
