/*
 * RRDP snapshot files (RFC 8182 section 3.5.2): <snapshot> holding any
 * number of <publish uri="rsync://..."> elements, each carrying a whole
 * object in base64, streamed to the caller's sink as it arrives.
 */
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "validator/rrdp.h"
#include "validator/rrdp_xml.h"

struct rrdp_snapshot {
	struct rrdp_xml		*x;
	struct rrdp_sink	 sink;
	struct rrdp_session	 expect;
	struct rrdp_object	 obj;
	size_t			 count;
};

static int
snapshot_start(void *arg, struct rrdp_xml *x, const char *name,
    const struct rrdp_xml_attr *attrs, size_t nattrs, int depth)
{
	static const char *const names[] = { "uri", "hash", NULL };
	struct rrdp_snapshot *s = arg;
	const char *v[3];

	if (depth == 1) {
		if (strcmp(name, "snapshot") != 0)
			return rrdp_xml_fail(x, "root <%s> is not <snapshot>",
			    name);
		return rrdp_xml_root_expect(x, name, attrs, nattrs, &s->expect);
	}
	if (depth > 2 || strcmp(name, "publish") != 0)
		return rrdp_xml_fail(x, "unexpected <%s> in snapshot", name);
	if (rrdp_xml_attrs(x, name, attrs, nattrs, names, v, 0x1) == -1)
		return -1;
	/* RFC 8182 section 3.5.2.3: snapshots replace nothing. */
	if (v[1] != NULL)
		return rrdp_xml_fail(x, "<publish> with hash in a snapshot");
	return rrdp_object_begin(x, &s->obj, &s->sink, v[0], NULL);
}

static int
snapshot_end(void *arg, struct rrdp_xml *x, const char *name, int depth)
{
	struct rrdp_snapshot *s = arg;

	if (depth != 2)
		return 0;
	if (rrdp_object_end(x, &s->obj) == -1)
		return -1;
	s->count++;
	return 0;
}

static int
snapshot_text(void *arg, struct rrdp_xml *x, const char *buf, size_t len,
    int depth)
{
	struct rrdp_snapshot *s = arg;

	if (depth == 2)
		return rrdp_object_text(x, &s->obj, buf, len);
	return rrdp_xml_blank(x, buf, len);
}

static const struct rrdp_xml_ops snapshot_ops = {
	snapshot_start, snapshot_end, snapshot_text
};

/*
 * New snapshot parser; see rrdp.h.  The caller owns it.
 */
struct rrdp_snapshot *
rrdp_snapshot_new(const char *file_uri, const struct rrdp_session *expect,
    const unsigned char *expect_hash, const struct rrdp_sink *sink)
{
	struct rrdp_snapshot *s;

	if (file_uri == NULL || expect == NULL || sink == NULL ||
	    sink->publish_begin == NULL || sink->publish_write == NULL ||
	    sink->publish_end == NULL)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->sink = *sink;
	s->expect = *expect;
	s->x = rrdp_xml_new(file_uri, MAX_RRDP_SNAPSHOT_SIZE, expect_hash,
	    &snapshot_ops, s);
	if (s->x == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

int
rrdp_snapshot_feed(struct rrdp_snapshot *s, const void *buf, size_t len)
{
	if (rrdp_xml_feed(s->x, buf, len) == 0)
		return 0;
	rrdp_object_abort(&s->obj);
	return -1;
}

int
rrdp_snapshot_finish(struct rrdp_snapshot *s)
{
	if (rrdp_xml_finish(s->x) == 0)
		return 0;
	rrdp_object_abort(&s->obj);
	return -1;
}

const char *
rrdp_snapshot_error(const struct rrdp_snapshot *s)
{
	return rrdp_xml_error(s->x);
}

size_t
rrdp_snapshot_count(const struct rrdp_snapshot *s)
{
	return s->count;
}

void
rrdp_snapshot_free(struct rrdp_snapshot *s)
{
	if (s == NULL)
		return;
	rrdp_object_abort(&s->obj);
	rrdp_xml_free(s->x);
	free(s);
}
