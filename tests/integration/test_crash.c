/*
 * Integration: crash safety of `reef validate` (the output directory of
 * reef-formats(5), "Output directory").  Runs are killed with SIGKILL at
 * seeded random moments spread over an uninterrupted run's duration;
 * after each kill every output name must resolve and the outputs must be
 * one complete run's set, the old or the new one, and the next run must
 * give what an uninterrupted run gives.
 *
 * 1. Offline runs over a generation-2 cache, started on a generation-1
 *    output directory: KILLS kills.
 * 2. Online runs fetching generation 2 over a generation-1 cache, killed
 *    while fetching: FETCH_KILLS kills (FETCH_TRIES runs at most); the
 *    cache must stay usable.
 *
 * The seed is printed; REEF_CRASH_SEED=N repeats the same moments (the
 * process's progress at a moment still varies).  A small reef-repogen
 * repository is served by tests/tools/serve.sh; without rsync, nginx or
 * the built programs, or with REEF_TESTS_UNIT_ONLY set, the tests print
 * SKIPPED and pass.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests/integration/validate_util.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* Wall-clock cap of one reef run (timeout(1)), and reef's own, in s. */
#define RUN_TIMEOUT		60
#define FETCH_TIMEOUT		30
/* Generator seed, scale and base time (reef-repogen(1) --time default). */
#define GEN_SEED		4409
#define GEN_OPTS		"--scale small --generations 2"
#define GEN_BASE		1767225600LL
/* A validation time inside every object's validity. */
#define AT_VALID		(GEN_BASE + 86400)
/*
 * Kills of offline runs, at LO..HI percent of an uninterrupted one; every
 * other one at LATE..HI, where the walk ends and the outputs are written.
 */
/* Fewer under the sanitizers, whose runs are several times slower. */
#if defined(__SANITIZE_ADDRESS__)
#define KILLS			6
#else
#define KILLS			12
#endif
#define KILL_LO_PCT		5
#define KILL_LATE_PCT		70
#define KILL_HI_PCT		110
/*
 * Kills of online runs that must land inside their fetch phase, at
 * LO..HI percent of an uninterrupted one; runs killed at most.
 */
#define FETCH_KILLS		2
#define FETCH_TRIES		5
#define FETCH_LO_PCT		10
#define FETCH_HI_PCT		50
/* Uninterrupted offline runs timed; the longest sets the kill range. */
#define TIMED_RUNS		3
/* Longest line of the set digest (a name and a SHA-256 in hex). */
#define DIGEST_LINE_MAX		128
#define REEF_OK			0

/* Every public output name of -f all (reef-formats(5)). */
static const char *const outputs[] = {
	"vrps.csv", "vrps.json", "openbgpd", "bird", "bird1v4", "bird1v6",
	"reef.handoff", "report.json"
};
#define NOUTPUTS	(sizeof(outputs) / sizeof(outputs[0]))

/*
 * The suite's state: servers, repository, and the reference runs.
 * cache1/out1: generation 1 fetched; cache2/out2: generation 2 fetched
 * over a copy of cache1 (an uninterrupted run of what test 2 kills);
 * old_set/new_set: digests of offline runs over cache1 and cache2.
 */
static struct {
	struct vu_fix	 vu;
	int		 prepared;	/* 1 ok, -1 failed, 0 not yet */
	unsigned int	 seed;
	char		*cache1, *out1, *cache2, *out2;
	char		*old_set, *new_set, *fetched_set;
	double		 offline_s;	/* longest uninterrupted offline run */
	double		 online_s;	/* the generation-2 fetch run */
	int		 repos;		/* repositories it fetched */
	char		*user;		/* the test's user name, for --user */
} fx;

/* fx.vu.dir/<name>, malloc'd. */
static char *
scratch(const char *name)
{
	return tu_asprintf("%s/%s", fx.vu.dir, name);
}

/* Seconds since an earlier CLOCK_MONOTONIC reading. */
static double
since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* xorshift32: the next pseudo-random number of *s (never 0). */
static unsigned int
next_random(unsigned int *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* A kill moment in microseconds: lo..hi percent of run seconds. */
static useconds_t
kill_moment(unsigned int *s, double run, int lo, int hi)
{
	int pct = lo + (int)(next_random(s) % (unsigned int)(hi - lo + 1));

	return (useconds_t)(run * 1e6 * pct / 100.0);
}

/* The reef validate command line, malloc'd. */
static char *
reef_cmd(const char *cache, const char *out, int offline)
{
	char *reef = vu_reef_path(), *cmd;

	/*
	 * --user: the test's own user, so that root does not become _reef
	 * when that account exists (privdrop.h): the copies made with cp -a
	 * are the test's.
	 */
	cmd = tu_asprintf("'%s' validate -v -t '%s/tals' -d '%s' -o '%s' "
	    "--user '%s' --allow-dubious-hosts --ca-file '%s' --timeout %d "
	    "-f all --at @%lld%s", reef, fx.vu.repo, cache, out, fx.user,
	    fx.vu.ca_file, FETCH_TIMEOUT, AT_VALID,
	    offline ? " --offline" : "");
	free(reef);
	return cmd;
}

/*
 * Run reef validate to completion; the seconds it took in *took and the
 * path of its log in *logp (malloc'd), each unless NULL.  Returns the
 * exit status; a failure shows the log.
 */
static int
reef_run(const char *cache, const char *out, int offline, double *took,
    char **logp)
{
	char *cmd = reef_cmd(cache, out, offline), *log = vu_run_log(&fx.vu);
	struct timespec t0;
	int st;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = tu_system("timeout %d %s >'%s' 2>&1", RUN_TIMEOUT, cmd, log);
	if (took != NULL)
		*took = since(&t0);
	vu_check_sanitizer(log);
	if (st != REEF_OK)
		vu_show_log(log);
	if (logp != NULL)
		*logp = log;
	else
		free(log);
	free(cmd);
	return st;
}

/*
 * Start reef validate with its log in log, SIGKILL it after delay
 * microseconds and reap it.  Returns its exit status, or -1 when the
 * signal ended it.
 */
static int
reef_kill(const char *cache, const char *out, int offline, useconds_t delay,
    const char *log)
{
	char *cmd = reef_cmd(cache, out, offline);
	char *line = tu_asprintf("exec %s >'%s' 2>&1", cmd, log);
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	CU_ASSERT_FATAL(pid > 0);
	usleep(delay);
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	free(line);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * The digest of out's outputs as a set: one line per public name with
 * the SHA-256 of its content, or "missing".  Fields that tell how long a
 * run or a fetch took, or what the fetch moved (bytes, objects, delta),
 * are zeroed first, and the cache directory in the TA certificates'
 * paths is replaced: they differ between two runs of the same content.
 * Every other byte counts.  malloc'd; NULL if the command failed.
 */
static char *
set_digest(const char *out)
{
	char line[DIGEST_LINE_MAX], *cmd, *names = tu_asprintf("%s", "");
	char *all = tu_asprintf("%s", ""), *tmp;
	size_t i;
	FILE *p;
	int st;

	for (i = 0; i < NOUTPUTS; i++) {
		tmp = tu_asprintf("%s %s", names, outputs[i]);
		free(names);
		names = tmp;
	}
	cmd = tu_asprintf("cd '%s' && for f in%s; do "
	    "if [ ! -f \"$f\" ]; then echo \"$f missing\"; continue; fi; "
	    "printf '%%s ' \"$f\"; case $f in *.handoff) cat \"$f\";; "
	    "*) LC_ALL=C sed -E 's/\"(elapsedtime|usertime|systemtime|"
	    "milliseconds|bytes|objects)\": *[0-9]+/\"\\1\": 0/g; "
	    "s/\"(delta|unchanged)\": *(true|false)/\"\\1\": false/g; "
	    "s/^# Processing time .*$/# Processing time/; "
	    "s#%s/[^/\"]*/ta/#CACHE/ta/#g' \"$f\";; esac | "
	    "sha256sum | cut -c1-64; done", out, names, fx.vu.dir);
	free(names);
	if ((p = popen(cmd, "r")) == NULL) {
		free(cmd);
		free(all);
		return NULL;
	}
	while (fgets(line, sizeof(line), p) != NULL) {
		tmp = tu_asprintf("%s%s", all, line);
		free(all);
		all = tmp;
	}
	st = pclose(p);
	free(cmd);
	if (st != 0) {
		free(all);
		return NULL;
	}
	return all;
}

/* Lines of the file at path holding needle (0 if it cannot be read). */
static int
count_lines(const char *path, const char *needle)
{
	char line[DIGEST_LINE_MAX * 4];
	FILE *fp;
	int n = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(fp);
	return n;
}

/* 1 if every public output name of out resolves to a file, else 0. */
static int
all_resolve(const char *out)
{
	struct stat st;
	size_t i;
	char *p;
	int ok = 1;

	for (i = 0; i < NOUTPUTS; i++) {
		p = tu_asprintf("%s/%s", out, outputs[i]);
		if (stat(p, &st) == -1 || !S_ISREG(st.st_mode)) {
			printf("\n    %s does not resolve", p);
			ok = 0;
		}
		free(p);
	}
	return ok;
}

/* 1 if out's hidden entries are .current and the run it names only. */
static int
layout_clean(const char *out)
{
	return tu_system("cd '%s' && [ \"$(ls -A | grep '^\\.' | "
	    "tr '\\n' ' ')\" = \".current $(readlink .current) \" ]",
	    out) == 0;
}

/* A digest of an offline run over cache into a new directory out. */
static char *
offline_set(const char *cache, const char *out, double *took)
{
	tu_system("rm -rf '%s'", out);
	if (reef_run(cache, out, 1, took, NULL) != REEF_OK)
		return NULL;
	return set_digest(out);
}

/* The reference runs of the suite; 1 when they all worked. */
static int
prepare(void)
{
	char *g1, *g2, *ref, *digest, *log = NULL;
	double took;
	int i;

	g1 = tu_asprintf("%s/gen1", fx.vu.repo);
	g2 = tu_asprintf("%s/gen2", fx.vu.repo);
	ref = scratch("out-ref");
	fx.cache1 = scratch("cache1");
	fx.out1 = scratch("out1");
	fx.cache2 = scratch("cache2");
	fx.out2 = scratch("out2");
	fx.prepared = -1;
	if (vu_switch(&fx.vu, g1) != 0 ||
	    reef_run(fx.cache1, fx.out1, 0, NULL, NULL) != REEF_OK ||
	    vu_switch(&fx.vu, g2) != 0 ||
	    tu_system("cp -a '%s' '%s'", fx.cache1, fx.cache2) != 0 ||
	    reef_run(fx.cache2, fx.out2, 0, &fx.online_s, &log) != REEF_OK)
		goto out;
	fx.repos = count_lines(log, "fetched over");
	if ((fx.old_set = offline_set(fx.cache1, ref, NULL)) == NULL ||
	    (fx.fetched_set = set_digest(fx.out2)) == NULL)
		goto out;
	for (i = 0; i < TIMED_RUNS; i++) {
		if ((digest = offline_set(fx.cache2, ref, &took)) == NULL)
			goto out;
		if (took > fx.offline_s)
			fx.offline_s = took;
		/* Runs of the same cache give the same set. */
		CU_ASSERT(fx.new_set == NULL ||
		    strcmp(digest, fx.new_set) == 0);
		free(fx.new_set);
		fx.new_set = digest;
	}
	fx.prepared = 1;
 out:
	CU_ASSERT_EQUAL(fx.prepared, 1);
	free(log);
	free(g1);
	free(g2);
	free(ref);
	return fx.prepared;
}

/* Servers, repository and reference runs; 1, or -1 to skip or fail. */
static int
setup(void)
{
	const struct passwd *pw;
	const char *e;

	if (vu_start(&fx.vu, "crash", VU_TOOLS, GEN_SEED, GEN_OPTS) != 1)
		return -1;
	if (fx.prepared != 0)
		return fx.prepared;
	if ((pw = getpwuid(geteuid())) == NULL) {
		CU_FAIL("no name for the test's user");
		fx.prepared = -1;
		return -1;
	}
	fx.user = tu_asprintf("%s", pw->pw_name);
	e = getenv("REEF_CRASH_SEED");
	fx.seed = e != NULL ? (unsigned int)strtoul(e, NULL, 10) :
	    (unsigned int)time(NULL) ^ (unsigned int)getpid();
	if (fx.seed == 0)
		fx.seed = 1;
	printf("\n    seed %u (REEF_CRASH_SEED=%u repeats it) ", fx.seed,
	    fx.seed);
	if (prepare() != 1)
		return -1;
	printf("\n    uninterrupted: offline %.0f ms, online %.0f ms ",
	    fx.offline_s * 1000, fx.online_s * 1000);
	/* Generation 2 changes payloads: old and new sets differ. */
	CU_ASSERT(strcmp(fx.old_set, fx.new_set) != 0);
	return 1;
}

static int
cleanup(void)
{
	free(fx.cache1);
	free(fx.out1);
	free(fx.cache2);
	free(fx.out2);
	free(fx.old_set);
	free(fx.new_set);
	free(fx.fetched_set);
	free(fx.user);
	vu_finish(&fx.vu);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

/*
 * Which set out holds: "old", "new", or NULL after printing what it
 * holds (torn, or a name that does not resolve).
 */
static const char *
which_set(const char *out, const char *old_set, const char *new_set)
{
	char *got = set_digest(out);
	const char *r = NULL;

	if (got != NULL && strcmp(got, old_set) == 0)
		r = "old";
	else if (got != NULL && strcmp(got, new_set) == 0)
		r = "new";
	else
		printf("\n    %s holds neither set:\n%s", out,
		    got != NULL ? got : "(no digest)");
	if (!all_resolve(out))
		r = NULL;
	free(got);
	return r;
}

/*
 * 1. KILLS offline runs of generation 2 over generation-1 outputs, each
 * killed at a random moment: the outputs are the old or the new set, and
 * the next run gives the new set, with no leftovers.
 */
static void
test_crash_kill_runs(void)
{
	char *base, *out, *got, *log;
	const char *which;
	unsigned int rnd;
	useconds_t at;
	int k, st, olds = 0, news = 0;

	if (setup() != 1)
		return;
	rnd = fx.seed;
	base = scratch("out-old");
	out = scratch("out-kill");
	got = offline_set(fx.cache1, base, NULL);
	CU_ASSERT_FATAL(got != NULL && strcmp(got, fx.old_set) == 0);
	free(got);
	for (k = 0; k < KILLS; k++) {
		CU_ASSERT_EQUAL_FATAL(tu_system("rm -rf '%s' && cp -a '%s' "
		    "'%s'", out, base, out), 0);
		at = kill_moment(&rnd, fx.offline_s, k % 2 == 0 ?
		    KILL_LO_PCT : KILL_LATE_PCT, KILL_HI_PCT);
		log = vu_run_log(&fx.vu);
		st = reef_kill(fx.cache2, out, 1, at, log);
		free(log);
		which = which_set(out, fx.old_set, fx.new_set);
		printf("\n    kill %2d at %4.0f ms: %s (%s) ", k + 1,
		    at / 1000.0, which != NULL ? which : "TORN",
		    st == -1 ? "killed" : "had ended");
		CU_ASSERT_PTR_NOT_NULL(which);
		if (which != NULL && strcmp(which, "old") == 0)
			olds++;
		else if (which != NULL)
			news++;
		/* The next run completes and gives the uninterrupted set. */
		CU_ASSERT_EQUAL(reef_run(fx.cache2, out, 1, NULL, NULL),
		    REEF_OK);
		CU_ASSERT(which_set(out, fx.new_set, fx.new_set) != NULL);
		CU_ASSERT(layout_clean(out));
	}
	printf("\n    %d kills left the old set, %d the new one ", olds, news);
	free(base);
	free(out);
}

/*
 * 2. Online runs fetching generation 2 over a generation-1 cache, killed
 * while fetching (FETCH_KILLS of them: a kill that missed the fetch, as
 * the log tells, is tried again, FETCH_TRIES in all): the outputs are a
 * whole set; the next run succeeds with the uninterrupted run's outputs,
 * and the cache then gives the new set offline.
 */
static void
test_crash_kill_fetch(void)
{
	char *cache, *out, *ref, *old, *got, *log;
	const char *which;
	unsigned int rnd;
	useconds_t at;
	int k, st, fetched, in_fetch = 0;

	if (setup() != 1)
		return;
	/* Another stream than test 1's, from the same seed. */
	rnd = fx.seed ^ 0x9e3779b9u;
	if (rnd == 0)
		rnd = 1;
	cache = scratch("cache-fetch");
	out = scratch("out-fetch");
	ref = scratch("out-fetch-ref");
	old = set_digest(fx.out1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(old);
	for (k = 0; k < FETCH_TRIES && in_fetch < FETCH_KILLS; k++) {
		CU_ASSERT_EQUAL_FATAL(tu_system("rm -rf '%s' '%s' && "
		    "cp -a '%s' '%s' && cp -a '%s' '%s'", cache, out,
		    fx.cache1, cache, fx.out1, out), 0);
		at = kill_moment(&rnd, fx.online_s, FETCH_LO_PCT,
		    FETCH_HI_PCT);
		log = vu_run_log(&fx.vu);
		st = reef_kill(cache, out, 0, at, log);
		fetched = count_lines(log, "fetched over");
		free(log);
		if (st == -1 && fetched < fx.repos)
			in_fetch++;
		which = which_set(out, old, fx.fetched_set);
		printf("\n    fetch kill %d at %4.0f ms: %s (%s; %d of %d "
		    "repositories fetched) ", k + 1, at / 1000.0,
		    which != NULL ? which : "TORN",
		    st == -1 ? "killed" : "had ended", fetched, fx.repos);
		CU_ASSERT_PTR_NOT_NULL(which);
		/* The cache is usable: the fetch completes... */
		CU_ASSERT_EQUAL(reef_run(cache, out, 0, NULL, NULL), REEF_OK);
		CU_ASSERT(which_set(out, fx.fetched_set, fx.fetched_set) !=
		    NULL);
		CU_ASSERT(layout_clean(out));
		/* ...and holds exactly generation 2. */
		got = offline_set(cache, ref, NULL);
		CU_ASSERT(got != NULL && strcmp(got, fx.new_set) == 0);
		free(got);
	}
	CU_ASSERT_EQUAL(in_fetch, FETCH_KILLS);
	free(old);
	free(cache);
	free(out);
	free(ref);
}

REEF_SUITE_FULL(integration_crash, NULL, cleanup,
    REEF_TEST(test_crash_kill_runs),
    REEF_TEST(test_crash_kill_fetch));
