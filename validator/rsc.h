/*
 * RPKI Signed Checklists (RFC 9323): a list of file names and SHA-256
 * digests signed with a set of Internet number resources.  RSCs travel
 * outside the RPKI repositories, so their EE certificate has no SIA.
 */
#ifndef REEF_VALIDATOR_RSC_H
#define REEF_VALIDATOR_RSC_H

#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"
#include "validator/as.h"
#include "validator/ip.h"

struct cert;

struct rsc_file {
	char		*name;		/* PortableFilename, or NULL if absent */
	unsigned char	 hash[HASH_SHA256_LEN];
};

struct rsc {
	struct ip_res	*ips;		/* NULL if no ipAddrBlocks */
	struct as_res	*ases;		/* NULL if no asID */
	struct rsc_file	*files;		/* checkList, in file order */
	size_t		 nfiles;	/* 1..MAX_CHECKLIST_ENTRIES */
	int		 has_signing_time;
	int64_t		 signing_time;
	struct cert	*ee;		/* EE certificate (rsc_parse() only) */
};

/*
 * Decode the RpkiSignedChecklist eContent der (len bytes) and check it
 * against RFC 9323 section 4.  Objects of the pre-RFC drafts (other
 * ResourceBlock or digest layouts) fail to decode and are rejected with
 * a message saying so.  Returns a new rsc without EE (free with
 * rsc_free()), or NULL after logging why.
 */
struct rsc	*rsc_parse_econtent(const char *fn, const unsigned char *der,
		    size_t len);

/*
 * RFC 9323 sections 2 and 5: the EE certificate must not use inherit and
 * its resources must contain every resource listed in the RSC.  Returns
 * 0, or -1 after logging why.
 */
int		 rsc_check_ee(const char *fn, const struct rsc *rsc,
		    const struct cert *ee);

/*
 * Parse a whole .sig file: CMS wrapper (RFC 6488), EE profile without SIA
 * (cert_parse_ee() with CERT_EE_NO_SIA), eContent and rsc_check_ee().
 * The EE is not checked against its issuer.  Returns a new rsc (free with
 * rsc_free()), or NULL after logging why.
 */
struct rsc	*rsc_parse(const char *fn, const unsigned char *der,
		    size_t len);

/*
 * Returns 1 if a checklist entry has the digest hash (and, when name is
 * not NULL, that file name), else 0.
 */
int		 rsc_lookup(const struct rsc *rsc, const char *name,
		    const unsigned char hash[HASH_SHA256_LEN]);

/* Release rsc and everything it owns; NULL is allowed. */
void		 rsc_free(struct rsc *rsc);

#endif
