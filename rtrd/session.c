/*
 * The RTR session state machine (see session.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "rtrd/session.h"

/*
 * Unprocessed input kept at most: one PDU up to PDU_MAX_LEN plus what
 * one read may bring behind it while a response is being sent.
 */
#define SESSION_INPUT_MAX	(2 * (PDU_MAX_LEN + 1))

struct qent {
	struct rtr_buf	*buf;
	size_t		 off;		/* bytes of buf already sent */
	int		 private;	/* encoded for this session alone */
	int		 notify;	/* a Serial Notify */
};

struct session {
	struct history			*h;
	const struct session_config	*cfg;
	char				 name[SESSION_NAME_MAX];
	enum session_state		 state;
	int				 version;	/* -1 until negotiated */
	time_t				 last;		/* last activity */
	time_t				 now;		/* latest clock seen */
	struct qent			 q[SESSION_QUEUE_MAX];
	size_t				 qhead;
	size_t				 qlen;
	size_t				 qprivate;	/* bytes of private PDUs */
	size_t				 pending;	/* bytes not yet sent */
	uint8_t				*in;		/* unprocessed input */
	size_t				 inlen;
};

static void	process_buffered(struct session *);

/*
 * Returns a new session in state NEW, or NULL.
 */
struct session *
session_new(struct history *h, const struct session_config *cfg,
    const char *name, time_t now)
{
	struct session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->h = h;
	s->cfg = cfg;
	s->version = -1;
	s->last = s->now = now;
	strncpy(s->name, name != NULL ? name : "?", sizeof(s->name) - 1);
	return s;
}

static void
queue_clear(struct session *s)
{
	while (s->qlen > 0) {
		rtr_buf_unref(s->q[s->qhead].buf);
		s->qhead = (s->qhead + 1) % SESSION_QUEUE_MAX;
		s->qlen--;
	}
	s->qprivate = s->pending = 0;
}

/*
 * Frees the session and its references.
 */
void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	queue_clear(s);
	free(s->in);
	free(s);
}

/*
 * Returns the state.
 */
enum session_state
session_state(const struct session *s)
{
	return s->state;
}

/*
 * Returns the negotiated version or -1.
 */
int
session_version(const struct session *s)
{
	return s->version;
}

/*
 * Returns the peer name.
 */
const char *
session_name(const struct session *s)
{
	return s->name;
}

/* Drop everything queued except a partly sent head, which must finish. */
static void
queue_trim(struct session *s)
{
	struct qent head;

	if (s->qlen == 0 || s->q[s->qhead].off == 0) {
		queue_clear(s);
		return;
	}
	head = s->q[s->qhead];
	s->q[s->qhead].buf = NULL;
	s->qlen--;
	s->qhead = (s->qhead + 1) % SESSION_QUEUE_MAX;
	queue_clear(s);
	s->q[s->qhead] = head;
	s->qlen = 1;
	s->pending = head.buf->len - head.off;
	s->qprivate = head.private ? head.buf->len : 0;
}

static void
close_now(struct session *s)
{
	s->state = SESSION_CLOSED;
	queue_clear(s);
	free(s->in);
	s->in = NULL;
	s->inlen = 0;
}

/* Room for n more queue entries? */
static int
queue_room(const struct session *s, size_t n)
{
	return s->qlen + n <= SESSION_QUEUE_MAX;
}

/* Append a buffer reference (taken over by the queue). */
static void
queue_push(struct session *s, struct rtr_buf *b, int private, int notify)
{
	struct qent *e = &s->q[(s->qhead + s->qlen) % SESSION_QUEUE_MAX];

	e->buf = b;
	e->off = 0;
	e->private = private;
	e->notify = notify;
	s->qlen++;
	s->pending += b->len;
	if (private)
		s->qprivate += b->len;
}

/*
 * Turn the PDUs in *pb into a private queue entry.  Returns 0, or -1
 * (queue full, byte cap or allocation failure); *pb is emptied either way.
 */
static int
queue_pdus(struct session *s, struct pdu_buf *pb, int notify)
{
	struct rtr_buf *b;

	if (!queue_room(s, 1) ||
	    s->qprivate + pb->len > SESSION_QUEUE_BYTES_MAX ||
	    (b = rtr_buf_take(pb)) == NULL) {
		pdu_buf_free(pb);
		return -1;
	}
	queue_push(s, b, 1, notify);
	return 0;
}

/* The version to answer a bad PDU of version pv with. */
static uint8_t
error_version(const struct session *s, int pv)
{
	if (s->version >= 0)
		return s->version;
	if (pv < 0 || pv > s->cfg->max_version)
		return s->cfg->max_version;
	return pv;
}

/*
 * Send an Error Report (code, offending PDU, text) at version and end
 * the session once it is out.
 */
static void
fail(struct session *s, uint8_t version, uint16_t code, const uint8_t *pdu,
    size_t len, const char *text)
{
	struct pdu_buf pb;

	log_info_obj(s->name, "error report sent: %s: %s",
	    pdu_rtr_error_name(code), text);
	pdu_buf_init(&pb);
	/* Queued data is dropped: the report matters more. */
	queue_trim(s);
	if (pdu_put_error_report(&pb, version, code, pdu, len, text) !=
	    PDU_OK || queue_pdus(s, &pb, 0) == -1) {
		close_now(s);
		return;
	}
	s->state = SESSION_CLOSING;
	s->last = s->now;
}

/* pdu_decode() rejected the PDU at raw (len bytes of it): report it. */
static void
fail_decode(struct session *s, int err, const struct pdu *p,
    const uint8_t *raw, size_t len)
{
	struct pdu_buf pb;
	uint8_t v;
	int rc;

	v = err == PDU_EVERSION ? error_version(s, -1) :
	    error_version(s, len >= 1 ? p->version : -1);
	pdu_buf_init(&pb);
	queue_trim(s);
	rc = pdu_put_error_for(&pb, v, err, raw, len, pdu_strerror(err));
	if (rc == PDU_ENOREPLY) {
		/* 8210bis section 5.11: never answer an Error Report. */
		log_warnx_obj(s->name, "malformed error report received: %s",
		    pdu_strerror(err));
		close_now(s);
		return;
	}
	log_info_obj(s->name, "bad PDU received: %s", pdu_strerror(err));
	if (rc != PDU_OK || queue_pdus(s, &pb, 0) == -1) {
		close_now(s);
		return;
	}
	s->state = SESSION_CLOSING;
	s->last = s->now;
}

/* An Error Report from the router (8210bis section 5.11). */
static void
got_error_report(struct session *s, const struct pdu *p)
{
	int tl = p->error_text_len > PDU_ERROR_TEXT_MAX ? PDU_ERROR_TEXT_MAX :
	    (int)p->error_text_len;

	log_msg(LOG_LEVEL_NOTICE, s->name, "router reports %s: %.*s",
	    pdu_rtr_error_name(p->error_code), tl,
	    p->error_text != NULL ? (const char *)p->error_text : "");
	if (pdu_rtr_error_fatal(p->error_code))
		close_now(s);
}

/* The cache has nothing yet: RFC 8210 section 8.4, not fatal. */
static void
no_data(struct session *s, const uint8_t *raw, size_t len)
{
	struct pdu_buf pb;

	pdu_buf_init(&pb);
	if (pdu_put_error_report(&pb, s->version, RTR_ERR_NO_DATA, raw, len,
	    "no data loaded yet") != PDU_OK || queue_pdus(s, &pb, 0) == -1) {
		close_now(s);
		return;
	}
	if (s->state == SESSION_NEW)
		s->state = SESSION_OPEN;
}

static void
internal_error(struct session *s, const char *what)
{
	log_warnx_obj(s->name, "%s", what);
	fail(s, s->version, RTR_ERR_INTERNAL, NULL, 0, what);
}

/*
 * Queue Cache Response, the payload PDUs (a reference taken over; NULL
 * for none) and End of Data: RFC 8210 sections 8.1 and 8.2.
 */
static void
respond(struct session *s, struct rtr_buf *payload)
{
	struct pdu_buf cr, eod;
	uint16_t sid = history_session_id(s->h, s->version);
	uint32_t serial = history_serial(s->h);

	pdu_buf_init(&cr);
	pdu_buf_init(&eod);
	if (!queue_room(s, 3) ||
	    pdu_put_cache_response(&cr, s->version, sid) != PDU_OK ||
	    pdu_put_end_of_data(&eod, s->version, sid, serial,
	    s->cfg->refresh, s->cfg->retry, s->cfg->expire) != PDU_OK) {
		pdu_buf_free(&cr);
		pdu_buf_free(&eod);
		rtr_buf_unref(payload);
		internal_error(s, "cannot encode the response");
		return;
	}
	if (queue_pdus(s, &cr, 0) == -1) {
		pdu_buf_free(&eod);
		rtr_buf_unref(payload);
		close_now(s);
		return;
	}
	if (payload != NULL)
		queue_push(s, payload, 0, 0);
	if (queue_pdus(s, &eod, 0) == -1) {
		close_now(s);
		return;
	}
	s->state = SESSION_ESTABLISHED;
}

static void
send_cache_reset(struct session *s)
{
	struct pdu_buf pb;

	pdu_buf_init(&pb);
	if (pdu_put_cache_reset(&pb, s->version) != PDU_OK ||
	    queue_pdus(s, &pb, 0) == -1) {
		close_now(s);
		return;
	}
	if (s->state == SESSION_NEW)
		s->state = SESSION_OPEN;
}

/* RFC 8210 section 5.4: the whole current set. */
static void
answer_reset_query(struct session *s, const uint8_t *raw, size_t len)
{
	struct rtr_buf *full;

	if (!history_has_data(s->h)) {
		no_data(s, raw, len);
		return;
	}
	if ((full = history_full(s->h, s->version)) == NULL) {
		internal_error(s, "cannot encode the full set");
		return;
	}
	log_debug_obj(s->name, "reset query: serial %u, %zu bytes",
	    history_serial(s->h), full->len);
	respond(s, full);
}

/*
 * RFC 8210 section 5.3: the changes since the router's serial, or Cache
 * Reset when we cannot give them (another session ID, a serial we do
 * not know or no longer keep: section 8.3).
 */
static void
answer_serial_query(struct session *s, const struct pdu *p,
    const uint8_t *raw, size_t len)
{
	struct rtr_buf *delta = NULL;

	if (!history_has_data(s->h)) {
		no_data(s, raw, len);
		return;
	}
	if (p->session_id != history_session_id(s->h, s->version)) {
		log_info_obj(s->name, "serial query for session %u, ours is "
		    "%u: cache reset", p->session_id,
		    history_session_id(s->h, s->version));
		send_cache_reset(s);
		return;
	}
	switch (history_delta(s->h, s->version, p->serial, &delta)) {
	case HISTORY_DELTA:
	case HISTORY_CURRENT:
		log_debug_obj(s->name, "serial query from %u to %u",
		    p->serial, history_serial(s->h));
		respond(s, delta);
		break;
	case HISTORY_RESET:
		log_info_obj(s->name, "serial %u not in the history: "
		    "cache reset", p->serial);
		send_cache_reset(s);
		break;
	default:
		internal_error(s, "cannot encode the delta");
		break;
	}
}

/* A PDU that decoded cleanly. */
static void
handle_pdu(struct session *s, const struct pdu *p, const uint8_t *raw,
    size_t len)
{
	uint16_t code;

	if (p->type == PDU_ERROR_REPORT) {
		got_error_report(s, p);
		return;
	}
	if (s->version < 0) {
		/*
		 * 8210bis section 7: the first query decides.  Above our
		 * maximum: report it with our version, so the router can
		 * retry lower; otherwise downgrade to the router's version.
		 */
		if (p->version > s->cfg->max_version) {
			fail(s, s->cfg->max_version,
			    RTR_ERR_UNSUPPORTED_VERSION, raw, len,
			    "protocol version not supported");
			return;
		}
		s->version = p->version;
		log_info_obj(s->name, "protocol version %d", s->version);
	} else if (p->version != s->version) {
		code = s->version == PDU_VERSION_0 ?
		    RTR_ERR_UNSUPPORTED_VERSION : RTR_ERR_UNEXPECTED_VERSION;
		fail(s, s->version, code, raw, len,
		    "protocol version differs from the negotiated one");
		return;
	}
	s->last = s->now;
	if (p->type == PDU_RESET_QUERY)
		answer_reset_query(s, raw, len);
	else if (p->type == PDU_SERIAL_QUERY)
		answer_serial_query(s, p, raw, len);
	else
		fail(s, s->version, RTR_ERR_INVALID_REQUEST, raw, len,
		    "unexpected PDU");
}

/*
 * Handle the complete PDUs at the start of buf while no output is
 * waiting.  Returns the bytes consumed.
 */
static size_t
process(struct session *s, const uint8_t *buf, size_t len)
{
	struct pdu p;
	size_t off = 0, used;
	int rc;

	while (off < len && s->state < SESSION_CLOSING && s->qlen == 0) {
		memset(&p, 0, sizeof(p));
		used = 0;
		rc = pdu_decode_ex(buf + off, len - off, PDU_DECODE_AS_CACHE,
		    &p, &used);
		if (rc == PDU_INCOMPLETE)
			break;
		if (rc < 0) {
			fail_decode(s, rc, &p, buf + off,
			    used > 0 ? used : len - off);
			return len;
		}
		handle_pdu(s, &p, buf + off, used);
		off += used;
	}
	return off;
}

/* Keep len unprocessed bytes of buf (which may alias s->in). */
static int
keep_input(struct session *s, const uint8_t *buf, size_t len)
{
	uint8_t *n;

	if (len == 0) {
		free(s->in);
		s->in = NULL;
		s->inlen = 0;
		return 0;
	}
	if (len > SESSION_INPUT_MAX || (n = malloc(len)) == NULL)
		return -1;
	memcpy(n, buf, len);
	free(s->in);
	s->in = n;
	s->inlen = len;
	return 0;
}

static void
process_buffered(struct session *s)
{
	size_t used;

	if (s->inlen == 0 || s->state >= SESSION_CLOSING)
		return;
	used = process(s, s->in, s->inlen);
	if (s->state == SESSION_CLOSED)
		return;
	if (keep_input(s, s->in + used, s->inlen - used) == -1)
		close_now(s);
}

/*
 * Feed received bytes to the state machine.  Returns the new state.
 */
enum session_state
session_input(struct session *s, const uint8_t *data, size_t len,
    time_t now)
{
	uint8_t *n;
	size_t used;

	s->now = now;
	if (s->state >= SESSION_CLOSING || len == 0)
		return s->state;
	if (s->inlen == 0) {
		used = process(s, data, len);
		if (s->state != SESSION_CLOSED && s->state != SESSION_CLOSING &&
		    keep_input(s, data + used, len - used) == -1) {
			log_warnx_obj(s->name, "too much input buffered");
			close_now(s);
		}
		return s->state;
	}
	if (s->inlen + len > SESSION_INPUT_MAX ||
	    (n = realloc(s->in, s->inlen + len)) == NULL) {
		log_warnx_obj(s->name, "too much input buffered");
		close_now(s);
		return s->state;
	}
	memcpy(n + s->inlen, data, len);
	s->in = n;
	s->inlen += len;
	process_buffered(s);
	return s->state;
}

/*
 * The peer closed its side.
 */
enum session_state
session_eof(struct session *s)
{
	if (s->state != SESSION_CLOSED)
		log_info_obj(s->name, "connection closed by peer");
	close_now(s);
	return s->state;
}

/*
 * Queue a Serial Notify (RFC 8210 section 5.2) if due.
 */
int
session_notify(struct session *s)
{
	struct pdu_buf pb;
	size_t i;

	if (s->state != SESSION_ESTABLISHED)
		return 0;
	/* One waiting notify suffices: the query it causes gets the latest. */
	for (i = 0; i < s->qlen; i++)
		if (s->q[(s->qhead + i) % SESSION_QUEUE_MAX].notify &&
		    s->q[(s->qhead + i) % SESSION_QUEUE_MAX].off == 0)
			return 0;
	pdu_buf_init(&pb);
	if (pdu_put_serial_notify(&pb, s->version,
	    history_session_id(s->h, s->version), history_serial(s->h)) !=
	    PDU_OK || queue_pdus(s, &pb, 1) == -1) {
		log_warnx_obj(s->name, "cannot queue serial notify: closing");
		close_now(s);
		return -1;
	}
	return 1;
}

/*
 * Send a final Error Report and close once it is out.
 */
enum session_state
session_abort(struct session *s, uint16_t code, const char *text)
{
	uint8_t v;

	if (s->state >= SESSION_CLOSING)
		return s->state;
	v = error_version(s, -1);
	if (!pdu_rtr_error_valid(v, code))
		close_now(s);
	else
		fail(s, v, code, NULL, 0, text);
	return s->state;
}

/*
 * Whether the server should read now: not while output waits, so one
 * router cannot make us queue without bound.
 */
int
session_want_read(const struct session *s)
{
	return s->state < SESSION_CLOSING && s->qlen == 0 &&
	    s->inlen < SESSION_INPUT_MAX / 2;
}

/*
 * Returns the bytes waiting to be sent.
 */
size_t
session_pending(const struct session *s)
{
	return s->pending;
}

/*
 * Describe the waiting output in iov.
 */
int
session_output(const struct session *s, struct iovec *iov, int n)
{
	const struct qent *e;
	size_t i;
	int k = 0;

	for (i = 0; i < s->qlen && k < n; i++) {
		e = &s->q[(s->qhead + i) % SESSION_QUEUE_MAX];
		if (e->buf->len == e->off)
			continue;
		iov[k].iov_base = e->buf->data + e->off;
		iov[k].iov_len = e->buf->len - e->off;
		k++;
	}
	return k;
}

/*
 * Account for n bytes sent; go on with buffered queries once empty.
 */
enum session_state
session_sent(struct session *s, size_t n)
{
	struct qent *e;
	size_t step;

	if (s->state == SESSION_CLOSED)
		return s->state;
	if (n > 0)
		s->last = s->now;
	while (s->qlen > 0) {
		e = &s->q[s->qhead];
		step = e->buf->len - e->off;
		if (step > n) {
			e->off += n;
			s->pending -= n;
			break;
		}
		n -= step;
		s->pending -= step;
		if (e->private)
			s->qprivate -= e->buf->len;
		rtr_buf_unref(e->buf);
		e->buf = NULL;
		s->qhead = (s->qhead + 1) % SESSION_QUEUE_MAX;
		s->qlen--;
	}
	if (s->qlen == 0) {
		if (s->state == SESSION_CLOSING)
			close_now(s);
		else
			process_buffered(s);
	}
	return s->state;
}

/*
 * When the session times out.
 */
time_t
session_deadline(const struct session *s)
{
	switch (s->state) {
	case SESSION_NEW:
		return s->last + s->cfg->handshake_timeout;
	case SESSION_CLOSING:
		return s->last + SESSION_FLUSH_TIMEOUT;
	case SESSION_CLOSED:
		return s->last;
	default:
		return s->last + s->cfg->idle_timeout;
	}
}

/*
 * Apply the time-outs.
 */
enum session_state
session_tick(struct session *s, time_t now)
{
	s->now = now;
	if (s->state == SESSION_CLOSED || now < session_deadline(s))
		return s->state;
	log_info_obj(s->name, "%s time-out", s->state == SESSION_NEW ?
	    "handshake" : s->state == SESSION_CLOSING ? "flush" : "idle");
	close_now(s);
	return s->state;
}
