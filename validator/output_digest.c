/*
 * Digests of what an output file is written from; see output_digest.h.
 */
#include <stdint.h>
#include <string.h>

#include "common/aspaset.h"
#include "common/prefix.h"
#include "common/rkset.h"
#include "common/vrpset.h"
#include "validator/output_digest.h"

/* VRPs packed per digest update, and the bytes of one. */
#define DIGEST_BATCH	1024
#define DIGEST_VRP	(2 + PREFIX_ADDR_MAX + 1 + 4 + 4 + 8)

int
output_digest_begin(struct hash_sha256_ctx *ctx, const char *what,
    const struct output_data *d)
{
	uint64_t nta = d->nta;
	size_t i;
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	if (d->program == NULL || hash_sha256_init(ctx) == -1)
		return -1;
	rc = hash_sha256_update(ctx, what, strlen(what) + 1);
	rc |= hash_sha256_update(ctx, d->program, OUTPUT_PROGRAM_LEN);
	rc |= hash_sha256_update(ctx, &nta, sizeof(nta));
	for (i = 0; i < d->nta; i++)
		rc |= hash_sha256_update(ctx, output_ta_name(d, (uint32_t)i),
		    strlen(output_ta_name(d, (uint32_t)i)) + 1);
	return rc == 0 ? 0 : -1;
}

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

int
output_digest_vrps(struct hash_sha256_ctx *ctx, const struct output_data *d)
{
	unsigned char buf[DIGEST_BATCH * DIGEST_VRP], *p = buf;
	uint64_t n = d->vrps != NULL ? vrpset_count(d->vrps) : 0;
	size_t i;
	int rc;

	rc = hash_sha256_update(ctx, &n, sizeof(n));
	for (i = 0; i < n; i++) {
		p = pack_vrp(p, vrpset_get(d->vrps, i));
		if (p == buf + sizeof(buf) || i + 1 == n) {
			rc |= hash_sha256_update(ctx, buf, (size_t)(p - buf));
			p = buf;
		}
	}
	return rc == 0 ? 0 : -1;
}

int
output_digest_rks(struct hash_sha256_ctx *ctx, const struct output_data *d)
{
	struct router_key k;
	uint64_t n = d->rks != NULL ? rkset_count(d->rks) : 0, fixed[4];
	size_t i;
	int rc;

	rc = hash_sha256_update(ctx, &n, sizeof(n));
	for (i = 0; i < n && rc == 0; i++) {
		if (!rkset_get(d->rks, i, &k))
			return -1;
		fixed[0] = k.asn;
		fixed[1] = k.ta;
		fixed[2] = (uint64_t)k.expires;
		fixed[3] = k.spki_len;
		rc |= hash_sha256_update(ctx, fixed, sizeof(fixed));
		rc |= hash_sha256_update(ctx, k.ski, sizeof(k.ski));
		rc |= hash_sha256_update(ctx, k.spki, k.spki_len);
	}
	return rc == 0 ? 0 : -1;
}

int
output_digest_aspas(struct hash_sha256_ctx *ctx, const struct output_data *d)
{
	struct aspa a;
	uint64_t n = d->aspas != NULL ? aspaset_count(d->aspas) : 0, fixed[4];
	size_t i;
	int rc;

	rc = hash_sha256_update(ctx, &n, sizeof(n));
	for (i = 0; i < n && rc == 0; i++) {
		if (!aspaset_get(d->aspas, i, &a))
			return -1;
		fixed[0] = a.customer;
		fixed[1] = a.ta;
		fixed[2] = (uint64_t)a.expires;
		fixed[3] = a.nproviders;
		rc |= hash_sha256_update(ctx, fixed, sizeof(fixed));
		rc |= hash_sha256_update(ctx, a.providers,
		    a.nproviders * sizeof(*a.providers));
	}
	return rc == 0 ? 0 : -1;
}

int
output_digest_payloads(const struct output_data *d, const char *what,
    unsigned char *md)
{
	struct hash_sha256_ctx ctx;

	if (output_digest_begin(&ctx, what, d) == -1 ||
	    output_digest_vrps(&ctx, d) == -1 ||
	    output_digest_rks(&ctx, d) == -1 ||
	    output_digest_aspas(&ctx, d) == -1) {
		hash_sha256_cleanup(&ctx);
		return -1;
	}
	return hash_sha256_final(&ctx, md);
}
