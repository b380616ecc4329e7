/*
 * report.json written by patching the previous run's: the groups of its
 * index (validator/reportidx.h) whose publication points are all still
 * there with the same entries, and into whose URI range no other entry
 * of this run falls, are copied from the previous file as they are;
 * only the entries of the other points (and the walk's own) are decoded,
 * sorted and written.  The result has the same bytes as report_write()
 * of the whole report (tests/unit/test_reportpatch.c checks it), and a
 * new index is built alongside.
 *
 * A run that changes 1 % of the points so writes a few thousand entries
 * instead of half a million, and copies the rest with copy_file_range(2).
 */
#ifndef REEF_VALIDATOR_REPORTPATCH_H
#define REEF_VALIDATOR_REPORTPATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "validator/report.h"
#include "validator/reportidx.h"

/*
 * The run's publication points whose entries are kept apart from the
 * report (walk.h, report_defer): n of them, md(arg, i) the digest of
 * point i's entries (walk_detail's point_md), fill(arg, want) adds to
 * the report the entries of the points i with want[i] set (each point's
 * once, however often asked).  fill returns 0 or -1.
 */
struct report_points {
	size_t			 n;
	const unsigned char	*(*md)(void *arg, size_t i);
	int			(*fill)(void *arg, const unsigned char *want);
	void			*arg;
};

/*
 * Write the report r, with the entries of pts (NULL: none kept apart),
 * to fp as report_write_file() would, and build its index in ix (from
 * reportidx_init()).  old and oldfd: the previous run's index and its
 * report.json open for reading (NULL and -1: none; the caller checked
 * that they belong together).  *copied (copied NULL: not told) gets the
 * number of bytes copied from oldfd.  Returns 0, or -1 (on ENOMEM, a
 * write error or a previous file that ended early; fp then holds a
 * partial file).
 */
int	report_patch_write(struct report *r, const struct report_points *pts,
	    const struct reportidx *old, int oldfd, FILE *fp,
	    struct reportidx *ix, uint64_t *copied);

#endif
