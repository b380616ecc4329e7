/*
 * Helpers shared by the test suites: scratch directories, whole-file reads
 * and writes, paths into the source and build trees, corpus files, and
 * capture of log lines so a test can check the reason a parser gave.
 */
#ifndef REEF_TESTS_UTIL_H
#define REEF_TESTS_UTIL_H

#include <sys/types.h>

#include <stddef.h>
#include <stdio.h>

#include "common/log.h"

/* Most log text a capture returns; anything beyond is cut off. */
#define TU_LOG_CAPTURE_MAX	16384

/* Absolute source and build tree roots (environment overrides the build-time value). */
const char	*tu_srcdir(void);
const char	*tu_builddir(void);

/* In a test function: without the corpus, say so and return (a skip). */
#define TU_NEED_CORPUS()						\
	do {								\
		if (tu_corpusdir() == NULL) {				\
			fprintf(stderr, "corpus absent: skipping %s\n",	\
			    __func__);					\
			return;						\
		}							\
	} while (0)

/* Directory of the shared corpus (../shared/corpus next to the source tree), or NULL. */
const char	*tu_corpusdir(void);

/* mkdtemp() under $TMPDIR; returns a malloc'd path.  tu_rmtree() removes it. */
char		*tu_tmpdir(const char *tag);
void		 tu_rmtree(const char *path);

/* Read a whole file; malloc'd, NUL-terminated, *len without the NUL.  NULL on error. */
unsigned char	*tu_read_file(const char *path, size_t *len);

/* The inode number of dir/name (links followed); 0 if there is none. */
ino_t		 tu_ino(const char *dir, const char *name);
int		 tu_write_file(const char *path, const void *buf, size_t len);

/*
 * Read rel, a path below tu_corpusdir(), as tu_read_file() does: malloc'd,
 * NUL-terminated, *len without the NUL.  NULL when the corpus is absent or
 * the file cannot be read.
 */
unsigned char	*tu_corpus_load(const char *rel, size_t *len);

/*
 * Log capture.  One scratch file serves the whole run: capturing sends
 * every log line at level or more severe to it, emptied first, instead of
 * stderr.
 *
 * tu_log_capture_start() returns 0, or -1 if the file cannot be made; it
 * asserts nothing, so a suite's init function may call it.
 * tu_log_capture_begin() does the same inside a test, with one fatal
 * CUnit assertion that it worked.
 * tu_log_capture_end() restores the default logging (log_init(NULL)) and
 * returns the lines captured; tu_log_captured() returns them and goes on
 * capturing.  Both return a static buffer that the next call overwrites,
 * holding at most TU_LOG_CAPTURE_MAX - 1 bytes.
 * tu_logged() returns 1 if the lines captured so far contain want, else
 * prints want and the lines to stderr and returns 0.
 */
int		 tu_log_capture_start(enum log_level level);
void		 tu_log_capture_begin(enum log_level level);
const char	*tu_log_capture_end(void);
const char	*tu_log_captured(void);
int		 tu_logged(const char *want);

/* printf into a malloc'd string (aborts on allocation failure). */
char		*tu_asprintf(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

/* Run a shell command line, return its exit status (or -1). */
int		 tu_system(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

#endif
