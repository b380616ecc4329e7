/*
 * RPKI Trust Anchor Keys (RFC 9691): the eContent as a plain struct and
 * the checks tying it to the trust anchor that signed it.
 */
#ifndef REEF_VALIDATOR_TAK_H
#define REEF_VALIDATOR_TAK_H

#include <stddef.h>
#include <stdint.h>

struct cert;

/* RFC 6487 section 4.8.2: 160-bit key identifiers. */
#define TAK_SKI_LEN	20

struct tak_key {
	char		**comments;	/* UTF-8, NUL-terminated */
	size_t		  ncomments;
	char		**uris;		/* rsync:// or https:// */
	size_t		  nuris;	/* 1..MAX_TAL_URIS */
	unsigned char	 *spki;		/* DER SubjectPublicKeyInfo */
	size_t		  spki_len;
	unsigned char	  ski[TAK_SKI_LEN];	/* SHA-1 of the key bits */
};

struct tak {
	struct tak_key	*current;
	struct tak_key	*predecessor;	/* NULL if absent */
	struct tak_key	*successor;	/* NULL if absent */
	int		 has_signing_time;
	int64_t		 signing_time;
	struct cert	*ee;		/* EE certificate (tak_parse() only) */
};

/*
 * Decode the TAK eContent der (len bytes) per RFC 9691 section 3.
 * Returns a new tak without EE (free with tak_free()), or NULL after
 * logging why.
 */
struct tak	*tak_parse_econtent(const char *fn, const unsigned char *der,
		    size_t len);

/*
 * RFC 9691 section 4: the EE certificate uses inherit for its resources
 * and was issued by the current key (AKI = current SKI).  Returns 0, or
 * -1 after logging why.
 */
int		 tak_check_ee(const char *fn, const struct tak *tak,
		    const struct cert *ee);

/*
 * Parse a whole .tak file: CMS wrapper, EE profile, eContent and
 * tak_check_ee().  Returns a new tak (free with tak_free()), or NULL
 * after logging why.
 */
struct tak	*tak_parse(const char *fn, const unsigned char *der,
		    size_t len);

/* Release tak and everything it owns; NULL is allowed. */
void		 tak_free(struct tak *tak);

#endif
