/*
 * The OpenBGPD configuration fragment, as rpki-client writes it: a
 * roa-set with one "prefix [maxlen N] source-as AS expires T" line per
 * VRP (maxlen only when longer than the prefix) and an aspa-set with one
 * "customer-as C expires T provider-as { P, ... }" line per customer.
 * See bgpd.conf(5).
 */
#include <stdio.h>

#include "common/aspaset.h"
#include "common/prefix.h"
#include "common/vrpset.h"
#include "validator/output.h"

static int
bgpd_roas(FILE *fp, const struct output_data *d)
{
	char buf[PREFIX_STRLEN];
	const struct vrp *v;
	size_t i, n;

	if (fprintf(fp, "roa-set {\n") < 0)
		return -1;
	n = d->vrps != NULL ? vrpset_count(d->vrps) : 0;
	for (i = 0; i < n; i++) {
		v = vrpset_get(d->vrps, i);
		if (prefix_format(&v->prefix, buf, sizeof(buf)) < 0)
			return -1;
		if (fprintf(fp, "\t%s ", buf) < 0)
			return -1;
		if (v->maxlen > v->prefix.len &&
		    fprintf(fp, "maxlen %u ", v->maxlen) < 0)
			return -1;
		if (fprintf(fp, "source-as %u expires %lld\n", v->asn,
		    (long long)v->expires) < 0)
			return -1;
	}
	return fprintf(fp, "}\n") < 0 ? -1 : 0;
}

static int
bgpd_aspas(FILE *fp, const struct output_data *d)
{
	struct aspa a;
	size_t i, j, n;

	if (fprintf(fp, "\naspa-set {\n") < 0)
		return -1;
	n = d->aspas != NULL ? aspaset_count(d->aspas) : 0;
	for (i = 0; i < n; i++) {
		if (!aspaset_get(d->aspas, i, &a))
			return -1;
		if (fprintf(fp, "\tcustomer-as %u expires %lld provider-as { ",
		    a.customer, (long long)a.expires) < 0)
			return -1;
		for (j = 0; j < a.nproviders; j++)
			if (fprintf(fp, "%s%u", j > 0 ? ", " : "",
			    a.providers[j]) < 0)
				return -1;
		if (fprintf(fp, " }\n") < 0)
			return -1;
	}
	return fprintf(fp, "}\n") < 0 ? -1 : 0;
}

/*
 * Write the OpenBGPD file to fp.  Returns 0, or -1 on a write error.
 */
int
output_bgpd(FILE *fp, const struct output_data *d)
{
	if (output_text_header(fp, d) != 0)
		return -1;
	if (bgpd_roas(fp, d) != 0)
		return -1;
	return bgpd_aspas(fp, d);
}
