/*
 * Tests for common/fdread.c: whole reads of regular files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/fdread.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

#define FDREAD_SIZE	100000	/* more than one page, not a multiple */

static void
test_fdread_whole(void)
{
	char *dir = tu_tmpdir("fdread"), *path = tu_asprintf("%s/f", dir);
	unsigned char *data = malloc(FDREAD_SIZE), *got = malloc(FDREAD_SIZE +
	    1);
	size_t i;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	for (i = 0; i < FDREAD_SIZE; i++)
		data[i] = (unsigned char)(i * 7 + 3);
	CU_ASSERT_EQUAL_FATAL(tu_write_file(path, data, FDREAD_SIZE), 0);

	/* One byte more than the file: all of it, the end noticed. */
	CU_ASSERT_FATAL((fd = open(path, O_RDONLY)) != -1);
	CU_ASSERT_EQUAL(fd_read_full(fd, got, FDREAD_SIZE + 1), FDREAD_SIZE);
	CU_ASSERT_EQUAL(memcmp(got, data, FDREAD_SIZE), 0);
	close(fd);
	/* Less than the file: exactly that much. */
	CU_ASSERT_FATAL((fd = open(path, O_RDONLY)) != -1);
	CU_ASSERT_EQUAL(fd_read_full(fd, got, 1000), 1000);
	CU_ASSERT_EQUAL(memcmp(got, data, 1000), 0);
	/* From there on, the rest; then nothing. */
	CU_ASSERT_EQUAL(fd_read_full(fd, got, FDREAD_SIZE),
	    FDREAD_SIZE - 1000);
	CU_ASSERT_EQUAL(memcmp(got, data + 1000, FDREAD_SIZE - 1000), 0);
	CU_ASSERT_EQUAL(fd_read_full(fd, got, 10), 0);
	close(fd);
	/* A bad descriptor. */
	CU_ASSERT_EQUAL(fd_read_full(-1, got, 10), -1);
	free(data);
	free(got);
	tu_rmtree(dir);
	free(dir);
	free(path);
}

/* Exactly len bytes at an offset, or -1 when the file ends first. */
static void
test_fdread_at(void)
{
	char *dir = tu_tmpdir("fdread"), *path = tu_asprintf("%s/f", dir);
	unsigned char got[16];
	int fd;

	CU_ASSERT_EQUAL_FATAL(tu_write_file(path, "0123456789", 10), 0);
	CU_ASSERT_FATAL((fd = open(path, O_RDONLY)) != -1);
	CU_ASSERT_EQUAL(fd_pread_full(fd, got, 4, 3), 0);
	CU_ASSERT_EQUAL(memcmp(got, "3456", 4), 0);
	CU_ASSERT_EQUAL(fd_pread_full(fd, got, 10, 0), 0);
	CU_ASSERT_EQUAL(fd_pread_full(fd, got, 0, 10), 0);
	CU_ASSERT_EQUAL(fd_pread_full(fd, got, 5, 8), -1);
	CU_ASSERT_EQUAL(errno, EIO);
	close(fd);
	CU_ASSERT_EQUAL(fd_pread_full(-1, got, 1, 0), -1);
	tu_rmtree(dir);
	free(dir);
	free(path);
}

REEF_SUITE(fdread,
    REEF_TEST(test_fdread_whole),
    REEF_TEST(test_fdread_at))
