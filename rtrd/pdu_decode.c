/*
 * Strict decoding of one RTR PDU from a byte buffer, and the 8210bis
 * section 11.2 order of decoded payload PDUs.
 */
#include <stdint.h>
#include <string.h>

#include "rtrd/pdu.h"
#include "rtrd/pdu_int.h"

/* Options in effect for one pdu_decode_ex() call. */
struct dec {
	const uint8_t	*buf;
	uint32_t	 len;		/* declared PDU length */
	int		 opts;
	struct pdu	*out;
};

static int
strict(const struct dec *d)
{
	return (d->opts & PDU_DECODE_IGNORE_ZERO) == 0;
}

/* Which side may send a type (8210bis section 8 sequences). */
static int
direction_ok(int opts, unsigned int type)
{
	if (opts & PDU_DECODE_AS_CACHE)
		return type == PDU_SERIAL_QUERY || type == PDU_RESET_QUERY ||
		    type == PDU_ERROR_REPORT;
	if (opts & PDU_DECODE_AS_ROUTER)
		return type != PDU_SERIAL_QUERY && type != PDU_RESET_QUERY;
	return 1;
}

/*
 * Length checks needing only the header: exact for fixed-size PDUs, a
 * minimum for the variable ones (PDU_MAX_LEN was checked before).
 */
static int
length_ok(unsigned int version, unsigned int type, uint32_t len)
{
	switch (type) {
	case PDU_SERIAL_NOTIFY:
		return len == PDU_SERIAL_NOTIFY_LEN;
	case PDU_SERIAL_QUERY:
		return len == PDU_SERIAL_QUERY_LEN;
	case PDU_RESET_QUERY:
		return len == PDU_RESET_QUERY_LEN;
	case PDU_CACHE_RESPONSE:
		return len == PDU_CACHE_RESPONSE_LEN;
	case PDU_IPV4_PREFIX:
		return len == PDU_IPV4_PREFIX_LEN;
	case PDU_IPV6_PREFIX:
		return len == PDU_IPV6_PREFIX_LEN;
	case PDU_END_OF_DATA:
		return len == (version == PDU_VERSION_0 ?
		    PDU_END_OF_DATA_V0_LEN : PDU_END_OF_DATA_LEN);
	case PDU_CACHE_RESET:
		return len == PDU_CACHE_RESET_LEN;
	case PDU_ROUTER_KEY:
		/* an SPKI of at least one octet */
		return len > PDU_ROUTER_KEY_MIN_LEN;
	case PDU_ASPA:
		return len >= PDU_ASPA_MIN_LEN && len % 4 == 0;
	case PDU_ERROR_REPORT:
		return len >= PDU_ERROR_REPORT_MIN_LEN;
	default:
		return 0;
	}
}

/* The header's 16-bit field: session ID, error code, zero, or flags. */
static int
header_field_ok(const struct dec *d, unsigned int type)
{
	uint16_t	 field = pdu_get16(d->buf + 2);

	if (!strict(d))
		return PDU_OK;
	switch (type) {
	case PDU_RESET_QUERY:
	case PDU_CACHE_RESET:
	case PDU_IPV4_PREFIX:
	case PDU_IPV6_PREFIX:
		return field == 0 ? PDU_OK : PDU_EZERO;
	case PDU_ROUTER_KEY:
	case PDU_ASPA:
		/* Flags octet, then a zero octet (sections 5.11, 5.12). */
		if ((field & 0xff) != 0)
			return PDU_EZERO;
		if (((field >> 8) & ~PDU_FLAGS_MASK) != 0)
			return PDU_EFLAGS;
		return PDU_OK;
	default:
		return PDU_OK;
	}
}

/* 8210bis sections 5.9 and 5.10. */
static int
dec_prefix(struct dec *d)
{
	struct pdu	*o = d->out;
	unsigned int	 afi, alen;
	uint8_t		 flags = d->buf[8];

	afi = o->type == PDU_IPV4_PREFIX ? AFI_IPV4 : AFI_IPV6;
	alen = prefix_afi_bytes(afi);
	if (strict(d)) {
		if ((flags & ~PDU_FLAGS_MASK) != 0)
			return PDU_EFLAGS;
		if (d->buf[11] != 0)
			return PDU_EZERO;
	}
	o->flags = flags & PDU_FLAGS_MASK;
	/* the prefix must have no bits set beyond its length (5.9) */
	if (prefix_set(&o->vrp.prefix, afi, d->buf + 12, d->buf[9]) !=
	    PREFIX_OK)
		return PDU_EPREFIX;
	o->vrp.maxlen = d->buf[10];
	if (o->vrp.maxlen < o->vrp.prefix.len ||
	    o->vrp.maxlen > prefix_afi_bits(afi))
		return PDU_EPREFIX;
	o->vrp.asn = pdu_get32(d->buf + 12 + alen);
	return PDU_OK;
}

static int
dec_end_of_data(struct dec *d)
{
	struct pdu	*o = d->out;

	o->serial = pdu_get32(d->buf + 8);
	if (o->version == PDU_VERSION_0)
		return PDU_OK;
	o->refresh = pdu_get32(d->buf + 12);
	o->retry = pdu_get32(d->buf + 16);
	o->expire = pdu_get32(d->buf + 20);
	if (!pdu_intervals_valid(o->refresh, o->retry, o->expire))
		return PDU_EINTERVAL;
	return PDU_OK;
}

static int
dec_router_key(struct dec *d)
{
	struct pdu	*o = d->out;

	o->flags = d->buf[2] & PDU_FLAGS_MASK;
	memcpy(o->key.ski, d->buf + 8, ROUTER_KEY_SKI_LEN);
	o->key.asn = pdu_get32(d->buf + 8 + ROUTER_KEY_SKI_LEN);
	o->key.spki = d->buf + PDU_ROUTER_KEY_MIN_LEN;
	o->key.spki_len = d->len - PDU_ROUTER_KEY_MIN_LEN;
	return PDU_OK;
}

/* 8210bis section 5.12. */
static int
dec_aspa(struct dec *d)
{
	struct pdu	*o = d->out;
	size_t		 i;

	o->flags = d->buf[2] & PDU_FLAGS_MASK;
	o->customer = pdu_get32(d->buf + 8);
	o->providers = d->buf + PDU_ASPA_MIN_LEN;
	o->nproviders = (d->len - PDU_ASPA_MIN_LEN) / 4;
	if (o->flags == PDU_FLAG_WITHDRAW) {
		/* "there MUST be no Provider list" */
		if (o->nproviders != 0)
			return PDU_EASPA;
		o->providers = NULL;
		return PDU_OK;
	}
	/* "at least one", ascending and unique, AS 0 only on its own */
	if (o->nproviders == 0)
		return PDU_EASPA;
	for (i = 1; i < o->nproviders; i++)
		if (pdu_aspa_provider(o, i) <= pdu_aspa_provider(o, i - 1))
			return PDU_EASPA;
	if (o->nproviders > 1 && pdu_aspa_provider(o, 0) == 0)
		return PDU_EASPA;
	return PDU_OK;
}

/*
 * Section 5.8.  Any fault is PDU_EERROR: the session is dropped and no
 * Error Report is sent back.
 */
static int
dec_error_report(struct dec *d)
{
	struct pdu	*o = d->out;
	uint32_t	 room = d->len - PDU_ERROR_REPORT_MIN_LEN;
	uint32_t	 elen, tlen;

	o->error_code = pdu_get16(d->buf + 2);
	if (!pdu_rtr_error_valid(o->version, o->error_code))
		return PDU_EERROR;
	elen = pdu_get32(d->buf + 8);
	if (elen > room)
		return PDU_EERROR;
	tlen = pdu_get32(d->buf + 12 + elen);
	if (tlen != room - elen || tlen > PDU_ERROR_TEXT_MAX)
		return PDU_EERROR;
	o->error_pdu_len = elen;
	o->error_pdu = elen > 0 ? d->buf + 12 : NULL;
	o->error_text_len = tlen;
	o->error_text = tlen > 0 ? d->buf + 16 + elen : NULL;
	if (!pdu_utf8_valid(d->buf + 16 + elen, tlen))
		return PDU_EERROR;
	return PDU_OK;
}

static int
dec_body(struct dec *d)
{
	struct pdu	*o = d->out;

	switch (o->type) {
	case PDU_SERIAL_NOTIFY:
	case PDU_SERIAL_QUERY:
		o->session_id = pdu_get16(d->buf + 2);
		o->serial = pdu_get32(d->buf + 8);
		return PDU_OK;
	case PDU_CACHE_RESPONSE:
		o->session_id = pdu_get16(d->buf + 2);
		return PDU_OK;
	case PDU_END_OF_DATA:
		o->session_id = pdu_get16(d->buf + 2);
		return dec_end_of_data(d);
	case PDU_IPV4_PREFIX:
	case PDU_IPV6_PREFIX:
		return dec_prefix(d);
	case PDU_ROUTER_KEY:
		return dec_router_key(d);
	case PDU_ASPA:
		return dec_aspa(d);
	case PDU_ERROR_REPORT:
		return dec_error_report(d);
	default:
		return PDU_OK;	/* Reset Query, Cache Reset: header only */
	}
}

/* Checks that need only the 8 header bytes. */
static int
dec_header(struct dec *d)
{
	unsigned int	 version = d->buf[0], type = d->buf[1];

	if (version > PDU_VERSION_MAX)
		return PDU_EVERSION;
	if (!pdu_type_valid(version, type))
		return PDU_ETYPE;
	if (!direction_ok(d->opts, type))
		return PDU_EDIRECTION;
	if (d->len < PDU_HEADER_LEN || d->len > PDU_MAX_LEN ||
	    !length_ok(version, type, d->len))
		return type == PDU_ERROR_REPORT ? PDU_EERROR : PDU_ELENGTH;
	return header_field_ok(d, type);
}

int
pdu_decode_ex(const uint8_t *buf, size_t len, int opts, struct pdu *out,
    size_t *consumed)
{
	struct dec	 d;
	int		 rc;

	memset(out, 0, sizeof(*out));
	*consumed = 0;
	if (len >= 2) {
		out->version = buf[0];
		out->type = buf[1];
	}
	/* A bad version is clear from the first octet: fail early. */
	if (len >= 1 && buf[0] > PDU_VERSION_MAX) {
		*consumed = len < PDU_HEADER_LEN ? len : PDU_HEADER_LEN;
		return PDU_EVERSION;
	}
	if (len < PDU_HEADER_LEN)
		return PDU_INCOMPLETE;

	d.buf = buf;
	d.len = pdu_get32(buf + 4);
	d.opts = opts;
	d.out = out;
	out->length = d.len;
	if ((rc = dec_header(&d)) != PDU_OK) {
		/* quote the whole PDU when its length is sane, else the header */
		if (d.len >= PDU_HEADER_LEN && d.len <= PDU_MAX_LEN)
			*consumed = len < d.len ? len : d.len;
		else
			*consumed = PDU_HEADER_LEN;
		return rc;
	}
	if (len < d.len)
		return PDU_INCOMPLETE;
	*consumed = d.len;
	return dec_body(&d);
}

int
pdu_decode(const uint8_t *buf, size_t len, struct pdu *out, size_t *consumed)
{
	return pdu_decode_ex(buf, len, 0, out, consumed);
}

uint32_t
pdu_aspa_provider(const struct pdu *p, size_t i)
{
	return pdu_get32(p->providers + 4 * i);
}

/* Ascending comparison of the abstract prefix element (11.2.1). */
static int
prefix_key_cmp(const struct pdu *a, const struct pdu *b)
{
	int	 c;

	c = memcmp(a->vrp.prefix.addr, b->vrp.prefix.addr, PREFIX_ADDR_MAX);
	if (c != 0)
		return c < 0 ? -1 : 1;
	if (a->vrp.maxlen != b->vrp.maxlen)
		return a->vrp.maxlen < b->vrp.maxlen ? -1 : 1;
	if (a->vrp.prefix.len != b->vrp.prefix.len)
		return a->vrp.prefix.len < b->vrp.prefix.len ? -1 : 1;
	if (a->vrp.asn != b->vrp.asn)
		return a->vrp.asn < b->vrp.asn ? -1 : 1;
	return 0;
}

/* Section 11.2.2: ski, SPKI length, SPKI bytes, ASN, all ascending. */
static int
key_key_cmp(const struct pdu *a, const struct pdu *b)
{
	int	 c;

	if ((c = memcmp(a->key.ski, b->key.ski, ROUTER_KEY_SKI_LEN)) != 0)
		return c < 0 ? -1 : 1;
	if (a->key.spki_len != b->key.spki_len)
		return a->key.spki_len < b->key.spki_len ? -1 : 1;
	c = memcmp(a->key.spki, b->key.spki, a->key.spki_len);
	if (c != 0)
		return c < 0 ? -1 : 1;
	if (a->key.asn != b->key.asn)
		return a->key.asn < b->key.asn ? -1 : 1;
	return 0;
}

int
pdu_payload_cmp(const struct pdu *a, const struct pdu *b)
{
	int	 ann = (a->flags & PDU_FLAG_ANNOUNCE) != 0;

	/* section 11.2: lower types first */
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	/* then announcements (updt 1) before withdrawals (updt 0) */
	if (ann != ((b->flags & PDU_FLAG_ANNOUNCE) != 0))
		return ann ? -1 : 1;
	switch (a->type) {
	case PDU_IPV4_PREFIX:
	case PDU_IPV6_PREFIX:
		/* announcements descend in every key, withdrawals ascend */
		return ann ? -prefix_key_cmp(a, b) : prefix_key_cmp(a, b);
	case PDU_ROUTER_KEY:
		return key_key_cmp(a, b);
	case PDU_ASPA:
		if (a->customer != b->customer)
			return a->customer < b->customer ? -1 : 1;
		return 0;
	default:
		return 0;
	}
}
