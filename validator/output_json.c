/*
 * vrps.json in rpki-client's layout, which StayRTR, GoRTR and other RTR
 * servers read as is:
 *
 *	{ "metadata": { "buildmachine", "buildtime" (ISO 8601 UTC),
 *	    "elapsedtime", "usertime", "systemtime", counters...,
 *	    "talfiles": [ names ], ... },
 *	  "roas": [ { "asn": N, "prefix": "P/L", "maxLength": N,
 *	    "ta": "name", "expires": T }, ... ],
 *	  "bgpsec_keys": [ { "asn": N, "ski": "HEX", "pubkey": "BASE64",
 *	    "ta": "name", "expires": T }, ... ],
 *	  "aspas": [ { "customer_asid": N, "expires": T,
 *	    "providers": [ N, ... ] }, ... ] }
 *
 * Numbers are JSON numbers and times seconds since the epoch, as in
 * rpki-client 8 and later; the SKI is upper-case hex and the key the
 * base64 DER SubjectPublicKeyInfo, as rpki-client prints them.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aspaset.h"
#include "common/b64.h"
#include "common/gtime.h"
#include "common/json.h"
#include "common/limits.h"
#include "common/prefix.h"
#include "common/rkset.h"
#include "common/vrpset.h"
#include "validator/output.h"
#include "validator/output_digest.h"

static void
json_metadata(struct json *j, const struct output_data *d)
{
	const struct output_stats *st = &d->stats;
	char when[GTIME_ISO_LEN + 1] = "";
	size_t i;

	(void)gtime_format_iso(d->buildtime, when, sizeof(when));
	json_key(j, "metadata");
	json_object_begin(j);
	json_kv_string(j, "buildmachine",
	    d->hostname != NULL ? d->hostname : "localhost");
	json_kv_string(j, "buildtime", when);
	json_kv_int(j, "elapsedtime", d->elapsed);
	json_kv_int(j, "usertime", d->usertime);
	json_kv_int(j, "systemtime", d->systemtime);
	json_kv_uint(j, "roas", st->roas);
	json_kv_uint(j, "failedroas", st->roas_failed);
	json_kv_uint(j, "invalidroas", 0);
	json_kv_uint(j, "aspas", st->aspas);
	json_kv_uint(j, "failedaspas", st->aspas_failed);
	json_kv_uint(j, "invalidaspas", 0);
	json_kv_uint(j, "bgpsec_pubkeys", st->router_certs);
	json_kv_uint(j, "certificates", st->certs);
	json_kv_uint(j, "invalidcertificates", st->certs_failed);
	json_kv_uint(j, "tals", st->tals);
	json_kv_uint(j, "invalidtals", st->tals_failed);
	json_key(j, "talfiles");
	json_array_begin(j);
	for (i = 0; i < d->nta; i++)
		json_string(j, output_ta_name(d, i));
	json_array_end(j);
	json_kv_uint(j, "manifests", st->manifests);
	json_kv_uint(j, "failedmanifests", st->manifests_failed);
	json_kv_uint(j, "crls", st->crls);
	json_kv_uint(j, "repositories", st->repositories);
	json_kv_uint(j, "vrps", st->vrps);
	json_kv_uint(j, "uniquevrps", d->vrps != NULL ?
	    vrpset_count(d->vrps) : 0);
	json_kv_uint(j, "vaps", st->aspas);
	json_kv_uint(j, "uniquevaps", d->aspas != NULL ?
	    aspaset_count(d->aspas) : 0);
	json_kv_uint(j, "slurm_filtered", st->slurm_filtered);
	json_kv_uint(j, "slurm_asserted", st->slurm_asserted);
	json_object_end(j);
}

/*
 * The lengths of the TA names of the first MAX_TALS indices, measured
 * once instead of once per VRP.
 */
static void
ta_lengths(const struct output_data *d, size_t len[MAX_TALS])
{
	size_t i;

	for (i = 0; i < MAX_TALS; i++)
		len[i] = strlen(output_ta_name(d, (uint32_t)i));
}

static int
json_roas(struct json *j, const struct output_data *d)
{
	char buf[PREFIX_STRLEN];
	size_t talen[MAX_TALS];
	const struct vrp *v;
	const char *ta;
	size_t i, n;
	int plen;

	ta_lengths(d, talen);
	json_key(j, "roas");
	json_array_begin(j);
	n = d->vrps != NULL ? vrpset_count(d->vrps) : 0;
	for (i = 0; i < n; i++) {
		v = vrpset_get(d->vrps, i);
		if ((plen = prefix_format_fast(&v->prefix, buf)) < 0)
			return -1;
		ta = output_ta_name(d, v->ta);
		json_object_begin(j);
		json_kv_uint(j, "asn", v->asn);
		json_kv_string_len(j, "prefix", buf, (size_t)plen);
		json_kv_uint(j, "maxLength", v->maxlen);
		json_kv_string_len(j, "ta", ta, v->ta < MAX_TALS ?
		    talen[v->ta] : strlen(ta));
		json_kv_int(j, "expires", v->expires);
		json_object_end(j);
	}
	return json_array_end(j);
}

/* Upper-case hex, as rpki-client prints SKIs. */
static void
hex_upper(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

static int
json_keys(struct json *j, const struct output_data *d)
{
	char ski[2 * ROUTER_KEY_SKI_LEN + 1];
	struct router_key k;
	char *pubkey;
	size_t i, n;

	json_key(j, "bgpsec_keys");
	json_array_begin(j);
	n = d->rks != NULL ? rkset_count(d->rks) : 0;
	for (i = 0; i < n; i++) {
		if (!rkset_get(d->rks, i, &k))
			return -1;
		if (b64_encode(k.spki, k.spki_len, &pubkey, NULL) != 0)
			return -1;
		hex_upper(k.ski, sizeof(k.ski), ski);
		json_object_begin(j);
		json_kv_uint(j, "asn", k.asn);
		json_kv_string(j, "ski", ski);
		json_kv_string(j, "pubkey", pubkey);
		json_kv_string(j, "ta", output_ta_name(d, k.ta));
		json_kv_int(j, "expires", k.expires);
		json_object_end(j);
		free(pubkey);
	}
	return json_array_end(j);
}

static int
json_aspas(struct json *j, const struct output_data *d)
{
	struct aspa a;
	size_t i, k, n;

	json_key(j, "aspas");
	json_array_begin(j);
	n = d->aspas != NULL ? aspaset_count(d->aspas) : 0;
	for (i = 0; i < n; i++) {
		if (!aspaset_get(d->aspas, i, &a))
			return -1;
		json_object_begin(j);
		json_kv_uint(j, "customer_asid", a.customer);
		json_kv_int(j, "expires", a.expires);
		json_key(j, "providers");
		json_array_begin(j);
		for (k = 0; k < a.nproviders; k++)
			json_uint(j, a.providers[k]);
		json_array_end(j);
		json_object_end(j);
	}
	return json_array_end(j);
}

/* The head: the object's start and the metadata, which change every run. */
static void
json_head(struct json *j, const struct output_data *d)
{
	json_flat_from(j, 3);	/* one VRP, key or ASPA per line */
	json_object_begin(j);
	json_metadata(j, d);
}

int
output_json_head(FILE *fp, const struct output_data *d)
{
	struct json *j;
	int rc;

	if ((j = json_new_file(fp, JSON_PRETTY)) == NULL)
		return -1;
	json_head(j, d);
	rc = json_flush(j);
	json_free(j);
	return rc;
}

int
output_json_split(FILE *fp, const struct output_data *d, uint64_t *body)
{
	struct json *j;
	off_t off;
	int rc = -1;

	if ((j = json_new_file(fp, JSON_PRETTY)) == NULL)
		return -1;
	json_head(j, d);
	if (json_flush(j) == -1 || (off = ftello(fp)) == -1)
		goto out;
	*body = (uint64_t)off;
	if (json_roas(j, d) != 0 || json_keys(j, d) != 0 ||
	    json_aspas(j, d) != 0)
		goto out;
	json_object_end(j);
	if (json_finish(j) == 0)
		rc = 0;
 out:
	json_free(j);
	return rc;
}

int
output_json(FILE *fp, const struct output_data *d)
{
	uint64_t body;

	return output_json_split(fp, d, &body);
}

/*
 * What the body of vrps.json (after the metadata) is written from: the
 * program, the TA names and the three sets.
 */
int
output_json_body_inputs(const struct output_data *d, unsigned char *md)
{
	return output_digest_payloads(d, "reef vrps.json body 1", md);
}
