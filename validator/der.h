/*
 * A small strict DER reader (X.690 section 10) for the structures Reef
 * decodes without OpenSSL's templates: the CMS SignedData around RPKI
 * signed objects (validator/cms.c).
 *
 * Nothing is copied or allocated: a struct der is a read position over
 * caller-owned bytes and a struct der_tlv points into them.  Every
 * function returns DER_OK (0) or the der_err saying why the input is not
 * DER; der_strerror() turns it into a message citing X.690.
 *
 * Supported: identifier octets with tag numbers below 31 (every tag CMS
 * uses), definite lengths in minimal form up to DER_MAX_LEN_OCTETS
 * octets, INTEGER, OBJECT IDENTIFIER, NULL, primitive OCTET STRING,
 * UTCTime and GeneralizedTime (RFC 5280 section 4.1.2.5), the SET OF
 * order of X.690 section 11.6, and a recursive check of a whole value.
 * One BER form is readable on request, for framing that real objects
 * carry: der_next_ber() accepts the indefinite length (X.690 section
 * 8.1.3.6) on constructed values, and der_octets_ber() the constructed
 * OCTET STRING (X.690 section 8.7.3).
 */
#ifndef REEF_VALIDATOR_DER_H
#define REEF_VALIDATOR_DER_H

#include <stddef.h>
#include <stdint.h>

/* Identifier octets (X.690 section 8.1.2) of the universal types used. */
#define DER_INTEGER		0x02
#define DER_BIT_STRING		0x03
#define DER_OCTET_STRING	0x04
#define DER_NULL		0x05
#define DER_OID			0x06
#define DER_IA5STRING		0x16
#define DER_UTCTIME		0x17
#define DER_GENTIME		0x18
#define DER_SEQUENCE		0x30
#define DER_SET			0x31
/* Bits of an identifier octet. */
#define DER_CONSTRUCTED		0x20
#define DER_CLASS_MASK		0xc0
#define DER_CLASS_CONTEXT	0x80
#define DER_TAG_NUMBER_MASK	0x1f
/* [n] context-specific tags, primitive and constructed. */
#define DER_CONTEXT(n)		(DER_CLASS_CONTEXT | (n))
#define DER_CONTEXT_CONS(n)	(DER_CLASS_CONTEXT | DER_CONSTRUCTED | (n))

/* Most length octets read after the first: 4 GiB is beyond any object. */
#define DER_MAX_LEN_OCTETS	4
/* Deepest nesting der_walk() and der_next_ber() follow. */
#define DER_MAX_DEPTH		32

enum der_err {
	DER_OK = 0,
	DER_E_TRUNCATED,	/* a TLV runs past the end of its container */
	DER_E_HIGH_TAG,		/* tag number 31 or more (unused here) */
	DER_E_INDEFINITE,	/* indefinite length (BER) */
	DER_E_LEN_NONMINIMAL,	/* length not in its shortest form (BER) */
	DER_E_LEN_TOO_LARGE,	/* over DER_MAX_LEN_OCTETS length octets */
	DER_E_TAG,		/* not the expected type */
	DER_E_TRAILING,		/* data after the last element */
	DER_E_MISSING,		/* a required element is absent */
	DER_E_INTEGER,		/* empty or not minimal (X.690 8.3.2) */
	DER_E_RANGE,		/* an INTEGER too large for the field */
	DER_E_OID,		/* malformed OBJECT IDENTIFIER (X.690 8.19) */
	DER_E_NULL,		/* NULL with contents (X.690 8.8.2) */
	DER_E_FORM,		/* wrong primitive/constructed form */
	DER_E_SET_ORDER,	/* SET OF not in DER order (X.690 11.6) */
	DER_E_TIME,		/* malformed UTCTime or GeneralizedTime */
	DER_E_DEPTH,		/* nested deeper than DER_MAX_DEPTH */
	DER_E_EOC,		/* misplaced or malformed end-of-contents */
	DER_E_COUNT
};

/* A read position: the unread part of one buffer or constructed value. */
struct der {
	const unsigned char	*p;
	const unsigned char	*end;
};

/* One TLV, pointing into the buffer it was read from. */
struct der_tlv {
	const unsigned char	*hdr;	/* identifier octet */
	const unsigned char	*val;	/* first content octet */
	size_t			 len;	/* content octets */
	size_t			 tlv_len; /* with end-of-contents */
	unsigned char		 tag;	/* identifier octet */
	int			 indefinite; /* BER indefinite form */
};

/* Returns a message for err, citing X.690 (static storage). */
const char	*der_strerror(enum der_err err);

/* Start reading buf (len bytes). */
void		 der_init(struct der *d, const unsigned char *buf,
		    size_t len);

/* Start reading the contents of the constructed value t. */
void		 der_enter(struct der *d, const struct der_tlv *t);

/* Returns 1 if nothing is left to read in d, else 0. */
int		 der_at_end(const struct der *d);

/* DER_OK if nothing is left to read in d, else DER_E_TRAILING. */
enum der_err	 der_end(const struct der *d);

/* The identifier octet of the next TLV, or -1 at the end. */
int		 der_peek(const struct der *d);

/* Read the next TLV into *t (DER only) and advance past it. */
enum der_err	 der_next(struct der *d, struct der_tlv *t);

/* der_next(), then DER_E_TAG unless its identifier octet is tag. */
enum der_err	 der_expect(struct der *d, unsigned char tag,
		    struct der_tlv *t);

/*
 * Like der_next(), but a constructed TLV may also use the indefinite
 * length: its end-of-contents octets are found (following nested
 * indefinite values up to DER_MAX_DEPTH) and excluded from t->len, so
 * that der_enter() reads exactly its elements.
 */
enum der_err	 der_next_ber(struct der *d, struct der_tlv *t);

/*
 * Check t and, when constructed, every TLV inside it, recursively: DER
 * lengths, no constructed form for universal types other than SEQUENCE
 * and SET (X.690 section 10.2).  Does not look at contents otherwise.
 */
enum der_err	 der_walk(const struct der_tlv *t);

/* INTEGER contents of t in minimal form and within INT64 range. */
enum der_err	 der_int64(const struct der_tlv *t, int64_t *out);

/* OBJECT IDENTIFIER contents of t well formed (X.690 section 8.19). */
enum der_err	 der_oid(const struct der_tlv *t);

/*
 * Returns 1 if t holds the OBJECT IDENTIFIER written in dotted form in
 * text (as oid_text() gives it), else 0.
 */
int		 der_oid_is(const struct der_tlv *t, const char *text);

/*
 * Write the dotted form of the OBJECT IDENTIFIER t into buf (always
 * NUL-terminated when size is non-zero; "?" if malformed); returns buf.
 */
char		*der_oid_format(const struct der_tlv *t, char *buf,
		    size_t size);

/* NULL with no contents. */
enum der_err	 der_null(const struct der_tlv *t);

/*
 * The elements of the SET OF t are in ascending order of their
 * encodings (X.690 section 11.6); equal elements may repeat.
 */
enum der_err	 der_set_order(const struct der_tlv *t);

/*
 * A UTCTime or GeneralizedTime t as seconds since the epoch, in the
 * RFC 5280 section 4.1.2.5 form: dates through 2049 as UTCTime, later
 * ones as GeneralizedTime.
 */
enum der_err	 der_time(const struct der_tlv *t, int64_t *out);

/*
 * The octets of an OCTET STRING t, primitive or (BER, X.690 section
 * 8.7.3) constructed from primitive segments.  With out NULL, only
 * checks and stores the total in *len; otherwise copies them into out,
 * which holds at least that many bytes.
 */
enum der_err	 der_octets_ber(const struct der_tlv *t, unsigned char *out,
		    size_t *len);

#endif
