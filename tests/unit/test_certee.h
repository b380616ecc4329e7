/*
 * The differential check of the two readers of an EE certificate
 * (validator/cert.h): cert_parse_ee() on the DER against the oracle
 * cert_parse_ee_x509() on what OpenSSL decodes from it.  Shared by
 * test_certee.c (corpus and mutations) and test_cert.c (hand-made EEs).
 */
#ifndef REEF_TESTS_TEST_CERTEE_H
#define REEF_TESTS_TEST_CERTEE_H

#include <stddef.h>

/* Room for the warnings of one reader. */
#define CERTEE_LOG_MAX	1024

/* What each reader did with one certificate. */
struct certee_result {
	int	x509_ok;		/* cert_parse_ee_x509() accepted */
	int	der_ok;			/* cert_parse_ee() accepted */
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

#endif
