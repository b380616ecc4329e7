/*
 * Integration: the validation walk against reef-repogen repositories.
 *
 * Each case generates a small repository, lays its rsync tree out as a
 * cache (CACHE/rsync/localhost/<module>/...), runs walk_run() offline at a
 * fixed time and compares the VRPs, ASPAs and router keys, printed as the
 * generator prints its expected CSV files, byte for byte with
 * OUTDIR/gen<N>/expected/{vrps,aspa,router_keys}.csv.  Every generator defect is run on its own.
 * The store cases run the walk twice over a changed cache.
 *
 * Set REEF_REPOGEN to use another reef-repogen binary.
 */
#include <sys/stat.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/b64.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/prefix.h"
#include "tests/integration/validate_util.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/tal.h"
#include "validator/walk.h"

/* Seed of every generated repository (any fixed value will do). */
#define GEN_SEED	7
/* reef-repogen's default base time, 2026-01-01T00:00:00Z. */
#define GEN_BASE	1767225600LL
/* Validation time: two days after the base, after generation 2's issue. */
#define WALK_NOW	(GEN_BASE + 2 * 86400)
/* Threads for the "parallel" runs. */
#define WALK_THREADS	4

/* Every defect of reef-repogen(1) that shows in a single generation. */
static const char *const one_gen_defects[] = {
	"expired-cert", "not-yet-valid-cert", "bad-signature",
	"ee-resources-outside-issuer", "ca-overclaim", "roa-prefix-outside-ee",
	"manifest-hash-mismatch", "file-missing-from-manifest",
	"file-not-on-manifest", "stale-manifest", "stale-crl", "revoked-ee",
	"wrong-econtent-type", "truncated-der", "trailing-garbage",
	"ber-not-der", "signed-attrs-unsorted", "signed-attrs-indefinite",
	"econtent-absent",
};

static int
skipped(void)
{
	const char *e = getenv("REEF_TESTS_UNIT_ONLY");

	if (e == NULL || *e == '\0')
		return 0;
	printf("\n    SKIPPED: REEF_TESTS_UNIT_ONLY is set\n    ");
	return 1;
}

static char *
repogen_path(void)
{
	const char *e = getenv("REEF_REPOGEN");

	if (e != NULL && *e != '\0')
		return tu_asprintf("%s", e);
	return tu_asprintf("%s/tests/tools/repogen/reef-repogen",
	    tu_builddir());
}

static char *
key_cache(void)
{
	const char *e = getenv("REEF_KEY_CACHE");

	if (e != NULL && *e != '\0')
		return tu_asprintf("%s", e);
	return tu_asprintf("%s/.key-cache", tu_builddir());
}

/* Returns 1 if the generator is there, else 0 after printing SKIPPED. */
static int
have_repogen(void)
{
	char *gen = repogen_path();
	int ok = access(gen, X_OK) == 0;

	if (!ok)
		printf("\n    SKIPPED: %s is not built\n    ", gen);
	free(gen);
	return ok;
}

/*
 * Generate into out with the extra options; 1 on success, 0 after
 * printing SKIPPED (no generator) or failing the test.
 */
static int
generate(const char *out, const char *opts)
{
	char *gen = repogen_path(), *keys = key_cache();
	int st;

	if (access(gen, X_OK) == -1) {
		printf("\n    SKIPPED: %s is not built\n    ", gen);
		free(gen);
		free(keys);
		return 0;
	}
	mkdir(keys, 0700);
	st = tu_system("'%s' -o '%s' --seed %d --scale small --key-cache '%s' "
	    "%s >'%s.log' 2>&1", gen, out, GEN_SEED, keys, opts, out);
	if (st != 0) {
		printf("\n    reef-repogen %s failed (%d)\n    ", opts, st);
		tu_system("tail -5 '%s.log'", out);
	}
	CU_ASSERT_EQUAL(st, 0);
	free(gen);
	free(keys);
	return st == 0;
}

/* Make cache hold generation gen of out as the fetcher would. */
static void
make_cache(const char *cache, const char *out, int gen)
{
	CU_ASSERT_EQUAL(tu_system("rm -rf '%s/rsync' && mkdir -p '%s/rsync' "
	    "&& cp -R '%s/gen%d/rsync' '%s/rsync/localhost'", cache, cache,
	    out, gen, cache), 0);
}

/* Append printf output to a growing string. */
static void
cat(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
cat(char **s, const char *fmt, ...)
{
	va_list ap;
	char *add, *n;

	va_start(ap, fmt);
	CU_ASSERT_FATAL(vasprintf(&add, fmt, ap) != -1);
	va_end(ap);
	n = tu_asprintf("%s%s", *s, add);
	free(add);
	free(*s);
	*s = n;
}

/* The three sets as the generator's expected CSV files (concatenated). */
static char *
result_csv(const struct walk_result *r)
{
	char *s = tu_asprintf("%s", ""), pfx[PREFIX_STRLEN], *b64;
	char hex[2 * ROUTER_KEY_SKI_LEN + 1];
	const struct vrp *v;
	struct aspa a;
	struct router_key k;
	size_t i, j;

	cat(&s, "ASN,IP Prefix,Max Length,Trust Anchor\n");
	for (i = 0; (v = vrpset_get(r->vrps, i)) != NULL; i++) {
		prefix_format(&v->prefix, pfx, sizeof(pfx));
		cat(&s, "AS%u,%s,%u,%s\n", v->asn, pfx, v->maxlen,
		    r->ta_names[v->ta]);
	}
	cat(&s, "Customer ASN,Providers\n");
	for (i = 0; aspaset_get(r->aspas, i, &a); i++) {
		cat(&s, "AS%u,", a.customer);
		for (j = 0; j < a.nproviders; j++)
			cat(&s, "%sAS%u", j > 0 ? " " : "", a.providers[j]);
		cat(&s, "\n");
	}
	cat(&s, "ASN,SKI,Public Key\n");
	for (i = 0; rkset_get(r->rks, i, &k); i++) {
		hash_hex_encode(k.ski, sizeof(k.ski), hex);
		CU_ASSERT_FATAL(b64_encode(k.spki, k.spki_len, &b64, NULL) ==
		    0);
		cat(&s, "AS%u,%s,%s\n", k.asn, hex, b64);
		free(b64);
	}
	return s;
}

static char *
expected_csv(const char *out, int gen)
{
	static const char *const files[] = { "vrps", "aspa", "router_keys" };
	char *s = tu_asprintf("%s", ""), *p;
	unsigned char *buf;
	size_t i;

	for (i = 0; i < 3; i++) {
		p = tu_asprintf("%s/gen%d/expected/%s.csv", out, gen, files[i]);
		buf = tu_read_file(p, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		cat(&s, "%s", (char *)buf);
		free(buf);
		free(p);
	}
	return s;
}

/* Compare and, on a difference, show it (diff -u) with the label. */
static int
same_csv(const char *label, const char *want, const char *got,
    const char *tmp)
{
	char *a, *b;

	if (strcmp(want, got) == 0)
		return 1;
	a = tu_asprintf("%s/want.csv", tmp);
	b = tu_asprintf("%s/got.csv", tmp);
	tu_write_file(a, want, strlen(want));
	tu_write_file(b, got, strlen(got));
	printf("\n    %s: payloads differ from the expected set:\n", label);
	fflush(stdout);
	tu_system("diff -u '%s' '%s' | head -20 | sed 's/^/    /'", a, b);
	free(a);
	free(b);
	return 0;
}

struct run {
	struct tal	*tals[MAX_TALS];
	size_t		 ntals;
	char		*tmp;
	char		*out;
	char		*cache;
	char		*store;
};

static int
run_open(struct run *r, const char *tag, const char *opts)
{
	memset(r, 0, sizeof(*r));
	r->tmp = tu_tmpdir(tag);
	r->out = tu_asprintf("%s/out", r->tmp);
	r->cache = tu_asprintf("%s/cache", r->tmp);
	r->store = tu_asprintf("%s/store", r->tmp);
	if (!generate(r->out, opts))
		return 0;
	r->ntals = vu_load_tals(r->out, r->tals, MAX_TALS);
	CU_ASSERT(r->ntals > 0);
	return r->ntals > 0;
}

static void
run_close(struct run *r)
{
	size_t i;

	for (i = 0; i < r->ntals; i++)
		tal_free(r->tals[i]);
	if (getenv("REEF_KEEP_TMP") == NULL)
		tu_rmtree(r->tmp);
	free(r->tmp);
	free(r->out);
	free(r->cache);
	free(r->store);
}

static int
walk(const struct run *r, unsigned int threads, int use_store,
    struct walk_result *res)
{
	struct walk_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.tals = r->tals;
	cfg.ntals = r->ntals;
	cfg.cache_dir = r->cache;
	cfg.store_dir = use_store ? r->store : NULL;
	cfg.now = WALK_NOW;
	cfg.threads = threads;
	cfg.allow_dubious = 1;	/* the generator's URIs say "localhost" */
	return walk_run(&cfg, res);
}

/* Walk generation gen of r with threads and compare; returns 1 if equal. */
static int
check_gen(const struct run *r, int gen, unsigned int threads, int use_store,
    const char *label, struct walk_stats *stats)
{
	struct walk_result res;
	char *want, *got;
	int ok;

	CU_ASSERT_EQUAL_FATAL(walk(r, threads, use_store, &res), 0);
	want = expected_csv(r->out, gen);
	got = result_csv(&res);
	ok = same_csv(label, want, got, r->tmp);
	CU_ASSERT(ok);
	if (stats != NULL)
		*stats = res.stats;
	free(want);
	free(got);
	walk_result_free(&res);
	return ok;
}

static void
quiet(void)
{
	struct log_config lc = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };

	if (getenv("REEF_TEST_VERBOSE") == NULL)
		log_init(&lc);
}

/* Most repositories the counting fetcher records. */
#define FETCH_MAX	256

/* A fetcher that records the repositories asked for, and the hints. */
struct fetch_log {
	pthread_mutex_t	 lock;
	char		*uris[FETCH_MAX];
	size_t		 n;
	int		 dup;
	char		*hints[FETCH_MAX];
	size_t		 nhints;
	int		 hint_dup;
	int		 unhinted;	/* fetched without a hint first */
};

static int
fetch_hinted(void *arg, const char *repo, const char *notify)
{
	struct fetch_log *fl = arg;
	size_t i;

	(void)notify;
	pthread_mutex_lock(&fl->lock);
	for (i = 0; i < fl->nhints; i++)
		if (strcmp(fl->hints[i], repo) == 0)
			fl->hint_dup = 1;
	if (fl->nhints < FETCH_MAX)
		fl->hints[fl->nhints++] = tu_asprintf("%s", repo);
	pthread_mutex_unlock(&fl->lock);
	return 0;
}

static int
fetch_count(void *arg, const char *repo, const char *notify)
{
	struct fetch_log *fl = arg;
	size_t i;

	pthread_mutex_lock(&fl->lock);
	for (i = 0; i < fl->n; i++)
		if (strcmp(fl->uris[i], repo) == 0)
			fl->dup = 1;
	for (i = 0; i < fl->nhints; i++)
		if (strcmp(fl->hints[i], repo) == 0)
			break;
	if (i == fl->nhints)
		fl->unhinted++;
	if (fl->n < FETCH_MAX)
		fl->uris[fl->n++] = tu_asprintf("%s", repo);
	pthread_mutex_unlock(&fl->lock);
	return 0;
}

/*
 * The walk asks for each repository once, and the result is unchanged.
 * With hints, every repository is hinted once, before it is fetched.
 */
static void
check_fetcher(const struct run *r, int hints)
{
	struct fetch_log fl;
	struct repo_fetcher f = { fetch_count, &fl,
	    hints ? fetch_hinted : NULL };
	struct walk_config cfg;
	struct walk_result res;
	char *want, *got;
	size_t i;

	memset(&fl, 0, sizeof(fl));
	pthread_mutex_init(&fl.lock, NULL);
	memset(&cfg, 0, sizeof(cfg));
	cfg.tals = r->tals;
	cfg.ntals = r->ntals;
	cfg.cache_dir = r->cache;
	cfg.now = WALK_NOW;
	cfg.threads = WALK_THREADS;
	cfg.allow_dubious = 1;
	cfg.fetcher = &f;
	CU_ASSERT_EQUAL_FATAL(walk_run(&cfg, &res), 0);
	CU_ASSERT(fl.n > 0);
	CU_ASSERT_EQUAL(fl.dup, 0);
	if (hints) {
		CU_ASSERT_EQUAL(fl.nhints, fl.n);
		CU_ASSERT_EQUAL(fl.hint_dup, 0);
		CU_ASSERT_EQUAL(fl.unhinted, 0);
	} else
		CU_ASSERT_EQUAL(fl.unhinted, fl.n);
	want = expected_csv(r->out, 1);
	got = result_csv(&res);
	CU_ASSERT(same_csv("with fetcher", want, got, r->tmp));
	free(want);
	free(got);
	walk_result_free(&res);
	for (i = 0; i < fl.n; i++)
		free(fl.uris[i]);
	for (i = 0; i < fl.nhints; i++)
		free(fl.hints[i]);
	pthread_mutex_destroy(&fl.lock);
}

/* A clean repository: exact payloads, identical for 1 and 4 threads. */
static void
test_walk_clean(void)
{
	struct run r;
	struct walk_stats st;

	if (skipped())
		return;
	quiet();
	if (run_open(&r, "walk-clean", "--generations 2")) {
		make_cache(r.cache, r.out, 1);
		check_gen(&r, 1, 1, 0, "gen1 -j 1", &st);
		CU_ASSERT_EQUAL(st.tas, 2);
		CU_ASSERT_EQUAL(st.pubpoints_failed, 0);
		CU_ASSERT_EQUAL(st.roas_failed, 0);
		CU_ASSERT(st.cas > 0);
		check_gen(&r, 1, WALK_THREADS, 0, "gen1 -j 4", NULL);
		check_fetcher(&r, 0);
		check_fetcher(&r, 1);
		make_cache(r.cache, r.out, 2);
		check_gen(&r, 2, WALK_THREADS, 0, "gen2 -j 4", NULL);
		check_gen(&r, 2, 1, 0, "gen2 -j 1", NULL);
	}
	log_init(NULL);
	run_close(&r);
}

/* CAs with IP inherit resolve it from their parents. */
static void
test_walk_ip_inherit(void)
{
	struct run r;

	if (skipped())
		return;
	quiet();
	if (run_open(&r, "walk-inherit", "--ip-inherit")) {
		make_cache(r.cache, r.out, 1);
		check_gen(&r, 1, WALK_THREADS, 0, "ip-inherit", NULL);
	}
	log_init(NULL);
	run_close(&r);
}

/* Each defect alone gives exactly the generator's expected payloads. */
static void
test_walk_defects(void)
{
	struct run r;
	char *opts;
	size_t i;

	if (skipped() || !have_repogen())
		return;
	quiet();
	for (i = 0; i < sizeof(one_gen_defects) / sizeof(one_gen_defects[0]);
	    i++) {
		opts = tu_asprintf("--defect %s", one_gen_defects[i]);
		if (run_open(&r, "walk-defect", opts)) {
			make_cache(r.cache, r.out, 1);
			check_gen(&r, 1, WALK_THREADS, 0, one_gen_defects[i],
			    NULL);
		}
		run_close(&r);
		free(opts);
	}
	log_init(NULL);
}

/* Corrupt the first byte-flippable manifest below a CA (not a TA's). */
static char *
corrupt_a_manifest(const char *cache)
{
	char *list, *path = NULL, line[4096];
	FILE *f;
	size_t n;

	list = tu_asprintf("%s/mfts.txt", cache);
	CU_ASSERT_EQUAL_FATAL(tu_system("find '%s/rsync' -name '*.mft' "
	    "! -path '*/repo-ta*' | sort > '%s'", cache, list), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(list, "r"));
	if (fgets(line, sizeof(line), f) != NULL) {
		n = strcspn(line, "\n");
		line[n] = '\0';
		path = tu_asprintf("%s", line);
	}
	fclose(f);
	unlink(list);
	free(list);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	/* Overwrite bytes in the middle: signature or content breaks. */
	CU_ASSERT_EQUAL(tu_system("printf 'XXXXXXXX' | dd of='%s' bs=1 "
	    "seek=200 conv=notrunc 2>/dev/null", path), 0);
	return path;
}

/*
 * RFC 9286 section 6: a publication point whose manifest breaks falls
 * back to the store's last good copy, so its payloads survive; without
 * a store they are lost.
 */
static void
test_walk_store_fallback(void)
{
	struct run r;
	struct walk_result res;
	struct walk_stats st;
	char *mft, *want, *got;

	if (skipped())
		return;
	quiet();
	if (run_open(&r, "walk-store", "--generations 1")) {
		make_cache(r.cache, r.out, 1);
		check_gen(&r, 1, WALK_THREADS, 1, "first run", &st);
		CU_ASSERT_EQUAL(st.pubpoints_stored, 0);
		mft = corrupt_a_manifest(r.cache);
		check_gen(&r, 1, WALK_THREADS, 1, "broken manifest, store",
		    &st);
		CU_ASSERT_EQUAL(st.pubpoints_stored, 1);
		CU_ASSERT_EQUAL(st.manifests_failed, 1);
		CU_ASSERT_EQUAL(st.pubpoints_failed, 0);
		/* Without the store, the broken point is lost. */
		CU_ASSERT_EQUAL_FATAL(walk(&r, 1, 0, &res), 0);
		CU_ASSERT_EQUAL(res.stats.pubpoints_failed, 1);
		want = expected_csv(r.out, 1);
		got = result_csv(&res);
		CU_ASSERT(strcmp(want, got) != 0);
		free(want);
		free(got);
		walk_result_free(&res);
		free(mft);
	}
	log_init(NULL);
	run_close(&r);
}

/*
 * RFC 9286 section 4.2.1: having seen generation 1, a generation 2
 * manifest whose number went backwards is rejected and the stored one
 * kept (the payloads stay the same); a fresh validator accepts it.
 */
static void
test_walk_mft_backwards(void)
{
	struct run r;
	struct walk_stats st;

	if (skipped())
		return;
	quiet();
	if (run_open(&r, "walk-backwards", "--generations 2 --defect "
	    "manifest-number-backwards")) {
		make_cache(r.cache, r.out, 1);
		check_gen(&r, 1, WALK_THREADS, 1, "gen1", &st);
		make_cache(r.cache, r.out, 2);
		check_gen(&r, 2, WALK_THREADS, 1, "gen2 after gen1", &st);
		CU_ASSERT_EQUAL(st.manifests_failed, 1);
		CU_ASSERT_EQUAL(st.pubpoints_stored, 1);
		check_gen(&r, 2, 1, 0, "gen2, no store", &st);
		CU_ASSERT_EQUAL(st.manifests_failed, 0);
		CU_ASSERT_EQUAL(st.pubpoints_stored, 0);
	}
	log_init(NULL);
	run_close(&r);
}

/* Most report entries the reason test keeps. */
#define REASONS_MAX	4096

/* The rejected objects of one walk, as the report callback saw them. */
struct reasons {
	char	*uri[REASONS_MAX];
	char	*why[REASONS_MAX];
	size_t	 n;
};

static void
reasons_cb(void *arg, const char *uri, const char *type, int accepted,
    const char *reason, const struct walk_detail *d)
{
	struct reasons *rs = arg;

	if (accepted || rs->n >= REASONS_MAX)
		return;
	rs->uri[rs->n] = tu_asprintf("%s", uri);
	rs->why[rs->n] = tu_asprintf("%s", reason != NULL ? reason : "");
	rs->n++;
}

/* The reason reported for the rejected object uri, or NULL. */
static const char *
reason_of(const struct reasons *rs, const char *uri)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->uri[i], uri) == 0)
			return rs->why[i];
	return NULL;
}

/* The URI defects.txt of r's generation 1 gives for defect, or NULL. */
static char *
defect_uri(const struct run *r, const char *defect)
{
	char *p = tu_asprintf("%s/gen1/expected/defects.txt", r->out);
	char *buf = (char *)tu_read_file(p, NULL), *line, *save = NULL;
	char *uri = NULL, name[64], u[4096];

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	for (line = strtok_r(buf, "\n", &save); line != NULL && uri == NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%63s %4095s", name, u) == 2 &&
		    strcmp(name, defect) == 0)
			uri = tu_asprintf("%s", u);
	free(buf);
	free(p);
	return uri;
}

/*
 * Objects the parsers reject are reported with the parser's own reason
 * and RFC citation (taken from the log, common/log.h), not a bare
 * "malformed"; with 1 and several threads, since the reason is kept per
 * thread.
 */
static void
test_walk_reasons(void)
{
	static const struct {
		const char	*defect;
		const char	*want;
	} cases[] = {
		{ "bad-signature", "RFC 6488 section 3: signature" },
		{ "roa-prefix-outside-ee", "RFC 9582 section 5: " },
		{ "wrong-econtent-type", "RFC 6488 section 2.1.3.1: "
		    "eContentType" },
	};
	struct walk_config cfg;
	struct walk_result res;
	struct reasons rs;
	struct run r;
	const char *why;
	char *uri;
	unsigned int threads;
	size_t i;

	if (skipped())
		return;
	quiet();
	if (!run_open(&r, "walk-reasons", "--defect bad-signature --defect "
	    "roa-prefix-outside-ee --defect wrong-econtent-type"))
		goto out;
	make_cache(r.cache, r.out, 1);
	for (threads = 1; threads <= WALK_THREADS; threads += WALK_THREADS - 1) {
		memset(&rs, 0, sizeof(rs));
		memset(&cfg, 0, sizeof(cfg));
		cfg.tals = r.tals;
		cfg.ntals = r.ntals;
		cfg.cache_dir = r.cache;
		cfg.now = WALK_NOW;
		cfg.threads = threads;
		cfg.allow_dubious = 1;
		cfg.report = reasons_cb;
		cfg.report_arg = &rs;
		CU_ASSERT_EQUAL_FATAL(walk_run(&cfg, &res), 0);
		CU_ASSERT_EQUAL(res.stats.roas_failed, 3);
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			uri = defect_uri(&r, cases[i].defect);
			CU_ASSERT_PTR_NOT_NULL_FATAL(uri);
			why = reason_of(&rs, uri);
			CU_ASSERT_PTR_NOT_NULL(why);
			if (why != NULL && strstr(why, cases[i].want) == NULL)
				printf("\n    %s: reason \"%s\"\n    ",
				    cases[i].defect, why);
			CU_ASSERT(why != NULL &&
			    strstr(why, cases[i].want) == why);
			free(uri);
		}
		for (i = 0; i < rs.n; i++) {
			CU_ASSERT(strstr(rs.why[i], "see the log") == NULL);
			free(rs.uri[i]);
			free(rs.why[i]);
		}
		walk_result_free(&res);
	}
 out:
	log_init(NULL);
	run_close(&r);
}

REEF_SUITE(integration_walk,
    REEF_TEST(test_walk_clean),
    REEF_TEST(test_walk_ip_inherit),
    REEF_TEST(test_walk_defects),
    REEF_TEST(test_walk_store_fallback),
    REEF_TEST(test_walk_mft_backwards),
    REEF_TEST(test_walk_reasons))
