/*
 * Tests for validator/outkeep.c: output files whose inputs did not change
 * are kept from the run in use (hard links) instead of written again,
 * and report_digest(), the report's inputs.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/vrpset.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/outkeep.h"
#include "validator/output.h"
#include "validator/report.h"
#include "validator/walk.h"

#define T0	1700000000LL

static const char *const ta_names[] = { "apnic", "ripe" };
static const char *const ta_renamed[] = { "afrinic", "ripe" };

struct kfix {
	struct vrpset	*vrps;
	struct report	*report;
	unsigned char	 program[OUTPUT_PROGRAM_LEN];
	struct output_data d;
	char		*dir;
};

static void
add_vrp(struct vrpset *s, const char *pfx, uint32_t asn, int64_t expires)
{
	struct vrp v;

	memset(&v, 0, sizeof(v));
	CU_ASSERT_EQUAL_FATAL(prefix_parse(pfx, &v.prefix), 0);
	v.maxlen = v.prefix.len;
	v.asn = asn;
	v.expires = expires;
	CU_ASSERT_EQUAL_FATAL(vrpset_add(s, &v), 0);
}

/* A set of n VRPs, the last one's ASN last_asn. */
static struct vrpset *
make_vrps(int n, uint32_t last_asn)
{
	struct vrpset *s = vrpset_new();
	char pfx[32];
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (i = 0; i < n; i++) {
		snprintf(pfx, sizeof(pfx), "10.%d.%d.0/24", i / 256, i % 256);
		add_vrp(s, pfx, i + 1 == n ? last_asn : 64496 + (uint32_t)i,
		    T0 + i);
	}
	CU_ASSERT_EQUAL_FATAL(vrpset_freeze(s), PAYLOAD_OK);
	return s;
}

static struct report *
make_report(const char *reason)
{
	struct report *r = report_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(report_add(r, "rsync://a/b/c.roa", "roa", 1, NULL), 0);
	CU_ASSERT_EQUAL(report_add(r, "rsync://a/b/d.roa", "roa", 0, reason),
	    0);
	return r;
}

static void
kfix_init(struct kfix *f)
{
	memset(f, 0, sizeof(*f));
	memset(f->program, 0x5a, sizeof(f->program));
	f->vrps = make_vrps(300, 65000);
	f->report = make_report("RFC 6488 section 3: bad");
	f->d.vrps = f->vrps;
	f->d.ta_names = ta_names;
	f->d.nta = 2;
	f->d.buildtime = T0;
	f->d.report = f->report;
	f->d.program = f->program;
	f->d.jobs = 2;
	f->dir = tu_tmpdir("outkeep");
}

static void
kfix_free(struct kfix *f)
{
	vrpset_free(f->vrps);
	report_free(f->report);
	tu_rmtree(f->dir);
	free(f->dir);
}

/* Whether OUTDIR/name holds what writer w writes from d now. */
static int
holds(const char *dir, const char *name,
    int (*w)(FILE *, const struct output_data *), const struct output_data *d)
{
	char *path = tu_asprintf("%s/%s", dir, name), *want = NULL;
	unsigned char *have;
	size_t wlen = 0, hlen = 0;
	FILE *fp = open_memstream(&want, &wlen);
	int same;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_EQUAL(w(fp, d), 0);
	fclose(fp);
	have = tu_read_file(path, &hlen);
	same = have != NULL && hlen == wlen && memcmp(have, want, wlen) == 0;
	free(have);
	free(want);
	free(path);
	return same;
}

static int
write_all(struct kfix *f)
{
	return output_write_all(f->dir, OUTPUT_CSV | OUTPUT_JSON |
	    OUTPUT_HANDOFF | OUTPUT_REPORT, &f->d);
}

static void
test_outkeep_unchanged(void)
{
	struct kfix f;
	ino_t csv, rep, json;
	char *inputs;
	unsigned char *text;

	kfix_init(&f);
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	csv = tu_ino(f.dir, "vrps.csv");
	rep = tu_ino(f.dir, "report.json");
	json = tu_ino(f.dir, "vrps.json");
	inputs = tu_asprintf("%s/.current/%s", f.dir, OUTKEEP_FILE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text = tu_read_file(inputs, NULL));
	/* Lines come in the order the writers finish. */
	CU_ASSERT(strncmp((char *)text, "vrps.csv ", 9) == 0 ||
	    strncmp((char *)text, "report.json ", 12) == 0 ||
	    strncmp((char *)text, "vrps.json ", 10) == 0 ||
	    strncmp((char *)text, "reef.handoff ", 13) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)text, "vrps.csv "));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)text, "report.json "));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)text, "vrps.json "));
	free(text);

	/* Same data, a later run: kept; the JSON (it has the time) is not. */
	f.d.buildtime = T0 + 600;
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);
	CU_ASSERT_EQUAL(tu_ino(f.dir, "report.json"), rep);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "vrps.json"), json);
	CU_ASSERT(holds(f.dir, "vrps.csv", output_csv, &f.d));
	CU_ASSERT(holds(f.dir, "report.json", output_report, &f.d));
	CU_ASSERT(holds(f.dir, "vrps.json", output_json, &f.d));
	/* Still recorded, so a third run keeps them too. */
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);
	CU_ASSERT_EQUAL(tu_ino(f.dir, "report.json"), rep);
	free(inputs);
	kfix_free(&f);
}

static void
test_outkeep_changed(void)
{
	struct kfix f;
	struct vrpset *other;
	struct report *r2;
	ino_t csv, rep;

	kfix_init(&f);
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	csv = tu_ino(f.dir, "vrps.csv");
	rep = tu_ino(f.dir, "report.json");

	/* One VRP's ASN differs: the CSV is written, the report kept. */
	other = make_vrps(300, 65001);
	f.d.vrps = other;
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);
	CU_ASSERT_EQUAL(tu_ino(f.dir, "report.json"), rep);
	CU_ASSERT(holds(f.dir, "vrps.csv", output_csv, &f.d));
	csv = tu_ino(f.dir, "vrps.csv");

	/* One reason differs: the report is written. */
	r2 = make_report("RFC 6488 section 3: worse");
	f.d.report = r2;
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "report.json"), rep);
	CU_ASSERT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);
	CU_ASSERT(holds(f.dir, "report.json", output_report, &f.d));
	rep = tu_ino(f.dir, "report.json");

	/* A TA renamed changes what the CSV prints. */
	f.d.ta_names = ta_renamed;
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);
	CU_ASSERT(holds(f.dir, "vrps.csv", output_csv, &f.d));
	csv = tu_ino(f.dir, "vrps.csv");

	/* Another build: everything written. */
	f.program[0] ^= 1;
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "report.json"), rep);
	csv = tu_ino(f.dir, "vrps.csv");

	/* No build identity: written, and nothing recorded for the next. */
	f.d.program = NULL;
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);
	csv = tu_ino(f.dir, "vrps.csv");
	f.d.program = f.program;
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);

	vrpset_free(other);
	report_free(r2);
	kfix_free(&f);
}

/* The body offset .inputs records for name, 0 if none. */
static unsigned long long
body_of(const char *dir, const char *name)
{
	char *p = tu_asprintf("%s/.current/%s", dir, OUTKEEP_FILE), *text, *l;
	unsigned long long size, body = 0;
	char hex[65];

	text = (char *)tu_read_file(p, NULL);
	free(p);
	if (text == NULL)
		return 0;
	for (l = text; l != NULL && *l != '\0'; l = strchr(l, '\n'),
	    l = l != NULL ? l + 1 : NULL)
		if (strncmp(l, name, strlen(name)) == 0 &&
		    l[strlen(name)] == ' ' && sscanf(l + strlen(name) + 1,
		    "%64s %llu %llu", hex, &size, &body) != 3)
			body = 0;
	free(text);
	return body;
}

/*
 * vrps.json: its head (the metadata, with the time) written every run,
 * the rest copied from the run in use while the sets are the same.
 */
static void
test_outkeep_body(void)
{
	struct kfix f;
	struct vrpset *other;
	unsigned long long body;
	char *p;

	kfix_init(&f);
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT((body = body_of(f.dir, "vrps.json")) > 0);
	CU_ASSERT_EQUAL(body_of(f.dir, "reef.handoff"), 36);
	/* A later run, another host name (a head of another length). */
	f.d.buildtime = T0 + 600;
	f.d.hostname = "a-much-longer-host-name.example";
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT(holds(f.dir, "vrps.json", output_json, &f.d));
	CU_ASSERT(holds(f.dir, "reef.handoff", output_handoff, &f.d));
	CU_ASSERT(body_of(f.dir, "vrps.json") > body);
	/* And again, from a file whose body was itself copied. */
	f.d.buildtime = T0 + 1200;
	f.d.elapsed = 12345;
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT(holds(f.dir, "vrps.json", output_json, &f.d));
	CU_ASSERT(holds(f.dir, "reef.handoff", output_handoff, &f.d));
	/* Other VRPs: written in full. */
	other = make_vrps(299, 65001);
	f.d.vrps = other;
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT(holds(f.dir, "vrps.json", output_json, &f.d));
	CU_ASSERT(holds(f.dir, "reef.handoff", output_handoff, &f.d));
	/* The file in use shorter than recorded: written in full. */
	p = tu_asprintf("%s/.current/vrps.json", f.dir);
	CU_ASSERT_EQUAL(truncate(p, 100), 0);
	f.d.buildtime = T0 + 1800;
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT(holds(f.dir, "vrps.json", output_json, &f.d));
	CU_ASSERT(holds(f.dir, "reef.handoff", output_handoff, &f.d));
	/* Another build: written in full. */
	f.program[0] ^= 1;
	f.d.buildtime = T0 + 2400;
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT(holds(f.dir, "vrps.json", output_json, &f.d));
	CU_ASSERT(holds(f.dir, "reef.handoff", output_handoff, &f.d));
	free(p);
	vrpset_free(other);
	kfix_free(&f);
}

/* Replace OUTDIR/.current/.inputs by text. */
static void
set_inputs(const char *dir, const char *text)
{
	char *p = tu_asprintf("%s/.current/%s", dir, OUTKEEP_FILE);

	CU_ASSERT_EQUAL(unlink(p), 0);
	CU_ASSERT_EQUAL(tu_write_file(p, text, strlen(text)), 0);
	free(p);
}

/*
 * Write the outputs, then leave in .inputs (at inputs) the CSV's line
 * and a vrps.json line ending in tail; the next run keeps vrps.csv if
 * and only if kept.
 */
static void
csv_next_to_json_line(struct kfix *f, const char *inputs, const char *tail,
    int kept)
{
	char *all, *good, *line;
	ino_t csv;

	CU_ASSERT_EQUAL_FATAL(write_all(f), 0);
	all = (char *)tu_read_file(inputs, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(all);
	good = strstr(all, "vrps.csv ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(good);
	*strchr(good, '\n') = '\0';
	line = tu_asprintf("%s\nvrps.json %064d%s\n", good, 0, tail);
	set_inputs(f->dir, line);
	csv = tu_ino(f->dir, "vrps.csv");
	CU_ASSERT_EQUAL_FATAL(write_all(f), 0);
	CU_ASSERT_EQUAL(tu_ino(f->dir, "vrps.csv") == csv, kept);
	free(line);
	free(all);
}

static void
test_outkeep_damaged(void)
{
	struct kfix f;
	char *p, *text, *lf;
	ino_t csv, rep;
	size_t len;

	kfix_init(&f);
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	p = tu_asprintf("%s/.current/%s", f.dir, OUTKEEP_FILE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text = (char *)tu_read_file(p, &len));

	/* The last line cut short: the whole file is refused. */
	csv = tu_ino(f.dir, "vrps.csv");
	rep = tu_ino(f.dir, "report.json");
	text[len - 2] = '\0';
	set_inputs(f.dir, text);
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "report.json"), rep);
	CU_ASSERT(holds(f.dir, "vrps.csv", output_csv, &f.d));
	free(text);

	/* The file written then is whole again: the next run keeps both. */
	csv = tu_ino(f.dir, "vrps.csv");
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);

	/* A digest with a digit that is not hex, a size with a leading
	 * zero, a name with a slash: each refused. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(text = (char *)tu_read_file(p, &len));
	CU_ASSERT_PTR_NOT_NULL_FATAL(lf = strchr(text, ' '));
	lf[1] = 'g';
	set_inputs(f.dir, text);
	csv = tu_ino(f.dir, "vrps.csv");
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);
	free(text);
	set_inputs(f.dir, "vrps.csv 00000000000000000000000000000000000000"
	    "00000000000000000000000000 01\n");
	csv = tu_ino(f.dir, "vrps.csv");
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);
	set_inputs(f.dir, "../vrps.csv 0000000000000000000000000000000000000"
	    "000000000000000000000000000 1\n");
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	/*
	 * Next to the CSV's good line, a body offset past the end, of 0,
	 * with a leading zero, or a fifth field: the file is refused.  With
	 * a good body offset, the CSV is kept.
	 */
	{
		static const char *const bad[] = { " 10 11", " 10 0",
		    " 10 05", " 10 5 1", " 10 5 " };
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			csv_next_to_json_line(&f, p, bad[i], 0);
		csv_next_to_json_line(&f, p, " 10 5", 1);
	}

	/* The file in use no longer has the size recorded: written. */
	csv = tu_ino(f.dir, "vrps.csv");
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);
	free(p);
	p = tu_asprintf("%s/.current/vrps.csv", f.dir);
	CU_ASSERT_EQUAL(truncate(p, 10), 0);
	CU_ASSERT_EQUAL_FATAL(write_all(&f), 0);
	CU_ASSERT_NOT_EQUAL(tu_ino(f.dir, "vrps.csv"), csv);
	CU_ASSERT(holds(f.dir, "vrps.csv", output_csv, &f.d));
	free(p);
	kfix_free(&f);
}

static void
add_detail(struct report *r, const char *uri, uint32_t asn)
{
	struct walk_detail d;
	struct roa_ip ip;

	memset(&d, 0, sizeof(d));
	memset(&ip, 0, sizeof(ip));
	CU_ASSERT_EQUAL_FATAL(prefix_parse("192.0.2.0/24", &ip.prefix), 0);
	ip.maxlen = 24;
	d.issuer = "rsync://a/ca.cer";
	d.has_validity = 1;
	d.not_before = T0;
	d.not_after = T0 + 86400;
	d.has_asn = 1;
	d.asn = asn;
	d.prefixes = &ip;
	d.nprefixes = 1;
	CU_ASSERT_EQUAL(report_add_detail(r, uri, "roa", 1, NULL, &d), 0);
}

static void
test_outkeep_report_digest(void)
{
	unsigned char tag[OUTPUT_PROGRAM_LEN], a[HASH_SHA256_LEN],
	    b[HASH_SHA256_LEN], c[HASH_SHA256_LEN];
	struct report *r1 = report_new(), *r2 = report_new(),
	    *r3 = report_new();

	memset(tag, 1, sizeof(tag));
	/* The same entries added in another order: the same digest. */
	add_detail(r1, "rsync://a/b/x.roa", 64496);
	add_detail(r1, "rsync://a/b/y.roa", 64497);
	add_detail(r2, "rsync://a/b/y.roa", 64497);
	add_detail(r2, "rsync://a/b/x.roa", 64496);
	/* One ASN differs. */
	add_detail(r3, "rsync://a/b/x.roa", 64496);
	add_detail(r3, "rsync://a/b/y.roa", 64498);
	CU_ASSERT_EQUAL(report_digest(r1, tag, sizeof(tag), a), 0);
	CU_ASSERT_EQUAL(report_digest(r2, tag, sizeof(tag), b), 0);
	CU_ASSERT_EQUAL(report_digest(r3, tag, sizeof(tag), c), 0);
	CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, c, sizeof(a)), 0);
	/* Another tag, or no report at all. */
	tag[0] = 2;
	CU_ASSERT_EQUAL(report_digest(r1, tag, sizeof(tag), b), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	CU_ASSERT_EQUAL(report_digest(NULL, tag, sizeof(tag), c), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(b, c, sizeof(b)), 0);
	report_free(r1);
	report_free(r2);
	report_free(r3);
}

REEF_SUITE(outkeep,
    REEF_TEST(test_outkeep_unchanged),
    REEF_TEST(test_outkeep_changed),
    REEF_TEST(test_outkeep_body),
    REEF_TEST(test_outkeep_damaged),
    REEF_TEST(test_outkeep_report_digest))
