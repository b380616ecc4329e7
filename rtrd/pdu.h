/*
 * RPKI-to-Router PDUs: encoding, strict decoding and the payload order of
 * protocol versions 0 (RFC 6810), 1 (RFC 8210) and 2
 * (draft-ietf-sidrops-8210bis-27, "8210bis" below).
 *
 * Encoders append to a struct pdu_buf, a growable byte buffer owned by
 * its user.  Payload streams (pdu_encode_full(), pdu_encode_delta())
 * depend only on the protocol version and the sets, never on a session,
 * so one encoding per version can be shared by every session; the
 * session ID only appears in Cache Response, End of Data, Serial Notify
 * and Serial Query, which are encoded per send.
 *
 * Payload order (8210bis section 11.2, mandatory for version 2 and used
 * for every version as the draft recommends): by PDU type (IPv4 Prefix,
 * IPv6 Prefix, Router Key, ASPA), and within one type announcements
 * before withdrawals; pdu_payload_cmp() gives the full order.
 *
 * All functions returning int give 0 (PDU_OK) or a negative enum pdu_err
 * unless said otherwise.  Nothing here keeps global state.
 */
#ifndef REEF_RTRD_PDU_H
#define REEF_RTRD_PDU_H

#include <stddef.h>
#include <stdint.h>

#include "common/aspaset.h"
#include "common/payload.h"
#include "common/rkset.h"
#include "common/vrpset.h"

/* ---- Versions, types, sizes ------------------------------------------- */

#define PDU_VERSION_0		0	/* RFC 6810 */
#define PDU_VERSION_1		1	/* RFC 8210 */
#define PDU_VERSION_2		2	/* 8210bis */
#define PDU_VERSION_MAX		PDU_VERSION_2

enum pdu_type {
	PDU_SERIAL_NOTIFY = 0,
	PDU_SERIAL_QUERY = 1,
	PDU_RESET_QUERY = 2,
	PDU_CACHE_RESPONSE = 3,
	PDU_IPV4_PREFIX = 4,
	PDU_IPV6_PREFIX = 6,
	PDU_END_OF_DATA = 7,
	PDU_CACHE_RESET = 8,
	PDU_ROUTER_KEY = 9,	/* version 1 and later */
	PDU_ERROR_REPORT = 10,
	PDU_ASPA = 11		/* version 2 and later */
};

/* Flags field, lowest-order bit (8210bis section 5.1). */
#define PDU_FLAG_WITHDRAW	0x00
#define PDU_FLAG_ANNOUNCE	0x01
#define PDU_FLAGS_MASK		0x01	/* the other bits are reserved */

#define PDU_HEADER_LEN		8
#define PDU_SERIAL_NOTIFY_LEN	12
#define PDU_SERIAL_QUERY_LEN	12
#define PDU_RESET_QUERY_LEN	8
#define PDU_CACHE_RESPONSE_LEN	8
#define PDU_IPV4_PREFIX_LEN	20
#define PDU_IPV6_PREFIX_LEN	32
#define PDU_END_OF_DATA_V0_LEN	12	/* RFC 6810 section 5.8 */
#define PDU_END_OF_DATA_LEN	24	/* versions 1 and 2 */
#define PDU_CACHE_RESET_LEN	8
/* Header, SKI (20) and AS number, before the SubjectPublicKeyInfo. */
#define PDU_ROUTER_KEY_MIN_LEN	(PDU_HEADER_LEN + ROUTER_KEY_SKI_LEN + 4)
/* Header and customer AS; a withdrawal is exactly this long. */
#define PDU_ASPA_MIN_LEN	12
/* Header and the two length fields. */
#define PDU_ERROR_REPORT_MIN_LEN	16
/* 8210bis section 5.1: "This length MUST NOT exceed 65,535 octets". */
#define PDU_MAX_LEN		65535
/* Most providers one ASPA PDU can carry within PDU_MAX_LEN. */
#define PDU_ASPA_MAX_PROVIDERS	((PDU_MAX_LEN - PDU_ASPA_MIN_LEN) / 4)
/*
 * Most bytes of an offending PDU we copy into an Error Report we send
 * (8210bis section 5.8 allows truncation, keeping at least 4 octets).
 */
#define PDU_ERROR_ENCAP_MAX	1024
/* Longest diagnostic text we send or accept (see limits.h). */
#define PDU_ERROR_TEXT_MAX	MAX_RTR_ERROR_TEXT

/* Timing parameters of End of Data, 8210bis section 6. */
#define PDU_REFRESH_MIN		RTR_REFRESH_MIN
#define PDU_REFRESH_MAX		RTR_REFRESH_MAX
#define PDU_RETRY_MIN		RTR_RETRY_MIN
#define PDU_RETRY_MAX		RTR_RETRY_MAX
#define PDU_EXPIRE_MIN		RTR_EXPIRE_MIN
#define PDU_EXPIRE_MAX		RTR_EXPIRE_MAX

/* Error Report codes (8210bis section 12; RFC 8210 has 0..8, RFC 6810 0..7). */
enum rtr_error_code {
	RTR_ERR_CORRUPT_DATA = 0,
	RTR_ERR_INTERNAL = 1,
	RTR_ERR_NO_DATA = 2,
	RTR_ERR_INVALID_REQUEST = 3,
	RTR_ERR_UNSUPPORTED_VERSION = 4,
	RTR_ERR_UNSUPPORTED_TYPE = 5,
	RTR_ERR_WITHDRAW_UNKNOWN = 6,
	RTR_ERR_DUPLICATE_ANNOUNCE = 7,
	RTR_ERR_UNEXPECTED_VERSION = 8,		/* version 1 and later */
	RTR_ERR_ASPA_PROVIDER_LIST = 9,		/* version 2 */
	RTR_ERR_TRANSPORT = 10,			/* version 2 */
	RTR_ERR_ORDERING = 11,			/* version 2 */
	RTR_ERR_CACHE_RESTART = 12,		/* version 2 */
	RTR_ERR_CACHE_SHUTDOWN = 13		/* version 2 */
};

/* ---- Errors of this module -------------------------------------------- */

/*
 * Results of pdu_decode() and the encoders.  pdu_err_to_rtr() maps each
 * decoding error to the Error Report code to send.
 */
enum pdu_err {
	PDU_OK = 0,
	PDU_INCOMPLETE = 1,	/* decode: need more bytes (not an error) */
	PDU_ENOMEM = -1,	/* allocation failed */
	PDU_EVERSION = -2,	/* version not 0..2: Unsupported Protocol Version */
	PDU_ETYPE = -3,		/* unknown type, or not in this version:
				   Unsupported PDU Type */
	PDU_ELENGTH = -4,	/* length field wrong for the type, below 8
				   or above PDU_MAX_LEN: Corrupt Data */
	PDU_EZERO = -5,		/* reserved field not zero: Corrupt Data */
	PDU_EFLAGS = -6,	/* reserved flag bit set: Corrupt Data */
	PDU_EPREFIX = -7,	/* prefix length, max length or host bits:
				   Corrupt Data */
	PDU_EINTERVAL = -8,	/* End of Data timing out of range: Corrupt Data */
	PDU_EASPA = -9,		/* bad provider list: ASPA Provider List Error */
	PDU_EERROR = -10,	/* malformed Error Report (bad inner lengths,
				   unknown code, text not UTF-8 or too long):
				   drop the session, send nothing back */
	PDU_EDIRECTION = -11,	/* PDU never sent in this direction
				   (pdu_decode_ex() flags): Invalid Request */
	PDU_EINVAL = -12,	/* encode: argument not encodable (bad VRP,
				   empty SPKI, timing out of range...) */
	PDU_ETOOBIG = -13,	/* encode: PDU would exceed PDU_MAX_LEN */
	PDU_ENOREPLY = -14	/* pdu_put_error_for(): offending PDU is an
				   Error Report, nothing may be sent */
};

/* Returns a static description of an enum pdu_err value. */
const char	*pdu_strerror(int);

/*
 * Returns the Error Report code for a negative pdu_decode() result
 * (Corrupt Data for anything without a better code).
 */
uint16_t	 pdu_err_to_rtr(int);

/* Returns a static name of a PDU type ("IPv4 Prefix"), "unknown" if none. */
const char	*pdu_type_name(unsigned int);

/* Returns a static name of an Error Report code, "unknown" if none. */
const char	*pdu_rtr_error_name(unsigned int);

/* Returns 1 if the type exists in the given protocol version, else 0. */
int		 pdu_type_valid(unsigned int version, unsigned int type);

/* Returns 1 if the error code is defined for the protocol version, else 0. */
int		 pdu_rtr_error_valid(unsigned int version, unsigned int code);

/* Returns 1 if the error code is fatal (8210bis section 12), else 0. */
int		 pdu_rtr_error_fatal(unsigned int code);

/* ---- Byte buffer ------------------------------------------------------- */

/*
 * A growable byte buffer.  Zero-initialise it (or pdu_buf_init()); the
 * owner frees it with pdu_buf_free() or takes the bytes with
 * pdu_buf_steal().  On a failed append the buffer keeps its previous
 * content and length.
 */
struct pdu_buf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
};

void		 pdu_buf_init(struct pdu_buf *);
/* Frees the bytes and empties the buffer; NULL is allowed. */
void		 pdu_buf_free(struct pdu_buf *);
/* Sets the length to 0, keeping the allocation. */
void		 pdu_buf_reset(struct pdu_buf *);
/* Ensures room for n more bytes.  Returns PDU_OK or PDU_ENOMEM. */
int		 pdu_buf_reserve(struct pdu_buf *, size_t);
/*
 * Hands the bytes to the caller (free() them; NULL if empty) and empties
 * the buffer.  *len receives the byte count.
 */
uint8_t		*pdu_buf_steal(struct pdu_buf *, size_t *);

/* ---- Encoders ---------------------------------------------------------- */

/*
 * Each appends one PDU of the given version.  Errors: PDU_EVERSION for a
 * version above PDU_VERSION_MAX, PDU_ETYPE if the PDU does not exist in
 * that version, PDU_EINVAL for an argument the PDU cannot carry,
 * PDU_ENOMEM; the buffer is then unchanged.
 */
int	pdu_put_serial_notify(struct pdu_buf *, uint8_t, uint16_t, uint32_t);
int	pdu_put_serial_query(struct pdu_buf *, uint8_t, uint16_t, uint32_t);
int	pdu_put_reset_query(struct pdu_buf *, uint8_t);
int	pdu_put_cache_response(struct pdu_buf *, uint8_t, uint16_t);
int	pdu_put_cache_reset(struct pdu_buf *, uint8_t);

/*
 * End of Data (version, session, serial, refresh, retry, expire).  The
 * intervals are not sent in version 0; for versions 1 and 2 they must lie
 * within the ranges of 8210bis section 6 and expire must exceed refresh
 * and retry, else PDU_EINVAL.
 */
int	pdu_put_end_of_data(struct pdu_buf *, uint8_t, uint16_t, uint32_t,
	    uint32_t, uint32_t, uint32_t);

/*
 * IPv4 or IPv6 Prefix (from the VRP's AFI).  flags is PDU_FLAG_ANNOUNCE or
 * PDU_FLAG_WITHDRAW.  The VRP must pass vrp_check() (prefix length <=
 * maxLength <= 32/128, no host bits), else PDU_EINVAL.
 */
int	pdu_put_prefix(struct pdu_buf *, uint8_t, uint8_t, const struct vrp *);

/*
 * Router Key, versions 1 and 2.  The SPKI must pass router_key_check(),
 * else PDU_EINVAL.
 */
int	pdu_put_router_key(struct pdu_buf *, uint8_t, uint8_t,
	    const struct router_key *);

/*
 * ASPA, version 2 only.  A withdrawal carries only the customer (8210bis
 * section 5.12: length 12).  An announcement carries the providers, which
 * must be ascending and unique; AS 0 is left out when there are other
 * providers (8210bis section 5.12: a multi-provider announcement MUST NOT
 * contain AS 0; the union of ASPAs drops it, section 10).  Errors:
 * PDU_EINVAL (customer 0, no providers, providers not ascending),
 * PDU_ETOOBIG (more than PDU_ASPA_MAX_PROVIDERS providers).
 */
int	pdu_put_aspa(struct pdu_buf *, uint8_t, uint8_t, const struct aspa *);

/*
 * Error Report (version, code, offending PDU or NULL, its length, text or
 * NULL).  The offending PDU is truncated to PDU_ERROR_ENCAP_MAX bytes and
 * the text to PDU_ERROR_TEXT_MAX bytes (at a UTF-8 character boundary).
 * PDU_EINVAL if the code is not defined for the version.
 */
int	pdu_put_error_report(struct pdu_buf *, uint8_t, uint16_t,
	    const uint8_t *, size_t, const char *);

/*
 * The reply to a PDU that pdu_decode() rejected with err: an Error Report
 * with pdu_err_to_rtr(err) encapsulating the offending bytes (pdu, len),
 * at the given version.  For PDU_EVERSION pass the highest version the
 * cache supports (8210bis section 7).  Returns PDU_ENOREPLY, appending
 * nothing, when the offending PDU is itself an Error Report or err is
 * PDU_EERROR (section 5.8: never answer an Error Report with one).
 */
int	pdu_put_error_for(struct pdu_buf *, uint8_t, int, const uint8_t *,
	    size_t, const char *);

/* ---- Payload streams --------------------------------------------------- */

/* What an encoding of a set or a delta contains. */
struct pdu_encode_stats {
	size_t	npdus;		/* payload PDUs written */
	size_t	nskipped;	/* entries left out (invalid or too big) */
};

/*
 * Append announcements for the whole content of the frozen sets (any may
 * be NULL, meaning empty) in the 8210bis section 11.2 order, as sent
 * after a Cache Response to a Reset Query.  Router keys are left out
 * below version 1, ASPAs below version 2.  An entry that cannot be
 * encoded (an ASPA with more than PDU_ASPA_MAX_PROVIDERS providers) is
 * skipped and counted, so the set stays serviceable.  st may be NULL.
 * Returns PDU_OK, PDU_EVERSION, PDU_EINVAL (a set not frozen) or
 * PDU_ENOMEM; the buffer is unchanged on error.
 */
int	pdu_encode_full(struct pdu_buf *, uint8_t, const struct vrpset *,
	    const struct rkset *, const struct aspaset *,
	    struct pdu_encode_stats *);

/*
 * Append the changes of a delta (any diff may be NULL) in the 8210bis
 * section 11.2 order.  Unlike pdu_encode_full() nothing is skipped: an
 * entry that cannot be encoded fails the whole delta with PDU_EINVAL or
 * PDU_ETOOBIG, and the caller should then not offer this delta (answer
 * Serial Queries across it with Cache Reset, so routers fetch the full
 * set instead).  Returns PDU_OK, PDU_EVERSION, PDU_EINVAL, PDU_ETOOBIG
 * or PDU_ENOMEM; the buffer is unchanged on error.
 */
int	pdu_encode_delta(struct pdu_buf *, uint8_t, const struct vrp_diff *,
	    const struct rk_diff *, const struct aspa_diff *,
	    struct pdu_encode_stats *);

/* ---- Decoding ---------------------------------------------------------- */

/*
 * A decoded PDU.  Pointers (spki, providers, error fields) point into the
 * buffer given to pdu_decode() and are valid as long as it is.
 */
struct pdu {
	uint8_t		 version;
	uint8_t		 type;		/* enum pdu_type */
	uint16_t	 session_id;	/* Serial Notify/Query, Cache Response,
					   End of Data; else 0 */
	uint32_t	 length;	/* whole PDU, header included */
	uint8_t		 flags;		/* payload PDUs */
	uint32_t	 serial;	/* Serial Notify/Query, End of Data */
	uint32_t	 refresh;	/* End of Data, version 1 and later */
	uint32_t	 retry;
	uint32_t	 expire;
	struct vrp	 vrp;		/* IPv4/IPv6 Prefix (ta, expires 0) */
	struct router_key key;		/* Router Key (ta, expires 0) */
	uint32_t	 customer;	/* ASPA */
	const uint8_t	*providers;	/* ASPA: big-endian 32-bit ASNs */
	size_t		 nproviders;
	uint16_t	 error_code;	/* Error Report */
	const uint8_t	*error_pdu;	/* encapsulated PDU, NULL if none */
	uint32_t	 error_pdu_len;
	const uint8_t	*error_text;	/* UTF-8, not NUL-terminated */
	uint32_t	 error_text_len;
};

/* Decoding options for pdu_decode_ex(). */
#define PDU_DECODE_IGNORE_ZERO	0x01	/* accept non-zero reserved fields
					   and flag bits (8210bis section 5:
					   "ignored on receipt") */
#define PDU_DECODE_AS_CACHE	0x02	/* only router-to-cache PDUs (Serial
					   Query, Reset Query, Error Report) */
#define PDU_DECODE_AS_ROUTER	0x04	/* only cache-to-router PDUs */

/*
 * Decode the PDU at the start of buf (len bytes available).  Returns:
 *	PDU_OK		*out filled, *consumed = its length;
 *	PDU_INCOMPLETE	the header says more bytes are needed; nothing
 *			is known to be wrong yet (*consumed = 0);
 *	< 0		the PDU is malformed: *consumed = the bytes of it
 *			present in buf (at most its declared length, or
 *			the 8 header bytes if the length itself is bad,
 *			or what there is of them), to quote
 *			in the Error Report (pdu_put_error_for()); out->
 *			version and out->type hold the header values when
 *			at least 2 bytes were present.  The session must
 *			end.
 * Every check that needs only the header (version, type, length, header
 * reserved fields) is made as soon as the 8 header bytes are present, so
 * a peer cannot stall a session by announcing a bogus length.  Checks:
 * version 0..2; type known for that version; exact length for fixed-size
 * PDUs, and for Router Key, ASPA and Error Report at least their minimum
 * and at most PDU_MAX_LEN; reserved fields and flag bits zero; prefix
 * length <= max length <= 32/128 and no host bits (8210bis section 5.9);
 * End of Data timing per section 6; ASPA provider rules of section 5.12;
 * Error Report inner lengths consistent, code defined for the version,
 * text valid UTF-8 of at most PDU_ERROR_TEXT_MAX bytes.  pdu_decode() is
 * pdu_decode_ex() with no options.
 */
int	pdu_decode(const uint8_t *, size_t, struct pdu *, size_t *);
int	pdu_decode_ex(const uint8_t *, size_t, int, struct pdu *, size_t *);

/* Returns provider i (host order) of a decoded ASPA PDU. */
uint32_t pdu_aspa_provider(const struct pdu *, size_t);

/*
 * 8210bis section 11.2 order of two decoded payload PDUs (IPv4/IPv6
 * Prefix, Router Key, ASPA) of one response.  Returns <0 if a must come
 * before b, >0 if after, 0 if they are the same element (which in one
 * response is itself an error: a duplicate).
 */
int	pdu_payload_cmp(const struct pdu *, const struct pdu *);

/* Returns 1 for the payload PDU types (4, 6, 9, 11), else 0. */
int	pdu_is_payload(unsigned int type);

#endif
