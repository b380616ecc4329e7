/*
 * A certificate's DER: its parts and a strict check; see certder.h.
 */
#include <string.h>

#include "validator/certder.h"

/* Identifier octets of the TBSCertificate's tagged fields (RFC 5280 4.1). */
#define CERTDER_TAG_VERSION	DER_CONTEXT_CONS(0)
#define CERTDER_TAG_EXTENSIONS	DER_CONTEXT_CONS(3)
/* Universal BOOLEAN (X.690 section 8.2), which der.h does not name. */
#define CERTDER_BOOLEAN		0x01
/* X.690 section 8.6.2.2: the unused bits of a BIT STRING, 0..7. */
#define CERTDER_MAX_UNUSED	7
/* Extensions struct certder's crit_bad has a bit for. */
#define CERTDER_MAX_EXT_BITS	64
/*
 * Fields of the TBSCertificate between serialNumber and
 * subjectPublicKeyInfo: signature, issuer, validity, subject.
 */
#define CERTDER_TBS_SKIP	4
/* Their indexes: issuer and subject Names. */
#define CERTDER_TBS_ISSUER	1
#define CERTDER_TBS_SUBJECT	3

static const char certder_e_sig[] = "RFC 5280 section 4.1.1.3: signature "
    "BIT STRING is not whole octets";
static const char certder_e_bits[] = "BIT STRING with unused bits that are "
    "not zero or out of range (X.690 sections 8.6.2 and 11.2)";
static const char certder_e_null[] = "NULL with contents (X.690 section "
    "8.8.2)";
static const char certder_e_bool[] = "BOOLEAN not of one octet (X.690 "
    "section 8.2.1)";
static const char certder_e_default[] = "Extension critical flag FALSE is "
    "the DEFAULT and must not be encoded (X.690 section 11.5)";

/* The TBSCertificate fields up to the public key, then the extensions. */
static enum der_err
certder_tbs(struct certder *out)
{
	struct der	in;
	struct der_tlv	t;
	enum der_err	e;
	int		i;

	der_enter(&in, &out->tbs);
	if (der_peek(&in) == CERTDER_TAG_VERSION &&
	    (e = der_next(&in, &t)) != DER_OK)
		return e;
	if ((e = der_next(&in, &out->serial)) != DER_OK)
		return e;
	for (i = 0; i < CERTDER_TBS_SKIP; i++) {
		if ((e = der_next(&in, &t)) != DER_OK)
			return e;
		if (i == CERTDER_TBS_ISSUER)
			out->issuer = t;
		else if (i == CERTDER_TBS_SUBJECT)
			out->subject = t;
	}
	if ((e = der_expect(&in, DER_SEQUENCE, &out->spki)) != DER_OK)
		return e;
	while (!der_at_end(&in)) {
		if ((e = der_next(&in, &t)) != DER_OK)
			return e;
		if (t.tag != CERTDER_TAG_EXTENSIONS)
			continue;
		der_enter(&in, &t);
		out->has_exts = 1;
		return der_expect(&in, DER_SEQUENCE, &out->exts);
	}
	return DER_OK;
}

const char *
certder_split(const unsigned char *der, size_t len, struct certder *out)
{
	struct der	d, in;
	struct der_tlv	t, sig;
	enum der_err	e;

	memset(out, 0, sizeof(*out));
	der_init(&d, der, len);
	if ((e = der_expect(&d, DER_SEQUENCE, &t)) != DER_OK ||
	    (e = der_end(&d)) != DER_OK)
		return der_strerror(e);
	der_enter(&in, &t);
	if ((e = der_expect(&in, DER_SEQUENCE, &out->tbs)) != DER_OK ||
	    (e = der_expect(&in, DER_SEQUENCE, &out->sigalg)) != DER_OK ||
	    (e = der_expect(&in, DER_BIT_STRING, &sig)) != DER_OK ||
	    (e = der_end(&in)) != DER_OK || (e = certder_tbs(out)) != DER_OK)
		return der_strerror(e);
	/* What X509_verify() also refuses. */
	if (sig.len == 0 || sig.val[0] != 0)
		return certder_e_sig;
	out->sig = sig.val + 1;
	out->siglen = sig.len - 1;
	return NULL;
}

/* X.690 sections 8.6.2 and 11.2.1: unused bits 0..7, 0 if empty, zero. */
static int
certder_bits_ok(const struct der_tlv *t)
{
	unsigned char	unused;

	if (t->len == 0 || t->val[0] > CERTDER_MAX_UNUSED)
		return 0;
	unused = t->val[0];
	if (t->len == 1)
		return unused == 0;
	return (t->val[t->len - 1] & ((1u << unused) - 1)) == 0;
}

/* The contents of a primitive universal value of the types X.509 uses. */
static const char *
certder_primitive(const struct der_tlv *t)
{
	enum der_err	e;
	int64_t		v;

	switch (t->tag) {
	case DER_INTEGER:
		e = der_int64(t, &v);
		return e == DER_OK || e == DER_E_RANGE ? NULL :
		    der_strerror(e);
	case CERTDER_BOOLEAN:
		return t->len == 1 ? NULL : certder_e_bool;
	case DER_NULL:
		return t->len == 0 ? NULL : certder_e_null;
	case DER_OID:
		e = der_oid(t);
		return e == DER_OK ? NULL : der_strerror(e);
	case DER_BIT_STRING:
		return certder_bits_ok(t) ? NULL : certder_e_bits;
	default:
		return NULL;
	}
}

/* t and everything inside it, recursively. */
static const char *
certder_walk(const struct der_tlv *t, int depth)
{
	struct der	in;
	struct der_tlv	c;
	enum der_err	e;
	const char	*msg;

	if (depth > DER_MAX_DEPTH)
		return der_strerror(DER_E_DEPTH);
	/* X.690 section 10.2: only SEQUENCE and SET are constructed. */
	if ((t->tag & DER_CLASS_MASK) == 0) {
		if (((t->tag | DER_CONSTRUCTED) == DER_SEQUENCE ||
		    (t->tag | DER_CONSTRUCTED) == DER_SET) !=
		    ((t->tag & DER_CONSTRUCTED) != 0))
			return der_strerror(DER_E_FORM);
		if (!(t->tag & DER_CONSTRUCTED))
			return certder_primitive(t);
	}
	if (!(t->tag & DER_CONSTRUCTED))
		return NULL;
	der_enter(&in, t);
	while (!der_at_end(&in)) {
		if ((e = der_next(&in, &c)) != DER_OK)
			return der_strerror(e);
		if ((msg = certder_walk(&c, depth + 1)) != NULL)
			return msg;
	}
	return NULL;
}

/*
 * Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE,
 * extnValue }: a critical flag that is encoded must be TRUE; TRUE other
 * than 0xff goes into out->crit_bad for the caller, which names the
 * extension in its message.
 */
static const char *
certder_exts(struct certder *out)
{
	struct der	list, in;
	struct der_tlv	ext, t;
	unsigned int	i;

	der_enter(&list, &out->exts);
	for (i = 0; !der_at_end(&list); i++) {
		if (der_next(&list, &ext) != DER_OK)
			return der_strerror(DER_E_TRUNCATED);
		der_enter(&in, &ext);
		if (der_next(&in, &t) != DER_OK ||	/* extnID */
		    der_next(&in, &t) != DER_OK || t.tag != CERTDER_BOOLEAN ||
		    t.len != 1)
			continue;
		if (t.val[0] == 0)
			return certder_e_default;
		if (t.val[0] != 0xff && i < CERTDER_MAX_EXT_BITS)
			out->crit_bad |= (uint64_t)1 << i;
	}
	return NULL;
}

const char *
certder_check(const unsigned char *der, size_t len, struct certder *out)
{
	struct der	d;
	struct der_tlv	t;
	const char	*msg;

	if ((msg = certder_split(der, len, out)) != NULL)
		return msg;
	der_init(&d, der, len);
	(void)der_next(&d, &t);		/* certder_split() read it */
	if ((msg = certder_walk(&t, 0)) != NULL)
		return msg;
	return out->has_exts ? certder_exts(out) : NULL;
}

int
certder_ext(const struct certder *c, const char *oid, struct der_tlv *value)
{
	struct der	list, in;
	struct der_tlv	ext, id;

	if (!c->has_exts)
		return 0;
	der_enter(&list, &c->exts);
	while (!der_at_end(&list)) {
		if (der_expect(&list, DER_SEQUENCE, &ext) != DER_OK)
			return -1;
		der_enter(&in, &ext);
		if (der_expect(&in, DER_OID, &id) != DER_OK)
			return -1;
		if (der_peek(&in) == CERTDER_BOOLEAN &&
		    der_next(&in, value) != DER_OK)
			return -1;
		if (der_expect(&in, DER_OCTET_STRING, value) != DER_OK ||
		    der_end(&in) != DER_OK)
			return -1;
		if (der_oid_is(&id, oid))
			return 1;
	}
	return 0;
}
