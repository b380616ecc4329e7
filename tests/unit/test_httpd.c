/*
 * reef-rtrd's HTTP endpoint without sockets: the strict request parser,
 * path routing, the PDU counters, and the /metrics, /status and
 * validity renderers against a history loaded from a JSON input.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "rtrd/history.h"
#include "rtrd/httpd.h"
#include "rtrd/input.h"
#include "rtrd/metrics.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

#define GET(path)	"GET " path " HTTP/1.1\r\nHost: x\r\n\r\n"

static const char json_set[] =
    "{\"metadata\": {\"buildtime\": \"2024-01-01T00:00:00Z\"},\n"
    " \"roas\": [\n"
    "  {\"asn\": 64496, \"prefix\": \"192.0.2.0/24\", \"maxLength\": 24,"
    " \"ta\": \"t\", \"expires\": 4000000000},\n"
    "  {\"asn\": 64497, \"prefix\": \"192.0.2.0/23\", \"maxLength\": 23,"
    " \"ta\": \"t\", \"expires\": 4000000000},\n"
    "  {\"asn\": 0, \"prefix\": \"198.51.100.0/24\", \"maxLength\": 24,"
    " \"ta\": \"t\", \"expires\": 4000000000},\n"
    "  {\"asn\": 65001, \"prefix\": \"2001:db8::/32\", \"maxLength\": 48,"
    " \"ta\": \"t\", \"expires\": 4000000000}\n"
    " ],\n"
    " \"aspas\": [{\"customer_asid\": 64500, \"expires\": 4000000000,"
    " \"providers\": [64501]}],\n"
    " \"bgpsec_keys\": []}\n";

/* A history serving json_set, or an empty one. */
static struct history *
make_history(int with_data)
{
	static const uint16_t ids[HISTORY_NVERSIONS] = { 11, 22, 33 };
	struct history *h;
	struct input_set set;
	char err[256], *dir, *path;

	CU_ASSERT_FATAL((h = history_new(4, ids, 7)) != NULL);
	if (!with_data)
		return h;
	dir = tu_tmpdir("httpd");
	path = tu_asprintf("%s/v.json", dir);
	CU_ASSERT_FATAL(tu_write_file(path, json_set, strlen(json_set)) == 0);
	CU_ASSERT_FATAL(input_load(path, 1700000000, &set, err,
	    sizeof(err)) == 0);
	CU_ASSERT_FATAL(history_push(h, &set) == 1);
	tu_rmtree(dir);
	free(dir);
	free(path);
	return h;
}

static void
make_view(struct rtrd_view *v, struct rtrd_stats *st, struct history *h)
{
	static const struct rtrd_listener ls[] = {
		{ "rtr", "127.0.0.1:323" }, { "http", "[::1]:8080" }
	};

	memset(v, 0, sizeof(*v));
	v->stats = st;
	v->h = h;
	v->sessions[2] = 3;
	v->sessions_new = 1;
	v->input = "/var/lib/reef";
	v->listeners = ls;
	v->nlisteners = 2;
	v->now = 1700000000;
}

/* Answer a request; returns the status and the body in *body (malloc'd). */
static int
ask(const struct rtrd_view *v, const char *req, char **body)
{
	char *resp, *sep;
	size_t len;
	int status;

	status = httpd_answer(req, strlen(req), v, &resp, &len);
	*body = NULL;
	if (status <= 0)
		return status;
	CU_ASSERT_FATAL(resp != NULL);
	CU_ASSERT(strncmp(resp, "HTTP/1.1 ", 9) == 0);
	CU_ASSERT(atoi(resp + 9) == status);
	CU_ASSERT(strstr(resp, "Connection: close\r\n") != NULL);
	CU_ASSERT_FATAL((sep = strstr(resp, "\r\n\r\n")) != NULL);
	*body = strndup(sep + 4, len - (sep + 4 - resp));
	/* The body is exactly Content-Length long (GET). */
	if (strncmp(req, "GET", 3) == 0)
		CU_ASSERT(strstr(resp, "Content-Length: ") != NULL &&
		    (size_t)atol(strstr(resp, "Content-Length: ") + 16) ==
		    strlen(*body));
	free(resp);
	return status;
}

static int
parse(const char *req)
{
	struct httpd_request r;

	return httpd_parse(req, strlen(req), &r);
}

static void
test_httpd_parse(void)
{
	static const char head[] = "HEAD /a%2Fb HTTP/1.1\r\nhost: a\r\n\r\n";
	struct httpd_request r;
	char *big;

	CU_ASSERT(httpd_parse(GET("/metrics"), strlen(GET("/metrics")),
	    &r) == 200);
	CU_ASSERT(strcmp(r.path, "/metrics") == 0 && r.head == 0);
	CU_ASSERT(parse("HEAD /status?x=1 HTTP/1.1\r\nHost: a\r\n\r\n") ==
	    200);
	CU_ASSERT(httpd_parse(head, strlen(head), &r) == 200);
	CU_ASSERT(r.head == 1 && strcmp(r.path, "/a/b") == 0);
	/* HTTP/1.0 needs no Host. */
	CU_ASSERT(parse("GET / HTTP/1.0\r\n\r\n") == 200);
	/* Incomplete: more bytes needed. */
	CU_ASSERT(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n") == 0);
	CU_ASSERT(parse("GET /met") == 0);
	/* Malformed request lines. */
	CU_ASSERT(parse("GET  /x HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
	CU_ASSERT(parse("GET /x HTTP/1.1 \r\nHost: x\r\n\r\n") == 400);
	CU_ASSERT(parse("GET x HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
	CU_ASSERT(parse("GET /x HTTP/1.1\nHost: x\r\n\r\n") == 400);
	CU_ASSERT(parse("GET /x\r\n\r\n") == 400);
	CU_ASSERT(parse("G(T /x HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
	CU_ASSERT(parse("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
	CU_ASSERT(parse("GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
	CU_ASSERT(parse("GET /\x80 HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
	/* Methods and versions. */
	CU_ASSERT(parse("POST /x HTTP/1.1\r\nHost: x\r\n\r\n") == 405);
	CU_ASSERT(parse("GET /x HTTP/2.0\r\nHost: x\r\n\r\n") == 505);
	CU_ASSERT(parse("GET /x HTTP/1.1x\r\nHost: x\r\n\r\n") == 400);
	/* Host: required once in 1.1. */
	CU_ASSERT(parse("GET /x HTTP/1.1\r\n\r\n") == 400);
	CU_ASSERT(parse("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") ==
	    400);
	/* Header syntax: no colon, space in the name, folding, controls. */
	CU_ASSERT(parse("GET /x HTTP/1.1\r\nHost x\r\n\r\n") == 400);
	CU_ASSERT(parse("GET /x HTTP/1.1\r\nHo st: x\r\n\r\n") == 400);
	CU_ASSERT(parse("GET /x HTTP/1.1\r\nHost: x\r\n y\r\n\r\n") == 400);
	CU_ASSERT(parse("GET /x HTTP/1.1\r\nHost: \x01\r\n\r\n") == 400);
	/* No bodies. */
	CU_ASSERT(parse("GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0"
	    "\r\n\r\n") == 200);
	CU_ASSERT(parse("GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5"
	    "\r\n\r\n") == 400);
	CU_ASSERT(parse("GET /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n") == 501);
	/* Too long: the target, and a head without an end. */
	big = malloc(HTTPD_HEAD_MAX + 64);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'a', HTTPD_HEAD_MAX + 63);
	big[HTTPD_HEAD_MAX + 63] = '\0';
	memcpy(big, "GET /", 5);
	CU_ASSERT(parse(big) == 431);
	snprintf(big + HTTPD_TARGET_MAX + 8, 64, " HTTP/1.1\r\nHost: x\r\n\r\n");
	CU_ASSERT(parse(big) == 414);
	free(big);
}

static void
test_httpd_route(void)
{
	struct httpd_target t;
	char pfx[PREFIX_STRLEN];

	CU_ASSERT(httpd_route("/metrics", &t) == 200 &&
	    t.page == HTTPD_PAGE_METRICS);
	CU_ASSERT(httpd_route("/status", &t) == 200 &&
	    t.page == HTTPD_PAGE_STATUS);
	CU_ASSERT(httpd_route("/api/v1/validity/AS64496/192.0.2.0/24", &t) ==
	    200);
	CU_ASSERT(t.page == HTTPD_PAGE_VALIDITY && t.asn == 64496);
	prefix_format(&t.prefix, pfx, sizeof(pfx));
	CU_ASSERT(strcmp(pfx, "192.0.2.0/24") == 0);
	CU_ASSERT(httpd_route("/api/v1/validity/65001/2001:db8::/48", &t) ==
	    200 && t.asn == 65001 && t.prefix.len == 48);
	CU_ASSERT(httpd_route("/", &t) == 404);
	CU_ASSERT(httpd_route("/metrics/", &t) == 404);
	CU_ASSERT(httpd_route("/api/v1/validity/", &t) == 400);
	CU_ASSERT(httpd_route("/api/v1/validity/AS1", &t) == 400);
	CU_ASSERT(httpd_route("/api/v1/validity/ASx/192.0.2.0/24", &t) ==
	    400);
	CU_ASSERT(httpd_route("/api/v1/validity/AS4294967296/192.0.2.0/24",
	    &t) == 400);
	CU_ASSERT(httpd_route("/api/v1/validity/AS1/192.0.2.1/24", &t) ==
	    400);
	CU_ASSERT(httpd_route("/api/v1/validity/AS1/192.0.2.0", &t) == 400);
	CU_ASSERT(httpd_route("/api/v1/validity/AS1/192.0.2.0/33", &t) ==
	    400);
}

static void
test_httpd_tap(void)
{
	/* Reset Query v2, Serial Query v1, Error Report code 3 (16 bytes). */
	static const uint8_t rx[] = {
		2, 2, 0, 0, 0, 0, 0, 8,
		1, 1, 0, 5, 0, 0, 0, 12, 0, 0, 0, 9,
		1, 10, 0, 3, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0,
		2, 2, 0, 0, 0, 0, 0, 8,
	};
	static const uint8_t cr[] = { 2, 3, 0, 1, 0, 0, 0, 8 };
	static const uint8_t reset[] = { 2, 8, 0, 0, 0, 0, 0, 8 };
	static const uint8_t err[] = { 2, 10, 0, 13, 0, 0, 0, 16 };
	static const uint8_t bad[] = { 2, 2, 0, 0, 0, 0, 0, 4, 2, 2 };
	struct rtrd_stats st;
	struct metrics_tap t;
	struct iovec iov[3];
	size_t i;

	/* One byte at a time gives the same counts as one block. */
	memset(&st, 0, sizeof(st));
	memset(&t, 0, sizeof(t));
	for (i = 0; i < sizeof(rx); i++)
		metrics_tap_rx(&st, &t, rx + i, 1);
	CU_ASSERT(st.reset_queries == 2 && st.serial_queries == 1);
	CU_ASSERT(st.errors_received[3] == 1);
	memset(&t, 0, sizeof(t));
	metrics_tap_rx(&st, &t, rx, sizeof(rx));
	CU_ASSERT(st.reset_queries == 4 && st.errors_received[3] == 2);
	/* A length below the header: the tap stops counting. */
	memset(&t, 0, sizeof(t));
	metrics_tap_rx(&st, &t, bad, sizeof(bad));
	metrics_tap_rx(&st, &t, rx, sizeof(rx));
	CU_ASSERT(t.lost && st.reset_queries == 4);

	iov[0].iov_base = (void *)cr;
	iov[0].iov_len = sizeof(cr);
	iov[1].iov_base = (void *)reset;
	iov[1].iov_len = sizeof(reset);
	iov[2].iov_base = (void *)err;
	iov[2].iov_len = sizeof(err);
	metrics_scan_tx(&st, iov, 3);
	CU_ASSERT(st.cache_responses == 1 && st.cache_resets == 1);
	CU_ASSERT(st.errors_sent[13] == 1);

	metrics_load(&st, 0, 5, "bad input");
	CU_ASSERT(st.loads_failed == 1 && !st.last_load_ok &&
	    strcmp(st.last_load_error, "bad input") == 0);
	metrics_load(&st, 1, 6, NULL);
	CU_ASSERT(st.loads_ok == 1 && st.last_load_ok && st.last_load == 6 &&
	    st.last_load_error[0] == '\0');
}

static void
test_httpd_metrics(void)
{
	static const char *const names[] = {
		"reef_rtrd_sessions", "reef_rtrd_payloads", "reef_rtrd_serial",
		"reef_rtrd_reset_queries_total", "reef_rtrd_cache_resets_total",
		"reef_rtrd_errors_sent_total", "reef_rtrd_serial_notifies_total",
		"reef_rtrd_input_loads_total",
		"reef_rtrd_last_load_timestamp_seconds",
	};
	struct history *h = make_history(1);
	struct rtrd_stats st;
	struct rtrd_view v;
	char *body, *line;
	size_t i;

	memset(&st, 0, sizeof(st));
	st.reset_queries = 42;
	st.errors_sent[RTR_ERR_UNSUPPORTED_VERSION] = 3;
	metrics_load(&st, 1, 1700000000, NULL);
	make_view(&v, &st, h);
	CU_ASSERT(ask(&v, GET("/metrics"), &body) == 200);
	CU_ASSERT_FATAL(body != NULL);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		line = tu_asprintf("# TYPE %s ", names[i]);
		CU_ASSERT(strstr(body, line) != NULL);
		free(line);
		line = tu_asprintf("# HELP %s ", names[i]);
		CU_ASSERT(strstr(body, line) != NULL);
		free(line);
	}
	CU_ASSERT(strstr(body, "\nreef_rtrd_sessions{version=\"2\"} 3\n") !=
	    NULL);
	CU_ASSERT(strstr(body, "\nreef_rtrd_sessions{version=\"none\"} 1\n") !=
	    NULL);
	CU_ASSERT(strstr(body, "\nreef_rtrd_payloads{type=\"vrp\"} 4\n") !=
	    NULL);
	CU_ASSERT(strstr(body, "\nreef_rtrd_payloads{type=\"aspa\"} 1\n") !=
	    NULL);
	CU_ASSERT(strstr(body, "\nreef_rtrd_serial 7\n") != NULL);
	CU_ASSERT(strstr(body, "\nreef_rtrd_reset_queries_total 42\n") !=
	    NULL);
	CU_ASSERT(strstr(body,
	    "\nreef_rtrd_errors_sent_total{code=\"4\"} 3\n") != NULL);
	CU_ASSERT(strstr(body,
	    "\nreef_rtrd_input_loads_total{result=\"ok\"} 1\n") != NULL);
	CU_ASSERT(strstr(body,
	    "\nreef_rtrd_last_load_timestamp_seconds 1700000000\n") != NULL);
	CU_ASSERT(strstr(body, "\nreef_rtrd_session_id{version=\"1\"} 22\n") !=
	    NULL);
	/* Every line is a comment or "name[{labels}] value". */
	for (line = body; *line != '\0'; line = strchr(line, '\n') + 1) {
		CU_ASSERT(line[0] == '#' || strncmp(line, "reef_rtrd_", 10) == 0);
		if (strchr(line, '\n') == NULL)
			break;
	}
	free(body);
	/* HEAD: headers only. */
	CU_ASSERT(ask(&v, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
	    &body) == 200);
	CU_ASSERT(body != NULL && body[0] == '\0');
	free(body);
	history_free(h);
}

static void
test_httpd_status(void)
{
	struct history *h = make_history(1), *empty = make_history(0);
	struct rtrd_stats st;
	struct rtrd_view v;
	char *body;

	memset(&st, 0, sizeof(st));
	metrics_load(&st, 0, 1700000000, "v.json:3:4: bad \"thing\"");
	make_view(&v, &st, h);
	CU_ASSERT(ask(&v, GET("/status"), &body) == 200);
	CU_ASSERT_FATAL(body != NULL);
	CU_ASSERT(strstr(body, "\"serial\": 7") != NULL);
	CU_ASSERT(strstr(body, "\"2\": 33") != NULL);
	CU_ASSERT(strstr(body, "\"vrps\": 4") != NULL);
	CU_ASSERT(strstr(body, "\"input_format\": \"rpki-client JSON\"") !=
	    NULL);
	CU_ASSERT(strstr(body, "\"path\": \"/var/lib/reef\"") != NULL);
	CU_ASSERT(strstr(body, "\"last_result\": \"failed\"") != NULL);
	/* The error text is escaped, not pasted. */
	CU_ASSERT(strstr(body, "bad \\\"thing\\\"") != NULL);
	CU_ASSERT(strstr(body, "\"address\": \"[::1]:8080\"") != NULL);
	free(body);
	/* Before any data: serial null, validity unavailable. */
	v.h = empty;
	CU_ASSERT(ask(&v, GET("/status"), &body) == 200);
	CU_ASSERT(body != NULL && strstr(body, "\"serial\": null") != NULL);
	free(body);
	CU_ASSERT(ask(&v, GET("/api/v1/validity/AS1/192.0.2.0/24"), &body) ==
	    503);
	free(body);
	history_free(h);
	history_free(empty);
}

/* The validity answer for a route: state, and the VRPs in each list. */
static char *
validity(const struct rtrd_view *v, const char *route)
{
	char *req, *body;

	req = tu_asprintf("GET /api/v1/validity/%s HTTP/1.1\r\nHost: x\r\n\r\n",
	    route);
	CU_ASSERT(ask(v, req, &body) == 200);
	free(req);
	CU_ASSERT_FATAL(body != NULL);
	return body;
}

static void
test_httpd_validity(void)
{
	struct history *h = make_history(1);
	struct rtrd_stats st;
	struct rtrd_view v;
	char *b;

	memset(&st, 0, sizeof(st));
	make_view(&v, &st, h);
	/* Valid: one VRP matches; the /23 of another AS is listed too. */
	b = validity(&v, "AS64496/192.0.2.0/24");
	CU_ASSERT(strstr(b, "\"state\": \"valid\"") != NULL);
	CU_ASSERT(strstr(b, "\"origin_asn\": \"AS64496\"") != NULL);
	CU_ASSERT(strstr(b, "\"matched\": [\n          {\n            "
	    "\"asn\": \"AS64496\",\n            \"prefix\": \"192.0.2.0/24\","
	    "\n            \"max_length\": \"24\"") != NULL);
	CU_ASSERT(strstr(b, "\"unmatched_as\": [\n          {\n            "
	    "\"asn\": \"AS64497\"") != NULL);
	CU_ASSERT(strstr(b, "\"reason\"") == NULL);
	CU_ASSERT(strstr(b, "\"generatedTime\": \"2024-01-01T00:00:00Z\"") !=
	    NULL);
	free(b);
	/* Invalid, length: AS64497's VRP is a /23 with maxLength 23. */
	b = validity(&v, "AS64497/192.0.2.0/24");
	CU_ASSERT(strstr(b, "\"state\": \"invalid\"") != NULL);
	CU_ASSERT(strstr(b, "\"reason\": \"length\"") != NULL);
	CU_ASSERT(strstr(b, "\"matched\": []") != NULL);
	free(b);
	/* Invalid, AS: nobody authorises AS1. */
	b = validity(&v, "AS1/192.0.3.0/24");
	CU_ASSERT(strstr(b, "\"state\": \"invalid\"") != NULL);
	CU_ASSERT(strstr(b, "\"reason\": \"as\"") != NULL);
	CU_ASSERT(strstr(b, "\"unmatched_length\": []") != NULL);
	free(b);
	/* AS 0 never matches, not even origin AS 0 (RFC 7607). */
	b = validity(&v, "AS0/198.51.100.0/24");
	CU_ASSERT(strstr(b, "\"state\": \"invalid\"") != NULL);
	free(b);
	/* Not found, and IPv6. */
	b = validity(&v, "AS64496/203.0.113.0/24");
	CU_ASSERT(strstr(b, "\"state\": \"not-found\"") != NULL);
	CU_ASSERT(strstr(b, "No VRP Covers the Route Prefix") != NULL);
	free(b);
	b = validity(&v, "AS65001/2001:db8:1::/48");
	CU_ASSERT(strstr(b, "\"state\": \"valid\"") != NULL);
	free(b);
	b = validity(&v, "AS65001/2001:db8:1::/49");
	CU_ASSERT(strstr(b, "\"reason\": \"length\"") != NULL);
	free(b);
	/* Errors. */
	CU_ASSERT(ask(&v, GET("/api/v1/validity/AS1/192.0.2.1/24"), &b) ==
	    400);
	free(b);
	CU_ASSERT(ask(&v, GET("/nope"), &b) == 404);
	CU_ASSERT(b != NULL && strcmp(b, "404 Not Found\n") == 0);
	free(b);
	history_free(h);
}

REEF_SUITE(httpd,
    REEF_TEST(test_httpd_parse),
    REEF_TEST(test_httpd_route),
    REEF_TEST(test_httpd_tap),
    REEF_TEST(test_httpd_metrics),
    REEF_TEST(test_httpd_status),
    REEF_TEST(test_httpd_validity))
