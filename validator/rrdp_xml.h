/*
 * Internal to the RRDP parsers (rrdp_*.c): the hardened libxml2 push
 * parser they share, attribute helpers, and the streaming of <publish>
 * content to a sink.  Not for use outside validator/rrdp_*.c.
 */
#ifndef REEF_VALIDATOR_RRDP_XML_H
#define REEF_VALIDATOR_RRDP_XML_H

#include <stddef.h>
#include <stdint.h>

#include "validator/rrdp.h"

/* Size of the decoded-bytes buffer handed to publish_write(). */
#define RRDP_OBJECT_BUF		(32 * 1024)

struct rrdp_xml;

/* One attribute of an RRDP element: local name and NUL-terminated value. */
struct rrdp_xml_attr {
	const char	*name;
	const char	*value;
};

/*
 * What a file parser does with the document.  Each callback returns 0, or
 * -1 to fail the file (after rrdp_xml_fail(); a bare -1 is recorded as a
 * generic refusal).  depth is 1 for the root element.  start() gets only
 * elements in the RRDP namespace with unprefixed attributes; text() gets
 * every piece of character data (CDATA included) inside the root.
 */
struct rrdp_xml_ops {
	int	(*start)(void *arg, struct rrdp_xml *x, const char *name,
		    const struct rrdp_xml_attr *attrs, size_t nattrs, int depth);
	int	(*end)(void *arg, struct rrdp_xml *x, const char *name,
		    int depth);
	int	(*text)(void *arg, struct rrdp_xml *x, const char *buf,
		    size_t len, int depth);
};

/*
 * New parser for the file at file_uri (copied), at most max_size bytes;
 * when expect_hash is not NULL, finish() checks the SHA-256 of the bytes
 * fed against it.  Returns NULL on no memory.
 */
struct rrdp_xml	*rrdp_xml_new(const char *file_uri, uint64_t max_size,
		    const unsigned char *expect_hash,
		    const struct rrdp_xml_ops *ops, void *arg);
/* Feed bytes; 0, or -1 once the file has failed. */
int		 rrdp_xml_feed(struct rrdp_xml *x, const void *buf, size_t len);
/* End the document (root must be closed) and check the hash; 0 or -1. */
int		 rrdp_xml_finish(struct rrdp_xml *x);
/*
 * Record the first failure as "line N: message", log it against the file
 * URI, and stop the parser.  Always returns -1.
 */
int		 rrdp_xml_fail(struct rrdp_xml *x, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
int		 rrdp_xml_failed(const struct rrdp_xml *x);
/* The recorded error, or "". */
const char	*rrdp_xml_error(const struct rrdp_xml *x);
void		 rrdp_xml_free(struct rrdp_xml *x);

/* Text that must be whitespace only (between elements); 0 or -1. */
int		 rrdp_xml_blank(struct rrdp_xml *x, const char *buf, size_t len);

/*
 * Pick attributes: names is a NULL-terminated list, values[i] receives the
 * value of names[i] or NULL.  Any attribute not in names fails, as does a
 * missing one whose bit (1 << i) is set in required.  0 or -1.
 */
int		 rrdp_xml_attrs(struct rrdp_xml *x, const char *elem,
		    const struct rrdp_xml_attr *attrs, size_t nattrs,
		    const char *const *names, const char **values,
		    unsigned required);

/*
 * The attributes every root element carries: version="1", session_id and
 * serial, plus xmlns handled by the namespace check.  Fills *out.
 */
int		 rrdp_xml_root(struct rrdp_xml *x, const char *elem,
		    const struct rrdp_xml_attr *attrs, size_t nattrs,
		    struct rrdp_session *out);
/* Root of a snapshot or delta: as above, then compare with expect. */
int		 rrdp_xml_root_expect(struct rrdp_xml *x, const char *elem,
		    const struct rrdp_xml_attr *attrs, size_t nattrs,
		    const struct rrdp_session *expect);
/* Decimal serial, 1 .. UINT64_MAX, digits only; 0 or -1. */
int		 rrdp_xml_serial(struct rrdp_xml *x, const char *what,
		    const char *s, uint64_t *out);
/* 64 hex digits; 0 or -1. */
int		 rrdp_xml_hash(struct rrdp_xml *x, const char *what,
		    const char *s, unsigned char out[HASH_SHA256_LEN]);
/* An rsync URI of sane syntax, then the sink's uri_ok; 0 or -1. */
int		 rrdp_xml_object_uri(struct rrdp_xml *x,
		    const struct rrdp_sink *sink, const char *uri);

/* Incremental strict base64 decoding state (RFC 4648, whitespace skipped). */
struct rrdp_b64 {
	uint32_t	acc;	/* bits of the current quantum */
	unsigned	n;	/* characters in the current quantum */
	unsigned	pad;	/* '=' seen in the current or last quantum */
	int		end;	/* padding closed the data */
};

/* One <publish> whose content is being streamed to the sink. */
struct rrdp_object {
	const struct rrdp_sink	*sink;
	void			*handle;
	int			 open;
	struct rrdp_b64		 b64;
	uint64_t		 total;		/* decoded bytes so far */
	size_t			 outlen;
	unsigned char		 out[RRDP_OBJECT_BUF];
};

/* Open obj for uri (checked) with the replaced object's hash or NULL. */
int		 rrdp_object_begin(struct rrdp_xml *x, struct rrdp_object *obj,
		    const struct rrdp_sink *sink, const char *uri,
		    const unsigned char *hash);
/* Decode buf (base64, whitespace allowed) into the sink. */
int		 rrdp_object_text(struct rrdp_xml *x, struct rrdp_object *obj,
		    const char *buf, size_t len);
/* </publish>: complete the base64, flush, publish_end(ok = 1). */
int		 rrdp_object_end(struct rrdp_xml *x, struct rrdp_object *obj);
/* Abandon an open object: publish_end(ok = 0).  Harmless when closed. */
void		 rrdp_object_abort(struct rrdp_object *obj);

#endif
