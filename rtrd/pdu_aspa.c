/*
 * ASPA PDUs (8210bis section 5.12, layout of draft revision 27: Flags in
 * the header, customer AS, then the providers; no AFI flags and no
 * provider count, which earlier revisions had) and their order in a
 * response (section 11.2.3).
 */
#include <stdint.h>
#include <stdlib.h>

#include "rtrd/pdu.h"
#include "rtrd/pdu_int.h"

/*
 * The providers an announcement carries: all of them, except that AS 0
 * is dropped when there are others (section 5.12: a multi-provider
 * announcement MUST NOT contain AS 0).  Ascending order puts AS 0 first.
 */
static void
providers_to_send(const struct aspa *a, const uint32_t **prov, size_t *n)
{
	*prov = a->providers;
	*n = a->nproviders;
	if (*n > 1 && (*prov)[0] == 0) {
		(*prov)++;
		(*n)--;
	}
}

/* Returns PDU_OK or why the ASPA cannot be sent with these flags. */
static int
aspa_encodable(uint8_t flags, const struct aspa *a)
{
	const uint32_t	*prov;
	size_t		 i, n;

	if ((flags & ~PDU_FLAGS_MASK) != 0 || a->customer == 0)
		return PDU_EINVAL;
	if (flags == PDU_FLAG_WITHDRAW)
		return PDU_OK;
	providers_to_send(a, &prov, &n);
	if (n == 0)
		return PDU_EINVAL;
	for (i = 1; i < n; i++)
		if (prov[i] <= prov[i - 1])
			return PDU_EINVAL;
	if (n > PDU_ASPA_MAX_PROVIDERS)
		return PDU_ETOOBIG;
	return PDU_OK;
}

static size_t
aspa_size(uint8_t flags, const struct aspa *a)
{
	const uint32_t	*prov;
	size_t		 n;

	/* section 5.12: a withdrawal has no provider list, length 12 */
	if (flags == PDU_FLAG_WITHDRAW)
		return PDU_ASPA_MIN_LEN;
	providers_to_send(a, &prov, &n);
	return PDU_ASPA_MIN_LEN + 4 * n;
}

static void
write_aspa(uint8_t *p, uint8_t version, uint8_t flags, const struct aspa *a)
{
	const uint32_t	*prov;
	size_t		 i, n, len = aspa_size(flags, a);

	pdu_write_header(p, version, PDU_ASPA, (uint16_t)(flags << 8), len);
	pdu_be32(p + 8, a->customer);
	if (flags == PDU_FLAG_WITHDRAW)
		return;
	providers_to_send(a, &prov, &n);
	for (i = 0; i < n; i++)
		pdu_be32(p + PDU_ASPA_MIN_LEN + 4 * i, prov[i]);
}

int
pdu_put_aspa(struct pdu_buf *b, uint8_t version, uint8_t flags,
    const struct aspa *a)
{
	uint8_t	*p;
	int	 rc;

	if (version > PDU_VERSION_MAX)
		return PDU_EVERSION;
	if (!pdu_type_valid(version, PDU_ASPA))
		return PDU_ETYPE;
	if ((rc = aspa_encodable(flags, a)) != PDU_OK)
		return rc;
	if ((p = pdu_buf_grow(b, aspa_size(flags, a))) == NULL)
		return PDU_ENOMEM;
	write_aspa(p, version, flags, a);
	return PDU_OK;
}

/*
 * Section 11.2.3 orders ASPAs of one kind by ascending customer, which is
 * the order of sets and diffs already.
 */
int
pdu_emit_aspas(struct pdu_buf *b, uint8_t version, uint8_t flags,
    const struct aspaset *set, const struct aspa *arr, size_t n,
    int skip_bad, struct pdu_encode_stats *st)
{
	struct aspa	 a;
	size_t		 i;
	uint8_t		*p;
	int		 rc;

	for (i = 0; i < n; i++) {
		if (set != NULL)
			aspaset_get(set, i, &a);
		else
			a = arr[i];
		if ((rc = aspa_encodable(flags, &a)) != PDU_OK) {
			if (!skip_bad)
				return rc;
			st->nskipped++;
			continue;
		}
		if ((p = pdu_buf_grow(b, aspa_size(flags, &a))) == NULL)
			return PDU_ENOMEM;
		write_aspa(p, version, flags, &a);
		st->npdus++;
	}
	return PDU_OK;
}
