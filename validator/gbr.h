/*
 * RPKI Ghostbusters records (RFC 6493): a signed object whose eContent is
 * a vCard naming whom to contact about a CA.  The record carries no
 * routing data; a validator checks it only so that it can show it.
 */
#ifndef REEF_VALIDATOR_GBR_H
#define REEF_VALIDATOR_GBR_H

#include <stddef.h>
#include <stdint.h>

struct cert;

/* Largest vCard accepted: a contact card is a few hundred bytes. */
#define GBR_VCARD_MAX_LEN	16384

struct gbr {
	char		*vcard;		/* the vCard text as published */
	/* Property values after unfolding; NULL when absent. */
	char		*fn;		/* formatted name (required) */
	char		*org;
	char		*adr;		/* first ADR */
	char		*tel;		/* first TEL */
	char		*email;		/* first EMAIL */
	int		 has_signing_time;
	int64_t		 signing_time;
	struct cert	*ee;		/* EE certificate (gbr_parse() only) */
};

/*
 * Check the vCard text (len bytes, not NUL-terminated) against the
 * profile of RFC 6493 section 5.  Returns a new gbr without EE (free with
 * gbr_free()), or NULL after logging why naming fn.
 */
struct gbr	*gbr_parse_vcard(const char *fn, const unsigned char *text,
		    size_t len);

/*
 * Parse a whole .gbr file: the CMS wrapper (RFC 6488) with content type
 * id-ct-rpkiGhostbusters, the EE certificate profile, inherit-only EE
 * resources, and the vCard profile.  The EE certificate is not checked
 * against its issuer: the caller does that with cert_check_issued().
 * Returns a new gbr (free with gbr_free()), or NULL after logging why.
 */
struct gbr	*gbr_parse(const char *fn, const unsigned char *der,
		    size_t len);

/* Release gbr and everything it owns; NULL is allowed. */
void		 gbr_free(struct gbr *gbr);

#endif
