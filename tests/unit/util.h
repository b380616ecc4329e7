/*
 * Helpers shared by the test suites: scratch directories, whole-file reads
 * and writes, paths into the source and build trees.
 */
#ifndef REEF_TESTS_UTIL_H
#define REEF_TESTS_UTIL_H

#include <stddef.h>

/* Absolute source and build tree roots (environment overrides the build-time value). */
const char	*tu_srcdir(void);
const char	*tu_builddir(void);

/* Directory of the shared corpus (../shared/corpus next to the source tree), or NULL. */
const char	*tu_corpusdir(void);

/* mkdtemp() under $TMPDIR; returns a malloc'd path.  tu_rmtree() removes it. */
char		*tu_tmpdir(const char *tag);
void		 tu_rmtree(const char *path);

/* Read a whole file; malloc'd, NUL-terminated, *len without the NUL.  NULL on error. */
unsigned char	*tu_read_file(const char *path, size_t *len);
int		 tu_write_file(const char *path, const void *buf, size_t len);

/* printf into a malloc'd string (aborts on allocation failure). */
char		*tu_asprintf(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

/* Run a shell command line, return its exit status (or -1). */
int		 tu_system(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

#endif
