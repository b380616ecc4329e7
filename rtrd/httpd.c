/*
 * The HTTP responder of reef-rtrd's monitoring endpoint (see httpd.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/asn.h"
#include "rtrd/httpd.h"

#define VALIDITY_PATH	"/api/v1/validity/"
/* Longest "AS<n>" path segment, without the NUL. */
#define ASN_SEG_MAX	(ASN_STRLEN - 1)

static const char	 ctype_text[] = "text/plain; charset=utf-8";
static const char	 ctype_prom[] = "text/plain; version=0.0.4; charset=utf-8";
static const char	 ctype_json[] = "application/json";

static const char *
reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/* RFC 9110 section 5.6.2: tchar. */
static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode an origin-form target (RFC 9112 section 3.2.1) of n bytes into
 * out, dropping the query.  Returns 200, 400 or 414.
 */
static int
decode_target(const char *t, size_t n, char *out)
{
	size_t i, o = 0;
	int hi, lo;

	if (n == 0 || t[0] != '/')
		return 400;
	if (n > HTTPD_TARGET_MAX)
		return 414;
	for (i = 0; i < n && t[i] != '?' && t[i] != '#'; i++) {
		if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7f)
			return 400;
		if (t[i] != '%') {
			out[o++] = t[i];
			continue;
		}
		if (i + 2 >= n || (hi = hexval(t[i + 1])) < 0 ||
		    (lo = hexval(t[i + 2])) < 0 || (hi == 0 && lo == 0))
			return 400;
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[o] = '\0';
	return 200;
}

/* Parse "METHOD SP target SP HTTP/1.x" (len bytes, no CRLF). */
static int
parse_request_line(const char *l, size_t len, struct httpd_request *req,
    int *minor)
{
	const char *sp1, *sp2, *end = l + len;
	size_t i;

	if ((sp1 = memchr(l, ' ', len)) == NULL || sp1 == l ||
	    (sp2 = memchr(sp1 + 1, ' ', end - sp1 - 1)) == NULL ||
	    sp2 == sp1 + 1 || memchr(sp2 + 1, ' ', end - sp2 - 1) != NULL)
		return 400;
	for (i = 0; l + i < sp1; i++)
		if (!is_tchar(l[i]))
			return 400;
	if (end - sp2 - 1 != 8 || memcmp(sp2 + 1, "HTTP/", 5) != 0 ||
	    sp2[6] < '0' || sp2[6] > '9' || sp2[7] != '.' ||
	    sp2[8] < '0' || sp2[8] > '9')
		return 400;
	if (sp2[6] != '1')
		return 505;
	*minor = sp2[8] - '0';
	if (sp1 - l == 3 && memcmp(l, "GET", 3) == 0)
		req->head = 0;
	else if (sp1 - l == 4 && memcmp(l, "HEAD", 4) == 0)
		req->head = 1;
	else
		return 405;
	return decode_target(sp1 + 1, sp2 - sp1 - 1, req->path);
}

/*
 * Check one header line (RFC 9112 section 5): a token, a colon, a value
 * of visible characters, spaces and tabs.  Counts Host and refuses a
 * request body.  Returns 200, 400 or 501.
 */
static int
check_header(const char *l, size_t len, int *nhost)
{
	const char *colon;
	size_t i, nlen;
	const char *val;
	size_t vlen;

	if ((colon = memchr(l, ':', len)) == NULL || colon == l)
		return 400;
	nlen = colon - l;
	for (i = 0; i < nlen; i++)
		if (!is_tchar(l[i]))
			return 400;
	val = colon + 1;
	vlen = len - nlen - 1;
	for (i = 0; i < vlen; i++)
		if (((unsigned char)val[i] < ' ' && val[i] != '\t') ||
		    val[i] == 0x7f)
			return 400;
	if (nlen == 4 && strncasecmp(l, "Host", 4) == 0)
		(*nhost)++;
	/* RFC 9112 section 6.1: we cannot take a body; do not guess its end. */
	if (nlen == 17 && strncasecmp(l, "Transfer-Encoding", 17) == 0)
		return 501;
	if (nlen == 14 && strncasecmp(l, "Content-Length", 14) == 0) {
		while (vlen > 0 && (*val == ' ' || *val == '\t')) {
			val++;
			vlen--;
		}
		while (vlen > 0 && (val[vlen - 1] == ' ' ||
		    val[vlen - 1] == '\t'))
			vlen--;
		if (vlen != 1 || val[0] != '0')
			return 400;
	}
	return 200;
}

/*
 * Parse the request head.
 */
int
httpd_parse(const char *buf, size_t len, struct httpd_request *req)
{
	const char *p, *eol, *end;
	int rc, minor = 1, nhost = 0, first = 1;

	memset(req, 0, sizeof(*req));
	if (len > HTTPD_HEAD_MAX)
		len = HTTPD_HEAD_MAX;
	end = memmem(buf, len, "\r\n\r\n", 4);
	if (end == NULL) {
		/* A bare LF or NUL anywhere is malformed: say so early. */
		for (p = buf; p < buf + len; p++)
			if (*p == '\0' || (*p == '\n' && (p == buf ||
			    p[-1] != '\r')))
				return 400;
		return len == HTTPD_HEAD_MAX ? 431 : 0;
	}
	end += 2;	/* keep the last header's CRLF */
	for (p = buf; p < end; p = eol + 2) {
		eol = memchr(p, '\n', end - p);
		if (eol == p || eol[-1] != '\r' ||
		    memchr(p, '\0', eol - p) != NULL)
			return 400;
		eol--;
		/* RFC 9112 section 5.2: obsolete line folding is rejected. */
		if (!first && (*p == ' ' || *p == '\t'))
			return 400;
		if (first)
			rc = parse_request_line(p, eol - p, req, &minor);
		else
			rc = check_header(p, eol - p, &nhost);
		if (rc != 200)
			return rc;
		first = 0;
	}
	/* RFC 9112 section 3.2: exactly one Host in HTTP/1.1. */
	if (nhost > 1 || (minor >= 1 && nhost == 0))
		return 400;
	return 200;
}

/* Parse the AS and prefix of a validity path (after VALIDITY_PATH). */
static int
route_validity(const char *rest, struct httpd_target *t)
{
	char asn[ASN_SEG_MAX + 1];
	const char *slash;

	if ((slash = strchr(rest, '/')) == NULL ||
	    (size_t)(slash - rest) > ASN_SEG_MAX || slash == rest)
		return 400;
	memcpy(asn, rest, slash - rest);
	asn[slash - rest] = '\0';
	if (asn_parse(asn, &t->asn) != ASN_OK ||
	    prefix_parse(slash + 1, &t->prefix) != PREFIX_OK)
		return 400;
	t->page = HTTPD_PAGE_VALIDITY;
	return 200;
}

/*
 * Map a path to a page.
 */
int
httpd_route(const char *path, struct httpd_target *t)
{
	memset(t, 0, sizeof(*t));
	if (strcmp(path, "/metrics") == 0) {
		t->page = HTTPD_PAGE_METRICS;
		return 200;
	}
	if (strcmp(path, "/status") == 0) {
		t->page = HTTPD_PAGE_STATUS;
		return 200;
	}
	if (strncmp(path, VALIDITY_PATH, strlen(VALIDITY_PATH)) == 0)
		return route_validity(path + strlen(VALIDITY_PATH), t);
	return 404;
}

/* Build the response around body (blen bytes); NULL when out of memory. */
static char *
build(int status, const char *ctype, const char *body, size_t blen,
    int head, size_t *outlen)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	if ((fp = open_memstream(&out, &len)) == NULL)
		return NULL;
	fprintf(fp, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\n"
	    "Connection: close\r\n%s\r\n", status, reason_phrase(status),
	    ctype, blen, status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!head && blen > 0)
		fwrite(body, 1, blen, fp);
	if (fclose(fp) != 0 || out == NULL) {
		free(out);
		return NULL;
	}
	*outlen = len;
	return out;
}

/* Render a page into a malloc'd body; returns the status (200, 500, 503). */
static int
render(const struct httpd_target *t, const struct rtrd_view *v,
    char **body, size_t *blen)
{
	FILE *fp;
	int rc;

	*body = NULL;
	*blen = 0;
	if (t->page == HTTPD_PAGE_VALIDITY && history_current(v->h) == NULL)
		return 503;
	if ((fp = open_memstream(body, blen)) == NULL)
		return 500;
	switch (t->page) {
	case HTTPD_PAGE_METRICS:
		rc = metrics_prometheus(v, fp);
		break;
	case HTTPD_PAGE_STATUS:
		rc = metrics_status(v, fp);
		break;
	default:
		rc = metrics_validity(v, &t->prefix, t->asn, fp);
		break;
	}
	if (fclose(fp) != 0 || rc != 0) {
		free(*body);
		*body = NULL;
		*blen = 0;
		return 500;
	}
	return 200;
}

/*
 * Answer a request.
 */
int
httpd_answer(const char *buf, size_t len, const struct rtrd_view *v,
    char **resp, size_t *resplen)
{
	struct httpd_request req;
	struct httpd_target t;
	char *body = NULL, err[64];
	size_t blen = 0;
	const char *ctype = ctype_text;
	int status;

	*resp = NULL;
	*resplen = 0;
	if ((status = httpd_parse(buf, len, &req)) == 0)
		return 0;
	if (status == 200 && (status = httpd_route(req.path, &t)) == 200 &&
	    (status = render(&t, v, &body, &blen)) == 200)
		ctype = t.page == HTTPD_PAGE_METRICS ? ctype_prom : ctype_json;
	if (status != 200) {
		snprintf(err, sizeof(err), "%d %s\n", status,
		    reason_phrase(status));
		*resp = build(status, ctype_text, err, strlen(err), req.head,
		    resplen);
	} else
		*resp = build(status, ctype, body, blen, req.head, resplen);
	free(body);
	return *resp == NULL ? -1 : status;
}
