/*
 * libFuzzer harness for the stored-copy reader (validator/storepack.c).
 * Whatever parses must look up every one of its files by name, and its
 * files written again must give back exactly the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "validator/storepack.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Write p's files to a temporary file; trap unless it equals data. */
static void
rewrite_same(const struct storepack *p, const uint8_t *data, size_t size)
{
	unsigned char *back;
	FILE *t;
	off_t n;

	if ((t = tmpfile()) == NULL)
		return;
	if (storepack_write(fileno(t), p->files, p->nfiles) != 0)
		__builtin_trap();
	n = lseek(fileno(t), 0, SEEK_END);
	if (n < 0 || (size_t)n != size)
		__builtin_trap();
	if ((back = malloc(size)) != NULL) {
		if (pread(fileno(t), back, size, 0) != (ssize_t)size ||
		    memcmp(back, data, size) != 0)
			__builtin_trap();
		free(back);
	}
	fclose(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct storepack p;
	unsigned char *buf;
	char why[256];
	size_t i;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if (storepack_parse(buf, size, &p, why, sizeof(why)) != 0)
		return 0;
	for (i = 0; i < p.nfiles; i++)
		if (storepack_find(&p, p.files[i].name) == NULL)
			__builtin_trap();
	rewrite_same(&p, data, size);
	storepack_free(&p);
	return 0;
}
