/*
 * libFuzzer harness for cms_parse() (validator/cms.c).  The first byte
 * picks the expected eContentType so every branch is reachable.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "validator/cms.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_config	 cfg = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };
	static const enum oid_id types[] = {
		OID_CT_ROA, OID_CT_MFT, OID_CT_ASPA, OID_CT_TAK, OID_CT_RSC
	};
	struct cms_object	*obj;

	if (size < 1)
		return 0;
	log_init(&cfg);
	obj = cms_parse("fuzz.roa", data + 1, size - 1,
	    types[data[0] % (sizeof(types) / sizeof(types[0]))]);
	cms_object_free(obj);
	return 0;
}
