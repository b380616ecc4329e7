/*
 * RRDP (RFC 8182) files for one generated repository.
 *
 * Contract between the generator (main.c and the files it owns) and the RRDP
 * writer (rrdp_write.c).  The generator writes each generation's repository
 * content as plain files under a directory, then calls rrdp_write() for that
 * repository and generation.
 */
#ifndef REEF_REPOGEN_RRDP_WRITE_H
#define REEF_REPOGEN_RRDP_WRITE_H

#include <stdint.h>

struct rrdp_write_args {
	/* Directory with this generation's files of the repository, e.g.
	 * OUT/gen2/rsync/<module>; every regular file below it is published. */
	const char	*tree;
	/* The same repository in the previous generation, or NULL for the first
	 * generation (no delta is written then). */
	const char	*prev_tree;
	/* RRDP directory of the previous generation (OUT/gen1/rrdp/<module>),
	 * or NULL: its delta files are copied so the new notification can list
	 * the whole chain of deltas. */
	const char	*prev_rrdp;
	/* The rsync URI of tree's root, with a trailing slash:
	 * "rsync://HOST/<module>/".  A file's URI is this plus its relative path. */
	const char	*rsync_base;
	/* The HTTPS URI of outdir, trailing slash: "https://HOST/rrdp/<module>/". */
	const char	*https_base;
	/* Where to write: notification.xml, <session>/<serial>/snapshot.xml and,
	 * when prev_tree is set, <session>/<serial>/delta.xml. */
	const char	*outdir;
	/* Session id: a lowercase UUID string (RFC 8182 section 3.5.1.3). */
	const char	*session_id;
	/* Serial of this generation; 1 for the first. */
	uint64_t	 serial;
};

/*
 * Write the notification, snapshot and (if prev_tree) delta for args.
 * Publish/withdraw elements carry hash attributes (hex SHA-256 of the
 * replaced or withdrawn object).  Returns 0 on success, -1 with a message on
 * stderr naming the file on failure.
 */
int	rrdp_write(const struct rrdp_write_args *args);

#endif
