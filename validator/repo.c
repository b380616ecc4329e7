/*
 * Repository state file: read, write, validate.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/atomic.h"
#include "common/log.h"
#include "validator/repo.h"

/* Mode of the state file: readable by operators, like the objects. */
#define REPO_STATE_MODE		0644

void
repo_state_init(struct repo_state *st)
{
	memset(st, 0, sizeof(*st));
}

static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

void
repo_state_set(char *dst, size_t dstsz, const char *src)
{
	dst[0] = '\0';
	if (src == NULL || strlen(src) >= dstsz || !printable(src))
		return;
	memcpy(dst, src, strlen(src) + 1);
}

const char *
repo_proto_name(enum repo_proto p)
{
	switch (p) {
	case REPO_PROTO_RRDP:
		return "rrdp";
	case REPO_PROTO_RSYNC:
		return "rsync";
	default:
		return "none";
	}
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int
parse_i64(const char *s, int64_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) == -1 || v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static int
parse_str(const char *s, char *dst, size_t dstsz)
{
	if (strlen(s) >= dstsz || !printable(s))
		return -1;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* One "key value" line; unknown keys are ignored (newer writers). */
static int
parse_line(struct repo_state *st, const char *key, const char *val)
{

	if (strcmp(key, "session") == 0)
		return parse_str(val, st->session, sizeof(st->session));
	if (strcmp(key, "serial") == 0)
		return parse_u64(val, &st->serial);
	if (strcmp(key, "notify") == 0)
		return parse_str(val, st->notify, sizeof(st->notify));
	if (strcmp(key, "etag") == 0)
		return parse_str(val, st->etag, sizeof(st->etag));
	if (strcmp(key, "last-modified") == 0)
		return parse_str(val, st->last_modified,
		    sizeof(st->last_modified));
	if (strcmp(key, "proto") == 0) {
		if (strcmp(val, "rrdp") == 0)
			st->proto = REPO_PROTO_RRDP;
		else if (strcmp(val, "rsync") == 0)
			st->proto = REPO_PROTO_RSYNC;
		else if (strcmp(val, "none") == 0)
			st->proto = REPO_PROTO_NONE;
		else
			return -1;
		return 0;
	}
	if (strcmp(key, "last-success") == 0)
		return parse_i64(val, &st->last_success);
	if (strcmp(key, "last-attempt") == 0)
		return parse_i64(val, &st->last_attempt);
	if (strcmp(key, "last-error") == 0)
		return parse_str(val, st->last_error, sizeof(st->last_error));
	if (strcmp(key, "duration-ms") == 0)
		return parse_u64(val, &st->duration_ms);
	if (strcmp(key, "bytes") == 0)
		return parse_u64(val, &st->bytes);
	if (strcmp(key, "objects") == 0)
		return parse_u64(val, &st->objects);
	return 0;
}

static int
parse_buf(struct repo_state *st, char *buf)
{
	char *line, *next, *sp;

	next = strchr(buf, '\n');
	if (next == NULL)
		return -1;
	*next++ = '\0';
	if (strcmp(buf, REPO_STATE_MAGIC) != 0)
		return -1;
	for (line = next; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next == NULL)
			return -1;	/* truncated: last line unterminated */
		*next++ = '\0';
		sp = strchr(line, ' ');
		if (sp == NULL)
			return -1;
		*sp = '\0';
		if (parse_line(st, line, sp + 1) == -1)
			return -1;
	}
	/* A serial without a session (or the reverse) is meaningless. */
	if ((st->session[0] == '\0') != (st->serial == 0))
		return -1;
	return 0;
}

/*
 * Returns 0 and fills *st, or -1 with *st fresh; a corrupt file is
 * logged, a missing one is not (the normal first run).
 */
int
repo_state_read(const char *path, struct repo_state *st)
{
	char *buf = NULL;
	ssize_t n;
	size_t len = 0;
	int fd, rc = -1;

	repo_state_init(st);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT)
			log_warn_obj(path, "cannot open repository state");
		return -1;
	}
	if ((buf = malloc(REPO_STATE_MAX_SIZE + 1)) == NULL)
		goto out;
	while (len <= REPO_STATE_MAX_SIZE) {
		n = read(fd, buf + len, REPO_STATE_MAX_SIZE + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn_obj(path, "cannot read repository state");
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > REPO_STATE_MAX_SIZE || memchr(buf, '\0', len) != NULL) {
		log_warnx_obj(path, "corrupt repository state ignored");
		goto out;
	}
	buf[len] = '\0';
	if (parse_buf(st, buf) == -1) {
		log_warnx_obj(path, "corrupt repository state ignored");
		repo_state_init(st);
		goto out;
	}
	rc = 0;
 out:
	free(buf);
	close(fd);
	return rc;
}

static void
put_str(FILE *fp, const char *key, const char *val)
{
	if (val[0] != '\0' && printable(val))
		fprintf(fp, "%s %s\n", key, val);
}

int
repo_state_write(const char *path, const struct repo_state *st)
{
	struct atomic_file *af;
	FILE *fp;

	if ((af = atomic_begin(path, REPO_STATE_MODE)) == NULL)
		return -1;
	fp = atomic_stream(af);
	fprintf(fp, "%s\n", REPO_STATE_MAGIC);
	if (st->session[0] != '\0' && printable(st->session) &&
	    st->serial != 0) {
		fprintf(fp, "session %s\n", st->session);
		fprintf(fp, "serial %" PRIu64 "\n", st->serial);
	}
	put_str(fp, "notify", st->notify);
	put_str(fp, "etag", st->etag);
	put_str(fp, "last-modified", st->last_modified);
	fprintf(fp, "proto %s\n", repo_proto_name(st->proto));
	fprintf(fp, "last-success %" PRId64 "\n",
	    st->last_success < 0 ? 0 : st->last_success);
	fprintf(fp, "last-attempt %" PRId64 "\n",
	    st->last_attempt < 0 ? 0 : st->last_attempt);
	put_str(fp, "last-error", st->last_error);
	fprintf(fp, "duration-ms %" PRIu64 "\n", st->duration_ms);
	fprintf(fp, "bytes %" PRIu64 "\n", st->bytes);
	fprintf(fp, "objects %" PRIu64 "\n", st->objects);
	return atomic_commit(af);
}
