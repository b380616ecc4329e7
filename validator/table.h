/*
 * Printing helpers for the auditors' subcommands (check, coverage,
 * explain, diff): aligned text tables, colours only on a terminal (and
 * never when NO_COLOR is set, https://no-color.org), the common VRP
 * JSON member names, and a small long/short option scanner.
 */
#ifndef REEF_VALIDATOR_TABLE_H
#define REEF_VALIDATOR_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/payload.h"

struct json;

/* Columns of one table. */
#define TABLE_MAX_COLS		12
/* Longest cell kept; longer text is cut. */
#define TABLE_MAX_CELL		4096
/* Columns are separated by this many spaces. */
#define TABLE_GAP		2

enum table_color {
	TC_NONE = 0,
	TC_GREEN,
	TC_RED,
	TC_YELLOW,
	TC_BOLD,
	TC_DIM
};

struct table;

/*
 * A table with ncols columns (1..TABLE_MAX_COLS) and the given headings
 * (NULL: no heading line).  Returns it, owned by the caller
 * (table_free()), or NULL on ENOMEM or a bad column count.
 */
struct table	*table_new(size_t ncols, const char * const *headings);

/* NULL is allowed. */
void		 table_free(struct table *);

/*
 * Append a row of ncols cells (NULL cells print as ""); every string is
 * copied.  Returns 0 or -1 on ENOMEM.
 */
int		 table_row(struct table *, const char * const *cells);

/* Colour cell col of the last row. */
void		 table_color(struct table *, size_t col, enum table_color);

/* Number of rows appended. */
size_t		 table_nrows(const struct table *);

/*
 * Print the table to out, each line indented by indent spaces, columns
 * padded to their widest cell (the last column unpadded), colours only
 * if color is non-zero.  Returns 0 or -1 on a write error.
 */
int		 table_print(const struct table *, FILE *out, int indent,
		    int color);

/*
 * Non-zero if colours should be used on out: out is a terminal, NO_COLOR
 * is unset or empty and TERM is not "dumb".
 */
int		 table_use_color(FILE *out);

/* Print s to out in colour c (plain when color is 0). */
void		 table_puts_color(FILE *out, const char *s, enum table_color c,
		    int color);

/* Colour for an enum rov_state. */
enum table_color table_state_color(int state);

/*
 * Append a VRP as a JSON object: asn, prefix, maxLength, ta, expires
 * (the member names of vrps.json).  Returns 0 or -1.
 */
int		 table_vrp_json(struct json *, const struct vrp *,
		    const char *ta);

/* The same members into an object the caller opened.  Returns 0 or -1. */
int		 table_vrp_members(struct json *, const struct vrp *,
		    const char *ta);

/* Text cells of a VRP (prefix, maxlen, "AS<n>"), each buffer of TABLE_VRP_CELL bytes. */
#define TABLE_VRP_CELL	64
void		 table_vrp_cells(const struct vrp *, char *pfx, char *maxlen,
		    char *asn);

/* ---- Command line ---------------------------------------------------- */

struct cli_opt {
	const char	*longname;	/* "json" for --json */
	char		 shortname;	/* 'o' for -o; 0: none */
	int		 has_arg;
};

/* cli_next() results besides an index into the option table. */
#define CLI_ERROR	(-1)	/* reported on err */
#define CLI_ARG		(-2)	/* argv[*i] is an operand */
#define CLI_DONE	(-3)	/* "--": *i is the first operand after it */

/*
 * Classify argv[*i] against nopts options: returns the option's index
 * (its value in *val, taking the next word if needed, *i advanced past
 * it), CLI_ARG for an operand ("-" alone is one), CLI_DONE after "--",
 * or CLI_ERROR after printing "reef CMD: ..." to err.
 */
int		 cli_next(int argc, char **argv, int *i,
		    const struct cli_opt *opts, size_t nopts,
		    const char **val, const char *cmd, FILE *err);

#endif
