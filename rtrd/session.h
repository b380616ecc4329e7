/*
 * One router's RTR session: the protocol state machine, independent of
 * any socket.  The server feeds received bytes in with session_input(),
 * sends what session_output() offers and reports it with
 * session_sent(); tests drive it the same way with byte buffers.
 *
 * States and transitions:
 *
 *	NEW	  --Reset/Serial Query, data sent----------> ESTABLISHED
 *	NEW	  --query while the cache has no data------> OPEN
 *	OPEN	  --Reset/Serial Query, data sent----------> ESTABLISHED
 *	any	  --malformed PDU, bad version, internal---> CLOSING
 *	any	  --fatal Error Report from the router----->  CLOSED
 *	any	  --time-out, peer gone, queue overflow---->  CLOSED
 *	CLOSING	  --output flushed (or flush time-out)---->  CLOSED
 *
 * The first query fixes the protocol version (RFC 8210 section 7,
 * 8210bis section 7): a version up to the configured maximum is
 * accepted (the cache downgrades to it); a higher one gets an Error
 * Report "Unsupported Protocol Version" carrying our maximum version,
 * and the session ends.  Later PDUs of another version get "Unexpected
 * Protocol Version" (RFC 8210 section 5.10; "Unsupported Protocol
 * Version" at version 0, which has no code 8).
 *
 * Output is a queue of references to shared buffers (history.h): the
 * payload streams are never copied per session; only Cache Response,
 * End of Data, Serial Notify, Cache Reset and Error Reports are encoded
 * per session.  While a response is still being sent no further input
 * is read (session_want_read()), so one router can queue at most one
 * response; Serial Notifies are coalesced.
 */
#ifndef REEF_RTRD_SESSION_H
#define REEF_RTRD_SESSION_H

#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "rtrd/history.h"

/* Seconds a router may take to send its first query. */
#define SESSION_HANDSHAKE_TIMEOUT	30
/* Seconds an Error Report may take to drain before we just close. */
#define SESSION_FLUSH_TIMEOUT		10
/* Buffers queued for one session, at most (a response uses three). */
#define SESSION_QUEUE_MAX		16
/* Bytes of per-session PDUs queued, at most (shared buffers not counted). */
#define SESSION_QUEUE_BYTES_MAX		(64 * 1024)
/* Longest peer name kept for logging ("[addr]:port", or a label). */
#define SESSION_NAME_MAX		64

enum session_state {
	SESSION_NEW = 0,	/* no query yet: version not negotiated */
	SESSION_OPEN,		/* version fixed, no data sent yet */
	SESSION_ESTABLISHED,	/* data sent: gets Serial Notifies */
	SESSION_CLOSING,	/* flushing a final Error Report */
	SESSION_CLOSED		/* to be freed */
};

/* Parameters shared by every session of a server. */
struct session_config {
	uint8_t		 max_version;		/* 0 .. PDU_VERSION_MAX */
	uint32_t	 refresh;		/* End of Data intervals */
	uint32_t	 retry;
	uint32_t	 expire;
	time_t		 handshake_timeout;	/* seconds, NEW state */
	time_t		 idle_timeout;		/* seconds between queries */
};

struct session;

/*
 * Returns a new session in state NEW for the peer called name, serving
 * from h with cfg (both must outlive it), or NULL on allocation failure.
 * now is a monotonic clock in seconds.  Free with session_free().
 */
struct session	*session_new(struct history *h,
		    const struct session_config *cfg, const char *name,
		    time_t now);

/* Frees the session and drops its buffer references.  NULL is allowed. */
void		 session_free(struct session *s);

/* Returns the state. */
enum session_state session_state(const struct session *s);

/* Returns the negotiated protocol version, or -1 in state NEW. */
int		 session_version(const struct session *s);

/* Returns the peer name given to session_new(). */
const char	*session_name(const struct session *s);

/*
 * Process len received bytes (any split across calls is fine).
 * Complete PDUs are answered by queueing output; a partial one is kept.
 * Returns the new state.
 */
enum session_state session_input(struct session *s, const uint8_t *data,
		    size_t len, time_t now);

/*
 * The peer closed its side (EOF).  The session ends: nothing more can
 * be asked for.  Returns SESSION_CLOSED.
 */
enum session_state session_eof(struct session *s);

/*
 * Queue a Serial Notify with the current serial if the session is
 * ESTABLISHED and no notify is still waiting unsent.  Returns 1 if one
 * was queued, 0 if not, -1 on allocation failure (the session is then
 * CLOSED).
 */
int		 session_notify(struct session *s);

/*
 * Queue an Error Report with code and text (version permitting) and
 * move to CLOSING, e.g. when the cache shuts down.  Returns the new
 * state.
 */
enum session_state session_abort(struct session *s, uint16_t code,
		    const char *text);

/* Returns 1 if the server should read from the peer now, else 0. */
int		 session_want_read(const struct session *s);

/* Returns the number of bytes waiting to be sent. */
size_t		 session_pending(const struct session *s);

/*
 * Fill up to n iovecs with the bytes waiting to be sent, in order.
 * Returns the number filled (0 if nothing waits).  The pointers stay
 * valid until the next call that changes the session.
 */
int		 session_output(const struct session *s, struct iovec *iov,
		    int n);

/*
 * Record that n bytes of output went out.  In CLOSING, an empty queue
 * moves to CLOSED.  Returns the new state.
 */
enum session_state session_sent(struct session *s, size_t n);

/*
 * Check the time-outs at monotonic time now: handshake in NEW, idle in
 * OPEN and ESTABLISHED, flush in CLOSING.  Returns the new state
 * (CLOSED on a time-out).
 */
enum session_state session_tick(struct session *s, time_t now);

/* Returns when session_tick() would next time the session out. */
time_t		 session_deadline(const struct session *s);

#endif
