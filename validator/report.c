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

#include "common/gtime.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/prefix.h"
#include "validator/report.h"
#include "validator/walk.h"

/* First allocation of the entry array; it doubles from there. */
#define REPORT_INITIAL_ENTRIES	256

struct report_entry {
	char		*uri;
	char		*type;
	char		*reason;	/* NULL for none */
	size_t		 seq;		/* insertion order, the last sort key */
	int		 accepted;
	/* The walk's detail; NULL strings and 0 flags: not known. */
	char		*issuer;
	char		*manifest;
	char		*ta;
	int		 has_validity, has_update, has_asn, has_customer;
	int64_t		 not_before, not_after;
	int64_t		 this_update, next_update;
	uint32_t	 asn, customer;
	struct roa_ip	*prefixes;
	size_t		 nprefixes;
	uint32_t	*providers;
	size_t		 nproviders;
};

struct report_repo_entry {
	char		*uri;
	char		*notify;
	char		*protocol;
	char		*result;
	char		*error;
	int		 delta, unchanged;
	uint64_t	 objects, bytes, milliseconds;
};

struct report {
	pthread_mutex_t		 lock;
	struct report_entry	*entries;
	size_t			 nentries;
	size_t			 cap;
	struct report_counts	 counts;
	struct report_repo_entry *repos;
	size_t			 nrepos;
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
	free(e->issuer);
	free(e->manifest);
	free(e->ta);
	free(e->prefixes);
	free(e->providers);
}

static void
repo_entry_free(struct report_repo_entry *e)
{
	free(e->uri);
	free(e->notify);
	free(e->protocol);
	free(e->result);
	free(e->error);
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
	for (i = 0; i < r->nrepos; i++)
		repo_entry_free(&r->repos[i]);
	free(r->repos);
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

/* A copy of the optional string s into *out; -1 on ENOMEM. */
static int
dup_opt(const char *s, size_t max, char **out)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	return (*out = dup_bounded(s, max)) == NULL ? -1 : 0;
}

/* A copy of n elements of size sz at src into *out; -1 on ENOMEM. */
static int
dup_array(const void *src, size_t n, size_t sz, void **out)
{
	*out = NULL;
	if (src == NULL || n == 0)
		return 0;
	if ((*out = reallocarray(NULL, n, sz)) == NULL)
		return -1;
	memcpy(*out, src, n * sz);
	return 0;
}

/* Copy the walk's detail d into e; -1 on ENOMEM (e keeps what it got). */
static int
detail_copy(struct report_entry *e, const struct walk_detail *d)
{
	void *p;

	if (d == NULL)
		return 0;
	if (dup_opt(d->issuer, MAX_URI_LENGTH, &e->issuer) == -1 ||
	    dup_opt(d->manifest, MAX_URI_LENGTH, &e->manifest) == -1 ||
	    dup_opt(d->ta, MAX_FILENAME_LENGTH, &e->ta) == -1)
		return -1;
	e->has_validity = d->has_validity;
	e->not_before = d->not_before;
	e->not_after = d->not_after;
	e->has_update = d->has_update;
	e->this_update = d->this_update;
	e->next_update = d->next_update;
	e->has_asn = d->has_asn;
	e->asn = d->asn;
	e->has_customer = d->has_customer;
	e->customer = d->customer;
	if (dup_array(d->prefixes, d->nprefixes, sizeof(*d->prefixes),
	    &p) == -1)
		return -1;
	e->prefixes = p;
	e->nprefixes = p != NULL ? d->nprefixes : 0;
	if (dup_array(d->providers, d->nproviders, sizeof(*d->providers),
	    &p) == -1)
		return -1;
	e->providers = p;
	e->nproviders = p != NULL ? d->nproviders : 0;
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
	return report_add_detail(r, uri, type, accepted, reason, NULL);
}

/*
 * report_add() with the walk's detail copied too.  Returns 0 or -1.
 */
int
report_add_detail(struct report *r, const char *uri, const char *type,
    int accepted, const char *reason, const struct walk_detail *detail)
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
	if (detail_copy(&e, detail) == -1)
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
    const char *reason, const struct walk_detail *detail)
{
	(void)report_add_detail(arg, uri_or_file, type, accepted, reason,
	    detail);
}

/*
 * Record one repository's fetch result (strings copied).  Returns 0 or -1.
 */
int
report_add_repo(struct report *r, const struct report_repo *rr)
{
	struct report_repo_entry e, *n;
	int rc = -1;

	if (r == NULL || rr == NULL || rr->uri == NULL)
		return -1;
	memset(&e, 0, sizeof(e));
	if (dup_opt(rr->uri, MAX_URI_LENGTH, &e.uri) == -1 ||
	    dup_opt(rr->notify, MAX_URI_LENGTH, &e.notify) == -1 ||
	    dup_opt(rr->protocol != NULL ? rr->protocol : "none",
	    MAX_REPORT_WORD, &e.protocol) == -1 ||
	    dup_opt(rr->result != NULL ? rr->result : "pending",
	    MAX_REPORT_WORD, &e.result) == -1 ||
	    dup_opt(rr->error, MAX_REPORT_REASON, &e.error) == -1)
		goto out;
	e.delta = rr->delta != 0;
	e.unchanged = rr->unchanged != 0;
	e.objects = rr->objects;
	e.bytes = rr->bytes;
	e.milliseconds = rr->milliseconds;
	pthread_mutex_lock(&r->lock);
	if (r->nrepos < MAX_REPORT_REPOS && (n = reallocarray(r->repos,
	    r->nrepos + 1, sizeof(*n))) != NULL) {
		r->repos = n;
		r->repos[r->nrepos++] = e;
		rc = 0;
	}
	pthread_mutex_unlock(&r->lock);
 out:
	if (rc != 0)
		repo_entry_free(&e);
	return rc;
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

/* key: t as ISO 8601 (a time beyond year 9999 is left out). */
static void
write_time(struct json *j, const char *key, int64_t t)
{
	char buf[GTIME_ISO_LEN + 1];

	if (gtime_format_iso(t, buf, sizeof(buf)) == 0)
		json_kv_string(j, key, buf);
}

/* The ROA contents: "prefixes": [ { "prefix", "max_length" }, ... ]. */
static void
write_prefixes(struct json *j, const struct report_entry *e)
{
	char buf[PREFIX_STRLEN];
	size_t i;

	json_key(j, "prefixes");
	json_array_begin(j);
	for (i = 0; i < e->nprefixes; i++) {
		if (prefix_format(&e->prefixes[i].prefix, buf,
		    sizeof(buf)) <= 0)
			continue;
		json_object_begin(j);
		json_kv_string(j, "prefix", buf);
		json_kv_uint(j, "max_length", e->prefixes[i].maxlen);
		json_object_end(j);
	}
	json_array_end(j);
}

/* The members from the walk's detail, those known. */
static void
write_detail(struct json *j, const struct report_entry *e)
{
	size_t i;

	if (e->issuer != NULL)
		json_kv_string(j, "issuer", e->issuer);
	if (e->manifest != NULL)
		json_kv_string(j, "manifest", e->manifest);
	if (e->ta != NULL)
		json_kv_string(j, "ta", e->ta);
	if (e->has_validity) {
		write_time(j, "not_before", e->not_before);
		write_time(j, "not_after", e->not_after);
	}
	if (e->has_update) {
		write_time(j, "this_update", e->this_update);
		write_time(j, "next_update", e->next_update);
	}
	if (e->has_asn) {
		json_kv_uint(j, "asn", e->asn);
		write_prefixes(j, e);
	}
	if (e->has_customer) {
		json_kv_uint(j, "customer", e->customer);
		json_key(j, "providers");
		json_array_begin(j);
		for (i = 0; i < e->nproviders; i++)
			json_uint(j, e->providers[i]);
		json_array_end(j);
	}
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
	write_detail(j, e);
	return json_object_end(j);
}

static int
repo_cmp(const void *a, const void *b)
{
	const struct report_repo_entry *x = a, *y = b;

	return strcmp(x->uri, y->uri);
}

/* "repositories": [...], sorted in place (the lock is held). */
static void
write_repos(struct json *j, struct report *r)
{
	const struct report_repo_entry *e;
	size_t i, n = r != NULL ? r->nrepos : 0;

	if (n > 0)
		qsort(r->repos, n, sizeof(*r->repos), repo_cmp);
	json_key(j, "repositories");
	json_array_begin(j);
	for (i = 0; i < n; i++) {
		e = &r->repos[i];
		json_object_begin(j);
		json_kv_string(j, "uri", e->uri);
		if (e->notify != NULL)
			json_kv_string(j, "notify", e->notify);
		json_kv_string(j, "protocol", e->protocol);
		json_kv_string(j, "result", e->result);
		json_kv_bool(j, "delta", e->delta);
		json_kv_bool(j, "unchanged", e->unchanged);
		json_kv_uint(j, "objects", e->objects);
		json_kv_uint(j, "bytes", e->bytes);
		json_kv_uint(j, "milliseconds", e->milliseconds);
		if (e->error != NULL)
			json_kv_string(j, "error", e->error);
		json_object_end(j);
	}
	json_array_end(j);
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
	write_repos(j, r);
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
