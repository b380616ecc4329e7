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
#include "validator/output_text.h"

/* "\tPREFIX [maxlen N ]source-as AS expires T\n"; returns 0 or -1. */
static int
bgpd_roa(struct text_buf *t, const struct vrp *v)
{
	char *p;

	if ((p = text_reserve(t, TEXT_LINE_MAX)) == NULL)
		return -1;
	*p++ = '\t';
	if ((p = put_prefix(p, &v->prefix)) == NULL)
		return -1;
	*p++ = ' ';
	if (v->maxlen > v->prefix.len) {
		p = put_lit(p, "maxlen ");
		p = put_u64(p, v->maxlen);
		*p++ = ' ';
	}
	p = put_lit(p, "source-as ");
	p = put_u64(p, v->asn);
	p = put_lit(p, " expires ");
	p = put_i64(p, v->expires);
	*p++ = '\n';
	text_commit(t, p);
	return 0;
}

static int
bgpd_roas(struct text_buf *t, const struct output_data *d)
{
	size_t i, n;

	if (text_str(t, "roa-set {\n") == -1)
		return -1;
	n = d->vrps != NULL ? vrpset_count(d->vrps) : 0;
	for (i = 0; i < n; i++)
		if (bgpd_roa(t, vrpset_get(d->vrps, i)) == -1)
			return -1;
	return text_str(t, "}\n");
}

/*
 * "\tcustomer-as C expires T provider-as { P, ... }\n"; returns 0 or -1.
 */
static int
bgpd_aspa(struct text_buf *t, const struct aspa *a)
{
	char *p;
	size_t j;

	if ((p = text_reserve(t, TEXT_LINE_MAX)) == NULL)
		return -1;
	p = put_lit(p, "\tcustomer-as ");
	p = put_u64(p, a->customer);
	p = put_lit(p, " expires ");
	p = put_i64(p, a->expires);
	p = put_lit(p, " provider-as { ");
	text_commit(t, p);
	for (j = 0; j < a->nproviders; j++) {
		if ((p = text_reserve(t, TEXT_LINE_MAX)) == NULL)
			return -1;
		if (j > 0)
			p = put_lit(p, ", ");
		p = put_u64(p, a->providers[j]);
		text_commit(t, p);
	}
	return text_str(t, " }\n");
}

static int
bgpd_aspas(struct text_buf *t, const struct output_data *d)
{
	struct aspa a;
	size_t i, n;

	if (text_str(t, "\naspa-set {\n") == -1)
		return -1;
	n = d->aspas != NULL ? aspaset_count(d->aspas) : 0;
	for (i = 0; i < n; i++)
		if (!aspaset_get(d->aspas, i, &a) || bgpd_aspa(t, &a) == -1)
			return -1;
	return text_str(t, "}\n");
}

/*
 * Write the OpenBGPD file to fp.  Returns 0, or -1 on a write error.
 */
int
output_bgpd(FILE *fp, const struct output_data *d)
{
	struct text_buf t;

	if (output_text_header(fp, d) != 0)
		return -1;
	text_init(&t, fp);
	if (bgpd_roas(&t, d) != 0 || bgpd_aspas(&t, d) != 0)
		return -1;
	return text_flush(&t);
}
