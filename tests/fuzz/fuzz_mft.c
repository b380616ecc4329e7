/*
 * libFuzzer harness for the mft eContent parser (validator/mft.c).  Inputs
 * are the eContent itself: the CMS layer has its own harness, and fuzzing
 * through a signature would never get past it.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "validator/mft.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_config	 cfg = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };
	struct mft	*obj;

	log_init(&cfg);		/* rejections are warnings: keep them quiet */
	obj = mft_parse_econtent("fuzz.mft", data, size);
	mft_free(obj);
	return 0;
}
