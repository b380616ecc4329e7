/*
 * The differential check of the two readers of the RFC 3779 extensions:
 * ip_res_parse_der() / as_res_parse_der() on the DER value against the
 * oracle, OpenSSL's template (x509ext_value_decode(): decode, re-encode,
 * compare) followed by ip_res_parse() / as_res_parse().  Shared by
 * test_resder.c (corpus and mutations), test_ip.c and test_as.c.
 */
#ifndef REEF_TESTS_TEST_RESDER_H
#define REEF_TESTS_TEST_RESDER_H

#include <stddef.h>

/*
 * Run both readers of an sbgp-ipAddrBlock (ip non-zero) or
 * sbgp-autonomousSysNum value (val, len bytes).  Returns 1 if both
 * accept with identical results or both refuse, 0 if they disagree
 * (printed, naming fn).  *accepted says whether the DER reader accepted.
 */
int	resder_agree(const char *fn, int ip, const unsigned char *val,
	    size_t len, int *accepted);

#endif
