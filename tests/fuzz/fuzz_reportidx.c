/*
 * libFuzzer harness for the report.json index reader
 * (validator/reportidx.c).  The input is an index without its closing
 * digest, which the harness appends, so that the fuzzer reaches the
 * checks behind it.  Whatever parses must have its groups in order
 * within the report's size, and encode back to exactly the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "validator/reportidx.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(const struct reportidx *ix)
{
	const struct reportidx_group *g;
	size_t i;

	for (i = 0; i < ix->ngroups; i++) {
		g = &ix->groups[i];
		if (g->off + g->len > ix->size || g->accepted > g->n ||
		    reportidx_cmp(ix, g->first, reportidx_uri(ix, g->last),
		    reportidx_type(ix, g->last)) > 0)
			__builtin_trap();
		if (i > 0 && g->off < ix->groups[i - 1].off +
		    ix->groups[i - 1].len)
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reportidx ix;
	unsigned char *buf, *back;
	size_t len;

	if (size > REPORTIDX_MAX_SIZE - HASH_SHA256_LEN ||
	    (buf = malloc(size + HASH_SHA256_LEN)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if (hash_sha256(buf, size, buf + size) == -1) {
		free(buf);
		return 0;
	}
	if (reportidx_parse(&ix, buf, size + HASH_SHA256_LEN) != 0)
		return 0;
	check(&ix);
	if (reportidx_encode(&ix, ix.size, &back, &len) != 0 ||
	    len != size + HASH_SHA256_LEN || memcmp(back, data, size) != 0)
		__builtin_trap();
	free(back);
	reportidx_free(&ix);
	return 0;
}
