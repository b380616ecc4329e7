/*
 * Helpers shared by the integration suites of `reef validate`; see
 * validate_util.h.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/limits.h"
#include "tests/integration/validate_util.h"
#include "tests/unit/util.h"
#include "validator/tal.h"

/* First allocation of a list of lines; it doubles from there. */
#define LINES_FIRST		64
/* The serve.sh env file keys carrying the ports it picked. */
#define ENV_RSYNC		"RSYNC_PORT="
#define ENV_HTTPS		"HTTPS_PORT="
/* First line of vrps.csv, as rpki-client writes it. */
#define VRPS_CSV_HEADER		"ASN,IP Prefix,Max Length,Trust Anchor,Expires"

void
vu_lines_add(struct vu_lines *l, char *s)
{
	char **nv;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? LINES_FIRST : l->cap * 2;
		if ((nv = reallocarray(l->v, l->cap, sizeof(*nv))) == NULL)
			abort();
		l->v = nv;
	}
	l->v[l->n++] = s;
}

void
vu_lines_free(struct vu_lines *l)
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
	return strcmp(*(char * const *)a, *(char * const *)b);
}

void
vu_lines_sort(struct vu_lines *l)
{
	if (l->n > 0)
		qsort(l->v, l->n, sizeof(*l->v), str_cmp);
}

int
vu_lines_has(const struct vu_lines *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* A sorted copy of the pointers of l (the strings stay l's). */
static char **
sorted_view(const struct vu_lines *l)
{
	char **v;

	if ((v = calloc(l->n + 1, sizeof(*v))) == NULL)
		abort();
	if (l->n > 0)
		memcpy(v, l->v, l->n * sizeof(*v));
	qsort(v, l->n, sizeof(*v), str_cmp);
	return v;
}

/*
 * Print up to VU_DIFF_SHOW lines only one of two sorted views holds;
 * the number printed.
 */
static size_t
show_diff(char **got, size_t ng, char **want, size_t nw)
{
	size_t i = 0, j = 0, shown = 0;
	int c;

	while ((i < ng || j < nw) && shown < VU_DIFF_SHOW) {
		c = i == ng ? 1 : j == nw ? -1 : strcmp(got[i], want[j]);
		if (c == 0) {
			i++, j++;
			continue;
		}
		printf("\n      %s %s", c < 0 ? "unexpected" : "missing   ",
		    c < 0 ? got[i++] : want[j++]);
		shown++;
	}
	return shown;
}

int
vu_lines_same(const char *what, const struct vu_lines *got,
    const struct vu_lines *want, int sorted)
{
	char **g = NULL, **w = NULL;
	size_t i;
	int same = 0;

	if (got->n != want->n)
		goto differ;
	if (sorted) {
		g = sorted_view(got);
		w = sorted_view(want);
	}
	for (i = 0; i < got->n; i++)
		if (strcmp(g != NULL ? g[i] : got->v[i],
		    w != NULL ? w[i] : want->v[i]) != 0)
			break;
	if (i == got->n) {
		same = 1;
		goto out;
	}
 differ:
	free(g);
	free(w);
	g = sorted_view(got);
	w = sorted_view(want);
	printf("\n    %s: %zu entries, %zu expected", what, got->n, want->n);
	if (show_diff(g, got->n, w, want->n) == 0)
		printf(", the same in another order");
	printf("\n    ");
 out:
	free(g);
	free(w);
	return same;
}

int
vu_read_lines(const char *path, size_t skip, struct vu_lines *l)
{
	unsigned char *buf;
	char *p, *line;
	size_t n;

	if ((buf = tu_read_file(path, NULL)) == NULL) {
		printf("\n    cannot read %s\n    ", path);
		return -1;
	}
	p = (char *)buf;
	for (n = 0; (line = strsep(&p, "\n")) != NULL; n++)
		if (n >= skip && *line != '\0')
			vu_lines_add(l, tu_asprintf("%s", line));
	free(buf);
	return 0;
}

int
vu_expected(const char *gendir, const char *name, struct vu_lines *l)
{
	char *path = tu_asprintf("%s/expected/%s", gendir, name);
	int rc;

	rc = vu_read_lines(path, 1, l);
	free(path);
	return rc;
}

int
vu_read_vrps(const char *out, struct vu_lines *l)
{
	char *path = tu_asprintf("%s/vrps.csv", out), *comma;
	struct vu_lines raw;
	size_t i;
	int rc = -1;

	memset(&raw, 0, sizeof(raw));
	if (vu_read_lines(path, 0, &raw) != 0 || raw.n == 0)
		goto out;
	if (strcmp(raw.v[0], VRPS_CSV_HEADER) != 0) {
		printf("\n    %s: header \"%s\"\n    ", path, raw.v[0]);
		goto out;
	}
	for (i = 1; i < raw.n; i++) {
		comma = strrchr(raw.v[i], ',');
		if (comma == NULL || comma[1] == '\0' ||
		    strspn(comma + 1, "0123456789") != strlen(comma + 1)) {
			printf("\n    %s: bad line \"%s\"\n    ", path,
			    raw.v[i]);
			goto out;
		}
		*comma = '\0';
		vu_lines_add(l, tu_asprintf("%s", raw.v[i]));
	}
	rc = 0;
 out:
	vu_lines_free(&raw);
	free(path);
	return rc;
}

int
vu_file_has(const char *path, const char *needle)
{
	unsigned char *buf;
	int found;

	if ((buf = tu_read_file(path, NULL)) == NULL)
		return 0;
	found = strstr((char *)buf, needle) != NULL;
	free(buf);
	return found;
}

int
vu_same_file(const char *a, const char *b)
{
	unsigned char *x, *y;
	size_t xl, yl;
	int same;

	x = tu_read_file(a, &xl);
	y = tu_read_file(b, &yl);
	same = x != NULL && y != NULL && xl == yl && memcmp(x, y, xl) == 0;
	free(x);
	free(y);
	return same;
}

void
vu_show_log(const char *log)
{
	printf("\n    --- %s ---\n", log);
	tu_system("tail -n %d '%s' | cut -c1-%d | sed 's/^/    /'",
	    VU_LOG_TAIL, log, VU_LOG_WIDTH);
	printf("    ");
}

char *
vu_reef_path(void)
{
	return tu_asprintf("%s/validator/reef", tu_builddir());
}

char *
vu_repogen_path(void)
{
	return tu_asprintf("%s/tests/tools/repogen/reef-repogen",
	    tu_builddir());
}

char *
vu_serve_path(void)
{
	return tu_asprintf("%s/tests/tools/serve.sh", tu_srcdir());
}

char *
vu_key_cache(void)
{
	const char *e = getenv("REEF_KEY_CACHE");

	if (e != NULL && *e != '\0')
		return tu_asprintf("%s", e);
	return tu_asprintf("%s/.key-cache", tu_builddir());
}

int
vu_skip(const char *why)
{
	printf("\n    SKIPPED: %s\n    ", why);
	return -1;
}

/* Value of NAME=value in a serve.sh env file, or 0. */
static int
env_port(const char *env, const char *name)
{
	const char *p = strstr(env, name);

	return p == NULL ? 0 : atoi(p + strlen(name));
}

/* 1 if reef and reef-repogen are built and every program of tools is. */
static int
have_programs(const char *tools)
{
	char *reef = vu_reef_path(), *gen = vu_repogen_path(), *why;
	int ok;

	ok = access(reef, X_OK) == 0 && access(gen, X_OK) == 0;
	free(reef);
	free(gen);
	if (!ok)
		return vu_skip("reef or reef-repogen is not built") == 0;
	if (tu_system("for p in %s; do command -v \"$p\" || exit 1; "
	    "done >/dev/null", tools) != 0) {
		why = tu_asprintf("one of %s missing", tools);
		vu_skip(why);
		free(why);
		return 0;
	}
	return 1;
}

int
vu_start(struct vu_fix *f, const char *tag, const char *tools, int seed,
    const char *gen_opts)
{
	char *serve = NULL, *envf = NULL;
	unsigned char *env;
	int st;

	if (f->ready != 0)
		return f->ready;
	f->ready = -1;
	f->failures = CU_get_number_of_failures();
	if (getenv("REEF_TESTS_UNIT_ONLY") != NULL)
		return vu_skip("REEF_TESTS_UNIT_ONLY is set");
	if (!have_programs(tools))
		return -1;

	f->dir = tu_tmpdir(tag);
	CU_ASSERT_FATAL(f->dir != NULL);
	/* Unprivileged runs of reef must reach the TALs and the cache. */
	chmod(f->dir, 0755);
	f->state = tu_asprintf("%s/serve", f->dir);
	f->repo = tu_asprintf("%s/repo", f->dir);
	f->ca_file = tu_asprintf("%s/ca.pem", f->state);
	envf = tu_asprintf("%s/serve.env", f->dir);
	serve = vu_serve_path();
	tu_system("mkdir -p '%s/empty/rsync'", f->dir);
	if (tu_system("'%s' start '%s/empty' --state '%s' --rsync-port auto "
	    "--https-port auto >'%s' 2>&1", serve, f->dir, f->state,
	    envf) != 0 || (env = tu_read_file(envf, NULL)) == NULL) {
		vu_show_log(envf);
		vu_skip("serve.sh did not start");
		goto out;
	}
	f->serving = 1;
	f->rport = env_port((char *)env, ENV_RSYNC);
	f->hport = env_port((char *)env, ENV_HTTPS);
	free(env);
	CU_ASSERT(f->rport > 0 && f->hport > 0);
	if (f->rport <= 0 || f->hport <= 0)
		goto out;
	st = vu_generate(f, f->repo, seed, f->hport, gen_opts);
	CU_ASSERT_EQUAL(st, 0);
	if (st == 0)
		f->ready = 1;
 out:
	free(envf);
	free(serve);
	return f->ready;
}

int
vu_generate(const struct vu_fix *f, const char *out, int seed, int hport,
    const char *extra)
{
	char *gen = vu_repogen_path(), *keys = vu_key_cache(), *log;
	int st;

	log = tu_asprintf("%s.repogen.log", out);
	mkdir(keys, 0700);
	st = tu_system("'%s' -o '%s' --seed %d --key-cache '%s' "
	    "--rsync-host localhost:%d --https-host localhost:%d %s >'%s' 2>&1",
	    gen, out, seed, keys, f->rport, hport, extra, log);
	if (st != 0) {
		printf("\n    reef-repogen %s failed (exit %d)", extra, st);
		vu_show_log(log);
	} else
		unlink(log);
	free(log);
	free(gen);
	free(keys);
	return st;
}

int
vu_switch(const struct vu_fix *f, const char *dir)
{
	char *serve = vu_serve_path();
	int st;

	st = tu_system("'%s' switch '%s' '%s' >/dev/null 2>&1", serve,
	    f->state, dir);
	CU_ASSERT_EQUAL(st, 0);
	free(serve);
	return st;
}

int
vu_stop(struct vu_fix *f)
{
	char *serve;
	int st;

	if (!f->serving)
		return 0;
	serve = vu_serve_path();
	st = tu_system("'%s' stop '%s' >/dev/null 2>&1", serve, f->state);
	f->serving = 0;
	free(serve);
	return st;
}

void
vu_finish(struct vu_fix *f)
{
	vu_stop(f);
	if (f->dir != NULL) {
		/* Keep the evidence of a failure for a look by hand. */
		if (CU_get_number_of_failures() == f->failures)
			tu_rmtree(f->dir);
		else
			printf("\n    kept %s\n    ", f->dir);
	}
	free(f->dir);
	free(f->state);
	free(f->repo);
	free(f->ca_file);
	memset(f, 0, sizeof(*f));
}

char *
vu_run_log(struct vu_fix *f)
{
	return tu_asprintf("%s/run%02d.log", f->dir, ++f->runs);
}

const char *
vu_user_opt(void)
{
	return geteuid() == 0 ? VU_USER_ROOT : "";
}

void
vu_check_sanitizer(const char *log)
{
	if (vu_file_has(log, "Sanitizer") ||
	    vu_file_has(log, "runtime error:")) {
		CU_FAIL("sanitizer report from reef");
		vu_show_log(log);
	}
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The TALs of out, sorted by name (ta0, ta1, ...); returns how many. */
size_t
vu_load_tals(const char *out, struct tal **tals, size_t max)
{
	char *dir = tu_asprintf("%s/tals", out), *names[MAX_TALS], *p;
	struct dirent *de;
	unsigned char *buf;
	size_t n = 0, i, len;
	DIR *d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d = opendir(dir));
	while ((de = readdir(d)) != NULL && n < MAX_TALS)
		if (strstr(de->d_name, ".tal") != NULL)
			names[n++] = tu_asprintf("%s", de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (i = 0; i < n && i < max; i++) {
		p = tu_asprintf("%s/%s", dir, names[i]);
		buf = tu_read_file(p, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		tals[i] = tal_parse(p, (char *)buf, len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tals[i]);
		free(buf);
		free(p);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(dir);
	return n < max ? n : max;
}
