/*
 * Serial history of the served sets: deltas, their combination and the
 * shared PDU buffers (see history.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/log.h"
#include "rtrd/history.h"
#include "rtrd/serial.h"

/*
 * The changes leading to one serial, self-contained: the router key and
 * ASPA diffs of common/ point into the two sets they compare, so their
 * SPKI and provider arrays are copied here and the old set can go.
 */
struct step {
	uint32_t	 serial;	/* the serial these changes lead to */
	struct vrp_diff	 vrp;
	struct rk_diff	 rk;
	uint8_t		*rk_bytes;	/* SPKIs of rk */
	struct aspa_diff aspa;
	uint32_t	*aspa_asns;	/* providers of aspa */
	/*
	 * Per ASPA announcement: 1 if the customer had an ASPA before (the
	 * announcement replaces it), 0 if it is new.  Combining deltas
	 * needs it to tell "changed" from "added".
	 */
	uint8_t		*aspa_had;
	/* Encoded net changes from (serial - 1) to the current serial. */
	struct rtr_buf	*net[HISTORY_NVERSIONS];
};

struct history {
	size_t		 max_steps;
	uint16_t	 session_ids[HISTORY_NVERSIONS];
	uint32_t	 serial;
	int		 has_data;
	struct input_set cur;
	struct rtr_buf	*full[HISTORY_NVERSIONS];
	struct step	*steps;		/* oldest first */
	size_t		 nsteps;
};

/*
 * One element's net change across one or more steps: whether it was
 * present before the first of them and after the last.  item points
 * into a step's diff lists.
 */
struct chg {
	const void	*item;
	uint8_t		 before;
	uint8_t		 after;
};

struct chglist {
	struct chg	*v;
	size_t		 n;
};

typedef int	(*item_cmp_fn)(const void *, const void *);

/* ---- Shared buffers ---------------------------------------------------- */

/*
 * Returns a new buffer with the bytes of *pb and one reference, or NULL.
 */
struct rtr_buf *
rtr_buf_take(struct pdu_buf *pb)
{
	struct rtr_buf *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->refs = 1;
	b->data = pdu_buf_steal(pb, &b->len);
	return b;
}

/*
 * Returns b with one more reference.
 */
struct rtr_buf *
rtr_buf_ref(struct rtr_buf *b)
{
	if (b != NULL)
		b->refs++;
	return b;
}

/*
 * Drops one reference; the last one frees the buffer.
 */
void
rtr_buf_unref(struct rtr_buf *b)
{
	if (b == NULL || --b->refs > 0)
		return;
	free(b->data);
	free(b);
}

/* ---- Steps ------------------------------------------------------------- */

static void
step_drop_cache(struct step *s)
{
	size_t v;

	for (v = 0; v < HISTORY_NVERSIONS; v++) {
		rtr_buf_unref(s->net[v]);
		s->net[v] = NULL;
	}
}

static void
step_free(struct step *s)
{
	step_drop_cache(s);
	vrp_diff_free(&s->vrp);
	free(s->rk.announce);
	free(s->rk.withdraw);
	free(s->rk_bytes);
	free(s->aspa.announce);
	free(s->aspa.withdraw);
	free(s->aspa_asns);
	free(s->aspa_had);
	memset(s, 0, sizeof(*s));
}

/* Copy n keys into a new array with their SPKIs at bytes + *off. */
static int
copy_keys(const struct router_key *src, size_t n, struct router_key **dst,
    uint8_t *bytes, size_t *off)
{
	size_t i;

	*dst = NULL;
	if (n == 0)
		return 0;
	if ((*dst = calloc(n, sizeof(**dst))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		(*dst)[i] = src[i];
		memcpy(bytes + *off, src[i].spki, src[i].spki_len);
		(*dst)[i].spki = bytes + *off;
		*off += src[i].spki_len;
	}
	return 0;
}

static int
step_copy_rk(struct step *s, const struct rk_diff *d)
{
	size_t i, total = 0, off = 0;

	for (i = 0; i < d->nannounce; i++)
		total += d->announce[i].spki_len;
	for (i = 0; i < d->nwithdraw; i++)
		total += d->withdraw[i].spki_len;
	if ((s->rk_bytes = malloc(total + 1)) == NULL)
		return -1;
	if (copy_keys(d->announce, d->nannounce, &s->rk.announce,
	    s->rk_bytes, &off) == -1)
		return -1;
	s->rk.nannounce = d->nannounce;
	if (copy_keys(d->withdraw, d->nwithdraw, &s->rk.withdraw,
	    s->rk_bytes, &off) == -1)
		return -1;
	s->rk.nwithdraw = d->nwithdraw;
	return 0;
}

/* Copy n ASPAs into a new array with providers at asns + *off. */
static int
copy_aspas(const struct aspa *src, size_t n, struct aspa **dst,
    uint32_t *asns, size_t *off)
{
	size_t i;

	*dst = NULL;
	if (n == 0)
		return 0;
	if ((*dst = calloc(n, sizeof(**dst))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		(*dst)[i] = src[i];
		memcpy(asns + *off, src[i].providers,
		    src[i].nproviders * sizeof(uint32_t));
		(*dst)[i].providers = asns + *off;
		*off += src[i].nproviders;
	}
	return 0;
}

static int
step_copy_aspa(struct step *s, const struct aspa_diff *d,
    const struct aspaset *old)
{
	struct aspa prev;
	size_t i, total = 0, off = 0;

	for (i = 0; i < d->nannounce; i++)
		total += d->announce[i].nproviders;
	for (i = 0; i < d->nwithdraw; i++)
		total += d->withdraw[i].nproviders;
	if ((s->aspa_asns = calloc(total + 1, sizeof(uint32_t))) == NULL)
		return -1;
	if (d->nannounce > 0 &&
	    (s->aspa_had = calloc(d->nannounce, 1)) == NULL)
		return -1;
	if (copy_aspas(d->announce, d->nannounce, &s->aspa.announce,
	    s->aspa_asns, &off) == -1)
		return -1;
	s->aspa.nannounce = d->nannounce;
	if (copy_aspas(d->withdraw, d->nwithdraw, &s->aspa.withdraw,
	    s->aspa_asns, &off) == -1)
		return -1;
	s->aspa.nwithdraw = d->nwithdraw;
	for (i = 0; i < d->nannounce; i++)
		s->aspa_had[i] = aspaset_find(old, d->announce[i].customer,
		    &prev) == 1;
	return 0;
}

/*
 * Fill *s with the changes from old to new.  Returns 0, or -1 on
 * allocation failure (*s then freed).
 */
static int
step_build(struct step *s, const struct input_set *old,
    const struct input_set *new)
{
	struct rk_diff rk = { 0 };
	struct aspa_diff aspa = { 0 };
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (vrpset_diff(old->vrps, new->vrps, &s->vrp) != PAYLOAD_OK)
		goto out;
	if (rkset_diff(old->rks, new->rks, &rk) != PAYLOAD_OK ||
	    step_copy_rk(s, &rk) == -1)
		goto out;
	if (aspaset_diff(old->aspas, new->aspas, &aspa) != PAYLOAD_OK ||
	    step_copy_aspa(s, &aspa, old->aspas) == -1)
		goto out;
	rc = 0;
 out:
	rk_diff_free(&rk);
	aspa_diff_free(&aspa);
	if (rc == -1)
		step_free(s);
	return rc;
}

static int
step_empty(const struct step *s)
{
	return s->vrp.nannounce == 0 && s->vrp.nwithdraw == 0 &&
	    s->rk.nannounce == 0 && s->rk.nwithdraw == 0 &&
	    s->aspa.nannounce == 0 && s->aspa.nwithdraw == 0;
}

/* ---- Combining steps --------------------------------------------------- */

static int
cmp_vrp(const void *a, const void *b)
{
	return vrp_cmp(a, b);
}

static int
cmp_rk(const void *a, const void *b)
{
	return router_key_cmp(a, b);
}

static int
cmp_aspa(const void *a, const void *b)
{
	const struct aspa *x = a, *y = b;

	return x->customer < y->customer ? -1 : x->customer > y->customer;
}

/*
 * The changes of one step as one list in set order: announcements (had
 * gives "present before" per announcement, NULL for all 0) and
 * withdrawals, each already sorted, merged.
 */
static int
chg_from_step(const void *ann, size_t nann, const void *wd, size_t nwd,
    size_t size, const uint8_t *had, item_cmp_fn cmp, struct chglist *out)
{
	const char *a = ann, *w = wd;
	size_t i = 0, j = 0, k = 0;

	out->n = 0;
	if ((out->v = calloc(nann + nwd + 1, sizeof(*out->v))) == NULL)
		return -1;
	while (i < nann || j < nwd) {
		if (j == nwd || (i < nann &&
		    cmp(a + i * size, w + j * size) < 0)) {
			out->v[k].item = a + i * size;
			out->v[k].before = had != NULL ? had[i] : 0;
			out->v[k++].after = 1;
			i++;
		} else {
			out->v[k].item = w + j * size;
			out->v[k].before = 1;
			out->v[k++].after = 0;
			j++;
		}
	}
	out->n = k;
	return 0;
}

/*
 * The net change of a followed by b: an element in both keeps a's
 * "before" and takes b's "after" and item.  Consumes a.
 */
static int
chg_compose(struct chglist *a, const struct chglist *b, item_cmp_fn cmp)
{
	struct chg *v;
	size_t i = 0, j = 0, k = 0;
	int c;

	if ((v = calloc(a->n + b->n + 1, sizeof(*v))) == NULL)
		return -1;
	while (i < a->n || j < b->n) {
		if (j == b->n)
			c = -1;
		else if (i == a->n)
			c = 1;
		else
			c = cmp(a->v[i].item, b->v[j].item);
		if (c < 0)
			v[k++] = a->v[i++];
		else if (c > 0)
			v[k++] = b->v[j++];
		else {
			v[k] = b->v[j++];
			v[k++].before = a->v[i++].before;
		}
	}
	free(a->v);
	a->v = v;
	a->n = k;
	return 0;
}

/*
 * Split a net change list into new announce and withdraw arrays of
 * elements of the given size.  With replace (ASPA), anything present
 * afterwards is announced, as an announcement replaces the router's
 * previous ASPA of the customer (8210bis section 5.12); otherwise only
 * what was absent before.
 */
static int
chg_split(const struct chglist *l, size_t size, int replace, void **ann,
    size_t *nann, void **wd, size_t *nwd)
{
	char *a, *w;
	size_t i;

	*nann = *nwd = 0;
	a = calloc(l->n + 1, size);
	w = calloc(l->n + 1, size);
	if (a == NULL || w == NULL) {
		free(a);
		free(w);
		*ann = *wd = NULL;
		return -1;
	}
	for (i = 0; i < l->n; i++) {
		if (l->v[i].after && (replace || !l->v[i].before))
			memcpy(a + (*nann)++ * size, l->v[i].item, size);
		else if (l->v[i].before && !l->v[i].after)
			memcpy(w + (*nwd)++ * size, l->v[i].item, size);
	}
	*ann = a;
	*wd = w;
	return 0;
}

/* Per payload type, where a step keeps its lists. */
enum ptype { PT_VRP, PT_RK, PT_ASPA, PT_COUNT };

static int
chg_of_step(const struct step *s, enum ptype t, struct chglist *out)
{
	switch (t) {
	case PT_VRP:
		return chg_from_step(s->vrp.announce, s->vrp.nannounce,
		    s->vrp.withdraw, s->vrp.nwithdraw, sizeof(struct vrp),
		    NULL, cmp_vrp, out);
	case PT_RK:
		return chg_from_step(s->rk.announce, s->rk.nannounce,
		    s->rk.withdraw, s->rk.nwithdraw, sizeof(struct router_key),
		    NULL, cmp_rk, out);
	default:
		return chg_from_step(s->aspa.announce, s->aspa.nannounce,
		    s->aspa.withdraw, s->aspa.nwithdraw, sizeof(struct aspa),
		    s->aspa_had, cmp_aspa, out);
	}
}

/*
 * The net changes of steps [first, nsteps) as one diff per type (lists
 * owned by the caller, elements pointing into the steps).
 */
static int
combine_steps(const struct history *h, size_t first, struct vrp_diff *vd,
    struct rk_diff *rd, struct aspa_diff *ad)
{
	static const item_cmp_fn cmps[PT_COUNT] = { cmp_vrp, cmp_rk, cmp_aspa };
	struct chglist net[PT_COUNT] = { { 0 } }, one;
	size_t i;
	int t, rc = -1;

	for (t = 0; t < PT_COUNT; t++) {
		if (chg_of_step(&h->steps[first], t, &net[t]) == -1)
			goto out;
		for (i = first + 1; i < h->nsteps; i++) {
			if (chg_of_step(&h->steps[i], t, &one) == -1)
				goto out;
			if (chg_compose(&net[t], &one, cmps[t]) == -1) {
				free(one.v);
				goto out;
			}
			free(one.v);
		}
	}
	if (chg_split(&net[PT_VRP], sizeof(struct vrp), 0,
	    (void **)&vd->announce, &vd->nannounce,
	    (void **)&vd->withdraw, &vd->nwithdraw) == -1 ||
	    chg_split(&net[PT_RK], sizeof(struct router_key), 0,
	    (void **)&rd->announce, &rd->nannounce,
	    (void **)&rd->withdraw, &rd->nwithdraw) == -1 ||
	    chg_split(&net[PT_ASPA], sizeof(struct aspa), 1,
	    (void **)&ad->announce, &ad->nannounce,
	    (void **)&ad->withdraw, &ad->nwithdraw) == -1)
		goto out;
	rc = 0;
 out:
	for (t = 0; t < PT_COUNT; t++)
		free(net[t].v);
	return rc;
}

/* ---- The history ------------------------------------------------------- */

/*
 * Returns a new empty history, or NULL.  Free with history_free().
 */
struct history *
history_new(size_t max_deltas, const uint16_t session_ids[HISTORY_NVERSIONS],
    uint32_t first_serial)
{
	struct history *h;

	if (max_deltas < 1 || max_deltas > MAX_RTR_DELTAS)
		return NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->steps = calloc(max_deltas, sizeof(*h->steps))) == NULL) {
		free(h);
		return NULL;
	}
	h->max_steps = max_deltas;
	memcpy(h->session_ids, session_ids, sizeof(h->session_ids));
	h->serial = first_serial;
	return h;
}

static void
drop_full(struct history *h)
{
	size_t v;

	for (v = 0; v < HISTORY_NVERSIONS; v++) {
		rtr_buf_unref(h->full[v]);
		h->full[v] = NULL;
	}
}

/*
 * Frees the history and its references.
 */
void
history_free(struct history *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nsteps; i++)
		step_free(&h->steps[i]);
	free(h->steps);
	drop_full(h);
	input_set_free(&h->cur);
	free(h);
}

/*
 * Returns 1 once a set has been pushed.
 */
int
history_has_data(const struct history *h)
{
	return h->has_data;
}

/*
 * Returns the current serial.
 */
uint32_t
history_serial(const struct history *h)
{
	return h->serial;
}

/*
 * Returns the session ID of a version (that of the highest for a bad one).
 */
uint16_t
history_session_id(const struct history *h, uint8_t version)
{
	if (version > PDU_VERSION_MAX)
		version = PDU_VERSION_MAX;
	return h->session_ids[version];
}

/*
 * Returns how many deltas are kept.
 */
size_t
history_ndeltas(const struct history *h)
{
	return h->nsteps;
}

/*
 * Returns the served set (the history's), or NULL.
 */
const struct input_set *
history_current(const struct history *h)
{
	return h->has_data ? &h->cur : NULL;
}

static void
take_set(struct history *h, struct input_set *in)
{
	input_set_free(&h->cur);
	h->cur = *in;
	memset(in, 0, sizeof(*in));
}

/*
 * Serve *in from now on; 1 new serial, 0 same content, -1 no memory.
 */
int
history_push(struct history *h, struct input_set *in)
{
	struct step s;
	size_t i;

	if (!h->has_data) {
		take_set(h, in);
		h->has_data = 1;
		return 1;
	}
	if (step_build(&s, &h->cur, in) == -1)
		return -1;
	if (step_empty(&s)) {
		/* The encodings depend on identities only: keep them. */
		step_free(&s);
		take_set(h, in);
		return 0;
	}
	if (h->nsteps == h->max_steps) {
		step_free(&h->steps[0]);
		memmove(&h->steps[0], &h->steps[1],
		    (h->nsteps - 1) * sizeof(*h->steps));
		h->nsteps--;
	}
	/* Every cached answer ended at the old serial. */
	for (i = 0; i < h->nsteps; i++)
		step_drop_cache(&h->steps[i]);
	drop_full(h);
	h->serial = serial_next(h->serial);
	s.serial = h->serial;
	h->steps[h->nsteps++] = s;
	take_set(h, in);
	return 1;
}

/*
 * Withdraw expired payloads; 1 new serial, 0 nothing due, -1 no memory.
 */
int
history_expire(struct history *h, int64_t now)
{
	struct input_set n;
	char err[256];
	int rc;

	/*
	 * An entry is valid through its expires second (as a certificate
	 * through notAfter): withdraw it once the clock has passed it.
	 */
	if (!h->has_data || now <= h->cur.next_expiry)
		return 0;
	if (input_expire(&h->cur, now, &n, err, sizeof(err)) == -1) {
		log_warnx("expiry: %s", err);
		return -1;
	}
	if ((rc = history_push(h, &n)) == -1)
		input_set_free(&n);
	return rc;
}

/*
 * Returns a new reference to the current full set's PDUs, or NULL.
 */
struct rtr_buf *
history_full(struct history *h, uint8_t version)
{
	struct pdu_buf pb;
	struct pdu_encode_stats st = { 0 };
	int rc;

	if (!h->has_data || version > PDU_VERSION_MAX)
		return NULL;
	if (h->full[version] == NULL) {
		pdu_buf_init(&pb);
		rc = pdu_encode_full(&pb, version, h->cur.vrps, h->cur.rks,
		    h->cur.aspas, &st);
		if (rc != PDU_OK) {
			log_warnx("encoding serial %u for version %u: %s",
			    h->serial, version, pdu_strerror(rc));
			pdu_buf_free(&pb);
			return NULL;
		}
		if (st.nskipped > 0)
			log_warnx("serial %u, version %u: %zu entries cannot "
			    "be sent and are left out", h->serial, version,
			    st.nskipped);
		if ((h->full[version] = rtr_buf_take(&pb)) == NULL) {
			pdu_buf_free(&pb);
			return NULL;
		}
	}
	return rtr_buf_ref(h->full[version]);
}

/* Encode the net changes of steps [first, nsteps) at a version. */
static enum history_result
encode_delta(struct history *h, size_t first, uint8_t version,
    struct rtr_buf **out)
{
	struct vrp_diff vd = { 0 };
	struct rk_diff rd = { 0 };
	struct aspa_diff ad = { 0 };
	const struct step *s = &h->steps[first];
	struct pdu_buf pb;
	enum history_result res = HISTORY_ERROR;
	int rc;

	pdu_buf_init(&pb);
	if (first + 1 == h->nsteps)
		rc = pdu_encode_delta(&pb, version, &s->vrp, &s->rk, &s->aspa,
		    NULL);
	else if (combine_steps(h, first, &vd, &rd, &ad) == -1)
		rc = PDU_ENOMEM;
	else
		rc = pdu_encode_delta(&pb, version, &vd, &rd, &ad, NULL);
	if (rc == PDU_EINVAL || rc == PDU_ETOOBIG) {
		/* The full set skips what cannot be sent; a delta cannot. */
		log_warnx("delta from serial %u, version %u: %s; answering "
		    "with Cache Reset", s->serial - 1, version,
		    pdu_strerror(rc));
		res = HISTORY_RESET;
	} else if (rc == PDU_OK && (*out = rtr_buf_take(&pb)) != NULL)
		res = HISTORY_DELTA;
	pdu_buf_free(&pb);
	/* The lists only point into the steps: free the arrays alone. */
	free(vd.announce);
	free(vd.withdraw);
	free(rd.announce);
	free(rd.withdraw);
	free(ad.announce);
	free(ad.withdraw);
	return res;
}

/*
 * Answer a Serial Query for `from` (see history.h).
 */
enum history_result
history_delta(struct history *h, uint8_t version, uint32_t from,
    struct rtr_buf **out)
{
	enum history_result res;
	uint32_t next = serial_next(from);
	size_t i;

	*out = NULL;
	if (!h->has_data || version > PDU_VERSION_MAX)
		return HISTORY_ERROR;
	if (from == h->serial)
		return HISTORY_CURRENT;
	for (i = 0; i < h->nsteps; i++)
		if (h->steps[i].serial == next)
			break;
	if (i == h->nsteps)
		return HISTORY_RESET;
	if (h->steps[i].net[version] == NULL) {
		res = encode_delta(h, i, version, &h->steps[i].net[version]);
		if (res != HISTORY_DELTA)
			return res;
	}
	*out = rtr_buf_ref(h->steps[i].net[version]);
	return HISTORY_DELTA;
}
