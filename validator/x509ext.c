/*
 * Strict checks on what OpenSSL decodes leniently: extension values and
 * names in DER, RFC 6487 name rules, URIs.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "common/limits.h"
#include "common/log.h"
#include "validator/der.h"
#include "validator/incidence.h"
#include "validator/x509ext.h"

/*
 * Returns 1 if obj is the dotted OID text oid, else 0.  Compared on the
 * content octets (der_oid_is()): OBJ_obj2txt() costs as much as hashing
 * a certificate's key.
 */
int
x509ext_oid_is(const ASN1_OBJECT *obj, const char *oid)
{
	struct der_tlv t;

	memset(&t, 0, sizeof(t));
	t.tag = DER_OID;
	t.val = OBJ_get0_data(obj);
	t.len = OBJ_length(obj);
	return t.val != NULL && der_oid_is(&t, oid);
}

/*
 * The template of the values of extension nid, or NULL (logged when fn
 * is not NULL).  Its short name, for messages, into *name.
 */
static const ASN1_ITEM *
ext_item(const char *fn, int nid, const char **name)
{
	const X509V3_EXT_METHOD *m;

	if ((m = X509V3_EXT_get_nid(nid)) == NULL || m->it == NULL) {
		if (fn != NULL)
			log_warnx_obj(fn, "X.690 section 10: extension %s has "
			    "no known encoding", OBJ_nid2sn(nid));
		return NULL;
	}
	*name = OBJ_nid2sn(m->ext_nid);
	return ASN1_ITEM_ptr(m->it);
}

/* The NID of ext's extnID. */
static int
ext_nid(const X509_EXTENSION *ext)
{
	return OBJ_obj2nid(X509_EXTENSION_get_object((X509_EXTENSION *)ext));
}

/*
 * Returns the decoded value if it re-encodes to the same bytes, else NULL
 * (logged).
 */
void *
x509ext_value_decode(const char *fn, int nid, const unsigned char *val,
    size_t len)
{
	const ASN1_ITEM *it;
	const unsigned char *p = val;
	const char *name;
	ASN1_VALUE *v = NULL;
	unsigned char *out = NULL;
	int n;

	if ((it = ext_item(fn, nid, &name)) == NULL)
		return NULL;
	if (len > INT_MAX)
		goto malformed;
	v = ASN1_item_d2i(NULL, &p, (long)len, it);
	if (v == NULL || p != val + len)
		goto malformed;
	n = ASN1_item_i2d(v, &out, it);
	if (n < 0 || (size_t)n != len || memcmp(out, val, len) != 0) {
		log_warnx_obj(fn, "X.690 section 10: extension %s is not "
		    "DER encoded", name);
		goto fail;
	}
	OPENSSL_free(out);
	return v;
malformed:
	log_warnx_crypto(fn, "X.690 section 10: extension %s: malformed "
	    "value or trailing data", name);
fail:
	ASN1_item_free(v, it);
	OPENSSL_free(out);
	return NULL;
}

/* Logs why the DER reader refused extension name's value; returns -1. */
int
x509ext_der_refused(const char *fn, const char *name, int ber,
    const char *why)
{
	if (ber)
		log_warnx_obj(fn, "X.690 section 10: extension %s is not DER "
		    "encoded: %s", name, why);
	else
		log_warnx_obj(fn, "X.690 section 10: extension %s: malformed "
		    "value or trailing data: %s", name, why);
	return -1;
}

void
x509ext_value_free(int nid, void *v)
{
	const ASN1_ITEM *it;
	const char *name;

	if (v != NULL && (it = ext_item(NULL, nid, &name)) != NULL)
		ASN1_item_free(v, it);
}

void *
x509ext_decode(const char *fn, const X509_EXTENSION *ext)
{
	const ASN1_OCTET_STRING *os;

	os = X509_EXTENSION_get_data((X509_EXTENSION *)ext);
	return x509ext_value_decode(fn, ext_nid(ext), os->data,
	    (size_t)os->length);
}

void
x509ext_free(const X509_EXTENSION *ext, void *v)
{
	x509ext_value_free(ext_nid(ext), v);
}

/* Returns 0 if the extension value is DER, else -1 (logged). */
int
x509ext_der_check(const char *fn, const X509_EXTENSION *ext)
{
	void *v;

	if ((v = x509ext_decode(fn, ext)) == NULL)
		return -1;
	x509ext_free(ext, v);
	return 0;
}

/* How a name attribute value is encoded, for x509ext_name_check(). */
enum name_str {
	NAME_STR_BAD,
	NAME_STR_PRINTABLE,	/* what RFC 6487 sections 4.4/4.5 want */
	NAME_STR_UTF8		/* INCIDENCE_NAME_UTF8 */
};

/* The characters of a PrintableString (X.680 section 41.4). */
static int
printable_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr(" '()+,-./:=?", c) != NULL);
}

/*
 * A UTF8String (data, len bytes) holding valid, non-empty UTF-8 without
 * control characters: what CAs that deviate from RFC 6487 issued.
 * Judged by OpenSSL's converter, as when decoding a name (which
 * canonicalizes every string of it).
 */
static int
utf8_ok(const unsigned char *data, int len)
{
	ASN1_STRING	*s;
	unsigned char	*u = NULL;
	int		 i, n, rc = 0;

	if ((s = ASN1_STRING_type_new(V_ASN1_UTF8STRING)) == NULL)
		return 0;
	if (!ASN1_STRING_set(s, data, len) ||
	    (n = ASN1_STRING_to_UTF8(&u, s)) <= 0)
		goto out;
	for (i = 0; i < n; i++)
		if (u[i] < 0x20 || u[i] == 0x7f)
			goto out;
	rc = 1;
out:
	OPENSSL_free(u);
	ASN1_STRING_free(s);
	return rc;
}

/* An attribute value of ASN.1 type type (V_ASN1_*), data of len bytes. */
static enum name_str
name_str_kind(int type, const unsigned char *data, int len)
{
	int i;

	if (len <= 0)
		return NAME_STR_BAD;
	if (type == V_ASN1_UTF8STRING)
		return utf8_ok(data, len) ? NAME_STR_UTF8 : NAME_STR_BAD;
	if (type != V_ASN1_PRINTABLESTRING)
		return NAME_STR_BAD;
	for (i = 0; i < len; i++)
		if (!printable_char(data[i]))
			return NAME_STR_BAD;
	return NAME_STR_PRINTABLE;
}

/* What x509ext_name_check() counts over the attributes of a name. */
struct name_count {
	int	ncn;
	int	nsn;
	int	utf8;
};

/*
 * One attribute of a name: its type nid and value; counted into *nc.
 * Returns 0, or -1 after logging.
 */
static int
name_attr(const char *fn, const char *what, int nid, int type,
    const unsigned char *data, int len, struct name_count *nc)
{
	enum name_str kind;

	if (nid == NID_commonName)
		nc->ncn++;
	else if (nid == NID_serialNumber)
		nc->nsn++;
	else {
		log_warnx_obj(fn, "RFC 6487 section 4.5: %s name has an "
		    "attribute other than commonName and serialNumber", what);
		return -1;
	}
	if ((kind = name_str_kind(type, data, len)) == NAME_STR_BAD) {
		log_warnx_obj(fn, "RFC 6487 section 4.5: %s name attribute %s "
		    "is not a PrintableString", what, OBJ_nid2sn(nid));
		return -1;
	}
	if (kind == NAME_STR_UTF8)
		nc->utf8 = 1;
	return 0;
}

/* The counts of a whole name (RFC 6487 section 4.5); 0 or -1 (logged). */
static int
name_counts_ok(const char *fn, const char *what, const struct name_count *nc)
{
	if (nc->ncn != 1) {
		log_warnx_obj(fn, "RFC 6487 section 4.5: %s name must have "
		    "exactly one commonName, has %d", what, nc->ncn);
		return -1;
	}
	if (nc->nsn > 1) {
		log_warnx_obj(fn, "RFC 6487 section 4.5: %s name has more "
		    "than one serialNumber", what);
		return -1;
	}
	return 0;
}

/*
 * Name ::= SEQUENCE OF RelativeDistinguishedName, each a SET SIZE (1..MAX)
 * OF AttributeTypeAndValue (RFC 5280 section 4.1.2.4), checked on the
 * encoding OpenSSL received (it re-emits those bytes, so BER there would
 * otherwise go unnoticed): DER lengths and forms, and every SET OF
 * non-empty and in DER order (X.690 section 11.6).  That is what
 * rebuilding the name with OpenSSL and comparing bytes finds (the values
 * are strings, judged by name_str_kind()), without the rebuilding.
 */
static int
name_is_der(const unsigned char *der, size_t len)
{
	struct der d, rdns;
	struct der_tlv t, rdn;

	der_init(&d, der, len);
	if (der_expect(&d, DER_SEQUENCE, &t) != DER_OK || !der_at_end(&d) ||
	    der_walk(&t) != DER_OK)
		return 0;
	der_enter(&rdns, &t);
	while (!der_at_end(&rdns))
		if (der_expect(&rdns, DER_SET, &rdn) != DER_OK ||
		    rdn.len == 0 || der_set_order(&rdn) != DER_OK)
			return 0;
	return 1;
}

/* The end of both name checks: DER, then the incidence noted. */
static int
name_done(const char *fn, const char *what, const unsigned char *der,
    size_t len, const struct name_count *nc)
{
	if (!name_is_der(der, len)) {
		log_warnx_obj(fn, "X.690 section 10: %s name is not DER "
		    "encoded", what);
		return -1;
	}
	if (nc->utf8)
		incidence_note(INCIDENCE_NAME_UTF8, fn);
	return 0;
}

/*
 * Returns 0 if name follows RFC 6487 sections 4.4/4.5 and is DER, else -1
 * (logged).
 */
int
x509ext_name_check(const char *fn, const char *what, const X509_NAME *name)
{
	const X509_NAME_ENTRY *e;
	const ASN1_STRING *s;
	const unsigned char *der;
	struct name_count nc;
	size_t len;
	int i;

	memset(&nc, 0, sizeof(nc));
	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		e = X509_NAME_get_entry(name, i);
		s = X509_NAME_ENTRY_get_data(e);
		if (name_attr(fn, what, OBJ_obj2nid(
		    X509_NAME_ENTRY_get_object(e)), ASN1_STRING_type(s),
		    ASN1_STRING_get0_data(s), ASN1_STRING_length(s), &nc) == -1)
			return -1;
	}
	if (name_counts_ok(fn, what, &nc) == -1)
		return -1;
	if (!X509_NAME_get0_der(name, &der, &len))
		len = 0;
	return name_done(fn, what, der, len, &nc);
}

/* DER identifier octets of the two string types a name may hold. */
#define NAME_TAG_UTF8		0x0c
#define NAME_TAG_PRINTABLE	0x13
/*
 * X.520 attribute types id-at-commonName (2.5.4.3) and id-at-serialNumber
 * (2.5.4.5), DER contents.
 */
static const unsigned char name_oid_cn[] = { 0x55, 0x04, 0x03 };
static const unsigned char name_oid_sn[] = { 0x55, 0x04, 0x05 };

/* The OBJECT IDENTIFIER t has the DER contents oid (len bytes). */
static int
name_oid_is(const struct der_tlv *t, const unsigned char *oid, size_t len)
{
	return t->len == len && memcmp(t->val, oid, len) == 0;
}

/*
 * AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }
 * (RFC 5280 section 4.1.2.4), read from the DER: its type as the NID
 * OpenSSL gives (only the two RFC 6487 allows are told apart) and its
 * value as an ASN.1 type and contents.  Returns 0, or -1 if malformed.
 */
static int
name_ava(const struct der_tlv *ava, int *nid, int *type, struct der_tlv *val)
{
	struct der	in;
	struct der_tlv	oid;

	if (ava->tag != DER_SEQUENCE)
		return -1;
	der_enter(&in, ava);
	if (der_expect(&in, DER_OID, &oid) != DER_OK ||
	    der_next(&in, val) != DER_OK || der_end(&in) != DER_OK)
		return -1;
	*nid = name_oid_is(&oid, name_oid_cn, sizeof(name_oid_cn)) ?
	    NID_commonName : name_oid_is(&oid, name_oid_sn,
	    sizeof(name_oid_sn)) ? NID_serialNumber : NID_undef;
	*type = val->tag == NAME_TAG_UTF8 ? V_ASN1_UTF8STRING :
	    val->tag == NAME_TAG_PRINTABLE ? V_ASN1_PRINTABLESTRING :
	    V_ASN1_UNDEF;
	return 0;
}

/*
 * As x509ext_name_check(), on the DER of the Name (der, len bytes), for
 * a certificate OpenSSL did not decode: what its decoder refuses in a
 * name is refused too (the structure of RFC 5280 section 4.1.2.4).
 */
int
x509ext_name_check_der(const char *fn, const char *what,
    const unsigned char *der, size_t len)
{
	struct der	 d, rdns, avas;
	struct der_tlv	 t, rdn, ava, val;
	struct name_count nc;
	int		 nid, type;

	memset(&nc, 0, sizeof(nc));
	der_init(&d, der, len);
	if (der_expect(&d, DER_SEQUENCE, &t) != DER_OK || !der_at_end(&d))
		goto malformed;
	der_enter(&rdns, &t);
	while (!der_at_end(&rdns)) {
		if (der_expect(&rdns, DER_SET, &rdn) != DER_OK)
			goto malformed;
		der_enter(&avas, &rdn);
		while (!der_at_end(&avas)) {
			if (der_next(&avas, &ava) != DER_OK ||
			    name_ava(&ava, &nid, &type, &val) == -1)
				goto malformed;
			if (val.len > INT_MAX || name_attr(fn, what, nid,
			    type, val.val, (int)val.len, &nc) == -1)
				return -1;
		}
	}
	if (name_counts_ok(fn, what, &nc) == -1)
		return -1;
	return name_done(fn, what, der, len, &nc);
malformed:
	log_warnx_obj(fn, "RFC 5280 section 4.1.2.4: malformed %s name",
	    what);
	return -1;
}

/*
 * Copies a well-formed URI GeneralName into *out (caller frees); see
 * x509ext.h.
 */
int
x509ext_uri(const char *fn, const char *rfc, const GENERAL_NAME *gn,
    char **out)
{
	const ASN1_IA5STRING *s;

	*out = NULL;
	if (gn->type != GEN_URI)
		return 0;
	s = gn->d.uniformResourceIdentifier;
	return x509ext_uri_bytes(fn, rfc, ASN1_STRING_get0_data(s),
	    ASN1_STRING_length(s), out);
}

/* Copies the URI d (len bytes) into *out if well formed; see x509ext.h. */
int
x509ext_uri_bytes(const char *fn, const char *rfc, const unsigned char *d,
    int len, char **out)
{
	int i;

	*out = NULL;
	if (len <= 0 || len > MAX_URI_LENGTH) {
		log_warnx_obj(fn, "%s: URI length %d out of range 1..%d",
		    rfc, len, MAX_URI_LENGTH);
		return -1;
	}
	for (i = 0; i < len; i++) {
		/* Printable ASCII only: no NUL, controls, space or 8-bit. */
		if (d[i] <= 0x20 || d[i] >= 0x7f) {
			log_warnx_obj(fn, "%s: URI has a forbidden character "
			    "(0x%02x)", rfc, d[i]);
			return -1;
		}
	}
	if ((*out = strndup((const char *)d, len)) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return -1;
	}
	return 0;
}

static int
has_scheme(const char *uri, const char *scheme)
{
	size_t n = strlen(scheme);
	const char *host;

	if (strncasecmp(uri, scheme, n) != 0)
		return 0;
	host = uri + n;
	return *host != '\0' && *host != '/';
}

/* Returns non-zero for an rsync URI with a host. */
int
x509ext_is_rsync(const char *uri)
{
	return has_scheme(uri, "rsync://");
}

/* Returns non-zero for an https URI with a host. */
int
x509ext_is_https(const char *uri)
{
	return has_scheme(uri, "https://");
}
