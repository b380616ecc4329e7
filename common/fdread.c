/*
 * Whole reads of regular files, and copies between them; see fdread.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
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

int
fd_copy_range(int out, int in, uint64_t off, uint64_t len)
{
	char buf[65536];
	off_t at = (off_t)off;
	ssize_t n, w;
	size_t chunk;
	int plain = 0;

	while (len > 0) {
		chunk = len < SSIZE_MAX / 2 ? (size_t)len : SSIZE_MAX / 2;
		if (!plain) {
			n = copy_file_range(in, &at, out, NULL, chunk, 0);
			if (n == -1 && (errno == EXDEV || errno == ENOSYS ||
			    errno == EOPNOTSUPP || errno == EINVAL ||
			    errno == EPERM)) {
				plain = 1;
				continue;
			}
		} else {
			if (chunk > sizeof(buf))
				chunk = sizeof(buf);
			if ((n = pread(in, buf, chunk, at)) > 0) {
				if ((w = write(out, buf, (size_t)n)) != n) {
					if (w >= 0)
						errno = EIO;
					return -1;
				}
				at += n;
			}
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0) {
			errno = EIO;	/* in ended first */
			return -1;
		}
		len -= (uint64_t)n;
	}
	return 0;
}
