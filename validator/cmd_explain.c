/*
 * reef explain: why a route is (or is not) covered, or what became of an
 * object.  For a prefix (and AS): the VRPs covering it and, for each, the
 * chain of objects behind it (ROA, manifest, CA certificates up to the
 * TA) with their validity; when no VRP makes the route valid, the
 * rejected objects that could have and the reason from report.json.
 * For a URI: that object's fate, chain and payloads.
 *
 * The chain comes from optional report members (runout.h: issuer,
 * manifest, validity, ROA contents); with a report lacking them we say
 * so and show what we can (the VRPs and TA; the rejected objects of the
 * run, unfiltered).
 */
#include <stdlib.h>
#include <string.h>

#include "common/gtime.h"
#include "common/json.h"
#include "common/limits.h"
#include "validator/cmd_audit.h"
#include "validator/rov.h"
#include "validator/runout.h"
#include "validator/table.h"

#define EXPLAIN_USAGE \
	"usage: reef explain [-o dir] [--json] prefix [asn]\n" \
	"       reef explain [-o dir] [--json] uri\n"
/* Rejected objects listed when the report cannot narrow them down. */
#define EXPLAIN_MAX_REJECTED	50
/* Certificates followed up from an object (the tree depth and the object). */
#define EXPLAIN_MAX_CHAIN	(MAX_CERT_DEPTH + 2)
/* Objects listed under a URI that names a directory. */
#define EXPLAIN_MAX_LISTED	200

enum { OPT_DIR, OPT_JSON, OPT_HELP };

static const struct cli_opt explain_opts[] = {
	[OPT_DIR] =	{ "output-dir", 'o', 1 },
	[OPT_JSON] =	{ "json", 0, 0 },
	[OPT_HELP] =	{ "help", 'h', 0 },
};

struct explain_ctx {
	const struct runout	*ro;
	const struct rov_index	*ix;
	struct rov_route	 route;
	int			 have_asn;
	struct json		*j;
	FILE			*out;
	int			 color;
	size_t			 nvrps;
	int			 failed;
};

static void
time_text(int64_t t, char *buf, size_t len)
{
	if (gtime_format_iso(t, buf, len) != 0)
		snprintf(buf, len, "?");
}

/* One object as a line of text: "type uri: accepted (dates)". */
static void
obj_text(struct explain_ctx *c, const struct runout_obj *o, int indent)
{
	char a[GTIME_ISO_LEN + 1], b[GTIME_ISO_LEN + 1];

	fprintf(c->out, "%*s%-4s %s  ", indent, "", o->type, o->uri);
	table_puts_color(c->out, o->accepted ? "accepted" : "rejected",
	    o->accepted ? TC_GREEN : TC_RED, c->color);
	if (o->has_validity) {
		time_text(o->not_before, a, sizeof(a));
		time_text(o->not_after, b, sizeof(b));
		fprintf(c->out, "  valid %s .. %s", a, b);
	}
	if (o->has_update) {
		time_text(o->this_update, a, sizeof(a));
		time_text(o->next_update, b, sizeof(b));
		fprintf(c->out, "  updated %s, next %s", a, b);
	}
	fputc('\n', c->out);
	if (o->reason != NULL)
		fprintf(c->out, "%*s     %s\n", indent, "", o->reason);
}

static void
kv_time(struct json *j, const char *key, int64_t t)
{
	char buf[GTIME_ISO_LEN + 1];

	if (gtime_format_iso(t, buf, sizeof(buf)) == 0)
		json_kv_string(j, key, buf);
}

static void
obj_json(struct json *j, const struct runout_obj *o)
{
	json_object_begin(j);
	json_kv_string(j, "uri", o->uri);
	json_kv_string(j, "type", o->type);
	json_kv_bool(j, "accepted", o->accepted);
	if (o->reason != NULL)
		json_kv_string(j, "reason", o->reason);
	if (o->rule != NULL)
		json_kv_string(j, "rule", o->rule);
	if (o->ta != NULL)
		json_kv_string(j, "ta", o->ta);
	if (o->issuer != NULL)
		json_kv_string(j, "issuer", o->issuer);
	if (o->manifest != NULL)
		json_kv_string(j, "manifest", o->manifest);
	if (o->has_validity) {
		kv_time(j, "not_before", o->not_before);
		kv_time(j, "not_after", o->not_after);
	}
	if (o->has_update) {
		kv_time(j, "this_update", o->this_update);
		kv_time(j, "next_update", o->next_update);
	}
	json_object_end(j);
}

/*
 * The chain above o: its manifest, then its issuer and theirs up to the
 * TA, as far as the report records them (loops and depth bounded).
 */
static void
chain_out(struct explain_ctx *c, const struct runout_obj *o, int indent)
{
	const struct runout_obj *seen[EXPLAIN_MAX_CHAIN], *m, *p = o;
	size_t n = 0, i;

	if (c->j != NULL) {
		json_key(c->j, "chain");
		json_array_begin(c->j);
	}
	while (p != NULL && n < EXPLAIN_MAX_CHAIN) {
		for (i = 0; i < n; i++)
			if (seen[i] == p)
				break;
		if (i < n)
			break;
		seen[n++] = p;
		if (c->j != NULL)
			obj_json(c->j, p);
		else
			obj_text(c, p, indent);
		if (p->manifest != NULL &&
		    (m = runout_find(c->ro, p->manifest)) != NULL) {
			if (c->j != NULL)
				obj_json(c->j, m);
			else
				obj_text(c, m, indent + 2);
		}
		p = runout_issuer(c->ro, p);
		indent += 2;
	}
	if (c->j != NULL)
		json_array_end(c->j);
}

static int
visit_vrp(const struct vrp *v, enum rov_why w, void *arg)
{
	struct explain_ctx *c = arg;
	char pfx[TABLE_VRP_CELL], ml[TABLE_VRP_CELL], asn[TABLE_VRP_CELL];
	const struct runout_obj *roa = runout_roa_of(c->ro, v);
	const char *ta = runout_ta_name(c->ro, v->ta);

	c->nvrps++;
	if (c->j != NULL) {
		json_object_begin(c->j);
		table_vrp_members(c->j, v, ta);
		if (c->have_asn)
			json_kv_string(c->j, "match", rov_why_name(w));
		if (roa != NULL)
			chain_out(c, roa, 0);
		json_object_end(c->j);
		return 0;
	}
	table_vrp_cells(v, pfx, ml, asn);
	fprintf(c->out, "  VRP %s-%s %s  TA %s", pfx, ml, asn, ta);
	if (c->have_asn) {
		fputs("  ", c->out);
		table_puts_color(c->out, w == ROV_MATCH ? "matches" :
		    rov_why_name(w), w == ROV_MATCH ? TC_GREEN : TC_RED,
		    c->color);
		if (w != ROV_MATCH)
			fputs(" mismatch", c->out);
	}
	fputc('\n', c->out);
	if (roa != NULL)
		chain_out(c, roa, 4);
	else if (c->ro->has_payloads)
		fprintf(c->out, "    no ROA in report.json carries it "
		    "(SLURM assertion?)\n");
	return 0;
}

/* Could the rejected entry o have given a VRP covering the route? */
static int
rejected_relevant(const struct explain_ctx *c, const struct runout_obj *o)
{
	size_t i;

	if (o->accepted)
		return 0;
	if (!c->ro->has_payloads)
		return 1;	/* cannot tell: list them all */
	if (!o->has_asn)
		return strcmp(o->type, "roa") != 0;
	for (i = 0; i < o->nprefixes; i++)
		if (prefix_covers(&o->prefixes[i].prefix, &c->route.prefix))
			return 1;
	return 0;
}

static size_t
rejected_out(struct explain_ctx *c)
{
	size_t i, n = 0;

	if (c->j != NULL) {
		json_key(c->j, "rejected");
		json_array_begin(c->j);
	}
	for (i = 0; i < c->ro->nobjs; i++) {
		const struct runout_obj *o = &c->ro->objs[i];

		if (!rejected_relevant(c, o))
			continue;
		if (++n > EXPLAIN_MAX_REJECTED)
			continue;
		if (c->j != NULL) {
			json_object_begin(c->j);
			json_key(c->j, "object");
			obj_json(c->j, o);
			chain_out(c, o, 0);
			json_object_end(c->j);
		} else
			chain_out(c, o, 4);
	}
	if (c->j != NULL) {
		json_array_end(c->j);
		json_kv_uint(c->j, "rejected_total", n);
	} else if (n > EXPLAIN_MAX_REJECTED)
		fprintf(c->out, "    ... and %zu more\n",
		    n - EXPLAIN_MAX_REJECTED);
	return n;
}

static const char *
report_note(const struct runout *ro)
{
	if (!ro->has_report)
		return "no report.json: objects cannot be shown";
	if (!ro->has_chain)
		return "report.json records no issuer chain or ROA contents: "
		    "VRPs cannot be traced to their objects";
	return NULL;
}

static int
explain_prefix(struct explain_ctx *c)
{
	char pfx[PREFIX_STRLEN];
	const char *note = report_note(c->ro);
	int state;
	size_t nrej = 0;

	prefix_format(&c->route.prefix, pfx, sizeof(pfx));
	state = rov_covering(c->ix, &c->route, NULL, NULL);
	if (c->j != NULL) {
		json_kv_string(c->j, "prefix", pfx);
		if (c->have_asn) {
			json_key(c->j, "origin");
			if (c->route.origin_none)
				json_null(c->j);
			else
				json_uint(c->j, c->route.origin);
			json_kv_string(c->j, "state", rov_state_name(state));
		}
		if (note != NULL)
			json_kv_string(c->j, "note", note);
		json_key(c->j, "vrps");
		json_array_begin(c->j);
	} else {
		fprintf(c->out, "%s", pfx);
		if (c->have_asn) {
			if (c->route.origin_none)
				fprintf(c->out, " NONE: ");
			else
				fprintf(c->out, " AS%u: ", c->route.origin);
			table_puts_color(c->out, rov_state_name(state),
			    table_state_color(state), c->color);
		}
		fputc('\n', c->out);
		if (note != NULL)
			fprintf(c->out, "  (%s)\n", note);
	}
	rov_covering(c->ix, &c->route, visit_vrp, c);
	if (c->j != NULL)
		json_array_end(c->j);
	else if (c->nvrps == 0)
		fprintf(c->out, "  No VRP covers this prefix.\n");
	if (c->have_asn && state != ROV_VALID && c->ro->has_report) {
		if (c->j == NULL)
			fprintf(c->out, "  Rejected objects%s:\n",
			    c->ro->has_payloads ? " that could have covered "
			    "it" : " of the run (the report cannot tell which "
			    "ROA would have covered it)");
		nrej = rejected_out(c);
		if (nrej == 0 && c->j == NULL)
			fprintf(c->out, "    none\n");
	}
	return c->nvrps + nrej > 0 ? 0 : 1;
}

/* The VRPs a ROA entry lists, and whether each is in the run's set. */
static void
roa_payloads(struct explain_ctx *c, const struct runout_obj *o)
{
	char pfx[PREFIX_STRLEN];
	const struct vrp *v;
	size_t i;

	if (c->j != NULL) {
		json_key(c->j, "vrps");
		json_array_begin(c->j);
	} else
		fprintf(c->out, "  VRPs (AS%u):\n", o->asn);
	for (i = 0; i < o->nprefixes; i++) {
		v = vrpset_find(c->ro->ho.vrps, &o->prefixes[i].prefix,
		    o->prefixes[i].maxlen, o->asn);
		prefix_format(&o->prefixes[i].prefix, pfx, sizeof(pfx));
		if (c->j != NULL) {
			json_object_begin(c->j);
			json_kv_uint(c->j, "asn", o->asn);
			json_kv_string(c->j, "prefix", pfx);
			json_kv_uint(c->j, "maxLength", o->prefixes[i].maxlen);
			json_kv_bool(c->j, "in_output", v != NULL);
			json_object_end(c->j);
		} else
			fprintf(c->out, "    %s-%u %s\n", pfx,
			    o->prefixes[i].maxlen, v != NULL ? "in the output" :
			    "not in the output");
	}
	if (c->j != NULL)
		json_array_end(c->j);
}

/* Entries under uri (a publication point or directory), bounded. */
static size_t
list_under(struct explain_ctx *c, const char *uri)
{
	size_t i, n = 0, len = strlen(uri);

	if (c->j != NULL) {
		json_key(c->j, "objects");
		json_array_begin(c->j);
	}
	for (i = 0; i < c->ro->nobjs; i++) {
		if (strncmp(c->ro->objs[i].uri, uri, len) != 0)
			continue;
		if (++n > EXPLAIN_MAX_LISTED)
			continue;
		if (c->j != NULL)
			obj_json(c->j, &c->ro->objs[i]);
		else
			obj_text(c, &c->ro->objs[i], 2);
	}
	if (c->j != NULL)
		json_array_end(c->j);
	else if (n > EXPLAIN_MAX_LISTED)
		fprintf(c->out, "  ... and %zu more\n", n - EXPLAIN_MAX_LISTED);
	return n;
}

static int
explain_uri(struct explain_ctx *c, const char *uri)
{
	const struct runout_obj *o = runout_find(c->ro, uri);
	const char *note = report_note(c->ro);

	if (c->j != NULL) {
		json_kv_string(c->j, "uri", uri);
		if (note != NULL)
			json_kv_string(c->j, "note", note);
	} else if (note != NULL && c->ro->has_report)
		fprintf(c->out, "(%s)\n", note);
	if (!c->ro->has_report) {
		if (c->j == NULL)
			fprintf(c->out, "%s: no report.json in %s\n", uri,
			    c->ro->dir);
		return 1;
	}
	if (o == NULL) {
		if (c->j == NULL)
			fprintf(c->out, "%s: not in the report; objects under "
			    "it:\n", uri);
		return list_under(c, uri) > 0 ? 0 : 1;
	}
	if (c->j != NULL) {
		json_key(c->j, "object");
		obj_json(c->j, o);
		chain_out(c, o, 0);
	} else {
		fprintf(c->out, "%s\n", uri);
		chain_out(c, o, 2);
		if (o->rule != NULL)
			fprintf(c->out, "  rule: %s\n", o->rule);
	}
	if (o->has_asn && o->nprefixes > 0)
		roa_payloads(c, o);
	return 0;
}

/*
 * Run "reef explain" (cmd_audit.h).  Returns the exit status.
 */
int
cmd_explain_run(int argc, char **argv, FILE *out, FILE *err)
{
	struct explain_ctx c;
	struct runout ro;
	struct rov_index *ix = NULL;
	const char *dir = AUDIT_OUTPUT_DIR, *val, *uri = NULL;
	char why[RUNOUT_ERRLEN];
	int i = 1, k, json = 0, rc = AUDIT_EXIT_ERROR, nops;

	memset(&c, 0, sizeof(c));
	memset(&ro, 0, sizeof(ro));
	while (i < argc && (k = cli_next(argc, argv, &i, explain_opts,
	    sizeof(explain_opts) / sizeof(explain_opts[0]), &val, "explain",
	    err)) != CLI_ARG && k != CLI_DONE) {
		switch (k) {
		case OPT_DIR:	dir = val; break;
		case OPT_JSON:	json = 1; break;
		case OPT_HELP:	fputs(EXPLAIN_USAGE, out); return 0;
		default:	fputs(EXPLAIN_USAGE, err); return rc;
		}
	}
	nops = argc - i;
	if (nops == 1 && strstr(argv[i], "://") != NULL)
		uri = argv[i];
	else if (nops == 1) {
		memset(&c.route, 0, sizeof(c.route));
		if ((k = prefix_parse(argv[i], &c.route.prefix)) != PREFIX_OK) {
			fprintf(err, "reef explain: bad prefix \"%s\": %s\n",
			    argv[i], prefix_strerror(k));
			return rc;
		}
	} else if (nops == 2) {
		if (rov_parse_route(argv[i], argv[i + 1], &c.route, why,
		    sizeof(why)) == -1) {
			fprintf(err, "reef explain: %s\n", why);
			return rc;
		}
		c.have_asn = 1;
	} else {
		fputs(EXPLAIN_USAGE, err);
		return rc;
	}
	if (runout_load(dir, 0, &ro, why, sizeof(why)) == -1) {
		fprintf(err, "reef explain: %s\n", why);
		return rc;
	}
	c.ro = &ro;
	c.out = out;
	c.color = table_use_color(out);
	if ((ix = rov_build(ro.ho.vrps)) == NULL) {
		fprintf(err, "reef explain: out of memory\n");
		goto out;
	}
	c.ix = ix;
	if (json) {
		if ((c.j = json_new_file(out, JSON_PRETTY)) == NULL)
			goto out;
		json_object_begin(c.j);
	}
	k = uri != NULL ? explain_uri(&c, uri) : explain_prefix(&c);
	if (c.j != NULL && (json_object_end(c.j) == -1 ||
	    json_finish(c.j) == -1)) {
		fprintf(err, "reef explain: output failed\n");
		goto out;
	}
	rc = ferror(out) ? AUDIT_EXIT_ERROR : k;
 out:
	json_free(c.j);
	rov_free(ix);
	runout_free(&ro);
	return rc;
}

int
cmd_explain(int argc, char **argv)
{
	return cmd_explain_run(argc, argv, stdout, stderr);
}
