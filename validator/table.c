/*
 * Aligned tables, colours and option scanning for the auditors'
 * subcommands (table.h).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/json.h"
#include "common/prefix.h"
#include "common/vrpset.h"
#include "validator/table.h"

/* Rows allocated first; doubles from there. */
#define TABLE_INITIAL_ROWS	16

struct table_cell {
	char			*text;
	enum table_color	 color;
};

struct table {
	size_t			 ncols;
	char			*heading[TABLE_MAX_COLS];
	int			 has_heading;
	struct table_cell	*cells;		/* nrows * ncols */
	size_t			 nrows;
	size_t			 cap;
};

/*
 * A new table of ncols columns; NULL on ENOMEM or a bad count.  Caller
 * frees with table_free().
 */
struct table *
table_new(size_t ncols, const char * const *headings)
{
	struct table *t;
	size_t i;

	if (ncols == 0 || ncols > TABLE_MAX_COLS)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->ncols = ncols;
	if (headings != NULL) {
		t->has_heading = 1;
		for (i = 0; i < ncols; i++)
			if ((t->heading[i] = strndup(headings[i] != NULL ?
			    headings[i] : "", TABLE_MAX_CELL)) == NULL) {
				table_free(t);
				return NULL;
			}
	}
	return t;
}

void
table_free(struct table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ncols; i++)
		free(t->heading[i]);
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].text);
	free(t->cells);
	free(t);
}

/*
 * Append a row (cells copied).  Returns 0 or -1 on ENOMEM (the table is
 * then unchanged).
 */
int
table_row(struct table *t, const char * const *cells)
{
	struct table_cell *n, *row;
	size_t i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap == 0 ? TABLE_INITIAL_ROWS : t->cap * 2;

		if ((n = reallocarray(t->cells, cap * t->ncols,
		    sizeof(*n))) == NULL)
			return -1;
		t->cells = n;
		t->cap = cap;
	}
	row = &t->cells[t->nrows * t->ncols];
	for (i = 0; i < t->ncols; i++) {
		row[i].color = TC_NONE;
		row[i].text = strndup(cells[i] != NULL ? cells[i] : "",
		    TABLE_MAX_CELL);
		if (row[i].text == NULL) {
			while (i-- > 0)
				free(row[i].text);
			return -1;
		}
	}
	t->nrows++;
	return 0;
}

void
table_color(struct table *t, size_t col, enum table_color c)
{
	if (t->nrows > 0 && col < t->ncols)
		t->cells[(t->nrows - 1) * t->ncols + col].color = c;
}

size_t
table_nrows(const struct table *t)
{
	return t->nrows;
}

static const char *
color_code(enum table_color c)
{
	switch (c) {
	case TC_GREEN:
		return "\033[32m";
	case TC_RED:
		return "\033[31m";
	case TC_YELLOW:
		return "\033[33m";
	case TC_BOLD:
		return "\033[1m";
	case TC_DIM:
		return "\033[2m";
	case TC_NONE:
		break;
	}
	return "";
}

void
table_puts_color(FILE *out, const char *s, enum table_color c, int color)
{
	if (color && c != TC_NONE)
		fprintf(out, "%s%s\033[0m", color_code(c), s);
	else
		fputs(s, out);
}

/* One line: cells padded to w[], the last one not (no trailing blanks). */
static void
print_line(FILE *out, const struct table *t, char * const *text,
    const enum table_color *colors, const size_t *w, int indent, int color)
{
	size_t i, last = t->ncols;

	while (last > 1 && text[last - 1][0] == '\0')
		last--;
	fprintf(out, "%*s", indent, "");
	for (i = 0; i < last; i++) {
		table_puts_color(out, text[i], colors != NULL ? colors[i] :
		    TC_BOLD, color);
		if (i + 1 < last)
			fprintf(out, "%*s", (int)(w[i] - strlen(text[i]) +
			    TABLE_GAP), "");
	}
	fputc('\n', out);
}

/*
 * Print the table aligned.  Returns 0 or -1 on a write error.
 */
int
table_print(const struct table *t, FILE *out, int indent, int color)
{
	size_t w[TABLE_MAX_COLS], r, i, n;
	enum table_color colors[TABLE_MAX_COLS];
	char *text[TABLE_MAX_COLS];

	for (i = 0; i < t->ncols; i++)
		w[i] = t->has_heading ? strlen(t->heading[i]) : 0;
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++)
			if ((n = strlen(t->cells[r * t->ncols + i].text)) > w[i])
				w[i] = n;
	if (t->has_heading)
		print_line(out, t, t->heading, NULL, w, indent, color);
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++) {
			text[i] = t->cells[r * t->ncols + i].text;
			colors[i] = t->cells[r * t->ncols + i].color;
		}
		print_line(out, t, text, colors, w, indent, color);
	}
	return ferror(out) ? -1 : 0;
}

/*
 * Colours on out?  Only on a terminal, without NO_COLOR, not on "dumb".
 */
int
table_use_color(FILE *out)
{
	const char *s;
	int fd;

	if ((s = getenv("NO_COLOR")) != NULL && s[0] != '\0')
		return 0;
	if ((s = getenv("TERM")) != NULL && strcmp(s, "dumb") == 0)
		return 0;
	if ((fd = fileno(out)) == -1)
		return 0;
	return isatty(fd);
}

enum table_color
table_state_color(int state)
{
	switch (state) {
	case ROV_VALID:
		return TC_GREEN;
	case ROV_INVALID:
		return TC_RED;
	default:
		return TC_YELLOW;
	}
}

/*
 * Write v's members as vrps.json names them into the open object.
 * Returns 0 or -1.
 */
int
table_vrp_members(struct json *j, const struct vrp *v, const char *ta)
{
	char buf[PREFIX_STRLEN];

	if (prefix_format(&v->prefix, buf, sizeof(buf)) < 0)
		return -1;
	json_kv_uint(j, "asn", v->asn);
	json_kv_string(j, "prefix", buf);
	json_kv_uint(j, "maxLength", v->maxlen);
	json_kv_string(j, "ta", ta);
	return json_kv_int(j, "expires", v->expires);
}

/*
 * Append v as a vrps.json-style object.  Returns 0 or -1.
 */
int
table_vrp_json(struct json *j, const struct vrp *v, const char *ta)
{
	json_object_begin(j);
	table_vrp_members(j, v, ta);
	return json_object_end(j);
}

void
table_vrp_cells(const struct vrp *v, char *pfx, char *maxlen, char *asn)
{
	if (prefix_format(&v->prefix, pfx, TABLE_VRP_CELL) < 0)
		snprintf(pfx, TABLE_VRP_CELL, "?");
	snprintf(maxlen, TABLE_VRP_CELL, "%u", v->maxlen);
	snprintf(asn, TABLE_VRP_CELL, "AS%u", v->asn);
}

static int
cli_match(const struct cli_opt *o, const char *a, const char **eqval)
{
	const char *eq;
	size_t n;

	*eqval = NULL;
	if (a[1] != '-')
		return o->shortname != 0 && a[1] == o->shortname &&
		    a[2] == '\0';
	eq = strchr(a + 2, '=');
	n = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
	if (strlen(o->longname) != n || strncmp(a + 2, o->longname, n) != 0)
		return 0;
	if (eq != NULL)
		*eqval = eq + 1;
	return 1;
}

/*
 * Classify argv[*i] (see table.h).
 */
int
cli_next(int argc, char **argv, int *i, const struct cli_opt *opts,
    size_t nopts, const char **val, const char *cmd, FILE *err)
{
	const char *a = argv[*i], *eqval;
	size_t k;

	*val = NULL;
	if (a[0] != '-' || a[1] == '\0')
		return CLI_ARG;
	if (strcmp(a, "--") == 0) {
		(*i)++;
		return CLI_DONE;
	}
	for (k = 0; k < nopts; k++) {
		if (!cli_match(&opts[k], a, &eqval))
			continue;
		if (eqval != NULL && !opts[k].has_arg) {
			fprintf(err, "reef %s: %s takes no value\n", cmd, a);
			return CLI_ERROR;
		}
		*val = eqval;
		if (opts[k].has_arg && *val == NULL) {
			if (*i + 1 >= argc) {
				fprintf(err, "reef %s: %s needs a value\n", cmd,
				    a);
				return CLI_ERROR;
			}
			*val = argv[++*i];
		}
		(*i)++;
		return (int)k;
	}
	fprintf(err, "reef %s: unknown option %s\n", cmd, a);
	return CLI_ERROR;
}
