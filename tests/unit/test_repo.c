/*
 * Unit tests: repository state file (validator/repo.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "validator/repo.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

static void
fill(struct repo_state *st)
{
	repo_state_init(st);
	strcpy(st->session, "9df4b597-af9e-4dca-bdda-719cce2c4e28");
	st->serial = 18446744073709551615ULL;
	strcpy(st->notify, "https://rrdp.example.net/notification.xml");
	strcpy(st->etag, "\"abc-123\"");
	strcpy(st->last_modified, "Thu, 26 Nov 2026 02:51:48 GMT");
	st->proto = REPO_PROTO_RRDP;
	st->last_success = 1795661508;
	st->last_attempt = 1795661509;
	strcpy(st->last_error, "https://x/: status 500");
	st->duration_ms = 1234;
	st->bytes = 99999;
	st->objects = 42;
}

static void
test_repo_roundtrip(void)
{
	struct repo_state a, b;
	char *dir = tu_tmpdir("repo"), *p = tu_asprintf("%s/state", dir);

	fill(&a);
	CU_ASSERT_EQUAL(repo_state_write(p, &a), 0);
	CU_ASSERT_EQUAL(repo_state_read(p, &b), 0);
	CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
	CU_ASSERT_STRING_EQUAL(b.session, a.session);
	CU_ASSERT_EQUAL(b.serial, a.serial);
	CU_ASSERT_EQUAL(b.proto, REPO_PROTO_RRDP);
	/* Fresh state round trips too. */
	repo_state_init(&a);
	a.proto = REPO_PROTO_RSYNC;
	CU_ASSERT_EQUAL(repo_state_write(p, &a), 0);
	CU_ASSERT_EQUAL(repo_state_read(p, &b), 0);
	CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
	tu_rmtree(dir);
	free(p);
	free(dir);
}

static int
read_text(const char *p, const char *text, struct repo_state *st)
{
	CU_ASSERT_EQUAL(tu_write_file(p, text, strlen(text)), 0);
	return repo_state_read(p, st);
}

static void
test_repo_corrupt(void)
{
	static const char *bad[] = {
		"",
		"garbage\n",
		"reef-repo-state 2\nserial 1\n",
		"reef-repo-state 1\nserial x\n",
		"reef-repo-state 1\nserial -1\n",
		"reef-repo-state 1\nserial 99999999999999999999999\n",
		"reef-repo-state 1\nsession 9df4b597-af9e-4dca-bdda-719cce2c4e28\n",
		"reef-repo-state 1\nserial 5\n",
		"reef-repo-state 1\nproto ftp\n",
		"reef-repo-state 1\nnoseparator\n",
		"reef-repo-state 1\nbytes 12",	/* truncated */
		"reef-repo-state 1\netag a\tb\n",
	};
	struct repo_state st;
	char *dir = tu_tmpdir("repo"), *p = tu_asprintf("%s/state", dir);
	size_t i;
	char big[REPO_STATE_MAX_SIZE + 64];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&st, 0x5a, sizeof(st));
		CU_ASSERT_EQUAL(read_text(p, bad[i], &st), -1);
		CU_ASSERT_EQUAL(st.serial, 0);
		CU_ASSERT_EQUAL(st.session[0], '\0');
		CU_ASSERT_EQUAL(st.proto, REPO_PROTO_NONE);
	}
	/* Oversized file. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "reef-repo-state 1\n", 18);
	big[sizeof(big) - 1] = '\n';
	CU_ASSERT_EQUAL(tu_write_file(p, big, sizeof(big)), 0);
	CU_ASSERT_EQUAL(repo_state_read(p, &st), -1);
	/* Binary NUL inside. */
	CU_ASSERT_EQUAL(tu_write_file(p, "reef-repo-state 1\n\0\n", 20), 0);
	CU_ASSERT_EQUAL(repo_state_read(p, &st), -1);
	/* Missing file: fresh, -1. */
	CU_ASSERT_EQUAL(repo_state_read("/nonexistent/reef/state", &st), -1);
	CU_ASSERT_EQUAL(st.serial, 0);
	/* Unknown keys are ignored (newer writers). */
	CU_ASSERT_EQUAL(read_text(p, "reef-repo-state 1\nfuture 7\nbytes 3\n",
	    &st), 0);
	CU_ASSERT_EQUAL(st.bytes, 3);
	tu_rmtree(dir);
	free(p);
	free(dir);
}

static void
test_repo_unprintable(void)
{
	struct repo_state a, b;
	char *dir = tu_tmpdir("repo"), *p = tu_asprintf("%s/state", dir);

	fill(&a);
	strcpy(a.etag, "bad\nline");
	strcpy(a.last_error, "bell\a");
	CU_ASSERT_EQUAL(repo_state_write(p, &a), 0);
	CU_ASSERT_EQUAL(repo_state_read(p, &b), 0);
	CU_ASSERT_EQUAL(b.etag[0], '\0');	/* left out, not mangled */
	CU_ASSERT_EQUAL(b.last_error[0], '\0');
	CU_ASSERT_STRING_EQUAL(b.session, a.session);
	/* repo_state_set refuses what does not fit or is not printable. */
	repo_state_set(b.etag, 4, "abcd");
	CU_ASSERT_STRING_EQUAL(b.etag, "");
	repo_state_set(b.etag, 4, "abc");
	CU_ASSERT_STRING_EQUAL(b.etag, "abc");
	repo_state_set(b.etag, sizeof(b.etag), "x\x7f");
	CU_ASSERT_STRING_EQUAL(b.etag, "");
	CU_ASSERT_STRING_EQUAL(repo_proto_name(REPO_PROTO_RSYNC), "rsync");
	tu_rmtree(dir);
	free(p);
	free(dir);
}

REEF_SUITE(repo, REEF_TEST(test_repo_roundtrip), REEF_TEST(test_repo_corrupt),
    REEF_TEST(test_repo_unprintable))
