/*
 * RPKI resource certificates, RFC 6487, and BGPsec router certificates,
 * RFC 8209.  OpenSSL decodes (without the public key, see cert.h); every
 * profile rule is checked here.
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
#include "validator/incidence.h"
#include "validator/pubkey.h"
#include "validator/x509ext.h"

/* X.509 version field value of a v3 certificate (RFC 5280 section 4.1.2.1). */
#define X509_V3			2
/* AIA access descriptions read: one rsync URI plus a few alternates. */
#define MAX_AIA_ENTRIES		8
/* Extensions struct certder's crit_bad has a bit for. */
#define CRIT_BAD_BITS		64

/* The extensions the profile knows, as indexes into struct exts. */
enum ext_idx {
	EXT_BC, EXT_SKI, EXT_AKI, EXT_KU, EXT_EKU, EXT_CRLDP, EXT_AIA,
	EXT_SIA, EXT_CP, EXT_IP, EXT_AS, EXT_N
};

static const struct {
	int		 nid;
	const char	*name;
	const char	*rfc;	/* where the profile defines it */
} ext_info[EXT_N] = {
	[EXT_BC] = { NID_basic_constraints, "basicConstraints",
	    "RFC 6487 section 4.8.1" },
	[EXT_SKI] = { NID_subject_key_identifier, "subjectKeyIdentifier",
	    "RFC 6487 section 4.8.2" },
	[EXT_AKI] = { NID_authority_key_identifier,
	    "authorityKeyIdentifier", "RFC 6487 section 4.8.3" },
	[EXT_KU] = { NID_key_usage, "keyUsage", "RFC 6487 section 4.8.4" },
	[EXT_EKU] = { NID_ext_key_usage, "extendedKeyUsage",
	    "RFC 6487 section 4.8.5" },
	[EXT_CRLDP] = { NID_crl_distribution_points,
	    "cRLDistributionPoints", "RFC 6487 section 4.8.6" },
	[EXT_AIA] = { NID_info_access, "authorityInfoAccess",
	    "RFC 6487 section 4.8.7" },
	[EXT_SIA] = { NID_sinfo_access, "subjectInfoAccess",
	    "RFC 6487 section 4.8.8" },
	[EXT_CP] = { NID_certificate_policies, "certificatePolicies",
	    "RFC 6487 section 4.8.9" },
	[EXT_IP] = { NID_sbgp_ipAddrBlock, "ipAddrBlocks",
	    "RFC 6487 section 4.8.10" },
	[EXT_AS] = { NID_sbgp_autonomousSysNum, "autonomousSysNum",
	    "RFC 6487 section 4.8.11" },
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

/* Exact DER of the keyUsage values allowed (RFC 6487 section 4.8.4). */
static const unsigned char ku_ca[] = { 0x03, 0x02, 0x01, 0x06 };
static const unsigned char ku_ee[] = { 0x03, 0x02, 0x07, 0x80 };
/* The only basicConstraints allowed: cA TRUE (RFC 6487 section 4.8.1). */
static const unsigned char bc_ca[] = { 0x30, 0x03, 0x01, 0x01, 0xff };

/* The extensions present, and their values as x509ext_decode() gave. */
struct exts {
	const X509_EXTENSION	*e[EXT_N];
	void			*v[EXT_N];
};

/* A key identifier is the same SHA-1 for both headers. */
_Static_assert(CERT_KEYID_LEN == PUBKEY_KEYID_LEN, "key identifier size");

static int	key_refused(const char *, enum pubkey_err);

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
	if (c->notbefore > c->notafter) {
		log_warnx_obj(fn, "RFC 6487 section 4.6: notBefore is after "
		    "notAfter");
		return 1;
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
static int
check_serial(const char *fn, const struct der_tlv *t, struct cert *c)
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
	if (check_serial(fn, &parts->serial, c) == -1)
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

/* Free the values collect_exts() decoded. */
static void
exts_free(struct exts *ex)
{
	int j;

	for (j = 0; j < EXT_N; j++)
		if (ex->e[j] != NULL)
			x509ext_free(ex->e[j], ex->v[j]);
}

/*
 * Sort the extensions into ex (free with exts_free(), also on failure),
 * rejecting unknown and duplicate ones and values not in DER.  crit_bad
 * marks the extensions whose critical flag is not DER (struct certder).
 */
static int
collect_exts(const char *fn, X509 *x, uint64_t crit_bad, struct exts *ex)
{
	const X509_EXTENSION *e;
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
			log_warnx_obj(fn, "RFC 6487 section 4.8: unexpected "
			    "%sextension %s", X509_EXTENSION_get_critical(e) ?
			    "critical " : "", oid);
			return -1;
		}
		if (ex->e[j] != NULL) {
			log_warnx_obj(fn, "RFC 5280 section 4.2: duplicate "
			    "%s extension", ext_info[j].name);
			return -1;
		}
		/*
		 * X.690 section 11.1: TRUE is 0xff.  crit_bad has no bit
		 * for i past 63, but a duplicate or unknown extension
		 * stops the loop before that.
		 */
		if (i < CRIT_BAD_BITS && (crit_bad >> i) & 1) {
			log_warnx_obj(fn, "X.690 section 11.1: %s extension "
			    "critical flag is not DER encoded",
			    ext_info[j].name);
			return -1;
		}
		if ((ex->v[j] = x509ext_decode(fn, e)) == NULL)
			return -1;
		ex->e[j] = e;
	}
	return 0;
}

/* Presence and criticality of every extension for purpose. */
static int
check_ext_presence(const char *fn, const struct exts *ex,
    enum cert_purpose purpose)
{
	int j, crit;

	for (j = 0; j < EXT_N; j++) {
		if (ex->e[j] == NULL && ext_rules[purpose][j] == REQ) {
			log_warnx_obj(fn, "%s: %s extension missing in %s "
			    "certificate", ext_info[j].rfc, ext_info[j].name,
			    cert_purpose_name(purpose));
			return -1;
		}
		if (ex->e[j] != NULL && ext_rules[purpose][j] == FORBID) {
			log_warnx_obj(fn, "%s: %s extension not allowed in %s "
			    "certificate", purpose == CERT_ROUTER &&
			    (j == EXT_SIA || j == EXT_IP) ?
			    "RFC 8209 section 3.1.3" : ext_info[j].rfc,
			    ext_info[j].name, cert_purpose_name(purpose));
			return -1;
		}
		if (ex->e[j] == NULL)
			continue;
		crit = X509_EXTENSION_get_critical(ex->e[j]);
		/* Critical: BC, KU, CP, IP, AS; all others non-critical. */
		if (crit != (j == EXT_BC || j == EXT_KU || j == EXT_CP ||
		    j == EXT_IP || j == EXT_AS)) {
			log_warnx_obj(fn, "%s: %s extension must %sbe critical",
			    ext_info[j].rfc, ext_info[j].name, crit ? "not " :
			    "");
			return -1;
		}
	}
	if (purpose != CERT_ROUTER && ex->e[EXT_IP] == NULL &&
	    ex->e[EXT_AS] == NULL) {
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
check_bc(const char *fn, const X509_EXTENSION *e)
{
	const ASN1_OCTET_STRING *os;

	os = X509_EXTENSION_get_data((X509_EXTENSION *)e);
	if (ASN1_STRING_length(os) != (int)sizeof(bc_ca) ||
	    memcmp(ASN1_STRING_get0_data(os), bc_ca, sizeof(bc_ca)) != 0) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.1: basicConstraints "
		    "must have cA true and no pathLenConstraint");
		return -1;
	}
	return 0;
}


/*
 * SKI: 20 octets, the SHA-1 of the subjectPublicKey (RFC 6487 section
 * 4.8.2), read from the SubjectPublicKeyInfo slice spki.
 */
static int
check_ski(const char *fn, const struct der_tlv *spki,
    const ASN1_OCTET_STRING *os, struct cert *c)
{
	struct pubkey_spki key;
	unsigned char md[PUBKEY_KEYID_LEN];
	enum pubkey_err err;

	if (ASN1_STRING_length(os) != CERT_KEYID_LEN) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.2: SKI must be %d "
		    "octets", CERT_KEYID_LEN);
		return -1;
	}
	if ((err = pubkey_spki_parse(spki->hdr, spki->tlv_len, &key)) !=
	    PUBKEY_OK)
		return key_refused(fn, err);
	if (pubkey_key_id(&key, md) == -1 ||
	    memcmp(md, ASN1_STRING_get0_data(os), CERT_KEYID_LEN) != 0) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.2: SKI is not the "
		    "SHA-1 hash of the public key");
		return -1;
	}
	memcpy(c->ski, md, CERT_KEYID_LEN);
	return 0;
}

/* AKI: keyIdentifier of 20 octets only (RFC 6487 section 4.8.3). */
static int
check_aki(const char *fn, const AUTHORITY_KEYID *akid, struct cert *c)
{
	if (akid->issuer != NULL || akid->serial != NULL ||
	    akid->keyid == NULL) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.3: AKI must have "
		    "keyIdentifier only");
		return -1;
	}
	if (ASN1_STRING_length(akid->keyid) != CERT_KEYID_LEN) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.3: AKI must be %d "
		    "octets", CERT_KEYID_LEN);
		return -1;
	}
	memcpy(c->aki, ASN1_STRING_get0_data(akid->keyid), CERT_KEYID_LEN);
	c->has_aki = 1;
	return 0;
}

static int
check_ku(const char *fn, const X509_EXTENSION *e, int ca)
{
	const ASN1_OCTET_STRING *os;
	const unsigned char *want = ca ? ku_ca : ku_ee;

	os = X509_EXTENSION_get_data((X509_EXTENSION *)e);
	if (ASN1_STRING_length(os) != (int)sizeof(ku_ca) ||
	    memcmp(ASN1_STRING_get0_data(os), want, sizeof(ku_ca)) != 0) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.4: keyUsage must be "
		    "%s only", ca ? "keyCertSign and cRLSign" :
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
 * From the URIs in names pick the first rsync one into *out.  Other names
 * are skipped; malformed URIs are fatal.
 */
static int
pick_rsync(const char *fn, const char *rfc, const GENERAL_NAMES *names,
    char **out)
{
	char *uri;
	int i;

	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		if (x509ext_uri(fn, rfc, sk_GENERAL_NAME_value(names, i),
		    &uri) == -1)
			return -1;
		if (uri == NULL)
			continue;
		if (*out == NULL && x509ext_is_rsync(uri)) {
			*out = uri;
			continue;
		}
		free(uri);
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
	char *uri;
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
		if (x509ext_uri(fn, rfc, ad->location, &uri) == -1)
			return -1;
		if (uri != NULL && c->aia == NULL && x509ext_is_rsync(uri))
			c->aia = uri;
		else
			free(uri);
	}
	if (c->aia == NULL) {
		log_warnx_obj(fn, "%s: AIA caIssuers must be an rsync URI",
		    rfc);
		return -1;
	}
	return 0;
}

/* One SIA access description: store its URI if it is the first usable one. */
static int
sia_entry(const char *fn, const char *rfc, const ACCESS_DESCRIPTION *ad,
    int ee, struct cert *c)
{
	int nid = OBJ_obj2nid(ad->method);
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
	if (x509ext_uri(fn, rfc, ad->location, &uri) == -1)
		return -1;
	if (uri == NULL)
		return 0;
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

/* RFC 6487 section 4.8.8: caRepository and rpkiManifest, or signedObject. */
static int
check_sia(const char *fn, const AUTHORITY_INFO_ACCESS *sia, int ee,
    struct cert *c)
{
	const char *rfc = ee ? "RFC 6487 section 4.8.8.2" :
	    "RFC 6487 section 4.8.8.1";
	int i;

	for (i = 0; i < sk_ACCESS_DESCRIPTION_num(sia); i++)
		if (sia_entry(fn, rfc, sk_ACCESS_DESCRIPTION_value(sia, i), ee,
		    c) == -1)
			return -1;
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

static int
check_resources(const char *fn, const struct exts *ex, struct cert *c)
{
	if (ex->v[EXT_IP] != NULL &&
	    (c->ips = ip_res_parse(fn, ex->v[EXT_IP])) == NULL)
		return -1;
	if (ex->v[EXT_AS] != NULL &&
	    (c->ases = as_res_parse(fn, ex->v[EXT_AS])) == NULL)
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
check_exts(const char *fn, const struct der_tlv *spki, const struct exts *ex,
    int flags, struct cert *c)
{
	int ca = c->purpose == CERT_TA || c->purpose == CERT_CA;

	if (check_ext_presence(fn, ex, c->purpose) == -1)
		return -1;
	if (ca && check_bc(fn, ex->e[EXT_BC]) == -1)
		return -1;
	if (check_ski(fn, spki, ex->v[EXT_SKI], c) == -1)
		return -1;
	if (ex->e[EXT_AKI] != NULL && check_aki(fn, ex->v[EXT_AKI], c) == -1)
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
	if (check_ku(fn, ex->e[EXT_KU], ca) == -1)
		return -1;
	if (ex->e[EXT_EKU] != NULL && check_eku(fn, ex->v[EXT_EKU]) == -1)
		return -1;
	if (ex->e[EXT_CRLDP] != NULL &&
	    check_crldp(fn, ex->v[EXT_CRLDP], c) == -1)
		return -1;
	if (ex->e[EXT_AIA] != NULL && check_aia(fn, ex->v[EXT_AIA], c) == -1)
		return -1;
	if (c->purpose == CERT_EE && (flags & CERT_EE_NO_SIA) &&
	    ex->e[EXT_SIA] != NULL) {
		log_warnx_obj(fn, "RFC 9323 section 2: SIA must be absent");
		return -1;
	}
	if (c->purpose == CERT_EE && !(flags & CERT_EE_NO_SIA) &&
	    ex->e[EXT_SIA] == NULL) {
		log_warnx_obj(fn, "RFC 6487 section 4.8.8.2: SIA missing in "
		    "EE certificate");
		return -1;
	}
	if (ex->e[EXT_SIA] != NULL &&
	    check_sia(fn, ex->v[EXT_SIA], c->purpose == CERT_EE, c) == -1)
		return -1;
	if (check_cp(fn, ex->v[EXT_CP]) == -1)
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

/*
 * Shared path of cert_parse() and cert_parse_ee(); takes over x.  parts
 * are the slices of x's DER.
 */
static struct cert *
cert_build(const char *fn, X509 *x, const struct certder *parts, int ee,
    int flags)
{
	struct cert *c;
	struct exts ex;

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
		if (ex.e[EXT_BC] != NULL || ex.e[EXT_EKU] != NULL) {
			log_warnx_obj(fn, "RFC 6487 section 4.8.%d: %s not "
			    "allowed in EE certificate", ex.e[EXT_BC] ? 1 : 5,
			    ex.e[EXT_BC] ? "basicConstraints" :
			    "extendedKeyUsage");
			goto fail;
		}
		c->purpose = CERT_EE;
	} else if (ex.e[EXT_BC] != NULL)
		c->purpose = CERT_CA;	/* TA decided below, after AKI/SKI */
	else if (ex.e[EXT_EKU] != NULL)
		c->purpose = CERT_ROUTER;
	else {
		log_warnx_obj(fn, "RFC 6487 section 4.8.1: basicConstraints "
		    "missing: certificate is neither CA nor BGPsec router");
		goto fail;
	}
	if (c->purpose == CERT_CA && ex.e[EXT_SKI] != NULL) {
		/* Peek at SKI/AKI to tell a TA from a CA. */
		if (check_ski(fn, &parts->spki, ex.v[EXT_SKI], c) == -1 ||
		    (ex.e[EXT_AKI] != NULL &&
		    check_aki(fn, ex.v[EXT_AKI], c) == -1))
			goto fail;
		if (X509_NAME_cmp(X509_get_subject_name(x),
		    X509_get_issuer_name(x)) == 0)
			c->purpose = CERT_TA;
	}
	if (check_exts(fn, &parts->spki, &ex, flags, c) == -1 ||
	    check_key(fn, &parts->spki, c) == -1)
		goto fail;
	exts_free(&ex);
	return c;
fail:
	exts_free(&ex);
	cert_free(c);
	return NULL;
}

/*
 * Returns a new cert owned by the caller (holding its own X509), or NULL
 * after logging.
 */
struct cert *
cert_parse(const char *fn, const unsigned char *der, size_t len)
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
	if ((c = cert_build(fn, x, &parts, 0, 0)) != NULL &&
	    hash_sha256(der, len, c->der_hash) == 0)
		c->has_der_hash = 1;
	return c;
}

/*
 * Returns a new EE cert holding its own reference to x, or NULL after
 * logging.
 */
struct cert *
cert_parse_ee(const char *fn, X509 *x, int flags)
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
	return c;
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
	if (X509_NAME_cmp(X509_get_issuer_name(child->x509),
	    X509_get_subject_name(issuer->x509)) != 0)
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
