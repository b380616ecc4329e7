/*
 * Integration: privilege separation of `reef validate` and `reef fetch`
 * (reef(8), SANDBOX) with the real binary against a reef-repogen
 * repository served on 127.0.0.1 by tests/tools/serve.sh.
 *
 * 1. Confined runs give the generator's VRPs, online, offline, with
 *    --no-sandbox, and reef fetch; the log names the confinement (the
 *    Landlock ABI the kernel offers, the seccomp filter).
 * 2. While a run waits for its fetcher (RRDP gone, the rsync daemon
 *    stopped), /proc shows the walk process with Seccomp 2 and
 *    NoNewPrivs 1 and the fetcher with no new privileges but no filter;
 *    the fetcher is then killed with SIGKILL and the run still completes
 *    from the cache: exit 2, the same VRPs, the death reported.
 *
 * When rsync, nginx or the built programs are missing, or
 * REEF_TESTS_UNIT_ONLY is set, each test prints SKIPPED and passes.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

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
#include "validator/sandbox.h"

/* Wall-clock cap of one run (timeout(1)), and reef's own deadline. */
#define RUN_TIMEOUT		60
#define FETCH_TIMEOUT		30
/* Generator seed and base time (reef-repogen(1) --time default). */
#define GEN_SEED		4409
#define GEN_BASE		1767225600LL
#define AT_VALID		(GEN_BASE + 86400)
/* Waiting for the run to reach the stopped rsync daemon: polls, 10 ms. */
#define HANG_POLLS		2000
#define POLL_US			10000
#define REEF_OK			0
#define REEF_PARTIAL		2

static struct vu_fix fx;

static int
setup(void)
{
	return vu_start(&fx, "sandbox", VU_TOOLS, GEN_SEED, "--scale tiny");
}

static int
cleanup(void)
{
	vu_finish(&fx);
	return 0;
}

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
	    "--allow-dubious-hosts --ca-file '%s' --timeout %d --at @%lld %s",
	    reef, fx.repo, cache, out, fx.ca_file, FETCH_TIMEOUT, AT_VALID,
	    extra);
	free(reef);
	return cmd;
}

/* Run reef validate to completion; its log is named in *logp. */
static int
reef_run(const char *cache, const char *out, const char *extra,
    char **logp)
{
	char *cmd = reef_cmd(cache, out, extra);
	int st;

	*logp = vu_run_log(&fx);
	st = tu_system("timeout %d %s >'%s' 2>&1", RUN_TIMEOUT, cmd, *logp);
	vu_check_sanitizer(*logp);
	free(cmd);
	return st;
}

/* 1 if out/vrps.csv holds the VRPs the generator expects of gen1. */
static int
vrps_expected(const char *out)
{
	struct vu_lines got, want;
	char *g1 = tu_asprintf("%s/gen1", fx.repo);
	int same;

	memset(&got, 0, sizeof(got));
	memset(&want, 0, sizeof(want));
	same = vu_read_vrps(out, &got) == 0 &&
	    vu_expected(g1, "vrps.csv", &want) == 0 && want.n > 0 &&
	    vu_lines_same("VRPs", &got, &want, 1);
	vu_lines_free(&got);
	vu_lines_free(&want);
	free(g1);
	return same;
}

/* The confinement the kernel allows, as the log line reads. */
static char *
expected_summary(void)
{
	int abi = sandbox_landlock_abi(NULL);

	if (abi == 0)
		return tu_asprintf("no Landlock, seccomp filter, no new "
		    "privileges");
	return tu_asprintf("Landlock ABI %d, seccomp filter, no new "
	    "privileges", abi);
}

/* 1. The VRPs with and without confinement, and what the log says. */
static void
test_sandbox_runs(void)
{
	char *cache, *out, *cache2, *out2, *log, *sum, *g1, *want, *reef;
	char *fcache;
	int abi = sandbox_landlock_abi(NULL);

	if (setup() != 1)
		return;
	g1 = tu_asprintf("%s/gen1", fx.repo);
	CU_ASSERT_EQUAL_FATAL(vu_switch(&fx, g1), 0);
	cache = scratch("cache");
	out = scratch("out");
	cache2 = scratch("cache-nosandbox");
	out2 = scratch("out-nosandbox");
	fcache = scratch("cache-fetch");
	sum = expected_summary();

	CU_ASSERT_EQUAL(reef_run(cache, out, "", &log), REEF_OK);
	CU_ASSERT(vrps_expected(out));
	CU_ASSERT(vu_file_has(log, "confinement: walk process "));
	CU_ASSERT(vu_file_has(log, sum));
	want = abi > 0 ? tu_asprintf(": Landlock ABI %d, writes to the "
	    "cache only", abi) : tu_asprintf(": no Landlock");
	CU_ASSERT(vu_file_has(log, want));
	free(want);
	if (abi == 0)
		CU_ASSERT(vu_file_has(log, "confinement: Landlock: "));
	free(log);

	/* Offline: no fetcher process, the walk confined all the same. */
	CU_ASSERT_EQUAL(reef_run(cache, out, "--offline", &log), REEF_OK);
	CU_ASSERT(vrps_expected(out));
	CU_ASSERT(vu_file_has(log, sum));
	CU_ASSERT(!vu_file_has(log, "fetcher process"));
	free(log);

	CU_ASSERT_EQUAL(reef_run(cache2, out2, "--no-sandbox", &log), REEF_OK);
	CU_ASSERT(vrps_expected(out2));
	CU_ASSERT(vu_file_has(log, "confinement: none (--no-sandbox)"));
	CU_ASSERT(!vu_file_has(log, sum));
	free(log);

	/* reef fetch: the discovery process is confined the same way. */
	reef = vu_reef_path();
	log = vu_run_log(&fx);
	CU_ASSERT_EQUAL(tu_system("timeout %d '%s' fetch -v --tal-dir "
	    "'%s/tals' --cache-dir '%s' --ca-file '%s' --allow-dubious-hosts "
	    ">'%s' 2>&1", RUN_TIMEOUT, reef, fx.repo, fcache, fx.ca_file, log),
	    0);
	vu_check_sanitizer(log);
	CU_ASSERT(vu_file_has(log, "confinement: discovery process"));
	CU_ASSERT(vu_file_has(log, sum));
	CU_ASSERT(vu_file_has(log, " rrdp   ok "));
	if (CU_get_number_of_failures() != fx.failures)
		vu_show_log(log);
	free(log);
	free(reef);
	free(sum);
	free(g1);
	free(cache);
	free(out);
	free(cache2);
	free(out2);
	free(fcache);
}

/* The value of field (e.g. "Seccomp:") in /proc/pid/status, or -1. */
static long
proc_status(pid_t pid, const char *field)
{
	char *path = tu_asprintf("/proc/%ld/status", (long)pid);
	unsigned char *buf = tu_read_file(path, NULL);
	char *p;
	long v = -1;

	if (buf != NULL && (p = strstr((char *)buf, field)) != NULL)
		v = strtol(p + strlen(field), NULL, 10);
	free(buf);
	free(path);
	return v;
}

/* The first child of pid (from /proc), or -1. */
static pid_t
first_child(pid_t pid)
{
	char *path = tu_asprintf("/proc/%ld/task/%ld/children", (long)pid,
	    (long)pid);
	unsigned char *buf = tu_read_file(path, NULL);
	long c = -1;

	if (buf != NULL && buf[0] != '\0')
		c = strtol((char *)buf, NULL, 10);
	free(buf);
	free(path);
	return c > 0 ? (pid_t)c : -1;
}

/* The PID of serve.sh's rsync daemon (a process of its pids file). */
static pid_t
rsyncd_pid(void)
{
	char *path = tu_asprintf("%s/pids", fx.state), *cmd, *p, *end;
	unsigned char *pids = tu_read_file(path, NULL), *argv0;
	pid_t found = -1;
	long pid;

	for (p = (char *)pids; p != NULL && *p != '\0' && found == -1;
	    p = end) {
		if ((pid = strtol(p, &end, 10)) <= 0 || end == p)
			break;
		cmd = tu_asprintf("/proc/%ld/cmdline", pid);
		if ((argv0 = tu_read_file(cmd, NULL)) != NULL &&
		    strstr((char *)argv0, "rsync") != NULL)
			found = (pid_t)pid;
		free(argv0);
		free(cmd);
	}
	free(pids);
	free(path);
	return found;
}

/* Start reef validate in the background; its PID, or -1. */
static pid_t
reef_start(const char *cache, const char *out, const char *log)
{
	char *cmd = reef_cmd(cache, out, ""), *sh;
	pid_t pid;

	sh = tu_asprintf("exec %s >'%s' 2>&1", cmd, log);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", sh, (char *)NULL);
		_exit(127);
	}
	free(sh);
	free(cmd);
	return pid;
}

/*
 * Wait until the walk process pid is confined and its fetcher has an
 * rsync child (stuck on the stopped daemon).  The fetcher's PID, or -1.
 */
static pid_t
wait_for_hang(pid_t pid)
{
	pid_t fetcher;
	int i;

	for (i = 0; i < HANG_POLLS; i++) {
		if (proc_status(pid, "Seccomp:") == 2 &&
		    (fetcher = first_child(pid)) > 0 &&
		    first_child(fetcher) > 0)
			return fetcher;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(POLL_US);
	}
	return -1;
}

/*
 * 2. /proc of a confined run, then SIGKILL to its fetcher: the run ends
 * with the cache's data.  The repository served has no RRDP tree, so the
 * fetcher falls back to rsync, whose daemon is stopped (SIGSTOP): the
 * walk waits for the fetcher as long as the test needs.
 */
static void
test_sandbox_kill_fetcher(void)
{
	char *cache, *out, *log, *g1, *nordp;
	pid_t pid, fetcher = -1, rsyncd;
	int st;

	if (setup() != 1)
		return;
	g1 = tu_asprintf("%s/gen1", fx.repo);
	nordp = scratch("gen1-nordp");
	cache = scratch("cache-kill");
	out = scratch("out-kill");
	log = scratch("run-kill.log");
	CU_ASSERT_EQUAL_FATAL(vu_switch(&fx, g1), 0);
	{
		char *first;

		CU_ASSERT_EQUAL_FATAL(reef_run(cache, out, "", &first),
		    REEF_OK);
		free(first);
	}
	CU_ASSERT_FATAL(vrps_expected(out));
	CU_ASSERT_EQUAL_FATAL(tu_system("cp -al '%s' '%s' && rm -rf "
	    "'%s/rrdp'", g1, nordp, nordp), 0);
	CU_ASSERT_EQUAL_FATAL(vu_switch(&fx, nordp), 0);
	CU_ASSERT_FATAL((rsyncd = rsyncd_pid()) > 0);
	CU_ASSERT_EQUAL_FATAL(kill(rsyncd, SIGSTOP), 0);
	if ((pid = reef_start(cache, out, log)) > 0)
		fetcher = wait_for_hang(pid);
	CU_ASSERT(fetcher > 0);
	if (fetcher > 0) {
		CU_ASSERT_EQUAL(proc_status(pid, "Seccomp:"), 2);
		CU_ASSERT_EQUAL(proc_status(pid, "NoNewPrivs:"), 1);
		CU_ASSERT_EQUAL(proc_status(fetcher, "Seccomp:"), 0);
		CU_ASSERT_EQUAL(proc_status(fetcher, "NoNewPrivs:"), 1);
		CU_ASSERT_EQUAL(kill(fetcher, SIGKILL), 0);
	}
	kill(rsyncd, SIGCONT);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	vu_check_sanitizer(log);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == REEF_PARTIAL);
	CU_ASSERT(vrps_expected(out));
	CU_ASSERT(vu_file_has(log, "repositories not yet fetched are "
	    "validated from the cache"));
	CU_ASSERT(vu_file_has(log, "fetcher process killed by signal 9"));
	CU_ASSERT(vu_file_has(log, "not fetched (failed): fetcher process "
	    "gone"));
	if (CU_get_number_of_failures() != fx.failures)
		vu_show_log(log);
	free(g1);
	free(nordp);
	free(cache);
	free(out);
	free(log);
}

REEF_SUITE_FULL(integration_sandbox, NULL, cleanup,
    REEF_TEST(test_sandbox_runs),
    REEF_TEST(test_sandbox_kill_fetcher))
