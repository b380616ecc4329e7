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

/* Length of the key of one publication point: hex SHA-256 of its manifest URI. */
#define STORE_KEY_LEN	HASH_SHA256_HEX_LEN
/* Suffix mkdtemp(3) replaces. */
#define STORE_TMPL	".XXXXXX"
/*
 * Digits of the key in a copy's directory name: the link text then fits
 * in the link's inode (a "fast" symbolic link, read without a data
 * block).  mkdtemp(3) makes the name unique; the digits only tell whose
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

/* The link STORE/<key>, malloc'd. */
static char *
link_path(const struct store *st, const char *uri)
{
	char key[STORE_KEY_LEN + 1], *p;

	if (store_key(uri, key) == -1 ||
	    asprintf(&p, "%s/%s", st->dir, key) == -1)
		return NULL;
	return p;
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

/* Returns the target directory of the link for uri, malloc'd, or NULL. */
char *
store_lookup(struct store *st, const char *uri)
{
	char target[PATH_MAX], *p = NULL;
	struct stat sb;

	if (store_link(st, uri, target, sizeof(target)) == -1)
		return NULL;
	if (asprintf(&p, "%s/%s", st->dir, target) == -1)
		return NULL;
	if (stat(p, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		free(p);
		return NULL;
	}
	return p;
}

/* Remove a directory written by store_save() (flat: files only). */
static void
rmdir_flat(const char *path)
{
	DIR *d;
	struct dirent *de;
	char *fp;

	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&fp, "%s/%s", path, de->d_name) == -1)
			continue;
		unlink(fp);
		free(fp);
	}
	closedir(d);
	rmdir(path);
}

static int
write_file(const char *dir, const struct store_file *f)
{
	char *path;
	int fd, rc = -1;
	size_t off = 0;
	ssize_t n;

	/* The walk only passes manifest-checked names (RFC 9286 4.2.2). */
	if (f->name[0] == '.' || strchr(f->name, '/') != NULL ||
	    strlen(f->name) > MAX_FILENAME_LENGTH) {
		errno = EINVAL;
		return -1;
	}
	if (asprintf(&path, "%s/%s", dir, f->name) == -1)
		return -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1)
		goto out;
	while (off < f->len) {
		if ((n = write(fd, f->der + off, f->len - off)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			close(fd);
			goto out;
		}
		off += (size_t)n;
	}
	if (close(fd) == -1)
		goto out;
	rc = 0;
 out:
	free(path);
	return rc;
}

/* Returns 0 once the new copy is in place, -1 (old copy kept) otherwise. */
int
store_save(struct store *st, const char *uri, const struct store_file *files,
    size_t nfiles)
{
	char key[STORE_KEY_LEN + 1], *tmp = NULL, *newlink = NULL;
	char *lp = NULL, *old = NULL, *base;
	size_t i;
	int rc = -1;

	if (store_key(uri, key) == -1)
		return -1;
	/* The new copy is written unlocked, in a directory of its own. */
	if (asprintf(&tmp, "%s/.%.*s" STORE_TMPL, st->dir, STORE_DIR_KEY_LEN,
	    key) == -1)
		return -1;
	if (mkdtemp(tmp) == NULL) {
		log_warn_obj(tmp, "store");
		free(tmp);
		return -1;
	}
	for (i = 0; i < nfiles; i++)
		if (write_file(tmp, &files[i]) == -1) {
			log_warn_obj(uri, "store: cannot write %s",
			    files[i].name);
			rmdir_flat(tmp);
			free(tmp);
			return -1;
		}
	base = strrchr(tmp, '/') + 1;
	if (asprintf(&newlink, "%s/.%s.link", st->dir, key) == -1) {
		newlink = NULL;
		rmdir_flat(tmp);
		goto out;
	}
	lp = link_path(st, uri);
	/* Replacing the link, and learning what it replaces, is one step. */
	pthread_mutex_lock(&st->lock);
	old = store_lookup(st, uri);
	unlink(newlink);
	if (lp == NULL || symlink(base, newlink) == -1 ||
	    rename(newlink, lp) == -1) {
		pthread_mutex_unlock(&st->lock);
		log_warn_obj(uri, "store: cannot install the new copy");
		unlink(newlink);
		rmdir_flat(tmp);
		goto out;
	}
	pthread_mutex_unlock(&st->lock);
	if (old != NULL)
		rmdir_flat(old);
	rc = 0;
 out:
	free(tmp);
	free(newlink);
	free(lp);
	free(old);
	return rc;
}

/* Returns 0 if no copy for uri is left, -1 on failure. */
int
store_remove(struct store *st, const char *uri)
{
	char *lp, *old;
	int rc = 0;

	pthread_mutex_lock(&st->lock);
	old = store_lookup(st, uri);
	if ((lp = link_path(st, uri)) == NULL)
		rc = -1;
	else if (unlink(lp) == -1 && errno != ENOENT)
		rc = -1;
	if (old != NULL)
		rmdir_flat(old);
	pthread_mutex_unlock(&st->lock);
	free(lp);
	free(old);
	return rc;
}
