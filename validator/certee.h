/*
 * Between validator/cert.c, which holds the certificate profile (RFC 6487,
 * RFC 8209), and validator/certee.c, which reads certificates from their
 * DER (cert_parse(), cert_parse_ee()) where cert.c's oracles read an
 * X509 OpenSSL decoded.  Both sort the extensions into a struct
 * cert_exts and hand it to the same checks, so that the two readers
 * differ only in how they find the fields.  Not for other callers.
 */
#ifndef REEF_VALIDATOR_CERTEE_H
#define REEF_VALIDATOR_CERTEE_H

#include <stddef.h>
#include <stdint.h>

#include "validator/cert.h"
#include "validator/certder.h"
#include "validator/der.h"

/* The extensions the profile knows (RFC 6487 section 4.8). */
enum cert_ext {
	CERT_EXT_BC, CERT_EXT_SKI, CERT_EXT_AKI, CERT_EXT_KU, CERT_EXT_EKU,
	CERT_EXT_CRLDP, CERT_EXT_AIA, CERT_EXT_SIA, CERT_EXT_CP, CERT_EXT_IP,
	CERT_EXT_AS, CERT_EXT_N
};

/*
 * The extensions present: critical flag, extnValue contents (pointing
 * into the certificate) and, after the checks decoded it, the value as
 * OpenSSL's template for it gives (owned, cert_exts_free()).
 */
struct cert_exts {
	/*
	 * Set by the DER reader: values of the form CAs issue are read
	 * from their DER, not decoded by OpenSSL (cert.c says which).
	 */
	int			 der_only;
	int			 present[CERT_EXT_N];
	int			 crit[CERT_EXT_N];
	const unsigned char	*val[CERT_EXT_N];
	size_t			 len[CERT_EXT_N];
	void			*v[CERT_EXT_N];
};

/* The extension whose extnID is the OBJECT IDENTIFIER oid, or CERT_EXT_N. */
enum cert_ext	 cert_ext_of_oid(const struct der_tlv *oid);

/*
 * Record extension number pos (from 0, in order) of the certificate as
 * kind j into ex: refused if it is a duplicate (RFC 5280 section 4.2)
 * or its critical flag is not DER (bit pos of crit_bad, struct certder).
 * Returns 0, or -1 after logging.
 */
int		 cert_ext_add(const char *fn, struct cert_exts *ex,
		    enum cert_ext j, unsigned int pos, int crit,
		    uint64_t crit_bad, const unsigned char *val, size_t len);

/* Log the unknown extension with the dotted extnID oid; returns -1. */
int		 cert_ext_unknown(const char *fn, const char *oid, int crit);

/* Free what the checks decoded into ex. */
void		 cert_exts_free(struct cert_exts *ex);

/*
 * RFC 6487 section 4.2: the serialNumber t (a positive INTEGER of at most
 * CERT_SERIAL_MAX_LEN octets) into c->serial and c->serial_raw.  Returns
 * 0, or -1 after logging.
 */
int		 cert_check_serial(const char *fn, const struct der_tlv *t,
		    struct cert *c);

/* RFC 6487 section 4.6: notBefore not after notAfter; 0 or -1 (logged). */
int		 cert_check_validity(const char *fn, const struct cert *c);

/*
 * The rest of the EE profile, once the TBSCertificate is read: every
 * extension (ex, of the certificate whose SubjectPublicKeyInfo slice is
 * spki) and the key, filling c (purpose CERT_EE).  flags as for
 * cert_parse_ee().  Returns 0, or -1 after logging.
 */
int		 cert_check_ee(const char *fn, const struct der_tlv *spki,
		    struct cert_exts *ex, int flags, struct cert *c);

/*
 * The rest of the TA, CA and router profile, once the TBSCertificate is
 * read: purpose (a CA is a TA if self_issued, its subject equal to its
 * issuer), every extension and the key, filling c.  Returns 0, or -1
 * after logging.
 */
int		 cert_check_ca(const char *fn, const struct der_tlv *spki,
		    int self_issued, struct cert_exts *ex, struct cert *c);

#endif
