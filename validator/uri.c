/*
 * Strict rsync/https URI parsing and the URI-to-cache-path mapping; the
 * accepted syntax and the cache layout are described in uri.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "validator/uri.h"

#define RSYNC_PREFIX	"rsync://"
#define HTTPS_PREFIX	"https://"

/*
 * Characters allowed in a module or path segment besides letters and
 * digits: RFC 3986 pchar without '%' (no percent-encoding) and without
 * '*', which rsync would expand as a wildcard on the server side.
 */
#define SEGMENT_PUNCT	"-._~!$&'()+,;=:@"

/*
 * Buffers for ":port" and the authority, big enough for any value a
 * caller may have put in a struct uri (a parsed one needs much less).
 */
#define PORT_BUF	sizeof(":4294967295")
#define AUTH_BUF	(URI_MAX_HOST_LENGTH + 1 + sizeof("[]") + PORT_BUF)

static const char *const uri_errors[] = {
	[URI_OK] = "no error",
	[URI_ERR_LENGTH] = "empty or too long",
	[URI_ERR_SCHEME] = "scheme is not rsync:// or https://",
	[URI_ERR_CHAR] = "character not allowed",
	[URI_ERR_PERCENT] = "percent-encoding not allowed",
	[URI_ERR_QUERY] = "query or fragment not allowed",
	[URI_ERR_USERINFO] = "userinfo not allowed",
	[URI_ERR_HOST] = "bad host name",
	[URI_ERR_PORT] = "bad port",
	[URI_ERR_DUBIOUS] = "IP address, localhost or explicit port not allowed",
	[URI_ERR_MODULE] = "no rsync module",
	[URI_ERR_SEGMENT] = "empty path segment or one starting with '.'",
	[URI_ERR_SEGMENT_LENGTH] = "path segment too long",
	[URI_ERR_NOT_RSYNC] = "not an rsync URI",
	[URI_ERR_NOMEM] = "out of memory",
};

/*
 * Returns a static string describing err.
 */
const char *
uri_strerror(enum uri_error err)
{
	if ((size_t)err >= sizeof(uri_errors) / sizeof(uri_errors[0]) ||
	    uri_errors[err] == NULL)
		return "unknown error";
	return uri_errors[err];
}

/*
 * Reject, anywhere in the URI, what no part may hold.  Percent-encoding
 * and query/fragment get their own errors so a log says what was tried.
 */
static enum uri_error
check_bytes(const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%')
			return URI_ERR_PERCENT;
		if (c == '?' || c == '#')
			return URI_ERR_QUERY;
		/* Controls, space, DEL and anything not ASCII. */
		if (c <= ' ' || c >= 0x7f || c == '\\')
			return URI_ERR_CHAR;
	}
	return URI_OK;
}

/* Is every byte of s[0..len) a decimal digit?  (len > 0) */
static int
all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return len > 0;
}

/*
 * Would this (lowercase, syntactically valid) DNS name reach an address
 * the CA did not have to own?  inet_aton(3) also takes forms such as
 * "127.1" and "0x7f000001", which resolvers treat as addresses; a last
 * label of digits is never a real top-level domain (RFC 3696 section 2).
 */
static int
dns_is_dubious(const char *host)
{
	struct in_addr a;
	const char *last;
	size_t len = strlen(host);

	if (inet_aton(host, &a) != 0)
		return 1;
	last = strrchr(host, '.');
	last = last == NULL ? host : last + 1;
	if (all_digits(last, strlen(last)))
		return 1;
	/* RFC 6761 section 6.3: localhost and all names below it. */
	if (strcmp(host, "localhost") == 0)
		return 1;
	if (len > strlen(".localhost") &&
	    strcmp(host + len - strlen(".localhost"), ".localhost") == 0)
		return 1;
	return 0;
}

/*
 * Check a DNS name (RFC 1123 section 2.1 host name syntax) of len bytes
 * and store it lowercased in u->host.
 */
static enum uri_error
parse_dns_host(const char *s, size_t len, struct uri *u)
{
	size_t i, label = 0;
	unsigned char c;

	if (len == 0 || len > URI_MAX_HOST_LENGTH)
		return URI_ERR_HOST;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		u->host[i] = (char)tolower(c);
		if (c == '.') {
			/* Empty labels, including a trailing dot. */
			if (label == 0 || s[i - 1] == '-')
				return URI_ERR_HOST;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return URI_ERR_HOST;
		if (c == '-' && label == 0)
			return URI_ERR_HOST;
		if (++label > URI_MAX_LABEL_LENGTH)
			return URI_ERR_HOST;
	}
	if (label == 0 || s[len - 1] == '-')
		return URI_ERR_HOST;
	u->host[len] = '\0';
	if (dns_is_dubious(u->host))
		u->dubious = 1;
	return URI_OK;
}

/* An IPv6 literal without its brackets (RFC 3986 section 3.2.2). */
static enum uri_error
parse_ipv6_host(const char *s, size_t len, struct uri *u)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a;

	/* No zone ids (they need '%') and no IPvFuture. */
	if (len == 0 || len >= sizeof(buf))
		return URI_ERR_HOST;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, &a) != 1)
		return URI_ERR_HOST;
	if (inet_ntop(AF_INET6, &a, u->host, sizeof(u->host)) == NULL)
		return URI_ERR_HOST;
	u->ipv6 = 1;
	u->dubious = 1;
	return URI_OK;
}

static enum uri_error
parse_port(const char *s, size_t len, struct uri *u)
{
	unsigned int port = 0;
	size_t i;

	if (len == 0 || len > URI_MAX_PORT_DIGITS || !all_digits(s, len))
		return URI_ERR_PORT;
	for (i = 0; i < len; i++)
		port = port * 10 + (unsigned int)(s[i] - '0');
	if (port == 0 || port > URI_MAX_PORT)
		return URI_ERR_PORT;
	u->port = port;
	/* Any explicit port, even the default one, is a lab setting. */
	u->dubious = 1;
	return URI_OK;
}

/* The authority s[0..len): host and optional port, no userinfo. */
static enum uri_error
parse_authority(const char *s, size_t len, struct uri *u)
{
	const char *close, *colon;
	enum uri_error err;
	size_t hlen;

	if (memchr(s, '@', len) != NULL)
		return URI_ERR_USERINFO;
	if (len > 0 && s[0] == '[') {
		close = memchr(s, ']', len);
		if (close == NULL)
			return URI_ERR_HOST;
		if ((err = parse_ipv6_host(s + 1, close - s - 1, u)) != URI_OK)
			return err;
		hlen = close - s + 1;
		if (hlen == len)
			return URI_OK;
		if (s[hlen] != ':')
			return URI_ERR_HOST;
		return parse_port(s + hlen + 1, len - hlen - 1, u);
	}
	colon = memchr(s, ':', len);
	hlen = colon != NULL ? (size_t)(colon - s) : len;
	if ((err = parse_dns_host(s, hlen, u)) != URI_OK)
		return err;
	if (colon == NULL)
		return URI_OK;
	return parse_port(colon + 1, len - hlen - 1, u);
}

/* One module or path segment s[0..len), len > 0. */
static enum uri_error
check_segment(const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	/* ".", ".." and hidden names; the cache keeps dot names for itself. */
	if (s[0] == '.')
		return URI_ERR_SEGMENT;
	if (len > MAX_FILENAME_LENGTH)
		return URI_ERR_SEGMENT_LENGTH;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (!isalnum(c) && strchr(SEGMENT_PUNCT, c) == NULL)
			return URI_ERR_CHAR;
	}
	return URI_OK;
}

/*
 * The part after the authority, starting at its '/' (or empty): for rsync
 * the module then the path, for https the path.
 */
static enum uri_error
parse_path(const char *s, struct uri *u)
{
	const char *seg, *end;
	enum uri_error err;
	size_t len, plen = 0;
	int first = 1;

	u->dir = 1;
	if (*s == '\0')
		return u->scheme == URI_SCHEME_RSYNC ? URI_ERR_MODULE : URI_OK;
	/* s[0] is '/', as the authority ends at the first '/'. */
	for (seg = s + 1; *seg != '\0'; seg = end + 1) {
		end = strchrnul(seg, '/');
		len = end - seg;
		if (len == 0)
			return first && u->scheme == URI_SCHEME_RSYNC ?
			    URI_ERR_MODULE : URI_ERR_SEGMENT;
		if ((err = check_segment(seg, len)) != URI_OK)
			return err;
		if (first && u->scheme == URI_SCHEME_RSYNC) {
			memcpy(u->module, seg, len);
			u->module[len] = '\0';
		} else {
			if (plen > 0)
				u->path[plen++] = '/';
			memcpy(u->path + plen, seg, len);
			plen += len;
			u->path[plen] = '\0';
			u->nsegments++;
		}
		first = 0;
		/* A trailing '/' makes a directory; anything else a file. */
		u->dir = *end == '/';
		if (*end == '\0')
			break;
	}
	if (first && u->scheme == URI_SCHEME_RSYNC)
		return URI_ERR_MODULE;
	/* A module by itself, or the https root, is a directory. */
	if (u->nsegments == 0)
		u->dir = 1;
	return URI_OK;
}

/*
 * Returns URI_OK and fills *out, or the first error; see uri.h.
 */
enum uri_error
uri_parse(const char *s, int flags, struct uri *out)
{
	const char *auth, *slash;
	enum uri_error err;
	size_t len;

	memset(out, 0, sizeof(*out));
	len = strnlen(s, MAX_URI_LENGTH + 1);
	if (len == 0 || len > MAX_URI_LENGTH)
		return URI_ERR_LENGTH;
	if (strncmp(s, RSYNC_PREFIX, strlen(RSYNC_PREFIX)) == 0) {
		out->scheme = URI_SCHEME_RSYNC;
		auth = s + strlen(RSYNC_PREFIX);
	} else if (strncmp(s, HTTPS_PREFIX, strlen(HTTPS_PREFIX)) == 0) {
		out->scheme = URI_SCHEME_HTTPS;
		auth = s + strlen(HTTPS_PREFIX);
	} else
		return URI_ERR_SCHEME;
	if ((err = check_bytes(s, len)) != URI_OK)
		return err;
	slash = strchrnul(auth, '/');
	if ((err = parse_authority(auth, slash - auth, out)) != URI_OK)
		return err;
	if ((err = parse_path(slash, out)) != URI_OK)
		return err;
	if (out->dubious && !(flags & URI_ALLOW_DUBIOUS))
		return URI_ERR_DUBIOUS;
	return URI_OK;
}

/* "host", "[v6]", with ":port" when one was given; buf has room. */
static void
format_authority(const struct uri *u, char *buf, size_t sz)
{
	char port[PORT_BUF] = "";

	if (u->port != 0)
		snprintf(port, sizeof(port), ":%u", u->port);
	snprintf(buf, sz, "%s%s%s%s", u->ipv6 ? "[" : "", u->host,
	    u->ipv6 ? "]" : "", port);
}

/*
 * Returns a malloc'd canonical URI string, or NULL on allocation failure.
 */
char *
uri_format(const struct uri *u)
{
	char auth[AUTH_BUF];
	char *s;
	int rc;

	format_authority(u, auth, sizeof(auth));
	if (u->scheme == URI_SCHEME_RSYNC)
		rc = asprintf(&s, "%s%s/%s%s%s%s", RSYNC_PREFIX, auth,
		    u->module, u->nsegments > 0 ? "/" : "", u->path,
		    u->dir ? "/" : "");
	else
		rc = asprintf(&s, "%s%s/%s%s", HTTPS_PREFIX, auth, u->path,
		    u->dir && u->nsegments > 0 ? "/" : "");
	return rc == -1 ? NULL : s;
}

/*
 * Returns 1 when child lies strictly below the directory base.
 */
int
uri_is_under_parsed(const struct uri *child, const struct uri *base)
{
	size_t blen;

	if (child->scheme != base->scheme || !base->dir)
		return 0;
	if (strcmp(child->host, base->host) != 0 ||
	    child->ipv6 != base->ipv6 || child->port != base->port)
		return 0;
	if (strcmp(child->module, base->module) != 0)
		return 0;
	if (child->nsegments <= base->nsegments)
		return 0;
	if (base->nsegments == 0)
		return 1;
	/* Whole segments: "a" must not contain "ab/x". */
	blen = strlen(base->path);
	return strncmp(child->path, base->path, blen) == 0 &&
	    child->path[blen] == '/';
}

/*
 * Returns 1 when the URI child lies strictly below the directory URI base;
 * 0 otherwise, including when either does not parse.
 */
int
uri_is_under(const char *child, const char *base)
{
	struct uri *c, *b;
	int rc = 0;

	/* The structs are large; keep them off the caller's stack. */
	c = malloc(sizeof(*c));
	b = malloc(sizeof(*b));
	if (c == NULL || b == NULL)
		goto out;
	if (uri_parse(child, URI_ALLOW_DUBIOUS, c) != URI_OK ||
	    uri_parse(base, URI_ALLOW_DUBIOUS, b) != URI_OK)
		goto out;
	rc = uri_is_under_parsed(c, b);
 out:
	free(c);
	free(b);
	return rc;
}

/*
 * Sets *relpath to the malloc'd cache path of the parsed rsync URI u.
 */
enum uri_error
uri_cache_path_parsed(const struct uri *u, char **relpath)
{
	char auth[AUTH_BUF];

	*relpath = NULL;
	if (u->scheme != URI_SCHEME_RSYNC)
		return URI_ERR_NOT_RSYNC;
	format_authority(u, auth, sizeof(auth));
	if (asprintf(relpath, "%s/%s%s%s", auth, u->module,
	    u->nsegments > 0 ? "/" : "", u->path) == -1) {
		*relpath = NULL;
		return URI_ERR_NOMEM;
	}
	return URI_OK;
}

/* Parse an rsync URI into a heap struct the caller frees. */
static enum uri_error
parse_rsync(const char *s, int flags, struct uri **out)
{
	enum uri_error err;

	if ((*out = malloc(sizeof(**out))) == NULL)
		return URI_ERR_NOMEM;
	if ((err = uri_parse(s, flags, *out)) != URI_OK)
		return err;
	if ((*out)->scheme != URI_SCHEME_RSYNC)
		return URI_ERR_NOT_RSYNC;
	return URI_OK;
}

/*
 * Sets *relpath to the malloc'd cache path of the rsync URI s.
 */
enum uri_error
uri_to_cache_path(const char *s, int flags, char **relpath)
{
	struct uri *u;
	enum uri_error err;

	*relpath = NULL;
	if ((err = parse_rsync(s, flags, &u)) == URI_OK)
		err = uri_cache_path_parsed(u, relpath);
	free(u);
	return err;
}

/*
 * Sets *base to the malloc'd "rsync://AUTHORITY/MODULE/" of the rsync URI s.
 */
enum uri_error
uri_repo_base(const char *s, int flags, char **base)
{
	char auth[AUTH_BUF];
	struct uri *u;
	enum uri_error err;

	*base = NULL;
	if ((err = parse_rsync(s, flags, &u)) != URI_OK)
		goto out;
	format_authority(u, auth, sizeof(auth));
	if (asprintf(base, "%s%s/%s/", RSYNC_PREFIX, auth, u->module) == -1) {
		*base = NULL;
		err = URI_ERR_NOMEM;
	}
 out:
	free(u);
	return err;
}
