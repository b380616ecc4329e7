/*
 * One publication point (RFC 9286): the manifest of a validated CA, its
 * CRL, every file the manifest lists (each must be present and match its
 * hash, else the whole publication point fails, RFC 9286 section 6), then
 * each object on its own: ROAs, ASPAs, router certificates become
 * payloads, child CA certificates are handed back for the walk to queue.
 *
 * The current copy is read from the cache; if it fails and a store is
 * given, the store's last good copy is validated again and used instead.
 * A current copy that passes is compared with the stored one (the
 * manifest number and thisUpdate must not go backwards, RFC 9286 section
 * 4.2.1) and then replaces it.
 */
#ifndef REEF_VALIDATOR_PUBPOINT_H
#define REEF_VALIDATOR_PUBPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"
#include "common/payload.h"
#include "validator/cert.h"
#include "validator/store.h"
#include "validator/walk.h"

/* Most AS numbers one router certificate may expand to (ranges included). */
#define PP_MAX_ROUTER_ASNS	1024

struct pubpoint_ctx {
	const struct cert *ca;		/* validated CA (inherit resolved) */
	const char	*ca_uri;	/* its URI, for reports */
	uint32_t	 ta;		/* ta index of the payloads */
	int64_t		 now;
	int64_t		 expires;	/* earliest expiry from TA to ca */
	const char	*cache_dir;	/* CACHEDIR (cache contract, walk.h) */
	struct store	*store;		/* NULL: no store */
	int		 uri_flags;	/* uri_parse() flags */
	walk_report_fn	 report;	/* may be NULL; caller serialises */
	void		*report_arg;
};

/*
 * The identity of a cached file as stat(2) gives it.  The fetcher never
 * rewrites a file in place: a new version is a new file (a new inode),
 * and unchanged files keep theirs across cache generations (hard links).
 * The same identity therefore means the same bytes, unless someone who
 * can write to the cache forges it, and such a writer could as well
 * rewrite the memo kept in that cache (validator/memo.h).
 */
struct pp_fileid {
	uint64_t	dev, ino, size;
	int64_t		mtime_sec, mtime_nsec;
};

/* A file the accepted manifest lists, as the manifest names it. */
struct pp_listed {
	char		*name;		/* owned */
	unsigned char	 hash[HASH_SHA256_LEN];
	struct pp_fileid id;		/* as it was read */
};

/* A child CA accepted in this publication point. */
struct pp_child {
	struct cert	*cert;		/* owned; inherit resolved */
	char		*uri;		/* owned */
	int64_t		 expires;	/* earliest expiry from TA to cert */
};

/*
 * What one publication point yields.  Every array and what its entries
 * point to is owned by the struct: free with pubpoint_out_free().
 */
struct pubpoint_out {
	struct vrp		*vrps;
	size_t			 nvrps;
	struct aspa		*aspas;		/* providers malloc'd each */
	size_t			 naspas;
	struct router_key	*rks;		/* spki malloc'd each */
	size_t			 nrks;
	struct pp_child		*children;
	size_t			 nchildren;
	int			 from_store;	/* the stored copy was used */
	struct walk_stats	 stats;		/* this point's counts only */
	/*
	 * When the current (cache) copy was accepted: the manifest's digest
	 * and the files it lists, for validator/ppmemo.c.
	 */
	unsigned char		 mft_hash[HASH_SHA256_LEN];
	struct pp_fileid	 mft_id;	/* the manifest as read */
	struct pp_listed	*listed;
	size_t			 nlisted;
	/*
	 * The earliest time at or after ctx->now at which any validity
	 * period or update time this point compared with ctx->now could
	 * change its outcome (INT64_MAX: none): the same inputs validated
	 * at any time in [ctx->now, stable_until) give the same result.
	 */
	int64_t			 stable_until;
};

/*
 * Process the publication point of ctx->ca into *out (zeroed first).
 * Returns 0 when a manifest (current or stored) was accepted, -1 when
 * the publication point failed as a whole (*out then holds only
 * counters).
 */
int	pubpoint_process(const struct pubpoint_ctx *ctx,
	    struct pubpoint_out *out);

/* Release everything *out owns and zero it.  NULL is allowed. */
void	pubpoint_out_free(struct pubpoint_out *out);

/*
 * The cache directory holding ctx->ca's publication point (malloc'd, the
 * caller frees), or NULL when the manifest URI is unusable.
 */
char	*pubpoint_cache_dir(const struct pubpoint_ctx *ctx);

/*
 * Read the regular file path (at most MAX_FILE_SIZE bytes) into a new
 * buffer (*buf, the caller frees; *len).  Returns 0, or -1 with errno
 * set (EFBIG when too large, EINVAL when not a regular file).
 */
int	pp_read_file(const char *path, unsigned char **buf, size_t *len);

/*
 * pp_read_file() of name relative to the directory dfd (AT_FDCWD: the
 * working directory); id (may be NULL) gets the file's identity.
 */
int	pp_read_file_id(int dfd, const char *name, unsigned char **buf,
	    size_t *len, struct pp_fileid *id);

/*
 * The identity of the regular file name in dfd, without following a
 * final symbolic link.  Returns 0, or -1 with errno set (EINVAL: not a
 * regular file).
 */
int	pp_file_id_at(int dfd, const char *name, struct pp_fileid *id);

/* Non-zero when a and b name the same, unchanged file. */
int	pp_fileid_equal(const struct pp_fileid *a, const struct pp_fileid *b);

/* As pp_read_file() for name relative to the directory dfd (or AT_FDCWD). */
int	pp_read_file_at(int dfd, const char *name, unsigned char **buf,
	    size_t *len);

#endif
