/*
 * Pseudo-random numbers and prefix lengths shared by the benchmarks that
 * build synthetic VRP sets (bench_check.c, bench_output.c).
 */
#ifndef REEF_TESTS_BENCH_RAND_H
#define REEF_TESTS_BENCH_RAND_H

#include <stdint.h>

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

#endif
