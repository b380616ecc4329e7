/*
 * vrps.csv in rpki-client's layout: a header line, then one line per VRP
 * in set order, "AS<asn>,<prefix>,<maxLength>,<TA name>,<expires>" with
 * expires in seconds since the epoch.
 */
#include <stdio.h>

#include "common/prefix.h"
#include "common/vrpset.h"
#include "validator/output.h"

/*
 * Write the CSV file to fp.  Returns 0, or -1 on a write error.
 */
int
output_csv(FILE *fp, const struct output_data *d)
{
	char buf[PREFIX_STRLEN];
	const struct vrp *v;
	size_t i, n;

	if (fprintf(fp, "ASN,IP Prefix,Max Length,Trust Anchor,Expires\n") < 0)
		return -1;
	n = d->vrps != NULL ? vrpset_count(d->vrps) : 0;
	for (i = 0; i < n; i++) {
		v = vrpset_get(d->vrps, i);
		if (prefix_format(&v->prefix, buf, sizeof(buf)) < 0)
			return -1;
		if (fprintf(fp, "AS%u,%s,%u,%s,%lld\n", v->asn, buf,
		    v->maxlen, output_ta_name(d, v->ta),
		    (long long)v->expires) < 0)
			return -1;
	}
	return 0;
}
