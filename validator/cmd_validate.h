/*
 * reef validate: fetch the repositories (unless --offline), validate
 * everything reachable from the TALs, apply SLURM and write the outputs
 * (validator/output.h) into the output directory.
 */
#ifndef REEF_VALIDATOR_CMD_VALIDATE_H
#define REEF_VALIDATOR_CMD_VALIDATE_H

#include <stdio.h>

/* Exit statuses. */
#define VALIDATE_EXIT_OK	0	/* outputs written */
#define VALIDATE_EXIT_FAIL	1	/* the run failed; no output replaced */
#define VALIDATE_EXIT_PARTIAL	2	/* outputs written, some repositories
					   not fetched (cached copies used) */
/* A usage error or a cache locked by another run fails the run too. */
#define VALIDATE_EXIT_USAGE	VALIDATE_EXIT_FAIL
/* The lock file in the cache directory (flock(2), one run per cache). */
#define VALIDATE_LOCK_FILE	".lock"
/* Share of --timeout kept for validation after the fetch deadline (%). */
#define VALIDATE_WALK_RESERVE_PCT	25
/* ... but at least this many seconds (when the timeout allows it). */
#define VALIDATE_WALK_RESERVE_MIN	2

/* Default directories (reef(8)); REEF_DATADIR comes from the build. */
#ifdef REEF_DATADIR
#define VALIDATE_TAL_DIR	REEF_DATADIR "/tals"
#else
#define VALIDATE_TAL_DIR	"/usr/local/share/reef/tals"
#endif
#define VALIDATE_CACHE_DIR	"/var/cache/reef"
#define VALIDATE_OUTPUT_DIR	"/var/lib/reef"
/* Subdirectory of the cache directory holding the validated store. */
#define VALIDATE_STORE_SUBDIR	"store"
/* Records of incremental validation (validator/memo.h), under CACHEDIR. */
#define VALIDATE_MEMO_SUBDIR	"memo"
/* Most walk threads -j accepts. */
#define VALIDATE_MAX_JOBS	256
/* Longest run deadline --timeout accepts, in seconds (one day). */
#define VALIDATE_MAX_TIMEOUT	86400

/*
 * Run "reef validate" with argv[0] "validate"; usage errors and the help
 * text go to err.  Returns one of the VALIDATE_EXIT_* statuses.
 */
int	cmd_validate_run(int argc, char **argv, FILE *err);

/*
 * cmd_validate_run() on stderr, for the subcommand table: the process
 * ends after it, so the run's memory is left to the exit.
 */
int	cmd_validate(int argc, char **argv);

#endif
