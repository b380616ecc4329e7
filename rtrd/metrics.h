/*
 * reef-rtrd's counters and what its HTTP endpoint renders from them:
 * /metrics (Prometheus text exposition format 0.0.4), /status (JSON)
 * and /api/v1/validity/AS<asn>/<prefix> (RFC 6811 origin validation of
 * one route against the served set, in Routinator's JSON layout).
 *
 * The server owns one struct rtrd_stats and updates it as PDUs pass:
 * metrics_tap_rx() follows the byte stream a router sends (PDU headers
 * only, whatever the read boundaries) and metrics_scan_tx() looks at the
 * first bytes of freshly queued responses, so the session state machine
 * needs no hooks.  Renderers take a struct rtrd_view, a snapshot the
 * server fills in before each request; they never change anything.
 */
#ifndef REEF_RTRD_METRICS_H
#define REEF_RTRD_METRICS_H

#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/prefix.h"
#include "rtrd/history.h"
#include "rtrd/pdu.h"

/* Error Report codes counted one by one; larger ones share the last slot. */
#define METRICS_NCODES		(RTR_ERR_CACHE_SHUTDOWN + 2)
/* Longest failure reason kept for /status. */
#define METRICS_ERR_MAX		256
/* Covering VRPs listed in a validity answer at most (the state uses all). */
#define METRICS_VALIDITY_MAX	1000

struct rtrd_stats {
	uint64_t	 reset_queries;		/* Reset Query received */
	uint64_t	 serial_queries;	/* Serial Query received */
	uint64_t	 cache_responses;	/* Cache Response sent */
	uint64_t	 cache_resets;		/* Cache Reset sent */
	uint64_t	 notifies;		/* Serial Notify queued */
	uint64_t	 errors_sent[METRICS_NCODES];
	uint64_t	 errors_received[METRICS_NCODES];
	uint64_t	 sessions_total;	/* RTR connections accepted */
	uint64_t	 tls_handshake_failures;
	uint64_t	 http_requests;
	uint64_t	 loads_ok;		/* input loads that succeeded */
	uint64_t	 loads_failed;
	uint64_t	 loads_not_modified;	/* URL input: 304, set kept */
	int64_t		 last_load;		/* wall clock, 0: none yet */
	int		 last_load_ok;
	char		 last_load_error[METRICS_ERR_MAX];
	int64_t		 started;		/* wall clock */
};

/* A listening socket, as /status lists it. */
struct rtrd_listener {
	const char	*kind;		/* "rtr", "rtr-tls", "http" */
	const char	*addr;
};

/* What the renderers see.  Nothing in it is owned by the view. */
struct rtrd_view {
	const struct rtrd_stats	*stats;
	const struct history	*h;
	size_t			 sessions[HISTORY_NVERSIONS];	/* by version */
	size_t			 sessions_new;	/* version not yet agreed */
	size_t			 http_conns;
	const char		*input;		/* path or URL, NULL: none */
	const struct rtrd_listener *listeners;
	size_t			 nlisteners;
	int64_t			 now;		/* wall clock */
};

/*
 * Follows a byte stream of RTR PDUs by their headers.  Zero it before
 * the first use.
 */
struct metrics_tap {
	uint8_t		 hdr[PDU_HEADER_LEN];
	size_t		 hlen;		/* header bytes collected */
	uint32_t	 skip;		/* body bytes of the current PDU left */
	int		 lost;		/* a bad length: framing lost, stop */
};

/*
 * Count the PDUs a router sent in len bytes (any split of the stream
 * across calls): queries and Error Reports by code.
 */
void	metrics_tap_rx(struct rtrd_stats *st, struct metrics_tap *t,
	    const uint8_t *data, size_t len);

/*
 * Count what a session just queued: n buffers, each starting on a PDU
 * boundary (the server calls this only when the queue was empty before).
 * Counts Cache Response, Cache Reset and Error Reports by code.
 */
void	metrics_scan_tx(struct rtrd_stats *st, const struct iovec *iov, int n);

/* Record the outcome of an input load at wall time now; err may be NULL. */
void	metrics_load(struct rtrd_stats *st, int ok, int64_t now,
	    const char *err);

/* Record that a URL input was found unchanged (HTTP 304). */
void	metrics_load_not_modified(struct rtrd_stats *st);

/*
 * Write the Prometheus text exposition of v to fp.  Returns 0, or -1 if
 * writing failed.
 */
int	metrics_prometheus(const struct rtrd_view *v, FILE *fp);

/* Write the /status JSON document of v to fp.  Returns 0 or -1. */
int	metrics_status(const struct rtrd_view *v, FILE *fp);

/*
 * Write the validity of the route (prefix, origin) against the served
 * set as JSON to fp (Routinator's /api/v1/validity layout).  Returns 0,
 * or -1 on a write error, or if no set is served yet (nothing written).
 */
int	metrics_validity(const struct rtrd_view *v, const struct prefix *route,
	    uint32_t origin, FILE *fp);

#endif
