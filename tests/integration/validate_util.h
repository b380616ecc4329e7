/*
 * Helpers shared by the integration suites that run the built `reef
 * validate` against reef-repogen repositories served by
 * tests/tools/serve.sh (test_validate.c, test_validate_ops.c,
 * test_hostile.c): lists of text lines compared as sets or sequences,
 * the paths of the built programs, the serve.sh fixture (start on free
 * ports, switch, stop, clean up), generating a repository for those
 * ports, and checking a run's log.
 *
 * Helpers that make CUnit assertions say so; they may only be called
 * from inside a test or a suite's cleanup.
 */
#ifndef REEF_TESTS_INTEGRATION_VALIDATE_UTIL_H
#define REEF_TESTS_INTEGRATION_VALIDATE_UTIL_H

#include <stddef.h>

/* Differences shown when two lists of lines do not match. */
#define VU_DIFF_SHOW		10
/* Log lines shown, and the width they are cut to, when a step fails. */
#define VU_LOG_TAIL		30
#define VU_LOG_WIDTH		200
/* vu_start() tool list of every suite; a suite may need more. */
#define VU_TOOLS		"rsync nginx openssl timeout"

/* A list of text lines, each malloc'd and owned by the list. */
struct vu_lines {
	char	**v;
	size_t	  n, cap;
};

/*
 * The serve.sh fixture of one suite: a scratch directory, the server
 * pair and the clean repository's path.  Zero it before vu_start();
 * vu_finish() releases everything and zeroes it again.
 */
struct vu_fix {
	int		 ready;		/* 1: up, -1: skipped, 0: not yet */
	int		 serving;	/* serve.sh must be stopped */
	char		*dir;		/* scratch root */
	char		*state;		/* serve.sh state directory */
	char		*repo;		/* dir/repo, for vu_generate() */
	char		*ca_file;	/* the servers' CA, for --ca-file */
	int		 rport;		/* rsync port */
	int		 hport;		/* HTTPS port */
	int		 runs;		/* numbers the run logs */
	unsigned int	 failures;	/* CUnit failures before the suite */
};

/* Append s (malloc'd; l takes it) to l. */
void	 vu_lines_add(struct vu_lines *l, char *s);
/* Free every line of l and zero it. */
void	 vu_lines_free(struct vu_lines *l);
/* Sort the lines of l in strcmp() order. */
void	 vu_lines_sort(struct vu_lines *l);
/* 1 if l holds the line s, else 0. */
int	 vu_lines_has(const struct vu_lines *l, const char *s);

/*
 * 1 if got and want hold the same lines, in the same order unless
 * sorted is set (then compared as multisets), else 0 after printing up
 * to VU_DIFF_SHOW differences under the heading what.  Neither list is
 * changed.
 */
int	 vu_lines_same(const char *what, const struct vu_lines *got,
	    const struct vu_lines *want, int sorted);

/*
 * Append the non-empty lines of a text file after its first skip lines
 * to l.  Returns 0, or -1 (after printing the path) when the file
 * cannot be read.
 */
int	 vu_read_lines(const char *path, size_t skip, struct vu_lines *l);

/*
 * Append gendir/expected/<name> without its header line to l.  Returns
 * 0, or -1 when it cannot be read; the caller decides how fatal that is.
 */
int	 vu_expected(const char *gendir, const char *name,
	    struct vu_lines *l);

/*
 * Append the VRPs of out/vrps.csv to l, each without its Expires column
 * (the generator's expected/vrps.csv has none), in file order.  Returns
 * 0, or -1 (after printing why) when the file cannot be read, its header
 * is not rpki-client's or a line has no numeric Expires; l may then hold
 * part of the file.
 */
int	 vu_read_vrps(const char *out, struct vu_lines *l);

/* 1 if the file at path can be read and holds needle, else 0. */
int	 vu_file_has(const char *path, const char *needle);
/* 1 if both files can be read and are byte for byte the same, else 0. */
int	 vu_same_file(const char *a, const char *b);
/* Print the last VU_LOG_TAIL lines of a log, indented. */
void	 vu_show_log(const char *log);

/*
 * Paths of the built reef, the built reef-repogen, serve.sh in the
 * source tree, and the key cache reef-repogen shares between runs
 * ($REEF_KEY_CACHE, else .key-cache in the build tree, shared with
 * test_peers.c so keys are made once per build tree).  All malloc'd.
 */
char	*vu_reef_path(void);
char	*vu_repogen_path(void);
char	*vu_serve_path(void);
char	*vu_key_cache(void);

/* Print why a suite is skipped; returns -1, the "skipped" state. */
int	 vu_skip(const char *why);

/*
 * Set f up for a suite: unless REEF_TESTS_UNIT_ONLY is set, reef or
 * reef-repogen is not built, or a program of the space-separated list
 * tools is missing (each printed as a skip), make a scratch directory
 * named after tag, start serve.sh on an empty tree with auto ports (so
 * that the ports are known before the generator writes them into every
 * URI), and generate the clean repository f->repo for those ports with
 * vu_generate(f, f->repo, seed, f->hport, gen_opts).  Returns f->ready:
 * 1 when all that worked, else -1 (the suite's tests skip).  Asserts
 * that serve.sh reported both ports and that the generator succeeded.
 * Only the first call of a suite does anything.
 */
int	 vu_start(struct vu_fix *f, const char *tag, const char *tools,
	    int seed, const char *gen_opts);

/*
 * Run reef-repogen into out with the suite's rsync port, the HTTPS port
 * hport, the given seed and key cache, and extra options (e.g. "--scale
 * small --generations 2").  Returns its exit status; its log is shown
 * and kept as out.repogen.log on failure.
 */
int	 vu_generate(const struct vu_fix *f, const char *out, int seed,
	    int hport, const char *extra);

/* Point the servers at a tree; asserts success and returns the status. */
int	 vu_switch(const struct vu_fix *f, const char *dir);

/* Stop the servers if they run; returns serve.sh's status (0 if not). */
int	 vu_stop(struct vu_fix *f);

/*
 * End of a suite: stop the servers, remove the scratch directory unless
 * a CUnit failure happened since vu_start() (then print where it was
 * kept), free and zero f.
 */
void	 vu_finish(struct vu_fix *f);

/* f->dir/runNN.log for the next run, NN counting the suite's runs. */
char	*vu_run_log(struct vu_fix *f);

/*
 * Fail the test (and show the log) if a sanitizer build of reef
 * reported something in log, whatever reef's exit status was.
 */
void	 vu_check_sanitizer(const char *log);

/*
 * VU_USER_ROOT when the tests run as root, else "": the option every
 * reef validate or reef fetch command line of a suite should carry.
 * Started as root without --user, reef switches to the account _reef
 * whenever it exists (common/privdrop.h) -- installed by reef.sysusers,
 * or left by an interrupted test_privdrop.c -- and that account cannot
 * reach the suites' scratch directories.  A static string.
 */
#define VU_USER_ROOT		"--user root"
const char *vu_user_opt(void);

/*
 * Parse the TALs of a reef-repogen output directory (every .tal file in
 * out/tals), sorted by name (ta0, ta1, ...), into tals; returns how many
 * (at most max).  A TAL that does not parse fails the test.
 */
struct tal;
size_t	 vu_load_tals(const char *out, struct tal **tals, size_t max);

#endif
