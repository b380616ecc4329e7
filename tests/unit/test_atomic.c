/*
 * Tests for common/atomic.c: replacement, modes, streaming, and that every
 * failure leaves the old file alone and no temporary behind.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/atomic.h"
#include "suite.h"
#include "util.h"

/* Size of the write that must fail under the lowered RLIMIT_FSIZE. */
#define BIG_WRITE	(256 * 1024)
#define SMALL_LIMIT	(64 * 1024)

/* Number of directory entries besides "." and "..". */
static int
count_entries(const char *dir)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static int
file_is(const char *path, const char *want)
{
	char *s;
	size_t len;
	int ok;

	if ((s = (char *)tu_read_file(path, &len)) == NULL)
		return 0;
	ok = len == strlen(want) && memcmp(s, want, len) == 0;
	free(s);
	return ok;
}

static void
test_atomic_write_new_and_replace(void)
{
	char *dir = tu_tmpdir("atomic"), *path;
	struct stat st, st2;
	mode_t old;

	CU_ASSERT_FATAL(dir != NULL);
	path = tu_asprintf("%s/out.csv", dir);
	old = umask(077);
	CU_ASSERT_EQUAL(atomic_write_file(path, "one\n", 4, 0644), 0);
	umask(old);
	CU_ASSERT_TRUE(file_is(path, "one\n"));
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0644);

	CU_ASSERT_EQUAL(atomic_write_file(path, "two, longer\n", 12, 0600), 0);
	CU_ASSERT_TRUE(file_is(path, "two, longer\n"));
	CU_ASSERT_EQUAL_FATAL(stat(path, &st2), 0);
	CU_ASSERT_EQUAL(st2.st_mode & 07777, 0600);
	/* A rename, not an overwrite in place. */
	CU_ASSERT_NOT_EQUAL(st.st_ino, st2.st_ino);

	CU_ASSERT_EQUAL(atomic_write_file(path, "", 0, 0444), 0);
	CU_ASSERT_TRUE(file_is(path, ""));
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

static void
test_atomic_relative_path(void)
{
	char *dir = tu_tmpdir("atomic"), cwd[PATH_MAX];

	CU_ASSERT_FATAL(dir != NULL);
	CU_ASSERT_FATAL(getcwd(cwd, sizeof(cwd)) != NULL);
	CU_ASSERT_FATAL(chdir(dir) == 0);
	CU_ASSERT_EQUAL(atomic_write_file("plain", "x", 1, 0644), 0);
	CU_ASSERT_TRUE(file_is("plain", "x"));
	CU_ASSERT_FATAL(chdir(cwd) == 0);
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	tu_rmtree(dir);
	free(dir);
}

static void
test_atomic_stream(void)
{
	char *dir = tu_tmpdir("atomic"), *path, *prefix, *tmp;
	struct atomic_file *af;
	FILE *fp;
	int i;

	CU_ASSERT_FATAL(dir != NULL);
	path = tu_asprintf("%s/vrps.json", dir);
	prefix = tu_asprintf("%s/.vrps.json.", dir);
	CU_ASSERT_EQUAL(atomic_write_file(path, "old", 3, 0644), 0);

	af = atomic_begin(path, 0640);
	CU_ASSERT_FATAL(af != NULL);
	tmp = strdup(atomic_temp_path(af));
	CU_ASSERT_NSTRING_EQUAL(tmp, prefix, strlen(prefix));
	CU_ASSERT_EQUAL(access(tmp, F_OK), 0);
	fp = atomic_stream(af);
	CU_ASSERT_FATAL(fp != NULL);
	CU_ASSERT_EQUAL(fileno(fp), atomic_fd(af));
	/* Not inherited by the rsync processes the validator starts. */
	CU_ASSERT_TRUE(fcntl(atomic_fd(af), F_GETFD) & FD_CLOEXEC);
	for (i = 0; i < 3; i++)
		fprintf(fp, "line %d\n", i);
	/* Not visible before the commit. */
	CU_ASSERT_TRUE(file_is(path, "old"));
	CU_ASSERT_EQUAL(atomic_commit(af), 0);
	CU_ASSERT_TRUE(file_is(path, "line 0\nline 1\nline 2\n"));
	CU_ASSERT_NOT_EQUAL(access(tmp, F_OK), 0);
	CU_ASSERT_EQUAL(count_entries(dir), 1);

	/* The descriptor form. */
	af = atomic_begin(path, 0640);
	CU_ASSERT_FATAL(af != NULL);
	CU_ASSERT_EQUAL(write(atomic_fd(af), "fd", 2), 2);
	CU_ASSERT_EQUAL(atomic_commit(af), 0);
	CU_ASSERT_TRUE(file_is(path, "fd"));
	free(tmp);
	tu_rmtree(dir);
	free(prefix);
	free(path);
	free(dir);
}

static void
test_atomic_abort(void)
{
	char *dir = tu_tmpdir("atomic"), *path;
	struct atomic_file *af;

	CU_ASSERT_FATAL(dir != NULL);
	path = tu_asprintf("%s/keep", dir);
	CU_ASSERT_EQUAL(atomic_write_file(path, "keep", 4, 0644), 0);
	af = atomic_begin(path, 0644);
	CU_ASSERT_FATAL(af != NULL);
	fputs("discarded", atomic_stream(af));
	CU_ASSERT_EQUAL(count_entries(dir), 2);
	errno = EAGAIN;
	atomic_abort(af);
	CU_ASSERT_EQUAL(errno, EAGAIN);
	atomic_abort(NULL);
	CU_ASSERT_TRUE(file_is(path, "keep"));
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

static void
test_atomic_bad_paths(void)
{
	char *dir = tu_tmpdir("atomic"), *path, *longp;

	CU_ASSERT_FATAL(dir != NULL);
	errno = 0;
	CU_ASSERT_PTR_NULL(atomic_begin("", 0644));
	CU_ASSERT_EQUAL(errno, EINVAL);
	path = tu_asprintf("%s/", dir);
	CU_ASSERT_EQUAL(atomic_write_file(path, "x", 1, 0644), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	free(path);
	path = tu_asprintf("%s/missing/file", dir);
	CU_ASSERT_EQUAL(atomic_write_file(path, "x", 1, 0644), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	free(path);
	longp = malloc(8192);
	CU_ASSERT_FATAL(longp != NULL);
	memset(longp, 'a', 8191);
	longp[8191] = '\0';
	CU_ASSERT_PTR_NULL(atomic_begin(longp, 0644));
	CU_ASSERT_EQUAL(errno, ENAMETOOLONG);
	free(longp);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	tu_rmtree(dir);
	free(dir);
}

static void
test_atomic_rename_fails(void)
{
	char *dir = tu_tmpdir("atomic"), *path, *inner;

	/* The target is a non-empty directory: rename(2) must fail. */
	CU_ASSERT_FATAL(dir != NULL);
	path = tu_asprintf("%s/target", dir);
	inner = tu_asprintf("%s/target/inner", dir);
	CU_ASSERT_FATAL(mkdir(path, 0755) == 0);
	CU_ASSERT_FATAL(tu_write_file(inner, "in", 2) == 0);
	CU_ASSERT_EQUAL(atomic_write_file(path, "x", 1, 0644), -1);
	CU_ASSERT_EQUAL(errno, EISDIR);
	CU_ASSERT_TRUE(file_is(inner, "in"));
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	tu_rmtree(dir);
	free(inner);
	free(path);
	free(dir);
}

static void
test_atomic_write_fails(void)
{
	char *dir = tu_tmpdir("atomic"), *path, *big, *sbuf;
	struct atomic_file *af;
	struct rlimit old, lim;
	struct sigaction sa, osa;
	int rc;

	CU_ASSERT_FATAL(dir != NULL);
	path = tu_asprintf("%s/data", dir);
	CU_ASSERT_EQUAL(atomic_write_file(path, "old", 3, 0644), 0);
	big = calloc(1, BIG_WRITE);
	sbuf = malloc(BIG_WRITE * 2);
	CU_ASSERT_FATAL(big != NULL && sbuf != NULL);

	/* A file size limit turns the writes into EFBIG failures. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	CU_ASSERT_FATAL(sigaction(SIGXFSZ, &sa, &osa) == 0);
	CU_ASSERT_FATAL(getrlimit(RLIMIT_FSIZE, &old) == 0);
	lim = old;
	lim.rlim_cur = SMALL_LIMIT;
	CU_ASSERT_FATAL(setrlimit(RLIMIT_FSIZE, &lim) == 0);

	rc = atomic_write_file(path, big, BIG_WRITE, 0644);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_EQUAL(errno, EFBIG);

	af = atomic_begin(path, 0644);
	CU_ASSERT_FATAL(af != NULL);
	fwrite(big, 1, BIG_WRITE, atomic_stream(af));
	rc = atomic_commit(af);
	CU_ASSERT_EQUAL(rc, -1);
	/* The stream already failed; its errno is gone by commit time. */
	CU_ASSERT_EQUAL(errno, EIO);

	/* The data fit in the stdio buffer and fail only at the flush. */
	af = atomic_begin(path, 0644);
	CU_ASSERT_FATAL(af != NULL);
	CU_ASSERT_EQUAL(setvbuf(atomic_stream(af), sbuf, _IOFBF,
	    BIG_WRITE * 2), 0);
	CU_ASSERT_EQUAL(fwrite(big, 1, BIG_WRITE, atomic_stream(af)), BIG_WRITE);
	rc = atomic_commit(af);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_EQUAL(errno, EFBIG);
	free(sbuf);

	setrlimit(RLIMIT_FSIZE, &old);
	sigaction(SIGXFSZ, &osa, NULL);
	CU_ASSERT_TRUE(file_is(path, "old"));
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	free(big);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

REEF_SUITE(atomic,
    REEF_TEST(test_atomic_write_new_and_replace),
    REEF_TEST(test_atomic_relative_path),
    REEF_TEST(test_atomic_stream),
    REEF_TEST(test_atomic_abort),
    REEF_TEST(test_atomic_bad_paths),
    REEF_TEST(test_atomic_rename_fails),
    REEF_TEST(test_atomic_write_fails))
