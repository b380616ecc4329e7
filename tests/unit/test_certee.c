/*
 * The DER readers of validator/certee.c against their oracles, which
 * read what OpenSSL decodes: cert_parse_ee() against cert_parse_ee_x509()
 * (suite certee) and cert_parse() against cert_parse_x509() (suite
 * certca, TA, CA and router certificates): the same certificates
 * accepted, with the same fields, and the same refused.  Inputs: the EE
 * of every signed object, or every .cer file, of the corpus, then
 * thousands of deterministic damaged copies of a few of them (each byte
 * changed, every truncation, every length field off by one).  The
 * hand-made EEs for each profile rule are in test_cert.c
 * (test_made_ee_paths).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <CUnit/CUnit.h>
#include <openssl/x509.h>

#include "common/log.h"
#include "validator/cert.h"
#include "validator/der.h"

#include "suite.h"
#include "test_certee.h"
#include "util.h"

/* Most corpus files looked at. */
#define CE_MAX_FILES	2048
/* The byte changes tried at each position. */
static const unsigned char ce_xors[] = { 0x01, 0x20, 0x80, 0xff };
/* What the oracle logs when OpenSSL cannot decode the certificate. */
#define CE_UNDECODED	"RFC 6488 section 2.1.4"
#define CA_UNDECODED	"RFC 6487 section 4"
/* "flags" of the mutation functions: a .cer file, read by cert_parse(). */
#define CE_CA		(-1)

/* Copy the captured warnings into buf (size bytes). */
static void
ce_keep_log(char *buf, size_t size)
{
	snprintf(buf, size, "%s", tu_log_captured());
}

static int
ce_same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
ce_same_bytes(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/*
 * The first field in which a (the oracle's) and b differ, or NULL; in
 * and inlen the certificate read.
 */
static const char *
ce_diff(const struct cert *a, const struct cert *b, const unsigned char *in,
    size_t inlen)
{
	if (b->x509 != NULL)
		return "x509 kept";
	if (a->purpose != b->purpose)
		return "purpose";
	if (memcmp(a->ski, b->ski, sizeof(a->ski)) != 0)
		return "ski";
	if (a->has_aki != b->has_aki || memcmp(a->aki, b->aki,
	    sizeof(a->aki)) != 0)
		return "aki";
	if (!ce_same_str(a->aia, b->aia) || !ce_same_str(a->crldp, b->crldp) ||
	    !ce_same_str(a->signedobj, b->signedobj) ||
	    !ce_same_str(a->repo, b->repo) || !ce_same_str(a->mft, b->mft) ||
	    !ce_same_str(a->notify, b->notify))
		return "URIs";
	if (a->notbefore != b->notbefore || a->notafter != b->notafter)
		return "validity";
	if (!ce_same_str(a->serial, b->serial) || !ce_same_bytes(a->serial_raw,
	    a->serial_raw_len, b->serial_raw, b->serial_raw_len))
		return "serial";
	if (!ce_same_bytes(a->spki, a->spki_len, b->spki, b->spki_len))
		return "spki";
	if (!ce_same_bytes(b->der, b->der_len, in, inlen) ||
	    (a->der != NULL && !ce_same_bytes(a->der, a->der_len, b->der,
	    b->der_len)))
		return "der";
	if (!ce_same_bytes(a->issuer_name, a->issuer_name_len, b->issuer_name,
	    b->issuer_name_len) || !ce_same_bytes(a->subject_name,
	    a->subject_name_len, b->subject_name, b->subject_name_len))
		return "names";
	if (!ip_res_equal(a->ips, b->ips) || !as_res_equal(a->ases, b->ases))
		return "resources";
	if ((a->key == NULL) != (b->key == NULL) ||
	    (b->key != NULL) != (b->purpose == CERT_TA ||
	    b->purpose == CERT_CA))
		return "key";
	if (a->has_der_hash != b->has_der_hash || memcmp(a->der_hash,
	    b->der_hash, sizeof(a->der_hash)) != 0)
		return "der_hash";
	return NULL;
}

/* The oracle: decode as cms.c did, then the X509 profile check. */
static struct cert *
ce_parse_x509(const char *fn, const unsigned char *der, size_t len,
    int flags)
{
	const unsigned char *p = der;
	struct cert *c = NULL;
	X509 *x;

	if ((x = cert_x509_decode(&p, len)) == NULL)
		log_warnx_obj(fn, "RFC 6488 section 2.1.4: malformed EE "
		    "certificate");
	else if (p != der + len)
		log_warnx_obj(fn, "RFC 6488 section 2.1.4: trailing data");
	else
		c = cert_parse_ee_x509(fn, x, flags);
	X509_free(x);
	return c;
}

/*
 * Both readers on der: the EE ones with flags, or with CE_CA those of
 * .cer files.
 */
static int
ce_agree(const char *fn, const unsigned char *der, size_t len, int flags,
    struct certee_result *res)
{
	struct cert *a, *b;
	const char *diff = NULL;

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	a = flags == CE_CA ? cert_parse_x509(fn, der, len) :
	    ce_parse_x509(fn, der, len, flags);
	ce_keep_log(res->x509_log, sizeof(res->x509_log));
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	b = flags == CE_CA ? cert_parse(fn, der, len) :
	    cert_parse_ee(fn, der, len, flags);
	ce_keep_log(res->der_log, sizeof(res->der_log));
	tu_log_capture_end();
	res->x509_ok = a != NULL;
	res->der_ok = b != NULL;
	res->purpose = b != NULL ? b->purpose : CERT_EE;
	if (a != NULL && b != NULL)
		diff = ce_diff(a, b, der, len);
	else if (a != NULL || b != NULL)
		diff = "accept/reject";
	if (diff != NULL)
		fprintf(stderr, "\n%s: readers differ (%s): X509 %s [%s], "
		    "DER %s [%s]\n", fn, diff, a ? "accepts" : "refuses",
		    res->x509_log, b ? "accepts" : "refuses", res->der_log);
	cert_free(a);
	cert_free(b);
	return diff == NULL;
}

int
certee_agree(const char *fn, const unsigned char *der, size_t len,
    int flags, struct certee_result *res)
{
	return ce_agree(fn, der, len, flags, res);
}

int
certca_agree(const char *fn, const unsigned char *der, size_t len,
    struct certee_result *res)
{
	return ce_agree(fn, der, len, CE_CA, res);
}

/*
 * The first certificate of the SignedData in the signed object der: the
 * slice *ee.  ContentInfo and SignedData framing may be BER (cms.c).
 * Returns 0, or -1 if there is none.
 */
static int
ce_ee_of_cms(const unsigned char *der, size_t len, struct der_tlv *ee)
{
	struct der d, in;
	struct der_tlv t;
	int i;

	der_init(&d, der, len);
	if (der_next_ber(&d, &t) != DER_OK || t.tag != DER_SEQUENCE)
		return -1;
	der_enter(&in, &t);
	if (der_next_ber(&in, &t) != DER_OK ||	/* contentType */
	    der_next_ber(&in, &t) != DER_OK || t.tag != DER_CONTEXT_CONS(0))
		return -1;
	der_enter(&in, &t);
	if (der_next_ber(&in, &t) != DER_OK || t.tag != DER_SEQUENCE)
		return -1;
	der_enter(&in, &t);
	/* version, digestAlgorithms, encapContentInfo */
	for (i = 0; i < 3; i++)
		if (der_next_ber(&in, &t) != DER_OK)
			return -1;
	if (der_next_ber(&in, &t) != DER_OK || t.tag != DER_CONTEXT_CONS(0))
		return -1;
	der_enter(&in, &t);
	return der_next_ber(&in, ee) == DER_OK ? 0 : -1;
}

/* Non-zero if name ends in the extension of a signed object or ".cer". */
static int
ce_is_signed(const char *name, int cer)
{
	static const char *const exts[] = { ".roa", ".mft", ".asa", ".gbr",
	    ".tak", ".sig" };
	size_t i, n = strlen(name);

	if (cer)
		return n > 4 && strcmp(name + n - 4, ".cer") == 0;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (n > 4 && strcmp(name + n - 4, exts[i]) == 0)
			return 1;
	return 0;
}

/*
 * Append the signed objects (cer: the .cer files) below rel (relative to
 * the corpus) to files.
 */
static void
ce_collect(const char *rel, int cer, char **files, size_t *n)
{
	struct dirent *de;
	struct stat st;
	char *path, *sub;
	DIR *d;

	path = tu_asprintf("%s/%s", tu_corpusdir(), rel);
	if ((d = opendir(path)) == NULL) {
		free(path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		sub = rel[0] == '\0' ? tu_asprintf("%s", de->d_name) :
		    tu_asprintf("%s/%s", rel, de->d_name);
		free(path);
		path = tu_asprintf("%s/%s", tu_corpusdir(), sub);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			ce_collect(sub, cer, files, n);
		else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    ce_is_signed(de->d_name, cer) && *n < CE_MAX_FILES) {
			files[(*n)++] = sub;
			continue;
		}
		free(sub);
	}
	closedir(d);
	free(path);
}

static int
ce_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The corpus' signed objects (cer: .cer files), sorted so that every run
 * sees one order.
 */
static char **
ce_files(int cer, size_t *n)
{
	char **files = calloc(CE_MAX_FILES, sizeof(*files));

	CU_ASSERT_PTR_NOT_NULL_FATAL(files);
	*n = 0;
	ce_collect("", cer, files, n);
	qsort(files, *n, sizeof(*files), ce_strcmp);
	return files;
}

static void
ce_files_free(char **files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
}

/* RSC (RFC 9323) EEs have no SIA. */
static int
ce_flags(const char *rel)
{
	size_t n = strlen(rel);

	return n > 4 && strcmp(rel + n - 4, ".sig") == 0 ? CERT_EE_NO_SIA : 0;
}

/* Every EE of the corpus: both readers agree. */
static void
test_certee_corpus(void)
{
	struct certee_result res;
	struct der_tlv ee;
	unsigned char *der;
	char **files;
	size_t i, n, len, ok = 0, refused = 0;

	TU_NEED_CORPUS();
	files = ce_files(0, &n);
	CU_ASSERT(n > 100);
	for (i = 0; i < n; i++) {
		if ((der = tu_corpus_load(files[i], &len)) == NULL)
			continue;
		if (ce_ee_of_cms(der, len, &ee) == 0) {
			CU_ASSERT(certee_agree(files[i], ee.hdr, ee.tlv_len,
			    ce_flags(files[i]), &res));
			if (res.der_ok)
				ok++;
			else
				refused++;
		}
		free(der);
	}
	/* The corpus has both: good objects and bad EEs (BBN, FORT). */
	CU_ASSERT(ok > 100);
	CU_ASSERT(refused > 10);
	fprintf(stderr, " [%zu EEs: %zu accepted, %zu refused] ", ok + refused,
	    ok, refused);
	ce_files_free(files, n);
}

/* Counts of the mutation test. */
struct ce_count {
	size_t	variants;
	size_t	accepted;
	size_t	disagree;
	size_t	undecoded;	/* refused by OpenSSL's decoder already */
	size_t	same_rule;	/* refused by both, same rule cited first */
};

/*
 * The rule a log cites first: "RFC nnnn section x.y" or "X.690 section
 * z" up to the colon, into buf; "" if none.
 */
static void
ce_rule(const char *log, char *buf, size_t size)
{
	const char *p = strstr(log, "RFC "), *q = strstr(log, "X.690 ");
	const char *end;

	if (p == NULL || (q != NULL && q < p))
		p = q;
	buf[0] = '\0';
	if (p == NULL || (end = strchr(p, ':')) == NULL)
		return;
	snprintf(buf, size, "%.*s", (int)(end - p), p);
}

static void
ce_try(const char *what, const unsigned char *der, size_t len, int flags,
    struct ce_count *cnt)
{
	struct certee_result res;
	char a[64], b[64];

	cnt->variants++;
	if (!ce_agree(what, der, len, flags, &res)) {
		cnt->disagree++;
		return;
	}
	if (res.der_ok) {
		cnt->accepted++;
		return;
	}
	ce_rule(res.x509_log, a, sizeof(a));
	ce_rule(res.der_log, b, sizeof(b));
	if (strcmp(a, flags == CE_CA ? CA_UNDECODED : CE_UNDECODED) == 0)
		cnt->undecoded++;
	else if (strcmp(a, b) == 0)
		cnt->same_rule++;
	else
		fprintf(stderr, "\n%s: rules differ: X509 [%s], DER [%s]\n",
		    what, res.x509_log, res.der_log);
}

/* Every length octet of every TLV inside t, one off either way. */
static void
ce_lengths(const char *what, unsigned char *buf, size_t len,
    const struct der_tlv *t, int flags, struct ce_count *cnt)
{
	struct der in;
	struct der_tlv c;
	unsigned char *lenpos = (unsigned char *)t->val - 1;
	unsigned char save = *lenpos;

	*lenpos = save + 1;
	ce_try(what, buf, len, flags, cnt);
	*lenpos = save - 1;
	ce_try(what, buf, len, flags, cnt);
	*lenpos = save;
	if (!(t->tag & DER_CONSTRUCTED))
		return;
	der_enter(&in, t);
	while (!der_at_end(&in) && der_next(&in, &c) == DER_OK)
		ce_lengths(what, buf, len, &c, flags, cnt);
}

/*
 * What every mutation run must show: many variants, no disagreement, and
 * the same kind of reason: where OpenSSL decodes the certificate, the same
 * rule first; where it does not, the old path said only "malformed" and
 * the DER reader now says why.  Some damage leaves a valid certificate (a
 * URI or time digit changed).
 */
static void
ce_check_counts(const struct ce_count *cnt)
{
	CU_ASSERT(cnt->variants > 10000);
	CU_ASSERT_EQUAL(cnt->disagree, 0);
	CU_ASSERT_EQUAL(cnt->same_rule + cnt->undecoded + cnt->accepted,
	    cnt->variants);
	CU_ASSERT(cnt->accepted > 0);
	fprintf(stderr, " [%zu variants: %zu accepted by both, %zu refused "
	    "by both (%zu not decoded by OpenSSL, %zu citing the same rule "
	    "first), %zu disagreements] ", cnt->variants, cnt->accepted,
	    cnt->variants - cnt->accepted - cnt->disagree, cnt->undecoded,
	    cnt->same_rule, cnt->disagree);
}

/* All damaged copies of one EE, der (len bytes). */
static void
ce_mutate(const char *rel, const unsigned char *der, size_t len, int flags,
    struct ce_count *cnt)
{
	struct der d;
	struct der_tlv t;
	unsigned char *buf, *ins;
	size_t i, x;

	buf = malloc(len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	memcpy(buf, der, len);
	for (i = 0; i < len; i++) {
		for (x = 0; x < sizeof(ce_xors); x++) {
			buf[i] ^= ce_xors[x];
			ce_try(rel, buf, len, flags, cnt);
			buf[i] ^= ce_xors[x];
		}
	}
	for (i = 0; i < len; i++)
		ce_try(rel, buf, i, flags, cnt);
	/* One octet dropped, or a zero octet put in, at each position. */
	for (i = 0; i + 1 < len; i++) {
		memmove(buf + i, der + i + 1, len - i - 1);
		ce_try(rel, buf, len - 1, flags, cnt);
		memcpy(buf + i, der + i, len - i);
	}
	if ((ins = malloc(len + 1)) == NULL)
		CU_FAIL_FATAL("malloc");
	for (i = 0; i < len; i++) {
		memcpy(ins, der, i);
		ins[i] = 0;
		memcpy(ins + i + 1, der + i, len - i);
		ce_try(rel, ins, len + 1, flags, cnt);
	}
	free(ins);
	der_init(&d, buf, len);
	if (der_next(&d, &t) == DER_OK)
		ce_lengths(rel, buf, len, &t, flags, cnt);
	CU_ASSERT(memcmp(buf, der, len) == 0);
	free(buf);
}

/*
 * For each type of signed object in ce_mut_types, the EE of the first
 * corpus object of that type that both readers accept, damaged in every
 * way above.
 */
static void
test_certee_mutations(void)
{
	static const char *const ce_mut_types[] = { ".roa", ".mft", ".asa",
	    ".sig", ".gbr" };
	struct certee_result res;
	struct ce_count cnt;
	struct der_tlv ee;
	unsigned char *der;
	char **files;
	size_t i, t, n, len, done = 0;
	int found;

	TU_NEED_CORPUS();
	memset(&cnt, 0, sizeof(cnt));
	files = ce_files(0, &n);
	for (t = 0; t < sizeof(ce_mut_types) / sizeof(ce_mut_types[0]); t++) {
		for (i = 0, found = 0; i < n && !found; i++) {
			len = strlen(files[i]);
			if (strcmp(files[i] + len - 4, ce_mut_types[t]) != 0 ||
			    (der = tu_corpus_load(files[i], &len)) == NULL)
				continue;
			if (ce_ee_of_cms(der, len, &ee) == 0 &&
			    certee_agree(files[i], ee.hdr, ee.tlv_len,
			    ce_flags(files[i]), &res) && res.der_ok) {
				fprintf(stderr, " [%s]", files[i]);
				ce_mutate(files[i], ee.hdr, ee.tlv_len,
				    ce_flags(files[i]), &cnt);
				found = 1;
				done++;
			}
			free(der);
		}
	}
	CU_ASSERT_EQUAL(done, sizeof(ce_mut_types) / sizeof(ce_mut_types[0]));
	ce_check_counts(&cnt);
	ce_files_free(files, n);
}

REEF_SUITE(certee, REEF_TEST(test_certee_corpus),
    REEF_TEST(test_certee_mutations))

/* Every .cer of the corpus: both readers agree. */
static void
test_certca_corpus(void)
{
	struct certee_result res;
	unsigned char *der;
	char **files;
	size_t i, n, len, kinds[CERT_ROUTER + 1] = { 0 }, refused = 0;

	TU_NEED_CORPUS();
	files = ce_files(1, &n);
	CU_ASSERT(n > 100);
	for (i = 0; i < n; i++) {
		if ((der = tu_corpus_load(files[i], &len)) == NULL)
			continue;
		CU_ASSERT(certca_agree(files[i], der, len, &res));
		if (res.der_ok)
			kinds[res.purpose]++;
		else
			refused++;
		free(der);
	}
	/* The corpus has TAs, CAs, routers and bad certificates. */
	CU_ASSERT(kinds[CERT_TA] > 5);
	CU_ASSERT(kinds[CERT_CA] > 20);
	CU_ASSERT(kinds[CERT_ROUTER] > 0);
	CU_ASSERT(refused > 10);
	fprintf(stderr, " [%zu .cer: %zu TA, %zu CA, %zu router accepted, "
	    "%zu refused] ", n, kinds[CERT_TA], kinds[CERT_CA],
	    kinds[CERT_ROUTER], refused);
	ce_files_free(files, n);
}

/*
 * The first corpus TA, CA and router certificate both readers accept,
 * each damaged in every way ce_mutate() knows.
 */
static void
test_certca_mutations(void)
{
	static const enum cert_purpose kinds[] = { CERT_TA, CERT_CA,
	    CERT_ROUTER };
	struct certee_result res;
	struct ce_count cnt;
	unsigned char *der;
	char **files;
	size_t i, k, n, len, done = 0;
	int found;

	TU_NEED_CORPUS();
	memset(&cnt, 0, sizeof(cnt));
	files = ce_files(1, &n);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (i = 0, found = 0; i < n && !found; i++) {
			if ((der = tu_corpus_load(files[i], &len)) == NULL)
				continue;
			if (certca_agree(files[i], der, len, &res) &&
			    res.der_ok && res.purpose == kinds[k]) {
				fprintf(stderr, " [%s]", files[i]);
				ce_mutate(files[i], der, len, CE_CA, &cnt);
				found = 1;
				done++;
			}
			free(der);
		}
	}
	CU_ASSERT_EQUAL(done, sizeof(kinds) / sizeof(kinds[0]));
	ce_check_counts(&cnt);
	ce_files_free(files, n);
}

REEF_SUITE(certca, REEF_TEST(test_certca_corpus),
    REEF_TEST(test_certca_mutations))
