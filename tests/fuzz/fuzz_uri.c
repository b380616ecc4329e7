/*
 * libFuzzer harness for uri_parse() and the functions built on it: any
 * byte string must be parsed or refused without crashing or reading out
 * of bounds, and whatever is accepted must keep the promises of uri.h:
 * the canonical form parses back to the same URI, the cache path stays
 * below the cache (no "..", ".", empty or hidden components, no leading
 * '/'), and a URI lies under its own repository base.
 *
 *	clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *	    tests/fuzz/fuzz_uri.c validator/uri.c -o fuzz_uri
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "validator/uri.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort unless every '/'-separated component of p is a plain name. */
static void
check_cache_path(const char *p)
{
	const char *c, *end;

	if (p[0] == '\0' || p[0] == '/')
		abort();
	for (c = p; ; c = end + 1) {
		end = strchrnul(c, '/');
		if (end == c || c[0] == '.')
			abort();
		if (*end == '\0')
			break;
	}
}

static void
same_uri(const struct uri *a, const struct uri *b)
{
	if (a->scheme != b->scheme || strcmp(a->host, b->host) != 0 ||
	    a->port != b->port || a->ipv6 != b->ipv6 ||
	    strcmp(a->module, b->module) != 0 ||
	    strcmp(a->path, b->path) != 0 || a->dir != b->dir ||
	    a->nsegments != b->nsegments || a->dubious != b->dubious)
		abort();
}

static void
check_accepted(const char *s, const struct uri *u)
{
	struct uri v;
	char *canon, *canon2, *rel = NULL, *base = NULL;

	if ((canon = uri_format(u)) == NULL)
		return;
	if (uri_parse(canon, URI_ALLOW_DUBIOUS, &v) != URI_OK)
		abort();
	same_uri(u, &v);
	if ((canon2 = uri_format(&v)) == NULL || strcmp(canon, canon2) != 0)
		abort();
	if (u->scheme == URI_SCHEME_RSYNC) {
		if (uri_cache_path_parsed(u, &rel) != URI_OK)
			abort();
		check_cache_path(rel);
		if (uri_repo_base(s, URI_ALLOW_DUBIOUS, &base) != URI_OK)
			abort();
		if (u->nsegments > 0 && !uri_is_under(s, base))
			abort();
	}
	/* Nothing lies under itself. */
	if (uri_is_under(s, s))
		abort();
	free(base);
	free(rel);
	free(canon2);
	free(canon);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uri strict, lax;
	enum uri_error es, el;
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	es = uri_parse(s, 0, &strict);
	el = uri_parse(s, URI_ALLOW_DUBIOUS, &lax);
	/* Allowing dubious hosts only ever lifts that one refusal. */
	if (es == URI_OK && el != URI_OK)
		abort();
	if (es == URI_ERR_DUBIOUS ? el != URI_OK : es != URI_OK && es != el)
		abort();
	if (es == URI_OK)
		same_uri(&strict, &lax);
	if (el == URI_OK)
		check_accepted(s, &lax);
	free(s);
	return 0;
}
