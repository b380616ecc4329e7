/*
 * Strict checks on what OpenSSL decodes leniently: extension values and
 * names in DER, RFC 6487 name rules, URIs.
 */
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
 * The template of ext's value, or NULL (logged when fn is not NULL).
 * Its short name, for messages, into *name.
 */
static const ASN1_ITEM *
ext_item(const char *fn, const X509_EXTENSION *ext, const char **name)
{
	const X509V3_EXT_METHOD *m;

	if ((m = X509V3_EXT_get((X509_EXTENSION *)ext)) == NULL ||
	    m->it == NULL) {
		if (fn != NULL)
			log_warnx_obj(fn, "X.690 section 10: extension %s has "
			    "no known encoding", OBJ_nid2sn(OBJ_obj2nid(
			    X509_EXTENSION_get_object((X509_EXTENSION *)ext))));
		return NULL;
	}
	*name = OBJ_nid2sn(m->ext_nid);
	return ASN1_ITEM_ptr(m->it);
}

/*
 * Returns the decoded value if it re-encodes to the same bytes, else NULL
 * (logged).
 */
void *
x509ext_decode(const char *fn, const X509_EXTENSION *ext)
{
	const ASN1_OCTET_STRING *os;
	const ASN1_ITEM *it;
	const unsigned char *p;
	const char *name;
	ASN1_VALUE *v = NULL;
	unsigned char *out = NULL;
	int n;

	if ((it = ext_item(fn, ext, &name)) == NULL)
		return NULL;
	os = X509_EXTENSION_get_data((X509_EXTENSION *)ext);
	p = os->data;
	v = ASN1_item_d2i(NULL, &p, os->length, it);
	if (v == NULL || p != os->data + os->length) {
		log_warnx_crypto(fn, "X.690 section 10: extension %s: "
		    "malformed value or trailing data", name);
		goto fail;
	}
	n = ASN1_item_i2d(v, &out, it);
	if (n != os->length || memcmp(out, os->data, n) != 0) {
		log_warnx_obj(fn, "X.690 section 10: extension %s is not "
		    "DER encoded", name);
		goto fail;
	}
	OPENSSL_free(out);
	return v;
fail:
	ASN1_item_free(v, it);
	OPENSSL_free(out);
	return NULL;
}

void
x509ext_free(const X509_EXTENSION *ext, void *v)
{
	const ASN1_ITEM *it;
	const char *name;

	if (v != NULL && (it = ext_item(NULL, ext, &name)) != NULL)
		ASN1_item_free(v, it);
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
 * A UTF8String holding valid, non-empty UTF-8 without control
 * characters: what CAs that deviate from RFC 6487 issued.
 */
static int
utf8_ok(const ASN1_STRING *s)
{
	unsigned char	*u = NULL;
	int		 i, n, rc = 0;

	if ((n = ASN1_STRING_to_UTF8(&u, s)) <= 0)
		return 0;
	for (i = 0; i < n; i++)
		if (u[i] < 0x20 || u[i] == 0x7f)
			goto out;
	rc = 1;
out:
	OPENSSL_free(u);
	return rc;
}

static enum name_str
name_str_kind(const ASN1_STRING *s)
{
	int i;

	if (ASN1_STRING_length(s) <= 0)
		return NAME_STR_BAD;
	if (ASN1_STRING_type(s) == V_ASN1_UTF8STRING)
		return utf8_ok(s) ? NAME_STR_UTF8 : NAME_STR_BAD;
	if (ASN1_STRING_type(s) != V_ASN1_PRINTABLESTRING)
		return NAME_STR_BAD;
	for (i = 0; i < ASN1_STRING_length(s); i++)
		if (!printable_char(ASN1_STRING_get0_data(s)[i]))
			return NAME_STR_BAD;
	return NAME_STR_PRINTABLE;
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
name_is_der(const X509_NAME *name)
{
	const unsigned char *der;
	size_t len;
	struct der d, rdns;
	struct der_tlv t, rdn;

	if (!X509_NAME_get0_der(name, &der, &len))
		return 0;
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

/*
 * Returns 0 if name follows RFC 6487 sections 4.4/4.5 and is DER, else -1
 * (logged).
 */
int
x509ext_name_check(const char *fn, const char *what, const X509_NAME *name)
{
	const X509_NAME_ENTRY *e;
	const ASN1_STRING *s;
	enum name_str kind;
	int i, nid, ncn = 0, nsn = 0, utf8 = 0;

	for (i = 0; i < X509_NAME_entry_count(name); i++) {
		e = X509_NAME_get_entry(name, i);
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		s = X509_NAME_ENTRY_get_data(e);
		if (nid == NID_commonName)
			ncn++;
		else if (nid == NID_serialNumber)
			nsn++;
		else {
			log_warnx_obj(fn, "RFC 6487 section 4.5: %s name has "
			    "an attribute other than commonName and "
			    "serialNumber", what);
			return -1;
		}
		if ((kind = name_str_kind(s)) == NAME_STR_BAD) {
			log_warnx_obj(fn, "RFC 6487 section 4.5: %s name "
			    "attribute %s is not a PrintableString", what,
			    OBJ_nid2sn(nid));
			return -1;
		}
		if (kind == NAME_STR_UTF8)
			utf8 = 1;
	}
	if (ncn != 1) {
		log_warnx_obj(fn, "RFC 6487 section 4.5: %s name must have "
		    "exactly one commonName, has %d", what, ncn);
		return -1;
	}
	if (nsn > 1) {
		log_warnx_obj(fn, "RFC 6487 section 4.5: %s name has more "
		    "than one serialNumber", what);
		return -1;
	}
	if (!name_is_der(name)) {
		log_warnx_obj(fn, "X.690 section 10: %s name is not DER "
		    "encoded", what);
		return -1;
	}
	if (utf8)
		incidence_note(INCIDENCE_NAME_UTF8, fn);
	return 0;
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
	const unsigned char *d;
	int i, len;

	*out = NULL;
	if (gn->type != GEN_URI)
		return 0;
	s = gn->d.uniformResourceIdentifier;
	d = ASN1_STRING_get0_data(s);
	len = ASN1_STRING_length(s);
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
