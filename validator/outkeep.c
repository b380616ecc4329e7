/*
 * Unchanged output files kept from the run in use; see outkeep.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fdread.h"
#include "common/log.h"
#include "validator/outkeep.h"

/* Longest OUTKEEP_FILE read: every line at its longest. */
#define OUTKEEP_FILE_MAX	(OUTKEEP_MAX_FILES * \
				    (OUTKEEP_NAME_MAX + 2 * HASH_SHA256_LEN + 45))

struct keep_line {
	char		 name[OUTKEEP_NAME_MAX + 1];
	unsigned char	 md[HASH_SHA256_LEN];
	uint64_t	 size;
	uint64_t	 body;	/* 0: md is the whole file's, else its body's */
};

struct keep_list {
	struct keep_line line[OUTKEEP_MAX_FILES];
	size_t		 n;
};

struct outkeep {
	struct keep_list old;	/* the run in use's */
	struct keep_list now;	/* this run's, under lock */
	pthread_mutex_t	 lock;
};

/* Output names: letters, digits, '.', '_' and '-', not starting with '.'. */
static int
name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > OUTKEEP_NAME_MAX || s[0] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/*
 * A decimal number without leading zeros from *p up to end or a space;
 * *p moves past it.  0, or -1 when malformed.
 */
static int
parse_number(const char **p, const char *end, uint64_t *v)
{
	const char *q = *p;

	if (q == end || *q == ' ' || (q[0] == '0' && q + 1 != end &&
	    q[1] != ' '))
		return -1;
	for (*v = 0; q < end && *q != ' '; q++) {
		if (*q < '0' || *q > '9' || *v > (UINT64_MAX - 9) / 10)
			return -1;
		*v = *v * 10 + (uint64_t)(*q - '0');
	}
	*p = q;
	return 0;
}

/* "NAME DIGEST SIZE [BODY]" (no LF) into l.  0, or -1 when malformed. */
static int
parse_line(const char *s, size_t len, struct keep_line *l)
{
	const char *sp = memchr(s, ' ', len), *p, *end = s + len;
	char hex[2 * HASH_SHA256_LEN + 1];
	size_t nlen;

	if (sp == NULL || !name_ok(s, nlen = (size_t)(sp - s)))
		return -1;
	memcpy(l->name, s, nlen);
	l->name[nlen] = '\0';
	p = sp + 1;
	if ((size_t)(end - p) < 2 * HASH_SHA256_LEN + 2)
		return -1;
	memcpy(hex, p, 2 * HASH_SHA256_LEN);
	hex[2 * HASH_SHA256_LEN] = '\0';
	if (hash_hex_decode(hex, l->md, HASH_SHA256_LEN) == -1)
		return -1;
	p += 2 * HASH_SHA256_LEN;
	if (*p++ != ' ' || parse_number(&p, end, &l->size) == -1)
		return -1;
	l->body = 0;
	if (p == end)
		return 0;
	p++;
	if (parse_number(&p, end, &l->body) == -1 || p != end ||
	    l->body == 0 || l->body > l->size)
		return -1;
	return 0;
}

/* Lines of buf (len bytes, each ended by LF) into list.  0 or -1. */
static int
parse_file(const char *buf, size_t len, struct keep_list *list)
{
	const char *p = buf, *lf;

	list->n = 0;
	while (p < buf + len) {
		if ((lf = memchr(p, '\n', (size_t)(buf + len - p))) == NULL ||
		    list->n == OUTKEEP_MAX_FILES ||
		    parse_line(p, (size_t)(lf - p), &list->line[list->n]) ==
		    -1)
			return -1;
		list->n++;
		p = lf + 1;
	}
	return 0;
}

/* The run in use's lines into list (none when unusable). */
static void
read_old(struct outdir_run *r, struct keep_list *list)
{
	char buf[OUTKEEP_FILE_MAX + 1];
	ssize_t n;
	int fd;

	list->n = 0;
	if ((fd = outdir_run_open_previous(r, OUTKEEP_FILE)) == -1)
		return;
	n = fd_read_full(fd, buf, sizeof(buf));
	close(fd);
	if (n == -1 || (size_t)n == sizeof(buf) ||
	    parse_file(buf, (size_t)n, list) == -1)
		list->n = 0;
}

struct outkeep *
outkeep_open(struct outdir_run *r)
{
	struct outkeep *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	read_old(r, &k->old);
	pthread_mutex_init(&k->lock, NULL);
	return k;
}

static const struct keep_line *
find(const struct keep_list *list, const char *name)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (strcmp(list->line[i].name, name) == 0)
			return &list->line[i];
	return NULL;
}

/* Whether the run in use's file name has size bytes. */
static int
old_size_is(struct outdir_run *r, const char *name, uint64_t size)
{
	struct stat st;
	int fd, same;

	if ((fd = outdir_run_open_previous(r, name)) == -1)
		return 0;
	same = fstat(fd, &st) == 0 && (uint64_t)st.st_size == size;
	close(fd);
	return same;
}

int
outkeep_try(struct outkeep *k, struct outdir_run *r, const char *name,
    const unsigned char md[HASH_SHA256_LEN])
{
	const struct keep_line *l;

	if ((l = find(&k->old, name)) == NULL || l->body != 0 ||
	    memcmp(l->md, md, HASH_SHA256_LEN) != 0 ||
	    !old_size_is(r, name, l->size) || outdir_run_keep(r, name) == -1)
		return -1;
	outkeep_note(k, name, md, l->size);
	return 0;
}

int
outkeep_try_body(struct outkeep *k, struct outdir_run *r, const char *name,
    const unsigned char md[HASH_SHA256_LEN], uint64_t *off, uint64_t *len)
{
	const struct keep_line *l;
	struct stat st;
	int fd;

	if ((l = find(&k->old, name)) == NULL || l->body == 0 ||
	    memcmp(l->md, md, HASH_SHA256_LEN) != 0 ||
	    (fd = outdir_run_open_previous(r, name)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != l->size) {
		close(fd);
		return -1;
	}
	*off = l->body;
	*len = l->size - l->body;
	return fd;
}

void
outkeep_note(struct outkeep *k, const char *name,
    const unsigned char md[HASH_SHA256_LEN], uint64_t size)
{
	outkeep_note_body(k, name, md, size, 0);
}

void
outkeep_note_body(struct outkeep *k, const char *name,
    const unsigned char md[HASH_SHA256_LEN], uint64_t size, uint64_t body)
{
	struct keep_line *l;

	if (!name_ok(name, strlen(name)))
		return;
	pthread_mutex_lock(&k->lock);
	if (k->now.n < OUTKEEP_MAX_FILES && find(&k->now, name) == NULL) {
		l = &k->now.line[k->now.n++];
		snprintf(l->name, sizeof(l->name), "%s", name);
		memcpy(l->md, md, HASH_SHA256_LEN);
		l->size = size;
		l->body = body <= size ? body : 0;
	}
	pthread_mutex_unlock(&k->lock);
}

int
outkeep_save(struct outkeep *k, struct outdir_run *r)
{
	char hex[2 * HASH_SHA256_LEN + 1];
	FILE *fp;
	size_t i;
	int rc;

	if ((fp = outdir_run_create(r, OUTKEEP_FILE)) == NULL)
		return -1;
	pthread_mutex_lock(&k->lock);
	for (i = 0; i < k->now.n; i++) {
		hash_hex_encode(k->now.line[i].md, HASH_SHA256_LEN, hex);
		fprintf(fp, "%s %s %llu", k->now.line[i].name, hex,
		    (unsigned long long)k->now.line[i].size);
		if (k->now.line[i].body != 0)
			fprintf(fp, " %llu",
			    (unsigned long long)k->now.line[i].body);
		fputc('\n', fp);
	}
	pthread_mutex_unlock(&k->lock);
	rc = outdir_run_close(r, fp);
	if (rc != 0)
		log_msg_errno(LOG_LEVEL_WARNING, OUTKEEP_FILE, "cannot write "
		    "the digests of the outputs");
	return rc;
}

void
outkeep_free(struct outkeep *k)
{
	if (k == NULL)
		return;
	pthread_mutex_destroy(&k->lock);
	free(k);
}
