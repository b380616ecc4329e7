/*
 * The validated store; see store.h for the layout and why it is safe.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/store.h"
#include "validator/storepack.h"

/* Length of the key of one publication point: hex SHA-256 of its manifest URI. */
#define STORE_KEY_LEN	HASH_SHA256_HEX_LEN
/* Suffix mkostemp(3) replaces. */
#define STORE_TMPL	".XXXXXX"
/*
 * Digits of the key in a copy's directory name: the link text then fits
 * in the link's inode (a "fast" symbolic link, read without a data
 * block).  mkostemp(3) makes the name unique; the digits only tell whose
 * copy it is.
 */
#define STORE_DIR_KEY_LEN	32

struct store {
	char		*dir;
	int		 dfd;		/* dir, open */
	pthread_mutex_t	 lock;
};

/* Returns a new handle on dir, created if missing, or NULL. */
struct store *
store_open(const char *dir)
{
	struct store *st;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_warn_obj(dir, "cannot create the store");
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->dir = strdup(dir)) == NULL) {
		free(st);
		log_warn_obj(dir, "store");
		return NULL;
	}
	if ((st->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn_obj(dir, "cannot open the store");
		free(st->dir);
		free(st);
		return NULL;
	}
	pthread_mutex_init(&st->lock, NULL);
	return st;
}

/* Frees the handle. */
void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	pthread_mutex_destroy(&st->lock);
	close(st->dfd);
	free(st->dir);
	free(st);
}

static int
store_key(const char *uri, char key[STORE_KEY_LEN + 1])
{
	unsigned char md[HASH_SHA256_LEN];

	if (hash_sha256(uri, strlen(uri), md) == -1)
		return -1;
	hash_hex_encode(md, sizeof(md), key);
	return 0;
}

int
store_link(struct store *st, const char *uri, char *name, size_t len)
{
	char key[STORE_KEY_LEN + 1];
	ssize_t n;

	if (len < 2 || store_key(uri, key) == -1)
		return -1;
	n = readlinkat(st->dfd, key, name, len - 1);
	if (n <= 0 || (size_t)n >= len - 1)
		return -1;
	name[n] = '\0';
	/* We only ever write ".<digits>.XXXXXX" in STORE itself. */
	if (name[0] != '.' || strchr(name, '/') != NULL)
		return -1;
	return 0;
}

int
store_copy_open(struct store *st, const char *uri)
{
	char target[PATH_MAX];

	if (store_link(st, uri, target, sizeof(target)) == -1) {
		errno = ENOENT;
		return -1;
	}
	return openat(st->dfd, target, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK);
}

/*
 * Remove the copy called name in the store.  A directory is a copy an
 * older Reef wrote, one file per object (flat: files only).
 */
static void
remove_copy(struct store *st, const char *name)
{
	DIR *d;
	struct dirent *de;
	int fd;

	if (unlinkat(st->dfd, name, 0) == 0 || errno != EISDIR)
		return;
	if ((fd = openat(st->dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	(void)unlinkat(st->dfd, name, AT_REMOVEDIR);
}

/* Returns 0 once the new copy is in place, -1 (old copy kept) otherwise. */
int
store_save(struct store *st, const char *uri, const struct store_file *files,
    size_t nfiles)
{
	char key[STORE_KEY_LEN + 1], newlink[STORE_KEY_LEN + 16];
	char old[PATH_MAX], *tmp, *base;
	int fd, have_old, rc = -1;

	if (store_key(uri, key) == -1)
		return -1;
	/* The new copy is written unlocked, in a file of its own. */
	if (asprintf(&tmp, "%s/.%.*s" STORE_TMPL, st->dir, STORE_DIR_KEY_LEN,
	    key) == -1)
		return -1;
	base = strrchr(tmp, '/') + 1;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		log_warn_obj(uri, "store: cannot create a copy");
		free(tmp);
		return -1;
	}
	if (storepack_write(fd, files, nfiles) == -1 || close(fd) == -1) {
		log_warn_obj(uri, "store: cannot write the copy");
		goto fail;
	}
	snprintf(newlink, sizeof(newlink), ".%s.link", key);
	/* Replacing the link, and learning what it replaces, is one step. */
	pthread_mutex_lock(&st->lock);
	have_old = store_link(st, uri, old, sizeof(old)) == 0;
	(void)unlinkat(st->dfd, newlink, 0);
	if (symlinkat(base, st->dfd, newlink) == -1 ||
	    renameat(st->dfd, newlink, st->dfd, key) == -1) {
		pthread_mutex_unlock(&st->lock);
		log_warn_obj(uri, "store: cannot install the new copy");
		(void)unlinkat(st->dfd, newlink, 0);
		goto fail;
	}
	pthread_mutex_unlock(&st->lock);
	if (have_old)
		remove_copy(st, old);
	rc = 0;
	goto out;
 fail:
	(void)unlinkat(st->dfd, base, 0);
 out:
	free(tmp);
	return rc;
}

/* Returns 0 if no copy for uri is left, -1 on failure. */
int
store_remove(struct store *st, const char *uri)
{
	char key[STORE_KEY_LEN + 1], old[PATH_MAX];
	int rc = 0, have_old;

	if (store_key(uri, key) == -1)
		return -1;
	pthread_mutex_lock(&st->lock);
	have_old = store_link(st, uri, old, sizeof(old)) == 0;
	if (unlinkat(st->dfd, key, 0) == -1 && errno != ENOENT)
		rc = -1;
	pthread_mutex_unlock(&st->lock);
	if (have_old)
		remove_copy(st, old);
	return rc;
}
