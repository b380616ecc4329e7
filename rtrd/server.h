/*
 * reef-rtrd's event loop: one thread, one epoll set, non-blocking
 * sockets.  It accepts routers on the listening addresses (checked
 * against the allow-list), feeds their bytes to their sessions
 * (session.h) and writes what the sessions queue; a signalfd handles
 * SIGTERM/SIGINT (stop) and SIGHUP (reload now), a timerfd drives the
 * session time-outs, payload expiry and a periodic stat() of the input,
 * and inotify on the input's directory reloads it as soon as it is
 * replaced.  A reload that fails (bad or partial input) is logged and
 * the last good set stays served; a good one becomes the next serial
 * and every established session gets a Serial Notify.  An https://
 * input is downloaded instead by a helper thread (fetchinput.h) every
 * input_interval seconds or on SIGHUP, and handed to the loop through
 * an eventfd; failures are handled the same way.
 *
 * Besides plain TCP it listens for RTR over TLS (tls.h) and for HTTP
 * monitoring requests (httpd.h) in the same loop.  Once the listeners
 * are bound and the input first read, root is dropped (privdrop.h).
 *
 * In stdio mode there are no listeners: one session runs on standard
 * input and output (an sshd subsystem, RFC 6810 section 7.2) and the
 * server returns when it ends.
 */
#ifndef REEF_RTRD_SERVER_H
#define REEF_RTRD_SERVER_H

#include <sys/socket.h>

#include <stddef.h>

#include "common/prefix.h"
#include "rtrd/session.h"

/* Port used when no listening address is given (RTR's 323 needs root). */
#define SERVER_DEFAULT_PORT	8323
/* Seconds between stat() polls of the input, besides inotify. */
#define SERVER_POLL_INTERVAL	10
/* Longest "[address]:port" text accepted, without the NUL. */
#define SERVER_ADDR_MAX		(INET6_ADDRSTRLEN + 8)

struct server_config {
	char			**listen;	/* "ADDR:PORT" texts */
	size_t			 nlisten;	/* 0: both wildcards, default port
						   (none when only TLS is given) */
	char			**tls_listen;	/* RTR over TLS (rtrd/tls.h) */
	size_t			 ntls;
	const char		*tls_cert;	/* PEM chain, needed with ntls */
	const char		*tls_key;	/* PEM private key */
	char			**http_listen;	/* monitoring (rtrd/httpd.h) */
	size_t			 nhttp;
	const char		*user;		/* privdrop.h; NULL: default */
	struct prefix		*allow;		/* client networks; none: all */
	size_t			 nallow;
	const char		*input;		/* file, reef output directory or
						   https:// URL */
	const char		*ca_file;	/* trust anchors for a URL input;
						   NULL: the system store */
	unsigned int		 input_interval; /* s between downloads of a
						   URL input; 0: default */
	size_t			 history;	/* deltas kept */
	int			 use_stdio;	/* one session on stdin/stdout */
	struct session_config	 session;
};

/*
 * Parse "192.0.2.1:8323" or "[2001:db8::1]:8323" (the brackets are
 * mandatory for IPv6; the port 1..65535) into *ss and *len.  Returns 0,
 * or -1 if the text is malformed.
 */
int	server_parse_addr(const char *text, struct sockaddr_storage *ss,
	    socklen_t *len);

/*
 * Returns 1 if a peer address is allowed by the networks (or there are
 * none), else 0.  IPv4-mapped IPv6 addresses count as IPv4.
 */
int	server_allowed(const struct prefix *allow, size_t nallow,
	    const struct sockaddr *sa);

/*
 * Run the server until SIGTERM or SIGINT (or, with use_stdio, until the
 * session ends).  Returns 0 then, or 1 if it could not start (a listener
 * failed to bind, no epoll...), with the reason logged.
 */
int	server_run(const struct server_config *cfg);

#endif
