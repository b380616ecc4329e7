/*
 * validator/fetch_proc*.c: the messages between reef and its fetcher
 * process (every malformed message is refused, whichever end reads it),
 * and the fetcher process itself: answers routed to several waiting
 * threads, one request per rsync module, and a child that dies.  The
 * repositories asked for live on 127.0.0.1 port 1, where nothing
 * listens, so every fetch fails at once without any network.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/fetch_proc.h"
#include "validator/fetch_proc_int.h"

/* Modules asked for by the concurrent test, one thread each. */
#define NTHREADS	6
/* A repository nobody serves. */
#define DEAD_REPO	"rsync://127.0.0.1:1/mod%d/"

/* A connected SOCK_SEQPACKET pair, as fetch_proc uses. */
static void
pair(int sv[2])
{
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
}

/* fpm_recv() on the raw bytes buf (len) sent as one record. */
static int
recv_raw(const void *buf, size_t len, char *err, size_t errlen)
{
	struct fpm_msg *m = malloc(sizeof(*m));
	int sv[2], rc;

	pair(sv);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_FATAL(send(sv[0], buf, len, 0) == (ssize_t)len);
	rc = fpm_recv(sv[1], m, 0, err, errlen);
	close(sv[0]);
	close(sv[1]);
	free(m);
	return rc;
}

static void
test_fetch_proc_msg_roundtrip(void)
{
	struct fpm_msg *m = malloc(sizeof(*m));
	struct fpm_ta ta[2] = { { 0, FETCH_PROTO_HTTPS }, { -1, 0 } };
	struct fpm_out o;
	char err[128];
	int sv[2];

	CU_ASSERT_FATAL(m != NULL);
	pair(sv);
	memset(&o, 0, sizeof(o));
	o.h.type = FPM_FETCH;
	o.h.id = 7;
	o.str[FPM_S_URI] = "rsync://example.net/repo/ca/";
	CU_ASSERT_EQUAL(fpm_send(sv[0], &o, 0), 0);
	CU_ASSERT_EQUAL(fpm_recv(sv[1], m, 0, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(m->h.type, FPM_FETCH);
	CU_ASSERT_EQUAL(m->h.id, 7);
	CU_ASSERT_STRING_EQUAL(m->str[FPM_S_URI], o.str[FPM_S_URI]);
	CU_ASSERT_EQUAL(m->h.has & (1U << FPM_S_NOTIFY), 0);

	memset(&o, 0, sizeof(o));
	o.h.type = FPM_ANSWER;
	o.h.id = 3;
	o.h.rc = -1;
	o.h.result = FETCH_STALE;
	o.h.proto = FETCH_PROTO_RSYNC;
	o.h.objects = 12;
	o.h.bytes = 1ULL << 40;
	o.h.seconds = 1.5;
	o.str[FPM_S_ERROR] = "rsync exited with status 5";
	o.str[FPM_S_NOTIFY] = "https://example.net/notification.xml";
	CU_ASSERT_EQUAL(fpm_send(sv[0], &o, 0), 0);
	CU_ASSERT_EQUAL(fpm_recv(sv[1], m, 0, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(m->h.result, FETCH_STALE);
	CU_ASSERT_EQUAL(m->h.bytes, 1ULL << 40);
	CU_ASSERT(m->h.seconds == 1.5);
	CU_ASSERT_STRING_EQUAL(m->str[FPM_S_ERROR], o.str[FPM_S_ERROR]);
	CU_ASSERT_STRING_EQUAL(m->str[FPM_S_NOTIFY], o.str[FPM_S_NOTIFY]);

	memset(&o, 0, sizeof(o));
	o.h.type = FPM_TAS;
	o.h.rc = 6;
	o.h.count = 2;
	o.ta = ta;
	CU_ASSERT_EQUAL(fpm_send(sv[0], &o, 0), 0);
	CU_ASSERT_EQUAL(fpm_recv(sv[1], m, 0, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(m->h.count, 2);
	CU_ASSERT_EQUAL(m->ta[0].proto, FETCH_PROTO_HTTPS);
	CU_ASSERT_EQUAL(m->ta[1].rc, -1);

	/* End of file reads as 0. */
	close(sv[0]);
	CU_ASSERT_EQUAL(fpm_recv(sv[1], m, 0, err, sizeof(err)), 0);
	close(sv[1]);
	free(m);
}

/* A valid FPM_ANSWER with error string e (length n) in buf. */
static size_t
answer(unsigned char *buf, const char *e, size_t n)
{
	struct fpm h;

	memset(&h, 0, sizeof(h));
	h.type = FPM_ANSWER;
	h.result = FETCH_OK;
	h.has = 1U << FPM_S_ERROR;
	h.len[FPM_S_ERROR] = (uint32_t)n;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), e, n);
	return sizeof(h) + n;
}

/* Change the header of the message in buf with f. */
static void
edit(unsigned char *buf, void (*f)(struct fpm *))
{
	struct fpm h;

	memcpy(&h, buf, sizeof(h));
	f(&h);
	memcpy(buf, &h, sizeof(h));
}

static void bad_type(struct fpm *h) { h->type = 99; }
static void bad_has(struct fpm *h) { h->has |= 1U << FPM_NSTR; }
static void bad_len(struct fpm *h) { h->len[FPM_S_ERROR] += 1; }
static void bad_rc(struct fpm *h) { h->rc = 5; }
static void bad_result(struct fpm *h) { h->result = FETCH_PENDING; }
static void bad_proto(struct fpm *h) { h->proto = 17; }
static void bad_flag(struct fpm *h) { h->unchanged = 2; }
static void bad_nan(struct fpm *h) { h->seconds = NAN; }
static void bad_neg(struct fpm *h) { h->seconds = -1; }
static void bad_tas(struct fpm *h) { h->type = FPM_TAS; h->has = 0;
	h->len[FPM_S_ERROR] = 0; h->count = MAX_TALS + 1; }
static void bad_fetch(struct fpm *h) { h->type = FPM_FETCH; h->has = 0;
	h->len[FPM_S_ERROR] = 0; }

/* Every way a message can be malformed is refused with a reason. */
static void
test_fetch_proc_msg_malformed(void)
{
	void (*edits[])(struct fpm *) = { bad_type, bad_has, bad_len, bad_rc,
	    bad_result, bad_proto, bad_flag, bad_nan, bad_neg, bad_tas,
	    bad_fetch };
	unsigned char *buf = calloc(1, FPM_MAX + 64);
	char err[128], *big;
	size_t i, n;

	CU_ASSERT_FATAL(buf != NULL);
	n = answer(buf, "fine", 4);
	CU_ASSERT_EQUAL(recv_raw(buf, n, err, sizeof(err)), 1);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		n = answer(buf, "fine", 4);
		edit(buf, edits[i]);
		err[0] = '\0';
		if (edits[i] == bad_tas || edits[i] == bad_fetch)
			n = sizeof(struct fpm);
		CU_ASSERT_EQUAL(recv_raw(buf, n, err, sizeof(err)), -2);
		CU_ASSERT(err[0] != '\0');
	}
	/* Shorter than a header; NUL inside a string; one byte missing. */
	CU_ASSERT_EQUAL(recv_raw(buf, 3, err, sizeof(err)), -2);
	n = answer(buf, "a\0b", 3);
	CU_ASSERT_EQUAL(recv_raw(buf, n, err, sizeof(err)), -2);
	n = answer(buf, "fine", 4);
	CU_ASSERT_EQUAL(recv_raw(buf, n - 1, err, sizeof(err)), -2);
	/* An error string over its bound, and a record over FPM_MAX. */
	big = malloc(FPM_MAX + 64);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'e', FPM_MAX + 64);
	n = answer(buf, big, FPM_ERROR_MAX + 1);
	CU_ASSERT_EQUAL(recv_raw(buf, n, err, sizeof(err)), -2);
	n = answer(buf, big, FPM_ERROR_MAX);
	CU_ASSERT_EQUAL(recv_raw(buf, n, err, sizeof(err)), 1);
	memset(buf, 0, FPM_MAX + 64);
	CU_ASSERT_EQUAL(recv_raw(buf, FPM_MAX + 64, err, sizeof(err)), -2);
	free(big);
	free(buf);
}

/* A fetcher process on a scratch cache, no TAL. */
static struct fetch_proc *
start(const char *cache)
{
	struct fetch_proc_config pc;
	struct fetch_config fc;
	struct fetch_proc *fp;

	memset(&fc, 0, sizeof(fc));
	fc.cache_dir = cache;
	fc.allow_dubious_hosts = 1;
	fc.timeout = 20;
	memset(&pc, 0, sizeof(pc));
	pc.fetch = &fc;
	fp = fetch_proc_start(&pc, NULL);
	CU_ASSERT_PTR_NOT_NULL(fp);
	return fp;
}

struct asker {
	struct fetch_proc	*fp;
	int			 i;
	int			 rc;
};

static void *
ask(void *arg)
{
	struct asker *a = arg;
	char *uri = tu_asprintf(DEAD_REPO "ca%d/", a->i, a->i);

	a->rc = fetch_proc_fetch(a->fp, uri, NULL);
	free(uri);
	return NULL;
}

/*
 * Threads asking at once each get their own module's answer; a second
 * caRepository in a module costs no request; the child ends cleanly.
 */
static void
test_fetch_proc_threads(void)
{
	const struct fetch_status *st;
	struct asker a[NTHREADS];
	pthread_t th[NTHREADS];
	char *cache = tu_tmpdir("fetch-proc"), *uri, *want;
	struct fetch_proc *fp;
	size_t i, j;

	/* The child's complaints about port 1 go to the capture too. */
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	if ((fp = start(cache)) == NULL)
		goto out;
	CU_ASSERT(fetch_proc_pid(fp) > 0);
	for (i = 0; i < NTHREADS; i++) {
		a[i].fp = fp;
		a[i].i = (int)i;
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, ask, &a[i]) == 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(a[i].rc, -1);
	}
	CU_ASSERT_EQUAL(fetch_proc_count(fp), NTHREADS);
	uri = tu_asprintf(DEAD_REPO "other/", 0);
	CU_ASSERT_EQUAL(fetch_proc_fetch(fp, uri, NULL), -1);
	free(uri);
	CU_ASSERT_EQUAL(fetch_proc_count(fp), NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		want = tu_asprintf(DEAD_REPO, (int)i);
		for (j = 0; j < NTHREADS; j++)
			if (strcmp(fetch_proc_status_at(fp, j)->repo_uri,
			    want) == 0)
				break;
		CU_ASSERT(j < NTHREADS);
		if (j < NTHREADS) {
			st = fetch_proc_status_at(fp, j);
			CU_ASSERT_EQUAL(st->result, FETCH_FAILED);
			CU_ASSERT(st->error == NULL ||
			    strcmp(st->error, FETCH_PROC_GONE) != 0);
		}
		free(want);
	}
	CU_ASSERT_EQUAL(fetch_proc_finish(fp), 0);
	CU_ASSERT_EQUAL(fetch_proc_pid(fp), 0);
	fetch_proc_free(fp);
 out:
	(void)tu_log_capture_end();
	tu_rmtree(cache);
	free(cache);
}

/* A child killed: what is asked after fails at once, finish says so. */
static void
test_fetch_proc_death(void)
{
	const struct fetch_status *st;
	char *cache = tu_tmpdir("fetch-proc"), *uri;
	struct fetch_proc *fp;
	const char *logged;
	pid_t pid;

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	if ((fp = start(cache)) == NULL)
		goto out;
	pid = fetch_proc_pid(fp);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(kill(pid, SIGKILL), 0);
	uri = tu_asprintf(DEAD_REPO "ca/", 9);
	CU_ASSERT_EQUAL(fetch_proc_fetch(fp, uri, NULL), -1);
	free(uri);
	CU_ASSERT_EQUAL(fetch_proc_count(fp), 1);
	st = fetch_proc_status_at(fp, 0);
	CU_ASSERT_EQUAL(st->result, FETCH_FAILED);
	CU_ASSERT_STRING_EQUAL(st->error, FETCH_PROC_GONE);
	CU_ASSERT_EQUAL(fetch_proc_finish(fp), -1);
	logged = tu_log_capture_end();
	/* Seen on the write or on the read, depending on timing. */
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, "repositories not yet fetched "
	    "are validated from the cache"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, "fetcher process killed by "
	    "signal 9"));
	fetch_proc_free(fp);
	tu_rmtree(cache);
	free(cache);
	return;
 out:
	(void)tu_log_capture_end();
	tu_rmtree(cache);
	free(cache);
}

REEF_SUITE(fetch_proc,
    REEF_TEST(test_fetch_proc_msg_roundtrip),
    REEF_TEST(test_fetch_proc_msg_malformed),
    REEF_TEST(test_fetch_proc_threads),
    REEF_TEST(test_fetch_proc_death))
