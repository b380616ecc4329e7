/*
 * Integration: how `reef validate` behaves as an operated service, against
 * reef-repogen repositories served over RRDP and rsync by
 * tests/tools/serve.sh on 127.0.0.1: exit 2 when a repository is gone,
 * the cache lock, the metrics, --timeout with a server that hangs,
 * kill -9 at several moments, the chain fields of report.json, and
 * `reef explain` and `reef diff` on real outputs.
 *
 * One server pair runs for the whole suite (started on an empty tree so
 * that its ports are known before the generator writes them into every
 * URI).  When rsync, nginx or the built programs are missing, or
 * REEF_TESTS_UNIT_ONLY is set, each test prints SKIPPED and passes.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
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
#include "validator/runout.h"

/* Wall-clock cap of one reef run (timeout(1)), in seconds. */
#define RUN_TIMEOUT		60
/* reef's own deadline for the runs that reach a live server. */
#define FETCH_TIMEOUT		30
/* --timeout of the run facing a server that never answers. */
#define HANG_TIMEOUT		6
/* Slack over HANG_TIMEOUT for the walk and process start-up, in s. */
#define HANG_SLACK		3
/* Generator seed and base time (reef-repogen(1) --time default). */
#define GEN_SEED		3301
#define GEN_BASE		1767225600LL
/* A validation time inside every object's validity. */
#define AT_VALID		(GEN_BASE + 86400)
/* kill -9 moments: KILLS of them, from KILL_FIRST_MS in KILL_STEP_MS. */
#define KILLS			5
#define KILL_FIRST_MS		50
#define KILL_STEP_MS		112
/* Polls of the lock file while the first run starts, 50 ms apart. */
#define LOCK_POLLS		100
#define POLL_US			50000
/* Most issuers from a ROA up to its TA (MAX_CERT_DEPTH is far above). */
#define CHAIN_MAX		32
#define EX_LOCKED		1
/* Options of the kill -9 runs: deterministic files only. */
#define KILL_FMT		"--timeout %d -f csv,handoff --at @%lld"
#define REEF_OK			0
#define REEF_FAIL		1
#define REEF_PARTIAL		2

/* The servers, the scratch directory and the clean repository. */
static struct vu_fix fx;

/* Servers up and the clean repository generated; 1, or -1 to skip. */
static int
setup(void)
{
	return vu_start(&fx, "validate-ops", VU_TOOLS, GEN_SEED,
	    "--scale tiny --generations 2");
}

static int
cleanup(void)
{
	vu_finish(&fx);
	return 0;
}

/* fx.dir/<name>, malloc'd. */
static char *
scratch(const char *name)
{
	return tu_asprintf("%s/%s", fx.dir, name);
}

/* The reef validate command line for cache and out, with extra flags. */
static char *
reef_cmd(const char *cache, const char *out, const char *extra)
{
	char *reef = vu_reef_path(), *cmd;

	cmd = tu_asprintf("'%s' validate -v -t '%s/tals' -d '%s' -o '%s' "
	    "--allow-dubious-hosts --ca-file '%s' %s %s", reef, fx.repo, cache,
	    out, fx.ca_file, vu_user_opt(), extra);
	free(reef);
	return cmd;
}

/*
 * Run reef validate to completion; its log goes to a new file named in
 * *logp (malloc'd; may be NULL).  Returns the exit status.
 */
static int
reef_run(const char *cache, const char *out, char **logp, const char *fmt,
    ...)
{
	char *extra, *cmd, *log;
	va_list ap;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&extra, fmt, ap) == -1)
		abort();
	va_end(ap);
	cmd = reef_cmd(cache, out, extra);
	log = vu_run_log(&fx);
	st = tu_system("timeout %d %s >'%s' 2>&1", RUN_TIMEOUT, cmd, log);
	vu_check_sanitizer(log);
	if (logp != NULL)
		*logp = log;
	else
		free(log);
	free(cmd);
	free(extra);
	return st;
}

/* Start reef validate in the background; its PID, or -1. */
static pid_t
reef_start(const char *cache, const char *out, const char *log,
    const char *extra)
{
	char *cmd = reef_cmd(cache, out, extra);
	pid_t pid;

	if ((pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", tu_asprintf("exec %s >'%s' 2>&1",
		    cmd, log), (char *)NULL);
		_exit(127);
	}
	free(cmd);
	return pid;
}

/* Exit status of pid (waited for), -1 if it did not exit. */
static int
reef_wait(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The first non-TA module of gen (a directory of gen/rsync); malloc'd. */
static char *
first_module(const char *gen)
{
	char *path = tu_asprintf("%s/rsync", gen), *m = NULL;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' &&
			    strncmp(de->d_name, "repo-ta", 7) != 0 &&
			    strcmp(de->d_name, "ta") != 0 &&
			    (m == NULL || strcmp(de->d_name, m) < 0)) {
				free(m);
				m = tu_asprintf("%s", de->d_name);
			}
		closedir(d);
	}
	free(path);
	return m;
}

/* The PID of nginx of serve.sh, or -1. */
static pid_t
nginx_pid(void)
{
	char *path = tu_asprintf("%s/nginx/nginx.pid", fx.state);
	unsigned char *buf;
	pid_t pid = -1;
	int i;

	/* nginx rewrites the file on a reload (vu_switch): retry a while. */
	for (i = 0; i < 50 && pid <= 0; i++) {
		if (i > 0)
			usleep(100000);
		buf = tu_read_file(path, NULL);
		pid = buf != NULL ? (pid_t)atol((char *)buf) : -1;
		free(buf);
	}
	free(path);
	return pid > 0 ? pid : -1;
}

/*
 * Send sig to nginx's master and its workers (the workers answer, so
 * stopping the master alone would not do).  0, or -1 when there is none.
 */
static int
nginx_signal(pid_t master, int sig)
{
	char *path;
	unsigned char *kids;
	char *p, *end;
	long pid;

	path = tu_asprintf("/proc/%ld/task/%ld/children", (long)master,
	    (long)master);
	kids = tu_read_file(path, NULL);
	free(path);
	if (kill(master, sig) != 0) {
		free(kids);
		return -1;
	}
	for (p = (char *)kids; p != NULL && *p != '\0'; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0)
			kill((pid_t)pid, sig);
	}
	free(kids);
	return 0;
}

/* A run over gen1 into a new cache and out; 1 if it worked. */
static int
first_run(const char *cache, const char *out)
{
	char *g1 = tu_asprintf("%s/gen1", fx.repo);
	int ok;

	ok = vu_switch(&fx, g1) == 0 && reef_run(cache, out, NULL,
	    "--timeout %d -f csv,json,handoff,report --at @%lld",
	    FETCH_TIMEOUT, AT_VALID) == REEF_OK;
	CU_ASSERT(ok);
	free(g1);
	return ok;
}

/*
 * 1. One repository's server is gone (its module removed from both the
 * rsync and the RRDP tree): exit 2, the cached copy still gives its VRPs
 * (vrps.csv unchanged), metrics and report.json name the repository.
 */
static void
test_ops_partial(void)
{
	char *cache, *out, *g1, *gone, *mod, *log = NULL, *csv, *copy, *line;
	char *met, *rep;

	if (setup() != 1)
		return;
	cache = scratch("cache-partial");
	out = scratch("out-partial");
	copy = scratch("copy-partial.csv");
	g1 = tu_asprintf("%s/gen1", fx.repo);
	gone = scratch("gone");
	csv = tu_asprintf("%s/vrps.csv", out);
	met = tu_asprintf("%s/metrics", out);
	rep = tu_asprintf("%s/report.json", out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mod = first_module(g1));
	if (!first_run(cache, out))
		goto out;
	CU_ASSERT(vu_file_has(met, "reef_validate_result{result=\"ok\"} 1\n"));
	CU_ASSERT_EQUAL(tu_system("cp '%s' '%s'", csv, copy), 0);
	CU_ASSERT_EQUAL_FATAL(tu_system("cp -al '%s' '%s' && rm -rf "
	    "'%s/rsync/%s' '%s/rrdp/%s'", g1, gone, gone, mod, gone, mod), 0);
	vu_switch(&fx, gone);
	CU_ASSERT_EQUAL(reef_run(cache, out, &log, "--timeout %d -f csv,json,"
	    "handoff,report --at @%lld", FETCH_TIMEOUT, AT_VALID),
	    REEF_PARTIAL);
	/* The others' VRPs and the cached one's are all there. */
	CU_ASSERT(vu_same_file(csv, copy));
	line = tu_asprintf("reef_repository_fetch{repository=\"rsync://"
	    "localhost:%d/%s/\",", fx.rport, mod);
	CU_ASSERT(vu_file_has(met, line));
	free(line);
	CU_ASSERT(vu_file_has(met, "result=\"stale\"} 1\n"));
	CU_ASSERT(vu_file_has(met,
	    "reef_validate_result{result=\"partial\"} 1"));
	CU_ASSERT(vu_file_has(met, "reef_validate_exit_status 2\n"));
	/* report.json: one repository per line. */
	line = tu_asprintf("{\"uri\":\"rsync://localhost:%d/%s/\",", fx.rport,
	    mod);
	CU_ASSERT(vu_file_has(rep, line));
	CU_ASSERT(vu_file_has(rep, "\"result\":\"stale\""));
	free(line);
	CU_ASSERT(vu_file_has(log, "not fetched (stale)"));
	if (CU_get_number_of_failures() != fx.failures)
		vu_show_log(log);
	free(log);
 out:
	free(mod);
	free(cache);
	free(out);
	free(copy);
	free(g1);
	free(gone);
	free(csv);
	free(met);
	free(rep);
}

/*
 * 2. nginx stopped (SIGSTOP: connections are accepted but never
 * answered).  A run with --timeout HANG_TIMEOUT holds the cache lock: a
 * second run on the same cache exits 1 at once naming the first's PID.
 * The first gives up fetching in time and still validates the cached
 * data: exit 2 within HANG_TIMEOUT + HANG_SLACK seconds, same VRPs.
 */
static void
test_ops_lock_and_timeout(void)
{
	char *cache, *out, *out2, *log, *log2 = NULL, *lock, *csv, *copy;
	char *want;
	struct timespec t0, t1;
	unsigned char *held;
	pid_t ng, pid;
	double took;
	int i, st;

	if (setup() != 1)
		return;
	cache = scratch("cache-lock");
	out = scratch("out-lock");
	out2 = scratch("out-lock2");
	log = scratch("run-hang.log");
	lock = tu_asprintf("%s/.lock", cache);
	csv = tu_asprintf("%s/vrps.csv", out);
	copy = scratch("copy-lock.csv");
	if (!first_run(cache, out) || (ng = nginx_pid()) == -1) {
		CU_FAIL("no first run or no nginx pid");
		goto out;
	}
	CU_ASSERT_EQUAL(tu_system("cp '%s' '%s'", csv, copy), 0);
	CU_ASSERT_EQUAL_FATAL(nginx_signal(ng, SIGSTOP), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	want = tu_asprintf("--timeout %d -f csv,json,handoff,report --at "
	    "@%lld", HANG_TIMEOUT, AT_VALID);
	pid = reef_start(cache, out, log, want);
	free(want);
	CU_ASSERT(pid > 0);
	/* Wait for the first run to write its PID into the lock file. */
	want = tu_asprintf("%ld\n", (long)pid);
	for (i = 0; i < LOCK_POLLS; i++) {
		held = tu_read_file(lock, NULL);
		st = held != NULL && strcmp((char *)held, want) == 0;
		free(held);
		if (st)
			break;
		usleep(POLL_US);
	}
	CU_ASSERT(i < LOCK_POLLS);
	CU_ASSERT_EQUAL(reef_run(cache, out2, &log2, "--offline"), EX_LOCKED);
	free(want);
	want = tu_asprintf("(PID %ld)", (long)pid);
	CU_ASSERT(vu_file_has(log2, want) && vu_file_has(log2, lock));
	free(want);
	/*
	 * The loser wrote nothing: no output, no metrics.  Started as root
	 * with --user (the test helpers pass one), it may have created the
	 * empty output directory for that user before it met the lock.
	 */
	CU_ASSERT(access(out2, F_OK) == -1 ||
	    tu_system("[ -z \"$(ls -A '%s')\" ]", out2) == 0);
	st = reef_wait(pid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	nginx_signal(ng, SIGCONT);
	took = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CU_ASSERT_EQUAL(st, REEF_PARTIAL);
	CU_ASSERT(took < HANG_TIMEOUT + HANG_SLACK);
	CU_ASSERT(vu_same_file(csv, copy));
	if (CU_get_number_of_failures() != fx.failures) {
		printf("\n    hanging run: exit %d after %.1f s", st, took);
		vu_show_log(log);
		vu_show_log(log2);
	}
 out:
	free(log2);
	free(cache);
	free(out);
	free(out2);
	free(log);
	free(lock);
	free(csv);
	free(copy);
}

/* Each output file of out equals the one of a or of b (verbose: say so). */
static int
each_old_or_new(const char *out, const char *a, const char *b, int verbose)
{
	static const char *const files[] = { "vrps.csv", "reef.handoff" };
	char *fo, *fa, *fb;
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		fo = tu_asprintf("%s/%s", out, files[i]);
		fa = tu_asprintf("%s/%s", a, files[i]);
		fb = tu_asprintf("%s/%s", b, files[i]);
		if (!vu_same_file(fo, fa) && !vu_same_file(fo, fb)) {
			if (verbose)
				printf("\n    %s is neither the old nor the "
				    "new one", fo);
			ok = 0;
		}
		free(fo);
		free(fa);
		free(fb);
	}
	return ok;
}

/*
 * 3. kill -9 at KILLS moments of a generation-2 run over a generation-1
 * cache and outputs: every output is the old or the new complete file,
 * and the next run gives what an uninterrupted run gives.
 */
static void
test_ops_kill9(void)
{
	char *base_cache, *base_out, *ref_cache, *ref_out, *cache, *out;
	char *g2, *log, *extra;
	pid_t pid;
	int k, st;

	if (setup() != 1)
		return;
	base_cache = scratch("cache-kill-base");
	base_out = scratch("out-kill-base");
	ref_cache = scratch("cache-kill-ref");
	ref_out = scratch("out-kill-ref");
	cache = scratch("cache-kill");
	out = scratch("out-kill");
	log = scratch("run-kill.log");
	g2 = tu_asprintf("%s/gen2", fx.repo);
	if (!first_run(base_cache, base_out))
		goto out;
	/* The first run wrote more formats: keep the two compared. */
	CU_ASSERT_EQUAL(reef_run(base_cache, base_out, NULL, "--offline "
	    "-f csv,handoff --at @%lld", AT_VALID), REEF_OK);
	vu_switch(&fx, g2);
	CU_ASSERT_EQUAL_FATAL(tu_system("cp -a '%s' '%s' && cp -a '%s' '%s'",
	    base_cache, ref_cache, base_out, ref_out), 0);
	CU_ASSERT_EQUAL_FATAL(reef_run(ref_cache, ref_out, NULL, KILL_FMT,
	    FETCH_TIMEOUT, AT_VALID), REEF_OK);
	/* Generation 2 changes payloads, so old and new can be told apart. */
	CU_ASSERT(!each_old_or_new(ref_out, base_out, base_out, 0));
	for (k = 0; k < KILLS; k++) {
		CU_ASSERT_EQUAL(tu_system("rm -rf '%s' '%s' && cp -a '%s' '%s' "
		    "&& cp -a '%s' '%s'", cache, out, base_cache, cache,
		    base_out, out), 0);
		extra = tu_asprintf(KILL_FMT, FETCH_TIMEOUT, AT_VALID);
		pid = reef_start(cache, out, log, extra);
		free(extra);
		usleep((useconds_t)(KILL_FIRST_MS + k * KILL_STEP_MS) * 1000);
		kill(pid, SIGKILL);
		st = reef_wait(pid);
		if (!each_old_or_new(out, base_out, ref_out, 1)) {
			printf("\n    killed after %d ms (status %d)",
			    KILL_FIRST_MS + k * KILL_STEP_MS, st);
			CU_FAIL("outputs torn by kill -9");
		}
		/* The lock died with the process; the run completes. */
		st = reef_run(cache, out, NULL, KILL_FMT, FETCH_TIMEOUT,
		    AT_VALID);
		CU_ASSERT_EQUAL(st, REEF_OK);
		if (!each_old_or_new(out, ref_out, ref_out, 1)) {
			printf("\n    the run after a kill at %d ms differs",
			    KILL_FIRST_MS + k * KILL_STEP_MS);
			CU_FAIL("run after kill -9 differs");
		}
		/* No temporary left: .current and the run it names only. */
		CU_ASSERT_EQUAL(tu_system("cd '%s' && [ \"$(ls -A | grep "
		    "'^\\.' | tr '\\n' ' ')\" = \".current $(readlink "
		    ".current) \" ]", out), 0);
	}
 out:
	free(base_cache);
	free(base_out);
	free(ref_cache);
	free(ref_out);
	free(cache);
	free(out);
	free(log);
	free(g2);
}

/*
 * 4. report.json of a generation-1 run: every accepted ROA has its chain
 * (issuer, manifest, TA, validity, contents) and the issuers lead to a
 * TA certificate; the manifests carry their update times.
 */
static void
test_ops_report_chain(void)
{
	const struct runout_obj *o, *up, *m;
	char *cache, *out, err[RUNOUT_ERRLEN];
	struct runout ro;
	size_t i, roas = 0, bad = 0, depth;

	if (setup() != 1)
		return;
	cache = scratch("cache-chain");
	out = scratch("out-chain");
	memset(&ro, 0, sizeof(ro));
	if (!first_run(cache, out))
		goto out;
	CU_ASSERT_EQUAL_FATAL(runout_load(out, RUNOUT_NEED_REPORT, &ro, err,
	    sizeof(err)), 0);
	CU_ASSERT(ro.has_chain && ro.has_payloads);
	for (i = 0; i < ro.nobjs; i++) {
		o = &ro.objs[i];
		if (strcmp(o->type, "roa") != 0 || !o->accepted)
			continue;
		roas++;
		if (o->issuer == NULL || o->manifest == NULL || o->ta == NULL ||
		    !o->has_validity || o->not_before >= o->not_after ||
		    !o->has_asn || o->nprefixes == 0) {
			printf("\n    %s lacks chain fields", o->uri);
			bad++;
			continue;
		}
		m = runout_find(&ro, o->manifest);
		if (m == NULL || strcmp(m->type, "mft") != 0 ||
		    !m->has_update || m->this_update >= m->next_update) {
			printf("\n    %s: manifest %s not reported", o->uri,
			    o->manifest);
			bad++;
		}
		for (up = o, depth = 0; depth < CHAIN_MAX &&
		    up->issuer != NULL && up->issuer[0] != '\0'; depth++)
			if ((up = runout_issuer(&ro, up)) == NULL ||
			    strcmp(up->ta, o->ta) != 0)
				break;
		if (up == NULL || up->issuer == NULL || up->issuer[0] != '\0') {
			printf("\n    %s: chain does not reach a TA", o->uri);
			bad++;
		}
	}
	CU_ASSERT(roas > 0);
	CU_ASSERT_EQUAL(bad, 0);
	runout_free(&ro);
 out:
	free(cache);
	free(out);
}

/* Run a reef subcommand; its stdout into *outp (malloc'd).  Exit status. */
static int
reef_tool(char **outp, const char *args)
{
	char *reef = vu_reef_path(), *file = scratch("tool.out");
	int st;

	st = tu_system("timeout %d '%s' %s >'%s' 2>&1", RUN_TIMEOUT, reef,
	    args, file);
	*outp = (char *)tu_read_file(file, NULL);
	if (*outp == NULL)
		*outp = tu_asprintf("%s", "");
	unlink(file);
	free(file);
	free(reef);
	return st;
}

/*
 * 5. reef explain for a VRP of the generated repository prints its chain:
 * the ROA, its manifest and its issuer up to the TA certificate.
 */
static void
test_ops_explain(void)
{
	const struct runout_obj *o = NULL, *up;
	char *cache, *out, *args, *text = NULL, pfx[PREFIX_STRLEN];
	char err[RUNOUT_ERRLEN];
	struct runout ro;
	size_t i, depth;

	if (setup() != 1)
		return;
	cache = scratch("cache-explain");
	out = scratch("out-explain");
	memset(&ro, 0, sizeof(ro));
	if (!first_run(cache, out) || runout_load(out, RUNOUT_NEED_REPORT,
	    &ro, err, sizeof(err)) != 0) {
		CU_FAIL("no run to explain");
		goto out;
	}
	for (i = 0; i < ro.nobjs && o == NULL; i++)
		if (strcmp(ro.objs[i].type, "roa") == 0 &&
		    ro.objs[i].accepted && ro.objs[i].nprefixes > 0)
			o = &ro.objs[i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_FATAL(prefix_format(&o->prefixes[0].prefix, pfx,
	    sizeof(pfx)) > 0);
	args = tu_asprintf("explain -o '%s' %s AS%u", out, pfx, o->asn);
	CU_ASSERT_EQUAL(reef_tool(&text, args), 0);
	free(args);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, ": valid"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, o->uri));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, o->manifest));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, o->issuer));
	CU_ASSERT_PTR_NULL(strstr(text, "records no issuer"));
	/* Every certificate up to the TA is named. */
	for (up = o, depth = 0; depth < CHAIN_MAX && up != NULL &&
	    up->issuer != NULL && up->issuer[0] != '\0'; depth++) {
		up = runout_issuer(&ro, up);
		CU_ASSERT(up != NULL && strstr(text, up->uri) != NULL);
	}
	if (CU_get_number_of_failures() != fx.failures)
		printf("\n    reef explain said:\n%s", text);
	free(text);
	runout_free(&ro);
 out:
	free(cache);
	free(out);
}

/*
 * 6. reef diff of the outputs of generation 1 and 2: the changes are
 * grouped by TA and by the CA certificate issuing the ROAs.
 */
static void
test_ops_diff(void)
{
	char *cache, *out1, *out2, *g2, *args, *text = NULL;

	if (setup() != 1)
		return;
	cache = scratch("cache-diff");
	out1 = scratch("out-diff1");
	out2 = scratch("out-diff2");
	g2 = tu_asprintf("%s/gen2", fx.repo);
	if (!first_run(cache, out1))
		goto out;
	vu_switch(&fx, g2);
	CU_ASSERT_EQUAL(reef_run(cache, out2, NULL, "--timeout %d -f csv,json,"
	    "handoff,report --at @%lld", FETCH_TIMEOUT, AT_VALID), REEF_OK);
	args = tu_asprintf("diff '%s' '%s'", out1, out2);
	/* Exit 1: the two differ. */
	CU_ASSERT_EQUAL(reef_tool(&text, args), 1);
	free(args);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "VRPs: +"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  TA "));
	args = tu_asprintf("\n    CA rsync://localhost:%d/", fx.rport);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, args));
	free(args);
	if (CU_get_number_of_failures() != fx.failures)
		printf("\n    reef diff said:\n%s", text);
	free(text);
 out:
	free(cache);
	free(out1);
	free(out2);
	free(g2);
}

REEF_SUITE_FULL(integration_validate_ops, NULL, cleanup,
    REEF_TEST(test_ops_partial),
    REEF_TEST(test_ops_lock_and_timeout),
    REEF_TEST(test_ops_kill9),
    REEF_TEST(test_ops_report_chain),
    REEF_TEST(test_ops_explain),
    REEF_TEST(test_ops_diff))
