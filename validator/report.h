/*
 * The validation report: one entry for every object the walk looked at,
 * accepted or rejected, with the reason and (when the reason names one)
 * the RFC rule it broke.  Written as OUTDIR/report.json by reef validate.
 *
 * The report is thread-safe: walk workers may call report_add() (or the
 * report_cb() callback) concurrently.  The entries are kept in the order
 * they were added; report_write() sorts them by URI so that two runs over
 * the same repository produce the same file whatever the thread
 * scheduling was.  A global run has half a million entries, so they are
 * stored compactly (report.c): about 100 bytes each.
 */
#ifndef REEF_VALIDATOR_REPORT_H
#define REEF_VALIDATOR_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json;
struct walk_detail;

/* Entries kept per run; beyond this they are only counted (MAX_CERTS_PER_RUN * 8). */
#define MAX_REPORT_ENTRIES	8000000
/*
 * Bytes of URIs, reasons and contents kept per run (addressed with 32
 * bits); entries that do not fit are only counted.
 */
#define MAX_REPORT_BYTES	4294967296ULL	/* 4 GiB */
/* Longest reason text kept; longer ones are truncated. */
#define MAX_REPORT_REASON	1024
/* Longest object type name ("cer", "roa", "mft", "crl", "asa", "tal"...). */
#define MAX_REPORT_TYPE		32
/* Repositories kept per run (as many as the fetcher may know). */
#define MAX_REPORT_REPOS	100000
/* Longest protocol or result name of a repository ("rrdp", "stale"). */
#define MAX_REPORT_WORD		16

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
 * Returns 0, or -1 on ENOMEM, bad arguments or a limit above reached
 * (the entry is then counted as dropped).
 */
int		 report_add(struct report *r, const char *uri,
		    const char *type, int accepted, const char *reason);

/*
 * report_add() with the walk's detail (walk.h struct walk_detail: issuer,
 * manifest, TA, validity, update times, ROA and ASPA contents; NULL for
 * none), every member copied.  Thread-safe.  Returns 0 or -1 as
 * report_add().
 */
int		 report_add_detail(struct report *r, const char *uri,
		    const char *type, int accepted, const char *reason,
		    const struct walk_detail *detail);

/*
 * report_add_detail() with the signature of the walk's report callback
 * (walk_report_fn); arg is a struct report *.  Errors are counted in the
 * report, not returned.
 */
void		 report_cb(void *arg, const char *uri_or_file,
		    const char *type, int accepted, const char *reason,
		    const struct walk_detail *detail);

/*
 * report_cb() for the entries of a publication point's objects, which
 * report_digest_own() leaves out (the caller digests them its own way,
 * walk.h report_defer).
 */
void		 report_cb_point(void *arg, const char *uri_or_file,
		    const char *type, int accepted, const char *reason,
		    const struct walk_detail *detail);

/* What became of one repository this run (fetch.h struct fetch_status). */
struct report_repo {
	const char	*uri;		/* rsync://AUTHORITY/MODULE/ */
	const char	*notify;	/* rpkiNotify URI or NULL */
	const char	*protocol;	/* "rrdp", "rsync", "https", "none" */
	const char	*result;	/* "ok", "stale", "failed", "pending" */
	int		 delta;		/* RRDP by deltas */
	int		 unchanged;	/* nothing new on the server */
	uint64_t	 objects;
	uint64_t	 bytes;
	uint64_t	 milliseconds;	/* wall clock of the fetch */
	const char	*error;		/* last error or NULL */
};

/*
 * Record the fetch result of one repository (strings copied).  Returns 0,
 * or -1 on ENOMEM, bad arguments or more than MAX_REPORT_REPOS.
 * Thread-safe.
 */
int		 report_add_repo(struct report *r, const struct report_repo *rr);

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
 * "rejected": N, "dropped": N, "repositories": [ { "uri", "notify",
 * "protocol", "result", "delta", "unchanged", "objects", "bytes",
 * "milliseconds", "error" }, ... ], "objects": [ { "uri", "type",
 * "accepted", "reason", "rule", "issuer", "manifest", "ta", "not_before",
 * "not_after", "this_update", "next_update", "asn", "prefixes",
 * "customer", "providers" }, ... ] } (reef-formats(5)); members not known
 * are left out.  Repositories are sorted by URI, objects by URI, then
 * type, then insertion order.  Called once the walk has finished (takes the
 * lock, so it is safe anyway).  Returns 0, or -1 on ENOMEM or a writer
 * error.
 */
int		 report_write(struct report *r, struct json *j);

/* report_write() to fp as a complete pretty-printed document.  Returns 0 or -1. */
int		 report_write_file(struct report *r, FILE *fp);

/*
 * Sort r's entries for writing now rather than in the first of
 * report_write_file() or report_digest(), which then find them sorted
 * while no entry is added.  Not thread-safe: nothing else may use r
 * meanwhile.  0, or -1 on ENOMEM (they are sorted later then).
 */
int		 report_sort(struct report *r);

/*
 * The SHA-256 of everything report_write() writes from r (counters,
 * repositories, entries in write order) and of tag (taglen bytes, naming
 * the program that writes it), into md: two reports with the same
 * digest are written as the same bytes.  NULL is an empty report.
 * Returns 0, or -1 on ENOMEM.
 */
int		 report_digest(struct report *r, const unsigned char *tag,
		    size_t taglen, unsigned char *md);

/*
 * report_digest() of the entries not added by report_cb_point() (and
 * of the repositories), whichever others r holds besides.  0 or -1.
 */
int		 report_digest_own(struct report *r, const unsigned char *tag,
		    size_t taglen, unsigned char *md);

#endif
