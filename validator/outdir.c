/*
 * Run directories and the .current link of the output directory, so that
 * the outputs of a run replace the previous ones as a set (outdir.h).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/log.h"
#include "validator/outdir.h"

/* mkdtemp(3) template of a run directory; its random part's length. */
#define RUN_TEMPLATE	OUTDIR_RUN_PREFIX "XXXXXX"
#define RUN_RANDOM_LEN	6
/* Room for a run directory's name, or a longer link text, plus NUL. */
#define RUN_NAME_MAX	(sizeof(RUN_TEMPLATE) + 1)
/* Room for a link name or text built from an output's name. */
#define LINK_NAME_MAX	(MAX_FILENAME_LENGTH + 1)

/* Files closed but not yet synced (outdir_run_close()), at most. */
#define RUN_UNSYNCED	32

struct outdir_run {
	char	*outdir;			/* for messages */
	int	 dfd;				/* outdir */
	int	 rfd;				/* the run directory */
	char	 base[sizeof(RUN_TEMPLATE)];	/* its name in outdir */
	int	 pfd;		/* the run directory in use at the start, or -1 */
	pthread_mutex_t lock;			/* unsynced */
	int	 unsynced[RUN_UNSYNCED];	/* being written back */
	size_t	 nunsynced;
};

/* 1 if s is the name of a run directory (".run." and six characters). */
static int
is_run_name(const char *s)
{
	size_t plen = strlen(OUTDIR_RUN_PREFIX);

	return strncmp(s, OUTDIR_RUN_PREFIX, plen) == 0 &&
	    strlen(s) == plen + RUN_RANDOM_LEN && strchr(s, '/') == NULL;
}

/* 1 if s is a temporary .current link (".current." and six characters). */
static int
is_current_temp(const char *s)
{
	size_t plen = strlen(OUTDIR_CURRENT);

	return strncmp(s, OUTDIR_CURRENT, plen) == 0 && s[plen] == '.' &&
	    strlen(s) == plen + 1 + RUN_RANDOM_LEN;
}

/* The random part of a run directory's name. */
static const char *
run_random(const char *base)
{
	return base + strlen(OUTDIR_RUN_PREFIX);
}

/* 1 if the link name in dfd holds exactly target, else 0. */
static int
link_is(int dfd, const char *name, const char *target)
{
	char buf[LINK_NAME_MAX];
	ssize_t len;

	len = readlinkat(dfd, name, buf, sizeof(buf));
	return len >= 0 && (size_t)len == strlen(target) &&
	    memcmp(buf, target, (size_t)len) == 0;
}

/*
 * The run directory .current names, into buf (len bytes); "" when there
 * is none or the link holds something else.
 */
static void
current_run(int dfd, char *buf, size_t len)
{
	ssize_t n;

	n = readlinkat(dfd, OUTDIR_CURRENT, buf, len - 1);
	buf[n >= 0 ? (size_t)n : 0] = '\0';
	if (!is_run_name(buf))
		buf[0] = '\0';
}

/* 1 if name is in the directory dfd (a file or a link). */
static int
has_entry(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/*
 * Make name in dfd a symbolic link holding target: a new link tmp is
 * renamed over it, so readers see the old entry or the new link.
 * Returns 0, or -1 with errno set (name unchanged).
 */
static int
replace_link(int dfd, const char *name, const char *target, const char *tmp)
{
	int saved;

	(void)unlinkat(dfd, tmp, 0);
	if (symlinkat(target, dfd, tmp) == -1)
		return -1;
	if (renameat(dfd, tmp, dfd, name) == -1) {
		saved = errno;
		(void)unlinkat(dfd, tmp, 0);
		errno = saved;
		return -1;
	}
	return 0;
}

/* The files of a run directory being removed, shared by two threads. */
struct unlink_job {
	int		 fd;		/* the directory */
	char		(*names)[NAME_MAX + 1];
	size_t		 n;
	size_t		 next;		/* atomic */
	int		 failed;	/* atomic */
};

/* Unlink the job's files not yet taken. */
static void *
unlink_some(void *arg)
{
	struct unlink_job *j = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED)) <
	    j->n)
		if (unlinkat(j->fd, j->names[i], 0) == -1)
			__atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * Remove the run directory base of dfd and the files in it (a run
 * directory holds no subdirectory).  Returns 0 (also when it is already
 * gone) or -1 with errno set.
 */
static int
remove_run(int dfd, const char *base)
{
	struct unlink_job j;
	struct dirent *de;
	pthread_t tid;
	DIR *d;
	int fd, helper;
	char (*names)[NAME_MAX + 1] = NULL, (*nn)[NAME_MAX + 1];
	size_t cap = 0;

	fd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	memset(&j, 0, sizeof(j));
	j.fd = fd;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (j.n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((nn = reallocarray(names, cap, sizeof(*nn))) ==
			    NULL) {
				/* Without room for the list, one at a time. */
				if (unlinkat(fd, de->d_name, 0) == -1)
					j.failed = 1;
				cap = j.n;
				continue;
			}
			names = nn;
		}
		snprintf(names[j.n++], sizeof(names[0]), "%s", de->d_name);
	}
	/* Freeing a big file's blocks takes a while: two threads at it. */
	j.names = names;
	helper = j.n > 1 && pthread_create(&tid, NULL, unlink_some, &j) == 0;
	(void)unlink_some(&j);
	if (helper)
		pthread_join(tid, NULL);
	free(names);
	closedir(d);
	if (unlinkat(dfd, base, AT_REMOVEDIR) == -1)
		j.failed = 1;
	return j.failed ? -1 : 0;
}

/* Close and free r, leaving its directory where it is. */
static void
run_free(struct outdir_run *r)
{
	size_t i;

	for (i = 0; i < r->nunsynced; i++)
		close(r->unsynced[i]);
	pthread_mutex_destroy(&r->lock);
	if (r->rfd != -1)
		close(r->rfd);
	if (r->pfd != -1)
		close(r->pfd);
	if (r->dfd != -1)
		close(r->dfd);
	free(r->outdir);
	free(r);
}

/*
 * Make the run directory in outdir.  Returns a handle (see outdir.h) or
 * NULL after logging.
 */
struct outdir_run *
outdir_run_begin(const char *outdir)
{
	struct outdir_run *r;
	char *path = NULL, prev[RUN_NAME_MAX];

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->outdir = strdup(outdir)) == NULL) {
		free(r);
		log_errorx_obj(outdir, "out of memory");
		return NULL;
	}
	r->rfd = r->pfd = -1;
	pthread_mutex_init(&r->lock, NULL);
	if ((r->dfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, outdir, "output directory");
		goto fail;
	}
	/* The run in use, whose unchanged files this one may keep. */
	current_run(r->dfd, prev, sizeof(prev));
	if (prev[0] != '\0')
		r->pfd = openat(r->dfd, prev, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
	if (asprintf(&path, "%s/%s", outdir, RUN_TEMPLATE) == -1) {
		path = NULL;
		log_errorx_obj(outdir, "out of memory");
		goto fail;
	}
	if (mkdtemp(path) == NULL) {
		log_msg_errno(LOG_LEVEL_ERROR, path, "cannot create");
		goto fail;
	}
	memcpy(r->base, strrchr(path, '/') + 1, sizeof(r->base));
	/* mkdtemp() makes it 0700: readers may be other users. */
	if (chmod(path, OUTDIR_DIR_MODE) == -1 || (r->rfd = open(path,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, path, "run directory");
		(void)rmdir(path);
		goto fail;
	}
	free(path);
	return r;
 fail:
	free(path);
	run_free(r);
	return NULL;
}

/*
 * Create name in the run directory.  Returns a stream owned by the
 * caller, or NULL after logging.
 */
FILE *
outdir_run_create(struct outdir_run *r, const char *name)
{
	FILE *fp;
	int fd;

	fd = openat(r->rfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    OUTDIR_FILE_MODE);
	/* fchmod: the mode must not depend on the umask. */
	if (fd == -1 || fchmod(fd, OUTDIR_FILE_MODE) == -1 ||
	    (fp = fdopen(fd, "w")) == NULL) {
		log_msg_errno(LOG_LEVEL_ERROR, r->outdir, "cannot create %s/%s",
		    r->base, name);
		if (fd != -1)
			close(fd);
		return NULL;
	}
	return fp;
}

/*
 * The regular file name of the run in use, opened read-only; -1 when
 * there is none.
 */
int
outdir_run_open_previous(struct outdir_run *r, const char *name)
{
	struct stat st;
	int fd;

	if (r->pfd == -1 || strchr(name, '/') != NULL ||
	    (fd = openat(r->pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Hard-link the regular file name of the run in use into r's run
 * directory.  Returns 0, or -1 with errno set (nothing done).
 */
int
outdir_run_keep(struct outdir_run *r, const char *name)
{
	struct stat st;

	if (r->pfd == -1 || strchr(name, '/') != NULL) {
		errno = ENOENT;
		return -1;
	}
	if (fstatat(r->pfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	return linkat(r->pfd, name, r->rfd, name, 0);
}

/*
 * Flush, sync and close fp.  Returns 0 or -1 (errno set; EIO when an
 * earlier write failed, as stdio keeps no errno).
 */
int
outdir_run_close(struct outdir_run *r, FILE *fp)
{
	int saved, fd = -1;

	if (fflush(fp) != 0 || ferror(fp))
		goto fail;
	/*
	 * Start writing the file back now and sync it when publishing: the
	 * disk works while the other files are written.  Where that is not
	 * possible, sync now.
	 */
	(void)sync_file_range(fileno(fp), 0, 0, SYNC_FILE_RANGE_WRITE);
	pthread_mutex_lock(&r->lock);
	if (r->nunsynced < RUN_UNSYNCED &&
	    (fd = fcntl(fileno(fp), F_DUPFD_CLOEXEC, 0)) != -1)
		r->unsynced[r->nunsynced++] = fd;
	pthread_mutex_unlock(&r->lock);
	if (fd == -1 && fsync(fileno(fp)) == -1)
		goto fail;
	return fclose(fp) == 0 ? 0 : -1;
 fail:
	saved = ferror(fp) ? EIO : errno;
	fclose(fp);
	errno = saved;
	return -1;
}

/* Sync the files outdir_run_close() left to the disk.  0 or -1 (errno). */
static int
sync_closed(struct outdir_run *r)
{
	int rc = 0, saved = 0;

	pthread_mutex_lock(&r->lock);
	while (r->nunsynced > 0) {
		if (fsync(r->unsynced[--r->nunsynced]) == -1 && rc == 0) {
			rc = -1;
			saved = errno;
		}
		close(r->unsynced[r->nunsynced]);
	}
	pthread_mutex_unlock(&r->lock);
	errno = saved;
	return rc;
}

/*
 * Rename a new .current link naming r's run directory over the old one,
 * and sync outdir.  The run directory replaced, if any, goes into old
 * (len bytes; "" for none).  Returns 0, or -1 after logging (the old
 * link unchanged).
 */
static int
switch_current(struct outdir_run *r, char *old, size_t len)
{
	char tmp[RUN_NAME_MAX + sizeof(OUTDIR_CURRENT)];

	current_run(r->dfd, old, len);
	snprintf(tmp, sizeof(tmp), "%s.%s", OUTDIR_CURRENT,
	    run_random(r->base));
	if (replace_link(r->dfd, OUTDIR_CURRENT, r->base, tmp) == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, r->outdir, "cannot point %s at "
		    "%s", OUTDIR_CURRENT, r->base);
		return -1;
	}
	/* The rename is the commit: make it durable. */
	if (fsync(r->dfd) == -1)
		log_msg_errno(LOG_LEVEL_WARNING, r->outdir, "cannot sync");
	return 0;
}

/*
 * Make the public name the link to .current/name, if it is not already.
 * Returns 0, or -1 after logging.
 */
static int
public_link(struct outdir_run *r, const char *name)
{
	char target[LINK_NAME_MAX], tmp[LINK_NAME_MAX];
	int n, m;

	n = snprintf(target, sizeof(target), "%s/%s", OUTDIR_CURRENT, name);
	/* ".NAME.XXXXXX", the temporaries output_clean_temps() knows. */
	m = snprintf(tmp, sizeof(tmp), ".%s.%s", name, run_random(r->base));
	if (n < 0 || (size_t)n >= sizeof(target) || m < 0 ||
	    (size_t)m >= sizeof(tmp)) {
		log_errorx_obj(r->outdir, "output name too long: %s", name);
		return -1;
	}
	if (link_is(r->dfd, name, target))
		return 0;
	if (replace_link(r->dfd, name, target, tmp) == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, r->outdir, "cannot link %s to "
		    "%s", name, target);
		return -1;
	}
	return 0;
}

/* Remove the public name if it is the link to .current/name. */
static void
drop_link(struct outdir_run *r, const char *name)
{
	char target[LINK_NAME_MAX];
	int n;

	n = snprintf(target, sizeof(target), "%s/%s", OUTDIR_CURRENT, name);
	if (n > 0 && (size_t)n < sizeof(target) &&
	    link_is(r->dfd, name, target) && unlinkat(r->dfd, name, 0) == -1)
		log_msg_errno(LOG_LEVEL_WARNING, r->outdir, "cannot remove %s",
		    name);
}

/* 1 if some public name is a plain file (written by an older Reef). */
static int
any_plain(int dfd, const char *const *names, size_t n)
{
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++)
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			return 1;
	return 0;
}

/*
 * Older Reefs wrote the outputs as plain files, which no single rename
 * replaces.  Before the switch, hard-link what every public name shows
 * now into a run directory of its own, make it current, and only then
 * turn each plain file into the link: each name keeps its content all
 * along, and the switch to r that follows is still one rename.  Returns
 * 0 (also when there is nothing to adopt) or -1 after logging.
 */
static int
adopt_plain(struct outdir_run *r, const char *const *names, size_t n)
{
	struct outdir_run *a;
	char old[RUN_NAME_MAX];
	struct stat st;
	size_t i;
	int rc = -1;

	if (!any_plain(r->dfd, names, n))
		return 0;
	if ((a = outdir_run_begin(r->outdir)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (fstatat(a->dfd, names[i], &st, 0) == -1 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (linkat(a->dfd, names[i], a->rfd, names[i],
		    AT_SYMLINK_FOLLOW) == -1) {
			log_msg_errno(LOG_LEVEL_ERROR, r->outdir, "cannot "
			    "link %s into %s", names[i], a->base);
			goto out;
		}
	}
	if (fsync(a->rfd) == -1 || switch_current(a, old, sizeof(old)) != 0)
		goto out;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++)
		if (has_entry(a->rfd, names[i]))
			rc = public_link(a, names[i]);
	if (old[0] != '\0')
		(void)remove_run(a->dfd, old);
	if (rc == 0)
		log_info_obj(r->outdir, "plain output files of an older "
		    "version turned into links to %s/", OUTDIR_CURRENT);
	run_free(a);
	return rc;
 out:
	outdir_run_abort(a);
	return -1;
}

/*
 * Switch the outputs to r's files; see outdir.h.  Returns 0 or -1.
 */
int
outdir_run_publish(struct outdir_run *r, const char *const *names, size_t n)
{
	char old[RUN_NAME_MAX];
	size_t i;

	if (sync_closed(r) == -1 || fsync(r->rfd) == -1) {
		log_msg_errno(LOG_LEVEL_ERROR, r->outdir, "cannot sync %s",
		    r->base);
		goto fail;
	}
	if (adopt_plain(r, names, n) != 0)
		goto fail;
	/*
	 * A new name's link dangles until the switch, as the old set has no
	 * such file either.
	 */
	for (i = 0; i < n; i++)
		if (has_entry(r->rfd, names[i]) && public_link(r, names[i]) != 0)
			goto fail;
	if (switch_current(r, old, sizeof(old)) != 0)
		goto fail;
	/* In use.  What fails from here on is clutter for outdir_clean(). */
	for (i = 0; i < n; i++)
		if (!has_entry(r->rfd, names[i]))
			drop_link(r, names[i]);
	if (old[0] != '\0' && remove_run(r->dfd, old) == -1)
		log_msg_errno(LOG_LEVEL_WARNING, r->outdir, "cannot remove the "
		    "previous run directory %s", old);
	run_free(r);
	return 0;
 fail:
	outdir_run_abort(r);
	return -1;
}

/*
 * Remove r's run directory and free r.
 */
void
outdir_run_abort(struct outdir_run *r)
{
	if (r == NULL)
		return;
	if (remove_run(r->dfd, r->base) == -1)
		log_msg_errno(LOG_LEVEL_WARNING, r->outdir, "cannot remove %s",
		    r->base);
	run_free(r);
}

/*
 * Remove the leftovers of killed runs in outdir; see outdir.h.
 */
void
outdir_clean(const char *outdir)
{
	char cur[RUN_NAME_MAX];
	struct dirent *de;
	DIR *d;
	int dfd;

	if ((dfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	current_run(dfd, cur, sizeof(cur));
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (is_run_name(de->d_name) && strcmp(de->d_name, cur) != 0) {
			if (remove_run(dfd, de->d_name) == 0)
				log_info_obj(outdir, "removed %s, left by an "
				    "interrupted run", de->d_name);
		} else if (is_current_temp(de->d_name) &&
		    unlinkat(dfd, de->d_name, 0) == 0)
			log_info_obj(outdir, "removed %s, left by an "
			    "interrupted run", de->d_name);
	}
	closedir(d);
}
