/*
 * Integration: `reef validate` and `reef fetch` started as root give up
 * root (common/privdrop.h) before they touch the cache or the network.
 *
 * A reef-repogen repository is laid out as a cache (the rsync tree under
 * CACHE/rsync/localhost, as the walk tests do) and validated --offline at
 * a fixed time, so no server is needed.  The checks: the process ids seen
 * in /proc while the validator runs (it is held in open() of a FIFO given
 * as --slurm, which happens after the drop), the owner of every output
 * and of the directories reef made, the default account _reef (created
 * for the test with useradd(8) and removed after when it is absent), and
 * the refusals.  Needs root; without it, the programs or useradd, or with
 * REEF_TESTS_UNIT_ONLY set, each test prints SKIPPED and passes.
 *
 * While _reef exists, any reef run as root without --user becomes it, so
 * the account this suite makes must not outlive it: it carries a mark
 * (its GECOS field), is removed right after the one run that needs it,
 * else by the suite's cleanup, at exit, or on SIGINT, SIGTERM or SIGHUP;
 * and one left by a run that was killed outright is removed when the
 * next reef-tests starts, before any suite runs.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/privdrop.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* The unprivileged account --user names. */
#define TEST_USER		"nobody"
/* Wall-clock cap of one reef run (timeout(1)), in seconds. */
#define RUN_TIMEOUT		60
/* Generator seed and base time (reef-repogen(1) --time default). */
#define GEN_SEED		2811
#define GEN_BASE		1767225600LL
/* A validation time inside every object's validity. */
#define AT_VALID		(GEN_BASE + 86400)
/* Waits for the validator to open the FIFO: polls POLL_US apart. */
#define FIFO_POLLS		(RUN_TIMEOUT * 20)
#define POLL_US			50000
/* Longest line of /proc/PID/status read. */
#define STATUS_LINE_MAX		512
#define REEF_OK			0
#define REEF_FAIL		1
/* Options of every offline run over the generated cache. */
#define OFFLINE_OPTS		"--offline --allow-dubious-hosts -f csv,json"
/* GECOS of the default account when this suite made it. */
#define MADE_MARK		"reef-tests temporary account"

static struct {
	int		 ready;		/* 1: set up, -1: skipped */
	char		*dir;		/* scratch root */
	char		*repo;		/* reef-repogen output */
	char		*tals;
	char		*reef;
	uid_t		 uid;		/* TEST_USER's */
	gid_t		 gid;
	int		 runs;		/* numbers the logs */
} fx;

/*
 * The default account this suite made and has not removed yet, and
 * userdel(8) to remove it with: globals, for the signal handler.
 */
static volatile sig_atomic_t made_default;
static char userdel_path[PATH_MAX];
static const int made_signals[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction made_saved[sizeof(made_signals) /
    sizeof(made_signals[0])];

/*
 * Remove the account made by this suite, quietly; async-signal-safe
 * (fork, execv, waitpid), so the signal handler may call it.
 */
static void
unmake_default(void)
{
	char *const argv[] = { userdel_path, PRIVDROP_DEFAULT_USER, NULL };
	pid_t pid;
	int fd, st;

	if (!made_default || userdel_path[0] == '\0')
		return;
	if ((pid = fork()) == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) != -1) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(userdel_path, argv);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0)
		made_default = 0;
}

static void
unmake_on_signal(int sig)
{
	unmake_default();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
unmake_at_exit(void)
{
	unmake_default();
}

/* The account: made with the mark, removed however the process ends. */
static int
make_default(void)
{
	static int registered;
	struct sigaction sa;
	char *path;
	size_t i;

	path = tu_asprintf("%s/path", fx.dir);
	if (tu_system("command -v userdel >'%s'", path) == 0) {
		unsigned char *p = tu_read_file(path, NULL);

		if (p != NULL)
			snprintf(userdel_path, sizeof(userdel_path), "%.*s",
			    (int)strcspn((char *)p, "\n"), (char *)p);
		free(p);
	}
	free(path);
	if (userdel_path[0] != '/')
		return -1;
	if (!registered && atexit(unmake_at_exit) == 0)
		registered = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = unmake_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(made_signals) / sizeof(made_signals[0]); i++)
		sigaction(made_signals[i], &sa, &made_saved[i]);
	/* Marked before it exists: a signal in between finds nothing. */
	made_default = 1;
	if (tu_system("useradd --system --no-create-home --home-dir "
	    "/nonexistent --shell /usr/sbin/nologin --comment '" MADE_MARK
	    "' '%s' >/dev/null 2>&1", PRIVDROP_DEFAULT_USER) != 0) {
		made_default = 0;
		return -1;
	}
	return 0;
}

/* Remove the account now and put the signal handlers back. */
static int
unmake_default_now(void)
{
	size_t i;
	int gone;

	unmake_default();
	gone = !made_default;
	for (i = 0; i < sizeof(made_signals) / sizeof(made_signals[0]); i++)
		sigaction(made_signals[i], &made_saved[i], NULL);
	return gone ? 0 : -1;
}

/*
 * At start-up, before any suite: a marked default account left by a
 * reef-tests that was killed would turn every later run as root into a
 * run as that account.  Never touches an account without the mark.
 */
__attribute__((constructor)) static void
remove_stale_default(void)
{
	const struct passwd *pw;

	if (geteuid() != 0 ||
	    (pw = getpwnam(PRIVDROP_DEFAULT_USER)) == NULL ||
	    pw->pw_gecos == NULL || strcmp(pw->pw_gecos, MADE_MARK) != 0)
		return;
	if (tu_system("userdel '%s' >/dev/null 2>&1", PRIVDROP_DEFAULT_USER)
	    == 0)
		fprintf(stderr, "reef-tests: removed the account %s an "
		    "interrupted run left\n", PRIVDROP_DEFAULT_USER);
}

static int
skip_all(const char *why)
{
	printf("\n    SKIPPED: %s\n    ", why);
	return -1;
}

static void
show_log(const char *log)
{
	printf("\n    --- %s ---\n", log);
	tu_system("tail -n 20 '%s' | sed 's/^/    /'", log);
}

static int
file_has(const char *path, const char *needle)
{
	unsigned char *buf = tu_read_file(path, NULL);
	int found;

	found = buf != NULL && strstr((char *)buf, needle) != NULL;
	free(buf);
	return found;
}

static uid_t
owner_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return (uid_t)-1;
	return st.st_uid;
}

/* 1 when dir and everything below it belong to uid. */
static int
all_owned_by(const char *dir, uid_t uid)
{
	return owner_of(dir) == uid && tu_system("test -z \"$(find '%s' ! "
	    "-uid %u | head -n 1)\"", dir, (unsigned)uid) == 0;
}

static int
setup(void)
{
	const struct passwd *pw;
	char *gen, *keys, *log;
	const char *e = getenv("REEF_KEY_CACHE");
	int st;

	if (fx.ready != 0)
		return fx.ready;
	fx.ready = -1;
	if (getenv("REEF_TESTS_UNIT_ONLY") != NULL)
		return skip_all("REEF_TESTS_UNIT_ONLY is set");
	if (geteuid() != 0)
		return skip_all("needs root");
	if ((pw = getpwnam(TEST_USER)) == NULL)
		return skip_all("no user " TEST_USER);
	fx.uid = pw->pw_uid;
	fx.gid = pw->pw_gid;
	fx.reef = tu_asprintf("%s/validator/reef", tu_builddir());
	gen = tu_asprintf("%s/tests/tools/repogen/reef-repogen",
	    tu_builddir());
	if (access(fx.reef, X_OK) != 0 || access(gen, X_OK) != 0) {
		free(gen);
		return skip_all("reef or reef-repogen is not built");
	}
	if (tu_system("command -v timeout >/dev/null") != 0) {
		free(gen);
		return skip_all("timeout(1) missing");
	}
	fx.dir = tu_tmpdir("privdrop");
	CU_ASSERT_FATAL(fx.dir != NULL);
	/* mkdtemp() makes 0700: the dropped runs must reach their files. */
	CU_ASSERT_FATAL(chmod(fx.dir, 0755) == 0);
	fx.repo = tu_asprintf("%s/repo", fx.dir);
	fx.tals = tu_asprintf("%s/tals", fx.repo);
	keys = e != NULL && *e != '\0' ? tu_asprintf("%s", e) :
	    tu_asprintf("%s/.key-cache", tu_builddir());
	log = tu_asprintf("%s.log", fx.repo);
	mkdir(keys, 0700);
	st = tu_system("'%s' -o '%s' --seed %d --key-cache '%s' --scale tiny "
	    ">'%s' 2>&1", gen, fx.repo, GEN_SEED, keys, log);
	if (st != 0)
		show_log(log);
	CU_ASSERT_EQUAL(st, 0);
	if (st == 0)
		fx.ready = 1;
	free(gen);
	free(keys);
	free(log);
	return fx.ready;
}

static int
cleanup(void)
{
	/* A test stopped by a fatal assertion while the account existed. */
	if (made_default)
		unmake_default_now();
	if (fx.dir != NULL)
		tu_rmtree(fx.dir);
	free(fx.dir);
	free(fx.repo);
	free(fx.tals);
	free(fx.reef);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

/*
 * A fresh directory dir/NAME holding the generated repository as a cache,
 * given to owner (-1: left to root).  Returns NAME's path (malloc'd).
 */
static char *
new_case(const char *name, uid_t owner, char **cache)
{
	char *d = tu_asprintf("%s/%s", fx.dir, name);

	*cache = tu_asprintf("%s/cache", d);
	CU_ASSERT_EQUAL(tu_system("mkdir -p '%s/rsync' && cp -R "
	    "'%s/gen1/rsync' '%s/rsync/localhost'", *cache, fx.repo,
	    *cache), 0);
	if (owner != (uid_t)-1)
		CU_ASSERT_EQUAL(tu_system("chown -R %u '%s'", (unsigned)owner,
		    *cache), 0);
	return d;
}

/* Run reef with args; its exit status, the log path in *log. */
static int
reef_run(const char *d, char **log, const char *args)
{
	*log = tu_asprintf("%s/run%d.log", d, ++fx.runs);
	return tu_system("timeout %d '%s' %s >'%s' 2>&1", RUN_TIMEOUT, fx.reef,
	    args, *log);
}

/* Every output of a successful run exists and belongs to uid. */
static void
check_outputs(const char *out, uid_t uid)
{
	static const char *const files[] = { "vrps.csv", "vrps.json",
	    "metrics" };
	struct stat st;
	char *p;
	size_t i;

	CU_ASSERT(all_owned_by(out, uid));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		p = tu_asprintf("%s/%s", out, files[i]);
		/* The outputs are links into the run in use: follow them. */
		CU_ASSERT(stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size > 0 && st.st_uid == uid);
		free(p);
	}
}

/* --user: the outputs, the lock and the store are the user's. */
static void
test_privdrop_validate_user(void)
{
	char *d, *cache, *out, *log, *args, *p;
	int rc;

	if (setup() != 1)
		return;
	d = new_case("user", fx.uid, &cache);
	out = tu_asprintf("%s/out", d);
	args = tu_asprintf("validate " OFFLINE_OPTS " --user " TEST_USER
	    " -t '%s' -d '%s' -o '%s' --at @%lld", fx.tals, cache, out,
	    AT_VALID);
	rc = reef_run(d, &log, args);
	if (rc != REEF_OK)
		show_log(log);
	CU_ASSERT_EQUAL(rc, REEF_OK);
	/* reef made OUTDIR for the user before becoming it. */
	check_outputs(out, fx.uid);
	CU_ASSERT(all_owned_by(cache, fx.uid));
	p = tu_asprintf("%s/.lock", cache);
	CU_ASSERT_EQUAL(owner_of(p), fx.uid);
	free(p);
	CU_ASSERT(!file_has(log, "running as root"));
	free(d);
	free(cache);
	free(out);
	free(log);
	free(args);
}

/* The value of the field "key:" of /proc/pid/status, or NULL. */
static char *
proc_field(pid_t pid, const char *key)
{
	char path[64], line[STATUS_LINE_MAX], *v = NULL, *nl;
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) != 0 || line[klen] != ':')
			continue;
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		v = tu_asprintf("%s", line + klen + 1 + strspn(line + klen +
		    1, " \t"));
		break;
	}
	fclose(f);
	return v;
}

/* Open the FIFO for writing once reef has it open; -1 if it never did. */
static int
await_reader(const char *fifo, pid_t pid)
{
	int fd, i, status;

	for (i = 0; i < FIFO_POLLS; i++) {
		if ((fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) != -1)
			return fd;
		if (errno != ENXIO || waitpid(pid, &status, WNOHANG) != 0)
			return -1;
		usleep(POLL_US);
	}
	return -1;
}

/* The ids of the running validator, from the kernel's point of view. */
static void
test_privdrop_validate_proc(void)
{
	char *d, *cache, *out, *fifo, *log, *want_uid, *want_gid, *v;
	pid_t pid;
	int fd, status;

	if (setup() != 1)
		return;
	d = new_case("proc", fx.uid, &cache);
	out = tu_asprintf("%s/out", d);
	fifo = tu_asprintf("%s/slurm.fifo", d);
	log = tu_asprintf("%s/proc.log", d);
	CU_ASSERT_FATAL(mkfifo(fifo, 0644) == 0);
	fflush(stdout);
	CU_ASSERT_FATAL((pid = fork()) != -1);
	if (pid == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
		    dup2(fd, STDOUT_FILENO) == -1 ||
		    dup2(fd, STDERR_FILENO) == -1)
			_exit(127);
		execl(fx.reef, "reef", "validate", "--offline",
		    "--allow-dubious-hosts", "--user", TEST_USER, "-t", fx.tals,
		    "-d", cache, "-o", out, "--slurm", fifo, (char *)NULL);
		_exit(127);
	}
	/* Held in open() of --slurm: past the drop, before the cache. */
	fd = await_reader(fifo, pid);
	CU_ASSERT(fd != -1);
	if (fd != -1) {
		want_uid = tu_asprintf("%u\t%u\t%u\t%u", (unsigned)fx.uid,
		    (unsigned)fx.uid, (unsigned)fx.uid, (unsigned)fx.uid);
		want_gid = tu_asprintf("%u\t%u\t%u\t%u", (unsigned)fx.gid,
		    (unsigned)fx.gid, (unsigned)fx.gid, (unsigned)fx.gid);
		v = proc_field(pid, "Uid");
		CU_ASSERT(v != NULL && strcmp(v, want_uid) == 0);
		free(v);
		v = proc_field(pid, "Gid");
		CU_ASSERT(v != NULL && strcmp(v, want_gid) == 0);
		free(v);
		v = proc_field(pid, "Groups");
		CU_ASSERT(v != NULL && (unsigned)atoi(v) == fx.gid &&
		    strchr(v, ' ') == strrchr(v, ' ') &&
		    (strchr(v, ' ') == NULL || strchr(v, ' ')[1] == '\0'));
		free(v);
		/* No capability is left either. */
		v = proc_field(pid, "CapEff");
		CU_ASSERT(v != NULL && strspn(v, "0") == strlen(v));
		free(v);
		v = proc_field(pid, "CapPrm");
		CU_ASSERT(v != NULL && strspn(v, "0") == strlen(v));
		free(v);
		free(want_uid);
		free(want_gid);
		/* An empty SLURM file: the run ends (and fails) at once. */
		close(fd);
	} else
		kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == REEF_FAIL);
	/* The output directory was made for the user all the same. */
	CU_ASSERT_EQUAL(owner_of(out), fx.uid);
	free(d);
	free(cache);
	free(out);
	free(fifo);
	free(log);
}

/* No --user as root: PRIVDROP_DEFAULT_USER when it exists, else root. */
static void
test_privdrop_validate_default(void)
{
	const struct passwd *pw;
	char *d, *cache, *out, *log, *args;
	int made = 0, rc;
	uid_t uid;

	if (setup() != 1)
		return;
	if (getpwnam(PRIVDROP_DEFAULT_USER) == NULL) {
		if (tu_system("{ command -v useradd && command -v userdel; } "
		    ">/dev/null") != 0) {
			skip_all("useradd or userdel missing");
			return;
		}
		/* Without the account, root stays root and says so. */
		d = new_case("no-default", (uid_t)-1, &cache);
		out = tu_asprintf("%s/out", d);
		args = tu_asprintf("validate " OFFLINE_OPTS " -t '%s' -d '%s' "
		    "-o '%s' --at @%lld", fx.tals, cache, out, AT_VALID);
		rc = reef_run(d, &log, args);
		CU_ASSERT_EQUAL(rc, REEF_OK);
		CU_ASSERT(file_has(log, "running as root"));
		check_outputs(out, 0);
		free(d);
		free(cache);
		free(out);
		free(log);
		free(args);
		CU_ASSERT_FATAL(make_default() == 0);
		made = 1;
	}
	CU_ASSERT_FATAL((pw = getpwnam(PRIVDROP_DEFAULT_USER)) != NULL);
	uid = pw->pw_uid;
	d = new_case("default", uid, &cache);
	out = tu_asprintf("%s/out", d);
	args = tu_asprintf("validate " OFFLINE_OPTS " -t '%s' -d '%s' -o '%s' "
	    "--at @%lld", fx.tals, cache, out, AT_VALID);
	rc = reef_run(d, &log, args);
	if (made)
		CU_ASSERT(unmake_default_now() == 0);
	if (rc != REEF_OK)
		show_log(log);
	CU_ASSERT_EQUAL(rc, REEF_OK);
	CU_ASSERT(!file_has(log, "running as root"));
	check_outputs(out, uid);
	free(d);
	free(cache);
	free(out);
	free(log);
	free(args);
}

/* Runs that must stop before touching anything. */
static void
test_privdrop_validate_refused(void)
{
	char *d, *cache, *out, *log, *args;

	if (setup() != 1)
		return;
	d = new_case("refused", (uid_t)-1, &cache);
	out = tu_asprintf("%s/out", d);

	args = tu_asprintf("validate " OFFLINE_OPTS " --user "
	    "no-such-user-reef -t '%s' -d '%s' -o '%s'", fx.tals, cache, out);
	CU_ASSERT_EQUAL(reef_run(d, &log, args), REEF_FAIL);
	CU_ASSERT(file_has(log, "no such user"));
	CU_ASSERT(access(out, F_OK) == -1);
	free(args);
	free(log);

	args = tu_asprintf("validate --user= -t '%s' -d '%s' -o '%s'",
	    fx.tals, cache, out);
	CU_ASSERT_EQUAL(reef_run(d, &log, args), REEF_FAIL);
	CU_ASSERT(file_has(log, "empty user name"));
	free(args);
	free(log);

	/* A fetching run into a cache the user cannot write. */
	args = tu_asprintf("validate --user " TEST_USER " -t '%s' -d '%s' "
	    "-o '%s'", fx.tals, cache, out);
	CU_ASSERT_EQUAL(reef_run(d, &log, args), REEF_FAIL);
	CU_ASSERT(file_has(log, "not writable by " TEST_USER));
	/* No lock, nothing stored: the cache was not touched. */
	CU_ASSERT(all_owned_by(cache, 0));
	CU_ASSERT(tu_system("test -e '%s/.lock'", cache) != 0);
	free(args);
	free(log);
	free(d);
	free(cache);
	free(out);
}

/* reef fetch: the cache it makes, and all in it, are the user's. */
static void
test_privdrop_fetch_user(void)
{
	char *d, *parent, *cache, *log, *args;
	int rc;

	if (setup() != 1)
		return;
	d = tu_asprintf("%s/fetch", fx.dir);
	parent = tu_asprintf("%s/new", d);
	cache = tu_asprintf("%s/cache", parent);
	CU_ASSERT_FATAL(mkdir(d, 0755) == 0);
	/* The TALs name localhost, refused without --allow-dubious-hosts. */
	args = tu_asprintf("fetch --user " TEST_USER " --timeout 10 -t '%s' "
	    "-d '%s'", fx.tals, cache);
	rc = reef_run(d, &log, args);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT(all_owned_by(cache, fx.uid));
	/* The parent it had to make stays root's. */
	CU_ASSERT_EQUAL(owner_of(parent), 0);
	CU_ASSERT(tu_system("test -n \"$(ls -A '%s')\"", cache) == 0);
	CU_ASSERT(!file_has(log, "running as root"));
	free(args);
	free(log);

	args = tu_asprintf("fetch --user no-such-user-reef -t '%s' -d '%s/x'",
	    fx.tals, d);
	CU_ASSERT_EQUAL(reef_run(d, &log, args), 1);
	CU_ASSERT(file_has(log, "no such user"));
	CU_ASSERT(tu_system("test -e '%s/x'", d) != 0);
	free(args);
	free(log);
	free(d);
	free(parent);
	free(cache);
}

REEF_SUITE_FULL(integration_privdrop, NULL, cleanup,
    REEF_TEST(test_privdrop_validate_user),
    REEF_TEST(test_privdrop_validate_proc),
    REEF_TEST(test_privdrop_validate_default),
    REEF_TEST(test_privdrop_validate_refused),
    REEF_TEST(test_privdrop_fetch_user))
