/*
 * libFuzzer harness for the DER reader (validator/der.c): every TLV of
 * the input, read as BER framing and as strict DER, goes through every
 * decoder, and the reader's promises are checked (each TLV lies inside
 * its container, an OID prints back to itself, both passes of
 * der_octets_ber() agree).  A broken promise aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "validator/der.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Output buffer of der_oid_format(); longer OIDs are cut and not compared. */
#define FUZZ_OID_BUF	4096

static void
check_inside(const struct der *d, const struct der_tlv *t)
{
	if (t->hdr < d->p || t->val < t->hdr || t->len > t->tlv_len ||
	    t->val + t->len > t->hdr + t->tlv_len ||
	    t->tlv_len > (size_t)(d->end - t->hdr))
		abort();
}

/* Every value decoder on t; none may crash or break its contract. */
static void
decode_all(const struct der_tlv *t)
{
	char		 buf[FUZZ_OID_BUF];
	unsigned char	*out;
	size_t		 len, len2;
	int64_t		 v;

	(void)der_int64(t, &v);
	(void)der_null(t);
	(void)der_time(t, &v);
	(void)der_set_order(t);
	(void)der_walk(t);
	if (der_oid(t) == DER_OK) {
		der_oid_format(t, buf, sizeof(buf));
		if (strcmp(buf, "?") != 0 && strlen(buf) < sizeof(buf) - 1 &&
		    !der_oid_is(t, buf))
			abort();
	}
	if (der_octets_ber(t, NULL, &len) == DER_OK) {
		if ((out = malloc(len + 1)) == NULL)
			return;
		if (der_octets_ber(t, out, &len2) != DER_OK || len2 != len)
			abort();
		free(out);
	}
}

/* Visit t and, read with der_next_ber(), everything inside it. */
static void
visit(const struct der_tlv *t, int depth)
{
	struct der	in;
	struct der_tlv	c;

	decode_all(t);
	if (!(t->tag & DER_CONSTRUCTED) || depth > DER_MAX_DEPTH)
		return;
	der_enter(&in, t);
	while (!der_at_end(&in)) {
		struct der	before = in;

		if (der_next_ber(&in, &c) != DER_OK)
			break;
		check_inside(&before, &c);
		visit(&c, depth + 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct der	d, before;
	struct der_tlv	t;

	der_init(&d, data, size);
	while (!der_at_end(&d)) {
		before = d;
		if (der_next_ber(&d, &t) != DER_OK)
			break;
		check_inside(&before, &t);
		visit(&t, 0);
	}
	/* Strict reading never accepts what the BER pass flagged. */
	der_init(&d, data, size);
	while (!der_at_end(&d)) {
		before = d;
		if (der_next(&d, &t) != DER_OK)
			break;
		check_inside(&before, &t);
		if (t.indefinite)
			abort();
	}
	return 0;
}
