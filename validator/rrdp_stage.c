/*
 * The RRDP sink writing objects into a cache stage, with cached directory
 * descriptors and, for snapshots, a few writer threads (see rrdp_stage.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/limits.h"
#include "validator/cache.h"
#include "validator/rrdp_stage.h"
#include "validator/uri.h"

/* Mode of the files and directories written. */
#define STAGE_FILE_MODE		0644
#define STAGE_DIR_MODE		0755
/* First size of an object buffer; it doubles up to MAX_FILE_SIZE. */
#define STAGE_BUF_INITIAL	4096
/* Most writer threads whatever the configuration asks. */
#define STAGE_MAX_WRITERS	16
/* Objects a writer takes from the queue at once (fewer lock round trips). */
#define STAGE_BATCH		16

/* An open directory of the stage; freed when the last reference goes. */
struct sdir {
	struct sdir	*next;		/* in the cache, most recent 1st */
	char		*path;		/* relative to the root */
	size_t		 len;
	int		 fd;
	unsigned int	 refs;		/* cache + jobs; under lock */
};

/* One object: its data, and where it goes. */
struct job {
	struct job	*next;
	struct sdir	*dir;
	char		*uri;		/* for messages, in text */
	char		*name;		/* in dir, in text */
	unsigned char	*data;
	size_t		 len, cap;
	char		 text[];
};

/* A module objects went to, and how many. */
struct smod {
	char		*name;		/* AUTHORITY/MODULE */
	size_t		 len;
	uint64_t	 objects;
};

struct rrdp_stage {
	struct rrdp_stage_config cfg;
	int		 rootfd;
	struct sdir	*dirs;		/* the cache; feeding thread */
	size_t		 ndirs;
	struct smod	*mods;
	size_t		 nmods, modsz, lastmod;
	uint64_t	 objects;	/* atomic (writers count too) */

	pthread_mutex_t	 lock;
	pthread_cond_t	 work;		/* jobs queued, or stop */
	pthread_cond_t	 room;		/* queue shrank, writer idle */
	struct job	*head, *tail;
	size_t		 qjobs, qbytes, busy;
	size_t		 idle;		/* writers waiting for work */
	size_t		 waiting;	/* the feeder waits for room */
	int		 stop;
	pthread_t	 threads[STAGE_MAX_WRITERS];
	size_t		 nthreads;

	int		 failed;	/* set under lock, read atomically */
	char		 error[RRDP_STAGE_ERROR_MAX];
};

/* Record the first failure (thread-safe); always returns -1. */
static int __attribute__((format(printf, 2, 3)))
fail(struct rrdp_stage *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->lock);
	if (!s->failed) {
		va_start(ap, fmt);
		vsnprintf(s->error, sizeof(s->error), fmt, ap);
		va_end(ap);
		__atomic_store_n(&s->failed, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&s->lock);
	return -1;
}

/* Checked once per object: an atomic read rather than the lock. */
static int
failed(struct rrdp_stage *s)
{
	return __atomic_load_n(&s->failed, __ATOMIC_ACQUIRE);
}

static void
count_object(struct rrdp_stage *s, uint64_t n)
{
	__atomic_fetch_add(&s->objects, n, __ATOMIC_RELAXED);
}

/* ---- Directories ------------------------------------------------------- */

/* Drop one reference (under s->lock); the last closes the directory. */
static void
sdir_put(struct sdir *d)
{
	if (--d->refs > 0)
		return;
	close(d->fd);
	free(d->path);
	free(d);
}

/* Open (creating) path below the root, component by component, no links. */
static int
open_dir(struct rrdp_stage *s, const char *path)
{
	char comp[MAX_FILENAME_LENGTH + 1];
	const char *p, *end;
	size_t len;
	int fd, nfd;

	if ((fd = dup(s->rootfd)) == -1)
		return -1;
	for (p = path; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if (len == 0 || len >= sizeof(comp)) {
			close(fd);
			errno = EINVAL;
			return -1;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (nfd == -1 && errno == ENOENT &&
		    (mkdirat(fd, comp, STAGE_DIR_MODE) == 0 || errno == EEXIST))
			nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (nfd == -1)
			return -1;
		fd = nfd;
	}
	return fd;
}

/*
 * The directory of the first len bytes of path, from the cache or opened
 * and cached; a new reference for the caller (under no lock), or NULL.
 */
static struct sdir *
get_dir(struct rrdp_stage *s, const char *path, size_t len)
{
	struct sdir *d, **pp, **last = NULL;

	for (pp = &s->dirs; (d = *pp) != NULL; pp = &d->next) {
		if (d->len == len && memcmp(d->path, path, len) == 0) {
			*pp = d->next;		/* to the front */
			goto found;
		}
		last = pp;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->path = strndup(path, len)) == NULL) {
		free(d);
		return NULL;
	}
	d->len = len;
	if ((d->fd = open_dir(s, d->path)) == -1) {
		free(d->path);
		free(d);
		return NULL;
	}
	d->refs = 1;			/* the cache's */
	if (s->ndirs == RRDP_STAGE_DIR_CACHE && last != NULL) {
		struct sdir *old = *last;

		*last = NULL;		/* drop the least recent */
		pthread_mutex_lock(&s->lock);
		sdir_put(old);
		pthread_mutex_unlock(&s->lock);
	} else
		s->ndirs++;
 found:
	d->next = s->dirs;
	s->dirs = d;
	pthread_mutex_lock(&s->lock);
	d->refs++;
	pthread_mutex_unlock(&s->lock);
	return d;
}

/* ---- Modules ----------------------------------------------------------- */

/* Count one object in the module of relpath, admitting new modules. */
static struct smod *
module_of(struct rrdp_stage *s, const char *uri, const char *relpath)
{
	const char *slash = strchr(relpath, '/');
	struct smod *m, *nm;
	char why[RRDP_STAGE_ERROR_MAX / 2];
	size_t len, i;

	if (slash == NULL || (slash = strchr(slash + 1, '/')) == NULL)
		return NULL;
	len = (size_t)(slash - relpath);
	if (s->lastmod < s->nmods) {
		m = &s->mods[s->lastmod];
		if (m->len == len && memcmp(m->name, relpath, len) == 0)
			return m;
	}
	for (i = 0; i < s->nmods; i++)
		if (s->mods[i].len == len &&
		    memcmp(s->mods[i].name, relpath, len) == 0) {
			s->lastmod = i;
			return &s->mods[i];
		}
	if (s->nmods == s->modsz) {
		nm = reallocarray(s->mods, s->modsz * 2 + 4, sizeof(*nm));
		if (nm == NULL)
			return NULL;
		s->mods = nm;
		s->modsz = s->modsz * 2 + 4;
	}
	m = &s->mods[s->nmods];
	memset(m, 0, sizeof(*m));
	if ((m->name = strndup(relpath, len)) == NULL)
		return NULL;
	m->len = len;
	why[0] = '\0';
	if (s->cfg.module_ok != NULL &&
	    !s->cfg.module_ok(s->cfg.arg, m->name, why, sizeof(why))) {
		fail(s, "%s: %s", uri, why[0] != '\0' ? why :
		    "module refused");
		free(m->name);
		return NULL;
	}
	s->lastmod = s->nmods++;
	return m;
}

/*
 * Where the object uri goes: *relpath (malloc'd), its module, and the
 * offset of the file name in *relpath.  0, or -1 (failure recorded).
 */
static int
locate(struct rrdp_stage *s, const char *uri, char **relpath,
    struct smod **mod, size_t *nameoff)
{
	struct uri u;
	char *slash;

	*relpath = NULL;
	if (uri_parse(uri, URI_ALLOW_DUBIOUS, &u) != URI_OK ||
	    u.scheme != URI_SCHEME_RSYNC || u.dir ||
	    u.nsegments > CACHE_MAX_DEPTH ||
	    uri_cache_path_parsed(&u, relpath) != URI_OK)
		return fail(s, "%s: unusable object URI", uri);
	if ((slash = strrchr(*relpath, '/')) == NULL)
		return fail(s, "%s: unusable object URI", uri);
	*nameoff = (size_t)(slash - *relpath) + 1;
	if ((*mod = module_of(s, uri, *relpath)) == NULL) {
		free(*relpath);
		*relpath = NULL;
		return failed(s) ? -1 : fail(s, "%s: out of memory", uri);
	}
	return 0;
}

/* ---- Writing ----------------------------------------------------------- */

/* Create and fill one file; 0 or -1 (failure recorded). */
static int
write_job(struct rrdp_stage *s, const struct job *j)
{
	const unsigned char *p = j->data;
	size_t left = j->len;
	ssize_t n;
	int fd;

	fd = openat(j->dir->fd, j->name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, STAGE_FILE_MODE);
	if (fd == -1 && errno == EEXIST && s->cfg.snapshot)
		/* RFC 8182 section 3.5.2: one publish per object. */
		return fail(s, "%s: published twice in the snapshot", j->uri);
	if (fd == -1)
		return fail(s, "%s: cannot create: %s", j->uri,
		    strerror(errno));
	while (left > 0) {
		n = write(fd, p, left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fail(s, "%s: write: %s", j->uri, strerror(errno));
			close(fd);
			(void)unlinkat(j->dir->fd, j->name, 0);
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd) == -1) {
		(void)unlinkat(j->dir->fd, j->name, 0);
		return fail(s, "%s: close: %s", j->uri, strerror(errno));
	}
	return 0;
}

/* Release j (its directory reference taken under s->lock). */
static void
job_free(struct rrdp_stage *s, struct job *j)
{
	if (j == NULL)
		return;
	if (j->dir != NULL) {
		pthread_mutex_lock(&s->lock);
		sdir_put(j->dir);
		pthread_mutex_unlock(&s->lock);
	}
	free(j->data);
	free(j);
}

/* Write a batch taken off the queue; returns the objects written. */
static uint64_t
write_batch(struct rrdp_stage *s, struct job *batch)
{
	struct job *j;
	uint64_t n = 0;

	/* After a failure the stage is thrown away: skip the work. */
	for (j = batch; j != NULL && !failed(s); j = j->next)
		if (write_job(s, j) == 0)
			n++;
	return n;
}

/*
 * A writer thread: takes up to STAGE_BATCH objects at a time, so the
 * lock and the wake-ups cost little per object.
 */
static void *
writer(void *arg)
{
	struct rrdp_stage *s = arg;
	struct job *batch, *j, **tail;
	uint64_t n;
	size_t k;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->stop && s->head == NULL) {
			s->idle++;
			pthread_cond_wait(&s->work, &s->lock);
			s->idle--;
		}
		if (s->head == NULL)
			break;
		batch = s->head;
		for (tail = &batch, k = 0; *tail != NULL && k < STAGE_BATCH;
		    tail = &(*tail)->next, k++) {
			s->qjobs--;
			s->qbytes -= (*tail)->len;
		}
		s->head = *tail;
		*tail = NULL;
		if (s->head == NULL)
			s->tail = NULL;
		s->busy++;
		if (s->waiting > 0)
			pthread_cond_signal(&s->room);
		pthread_mutex_unlock(&s->lock);
		n = write_batch(s, batch);
		count_object(s, n);
		pthread_mutex_lock(&s->lock);
		s->busy--;
		for (j = batch; j != NULL; j = j->next) {
			sdir_put(j->dir);
			j->dir = NULL;
		}
		if (s->waiting > 0)
			pthread_cond_broadcast(&s->room);
		pthread_mutex_unlock(&s->lock);
		while ((j = batch) != NULL) {
			batch = j->next;
			job_free(s, j);
		}
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Start the writer threads on first use; 0, or -1 to write in order. */
static int
start_writers(struct rrdp_stage *s)
{
	size_t want = s->cfg.writers > STAGE_MAX_WRITERS ? STAGE_MAX_WRITERS :
	    s->cfg.writers;

	while (s->nthreads < want) {
		if (pthread_create(&s->threads[s->nthreads], NULL, writer, s) !=
		    0)
			break;
		s->nthreads++;
	}
	return s->nthreads > 0 ? 0 : -1;
}

/*
 * Hand j to the writers, waiting for room in the queue.  An idle writer
 * is woken when work appears and again for every further batch.
 */
static void
enqueue(struct rrdp_stage *s, struct job *j)
{
	pthread_mutex_lock(&s->lock);
	while (s->head != NULL && (s->qjobs >= RRDP_STAGE_QUEUE_JOBS ||
	    s->qbytes + j->len > RRDP_STAGE_QUEUE_BYTES)) {
		s->waiting++;
		pthread_cond_wait(&s->room, &s->lock);
		s->waiting--;
	}
	j->next = NULL;
	if (s->tail != NULL)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	s->qjobs++;
	s->qbytes += j->len;
	if (s->idle > 0 && (s->qjobs == 1 || s->qjobs % STAGE_BATCH == 0))
		pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->lock);
}

/* ---- Delta checks ------------------------------------------------------ */

/* The file name in d must have the SHA-256 want; 0 or -1 (recorded). */
static int
check_hash(struct rrdp_stage *s, const char *uri, struct sdir *d,
    const char *name, const unsigned char *want, const char *what)
{
	unsigned char got[HASH_SHA256_LEN];
	int fd, rc;

	fd = openat(d->fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return fail(s, "%s: %s of an object not in the cache", uri,
		    what);
	rc = hash_sha256_fd(fd, MAX_FILE_SIZE, got, NULL);
	close(fd);
	if (rc == -1)
		return fail(s, "%s: %s of an unreadable object", uri, what);
	if (!hash_equal(got, want, HASH_SHA256_LEN))
		return fail(s, "%s: %s hash does not match the cached object",
		    uri, what);
	return 0;
}

/*
 * A delta publish: with a hash, the file it replaces must match and goes
 * (never written in place: it may be shared with the last generation);
 * without, there must be no file.  0 or -1 (recorded).
 */
static int
delta_publish(struct rrdp_stage *s, const char *uri, struct sdir *d,
    const char *name, const unsigned char *hash)
{
	struct stat sb;

	if (hash == NULL) {
		if (fstatat(d->fd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
			return fail(s, "%s: publish without hash of an object "
			    "already cached", uri);
		return 0;
	}
	if (check_hash(s, uri, d, name, hash, "publish") == -1)
		return -1;
	if (unlinkat(d->fd, name, 0) == -1)
		return fail(s, "%s: cannot replace: %s", uri, strerror(errno));
	return 0;
}

/* ---- Sink callbacks ---------------------------------------------------- */

static void *
sink_publish_begin(void *arg, const char *uri, const unsigned char *hash)
{
	struct rrdp_stage *s = arg;
	struct job *j = NULL;
	struct smod *m;
	char *rel = NULL;
	size_t off, ul, nl;

	if (failed(s) || locate(s, uri, &rel, &m, &off) == -1)
		goto fail;
	ul = strlen(uri) + 1;
	nl = strlen(rel + off) + 1;
	if ((j = calloc(1, sizeof(*j) + ul + nl)) == NULL) {
		fail(s, "%s: out of memory", uri);
		goto fail;
	}
	j->uri = j->text;
	j->name = j->text + ul;
	memcpy(j->uri, uri, ul);
	memcpy(j->name, rel + off, nl);
	if ((j->dir = get_dir(s, rel, off - 1)) == NULL) {
		fail(s, "%s: cannot create directories: %s", uri,
		    strerror(errno));
		goto fail;
	}
	if (!s->cfg.snapshot &&
	    delta_publish(s, uri, j->dir, j->name, hash) == -1)
		goto fail;
	m->objects++;
	free(rel);
	return j;
 fail:
	job_free(s, j);
	free(rel);
	return NULL;
}

static int
sink_publish_write(void *arg, void *handle, const unsigned char *buf,
    size_t len)
{
	struct rrdp_stage *s = arg;
	struct job *j = handle;
	unsigned char *nb;
	size_t ncap;

	if (j->len + len > MAX_FILE_SIZE)
		return fail(s, "%s: object larger than %d bytes", j->uri,
		    MAX_FILE_SIZE);
	if (j->len + len > j->cap) {
		ncap = j->cap == 0 ? STAGE_BUF_INITIAL : j->cap;
		while (ncap < j->len + len)
			ncap *= 2;
		if (ncap > MAX_FILE_SIZE)
			ncap = MAX_FILE_SIZE;
		if ((nb = realloc(j->data, ncap)) == NULL)
			return fail(s, "%s: out of memory", j->uri);
		j->data = nb;
		j->cap = ncap;
	}
	memcpy(j->data + j->len, buf, len);
	j->len += len;
	return 0;
}

static int
sink_publish_end(void *arg, void *handle, int ok)
{
	struct rrdp_stage *s = arg;
	struct job *j = handle;
	int rc;

	if (!ok || failed(s)) {
		job_free(s, j);
		return ok ? -1 : 0;
	}
	if (s->cfg.snapshot && start_writers(s) == 0) {
		enqueue(s, j);
		return 0;
	}
	rc = write_job(s, j);
	if (rc == 0)
		count_object(s, 1);
	job_free(s, j);
	return rc;
}

static int
sink_withdraw(void *arg, const char *uri, const unsigned char *hash)
{
	struct rrdp_stage *s = arg;
	struct sdir *d;
	struct smod *m;
	char *rel = NULL;
	size_t off;
	int rc = -1;

	if (s->cfg.snapshot)
		return fail(s, "%s: withdraw in a snapshot", uri);
	if (failed(s) || locate(s, uri, &rel, &m, &off) == -1)
		goto out;
	if ((d = get_dir(s, rel, off - 1)) == NULL) {
		fail(s, "%s: withdraw of an object not in the cache", uri);
		goto out;
	}
	if (check_hash(s, uri, d, rel + off, hash, "withdraw") == 0) {
		if (unlinkat(d->fd, rel + off, 0) == -1)
			fail(s, "%s: cannot withdraw: %s", uri,
			    strerror(errno));
		else
			rc = 0;
	}
	pthread_mutex_lock(&s->lock);
	sdir_put(d);
	pthread_mutex_unlock(&s->lock);
	if (rc == 0) {
		count_object(s, 1);
		m->objects++;
	}
 out:
	free(rel);
	return rc;
}

/* ---- Interface --------------------------------------------------------- */

struct rrdp_stage *
rrdp_stage_new(const struct rrdp_stage_config *cfg)
{
	struct rrdp_stage *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cfg = *cfg;
	s->cfg.root = NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->room, NULL);
	s->rootfd = open(cfg->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd == -1) {
		rrdp_stage_free(s);
		return NULL;
	}
	return s;
}

void
rrdp_stage_sink(struct rrdp_stage *s, struct rrdp_sink *out)
{
	memset(out, 0, sizeof(*out));
	out->arg = s;
	out->publish_begin = sink_publish_begin;
	out->publish_write = sink_publish_write;
	out->publish_end = sink_publish_end;
	out->withdraw = sink_withdraw;
}

int
rrdp_stage_flush(struct rrdp_stage *s)
{
	int rc;

	pthread_mutex_lock(&s->lock);
	while (s->head != NULL || s->busy > 0) {
		s->waiting++;
		pthread_cond_wait(&s->room, &s->lock);
		s->waiting--;
	}
	rc = s->failed ? -1 : 0;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

const char *
rrdp_stage_error(const struct rrdp_stage *s)
{
	return s->error;
}

uint64_t
rrdp_stage_objects(const struct rrdp_stage *s)
{
	return __atomic_load_n(&s->objects, __ATOMIC_RELAXED);
}

const char *
rrdp_stage_module(const struct rrdp_stage *s, size_t i, uint64_t *objects)
{
	if (i >= s->nmods)
		return NULL;
	if (objects != NULL)
		*objects = s->mods[i].objects;
	return s->mods[i].name;
}

void
rrdp_stage_free(struct rrdp_stage *s)
{
	struct job *j;
	struct sdir *d;
	size_t i;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	/* Queued work is dropped: the stage is done with either way. */
	__atomic_store_n(&s->failed, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	while ((j = s->head) != NULL) {
		s->head = j->next;
		job_free(s, j);
	}
	while ((d = s->dirs) != NULL) {
		s->dirs = d->next;
		sdir_put(d);
	}
	for (i = 0; i < s->nmods; i++)
		free(s->mods[i].name);
	free(s->mods);
	if (s->rootfd != -1)
		close(s->rootfd);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->room);
	free(s);
}
