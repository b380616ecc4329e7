/*
 * A report's entries written one at a time, in write order (report.h,
 * report_write()), for a writer that puts pieces of its own between them:
 * validator/reportpatch.c, which copies the unchanged parts of the
 * previous run's report.json.  Internal to the validator.
 *
 * A cursor holds the report's lock from report_cursor_open() to
 * report_cursor_close(): nothing may be added meanwhile.  Entries are
 * numbered 0..report_cursor_n() - 1 in write order (by URI, type,
 * insertion order).
 */
#ifndef REEF_VALIDATOR_REPORT_INT_H
#define REEF_VALIDATOR_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "validator/report.h"

struct json;
struct report_cursor;

/*
 * r's entries, sorted, to be written to j; r NULL is an empty report.
 * NULL on ENOMEM.
 */
struct report_cursor *report_cursor_open(struct report *r, struct json *j);

/* The number of entries. */
size_t		 report_cursor_n(const struct report_cursor *c);

/* The report's counters. */
void		 report_cursor_counts(const struct report_cursor *c,
		    struct report_counts *out);

/*
 * Entry i's publication point: 0 for none (the walk's own entries),
 * else a number up to report_cursor_npoints() standing for the digest
 * report_cursor_point_md() gives (walk.h, walk_detail's point_md).
 */
uint32_t	 report_cursor_point(const struct report_cursor *c, size_t i);
size_t		 report_cursor_npoints(const struct report_cursor *c);
const unsigned char *report_cursor_point_md(const struct report_cursor *c,
		    uint32_t id);

/* Non-zero if entry i was accepted. */
int		 report_cursor_accepted(const struct report_cursor *c,
		    size_t i);

/* Entry i's URI into buf (MAX_URI_LENGTH + 1 bytes); its length. */
size_t		 report_cursor_uri(const struct report_cursor *c, size_t i,
		    char *buf);

/* Entry i's type. */
const char	*report_cursor_type(const struct report_cursor *c, size_t i);

/* Entry i against the key (uri, type) in write order: -1, 0 or 1. */
int		 report_cursor_cmp(const struct report_cursor *c, size_t i,
		    const char *uri, const char *type);

/* Non-zero if entries i and k have the same URI and type. */
int		 report_cursor_same_key(const struct report_cursor *c,
		    size_t i, size_t k);

/*
 * Write the report's start, with the counters n, up to the opening of
 * the "objects" array.  0 or -1.
 */
int		 report_cursor_head(struct report_cursor *c,
		    const struct report_counts *n);

/* Write entry i as the next element of "objects".  0 or -1. */
int		 report_cursor_entry(struct report_cursor *c, size_t i);

/*
 * Close the array and the report (if the head was written), release
 * the lock and free c.  0, or -1 when the writer failed.
 */
int		 report_cursor_close(struct report_cursor *c);

#endif
