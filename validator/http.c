/*
 * HTTPS client on libcurl's multi interface; see http.h for the contract.
 *
 * libcurl follows no redirect by itself here: a 3xx ends the hop, the
 * Location is checked (URL policy, same origin, count) and a new hop starts
 * with the same transfer, because libcurl offers no way to veto a redirect
 * it follows.  Requests beyond the global or per-host limit wait in our own
 * queue rather than in libcurl's, so that their deadline starts only when
 * they do.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "common/be32.h"
#include "common/limits.h"
#include "validator/http.h"

/* Transfers in flight to one host:port unless configured. */
#define HTTP_PER_HOST_DEFAULT	4
/* Bytes per second below which, for low_speed_time, a transfer is dropped. */
#define HTTP_LOW_SPEED_DEFAULT	100
/* Longest ETag or Last-Modified value kept or sent back. */
#define HTTP_MAX_VALIDATOR_LEN	256
/* Body of a non-200 response read (and dropped) to keep the connection. */
#define HTTP_MAX_ERROR_BODY	(64 * 1024)
/* Decompressed bytes before the expansion ratio is judged. */
#define HTTP_RATIO_FLOOR	(1024 * 1024)
/* Longest wait in one poll, so http_run() notices its own timeout. */
#define HTTP_POLL_MAX_MS	1000
/* Length of the error text of a result. */
#define HTTP_ERROR_TEXT		512
#define HTTP_ACCEPT_ENCODING	"gzip, deflate"
#define HTTP_USER_AGENT		PACKAGE_NAME "/" PACKAGE_VERSION

TAILQ_HEAD(transfer_list, transfer);

struct transfer {
	TAILQ_ENTRY(transfer)	 entry;
	struct transfer_list	*list;		/* the one holding t, or NULL */
	struct http_ctx		*ctx;
	CURL			*easy;
	struct curl_slist	*headers;
	char			*url;		/* as asked */
	char			*cur_url;	/* of the current hop */
	char			*hostkey;	/* host:port, for max_per_host */
	struct http_callbacks	 cb;
	uint64_t		 max_bytes;
	long			 max_time;	/* s */
	struct timespec		 start;
	int			 conditional;
	int			 redirects;
	int			 status;	/* of the current response */
	enum http_err		 abort_err;	/* why write_cb stopped, if it did */
	int			 bomb;		/* ... and it was the ratio */
	int			 drop_full;	/* error body over the cap */
	const char		*refused;	/* URL policy verdict, or NULL */
	/* The last address refused at connect time, and why. */
	char			 bad_addr[INET6_ADDRSTRLEN];
	const char		*bad_why;
	uint64_t		 bytes;
	uint64_t		 dropped;
	char			 etag[HTTP_MAX_VALIDATOR_LEN + 1];
	char			 lastmod[HTTP_MAX_VALIDATOR_LEN + 1];
	char			 errbuf[CURL_ERROR_SIZE];
	char			 errtext[HTTP_ERROR_TEXT];
};

struct http_ctx {
	struct http_config	 cfg;		/* strings point to the copies */
	char			*ca_file;
	char			*proxy;
	CURLM			*multi;
	CURLSH			*share;
	struct transfer_list	 queue;		/* waiting for a slot */
	struct transfer_list	 active;	/* in libcurl */
	struct transfer_list	 failed;	/* to report without a transfer */
	size_t			 nactive;
	int			 closing;
	int			 check_addrs;	/* refuse dubious addresses */
};

static double
elapsed_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

const char *
http_err_name(enum http_err err)
{
	switch (err) {
	case HTTP_OK:		return "ok";
	case HTTP_ERR_URL:	return "url";
	case HTTP_ERR_STATUS:	return "status";
	case HTTP_ERR_REDIRECT:	return "redirect";
	case HTTP_ERR_TLS:	return "tls";
	case HTTP_ERR_TIMEOUT:	return "timeout";
	case HTTP_ERR_TOO_BIG:	return "too-big";
	case HTTP_ERR_ABORTED:	return "aborted";
	case HTTP_ERR_NETWORK:	return "network";
	case HTTP_ERR_CANCELLED: return "cancelled";
	}
	return "unknown";
}

/* ---- URL policy ------------------------------------------------------ */

/*
 * A host written as localhost (RFC 6761 section 6.3 reserves the whole
 * .localhost domain for loopback) or as an address.  A last label that is
 * numeric makes URL parsers read the host as an IPv4 address in one of its
 * odd forms (0x7f.1, 2130706433), so that counts as an address too.
 */
static int
host_dubious(const char *host)
{
	char buf[MAX_URI_LENGTH + 1];
	struct in_addr a4;
	const char *label;
	size_t len, i;

	len = strlen(host);
	if (len == 0 || len > MAX_URI_LENGTH || host[0] == '[')
		return 1;
	memcpy(buf, host, len + 1);
	if (buf[len - 1] == '.')
		buf[--len] = '\0';
	if (len == 0 || inet_pton(AF_INET, buf, &a4) == 1)
		return 1;
	if (strcasecmp(buf, "localhost") == 0 ||
	    (len > 10 && strcasecmp(buf + len - 10, ".localhost") == 0))
		return 1;
	label = strrchr(buf, '.');
	label = label == NULL ? buf : label + 1;
	if (strncasecmp(label, "0x", 2) == 0)
		return 1;
	for (i = 0; label[i] != '\0'; i++)
		if (label[i] < '0' || label[i] > '9')
			return 0;
	return 1;
}

/* A printable US-ASCII string of at most max bytes (no space, no controls). */
static int
printable(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || s[i] < 0x21 || s[i] > 0x7e)
			return 0;
	return 1;
}

int
http_url_acceptable(const char *url, int allow_dubious, const char **why)
{
	CURLU *u = NULL;
	char *part = NULL;
	const char *reason = NULL;

	if (url == NULL || url[0] == '\0' || !printable(url, MAX_URI_LENGTH)) {
		reason = "not a printable US-ASCII URL of at most "
		    "MAX_URI_LENGTH bytes";
		goto out;
	}
	if (strncasecmp(url, "https://", strlen("https://")) != 0) {
		reason = "not an https URL";
		goto out;
	}
	/*
	 * Parsers disagree on an empty authority (libcurl takes the first
	 * path segment of "https:///host" as the host) and on backslashes;
	 * refuse both so that what is checked is what gets fetched.
	 */
	if (strchr("/?#", url[strlen("https://")]) != NULL ||
	    strchr(url, '\\') != NULL) {
		reason = "URL has an empty authority or a backslash";
		goto out;
	}
	if ((u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		reason = "URL does not parse";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK) {
		reason = "user information in URL";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &part, 0) != CURLUE_OK) {
		reason = "URL has no host";
		goto out;
	}
	if (!allow_dubious && host_dubious(part)) {
		reason = "host is localhost or an IP address";
		goto out;
	}
	curl_free(part);
	part = NULL;
	if (!allow_dubious &&
	    curl_url_get(u, CURLUPART_PORT, &part, 0) == CURLUE_OK) {
		reason = "URL names a port";
		goto out;
	}
 out:
	curl_free(part);
	curl_url_cleanup(u);
	if (why != NULL)
		*why = reason;
	return reason == NULL ? 0 : -1;
}

/*
 * "scheme://host:port" of url with the default port filled in and the host
 * in lowercase; malloc'd, or NULL when url does not parse.
 */
static char *
origin_of(const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *o = NULL;
	size_t i;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	if (asprintf(&o, "%s://%s:%s", scheme, host, port) == -1) {
		o = NULL;
		goto out;
	}
	for (i = 0; o[i] != '\0'; i++)
		if (o[i] >= 'A' && o[i] <= 'Z')
			o[i] += 'a' - 'A';
 out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return o;
}

int
http_same_origin(const char *a, const char *b)
{
	char *oa, *ob;
	int same;

	oa = origin_of(a);
	ob = origin_of(b);
	same = oa != NULL && ob != NULL && strcmp(oa, ob) == 0;
	free(oa);
	free(ob);
	return same;
}

/* Built-in policy, then the caller's hook.  Returns the refusal or NULL. */
/* ---- Addresses ------------------------------------------------------- */

/* Is the 32-bit address a (host order) inside prefix/len? */
static int
in4(uint32_t a, uint32_t prefix, int len)
{
	return len == 0 || (a >> (32 - len)) == (prefix >> (32 - len));
}

/* Special-use IPv4 ranges (RFC 6890 and its updates) no repository uses. */
static const char *
v4_dubious(uint32_t a)
{
	static const struct {
		uint32_t	 prefix;
		int		 len;
		const char	*why;
	} ranges[] = {
		{ 0x00000000, 8, "\"this network\" (RFC 791)" },
		{ 0x0a000000, 8, "private (RFC 1918)" },
		{ 0x64400000, 10, "shared address space (RFC 6598)" },
		{ 0x7f000000, 8, "loopback" },
		{ 0xa9fe0000, 16, "link-local" },
		{ 0xac100000, 12, "private (RFC 1918)" },
		{ 0xc0000000, 24, "IETF protocol assignment (RFC 6890)" },
		{ 0xc0000200, 24, "documentation (RFC 5737)" },
		{ 0xc0586300, 24, "6to4 relay anycast (RFC 7526)" },
		{ 0xc0a80000, 16, "private (RFC 1918)" },
		{ 0xc6120000, 15, "benchmarking (RFC 2544)" },
		{ 0xc6336400, 24, "documentation (RFC 5737)" },
		{ 0xcb007100, 24, "documentation (RFC 5737)" },
		{ 0xe0000000, 4, "multicast" },
		{ 0xf0000000, 4, "reserved or broadcast" },
	};
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (in4(a, ranges[i].prefix, ranges[i].len))
			return ranges[i].why;
	return NULL;
}

/*
 * Special-use IPv6 ranges (RFC 6890, RFC 4291); an IPv4 address carried
 * inside (mapped, compatible, NAT64, 6to4) is judged as IPv4.
 */
static const char *
v6_dubious(const unsigned char *a)
{
	static const unsigned char zero[12];
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };

	if (memcmp(a, zero, 12) == 0) {
		if (be32_get(a + 12) <= 1)
			return be32_get(a + 12) == 0 ? "unspecified" :
			    "loopback";
		return "IPv4-compatible (RFC 4291)";
	}
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return v4_dubious(be32_get(a + 12));
	if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b &&
	    a[4] == 0x00 && a[5] == 0x01)
		return "local-use NAT64 (RFC 8215)";
	if (a[0] == 0x01 && a[1] == 0x00 && memcmp(a + 2, zero, 6) == 0)
		return "discard-only (RFC 6666)";
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return "documentation (RFC 3849)";
	if (a[0] == 0x20 && a[1] == 0x02)
		return v4_dubious(be32_get(a + 2));
	if ((a[0] & 0xfe) == 0xfc)
		return "unique local (RFC 4193)";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "link-local";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return "site-local (RFC 3879)";
	if (a[0] == 0xff)
		return "multicast";
	return NULL;
}

const char *
http_addr_dubious(const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;

	if (sa->sa_family == AF_INET && len >= sizeof(*s4)) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		return v4_dubious(ntohl(s4->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(*s6)) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		return v6_dubious(s6->sin6_addr.s6_addr);
	}
	return "not an IP address";
}

/* 1 if sa is a loopback address (IPv4, IPv6 or IPv4-mapped). */
static int
addr_is_loopback(const struct sockaddr *sa, socklen_t len)
{
	static const unsigned char one[16] = { [15] = 1 };
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;

	if (sa->sa_family == AF_INET && len >= sizeof(*s4)) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(*s6)) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		return memcmp(s6->sin6_addr.s6_addr, one, 16) == 0 ||
		    (memcmp(s6->sin6_addr.s6_addr, mapped, 12) == 0 &&
		    s6->sin6_addr.s6_addr[12] == 127);
	}
	return 0;
}

const char *
http_addr_refused(const struct sockaddr *sa, socklen_t len)
{
	if (addr_is_loopback(sa, len))
		return NULL;
	return http_addr_dubious(sa, len);
}

/* The numeric form of sa into buf (INET6_ADDRSTRLEN bytes). */
static void
addr_text(const struct sockaddr *sa, char *buf)
{
	const void *a = NULL;

	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (a == NULL || inet_ntop(sa->sa_family, a, buf, INET6_ADDRSTRLEN) ==
	    NULL)
		snprintf(buf, INET6_ADDRSTRLEN, "?");
}

/*
 * libcurl's socket opener: the address it is about to connect to, after
 * name resolution and for every attempt (happy eyeballs, each address of
 * the name in turn), so what is checked is exactly what is connected to,
 * whatever the DNS answered a moment before (rebinding).  A dubious one
 * fails that attempt; libcurl then tries the next address, if any.
 */
static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct transfer *t = arg;
	const char *why;
	int fd;

	if (purpose == CURLSOCKTYPE_IPCXN && t->ctx->check_addrs &&
	    (why = http_addr_refused(&a->addr, a->addrlen)) != NULL) {
		addr_text(&a->addr, t->bad_addr);
		t->bad_why = why;
		return CURL_SOCKET_BAD;
	}
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	return fd == -1 ? CURL_SOCKET_BAD : fd;
}

/*
 * A proxy configured here or in the environment (as libcurl reads it):
 * then the proxy, not us, resolves repository hosts and connects to
 * them, so their addresses cannot be checked (http.h).
 */
static int
proxy_in_use(const struct http_ctx *ctx)
{
	static const char *const vars[] = { "https_proxy", "HTTPS_PROXY",
	    "all_proxy", "ALL_PROXY" };
	const char *v;
	size_t i;

	if (ctx->proxy != NULL)
		return ctx->proxy[0] != '\0';
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if ((v = getenv(vars[i])) != NULL && v[0] != '\0')
			return 1;
	return 0;
}

static const char *
url_refusal(const struct http_ctx *ctx, const char *url)
{
	const char *why;

	if (http_url_acceptable(url, ctx->cfg.allow_dubious_hosts, &why) == -1)
		return why;
	if (ctx->cfg.url_check != NULL &&
	    !ctx->cfg.url_check(ctx->cfg.url_check_arg, url))
		return "refused by the URI policy";
	return NULL;
}

/* ---- Transfers ------------------------------------------------------- */

/* Move t onto list (NULL: onto none), keeping the count of active ones. */
static void
move_to(struct transfer *t, struct transfer_list *list)
{
	struct http_ctx *ctx = t->ctx;

	if (t->list != NULL) {
		TAILQ_REMOVE(t->list, t, entry);
		if (t->list == &ctx->active)
			ctx->nactive--;
	}
	t->list = list;
	if (list != NULL) {
		TAILQ_INSERT_TAIL(list, t, entry);
		if (list == &ctx->active)
			ctx->nactive++;
	}
}

static void
transfer_free(struct transfer *t)
{
	if (t == NULL)
		return;
	move_to(t, NULL);
	if (t->easy != NULL) {
		curl_multi_remove_handle(t->ctx->multi, t->easy);
		curl_easy_cleanup(t->easy);
	}
	curl_slist_free_all(t->headers);
	free(t->url);
	free(t->cur_url);
	free(t->hostkey);
	free(t);
}

/*
 * Report t to its owner and free it.  err HTTP_OK with not_modified for a
 * 304; fmt (may be NULL on success) becomes the error text after the URL.
 */
static void
finish(struct transfer *t, enum http_err err, int not_modified,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
finish(struct transfer *t, enum http_err err, int not_modified,
    const char *fmt, ...)
{
	struct http_result res;
	va_list ap;
	int n;

	memset(&res, 0, sizeof(res));
	res.url = t->url;
	res.final_url = t->cur_url;
	res.err = err;
	res.status = t->status;
	res.not_modified = not_modified;
	res.bytes = t->bytes;
	res.seconds = elapsed_since(&t->start);
	res.etag = t->etag[0] != '\0' ? t->etag : NULL;
	res.last_modified = t->lastmod[0] != '\0' ? t->lastmod : NULL;
	if (fmt != NULL) {
		n = snprintf(t->errtext, sizeof(t->errtext), "%s: ", t->url);
		if (n < 0 || (size_t)n >= sizeof(t->errtext))
			n = 0;
		va_start(ap, fmt);
		vsnprintf(t->errtext + n, sizeof(t->errtext) - n, fmt, ap);
		va_end(ap);
		res.error = t->errtext;
	}
	t->cb.on_done(t->cb.arg, &res);
	transfer_free(t);
}

/*
 * Copy the value of header name from one header line into out, if the line
 * is that header and the value is printable and fits; an unusable value
 * leaves out empty, so a hostile one is never sent back.
 */
static void
header_value(const char *line, size_t len, const char *name, char *out,
    size_t outsz)
{
	size_t nlen = strlen(name), i;

	if (len <= nlen || strncasecmp(line, name, nlen) != 0 ||
	    line[nlen] != ':')
		return;
	line += nlen + 1;
	len -= nlen + 1;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
	    line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	out[0] = '\0';
	if (len == 0 || len >= outsz)
		return;
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			return;
	memcpy(out, line, len);
	out[len] = '\0';
}

static size_t
header_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * nitems;
	const char *p;

	/* A status line starts a new response (1xx, or the next hop). */
	if (len > 5 && strncmp(buf, "HTTP/", 5) == 0) {
		t->status = 0;
		t->etag[0] = t->lastmod[0] = '\0';
		p = memchr(buf, ' ', len);
		if (p != NULL && (size_t)(p - buf) + 4 <= len &&
		    p[1] >= '1' && p[1] <= '5' && p[2] >= '0' && p[2] <= '9' &&
		    p[3] >= '0' && p[3] <= '9')
			t->status = (p[1] - '0') * 100 + (p[2] - '0') * 10 +
			    (p[3] - '0');
		return len;
	}
	header_value(buf, len, "ETag", t->etag, sizeof(t->etag));
	header_value(buf, len, "Last-Modified", t->lastmod,
	    sizeof(t->lastmod));
	return len;
}

/*
 * Body chunks, decompressed.  Returning less than len makes libcurl stop
 * the transfer with CURLE_WRITE_ERROR; abort_err says why.
 */
static size_t
write_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * nitems;
	curl_off_t wire = 0;
	uint64_t total;

	if (t->status != 200) {
		t->dropped += len;
		if (t->dropped > HTTP_MAX_ERROR_BODY) {
			t->drop_full = 1;
			return 0;
		}
		return len;
	}
	if (len > t->max_bytes - t->bytes) {
		t->abort_err = HTTP_ERR_TOO_BIG;
		return 0;
	}
	total = t->bytes + len;
	/* The wire count is of bytes before decoding: a ratio spots a bomb. */
	if (total > HTTP_RATIO_FLOOR &&
	    curl_easy_getinfo(t->easy, CURLINFO_SIZE_DOWNLOAD_T, &wire) ==
	    CURLE_OK && wire > 0 && total / (uint64_t)wire > MAX_GZIP_RATIO) {
		t->abort_err = HTTP_ERR_TOO_BIG;
		t->bomb = 1;
		return 0;
	}
	if (t->cb.on_data(t->cb.arg, buf, len) == -1) {
		t->abort_err = HTTP_ERR_ABORTED;
		return 0;
	}
	t->bytes = total;
	return len;
}

/* Milliseconds left before t's deadline, at least 0. */
static long
ms_left(const struct transfer *t)
{
	double left;

	left = (double)t->max_time - elapsed_since(&t->start);
	return left <= 0 ? 0 : (long)(left * 1000) + 1;
}

/* Set up and add an easy handle for t->cur_url.  Returns 0 or -1. */
static int
start_hop(struct transfer *t)
{
	const struct http_ctx *ctx = t->ctx;
	CURL *e;
	long ms;
	int rc = -1;

	t->status = 0;
	t->dropped = 0;
	t->drop_full = 0;
	t->errbuf[0] = '\0';
	/* 0 would mean no time-out at all to libcurl. */
	if ((ms = ms_left(t)) == 0)
		ms = 1;
	if ((e = curl_easy_init()) == NULL)
		return -1;
	if (curl_easy_setopt(e, CURLOPT_URL, t->cur_url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, t) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https") !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, t) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERDATA, t) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT, HTTP_USER_AGENT) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING,
	    HTTP_ACCEPT_ENCODING) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
	    ctx->cfg.connect_timeout) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT,
	    ctx->cfg.low_speed_limit) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
	    ctx->cfg.low_speed_time) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ms) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SHARE, ctx->share) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t) != CURLE_OK)
		goto out;
	if (t->headers != NULL &&
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers) != CURLE_OK)
		goto out;
	if (ctx->ca_file != NULL &&
	    curl_easy_setopt(e, CURLOPT_CAINFO, ctx->ca_file) != CURLE_OK)
		goto out;
	if (ctx->proxy != NULL &&
	    curl_easy_setopt(e, CURLOPT_PROXY, ctx->proxy) != CURLE_OK)
		goto out;
	/* Set first: the callbacks may look at it from the first perform. */
	t->easy = e;
	if (curl_multi_add_handle(ctx->multi, e) != CURLM_OK) {
		t->easy = NULL;
		goto out;
	}
	e = NULL;
	rc = 0;
 out:
	if (e != NULL)
		curl_easy_cleanup(e);
	return rc;
}

static size_t
host_active(const struct http_ctx *ctx, const char *hostkey)
{
	const struct transfer *t;
	size_t n = 0;

	TAILQ_FOREACH(t, &ctx->active, entry)
		if (strcmp(t->hostkey, hostkey) == 0)
			n++;
	return n;
}

/*
 * Report what failed before reaching libcurl, then start queued transfers
 * while there is room, in order except where a host is at its limit.
 */
static void
dispatch(struct http_ctx *ctx)
{
	struct transfer *t, *next;

	for (;;) {
		while ((t = TAILQ_FIRST(&ctx->failed)) != NULL) {
			if (t->refused != NULL)
				finish(t, HTTP_ERR_URL, 0, "%s", t->refused);
			else
				finish(t, HTTP_ERR_NETWORK, 0,
				    "cannot set up the transfer");
		}
		for (t = TAILQ_FIRST(&ctx->queue); t != NULL &&
		    ctx->nactive < ctx->cfg.max_transfers; t = next) {
			next = TAILQ_NEXT(t, entry);
			if (host_active(ctx, t->hostkey) >=
			    ctx->cfg.max_per_host)
				continue;
			clock_gettime(CLOCK_MONOTONIC, &t->start);
			if (start_hop(t) == -1)
				move_to(t, &ctx->failed);
			else
				move_to(t, &ctx->active);
		}
		if (TAILQ_EMPTY(&ctx->failed))
			return;
	}
}

static enum http_err
classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_ERR_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return HTTP_ERR_TLS;
	case CURLE_FILESIZE_EXCEEDED:
		return HTTP_ERR_TOO_BIG;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return HTTP_ERR_URL;
	case CURLE_TOO_MANY_REDIRECTS:
		return HTTP_ERR_REDIRECT;
	default:
		return HTTP_ERR_NETWORK;
	}
}

/* Take t out of libcurl; it stays allocated. */
static void
detach(struct transfer *t)
{
	curl_multi_remove_handle(t->ctx->multi, t->easy);
	curl_easy_cleanup(t->easy);
	t->easy = NULL;
}

/* The hop ended with a 3xx: start the next one or fail t. */
static void
redirect(struct transfer *t)
{
	const char *loc = NULL, *why;
	char *next;

	if (curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_URL, &loc) !=
	    CURLE_OK || loc == NULL) {
		finish(t, HTTP_ERR_REDIRECT, 0, "HTTP status %d without "
		    "a usable Location", t->status);
		return;
	}
	if (++t->redirects > MAX_HTTP_REDIRECTS) {
		finish(t, HTTP_ERR_REDIRECT, 0, "more than %d redirects",
		    MAX_HTTP_REDIRECTS);
		return;
	}
	if ((why = url_refusal(t->ctx, loc)) != NULL) {
		finish(t, HTTP_ERR_REDIRECT, 0, "redirect to %.200s refused: %s",
		    loc, why);
		return;
	}
	/* RFC 9674 section 3.2: never follow a redirect to another origin. */
	if (!http_same_origin(t->url, loc)) {
		finish(t, HTTP_ERR_REDIRECT, 0, "redirect to another origin "
		    "(%.200s) refused (RFC 9674 section 3.2)", loc);
		return;
	}
	if (ms_left(t) == 0) {
		finish(t, HTTP_ERR_TIMEOUT, 0, "deadline of %ld s passed",
		    t->max_time);
		return;
	}
	if ((next = strdup(loc)) == NULL) {
		finish(t, HTTP_ERR_NETWORK, 0, "out of memory");
		return;
	}
	detach(t);
	free(t->cur_url);
	t->cur_url = next;
	if (start_hop(t) == -1)
		finish(t, HTTP_ERR_NETWORK, 0, "cannot set up the transfer");
}

/* A hop finished in libcurl with rc: judge it. */
static void
hop_done(struct transfer *t, CURLcode rc)
{
	long code = 0;

	if (t->status == 0 &&
	    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code) ==
	    CURLE_OK)
		t->status = (int)code;
	if (t->abort_err == HTTP_ERR_TOO_BIG) {
		if (t->bomb)
			finish(t, HTTP_ERR_TOO_BIG, 0, "compressed body "
			    "expands more than %d times", MAX_GZIP_RATIO);
		else
			finish(t, HTTP_ERR_TOO_BIG, 0, "body larger than "
			    "%llu bytes", (unsigned long long)t->max_bytes);
		return;
	}
	if (t->abort_err == HTTP_ERR_ABORTED) {
		finish(t, HTTP_ERR_ABORTED, 0, "stopped by the consumer");
		return;
	}
	if (rc == CURLE_COULDNT_CONNECT && t->bad_why != NULL) {
		finish(t, HTTP_ERR_URL, 0, "host resolves to %s, a %s address "
		    "(refused without --allow-dubious-hosts)", t->bad_addr,
		    t->bad_why);
		return;
	}
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t->drop_full)) {
		finish(t, classify(rc), 0, "%s", t->errbuf[0] != '\0' ?
		    t->errbuf : curl_easy_strerror(rc));
		return;
	}
	switch (t->status) {
	case 200:
		finish(t, HTTP_OK, 0, NULL);
		return;
	case 304:
		if (t->conditional) {
			finish(t, HTTP_OK, 1, NULL);
			return;
		}
		break;
	case 301:
	case 302:
	case 303:
	case 307:
	case 308:
		redirect(t);
		return;
	}
	finish(t, HTTP_ERR_STATUS, 0, "HTTP status %d", t->status);
}

/* Judge every hop libcurl has finished. */
static void
reap(struct http_ctx *ctx)
{
	CURLMsg *m;
	char *priv;
	int left;

	while ((m = curl_multi_info_read(ctx->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		if (curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
		    &priv) != CURLE_OK || priv == NULL)
			continue;
		hop_done((struct transfer *)priv, m->data.result);
	}
}

/* ---- Context --------------------------------------------------------- */

struct http_ctx *
http_new(const struct http_config *cfg)
{
	struct http_ctx *ctx;
	int global = 0;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	TAILQ_INIT(&ctx->queue);
	TAILQ_INIT(&ctx->active);
	TAILQ_INIT(&ctx->failed);
	if (cfg != NULL)
		ctx->cfg = *cfg;
	if (ctx->cfg.max_transfers == 0)
		ctx->cfg.max_transfers = MAX_HTTP_REQUESTS;
	if (ctx->cfg.max_per_host == 0)
		ctx->cfg.max_per_host = HTTP_PER_HOST_DEFAULT;
	if (ctx->cfg.connect_timeout <= 0)
		ctx->cfg.connect_timeout = MAX_CONN_TIMEOUT;
	if (ctx->cfg.low_speed_limit <= 0)
		ctx->cfg.low_speed_limit = HTTP_LOW_SPEED_DEFAULT;
	if (ctx->cfg.low_speed_time <= 0)
		ctx->cfg.low_speed_time = MAX_IO_TIMEOUT;
	if (ctx->cfg.max_time <= 0)
		ctx->cfg.max_time = MAX_RRDP_TIME;
	if ((cfg != NULL && cfg->ca_file != NULL &&
	    (ctx->ca_file = strdup(cfg->ca_file)) == NULL) ||
	    (cfg != NULL && cfg->proxy != NULL &&
	    (ctx->proxy = strdup(cfg->proxy)) == NULL))
		goto fail;
	ctx->cfg.ca_file = ctx->ca_file;
	ctx->cfg.proxy = ctx->proxy;
	ctx->check_addrs = !ctx->cfg.allow_dubious_hosts && !proxy_in_use(ctx);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		goto fail;
	global = 1;
	if ((ctx->multi = curl_multi_init()) == NULL ||
	    (ctx->share = curl_share_init()) == NULL)
		goto fail;
	if (curl_share_setopt(ctx->share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
	    curl_share_setopt(ctx->share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK)
		goto fail;
	/* Equal to our own limits, so libcurl never queues behind our back. */
	if (curl_multi_setopt(ctx->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)ctx->cfg.max_transfers) != CURLM_OK ||
	    curl_multi_setopt(ctx->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)ctx->cfg.max_per_host) != CURLM_OK ||
	    curl_multi_setopt(ctx->multi, CURLMOPT_MAXCONNECTS,
	    (long)ctx->cfg.max_transfers) != CURLM_OK)
		goto fail;
	return ctx;
 fail:
	if (ctx->multi != NULL)
		curl_multi_cleanup(ctx->multi);
	if (ctx->share != NULL)
		curl_share_cleanup(ctx->share);
	if (global)
		curl_global_cleanup();
	free(ctx->ca_file);
	free(ctx->proxy);
	free(ctx);
	return NULL;
}

void
http_free(struct http_ctx *ctx)
{
	struct transfer *t;

	if (ctx == NULL)
		return;
	ctx->closing = 1;
	while ((t = TAILQ_FIRST(&ctx->active)) != NULL)
		finish(t, HTTP_ERR_CANCELLED, 0, "cancelled");
	while ((t = TAILQ_FIRST(&ctx->queue)) != NULL)
		finish(t, HTTP_ERR_CANCELLED, 0, "cancelled");
	while ((t = TAILQ_FIRST(&ctx->failed)) != NULL)
		finish(t, t->refused != NULL ? HTTP_ERR_URL :
		    HTTP_ERR_CANCELLED, 0, "%s", t->refused != NULL ?
		    t->refused : "cancelled");
	/* Handles go before the share they use, the share before globals. */
	curl_multi_cleanup(ctx->multi);
	curl_share_cleanup(ctx->share);
	curl_global_cleanup();
	free(ctx->ca_file);
	free(ctx->proxy);
	free(ctx);
}

/*
 * Append "name: value" to t->headers when value is a usable validator.
 * A corrupt stored value only costs a full download, so it is skipped.
 * Returns 0, or -1 when out of memory.
 */
static int
add_condition(struct transfer *t, const char *name, const char *value)
{
	struct curl_slist *l;
	const char *p;
	char *h;

	if (value == NULL || value[0] == '\0' ||
	    strlen(value) > HTTP_MAX_VALIDATOR_LEN)
		return 0;
	for (p = value; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	if (asprintf(&h, "%s: %s", name, value) == -1)
		return -1;
	l = curl_slist_append(t->headers, h);
	free(h);
	if (l == NULL)
		return -1;
	t->headers = l;
	t->conditional = 1;
	return 0;
}

int
http_get(struct http_ctx *ctx, const char *url,
    const struct http_get_opts *opts, const struct http_callbacks *cb)
{
	static const struct http_get_opts none;
	struct transfer *t;
	char *origin;
	size_t skip;

	if (ctx == NULL || url == NULL || cb == NULL || cb->on_data == NULL ||
	    cb->on_done == NULL || ctx->closing) {
		errno = EINVAL;
		return -1;
	}
	if (opts == NULL)
		opts = &none;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	t->ctx = ctx;
	t->cb = *cb;
	t->max_bytes = opts->max_bytes != 0 ? opts->max_bytes : MAX_FILE_SIZE;
	t->max_time = opts->max_time > 0 ? opts->max_time : ctx->cfg.max_time;
	clock_gettime(CLOCK_MONOTONIC, &t->start);
	if ((t->url = strdup(url)) == NULL ||
	    (t->cur_url = strdup(url)) == NULL)
		goto fail;
	if (add_condition(t, "If-None-Match", opts->etag) == -1 ||
	    add_condition(t, "If-Modified-Since", opts->last_modified) == -1)
		goto fail;
	t->refused = url_refusal(ctx, url);
	if (t->refused == NULL && (origin = origin_of(url)) != NULL) {
		/* Keep "host:port" of "scheme://host:port". */
		skip = strcspn(origin, ":") + strlen("://");
		memmove(origin, origin + skip, strlen(origin + skip) + 1);
		t->hostkey = origin;
	} else if ((t->hostkey = strdup("")) == NULL)
		goto fail;
	move_to(t, t->refused != NULL ? &ctx->failed : &ctx->queue);
	return 0;
 fail:
	transfer_free(t);
	errno = ENOMEM;
	return -1;
}

size_t
http_pending(const struct http_ctx *ctx)
{
	const struct transfer *t;
	size_t n = 0;

	TAILQ_FOREACH(t, &ctx->queue, entry)
		n++;
	TAILQ_FOREACH(t, &ctx->failed, entry)
		n++;
	return n + ctx->nactive;
}

int
http_run(struct http_ctx *ctx, long timeout_ms)
{
	struct timespec t0;
	double left;
	int running, wait;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		dispatch(ctx);
		if (curl_multi_perform(ctx->multi, &running) != CURLM_OK)
			return -1;
		reap(ctx);
		/* on_done may have queued more; start them before waiting. */
		dispatch(ctx);
		if (http_pending(ctx) == 0)
			return 0;
		wait = HTTP_POLL_MAX_MS;
		if (timeout_ms >= 0) {
			left = (double)timeout_ms - elapsed_since(&t0) * 1000;
			if (left <= 0)
				return 1;
			if (left < wait)
				wait = (int)left + 1;
		}
		if (curl_multi_poll(ctx->multi, NULL, 0, wait, NULL) !=
		    CURLM_OK)
			return -1;
	}
}
