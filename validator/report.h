/*
 * The validation report: one entry for every object the walk looked at,
 * accepted or rejected, with the reason and (when the reason names one)
 * the RFC rule it broke.  Written as OUTDIR/report.json by reef validate.
 *
 * The report is thread-safe: walk workers may call report_add() (or the
 * report_cb() callback) concurrently.  The entries are kept in the order
 * they were added; report_write_json() sorts a copy by URI so that two
 * runs over the same repository produce the same file whatever the
 * thread scheduling was.
 */
#ifndef REEF_VALIDATOR_REPORT_H
#define REEF_VALIDATOR_REPORT_H

#include <stddef.h>
#include <stdio.h>

struct json;

/* Entries kept per run; beyond this they are only counted (MAX_CERTS_PER_RUN * 8). */
#define MAX_REPORT_ENTRIES	8000000
/* Longest reason text kept; longer ones are truncated. */
#define MAX_REPORT_REASON	1024
/* Longest object type name ("cer", "roa", "mft", "crl", "asa", "tal"...). */
#define MAX_REPORT_TYPE		32

struct report;

/* Counters, for the metadata of the outputs. */
struct report_counts {
	size_t	accepted;
	size_t	rejected;
	size_t	dropped;	/* not kept because MAX_REPORT_ENTRIES was reached */
};

/* A new, empty report owned by the caller (report_free()); NULL on ENOMEM. */
struct report	*report_new(void);

/* Free the report and every entry; NULL is accepted. */
void		 report_free(struct report *r);

/*
 * Append one entry: uri (a URI or local file name; required), type (the
 * object type, e.g. "cer", "roa"; NULL becomes ""), accepted (non-zero if
 * the object was accepted), reason (why it was rejected or a note on why
 * it was accepted; NULL for none).  Every string is copied.  Thread-safe.
 * Returns 0, or -1 on ENOMEM or bad arguments (the entry is then counted
 * as dropped).
 */
int		 report_add(struct report *r, const char *uri,
		    const char *type, int accepted, const char *reason);

/*
 * report_add() with the signature of the walk's report callback; arg is a
 * struct report *.  Errors are counted in the report, not returned.
 */
void		 report_cb(void *arg, const char *uri_or_file,
		    const char *type, int accepted, const char *reason);

/* The counters so far (a consistent snapshot).  Thread-safe. */
void		 report_counts(struct report *r, struct report_counts *out);

/*
 * The RFC rule quoted in a reason: "RFC 6487 section 4.8.8" for a reason
 * containing "... RFC 6487 section 4.8.8: ...".  Writes it NUL-terminated
 * into buf (size len) and returns its length, or 0 (buf set to "") when
 * the reason names no RFC.
 */
size_t		 report_rule(const char *reason, char *buf, size_t len);

/*
 * Write the report as one JSON object to j: { "accepted": N,
 * "rejected": N, "dropped": N, "objects": [ { "uri", "type", "accepted",
 * "reason", "rule" }, ... ] } with the objects sorted by URI, then type,
 * then insertion order.  Called once the walk has finished (takes the
 * lock, so it is safe anyway).  Returns 0, or -1 on ENOMEM or a writer
 * error.
 */
int		 report_write(struct report *r, struct json *j);

/* report_write() to fp as a complete pretty-printed document.  Returns 0 or -1. */
int		 report_write_file(struct report *r, FILE *fp);

#endif
