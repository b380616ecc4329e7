/*
 * reef diff: what changed between two runs: VRPs, ASPAs and router keys
 * announced and withdrawn (grouped by TA, and by issuing CA when the
 * reports say which ROA gave a VRP), and the objects behind them whose
 * fate changed (from the two report.json files).
 */
#include <stdlib.h>
#include <string.h>

#include "common/gtime.h"
#include "common/json.h"
#include "validator/cmd_audit.h"
#include "validator/runout.h"
#include "validator/table.h"

#define DIFF_USAGE	"usage: reef diff [--json] old_dir new_dir\n"
/* Hex SKI and NUL. */
#define DIFF_SKI_HEX	(ROUTER_KEY_SKI_LEN * 2 + 1)
/* Shown ASPA provider text, longer lists are cut. */
#define DIFF_PROVIDERS_TEXT	256

enum { OPT_JSON, OPT_HELP };

static const struct cli_opt diff_opts[] = {
	[OPT_JSON] =	{ "json", 0, 0 },
	[OPT_HELP] =	{ "help", 'h', 0 },
};

struct diff_ctx {
	const struct runout	*old, *new;
	struct vrp_diff		 vd;
	struct aspa_diff	 ad;
	struct rk_diff		 kd;
	size_t			 nadded, nremoved, nchanged;
	struct json		*j;
	FILE			*out;
	int			 color;
};

/* A VRP with the side it comes from, for sorting by TA and CA. */
struct dvrp {
	const struct vrp	*v;
	const struct runout	*ro;
	const char		*ta;
	const char		*ca;	/* issuer of its ROA, or NULL */
	const char		*roa;	/* URI of its ROA, or NULL */
	int			 sign;	/* '+' or '-' */
};

static int
dvrp_cmp(const void *a, const void *b)
{
	const struct dvrp *x = a, *y = b;
	int c;

	if ((c = strcmp(x->ta, y->ta)) != 0)
		return c;
	if ((c = strcmp(x->ca != NULL ? x->ca : "",
	    y->ca != NULL ? y->ca : "")) != 0)
		return c;
	if (x->sign != y->sign)
		return x->sign == '-' ? -1 : 1;
	return vrp_cmp(x->v, y->v);
}

static void
dvrp_fill(struct dvrp *d, const struct vrp *v, const struct runout *ro,
    int sign)
{
	const struct runout_obj *roa;

	d->v = v;
	d->ro = ro;
	d->ta = runout_ta_name(ro, v->ta);
	d->sign = sign;
	d->ca = d->roa = NULL;
	if ((roa = runout_roa_of(ro, v)) != NULL) {
		d->roa = roa->uri;
		d->ca = roa->issuer;
	}
}

/* All changed VRPs, sorted by TA, CA, withdrawals first.  NULL on ENOMEM. */
static struct dvrp *
dvrp_list(const struct diff_ctx *c, size_t *n)
{
	struct dvrp *l;
	size_t i, k = 0;

	*n = c->vd.nannounce + c->vd.nwithdraw;
	if ((l = calloc(*n + 1, sizeof(*l))) == NULL)
		return NULL;
	for (i = 0; i < c->vd.nwithdraw; i++)
		dvrp_fill(&l[k++], &c->vd.withdraw[i], c->old, '-');
	for (i = 0; i < c->vd.nannounce; i++)
		dvrp_fill(&l[k++], &c->vd.announce[i], c->new, '+');
	qsort(l, *n, sizeof(*l), dvrp_cmp);
	return l;
}

static void
vrps_text(const struct diff_ctx *c, const struct dvrp *l, size_t n)
{
	char pfx[TABLE_VRP_CELL], ml[TABLE_VRP_CELL], asn[TABLE_VRP_CELL];
	const char *ta = NULL, *ca = NULL;
	size_t i;

	fprintf(c->out, "VRPs: +%zu -%zu\n", c->vd.nannounce,
	    c->vd.nwithdraw);
	for (i = 0; i < n; i++) {
		if (ta == NULL || strcmp(ta, l[i].ta) != 0) {
			ta = l[i].ta;
			ca = NULL;
			fprintf(c->out, "  TA %s\n", ta);
		}
		if (l[i].ca != NULL && (ca == NULL || strcmp(ca, l[i].ca) != 0)) {
			ca = l[i].ca;
			fprintf(c->out, "    CA %s\n", ca);
		}
		table_vrp_cells(l[i].v, pfx, ml, asn);
		fprintf(c->out, "      ");
		table_puts_color(c->out, l[i].sign == '+' ? "+" : "-",
		    l[i].sign == '+' ? TC_GREEN : TC_RED, c->color);
		fprintf(c->out, " %s-%s %s", pfx, ml, asn);
		if (l[i].roa != NULL)
			fprintf(c->out, "  (%s)", l[i].roa);
		fputc('\n', c->out);
	}
}

static void
vrps_json(const struct diff_ctx *c, const struct dvrp *l, size_t n)
{
	size_t i;
	int pass;

	json_key(c->j, "vrps");
	json_object_begin(c->j);
	for (pass = '+'; pass != 0; pass = pass == '+' ? '-' : 0) {
		json_key(c->j, pass == '+' ? "announced" : "withdrawn");
		json_array_begin(c->j);
		for (i = 0; i < n; i++) {
			if (l[i].sign != pass)
				continue;
			json_object_begin(c->j);
			table_vrp_members(c->j, l[i].v, l[i].ta);
			if (l[i].ca != NULL)
				json_kv_string(c->j, "ca", l[i].ca);
			if (l[i].roa != NULL)
				json_kv_string(c->j, "roa", l[i].roa);
			json_object_end(c->j);
		}
		json_array_end(c->j);
	}
	json_object_end(c->j);
}

static void
providers_text(const struct aspa *a, char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < a->nproviders && off < len; i++) {
		n = snprintf(buf + off, len - off, "%sAS%u", i > 0 ? "," : "",
		    a->providers[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static void
aspas_out(const struct diff_ctx *c)
{
	char prov[DIFF_PROVIDERS_TEXT];
	const struct aspa *list[2] = { c->ad.withdraw, c->ad.announce };
	size_t nl[2] = { c->ad.nwithdraw, c->ad.nannounce }, i, k;
	const struct runout *side[2] = { c->old, c->new };

	if (c->j == NULL)
		fprintf(c->out, "ASPAs: +%zu -%zu\n", nl[1], nl[0]);
	else {
		json_key(c->j, "aspas");
		json_object_begin(c->j);
	}
	for (k = 2; k-- > 0;) {
		if (c->j != NULL) {
			json_key(c->j, k == 1 ? "announced" : "withdrawn");
			json_array_begin(c->j);
		}
		for (i = 0; i < nl[k]; i++) {
			const struct aspa *a = &list[k][i];
			size_t p;

			if (c->j == NULL) {
				providers_text(a, prov, sizeof(prov));
				fprintf(c->out, "  %c AS%u providers %s  (TA %s)\n",
				    k == 1 ? '+' : '-', a->customer, prov,
				    runout_ta_name(side[k], a->ta));
				continue;
			}
			json_object_begin(c->j);
			json_kv_uint(c->j, "customer", a->customer);
			json_key(c->j, "providers");
			json_array_begin(c->j);
			for (p = 0; p < a->nproviders; p++)
				json_uint(c->j, a->providers[p]);
			json_array_end(c->j);
			json_kv_string(c->j, "ta", runout_ta_name(side[k], a->ta));
			json_object_end(c->j);
		}
		if (c->j != NULL)
			json_array_end(c->j);
	}
	if (c->j != NULL)
		json_object_end(c->j);
}

static void
keys_out(const struct diff_ctx *c)
{
	static const char hex[] = "0123456789ABCDEF";
	const struct router_key *list[2] = { c->kd.withdraw, c->kd.announce };
	size_t nl[2] = { c->kd.nwithdraw, c->kd.nannounce }, i, b, k;
	const struct runout *side[2] = { c->old, c->new };
	char ski[DIFF_SKI_HEX];

	if (c->j == NULL)
		fprintf(c->out, "Router keys: +%zu -%zu\n", nl[1], nl[0]);
	else {
		json_key(c->j, "router_keys");
		json_object_begin(c->j);
	}
	for (k = 2; k-- > 0;) {
		if (c->j != NULL) {
			json_key(c->j, k == 1 ? "announced" : "withdrawn");
			json_array_begin(c->j);
		}
		for (i = 0; i < nl[k]; i++) {
			const struct router_key *r = &list[k][i];

			for (b = 0; b < ROUTER_KEY_SKI_LEN; b++) {
				ski[2 * b] = hex[r->ski[b] >> 4];
				ski[2 * b + 1] = hex[r->ski[b] & 0xf];
			}
			ski[2 * ROUTER_KEY_SKI_LEN] = '\0';
			if (c->j == NULL) {
				fprintf(c->out, "  %c AS%u SKI %s  (TA %s)\n",
				    k == 1 ? '+' : '-', r->asn, ski,
				    runout_ta_name(side[k], r->ta));
				continue;
			}
			json_object_begin(c->j);
			json_kv_uint(c->j, "asn", r->asn);
			json_kv_string(c->j, "ski", ski);
			json_kv_string(c->j, "ta", runout_ta_name(side[k], r->ta));
			json_object_end(c->j);
		}
		if (c->j != NULL)
			json_array_end(c->j);
	}
	if (c->j != NULL)
		json_object_end(c->j);
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
obj_json(struct json *j, const struct runout_obj *o)
{
	json_object_begin(j);
	json_kv_bool(j, "accepted", o->accepted);
	if (o->reason != NULL)
		json_kv_string(j, "reason", o->reason);
	json_object_end(j);
}

/* One object change: sign '+' added, '-' removed, '~' changed. */
static void
obj_change(struct diff_ctx *c, int sign, const struct runout_obj *o,
    const struct runout_obj *n)
{
	const struct runout_obj *cur = n != NULL ? n : o;

	if (c->j != NULL) {
		json_object_begin(c->j);
		json_kv_string(c->j, "uri", cur->uri);
		json_kv_string(c->j, "type", cur->type);
		json_kv_string(c->j, "change", sign == '+' ? "added" :
		    sign == '-' ? "removed" : "changed");
		if (o != NULL) {
			json_key(c->j, "old");
			obj_json(c->j, o);
		}
		if (n != NULL) {
			json_key(c->j, "new");
			obj_json(c->j, n);
		}
		json_object_end(c->j);
		return;
	}
	fprintf(c->out, "  %c %s (%s) ", sign, cur->uri, cur->type);
	if (o != NULL && n != NULL && o->accepted != n->accepted)
		fprintf(c->out, "%s -> ", o->accepted ? "accepted" :
		    "rejected");
	table_puts_color(c->out, cur->accepted ? "accepted" : "rejected",
	    cur->accepted ? TC_GREEN : TC_RED, c->color);
	if (cur->reason != NULL)
		fprintf(c->out, ": %s", cur->reason);
	fputc('\n', c->out);
}

static int
objkey_cmp(const struct runout_obj *a, const struct runout_obj *b)
{
	int r;

	if ((r = strcmp(a->uri, b->uri)) != 0)
		return r;
	return strcmp(a->type, b->type);
}

/* Merge the two sorted reports; print (if print) and count the changes. */
static void
objects_walk(struct diff_ctx *c, int print)
{
	const struct runout *o = c->old, *n = c->new;
	size_t i = 0, k = 0;
	int r;

	c->nadded = c->nremoved = c->nchanged = 0;
	while (i < o->nobjs || k < n->nobjs) {
		if (i == o->nobjs)
			r = 1;
		else if (k == n->nobjs)
			r = -1;
		else
			r = objkey_cmp(&o->objs[i], &n->objs[k]);
		if (r < 0) {
			c->nremoved++;
			if (print)
				obj_change(c, '-', &o->objs[i], NULL);
			i++;
		} else if (r > 0) {
			c->nadded++;
			if (print)
				obj_change(c, '+', NULL, &n->objs[k]);
			k++;
		} else {
			if (o->objs[i].accepted != n->objs[k].accepted ||
			    !same_str(o->objs[i].reason, n->objs[k].reason)) {
				c->nchanged++;
				if (print)
					obj_change(c, '~', &o->objs[i],
					    &n->objs[k]);
			}
			i++;
			k++;
		}
	}
}

static void
objects_out(struct diff_ctx *c)
{
	objects_walk(c, 0);
	if (c->j != NULL) {
		json_key(c->j, "objects");
		json_array_begin(c->j);
		objects_walk(c, 1);
		json_array_end(c->j);
		return;
	}
	if (!c->old->has_report || !c->new->has_report) {
		fprintf(c->out, "Objects: not compared (report.json missing "
		    "in %s)\n", !c->old->has_report ? c->old->dir :
		    c->new->dir);
		return;
	}
	fprintf(c->out, "Objects: %zu added, %zu removed, %zu changed\n",
	    c->nadded, c->nremoved, c->nchanged);
	objects_walk(c, 1);
}

static void
side_json(struct json *j, const char *key, const struct runout *ro)
{
	char when[GTIME_ISO_LEN + 1];

	json_key(j, key);
	json_object_begin(j);
	json_kv_string(j, "dir", ro->dir);
	if (gtime_format_iso(ro->ho.created, when, sizeof(when)) == 0)
		json_kv_string(j, "generated", when);
	json_kv_bool(j, "report", ro->has_report);
	json_object_end(j);
}

static int
diff_print(struct diff_ctx *c)
{
	struct dvrp *l;
	size_t n;

	if ((l = dvrp_list(c, &n)) == NULL)
		return -1;
	if (c->j != NULL) {
		json_object_begin(c->j);
		side_json(c->j, "old", c->old);
		side_json(c->j, "new", c->new);
		vrps_json(c, l, n);
	} else
		vrps_text(c, l, n);
	aspas_out(c);
	keys_out(c);
	objects_out(c);
	free(l);
	if (c->j != NULL && (json_object_end(c->j) == -1 ||
	    json_finish(c->j) == -1))
		return -1;
	return ferror(c->out) ? -1 : 0;
}

/*
 * Run "reef diff" (cmd_audit.h).  Returns the exit status.
 */
int
cmd_diff_run(int argc, char **argv, FILE *out, FILE *err)
{
	struct diff_ctx c;
	struct runout old, new;
	char why[RUNOUT_ERRLEN];
	const char *val;
	int i = 1, k, json = 0, rc = AUDIT_EXIT_ERROR;

	memset(&c, 0, sizeof(c));
	memset(&old, 0, sizeof(old));
	memset(&new, 0, sizeof(new));
	while (i < argc && (k = cli_next(argc, argv, &i, diff_opts,
	    sizeof(diff_opts) / sizeof(diff_opts[0]), &val, "diff",
	    err)) != CLI_ARG && k != CLI_DONE) {
		switch (k) {
		case OPT_JSON:	json = 1; break;
		case OPT_HELP:	fputs(DIFF_USAGE, out); return 0;
		default:	fputs(DIFF_USAGE, err); return rc;
		}
	}
	if (argc - i != 2) {
		fputs(DIFF_USAGE, err);
		return rc;
	}
	if (runout_load(argv[i], 0, &old, why, sizeof(why)) == -1 ||
	    runout_load(argv[i + 1], 0, &new, why, sizeof(why)) == -1) {
		fprintf(err, "reef diff: %s\n", why);
		goto out;
	}
	c.old = &old;
	c.new = &new;
	c.out = out;
	c.color = table_use_color(out);
	if (vrpset_diff(old.ho.vrps, new.ho.vrps, &c.vd) != PAYLOAD_OK ||
	    aspaset_diff(old.ho.aspas, new.ho.aspas, &c.ad) != PAYLOAD_OK ||
	    rkset_diff(old.ho.rks, new.ho.rks, &c.kd) != PAYLOAD_OK) {
		fprintf(err, "reef diff: out of memory\n");
		goto out;
	}
	if (json && (c.j = json_new_file(out, JSON_PRETTY)) == NULL)
		goto out;
	if (diff_print(&c) == -1) {
		fprintf(err, "reef diff: output failed\n");
		goto out;
	}
	rc = c.vd.nannounce + c.vd.nwithdraw + c.ad.nannounce +
	    c.ad.nwithdraw + c.kd.nannounce + c.kd.nwithdraw + c.nadded +
	    c.nremoved + c.nchanged > 0 ? 1 : 0;
 out:
	json_free(c.j);
	vrp_diff_free(&c.vd);
	aspa_diff_free(&c.ad);
	rk_diff_free(&c.kd);
	runout_free(&old);
	runout_free(&new);
	return rc;
}

int
cmd_diff(int argc, char **argv)
{
	return cmd_diff_run(argc, argv, stdout, stderr);
}
