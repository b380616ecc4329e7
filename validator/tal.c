/*
 * Trust Anchor Locator parser, RFC 8630 section 2.2.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/b64.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/tal.h"
#include "validator/x509ext.h"

#define TAL_SUFFIX	".tal"

/* Cursor over the lines of the file; CRLF and LF both end a line. */
struct lines {
	const char	*p;
	const char	*end;
};

/*
 * Next line into *line / *len without its terminator.  Returns 1, 0 at the
 * end of the buffer, -1 for a line without terminator or a stray CR.
 */
static int
next_line(struct lines *l, const char **line, size_t *len)
{
	const char *nl;
	size_t n;

	if (l->p >= l->end)
		return 0;
	if ((nl = memchr(l->p, '\n', l->end - l->p)) == NULL)
		return -1;
	n = nl - l->p;
	if (n > 0 && l->p[n - 1] == '\r')
		n--;
	if (memchr(l->p, '\r', n) != NULL)
		return -1;
	*line = l->p;
	*len = n;
	l->p = nl + 1;
	return 1;
}

/*
 * A URI line: https or rsync, printable ASCII, names a file (RFC 8630
 * section 2.2).
 */
static char *
parse_uri(const char *fn, const char *line, size_t len)
{
	char *uri;
	size_t i;

	if (len > MAX_URI_LENGTH) {
		log_warnx_obj(fn, "RFC 8630 section 2.2: URI longer than %d "
		    "bytes", MAX_URI_LENGTH);
		return NULL;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)line[i] <= 0x20 ||
		    (unsigned char)line[i] >= 0x7f) {
			log_warnx_obj(fn, "RFC 8630 section 2.2: URI has a "
			    "forbidden character (0x%02x)",
			    (unsigned char)line[i]);
			return NULL;
		}
	}
	if ((uri = strndup(line, len)) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return NULL;
	}
	if (!x509ext_is_rsync(uri) && !x509ext_is_https(uri)) {
		log_warnx_obj(fn, "RFC 8630 section 2.2: URI must be an rsync "
		    "or https URI: %s", uri);
		goto fail;
	}
	if (uri[len - 1] == '/') {
		log_warnx_obj(fn, "RFC 8630 section 2.2: URI must name the TA "
		    "certificate, not a directory: %s", uri);
		goto fail;
	}
	return uri;
fail:
	free(uri);
	return NULL;
}

/*
 * The base64 SubjectPublicKeyInfo: DER, RSA (RFC 8630 section 2.2, RFC
 * 7935).
 */
static int
parse_spki(const char *fn, struct tal *tal, const char *b64, size_t len)
{
	const unsigned char *p;
	unsigned char *der = NULL;
	EVP_PKEY *pkey = NULL;
	int n, rc = -1;

	if (b64_decode_ws(b64, len, &tal->spki, &tal->spki_len) == -1 ||
	    tal->spki_len == 0) {
		log_warnx_obj(fn, "RFC 8630 section 2.2: subjectPublicKeyInfo "
		    "is not valid base64");
		goto out;
	}
	p = tal->spki;
	pkey = d2i_PUBKEY(NULL, &p, tal->spki_len);
	if (pkey == NULL || p != tal->spki + tal->spki_len) {
		log_warnx_crypto(fn, "RFC 8630 section 2.2: malformed "
		    "subjectPublicKeyInfo");
		goto out;
	}
	n = i2d_PUBKEY(pkey, &der);
	if (n <= 0 || (size_t)n != tal->spki_len ||
	    memcmp(der, tal->spki, n) != 0) {
		log_warnx_obj(fn, "RFC 8630 section 2.2: subjectPublicKeyInfo "
		    "is not DER encoded");
		goto out;
	}
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
		log_warnx_obj(fn, "RFC 7935 section 3.1: TA key must be RSA");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	return rc;
}

static char *
tal_name(const char *fn)
{
	const char *base;
	size_t n, sl = strlen(TAL_SUFFIX);

	base = strrchr(fn, '/');
	base = base == NULL ? fn : base + 1;
	n = strlen(base);
	if (n >= sl && strcmp(base + n - sl, TAL_SUFFIX) == 0)
		n -= sl;
	return strndup(base, n);
}

/*
 * Returns a new tal owned by the caller, or NULL after logging the RFC
 * 8630 rule broken.
 */
struct tal *
tal_parse(const char *fn, const char *buf, size_t len)
{
	struct tal *tal;
	struct lines l = { buf, buf + len };
	const char *line;
	size_t n;
	char **uris;
	int rv;

	if (len > MAX_TAL_SIZE) {
		log_warnx_obj(fn, "TAL larger than %d bytes", MAX_TAL_SIZE);
		return NULL;
	}
	if (memchr(buf, '\0', len) != NULL) {
		log_warnx_obj(fn, "RFC 8630 section 2.2: NUL byte in TAL");
		return NULL;
	}
	if ((tal = calloc(1, sizeof(*tal))) == NULL ||
	    (tal->name = tal_name(fn)) == NULL) {
		log_warnx_obj(fn, "out of memory");
		goto fail;
	}
	if (tal->name[0] == '\0') {
		log_warnx_obj(fn, "TAL file name is empty");
		goto fail;
	}

	/* Optional comment lines, then URI lines up to an empty line. */
	while ((rv = next_line(&l, &line, &n)) == 1 && n > 0 && line[0] == '#')
		;
	for (; rv == 1 && n > 0; rv = next_line(&l, &line, &n)) {
		if (tal->nuris >= MAX_TAL_URIS) {
			log_warnx_obj(fn, "more than %d URIs in TAL",
			    MAX_TAL_URIS);
			goto fail;
		}
		uris = reallocarray(tal->uris, tal->nuris + 1, sizeof(*uris));
		if (uris == NULL) {
			log_warnx_obj(fn, "out of memory");
			goto fail;
		}
		tal->uris = uris;
		if ((tal->uris[tal->nuris] = parse_uri(fn, line, n)) == NULL)
			goto fail;
		tal->nuris++;
	}
	if (rv == -1) {
		log_warnx_obj(fn, "RFC 8630 section 2.2: malformed line "
		    "ending in URI section");
		goto fail;
	}
	if (tal->nuris == 0) {
		log_warnx_obj(fn, "RFC 8630 section 2.2: TAL has no URI");
		goto fail;
	}
	if (rv == 0) {
		log_warnx_obj(fn, "RFC 8630 section 2.2: missing empty line "
		    "and subjectPublicKeyInfo");
		goto fail;
	}
	if (parse_spki(fn, tal, l.p, l.end - l.p) == -1)
		goto fail;
	return tal;
fail:
	tal_free(tal);
	return NULL;
}

/* Frees tal and everything it owns; NULL is fine. */
void
tal_free(struct tal *tal)
{
	size_t i;

	if (tal == NULL)
		return;
	for (i = 0; i < tal->nuris; i++)
		free(tal->uris[i]);
	free(tal->uris);
	free(tal->spki);
	free(tal->name);
	free(tal);
}
