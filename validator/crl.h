/*
 * Certificate revocation lists as profiled by RFC 6487 section 5 (on top
 * of RFC 5280 section 5): DER in, a plain struct out with the revoked
 * serial numbers sorted for binary search.
 */
#ifndef REEF_VALIDATOR_CRL_H
#define REEF_VALIDATOR_CRL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "common/hash.h"

/* RFC 5280 section 4.1.2.2: serial numbers are at most 20 octets. */
#define CRL_SERIAL_MAX_LEN	20
/* RFC 5280 section 5.2.3 / RFC 9829: cRLNumber is at most 20 octets. */
#define CRL_NUMBER_MAX_LEN	20
/* RFC 6487 section 4.8.2: 160-bit key identifiers. */
#define CRL_KEYID_LEN		20

/* A positive serial number as its big-endian magnitude, no leading zeros. */
struct crl_serial {
	uint8_t		len;
	uint8_t		bytes[CRL_SERIAL_MAX_LEN];
};

struct cert;

struct crl {
	X509_CRL		*x509_crl;	/* owned: issuer name, entries */
	/* SHA-256 of the TBSCertList as received, and the signature value */
	unsigned char		 tbs_hash[HASH_SHA256_LEN];
	unsigned char		*sig;
	size_t			 siglen;
	/* The DER of the issuer Name (RFC 5280 section 5.1.2.3), a copy */
	unsigned char		*issuer_name;
	size_t			 issuer_name_len;
	unsigned char		 aki[CRL_KEYID_LEN];
	unsigned char		 number[CRL_NUMBER_MAX_LEN]; /* magnitude */
	size_t			 number_len;	/* 0 for the number zero */
	int64_t			 this_update;
	int64_t			 next_update;
	struct crl_serial	*revoked;	/* sorted, see crl_serial_cmp() */
	size_t			 nrevoked;
};

/*
 * Parse and profile-check a CRL.  Returns a new crl (free with
 * crl_free()), or NULL after logging why (naming fn and the RFC).
 */
struct crl	*crl_parse(const char *fn, const unsigned char *der,
		    size_t len);

/* Release crl and everything it owns; NULL is allowed. */
void		 crl_free(struct crl *crl);

/*
 * Check crl against the certificate of the CA that issued it (a TA or CA
 * from cert_parse(), with its prepared key): issuer name (compared by
 * cert_names_equal()), AKI equal to the issuer's SKI, signature by the
 * issuer's key, and currency at now (thisUpdate <= now <= nextUpdate,
 * RFC 5280 section 6.3.3).  Returns 0, or -1 with a reason naming the RFC
 * in why (whylen bytes).
 */
int		 crl_check_issued(const struct crl *crl,
		    const struct cert *issuer, int64_t now, char *why,
		    size_t whylen);

/* Returns 1 if the serial number is on the CRL, else 0. */
int		 crl_is_revoked(const struct crl *crl, const ASN1_INTEGER *serial);

/*
 * As crl_is_revoked() for a serial given as big-endian bytes (leading
 * zero octets are ignored).
 */
int		 crl_is_revoked_bytes(const struct crl *crl,
		    const unsigned char *bytes, size_t len);

/* Order of serials: shorter magnitude first, then bytewise. */
int		 crl_serial_cmp(const void *a, const void *b);

#endif
