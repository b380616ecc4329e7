/*
 * Pseudo-random numbers and prefix lengths shared by the benchmarks that
 * build synthetic VRP sets (bench_check.c, bench_output.c).
 */
#ifndef REEF_TESTS_BENCH_RAND_H
#define REEF_TESTS_BENCH_RAND_H

#include <stdint.h>
#include <string.h>

#include "common/prefix.h"

static inline uint64_t
next_rand(uint64_t *s)
{
	/* xorshift64*: fast and good enough to spread addresses. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Prefix lengths drawn uniformly from these (a coarse real distribution). */
#define NLENGTHS	20
static const unsigned int v4_lengths[NLENGTHS] = {
	24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24,
	23, 23, 22, 22, 21, 20, 19, 16, 12
};

/*
 * A random prefix: IPv4 four times in five, with a length from
 * v4_lengths; else IPv6 under 2000::/4 with a length from v6_lengths (the
 * caller's table of NLENGTHS entries) and about a third of its groups
 * after the first zero.
 */
static inline void
random_prefix(uint64_t *seed, const unsigned int *v6_lengths,
    struct prefix *p)
{
	uint64_t r = next_rand(seed), r2 = next_rand(seed),
	    r3 = next_rand(seed);
	unsigned int len, i;

	memset(p, 0, sizeof(*p));
	if (r % 5 != 0) {
		p->afi = AFI_IPV4;
		len = v4_lengths[(r >> 8) % NLENGTHS];
		for (i = 0; i < 4; i++)
			p->addr[i] = (uint8_t)(r2 >> (8 * i));
	} else {
		p->afi = AFI_IPV6;
		len = v6_lengths[(r >> 8) % NLENGTHS];
		for (i = 0; i < 16; i++)
			p->addr[i] = (uint8_t)((i < 8 ? r2 : r3) >>
			    (8 * (i % 8)));
		p->addr[0] = 0x20 | (p->addr[0] & 0x0f);
		for (i = 1; i < 8; i++)
			if ((r >> (16 + 2 * i)) % 3 == 0)
				p->addr[2 * i] = p->addr[2 * i + 1] = 0;
	}
	p->len = (uint8_t)prefix_afi_bits(p->afi);
	prefix_truncate(p, len, p);
}

#endif
