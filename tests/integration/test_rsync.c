/*
 * Integration: validator/rsync.c against a real rsync daemon, against
 * hostile servers, and against fake rsync programs that report what they
 * were given.
 *
 * The real daemon is tests/tools/serve.sh on 127.0.0.1 serving a
 * hand-made module; the hostile servers are forked from this process and
 * listen on 127.0.0.1: one greets like an rsync daemon and then drips a
 * byte a second, one accepts and never says anything.  Everything is
 * stopped by pid in the suite cleanup.  When rsync or serve.sh cannot run
 * the tests that need them print SKIPPED and pass (CUnit has no skip).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/limits.h"
#include "common/log.h"
#include "validator/rsync.h"
#include "validator/uri.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* Deadline for the hostile servers, and the slack allowed on top of it. */
#define HOSTILE_DEADLINE	3
#define SLACK_MS		1500
/* --timeout for those runs: well past the deadline, so the deadline acts. */
#define HOSTILE_IO_TIMEOUT	20
/* Connections a hostile server holds at once. */
#define HOSTILE_MAX_CONNS	16
/* Seconds between two dripped bytes. */
#define DRIP_INTERVAL		1
/* The fd the fake rsync checks was not inherited. */
#define PROBE_FD		57
#define MS_PER_S		1000
/* How long process_gone() waits for a killed process to die. */
#define GONE_TRIES		20
#define GONE_TICK_MS		50

enum hostile_mode { HOSTILE_DRIP, HOSTILE_SILENT };

struct hostile {
	pid_t		pid;
	int		port;
};

/* Suite state: scratch directory, the rsync daemon, the hostile servers. */
static struct {
	char		*dir;		/* scratch root */
	char		*tree;		/* served generation: tree/rsync/mod */
	char		*state;		/* serve.sh state directory */
	char		*log;		/* where log lines go during the suite */
	int		 logfd;
	int		 rsync_port;	/* 0: no daemon */
	struct hostile	 drip, silent;
	char		 rsync_prog[MAX_PATH_LENGTH + 1];	/* "" when none */
} st;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * MS_PER_S + ts.tv_nsec / 1000000;
}

/* Hold up to HOSTILE_MAX_CONNS connections, dripping or silent; never returns. */
static void __attribute__((noreturn))
hostile_loop(int lfd, enum hostile_mode mode)
{
	static const char greeting[] = "@RSYNCD: 31.0\n";
	struct pollfd pfd;
	int conns[HOSTILE_MAX_CONNS], n = 0, i, c;

	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		pfd.fd = lfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, DRIP_INTERVAL * MS_PER_S) > 0 &&
		    (c = accept(lfd, NULL, NULL)) != -1) {
			if (n == HOSTILE_MAX_CONNS)
				close(c);
			else {
				conns[n++] = c;
				if (mode == HOSTILE_DRIP)
					(void)!write(c, greeting,
					    sizeof(greeting) - 1);
			}
		}
		if (mode != HOSTILE_DRIP)
			continue;
		/* One byte of an endless "message of the day" line. */
		for (i = 0; i < n; i++)
			(void)!write(conns[i], "x", 1);
	}
}

/* Fork a hostile server on 127.0.0.1, a free port; 0 or -1. */
static int
hostile_start(struct hostile *h, enum hostile_mode mode)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int lfd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, HOSTILE_MAX_CONNS) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) == -1) {
		close(lfd);
		return -1;
	}
	h->port = ntohs(sin.sin_port);
	fflush(NULL);
	if ((h->pid = fork()) == -1) {
		close(lfd);
		return -1;
	}
	if (h->pid == 0)
		hostile_loop(lfd, mode);
	close(lfd);
	return 0;
}

static void
hostile_stop(struct hostile *h)
{
	if (h->pid <= 0)
		return;
	kill(h->pid, SIGKILL);
	waitpid(h->pid, NULL, 0);
	h->pid = 0;
}

/* Write a file below root, creating directories; CUnit-fatal on failure. */
static void
put(const char *root, const char *rel, const char *content)
{
	char *p = tu_asprintf("%s/%s", root, rel), *d;

	d = tu_asprintf("mkdir -p \"$(dirname '%s')\"", p);
	CU_ASSERT_EQUAL_FATAL(tu_system("%s", d), 0);
	CU_ASSERT_EQUAL_FATAL(tu_write_file(p, content, strlen(content)), 0);
	free(d);
	free(p);
}

/* Does root/rel exist (without following a final symlink)? */
static int
exists(const char *root, const char *rel)
{
	char *p = tu_asprintf("%s/%s", root, rel);
	struct stat sb;
	int rc = lstat(p, &sb) == 0;

	free(p);
	return rc;
}

/* Content of root/rel (root alone when rel is NULL), malloc'd, or NULL. */
static char *
slurp(const char *root, const char *rel)
{
	char *p = rel != NULL ? tu_asprintf("%s/%s", root, rel) :
	    tu_asprintf("%s", root);
	char *buf = (char *)tu_read_file(p, NULL);

	free(p);
	return buf;
}

/* The served module, with things the filters must keep out. */
static void
make_tree(void)
{
	char *mod = tu_asprintf("%s/rsync/mod", st.tree), *big, *l1, *l2;
	int fd;

	put(mod, "a.cer", "certificate one\n");
	put(mod, "sub/b.roa", "roa b\n");
	put(mod, "sub/c.mft", "manifest c\n");
	put(mod, "sub/deep/e.crl", "crl e\n");
	put(mod, "x.txt", "not an RPKI object\n");
	put(mod, "noext", "no extension\n");
	l1 = tu_asprintf("%s/link.cer", mod);
	l2 = tu_asprintf("%s/etc.cer", mod);
	CU_ASSERT_EQUAL(symlink("a.cer", l1), 0);
	CU_ASSERT_EQUAL(symlink("/etc", l2), 0);
	free(l1);
	free(l2);
	/* One byte over the size limit, sparse so it costs nothing. */
	big = tu_asprintf("%s/big.cer", mod);
	fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL(ftruncate(fd, MAX_FILE_SIZE + 1), 0);
	close(fd);
	free(big);
	free(mod);
}

/* Start serve.sh on the tree; leaves st.rsync_port 0 when it cannot. */
static void
start_daemon(void)
{
	char *out = tu_asprintf("%s/serve.out", st.dir), *buf, *p;
	int rc;

	st.state = tu_asprintf("%s/serve-state", st.dir);
	rc = tu_system("'%s/tests/tools/serve.sh' start '%s' --state '%s' "
	    "--rsync-port auto --https-port auto >'%s' 2>&1", tu_srcdir(),
	    st.tree, st.state, out);
	if (rc != 0) {
		printf("\n    serve.sh start failed (exit %d):\n", rc);
		tu_system("sed 's/^/    /' '%s'", out);
	} else if ((buf = slurp(out, NULL)) != NULL) {
		if ((p = strstr(buf, "RSYNC_PORT=")) != NULL)
			st.rsync_port = atoi(p + strlen("RSYNC_PORT="));
		free(buf);
	}
	free(out);
}

static int
suite_init(void)
{
	struct log_config logcfg = { 0 };
	struct rsync_config cfg;

	st.logfd = -1;
	signal(SIGPIPE, SIG_IGN);
	st.dir = tu_tmpdir("rsync");
	st.tree = tu_asprintf("%s/gen", st.dir);
	/* Keep the runner's output readable; tests read the log instead. */
	st.log = tu_asprintf("%s/log", st.dir);
	st.logfd = open(st.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644);
	if (st.logfd == -1)
		return -1;
	logcfg.level = LOG_LEVEL_INFO;
	logcfg.fd = st.logfd;
	log_init(&logcfg);
	if (rsync_config_init(&cfg, NULL) == 0)
		memcpy(st.rsync_prog, cfg.program, sizeof(st.rsync_prog));
	if (hostile_start(&st.drip, HOSTILE_DRIP) == -1 ||
	    hostile_start(&st.silent, HOSTILE_SILENT) == -1)
		return -1;
	return 0;
}

static int
suite_cleanup(void)
{
	hostile_stop(&st.drip);
	hostile_stop(&st.silent);
	log_init(NULL);
	if (st.logfd != -1)
		close(st.logfd);
	free(st.log);
	if (st.state != NULL) {
		tu_system("'%s/tests/tools/serve.sh' stop '%s' >/dev/null 2>&1",
		    tu_srcdir(), st.state);
		free(st.state);
	}
	tu_rmtree(st.dir);
	free(st.dir);
	free(st.tree);
	return 0;
}

/* Is the real daemon up?  Starts it on first use; prints SKIPPED if not. */
static int
need_daemon(void)
{
	static int tried;

	if (st.rsync_prog[0] == '\0') {
		printf("\n    SKIPPED: rsync is not installed\n    ");
		return 0;
	}
	if (!tried) {
		tried = 1;
		make_tree();
		start_daemon();
	}
	if (st.rsync_port == 0) {
		printf("\n    SKIPPED: the rsync daemon did not start\n    ");
		return 0;
	}
	return 1;
}

static int
need_rsync(void)
{
	if (st.rsync_prog[0] != '\0')
		return 1;
	printf("\n    SKIPPED: rsync is not installed\n    ");
	return 0;
}

/* A config for the lab: real rsync (or program), dubious hosts allowed. */
static void
lab_config(struct rsync_config *cfg, const char *program)
{
	CU_ASSERT_EQUAL_FATAL(rsync_config_init(cfg,
	    program != NULL ? program : st.rsync_prog), 0);
	cfg->allow_dubious = 1;
}

/* A fresh empty staging directory below the scratch root. */
static char *
new_stage(const char *tag)
{
	char *s = tu_asprintf("%s/stage-%s", st.dir, tag);

	CU_ASSERT_EQUAL_FATAL(mkdir(s, 0755), 0);
	return s;
}

/* Does the suite's log hold a line containing the formatted text? */
static int __attribute__((format(printf, 1, 2)))
log_has(const char *fmt, ...)
{
	va_list ap;
	char *want, *buf;
	int found;

	va_start(ap, fmt);
	if (vasprintf(&want, fmt, ap) == -1)
		want = NULL;
	va_end(ap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	buf = slurp(st.log, NULL);
	found = buf != NULL && strstr(buf, want) != NULL;
	if (!found)
		printf("\n    not in the log: %s\n", want);
	free(buf);
	free(want);
	return found;
}

/* Start, wait, free; returns the outcome and copies the message. */
static enum rsync_status
fetch(const struct rsync_config *cfg, const char *uri, const char *stage,
    char *msg, size_t msgsz)
{
	struct rsync_job *job;
	enum rsync_status rs;

	CU_ASSERT_EQUAL_FATAL(rsync_start(cfg, uri, stage, &job), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(job);
	CU_ASSERT_STRING_EQUAL(rsync_message(job), "");
	rs = rsync_wait(job);
	CU_ASSERT_EQUAL(rsync_poll(job), rs);
	CU_ASSERT_EQUAL(rsync_fd(job), -1);
	CU_ASSERT_EQUAL(rsync_timeout_ms(job), -1);
	if (msg != NULL)
		snprintf(msg, msgsz, "%s", rsync_message(job));
	rsync_free(job);
	return rs;
}

/* ---- Fetching from the real daemon ----------------------------------- */

static void
test_fetch_filters(void)
{
	struct rsync_config cfg;
	char *stage, *uri, *dest, *buf, msg[RSYNC_MESSAGE_MAX];

	if (!need_daemon())
		return;
	lab_config(&cfg, NULL);
	stage = new_stage("filters");
	uri = tu_asprintf("rsync://127.0.0.1:%d/mod/", st.rsync_port);
	CU_ASSERT_EQUAL(fetch(&cfg, uri, stage, msg, sizeof(msg)), RSYNC_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, uri));

	dest = tu_asprintf("%s/127.0.0.1:%d/mod", stage, st.rsync_port);
	CU_ASSERT_TRUE(exists(dest, "a.cer"));
	CU_ASSERT_TRUE(exists(dest, "sub/b.roa"));
	CU_ASSERT_TRUE(exists(dest, "sub/c.mft"));
	CU_ASSERT_TRUE(exists(dest, "sub/deep/e.crl"));
	buf = slurp(dest, "a.cer");
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_STRING_EQUAL(buf, "certificate one\n");
	free(buf);
	/* Filtered out: other types, symlinks, oversized files. */
	CU_ASSERT_FALSE(exists(dest, "x.txt"));
	CU_ASSERT_FALSE(exists(dest, "noext"));
	CU_ASSERT_FALSE(exists(dest, "link.cer"));
	CU_ASSERT_FALSE(exists(dest, "etc.cer"));
	CU_ASSERT_FALSE(exists(dest, "big.cer"));
	free(dest);
	free(uri);
	free(stage);
}

static void
test_fetch_update(void)
{
	struct rsync_config cfg;
	char *stage, *uri, *dest, *mod, *buf, *p;

	if (!need_daemon())
		return;
	lab_config(&cfg, NULL);
	stage = new_stage("update");
	uri = tu_asprintf("rsync://127.0.0.1:%d/mod/sub/", st.rsync_port);
	dest = tu_asprintf("%s/127.0.0.1:%d/mod/sub", stage, st.rsync_port);
	mod = tu_asprintf("%s/rsync/mod", st.tree);

	CU_ASSERT_EQUAL(fetch(&cfg, uri, stage, NULL, 0), RSYNC_OK);
	CU_ASSERT_TRUE(exists(dest, "b.roa"));
	CU_ASSERT_FALSE(exists(dest, "../a.cer"));

	/* Upstream: one changed, one gone, one new. */
	put(mod, "sub/c.mft", "manifest c, second edition\n");
	p = tu_asprintf("%s/sub/b.roa", mod);
	CU_ASSERT_EQUAL(unlink(p), 0);
	free(p);
	put(mod, "sub/new.asa", "aspa\n");
	/* Locally: a stale object goes, a file outside the filters stays. */
	put(dest, "stale.crl", "stale\n");
	put(dest, "keep.txt", "not ours to delete\n");

	CU_ASSERT_EQUAL(fetch(&cfg, uri, stage, NULL, 0), RSYNC_OK);
	buf = slurp(dest, "c.mft");
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_STRING_EQUAL(buf, "manifest c, second edition\n");
	free(buf);
	CU_ASSERT_FALSE(exists(dest, "b.roa"));
	CU_ASSERT_TRUE(exists(dest, "new.asa"));
	CU_ASSERT_TRUE(exists(dest, "deep/e.crl"));
	CU_ASSERT_FALSE(exists(dest, "stale.crl"));
	CU_ASSERT_TRUE(exists(dest, "keep.txt"));

	/* Put the tree back for the other tests. */
	put(mod, "sub/b.roa", "roa b\n");
	free(mod);
	free(dest);
	free(uri);
	free(stage);
}

/* A file URI lands in its directory. */
static void
test_fetch_file(void)
{
	struct rsync_config cfg;
	char *stage, *uri, *dest;

	if (!need_daemon())
		return;
	lab_config(&cfg, NULL);
	stage = new_stage("file");
	uri = tu_asprintf("rsync://127.0.0.1:%d/mod/sub/c.mft", st.rsync_port);
	CU_ASSERT_EQUAL(fetch(&cfg, uri, stage, NULL, 0), RSYNC_OK);
	dest = tu_asprintf("%s/127.0.0.1:%d/mod/sub", stage, st.rsync_port);
	CU_ASSERT_TRUE(exists(dest, "c.mft"));
	CU_ASSERT_FALSE(exists(dest, "b.roa"));
	free(dest);
	free(uri);
	free(stage);
}

static void
test_unknown_module(void)
{
	struct rsync_config cfg;
	char *stage, *uri, msg[RSYNC_MESSAGE_MAX];

	if (!need_daemon())
		return;
	lab_config(&cfg, NULL);
	stage = new_stage("nomod");
	uri = tu_asprintf("rsync://127.0.0.1:%d/nosuchmodule/",
	    st.rsync_port);
	CU_ASSERT_EQUAL(fetch(&cfg, uri, stage, msg, sizeof(msg)),
	    RSYNC_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, uri));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "status 5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "nosuchmodule"));
	/* Logged too: rsync's own words and the outcome, with the URI. */
	CU_ASSERT_TRUE(log_has("info: %s: rsync: @ERROR: Unknown module "
	    "'nosuchmodule'", uri));
	CU_ASSERT_TRUE(log_has("warning: %s", msg));
	free(uri);
	free(stage);
}

static void
test_connection_refused(void)
{
	struct rsync_config cfg;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char *stage, *uri, msg[RSYNC_MESSAGE_MAX];
	int fd, port;

	if (!need_rsync())
		return;
	/* A port that was free a moment ago and has no listener. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	CU_ASSERT_EQUAL_FATAL(getsockname(fd, (struct sockaddr *)&sin, &len),
	    0);
	port = ntohs(sin.sin_port);
	close(fd);

	lab_config(&cfg, NULL);
	stage = new_stage("refused");
	uri = tu_asprintf("rsync://127.0.0.1:%d/mod/", port);
	CU_ASSERT_EQUAL(fetch(&cfg, uri, stage, msg, sizeof(msg)),
	    RSYNC_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, uri));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "status 10"));
	free(uri);
	free(stage);
}

/* ---- Hostile servers and the deadline -------------------------------- */

/*
 * Drive several jobs from one poll loop, as the fetcher does, until all
 * have ended; returns the elapsed milliseconds.
 */
static int64_t
run_all(struct rsync_job **jobs, enum rsync_status *out, size_t n)
{
	struct pollfd pfd[4];
	int64_t start = now_ms();
	size_t i, npfd, left;
	int t, tmin;

	CU_ASSERT_FATAL(n <= 4);
	for (;;) {
		left = 0;
		npfd = 0;
		tmin = -1;
		for (i = 0; i < n; i++) {
			out[i] = rsync_poll(jobs[i]);
			if (out[i] != RSYNC_RUNNING)
				continue;
			left++;
			if (rsync_fd(jobs[i]) != -1) {
				pfd[npfd].fd = rsync_fd(jobs[i]);
				pfd[npfd].events = POLLIN;
				npfd++;
			}
			t = rsync_timeout_ms(jobs[i]);
			CU_ASSERT(t >= 0);
			if (tmin == -1 || t < tmin)
				tmin = t;
		}
		if (left == 0)
			break;
		poll(pfd, npfd, tmin);
	}
	return now_ms() - start;
}

static void
test_hostile_deadline(void)
{
	struct rsync_config cfg, real;
	struct rsync_job *jobs[3];
	enum rsync_status rs[3];
	char *stage, *u_drip, *u_silent, *u_real = NULL;
	int64_t ms;
	size_t n = 2, i;

	if (!need_rsync())
		return;
	lab_config(&cfg, NULL);
	cfg.deadline = HOSTILE_DEADLINE;
	cfg.io_timeout = HOSTILE_IO_TIMEOUT;
	stage = new_stage("hostile");
	u_drip = tu_asprintf("rsync://127.0.0.1:%d/mod/", st.drip.port);
	u_silent = tu_asprintf("rsync://127.0.0.1:%d/mod/", st.silent.port);
	CU_ASSERT_EQUAL_FATAL(rsync_start(&cfg, u_drip, stage, &jobs[0]), 0);
	CU_ASSERT_EQUAL_FATAL(rsync_start(&cfg, u_silent, stage, &jobs[1]),
	    0);
	/* A good repository in the same loop is not held up by the others. */
	if (need_daemon()) {
		lab_config(&real, NULL);
		u_real = tu_asprintf("rsync://127.0.0.1:%d/mod/",
		    st.rsync_port);
		CU_ASSERT_EQUAL_FATAL(rsync_start(&real, u_real, stage,
		    &jobs[2]), 0);
		n = 3;
	}
	ms = run_all(jobs, rs, n);

	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(rs[i], RSYNC_TIMEOUT);
		CU_ASSERT_PTR_NOT_NULL(strstr(rsync_message(jobs[i]),
		    rsync_uri(jobs[i])));
		CU_ASSERT_PTR_NOT_NULL(strstr(rsync_message(jobs[i]),
		    "deadline of 3 s"));
		CU_ASSERT_TRUE(log_has("warning: %s",
		    rsync_message(jobs[i])));
		/* The whole process group is gone. */
		CU_ASSERT_EQUAL(kill(-rsync_pid(jobs[i]), 0), -1);
	}
	if (n == 3)
		CU_ASSERT_EQUAL(rs[2], RSYNC_OK);
	CU_ASSERT(ms >= HOSTILE_DEADLINE * MS_PER_S);
	CU_ASSERT(ms < HOSTILE_DEADLINE * MS_PER_S + SLACK_MS);
	for (i = 0; i < n; i++)
		rsync_free(jobs[i]);
	free(u_drip);
	free(u_silent);
	free(u_real);
	free(stage);
}

/* rsync_free() on a running job kills and reaps it at once. */
static void
test_free_running(void)
{
	struct rsync_config cfg;
	struct rsync_job *job;
	char *stage, *uri;
	pid_t pid;

	if (!need_rsync())
		return;
	lab_config(&cfg, NULL);
	stage = new_stage("free");
	uri = tu_asprintf("rsync://127.0.0.1:%d/mod/", st.silent.port);
	CU_ASSERT_EQUAL_FATAL(rsync_start(&cfg, uri, stage, &job), 0);
	CU_ASSERT_EQUAL(rsync_poll(job), RSYNC_RUNNING);
	CU_ASSERT(rsync_timeout_ms(job) > 0);
	CU_ASSERT(rsync_fd(job) >= 0);
	pid = rsync_pid(job);
	rsync_free(job);
	/* Reaped: no such child any more. */
	CU_ASSERT_EQUAL(waitpid(pid, NULL, WNOHANG), -1);
	CU_ASSERT_EQUAL(errno, ECHILD);
	free(uri);
	free(stage);
}

/* ---- Refusals: nothing runs, nothing is written ---------------------- */

static void
test_refused(void)
{
	static const char *const bad[] = {
		"rsync://rpki.example.net/mod/../x/",
		"rsync://rpki.example.net/mod/%2e%2e/",
		"rsync://rpki.example.net/",
		"https://rpki.example.net/mod/",
		"rsync://user@rpki.example.net/mod/",
		"rsync://rpki.example.net/mod/a b/",
		"rsync://rpki.example.net/mod/x?y",
		"-e sh rsync://x/",
	};
	static const char *const dubious[] = {
		"rsync://127.0.0.1/mod/",
		"rsync://localhost/mod/",
		"rsync://rpki.example.net:873/mod/",
		"rsync://[::1]/mod/",
	};
	struct rsync_config cfg;
	struct rsync_job *job;
	char *stage, *ls, *out;
	size_t i;

	/* /bin/true stands in for rsync: nothing here may reach it. */
	CU_ASSERT_EQUAL_FATAL(rsync_config_init(&cfg, "/bin/true"), 0);
	stage = new_stage("refused-uris");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		job = (struct rsync_job *)1;
		CU_ASSERT_EQUAL(rsync_start(&cfg, bad[i], stage, &job), -1);
		CU_ASSERT_PTR_NULL(job);
	}
	for (i = 0; i < sizeof(dubious) / sizeof(dubious[0]); i++) {
		CU_ASSERT_EQUAL(rsync_start(&cfg, dubious[i], stage, &job),
		    -1);
		CU_ASSERT_PTR_NULL(job);
	}
	/* The staging directory is still empty. */
	out = tu_asprintf("%s.ls", stage);
	ls = tu_asprintf("ls -A '%s' >'%s'", stage, out);
	CU_ASSERT_EQUAL(tu_system("%s", ls), 0);
	free(ls);
	ls = (char *)tu_read_file(out, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ls);
	CU_ASSERT_STRING_EQUAL(ls, "");
	free(ls);
	free(out);

	/* Default: dubious refused; allowed when configured. */
	cfg.allow_dubious = 1;
	CU_ASSERT_EQUAL(rsync_start(&cfg, dubious[0], stage, &job), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(job);
	CU_ASSERT_EQUAL(rsync_wait(job), RSYNC_OK);
	rsync_free(job);
	free(stage);
}

/* A planted symlink in the staging area is not followed. */
static void
test_symlink_in_stage(void)
{
	struct rsync_config cfg;
	struct rsync_job *job;
	char *stage, *target, *link;

	CU_ASSERT_EQUAL_FATAL(rsync_config_init(&cfg, "/bin/true"), 0);
	cfg.allow_dubious = 1;
	stage = new_stage("symlink");
	target = tu_asprintf("%s/elsewhere", st.dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(target, 0755), 0);
	link = tu_asprintf("%s/h.example", stage);
	CU_ASSERT_EQUAL_FATAL(symlink(target, link), 0);
	CU_ASSERT_EQUAL(rsync_start(&cfg, "rsync://h.example/mod/", stage,
	    &job), -1);
	CU_ASSERT_PTR_NULL(job);
	CU_ASSERT_FALSE(exists(target, "mod"));
	free(link);
	free(target);
	free(stage);
}

/*
 * A relative staging directory gets a "./" in front, so rsync cannot read
 * "127.0.0.1:873/..." in it as HOST:PATH of a remote shell transfer.
 */
static void
test_relative_stage(void)
{
	struct rsync_config cfg;
	struct rsync_job *job;
	int cwd;

	CU_ASSERT_EQUAL_FATAL(rsync_config_init(&cfg, "/bin/true"), 0);
	cfg.allow_dubious = 1;
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CU_ASSERT_FATAL(cwd != -1);
	CU_ASSERT_EQUAL_FATAL(chdir(st.dir), 0);
	CU_ASSERT_EQUAL(mkdir("rel", 0755), 0);
	CU_ASSERT_EQUAL(rsync_start(&cfg, "rsync://127.0.0.1:873/m/d/x.cer",
	    "rel", &job), 0);
	CU_ASSERT_PTR_NOT_NULL(job);
	if (job != NULL) {
		CU_ASSERT_STRING_EQUAL(rsync_dest(job),
		    "./rel/127.0.0.1:873/m/d/");
		CU_ASSERT_EQUAL(rsync_wait(job), RSYNC_OK);
	}
	rsync_free(job);
	CU_ASSERT_TRUE(exists("rel", "127.0.0.1:873/m/d"));
	CU_ASSERT_EQUAL(fchdir(cwd), 0);
	close(cwd);
}

/* ---- Fake rsync programs: argv, environment, descriptors, status ----- */

/* Write an executable /bin/sh script and return its path. */
static char *
fake_rsync(const char *name, const char *body)
{
	char *path = tu_asprintf("%s/%s", st.dir, name);
	char *text = tu_asprintf("#!/bin/sh\n%s", body);

	CU_ASSERT_EQUAL_FATAL(tu_write_file(path, text, strlen(text)), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(path, 0755), 0);
	free(text);
	return path;
}

static void
test_child_setup(void)
{
	struct rsync_config cfg;
	struct rsync_job *job;
	char *prog, *body, *rep, *buf, *want, *stage, *dest;
	int fd;

	rep = tu_asprintf("%s/report", st.dir);
	body = tu_asprintf(
	    "exec >'%s' 2>&1\n"
	    "echo \"argv0=$0\"\n"
	    "for a; do echo \"arg=$a\"; done\n"
	    "tr '\\000' '\\n' </proc/$$/environ | sed 's/^/env=/'\n"
	    "[ -e /proc/$$/fd/%d ] && echo leaked\n"
	    "for f in 0 1 2; do echo \"fd$f=$(readlink /proc/$$/fd/$f)\"; done\n"
	    "[ \"$(cut -d' ' -f5 /proc/$$/stat)\" = $$ ] && echo own-group\n"
	    "echo \"umask=$(umask)\"\n"
	    "echo \"fsize=$(ulimit -f)\"\n",
	    rep, PROBE_FD);
	prog = fake_rsync("fake-report", body);
	stage = new_stage("child");

	/* An inheritable descriptor the child must not get. */
	fd = open("/dev/null", O_RDONLY);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL_FATAL(dup2(fd, PROBE_FD), PROBE_FD);
	close(fd);

	lab_config(&cfg, prog);
	cfg.io_timeout = 7;
	cfg.conn_timeout = 4;
	CU_ASSERT_EQUAL_FATAL(rsync_start(&cfg,
	    "rsync://RPKI.example.net:8873/Mod/a/b/", stage, &job), 0);
	CU_ASSERT_EQUAL(rsync_wait(job), RSYNC_OK);
	dest = tu_asprintf("%s/rpki.example.net:8873/Mod/a/b/", stage);
	CU_ASSERT_STRING_EQUAL(rsync_dest(job), dest);
	CU_ASSERT_STRING_EQUAL(rsync_uri(job),
	    "rsync://rpki.example.net:8873/Mod/a/b/");
	rsync_free(job);
	close(PROBE_FD);

	buf = slurp(rep, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	want = tu_asprintf(
	    "argv0=%s\n"
	    "arg=-rt\n"
	    "arg=--no-motd\n"
	    "arg=--no-links\n"
	    "arg=--max-size=%d\n"
	    "arg=--timeout=7\n"
	    "arg=--contimeout=4\n"
	    "arg=--delete\n"
	    "arg=--include=*/\n"
	    "arg=--include=*.cer\n"
	    "arg=--include=*.crl\n"
	    "arg=--include=*.mft\n"
	    "arg=--include=*.roa\n"
	    "arg=--include=*.asa\n"
	    "arg=--include=*.gbr\n"
	    "arg=--include=*.tak\n"
	    "arg=--include=*.sig\n"
	    "arg=--include=*.spl\n"
	    "arg=--exclude=*\n"
	    "arg=--\n"
	    "arg=rsync://rpki.example.net:8873/Mod/a/b/\n"
	    "arg=%s\n"
	    "env=PATH=%s\n"
	    "fd0=/dev/null\n",
	    prog, MAX_FILE_SIZE, dest, RSYNC_CHILD_PATH);
	/* Everything up to stdin; stdout/stderr are the report file here. */
	CU_ASSERT_EQUAL(strncmp(buf, want, strlen(want)), 0);
	if (strncmp(buf, want, strlen(want)) != 0)
		printf("\n--- got:\n%s--- want:\n%s", buf, want);
	CU_ASSERT_PTR_NULL(strstr(buf, "leaked"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "own-group\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "umask=0022\n"));
	/* ulimit -f counts 512-byte blocks. */
	free(want);
	want = tu_asprintf("fsize=%d\n", MAX_FILE_SIZE / 512);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, want));
	free(want);
	free(buf);
	free(dest);
	free(stage);
	free(prog);
	free(body);
	free(rep);
}

static void
test_exit_status_message(void)
{
	struct rsync_config cfg;
	char *prog, *stage, msg[RSYNC_MESSAGE_MAX];
	const char *uri = "rsync://rpki.example.net/mod/";

	prog = fake_rsync("fake-fail",
	    "echo '@ERROR: simulated failure'\n"
	    "echo 'rsync error: more detail' >&2\n"
	    "exit 5\n");
	stage = new_stage("status");
	CU_ASSERT_EQUAL_FATAL(rsync_config_init(&cfg, prog), 0);
	CU_ASSERT_EQUAL(fetch(&cfg, uri, stage, msg, sizeof(msg)),
	    RSYNC_FAILED);
	CU_ASSERT_STRING_EQUAL(msg, "rsync://rpki.example.net/mod/: rsync "
	    "exited with status 5 (error starting client-server protocol): "
	    "@ERROR: simulated failure");
	free(prog);

	/* Killed by a signal. */
	prog = fake_rsync("fake-signal", "kill -SEGV $$\n");
	CU_ASSERT_EQUAL_FATAL(rsync_config_init(&cfg, prog), 0);
	CU_ASSERT_EQUAL(fetch(&cfg, uri, stage, msg, sizeof(msg)),
	    RSYNC_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, uri));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "signal 11"));
	free(prog);

	/* Overlong and numerous output lines are cut and capped. */
	prog = fake_rsync("fake-chatty",
	    "i=0; while [ $i -lt 200 ]; do\n"
	    "  printf '%0600d\\n' $i; i=$((i+1)); done\n"
	    "exit 23\n");
	CU_ASSERT_EQUAL_FATAL(rsync_config_init(&cfg, prog), 0);
	CU_ASSERT_EQUAL(fetch(&cfg, uri, stage, msg, sizeof(msg)),
	    RSYNC_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "status 23 (partial transfer"));
	/* The first line, cut to RSYNC_LINE_MAX - 1 bytes, ends the message. */
	CU_ASSERT(strlen(msg) > RSYNC_LINE_MAX - 1);
	CU_ASSERT_EQUAL(strspn(msg + strlen(msg) - (RSYNC_LINE_MAX - 1), "0"),
	    RSYNC_LINE_MAX - 1);
	free(prog);
	free(stage);
}

static void
test_exec_failure(void)
{
	struct rsync_config cfg;
	char *prog, *stage, msg[RSYNC_MESSAGE_MAX];

	prog = fake_rsync("fake-vanishing", "exit 0\n");
	CU_ASSERT_EQUAL_FATAL(rsync_config_init(&cfg, prog), 0);
	/* Gone between startup and the fetch. */
	CU_ASSERT_EQUAL_FATAL(unlink(prog), 0);
	stage = new_stage("exec");
	CU_ASSERT_EQUAL(fetch(&cfg, "rsync://rpki.example.net/mod/", stage,
	    msg, sizeof(msg)), RSYNC_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "rsync://rpki.example.net/mod/"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "status 127"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "cannot execute"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "ENOENT"));
	free(stage);
	free(prog);
}

/*
 * Is pid dead, or a zombie waiting for a reaper that is not us?  Allows
 * the kernel a moment to finish a SIGKILL already sent.
 */
static int
process_gone(pid_t pid)
{
	char *path = tu_asprintf("/proc/%d/stat", (int)pid), *text, *rp;
	int i, gone = 0;

	for (i = 0; i < GONE_TRIES && !gone; i++) {
		text = (char *)tu_read_file(path, NULL);
		rp = text != NULL ? strrchr(text, ')') : NULL;
		gone = text == NULL || (rp != NULL && rp[1] == ' ' &&
		    rp[2] == 'Z');
		free(text);
		if (!gone)
			usleep(GONE_TICK_MS * 1000);
	}
	free(path);
	return gone;
}

/* A child that ignores SIGTERM is killed RSYNC_KILL_GRACE later. */
static void
test_deadline_sigkill(void)
{
	struct rsync_config cfg;
	struct rsync_job *job;
	char *prog, *stage, *pidfile, *buf;
	int64_t t0, ms;
	pid_t helper;

	pidfile = tu_asprintf("%s/helper.pid", st.dir);
	buf = tu_asprintf("trap '' TERM\n"
	    "sleep 60 & echo $! >'%s'\n"
	    "while :; do sleep 1; done\n", pidfile);
	prog = fake_rsync("fake-stubborn", buf);
	free(buf);
	stage = new_stage("stubborn");
	CU_ASSERT_EQUAL_FATAL(rsync_config_init(&cfg, prog), 0);
	cfg.deadline = 1;
	t0 = now_ms();
	CU_ASSERT_EQUAL_FATAL(rsync_start(&cfg, "rsync://rpki.example.net/m/",
	    stage, &job), 0);
	CU_ASSERT_EQUAL(rsync_wait(job), RSYNC_TIMEOUT);
	ms = now_ms() - t0;
	CU_ASSERT(ms >= (1 + RSYNC_KILL_GRACE) * MS_PER_S);
	CU_ASSERT(ms < (1 + RSYNC_KILL_GRACE) * MS_PER_S + SLACK_MS);
	CU_ASSERT_PTR_NOT_NULL(strstr(rsync_message(job), "deadline of 1 s"));
	rsync_free(job);

	/* The background helper in the same group died as well. */
	buf = slurp(pidfile, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	helper = (pid_t)atoi(buf);
	CU_ASSERT(helper > 0);
	free(buf);
	CU_ASSERT_TRUE(process_gone(helper));
	free(stage);
	free(prog);
	free(pidfile);
}

static void
test_config(void)
{
	struct rsync_config cfg;

	CU_ASSERT_EQUAL(rsync_config_init(&cfg, "/bin/true"), 0);
	CU_ASSERT_STRING_EQUAL(cfg.program, "/bin/true");
	CU_ASSERT_EQUAL(cfg.deadline, MAX_RSYNC_TIME);
	CU_ASSERT_EQUAL(cfg.io_timeout, MAX_IO_TIMEOUT);
	CU_ASSERT_EQUAL(cfg.conn_timeout, MAX_CONN_TIMEOUT);
	CU_ASSERT_FALSE(cfg.allow_dubious);
	/* A bare name is resolved through PATH to an absolute path. */
	CU_ASSERT_EQUAL(rsync_config_init(&cfg, "sh"), 0);
	CU_ASSERT_EQUAL(cfg.program[0], '/');
	CU_ASSERT_PTR_NOT_NULL(strstr(cfg.program, "/sh"));
	CU_ASSERT_EQUAL(rsync_config_init(&cfg, "no-such-rsync-program"), -1);
	CU_ASSERT_EQUAL(rsync_config_init(&cfg, "/nonexistent/rsync"), -1);
	CU_ASSERT_EQUAL(rsync_config_init(&cfg, "/etc/passwd"), -1);
	CU_ASSERT_EQUAL(rsync_config_init(&cfg, "/tmp"), -1);
}

REEF_SUITE_FULL(integration_rsync, suite_init, suite_cleanup,
    REEF_TEST(test_config),
    REEF_TEST(test_refused),
    REEF_TEST(test_symlink_in_stage),
    REEF_TEST(test_relative_stage),
    REEF_TEST(test_child_setup),
    REEF_TEST(test_exit_status_message),
    REEF_TEST(test_exec_failure),
    REEF_TEST(test_deadline_sigkill),
    REEF_TEST(test_fetch_filters),
    REEF_TEST(test_fetch_update),
    REEF_TEST(test_fetch_file),
    REEF_TEST(test_unknown_module),
    REEF_TEST(test_connection_refused),
    REEF_TEST(test_hostile_deadline),
    REEF_TEST(test_free_running))
