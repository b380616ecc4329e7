/*
 * One publication point; see pubpoint.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fdread.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/aspa.h"
#include "validator/crl.h"
#include "validator/mft.h"
#include "validator/pubpoint.h"
#include "validator/roa.h"
#include "validator/uri.h"
#include "validator/validate.h"

/* One listed file as read and hash-checked. */
struct pp_file {
	unsigned char	*der;
	size_t		 len;
	struct pp_fileid id;
};

/* A publication point as read from one directory (cache or store). */
struct pp_view {
	struct mft	*mft;
	unsigned char	*mft_der;
	size_t		 mft_len;
	unsigned char	 mft_hash[HASH_SHA256_LEN];
	struct pp_fileid mft_id;	/* the manifest file as it was read */
	struct crl	*crl;
	size_t		 crl_idx;	/* index of the CRL in mft->files */
	struct pp_file	*files;		/* parallel to mft->files */
	int64_t		 expires;	/* ctx->expires, CRL and manifest */
};

/* Names derived from the CA's rpkiManifest URI. */
struct pp_names {
	const char	*mft_uri;
	char		*dir_uri;	/* "rsync://.../" of the manifest */
	const char	*mft_name;	/* last segment of mft_uri */
	char		*cache_dir;	/* local directory in the cache */
};

/* Where a view's files come from: a cache directory or a stored copy. */
struct pp_source {
	const char		*dir;	/* or NULL: */
	const struct storepack	*pack;
};

/* A report entry for an object listed by ctx's manifest. */
static void
report_d(const struct pubpoint_ctx *ctx, const char *uri, const char *type,
    int ok, const char *why, const struct walk_detail *d)
{
	if (ctx->report != NULL)
		ctx->report(ctx->report_arg, uri, type, ok, why, d);
}

/*
 * Why a parser rejected uri: the reason it logged, with its RFC citation
 * (common/log.h keeps it per thread), or a generic one if it logged none.
 * Call log_last_reset() before the parser.
 */
static const char *
parse_why(const char *uri)
{
	const char *m = log_last_message(uri);

	return m != NULL ? m : "malformed (see the log)";
}

/* The detail every object of this publication point shares. */
static void
detail_init(const struct pubpoint_ctx *ctx, struct walk_detail *d)
{
	memset(d, 0, sizeof(*d));
	d->issuer = ctx->ca_uri;
	d->manifest = ctx->ca->mft;
}

/* The validity of an (EE) certificate, when there is one. */
static void
detail_validity(struct walk_detail *d, const struct cert *c)
{
	if (c == NULL)
		return;
	d->has_validity = 1;
	d->not_before = c->notbefore;
	d->not_after = c->notafter;
}

/* A report entry with only the chain (issuer, manifest) as detail. */
static void
report(const struct pubpoint_ctx *ctx, const char *uri, const char *type,
    int ok, const char *why)
{
	struct walk_detail d;

	detail_init(ctx, &d);
	report_d(ctx, uri, type, ok, why, &d);
}

/* A ROA's detail: EE validity and contents (RFC 9582 section 4). */
static void
detail_roa(const struct pubpoint_ctx *ctx, const struct roa *roa,
    struct walk_detail *d)
{
	detail_init(ctx, d);
	detail_validity(d, roa->ee);
	d->has_asn = 1;
	d->asn = roa->asid;
	d->prefixes = roa->ips;
	d->nprefixes = roa->nips;
}

/* An ASPA's detail: EE validity, customer and providers. */
static void
detail_aspa(const struct pubpoint_ctx *ctx, const struct aspa_object *a,
    struct walk_detail *d)
{
	detail_init(ctx, d);
	detail_validity(d, a->ee);
	d->has_customer = 1;
	d->customer = a->customer;
	d->providers = a->providers;
	d->nproviders = a->nproviders;
}

static void
fileid_of(const struct stat *sb, struct pp_fileid *id)
{
	id->dev = (uint64_t)sb->st_dev;
	id->ino = (uint64_t)sb->st_ino;
	id->size = (uint64_t)sb->st_size;
	id->mtime_sec = (int64_t)sb->st_mtim.tv_sec;
	id->mtime_nsec = (int64_t)sb->st_mtim.tv_nsec;
}

int
pp_file_id_at(int dfd, const char *name, struct pp_fileid *id)
{
	struct stat sb;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	fileid_of(&sb, id);
	return 0;
}

int
pp_fileid_equal(const struct pp_fileid *a, const struct pp_fileid *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec;
}

/*
 * Returns 0 with the whole regular file name (relative to dfd, which may
 * be AT_FDCWD) in *buf, else -1.
 */
int
pp_read_file_at(int dfd, const char *name, unsigned char **buf, size_t *len)
{
	return pp_read_file_id(dfd, name, buf, len, NULL);
}

int
pp_read_file_id(int dfd, const char *name, unsigned char **buf, size_t *len,
    struct pp_fileid *id)
{
	struct stat sb;
	unsigned char *b = NULL;
	size_t off;
	ssize_t n;
	int fd, serr;

	*buf = NULL;
	*len = 0;
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (sb.st_size > MAX_FILE_SIZE) {
		errno = EFBIG;
		goto fail;
	}
	/* One more byte to notice a file growing under us. */
	if ((b = malloc((size_t)sb.st_size + 1)) == NULL ||
	    (n = fd_read_full(fd, b, (size_t)sb.st_size + 1)) == -1)
		goto fail;
	off = (size_t)n;
	if (off != (size_t)sb.st_size) {
		errno = EAGAIN;	/* changed while we read it */
		goto fail;
	}
	close(fd);
	if (id != NULL)
		fileid_of(&sb, id);
	*buf = b;
	*len = off;
	return 0;
 fail:
	serr = errno;
	free(b);
	close(fd);
	errno = serr;
	return -1;
}

int
pp_read_file(const char *path, unsigned char **buf, size_t *len)
{
	return pp_read_file_at(AT_FDCWD, path, buf, len);
}

static char *
join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s%s", a, b) == -1)
		return NULL;
	return s;
}

static void
names_free(struct pp_names *n)
{
	free(n->dir_uri);
	free(n->cache_dir);
	memset(n, 0, sizeof(*n));
}

/* Split the manifest URI; returns 0 or -1 (why). */
static int
names_init(const struct pubpoint_ctx *ctx, struct pp_names *n, char *why,
    size_t whylen)
{
	const char *slash;
	char *rel = NULL;
	enum uri_error e;

	memset(n, 0, sizeof(*n));
	n->mft_uri = ctx->ca->mft;
	if (n->mft_uri == NULL || (slash = strrchr(n->mft_uri, '/')) == NULL) {
		snprintf(why, whylen, "RFC 6487 section 4.8.8.1: no "
		    "rpkiManifest");
		return -1;
	}
	n->mft_name = slash + 1;
	if ((n->dir_uri = strndup(n->mft_uri,
	    (size_t)(slash - n->mft_uri) + 1)) == NULL)
		goto nomem;
	if ((e = uri_to_cache_path(n->dir_uri, ctx->uri_flags, &rel)) !=
	    URI_OK) {
		snprintf(why, whylen, "manifest URI: %s", uri_strerror(e));
		names_free(n);
		return -1;
	}
	if (asprintf(&n->cache_dir, "%s/rsync/%s", ctx->cache_dir, rel) ==
	    -1) {
		n->cache_dir = NULL;
		free(rel);
		goto nomem;
	}
	free(rel);
	return 0;
 nomem:
	snprintf(why, whylen, "out of memory");
	names_free(n);
	return -1;
}

static void
view_free(struct pp_view *v)
{
	size_t i;

	if (v->files != NULL)
		for (i = 0; i < v->mft->nfiles; i++)
			free(v->files[i].der);
	free(v->files);
	crl_free(v->crl);
	mft_free(v->mft);
	free(v->mft_der);
	memset(v, 0, sizeof(*v));
}

static int
has_ext(const char *name, const char *ext)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL && strcmp(dot + 1, ext) == 0;
}

/* RFC 9286 section 6.4: exactly one CRL, the one the manifest's EE names. */
static int
find_crl(const struct pp_names *n, struct pp_view *v, char *why,
    size_t whylen)
{
	size_t i, count = 0;
	char *uri;
	int match;

	for (i = 0; i < v->mft->nfiles; i++)
		if (has_ext(v->mft->files[i].name, "crl")) {
			v->crl_idx = i;
			count++;
		}
	if (count != 1) {
		snprintf(why, whylen, "RFC 9286 section 6.4: manifest lists "
		    "%zu CRLs, not one", count);
		return -1;
	}
	if ((uri = join(n->dir_uri, v->mft->files[v->crl_idx].name)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	match = v->mft->ee->crldp != NULL &&
	    strcmp(v->mft->ee->crldp, uri) == 0;
	free(uri);
	if (!match) {
		snprintf(why, whylen, "RFC 6487 section 4.8.6: the manifest's "
		    "CRL is not the one its EE certificate names");
		return -1;
	}
	return 0;
}

/*
 * The file name of src into *der (malloc'd), *len and, from a directory,
 * its identity *id (zero for a stored copy, which the memo never keeps).
 * Returns 0, or -1 with errno set.
 */
static int
source_read(const struct pp_source *src, int dfd, const char *name,
    unsigned char **der, size_t *len, struct pp_fileid *id)
{
	const struct store_file *f;

	if (src->pack == NULL)
		return pp_read_file_id(dfd, name, der, len, id);
	memset(id, 0, sizeof(*id));
	if ((f = storepack_find(src->pack, name)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	if ((*der = malloc(f->len == 0 ? 1 : f->len)) == NULL)
		return -1;
	memcpy(*der, f->der, f->len);
	*len = f->len;
	return 0;
}

/* Read and hash-check every listed file (RFC 9286 sections 6.4, 6.6). */
static int
read_listed(const struct pp_source *src, struct pp_view *v, char *why,
    size_t whylen)
{
	const struct mft_file *f;
	size_t i;
	int dfd = -1, rc = -1;

	if ((v->files = calloc(v->mft->nfiles + 1, sizeof(*v->files))) ==
	    NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (src->pack == NULL && (dfd = open(src->dir, O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "RFC 9286 section 6.4: listed files: "
		    "%s", strerror(errno));
		return -1;
	}
	/* Names are plain (RFC 9286 section 4.2.2, checked by mft.c). */
	for (i = 0; i < v->mft->nfiles; i++) {
		f = &v->mft->files[i];
		if (source_read(src, dfd, f->name, &v->files[i].der,
		    &v->files[i].len, &v->files[i].id) == -1) {
			snprintf(why, whylen, "RFC 9286 section 6.4: listed "
			    "file %s: %s", f->name, strerror(errno));
			goto out;
		}
		if (valid_filehash(v->files[i].der, v->files[i].len, f, why,
		    whylen) == -1) {
			size_t l = strlen(why);

			snprintf(why + l, whylen - l, ": %s", f->name);
			goto out;
		}
	}
	rc = 0;
 out:
	if (dfd != -1)
		close(dfd);
	return rc;
}

/*
 * Load and check the publication point from src: manifest, listed
 * files, CRL.  Returns 0, or -1 with why; the caller frees *v.
 */
static int
load_view(const struct pubpoint_ctx *ctx, const struct pp_names *n,
    const struct pp_source *src, struct pp_view *v, char *why,
    size_t whylen)
{
	char *path = NULL, *crl_uri;
	const struct pp_file *cf;
	int rc;

	memset(v, 0, sizeof(*v));
	if (src->pack == NULL && asprintf(&path, "%s/%s", src->dir,
	    n->mft_name) == -1) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	rc = source_read(src, AT_FDCWD, src->pack == NULL ? path :
	    n->mft_name, &v->mft_der, &v->mft_len, &v->mft_id);
	free(path);
	if (rc == -1) {
		snprintf(why, whylen, "RFC 9286 section 6.2: manifest: %s",
		    strerror(errno));
		return -1;
	}
	if (valid_der_framing(v->mft_der, v->mft_len, why, whylen) == -1)
		return -1;
	log_last_reset();
	if (hash_sha256(v->mft_der, v->mft_len, v->mft_hash) == -1 ||
	    (v->mft = mft_parse(n->mft_uri, v->mft_der, v->mft_len)) == NULL) {
		snprintf(why, whylen, "RFC 9286 section 6.2: manifest "
		    "malformed: %s", parse_why(n->mft_uri));
		return -1;
	}
	if (valid_mft(v->mft, ctx->ca, NULL, ctx->now, why, whylen) == -1 ||
	    find_crl(n, v, why, whylen) == -1 ||
	    read_listed(src, v, why, whylen) == -1)
		return -1;
	cf = &v->files[v->crl_idx];
	if ((crl_uri = join(n->dir_uri, v->mft->files[v->crl_idx].name)) ==
	    NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	log_last_reset();
	v->crl = crl_parse(crl_uri, cf->der, cf->len);
	if (v->crl == NULL)
		snprintf(why, whylen, "RFC 9286 section 6.4: CRL malformed: "
		    "%s", parse_why(crl_uri));
	free(crl_uri);
	if (v->crl == NULL)
		return -1;
	if (valid_crl(v->crl, ctx->ca, ctx->now, why, whylen) == -1) {
		/* RFC 9286 section 6.4 names the CRL as a reason to fail. */
		size_t l = strlen(why);

		snprintf(why + l, whylen - l, " (CRL %s)",
		    v->mft->files[v->crl_idx].name);
		return -1;
	}
	if (crl_is_revoked_bytes(v->crl, v->mft->ee->serial_raw,
	    v->mft->ee->serial_raw_len)) {
		snprintf(why, whylen, "RFC 6487 section 5: manifest EE "
		    "certificate revoked");
		return -1;
	}
	v->expires = valid_expires_min(ctx->expires, v->crl->next_update);
	v->expires = valid_expires_min(v->expires, v->mft->next_update);
	return 0;
}

/*
 * RFC 9286 section 4.2.1: the current manifest against the stored one.
 * Returns 1 if the current one should be stored, 0 if it equals the
 * stored one, -1 (why) if it must be rejected.
 */
static int
check_successor(const struct pp_names *n, int sfd, const struct pp_view *cur,
    char *why, size_t whylen)
{
	unsigned char *der = NULL, md[HASH_SHA256_LEN];
	char name[MAX_FILENAME_LENGTH + 1], swhy[VALID_WHY_LEN];
	struct mft *old = NULL;
	size_t len;
	int rc = 1;

	if (sfd == -1)
		return 1;
	/* A stored copy that cannot be read is replaced. */
	if (storepack_load_first(sfd, name, sizeof(name), &der, &len, swhy,
	    sizeof(swhy)) == -1 || strcmp(name, n->mft_name) != 0)
		rc = 1;
	else if (hash_sha256(der, len, md) == 0 &&
	    hash_equal(cur->mft_hash, md, HASH_SHA256_LEN))
		rc = 0;		/* the same manifest: nothing to compare */
	else if ((old = mft_parse(n->mft_uri, der, len)) != NULL) {
		if (valid_mft_successor(cur->mft, cur->mft_hash, old, md, why,
		    whylen) == -1)
			rc = -1;
		else if (hash_equal(cur->mft_hash, md, HASH_SHA256_LEN))
			rc = 0;
	}
	free(der);
	mft_free(old);
	return rc;
}

static void
save_view(const struct pubpoint_ctx *ctx, const struct pp_names *n,
    const struct pp_view *v)
{
	struct store_file *sf;
	size_t i;

	if ((sf = calloc(v->mft->nfiles + 1, sizeof(*sf))) == NULL)
		return;
	/* The manifest first (storepack.h). */
	sf[0].name = n->mft_name;
	sf[0].der = v->mft_der;
	sf[0].len = v->mft_len;
	for (i = 0; i < v->mft->nfiles; i++) {
		sf[i + 1].name = v->mft->files[i].name;
		sf[i + 1].der = v->files[i].der;
		sf[i + 1].len = v->files[i].len;
	}
	/* A failed save only loses the fallback; the walk goes on. */
	(void)store_save(ctx->store, n->mft_uri, sf, v->mft->nfiles + 1);
	free(sf);
}

/* Grow *arr (element size sz) so it holds n + 1 elements. */
static int
grow(void *arr, size_t n, size_t sz)
{
	void **p = arr, *q;

	/* Capacity: 4, then doubling, so only grow at those sizes. */
	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return 0;
	if ((q = reallocarray(*p, n == 0 ? 4 : n * 2, sz)) == NULL)
		return -1;
	*p = q;
	return 0;
}

/*
 * Note a time t that ctx->now was compared with: outcomes stay the same
 * until now reaches t (RFC 5280 comparisons flip at t or t + 1).
 */
static void
horizon(const struct pubpoint_ctx *ctx, struct pubpoint_out *out, int64_t t)
{
	if (t >= ctx->now && t < out->stable_until)
		out->stable_until = t;
}

static void
horizon_cert(const struct pubpoint_ctx *ctx, struct pubpoint_out *out,
    const struct cert *c)
{
	if (c == NULL)
		return;
	horizon(ctx, out, c->notbefore);
	horizon(ctx, out, c->notafter);
}

static void
do_roa(const struct pubpoint_ctx *ctx, const struct pp_view *v,
    const char *uri, const struct pp_file *f, struct pubpoint_out *out)
{
	struct roa *roa;
	char why[VALID_WHY_LEN];
	struct walk_detail d;
	struct vrp *vr;
	int64_t exp;
	size_t i;

	if (valid_der_framing(f->der, f->len, why, sizeof(why)) == -1) {
		log_warnx_obj(uri, "%s", why);
		out->stats.roas_failed++;
		report(ctx, uri, "roa", 0, why);
		return;
	}
	log_last_reset();
	if ((roa = roa_parse(uri, f->der, f->len)) == NULL) {
		out->stats.roas_failed++;
		report(ctx, uri, "roa", 0, parse_why(uri));
		return;
	}
	detail_roa(ctx, roa, &d);
	horizon_cert(ctx, out, roa->ee);
	if (valid_roa(roa, ctx->ca, v->crl, ctx->now, why, sizeof(why)) ==
	    -1) {
		log_warnx_obj(uri, "%s", why);
		out->stats.roas_failed++;
		report_d(ctx, uri, "roa", 0, why, &d);
		goto out;
	}
	exp = valid_expires_min(v->expires, roa->ee->notafter);
	for (i = 0; i < roa->nips; i++) {
		if (grow(&out->vrps, out->nvrps, sizeof(*out->vrps)) == -1)
			break;
		vr = &out->vrps[out->nvrps++];
		memset(vr, 0, sizeof(*vr));
		vr->prefix = roa->ips[i].prefix;
		vr->maxlen = roa->ips[i].maxlen;
		vr->asn = roa->asid;
		vr->ta = ctx->ta;
		vr->expires = exp;
		out->stats.vrps++;
	}
	out->stats.roas++;
	report_d(ctx, uri, "roa", 1, NULL, &d);
 out:
	roa_free(roa);
}

static void
do_aspa(const struct pubpoint_ctx *ctx, const struct pp_view *v,
    const char *uri, const struct pp_file *f, struct pubpoint_out *out)
{
	struct aspa_object *a;
	struct aspa *e;
	struct walk_detail d;
	char why[VALID_WHY_LEN];
	uint32_t *prov;

	if (valid_der_framing(f->der, f->len, why, sizeof(why)) == -1) {
		log_warnx_obj(uri, "%s", why);
		out->stats.aspas_failed++;
		report(ctx, uri, "asa", 0, why);
		return;
	}
	log_last_reset();
	if ((a = aspa_parse(uri, f->der, f->len)) == NULL) {
		out->stats.aspas_failed++;
		report(ctx, uri, "asa", 0, parse_why(uri));
		return;
	}
	detail_aspa(ctx, a, &d);
	horizon_cert(ctx, out, a->ee);
	if (valid_aspa(a, ctx->ca, v->crl, ctx->now, why, sizeof(why)) ==
	    -1) {
		log_warnx_obj(uri, "%s", why);
		out->stats.aspas_failed++;
		report_d(ctx, uri, "asa", 0, why, &d);
		goto out;
	}
	if ((prov = reallocarray(NULL, a->nproviders, sizeof(*prov))) ==
	    NULL || grow(&out->aspas, out->naspas, sizeof(*out->aspas)) ==
	    -1) {
		free(prov);
		goto out;
	}
	memcpy(prov, a->providers, a->nproviders * sizeof(*prov));
	e = &out->aspas[out->naspas++];
	e->customer = a->customer;
	e->ta = ctx->ta;
	e->expires = valid_expires_min(v->expires, a->ee->notafter);
	e->providers = prov;
	e->nproviders = a->nproviders;
	out->stats.aspas++;
	report_d(ctx, uri, "asa", 1, NULL, &d);
 out:
	aspa_free(a);
}

/* RFC 8209 section 3.1.3.5: one router key per AS the certificate holds. */
static void
do_router(const struct pubpoint_ctx *ctx, const struct pp_view *v,
    const char *uri, struct cert *c, struct pubpoint_out *out)
{
	struct router_key *k;
	struct walk_detail d;
	uint64_t total = 0, asn;
	unsigned char *spki;
	size_t i;

	detail_init(ctx, &d);
	detail_validity(&d, c);
	for (i = 0; c->ases != NULL && i < c->ases->nranges; i++)
		total += (uint64_t)c->ases->ranges[i].max -
		    c->ases->ranges[i].min + 1;
	if (total == 0 || total > PP_MAX_ROUTER_ASNS) {
		out->stats.router_certs_failed++;
		report_d(ctx, uri, "router", 0, "RFC 8209 section 3.1.3.5: "
		    "AS resources missing or too many", &d);
		return;
	}
	for (i = 0; i < c->ases->nranges; i++)
		for (asn = c->ases->ranges[i].min;
		    asn <= c->ases->ranges[i].max; asn++) {
			if ((spki = malloc(c->spki_len)) == NULL ||
			    grow(&out->rks, out->nrks, sizeof(*out->rks)) ==
			    -1) {
				free(spki);
				return;
			}
			memcpy(spki, c->spki, c->spki_len);
			k = &out->rks[out->nrks++];
			memset(k, 0, sizeof(*k));
			k->asn = (uint32_t)asn;
			k->ta = ctx->ta;
			k->expires = valid_expires_min(v->expires, c->notafter);
			memcpy(k->ski, c->ski, ROUTER_KEY_SKI_LEN);
			k->spki = spki;
			k->spki_len = c->spki_len;
		}
	out->stats.router_certs++;
	report_d(ctx, uri, "router", 1, NULL, &d);
}

static void
do_cert(const struct pubpoint_ctx *ctx, const struct pp_view *v,
    const char *uri, const struct pp_file *f, struct pubpoint_out *out)
{
	struct cert *c;
	struct pp_child *ch;
	char why[VALID_WHY_LEN];
	struct walk_detail d;
	const char *type;

	log_last_reset();
	if ((c = cert_parse(uri, f->der, f->len)) == NULL) {
		out->stats.cas_failed++;
		report(ctx, uri, "cer", 0, parse_why(uri));
		return;
	}
	type = c->purpose == CERT_ROUTER ? "router" : "cer";
	horizon_cert(ctx, out, c);
	if (c->purpose != CERT_CA && c->purpose != CERT_ROUTER) {
		snprintf(why, sizeof(why), "RFC 6487 section 4.8.1: a %s "
		    "certificate in a publication point",
		    cert_purpose_name(c->purpose));
		goto bad;
	}
	if (valid_cert(c, ctx->ca, v->crl, ctx->now, why, sizeof(why)) == -1)
		goto bad;
	if (c->purpose == CERT_ROUTER) {
		do_router(ctx, v, uri, c, out);
		cert_free(c);
		return;
	}
	if (grow(&out->children, out->nchildren, sizeof(*out->children)) ==
	    -1) {
		cert_free(c);
		return;
	}
	ch = &out->children[out->nchildren];
	if ((ch->uri = strdup(uri)) == NULL) {
		cert_free(c);
		return;
	}
	ch->cert = c;
	ch->expires = valid_expires_min(v->expires, c->notafter);
	out->nchildren++;
	return;
 bad:
	log_warnx_obj(uri, "%s", why);
	if (c->purpose == CERT_ROUTER)
		out->stats.router_certs_failed++;
	else
		out->stats.cas_failed++;
	detail_init(ctx, &d);
	detail_validity(&d, c);
	report_d(ctx, uri, type, 0, why, &d);
	cert_free(c);
}

/*
 * The manifest's entry: its EE validity and update times when it could be
 * read (v->mft may be NULL); it is listed by no manifest.
 */
static void
report_mft(const struct pubpoint_ctx *ctx, const struct pp_names *n,
    const struct pp_view *v, int ok, const char *why)
{
	struct walk_detail d;

	detail_init(ctx, &d);
	d.manifest = NULL;
	if (v->mft != NULL) {
		detail_validity(&d, v->mft->ee);
		d.has_update = 1;
		d.this_update = v->mft->this_update;
		d.next_update = v->mft->next_update;
	}
	report_d(ctx, n->mft_uri, "mft", ok, why, &d);
}

/* The accepted CRL of v (RFC 9286 section 6.4 made it the only one). */
static void
report_crl(const struct pubpoint_ctx *ctx, const struct pp_names *n,
    const struct pp_view *v)
{
	struct walk_detail d;
	char *uri;

	if ((uri = join(n->dir_uri, v->mft->files[v->crl_idx].name)) == NULL)
		return;
	detail_init(ctx, &d);
	d.has_update = 1;
	d.this_update = v->crl->this_update;
	d.next_update = v->crl->next_update;
	report_d(ctx, uri, "crl", 1, NULL, &d);
	free(uri);
}

static void
process_objects(const struct pubpoint_ctx *ctx, const struct pp_names *n,
    const struct pp_view *v, struct pubpoint_out *out)
{
	const char *name, *dot;
	char *uri;
	size_t i;

	for (i = 0; i < v->mft->nfiles; i++) {
		if (i == v->crl_idx)
			continue;
		name = v->mft->files[i].name;
		if ((uri = join(n->dir_uri, name)) == NULL)
			continue;
		dot = strrchr(name, '.') + 1;	/* RFC 9286 4.2.2: one dot */
		if (strcmp(dot, "cer") == 0)
			do_cert(ctx, v, uri, &v->files[i], out);
		else if (strcmp(dot, "roa") == 0)
			do_roa(ctx, v, uri, &v->files[i], out);
		else if (strcmp(dot, "asa") == 0)
			do_aspa(ctx, v, uri, &v->files[i], out);
		else {
			out->stats.other_files++;
			report(ctx, uri, strcmp(dot, "gbr") == 0 ? "gbr" :
			    strcmp(dot, "tak") == 0 ? "tak" : "other", 1,
			    "not processed");
		}
		free(uri);
	}
}

/* The accepted current view's times and listed files, for the memo. */
static void
note_view(const struct pubpoint_ctx *ctx, const struct pp_view *v,
    struct pubpoint_out *out)
{
	size_t i;

	horizon_cert(ctx, out, v->mft->ee);
	horizon(ctx, out, v->mft->this_update);
	horizon(ctx, out, v->mft->next_update);
	horizon(ctx, out, v->crl->this_update);
	horizon(ctx, out, v->crl->next_update);
	memcpy(out->mft_hash, v->mft_hash, sizeof(out->mft_hash));
	out->mft_id = v->mft_id;
	if ((out->listed = calloc(v->mft->nfiles + 1,
	    sizeof(*out->listed))) == NULL)
		return;
	for (i = 0; i < v->mft->nfiles; i++) {
		if ((out->listed[i].name = strdup(v->mft->files[i].name)) ==
		    NULL)
			break;
		memcpy(out->listed[i].hash, v->mft->files[i].hash,
		    HASH_SHA256_LEN);
		out->listed[i].id = v->files[i].id;
	}
	out->nlisted = i;
	if (i != v->mft->nfiles)
		out->stable_until = ctx->now;	/* incomplete: not reusable */
}

char *
pubpoint_cache_dir(const struct pubpoint_ctx *ctx)
{
	struct pp_names n;
	char why[VALID_WHY_LEN], *dir;

	if (names_init(ctx, &n, why, sizeof(why)) == -1)
		return NULL;
	dir = n.cache_dir;
	n.cache_dir = NULL;
	names_free(&n);
	return dir;
}

/* Returns 0 if a manifest was accepted and its objects processed, else -1. */
/*
 * The stored copy open on sfd as a source: 0 with *pack loaded, or -1
 * with why.
 */
static int
store_source(int sfd, struct storepack *pack, struct pp_source *src,
    char *why, size_t whylen)
{
	if (storepack_load(sfd, pack, why, whylen) == -1)
		return -1;
	src->dir = NULL;
	src->pack = pack;
	return 0;
}

/* Returns 0 if a manifest was accepted and its objects processed, else -1. */
int
pubpoint_process(const struct pubpoint_ctx *ctx, struct pubpoint_out *out)
{
	struct pp_names n;
	struct pp_view v;
	struct pp_source src;
	struct storepack pack;
	char why[VALID_WHY_LEN], swhy[VALID_WHY_LEN];
	int rc = -1, save = 0, sfd = -1;

	memset(out, 0, sizeof(*out));
	memset(&v, 0, sizeof(v));
	memset(&pack, 0, sizeof(pack));
	out->stats.pubpoints = 1;
	out->stable_until = INT64_MAX;
	why[0] = swhy[0] = '\0';
	if (names_init(ctx, &n, why, sizeof(why)) == -1) {
		report(ctx, ctx->ca_uri, "mft", 0, why);
		out->stats.pubpoints_failed = 1;
		return -1;
	}
	if (ctx->store != NULL)
		sfd = store_copy_open(ctx->store, n.mft_uri);
	src.dir = n.cache_dir;
	src.pack = NULL;
	if (load_view(ctx, &n, &src, &v, why, sizeof(why)) == 0 &&
	    (save = check_successor(&n, sfd, &v, why, sizeof(why))) >= 0) {
		if (save == 1 && ctx->store != NULL)
			save_view(ctx, &n, &v);
		out->stats.manifests++;
		out->stats.crls++;
		report_mft(ctx, &n, &v, 1, NULL);
		note_view(ctx, &v, out);
		rc = 0;
	} else {
		log_warnx_obj(n.mft_uri, "%s", why);
		out->stats.manifests_failed++;
		report_mft(ctx, &n, &v, 0, why);
		view_free(&v);
		if (sfd != -1 && store_source(sfd, &pack, &src, swhy,
		    sizeof(swhy)) == 0 && load_view(ctx, &n, &src, &v, swhy,
		    sizeof(swhy)) == 0) {
			log_warnx_obj(n.mft_uri, "using the last good copy "
			    "of the publication point");
			out->from_store = 1;
			out->stats.pubpoints_stored = 1;
			rc = 0;
		}
	}
	if (rc == 0) {
		report_crl(ctx, &n, &v);
		process_objects(ctx, &n, &v, out);
	}
	else {
		out->stats.pubpoints_failed = 1;
		if (swhy[0] != '\0')
			log_warnx_obj(n.mft_uri, "last good copy unusable: %s",
			    swhy);
	}
	view_free(&v);
	storepack_free(&pack);
	if (sfd != -1)
		close(sfd);
	names_free(&n);
	return rc;
}

/* Frees everything out owns. */
void
pubpoint_out_free(struct pubpoint_out *out)
{
	size_t i;

	if (out == NULL)
		return;
	for (i = 0; i < out->naspas; i++)
		free((void *)out->aspas[i].providers);
	for (i = 0; i < out->nrks; i++)
		free((void *)out->rks[i].spki);
	for (i = 0; i < out->nchildren; i++) {
		cert_free(out->children[i].cert);
		free(out->children[i].uri);
	}
	for (i = 0; i < out->nlisted; i++)
		free(out->listed[i].name);
	free(out->listed);
	free(out->vrps);
	free(out->aspas);
	free(out->rks);
	free(out->children);
	memset(out, 0, sizeof(*out));
}
