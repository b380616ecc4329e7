/*
 * The differential check of the two readers of a certificate
 * (validator/cert.h): cert_parse_ee() or cert_parse() on the DER against
 * the oracle cert_parse_ee_x509() or cert_parse_x509() on what OpenSSL
 * decodes from it.  Shared by test_certee.c (corpus and mutations) and
 * test_cert.c (hand-made certificates).
 */
#ifndef REEF_TESTS_TEST_CERTEE_H
#define REEF_TESTS_TEST_CERTEE_H

#include <stddef.h>

#include "validator/cert.h"

/* Room for the warnings of one reader. */
#define CERTEE_LOG_MAX	1024

/* What each reader did with one certificate. */
struct certee_result {
	int	x509_ok;		/* cert_parse_ee_x509() accepted */
	int	der_ok;			/* cert_parse_ee() accepted */
	enum cert_purpose purpose;	/* what it accepted, else CERT_EE */
	char	x509_log[CERTEE_LOG_MAX]; /* its warnings (truncated) */
	char	der_log[CERTEE_LOG_MAX];
};

/*
 * Run both readers on der (len bytes) with flags, capturing their
 * warnings into *res (logging is back to the default afterwards).
 * Returns 1 if both accept with the same fields or both refuse, 0 if
 * they disagree (what differs is printed, naming fn).
 */
int	certee_agree(const char *fn, const unsigned char *der, size_t len,
	    int flags, struct certee_result *res);

/* The same for cert_parse_x509() and cert_parse() (.cer files). */
int	certca_agree(const char *fn, const unsigned char *der, size_t len,
	    struct certee_result *res);

#endif
