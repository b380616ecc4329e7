/*
 * bench_check: route origin validation speed of validator/rov.c.
 *
 * Builds a frozen set of N random VRPs (80% IPv4, 20% IPv6, prefix
 * lengths distributed roughly as in the global RPKI: mostly /24 and /48,
 * a quarter with a maxLength beyond the prefix length), indexes it once,
 * then checks N routes in random order (half inside a VRP, the other
 * half random, origins right or wrong) and prints the rate per second of
 * CPU time (the machine may be shared) and of wall-clock time.  The
 * index build is timed apart: "reef check" builds it once per run.
 *
 *	usage: bench_check [count [min_rate]]	(default 1000000 and 0)
 *
 * Exits 1 if the rate is below min_rate routes/s, so "make bench" can
 * enforce the target (1,000,000 routes/s on one core).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/vrpset.h"
#include "validator/rov.h"
#include "tests/bench/bench_rand.h"

#define BENCH_DEFAULT_COUNT	1000000
#define BENCH_MAX_COUNT		(PAYLOAD_SET_MAX / 2)
/* Origins are drawn from this many ASes so that some routes match. */
#define BENCH_ASES		50000

static const unsigned int v6_lengths[NLENGTHS] = {
	48, 48, 48, 48, 48, 48, 48, 48, 48, 48,
	32, 32, 32, 32, 29, 36, 40, 44, 46, 47
};

static double
now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct vrpset *
make_vrps(size_t n, uint64_t *seed)
{
	struct vrpset *s;
	struct vrp v;
	size_t i;
	unsigned int width;

	if ((s = vrpset_new()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		memset(&v, 0, sizeof(v));
		random_prefix(seed, v6_lengths, &v.prefix);
		width = prefix_afi_bits(v.prefix.afi);
		v.maxlen = v.prefix.len;
		if (next_rand(seed) % 4 == 0 && v.prefix.len + 2u <= width)
			v.maxlen += 2;
		v.asn = 1 + (uint32_t)(next_rand(seed) % BENCH_ASES);
		if (vrpset_add(s, &v) != PAYLOAD_OK) {
			vrpset_free(s);
			return NULL;
		}
	}
	vrpset_freeze(s);
	return s;
}

static struct rov_route *
make_routes(const struct vrpset *s, size_t n, uint64_t *seed)
{
	struct rov_route *r;
	const struct vrp *v;
	size_t i, nv = vrpset_count(s);
	unsigned int extra;

	if ((r = calloc(n, sizeof(*r))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (i % 2 == 0 && nv > 0) {
			v = vrpset_get(s, next_rand(seed) % nv);
			r[i].prefix = v->prefix;
			extra = (unsigned int)(next_rand(seed) % 3);
			if (r[i].prefix.len + extra <=
			    prefix_afi_bits(r[i].prefix.afi))
				r[i].prefix.len += extra;
			r[i].origin = next_rand(seed) % 2 ? v->asn :
			    1 + (uint32_t)(next_rand(seed) % BENCH_ASES);
		} else {
			random_prefix(seed, v6_lengths, &r[i].prefix);
			r[i].origin = 1 + (uint32_t)(next_rand(seed) %
			    BENCH_ASES);
		}
	}
	return r;
}

int
main(int argc, char **argv)
{
	struct vrpset *s = NULL;
	struct rov_index *ix = NULL;
	struct rov_route *routes = NULL;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t n = BENCH_DEFAULT_COUNT, i, count[3] = { 0, 0, 0 };
	double t0, t1, t2, c1, c2, rate, min_rate = 0;
	int rc = 1, st;

	if (argc > 1 && (n = strtoul(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bench_check [count [min_rate]]\n");
		return 2;
	}
	if (n > BENCH_MAX_COUNT)
		n = BENCH_MAX_COUNT;
	if (argc > 2)
		min_rate = strtod(argv[2], NULL);
	if ((s = make_vrps(n, &seed)) == NULL ||
	    (routes = make_routes(s, n, &seed)) == NULL) {
		fprintf(stderr, "bench_check: out of memory\n");
		goto out;
	}
	t0 = now(CLOCK_MONOTONIC);
	if ((ix = rov_build(s)) == NULL) {
		fprintf(stderr, "bench_check: index build failed\n");
		goto out;
	}
	t1 = now(CLOCK_MONOTONIC);
	c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++) {
		st = rov_validate(ix, &routes[i]);
		count[st]++;
	}
	t2 = now(CLOCK_MONOTONIC);
	c2 = now(CLOCK_PROCESS_CPUTIME_ID);
	rate = n / (c2 - c1 > 0 ? c2 - c1 : 1e-9);
	printf("bench_check: %zu VRPs (%zu unique) indexed in %.3f s\n",
	    n, vrpset_count(s), t1 - t0);
	printf("bench_check: %zu routes in %.3f s CPU (%.3f s wall): "
	    "%.0f routes/s (%zu valid, %zu invalid, %zu not-found)\n", n,
	    c2 - c1, t2 - t1, rate, count[ROV_VALID], count[ROV_INVALID],
	    count[ROV_NOTFOUND]);
	rc = rate >= min_rate ? 0 : 1;
	if (rc != 0)
		printf("bench_check: below the target of %.0f routes/s\n",
		    min_rate);
 out:
	rov_free(ix);
	free(routes);
	vrpset_free(s);
	return rc;
}
