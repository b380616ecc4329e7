/*
 * Route Origin Authorizations (RFC 9582): the eContent as a plain struct,
 * and the checks between it and the EE certificate that signed it.
 */
#ifndef REEF_VALIDATOR_ROA_H
#define REEF_VALIDATOR_ROA_H

#include <stddef.h>
#include <stdint.h>

#include "common/prefix.h"
#include "validator/ip.h"

struct cert;

struct roa_ip {
	struct prefix	prefix;
	uint8_t		maxlen;		/* maxLength, or the prefix length */
};

struct roa {
	uint32_t	 asid;
	struct roa_ip	*ips;		/* sorted by prefix then maxlen, unique */
	size_t		 nips;
	int		 has_signing_time;
	int64_t		 signing_time;	/* CMS signing-time (RFC 9589) */
	struct cert	*ee;		/* EE certificate (roa_parse() only) */
};

/*
 * Decode the RouteOriginAttestation eContent der (len bytes) and check it
 * against RFC 9582 section 4.  Returns a new roa without EE (free with
 * roa_free()), or NULL after logging why.
 */
struct roa	*roa_parse_econtent(const char *fn, const unsigned char *der,
		    size_t len);

/*
 * RFC 9582 section 5: the EE certificate's IP resources must not use
 * inherit and must contain every prefix of the ROA.  ee may be NULL (no
 * IP resources).  Returns 0, or -1 after logging why.
 */
int		 roa_check_resources(const char *fn, const struct roa *roa,
		    const struct ip_res *ee);

/*
 * Parse a whole .roa file: the CMS wrapper (RFC 6488), the EE certificate
 * profile (cert_parse_ee()), the eContent and the resource check above.
 * The EE certificate is not checked against its issuer: the caller does
 * that with cert_check_issued(roa->ee, ...).  Returns a new roa (free with
 * roa_free()), or NULL after logging why.
 */
struct roa	*roa_parse(const char *fn, const unsigned char *der,
		    size_t len);

/* Release roa and everything it owns; NULL is allowed. */
void		 roa_free(struct roa *roa);

#endif
