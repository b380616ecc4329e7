/*
 * reef-rtrd's input from an HTTPS URL ("-i https://host/path/vrps.json"),
 * for operators who run one validator and many caches.
 *
 * Design.  The epoll loop (server.c) must never wait on the network, so
 * one helper thread does the downloads with a blocking libcurl easy
 * handle.  It fetches at start, then every interval seconds counted from
 * the end of the previous attempt, or at once when the loop asks
 * (fetchinput_kick(), on SIGHUP).  It also parses the body
 * (input_load_buffer()), a second or so for a global set, so the loop
 * only swaps the finished set in.  The outcome goes into a one-slot
 * mailbox under a mutex, and the thread writes to an eventfd the loop
 * watches; the loop then takes it with fetchinput_take() and does all
 * logging, metrics and serial bookkeeping.  A result the loop has not
 * taken yet is replaced by a newer one.
 *
 * Conditional requests: the ETag and Last-Modified of the last body that
 * loaded are sent as If-None-Match and If-Modified-Since (RFC 9110
 * sections 13.1.2 and 13.1.3); a 304 is reported as not modified and
 * keeps the served set without parsing anything.  The validators of a
 * body that failed to load are not kept, so a broken file is fetched and
 * reported again at every interval until it is replaced.
 *
 * Policy: https only, redirects too (at most MAX_HTTP_REDIRECTS), TLS
 * peer and host name verification always on against ca_file or the
 * system trust store, connection time-out MAX_CONN_TIMEOUT, abandoned
 * below FETCHINPUT_LOW_SPEED bytes/s for MAX_IO_TIMEOUT seconds and after
 * FETCHINPUT_MAX_TIME seconds in all, body (after Content-Encoding) at
 * most max_bytes.  Proxies come from the usual https_proxy / no_proxy
 * environment variables, as with curl(1).  A failed download or a bad
 * body never replaces the served set.
 */
#ifndef REEF_RTRD_FETCHINPUT_H
#define REEF_RTRD_FETCHINPUT_H

#include <stddef.h>
#include <stdint.h>

#include "rtrd/input.h"

/* Seconds between downloads (--input-interval): default and bounds. */
#define FETCHINPUT_INTERVAL_DEFAULT	60
#define FETCHINPUT_INTERVAL_MIN		1
#define FETCHINPUT_INTERVAL_MAX		86400
/* Wall-clock seconds one download may take in all. */
#define FETCHINPUT_MAX_TIME		600
/* Bytes/s below which, for MAX_IO_TIMEOUT seconds, a download is stalled. */
#define FETCHINPUT_LOW_SPEED		1024
/* Longest reason text of a failed fetch, with the URL. */
#define FETCHINPUT_ERR_MAX		768

struct fetchinput_config {
	const char	*url;		/* https://... (copied) */
	const char	*ca_file;	/* PEM trust anchors; NULL: system store */
	unsigned int	 interval;	/* seconds; 0: FETCHINPUT_INTERVAL_DEFAULT */
	uint64_t	 max_bytes;	/* body cap; 0: MAX_RTR_INPUT_SIZE */
};

enum fetchinput_outcome {
	FETCHINPUT_LOADED = 1,		/* a new body loaded into set */
	FETCHINPUT_NOT_MODIFIED,	/* 304: keep what is served */
	FETCHINPUT_FAILED		/* download or body bad: see err */
};

/* One attempt's outcome, as fetchinput_take() hands it over. */
struct fetchinput_result {
	enum fetchinput_outcome	 outcome;
	struct input_set	 set;		/* FETCHINPUT_LOADED only */
	long			 status;	/* HTTP status, 0 if none */
	uint64_t		 bytes;		/* body bytes received */
	double			 seconds;	/* download and parse */
	char			 err[FETCHINPUT_ERR_MAX]; /* names the URL */
};

struct fetchinput;

/*
 * Returns 1 if input names a URL (a scheme followed by "://") rather
 * than a file, else 0.
 */
int	fetchinput_is_url(const char *input);

/*
 * Check a URL the way fetchinput_start() will: https only, at most
 * MAX_URI_LENGTH printable ASCII characters without spaces, a host.
 * Returns 0, or -1 with a static reason in *why (if why is not NULL).
 */
int	fetchinput_url_check(const char *url, const char **why);

/*
 * Start the helper thread, which fetches at once.  Returns the fetcher
 * (stop it with fetchinput_stop()), or NULL with a reason in err.  Call
 * it before any other thread uses libcurl (curl_global_init()).
 */
struct fetchinput *fetchinput_start(const struct fetchinput_config *cfg,
	    char *err, size_t errlen);

/* The eventfd that becomes readable when a result waits to be taken. */
int	fetchinput_fd(const struct fetchinput *fi);

/*
 * Take the waiting result into *res (its set then owned by the caller:
 * input_set_free()).  Drains the eventfd.  Returns 1 if there was one,
 * 0 if not.
 */
int	fetchinput_take(struct fetchinput *fi, struct fetchinput_result *res);

/* Fetch now rather than at the end of the interval (still conditional). */
void	fetchinput_kick(struct fetchinput *fi);

/*
 * Forget the ETag and Last-Modified, so the next request is
 * unconditional: for when a loaded set could not be used after all.
 */
void	fetchinput_forget(struct fetchinput *fi);

/*
 * Stop the thread (a download in progress is abandoned within a second),
 * drop any waiting result and free everything.  NULL is a no-op.
 */
void	fetchinput_stop(struct fetchinput *fi);

#endif
