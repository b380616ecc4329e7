/*
 * libFuzzer harness for the JSON pull reader (common/jsonread.c): walk
 * the whole input, reading every string and number, and also exercise
 * jr_skip() on every container, with small limits so the depth and
 * length checks are reached.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/jsonread.h"

#define FUZZ_DEPTH	8
#define FUZZ_STRING	64

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Read every token; skip containers when skip is set. */
static void
walk(const uint8_t *data, size_t size, int skip)
{
	struct jsonread		*jr;
	const struct jr_number	*n;
	const char		*s;
	enum jr_token		 t;
	size_t			 len;

	if ((jr = jr_new((const char *)data, size, FUZZ_DEPTH,
	    FUZZ_STRING)) == NULL)
		return;
	while ((t = jr_next(jr)) > JR_END) {
		if (t == JR_KEY || t == JR_STRING) {
			s = jr_string(jr, &len);
			/* The decoded text is always NUL-terminated. */
			if (s[len] != '\0' || len > FUZZ_STRING)
				__builtin_trap();
		} else if (t == JR_NUMBER) {
			n = jr_number(jr);
			if (n->len == 0 || n->text < (const char *)data)
				__builtin_trap();
		}
		if (skip && (t == JR_OBJECT_BEGIN || t == JR_ARRAY_BEGIN) &&
		    jr_skip(jr) == -1) {
			t = JR_ERROR;
			break;
		}
		if (jr_depth(jr) > FUZZ_DEPTH)
			__builtin_trap();
	}
	if ((t == JR_ERROR) != (jr_error(jr) != NULL))
		__builtin_trap();
	jr_free(jr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	walk(data, size, 0);
	walk(data, size, 1);
	return 0;
}
