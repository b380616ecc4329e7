/*
 * What reef-rtrd serves: a payload set loaded from
 *	(a) a reef output directory, i.e. its hand-off file
 *	    OUTDIR/reef.handoff (common/handoff.h), or that file itself;
 *	(b) a JSON file in rpki-client's layout ("roas" with integer "asn",
 *	    "aspas", "bgpsec_keys", normally under a "metadata" object);
 *	(c) a JSON file in Routinator's layout ("roas" with "asn": "AS13335",
 *	    "aspas", "routerKeys").
 * The format is recognised from the content, not the file name.  The
 * same content can also come from memory (input_load_buffer()), as
 * reef-rtrd does with a file fetched from an HTTPS URL.
 *
 * Loading is all or nothing: any syntax error, any entry failing its
 * checks (prefix_parse(), vrp_check(), aspa_check(), router_key_check(),
 * AS number range) rejects the whole input with a message naming the
 * file and the line:column (JSON) or the entry, so a bad or partial
 * input never replaces the set being served.  Entries whose expires lies
 * before `now` (they are valid through that second, as rpki-client
 * treats notAfter) are dropped and counted, not errors.
 */
#ifndef REEF_RTRD_INPUT_H
#define REEF_RTRD_INPUT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/aspaset.h"
#include "common/rkset.h"
#include "common/vrpset.h"

enum input_format {
	INPUT_FORMAT_HANDOFF = 1,
	INPUT_FORMAT_RPKI_CLIENT,
	INPUT_FORMAT_ROUTINATOR
};

/*
 * A loaded set.  All three sets are frozen and never NULL after a
 * successful load.  Entries from JSON without an expiry time get
 * INT64_MAX.  Owned by the struct: release with input_set_free().
 */
struct input_set {
	enum input_format	 format;
	int64_t			 created;	/* generation time, 0 if unknown */
	struct vrpset		*vrps;
	struct aspaset		*aspas;
	struct rkset		*rks;
	char			**ta_names;	/* ta index -> name */
	size_t			 nta;
	/* Entries dropped because they had expired at load time. */
	size_t			 expired_vrps;
	size_t			 expired_aspas;
	size_t			 expired_rks;
	/*
	 * Earliest expires among the kept entries (INT64_MAX if none):
	 * when the clock passes it, input_expire() gives the set to serve.
	 */
	int64_t			 next_expiry;
};

/* File identity for cheap change polling; zero it before the first use. */
struct input_stamp {
	int		 valid;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
};

/*
 * Load the payloads at path (a directory means its HANDOFF_FILENAME)
 * into *out, dropping entries expired at now.  Returns 0 with *out
 * filled, or -1 with *out zeroed and a one-line reason in err (errlen
 * bytes) naming the file and the place of the error.
 */
int		 input_load(const char *path, int64_t now, struct input_set *out,
		    char *err, size_t errlen);

/*
 * As input_load() on the len bytes at buf, e.g. a body fetched over
 * HTTPS (rtrd/fetchinput.h): the format is recognised from the content
 * and messages name the input as name (a URL, say).  buf need not be
 * NUL-terminated and is not kept.  Returns 0 with *out filled (release
 * with input_set_free()), or -1 with *out zeroed and a reason in err; an
 * empty buffer is an error.
 */
int		 input_load_buffer(const char *name, const char *buf,
		    size_t len, int64_t now, struct input_set *out, char *err,
		    size_t errlen);

/*
 * Make *out a copy of the loaded set *in without the entries expired at
 * now (counted into out's expired_* on top of in's), e.g. when now has
 * passed in->next_expiry.  Returns 0, or -1 (out of memory) with *out
 * zeroed and a reason in err.
 */
int		 input_expire(const struct input_set *in, int64_t now,
		    struct input_set *out, char *err, size_t errlen);

/* Release everything in *s and zero it; NULL is allowed. */
void		 input_set_free(struct input_set *s);

/*
 * Compare the file behind path (as for input_load()) with *stamp by
 * device, inode, size and mtime, and store the current values in *stamp.
 * Returns 1 if it changed (or *stamp was not yet valid), 0 if not, -1 if
 * it cannot be stat'ed (stamp then invalidated, so the file reappearing
 * counts as a change).
 */
int		 input_changed(const char *path, struct input_stamp *stamp);

/* Returns a static name for a format ("reef hand-off", "rpki-client JSON", ...). */
const char	*input_format_name(enum input_format f);

#endif
