/*
 * HTTPS client for RRDP and TA certificates: libcurl's multi interface,
 * many transfers in flight in one thread.
 *
 * A context owns one CURLM, so every transfer shares its connection cache
 * (keep-alive, HTTP/2 multiplexing) and, through a CURLSH, its DNS and TLS
 * session caches.  http_get() queues a request; http_run() drives them.
 * Bodies are never buffered: each chunk goes to the caller's on_data as it
 * arrives (already decompressed when the server used gzip or deflate),
 * and on_done is called exactly once per accepted request.
 *
 * The client is deliberately narrow: GET over https only, TLS verification
 * always on, redirects followed only within the origin of the URL asked for
 * (RFC 9674 section 3.2), a cap on the decompressed body, a low-speed limit
 * and a wall-clock deadline per request, and by default no URL whose host
 * is written as localhost or an IP address or that names a port, and no
 * connection to a refused address (http_addr_refused()) whatever name led
 * there.
 *
 * Addresses are checked in libcurl's socket-opening callback, on the very
 * address each connection attempt is about to use, after resolution, so a
 * name that resolves (or is made to resolve, DNS rebinding) to loopback,
 * a private network and the like is refused however the DNS answers; a
 * name with several addresses gets its dubious ones skipped.  Limits: with
 * a proxy (configured or from the environment) the proxy resolves and
 * connects, and nothing is checked (the operator chose the proxy); hosts
 * the environment's no_proxy exempts from such a proxy are not checked
 * either.  allow_dubious_hosts lifts the check (labs, tests on loopback).
 *
 * Proxies: with proxy NULL in the configuration libcurl honours the usual
 * https_proxy / no_proxy environment variables, as curl(1) and rpki-client
 * do, since operators behind a proxy configure it there; "" disables every
 * proxy, anything else is used as the proxy URL.
 *
 * Not thread-safe: one context belongs to one thread.  http_new() calls
 * curl_global_init(), which must not race with other threads on old
 * libcurl: create the first context before starting threads.
 */
#ifndef REEF_HTTP_H
#define REEF_HTTP_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

/* Why a request failed (result->err); HTTP_OK for success and for 304. */
enum http_err {
	HTTP_OK = 0,
	HTTP_ERR_URL,		/* URL refused before any connection */
	HTTP_ERR_STATUS,	/* HTTP status other than 200 (or 304) */
	HTTP_ERR_REDIRECT,	/* cross-origin, too many, or no Location */
	HTTP_ERR_TLS,		/* handshake or certificate verification */
	HTTP_ERR_TIMEOUT,	/* deadline or low-speed limit */
	HTTP_ERR_TOO_BIG,	/* body over max_bytes, or a zip bomb */
	HTTP_ERR_ABORTED,	/* on_data returned -1 */
	HTTP_ERR_NETWORK,	/* DNS, connect, protocol, ... */
	HTTP_ERR_CANCELLED,	/* http_free() with the request unfinished */
};

/* Checks a URL beyond the built-in ones; return 1 to accept it, 0 to refuse. */
typedef int	(*http_url_check_fn)(void *arg, const char *url);

struct http_config {
	size_t		 max_transfers;	/* in flight; 0: MAX_HTTP_REQUESTS */
	size_t		 max_per_host;	/* per host:port; 0: HTTP_PER_HOST_DEFAULT */
	const char	*ca_file;	/* PEM trust anchors; NULL: system store */
	const char	*proxy;		/* NULL: environment, "": none (see above) */
	long		 connect_timeout; /* s, TCP + TLS; 0: MAX_CONN_TIMEOUT */
	long		 low_speed_limit; /* bytes/s; 0: HTTP_LOW_SPEED_DEFAULT */
	long		 low_speed_time;  /* s below it; 0: MAX_IO_TIMEOUT */
	long		 max_time;	/* s per request by default; 0: MAX_RRDP_TIME */
	int		 allow_dubious_hosts; /* localhost, IP literals, ports */
	http_url_check_fn url_check;	/* optional extra check, or NULL */
	void		*url_check_arg;
};

/* Per-request options; a NULL opts means all defaults. */
struct http_get_opts {
	const char	*etag;		/* previous ETag (If-None-Match), or NULL */
	const char	*last_modified;	/* previous Last-Modified, or NULL */
	uint64_t	 max_bytes;	/* decompressed body cap; 0: MAX_FILE_SIZE */
	long		 max_time;	/* s wall clock from start; 0: config's */
};

/*
 * What became of a request.  Every pointer is owned by the context and
 * valid only during on_done: copy what must outlive the call.
 */
struct http_result {
	const char	*url;		/* as requested */
	const char	*final_url;	/* after same-origin redirects */
	enum http_err	 err;
	int		 status;	/* last HTTP status seen, 0 if none */
	int		 not_modified;	/* 304 to a conditional request */
	const char	*error;		/* NULL on success; names the URL */
	uint64_t	 bytes;		/* body bytes given to on_data */
	double		 seconds;	/* from start to completion */
	const char	*etag;		/* of the response, or NULL */
	const char	*last_modified;	/* of the response, or NULL */
};

/*
 * Callbacks of one request.  on_data receives the body in order, chunk by
 * chunk, only for a 200 response, and returns 0 to go on or -1 to abort
 * (the request then ends with HTTP_ERR_ABORTED).  on_done may start new
 * requests with http_get(); neither callback may call http_free().
 */
struct http_callbacks {
	int	(*on_data)(void *arg, const void *buf, size_t len);
	void	(*on_done)(void *arg, const struct http_result *res);
	void	*arg;
};

struct http_ctx;

/*
 * New client with cfg (copied, strings too; NULL for all defaults).
 * Returns NULL when libcurl cannot be set up; free with http_free().
 */
struct http_ctx	*http_new(const struct http_config *cfg);

/*
 * Cancel whatever is queued or in flight, calling each on_done with
 * HTTP_ERR_CANCELLED, and free the context.  NULL is a no-op.
 */
void		 http_free(struct http_ctx *ctx);

/*
 * Queue a GET of url.  opts and every string in it and url are copied;
 * cb is copied.  Returns 0 when queued: on_done will be called exactly
 * once, from http_run() or http_free(), even when the URL is refused.
 * Returns -1 for bad arguments or memory exhaustion, and then never calls
 * on_done.
 */
int		 http_get(struct http_ctx *ctx, const char *url,
		    const struct http_get_opts *opts,
		    const struct http_callbacks *cb);

/*
 * Drive transfers until none is left or timeout_ms has passed (a negative
 * timeout waits until idle).  Returns 0 when idle, 1 when requests remain
 * after the timeout, -1 when libcurl's multi interface failed.
 */
int		 http_run(struct http_ctx *ctx, long timeout_ms);

/* Number of requests queued or in flight. */
size_t		 http_pending(const struct http_ctx *ctx);

/*
 * Check url against the built-in policy: https only, at most
 * MAX_URI_LENGTH printable US-ASCII bytes, no user information, and unless
 * allow_dubious the host is not localhost or an IP literal and no port is
 * given.  Returns 0 when acceptable; otherwise -1 with a reason (a static
 * string) in *why when why is not NULL.
 */
int		 http_url_acceptable(const char *url, int allow_dubious,
		    const char **why);

/*
 * Return 1 when a and b have the same origin (scheme, host, port; RFC 6454
 * section 4, default ports filled in, host compared without case), 0 when
 * not or when either does not parse.
 */
int		 http_same_origin(const char *a, const char *b);

/*
 * Why the address sa (len bytes) is no place for a repository -- a static
 * phrase such as "loopback", "private (RFC 1918)", "link-local",
 * "multicast" or "documentation (RFC 5737)" -- or NULL when it is a
 * global unicast address.  IPv4 ranges of RFC 6890; IPv6 unspecified,
 * loopback, unique local, link-local, site-local, multicast,
 * documentation, discard-only and local-use NAT64, with the IPv4 address
 * inside a mapped, compatible, NAT64 (64:ff9b::/96) or 6to4 address
 * judged as IPv4.  Shared with rsync.c.
 */
const char	*http_addr_dubious(const struct sockaddr *sa, socklen_t len);

/*
 * Why a connection to sa, reached through a host name, is refused
 * without --allow-dubious-hosts: http_addr_dubious() except loopback
 * (127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104), which a name may lead to.
 * NULL when allowed.  Shared with rsync.c.
 */
const char	*http_addr_refused(const struct sockaddr *sa, socklen_t len);

/* Lowercase name of err ("ok", "url", "status", ...). */
const char	*http_err_name(enum http_err err);

#endif
