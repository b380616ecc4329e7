/*
 * A small strict DER reader (X.690 section 10); see der.h.
 */
#include <stdio.h>
#include <string.h>

#include "common/gtime.h"
#include "validator/der.h"

/* X.690 section 8.1.3: the length octet of the short and indefinite forms. */
#define DER_LEN_LONG		0x80
/* X.690 section 8.19.2: bit 8 marks all but the last subidentifier octet. */
#define DER_OID_MORE		0x80
/* X.690 section 8.19.4: first subidentifier = X * 40 + Y, X in 0..2. */
#define DER_OID_ARC1_BASE	40
#define DER_OID_ARC1_MAX	2
/* RFC 5280 section 4.1.2.5: GeneralizedTime only from this year on. */
#define DER_GENTIME_FIRST_YEAR	2050
#define DER_SECS_PER_DAY	86400

static const char *const der_errstr[DER_E_COUNT] = {
	[DER_OK] = "no error",
	[DER_E_TRUNCATED] = "TLV runs past the end of its container "
	    "(X.690 section 8.1.1)",
	[DER_E_HIGH_TAG] = "tag number above 30 (X.690 section 8.1.2.4) "
	    "not expected here",
	[DER_E_INDEFINITE] = "indefinite length (BER, not DER: X.690 "
	    "section 10.1)",
	[DER_E_LEN_NONMINIMAL] = "length not in minimal form (BER, not DER: "
	    "X.690 section 10.1)",
	[DER_E_LEN_TOO_LARGE] = "more than 4 length octets (X.690 section "
	    "8.1.3.5)",
	[DER_E_TAG] = "unexpected type",
	[DER_E_TRAILING] = "unexpected data after the last element",
	[DER_E_MISSING] = "a required element is missing",
	[DER_E_INTEGER] = "INTEGER empty or not in minimal form (X.690 "
	    "section 8.3.2)",
	[DER_E_RANGE] = "INTEGER out of range",
	[DER_E_OID] = "malformed OBJECT IDENTIFIER (X.690 section 8.19)",
	[DER_E_NULL] = "NULL with contents (X.690 section 8.8.2)",
	[DER_E_FORM] = "primitive or constructed form not allowed for the "
	    "type (X.690 sections 8.1.2.5 and 10.2)",
	[DER_E_SET_ORDER] = "SET OF elements not in DER order (X.690 "
	    "section 11.6)",
	[DER_E_TIME] = "malformed UTCTime or GeneralizedTime (RFC 5280 "
	    "section 4.1.2.5)",
	[DER_E_DEPTH] = "nested too deep",
	[DER_E_EOC] = "misplaced end-of-contents octets (X.690 section "
	    "8.1.5)",
};

const char *
der_strerror(enum der_err err)
{
	if ((unsigned int)err >= DER_E_COUNT)
		return "unknown DER error";
	return der_errstr[err];
}

void
der_init(struct der *d, const unsigned char *buf, size_t len)
{
	d->p = buf;
	d->end = buf + len;
}

void
der_enter(struct der *d, const struct der_tlv *t)
{
	d->p = t->val;
	d->end = t->val + t->len;
}

int
der_at_end(const struct der *d)
{
	return d->p >= d->end;
}

enum der_err
der_end(const struct der *d)
{
	return der_at_end(d) ? DER_OK : DER_E_TRAILING;
}

int
der_peek(const struct der *d)
{
	return der_at_end(d) ? -1 : *d->p;
}

/*
 * The identifier and length octets at d->p into t (t->val, t->len set;
 * t->len is 0 and *indef 1 for the indefinite form).  Does not advance d
 * and does not check that the contents fit.
 */
static enum der_err
der_header(const struct der *d, struct der_tlv *t, int *indef)
{
	const unsigned char	*q = d->p;
	size_t			 n, i, len;

	*indef = 0;
	if (q >= d->end)
		return DER_E_MISSING;
	t->hdr = q;
	t->tag = *q++;
	t->indefinite = 0;
	if ((t->tag & DER_TAG_NUMBER_MASK) == DER_TAG_NUMBER_MASK)
		return DER_E_HIGH_TAG;
	if (q >= d->end)
		return DER_E_TRUNCATED;
	if (t->tag == 0)	/* only end-of-contents uses tag 0 */
		return DER_E_EOC;
	if (*q < DER_LEN_LONG)
		len = *q++;
	else if (*q == DER_LEN_LONG) {
		*indef = 1;
		len = 0;
		q++;
	} else {
		n = *q++ & ~DER_LEN_LONG;
		if (n > DER_MAX_LEN_OCTETS)
			return DER_E_LEN_TOO_LARGE;
		if ((size_t)(d->end - q) < n)
			return DER_E_TRUNCATED;
		if (*q == 0)
			return DER_E_LEN_NONMINIMAL;
		for (len = 0, i = 0; i < n; i++)
			len = (len << 8) | *q++;
		if (len < DER_LEN_LONG)
			return DER_E_LEN_NONMINIMAL;
	}
	t->val = q;
	t->len = len;
	return DER_OK;
}

/* Finish a definite-length t read at d->p: bounds, then advance d. */
static enum der_err
der_definite(struct der *d, struct der_tlv *t)
{
	if ((size_t)(d->end - t->val) < t->len)
		return DER_E_TRUNCATED;
	t->tlv_len = (size_t)(t->val - t->hdr) + t->len;
	d->p = t->val + t->len;
	return DER_OK;
}

enum der_err
der_next(struct der *d, struct der_tlv *t)
{
	enum der_err	e;
	int		indef;

	if ((e = der_header(d, t, &indef)) != DER_OK)
		return e;
	if (indef)
		return DER_E_INDEFINITE;
	return der_definite(d, t);
}

enum der_err
der_expect(struct der *d, unsigned char tag, struct der_tlv *t)
{
	enum der_err	e;

	if ((e = der_next(d, t)) != DER_OK)
		return e;
	return t->tag == tag ? DER_OK : DER_E_TAG;
}

static enum der_err der_next_ber_depth(struct der *, struct der_tlv *, int);

/*
 * Read the elements of an indefinite-length value from d up to and
 * including its end-of-contents octets; *eoc is where those start.
 */
static enum der_err
der_find_eoc(struct der *d, int depth, const unsigned char **eoc)
{
	struct der_tlv	t;
	enum der_err	e;

	for (;;) {
		if (d->end - d->p < 2)
			return DER_E_TRUNCATED;
		if (d->p[0] == 0) {
			if (d->p[1] != 0)
				return DER_E_EOC;
			*eoc = d->p;
			d->p += 2;
			return DER_OK;
		}
		if ((e = der_next_ber_depth(d, &t, depth + 1)) != DER_OK)
			return e;
	}
}

static enum der_err
der_next_ber_depth(struct der *d, struct der_tlv *t, int depth)
{
	struct der		 in;
	const unsigned char	*eoc;
	enum der_err		 e;
	int			 indef;

	if (depth > DER_MAX_DEPTH)
		return DER_E_DEPTH;
	if ((e = der_header(d, t, &indef)) != DER_OK)
		return e;
	if (!indef)
		return der_definite(d, t);
	/* X.690 section 8.1.3.2: only constructed values are indefinite. */
	if (!(t->tag & DER_CONSTRUCTED))
		return DER_E_INDEFINITE;
	in.p = t->val;
	in.end = d->end;
	if ((e = der_find_eoc(&in, depth, &eoc)) != DER_OK)
		return e;
	t->len = (size_t)(eoc - t->val);
	t->tlv_len = (size_t)(in.p - t->hdr);
	t->indefinite = 1;
	d->p = in.p;
	return DER_OK;
}

enum der_err
der_next_ber(struct der *d, struct der_tlv *t)
{
	return der_next_ber_depth(d, t, 0);
}

static enum der_err
der_walk_depth(const struct der_tlv *t, int depth)
{
	struct der	in;
	struct der_tlv	c;
	enum der_err	e;

	if (depth > DER_MAX_DEPTH)
		return DER_E_DEPTH;
	if (t->indefinite)
		return DER_E_INDEFINITE;
	/*
	 * X.690 sections 8.9.1, 8.11.1 and 10.2: SEQUENCE and SET are
	 * constructed, every other universal type primitive.
	 */
	if ((t->tag & DER_CLASS_MASK) == 0 &&
	    ((t->tag | DER_CONSTRUCTED) == DER_SEQUENCE ||
	    (t->tag | DER_CONSTRUCTED) == DER_SET) !=
	    ((t->tag & DER_CONSTRUCTED) != 0))
		return DER_E_FORM;
	if (!(t->tag & DER_CONSTRUCTED))
		return DER_OK;
	der_enter(&in, t);
	while (!der_at_end(&in)) {
		if ((e = der_next(&in, &c)) != DER_OK ||
		    (e = der_walk_depth(&c, depth + 1)) != DER_OK)
			return e;
	}
	return DER_OK;
}

enum der_err
der_walk(const struct der_tlv *t)
{
	return der_walk_depth(t, 0);
}

enum der_err
der_int64(const struct der_tlv *t, int64_t *out)
{
	const unsigned char	*v = t->val;
	uint64_t		 u;
	size_t			 i;

	if (t->tag != DER_INTEGER)
		return DER_E_TAG;
	if (t->len == 0)
		return DER_E_INTEGER;
	/* X.690 section 8.3.2: the first nine bits are not all equal. */
	if (t->len > 1 && ((v[0] == 0x00 && !(v[1] & 0x80)) ||
	    (v[0] == 0xff && (v[1] & 0x80))))
		return DER_E_INTEGER;
	if (t->len > sizeof(u))
		return DER_E_RANGE;
	u = (v[0] & 0x80) ? UINT64_MAX : 0;
	for (i = 0; i < t->len; i++)
		u = (u << 8) | v[i];
	if (v[0] & 0x80)
		*out = -(int64_t)~u - 1;	/* ~u <= INT64_MAX here */
	else
		*out = (int64_t)u;
	return DER_OK;
}

/*
 * The subidentifier at *p (before end) into *v, advancing *p.  Returns 0,
 * or -1 if it is malformed or does not fit 64 bits.
 */
static int
der_subid(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	const unsigned char	*q = *p;

	/* X.690 section 8.19.2: no leading 0x80 octet */
	if (q >= end || *q == DER_OID_MORE)
		return -1;
	for (*v = 0; q < end; q++) {
		if (*v > (UINT64_MAX >> 7))
			return -1;
		*v = (*v << 7) | (*q & ~DER_OID_MORE);
		if (!(*q & DER_OID_MORE)) {
			*p = q + 1;
			return 0;
		}
	}
	return -1;
}

enum der_err
der_oid(const struct der_tlv *t)
{
	const unsigned char	*p = t->val, *end = t->val + t->len;
	size_t			 i;

	if (t->tag != DER_OID)
		return DER_E_TAG;
	if (t->len == 0 || (end[-1] & DER_OID_MORE))
		return DER_E_OID;
	/* Each subidentifier starts after an octet without bit 8. */
	for (i = 0; i < t->len; i++)
		if (p[i] == DER_OID_MORE && (i == 0 ||
		    !(p[i - 1] & DER_OID_MORE)))
			return DER_E_OID;
	return DER_OK;
}

/* Parse the decimal arc at *s (up to '.' or NUL) into *v; -1 if none. */
static int
der_text_arc(const char **s, uint64_t *v)
{
	const char	*q = *s;

	if (*q < '0' || *q > '9')
		return -1;
	for (*v = 0; *q >= '0' && *q <= '9'; q++) {
		if (*v > (UINT64_MAX - 9) / 10)
			return -1;
		*v = *v * 10 + (uint64_t)(*q - '0');
	}
	if (*q == '.' && q[1] >= '0' && q[1] <= '9')
		q++;
	else if (*q != '\0')
		return -1;
	*s = q;
	return 0;
}

int
der_oid_is(const struct der_tlv *t, const char *text)
{
	const unsigned char	*p = t->val, *end = t->val + t->len;
	uint64_t		 x, y, sub;

	if (t->tag != DER_OID || der_text_arc(&text, &x) == -1 ||
	    der_text_arc(&text, &y) == -1 || x > DER_OID_ARC1_MAX ||
	    (x < DER_OID_ARC1_MAX && y >= DER_OID_ARC1_BASE) ||
	    y > UINT64_MAX - DER_OID_ARC1_BASE * DER_OID_ARC1_MAX)
		return 0;
	if (der_subid(&p, end, &sub) == -1 ||
	    sub != x * DER_OID_ARC1_BASE + y)
		return 0;
	while (*text != '\0') {
		if (der_text_arc(&text, &x) == -1 ||
		    der_subid(&p, end, &sub) == -1 || sub != x)
			return 0;
	}
	return p == end;
}

char *
der_oid_format(const struct der_tlv *t, char *buf, size_t size)
{
	const unsigned char	*p = t->val, *end = t->val + t->len;
	uint64_t		 sub, x;
	size_t			 off;
	int			 n;

	if (size == 0)
		return buf;
	if (der_oid(t) != DER_OK || der_subid(&p, end, &sub) == -1)
		goto bad;
	x = sub / DER_OID_ARC1_BASE;
	if (x > DER_OID_ARC1_MAX)
		x = DER_OID_ARC1_MAX;
	n = snprintf(buf, size, "%llu.%llu", (unsigned long long)x,
	    (unsigned long long)(sub - x * DER_OID_ARC1_BASE));
	for (off = (size_t)n; off < size && p < end; off += (size_t)n) {
		if (der_subid(&p, end, &sub) == -1)
			goto bad;
		n = snprintf(buf + off, size - off, ".%llu",
		    (unsigned long long)sub);
	}
	return buf;
 bad:
	snprintf(buf, size, "?");
	return buf;
}

enum der_err
der_null(const struct der_tlv *t)
{
	if (t->tag != DER_NULL)
		return DER_E_TAG;
	return t->len == 0 ? DER_OK : DER_E_NULL;
}

/* X.690 section 11.6: compare two encodings as octet strings. */
static int
der_cmp(const struct der_tlv *a, const struct der_tlv *b)
{
	size_t	n = a->tlv_len < b->tlv_len ? a->tlv_len : b->tlv_len;
	int	c;

	if ((c = memcmp(a->hdr, b->hdr, n)) != 0)
		return c;
	return (a->tlv_len > b->tlv_len) - (a->tlv_len < b->tlv_len);
}

enum der_err
der_set_order(const struct der_tlv *t)
{
	struct der	in;
	struct der_tlv	prev, cur;
	enum der_err	e;
	int		first = 1;

	if (!(t->tag & DER_CONSTRUCTED))
		return DER_E_FORM;
	der_enter(&in, t);
	while (!der_at_end(&in)) {
		if ((e = der_next(&in, &cur)) != DER_OK)
			return e;
		if (!first && der_cmp(&prev, &cur) > 0)
			return DER_E_SET_ORDER;
		prev = cur;
		first = 0;
	}
	return DER_OK;
}

enum der_err
der_time(const struct der_tlv *t, int64_t *out)
{
	int64_t	v;

	switch (t->tag) {
	case DER_UTCTIME:
		if (gtime_parse_utctime((const char *)t->val, t->len,
		    out) == -1)
			return DER_E_TIME;
		return DER_OK;
	case DER_GENTIME:
		if (gtime_parse_generalized((const char *)t->val, t->len,
		    &v) == -1 || v < gtime_days_from_civil(
		    DER_GENTIME_FIRST_YEAR, 1, 1) * DER_SECS_PER_DAY)
			return DER_E_TIME;
		*out = v;
		return DER_OK;
	default:
		return DER_E_TAG;
	}
}

enum der_err
der_octets_ber(const struct der_tlv *t, unsigned char *out, size_t *len)
{
	struct der	in;
	struct der_tlv	seg;
	enum der_err	e;
	size_t		total = 0;

	if (t->tag == DER_OCTET_STRING) {
		if (out != NULL)
			memcpy(out, t->val, t->len);
		*len = t->len;
		return DER_OK;
	}
	if (t->tag != (DER_OCTET_STRING | DER_CONSTRUCTED))
		return DER_E_TAG;
	/* X.690 section 8.7.3.2: a series of primitive segments (one level). */
	der_enter(&in, t);
	while (!der_at_end(&in)) {
		if ((e = der_next(&in, &seg)) != DER_OK)
			return e;
		if (seg.tag != DER_OCTET_STRING)
			return seg.tag == (DER_OCTET_STRING | DER_CONSTRUCTED) ?
			    DER_E_FORM : DER_E_TAG;
		if (out != NULL)
			memcpy(out + total, seg.val, seg.len);
		total += seg.len;
	}
	*len = total;
	return DER_OK;
}
