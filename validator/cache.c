/*
 * Cache directory: layout, staging, atomic per-repository commit and
 * recovery after an interrupted run (see cache.h for the protocol).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* syncfs() */
#endif

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "validator/cache.h"

/* Mode of the directories the cache creates. */
#define CACHE_DIR_MODE		0755
/* Descriptors nftw(3) may hold while removing a tree. */
#define CACHE_RMTREE_FDS	32
/* Longest generation name, "g" and a 64-bit number, with the NUL. */
#define CACHE_GEN_NAME_MAX	24

struct cache {
	char	*dir;
	int	 durable;
};

static char *
path_join(const char *a, const char *b)
{
	char *p;

	if (asprintf(&p, "%s/%s", a, b) == -1)
		return NULL;
	if (strlen(p) > MAX_PATH_LENGTH) {
		free(p);
		errno = ENAMETOOLONG;
		return NULL;
	}
	return p;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) == -1 && errno != ENOENT ? -1 : 0;
	return unlink(path) == -1 && errno != ENOENT ? -1 : 0;
}

/* Removes the tree at path; a missing path is success. */
int
cache_rmtree(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(sb.st_mode))
		return unlink(path);
	if (nftw(path, rm_entry, CACHE_RMTREE_FDS, FTW_DEPTH | FTW_PHYS) != 0) {
		log_warn_obj(path, "cannot remove");
		return -1;
	}
	return 0;
}

/* Creates base/path's directories component by component, O_NOFOLLOW. */
int
cache_mkdirs(const char *base, const char *path, int last)
{
	char *copy, *seg, *next;
	int fd, nfd, rc = -1, depth = 0;

	if ((copy = strdup(path)) == NULL)
		return -1;
	fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		goto out;
	for (seg = copy; seg != NULL && *seg != '\0'; seg = next) {
		next = strchr(seg, '/');
		if (next != NULL)
			*next++ = '\0';
		else if (!last)
			break;
		if (*seg == '\0' || strcmp(seg, ".") == 0 ||
		    strcmp(seg, "..") == 0 || ++depth > CACHE_MAX_DEPTH) {
			errno = EINVAL;
			goto out;
		}
		if (mkdirat(fd, seg, CACHE_DIR_MODE) == -1 && errno != EEXIST)
			goto out;
		nfd = openat(fd, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (nfd == -1)
			goto out;
		close(fd);
		fd = nfd;
	}
	rc = 0;
 out:
	if (fd != -1)
		close(fd);
	free(copy);
	return rc;
}

/* mkdir -p of an absolute or relative operator-given path. */
static int
mkdir_p(const char *dir)
{
	char *copy, *p;
	int rc = -1;

	if ((copy = strdup(dir)) == NULL)
		return -1;
	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		{
			char c = *p;

			*p = '\0';
			if (mkdir(copy, CACHE_DIR_MODE) == -1 &&
			    errno != EEXIST)
				goto out;
			*p = c;
		}
		if (*p == '\0')
			break;
	}
	rc = 0;
 out:
	free(copy);
	return rc;
}

static int
subdir(const struct cache *c, const char *name)
{
	char *p;
	int rc;

	if ((p = path_join(c->dir, name)) == NULL)
		return -1;
	rc = mkdir(p, CACHE_DIR_MODE);
	if (rc == -1 && errno == EEXIST)
		rc = 0;
	if (rc == -1)
		log_warn_obj(p, "cannot create cache directory");
	free(p);
	return rc;
}

/* Returns a new cache, or NULL after logging why. */
struct cache *
cache_open(const char *dir, int durable)
{
	struct cache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->dir = strdup(dir)) == NULL) {
		free(c);
		log_error("out of memory");
		return NULL;
	}
	c->durable = durable;
	if (strlen(dir) > MAX_PATH_LENGTH / 2 || mkdir_p(dir) == -1) {
		log_warn_obj(dir, "cannot create cache directory");
		goto fail;
	}
	if (subdir(c, "rsync") == -1 || subdir(c, "ta") == -1 ||
	    subdir(c, CACHE_REPOS_DIR) == -1)
		goto fail;
	if (cache_recover(c) == -1)
		goto fail;
	return c;
 fail:
	cache_close(c);
	return NULL;
}

void
cache_close(struct cache *c)
{
	if (c == NULL)
		return;
	free(c->dir);
	free(c);
}

const char *
cache_dir(const struct cache *c)
{
	return c->dir;
}

/* Parse "gN"; returns N >= 1, or 0 when name is no generation name. */
static uint64_t
gen_number(const char *name)
{
	char *end;
	unsigned long long v;

	if (name[0] != 'g' || name[1] < '1' || name[1] > '9')
		return 0;
	errno = 0;
	v = strtoull(name + 1, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	return v;
}

/*
 * The generation name ("gN") the link of relpath points to, into buf; 0,
 * or -1 when there is no valid link.
 */
static int
current_gen(const struct cache *c, const char *relpath, char *buf,
    size_t bufsz)
{
	char *link = NULL, *want = NULL;
	char target[MAX_PATH_LENGTH + 1];
	ssize_t n;
	size_t wl;
	int rc = -1;

	if (asprintf(&link, "%s/rsync/%s", c->dir, relpath) == -1) {
		link = NULL;
		goto out;
	}
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		goto out;
	target[n] = '\0';
	if (asprintf(&want, "../../%s/%s/", CACHE_REPOS_DIR, relpath) == -1) {
		want = NULL;
		goto out;
	}
	wl = strlen(want);
	if (strncmp(target, want, wl) != 0 || gen_number(target + wl) == 0 ||
	    strlen(target + wl) >= bufsz)
		goto out;
	strcpy(buf, target + wl);
	rc = 0;
 out:
	free(link);
	free(want);
	return rc;
}

char *
cache_current(const struct cache *c, const char *relpath)
{
	char gen[CACHE_GEN_NAME_MAX], *p;
	struct stat sb;

	if (current_gen(c, relpath, gen, sizeof(gen)) == -1)
		return NULL;
	if (asprintf(&p, "%s/%s/%s/%s", c->dir, CACHE_REPOS_DIR, relpath,
	    gen) == -1)
		return NULL;
	if (lstat(p, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		free(p);
		return NULL;
	}
	return p;
}

/* Remove every entry of dir except keep (may be NULL); count removals. */
static int
prune_dir(const char *dir, const char *keep, int *removed)
{
	DIR *d;
	struct dirent *de;
	char *p;
	int rc = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (keep != NULL && strcmp(de->d_name, keep) == 0)
			continue;
		if ((p = path_join(dir, de->d_name)) == NULL) {
			rc = -1;
			continue;
		}
		if (cache_rmtree(p) == -1)
			rc = -1;
		else
			(*removed)++;
		free(p);
	}
	closedir(d);
	return rc;
}

/* Iterate the subdirectory names of dir; fn(arg, name). */
static int
each_subdir(const char *dir, int (*fn)(void *, const char *), void *arg)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fn(arg, de->d_name) == -1)
			rc = -1;
	}
	closedir(d);
	return rc;
}

struct recover_ctx {
	struct cache	*c;
	const char	*host;
	int		 removed;
};

static int
recover_module(void *arg, const char *module)
{
	struct recover_ctx *rc = arg;
	char gen[CACHE_GEN_NAME_MAX], *rel, *dir;
	int ret;

	if (asprintf(&rel, "%s/%s", rc->host, module) == -1)
		return -1;
	if (asprintf(&dir, "%s/%s/%s", rc->c->dir, CACHE_REPOS_DIR, rel) ==
	    -1) {
		free(rel);
		return -1;
	}
	ret = prune_dir(dir, current_gen(rc->c, rel, gen, sizeof(gen)) == 0 ?
	    gen : NULL, &rc->removed);
	free(rel);
	free(dir);
	return ret;
}

static int
recover_host(void *arg, const char *host)
{
	struct recover_ctx *rc = arg;
	char *dir;
	int ret;

	if (asprintf(&dir, "%s/%s/%s", rc->c->dir, CACHE_REPOS_DIR, host) ==
	    -1)
		return -1;
	rc->host = host;
	ret = each_subdir(dir, recover_module, rc);
	free(dir);
	return ret;
}

/* In rsync/HOST: temporary links and anything not a link go. */
static int
recover_link(void *arg, const char *name)
{
	struct recover_ctx *rc = arg;
	struct stat sb;
	char *p;
	int ret = 0;

	if (asprintf(&p, "%s/rsync/%s/%s", rc->c->dir, rc->host, name) == -1)
		return -1;
	if (lstat(p, &sb) == 0 && (!S_ISLNK(sb.st_mode) ||
	    strncmp(name, CACHE_TMP_PREFIX, strlen(CACHE_TMP_PREFIX)) == 0)) {
		ret = cache_rmtree(p);
		if (ret == 0)
			rc->removed++;
	}
	free(p);
	return ret;
}

static int
recover_link_host(void *arg, const char *host)
{
	struct recover_ctx *rc = arg;
	char *dir;
	int ret;

	if (asprintf(&dir, "%s/rsync/%s", rc->c->dir, host) == -1)
		return -1;
	rc->host = host;
	ret = each_subdir(dir, recover_link, rc);
	free(dir);
	return ret;
}

static int
recover_top(void *arg, const char *name)
{
	struct recover_ctx *rc = arg;
	char *p;
	int ret;

	if (strncmp(name, CACHE_TMP_PREFIX, strlen(CACHE_TMP_PREFIX)) != 0)
		return 0;
	if ((p = path_join(rc->c->dir, name)) == NULL)
		return -1;
	ret = cache_rmtree(p);
	if (ret == 0)
		rc->removed++;
	free(p);
	return ret;
}

/* Returns the number of entries removed, or -1 (logged). */
int
cache_recover(struct cache *c)
{
	struct recover_ctx rc = { c, NULL, 0 };
	char *repos = NULL, *links = NULL;
	int ret = -1;

	if ((repos = path_join(c->dir, CACHE_REPOS_DIR)) == NULL ||
	    (links = path_join(c->dir, "rsync")) == NULL)
		goto out;
	if (each_subdir(c->dir, recover_top, &rc) == -1 ||
	    each_subdir(links, recover_link_host, &rc) == -1 ||
	    each_subdir(repos, recover_host, &rc) == -1) {
		log_warnx_obj(c->dir, "cache recovery incomplete");
		goto out;
	}
	if (rc.removed > 0)
		log_info_obj(c->dir, "removed %d leftovers of an interrupted "
		    "run", rc.removed);
	ret = rc.removed;
 out:
	free(repos);
	free(links);
	return ret;
}

/* Hard-link every regular file of the tree at sfd into dfd. */
static int
link_tree(int sfd, int dfd, int depth)
{
	DIR *d;
	struct dirent *de;
	struct stat sb;
	int nsfd, ndfd, rc = -1, dupfd;

	if (depth > CACHE_MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	if ((dupfd = dup(sfd)) == -1)
		return -1;
	if ((d = fdopendir(dupfd)) == NULL) {
		close(dupfd);
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(sfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
			goto out;
		if (S_ISREG(sb.st_mode)) {
			if (linkat(sfd, de->d_name, dfd, de->d_name, 0) == -1)
				goto out;
			continue;
		}
		if (!S_ISDIR(sb.st_mode))
			continue;
		if (mkdirat(dfd, de->d_name, CACHE_DIR_MODE) == -1)
			goto out;
		nsfd = openat(sfd, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (nsfd == -1)
			goto out;
		ndfd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (ndfd == -1) {
			close(nsfd);
			goto out;
		}
		rc = link_tree(nsfd, ndfd, depth + 1);
		close(nsfd);
		close(ndfd);
		if (rc == -1)
			goto out;
		rc = -1;
	}
	rc = 0;
 out:
	closedir(d);
	return rc;
}

static int
copy_current(struct cache *c, struct cache_stage *s)
{
	char *cur;
	int sfd = -1, dfd = -1, rc = -1;

	if ((cur = cache_current(c, s->relpath)) == NULL)
		return 0;
	sfd = open(cur, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd == -1 || dfd == -1 || link_tree(sfd, dfd, 0) == -1) {
		log_warn_obj(cur, "cannot link the current generation");
		goto out;
	}
	rc = 0;
 out:
	if (sfd != -1)
		close(sfd);
	if (dfd != -1)
		close(dfd);
	free(cur);
	return rc;
}

void
cache_stage_abort(struct cache_stage *s)
{
	if (s == NULL)
		return;
	if (s->root != NULL)
		(void)cache_rmtree(s->root);
	free(s->relpath);
	free(s->root);
	free(s->dir);
	free(s);
}

/* Returns 0 and *out, or -1 (logged). */
int
cache_stage_begin(struct cache *c, const char *relpath, int copy,
    struct cache_stage **out)
{
	struct cache_stage *s;
	char *repodir = NULL;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->relpath = strdup(relpath)) == NULL ||
	    asprintf(&repodir, "%s/%s/%s", c->dir, CACHE_REPOS_DIR,
	    relpath) == -1 ||
	    asprintf(&s->root, "%s/%s", repodir, CACHE_STAGE_NAME) == -1 ||
	    asprintf(&s->dir, "%s/%s", s->root, relpath) == -1) {
		log_error("out of memory");
		goto fail;
	}
	if (strlen(s->dir) > MAX_PATH_LENGTH) {
		log_warnx_obj(s->dir, "path too long");
		goto fail;
	}
	{
		char *base = path_join(c->dir, CACHE_REPOS_DIR);
		int r = base == NULL ? -1 : cache_mkdirs(base, relpath, 1);

		free(base);
		if (r == -1) {
			log_warn_obj(repodir, "cannot create");
			goto fail;
		}
	}
	if (cache_rmtree(s->root) == -1 || mkdir(s->root, CACHE_DIR_MODE) ==
	    -1 || cache_mkdirs(s->root, relpath, 1) == -1) {
		log_warn_obj(s->root, "cannot create stage");
		goto fail;
	}
	if (copy && copy_current(c, s) == -1)
		goto fail;
	free(repodir);
	*out = s;
	return 0;
 fail:
	free(repodir);
	cache_stage_abort(s);
	return -1;
}

static int
sync_dir(const char *path, int whole_fs)
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	rc = whole_fs ? syncfs(fd) : fsync(fd);
	close(fd);
	return rc;
}

/* Point rsync/relpath at gen with a link renamed into place. */
static int
switch_link(struct cache *c, const char *relpath, const char *gen)
{
	char *hostdir = NULL, *tmp = NULL, *link = NULL, *target = NULL;
	const char *module;
	char *host = NULL;
	int rc = -1;

	module = strchr(relpath, '/');
	if (module == NULL || (host = strndup(relpath, module - relpath)) ==
	    NULL)
		goto out;
	module++;
	if (asprintf(&hostdir, "%s/rsync/%s", c->dir, host) == -1 ||
	    asprintf(&tmp, "%s/%s%s", hostdir, CACHE_TMP_PREFIX, module) ==
	    -1 ||
	    asprintf(&link, "%s/%s", hostdir, module) == -1 ||
	    asprintf(&target, "../../%s/%s/%s", CACHE_REPOS_DIR, relpath,
	    gen) == -1)
		goto out;
	if (mkdir(hostdir, CACHE_DIR_MODE) == -1 && errno != EEXIST)
		goto out;
	(void)unlink(tmp);
	if (symlink(target, tmp) == -1 || rename(tmp, link) == -1) {
		(void)unlink(tmp);
		goto out;
	}
	if (c->durable)
		(void)sync_dir(hostdir, 0);
	rc = 0;
 out:
	if (rc == -1)
		log_warn_obj(link != NULL ? link : relpath,
		    "cannot switch repository link");
	free(host);
	free(hostdir);
	free(tmp);
	free(link);
	free(target);
	return rc;
}

/* Returns 0, or -1 with the old generation kept; s is freed. */
int
cache_stage_commit(struct cache *c, struct cache_stage *s)
{
	char cur[CACHE_GEN_NAME_MAX], gen[CACHE_GEN_NAME_MAX];
	char *repodir = NULL, *newdir = NULL, *olddir = NULL;
	uint64_t n = 0;
	int rc = -1;

	if (current_gen(c, s->relpath, cur, sizeof(cur)) == 0)
		n = gen_number(cur);
	else
		cur[0] = '\0';
	snprintf(gen, sizeof(gen), "g%" PRIu64, n + 1);
	if (asprintf(&repodir, "%s/%s/%s", c->dir, CACHE_REPOS_DIR,
	    s->relpath) == -1 ||
	    asprintf(&newdir, "%s/%s", repodir, gen) == -1 ||
	    asprintf(&olddir, "%s/%s", repodir, cur) == -1)
		goto out;
	/* The data must be on disk before any link can name it. */
	if (c->durable && sync_dir(s->dir, 1) == -1) {
		log_warn_obj(s->dir, "cannot sync");
		goto out;
	}
	if (cache_rmtree(newdir) == -1 || rename(s->dir, newdir) == -1) {
		log_warn_obj(newdir, "cannot commit");
		goto out;
	}
	if (c->durable)
		(void)sync_dir(repodir, 0);
	if (switch_link(c, s->relpath, gen) == -1) {
		(void)cache_rmtree(newdir);
		goto out;
	}
	if (cur[0] != '\0')
		(void)cache_rmtree(olddir);
	rc = 0;
 out:
	free(repodir);
	free(newdir);
	free(olddir);
	cache_stage_abort(s);
	return rc;
}
