/*
 * Integration: the real `reef validate` binary against reef-repogen
 * repositories served over RRDP and rsync by tests/tools/serve.sh.
 *
 * One server pair runs for the whole suite.  It starts on an empty tree so
 * that its ports are known before the generator writes them into every
 * URI; each test then points it ("serve.sh switch") at the generation or
 * the crafted variant it needs, and runs reef with a cache and an output
 * directory of its own.  Every output (vrps.csv, vrps.json, reef.handoff)
 * is read back and compared with the generator's expected CSV files.
 *
 * The tests run in order; the last two stop the servers (a repository
 * server that vanished, then rpki-client through peers.sh, which serves
 * the same repository itself on the same ports).  When rsync, nginx or the
 * built programs are missing, or REEF_TESTS_UNIT_ONLY is set, each test
 * prints SKIPPED and passes, as CUnit has no skipped state.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/b64.h"
#include "common/handoff.h"
#include "common/hash.h"
#include "common/jsonread.h"
#include "common/prefix.h"
#include "tests/integration/validate_util.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* Wall-clock cap of one reef run (the shell's timeout(1)), in seconds. */
#define RUN_TIMEOUT		60
/* reef's own fetch deadline, below RUN_TIMEOUT. */
#define FETCH_TIMEOUT		30
/* Generator seed: any fixed value keeps the runs reproducible. */
#define GEN_SEED		2207
/* Default generator base time (reef-repogen(1) --time). */
#define GEN_BASE		1767225600LL
#define YEAR_SECONDS		(365LL * 86400)
/*
 * Six years on, manifests and CRLs (nextUpdate base + 5 years, their EE
 * certificates no longer) are stale but the TA certificates (10 years) are
 * still valid; 2100 is past every expiry.
 */
#define AT_STALE		(GEN_BASE + 6 * YEAR_SECONDS)
#define AT_EXPIRED		4102444800LL
#define EX_SKIP			77
#define SKIP_TAG		"SKIP: "
/* JSON reader limits: the outputs nest 4 deep and hold short strings. */
#define JSON_DEPTH		8
#define JSON_STRING_MAX		8192
/* Members of one object in an output array (report.json has 16). */
#define JOBJ_MAX		24
#define UNPRIV_UID		"65534"

/* Exit statuses of reef validate (reef(8)). */
#define REEF_OK			0
#define REEF_FAIL		1
#define REEF_PARTIAL		2	/* some repositories not fetched */

/* Every file -f all writes, so nothing else may appear in OUTDIR. */
static const char *const out_files[] = {
	"vrps.csv", "vrps.json", "openbgpd", "bird", "bird1v4", "bird1v6",
	"reef.handoff", "report.json", "metrics"
};
#define NOUT_FILES	(sizeof(out_files) / sizeof(out_files[0]))

/* The defects of reef-repogen(1), one repository each. */
static const char *const defects[] = {
	"expired-cert", "not-yet-valid-cert", "bad-signature",
	"ee-resources-outside-issuer", "ca-overclaim", "roa-prefix-outside-ee",
	"manifest-hash-mismatch", "file-missing-from-manifest",
	"file-not-on-manifest", "stale-manifest", "stale-crl", "revoked-ee",
	"wrong-econtent-type", "truncated-der", "trailing-garbage",
	"ber-not-der", "manifest-number-backwards", "signed-attrs-unsorted",
	"signed-attrs-indefinite", "econtent-absent",
};
#define NDEFECTS	(sizeof(defects) / sizeof(defects[0]))
/* The one defect that only shows in generation 2. */
#define GEN2_DEFECT	"manifest-number-backwards"

static struct {
	struct vu_fix	 vu;		/* servers, scratch, clean repository */
	int		 reef_ok;	/* test 1 matched both generations */
} fx;

/* One object of an array in a JSON output: member names and values. */
struct jobj {
	char	*key[JOBJ_MAX];
	char	*val[JOBJ_MAX];
	size_t	 n;
};

/* Stop the servers (at most once); serve.sh must stop cleanly. */
static void
stop_servers(void)
{
	if (fx.vu.serving)
		CU_ASSERT_EQUAL(vu_stop(&fx.vu), 0);
}

static int
cleanup(void)
{
	stop_servers();
	vu_finish(&fx.vu);
	fx.reef_ok = 0;
	return 0;
}

/* The path fx.vu.dir/<tag><name>; malloc'd. */
static char *
scratch(const char *tag, const char *name)
{
	return tu_asprintf("%s/%s%s", fx.vu.dir, tag, name);
}

/*
 * Run reef validate with the TALs of repo, the cache and outdir and any
 * further options; its output goes to a new log named in *logp (malloc'd,
 * may be NULL).  Returns the exit status, -1 if it did not exit.
 */
static int
reef_run(const char *repo, const char *cache, const char *out,
    char **logp, const char *fmt, ...)
{
	char *reef = vu_reef_path(), *extra, *log;
	va_list ap;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&extra, fmt, ap) == -1)
		abort();
	va_end(ap);
	log = vu_run_log(&fx.vu);
	st = tu_system("timeout %d '%s' validate -v -t '%s/tals' -d '%s' "
	    "-o '%s' --allow-dubious-hosts %s %s >'%s' 2>&1", RUN_TIMEOUT,
	    reef, repo, cache, out, vu_user_opt(), extra, log);
	vu_check_sanitizer(log);
	if (logp != NULL)
		*logp = log;
	else
		free(log);
	free(extra);
	free(reef);
	return st;
}

/* reef validate over the network; as reef_run(). */
static int
reef_fetch(const char *repo, const char *cache, const char *out,
    char **logp, const char *formats)
{
	return reef_run(repo, cache, out, logp, "--ca-file '%s' --timeout %d "
	    "-f %s", fx.vu.ca_file, FETCH_TIMEOUT, formats);
}

/*
 * Only output files, the .current link and the run directory it names
 * (reef-formats(5), "Output directory"), and no temporaries, in out.
 */
static int
outdir_clean(const char *out)
{
	char run[64], *link = tu_asprintf("%s/.current", out);
	ssize_t n = readlink(link, run, sizeof(run) - 1);
	struct dirent *de;
	size_t i;
	DIR *d;
	int ok = 1;

	free(link);
	run[n > 0 ? n : 0] = '\0';
	if ((d = opendir(out)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, ".current") == 0 ||
		    (n > 0 && strcmp(de->d_name, run) == 0))
			continue;
		for (i = 0; i < NOUT_FILES; i++)
			if (strcmp(de->d_name, out_files[i]) == 0)
				break;
		if (i == NOUT_FILES) {
			printf("\n    stray file %s/%s\n    ", out, de->d_name);
			ok = 0;
		}
	}
	closedir(d);
	return ok;
}

/*
 * Read the objects of the top-level array member of a JSON file into
 * lines, each formatted by fmt from its members.  Returns the number of
 * objects, or -1 on a parse error.
 */
typedef char	*(*jobj_fmt)(const struct jobj *);

static const char *
jobj_get(const struct jobj *o, const char *key)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->key[i], key) == 0)
			return o->val[i];
	return "(missing)";
}

static void
jobj_free(struct jobj *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->key[i]);
		free(o->val[i]);
	}
	o->n = 0;
}

/* A scalar token's text; NULL for a container. */
static char *
json_scalar(struct jsonread *jr, enum jr_token t)
{
	const struct jr_number *num;

	switch (t) {
	case JR_STRING:
		return tu_asprintf("%s", jr_string(jr, NULL));
	case JR_NUMBER:
		num = jr_number(jr);
		return tu_asprintf("%.*s", (int)num->len, num->text);
	case JR_TRUE:
		return tu_asprintf("true");
	case JR_FALSE:
		return tu_asprintf("false");
	case JR_NULL:
		return tu_asprintf("null");
	default:
		return NULL;
	}
}

/* An array of scalars as their texts joined by spaces; NULL on error. */
static char *
json_flat_array(struct jsonread *jr)
{
	enum jr_token t;
	char *s = tu_asprintf("%s", ""), *v, *ns;

	while ((t = jr_next(jr)) != JR_ARRAY_END) {
		if ((v = json_scalar(jr, t)) == NULL) {
			free(s);
			return NULL;
		}
		ns = tu_asprintf("%s%s%s", s, *s != '\0' ? " " : "", v);
		free(s);
		free(v);
		s = ns;
	}
	return s;
}

/* Read one object (after its begin token) into o; 0 or -1. */
static int
json_object(struct jsonread *jr, struct jobj *o)
{
	enum jr_token t;
	char *v;

	while ((t = jr_next(jr)) == JR_KEY) {
		if (o->n == JOBJ_MAX)
			return -1;
		o->key[o->n] = tu_asprintf("%s", jr_string(jr, NULL));
		t = jr_next(jr);
		/* Nested objects (a ROA's prefixes) are not compared here. */
		if (t == JR_ARRAY_BEGIN && strcmp(o->key[o->n], "prefixes") == 0)
			v = jr_skip(jr) == 0 ? tu_asprintf("[...]") : NULL;
		else if (t == JR_ARRAY_BEGIN)
			v = json_flat_array(jr);
		else
			v = json_scalar(jr, t);
		if (v == NULL) {
			free(o->key[o->n]);
			return -1;
		}
		o->val[o->n++] = v;
	}
	return t == JR_OBJECT_END ? 0 : -1;
}

static long
json_array(const char *path, const char *member, jobj_fmt fmt,
    struct vu_lines *l)
{
	struct jsonread *jr = NULL;
	unsigned char *buf;
	struct jobj o;
	enum jr_token t;
	size_t len;
	long n = -1, k = 0;

	memset(&o, 0, sizeof(o));
	if ((buf = tu_read_file(path, &len)) == NULL ||
	    (jr = jr_new((char *)buf, len, JSON_DEPTH, JSON_STRING_MAX)) ==
	    NULL || jr_next(jr) != JR_OBJECT_BEGIN)
		goto out;
	while ((t = jr_next(jr)) == JR_KEY) {
		if (strcmp(jr_string(jr, NULL), member) != 0) {
			if (jr_skip(jr) != 0)
				goto out;
			continue;
		}
		if (jr_next(jr) != JR_ARRAY_BEGIN)
			goto out;
		while ((t = jr_next(jr)) == JR_OBJECT_BEGIN) {
			if (json_object(jr, &o) != 0)
				goto out;
			vu_lines_add(l, fmt(&o));
			jobj_free(&o);
			k++;
		}
		if (t != JR_ARRAY_END)
			goto out;
	}
	/* The whole document must be well-formed, not just our member. */
	if (t == JR_OBJECT_END && jr_next(jr) == JR_END)
		n = k;
 out:
	if (n == -1)
		printf("\n    %s: bad JSON (%s) reading %s\n    ", path,
		    jr != NULL && jr_error(jr) != NULL ? jr_error(jr) :
		    "structure", member);
	jobj_free(&o);
	jr_free(jr);
	free(buf);
	return n;
}

static char *
fmt_roa(const struct jobj *o)
{
	return tu_asprintf("AS%s,%s,%s,%s", jobj_get(o, "asn"),
	    jobj_get(o, "prefix"), jobj_get(o, "maxLength"), jobj_get(o, "ta"));
}

static char *
fmt_key(const struct jobj *o)
{
	char *ski = tu_asprintf("%s", jobj_get(o, "ski")), *p, *s;

	/* The JSON SKI is upper case, the expected file's lower case. */
	for (p = ski; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	s = tu_asprintf("AS%s,%s,%s", jobj_get(o, "asn"), ski,
	    jobj_get(o, "pubkey"));
	free(ski);
	return s;
}

/* "AS1 AS2" from "1 2". */
static char *
as_list(const char *nums)
{
	char *s = tu_asprintf("%s", ""), *ns, *copy, *tok, *save;

	copy = tu_asprintf("%s", nums);
	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		ns = tu_asprintf("%s%sAS%s", s, *s != '\0' ? " " : "", tok);
		free(s);
		s = ns;
	}
	free(copy);
	return s;
}

static char *
fmt_aspa(const struct jobj *o)
{
	char *prov = as_list(jobj_get(o, "providers")), *s;

	s = tu_asprintf("AS%s,%s", jobj_get(o, "customer_asid"), prov);
	free(prov);
	return s;
}

static char *
fmt_report(const struct jobj *o)
{
	return tu_asprintf("%s %s", jobj_get(o, "uri"),
	    jobj_get(o, "accepted"));
}

/* The three payload sets of reef.handoff as lines of the expected CSVs. */
static int
handoff_lines(const char *out, struct vu_lines *vrps, struct vu_lines *aspas,
    struct vu_lines *keys)
{
	char *path = tu_asprintf("%s/%s", out, HANDOFF_FILENAME);
	char err[256], pfx[PREFIX_STRLEN], ski[ROUTER_KEY_SKI_LEN * 2 + 1];
	struct handoff_data d;
	const struct vrp *v;
	struct router_key k;
	struct aspa a;
	char *s, *b64, *ns;
	size_t i, j;

	if (handoff_read(path, &d, err, sizeof(err)) != 0) {
		printf("\n    %s\n    ", err);
		free(path);
		return -1;
	}
	for (i = 0; i < vrpset_count(d.vrps); i++) {
		v = vrpset_get(d.vrps, i);
		prefix_format(&v->prefix, pfx, sizeof(pfx));
		vu_lines_add(vrps, tu_asprintf("AS%u,%s,%u,%s", v->asn, pfx,
		    v->maxlen, v->ta < d.nta ? d.ta_names[v->ta] : "?"));
	}
	for (i = 0; i < rkset_count(d.rks); i++) {
		rkset_get(d.rks, i, &k);
		hash_hex_encode(k.ski, sizeof(k.ski), ski);
		if (b64_encode(k.spki, k.spki_len, &b64, NULL) != 0)
			abort();
		vu_lines_add(keys, tu_asprintf("AS%u,%s,%s", k.asn, ski, b64));
		free(b64);
	}
	for (i = 0; i < aspaset_count(d.aspas); i++) {
		aspaset_get(d.aspas, i, &a);
		s = tu_asprintf("AS%u,", a.customer);
		for (j = 0; j < a.nproviders; j++) {
			ns = tu_asprintf("%s%sAS%u", s, j > 0 ? " " : "",
			    a.providers[j]);
			free(s);
			s = ns;
		}
		vu_lines_add(aspas, s);
	}
	handoff_free(&d);
	free(path);
	return 0;
}

/* expected/<name> of gendir without its header (asserted readable). */
static void
expected(const char *gendir, const char *name, struct vu_lines *l)
{
	CU_ASSERT(vu_expected(gendir, name, l) == 0);
}

/*
 * Do the outputs in out hold exactly the payloads of gendir/expected?
 * vrps.csv and the JSON ROAs must also be in the same order (rpki-client
 * order); the hand-off sets are compared as sets.  Returns 1 when all
 * match.
 */
static int
outputs_match(const char *gendir, const char *out)
{
	struct vu_lines want_v, want_a, want_k, got;
	struct vu_lines h_v, h_a, h_k;
	char *json = tu_asprintf("%s/vrps.json", out);
	int ok = 1;

	memset(&got, 0, sizeof(got));
	memset(&want_v, 0, sizeof(want_v));
	memset(&want_a, 0, sizeof(want_a));
	memset(&want_k, 0, sizeof(want_k));
	memset(&h_v, 0, sizeof(h_v));
	memset(&h_a, 0, sizeof(h_a));
	memset(&h_k, 0, sizeof(h_k));
	expected(gendir, "vrps.csv", &want_v);
	expected(gendir, "aspa.csv", &want_a);
	expected(gendir, "router_keys.csv", &want_k);

	ok &= vu_read_vrps(out, &got) == 0 && vu_lines_same("vrps.csv", &got,
	    &want_v, 0);
	vu_lines_free(&got);
	ok &= json_array(json, "roas", fmt_roa, &got) >= 0 &&
	    vu_lines_same("vrps.json roas", &got, &want_v, 0);
	vu_lines_free(&got);
	ok &= json_array(json, "aspas", fmt_aspa, &got) >= 0 &&
	    vu_lines_same("vrps.json aspas", &got, &want_a, 0);
	vu_lines_free(&got);
	ok &= json_array(json, "bgpsec_keys", fmt_key, &got) >= 0 &&
	    vu_lines_same("vrps.json bgpsec_keys", &got, &want_k, 0);
	vu_lines_free(&got);
	ok &= handoff_lines(out, &h_v, &h_a, &h_k) == 0 &&
	    vu_lines_same("reef.handoff VRPs", &h_v, &want_v, 1) &&
	    vu_lines_same("reef.handoff ASPAs", &h_a, &want_a, 1) &&
	    vu_lines_same("reef.handoff router keys", &h_k, &want_k, 1);
	ok &= outdir_clean(out);
	CU_ASSERT(ok);
	vu_lines_free(&want_v);
	vu_lines_free(&want_a);
	vu_lines_free(&want_k);
	vu_lines_free(&h_v);
	vu_lines_free(&h_a);
	vu_lines_free(&h_k);
	free(json);
	return ok;
}

/* The non-TA modules of a generation (directories of gen/rsync). */
static void
modules(const char *gendir, struct vu_lines *l)
{
	char *path = tu_asprintf("%s/rsync", gendir);
	struct dirent *de;
	DIR *d;

	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' &&
			    strcmp(de->d_name, "ta") != 0)
				vu_lines_add(l, tu_asprintf("%s", de->d_name));
		closedir(d);
	}
	vu_lines_sort(l);
	CU_ASSERT(l->n > 0);
	free(path);
}

/* Does every module's .reef-state in cache hold the line "key value"? */
static int
all_states_say(const char *gendir, const char *cache, const char *line)
{
	struct vu_lines mods;
	char *path, *want = tu_asprintf("\n%s\n", line);
	size_t i;
	int ok = 1;

	memset(&mods, 0, sizeof(mods));
	modules(gendir, &mods);
	for (i = 0; i < mods.n; i++) {
		path = tu_asprintf("%s/rsync/localhost:%d/%s/.reef-state",
		    cache, fx.vu.rport, mods.v[i]);
		if (!vu_file_has(path, want)) {
			printf("\n    %s: no \"%s\"\n    ", path, line);
			ok = 0;
		}
		free(path);
	}
	vu_lines_free(&mods);
	free(want);
	return ok;
}

static char *
access_log(void)
{
	return tu_asprintf("%s/nginx/logs/access.log", fx.vu.state);
}

/* Lines of the nginx access log so far. */
static size_t
access_lines(void)
{
	struct vu_lines l;
	char *log = access_log();
	size_t n;

	memset(&l, 0, sizeof(l));
	if (vu_read_lines(log, 0, &l) != 0)
		l.n = 0;
	n = l.n;
	vu_lines_free(&l);
	free(log);
	return n;
}

/*
 * Count the successful RRDP snapshot and delta requests logged after the
 * first since lines, per module for deltas.
 */
static void
rrdp_requests(size_t since, const struct vu_lines *mods, size_t *deltas,
    size_t *snapshots)
{
	struct vu_lines l;
	char *log = access_log(), *p, *q, *want;
	size_t i, m;

	memset(&l, 0, sizeof(l));
	*snapshots = 0;
	for (m = 0; m < mods->n; m++)
		deltas[m] = 0;
	if (vu_read_lines(log, 0, &l) != 0)
		l.n = 0;
	for (i = since; i < l.n; i++) {
		/* ... "GET /rrdp/mod/session/serial/x.xml HTTP/1.1" 200 ... */
		if ((p = strstr(l.v[i], "\"GET ")) == NULL ||
		    (q = strstr(p, "\" 200 ")) == NULL)
			continue;
		*q = '\0';
		if (strstr(p, "/snapshot.xml ") != NULL)
			(*snapshots)++;
		for (m = 0; m < mods->n; m++) {
			want = tu_asprintf("\"GET /rrdp/%s/", mods->v[m]);
			if (strncmp(p, want, strlen(want)) == 0 &&
			    strstr(p, "/delta.xml ") != NULL)
				deltas[m]++;
			free(want);
		}
	}
	vu_lines_free(&l);
	free(log);
}

/* A TCP port on 127.0.0.1 that nothing listens on now, or -1. */
static int
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Port 0: the kernel picks one that is free. */
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static int
setup_or_skip(void)
{
	return vu_start(&fx.vu, "validate", VU_TOOLS, GEN_SEED,
	    "--scale small --generations 2") == 1;
}

/*
 * Nothing new on the servers: the run keeps vrps.csv as it is
 * (validator/outkeep.h); report.json holds this run's fetch times, so it
 * is written again, with the same objects.  Offline, nothing at all
 * changes: a second run into another directory keeps report.json too
 * (the points' report entries are not even decoded), and its objects
 * are those of the online runs.
 */
static void
kept_when_unchanged(const char *cache, const char *out)
{
	char *log = NULL, *fresh = scratch("out-", "gens-fresh");
	ino_t rep, csv = tu_ino(out, "vrps.csv");

	CU_ASSERT_NOT_EQUAL(csv, 0);
	CU_ASSERT_EQUAL(reef_fetch(fx.vu.repo, cache, out, &log, "all"),
	    REEF_OK);
	CU_ASSERT_EQUAL(tu_ino(out, "vrps.csv"), csv);
	/* Online, report.json is new (fetch times) but its objects copied. */
	CU_ASSERT(log != NULL && vu_file_has(log, "bytes copied from the "
	    "previous run"));
	free(log);
	CU_ASSERT_EQUAL(mkdir(fresh, 0755), 0);
	CU_ASSERT_EQUAL(reef_run(fx.vu.repo, cache, fresh, NULL,
	    "--offline"), REEF_OK);
	rep = tu_ino(fresh, "report.json");
	CU_ASSERT_EQUAL(reef_run(fx.vu.repo, cache, fresh, NULL,
	    "--offline"), REEF_OK);
	CU_ASSERT_EQUAL(tu_ino(fresh, "report.json"), rep);
	CU_ASSERT_EQUAL(tu_system("cmp -s '%s/vrps.csv' '%s/vrps.csv' && "
	    "sed -n '/^  \"objects\": \\[/,$p' '%s/report.json' >'%s/a' && "
	    "sed -n '/^  \"objects\": \\[/,$p' '%s/report.json' >'%s/b' && "
	    "[ -s '%s/a' ] && "
	    "cmp -s '%s/a' '%s/b'", out, fresh, out, fx.vu.dir, fresh,
	    fx.vu.dir, fx.vu.dir, fx.vu.dir, fx.vu.dir), 0);
	/* vrps.json: new metadata, the rest copied, the same as online. */
	CU_ASSERT_EQUAL(tu_system("grep -q '^vrps.json [0-9a-f]* [0-9]* "
	    "[0-9]*$' '%s/.current/.inputs' && "
	    "sed -n '/^  \"roas\": \\[/,$p' '%s/vrps.json' >'%s/a' && "
	    "sed -n '/^  \"roas\": \\[/,$p' '%s/vrps.json' >'%s/b' && "
	    "[ -s '%s/a' ] && cmp -s '%s/a' '%s/b' && "
	    "head -c 20 '%s/vrps.json' | grep -q metadata", fresh, out,
	    fx.vu.dir, fresh, fx.vu.dir, fx.vu.dir, fx.vu.dir, fx.vu.dir,
	    fresh), 0);
	free(fresh);
}

/*
 * 1. Generation 1, then generation 2 on the same cache: every output
 * matches expected both times, and generation 2 comes as one RRDP delta
 * per repository with no snapshot.
 */
static void
test_validate_two_generations(void)
{
	char *cache, *out, *g1, *g2, *log = NULL, *bgpd;
	struct vu_lines mods;
	size_t since, snaps, *deltas, i;
	int ok = 1;

	if (!setup_or_skip())
		return;
	memset(&mods, 0, sizeof(mods));
	cache = scratch("cache-", "gens");
	out = scratch("out-", "gens");
	g1 = tu_asprintf("%s/gen1", fx.vu.repo);
	g2 = tu_asprintf("%s/gen2", fx.vu.repo);
	modules(g2, &mods);
	deltas = calloc(mods.n + 1, sizeof(*deltas));
	CU_ASSERT_FATAL(deltas != NULL);

	vu_switch(&fx.vu, g1);
	since = access_lines();
	CU_ASSERT_EQUAL(reef_fetch(fx.vu.repo, cache, out, &log, "all"),
	    REEF_OK);
	ok &= outputs_match(g1, out);
	CU_ASSERT(all_states_say(g1, cache, "serial 1"));
	CU_ASSERT(all_states_say(g1, cache, "proto rrdp"));
	rrdp_requests(since, &mods, deltas, &snaps);
	CU_ASSERT_EQUAL(snaps, mods.n);
	/* The other writers see the same set (one roa-set line per VRP). */
	bgpd = tu_asprintf("%s/openbgpd", out);
	CU_ASSERT(vu_file_has(bgpd, "roa-set {") &&
	    vu_file_has(bgpd, "aspa-set {"));
	CU_ASSERT_EQUAL(tu_system("[ $(grep -c ' source-as ' '%s') = "
	    "$(($(wc -l <'%s/expected/vrps.csv') - 1)) ]", bgpd, g1), 0);
	free(log);

	vu_switch(&fx.vu, g2);
	since = access_lines();
	CU_ASSERT_EQUAL(reef_fetch(fx.vu.repo, cache, out, &log, "all"),
	    REEF_OK);
	ok &= outputs_match(g2, out);
	CU_ASSERT(all_states_say(g2, cache, "serial 2"));
	CU_ASSERT(all_states_say(g2, cache, "proto rrdp"));
	rrdp_requests(since, &mods, deltas, &snaps);
	CU_ASSERT_EQUAL(snaps, 0);
	for (i = 0; i < mods.n; i++)
		if (deltas[i] != 1) {
			printf("\n    %s: %zu deltas fetched, want 1\n    ",
			    mods.v[i], deltas[i]);
			ok = 0;
		}
	CU_ASSERT(ok);
	if (!ok)
		vu_show_log(log);
	fx.reef_ok = ok;
	free(log);
	log = NULL;
	kept_when_unchanged(cache, out);
	free(bgpd);
	free(log);
	free(deltas);
	vu_lines_free(&mods);
	free(cache);
	free(out);
	free(g1);
	free(g2);
}

/*
 * 2. RRDP unavailable: notification files gone (404), then an HTTPS host
 * where nothing listens (TA certificate from its rsync URI too).  rsync
 * brings the same payloads.
 */
static void
test_validate_rsync_fallback(void)
{
	char *var, *cache, *out, *log = NULL, *dead, *g1;
	size_t since, snaps, deltas[1];
	struct vu_lines none;
	int hport;

	if (!setup_or_skip())
		return;
	memset(&none, 0, sizeof(none));
	g1 = tu_asprintf("%s/gen1", fx.vu.repo);
	var = scratch("", "norrdp");
	CU_ASSERT_EQUAL_FATAL(tu_system("cp -al '%s' '%s' && rm -rf '%s/rrdp'",
	    g1, var, var), 0);
	cache = scratch("cache-", "norrdp");
	out = scratch("out-", "norrdp");
	vu_switch(&fx.vu, var);
	since = access_lines();
	CU_ASSERT_EQUAL(reef_fetch(fx.vu.repo, cache, out, &log, "csv,json,"
	    "handoff,report"), REEF_OK);
	if (!outputs_match(g1, out))
		vu_show_log(log);
	CU_ASSERT(all_states_say(g1, cache, "proto rsync"));
	rrdp_requests(since, &none, deltas, &snaps);
	CU_ASSERT_EQUAL(snaps, 0);
	free(log);
	free(cache);
	free(out);

	/* A port nothing listens on, for the HTTPS host of every URI. */
	hport = free_port();
	CU_ASSERT_FATAL(hport > 0);
	dead = scratch("", "deadhttps");
	if (vu_generate(&fx.vu, dead, GEN_SEED, hport,
	    "--scale tiny --generations 1") == 0) {
		cache = scratch("cache-", "deadhttps");
		out = scratch("out-", "deadhttps");
		free(g1);
		g1 = tu_asprintf("%s/gen1", dead);
		vu_switch(&fx.vu, g1);
		CU_ASSERT_EQUAL(reef_fetch(dead, cache, out, &log, "csv,json,"
		    "handoff"), REEF_OK);
		if (!outputs_match(g1, out))
			vu_show_log(log);
		CU_ASSERT(all_states_say(g1, cache, "proto rsync"));
		free(log);
		free(cache);
		free(out);
	} else
		CU_FAIL("generation with a dead HTTPS host failed");
	free(dead);
	free(var);
	free(g1);
}

/* Truncate the first manifest below dir (sorted by path); its path. */
static char *
break_manifest(const char *dir)
{
	char *list = tu_asprintf("%s.mfts", dir), *path = NULL;
	unsigned char *buf = NULL;
	struct vu_lines l;
	size_t len;

	memset(&l, 0, sizeof(l));
	if (tu_system("find '%s' -name '*.mft' | LC_ALL=C sort >'%s'", dir,
	    list) != 0 || vu_read_lines(list, 0, &l) != 0 || l.n == 0 ||
	    (buf = tu_read_file(l.v[0], &len)) == NULL)
		goto out;
	/* Break the hard link to the clean tree before writing. */
	if (unlink(l.v[0]) == 0 && tu_write_file(l.v[0], buf, len / 2) == 0)
		path = tu_asprintf("%s", l.v[0]);
 out:
	vu_lines_free(&l);
	free(buf);
	free(list);
	return path;
}

/*
 * 3. After a good run: a repository whose module disappears keeps its
 * cached content, and one whose manifest breaks (fetched fine by rsync)
 * keeps its last good publication point from the store.  The payloads
 * stay those of generation 1 each time.
 */
static void
test_validate_keep_previous(void)
{
	char *g1, *gone, *bad, *cache, *out, *log = NULL, *mft, *cached;
	char *rel, *mod, *kept;
	struct vu_lines mods;

	if (!setup_or_skip())
		return;
	memset(&mods, 0, sizeof(mods));
	g1 = tu_asprintf("%s/gen1", fx.vu.repo);
	cache = scratch("cache-", "keep");
	out = scratch("out-", "keep");
	modules(g1, &mods);
	CU_ASSERT_FATAL(mods.n > 0);
	vu_switch(&fx.vu, g1);
	CU_ASSERT_EQUAL(reef_fetch(fx.vu.repo, cache, out, NULL, "csv,json,"
	    "handoff"), REEF_OK);
	CU_ASSERT(outputs_match(g1, out));

	/* The last module vanishes from both servers. */
	mod = mods.v[mods.n - 1];
	gone = scratch("", "gone");
	CU_ASSERT_EQUAL_FATAL(tu_system("cp -al '%s' '%s' && rm -rf "
	    "'%s/rsync/%s' '%s/rrdp/%s'", g1, gone, gone, mod, gone, mod), 0);
	vu_switch(&fx.vu, gone);
	/* Exit 2: the outputs were written, one repository is stale. */
	CU_ASSERT_EQUAL(reef_fetch(fx.vu.repo, cache, out, &log, "csv,json,"
	    "handoff"), REEF_PARTIAL);
	if (!outputs_match(g1, out))
		vu_show_log(log);
	/* The module was really asked for and really missing. */
	kept = tu_asprintf("rsync://localhost:%d/%s/: fetch failed, keeping "
	    "the previous copy", fx.vu.rport, mod);
	CU_ASSERT(vu_file_has(log, kept));
	free(kept);
	free(log);

	/* A manifest truncated in the rsync tree, RRDP gone so rsync is used. */
	bad = scratch("", "badmft");
	CU_ASSERT_EQUAL_FATAL(tu_system("cp -al '%s' '%s' && rm -rf '%s/rrdp'",
	    g1, bad, bad), 0);
	mft = break_manifest(bad);
	CU_ASSERT_FATAL(mft != NULL);
	vu_switch(&fx.vu, bad);
	CU_ASSERT_EQUAL(reef_fetch(fx.vu.repo, cache, out, &log, "csv,json,"
	    "handoff,report"), REEF_OK);
	if (!outputs_match(g1, out))
		vu_show_log(log);
	/* The broken file did arrive: the store, not the cache, saved it. */
	rel = mft + strlen(bad) + strlen("/rsync/");
	cached = tu_asprintf("%s/rsync/localhost:%d/%s", cache, fx.vu.rport,
	    rel);
	CU_ASSERT(vu_same_file(mft, cached));
	CU_ASSERT(vu_file_has(log, "last good copy"));
	free(cached);
	free(log);
	free(mft);
	free(bad);
	free(gone);
	vu_lines_free(&mods);
	free(cache);
	free(out);
	free(g1);
}

/*
 * Is every defect of gendir/expected/defects.txt visible in report.json:
 * the object rejected, or for a failed publication point some object of
 * its directory rejected, or for an ignored object not accepted?
 */
static int
defects_reported(const char *gendir, const char *out)
{
	char *path = tu_asprintf("%s/expected/defects.txt", gendir);
	char *rep = tu_asprintf("%s/report.json", out), *uri, *sp, *dir;
	struct vu_lines d, r;
	size_t i, j;
	int ok = 1, hit;

	memset(&d, 0, sizeof(d));
	memset(&r, 0, sizeof(r));
	if (vu_read_lines(path, 0, &d) != 0 || d.n == 0 ||
	    json_array(rep, "objects", fmt_report, &r) <= 0) {
		ok = 0;
		goto out;
	}
	for (i = 0; i < d.n; i++) {
		/* "name URI effect..." */
		if ((uri = strchr(d.v[i], ' ')) == NULL ||
		    (sp = strchr(++uri, ' ')) == NULL) {
			ok = 0;
			continue;
		}
		*sp = '\0';
		dir = tu_asprintf("%.*s", (int)(strrchr(uri, '/') - uri + 1),
		    uri);
		hit = 0;
		for (j = 0; j < r.n && !hit; j++) {
			if (strstr(sp + 1, "ignored") != NULL)
				hit = 1;
			else if (strstr(sp + 1, "publication point") != NULL)
				hit = strncmp(r.v[j], dir, strlen(dir)) == 0 &&
				    strstr(r.v[j], " false") != NULL;
			else
				hit = strncmp(r.v[j], uri, strlen(uri)) == 0 &&
				    strcmp(r.v[j] + strlen(uri), " false") == 0;
		}
		if (strstr(sp + 1, "ignored") != NULL)
			for (j = 0; j < r.n; j++)
				if (strncmp(r.v[j], uri, strlen(uri)) == 0 &&
				    strcmp(r.v[j] + strlen(uri), " true") == 0)
					hit = 0;
		if (!hit) {
			printf("\n    %s not reported as rejected\n    ", uri);
			ok = 0;
		}
		free(dir);
	}
 out:
	vu_lines_free(&d);
	vu_lines_free(&r);
	free(path);
	free(rep);
	return ok;
}

/*
 * 4. One repository per generator defect: the payloads are exactly the
 * expected ones and the defective object is reported.  The generation-2
 * defect is run as generation 1 then 2 on one cache.
 */
static void
test_validate_defects(void)
{
	char *repo, *opt, *cache, *out, *g, *log;
	unsigned int before;
	size_t i;
	int two, ok;

	if (!setup_or_skip())
		return;
	for (i = 0; i < NDEFECTS; i++) {
		two = strcmp(defects[i], GEN2_DEFECT) == 0;
		repo = scratch("defect-", defects[i]);
		cache = scratch("cache-", defects[i]);
		out = scratch("out-", defects[i]);
		before = CU_get_number_of_failures();
		/* Each defect stays local: the smallest tree shows it. */
		opt = tu_asprintf("--scale tiny --generations %d --defect %s",
		    two ? 2 : 1, defects[i]);
		ok = vu_generate(&fx.vu, repo, GEN_SEED, fx.vu.hport, opt) == 0;
		CU_ASSERT(ok);
		g = tu_asprintf("%s/gen1", repo);
		if (ok && vu_switch(&fx.vu, g) == 0) {
			log = NULL;
			CU_ASSERT_EQUAL(reef_fetch(repo, cache, out, &log,
			    "csv,json,handoff,report"), REEF_OK);
			if (!outputs_match(g, out) ||
			    (!two && !defects_reported(g, out))) {
				printf("\n    defect %s\n    ", defects[i]);
				CU_FAIL("defect run differs");
				vu_show_log(log);
			}
			free(log);
		}
		free(g);
		g = tu_asprintf("%s/gen2", repo);
		if (ok && two && vu_switch(&fx.vu, g) == 0) {
			log = NULL;
			CU_ASSERT_EQUAL(reef_fetch(repo, cache, out, &log,
			    "csv,json,handoff,report"), REEF_OK);
			if (!outputs_match(g, out) ||
			    !defects_reported(g, out) ||
			    !vu_file_has(log, "RFC 9286 section 4.2.1")) {
				printf("\n    defect %s, gen2\n    ", defects[i]);
				CU_FAIL("defect run differs");
				vu_show_log(log);
			}
			free(log);
		}
		free(g);
		/* Few files left behind: deleting is slow on a busy disk. */
		if (CU_get_number_of_failures() == before) {
			tu_rmtree(repo);
			tu_rmtree(cache);
			tu_rmtree(out);
		}
		free(opt);
		free(repo);
		free(cache);
		free(out);
	}
}

/* Copies of the files in out, to compare after a failed run. */
static void
snapshot_outputs(const char *out, const char *copy)
{
	CU_ASSERT_EQUAL(tu_system("rm -rf '%s' && cp -a '%s' '%s'", copy, out,
	    copy), 0);
}

/* The metrics file is written by every run, failed ones too. */
static int
outputs_unchanged(const char *out, const char *copy)
{
	return tu_system("diff -r -x metrics '%s' '%s' >/dev/null", out,
	    copy) == 0;
}

/*
 * 5. --offline on the cache gives the same payloads, fetching nothing;
 * --at past the manifests' expiry gives an empty set with exit 0 (the TA
 * certificates are still valid, so the run is trustworthy); --at past the
 * TA certificates' expiry leaves no usable TA: exit 1 and every previous
 * output is kept byte for byte.
 */
static void
test_validate_offline_and_at(void)
{
	char *g1, *cache, *out, *off, *copy, *log = NULL, *csv, *fresh;
	struct vu_lines l;
	size_t since;

	if (!setup_or_skip())
		return;
	memset(&l, 0, sizeof(l));
	g1 = tu_asprintf("%s/gen1", fx.vu.repo);
	cache = scratch("cache-", "offline");
	out = scratch("out-", "offline");
	off = scratch("out-", "offline2");
	copy = scratch("copy-", "offline");
	fresh = scratch("out-", "expired");
	vu_switch(&fx.vu, g1);
	CU_ASSERT_EQUAL(reef_fetch(fx.vu.repo, cache, out, NULL, "all"),
	    REEF_OK);
	CU_ASSERT(outputs_match(g1, out));

	since = access_lines();
	CU_ASSERT_EQUAL(reef_run(fx.vu.repo, cache, off, &log,
	    "--offline -f all"), REEF_OK);
	CU_ASSERT(outputs_match(g1, off));
	CU_ASSERT_EQUAL(access_lines(), since);
	CU_ASSERT_EQUAL(tu_system("cmp -s '%s/vrps.csv' '%s/vrps.csv'", out,
	    off), 0);
	free(log);

	/* Everything below the TAs stale: a valid, empty result. */
	CU_ASSERT_EQUAL(reef_run(fx.vu.repo, cache, off, &log,
	    "--offline -f all --at @%lld", AT_STALE), REEF_OK);
	csv = tu_asprintf("%s/vrps.csv", off);
	CU_ASSERT(vu_read_lines(csv, 0, &l) == 0 && l.n == 1);
	vu_lines_free(&l);
	free(csv);
	csv = tu_asprintf("%s/vrps.json", off);
	CU_ASSERT(json_array(csv, "roas", fmt_roa, &l) == 0);
	CU_ASSERT(json_array(csv, "aspas", fmt_aspa, &l) == 0);
	CU_ASSERT(json_array(csv, "bgpsec_keys", fmt_key, &l) == 0);
	CU_ASSERT(vu_file_has(log, "0 VRPs, 0 router keys, 0 ASPAs"));
	CU_ASSERT(outdir_clean(off));
	vu_lines_free(&l);
	free(log);

	/* No TA left: exit 1, nothing replaced, nothing new written. */
	snapshot_outputs(out, copy);
	CU_ASSERT_EQUAL(reef_run(fx.vu.repo, cache, out, &log,
	    "--offline -f all --at @%lld", AT_EXPIRED), REEF_FAIL);
	CU_ASSERT(vu_file_has(log, "no trust anchor could be used"));
	CU_ASSERT(outputs_unchanged(out, copy));
	CU_ASSERT(outdir_clean(out));
	free(log);
	CU_ASSERT_EQUAL(reef_run(fx.vu.repo, cache, fresh, NULL, "--offline "
	    "--at @%lld", AT_EXPIRED), REEF_FAIL);
	/* Only the metrics of the failed run. */
	CU_ASSERT_EQUAL(tu_system("[ \"$(ls -A '%s' 2>/dev/null)\" = metrics ]",
	    fresh), 0);
	CU_ASSERT_EQUAL(tu_system("grep -qx 'reef_validate_exit_status 1' "
	    "'%s/metrics'", fresh), 0);
	free(csv);
	free(g1);
	free(cache);
	free(out);
	free(off);
	free(copy);
	free(fresh);
}

/*
 * 6. An output directory that cannot be written: a regular file, and a
 * directory the (unprivileged) user may not write.  Exit 1 with the path
 * in the message, and the previous outputs untouched.
 */
static void
test_validate_unwritable(void)
{
	char *g1, *cache, *out, *copy, *file, *log = NULL, *reef;
	int st;

	if (!setup_or_skip())
		return;
	g1 = tu_asprintf("%s/gen1", fx.vu.repo);
	cache = scratch("cache-", "unwritable");
	out = scratch("out-", "unwritable");
	copy = scratch("copy-", "unwritable");
	file = scratch("", "not-a-dir");
	vu_switch(&fx.vu, g1);
	CU_ASSERT_EQUAL(reef_fetch(fx.vu.repo, cache, out, NULL, "all"),
	    REEF_OK);
	CU_ASSERT(outputs_match(g1, out));
	snapshot_outputs(out, copy);

	CU_ASSERT_EQUAL(tu_write_file(file, "x\n", 2), 0);
	CU_ASSERT_EQUAL(reef_run(fx.vu.repo, cache, file, &log, "--offline"),
	    REEF_FAIL);
	CU_ASSERT(vu_file_has(log, file) &&
	    (vu_file_has(log, "not a directory") ||
	    vu_file_has(log, "Not a directory")));
	free(log);

	/* root writes anywhere: drop to nobody with setpriv(1) for this run. */
	reef = vu_reef_path();
	if (geteuid() == 0) {
		if (tu_system("command -v setpriv >/dev/null") != 0) {
			printf("\n    SKIPPED read-only run: no setpriv\n    ");
			goto out;
		}
		chmod(cache, 0755);
		log = vu_run_log(&fx.vu);
		st = tu_system("timeout %d setpriv --reuid=%s --regid=%s "
		    "--clear-groups '%s' validate -t '%s/tals' -d '%s' -o '%s' "
		    "--offline --allow-dubious-hosts -f all >'%s' 2>&1",
		    RUN_TIMEOUT, UNPRIV_UID, UNPRIV_UID, reef, fx.vu.repo,
		    cache, out, log);
	} else {
		chmod(out, 0555);
		st = reef_run(fx.vu.repo, cache, out, &log, "--offline -f all");
		chmod(out, 0755);
	}
	CU_ASSERT_EQUAL(st, REEF_FAIL);
	CU_ASSERT(vu_file_has(log, out) &&
	    vu_file_has(log, "Permission denied"));
	CU_ASSERT(outputs_unchanged(out, copy));
	CU_ASSERT(outdir_clean(out));
	free(log);
 out:
	free(reef);
	free(g1);
	free(cache);
	free(out);
	free(copy);
	free(file);
}

/*
 * 7. The servers go away: a run that can fetch nothing keeps the cached
 * TA certificates and repositories and gives the same payloads.  This
 * stops the servers for good.
 */
static void
test_validate_servers_gone(void)
{
	char *g1, *cache, *out, *log = NULL;
	time_t t0;

	if (!setup_or_skip())
		return;
	g1 = tu_asprintf("%s/gen1", fx.vu.repo);
	cache = scratch("cache-", "gone");
	out = scratch("out-", "gone");
	vu_switch(&fx.vu, g1);
	CU_ASSERT_EQUAL(reef_fetch(fx.vu.repo, cache, out, NULL, "csv,json,"
	    "handoff"), REEF_OK);
	stop_servers();
	t0 = time(NULL);
	CU_ASSERT_EQUAL(reef_fetch(fx.vu.repo, cache, out, &log, "csv,json,"
	    "handoff"), REEF_PARTIAL);
	/* Refused connections fail fast; nothing waits for the deadline. */
	CU_ASSERT(time(NULL) - t0 < FETCH_TIMEOUT);
	if (!outputs_match(g1, out))
		vu_show_log(log);
	CU_ASSERT(vu_file_has(log, "TA certificate not fetched, using the "
	    "cached copy"));
	CU_ASSERT(vu_file_has(log, "fetch failed, keeping the previous copy"));
	free(log);
	free(g1);
	free(cache);
	free(out);
}

/* The reason on the "SKIP: reason" line of a log; malloc'd. */
static char *
skip_reason(const char *log)
{
	unsigned char *buf;
	char *p, *nl, *r;

	if ((buf = tu_read_file(log, NULL)) == NULL ||
	    (p = strstr((char *)buf, SKIP_TAG)) == NULL) {
		free(buf);
		return tu_asprintf("(no reason given)");
	}
	p += strlen(SKIP_TAG);
	if ((nl = strchr(p, '\n')) != NULL)
		*nl = '\0';
	r = tu_asprintf("%s", p);
	free(buf);
	return r;
}

/*
 * 8. rpki-client (peers.sh, root only) on the very repository reef
 * validated in test 1, over RRDP with deltas and over rsync: both agree
 * with expected, hence with each other.  peers.sh serves the repository
 * itself on the ports of its URIs, so our servers must be down.
 */
static void
test_validate_peers(void)
{
	char *script, *log, *why;
	const char *peers = getenv("PEERS");
	int st;

	if (!setup_or_skip())
		return;
	stop_servers();
	script = tu_asprintf("%s/tests/integration/peers.sh", tu_srcdir());
	log = tu_asprintf("%s/peers.log", fx.vu.dir);
	st = tu_system("PEERS='%s' '%s' '%s' 1 2 >'%s' 2>&1",
	    peers != NULL && *peers != '\0' ? peers : "rpki-client", script,
	    fx.vu.repo, log);
	if (st == EX_SKIP) {
		why = skip_reason(log);
		printf("\n    SKIPPED (peers.sh): %s\n    ", why);
		free(why);
	} else {
		CU_ASSERT_EQUAL(st, 0);
		if (st != 0)
			vu_show_log(log);
		/* reef's half of the comparison was test 1. */
		CU_ASSERT(fx.reef_ok);
	}
	free(log);
	free(script);
}

REEF_SUITE_FULL(integration_validate, NULL, cleanup,
    REEF_TEST(test_validate_two_generations),
    REEF_TEST(test_validate_rsync_fallback),
    REEF_TEST(test_validate_keep_previous),
    REEF_TEST(test_validate_defects),
    REEF_TEST(test_validate_offline_and_at),
    REEF_TEST(test_validate_unwritable),
    REEF_TEST(test_validate_servers_gone),
    REEF_TEST(test_validate_peers))
