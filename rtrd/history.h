/*
 * The sets reef-rtrd serves, by serial number.
 *
 * Each new payload set gets the next serial (RFC 1982 arithmetic,
 * rtrd/serial.h) and the history keeps the changes from the previous
 * serial, up to a configured number of deltas.  A router that last saw
 * serial S gets the net changes from S to the current serial (several
 * deltas are combined into one, so every element appears at most once
 * and the 8210bis section 11.2 order holds); a serial outside the kept
 * range gets a Cache Reset.
 *
 * The PDU streams of the current full set and of each net delta are
 * encoded once per protocol version, on first use, into immutable
 * reference-counted buffers that every session sends from, so memory
 * does not grow with the number of routers.  Serial Query answers are
 * cached per (starting serial, version) until the next serial.
 *
 * Session IDs: one per protocol version (8210bis section 7: "Session ID
 * and Serial Number values are specific to a particular protocol
 * version"), chosen by the caller and fixed for the history's life.
 *
 * Not locked: one thread owns a history and every buffer reference.
 */
#ifndef REEF_RTRD_HISTORY_H
#define REEF_RTRD_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "rtrd/input.h"
#include "rtrd/pdu.h"

/* Deltas kept when the operator does not say. */
#define HISTORY_DEFAULT_DELTAS	10
/* Versions served: 0 .. PDU_VERSION_MAX. */
#define HISTORY_NVERSIONS	(PDU_VERSION_MAX + 1)

/*
 * An immutable byte buffer shared by reference.  Whoever holds a
 * reference may read data[0 .. len) and must drop it with
 * rtr_buf_unref().
 */
struct rtr_buf {
	size_t		 refs;
	size_t		 len;
	uint8_t		*data;
};

/*
 * Returns a buffer holding the bytes of *pb with one reference, taking
 * them from *pb (which is left empty), or NULL on allocation failure
 * (*pb untouched).  An empty *pb gives a buffer of length 0.
 */
struct rtr_buf	*rtr_buf_take(struct pdu_buf *pb);

/* Adds a reference and returns b.  NULL is allowed. */
struct rtr_buf	*rtr_buf_ref(struct rtr_buf *b);

/* Drops a reference, freeing the buffer with the last one.  NULL is allowed. */
void		 rtr_buf_unref(struct rtr_buf *b);

struct history;

/* Outcome of history_delta(). */
enum history_result {
	HISTORY_ERROR = -1,	/* no data yet, or out of memory */
	HISTORY_DELTA = 0,	/* *out holds the changes */
	HISTORY_CURRENT = 1,	/* the serial is the current one: nothing */
	HISTORY_RESET = 2	/* serial unknown or too old: Cache Reset */
};

/*
 * Returns an empty history keeping up to max_deltas deltas (1 ..
 * MAX_RTR_DELTAS) with session_ids[v] for protocol version v, whose
 * first set will get serial first_serial; NULL if max_deltas is out of
 * range or memory is short.  Free with history_free().
 */
struct history	*history_new(size_t max_deltas,
		    const uint16_t session_ids[HISTORY_NVERSIONS],
		    uint32_t first_serial);

/* Frees the history; buffers still referenced elsewhere stay valid.  NULL is allowed. */
void		 history_free(struct history *h);

/* Returns 1 once a set has been pushed, else 0. */
int		 history_has_data(const struct history *h);

/* Returns the current serial (meaningful once history_has_data()). */
uint32_t	 history_serial(const struct history *h);

/* Returns the session ID for a protocol version (0 .. PDU_VERSION_MAX). */
uint16_t	 history_session_id(const struct history *h, uint8_t version);

/* Returns the number of deltas currently kept. */
size_t		 history_ndeltas(const struct history *h);

/*
 * Returns the set being served (owned by the history, valid until the
 * next push), or NULL before the first one.
 */
const struct input_set *history_current(const struct history *h);

/*
 * Make *in the set served.  On success the history owns everything in
 * *in (which is zeroed) and returns 1 if a new serial was made, 0 if the
 * content equals the current set (only expiry times or trust anchors
 * differ: the serial stays, no Serial Notify is due).  Returns -1 on
 * allocation failure, with *in untouched and the history unchanged.
 */
int		 history_push(struct history *h, struct input_set *in);

/*
 * Withdraw what has expired: once now has passed the earliest expires
 * of the current set, push a copy without the expired entries.  Returns 1
 * if a new serial was made, 0 if nothing was due, -1 on allocation
 * failure (the history unchanged; try again later).
 */
int		 history_expire(struct history *h, int64_t now);

/*
 * Returns a new reference to the announcements of the whole current set
 * at a version (the PDUs between Cache Response and End of Data), or
 * NULL before the first set, for a bad version or on allocation failure.
 */
struct rtr_buf	*history_full(struct history *h, uint8_t version);

/*
 * Look up the answer to a Serial Query for serial `from` at a version.
 * HISTORY_DELTA: *out is a new reference to the PDUs of the net changes
 * from `from` to the current serial.  HISTORY_CURRENT: from is current,
 * *out NULL.  HISTORY_RESET: from is unknown, too old, or its delta
 * cannot be encoded; *out NULL.  HISTORY_ERROR: no data or out of
 * memory; *out NULL.
 */
enum history_result history_delta(struct history *h, uint8_t version,
		    uint32_t from, struct rtr_buf **out);

#endif
