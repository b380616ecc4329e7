/*
 * Deterministic pseudo-random numbers (splitmix64).  Every structural choice
 * of the generator draws from a stream seeded by (seed, purpose, index), so a
 * CA's content does not depend on the order in which jobs run.
 */
#include "repogen.h"

#define GOLDEN	0x9e3779b97f4a7c15ULL

/*
 * Finalising mix of splitmix64; returns a well-mixed 64-bit value.
 */
uint64_t
rg_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Seed r from the global seed, a purpose tag and an index.
 */
void
rg_prng_init(struct prng *r, uint64_t seed, uint64_t purpose, uint64_t index)
{
	r->s = rg_mix64(seed ^ rg_mix64(purpose * GOLDEN + 1) ^
	    rg_mix64(index + 0x51ed27ULL));
}

/*
 * Returns the next 64-bit value of the stream.
 */
uint64_t
rg_prng_next(struct prng *r)
{
	r->s += GOLDEN;
	return rg_mix64(r->s);
}

/*
 * Returns a value in [0, n); 0 when n is 0.  The modulo bias is irrelevant
 * for test data.
 */
uint64_t
rg_prng_below(struct prng *r, uint64_t n)
{
	if (n == 0)
		return 0;
	return rg_prng_next(r) % n;
}

/*
 * Returns 1 with probability num/den.
 */
int
rg_prng_chance(struct prng *r, int num, int den)
{
	return rg_prng_below(r, den) < (uint64_t)num;
}
