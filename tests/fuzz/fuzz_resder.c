/*
 * libFuzzer harness for ip_res_parse_der() and as_res_parse_der(), the
 * RFC 3779 extension values read from their DER (validator/ip.c, as.c),
 * against the oracle: OpenSSL's template (x509ext_value_decode()) then
 * ip_res_parse() / as_res_parse().  Both must accept with the same
 * resources or both refuse, or the harness aborts.  The first input
 * byte's low bit picks the extension (0 sbgp-ipAddrBlock, 1
 * sbgp-autonomousSysNum); the rest is the value.
 *
 *	make fuzz; tests/fuzz/fuzz_resder -max_total_time=60 SEED_DIR
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "common/log.h"
#include "validator/as.h"
#include "validator/ip.h"
#include "validator/x509ext.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Only errors would be logged; keep the fuzzer output readable. */
static void
quiet(void)
{
	static const struct log_config lc = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };

	log_init(&lc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ip_res *oi = NULL, *ni = NULL;
	struct as_res *oa = NULL, *na = NULL;
	int ip, nid, same;
	void *v;

	quiet();
	if (size < 1)
		return 0;
	ip = !(data[0] & 1);
	nid = ip ? NID_sbgp_ipAddrBlock : NID_sbgp_autonomousSysNum;
	if ((v = x509ext_value_decode("fuzz.cer", nid, data + 1,
	    size - 1)) != NULL) {
		if (ip)
			oi = ip_res_parse("fuzz.cer", v);
		else
			oa = as_res_parse("fuzz.cer", v);
		x509ext_value_free(nid, v);
	}
	ERR_clear_error();
	if (ip) {
		ni = ip_res_parse_der("fuzz.cer", data + 1, size - 1);
		same = ip_res_equal(oi, ni);
	} else {
		na = as_res_parse_der("fuzz.cer", data + 1, size - 1);
		same = as_res_equal(oa, na);
	}
	if (!same)
		abort();
	ip_res_free(oi);
	ip_res_free(ni);
	as_res_free(oa);
	as_res_free(na);
	return 0;
}
