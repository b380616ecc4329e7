/*
 * Integration: the fetcher (reef fetch) against reef-repogen repositories
 * served over RRDP and rsync by tests/tools/serve.sh on 127.0.0.1.
 *
 * Each run of "reef fetch" is cmd_fetch() in a forked child (output to a
 * log file), so a run can also be killed with SIGKILL mid-way.  The tests
 * share one served tree and run in order: snapshot, delta, rsync
 * fallback and return to RRDP, rejected updates, session change, serial
 * going backwards, kills.  Variants of generation 2 are crafted by
 * editing its RRDP files and fixing the hashes in the notification.
 * When rsync, serve.sh or the generator are missing, or
 * REEF_TESTS_UNIT_ONLY is set, the tests print SKIPPED and pass.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/hash.h"
#include "validator/cmd_fetch.h"
#include "validator/repo.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* Wall-clock cap of one reef fetch run, in seconds. */
#define RUN_TIMEOUT	20
/* Kill delays of the crash test, in ms. */
static const int kill_ms[] = { 10, 40, 80, 150, 300 };
#define NKILLS		(sizeof(kill_ms) / sizeof(kill_ms[0]))
#define MS_PER_S	1000
#define NS_PER_MS	1000000

static struct {
	int	 ready;		/* 1: up, -1: skipped */
	char	*dir, *state, *gen, *cache, *logs;
	char	 host[64];	/* localhost:RSYNC_PORT */
	char	*ca_file;
	int	 runs;
} fx;

static const char *
repogen_path(void)
{
	static char path[4096];
	const char *e = getenv("REEF_REPOGEN");

	if (e != NULL)
		return e;
	snprintf(path, sizeof(path), "%s/tests/tools/repogen/reef-repogen",
	    tu_builddir());
	return path;
}

static int
setup(void)
{
	char *out = NULL, *p;
	unsigned char *env;
	size_t len;
	int rport = 0, hport = 0;

	if (fx.ready != 0)
		return fx.ready;
	fx.ready = -1;
	if (getenv("REEF_TESTS_UNIT_ONLY") != NULL) {
		printf("\n    SKIPPED: REEF_TESTS_UNIT_ONLY\n    ");
		return -1;
	}
	if (tu_system("command -v rsync >/dev/null && command -v nginx "
	    ">/dev/null") != 0 || access(repogen_path(), X_OK) != 0) {
		printf("\n    SKIPPED: rsync, nginx or reef-repogen missing\n    ");
		return -1;
	}
	fx.dir = tu_tmpdir("fetch");
	fx.state = tu_asprintf("%s/state", fx.dir);
	fx.gen = tu_asprintf("%s/gen", fx.dir);
	fx.cache = tu_asprintf("%s/cache", fx.dir);
	fx.logs = tu_asprintf("%s/logs", fx.dir);
	out = tu_asprintf("%s/serve.env", fx.dir);
	tu_system("mkdir -p '%s/empty/rsync' '%s'", fx.dir, fx.logs);
	if (tu_system("'%s/tests/tools/serve.sh' start '%s/empty' --state '%s' "
	    "--rsync-port auto --https-port auto >'%s' 2>&1", tu_srcdir(),
	    fx.dir, fx.state, out) != 0 ||
	    (env = tu_read_file(out, &len)) == NULL) {
		printf("\n    SKIPPED: serve.sh did not start\n    ");
		goto out;
	}
	if ((p = strstr((char *)env, "RSYNC_PORT=")) != NULL)
		rport = atoi(p + strlen("RSYNC_PORT="));
	if ((p = strstr((char *)env, "HTTPS_PORT=")) != NULL)
		hport = atoi(p + strlen("HTTPS_PORT="));
	free(env);
	fx.ca_file = tu_asprintf("%s/ca.pem", fx.state);
	snprintf(fx.host, sizeof(fx.host), "localhost:%d", rport);
	if (rport == 0 || hport == 0 ||
	    tu_system("'%s' -o '%s' --scale tiny --repos 2 --generations 2 "
	    "--rsync-host localhost:%d --https-host localhost:%d >/dev/null "
	    "2>&1", repogen_path(), fx.gen, rport, hport) != 0) {
		printf("\n    SKIPPED: generator failed\n    ");
		goto out;
	}
	fx.ready = 1;
 out:
	free(out);
	return fx.ready;
}

static int
cleanup(void)
{
	if (fx.state != NULL)
		tu_system("'%s/tests/tools/serve.sh' stop '%s' >/dev/null 2>&1",
		    tu_srcdir(), fx.state);
	if (fx.dir != NULL)
		tu_rmtree(fx.dir);
	free(fx.dir);
	free(fx.state);
	free(fx.gen);
	free(fx.cache);
	free(fx.logs);
	free(fx.ca_file);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

static void
serve(const char *gendir)
{
	CU_ASSERT_EQUAL(tu_system("'%s/tests/tools/serve.sh' switch '%s' '%s' "
	    ">/dev/null 2>&1", tu_srcdir(), fx.state, gendir), 0);
}

static char *
gen(int n)
{
	return tu_asprintf("%s/gen%d", fx.gen, n);
}

/* Fork a reef fetch run; returns the child's pid, its log in *log. */
static pid_t
spawn(const char *cache, int no_rsync, char **log)
{
	char *tals = tu_asprintf("%s/tals", fx.gen);
	char *argv[16];
	int argc = 0, fd;
	pid_t pid;

	*log = tu_asprintf("%s/run%d.log", fx.logs, ++fx.runs);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		fd = open(*log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		argv[argc++] = "fetch";
		argv[argc++] = "--tal-dir";
		argv[argc++] = tals;
		argv[argc++] = "--cache-dir";
		argv[argc++] = (char *)cache;
		argv[argc++] = "--ca-file";
		argv[argc++] = fx.ca_file;
		argv[argc++] = "--allow-dubious-hosts";
		argv[argc++] = "--timeout";
		argv[argc++] = "15";
		argv[argc++] = "-v";
		if (no_rsync)
			argv[argc++] = "--no-rsync";
		/* As root, stay root: see vu_user_opt(). */
		if (geteuid() == 0) {
			argv[argc++] = "--user";
			argv[argc++] = "root";
		}
		argv[argc] = NULL;
		alarm(RUN_TIMEOUT);
		_exit(cmd_fetch(argc, argv));
	}
	free(tals);
	return pid;
}

/* Run reef fetch to completion; returns its exit status (-1 if killed). */
static int
fetch(const char *cache, int no_rsync, char **log)
{
	int status;
	pid_t pid = spawn(cache, no_rsync, log);

	if (pid == -1 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
log_has(const char *log, const char *needle)
{
	size_t len;
	char *s = (char *)tu_read_file(log, &len);
	int found = s != NULL && strstr(s, needle) != NULL;

	free(s);
	return found;
}

/*
 * 0 when the cache holds exactly the objects of every non-empty module of
 * the generation directory g (the TA module aside).
 */
static int
same_tree(const char *g)
{
	char *dir = tu_asprintf("%s/rsync", g);
	DIR *d;
	struct dirent *de;
	int bad = 0;

	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "ta") == 0)
			continue;
		if (tu_system("[ -z \"$(ls -A '%s/%s')\" ] || diff -r -q -x "
		    "%s '%s/%s/' '%s/rsync/%s/%s/' >/dev/null 2>&1", dir,
		    de->d_name, REPO_STATE_FILE, dir, de->d_name, fx.cache,
		    fx.host, de->d_name) != 0) {
			printf("\n    module %s differs from %s\n    ",
			    de->d_name, g);
			bad = -1;
		}
	}
	closedir(d);
	free(dir);
	return bad;
}

/* 0 when module m of generation g and the cache hold the same objects. */
static int
same_module(const char *g, const char *m)
{
	return tu_system("diff -r -q -x %s '%s/rsync/%s/' '%s/rsync/%s/%s/' "
	    ">/dev/null 2>&1", REPO_STATE_FILE, g, m, fx.cache, fx.host, m);
}

static int
state_of(const char *module, struct repo_state *st)
{
	char *p = tu_asprintf("%s/rsync/%s/%s/%s", fx.cache, fx.host, module,
	    REPO_STATE_FILE);
	int rc = repo_state_read(p, st);

	free(p);
	return rc;
}

/* Bring the cache to generation n with a plain run. */
static void
prime(int n)
{
	char *g = gen(n), *log;

	serve(g);
	CU_ASSERT_EQUAL(fetch(fx.cache, 0, &log), 0);
	CU_ASSERT_EQUAL(same_tree(g), 0);
	free(log);
	free(g);
}

/* ---- Crafting variants ---------------------------------------------- */

/* Replace every occurrence of from with to in the file at path. */
static int
file_replace(const char *path, const char *from, const char *to)
{
	size_t len, fl = strlen(from), tl = strlen(to), n = 0;
	char *s = (char *)tu_read_file(path, &len), *p, *out, *o;
	int rc;

	if (s == NULL)
		return -1;
	for (p = strstr(s, from); p != NULL; p = strstr(p + fl, from))
		n++;
	out = o = malloc(len + n * (tl > fl ? tl - fl : 0) + 1);
	for (p = s; ; ) {
		char *q = strstr(p, from);

		if (q == NULL) {
			strcpy(o, p);
			break;
		}
		memcpy(o, p, q - p);
		o += q - p;
		memcpy(o, to, tl);
		o += tl;
		p = q + fl;
	}
	rc = tu_write_file(path, out, strlen(out));
	free(out);
	free(s);
	return n > 0 && rc == 0 ? 0 : -1;
}

static void
hex_of_file(const char *path, char hex[HASH_SHA256_HEX_LEN + 1])
{
	unsigned char d[HASH_SHA256_LEN];

	CU_ASSERT_EQUAL(hash_sha256_file(path, 0, d, NULL), 0);
	hash_hex_encode(d, sizeof(d), hex);
}

/* Find the single file named name under dir (a shell find). */
static char *
find_one(const char *dir, const char *name)
{
	char *cmd = tu_asprintf("find '%s' -name '%s' | head -1", dir, name);
	FILE *fp = popen(cmd, "r");
	char buf[4096];
	char *r = NULL;

	if (fp != NULL && fgets(buf, sizeof(buf), fp) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		r = strdup(buf);
	}
	if (fp != NULL)
		pclose(fp);
	free(cmd);
	return r;
}

/*
 * Copy generation 2 to a variant directory, apply edit() to the RRDP files
 * of module repo1 and put the new hashes of the snapshot and delta in its
 * notification (unless keep_hashes).
 */
struct rrdp_files {
	char	*notification, *snapshot, *delta;
};

static char *
variant(const char *name, void (*edit)(struct rrdp_files *), int keep_hashes)
{
	char *g2 = gen(2), *v = tu_asprintf("%s/%s", fx.dir, name), *rdir;
	char oldh[HASH_SHA256_HEX_LEN + 1], newh[HASH_SHA256_HEX_LEN + 1];
	struct rrdp_files rf;

	CU_ASSERT_EQUAL(tu_system("rm -rf '%s' && cp -a '%s' '%s'", v, g2, v),
	    0);
	rdir = tu_asprintf("%s/rrdp/repo1", v);
	rf.notification = tu_asprintf("%s/notification.xml", rdir);
	rf.snapshot = find_one(rdir, "snapshot.xml");
	rf.delta = find_one(rdir, "delta.xml");
	CU_ASSERT_PTR_NOT_NULL_FATAL(rf.snapshot);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rf.delta);
	hex_of_file(rf.snapshot, oldh);
	{
		char od[HASH_SHA256_HEX_LEN + 1];

		hex_of_file(rf.delta, od);
		edit(&rf);
		if (!keep_hashes && access(rf.snapshot, F_OK) == 0) {
			hex_of_file(rf.snapshot, newh);
			if (strcmp(oldh, newh) != 0)
				CU_ASSERT_EQUAL(file_replace(rf.notification,
				    oldh, newh), 0);
		}
		if (!keep_hashes) {
			hex_of_file(rf.delta, newh);
			if (strcmp(od, newh) != 0)
				CU_ASSERT_EQUAL(file_replace(rf.notification,
				    od, newh), 0);
		}
	}
	free(rf.notification);
	free(rf.snapshot);
	free(rf.delta);
	free(rdir);
	free(g2);
	return v;
}

/* ---- Tests ------------------------------------------------------------- */

static void
test_fetch_snapshot(void)
{
	struct repo_state st;
	char *g1, *log;

	if (setup() != 1)
		return;
	g1 = gen(1);
	serve(g1);
	CU_ASSERT_EQUAL(fetch(fx.cache, 1, &log), 0);
	CU_ASSERT_EQUAL(same_tree(g1), 0);
	CU_ASSERT_EQUAL(state_of("repo1", &st), 0);
	CU_ASSERT_EQUAL(st.proto, REPO_PROTO_RRDP);
	CU_ASSERT_EQUAL(st.serial, 1);
	CU_ASSERT_TRUE(log_has(log, "rrdp   ok"));
	/* TA certificate over https. */
	{
		char *ta = tu_asprintf("%s/ta/ta0.cer", fx.cache);

		CU_ASSERT_EQUAL(access(ta, R_OK), 0);
		free(ta);
	}
	/* Unchanged second run: still fine, nothing rewritten. */
	free(log);
	CU_ASSERT_EQUAL(fetch(fx.cache, 1, &log), 0);
	CU_ASSERT_EQUAL(same_tree(g1), 0);
	free(log);
	free(g1);
}

static void
no_snapshot(struct rrdp_files *rf)
{
	CU_ASSERT_EQUAL(unlink(rf->snapshot), 0);
}

static void
test_fetch_delta(void)
{
	struct repo_state st;
	char *v, *log, *g2;

	if (setup() != 1)
		return;
	prime(1);
	/* Without its snapshot, repo1 can only be updated by the delta. */
	v = variant("nosnap", no_snapshot, 1);
	serve(v);
	CU_ASSERT_EQUAL(fetch(fx.cache, 1, &log), 0);
	g2 = gen(2);
	CU_ASSERT_EQUAL(same_tree(g2), 0);
	CU_ASSERT_EQUAL(state_of("repo1", &st), 0);
	CU_ASSERT_EQUAL(st.serial, 2);
	CU_ASSERT_EQUAL(st.proto, REPO_PROTO_RRDP);
	free(log);
	free(v);
	free(g2);
}

static void
no_rrdp(struct rrdp_files *rf)
{
	CU_ASSERT_EQUAL(unlink(rf->notification), 0);
}

static void
test_fetch_rsync_fallback(void)
{
	struct repo_state st;
	char *v, *log, *g2;

	if (setup() != 1)
		return;
	prime(1);
	v = variant("norrdp", no_rrdp, 1);
	serve(v);
	CU_ASSERT_EQUAL(fetch(fx.cache, 0, &log), 0);
	g2 = gen(2);
	CU_ASSERT_EQUAL(same_tree(g2), 0);
	CU_ASSERT_EQUAL(state_of("repo1", &st), 0);
	CU_ASSERT_EQUAL(st.proto, REPO_PROTO_RSYNC);
	CU_ASSERT_EQUAL(st.serial, 0);
	CU_ASSERT_TRUE(log_has(log, "trying rsync"));
	free(log);
	/* RRDP is back: the next run uses it again (a snapshot). */
	serve(g2);
	CU_ASSERT_EQUAL(fetch(fx.cache, 1, &log), 0);
	CU_ASSERT_EQUAL(same_tree(g2), 0);
	CU_ASSERT_EQUAL(state_of("repo1", &st), 0);
	CU_ASSERT_EQUAL(st.proto, REPO_PROTO_RRDP);
	CU_ASSERT_EQUAL(st.serial, 2);
	free(log);
	free(v);
	free(g2);
}

static void
bad_hashes(struct rrdp_files *rf)
{
	char h[HASH_SHA256_HEX_LEN + 1];

	/* Wrong snapshot and delta hashes in the notification. */
	hex_of_file(rf->snapshot, h);
	CU_ASSERT_EQUAL(file_replace(rf->notification, h,
	    "00000000000000000000000000000000000000000000000000000000000000"
	    "00"), 0);
	hex_of_file(rf->delta, h);
	CU_ASSERT_EQUAL(file_replace(rf->notification, h,
	    "11111111111111111111111111111111111111111111111111111111111111"
	    "11"), 0);
}

static void
outside(struct rrdp_files *rf)
{
	char *from = tu_asprintf("uri=\"rsync://%s/repo1/", fx.host);
	char *to = tu_asprintf("uri=\"rsync://%s/repo0/", fx.host);

	CU_ASSERT_EQUAL(file_replace(rf->delta, from, to), 0);
	CU_ASSERT_EQUAL(file_replace(rf->snapshot, from, to), 0);
	free(from);
	free(to);
}

static void
bad_withdraw(struct rrdp_files *rf)
{
	size_t len;
	char *s = (char *)tu_read_file(rf->delta, &len), *w, *h;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	w = strstr(s, "<withdraw");
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	h = strstr(w, "hash=\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	h += strlen("hash=\"");
	/* Flip the first hex digit of the first withdraw's hash. */
	*h = *h == '0' ? '1' : '0';
	CU_ASSERT_EQUAL(tu_write_file(rf->delta, s, len), 0);
	free(s);
	no_snapshot(rf);
}

static void
rejected(const char *name, void (*edit)(struct rrdp_files *),
    int keep_hashes, const char *why)
{
	struct repo_state st;
	char *v, *log, *g1 = gen(1);

	prime(1);
	v = variant(name, edit, keep_hashes);
	serve(v);
	CU_ASSERT_EQUAL(fetch(fx.cache, 1, &log), 1);
	/* repo1's previous content is kept (the others moved on). */
	CU_ASSERT_EQUAL(same_module(g1, "repo1"), 0);
	CU_ASSERT_EQUAL(state_of("repo1", &st), 0);
	CU_ASSERT_EQUAL(st.serial, 1);
	if (!log_has(log, why))
		printf("\n    %s: \"%s\" not in %s\n    ", name, why, log);
	CU_ASSERT_TRUE(log_has(log, why));
	CU_ASSERT_TRUE(log_has(log, "keeping the previous copy"));
	free(log);
	free(v);
	free(g1);
}

static void
test_fetch_rejected(void)
{
	if (setup() != 1)
		return;
	rejected("badhash", bad_hashes, 1, "differs from the");
	rejected("outside", outside, 0, "outside the repository");
	rejected("withdraw", bad_withdraw, 0, "withdraw hash does not match");
}

static void
new_session(struct rrdp_files *rf)
{
	static const char *uuid = "0badc0de-1234-4abc-8def-0123456789ab";
	size_t len;
	char *s = (char *)tu_read_file(rf->notification, &len), *p, *q, *old;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	p = strstr(s, "session_id=\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	p += strlen("session_id=\"");
	q = strchr(p, '"');
	old = tu_asprintf("session_id=\"%.*s\"", (int)(q - p), p);
	free(s);
	s = tu_asprintf("session_id=\"%s\"", uuid);
	CU_ASSERT_EQUAL(file_replace(rf->notification, old, s), 0);
	CU_ASSERT_EQUAL(file_replace(rf->snapshot, old, s), 0);
	CU_ASSERT_EQUAL(file_replace(rf->delta, old, s), 0);
	free(s);
	free(old);
}

static void
test_fetch_session_change(void)
{
	struct repo_state st;
	char *v, *log, *g2;

	if (setup() != 1)
		return;
	prime(1);
	v = variant("session", new_session, 0);
	serve(v);
	CU_ASSERT_EQUAL(fetch(fx.cache, 1, &log), 0);
	g2 = gen(2);
	CU_ASSERT_EQUAL(same_tree(g2), 0);
	CU_ASSERT_EQUAL(state_of("repo1", &st), 0);
	CU_ASSERT_STRING_EQUAL(st.session,
	    "0badc0de-1234-4abc-8def-0123456789ab");
	CU_ASSERT_EQUAL(st.serial, 2);
	CU_ASSERT_FALSE(log_has(log, "delta failed"));
	free(log);
	free(v);
	free(g2);
}

static void
test_fetch_serial_backwards(void)
{
	struct repo_state st;
	char *log, *g1;

	if (setup() != 1)
		return;
	prime(2);
	g1 = gen(1);
	serve(g1);
	CU_ASSERT_EQUAL(fetch(fx.cache, 1, &log), 0);
	CU_ASSERT_EQUAL(same_tree(g1), 0);
	CU_ASSERT_EQUAL(state_of("repo1", &st), 0);
	CU_ASSERT_EQUAL(st.serial, 1);
	free(log);
	free(g1);
}

/* Every repository link names an existing generation; no stage remains usable-looking. */
static int
cache_consistent(void)
{
	return tu_system("cd '%s/rsync/%s' 2>/dev/null || exit 0; for l in *; "
	    "do [ -e \"$l\" ] || exit 0; [ -L \"$l\" ] && [ -d \"$l/\" ] || "
	    "exit 1; done", fx.cache, fx.host);
}

static void
test_fetch_kill(void)
{
	struct timespec ts;
	char *log, *g;
	size_t i;
	int status;
	pid_t pid;

	if (setup() != 1)
		return;
	tu_rmtree(fx.cache);
	for (i = 0; i < NKILLS; i++) {
		g = gen(1 + (int)(i % 2));
		serve(g);
		pid = spawn(fx.cache, 0, &log);
		CU_ASSERT_FATAL(pid > 0);
		ts.tv_sec = kill_ms[i] / MS_PER_S;
		ts.tv_nsec = (long)(kill_ms[i] % MS_PER_S) * NS_PER_MS;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
		CU_ASSERT_EQUAL(cache_consistent(), 0);
		free(log);
		free(g);
	}
	/* rsync children of the killed runs die with their connection. */
	g = gen(2);
	serve(g);
	CU_ASSERT_EQUAL(fetch(fx.cache, 0, &log), 0);
	CU_ASSERT_EQUAL(same_tree(g), 0);
	CU_ASSERT_EQUAL(tu_system("[ -z \"$(find '%s/.repos' -name stage)\" ]",
	    fx.cache), 0);
	free(log);
	free(g);
}

REEF_SUITE_FULL(integration_fetch, NULL, cleanup,
    REEF_TEST(test_fetch_snapshot), REEF_TEST(test_fetch_delta),
    REEF_TEST(test_fetch_rsync_fallback), REEF_TEST(test_fetch_rejected),
    REEF_TEST(test_fetch_session_change),
    REEF_TEST(test_fetch_serial_backwards), REEF_TEST(test_fetch_kill))
