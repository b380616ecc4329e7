/*
 * The byte buffer, the control PDUs (Serial Notify, Serial Query, Reset
 * Query, Cache Response, End of Data, Cache Reset) and the payload
 * stream encoders.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtrd/pdu.h"
#include "rtrd/pdu_int.h"

/* First allocation of a buffer; small PDUs are the common case. */
#define PDU_BUF_MIN_CAP		256

void
pdu_buf_init(struct pdu_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
pdu_buf_free(struct pdu_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	pdu_buf_init(b);
}

void
pdu_buf_reset(struct pdu_buf *b)
{
	b->len = 0;
}

int
pdu_buf_reserve(struct pdu_buf *b, size_t n)
{
	size_t	 need, cap;
	uint8_t	*p;

	if (n > SIZE_MAX - b->len)
		return PDU_ENOMEM;
	need = b->len + n;
	if (need <= b->cap)
		return PDU_OK;
	cap = b->cap < PDU_BUF_MIN_CAP ? PDU_BUF_MIN_CAP : b->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return PDU_ENOMEM;
	b->data = p;
	b->cap = cap;
	return PDU_OK;
}

uint8_t *
pdu_buf_grow(struct pdu_buf *b, size_t n)
{
	uint8_t	*p;

	if (pdu_buf_reserve(b, n) != PDU_OK)
		return NULL;
	p = b->data + b->len;
	b->len += n;
	return p;
}

uint8_t *
pdu_buf_steal(struct pdu_buf *b, size_t *len)
{
	uint8_t	*p = b->data;

	*len = b->len;
	if (b->len == 0) {
		free(p);
		p = NULL;
	}
	pdu_buf_init(b);
	return p;
}

const char *
pdu_type_name(unsigned int type)
{
	switch (type) {
	case PDU_SERIAL_NOTIFY:
		return "Serial Notify";
	case PDU_SERIAL_QUERY:
		return "Serial Query";
	case PDU_RESET_QUERY:
		return "Reset Query";
	case PDU_CACHE_RESPONSE:
		return "Cache Response";
	case PDU_IPV4_PREFIX:
		return "IPv4 Prefix";
	case PDU_IPV6_PREFIX:
		return "IPv6 Prefix";
	case PDU_END_OF_DATA:
		return "End of Data";
	case PDU_CACHE_RESET:
		return "Cache Reset";
	case PDU_ROUTER_KEY:
		return "Router Key";
	case PDU_ERROR_REPORT:
		return "Error Report";
	case PDU_ASPA:
		return "ASPA";
	default:
		return "unknown";
	}
}

/* 8210bis section 14 (rpki-rtr-pdu registry): types per version. */
int
pdu_type_valid(unsigned int version, unsigned int type)
{
	if (version > PDU_VERSION_MAX)
		return 0;
	switch (type) {
	case PDU_SERIAL_NOTIFY:
	case PDU_SERIAL_QUERY:
	case PDU_RESET_QUERY:
	case PDU_CACHE_RESPONSE:
	case PDU_IPV4_PREFIX:
	case PDU_IPV6_PREFIX:
	case PDU_END_OF_DATA:
	case PDU_CACHE_RESET:
	case PDU_ERROR_REPORT:
		return 1;
	case PDU_ROUTER_KEY:
		return version >= PDU_VERSION_1;
	case PDU_ASPA:
		return version >= PDU_VERSION_2;
	default:
		return 0;
	}
}

int
pdu_is_payload(unsigned int type)
{
	return type == PDU_IPV4_PREFIX || type == PDU_IPV6_PREFIX ||
	    type == PDU_ROUTER_KEY || type == PDU_ASPA;
}

/* A PDU carrying only the header and an optional 32-bit serial. */
static int
put_simple(struct pdu_buf *b, uint8_t version, uint8_t type, uint16_t field,
    int with_serial, uint32_t serial)
{
	uint32_t	 len = with_serial ? 12 : PDU_HEADER_LEN;
	uint8_t		*p;

	if (version > PDU_VERSION_MAX)
		return PDU_EVERSION;
	if ((p = pdu_buf_grow(b, len)) == NULL)
		return PDU_ENOMEM;
	pdu_write_header(p, version, type, field, len);
	if (with_serial)
		pdu_be32(p + PDU_HEADER_LEN, serial);
	return PDU_OK;
}

int
pdu_put_serial_notify(struct pdu_buf *b, uint8_t version, uint16_t session,
    uint32_t serial)
{
	return put_simple(b, version, PDU_SERIAL_NOTIFY, session, 1, serial);
}

int
pdu_put_serial_query(struct pdu_buf *b, uint8_t version, uint16_t session,
    uint32_t serial)
{
	return put_simple(b, version, PDU_SERIAL_QUERY, session, 1, serial);
}

int
pdu_put_reset_query(struct pdu_buf *b, uint8_t version)
{
	return put_simple(b, version, PDU_RESET_QUERY, 0, 0, 0);
}

int
pdu_put_cache_response(struct pdu_buf *b, uint8_t version, uint16_t session)
{
	return put_simple(b, version, PDU_CACHE_RESPONSE, session, 0, 0);
}

int
pdu_put_cache_reset(struct pdu_buf *b, uint8_t version)
{
	return put_simple(b, version, PDU_CACHE_RESET, 0, 0, 0);
}

/* 8210bis section 6: ranges, and expire above both other intervals. */
static int
intervals_valid(uint32_t refresh, uint32_t retry, uint32_t expire)
{
	if (refresh < PDU_REFRESH_MIN || refresh > PDU_REFRESH_MAX)
		return 0;
	if (retry < PDU_RETRY_MIN || retry > PDU_RETRY_MAX)
		return 0;
	if (expire < PDU_EXPIRE_MIN || expire > PDU_EXPIRE_MAX)
		return 0;
	return expire > refresh && expire > retry;
}

int
pdu_put_end_of_data(struct pdu_buf *b, uint8_t version, uint16_t session,
    uint32_t serial, uint32_t refresh, uint32_t retry, uint32_t expire)
{
	uint8_t	*p;

	if (version > PDU_VERSION_MAX)
		return PDU_EVERSION;
	/* RFC 6810 section 5.8: version 0 carries the serial only. */
	if (version == PDU_VERSION_0)
		return put_simple(b, version, PDU_END_OF_DATA, session, 1,
		    serial);
	if (!intervals_valid(refresh, retry, expire))
		return PDU_EINVAL;
	if ((p = pdu_buf_grow(b, PDU_END_OF_DATA_LEN)) == NULL)
		return PDU_ENOMEM;
	pdu_write_header(p, version, PDU_END_OF_DATA, session,
	    PDU_END_OF_DATA_LEN);
	pdu_be32(p + 8, serial);
	pdu_be32(p + 12, refresh);
	pdu_be32(p + 16, retry);
	pdu_be32(p + 20, expire);
	return PDU_OK;
}

int
pdu_intervals_valid(uint32_t refresh, uint32_t retry, uint32_t expire)
{
	return intervals_valid(refresh, retry, expire);
}

static void
stats_init(struct pdu_encode_stats *st)
{
	st->npdus = 0;
	st->nskipped = 0;
}

/* Prefixes of both families, IPv4 (type 4) before IPv6 (type 6). */
static int
emit_vrps(struct pdu_buf *b, uint8_t version, uint8_t flags,
    const struct vrpset *set, const struct vrp *arr, size_t n, int skip_bad,
    struct pdu_encode_stats *st)
{
	int	 rc;

	rc = pdu_emit_prefixes(b, version, flags, AFI_IPV4, set, arr, n,
	    skip_bad, st);
	if (rc == PDU_OK)
		rc = pdu_emit_prefixes(b, version, flags, AFI_IPV6, set, arr,
		    n, skip_bad, st);
	return rc;
}

int
pdu_encode_full(struct pdu_buf *b, uint8_t version, const struct vrpset *vrps,
    const struct rkset *keys, const struct aspaset *aspas,
    struct pdu_encode_stats *stp)
{
	struct pdu_encode_stats	 st;
	size_t			 saved = b->len;
	int			 rc = PDU_OK;

	stats_init(&st);
	if (version > PDU_VERSION_MAX)
		return PDU_EVERSION;
	if ((vrps != NULL && !vrpset_frozen(vrps)) ||
	    (keys != NULL && !rkset_frozen(keys)) ||
	    (aspas != NULL && !aspaset_frozen(aspas)))
		return PDU_EINVAL;

	/* 8210bis section 5.5: a Reset Query gets announcements only. */
	if (vrps != NULL)
		rc = emit_vrps(b, version, PDU_FLAG_ANNOUNCE, vrps, NULL,
		    vrpset_count(vrps), 1, &st);
	if (rc == PDU_OK && keys != NULL && version >= PDU_VERSION_1)
		rc = pdu_emit_router_keys(b, version, PDU_FLAG_ANNOUNCE, keys,
		    NULL, rkset_count(keys), 1, &st);
	if (rc == PDU_OK && aspas != NULL && version >= PDU_VERSION_2)
		rc = pdu_emit_aspas(b, version, PDU_FLAG_ANNOUNCE, aspas,
		    NULL, aspaset_count(aspas), 1, &st);
	if (rc != PDU_OK) {
		b->len = saved;
		return rc;
	}
	if (stp != NULL)
		*stp = st;
	return PDU_OK;
}

/*
 * 8210bis section 11.2: lower PDU types first; within a type,
 * announcements (updt 1) before withdrawals (updt 0).
 */
int
pdu_encode_delta(struct pdu_buf *b, uint8_t version, const struct vrp_diff *vd,
    const struct rk_diff *kd, const struct aspa_diff *ad,
    struct pdu_encode_stats *stp)
{
	struct pdu_encode_stats	 st;
	size_t			 saved = b->len;
	unsigned int		 i;
	int			 rc = PDU_OK;
	static const unsigned int afis[] = { AFI_IPV4, AFI_IPV6 };

	stats_init(&st);
	if (version > PDU_VERSION_MAX)
		return PDU_EVERSION;
	for (i = 0; vd != NULL && rc == PDU_OK && i < 2; i++) {
		rc = pdu_emit_prefixes(b, version, PDU_FLAG_ANNOUNCE, afis[i],
		    NULL, vd->announce, vd->nannounce, 0, &st);
		if (rc == PDU_OK)
			rc = pdu_emit_prefixes(b, version, PDU_FLAG_WITHDRAW,
			    afis[i], NULL, vd->withdraw, vd->nwithdraw, 0, &st);
	}
	if (rc == PDU_OK && kd != NULL && version >= PDU_VERSION_1) {
		rc = pdu_emit_router_keys(b, version, PDU_FLAG_ANNOUNCE, NULL,
		    kd->announce, kd->nannounce, 0, &st);
		if (rc == PDU_OK)
			rc = pdu_emit_router_keys(b, version, PDU_FLAG_WITHDRAW,
			    NULL, kd->withdraw, kd->nwithdraw, 0, &st);
	}
	if (rc == PDU_OK && ad != NULL && version >= PDU_VERSION_2) {
		rc = pdu_emit_aspas(b, version, PDU_FLAG_ANNOUNCE, NULL,
		    ad->announce, ad->nannounce, 0, &st);
		if (rc == PDU_OK)
			rc = pdu_emit_aspas(b, version, PDU_FLAG_WITHDRAW, NULL,
			    ad->withdraw, ad->nwithdraw, 0, &st);
	}
	if (rc != PDU_OK) {
		b->len = saved;
		return rc;
	}
	if (stp != NULL)
		*stp = st;
	return PDU_OK;
}
