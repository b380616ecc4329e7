/*
 * The validation report (report.h): a locked, growing array of entries,
 * sorted only when written.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/limits.h"
#include "validator/report.h"

/* First allocation of the entry array; it doubles from there. */
#define REPORT_INITIAL_ENTRIES	256

struct report_entry {
	char	*uri;
	char	*type;
	char	*reason;	/* NULL for none */
	size_t	 seq;		/* insertion order, the last sort key */
	int	 accepted;
};

struct report {
	pthread_mutex_t		 lock;
	struct report_entry	*entries;
	size_t			 nentries;
	size_t			 cap;
	struct report_counts	 counts;
};

/*
 * A new empty report owned by the caller; NULL on ENOMEM.
 */
struct report *
report_new(void)
{
	struct report *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

static void
entry_free(struct report_entry *e)
{
	free(e->uri);
	free(e->type);
	free(e->reason);
}

/*
 * Free the report and its entries; NULL is accepted.
 */
void
report_free(struct report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nentries; i++)
		entry_free(&r->entries[i]);
	free(r->entries);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Copy at most max bytes of s (NUL-terminated); NULL on ENOMEM. */
static char *
dup_bounded(const char *s, size_t max)
{
	return strndup(s, max);
}

/* Make room for one more entry; called with the lock held. */
static int
report_grow(struct report *r)
{
	struct report_entry *n;
	size_t cap;

	if (r->nentries < r->cap)
		return 0;
	cap = r->cap == 0 ? REPORT_INITIAL_ENTRIES : r->cap * 2;
	if (cap > MAX_REPORT_ENTRIES)
		cap = MAX_REPORT_ENTRIES;
	if (cap <= r->nentries)
		return -1;
	if ((n = reallocarray(r->entries, cap, sizeof(*n))) == NULL)
		return -1;
	r->entries = n;
	r->cap = cap;
	return 0;
}

/*
 * Append one entry (strings copied).  Returns 0, or -1 (the entry is
 * then counted as dropped).  Thread-safe.
 */
int
report_add(struct report *r, const char *uri, const char *type, int accepted,
    const char *reason)
{
	struct report_entry e;
	int rc = -1;

	if (r == NULL)
		return -1;
	memset(&e, 0, sizeof(e));
	e.accepted = accepted != 0;
	if (uri == NULL)
		goto count;
	/* Copy outside the lock: the walk's threads should not queue on malloc. */
	if ((e.uri = dup_bounded(uri, MAX_URI_LENGTH)) == NULL ||
	    (e.type = dup_bounded(type != NULL ? type : "",
	    MAX_REPORT_TYPE)) == NULL)
		goto count;
	if (reason != NULL &&
	    (e.reason = dup_bounded(reason, MAX_REPORT_REASON)) == NULL)
		goto count;

	pthread_mutex_lock(&r->lock);
	if (report_grow(r) == 0) {
		e.seq = r->nentries;
		r->entries[r->nentries++] = e;
		if (e.accepted)
			r->counts.accepted++;
		else
			r->counts.rejected++;
		rc = 0;
	} else
		r->counts.dropped++;
	pthread_mutex_unlock(&r->lock);
	if (rc == 0)
		return 0;
	entry_free(&e);
	return -1;

 count:
	entry_free(&e);
	pthread_mutex_lock(&r->lock);
	r->counts.dropped++;
	pthread_mutex_unlock(&r->lock);
	return -1;
}

/*
 * report_add() as the walk's report callback; arg is the report.
 */
void
report_cb(void *arg, const char *uri_or_file, const char *type, int accepted,
    const char *reason)
{
	(void)report_add(arg, uri_or_file, type, accepted, reason);
}

/*
 * A consistent snapshot of the counters.
 */
void
report_counts(struct report *r, struct report_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	*out = r->counts;
	pthread_mutex_unlock(&r->lock);
}

/* Length of the section number at s: digits and inner dots ("4.8.8"). */
static size_t
section_len(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]) ||
	    (s[n] == '.' && isdigit((unsigned char)s[n + 1])))
		n++;
	return n;
}

/*
 * The "RFC N[ section X.Y]" quoted in reason, into buf; returns its
 * length or 0.
 */
size_t
report_rule(const char *reason, char *buf, size_t len)
{
	const char *p, *q;
	size_t n, sec;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (reason == NULL)
		return 0;
	for (p = reason; (p = strstr(p, "RFC ")) != NULL; p += 4) {
		if (p != reason && isalnum((unsigned char)p[-1]))
			continue;
		if ((n = strspn(p + 4, "0123456789")) == 0)
			continue;
		n += 4;
		q = p + n;
		if (strncmp(q, " section ", 9) == 0 &&
		    (sec = section_len(q + 9)) > 0)
			n += 9 + sec;
		if (n >= len)
			return 0;
		memcpy(buf, p, n);
		buf[n] = '\0';
		return n;
	}
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct report_entry *x = *(const struct report_entry * const *)a;
	const struct report_entry *y = *(const struct report_entry * const *)b;
	int c;

	if ((c = strcmp(x->uri, y->uri)) != 0)
		return c;
	if ((c = strcmp(x->type, y->type)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
write_entry(struct json *j, const struct report_entry *e)
{
	char rule[MAX_REPORT_REASON];

	json_object_begin(j);
	json_kv_string(j, "uri", e->uri);
	json_kv_string(j, "type", e->type);
	json_kv_bool(j, "accepted", e->accepted);
	if (e->reason != NULL) {
		json_kv_string(j, "reason", e->reason);
		if (report_rule(e->reason, rule, sizeof(rule)) > 0)
			json_kv_string(j, "rule", rule);
	}
	return json_object_end(j);
}

/*
 * Write the report as one JSON object to j (entries sorted by URI, type,
 * insertion order).  Returns 0 or -1.
 */
int
report_write(struct report *r, struct json *j)
{
	struct report_entry **sorted = NULL;
	struct report_counts c;
	size_t i, n = 0;
	int rc = -1;

	if (r != NULL)
		pthread_mutex_lock(&r->lock);
	if (r != NULL && r->nentries > 0) {
		n = r->nentries;
		if ((sorted = calloc(n, sizeof(*sorted))) == NULL)
			goto out;
		for (i = 0; i < n; i++)
			sorted[i] = &r->entries[i];
		qsort(sorted, n, sizeof(*sorted), entry_cmp);
	}
	memset(&c, 0, sizeof(c));
	if (r != NULL)
		c = r->counts;

	json_object_begin(j);
	json_kv_uint(j, "accepted", c.accepted);
	json_kv_uint(j, "rejected", c.rejected);
	json_kv_uint(j, "dropped", c.dropped);
	json_key(j, "objects");
	json_array_begin(j);
	for (i = 0; i < n; i++)
		write_entry(j, sorted[i]);
	json_array_end(j);
	if (json_object_end(j) == 0 && !json_failed(j))
		rc = 0;
 out:
	if (r != NULL)
		pthread_mutex_unlock(&r->lock);
	free(sorted);
	return rc;
}

/*
 * report_write() to fp as a complete pretty-printed document.
 */
int
report_write_file(struct report *r, FILE *fp)
{
	struct json *j;
	int rc = -1;

	if ((j = json_new_file(fp, JSON_PRETTY)) == NULL)
		return -1;
	if (report_write(r, j) == 0 && json_finish(j) == 0)
		rc = 0;
	json_free(j);
	return rc;
}
