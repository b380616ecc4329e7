/*
 * Autonomous System Provider Authorizations
 * (draft-ietf-sidrops-aspa-profile, version 1 eContent): the eContent as
 * a plain struct and its checks against the EE certificate.
 */
#ifndef REEF_VALIDATOR_ASPA_H
#define REEF_VALIDATOR_ASPA_H

#include <stddef.h>
#include <stdint.h>

struct cert;

struct aspa_object {
	uint32_t	 customer;
	uint32_t	*providers;	/* strictly ascending, customer absent */
	size_t		 nproviders;	/* 1..MAX_ASPA_PROVIDERS */
	int		 has_signing_time;
	int64_t		 signing_time;
	struct cert	*ee;		/* EE certificate (aspa_parse() only) */
};

/*
 * Decode the ASProviderAttestation eContent der (len bytes).  Objects
 * of the older profiles (providers with AFI limits, version 0) are
 * rejected with a message saying so.  Returns a new aspa_object (free
 * with aspa_free()), or NULL after logging why.
 */
struct aspa_object *aspa_parse_econtent(const char *fn,
		    const unsigned char *der, size_t len);

/*
 * The EE certificate must hold exactly the customer AS as its AS
 * resources and no IP resources.  Returns 0, or -1 after logging why.
 */
int		 aspa_check_ee(const char *fn, const struct aspa_object *aspa,
		    const struct cert *ee);

/*
 * Parse a whole .asa file: CMS wrapper, EE profile, eContent and
 * aspa_check_ee().  The EE is not checked against its issuer.  Returns a
 * new aspa_object (free with aspa_free()), or NULL after logging why.
 */
struct aspa_object *aspa_parse(const char *fn, const unsigned char *der,
		    size_t len);

/* Release aspa and everything it owns; NULL is allowed. */
void		 aspa_free(struct aspa_object *aspa);

#endif
