/*
 * Router Key PDUs (RFC 8210 section 5.10, 8210bis section 5.11) and their
 * order in a response (8210bis section 11.2.2).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtrd/pdu.h"
#include "rtrd/pdu_int.h"

static size_t
key_size(const struct router_key *k)
{
	return PDU_ROUTER_KEY_MIN_LEN + k->spki_len;
}

/* Returns PDU_OK or why the key cannot be sent. */
static int
key_encodable(const struct router_key *k)
{
	if (router_key_check(k) != PAYLOAD_OK)
		return PDU_EINVAL;
	if (k->spki_len > PDU_MAX_LEN - PDU_ROUTER_KEY_MIN_LEN)
		return PDU_ETOOBIG;
	return PDU_OK;
}

static void
write_key(uint8_t *p, uint8_t version, uint8_t flags,
    const struct router_key *k)
{
	/* flags share the header's 16-bit field with a zero octet */
	pdu_write_header(p, version, PDU_ROUTER_KEY, (uint16_t)(flags << 8),
	    key_size(k));
	memcpy(p + 8, k->ski, ROUTER_KEY_SKI_LEN);
	pdu_be32(p + 8 + ROUTER_KEY_SKI_LEN, k->asn);
	memcpy(p + PDU_ROUTER_KEY_MIN_LEN, k->spki, k->spki_len);
}

int
pdu_put_router_key(struct pdu_buf *b, uint8_t version, uint8_t flags,
    const struct router_key *k)
{
	uint8_t	*p;
	int	 rc;

	if (version > PDU_VERSION_MAX)
		return PDU_EVERSION;
	if (!pdu_type_valid(version, PDU_ROUTER_KEY))
		return PDU_ETYPE;
	if ((flags & ~PDU_FLAGS_MASK) != 0)
		return PDU_EINVAL;
	if ((rc = key_encodable(k)) != PDU_OK)
		return rc;
	if ((p = pdu_buf_grow(b, key_size(k))) == NULL)
		return PDU_ENOMEM;
	write_key(p, version, flags, k);
	return PDU_OK;
}

/*
 * 8210bis section 11.2.2: ski bytes, then the shorter SPKI, then SPKI
 * bytes, then the lower ASN.  Announcements and withdrawals use the same
 * key order.
 */
static int
cmp_key(const void *pa, const void *pb)
{
	const struct router_key	*a = pa, *b = pb;
	int			 c;

	if ((c = memcmp(a->ski, b->ski, ROUTER_KEY_SKI_LEN)) != 0)
		return c;
	if (a->spki_len != b->spki_len)
		return a->spki_len < b->spki_len ? -1 : 1;
	if ((c = memcmp(a->spki, b->spki, a->spki_len)) != 0)
		return c;
	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	return 0;
}

/*
 * The set's own order is by ASN first, so copy the (few) keys, sort them
 * by the draft's key and write them.
 */
int
pdu_emit_router_keys(struct pdu_buf *b, uint8_t version, uint8_t flags,
    const struct rkset *set, const struct router_key *arr, size_t n,
    int skip_bad, struct pdu_encode_stats *st)
{
	struct router_key	*keys = NULL;
	size_t			 i;
	uint8_t			*p;
	int			 rc = PDU_OK, bad;

	if (n == 0)
		return PDU_OK;
	if ((keys = calloc(n, sizeof(*keys))) == NULL)
		return PDU_ENOMEM;
	for (i = 0; i < n; i++) {
		if (set != NULL)
			rkset_get(set, i, &keys[i]);
		else
			keys[i] = arr[i];
	}
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (i = 0; i < n; i++) {
		if ((bad = key_encodable(&keys[i])) != PDU_OK) {
			if (!skip_bad) {
				rc = bad;
				goto out;
			}
			st->nskipped++;
			continue;
		}
		if ((p = pdu_buf_grow(b, key_size(&keys[i]))) == NULL) {
			rc = PDU_ENOMEM;
			goto out;
		}
		write_key(p, version, flags, &keys[i]);
		st->npdus++;
	}
out:
	free(keys);
	return rc;
}
