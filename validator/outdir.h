/*
 * The layout of the output directory, which makes the files of one run
 * of "reef validate" replace those of the previous run as a set
 * (reef-formats(5), "Output directory"):
 *
 *	OUTDIR/.run.XXXXXX/	the files of one run (a mkdtemp(3) name)
 *	OUTDIR/.current		symbolic link to the run directory in use
 *	OUTDIR/NAME		symbolic link ".current/NAME", one per file
 *
 * A run fills a new run directory, syncing every file and then the
 * directory, makes sure each public name is the link to .current/NAME,
 * then renames a new .current link over the old one.  That single
 * rename(2) switches every public name at once, so readers, and a crash
 * at any moment, see either the whole old set or the whole new one.
 * The replaced run directory is removed afterwards.  A public name whose
 * file the run did not write resolves to nothing once the run is in use,
 * and its link is then removed, so no output of an older run survives a
 * change of formats.
 *
 * One writer at a time: the caller serialises runs on an output
 * directory (reef validate holds its run lock).
 */
#ifndef REEF_VALIDATOR_OUTDIR_H
#define REEF_VALIDATOR_OUTDIR_H

#include <stddef.h>
#include <stdio.h>

/* The link naming the run directory in use. */
#define OUTDIR_CURRENT		".current"
/* Run directories are OUTDIR_RUN_PREFIX followed by six characters. */
#define OUTDIR_RUN_PREFIX	".run."
/* Mode of the run directories and of the files in them. */
#define OUTDIR_DIR_MODE		0755
#define OUTDIR_FILE_MODE	0644

struct outdir_run;

/*
 * Start a run in the existing directory outdir: make its run directory.
 * Returns a handle to pass to exactly one of outdir_run_publish() or
 * outdir_run_abort(), or NULL after logging.
 */
struct outdir_run	*outdir_run_begin(const char *outdir);

/*
 * Create the file name (a plain name, no slash) in the run directory and
 * return a stream on it, owned by the caller until outdir_run_close(); or
 * NULL after logging.
 */
FILE			*outdir_run_create(struct outdir_run *r,
			    const char *name);

/*
 * The regular file name (a plain name) of the run that was in use when r
 * began, opened read-only; -1 when there is none.
 */
int			 outdir_run_open_previous(struct outdir_run *r,
			    const char *name);

/*
 * Give r's run directory the file name of the run in use as it is, by a
 * hard link, instead of writing it again: for an output whose content
 * would be the same (validator/outkeep.h).  Files are never changed in
 * place, so the link shares nothing that may still change.  Returns 0,
 * or -1 with errno set (nothing done).
 */
int			 outdir_run_keep(struct outdir_run *r,
			    const char *name);

/*
 * Flush and close a stream of outdir_run_create(), its writing back to
 * the disk started; outdir_run_publish() syncs it before it is used.
 * Returns 0, or -1 with errno set when anything written may be missing.
 * Thread-safe for streams of one run.
 */
int			 outdir_run_close(struct outdir_run *r, FILE *fp);

/*
 * Make the run's files the outputs, then free r.  names (n of them) are
 * every public name the writer may use, whether this run wrote it or
 * not.  Returns 0 once the run is in use (a failure to tidy up after
 * that is only logged), or -1 after logging, the previous outputs then
 * being unchanged and the run directory removed.
 */
int			 outdir_run_publish(struct outdir_run *r,
			    const char *const *names, size_t n);

/* Remove the run directory and free r; NULL is accepted. */
void			 outdir_run_abort(struct outdir_run *r);

/*
 * Remove what runs killed before the end left in outdir: run directories
 * other than the one in use and temporary .current links.
 */
void			 outdir_clean(const char *outdir);

#endif
