/*
 * Loading the payload set reef-rtrd serves: the reef hand-off file, or
 * rpki-client's or Routinator's JSON output.  See input.h.
 *
 * Layouts accepted (field names as the producers write them):
 *   rpki-client (output-json.c): "metadata" {"buildtime": "...Z", ...},
 *	"roas" [{"asn": 13335, "prefix", "maxLength", "ta", "expires"}],
 *	"bgpsec_keys" [{"asn", "ski" (hex), "pubkey" (base64), "ta",
 *	"expires"}], "aspas" [{"customer_asid", "expires", "providers":
 *	[int...]}]; releases before 8.5 put the ASPAs under
 *	"provider_authorizations" {"ipv4": [...], "ipv6": [...]}.
 *   Routinator (json and jsonext): "metadata" {"generated": epoch,
 *	"generatedTime"}, "roas" [{"asn": "AS13335", "prefix",
 *	"maxLength", "ta"}], "routerKeys" [{"asn", "SKI" (hex),
 *	"routerPublicKey" (base64url, no padding), "ta"}], "aspas"
 *	[{"customer": "AS1", "providers": ["AS2"...], "ta"}].
 * Other members (nonfunc_cas, signedprefixlists, jsonext "source", ...)
 * are skipped.  The layout is decided by the first member that only one
 * of them has (e.g. an integer or "AS" string "asn"); a file mixing the
 * two is rejected.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/asn.h"
#include "common/b64.h"
#include "common/handoff.h"
#include "common/hash.h"
#include "common/jsonread.h"
#include "common/limits.h"
#include "rtrd/input.h"

/*
 * Distinct "ta" names in one JSON input: every TAL the validator may
 * load, plus producers' pseudo-TAs such as Routinator's "N/A" for local
 * exceptions, with room to spare.
 */
#define INPUT_MAX_TAS		(4 * MAX_TALS)
/* Longest JSON string accepted: a base64 SPKI of ROUTER_KEY_SPKI_MAX bytes fits. */
#define INPUT_MAX_STRING	MAX_URI_LENGTH
/* Name used for entries that carry no "ta" (rpki-client's ASPAs). */
#define INPUT_TA_UNKNOWN	"unknown"
/* Bytes looked at to tell the hand-off file from JSON. */
#define INPUT_SNIFF_LEN		HANDOFF_MAGIC_LEN
/* Room for one internal message before the path is prepended. */
#define INPUT_MSGLEN		512

/* Member bits, for required and duplicate members of one entry. */
#define F_ASN		0x01
#define F_PREFIX	0x02
#define F_MAXLEN	0x04
#define F_TA		0x08
#define F_EXPIRES	0x10
#define F_PROVIDERS	0x20
#define F_SKI		0x40
#define F_SPKI		0x80

/* Top-level members seen, to reject duplicates. */
#define T_METADATA	0x01
#define T_ROAS		0x02
#define T_ASPAS		0x04
#define T_BGPSEC	0x08
#define T_ROUTERKEYS	0x10
#define T_PROVAUTH	0x20

struct loader {
	const char		*path;
	struct jsonread		*jr;
	int64_t			 now;
	struct input_set	*out;
	uint32_t		*prov;		/* MAX_ASPA_PROVIDERS scratch */
	size_t			 last_ta;	/* cache for ta lookups */
	char			*err;
	size_t			 errlen;
};

/* The entry being read, for messages. */
struct ent {
	const char	*what;		/* "roas", "aspas", ... */
	size_t		 idx;
	size_t		 line;
	size_t		 col;
	unsigned int	 seen;		/* F_* */
};

static int	ld_fail(struct loader *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	ent_fail(struct loader *, const struct ent *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* "path: line:col: msg" at the last token; returns -1. */
static int
ld_fail(struct loader *ld, const char *fmt, ...)
{
	char	msg[INPUT_MSGLEN];
	va_list	ap;

	if (jr_error(ld->jr) != NULL) {
		snprintf(ld->err, ld->errlen, "%s: %s", ld->path,
		    jr_error(ld->jr));
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ld->err, ld->errlen, "%s: %zu:%zu: %s", ld->path,
	    jr_line(ld->jr), jr_column(ld->jr), msg);
	return -1;
}

/* "path: line:col: what[idx]: msg" at the entry's start; returns -1. */
static int
ent_fail(struct loader *ld, const struct ent *e, const char *fmt, ...)
{
	char	msg[INPUT_MSGLEN];
	va_list	ap;

	if (jr_error(ld->jr) != NULL)
		return ld_fail(ld, "%s", "");
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ld->err, ld->errlen, "%s: %zu:%zu: %s[%zu]: %s", ld->path,
	    e->line, e->col, e->what, e->idx, msg);
	return -1;
}

/* Record layout evidence; a second, different layout is an error. */
static int
ld_layout(struct loader *ld, enum input_format f)
{
	if (ld->out->format == 0)
		ld->out->format = f;
	else if (ld->out->format != f)
		return ld_fail(ld, "mixes rpki-client and Routinator layouts");
	return 0;
}

static int
ld_expect(struct loader *ld, enum jr_token want)
{
	enum jr_token	t;

	if ((t = jr_next(ld->jr)) != want)
		return ld_fail(ld, "%s expected, found %s", jr_token_name(want),
		    jr_token_name(t));
	return 0;
}

/* Mark member f of e as seen; a repeated member is an error. */
static int
ent_member(struct loader *ld, struct ent *e, unsigned int f, const char *key)
{
	if (e->seen & f)
		return ent_fail(ld, e, "duplicate member \"%s\"", key);
	e->seen |= f;
	return 0;
}

/*
 * Read an AS number: an integer for rpki-client, an asplain string
 * ("AS13335", asn.h) for Routinator.
 */
static int
ld_asn_tok(struct loader *ld, struct ent *e, const char *key, enum jr_token t,
    uint32_t *asn)
{
	const struct jr_number	*n;
	const char		*s;
	size_t			 len;
	int			 rc = ASN_OK;

	if (t == JR_NUMBER) {
		n = jr_number(ld->jr);
		if (n->kind != JR_NUM_INT || n->i < 0 || n->i > UINT32_MAX)
			return ent_fail(ld, e, "%s: %.*s is not an AS number",
			    key, (int)n->len, n->text);
		*asn = n->i;
		return ld_layout(ld, INPUT_FORMAT_RPKI_CLIENT);
	}
	if (t == JR_STRING) {
		s = jr_string(ld->jr, &len);
		if (len != strlen(s) || (rc = asn_parse(s, asn)) != ASN_OK)
			return ent_fail(ld, e, "%s: \"%s\": %s", key, s,
			    len != strlen(s) ? "NUL in string" :
			    asn_strerror(rc));
		return ld_layout(ld, INPUT_FORMAT_ROUTINATOR);
	}
	if (t == JR_ERROR)
		return ld_fail(ld, "%s", "");
	return ent_fail(ld, e, "%s: AS number expected, found %s", key,
	    jr_token_name(t));
}

static int
ld_asn(struct loader *ld, struct ent *e, const char *key, uint32_t *asn)
{
	return ld_asn_tok(ld, e, key, jr_next(ld->jr), asn);
}

/* Read an integer in lo..hi. */
static int
ld_int(struct loader *ld, struct ent *e, const char *key, int64_t lo,
    int64_t hi, int64_t *v)
{
	const struct jr_number	*n;
	enum jr_token		 t;

	if ((t = jr_next(ld->jr)) == JR_ERROR)
		return ld_fail(ld, "%s", "");
	if (t != JR_NUMBER)
		return ent_fail(ld, e, "%s: integer expected, found %s", key,
		    jr_token_name(t));
	n = jr_number(ld->jr);
	if (n->kind != JR_NUM_INT || n->i < lo || n->i > hi)
		return ent_fail(ld, e, "%s: %.*s out of range", key,
		    (int)n->len, n->text);
	*v = n->i;
	return 0;
}

/* Read a string without NUL bytes; *s is owned by the reader. */
static int
ld_string(struct loader *ld, struct ent *e, const char *key, const char **s)
{
	enum jr_token	t;
	size_t		len;

	if ((t = jr_next(ld->jr)) == JR_ERROR)
		return ld_fail(ld, "%s", "");
	if (t != JR_STRING)
		return ent_fail(ld, e, "%s: string expected, found %s", key,
		    jr_token_name(t));
	*s = jr_string(ld->jr, &len);
	if (len != strlen(*s))
		return ent_fail(ld, e, "%s: NUL in string", key);
	return 0;
}

/* Index of TA name in the table, added if new. */
static int
ld_ta(struct loader *ld, struct ent *e, const char *name, uint32_t *ta)
{
	struct input_set	*o = ld->out;
	size_t			 i, len = strlen(name);

	if (ld->last_ta < o->nta && strcmp(o->ta_names[ld->last_ta], name) == 0) {
		*ta = ld->last_ta;
		return 0;
	}
	for (i = 0; i < o->nta; i++)
		if (strcmp(o->ta_names[i], name) == 0)
			break;
	if (i == o->nta) {
		if (len == 0 || len > MAX_FILENAME_LENGTH)
			return ent_fail(ld, e, "ta: bad name length %zu", len);
		for (i = 0; i < len; i++)
			if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
				return ent_fail(ld, e, "ta: control character "
				    "in name");
		if (o->nta >= INPUT_MAX_TAS)
			return ent_fail(ld, e, "ta: more than %d trust anchors",
			    INPUT_MAX_TAS);
		if ((o->ta_names[o->nta] = strdup(name)) == NULL)
			return ent_fail(ld, e, "out of memory");
		i = o->nta++;
	}
	ld->last_ta = i;
	*ta = i;
	return 0;
}

/* Start an entry: the next token must open an object. */
static int
ent_begin(struct loader *ld, struct ent *e, const char *what, size_t idx,
    enum jr_token t)
{
	memset(e, 0, sizeof(*e));
	e->what = what;
	e->idx = idx;
	e->line = jr_line(ld->jr);
	e->col = jr_column(ld->jr);
	if (t == JR_ERROR)
		return ld_fail(ld, "%s", "");
	if (t != JR_OBJECT_BEGIN)
		return ent_fail(ld, e, "object expected, found %s",
		    jr_token_name(t));
	return 0;
}

/* Fold one kept entry's expires into the set's bookkeeping; 1 to keep it. */
static int
keep_expires(struct input_set *o, int64_t expires, int64_t now,
    size_t *expired)
{
	if (expires < now) {
		(*expired)++;
		return 0;
	}
	if (expires < o->next_expiry)
		o->next_expiry = expires;
	return 1;
}

/*
 * One member of a ROA object.  key points into the reader's buffer,
 * which the value overwrites: messages use the literal names.
 */
static int
roa_member(struct loader *ld, struct ent *e, const char *key, struct vrp *v)
{
	const char	*s;
	int64_t		 n;
	int		 rc;

	if (strcmp(key, "asn") == 0)
		return ent_member(ld, e, F_ASN, "asn") == -1 ? -1 :
		    ld_asn(ld, e, "asn", &v->asn);
	if (strcmp(key, "prefix") == 0) {
		if (ent_member(ld, e, F_PREFIX, "prefix") == -1 ||
		    ld_string(ld, e, "prefix", &s) == -1)
			return -1;
		if ((rc = prefix_parse(s, &v->prefix)) != PREFIX_OK)
			return ent_fail(ld, e, "prefix \"%s\": %s", s,
			    prefix_strerror(rc));
		return 0;
	}
	if (strcmp(key, "maxLength") == 0) {
		if (ent_member(ld, e, F_MAXLEN, "maxLength") == -1 ||
		    ld_int(ld, e, "maxLength", 0, PREFIX_V6_BITS, &n) == -1)
			return -1;
		v->maxlen = n;
		return 0;
	}
	if (strcmp(key, "ta") == 0) {
		if (ent_member(ld, e, F_TA, "ta") == -1 ||
		    ld_string(ld, e, "ta", &s) == -1)
			return -1;
		return ld_ta(ld, e, s, &v->ta);
	}
	if (strcmp(key, "expires") == 0)
		return ent_member(ld, e, F_EXPIRES, "expires") == -1 ? -1 :
		    ld_int(ld, e, "expires", INT64_MIN, INT64_MAX, &v->expires);
	return jr_skip(ld->jr) == -1 ? ld_fail(ld, "%s", "") : 0;
}

/* One ROA object (its '{' already read). */
static int
roa_entry(struct loader *ld, struct ent *e)
{
	char		 buf[PREFIX_STRLEN];
	struct vrp	 v;
	enum jr_token	 t;
	int		 rc;

	memset(&v, 0, sizeof(v));
	v.expires = INT64_MAX;
	while ((t = jr_next(ld->jr)) == JR_KEY)
		if (roa_member(ld, e, jr_string(ld->jr, NULL), &v) == -1)
			return -1;
	if (t != JR_OBJECT_END)
		return ld_fail(ld, "%s", "");
	if ((e->seen & (F_ASN | F_PREFIX | F_MAXLEN)) !=
	    (F_ASN | F_PREFIX | F_MAXLEN))
		return ent_fail(ld, e, "missing %s",
		    !(e->seen & F_ASN) ? "asn" : !(e->seen & F_PREFIX) ?
		    "prefix" : "maxLength");
	if (!(e->seen & F_TA) && ld_ta(ld, e, INPUT_TA_UNKNOWN, &v.ta) == -1)
		return -1;
	if ((rc = vrp_check(&v)) != PAYLOAD_OK) {
		prefix_format(&v.prefix, buf, sizeof(buf));
		return ent_fail(ld, e, "%s (%s maxLength %u)",
		    payload_strerror(rc), buf, v.maxlen);
	}
	if (!keep_expires(ld->out, v.expires, ld->now, &ld->out->expired_vrps))
		return 0;
	if ((rc = vrpset_add(ld->out->vrps, &v)) != PAYLOAD_OK)
		return ent_fail(ld, e, "%s", payload_strerror(rc));
	return 0;
}


/* The provider array of an ASPA entry into ld->prov[0..*n). */
static int
aspa_providers(struct loader *ld, struct ent *e, size_t *n)
{
	enum jr_token	t;

	*n = 0;
	if ((t = jr_next(ld->jr)) != JR_ARRAY_BEGIN)
		return t == JR_ERROR ? ld_fail(ld, "%s", "") :
		    ent_fail(ld, e, "providers: array expected, found %s",
		    jr_token_name(t));
	while ((t = jr_next(ld->jr)) != JR_ARRAY_END) {
		if (*n >= MAX_ASPA_PROVIDERS)
			return ent_fail(ld, e, "more than %d providers",
			    MAX_ASPA_PROVIDERS);
		if (ld_asn_tok(ld, e, "providers", t, &ld->prov[*n]) == -1)
			return -1;
		(*n)++;
	}
	return 0;
}

static int
aspa_member(struct loader *ld, struct ent *e, const char *key, struct aspa *a,
    size_t *nprov)
{
	const char	*s;

	if (strcmp(key, "customer_asid") == 0) {
		if (ent_member(ld, e, F_ASN, "customer_asid") == -1 ||
		    ld_layout(ld, INPUT_FORMAT_RPKI_CLIENT) == -1)
			return -1;
		return ld_asn(ld, e, "customer_asid", &a->customer);
	}
	if (strcmp(key, "customer") == 0) {
		if (ent_member(ld, e, F_ASN, "customer") == -1 ||
		    ld_layout(ld, INPUT_FORMAT_ROUTINATOR) == -1)
			return -1;
		return ld_asn(ld, e, "customer", &a->customer);
	}
	if (strcmp(key, "providers") == 0)
		return ent_member(ld, e, F_PROVIDERS, "providers") == -1 ? -1 :
		    aspa_providers(ld, e, nprov);
	if (strcmp(key, "ta") == 0) {
		if (ent_member(ld, e, F_TA, "ta") == -1 ||
		    ld_string(ld, e, "ta", &s) == -1)
			return -1;
		return ld_ta(ld, e, s, &a->ta);
	}
	if (strcmp(key, "expires") == 0)
		return ent_member(ld, e, F_EXPIRES, "expires") == -1 ? -1 :
		    ld_int(ld, e, "expires", INT64_MIN, INT64_MAX, &a->expires);
	return jr_skip(ld->jr) == -1 ? ld_fail(ld, "%s", "") : 0;
}

/* One ASPA object (its '{' already read). */
static int
aspa_entry(struct loader *ld, struct ent *e)
{
	struct aspa	 a;
	size_t		 nprov = 0;
	enum jr_token	 t;
	int		 rc;

	memset(&a, 0, sizeof(a));
	a.expires = INT64_MAX;
	while ((t = jr_next(ld->jr)) == JR_KEY)
		if (aspa_member(ld, e, jr_string(ld->jr, NULL), &a, &nprov)
		    == -1)
			return -1;
	if (t != JR_OBJECT_END)
		return ld_fail(ld, "%s", "");
	if (!(e->seen & F_ASN))
		return ent_fail(ld, e, "missing customer_asid or customer");
	if (!(e->seen & F_PROVIDERS))
		return ent_fail(ld, e, "missing providers");
	if (!(e->seen & F_TA) && ld_ta(ld, e, INPUT_TA_UNKNOWN, &a.ta) == -1)
		return -1;
	a.providers = ld->prov;
	a.nproviders = nprov;
	/* Order and repetition are the producer's business (aspaset.h). */
	if ((rc = aspa_check(&a)) != PAYLOAD_OK)
		return ent_fail(ld, e, "%s (customer AS%u)",
		    payload_strerror(rc), a.customer);
	if (!keep_expires(ld->out, a.expires, ld->now,
	    &ld->out->expired_aspas))
		return 0;
	if ((rc = aspaset_add(ld->out->aspas, &a)) != PAYLOAD_OK)
		return ent_fail(ld, e, "%s", payload_strerror(rc));
	return 0;
}

/*
 * Base64 (rpki-client) or unpadded base64url (Routinator, as in RFC
 * 8416 section 3.4.2) into a new buffer.  Returns 0 or -1.
 */
static int
decode_spki(const char *s, unsigned char **out, size_t *outlen)
{
	char	*t;
	size_t	 len = strlen(s), i;
	int	 rc;

	if (len % 4 == 0 && strpbrk(s, "-_") == NULL)
		return b64_decode(s, len, out, outlen);
	if (len % 4 == 1 || strpbrk(s, "+/=") != NULL ||
	    (t = malloc(len + 3)) == NULL)
		return -1;
	for (i = 0; i < len; i++)
		t[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	while (i % 4 != 0)
		t[i++] = '=';
	rc = b64_decode(t, i, out, outlen);
	free(t);
	return rc;
}

static int
rk_spki(struct loader *ld, struct ent *e, const char *key,
    unsigned char **spki, struct router_key *k)
{
	const char	*s;

	if (ld_string(ld, e, key, &s) == -1)
		return -1;
	free(*spki);
	*spki = NULL;
	if (decode_spki(s, spki, &k->spki_len) == -1)
		return ent_fail(ld, e, "%s: bad base64", key);
	k->spki = *spki;
	return 0;
}

static int
rk_member(struct loader *ld, struct ent *e, const char *key,
    struct router_key *k, unsigned char **spki)
{
	const char	*s;
	int		 rpkic;

	if (strcmp(key, "asn") == 0)
		return ent_member(ld, e, F_ASN, "asn") == -1 ? -1 :
		    ld_asn(ld, e, "asn", &k->asn);
	if ((rpkic = strcmp(key, "ski") == 0) || strcmp(key, "SKI") == 0) {
		if (ent_member(ld, e, F_SKI, "ski") == -1 ||
		    ld_layout(ld, rpkic ? INPUT_FORMAT_RPKI_CLIENT :
		    INPUT_FORMAT_ROUTINATOR) == -1 ||
		    ld_string(ld, e, "ski", &s) == -1)
			return -1;
		if (hash_hex_decode(s, k->ski, ROUTER_KEY_SKI_LEN) == -1)
			return ent_fail(ld, e, "ski: not %d hex digits",
			    2 * ROUTER_KEY_SKI_LEN);
		return 0;
	}
	if ((rpkic = strcmp(key, "pubkey") == 0) ||
	    strcmp(key, "routerPublicKey") == 0) {
		if (ent_member(ld, e, F_SPKI, "pubkey") == -1 ||
		    ld_layout(ld, rpkic ? INPUT_FORMAT_RPKI_CLIENT :
		    INPUT_FORMAT_ROUTINATOR) == -1)
			return -1;
		return rk_spki(ld, e, rpkic ? "pubkey" : "routerPublicKey",
		    spki, k);
	}
	if (strcmp(key, "ta") == 0) {
		if (ent_member(ld, e, F_TA, "ta") == -1 ||
		    ld_string(ld, e, "ta", &s) == -1)
			return -1;
		return ld_ta(ld, e, s, &k->ta);
	}
	if (strcmp(key, "expires") == 0)
		return ent_member(ld, e, F_EXPIRES, "expires") == -1 ? -1 :
		    ld_int(ld, e, "expires", INT64_MIN, INT64_MAX, &k->expires);
	return jr_skip(ld->jr) == -1 ? ld_fail(ld, "%s", "") : 0;
}

/* One router key object (its '{' already read). */
static int
rk_entry(struct loader *ld, struct ent *e)
{
	struct router_key	 k;
	unsigned char		*spki = NULL;
	enum jr_token		 t;
	int			 rc = -1, prc;

	memset(&k, 0, sizeof(k));
	k.expires = INT64_MAX;
	while ((t = jr_next(ld->jr)) == JR_KEY)
		if (rk_member(ld, e, jr_string(ld->jr, NULL), &k, &spki) == -1)
			goto out;
	if (t != JR_OBJECT_END) {
		ld_fail(ld, "%s", "");
		goto out;
	}
	if ((e->seen & (F_ASN | F_SKI | F_SPKI)) != (F_ASN | F_SKI | F_SPKI)) {
		ent_fail(ld, e, "missing %s", !(e->seen & F_ASN) ? "asn" :
		    !(e->seen & F_SKI) ? "ski" : "pubkey");
		goto out;
	}
	if (!(e->seen & F_TA) && ld_ta(ld, e, INPUT_TA_UNKNOWN, &k.ta) == -1)
		goto out;
	if ((prc = router_key_check(&k)) != PAYLOAD_OK) {
		ent_fail(ld, e, "%s", payload_strerror(prc));
		goto out;
	}
	if (keep_expires(ld->out, k.expires, ld->now, &ld->out->expired_rks) &&
	    (prc = rkset_add(ld->out->rks, &k)) != PAYLOAD_OK) {
		ent_fail(ld, e, "%s", payload_strerror(prc));
		goto out;
	}
	rc = 0;
 out:
	free(spki);
	return rc;
}

typedef int	(*entry_fn)(struct loader *, struct ent *);

/* An array of entry objects, each read by fn. */
static int
ld_array(struct loader *ld, const char *what, entry_fn fn)
{
	struct ent	e;
	enum jr_token	t;
	size_t		i;

	if (ld_expect(ld, JR_ARRAY_BEGIN) == -1)
		return -1;
	for (i = 0; (t = jr_next(ld->jr)) != JR_ARRAY_END; i++)
		if (ent_begin(ld, &e, what, i, t) == -1 || fn(ld, &e) == -1)
			return -1;
	return 0;
}

/* rpki-client before 8.5: {"ipv4": [ASPA...], "ipv6": [ASPA...]}. */
static int
ld_provauth(struct loader *ld)
{
	const char	*key;

	if (ld_layout(ld, INPUT_FORMAT_RPKI_CLIENT) == -1 ||
	    ld_expect(ld, JR_OBJECT_BEGIN) == -1)
		return -1;
	while (jr_next(ld->jr) == JR_KEY) {
		key = jr_string(ld->jr, NULL);
		if (strcmp(key, "ipv4") == 0) {
			if (ld_array(ld, "provider_authorizations.ipv4",
			    aspa_entry) == -1)
				return -1;
		} else if (strcmp(key, "ipv6") == 0) {
			if (ld_array(ld, "provider_authorizations.ipv6",
			    aspa_entry) == -1)
				return -1;
		} else if (jr_skip(ld->jr) == -1)
			return ld_fail(ld, "%s", "");
	}
	return jr_error(ld->jr) != NULL ? ld_fail(ld, "%s", "") : 0;
}

/* "2024-01-02T03:04:05Z" as rpki-client writes it; 0 if malformed. */
static int64_t
parse_zulu(const char *s)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0')
		return 0;
	return timegm(&tm);
}

/*
 * The metadata object: only the generation time is used, and it is
 * informative, so a malformed one is ignored rather than fatal.
 */
static int
ld_metadata(struct loader *ld)
{
	const struct jr_number	*n;
	const char		*key;
	enum jr_token		 t;

	if (ld_expect(ld, JR_OBJECT_BEGIN) == -1)
		return -1;
	while (jr_next(ld->jr) == JR_KEY) {
		key = jr_string(ld->jr, NULL);
		if (strcmp(key, "buildtime") == 0) {
			if (ld_layout(ld, INPUT_FORMAT_RPKI_CLIENT) == -1)
				return -1;
			if (jr_next(ld->jr) == JR_STRING)
				ld->out->created = parse_zulu(jr_string(ld->jr,
				    NULL));
			else if (jr_skip(ld->jr) == -1)
				return ld_fail(ld, "%s", "");
		} else if (strcmp(key, "generated") == 0) {
			if (ld_layout(ld, INPUT_FORMAT_ROUTINATOR) == -1)
				return -1;
			t = jr_next(ld->jr);
			n = jr_number(ld->jr);
			if (t == JR_NUMBER && n->kind == JR_NUM_INT)
				ld->out->created = n->i;
			else if (jr_skip(ld->jr) == -1)
				return ld_fail(ld, "%s", "");
		} else if (jr_skip(ld->jr) == -1)
			return ld_fail(ld, "%s", "");
	}
	return jr_error(ld->jr) != NULL ? ld_fail(ld, "%s", "") : 0;
}

/* Mark top-level member bit; each may appear once. */
static int
ld_top_once(struct loader *ld, unsigned int *seen, unsigned int bit,
    const char *key)
{
	if (*seen & bit)
		return ld_fail(ld, "duplicate member \"%s\"", key);
	*seen |= bit;
	return 0;
}

static int
ld_top_member(struct loader *ld, const char *key, unsigned int *seen)
{
	if (strcmp(key, "metadata") == 0)
		return ld_top_once(ld, seen, T_METADATA, "metadata") == -1 ? -1 :
		    ld_metadata(ld);
	if (strcmp(key, "roas") == 0)
		return ld_top_once(ld, seen, T_ROAS, "roas") == -1 ? -1 :
		    ld_array(ld, "roas", roa_entry);
	if (strcmp(key, "aspas") == 0)
		return ld_top_once(ld, seen, T_ASPAS, "aspas") == -1 ? -1 :
		    ld_array(ld, "aspas", aspa_entry);
	if (strcmp(key, "bgpsec_keys") == 0)
		return ld_top_once(ld, seen, T_BGPSEC, "bgpsec_keys") == -1 ||
		    ld_layout(ld, INPUT_FORMAT_RPKI_CLIENT) == -1 ? -1 :
		    ld_array(ld, "bgpsec_keys", rk_entry);
	if (strcmp(key, "routerKeys") == 0)
		return ld_top_once(ld, seen, T_ROUTERKEYS, "routerKeys") == -1 ||
		    ld_layout(ld, INPUT_FORMAT_ROUTINATOR) == -1 ? -1 :
		    ld_array(ld, "routerKeys", rk_entry);
	if (strcmp(key, "provider_authorizations") == 0)
		return ld_top_once(ld, seen, T_PROVAUTH,
		    "provider_authorizations") == -1 ? -1 : ld_provauth(ld);
	return jr_skip(ld->jr) == -1 ? ld_fail(ld, "%s", "") : 0;
}

/* The whole document. */
static int
ld_document(struct loader *ld)
{
	unsigned int	seen = 0;
	enum jr_token	t;

	if (ld_expect(ld, JR_OBJECT_BEGIN) == -1)
		return -1;
	while ((t = jr_next(ld->jr)) == JR_KEY)
		if (ld_top_member(ld, jr_string(ld->jr, NULL), &seen) == -1)
			return -1;
	if (t != JR_OBJECT_END || jr_next(ld->jr) != JR_END)
		return ld_fail(ld, "%s", "");
	if (!(seen & (T_ROAS | T_ASPAS | T_BGPSEC | T_ROUTERKEYS | T_PROVAUTH)))
		return ld_fail(ld, "no roas, aspas or router keys member");
	/* Nothing told the layouts apart: the plain RIPE/Routinator "roas" form. */
	if (ld->out->format == 0)
		ld->out->format = INPUT_FORMAT_ROUTINATOR;
	return 0;
}

static int fail(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Fresh empty sets and TA table in *o. */
static int
set_init(struct input_set *o, size_t maxta)
{
	memset(o, 0, sizeof(*o));
	o->next_expiry = INT64_MAX;
	if ((o->vrps = vrpset_new()) == NULL ||
	    (o->aspas = aspaset_new()) == NULL ||
	    (o->rks = rkset_new()) == NULL ||
	    (maxta > 0 && (o->ta_names = calloc(maxta, sizeof(char *))) ==
	    NULL)) {
		input_set_free(o);
		return -1;
	}
	return 0;
}

static int
set_freeze(struct input_set *o)
{
	if (vrpset_freeze(o->vrps) != PAYLOAD_OK ||
	    aspaset_freeze(o->aspas) != PAYLOAD_OK ||
	    rkset_freeze(o->rks) != PAYLOAD_OK)
		return -1;
	return 0;
}

/* Map the file at path read-only; *len 0 for an empty file (no map). */
static int
map_file(const char *path, const char **buf, size_t *len, char *err,
    size_t errlen)
{
	struct stat	 st;
	void		*p;
	int		 fd, rc = -1;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		fail(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size == 0) {
		fail(err, errlen, "%s: empty file", path);
		goto out;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		fail(err, errlen, "%s: mmap: %s", path, strerror(errno));
		goto out;
	}
	(void)madvise(p, st.st_size, MADV_SEQUENTIAL);
	*buf = p;
	*len = st.st_size;
	rc = 0;
 out:
	close(fd);
	return rc;
}

static int
load_json(const char *path, const char *buf, size_t len, int64_t now,
    struct input_set *out, char *err, size_t errlen)
{
	struct loader	ld;
	int		rc = -1;

	memset(&ld, 0, sizeof(ld));
	ld.path = path;
	ld.now = now;
	ld.out = out;
	ld.err = err;
	ld.errlen = errlen;
	if (set_init(out, INPUT_MAX_TAS) == -1)
		return fail(err, errlen, "%s: out of memory", path);
	out->format = 0;
	if ((ld.jr = jr_new(buf, len, MAX_JSON_DEPTH, INPUT_MAX_STRING)) ==
	    NULL || (ld.prov = calloc(MAX_ASPA_PROVIDERS,
	    sizeof(*ld.prov))) == NULL) {
		fail(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (ld_document(&ld) == -1)
		goto out;
	if (set_freeze(out) == -1) {
		fail(err, errlen, "%s: cannot freeze sets", path);
		goto out;
	}
	rc = 0;
 out:
	jr_free(ld.jr);
	free(ld.prov);
	if (rc == -1)
		input_set_free(out);
	return rc;
}

/*
 * Copy the unexpired entries of the three frozen sets into *out (whose
 * TA table the caller fills), counting the expired ones.
 */
static int
filter_sets(const struct vrpset *vs, const struct aspaset *as,
    const struct rkset *rs, int64_t now, struct input_set *out)
{
	const struct vrp	*v;
	struct aspa		 a;
	struct router_key	 k;
	size_t			 i;

	for (i = 0; (v = vrpset_get(vs, i)) != NULL; i++)
		if (keep_expires(out, v->expires, now, &out->expired_vrps) &&
		    vrpset_add(out->vrps, v) != PAYLOAD_OK)
			return -1;
	for (i = 0; aspaset_get(as, i, &a); i++)
		if (keep_expires(out, a.expires, now, &out->expired_aspas) &&
		    aspaset_add(out->aspas, &a) != PAYLOAD_OK)
			return -1;
	for (i = 0; rkset_get(rs, i, &k); i++)
		if (keep_expires(out, k.expires, now, &out->expired_rks) &&
		    rkset_add(out->rks, &k) != PAYLOAD_OK)
			return -1;
	return set_freeze(out);
}

/* Copy a TA name table. */
static int
copy_tas(char *const *names, size_t n, struct input_set *out)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if ((out->ta_names[i] = strdup(names[i])) == NULL)
			return -1;
		out->nta = i + 1;
	}
	return 0;
}

/*
 * Earliest expires in the three sets into *next; returns 1 if any entry
 * has expired at now.
 */
static int
earliest_expiry(const struct vrpset *vs, const struct aspaset *as,
    const struct rkset *rs, int64_t now, int64_t *next)
{
	const struct vrp	*v;
	struct aspa		 a;
	struct router_key	 k;
	size_t			 i;

	*next = INT64_MAX;
	for (i = 0; (v = vrpset_get(vs, i)) != NULL; i++)
		if (v->expires < *next)
			*next = v->expires;
	for (i = 0; aspaset_get(as, i, &a); i++)
		if (a.expires < *next)
			*next = a.expires;
	for (i = 0; rkset_get(rs, i, &k); i++)
		if (k.expires < *next)
			*next = k.expires;
	return *next < now;
}

/*
 * Turn a decoded hand-off file into *out, dropping expired entries; *d is
 * consumed (freed or moved into *out) either way.
 */
static int
from_handoff(const char *name, struct handoff_data *d, int64_t now,
    struct input_set *out, char *err, size_t errlen)
{
	int64_t	next, created = d->created;
	int	rc = -1;

	if (!earliest_expiry(d->vrps, d->aspas, d->rks, now, &next)) {
		/* The usual case: nothing to drop, so take the sets as they are. */
		memset(out, 0, sizeof(*out));
		out->vrps = d->vrps;
		out->aspas = d->aspas;
		out->rks = d->rks;
		out->ta_names = d->ta_names;
		out->nta = d->nta;
		out->next_expiry = next;
		memset(d, 0, sizeof(*d));
	} else if (set_init(out, d->nta) == -1 ||
	    copy_tas(d->ta_names, d->nta, out) == -1 ||
	    filter_sets(d->vrps, d->aspas, d->rks, now, out) == -1) {
		fail(err, errlen, "%s: out of memory", name);
		input_set_free(out);
		goto out;
	}
	out->format = INPUT_FORMAT_HANDOFF;
	out->created = created;
	rc = 0;
 out:
	handoff_free(d);
	return rc;
}

static int
load_handoff(const char *path, int64_t now, struct input_set *out,
    char *err, size_t errlen)
{
	struct handoff_data	d;

	if (handoff_read(path, &d, err, errlen) == -1)
		return -1;
	return from_handoff(path, &d, now, out, err, errlen);
}

/* A hand-off file in memory; messages begin with name as handoff_read()'s do. */
static int
load_handoff_buffer(const char *name, const char *buf, size_t len,
    int64_t now, struct input_set *out, char *err, size_t errlen)
{
	struct handoff_data	d;
	size_t			n = 0;

	if (errlen > 0) {
		n = (size_t)snprintf(err, errlen, "%s: ", name);
		if (n >= errlen)
			n = errlen - 1;
	}
	if (handoff_parse((const uint8_t *)buf, len, &d, err + n,
	    errlen - n) == -1)
		return -1;
	if (errlen > 0)
		err[0] = '\0';
	return from_handoff(name, &d, now, out, err, errlen);
}

/* Is buf the start of a hand-off file rather than JSON? */
static int
is_handoff(const char *buf, size_t len)
{
	return len >= INPUT_SNIFF_LEN &&
	    memcmp(buf, HANDOFF_MAGIC, HANDOFF_MAGIC_LEN) == 0;
}

/* path itself, or its hand-off file if it is a directory; NULL on ENOMEM. */
static char *
resolve(const char *path)
{
	struct stat	 st;
	char		*p;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (asprintf(&p, "%s/%s", path, HANDOFF_FILENAME) == -1)
			return NULL;
		return p;
	}
	return strdup(path);
}

/* Load the payloads in file once; as input_load(). */
static int
load_file(const char *file, int64_t now, struct input_set *out, char *err,
    size_t errlen)
{
	const char	*buf = NULL;
	size_t		 len = 0;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if (errlen > 0)
		err[0] = '\0';
	if (map_file(file, &buf, &len, err, errlen) == -1)
		return -1;
	if (is_handoff(buf, len)) {
		/* handoff_read() copies the file: no mapping can change under it. */
		munmap((void *)buf, len);
		return load_handoff(file, now, out, err, errlen);
	}
	rc = load_json(file, buf, len, now, out, err, errlen);
	munmap((void *)buf, len);
	return rc;
}

/* 1 if the file behind file is not the one before named (NULL: none). */
static int
replaced(const char *file, const char *before)
{
	char	*after;
	int	 rc;

	if ((after = realpath(file, NULL)) == NULL)
		return 0;
	rc = before == NULL || strcmp(before, after) != 0;
	free(after);
	return rc;
}

/*
 * Load the payloads at path; see input.h.  Returns 0 with *out owned by
 * the caller (input_set_free()), or -1 with *out zeroed and err set.
 *
 * reef validate switches a run's outputs by renaming OUTDIR/.current,
 * through which OUTDIR/reef.handoff is a link, then removes the old
 * run's files (reef-formats(5), "Output directory"): a load that began
 * just before the switch can find its file gone.  It is tried again,
 * once, when the link now leads to another file.
 */
int
input_load(const char *path, int64_t now, struct input_set *out, char *err,
    size_t errlen)
{
	char	*file, *before;
	int	 rc;

	memset(out, 0, sizeof(*out));
	if ((file = resolve(path)) == NULL)
		return fail(err, errlen, "%s: out of memory", path);
	before = realpath(file, NULL);
	rc = load_file(file, now, out, err, errlen);
	if (rc == -1 && replaced(file, before))
		rc = load_file(file, now, out, err, errlen);
	free(before);
	free(file);
	return rc;
}

/*
 * Load the payloads in the len bytes at buf (a hand-off file or JSON, as
 * input_load() tells them apart), named name in messages.  Returns 0
 * with *out owned by the caller (input_set_free()), or -1 with *out
 * zeroed and err set.  buf is only read during the call.
 */
int
input_load_buffer(const char *name, const char *buf, size_t len, int64_t now,
    struct input_set *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (errlen > 0)
		err[0] = '\0';
	if (len == 0)
		return fail(err, errlen, "%s: empty input", name);
	if (is_handoff(buf, len))
		return load_handoff_buffer(name, buf, len, now, out, err,
		    errlen);
	return load_json(name, buf, len, now, out, err, errlen);
}

/*
 * A copy of *in without the entries expired at now.  Returns 0, or -1
 * with *out zeroed and err set.
 */
int
input_expire(const struct input_set *in, int64_t now, struct input_set *out,
    char *err, size_t errlen)
{
	if (set_init(out, in->nta) == -1 ||
	    copy_tas(in->ta_names, in->nta, out) == -1 ||
	    filter_sets(in->vrps, in->aspas, in->rks, now, out) == -1) {
		input_set_free(out);
		return fail(err, errlen, "out of memory");
	}
	out->format = in->format;
	out->created = in->created;
	out->expired_vrps += in->expired_vrps;
	out->expired_aspas += in->expired_aspas;
	out->expired_rks += in->expired_rks;
	return 0;
}

/* Release the sets and names of *s and zero it. */
void
input_set_free(struct input_set *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; s->ta_names != NULL && i < s->nta; i++)
		free(s->ta_names[i]);
	free(s->ta_names);
	vrpset_free(s->vrps);
	aspaset_free(s->aspas);
	rkset_free(s->rks);
	memset(s, 0, sizeof(*s));
}

/* Returns 1 if the file behind path changed since *stamp, 0 if not, -1. */
int
input_changed(const char *path, struct input_stamp *stamp)
{
	struct stat	 st;
	char		*file;
	int		 rc, changed;

	if ((file = resolve(path)) == NULL)
		return -1;
	/*
	 * stat(), not lstat(): in a reef output directory the name is a link
	 * through OUTDIR/.current, and every run writes a new file (another
	 * inode) into a new run directory, so each switch is a change.
	 */
	rc = stat(file, &st);
	free(file);
	if (rc == -1) {
		stamp->valid = 0;
		return -1;
	}
	changed = !stamp->valid || stamp->dev != st.st_dev ||
	    stamp->ino != st.st_ino || stamp->size != st.st_size ||
	    stamp->mtime.tv_sec != st.st_mtim.tv_sec ||
	    stamp->mtime.tv_nsec != st.st_mtim.tv_nsec;
	stamp->valid = 1;
	stamp->dev = st.st_dev;
	stamp->ino = st.st_ino;
	stamp->size = st.st_size;
	stamp->mtime = st.st_mtim;
	return changed;
}

/* Returns a static name of the format. */
const char *
input_format_name(enum input_format f)
{
	switch (f) {
	case INPUT_FORMAT_HANDOFF:
		return "reef hand-off";
	case INPUT_FORMAT_RPKI_CLIENT:
		return "rpki-client JSON";
	case INPUT_FORMAT_ROUTINATOR:
		return "Routinator JSON";
	}
	return "unknown";
}
