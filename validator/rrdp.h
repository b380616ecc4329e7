/*
 * RRDP (RFC 8182) file parsers: notification, snapshot and delta.
 *
 * Each parser is a state machine fed with the bytes of one file as they
 * arrive from the network (rrdp_*_feed(), any chunk sizes, 1 byte works)
 * and closed with rrdp_*_finish(); no parser ever holds a whole file.  The
 * XML layer (libxml2's push parser) refuses DOCTYPEs, entity declarations
 * and references, processing instructions, network access and any byte
 * outside US-ASCII, and bounds depth, attribute length, character data per
 * element and the size of the file.
 *
 * Snapshots and deltas stream the objects they carry: the base64 content
 * of each <publish> is decoded as it arrives and handed to a caller-supplied
 * sink, so memory does not grow with the file.  Any bad element or bad
 * base64 fails the WHOLE file: feed() or finish() returns -1 and the caller
 * throws away whatever its sink staged.  The first error is logged once as
 * a warning naming the file URI and line, and stays readable through
 * rrdp_*_error().
 *
 * libxml2 must be initialised (xmlInitParser()) by the main thread before
 * any other thread starts; the parsers call it too, which is harmless once
 * done.  A parser object belongs to one thread at a time.
 */
#ifndef REEF_VALIDATOR_RRDP_H
#define REEF_VALIDATOR_RRDP_H

#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"
#include "common/limits.h"

/* RFC 8182 section 3.5: the namespace of every RRDP element. */
#define RRDP_XMLNS		"http://www.ripe.net/rpki/rrdp"

/* Length of an error message kept by a parser, NUL included. */
#define RRDP_ERROR_LEN		256

/*
 * Deltas one notification file may list.  A 16 MiB notification holds
 * some 80000 delta lines; no server keeps anywhere near this many.
 * (Candidate for common/limits.h as MAX_RRDP_NOTIFICATION_DELTAS.)
 */
#define RRDP_MAX_NOTIFICATION_DELTAS	20000

/* A session and serial, as a notification, snapshot or delta states it. */
struct rrdp_session {
	char		id[MAX_RRDP_SESSION_ID_LENGTH + 1];	/* lowercase UUID */
	uint64_t	serial;					/* >= 1 */
};

/* One <delta> line of a notification file. */
struct rrdp_delta_ref {
	uint64_t	 serial;
	char		*uri;				/* https, same origin */
	unsigned char	 hash[HASH_SHA256_LEN];		/* of the delta file */
};

/* A parsed notification file (RFC 8182 section 3.5.1). */
struct rrdp_notification {
	struct rrdp_session	 session;
	char			*snapshot_uri;
	unsigned char		 snapshot_hash[HASH_SHA256_LEN];
	struct rrdp_delta_ref	*deltas;	/* ascending serial, unique */
	size_t			 ndeltas;
};

/*
 * Where a snapshot or delta sends what it carries.  arg is passed back to
 * every callback.  Hashes are raw SHA-256 digests (HASH_SHA256_LEN bytes).
 *
 * uri_ok: called for every publish and withdraw URI (already known to be
 *	an rsync URI of sane syntax and length) before anything else is done
 *	with it; return non-zero to accept, 0 to fail the file (e.g. the URI
 *	is not under the repository the file came from).  May be NULL.
 * publish_begin: start of a <publish>; hash is the digest of the object it
 *	replaces (deltas only) or NULL for a new object.  Return a non-NULL
 *	handle, or NULL to fail the file.
 * publish_write: len > 0 decoded bytes of the object, in order.  Return
 *	0, or -1 to fail the file.
 * publish_end: called exactly once for every handle publish_begin gave,
 *	with ok non-zero when the object is complete, 0 when it is abandoned
 *	(the file failed or the parser was freed).  When ok, return 0, or -1
 *	to fail the file; the return value is ignored when !ok.
 * withdraw: a <withdraw> (deltas only) with the digest of the object to
 *	delete.  Return 0, or -1 to fail the file.  May be NULL in a sink
 *	used only for snapshots.
 *
 * When a callback fails the file it should say why (log it): the parser
 * only records that the callback refused.
 */
struct rrdp_sink {
	void	*arg;
	int	 (*uri_ok)(void *arg, const char *uri);
	void	*(*publish_begin)(void *arg, const char *uri,
		    const unsigned char *hash);
	int	 (*publish_write)(void *arg, void *handle,
		    const unsigned char *buf, size_t len);
	int	 (*publish_end)(void *arg, void *handle, int ok);
	int	 (*withdraw)(void *arg, const char *uri,
		    const unsigned char *hash);
};

/* ---- Notification (RFC 8182 section 3.5.1) --------------------------- */

struct rrdp_notification_parser;

/*
 * Start parsing the notification file fetched from notify_uri (copied; an
 * https URI).  The snapshot and every delta URI must have the same origin
 * as notify_uri (RFC 9674).  Returns a new parser (free with
 * rrdp_notification_parser_free()) or NULL on bad arguments or no memory.
 */
struct rrdp_notification_parser	*rrdp_notification_parser_new(
		    const char *notify_uri);

/* Feed len bytes.  Returns 0, or -1 once the file has failed. */
int		 rrdp_notification_feed(struct rrdp_notification_parser *p,
		    const void *buf, size_t len);

/*
 * End of file: finish the parse and check the whole document.  Returns 0
 * and sets *out to a new notification (the caller frees it with
 * rrdp_notification_free()), or -1 with *out NULL.
 */
int		 rrdp_notification_finish(struct rrdp_notification_parser *p,
		    struct rrdp_notification **out);

/* The first error ("line N: reason"), or "" when none; owned by p. */
const char	*rrdp_notification_error(const struct rrdp_notification_parser *p);

/* Release p; NULL is allowed. */
void		 rrdp_notification_parser_free(struct rrdp_notification_parser *p);

/* Release n and everything it owns; NULL is allowed. */
void		 rrdp_notification_free(struct rrdp_notification *n);

/*
 * The deltas that bring a cache at serial have to n->session.serial, in
 * order.  Returns 0 and sets *first (index into n->deltas) and *count when
 * every serial have+1 .. n->session.serial is listed and there are at most
 * MAX_RRDP_DELTAS of them (*count is 0 when have is already current);
 * returns -1 when the snapshot must be used instead: a gap in the chain,
 * too many deltas, or have newer than the notification.
 */
int		 rrdp_notification_delta_chain(const struct rrdp_notification *n,
		    uint64_t have, size_t *first, size_t *count);

/* ---- Snapshot (section 3.5.2) and delta (section 3.5.3) ----------------- */

struct rrdp_snapshot;
struct rrdp_delta;

/*
 * Start parsing the snapshot at file_uri (copied; used in messages).  The
 * file must state expect->id and expect->serial; when expect_hash is not
 * NULL the SHA-256 of the bytes fed must equal it (checked by finish()).
 * sink (copied) receives the objects.  Returns a new parser (free with
 * rrdp_snapshot_free()) or NULL on bad arguments or no memory.
 */
struct rrdp_snapshot	*rrdp_snapshot_new(const char *file_uri,
		    const struct rrdp_session *expect,
		    const unsigned char *expect_hash,
		    const struct rrdp_sink *sink);

/* Feed len bytes.  Returns 0, or -1 once the file has failed. */
int		 rrdp_snapshot_feed(struct rrdp_snapshot *s, const void *buf,
		    size_t len);

/* End of file: complete the parse, check the hash.  Returns 0 or -1. */
int		 rrdp_snapshot_finish(struct rrdp_snapshot *s);

/* The first error ("line N: reason"), or "" when none; owned by s. */
const char	*rrdp_snapshot_error(const struct rrdp_snapshot *s);

/* Publish elements seen so far. */
size_t		 rrdp_snapshot_count(const struct rrdp_snapshot *s);

/* Release s (an open publish is ended with ok = 0); NULL is allowed. */
void		 rrdp_snapshot_free(struct rrdp_snapshot *s);

/* As the snapshot functions, for one delta file. */
struct rrdp_delta	*rrdp_delta_new(const char *file_uri,
		    const struct rrdp_session *expect,
		    const unsigned char *expect_hash,
		    const struct rrdp_sink *sink);
int		 rrdp_delta_feed(struct rrdp_delta *d, const void *buf,
		    size_t len);
int		 rrdp_delta_finish(struct rrdp_delta *d);
const char	*rrdp_delta_error(const struct rrdp_delta *d);
/* Publish and withdraw elements seen so far. */
size_t		 rrdp_delta_count(const struct rrdp_delta *d);
void		 rrdp_delta_free(struct rrdp_delta *d);

/* ---- Helpers ---------------------------------------------------------- */

/*
 * RFC 8182 section 3.5.1.3: a version 4 UUID in text form (either case).
 * Returns 1 if s is one, else 0.
 */
int		 rrdp_session_id_valid(const char *s);

/*
 * Returns 1 if uri is an https URI of sane syntax: "https://", a host of
 * letters, digits, '-' and '.' (or a bracketed IPv6 literal), an optional
 * port, then a path of RFC 3986 characters, at most MAX_URI_LENGTH bytes.
 * Else 0.  Which hosts may be contacted is the fetcher's business.
 */
int		 rrdp_https_uri_valid(const char *uri);

/*
 * RFC 9674: returns 1 if the https URIs a and b have the same origin
 * (scheme, host compared without case, and port, 443 when absent), else 0
 * (also when either is not a valid https URI).
 */
int		 rrdp_same_origin(const char *a, const char *b);

#endif
