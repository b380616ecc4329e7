/*
 * reef show for RRDP files (RFC 8182): a notification, snapshot or delta
 * is streamed through the parsers of validator/rrdp.h (never held whole:
 * a snapshot may be gigabytes), with a sink that only measures and
 * hashes what each <publish> carries.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gtime.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/log.h"
#include "validator/cmd_show.h"
#include "validator/rrdp.h"

/* Bytes read at a time, and looked at to find the root element. */
#define RRDP_SHOW_CHUNK		65536
/* Width of the key column of text output, colon included. */
#define RRDP_SHOW_KEY_WIDTH	20
/* Longest element name looked for ("notification"). */
#define RRDP_SHOW_NAME_LEN	16

enum rrdp_kind {
	RRDP_NOTIFICATION,
	RRDP_SNAPSHOT,
	RRDP_DELTA
};

/* One publish or withdraw of a snapshot or delta. */
struct rrdp_item {
	int		 withdraw;
	char		*uri;
	uint64_t	 size;			/* decoded bytes (publish) */
	unsigned char	 hash[HASH_SHA256_LEN];	/* of the content / withdrawn */
	int		 replaces;		/* publish over an old object */
	unsigned char	 old[HASH_SHA256_LEN];	/* its hash */
};

struct rrdp_show {
	const char			*file;
	enum rrdp_kind			 kind;
	struct rrdp_session		 session;
	unsigned char			 hash[HASH_SHA256_LEN];	/* file */
	uint64_t			 size;
	struct rrdp_notification	*notif;
	struct rrdp_item		*items;
	size_t				 nitems, cap;
	int				 failed;	/* sink out of memory */
};

/* An open <publish>: its item and the running hash of its content. */
struct rrdp_open {
	size_t			item;
	struct hash_sha256_ctx	ctx;
};

static struct rrdp_item *
rrdp_item_add(struct rrdp_show *s, const char *uri)
{
	struct rrdp_item	*n;
	size_t			 cap;

	if (s->nitems == s->cap) {
		cap = s->cap == 0 ? 64 : 2 * s->cap;
		if ((n = reallocarray(s->items, cap, sizeof(*n))) == NULL)
			return NULL;
		s->items = n;
		s->cap = cap;
	}
	n = &s->items[s->nitems];
	memset(n, 0, sizeof(*n));
	if ((n->uri = strdup(uri)) == NULL)
		return NULL;
	s->nitems++;
	return n;
}

static void *
sink_begin(void *arg, const char *uri, const unsigned char *hash)
{
	struct rrdp_show	*s = arg;
	struct rrdp_item	*it;
	struct rrdp_open	*o;

	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (it = rrdp_item_add(s, uri)) == NULL ||
	    hash_sha256_init(&o->ctx) == -1) {
		log_warnx_obj(s->file, "out of memory");
		s->failed = 1;
		free(o);
		return NULL;
	}
	if (hash != NULL) {
		it->replaces = 1;
		memcpy(it->old, hash, HASH_SHA256_LEN);
	}
	o->item = s->nitems - 1;
	return o;
}

static int
sink_write(void *arg, void *handle, const unsigned char *buf, size_t len)
{
	struct rrdp_show	*s = arg;
	struct rrdp_open	*o = handle;

	s->items[o->item].size += len;
	return hash_sha256_update(&o->ctx, buf, len);
}

static int
sink_end(void *arg, void *handle, int ok)
{
	struct rrdp_show	*s = arg;
	struct rrdp_open	*o = handle;
	int			 rc = 0;

	if (ok)
		rc = hash_sha256_final(&o->ctx, s->items[o->item].hash);
	else
		hash_sha256_cleanup(&o->ctx);
	free(o);
	return rc;
}

static int
sink_withdraw(void *arg, const char *uri, const unsigned char *hash)
{
	struct rrdp_show	*s = arg;
	struct rrdp_item	*it;

	if ((it = rrdp_item_add(s, uri)) == NULL) {
		log_warnx_obj(s->file, "out of memory");
		s->failed = 1;
		return -1;
	}
	it->withdraw = 1;
	memcpy(it->hash, hash, HASH_SHA256_LEN);
	return 0;
}

/*
 * The value of attribute name in the tag starting at tag and ending
 * before end, copied into out (size bytes).  Returns 0, or -1 if absent
 * or too long.
 */
static int
rrdp_attr(const char *tag, const char *end, const char *name, char *out,
    size_t size)
{
	const char	*p, *q;
	size_t		 n = strlen(name);
	char		 quote;

	/* tag starts with '<', so p[-1] is always inside it. */
	for (p = tag; (p = memmem(p, (size_t)(end - p), name, n)) != NULL;
	    p += n) {
		if (strchr(" \t\r\n", p[-1]) == NULL || end - p <= (long)n + 1 ||
		    p[n] != '=')
			continue;
		quote = p[n + 1];
		if (quote != '"' && quote != '\'')
			return -1;
		p += n + 2;
		if ((q = memchr(p, quote, (size_t)(end - p))) == NULL ||
		    (size_t)(q - p) >= size)
			return -1;
		memcpy(out, p, (size_t)(q - p));
		out[q - p] = '\0';
		return 0;
	}
	return -1;
}

/*
 * Find the root element of the file's first bytes (head, NUL-terminated)
 * and the session it states, which the snapshot and delta parsers want
 * to be told in advance; for a notification also the snapshot URI, whose
 * origin stands in for the notification's own (unknown for a local
 * file) in the same-origin checks of RFC 9674.  Returns 0 or -1.
 */
static int
rrdp_sniff(const char *head, struct rrdp_show *s, char *snap_uri,
    size_t snap_len)
{
	static const char *const names[] = { "notification", "snapshot",
	    "delta" };
	const char	*p = head, *end;
	char		 serial[RRDP_SHOW_NAME_LEN + 8], *ep;
	size_t		 i, n;

	/* Skip the XML declaration, comments and white space. */
	while ((p = strchr(p, '<')) != NULL && (p[1] == '?' || p[1] == '!'))
		p++;
	if (p == NULL || (end = strchr(p, '>')) == NULL)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		if (strncmp(p + 1, names[i], n) == 0 &&
		    strchr(" \t\r\n>", p[1 + n]) != NULL)
			break;
	}
	if (i == sizeof(names) / sizeof(names[0]))
		return -1;
	s->kind = (enum rrdp_kind)i;
	if (rrdp_attr(p, end, "session_id", s->session.id,
	    sizeof(s->session.id)) == -1 ||
	    rrdp_attr(p, end, "serial", serial, sizeof(serial)) == -1)
		return -1;
	s->session.serial = strtoull(serial, &ep, 10);
	if (*ep != '\0')
		return -1;
	if (s->kind != RRDP_NOTIFICATION)
		return 0;
	if ((p = strstr(end, "<snapshot")) == NULL ||
	    (end = strchr(p, '>')) == NULL)
		return -1;
	return rrdp_attr(p, end, "uri", snap_uri, snap_len);
}

/* Parsers of the three kinds behind one interface. */
struct rrdp_parser {
	struct rrdp_notification_parser	*n;
	struct rrdp_snapshot		*snap;
	struct rrdp_delta		*delta;
};

static int
rrdp_feed(struct rrdp_parser *p, const void *buf, size_t len)
{
	if (p->n != NULL)
		return rrdp_notification_feed(p->n, buf, len);
	if (p->snap != NULL)
		return rrdp_snapshot_feed(p->snap, buf, len);
	return rrdp_delta_feed(p->delta, buf, len);
}

static int
rrdp_finish(struct rrdp_parser *p, struct rrdp_show *s)
{
	if (p->n != NULL)
		return rrdp_notification_finish(p->n, &s->notif);
	if (p->snap != NULL)
		return rrdp_snapshot_finish(p->snap);
	return rrdp_delta_finish(p->delta);
}

static void
rrdp_parser_free(struct rrdp_parser *p)
{
	rrdp_notification_parser_free(p->n);
	rrdp_snapshot_free(p->snap);
	rrdp_delta_free(p->delta);
}

/* Stream f through the right parser into s; 0, or -1 (logged). */
static int
rrdp_parse(FILE *f, struct rrdp_show *s)
{
	struct rrdp_sink	 sink = { s, NULL, sink_begin, sink_write,
	    sink_end, sink_withdraw };
	struct rrdp_parser	 p = { NULL, NULL, NULL };
	struct hash_sha256_ctx	 ctx;
	char			*buf, snap[MAX_URI_LENGTH + 1];
	size_t			 n;
	int			 rc = -1, hashing = 0;

	if ((buf = malloc(RRDP_SHOW_CHUNK + 1)) == NULL)
		goto out;
	n = fread(buf, 1, RRDP_SHOW_CHUNK, f);
	buf[n] = '\0';
	if (rrdp_sniff(buf, s, snap, sizeof(snap)) == -1) {
		log_warnx_obj(s->file, "not an RRDP notification, snapshot "
		    "or delta (RFC 8182 section 3.5)");
		goto out;
	}
	if (s->kind == RRDP_NOTIFICATION)
		p.n = rrdp_notification_parser_new(snap);
	else if (s->kind == RRDP_SNAPSHOT)
		p.snap = rrdp_snapshot_new(s->file, &s->session, NULL, &sink);
	else
		p.delta = rrdp_delta_new(s->file, &s->session, NULL, &sink);
	if ((p.n == NULL && p.snap == NULL && p.delta == NULL) ||
	    hash_sha256_init(&ctx) == -1) {
		log_warnx_obj(s->file, "cannot start the RRDP parser");
		goto out;
	}
	hashing = 1;
	while (n > 0) {
		s->size += n;
		if (hash_sha256_update(&ctx, buf, n) == -1 ||
		    rrdp_feed(&p, buf, n) == -1)
			goto out;
		n = fread(buf, 1, RRDP_SHOW_CHUNK, f);
	}
	if (ferror(f)) {
		log_warn_obj(s->file, "read");
		goto out;
	}
	hashing = 0;
	if (hash_sha256_final(&ctx, s->hash) == -1 ||
	    rrdp_finish(&p, s) == -1 || s->failed)
		goto out;
	rc = 0;
 out:
	/* The parsers logged their own reason. */
	if (hashing)
		hash_sha256_cleanup(&ctx);
	rrdp_parser_free(&p);
	free(buf);
	return rc;
}

static void
rrdp_show_free(struct rrdp_show *s)
{
	size_t	i;

	for (i = 0; i < s->nitems; i++)
		free(s->items[i].uri);
	free(s->items);
	rrdp_notification_free(s->notif);
}

static const char *
rrdp_kind_name(enum rrdp_kind k)
{
	switch (k) {
	case RRDP_NOTIFICATION:
		return "rrdp-notification";
	case RRDP_SNAPSHOT:
		return "rrdp-snapshot";
	case RRDP_DELTA:
		return "rrdp-delta";
	}
	return "rrdp";
}

static void	rrdp_kv(FILE *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* One aligned "Key: value" line, as show_text.c prints them. */
static void
rrdp_kv(FILE *out, const char *key, const char *fmt, ...)
{
	va_list	ap;

	if (key != NULL)
		fprintf(out, "%s:%*s", key, (int)(RRDP_SHOW_KEY_WIDTH -
		    strlen(key)), "");
	else
		fprintf(out, "%*s", RRDP_SHOW_KEY_WIDTH + 1, "");
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

static void
rrdp_text(FILE *out, const struct rrdp_show *s)
{
	char			 h[HASH_SHA256_HEX_LEN + 1];
	char			 o[HASH_SHA256_HEX_LEN + 1];
	const struct rrdp_item	*it;
	size_t			 i, npub = 0;

	rrdp_kv(out, "File", "%s", s->file);
	rrdp_kv(out, "Type", "%s", rrdp_kind_name(s->kind));
	rrdp_kv(out, "Size", "%llu bytes", (unsigned long long)s->size);
	hash_hex_encode(s->hash, HASH_SHA256_LEN, h);
	rrdp_kv(out, "SHA-256", "%s", h);
	rrdp_kv(out, "Session", "%s", s->session.id);
	rrdp_kv(out, "Serial", "%llu", (unsigned long long)s->session.serial);
	if (s->notif != NULL) {
		hash_hex_encode(s->notif->snapshot_hash, HASH_SHA256_LEN, h);
		rrdp_kv(out, "Snapshot", "%s", s->notif->snapshot_uri);
		rrdp_kv(out, NULL, "sha256 %s", h);
		rrdp_kv(out, "Deltas", "%zu", s->notif->ndeltas);
		for (i = 0; i < s->notif->ndeltas; i++) {
			hash_hex_encode(s->notif->deltas[i].hash,
			    HASH_SHA256_LEN, h);
			rrdp_kv(out, NULL, "%llu %s sha256 %s",
			    (unsigned long long)s->notif->deltas[i].serial,
			    s->notif->deltas[i].uri, h);
		}
		return;
	}
	for (i = 0; i < s->nitems; i++)
		npub += !s->items[i].withdraw;
	rrdp_kv(out, "Objects", "%zu published, %zu withdrawn", npub,
	    s->nitems - npub);
	for (i = 0; i < s->nitems; i++) {
		it = &s->items[i];
		hash_hex_encode(it->hash, HASH_SHA256_LEN, h);
		if (it->withdraw) {
			rrdp_kv(out, "Withdraw", "%s", it->uri);
			rrdp_kv(out, NULL, "sha256 %s", h);
			continue;
		}
		rrdp_kv(out, "Publish", "%s", it->uri);
		rrdp_kv(out, NULL, "%llu bytes, sha256 %s",
		    (unsigned long long)it->size, h);
		if (it->replaces) {
			hash_hex_encode(it->old, HASH_SHA256_LEN, o);
			rrdp_kv(out, NULL, "replaces sha256 %s", o);
		}
	}
}

static void
rrdp_json_hash(struct json *j, const char *key, const unsigned char *hash)
{
	char	h[HASH_SHA256_HEX_LEN + 1];

	hash_hex_encode(hash, HASH_SHA256_LEN, h);
	json_kv_string(j, key, h);
}

static void
rrdp_json_items(struct json *j, const struct rrdp_show *s, int withdraw)
{
	const struct rrdp_item	*it;
	size_t			 i;

	json_key(j, withdraw ? "withdraw" : "publish");
	json_array_begin(j);
	for (i = 0; i < s->nitems; i++) {
		it = &s->items[i];
		if (it->withdraw != withdraw)
			continue;
		json_object_begin(j);
		json_kv_string(j, "uri", it->uri);
		if (!withdraw)
			json_kv_uint(j, "size", it->size);
		rrdp_json_hash(j, "sha256", it->hash);
		if (it->replaces)
			rrdp_json_hash(j, "replaces", it->old);
		json_object_end(j);
	}
	json_array_end(j);
}

static int
rrdp_json(struct json *j, const struct rrdp_show *s)
{
	size_t	i;

	json_object_begin(j);
	json_kv_string(j, "file", s->file);
	json_kv_string(j, "type", rrdp_kind_name(s->kind));
	json_kv_uint(j, "size", s->size);
	rrdp_json_hash(j, "sha256", s->hash);
	json_kv_string(j, "session_id", s->session.id);
	json_kv_uint(j, "serial", s->session.serial);
	if (s->notif != NULL) {
		json_key(j, "snapshot");
		json_object_begin(j);
		json_kv_string(j, "uri", s->notif->snapshot_uri);
		rrdp_json_hash(j, "sha256", s->notif->snapshot_hash);
		json_object_end(j);
		json_key(j, "deltas");
		json_array_begin(j);
		for (i = 0; i < s->notif->ndeltas; i++) {
			json_object_begin(j);
			json_kv_uint(j, "serial", s->notif->deltas[i].serial);
			json_kv_string(j, "uri", s->notif->deltas[i].uri);
			rrdp_json_hash(j, "sha256", s->notif->deltas[i].hash);
			json_object_end(j);
		}
		json_array_end(j);
	} else {
		rrdp_json_items(j, s, 0);
		if (s->kind == RRDP_DELTA)
			rrdp_json_items(j, s, 1);
	}
	json_object_end(j);
	return json_failed(j) ? -1 : 0;
}

int
show_rrdp_detect(const char *fn)
{
	const char	*dot = strrchr(fn, '.');
	FILE		*f;
	int		 c;

	if (dot != NULL && strcmp(dot, ".xml") == 0)
		return 1;
	if ((f = fopen(fn, "rb")) == NULL)
		return 0;
	while ((c = fgetc(f)) != EOF && strchr(" \t\r\n", c) != NULL)
		;
	fclose(f);
	return c == '<';
}

int
show_rrdp(const char *fn, FILE *out, struct json *j, int *shown)
{
	struct rrdp_show	 s;
	FILE			*f;
	int			 rc = 1;

	memset(&s, 0, sizeof(s));
	s.file = fn;
	if ((f = fopen(fn, "rb")) == NULL) {
		log_warn_obj(fn, "open");
		return 1;
	}
	if (rrdp_parse(f, &s) == -1)
		goto out;
	if (j != NULL)
		rrdp_json(j, &s);
	else {
		if (*shown > 0)
			fputc('\n', out);
		rrdp_text(out, &s);
	}
	(*shown)++;
	rc = 0;
 out:
	fclose(f);
	rrdp_show_free(&s);
	return rc;
}
