/*
 * Reading the whole of a regular file from its descriptor, and copying
 * part of one to another.
 */
#ifndef REEF_FDREAD_H
#define REEF_FDREAD_H

#include <sys/types.h>

#include <stdint.h>

/*
 * Read from fd into buf until len bytes are in, the end of the file, or
 * the first short read (a regular file reads short only at its end, so
 * the usual call, with one byte more than fstat(2) gave, takes a single
 * read(2)); interrupted reads are retried.  Returns the number of bytes
 * read, or -1 with errno set.
 */
ssize_t	fd_read_full(int fd, void *buf, size_t len);

/*
 * Read exactly len bytes at offset off of fd (pread(2), retried when
 * short or interrupted).  Returns 0, or -1 with errno set (EIO when the
 * file ends first).
 */
int	fd_pread_full(int fd, void *buf, size_t len, off_t off);

/*
 * Append len bytes of in from offset off to out (at its file offset),
 * through copy_file_range(2) where the file systems allow it, else by
 * reads and writes.  Returns 0, or -1 with errno set (EIO when in ends
 * first).
 */
int	fd_copy_range(int out, int in, uint64_t off, uint64_t len);

#endif
