/*
 * libFuzzer harness for tal_parse(): any byte string must be parsed or
 * rejected without crashing, leaking or reading out of bounds.  The input
 * is copied to an exactly sized heap buffer (no NUL terminator), so any
 * read past the end is caught by ASan.
 *
 *	clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. -Icommon \
 *	    tests/fuzz/fuzz_tal.c validator/{tal,x509ext}.c \
 *	    common/{log,b64}.c -lcrypto -o fuzz_tal
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "validator/tal.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct log_config lc = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };
	struct tal *tal;
	char *buf;
	size_t i;

	log_init(&lc);
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(buf, data, size);
	tal = tal_parse("fuzz.tal", buf, size);
	if (tal != NULL) {
		/* Touch everything the parser promised. */
		for (i = 0; i < tal->nuris; i++)
			if (strlen(tal->uris[i]) == 0)
				abort();
		if (tal->spki_len == 0 || tal->name[0] == '\0')
			abort();
	}
	tal_free(tal);
	free(buf);
	return 0;
}
