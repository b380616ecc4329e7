/*
 * Fixtures for the tests of the auditors' subcommands (check, coverage,
 * explain, diff): output directories holding a hand-off file built from
 * a few text lines and an optional report.json, and a runner capturing
 * a subcommand's output.
 */
#ifndef REEF_TESTS_AUDIT_FIXTURE_H
#define REEF_TESTS_AUDIT_FIXTURE_H

#include <stdio.h>

/* One run's content for fx_outdir(). */
struct fx_run {
	/* "PREFIX MAXLEN ASN TA" lines (TA an index into the names), NULL-ended. */
	const char * const	*vrps;
	/* "CUSTOMER PROVIDER..." lines, NULL-ended; may be NULL. */
	const char * const	*aspas;
	/* "ASN SKI-BYTE TA" lines (SKI filled with that byte), NULL-ended; may be NULL. */
	const char * const	*keys;
	/* report.json text, or NULL for no report. */
	const char		*report;
};

/* TA names of every fixture run: index 0 "ripe", 1 "arin". */
#define FX_NTA	2

/*
 * A new directory holding reef.handoff (created 2024-01-01T00:00:00Z)
 * and report.json for run; CUnit-fails and returns NULL on error.  The
 * caller removes it (tu_rmtree()) and frees the path.
 */
char	*fx_outdir(const char *tag, const struct fx_run *run);

/* Output of one subcommand run. */
struct fx_result {
	int	 rc;
	char	*out;
	char	*err;
};

typedef int	(*fx_cmd_in)(int, char **, FILE *, FILE *, FILE *);
typedef int	(*fx_cmd)(int, char **, FILE *, FILE *);

/*
 * Run cmd (with stdin text input, which may be NULL for commands without
 * an input) on the NULL-ended argument list; fills *res (free with
 * fx_result_free()).
 */
void	fx_run_in(fx_cmd_in cmd, const char *input, struct fx_result *res,
	    const char *arg0, ...);
void	fx_run(fx_cmd cmd, struct fx_result *res, const char *arg0, ...);
void	fx_result_free(struct fx_result *res);

/*
 * Parse res->out as JSON and return 1 if it holds, anywhere, a string
 * member key with the value val (val NULL: the key with any value).
 * CUnit-fails on invalid JSON.
 */
int	fx_json_has(const char *json, const char *key, const char *val);

/* The unsigned integer member key (first one found), or -1. */
long long	fx_json_uint(const char *json, const char *key);

#endif
