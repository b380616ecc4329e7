/*
 * RFC 9286 manifests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gtime.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/cms.h"
#include "validator/der.h"
#include "validator/mft.h"
#include "validator/oid.h"

/* RFC 9286 section 4.2.2: a three-letter extension after the one dot. */
#define MFT_EXT_LEN	3

/* What every decoding failure of the eContent is called. */
#define MFT_WHAT	"RFC 9286 section 4.2: Manifest"

/* IANA "RPKI Repository Name Schemes" (RFC 6481 section 7.2 and later). */
static const char *const mft_extensions[] = {
	"asa", "cer", "crl", "gbr", "mft", "roa", "sig", "spl", "tak",
};

void
mft_free(struct mft *mft)
{
	size_t	i;

	if (mft == NULL)
		return;
	for (i = 0; i < mft->nfiles; i++)
		free(mft->files[i].name);
	free(mft->files);
	cert_free(mft->ee);
	free(mft);
}

int
mft_valid_filename(const char *name, size_t len)
{
	const char	*dot = NULL;
	size_t		 i;

	if (len < MFT_EXT_LEN + 2 || len > MAX_FILENAME_LENGTH)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		/* POSIX portable filename character set */
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_')
			continue;
		if (c == '.' && dot == NULL) {
			dot = name + i;
			continue;
		}
		return 0;
	}
	if (dot == NULL || dot == name || (size_t)(name + len - dot) !=
	    MFT_EXT_LEN + 1)
		return 0;
	/*
	 * Unregistered extensions are allowed (the BBN conformance case
	 * goodMFTUnkownFileExtension): validators skip such files.
	 */
	for (i = 1; i <= MFT_EXT_LEN; i++)
		if (dot[i] < 'a' || dot[i] > 'z')
			return 0;
	return 1;
}

int
mft_known_extension(const char *name)
{
	const char	*dot = strrchr(name, '.');
	size_t		 i;

	if (dot == NULL || strlen(dot + 1) != MFT_EXT_LEN)
		return 0;
	for (i = 0; i < sizeof(mft_extensions) / sizeof(mft_extensions[0]);
	    i++)
		if (strcmp(dot + 1, mft_extensions[i]) == 0)
			return 1;
	return 0;
}

static int
mft_file_cmp(const void *a, const void *b)
{
	const struct mft_file	*x = a, *y = b;

	return strcmp(x->name, y->name);
}

const struct mft_file *
mft_find(const struct mft *mft, const char *name)
{
	struct mft_file	key;

	key.name = (char *)name;
	if (mft->nfiles == 0)
		return NULL;
	return bsearch(&key, mft->files, mft->nfiles, sizeof(*mft->files),
	    mft_file_cmp);
}

/* Log that the eContent is not DER (err says why); returns -1. */
static int
mft_not_der(const char *fn, enum der_err err)
{
	return cms_econtent_not_der(fn, MFT_WHAT, err);
}

/* RFC 9286 section 4.2.2: one FileAndHash entry t. */
static int
mft_file_parse(const char *fn, const struct der_tlv *t, struct mft_file *out)
{
	struct der_tlv	 file, h;
	struct der	 in;
	enum der_err	 e;
	const char	*name;
	size_t		 len;

	der_enter(&in, t);
	if ((e = der_expect(&in, DER_IA5STRING, &file)) != DER_OK ||
	    (e = der_expect(&in, DER_BIT_STRING, &h)) != DER_OK ||
	    (e = der_end(&in)) != DER_OK)
		return mft_not_der(fn, e);
	name = (const char *)file.val;
	len = file.len;
	if (!mft_valid_filename(name, len)) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.2: invalid file name "
		    "\"%.*s\"", (int)(len > 64 ? 64 : len), name);
		return -1;
	}
	/* A BIT STRING of 256 bits: no unused bits (X.690 section 8.6.2). */
	if (h.len != HASH_SHA256_LEN + 1 || h.val[0] != 0) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.1: hash of %.*s is "
		    "not a SHA-256 digest", (int)len, name);
		return -1;
	}
	if ((out->name = strndup(name, len)) == NULL) {
		log_warn_obj(fn, "strndup");
		return -1;
	}
	memcpy(out->hash, h.val + 1, HASH_SHA256_LEN);
	return 0;
}

/* The fileList t: every entry into mft->files, sorted, each name once. */
static int
mft_parse_files(const char *fn, const struct der_tlv *t, struct mft *mft)
{
	struct der_tlv	fh;
	struct der	in;
	enum der_err	e;
	size_t		n, i;

	der_enter(&in, t);
	for (n = 0; !der_at_end(&in); n++)
		if ((e = der_expect(&in, DER_SEQUENCE, &fh)) != DER_OK)
			return mft_not_der(fn, e);
	if (n > MAX_MANIFEST_ENTRIES) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.1: %zu files, more "
		    "than %d", n, MAX_MANIFEST_ENTRIES);
		return -1;
	}
	if (n == 0)
		return 0;
	if ((mft->files = calloc(n, sizeof(*mft->files))) == NULL) {
		log_warn_obj(fn, "calloc");
		return -1;
	}
	der_enter(&in, t);
	for (i = 0; i < n; i++) {
		if (der_next(&in, &fh) != DER_OK ||
		    mft_file_parse(fn, &fh, &mft->files[i]) == -1)
			return -1;
		mft->nfiles++;
	}
	qsort(mft->files, n, sizeof(*mft->files), mft_file_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(mft->files[i - 1].name, mft->files[i].name) == 0) {
			log_warnx_obj(fn, "RFC 9286 section 4.2.2: %s is "
			    "listed twice", mft->files[i].name);
			return -1;
		}
	}
	return 0;
}

/*
 * RFC 9286 section 4.2.1: manifestNumber t, a non-negative INTEGER of at
 * most 20 octets, kept as its magnitude without leading zeros.
 */
static int
mft_number(const char *fn, const struct der_tlv *t, struct mft *mft)
{
	const unsigned char	*v = t->val;
	size_t			 len = t->len;
	enum der_err		 e;
	int64_t			 small;

	/* der_int64() judges minimal form; a long one is only too big. */
	if ((e = der_int64(t, &small)) != DER_OK && e != DER_E_RANGE)
		return mft_not_der(fn, e);
	if ((v[0] & 0x80) || len > MFT_NUMBER_MAX_LEN) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.1: manifestNumber "
		    "must be non-negative and at most 20 octets");
		return -1;
	}
	while (len > 0 && v[0] == 0) {
		v++;
		len--;
	}
	memcpy(mft->number, v, len);
	mft->number_len = len;
	return 0;
}

/* RFC 9286 section 4.2.1: thisUpdate and nextUpdate, GeneralizedTime. */
static int
mft_times(const char *fn, const struct der_tlv *tu, const struct der_tlv *nu,
    struct mft *mft)
{
	if (tu->tag != DER_GENTIME || nu->tag != DER_GENTIME) {
		if ((tu->tag == DER_GENTIME || tu->tag == DER_UTCTIME) &&
		    (nu->tag == DER_GENTIME || nu->tag == DER_UTCTIME))
			log_warnx_obj(fn, "RFC 9286 section 4.2.1: thisUpdate "
			    "and nextUpdate must be GeneralizedTime");
		else
			mft_not_der(fn, DER_E_TAG);
		return -1;
	}
	if (gtime_parse_generalized((const char *)tu->val, tu->len,
	    &mft->this_update) == -1 || gtime_parse_generalized((const char *)
	    nu->val, nu->len, &mft->next_update) == -1) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.1: malformed "
		    "thisUpdate or nextUpdate");
		return -1;
	}
	if (mft->this_update >= mft->next_update) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.1: thisUpdate is not "
		    "before nextUpdate");
		return -1;
	}
	return 0;
}

/* The fields after the version, in their order, then nothing. */
static int
mft_body(const char *fn, struct der *in, struct mft *mft)
{
	struct der_tlv	num, tu, nu, alg, files;
	enum der_err	e;

	if ((e = der_expect(in, DER_INTEGER, &num)) != DER_OK ||
	    (e = der_next(in, &tu)) != DER_OK ||
	    (e = der_next(in, &nu)) != DER_OK ||
	    (e = der_expect(in, DER_OID, &alg)) != DER_OK ||
	    (e = der_oid(&alg)) != DER_OK ||
	    (e = der_expect(in, DER_SEQUENCE, &files)) != DER_OK ||
	    (e = der_end(in)) != DER_OK)
		return mft_not_der(fn, e);
	if (mft_number(fn, &num, mft) == -1 ||
	    mft_times(fn, &tu, &nu, mft) == -1)
		return -1;
	if (!der_oid_is(&alg, oid_text(OID_SHA256))) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.1: fileHashAlg must "
		    "be SHA-256");
		return -1;
	}
	return mft_parse_files(fn, &files, mft);
}

/*
 * The Manifest, read with validator/der.h: strict DER throughout
 * (definite minimal lengths and INTEGERs, primitive strings, no DEFAULT
 * encoded), nothing before or after it.
 */
struct mft *
mft_parse_econtent(const char *fn, const unsigned char *der, size_t len)
{
	struct der_tlv	 top, t;
	struct der	 in, body;
	struct mft	*mft = NULL;
	enum der_err	 e;

	if (len == 0 || len > MAX_FILE_SIZE) {
		log_warnx_obj(fn, "%s: bad length %zu", MFT_WHAT, len);
		return NULL;
	}
	der_init(&in, der, len);
	if ((e = der_expect(&in, DER_SEQUENCE, &top)) != DER_OK) {
		mft_not_der(fn, e);
		return NULL;
	}
	if (!der_at_end(&in)) {
		log_warnx_obj(fn, "%s: %td bytes of trailing data", MFT_WHAT,
		    der + len - in.p);
		return NULL;
	}
	if ((mft = calloc(1, sizeof(*mft))) == NULL) {
		log_warn_obj(fn, "calloc");
		return NULL;
	}
	der_enter(&body, &top);
	if (der_peek(&body) == DER_CONTEXT_CONS(0)) {
		if ((e = der_next(&body, &t)) != DER_OK)
			mft_not_der(fn, e);
		else
			cms_econtent_version(fn, "RFC 9286 section 4.2.1",
			    MFT_WHAT, &t);
		goto fail;
	}
	if (mft_body(fn, &body, mft) == -1)
		goto fail;
	return mft;
 fail:
	mft_free(mft);
	return NULL;
}

int
mft_check_ee(const char *fn, const struct mft *mft, const struct cert *ee)
{
	int	i, any = 0;

	/*
	 * RFC 9286 section 5.1 item 3: the EE validity coincides with
	 * thisUpdate..nextUpdate.  Issuers round, so only containment is
	 * required (the BBN cases MFTStartCrossed and MFTEndCrossed).
	 */
	if (mft->this_update < ee->notbefore ||
	    mft->next_update > ee->notafter) {
		log_warnx_obj(fn, "RFC 9286 section 5.1: thisUpdate..nextUpdate "
		    "is not within the EE certificate's validity");
		return -1;
	}

	if (ee->ips != NULL) {
		for (i = 0; i < IP_RES_NAFI; i++) {
			if (!ee->ips->afi[i].present)
				continue;
			any = 1;
			if (!ee->ips->afi[i].inherit)
				goto bad;
		}
	}
	if (ee->ases != NULL) {
		any = 1;
		if (!ee->ases->inherit)
			goto bad;
	}
	if (any)
		return 0;
 bad:
	log_warnx_obj(fn, "RFC 9286 section 5.1: EE certificate must use "
	    "inherit for all its resources");
	return -1;
}

struct mft *
mft_parse(const char *fn, const unsigned char *der, size_t len)
{
	struct cms_object	*cms;
	struct cert		*ee = NULL;
	struct mft		*mft = NULL;

	if ((cms = cms_parse(fn, der, len, OID_CT_MFT)) == NULL)
		return NULL;
	if ((ee = cert_parse_ee(fn, cms->ee_der, cms->ee_der_len, 0)) == NULL)
		goto out;
	if ((mft = mft_parse_econtent(fn, cms->econtent,
	    cms->econtent_len)) == NULL)
		goto out;
	if (mft_check_ee(fn, mft, ee) == -1) {
		mft_free(mft);
		mft = NULL;
		goto out;
	}
	mft->has_signing_time = cms->has_signing_time;
	mft->signing_time = cms->signing_time;
	mft->ee = ee;
	ee = NULL;
 out:
	cert_free(ee);
	cms_object_free(cms);
	return mft;
}

int
mft_check_current(const struct mft *mft, int64_t now, char *why,
    size_t whylen)
{
	if (now < mft->this_update) {
		snprintf(why, whylen, "RFC 9286 section 4.2.1: thisUpdate is "
		    "in the future");
		return -1;
	}
	if (now > mft->next_update) {
		snprintf(why, whylen, "RFC 9286 section 6.3: manifest is "
		    "stale (nextUpdate has passed)");
		return -1;
	}
	return 0;
}

int
mft_compare(const struct mft *a, const struct mft *b)
{
	/* Minimal magnitudes: the longer one is the larger. */
	if (a->number_len != b->number_len)
		return a->number_len < b->number_len ? -1 : 1;
	if (a->number_len == 0)
		return 0;
	return memcmp(a->number, b->number, a->number_len);
}

void
mft_number_hex(const struct mft *mft, char buf[MFT_NUMBER_STRLEN])
{
	if (mft->number_len == 0) {
		buf[0] = '0';
		buf[1] = '\0';
		return;
	}
	hash_hex_encode(mft->number, mft->number_len, buf);
}
