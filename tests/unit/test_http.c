/*
 * The HTTPS client's logic that needs no network: the URL policy, origin
 * comparison, argument checks, and the paths where a request is refused
 * or cancelled before any connection.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/limits.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/http.h"
#include "validator/rsync.h"

struct outcome {
	struct http_ctx	*ctx;		/* for callbacks that queue more */
	int		 done;
	int		 data;
	enum http_err	 err;
	char		 error[600];
};

static int
count_data(void *arg, const void *buf, size_t len)
{
	struct outcome *o = arg;

	o->data++;
	return 0;
}

static void
record(void *arg, const struct http_result *r)
{
	struct outcome *o = arg;

	o->done++;
	o->err = r->err;
	strncpy(o->error, r->error != NULL ? r->error : "",
	    sizeof(o->error) - 1);
}

static void
test_http_url_policy(void)
{
	static const char *const good[] = {
		"https://rrdp.example.net/notification.xml",
		"https://RRDP.Example.NET/a/b/c.xml",
		"https://rpki.example/rrdp/123e4567/snapshot.xml?x=1",
	};
	static const char *const bad[] = {
		"",
		"http://rrdp.example.net/notification.xml",
		"rsync://rpki.example.net/repo/",
		"https:///nohost",
		"https://",
		"https://?x",
		"https://a.example\\@b.example/",
		"https://a.example/x\\y",
		"https://user:pw@rrdp.example.net/n.xml",
		"https://rrdp.example.net/a b.xml",
		"https://rrdp.example.net/\x01.xml",
		"https://rrdp.example.net/\xc3\xa9.xml",
		"HTTPS//rrdp.example.net/",
	};
	static const char *const dubious[] = {
		"https://localhost/n.xml",
		"https://LOCALHOST./n.xml",
		"https://foo.localhost/n.xml",
		"https://127.0.0.1/n.xml",
		"https://10.1.2.3/n.xml",
		"https://[::1]/n.xml",
		"https://[2001:db8::1]/n.xml",
		"https://rrdp.example.net:443/n.xml",
		"https://rrdp.example.net:8443/n.xml",
		"https://0x7f.1/n.xml",
		"https://2130706433/n.xml",
		"https://1.2.3.4./n.xml",
	};
	const char *why;
	char *longurl;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		why = "unset";
		CU_ASSERT_EQUAL(http_url_acceptable(good[i], 0, &why), 0);
		CU_ASSERT_PTR_NULL(why);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CU_ASSERT_EQUAL(http_url_acceptable(bad[i], 1, &why), -1);
		CU_ASSERT_PTR_NOT_NULL(why);
	}
	for (i = 0; i < sizeof(dubious) / sizeof(dubious[0]); i++) {
		CU_ASSERT_EQUAL(http_url_acceptable(dubious[i], 0, &why), -1);
		CU_ASSERT_EQUAL(http_url_acceptable(dubious[i], 1, NULL), 0);
	}
	CU_ASSERT_EQUAL(http_url_acceptable(NULL, 1, NULL), -1);

	/* MAX_URI_LENGTH bytes pass, one more does not. */
	longurl = malloc(MAX_URI_LENGTH + 2);
	CU_ASSERT_FATAL(longurl != NULL);
	memset(longurl, 'a', MAX_URI_LENGTH + 1);
	memcpy(longurl, "https://example.net/", strlen("https://example.net/"));
	longurl[MAX_URI_LENGTH] = '\0';
	CU_ASSERT_EQUAL(http_url_acceptable(longurl, 0, NULL), 0);
	longurl[MAX_URI_LENGTH] = 'a';
	longurl[MAX_URI_LENGTH + 1] = '\0';
	CU_ASSERT_EQUAL(http_url_acceptable(longurl, 0, NULL), -1);
	free(longurl);
}

static void
test_http_origin(void)
{
	CU_ASSERT_EQUAL(http_same_origin("https://a.example/x",
	    "https://a.example/y/z"), 1);
	CU_ASSERT_EQUAL(http_same_origin("https://A.Example/x",
	    "https://a.example:443/y"), 1);
	CU_ASSERT_EQUAL(http_same_origin("HTTPS://a.example/x",
	    "https://a.example/"), 1);
	CU_ASSERT_EQUAL(http_same_origin("https://a.example/x",
	    "https://b.example/x"), 0);
	CU_ASSERT_EQUAL(http_same_origin("https://a.example/x",
	    "https://a.example:8443/x"), 0);
	CU_ASSERT_EQUAL(http_same_origin("https://a.example/x",
	    "http://a.example/x"), 0);
	CU_ASSERT_EQUAL(http_same_origin("https://a.example/x",
	    "https://www.a.example/x"), 0);
	CU_ASSERT_EQUAL(http_same_origin("https://localhost:1/x",
	    "https://127.0.0.1:1/x"), 0);
	CU_ASSERT_EQUAL(http_same_origin("https://a.example/x", "/x"), 0);
	CU_ASSERT_EQUAL(http_same_origin("not a url", "not a url"), 0);
}

static void
test_http_err_names(void)
{
	CU_ASSERT_STRING_EQUAL(http_err_name(HTTP_OK), "ok");
	CU_ASSERT_STRING_EQUAL(http_err_name(HTTP_ERR_TOO_BIG), "too-big");
	CU_ASSERT_STRING_EQUAL(http_err_name(HTTP_ERR_CANCELLED), "cancelled");
	CU_ASSERT_STRING_EQUAL(http_err_name((enum http_err)99), "unknown");
}

static void
test_http_bad_arguments(void)
{
	struct http_ctx *ctx;
	struct outcome o;
	struct http_callbacks cb = { count_data, record, &o };
	struct http_callbacks nodone = { count_data, NULL, &o };

	memset(&o, 0, sizeof(o));
	CU_ASSERT_FATAL((ctx = http_new(NULL)) != NULL);
	errno = 0;
	CU_ASSERT_EQUAL(http_get(ctx, NULL, NULL, &cb), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(http_get(ctx, "https://a.example/", NULL, NULL), -1);
	CU_ASSERT_EQUAL(http_get(ctx, "https://a.example/", NULL, &nodone),
	    -1);
	CU_ASSERT_EQUAL(http_get(NULL, "https://a.example/", NULL, &cb), -1);
	CU_ASSERT_EQUAL(http_pending(ctx), 0);
	/* Nothing to do: idle at once. */
	CU_ASSERT_EQUAL(http_run(ctx, 0), 0);
	http_free(ctx);
	http_free(NULL);
	CU_ASSERT_EQUAL(o.done, 0);
}

/* A refused URL is reported through on_done from http_run, no network. */
static void
test_http_refused_offline(void)
{
	struct http_ctx *ctx;
	struct outcome o[3];
	struct http_callbacks cb;
	static const char *const urls[] = {
		"http://a.example/n.xml",
		"https://127.0.0.1/n.xml",
		"https://a.example:8080/n.xml",
	};
	size_t i;

	CU_ASSERT_FATAL((ctx = http_new(NULL)) != NULL);
	for (i = 0; i < 3; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		cb.on_data = count_data;
		cb.on_done = record;
		cb.arg = &o[i];
		CU_ASSERT_EQUAL(http_get(ctx, urls[i], NULL, &cb), 0);
	}
	CU_ASSERT_EQUAL(http_pending(ctx), 3);
	CU_ASSERT_EQUAL(o[0].done, 0);
	CU_ASSERT_EQUAL(http_run(ctx, 1000), 0);
	CU_ASSERT_EQUAL(http_pending(ctx), 0);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(o[i].done, 1);
		CU_ASSERT_EQUAL(o[i].data, 0);
		CU_ASSERT_EQUAL(o[i].err, HTTP_ERR_URL);
		CU_ASSERT(strncmp(o[i].error, urls[i], strlen(urls[i])) == 0);
	}
	http_free(ctx);
}

/* A hook may refuse what the built-in policy accepts. */
static int
refuse_all(void *arg, const char *url)
{
	int *calls = arg;

	(*calls)++;
	return 0;
}

static void
test_http_url_hook(void)
{
	struct http_config cfg;
	struct http_ctx *ctx;
	struct outcome o;
	struct http_callbacks cb = { count_data, record, &o };
	int calls = 0;

	memset(&cfg, 0, sizeof(cfg));
	memset(&o, 0, sizeof(o));
	cfg.url_check = refuse_all;
	cfg.url_check_arg = &calls;
	CU_ASSERT_FATAL((ctx = http_new(&cfg)) != NULL);
	CU_ASSERT_EQUAL(http_get(ctx, "https://rrdp.example.net/n.xml", NULL,
	    &cb), 0);
	CU_ASSERT_EQUAL(calls, 1);
	CU_ASSERT_EQUAL(http_run(ctx, 1000), 0);
	CU_ASSERT_EQUAL(o.done, 1);
	CU_ASSERT_EQUAL(o.err, HTTP_ERR_URL);
	http_free(ctx);
}

/*
 * http_free() reports every queued request as cancelled, and a refused one
 * with its refusal; on_done may not queue more then.
 */
static void
try_requeue(void *arg, const struct http_result *r)
{
	struct outcome *o = arg;
	struct http_callbacks cb = { count_data, record, o };

	record(arg, r);
	CU_ASSERT_EQUAL(http_get(o->ctx, "https://b.example/", NULL, &cb),
	    -1);
}

static void
test_http_cancel_queued(void)
{
	struct http_config cfg;
	struct http_ctx *ctx;
	struct outcome o1, o2;
	struct http_callbacks cb1 = { count_data, try_requeue, &o1 };
	struct http_callbacks cb2 = { count_data, record, &o2 };

	memset(&cfg, 0, sizeof(cfg));
	memset(&o1, 0, sizeof(o1));
	memset(&o2, 0, sizeof(o2));
	cfg.proxy = "";
	CU_ASSERT_FATAL((ctx = http_new(&cfg)) != NULL);
	o1.ctx = ctx;
	CU_ASSERT_EQUAL(http_get(ctx, "https://a.example/n.xml", NULL, &cb1),
	    0);
	CU_ASSERT_EQUAL(http_get(ctx, "http://a.example/n.xml", NULL, &cb2),
	    0);
	http_free(ctx);
	CU_ASSERT_EQUAL(o1.done, 1);
	CU_ASSERT_EQUAL(o1.err, HTTP_ERR_CANCELLED);
	CU_ASSERT_EQUAL(o2.done, 1);
	CU_ASSERT_EQUAL(o2.err, HTTP_ERR_URL);
}

/* A classifier of validator/http.h applied to a numeric address. */
static const char *
judge(const char *(*fn)(const struct sockaddr *, socklen_t),
    const char *text)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (inet_pton(AF_INET, text, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		return fn((struct sockaddr *)&s4, sizeof(s4));
	}
	CU_ASSERT_FATAL(inet_pton(AF_INET6, text, &s6.sin6_addr) == 1);
	s6.sin6_family = AF_INET6;
	return fn((struct sockaddr *)&s6, sizeof(s6));
}

static void
test_http_addr_classes(void)
{
	static const struct {
		const char	*addr;
		const char	*why;	/* a word of the reason, or NULL */
	} cases[] = {
		{ "127.0.0.1", "loopback" }, { "127.255.0.9", "loopback" },
		{ "10.1.2.3", "1918" }, { "172.16.5.4", "1918" },
		{ "172.31.255.255", "1918" }, { "192.168.1.1", "1918" },
		{ "169.254.10.1", "link-local" }, { "100.64.0.1", "6598" },
		{ "0.0.0.0", "this network" }, { "224.0.0.251", "multicast" },
		{ "239.1.1.1", "multicast" }, { "255.255.255.255", "reserved" },
		{ "192.0.2.7", "documentation" }, { "198.18.0.1", "benchmark" },
		{ "172.32.0.1", NULL }, { "8.8.8.8", NULL },
		{ "193.0.6.139", NULL }, { "100.128.0.1", NULL },
		{ "::1", "loopback" }, { "::", "unspecified" },
		{ "::ffff:127.0.0.1", "loopback" }, { "::ffff:10.0.0.1", "1918" },
		{ "::ffff:8.8.8.8", NULL }, { "64:ff9b::a00:1", "1918" },
		{ "64:ff9b::808:808", NULL }, { "64:ff9b:1::1", "8215" },
		{ "2002:7f00:1::", "loopback" }, { "2002:808:808::1", NULL },
		{ "fc00::1", "unique local" }, { "fd12:3456::1", "unique local" },
		{ "fe80::1", "link-local" }, { "fec0::1", "site-local" },
		{ "ff02::1", "multicast" }, { "2001:db8::1", "documentation" },
		{ "100::1", "discard" }, { "::10.0.0.1", "compatible" },
		{ "2001:67c:2e8:22::c100:68b", NULL },
		{ "2a00:1450:4001::1", NULL },
	};
	const char *why;
	size_t i;
	int lo;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = judge(http_addr_dubious, cases[i].addr);
		/* Through a name, loopback alone is let through. */
		lo = strncmp(cases[i].addr, "127.", 4) == 0 ||
		    strcmp(cases[i].addr, "::1") == 0 ||
		    strncmp(cases[i].addr, "::ffff:127.", 11) == 0;
		CU_ASSERT_EQUAL(judge(http_addr_refused, cases[i].addr) == NULL,
		    why == NULL || lo);
		if (cases[i].why == NULL ? why != NULL : why == NULL ||
		    strstr(why, cases[i].why) == NULL) {
			printf("\n    %s: %s\n    ", cases[i].addr,
			    why != NULL ? why : "(not dubious)");
			CU_FAIL("address misjudged");
		}
	}
}

/*
 * A name /etc/hosts maps to a loopback address and whose spelling is not
 * dubious itself (not localhost, not numeric), into name; 0 or -1.
 */
static int
loopback_name(char *name, size_t sz)
{
	FILE *fp = fopen("/etc/hosts", "r");
	char line[512], *tok, *save;
	int found = -1;

	if (fp == NULL)
		return -1;
	while (found == -1 && fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "#\n")] = '\0';
		if ((tok = strtok_r(line, " \t", &save)) == NULL ||
		    (strncmp(tok, "127.", 4) != 0 && strcmp(tok, "::1") != 0))
			continue;
		while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
			if (strstr(tok, "localhost") != NULL ||
			    isdigit((unsigned char)tok[strlen(tok) - 1]) ||
			    strlen(tok) >= sz)
				continue;
			snprintf(name, sz, "%s", tok);
			found = 0;
			break;
		}
	}
	fclose(fp);
	return found;
}

/* Fetch url with dubious hosts allowed or not; the outcome into *o. */
static void
get_once(const char *url, int allow, struct outcome *o)
{
	struct http_config hc;
	struct http_callbacks cb;
	struct http_ctx *ctx;

	memset(&hc, 0, sizeof(hc));
	hc.allow_dubious_hosts = allow;
	hc.proxy = "";			/* the check is off behind a proxy */
	hc.connect_timeout = 5;
	CU_ASSERT_FATAL((ctx = http_new(&hc)) != NULL);
	memset(o, 0, sizeof(*o));
	cb.on_data = count_data;
	cb.on_done = record;
	cb.arg = o;
	CU_ASSERT_EQUAL(http_get(ctx, url, NULL, &cb), 0);
	CU_ASSERT_EQUAL(http_run(ctx, 20000), 0);
	CU_ASSERT_EQUAL(o->done, 1);
	http_free(ctx);
}

static void
test_http_dubious_name(void)
{
	struct rsync_config rc;
	struct rsync_job *job;
	struct outcome o;
	char name[256], *url;

	if (loopback_name(name, sizeof(name)) == -1) {
		printf("\n    SKIPPED: no loopback name in /etc/hosts\n    ");
		return;
	}
	/*
	 * A name that resolves to loopback is allowed (issue 4): a
	 * connection is attempted (refused, or TLS fails) with or without
	 * the allowance.
	 */
	url = tu_asprintf("https://%s/rrdp/notification.xml", name);
	CU_ASSERT_EQUAL(http_url_acceptable(url, 0, NULL), 0);
	get_once(url, 0, &o);
	CU_ASSERT_NOT_EQUAL(o.err, HTTP_ERR_URL);
	CU_ASSERT_PTR_NULL(strstr(o.error, "loopback address"));
	get_once(url, 1, &o);
	CU_ASSERT_NOT_EQUAL(o.err, HTTP_ERR_URL);
	CU_ASSERT_PTR_NULL(strstr(o.error, "loopback address"));
	free(url);

	/* rsync: resolved before rsync runs, which then runs. */
	CU_ASSERT_EQUAL_FATAL(rsync_config_init(&rc, "/bin/true"), 0);
	rc.check_addresses = 1;
	url = tu_asprintf("rsync://%s/module/", name);
	{
		char *stage = tu_tmpdir("dubious");

		CU_ASSERT_EQUAL_FATAL(rsync_start(&rc, url, stage, &job), 0);
		CU_ASSERT_EQUAL(rsync_wait(job), RSYNC_OK);
		rsync_free(job);
		/* Allowed: the program runs (here /bin/true: success). */
		rc.allow_dubious = 1;
		CU_ASSERT_EQUAL_FATAL(rsync_start(&rc, url, stage, &job), 0);
		CU_ASSERT_EQUAL(rsync_wait(job), RSYNC_OK);
		rsync_free(job);
		tu_rmtree(stage);
		free(stage);
	}
	free(url);
}

REEF_SUITE(http,
    REEF_TEST(test_http_url_policy),
    REEF_TEST(test_http_origin),
    REEF_TEST(test_http_err_names),
    REEF_TEST(test_http_bad_arguments),
    REEF_TEST(test_http_refused_offline),
    REEF_TEST(test_http_url_hook),
    REEF_TEST(test_http_cancel_queued),
    REEF_TEST(test_http_addr_classes),
    REEF_TEST(test_http_dubious_name))
