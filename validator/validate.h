/*
 * Checks that combine parsed objects: a TA against its TAL, a certificate
 * against its issuer and the issuer's CRL, a CRL or manifest against the
 * CA, manifest currency and number against the last one seen, file
 * hashes.  The object parsers (cert.h, crl.h, mft.h, roa.h, aspa.h) have
 * already checked each object on its own; these functions only judge
 * relations.
 *
 * Every predicate returns 0 when the check passes and -1 otherwise, with
 * a short reason citing the RFC in why (whylen bytes; why may be NULL
 * when whylen is 0).  None logs, none keeps state.
 */
#ifndef REEF_VALIDATOR_VALIDATE_H
#define REEF_VALIDATOR_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"
#include "validator/aspa.h"
#include "validator/cert.h"
#include "validator/crl.h"
#include "validator/mft.h"
#include "validator/roa.h"
#include "validator/tal.h"

/* Room for any reason these functions write. */
#define VALID_WHY_LEN	256

/* RFC 8630 section 2.3: cert is the TA of tal, valid at now. */
int	valid_ta(const struct cert *cert, const struct tal *tal, int64_t now,
	    char *why, size_t whylen);

/*
 * The CRL was issued by the CA issuer and is current at now (RFC 6487
 * section 5, RFC 9286 section 6.4).
 */
int	valid_crl(const struct crl *crl, const struct cert *issuer,
	    int64_t now, char *why, size_t whylen);

/*
 * cert (a CA, router or EE certificate) was issued by issuer, is valid at
 * now, holds resources within the issuer's and is not on crl (RFC 6487
 * sections 5 and 7.2).  On success inherit in cert is resolved.
 */
int	valid_cert(struct cert *cert, const struct cert *issuer,
	    const struct crl *crl, int64_t now, char *why, size_t whylen);

/*
 * The manifest's EE certificate was issued by issuer and is not revoked,
 * and the manifest is current at now (RFC 9286 sections 4.2.1, 5.1 and
 * 6.3).  crl may be NULL to skip the revocation check (before the CRL is
 * known).
 */
int	valid_mft(struct mft *mft, const struct cert *issuer,
	    const struct crl *crl, int64_t now, char *why, size_t whylen);

/*
 * Manifest cur (whose DER hashes to cur_hash) may replace the manifest
 * last accepted for the same publication point, old (old_hash): its
 * number must not be lower, its thisUpdate not earlier, and with an equal
 * number the content must be the same (RFC 9286 section 4.2.1).
 */
int	valid_mft_successor(const struct mft *cur,
	    const unsigned char cur_hash[HASH_SHA256_LEN],
	    const struct mft *old,
	    const unsigned char old_hash[HASH_SHA256_LEN],
	    char *why, size_t whylen);

/* The len bytes at buf have the hash the manifest lists for f (RFC 9286 section 6.6). */
int	valid_filehash(const unsigned char *buf, size_t len,
	    const struct mft_file *f, char *why, size_t whylen);

/* The ROA's EE certificate was issued by issuer and is not on crl (RFC 9582 section 5). */
int	valid_roa(struct roa *roa, const struct cert *issuer,
	    const struct crl *crl, int64_t now, char *why, size_t whylen);

/* As valid_roa() for an ASPA object (draft-ietf-sidrops-aspa-profile section 4). */
int	valid_aspa(struct aspa_object *aspa, const struct cert *issuer,
	    const struct crl *crl, int64_t now, char *why, size_t whylen);

/*
 * The signed object der (len bytes) is one DER TLV with no trailing data
 * (RFC 6488 section 3 requires DER throughout; cms_parse() tolerates a
 * BER ContentInfo/SignedData frame): every length definite and minimal,
 * no constructed OCTET STRING or BIT STRING, nesting at most
 * VALID_DER_MAX_DEPTH.
 */
#define VALID_DER_MAX_DEPTH	64
int	valid_der_framing(const unsigned char *der, size_t len, char *why,
	    size_t whylen);

/*
 * The earliest of a and b, ignoring a value <= 0 (unknown).  Used for
 * payload expiry along the chain.
 */
int64_t	valid_expires_min(int64_t a, int64_t b);

#endif
