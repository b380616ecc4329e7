/*
 * Counters and the renderers of reef-rtrd's HTTP endpoint (see metrics.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/asn.h"
#include "common/be32.h"
#include "common/gtime.h"
#include "common/json.h"
#include "common/vrpset.h"
#include "rtrd/input.h"
#include "rtrd/metrics.h"

/* Room for "YYYY-MM-DDTHH:MM:SSZ" and more. */
#define TIME_STRLEN	32

static size_t
code_slot(unsigned int code)
{
	return code < METRICS_NCODES - 1 ? code : METRICS_NCODES - 1;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A complete header from the router: count it. */
static void
tap_header(struct rtrd_stats *st, const uint8_t *hdr)
{
	switch (hdr[1]) {
	case PDU_RESET_QUERY:
		st->reset_queries++;
		break;
	case PDU_SERIAL_QUERY:
		st->serial_queries++;
		break;
	case PDU_ERROR_REPORT:
		/* RFC 8210 section 5.11: the code sits in the header. */
		st->errors_received[code_slot(get16(hdr + 2))]++;
		break;
	}
}

/*
 * Count the PDUs in the router's stream.  A header announcing a length
 * below the header size means the session is about to fail anyway; the
 * tap then stops rather than count garbage.
 */
void
metrics_tap_rx(struct rtrd_stats *st, struct metrics_tap *t,
    const uint8_t *data, size_t len)
{
	size_t n;
	uint32_t plen;

	while (len > 0 && !t->lost) {
		if (t->skip > 0) {
			n = len < t->skip ? len : t->skip;
			t->skip -= n;
			data += n;
			len -= n;
			continue;
		}
		n = PDU_HEADER_LEN - t->hlen;
		if (n > len)
			n = len;
		memcpy(t->hdr + t->hlen, data, n);
		t->hlen += n;
		data += n;
		len -= n;
		if (t->hlen < PDU_HEADER_LEN)
			break;
		t->hlen = 0;
		plen = be32_get(t->hdr + 4);
		if (plen < PDU_HEADER_LEN || plen > PDU_MAX_LEN) {
			t->lost = 1;
			break;
		}
		tap_header(st, t->hdr);
		t->skip = plen - PDU_HEADER_LEN;
	}
}

/*
 * Count the control PDUs at the start of freshly queued buffers.  Each
 * private buffer holds one PDU; a shared payload stream starts with a
 * payload PDU, which is not counted here.
 */
void
metrics_scan_tx(struct rtrd_stats *st, const struct iovec *iov, int n)
{
	const uint8_t *p;
	int i;

	for (i = 0; i < n; i++) {
		if (iov[i].iov_len < PDU_HEADER_LEN)
			continue;
		p = iov[i].iov_base;
		switch (p[1]) {
		case PDU_CACHE_RESPONSE:
			st->cache_responses++;
			break;
		case PDU_CACHE_RESET:
			st->cache_resets++;
			break;
		case PDU_ERROR_REPORT:
			st->errors_sent[code_slot(get16(p + 2))]++;
			break;
		}
	}
}

/*
 * Record a load's outcome.
 */
void
metrics_load(struct rtrd_stats *st, int ok, int64_t now, const char *err)
{
	st->last_load = now;
	st->last_load_ok = ok;
	if (ok) {
		st->loads_ok++;
		st->last_load_error[0] = '\0';
	} else {
		st->loads_failed++;
		snprintf(st->last_load_error, sizeof(st->last_load_error),
		    "%s", err != NULL ? err : "unknown error");
	}
}

/*
 * Count a conditional download answered with 304: no load took place,
 * so the last load's time and result stay as they are.
 */
void
metrics_load_not_modified(struct rtrd_stats *st)
{
	st->loads_not_modified++;
}

/* ---- Prometheus -------------------------------------------------------- */

static void
prom_head(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
prom_one(FILE *fp, const char *name, const char *type, const char *help,
    unsigned long long value)
{
	prom_head(fp, name, type, help);
	fprintf(fp, "%s %llu\n", name, value);
}

static void
prom_codes(FILE *fp, const char *name, const char *help,
    const uint64_t *counts)
{
	size_t i;

	prom_head(fp, name, "counter", help);
	for (i = 0; i < METRICS_NCODES; i++) {
		if (i == METRICS_NCODES - 1)
			fprintf(fp, "%s{code=\"other\"} %llu\n", name,
			    (unsigned long long)counts[i]);
		else
			fprintf(fp, "%s{code=\"%zu\"} %llu\n", name, i,
			    (unsigned long long)counts[i]);
	}
}

static void
prom_sets(const struct rtrd_view *v, FILE *fp)
{
	const struct input_set *cur = history_current(v->h);
	size_t i;

	prom_head(fp, "reef_rtrd_payloads", "gauge",
	    "Payloads in the served set, by type.");
	fprintf(fp, "reef_rtrd_payloads{type=\"vrp\"} %zu\n",
	    cur != NULL ? vrpset_count(cur->vrps) : 0);
	fprintf(fp, "reef_rtrd_payloads{type=\"aspa\"} %zu\n",
	    cur != NULL ? aspaset_count(cur->aspas) : 0);
	fprintf(fp, "reef_rtrd_payloads{type=\"router_key\"} %zu\n",
	    cur != NULL ? rkset_count(cur->rks) : 0);
	prom_one(fp, "reef_rtrd_serial", "gauge",
	    "Serial number of the served set (0 before the first).",
	    history_has_data(v->h) ? history_serial(v->h) : 0);
	prom_one(fp, "reef_rtrd_deltas", "gauge",
	    "Deltas kept in the serial history.", history_ndeltas(v->h));
	prom_head(fp, "reef_rtrd_session_id", "gauge",
	    "Session ID announced at each protocol version.");
	for (i = 0; i < HISTORY_NVERSIONS; i++)
		fprintf(fp, "reef_rtrd_session_id{version=\"%zu\"} %u\n", i,
		    history_session_id(v->h, i));
}

/*
 * Write every metric with its HELP and TYPE lines.
 */
int
metrics_prometheus(const struct rtrd_view *v, FILE *fp)
{
	const struct rtrd_stats *st = v->stats;
	size_t i;

	prom_head(fp, "reef_rtrd_sessions", "gauge",
	    "RTR sessions open, by negotiated protocol version.");
	for (i = 0; i < HISTORY_NVERSIONS; i++)
		fprintf(fp, "reef_rtrd_sessions{version=\"%zu\"} %zu\n", i,
		    v->sessions[i]);
	fprintf(fp, "reef_rtrd_sessions{version=\"none\"} %zu\n",
	    v->sessions_new);
	prom_sets(v, fp);
	prom_one(fp, "reef_rtrd_connections_total", "counter",
	    "RTR connections accepted.", st->sessions_total);
	prom_one(fp, "reef_rtrd_tls_handshake_failures_total", "counter",
	    "TLS handshakes that failed or timed out.",
	    st->tls_handshake_failures);
	prom_one(fp, "reef_rtrd_reset_queries_total", "counter",
	    "Reset Query PDUs received.", st->reset_queries);
	prom_one(fp, "reef_rtrd_serial_queries_total", "counter",
	    "Serial Query PDUs received.", st->serial_queries);
	prom_one(fp, "reef_rtrd_cache_responses_total", "counter",
	    "Cache Response PDUs sent.", st->cache_responses);
	prom_one(fp, "reef_rtrd_cache_resets_total", "counter",
	    "Cache Reset PDUs sent.", st->cache_resets);
	prom_one(fp, "reef_rtrd_serial_notifies_total", "counter",
	    "Serial Notify PDUs queued.", st->notifies);
	prom_codes(fp, "reef_rtrd_errors_sent_total",
	    "Error Report PDUs sent, by error code.", st->errors_sent);
	prom_codes(fp, "reef_rtrd_errors_received_total",
	    "Error Report PDUs received, by error code.", st->errors_received);
	prom_head(fp, "reef_rtrd_input_loads_total", "counter",
	    "Input loads, by result (not_modified: HTTP 304 for a URL).");
	fprintf(fp, "reef_rtrd_input_loads_total{result=\"ok\"} %llu\n",
	    (unsigned long long)st->loads_ok);
	fprintf(fp, "reef_rtrd_input_loads_total{result=\"failed\"} %llu\n",
	    (unsigned long long)st->loads_failed);
	fprintf(fp, "reef_rtrd_input_loads_total{result=\"not_modified\"} "
	    "%llu\n", (unsigned long long)st->loads_not_modified);
	prom_one(fp, "reef_rtrd_last_load_timestamp_seconds", "gauge",
	    "When the input was last loaded (0: never).",
	    st->last_load > 0 ? (unsigned long long)st->last_load : 0);
	prom_one(fp, "reef_rtrd_last_load_success", "gauge",
	    "1 if the last input load succeeded, else 0.", st->last_load_ok);
	prom_one(fp, "reef_rtrd_http_requests_total", "counter",
	    "HTTP requests answered.", st->http_requests);
	prom_one(fp, "reef_rtrd_start_time_seconds", "gauge",
	    "When the server started.", st->started > 0 ?
	    (unsigned long long)st->started : 0);
	return ferror(fp) ? -1 : 0;
}

/* ---- JSON -------------------------------------------------------------- */

/* An ISO 8601 time, or null when t is 0 (unknown). */
static void
json_time(struct json *j, const char *key, int64_t t)
{
	char buf[TIME_STRLEN];

	json_key(j, key);
	if (t <= 0 || gtime_format_iso(t, buf, sizeof(buf)) < 0)
		json_null(j);
	else
		json_string(j, buf);
}

/* Finish the writer and report whether everything went out. */
static int
json_done(struct json *j, FILE *fp)
{
	int rc;

	/* In pretty mode this also ends the document with a newline. */
	rc = json_finish(j);
	json_free(j);
	return rc == 0 && !ferror(fp) ? 0 : -1;
}

static void
status_set(const struct rtrd_view *v, struct json *j)
{
	const struct input_set *cur = history_current(v->h);
	size_t i;

	if (history_has_data(v->h))
		json_kv_uint(j, "serial", history_serial(v->h));
	else {
		json_key(j, "serial");
		json_null(j);
	}
	json_key(j, "session_ids");
	json_object_begin(j);
	for (i = 0; i < HISTORY_NVERSIONS; i++) {
		char ver[4];

		snprintf(ver, sizeof(ver), "%zu", i);
		json_kv_uint(j, ver, history_session_id(v->h, i));
	}
	json_object_end(j);
	json_kv_uint(j, "deltas", history_ndeltas(v->h));
	json_kv_uint(j, "vrps", cur != NULL ? vrpset_count(cur->vrps) : 0);
	json_kv_uint(j, "aspas", cur != NULL ? aspaset_count(cur->aspas) : 0);
	json_kv_uint(j, "router_keys", cur != NULL ? rkset_count(cur->rks) :
	    0);
	json_key(j, "input_format");
	if (cur != NULL)
		json_string(j, input_format_name(cur->format));
	else
		json_null(j);
	json_time(j, "generated", cur != NULL ? cur->created : 0);
}

static void
status_sessions(const struct rtrd_view *v, struct json *j)
{
	size_t i;

	json_key(j, "sessions");
	json_object_begin(j);
	for (i = 0; i < HISTORY_NVERSIONS; i++) {
		char ver[4];

		snprintf(ver, sizeof(ver), "%zu", i);
		json_kv_uint(j, ver, v->sessions[i]);
	}
	json_kv_uint(j, "none", v->sessions_new);
	json_object_end(j);
	json_key(j, "listeners");
	json_array_begin(j);
	for (i = 0; i < v->nlisteners; i++) {
		json_object_begin(j);
		json_kv_string(j, "kind", v->listeners[i].kind);
		json_kv_string(j, "address", v->listeners[i].addr);
		json_object_end(j);
	}
	json_array_end(j);
}

/*
 * Write the status document.
 */
int
metrics_status(const struct rtrd_view *v, FILE *fp)
{
	const struct rtrd_stats *st = v->stats;
	struct json *j;

	if ((j = json_new_file(fp, JSON_PRETTY)) == NULL)
		return -1;
	json_object_begin(j);
	json_kv_string(j, "version", PACKAGE_VERSION);
	json_time(j, "now", v->now);
	json_time(j, "started", st->started);
	status_set(v, j);
	json_key(j, "input");
	json_object_begin(j);
	json_key(j, "path");
	if (v->input != NULL)
		json_string(j, v->input);
	else
		json_null(j);
	json_time(j, "last_load", st->last_load);
	json_key(j, "last_result");
	if (st->last_load == 0)
		json_null(j);
	else
		json_string(j, st->last_load_ok ? "ok" : "failed");
	if (!st->last_load_ok && st->last_load != 0)
		json_kv_string(j, "last_error", st->last_load_error);
	json_kv_uint(j, "loads_ok", st->loads_ok);
	json_kv_uint(j, "loads_failed", st->loads_failed);
	json_kv_uint(j, "loads_not_modified", st->loads_not_modified);
	json_object_end(j);
	status_sessions(v, j);
	json_kv_uint(j, "http_connections", v->http_conns);
	json_object_end(j);
	return json_done(j, fp);
}

/* ---- Validity (RFC 6811 section 2) ------------------------------------- */

/* The covering VRPs sorted into Routinator's three lists. */
struct cover {
	const struct prefix	*route;
	uint32_t		 origin;
	const struct vrp	**lists[3];	/* matched, bad AS, bad length */
	size_t			 n[3];
	size_t			 total;
	int			 nomem;
};

enum { LIST_MATCHED, LIST_AS, LIST_LENGTH };

static int
cover_visit(const struct vrp *vrp, void *arg)
{
	struct cover *c = arg;
	const struct vrp **l;
	int which;

	/* RFC 6811 section 2; AS 0 never matches (RFC 7607). */
	if (vrp->asn != c->origin || vrp->asn == 0)
		which = LIST_AS;
	else if (c->route->len > vrp->maxlen)
		which = LIST_LENGTH;
	else
		which = LIST_MATCHED;
	if (c->n[which] >= METRICS_VALIDITY_MAX)
		return 0;
	if ((c->n[which] & (c->n[which] - 1)) == 0) {
		/* Grow at powers of two: 1, 2, 4 ... */
		l = reallocarray(c->lists[which], c->n[which] == 0 ? 1 :
		    2 * c->n[which], sizeof(*l));
		if (l == NULL) {
			c->nomem = 1;
			return 1;
		}
		c->lists[which] = l;
	}
	c->lists[which][c->n[which]++] = vrp;
	c->total++;
	return 0;
}

static void
json_vrps(struct json *j, const char *key, const struct vrp **l, size_t n)
{
	char pfx[PREFIX_STRLEN], asn[ASN_STRLEN], ml[4];
	size_t i;

	json_key(j, key);
	json_array_begin(j);
	for (i = 0; i < n; i++) {
		prefix_format(&l[i]->prefix, pfx, sizeof(pfx));
		asn_format(l[i]->asn, asn, sizeof(asn));
		/* Routinator gives max_length as a string. */
		snprintf(ml, sizeof(ml), "%u", l[i]->maxlen);
		json_object_begin(j);
		json_kv_string(j, "asn", asn);
		json_kv_string(j, "prefix", pfx);
		json_kv_string(j, "max_length", ml);
		json_object_end(j);
	}
	json_array_end(j);
}

static void
json_state(struct json *j, int state, const struct cover *c)
{
	switch (state) {
	case ROV_VALID:
		json_kv_string(j, "state", "valid");
		json_kv_string(j, "description",
		    "At least one VRP Matches the Route Prefix");
		break;
	case ROV_INVALID:
		json_kv_string(j, "state", "invalid");
		/* A VRP of the origin AS that is too short is the better hint. */
		if (c->n[LIST_LENGTH] > 0) {
			json_kv_string(j, "reason", "length");
			json_kv_string(j, "description", "At least one VRP "
			    "Covers the Route Prefix, but the Route Prefix "
			    "length is greater than the maximum length "
			    "allowed by VRP(s) matching this route origin "
			    "ASN");
		} else {
			json_kv_string(j, "reason", "as");
			json_kv_string(j, "description", "At least one VRP "
			    "Covers the Route Prefix, but no VRP ASN matches "
			    "the route origin ASN");
		}
		break;
	default:
		json_kv_string(j, "state", "not-found");
		json_kv_string(j, "description",
		    "No VRP Covers the Route Prefix");
		break;
	}
}

/*
 * Validate the route and write Routinator's layout.
 */
int
metrics_validity(const struct rtrd_view *v, const struct prefix *route,
    uint32_t origin, FILE *fp)
{
	const struct input_set *cur = history_current(v->h);
	struct cover c;
	struct json *j = NULL;
	char pfx[PREFIX_STRLEN], asn[ASN_STRLEN];
	int state, rc = -1, i;

	memset(&c, 0, sizeof(c));
	c.route = route;
	c.origin = origin;
	if (cur == NULL ||
	    (state = vrpset_validate_origin(cur->vrps, route, origin)) < 0 ||
	    vrpset_covering(cur->vrps, route, cover_visit, &c) < 0 || c.nomem)
		goto out;
	if (prefix_format(route, pfx, sizeof(pfx)) < 0 ||
	    asn_format(origin, asn, sizeof(asn)) < 0 ||
	    (j = json_new_file(fp, JSON_PRETTY)) == NULL)
		goto out;
	json_object_begin(j);
	json_key(j, "validated_route");
	json_object_begin(j);
	json_key(j, "route");
	json_object_begin(j);
	json_kv_string(j, "origin_asn", asn);
	json_kv_string(j, "prefix", pfx);
	json_object_end(j);
	json_key(j, "validity");
	json_object_begin(j);
	json_state(j, state, &c);
	json_key(j, "VRPs");
	json_object_begin(j);
	json_vrps(j, "matched", c.lists[LIST_MATCHED], c.n[LIST_MATCHED]);
	json_vrps(j, "unmatched_as", c.lists[LIST_AS], c.n[LIST_AS]);
	json_vrps(j, "unmatched_length", c.lists[LIST_LENGTH],
	    c.n[LIST_LENGTH]);
	json_object_end(j);
	json_object_end(j);
	json_object_end(j);
	json_time(j, "generatedTime", cur->created > 0 ? cur->created :
	    v->stats->last_load);
	json_object_end(j);
	rc = json_done(j, fp);
	j = NULL;
 out:
	json_free(j);
	for (i = 0; i < 3; i++)
		free(c.lists[i]);
	return rc;
}
