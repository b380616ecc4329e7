/*
 * The hand-off file: the validated payloads `reef validate` leaves in
 * OUTDIR/reef.handoff for reef-rtrd (and anything else wanting the whole
 * result in one compact, self-checking file).
 *
 * Format, version 1.  All integers are unsigned big-endian (network byte
 * order) unless noted; i64 is a two's complement 64-bit integer, also
 * big-endian.
 *
 *	header (36 bytes)
 *	    magic	8	"REEFHOF\n"
 *	    version	u32	1
 *	    created	i64	seconds since the epoch (UTC) of the run
 *	    nta		u32	TA names, 0..MAX_TALS
 *	    nvrp	u32	VRPs, 0..PAYLOAD_SET_MAX
 *	    nrk		u32	router keys, 0..PAYLOAD_SET_MAX
 *	    naspa	u32	ASPAs, 0..PAYLOAD_SET_MAX
 *	TA names, nta times
 *	    len		u16	1..MAX_FILENAME_LENGTH
 *	    name	len	printable ASCII (0x21..0x7e), unique
 *	VRPs, nvrp times (24 bytes IPv4, 36 bytes IPv6)
 *	    afi		u8	1 (IPv4) or 2 (IPv6)
 *	    len		u8	prefix length
 *	    maxlen	u8	maxLength
 *	    reserved	u8	0
 *	    asn		u32
 *	    ta		u32	index into the TA names
 *	    expires	i64
 *	    addr	4 or 16	address, host bits zero
 *	router keys, nrk times
 *	    asn		u32
 *	    ta		u32
 *	    expires	i64
 *	    ski		20
 *	    spki_len	u16	1..ROUTER_KEY_SPKI_MAX
 *	    spki	spki_len	DER SubjectPublicKeyInfo
 *	ASPAs, naspa times
 *	    customer	u32	not 0
 *	    ta		u32
 *	    expires	i64
 *	    nproviders	u32	1..MAX_ASPA_PROVIDERS
 *	    providers	4 each	strictly ascending, customer not among them
 *	trailer
 *	    sha256	32	SHA-256 of every byte before it
 *
 * Each section is in set order (vrpset.h, rkset.h, aspaset.h) with no
 * duplicates, and every entry passes vrp_check(), router_key_check() or
 * aspa_check() with a ta index below nta.  Nothing may follow the
 * trailer.  A reader rejects any deviation, so a truncated, extended or
 * corrupted file is always detected (the digest catches random damage;
 * the structural checks catch a file written by a broken writer).
 *
 * A reader accepts only the version it knows; a future incompatible
 * layout gets a new version number.
 */
#ifndef REEF_HANDOFF_H
#define REEF_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

#include "aspaset.h"
#include "rkset.h"
#include "vrpset.h"

/* File name of the hand-off file inside the validator's output directory. */
#define HANDOFF_FILENAME	"reef.handoff"
#define HANDOFF_MAGIC		"REEFHOF\n"
#define HANDOFF_MAGIC_LEN	8
#define HANDOFF_VERSION		1
#define HANDOFF_HEADER_LEN	36

/*
 * The content of a hand-off file.  The sets are frozen; ta_names[i] is
 * the NUL-terminated name of TA index i.  Whoever fills the struct owns
 * the sets and names: handoff_read() allocates them, handoff_free()
 * releases them; for handoff_write() they stay the caller's.
 */
struct handoff_data {
	int64_t		 created;
	char		**ta_names;
	size_t		 nta;
	struct vrpset	*vrps;
	struct rkset	*rks;
	struct aspaset	*aspas;
};

/*
 * Encode *d (frozen sets, NULL sets taken as empty) into a new buffer
 * *out of *outlen bytes, owned by the caller (free()).  Returns 0, or -1
 * with errno EINVAL (unfrozen set, ta index out of range, bad TA name,
 * an entry beyond a format limit) or ENOMEM.
 */
int	handoff_encode(const struct handoff_data *d, uint8_t **out,
	    size_t *outlen);

/*
 * The header handoff_encode() begins with, alone: what changes from one
 * run to the next when the payloads do not (the time).
 */
void	handoff_encode_header(const struct handoff_data *d,
	    uint8_t out[HANDOFF_HEADER_LEN]);

/*
 * Encode *d and atomically replace path with it (common/atomic.h), mode
 * 0644.  Returns 0, or -1 with errno set (as handoff_encode() or the
 * failed system call); path is untouched on failure.
 */
int	handoff_write(const char *path, const struct handoff_data *d);

/*
 * Decode and fully validate len bytes at buf into *out (see above).
 * Returns 0 with *out filled (release with handoff_free()), or -1 with a
 * one-line reason in err (errlen bytes, may be 0) and *out zeroed.
 */
int	handoff_parse(const uint8_t *buf, size_t len, struct handoff_data *out,
	    char *err, size_t errlen);

/*
 * As handoff_parse() on the content of the file at path; err then begins
 * with the path.
 */
int	handoff_read(const char *path, struct handoff_data *out, char *err,
	    size_t errlen);

/* Release everything handoff_parse()/handoff_read() put into *d and zero it; NULL is allowed. */
void	handoff_free(struct handoff_data *d);

#endif
