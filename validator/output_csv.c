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

/* VRPs packed per digest update, and the bytes of one. */
#define CSV_DIGEST_BATCH	1024
#define CSV_DIGEST_VRP		(2 + PREFIX_ADDR_MAX + 1 + 4 + 4 + 8)

static unsigned char *
pack_vrp(unsigned char *p, const struct vrp *v)
{
	uint64_t exp = (uint64_t)v->expires;

	*p++ = v->prefix.afi;
	*p++ = v->prefix.len;
	memcpy(p, v->prefix.addr, PREFIX_ADDR_MAX);
	p += PREFIX_ADDR_MAX;
	*p++ = v->maxlen;
	memcpy(p, &v->asn, 4);
	memcpy(p + 4, &v->ta, 4);
	memcpy(p + 8, &exp, 8);
	return p + 16;
}

/*
 * What vrps.csv is written from: the program, the TA names and every
 * VRP's fields, into md.  Returns 0 or -1.
 */
int
output_csv_inputs(const struct output_data *d, unsigned char *md)
{
	static const char what[] = "reef vrps.csv 1";
	unsigned char buf[CSV_DIGEST_BATCH * CSV_DIGEST_VRP], *p = buf;
	struct hash_sha256_ctx ctx;
	uint64_t nta = d->nta;
	size_t i, n;
	int rc;

	if (hash_sha256_init(&ctx) == -1)
		return -1;
	rc = hash_sha256_update(&ctx, what, sizeof(what));
	rc |= hash_sha256_update(&ctx, d->program, OUTPUT_PROGRAM_LEN);
	rc |= hash_sha256_update(&ctx, &nta, sizeof(nta));
	for (i = 0; i < d->nta; i++)
		rc |= hash_sha256_update(&ctx, output_ta_name(d, (uint32_t)i),
		    strlen(output_ta_name(d, (uint32_t)i)) + 1);
	n = d->vrps != NULL ? vrpset_count(d->vrps) : 0;
	for (i = 0; i < n; i++) {
		p = pack_vrp(p, vrpset_get(d->vrps, i));
		if (p == buf + sizeof(buf) || i + 1 == n) {
			rc |= hash_sha256_update(&ctx, buf, (size_t)(p - buf));
			p = buf;
		}
	}
	if (hash_sha256_final(&ctx, md) == -1 || rc != 0)
		return -1;
	return 0;
}
