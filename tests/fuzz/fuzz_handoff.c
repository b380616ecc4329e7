/*
 * libFuzzer harness for the hand-off file reader (common/handoff.c).
 * The SHA-256 trailer would stop almost every mutation at the digest,
 * so the harness first recomputes it over the input (when the input is
 * long enough to have one) and then parses: this reaches the structural
 * checks.  Whatever parses must re-encode to exactly the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/handoff.h"
#include "common/hash.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct handoff_data	 d;
	uint8_t			*buf, *again;
	size_t			 alen;
	char			 err[256];

	/* The raw input, digest as it is. */
	if (handoff_parse(data, size, &d, err, sizeof(err)) == 0)
		handoff_free(&d);
	if (size < HASH_SHA256_LEN || (buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if (hash_sha256(buf, size - HASH_SHA256_LEN,
	    buf + size - HASH_SHA256_LEN) == 0 &&
	    handoff_parse(buf, size, &d, err, sizeof(err)) == 0) {
		if (handoff_encode(&d, &again, &alen) != 0 || alen != size ||
		    memcmp(again, buf, size) != 0)
			__builtin_trap();
		free(again);
		handoff_free(&d);
	}
	free(buf);
	return 0;
}
