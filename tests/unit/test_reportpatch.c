/*
 * report.json patched from the previous run's (validator/reportpatch.h)
 * and its index (validator/reportidx.h).
 *
 * Made-up runs: publication points (some nested in another's directory,
 * so that their URI ranges interleave), each with a few entries, and the
 * walk's own entries.  Generation after generation, points change,
 * vanish and appear; each generation's report.json is written by
 * patching the previous one and must have exactly the bytes of a report
 * written in full from all the entries, with the same index.  The index
 * file's reader refuses every malformed variant.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/be32.h"
#include "common/hash.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/output.h"
#include "validator/report.h"
#include "validator/reportidx.h"
#include "validator/reportpatch.h"
#include "validator/walk.h"

#define T_POINTS	300		/* points of the first generation */
#define T_MAX_POINTS	400
#define T_MAX_ENTRIES	12
#define T_GENERATIONS	6

struct t_entry {
	char	uri[96];
	char	type[8];
	int	ok;
	char	why[40];
};

struct t_point {
	unsigned char	md[HASH_SHA256_LEN];
	struct t_entry	e[T_MAX_ENTRIES];
	size_t		n;
	char		dir[64];
};

struct t_run {
	struct t_point	p[T_MAX_POINTS];
	size_t		n;
	size_t		filled;		/* points passed to the report */
	struct report	*r;
};

static uint64_t t_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
t_rand(uint32_t n)
{
	t_state ^= t_state << 13;
	t_state ^= t_state >> 7;
	t_state ^= t_state << 17;
	return (uint32_t)(t_state % n);
}

/* The point's digest: of its entries, as the walk's is. */
static void
t_digest(struct t_point *p)
{
	struct hash_sha256_ctx h;
	size_t i;

	CU_ASSERT_FATAL(hash_sha256_init(&h) == 0);
	(void)hash_sha256_update(&h, p->dir, strlen(p->dir) + 1);
	for (i = 0; i < p->n; i++)
		(void)hash_sha256_update(&h, &p->e[i], sizeof(p->e[i]));
	CU_ASSERT_FATAL(hash_sha256_final(&h, p->md) == 0);
}

static void
t_entry_set(struct t_point *p, size_t i, const char *name, const char *type)
{
	struct t_entry *e = &p->e[i];

	memset(e, 0, sizeof(*e));
	snprintf(e->uri, sizeof(e->uri), "%s%s", p->dir, name);
	snprintf(e->type, sizeof(e->type), "%s", type);
	e->ok = t_rand(8) != 0;
	if (!e->ok)
		snprintf(e->why, sizeof(e->why), "RFC 6488 section 3: bad %u",
		    t_rand(100));
}

/* A point in dir with a few entries. */
static void
t_point_new(struct t_point *p, const char *dir)
{
	static const char *const types[] = { "roa", "cer", "asa", "gbr" };
	char name[32];
	size_t i;

	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	p->n = 3 + t_rand(T_MAX_ENTRIES - 3);
	t_entry_set(p, 0, "ca.crl", "crl");
	t_entry_set(p, 1, "ca.mft", "mft");
	for (i = 2; i < p->n; i++) {
		snprintf(name, sizeof(name), "o%02u.%s", t_rand(60),
		    types[t_rand(4)]);
		t_entry_set(p, i, name, strstr(name, ".") + 1);
	}
	t_digest(p);
}

/* A new point: its own directory, or one below a point's (nested). */
static void
t_point_add(struct t_run *run, unsigned int k)
{
	char dir[64];

	if (run->n > 0 && t_rand(4) == 0)
		snprintf(dir, sizeof(dir), "%sc%u/",
		    run->p[t_rand((uint32_t)run->n)].dir, k);
	else
		snprintf(dir, sizeof(dir), "rsync://h/m/d%05u/", k);
	if (strlen(dir) + 16 < sizeof(run->p[0].e[0].uri))
		t_point_new(&run->p[run->n++], dir);
}

/* An empty run, then n points. */
static void
t_start(struct t_run *run, unsigned int n)
{
	unsigned int i;

	memset(run, 0, sizeof(*run));
	for (i = 0; i < n; i++)
		t_point_add(run, i);
}

static const unsigned char *
t_md(void *arg, size_t i)
{
	struct t_run *run = arg;

	return run->p[i].md;
}

static void
t_pass(struct t_run *run, size_t i)
{
	struct walk_detail d;
	struct t_point *p = &run->p[i];
	size_t k;

	memset(&d, 0, sizeof(d));
	d.ta = "ta0";
	d.point_md = p->md;
	for (k = 0; k < p->n; k++)
		report_cb_point(run->r, p->e[k].uri, p->e[k].type, p->e[k].ok,
		    p->e[k].ok ? NULL : p->e[k].why, &d);
	run->filled++;
}

/* report_points' fill: each point's entries once. */
static int
t_fill(void *arg, const unsigned char *want)
{
	struct t_run *run = arg;
	size_t i;

	for (i = 0; i < run->n; i++)
		if (want[i])
			t_pass(run, i);
	return 0;
}

/* A report with the walk's own entries (points' to be filled). */
static struct report *
t_report(void)
{
	struct report *r = report_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(report_add(r, "/tals/ta0.tal", "tal", 1, NULL), 0);
	CU_ASSERT_EQUAL(report_add(r, "rsync://h/m/ta.cer", "cer", 1, NULL),
	    0);
	/* One inside the points' range: its group is written every time. */
	CU_ASSERT_EQUAL(report_add(r, "rsync://h/m/d00100/zz.cer", "cer", 0,
	    "unreachable"), 0);
	return r;
}

/* The whole of fp's file. */
static unsigned char *
t_slurp(FILE *fp, size_t *len)
{
	unsigned char *b;
	long n;

	CU_ASSERT_FATAL(fflush(fp) == 0 && fseek(fp, 0, SEEK_END) == 0);
	n = ftell(fp);
	CU_ASSERT_FATAL(n >= 0 && (b = malloc((size_t)n + 1)) != NULL);
	rewind(fp);
	CU_ASSERT_FATAL(fread(b, 1, (size_t)n, fp) == (size_t)n);
	*len = (size_t)n;
	return b;
}

/*
 * Write run's report (old: the previous index and file, or none) to a
 * new temporary file with its index; the file in *fp, the index encoded
 * in *idx.  Returns how many points were filled.
 */
static size_t
t_write(struct t_run *run, const struct reportidx *old, FILE *oldfp,
    FILE **fp, unsigned char **idx, size_t *idxlen)
{
	struct report_points pts = { run->n, t_md, t_fill, run };
	unsigned char ctx[HASH_SHA256_LEN];
	struct reportidx ix;
	uint64_t copied;
	size_t len;

	memset(ctx, 7, sizeof(ctx));
	run->r = t_report();
	run->filled = 0;
	reportidx_init(&ix, ctx, ctx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(*fp = tmpfile());
	CU_ASSERT_EQUAL(report_patch_write(run->r, &pts, old,
	    oldfp != NULL ? fileno(oldfp) : -1, *fp, &ix, &copied), 0);
	CU_ASSERT(old != NULL || copied == 0);
	free(t_slurp(*fp, &len));
	CU_ASSERT_EQUAL(reportidx_encode(&ix, len, idx, idxlen), 0);
	reportidx_free(&ix);
	report_free(run->r);
	run->r = NULL;
	return run->filled;
}

/* The report written the plain way, every entry added first. */
static unsigned char *
t_plain(struct t_run *run, size_t *len)
{
	unsigned char *b;
	FILE *fp;
	size_t i;

	run->r = t_report();
	/* In another order than the patch's: the sort decides. */
	for (i = run->n; i-- > 0; )
		t_pass(run, i);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = tmpfile());
	CU_ASSERT_EQUAL(report_write_file(run->r, fp), 0);
	b = t_slurp(fp, len);
	fclose(fp);
	report_free(run->r);
	run->r = NULL;
	return b;
}

/* Non-zero if got (len bytes) is the report of run written in full. */
static int
t_is_plain(struct t_run *run, const unsigned char *got, size_t len)
{
	unsigned char *want;
	size_t wlen;
	int same;

	want = t_plain(run, &wlen);
	same = len == wlen && memcmp(got, want, wlen) == 0;
	free(want);
	return same;
}

/* The next generation: points changed, gone and new. */
static void
t_mutate(struct t_run *run, unsigned int gen)
{
	struct t_point *p;
	size_t i, k;

	for (i = 0; i < run->n; i++) {
		if (t_rand(20) != 0)
			continue;
		p = &run->p[i];
		k = 2 + t_rand((uint32_t)p->n - 2);
		p->e[k].ok = !p->e[k].ok;
		snprintf(p->e[k].why, sizeof(p->e[k].why), "%s",
		    p->e[k].ok ? "" : "changed");
		t_digest(p);
	}
	for (k = 0; k < 3 && run->n > 1; k++) {
		i = t_rand((uint32_t)run->n);
		memmove(&run->p[i], &run->p[i + 1], (run->n - i - 1) *
		    sizeof(run->p[0]));
		run->n--;
	}
	for (k = 0; k < 4 && run->n < T_MAX_POINTS; k++)
		t_point_add(run, 1000 * gen + (unsigned int)k);
	/* An entry with the key of another point's. */
	if (run->n > 2 && run->p[1].n > 2 && run->p[0].n < T_MAX_ENTRIES) {
		p = &run->p[0];
		p->e[p->n] = run->p[1].e[2];
		p->n++;
		t_digest(p);
	}
}

static void
test_reportpatch_generations(void)
{
	static struct t_run run;
	struct reportidx old;
	unsigned char *idx = NULL, *idx2, *got;
	size_t idxlen, idx2len, glen, filled;
	FILE *fp = NULL, *fp2, *prev = NULL;
	unsigned int gen;

	t_start(&run, T_POINTS);
	for (gen = 0; gen <= T_GENERATIONS; gen++) {
		if (gen > 0)
			t_mutate(&run, gen);
		if (prev != NULL) {
			CU_ASSERT_EQUAL_FATAL(reportidx_parse(&old, idx,
			    idxlen), 0);
			idx = NULL;
		}
		filled = t_write(&run, prev != NULL ? &old : NULL, prev, &fp,
		    &idx2, &idx2len);
		got = t_slurp(fp, &glen);
		CU_ASSERT(t_is_plain(&run, got, glen));
		if (prev != NULL) {
			/* Most points were copied, not filled. */
			CU_ASSERT(filled > 0 && filled < run.n / 2);
			reportidx_free(&old);
			fclose(prev);
		} else
			CU_ASSERT_EQUAL(filled, run.n);
		/* The same index as a report written in full. */
		CU_ASSERT_EQUAL(t_write(&run, NULL, NULL, &fp2, &idx, &idxlen),
		    run.n);
		CU_ASSERT(idxlen == idx2len && memcmp(idx, idx2, idxlen) == 0);
		fclose(fp2);
		free(idx2);
		free(got);
		prev = fp;
	}
	fclose(prev);
	free(idx);
}

/* One point reached twice (the same digest): nothing copied, same bytes. */
static void
test_reportpatch_same_digest(void)
{
	static struct t_run run;
	struct reportidx old;
	unsigned char *idx, *idx2, *got;
	size_t idxlen, idx2len, glen;
	FILE *fp, *fp2;

	t_start(&run, 40);
	(void)t_write(&run, NULL, NULL, &fp, &idx, &idxlen);
	run.p[run.n] = run.p[5];
	run.n++;
	CU_ASSERT_EQUAL_FATAL(reportidx_parse(&old, idx, idxlen), 0);
	CU_ASSERT_EQUAL(t_write(&run, &old, fp, &fp2, &idx2, &idx2len),
	    run.n);
	got = t_slurp(fp2, &glen);
	CU_ASSERT(t_is_plain(&run, got, glen));
	reportidx_free(&old);
	free(idx2);
	free(got);
	fclose(fp);
	fclose(fp2);
}

/* A previous file shorter than its index says: an error, not garbage. */
static void
test_reportpatch_short_file(void)
{
	static struct t_run run;
	struct reportidx old;
	unsigned char *idx, *idx2;
	size_t idxlen, idx2len, len;
	struct report_points pts = { 0, t_md, t_fill, &run };
	struct reportidx ix;
	unsigned char ctx[HASH_SHA256_LEN];
	FILE *fp, *fp2;

	t_start(&run, 50);
	(void)t_write(&run, NULL, NULL, &fp, &idx, &idxlen);
	free(t_slurp(fp, &len));
	CU_ASSERT_EQUAL_FATAL(ftruncate(fileno(fp), (off_t)len / 2), 0);
	CU_ASSERT_EQUAL_FATAL(reportidx_parse(&old, idx, idxlen), 0);
	memset(ctx, 7, sizeof(ctx));
	reportidx_init(&ix, ctx, ctx);
	pts.n = run.n;
	run.r = t_report();
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp2 = tmpfile());
	CU_ASSERT_EQUAL(report_patch_write(run.r, &pts, &old, fileno(fp), fp2,
	    &ix, NULL), -1);
	report_free(run.r);
	reportidx_free(&ix);
	reportidx_free(&old);
	fclose(fp2);
	/* Without the old file, the same points give the full report. */
	(void)t_write(&run, NULL, NULL, &fp2, &idx2, &idx2len);
	fclose(fp2);
	free(idx2);
	fclose(fp);
}

/* Re-seal a modified index file with a valid digest. */
static void
t_reseal(unsigned char *b, size_t len)
{
	CU_ASSERT_FATAL(hash_sha256(b, len - HASH_SHA256_LEN,
	    b + len - HASH_SHA256_LEN) == 0);
}

/* Parse a copy of b (len bytes) altered at off by x (resealed or not). */
static int
t_parse_altered(const unsigned char *b, size_t len, size_t off,
    unsigned char x, int reseal)
{
	struct reportidx ix;
	unsigned char *c = malloc(len);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	memcpy(c, b, len);
	c[off] ^= x;
	if (reseal)
		t_reseal(c, len);
	rc = reportidx_parse(&ix, c, len);
	reportidx_free(&ix);
	return rc;
}

static void
test_reportidx_malformed(void)
{
	static struct t_run run;
	struct reportidx ix;
	unsigned char *idx, *c;
	size_t idxlen, groups, ng, i, bad = 0;
	FILE *fp;

	t_start(&run, 20);
	(void)t_write(&run, NULL, NULL, &fp, &idx, &idxlen);
	fclose(fp);
	ng = be32_get(idx + REPORTIDX_HEAD_LEN - 12);
	CU_ASSERT_FATAL(ng > 2);
	groups = REPORTIDX_HEAD_LEN;
	/* Well-formed, then every truncation refused. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(c = malloc(idxlen));
	memcpy(c, idx, idxlen);
	CU_ASSERT_EQUAL(reportidx_parse(&ix, c, idxlen), 0);
	CU_ASSERT_EQUAL(ix.ngroups, ng);
	reportidx_free(&ix);
	for (i = 0; i < idxlen; i += 7) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(c = malloc(idxlen));
		memcpy(c, idx, i);
		bad += reportidx_parse(&ix, c, i) == 0;
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* Any byte changed without a new digest. */
	for (i = 0; i < idxlen; i += 13)
		bad += t_parse_altered(idx, idxlen, i, 0x40, 0) == 0;
	CU_ASSERT_EQUAL(bad, 0);
	/* Resealed: the magic, the counts, a group's fields. */
	CU_ASSERT_EQUAL(t_parse_altered(idx, idxlen, 0, 1, 1), -1);
	CU_ASSERT_EQUAL(t_parse_altered(idx, idxlen, REPORTIDX_HEAD_LEN - 9,
	    1, 1), -1);				/* ngroups */
	CU_ASSERT_EQUAL(t_parse_altered(idx, idxlen, REPORTIDX_HEAD_LEN - 5,
	    1, 1), -1);				/* npoints */
	CU_ASSERT_EQUAL(t_parse_altered(idx, idxlen, REPORTIDX_HEAD_LEN - 1,
	    1, 1), -1);				/* keybytes */
	/* Second group: its offset before the first's end. */
	CU_ASSERT_EQUAL(t_parse_altered(idx, idxlen, groups +
	    REPORTIDX_GROUP_LEN + 7, 0xff, 1), -1);
	/* Its length beyond the file. */
	CU_ASSERT_EQUAL(t_parse_altered(idx, idxlen, groups +
	    REPORTIDX_GROUP_LEN + 8, 0x10, 1), -1);
	/* More accepted than entries; an unknown flag. */
	CU_ASSERT_EQUAL(t_parse_altered(idx, idxlen, groups +
	    REPORTIDX_GROUP_LEN + 20, 0x80, 1), -1);
	CU_ASSERT_EQUAL(t_parse_altered(idx, idxlen, groups +
	    REPORTIDX_GROUP_LEN + 31, 0x04, 1), -1);
	/* Its first key pointing past the keys, or at the first group's. */
	CU_ASSERT_EQUAL(t_parse_altered(idx, idxlen, groups +
	    REPORTIDX_GROUP_LEN + 32, 0x80, 1), -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c = malloc(idxlen));
	memcpy(c, idx, idxlen);
	be32_put(c + groups + REPORTIDX_GROUP_LEN + 32, 0);
	t_reseal(c, idxlen);
	CU_ASSERT_EQUAL(reportidx_parse(&ix, c, idxlen), -1);
	/* The program or context differs: parsed (the caller compares). */
	CU_ASSERT_EQUAL(t_parse_altered(idx, idxlen, REPORTIDX_MAGIC_LEN, 1,
	    1), 0);
	CU_ASSERT_EQUAL(t_parse_altered(idx, idxlen, REPORTIDX_MAGIC_LEN +
	    REPORTIDX_PROGRAM_LEN, 1, 1), 0);
	free(idx);
}

/* output_data's report_inputs: the points' digests, in order. */
static int
t_inputs(void *arg, unsigned char *md)
{
	struct t_run *run = arg;
	struct hash_sha256_ctx h;
	size_t i;

	if (hash_sha256_init(&h) == -1)
		return -1;
	for (i = 0; i < run->n; i++)
		(void)hash_sha256_update(&h, run->p[i].md, HASH_SHA256_LEN);
	return hash_sha256_final(&h, md);
}

/*
 * One run's report.json into dir as reef validate writes it (tas: the TA
 * names); 1 if it holds the bytes of the report written in full.
 * *copied: whether the log says part of it was copied.
 */
static int
t_outdir(struct t_run *run, const char *dir, const char *const *tas,
    int *copied)
{
	struct report_points pts = { run->n, t_md, t_fill, run };
	unsigned char program[OUTPUT_PROGRAM_LEN], *have;
	struct output_data d;
	char *path = tu_asprintf("%s/report.json", dir);
	size_t hlen;
	int same;

	memset(program, 0x5a, sizeof(program));
	memset(&d, 0, sizeof(d));
	d.ta_names = tas;
	d.nta = 1;
	d.program = program;
	d.jobs = 1;
	d.report = run->r = t_report();
	d.report_points = &pts;
	d.report_patch = 1;
	d.report_inputs = t_inputs;
	d.report_fill_arg = run;
	tu_log_capture_begin(LOG_LEVEL_INFO);
	CU_ASSERT_EQUAL(output_write_all(dir, OUTPUT_REPORT, &d), 0);
	*copied = tu_logged("bytes copied from the previous run");
	(void)tu_log_capture_end();
	report_free(run->r);
	run->r = NULL;
	have = tu_read_file(path, &hlen);
	same = have != NULL && t_is_plain(run, have, hlen);
	free(have);
	free(path);
	return same;
}

/*
 * Through the output directory (output.c): the index kept next to
 * report.json, used when it belongs to the file in use and this build
 * and TAs, kept with an unchanged report, ignored when foreign, damaged
 * or describing another file.
 */
static void
test_reportpatch_outdir(void)
{
	static const char *const tas[] = { "ta0" }, *const other[] = { "x" };
	static struct t_run run;
	char *dir = tu_tmpdir("reportpatch"), *p;
	ino_t rep, idx;
	int copied;

	t_start(&run, 80);
	CU_ASSERT(t_outdir(&run, dir, tas, &copied));
	CU_ASSERT(!copied);
	CU_ASSERT_NOT_EQUAL(idx = tu_ino(dir, ".current/" REPORTIDX_FILE), 0);
	/* Changed: patched. */
	t_mutate(&run, 1);
	CU_ASSERT(t_outdir(&run, dir, tas, &copied));
	CU_ASSERT(copied);
	CU_ASSERT_NOT_EQUAL(tu_ino(dir, ".current/" REPORTIDX_FILE), idx);
	/* Unchanged: kept, and its index with it. */
	rep = tu_ino(dir, "report.json");
	idx = tu_ino(dir, ".current/" REPORTIDX_FILE);
	CU_ASSERT(t_outdir(&run, dir, tas, &copied));
	CU_ASSERT_EQUAL(tu_ino(dir, "report.json"), rep);
	CU_ASSERT_EQUAL(tu_ino(dir, ".current/" REPORTIDX_FILE), idx);
	/* Other TA names: the index is not this run's. */
	t_mutate(&run, 2);
	CU_ASSERT(t_outdir(&run, dir, other, &copied));
	CU_ASSERT(!copied);
	CU_ASSERT(t_outdir(&run, dir, other, &copied));
	/* report.json not the size the index says. */
	t_mutate(&run, 3);
	p = tu_asprintf("%s/.current/report.json", dir);
	CU_ASSERT_EQUAL(truncate(p, 100), 0);
	free(p);
	CU_ASSERT(t_outdir(&run, dir, other, &copied));
	CU_ASSERT(!copied);
	/* A damaged index. */
	t_mutate(&run, 4);
	p = tu_asprintf("%s/.current/%s", dir, REPORTIDX_FILE);
	CU_ASSERT_EQUAL(truncate(p, 100), 0);
	free(p);
	CU_ASSERT(t_outdir(&run, dir, other, &copied));
	CU_ASSERT(!copied);
	/* And the next run patches again. */
	t_mutate(&run, 5);
	CU_ASSERT(t_outdir(&run, dir, other, &copied));
	CU_ASSERT(copied);
	tu_rmtree(dir);
	free(dir);
}

REEF_SUITE(reportpatch,
    REEF_TEST(test_reportpatch_generations),
    REEF_TEST(test_reportpatch_same_digest),
    REEF_TEST(test_reportpatch_short_file),
    REEF_TEST(test_reportpatch_outdir),
    REEF_TEST(test_reportidx_malformed))
