/*
 * Tests for the streamed RRDP parsers (validator/rrdp_*.c): corpus files
 * with their known outcomes, one hand-written negative per rule, chunking
 * invariance, files written by the repository generator's RRDP writer, and
 * a throughput and memory measurement on a generated 100+ MB snapshot.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include "common/b64.h"
#include "common/hash.h"
#include "common/log.h"
#include "validator/rrdp.h"
#include "tests/tools/repogen/rrdp_write.h"

#include "suite.h"
#include "util.h"

#define NS		"http://www.ripe.net/rpki/rrdp"
#define SID		"9df4b597-af9e-4dca-bdda-719cce2c4e28"
#define NOTIFY		"https://host/notification.xml"
#define H64		"0123456789abcdefABCDEF0123456789abcdefABCDEF0123456789abcdefABCD"
#define MAX_REC		512
/* Objects of the throughput snapshot, and the size of each. */
#define SPEED_OBJECTS	60000
#define SPEED_OBJLEN	1300
#define SPEED_CHUNK	(64 * 1024)

/* ---- A recording sink ------------------------------------------------ */

struct rec {
	char		 uri[MAX_URI_LENGTH + 1];
	int		 withdraw;
	int		 has_hash;
	unsigned char	 hash[HASH_SHA256_LEN];	/* attribute */
	unsigned char	 data[HASH_SHA256_LEN];	/* SHA-256 of the content */
	size_t		 len;
	int		 ended;			/* 1 ok, -1 aborted */
};

struct tsink {
	struct rec		 recs[MAX_REC];
	size_t			 n;
	int			 open;		/* begun, not ended */
	int			 aborted;
	struct hash_sha256_ctx	 sha;
	/* Failure injection. */
	const char		*refuse_uri;
	int			 fail_begin;
	int			 fail_write;
	int			 fail_end;
	int			 keep;		/* keep no records (speed) */
	uint64_t		 bytes;
};

static int
ts_uri_ok(void *arg, const char *uri)
{
	struct tsink *t = arg;

	return t->refuse_uri == NULL || strstr(uri, t->refuse_uri) == NULL;
}

static void *
ts_begin(void *arg, const char *uri, const unsigned char *hash)
{
	struct tsink *t = arg;
	struct rec *r;

	if (t->fail_begin)
		return NULL;
	CU_ASSERT(t->open == 0);
	t->open++;
	CU_ASSERT_FATAL(hash_sha256_init(&t->sha) == 0);
	if (t->keep)
		return t;
	CU_ASSERT_FATAL(t->n < MAX_REC);
	r = &t->recs[t->n];
	memset(r, 0, sizeof(*r));
	snprintf(r->uri, sizeof(r->uri), "%s", uri);
	if (hash != NULL) {
		r->has_hash = 1;
		memcpy(r->hash, hash, HASH_SHA256_LEN);
	}
	return r;
}

static int
ts_write(void *arg, void *handle, const unsigned char *buf, size_t len)
{
	struct tsink *t = arg;

	CU_ASSERT(len > 0);
	CU_ASSERT(t->open == 1);
	if (t->fail_write)
		return -1;
	t->bytes += len;
	if (!t->keep)
		((struct rec *)handle)->len += len;
	return hash_sha256_update(&t->sha, buf, len);
}

static int
ts_end(void *arg, void *handle, int ok)
{
	struct tsink *t = arg;
	unsigned char md[HASH_SHA256_LEN];

	CU_ASSERT(t->open == 1);
	t->open--;
	CU_ASSERT(hash_sha256_final(&t->sha, md) == 0);
	if (!ok)
		t->aborted++;
	if (t->keep)
		return 0;
	memcpy(((struct rec *)handle)->data, md, sizeof(md));
	((struct rec *)handle)->ended = ok ? 1 : -1;
	if (ok)
		t->n++;
	return ok && t->fail_end ? -1 : 0;
}

static int
ts_withdraw(void *arg, const char *uri, const unsigned char *hash)
{
	struct tsink *t = arg;
	struct rec *r;

	CU_ASSERT_FATAL(t->n < MAX_REC);
	r = &t->recs[t->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->uri, sizeof(r->uri), "%s", uri);
	r->withdraw = 1;
	r->has_hash = 1;
	memcpy(r->hash, hash, HASH_SHA256_LEN);
	return 0;
}

static struct rrdp_sink
sink_of(struct tsink *t)
{
	struct rrdp_sink s = {
		t, ts_uri_ok, ts_begin, ts_write, ts_end, ts_withdraw
	};

	return s;
}

/* ---- Helpers ------------------------------------------------------- */

static unsigned char *
corpus(const char *rel, size_t *len)
{
	char *path;
	unsigned char *buf;

	if (tu_corpusdir() == NULL)
		return NULL;
	path = tu_asprintf("%s/%s", tu_corpusdir(), rel);
	buf = tu_read_file(path, len);
	free(path);
	return buf;
}

static void
hex_to(const char *hex, unsigned char out[HASH_SHA256_LEN])
{
	CU_ASSERT_FATAL(hash_hex_decode(hex, out, HASH_SHA256_LEN) == 0);
}

static int
digest_is(const unsigned char *md, const char *hex)
{
	unsigned char want[HASH_SHA256_LEN];

	hex_to(hex, want);
	return memcmp(md, want, HASH_SHA256_LEN) == 0;
}

static struct rrdp_session
session(const char *id, uint64_t serial)
{
	struct rrdp_session s;

	memset(&s, 0, sizeof(s));
	snprintf(s.id, sizeof(s.id), "%s", id);
	s.serial = serial;
	return s;
}

/* Chunk sizes every parse is repeated with (0: all at once). */
static const size_t chunks[] = { 0, 1, 7, 4096 };
#define NCHUNKS	(sizeof(chunks) / sizeof(chunks[0]))

/*
 * Parse a notification fed in pieces of chunk bytes.  Returns 0 or -1;
 * *out gets the result, err (may be NULL) a copy of the error.
 */
static int
notif_parse(const char *uri, const void *buf, size_t len, size_t chunk,
    struct rrdp_notification **out, char *err, size_t errlen)
{
	struct rrdp_notification_parser *p;
	const char *b = buf;
	size_t off = 0, n;
	int rc = 0;

	*out = NULL;
	p = rrdp_notification_parser_new(uri);
	CU_ASSERT_FATAL(p != NULL);
	while (rc == 0 && off < len) {
		n = chunk == 0 || len - off < chunk ? len - off : chunk;
		rc = rrdp_notification_feed(p, b + off, n);
		off += n;
	}
	if (rc == 0)
		rc = rrdp_notification_finish(p, out);
	if (err != NULL)
		snprintf(err, errlen, "%s", rrdp_notification_error(p));
	CU_ASSERT((rc == 0) == (*out != NULL));
	CU_ASSERT((rc == 0) == (rrdp_notification_error(p)[0] == '\0'));
	rrdp_notification_parser_free(p);
	return rc;
}

/* Parse a snapshot (delta when is_delta) into t; returns 0 or -1. */
static int
content_parse(int is_delta, const void *buf, size_t len, size_t chunk,
    const struct rrdp_session *expect, const unsigned char *hash,
    struct tsink *t, char *err, size_t errlen)
{
	struct rrdp_sink sink = sink_of(t);
	struct rrdp_snapshot *s = NULL;
	struct rrdp_delta *d = NULL;
	const char *b = buf;
	size_t off = 0, n;
	int rc = 0;

	if (is_delta)
		d = rrdp_delta_new("https://host/d.xml", expect, hash, &sink);
	else
		s = rrdp_snapshot_new("https://host/s.xml", expect, hash,
		    &sink);
	CU_ASSERT_FATAL(s != NULL || d != NULL);
	while (rc == 0 && off < len) {
		n = chunk == 0 || len - off < chunk ? len - off : chunk;
		rc = is_delta ? rrdp_delta_feed(d, b + off, n) :
		    rrdp_snapshot_feed(s, b + off, n);
		off += n;
	}
	if (rc == 0)
		rc = is_delta ? rrdp_delta_finish(d) : rrdp_snapshot_finish(s);
	if (err != NULL)
		snprintf(err, errlen, "%s", is_delta ? rrdp_delta_error(d) :
		    rrdp_snapshot_error(s));
	if (rc == 0)
		CU_ASSERT((is_delta ? rrdp_delta_count(d) :
		    rrdp_snapshot_count(s)) == t->n);
	rrdp_delta_free(d);
	rrdp_snapshot_free(s);
	/* Every begun object was ended exactly once. */
	CU_ASSERT(t->open == 0);
	return rc;
}

/* Expect failure with an error mentioning what (NULL: any), every chunking. */
static void
notif_bad(const char *xml, const char *what)
{
	struct rrdp_notification *n;
	char err[RRDP_ERROR_LEN];
	size_t i;

	for (i = 0; i < NCHUNKS; i++) {
		CU_ASSERT(notif_parse(NOTIFY, xml, strlen(xml), chunks[i], &n,
		    err, sizeof(err)) == -1);
		if (what != NULL && strstr(err, what) == NULL) {
			fprintf(stderr, "\n  expected \"%s\" in \"%s\"\n",
			    what, err);
			CU_FAIL("wrong error");
		}
		CU_ASSERT(strncmp(err, "line ", 5) == 0);
		rrdp_notification_free(n);
	}
}

static void
content_bad(int is_delta, const char *xml, const char *what)
{
	struct rrdp_session expect = session(SID, 3);
	char err[RRDP_ERROR_LEN];
	struct tsink *t;
	size_t i;

	t = calloc(1, sizeof(*t));
	CU_ASSERT_FATAL(t != NULL);
	for (i = 0; i < NCHUNKS; i++) {
		memset(t, 0, sizeof(*t));
		CU_ASSERT(content_parse(is_delta, xml, strlen(xml), chunks[i],
		    &expect, NULL, t, err, sizeof(err)) == -1);
		if (what != NULL && strstr(err, what) == NULL) {
			fprintf(stderr, "\n  expected \"%s\" in \"%s\"\n",
			    what, err);
			CU_FAIL("wrong error");
		}
	}
	free(t);
}

/* Parse a good snapshot/delta with every chunking; results in *t. */
static void
content_good(int is_delta, const char *xml, struct tsink *t)
{
	struct rrdp_session expect = session(SID, 3);
	char err[RRDP_ERROR_LEN];
	size_t i;

	for (i = 0; i < NCHUNKS; i++) {
		memset(t, 0, sizeof(*t));
		if (content_parse(is_delta, xml, strlen(xml), chunks[i],
		    &expect, NULL, t, err, sizeof(err)) != 0) {
			fprintf(stderr, "\n  unexpected: %s\n", err);
			CU_FAIL("good file refused");
		}
	}
}

static int
suite_init(void)
{
	static const struct log_config quiet = {
		NULL, LOG_LEVEL_ERROR, 0, 0, 2
	};

	/* Every negative test logs a warning: keep the run readable. */
	log_init(&quiet);
	return 0;
}

static int
suite_cleanup(void)
{
	log_init(NULL);
	return 0;
}

/* ---- Corpus ------------------------------------------------------ */

static void
test_corpus_notification(void)
{
	struct rrdp_notification *n, *n1;
	unsigned char *buf;
	size_t len, i, first, count;
	const char *uri = "https://rpki.example.com/notification.xml";

	if ((buf = corpus("rpki-client-regress/rrdp/notification.xml",
	    &len)) == NULL) {
		fprintf(stderr, "corpus absent: skipping\n");
		return;
	}
	CU_ASSERT_FATAL(notif_parse(uri, buf, len, 0, &n, NULL, 0) == 0);
	/* Facts from rpki-client's rrdp-r1.out and rrdp-r2.out. */
	CU_ASSERT_STRING_EQUAL(n->session.id,
	    "8fe05c2e-047d-49e7-8398-cd4250a572b1");
	CU_ASSERT(n->session.serial == 50550);
	CU_ASSERT_STRING_EQUAL(n->snapshot_uri, "https://rpki.example.com/"
	    "8fe05c2e-047d-49e7-8398-cd4250a572b1/50550/snapshot.xml");
	CU_ASSERT(digest_is(n->snapshot_hash, "AE52F78BCB1B258A1DA924122971B0"
	    "FDDFCE4C01B2B2DBA59C9B28EF1D94C02B"));
	CU_ASSERT_FATAL(n->ndeltas == 101);
	for (i = 0; i < n->ndeltas; i++)
		CU_ASSERT(n->deltas[i].serial == 50450 + i);
	CU_ASSERT(n->deltas[51].serial == 50501);
	CU_ASSERT_STRING_EQUAL(n->deltas[51].uri, "https://rpki.example.com/"
	    "8fe05c2e-047d-49e7-8398-cd4250a572b1/50501/delta.xml");
	CU_ASSERT(digest_is(n->deltas[51].hash, "40521FB9995ACA55D39360985C33"
	    "6619E08072A6AFFFCE97753E701A0D65D57B"));
	CU_ASSERT(rrdp_notification_delta_chain(n, 50500, &first,
	    &count) == 0);
	CU_ASSERT(first == 51 && count == 50);
	CU_ASSERT(rrdp_notification_delta_chain(n, 50449, &first,
	    &count) == 0);
	CU_ASSERT(first == 0 && count == 101);
	CU_ASSERT(rrdp_notification_delta_chain(n, 50448, &first,
	    &count) == -1);
	CU_ASSERT(rrdp_notification_delta_chain(n, 50550, &first,
	    &count) == 0 && count == 0);
	CU_ASSERT(rrdp_notification_delta_chain(n, 50551, &first,
	    &count) == -1);

	/* One byte at a time gives the same result. */
	CU_ASSERT_FATAL(notif_parse(uri, buf, len, 1, &n1, NULL, 0) == 0);
	CU_ASSERT_STRING_EQUAL(n1->session.id, n->session.id);
	CU_ASSERT(n1->ndeltas == n->ndeltas);
	for (i = 0; i < n->ndeltas; i++) {
		CU_ASSERT(n1->deltas[i].serial == n->deltas[i].serial);
		CU_ASSERT(memcmp(n1->deltas[i].hash, n->deltas[i].hash,
		    HASH_SHA256_LEN) == 0);
		CU_ASSERT_STRING_EQUAL(n1->deltas[i].uri, n->deltas[i].uri);
	}
	rrdp_notification_free(n1);
	rrdp_notification_free(n);

	/* RFC 9674: served from another origin, every URI is foreign. */
	CU_ASSERT(notif_parse("https://other.example.com/n.xml", buf, len, 0,
	    &n, NULL, 0) == -1);
	CU_ASSERT(notif_parse("https://rpki.example.com:8443/n.xml", buf, len,
	    0, &n, NULL, 0) == -1);
	free(buf);
}

/* Files that must be refused, and a word of the reason. */
static void
test_corpus_rejects(void)
{
	static const struct {
		const char *file, *why;
	} bad[] = {
		{ "rpki-client-regress/rrdp/notification_xmlns.xml",
		    "namespace" },
		{ "rpki-client-regress/rrdp/billion_lol.xml", "DOCTYPE" },
		{ "rpki-client-regress/rrdp/xxe.xml", "DOCTYPE" },
		{ "rpki-rs/rrdp/lolz-notification.xml", "DOCTYPE" },
		{ "fort/test-resources/rrdp/notif-bad-hash.xml", "hex" },
		{ "fort/test-resources/rrdp/notif-bad-serial.xml", "number" },
		{ "fort/test-resources/rrdp/notif-bad-session-id.xml", "UUID" },
		{ "fort/test-resources/rrdp/notif-bad-uri-1.xml", "https" },
		{ "fort/test-resources/rrdp/notif-bad-uri-2.xml", "US-ASCII" },
		{ "fort/test-resources/rrdp/notif-bad-uri-3.xml", "https" },
		{ "fort/test-resources/rrdp/notif-bad-version.xml", "version" },
		{ "fort/test-resources/rrdp/notif-bad-xmlns.xml", "namespace" },
		{ "fort/test-resources/rrdp/notif-large-serial.xml",
		    "overflows" },
		/* Upper-case namespace, relative URIs, one-byte hashes. */
		{ "rpki-validator-3/test-resources/rrdp/notification1.xml",
		    "namespace" },
		{ "rpki-validator-3/test-resources/rrdp/repo1/notification.xml",
		    "namespace" },
	};
	struct rrdp_notification *n;
	char err[RRDP_ERROR_LEN];
	unsigned char *buf;
	size_t len, i, c;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if ((buf = corpus(bad[i].file, &len)) == NULL) {
			fprintf(stderr, "corpus: %s absent\n", bad[i].file);
			continue;
		}
		for (c = 0; c < NCHUNKS; c++) {
			CU_ASSERT(notif_parse(NOTIFY, buf, len, chunks[c], &n,
			    err, sizeof(err)) == -1);
			if (strstr(err, bad[i].why) == NULL) {
				fprintf(stderr, "\n  %s: \"%s\"\n",
				    bad[i].file, err);
				CU_FAIL("unexpected reason");
			}
		}
		free(buf);
	}
}

static void
test_corpus_notification_good(void)
{
	static const struct {
		const char *file, *uri;
		uint64_t serial;
		size_t ndeltas;
	} good[] = {
		{ "fort/test-resources/rrdp/notif-ok.xml", NOTIFY, 3, 2 },
		{ "fort/test-resources/rrdp/notif-0deltas.xml", NOTIFY, 3, 0 },
		{ "rpki-rs/rrdp/ripe-notification.xml",
		    "https://rrdp.ripe.net/notification.xml", 1742, 0 },
		{ "rpki-rs/rrdp/ripe-notification-unsorted.xml",
		    "https://rrdp.ripe.net/notification.xml", 1742, 0 },
		{ "rpki-rs/rrdp/ripe-notification-with-gaps.xml",
		    "https://rrdp.ripe.net/notification.xml", 1742, 0 },
	};
	struct rrdp_notification *n;
	char err[RRDP_ERROR_LEN];
	unsigned char *buf;
	size_t len, i, j, c, first, count;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if ((buf = corpus(good[i].file, &len)) == NULL)
			continue;
		for (c = 0; c < NCHUNKS; c++) {
			if (notif_parse(good[i].uri, buf, len, chunks[c], &n,
			    err, sizeof(err)) != 0) {
				fprintf(stderr, "\n  %s: %s\n", good[i].file,
				    err);
				CU_FAIL("good notification refused");
				continue;
			}
			CU_ASSERT(n->session.serial == good[i].serial);
			if (good[i].ndeltas != 0)
				CU_ASSERT(n->ndeltas == good[i].ndeltas);
			for (j = 1; j < n->ndeltas; j++)
				CU_ASSERT(n->deltas[j - 1].serial <
				    n->deltas[j].serial);
			/* The "with gaps" file misses serials below 1742. */
			if (strstr(good[i].file, "gaps") != NULL) {
				CU_ASSERT(rrdp_notification_delta_chain(n,
				    n->session.serial - 10, &first,
				    &count) == -1);
			} else if (strstr(good[i].file, "ripe") != NULL) {
				CU_ASSERT(rrdp_notification_delta_chain(n,
				    n->session.serial - 10, &first,
				    &count) == 0 && count == 10);
			}
			rrdp_notification_free(n);
		}
		free(buf);
	}
}

static void
test_corpus_snapshot(void)
{
	struct rrdp_session expect = session(
	    "7e7d2563-5bbb-40b0-8723-6a2e90c85d9e", 28483);
	unsigned char *buf, md[HASH_SHA256_LEN];
	char err[RRDP_ERROR_LEN];
	struct tsink *t;
	size_t len, c;

	if ((buf = corpus("rpki-client-regress/rrdp/snapshot.xml",
	    &len)) == NULL)
		return;
	t = calloc(1, sizeof(*t));
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_FATAL(hash_sha256(buf, len, md) == 0);
	for (c = 0; c < NCHUNKS; c++) {
		memset(t, 0, sizeof(*t));
		CU_ASSERT_FATAL(content_parse(0, buf, len, chunks[c], &expect,
		    md, t, err, sizeof(err)) == 0);
		/* Facts from rpki-client's rrdp-r4.out. */
		CU_ASSERT_FATAL(t->n == 3);
		CU_ASSERT_STRING_EQUAL(t->recs[0].uri, "rsync://rpki.example."
		    "com/rpki/TA/XUJQ4tgdREjYop786R0p_wdeyeI.cer");
		CU_ASSERT(digest_is(t->recs[0].data, "9dbea4222e3b687772763b21"
		    "da1118d858b1271c989f10adb3b2611945609dbc"));
		CU_ASSERT(digest_is(t->recs[1].data, "831c1b054aaff13240df899e"
		    "5048b67c227689d5e5ecdf7d38f9a8e4603beb4b"));
		CU_ASSERT_STRING_EQUAL(t->recs[2].uri, "rsync://rpki.example."
		    "com/rpki/uplift/IBfMWA0nPFS6MGTNLNavObgEuIc.mft");
		CU_ASSERT(digest_is(t->recs[2].data, "61bbdc519a39a870f2169d47"
		    "4d957713e611662c44daa7f0b9e3d922f93b0312"));
		CU_ASSERT(!t->recs[0].has_hash);
	}

	/* Hash mismatch fails the file after the whole parse. */
	md[0] ^= 1;
	memset(t, 0, sizeof(*t));
	CU_ASSERT(content_parse(0, buf, len, 0, &expect, md, t, err,
	    sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "SHA-256") != NULL);
	/* Wrong serial or session: refused before any object. */
	expect.serial++;
	memset(t, 0, sizeof(*t));
	CU_ASSERT(content_parse(0, buf, len, 0, &expect, NULL, t, err,
	    sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "serial") != NULL && t->n == 0);
	expect = session("7e7d2563-5bbb-40b0-8723-6a2e90c85d9f", 28483);
	memset(t, 0, sizeof(*t));
	CU_ASSERT(content_parse(0, buf, len, 0, &expect, NULL, t, err,
	    sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "session_id") != NULL && t->n == 0);
	free(t);
	free(buf);
}

static void
test_corpus_delta(void)
{
	struct rrdp_session expect = session(
	    "9b3f7e31-4979-4f8c-9818-73e4dadc3e6b", 13755);
	char err[RRDP_ERROR_LEN];
	unsigned char *buf;
	struct tsink *t;
	size_t len, c;

	if ((buf = corpus("rpki-client-regress/rrdp/delta.xml", &len)) == NULL)
		return;
	t = calloc(1, sizeof(*t));
	CU_ASSERT_FATAL(t != NULL);
	for (c = 0; c < NCHUNKS; c++) {
		memset(t, 0, sizeof(*t));
		CU_ASSERT_FATAL(content_parse(1, buf, len, chunks[c], &expect,
		    NULL, t, err, sizeof(err)) == 0);
		/* Facts from rpki-client's rrdp-r3.out. */
		CU_ASSERT_FATAL(t->n == 4);
		CU_ASSERT(t->recs[0].withdraw);
		CU_ASSERT(digest_is(t->recs[0].hash, "6F19C7760D83B12E259F3592"
		    "4F40BE76C6A9C963DB23A692CE192C2FAEF94271"));
		CU_ASSERT(!t->recs[1].withdraw && t->recs[1].has_hash);
		CU_ASSERT(digest_is(t->recs[1].hash, "9AAF87B277EFB7E47AB00A4A"
		    "86CAD1CD132D8A06A782D9B54202C4BFFEDE347B"));
		CU_ASSERT(digest_is(t->recs[1].data, "27b240ccb4adefc4438a0b0c"
		    "94cf995fed9e1a227987e31b7fde9b67209e04c7"));
		CU_ASSERT(digest_is(t->recs[2].data, "9148c46222a49fc9b1860747"
		    "4d549ec126d2f4dbf4fa4fe2007588b9a958d29d"));
		CU_ASSERT(!t->recs[3].has_hash);
		CU_ASSERT_STRING_EQUAL(t->recs[3].uri, "rsync://rpki.example."
		    "com/repository/DEFAULT/95/d58727-d970-44d9-abdc-93b3ad12d2"
		    "f3/1/x7OkhL6fs-x6CQ4Kqd5jOkkB4pY.roa");
		CU_ASSERT(digest_is(t->recs[3].data, "28b761092849ea963824de57"
		    "bd8b0bef1de6f467b91af51c2d847fa5ae90c6dc"));
	}
	/* A delta is not a snapshot. */
	memset(t, 0, sizeof(*t));
	CU_ASSERT(content_parse(0, buf, len, 0, &expect, NULL, t, err,
	    sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "not <snapshot>") != NULL);
	free(t);
	free(buf);
}

/* Real RIPE NCC files and other validators' test files. */
static void
test_corpus_other(void)
{
	static const struct {
		const char *file, *sid;
		uint64_t serial;
		int is_delta, ok;
		size_t n;
	} files[] = {
		{ "rpki-rs/rrdp/ripe-snapshot.xml",
		    "a2d845c4-5b91-4015-a2b7-988c03ce232a", 1742, 0, 1, 0 },
		{ "rpki-rs/rrdp/ripe-delta.xml",
		    "a2d845c4-5b91-4015-a2b7-988c03ce232a", 1739, 1, 1, 0 },
		{ "rpki-validator-3/test-resources/rrdp/snapshot2.xml",
		    "a4a2b27b-2fac-4b1f-a9e8-9e931449ba11", 3442, 0, 1, 3 },
		{ "fort/test-resources/rrdp/snapshot-bad-publish.xml",
		    SID, 2, 0, 0, 0 },
	};
	struct rrdp_session expect;
	char err[RRDP_ERROR_LEN];
	unsigned char *buf;
	struct tsink *t;
	size_t len, i, c;
	int rc;

	t = calloc(1, sizeof(*t));
	CU_ASSERT_FATAL(t != NULL);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if ((buf = corpus(files[i].file, &len)) == NULL)
			continue;
		expect = session(files[i].sid, files[i].serial);
		for (c = 0; c < NCHUNKS; c++) {
			memset(t, 0, sizeof(*t));
			rc = content_parse(files[i].is_delta, buf, len,
			    chunks[c], &expect, NULL, t, err, sizeof(err));
			if ((rc == 0) != files[i].ok) {
				fprintf(stderr, "\n  %s: rc %d \"%s\"\n",
				    files[i].file, rc, err);
				CU_FAIL("unexpected outcome");
			}
			if (rc == 0 && files[i].n != 0)
				CU_ASSERT(t->n == files[i].n);
			if (rc == 0)
				CU_ASSERT(t->n > 0);
		}
		free(buf);
	}
	free(t);
}

/* ---- Hand-written notification negatives --------------------------- */

#define NOTIF_HEAD(attrs)	"<notification xmlns=\"" NS "\" " attrs ">"
#define GOOD_ROOT	"version=\"1\" session_id=\"" SID "\" serial=\"3\""
#define SNAP		"<snapshot uri=\"https://host/s.xml\" hash=\"" H64 "\"/>"
#define DELTA(s)	"<delta serial=\"" s "\" uri=\"https://host/" s \
			".xml\" hash=\"" H64 "\"/>"

static void
test_notification_rules(void)
{
	struct rrdp_notification *n;
	const char *good = NOTIF_HEAD(GOOD_ROOT) SNAP DELTA("3") DELTA("2")
	    "</notification>";

	CU_ASSERT_FATAL(notif_parse(NOTIFY, good, strlen(good), 0, &n, NULL,
	    0) == 0);
	CU_ASSERT(n->ndeltas == 2 && n->deltas[0].serial == 2);
	CU_ASSERT_STRING_EQUAL(n->session.id, SID);
	rrdp_notification_free(n);

	/* Upper-case session ids are accepted and normalised. */
	good = NOTIF_HEAD("version=\"1\" session_id=\"9DF4B597-AF9E-4DCA-BDDA-"
	    "719CCE2C4E28\" serial=\"3\"") SNAP "</notification>";
	CU_ASSERT_FATAL(notif_parse(NOTIFY, good, strlen(good), 0, &n, NULL,
	    0) == 0);
	CU_ASSERT_STRING_EQUAL(n->session.id, SID);
	rrdp_notification_free(n);

	/* Namespace: wrong, missing, or a prefix bound elsewhere. */
	notif_bad("<notification xmlns=\"http://www.ripe.net/rpki/rrdp/\" "
	    GOOD_ROOT ">" SNAP "</notification>", "namespace");
	notif_bad("<notification " GOOD_ROOT ">" SNAP "</notification>",
	    "namespace");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) "<snapshot xmlns=\"urn:x\" uri=\"https:"
	    "//host/s.xml\" hash=\"" H64 "\"/></notification>", "namespace");
	/* Version. */
	notif_bad(NOTIF_HEAD("version=\"2\" session_id=\"" SID "\" serial=\"3\"")
	    SNAP "</notification>", "version");
	notif_bad(NOTIF_HEAD("session_id=\"" SID "\" serial=\"3\"")
	    SNAP "</notification>", "lacks attribute version");
	/* Session ids: not hex, wrong shape, not version 4. */
	notif_bad(NOTIF_HEAD("version=\"1\" session_id=\"9df4b597af9e-4dca-bdda-"
	    "719cce2c4e28a\" serial=\"3\"") SNAP "</notification>", "UUID");
	notif_bad(NOTIF_HEAD("version=\"1\" session_id=\"9df4b597-af9e-1dca-bdda-"
	    "719cce2c4e28\" serial=\"3\"") SNAP "</notification>", "UUID");
	notif_bad(NOTIF_HEAD("version=\"1\" session_id=\"\" serial=\"3\"")
	    SNAP "</notification>", "UUID");
	/* Serials: zero, negative, signed, overflow, empty. */
	notif_bad(NOTIF_HEAD("version=\"1\" session_id=\"" SID "\" serial=\"0\"")
	    SNAP "</notification>", "zero");
	notif_bad(NOTIF_HEAD("version=\"1\" session_id=\"" SID "\" serial=\"-1\"")
	    SNAP "</notification>", "not a number");
	notif_bad(NOTIF_HEAD("version=\"1\" session_id=\"" SID "\" serial=\"+1\"")
	    SNAP "</notification>", "not a number");
	notif_bad(NOTIF_HEAD("version=\"1\" session_id=\"" SID "\" serial="
	    "\"18446744073709551616\"") SNAP "</notification>", "overflows");
	notif_bad(NOTIF_HEAD("version=\"1\" session_id=\"" SID "\" serial=\"\"")
	    SNAP "</notification>", "empty");
	/* The largest serial is fine. */
	good = NOTIF_HEAD("version=\"1\" session_id=\"" SID "\" serial="
	    "\"18446744073709551615\"") SNAP "</notification>";
	CU_ASSERT_FATAL(notif_parse(NOTIFY, good, strlen(good), 0, &n, NULL,
	    0) == 0);
	CU_ASSERT(n->session.serial == UINT64_MAX);
	rrdp_notification_free(n);
	/* Deltas: duplicate, zero, beyond the notification, bad hash. */
	notif_bad(NOTIF_HEAD(GOOD_ROOT) SNAP DELTA("2") DELTA("3") DELTA("2")
	    "</notification>", "twice");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) SNAP DELTA("0") "</notification>",
	    "zero");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) SNAP DELTA("4") "</notification>",
	    "beyond");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) SNAP "<delta serial=\"2\" uri=\"https:"
	    "//host/2.xml\"/></notification>", "lacks attribute hash");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) "<snapshot uri=\"https://host/s.xml\" "
	    "hash=\"" H64 "0\"/></notification>", "hex");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) "<snapshot uri=\"https://host/s.xml\" "
	    "hash=\"abc\"/></notification>", "hex");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) "<snapshot uri=\"https://host/s.xml\" "
	    "hash=\"0123456789abcdefABCDEF0123456789abcdefABCDEF0123456789abcdefAB"
	    "CG\"/></notification>", "hex");
	/* Snapshot: missing, twice, foreign origin, not https, bad URI. */
	notif_bad(NOTIF_HEAD(GOOD_ROOT) DELTA("3") "</notification>",
	    "no <snapshot>");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) SNAP SNAP "</notification>", "second");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) "<snapshot uri=\"https://evil/s.xml\" "
	    "hash=\"" H64 "\"/></notification>", "RFC 9674");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) "<snapshot uri=\"https://host:444/s.xml"
	    "\" hash=\"" H64 "\"/></notification>", "RFC 9674");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) "<snapshot uri=\"http://host/s.xml\" "
	    "hash=\"" H64 "\"/></notification>", "https");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) "<snapshot uri=\"https://user@host/s."
	    "xml\" hash=\"" H64 "\"/></notification>", "https");
	/* Structure: unknown element or attribute, text, nesting, root. */
	notif_bad(NOTIF_HEAD(GOOD_ROOT) SNAP "<foo/></notification>",
	    "unexpected <foo>");
	notif_bad(NOTIF_HEAD(GOOD_ROOT "  extra=\"1\"") SNAP "</notification>",
	    "unexpected attribute extra");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) SNAP "hello</notification>",
	    "unexpected text");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) "<snapshot uri=\"https://host/s.xml\" "
	    "hash=\"" H64 "\">x</snapshot></notification>", "unexpected text");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) "<snapshot uri=\"https://host/s.xml\" "
	    "hash=\"" H64 "\"><delta/></snapshot></notification>",
	    "unexpected <delta>");
	notif_bad("<snapshot xmlns=\"" NS "\" " GOOD_ROOT "/>",
	    "not <notification>");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) SNAP "</notification>junk", "XML");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) SNAP, "end of file");
	notif_bad("", "end of file");
	notif_bad(NOTIF_HEAD(GOOD_ROOT " xml:lang=\"en\"") SNAP
	    "</notification>", "namespaced attribute");
}

/* XML-level attacks and encodings, shared by all three parsers. */
static void
test_xml_hardening(void)
{
	struct rrdp_notification *n;
	const char *pre = "<notification xmlns=\"" NS "\" version=\"";
	const char *ok;
	char *big;
	size_t len, plen;

	notif_bad("<?xml version=\"1.0\"?><!DOCTYPE notification>"
	    NOTIF_HEAD(GOOD_ROOT) SNAP "</notification>", "DOCTYPE");
	notif_bad("<!DOCTYPE n SYSTEM \"http://127.0.0.1/x.dtd\">"
	    NOTIF_HEAD(GOOD_ROOT) SNAP "</notification>", "DOCTYPE");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) SNAP "&foo;</notification>",
	    "entity reference");
	notif_bad(NOTIF_HEAD("version=\"1\" session_id=\"&x;\" serial=\"3\"")
	    SNAP "</notification>", "entity reference");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) SNAP "<?pi data?></notification>",
	    "processing instruction");
	notif_bad(NOTIF_HEAD(GOOD_ROOT) SNAP "\xc3\xa9</notification>",
	    "US-ASCII");
	notif_bad("<notification xmlns=\"" NS "\" version=\"1\"\0 />",
	    NULL);
	/* UTF-16 and friends cannot get past the byte check. */
	notif_bad("\xfe\xff\0<", "US-ASCII");
	/* Declared encodings are ignored: the bytes are ASCII either way. */
	ok = "<?xml version=\"1.0\" encoding=\"US-ASCII\"?>\n<!-- hi -->"
	    NOTIF_HEAD(GOOD_ROOT) "\r\n  " SNAP "\n</notification>\n";
	CU_ASSERT(notif_parse(NOTIFY, ok, strlen(ok), 1, &n, NULL, 0) == 0);
	rrdp_notification_free(n);
	/* Depth, attribute length. */
	notif_bad(NOTIF_HEAD(GOOD_ROOT) "<a><a><a><a><a><a><a><a><a><a>",
	    "unexpected <a>");
	len = MAX_XML_ATTR_LENGTH + 1;
	plen = strlen(pre);
	big = malloc(plen + len + 4);
	CU_ASSERT_FATAL(big != NULL);
	memcpy(big, pre, plen);
	memset(big + plen, '1', len);
	memcpy(big + plen + len, "\"/>", 4);
	notif_bad(big, "longer than");
	free(big);
	/* Predefined entities and character references stay legal. */
	ok = NOTIF_HEAD("version=\"&#49;\" session_id=\"" SID "\" serial=\"3\"")
	    "<snapshot uri=\"https://host/a&amp;b.xml\" hash=\"" H64 "\"/>"
	    "</notification>";
	CU_ASSERT_FATAL(notif_parse(NOTIFY, ok, strlen(ok), 0, &n, NULL,
	    0) == 0);
	CU_ASSERT_STRING_EQUAL(n->snapshot_uri, "https://host/a&b.xml");
	rrdp_notification_free(n);
}

/* Size caps: whole file, and one element libxml2 would buffer. */
static void
test_size_caps(void)
{
	struct rrdp_notification_parser *p;
	const char *head = NOTIF_HEAD(GOOD_ROOT);
	size_t len = 20 * 1024 * 1024;
	char *buf;

	buf = malloc(len);
	CU_ASSERT_FATAL(buf != NULL);
	memset(buf, ' ', len);

	/* More than MAX_RRDP_NOTIFICATION_SIZE bytes. */
	p = rrdp_notification_parser_new(NOTIFY);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT(rrdp_notification_feed(p, head, strlen(head)) == 0);
	CU_ASSERT(rrdp_notification_feed(p, buf,
	    MAX_RRDP_NOTIFICATION_SIZE) == -1);
	CU_ASSERT(strstr(rrdp_notification_error(p), "larger") != NULL);
	/* Once failed, always failed. */
	CU_ASSERT(rrdp_notification_feed(p, " ", 1) == -1);
	rrdp_notification_parser_free(p);

	/* A start tag that never ends. */
	memset(buf, 'a', len);
	p = rrdp_notification_parser_new(NOTIFY);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT(rrdp_notification_feed(p, "<notification xmlns=\"" NS
	    "\" a", 33 + 4) == 0);
	CU_ASSERT(rrdp_notification_feed(p, buf, MAX_XML_TEXT_SIZE +
	    1024 * 1024) == -1);
	CU_ASSERT(strstr(rrdp_notification_error(p), "larger") != NULL);
	rrdp_notification_parser_free(p);
	free(buf);
}

/* ---- Snapshot and delta content ---------------------------------- */

#define SNAP_HEAD	"<snapshot xmlns=\"" NS "\" " GOOD_ROOT ">"
#define DELTA_HEAD	"<delta xmlns=\"" NS "\" " GOOD_ROOT ">"
#define PUB(uri, b64)	"<publish uri=\"rsync://host/m/" uri "\">" b64 "</publish>"

static void
test_base64_streaming(void)
{
	struct tsink *t;
	unsigned char md[HASH_SHA256_LEN];

	t = calloc(1, sizeof(*t));
	CU_ASSERT_FATAL(t != NULL);
	/* Padding forms, whitespace everywhere, CDATA, char references. */
	content_good(0, SNAP_HEAD
	    PUB("a.cer", "\n  aGVs\r\n bG8=\n")
	    PUB("b.cer", "aA==")
	    PUB("c.cer", "<![CDATA[aGVsbG8=]]>")
	    PUB("d.cer", "aGVs<![CDATA[bG8=]]>")
	    PUB("e.cer", "&#97;GVsbG8=")
	    PUB("f.cer", "")
	    "<publish uri=\"rsync://host/m/x&amp;y.roa\">aGk=</publish>"
	    "</snapshot>", t);
	CU_ASSERT_FATAL(t->n == 7);
	CU_ASSERT(hash_sha256("hello", 5, md) == 0);
	CU_ASSERT(memcmp(t->recs[0].data, md, sizeof(md)) == 0);
	CU_ASSERT(t->recs[0].len == 5 && t->recs[1].len == 1);
	CU_ASSERT(memcmp(t->recs[2].data, md, sizeof(md)) == 0);
	CU_ASSERT(memcmp(t->recs[3].data, md, sizeof(md)) == 0);
	CU_ASSERT(memcmp(t->recs[4].data, md, sizeof(md)) == 0);
	CU_ASSERT(t->recs[5].len == 0);
	CU_ASSERT_STRING_EQUAL(t->recs[6].uri, "rsync://host/m/x&y.roa");
	/* An empty snapshot is legal. */
	content_good(0, SNAP_HEAD "</snapshot>", t);
	CU_ASSERT(t->n == 0);
	free(t);

	/* Bad base64 fails the whole file. */
	content_bad(0, SNAP_HEAD PUB("a.cer", "aGVsbG8") "</snapshot>",
	    "truncated");
	content_bad(0, SNAP_HEAD PUB("a.cer", "aGVsbG8*") "</snapshot>",
	    "bad character");
	content_bad(0, SNAP_HEAD PUB("a.cer", "aGVsbG9=") "</snapshot>",
	    "pad bits");
	content_bad(0, SNAP_HEAD PUB("a.cer", "aB==") "</snapshot>",
	    "pad bits");
	content_bad(0, SNAP_HEAD PUB("a.cer", "aGVsbG8=aGVs") "</snapshot>",
	    "after padding");
	content_bad(0, SNAP_HEAD PUB("a.cer", "aGVsbG8==") "</snapshot>",
	    "after padding");
	content_bad(0, SNAP_HEAD PUB("a.cer", "a===") "</snapshot>",
	    "misplaced");
	content_bad(0, SNAP_HEAD PUB("a.cer", "aG=") "</snapshot>",
	    "truncated");
	content_bad(0, SNAP_HEAD PUB("a.cer", "aGVs&amp;") "</snapshot>",
	    "bad character");
	content_bad(0, SNAP_HEAD PUB("a.cer", "aGVs") PUB("b.cer", "%%%%")
	    "</snapshot>", "bad character");
}

static void
test_snapshot_rules(void)
{
	content_bad(0, SNAP_HEAD "<publish uri=\"rsync://host/m/a.cer\" hash=\""
	    H64 "\">aGk=</publish></snapshot>", "hash in a snapshot");
	content_bad(0, SNAP_HEAD "<withdraw uri=\"rsync://host/m/a.cer\" hash=\""
	    H64 "\"/></snapshot>", "unexpected <withdraw>");
	content_bad(0, SNAP_HEAD "<publish>aGk=</publish></snapshot>",
	    "lacks attribute uri");
	content_bad(0, SNAP_HEAD PUB("a.cer", "aGk=") "text</snapshot>",
	    "unexpected text");
	content_bad(0, SNAP_HEAD "<publish uri=\"rsync://host/m/a.cer\">"
	    "<x/></publish></snapshot>", "unexpected <x>");
	content_bad(0, SNAP_HEAD "<publish uri=\"https://host/m/a.cer\">"
	    "aGk=</publish></snapshot>", "not an rsync URI");
	content_bad(0, SNAP_HEAD "<publish uri=\"rsync://\">aGk=</publish>"
	    "</snapshot>", "not an rsync URI");
	content_bad(0, SNAP_HEAD "<publish uri=\"rsync://host/m/a b.cer\">"
	    "aGk=</publish></snapshot>", "bad character in URI");
	content_bad(0, "<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\""
	    SID "\" serial=\"4\"></snapshot>", "serial 4");
	content_bad(0, "<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\""
	    "a2d845c4-5b91-4015-a2b7-988c03ce232a\" serial=\"3\"></snapshot>",
	    "session_id");
	content_bad(0, "<snapshot xmlns=\"" NS "\" version=\"2\" session_id=\""
	    SID "\" serial=\"3\"></snapshot>", "version");
	content_bad(0, "<snapshot xmlns=\"http://example.com/\" " GOOD_ROOT
	    "></snapshot>", "namespace");
	content_bad(0, "<!DOCTYPE s [<!ENTITY e \"aGk=\">]>" SNAP_HEAD
	    PUB("a.cer", "&e;") "</snapshot>", "DOCTYPE");
	content_bad(0, SNAP_HEAD PUB("a.cer", "aGk=") "<?x y?></snapshot>",
	    "processing instruction");
	content_bad(0, SNAP_HEAD PUB("a.cer", "aGk="), "end of file");
}

static void
test_delta_rules(void)
{
	struct tsink *t;

	t = calloc(1, sizeof(*t));
	CU_ASSERT_FATAL(t != NULL);
	content_good(1, DELTA_HEAD
	    "<withdraw uri=\"rsync://host/m/a.cer\" hash=\"" H64 "\"/>"
	    "<publish uri=\"rsync://host/m/b.cer\" hash=\"" H64 "\">aGk="
	    "</publish>" PUB("c.cer", "aGk=")
	    "<withdraw uri=\"rsync://host/m/d.cer\" hash=\"" H64 "\">\n"
	    "</withdraw></delta>", t);
	CU_ASSERT_FATAL(t->n == 4);
	CU_ASSERT(t->recs[0].withdraw && t->recs[3].withdraw);
	CU_ASSERT(t->recs[1].has_hash && !t->recs[2].has_hash);
	CU_ASSERT(t->recs[1].len == 2);
	free(t);

	content_bad(1, DELTA_HEAD "<withdraw uri=\"rsync://host/m/a.cer\"/>"
	    "</delta>", "lacks attribute hash");
	content_bad(1, DELTA_HEAD "<withdraw hash=\"" H64 "\"/></delta>",
	    "lacks attribute uri");
	content_bad(1, DELTA_HEAD "<withdraw uri=\"rsync://host/m/a.cer\" "
	    "hash=\"" H64 "\">aGk=</withdraw></delta>", "unexpected text");
	content_bad(1, DELTA_HEAD "<publish uri=\"rsync://host/m/a.cer\" "
	    "hash=\"xyz\">aGk=</publish></delta>", "hex");
	content_bad(1, DELTA_HEAD "</delta>", "empty delta");
	content_bad(1, DELTA_HEAD "<update uri=\"rsync://host/m/a.cer\"/>"
	    "</delta>", "unexpected <update>");
	content_bad(1, SNAP_HEAD PUB("a.cer", "aGk=") "</snapshot>",
	    "not <delta>");
	content_bad(1, DELTA_HEAD PUB("a.cer", "aGk*") "</delta>",
	    "bad character");
}

/* The caller's callbacks can refuse, and aborted objects are ended. */
static void
test_sink_refusals(void)
{
	struct rrdp_session expect = session(SID, 3);
	const char *xml = DELTA_HEAD PUB("a.cer", "aGk=")
	    "<withdraw uri=\"rsync://host/other/b.cer\" hash=\"" H64 "\"/>"
	    "</delta>";
	const char *cut = SNAP_HEAD PUB("a.cer", "aGk=")
	    "<publish uri=\"rsync://host/m/b.cer\">aGVs";
	struct rrdp_sink sink;
	struct rrdp_snapshot *s;
	char err[RRDP_ERROR_LEN];
	struct tsink *t;

	t = calloc(1, sizeof(*t));
	CU_ASSERT_FATAL(t != NULL);
	t->refuse_uri = "/other/";
	CU_ASSERT(content_parse(1, xml, strlen(xml), 0, &expect, NULL, t, err,
	    sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "refused") != NULL);
	memset(t, 0, sizeof(*t));
	t->fail_begin = 1;
	CU_ASSERT(content_parse(1, xml, strlen(xml), 0, &expect, NULL, t, err,
	    sizeof(err)) == -1);
	memset(t, 0, sizeof(*t));
	t->fail_write = 1;
	CU_ASSERT(content_parse(1, xml, strlen(xml), 0, &expect, NULL, t, err,
	    sizeof(err)) == -1);
	CU_ASSERT(t->aborted == 1);
	memset(t, 0, sizeof(*t));
	t->fail_end = 1;
	CU_ASSERT(content_parse(1, xml, strlen(xml), 0, &expect, NULL, t, err,
	    sizeof(err)) == -1);

	/* Freed in the middle of an object: the sink hears ok = 0. */
	memset(t, 0, sizeof(*t));
	sink = sink_of(t);
	s = rrdp_snapshot_new("https://host/s.xml", &expect, NULL, &sink);
	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT(rrdp_snapshot_feed(s, cut, strlen(cut)) == 0);
	CU_ASSERT(t->open == 1 && t->n == 1);
	rrdp_snapshot_free(s);
	CU_ASSERT(t->open == 0 && t->aborted == 1);

	/* Truncated file: finish fails and ends the open object. */
	memset(t, 0, sizeof(*t));
	s = rrdp_snapshot_new("https://host/s.xml", &expect, NULL, &sink);
	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT(rrdp_snapshot_feed(s, cut, strlen(cut)) == 0);
	CU_ASSERT(rrdp_snapshot_finish(s) == -1);
	CU_ASSERT(t->open == 0 && t->aborted == 1);
	CU_ASSERT(rrdp_snapshot_feed(s, "x", 1) == -1);
	rrdp_snapshot_free(s);

	/* Bad arguments. */
	sink.publish_begin = NULL;
	CU_ASSERT(rrdp_snapshot_new("https://host/s.xml", &expect, NULL,
	    &sink) == NULL);
	sink = sink_of(t);
	sink.withdraw = NULL;
	CU_ASSERT(rrdp_delta_new("https://host/d.xml", &expect, NULL,
	    &sink) == NULL);
	CU_ASSERT(rrdp_notification_parser_new("rsync://host/n.xml") == NULL);
	free(t);
}

/* Objects up to MAX_FILE_SIZE pass, one byte more fails. */
static void
test_object_size(void)
{
	struct rrdp_session expect = session(SID, 3);
	static const char head[] = SNAP_HEAD "<publish uri=\"rsync://host/m/"
	    "big.cer\">";
	static const char tail[] = "</publish></snapshot>";
	char err[RRDP_ERROR_LEN];
	unsigned char *obj;
	char *b64, *xml;
	size_t sizes[] = { MAX_FILE_SIZE, MAX_FILE_SIZE + 1 }, i, blen;
	struct tsink *t;

	t = calloc(1, sizeof(*t));
	obj = calloc(1, MAX_FILE_SIZE + 1);
	CU_ASSERT_FATAL(t != NULL && obj != NULL);
	for (i = 0; i < MAX_FILE_SIZE + 1; i++)
		obj[i] = (unsigned char)(i * 7);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_FATAL(b64_encode(obj, sizes[i], &b64, &blen) == 0);
		xml = tu_asprintf("%s%s%s", head, b64, tail);
		memset(t, 0, sizeof(*t));
		CU_ASSERT(content_parse(0, xml, strlen(xml), 65536, &expect,
		    NULL, t, err, sizeof(err)) == (i == 0 ? 0 : -1));
		if (i == 0) {
			CU_ASSERT(t->n == 1 && t->recs[0].len == MAX_FILE_SIZE);
		} else {
			CU_ASSERT(strstr(err, "object larger") != NULL);
		}
		free(xml);
		free(b64);
	}
	free(obj);
	free(t);
}

/* ---- Helpers ------------------------------------------------------ */

static void
test_helpers(void)
{
	CU_ASSERT(rrdp_session_id_valid(SID));
	CU_ASSERT(rrdp_session_id_valid("9DF4B597-AF9E-4DCA-BDDA-719CCE2C4E28"));
	CU_ASSERT(!rrdp_session_id_valid("9df4b597-af9e-4dca-7dda-719cce2c4e28"));
	CU_ASSERT(!rrdp_session_id_valid("9df4b597-af9e-4dca-bdda-719cce2c4e2"));
	CU_ASSERT(!rrdp_session_id_valid("9df4b597-af9e-4dca-bdda-719cce2c4e288"));
	CU_ASSERT(!rrdp_session_id_valid("9df4b597+af9e-4dca-bdda-719cce2c4e28"));

	CU_ASSERT(rrdp_https_uri_valid("https://rrdp.ripe.net/notification.xml"));
	CU_ASSERT(rrdp_https_uri_valid("https://[2001:db8::1]:8443/n.xml"));
	CU_ASSERT(rrdp_https_uri_valid("https://h/a%20b?x=1"));
	CU_ASSERT(!rrdp_https_uri_valid("https://h"));
	CU_ASSERT(!rrdp_https_uri_valid("https:///n.xml"));
	CU_ASSERT(!rrdp_https_uri_valid("https://h:0/n.xml"));
	CU_ASSERT(!rrdp_https_uri_valid("https://h:65536/n.xml"));
	CU_ASSERT(!rrdp_https_uri_valid("https://h:/n.xml"));
	CU_ASSERT(!rrdp_https_uri_valid("https://h/a%2"));
	CU_ASSERT(!rrdp_https_uri_valid("https://h/a b"));
	CU_ASSERT(!rrdp_https_uri_valid("https://h/a#frag"));
	CU_ASSERT(!rrdp_https_uri_valid("ftp://h/a"));

	CU_ASSERT(rrdp_same_origin("https://h/a", "https://H:443/b/c"));
	CU_ASSERT(!rrdp_same_origin("https://h/a", "https://h:8443/a"));
	CU_ASSERT(!rrdp_same_origin("https://h/a", "https://h.evil/a"));
	CU_ASSERT(!rrdp_same_origin("https://h/a", "https://hh/a"));
	CU_ASSERT(!rrdp_same_origin("https://h/a", "http://h/a"));
}

/* ---- Files from the repository generator's writer ------------------- */

static void
put_file(const char *dir, const char *rel, const void *buf, size_t len)
{
	char *p = tu_asprintf("%s/%s", dir, rel);
	char *slash;

	for (slash = p + strlen(dir) + 1; (slash = strchr(slash, '/')) != NULL;
	    slash++) {
		*slash = '\0';
		mkdir(p, 0755);
		*slash = '/';
	}
	CU_ASSERT_FATAL(tu_write_file(p, buf, len) == 0);
	free(p);
}

/* Find rec for uri in t, or NULL. */
static const struct rec *
find_rec(const struct tsink *t, const char *uri)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->recs[i].uri, uri) == 0)
			return &t->recs[i];
	return NULL;
}

static int
repo_uri_ok(void *arg, const char *uri)
{
	return strncmp(uri, "rsync://localhost/repo/", 23) == 0;
}

static void
test_repogen_writer(void)
{
	static const char *https = "https://localhost/rrdp/repo/";
	struct rrdp_write_args a;
	struct rrdp_notification *n;
	struct rrdp_session expect;
	char *root, *t1, *t2, *r1, *r2, *path, err[RRDP_ERROR_LEN];
	unsigned char *buf, md[HASH_SHA256_LEN];
	unsigned char *big;
	const struct rec *r;
	struct tsink *t;
	size_t len, i, first, count;

	t = calloc(1, sizeof(*t));
	big = malloc(300001);
	CU_ASSERT_FATAL(t != NULL && big != NULL);
	for (i = 0; i < 300001; i++)
		big[i] = (unsigned char)(i * 13 + 5);
	root = tu_tmpdir("rrdp");
	CU_ASSERT_FATAL(root != NULL);
	t1 = tu_asprintf("%s/t1", root);
	t2 = tu_asprintf("%s/t2", root);
	r1 = tu_asprintf("%s/r1", root);
	r2 = tu_asprintf("%s/r2", root);
	CU_ASSERT_FATAL(mkdir(t1, 0755) == 0 && mkdir(t2, 0755) == 0);
	put_file(t1, "a.cer", "cert one", 8);
	put_file(t1, "sub/b.roa", "roa one", 7);
	put_file(t1, "x&y.mft", big, 300001);
	put_file(t2, "a.cer", "cert two", 8);
	put_file(t2, "x&y.mft", big, 300001);
	put_file(t2, "sub/c.crl", "crl", 3);

	memset(&a, 0, sizeof(a));
	a.tree = t1;
	a.rsync_base = "rsync://localhost/repo/";
	a.https_base = https;
	a.outdir = r1;
	a.session_id = SID;
	a.serial = 1;
	CU_ASSERT_FATAL(rrdp_write(&a) == 0);
	a.tree = t2;
	a.prev_tree = t1;
	a.prev_rrdp = r1;
	a.outdir = r2;
	a.serial = 2;
	CU_ASSERT_FATAL(rrdp_write(&a) == 0);

	/* Notification of generation 2. */
	path = tu_asprintf("%s/notification.xml", r2);
	buf = tu_read_file(path, &len);
	free(path);
	CU_ASSERT_FATAL(buf != NULL);
	CU_ASSERT_FATAL(notif_parse("https://localhost/rrdp/repo/notification."
	    "xml", buf, len, 1, &n, err, sizeof(err)) == 0);
	free(buf);
	CU_ASSERT(n->session.serial == 2 && n->ndeltas >= 1);
	CU_ASSERT(rrdp_notification_delta_chain(n, 1, &first, &count) == 0 &&
	    count == 1);

	/* Snapshot: the objects are the files of t2. */
	path = tu_asprintf("%s/%s/2/snapshot.xml", r2, SID);
	buf = tu_read_file(path, &len);
	free(path);
	CU_ASSERT_FATAL(buf != NULL);
	expect = session(SID, 2);
	memset(t, 0, sizeof(*t));
	t->refuse_uri = NULL;
	{
		struct rrdp_sink sink = sink_of(t);
		struct rrdp_snapshot *s;

		sink.uri_ok = repo_uri_ok;
		s = rrdp_snapshot_new(n->snapshot_uri, &expect,
		    n->snapshot_hash, &sink);
		CU_ASSERT_FATAL(s != NULL);
		for (i = 0; i < len; i += 1000)
			CU_ASSERT(rrdp_snapshot_feed(s, buf + i,
			    len - i < 1000 ? len - i : 1000) == 0);
		CU_ASSERT(rrdp_snapshot_finish(s) == 0);
		rrdp_snapshot_free(s);
	}
	free(buf);
	CU_ASSERT(t->n == 3);
	r = find_rec(t, "rsync://localhost/repo/x&y.mft");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT(hash_sha256(big, 300001, md) == 0);
	CU_ASSERT(r->len == 300001 && memcmp(r->data, md, sizeof(md)) == 0);
	r = find_rec(t, "rsync://localhost/repo/sub/c.crl");
	CU_ASSERT(r != NULL && r->len == 3);

	/* Delta 1 -> 2: a.cer replaced, sub/b.roa withdrawn, c.crl new. */
	path = tu_asprintf("%s/%s/2/delta.xml", r2, SID);
	buf = tu_read_file(path, &len);
	free(path);
	CU_ASSERT_FATAL(buf != NULL);
	memset(t, 0, sizeof(*t));
	CU_ASSERT(content_parse(1, buf, len, 3, &expect,
	    n->deltas[first].hash, t, err, sizeof(err)) == 0);
	free(buf);
	r = find_rec(t, "rsync://localhost/repo/a.cer");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT(hash_sha256("cert one", 8, md) == 0);
	CU_ASSERT(!r->withdraw && r->has_hash &&
	    memcmp(r->hash, md, sizeof(md)) == 0);
	r = find_rec(t, "rsync://localhost/repo/sub/b.roa");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT(hash_sha256("roa one", 7, md) == 0);
	CU_ASSERT(r->withdraw && memcmp(r->hash, md, sizeof(md)) == 0);
	r = find_rec(t, "rsync://localhost/repo/sub/c.crl");
	CU_ASSERT(r != NULL && !r->withdraw && !r->has_hash);
	CU_ASSERT(find_rec(t, "rsync://localhost/repo/x&y.mft") == NULL);

	rrdp_notification_free(n);
	tu_rmtree(root);
	free(root);
	free(t1);
	free(t2);
	free(r1);
	free(r2);
	free(big);
	free(t);
}

/* ---- Throughput ------------------------------------------------------- */

/* Produces the throughput snapshot piece by piece, never whole. */
struct gen {
	char	*obj;		/* "<publish uri=...NNNNNNNN.roa\">b64</publish>\n" */
	size_t	 objlen;
	size_t	 digits;	/* offset of the 8-digit number in obj */
	size_t	 next;		/* objects produced */
	int	 state;		/* 0 head, 1 objects, 2 tail, 3 done */
	size_t	 off;		/* within the current piece */
};

static const char speed_head[] = SNAP_HEAD "\n";
static const char speed_tail[] = "</snapshot>\n";

static void
gen_init(struct gen *g)
{
	unsigned char data[SPEED_OBJLEN];
	char *b64, *lines, *p;
	size_t blen, i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 151 + 17);
	CU_ASSERT_FATAL(b64_encode(data, sizeof(data), &b64, &blen) == 0);
	/* Wrap at 64 columns as real servers do. */
	lines = malloc(blen + blen / 64 + 2);
	CU_ASSERT_FATAL(lines != NULL);
	for (p = lines, i = 0; i < blen; i += 64) {
		memcpy(p, b64 + i, blen - i < 64 ? blen - i : 64);
		p += blen - i < 64 ? blen - i : 64;
		*p++ = '\n';
	}
	*p = '\0';
	g->obj = tu_asprintf("<publish uri=\"rsync://host/m/sub/00000000.roa\">"
	    "\n%s</publish>\n", lines);
	g->objlen = strlen(g->obj);
	g->digits = strlen("<publish uri=\"rsync://host/m/sub/");
	free(lines);
	free(b64);
}

/* Fill buf with up to len bytes; returns the count, 0 at the end. */
static size_t
gen_fill(struct gen *g, char *buf, size_t len)
{
	const char *piece;
	size_t plen, n, done = 0;
	char num[9];

	while (done < len && g->state != 3) {
		if (g->state == 0) {
			piece = speed_head;
			plen = sizeof(speed_head) - 1;
		} else if (g->state == 1) {
			if (g->off == 0) {
				snprintf(num, sizeof(num), "%08zu", g->next);
				memcpy(g->obj + g->digits, num, 8);
			}
			piece = g->obj;
			plen = g->objlen;
		} else {
			piece = speed_tail;
			plen = sizeof(speed_tail) - 1;
		}
		n = plen - g->off < len - done ? plen - g->off : len - done;
		memcpy(buf + done, piece + g->off, n);
		done += n;
		g->off += n;
		if (g->off < plen)
			continue;
		g->off = 0;
		if (g->state == 1 && ++g->next < SPEED_OBJECTS)
			continue;
		g->state++;
	}
	return done;
}

/* Peak RSS in KiB from /proc (VmHWM), or ru_maxrss as a fallback. */
static long
peak_rss_kib(void)
{
	struct rusage ru;
	char line[256];
	long kib = -1;
	FILE *f;

	if ((f = fopen("/proc/self/status", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "VmHWM: %ld", &kib) == 1)
				break;
		fclose(f);
	}
	if (kib == -1 && getrusage(RUSAGE_SELF, &ru) == 0)
		kib = ru.ru_maxrss;
	return kib;
}

/* Reset the peak RSS so what follows is measured alone (Linux >= 4.0). */
static void
reset_peak_rss(void)
{
	FILE *f;

	if ((f = fopen("/proc/self/clear_refs", "w")) != NULL) {
		fputs("5", f);
		fclose(f);
	}
}

static void
test_snapshot_throughput(void)
{
	struct rrdp_session expect = session(SID, 3);
	struct timespec t0, t1, c0, c1;
	struct rrdp_snapshot *s;
	struct rrdp_sink sink;
	struct tsink *t;
	struct gen g;
	uint64_t total = 0;
	long before, after;
	double secs, cpu;
	char *buf;
	size_t n;

	t = calloc(1, sizeof(*t));
	buf = malloc(SPEED_CHUNK);
	CU_ASSERT_FATAL(t != NULL && buf != NULL);
	t->keep = 1;
	gen_init(&g);
	sink = sink_of(t);
	reset_peak_rss();
	before = peak_rss_kib();
	s = rrdp_snapshot_new("https://host/speed.xml", &expect, NULL, &sink);
	CU_ASSERT_FATAL(s != NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	while ((n = gen_fill(&g, buf, SPEED_CHUNK)) > 0) {
		total += n;
		if (rrdp_snapshot_feed(s, buf, n) != 0)
			break;
	}
	CU_ASSERT(rrdp_snapshot_finish(s) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	after = peak_rss_kib();
	CU_ASSERT(rrdp_snapshot_count(s) == SPEED_OBJECTS);
	CU_ASSERT(t->bytes == (uint64_t)SPEED_OBJECTS * SPEED_OBJLEN);
	rrdp_snapshot_free(s);
	CU_ASSERT(total > 100 * 1000 * 1000);

	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	cpu = (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9;
	fprintf(stderr, "\n  snapshot ingest: %.1f MB in %.2f s = %.0f MB/s "
	    "(%.0f MB/s of CPU time), peak RSS %ld KiB (+%ld KiB while "
	    "parsing)\n", total / 1e6, secs, total / 1e6 / secs,
	    total / 1e6 / cpu, after, after - before);
	/* The parser's memory does not depend on the snapshot's size. */
	CU_ASSERT(after - before < 64 * 1024);
	free(g.obj);
	free(buf);
	free(t);
}

REEF_SUITE_FULL(rrdp, suite_init, suite_cleanup,
    REEF_TEST(test_corpus_notification),
    REEF_TEST(test_corpus_rejects),
    REEF_TEST(test_corpus_notification_good),
    REEF_TEST(test_corpus_snapshot),
    REEF_TEST(test_corpus_delta),
    REEF_TEST(test_corpus_other),
    REEF_TEST(test_notification_rules),
    REEF_TEST(test_xml_hardening),
    REEF_TEST(test_size_caps),
    REEF_TEST(test_base64_streaming),
    REEF_TEST(test_snapshot_rules),
    REEF_TEST(test_delta_rules),
    REEF_TEST(test_sink_refusals),
    REEF_TEST(test_object_size),
    REEF_TEST(test_helpers),
    REEF_TEST(test_repogen_writer),
    REEF_TEST(test_snapshot_throughput))
