/*
 * RFC 9286 manifests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>

#include "common/gtime.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/cms.h"
#include "validator/mft.h"

/* RFC 9286 section 4.2.2: a three-letter extension after the one dot. */
#define MFT_EXT_LEN	3

typedef struct {
	ASN1_IA5STRING	*file;
	ASN1_BIT_STRING	*hash;
} MftFileAndHash;

DEFINE_STACK_OF(MftFileAndHash)

typedef struct {
	ASN1_INTEGER			*version;
	ASN1_INTEGER			*number;
	ASN1_TIME			*this_update;
	ASN1_TIME			*next_update;
	ASN1_OBJECT			*hash_alg;
	STACK_OF(MftFileAndHash)	*files;
} MftContent;

ASN1_SEQUENCE(MftFileAndHash) = {
	ASN1_SIMPLE(MftFileAndHash, file, ASN1_IA5STRING),
	ASN1_SIMPLE(MftFileAndHash, hash, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(MftFileAndHash)

/* Times are read as the Time CHOICE so a UTCTime gets a clear message. */
ASN1_SEQUENCE(MftContent) = {
	ASN1_EXP_OPT(MftContent, version, ASN1_INTEGER, 0),
	ASN1_SIMPLE(MftContent, number, ASN1_INTEGER),
	ASN1_SIMPLE(MftContent, this_update, ASN1_TIME),
	ASN1_SIMPLE(MftContent, next_update, ASN1_TIME),
	ASN1_SIMPLE(MftContent, hash_alg, ASN1_OBJECT),
	ASN1_SEQUENCE_OF(MftContent, files, MftFileAndHash),
} static_ASN1_SEQUENCE_END(MftContent)

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

/* RFC 9286 section 4.2.2: one FileAndHash entry. */
static int
mft_file_parse(const char *fn, const MftFileAndHash *fh, struct mft_file *out)
{
	const ASN1_BIT_STRING	*h = fh->hash;
	const char		*name;
	size_t			 len;

	name = (const char *)ASN1_STRING_get0_data(fh->file);
	len = (size_t)ASN1_STRING_length(fh->file);
	if (!mft_valid_filename(name, len)) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.2: invalid file name "
		    "\"%.*s\"", (int)(len > 64 ? 64 : len), name);
		return -1;
	}
	if (ASN1_STRING_length(h) != HASH_SHA256_LEN ||
	    (h->flags & ASN1_STRING_FLAG_BITS_LEFT && (h->flags & 0x07))) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.1: hash of %.*s is "
		    "not a SHA-256 digest", (int)len, name);
		return -1;
	}
	if ((out->name = strndup(name, len)) == NULL) {
		log_warn_obj(fn, "strndup");
		return -1;
	}
	memcpy(out->hash, ASN1_STRING_get0_data(h), HASH_SHA256_LEN);
	return 0;
}

static int
mft_parse_files(const char *fn, const MftContent *mc, struct mft *mft)
{
	size_t	n = (size_t)sk_MftFileAndHash_num(mc->files), i;

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
	for (i = 0; i < n; i++) {
		if (mft_file_parse(fn, sk_MftFileAndHash_value(mc->files,
		    (int)i), &mft->files[i]) == -1)
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

/* RFC 9286 section 4.2.1: manifestNumber, thisUpdate, nextUpdate. */
static int
mft_parse_header(const char *fn, const MftContent *mc, struct mft *mft)
{
	int	len = ASN1_STRING_length(mc->number);

	/*
	 * OpenSSL stores the magnitude; the DER content adds a zero octet
	 * when its top bit is set, and it is the DER that is limited.
	 */
	if (ASN1_STRING_type(mc->number) != V_ASN1_INTEGER ||
	    len > MFT_NUMBER_MAX_LEN || (len == MFT_NUMBER_MAX_LEN &&
	    (ASN1_STRING_get0_data(mc->number)[0] & 0x80))) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.1: manifestNumber "
		    "must be non-negative and at most 20 octets");
		return -1;
	}
	/* OpenSSL keeps the magnitude; zero is one zero octet. */
	if (len == 1 && ASN1_STRING_get0_data(mc->number)[0] == 0)
		len = 0;
	memcpy(mft->number, ASN1_STRING_get0_data(mc->number), (size_t)len);
	mft->number_len = (size_t)len;
	if (ASN1_STRING_type(mc->this_update) != V_ASN1_GENERALIZEDTIME ||
	    ASN1_STRING_type(mc->next_update) != V_ASN1_GENERALIZEDTIME) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.1: thisUpdate and "
		    "nextUpdate must be GeneralizedTime");
		return -1;
	}
	if (gtime_from_asn1_gentime(mc->this_update, &mft->this_update) ==
	    -1 || gtime_from_asn1_gentime(mc->next_update,
	    &mft->next_update) == -1) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.1: malformed "
		    "thisUpdate or nextUpdate");
		return -1;
	}
	if (mft->this_update >= mft->next_update) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.1: thisUpdate is not "
		    "before nextUpdate");
		return -1;
	}
	if (!oid_is(mc->hash_alg, OID_SHA256)) {
		log_warnx_obj(fn, "RFC 9286 section 4.2.1: fileHashAlg must "
		    "be SHA-256");
		return -1;
	}
	return 0;
}

struct mft *
mft_parse_econtent(const char *fn, const unsigned char *der, size_t len)
{
	MftContent	*mc;
	struct mft	*mft = NULL;

	mc = (MftContent *)cms_der_decode(fn, "RFC 9286 section 4.2: "
	    "Manifest", ASN1_ITEM_rptr(MftContent), der, len);
	if (mc == NULL)
		return NULL;
	if ((mft = calloc(1, sizeof(*mft))) == NULL) {
		log_warn_obj(fn, "calloc");
		goto fail;
	}
	if (cms_check_version(fn, "RFC 9286 section 4.2.1", mc->version, 0,
	    0) == -1)
		goto fail;
	if (mft_parse_header(fn, mc, mft) == -1)
		goto fail;
	if (mft_parse_files(fn, mc, mft) == -1)
		goto fail;
	ASN1_item_free((ASN1_VALUE *)mc, ASN1_ITEM_rptr(MftContent));
	return mft;
 fail:
	ASN1_item_free((ASN1_VALUE *)mc, ASN1_ITEM_rptr(MftContent));
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
	if ((ee = cert_parse_ee(fn, cms->ee, 0)) == NULL)
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
