/*
 * Tests for the pieces of the validation walk: the validate.c predicates
 * on corpus objects at fixed times (the rpki-commons conformance tree:
 * root.cer, root/root.crl, root/root.mft and their children), DER framing,
 * manifest succession, the store, the thread pool and walk_run()'s edge
 * cases.  The whole walk on generated repositories is in
 * tests/integration/test_walk.c.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/log.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/cert.h"
#include "validator/crl.h"
#include "validator/mft.h"
#include "validator/roa.h"
#include "validator/store.h"
#include "validator/tal.h"
#include "validator/threadpool.h"
#include "validator/validate.h"
#include "validator/walk.h"

/* The conformance objects are valid from 2011 to 2046: 2026-11-26. */
#define CONF_NOW	1795651200LL
/* After the TA's notAfter (2046-05-15) but before the CRL's nextUpdate. */
#define CONF_LATE	2500000000LL
#define CONF_DIR	"rpki-commons/conformance"

static unsigned char *
corpus_read(const char *rel, size_t *len)
{
	char *p;
	unsigned char *buf;

	if (tu_corpusdir() == NULL)
		return NULL;
	p = tu_asprintf("%s/%s/%s", tu_corpusdir(), CONF_DIR, rel);
	buf = tu_read_file(p, len);
	free(p);
	return buf;
}

static struct cert *
corpus_cert(const char *rel)
{
	unsigned char *der;
	size_t len;
	struct cert *c;

	if ((der = corpus_read(rel, &len)) == NULL)
		return NULL;
	c = cert_parse(rel, der, len);
	free(der);
	return c;
}

static struct crl *
corpus_crl(const char *rel)
{
	unsigned char *der;
	size_t len;
	struct crl *c;

	if ((der = corpus_read(rel, &len)) == NULL)
		return NULL;
	c = crl_parse(rel, der, len);
	free(der);
	return c;
}

/*
 * The conformance root's manifest, parsed afresh for each check (the
 * issuer checks resolve the EE certificate's inherited resources in
 * place).  NULL if it does not parse; free with mft_free().
 */
static struct mft *
root_mft(void)
{
	unsigned char *der;
	size_t len;
	struct mft *m;

	der = corpus_read("root/root.mft", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	m = mft_parse("root.mft", der, len);
	free(der);
	return m;
}

static int
no_corpus(void)
{
	if (tu_corpusdir() != NULL)
		return 0;
	printf("\n    SKIPPED: corpus absent\n    ");
	return 1;
}

/* Send the log to /dev/null: rejections are expected here. */
static int quiet_fd = -1;

static void
quiet(void)
{
	struct log_config lc = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };

	if (quiet_fd == -1)
		quiet_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (quiet_fd != -1)
		lc.fd = quiet_fd;
	log_init(&lc);
}

/* RFC 8630 section 2.3: the TA key must be the TAL's, and valid now. */
static void
test_valid_ta(void)
{
	struct cert *ta;
	struct tal tal;
	char why[VALID_WHY_LEN];
	unsigned char *spki;

	if (no_corpus())
		return;
	quiet();
	ta = corpus_cert("root.cer");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ta);
	memset(&tal, 0, sizeof(tal));
	tal.name = "root";
	spki = malloc(ta->spki_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(spki);
	memcpy(spki, ta->spki, ta->spki_len);
	tal.spki = spki;
	tal.spki_len = ta->spki_len;
	CU_ASSERT_EQUAL(valid_ta(ta, &tal, CONF_NOW, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(valid_ta(ta, &tal, CONF_LATE, why, sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "expired"));
	spki[ta->spki_len - 5] ^= 1;
	CU_ASSERT_EQUAL(valid_ta(ta, &tal, CONF_NOW, why, sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "RFC 8630"));
	tal.spki_len--;
	CU_ASSERT_EQUAL(valid_ta(ta, &tal, CONF_NOW, why, sizeof(why)), -1);
	free(spki);
	cert_free(ta);
}

/* The CRL of the root: issued by it, current, and not by anyone else. */
static void
test_valid_crl(void)
{
	struct cert *ta, *ca;
	struct crl *crl;
	char why[VALID_WHY_LEN];

	if (no_corpus())
		return;
	quiet();
	ta = corpus_cert("root.cer");
	ca = corpus_cert("root/MFTNextUpdPast.cer");
	crl = corpus_crl("root/root.crl");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ta);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
	CU_ASSERT_EQUAL(valid_crl(crl, ta, CONF_NOW, why, sizeof(why)), 0);
	/* Before thisUpdate (2011-04-19) and after nextUpdate (2049). */
	CU_ASSERT_EQUAL(valid_crl(crl, ta, 1300000000LL, why, sizeof(why)),
	    -1);
	CU_ASSERT_EQUAL(valid_crl(crl, ta, 2600000000LL, why, sizeof(why)),
	    -1);
	/* A CA that did not issue it. */
	CU_ASSERT_EQUAL(valid_crl(crl, ca, CONF_NOW, why, sizeof(why)), -1);
	crl_free(crl);
	cert_free(ca);
	cert_free(ta);
}

/* CA certificates against the root, with and without the root's CRL. */
static void
test_valid_cert(void)
{
	struct cert *ta, *ca, *other;
	struct crl *crl;
	char why[VALID_WHY_LEN];

	if (no_corpus())
		return;
	quiet();
	ta = corpus_cert("root.cer");
	ca = corpus_cert("root/MFTNextUpdPast.cer");
	other = corpus_cert("root/MFTNegNum.cer");
	crl = corpus_crl("root/root.crl");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ta);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
	CU_ASSERT_EQUAL(valid_cert(ca, ta, crl, CONF_NOW, why, sizeof(why)),
	    0);
	/* Not issued by a sibling (which is not even the issuer's name). */
	CU_ASSERT_EQUAL(valid_cert(other, ca, crl, CONF_NOW, why,
	    sizeof(why)), -1);
	CU_ASSERT_EQUAL(valid_cert(other, ta, NULL, CONF_LATE, why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "expired"));
	crl_free(crl);
	cert_free(other);
	cert_free(ca);
	cert_free(ta);
}

/* Manifests: the root's is valid, a stale one is not (RFC 9286 6.3). */
static void
test_valid_mft(void)
{
	struct cert *ta, *ca;
	struct crl *crl;
	struct mft *mft;
	char why[VALID_WHY_LEN];

	if (no_corpus())
		return;
	quiet();
	ta = corpus_cert("root.cer");
	crl = corpus_crl("root/root.crl");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ta);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
	mft = root_mft();
	CU_ASSERT_PTR_NOT_NULL_FATAL(mft);
	CU_ASSERT_EQUAL(valid_mft(mft, ta, crl, CONF_NOW, why, sizeof(why)),
	    0);
	mft_free(mft);

	ca = corpus_cert("root/MFTNextUpdPast.cer");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_EQUAL(valid_cert(ca, ta, crl, CONF_NOW, why, sizeof(why)),
	    0);
	/* Before thisUpdate and EE notBefore (2011): not current. */
	mft = root_mft();
	CU_ASSERT_PTR_NOT_NULL_FATAL(mft);
	CU_ASSERT_EQUAL(valid_mft(mft, ta, crl, 1300000000LL, why,
	    sizeof(why)), -1);
	mft_free(mft);
	/* Signed under the root, not under one of its children. */
	mft = root_mft();
	CU_ASSERT_PTR_NOT_NULL_FATAL(mft);
	CU_ASSERT_EQUAL(valid_mft(mft, ca, NULL, CONF_NOW, why, sizeof(why)),
	    -1);
	mft_free(mft);
	cert_free(ca);
	crl_free(crl);
	cert_free(ta);
}

/* A good ROA passes, one whose EE signature is broken does not. */
static void
test_valid_roa(void)
{
	struct cert *ta;
	struct crl *crl;
	struct roa *roa;
	unsigned char *der;
	size_t len;
	char why[VALID_WHY_LEN];

	if (no_corpus())
		return;
	quiet();
	ta = corpus_cert("root.cer");
	crl = corpus_crl("root/root.crl");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ta);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
	der = corpus_read("root/goodROANothingWrong.roa", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	CU_ASSERT_EQUAL(valid_der_framing(der, len, why, sizeof(why)), 0);
	roa = roa_parse("good.roa", der, len);
	free(der);
	CU_ASSERT_PTR_NOT_NULL_FATAL(roa);
	CU_ASSERT_EQUAL(valid_roa(roa, ta, crl, CONF_NOW, why, sizeof(why)),
	    0);
	roa_free(roa);
	der = corpus_read("root/badEEBadSig.roa", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	roa = roa_parse("badsig.roa", der, len);
	free(der);
	if (roa != NULL) {
		CU_ASSERT_EQUAL(valid_roa(roa, ta, crl, CONF_NOW, why,
		    sizeof(why)), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "signature"));
		roa_free(roa);
	}
	crl_free(crl);
	cert_free(ta);
}

/* RFC 9286 section 4.2.1: number and thisUpdate never go backwards. */
static void
test_valid_mft_successor(void)
{
	struct mft a, b;
	unsigned char ha[HASH_SHA256_LEN], hb[HASH_SHA256_LEN];
	char why[VALID_WHY_LEN];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(ha, 1, sizeof(ha));
	memset(hb, 2, sizeof(hb));
	a.number[0] = 5;
	a.number_len = 1;
	a.this_update = 1000;
	b = a;
	/* Identical: fine. */
	CU_ASSERT_EQUAL(valid_mft_successor(&a, ha, &b, ha, why,
	    sizeof(why)), 0);
	/* Same number, other content: a re-issue, rejected. */
	CU_ASSERT_EQUAL(valid_mft_successor(&a, ha, &b, hb, why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "re-used"));
	/* Newer number, later thisUpdate. */
	a.number[0] = 6;
	a.this_update = 2000;
	CU_ASSERT_EQUAL(valid_mft_successor(&a, ha, &b, hb, why,
	    sizeof(why)), 0);
	/* The other way round: backwards. */
	CU_ASSERT_EQUAL(valid_mft_successor(&b, hb, &a, ha, why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "backwards"));
	/* Longer number is larger even with a smaller first byte. */
	a.number[0] = 1;
	a.number[1] = 0;
	a.number_len = 2;
	CU_ASSERT_EQUAL(valid_mft_successor(&a, ha, &b, hb, why,
	    sizeof(why)), 0);
	/* Newer number but thisUpdate earlier. */
	a.this_update = 999;
	CU_ASSERT_EQUAL(valid_mft_successor(&a, ha, &b, hb, why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "thisUpdate"));
}

static void
test_valid_filehash(void)
{
	struct mft_file f;
	const unsigned char data[] = "publication point";
	char why[VALID_WHY_LEN];

	memset(&f, 0, sizeof(f));
	f.name = "x.roa";
	CU_ASSERT_EQUAL(hash_sha256(data, sizeof(data), f.hash), 0);
	CU_ASSERT_EQUAL(valid_filehash(data, sizeof(data), &f, why,
	    sizeof(why)), 0);
	CU_ASSERT_EQUAL(valid_filehash(data, sizeof(data) - 1, &f, why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "9286"));
}

/* DER framing: definite, minimal lengths only, one TLV, no trailing bytes. */
static void
test_valid_der_framing(void)
{
	/* SEQUENCE { INTEGER 1, OCTET STRING "ab" } */
	const unsigned char good[] = { 0x30, 0x07, 0x02, 0x01, 0x01, 0x04,
	    0x02, 'a', 'b' };
	const unsigned char indef[] = { 0x30, 0x80, 0x02, 0x01, 0x01, 0x00,
	    0x00 };
	const unsigned char nonmin[] = { 0x30, 0x81, 0x03, 0x02, 0x01, 0x01 };
	const unsigned char lead0[] = { 0x30, 0x82, 0x00, 0x03, 0x02, 0x01,
	    0x01 };
	const unsigned char cons[] = { 0x30, 0x06, 0x24, 0x04, 0x04, 0x02,
	    'a', 'b' };
	const unsigned char trailing[] = { 0x02, 0x01, 0x01, 0x00 };
	const unsigned char trunc[] = { 0x30, 0x07, 0x02, 0x01, 0x01 };
	const unsigned char inner_trunc[] = { 0x30, 0x03, 0x02, 0x05, 0x01 };
	const unsigned char hightag[] = { 0x1f, 0x81, 0x01, 0x01, 0x00 };
	unsigned char deep[2 * (VALID_DER_MAX_DEPTH + 2)];
	char why[VALID_WHY_LEN];
	size_t i, n = VALID_DER_MAX_DEPTH + 2;

	CU_ASSERT_EQUAL(valid_der_framing(good, sizeof(good), why,
	    sizeof(why)), 0);
	CU_ASSERT_EQUAL(valid_der_framing(hightag, sizeof(hightag), why,
	    sizeof(why)), 0);
	CU_ASSERT_EQUAL(valid_der_framing(indef, sizeof(indef), why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "indefinite"));
	CU_ASSERT_EQUAL(valid_der_framing(nonmin, sizeof(nonmin), why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "minimal"));
	CU_ASSERT_EQUAL(valid_der_framing(lead0, sizeof(lead0), why,
	    sizeof(why)), -1);
	CU_ASSERT_EQUAL(valid_der_framing(cons, sizeof(cons), why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "constructed"));
	CU_ASSERT_EQUAL(valid_der_framing(trailing, sizeof(trailing), why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "trailing"));
	CU_ASSERT_EQUAL(valid_der_framing(trunc, sizeof(trunc), why,
	    sizeof(why)), -1);
	CU_ASSERT_EQUAL(valid_der_framing(inner_trunc, sizeof(inner_trunc),
	    why, sizeof(why)), -1);
	CU_ASSERT_EQUAL(valid_der_framing(good, 0, why, sizeof(why)), -1);
	/* SEQUENCE nested beyond the depth bound (short lengths only). */
	n = (sizeof(deep) / 2) < 64 ? sizeof(deep) / 2 : 60;
	for (i = 0; i < n; i++) {
		deep[2 * i] = 0x30;
		deep[2 * i + 1] = (unsigned char)(2 * (n - i - 1));
	}
	CU_ASSERT_EQUAL(valid_der_framing(deep, 2 * n, why, sizeof(why)), 0);
}

static void
test_valid_expires_min(void)
{
	CU_ASSERT_EQUAL(valid_expires_min(5, 7), 5);
	CU_ASSERT_EQUAL(valid_expires_min(7, 5), 5);
	CU_ASSERT_EQUAL(valid_expires_min(0, 5), 5);
	CU_ASSERT_EQUAL(valid_expires_min(5, 0), 5);
	CU_ASSERT_EQUAL(valid_expires_min(0, 0), 0);
}

static int
same_bytes(const struct store_file *f, const char *s)
{
	return f != NULL && f->len == strlen(s) && memcmp(f->der, s,
	    f->len) == 0;
}

/* The stored copy for uri, loaded; 0 or -1. */
static int
store_get(struct store *st, const char *uri, struct storepack *p)
{
	char why[256];
	int fd, rc;

	if ((fd = store_copy_open(st, uri)) == -1)
		return -1;
	rc = storepack_load(fd, p, why, sizeof(why));
	close(fd);
	return rc;
}

/* Is there an entry called name in dir? */
static int
store_has(const char *dir, const char *name)
{
	char *p = tu_asprintf("%s/%s", dir, name);
	int rc = access(p, F_OK) == 0;

	free(p);
	return rc;
}

/* Save, look up, replace, remove. */
static void
test_store(void)
{
	char *dir = tu_tmpdir("store"), name[PATH_MAX], name2[PATH_MAX];
	struct store *st;
	struct store_file f[2] = {
		{ "a.mft", (const unsigned char *)"one", 3 },
		{ "b.roa", (const unsigned char *)"two", 3 },
	};
	struct store_file bad = { "../x", (const unsigned char *)"x", 1 };
	struct storepack p;

	quiet();
	st = store_open(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(store_copy_open(st, "rsync://h/m/a.mft"), -1);
	CU_ASSERT_EQUAL(store_link(st, "rsync://h/m/a.mft", name,
	    sizeof(name)), -1);
	CU_ASSERT_EQUAL(store_save(st, "rsync://h/m/a.mft", f, 2), 0);
	CU_ASSERT_EQUAL_FATAL(store_get(st, "rsync://h/m/a.mft", &p), 0);
	CU_ASSERT(same_bytes(storepack_find(&p, "b.roa"), "two"));
	CU_ASSERT(p.nfiles == 2 && strcmp(p.files[0].name, "a.mft") == 0);
	storepack_free(&p);
	CU_ASSERT_EQUAL_FATAL(store_link(st, "rsync://h/m/a.mft", name,
	    sizeof(name)), 0);
	CU_ASSERT(store_has(dir, name));
	/* Replace: the old copy goes, the new one has the new bytes. */
	f[1].der = (const unsigned char *)"TWO";
	CU_ASSERT_EQUAL(store_save(st, "rsync://h/m/a.mft", f, 2), 0);
	CU_ASSERT_EQUAL_FATAL(store_link(st, "rsync://h/m/a.mft", name2,
	    sizeof(name2)), 0);
	CU_ASSERT(strcmp(name, name2) != 0);
	CU_ASSERT(!store_has(dir, name));
	CU_ASSERT_EQUAL_FATAL(store_get(st, "rsync://h/m/a.mft", &p), 0);
	CU_ASSERT(same_bytes(storepack_find(&p, "b.roa"), "TWO"));
	storepack_free(&p);
	/* A name that would escape is refused and the old copy kept. */
	CU_ASSERT_EQUAL(store_save(st, "rsync://h/m/a.mft", &bad, 1), -1);
	CU_ASSERT_EQUAL(store_link(st, "rsync://h/m/a.mft", name,
	    sizeof(name)), 0);
	CU_ASSERT_STRING_EQUAL(name, name2);
	CU_ASSERT(store_has(dir, name2));
	/* Another manifest URI is another entry. */
	CU_ASSERT_EQUAL(store_copy_open(st, "rsync://h/m/b.mft"), -1);
	CU_ASSERT_EQUAL(store_remove(st, "rsync://h/m/a.mft"), 0);
	CU_ASSERT_EQUAL(store_copy_open(st, "rsync://h/m/a.mft"), -1);
	CU_ASSERT(!store_has(dir, name2));
	CU_ASSERT_EQUAL(store_remove(st, "rsync://h/m/a.mft"), 0);
	/* Only the links' temporary names could be left: nothing is. */
	CU_ASSERT_EQUAL(tu_system("[ -z \"$(ls -A '%s')\" ]", dir), 0);
	store_close(st);
	log_init(NULL);
	tu_rmtree(dir);
	free(dir);
}

/*
 * A copy an older Reef wrote, a directory of files, is read as no copy
 * and removed when a new one replaces it.
 */
static void
test_store_legacy_dir(void)
{
	char *dir = tu_tmpdir("store"), key[HASH_SHA256_HEX_LEN + 1];
	const char *uri = "rsync://h/m/a.mft";
	unsigned char md[HASH_SHA256_LEN];
	struct store_file f = { "a.mft", (const unsigned char *)"one", 3 };
	struct store *st;
	struct storepack p;

	quiet();
	CU_ASSERT_EQUAL_FATAL(hash_sha256(uri, strlen(uri), md), 0);
	hash_hex_encode(md, sizeof(md), key);
	CU_ASSERT_EQUAL_FATAL(tu_system("cd '%s' && mkdir .old && "
	    "echo x > .old/a.mft && echo y > .old/b.roa && ln -s .old %s",
	    dir, key), 0);
	st = store_open(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(store_get(st, uri, &p), -1);
	CU_ASSERT_EQUAL(store_save(st, uri, &f, 1), 0);
	CU_ASSERT(!store_has(dir, ".old"));
	CU_ASSERT_EQUAL_FATAL(store_get(st, uri, &p), 0);
	CU_ASSERT(same_bytes(storepack_find(&p, "a.mft"), "one"));
	storepack_free(&p);
	store_close(st);
	log_init(NULL);
	tu_rmtree(dir);
	free(dir);
}

/* Number of jobs (and sub-jobs) the pool test runs. */
#define POOL_JOBS	200
#define POOL_FANOUT	3

struct pool_arg {
	struct threadpool	*pool;
	atomic_int		 done;
	atomic_int		 errors;	/* CUnit is not thread-safe */
	int			 depth;
};

struct pool_job {
	struct pool_arg	*a;
	int		 depth;
};

static void
pool_fn(void *arg)
{
	struct pool_job *j = arg, *c;
	int i;

	atomic_fetch_add(&j->a->done, 1);
	if (j->depth < j->a->depth)
		for (i = 0; i < POOL_FANOUT; i++) {
			if ((c = malloc(sizeof(*c))) == NULL) {
				atomic_fetch_add(&j->a->errors, 1);
				continue;
			}
			c->a = j->a;
			c->depth = j->depth + 1;
			if (threadpool_submit(j->a->pool, pool_fn, c) == -1) {
				atomic_fetch_add(&j->a->errors, 1);
				free(c);
			}
		}
	free(j);
}

/* The order test: the first job holds the only worker until released. */
struct order_arg {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 released;
	char		 seen[8];
	size_t		 n;
};

struct order_job {
	struct order_arg *a;
	char		  name;
};

static void
order_fn(void *arg)
{
	struct order_job *j = arg;
	struct order_arg *a = j->a;

	pthread_mutex_lock(&a->lock);
	if (j->name == 'h')
		while (!a->released)
			pthread_cond_wait(&a->cond, &a->lock);
	else if (a->n < sizeof(a->seen) - 1)
		a->seen[a->n++] = j->name;
	pthread_mutex_unlock(&a->lock);
}

/* threadpool_submit() queues last, threadpool_submit_front() first. */
static void
test_threadpool_order(void)
{
	struct order_arg a;
	struct order_job jobs[] = {
		{ &a, 'h' }, { &a, 'a' }, { &a, 'b' }, { &a, 'c' }, { &a, 'd' }
	};
	struct threadpool *p;

	memset(&a, 0, sizeof(a));
	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.cond, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = threadpool_new(1));
	CU_ASSERT_EQUAL(threadpool_submit(p, order_fn, &jobs[0]), 0);
	/* Queued behind the holding job: a last, then b and c first. */
	CU_ASSERT_EQUAL(threadpool_submit(p, order_fn, &jobs[1]), 0);
	CU_ASSERT_EQUAL(threadpool_submit_front(p, order_fn, &jobs[2]), 0);
	CU_ASSERT_EQUAL(threadpool_submit_front(p, order_fn, &jobs[3]), 0);
	CU_ASSERT_EQUAL(threadpool_submit(p, order_fn, &jobs[4]), 0);
	pthread_mutex_lock(&a.lock);
	a.released = 1;
	pthread_cond_broadcast(&a.cond);
	pthread_mutex_unlock(&a.lock);
	threadpool_wait(p);
	threadpool_free(p);
	/* The holding job may have been taken before or after c and b were
	 * queued; either way c runs before b, and a before d, last. */
	CU_ASSERT_STRING_EQUAL(a.seen, "cbad");
	pthread_cond_destroy(&a.cond);
	pthread_mutex_destroy(&a.lock);
}

/* Jobs queued from jobs are all run before threadpool_wait() returns. */
static void
test_threadpool(void)
{
	struct pool_arg a;
	struct pool_job *j;
	unsigned int n[] = { 1, 4 };
	size_t k;
	int i;

	for (k = 0; k < 2; k++) {
		memset(&a, 0, sizeof(a));
		a.pool = threadpool_new(n[k]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a.pool);
		CU_ASSERT_EQUAL(threadpool_size(a.pool), n[k]);
		a.depth = 2;
		for (i = 0; i < POOL_JOBS; i++) {
			j = malloc(sizeof(*j));
			CU_ASSERT_PTR_NOT_NULL_FATAL(j);
			j->a = &a;
			j->depth = 0;
			CU_ASSERT_EQUAL(threadpool_submit(a.pool, pool_fn, j),
			    0);
		}
		threadpool_wait(a.pool);
		CU_ASSERT_EQUAL(atomic_load(&a.errors), 0);
		/* Each root job: 1 + 3 + 9. */
		CU_ASSERT_EQUAL(atomic_load(&a.done), POOL_JOBS *
		    (1 + POOL_FANOUT + POOL_FANOUT * POOL_FANOUT));
		threadpool_free(a.pool);
	}
	a.pool = threadpool_new(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a.pool);
	CU_ASSERT(threadpool_size(a.pool) >= 1);
	threadpool_free(a.pool);
	threadpool_free(NULL);
}

struct reports {
	int	tal_rejected;
	int	total;
};

static void
count_report(void *arg, const char *uri, const char *type, int ok,
    const char *why, const struct walk_detail *d)
{
	struct reports *r = arg;

	r->total++;
	if (strcmp(type, "tal") == 0 && !ok && why != NULL)
		r->tal_rejected++;
}

/* Configuration errors, no TALs, a TAL without any cached TA. */
static void
test_walk_edges(void)
{
	struct walk_config cfg;
	struct walk_result res;
	struct tal tal, *tals[1];
	struct reports rep;
	char *dir = tu_tmpdir("walk-edges");
	char *uris[1] = { "rsync://example.net/ta/ta.cer" };
	unsigned char key[] = { 0x30, 0x00 };

	quiet();
	memset(&cfg, 0, sizeof(cfg));
	CU_ASSERT_EQUAL(walk_run(&cfg, &res), -1);	/* no cache dir */
	CU_ASSERT_PTR_NULL(res.vrps);
	CU_ASSERT_EQUAL(walk_run(NULL, &res), -1);
	cfg.cache_dir = dir;
	cfg.now = CONF_NOW;
	cfg.threads = 2;
	CU_ASSERT_EQUAL_FATAL(walk_run(&cfg, &res), 0);
	CU_ASSERT_EQUAL(vrpset_count(res.vrps), 0);
	CU_ASSERT(vrpset_frozen(res.vrps));
	CU_ASSERT(aspaset_frozen(res.aspas));
	CU_ASSERT(rkset_frozen(res.rks));
	CU_ASSERT_EQUAL(res.ntas, 0);
	walk_result_free(&res);
	CU_ASSERT_PTR_NULL(res.vrps);
	walk_result_free(NULL);

	memset(&tal, 0, sizeof(tal));
	tal.name = "missing";
	tal.uris = uris;
	tal.nuris = 1;
	tal.spki = key;
	tal.spki_len = sizeof(key);
	tals[0] = &tal;
	memset(&rep, 0, sizeof(rep));
	cfg.tals = tals;
	cfg.ntals = 1;
	cfg.report = count_report;
	cfg.report_arg = &rep;
	cfg.store_dir = NULL;
	CU_ASSERT_EQUAL_FATAL(walk_run(&cfg, &res), 0);
	CU_ASSERT_EQUAL(res.stats.tas, 0);
	CU_ASSERT_EQUAL(res.stats.tas_failed, 1);
	CU_ASSERT_EQUAL(res.ntas, 1);
	CU_ASSERT_STRING_EQUAL(res.ta_names[0], "missing");
	CU_ASSERT_EQUAL(rep.tal_rejected, 1);
	walk_result_free(&res);
	/* More TALs than MAX_TALS is a configuration error. */
	cfg.ntals = MAX_TALS + 1;
	CU_ASSERT_EQUAL(walk_run(&cfg, &res), -1);
	log_init(NULL);
	tu_rmtree(dir);
	free(dir);
}

REEF_SUITE(walk,
    REEF_TEST(test_valid_ta),
    REEF_TEST(test_valid_crl),
    REEF_TEST(test_valid_cert),
    REEF_TEST(test_valid_mft),
    REEF_TEST(test_valid_roa),
    REEF_TEST(test_valid_mft_successor),
    REEF_TEST(test_valid_filehash),
    REEF_TEST(test_valid_der_framing),
    REEF_TEST(test_valid_expires_min),
    REEF_TEST(test_store),
    REEF_TEST(test_store_legacy_dir),
    REEF_TEST(test_threadpool),
    REEF_TEST(test_threadpool_order),
    REEF_TEST(test_walk_edges))
