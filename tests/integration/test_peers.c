/*
 * Integration: other relying parties against reef-repogen repositories.
 *
 * Repositories are generated into a fresh scratch directory, served over
 * rsync and HTTPS by tests/tools/serve.sh and checked with rpki-client and
 * FORT by tests/integration/peers.sh.  Those need root and the peers; when
 * they are missing the scripts exit 77 and the test passes with a visible
 * "SKIPPED" line, because CUnit has no skipped state.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests/unit/suite.h"
#include "tests/unit/util.h"

#define EX_SKIP		77
#define SKIP_TAG	"SKIP: "
#define GEN_SEED	4242
/* Lines of a log shown when a step fails. */
#define LOG_TAIL	60

/* Representative defects, one per generator run (see reef-repogen(1)). */
static const char *const defects[] = {
	"bad-signature",
	"manifest-hash-mismatch",
	"revoked-ee",
	"stale-manifest",
};

static char *
repogen_path(void)
{
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

/* Print the last LOG_TAIL lines of a log, indented. */
static void
show_log(const char *log)
{
	printf("\n");
	fflush(stdout);
	tu_system("tail -n %d '%s' | sed 's/^/    /'", LOG_TAIL, log);
}

/* The reason on the "SKIP: reason" line of a log; malloc'd. */
static char *
skip_reason(const char *log)
{
	unsigned char *buf;
	char *p, *nl, *r;

	if ((buf = tu_read_file(log, NULL)) == NULL)
		return tu_asprintf("(no log)");
	if ((p = strstr((char *)buf, SKIP_TAG)) == NULL) {
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
 * Judge a script's exit status: 0 passes, 77 passes with a SKIPPED line,
 * anything else fails and shows the log.  Returns 1 when it passed.
 */
static int
judge(int st, const char *what, const char *log)
{
	char *why;

	if (st == EX_SKIP) {
		why = skip_reason(log);
		printf("\n    SKIPPED (%s): %s\n    ", what, why);
		free(why);
		return 1;
	}
	if (st != 0) {
		printf("\n    %s failed (exit %d), log %s:", what, st, log);
		show_log(log);
	}
	CU_ASSERT_EQUAL(st, 0);
	return st == 0;
}

/*
 * Integration runs are left out where only the unit suites are wanted
 * (make distcheck under scripts/test sets REEF_TESTS_UNIT_ONLY): say so.
 */
static int
integration_skipped(void)
{
	const char *e = getenv("REEF_TESTS_UNIT_ONLY");

	if (e == NULL || *e == '\0')
		return 0;
	printf("\n    SKIPPED: REEF_TESTS_UNIT_ONLY is set\n    ");
	return 1;
}

/* Generate a two-generation small repository into out; 0 on success. */
static int
generate(const char *out, const char *defect)
{
	char *gen = repogen_path(), *keys = key_cache(), *log, *dflag;
	int st;

	log = tu_asprintf("%s.repogen.log", out);
	dflag = defect != NULL ? tu_asprintf("--defect %s", defect) :
	    tu_asprintf("%s", "");
	if (access(gen, X_OK) == -1) {
		printf("\n    %s is not built\n    ", gen);
		st = -1;
	} else {
		mkdir(keys, 0700);
		st = tu_system("'%s' -o '%s' --seed %d --scale small "
		    "--generations 2 --key-cache '%s' %s >'%s' 2>&1",
		    gen, out, GEN_SEED, keys, dflag, log);
		if (st != 0) {
			printf("\n    reef-repogen failed (exit %d):", st);
			show_log(log);
		}
	}
	CU_ASSERT_EQUAL(st, 0);
	unlink(log);
	free(log);
	free(dflag);
	free(gen);
	free(keys);
	return st;
}

/* Run peers.sh (or another script) on out with args; the judged result. */
static int
run_script(const char *script, const char *out, const char *args,
    const char *what)
{
	char *log = tu_asprintf("%s.%s.log", out, what);
	int st, ok;

	st = tu_system("'%s' '%s' %s >'%s' 2>&1", script, out, args, log);
	ok = judge(st, what, log);
	unlink(log);
	free(log);
	return ok;
}

static char *
peers_script(void)
{
	return tu_asprintf("%s/tests/integration/peers.sh", tu_srcdir());
}

/*
 * gen1 over RRDP and rsync, then gen2 on the same caches so the RRDP runs
 * go through deltas; every peer must match expected/vrps.csv each time.
 */
static void
test_peers_two_generations(void)
{
	char *dir, *out, *script;
	int ok = 1;

	if (integration_skipped())
		return;
	dir = tu_tmpdir("peers");
	script = peers_script();
	CU_ASSERT_FATAL(dir != NULL);
	chmod(dir, 0755);
	out = tu_asprintf("%s/out", dir);
	if (generate(out, NULL) == 0)
		ok = run_script(script, out, "1 2", "peers.sh");
	/* Keep the evidence of a failure for a look by hand. */
	if (ok)
		tu_rmtree(dir);
	else
		printf("\n    kept %s\n    ", dir);
	free(out);
	free(dir);
	free(script);
}

/*
 * One defect at a time: the peers must reject exactly what the generator
 * says they reject.  The generator's file-based check (no network) is used
 * when it exists, peers.sh otherwise.
 */
static void
test_peers_defects(void)
{
	char *check, *script, *dir, *out;
	const char *args;
	size_t i;
	int ok;

	if (integration_skipped())
		return;
	check = tu_asprintf("%s/tests/tools/repogen/check-peers.sh",
	    tu_srcdir());
	if (access(check, X_OK) == 0) {
		script = check;
		args = "";
	} else {
		free(check);
		script = peers_script();
		args = "1";
	}
	for (i = 0; i < sizeof(defects) / sizeof(defects[0]); i++) {
		dir = tu_tmpdir("peers-defect");
		CU_ASSERT_FATAL(dir != NULL);
		/* rpki-client reads TALs after dropping to _rpki-client. */
		chmod(dir, 0755);
		out = tu_asprintf("%s/%s", dir, defects[i]);
		ok = 1;
		if (generate(out, defects[i]) == 0)
			ok = run_script(script, out, args, defects[i]);
		if (ok)
			tu_rmtree(dir);
		else
			printf("\n    kept %s\n    ", dir);
		free(out);
		free(dir);
	}
	free(script);
}

/*
 * serve.sh on its own, which needs neither root nor the peers: serve a tiny
 * tree on free ports, fetch over rsync and HTTPS, switch generation, stop.
 */
static void
test_serve_script(void)
{
	char *dir, *serve, *state, *env, *pids;
	unsigned char *buf;
	int st;

	st = tu_system("{ command -v rsync && command -v nginx && "
	    "command -v openssl && command -v curl; } >/dev/null");
	if (st != 0) {
		printf("\n    SKIPPED: rsync, nginx, openssl or curl missing\n"
		    "    ");
		return;
	}
	dir = tu_tmpdir("serve");
	CU_ASSERT_FATAL(dir != NULL);
	serve = tu_asprintf("%s/tests/tools/serve.sh", tu_srcdir());
	state = tu_asprintf("%s/state", dir);
	env = tu_asprintf("%s/env", dir);
	CU_ASSERT_FATAL(tu_system("cd '%s' && mkdir -p g1/rsync/ta "
	    "g1/rsync/repo/sub g1/rrdp/repo g2/rsync/ta g2/rsync/repo "
	    "g2/rsync/other g2/rrdp/repo && echo ta1 >g1/rsync/ta/t.cer && "
	    "echo one >g1/rsync/repo/sub/a.roa && echo n1 "
	    ">g1/rrdp/repo/notification.xml && echo ta2 >g2/rsync/ta/t.cer && "
	    "echo two >g2/rsync/other/b.roa && echo n2 "
	    ">g2/rrdp/repo/notification.xml", dir) == 0);

	st = tu_system("'%s' start '%s/g1' --state '%s' --rsync-port auto "
	    "--https-port auto >'%s'", serve, dir, state, env);
	CU_ASSERT_EQUAL_FATAL(st, 0);
	buf = tu_read_file(env, NULL);
	CU_ASSERT_FATAL(buf != NULL);
	CU_ASSERT(strstr((char *)buf, "RSYNC_PORT=") != NULL);
	CU_ASSERT(strstr((char *)buf, "HTTPS_PORT=") != NULL);
	CU_ASSERT(strstr((char *)buf, "CA_FILE=") != NULL);
	free(buf);

	/* Fetch with the CA only, over both protocols, by host name. */
	CU_ASSERT(tu_system(". '%s' && cd '%s' && "
	    "rsync -r rsync://127.0.0.1:$RSYNC_PORT/repo/ got1/ && "
	    "grep -qx one got1/sub/a.roa && "
	    "curl -sSf --cacert $CA_FILE "
	    "https://localhost:$HTTPS_PORT/ta/t.cer | grep -qx ta1 && "
	    "curl -sSf --cacert $CA_FILE "
	    "https://localhost:$HTTPS_PORT/rrdp/repo/notification.xml | "
	    "grep -qx n1", env, dir) == 0);
	/* Nothing else is served, and only to a client trusting our CA. */
	CU_ASSERT(tu_system(". '%s' && curl -sSf --cacert $CA_FILE "
	    "https://localhost:$HTTPS_PORT/ >/dev/null 2>&1", env) != 0);
	CU_ASSERT(tu_system(". '%s' && curl -sSf --capath /nonexistent "
	    "--cacert /dev/null https://localhost:$HTTPS_PORT/ta/t.cer "
	    ">/dev/null 2>&1", env) != 0);

	/* Switch without restarting: new content and a new module. */
	CU_ASSERT(tu_system("'%s' switch '%s' '%s/g2'", serve, state,
	    dir) == 0);
	CU_ASSERT(tu_system(". '%s' && cd '%s' && "
	    "rsync -r rsync://127.0.0.1:$RSYNC_PORT/other/ got2/ && "
	    "grep -qx two got2/b.roa && "
	    "curl -sSf --cacert $CA_FILE "
	    "https://localhost:$HTTPS_PORT/rrdp/repo/notification.xml | "
	    "grep -qx n2", env, dir) == 0);

	/* Only loopback is bound. */
	CU_ASSERT(tu_system(". '%s' && ! ss -Htln | awk '{ print $4 }' | "
	    "grep -E \":($RSYNC_PORT|$HTTPS_PORT)$\" | "
	    "grep -vE '^(127\\.0\\.0\\.1|\\[::1\\]):'", env) == 0);

	CU_ASSERT(tu_system("'%s' stop '%s'", serve, state) == 0);
	CU_ASSERT(tu_system(". '%s' && ! curl -sS --cacert $CA_FILE "
	    "https://localhost:$HTTPS_PORT/ta/t.cer >/dev/null 2>&1",
	    env) == 0);
	pids = tu_asprintf("%s/pids", state);
	CU_ASSERT(access(pids, F_OK) == -1);
	free(pids);
	tu_rmtree(dir);
	free(dir);
	free(serve);
	free(state);
	free(env);
}

REEF_SUITE(integration_peers,
    REEF_TEST(test_serve_script),
    REEF_TEST(test_peers_two_generations),
    REEF_TEST(test_peers_defects))
