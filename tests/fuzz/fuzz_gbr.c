/*
 * libFuzzer harness for the Ghostbusters vCard profile check
 * (validator/gbr.c).  Inputs are the vCard text itself: the CMS layer
 * has its own harness.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "validator/gbr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_config	 cfg = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };
	struct gbr		*obj;

	log_init(&cfg);		/* rejections are warnings: keep them quiet */
	obj = gbr_parse_vcard("fuzz.gbr", data, size);
	gbr_free(obj);
	return 0;
}
