/*
 * bench_output: CPU cost of the text writers of "reef validate"
 * (validator/output_csv.c, output_json.c, output_bgpd.c, output_bird.c).
 *
 * Builds a frozen set of N synthetic VRPs (80% IPv4, 20% IPv6 with runs
 * of zero groups so that "::" compression varies, a quarter with a
 * maxLength beyond the prefix length, five TAs, expiry times spread over
 * a day), N / 100 ASPAs and N / 1000 router keys, plus a few edge cases
 * (/0 prefixes, IPv4-mapped IPv6, full eight-group addresses, extreme
 * ASNs and times).  Then runs each writer once and prints the CPU time
 * it took (the machine may be shared, so CPU time, not wall-clock time).
 *
 *	usage: bench_output [-o dir] [count]	(default 1000000)
 *
 * The files go to /dev/null, or with -o into dir under the names reef
 * validate uses, so the output of two builds can be compared with cmp.
 * The set depends only on count: it is the same for every build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/aspaset.h"
#include "common/rkset.h"
#include "common/vrpset.h"
#include "validator/output.h"
#include "tests/bench/bench_rand.h"

#define BENCH_DEFAULT_COUNT	1000000
#define BENCH_MAX_COUNT		(PAYLOAD_SET_MAX / 2)
#define BENCH_ASES		400000
#define BENCH_NTA		5
#define BENCH_PROVIDERS		8
/* The size of an EC P-256 SubjectPublicKeyInfo. */
#define BENCH_SPKI_LEN		91
#define BENCH_PATH_MAX		4096

static const unsigned int v6_lengths[NLENGTHS] = {
	48, 48, 48, 48, 48, 48, 48, 48, 48, 48,
	32, 32, 32, 32, 29, 36, 40, 44, 64, 128
};

static int
add_vrp(struct vrpset *s, const char *pfx, unsigned int maxlen,
    uint32_t asn, uint32_t ta, int64_t expires)
{
	struct vrp v;

	memset(&v, 0, sizeof(v));
	if (prefix_parse(pfx, &v.prefix) != PREFIX_OK)
		return -1;
	v.maxlen = (uint8_t)maxlen;
	v.asn = asn;
	v.ta = ta;
	v.expires = expires;
	return vrpset_add(s, &v) == PAYLOAD_OK ? 0 : -1;
}

/* Values at the ends of every field, so that cmp checks them too. */
static int
add_edges(struct vrpset *s)
{
	return add_vrp(s, "0.0.0.0/0", 32, 0, 0, 0) ||
	    add_vrp(s, "255.255.255.255/32", 32, 4294967295u, 4,
	    INT64_MAX) ||
	    add_vrp(s, "::/0", 128, 1, 1, INT64_MIN) ||
	    add_vrp(s, "::ffff:192.0.2.0/120", 128, 65536, 2, -1) ||
	    add_vrp(s, "2001:db8:1:2:3:4:5:6/128", 128, 64496, 3, 1) ||
	    add_vrp(s, "fe80::1:0:0:1/128", 128, 10, 9, 9) ||
	    add_vrp(s, "1::/16", 24, 99999, 0, 1000000000);
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
	if (add_edges(s) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		memset(&v, 0, sizeof(v));
		random_prefix(seed, v6_lengths, &v.prefix);
		width = prefix_afi_bits(v.prefix.afi);
		v.maxlen = v.prefix.len;
		if (next_rand(seed) % 4 == 0 && v.prefix.len + 2u <= width)
			v.maxlen += 2;
		v.asn = 1 + (uint32_t)(next_rand(seed) % BENCH_ASES);
		if (next_rand(seed) % 10 == 0)
			v.asn += 4200000000u;
		v.ta = (uint32_t)(next_rand(seed) % BENCH_NTA);
		v.expires = 1764000000 + (int64_t)(next_rand(seed) % 86400);
		if (vrpset_add(s, &v) != PAYLOAD_OK)
			goto fail;
	}
	vrpset_freeze(s);
	return s;
 fail:
	vrpset_free(s);
	return NULL;
}

/* n ASPAs; providers[] must hold n * BENCH_PROVIDERS entries. */
static struct aspaset *
make_aspas(size_t n, uint32_t *providers, uint64_t *seed)
{
	struct aspaset *s;
	struct aspa a;
	uint32_t *p;
	size_t i, k;

	if ((s = aspaset_new()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		p = providers + i * BENCH_PROVIDERS;
		memset(&a, 0, sizeof(a));
		a.customer = 1 + (uint32_t)i * 7;
		a.nproviders = 1 + next_rand(seed) % BENCH_PROVIDERS;
		/* Ascending, and above every customer. */
		for (k = 0; k < a.nproviders; k++)
			p[k] = 0x80000000u + (uint32_t)(k * 1000 +
			    next_rand(seed) % 1000);
		a.providers = p;
		a.ta = (uint32_t)(i % BENCH_NTA);
		a.expires = 1764000000 + (int64_t)i;
		if (aspaset_add(s, &a) != PAYLOAD_OK) {
			aspaset_free(s);
			return NULL;
		}
	}
	aspaset_freeze(s);
	return s;
}

static struct rkset *
make_keys(size_t n, uint64_t *seed)
{
	uint8_t spki[BENCH_SPKI_LEN];
	struct rkset *s;
	struct router_key k;
	size_t i, b;

	if ((s = rkset_new()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		memset(&k, 0, sizeof(k));
		for (b = 0; b < sizeof(spki); b++)
			spki[b] = (uint8_t)next_rand(seed);
		for (b = 0; b < sizeof(k.ski); b++)
			k.ski[b] = (uint8_t)next_rand(seed);
		k.asn = 64512 + (uint32_t)i;
		k.ta = (uint32_t)(i % BENCH_NTA);
		k.expires = 1764000000 + (int64_t)i;
		k.spki = spki;
		k.spki_len = sizeof(spki);
		if (rkset_add(s, &k) != PAYLOAD_OK) {
			rkset_free(s);
			return NULL;
		}
	}
	rkset_freeze(s);
	return s;
}

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run writer w into dir (or /dev/null); prints and returns 0, or -1. */
static int
run_writer(const struct output_writer *w, const char *dir,
    const struct output_data *d)
{
	char path[BENCH_PATH_MAX];
	FILE *fp;
	double c0, c1;
	int rc;

	if (dir != NULL)
		snprintf(path, sizeof(path), "%s/%s", dir, w->filename);
	else
		snprintf(path, sizeof(path), "/dev/null");
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		return -1;
	}
	c0 = cpu_now();
	rc = w->write(fp, d);
	if (fclose(fp) != 0)
		rc = -1;
	c1 = cpu_now();
	if (rc != 0) {
		fprintf(stderr, "bench_output: %s: write failed\n", w->name);
		return -1;
	}
	printf("bench_output: %-12s %.3f s CPU\n", w->filename, c1 - c0);
	return 0;
}

static int
is_timed(unsigned int flag)
{
	return flag == OUTPUT_CSV || flag == OUTPUT_JSON ||
	    flag == OUTPUT_BGPD || flag == OUTPUT_BIRD || flag == OUTPUT_BIRD1;
}

int
main(int argc, char **argv)
{
	static const char *const tas[BENCH_NTA] = {
		"afrinic", "apnic", "arin", "lacnic", "ripe"
	};
	struct output_data d;
	const struct output_writer *w;
	struct vrpset *vrps = NULL;
	struct aspaset *aspas = NULL;
	struct rkset *rks = NULL;
	uint32_t *providers = NULL;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	const char *dir = NULL;
	size_t n = BENCH_DEFAULT_COUNT;
	int rc = 1, a = 1;

	if (argc > 2 && strcmp(argv[1], "-o") == 0) {
		dir = argv[2];
		a = 3;
	}
	if (argc > a && (n = strtoul(argv[a], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bench_output [-o dir] [count]\n");
		return 2;
	}
	if (n > BENCH_MAX_COUNT)
		n = BENCH_MAX_COUNT;
	memset(&d, 0, sizeof(d));
	d.ta_names = tas;
	d.nta = BENCH_NTA;
	d.buildtime = 1764000000;
	d.hostname = "bench.example";
	d.stats.vrps = n;
	d.stats.tals = BENCH_NTA;
	if ((providers = calloc(n / 100 + 1, sizeof(*providers) *
	    BENCH_PROVIDERS)) == NULL ||
	    (vrps = make_vrps(n, &seed)) == NULL ||
	    (aspas = make_aspas(n / 100, providers, &seed)) == NULL ||
	    (rks = make_keys(n / 1000, &seed)) == NULL) {
		fprintf(stderr, "bench_output: cannot build the sets\n");
		goto out;
	}
	d.vrps = vrps;
	d.aspas = aspas;
	d.rks = rks;
	printf("bench_output: %zu VRPs (%zu unique), %zu ASPAs, %zu router "
	    "keys\n", n, vrpset_count(d.vrps), aspaset_count(d.aspas),
	    rkset_count(d.rks));
	rc = 0;
	for (w = output_writers; w->name != NULL; w++)
		if (is_timed(w->flag) && run_writer(w, dir, &d) != 0)
			rc = 1;
 out:
	vrpset_free(vrps);
	aspaset_free(aspas);
	rkset_free(rks);
	free(providers);
	return rc;
}
