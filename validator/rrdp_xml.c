/*
 * The XML layer shared by the RRDP parsers: libxml2's push parser behind
 * a SAX2 handler that refuses everything RRDP does not need, with byte,
 * depth, attribute and text caps of our own, plus the attribute helpers
 * and the streaming base64 decoding of <publish> content.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>

#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/rrdp_xml.h"

/*
 * Bytes handed to libxml2 at a time, so the check on what it holds back
 * (below) runs often whatever chunk sizes the network gives us.
 */
#define RRDP_XML_SLICE		(64 * 1024)
/*
 * Bytes libxml2 may hold unparsed.  It buffers a whole start tag, and (in
 * push mode) a whole run of character data, before calling us, so this is
 * the bound on a single element: the largest text we allow plus slack.
 */
#define RRDP_XML_MAX_PENDING	(MAX_XML_TEXT_SIZE + 2 * RRDP_XML_SLICE)
/* Attributes on one RRDP element (real ones carry at most four). */
#define RRDP_XML_MAX_ATTRS	8

struct rrdp_xml {
	xmlParserCtxtPtr		 ctxt;
	const struct rrdp_xml_ops	*ops;
	void				*arg;
	char				*uri;		/* file URI, for messages */
	uint64_t			 max_size;
	uint64_t			 fed;		/* bytes fed so far */
	struct hash_sha256_ctx		 sha;
	int				 sha_live;
	int				 check_hash;
	unsigned char			 expect[HASH_SHA256_LEN];
	int				 depth;		/* open elements */
	int				 root_done;	/* root closed */
	uint64_t			 text_len;	/* text in current element */
	int				 finished;
	int				 terminating;	/* in finish() */
	int				 failed;
	char				 err[RRDP_ERROR_LEN];
	char				 attrbuf[RRDP_XML_MAX_ATTRS *
					    (MAX_XML_ATTR_LENGTH + 1)];
};

/*
 * Record the first failure with the parser's current line, log it, and
 * stop libxml2 so it calls us no more.
 */
static int
vfail(struct rrdp_xml *x, const char *fmt, va_list ap)
{
	int line = 0, n;

	if (x->failed)
		return -1;
	x->failed = 1;
	if (x->ctxt != NULL && x->ctxt->input != NULL)
		line = x->ctxt->input->line;
	n = snprintf(x->err, sizeof(x->err), "line %d: ", line);
	if (n > 0 && (size_t)n < sizeof(x->err))
		vsnprintf(x->err + n, sizeof(x->err) - n, fmt, ap);
	log_warnx_obj(x->uri, "%s", x->err);
	if (x->ctxt != NULL)
		xmlStopParser(x->ctxt);
	return -1;
}

/*
 * Fail the file; always returns -1.
 */
int
rrdp_xml_fail(struct rrdp_xml *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(x, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- SAX callbacks ---------------------------------------------------- */

/*
 * Copy len bytes of an attribute value to dst (NUL-terminated), turning
 * "&#38;" back into '&'.  Without entity substitution (which we never ask
 * for) libxml2 hands '&' over in that escaped form, and as a bare '&'
 * cannot appear otherwise the decoding is unambiguous.
 */
static void
unescape_amp(char *dst, const char *src, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (len - i >= 5 && memcmp(src + i, "&#38;", 5) == 0) {
			*dst++ = '&';
			i += 5;
		} else
			*dst++ = src[i++];
	}
	*dst = '\0';
}

/*
 * Copy the SAX2 attribute tuples (localname, prefix, URI, value, end) into
 * NUL-terminated name/value pairs.  Namespaced attributes are refused:
 * RRDP defines none (xmlns declarations do not reach us as attributes).
 */
static int
collect_attrs(struct rrdp_xml *x, const char *elem, int nb,
    const xmlChar **attributes, struct rrdp_xml_attr *out)
{
	char *buf = x->attrbuf;
	size_t len;
	int i;

	if (nb > RRDP_XML_MAX_ATTRS)
		return rrdp_xml_fail(x, "%d attributes on <%s>", nb, elem);
	for (i = 0; i < nb; i++) {
		const xmlChar **a = attributes + 5 * i;

		if (a[1] != NULL || a[2] != NULL)
			return rrdp_xml_fail(x, "namespaced attribute %s:%s "
			    "on <%s>", (const char *)a[1], (const char *)a[0],
			    elem);
		len = a[4] - a[3];
		if (len > MAX_XML_ATTR_LENGTH)
			return rrdp_xml_fail(x, "attribute %s on <%s> longer "
			    "than %d bytes", (const char *)a[0], elem,
			    MAX_XML_ATTR_LENGTH);
		unescape_amp(buf, (const char *)a[3], len);
		out[i].name = (const char *)a[0];
		out[i].value = buf;
		buf += len + 1;
	}
	return 0;
}

static void
sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	struct rrdp_xml *x = ctx;
	struct rrdp_xml_attr attrs[RRDP_XML_MAX_ATTRS];
	const char *name = (const char *)localname;

	if (x->failed)
		return;
	if (x->depth >= MAX_XML_DEPTH) {
		rrdp_xml_fail(x, "elements nested deeper than %d",
		    MAX_XML_DEPTH);
		return;
	}
	/* RFC 8182 section 3.5: one namespace, spelled exactly. */
	if (uri == NULL || strcmp((const char *)uri, RRDP_XMLNS) != 0) {
		rrdp_xml_fail(x, "<%s> not in namespace %s", name, RRDP_XMLNS);
		return;
	}
	if (nb_defaulted != 0) {
		rrdp_xml_fail(x, "defaulted attributes on <%s>", name);
		return;
	}
	if (collect_attrs(x, name, nb_attributes, attributes, attrs) == -1)
		return;
	x->depth++;
	x->text_len = 0;
	if (x->ops->start(x->arg, x, name, attrs, nb_attributes,
	    x->depth) == -1)
		rrdp_xml_fail(x, "<%s> refused", name);
}

static void
sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct rrdp_xml *x = ctx;

	if (x->failed)
		return;
	if (x->ops->end(x->arg, x, (const char *)localname, x->depth) == -1) {
		rrdp_xml_fail(x, "</%s> refused", (const char *)localname);
		return;
	}
	x->text_len = 0;
	if (--x->depth == 0)
		x->root_done = 1;
}

static void
sax_text(void *ctx, const xmlChar *ch, int len)
{
	struct rrdp_xml *x = ctx;

	if (x->failed || len <= 0)
		return;
	x->text_len += len;
	if (x->text_len > MAX_XML_TEXT_SIZE) {
		rrdp_xml_fail(x, "more than %d bytes of text in one element",
		    MAX_XML_TEXT_SIZE);
		return;
	}
	if (x->ops->text(x->arg, x, (const char *)ch, len, x->depth) == -1)
		rrdp_xml_fail(x, "text refused");
}

/* Any DOCTYPE: no DTD, hence no entity declarations, ever. */
static void
sax_doctype(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	rrdp_xml_fail(ctx, "DOCTYPE not allowed");
}

static void
sax_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *pid, const xmlChar *sid, xmlChar *content)
{
	rrdp_xml_fail(ctx, "entity declaration not allowed");
}

/* Only reached for names other than the five predefined entities. */
static xmlEntityPtr
sax_get_entity(void *ctx, const xmlChar *name)
{
	rrdp_xml_fail(ctx, "entity reference &%s; not allowed",
	    (const char *)name);
	return NULL;
}

static xmlParserInputPtr
sax_resolve(void *ctx, const xmlChar *pid, const xmlChar *sid)
{
	rrdp_xml_fail(ctx, "external entity not allowed");
	return NULL;
}

static void
sax_reference(void *ctx, const xmlChar *name)
{
	rrdp_xml_fail(ctx, "entity reference not allowed");
}

static void
sax_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	rrdp_xml_fail(ctx, "processing instruction not allowed");
}

/* libxml2's own errors (well-formedness); warnings are ignored. */
static void
sax_error(void *ctx, xmlErrorPtr e)
{
	struct rrdp_xml *x = ctx;
	char msg[RRDP_ERROR_LEN];
	size_t len;

	if (e == NULL || e->level == XML_ERR_WARNING)
		return;
	/* libxml2 words a premature end as "Extra content" in push mode. */
	if (x->terminating && !x->root_done) {
		rrdp_xml_fail(x, "document truncated at end of file");
		return;
	}
	snprintf(msg, sizeof(msg), "%s", e->message != NULL ?
	    e->message : "XML error");
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	rrdp_xml_fail(x, "XML: %s", msg);
}

static void
sax_setup(xmlSAXHandler *sax)
{
	memset(sax, 0, sizeof(*sax));
	sax->initialized = XML_SAX2_MAGIC;
	sax->startElementNs = sax_start;
	sax->endElementNs = sax_end;
	sax->characters = sax_text;
	/* Same handler: libxml2 then skips its blank-node heuristics. */
	sax->ignorableWhitespace = sax_text;
	/* XML 1.0 section 2.7: CDATA is character data like any other. */
	sax->cdataBlock = sax_text;
	sax->internalSubset = sax_doctype;
	sax->externalSubset = sax_doctype;
	sax->entityDecl = sax_entity_decl;
	sax->getEntity = sax_get_entity;
	sax->getParameterEntity = sax_get_entity;
	sax->resolveEntity = sax_resolve;
	sax->reference = sax_reference;
	sax->processingInstruction = sax_pi;
	sax->serror = sax_error;
}

/* ---- Parser life cycle ------------------------------------------------- */

/*
 * New parser; NULL on no memory.  Owned by the caller (rrdp_xml_free()).
 */
struct rrdp_xml *
rrdp_xml_new(const char *file_uri, uint64_t max_size,
    const unsigned char *expect_hash, const struct rrdp_xml_ops *ops,
    void *arg)
{
	struct rrdp_xml *x;
	xmlSAXHandler sax;

	xmlInitParser();
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->ops = ops;
	x->arg = arg;
	x->max_size = max_size;
	if ((x->uri = strdup(file_uri)) == NULL)
		goto fail;
	if (expect_hash != NULL) {
		x->check_hash = 1;
		memcpy(x->expect, expect_hash, HASH_SHA256_LEN);
	}
	if (hash_sha256_init(&x->sha) == -1)
		goto fail;
	x->sha_live = 1;
	sax_setup(&sax);
	x->ctxt = xmlCreatePushParserCtxt(&sax, x, NULL, 0, NULL);
	if (x->ctxt == NULL)
		goto fail;
	/*
	 * No network, no DTD loading (not asked for), no entity substitution
	 * (not asked for), and the encoding declaration ignored: every byte
	 * is checked to be US-ASCII before libxml2 sees it (RFC 8182 section
	 * 3.5), so the document is read as UTF-8, whatever it claims.
	 * XML_PARSE_HUGE lifts libxml2's 10 MB text limit, which a base64
	 * object of MAX_FILE_SIZE exceeds; our own caps (text per element,
	 * bytes held unparsed, file size, depth) bound everything instead.
	 */
	xmlCtxtUseOptions(x->ctxt, XML_PARSE_NONET | XML_PARSE_IGNORE_ENC |
	    XML_PARSE_HUGE);
	return x;
 fail:
	rrdp_xml_free(x);
	return NULL;
}

/*
 * Return 1 if every byte is in 0x01..0x7f (US-ASCII without NUL).
 */
static int
ascii_only(const unsigned char *p, size_t len)
{
	const uint64_t high = 0x8080808080808080ULL;
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, sizeof(w));
		/* A high bit set, or a zero byte (the classic haszero test). */
		if ((w & high) != 0 || ((w - ones) & ~w & high) != 0)
			return 0;
	}
	for (; i < len; i++)
		if (p[i] == 0 || p[i] >= 0x80)
			return 0;
	return 1;
}

/*
 * Feed len bytes; 0, or -1 once the file has failed.
 */
int
rrdp_xml_feed(struct rrdp_xml *x, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t n;

	if (x->failed)
		return -1;
	if (x->finished)
		return rrdp_xml_fail(x, "data after end of file");
	if (len > x->max_size - x->fed)
		return rrdp_xml_fail(x, "file larger than %llu bytes",
		    (unsigned long long)x->max_size);
	while (len > 0) {
		n = len < RRDP_XML_SLICE ? len : RRDP_XML_SLICE;
		if (!ascii_only(p, n))
			return rrdp_xml_fail(x, "byte outside US-ASCII near "
			    "offset %llu", (unsigned long long)x->fed);
		if (hash_sha256_update(&x->sha, p, n) == -1)
			return rrdp_xml_fail(x, "SHA-256 failed");
		x->fed += n;
		if (xmlParseChunk(x->ctxt, (const char *)p, n, 0) != 0 ||
		    x->failed)
			return rrdp_xml_fail(x, "XML parse error");
		if (x->ctxt->input != NULL && x->ctxt->input->end -
		    x->ctxt->input->cur > RRDP_XML_MAX_PENDING)
			return rrdp_xml_fail(x, "element larger than %d bytes",
			    RRDP_XML_MAX_PENDING);
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * End of input: terminate the parse, then compare the digest.
 */
int
rrdp_xml_finish(struct rrdp_xml *x)
{
	unsigned char md[HASH_SHA256_LEN];
	char hex[HASH_SHA256_HEX_LEN + 1];

	if (x->failed)
		return -1;
	if (x->finished)
		return rrdp_xml_fail(x, "finished twice");
	x->finished = 1;
	x->terminating = 1;
	if (xmlParseChunk(x->ctxt, NULL, 0, 1) != 0 || x->failed)
		return rrdp_xml_fail(x, "XML parse error at end of file");
	if (!x->root_done)
		return rrdp_xml_fail(x, "document truncated at end of file");
	x->sha_live = 0;
	if (hash_sha256_final(&x->sha, md) == -1)
		return rrdp_xml_fail(x, "SHA-256 failed");
	if (x->check_hash && !hash_equal(md, x->expect, sizeof(md))) {
		hash_hex_encode(md, sizeof(md), hex);
		return rrdp_xml_fail(x, "SHA-256 %s differs from the "
		    "notification's", hex);
	}
	return 0;
}

int
rrdp_xml_failed(const struct rrdp_xml *x)
{
	return x->failed;
}

const char *
rrdp_xml_error(const struct rrdp_xml *x)
{
	return x->err;
}

void
rrdp_xml_free(struct rrdp_xml *x)
{
	if (x == NULL)
		return;
	if (x->ctxt != NULL)
		xmlFreeParserCtxt(x->ctxt);
	if (x->sha_live)
		hash_sha256_cleanup(&x->sha);
	free(x->uri);
	free(x);
}

/* ---- Attribute and value helpers --------------------------------------- */

/*
 * Text between elements: XML whitespace only.
 */
int
rrdp_xml_blank(struct rrdp_xml *x, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' &&
		    buf[i] != '\n')
			return rrdp_xml_fail(x, "unexpected text");
	return 0;
}

/*
 * Match attributes against names; see rrdp_xml.h.
 */
int
rrdp_xml_attrs(struct rrdp_xml *x, const char *elem,
    const struct rrdp_xml_attr *attrs, size_t nattrs,
    const char *const *names, const char **values, unsigned required)
{
	size_t i, j;

	for (j = 0; names[j] != NULL; j++)
		values[j] = NULL;
	for (i = 0; i < nattrs; i++) {
		for (j = 0; names[j] != NULL; j++)
			if (strcmp(attrs[i].name, names[j]) == 0)
				break;
		if (names[j] == NULL)
			return rrdp_xml_fail(x, "unexpected attribute %s on "
			    "<%s>", attrs[i].name, elem);
		values[j] = attrs[i].value;
	}
	for (j = 0; names[j] != NULL; j++)
		if ((required & (1U << j)) != 0 && values[j] == NULL)
			return rrdp_xml_fail(x, "<%s> lacks attribute %s",
			    elem, names[j]);
	return 0;
}

/*
 * Serial numbers are positive 64-bit integers in plain decimal.
 */
int
rrdp_xml_serial(struct rrdp_xml *x, const char *what, const char *s,
    uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (*s == '\0')
		return rrdp_xml_fail(x, "empty %s", what);
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return rrdp_xml_fail(x, "%s \"%s\" is not a number",
			    what, s);
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return rrdp_xml_fail(x, "%s \"%s\" overflows", what, s);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	/* RFC 8182 section 3.5.1.3: serials start at 1. */
	if (v == 0)
		return rrdp_xml_fail(x, "%s is zero", what);
	*out = v;
	return 0;
}

int
rrdp_xml_hash(struct rrdp_xml *x, const char *what, const char *s,
    unsigned char out[HASH_SHA256_LEN])
{
	if (strlen(s) != HASH_SHA256_HEX_LEN ||
	    hash_hex_decode(s, out, HASH_SHA256_LEN) == -1)
		return rrdp_xml_fail(x, "%s is not 64 hex digits", what);
	return 0;
}

int
rrdp_xml_root(struct rrdp_xml *x, const char *elem,
    const struct rrdp_xml_attr *attrs, size_t nattrs,
    struct rrdp_session *out)
{
	static const char *const names[] = {
		"version", "session_id", "serial", NULL
	};
	const char *v[4];
	size_t i;

	if (rrdp_xml_attrs(x, elem, attrs, nattrs, names, v, 0x7) == -1)
		return -1;
	/* RFC 8182 section 3.5.1.3: only version 1 exists. */
	if (strcmp(v[0], "1") != 0)
		return rrdp_xml_fail(x, "<%s> version \"%s\" is not 1", elem,
		    v[0]);
	if (!rrdp_session_id_valid(v[1]))
		return rrdp_xml_fail(x, "<%s> session_id \"%s\" is not a "
		    "version 4 UUID", elem, v[1]);
	for (i = 0; v[1][i] != '\0'; i++)
		out->id[i] = tolower((unsigned char)v[1][i]);
	out->id[i] = '\0';
	return rrdp_xml_serial(x, "serial", v[2], &out->serial);
}

int
rrdp_xml_root_expect(struct rrdp_xml *x, const char *elem,
    const struct rrdp_xml_attr *attrs, size_t nattrs,
    const struct rrdp_session *expect)
{
	struct rrdp_session got;

	if (rrdp_xml_root(x, elem, attrs, nattrs, &got) == -1)
		return -1;
	/* RFC 8182 sections 3.5.2.3 and 3.5.3.3: must match the notification. */
	if (strcmp(got.id, expect->id) != 0)
		return rrdp_xml_fail(x, "session_id %s, notification said %s",
		    got.id, expect->id);
	if (got.serial != expect->serial)
		return rrdp_xml_fail(x, "serial %llu, notification said %llu",
		    (unsigned long long)got.serial,
		    (unsigned long long)expect->serial);
	return 0;
}

/*
 * Objects are named by rsync URIs (RFC 8182 section 3.5.2.3); the fetcher
 * checks each path segment when it maps the URI to a file, here only the
 * scheme, length and character set are checked.
 */
int
rrdp_xml_object_uri(struct rrdp_xml *x, const struct rrdp_sink *sink,
    const char *uri)
{
	static const char scheme[] = "rsync://";
	size_t i, len = strlen(uri);

	if (len > MAX_URI_LENGTH)
		return rrdp_xml_fail(x, "URI longer than %d bytes",
		    MAX_URI_LENGTH);
	if (strncmp(uri, scheme, sizeof(scheme) - 1) != 0 ||
	    len == sizeof(scheme) - 1)
		return rrdp_xml_fail(x, "\"%s\" is not an rsync URI", uri);
	for (i = 0; i < len; i++)
		if (uri[i] <= ' ' || uri[i] >= 0x7f)
			return rrdp_xml_fail(x, "bad character in URI \"%s\"",
			    uri);
	if (sink->uri_ok != NULL && !sink->uri_ok(sink->arg, uri))
		return rrdp_xml_fail(x, "URI %s refused", uri);
	return 0;
}

/* ---- Streaming base64 (RFC 4648 section 4) ------------------------------ */

#define XX	0xff	/* not base64 */
#define WS	0xfe	/* whitespace, skipped */
#define PD	0xfd	/* '=' */

static const unsigned char b64_table[256] = {
	XX, XX, XX, XX, XX, XX, XX, XX,
	XX, WS, WS, WS, WS, WS, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX,
	WS, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, 62, XX, XX, XX, 63,
	52, 53, 54, 55, 56, 57, 58, 59,
	60, 61, XX, XX, XX, PD, XX, XX,
	XX, 0, 1, 2, 3, 4, 5, 6,
	7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22,
	23, 24, 25, XX, XX, XX, XX, XX,
	XX, 26, 27, 28, 29, 30, 31, 32,
	33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48,
	49, 50, 51, XX, XX, XX, XX, XX,
	[128 ... 255] = XX,
};

/* Hand the decoded bytes buffered in obj to the sink. */
static int
object_flush(struct rrdp_xml *x, struct rrdp_object *obj)
{
	if (obj->outlen == 0)
		return 0;
	obj->total += obj->outlen;
	if (obj->total > MAX_FILE_SIZE)
		return rrdp_xml_fail(x, "object larger than %d bytes",
		    MAX_FILE_SIZE);
	if (obj->sink->publish_write(obj->sink->arg, obj->handle, obj->out,
	    obj->outlen) == -1)
		return rrdp_xml_fail(x, "object write refused");
	obj->outlen = 0;
	return 0;
}

int
rrdp_object_begin(struct rrdp_xml *x, struct rrdp_object *obj,
    const struct rrdp_sink *sink, const char *uri, const unsigned char *hash)
{
	if (rrdp_xml_object_uri(x, sink, uri) == -1)
		return -1;
	memset(&obj->b64, 0, sizeof(obj->b64));
	obj->sink = sink;
	obj->total = 0;
	obj->outlen = 0;
	obj->handle = sink->publish_begin(sink->arg, uri, hash);
	if (obj->handle == NULL)
		return rrdp_xml_fail(x, "publish of %s refused", uri);
	obj->open = 1;
	return 0;
}

/*
 * '=' at the end of a quantum.  One '=' after three characters closes 2
 * bytes, two '=' after two characters close 1 byte; the bits the padding
 * drops must be zero (RFC 4648 section 3.5) so each object has exactly one
 * accepted encoding.
 */
static int
b64_pad(struct rrdp_xml *x, struct rrdp_object *obj)
{
	struct rrdp_b64 *b = &obj->b64;

	if (b->end)
		return rrdp_xml_fail(x, "base64: data after padding");
	if (b->pad == 0 && b->n == 3) {
		if ((b->acc & 0x3) != 0)
			return rrdp_xml_fail(x, "base64: non-zero pad bits");
		obj->out[obj->outlen++] = b->acc >> 10;
		obj->out[obj->outlen++] = b->acc >> 2;
		b->end = 1;
	} else if (b->pad == 0 && b->n == 2) {
		b->pad = 1;
		return 0;
	} else if (b->pad == 1) {
		if ((b->acc & 0xf) != 0)
			return rrdp_xml_fail(x, "base64: non-zero pad bits");
		obj->out[obj->outlen++] = b->acc >> 4;
		b->end = 1;
	} else
		return rrdp_xml_fail(x, "base64: misplaced '='");
	b->n = 0;
	b->pad = 0;
	b->acc = 0;
	return 0;
}

/*
 * Decode whole quanta of alphabet characters from p while the output
 * buffer has room; return where it stopped (end, a quantum holding
 * anything else, or a full buffer).
 */
static const unsigned char *
b64_quads(struct rrdp_object *obj, const unsigned char *p,
    const unsigned char *end)
{
	unsigned char *o = obj->out + obj->outlen;
	unsigned char *oend = obj->out + sizeof(obj->out) - 3;
	unsigned a, b, c, d;
	uint32_t v;

	while (end - p >= 4 && o <= oend) {
		a = b64_table[p[0]];
		b = b64_table[p[1]];
		c = b64_table[p[2]];
		d = b64_table[p[3]];
		/* Every non-alphabet class is >= 64. */
		if (((a | b | c | d) & 0xc0) != 0)
			break;
		v = a << 18 | b << 12 | c << 6 | d;
		o[0] = v >> 16;
		o[1] = v >> 8;
		o[2] = v;
		o += 3;
		p += 4;
	}
	obj->outlen = o - obj->out;
	return p;
}

/*
 * Decode a piece of content.  The loop keeps the quantum in locals and
 * only flushes when the output buffer may not hold another 3 bytes.
 */
int
rrdp_object_text(struct rrdp_xml *x, struct rrdp_object *obj,
    const char *buf, size_t len)
{
	struct rrdp_b64 *b = &obj->b64;
	const unsigned char *p = (const unsigned char *)buf;
	const unsigned char *end = p + len;
	unsigned char v;

	for (; p < end; p++) {
		/*
		 * Fast path: whole quanta of alphabet characters, which is
		 * nearly all of the content (lines are 64 or 76 characters).
		 */
		if (b->n == 0 && !b->pad && !b->end) {
			p = b64_quads(obj, p, end);
			if (p == end)
				break;
			if (obj->outlen + 3 > sizeof(obj->out) &&
			    object_flush(x, obj) == -1)
				return -1;
		}
		v = b64_table[*p];
		if (v < 64) {
			if (b->end || b->pad)
				return rrdp_xml_fail(x,
				    "base64: data after padding");
			b->acc = b->acc << 6 | v;
			if (++b->n < 4)
				continue;
			if (obj->outlen + 3 > sizeof(obj->out) &&
			    object_flush(x, obj) == -1)
				return -1;
			obj->out[obj->outlen++] = b->acc >> 16;
			obj->out[obj->outlen++] = b->acc >> 8;
			obj->out[obj->outlen++] = b->acc;
			b->n = 0;
			b->acc = 0;
		} else if (v == WS)
			continue;
		else if (v == PD) {
			if (obj->outlen + 3 > sizeof(obj->out) &&
			    object_flush(x, obj) == -1)
				return -1;
			if (b64_pad(x, obj) == -1)
				return -1;
		} else
			return rrdp_xml_fail(x, "base64: bad character 0x%02x",
			    *p);
	}
	return 0;
}

int
rrdp_object_end(struct rrdp_xml *x, struct rrdp_object *obj)
{
	int rc;

	if (obj->b64.n != 0 || obj->b64.pad != 0)
		return rrdp_xml_fail(x, "base64: truncated");
	if (object_flush(x, obj) == -1)
		return -1;
	obj->open = 0;
	rc = obj->sink->publish_end(obj->sink->arg, obj->handle, 1);
	obj->handle = NULL;
	if (rc == -1)
		return rrdp_xml_fail(x, "object refused");
	return 0;
}

void
rrdp_object_abort(struct rrdp_object *obj)
{
	if (!obj->open)
		return;
	obj->open = 0;
	obj->sink->publish_end(obj->sink->arg, obj->handle, 0);
	obj->handle = NULL;
}

/* ---- URI helpers ---------------------------------------------------- */

/*
 * Return 1 if s is a version 4 UUID: 8-4-4-4-12 hex digits, '4' as the
 * version digit and 8, 9, a or b as the variant digit (RFC 4122 4.1).
 */
int
rrdp_session_id_valid(const char *s)
{
	size_t i;

	if (strlen(s) != MAX_RRDP_SESSION_ID_LENGTH)
		return 0;
	for (i = 0; i < MAX_RRDP_SESSION_ID_LENGTH; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	if (s[14] != '4')
		return 0;
	return strchr("89abAB", s[19]) != NULL;
}

/* Authority of an https URI: host span, port, and where the path starts. */
struct origin {
	const char	*host;
	size_t		 hostlen;
	unsigned	 port;
	const char	*path;
};

static int
parse_origin(const char *uri, struct origin *o)
{
	const char *p;
	unsigned long port;

	if (strlen(uri) > MAX_URI_LENGTH || strncasecmp(uri, "https://", 8))
		return -1;
	p = o->host = uri + 8;
	if (*p == '[') {
		/* IPv6 literal (RFC 3986 section 3.2.2), kept simple. */
		for (p++; isxdigit((unsigned char)*p) || *p == ':' ||
		    *p == '.'; p++)
			;
		if (*p != ']' || p == o->host + 1)
			return -1;
		p++;
	} else {
		for (; isalnum((unsigned char)*p) || *p == '-' || *p == '.';
		    p++)
			;
		if (p == o->host)
			return -1;
	}
	o->hostlen = p - o->host;
	o->port = 443;
	if (*p == ':') {
		port = 0;
		for (p++; isdigit((unsigned char)*p) && port <= 65535; p++)
			port = port * 10 + (*p - '0');
		if (port == 0 || port > 65535 || p[-1] == ':')
			return -1;
		o->port = port;
	}
	if (*p != '/')
		return -1;
	o->path = p;
	return 0;
}

/*
 * See rrdp.h: https, sane host and port, RFC 3986 path characters.
 */
int
rrdp_https_uri_valid(const char *uri)
{
	static const char pathchars[] = "-._~!$&'()*+,;=:@/?%";
	struct origin o;
	const char *p;

	if (parse_origin(uri, &o) == -1)
		return 0;
	for (p = o.path; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr(pathchars, *p) == NULL)
			return 0;
		if (*p == '%' && (!isxdigit((unsigned char)p[1]) ||
		    !isxdigit((unsigned char)p[2])))
			return 0;
	}
	return 1;
}

/*
 * RFC 9674 section 3: scheme, host and port must all match.
 */
int
rrdp_same_origin(const char *a, const char *b)
{
	struct origin oa, ob;

	if (!rrdp_https_uri_valid(a) || !rrdp_https_uri_valid(b))
		return 0;
	parse_origin(a, &oa);
	parse_origin(b, &ob);
	return oa.hostlen == ob.hostlen && oa.port == ob.port &&
	    strncasecmp(oa.host, ob.host, oa.hostlen) == 0;
}
