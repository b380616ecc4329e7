/*
 * The auditors' subcommands, answering from the outputs of a run
 * (runout.h): reef check, reef coverage, reef explain, reef diff.
 *
 * Each *_run() takes argv with argv[0] the subcommand name, prints
 * results to out and problems to err, and returns its exit status; the
 * plain forms use stdout and stderr for main.c's subcommand table.
 * Exit status 3 always means an error (bad usage, unreadable outputs,
 * malformed input lines); see each command.
 */
#ifndef REEF_VALIDATOR_CMD_AUDIT_H
#define REEF_VALIDATOR_CMD_AUDIT_H

#include <stdio.h>

/* Output directory read when -o is not given (as reef validate's). */
#define AUDIT_OUTPUT_DIR	"/var/lib/reef"

/* reef check: 0 valid, 1 invalid, 2 not-found (worst of several routes: invalid, then not-found), 3 error. */
#define CHECK_EXIT_VALID	0
#define CHECK_EXIT_INVALID	1
#define CHECK_EXIT_NOTFOUND	2
#define AUDIT_EXIT_ERROR	3

int	cmd_check_run(int argc, char **argv, FILE *in, FILE *out, FILE *err);
int	cmd_check(int argc, char **argv);

/* reef coverage: 0 done, 1 some announced route is invalid, 3 error. */
int	cmd_coverage_run(int argc, char **argv, FILE *in, FILE *out,
	    FILE *err);
int	cmd_coverage(int argc, char **argv);

/* reef explain: 0 something explained, 1 nothing found, 3 error. */
int	cmd_explain_run(int argc, char **argv, FILE *out, FILE *err);
int	cmd_explain(int argc, char **argv);

/* reef diff: 0 no difference, 1 differences, 3 error. */
int	cmd_diff_run(int argc, char **argv, FILE *out, FILE *err);
int	cmd_diff(int argc, char **argv);

#endif
