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

#include "common/hash.h"
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
	    subdir(c, CACHE_REPOS_DIR) == -1 || subdir(c, CACHE_RRDP_DIR) == -1)
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

/* What a module link names. */
struct ltarget {
	int	rrdp;			/* .rrdp/KEY/gN/REL, or .repos/REL/gN */
	char	key[CACHE_KEY_LEN + 1];		/* rrdp only */
	char	gen[CACHE_GEN_NAME_MAX];	/* "gN" */
};

/* Copy a "gN" name of at most max bytes from s (up to end) into gen. */
static int
take_gen(const char *s, size_t len, char *gen)
{
	if (len == 0 || len >= CACHE_GEN_NAME_MAX)
		return -1;
	memcpy(gen, s, len);
	gen[len] = '\0';
	return gen_number(gen) == 0 ? -1 : 0;
}

/* Is s CACHE_KEY_LEN lowercase hex digits? */
static int
key_ok(const char *s, size_t len)
{
	size_t i;

	if (len != CACHE_KEY_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * Parse a module link target: "../../.repos/REL/gN" or
 * "../../.rrdp/KEY/gN/REL".  0, or -1 when it is neither.
 */
static int
parse_target(const char *target, const char *relpath, struct ltarget *t)
{
	const char *p, *slash;
	size_t rl = strlen(relpath);

	memset(t, 0, sizeof(*t));
	if (strncmp(target, "../../" CACHE_REPOS_DIR "/", 6 +
	    strlen(CACHE_REPOS_DIR) + 1) == 0) {
		p = target + 6 + strlen(CACHE_REPOS_DIR) + 1;
		if (strncmp(p, relpath, rl) != 0 || p[rl] != '/')
			return -1;
		p += rl + 1;
		return take_gen(p, strlen(p), t->gen);
	}
	if (strncmp(target, "../../" CACHE_RRDP_DIR "/", 6 +
	    strlen(CACHE_RRDP_DIR) + 1) != 0)
		return -1;
	p = target + 6 + strlen(CACHE_RRDP_DIR) + 1;
	if ((slash = strchr(p, '/')) == NULL || !key_ok(p, slash - p))
		return -1;
	memcpy(t->key, p, CACHE_KEY_LEN);
	t->key[CACHE_KEY_LEN] = '\0';
	p = slash + 1;
	if ((slash = strchr(p, '/')) == NULL ||
	    take_gen(p, slash - p, t->gen) == -1 ||
	    strcmp(slash + 1, relpath) != 0)
		return -1;
	t->rrdp = 1;
	return 0;
}

/* What the link of relpath names; 0, or -1 when there is no valid link. */
static int
read_link(const struct cache *c, const char *relpath, struct ltarget *t)
{
	char target[MAX_PATH_LENGTH + 1];
	char *link;
	ssize_t n;

	if (asprintf(&link, "%s/rsync/%s", c->dir, relpath) == -1)
		return -1;
	n = readlink(link, target, sizeof(target) - 1);
	free(link);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	return parse_target(target, relpath, t);
}

/*
 * The generation name ("gN") the link of relpath points to when that is
 * a module generation, into buf; 0, or -1 when there is none.
 */
static int
current_gen(const struct cache *c, const char *relpath, char *buf,
    size_t bufsz)
{
	struct ltarget t;

	if (read_link(c, relpath, &t) == -1 || t.rrdp ||
	    strlen(t.gen) >= bufsz)
		return -1;
	strcpy(buf, t.gen);
	return 0;
}

/* The "gN" the current link of RRDP repository key names; 0 or -1. */
static int
rrdp_gen(const struct cache *c, const char *key, char gen[CACHE_GEN_NAME_MAX])
{
	char target[CACHE_GEN_NAME_MAX + 1];
	char *link;
	ssize_t n;

	if (asprintf(&link, "%s/%s/%s/%s", c->dir, CACHE_RRDP_DIR, key,
	    CACHE_CURRENT_NAME) == -1)
		return -1;
	n = readlink(link, target, sizeof(target) - 1);
	free(link);
	if (n <= 0)
		return -1;
	return take_gen(target, (size_t)n, gen);
}

char *
cache_current(const struct cache *c, const char *relpath)
{
	struct ltarget t;
	char *p;
	struct stat sb;
	int n;

	if (read_link(c, relpath, &t) == -1)
		return NULL;
	if (t.rrdp)
		n = asprintf(&p, "%s/%s/%s/%s/%s", c->dir, CACHE_RRDP_DIR,
		    t.key, t.gen, relpath);
	else
		n = asprintf(&p, "%s/%s/%s/%s", c->dir, CACHE_REPOS_DIR,
		    relpath, t.gen);
	if (n == -1)
		return NULL;
	if (lstat(p, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		free(p);
		return NULL;
	}
	return p;
}

int
cache_current_rrdp(const struct cache *c, const char *relpath)
{
	struct ltarget t;

	return read_link(c, relpath, &t) == 0 && t.rrdp;
}

/* Remove every entry of dir except keep and keep2 (may be NULL). */
static int
prune_dir2(const char *dir, const char *keep, const char *keep2,
    int *removed)
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
		if (keep2 != NULL && strcmp(de->d_name, keep2) == 0)
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

/* Remove every entry of dir except keep (may be NULL); count removals. */
static int
prune_dir(const char *dir, const char *keep, int *removed)
{
	return prune_dir2(dir, keep, NULL, removed);
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

static int	set_link(struct cache *, const char *, const char *);
static int	rrdp_module_target(const struct cache *, const char *,
		    const char *, char **);
static int	detach_module(struct cache *, const char *, const char *);

/*
 * A module link into an RRDP repository's tree must name its current
 * generation (a crash during cache_rrdp_commit() can leave it on the
 * previous one): move it there, or remove it when the current generation
 * has nothing for the module.
 */
static int
recover_rrdp_link(struct recover_ctx *rc, const char *relpath,
    const char *path)
{
	struct ltarget t;
	struct stat sb;
	char gen[CACHE_GEN_NAME_MAX], *target = NULL, *src = NULL;
	int ret = 0;

	if (read_link(rc->c, relpath, &t) == -1 || !t.rrdp)
		return 0;
	if (rrdp_gen(rc->c, t.key, gen) == 0 && strcmp(gen, t.gen) == 0)
		return 0;
	if (asprintf(&src, "%s/%s/%s/%s/%s", rc->c->dir, CACHE_RRDP_DIR,
	    t.key, t.gen, relpath) == -1)
		src = NULL;
	if (rrdp_module_target(rc->c, t.key, relpath, &target) == 1)
		ret = set_link(rc->c, relpath, target);
	else if (src != NULL && lstat(src, &sb) == 0 && S_ISDIR(sb.st_mode))
		/* As cache_rrdp_commit() would have: keep the old copy. */
		ret = detach_module(rc->c, relpath, src);
	else
		ret = unlink(path) == -1 && errno != ENOENT ? -1 : 0;
	if (ret == 0)
		rc->removed++;
	free(target);
	free(src);
	return ret;
}

/*
 * In rsync/HOST: temporary links and anything not a link go; links into
 * an RRDP repository are brought to its current generation.
 */
static int
recover_link(void *arg, const char *name)
{
	struct recover_ctx *rc = arg;
	struct stat sb;
	char *p, *rel = NULL;
	int ret = 0;

	if (asprintf(&p, "%s/rsync/%s/%s", rc->c->dir, rc->host, name) == -1)
		return -1;
	if (lstat(p, &sb) == 0 && (!S_ISLNK(sb.st_mode) ||
	    strncmp(name, CACHE_TMP_PREFIX, strlen(CACHE_TMP_PREFIX)) == 0)) {
		ret = cache_rmtree(p);
		if (ret == 0)
			rc->removed++;
	} else if (asprintf(&rel, "%s/%s", rc->host, name) != -1)
		ret = recover_rrdp_link(rc, rel, p);
	free(rel);
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

/* In .rrdp/KEY: keep "current" and what it names; nothing without it. */
static int
recover_rrdp(void *arg, const char *key)
{
	struct recover_ctx *rc = arg;
	char gen[CACHE_GEN_NAME_MAX], *dir;
	int ret;

	if (asprintf(&dir, "%s/%s/%s", rc->c->dir, CACHE_RRDP_DIR, key) == -1)
		return -1;
	if (key_ok(key, strlen(key)) && rrdp_gen(rc->c, key, gen) == 0)
		ret = prune_dir2(dir, CACHE_CURRENT_NAME, gen, &rc->removed);
	else {
		ret = cache_rmtree(dir);
		if (ret == 0)
			rc->removed++;
	}
	free(dir);
	return ret;
}

/* Returns the number of entries removed, or -1 (logged). */
int
cache_recover(struct cache *c)
{
	struct recover_ctx rc = { c, NULL, 0 };
	char *repos = NULL, *links = NULL, *rrdp = NULL;
	int ret = -1;

	if ((repos = path_join(c->dir, CACHE_REPOS_DIR)) == NULL ||
	    (links = path_join(c->dir, "rsync")) == NULL ||
	    (rrdp = path_join(c->dir, CACHE_RRDP_DIR)) == NULL)
		goto out;
	/* Links first: they are fixed against what the trees hold now. */
	if (each_subdir(c->dir, recover_top, &rc) == -1 ||
	    each_subdir(links, recover_link_host, &rc) == -1 ||
	    each_subdir(repos, recover_host, &rc) == -1 ||
	    each_subdir(rrdp, recover_rrdp, &rc) == -1) {
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
	free(rrdp);
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
	free(s->key);
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

/* Point rsync/relpath at target with a link renamed into place. */
static int
set_link(struct cache *c, const char *relpath, const char *target)
{
	char *hostdir = NULL, *tmp = NULL, *link = NULL;
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
	    asprintf(&link, "%s/%s", hostdir, module) == -1)
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
	return rc;
}

/* Point rsync/relpath at its module generation gen. */
static int
switch_link(struct cache *c, const char *relpath, const char *gen)
{
	char *target;
	int rc;

	if (asprintf(&target, "../../%s/%s/%s", CACHE_REPOS_DIR, relpath,
	    gen) == -1)
		return -1;
	rc = set_link(c, relpath, target);
	free(target);
	return rc;
}

/*
 * Make the stage dir generation newdir of repodir: synced first (the data
 * must be on disk before any link can name it), renamed, the parent
 * synced.  Shared by module and RRDP commits.  0 or -1 (logged).
 */
static int
install_gen(const struct cache *c, const char *dir, const char *repodir,
    const char *newdir)
{
	if (c->durable && sync_dir(dir, 1) == -1) {
		log_warn_obj(dir, "cannot sync");
		return -1;
	}
	if (cache_rmtree(newdir) == -1 || rename(dir, newdir) == -1) {
		log_warn_obj(newdir, "cannot commit");
		return -1;
	}
	if (c->durable)
		(void)sync_dir(repodir, 0);
	return 0;
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
	if (install_gen(c, s->dir, repodir, newdir) == -1)
		goto out;
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

/* ---- RRDP repositories ------------------------------------------------- */

int
cache_rrdp_key(const char *notify_uri, char out[CACHE_KEY_LEN + 1])
{
	unsigned char md[HASH_SHA256_LEN];

	if (hash_sha256(notify_uri, strlen(notify_uri), md) == -1)
		return -1;
	hash_hex_encode(md, sizeof(md), out);
	return 0;
}

char *
cache_rrdp_current(const struct cache *c, const char *key)
{
	char gen[CACHE_GEN_NAME_MAX], *p;
	struct stat sb;

	if (rrdp_gen(c, key, gen) == -1 ||
	    asprintf(&p, "%s/%s/%s/%s", c->dir, CACHE_RRDP_DIR, key, gen) ==
	    -1)
		return NULL;
	if (lstat(p, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		free(p);
		return NULL;
	}
	return p;
}

/*
 * The link target of module relpath inside the current generation of
 * RRDP repository key into *target (malloc'd).  Returns 1 when that
 * generation has a directory for the module, 0 when not, -1 on error.
 */
static int
rrdp_module_target(const struct cache *c, const char *key,
    const char *relpath, char **target)
{
	char gen[CACHE_GEN_NAME_MAX], *dir;
	struct stat sb;
	int have;

	*target = NULL;
	if (rrdp_gen(c, key, gen) == -1)
		return 0;
	if (asprintf(&dir, "%s/%s/%s/%s/%s", c->dir, CACHE_RRDP_DIR, key, gen,
	    relpath) == -1)
		return -1;
	have = lstat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
	free(dir);
	if (!have)
		return 0;
	if (asprintf(target, "../../%s/%s/%s/%s", CACHE_RRDP_DIR, key, gen,
	    relpath) == -1) {
		*target = NULL;
		return -1;
	}
	return 1;
}

/* Returns 0 and *out, or -1 (logged). */
int
cache_rrdp_stage_begin(struct cache *c, const char *key, int copy,
    struct cache_stage **out)
{
	struct cache_stage *s;
	char *repodir = NULL, *cur = NULL;
	int sfd = -1, dfd = -1;

	*out = NULL;
	if (!key_ok(key, strlen(key))) {
		log_warnx_obj(key, "bad RRDP repository key");
		return -1;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->key = strdup(key)) == NULL ||
	    asprintf(&repodir, "%s/%s/%s", c->dir, CACHE_RRDP_DIR, key) ==
	    -1 ||
	    asprintf(&s->root, "%s/%s", repodir, CACHE_STAGE_NAME) == -1 ||
	    (s->dir = strdup(s->root)) == NULL) {
		log_error("out of memory");
		goto fail;
	}
	if ((mkdir(repodir, CACHE_DIR_MODE) == -1 && errno != EEXIST) ||
	    cache_rmtree(s->root) == -1 ||
	    mkdir(s->root, CACHE_DIR_MODE) == -1) {
		log_warn_obj(s->root, "cannot create stage");
		goto fail;
	}
	if (copy && (cur = cache_rrdp_current(c, key)) != NULL) {
		sfd = open(cur, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (sfd == -1 || dfd == -1 || link_tree(sfd, dfd, 0) == -1) {
			log_warn_obj(cur, "cannot link the current generation");
			goto fail;
		}
	}
	if (sfd != -1)
		close(sfd);
	if (dfd != -1)
		close(dfd);
	free(cur);
	free(repodir);
	*out = s;
	return 0;
 fail:
	if (sfd != -1)
		close(sfd);
	if (dfd != -1)
		close(dfd);
	free(cur);
	free(repodir);
	cache_stage_abort(s);
	return -1;
}

struct move_ctx {
	struct cache	*c;
	const char	*key;
	int		 failed;
};

/*
 * Give module relpath a module generation of its own made of hard links
 * to the files of src, and point its link there; 0 or -1 (logged).
 */
static int
detach_module(struct cache *c, const char *relpath, const char *src)
{
	struct cache_stage *st;
	int sfd = -1, dfd = -1, rc;

	if (cache_stage_begin(c, relpath, 0, &st) == -1)
		return -1;
	sfd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	dfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	rc = sfd == -1 || dfd == -1 || link_tree(sfd, dfd, 0) == -1 ? -1 : 0;
	if (sfd != -1)
		close(sfd);
	if (dfd != -1)
		close(dfd);
	if (rc == -1) {
		log_warn_obj(src, "cannot keep the module's previous copy");
		cache_stage_abort(st);
		return -1;
	}
	return cache_stage_commit(c, st);
}

/*
 * A module link into the repository's previous generation follows it to
 * the new one.  When the new one has nothing for the module, the module
 * keeps its previous copy, as a module generation of its own: a source
 * that fails or stops serving a module never takes away what the cache
 * had (the module's fetch falls back to rsync, or stays stale).
 */
static int
move_link(void *arg, const char *relpath)
{
	struct move_ctx *m = arg;
	struct ltarget t;
	char *target = NULL, *src;
	int have;

	if (read_link(m->c, relpath, &t) == -1 || !t.rrdp ||
	    strcmp(t.key, m->key) != 0)
		return 0;
	have = rrdp_module_target(m->c, m->key, relpath, &target);
	if (have == 1) {
		if (set_link(m->c, relpath, target) == -1)
			m->failed = 1;
	} else if (have == 0) {
		if (asprintf(&src, "%s/%s/%s/%s/%s", m->c->dir, CACHE_RRDP_DIR,
		    m->key, t.gen, relpath) == -1)
			src = NULL;
		if (src == NULL || detach_module(m->c, relpath, src) == -1)
			m->failed = 1;
		else
			log_info_obj(relpath, "no longer in its RRDP "
			    "repository; previous copy kept");
		free(src);
	} else
		m->failed = 1;
	free(target);
	return 0;
}

/* Point KEY/current at gen with a link renamed into place. */
static int
switch_current(struct cache *c, const char *repodir, const char *gen)
{
	char *tmp = NULL, *link = NULL;
	int rc = -1;

	if (asprintf(&tmp, "%s/%s%s", repodir, CACHE_TMP_PREFIX,
	    CACHE_CURRENT_NAME) == -1 ||
	    asprintf(&link, "%s/%s", repodir, CACHE_CURRENT_NAME) == -1)
		goto out;
	(void)unlink(tmp);
	if (symlink(gen, tmp) == -1 || rename(tmp, link) == -1) {
		(void)unlink(tmp);
		goto out;
	}
	if (c->durable)
		(void)sync_dir(repodir, 0);
	rc = 0;
 out:
	free(tmp);
	free(link);
	return rc;
}

/* Returns 0, or -1 with the old generation kept; s is freed. */
int
cache_rrdp_commit(struct cache *c, struct cache_stage *s)
{
	char cur[CACHE_GEN_NAME_MAX], gen[CACHE_GEN_NAME_MAX];
	char *repodir = NULL, *newdir = NULL, *olddir = NULL;
	struct move_ctx m = { c, s->key, 0 };
	uint64_t n = 0;
	int rc = -1;

	if (rrdp_gen(c, s->key, cur) == 0)
		n = gen_number(cur);
	else
		cur[0] = '\0';
	snprintf(gen, sizeof(gen), "g%" PRIu64, n + 1);
	if (asprintf(&repodir, "%s/%s/%s", c->dir, CACHE_RRDP_DIR,
	    s->key) == -1 ||
	    asprintf(&newdir, "%s/%s", repodir, gen) == -1 ||
	    asprintf(&olddir, "%s/%s", repodir, cur) == -1)
		goto out;
	if (install_gen(c, s->dir, repodir, newdir) == -1)
		goto out;
	/* The commit point: from here the new state is the repository's. */
	if (switch_current(c, repodir, gen) == -1) {
		log_warn_obj(repodir, "cannot switch the current generation");
		(void)cache_rmtree(newdir);
		goto out;
	}
	rc = 0;
	if (cur[0] == '\0')
		goto out;
	(void)cache_each_module(olddir, move_link, &m);
	/* A link left behind still needs it; recovery finishes the job. */
	if (!m.failed)
		(void)cache_rmtree(olddir);
 out:
	free(repodir);
	free(newdir);
	free(olddir);
	cache_stage_abort(s);
	return rc;
}

/* Returns 0, 1 when the repository has nothing for the module, or -1. */
int
cache_rrdp_attach(struct cache *c, const char *key, const char *relpath)
{
	struct ltarget old;
	char gen[CACHE_GEN_NAME_MAX], *target = NULL, *olddir;
	int have, had;

	have = rrdp_module_target(c, key, relpath, &target);
	if (have != 1)
		return have == 0 ? 1 : -1;
	had = read_link(c, relpath, &old) == 0;
	if (had && old.rrdp && strcmp(old.key, key) == 0 &&
	    rrdp_gen(c, key, gen) == 0 && strcmp(gen, old.gen) == 0) {
		free(target);
		return 0;
	}
	if (set_link(c, relpath, target) == -1) {
		free(target);
		return -1;
	}
	free(target);
	/* The module generation it replaces is of no further use. */
	if (had && !old.rrdp && asprintf(&olddir, "%s/%s/%s/%s", c->dir,
	    CACHE_REPOS_DIR, relpath, old.gen) != -1) {
		(void)cache_rmtree(olddir);
		free(olddir);
	}
	return 0;
}

/* Returns 0, or -1 when dir cannot be read or fn failed. */
int
cache_each_module(const char *dir, int (*fn)(void *, const char *),
    void *arg)
{
	DIR *d, *md;
	struct dirent *de, *me;
	char *hostdir, *rel;
	int rc = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if ((hostdir = path_join(dir, de->d_name)) == NULL) {
			rc = -1;
			continue;
		}
		if ((md = opendir(hostdir)) == NULL) {
			free(hostdir);
			continue;
		}
		while ((me = readdir(md)) != NULL) {
			if (me->d_name[0] == '.' ||
			    (me->d_type != DT_DIR && me->d_type != DT_UNKNOWN))
				continue;
			if (asprintf(&rel, "%s/%s", de->d_name,
			    me->d_name) == -1) {
				rc = -1;
				continue;
			}
			if (fn(arg, rel) == -1)
				rc = -1;
			free(rel);
		}
		closedir(md);
		free(hostdir);
	}
	closedir(d);
	return rc;
}
