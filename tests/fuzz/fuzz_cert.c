/*
 * libFuzzer harness for cert_parse(): any byte string must be parsed or
 * rejected without crashing, leaking or reading out of bounds.  A parsed
 * certificate is also put through cert_check_issued() against itself and
 * cert_check_ta() against a TAL of its own key, to exercise the resource
 * containment code on fuzzed data.
 *
 *	clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. -Icommon \
 *	    tests/fuzz/fuzz_cert.c validator/{cert,ip,as,tal,x509ext}.c \
 *	    common/{log,gtime,hash,b64,prefix,asn}.c -lcrypto -o fuzz_cert
 */
#include <stddef.h>
#include <stdint.h>
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cert *c;
	struct tal tal;
	char why[256];

	quiet();
	if ((c = cert_parse("fuzz.cer", data, size)) == NULL)
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
