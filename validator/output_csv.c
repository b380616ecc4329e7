/*
 * vrps.csv in rpki-client's layout: a header line, then one line per VRP
 * in set order, "AS<asn>,<prefix>,<maxLength>,<TA name>,<expires>" with
 * expires in seconds since the epoch.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/hash.h"
#include "common/prefix.h"
#include "common/vrpset.h"
#include "validator/output.h"
#include "validator/output_digest.h"
#include "validator/output_text.h"

/* One line; returns 0 or -1. */
static int
csv_line(struct text_buf *t, const struct vrp *v, const char *ta)
{
	char *p;

	if ((p = text_reserve(t, TEXT_LINE_MAX)) == NULL)
		return -1;
	p = put_lit(p, "AS");
	p = put_u64(p, v->asn);
	*p++ = ',';
	if ((p = put_prefix(p, &v->prefix)) == NULL)
		return -1;
	*p++ = ',';
	p = put_u64(p, v->maxlen);
	*p++ = ',';
	text_commit(t, p);
	if (text_str(t, ta) == -1 ||
	    (p = text_reserve(t, TEXT_LINE_MAX)) == NULL)
		return -1;
	*p++ = ',';
	p = put_i64(p, v->expires);
	*p++ = '\n';
	text_commit(t, p);
	return 0;
}

/*
 * Write the CSV file to fp.  Returns 0, or -1 on a write error.
 */
int
output_csv(FILE *fp, const struct output_data *d)
{
	struct text_buf t;
	const struct vrp *v;
	size_t i, n;

	text_init(&t, fp);
	if (text_str(&t, "ASN,IP Prefix,Max Length,Trust Anchor,Expires\n") ==
	    -1)
		return -1;
	n = d->vrps != NULL ? vrpset_count(d->vrps) : 0;
	for (i = 0; i < n; i++) {
		v = vrpset_get(d->vrps, i);
		if (csv_line(&t, v, output_ta_name(d, v->ta)) == -1)
			return -1;
	}
	return text_flush(&t);
}

/*
 * What vrps.csv is written from: the program, the TA names and every
 * VRP's fields, into md.  Returns 0 or -1.
 */
int
output_csv_inputs(const struct output_data *d, unsigned char *md)
{
	struct hash_sha256_ctx ctx;

	if (output_digest_begin(&ctx, "reef vrps.csv 2", d) == -1 ||
	    output_digest_vrps(&ctx, d) == -1) {
		hash_sha256_cleanup(&ctx);
		return -1;
	}
	return hash_sha256_final(&ctx, md);
}
