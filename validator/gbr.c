/*
 * RFC 6493 Ghostbusters records.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "validator/cert.h"
#include "validator/cms.h"
#include "validator/gbr.h"

/* Content lines of a vCard: the profile allows a handful. */
#define GBR_MAX_LINES		128

#define GBR_RFC			"RFC 6493 section 5"

/* What a property may appear as in a Ghostbusters vCard. */
struct gbr_prop {
	const char	*name;
	int		 max;		/* most occurrences, 0 = any number */
	size_t		 off;		/* where the first value goes, or -1 */
};

#define GBR_NOFIELD	((size_t)-1)

/*
 * RFC 6493 section 5: FN (required), ORG, ADR, TEL, EMAIL; nothing else
 * between BEGIN/VERSION and END.  N is not in the profile, but RFC 6350
 * section 6.2.2 made it common in generated cards and real CAs published
 * it (an empty "N:;;;;"), so it is tolerated, once, and not shown.
 */
static const struct gbr_prop gbr_props[] = {
	{ "FN", 1, offsetof(struct gbr, fn) },
	{ "ORG", 1, offsetof(struct gbr, org) },
	{ "ADR", 0, offsetof(struct gbr, adr) },
	{ "TEL", 0, offsetof(struct gbr, tel) },
	{ "EMAIL", 0, offsetof(struct gbr, email) },
	{ "N", 1, GBR_NOFIELD },
};
#define GBR_NPROPS	(sizeof(gbr_props) / sizeof(gbr_props[0]))

void
gbr_free(struct gbr *gbr)
{
	if (gbr == NULL)
		return;
	free(gbr->vcard);
	free(gbr->fn);
	free(gbr->org);
	free(gbr->adr);
	free(gbr->tel);
	free(gbr->email);
	cert_free(gbr->ee);
	free(gbr);
}

/* Length of the UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t
gbr_utf8_len(const unsigned char *p, size_t n)
{
	size_t		need, i;
	unsigned int	cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (need > n)
		return 0;
	for (i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need;
}

/*
 * RFC 6350 sections 3.1 and 3.2: UTF-8 text in lines ending in CRLF
 * (a bare LF is tolerated), a line starting with a space or tab
 * continuing the one before.  Returns a new NUL-terminated copy of text
 * with the folds removed and every line ending in '\n', or NULL after
 * logging why.
 */
static char *
gbr_unfold(const char *fn, const unsigned char *text, size_t len)
{
	char	*u;
	size_t	 i = 0, o = 0, n;

	if ((u = malloc(len + 1)) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return NULL;
	}
	while (i < len) {
		if (text[i] == '\r' || text[i] == '\n') {
			if (text[i] == '\r' && (i + 1 >= len ||
			    text[i + 1] != '\n'))
				goto bad;
			i += text[i] == '\r' ? 2 : 1;
			if (i < len && (text[i] == ' ' || text[i] == '\t'))
				i++;	/* a fold: drop break and blank */
			else
				u[o++] = '\n';
			continue;
		}
		if (text[i] < 0x20 && text[i] != '\t')
			goto bad;
		if (text[i] == 0x7f || (n = gbr_utf8_len(text + i,
		    len - i)) == 0)
			goto bad;
		memcpy(u + o, text + i, n);
		o += n;
		i += n;
	}
	u[o] = '\0';
	return u;
 bad:
	log_warnx_obj(fn, "%s: vCard is not UTF-8 text in CRLF lines "
	    "(RFC 6350 section 3)", GBR_RFC);
	free(u);
	return NULL;
}

/*
 * Split the content line at line (modified in place) into its property
 * name, without group prefix, and its value (RFC 6350 section 3.3:
 * [group "."] name *(";" param) ":" value; a param value may be quoted
 * and so hold ':' or ';').  Returns 0, or -1 if malformed.
 */
static int
gbr_split(char *line, char **name, char **value)
{
	char	*p, *dot;
	int	 quoted = 0;

	for (p = line; *p != '\0' && *p != ';' && *p != ':'; p++)
		;
	if (*p == '\0')
		return -1;
	for (; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ':' && !quoted)
			break;
	}
	if (*p != ':')
		return -1;
	*value = p + 1;
	*p = '\0';
	line[strcspn(line, ";")] = '\0';
	if ((dot = strchr(line, '.')) != NULL)
		line = dot + 1;
	if (*line == '\0' || line[strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-")] != '\0')
		return -1;
	*name = line;
	return 0;
}

/* Record one property of the vCard body; 0, or -1 after logging why. */
static int
gbr_take(const char *fn, struct gbr *gbr, int count[GBR_NPROPS],
    const char *name, const char *value)
{
	char	**field;
	size_t	  i;

	for (i = 0; i < GBR_NPROPS; i++)
		if (strcasecmp(name, gbr_props[i].name) == 0)
			break;
	if (i == GBR_NPROPS) {
		log_warnx_obj(fn, "%s: property %s not allowed in a "
		    "Ghostbusters vCard", GBR_RFC, name);
		return -1;
	}
	if (gbr_props[i].max > 0 && count[i] >= gbr_props[i].max) {
		log_warnx_obj(fn, "%s: property %s more than once", GBR_RFC,
		    gbr_props[i].name);
		return -1;
	}
	if (count[i]++ > 0 || gbr_props[i].off == GBR_NOFIELD)
		return 0;
	field = (char **)((char *)gbr + gbr_props[i].off);
	if ((*field = strdup(value)) == NULL) {
		log_warnx_obj(fn, "out of memory");
		return -1;
	}
	return 0;
}

/* Check a whole unfolded vCard u (modified) into gbr; 0 or -1 (logged). */
static int
gbr_check_lines(const char *fn, struct gbr *gbr, char *u)
{
	char	*lines[GBR_MAX_LINES], *name, *value, *p;
	int	 count[GBR_NPROPS] = { 0 };
	size_t	 n = 0, i;

	for (p = u; *p != '\0'; ) {
		if (n == GBR_MAX_LINES) {
			log_warnx_obj(fn, "%s: more than %d vCard lines",
			    GBR_RFC, GBR_MAX_LINES);
			return -1;
		}
		lines[n++] = p;
		p += strcspn(p, "\n");
		if (*p == '\n')
			*p++ = '\0';
	}
	if (n < 3 || gbr_split(lines[0], &name, &value) == -1 ||
	    strcasecmp(name, "BEGIN") != 0 || strcasecmp(value, "VCARD") != 0 ||
	    gbr_split(lines[n - 1], &name, &value) == -1 ||
	    strcasecmp(name, "END") != 0 || strcasecmp(value, "VCARD") != 0) {
		log_warnx_obj(fn, "%s: not one vCard (BEGIN:VCARD ... "
		    "END:VCARD)", GBR_RFC);
		return -1;
	}
	/*
	 * The profile wants vCard 4.0; records made with vCard 3.0 tools
	 * were published (BBN goodRealGbrNothingIsWrong is one) and differ
	 * only in N being required, so 3.0 is tolerated.
	 */
	if (gbr_split(lines[1], &name, &value) == -1 ||
	    strcasecmp(name, "VERSION") != 0 || (strcmp(value, "4.0") != 0 &&
	    strcmp(value, "3.0") != 0)) {
		log_warnx_obj(fn, "%s: VERSION:4.0 must follow BEGIN:VCARD",
		    GBR_RFC);
		return -1;
	}
	for (i = 2; i < n - 1; i++) {
		if (gbr_split(lines[i], &name, &value) == -1) {
			log_warnx_obj(fn, "%s: malformed vCard line %zu "
			    "(RFC 6350 section 3.3)", GBR_RFC, i + 1);
			return -1;
		}
		if (gbr_take(fn, gbr, count, name, value) == -1)
			return -1;
	}
	if (gbr->fn == NULL) {
		log_warnx_obj(fn, "%s: FN property missing", GBR_RFC);
		return -1;
	}
	if (gbr->adr == NULL && gbr->tel == NULL && gbr->email == NULL) {
		log_warnx_obj(fn, "%s: none of ADR, TEL or EMAIL present",
		    GBR_RFC);
		return -1;
	}
	return 0;
}

struct gbr *
gbr_parse_vcard(const char *fn, const unsigned char *text, size_t len)
{
	struct gbr	*gbr = NULL;
	char		*u = NULL;

	if (len == 0 || len > GBR_VCARD_MAX_LEN) {
		log_warnx_obj(fn, "%s: vCard of %zu bytes (1..%d allowed)",
		    GBR_RFC, len, GBR_VCARD_MAX_LEN);
		return NULL;
	}
	if ((u = gbr_unfold(fn, text, len)) == NULL)
		return NULL;
	if ((gbr = calloc(1, sizeof(*gbr))) == NULL ||
	    (gbr->vcard = strndup((const char *)text, len)) == NULL) {
		log_warnx_obj(fn, "out of memory");
		goto fail;
	}
	if (gbr_check_lines(fn, gbr, u) == -1)
		goto fail;
	free(u);
	return gbr;
 fail:
	free(u);
	gbr_free(gbr);
	return NULL;
}

/*
 * The EE certificate of a Ghostbusters record vouches for no resources
 * of its own: like a manifest's (RFC 9286 section 5.1) it must use
 * inherit for every resource extension it carries, as the BBN suite and
 * rpki-client require.  Returns 0, or -1 after logging why.
 */
static int
gbr_check_ee(const char *fn, const struct cert *ee)
{
	int	i;

	if (ee->ips != NULL)
		for (i = 0; i < IP_RES_NAFI; i++)
			if (ee->ips->afi[i].present && !ee->ips->afi[i].inherit)
				goto noinherit;
	if (ee->ases != NULL && !ee->ases->inherit)
		goto noinherit;
	return 0;
 noinherit:
	log_warnx_obj(fn, "RFC 6493: EE certificate must use "
	    "inherit for its resources");
	return -1;
}

struct gbr *
gbr_parse(const char *fn, const unsigned char *der, size_t len)
{
	struct cms_object	*cms;
	struct cert		*ee = NULL;
	struct gbr		*gbr = NULL;

	if ((cms = cms_parse(fn, der, len, OID_CT_GBR)) == NULL)
		return NULL;
	if ((ee = cert_parse_ee(fn, cms->ee_der, cms->ee_der_len, 0)) == NULL ||
	    gbr_check_ee(fn, ee) == -1)
		goto out;
	if ((gbr = gbr_parse_vcard(fn, cms->econtent,
	    cms->econtent_len)) == NULL)
		goto out;
	gbr->has_signing_time = cms->has_signing_time;
	gbr->signing_time = cms->signing_time;
	gbr->ee = ee;
	ee = NULL;
 out:
	cert_free(ee);
	cms_object_free(cms);
	return gbr;
}
