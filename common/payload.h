/*
 * The validated payloads a relying party hands to routers and output
 * writers: VRPs (RFC 6811 / RFC 9582), ASPA entries
 * (draft-ietf-sidrops-aspa-profile) and BGPsec router keys (RFC 8209),
 * plus the error codes shared by the sets holding them (vrpset.h,
 * aspaset.h, rkset.h).
 *
 * "ta" is an index into a trust anchor name table kept by the caller;
 * "expires" is seconds since the epoch (UTC) after which the payload
 * stops being valid.
 */
#ifndef REEF_PAYLOAD_H
#define REEF_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "prefix.h"

/* RFC 8209 section 3.1.2 / RFC 6487 section 4.8.2: 160-bit SHA-1 SKI. */
#define ROUTER_KEY_SKI_LEN	20
/*
 * Largest router key SubjectPublicKeyInfo a set accepts.  RFC 8608 only
 * allows ECDSA P-256 (91 bytes DER); the bound only keeps nonsense out.
 */
#define ROUTER_KEY_SPKI_MAX	1024
/* Most entries in any one set; keeps sizes and 32-bit offsets in range. */
#define PAYLOAD_SET_MAX		(1u << 28)

/* A Validated ROA Payload.  40 bytes, no pointers. */
struct vrp {
	struct prefix	prefix;
	uint8_t		maxlen;
	uint32_t	asn;
	uint32_t	ta;
	int64_t		expires;
};

/*
 * A validated ASPA: the customer AS and its providers, ascending and
 * unique.  providers points into storage owned by someone else (the
 * caller for aspaset_add(), the set for aspaset_get()).
 */
struct aspa {
	uint32_t	 customer;
	uint32_t	 ta;
	int64_t		 expires;
	const uint32_t	*providers;
	size_t		 nproviders;
};

/*
 * A BGPsec router key.  spki (DER SubjectPublicKeyInfo) points into
 * storage owned by someone else, as for struct aspa.
 */
struct router_key {
	uint32_t	 asn;
	uint32_t	 ta;
	int64_t		 expires;
	uint8_t		 ski[ROUTER_KEY_SKI_LEN];
	const uint8_t	*spki;
	size_t		 spki_len;
};

/* Errors of the set functions (all negative, 0 is success). */
enum payload_err {
	PAYLOAD_OK = 0,
	PAYLOAD_ENOMEM = -1,	/* allocation failed; the set is unchanged */
	PAYLOAD_ESTATE = -2,	/* add to a frozen set, or query an unfrozen one */
	PAYLOAD_EPREFIX = -3,	/* prefix violates prefix_check() */
	PAYLOAD_EMAXLEN = -4,	/* maxLength below prefix length or too long */
	PAYLOAD_EASN = -5,	/* AS number not allowed here (ASPA customer 0) */
	PAYLOAD_EPROVIDERS = -6, /* ASPA provider list empty, too long or
				    naming the customer */
	PAYLOAD_ESPKI = -7,	/* router key SPKI empty or too long */
	PAYLOAD_ELIMIT = -8	/* set would exceed PAYLOAD_SET_MAX */
};

/* Returns a static description of a payload_err code (defined in vrpset.c). */
const char	*payload_strerror(int);

#endif
