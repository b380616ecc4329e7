/*
 * Tests for the reef-repogen RRDP writer: files are written from small trees
 * in a scratch directory, then read back with libxml2 and checked against
 * RFC 8182 and against the bytes of the trees.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "suite.h"
#include "util.h"
#include "tests/tools/repogen/rrdp_write.h"

#define RRDP_NS		"http://www.ripe.net/rpki/rrdp"
#define SESSION		"9df4b597-af9e-4dca-bdda-719cce2c4e28"
#define RSYNC_BASE	"rsync://localhost/repo/"
#define HTTPS_BASE	"https://localhost/rrdp/repo/"
/* Larger than the writer's read chunk, so chunked base64 is exercised. */
#define BIG_LEN		200003

struct fixture {
	char	*root;
	char	*tree1;
	char	*tree2;
	char	*tree3;
	char	*rrdp1;
	char	*rrdp2;
	char	*rrdp3;
};

static void
put(const char *dir, const char *rel, const void *buf, size_t len)
{
	char *p = tu_asprintf("%s/%s", dir, rel), *slash;

	/* Create the parent directories of rel. */
	for (slash = p + strlen(dir) + 1; (slash = strchr(slash, '/')) != NULL;
	    slash++) {
		*slash = '\0';
		mkdir(p, 0755);
		*slash = '/';
	}
	CU_ASSERT_FATAL(tu_write_file(p, buf, len) == 0);
	free(p);
}

static void
puts_file(const char *dir, const char *rel, const char *s)
{
	put(dir, rel, s, strlen(s));
}

static unsigned char *
big_blob(unsigned char seed)
{
	unsigned char *b = malloc(BIG_LEN);
	size_t i;

	CU_ASSERT_FATAL(b != NULL);
	for (i = 0; i < BIG_LEN; i++)
		b[i] = (unsigned char)(i * 31 + seed);
	return b;
}

/*
 * tree1: a.cer, b.roa, c.crl, sub/d.mft, big.bin, "x&y.roa"
 * tree2: a.cer changed, b.roa removed, c.crl same, sub/d.mft changed,
 *        big.bin same, "x&y.roa" same, sub/e.gbr new
 * tree3: tree2 with c.crl removed
 */
static void
fixture_setup(struct fixture *fx)
{
	static const unsigned char bin[] = { 0x30, 0x00, 0xff, 0x0a, 0x00 };
	unsigned char *big = big_blob(7);

	memset(fx, 0, sizeof(*fx));
	fx->root = tu_tmpdir("rrdpw");
	CU_ASSERT_FATAL(fx->root != NULL);
	fx->tree1 = tu_asprintf("%s/t1", fx->root);
	fx->tree2 = tu_asprintf("%s/t2", fx->root);
	fx->tree3 = tu_asprintf("%s/t3", fx->root);
	fx->rrdp1 = tu_asprintf("%s/r1", fx->root);
	fx->rrdp2 = tu_asprintf("%s/r2", fx->root);
	fx->rrdp3 = tu_asprintf("%s/r3", fx->root);
	mkdir(fx->tree1, 0755);
	mkdir(fx->tree2, 0755);
	mkdir(fx->tree3, 0755);

	put(fx->tree1, "a.cer", bin, sizeof(bin));
	puts_file(fx->tree1, "b.roa", "roa one");
	puts_file(fx->tree1, "c.crl", "crl");
	puts_file(fx->tree1, "sub/d.mft", "manifest one");
	put(fx->tree1, "big.bin", big, BIG_LEN);
	puts_file(fx->tree1, "x&y.roa", "odd name");

	puts_file(fx->tree2, "a.cer", "cert two");
	puts_file(fx->tree2, "c.crl", "crl");
	puts_file(fx->tree2, "sub/d.mft", "manifest two");
	put(fx->tree2, "big.bin", big, BIG_LEN);
	puts_file(fx->tree2, "x&y.roa", "odd name");
	puts_file(fx->tree2, "sub/e.gbr", "ghostbusters");

	puts_file(fx->tree3, "a.cer", "cert two");
	puts_file(fx->tree3, "sub/d.mft", "manifest two");
	put(fx->tree3, "big.bin", big, BIG_LEN);
	puts_file(fx->tree3, "x&y.roa", "odd name");
	puts_file(fx->tree3, "sub/e.gbr", "ghostbusters");
	free(big);
}

static void
fixture_free(struct fixture *fx)
{
	tu_rmtree(fx->root);
	free(fx->root);
	free(fx->tree1);
	free(fx->tree2);
	free(fx->tree3);
	free(fx->rrdp1);
	free(fx->rrdp2);
	free(fx->rrdp3);
}

static struct rrdp_write_args
args_for(const char *tree, const char *prev_tree, const char *prev_rrdp,
    const char *outdir, uint64_t serial)
{
	struct rrdp_write_args a = {
		.tree = tree,
		.prev_tree = prev_tree,
		.prev_rrdp = prev_rrdp,
		.rsync_base = RSYNC_BASE,
		.https_base = HTTPS_BASE,
		.outdir = outdir,
		.session_id = SESSION,
		.serial = serial,
	};

	return a;
}

static void
write_gens(struct fixture *fx, int ngen)
{
	struct rrdp_write_args a;

	a = args_for(fx->tree1, NULL, NULL, fx->rrdp1, 1);
	CU_ASSERT_FATAL(rrdp_write(&a) == 0);
	if (ngen < 2)
		return;
	a = args_for(fx->tree2, fx->tree1, fx->rrdp1, fx->rrdp2, 2);
	CU_ASSERT_FATAL(rrdp_write(&a) == 0);
	if (ngen < 3)
		return;
	a = args_for(fx->tree3, fx->tree2, fx->rrdp2, fx->rrdp3, 3);
	CU_ASSERT_FATAL(rrdp_write(&a) == 0);
}

/* Lowercase hex SHA-256 of len bytes, into a static-free caller buffer. */
static void
sha256_hex(const void *buf, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen, i;

	CU_ASSERT_FATAL(EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL));
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * mdlen] = '\0';
}

static void
file_hash(const char *path, char out[65])
{
	unsigned char *buf;
	size_t len;

	buf = tu_read_file(path, &len);
	CU_ASSERT_FATAL(buf != NULL);
	sha256_hex(buf, len, out);
	free(buf);
}

static int
file_equals(const char *path, const unsigned char *buf, size_t len)
{
	unsigned char *f;
	size_t flen;
	int eq;

	if ((f = tu_read_file(path, &flen)) == NULL)
		return 0;
	eq = flen == len && memcmp(f, buf, len) == 0;
	free(f);
	return eq;
}

static xmlDocPtr
parse(const char *path)
{
	xmlDocPtr doc;

	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	CU_ASSERT_FATAL(doc != NULL);
	return doc;
}

/* The attribute as a malloc'd C string (NULL if absent). */
static char *
attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s;

	if (v == NULL)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

static int
attr_is(xmlNodePtr n, const char *name, const char *want)
{
	char *v = attr(n, name);
	int eq = v != NULL && strcmp(v, want) == 0;

	free(v);
	return eq;
}

/* Check the RFC 8182 root element and return it. */
static xmlNodePtr
check_root(xmlDocPtr doc, const char *elem, const char *serial)
{
	xmlNodePtr r = xmlDocGetRootElement(doc);

	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_STRING_EQUAL((const char *)r->name, elem);
	CU_ASSERT_FATAL(r->ns != NULL);
	CU_ASSERT_STRING_EQUAL((const char *)r->ns->href, RRDP_NS);
	CU_ASSERT(attr_is(r, "version", "1"));
	CU_ASSERT(attr_is(r, "session_id", SESSION));
	CU_ASSERT(attr_is(r, "serial", serial));
	return r;
}

static xmlNodePtr
next_elem(xmlNodePtr n)
{
	while (n != NULL && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

static size_t
count_elems(xmlNodePtr parent)
{
	xmlNodePtr n;
	size_t c = 0;

	for (n = next_elem(parent->children); n != NULL;
	    n = next_elem(n->next))
		c++;
	return c;
}

/* Decode base64 text (whitespace tolerated) into a malloc'd buffer. */
static unsigned char *
b64_decode(const char *text, size_t *outlen)
{
	char *clean;
	unsigned char *out;
	size_t i, n = 0, pad = 0;
	int r;

	clean = malloc(strlen(text) + 1);
	CU_ASSERT_FATAL(clean != NULL);
	for (i = 0; text[i] != '\0'; i++)
		if (strchr(" \t\r\n", text[i]) == NULL)
			clean[n++] = text[i];
	clean[n] = '\0';
	out = malloc(n / 4 * 3 + 1);
	CU_ASSERT_FATAL(out != NULL);
	r = EVP_DecodeBlock(out, (unsigned char *)clean, (int)n);
	CU_ASSERT_FATAL(r >= 0);
	if (n > 0 && clean[n - 1] == '=')
		pad++;
	if (n > 1 && clean[n - 2] == '=')
		pad++;
	free(clean);
	*outlen = (size_t)r - pad;
	return out;
}

/*
 * Check one <publish> element: its uri is rsync_base + rel, its content
 * decodes to the bytes of tree/rel and its hash attribute is oldhash (or
 * absent when oldhash is NULL).
 */
static void
check_publish(xmlNodePtr n, const char *tree, const char *rel,
    const char *oldhash)
{
	char *uri = tu_asprintf("%s%s", RSYNC_BASE, rel);
	char *path = tu_asprintf("%s/%s", tree, rel);
	xmlChar *content;
	unsigned char *dec;
	size_t declen;
	char *h;

	CU_ASSERT_STRING_EQUAL((const char *)n->name, "publish");
	CU_ASSERT(attr_is(n, "uri", uri));
	h = attr(n, "hash");
	if (oldhash == NULL) {
		CU_ASSERT_PTR_NULL(h);
	} else {
		CU_ASSERT(h != NULL && strcmp(h, oldhash) == 0);
	}
	free(h);
	content = xmlNodeGetContent(n);
	CU_ASSERT_FATAL(content != NULL);
	dec = b64_decode((const char *)content, &declen);
	CU_ASSERT(file_equals(path, dec, declen));
	free(dec);
	xmlFree(content);
	free(uri);
	free(path);
}

static void
check_withdraw(xmlNodePtr n, const char *rel, const char *oldhash)
{
	char *uri = tu_asprintf("%s%s", RSYNC_BASE, rel);

	CU_ASSERT_STRING_EQUAL((const char *)n->name, "withdraw");
	CU_ASSERT(attr_is(n, "uri", uri));
	CU_ASSERT(attr_is(n, "hash", oldhash));
	CU_ASSERT_PTR_NULL(next_elem(n->children));
	free(uri);
}

/* Check a notification's <snapshot> or <delta> reference against the file. */
static void
check_ref(xmlNodePtr n, const char *elem, const char *rrdpdir,
    const char *relfile, const char *serial)
{
	char *uri = tu_asprintf("%s%s", HTTPS_BASE, relfile);
	char *path = tu_asprintf("%s/%s", rrdpdir, relfile);
	char hex[65];

	CU_ASSERT_FATAL(n != NULL);
	CU_ASSERT_STRING_EQUAL((const char *)n->name, elem);
	CU_ASSERT(attr_is(n, "uri", uri));
	file_hash(path, hex);
	CU_ASSERT(attr_is(n, "hash", hex));
	if (serial != NULL) {
		CU_ASSERT(attr_is(n, "serial", serial));
	}
	free(uri);
	free(path);
}

static void
test_first_generation(void)
{
	struct fixture fx;
	xmlDocPtr doc;
	xmlNodePtr r, n;
	char *p;
	struct stat st;
	/* strcmp order of the relative paths in tree1 */
	static const char *order[] = {
		"a.cer", "b.roa", "big.bin", "c.crl", "sub/d.mft", "x&y.roa"
	};
	size_t i;

	fixture_setup(&fx);
	write_gens(&fx, 1);

	p = tu_asprintf("%s/notification.xml", fx.rrdp1);
	doc = parse(p);
	free(p);
	r = check_root(doc, "notification", "1");
	CU_ASSERT_EQUAL(count_elems(r), 1);
	check_ref(next_elem(r->children), "snapshot", fx.rrdp1,
	    SESSION "/1/snapshot.xml", NULL);
	xmlFreeDoc(doc);

	/* The first generation has nothing to be a delta from. */
	p = tu_asprintf("%s/%s/1/delta.xml", fx.rrdp1, SESSION);
	CU_ASSERT(stat(p, &st) == -1);
	free(p);

	p = tu_asprintf("%s/%s/1/snapshot.xml", fx.rrdp1, SESSION);
	doc = parse(p);
	free(p);
	r = check_root(doc, "snapshot", "1");
	CU_ASSERT_EQUAL_FATAL(count_elems(r), sizeof(order) / sizeof(order[0]));
	n = next_elem(r->children);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		check_publish(n, fx.tree1, order[i], NULL);
		n = next_elem(n->next);
	}
	xmlFreeDoc(doc);
	fixture_free(&fx);
}

static void
test_delta(void)
{
	struct fixture fx;
	xmlDocPtr doc;
	xmlNodePtr r, n;
	char *p, h_a[65], h_b[65], h_d[65];

	fixture_setup(&fx);
	write_gens(&fx, 2);

	p = tu_asprintf("%s/a.cer", fx.tree1);
	file_hash(p, h_a);
	free(p);
	p = tu_asprintf("%s/b.roa", fx.tree1);
	file_hash(p, h_b);
	free(p);
	p = tu_asprintf("%s/sub/d.mft", fx.tree1);
	file_hash(p, h_d);
	free(p);

	p = tu_asprintf("%s/notification.xml", fx.rrdp2);
	doc = parse(p);
	free(p);
	r = check_root(doc, "notification", "2");
	CU_ASSERT_EQUAL(count_elems(r), 2);
	n = next_elem(r->children);
	check_ref(n, "snapshot", fx.rrdp2, SESSION "/2/snapshot.xml", NULL);
	check_ref(next_elem(n->next), "delta", fx.rrdp2,
	    SESSION "/2/delta.xml", "2");
	xmlFreeDoc(doc);

	/*
	 * Changed: a.cer, sub/d.mft (publish with old hash); new: sub/e.gbr
	 * (publish, no hash); gone: b.roa (withdraw).  c.crl, big.bin and
	 * x&y.roa are unchanged and must not appear.
	 */
	p = tu_asprintf("%s/%s/2/delta.xml", fx.rrdp2, SESSION);
	doc = parse(p);
	free(p);
	r = check_root(doc, "delta", "2");
	CU_ASSERT_EQUAL_FATAL(count_elems(r), 4);
	n = next_elem(r->children);
	check_publish(n, fx.tree2, "a.cer", h_a);
	n = next_elem(n->next);
	check_withdraw(n, "b.roa", h_b);
	n = next_elem(n->next);
	check_publish(n, fx.tree2, "sub/d.mft", h_d);
	n = next_elem(n->next);
	check_publish(n, fx.tree2, "sub/e.gbr", NULL);
	xmlFreeDoc(doc);

	/* The snapshot holds the whole new tree. */
	p = tu_asprintf("%s/%s/2/snapshot.xml", fx.rrdp2, SESSION);
	doc = parse(p);
	free(p);
	r = check_root(doc, "snapshot", "2");
	CU_ASSERT_EQUAL(count_elems(r), 6);
	xmlFreeDoc(doc);
	fixture_free(&fx);
}

static void
test_delta_chain(void)
{
	struct fixture fx;
	xmlDocPtr doc;
	xmlNodePtr r, n;
	unsigned char *d2;
	size_t d2len;
	char *p, h_c[65];

	fixture_setup(&fx);
	write_gens(&fx, 3);

	/* Newest first: snapshot 3, delta 3, delta 2 (copied from gen 2). */
	p = tu_asprintf("%s/notification.xml", fx.rrdp3);
	doc = parse(p);
	free(p);
	r = check_root(doc, "notification", "3");
	CU_ASSERT_EQUAL_FATAL(count_elems(r), 3);
	n = next_elem(r->children);
	check_ref(n, "snapshot", fx.rrdp3, SESSION "/3/snapshot.xml", NULL);
	n = next_elem(n->next);
	check_ref(n, "delta", fx.rrdp3, SESSION "/3/delta.xml", "3");
	n = next_elem(n->next);
	check_ref(n, "delta", fx.rrdp3, SESSION "/2/delta.xml", "2");
	xmlFreeDoc(doc);

	p = tu_asprintf("%s/%s/2/delta.xml", fx.rrdp2, SESSION);
	d2 = tu_read_file(p, &d2len);
	free(p);
	CU_ASSERT_FATAL(d2 != NULL);
	p = tu_asprintf("%s/%s/2/delta.xml", fx.rrdp3, SESSION);
	CU_ASSERT(file_equals(p, d2, d2len));
	free(p);
	free(d2);

	/* Old snapshots are not carried over. */
	p = tu_asprintf("%s/%s/2/snapshot.xml", fx.rrdp3, SESSION);
	CU_ASSERT(access(p, F_OK) == -1);
	free(p);

	p = tu_asprintf("%s/c.crl", fx.tree2);
	file_hash(p, h_c);
	free(p);
	p = tu_asprintf("%s/%s/3/delta.xml", fx.rrdp3, SESSION);
	doc = parse(p);
	free(p);
	r = check_root(doc, "delta", "3");
	CU_ASSERT_EQUAL_FATAL(count_elems(r), 1);
	check_withdraw(next_elem(r->children), "c.crl", h_c);
	xmlFreeDoc(doc);
	fixture_free(&fx);
}

/* A gap in the previous chain ends the list: deltas must be contiguous. */
static void
test_chain_gap(void)
{
	struct fixture fx;
	struct rrdp_write_args a;
	xmlDocPtr doc;
	xmlNodePtr r;
	char *p;

	fixture_setup(&fx);
	write_gens(&fx, 2);
	/* Pretend gen 2 was serial 4: prev_rrdp only has delta 2, not 3. */
	a = args_for(fx.tree3, fx.tree2, fx.rrdp2, fx.rrdp3, 4);
	CU_ASSERT_FATAL(rrdp_write(&a) == 0);
	p = tu_asprintf("%s/notification.xml", fx.rrdp3);
	doc = parse(p);
	free(p);
	r = check_root(doc, "notification", "4");
	CU_ASSERT_EQUAL(count_elems(r), 2);
	xmlFreeDoc(doc);
	fixture_free(&fx);
}

static void
test_deterministic(void)
{
	struct fixture fx;
	struct rrdp_write_args a;
	const char *names[] = { "notification.xml",
	    SESSION "/2/snapshot.xml", SESSION "/2/delta.xml" };
	unsigned char *x, *y;
	size_t xl, yl, i;
	char *p, *q, *other;

	fixture_setup(&fx);
	write_gens(&fx, 2);
	other = tu_asprintf("%s/again", fx.root);
	a = args_for(fx.tree2, fx.tree1, fx.rrdp1, other, 2);
	CU_ASSERT_FATAL(rrdp_write(&a) == 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p = tu_asprintf("%s/%s", fx.rrdp2, names[i]);
		q = tu_asprintf("%s/%s", other, names[i]);
		x = tu_read_file(p, &xl);
		y = tu_read_file(q, &yl);
		CU_ASSERT_FATAL(x != NULL && y != NULL);
		CU_ASSERT(xl == yl && memcmp(x, y, xl) == 0);
		free(x);
		free(y);
		free(p);
		free(q);
	}
	free(other);
	fixture_free(&fx);
}

static void
test_empty_tree(void)
{
	struct fixture fx;
	struct rrdp_write_args a;
	xmlDocPtr doc;
	xmlNodePtr r;
	char *empty, *out, *p;

	fixture_setup(&fx);
	empty = tu_asprintf("%s/empty", fx.root);
	out = tu_asprintf("%s/re", fx.root);
	mkdir(empty, 0755);
	a = args_for(empty, NULL, NULL, out, 1);
	CU_ASSERT_FATAL(rrdp_write(&a) == 0);
	p = tu_asprintf("%s/%s/1/snapshot.xml", out, SESSION);
	doc = parse(p);
	free(p);
	r = check_root(doc, "snapshot", "1");
	CU_ASSERT_EQUAL(count_elems(r), 0);
	xmlFreeDoc(doc);

	/* Everything withdrawn when the tree empties. */
	free(out);
	out = tu_asprintf("%s/re2", fx.root);
	a = args_for(empty, fx.tree1, NULL, out, 2);
	CU_ASSERT_FATAL(rrdp_write(&a) == 0);
	p = tu_asprintf("%s/%s/2/delta.xml", out, SESSION);
	doc = parse(p);
	free(p);
	r = check_root(doc, "delta", "2");
	CU_ASSERT_EQUAL(count_elems(r), 6);
	CU_ASSERT_STRING_EQUAL(
	    (const char *)next_elem(r->children)->name, "withdraw");
	xmlFreeDoc(doc);
	free(empty);
	free(out);
	fixture_free(&fx);
}

static void
test_bad_args(void)
{
	struct fixture fx;
	struct rrdp_write_args a;
	char *missing;

	fixture_setup(&fx);
	CU_ASSERT(rrdp_write(NULL) == -1);

	a = args_for(fx.tree1, NULL, NULL, fx.rrdp1, 1);
	a.session_id = "9DF4B597-AF9E-4DCA-BDDA-719CCE2C4E28";
	CU_ASSERT(rrdp_write(&a) == -1);
	a.session_id = "9df4b597-af9e-4dca-bdda-719cce2c4e2";
	CU_ASSERT(rrdp_write(&a) == -1);
	a.session_id = "9df4b597xaf9e-4dca-bdda-719cce2c4e28";
	CU_ASSERT(rrdp_write(&a) == -1);
	a.session_id = NULL;
	CU_ASSERT(rrdp_write(&a) == -1);

	a = args_for(fx.tree1, NULL, NULL, fx.rrdp1, 0);
	CU_ASSERT(rrdp_write(&a) == -1);
	a = args_for(fx.tree2, fx.tree1, NULL, fx.rrdp2, 1);
	CU_ASSERT(rrdp_write(&a) == -1);
	a = args_for(fx.tree1, NULL, NULL, fx.rrdp1, 1);
	a.rsync_base = NULL;
	CU_ASSERT(rrdp_write(&a) == -1);

	missing = tu_asprintf("%s/nonexistent", fx.root);
	a = args_for(missing, NULL, NULL, fx.rrdp1, 1);
	CU_ASSERT(rrdp_write(&a) == -1);
	a = args_for(fx.tree2, missing, NULL, fx.rrdp2, 2);
	CU_ASSERT(rrdp_write(&a) == -1);
	/* outdir below a regular file cannot be created */
	free(missing);
	missing = tu_asprintf("%s/a.cer/out", fx.tree1);
	a = args_for(fx.tree1, NULL, NULL, missing, 1);
	CU_ASSERT(rrdp_write(&a) == -1);
	free(missing);
	fixture_free(&fx);
}

REEF_SUITE(rrdp_write,
    REEF_TEST(test_first_generation),
    REEF_TEST(test_delta),
    REEF_TEST(test_delta_chain),
    REEF_TEST(test_chain_gap),
    REEF_TEST(test_deterministic),
    REEF_TEST(test_empty_tree),
    REEF_TEST(test_bad_args))
