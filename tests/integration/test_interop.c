/*
 * Integration: reef-rtrd against the RTR code of real routers from
 * Debian: BIRD 2, OpenBGPD, FRR (rpki module on rtrlib), GoBGP, StayRTR's
 * rtrdump and RTRlib's rtrclient.
 *
 * For every RTR version a client speaks, a fresh reef-rtrd limited to
 * that version (--max-version; clients without a version knob fall back
 * to it) serves set A; the client's script under tests/integration/interop
 * starts the client, waits until it holds exactly A, renames set B into
 * place and waits until the client holds exactly B, which it must reach
 * by a Serial Query (the server's log is checked), not a new Reset Query.
 *
 * A missing client, or an environment that forbids it, makes its script
 * exit 77: the test passes with a visible "SKIPPED" line, because CUnit
 * has no skipped state.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests/integration/rtrd_util.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

#define EX_SKIP		77
#define SKIP_TAG	"SKIP: "
/* Lines of a log shown when a step fails. */
#define LOG_TAIL	40
#define RTR_VERSIONS	3
#define SERVE_TAG	"serving serial "

/* What a client's dump holds besides the VRPs. */
#define SHOW_ROUTER_KEYS	0x01	/* router keys, version 1 and up */
#define SHOW_COUNTS		0x02	/* per-family prefix counts only */

struct vrp_ent {
	const char	*prefix;
	unsigned int	 maxlen;
	unsigned int	 asn;
};

struct rk_ent {
	unsigned int	 asn;
	const char	*ski;		/* hex */
	const char	*spki;		/* base64, as rpki-client writes it */
	const char	*spki_hex;
};

struct aspa_ent {
	unsigned int	 customer;
	const char	*providers;	/* JSON array body */
};

struct payload_set {
	const struct vrp_ent	*vrps;
	size_t			 nvrps;
	const struct rk_ent	*rks;
	size_t			 nrks;
	const struct aspa_ent	*aspas;
	size_t			 naspas;
};

struct client {
	const char	*name;		/* script is interop/<name>.sh */
	unsigned int	 versions;	/* bit v: speaks version v */
	unsigned int	 show;
};

#define SPKI1_B64 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEiBaYAp8MqYEWAKnnhm6661X" \
	"sIf28USZKIq5xsQVV70VA/OAcxaiTre1DxxurajBYtnveefl0lu9UB/WKTA2ciw=="
#define SPKI1_HEX "3059301306072a8648ce3d020106082a8648ce3d03010703420004" \
	"881698029f0ca9811600a9e7866ebaeb55ec21fdbc51264a22ae71b10555ef45" \
	"40fce01cc5a893aded43c71bab6a3058b67bde79f97496ef5407f58a4c0d9c8b"
#define SPKI2_B64 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE4es0aaOGw4ijC9EgFgtxiGl" \
	"zA/S6sKPWkyLuFFpt7S/xIS19ThIPtyynCoa1pwLqzp2zdPuW/BctyfSWsxydwg=="
#define SPKI2_HEX "3059301306072a8648ce3d020106082a8648ce3d03010703420004" \
	"e1eb3469a386c388a30bd120160b7188697303f4bab0a3d69322ee145a6ded2f" \
	"f1212d7d4e120fb72ca70a86b5a702eace9db374fb96fc172dc9f496b31c9dc2"
#define SPKI3_B64 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHcI1W3MG91iC29O4/JLLGzI" \
	"pFv5EIeXX9gLDOkoHgntXYY+MISasPD7p/4/8HEBnVJOZ9cGC1d0TmsF4FDbROQ=="
#define SPKI3_HEX "3059301306072a8648ce3d020106082a8648ce3d03010703420004" \
	"1dc2355b7306f75882dbd3b8fc92cb1b322916fe4421e5d7f602c33a4a07827b" \
	"57618f8c2126ac3c3ee9ff8ffc1c4067549399f5c182d5dd139ac1781436d139"

/*
 * Set A: IPv4 and IPv6, maxLength from the prefix length up to 32 and
 * 128, two VRPs sharing a prefix, an AS0 VRP.
 */
static const struct vrp_ent vrps_a[] = {
	{ "1.0.0.0/24", 24, 13335 },
	{ "1.1.1.0/24", 24, 13335 },
	{ "8.8.8.0/24", 24, 15169 },
	{ "9.9.9.0/24", 24, 19281 },
	{ "23.0.0.0/12", 24, 20940 },
	{ "23.0.0.0/12", 16, 16625 },
	{ "45.128.0.0/14", 14, 64500 },
	{ "185.0.0.0/16", 20, 3333 },
	{ "192.0.2.0/24", 28, 64496 },
	{ "198.51.100.0/24", 32, 64497 },
	{ "198.51.100.1/32", 32, 64498 },
	{ "203.0.113.0/24", 24, 0 },
	{ "2001:db8::/32", 48, 65001 },
	{ "2001:db8:1000::/36", 36, 65002 },
	{ "2001:4860::/32", 48, 15169 },
	{ "2606:4700::/32", 64, 13335 },
	{ "2a00:1450::/29", 48, 15169 },
	{ "2001:7fb::/32", 128, 12654 },
	{ "2c0f:f000::/20", 24, 37100 },
	{ "2001:db8:abcd::/48", 48, 65003 },
};

/* Set B: two removed, one added, a maxLength and an origin changed. */
static const struct vrp_ent vrps_b[] = {
	{ "1.0.0.0/24", 24, 13335 },
	{ "1.1.1.0/24", 24, 13336 },
	{ "23.0.0.0/12", 24, 20940 },
	{ "23.0.0.0/12", 16, 16625 },
	{ "45.128.0.0/14", 14, 64500 },
	{ "104.16.0.0/13", 24, 13335 },
	{ "185.0.0.0/16", 20, 3333 },
	{ "192.0.2.0/24", 26, 64496 },
	{ "198.51.100.0/24", 32, 64497 },
	{ "198.51.100.1/32", 32, 64498 },
	{ "203.0.113.0/24", 24, 0 },
	{ "2001:db8::/32", 48, 65001 },
	{ "2001:db8:2000::/36", 40, 65002 },
	{ "2001:4860::/32", 48, 15169 },
	{ "2606:4700::/32", 64, 13335 },
	{ "2a00:1450::/29", 48, 15169 },
	{ "2001:7fb::/32", 128, 12654 },
	{ "2c0f:f000::/20", 24, 37100 },
	{ "2001:db8:abcd::/48", 48, 65003 },
};

static const struct rk_ent rks_a[] = {
	{ 64496, "fc548f18c7efbb579beef1f1ed65b858f0ae0889", SPKI1_B64,
	    SPKI1_HEX },
	{ 64497, "010574f02803dca11e4040f4fcf72affe05674b4", SPKI2_B64,
	    SPKI2_HEX },
};

static const struct rk_ent rks_b[] = {
	{ 64496, "fc548f18c7efbb579beef1f1ed65b858f0ae0889", SPKI1_B64,
	    SPKI1_HEX },
	{ 64498, "ca8c996b066a959ba6a5347810120d6371effcce", SPKI3_B64,
	    SPKI3_HEX },
};

/* Served at version 2 only; no client here shows them. */
static const struct aspa_ent aspas_a[] = {
	{ 64496, "64497, 64498" },
	{ 65001, "65002" },
};

static const struct aspa_ent aspas_b[] = {
	{ 64496, "64497, 64499" },
	{ 65003, "65001, 65002" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct payload_set set_a = { vrps_a, NELEM(vrps_a), rks_a,
	NELEM(rks_a), aspas_a, NELEM(aspas_a) };
static const struct payload_set set_b = { vrps_b, NELEM(vrps_b), rks_b,
	NELEM(rks_b), aspas_b, NELEM(aspas_b) };

/* Integration runs are left out where only unit suites are wanted. */
static int
integration_skipped(void)
{
	const char *e = getenv("REEF_TESTS_UNIT_ONLY");

	if (e == NULL || *e == '\0')
		return 0;
	printf("\n    SKIPPED: REEF_TESTS_UNIT_ONLY is set\n    ");
	return 1;
}

/* The rpki-client JSON layout of a set; malloc'd. */
static char *
set_json(const struct payload_set *s)
{
	char *j, *t;
	size_t i;

	j = tu_asprintf("{\"metadata\": {\"buildtime\": "
	    "\"2024-01-01T00:00:00Z\"},\n \"roas\": [");
	for (i = 0; i < s->nvrps; i++) {
		t = tu_asprintf("%s%s\n  {\"asn\": %u, \"prefix\": \"%s\", "
		    "\"maxLength\": %u, \"ta\": \"test\", \"expires\": "
		    "4000000000}", j, i > 0 ? "," : "", s->vrps[i].asn,
		    s->vrps[i].prefix, s->vrps[i].maxlen);
		free(j);
		j = t;
	}
	t = tu_asprintf("%s],\n \"bgpsec_keys\": [", j);
	free(j);
	j = t;
	for (i = 0; i < s->nrks; i++) {
		t = tu_asprintf("%s%s\n  {\"asn\": %u, \"ski\": \"%s\", "
		    "\"pubkey\": \"%s\", \"ta\": \"test\", \"expires\": "
		    "4000000000}", j, i > 0 ? "," : "", s->rks[i].asn,
		    s->rks[i].ski, s->rks[i].spki);
		free(j);
		j = t;
	}
	t = tu_asprintf("%s],\n \"aspas\": [", j);
	free(j);
	j = t;
	for (i = 0; i < s->naspas; i++) {
		t = tu_asprintf("%s%s\n  {\"customer_asid\": %u, \"expires\": "
		    "4000000000, \"providers\": [%s]}", j, i > 0 ? "," : "",
		    s->aspas[i].customer, s->aspas[i].providers);
		free(j);
		j = t;
	}
	t = tu_asprintf("%s]}\n", j);
	free(j);
	return t;
}

/* Distinct prefixes of one family (IPv6 when v6), as OpenBGPD counts. */
static size_t
count_prefixes(const struct payload_set *s, int v6)
{
	size_t i, k, n = 0;

	for (i = 0; i < s->nvrps; i++) {
		if ((strchr(s->vrps[i].prefix, ':') != NULL) != v6)
			continue;
		for (k = 0; k < i; k++)
			if (strcmp(s->vrps[k].prefix, s->vrps[i].prefix) == 0)
				break;
		n += k == i;
	}
	return n;
}

/*
 * Write what the client must show of set s at version v into path, in the
 * scripts' canonical form (sorted by sort(1) in the C locale, as strcmp).
 */
static void
write_expected(const char *path, const struct payload_set *s,
    const struct client *c, unsigned int v, unsigned long serial)
{
	char *lines[64], *t;
	size_t i, k, n = 0;
	FILE *f;

	if (c->show & SHOW_COUNTS) {
		lines[n++] = tu_asprintf("count,ipv4,%zu", count_prefixes(s, 0));
		lines[n++] = tu_asprintf("count,ipv6,%zu", count_prefixes(s, 1));
		lines[n++] = tu_asprintf("serial,%lu", serial);
	} else {
		for (i = 0; i < s->nvrps; i++)
			lines[n++] = tu_asprintf("vrp,%s,%u,%u",
			    s->vrps[i].prefix, s->vrps[i].maxlen,
			    s->vrps[i].asn);
		for (i = 0; v >= 1 && (c->show & SHOW_ROUTER_KEYS) &&
		    i < s->nrks; i++)
			lines[n++] = tu_asprintf("routerkey,%u,%s,%s",
			    s->rks[i].asn, s->rks[i].ski, s->rks[i].spki_hex);
	}
	CU_ASSERT_FATAL(n <= NELEM(lines));
	/* Insertion sort: a few dozen lines. */
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && strcmp(lines[k - 1], lines[k]) > 0; k--) {
			t = lines[k];
			lines[k] = lines[k - 1];
			lines[k - 1] = t;
		}
	CU_ASSERT_FATAL((f = fopen(path, "w")) != NULL);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s\n", lines[i]);
		free(lines[i]);
	}
	CU_ASSERT_FATAL(fclose(f) == 0);
}

/* Start reef-rtrd serving set A at versions up to v; fatal if it cannot. */
static void
srv_start(struct rtrd_srv *s, unsigned int v)
{
	const char *args[] = { "-l", NULL, "-i", NULL, NULL, "--refresh", "60",
	    "--retry", "30", "--expire", "600", NULL };
	char *json, *maxv;

	json = set_json(&set_a);
	rtrd_srv_init(s, "interop", json, 0);
	free(json);
	maxv = tu_asprintf("--max-version=%u", v);
	args[1] = s->addr;
	args[3] = s->input;
	args[4] = maxv;
	rtrd_srv_run(s, args, s->port);
	free(maxv);
}

/* The serial the server logged as served after its n-th load (from 0). */
static int
served_serial(const struct rtrd_srv *s, int n, unsigned long *serial)
{
	unsigned char *text;
	char *p;
	int rc = -1;

	if ((text = tu_read_file(s->log, NULL)) == NULL)
		return -1;
	for (p = (char *)text; (p = strstr(p, SERVE_TAG)) != NULL; p++)
		if (n-- == 0) {
			*serial = strtoul(p + strlen(SERVE_TAG), NULL, 10);
			rc = 0;
			break;
		}
	free(text);
	return rc;
}

/* Does the server log hold this text? */
static int
log_has(const struct rtrd_srv *s, const char *what)
{
	unsigned char *text;
	int found;

	if ((text = tu_read_file(s->log, NULL)) == NULL)
		return 0;
	found = strstr((char *)text, what) != NULL;
	free(text);
	return found;
}

/* The reason on the "SKIP: reason" line of a file; malloc'd. */
static char *
skip_reason(const char *path)
{
	unsigned char *buf;
	char *p, *nl, *r;

	if ((buf = tu_read_file(path, NULL)) == NULL ||
	    (p = strstr((char *)buf, SKIP_TAG)) == NULL) {
		free(buf);
		return tu_asprintf("(no reason given)");
	}
	p += strlen(SKIP_TAG);
	if ((nl = strchr(p, '\n')) != NULL)
		*nl = '\0';
	r = tu_asprintf("%s", p);
	free(buf);
	return r;
}

/*
 * One client at version v: returns 1 when it ran and passed, 0 when it
 * was skipped (reported), -1 on failure (asserted and shown).
 */
static int
run_version(const struct client *c, unsigned int v)
{
	struct rtrd_srv s;
	char *next, *want_full, *want_delta, *out, *json, *cmd, *why;
	unsigned long serial = 0;
	int st, rc = -1;

	srv_start(&s, v);
	next = tu_asprintf("%s/next.json", s.dir);
	want_full = tu_asprintf("%s/want-full.csv", s.dir);
	want_delta = tu_asprintf("%s/want-delta.csv", s.dir);
	out = tu_asprintf("%s/script.out", s.dir);
	CU_ASSERT_FATAL(served_serial(&s, 0, &serial) == 0);
	json = set_json(&set_b);
	CU_ASSERT_FATAL(tu_write_file(next, json, strlen(json)) == 0);
	write_expected(want_full, &set_a, c, v, serial);
	/* reef-rtrd starts at a random serial; RFC 1982 wraps it. */
	write_expected(want_delta, &set_b, c, v, (serial + 1) & 0xffffffffUL);
	cmd = tu_asprintf("%s/tests/integration/interop/%s.sh", tu_srcdir(),
	    c->name);
	st = tu_system("sh '%s' %d '%s' '%s' '%s' '%s' '%s' %u > '%s' 2>&1",
	    cmd, s.port, s.input, next, want_full, want_delta, s.dir, v, out);
	if (st == EX_SKIP) {
		why = skip_reason(out);
		printf("\n    SKIPPED (%s, version %u): %s\n    ", c->name, v,
		    why);
		free(why);
		rc = 0;
	} else if (st != 0) {
		printf("\n    %s at version %u failed (exit %d):\n", c->name, v,
		    st);
		fflush(stdout);
		tu_system("tail -n %d '%s' | sed 's/^/    /'", LOG_TAIL, out);
		tu_system("tail -n %d '%s' | sed 's/^/    rtrd: /'", LOG_TAIL,
		    s.log);
		CU_FAIL("client did not receive exactly the set");
	} else {
		/* The delta came by a Serial Query from the first serial. */
		free(json);
		json = tu_asprintf("serial query from %lu to %lu", serial,
		    (serial + 1) & 0xffffffffUL);
		CU_ASSERT(log_has(&s, json));
		rc = log_has(&s, json) ? 1 : -1;
		CU_ASSERT(!log_has(&s, "not in the history"));
	}
	free(cmd);
	free(json);
	free(out);
	free(want_delta);
	free(want_full);
	free(next);
	rtrd_srv_stop(&s);
	return rc;
}

/* Every version the client speaks; the test fails if one fails. */
static void
run_client(const struct client *c)
{
	unsigned int v;

	if (integration_skipped())
		return;
	for (v = 0; v < RTR_VERSIONS; v++)
		if (c->versions & (1u << v))
			run_version(c, v);
}

static void
test_interop_bird(void)
{
	static const struct client c = { "bird", 0x3, 0 };

	run_client(&c);
}

static void
test_interop_openbgpd(void)
{
	static const struct client c = { "openbgpd", 0x2, SHOW_COUNTS };

	run_client(&c);
}

static void
test_interop_frr(void)
{
	static const struct client c = { "frr", 0x3, 0 };

	run_client(&c);
}

static void
test_interop_gobgp(void)
{
	static const struct client c = { "gobgp", 0x1, 0 };

	run_client(&c);
}

static void
test_interop_rtrdump(void)
{
	static const struct client c = { "rtrdump", 0x3, SHOW_ROUTER_KEYS };

	run_client(&c);
}

static void
test_interop_rtrclient(void)
{
	static const struct client c = { "rtrclient", 0x3, SHOW_ROUTER_KEYS };

	run_client(&c);
}

REEF_SUITE(integration_interop,
    REEF_TEST(test_interop_bird),
    REEF_TEST(test_interop_openbgpd),
    REEF_TEST(test_interop_frr),
    REEF_TEST(test_interop_gobgp),
    REEF_TEST(test_interop_rtrdump),
    REEF_TEST(test_interop_rtrclient))
