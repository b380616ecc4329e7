/*
 * Strict parsing of the rsync and https URIs that RPKI objects carry
 * (RFC 5781 rsync URIs, RFC 3986 generic syntax), and the mapping of an
 * rsync URI to a path below the cache directory.
 *
 * A URI is accepted only in this narrow form:
 *
 *	rsync://HOST[:PORT]/MODULE[/SEGMENT]...[/]
 *	https://HOST[:PORT]/[SEGMENT[/SEGMENT]...[/]]
 *
 * - the scheme is exactly "rsync" or "https", in lowercase;
 * - no userinfo ("user@"), no query ('?'), no fragment ('#');
 * - HOST is a DNS name (labels of letters, digits and '-', not starting or
 *   ending with '-'), or an IPv4 address, or an IPv6 address in brackets;
 *   it is compared and stored in lowercase (hosts are case-insensitive);
 * - MODULE and every SEGMENT are non-empty, at most MAX_FILENAME_LENGTH
 *   bytes, made only of letters, digits and - . _ ~ ! $ & ' ( ) + , ; = : @
 *   and do not start with '.' (so neither "." nor ".." nor hidden names,
 *   which the cache keeps for itself); in particular there is no '%', so
 *   no percent-encoding can smuggle in "..", '/' or NUL, and no '*', '?',
 *   '[' or '\\' that rsync or a shell could read as a pattern or escape;
 * - the whole URI is at most MAX_URI_LENGTH bytes.
 *
 * "Dubious" hosts are refused unless URI_ALLOW_DUBIOUS is given: any IP
 * address literal (including the numeric forms inet_aton(3) accepts, such
 * as "2130706433", and any name whose last label is all digits),
 * "localhost" and names under ".localhost" (RFC 6761 section 6.3), and any
 * URI with an explicit port.  A hostile CA must not be able to aim the
 * validator at services on the validator's own host or network.
 *
 * Cache path layout.  uri_to_cache_path() maps
 *	rsync://HOST[:PORT]/MODULE/PATH
 * to the relative path
 *	AUTHORITY/MODULE/PATH
 * where AUTHORITY is the host in lowercase, IPv6 addresses in their
 * canonical inet_ntop(3) form inside brackets ("[::1]"), followed by
 * ":PORT" only when the URI gave a port.  A trailing '/' is dropped, so a
 * directory URI maps to the directory itself.  Because every part passed
 * the checks above, the path never contains "..", "." , an empty
 * component, or a component starting with '.', and never starts with '/':
 * joined below the cache directory it cannot leave it.  Distinct URIs map
 * to distinct paths, except that host case and IPv6 spelling are
 * normalised.
 */
#ifndef REEF_URI_H
#define REEF_URI_H

#include "common/limits.h"

/* Longest DNS name without the trailing dot (RFC 1035 section 2.3.4). */
#define URI_MAX_HOST_LENGTH	253
/* Longest DNS label (RFC 1035 section 2.3.4). */
#define URI_MAX_LABEL_LENGTH	63
/* Largest TCP port. */
#define URI_MAX_PORT		65535
/* Digits in a port number (no leading zeros beyond this are accepted). */
#define URI_MAX_PORT_DIGITS	5

/* uri_parse() flags. */
#define URI_ALLOW_DUBIOUS	0x01	/* accept IP literals, localhost, ports */

enum uri_scheme {
	URI_SCHEME_RSYNC = 1,
	URI_SCHEME_HTTPS,
};

/* Why a URI was refused; uri_strerror() gives a short English phrase. */
enum uri_error {
	URI_OK = 0,
	URI_ERR_LENGTH,		/* empty or longer than MAX_URI_LENGTH */
	URI_ERR_SCHEME,		/* not exactly "rsync://" or "https://" */
	URI_ERR_CHAR,		/* a byte outside the allowed set */
	URI_ERR_PERCENT,	/* percent-encoding */
	URI_ERR_QUERY,		/* query or fragment */
	URI_ERR_USERINFO,	/* "user@host" */
	URI_ERR_HOST,		/* bad DNS name or IP literal */
	URI_ERR_PORT,		/* bad port number */
	URI_ERR_DUBIOUS,	/* IP literal, localhost or port, not allowed */
	URI_ERR_MODULE,		/* rsync URI without a module */
	URI_ERR_SEGMENT,	/* empty segment, or one starting with '.' */
	URI_ERR_SEGMENT_LENGTH,	/* segment longer than MAX_FILENAME_LENGTH */
	URI_ERR_NOT_RSYNC,	/* an rsync URI was required */
	URI_ERR_NOMEM,
};

/*
 * A parsed URI.  Fixed-size buffers, so nothing to free; every string is
 * NUL-terminated.
 */
struct uri {
	enum uri_scheme	 scheme;
	/* Lowercase; IPv6 in canonical form without brackets. */
	char		 host[URI_MAX_HOST_LENGTH + 1];
	unsigned int	 port;		/* 0 when the URI gave none */
	int		 ipv6;		/* host is an IPv6 address */
	int		 dubious;	/* host/port would need URI_ALLOW_DUBIOUS */
	/* rsync: the module; https: empty. */
	char		 module[MAX_FILENAME_LENGTH + 1];
	/*
	 * The segments after the module (rsync) or host (https), joined by
	 * '/', without leading or trailing '/'; empty for the module or
	 * server root.
	 */
	char		 path[MAX_URI_LENGTH + 1];
	size_t		 nsegments;	/* segments in path */
	/* Ends in '/' or names a module or server root: a directory. */
	int		 dir;
};

/*
 * Parse s (NUL-terminated) into *out according to the rules above.
 * flags is 0 or URI_ALLOW_DUBIOUS.  Returns URI_OK, or the first rule the
 * URI broke; *out is then unspecified.  Logs nothing.
 */
enum uri_error	 uri_parse(const char *s, int flags, struct uri *out);

/* A static English phrase for err, e.g. "percent-encoding not allowed". */
const char	*uri_strerror(enum uri_error err);

/*
 * Write u back as a URI string, in canonical form (lowercase host, IPv6
 * canonical, trailing '/' on directories other than an https root, which
 * is "https://HOST/").  Returns a malloc'd string the caller frees, or
 * NULL when out of memory.
 */
char		*uri_format(const struct uri *u);

/*
 * Return 1 when child names something strictly below the directory base,
 * comparing whole segments (rsync://h/mod/a/ does not contain
 * rsync://h/mod/ab/x), 0 otherwise: different scheme, host, port or
 * module, base not a directory, or child equal to base.
 */
int		 uri_is_under_parsed(const struct uri *child,
		    const struct uri *base);

/*
 * As uri_is_under_parsed() on two strings.  Both are parsed with
 * URI_ALLOW_DUBIOUS (this only compares; whether a host is acceptable is
 * the caller's check); either failing to parse gives 0.
 */
int		 uri_is_under(const char *child, const char *base);

/*
 * The relative cache path of an rsync URI (layout above), into *relpath:
 * malloc'd, the caller frees it.  Returns URI_OK, a parse error (flags as
 * for uri_parse()), or URI_ERR_NOT_RSYNC for an https URI.  On error
 * *relpath is NULL.
 */
enum uri_error	 uri_to_cache_path(const char *uri, int flags,
		    char **relpath);

/* As uri_to_cache_path() for a URI already parsed; rsync only. */
enum uri_error	 uri_cache_path_parsed(const struct uri *u,
		    char **relpath);

/*
 * The repository base of an rsync URI: "rsync://AUTHORITY/MODULE/", the
 * unit rsync fetches.  Into *base, malloc'd, the caller frees it.  Returns
 * as uri_to_cache_path().
 */
enum uri_error	 uri_repo_base(const char *uri, int flags, char **base);

#endif
