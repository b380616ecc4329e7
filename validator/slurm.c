/*
 * SLURM (RFC 8416) parsing with the strict pull reader, and application
 * to the frozen payload sets.  See slurm.h for the rules.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "common/b64.h"
#include "common/jsonread.h"
#include "common/log.h"
#include "validator/slurm.h"

#define RULE_TOP	"RFC 8416 section 3.2"
#define RULE_FILTERS	"RFC 8416 section 3.3"
#define RULE_PFX_FILTER	"RFC 8416 section 3.3.1"
#define RULE_BGP_FILTER	"RFC 8416 section 3.3.2"
#define RULE_ASSERTIONS	"RFC 8416 section 3.4"
#define RULE_PFX_ASSERT	"RFC 8416 section 3.4.1"
#define RULE_BGP_ASSERT	"RFC 8416 section 3.4.2"
#define RULE_ASPA	"draft-ietf-sidrops-aspa-slurm section 3"

/* Longest message built for one parse error. */
#define SLURM_ERR_LEN	512

struct sctx {
	const char		*fn;
	struct jsonread		*jr;
	struct slurm		*s;
	const char		*rule;	/* the rule of the element being read */
};

static void
serr(struct sctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Log one parse error with the rule and the position of the last token. */
static void
serr(struct sctx *c, const char *fmt, ...)
{
	char msg[SLURM_ERR_LEN];
	va_list ap;

	if (jr_error(c->jr) != NULL) {
		log_warnx_obj(c->fn, "%s: %s", c->rule, jr_error(c->jr));
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx_obj(c->fn, "%s: %zu:%zu: %s", c->rule, jr_line(c->jr),
	    jr_column(c->jr), msg);
}

/*
 * Append one zeroed element of size elsize to the array *arr of *n
 * elements, growing it by doubling.  Returns the new element or NULL.
 */
static void *
push(void **arr, size_t *n, size_t elsize)
{
	size_t cap;
	char *p;

	if (*n >= MAX_SLURM_ENTRIES)
		return NULL;
	/* The capacity is implied: 4, then the next power of two. */
	if (*n == 0 || (*n >= 4 && (*n & (*n - 1)) == 0)) {
		cap = *n == 0 ? 4 : *n * 2;
		if ((p = reallocarray(*arr, cap, elsize)) == NULL)
			return NULL;
		*arr = p;
	}
	p = (char *)*arr + *n * elsize;
	memset(p, 0, elsize);
	(*n)++;
	return p;
}

/*
 * push() for one entry of a SLURM list, logging "too many <what>" when
 * the list is full or memory runs out.
 */
static void *
new_entry(struct sctx *c, void **arr, size_t *n, size_t elsize,
    const char *what)
{
	void *p;

	if ((p = push(arr, n, elsize)) == NULL)
		serr(c, "too many %s or out of memory", what);
	return p;
}

/* Read the next token and require it to be t. */
static int
expect(struct sctx *c, enum jr_token t, const char *what)
{
	enum jr_token got;

	if ((got = jr_next(c->jr)) == t)
		return 0;
	serr(c, "%s: expected %s, got %s", what, jr_token_name(t),
	    jr_token_name(got));
	return -1;
}

/*
 * The next member of the current object: returns 1 with *idx the index
 * of its key in keys (NULL-terminated), 0 at the end of the object, -1 on
 * an unknown or repeated key or a reader error.
 */
static int
next_member(struct sctx *c, const char *const *keys, unsigned int *seen,
    int *idx)
{
	enum jr_token t;
	const char *k;
	size_t len;
	int i;

	t = jr_next(c->jr);
	if (t == JR_OBJECT_END)
		return 0;
	if (t != JR_KEY) {
		serr(c, "unexpected %s", jr_token_name(t));
		return -1;
	}
	k = jr_string(c->jr, &len);
	for (i = 0; keys[i] != NULL; i++)
		if (strlen(keys[i]) == len && strcmp(keys[i], k) == 0)
			break;
	if (keys[i] == NULL) {
		serr(c, "unknown member \"%.64s\"", k);
		return -1;
	}
	if (*seen & (1u << i)) {
		serr(c, "member \"%s\" repeated", keys[i]);
		return -1;
	}
	*seen |= 1u << i;
	*idx = i;
	return 1;
}

/* A string value without NUL bytes, owned by the reader; NULL on error. */
static const char *
get_string(struct sctx *c, const char *what)
{
	const char *s;
	size_t len;

	if (expect(c, JR_STRING, what) != 0)
		return NULL;
	s = jr_string(c->jr, &len);
	if (strlen(s) != len) {
		serr(c, "%s: NUL character in string", what);
		return NULL;
	}
	return s;
}

/* "comment": any string (RFC 8416 section 3.2: free-form). */
static int
get_comment(struct sctx *c)
{
	return get_string(c, "comment") == NULL ? -1 : 0;
}

/* An integer in lo..hi. */
static int
get_uint(struct sctx *c, const char *what, uint64_t lo, uint64_t hi,
    uint64_t *out)
{
	const struct jr_number *n;

	if (expect(c, JR_NUMBER, what) != 0)
		return -1;
	n = jr_number(c->jr);
	if (n->kind != JR_NUM_INT || n->i < 0 || (uint64_t)n->i < lo ||
	    (uint64_t)n->i > hi) {
		serr(c, "%s: %.*s is not an integer in %llu..%llu", what,
		    (int)(n->len > 32 ? 32 : n->len), n->text,
		    (unsigned long long)lo, (unsigned long long)hi);
		return -1;
	}
	*out = (uint64_t)n->i;
	return 0;
}

/* An AS number: a JSON integer 0..4294967295 (RFC 8416 section 3.3.1). */
static int
get_asn(struct sctx *c, const char *what, uint32_t *out)
{
	uint64_t v;

	if (get_uint(c, what, 0, UINT32_MAX, &v) != 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
get_prefix(struct sctx *c, struct prefix *p)
{
	const char *s;
	int rc;

	if ((s = get_string(c, "prefix")) == NULL)
		return -1;
	if ((rc = prefix_parse(s, p)) != PREFIX_OK) {
		serr(c, "prefix \"%.64s\": %s", s, prefix_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * base64url without padding (RFC 4648 section 5), decoded strictly by
 * mapping it onto the standard alphabet.  *out is owned by the caller.
 */
static int
get_b64url(struct sctx *c, const char *what, unsigned char **out,
    size_t *outlen)
{
	const char *s;
	char *std = NULL;
	size_t len, i;
	int rc = -1;

	*out = NULL;
	if ((s = get_string(c, what)) == NULL)
		return -1;
	len = strlen(s);
	if (len % 4 == 1 || len > MAX_SLURM_STRING) {
		serr(c, "%s: bad base64url length %zu", what, len);
		return -1;
	}
	if ((std = malloc(len + 4)) == NULL) {
		serr(c, "%s: out of memory", what);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '+' || s[i] == '/' || s[i] == '=') {
			serr(c, "%s: '%c' is not in the unpadded base64url "
			    "alphabet", what, s[i]);
			goto out;
		}
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	}
	while (i % 4 != 0)
		std[i++] = '=';
	if (b64_decode(std, i, out, outlen) != 0) {
		serr(c, "%s: invalid base64url", what);
		goto out;
	}
	rc = 0;
 out:
	free(std);
	return rc;
}

/* A 20-byte SKI (RFC 8416 section 3.3.2: RFC 6487 section 4.8.2). */
static int
get_ski(struct sctx *c, uint8_t ski[ROUTER_KEY_SKI_LEN])
{
	unsigned char *buf;
	size_t len;

	if (get_b64url(c, "SKI", &buf, &len) != 0)
		return -1;
	if (len != ROUTER_KEY_SKI_LEN) {
		serr(c, "SKI: %zu bytes, want %d", len, ROUTER_KEY_SKI_LEN);
		free(buf);
		return -1;
	}
	memcpy(ski, buf, len);
	free(buf);
	return 0;
}

/* routerPublicKey: a complete DER SubjectPublicKeyInfo. */
static int
get_spki(struct sctx *c, uint8_t **spki, size_t *spki_len)
{
	const unsigned char *p;
	unsigned char *buf;
	EVP_PKEY *pk;
	size_t len;

	if (get_b64url(c, "routerPublicKey", &buf, &len) != 0)
		return -1;
	p = buf;
	if (len == 0 || len > ROUTER_KEY_SPKI_MAX ||
	    (pk = d2i_PUBKEY(NULL, &p, (long)len)) == NULL) {
		serr(c, "routerPublicKey: not a SubjectPublicKeyInfo");
		free(buf);
		return -1;
	}
	EVP_PKEY_free(pk);
	if ((size_t)(p - buf) != len) {
		serr(c, "routerPublicKey: trailing bytes after the key");
		free(buf);
		return -1;
	}
	*spki = buf;
	*spki_len = len;
	return 0;
}

static int
prefix_filter(struct sctx *c)
{
	static const char *const keys[] = { "prefix", "asn", "comment", NULL };
	struct slurm_prefix_filter *f;
	unsigned int seen = 0;
	int idx, r;

	if ((f = new_entry(c, (void **)&c->s->pfx_filters, &c->s->npfx_filters,
	    sizeof(*f), "prefix filters")) == NULL)
		return -1;
	while ((r = next_member(c, keys, &seen, &idx)) == 1) {
		if (idx == 0) {
			if (get_prefix(c, &f->prefix) != 0)
				return -1;
			f->has_prefix = 1;
		} else if (idx == 1) {
			if (get_asn(c, "asn", &f->asn) != 0)
				return -1;
			f->has_asn = 1;
		} else if (get_comment(c) != 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if (!f->has_prefix && !f->has_asn) {
		serr(c, "prefix filter without prefix or asn");
		return -1;
	}
	return 0;
}

static int
bgpsec_filter(struct sctx *c)
{
	static const char *const keys[] = { "asn", "SKI", "comment", NULL };
	struct slurm_bgpsec_filter *f;
	unsigned int seen = 0;
	int idx, r;

	if ((f = new_entry(c, (void **)&c->s->bgpsec_filters,
	    &c->s->nbgpsec_filters, sizeof(*f), "BGPsec filters")) == NULL)
		return -1;
	while ((r = next_member(c, keys, &seen, &idx)) == 1) {
		if (idx == 0) {
			if (get_asn(c, "asn", &f->asn) != 0)
				return -1;
			f->has_asn = 1;
		} else if (idx == 1) {
			if (get_ski(c, f->ski) != 0)
				return -1;
			f->has_ski = 1;
		} else if (get_comment(c) != 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if (!f->has_asn && !f->has_ski) {
		serr(c, "BGPsec filter without asn or SKI");
		return -1;
	}
	return 0;
}

static int
aspa_filter(struct sctx *c)
{
	static const char *const keys[] = { "customerAsid", "comment", NULL };
	struct slurm_aspa_filter *f;
	unsigned int seen = 0;
	int idx, r;

	if ((f = new_entry(c, (void **)&c->s->aspa_filters,
	    &c->s->naspa_filters, sizeof(*f), "ASPA filters")) == NULL)
		return -1;
	while ((r = next_member(c, keys, &seen, &idx)) == 1) {
		if (idx == 0) {
			if (get_asn(c, "customerAsid", &f->customer) != 0)
				return -1;
		} else if (get_comment(c) != 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if ((seen & 1) == 0) {
		serr(c, "ASPA filter without customerAsid");
		return -1;
	}
	return 0;
}

static int
prefix_assertion(struct sctx *c)
{
	static const char *const keys[] = {
		"prefix", "asn", "maxPrefixLength", "comment", NULL
	};
	struct slurm_prefix_assertion *a;
	unsigned int seen = 0;
	uint64_t maxlen = 0;
	int idx, r;

	if ((a = new_entry(c, (void **)&c->s->pfx_assertions,
	    &c->s->npfx_assertions, sizeof(*a), "prefix assertions")) == NULL)
		return -1;
	while ((r = next_member(c, keys, &seen, &idx)) == 1) {
		if (idx == 0)
			r = get_prefix(c, &a->prefix);
		else if (idx == 1)
			r = get_asn(c, "asn", &a->asn);
		else if (idx == 2)
			r = get_uint(c, "maxPrefixLength", 0, PREFIX_V6_BITS,
			    &maxlen);
		else
			r = get_comment(c);
		if (r != 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if ((seen & 3) != 3) {
		serr(c, "prefix assertion without %s",
		    (seen & 1) ? "asn" : "prefix");
		return -1;
	}
	a->maxlen = a->prefix.len;
	if (seen & 4) {
		/* RFC 8416 section 3.4.1, as for ROAs in RFC 9582 section 4.3.2. */
		if (maxlen < a->prefix.len ||
		    maxlen > prefix_afi_bits(a->prefix.afi)) {
			serr(c, "maxPrefixLength %llu outside %u..%u",
			    (unsigned long long)maxlen, a->prefix.len,
			    prefix_afi_bits(a->prefix.afi));
			return -1;
		}
		a->maxlen = (uint8_t)maxlen;
	}
	return 0;
}

static int
bgpsec_assertion(struct sctx *c)
{
	static const char *const keys[] = {
		"asn", "SKI", "routerPublicKey", "comment", NULL
	};
	struct slurm_bgpsec_assertion *a;
	unsigned int seen = 0;
	int idx, r;

	if ((a = new_entry(c, (void **)&c->s->bgpsec_assertions,
	    &c->s->nbgpsec_assertions, sizeof(*a),
	    "BGPsec assertions")) == NULL)
		return -1;
	while ((r = next_member(c, keys, &seen, &idx)) == 1) {
		if (idx == 0)
			r = get_asn(c, "asn", &a->asn);
		else if (idx == 1)
			r = get_ski(c, a->ski);
		else if (idx == 2)
			r = get_spki(c, &a->spki, &a->spki_len);
		else
			r = get_comment(c);
		if (r != 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if ((seen & 7) != 7) {
		serr(c, "BGPsec assertion needs asn, SKI and routerPublicKey");
		return -1;
	}
	return 0;
}

static int
provider_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The provider list of an ASPA assertion. */
static int
aspa_providers(struct sctx *c, struct slurm_aspa_assertion *a)
{
	uint32_t *sorted;
	enum jr_token t;
	size_t i;
	int rc = -1;

	if (expect(c, JR_ARRAY_BEGIN, "providerSet") != 0)
		return -1;
	while ((t = jr_next(c->jr)) != JR_ARRAY_END) {
		uint32_t *p;
		const struct jr_number *n;

		if (t != JR_NUMBER) {
			serr(c, "providerSet: expected number, got %s",
			    jr_token_name(t));
			return -1;
		}
		n = jr_number(c->jr);
		if (n->kind != JR_NUM_INT || n->i < 0 || n->i > UINT32_MAX) {
			serr(c, "providerSet: not an AS number");
			return -1;
		}
		if (a->nproviders >= MAX_ASPA_PROVIDERS ||
		    (p = push((void **)&a->providers, &a->nproviders,
		    sizeof(*p))) == NULL) {
			serr(c, "providerSet: too many providers");
			return -1;
		}
		*p = (uint32_t)n->i;
	}
	/* draft-ietf-sidrops-aspa-profile section 3: non-empty, unique, no customer. */
	if (a->nproviders == 0) {
		serr(c, "providerSet is empty");
		return -1;
	}
	if ((sorted = calloc(a->nproviders, sizeof(*sorted))) == NULL) {
		serr(c, "out of memory");
		return -1;
	}
	memcpy(sorted, a->providers, a->nproviders * sizeof(*sorted));
	qsort(sorted, a->nproviders, sizeof(*sorted), provider_cmp);
	for (i = 1; i < a->nproviders; i++)
		if (sorted[i] == sorted[i - 1]) {
			serr(c, "providerSet: AS%u listed twice", sorted[i]);
			goto out;
		}
	rc = 0;
 out:
	free(sorted);
	return rc;
}

static int
aspa_assertion(struct sctx *c)
{
	static const char *const keys[] = {
		"customerAsid", "providerSet", "providers", "comment", NULL
	};
	struct slurm_aspa_assertion *a;
	unsigned int seen = 0;
	size_t i;
	int idx, r;

	if ((a = new_entry(c, (void **)&c->s->aspa_assertions,
	    &c->s->naspa_assertions, sizeof(*a), "ASPA assertions")) == NULL)
		return -1;
	while ((r = next_member(c, keys, &seen, &idx)) == 1) {
		if (idx == 0)
			r = get_asn(c, "customerAsid", &a->customer);
		else if (idx == 1 || idx == 2) {
			if (seen & (idx == 1 ? 4 : 2)) {
				serr(c, "both providerSet and providers");
				return -1;
			}
			r = aspa_providers(c, a);
		} else
			r = get_comment(c);
		if (r != 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if ((seen & 1) == 0 || (seen & 6) == 0) {
		serr(c, "ASPA assertion needs customerAsid and providerSet");
		return -1;
	}
	if (a->customer == 0) {
		serr(c, "customerAsid 0");
		return -1;
	}
	for (i = 0; i < a->nproviders; i++)
		if (a->providers[i] == a->customer) {
			serr(c, "customer AS%u among its providers",
			    a->customer);
			return -1;
		}
	return 0;
}

/* A list of entries, each an object read by fn under the given rule. */
static int
entry_list(struct sctx *c, const char *name, const char *rule,
    int (*fn)(struct sctx *))
{
	const char *saved = c->rule;
	enum jr_token t;

	c->rule = rule;
	if (expect(c, JR_ARRAY_BEGIN, name) != 0)
		return -1;
	while ((t = jr_next(c->jr)) != JR_ARRAY_END) {
		if (t != JR_OBJECT_BEGIN) {
			serr(c, "%s: expected object, got %s", name,
			    jr_token_name(t));
			return -1;
		}
		if (fn(c) != 0)
			return -1;
	}
	c->rule = saved;
	return 0;
}

/*
 * "validationOutputFilters" and "locallyAddedAssertions" share one shape
 * (RFC 8416 sections 3.3, 3.4): an object of entry lists, of which the
 * first two are required.
 */
#define SECTION_LISTS	3

struct section {
	const char	*name;
	const char	*rule;
	const char	*keys[SECTION_LISTS + 1];	/* NULL-terminated */
	const char	*rules[SECTION_LISTS];
	int		(*fns[SECTION_LISTS])(struct sctx *);
};

static const struct section filters_section = {
	"validationOutputFilters", RULE_FILTERS,
	{ "prefixFilters", "bgpsecFilters", "aspaFilters", NULL },
	{ RULE_PFX_FILTER, RULE_BGP_FILTER, RULE_ASPA },
	{ prefix_filter, bgpsec_filter, aspa_filter },
};

static const struct section assertions_section = {
	"locallyAddedAssertions", RULE_ASSERTIONS,
	{ "prefixAssertions", "bgpsecAssertions", "aspaAssertions", NULL },
	{ RULE_PFX_ASSERT, RULE_BGP_ASSERT, RULE_ASPA },
	{ prefix_assertion, bgpsec_assertion, aspa_assertion },
};

static int
section(struct sctx *c, const struct section *sec)
{
	unsigned int seen = 0;
	int idx, r;

	c->rule = sec->rule;
	if (expect(c, JR_OBJECT_BEGIN, sec->name) != 0)
		return -1;
	while ((r = next_member(c, sec->keys, &seen, &idx)) == 1)
		if (entry_list(c, sec->keys[idx], sec->rules[idx],
		    sec->fns[idx]) != 0)
			return -1;
	if (r < 0)
		return -1;
	if ((seen & 3) != 3) {
		serr(c, "%s needs %s and %s", sec->name, sec->keys[0],
		    sec->keys[1]);
		return -1;
	}
	return 0;
}

static int
top(struct sctx *c)
{
	static const char *const keys[] = {
		"slurmVersion", "validationOutputFilters",
		"locallyAddedAssertions", NULL
	};
	unsigned int seen = 0;
	uint64_t version;
	int idx, r;

	c->rule = RULE_TOP;
	if (expect(c, JR_OBJECT_BEGIN, "SLURM file") != 0)
		return -1;
	while ((r = next_member(c, keys, &seen, &idx)) == 1) {
		if (idx == 0) {
			if (get_uint(c, "slurmVersion", SLURM_VERSION,
			    SLURM_VERSION, &version) != 0)
				return -1;
		} else
			r = section(c, idx == 1 ? &filters_section :
			    &assertions_section);
		c->rule = RULE_TOP;
		if (r < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if (seen != 7) {
		serr(c, "missing %s", (seen & 1) == 0 ? keys[0] :
		    (seen & 2) == 0 ? keys[1] : keys[2]);
		return -1;
	}
	return expect(c, JR_END, "end of file");
}

/*
 * Parse a SLURM file held in memory.  Returns a new struct slurm or NULL
 * after logging why.
 */
struct slurm *
slurm_parse(const char *fn, const char *buf, size_t len)
{
	struct sctx c;

	memset(&c, 0, sizeof(c));
	c.fn = fn;
	c.rule = RULE_TOP;
	if (len > MAX_SLURM_SIZE) {
		log_warnx_obj(fn, "%s: file larger than %d bytes", RULE_TOP,
		    MAX_SLURM_SIZE);
		return NULL;
	}
	if ((c.s = calloc(1, sizeof(*c.s))) == NULL ||
	    (c.jr = jr_new(buf, len, MAX_SLURM_DEPTH,
	    MAX_SLURM_STRING)) == NULL) {
		log_warn_obj(fn, "SLURM");
		goto fail;
	}
	if (top(&c) != 0)
		goto fail;
	jr_free(c.jr);
	return c.s;
 fail:
	jr_free(c.jr);
	slurm_free(c.s);
	return NULL;
}

/*
 * Read and parse the SLURM file at path.  Returns a new struct slurm or
 * NULL after logging why.
 */
struct slurm *
slurm_load(const char *path)
{
	struct slurm *s = NULL;
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn_obj(path, "open");
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_warnx_obj(path, "not a regular file");
		goto out;
	}
	if (st.st_size > MAX_SLURM_SIZE) {
		log_warnx_obj(path, "%s: file larger than %d bytes", RULE_TOP,
		    MAX_SLURM_SIZE);
		goto out;
	}
	/* One spare byte to notice a file that grew while we read it. */
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		log_warn_obj(path, "malloc");
		goto out;
	}
	while ((n = read(fd, buf + len, (size_t)st.st_size + 1 - len)) > 0)
		len += (size_t)n;
	if (n == -1) {
		log_warn_obj(path, "read");
		goto out;
	}
	if (len > (size_t)st.st_size) {
		log_warnx_obj(path, "file changed while being read");
		goto out;
	}
	s = slurm_parse(path, buf, len);
 out:
	free(buf);
	close(fd);
	return s;
}

/*
 * Release s and everything it owns; NULL is allowed.
 */
void
slurm_free(struct slurm *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nbgpsec_assertions; i++)
		free(s->bgpsec_assertions[i].spki);
	for (i = 0; i < s->naspa_assertions; i++)
		free(s->aspa_assertions[i].providers);
	free(s->pfx_filters);
	free(s->bgpsec_filters);
	free(s->aspa_filters);
	free(s->pfx_assertions);
	free(s->bgpsec_assertions);
	free(s->aspa_assertions);
	free(s);
}

static int
vrp_filtered(const struct slurm *s, const struct vrp *v)
{
	const struct slurm_prefix_filter *f;
	size_t i;

	for (i = 0; i < s->npfx_filters; i++) {
		f = &s->pfx_filters[i];
		if (f->has_prefix && !prefix_covers(&f->prefix, &v->prefix))
			continue;
		if (f->has_asn && f->asn != v->asn)
			continue;
		return 1;
	}
	return 0;
}

static int
rk_filtered(const struct slurm *s, const struct router_key *k)
{
	const struct slurm_bgpsec_filter *f;
	size_t i;

	for (i = 0; i < s->nbgpsec_filters; i++) {
		f = &s->bgpsec_filters[i];
		if (f->has_asn && f->asn != k->asn)
			continue;
		if (f->has_ski && memcmp(f->ski, k->ski, sizeof(f->ski)) != 0)
			continue;
		return 1;
	}
	return 0;
}

/* Filtered by an ASPA filter, or replaced by an ASPA assertion. */
static int
aspa_filtered(const struct slurm *s, uint32_t customer)
{
	size_t i;

	for (i = 0; i < s->naspa_filters; i++)
		if (s->aspa_filters[i].customer == customer)
			return 1;
	for (i = 0; i < s->naspa_assertions; i++)
		if (s->aspa_assertions[i].customer == customer)
			return 1;
	return 0;
}

static struct vrpset *
apply_vrps(const struct slurm *s, uint32_t ta, int64_t expires,
    const struct vrpset *old, struct slurm_stats *st)
{
	const struct slurm_prefix_assertion *a;
	struct vrpset *n;
	struct vrp v;
	size_t i, count;

	if ((n = vrpset_new()) == NULL)
		return NULL;
	count = old != NULL ? vrpset_count(old) : 0;
	for (i = 0; i < count; i++) {
		v = *vrpset_get(old, i);
		if (vrp_filtered(s, &v))
			st->vrps_filtered++;
		else if (vrpset_add(n, &v) != PAYLOAD_OK)
			goto fail;
	}
	for (i = 0; i < s->npfx_assertions; i++) {
		a = &s->pfx_assertions[i];
		memset(&v, 0, sizeof(v));
		v.prefix = a->prefix;
		v.maxlen = a->maxlen;
		v.asn = a->asn;
		v.ta = ta;
		v.expires = expires;
		if (vrpset_add(n, &v) != PAYLOAD_OK)
			goto fail;
		st->vrps_added++;
	}
	if (vrpset_freeze(n) != PAYLOAD_OK)
		goto fail;
	return n;
 fail:
	vrpset_free(n);
	return NULL;
}

static struct rkset *
apply_rks(const struct slurm *s, uint32_t ta, int64_t expires,
    const struct rkset *old, struct slurm_stats *st)
{
	const struct slurm_bgpsec_assertion *a;
	struct router_key k;
	struct rkset *n;
	size_t i, count;

	if ((n = rkset_new()) == NULL)
		return NULL;
	count = old != NULL ? rkset_count(old) : 0;
	for (i = 0; i < count; i++) {
		if (!rkset_get(old, i, &k))
			goto fail;
		if (rk_filtered(s, &k))
			st->rks_filtered++;
		else if (rkset_add(n, &k) != PAYLOAD_OK)
			goto fail;
	}
	for (i = 0; i < s->nbgpsec_assertions; i++) {
		a = &s->bgpsec_assertions[i];
		memset(&k, 0, sizeof(k));
		k.asn = a->asn;
		k.ta = ta;
		k.expires = expires;
		memcpy(k.ski, a->ski, sizeof(k.ski));
		k.spki = a->spki;
		k.spki_len = a->spki_len;
		if (rkset_add(n, &k) != PAYLOAD_OK)
			goto fail;
		st->rks_added++;
	}
	if (rkset_freeze(n) != PAYLOAD_OK)
		goto fail;
	return n;
 fail:
	rkset_free(n);
	return NULL;
}

static struct aspaset *
apply_aspas(const struct slurm *s, uint32_t ta, int64_t expires,
    const struct aspaset *old, struct slurm_stats *st)
{
	const struct slurm_aspa_assertion *a;
	struct aspaset *n;
	struct aspa e;
	size_t i, count;

	if ((n = aspaset_new()) == NULL)
		return NULL;
	count = old != NULL ? aspaset_count(old) : 0;
	for (i = 0; i < count; i++) {
		if (!aspaset_get(old, i, &e))
			goto fail;
		if (aspa_filtered(s, e.customer))
			st->aspas_filtered++;
		else if (aspaset_add(n, &e) != PAYLOAD_OK)
			goto fail;
	}
	for (i = 0; i < s->naspa_assertions; i++) {
		a = &s->aspa_assertions[i];
		memset(&e, 0, sizeof(e));
		e.customer = a->customer;
		e.ta = ta;
		e.expires = expires;
		e.providers = a->providers;
		e.nproviders = a->nproviders;
		if (aspaset_add(n, &e) != PAYLOAD_OK)
			goto fail;
		st->aspas_added++;
	}
	if (aspaset_freeze(n) != PAYLOAD_OK)
		goto fail;
	return n;
 fail:
	aspaset_free(n);
	return NULL;
}

/*
 * Replace the frozen sets by filtered and extended copies.  Returns 0, or
 * -1 with the sets unchanged.
 */
int
slurm_apply(const struct slurm *s, uint32_t ta, int64_t expires,
    struct vrpset **vrps, struct rkset **rks, struct aspaset **aspas,
    struct slurm_stats *stp)
{
	struct slurm_stats st;
	struct vrpset *nv = NULL;
	struct rkset *nr = NULL;
	struct aspaset *na = NULL;

	memset(&st, 0, sizeof(st));
	if ((*vrps != NULL && !vrpset_frozen(*vrps)) ||
	    (*rks != NULL && !rkset_frozen(*rks)) ||
	    (*aspas != NULL && !aspaset_frozen(*aspas))) {
		errno = EINVAL;
		return -1;
	}
	if ((nv = apply_vrps(s, ta, expires, *vrps, &st)) == NULL ||
	    (nr = apply_rks(s, ta, expires, *rks, &st)) == NULL ||
	    (na = apply_aspas(s, ta, expires, *aspas, &st)) == NULL) {
		vrpset_free(nv);
		rkset_free(nr);
		errno = ENOMEM;
		return -1;
	}
	vrpset_free(*vrps);
	rkset_free(*rks);
	aspaset_free(*aspas);
	*vrps = nv;
	*rks = nr;
	*aspas = na;
	if (stp != NULL)
		*stp = st;
	return 0;
}
