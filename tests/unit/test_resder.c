/*
 * The DER readers of the RFC 3779 extensions (validator/ip.c, as.c)
 * against the OpenSSL oracle (test_resder.h): every IP and AS value of
 * the certificates of the corpus (.cer files and the EE certificates of
 * signed objects), then deterministic mutations of those values: each
 * byte changed, each length octet off by one, truncations, a byte
 * inserted or dropped.  The two must accept and refuse alike and build
 * the same resources.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/log.h"
#include "validator/as.h"
#include "validator/ip.h"
#include "validator/x509ext.h"
#include "suite.h"
#include "test_resder.h"
#include "util.h"

/* Most distinct extension values kept from the corpus. */
#define RD_MAX_VALUES	4096
/* Most byte positions mutated per value (spread over long values). */
#define RD_MAX_POS	128

static const unsigned char rd_xors[] = { 0x01, 0x02, 0x20, 0x80, 0xff };

static void
rd_print(const char *fn, const unsigned char *val, size_t len, int old_ok,
    int new_ok)
{
	size_t i;

	fprintf(stderr, "\n%s: oracle %s, DER reader %s:", fn,
	    old_ok ? "accepts" : "refuses", new_ok ? "accepts" : "refuses");
	for (i = 0; i < len && i < 256; i++)
		fprintf(stderr, " %02x", val[i]);
	fprintf(stderr, "%s\n", len > 256 ? " ..." : "");
}

/* Returns 1 if both readers agree on the value (test_resder.h). */
int
resder_agree(const char *fn, int ip, const unsigned char *val, size_t len,
    int *accepted)
{
	int nid = ip ? NID_sbgp_ipAddrBlock : NID_sbgp_autonomousSysNum;
	struct ip_res *oi = NULL, *ni = NULL;
	struct as_res *oa = NULL, *na = NULL;
	void *v;
	int same;

	if ((v = x509ext_value_decode(fn, nid, val, len)) != NULL) {
		if (ip)
			oi = ip_res_parse(fn, v);
		else
			oa = as_res_parse(fn, v);
		x509ext_value_free(nid, v);
	}
	if (ip) {
		ni = ip_res_parse_der(fn, val, len);
		same = ip_res_equal(oi, ni);
		*accepted = ni != NULL;
	} else {
		na = as_res_parse_der(fn, val, len);
		same = as_res_equal(oa, na);
		*accepted = na != NULL;
	}
	ERR_clear_error();
	if (!same)
		rd_print(fn, val, len, oi != NULL || oa != NULL, *accepted);
	ip_res_free(oi);
	ip_res_free(ni);
	as_res_free(oa);
	as_res_free(na);
	return same;
}

/* One extension value of the corpus. */
struct rd_value {
	unsigned char	*val;
	size_t		 len;
	int		 ip;
};

struct rd_set {
	struct rd_value	 v[RD_MAX_VALUES];
	size_t		 n;
	size_t		 certs;
};

/* Keep the IP and AS values of x not seen yet. */
static void
rd_keep_cert(struct rd_set *set, X509 *x)
{
	static const int nids[] = { NID_sbgp_ipAddrBlock,
	    NID_sbgp_autonomousSysNum };
	const ASN1_OCTET_STRING *os;
	size_t i, k;
	int pos;

	set->certs++;
	for (k = 0; k < 2; k++) {
		pos = -1;
		while ((pos = X509_get_ext_by_NID(x, nids[k], pos)) >= 0) {
			os = X509_EXTENSION_get_data(X509_get_ext(x, pos));
			for (i = 0; i < set->n; i++)
				if (set->v[i].ip == (k == 0) &&
				    set->v[i].len == (size_t)os->length &&
				    memcmp(set->v[i].val, os->data,
				    set->v[i].len) == 0)
					break;
			if (i < set->n || set->n == RD_MAX_VALUES)
				continue;
			set->v[set->n].val = malloc(os->length + 1);
			CU_ASSERT_PTR_NOT_NULL_FATAL(set->v[set->n].val);
			memcpy(set->v[set->n].val, os->data, os->length);
			set->v[set->n].len = os->length;
			set->v[set->n].ip = k == 0;
			set->n++;
		}
	}
}

/* The certificates of the file rel: a .cer or a signed object's. */
static void
rd_keep_file(struct rd_set *set, const char *rel)
{
	const unsigned char *p;
	unsigned char *der;
	size_t len, n = strlen(rel);
	CMS_ContentInfo *cms;
	STACK_OF(X509) *certs;
	X509 *x;
	int i;

	if ((der = tu_corpus_load(rel, &len)) == NULL)
		return;
	p = der;
	if (n > 4 && strcmp(rel + n - 4, ".cer") == 0) {
		if ((x = d2i_X509(NULL, &p, (long)len)) != NULL) {
			rd_keep_cert(set, x);
			X509_free(x);
		}
	} else if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) != NULL) {
		if ((certs = CMS_get1_certs(cms)) != NULL) {
			for (i = 0; i < sk_X509_num(certs); i++)
				rd_keep_cert(set, sk_X509_value(certs, i));
			sk_X509_pop_free(certs, X509_free);
		}
		CMS_ContentInfo_free(cms);
	}
	ERR_clear_error();
	free(der);
}

static int
rd_wanted(const char *name)
{
	static const char *const exts[] = { ".cer", ".roa", ".mft", ".asa",
	    ".gbr", ".tak", ".sig" };
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (n > 4 && strcmp(name + n - 4, exts[i]) == 0)
			return 1;
	return 0;
}

/* Every file below rel (relative to the corpus), in name order. */
static void
rd_walk(struct rd_set *set, const char *rel)
{
	struct dirent **ents;
	struct stat st;
	char *path, *sub;
	int i, n;

	path = tu_asprintf("%s/%s", tu_corpusdir(), rel);
	n = scandir(path, &ents, NULL, alphasort);
	free(path);
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			sub = rel[0] == '\0' ? tu_asprintf("%s",
			    ents[i]->d_name) : tu_asprintf("%s/%s", rel,
			    ents[i]->d_name);
			path = tu_asprintf("%s/%s", tu_corpusdir(), sub);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				rd_walk(set, sub);
			else if (S_ISREG(st.st_mode) &&
			    rd_wanted(ents[i]->d_name))
				rd_keep_file(set, sub);
			free(path);
			free(sub);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

static struct rd_set *
rd_load(void)
{
	struct rd_set *set = calloc(1, sizeof(*set));

	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	rd_walk(set, "");
	return set;
}

static void
rd_free(struct rd_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->v[i].val);
	free(set);
}

/* Tallies of one run. */
struct rd_count {
	size_t	tried, accepted, disagreed;
};

static void
rd_try(struct rd_count *c, int ip, const unsigned char *val, size_t len)
{
	int ok;

	c->tried++;
	if (!resder_agree("mutant.cer", ip, val, len, &ok))
		c->disagreed++;
	c->accepted += ok;
}

static void
test_resder_corpus(void)
{
	struct rd_set *set;
	struct rd_count c = { 0, 0, 0 };
	size_t i, nip = 0;

	TU_NEED_CORPUS();
	set = rd_load();
	tu_log_capture_begin(LOG_LEVEL_ERROR);
	for (i = 0; i < set->n; i++) {
		nip += set->v[i].ip;
		rd_try(&c, set->v[i].ip, set->v[i].val, set->v[i].len);
	}
	tu_log_capture_end();
	fprintf(stderr, " [%zu certificates, %zu distinct values (%zu IP, "
	    "%zu AS): %zu accepted, %zu disagreements] ", set->certs, set->n,
	    nip, set->n - nip, c.accepted, c.disagreed);
	CU_ASSERT(set->n > 50);
	CU_ASSERT(c.accepted > 0);
	CU_ASSERT_EQUAL(c.disagreed, 0);
	rd_free(set);
}

/* The mutations of val at position i (buf: room for len + 1 bytes). */
static void
rd_mutate_at(struct rd_count *c, int ip, const unsigned char *val,
    size_t len, size_t i, unsigned char *buf)
{
	size_t k;

	for (k = 0; k < sizeof(rd_xors); k++) {
		memcpy(buf, val, len);
		buf[i] ^= rd_xors[k];
		rd_try(c, ip, buf, len);
	}
	/* A length octet one more or one less. */
	memcpy(buf, val, len);
	buf[i]++;
	rd_try(c, ip, buf, len);
	buf[i] -= 2;
	rd_try(c, ip, buf, len);
	/* Cut short, a byte dropped, a zero byte inserted. */
	rd_try(c, ip, val, i);
	memcpy(buf, val, i);
	memcpy(buf + i, val + i + 1, len - i - 1);
	rd_try(c, ip, buf, len - 1);
	memcpy(buf, val, i);
	buf[i] = 0;
	memcpy(buf + i + 1, val + i, len - i);
	rd_try(c, ip, buf, len + 1);
}

static void
test_resder_mutations(void)
{
	struct rd_set *set;
	struct rd_count c = { 0, 0, 0 };
	unsigned char *buf;
	size_t i, j, step;

	TU_NEED_CORPUS();
	set = rd_load();
	tu_log_capture_begin(LOG_LEVEL_ERROR);
	for (i = 0; i < set->n; i++) {
		buf = malloc(set->v[i].len + 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		/* Long values: the start (framing) and positions spread. */
		step = set->v[i].len / RD_MAX_POS + 1;
		for (j = 0; j < set->v[i].len;
		    j += j < 16 ? 1 : step)
			rd_mutate_at(&c, set->v[i].ip, set->v[i].val,
			    set->v[i].len, j, buf);
		free(buf);
	}
	tu_log_capture_end();
	fprintf(stderr, " [%zu variants of %zu values: %zu accepted, %zu "
	    "disagreements] ", c.tried, set->n, c.accepted, c.disagreed);
	CU_ASSERT(c.tried > 1000);
	CU_ASSERT(c.accepted > 0 && c.accepted < c.tried);
	CU_ASSERT_EQUAL(c.disagreed, 0);
	rd_free(set);
}

REEF_SUITE(resder, REEF_TEST(test_resder_corpus),
    REEF_TEST(test_resder_mutations))
