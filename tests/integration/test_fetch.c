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
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/b64.h"
#include "common/hash.h"
#include "validator/cmd_fetch.h"
#include "validator/fetch.h"
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
	int	 hport;		/* HTTPS_PORT */
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
	fx.hport = hport;
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
 * of module mod (repo1 for variant()) and put the new hashes of the
 * snapshot and delta in its notification (unless keep_hashes).
 */
struct rrdp_files {
	char	*notification, *snapshot, *delta;
};

static char *
variant_of(const char *mod, const char *name,
    void (*edit)(struct rrdp_files *), int keep_hashes)
{
	char *g2 = gen(2), *v = tu_asprintf("%s/%s", fx.dir, name), *rdir;
	char oldh[HASH_SHA256_HEX_LEN + 1], newh[HASH_SHA256_HEX_LEN + 1];
	struct rrdp_files rf;

	CU_ASSERT_EQUAL(tu_system("rm -rf '%s' && cp -a '%s' '%s'", v, g2, v),
	    0);
	rdir = tu_asprintf("%s/rrdp/%s", v, mod);
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

static char *
variant(const char *name, void (*edit)(struct rrdp_files *), int keep_hashes)
{
	return variant_of("repo1", name, edit, keep_hashes);
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

/* repo1's objects all published under another module's URIs. */
static void
moved_away(struct rrdp_files *rf)
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
rejected_in(const char *mod, const char *name,
    void (*edit)(struct rrdp_files *), int keep_hashes, const char *why)
{
	struct repo_state st;
	char *v, *log, *g1 = gen(1);

	prime(1);
	v = variant_of(mod, name, edit, keep_hashes);
	serve(v);
	CU_ASSERT_EQUAL(fetch(fx.cache, 1, &log), 1);
	/* The module's previous content is kept (the others moved on). */
	CU_ASSERT_EQUAL(same_module(g1, mod), 0);
	CU_ASSERT_EQUAL(state_of(mod, &st), 0);
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
rejected(const char *name, void (*edit)(struct rrdp_files *),
    int keep_hashes, const char *why)
{
	rejected_in("repo1", name, edit, keep_hashes, why);
}

static void
test_fetch_rejected(void)
{
	if (setup() != 1)
		return;
	rejected("badhash", bad_hashes, 1, "differs from the");
	/* A notification with nothing left for its module: not emptied. */
	rejected("moved", moved_away, 0, "publishes nothing for");
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

/* ---- One notification file for several modules ---------------------------- */

#define MULTI_SESSION	"5a6b7c8d-1234-4abc-8def-0123456789ab"
#define EVIL_SESSION	"0e1f2a3b-4c5d-4e6f-9a0b-1c2d3e4f5a6b"
#define RRDP_NS		"http://www.ripe.net/rpki/rrdp"

/* One element of a crafted snapshot or delta. */
struct elem {
	const char	*uri;		/* rsync URI */
	const char	*data;		/* NULL: withdraw */
	const char	*replaces;	/* content replaced or withdrawn */
};

static char *
sha_hex(const char *data)
{
	unsigned char d[HASH_SHA256_LEN];
	char *hex = malloc(HASH_SHA256_HEX_LEN + 1);

	CU_ASSERT_FATAL(hex != NULL);
	CU_ASSERT_EQUAL(hash_sha256(data, strlen(data), d), 0);
	hash_hex_encode(d, sizeof(d), hex);
	return hex;
}

/* Write an RRDP snapshot (delta set) at path; its hex SHA-256 in hex. */
static void
write_rrdp_file(const char *path, const char *session, int serial, int delta,
    const struct elem *e, size_t n, char hex[HASH_SHA256_HEX_LEN + 1])
{
	char *body = tu_asprintf("<%s xmlns=\"%s\" version=\"1\" "
	    "session_id=\"%s\" serial=\"%d\">\n", delta ? "delta" :
	    "snapshot", RRDP_NS, session, serial), *b64, *h, *t;
	size_t i, len;

	for (i = 0; i < n; i++) {
		h = e[i].replaces != NULL ? sha_hex(e[i].replaces) : NULL;
		if (e[i].data == NULL)
			t = tu_asprintf("%s<withdraw uri=\"%s\" hash=\"%s\"/>\n",
			    body, e[i].uri, h);
		else {
			CU_ASSERT_EQUAL_FATAL(b64_encode(e[i].data,
			    strlen(e[i].data), &b64, &len), 0);
			t = tu_asprintf("%s<publish uri=\"%s\"%s%s%s>%s"
			    "</publish>\n", body, e[i].uri, h != NULL ?
			    " hash=\"" : "", h != NULL ? h : "", h != NULL ?
			    "\"" : "", b64);
			free(b64);
		}
		free(body);
		free(h);
		body = t;
	}
	t = tu_asprintf("%s</%s>\n", body, delta ? "delta" : "snapshot");
	free(body);
	CU_ASSERT_EQUAL_FATAL(tu_write_file(path, t, strlen(t)), 0);
	h = sha_hex(t);
	memcpy(hex, h, HASH_SHA256_HEX_LEN + 1);
	free(h);
	free(t);
}

/*
 * A generation directory g holding RRDP repository name at serial, with
 * the snapshot s (and, serial > 1, the delta d from serial - 1).
 */
static void
write_repo(const char *g, const char *name, const char *session, int serial,
    const struct elem *s, size_t ns, const struct elem *d, size_t nd)
{
	char sh[HASH_SHA256_HEX_LEN + 1], dh[HASH_SHA256_HEX_LEN + 1];
	char *dir = tu_asprintf("%s/rrdp/%s/%d", g, name, serial), *p, *n;
	char *https = tu_asprintf("https://localhost:%d/rrdp/%s", fx.hport,
	    name), *dl = tu_asprintf("%s", "");

	CU_ASSERT_EQUAL_FATAL(tu_system("mkdir -p '%s' '%s/rsync'", dir, g),
	    0);
	p = tu_asprintf("%s/snapshot.xml", dir);
	write_rrdp_file(p, session, serial, 0, s, ns, sh);
	free(p);
	if (nd > 0) {
		p = tu_asprintf("%s/delta.xml", dir);
		write_rrdp_file(p, session, serial, 1, d, nd, dh);
		free(p);
		free(dl);
		dl = tu_asprintf("  <delta serial=\"%d\" uri=\"%s/%d/delta.xml\" "
		    "hash=\"%s\"/>\n", serial, https, serial, dh);
	}
	n = tu_asprintf("<notification xmlns=\"%s\" version=\"1\" "
	    "session_id=\"%s\" serial=\"%d\">\n  <snapshot uri=\"%s/%d/"
	    "snapshot.xml\" hash=\"%s\"/>\n%s</notification>\n", RRDP_NS,
	    session, serial, https, serial, sh, dl);
	p = tu_asprintf("%s/rrdp/%s/notification.xml", g, name);
	CU_ASSERT_EQUAL_FATAL(tu_write_file(p, n, strlen(n)), 0);
	free(p);
	free(n);
	free(dl);
	free(https);
	free(dir);
}

/* Content of the cached object at rsync URI path "AUTHORITY/PATH". */
static char *
cached(const char *cache, const char *rel)
{
	char *p = tu_asprintf("%s/rsync/%s", cache, rel);
	char *s = (char *)tu_read_file(p, NULL);

	free(p);
	return s;
}

static int
cached_is(const char *cache, const char *rel, const char *want)
{
	char *s = cached(cache, rel);
	int ok = s != NULL && strcmp(s, want) == 0;

	if (!ok)
		printf("\n    %s: \"%s\", not \"%s\"\n    ", rel,
		    s != NULL ? s : "(none)", want);
	free(s);
	return ok;
}

/* GETs of path (below /rrdp/) in nginx's access log. */
static int
gets_of(const char *path)
{
	char *cmd = tu_asprintf("grep -c 'GET /rrdp/%s ' '%s/nginx/logs/"
	    "access.log'", path, fx.state);
	FILE *fp = popen(cmd, "r");
	int n = -1;

	if (fp != NULL) {
		if (fscanf(fp, "%d", &n) != 1)
			n = -1;
		pclose(fp);
	}
	free(cmd);
	return n;
}

static struct fetcher *
multi_fetcher(const char *cache)
{
	struct fetch_config c;

	memset(&c, 0, sizeof(c));
	c.cache_dir = cache;
	c.ca_file = fx.ca_file;
	c.allow_dubious_hosts = 1;
	c.no_rsync = 1;
	c.timeout = RUN_TIMEOUT;
	return fetch_new(&c);
}

static const struct fetch_status *
status_of(struct fetcher *f, long i)
{
	const struct fetch_status *st = fetch_status_at(f, (size_t)i);

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	return st;
}

/*
 * Two CAs in two modules of one host, and a third on another host, under
 * one notification file (as RIRs serve many CAs): fetched once, every
 * module served from it, deltas too; a second notification file that
 * publishes into one of those modules is refused; a module the file has
 * nothing for is not served from it.
 */
static void
test_fetch_multi_module(void)
{
	char *g1, *g2, *cache, *notify, *evil, *u[5];
	char h1[64], h2[64];
	struct fetcher *f;
	long ia, ib, ic, id, ie;
	int n0, s0, d0;

	if (setup() != 1)
		return;
	snprintf(h1, sizeof(h1), "%s", fx.host);
	snprintf(h2, sizeof(h2), "127.0.0.1:%s", strchr(fx.host, ':') + 1);
	u[0] = tu_asprintf("rsync://%s/modA/ca1/a.roa", h1);
	u[1] = tu_asprintf("rsync://%s/modA/ca1/b.mft", h1);
	u[2] = tu_asprintf("rsync://%s/modB/ca2/c.roa", h1);
	u[3] = tu_asprintf("rsync://%s/modC/ca3/d.cer", h2);
	u[4] = tu_asprintf("rsync://%s/modD/ca4/e.roa", h1);
	{
		const struct elem s1[] = {
			{ u[0], "alpha-1", NULL }, { u[1], "beta-1", NULL },
			{ u[2], "gamma-1", NULL }, { u[3], "delta-1", NULL },
		};
		const struct elem evil1[] = {
			{ u[4], "epsilon", NULL }, { u[2], "evil", NULL },
		};

		g1 = tu_asprintf("%s/multi1", fx.dir);
		write_repo(g1, "multi", MULTI_SESSION, 1, s1, 4, NULL, 0);
		write_repo(g1, "evil", EVIL_SESSION, 1, evil1, 2, NULL, 0);
	}
	notify = tu_asprintf("https://localhost:%d/rrdp/multi/"
	    "notification.xml", fx.hport);
	evil = tu_asprintf("https://localhost:%d/rrdp/evil/notification.xml",
	    fx.hport);
	cache = tu_asprintf("%s/multicache", fx.dir);
	serve(g1);
	n0 = gets_of("multi/notification.xml");
	s0 = gets_of("multi/1/snapshot.xml");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f = multi_fetcher(cache));
	{
		char *ca = tu_asprintf("rsync://%s/modA/ca1/", h1);
		char *cb = tu_asprintf("rsync://%s/modB/ca2/", h1);
		char *cc = tu_asprintf("rsync://%s/modC/ca3/", h2);
		char *cd = tu_asprintf("rsync://%s/modD/ca4/", h1);
		char *ce = tu_asprintf("rsync://%s/modE/ca5/", h1);

		ia = fetch_queue(f, ca, notify);
		ib = fetch_queue(f, cb, notify);
		ic = fetch_queue(f, cc, notify);
		id = fetch_queue(f, cd, evil);
		ie = fetch_queue(f, ce, notify);
		CU_ASSERT(ia >= 0 && ib >= 0 && ic >= 0 && id >= 0 && ie >= 0);
		CU_ASSERT_EQUAL(fetch_run(f, -1), 0);
		free(ca);
		free(cb);
		free(cc);
		free(cd);
		free(ce);
	}
	CU_ASSERT_EQUAL(status_of(f, ia)->result, FETCH_OK);
	CU_ASSERT_EQUAL(status_of(f, ia)->proto, FETCH_PROTO_RRDP);
	CU_ASSERT_EQUAL(status_of(f, ib)->result, FETCH_OK);
	CU_ASSERT_EQUAL(status_of(f, ib)->proto, FETCH_PROTO_RRDP);
	CU_ASSERT_EQUAL(status_of(f, ic)->result, FETCH_OK);
	CU_ASSERT_EQUAL(status_of(f, ia)->objects, 2);
	CU_ASSERT_EQUAL(status_of(f, ib)->objects, 1);
	/* The download is counted once, on the module that asked first. */
	CU_ASSERT(status_of(f, ia)->bytes > 0);
	CU_ASSERT_EQUAL(status_of(f, ib)->bytes, 0);
	/* RFC 8182 section 3.4.2: not into modB, which "multi" serves. */
	CU_ASSERT_EQUAL(status_of(f, id)->result, FETCH_FAILED);
	CU_ASSERT(status_of(f, id)->error != NULL &&
	    strstr(status_of(f, id)->error, "outside the repository") != NULL);
	/* Nothing published for modE: not served (rsync is off here). */
	CU_ASSERT_EQUAL(status_of(f, ie)->result, FETCH_FAILED);
	CU_ASSERT(status_of(f, ie)->error != NULL &&
	    strstr(status_of(f, ie)->error, "publishes nothing for") != NULL);
	fetch_free(f);
	{
		char *r;

		r = tu_asprintf("%s/modA/ca1/a.roa", h1);
		CU_ASSERT_TRUE(cached_is(cache, r, "alpha-1"));
		free(r);
		r = tu_asprintf("%s/modB/ca2/c.roa", h1);
		CU_ASSERT_TRUE(cached_is(cache, r, "gamma-1"));
		free(r);
		r = tu_asprintf("%s/modC/ca3/d.cer", h2);
		CU_ASSERT_TRUE(cached_is(cache, r, "delta-1"));
		free(r);
		r = tu_asprintf("%s/modD/ca4/e.roa", h1);
		CU_ASSERT_PTR_NULL(cached(cache, r));
		free(r);
	}
	/* One notification and one snapshot for three modules. */
	CU_ASSERT_EQUAL(gets_of("multi/notification.xml") - n0, 1);
	CU_ASSERT_EQUAL(gets_of("multi/1/snapshot.xml") - s0, 1);

	/* Serial 2 by a delta touching every module. */
	{
		const struct elem s2[] = {
			{ u[0], "alpha-1", NULL }, { u[2], "gamma-2", NULL },
			{ u[3], "delta-1", NULL },
		};
		const struct elem d2[] = {
			{ u[2], "gamma-2", "gamma-1" }, { u[1], NULL, "beta-1" },
		};

		g2 = tu_asprintf("%s/multi2", fx.dir);
		write_repo(g2, "multi", MULTI_SESSION, 2, s2, 3, d2, 2);
	}
	serve(g2);
	d0 = gets_of("multi/2/delta.xml");
	s0 = gets_of("multi/2/snapshot.xml");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = multi_fetcher(cache));
	{
		char *ca = tu_asprintf("rsync://%s/modA/ca1/", h1);
		char *cb = tu_asprintf("rsync://%s/modB/ca2/", h1);

		ia = fetch_queue(f, ca, notify);
		ib = fetch_queue(f, cb, notify);
		CU_ASSERT_EQUAL(fetch_run(f, -1), 0);
		free(ca);
		free(cb);
	}
	CU_ASSERT_EQUAL(status_of(f, ia)->result, FETCH_OK);
	CU_ASSERT_EQUAL(status_of(f, ib)->result, FETCH_OK);
	CU_ASSERT_TRUE(status_of(f, ib)->rrdp_delta);
	fetch_free(f);
	CU_ASSERT_EQUAL(gets_of("multi/2/delta.xml") - d0, 1);
	CU_ASSERT_EQUAL(gets_of("multi/2/snapshot.xml") - s0, 0);
	{
		char *r;

		r = tu_asprintf("%s/modB/ca2/c.roa", h1);
		CU_ASSERT_TRUE(cached_is(cache, r, "gamma-2"));
		free(r);
		r = tu_asprintf("%s/modA/ca1/b.mft", h1);
		CU_ASSERT_PTR_NULL(cached(cache, r));
		free(r);
		r = tu_asprintf("%s/modA/ca1/a.roa", h1);
		CU_ASSERT_TRUE(cached_is(cache, r, "alpha-1"));
		free(r);
		/* modC, not asked for this time, followed its repository. */
		r = tu_asprintf("%s/modC/ca3/d.cer", h2);
		CU_ASSERT_TRUE(cached_is(cache, r, "delta-1"));
		free(r);
	}
	for (n0 = 0; n0 < 5; n0++)
		free(u[n0]);
	free(g1);
	free(g2);
	free(cache);
	free(notify);
	free(evil);
}

REEF_SUITE_FULL(integration_fetch, NULL, cleanup,
    REEF_TEST(test_fetch_snapshot), REEF_TEST(test_fetch_delta),
    REEF_TEST(test_fetch_rsync_fallback), REEF_TEST(test_fetch_rejected),
    REEF_TEST(test_fetch_session_change),
    REEF_TEST(test_fetch_serial_backwards), REEF_TEST(test_fetch_kill),
    REEF_TEST(test_fetch_multi_module))

/* ---- fetch_hint(): no servers, a stand-in for rsync ------------------------- */

/* Background fetches of this suite's stand-in rsync take this long. */
#define HINT_SLEEP	"0.3"
#define HINT_FAST_MS	150
#define HINT_WAIT_MS	20000
#define HINT_THREADS	4
#define HINT_PER_THREAD	12

static struct {
	char	*dir, *prog, *count;
} hx;

static int
hint_init(void)
{
	char *script;

	hx.dir = tu_tmpdir("hint");
	hx.prog = tu_asprintf("%s/fake-rsync", hx.dir);
	hx.count = tu_asprintf("%s/runs", hx.dir);
	/* Logs each run, takes a while, leaves one object in the module. */
	script = tu_asprintf("#!/bin/sh\nfor a; do dest=$a; done\n"
	    "echo \"$dest\" >>'%s'\nsleep " HINT_SLEEP "\nmkdir -p \"$dest/ca\" "
	    "&& echo hi >\"$dest/ca/x.roa\"\n", hx.count);
	if (tu_write_file(hx.prog, script, strlen(script)) == -1 ||
	    chmod(hx.prog, 0755) == -1) {
		free(script);
		return -1;
	}
	free(script);
	return 0;
}

static int
hint_cleanup(void)
{
	if (hx.dir != NULL)
		tu_rmtree(hx.dir);
	free(hx.dir);
	free(hx.prog);
	free(hx.count);
	memset(&hx, 0, sizeof(hx));
	return 0;
}

static struct fetcher *
hint_fetcher(const char *name)
{
	struct fetch_config c;
	char *cache = tu_asprintf("%s/%s", hx.dir, name);
	struct fetcher *f;

	memset(&c, 0, sizeof(c));
	c.cache_dir = cache;
	c.rsync_program = hx.prog;
	c.allow_dubious_hosts = 1;	/* no DNS for example.net here */
	c.no_rrdp = 1;
	f = fetch_new(&c);
	free(cache);
	return f;
}

static int64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * MS_PER_S + ts.tv_nsec / NS_PER_MS;
}

/* Lines in the run log: rsync runs so far. */
static int
runs(void)
{
	size_t len, i;
	char *s = (char *)tu_read_file(hx.count, &len);
	int n = 0;

	for (i = 0; s != NULL && i < len; i++)
		n += s[i] == '\n';
	free(s);
	return n;
}

/* Wait, without driving anything ourselves, for every fetch to end. */
static int
all_done(struct fetcher *f)
{
	int64_t end = ms_now() + HINT_WAIT_MS;
	struct timespec ts = { 0, 20 * NS_PER_MS };
	size_t i, n;
	int pending;

	do {
		pending = 0;
		n = fetch_count(f);
		for (i = 0; i < n; i++)
			if (fetch_status_at(f, i)->result == FETCH_PENDING)
				pending++;
		if (pending == 0)
			return 1;
		nanosleep(&ts, NULL);
	} while (ms_now() < end);
	return 0;
}

static void
test_hint_background(void)
{
	struct fetcher *f;
	int64_t t0;
	char *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f = hint_fetcher("c1"));
	(void)unlink(hx.count);
	t0 = ms_now();
	CU_ASSERT_EQUAL(fetch_hint(f, "rsync://example.net/modX/ca/", NULL),
	    0);
	CU_ASSERT_EQUAL(fetch_hint(f, "rsync://example.net/modY/ca/",
	    "https://rrdp.example.net/notification.xml"), 0);
	/* Idempotent: the same modules again, through other CA URIs. */
	CU_ASSERT_EQUAL(fetch_hint(f, "rsync://example.net/modX/ca/", NULL),
	    0);
	CU_ASSERT_EQUAL(fetch_hint(f, "rsync://example.net/modY/other/", NULL),
	    0);
	/* Returns at once, long before the stand-in rsync ends. */
	CU_ASSERT(ms_now() - t0 < HINT_FAST_MS);
	CU_ASSERT_EQUAL(fetch_count(f), 2);
	/* Nobody drives the loop here: the background thread does. */
	CU_ASSERT_TRUE(all_done(f));
	CU_ASSERT_EQUAL(fetch_status_at(f, 0)->result, FETCH_OK);
	CU_ASSERT_EQUAL(fetch_status_at(f, 1)->result, FETCH_OK);
	CU_ASSERT_EQUAL(runs(), 2);
	/* fetch_repo() on a hinted repository: its outcome, no new run. */
	t0 = ms_now();
	CU_ASSERT_EQUAL(fetch_repo(f, "rsync://example.net/modX/ca2/", NULL),
	    0);
	CU_ASSERT(ms_now() - t0 < HINT_FAST_MS);
	CU_ASSERT_EQUAL(runs(), 2);
	p = tu_asprintf("%s/c1/rsync/example.net/modX/ca/x.roa", hx.dir);
	CU_ASSERT_EQUAL(access(p, R_OK), 0);
	free(p);
	/* Refused URIs are refused here too. */
	CU_ASSERT_EQUAL(fetch_hint(f, "https://example.net/x/", NULL), -1);
	CU_ASSERT_EQUAL(fetch_hint(f, "rsync://example.net/../x/", NULL), -1);
	fetch_free(f);
}

static void
test_hint_wait(void)
{
	struct fetcher *f;
	int64_t t0;

	/* fetch_repo() right after the hint waits for that same fetch. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = hint_fetcher("c2"));
	(void)unlink(hx.count);
	t0 = ms_now();
	CU_ASSERT_EQUAL(fetch_hint(f, "rsync://example.net/modW/ca/", NULL),
	    0);
	CU_ASSERT_EQUAL(fetch_repo(f, "rsync://example.net/modW/ca/", NULL),
	    0);
	CU_ASSERT(ms_now() - t0 >= 250);
	CU_ASSERT_EQUAL(runs(), 1);
	fetch_free(f);
	/* Freed with a hinted fetch in flight: stops it, no hang. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = hint_fetcher("c3"));
	CU_ASSERT_EQUAL(fetch_hint(f, "rsync://example.net/modV/ca/", NULL),
	    0);
	fetch_free(f);
}

struct hint_arg {
	struct fetcher	*f;
	int		 id;
	int		 failed;
};

static void *
hinter(void *arg)
{
	struct hint_arg *a = arg;
	char uri[128];
	int i;

	for (i = 0; i < HINT_PER_THREAD; i++) {
		/* Half the modules are shared with the next thread. */
		snprintf(uri, sizeof(uri), "rsync://example.net/m%d/ca%d/",
		    i % 2 == 0 ? i : (a->id * HINT_PER_THREAD) + i, a->id);
		if (fetch_hint(a->f, uri, NULL) == -1)
			a->failed++;
	}
	return NULL;
}

static void
test_hint_threads(void)
{
	struct hint_arg a[HINT_THREADS];
	pthread_t t[HINT_THREADS];
	struct fetcher *f;
	size_t want;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f = hint_fetcher("c4"));
	(void)unlink(hx.count);
	for (i = 0; i < HINT_THREADS; i++) {
		a[i].f = f;
		a[i].id = i;
		a[i].failed = 0;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, hinter,
		    &a[i]), 0);
	}
	for (i = 0; i < HINT_THREADS; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT_EQUAL(a[i].failed, 0);
	}
	/* Shared modules once each, plus every thread's own ones. */
	want = HINT_PER_THREAD / 2 + HINT_THREADS * (HINT_PER_THREAD / 2);
	CU_ASSERT_EQUAL(fetch_count(f), want);
	CU_ASSERT_TRUE(all_done(f));
	CU_ASSERT_EQUAL((size_t)runs(), want);
	fetch_free(f);
}

REEF_SUITE_FULL(fetch_hint, hint_init, hint_cleanup,
    REEF_TEST(test_hint_background), REEF_TEST(test_hint_wait),
    REEF_TEST(test_hint_threads))
