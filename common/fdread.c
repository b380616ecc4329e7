/*
 * Whole reads of regular files; see fdread.h.
 */
#include <errno.h>
#include <unistd.h>

#include "common/fdread.h"

ssize_t
fd_read_full(int fd, void *buf, size_t len)
{
	unsigned char *b = buf;
	size_t off = 0, want;
	ssize_t n;

	while (off < len) {
		want = len - off;
		n = read(fd, b + off, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		off += (size_t)n;
		if ((size_t)n < want)
			break;
	}
	return (ssize_t)off;
}

int
fd_pread_full(int fd, void *buf, size_t len, off_t off)
{
	unsigned char *b = buf;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, b + got, len - got, off + (off_t)got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			errno = EIO;	/* the file ends before */
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}
