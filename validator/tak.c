/*
 * RFC 9691 Trust Anchor Keys.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1t.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/limits.h"
#include "common/log.h"
#include "validator/cert.h"
#include "validator/cms.h"
#include "validator/tak.h"

/* Comments per key: RFC 9691 sets no bound, a TAL-sized object needs few. */
#define TAK_MAX_COMMENTS	64
/* Bytes per comment line. */
#define TAK_MAX_COMMENT_LEN	1024

typedef struct {
	STACK_OF(ASN1_STRING)		*comments;	/* UTF8String */
	STACK_OF(ASN1_STRING)		*uris;		/* IA5String */
	X509_PUBKEY			*spki;
} TakKey;

typedef struct {
	ASN1_INTEGER	*version;
	TakKey		*current;
	TakKey		*predecessor;
	TakKey		*successor;
} TakContent;

ASN1_SEQUENCE(TakKey) = {
	ASN1_SEQUENCE_OF(TakKey, comments, ASN1_UTF8STRING),
	ASN1_SEQUENCE_OF(TakKey, uris, ASN1_IA5STRING),
	ASN1_SIMPLE(TakKey, spki, X509_PUBKEY),
} static_ASN1_SEQUENCE_END(TakKey)

ASN1_SEQUENCE(TakContent) = {
	ASN1_EXP_OPT(TakContent, version, ASN1_INTEGER, 0),
	ASN1_SIMPLE(TakContent, current, TakKey),
	ASN1_EXP_OPT(TakContent, predecessor, TakKey, 0),
	ASN1_EXP_OPT(TakContent, successor, TakKey, 1),
} static_ASN1_SEQUENCE_END(TakContent)

static void
tak_key_free(struct tak_key *k)
{
	size_t	i;

	if (k == NULL)
		return;
	for (i = 0; i < k->ncomments; i++)
		free(k->comments[i]);
	for (i = 0; i < k->nuris; i++)
		free(k->uris[i]);
	free(k->comments);
	free(k->uris);
	free(k->spki);
	free(k);
}

void
tak_free(struct tak *tak)
{
	if (tak == NULL)
		return;
	tak_key_free(tak->current);
	tak_key_free(tak->predecessor);
	tak_key_free(tak->successor);
	cert_free(tak->ee);
	free(tak);
}

/* Well-formed UTF-8 (RFC 3629 section 4) without control characters. */
static int
tak_valid_utf8(const unsigned char *s, size_t len)
{
	size_t		i = 0, n, k;
	uint32_t	cp;

	while (i < len) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			n = 1, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			n = 2, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			n = 3, cp = s[i] & 0x07;
		else
			return 0;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += n + 1;
	}
	return 1;
}

/* RFC 8630 section 2.2 via RFC 9691 section 3.1: an rsync or HTTPS URI. */
static int
tak_valid_uri(const unsigned char *s, size_t len)
{
	size_t	i;

	if (len > MAX_URI_LENGTH)
		return 0;
	if (!(len > 8 && strncasecmp((const char *)s, "rsync://", 8) == 0) &&
	    !(len > 8 && strncasecmp((const char *)s, "https://", 8) == 0))
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

static char *
tak_strdup(const ASN1_STRING *s)
{
	return strndup((const char *)ASN1_STRING_get0_data(s),
	    (size_t)ASN1_STRING_length(s));
}

static int
tak_key_strings(const char *fn, const TakKey *tk, struct tak_key *k)
{
	const ASN1_STRING	*s;
	size_t			 i, nc, nu;

	nc = (size_t)sk_ASN1_STRING_num(tk->comments);
	nu = (size_t)sk_ASN1_STRING_num(tk->uris);
	if (nc > TAK_MAX_COMMENTS || nu == 0 || nu > MAX_TAL_URIS) {
		log_warnx_obj(fn, "RFC 9691 section 3.1: %zu comments and %zu "
		    "certificateURIs, want at most %d and 1..%d", nc, nu,
		    TAK_MAX_COMMENTS, MAX_TAL_URIS);
		return -1;
	}
	if ((k->comments = calloc(nc + 1, sizeof(char *))) == NULL ||
	    (k->uris = calloc(nu, sizeof(char *))) == NULL)
		goto oom;
	for (i = 0; i < nc; i++, k->ncomments++) {
		s = sk_ASN1_STRING_value(tk->comments, (int)i);
		if (ASN1_STRING_length(s) > TAK_MAX_COMMENT_LEN ||
		    !tak_valid_utf8(ASN1_STRING_get0_data(s),
		    (size_t)ASN1_STRING_length(s))) {
			log_warnx_obj(fn, "RFC 9691 section 3.1: comment is "
			    "not a line of valid UTF-8");
			return -1;
		}
		if ((k->comments[i] = tak_strdup(s)) == NULL)
			goto oom;
	}
	for (i = 0; i < nu; i++, k->nuris++) {
		s = sk_ASN1_STRING_value(tk->uris, (int)i);
		if (!tak_valid_uri(ASN1_STRING_get0_data(s),
		    (size_t)ASN1_STRING_length(s))) {
			log_warnx_obj(fn, "RFC 9691 section 3.1: "
			    "certificateURI is not an rsync or HTTPS URI");
			return -1;
		}
		if ((k->uris[i] = tak_strdup(s)) == NULL)
			goto oom;
	}
	return 0;
 oom:
	log_warn_obj(fn, "out of memory");
	return -1;
}

/* One TAKey: strings, then the key and its identifier. */
static struct tak_key *
tak_key_parse(const char *fn, const TakKey *tk)
{
	struct tak_key		*k;
	const unsigned char	*bits;
	unsigned char		*der = NULL;
	int			 bitslen, dlen;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		log_warn_obj(fn, "calloc");
		return NULL;
	}
	if (tak_key_strings(fn, tk, k) == -1)
		goto fail;
	/* RFC 7935 section 3: TA keys are RSA */
	if (X509_PUBKEY_get0_param(NULL, &bits, &bitslen, NULL, tk->spki) != 1 ||
	    X509_PUBKEY_get0(tk->spki) == NULL ||
	    EVP_PKEY_get_base_id(X509_PUBKEY_get0(tk->spki)) != EVP_PKEY_RSA) {
		log_warnx_crypto(fn, "RFC 9691 section 3.1 / RFC 7935 section "
		    "3: subjectPublicKeyInfo is not an RSA key");
		goto fail;
	}
	/* RFC 6487 section 4.8.2: SHA-1 of the subjectPublicKey bits */
	SHA1(bits, (size_t)bitslen, k->ski);
	if ((dlen = i2d_X509_PUBKEY(tk->spki, &der)) <= 0) {
		log_warnx_crypto(fn, "cannot encode the key");
		goto fail;
	}
	if ((k->spki = malloc((size_t)dlen)) == NULL) {
		log_warn_obj(fn, "malloc");
		goto fail;
	}
	memcpy(k->spki, der, (size_t)dlen);
	k->spki_len = (size_t)dlen;
	OPENSSL_free(der);
	return k;
 fail:
	OPENSSL_free(der);
	tak_key_free(k);
	return NULL;
}

struct tak *
tak_parse_econtent(const char *fn, const unsigned char *der, size_t len)
{
	TakContent	*tc;
	struct tak	*tak = NULL;

	tc = (TakContent *)cms_der_decode(fn, "RFC 9691 section 3: TAK",
	    ASN1_ITEM_rptr(TakContent), der, len);
	if (tc == NULL)
		return NULL;
	if ((tak = calloc(1, sizeof(*tak))) == NULL) {
		log_warn_obj(fn, "calloc");
		goto fail;
	}
	if (cms_check_version(fn, "RFC 9691 section 3", tc->version, 0,
	    0) == -1)
		goto fail;
	if ((tak->current = tak_key_parse(fn, tc->current)) == NULL)
		goto fail;
	if (tc->predecessor != NULL &&
	    (tak->predecessor = tak_key_parse(fn, tc->predecessor)) == NULL)
		goto fail;
	if (tc->successor != NULL &&
	    (tak->successor = tak_key_parse(fn, tc->successor)) == NULL)
		goto fail;
	ASN1_item_free((ASN1_VALUE *)tc, ASN1_ITEM_rptr(TakContent));
	return tak;
 fail:
	ASN1_item_free((ASN1_VALUE *)tc, ASN1_ITEM_rptr(TakContent));
	tak_free(tak);
	return NULL;
}

int
tak_check_ee(const char *fn, const struct tak *tak, const struct cert *ee)
{
	int	i;

	if (ee->ips != NULL)
		for (i = 0; i < IP_RES_NAFI; i++)
			if (ee->ips->afi[i].present && !ee->ips->afi[i].inherit)
				goto noinherit;
	if (ee->ases != NULL && !ee->ases->inherit)
		goto noinherit;
	if (!ee->has_aki || memcmp(ee->aki, tak->current->ski,
	    TAK_SKI_LEN) != 0) {
		log_warnx_obj(fn, "RFC 9691 section 4: EE certificate was not "
		    "issued by the current key");
		return -1;
	}
	return 0;
 noinherit:
	log_warnx_obj(fn, "RFC 9691 section 4: EE certificate must use "
	    "inherit for its resources");
	return -1;
}

struct tak *
tak_parse(const char *fn, const unsigned char *der, size_t len)
{
	struct cms_object	*cms;
	struct cert		*ee = NULL;
	struct tak		*tak = NULL;

	if ((cms = cms_parse(fn, der, len, OID_CT_TAK)) == NULL)
		return NULL;
	if ((ee = cert_parse_ee(fn, cms->ee_der, cms->ee_der_len, 0)) == NULL)
		goto out;
	if ((tak = tak_parse_econtent(fn, cms->econtent,
	    cms->econtent_len)) == NULL)
		goto out;
	if (tak_check_ee(fn, tak, ee) == -1) {
		tak_free(tak);
		tak = NULL;
		goto out;
	}
	tak->has_signing_time = cms->has_signing_time;
	tak->signing_time = cms->signing_time;
	tak->ee = ee;
	ee = NULL;
 out:
	cert_free(ee);
	cms_object_free(cms);
	return tak;
}
