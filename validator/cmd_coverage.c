/*
 * reef coverage: for an AS and/or a list of announced routes, which
 * routes are covered by VRPs (valid), contradicted (invalid) or not
 * covered (not-found); the VRPs involved, flagging those whose
 * maxLength permits more-specifics that are not announced (RFC 9319
 * section 4 recommends against such ROAs: they let a forged-origin
 * sub-prefix hijack pass as valid); and totals per TA.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/asn.h"
#include "common/json.h"
#include "common/limits.h"
#include "validator/cmd_audit.h"
#include "validator/rov.h"
#include "validator/runout.h"
#include "validator/table.h"

#define COVERAGE_USAGE \
	"usage: reef coverage [-o dir] [--json] [-f routes | -] [asn]\n"
/* Above this many permitted more-specifics we print "many" (2^62). */
#define COVERAGE_MAX_SHIFT	62
/* Rows of per-TA totals: the TAs and one for an index out of range. */
#define COVERAGE_MAX_TAS	(MAX_TALS + 1)
/* Routes allocated first; doubles from there. */
#define COVERAGE_INITIAL_ROUTES	1024

enum { OPT_DIR, OPT_JSON, OPT_FILE, OPT_HELP };

static const struct cli_opt coverage_opts[] = {
	[OPT_DIR] =	{ "output-dir", 'o', 1 },
	[OPT_JSON] =	{ "json", 0, 0 },
	[OPT_FILE] =	{ "file", 'f', 1 },
	[OPT_HELP] =	{ "help", 'h', 0 },
};

struct ta_total {
	size_t	vrps, loose, valid, invalid;
};

struct cov_route {
	struct rov_route	r;
	int			state;
};

struct cov_ctx {
	const struct runout	*ro;
	const struct rov_index	*ix;
	const struct vrp	*base;		/* first VRP of the set */
	int			 have_asn;
	uint32_t		 asn;
	int			 have_routes;
	struct cov_route	*routes;
	size_t			 nroutes, cap;
	size_t			 count[3];
	size_t			*matched;	/* per VRP: routes it validates */
	uint8_t			*relevant;	/* per VRP: listed */
	struct ta_total		 ta[COVERAGE_MAX_TAS];
	/* Per route, while visiting: TAs seen (bit per row). */
	uint32_t		 seen_valid, seen_cover;
	struct json		*j;
	FILE			*out;
	int			 color;
	int			 failed;
};

static size_t
ta_row(const struct cov_ctx *c, uint32_t ta)
{
	return ta < c->ro->ho.nta && ta < MAX_TALS ? ta : MAX_TALS;
}

static const char *
ta_row_name(const struct cov_ctx *c, size_t row)
{
	return row < c->ro->ho.nta ? c->ro->ho.ta_names[row] : "unknown";
}

static int
route_cmp(const void *a, const void *b)
{
	const struct cov_route *x = a, *y = b;
	int r;

	if ((r = prefix_cmp(&x->r.prefix, &y->r.prefix)) != 0)
		return r;
	if (x->r.origin_none != y->r.origin_none)
		return x->r.origin_none - y->r.origin_none;
	return x->r.origin < y->r.origin ? -1 : x->r.origin > y->r.origin;
}

static int
keep_route(const struct rov_route *r, size_t lineno, void *arg)
{
	struct cov_ctx *c = arg;
	struct cov_route *n;

	if (c->have_asn && (r->origin_none || r->origin != c->asn))
		return 0;
	if (c->nroutes == c->cap) {
		c->cap = c->cap == 0 ? COVERAGE_INITIAL_ROUTES : c->cap * 2;
		if ((n = reallocarray(c->routes, c->cap, sizeof(*n))) == NULL)
			return 1;
		c->routes = n;
	}
	c->routes[c->nroutes].r = *r;
	c->routes[c->nroutes++].state = ROV_NOTFOUND;
	return 0;
}

/* Sort and drop duplicates (a table dump repeats a route per peer). */
static void
unique_routes(struct cov_ctx *c)
{
	size_t i, k = 0;

	if (c->nroutes == 0)
		return;
	qsort(c->routes, c->nroutes, sizeof(*c->routes), route_cmp);
	for (i = 1; i < c->nroutes; i++)
		if (route_cmp(&c->routes[k], &c->routes[i]) != 0)
			c->routes[++k] = c->routes[i];
	c->nroutes = k + 1;
}

static int
visit(const struct vrp *v, enum rov_why w, void *arg)
{
	struct cov_ctx *c = arg;
	size_t row = ta_row(c, v->ta);

	c->seen_cover |= 1u << row;
	if (w == ROV_MATCH) {
		c->seen_valid |= 1u << row;
		c->matched[v - c->base]++;
		c->relevant[v - c->base] = 1;
	}
	return 0;
}

static void
classify(struct cov_ctx *c)
{
	size_t i, row;

	for (i = 0; i < c->nroutes; i++) {
		c->seen_valid = c->seen_cover = 0;
		c->routes[i].state = rov_covering(c->ix, &c->routes[i].r, visit,
		    c);
		c->count[c->routes[i].state]++;
		for (row = 0; row < COVERAGE_MAX_TAS; row++) {
			if (c->routes[i].state == ROV_VALID &&
			    (c->seen_valid & 1u << row))
				c->ta[row].valid++;
			if (c->routes[i].state == ROV_INVALID &&
			    (c->seen_cover & 1u << row))
				c->ta[row].invalid++;
		}
	}
}

/* More-specifics (the prefix itself included) v permits: 2^(d+1) - 1. */
static uint64_t
permitted(const struct vrp *v)
{
	unsigned int d = v->maxlen - v->prefix.len;

	if (d >= COVERAGE_MAX_SHIFT)
		return UINT64_MAX;
	return ((uint64_t)1 << (d + 1)) - 1;
}

/* RFC 9319: a maxLength beyond the length and not all of it announced. */
static int
is_loose(const struct cov_ctx *c, const struct vrp *v)
{
	if (v->maxlen <= v->prefix.len)
		return 0;
	if (!c->have_routes)
		return 1;
	return c->matched[v - c->base] < permitted(v);
}

static void
count_vrps(struct cov_ctx *c)
{
	const struct vrpset *s = c->ro->ho.vrps;
	const struct vrp *v;
	size_t i, n = vrpset_count(s);

	for (i = 0; i < n; i++) {
		v = vrpset_get(s, i);
		if (c->have_asn && v->asn == c->asn)
			c->relevant[i] = 1;
		if (!c->relevant[i])
			continue;
		c->ta[ta_row(c, v->ta)].vrps++;
		if (is_loose(c, v))
			c->ta[ta_row(c, v->ta)].loose++;
	}
}

static void
loose_note(const struct cov_ctx *c, const struct vrp *v, char *buf,
    size_t len)
{
	uint64_t p = permitted(v);

	buf[0] = '\0';
	if (!is_loose(c, v))
		return;
	if (!c->have_routes)
		snprintf(buf, len, "maxLength permits %llu prefixes: are all "
		    "announced? (RFC 9319)", (unsigned long long)p);
	else if (p == UINT64_MAX)
		snprintf(buf, len, "maxLength permits many unannounced "
		    "prefixes (RFC 9319)");
	else
		snprintf(buf, len, "maxLength permits %llu unannounced "
		    "prefix%s (RFC 9319)",
		    (unsigned long long)(p - c->matched[v - c->base]),
		    p - c->matched[v - c->base] == 1 ? "" : "es");
}

static int
routes_text(struct cov_ctx *c)
{
	static const char *head[] = { "PREFIX", "ORIGIN", "STATE" };
	char pfx[PREFIX_STRLEN], org[TABLE_VRP_CELL];
	const char *cells[3];
	struct table *t;
	size_t i;

	fprintf(c->out, "Routes: %zu (%zu valid, %zu invalid, %zu "
	    "not-found)\n", c->nroutes, c->count[ROV_VALID],
	    c->count[ROV_INVALID], c->count[ROV_NOTFOUND]);
	if ((t = table_new(3, head)) == NULL)
		return -1;
	for (i = 0; i < c->nroutes; i++) {
		const struct rov_route *r = &c->routes[i].r;

		prefix_format(&r->prefix, pfx, sizeof(pfx));
		if (r->origin_none)
			snprintf(org, sizeof(org), "NONE");
		else
			snprintf(org, sizeof(org), "AS%u", r->origin);
		cells[0] = pfx;
		cells[1] = org;
		cells[2] = rov_state_name(c->routes[i].state);
		if (table_row(t, cells) == -1) {
			table_free(t);
			return -1;
		}
		table_color(t, 2, table_state_color(c->routes[i].state));
	}
	table_print(t, c->out, 2, c->color);
	table_free(t);
	return 0;
}

static int
vrps_text(struct cov_ctx *c)
{
	static const char *head[] = { "PREFIX", "MAXLEN", "ASN", "TA",
	    "ROUTES", "NOTE" };
	char pfx[TABLE_VRP_CELL], ml[TABLE_VRP_CELL], asn[TABLE_VRP_CELL];
	char nr[TABLE_VRP_CELL], note[TABLE_MAX_CELL];
	const char *cells[6];
	const struct vrp *v;
	struct table *t;
	size_t i, n = vrpset_count(c->ro->ho.vrps), shown = 0;

	if ((t = table_new(6, head)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (!c->relevant[i])
			continue;
		v = vrpset_get(c->ro->ho.vrps, i);
		table_vrp_cells(v, pfx, ml, asn);
		if (c->have_routes)
			snprintf(nr, sizeof(nr), "%zu", c->matched[i]);
		else
			snprintf(nr, sizeof(nr), "-");
		loose_note(c, v, note, sizeof(note));
		cells[0] = pfx;
		cells[1] = ml;
		cells[2] = asn;
		cells[3] = runout_ta_name(c->ro, v->ta);
		cells[4] = nr;
		cells[5] = note;
		if (table_row(t, cells) == -1) {
			table_free(t);
			return -1;
		}
		if (note[0] != '\0')
			table_color(t, 5, TC_YELLOW);
		shown++;
	}
	if (c->have_asn)
		fprintf(c->out, "VRPs for AS%u: %zu\n", c->asn, shown);
	else
		fprintf(c->out, "VRPs validating the routes: %zu\n", shown);
	table_print(t, c->out, 2, c->color);
	table_free(t);
	return 0;
}

static int
tas_text(struct cov_ctx *c)
{
	static const char *head[] = { "TA", "VRPS", "LOOSE", "VALID",
	    "INVALID" };
	char b[4][TABLE_VRP_CELL];
	const char *cells[5];
	struct table *t;
	size_t row;

	if ((t = table_new(5, head)) == NULL)
		return -1;
	for (row = 0; row < COVERAGE_MAX_TAS; row++) {
		const struct ta_total *x = &c->ta[row];

		if (row >= c->ro->ho.nta && x->vrps + x->valid + x->invalid == 0)
			continue;
		snprintf(b[0], sizeof(b[0]), "%zu", x->vrps);
		snprintf(b[1], sizeof(b[1]), "%zu", x->loose);
		snprintf(b[2], sizeof(b[2]), "%zu", x->valid);
		snprintf(b[3], sizeof(b[3]), "%zu", x->invalid);
		cells[0] = ta_row_name(c, row);
		cells[1] = b[0];
		cells[2] = b[1];
		cells[3] = b[2];
		cells[4] = b[3];
		if (table_row(t, cells) == -1) {
			table_free(t);
			return -1;
		}
	}
	fprintf(c->out, "Per TA:\n");
	table_print(t, c->out, 2, c->color);
	table_free(t);
	return 0;
}

static int
coverage_text(struct cov_ctx *c)
{
	if (c->have_routes && routes_text(c) == -1)
		return -1;
	if (vrps_text(c) == -1 || tas_text(c) == -1)
		return -1;
	return ferror(c->out) ? -1 : 0;
}

static int
match_json(const struct vrp *v, enum rov_why w, void *arg)
{
	struct cov_ctx *c = arg;

	if (w == ROV_MATCH)
		table_vrp_json(c->j, v, runout_ta_name(c->ro, v->ta));
	return 0;
}

static void
coverage_json_routes(struct cov_ctx *c)
{
	char pfx[PREFIX_STRLEN];
	size_t i;

	json_key(c->j, "routes");
	json_array_begin(c->j);
	for (i = 0; i < c->nroutes; i++) {
		const struct rov_route *r = &c->routes[i].r;

		prefix_format(&r->prefix, pfx, sizeof(pfx));
		json_object_begin(c->j);
		json_kv_string(c->j, "prefix", pfx);
		json_key(c->j, "origin");
		if (r->origin_none)
			json_null(c->j);
		else
			json_uint(c->j, r->origin);
		json_kv_string(c->j, "state",
		    rov_state_name(c->routes[i].state));
		json_key(c->j, "matched");
		json_array_begin(c->j);
		rov_covering(c->ix, r, match_json, c);
		json_array_end(c->j);
		json_object_end(c->j);
	}
	json_array_end(c->j);
}

static int
coverage_json(struct cov_ctx *c, size_t nbad)
{
	const struct vrp *v;
	size_t i, n = vrpset_count(c->ro->ho.vrps), row;

	json_object_begin(c->j);
	json_key(c->j, "asn");
	if (c->have_asn)
		json_uint(c->j, c->asn);
	else
		json_null(c->j);
	if (c->have_routes)
		coverage_json_routes(c);
	json_key(c->j, "vrps");
	json_array_begin(c->j);
	for (i = 0; i < n; i++) {
		if (!c->relevant[i])
			continue;
		v = vrpset_get(c->ro->ho.vrps, i);
		json_object_begin(c->j);
		table_vrp_members(c->j, v, runout_ta_name(c->ro, v->ta));
		if (c->have_routes)
			json_kv_uint(c->j, "routes", c->matched[i]);
		json_kv_uint(c->j, "permitted", permitted(v));
		json_kv_bool(c->j, "loose", is_loose(c, v));
		json_object_end(c->j);
	}
	json_array_end(c->j);
	json_key(c->j, "tas");
	json_array_begin(c->j);
	for (row = 0; row < COVERAGE_MAX_TAS; row++) {
		const struct ta_total *x = &c->ta[row];

		if (row >= c->ro->ho.nta && x->vrps + x->valid + x->invalid == 0)
			continue;
		json_object_begin(c->j);
		json_kv_string(c->j, "ta", ta_row_name(c, row));
		json_kv_uint(c->j, "vrps", x->vrps);
		json_kv_uint(c->j, "loose", x->loose);
		json_kv_uint(c->j, "valid", x->valid);
		json_kv_uint(c->j, "invalid", x->invalid);
		json_object_end(c->j);
	}
	json_array_end(c->j);
	json_key(c->j, "summary");
	json_object_begin(c->j);
	json_kv_uint(c->j, "routes", c->nroutes);
	json_kv_uint(c->j, "valid", c->count[ROV_VALID]);
	json_kv_uint(c->j, "invalid", c->count[ROV_INVALID]);
	json_kv_uint(c->j, "not_found", c->count[ROV_NOTFOUND]);
	json_kv_uint(c->j, "malformed", nbad);
	json_object_end(c->j);
	json_object_end(c->j);
	return json_finish(c->j);
}

static int
read_routes(struct cov_ctx *c, const char *file, FILE *in, FILE *err,
    size_t *nbad)
{
	FILE *f = in;
	long n;

	if (strcmp(file, "-") != 0 && (f = fopen(file, "r")) == NULL) {
		fprintf(err, "reef coverage: %s: %s\n", file, strerror(errno));
		return -1;
	}
	n = rov_read_routes(f, strcmp(file, "-") == 0 ? "stdin" : file,
	    keep_route, c, err, nbad);
	if (f != in)
		fclose(f);
	if (n == -1) {
		fprintf(err, "reef coverage: %s: read error or out of "
		    "memory\n", file);
		return -1;
	}
	unique_routes(c);
	return 0;
}

/*
 * Run "reef coverage" (cmd_audit.h).  Returns the exit status.
 */
int
cmd_coverage_run(int argc, char **argv, FILE *in, FILE *out, FILE *err)
{
	struct cov_ctx c;
	struct runout ro;
	struct rov_index *ix = NULL;
	const char *dir = AUDIT_OUTPUT_DIR, *file = NULL, *val;
	char why[RUNOUT_ERRLEN];
	size_t nbad = 0, n;
	int i = 1, k, json = 0, rc = AUDIT_EXIT_ERROR, e;

	memset(&c, 0, sizeof(c));
	memset(&ro, 0, sizeof(ro));
	while (i < argc && (k = cli_next(argc, argv, &i, coverage_opts,
	    sizeof(coverage_opts) / sizeof(coverage_opts[0]), &val,
	    "coverage", err)) != CLI_ARG && k != CLI_DONE) {
		switch (k) {
		case OPT_DIR:	dir = val; break;
		case OPT_JSON:	json = 1; break;
		case OPT_FILE:	file = val; break;
		case OPT_HELP:	fputs(COVERAGE_USAGE, out); return 0;
		default:	fputs(COVERAGE_USAGE, err); return rc;
		}
	}
	if (argc - i > 1 || (argc - i == 0 && file == NULL)) {
		fputs(COVERAGE_USAGE, err);
		return rc;
	}
	if (argc - i == 1) {
		if ((e = asn_parse(argv[i], &c.asn)) != ASN_OK) {
			fprintf(err, "reef coverage: bad AS number \"%s\": "
			    "%s\n", argv[i], asn_strerror(e));
			return rc;
		}
		c.have_asn = 1;
	}
	if (runout_load(dir, 0, &ro, why, sizeof(why)) == -1) {
		fprintf(err, "reef coverage: %s\n", why);
		return rc;
	}
	c.ro = &ro;
	c.out = out;
	c.color = table_use_color(out);
	n = vrpset_count(ro.ho.vrps);
	c.base = vrpset_get(ro.ho.vrps, 0);
	if ((ix = rov_build(ro.ho.vrps)) == NULL ||
	    (c.matched = calloc(n + 1, sizeof(*c.matched))) == NULL ||
	    (c.relevant = calloc(n + 1, sizeof(*c.relevant))) == NULL) {
		fprintf(err, "reef coverage: out of memory\n");
		goto out;
	}
	c.ix = ix;
	if (file != NULL) {
		c.have_routes = 1;
		if (read_routes(&c, file, in, err, &nbad) == -1)
			goto out;
		classify(&c);
	}
	count_vrps(&c);
	if (json) {
		if ((c.j = json_new_file(out, JSON_PRETTY)) == NULL ||
		    coverage_json(&c, nbad) == -1)
			goto fail;
	} else if (coverage_text(&c) == -1)
		goto fail;
	rc = nbad > 0 ? AUDIT_EXIT_ERROR : c.count[ROV_INVALID] > 0 ? 1 : 0;
	goto out;
 fail:
	fprintf(err, "reef coverage: output failed\n");
 out:
	json_free(c.j);
	free(c.routes);
	free(c.matched);
	free(c.relevant);
	rov_free(ix);
	runout_free(&ro);
	return rc;
}

int
cmd_coverage(int argc, char **argv)
{
	return cmd_coverage_run(argc, argv, stdin, stdout, stderr);
}
