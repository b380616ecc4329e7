/*
 * RRDP delta files (RFC 8182 section 3.5.3): <delta> holding one or more
 * <publish uri [hash]> (new object, or replacement of the object whose
 * hash is given) and <withdraw uri hash> elements.
 */
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/limits.h"
#include "validator/rrdp.h"
#include "validator/rrdp_xml.h"

struct rrdp_delta {
	struct rrdp_xml		*x;
	struct rrdp_sink	 sink;
	struct rrdp_session	 expect;
	struct rrdp_object	 obj;
	int			 in_publish;	/* else in <withdraw> at depth 2 */
	size_t			 count;
};

static int
delta_publish(struct rrdp_delta *d, struct rrdp_xml *x,
    const struct rrdp_xml_attr *attrs, size_t nattrs)
{
	static const char *const names[] = { "uri", "hash", NULL };
	unsigned char hash[HASH_SHA256_LEN];
	const char *v[3];

	if (rrdp_xml_attrs(x, "publish", attrs, nattrs, names, v, 0x1) == -1)
		return -1;
	if (v[1] != NULL && rrdp_xml_hash(x, "publish hash", v[1], hash) == -1)
		return -1;
	d->in_publish = 1;
	return rrdp_object_begin(x, &d->obj, &d->sink, v[0],
	    v[1] != NULL ? hash : NULL);
}

static int
delta_withdraw(struct rrdp_delta *d, struct rrdp_xml *x,
    const struct rrdp_xml_attr *attrs, size_t nattrs)
{
	static const char *const names[] = { "uri", "hash", NULL };
	unsigned char hash[HASH_SHA256_LEN];
	const char *v[3];

	/* RFC 8182 section 3.5.3.3: withdraw always names the old hash. */
	if (rrdp_xml_attrs(x, "withdraw", attrs, nattrs, names, v, 0x3) == -1)
		return -1;
	if (rrdp_xml_hash(x, "withdraw hash", v[1], hash) == -1 ||
	    rrdp_xml_object_uri(x, &d->sink, v[0]) == -1)
		return -1;
	d->in_publish = 0;
	if (d->sink.withdraw == NULL ||
	    d->sink.withdraw(d->sink.arg, v[0], hash) == -1)
		return rrdp_xml_fail(x, "withdraw of %s refused", v[0]);
	return 0;
}

static int
delta_start(void *arg, struct rrdp_xml *x, const char *name,
    const struct rrdp_xml_attr *attrs, size_t nattrs, int depth)
{
	struct rrdp_delta *d = arg;

	if (depth == 1) {
		if (strcmp(name, "delta") != 0)
			return rrdp_xml_fail(x, "root <%s> is not <delta>",
			    name);
		return rrdp_xml_root_expect(x, name, attrs, nattrs, &d->expect);
	}
	if (depth == 2 && strcmp(name, "publish") == 0)
		return delta_publish(d, x, attrs, nattrs);
	if (depth == 2 && strcmp(name, "withdraw") == 0)
		return delta_withdraw(d, x, attrs, nattrs);
	return rrdp_xml_fail(x, "unexpected <%s> in delta", name);
}

static int
delta_end(void *arg, struct rrdp_xml *x, const char *name, int depth)
{
	struct rrdp_delta *d = arg;

	if (depth == 1) {
		/* RFC 8182 section 3.5.3.3: one or more publish/withdraw. */
		if (d->count == 0)
			return rrdp_xml_fail(x, "empty delta");
		return 0;
	}
	if (d->in_publish && rrdp_object_end(x, &d->obj) == -1)
		return -1;
	d->count++;
	return 0;
}

static int
delta_text(void *arg, struct rrdp_xml *x, const char *buf, size_t len,
    int depth)
{
	struct rrdp_delta *d = arg;

	if (depth == 2 && d->in_publish)
		return rrdp_object_text(x, &d->obj, buf, len);
	return rrdp_xml_blank(x, buf, len);
}

static const struct rrdp_xml_ops delta_ops = {
	delta_start, delta_end, delta_text
};

/*
 * New delta parser; see rrdp.h.  The caller owns it.
 */
struct rrdp_delta *
rrdp_delta_new(const char *file_uri, const struct rrdp_session *expect,
    const unsigned char *expect_hash, const struct rrdp_sink *sink)
{
	struct rrdp_delta *d;

	if (file_uri == NULL || expect == NULL || sink == NULL ||
	    sink->publish_begin == NULL || sink->publish_write == NULL ||
	    sink->publish_end == NULL || sink->withdraw == NULL)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->sink = *sink;
	d->expect = *expect;
	d->x = rrdp_xml_new(file_uri, MAX_RRDP_DELTA_SIZE, expect_hash,
	    &delta_ops, d);
	if (d->x == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

int
rrdp_delta_feed(struct rrdp_delta *d, const void *buf, size_t len)
{
	if (rrdp_xml_feed(d->x, buf, len) == 0)
		return 0;
	rrdp_object_abort(&d->obj);
	return -1;
}

int
rrdp_delta_finish(struct rrdp_delta *d)
{
	if (rrdp_xml_finish(d->x) == 0)
		return 0;
	rrdp_object_abort(&d->obj);
	return -1;
}

const char *
rrdp_delta_error(const struct rrdp_delta *d)
{
	return rrdp_xml_error(d->x);
}

size_t
rrdp_delta_count(const struct rrdp_delta *d)
{
	return d->count;
}

void
rrdp_delta_free(struct rrdp_delta *d)
{
	if (d == NULL)
		return;
	rrdp_object_abort(&d->obj);
	rrdp_xml_free(d->x);
	free(d);
}
