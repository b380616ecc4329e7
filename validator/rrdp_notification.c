/*
 * RRDP update notification files (RFC 8182 section 3.5.1): session, serial,
 * the snapshot's URI and hash, and the list of deltas, all of whose URIs
 * must share the notification's origin (RFC 9674).
 */
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/limits.h"
#include "validator/rrdp.h"
#include "validator/rrdp_xml.h"

struct rrdp_notification_parser {
	struct rrdp_xml			*x;
	char				*notify_uri;
	struct rrdp_notification	*n;
	size_t				 cap;	/* allocated n->deltas */
	int				 have_snapshot;
};

/* The snapshot or a delta URI: https, sane, and the same origin. */
static int
check_uri(struct rrdp_notification_parser *p, const char *what,
    const char *uri)
{
	if (!rrdp_https_uri_valid(uri))
		return rrdp_xml_fail(p->x, "%s URI \"%s\" is not a valid "
		    "https URI", what, uri);
	if (!rrdp_same_origin(uri, p->notify_uri))
		return rrdp_xml_fail(p->x, "RFC 9674: %s URI %s is not on the "
		    "origin of %s", what, uri, p->notify_uri);
	return 0;
}

static int
notif_snapshot(struct rrdp_notification_parser *p,
    const struct rrdp_xml_attr *attrs, size_t nattrs)
{
	static const char *const names[] = { "uri", "hash", NULL };
	const char *v[3];

	if (p->have_snapshot)
		return rrdp_xml_fail(p->x, "second <snapshot>");
	if (rrdp_xml_attrs(p->x, "snapshot", attrs, nattrs, names, v,
	    0x3) == -1 ||
	    rrdp_xml_hash(p->x, "snapshot hash", v[1],
	    p->n->snapshot_hash) == -1 ||
	    check_uri(p, "snapshot", v[0]) == -1)
		return -1;
	if ((p->n->snapshot_uri = strdup(v[0])) == NULL)
		return rrdp_xml_fail(p->x, "out of memory");
	p->have_snapshot = 1;
	return 0;
}

static int
notif_delta(struct rrdp_notification_parser *p,
    const struct rrdp_xml_attr *attrs, size_t nattrs)
{
	static const char *const names[] = { "serial", "uri", "hash", NULL };
	struct rrdp_notification *n = p->n;
	struct rrdp_delta_ref *d, *nd;
	const char *v[4];
	size_t ncap;

	if (rrdp_xml_attrs(p->x, "delta", attrs, nattrs, names, v,
	    0x7) == -1)
		return -1;
	if (n->ndeltas >= RRDP_MAX_NOTIFICATION_DELTAS)
		return rrdp_xml_fail(p->x, "more than %d deltas",
		    RRDP_MAX_NOTIFICATION_DELTAS);
	if (n->ndeltas == p->cap) {
		ncap = p->cap == 0 ? 64 : p->cap * 2;
		nd = reallocarray(n->deltas, ncap, sizeof(*nd));
		if (nd == NULL)
			return rrdp_xml_fail(p->x, "out of memory");
		n->deltas = nd;
		p->cap = ncap;
	}
	d = &n->deltas[n->ndeltas];
	memset(d, 0, sizeof(*d));
	if (rrdp_xml_serial(p->x, "delta serial", v[0], &d->serial) == -1 ||
	    rrdp_xml_hash(p->x, "delta hash", v[2], d->hash) == -1 ||
	    check_uri(p, "delta", v[1]) == -1)
		return -1;
	if (d->serial > n->session.serial)
		return rrdp_xml_fail(p->x, "delta serial %llu beyond the "
		    "notification's %llu", (unsigned long long)d->serial,
		    (unsigned long long)n->session.serial);
	if ((d->uri = strdup(v[1])) == NULL)
		return rrdp_xml_fail(p->x, "out of memory");
	n->ndeltas++;
	return 0;
}

static int
notif_start(void *arg, struct rrdp_xml *x, const char *name,
    const struct rrdp_xml_attr *attrs, size_t nattrs, int depth)
{
	struct rrdp_notification_parser *p = arg;

	if (depth == 1) {
		if (strcmp(name, "notification") != 0)
			return rrdp_xml_fail(x, "root <%s> is not "
			    "<notification>", name);
		return rrdp_xml_root(x, name, attrs, nattrs, &p->n->session);
	}
	if (depth == 2 && strcmp(name, "snapshot") == 0)
		return notif_snapshot(p, attrs, nattrs);
	if (depth == 2 && strcmp(name, "delta") == 0)
		return notif_delta(p, attrs, nattrs);
	return rrdp_xml_fail(x, "unexpected <%s> in notification", name);
}

static int
delta_cmp(const void *a, const void *b)
{
	const struct rrdp_delta_ref *da = a, *db = b;

	return da->serial < db->serial ? -1 : da->serial > db->serial;
}

/* End of the root: one snapshot, deltas sorted with no duplicate serial. */
static int
notif_end(void *arg, struct rrdp_xml *x, const char *name, int depth)
{
	struct rrdp_notification_parser *p = arg;
	struct rrdp_notification *n = p->n;
	size_t i;

	if (depth != 1)
		return 0;
	if (!p->have_snapshot)
		return rrdp_xml_fail(x, "no <snapshot>");
	if (n->ndeltas > 1)
		qsort(n->deltas, n->ndeltas, sizeof(n->deltas[0]), delta_cmp);
	for (i = 1; i < n->ndeltas; i++)
		if (n->deltas[i].serial == n->deltas[i - 1].serial)
			return rrdp_xml_fail(x, "delta serial %llu listed "
			    "twice", (unsigned long long)n->deltas[i].serial);
	return 0;
}

static int
notif_text(void *arg, struct rrdp_xml *x, const char *buf, size_t len,
    int depth)
{
	return rrdp_xml_blank(x, buf, len);
}

static const struct rrdp_xml_ops notif_ops = {
	notif_start, notif_end, notif_text
};

/*
 * New notification parser; see rrdp.h.  The caller owns it.
 */
struct rrdp_notification_parser *
rrdp_notification_parser_new(const char *notify_uri)
{
	struct rrdp_notification_parser *p;

	if (notify_uri == NULL || !rrdp_https_uri_valid(notify_uri))
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->notify_uri = strdup(notify_uri)) == NULL ||
	    (p->n = calloc(1, sizeof(*p->n))) == NULL ||
	    (p->x = rrdp_xml_new(notify_uri, MAX_RRDP_NOTIFICATION_SIZE, NULL,
	    &notif_ops, p)) == NULL) {
		rrdp_notification_parser_free(p);
		return NULL;
	}
	return p;
}

int
rrdp_notification_feed(struct rrdp_notification_parser *p, const void *buf,
    size_t len)
{
	return rrdp_xml_feed(p->x, buf, len);
}

/*
 * Finish; on success the notification moves to the caller.
 */
int
rrdp_notification_finish(struct rrdp_notification_parser *p,
    struct rrdp_notification **out)
{
	*out = NULL;
	if (rrdp_xml_finish(p->x) == -1)
		return -1;
	*out = p->n;
	p->n = NULL;
	return 0;
}

const char *
rrdp_notification_error(const struct rrdp_notification_parser *p)
{
	return rrdp_xml_error(p->x);
}

void
rrdp_notification_parser_free(struct rrdp_notification_parser *p)
{
	if (p == NULL)
		return;
	rrdp_xml_free(p->x);
	rrdp_notification_free(p->n);
	free(p->notify_uri);
	free(p);
}

void
rrdp_notification_free(struct rrdp_notification *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->ndeltas; i++)
		free(n->deltas[i].uri);
	free(n->deltas);
	free(n->snapshot_uri);
	free(n);
}

/*
 * Deltas are sorted and unique, so have+1 .. serial is complete exactly
 * when both ends are present (at the expected distance).
 */
int
rrdp_notification_delta_chain(const struct rrdp_notification *n,
    uint64_t have, size_t *first, size_t *count)
{
	uint64_t need;
	size_t lo = 0, hi = n->ndeltas, mid;

	*first = 0;
	*count = 0;
	if (have > n->session.serial)
		return -1;
	need = n->session.serial - have;
	if (need == 0)
		return 0;
	if (need > MAX_RRDP_DELTAS)
		return -1;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (n->deltas[mid].serial <= have)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo + need > n->ndeltas || n->deltas[lo].serial != have + 1 ||
	    n->deltas[lo + need - 1].serial != n->session.serial)
		return -1;
	*first = lo;
	*count = need;
	return 0;
}
