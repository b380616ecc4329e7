/*
 * libFuzzer harness for crl_parse() (validator/crl.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "validator/crl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_config	cfg = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };
	struct crl		*crl;

	log_init(&cfg);		/* rejections are warnings: keep them quiet */
	crl = crl_parse("fuzz.crl", data, size);
	if (crl != NULL)
		(void)crl_is_revoked_bytes(crl, data, size > 20 ? 20 : size);
	crl_free(crl);
	return 0;
}
