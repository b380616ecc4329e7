/*
 * libFuzzer harness for cert_parse_ee(), the EE certificate of a signed
 * object read from its DER (validator/certee.c), against the oracle
 * cert_parse_ee_x509() on what OpenSSL decodes from the same bytes: both
 * must accept or both refuse, with the same fields, or the harness
 * aborts.  The input is a signed object (its first certificate is taken,
 * so the corpus' .roa, .mft, ... files seed it) or else a certificate.
 * The first byte's low bit asks for CERT_EE_NO_SIA (RSC).
 *
 *	make fuzz; tests/fuzz/fuzz_certee -max_total_time=60 SEED_DIR
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "common/log.h"
#include "validator/cert.h"
#include "validator/der.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Only errors would be logged; keep the fuzzer output readable. */
static void
quiet(void)
{
	static const struct log_config lc = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };

	log_init(&lc);
}

/* The first certificate of the SignedData in der, as test_certee.c. */
static int
ee_of_cms(const uint8_t *der, size_t len, struct der_tlv *ee)
{
	struct der d, in;
	struct der_tlv t;
	int i;

	der_init(&d, der, len);
	if (der_next_ber(&d, &t) != DER_OK || t.tag != DER_SEQUENCE)
		return -1;
	der_enter(&in, &t);
	if (der_next_ber(&in, &t) != DER_OK ||
	    der_next_ber(&in, &t) != DER_OK || t.tag != DER_CONTEXT_CONS(0))
		return -1;
	der_enter(&in, &t);
	if (der_next_ber(&in, &t) != DER_OK || t.tag != DER_SEQUENCE)
		return -1;
	der_enter(&in, &t);
	for (i = 0; i < 3; i++)
		if (der_next_ber(&in, &t) != DER_OK)
			return -1;
	if (der_next_ber(&in, &t) != DER_OK || t.tag != DER_CONTEXT_CONS(0))
		return -1;
	der_enter(&in, &t);
	return der_next_ber(&in, ee) == DER_OK ? 0 : -1;
}

static int
same_str(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* The fields both readers fill, compared. */
static int
same_cert(const struct cert *a, const struct cert *b)
{
	return a->purpose == b->purpose && b->x509 == NULL &&
	    memcmp(a->ski, b->ski, sizeof(a->ski)) == 0 &&
	    a->has_aki == b->has_aki &&
	    memcmp(a->aki, b->aki, sizeof(a->aki)) == 0 &&
	    same_str(a->aia, b->aia) && same_str(a->crldp, b->crldp) &&
	    same_str(a->signedobj, b->signedobj) &&
	    same_str(a->serial, b->serial) &&
	    a->notbefore == b->notbefore && a->notafter == b->notafter &&
	    a->spki_len == b->spki_len &&
	    memcmp(a->spki, b->spki, a->spki_len) == 0 &&
	    a->der_len == b->der_len &&
	    memcmp(a->der, b->der, a->der_len) == 0 &&
	    (a->ips == NULL) == (b->ips == NULL) &&
	    (a->ases == NULL) == (b->ases == NULL) &&
	    ip_res_count(a->ips) == ip_res_count(b->ips) &&
	    ip_res_contains(a->ips, b->ips) && ip_res_contains(b->ips, a->ips) &&
	    as_res_contains(a->ases, b->ases) &&
	    as_res_contains(b->ases, a->ases);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p;
	struct der_tlv ee;
	struct cert *a = NULL, *b;
	int flags;
	X509 *x;

	quiet();
	if (size < 2)
		return 0;
	flags = data[0] & 1 ? CERT_EE_NO_SIA : 0;
	if (ee_of_cms(data, size, &ee) == -1) {
		ee.hdr = data + 1;
		ee.tlv_len = size - 1;
	}
	p = ee.hdr;
	if ((x = cert_x509_decode(&p, ee.tlv_len)) != NULL &&
	    p == ee.hdr + ee.tlv_len)
		a = cert_parse_ee_x509("fuzz.roa", x, flags);
	X509_free(x);
	b = cert_parse_ee("fuzz.roa", ee.hdr, ee.tlv_len, flags);
	if ((a == NULL) != (b == NULL) || (a != NULL && !same_cert(a, b)))
		abort();
	cert_free(a);
	cert_free(b);
	return 0;
}
