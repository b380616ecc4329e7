/*
 * RRDP (RFC 8182) writer for reef-repogen: the notification, snapshot and
 * delta files of one repository, built from plain trees of files.
 *
 * Output is deterministic: files are listed in strcmp() order of their paths
 * relative to the tree, deltas in descending serial order, and nothing
 * depends on time or on directory read order.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "rrdp_write.h"

#define RRDP_XMLNS	"http://www.ripe.net/rpki/rrdp"
#define RRDP_VERSION	1
/* A multiple of 3, so base64 of consecutive chunks needs no padding between. */
#define IO_CHUNK	(3 * 16384)
#define B64_CHUNK	(IO_CHUNK / 3 * 4)
#define HASH_HEX_LEN	(2 * 32)
#define UUID_STR_LEN	36
/* Repository trees are shallow; anything deeper is a loop or a mistake. */
#define MAX_TREE_DEPTH	32
#define DIR_MODE	0755

struct file_list {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

/* An XML file being written, hashed as it goes out. */
struct xout {
	FILE		*f;
	EVP_MD_CTX	*md;
	const char	*path;
	int		 err;
};

struct delta_ref {
	uint64_t	serial;
	char		hash[HASH_HEX_LEN + 1];
};

struct delta_refs {
	struct delta_ref	*v;
	size_t			 n;
	size_t			 cap;
};

static void
file_list_free(struct file_list *fl)
{
	size_t i;

	for (i = 0; i < fl->n; i++)
		free(fl->v[i]);
	free(fl->v);
	fl->v = NULL;
	fl->n = fl->cap = 0;
}

static int
file_list_add(struct file_list *fl, const char *rel)
{
	char **nv, *s;
	size_t ncap;

	if (fl->n == fl->cap) {
		ncap = fl->cap ? fl->cap * 2 : 64;
		if ((nv = reallocarray(fl->v, ncap, sizeof(*nv))) == NULL)
			return -1;
		fl->v = nv;
		fl->cap = ncap;
	}
	if ((s = strdup(rel)) == NULL)
		return -1;
	fl->v[fl->n++] = s;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
path_join(const char *a, const char *b)
{
	char *s;

	if (*a == '\0')
		return strdup(b);
	if (*b == '\0')
		return strdup(a);
	if (asprintf(&s, "%s/%s", a, b) == -1)
		return NULL;
	return s;
}

/*
 * Collect regular files below root/rel into fl as paths relative to root.
 * Symbolic links and other special files are not repository objects and are
 * skipped.
 */
static int
walk_tree(const char *root, const char *rel, int depth, struct file_list *fl)
{
	DIR *d = NULL;
	struct dirent *de;
	struct stat st;
	char *dir = NULL, *sub = NULL, *full = NULL;
	int rc = -1;

	if (depth > MAX_TREE_DEPTH) {
		fprintf(stderr, "rrdp_write: %s/%s: tree too deep\n", root,
		    rel);
		return -1;
	}
	if ((dir = path_join(root, rel)) == NULL)
		goto out;
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "rrdp_write: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		free(sub);
		free(full);
		full = NULL;
		if ((sub = path_join(rel, de->d_name)) == NULL ||
		    (full = path_join(root, sub)) == NULL)
			goto out;
		if (lstat(full, &st) == -1) {
			fprintf(stderr, "rrdp_write: %s: %s\n", full,
			    strerror(errno));
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			if (walk_tree(root, sub, depth + 1, fl) == -1)
				goto out;
		} else if (S_ISREG(st.st_mode)) {
			if (file_list_add(fl, sub) == -1)
				goto out;
		}
	}
	if (errno != 0) {
		fprintf(stderr, "rrdp_write: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	rc = 0;
 out:
	if (d != NULL)
		closedir(d);
	free(dir);
	free(sub);
	free(full);
	return rc;
}

static int
file_list_build(const char *root, struct file_list *fl)
{
	if (walk_tree(root, "", 0, fl) == -1) {
		file_list_free(fl);
		return -1;
	}
	if (fl->n > 1)
		qsort(fl->v, fl->n, sizeof(fl->v[0]), cmp_str);
	return 0;
}

/* mkdir -p; the path is short-lived scratch, so a copy is edited in place. */
static int
mkdirs(const char *path)
{
	char *p, *s, c;
	int rc = -1;

	if ((p = strdup(path)) == NULL)
		return -1;
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, DIR_MODE) == -1 && errno != EEXIST) {
			fprintf(stderr, "rrdp_write: %s: %s\n", p,
			    strerror(errno));
			goto out;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	rc = 0;
 out:
	free(p);
	return rc;
}

static void
hex_encode(const unsigned char *md, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * len] = '\0';
}

/* Hex SHA-256 of the file at path into hex (HASH_HEX_LEN + 1 bytes). */
static int
hash_file(const char *path, char *hex)
{
	EVP_MD_CTX *md = NULL;
	FILE *f = NULL;
	unsigned char *buf = NULL, dgst[EVP_MAX_MD_SIZE];
	unsigned int dlen;
	size_t n;
	int rc = -1;

	if ((buf = malloc(IO_CHUNK)) == NULL ||
	    (md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		goto out;
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "rrdp_write: %s: %s\n", path, strerror(errno));
		goto out;
	}
	while ((n = fread(buf, 1, IO_CHUNK, f)) > 0)
		if (!EVP_DigestUpdate(md, buf, n))
			goto out;
	if (ferror(f)) {
		fprintf(stderr, "rrdp_write: %s: read error\n", path);
		goto out;
	}
	if (!EVP_DigestFinal_ex(md, dgst, &dlen))
		goto out;
	hex_encode(dgst, dlen, hex);
	rc = 0;
 out:
	if (f != NULL)
		fclose(f);
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}

static int
xout_open(struct xout *x, const char *path)
{
	memset(x, 0, sizeof(*x));
	x->path = path;
	if ((x->md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(x->md, EVP_sha256(), NULL)) {
		fprintf(stderr, "rrdp_write: %s: digest setup failed\n", path);
		EVP_MD_CTX_free(x->md);
		x->md = NULL;
		return -1;
	}
	if ((x->f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "rrdp_write: %s: %s\n", path, strerror(errno));
		EVP_MD_CTX_free(x->md);
		x->md = NULL;
		return -1;
	}
	return 0;
}

/* Errors are sticky and reported once by xout_close(). */
static void
xout_write(struct xout *x, const void *buf, size_t len)
{
	if (x->err)
		return;
	if (fwrite(buf, 1, len, x->f) != len ||
	    !EVP_DigestUpdate(x->md, buf, len))
		x->err = 1;
}

static void
xout_puts(struct xout *x, const char *s)
{
	xout_write(x, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
xout_printf(struct xout *x, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1) {
		x->err = 1;
		return;
	}
	xout_write(x, s, n);
	free(s);
}

/* Write ` name="value"`, escaping what XML forbids inside attribute values. */
static void
xout_attr(struct xout *x, const char *name, const char *val)
{
	const char *p;

	xout_printf(x, " %s=\"", name);
	for (p = val; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			xout_puts(x, "&amp;");
			break;
		case '<':
			xout_puts(x, "&lt;");
			break;
		case '>':
			xout_puts(x, "&gt;");
			break;
		case '"':
			xout_puts(x, "&quot;");
			break;
		default:
			xout_write(x, p, 1);
		}
	}
	xout_puts(x, "\"");
}

/* Close x; on success hex (if not NULL) receives the file's SHA-256. */
static int
xout_close(struct xout *x, char *hex)
{
	unsigned char dgst[EVP_MAX_MD_SIZE];
	unsigned int dlen;
	int rc = 0;

	if (x->f == NULL)
		return -1;
	if (fclose(x->f) != 0)
		x->err = 1;
	x->f = NULL;
	if (!x->err && hex != NULL) {
		if (!EVP_DigestFinal_ex(x->md, dgst, &dlen))
			x->err = 1;
		else
			hex_encode(dgst, dlen, hex);
	}
	if (x->err) {
		fprintf(stderr, "rrdp_write: %s: write error\n", x->path);
		rc = -1;
	}
	EVP_MD_CTX_free(x->md);
	x->md = NULL;
	return rc;
}

/* Abandon a file after an earlier error (already reported). */
static void
xout_abort(struct xout *x)
{
	if (x->f != NULL)
		fclose(x->f);
	x->f = NULL;
	EVP_MD_CTX_free(x->md);
	x->md = NULL;
}

/* Stream the base64 of the file at path into x, one unbroken line. */
static int
xout_b64_file(struct xout *x, const char *path)
{
	FILE *f = NULL;
	unsigned char *in = NULL, *out = NULL;
	size_t n;
	int rc = -1, olen;

	if ((in = malloc(IO_CHUNK)) == NULL ||
	    (out = malloc(B64_CHUNK + 1)) == NULL)
		goto out;
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "rrdp_write: %s: %s\n", path, strerror(errno));
		goto out;
	}
	/* fread() fills whole chunks until EOF, so only the last is short. */
	while ((n = fread(in, 1, IO_CHUNK, f)) > 0) {
		olen = EVP_EncodeBlock(out, in, (int)n);
		xout_write(x, out, olen);
	}
	if (ferror(f)) {
		fprintf(stderr, "rrdp_write: %s: read error\n", path);
		goto out;
	}
	rc = 0;
 out:
	if (f != NULL)
		fclose(f);
	free(in);
	free(out);
	return rc;
}

/*
 * <publish uri="..." [hash="..."]>base64</publish> for tree/rel; oldhash is
 * the hash of the object replaced (RFC 8182 section 3.5.3.3), or NULL.
 */
static int
xout_publish(struct xout *x, const struct rrdp_write_args *a,
    const char *rel, const char *oldhash)
{
	char *uri = NULL, *path = NULL;
	int rc = -1;

	if (asprintf(&uri, "%s%s", a->rsync_base, rel) == -1) {
		uri = NULL;
		goto out;
	}
	if ((path = path_join(a->tree, rel)) == NULL)
		goto out;
	xout_puts(x, "  <publish");
	xout_attr(x, "uri", uri);
	if (oldhash != NULL)
		xout_attr(x, "hash", oldhash);
	xout_puts(x, ">");
	if (xout_b64_file(x, path) == -1)
		goto out;
	xout_puts(x, "</publish>\n");
	rc = 0;
 out:
	free(uri);
	free(path);
	return rc;
}

static int
xout_withdraw(struct xout *x, const struct rrdp_write_args *a,
    const char *rel, const char *oldhash)
{
	char *uri;

	if (asprintf(&uri, "%s%s", a->rsync_base, rel) == -1)
		return -1;
	xout_puts(x, "  <withdraw");
	xout_attr(x, "uri", uri);
	xout_attr(x, "hash", oldhash);
	xout_puts(x, "/>\n");
	free(uri);
	return 0;
}

static void
xout_root(struct xout *x, const char *elem, const struct rrdp_write_args *a)
{
	xout_printf(x, "<%s xmlns=\"%s\" version=\"%d\"", elem, RRDP_XMLNS,
	    RRDP_VERSION);
	xout_attr(x, "session_id", a->session_id);
	xout_printf(x, " serial=\"%" PRIu64 "\">\n", a->serial);
}

/* Path of outdir/<session>/<serial>/<name>; malloc'd. */
static char *
serial_path(const struct rrdp_write_args *a, uint64_t serial,
    const char *name)
{
	char *s;

	if (asprintf(&s, "%s/%s/%" PRIu64 "%s%s", a->outdir, a->session_id,
	    serial, name != NULL ? "/" : "", name != NULL ? name : "") == -1)
		return NULL;
	return s;
}

/* RFC 8182 section 3.5.2: every current object, without hash attributes. */
static int
write_snapshot(const struct rrdp_write_args *a, const struct file_list *fl,
    char *hex)
{
	struct xout x;
	char *path;
	size_t i;
	int rc = -1;

	if ((path = serial_path(a, a->serial, "snapshot.xml")) == NULL)
		return -1;
	if (xout_open(&x, path) == -1)
		goto out;
	xout_root(&x, "snapshot", a);
	for (i = 0; i < fl->n; i++)
		if (xout_publish(&x, a, fl->v[i], NULL) == -1) {
			xout_abort(&x);
			goto out;
		}
	xout_puts(&x, "</snapshot>\n");
	rc = xout_close(&x, hex);
 out:
	free(path);
	return rc;
}

/* Emit the change of one path present in prev (oldrel) and/or cur (newrel). */
static int
delta_entry(struct xout *x, const struct rrdp_write_args *a,
    const char *oldrel, const char *newrel)
{
	char oldhash[HASH_HEX_LEN + 1], newhash[HASH_HEX_LEN + 1];
	char *p = NULL;
	int rc = -1;

	if (oldrel != NULL) {
		if ((p = path_join(a->prev_tree, oldrel)) == NULL ||
		    hash_file(p, oldhash) == -1)
			goto out;
		free(p);
		p = NULL;
	}
	if (newrel == NULL) {
		rc = xout_withdraw(x, a, oldrel, oldhash);
		goto out;
	}
	if (oldrel != NULL) {
		if ((p = path_join(a->tree, newrel)) == NULL ||
		    hash_file(p, newhash) == -1)
			goto out;
		if (strcmp(oldhash, newhash) == 0) {
			rc = 0;
			goto out;
		}
	}
	rc = xout_publish(x, a, newrel, oldrel != NULL ? oldhash : NULL);
 out:
	free(p);
	return rc;
}

/*
 * RFC 8182 section 3.5.3: new objects are published without a hash, changed
 * ones with the hash of the object they replace, removed ones withdrawn with
 * their hash.  Both lists are sorted, so one merge pass finds the changes.
 */
static int
write_delta(const struct rrdp_write_args *a, const struct file_list *cur,
    char *hex)
{
	struct file_list prev = { 0 };
	struct xout x;
	char *path = NULL;
	size_t i = 0, j = 0;
	int c, rc = -1, opened = 0;

	if (file_list_build(a->prev_tree, &prev) == -1)
		goto out;
	if ((path = serial_path(a, a->serial, "delta.xml")) == NULL)
		goto out;
	if (xout_open(&x, path) == -1)
		goto out;
	opened = 1;
	xout_root(&x, "delta", a);
	while (i < prev.n || j < cur->n) {
		if (i == prev.n)
			c = 1;
		else if (j == cur->n)
			c = -1;
		else
			c = strcmp(prev.v[i], cur->v[j]);
		if (delta_entry(&x, a, c <= 0 ? prev.v[i] : NULL,
		    c >= 0 ? cur->v[j] : NULL) == -1)
			goto out;
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	xout_puts(&x, "</delta>\n");
	opened = 0;
	rc = xout_close(&x, hex);
 out:
	if (opened)
		xout_abort(&x);
	file_list_free(&prev);
	free(path);
	return rc;
}

static int
delta_refs_add(struct delta_refs *dr, uint64_t serial, const char *hex)
{
	struct delta_ref *nv;
	size_t ncap;

	if (dr->n == dr->cap) {
		ncap = dr->cap ? dr->cap * 2 : 16;
		if ((nv = reallocarray(dr->v, ncap, sizeof(*nv))) == NULL)
			return -1;
		dr->v = nv;
		dr->cap = ncap;
	}
	dr->v[dr->n].serial = serial;
	memcpy(dr->v[dr->n].hash, hex, sizeof(dr->v[dr->n].hash));
	dr->n++;
	return 0;
}

/* Copy src to dst byte for byte, hashing the copy into hex. */
static int
copy_file(const char *src, const char *dst, char *hex)
{
	struct xout x;
	FILE *f;
	unsigned char *buf;
	size_t n;
	int rc = -1;

	if ((buf = malloc(IO_CHUNK)) == NULL)
		return -1;
	if ((f = fopen(src, "rb")) == NULL) {
		fprintf(stderr, "rrdp_write: %s: %s\n", src, strerror(errno));
		free(buf);
		return -1;
	}
	if (xout_open(&x, dst) == -1)
		goto out;
	while ((n = fread(buf, 1, IO_CHUNK, f)) > 0)
		xout_write(&x, buf, n);
	if (ferror(f)) {
		fprintf(stderr, "rrdp_write: %s: read error\n", src);
		xout_abort(&x);
		goto out;
	}
	rc = xout_close(&x, hex);
 out:
	fclose(f);
	free(buf);
	return rc;
}

/*
 * Carry over the previous generation's deltas of the same session, newest
 * first, stopping at the first gap: RFC 8182 section 3.5.1.3 requires the
 * listed deltas to form one contiguous chain ending at the current serial.
 */
static int
copy_prev_deltas(const struct rrdp_write_args *a, struct delta_refs *dr)
{
	char hex[HASH_HEX_LEN + 1];
	char *src = NULL, *dstdir = NULL, *dst = NULL;
	struct stat st;
	uint64_t s;
	int rc = -1;

	for (s = a->serial - 1; s >= 2; s--) {
		free(src);
		free(dstdir);
		free(dst);
		dstdir = dst = NULL;
		if (asprintf(&src, "%s/%s/%" PRIu64 "/delta.xml", a->prev_rrdp,
		    a->session_id, s) == -1) {
			src = NULL;
			goto out;
		}
		if (stat(src, &st) == -1) {
			if (errno == ENOENT)
				break;
			fprintf(stderr, "rrdp_write: %s: %s\n", src,
			    strerror(errno));
			goto out;
		}
		if ((dstdir = serial_path(a, s, NULL)) == NULL ||
		    (dst = serial_path(a, s, "delta.xml")) == NULL)
			goto out;
		if (mkdirs(dstdir) == -1 || copy_file(src, dst, hex) == -1)
			goto out;
		if (delta_refs_add(dr, s, hex) == -1)
			goto out;
	}
	rc = 0;
 out:
	free(src);
	free(dstdir);
	free(dst);
	return rc;
}

/* RFC 8182 section 3.5.1: the snapshot and every delta, newest first. */
static int
write_notification(const struct rrdp_write_args *a, const char *snaphex,
    const struct delta_refs *dr)
{
	struct xout x;
	char *path = NULL, *uri = NULL;
	size_t i;
	int rc = -1;

	if (asprintf(&path, "%s/notification.xml", a->outdir) == -1) {
		path = NULL;
		goto out;
	}
	if (xout_open(&x, path) == -1)
		goto out;
	xout_root(&x, "notification", a);
	if (asprintf(&uri, "%s%s/%" PRIu64 "/snapshot.xml", a->https_base,
	    a->session_id, a->serial) == -1) {
		uri = NULL;
		xout_abort(&x);
		goto out;
	}
	xout_puts(&x, "  <snapshot");
	xout_attr(&x, "uri", uri);
	xout_attr(&x, "hash", snaphex);
	xout_puts(&x, "/>\n");
	for (i = 0; i < dr->n; i++) {
		free(uri);
		if (asprintf(&uri, "%s%s/%" PRIu64 "/delta.xml", a->https_base,
		    a->session_id, dr->v[i].serial) == -1) {
			uri = NULL;
			xout_abort(&x);
			goto out;
		}
		xout_printf(&x, "  <delta serial=\"%" PRIu64 "\"",
		    dr->v[i].serial);
		xout_attr(&x, "uri", uri);
		xout_attr(&x, "hash", dr->v[i].hash);
		xout_puts(&x, "/>\n");
	}
	xout_puts(&x, "</notification>\n");
	rc = xout_close(&x, NULL);
 out:
	free(path);
	free(uri);
	return rc;
}

/* RFC 8182 section 3.5.1.3 wants a version 4 UUID; check its shape. */
static int
valid_session_id(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != UUID_STR_LEN)
		return 0;
	for (i = 0; i < UUID_STR_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

static int
valid_args(const struct rrdp_write_args *a)
{
	const char *why = NULL;

	if (a == NULL)
		why = "no arguments";
	else if (a->tree == NULL || a->outdir == NULL ||
	    a->rsync_base == NULL || a->https_base == NULL)
		why = "missing tree, outdir or base URI";
	else if (!valid_session_id(a->session_id))
		why = "session_id is not a lowercase UUID";
	else if (a->serial == 0)
		why = "serial must be at least 1";
	else if (a->prev_tree != NULL && a->serial < 2)
		why = "a delta needs serial 2 or more";
	if (why != NULL) {
		fprintf(stderr, "rrdp_write: %s: %s\n",
		    a != NULL && a->outdir != NULL ? a->outdir : "?", why);
		return 0;
	}
	return 1;
}

/*
 * Write outdir/notification.xml, outdir/<session>/<serial>/snapshot.xml and,
 * when prev_tree is set, the delta from prev_tree to tree plus copies of
 * prev_rrdp's earlier deltas.  Returns 0 on success or -1 after printing a
 * message naming the file; partial output may remain on failure.  Nothing
 * allocated here outlives the call.
 */
int
rrdp_write(const struct rrdp_write_args *args)
{
	struct file_list cur = { 0 };
	struct delta_refs dr = { 0 };
	char snaphex[HASH_HEX_LEN + 1], deltahex[HASH_HEX_LEN + 1];
	char *dir = NULL;
	int rc = -1;

	if (!valid_args(args))
		return -1;
	if ((dir = serial_path(args, args->serial, NULL)) == NULL) {
		fprintf(stderr, "rrdp_write: %s: out of memory\n",
		    args->outdir);
		goto out;
	}
	if (mkdirs(dir) == -1)
		goto out;
	if (file_list_build(args->tree, &cur) == -1)
		goto out;
	if (write_snapshot(args, &cur, snaphex) == -1)
		goto out;
	if (args->prev_tree != NULL) {
		if (write_delta(args, &cur, deltahex) == -1 ||
		    delta_refs_add(&dr, args->serial, deltahex) == -1)
			goto out;
		if (args->prev_rrdp != NULL &&
		    copy_prev_deltas(args, &dr) == -1)
			goto out;
	}
	rc = write_notification(args, snaphex, &dr);
 out:
	file_list_free(&cur);
	free(dr.v);
	free(dir);
	return rc;
}
