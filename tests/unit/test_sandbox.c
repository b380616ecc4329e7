/*
 * validator/sandbox.c: what a confined process can and cannot do.
 * Confinement cannot be undone, so each probe runs in a forked child
 * that applies the sandbox, tries the calls and sends what it saw back
 * through a pipe; the assertions are made in the parent.  Filesystem
 * assertions need Landlock: on a kernel without it they are skipped
 * with a printed note (the seccomp ones still run).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/sandbox.h"

/* A program that exists everywhere and exits 0. */
#define TRUE_PROG	"/bin/true"
/* Exit status of a grandchild whose execve() failed (plus its errno). */
#define EXEC_FAILED	100

/* What a confined child saw; 0 for "succeeded", else the errno. */
struct probe {
	int			applied;	/* sandbox_apply() returned 0 */
	char			err[SANDBOX_NOTE_MAX];
	struct sandbox_result	res;
	int			inet, inet6, connect, bind, listen, accept;
	int			sendto_addr, send_pair, recv_pair;
	int			exec;		/* grandchild's status */
	int			kill_parent, kill_self;
	int			io_uring;
	int			write_in, mkdir_in, rename_in, write_out;
	int			read_ro, write_ro, read_out, unlink_out;
};

/* The scratch tree: ro/, rw/a/, rw/b/, outside file, ro file. */
struct tree {
	char	*top, *ro, *rw, *rw_a, *rw_b, *ro_file, *out_file;
};

static void
tree_make(struct tree *t)
{
	t->top = tu_tmpdir("sandbox");
	t->ro = tu_asprintf("%s/ro", t->top);
	t->rw = tu_asprintf("%s/rw", t->top);
	t->rw_a = tu_asprintf("%s/rw/a", t->top);
	t->rw_b = tu_asprintf("%s/rw/b", t->top);
	t->ro_file = tu_asprintf("%s/ro/file", t->top);
	t->out_file = tu_asprintf("%s/outside", t->top);
	CU_ASSERT_FATAL(mkdir(t->ro, 0755) == 0 && mkdir(t->rw, 0755) == 0 &&
	    mkdir(t->rw_a, 0755) == 0 && mkdir(t->rw_b, 0755) == 0);
	CU_ASSERT_FATAL(tu_write_file(t->ro_file, "ro", 2) == 0);
	CU_ASSERT_FATAL(tu_write_file(t->out_file, "out", 3) == 0);
}

static void
tree_free(struct tree *t)
{
	tu_rmtree(t->top);
	free(t->top);
	free(t->ro);
	free(t->rw);
	free(t->rw_a);
	free(t->rw_b);
	free(t->ro_file);
	free(t->out_file);
}

/* 0 if rc is not -1, else errno. */
static int
err_of(long rc)
{
	return rc == -1 ? errno : 0;
}

/* Open path with flags (mode 0644) and close it; 0 or errno. */
static int
try_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);

	if (fd == -1)
		return errno;
	close(fd);
	return 0;
}

/* Exit status of a grandchild that execs TRUE_PROG, or -1. */
static int
try_exec(void)
{
	char *argv[] = { TRUE_PROG, NULL };
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		execve(TRUE_PROG, argv, environ);
		_exit(EXEC_FAILED + (errno == EPERM));
	}
	if (pid == -1 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The socket calls, on an AF_UNIX socket and a pair. */
static void
probe_net(struct probe *p, const struct tree *t)
{
	struct sockaddr_un sun;
	int fd, pair[2];
	char c = 'x';

	p->inet = err_of(fd = socket(AF_INET, SOCK_STREAM, 0));
	if (fd != -1)
		close(fd);
	p->inet6 = err_of(fd = socket(AF_INET6, SOCK_DGRAM, 0));
	if (fd != -1)
		close(fd);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", t->rw);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1) {
		p->connect = err_of(connect(fd, (struct sockaddr *)&sun,
		    sizeof(sun)));
		p->bind = err_of(bind(fd, (struct sockaddr *)&sun,
		    sizeof(sun)));
		p->listen = err_of(listen(fd, 1));
		p->accept = err_of(accept4(fd, NULL, NULL, SOCK_NONBLOCK));
		close(fd);
	} else
		p->connect = p->bind = p->listen = p->accept = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair) == -1) {
		p->send_pair = p->recv_pair = errno;
		return;
	}
	p->sendto_addr = err_of(sendto(pair[0], &c, 1, 0,
	    (struct sockaddr *)&sun, sizeof(sun)));
	p->send_pair = err_of(send(pair[0], &c, 1, 0));
	p->recv_pair = err_of(recv(pair[1], &c, 1, MSG_DONTWAIT));
	close(pair[0]);
	close(pair[1]);
}

/* The filesystem below t. */
static void
probe_fs(struct probe *p, const struct tree *t)
{
	char *in = tu_asprintf("%s/new", t->rw_a);
	char *dir = tu_asprintf("%s/dir", t->rw_a);
	char *moved = tu_asprintf("%s/moved", t->rw_b);
	char *ro_new = tu_asprintf("%s/new", t->ro);
	char *out_new = tu_asprintf("%s/new", t->top);

	p->write_in = try_open(in, O_WRONLY | O_CREAT);
	p->mkdir_in = err_of(mkdir(dir, 0755));
	p->rename_in = err_of(rename(in, moved));
	p->write_out = try_open(out_new, O_WRONLY | O_CREAT);
	p->read_ro = try_open(t->ro_file, O_RDONLY);
	p->write_ro = try_open(ro_new, O_WRONLY | O_CREAT);
	p->read_out = try_open(t->out_file, O_RDONLY);
	p->unlink_out = err_of(unlink(t->out_file));
	free(in);
	free(dir);
	free(moved);
	free(ro_new);
	free(out_new);
}

/* In the child: apply cfg, try everything, fill *p. */
static void
probe_run(const struct sandbox_config *cfg, const struct tree *t,
    struct probe *p)
{
	memset(p, 0, sizeof(*p));
	if (sandbox_apply(cfg, &p->res, p->err, sizeof(p->err)) == -1)
		return;
	p->applied = 1;
	probe_net(p, t);
	p->exec = try_exec();
	p->kill_parent = err_of(kill(getppid(), 0));
	p->kill_self = err_of(kill(getpid(), 0));
#ifdef SYS_io_uring_setup
	{
		unsigned char params[120];	/* struct io_uring_params */
		long fd;

		memset(params, 0, sizeof(params));
		p->io_uring = err_of(fd = syscall(SYS_io_uring_setup, 1,
		    params));
		if (fd >= 0)
			close((int)fd);
	}
#endif
	probe_fs(p, t);
}

/* Fork, probe under cfg in the child, return what it saw in *p. */
static int
probe(const struct sandbox_config *cfg, const struct tree *t,
    struct probe *p)
{
	int fds[2], st;
	ssize_t n;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	if (pipe(fds) == -1)
		return -1;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct probe mine;

		close(fds[0]);
		probe_run(cfg, t, &mine);
		_exit(write(fds[1], &mine, sizeof(mine)) == (ssize_t)sizeof(mine) ?
		    0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], p, sizeof(*p));
	close(fds[0]);
	if (pid == -1 || waitpid(pid, &st, 0) != pid)
		return -1;
	return n == (ssize_t)sizeof(*p) && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* The parser's profile over t. */
static void
parser_config(const struct tree *t, struct sandbox_config *cfg,
    const char **ro, const char **rw)
{
	memset(cfg, 0, sizeof(*cfg));
	ro[0] = t->ro;
	rw[0] = t->rw;
	cfg->profile = SANDBOX_PARSER;
	cfg->ro = ro;
	cfg->nro = 1;
	cfg->rw = rw;
	cfg->nrw = 1;
}

/* The filesystem verdicts for a process confined with Landlock. */
static void
assert_fs_confined(const struct probe *p)
{
	CU_ASSERT_EQUAL(p->write_in, 0);
	CU_ASSERT_EQUAL(p->mkdir_in, 0);
	CU_ASSERT_EQUAL(p->read_ro, 0);
	CU_ASSERT_EQUAL(p->write_out, EACCES);
	CU_ASSERT_EQUAL(p->write_ro, EACCES);
	CU_ASSERT_EQUAL(p->unlink_out, EACCES);
}

/* The parser: no network, no exec, no signals to others, files fenced. */
static void
test_sandbox_parser(void)
{
	struct sandbox_config cfg;
	struct tree t;
	struct probe p;
	const char *ro[1], *rw[1];

	tree_make(&t);
	parser_config(&t, &cfg, ro, rw);
	CU_ASSERT_EQUAL_FATAL(probe(&cfg, &t, &p), 0);
	if (!p.applied)
		printf("\n    sandbox_apply: %s\n    ", p.err);
	CU_ASSERT_FATAL(p.applied);
	CU_ASSERT(p.res.no_new_privs);
#if defined(__x86_64__) || defined(__aarch64__)
	CU_ASSERT_EQUAL(p.res.seccomp, 1);
#endif
	if (p.res.seccomp) {
		CU_ASSERT_EQUAL(p.inet, EPERM);
		CU_ASSERT_EQUAL(p.inet6, EPERM);
		CU_ASSERT_EQUAL(p.connect, EPERM);
		CU_ASSERT_EQUAL(p.bind, EPERM);
		CU_ASSERT_EQUAL(p.listen, EPERM);
		CU_ASSERT_EQUAL(p.accept, EPERM);
		CU_ASSERT_EQUAL(p.sendto_addr, EPERM);
		CU_ASSERT_EQUAL(p.exec, EXEC_FAILED + 1);
		CU_ASSERT_EQUAL(p.kill_parent, EPERM);
#ifdef SYS_io_uring_setup
		CU_ASSERT_EQUAL(p.io_uring, EPERM);
#endif
	}
	/* What the fetcher protocol needs still works. */
	CU_ASSERT_EQUAL(p.send_pair, 0);
	CU_ASSERT_EQUAL(p.recv_pair, 0);
	CU_ASSERT_EQUAL(p.kill_self, 0);
	if (p.res.landlock_abi > 0) {
		assert_fs_confined(&p);
		CU_ASSERT_EQUAL(p.read_out, EACCES);
		CU_ASSERT_EQUAL(p.rename_in, p.res.landlock_abi >= 2 ? 0 :
		    EXDEV);
	} else
		printf("\n    no Landlock (%s): filesystem assertions "
		    "skipped\n    ", p.res.note);
	tree_free(&t);
}

/*
 * Every Landlock ABI up to the kernel's: the fences hold at each, and
 * ABI 1, which cannot allow renames across directories, is refused for
 * a process that makes them (with a note) instead of breaking it.
 */
static void
test_sandbox_abi_levels(void)
{
	struct sandbox_config cfg;
	struct tree t;
	struct probe p;
	const char *ro[1], *rw[1];
	int abi, kabi = sandbox_landlock_abi(NULL);

	if (kabi == 0) {
		printf("\n    SKIPPED: the kernel has no Landlock\n    ");
		return;
	}
	for (abi = 1; abi <= kabi; abi++) {
		tree_make(&t);
		parser_config(&t, &cfg, ro, rw);
		cfg.max_landlock_abi = abi;
		CU_ASSERT_EQUAL_FATAL(probe(&cfg, &t, &p), 0);
		CU_ASSERT_FATAL(p.applied);
		CU_ASSERT_EQUAL(p.res.landlock_abi, abi);
		assert_fs_confined(&p);
		CU_ASSERT_EQUAL(p.rename_in, abi >= 2 ? 0 : EXDEV);
		tree_free(&t);
	}
	tree_make(&t);
	parser_config(&t, &cfg, ro, rw);
	cfg.max_landlock_abi = 1;
	cfg.cross_dir_rename = 1;
	CU_ASSERT_EQUAL_FATAL(probe(&cfg, &t, &p), 0);
	CU_ASSERT(p.applied);
	CU_ASSERT_EQUAL(p.res.landlock_abi, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(p.res.note, "ABI 1"));
	CU_ASSERT_EQUAL(p.rename_in, 0);
	tree_free(&t);
}

/*
 * The fallback, as on a kernel without Landlock: a note says so, the
 * seccomp filter still holds, the files are left to the permissions.
 */
static void
test_sandbox_no_landlock(void)
{
	struct sandbox_config cfg;
	struct tree t;
	struct probe p;
	const char *ro[1], *rw[1];

	tree_make(&t);
	parser_config(&t, &cfg, ro, rw);
	cfg.max_landlock_abi = SANDBOX_NO_LANDLOCK;
	CU_ASSERT_EQUAL_FATAL(probe(&cfg, &t, &p), 0);
	CU_ASSERT_FATAL(p.applied);
	CU_ASSERT_EQUAL(p.res.landlock_abi, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(p.res.note, "Landlock"));
	CU_ASSERT(p.res.no_new_privs);
	if (p.res.seccomp) {
		CU_ASSERT_EQUAL(p.inet, EPERM);
		CU_ASSERT_EQUAL(p.exec, EXEC_FAILED + 1);
	}
	CU_ASSERT_EQUAL(p.write_out, 0);
	CU_ASSERT_EQUAL(p.read_out, 0);
	CU_ASSERT_EQUAL(p.send_pair, 0);
	tree_free(&t);
}

/* The fetcher: writes fenced, everything else as before. */
static void
test_sandbox_fetcher(void)
{
	struct sandbox_config cfg;
	struct tree t;
	struct probe p;
	const char *rw[1];

	tree_make(&t);
	memset(&cfg, 0, sizeof(cfg));
	rw[0] = t.rw;
	cfg.profile = SANDBOX_FETCHER;
	cfg.rw = rw;
	cfg.nrw = 1;
	cfg.cross_dir_rename = 1;
	CU_ASSERT_EQUAL_FATAL(probe(&cfg, &t, &p), 0);
	CU_ASSERT_FATAL(p.applied);
	CU_ASSERT_EQUAL(p.res.seccomp, 0);
	CU_ASSERT_EQUAL(p.inet, 0);
	CU_ASSERT_EQUAL(p.exec, 0);
	CU_ASSERT_EQUAL(p.read_out, 0);
	CU_ASSERT_EQUAL(p.read_ro, 0);
	if (p.res.landlock_abi > 0) {
		CU_ASSERT_EQUAL(p.write_in, 0);
		CU_ASSERT_EQUAL(p.rename_in, 0);
		CU_ASSERT_EQUAL(p.write_out, EACCES);
		CU_ASSERT_EQUAL(p.write_ro, EACCES);
		CU_ASSERT_EQUAL(p.unlink_out, EACCES);
	} else
		printf("\n    no Landlock (%s): filesystem assertions "
		    "skipped\n    ", p.res.note);
	tree_free(&t);
}

static void *
idle(void *arg)
{
	int *fd = arg;
	char c;

	(void)!read(*fd, &c, 1);
	return NULL;
}

/* With a second thread, confinement is refused (it would miss it). */
static void
test_sandbox_threads(void)
{
	struct sandbox_config cfg;
	struct sandbox_result res;
	pthread_t th;
	char err[SANDBOX_NOTE_MAX];
	int fds[2], st, rc;
	pid_t pid;

	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = SANDBOX_PARSER;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		if (pipe(fds) == -1 ||
		    pthread_create(&th, NULL, idle, &fds[0]) != 0)
			_exit(2);
		rc = sandbox_apply(&cfg, &res, err, sizeof(err));
		_exit(rc == -1 && strstr(err, "threads") != NULL ? 0 : 1);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void
test_sandbox_summary(void)
{
	struct sandbox_result res;
	char buf[SANDBOX_SUMMARY_MAX];

	memset(&res, 0, sizeof(res));
	CU_ASSERT_STRING_EQUAL(sandbox_summary(&res, buf, sizeof(buf)),
	    "no Landlock, no seccomp filter, new privileges possible");
	res.landlock_abi = 5;
	res.seccomp = 1;
	res.no_new_privs = 1;
	CU_ASSERT_STRING_EQUAL(sandbox_summary(&res, buf, sizeof(buf)),
	    "Landlock ABI 5, seccomp filter, no new privileges");
}

REEF_SUITE(sandbox,
    REEF_TEST(test_sandbox_parser),
    REEF_TEST(test_sandbox_abi_levels),
    REEF_TEST(test_sandbox_no_landlock),
    REEF_TEST(test_sandbox_fetcher),
    REEF_TEST(test_sandbox_threads),
    REEF_TEST(test_sandbox_summary))
