/*
 * Atomic file replacement: temporary file, fsync, rename, directory fsync.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* mkostemp() */
#endif

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "limits.h"

/* Appended to ".<name>" to form the mkstemp(3) template. */
#define TEMP_SUFFIX	".XXXXXX"

struct atomic_file {
	char	*path;		/* target */
	char	*tmp;		/* temporary in the same directory */
	char	*dir;		/* directory to sync after the rename */
	FILE	*fp;		/* stream on the temporary; owns fd */
	int	 fd;
};

static void
af_free(struct atomic_file *af)
{
	free(af->path);
	free(af->tmp);
	free(af->dir);
	free(af);
}

/*
 * Fill in af->path, af->tmp ("DIR/.NAME.XXXXXX") and af->dir from path.
 */
static int
af_names(struct atomic_file *af, const char *path)
{
	const char *slash, *base;
	size_t len = strlen(path), dlen, tlen;

	if (len == 0 || path[len - 1] == '/') {
		errno = EINVAL;
		return -1;
	}
	if (len > MAX_PATH_LENGTH) {
		errno = ENAMETOOLONG;
		return -1;
	}
	slash = strrchr(path, '/');
	base = slash == NULL ? path : slash + 1;
	dlen = slash == NULL ? 0 : (size_t)(slash - path) + 1;
	if ((af->path = strdup(path)) == NULL)
		return -1;
	tlen = dlen + 1 + strlen(base) + sizeof(TEMP_SUFFIX);
	if ((af->tmp = malloc(tlen)) == NULL)
		return -1;
	snprintf(af->tmp, tlen, "%.*s.%s%s", (int)dlen, path, base,
	    TEMP_SUFFIX);
	if (slash == NULL)
		af->dir = strdup(".");
	else if (slash == path)
		af->dir = strdup("/");
	else
		af->dir = strndup(path, slash - path);
	return af->dir == NULL ? -1 : 0;
}

/*
 * Open a temporary file next to path; see atomic.h.  Returns a new handle
 * (owned by the caller until commit or abort) or NULL with errno set.
 */
struct atomic_file *
atomic_begin(const char *path, mode_t mode)
{
	struct atomic_file *af;
	int saved;

	if ((af = calloc(1, sizeof(*af))) == NULL)
		return NULL;
	af->fd = -1;
	if (af_names(af, path) == -1)
		goto fail;
	/* Close-on-exec: other threads may be starting rsync right now. */
	if ((af->fd = mkostemp(af->tmp, O_CLOEXEC)) == -1)
		goto fail;
	if (fchmod(af->fd, mode) == -1 ||
	    (af->fp = fdopen(af->fd, "w")) == NULL) {
		saved = errno;
		close(af->fd);
		unlink(af->tmp);
		errno = saved;
		goto fail;
	}
	return af;
fail:
	saved = errno;
	af_free(af);
	errno = saved;
	return NULL;
}

/*
 * Return the stream writing the temporary file (owned by af).
 */
FILE *
atomic_stream(struct atomic_file *af)
{
	return af->fp;
}

/*
 * Return the descriptor of the temporary file (owned by af).
 */
int
atomic_fd(const struct atomic_file *af)
{
	return af->fd;
}

/*
 * Return the temporary file's path (owned by af).
 */
const char *
atomic_temp_path(const struct atomic_file *af)
{
	return af->tmp;
}

/* Make the rename durable. */
static int
sync_dir(const char *dir)
{
	int fd, rc, saved;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/*
 * Publish the temporary file under the target name and free af; 0 on
 * success, -1 with errno set (the target unchanged, unless only the final
 * directory sync failed, in which case the new file is already in place).
 */
int
atomic_commit(struct atomic_file *af)
{
	FILE *fp = af->fp;
	int saved, rc = -1;

	af->fp = NULL;
	if (ferror(fp)) {
		errno = EIO;
		goto fail;
	}
	if (fflush(fp) != 0)
		goto fail;
	if (fsync(af->fd) == -1)
		goto fail;
	if (fclose(fp) != 0) {
		fp = NULL;
		goto fail;
	}
	fp = NULL;
	if (rename(af->tmp, af->path) == -1)
		goto fail;
	rc = sync_dir(af->dir);
	saved = errno;
	af_free(af);
	errno = saved;
	return rc;
fail:
	saved = errno;
	if (fp != NULL)
		fclose(fp);
	unlink(af->tmp);
	af_free(af);
	errno = saved;
	return -1;
}

/*
 * Remove the temporary file and free af.  errno is preserved.
 */
void
atomic_abort(struct atomic_file *af)
{
	int saved = errno;

	if (af == NULL)
		return;
	if (af->fp != NULL)
		fclose(af->fp);
	unlink(af->tmp);
	af_free(af);
	errno = saved;
}

/*
 * Write buf to a temporary file and rename it over path; 0 or -1 (errno).
 */
int
atomic_write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	struct atomic_file *af;
	const char *p = buf;
	ssize_t n;

	if ((af = atomic_begin(path, mode)) == NULL)
		return -1;
	while (len > 0) {
		n = write(af->fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			atomic_abort(af);
			return -1;
		}
		p += n;
		len -= n;
	}
	return atomic_commit(af);
}
