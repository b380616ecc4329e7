/*
 * Fetching reef-rtrd's input from an HTTPS URL in a helper thread; see
 * fetchinput.h for the design.
 */
#include "config.h"

#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/limits.h"
#include "rtrd/fetchinput.h"

/* First allocation for a body whose length the server did not announce. */
#define BODY_INITIAL		(64 * 1024)
/* Longest ETag or Last-Modified value kept; longer ones are not used. */
#define VALIDATOR_MAX		256
/* Room for "If-None-Match: " and the like before a validator. */
#define HEADER_MAX		(VALIDATOR_MAX + 32)

struct body {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	uint64_t	 max;
	int		 too_big;
	int		 oom;
};

struct fetchinput {
	char			*url;
	char			*ca_file;
	unsigned int		 interval;
	uint64_t		 max_bytes;
	int			 efd;
	pthread_t		 thread;
	int			 started;
	atomic_int		 stop;		/* read by curl's progress callback */

	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;
	/* Under mtx. */
	int			 kick;
	int			 ready;		/* slot holds a result */
	struct fetchinput_result slot;
	char			 etag[VALIDATOR_MAX];
	char			 last_modified[VALIDATOR_MAX];
};

static int	errf(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Returns 1 if input starts with a URI scheme (RFC 3986 section 3.1)
 * and "://", else 0.
 */
int
fetchinput_is_url(const char *input)
{
	const char	*p = input;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	return strncmp(p, "://", 3) == 0;
}

/*
 * Returns 0 if url is an acceptable https URL, else -1 with *why set.
 */
int
fetchinput_url_check(const char *url, const char **why)
{
	const char	*why_not = NULL, *p;
	size_t		 len = strlen(url);

	if (strncasecmp(url, "https://", 8) != 0)
		why_not = "not an https:// URL";
	else if (len > MAX_URI_LENGTH)
		why_not = "URL too long";
	else if (url[8] == '\0' || url[8] == '/' || url[8] == ':' ||
	    url[8] == '?' || url[8] == '#')
		why_not = "no host in the URL";
	else
		for (p = url; *p != '\0'; p++)
			if (*p <= 0x20 || *p >= 0x7f) {
				why_not = "space, control or non-ASCII "
				    "character in the URL";
				break;
			}
	if (why_not == NULL) {
		/* User information would put credentials in logs. */
		p = url + 8;
		if (strcspn(p, "@") < strcspn(p, "/?#"))
			why_not = "user information in the URL";
	}
	if (why != NULL)
		*why = why_not;
	return why_not == NULL ? 0 : -1;
}

/* ---- One download -------------------------------------------------- */

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct body	*b = arg;
	size_t		 n = size * nmemb, cap;
	char		*p;

	if (b->len + n > b->max) {
		b->too_big = 1;
		return 0;	/* curl ends the transfer with a write error */
	}
	if (b->len + n > b->cap) {
		cap = b->cap > 0 ? b->cap : BODY_INITIAL;
		while (cap < b->len + n)
			cap = cap > b->max / 2 ? b->max : cap * 2;
		if ((p = realloc(b->buf, cap)) == NULL) {
			b->oom = 1;
			return 0;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, data, n);
	b->len += n;
	return n;
}

/* Abandon the transfer once the server asks the thread to stop. */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct fetchinput	*fi = arg;

	return atomic_load(&fi->stop) ? 1 : 0;
}

/* Copy response header name of the last response into out, or "". */
static void
get_header(CURL *c, const char *name, char *out)
{
	struct curl_header	*h;

	out[0] = '\0';
	if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) ==
	    CURLHE_OK && strlen(h->value) < VALIDATOR_MAX)
		snprintf(out, VALIDATOR_MAX, "%s", h->value);
}

/* The conditional request headers from the kept validators. */
static int
add_validators(struct fetchinput *fi, struct curl_slist **hdrs)
{
	char		 line[HEADER_MAX];
	struct curl_slist *l;
	int		 rc = 0;

	pthread_mutex_lock(&fi->mtx);
	if (fi->etag[0] != '\0') {
		snprintf(line, sizeof(line), "If-None-Match: %s", fi->etag);
		if ((l = curl_slist_append(*hdrs, line)) == NULL)
			rc = -1;
		else
			*hdrs = l;
	}
	if (rc == 0 && fi->last_modified[0] != '\0') {
		snprintf(line, sizeof(line), "If-Modified-Since: %s",
		    fi->last_modified);
		if ((l = curl_slist_append(*hdrs, line)) == NULL)
			rc = -1;
		else
			*hdrs = l;
	}
	pthread_mutex_unlock(&fi->mtx);
	return rc;
}

static int
set_options(struct fetchinput *fi, CURL *c, struct body *b,
    struct curl_slist *hdrs, char *cerr)
{
	CURLcode	rc = CURLE_OK;

#define OPT(o, v)	do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, o, v); } while (0)
	OPT(CURLOPT_URL, fi->url);
	OPT(CURLOPT_PROTOCOLS_STR, "https");
	OPT(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	OPT(CURLOPT_FOLLOWLOCATION, 1L);
	OPT(CURLOPT_MAXREDIRS, (long)MAX_HTTP_REDIRECTS);
	OPT(CURLOPT_SSL_VERIFYPEER, 1L);
	OPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (fi->ca_file != NULL)
		OPT(CURLOPT_CAINFO, fi->ca_file);
	OPT(CURLOPT_CONNECTTIMEOUT, (long)MAX_CONN_TIMEOUT);
	OPT(CURLOPT_LOW_SPEED_LIMIT, (long)FETCHINPUT_LOW_SPEED);
	OPT(CURLOPT_LOW_SPEED_TIME, (long)MAX_IO_TIMEOUT);
	OPT(CURLOPT_TIMEOUT, (long)FETCHINPUT_MAX_TIME);
	/* Refuses an announced Content-Length over the cap up front. */
	OPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)b->max);
	OPT(CURLOPT_ACCEPT_ENCODING, "");
	/* Signals belong to the event loop's thread. */
	OPT(CURLOPT_NOSIGNAL, 1L);
	OPT(CURLOPT_USERAGENT, "reef-rtrd/" PACKAGE_VERSION);
	OPT(CURLOPT_HTTPHEADER, hdrs);
	OPT(CURLOPT_WRITEFUNCTION, on_body);
	OPT(CURLOPT_WRITEDATA, b);
	OPT(CURLOPT_XFERINFOFUNCTION, on_progress);
	OPT(CURLOPT_XFERINFODATA, fi);
	OPT(CURLOPT_NOPROGRESS, 0L);
	OPT(CURLOPT_ERRORBUFFER, cerr);
#undef OPT
	return rc == CURLE_OK ? 0 : -1;
}

/* A 200 body: parse it, and keep its validators if it loaded. */
static void
take_body(struct fetchinput *fi, CURL *c, struct body *b,
    struct fetchinput_result *r)
{
	char	etag[VALIDATOR_MAX], lm[VALIDATOR_MAX];

	if (input_load_buffer(fi->url, b->buf, b->len, time(NULL), &r->set,
	    r->err, sizeof(r->err)) == -1) {
		r->outcome = FETCHINPUT_FAILED;
		return;
	}
	r->outcome = FETCHINPUT_LOADED;
	get_header(c, "ETag", etag);
	get_header(c, "Last-Modified", lm);
	pthread_mutex_lock(&fi->mtx);
	memcpy(fi->etag, etag, sizeof(etag));
	memcpy(fi->last_modified, lm, sizeof(lm));
	pthread_mutex_unlock(&fi->mtx);
}

/* The outcome of a transfer that curl completed. */
static void
judge(struct fetchinput *fi, CURL *c, struct body *b, int conditional,
    struct fetchinput_result *r)
{
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->status == 304 && conditional) {
		r->outcome = FETCHINPUT_NOT_MODIFIED;
		return;
	}
	if (r->status != 200) {
		r->outcome = FETCHINPUT_FAILED;
		errf(r->err, sizeof(r->err), "%s: HTTP status %ld", fi->url,
		    r->status);
		return;
	}
	take_body(fi, c, b, r);
}

/* Download once into *r (zeroed here); returns -1 if stopped meanwhile. */
static int
fetch_once(struct fetchinput *fi, struct fetchinput_result *r)
{
	char		 cerr[CURL_ERROR_SIZE];
	struct timespec	 t0, t1;
	struct body	 b;
	struct curl_slist *hdrs = NULL;
	CURL		*c = NULL;
	CURLcode	 cc;
	int		 rc = 0;

	memset(r, 0, sizeof(*r));
	memset(&b, 0, sizeof(b));
	cerr[0] = '\0';
	b.max = fi->max_bytes;
	r->outcome = FETCHINPUT_FAILED;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((c = curl_easy_init()) == NULL || add_validators(fi, &hdrs) == -1 ||
	    set_options(fi, c, &b, hdrs, cerr) == -1) {
		errf(r->err, sizeof(r->err), "%s: cannot set up libcurl",
		    fi->url);
		goto out;
	}
	cc = curl_easy_perform(c);
	r->bytes = b.len;
	if (atomic_load(&fi->stop)) {
		rc = -1;
		goto out;
	}
	if (b.too_big || cc == CURLE_FILESIZE_EXCEEDED)
		errf(r->err, sizeof(r->err), "%s: body larger than %llu "
		    "bytes", fi->url, (unsigned long long)b.max);
	else if (b.oom)
		errf(r->err, sizeof(r->err), "%s: out of memory", fi->url);
	else if (cc != CURLE_OK)
		errf(r->err, sizeof(r->err), "%s: %s", fi->url,
		    cerr[0] != '\0' ? cerr : curl_easy_strerror(cc));
	else
		judge(fi, c, &b, hdrs != NULL, r);
 out:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	curl_slist_free_all(hdrs);
	if (c != NULL)
		curl_easy_cleanup(c);
	free(b.buf);
	return rc;
}

/* ---- The thread ---------------------------------------------------- */

/* Wait until kicked, due (deadline) or stopped; returns -1 when stopped. */
static int
wait_turn(struct fetchinput *fi, const struct timespec *deadline)
{
	int	rc = 0;

	pthread_mutex_lock(&fi->mtx);
	while (!atomic_load(&fi->stop) && !fi->kick &&
	    pthread_cond_timedwait(&fi->cond, &fi->mtx, deadline) != ETIMEDOUT)
		;
	if (atomic_load(&fi->stop))
		rc = -1;
	fi->kick = 0;
	pthread_mutex_unlock(&fi->mtx);
	return rc;
}

/* Put r in the slot (replacing one not taken) and wake the loop. */
static void
post(struct fetchinput *fi, struct fetchinput_result *r)
{
	uint64_t	one = 1;

	pthread_mutex_lock(&fi->mtx);
	if (fi->ready)
		input_set_free(&fi->slot.set);
	fi->slot = *r;
	fi->ready = 1;
	pthread_mutex_unlock(&fi->mtx);
	memset(r, 0, sizeof(*r));
	/* Only fails when the counter is saturated: the loop is woken anyway. */
	(void)write(fi->efd, &one, sizeof(one));
}

static void *
fetch_main(void *arg)
{
	struct fetchinput		*fi = arg;
	struct fetchinput_result	 r;
	struct timespec			 due;

	for (;;) {
		if (fetch_once(fi, &r) == -1) {
			input_set_free(&r.set);
			break;
		}
		post(fi, &r);
		clock_gettime(CLOCK_MONOTONIC, &due);
		due.tv_sec += fi->interval;
		if (wait_turn(fi, &due) == -1)
			break;
	}
	return NULL;
}

/* ---- Interface ----------------------------------------------------- */

static void
fi_free(struct fetchinput *fi)
{
	if (fi->ready)
		input_set_free(&fi->slot.set);
	if (fi->efd != -1)
		close(fi->efd);
	pthread_cond_destroy(&fi->cond);
	pthread_mutex_destroy(&fi->mtx);
	free(fi->url);
	free(fi->ca_file);
	free(fi);
	curl_global_cleanup();
}

static int
fi_sync_init(struct fetchinput *fi)
{
	pthread_condattr_t	ca;
	int			rc = -1;

	if (pthread_mutex_init(&fi->mtx, NULL) != 0)
		return -1;
	if (pthread_condattr_init(&ca) != 0)
		goto out;
	/* The deadlines are monotonic: a clock step must not stall polling. */
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&fi->cond, &ca) == 0)
		rc = 0;
	pthread_condattr_destroy(&ca);
 out:
	if (rc == -1)
		pthread_mutex_destroy(&fi->mtx);
	return rc;
}

/*
 * Start fetching cfg->url in a new thread.  Returns the fetcher, owned
 * by the caller (fetchinput_stop()), or NULL with err set.
 */
struct fetchinput *
fetchinput_start(const struct fetchinput_config *cfg, char *err,
    size_t errlen)
{
	struct fetchinput	*fi;
	const char		*why;
	int			 e;

	if (fetchinput_url_check(cfg->url, &why) == -1) {
		errf(err, errlen, "%s: %s", cfg->url, why);
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		errf(err, errlen, "cannot initialise libcurl");
		return NULL;
	}
	if ((fi = calloc(1, sizeof(*fi))) == NULL ||
	    fi_sync_init(fi) == -1) {
		free(fi);
		curl_global_cleanup();
		errf(err, errlen, "out of memory");
		return NULL;
	}
	fi->efd = -1;
	fi->interval = cfg->interval > 0 ? cfg->interval :
	    FETCHINPUT_INTERVAL_DEFAULT;
	fi->max_bytes = cfg->max_bytes > 0 ? cfg->max_bytes :
	    (uint64_t)MAX_RTR_INPUT_SIZE;
	if ((fi->url = strdup(cfg->url)) == NULL ||
	    (cfg->ca_file != NULL &&
	    (fi->ca_file = strdup(cfg->ca_file)) == NULL)) {
		errf(err, errlen, "out of memory");
		goto fail;
	}
	if ((fi->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		errf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	if ((e = pthread_create(&fi->thread, NULL, fetch_main, fi)) != 0) {
		errf(err, errlen, "pthread_create: %s", strerror(e));
		goto fail;
	}
	fi->started = 1;
	return fi;
 fail:
	fi_free(fi);
	return NULL;
}

/* Returns the eventfd to watch for readability. */
int
fetchinput_fd(const struct fetchinput *fi)
{
	return fi->efd;
}

/*
 * Move the waiting result into *res.  Returns 1 if there was one (its
 * set then belongs to the caller), else 0.
 */
int
fetchinput_take(struct fetchinput *fi, struct fetchinput_result *res)
{
	uint64_t	n;
	int		got = 0;

	while (read(fi->efd, &n, sizeof(n)) == -1 && errno == EINTR)
		;
	pthread_mutex_lock(&fi->mtx);
	if (fi->ready) {
		*res = fi->slot;
		memset(&fi->slot, 0, sizeof(fi->slot));
		fi->ready = 0;
		got = 1;
	}
	pthread_mutex_unlock(&fi->mtx);
	return got;
}

/* Ask the thread for a download now. */
void
fetchinput_kick(struct fetchinput *fi)
{
	pthread_mutex_lock(&fi->mtx);
	fi->kick = 1;
	pthread_cond_signal(&fi->cond);
	pthread_mutex_unlock(&fi->mtx);
}

/* Make the next request unconditional. */
void
fetchinput_forget(struct fetchinput *fi)
{
	pthread_mutex_lock(&fi->mtx);
	fi->etag[0] = '\0';
	fi->last_modified[0] = '\0';
	pthread_mutex_unlock(&fi->mtx);
}

/* Stop the thread and free the fetcher. */
void
fetchinput_stop(struct fetchinput *fi)
{
	if (fi == NULL)
		return;
	pthread_mutex_lock(&fi->mtx);
	atomic_store(&fi->stop, 1);
	pthread_cond_signal(&fi->cond);
	pthread_mutex_unlock(&fi->mtx);
	if (fi->started)
		pthread_join(fi->thread, NULL);
	fi_free(fi);
}
