/*
 * The index of a report.json (reef-formats(5), REPORTIDX_FILE), kept
 * next to it in the run directory so that the next run can copy the
 * parts of it that did not change (validator/reportpatch.h).
 *
 * The report's "objects" are cut into groups: runs of consecutive
 * entries such that every publication point with an entry in a group has
 * all of its entries there (walk.h, walk_detail's point_md).  For each
 * group the index gives where its text lies in report.json (from the new
 * line before its first entry to the end of its last one), the URI and
 * type of its first and last entries, how many entries it holds and
 * accepted, whether some are the walk's own (entries of no point: such
 * a group is never copied), and the digests of its points.
 *
 * File layout (integers big-endian, no padding):
 *
 *	"REEFRIX1"	magic
 *	program		32 bytes: the writer's build (output.h
 *			OUTPUT_PROGRAM_LEN), told before validating
 *	context		32 bytes: a digest of the build and the TA names
 *	size		u64, of the report.json described
 *	ngroups, npoints, keybytes	u32 each
 *	groups		ngroups * REPORTIDX_GROUP_LEN bytes: offset u64,
 *			length u64, entries u32, accepted u32, points u32,
 *			flags u32 (REPORTIDX_OWN), first u32, last u32
 *			(offsets into the keys)
 *	points		npoints * 32 bytes: each group's in turn
 *	keys		keybytes: "URI" NUL "type" NUL, one per key
 *	digest		32 bytes: SHA-256 of everything before it
 */
#ifndef REEF_VALIDATOR_REPORTIDX_H
#define REEF_VALIDATOR_REPORTIDX_H

#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"

/* The file, in each run directory next to report.json. */
#define REPORTIDX_FILE		".report.idx"
#define REPORTIDX_MAGIC		"REEFRIX1"
#define REPORTIDX_MAGIC_LEN	8
#define REPORTIDX_PROGRAM_LEN	32	/* OUTPUT_PROGRAM_LEN, MEMO_TAG_LEN */
#define REPORTIDX_HEAD_LEN	(REPORTIDX_MAGIC_LEN + \
	REPORTIDX_PROGRAM_LEN + HASH_SHA256_LEN + 8 + 12)
#define REPORTIDX_GROUP_LEN	40
/* Largest index read (a global report has some 40,000 groups: 7 MB). */
#define REPORTIDX_MAX_SIZE	((size_t)1 << 30)

/* Group flags. */
#define REPORTIDX_OWN		0x1	/* holds entries of no point */

struct reportidx_group {
	uint64_t	 off;		/* in report.json, of its first '\n' */
	uint64_t	 len;		/* to the end of its last entry */
	uint32_t	 n;		/* entries */
	uint32_t	 accepted;
	uint32_t	 point0;	/* its points: md[point0 ..] */
	uint32_t	 npoints;
	uint32_t	 flags;
	uint32_t	 first, last;	/* keys: offsets into keys */
};

/* An index read (reportidx_parse()) or being built (reportidx_open()...). */
struct reportidx {
	unsigned char		 program[REPORTIDX_PROGRAM_LEN];
	unsigned char		 context[HASH_SHA256_LEN];
	uint64_t		 size;		/* of the report.json */
	struct reportidx_group	*groups;
	size_t			 ngroups, gcap;
	unsigned char		(*md)[HASH_SHA256_LEN];
	size_t			 nmd, mdcap;
	char			*keys;
	size_t			 keybytes, kcap;
	unsigned char		*file;		/* parsed: md and keys lie here */
	int			 open;		/* building: a group is open */
	int			 failed;	/* building: out of memory */
};

/*
 * An empty index of program for context (to build); free with
 * reportidx_free().
 */
void	reportidx_init(struct reportidx *ix, const unsigned char *program,
	    const unsigned char *context);

/*
 * Non-zero if the index file open as fd was written by program (as far
 * as its first bytes tell: a hint, reportidx_parse() decides).
 */
int	reportidx_by(int fd, const unsigned char *program);

/* Free what ix holds and zero it; NULL is accepted. */
void	reportidx_free(struct reportidx *ix);

/* The URI and the type of key k (a group's first or last). */
const char	*reportidx_uri(const struct reportidx *ix, uint32_t k);
const char	*reportidx_type(const struct reportidx *ix, uint32_t k);

/* Key k against (uri, type) in the report's order: -1, 0 or 1. */
int	reportidx_cmp(const struct reportidx *ix, uint32_t k, const char *uri,
	    const char *type);

/*
 * Building, in the report's order: open a group whose first entry
 * starts at off (its '\n') with the key (uri, type); add its points'
 * digests (each once) and counts; close it where its last entry ends,
 * with that entry's key.  Out of memory is remembered (ix->failed).
 */
void	reportidx_open(struct reportidx *ix, uint64_t off, const char *uri,
	    const char *type);
void	reportidx_point(struct reportidx *ix, const unsigned char *md);
void	reportidx_count(struct reportidx *ix, uint32_t n, uint32_t accepted,
	    int own);
void	reportidx_close(struct reportidx *ix, uint64_t end, const char *uri,
	    const char *type);

/*
 * Add group g of old, whose text now starts at off, as a group of its
 * own (none open) or to the one open.
 */
void	reportidx_add(struct reportidx *ix, const struct reportidx *old,
	    size_t g, uint64_t off);

/*
 * The index's file for a report.json of size bytes: *buf (malloc'd),
 * *len.  0, or -1 on ENOMEM, a group left open or a failed build.
 */
int	reportidx_encode(struct reportidx *ix, uint64_t size,
	    unsigned char **buf, size_t *len);

/*
 * Read the len bytes at buf (kept by ix, which frees them) into ix,
 * checking everything: sizes, the digest, groups in order within the
 * report's size and keys in order.  0, or -1 (ix then empty, buf freed)
 * when malformed or on ENOMEM.
 */
int	reportidx_parse(struct reportidx *ix, unsigned char *buf,
	    size_t len);

#endif
