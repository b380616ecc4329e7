/*
 * BIRD configuration fragments, as rpki-client writes them.
 *
 * BIRD 2 ("bird"): two roa tables, ROAS4 and ROAS6, each filled by a
 * static protocol with "route PREFIX max N as ASN;" lines; the
 * force_roa_table_update constant changes every run so that
 * "birdc configure" really reloads the tables.
 * BIRD 1 ("bird1v4", "bird1v6"): one "roa table ROAS" per family with
 * "roa PREFIX max N as ASN;" lines.
 */
#include <stdio.h>
#include <string.h>

#include "common/prefix.h"
#include "common/vrpset.h"
#include "validator/output.h"
#include "validator/output_text.h"

/* "\tKEYWORD PREFIX max N as ASN;\n"; returns 0 or -1. */
static int
bird_vrp(struct text_buf *t, const struct vrp *v, const char *keyword,
    size_t klen)
{
	char *p;

	if ((p = text_reserve(t, TEXT_LINE_MAX + klen)) == NULL)
		return -1;
	*p++ = '\t';
	p = put_mem(p, keyword, klen);
	*p++ = ' ';
	if ((p = put_prefix(p, &v->prefix)) == NULL)
		return -1;
	p = put_lit(p, " max ");
	p = put_u64(p, v->maxlen);
	p = put_lit(p, " as ");
	p = put_u64(p, v->asn);
	p = put_lit(p, ";\n");
	text_commit(t, p);
	return 0;
}

/* The VRPs of one family as "\t<keyword> PREFIX max N as ASN;" lines. */
static int
bird_vrps(FILE *fp, const struct output_data *d, unsigned int afi,
    const char *keyword)
{
	struct text_buf t;
	const struct vrp *v;
	size_t i, n, klen = strlen(keyword);

	text_init(&t, fp);
	n = d->vrps != NULL ? vrpset_count(d->vrps) : 0;
	for (i = 0; i < n; i++) {
		v = vrpset_get(d->vrps, i);
		if (v->prefix.afi != afi)
			continue;
		if (bird_vrp(&t, v, keyword, klen) == -1)
			return -1;
	}
	return text_flush(&t);
}

/*
 * Write the BIRD 2 file to fp.  Returns 0, or -1 on a write error.
 */
int
output_bird2(FILE *fp, const struct output_data *d)
{
	const char *t = OUTPUT_BIRD_TABLE;

	if (output_text_header(fp, d) != 0)
		return -1;
	if (fprintf(fp, "\ndefine force_roa_table_update = %lld;\n\n"
	    "roa4 table %s4;\nroa6 table %s6;\n\n"
	    "protocol static {\n\troa4 { table %s4; };\n\n",
	    (long long)d->buildtime, t, t, t) < 0)
		return -1;
	if (bird_vrps(fp, d, AFI_IPV4, "route") != 0)
		return -1;
	if (fprintf(fp, "}\n\nprotocol static {\n\troa6 { table %s6; };\n\n",
	    t) < 0)
		return -1;
	if (bird_vrps(fp, d, AFI_IPV6, "route") != 0)
		return -1;
	return fprintf(fp, "}\n") < 0 ? -1 : 0;
}

static int
output_bird1(FILE *fp, const struct output_data *d, unsigned int afi)
{
	if (output_text_header(fp, d) != 0)
		return -1;
	if (fprintf(fp, "\nroa table %s {\n", OUTPUT_BIRD_TABLE) < 0)
		return -1;
	if (bird_vrps(fp, d, afi, "roa") != 0)
		return -1;
	return fprintf(fp, "}\n") < 0 ? -1 : 0;
}

/*
 * Write the BIRD 1 IPv4 file to fp.  Returns 0, or -1 on a write error.
 */
int
output_bird1v4(FILE *fp, const struct output_data *d)
{
	return output_bird1(fp, d, AFI_IPV4);
}

/*
 * Write the BIRD 1 IPv6 file to fp.  Returns 0, or -1 on a write error.
 */
int
output_bird1v6(FILE *fp, const struct output_data *d)
{
	return output_bird1(fp, d, AFI_IPV6);
}
