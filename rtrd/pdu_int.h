/*
 * Internals shared by the rtrd/pdu_*.c files: big-endian field access,
 * header writing and the per-type payload writers used by the stream
 * encoders.  Not for use outside the PDU code.
 */
#ifndef REEF_RTRD_PDU_INT_H
#define REEF_RTRD_PDU_INT_H

#include <stddef.h>
#include <stdint.h>

#include "rtrd/pdu.h"

static inline void
pdu_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void
pdu_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline uint16_t
pdu_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
pdu_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Write the 8-byte header: version, type, 16-bit field, length. */
static inline void
pdu_write_header(uint8_t *p, uint8_t version, uint8_t type, uint16_t field,
    uint32_t len)
{
	p[0] = version;
	p[1] = type;
	pdu_be16(p + 2, field);
	pdu_be32(p + 4, len);
}

/*
 * Extend the buffer by n bytes and return a pointer to them, or NULL on
 * allocation failure (buffer unchanged).
 */
uint8_t	*pdu_buf_grow(struct pdu_buf *, size_t);

/* Returns 1 if End of Data intervals obey 8210bis section 6, else 0. */
int	 pdu_intervals_valid(uint32_t, uint32_t, uint32_t);

/* Returns 1 if p holds n bytes of valid UTF-8 (RFC 3629), else 0. */
int	 pdu_utf8_valid(const uint8_t *, size_t);

/* Encoded size of a Prefix PDU for the VRP's AFI (0 for an unknown AFI). */
size_t	 pdu_prefix_size(const struct vrp *);

/*
 * Append the prefixes of one delta list or set in 8210bis section 11.2
 * order: src is either set (entries [0, n)) or arr (n entries), both in
 * vrpset order.  With skip_bad, VRPs failing vrp_check() are counted in
 * st->nskipped; without, they fail with PDU_EINVAL.  IPv4 and IPv6 are
 * written by separate calls (afi), as Prefix PDU types order them.
 */
int	 pdu_emit_prefixes(struct pdu_buf *, uint8_t, uint8_t, unsigned int,
	    const struct vrpset *, const struct vrp *, size_t, int,
	    struct pdu_encode_stats *);

/* As pdu_emit_prefixes() for router keys (set or array). */
int	 pdu_emit_router_keys(struct pdu_buf *, uint8_t, uint8_t,
	    const struct rkset *, const struct router_key *, size_t, int,
	    struct pdu_encode_stats *);

/* As pdu_emit_prefixes() for ASPAs (set or array). */
int	 pdu_emit_aspas(struct pdu_buf *, uint8_t, uint8_t,
	    const struct aspaset *, const struct aspa *, size_t, int,
	    struct pdu_encode_stats *);

#endif
