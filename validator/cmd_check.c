/*
 * reef check: RFC 6811 origin validation of routes against the VRPs of
 * a run, one route from the command line or many from a file or stdin.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/gtime.h"
#include "common/json.h"
#include "validator/cmd_audit.h"
#include "validator/rov.h"
#include "validator/runout.h"
#include "validator/table.h"

#define CHECK_USAGE \
	"usage: reef check [-o dir] [--json] prefix asn\n" \
	"       reef check [-o dir] [--json] [-f file | -]\n"
/* Column widths of the streamed batch table (IPv6 prefixes overflow). */
#define CHECK_W_PREFIX	18
#define CHECK_W_ORIGIN	12
#define CHECK_W_STATE	9

enum { OPT_DIR, OPT_JSON, OPT_FILE, OPT_HELP };

static const struct cli_opt check_opts[] = {
	[OPT_DIR] =	{ "output-dir", 'o', 1 },
	[OPT_JSON] =	{ "json", 0, 0 },
	[OPT_FILE] =	{ "file", 'f', 1 },
	[OPT_HELP] =	{ "help", 'h', 0 },
};

struct check_ctx {
	const struct runout	*ro;
	const struct rov_index	*ix;
	struct json		*j;	/* NULL: text */
	FILE			*out;
	int			 color;
	int			 batch;
	size_t			 count[3];	/* by enum rov_state */
	/* Per route, while visiting covering VRPs. */
	struct table		*match, *nomatch;
	size_t			 nmatch, nnomatch;
	const struct vrp	*first_match;
	int			 in_matched;	/* JSON: which array is open */
	int			 failed;
};

static void
origin_text(const struct rov_route *r, char *buf, size_t len)
{
	if (r->origin_none)
		snprintf(buf, len, "NONE");
	else
		snprintf(buf, len, "AS%u", r->origin);
}

/* Text mode, single route: collect the VRPs into the two tables. */
static int
visit_text(const struct vrp *v, enum rov_why w, void *arg)
{
	struct check_ctx *c = arg;
	char pfx[TABLE_VRP_CELL], ml[TABLE_VRP_CELL], asn[TABLE_VRP_CELL];
	const char *cells[5];

	table_vrp_cells(v, pfx, ml, asn);
	cells[0] = pfx;
	cells[1] = ml;
	cells[2] = asn;
	cells[3] = runout_ta_name(c->ro, v->ta);
	cells[4] = rov_why_name(w);
	if (table_row(w == ROV_MATCH ? c->match : c->nomatch, cells) == -1)
		c->failed = 1;
	return 0;
}

/* Batch text mode: only count, and remember the first match. */
static int
visit_count(const struct vrp *v, enum rov_why w, void *arg)
{
	struct check_ctx *c = arg;

	if (w == ROV_MATCH) {
		if (c->nmatch++ == 0)
			c->first_match = v;
	} else
		c->nnomatch++;
	return 0;
}

/* JSON: two passes (matched, then the rest) write the two arrays. */
static int
visit_json(const struct vrp *v, enum rov_why w, void *arg)
{
	struct check_ctx *c = arg;

	if ((w == ROV_MATCH) != c->in_matched)
		return 0;
	json_object_begin(c->j);
	table_vrp_members(c->j, v, runout_ta_name(c->ro, v->ta));
	if (w != ROV_MATCH)
		json_kv_string(c->j, "reason", rov_why_name(w));
	json_object_end(c->j);
	return 0;
}

static int
check_json(struct check_ctx *c, const struct rov_route *r, size_t lineno)
{
	char pfx[PREFIX_STRLEN];
	int state;

	prefix_format(&r->prefix, pfx, sizeof(pfx));
	json_object_begin(c->j);
	if (lineno > 0)
		json_kv_uint(c->j, "line", lineno);
	json_kv_string(c->j, "prefix", pfx);
	json_key(c->j, "origin");
	if (r->origin_none)
		json_null(c->j);
	else
		json_uint(c->j, r->origin);
	state = rov_covering(c->ix, r, NULL, NULL);
	json_kv_string(c->j, "state", rov_state_name(state));
	json_key(c->j, "matched");
	json_array_begin(c->j);
	c->in_matched = 1;
	rov_covering(c->ix, r, visit_json, c);
	json_array_end(c->j);
	json_key(c->j, "unmatched");
	json_array_begin(c->j);
	c->in_matched = 0;
	rov_covering(c->ix, r, visit_json, c);
	json_array_end(c->j);
	json_object_end(c->j);
	return state;
}

static int
check_single_text(struct check_ctx *c, const struct rov_route *r)
{
	static const char *head[] = { "PREFIX", "MAXLEN", "ASN", "TA",
	    "REASON" };
	char pfx[PREFIX_STRLEN], org[TABLE_VRP_CELL];
	int state;

	c->match = table_new(4, head);
	c->nomatch = table_new(5, head);
	if (c->match == NULL || c->nomatch == NULL) {
		c->failed = 1;
		return ROV_NOTFOUND;
	}
	state = rov_covering(c->ix, r, visit_text, c);
	prefix_format(&r->prefix, pfx, sizeof(pfx));
	origin_text(r, org, sizeof(org));
	fprintf(c->out, "%s %s: ", pfx, org);
	table_puts_color(c->out, rov_state_name(state),
	    table_state_color(state), c->color);
	fputc('\n', c->out);
	if (table_nrows(c->match) > 0) {
		fprintf(c->out, "  Matching VRPs:\n");
		table_print(c->match, c->out, 4, c->color);
	}
	if (table_nrows(c->nomatch) > 0) {
		fprintf(c->out, "  Covering VRPs that do not match%s:\n",
		    r->origin_none ? " (origin NONE never matches)" : "");
		table_print(c->nomatch, c->out, 4, c->color);
	}
	if (state == ROV_NOTFOUND)
		fprintf(c->out, "  No VRP covers this prefix.\n");
	table_free(c->match);
	table_free(c->nomatch);
	c->match = c->nomatch = NULL;
	return state;
}

static int
check_batch_text(struct check_ctx *c, const struct rov_route *r)
{
	char pfx[PREFIX_STRLEN], org[TABLE_VRP_CELL], vp[TABLE_VRP_CELL];
	const char *name;
	int state;

	c->nmatch = c->nnomatch = 0;
	c->first_match = NULL;
	state = rov_covering(c->ix, r, visit_count, c);
	prefix_format(&r->prefix, pfx, sizeof(pfx));
	origin_text(r, org, sizeof(org));
	name = rov_state_name(state);
	fprintf(c->out, "%-*s  %-*s  ", CHECK_W_PREFIX, pfx, CHECK_W_ORIGIN,
	    org);
	table_puts_color(c->out, name, table_state_color(state), c->color);
	fprintf(c->out, "%*s", (int)(CHECK_W_STATE - strlen(name) + 2), "");
	if (c->first_match != NULL) {
		prefix_format(&c->first_match->prefix, vp, sizeof(vp));
		fprintf(c->out, "%s-%u %s\n", vp, c->first_match->maxlen,
		    runout_ta_name(c->ro, c->first_match->ta));
	} else if (c->nnomatch > 0)
		fprintf(c->out, "%zu covering VRP%s\n", c->nnomatch,
		    c->nnomatch == 1 ? "" : "s");
	else
		fprintf(c->out, "-\n");
	return state;
}

static int
check_one(const struct rov_route *r, size_t lineno, void *arg)
{
	struct check_ctx *c = arg;
	int state;

	if (c->j != NULL)
		state = check_json(c, r, lineno);
	else if (c->batch)
		state = check_batch_text(c, r);
	else
		state = check_single_text(c, r);
	if (state >= 0 && state <= ROV_INVALID)
		c->count[state]++;
	return c->failed;
}

static void
summary(struct check_ctx *c, size_t nbad)
{
	size_t total = c->count[0] + c->count[1] + c->count[2];

	if (c->j != NULL) {
		json_key(c->j, "summary");
		json_object_begin(c->j);
		json_kv_uint(c->j, "routes", total);
		json_kv_uint(c->j, "valid", c->count[ROV_VALID]);
		json_kv_uint(c->j, "invalid", c->count[ROV_INVALID]);
		json_kv_uint(c->j, "not_found", c->count[ROV_NOTFOUND]);
		json_kv_uint(c->j, "malformed", nbad);
		json_object_end(c->j);
		return;
	}
	if (!c->batch)
		return;
	fprintf(c->out, "%zu route%s: %zu valid, %zu invalid, %zu not-found",
	    total, total == 1 ? "" : "s", c->count[ROV_VALID],
	    c->count[ROV_INVALID], c->count[ROV_NOTFOUND]);
	if (nbad > 0)
		fprintf(c->out, "; %zu malformed line%s", nbad,
		    nbad == 1 ? "" : "s");
	fputc('\n', c->out);
}

static void
json_head(struct check_ctx *c)
{
	char when[GTIME_ISO_LEN + 1];

	json_object_begin(c->j);
	if (gtime_format_iso(c->ro->ho.created, when, sizeof(when)) == 0)
		json_kv_string(c->j, "generated", when);
	json_key(c->j, "routes");
	json_array_begin(c->j);
}

/* Run the routes of a file (or stdin for "-"); sets *nbad; -1 on I/O error. */
static long
check_file(struct check_ctx *c, const char *file, FILE *in, FILE *err,
    size_t *nbad)
{
	FILE *f = in;
	long n;

	if (strcmp(file, "-") != 0 && (f = fopen(file, "r")) == NULL) {
		fprintf(err, "reef check: %s: %s\n", file, strerror(errno));
		return -1;
	}
	if (c->j == NULL) {
		fprintf(c->out, "%-*s  %-*s  ", CHECK_W_PREFIX, "PREFIX",
		    CHECK_W_ORIGIN, "ORIGIN");
		fprintf(c->out, "%-*s  MATCHED BY\n", CHECK_W_STATE, "STATE");
	}
	n = rov_read_routes(f, strcmp(file, "-") == 0 ? "stdin" : file,
	    check_one, c, err, nbad);
	if (n == -1 && !c->failed)
		fprintf(err, "reef check: %s: read error\n", file);
	if (f != in)
		fclose(f);
	return n;
}

/* The exit status for the counts: the worst state seen (cmd_audit.h). */
static int
check_status(const struct check_ctx *c)
{
	if (c->count[ROV_INVALID] > 0)
		return CHECK_EXIT_INVALID;
	if (c->count[ROV_NOTFOUND] > 0)
		return CHECK_EXIT_NOTFOUND;
	return CHECK_EXIT_VALID;
}

/*
 * Run "reef check" (cmd_audit.h).  Returns the exit status.
 */
int
cmd_check_run(int argc, char **argv, FILE *in, FILE *out, FILE *err)
{
	struct check_ctx c;
	struct runout ro;
	struct rov_index *ix = NULL;
	struct rov_route r;
	const char *dir = AUDIT_OUTPUT_DIR, *file = NULL, *val;
	char **ops, why[RUNOUT_ERRLEN];
	size_t nbad = 0;
	int i = 1, k, nops, json = 0, rc = AUDIT_EXIT_ERROR;

	memset(&c, 0, sizeof(c));
	memset(&ro, 0, sizeof(ro));
	while (i < argc && (k = cli_next(argc, argv, &i, check_opts,
	    sizeof(check_opts) / sizeof(check_opts[0]), &val, "check",
	    err)) != CLI_ARG && k != CLI_DONE) {
		switch (k) {
		case OPT_DIR:	dir = val; break;
		case OPT_JSON:	json = 1; break;
		case OPT_FILE:	file = val; break;
		case OPT_HELP:	fputs(CHECK_USAGE, out); return 0;
		default:	fputs(CHECK_USAGE, err); return rc;
		}
	}
	ops = argv + i;
	nops = argc - i;
	if (file == NULL && (nops == 0 ||
	    (nops == 1 && strcmp(ops[0], "-") == 0)))
		file = "-";
	else if (file != NULL ? nops != 0 : nops != 2) {
		fputs(CHECK_USAGE, err);
		return rc;
	}
	if (file == NULL && rov_parse_route(ops[0], ops[1], &r, why,
	    sizeof(why)) == -1) {
		fprintf(err, "reef check: %s\n", why);
		return rc;
	}
	if (runout_load(dir, 0, &ro, why, sizeof(why)) == -1) {
		fprintf(err, "reef check: %s\n", why);
		return rc;
	}
	if ((ix = rov_build(ro.ho.vrps)) == NULL) {
		fprintf(err, "reef check: cannot index the VRPs: %s\n",
		    strerror(errno));
		goto out;
	}
	c.ro = &ro;
	c.ix = ix;
	c.out = out;
	c.color = table_use_color(out);
	c.batch = file != NULL;
	if (json && (c.j = json_new_file(out, JSON_PRETTY)) == NULL)
		goto out;
	if (c.j != NULL)
		json_head(&c);
	if (file == NULL)
		check_one(&r, 0, &c);
	else if (check_file(&c, file, in, err, &nbad) == -1)
		goto out;
	if (c.j != NULL)
		json_array_end(c.j);
	summary(&c, nbad);
	if (c.j != NULL && (json_object_end(c.j) == -1 ||
	    json_finish(c.j) == -1))
		goto out;
	if (c.failed || ferror(out)) {
		fprintf(err, "reef check: output failed\n");
		goto out;
	}
	rc = nbad > 0 ? AUDIT_EXIT_ERROR : check_status(&c);
 out:
	json_free(c.j);
	rov_free(ix);
	runout_free(&ro);
	return rc;
}

int
cmd_check(int argc, char **argv)
{
	return cmd_check_run(argc, argv, stdin, stdout, stderr);
}
