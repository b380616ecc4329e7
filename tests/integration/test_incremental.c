/*
 * Integration: incremental validation (validator/ppmemo.h) gives exactly
 * what a full validation gives.
 *
 * Two validators side by side, each with its own cache and validated
 * store: A keeps a memo across runs, B validates everything every time.
 * Both are fed the same cache contents and validation time, step after
 * step: reef-repogen generations, defect variants of the same repository
 * (a change above a CA, a revoked or badly signed object), times that
 * cross validity periods (and go back), a tampered cache file.  After
 * each step the payloads (with expiry and TA), every counter but the
 * reuse count, and every report entry must be identical; the reuse count
 * shows the memo was used where nothing changed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/log.h"
#include "common/prefix.h"
#include "tests/integration/validate_util.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/memo.h"
#include "validator/tal.h"
#include "validator/walk.h"

#define GEN_SEED	11
/* reef-repogen's default base time, 2026-01-01T00:00:00Z. */
#define GEN_BASE	1767225600LL
#define NOW		(GEN_BASE + 2 * 86400)
#define DAY		86400LL

/* What the report callback collected: one line per entry. */
struct lines {
	char	**v;
	size_t	  n, cap;
};

struct side {
	char	*cache;
	char	*store;
	char	*memo;		/* NULL: full validation every run */
};

struct fix {
	char		*tmp;
	char		*base;		/* generated repository */
	struct tal	*tals[MAX_TALS];
	size_t		 ntals;
	struct side	 a, b;
	unsigned char	 tag[MEMO_TAG_LEN];
};

static void
lines_add(struct lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 256 : l->cap * 2;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		CU_ASSERT_PTR_NOT_NULL_FATAL(l->v);
	}
	l->v[l->n++] = s;
}

static void
lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Everything the report says about one object, as one line. */
static void
collect(void *arg, const char *uri, const char *type, int ok,
    const char *why, const struct walk_detail *d)
{
	struct lines *l = arg;
	char pfx[PREFIX_STRLEN], *s, *t;
	size_t i;

	s = tu_asprintf("%s|%s|%d|%s", uri, type, ok, why ? why : "-");
	if (d != NULL) {
		t = tu_asprintf("%s|%s|%s|%s|%d:%lld:%lld|%d:%lld:%lld|%d:%u|"
		    "%d:%u:%zu", s, d->issuer ? d->issuer : "-",
		    d->manifest ? d->manifest : "-", d->ta ? d->ta : "-",
		    d->has_validity, (long long)d->not_before,
		    (long long)d->not_after, d->has_update,
		    (long long)d->this_update, (long long)d->next_update,
		    d->has_asn, d->asn, d->has_customer, d->customer,
		    d->nproviders);
		free(s);
		s = t;
		for (i = 0; i < d->nprefixes; i++) {
			prefix_format(&d->prefixes[i].prefix, pfx, sizeof(pfx));
			t = tu_asprintf("%s|%s-%u", s, pfx,
			    d->prefixes[i].maxlen);
			free(s);
			s = t;
		}
		for (i = 0; i < d->nproviders; i++) {
			t = tu_asprintf("%s|AS%u", s, d->providers[i]);
			free(s);
			s = t;
		}
	}
	lines_add(l, s);
}

/* The payloads with expiry and TA, one per line. */
static void
payload_lines(const struct walk_result *r, struct lines *l)
{
	char pfx[PREFIX_STRLEN], hex[2 * ROUTER_KEY_SKI_LEN + 1], *s, *t;
	const struct vrp *v;
	struct aspa a;
	struct router_key k;
	size_t i, j;

	for (i = 0; (v = vrpset_get(r->vrps, i)) != NULL; i++) {
		prefix_format(&v->prefix, pfx, sizeof(pfx));
		lines_add(l, tu_asprintf("vrp AS%u %s %u %s %lld", v->asn, pfx,
		    v->maxlen, r->ta_names[v->ta], (long long)v->expires));
	}
	for (i = 0; aspaset_get(r->aspas, i, &a); i++) {
		s = tu_asprintf("aspa AS%u %s %lld", a.customer,
		    r->ta_names[a.ta], (long long)a.expires);
		for (j = 0; j < a.nproviders; j++) {
			t = tu_asprintf("%s AS%u", s, a.providers[j]);
			free(s);
			s = t;
		}
		lines_add(l, s);
	}
	for (i = 0; rkset_get(r->rks, i, &k); i++) {
		hash_hex_encode(k.ski, sizeof(k.ski), hex);
		lines_add(l, tu_asprintf("rk AS%u %s %s %lld %zu", k.asn, hex,
		    r->ta_names[k.ta], (long long)k.expires, k.spki_len));
	}
}

/* One run of one side. */
struct outcome {
	struct lines	payloads;
	struct lines	report;
	struct walk_stats stats;
	/* Side A (walk.h report_defer): the digest of the points' entries. */
	unsigned char	entries[HASH_SHA256_LEN];
};

static void
outcome_free(struct outcome *o)
{
	lines_free(&o->payloads);
	lines_free(&o->report);
}

/*
 * How side A keeps the points' entries: every other run lazily (as reef
 * validate does when it patches report.json), or dropped (no
 * report.json: only their digest is kept).
 */
static unsigned int side_runs;
static int side_drop;

static void
run_side(const struct fix *f, const struct side *s, int64_t now, int full,
    struct outcome *o)
{
	struct walk_config cfg;
	struct walk_result res;

	memset(o, 0, sizeof(*o));
	memset(&cfg, 0, sizeof(cfg));
	cfg.tals = (struct tal *const *)f->tals;
	cfg.ntals = f->ntals;
	cfg.cache_dir = s->cache;
	cfg.store_dir = s->store;
	cfg.memo_dir = s->memo;
	cfg.memo_tag = f->tag;
	cfg.memo_full = full;
	cfg.now = now;
	cfg.threads = 2;
	cfg.allow_dubious = 1;
	cfg.report = collect;
	cfg.report_arg = &o->report;
	/* The side with the memo keeps the points' entries apart, as reef
	 * validate does, and passes them on at the end. */
	cfg.report_defer = s->memo != NULL;
	cfg.report_point = collect;
	cfg.report_lazy = cfg.report_defer && (side_runs++ & 1);
	cfg.report_drop = cfg.report_defer && side_drop;
	CU_ASSERT_EQUAL_FATAL(walk_run(&cfg, &res), 0);
	if (cfg.report_defer) {
		CU_ASSERT_EQUAL(walk_result_report_digest(&res, o->entries),
		    0);
		CU_ASSERT_EQUAL(walk_result_report(&res, collect,
		    &o->report), 0);
	}
	payload_lines(&res, &o->payloads);
	o->stats = res.stats;
	walk_result_free(&res);
	qsort(o->report.v, o->report.n, sizeof(char *), str_cmp);
}

/* Print the first difference of two sorted line sets; 1 if equal. */
static int
same_lines(const char *step, const char *what, const struct lines *a,
    const struct lines *b)
{
	size_t i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0) {
			printf("\n    %s: %s differ at %zu:\n      memo: %s\n"
			    "      full: %s\n    ", step, what, i, a->v[i],
			    b->v[i]);
			return 0;
		}
	if (a->n != b->n) {
		printf("\n    %s: %s: %zu with the memo, %zu in full\n    ",
		    step, what, a->n, b->n);
		return 0;
	}
	return 1;
}

/* Put tree (an rsync tree of the generator) in both caches. */
static void
feed(const struct fix *f, const char *tree)
{
	const struct side *s[2] = { &f->a, &f->b };
	size_t i;

	for (i = 0; i < 2; i++)
		CU_ASSERT_EQUAL_FATAL(tu_system("rm -rf '%s/rsync' && mkdir -p "
		    "'%s/rsync' && cp -R '%s' '%s/rsync/localhost'",
		    s[i]->cache, s[i]->cache, tree, s[i]->cache), 0);
}

/*
 * Validate both sides at now and compare; returns how many publication
 * points side A reused (and the number of points in *points), and the
 * digest of A's points' entries in entries (unless NULL).
 */
static size_t
step_digest(const struct fix *f, const char *label, int64_t now,
    size_t *points, unsigned char *entries)
{
	struct outcome a, b;
	struct walk_stats sa, sb;

	run_side(f, &f->a, now, 0, &a);
	run_side(f, &f->b, now, 0, &b);
	CU_ASSERT(same_lines(label, "payloads", &a.payloads, &b.payloads));
	CU_ASSERT(same_lines(label, "report entries", &a.report, &b.report));
	CU_ASSERT_EQUAL(b.stats.pubpoints_reused, 0);
	sa = a.stats;
	sb = b.stats;
	sa.pubpoints_reused = sb.pubpoints_reused = 0;
	CU_ASSERT(memcmp(&sa, &sb, sizeof(sa)) == 0);
	if (points != NULL)
		*points = a.stats.pubpoints;
	if (entries != NULL)
		memcpy(entries, a.entries, sizeof(a.entries));
	printf("\n    %-28s %4zu VRPs, %3zu/%3zu points reused", label,
	    a.payloads.n, a.stats.pubpoints_reused, a.stats.pubpoints);
	outcome_free(&a);
	outcome_free(&b);
	return a.stats.pubpoints_reused;
}

/*
 * Validate both sides at now and compare; returns how many publication
 * points side A reused (and the number of points in *points).
 */
static size_t
step(const struct fix *f, const char *label, int64_t now, size_t *points)
{
	return step_digest(f, label, now, points, NULL);
}

/* Generate base (or a defect variant of it) into dir; 1 if done. */
static int
generate(const char *dir, const char *opts)
{
	char *gen = vu_repogen_path(), *keys = vu_key_cache();
	int st;

	mkdir(keys, 0700);
	st = tu_system("'%s' -o '%s' --seed %d --scale small --generations 2 "
	    "--key-cache '%s' %s >'%s.log' 2>&1", gen, dir, GEN_SEED, keys,
	    opts, dir);
	if (st != 0)
		tu_system("tail -5 '%s.log'", dir);
	CU_ASSERT_EQUAL(st, 0);
	free(gen);
	free(keys);
	return st == 0;
}

static void
side_init(struct side *s, const char *tmp, const char *name, int memo)
{
	s->cache = tu_asprintf("%s/%s/cache", tmp, name);
	s->store = tu_asprintf("%s/%s/store", tmp, name);
	s->memo = memo ? tu_asprintf("%s/%s/memo", tmp, name) : NULL;
	CU_ASSERT_EQUAL_FATAL(tu_system("mkdir -p '%s'", s->cache), 0);
}

static void
side_free(struct side *s)
{
	free(s->cache);
	free(s->store);
	free(s->memo);
}

static int
fix_open(struct fix *f, const char *tag)
{
	struct log_config lc = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };
	char *gen = vu_repogen_path();
	int ok = access(gen, X_OK) == 0;

	free(gen);
	memset(f, 0, sizeof(*f));
	if (getenv("REEF_TESTS_UNIT_ONLY") != NULL &&
	    *getenv("REEF_TESTS_UNIT_ONLY") != '\0') {
		vu_skip("REEF_TESTS_UNIT_ONLY is set");
		return 0;
	}
	if (!ok) {
		printf("\n    SKIPPED: reef-repogen is not built\n    ");
		return 0;
	}
	if (getenv("REEF_TEST_VERBOSE") == NULL)
		log_init(&lc);
	f->tmp = tu_tmpdir(tag);
	f->base = tu_asprintf("%s/base", f->tmp);
	memset(f->tag, 0x5a, sizeof(f->tag));
	side_init(&f->a, f->tmp, "a", 1);
	side_init(&f->b, f->tmp, "b", 0);
	if (!generate(f->base, ""))
		return 0;
	f->ntals = vu_load_tals(f->base, f->tals, MAX_TALS);
	CU_ASSERT(f->ntals > 0);
	return f->ntals > 0;
}

static void
fix_close(struct fix *f)
{
	size_t i;

	for (i = 0; i < f->ntals; i++)
		tal_free(f->tals[i]);
	side_free(&f->a);
	side_free(&f->b);
	if (f->tmp != NULL && getenv("REEF_KEEP_TMP") == NULL)
		tu_rmtree(f->tmp);
	free(f->tmp);
	free(f->base);
}

static char *
tree(const char *dir, int gen)
{
	return tu_asprintf("%s/gen%d/rsync", dir, gen);
}

/*
 * A copy of generation 1 with one leaf publication point (no child CA)
 * taken from generation 2: a change to one point only.
 */
static char *
mixed_tree(const struct fix *f)
{
	char *mix = tu_asprintf("%s/mixed", f->tmp);

	CU_ASSERT_EQUAL_FATAL(tu_system("set -e; cd '%s'; rm -rf '%s'; "
	    "cp -R gen1/rsync '%s'; pick=; for d in $(cd gen1/rsync && "
	    "find . -name '*.mft' -printf '%%h\\n' | sort); do "
	    "if ! ls gen1/rsync/$d/*.cer >/dev/null 2>&1 && "
	    "[ -d gen2/rsync/$d ]; then pick=$d; fi; done; "
	    "[ -n \"$pick\" ]; rm -rf '%s'/$pick; "
	    "cp -R gen2/rsync/$pick '%s'/$pick", f->base, mix, mix, mix,
	    mix), 0);
	return mix;
}

/* Generations, a no-change re-run, time moving both ways. */
/*
 * Side A without report.json (walk.h report_drop), on gen2 in full then
 * reused: the same payloads and counters, the points' entries digested
 * alike but never passed on.
 */
static void
drop_step(struct fix *f, const char *t2, size_t points)
{
	struct outcome kept, dropped;
	size_t i;

	feed(f, t2);
	for (i = 0; i < 2; i++) {
		run_side(f, &f->a, NOW + 3600, i == 0, &kept);
		side_drop = 1;
		run_side(f, &f->a, NOW + 3600, i == 0, &dropped);
		side_drop = 0;
		CU_ASSERT(same_lines("report_drop", "payloads",
		    &dropped.payloads, &kept.payloads));
		CU_ASSERT_EQUAL(memcmp(dropped.entries, kept.entries,
		    sizeof(kept.entries)), 0);
		CU_ASSERT(dropped.report.n < kept.report.n);
		CU_ASSERT_EQUAL(dropped.stats.pubpoints_reused,
		    i == 0 ? 0 : points);
		outcome_free(&kept);
		outcome_free(&dropped);
	}
}

static void
test_incremental_generations(void)
{
	struct fix f;
	size_t points, reused;
	char *t1, *t2, *mix;

	if (!fix_open(&f, "incr-gen"))
		goto out;
	t1 = tree(f.base, 1);
	t2 = tree(f.base, 2);
	mix = mixed_tree(&f);
	feed(&f, t1);
	CU_ASSERT_EQUAL(step(&f, "gen1, cold memo", NOW, &points), 0);
	CU_ASSERT(points > 10);
	CU_ASSERT_EQUAL(step(&f, "gen1 again", NOW, NULL), points);
	CU_ASSERT_EQUAL(step(&f, "gen1, one hour later", NOW + 3600, NULL),
	    points);
	feed(&f, mix);
	reused = step(&f, "gen1 with one point of gen2", NOW + 3600, NULL);
	CU_ASSERT(reused + 1 == points);
	feed(&f, t2);
	(void)step(&f, "gen2", NOW + 3600, &points);
	CU_ASSERT_EQUAL(step(&f, "gen2 again", NOW + 3600, NULL), points);
	/*
	 * Across expiry (the generator's manifests live 5 years, its
	 * certificates 10), then back in time.
	 */
	CU_ASSERT_EQUAL(step(&f, "gen2, 4 years later", NOW + 4 * 365 * DAY,
	    NULL), points);
	(void)step(&f, "gen2, 6 years later", NOW + 6 * 365 * DAY, NULL);
	(void)step(&f, "gen2, 11 years later", NOW + 11 * 365 * DAY, NULL);
	(void)step(&f, "gen2, back to now", NOW + 3600, NULL);
	CU_ASSERT_EQUAL(step(&f, "gen2, now again", NOW + 3600, NULL),
	    points);
	feed(&f, t1);	/* replay of an older generation */
	(void)step(&f, "gen1 replayed", NOW + 7200, NULL);
	(void)step(&f, "gen1 replayed again", NOW + 7200, NULL);
	drop_step(&f, t2, points);
	free(t1);
	free(t2);
	free(mix);
 out:
	fix_close(&f);
}

/* Defect variants of the same repository, in and out, as generations. */
static void
test_incremental_defects(void)
{
	static const char *const defects[] = {
		"ca-overclaim", "revoked-ee", "bad-signature", "expired-cert",
		"stale-crl", "manifest-hash-mismatch", "ee-resources-outside-issuer",
	};
	struct fix f;
	char *dir, *opt, *t, *t1, label[64];
	size_t i;

	if (!fix_open(&f, "incr-defects"))
		goto out;
	t1 = tree(f.base, 1);
	feed(&f, t1);
	(void)step(&f, "base", NOW, NULL);
	for (i = 0; i < sizeof(defects) / sizeof(defects[0]); i++) {
		dir = tu_asprintf("%s/%s", f.tmp, defects[i]);
		opt = tu_asprintf("--defect %s", defects[i]);
		if (generate(dir, opt)) {
			t = tree(dir, 1);
			feed(&f, t);
			snprintf(label, sizeof(label), "%s", defects[i]);
			(void)step(&f, label, NOW, NULL);
			feed(&f, t1);
			snprintf(label, sizeof(label), "base after %s",
			    defects[i]);
			(void)step(&f, label, NOW, NULL);
			free(t);
		}
		free(opt);
		free(dir);
	}
	free(t1);
 out:
	fix_close(&f);
}

/*
 * Replace the first .EXT file under dir by a copy with one byte in the
 * middle changed, as a writer of the cache would (a new file renamed
 * over the old one; nothing in the cache is rewritten in place).
 */
static void
tamper_one(const char *cache, const char *ext)
{
	CU_ASSERT_EQUAL(tu_system("f=$(find '%s/rsync' -name '*.%s' | sort | "
	    "head -1) && cp -p \"$f\" \"$f.x\" && printf 'X' | "
	    "dd of=\"$f.x\" bs=1 seek=100 conv=notrunc 2>/dev/null && "
	    "mv \"$f.x\" \"$f\"", cache, ext), 0);
}

/* Replace the first .EXT file by a copy: a new inode, the same bytes. */
static void
copy_one(const char *cache, const char *ext)
{
	CU_ASSERT_EQUAL(tu_system("f=$(find '%s/rsync' -name '*.%s' | sort | "
	    "head -1) && cp -p \"$f\" \"$f.x\" && mv \"$f.x\" \"$f\"",
	    cache, ext), 0);
}

/* A digest of the names and inode numbers of the records in dir. */
static unsigned long long
record_inodes(const char *dir)
{
	struct dirent *de;
	unsigned long long sum = 0;
	DIR *d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			sum = sum * 1000003ULL + (unsigned long long)de->d_ino +
			    (unsigned char)de->d_name[0];
	closedir(d);
	return sum;
}

/* A cache file changed behind the memo's back, a corrupt record, --full. */
static void
test_incremental_tamper(void)
{
	struct fix f;
	struct outcome o;
	unsigned long long inodes;
	unsigned char kept[HASH_SHA256_LEN], passed[HASH_SHA256_LEN];
	size_t points;
	char *t1;

	if (!fix_open(&f, "incr-tamper"))
		goto out;
	t1 = tree(f.base, 1);
	feed(&f, t1);
	/*
	 * Directories that changed a while ago: the records keep their
	 * identities (ppmemo.c, DIR_RACY_SECONDS), so what follows shows
	 * that a changed directory is noticed.
	 */
	sleep(3);
	(void)step(&f, "gen1, cold memo", NOW, &points);
	tamper_one(f.a.cache, "roa");
	tamper_one(f.b.cache, "roa");
	CU_ASSERT_EQUAL(step(&f, "one ROA tampered", NOW, NULL), points - 1);
	feed(&f, t1);
	(void)step(&f, "tampered ROA restored", NOW, NULL);
	CU_ASSERT_EQUAL(step(&f, "gen1 again", NOW, NULL), points);
	/* A file that is not the one read before is hashed again: same
	 * bytes, so still reused. */
	copy_one(f.a.cache, "roa");
	copy_one(f.b.cache, "roa");
	CU_ASSERT_EQUAL(step(&f, "one ROA copied", NOW, NULL), points);
	/* The same for a manifest, which is checked by identity too: its
	 * point falls back to the stored copy, the points below are kept. */
	tamper_one(f.a.cache, "mft");
	tamper_one(f.b.cache, "mft");
	CU_ASSERT_EQUAL(step(&f, "one manifest tampered", NOW, NULL),
	    points - 1);
	feed(&f, t1);
	(void)step(&f, "tampered manifest restored", NOW, NULL);
	copy_one(f.a.cache, "mft");
	copy_one(f.b.cache, "mft");
	CU_ASSERT_EQUAL(step(&f, "one manifest copied", NOW, NULL), points);
	/* Every record truncated: all validated in full again, same result. */
	CU_ASSERT_EQUAL(tu_system("for r in '%s'/*; do truncate -s 100 "
	    "\"$r\"; done", f.a.memo), 0);
	CU_ASSERT_EQUAL(step(&f, "records truncated", NOW, NULL), 0);
	CU_ASSERT_EQUAL(step_digest(&f, "records rewritten", NOW, NULL,
	    kept), points);
	/* Another tag (another build): nothing reused, every point's
	 * entries passed on during the walk, the same digest. */
	memset(f.tag, 0xa5, sizeof(f.tag));
	CU_ASSERT_EQUAL(step_digest(&f, "another program", NOW, NULL,
	    passed), 0);
	CU_ASSERT_EQUAL(memcmp(kept, passed, sizeof(kept)), 0);
	/* --full: validates everything, rewrites the records. */
	run_side(&f, &f.a, NOW, 1, &o);
	CU_ASSERT_EQUAL(o.stats.pubpoints_reused, 0);
	outcome_free(&o);
	/* Another --full later finds the same records: none is rewritten. */
	inodes = record_inodes(f.a.memo);
	run_side(&f, &f.a, NOW + 60, 1, &o);
	CU_ASSERT_EQUAL(o.stats.pubpoints_reused, 0);
	outcome_free(&o);
	CU_ASSERT_EQUAL(record_inodes(f.a.memo), inodes);
	CU_ASSERT_EQUAL(step(&f, "after --full", NOW, NULL), points);
	free(t1);
 out:
	fix_close(&f);
}

REEF_SUITE(integration_incremental,
    REEF_TEST(test_incremental_generations),
    REEF_TEST(test_incremental_defects),
    REEF_TEST(test_incremental_tamper))
