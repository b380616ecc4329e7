/*
 * Incremental validation of one publication point; see ppmemo.h.
 *
 * Record payload (memo.h frames it):
 *	key[32] mft_hash[32] mft_id dir_id store-link(str) made_at(u64)
 *	stable_until(u64)
 *	nlisted(u32) { name(str) hash[32] id }
 *	(an id: dev ino size mtime mtime_ns, u64 each; a dir_id: known(u8)
 *	dev ino ctime ctime_ns mtime mtime_ns, u64 each)
 *	stats: STATS_N x u64
 *	nvrps(u32) { afi len addr[16] maxlen asn(u32) expires(u64) }
 *	naspas(u32) { customer expires nproviders { provider } }
 *	nrks(u32) { asn expires ski[20] spki_len spki }
 *	nchildren(u32) { uri(str) expires ski[20] repo(str) mft(str)
 *	    notify(str) notbefore notafter resources (see put_resources()) }
 *	nreports(u32) nrejected(u32) entries_digest[32]
 * and, as the record's tail (memo.h), the nreports report entries (see
 * put_report()), whose SHA-256 is entries_digest: a reused point whose
 * report is not needed does not read them.
 * Expiry times are those of the point itself (the chain above is applied
 * when the record is used); the TA index is not stored.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/ppmemo.h"
#include "validator/validate.h"

#define STATS_N		(sizeof(struct walk_stats) / sizeof(size_t))
_Static_assert(sizeof(struct walk_stats) % sizeof(size_t) == 0,
    "struct walk_stats holds only size_t counters");

/* Detail flags of a report entry. */
#define RD_DETAIL	0x01
#define RD_VALIDITY	0x02
#define RD_UPDATE	0x04
#define RD_ASN		0x08
#define RD_CUSTOMER	0x10
#define RD_IN_DIR	0x20	/* uri: the manifest's directory + the rest */
#define RD_ISSUER_CA	0x40	/* issuer: the point's CA (ctx->ca_uri) */
#define RD_MFT_CA	0x80	/* manifest: the point's (ctx->ca->mft) */

/*
 * A directory changed less than this many seconds before its identity was
 * taken is not trusted to show a later change (see dir_id_take()).
 */
#define DIR_RACY_SECONDS	2

/* Most report entries, children or listed files one record may hold. */
#define PPMEMO_MAX_ENTRIES	(16U * 1024 * 1024)

/* Records the report entries of a full validation while passing them on. */
struct recorder {
	const struct pubpoint_ctx *ctx;	/* the caller's */
	struct memo_wbuf	 w;
	uint32_t		 n;
	uint32_t		 rejected;
	unsigned char		 md[HASH_SHA256_LEN];	/* of w, once done */
	int			 forward;	/* to ctx->report too */
};

/* The i-th counter of s (struct walk_stats holds size_t only). */
static size_t *
stat_at(struct walk_stats *s, size_t i)
{
	return (size_t *)s + i;
}

static void
put_prefix(struct memo_wbuf *w, const struct prefix *p)
{
	memo_w_u8(w, p->afi);
	memo_w_u8(w, p->len);
	memo_w_bytes(w, p->addr, PREFIX_ADDR_MAX);
}

static void
get_prefix(struct memo_rbuf *r, struct prefix *p)
{
	p->afi = memo_r_u8(r);
	p->len = memo_r_u8(r);
	(void)memo_r_bytes(r, p->addr, PREFIX_ADDR_MAX);
}

/* Length of the directory part of a manifest URI ("rsync://.../"). */
static size_t
dir_len_of(const char *mft)
{
	const char *slash;

	if (mft == NULL || (slash = strrchr(mft, '/')) == NULL)
		return 0;
	return (size_t)(slash - mft) + 1;
}

static size_t
mft_dir_len(const struct pubpoint_ctx *ctx)
{
	return dir_len_of(ctx->ca->mft);
}

static int
same_str(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * A report entry: flags uri type accepted reason [issuer manifest]
 * [not_before not_after] [this_update next_update] [asn nprefixes
 * {prefix maxlen}] [customer nproviders {provider}].  What the point's
 * own URIs give is left out (RD_IN_DIR, RD_ISSUER_CA, RD_MFT_CA).
 */
static void
put_report(struct memo_wbuf *w, const struct pubpoint_ctx *ctx,
    const char *uri, const char *type, int ok, const char *why,
    const struct walk_detail *d)
{
	size_t i, dl = mft_dir_len(ctx);
	uint8_t fl = 0;

	if (d != NULL)
		fl = RD_DETAIL | (d->has_validity ? RD_VALIDITY : 0) |
		    (d->has_update ? RD_UPDATE : 0) |
		    (d->has_asn ? RD_ASN : 0) |
		    (d->has_customer ? RD_CUSTOMER : 0) |
		    (same_str(d->issuer, ctx->ca_uri) ? RD_ISSUER_CA : 0) |
		    (same_str(d->manifest, ctx->ca->mft) ? RD_MFT_CA : 0);
	if (uri != NULL && dl > 0 && strncmp(uri, ctx->ca->mft, dl) == 0)
		fl |= RD_IN_DIR;
	memo_w_u8(w, fl);
	memo_w_str(w, (fl & RD_IN_DIR) ? uri + dl : uri);
	memo_w_str(w, type);
	memo_w_u8(w, ok != 0);
	memo_w_str(w, why);
	if (d == NULL)
		return;
	if (!(fl & RD_ISSUER_CA))
		memo_w_str(w, d->issuer);
	if (!(fl & RD_MFT_CA))
		memo_w_str(w, d->manifest);
	if (fl & RD_VALIDITY) {
		memo_w_u64(w, (uint64_t)d->not_before);
		memo_w_u64(w, (uint64_t)d->not_after);
	}
	if (fl & RD_UPDATE) {
		memo_w_u64(w, (uint64_t)d->this_update);
		memo_w_u64(w, (uint64_t)d->next_update);
	}
	if (fl & RD_ASN) {
		memo_w_u32(w, d->asn);
		memo_w_u32(w, (uint32_t)d->nprefixes);
		for (i = 0; i < d->nprefixes; i++) {
			put_prefix(w, &d->prefixes[i].prefix);
			memo_w_u8(w, d->prefixes[i].maxlen);
		}
	}
	if (fl & RD_CUSTOMER) {
		memo_w_u32(w, d->customer);
		memo_w_u32(w, (uint32_t)d->nproviders);
		for (i = 0; i < d->nproviders; i++)
			memo_w_u32(w, d->providers[i]);
	}
}

static void
record_report(void *arg, const char *uri, const char *type, int ok,
    const char *why, const struct walk_detail *d)
{
	struct recorder *rec = arg;

	put_report(&rec->w, rec->ctx, uri, type, ok, why, d);
	rec->n++;
	if (!ok)
		rec->rejected++;
	if (rec->forward && rec->ctx->report != NULL)
		rec->ctx->report(rec->ctx->report_arg, uri, type, ok, why, d);
}

/* Canonical bytes of a CA's effective resources, for the key. */
static void
put_resources(struct memo_wbuf *w, const struct cert *c)
{
	const struct ip_res_afi *a;
	size_t i, j;

	memo_w_u8(w, c->ips != NULL);
	for (i = 0; c->ips != NULL && i < IP_RES_NAFI; i++) {
		a = &c->ips->afi[i];
		memo_w_u8(w, (uint8_t)(a->present | a->inherit << 1));
		memo_w_u32(w, (uint32_t)a->nranges);
		for (j = 0; j < a->nranges; j++) {
			memo_w_bytes(w, a->ranges[j].min, PREFIX_ADDR_MAX);
			memo_w_bytes(w, a->ranges[j].max, PREFIX_ADDR_MAX);
			memo_w_u32(w, (uint32_t)a->ranges[j].plen);
		}
	}
	memo_w_u8(w, c->ases != NULL);
	if (c->ases == NULL)
		return;
	memo_w_u8(w, (uint8_t)c->ases->inherit);
	memo_w_u32(w, (uint32_t)c->ases->nranges);
	for (i = 0; i < c->ases->nranges; i++) {
		memo_w_u32(w, c->ases->ranges[i].min);
		memo_w_u32(w, c->ases->ranges[i].max);
	}
}

/* The key of ctx's publication point (see ppmemo.h).  Returns 0 or -1. */
static int
point_key(const struct pubpoint_ctx *ctx, unsigned char *key)
{
	struct memo_wbuf w = { 0 };
	unsigned char *der = NULL;
	int len, rc = -1;

	if (ctx->ca->has_der_hash) {
		der = NULL;
		len = HASH_SHA256_LEN;
	} else if (ctx->ca->x509 == NULL ||
	    (len = i2d_X509(ctx->ca->x509, &der)) <= 0)
		return -1;
	memo_w_str(&w, "reef publication point key 1");
	memo_w_str(&w, ctx->ca_uri);
	memo_w_str(&w, ctx->ca->mft);
	memo_w_str(&w, ctx->ca->repo);
	memo_w_str(&w, ctx->ca->notify);
	memo_w_u32(&w, (uint32_t)ctx->uri_flags);
	/* The certificate: its DER's digest, or the DER itself. */
	memo_w_u32(&w, (uint32_t)len);
	memo_w_bytes(&w, der != NULL ? der : ctx->ca->der_hash, (size_t)len);
	put_resources(&w, ctx->ca);
	if (!w.failed && hash_sha256(w.data, w.len, key) == 0)
		rc = 0;
	OPENSSL_free(der);
	memo_wbuf_free(&w);
	return rc;
}

/*
 * The name of the last good copy the store holds for ctx's manifest, in
 * name (PATH_MAX bytes); "" for none.  Each copy saved gets a new name,
 * so the name stands for the copy (store.h).
 */
static void
store_copy(const struct pubpoint_ctx *ctx, char *name)
{
	if (ctx->store == NULL ||
	    store_link(ctx->store, ctx->ca->mft, name, PATH_MAX) == -1)
		name[0] = '\0';
}

/*
 * A child CA: what the walk and the child's own record key need of it, so
 * that a reused point hands the walk its children without parsing them
 * (see struct memo_cert).
 */
static void
put_child(struct memo_wbuf *w, const struct pp_child *ch)
{
	const struct cert *c = ch->cert;

	memo_w_str(w, ch->uri);
	memo_w_u64(w, (uint64_t)ch->expires);
	memo_w_bytes(w, c->ski, CERT_KEYID_LEN);
	memo_w_str(w, c->repo);
	memo_w_str(w, c->mft);
	memo_w_str(w, c->notify);
	memo_w_u64(w, (uint64_t)c->notbefore);
	memo_w_u64(w, (uint64_t)c->notafter);
	put_resources(w, c);
}

static void
put_payloads(struct memo_wbuf *w, const struct pubpoint_out *o)
{
	size_t i, j;

	memo_w_u32(w, (uint32_t)o->nvrps);
	for (i = 0; i < o->nvrps; i++) {
		put_prefix(w, &o->vrps[i].prefix);
		memo_w_u8(w, o->vrps[i].maxlen);
		memo_w_u32(w, o->vrps[i].asn);
		memo_w_u64(w, (uint64_t)o->vrps[i].expires);
	}
	memo_w_u32(w, (uint32_t)o->naspas);
	for (i = 0; i < o->naspas; i++) {
		memo_w_u32(w, o->aspas[i].customer);
		memo_w_u64(w, (uint64_t)o->aspas[i].expires);
		memo_w_u32(w, (uint32_t)o->aspas[i].nproviders);
		for (j = 0; j < o->aspas[i].nproviders; j++)
			memo_w_u32(w, o->aspas[i].providers[j]);
	}
	memo_w_u32(w, (uint32_t)o->nrks);
	for (i = 0; i < o->nrks; i++) {
		memo_w_u32(w, o->rks[i].asn);
		memo_w_u64(w, (uint64_t)o->rks[i].expires);
		memo_w_bytes(w, o->rks[i].ski, ROUTER_KEY_SKI_LEN);
		memo_w_u32(w, (uint32_t)o->rks[i].spki_len);
		memo_w_bytes(w, o->rks[i].spki, o->rks[i].spki_len);
	}
	memo_w_u32(w, (uint32_t)o->nchildren);
	for (i = 0; i < o->nchildren; i++)
		put_child(w, &o->children[i]);
}

/*
 * The identity of a publication point's cache directory: any entry
 * created, removed or renamed in it changes its change time (ctime), which
 * no process can set, and the fetcher never rewrites a file in place
 * (struct pp_fileid).  So while the identity is the same, so are the
 * directory's files, and a reused point need not look at each of them.
 * A new cache generation (cache.h) is a new directory: its points fall
 * back to checking every file.
 */
struct dir_id {
	int		known;
	uint64_t	dev, ino;
	int64_t		ctime_sec, ctime_nsec, mtime_sec, mtime_nsec;
};

static int
dir_id_of(const char *dir, struct dir_id *id)
{
	struct stat sb;

	memset(id, 0, sizeof(*id));
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
		return -1;
	id->known = 1;
	id->dev = (uint64_t)sb.st_dev;
	id->ino = (uint64_t)sb.st_ino;
	id->ctime_sec = (int64_t)sb.st_ctim.tv_sec;
	id->ctime_nsec = (int64_t)sb.st_ctim.tv_nsec;
	id->mtime_sec = (int64_t)sb.st_mtim.tv_sec;
	id->mtime_nsec = (int64_t)sb.st_mtim.tv_nsec;
	return 0;
}

static int
dir_id_equal(const struct dir_id *a, const struct dir_id *b)
{
	return a->known && b->known && a->dev == b->dev && a->ino == b->ino &&
	    a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec &&
	    a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec;
}

/*
 * The identity of ctx's cache directory, taken before its files are
 * read, or none (known 0).  File system times advance in clock ticks, so
 * a change made in the same tick as the one before it leaves the ctime
 * as it was: an identity is kept only when the directory last changed
 * DIR_RACY_SECONDS or more before now (real time, not the validation
 * time), after which any change shows as a later ctime.
 */
static void
dir_id_take(const struct pubpoint_ctx *ctx, struct dir_id *id)
{
	struct timespec now;
	char *dir;

	memset(id, 0, sizeof(*id));
	if ((dir = pubpoint_cache_dir(ctx)) == NULL)
		return;
	if (dir_id_of(dir, id) == 0 &&
	    (clock_gettime(CLOCK_REALTIME, &now) == -1 ||
	    id->ctime_sec > (int64_t)now.tv_sec - DIR_RACY_SECONDS))
		id->known = 0;
	free(dir);
}

static void
put_dir_id(struct memo_wbuf *w, const struct dir_id *id)
{
	memo_w_u8(w, (uint8_t)id->known);
	memo_w_u64(w, id->dev);
	memo_w_u64(w, id->ino);
	memo_w_u64(w, (uint64_t)id->ctime_sec);
	memo_w_u64(w, (uint64_t)id->ctime_nsec);
	memo_w_u64(w, (uint64_t)id->mtime_sec);
	memo_w_u64(w, (uint64_t)id->mtime_nsec);
}

static void
get_dir_id(struct memo_rbuf *r, struct dir_id *id)
{
	id->known = memo_r_u8(r) == 1;
	id->dev = memo_r_u64(r);
	id->ino = memo_r_u64(r);
	id->ctime_sec = (int64_t)memo_r_u64(r);
	id->ctime_nsec = (int64_t)memo_r_u64(r);
	id->mtime_sec = (int64_t)memo_r_u64(r);
	id->mtime_nsec = (int64_t)memo_r_u64(r);
}

static void
put_fileid(struct memo_wbuf *w, const struct pp_fileid *id)
{
	memo_w_u64(w, id->dev);
	memo_w_u64(w, id->ino);
	memo_w_u64(w, id->size);
	memo_w_u64(w, (uint64_t)id->mtime_sec);
	memo_w_u64(w, (uint64_t)id->mtime_nsec);
}

static void
get_fileid(struct memo_rbuf *r, struct pp_fileid *id)
{
	id->dev = memo_r_u64(r);
	id->ino = memo_r_u64(r);
	id->size = memo_r_u64(r);
	id->mtime_sec = (int64_t)memo_r_u64(r);
	id->mtime_nsec = (int64_t)memo_r_u64(r);
}

/*
 * Whether the memo already holds the record w, but for its time (at
 * made_off), and that time is not after this run's.  Such a record is
 * as good as w: a full validation at its time gave the same result,
 * and since stable_until is the same no time it compared with lies in
 * between, so keeping it spares a write (a --full run of an unchanged
 * repository rewrites nothing).
 */
static int
same_record(const struct pubpoint_ctx *ctx, struct memo *m,
    const struct memo_wbuf *w, size_t made_off)
{
	unsigned char *old;
	size_t len;
	struct memo_rbuf r;
	int same;

	if (memo_get(m, ctx->ca->mft, &old, &len, NULL) == -1)
		return 0;
	memset(&r, 0, sizeof(r));
	r.data = old;
	r.len = len;
	r.off = made_off;
	same = len == w->len && memcmp(old, w->data, made_off) == 0 &&
	    (int64_t)memo_r_u64(&r) <= ctx->now && !r.failed &&
	    memcmp(old + r.off, w->data + r.off, len - r.off) == 0;
	free(old);
	return same;
}

/*
 * Write the record of a full validation of ctx's point.  Returns 0 when
 * the memo already held the same record (but for its time), else 1.
 */
static int
save(const struct pubpoint_ctx *ctx, struct memo *m,
    const struct pubpoint_out *o, const struct recorder *rec,
    const struct dir_id *did)
{
	struct memo_wbuf w = { 0 };
	unsigned char key[HASH_SHA256_LEN];
	char sname[PATH_MAX];
	size_t i, made_off;
	int changed = 1;

	if (point_key(ctx, key) == -1)
		return 1;
	store_copy(ctx, sname);
	memo_w_bytes(&w, key, sizeof(key));
	memo_w_bytes(&w, o->mft_hash, sizeof(o->mft_hash));
	put_fileid(&w, &o->mft_id);
	put_dir_id(&w, did);
	memo_w_str(&w, sname);
	made_off = w.len;
	memo_w_u64(&w, (uint64_t)ctx->now);
	memo_w_u64(&w, (uint64_t)o->stable_until);
	memo_w_u32(&w, (uint32_t)o->nlisted);
	for (i = 0; i < o->nlisted; i++) {
		memo_w_str(&w, o->listed[i].name);
		memo_w_bytes(&w, o->listed[i].hash, HASH_SHA256_LEN);
		put_fileid(&w, &o->listed[i].id);
	}
	for (i = 0; i < STATS_N; i++)
		memo_w_u64(&w, *stat_at((struct walk_stats *)&o->stats, i));
	put_payloads(&w, o);
	memo_w_u32(&w, rec->n);
	memo_w_u32(&w, rec->rejected);
	memo_w_bytes(&w, rec->md, sizeof(rec->md));
	/* The entries' digest stands for them: same_record() compares it. */
	if (!w.failed && !rec->w.failed) {
		if (!same_record(ctx, m, &w, made_off))
			(void)memo_put(m, ctx->ca->mft, w.data, w.len,
			    rec->w.data, rec->w.len);
		else
			changed = 0;
	}
	memo_wbuf_free(&w);
	return changed;
}

/* Expiry along the chain above, applied to the point's own. */
static void
apply_chain(const struct pubpoint_ctx *ctx, struct pubpoint_out *o)
{
	size_t i;

	for (i = 0; i < o->nvrps; i++) {
		o->vrps[i].ta = ctx->ta;
		o->vrps[i].expires = valid_expires_min(ctx->expires,
		    o->vrps[i].expires);
	}
	for (i = 0; i < o->naspas; i++) {
		o->aspas[i].ta = ctx->ta;
		o->aspas[i].expires = valid_expires_min(ctx->expires,
		    o->aspas[i].expires);
	}
	for (i = 0; i < o->nrks; i++) {
		o->rks[i].ta = ctx->ta;
		o->rks[i].expires = valid_expires_min(ctx->expires,
		    o->rks[i].expires);
	}
	for (i = 0; i < o->nchildren; i++)
		o->children[i].expires = valid_expires_min(ctx->expires,
		    o->children[i].expires);
}

/* Deferred entries. */

/*
 * The digest of e's entries (by their own, e->entries_md) and of what
 * they are relative to.
 */
static void
entries_digest(struct ppmemo_entries *e)
{
	static const char what[] = "reef publication point entries 2";
	struct hash_sha256_ctx h;
	uint32_t v[2] = { e->ta, e->n };

	memset(e->digest, 0, sizeof(e->digest));
	if (hash_sha256_init(&h) == -1)
		return;
	(void)hash_sha256_update(&h, what, sizeof(what));
	(void)hash_sha256_update(&h, e->ca_uri, strlen(e->ca_uri) + 1);
	(void)hash_sha256_update(&h, e->mft != NULL ? e->mft : "",
	    e->mft != NULL ? strlen(e->mft) + 1 : 1);
	(void)hash_sha256_update(&h, v, sizeof(v));
	(void)hash_sha256_update(&h, e->entries_md, sizeof(e->entries_md));
	(void)hash_sha256_final(&h, e->digest);
}

/*
 * Fill e with n entries of ctx's point whose digest is md: len bytes at
 * data (taken over), or, data NULL, in the tail of m's record.  Returns
 * 0, or -1 on ENOMEM (e then holds nothing).
 */
static int
entries_set(struct ppmemo_entries *e, const struct pubpoint_ctx *ctx,
    unsigned char *data, size_t len, uint32_t n, const unsigned char *md,
    struct memo *m, const struct memo_tail *tail)
{
	memset(e, 0, sizeof(*e));
	e->data = data;
	e->len = len;
	e->n = n;
	e->ta = ctx->ta;
	memcpy(e->entries_md, md, sizeof(e->entries_md));
	if (data == NULL && tail != NULL) {
		e->memo = m;
		e->tail = *tail;
		e->tail.data = NULL;	/* in the record's buffer, freed */
	}
	if ((e->ca_uri = strdup(ctx->ca_uri != NULL ? ctx->ca_uri : "")) ==
	    NULL || (ctx->ca->mft != NULL &&
	    (e->mft = strdup(ctx->ca->mft)) == NULL)) {
		ppmemo_entries_free(e);
		return -1;
	}
	entries_digest(e);
	return 0;
}

void
ppmemo_entries_free(struct ppmemo_entries *e)
{
	if (e == NULL)
		return;
	free(e->data);
	free(e->ca_uri);
	free(e->mft);
	memset(e, 0, sizeof(*e));
}

/*
 * A full validation, recorded; its report entries go to defer when not
 * NULL (-1 if they cannot be kept there).
 */
static int
full(const struct pubpoint_ctx *ctx, struct memo *m, struct pubpoint_out *o,
    struct ppmemo_entries *defer)
{
	struct pubpoint_ctx c = *ctx;
	struct recorder rec;
	struct dir_id did;
	unsigned char *data;
	int rc, changed = 1;

	memset(&did, 0, sizeof(did));
	if (m != NULL)
		dir_id_take(ctx, &did);
	memset(&rec, 0, sizeof(rec));
	rec.ctx = ctx;
	rec.forward = defer == NULL;
	c.expires = INT64_MAX;		/* the point's own expiry only */
	c.report = record_report;
	c.report_arg = &rec;
	rc = pubpoint_process(&c, o);
	if (rec.w.failed || hash_sha256(rec.w.data, rec.w.len, rec.md) == -1)
		rec.w.failed = 1;
	if (m != NULL) {
		if (rc == 0 && !o->from_store && o->stable_until > ctx->now &&
		    o->listed != NULL)
			changed = save(ctx, m, o, &rec, &did);
		else
			memo_drop(m, ctx->ca->mft);
	}
	if (defer != NULL) {
		data = rec.w.failed ? NULL : rec.w.data;
		if (!rec.w.failed)
			rec.w.data = NULL;	/* entries_set() takes it */
		if (rec.w.failed || entries_set(defer, ctx, data, rec.w.len,
		    rec.n, rec.md, NULL, NULL) == -1) {
			log_errorx_obj(ctx->ca->mft, "out of memory for the "
			    "report entries");
			defer->lost = 1;
		} else
			defer->changed = changed;
	}
	memo_wbuf_free(&rec.w);
	apply_chain(ctx, o);
	return rc;
}

/* Replay. */

/* A listed file of the record: its name and manifest digest. */
struct kept {
	const char		*name;		/* in the record */
	const unsigned char	*hash;		/* in the record */
};

/*
 * A child CA handed to the walk by a reused point: a struct cert without
 * its DER, key or raw extensions (x509, der NULL), holding what the walk
 * and the child's record key use, with its effective resources as the
 * full validation resolved them.  When the child's own point cannot be
 * reused, ppmemo_process() parses the certificate again from path,
 * checking it still has the digest its issuer's manifest gives.  One
 * allocation with the struct cert first, so cert_free() releases it all.
 */
struct memo_cert {
	struct cert	c;
	char		path[];		/* the .cer file in the cache */
};

struct replay {
	const struct pubpoint_ctx *ctx;
	struct memo_rbuf r;
	char		*dir;		/* cache directory of the point */
	int		 dfd;		/* ... open */
	struct kept	*kept;
	size_t		 nkept;
	size_t		 dir_len;	/* mft_dir_len(ctx) */
	int		 dir_same;	/* the directory is as recorded */
	struct ppmemo_entries *defer;	/* NULL: entries to ctx->report */
	int		 read_now;	/* ppmemo_process()'s */
	struct memo	*m;
	struct memo_tail tail;		/* the record's: its report entries */
};

/* The next n bytes of r, in place; NULL (r failed) past its end. */
static const unsigned char *
r_span(struct memo_rbuf *r, size_t n)
{
	const unsigned char *s;

	if (r->failed || n > r->len - r->off) {
		r->failed = 1;
		return NULL;
	}
	s = r->data + r->off;
	r->off += n;
	return s;
}

/* A name that stays inside the point's directory. */
static int
plain_name(const char *name)
{
	return name != NULL && name[0] != '\0' && name[0] != '.' &&
	    strchr(name, '/') == NULL;
}

/* Read name in dfd and compare its digest with hash.  Returns 0 or -1. */
static int
same_file(int dfd, const char *name, const unsigned char *hash)
{
	unsigned char md[HASH_SHA256_LEN], *der;
	size_t len;
	int rc;

	if (!plain_name(name) || pp_read_file_at(dfd, name, &der, &len) == -1)
		return -1;
	rc = hash_sha256(der, len, md) == 0 &&
	    hash_equal(md, hash, HASH_SHA256_LEN) ? 0 : -1;
	free(der);
	return rc;
}

/*
 * Whether name in dfd still has the digest hash: it is the very file the
 * full validation read (identity was, ppmemo.h), or its bytes have that
 * digest.  Returns 0 or -1.
 */
static int
file_unchanged(int dfd, const char *name, const unsigned char *hash,
    const struct pp_fileid *was)
{
	struct pp_fileid now;

	if (plain_name(name) && pp_file_id_at(dfd, name, &now) == 0 &&
	    pp_fileid_equal(&now, was))
		return 0;
	return same_file(dfd, name, hash);
}

/* The record's conditions of reuse, up to the listed files.  0 or -1. */
static int
check_inputs(struct replay *p)
{
	const struct pubpoint_ctx *ctx = p->ctx;
	unsigned char key[HASH_SHA256_LEN], want[HASH_SHA256_LEN],
	    mhash[HASH_SHA256_LEN];
	struct pp_fileid mid;
	struct dir_id did, now;
	const char *stored, *slash;
	char sname[PATH_MAX], *dir;
	int64_t made, until;
	int same;

	if (point_key(ctx, key) == -1 ||
	    memo_r_bytes(&p->r, want, sizeof(want)) == -1 ||
	    !hash_equal(key, want, sizeof(key)) ||
	    memo_r_bytes(&p->r, mhash, sizeof(mhash)) == -1)
		return -1;
	get_fileid(&p->r, &mid);
	get_dir_id(&p->r, &did);
	stored = memo_r_str(&p->r);
	store_copy(ctx, sname);
	same = stored != NULL && strcmp(stored, sname) == 0;
	made = (int64_t)memo_r_u64(&p->r);
	until = (int64_t)memo_r_u64(&p->r);
	if (!same || p->r.failed || ctx->now < made || ctx->now >= until)
		return -1;
	if ((p->dir = dir = pubpoint_cache_dir(ctx)) == NULL)
		return -1;
	/* The same directory: the same files, none need looking at. */
	if (did.known && dir_id_of(dir, &now) == 0 &&
	    dir_id_equal(&did, &now)) {
		p->dir_same = 1;
		return 0;
	}
	p->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->dfd == -1 || (slash = strrchr(ctx->ca->mft, '/')) == NULL ||
	    file_unchanged(p->dfd, slash + 1, mhash, &mid) == -1)
		return -1;
	return 0;
}

/*
 * Every listed file unchanged, kept by name for the children.  A file
 * whose identity (ppmemo.h) is the one recorded is not read again; any
 * other is read and its digest compared with the manifest's.  0 or -1.
 */
static int
check_listed(struct replay *p)
{
	const unsigned char *hash;
	struct pp_fileid was;
	const char *name;
	uint32_t i, n = memo_r_u32(&p->r);

	if (p->r.failed || n > PPMEMO_MAX_ENTRIES ||
	    (p->kept = calloc(n + 1, sizeof(*p->kept))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		name = memo_r_str(&p->r);
		hash = r_span(&p->r, HASH_SHA256_LEN);
		get_fileid(&p->r, &was);
		if (p->r.failed || !plain_name(name))
			return -1;
		p->kept[p->nkept].name = name;
		p->kept[p->nkept++].hash = hash;
		if (!p->dir_same &&
		    file_unchanged(p->dfd, name, hash, &was) == -1)
			return -1;
	}
	return 0;
}

static int
get_vrps(struct replay *p, struct pubpoint_out *o)
{
	uint32_t i, n = memo_r_u32(&p->r);

	if (p->r.failed || n > PPMEMO_MAX_ENTRIES ||
	    (n > 0 && (o->vrps = calloc(n, sizeof(*o->vrps))) == NULL))
		return -1;
	for (i = 0; i < n && !p->r.failed; i++) {
		get_prefix(&p->r, &o->vrps[i].prefix);
		o->vrps[i].maxlen = memo_r_u8(&p->r);
		o->vrps[i].asn = memo_r_u32(&p->r);
		o->vrps[i].expires = (int64_t)memo_r_u64(&p->r);
	}
	o->nvrps = n;
	return p->r.failed ? -1 : 0;
}

static int
get_aspas(struct replay *p, struct pubpoint_out *o)
{
	uint32_t i, j, np, *prov, n = memo_r_u32(&p->r);

	if (p->r.failed || n > PPMEMO_MAX_ENTRIES ||
	    (n > 0 && (o->aspas = calloc(n, sizeof(*o->aspas))) == NULL))
		return -1;
	for (i = 0; i < n && !p->r.failed; i++) {
		o->aspas[i].customer = memo_r_u32(&p->r);
		o->aspas[i].expires = (int64_t)memo_r_u64(&p->r);
		np = memo_r_u32(&p->r);
		if (p->r.failed || np > PPMEMO_MAX_ENTRIES ||
		    (prov = calloc(np + 1, sizeof(*prov))) == NULL)
			return -1;
		o->aspas[i].providers = prov;
		o->aspas[i].nproviders = np;
		o->naspas = i + 1;
		for (j = 0; j < np; j++)
			prov[j] = memo_r_u32(&p->r);
	}
	return p->r.failed ? -1 : 0;
}

static int
get_rks(struct replay *p, struct pubpoint_out *o)
{
	uint32_t i, len, n = memo_r_u32(&p->r);
	unsigned char *spki;

	if (p->r.failed || n > PPMEMO_MAX_ENTRIES ||
	    (n > 0 && (o->rks = calloc(n, sizeof(*o->rks))) == NULL))
		return -1;
	for (i = 0; i < n && !p->r.failed; i++) {
		o->rks[i].asn = memo_r_u32(&p->r);
		o->rks[i].expires = (int64_t)memo_r_u64(&p->r);
		(void)memo_r_bytes(&p->r, o->rks[i].ski, ROUTER_KEY_SKI_LEN);
		len = memo_r_u32(&p->r);
		if (p->r.failed || len > p->r.len ||
		    (spki = malloc(len + 1)) == NULL)
			return -1;
		o->rks[i].spki = spki;
		o->rks[i].spki_len = len;
		o->nrks = i + 1;
		(void)memo_r_bytes(&p->r, spki, len);
	}
	return p->r.failed ? -1 : 0;
}

/* A listed file by the last segment of uri, or NULL. */
static const struct kept *
find_kept(const struct replay *p, const char *uri)
{
	const char *slash = strrchr(uri, '/');
	size_t i;

	for (i = 0; slash != NULL && i < p->nkept; i++)
		if (strcmp(p->kept[i].name, slash + 1) == 0)
			return &p->kept[i];
	return NULL;
}

/* Effective resources written by put_resources().  0 or -1. */
static int
get_resources(struct memo_rbuf *r, struct cert *c)
{
	struct ip_res_afi *a;
	size_t i, j;

	if (memo_r_u8(r) && (c->ips = calloc(1, sizeof(*c->ips))) == NULL)
		return -1;
	for (i = 0; c->ips != NULL && i < IP_RES_NAFI && !r->failed; i++) {
		a = &c->ips->afi[i];
		j = memo_r_u8(r);
		a->present = j & 1;
		a->inherit = (j >> 1) & 1;
		a->nranges = memo_r_u32(r);
		if (r->failed || a->nranges > PPMEMO_MAX_ENTRIES ||
		    (a->ranges = calloc(a->nranges + 1,
		    sizeof(*a->ranges))) == NULL)
			return -1;
		for (j = 0; j < a->nranges; j++) {
			(void)memo_r_bytes(r, a->ranges[j].min,
			    PREFIX_ADDR_MAX);
			(void)memo_r_bytes(r, a->ranges[j].max,
			    PREFIX_ADDR_MAX);
			a->ranges[j].plen = (int)(int32_t)memo_r_u32(r);
		}
	}
	if (!memo_r_u8(r) || r->failed)
		return r->failed ? -1 : 0;
	if ((c->ases = calloc(1, sizeof(*c->ases))) == NULL)
		return -1;
	c->ases->inherit = memo_r_u8(r);
	c->ases->nranges = memo_r_u32(r);
	if (r->failed || c->ases->nranges > PPMEMO_MAX_ENTRIES ||
	    (c->ases->ranges = calloc(c->ases->nranges + 1,
	    sizeof(*c->ases->ranges))) == NULL)
		return -1;
	for (i = 0; i < c->ases->nranges; i++) {
		c->ases->ranges[i].min = memo_r_u32(r);
		c->ases->ranges[i].max = memo_r_u32(r);
	}
	return r->failed ? -1 : 0;
}

/* A string of the record, copied; NULL stays NULL.  0 or -1. */
static int
get_strdup(struct memo_rbuf *r, char **out)
{
	const char *s = memo_r_str(r);

	*out = NULL;
	if (r->failed || s == NULL)
		return r->failed ? -1 : 0;
	return (*out = strdup(s)) == NULL ? -1 : 0;
}

/* One child as put_child() wrote it, for the walk.  NULL on failure. */
static struct cert *
get_child(struct replay *p, struct pp_child *ch)
{
	const struct kept *k;
	struct memo_cert *mc;
	struct cert *c;
	const char *uri;
	size_t plen;

	uri = memo_r_str(&p->r);
	ch->expires = (int64_t)memo_r_u64(&p->r);
	if (p->r.failed || uri == NULL || (k = find_kept(p, uri)) == NULL)
		return NULL;
	plen = strlen(p->dir) + 1 + strlen(k->name) + 1;
	if ((mc = calloc(1, sizeof(*mc) + plen)) == NULL)
		return NULL;
	snprintf(mc->path, plen, "%s/%s", p->dir, k->name);
	c = &mc->c;
	c->purpose = CERT_CA;
	memcpy(c->der_hash, k->hash, HASH_SHA256_LEN);
	c->has_der_hash = 1;
	(void)memo_r_bytes(&p->r, c->ski, CERT_KEYID_LEN);
	if (get_strdup(&p->r, &c->repo) == -1 ||
	    get_strdup(&p->r, &c->mft) == -1 ||
	    get_strdup(&p->r, &c->notify) == -1 ||
	    (c->notbefore = (int64_t)memo_r_u64(&p->r),
	    c->notafter = (int64_t)memo_r_u64(&p->r), p->r.failed) ||
	    get_resources(&p->r, c) == -1 ||
	    (ch->uri = strdup(uri)) == NULL) {
		cert_free(c);
		return NULL;
	}
	return c;
}

/* Children, as the full validation accepted them (see memo_cert). */
static int
get_children(struct replay *p, struct pubpoint_out *o)
{
	uint32_t i, n = memo_r_u32(&p->r);

	if (p->r.failed || n > PPMEMO_MAX_ENTRIES ||
	    (n > 0 && (o->children = calloc(n, sizeof(*o->children))) ==
	    NULL))
		return -1;
	for (i = 0; i < n; i++) {
		o->nchildren = i + 1;
		if ((o->children[i].cert = get_child(p, &o->children[i])) ==
		    NULL)
			return -1;
	}
	return 0;
}

/* Encoded report entries and what they are relative to. */
struct entry_src {
	struct memo_rbuf r;
	const char	*ca_uri;
	const char	*mft;
	size_t		 dir_len;	/* dir_len_of(mft) */
	walk_report_fn	 fn;		/* for ENTRY_EMIT */
	void		*arg;
};

/* What get_report() does with an entry besides checking it (flags). */
#define ENTRY_CHECK	0x00
#define ENTRY_LOG	0x01	/* log it if rejected */
#define ENTRY_PASS	0x02	/* pass it to s->fn */

/* n prefixes or providers of an entry, skipped or into a new array. */
static void *
get_prefixes(struct memo_rbuf *r, uint32_t n, int keep)
{
	struct roa_ip *ips = NULL;
	uint32_t i;

	if (r->failed || n > PPMEMO_MAX_ENTRIES ||
	    (keep && (ips = calloc(n + 1, sizeof(*ips))) == NULL)) {
		r->failed = 1;
		return NULL;
	}
	for (i = 0; i < n && !r->failed; i++) {
		if (!keep) {
			(void)r_span(r, 2 + PREFIX_ADDR_MAX + 1);
			continue;
		}
		get_prefix(r, &ips[i].prefix);
		ips[i].maxlen = memo_r_u8(r);
	}
	return ips;
}

static uint32_t *
get_providers(struct memo_rbuf *r, uint32_t n, int keep)
{
	uint32_t *prov = NULL, i;

	if (r->failed || n > PPMEMO_MAX_ENTRIES ||
	    (keep && (prov = calloc(n + 1, sizeof(*prov))) == NULL)) {
		r->failed = 1;
		return NULL;
	}
	if (!keep) {
		(void)r_span(r, (size_t)n * 4);
		return NULL;
	}
	for (i = 0; i < n; i++)
		prov[i] = memo_r_u32(r);
	return prov;
}

/*
 * One report entry of s, checked and used as use says.  *rejected is
 * raised for an entry that was rejected.
 */
static void
get_report(struct entry_src *s, int use, uint32_t *rejected)
{
	struct memo_rbuf *r = &s->r;
	struct walk_detail d;
	struct roa_ip *ips = NULL;
	uint32_t *prov = NULL;
	const char *uri, *type, *why;
	char full[MAX_URI_LENGTH + 1];
	size_t ul, dl = s->dir_len;
	uint8_t ok, fl;
	int keep = (use & ENTRY_PASS) != 0;

	memset(&d, 0, sizeof(d));
	fl = memo_r_u8(r);
	uri = memo_r_str(r);
	type = memo_r_str(r);
	ok = memo_r_u8(r);
	why = memo_r_str(r);
	if ((fl & RD_IN_DIR) && uri != NULL) {
		ul = strlen(uri);
		full[0] = '\0';
		if (dl == 0 || dl + ul >= sizeof(full))
			r->failed = 1;
		else if (use != ENTRY_CHECK) {
			memcpy(full, s->mft, dl);
			memcpy(full + dl, uri, ul + 1);
		}
		uri = full;
	}
	if (fl & RD_DETAIL) {
		d.issuer = (fl & RD_ISSUER_CA) ? s->ca_uri : memo_r_str(r);
		d.manifest = (fl & RD_MFT_CA) ? s->mft : memo_r_str(r);
	}
	if (fl & RD_VALIDITY) {
		d.has_validity = 1;
		d.not_before = (int64_t)memo_r_u64(r);
		d.not_after = (int64_t)memo_r_u64(r);
	}
	if (fl & RD_UPDATE) {
		d.has_update = 1;
		d.this_update = (int64_t)memo_r_u64(r);
		d.next_update = (int64_t)memo_r_u64(r);
	}
	if (fl & RD_ASN) {
		d.has_asn = 1;
		d.asn = memo_r_u32(r);
		d.nprefixes = memo_r_u32(r);
		d.prefixes = ips = get_prefixes(r, (uint32_t)d.nprefixes,
		    keep);
	}
	if (fl & RD_CUSTOMER) {
		d.has_customer = 1;
		d.customer = memo_r_u32(r);
		d.nproviders = memo_r_u32(r);
		d.providers = prov = get_providers(r, (uint32_t)d.nproviders,
		    keep);
	}
	if (uri == NULL || type == NULL)
		r->failed = 1;
	if (!r->failed && !ok)
		(*rejected)++;
	if (!r->failed && (use & ENTRY_LOG) && !ok && why != NULL)
		log_warnx_obj(uri, "%s", why);
	if (!r->failed && (use & ENTRY_PASS))
		s->fn(s->arg, uri, type, ok, why, (fl & RD_DETAIL) ? &d : NULL);
	free(ips);
	free(prov);
}

/*
 * Check all n entries of s, then, as use says, log the rejected ones
 * and pass each to s->fn.  Returns 0, or -1 (nothing logged or passed)
 * when they do not decode to the end of s.
 */
static int
use_entries(struct entry_src *s, uint32_t n, int use)
{
	uint32_t i, rejected = 0, again = 0;
	size_t start = s->r.off;

	if (n > PPMEMO_MAX_ENTRIES)
		return -1;
	for (i = 0; i < n && !s->r.failed; i++)
		get_report(s, ENTRY_CHECK, &rejected);
	if (s->r.failed || s->r.off != s->r.len)
		return -1;
	if (rejected == 0)
		use &= ~ENTRY_LOG;
	if (use == ENTRY_CHECK)
		return 0;
	s->r.off = start;
	for (i = 0; i < n; i++)
		get_report(s, use, &again);
	return 0;
}

/*
 * The n entries of the tail of key's record in m, which must have the
 * digest md: in *buf (malloc'd).  Returns 0, or -1 when it is gone or
 * changed.
 */
static int
read_entries(struct memo *m, const char *key, const struct memo_tail *tail,
    const unsigned char *md, unsigned char **buf)
{
	unsigned char *b, got[HASH_SHA256_LEN];

	*buf = NULL;
	if ((b = malloc(tail->len + 1)) == NULL)
		return -1;
	if (tail->data != NULL)
		memcpy(b, tail->data, tail->len);
	else if (memo_get_tail(m, key, tail, b) == -1) {
		free(b);
		return -1;
	}
	if (hash_sha256(b, tail->len, got) == -1 ||
	    !hash_equal(got, md, HASH_SHA256_LEN)) {
		free(b);
		return -1;
	}
	*buf = b;
	return 0;
}

int
ppmemo_entries_emit(const struct ppmemo_entries *e, walk_report_fn fn,
    void *arg)
{
	struct entry_src s;
	unsigned char *tail = NULL;
	int rc;

	memset(&s, 0, sizeof(s));
	s.r.data = e->data;
	s.r.len = e->len;
	if (e->data == NULL && e->memo != NULL) {
		if (e->mft == NULL || read_entries(e->memo, e->mft, &e->tail,
		    e->entries_md, &tail) == -1)
			return -1;
		s.r.data = tail;
		s.r.len = e->tail.len;
	}
	s.ca_uri = e->ca_uri;
	s.mft = e->mft;
	s.dir_len = dir_len_of(e->mft);
	s.fn = fn;
	s.arg = arg;
	/* Rejected objects were logged when the entries were kept. */
	rc = use_entries(&s, e->n, ENTRY_PASS);
	free(tail);
	return rc;
}

/*
 * The record's report entries, checked, then passed to ctx->report or,
 * with p->defer, kept there: by where they are in the record's tail
 * when nothing needs them now (the point has no rejected object to log
 * again), else read.  0 or -1.
 */
static int
replay_reports(struct replay *p)
{
	const struct pubpoint_ctx *ctx = p->ctx;
	const unsigned char *md;
	struct entry_src s;
	unsigned char *data = NULL;
	uint32_t n = memo_r_u32(&p->r), rejected = memo_r_u32(&p->r);
	int use;

	md = r_span(&p->r, HASH_SHA256_LEN);
	if (p->r.failed || p->r.off != p->r.len)
		return -1;
	memset(&s, 0, sizeof(s));
	s.ca_uri = ctx->ca_uri;
	s.mft = ctx->ca->mft;
	s.dir_len = p->dir_len;
	if (p->defer == NULL && ctx->report != NULL) {
		s.fn = ctx->report;
		s.arg = ctx->report_arg;
	}
	use = (rejected > 0 ? ENTRY_LOG : 0) | (s.fn != NULL ? ENTRY_PASS :
	    0);
	/* Wanted at once and at hand: read (ppmemo_entries_emit() checks). */
	if (use != 0 || (p->defer != NULL && p->read_now &&
	    p->tail.data != NULL)) {
		if (read_entries(p->m, ctx->ca->mft, &p->tail, md, &data) == -1)
			return -1;
		s.r.data = data;
		s.r.len = p->tail.len;
		if (use != 0 && use_entries(&s, n, use) == -1) {
			free(data);
			return -1;
		}
	}
	if (p->defer == NULL) {
		free(data);
		return 0;
	}
	if (entries_set(p->defer, ctx, data, data != NULL ? p->tail.len : 0,
	    n, md, p->m, &p->tail) == -1)
		return -1;
	if (data == NULL)
		memo_lend(p->m, ctx->ca->mft);
	return 0;
}

static void
replay_free(struct replay *p)
{
	free(p->kept);
	free(p->dir);
	if (p->dfd != -1)
		close(p->dfd);
}

/* Reuse the record of ctx's point if it may be.  0 (reused) or -1. */
static int
replay(const struct pubpoint_ctx *ctx, struct memo *m,
    struct pubpoint_out *o, struct ppmemo_entries *defer, int read_now)
{
	struct replay p;
	unsigned char *buf;
	size_t i, len;
	int rc = -1;

	memset(o, 0, sizeof(*o));
	memset(&p, 0, sizeof(p));
	if (memo_get(m, ctx->ca->mft, &buf, &len, &p.tail) == -1)
		return -1;
	p.dfd = -1;
	p.ctx = ctx;
	p.defer = defer;
	p.read_now = read_now;
	p.m = m;
	p.dir_len = mft_dir_len(ctx);
	p.r.data = buf;
	p.r.len = len;
	if (check_inputs(&p) == -1 || check_listed(&p) == -1)
		goto out;
	for (i = 0; i < STATS_N; i++)
		*stat_at(&o->stats, i) = (size_t)memo_r_u64(&p.r);
	if (p.r.failed || get_vrps(&p, o) == -1 || get_aspas(&p, o) == -1 ||
	    get_rks(&p, o) == -1 || get_children(&p, o) == -1 ||
	    replay_reports(&p) == -1)
		goto out;
	o->stats.pubpoints_reused = 1;
	o->stable_until = INT64_MAX;
	apply_chain(ctx, o);
	rc = 0;
 out:
	if (rc == -1)
		pubpoint_out_free(o);
	replay_free(&p);
	free(buf);
	return rc;
}

int
ppmemo_program_tag(unsigned char *tag)
{
	unsigned char md[HASH_SHA256_LEN];

	if (hash_sha256_file("/proc/self/exe", INT64_MAX, md, NULL) == -1)
		return -1;
	memcpy(tag, md, MEMO_TAG_LEN);
	return 0;
}

/*
 * The certificate a memo_cert stands for, parsed from its file again; its
 * digest must still be the one its issuer's manifest gave, and it keeps
 * the effective resources the full validation resolved.  NULL on failure
 * (logged).
 */
static struct cert *
reparse(const struct cert *lc)
{
	const struct memo_cert *mc = (const struct memo_cert *)lc;
	unsigned char *der, md[HASH_SHA256_LEN];
	struct cert *c = NULL;
	size_t len;

	if (pp_read_file(mc->path, &der, &len) == -1) {
		log_msg_errno(LOG_LEVEL_WARNING, mc->path, "cannot read it "
		    "again");
		return NULL;
	}
	if (hash_sha256(der, len, md) == -1 ||
	    !hash_equal(md, lc->der_hash, HASH_SHA256_LEN))
		log_warnx_obj(mc->path, "changed in the cache during the run");
	else if ((c = cert_parse(mc->path, der, len)) != NULL) {
		ip_res_free(c->ips);
		as_res_free(c->ases);
		c->ips = lc->ips != NULL ? ip_res_dup(lc->ips) : NULL;
		c->ases = lc->ases != NULL ? as_res_dup(lc->ases) : NULL;
		if ((lc->ips != NULL && c->ips == NULL) ||
		    (lc->ases != NULL && c->ases == NULL) ||
		    c->purpose != CERT_CA) {
			cert_free(c);
			c = NULL;
		}
	}
	free(der);
	return c;
}

/* The point of a child handed over by a reused point (memo_cert). */
static int
process_replayed(const struct pubpoint_ctx *ctx, struct memo *m,
    enum ppmemo_mode mode, struct pubpoint_out *out,
    struct ppmemo_entries *defer, int read_now)
{
	struct pubpoint_ctx c = *ctx;
	int rc;

	if (m != NULL && mode == PPMEMO_REUSE &&
	    replay(ctx, m, out, defer, read_now) == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	if ((c.ca = reparse(ctx->ca)) == NULL) {
		out->stats.pubpoints = 1;
		out->stats.pubpoints_failed = 1;
		return -1;
	}
	rc = full(&c, m, out, defer);
	cert_free((struct cert *)c.ca);
	return rc;
}

int
ppmemo_process(const struct pubpoint_ctx *ctx, struct memo *m,
    enum ppmemo_mode mode, struct pubpoint_out *out,
    struct ppmemo_entries *defer, int read_now)
{
	if (defer != NULL)
		memset(defer, 0, sizeof(*defer));
	if (ctx->ca->x509 == NULL && ctx->ca->der == NULL &&
	    ctx->ca->has_der_hash)
		return process_replayed(ctx, m, mode, out, defer, read_now);
	if (m != NULL && mode == PPMEMO_REUSE && ctx->ca->mft != NULL &&
	    replay(ctx, m, out, defer, read_now) == 0)
		return 0;
	return full(ctx, m, out, defer);
}
