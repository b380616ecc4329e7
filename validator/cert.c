/*
 * RPKI resource certificates, RFC 6487, and BGPsec router certificates,
 * RFC 8209.  Certificates are read from their DER by validator/certee.c;
 * the readers here, over an X509 OpenSSL decoded (without the public key,
 * see cert.h), are the oracles the differential tests compare with.  Both
 * kinds of reader sort the extensions into a struct cert_exts
 * (validator/certee.h), and every profile rule is checked here, on that,
 * for both.
 *
 * Extensions allowed per purpose (RFC 6487 section 4.8, RFC 8209 section
 * 3.1.3); any other extension, critical or not, is rejected, and so is
 * every extension appearing twice:
 *	TA	basicConstraints SKI [AKI] keyUsage SIA certificatePolicies
 *		ipAddrBlocks / autonomousSysNum (at least one)
 *	CA	as TA, plus AKI, CRLDP and AIA (all required)
 *	EE	SKI AKI keyUsage CRLDP AIA [SIA] certificatePolicies
 *		ipAddrBlocks / autonomousSysNum (at least one)
 *	router	SKI AKI keyUsage EKU CRLDP AIA certificatePolicies
 *		autonomousSysNum
 * The RFC 8360 "validation reconsidered" policy and its v2 resource
 * extensions are rejected, as rpki-client does.
 */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/gtime.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/certder.h"
#include "validator/certee.h"
#include "validator/incidence.h"
#include "validator/pubkey.h"
#include "validator/x509ext.h"

/* X.509 version field value of a v3 certificate (RFC 5280 section 4.1.2.1). */
#define X509_V3			2
/* AIA access descriptions read: one rsync URI plus a few alternates. */
#define MAX_AIA_ENTRIES		8
/* Extensions struct certder's crit_bad has a bit for. */
#define CRIT_BAD_BITS		64

/* Short names for the extension kinds of validator/certee.h. */
#define EXT_BC		CERT_EXT_BC
#define EXT_SKI		CERT_EXT_SKI
#define EXT_AKI		CERT_EXT_AKI
#define EXT_KU		CERT_EXT_KU
#define EXT_EKU		CERT_EXT_EKU
#define EXT_CRLDP	CERT_EXT_CRLDP
#define EXT_AIA		CERT_EXT_AIA
#define EXT_SIA		CERT_EXT_SIA
#define EXT_CP		CERT_EXT_CP
#define EXT_IP		CERT_EXT_IP
#define EXT_AS		CERT_EXT_AS
#define EXT_N		CERT_EXT_N

static const struct {
	int		 nid;
	/*
	 * extnID, DER contents: id-ce (2.5.29.x) 55 1d x, id-pe
	 * (1.3.6.1.5.5.7.1.x) 2b 06 01 05 05 07 01 x.
	 */
	const char	*oid;
	const char	*name;
	const char	*rfc;	/* where the profile defines it */
	int		 decode; /* checked on OpenSSL's decoded value */
} ext_info[EXT_N] = {
	[EXT_BC] = { NID_basic_constraints, "\x55\x1d\x13", "basicConstraints",
	    "RFC 6487 section 4.8.1", 0 },
	[EXT_SKI] = { NID_subject_key_identifier, "\x55\x1d\x0e",
	    "subjectKeyIdentifier", "RFC 6487 section 4.8.2", 0 },
	[EXT_AKI] = { NID_authority_key_identifier, "\x55\x1d\x23",
	    "authorityKeyIdentifier", "RFC 6487 section 4.8.3", 0 },
	[EXT_KU] = { NID_key_usage, "\x55\x1d\x0f", "keyUsage",
	    "RFC 6487 section 4.8.4", 0 },
	[EXT_EKU] = { NID_ext_key_usage, "\x55\x1d\x25", "extendedKeyUsage",
	    "RFC 6487 section 4.8.5", 1 },
	[EXT_CRLDP] = { NID_crl_distribution_points, "\x55\x1d\x1f",
	    "cRLDistributionPoints", "RFC 6487 section 4.8.6", 1 },
	[EXT_AIA] = { NID_info_access, "\x2b\x06\x01\x05\x05\x07\x01\x01",
	    "authorityInfoAccess", "RFC 6487 section 4.8.7", 1 },
	[EXT_SIA] = { NID_sinfo_access, "\x2b\x06\x01\x05\x05\x07\x01\x0b",
	    "subjectInfoAccess", "RFC 6487 section 4.8.8", 1 },
	[EXT_CP] = { NID_certificate_policies, "\x55\x1d\x20",
	    "certificatePolicies", "RFC 6487 section 4.8.9", 1 },
	/* IP and AS: read from their DER by check_resources(). */
	[EXT_IP] = { NID_sbgp_ipAddrBlock, "\x2b\x06\x01\x05\x05\x07\x01\x07",
	    "ipAddrBlocks", "RFC 6487 section 4.8.10", 0 },
	[EXT_AS] = { NID_sbgp_autonomousSysNum,
	    "\x2b\x06\x01\x05\x05\x07\x01\x08", "autonomousSysNum",
	    "RFC 6487 section 4.8.11", 0 },
};

/*
 * Presence of each extension per purpose: required, optional or
 * forbidden.  IP and AS are "optional" here; the at-least-one rule is
 * checked separately.
 */
enum ext_rule { FORBID, OPT, REQ };

static const enum ext_rule ext_rules[4][EXT_N] = {
	[CERT_TA] = { REQ, REQ, OPT, REQ, FORBID, FORBID, FORBID, REQ, REQ,
	    OPT, OPT },
	[CERT_CA] = { REQ, REQ, REQ, REQ, FORBID, REQ, REQ, REQ, REQ,
	    OPT, OPT },
	[CERT_EE] = { FORBID, REQ, REQ, REQ, FORBID, REQ, REQ, OPT, REQ,
	    OPT, OPT },
	[CERT_ROUTER] = { FORBID, REQ, REQ, REQ, REQ, REQ, REQ, FORBID, REQ,
	    FORBID, REQ },
};

/*
 * Exact DER of the keyUsage values allowed (RFC 6487 section 4.8.4).
 * This extension, basicConstraints, SKI and AKI each have one allowed
 * form, compared as bytes; a value of another form is refused whether
 * or not OpenSSL's template would decode it, so they are not decoded.
 */
static const unsigned char ku_ca[] = { 0x03, 0x02, 0x01, 0x06 };
static const unsigned char ku_ee[] = { 0x03, 0x02, 0x07, 0x80 };
/* The only basicConstraints allowed: cA TRUE (RFC 6487 section 4.8.1). */
static const unsigned char bc_ca[] = { 0x30, 0x03, 0x01, 0x01, 0xff };
/* The SKI value: OCTET STRING of 20 octets (RFC 6487 section 4.8.2). */
static const unsigned char ski_hdr[] = { 0x04, CERT_KEYID_LEN };
/* The AKI value: keyIdentifier [0] of 20 octets only (section 4.8.3). */
static const unsigned char aki_hdr[] = { 0x30, CERT_KEYID_LEN + 2, 0x80,
    CERT_KEYID_LEN };

/* A key identifier is the same SHA-1 for both headers. */
_Static_assert(CERT_KEYID_LEN == PUBKEY_KEYID_LEN, "key identifier size");

static int	key_refused(const char *, enum pubkey_err);
static int	aia_done(const char *, const struct cert *);
static int	sia_done(const char *, int, const struct cert *);
static int	ext_fast_form(enum cert_ext, const unsigned char *, size_t);

/* Returns a static name for purpose. */
const char *
cert_purpose_name(enum cert_purpose purpose)
{
	switch (purpose) {
	case CERT_TA:
		return "TA";
	case CERT_CA:
		return "CA";
	case CERT_EE:
		return "EE";
	case CERT_ROUTER:
		return "router";
	}
	return "unknown";
}

static int
time_is_bad(const char *fn, X509 *x, struct cert *c)
{
	if (gtime_from_asn1(X509_get0_notBefore(x), &c->notbefore) == -1 ||
	    gtime_from_asn1(X509_get0_notAfter(x), &c->notafter) == -1) {
		log_warnx_obj(fn, "RFC 5280 section 4.1.2.5: malformed "
		    "validity time");
		return 1;
	}
	return cert_check_validity(fn, c) == -1;
}

/* RFC 6487 section 4.6: the validity period is not empty. */
int
cert_check_validity(const char *fn, const struct cert *c)
{
	if (c->notbefore > c->notafter) {
		log_warnx_obj(fn, "RFC 6487 section 4.6: notBefore is after "
		    "notAfter");
		return -1;
	}
	return 0;
}

/*
 * sha256WithRSAEncryption with NULL or absent parameters (RFC 7935 section
 * 2, RFC 4055 section 5).
 */
static int
sigalg_ok(const X509_ALGOR *alg)
{
	const ASN1_OBJECT *obj;
	const void *pval;
	int ptype;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	if (OBJ_obj2nid(obj) != NID_sha256WithRSAEncryption)
		return 0;
	return ptype == V_ASN1_NULL || ptype == V_ASN1_UNDEF;
}

/*
 * RFC 6487 section 4.2 / RFC 5280 section 4.1.2.2: the serialNumber t, a
 * positive INTEGER of at most CERT_SERIAL_MAX_LEN content octets, into
 * c->serial as lowercase hex without leading zero octets.  t is DER
 * (certder_check()), so in minimal form: a leading zero octet is the
 * sign octet of a positive value, and a zero alone is zero.
 */
int
cert_check_serial(const char *fn, const struct der_tlv *t, struct cert *c)
{
	const unsigned char *p = t->val;
	size_t n = t->len;

	if (t->tag != DER_INTEGER || n == 0 || n > CERT_SERIAL_MAX_LEN ||
	    (p[0] & 0x80) || (p[0] == 0x00 && n == 1)) {
		log_warnx_obj(fn, "RFC 6487 section 4.2: serial number must "
		    "be positive and at most %d octets", CERT_SERIAL_MAX_LEN);
		return -1;
	}
	if (p[0] == 0x00) {
		p++;
		n--;
	}
	if ((c->serial = malloc(2 * n + 1)) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return -1;
	}
	hash_hex_encode(p, n, c->serial);
	memcpy(c->serial_raw, p, n);
	c->serial_raw_len = n;
	return 0;
}

/*
 * Version, serial, algorithms, unique IDs, names, validity; parts are
 * the slices of x's DER.
 */
static int
check_tbs(const char *fn, X509 *x, const struct certder *parts,
    struct cert *c)
{
	const ASN1_BIT_STRING *iuid, *suid, *sig;
	const X509_ALGOR *outer;

	if (X509_get_version(x) != X509_V3) {
		log_warnx_obj(fn, "RFC 6487 section 4.1: version must be 3");
		return -1;
	}
	if (cert_check_serial(fn, &parts->serial, c) == -1)
		return -1;
	X509_get0_signature(&sig, &outer, x);
	if (!sigalg_ok(X509_get0_tbs_sigalg(x)) || !sigalg_ok(outer) ||
	    X509_ALGOR_cmp(X509_get0_tbs_sigalg(x), outer) != 0) {
		log_warnx_obj(fn, "RFC 7935 section 2: signature algorithm "
		    "must be sha256WithRSAEncryption in both places");
		return -1;
	}
	X509_get0_uids(x, &iuid, &suid);
	if (iuid != NULL || suid != NULL) {
		log_warnx_obj(fn, "RFC 6487 section 4: issuerUniqueID and "
		    "subjectUniqueID must be absent");
		return -1;
	}
	if (x509ext_name_check(fn, "issuer", X509_get_issuer_name(x)) == -1 ||
	    x509ext_name_check(fn, "subject", X509_get_subject_name(x)) == -1)
		return -1;
	return time_is_bad(fn, x, c) ? -1 : 0;
}

/* Frees the values exts_decode() decoded. */
void
cert_exts_free(struct cert_exts *ex)
{
	int j;

	for (j = 0; j < EXT_N; j++) {
		x509ext_value_free(ext_info[j].nid, ex->v[j]);
		ex->v[j] = NULL;
	}
}

/* The kind of the extension with extnID oid, or CERT_EXT_N if unknown. */
enum cert_ext
cert_ext_of_oid(const struct der_tlv *oid)
{
	int j;

	if (oid->tag != DER_OID)
		return CERT_EXT_N;
	for (j = 0; j < EXT_N; j++)
		if (oid->len == strlen(ext_info[j].oid) &&
		    memcmp(oid->val, ext_info[j].oid, oid->len) == 0)
			return (enum cert_ext)j;
	return CERT_EXT_N;
}

/* RFC 6487 section 4.8: nothing but the extensions of the profile. */
int
cert_ext_unknown(const char *fn, const char *oid, int crit)
{
	log_warnx_obj(fn, "RFC 6487 section 4.8: unexpected %sextension %s",
	    crit ? "critical " : "", oid);
	return -1;
}

/* Records extension pos as kind j; refuses duplicates and BER flags. */
int
cert_ext_add(const char *fn, struct cert_exts *ex, enum cert_ext j,
    unsigned int pos, int crit, uint64_t crit_bad, const unsigned char *val,
    size_t len)
{
	if (ex->present[j]) {
		log_warnx_obj(fn, "RFC 5280 section 4.2: duplicate %s "
		    "extension", ext_info[j].name);
		return -1;
	}
	/*
	 * X.690 section 11.1: TRUE is 0xff.  crit_bad has no bit for pos
	 * past 63, but a duplicate or unknown extension stops the caller
	 * before that.
	 */
	if (pos < CRIT_BAD_BITS && (crit_bad >> pos) & 1) {
		log_warnx_obj(fn, "X.690 section 11.1: %s extension critical "
		    "flag is not DER encoded", ext_info[j].name);
		return -1;
	}
	ex->present[j] = 1;
	ex->crit[j] = crit;
	ex->val[j] = val;
	ex->len[j] = len;
	return 0;
}

/*
 * Sort the extensions of x into ex, rejecting unknown and duplicate
 * ones.  crit_bad marks the extensions whose critical flag is not DER
 * (struct certder).
 */
static int
collect_exts(const char *fn, X509 *x, uint64_t crit_bad, struct cert_exts *ex)
{
	const X509_EXTENSION *e;
	const ASN1_OCTET_STRING *os;
	int i, j, nid;

	for (i = 0; i < X509_get_ext_count(x); i++) {
		e = X509_get_ext(x, i);
		nid = OBJ_obj2nid(X509_EXTENSION_get_object(
		    (X509_EXTENSION *)e));
		for (j = 0; j < EXT_N && ext_info[j].nid != nid; j++)
			;
		if (j == EXT_N) {
			char oid[128];

			OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(
			    (X509_EXTENSION *)e), 1);
			return cert_ext_unknown(fn, oid,
			    X509_EXTENSION_get_critical(e));
		}
		os = X509_EXTENSION_get_data((X509_EXTENSION *)e);
		if (cert_ext_add(fn, ex, (enum cert_ext)j, (unsigned int)i,
		    X509_EXTENSION_get_critical(e) > 0, crit_bad, os->data,
		    (size_t)os->length) == -1)
			return -1;
	}
	return 0;
}

/*
 * Decode the values of the extensions present that are checked on
 * OpenSSL's decoded form, refusing values that are not DER.
 */
static int
exts_decode(const char *fn, struct cert_exts *ex)
{
	int j;

	for (j = 0; j < EXT_N; j++) {
		if (!ex->present[j] || !ext_info[j].decode)
			continue;
		if (ex->der_only && ext_fast_form((enum cert_ext)j, ex->val[j],
		    ex->len[j]))
			continue;
		if ((ex->v[j] = x509ext_value_decode(fn, ext_info[j].nid,
		    ex->val[j], ex->len[j])) == NULL)
			return -1;
	}
	return 0;
}

/*
 * For an extension whose value is compared as bytes and differs from the
 * one allowed: returns 1 if the value is DER by OpenSSL's template for
 * it, so that the profile rule is what it breaks, else 0 after logging
 * why (as the extensions decoded by exts_decode() are refused).
 */
static int
ext_value_is_der(const char *fn, const struct cert_exts *ex, enum cert_ext j)
{
	void *v;

	if ((v = x509ext_value_decode(fn, ext_info[j].nid, ex->val[j],
	    ex->len[j])) == NULL)
		return 0;
	x509ext_value_free(ext_info[j].nid, v);
	return 1;
}

/* Presence and criticality of every extension for purpose. */
static int
check_ext_presence(const char *fn, const struct cert_exts *ex,
    enum cert_purpose purpose)
{
	int j, crit;

	for (j = 0; j < EXT_N; j++) {
		if (!ex->present[j] && ext_rules[purpose][j] == REQ) {
			log_warnx_obj(fn, "%s: %s extension missing in %s "
			    "certificate", ext_info[j].rfc, ext_info[j].name,
			    cert_purpose_name(purpose));
			return -1;
		}
		if (ex->present[j] && ext_rules[purpose][j] == FORBID) {
			log_warnx_obj(fn, "%s: %s extension not allowed in %s "
			    "certificate", purpose == CERT_ROUTER &&
			    (j == EXT_SIA || j == EXT_IP) ?
			    "RFC 8209 section 3.1.3" : ext_info[j].rfc,
			    ext_info[j].name, cert_purpose_name(purpose));
			return -1;
		}
		if (!ex->present[j])
			continue;
		crit = ex->crit[j];
		/* Critical: BC, KU, CP, IP, AS; all others non-critical. */
		if (crit != (j == EXT_BC || j == EXT_KU || j == EXT_CP ||
		    j == EXT_IP || j == EXT_AS)) {
			log_warnx_obj(fn, "%s: %s extension must %sbe critical",
			    ext_info[j].rfc, ext_info[j].name, crit ? "not " :
			    "");
			return -1;
		}
	}
	if (purpose != CERT_ROUTER && !ex->present[EXT_IP] &&
	    !ex->present[EXT_AS]) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.10: neither IP nor AS "
		    "resources present");
		return -1;
	}
	return 0;
}

/*
 * cA TRUE and no pathLenConstraint.  The one allowed value has a single
 * DER encoding; comparing bytes also catches a BOOLEAN TRUE that is not
 * 0xff, which OpenSSL re-emits unchanged.
 */
static int
check_bc(const char *fn, const struct cert_exts *ex)
{
	if (ex->len[EXT_BC] != sizeof(bc_ca) ||
	    memcmp(ex->val[EXT_BC], bc_ca, sizeof(bc_ca)) != 0) {
		if (ext_value_is_der(fn, ex, EXT_BC))
			log_warnx_obj(fn, "RFC 6487 section 4.8.1: "
			    "basicConstraints must have cA true and no "
			    "pathLenConstraint");
		return -1;
	}
	return 0;
}

/*
 * SKI: an OCTET STRING of 20 octets, the SHA-1 of the subjectPublicKey
 * (RFC 6487 section 4.8.2), read from the SubjectPublicKeyInfo slice
 * spki.
 */
static int
check_ski(const char *fn, const struct der_tlv *spki,
    const struct cert_exts *ex, struct cert *c)
{
	struct pubkey_spki key;
	unsigned char md[PUBKEY_KEYID_LEN];
	const unsigned char *val = ex->val[EXT_SKI];
	enum pubkey_err err;

	if (ex->len[EXT_SKI] != sizeof(ski_hdr) + CERT_KEYID_LEN ||
	    memcmp(val, ski_hdr, sizeof(ski_hdr)) != 0) {
		if (ext_value_is_der(fn, ex, EXT_SKI))
			log_warnx_obj(fn, "RFC 6487 section 4.8.2: SKI must "
			    "be %d octets", CERT_KEYID_LEN);
		return -1;
	}
	if ((err = pubkey_spki_parse(spki->hdr, spki->tlv_len, &key)) !=
	    PUBKEY_OK)
		return key_refused(fn, err);
	if (pubkey_key_id(&key, md) == -1 ||
	    memcmp(md, val + sizeof(ski_hdr), CERT_KEYID_LEN) != 0) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.2: SKI is not the "
		    "SHA-1 hash of the public key");
		return -1;
	}
	memcpy(c->ski, md, CERT_KEYID_LEN);
	return 0;
}

/*
 * AKI: keyIdentifier of 20 octets only (RFC 6487 section 4.8.3), so
 * exactly the DER aki_hdr and the 20 octets.
 */
static int
check_aki(const char *fn, const struct cert_exts *ex, struct cert *c)
{
	const unsigned char *val = ex->val[EXT_AKI];
	size_t len = ex->len[EXT_AKI];

	if (len < 4 || val[0] != aki_hdr[0] || val[1] != len - 2 ||
	    val[2] != aki_hdr[2] || val[3] != len - 4) {
		if (ext_value_is_der(fn, ex, EXT_AKI))
			log_warnx_obj(fn, "RFC 6487 section 4.8.3: AKI must "
			    "have keyIdentifier only");
		return -1;
	}
	if (len != sizeof(aki_hdr) + CERT_KEYID_LEN) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.3: AKI must be %d "
		    "octets", CERT_KEYID_LEN);
		return -1;
	}
	memcpy(c->aki, val + sizeof(aki_hdr), CERT_KEYID_LEN);
	c->has_aki = 1;
	return 0;
}

static int
check_ku(const char *fn, const struct cert_exts *ex, int ca)
{
	const unsigned char *want = ca ? ku_ca : ku_ee;

	if (ex->len[EXT_KU] != sizeof(ku_ca) ||
	    memcmp(ex->val[EXT_KU], want, sizeof(ku_ca)) != 0) {
		if (ext_value_is_der(fn, ex, EXT_KU))
			log_warnx_obj(fn, "RFC 6487 section 4.8.4: keyUsage "
			    "must be %s only", ca ? "keyCertSign and cRLSign" :
			    "digitalSignature");
		return -1;
	}
	return 0;
}

/* RFC 8209 section 3.1.3.2: EKU holds id-kp-bgpsec-router. */
static int
check_eku(const char *fn, const EXTENDED_KEY_USAGE *eku)
{
	int i, found = 0;

	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
		if (x509ext_oid_is(sk_ASN1_OBJECT_value(eku, i),
		    X509EXT_OID_BGPSEC_ROUTER))
			found = 1;
	if (!found) {
		log_warnx_obj(fn, "RFC 8209 section 3.1.3.2: EKU lacks "
		    "id-kp-bgpsec-router");
		return -1;
	}
	return 0;
}

/*
 * One URI (d, len bytes) of a list: checked, and kept in *out if it is
 * the first rsync one.  Returns 0, or -1 if malformed (logged).
 */
static int
keep_rsync(const char *fn, const char *rfc, const unsigned char *d, int len,
    char **out)
{
	char *uri;

	if (x509ext_uri_bytes(fn, rfc, d, len, &uri) == -1)
		return -1;
	if (*out == NULL && x509ext_is_rsync(uri))
		*out = uri;
	else
		free(uri);
	return 0;
}

/*
 * From the URIs in names pick the first rsync one into *out.  Other names
 * are skipped; malformed URIs are fatal.
 */
static int
pick_rsync(const char *fn, const char *rfc, const GENERAL_NAMES *names,
    char **out)
{
	const GENERAL_NAME *gn;
	int i;

	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type == GEN_URI && keep_rsync(fn, rfc,
		    ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier),
		    ASN1_STRING_length(gn->d.uniformResourceIdentifier),
		    out) == -1)
			return -1;
	}
	return 0;
}

/* RFC 6487 section 4.8.6: one DistributionPoint, fullName, an rsync URI. */
static int
check_crldp(const char *fn, const CRL_DIST_POINTS *dps, struct cert *c)
{
	static const char rfc[] = "RFC 6487 section 4.8.6";
	const DIST_POINT *dp;

	if (sk_DIST_POINT_num(dps) != 1) {
		log_warnx_obj(fn, "%s: CRLDP must have exactly one "
		    "DistributionPoint", rfc);
		return -1;
	}
	dp = sk_DIST_POINT_value(dps, 0);
	if (dp->reasons != NULL || dp->CRLissuer != NULL ||
	    dp->distpoint == NULL || dp->distpoint->type != 0) {
		log_warnx_obj(fn, "%s: CRLDP must have a fullName only", rfc);
		return -1;
	}
	if (pick_rsync(fn, rfc, dp->distpoint->name.fullname,
	    &c->crldp) == -1)
		return -1;
	if (c->crldp == NULL) {
		log_warnx_obj(fn, "%s: CRLDP has no rsync URI", rfc);
		return -1;
	}
	return 0;
}

/*
 * RFC 6487 section 4.8.7: caIssuers access descriptions only, one with an
 * rsync URI; "other accessMethod URIs referencing the same object MAY
 * also be included", so further ones (BBN goodCertAIA2AccessDesc*) are
 * checked for form and otherwise ignored.  The first rsync URI is used.
 */
static int
check_aia(const char *fn, const AUTHORITY_INFO_ACCESS *aia,
    struct cert *c)
{
	static const char rfc[] = "RFC 6487 section 4.8.7";
	const ACCESS_DESCRIPTION *ad;
	int i;

	if (sk_ACCESS_DESCRIPTION_num(aia) > MAX_AIA_ENTRIES) {
		log_warnx_obj(fn, "%s: AIA has more than %d access "
		    "descriptions", rfc, MAX_AIA_ENTRIES);
		return -1;
	}
	for (i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
		ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers) {
			log_warnx_obj(fn, "%s: AIA access method must be "
			    "caIssuers", rfc);
			return -1;
		}
		if (ad->location->type == GEN_URI && keep_rsync(fn, rfc,
		    ASN1_STRING_get0_data(
		    ad->location->d.uniformResourceIdentifier),
		    ASN1_STRING_length(
		    ad->location->d.uniformResourceIdentifier), &c->aia) == -1)
			return -1;
	}
	return aia_done(fn, c);
}

/* After the access descriptions: an rsync caIssuers URI was found. */
static int
aia_done(const char *fn, const struct cert *c)
{
	static const char rfc[] = "RFC 6487 section 4.8.7";

	if (c->aia == NULL) {
		log_warnx_obj(fn, "%s: AIA caIssuers must be an rsync URI",
		    rfc);
		return -1;
	}
	return 0;
}

/*
 * One SIA access description, of method nid and with the URI d (len
 * bytes; len -1 if its location is another GeneralName): store the URI
 * if it is the first usable one.
 */
static int
sia_entry(const char *fn, const char *rfc, int nid, const unsigned char *d,
    int len, int ee, struct cert *c)
{
	char *uri, **dst = NULL;

	if (ee && nid == NID_rpkiNotify) {
		/* Useless to a relying party, harmless: ignore the URI. */
		incidence_note(INCIDENCE_EE_SIA_NOTIFY, fn);
		return 0;
	}
	if (ee ? (nid == NID_caRepository || nid == NID_rpkiManifest) :
	    nid == NID_signedObject) {
		log_warnx_obj(fn, "%s: access method %s not allowed in %s "
		    "certificate", rfc, OBJ_nid2sn(nid), ee ? "EE" : "CA");
		return -1;
	}
	if (len == -1)
		return 0;
	if (x509ext_uri_bytes(fn, rfc, d, len, &uri) == -1)
		return -1;
	if (nid == NID_caRepository || nid == NID_rpkiManifest ||
	    nid == NID_signedObject) {
		if (x509ext_is_rsync(uri))
			dst = nid == NID_caRepository ? &c->repo :
			    nid == NID_rpkiManifest ? &c->mft : &c->signedobj;
	} else if (nid == NID_rpkiNotify) {
		/* RFC 8182 section 3.2: rpkiNotify is one https URI. */
		if (!x509ext_is_https(uri) || c->notify != NULL) {
			log_warnx_obj(fn, "RFC 8182 section 3.2: rpkiNotify "
			    "must be a single https URI");
			free(uri);
			return -1;
		}
		dst = &c->notify;
	}
	if (dst != NULL && *dst == NULL) {
		*dst = uri;
		return 0;
	}
	free(uri);
	return 0;
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcasecmp(s + n - m, suffix) == 0;
}

/* The section of RFC 6487 on the SIA of an EE or a CA. */
static const char *
sia_rfc(int ee)
{
	return ee ? "RFC 6487 section 4.8.8.2" : "RFC 6487 section 4.8.8.1";
}

/* RFC 6487 section 4.8.8: caRepository and rpkiManifest, or signedObject. */
static int
check_sia(const char *fn, const AUTHORITY_INFO_ACCESS *sia, int ee,
    struct cert *c)
{
	const char *rfc = sia_rfc(ee);
	const ACCESS_DESCRIPTION *ad;
	const ASN1_IA5STRING *u;
	int i;

	for (i = 0; i < sk_ACCESS_DESCRIPTION_num(sia); i++) {
		ad = sk_ACCESS_DESCRIPTION_value(sia, i);
		u = ad->location->type == GEN_URI ?
		    ad->location->d.uniformResourceIdentifier : NULL;
		if (sia_entry(fn, rfc, OBJ_obj2nid(ad->method), u == NULL ?
		    NULL : ASN1_STRING_get0_data(u), u == NULL ? -1 :
		    ASN1_STRING_length(u), ee, c) == -1)
			return -1;
	}
	return sia_done(fn, ee, c);
}

/* After the access descriptions: the URIs the purpose needs. */
static int
sia_done(const char *fn, int ee, const struct cert *c)
{
	const char *rfc = sia_rfc(ee);

	if (ee && c->signedobj == NULL) {
		log_warnx_obj(fn, "%s: SIA lacks an rsync signedObject URI",
		    rfc);
		return -1;
	}
	if (!ee && (c->repo == NULL || c->mft == NULL)) {
		log_warnx_obj(fn, "%s: SIA lacks an rsync %s URI", rfc,
		    c->repo == NULL ? "caRepository" : "rpkiManifest");
		return -1;
	}
	if (!ee && (!has_suffix(c->mft, ".mft") ||
	    strncmp(c->mft, c->repo, strlen(c->repo)) != 0)) {
		log_warnx_obj(fn, "%s: rpkiManifest must be a .mft file in "
		    "caRepository", rfc);
		return -1;
	}
	return 0;
}

/*
 * RFC 6487 section 4.8.9: the RPKI policy only, with at most a CPS
 * qualifier (RFC 7318).
 */
static int
check_cp(const char *fn, const CERTIFICATEPOLICIES *cp)
{
	const POLICYINFO *pi;
	const POLICYQUALINFO *q;
	int i;

	if (sk_POLICYINFO_num(cp) != 1) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.9: exactly one "
		    "policy required");
		return -1;
	}
	pi = sk_POLICYINFO_value(cp, 0);
	if (!x509ext_oid_is(pi->policyid, X509EXT_OID_RPKI_POLICY)) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.9: policy must be "
		    "id-cp-ipAddr-asNumber");
		return -1;
	}
	for (i = 0; i < sk_POLICYQUALINFO_num(pi->qualifiers); i++) {
		q = sk_POLICYQUALINFO_value(pi->qualifiers, i);
		if (OBJ_obj2nid(q->pqualid) != NID_id_qt_cps) {
			log_warnx_obj(fn, "RFC 7318 section 2: only a CPS "
			    "policy qualifier is allowed");
			return -1;
		}
	}
	return 0;
}

/*
 * The DER reader's shortcut (ex->der_only, validator/certee.c): CRLDP,
 * AIA, SIA and certificatePolicies values of the form every RPKI CA
 * issues are read here from their DER instead of being decoded by
 * OpenSSL's templates, re-encoded and compared.  The form is narrow
 * enough that OpenSSL would decode it and give back the same bytes: DER
 * lengths (der_next()), the exact tags, URIs as primitive [6] IA5String
 * GeneralNames (RFC 5280 section 4.2.1.6), access methods among the
 * ones the profile names, byte for byte.  Anything else takes the
 * decoding path, so the two readers still judge every value alike
 * (tests/unit/test_certee.c).
 */

/* GeneralName uniformResourceIdentifier: [6] IMPLICIT IA5String. */
#define GN_URI_TAG		DER_CONTEXT(6)
/* distributionPoint [0] of a DistributionPoint, fullName [0] inside it. */
#define DP_NAME_TAG		DER_CONTEXT_CONS(0)
/* Access methods (RFC 6487 sections 4.8.7 and 4.8.8), DER contents. */
static const unsigned char am_ca_issuers[] = { 0x2b, 0x06, 0x01, 0x05, 0x05,
    0x07, 0x30, 0x02 };
static const unsigned char am_ca_repository[] = { 0x2b, 0x06, 0x01, 0x05,
    0x05, 0x07, 0x30, 0x05 };
static const unsigned char am_rpki_manifest[] = { 0x2b, 0x06, 0x01, 0x05,
    0x05, 0x07, 0x30, 0x0a };
static const unsigned char am_signed_object[] = { 0x2b, 0x06, 0x01, 0x05,
    0x05, 0x07, 0x30, 0x0b };
static const unsigned char am_rpki_notify[] = { 0x2b, 0x06, 0x01, 0x05,
    0x05, 0x07, 0x30, 0x0d };
/* certificatePolicies: id-cp-ipAddr-asNumber, no qualifier (4.8.9). */
static const unsigned char cp_rpki[] = { 0x30, 0x0c, 0x30, 0x0a, 0x06, 0x08,
    0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x0e, 0x02 };

static const struct {
	const unsigned char	*oid;
	size_t			 len;
	int			 nid;
} access_methods[] = {
	{ am_ca_issuers, sizeof(am_ca_issuers), NID_ad_ca_issuers },
	{ am_ca_repository, sizeof(am_ca_repository), NID_caRepository },
	{ am_rpki_manifest, sizeof(am_rpki_manifest), NID_rpkiManifest },
	{ am_signed_object, sizeof(am_signed_object), NID_signedObject },
	{ am_rpki_notify, sizeof(am_rpki_notify), NID_rpkiNotify },
};

/* The NID of the access method OBJECT IDENTIFIER t, or NID_undef. */
static int
access_method(const struct der_tlv *t)
{
	size_t i;

	for (i = 0; i < sizeof(access_methods) / sizeof(access_methods[0]);
	    i++)
		if (t->tag == DER_OID && t->len == access_methods[i].len &&
		    memcmp(t->val, access_methods[i].oid, t->len) == 0)
			return access_methods[i].nid;
	return NID_undef;
}

/* The only TLV of the value (val, len bytes) into *t, with tag tag. */
static int
value_is(const unsigned char *val, size_t len, unsigned char tag,
    struct der_tlv *t)
{
	struct der d;

	der_init(&d, val, len);
	return der_expect(&d, tag, t) == DER_OK && der_at_end(&d);
}

/* The only TLV inside the constructed t into *in, with tag tag. */
static int
only_child(const struct der_tlv *t, unsigned char tag, struct der_tlv *in)
{
	struct der d;

	der_enter(&d, t);
	return der_expect(&d, tag, in) == DER_OK && der_at_end(&d);
}

/* Every element of the constructed t is a URI GeneralName. */
static int
all_uris(const struct der_tlv *t)
{
	struct der d;
	struct der_tlv u;

	der_enter(&d, t);
	while (!der_at_end(&d))
		if (der_expect(&d, GN_URI_TAG, &u) != DER_OK)
			return 0;
	return 1;
}

/*
 * The next AccessDescription ::= SEQUENCE { accessMethod, accessLocation
 * } in d, with a method of access_methods[] (its NID into *nid) and a
 * URI location (*uri).  Returns 1, or 0 if it has another form.
 */
static int
next_access(struct der *d, int *nid, struct der_tlv *uri)
{
	struct der in;
	struct der_tlv ad, m;

	if (der_expect(d, DER_SEQUENCE, &ad) != DER_OK)
		return 0;
	der_enter(&in, &ad);
	if (der_expect(&in, DER_OID, &m) != DER_OK ||
	    (*nid = access_method(&m)) == NID_undef ||
	    der_expect(&in, GN_URI_TAG, uri) != DER_OK || !der_at_end(&in))
		return 0;
	return 1;
}

/*
 * The fullName of a CRLDP value of the form CAs issue: one
 * DistributionPoint with a distributionPoint fullName of URIs only.
 */
static int
crldp_form(const unsigned char *val, size_t len, struct der_tlv *full)
{
	struct der_tlv dps, dp, dpn;

	return value_is(val, len, DER_SEQUENCE, &dps) &&
	    only_child(&dps, DER_SEQUENCE, &dp) &&
	    only_child(&dp, DP_NAME_TAG, &dpn) &&
	    only_child(&dpn, DP_NAME_TAG, full) && all_uris(full);
}

/*
 * An AIA (aia non-zero: caIssuers only, at most MAX_AIA_ENTRIES) or SIA
 * (the other methods of access_methods[]) of the form CAs issue: access
 * descriptions with URI locations.
 */
static int
access_form(const unsigned char *val, size_t len, int aia)
{
	struct der d;
	struct der_tlv seq, uri;
	int n = 0, nid;

	if (!value_is(val, len, DER_SEQUENCE, &seq))
		return 0;
	der_enter(&d, &seq);
	for (; !der_at_end(&d); n++)
		if (!next_access(&d, &nid, &uri) ||
		    (aia && nid != NID_ad_ca_issuers) ||
		    (!aia && nid == NID_ad_ca_issuers))
			return 0;
	return !aia || n <= MAX_AIA_ENTRIES;
}

/* Non-zero if the value of extension j has the form read from its DER. */
static int
ext_fast_form(enum cert_ext j, const unsigned char *val, size_t len)
{
	struct der_tlv full;

	switch (j) {
	case EXT_CRLDP:
		return crldp_form(val, len, &full);
	case EXT_AIA:
		return access_form(val, len, 1);
	case EXT_SIA:
		return access_form(val, len, 0);
	case EXT_CP:
		return len == sizeof(cp_rpki) &&
		    memcmp(val, cp_rpki, len) == 0;
	default:
		return 0;
	}
}

/* check_crldp() on a value of crldp_form(). */
static int
check_crldp_der(const char *fn, const struct cert_exts *ex, struct cert *c)
{
	struct der d;
	struct der_tlv full, u;

	(void)crldp_form(ex->val[EXT_CRLDP], ex->len[EXT_CRLDP], &full);
	der_enter(&d, &full);
	while (der_next(&d, &u) == DER_OK)
		if (keep_rsync(fn, "RFC 6487 section 4.8.6", u.val,
		    (int)u.len, &c->crldp) == -1)
			return -1;
	if (c->crldp == NULL) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.6: CRLDP has no rsync "
		    "URI");
		return -1;
	}
	return 0;
}

/* check_aia() or check_sia() on a value of access_form(). */
static int
check_access_der(const char *fn, const struct cert_exts *ex, enum cert_ext j,
    int ee, struct cert *c)
{
	struct der d;
	struct der_tlv seq, uri;
	int nid;

	(void)value_is(ex->val[j], ex->len[j], DER_SEQUENCE, &seq);
	der_enter(&d, &seq);
	while (!der_at_end(&d) && next_access(&d, &nid, &uri)) {
		if (j == EXT_AIA && keep_rsync(fn, "RFC 6487 section 4.8.7",
		    uri.val, (int)uri.len, &c->aia) == -1)
			return -1;
		if (j == EXT_SIA && sia_entry(fn, sia_rfc(ee), nid, uri.val,
		    (int)uri.len, ee, c) == -1)
			return -1;
	}
	return j == EXT_AIA ? aia_done(fn, c) : sia_done(fn, ee, c);
}

static int
check_resources(const char *fn, const struct cert_exts *ex, struct cert *c)
{
	if (ex->present[EXT_IP] && (c->ips = ip_res_parse_der(fn,
	    ex->val[EXT_IP], ex->len[EXT_IP])) == NULL)
		return -1;
	if (ex->present[EXT_AS] && (c->ases = as_res_parse_der(fn,
	    ex->val[EXT_AS], ex->len[EXT_AS])) == NULL)
		return -1;
	if (c->purpose == CERT_TA && (ip_res_has_inherit(c->ips) ||
	    (c->ases != NULL && c->ases->inherit))) {
		log_warnx_obj(fn, "RFC 8630 section 2.3: TA resources must "
		    "not use inherit");
		return -1;
	}
	if (c->purpose == CERT_ROUTER && c->ases->inherit) {
		log_warnx_obj(fn, "RFC 8209 section 3.1.3.5: router AS "
		    "resources must not use inherit");
		return -1;
	}
	return 0;
}

/*
 * RFC 8608 section 3: a router key is ECDSA on P-256 (RFC 5480 section
 * 2.1.1.1: namedCurve), a point on the curve, read from c->spki.
 */
static int
check_router_key(const char *fn, struct cert *c)
{
	struct pubkey_spki spki;
	enum pubkey_err err;

	if ((err = pubkey_spki_parse(c->spki, c->spki_len, &spki)) !=
	    PUBKEY_OK) {
		log_warnx_obj(fn, err == PUBKEY_NOT_DER ? "X.690 section 10: "
		    "public key is not DER encoded" : "RFC 6487 section 4.7: "
		    "malformed public key");
		return -1;
	}
	if (!pubkey_spki_is_p256(&spki)) {
		log_warnx_obj(fn, "RFC 8608 section 3: router key must be "
		    "ECDSA on named curve P-256");
		return -1;
	}
	if (!pubkey_p256_point_ok(&spki)) {
		log_warnx_obj(fn, "RFC 6487 section 4.7: malformed public key: "
		    "not a point on P-256");
		return -1;
	}
	return 0;
}

/* Log why the key was refused; returns -1. */
static int
key_refused(const char *fn, enum pubkey_err err)
{
	if (err == PUBKEY_NOT_DER)
		log_warnx_obj(fn, "X.690 section 10: public key is not DER "
		    "encoded");
	else if (err == PUBKEY_MALFORMED)
		log_warnx_obj(fn, "RFC 6487 section 4.7: malformed public key");
	else
		log_warnx_obj(fn, "RFC 7935 section 3: key must be RSA-%d with "
		    "exponent %d", CERT_RSA_BITS, CERT_RSA_EXPONENT);
	return -1;
}

/*
 * An algorithm other than rsaEncryption: RFC 7935 section 3 if OpenSSL
 * knows the key type, else a malformed key.  Only on this error path is
 * OpenSSL asked to decode the key.
 */
static int
key_not_rsa(const char *fn, const struct cert *c)
{
	const unsigned char *p = c->spki;
	EVP_PKEY *pkey;

	if ((pkey = d2i_PUBKEY(NULL, &p, (long)c->spki_len)) == NULL) {
		log_warnx_crypto(fn, "RFC 6487 section 4.7: malformed public "
		    "key");
		return -1;
	}
	EVP_PKEY_free(pkey);
	return key_refused(fn, PUBKEY_OK);
}

/*
 * RSA-2048, e = 65537 (RFC 7935 section 3), rsaEncryption with NULL
 * parameters (RFC 4055 section 1.2), read from c->spki.  A TA or CA also
 * gets the key for verifying what it issued.
 */
static int
check_rsa_key(const char *fn, struct cert *c)
{
	struct pubkey_spki spki;
	struct pubkey_rsa rsa;
	enum pubkey_err err;

	if ((err = pubkey_spki_parse(c->spki, c->spki_len, &spki)) !=
	    PUBKEY_OK)
		return key_refused(fn, err);
	if (!pubkey_spki_is_rsa(&spki))
		return key_not_rsa(fn, c);
	if ((err = pubkey_rsa_parse(&spki, &rsa)) != PUBKEY_OK)
		return key_refused(fn, err);
	if (!spki.has_params || der_null(&spki.params) != DER_OK ||
	    pubkey_rsa_bits(&rsa) != CERT_RSA_BITS ||
	    !pubkey_rsa_exponent_is(&rsa, CERT_RSA_EXPONENT))
		return key_refused(fn, PUBKEY_OK);
	if (c->purpose != CERT_TA && c->purpose != CERT_CA)
		return 0;
	if ((c->key = pubkey_rsa_key_new(&rsa)) == NULL) {
		log_warnx_obj(fn, "cannot make an RSA key");
		return -1;
	}
	return 0;
}

/*
 * The key of c, from the SubjectPublicKeyInfo slice spki of its DER:
 * RSA (RFC 7935 section 3) or, for a router, P-256 (RFC 8608 section 3).
 */
static int
check_key(const char *fn, const struct der_tlv *spki, struct cert *c)
{
	if ((c->spki = malloc(spki->tlv_len)) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return -1;
	}
	memcpy(c->spki, spki->hdr, spki->tlv_len);
	c->spki_len = spki->tlv_len;
	if (c->purpose == CERT_ROUTER)
		return check_router_key(fn, c);
	return check_rsa_key(fn, c);
}

/*
 * The extension checks for c->purpose, in profile order; spki is the
 * SubjectPublicKeyInfo slice of the certificate's DER.
 */
static int
check_exts(const char *fn, const struct der_tlv *spki,
    const struct cert_exts *ex, int flags, struct cert *c)
{
	int ca = c->purpose == CERT_TA || c->purpose == CERT_CA;

	if (check_ext_presence(fn, ex, c->purpose) == -1)
		return -1;
	if (ca && check_bc(fn, ex) == -1)
		return -1;
	if (check_ski(fn, spki, ex, c) == -1)
		return -1;
	if (ex->present[EXT_AKI] && check_aki(fn, ex, c) == -1)
		return -1;
	if (c->purpose == CERT_TA && c->has_aki &&
	    memcmp(c->aki, c->ski, CERT_KEYID_LEN) != 0) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.3: AKI of a TA must "
		    "equal its SKI");
		return -1;
	}
	if (c->purpose != CERT_TA && memcmp(c->aki, c->ski,
	    CERT_KEYID_LEN) == 0) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.3: AKI equals SKI in "
		    "a certificate that is not self-issued");
		return -1;
	}
	if (check_ku(fn, ex, ca) == -1)
		return -1;
	if (ex->present[EXT_EKU] && check_eku(fn, ex->v[EXT_EKU]) == -1)
		return -1;
	/* A value present but not decoded was read by ext_fast_form(). */
	if (ex->present[EXT_CRLDP] && (ex->v[EXT_CRLDP] == NULL ?
	    check_crldp_der(fn, ex, c) :
	    check_crldp(fn, ex->v[EXT_CRLDP], c)) == -1)
		return -1;
	if (ex->present[EXT_AIA] && (ex->v[EXT_AIA] == NULL ?
	    check_access_der(fn, ex, EXT_AIA, 0, c) :
	    check_aia(fn, ex->v[EXT_AIA], c)) == -1)
		return -1;
	if (c->purpose == CERT_EE && (flags & CERT_EE_NO_SIA) &&
	    ex->present[EXT_SIA]) {
		log_warnx_obj(fn, "RFC 9323 section 2: SIA must be absent");
		return -1;
	}
	if (c->purpose == CERT_EE && !(flags & CERT_EE_NO_SIA) &&
	    !ex->present[EXT_SIA]) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.8.2: SIA missing in "
		    "EE certificate");
		return -1;
	}
	if (ex->present[EXT_SIA] && (ex->v[EXT_SIA] == NULL ?
	    check_access_der(fn, ex, EXT_SIA, c->purpose == CERT_EE, c) :
	    check_sia(fn, ex->v[EXT_SIA], c->purpose == CERT_EE, c)) == -1)
		return -1;
	/* cp_rpki, the one value read from its DER, passes check_cp(). */
	if (ex->v[EXT_CP] != NULL && check_cp(fn, ex->v[EXT_CP]) == -1)
		return -1;
	return check_resources(fn, ex, c);
}

/*
 * The library context certificates are decoded in.  It holds only the
 * "null" provider, so OpenSSL 3.0 finds no key decoder there and keeps
 * the public key as bytes (validator/pubkey.h says why).  Made once and
 * never changed or freed, like OpenSSL's own default context.
 */
static OSSL_LIB_CTX	*decode_ctx;
static pthread_once_t	 decode_once = PTHREAD_ONCE_INIT;

static void
decode_ctx_init(void)
{
	OSSL_LIB_CTX *ctx;

	if ((ctx = OSSL_LIB_CTX_new()) == NULL)
		return;
	if (OSSL_PROVIDER_load(ctx, "null") == NULL) {
		OSSL_LIB_CTX_free(ctx);
		return;
	}
	decode_ctx = ctx;
}

/* Returns a new X509 decoded without its key, or NULL. */
X509 *
cert_x509_decode(const unsigned char **pp, size_t len)
{
	if (pthread_once(&decode_once, decode_ctx_init) != 0 ||
	    decode_ctx == NULL || len > LONG_MAX)
		return NULL;
	return (X509 *)ASN1_item_d2i_ex(NULL, pp, (long)len,
	    ASN1_ITEM_rptr(X509), decode_ctx, NULL);
}

/* Check that der (len bytes) is DER; returns 0 or -1 after logging. */
static int
der_check(const char *fn, const unsigned char *der, size_t len,
    struct certder *parts)
{
	const char *msg;

	if ((msg = certder_check(der, len, parts)) != NULL) {
		log_warnx_obj(fn, "X.690 section 10: certificate is not DER "
		    "encoded: %s", msg);
		return -1;
	}
	return 0;
}

/* RFC 6487 section 4.8.1 and 4.8.5: neither BC nor EKU in an EE. */
static int
ee_exts_allowed(const char *fn, const struct cert_exts *ex)
{
	if (ex->present[EXT_BC] || ex->present[EXT_EKU]) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.%d: %s not allowed in "
		    "EE certificate", ex->present[EXT_BC] ? 1 : 5,
		    ex->present[EXT_BC] ? "basicConstraints" :
		    "extendedKeyUsage");
		return -1;
	}
	return 0;
}

/* The EE profile after the TBSCertificate: see certee.h. */
int
cert_check_ee(const char *fn, const struct der_tlv *spki,
    struct cert_exts *ex, int flags, struct cert *c)
{
	c->purpose = CERT_EE;
	if (ee_exts_allowed(fn, ex) == -1 || exts_decode(fn, ex) == -1 ||
	    check_exts(fn, spki, ex, flags, c) == -1 ||
	    check_key(fn, spki, c) == -1)
		return -1;
	return 0;
}

/*
 * The purpose of a certificate that is not an EE, from its extensions
 * (RFC 6487 section 4.8.1, RFC 8209 section 3.1.3.2): a CA whose subject
 * is its issuer (self_issued) is a TA, so SKI and AKI are read here
 * already.
 */
static int
pick_purpose(const char *fn, const struct der_tlv *spki, int self_issued,
    const struct cert_exts *ex, struct cert *c)
{
	if (ex->present[EXT_BC])
		c->purpose = CERT_CA;
	else if (ex->present[EXT_EKU])
		c->purpose = CERT_ROUTER;
	else {
		log_warnx_obj(fn, "RFC 6487 section 4.8.1: basicConstraints "
		    "missing: certificate is neither CA nor BGPsec router");
		return -1;
	}
	if (c->purpose == CERT_CA && ex->present[EXT_SKI]) {
		if (check_ski(fn, spki, ex, c) == -1 ||
		    (ex->present[EXT_AKI] && check_aki(fn, ex, c) == -1))
			return -1;
		if (self_issued)
			c->purpose = CERT_TA;
	}
	return 0;
}

/* The TA, CA and router profile after the TBSCertificate: see certee.h. */
int
cert_check_ca(const char *fn, const struct der_tlv *spki, int self_issued,
    struct cert_exts *ex, struct cert *c)
{
	if (pick_purpose(fn, spki, self_issued, ex, c) == -1 ||
	    exts_decode(fn, ex) == -1 ||
	    check_exts(fn, spki, ex, 0, c) == -1 ||
	    check_key(fn, spki, c) == -1)
		return -1;
	return 0;
}

/*
 * Shared path of cert_parse_x509() and cert_parse_ee_x509(); takes over x.
 * parts are the slices of x's DER.
 */
static struct cert *
cert_build(const char *fn, X509 *x, const struct certder *parts, int ee,
    int flags)
{
	struct cert *c;
	struct cert_exts ex;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warnx_obj(fn, "out of memory");
		X509_free(x);
		return NULL;
	}
	c->x509 = x;
	memset(&ex, 0, sizeof(ex));
	if (check_tbs(fn, x, parts, c) == -1 ||
	    collect_exts(fn, x, parts->crit_bad, &ex) == -1)
		goto fail;
	if (ee) {
		if (cert_check_ee(fn, &parts->spki, &ex, flags, c) == -1)
			goto fail;
	} else if (cert_check_ca(fn, &parts->spki,
	    X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_issuer_name(x)) == 0, &ex, c) == -1)
		goto fail;
	cert_exts_free(&ex);
	return c;
fail:
	cert_exts_free(&ex);
	cert_free(c);
	return NULL;
}

/* Point c's name slices at the names of its X509 (its own encoding). */
static void
names_from_x509(struct cert *c)
{
	if (!X509_NAME_get0_der(X509_get_issuer_name(c->x509),
	    &c->issuer_name, &c->issuer_name_len))
		c->issuer_name_len = 0;
	if (!X509_NAME_get0_der(X509_get_subject_name(c->x509),
	    &c->subject_name, &c->subject_name_len))
		c->subject_name_len = 0;
}

/*
 * Returns a new cert owned by the caller (holding its own X509), or NULL
 * after logging.
 */
struct cert *
cert_parse_x509(const char *fn, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	struct certder parts;
	struct cert *c;
	X509 *x;

	if (len == 0 || len > MAX_FILE_SIZE) {
		log_warnx_obj(fn, "certificate size %zu out of range", len);
		return NULL;
	}
	if ((x = cert_x509_decode(&p, len)) == NULL) {
		log_warnx_crypto(fn, "RFC 6487 section 4: malformed "
		    "certificate");
		return NULL;
	}
	if (p != der + len) {
		log_warnx_obj(fn, "X.690 section 10: trailing data after "
		    "certificate");
		X509_free(x);
		return NULL;
	}
	if (der_check(fn, der, len, &parts) == -1) {
		X509_free(x);
		return NULL;
	}
	if ((c = cert_build(fn, x, &parts, 0, 0)) == NULL)
		return NULL;
	names_from_x509(c);
	if (hash_sha256(der, len, c->der_hash) == 0)
		c->has_der_hash = 1;
	return c;
}

/*
 * Returns a new EE cert holding its own reference to x, or NULL after
 * logging.
 */
struct cert *
cert_parse_ee_x509(const char *fn, X509 *x, int flags)
{
	struct certder parts;
	struct cert *c = NULL;
	unsigned char *der = NULL;
	int n;

	if (x == NULL)
		return NULL;
	if ((n = i2d_X509(x, &der)) <= 0) {
		log_warnx_crypto(fn, "RFC 6487 section 4: cannot encode EE "
		    "certificate");
		return NULL;
	}
	if (der_check(fn, der, (size_t)n, &parts) == 0 && X509_up_ref(x))
		c = cert_build(fn, x, &parts, 1, flags);
	if (c == NULL) {
		OPENSSL_free(der);
		return NULL;
	}
	/* Kept for cert_check_issued(), so that it encodes nothing. */
	c->der = der;
	c->der_len = (size_t)n;
	c->issuer_name = parts.issuer.hdr;
	c->issuer_name_len = parts.issuer.tlv_len;
	c->subject_name = parts.subject.hdr;
	c->subject_name_len = parts.subject.tlv_len;
	return c;
}

/* A new reference to c's X509, or c->der decoded; NULL if neither. */
X509 *
cert_x509(const struct cert *c)
{
	const unsigned char *p = c->der;

	if (c->x509 != NULL)
		return X509_up_ref(c->x509) ? c->x509 : NULL;
	if (c->der == NULL)
		return NULL;
	return cert_x509_decode(&p, c->der_len);
}

/* Frees cert and everything it owns; NULL is fine. */
void
cert_free(struct cert *c)
{
	if (c == NULL)
		return;
	X509_free(c->x509);
	free(c->aia);
	free(c->crldp);
	free(c->repo);
	free(c->mft);
	free(c->notify);
	free(c->signedobj);
	ip_res_free(c->ips);
	as_res_free(c->ases);
	pubkey_rsa_key_free(c->key);
	free(c->spki);
	free(c->serial);
	OPENSSL_free(c->der);
	free(c);
}

static int
fail_why(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
validity_why(const struct cert *c, int64_t now, char *why, size_t whylen)
{
	if (now < c->notbefore)
		return fail_why(why, whylen, "RFC 5280 section 6.1.3: "
		    "certificate not yet valid");
	if (now > c->notafter)
		return fail_why(why, whylen, "RFC 5280 section 6.1.3: "
		    "certificate expired");
	return 0;
}

/*
 * Returns 1 if key signed c (sha256WithRSAEncryption, which check_tbs()
 * required), else 0.  The signature is checked over the TBSCertificate
 * in c->der, or else in what i2d_X509() gives: as received, since
 * nothing re-encodes it.
 */
static int
signed_by(const struct cert *c, const struct pubkey_rsa_key *key)
{
	struct certder parts;
	unsigned char md[HASH_SHA256_LEN], *der = NULL;
	const unsigned char *p = c->der;
	size_t len = c->der_len;
	int n, ok;

	if (key == NULL)
		return 0;
	if (p == NULL) {
		if ((n = i2d_X509(c->x509, &der)) <= 0) {
			ERR_clear_error();
			return 0;
		}
		p = der;
		len = (size_t)n;
	}
	ok = certder_split(p, len, &parts) == NULL &&
	    hash_sha256(parts.tbs.hdr, parts.tbs.tlv_len, md) == 0 &&
	    pubkey_rsa_key_verify(key, md, parts.sig, parts.siglen);
	OPENSSL_free(der);
	return ok;
}

/*
 * Returns 0 if cert is a valid TA for tal at now, else -1 with the reason
 * in why.
 */
int
cert_check_ta(const struct cert *c, const struct tal *tal, int64_t now,
    char *why, size_t whylen)
{
	if (c->purpose != CERT_TA)
		return fail_why(why, whylen, "RFC 8630 section 2.3: not a "
		    "self-signed TA certificate");
	if (c->spki_len != tal->spki_len ||
	    memcmp(c->spki, tal->spki, c->spki_len) != 0)
		return fail_why(why, whylen, "RFC 8630 section 2.3: public key "
		    "does not match the TAL");
	if (!signed_by(c, c->key))
		return fail_why(why, whylen, "RFC 6487 section 4: TA "
		    "self-signature does not verify");
	return validity_why(c, now, why, whylen);
}

/* Resources of child within issuer's, then inherit resolved on copies. */
int
cert_check_resources(struct cert *child, const struct cert *issuer, char *why,
    size_t whylen)
{
	struct ip_res *ips = NULL;
	struct as_res *ases = NULL;

	if (ip_res_has_inherit(issuer->ips) ||
	    (issuer->ases != NULL && issuer->ases->inherit))
		return fail_why(why, whylen, "issuer resources still "
		    "inherit: validate the issuer first");
	if (!ip_res_contains(issuer->ips, child->ips))
		return fail_why(why, whylen, "RFC 6487 section 7.2: IP "
		    "resources not contained in the issuer's");
	if (!as_res_contains(issuer->ases, child->ases))
		return fail_why(why, whylen, "RFC 6487 section 7.2: AS "
		    "resources not contained in the issuer's");
	if ((child->ips != NULL && ((ips = ip_res_dup(child->ips)) == NULL ||
	    ip_res_inherit(ips, issuer->ips) == -1)) ||
	    (child->ases != NULL && ((ases = as_res_dup(child->ases)) == NULL ||
	    as_res_inherit(ases, issuer->ases) == -1))) {
		ip_res_free(ips);
		as_res_free(ases);
		return fail_why(why, whylen, "RFC 3779 section 2.2.3.5: "
		    "inherit from an issuer without such resources");
	}
	ip_res_free(child->ips);
	as_res_free(child->ases);
	child->ips = ips;
	child->ases = ases;
	return 0;
}

/* A Name decoded from der (len bytes), or NULL. */
static X509_NAME *
name_decode(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;

	if (der == NULL || len == 0 || len > LONG_MAX)
		return NULL;
	return d2i_X509_NAME(NULL, &p, (long)len);
}

/*
 * Equal DER is a match; otherwise the names are compared as
 * X509_NAME_cmp() does (RFC 5280 section 7.1 canonical forms), as when
 * both were X509s.
 */
int
cert_names_equal(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	X509_NAME *na, *nb;
	int match;

	if (alen == blen && alen > 0 && memcmp(a, b, alen) == 0)
		return 1;
	na = name_decode(a, alen);
	nb = name_decode(b, blen);
	match = na != NULL && nb != NULL && X509_NAME_cmp(na, nb) == 0;
	X509_NAME_free(na);
	X509_NAME_free(nb);
	ERR_clear_error();
	return match;
}

/* RFC 6487 section 4.4: child's issuer is issuer's subject. */
static int
names_match(const struct cert *child, const struct cert *issuer)
{
	return cert_names_equal(child->issuer_name, child->issuer_name_len,
	    issuer->subject_name, issuer->subject_name_len);
}

/*
 * Returns 0 and resolves child's inherit if issuer validly issued child at
 * now, else -1 with the reason in why.
 */
int
cert_check_issued(struct cert *child, const struct cert *issuer,
    int64_t now, char *why, size_t whylen)
{
	if (issuer->purpose != CERT_TA && issuer->purpose != CERT_CA)
		return fail_why(why, whylen, "RFC 6487 section 4.8.1: issuer "
		    "is not a CA");
	if (child->purpose == CERT_TA)
		return fail_why(why, whylen, "RFC 6487 section 4.8.3: a "
		    "self-signed certificate below a CA");
	if (!names_match(child, issuer))
		return fail_why(why, whylen, "RFC 6487 section 4.4: issuer "
		    "name differs from the issuer's subject");
	if (!child->has_aki ||
	    memcmp(child->aki, issuer->ski, CERT_KEYID_LEN) != 0)
		return fail_why(why, whylen, "RFC 6487 section 4.8.3: AKI "
		    "does not match the issuer's SKI");
	if (!signed_by(child, issuer->key))
		return fail_why(why, whylen, "RFC 5280 section 6.1.3: "
		    "signature does not verify with the issuer's key");
	if (validity_why(child, now, why, whylen) == -1)
		return -1;
	return cert_check_resources(child, issuer, why, whylen);
}
