/*
 * Trust Anchor Locators (RFC 8630 section 2.2): optional comment lines,
 * one or more https or rsync URIs of the TA certificate, an empty line and
 * the base64 DER SubjectPublicKeyInfo of the TA key.
 */
#ifndef REEF_VALIDATOR_TAL_H
#define REEF_VALIDATOR_TAL_H

#include <stddef.h>

struct tal {
	char		 *name;		/* file name without directory and ".tal" */
	char		**uris;		/* nuris URIs, in file order */
	size_t		  nuris;
	unsigned char	 *spki;		/* DER SubjectPublicKeyInfo (RSA) */
	size_t		  spki_len;
};

/*
 * Parse len bytes of the TAL file fn (buf need not be NUL-terminated).
 * Returns a new tal (free with tal_free()), or NULL after logging a warning
 * naming fn and the RFC 8630 rule broken.
 */
struct tal	*tal_parse(const char *fn, const char *buf, size_t len);

/* Release tal and everything it owns; NULL is allowed. */
void		 tal_free(struct tal *tal);

#endif
