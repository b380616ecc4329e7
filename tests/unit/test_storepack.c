/*
 * Tests for validator/storepack.c: the one-file format of a stored copy.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "validator/storepack.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* More files than one writev(2) batch takes. */
#define MANY_FILES	1000
#define BIG_FILE	100000

/* Write files to a new file in dir; returns its path (malloc'd) or NULL. */
static char *
pack_to_file(const char *dir, const struct store_file *f, size_t n)
{
	char *path = tu_asprintf("%s/pack", dir);
	int fd, rc;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1) {
		free(path);
		return NULL;
	}
	rc = storepack_write(fd, f, n);
	close(fd);
	if (rc == -1) {
		unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

static int
load_path(const char *path, struct storepack *p)
{
	char why[256];
	int fd, rc;

	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	rc = storepack_load(fd, p, why, sizeof(why));
	close(fd);
	return rc;
}

static int
same(const struct store_file *f, const char *s)
{
	return f != NULL && f->len == strlen(s) && memcmp(f->der, s,
	    f->len) == 0;
}

/* Written, read back whole and in part, looked up by name. */
static void
test_storepack_roundtrip(void)
{
	char *dir = tu_tmpdir("storepack"), *path, name[MAX_FILENAME_LENGTH + 1];
	const struct store_file f[] = {
		{ "ca.mft", (const unsigned char *)"manifest", 8 },
		{ "z.roa", (const unsigned char *)"roa bytes", 9 },
		{ "ca.crl", (const unsigned char *)"", 0 },
		{ "b.cer", (const unsigned char *)"cert", 4 },
	};
	struct storepack p;
	unsigned char *der;
	size_t len, i;
	char why[256];
	int fd;

	path = pack_to_file(dir, f, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	CU_ASSERT_EQUAL_FATAL(load_path(path, &p), 0);
	CU_ASSERT_EQUAL(p.nfiles, 4);
	for (i = 0; i < 4 && p.nfiles == 4; i++) {
		CU_ASSERT_STRING_EQUAL(p.files[i].name, f[i].name);
		CU_ASSERT(p.files[i].len == f[i].len &&
		    memcmp(p.files[i].der, f[i].der, f[i].len) == 0);
		CU_ASSERT(storepack_find(&p, f[i].name) != NULL);
	}
	CU_ASSERT(same(storepack_find(&p, "z.roa"), "roa bytes"));
	CU_ASSERT(same(storepack_find(&p, "ca.crl"), ""));
	CU_ASSERT_PTR_NULL(storepack_find(&p, "a.roa"));
	CU_ASSERT_PTR_NULL(storepack_find(&p, "z.ro"));
	storepack_free(&p);

	/* The manifest alone. */
	CU_ASSERT_FATAL((fd = open(path, O_RDONLY)) != -1);
	CU_ASSERT_EQUAL(storepack_load_first(fd, name, sizeof(name), &der,
	    &len, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(name, "ca.mft");
	CU_ASSERT(len == 8 && der != NULL && memcmp(der, "manifest", 8) == 0);
	free(der);
	/* A name buffer too small for it. */
	CU_ASSERT_EQUAL(storepack_load_first(fd, name, 6, &der, &len, why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NULL(der);
	close(fd);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* Many files, some big: several writev(2) batches, all found. */
static void
test_storepack_many(void)
{
	char *dir = tu_tmpdir("storepack"), *path, *names;
	struct store_file *f;
	unsigned char *big;
	struct storepack p;
	const struct store_file *g;
	size_t i;

	f = calloc(MANY_FILES, sizeof(*f));
	names = calloc(MANY_FILES, 16);
	big = malloc(BIG_FILE);
	CU_ASSERT_FATAL(f != NULL && names != NULL && big != NULL);
	for (i = 0; i < BIG_FILE; i++)
		big[i] = (unsigned char)(i * 13);
	for (i = 0; i < MANY_FILES; i++) {
		snprintf(names + 16 * i, 16, "%04zu.roa", MANY_FILES - i);
		f[i].name = names + 16 * i;
		f[i].der = i % 100 == 7 ? big : (const unsigned char *)f[i].name;
		f[i].len = i % 100 == 7 ? BIG_FILE - i : 8;
	}
	path = pack_to_file(dir, f, MANY_FILES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	CU_ASSERT_EQUAL_FATAL(load_path(path, &p), 0);
	CU_ASSERT_EQUAL(p.nfiles, MANY_FILES);
	for (i = 0; i < MANY_FILES; i++) {
		g = storepack_find(&p, f[i].name);
		CU_ASSERT(g != NULL && g->len == f[i].len &&
		    memcmp(g->der, f[i].der, f[i].len) == 0);
	}
	storepack_free(&p);
	free(path);
	free(f);
	free(names);
	free(big);
	tu_rmtree(dir);
	free(dir);
}

/* What the writer refuses: no file is written from such a list. */
static void
test_storepack_write_refused(void)
{
	char *dir = tu_tmpdir("storepack"), longname[MAX_FILENAME_LENGTH + 2];
	const unsigned char x[] = "x";
	struct store_file f = { "a.roa", x, 1 };
	const char *bad[] = { "", ".hidden", "a/b", "../x", longname };
	size_t i;

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CU_ASSERT_PTR_NULL(pack_to_file(dir, &f, 0));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f.name = bad[i];
		CU_ASSERT_PTR_NULL(pack_to_file(dir, &f, 1));
	}
	/* Too big: refused before its bytes are read. */
	f.name = "a.roa";
	f.len = (size_t)MAX_FILE_SIZE + 1;
	CU_ASSERT_PTR_NULL(pack_to_file(dir, &f, 1));
	tu_rmtree(dir);
	free(dir);
}

/* A valid pack of two files, in memory: mft "m.mft"/"MM", "r.roa"/"R". */
static unsigned char *
two_files(size_t *len)
{
	static const unsigned char pack[] = {
		'R', 'E', 'E', 'F', 'P', 'A', 'K', '1', 0, 0, 0, 2,
		5, 'm', '.', 'm', 'f', 't', 0, 0, 0, 0, 2, 'M', 'M',
		5, 'r', '.', 'r', 'o', 'a', 0, 0, 0, 0, 1, 'R',
	};
	unsigned char *b = malloc(sizeof(pack) + 8);

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	memcpy(b, pack, sizeof(pack));
	*len = sizeof(pack);
	return b;
}

/* Parse a changed copy of two_files(): patch byte at with value. */
static int
parse_patched(size_t at, unsigned char value)
{
	struct storepack p;
	unsigned char *b;
	size_t len;
	char why[256];
	int rc;

	b = two_files(&len);
	b[at] = value;
	rc = storepack_parse(b, len, &p, why, sizeof(why));
	if (rc == 0)
		storepack_free(&p);
	return rc;
}

/* What the parser refuses. */
static void
test_storepack_parse_refused(void)
{
	struct storepack p;
	unsigned char *b;
	size_t len, cut;
	char why[256];

	/* The pack as it is. */
	b = two_files(&len);
	CU_ASSERT_EQUAL_FATAL(storepack_parse(b, len, &p, why, sizeof(why)),
	    0);
	CU_ASSERT(p.nfiles == 2 && same(storepack_find(&p, "m.mft"), "MM") &&
	    same(storepack_find(&p, "r.roa"), "R"));
	storepack_free(&p);
	/* Every shorter prefix. */
	for (cut = 0; cut < len; cut++) {
		b = two_files(&len);
		CU_ASSERT_EQUAL(storepack_parse(b, cut, &p, why, sizeof(why)),
		    -1);
	}
	/* A byte after the last file. */
	b = two_files(&len);
	b[len] = 0;
	CU_ASSERT_EQUAL(storepack_parse(b, len + 1, &p, why, sizeof(why)),
	    -1);
	CU_ASSERT(strstr(why, "after the last") != NULL);
	CU_ASSERT_EQUAL(parse_patched(7, '2'), -1);	/* magic */
	CU_ASSERT_EQUAL(parse_patched(11, 0), -1);	/* no file */
	CU_ASSERT_EQUAL(parse_patched(11, 3), -1);	/* more than there are */
	CU_ASSERT_EQUAL(parse_patched(8, 0x80), -1);	/* far too many */
	CU_ASSERT_EQUAL(parse_patched(12, 0), -1);	/* empty name */
	CU_ASSERT_EQUAL(parse_patched(13, '.'), -1);	/* hidden name */
	CU_ASSERT_EQUAL(parse_patched(14, '/'), -1);	/* a path */
	CU_ASSERT_EQUAL(parse_patched(15, 0), -1);	/* NUL inside */
	CU_ASSERT_EQUAL(parse_patched(18, 'x'), -1);	/* no NUL after */
	CU_ASSERT_EQUAL(parse_patched(19, 1), -1);	/* length too big */
	CU_ASSERT_EQUAL(parse_patched(22, 3), -1);	/* runs into the next */
	/* The same name twice. */
	b = two_files(&len);
	memcpy(b + 26, "m.mft", 5);
	CU_ASSERT_EQUAL(storepack_parse(b, len, &p, why, sizeof(why)), -1);
	CU_ASSERT(strstr(why, "twice") != NULL);
}

/* The first file of a damaged pack on disk. */
static void
test_storepack_first_refused(void)
{
	char *dir = tu_tmpdir("storepack"), *path = tu_asprintf("%s/p", dir);
	char name[MAX_FILENAME_LENGTH + 1], why[256];
	unsigned char *b, *der;
	size_t len, cut;
	int fd;

	b = two_files(&len);
	/* Cut inside the manifest's header or bytes. */
	for (cut = 0; cut < 25; cut++) {
		CU_ASSERT_EQUAL_FATAL(tu_write_file(path, b, cut), 0);
		CU_ASSERT_FATAL((fd = open(path, O_RDONLY)) != -1);
		CU_ASSERT_EQUAL(storepack_load_first(fd, name, sizeof(name),
		    &der, &len, why, sizeof(why)), -1);
		CU_ASSERT_PTR_NULL(der);
		close(fd);
	}
	/* The manifest whole, the rest cut: the first file reads. */
	CU_ASSERT_EQUAL_FATAL(tu_write_file(path, b, 25), 0);
	CU_ASSERT_FATAL((fd = open(path, O_RDONLY)) != -1);
	CU_ASSERT_EQUAL(storepack_load_first(fd, name, sizeof(name), &der,
	    &len, why, sizeof(why)), 0);
	CU_ASSERT(len == 2 && der != NULL && memcmp(der, "MM", 2) == 0);
	free(der);
	close(fd);
	/* A bad first name. */
	b[13] = '/';
	CU_ASSERT_EQUAL_FATAL(tu_write_file(path, b, 37), 0);
	CU_ASSERT_FATAL((fd = open(path, O_RDONLY)) != -1);
	CU_ASSERT_EQUAL(storepack_load_first(fd, name, sizeof(name), &der,
	    &len, why, sizeof(why)), -1);
	close(fd);
	free(b);
	tu_rmtree(dir);
	free(dir);
	free(path);
}

REEF_SUITE(storepack,
    REEF_TEST(test_storepack_roundtrip),
    REEF_TEST(test_storepack_many),
    REEF_TEST(test_storepack_write_refused),
    REEF_TEST(test_storepack_parse_refused),
    REEF_TEST(test_storepack_first_refused))
