/*
 * A minimal, strict HTTP/1.1 (RFC 9110, RFC 9112) responder for
 * reef-rtrd's monitoring endpoint, independent of any socket: the server
 * collects the request head and hands it to httpd_answer(), which gives
 * the complete response to write before closing.  One request per
 * connection ("Connection: close"); GET and HEAD only; no request body.
 *
 * Paths:
 *	/metrics	Prometheus text format (metrics.h)
 *	/status		JSON status document
 *	/api/v1/validity/AS<asn>/<prefix>
 *			RFC 6811 validity of a route, Routinator's layout
 * Any other path is 404; a malformed request or validity path is 400;
 * another method 405; a head over HTTPD_HEAD_MAX bytes 431; a version
 * other than HTTP/1.0 and 1.1 505; validity before any set is loaded 503.
 */
#ifndef REEF_RTRD_HTTPD_H
#define REEF_RTRD_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "common/prefix.h"
#include "rtrd/metrics.h"

/* Request line and headers together, at most (bytes). */
#define HTTPD_HEAD_MAX		8192
/* Longest request target (bytes). */
#define HTTPD_TARGET_MAX	2048
/* Seconds a client has to send its request and read the answer. */
#define HTTPD_TIMEOUT		10
/* HTTP connections open at once, at most; more are refused. */
#define HTTPD_MAX_CONNS		64

enum httpd_page {
	HTTPD_PAGE_METRICS = 1,
	HTTPD_PAGE_STATUS,
	HTTPD_PAGE_VALIDITY
};

/* A parsed request. */
struct httpd_request {
	int		 head;			/* HEAD, not GET */
	char		 path[HTTPD_TARGET_MAX + 1];	/* decoded, no query */
};

/* What a path asks for. */
struct httpd_target {
	enum httpd_page	 page;
	uint32_t	 asn;		/* HTTPD_PAGE_VALIDITY */
	struct prefix	 prefix;
};

/*
 * Parse the request head at buf (len bytes, not NUL-terminated).
 * Returns 0 if the head is not complete yet (the caller answers 431 once
 * HTTPD_HEAD_MAX bytes have come without an end), 200 with *req filled,
 * or the HTTP status to answer with: 400, 405, 414, 431, 501 or 505.
 */
int		 httpd_parse(const char *buf, size_t len,
		    struct httpd_request *req);

/*
 * Map a decoded path to a page.  Returns 200 with *t filled, 404 for an
 * unknown path or 400 for a malformed validity path.
 */
int		 httpd_route(const char *path, struct httpd_target *t);

/*
 * Answer the request in buf (len bytes so far) from the snapshot v.
 * Returns 0 if more bytes are needed, else the HTTP status, with
 * *resp and *resplen the whole response (a malloc'd buffer the caller
 * frees).  Returns -1 when out of memory (*resp NULL).
 */
int		 httpd_answer(const char *buf, size_t len,
		    const struct rtrd_view *v, char **resp, size_t *resplen);

#endif
