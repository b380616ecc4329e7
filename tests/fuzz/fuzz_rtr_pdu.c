/*
 * libFuzzer harness for the RTR PDU decoder (rtrd/pdu_decode.c).  The
 * input is a byte stream as read from a peer: it is decoded PDU by PDU,
 * strictly and leniently.  Every PDU the strict decoder accepts must
 * encode back to exactly the same bytes, and every rejection must yield
 * a well-formed Error Report (or, for Error Reports, none at all).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtrd/pdu.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Re-encode a decoded PDU; returns PDU_OK or why it cannot be. */
static int
reencode(struct pdu_buf *b, const struct pdu *p)
{
	struct aspa	 a;
	uint32_t	*prov = NULL;
	size_t		 i;
	int		 rc;

	switch (p->type) {
	case PDU_SERIAL_NOTIFY:
		return pdu_put_serial_notify(b, p->version, p->session_id,
		    p->serial);
	case PDU_SERIAL_QUERY:
		return pdu_put_serial_query(b, p->version, p->session_id,
		    p->serial);
	case PDU_RESET_QUERY:
		return pdu_put_reset_query(b, p->version);
	case PDU_CACHE_RESPONSE:
		return pdu_put_cache_response(b, p->version, p->session_id);
	case PDU_CACHE_RESET:
		return pdu_put_cache_reset(b, p->version);
	case PDU_END_OF_DATA:
		return pdu_put_end_of_data(b, p->version, p->session_id,
		    p->serial, p->refresh, p->retry, p->expire);
	case PDU_IPV4_PREFIX:
	case PDU_IPV6_PREFIX:
		return pdu_put_prefix(b, p->version, p->flags, &p->vrp);
	case PDU_ROUTER_KEY:
		return pdu_put_router_key(b, p->version, p->flags, &p->key);
	case PDU_ERROR_REPORT:
		return PDU_EINVAL;	/* text is not NUL-terminated */
	case PDU_ASPA:
		memset(&a, 0, sizeof(a));
		a.customer = p->customer;
		if (p->nproviders > 0 &&
		    (prov = calloc(p->nproviders, sizeof(*prov))) == NULL)
			return PDU_ENOMEM;
		for (i = 0; i < p->nproviders; i++)
			prov[i] = pdu_aspa_provider(p, i);
		a.providers = prov;
		a.nproviders = p->nproviders;
		rc = pdu_put_aspa(b, p->version, p->flags, &a);
		free(prov);
		return rc;
	default:
		abort();
	}
}

static void
check_error_reply(const uint8_t *data, size_t used, int err)
{
	struct pdu_buf	 b = { 0 };
	struct pdu	 p;
	size_t		 n;
	int		 rc;

	rc = pdu_put_error_for(&b, PDU_VERSION_MAX, err, data, used, NULL);
	if (rc == PDU_OK) {
		if (pdu_decode(b.data, b.len, &p, &n) != PDU_OK ||
		    n != b.len || p.type != PDU_ERROR_REPORT)
			abort();
	} else if (rc != PDU_ENOREPLY && rc != PDU_ENOMEM)
		abort();
	pdu_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pdu_buf	 b = { 0 };
	struct pdu	 p;
	size_t		 off = 0, used;
	int		 rc;

	while (off < size) {
		rc = pdu_decode(data + off, size - off, &p, &used);
		if (rc == PDU_INCOMPLETE)
			break;
		if (used > size - off)
			abort();
		if (rc != PDU_OK) {
			check_error_reply(data + off, used, rc);
			break;
		}
		if (used < PDU_HEADER_LEN || used != p.length)
			abort();
		pdu_buf_reset(&b);
		rc = reencode(&b, &p);
		if (rc == PDU_OK && (b.len != used ||
		    memcmp(b.data, data + off, used) != 0))
			abort();
		off += used;
	}
	/* the lenient decoder must survive the same input */
	(void)pdu_decode_ex(data, size, PDU_DECODE_IGNORE_ZERO |
	    PDU_DECODE_AS_ROUTER, &p, &used);
	pdu_buf_free(&b);
	return 0;
}
