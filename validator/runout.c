/*
 * Loading the outputs of a run (runout.h): reef.handoff and report.json.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/gtime.h"
#include "common/jsonread.h"
#include "common/limits.h"
#include "validator/outdir.h"
#include "validator/runout.h"

/* Reads of a run's outputs when runs keep switching under runout_load(). */
#define RUNOUT_TRIES		3
/* Entries of the object array allocated first; doubles from there. */
#define RUNOUT_INITIAL_OBJS	256

struct rctx {
	struct jsonread	*jr;
	struct runout	*ro;
	size_t		 cap;
	char		*err;
	size_t		 errlen;
};

static int
fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Report a reader error or an unexpected token at the current position. */
static int
rfail(struct rctx *c, const char *what)
{
	if (jr_error(c->jr) != NULL)
		return fail(c->err, c->errlen, "report.json: %s",
		    jr_error(c->jr));
	return fail(c->err, c->errlen, "report.json: %zu:%zu: %s",
	    jr_line(c->jr), jr_column(c->jr), what);
}

static int
get_string(struct rctx *c, char **out, const char *key)
{
	char buf[64];

	if (jr_next(c->jr) != JR_STRING) {
		snprintf(buf, sizeof(buf), "\"%s\" is not a string", key);
		return rfail(c, buf);
	}
	free(*out);
	if ((*out = strdup(jr_string(c->jr, NULL))) == NULL)
		return fail(c->err, c->errlen, "out of memory");
	return 0;
}

static int
get_uint(struct rctx *c, uint64_t max, uint64_t *out, const char *key)
{
	const struct jr_number *n;
	char buf[64];

	if (jr_next(c->jr) != JR_NUMBER ||
	    (n = jr_number(c->jr))->kind != JR_NUM_INT || n->i < 0 ||
	    (uint64_t)n->i > max) {
		snprintf(buf, sizeof(buf), "\"%s\" is not a number in range",
		    key);
		return rfail(c, buf);
	}
	*out = n->u;
	return 0;
}

static int
get_time(struct rctx *c, int64_t *out, const char *key)
{
	char *s = NULL;
	int rc = 0;

	if (get_string(c, &s, key) == -1)
		return -1;
	if (gtime_parse_user(s, out) != 0)
		rc = rfail(c, "bad time");
	free(s);
	return rc;
}

/* One {prefix, max_length} of a ROA entry. */
static int
get_roa_prefix(struct rctx *c, struct runout_prefix *rp)
{
	enum jr_token t;
	uint64_t v;
	const char *k;
	int have = 0;

	memset(rp, 0, sizeof(*rp));
	while ((t = jr_next(c->jr)) == JR_KEY) {
		k = jr_string(c->jr, NULL);
		if (strcmp(k, "prefix") == 0) {
			if (jr_next(c->jr) != JR_STRING ||
			    prefix_parse(jr_string(c->jr, NULL),
			    &rp->prefix) != PREFIX_OK)
				return rfail(c, "bad prefix");
			have = 1;
		} else if (strcmp(k, "max_length") == 0) {
			if (get_uint(c, PREFIX_V6_BITS, &v, k) == -1)
				return -1;
			rp->maxlen = (uint8_t)v;
		} else if (jr_skip(c->jr) == -1)
			return rfail(c, "bad value");
	}
	if (t != JR_OBJECT_END || !have)
		return rfail(c, "bad ROA prefix entry");
	if (rp->maxlen < rp->prefix.len)
		rp->maxlen = rp->prefix.len;
	return 0;
}

static int
get_prefixes(struct rctx *c, struct runout_obj *o)
{
	enum jr_token t;
	struct runout_prefix *np;
	size_t cap = 0;

	if (jr_next(c->jr) != JR_ARRAY_BEGIN)
		return rfail(c, "\"prefixes\" is not an array");
	while ((t = jr_next(c->jr)) == JR_OBJECT_BEGIN) {
		if (o->nprefixes >= RUNOUT_MAX_PREFIXES)
			return rfail(c, "too many prefixes");
		if (o->nprefixes == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			if ((np = reallocarray(o->prefixes, cap,
			    sizeof(*np))) == NULL)
				return fail(c->err, c->errlen, "out of memory");
			o->prefixes = np;
		}
		if (get_roa_prefix(c, &o->prefixes[o->nprefixes]) == -1)
			return -1;
		o->nprefixes++;
	}
	if (t != JR_ARRAY_END)
		return rfail(c, "bad \"prefixes\" array");
	return 0;
}

/* The value of member k of an object entry. */
static int
get_member(struct rctx *c, struct runout_obj *o, const char *k)
{
	uint64_t v;
	enum jr_token t;

	if (strcmp(k, "uri") == 0)
		return get_string(c, &o->uri, k);
	if (strcmp(k, "type") == 0)
		return get_string(c, &o->type, k);
	if (strcmp(k, "reason") == 0)
		return get_string(c, &o->reason, k);
	if (strcmp(k, "rule") == 0)
		return get_string(c, &o->rule, k);
	if (strcmp(k, "issuer") == 0)
		return get_string(c, &o->issuer, k);
	if (strcmp(k, "manifest") == 0)
		return get_string(c, &o->manifest, k);
	if (strcmp(k, "ta") == 0)
		return get_string(c, &o->ta, k);
	if (strcmp(k, "accepted") == 0) {
		if ((t = jr_next(c->jr)) != JR_TRUE && t != JR_FALSE)
			return rfail(c, "\"accepted\" is not a boolean");
		o->accepted = t == JR_TRUE;
		return 0;
	}
	if (strcmp(k, "not_before") == 0) {
		o->has_validity = 1;
		return get_time(c, &o->not_before, k);
	}
	if (strcmp(k, "not_after") == 0) {
		o->has_validity = 1;
		return get_time(c, &o->not_after, k);
	}
	if (strcmp(k, "this_update") == 0) {
		o->has_update = 1;
		return get_time(c, &o->this_update, k);
	}
	if (strcmp(k, "next_update") == 0) {
		o->has_update = 1;
		return get_time(c, &o->next_update, k);
	}
	if (strcmp(k, "asn") == 0) {
		o->has_asn = 1;
		if (get_uint(c, UINT32_MAX, &v, k) == -1)
			return -1;
		o->asn = (uint32_t)v;
		return 0;
	}
	if (strcmp(k, "customer") == 0) {
		o->has_customer = 1;
		if (get_uint(c, UINT32_MAX, &v, k) == -1)
			return -1;
		o->customer = (uint32_t)v;
		return 0;
	}
	if (strcmp(k, "prefixes") == 0)
		return get_prefixes(c, o);
	if (jr_skip(c->jr) == -1)
		return rfail(c, "bad value");
	return 0;
}

static void
obj_clear(struct runout_obj *o)
{
	free(o->uri);
	free(o->type);
	free(o->reason);
	free(o->rule);
	free(o->issuer);
	free(o->manifest);
	free(o->ta);
	free(o->prefixes);
	memset(o, 0, sizeof(*o));
}

static int
get_object(struct rctx *c)
{
	struct runout *ro = c->ro;
	struct runout_obj *o, *n;
	enum jr_token t;
	char *k = NULL;

	if (ro->nobjs == c->cap) {
		c->cap = c->cap == 0 ? RUNOUT_INITIAL_OBJS : c->cap * 2;
		if ((n = reallocarray(ro->objs, c->cap, sizeof(*n))) == NULL)
			return fail(c->err, c->errlen, "out of memory");
		ro->objs = n;
	}
	o = &ro->objs[ro->nobjs];
	memset(o, 0, sizeof(*o));
	while ((t = jr_next(c->jr)) == JR_KEY) {
		if ((k = strdup(jr_string(c->jr, NULL))) == NULL) {
			fail(c->err, c->errlen, "out of memory");
			goto bad;
		}
		if (get_member(c, o, k) == -1)
			goto bad;
		free(k);
		k = NULL;
	}
	if (t != JR_OBJECT_END || o->uri == NULL) {
		rfail(c, "report object without \"uri\"");
		goto bad;
	}
	if (o->type == NULL && (o->type = strdup("")) == NULL) {
		fail(c->err, c->errlen, "out of memory");
		goto bad;
	}
	if (o->issuer != NULL)
		ro->has_chain = 1;
	if (o->nprefixes > 0)
		ro->has_payloads = 1;
	ro->nobjs++;
	return 0;
 bad:
	free(k);
	obj_clear(o);
	return -1;
}

static int
get_objects(struct rctx *c)
{
	enum jr_token t;

	if (jr_next(c->jr) != JR_ARRAY_BEGIN)
		return rfail(c, "\"objects\" is not an array");
	while ((t = jr_next(c->jr)) == JR_OBJECT_BEGIN)
		if (get_object(c) == -1)
			return -1;
	if (t != JR_ARRAY_END)
		return rfail(c, "bad \"objects\" array");
	return 0;
}

static int
obj_cmp(const void *a, const void *b)
{
	const struct runout_obj *x = a, *y = b;
	int r;

	if ((r = strcmp(x->uri, y->uri)) != 0)
		return r;
	return strcmp(x->type, y->type);
}

static int
parse_top(struct rctx *c)
{
	enum jr_token t;
	uint64_t v;
	const char *k;

	if (jr_next(c->jr) != JR_OBJECT_BEGIN)
		return rfail(c, "not a JSON object");
	while ((t = jr_next(c->jr)) == JR_KEY) {
		k = jr_string(c->jr, NULL);
		if (strcmp(k, "objects") == 0) {
			if (get_objects(c) == -1)
				return -1;
		} else if (strcmp(k, "accepted") == 0 ||
		    strcmp(k, "rejected") == 0 || strcmp(k, "dropped") == 0) {
			size_t *dst = k[0] == 'a' ? &c->ro->accepted :
			    k[0] == 'r' ? &c->ro->rejected : &c->ro->dropped;

			if (get_uint(c, SIZE_MAX, &v, "count") == -1)
				return -1;
			*dst = (size_t)v;
		} else if (jr_skip(c->jr) == -1)
			return rfail(c, "bad value");
	}
	if (t != JR_OBJECT_END || jr_next(c->jr) != JR_END)
		return rfail(c, "bad report document");
	return 0;
}

static int
ref_cmp(const void *a, const void *b)
{
	const struct runout_vrpref *x = a, *y = b;
	int c;

	if ((c = prefix_cmp(&x->prefix, &y->prefix)) != 0)
		return c;
	if (x->maxlen != y->maxlen)
		return x->maxlen < y->maxlen ? -1 : 1;
	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	return x->obj < y->obj ? -1 : x->obj > y->obj;
}

/* Index the VRPs of the ROA entries carrying asn and prefixes. */
static int
index_refs(struct runout *ro)
{
	const struct runout_obj *o;
	size_t i, k, n = 0;

	for (i = 0; i < ro->nobjs; i++)
		if (ro->objs[i].has_asn)
			n += ro->objs[i].nprefixes;
	if (n == 0)
		return 0;
	if ((ro->refs = calloc(n, sizeof(*ro->refs))) == NULL)
		return -1;
	for (i = 0; i < ro->nobjs; i++) {
		o = &ro->objs[i];
		if (!o->has_asn)
			continue;
		for (k = 0; k < o->nprefixes; k++) {
			ro->refs[ro->nrefs].prefix = o->prefixes[k].prefix;
			ro->refs[ro->nrefs].maxlen = o->prefixes[k].maxlen;
			ro->refs[ro->nrefs].asn = o->asn;
			ro->refs[ro->nrefs++].obj = i;
		}
	}
	qsort(ro->refs, ro->nrefs, sizeof(*ro->refs), ref_cmp);
	return 0;
}

/*
 * Parse report.json content into ro.  Returns 0 or -1 with a reason in
 * err (ro's report fields are then emptied).
 */
int
runout_parse_report(const char *buf, size_t len, struct runout *ro,
    char *err, size_t errlen)
{
	struct rctx c;
	size_t i;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.ro = ro;
	c.err = err;
	c.errlen = errlen;
	if ((c.jr = jr_new(buf, len, RUNOUT_MAX_DEPTH,
	    RUNOUT_MAX_STRING)) == NULL)
		return fail(err, errlen, "out of memory");
	if (parse_top(&c) == 0) {
		if (ro->nobjs > 0)
			qsort(ro->objs, ro->nobjs, sizeof(*ro->objs), obj_cmp);
		ro->has_report = 1;
		rc = 0;
		if (index_refs(ro) == -1)
			rc = fail(err, errlen, "out of memory");
	}
	if (rc == -1) {
		free(ro->refs);
		ro->refs = NULL;
		ro->nrefs = 0;
		ro->has_report = 0;
		for (i = 0; i < ro->nobjs; i++)
			obj_clear(&ro->objs[i]);
		free(ro->objs);
		ro->objs = NULL;
		ro->nobjs = 0;
		ro->has_chain = ro->has_payloads = 0;
	}
	jr_free(c.jr);
	return rc;
}

/* Map path read-only and parse it as the report; -1 with err. */
static int
load_report(const char *path, int need, struct runout *ro, char *err,
    size_t errlen)
{
	struct stat st;
	void *map = NULL;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT && !need)
			return 0;
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) == -1) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (st.st_size <= 0 || st.st_size > RUNOUT_MAX_REPORT_SIZE) {
		fail(err, errlen, "%s: size %lld out of range", path,
		    (long long)st.st_size);
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		map = NULL;
		fail(err, errlen, "%s: mmap: %s", path, strerror(errno));
		goto out;
	}
	rc = runout_parse_report(map, (size_t)st.st_size, ro, err, errlen);
 out:
	if (map != NULL)
		munmap(map, (size_t)st.st_size);
	close(fd);
	return rc;
}

/*
 * The text of dir's OUTDIR_CURRENT link into buf (len bytes), or "" when
 * there is none (not a reef output directory, or an older layout).
 */
static void
current_of(const char *dir, char *buf, size_t len)
{
	char path[MAX_PATH_LENGTH + 1];
	ssize_t n = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
	    OUTDIR_CURRENT) < sizeof(path))
		n = readlink(path, buf, len - 1);
	buf[n >= 0 ? (size_t)n : 0] = '\0';
}

/*
 * The directory dir's outputs are read from, into base: the run
 * directory OUTDIR_CURRENT leads to (its text, in run), else dir itself.
 * Returns 0, or -1 when the path does not fit.
 */
static int
run_base(const char *dir, char *base, size_t len, char *run, size_t runlen)
{
	size_t n;

	current_of(dir, run, runlen);
	if (run[0] == '\0')
		n = (size_t)snprintf(base, len, "%s", dir);
	else if (run[0] == '/')
		n = (size_t)snprintf(base, len, "%s", run);
	else
		n = (size_t)snprintf(base, len, "%s/%s", dir, run);
	return n < len ? 0 : -1;
}

/* Load the hand-off file and report of base into *ro; 0 or -1 (err). */
static int
load_run(const char *dir, const char *base, int flags, struct runout *ro,
    char *err, size_t errlen)
{
	char ho[MAX_PATH_LENGTH + 1], rep[MAX_PATH_LENGTH + 1];

	memset(ro, 0, sizeof(*ro));
	if ((ro->dir = strdup(dir)) == NULL)
		return fail(err, errlen, "out of memory");
	if ((size_t)snprintf(ho, sizeof(ho), "%s/%s", base,
	    HANDOFF_FILENAME) >= sizeof(ho) ||
	    (size_t)snprintf(rep, sizeof(rep), "%s/%s", base,
	    RUNOUT_REPORT_FILENAME) >= sizeof(rep)) {
		fail(err, errlen, "%s: path too long", dir);
		goto bad;
	}
	if (handoff_read(ho, &ro->ho, err, errlen) == -1 ||
	    load_report(rep, flags & RUNOUT_NEED_REPORT, ro, err,
	    errlen) == -1)
		goto bad;
	return 0;
 bad:
	runout_free(ro);
	return -1;
}

/*
 * Load dir's hand-off file and report into *ro (see runout.h).  Both are
 * read from the run directory OUTDIR/.current leads to, not through
 * their public names, so that they are of one run (reef-formats(5),
 * "Output directory").  A run switching in the meantime removes the
 * directory being read: then the new one is read.  Returns 0 or -1 with
 * err.
 */
int
runout_load(const char *dir, int flags, struct runout *ro, char *err,
    size_t errlen)
{
	char base[MAX_PATH_LENGTH + 1];
	char run[MAX_PATH_LENGTH + 1], now[MAX_PATH_LENGTH + 1];
	int i;

	for (i = 0; i < RUNOUT_TRIES; i++) {
		if (run_base(dir, base, sizeof(base), run, sizeof(run)) == -1) {
			memset(ro, 0, sizeof(*ro));
			return fail(err, errlen, "%s: path too long", dir);
		}
		if (load_run(dir, base, flags, ro, err, errlen) == 0)
			return 0;
		current_of(dir, now, sizeof(now));
		if (strcmp(run, now) == 0)
			break;
	}
	return -1;
}

/* Release everything in *ro. */
void
runout_free(struct runout *ro)
{
	size_t i;

	if (ro == NULL)
		return;
	for (i = 0; i < ro->nobjs; i++)
		obj_clear(&ro->objs[i]);
	free(ro->objs);
	free(ro->refs);
	free(ro->dir);
	handoff_free(&ro->ho);
	memset(ro, 0, sizeof(*ro));
}

/*
 * The first entry for uri, or NULL.  Owned by ro.
 */
const struct runout_obj *
runout_find(const struct runout *ro, const char *uri)
{
	size_t lo = 0, hi = ro->nobjs, mid;

	while (lo < hi) {		/* first entry with uri >= key */
		mid = lo + (hi - lo) / 2;
		if (strcmp(ro->objs[mid].uri, uri) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ro->nobjs && strcmp(ro->objs[lo].uri, uri) == 0)
		return &ro->objs[lo];
	return NULL;
}

/*
 * The ROA entry carrying v, accepted ones first; NULL if none.
 */
const struct runout_obj *
runout_roa_of(const struct runout *ro, const struct vrp *v)
{
	struct runout_vrpref key;
	const struct runout_obj *o, *rejected = NULL;
	size_t lo = 0, hi = ro->nrefs, mid;

	memset(&key, 0, sizeof(key));
	key.prefix = v->prefix;
	key.maxlen = v->maxlen;
	key.asn = v->asn;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ref_cmp(&ro->refs[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ro->nrefs; lo++) {
		key.obj = ro->refs[lo].obj;
		if (ref_cmp(&ro->refs[lo], &key) != 0)
			break;
		o = &ro->objs[key.obj];
		if (o->accepted)
			return o;
		if (rejected == NULL)
			rejected = o;
	}
	return rejected;
}

/*
 * The issuer's entry of o, or NULL.
 */
const struct runout_obj *
runout_issuer(const struct runout *ro, const struct runout_obj *o)
{
	if (o->issuer == NULL || o->issuer[0] == '\0')
		return NULL;
	return runout_find(ro, o->issuer);
}

/* Name of TA ta, or "unknown". */
const char *
runout_ta_name(const struct runout *ro, uint32_t ta)
{
	if (ta < ro->ho.nta)
		return ro->ho.ta_names[ta];
	return "unknown";
}
