/*
 * libFuzzer harness for cert_parse(): any byte string must be parsed or
 * rejected without crashing, leaking or reading out of bounds, and the
 * oracle cert_parse_x509() (OpenSSL's decoder) must give the same
 * verdict and fields, or the harness aborts.  A parsed certificate is
 * also put through cert_check_issued() against itself and cert_check_ta()
 * against a TAL of its own key, to exercise the resource containment
 * code on fuzzed data.
 *
 *	make fuzz; tests/fuzz/fuzz_cert -max_total_time=60 SEED_DIR
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "validator/cert.h"
#include "validator/tal.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Only errors would be logged; keep the fuzzer output readable. */
static void
quiet(void)
{
	static const struct log_config lc = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };

	log_init(&lc);
}

static int
same_str(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* The fields both readers fill, compared (a from the oracle). */
static int
same_cert(const struct cert *a, const struct cert *b)
{
	return a->purpose == b->purpose && b->x509 == NULL &&
	    memcmp(a->ski, b->ski, sizeof(a->ski)) == 0 &&
	    a->has_aki == b->has_aki &&
	    memcmp(a->aki, b->aki, sizeof(a->aki)) == 0 &&
	    same_str(a->aia, b->aia) && same_str(a->crldp, b->crldp) &&
	    same_str(a->repo, b->repo) && same_str(a->mft, b->mft) &&
	    same_str(a->notify, b->notify) &&
	    same_str(a->serial, b->serial) &&
	    a->notbefore == b->notbefore && a->notafter == b->notafter &&
	    a->spki_len == b->spki_len &&
	    memcmp(a->spki, b->spki, a->spki_len) == 0 &&
	    (a->key == NULL) == (b->key == NULL) &&
	    a->issuer_name_len == b->issuer_name_len &&
	    memcmp(a->issuer_name, b->issuer_name, a->issuer_name_len) == 0 &&
	    a->subject_name_len == b->subject_name_len &&
	    memcmp(a->subject_name, b->subject_name,
	    a->subject_name_len) == 0 &&
	    memcmp(a->der_hash, b->der_hash, sizeof(a->der_hash)) == 0 &&
	    (a->ips == NULL) == (b->ips == NULL) &&
	    (a->ases == NULL) == (b->ases == NULL) &&
	    ip_res_count(a->ips) == ip_res_count(b->ips) &&
	    ip_res_contains(a->ips, b->ips) &&
	    ip_res_contains(b->ips, a->ips) &&
	    as_res_contains(a->ases, b->ases) &&
	    as_res_contains(b->ases, a->ases);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cert *c, *o;
	struct tal tal;
	char why[256];

	quiet();
	c = cert_parse("fuzz.cer", data, size);
	o = cert_parse_x509("fuzz.cer", data, size);
	if ((c == NULL) != (o == NULL) || (c != NULL && !same_cert(o, c)))
		abort();
	cert_free(o);
	if (c == NULL)
		return 0;
	memset(&tal, 0, sizeof(tal));
	tal.spki = c->spki;
	tal.spki_len = c->spki_len;
	(void)cert_check_ta(c, &tal, c->notbefore, why, sizeof(why));
	if (c->purpose == CERT_TA || c->purpose == CERT_CA)
		(void)cert_check_issued(c, c, c->notbefore, why, sizeof(why));
	cert_free(c);
	return 0;
}
