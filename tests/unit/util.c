#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "util.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif
#ifndef TOP_BUILDDIR
#define TOP_BUILDDIR "."
#endif

const char *
tu_srcdir(void)
{
	const char *e = getenv("REEF_TOP_SRCDIR");

	return e != NULL && *e != '\0' ? e : TOP_SRCDIR;
}

const char *
tu_builddir(void)
{
	const char *e = getenv("REEF_TOP_BUILDDIR");

	return e != NULL && *e != '\0' ? e : TOP_BUILDDIR;
}

const char *
tu_corpusdir(void)
{
	static char path[4096];
	const char *e = getenv("REEF_CORPUS");
	struct stat st;

	if (e != NULL && *e != '\0')
		return e;
	/* During make distcheck the source tree sits one level deeper. */
	snprintf(path, sizeof(path), "%s/../shared/corpus", tu_srcdir());
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return path;
	snprintf(path, sizeof(path), "%s/../../shared/corpus", tu_srcdir());
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return path;
	return NULL;
}

char *
tu_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		abort();
	va_end(ap);
	return s;
}

char *
tu_tmpdir(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *p;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	p = tu_asprintf("%s/reef-test-%s-XXXXXX", base, tag);
	if (mkdtemp(p) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path) == -1 && errno != ENOENT ? -1 : 0;
}

void
tu_rmtree(const char *path)
{
	if (path != NULL)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

ino_t
tu_ino(const char *dir, const char *name)
{
	char *path = tu_asprintf("%s/%s", dir, name);
	struct stat st;
	ino_t ino = stat(path, &st) == 0 ? st.st_ino : 0;

	free(path);
	return ino;
}

unsigned char *
tu_read_file(const char *path, size_t *len)
{
	FILE *f;
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			unsigned char *nb;

			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

int
tu_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	if (len > 0 && fwrite(buf, 1, len, f) != len)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

unsigned char *
tu_corpus_load(const char *rel, size_t *len)
{
	const char	*dir = tu_corpusdir();
	char		*path;
	unsigned char	*buf;

	if (dir == NULL)
		return NULL;
	path = tu_asprintf("%s/%s", dir, rel);
	buf = tu_read_file(path, len);
	free(path);
	return buf;
}

/* The scratch file log lines are captured in; opened once, kept to exit. */
static FILE	*log_capture_fp;

int
tu_log_capture_start(enum log_level level)
{
	struct log_config	cfg;

	if (log_capture_fp == NULL && (log_capture_fp = tmpfile()) == NULL)
		return -1;
	/* log.c writes at the descriptor's offset: rewind it too. */
	if (ftruncate(fileno(log_capture_fp), 0) == -1 ||
	    lseek(fileno(log_capture_fp), 0, SEEK_SET) == -1)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.level = level;
	cfg.fd = fileno(log_capture_fp);
	log_init(&cfg);
	return 0;
}

void
tu_log_capture_begin(enum log_level level)
{
	CU_ASSERT_FATAL(tu_log_capture_start(level) == 0);
}

const char *
tu_log_captured(void)
{
	static char	buf[TU_LOG_CAPTURE_MAX];
	ssize_t		n = 0;

	/* log.c writes with write(2) on the descriptor: read it the same way. */
	if (log_capture_fp != NULL)
		n = pread(fileno(log_capture_fp), buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

const char *
tu_log_capture_end(void)
{
	log_init(NULL);
	return tu_log_captured();
}

int
tu_logged(const char *want)
{
	const char	*log = tu_log_captured();

	if (strstr(log, want) == NULL) {
		fprintf(stderr, "\nwanted \"%s\", log: %s\n", want, log);
		return 0;
	}
	return 1;
}

int
tu_system(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) == -1)
		abort();
	va_end(ap);
	fflush(NULL);
	st = system(cmd);
	free(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}
