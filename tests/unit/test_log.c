/*
 * Tests for common/log.c: exact line format, level filtering, errno and
 * OpenSSL details, sanitising, truncation and whole lines under threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include <CUnit/CUnit.h>

#include "common/limits.h"
#include "common/log.h"
#include "suite.h"
#include "util.h"

#define NTHREADS	4
#define NLINES		500

struct capture {
	char	*dir;
	char	*path;
	int	 fd;
};

/* Point the logger at a fresh O_APPEND file in a scratch directory. */
static void
cap_open(struct capture *c, const char *ident, enum log_level level)
{
	struct log_config cfg = { 0 };

	c->dir = tu_tmpdir("log");
	CU_ASSERT_FATAL(c->dir != NULL);
	c->path = tu_asprintf("%s/out", c->dir);
	c->fd = open(c->path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0600);
	CU_ASSERT_FATAL(c->fd != -1);
	cfg.ident = ident;
	cfg.level = level;
	cfg.fd = c->fd;
	log_init(&cfg);
}

/* Return everything logged so far (malloc'd). */
static char *
cap_read(struct capture *c)
{
	char *s = (char *)tu_read_file(c->path, NULL);

	CU_ASSERT_FATAL(s != NULL);
	return s;
}

static void
cap_close(struct capture *c)
{
	log_close();
	close(c->fd);
	tu_rmtree(c->dir);
	free(c->dir);
	free(c->path);
}

static void
test_log_format(void)
{
	struct capture c;
	char *s;

	cap_open(&c, "reef", LOG_LEVEL_DEBUG);
	log_msg(LOG_LEVEL_WARNING, "rsync://h/m/a.roa", "bad %s %d", "thing", 7);
	log_msg(LOG_LEVEL_INFO, NULL, "plain");
	s = cap_read(&c);
	CU_ASSERT_STRING_EQUAL(s,
	    "reef: warning: rsync://h/m/a.roa: bad thing 7\n"
	    "reef: info: plain\n");
	free(s);
	cap_close(&c);

	cap_open(&c, NULL, LOG_LEVEL_DEBUG);
	log_msg(LOG_LEVEL_ERROR, "x.cer", "no ident");
	s = cap_read(&c);
	CU_ASSERT_STRING_EQUAL(s, "error: x.cer: no ident\n");
	free(s);
	cap_close(&c);
}

static void
test_log_levels(void)
{
	struct capture c;
	char *s;

	cap_open(&c, NULL, LOG_LEVEL_WARNING);
	CU_ASSERT_TRUE(log_enabled(LOG_LEVEL_ERROR));
	CU_ASSERT_TRUE(log_enabled(LOG_LEVEL_WARNING));
	CU_ASSERT_FALSE(log_enabled(LOG_LEVEL_NOTICE));
	CU_ASSERT_FALSE(log_enabled((enum log_level)42));
	log_msg(LOG_LEVEL_DEBUG, NULL, "d");
	log_msg(LOG_LEVEL_INFO, NULL, "i");
	log_msg(LOG_LEVEL_NOTICE, NULL, "n");
	log_msg(LOG_LEVEL_WARNING, NULL, "w");
	log_msg(LOG_LEVEL_ERROR, NULL, "e");
	s = cap_read(&c);
	CU_ASSERT_STRING_EQUAL(s, "warning: w\nerror: e\n");
	free(s);
	cap_close(&c);

	/* An out-of-range level in the config is clamped to debug. */
	cap_open(&c, NULL, (enum log_level)99);
	CU_ASSERT_TRUE(log_enabled(LOG_LEVEL_DEBUG));
	log_msg(LOG_LEVEL_DEBUG, NULL, "d");
	s = cap_read(&c);
	CU_ASSERT_STRING_EQUAL(s, "debug: d\n");
	free(s);
	cap_close(&c);

	/* The default after log_close() is notice. */
	CU_ASSERT_TRUE(log_enabled(LOG_LEVEL_NOTICE));
	CU_ASSERT_FALSE(log_enabled(LOG_LEVEL_INFO));
}

static void
test_log_level_names(void)
{
	enum log_level l = LOG_LEVEL_ERROR;

	CU_ASSERT_STRING_EQUAL(log_level_name(LOG_LEVEL_ERROR), "error");
	CU_ASSERT_STRING_EQUAL(log_level_name(LOG_LEVEL_WARNING), "warning");
	CU_ASSERT_STRING_EQUAL(log_level_name(LOG_LEVEL_NOTICE), "notice");
	CU_ASSERT_STRING_EQUAL(log_level_name(LOG_LEVEL_INFO), "info");
	CU_ASSERT_STRING_EQUAL(log_level_name(LOG_LEVEL_DEBUG), "debug");
	CU_ASSERT_STRING_EQUAL(log_level_name((enum log_level)-1), "unknown");
	CU_ASSERT_EQUAL(log_level_parse("debug", &l), 0);
	CU_ASSERT_EQUAL(l, LOG_LEVEL_DEBUG);
	CU_ASSERT_EQUAL(log_level_parse("WARNING", &l), 0);
	CU_ASSERT_EQUAL(l, LOG_LEVEL_WARNING);
	CU_ASSERT_EQUAL(log_level_parse("warn", &l), -1);
	CU_ASSERT_EQUAL(log_level_parse("", &l), -1);
	CU_ASSERT_EQUAL(l, LOG_LEVEL_WARNING);
}

static void
test_log_errno(void)
{
	struct capture c;
	char *s;

	cap_open(&c, "r", LOG_LEVEL_INFO);
	errno = ENOENT;
	log_msg_errno(LOG_LEVEL_WARNING, "/var/x", "open");
	CU_ASSERT_EQUAL(errno, ENOENT);
	errno = EACCES;
	log_msg(LOG_LEVEL_NOTICE, NULL, "keeps errno");
	CU_ASSERT_EQUAL(errno, EACCES);
	s = cap_read(&c);
	CU_ASSERT_STRING_EQUAL(s,
	    "r: warning: /var/x: open: No such file or directory\n"
	    "r: notice: keeps errno\n");
	free(s);
	cap_close(&c);
}

static void
test_log_crypto(void)
{
	struct capture c;
	const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01 };
	const unsigned char *p = junk;
	const char *want = "warning: bad.cer: cannot parse: error:";
	X509 *x;
	char *s;

	cap_open(&c, NULL, LOG_LEVEL_NOTICE);
	ERR_clear_error();
	x = d2i_X509(NULL, &p, sizeof(junk));
	CU_ASSERT_PTR_NULL(x);
	CU_ASSERT_NOT_EQUAL(ERR_peek_error(), 0);
	log_msg_crypto(LOG_LEVEL_WARNING, "bad.cer", "cannot parse");
	CU_ASSERT_EQUAL(ERR_peek_error(), 0);
	/* Empty queue: nothing appended. */
	log_msg_crypto(LOG_LEVEL_WARNING, NULL, "nothing queued");
	/* Filtered out: the queue is still emptied. */
	ERR_raise(ERR_LIB_USER, 1);
	log_msg_crypto(LOG_LEVEL_DEBUG, NULL, "hidden");
	CU_ASSERT_EQUAL(ERR_peek_error(), 0);
	/* Text data attached to an error is shown. */
	ERR_raise_data(ERR_LIB_USER, 2, "extra %d", 42);
	log_warnx_crypto("k", "with data");
	s = cap_read(&c);
	CU_ASSERT_NSTRING_EQUAL(s, want, strlen(want));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "\nwarning: nothing queued\n"));
	CU_ASSERT_PTR_NULL(strstr(s, "hidden"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "warning: k: with data: error:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, " (extra 42)\n"));
	free(s);
	cap_close(&c);
}

static void
test_log_sanitise(void)
{
	struct capture c;
	char *s;

	cap_open(&c, NULL, LOG_LEVEL_NOTICE);
	log_msg(LOG_LEVEL_ERROR, "rsync://h/a\nb", "x\ry\tz\x7f\xc3\xa9");
	s = cap_read(&c);
	CU_ASSERT_STRING_EQUAL(s, "error: rsync://h/a?b: x?y\tz?\xc3\xa9\n");
	free(s);
	cap_close(&c);
}

static void
test_log_truncate(void)
{
	struct capture c;
	char *big, *s;
	size_t len;

	big = malloc(2 * MAX_LOG_LINE);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'a', 2 * MAX_LOG_LINE - 1);
	big[2 * MAX_LOG_LINE - 1] = '\0';
	cap_open(&c, NULL, LOG_LEVEL_NOTICE);
	log_msg(LOG_LEVEL_ERROR, NULL, "%s", big);
	errno = EPERM;
	log_msg_errno(LOG_LEVEL_ERROR, big, "after");
	s = (char *)tu_read_file(c.path, &len);
	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT_EQUAL(len, 2 * MAX_LOG_LINE);
	CU_ASSERT_NSTRING_EQUAL(s, "error: aaa", 10);
	CU_ASSERT_NSTRING_EQUAL(s + MAX_LOG_LINE - 4, "...\n", 4);
	CU_ASSERT_NSTRING_EQUAL(s + 2 * MAX_LOG_LINE - 4, "...\n", 4);
	CU_ASSERT_PTR_NULL(strstr(s, "after"));
	free(s);
	free(big);
	cap_close(&c);
}

static void __attribute__((format(printf, 2, 3)))
wrap_vmsg(const char *obj, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_NOTICE, obj, fmt, ap);
	va_end(ap);
}

static void
test_log_shorthands(void)
{
	struct capture c;
	char *s;

	cap_open(&c, NULL, LOG_LEVEL_DEBUG);
	log_errorx("a%d", 1);
	errno = EIO;
	log_error("b");
	log_warnx("c");
	errno = EIO;
	log_warn("d");
	log_notice("e");
	log_info("f");
	log_debug("g");
	log_errorx_obj("o1", "h");
	log_warnx_obj("o2", "i");
	errno = EIO;
	log_warn_obj("o3", "j");
	log_info_obj("o4", "k");
	log_debug_obj("o5", "l");
	wrap_vmsg("o6", "m%s", "n");
	s = cap_read(&c);
	CU_ASSERT_STRING_EQUAL(s,
	    "error: a1\n"
	    "error: b: Input/output error\n"
	    "warning: c\n"
	    "warning: d: Input/output error\n"
	    "notice: e\n"
	    "info: f\n"
	    "debug: g\n"
	    "error: o1: h\n"
	    "warning: o2: i\n"
	    "warning: o3: j: Input/output error\n"
	    "info: o4: k\n"
	    "debug: o5: l\n"
	    "notice: o6: mn\n");
	free(s);
	cap_close(&c);
}

static void
test_log_syslog(void)
{
	struct log_config cfg = { 0 };
	struct capture c;
	char *s;

	/* In syslog mode nothing goes to the descriptor. */
	cap_open(&c, NULL, LOG_LEVEL_NOTICE);
	cfg.ident = "reef-test";
	cfg.level = LOG_LEVEL_ERROR;
	cfg.use_syslog = 1;
	cfg.facility = LOG_USER;
	cfg.fd = c.fd;
	log_init(&cfg);
	CU_ASSERT_FALSE(log_enabled(LOG_LEVEL_WARNING));
	log_msg(LOG_LEVEL_ERROR, "obj", "reef unit test message, ignore");
	log_init(NULL);
	CU_ASSERT_TRUE(log_enabled(LOG_LEVEL_NOTICE));
	s = cap_read(&c);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	cap_close(&c);
}

static void *
thread_main(void *arg)
{
	long id = (long)arg;
	int i;

	for (i = 0; i < NLINES; i++)
		log_msg(LOG_LEVEL_NOTICE, "rsync://example.net/repo/object.roa",
		    "thread %ld line %d %s", id, i,
		    "padding padding padding padding padding padding");
	return NULL;
}

static void
test_log_threads(void)
{
	struct capture c;
	pthread_t th[NTHREADS];
	int seen[NTHREADS][NLINES];
	char *s, *line, *save = NULL;
	long t;
	int i, n = 0;

	memset(seen, 0, sizeof(seen));
	cap_open(&c, "reef", LOG_LEVEL_NOTICE);
	for (t = 0; t < NTHREADS; t++)
		CU_ASSERT_FATAL(pthread_create(&th[t], NULL, thread_main,
		    (void *)t) == 0);
	for (t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	s = cap_read(&c);
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char pad[64];

		CU_ASSERT_EQUAL_FATAL(sscanf(line, "reef: notice: "
		    "rsync://example.net/repo/object.roa: thread %ld line %d "
		    "%63[a-z ]", &t, &i, pad), 3);
		CU_ASSERT_FATAL(t >= 0 && t < NTHREADS && i >= 0 && i < NLINES);
		CU_ASSERT_STRING_EQUAL(pad,
		    "padding padding padding padding padding padding");
		seen[t][i]++;
		n++;
	}
	CU_ASSERT_EQUAL(n, NTHREADS * NLINES);
	for (t = 0; t < NTHREADS; t++)
		for (i = 0; i < NLINES; i++)
			CU_ASSERT_EQUAL(seen[t][i], 1);
	free(s);
	cap_close(&c);
}

/* The last warning about an object: kept, matched by name, reset. */
static void
test_log_last(void)
{
	struct capture c;
	char *s;

	cap_open(&c, NULL, LOG_LEVEL_WARNING);
	log_last_reset();
	CU_ASSERT_PTR_NULL(log_last_message(NULL));
	CU_ASSERT_PTR_NULL(log_last_message("a.roa"));
	log_warnx_obj("a.roa", "RFC 9582 section %s: bad", "4.3");
	CU_ASSERT_STRING_EQUAL(log_last_message("a.roa"),
	    "RFC 9582 section 4.3: bad");
	CU_ASSERT_STRING_EQUAL(log_last_message(NULL),
	    "RFC 9582 section 4.3: bad");
	CU_ASSERT_PTR_NULL(log_last_message("b.roa"));
	CU_ASSERT_PTR_NULL(log_last_message("a.ro"));
	/* Below warning, or without an object: left alone. */
	log_msg(LOG_LEVEL_NOTICE, "a.roa", "notice");
	log_info_obj("a.roa", "info");
	log_warnx("no object");
	log_errorx("no object either");
	CU_ASSERT_STRING_EQUAL(log_last_message("a.roa"),
	    "RFC 9582 section 4.3: bad");
	/* The last one wins, errors count, errno detail is included. */
	errno = ENOENT;
	log_warn_obj("b.roa", "open");
	CU_ASSERT_PTR_NULL(log_last_message("a.roa"));
	CU_ASSERT_STRING_EQUAL(log_last_message("b.roa"),
	    "open: No such file or directory");
	log_errorx_obj("c.cer", "fatal %d", 3);
	CU_ASSERT_STRING_EQUAL(log_last_message("c.cer"), "fatal 3");
	log_last_reset();
	CU_ASSERT_PTR_NULL(log_last_message("c.cer"));
	CU_ASSERT_PTR_NULL(log_last_message(NULL));
	/* Kept even when the filter hides it; the line format is unchanged. */
	cap_close(&c);
	cap_open(&c, "reef", LOG_LEVEL_ERROR);
	log_warnx_obj("d.mft", "hidden\nreason");
	CU_ASSERT_STRING_EQUAL(log_last_message("d.mft"), "hidden?reason");
	log_errorx_obj("e.crl", "shown");
	s = cap_read(&c);
	CU_ASSERT_STRING_EQUAL(s, "reef: error: e.crl: shown\n");
	free(s);
	cap_close(&c);
	log_last_reset();
}

/* OpenSSL details are kept; filtered crypto messages still drain. */
static void
test_log_last_crypto(void)
{
	struct capture c;
	const char *m;

	cap_open(&c, NULL, LOG_LEVEL_ERROR);
	log_last_reset();
	ERR_raise_data(ERR_LIB_USER, 2, "extra %d", 7);
	log_warnx_crypto("x.cer", "RFC 6487 section 4: malformed");
	CU_ASSERT_EQUAL(ERR_peek_error(), 0);
	m = log_last_message("x.cer");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_NSTRING_EQUAL(m, "RFC 6487 section 4: malformed: error:",
	    strlen("RFC 6487 section 4: malformed: error:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, " (extra 7)"));
	/* Not kept (no object, hidden): the queue is emptied all the same. */
	ERR_raise(ERR_LIB_USER, 1);
	log_msg_crypto(LOG_LEVEL_WARNING, NULL, "x");
	CU_ASSERT_EQUAL(ERR_peek_error(), 0);
	CU_ASSERT_PTR_NOT_NULL(log_last_message("x.cer"));
	cap_close(&c);
	log_last_reset();
}

/* Long text is truncated with "..."; an overlong name is never matched. */
static void
test_log_last_long(void)
{
	struct capture c;
	char *big;
	const char *m;
	size_t n;

	big = malloc(2 * MAX_LOG_LINE);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'b', 2 * MAX_LOG_LINE - 1);
	big[2 * MAX_LOG_LINE - 1] = '\0';
	cap_open(&c, NULL, LOG_LEVEL_ERROR);
	log_warnx_obj("f.roa", "%s", big);
	m = log_last_message("f.roa");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	n = strlen(m);
	CU_ASSERT_EQUAL(n, MAX_LOG_LINE - 1);
	CU_ASSERT_STRING_EQUAL(m + n - 3, "...");
	CU_ASSERT_EQUAL(m[0], 'b');
	/* A name longer than MAX_URI_LENGTH forgets rather than mis-match. */
	big[MAX_URI_LENGTH + 1] = '\0';
	log_warnx_obj(big, "too long a name");
	CU_ASSERT_PTR_NULL(log_last_message(big));
	CU_ASSERT_PTR_NULL(log_last_message("f.roa"));
	CU_ASSERT_PTR_NULL(log_last_message(NULL));
	big[MAX_URI_LENGTH] = '\0';
	log_warnx_obj(big, "longest name");
	CU_ASSERT_STRING_EQUAL(log_last_message(big), "longest name");
	free(big);
	cap_close(&c);
	log_last_reset();
}

/* Per thread: what one thread logs is never another's last message. */
struct last_arg {
	long	id;
	int	bad;
};

static void *
last_thread(void *arg)
{
	struct last_arg *a = arg;
	char obj[64], want[64];
	const char *m;
	int i;

	if (log_last_message(NULL) != NULL)
		a->bad++;
	for (i = 0; i < NLINES; i++) {
		snprintf(obj, sizeof(obj), "t%ld.roa", a->id);
		snprintf(want, sizeof(want), "thread %ld step %d", a->id, i);
		log_last_reset();
		log_warnx_obj(obj, "%s", want);
		sched_yield();
		m = log_last_message(obj);
		if (m == NULL || strcmp(m, want) != 0)
			a->bad++;
	}
	return NULL;
}

static void
test_log_last_threads(void)
{
	struct capture c;
	pthread_t th[NTHREADS];
	struct last_arg args[NTHREADS];
	long t;

	cap_open(&c, NULL, LOG_LEVEL_ERROR);
	log_last_reset();
	log_warnx_obj("main.roa", "main's own");
	for (t = 0; t < NTHREADS; t++) {
		args[t].id = t;
		args[t].bad = 0;
		CU_ASSERT_FATAL(pthread_create(&th[t], NULL, last_thread,
		    &args[t]) == 0);
	}
	for (t = 0; t < NTHREADS; t++) {
		pthread_join(th[t], NULL);
		CU_ASSERT_EQUAL(args[t].bad, 0);
	}
	CU_ASSERT_STRING_EQUAL(log_last_message(NULL), "main's own");
	cap_close(&c);
	log_last_reset();
}

REEF_SUITE(log,
    REEF_TEST(test_log_format),
    REEF_TEST(test_log_levels),
    REEF_TEST(test_log_level_names),
    REEF_TEST(test_log_errno),
    REEF_TEST(test_log_crypto),
    REEF_TEST(test_log_sanitise),
    REEF_TEST(test_log_truncate),
    REEF_TEST(test_log_shorthands),
    REEF_TEST(test_log_syslog),
    REEF_TEST(test_log_threads),
    REEF_TEST(test_log_last),
    REEF_TEST(test_log_last_crypto),
    REEF_TEST(test_log_last_long),
    REEF_TEST(test_log_last_threads))
