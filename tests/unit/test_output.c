/*
 * The outputs of reef validate: exact bytes of every text format for a
 * small hand-built set (as rpki-client prints it) and, against lines
 * printed with rpki-client's format strings, for a set larger than the
 * writers' buffers with extreme values; write errors; the JSON re-read with
 * the strict reader, the hand-off round trip, the all-or-nothing
 * replacement, StayRTR reading vrps.json (when installed) and the usage
 * errors of reef validate.
 */
#include <sys/file.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/handoff.h"
#include "common/jsonread.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"
#include "validator/cmd_validate.h"
#include "validator/output.h"
#include "validator/report.h"
#include "validator/walk.h"

#define T0	1700000000LL	/* Tue Nov 14 22:13:20 UTC 2023 */

static const char *const names[] = { "apnic", "ripe" };
static const uint8_t spki[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };

struct fixture {
	struct vrpset	*vrps;
	struct aspaset	*aspas;
	struct rkset	*rks;
	struct output_data d;
};

static void
add_vrp(struct vrpset *s, const char *pfx, unsigned int maxlen, uint32_t asn,
    uint32_t ta, int64_t expires)
{
	struct vrp v;

	memset(&v, 0, sizeof(v));
	CU_ASSERT_EQUAL_FATAL(prefix_parse(pfx, &v.prefix), 0);
	v.maxlen = maxlen;
	v.asn = asn;
	v.ta = ta;
	v.expires = expires;
	CU_ASSERT_EQUAL_FATAL(vrpset_add(s, &v), 0);
}

/* The fixture with every expiry counted from base instead of T0. */
static void
fixture_init_at(struct fixture *f, int64_t base)
{
	uint32_t p1[] = { 64499, 64498 }, p2[] = { 0 };
	struct router_key k;
	struct aspa a;
	int i;

	memset(f, 0, sizeof(*f));
	f->vrps = vrpset_new();
	add_vrp(f->vrps, "192.0.2.0/24", 24, 64496, 0, base);
	add_vrp(f->vrps, "192.0.2.0/24", 26, 64497, 1, base + 1);
	add_vrp(f->vrps, "192.0.2.0/25", 25, 64496, 0, base + 2);
	add_vrp(f->vrps, "10.0.0.0/8", 8, 0, 1, base + 3);
	add_vrp(f->vrps, "2001:db8::/32", 48, 4294967295u, 0, base + 4);
	add_vrp(f->vrps, "2001:db8:0:1::/64", 64, 64496, 1, base + 5);
	vrpset_freeze(f->vrps);

	f->aspas = aspaset_new();
	memset(&a, 0, sizeof(a));
	a.customer = 4200000000u;
	a.providers = p2;
	a.nproviders = 1;
	a.expires = base + 200;
	aspaset_add(f->aspas, &a);
	a.customer = 64496;
	a.providers = p1;
	a.nproviders = 2;
	a.expires = base + 100;
	aspaset_add(f->aspas, &a);
	aspaset_freeze(f->aspas);

	f->rks = rkset_new();
	memset(&k, 0, sizeof(k));
	k.asn = 64496;
	k.ta = 1;
	k.expires = base + 300;
	for (i = 0; i < ROUTER_KEY_SKI_LEN; i++)
		k.ski[i] = (uint8_t)i;
	k.spki = spki;
	k.spki_len = sizeof(spki);
	rkset_add(f->rks, &k);
	rkset_freeze(f->rks);

	f->d.vrps = f->vrps;
	f->d.aspas = f->aspas;
	f->d.rks = f->rks;
	f->d.ta_names = names;
	f->d.nta = 2;
	f->d.buildtime = T0;
	f->d.elapsed = 12;
	f->d.usertime = 3;
	f->d.systemtime = 1;
	f->d.hostname = "rp.example";
	f->d.stats.roas = 5;
	f->d.stats.roas_failed = 1;
	f->d.stats.router_certs = 1;
	f->d.stats.certs = 7;
	f->d.stats.certs_failed = 2;
	f->d.stats.tals = 2;
	f->d.stats.manifests = 4;
	f->d.stats.manifests_failed = 1;
	f->d.stats.crls = 4;
	f->d.stats.repositories = 3;
	f->d.stats.vrps = 8;
}

static void
fixture_init(struct fixture *f)
{
	fixture_init_at(f, T0);
}

static void
fixture_free(struct fixture *f)
{
	vrpset_free(f->vrps);
	aspaset_free(f->aspas);
	rkset_free(f->rks);
}

/* Run one writer into memory; the caller frees the text. */
static char *
render(int (*fn)(FILE *, const struct output_data *),
    const struct output_data *d, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp;

	fp = open_memstream(&buf, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_EQUAL(fn(fp, d), 0);
	fclose(fp);
	if (len != NULL)
		*len = n;
	return buf;
}

#define HEADER \
	"# Generated on host rp.example at Tue Nov 14 22:13:20 UTC 2023\n" \
	"# Processing time 12 seconds (3s user, 1s system)\n" \
	"# Route Origin Authorizations: 5 (1 failed parse, 0 invalid)\n" \
	"# BGPsec Router Certificates: 1\n" \
	"# Certificates: 7 (2 invalid)\n" \
	"# Trust Anchor Locators: 2 (0 invalid) [ apnic ripe ]\n" \
	"# Manifests: 4 (1 failed parse)\n" \
	"# Certificate revocation lists: 4\n" \
	"# Repositories: 3\n" \
	"# VRP Entries: 8 (6 unique)\n"

static void
test_output_csv(void)
{
	struct fixture f;
	char *s;

	fixture_init(&f);
	s = render(output_csv, &f.d, NULL);
	CU_ASSERT_STRING_EQUAL(s,
	    "ASN,IP Prefix,Max Length,Trust Anchor,Expires\n"
	    "AS0,10.0.0.0/8,8,ripe,1700000003\n"
	    "AS64496,192.0.2.0/25,25,apnic,1700000002\n"
	    "AS64497,192.0.2.0/24,26,ripe,1700000001\n"
	    "AS64496,192.0.2.0/24,24,apnic,1700000000\n"
	    "AS4294967295,2001:db8::/32,48,apnic,1700000004\n"
	    "AS64496,2001:db8:0:1::/64,64,ripe,1700000005\n");
	free(s);
	/* Empty sets: the header alone. */
	f.d.vrps = NULL;
	s = render(output_csv, &f.d, NULL);
	CU_ASSERT_STRING_EQUAL(s,
	    "ASN,IP Prefix,Max Length,Trust Anchor,Expires\n");
	free(s);
	fixture_free(&f);
}

static void
test_output_bgpd(void)
{
	struct fixture f;
	char *s;

	fixture_init(&f);
	s = render(output_bgpd, &f.d, NULL);
	CU_ASSERT_STRING_EQUAL(s, HEADER
	    "roa-set {\n"
	    "\t10.0.0.0/8 source-as 0 expires 1700000003\n"
	    "\t192.0.2.0/25 source-as 64496 expires 1700000002\n"
	    "\t192.0.2.0/24 maxlen 26 source-as 64497 expires 1700000001\n"
	    "\t192.0.2.0/24 source-as 64496 expires 1700000000\n"
	    "\t2001:db8::/32 maxlen 48 source-as 4294967295 "
	    "expires 1700000004\n"
	    "\t2001:db8:0:1::/64 source-as 64496 expires 1700000005\n"
	    "}\n"
	    "\n"
	    "aspa-set {\n"
	    "\tcustomer-as 64496 expires 1700000100 provider-as "
	    "{ 64498, 64499 }\n"
	    "\tcustomer-as 4200000000 expires 1700000200 provider-as { 0 }\n"
	    "}\n");
	free(s);
	fixture_free(&f);
}

static void
test_output_bird(void)
{
	struct fixture f;
	char *s;

	fixture_init(&f);
	s = render(output_bird2, &f.d, NULL);
	CU_ASSERT_STRING_EQUAL(s, HEADER
	    "\n"
	    "define force_roa_table_update = 1700000000;\n"
	    "\n"
	    "roa4 table ROAS4;\n"
	    "roa6 table ROAS6;\n"
	    "\n"
	    "protocol static {\n"
	    "\troa4 { table ROAS4; };\n"
	    "\n"
	    "\troute 10.0.0.0/8 max 8 as 0;\n"
	    "\troute 192.0.2.0/25 max 25 as 64496;\n"
	    "\troute 192.0.2.0/24 max 26 as 64497;\n"
	    "\troute 192.0.2.0/24 max 24 as 64496;\n"
	    "}\n"
	    "\n"
	    "protocol static {\n"
	    "\troa6 { table ROAS6; };\n"
	    "\n"
	    "\troute 2001:db8::/32 max 48 as 4294967295;\n"
	    "\troute 2001:db8:0:1::/64 max 64 as 64496;\n"
	    "}\n");
	free(s);
	s = render(output_bird1v4, &f.d, NULL);
	CU_ASSERT_STRING_EQUAL(s, HEADER
	    "\nroa table ROAS {\n"
	    "\troa 10.0.0.0/8 max 8 as 0;\n"
	    "\troa 192.0.2.0/25 max 25 as 64496;\n"
	    "\troa 192.0.2.0/24 max 26 as 64497;\n"
	    "\troa 192.0.2.0/24 max 24 as 64496;\n"
	    "}\n");
	free(s);
	s = render(output_bird1v6, &f.d, NULL);
	CU_ASSERT_STRING_EQUAL(s, HEADER
	    "\nroa table ROAS {\n"
	    "\troa 2001:db8::/32 max 48 as 4294967295;\n"
	    "\troa 2001:db8:0:1::/64 max 64 as 64496;\n"
	    "}\n");
	free(s);
	fixture_free(&f);
}

/*
 * A set bigger than the text writers' block buffer, with the extremes of
 * every field: ASNs 0 and 2^32-1, expiry times from INT64_MIN to
 * INT64_MAX, /0 and host prefixes, IPv4-mapped and eight-group IPv6, a
 * TA index without a name and a TA name longer than the buffer.
 */
#define MANY_VRPS	3000
#define MANY_PROVIDERS	5000
#define LONG_TA		40000

struct many {
	struct vrpset	*vrps;
	struct aspaset	*aspas;
	uint32_t	 providers[MANY_PROVIDERS];
	char		*long_ta;
	const char	*ta_names[3];
	struct output_data d;
};

static void
many_init(struct many *m)
{
	static const char *const edges[] = {
		"0.0.0.0/0", "255.255.255.255/32", "::/0",
		"::ffff:192.0.2.0/120", "2001:db8:1:2:3:4:5:6/128",
		"fe80::1:0:0:1/128", "1::/16", "2001:db8::1:0:0:0/112",
	};
	static const int64_t times[] = {
		INT64_MIN, INT64_MAX, -1, 0, 9, 10, 1700000000,
	};
	char pfx[PREFIX_STRLEN];
	struct aspa a;
	unsigned int plen;
	size_t i;

	memset(m, 0, sizeof(*m));
	m->vrps = vrpset_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->vrps);
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		add_vrp(m->vrps, edges[i],
		    strchr(edges[i], ':') != NULL ? 128 : 32,
		    i % 2 ? 4294967295u : 0, (uint32_t)(i % 4), times[i % 7]);
	for (i = 0; i < MANY_VRPS; i++) {
		plen = i % 3 == 0 ? 24 : 64;
		if (plen == 24)
			snprintf(pfx, sizeof(pfx), "%zu.%zu.%zu.0/24",
			    1 + i % 223, i / 7 % 256, i % 256);
		else
			snprintf(pfx, sizeof(pfx), "2001:db8:%zx:%zx::/64",
			    i % 5 == 0 ? 0 : i, i % 7 == 0 ? 0 : i * 3);
		add_vrp(m->vrps, pfx, plen + (i % 4 == 0 ? 4 : 0),
		    (uint32_t)(i * 2654435761u), (uint32_t)(i % 2),
		    times[i / 2 % 7]);
	}
	vrpset_freeze(m->vrps);
	m->aspas = aspaset_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->aspas);
	for (i = 0; i < MANY_PROVIDERS; i++)
		m->providers[i] = 100000 + 7 * (uint32_t)i;
	memset(&a, 0, sizeof(a));
	a.customer = 1;
	a.providers = m->providers;
	a.nproviders = MANY_PROVIDERS;
	a.expires = INT64_MIN;
	CU_ASSERT_EQUAL_FATAL(aspaset_add(m->aspas, &a), 0);
	aspaset_freeze(m->aspas);
	m->long_ta = malloc(LONG_TA + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->long_ta);
	memset(m->long_ta, 't', LONG_TA);
	m->long_ta[LONG_TA] = '\0';
	m->ta_names[0] = "apnic";
	m->ta_names[1] = "ripe";
	m->ta_names[2] = m->long_ta;
	m->d.vrps = m->vrps;
	m->d.aspas = m->aspas;
	m->d.ta_names = m->ta_names;
	m->d.nta = 3;		/* index 3 prints as "unknown" */
	m->d.buildtime = T0;
	m->d.hostname = "rp.example";
}

static void
many_free(struct many *m)
{
	vrpset_free(m->vrps);
	aspaset_free(m->aspas);
	free(m->long_ta);
}

/*
 * The lines of one text format for every VRP (of family afi, 0: all),
 * printed with the format strings of rpki-client's writers.
 */
static char *
reference_lines(const struct output_data *d, int format, unsigned int afi)
{
	char pfx[PREFIX_STRLEN], *buf = NULL;
	const struct vrp *v;
	size_t i, n = 0;
	FILE *fp;

	fp = open_memstream(&buf, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	for (i = 0; i < vrpset_count(d->vrps); i++) {
		v = vrpset_get(d->vrps, i);
		if (afi != 0 && v->prefix.afi != afi)
			continue;
		CU_ASSERT_FATAL(prefix_format(&v->prefix, pfx,
		    sizeof(pfx)) > 0);
		if (format == OUTPUT_CSV)
			fprintf(fp, "AS%u,%s,%u,%s,%lld\n", v->asn, pfx,
			    v->maxlen, output_ta_name(d, v->ta),
			    (long long)v->expires);
		else if (format == OUTPUT_BGPD && v->maxlen > v->prefix.len)
			fprintf(fp, "\t%s maxlen %u source-as %u expires "
			    "%lld\n", pfx, v->maxlen, v->asn,
			    (long long)v->expires);
		else if (format == OUTPUT_BGPD)
			fprintf(fp, "\t%s source-as %u expires %lld\n", pfx,
			    v->asn, (long long)v->expires);
		else
			fprintf(fp, "\t%s %s max %u as %u;\n",
			    format == OUTPUT_BIRD ? "route" : "roa", pfx,
			    v->maxlen, v->asn);
	}
	fclose(fp);
	return buf;
}

/* Whether text contains head, then the reference lines, then tail. */
static int
has_block(const char *text, const char *head, const char *lines,
    const char *tail)
{
	char *want = tu_asprintf("%s%s%s", head, lines, tail);
	int found = strstr(text, want) != NULL;

	free(want);
	return found;
}

static void
test_output_text_many(void)
{
	char *s, *lines, *want, *prov = NULL;
	struct many m;
	size_t i, n = 0;
	FILE *fp;

	many_init(&m);
	CU_ASSERT(vrpset_count(m.vrps) > MANY_VRPS);
	s = render(output_csv, &m.d, NULL);
	lines = reference_lines(&m.d, OUTPUT_CSV, 0);
	want = tu_asprintf("ASN,IP Prefix,Max Length,Trust Anchor,"
	    "Expires\n%s", lines);
	CU_ASSERT(strlen(want) > 4 * 32768);
	CU_ASSERT(strstr(want, ",unknown,") != NULL);
	CU_ASSERT(strstr(want, m.long_ta) != NULL);
	CU_ASSERT_STRING_EQUAL(s, want);
	free(want);
	free(lines);
	free(s);

	s = render(output_bgpd, &m.d, NULL);
	lines = reference_lines(&m.d, OUTPUT_BGPD, 0);
	CU_ASSERT(has_block(s, "roa-set {\n", lines, "}\n\naspa-set {\n"));
	free(lines);
	fp = open_memstream(&prov, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fprintf(fp, "\tcustomer-as 1 expires %lld provider-as { ",
	    (long long)INT64_MIN);
	for (i = 0; i < MANY_PROVIDERS; i++)
		fprintf(fp, "%s%u", i > 0 ? ", " : "", m.providers[i]);
	fprintf(fp, " }\n}\n");
	fclose(fp);
	CU_ASSERT(n > 32768);
	CU_ASSERT(has_block(s, "aspa-set {\n", prov, ""));
	CU_ASSERT(strlen(s) >= n && strcmp(s + strlen(s) - n, prov) == 0);
	free(prov);
	free(s);

	s = render(output_bird2, &m.d, NULL);
	lines = reference_lines(&m.d, OUTPUT_BIRD, AFI_IPV4);
	CU_ASSERT(has_block(s, "\troa4 { table ROAS4; };\n\n", lines,
	    "}\n\nprotocol static {\n"));
	free(lines);
	lines = reference_lines(&m.d, OUTPUT_BIRD, AFI_IPV6);
	CU_ASSERT(has_block(s, "\troa6 { table ROAS6; };\n\n", lines,
	    "}\n"));
	free(lines);
	free(s);

	s = render(output_bird1v6, &m.d, NULL);
	lines = reference_lines(&m.d, OUTPUT_BIRD1, AFI_IPV6);
	CU_ASSERT(has_block(s, "\nroa table ROAS {\n", lines, "}\n"));
	free(lines);
	free(s);
	many_free(&m);
}

/*
 * vrps.json for the many VRPs: every line as printf prints it, the TA
 * names ("unknown" and one longer than a writer's block) included.
 */
static void
test_output_json_many(void)
{
	char pfx[PREFIX_STRLEN], *s, *lines = NULL, *want;
	const struct vrp *v;
	struct many m;
	size_t i, n = 0;
	FILE *fp;

	many_init(&m);
	fp = open_memstream(&lines, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	for (i = 0; i < vrpset_count(m.vrps); i++) {
		v = vrpset_get(m.vrps, i);
		CU_ASSERT_FATAL(prefix_format(&v->prefix, pfx,
		    sizeof(pfx)) > 0);
		fprintf(fp, "%s    {\"asn\":%u,\"prefix\":\"%s\",\"maxLength\":"
		    "%u,\"ta\":\"%s\",\"expires\":%lld}", i > 0 ? ",\n" : "",
		    v->asn, pfx, v->maxlen, output_ta_name(&m.d, v->ta),
		    (long long)v->expires);
	}
	fclose(fp);
	s = render(output_json, &m.d, NULL);
	want = tu_asprintf("\n  \"roas\": [\n%s\n  ],\n", lines);
	CU_ASSERT(strstr(want, "\"ta\":\"unknown\"") != NULL);
	CU_ASSERT(strstr(want, m.long_ta) != NULL);
	CU_ASSERT(strlen(want) > 4 * 65536);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, want));
	free(want);
	free(lines);
	free(s);
	many_free(&m);
}

/* Every writer reports a write error on a full disk. */
static void
test_output_write_error(void)
{
	int (*const fns[])(FILE *, const struct output_data *) = {
		output_csv, output_json, output_bgpd, output_bird2,
		output_bird1v4, output_bird1v6,
	};
	struct many m;
	size_t i;
	FILE *fp;

	if (access("/dev/full", W_OK) != 0) {
		fprintf(stderr, "no /dev/full, write errors not tested\n");
		return;
	}
	many_init(&m);
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		fp = fopen("/dev/full", "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
		CU_ASSERT_EQUAL(fns[i](fp, &m.d), -1);
		fclose(fp);
	}
	many_free(&m);
}

static int
key_is(struct jsonread *jr, const char *k)
{
	return jr_next(jr) == JR_KEY && strcmp(jr_string(jr, NULL), k) == 0;
}

static int
num_is(struct jsonread *jr, int64_t v)
{
	return jr_next(jr) == JR_NUMBER && jr_number(jr)->kind == JR_NUM_INT &&
	    jr_number(jr)->i == v;
}

static int
str_is(struct jsonread *jr, const char *s)
{
	return jr_next(jr) == JR_STRING && strcmp(jr_string(jr, NULL), s) == 0;
}

/* One rpki-client "roas" element, fields in rpki-client's order and types. */
static int
roa_is(struct jsonread *jr, int64_t asn, const char *pfx, int64_t maxlen,
    const char *ta, int64_t expires)
{
	return jr_next(jr) == JR_OBJECT_BEGIN &&
	    key_is(jr, "asn") && num_is(jr, asn) &&
	    key_is(jr, "prefix") && str_is(jr, pfx) &&
	    key_is(jr, "maxLength") && num_is(jr, maxlen) &&
	    key_is(jr, "ta") && str_is(jr, ta) &&
	    key_is(jr, "expires") && num_is(jr, expires) &&
	    jr_next(jr) == JR_OBJECT_END;
}

static void
test_output_json(void)
{
	static const char *const meta[] = {
		"buildmachine", "buildtime", "elapsedtime", "usertime",
		"systemtime", "roas", "failedroas", "invalidroas", "aspas",
		"failedaspas", "invalidaspas", "bgpsec_pubkeys",
		"certificates", "invalidcertificates", "tals", "invalidtals",
		"talfiles", "manifests", "failedmanifests", "crls",
		"repositories", "vrps", "uniquevrps", "vaps", "uniquevaps",
		"slurm_filtered", "slurm_asserted", NULL
	};
	struct jsonread *jr;
	struct fixture f;
	size_t i, len;
	char *s;

	fixture_init(&f);
	s = render(output_json, &f.d, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jr = jr_new(s, len, 8, 4096));
	CU_ASSERT(jr_next(jr) == JR_OBJECT_BEGIN);
	CU_ASSERT(key_is(jr, "metadata") && jr_next(jr) == JR_OBJECT_BEGIN);
	for (i = 0; meta[i] != NULL; i++) {
		CU_ASSERT(key_is(jr, meta[i]));
		if (strcmp(meta[i], "buildmachine") == 0) {
			CU_ASSERT(str_is(jr, "rp.example"));
		} else if (strcmp(meta[i], "buildtime") == 0) {
			CU_ASSERT(str_is(jr, "2023-11-14T22:13:20Z"));
		} else if (strcmp(meta[i], "elapsedtime") == 0) {
			CU_ASSERT(num_is(jr, 12));
		} else if (strcmp(meta[i], "uniquevrps") == 0) {
			CU_ASSERT(num_is(jr, 6));
		} else if (strcmp(meta[i], "talfiles") == 0) {
			CU_ASSERT(jr_next(jr) == JR_ARRAY_BEGIN &&
			    str_is(jr, "apnic") && str_is(jr, "ripe") &&
			    jr_next(jr) == JR_ARRAY_END);
		} else {
			CU_ASSERT(jr_next(jr) == JR_NUMBER);
		}
	}
	CU_ASSERT(jr_next(jr) == JR_OBJECT_END);
	CU_ASSERT(key_is(jr, "roas") && jr_next(jr) == JR_ARRAY_BEGIN);
	CU_ASSERT(roa_is(jr, 0, "10.0.0.0/8", 8, "ripe", T0 + 3));
	CU_ASSERT(roa_is(jr, 64496, "192.0.2.0/25", 25, "apnic", T0 + 2));
	CU_ASSERT(roa_is(jr, 64497, "192.0.2.0/24", 26, "ripe", T0 + 1));
	CU_ASSERT(roa_is(jr, 64496, "192.0.2.0/24", 24, "apnic", T0));
	CU_ASSERT(roa_is(jr, 4294967295LL, "2001:db8::/32", 48, "apnic",
	    T0 + 4));
	CU_ASSERT(roa_is(jr, 64496, "2001:db8:0:1::/64", 64, "ripe", T0 + 5));
	CU_ASSERT(jr_next(jr) == JR_ARRAY_END);
	CU_ASSERT(key_is(jr, "bgpsec_keys") && jr_next(jr) == JR_ARRAY_BEGIN);
	CU_ASSERT(jr_next(jr) == JR_OBJECT_BEGIN &&
	    key_is(jr, "asn") && num_is(jr, 64496) &&
	    key_is(jr, "ski") &&
	    str_is(jr, "000102030405060708090A0B0C0D0E0F10111213") &&
	    key_is(jr, "pubkey") && str_is(jr, "MAMCAQU=") &&
	    key_is(jr, "ta") && str_is(jr, "ripe") &&
	    key_is(jr, "expires") && num_is(jr, T0 + 300) &&
	    jr_next(jr) == JR_OBJECT_END);
	CU_ASSERT(jr_next(jr) == JR_ARRAY_END);
	CU_ASSERT(key_is(jr, "aspas") && jr_next(jr) == JR_ARRAY_BEGIN);
	CU_ASSERT(jr_next(jr) == JR_OBJECT_BEGIN &&
	    key_is(jr, "customer_asid") && num_is(jr, 64496) &&
	    key_is(jr, "expires") && num_is(jr, T0 + 100) &&
	    key_is(jr, "providers") && jr_next(jr) == JR_ARRAY_BEGIN &&
	    num_is(jr, 64498) && num_is(jr, 64499) &&
	    jr_next(jr) == JR_ARRAY_END && jr_next(jr) == JR_OBJECT_END);
	CU_ASSERT(jr_next(jr) == JR_OBJECT_BEGIN &&
	    key_is(jr, "customer_asid") && num_is(jr, 4200000000LL) &&
	    key_is(jr, "expires") && num_is(jr, T0 + 200) &&
	    key_is(jr, "providers") && jr_next(jr) == JR_ARRAY_BEGIN &&
	    num_is(jr, 0) && jr_next(jr) == JR_ARRAY_END &&
	    jr_next(jr) == JR_OBJECT_END);
	CU_ASSERT(jr_next(jr) == JR_ARRAY_END);
	CU_ASSERT(jr_next(jr) == JR_OBJECT_END);
	CU_ASSERT(jr_next(jr) == JR_END);
	CU_ASSERT(len > 0 && s[len - 1] == '\n');
	jr_free(jr);
	free(s);
	fixture_free(&f);
}

static void
test_output_handoff(void)
{
	struct handoff_data h;
	struct fixture f;
	struct router_key k;
	char err[256];
	size_t len;
	char *s;

	fixture_init(&f);
	s = render(output_handoff, &f.d, &len);
	CU_ASSERT_EQUAL_FATAL(handoff_parse((uint8_t *)s, len, &h, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(h.created, T0);
	CU_ASSERT_EQUAL(h.nta, 2);
	CU_ASSERT_STRING_EQUAL(h.ta_names[1], "ripe");
	CU_ASSERT_EQUAL(vrpset_count(h.vrps), 6);
	CU_ASSERT_EQUAL(vrp_cmp(vrpset_get(h.vrps, 5),
	    vrpset_get(f.vrps, 5)), 0);
	CU_ASSERT_EQUAL(vrpset_get(h.vrps, 5)->expires, T0 + 5);
	CU_ASSERT_EQUAL(aspaset_count(h.aspas), 2);
	CU_ASSERT_EQUAL(rkset_get(h.rks, 0, &k), 1);
	CU_ASSERT_EQUAL(k.spki_len, sizeof(spki));
	handoff_free(&h);
	free(s);
	fixture_free(&f);
}

static void
test_output_formats(void)
{
	unsigned int fl = 0;

	CU_ASSERT_EQUAL(output_parse_formats("csv", &fl), 0);
	CU_ASSERT_EQUAL(fl, OUTPUT_CSV);
	CU_ASSERT_EQUAL(output_parse_formats("json,openbgpd,bird2,bird1", &fl),
	    0);
	CU_ASSERT_EQUAL(fl, OUTPUT_JSON | OUTPUT_BGPD | OUTPUT_BIRD |
	    OUTPUT_BIRD1);
	CU_ASSERT_EQUAL(output_parse_formats("all", &fl), 0);
	CU_ASSERT_EQUAL(fl, OUTPUT_ALL);
	fl = 7;
	CU_ASSERT_EQUAL(output_parse_formats("csv,,json", &fl), -1);
	CU_ASSERT_EQUAL(output_parse_formats("csv,", &fl), -1);
	CU_ASSERT_EQUAL(output_parse_formats("", &fl), -1);
	CU_ASSERT_EQUAL(output_parse_formats("CSV", &fl), -1);
	CU_ASSERT_EQUAL(output_parse_formats("xml", &fl), -1);
	CU_ASSERT_EQUAL(fl, 7);		/* untouched on error */
}

static int
file_is(const char *dir, const char *name, const char *want)
{
	unsigned char *buf;
	char *path;
	int ok;

	path = tu_asprintf("%s/%s", dir, name);
	buf = tu_read_file(path, NULL);
	ok = buf != NULL && strcmp((char *)buf, want) == 0;
	free(buf);
	free(path);
	return ok;
}

static int
file_exists(const char *dir, const char *name)
{
	char *path = tu_asprintf("%s/%s", dir, name);
	int ok = access(path, F_OK) == 0;

	free(path);
	return ok;
}

static void
test_output_write_all(void)
{
	struct fixture f;
	struct vrpset *unfrozen;
	char *dir, *path, *csv;

	fixture_init(&f);
	dir = tu_tmpdir("output");
	CU_ASSERT_EQUAL_FATAL(output_write_all(dir, OUTPUT_ALL, &f.d), 0);
	CU_ASSERT(file_exists(dir, "vrps.csv"));
	CU_ASSERT(file_exists(dir, "vrps.json"));
	CU_ASSERT(file_exists(dir, "openbgpd"));
	CU_ASSERT(file_exists(dir, "bird"));
	CU_ASSERT(file_exists(dir, "bird1v4"));
	CU_ASSERT(file_exists(dir, "bird1v6"));
	CU_ASSERT(file_exists(dir, "reef.handoff"));
	CU_ASSERT(file_exists(dir, "report.json"));
	csv = render(output_csv, &f.d, NULL);
	CU_ASSERT(file_is(dir, "vrps.csv", csv));

	/*
	 * An unfrozen set makes the hand-off writer fail: then nothing is
	 * replaced, not even the CSV written before it.
	 */
	unfrozen = vrpset_new();
	f.d.vrps = unfrozen;
	CU_ASSERT_EQUAL(output_write_all(dir, OUTPUT_ALL, &f.d), -1);
	CU_ASSERT(file_is(dir, "vrps.csv", csv));
	vrpset_free(unfrozen);
	f.d.vrps = f.vrps;

	/* A missing directory fails cleanly. */
	path = tu_asprintf("%s/missing", dir);
	CU_ASSERT_EQUAL(output_write_all(path, OUTPUT_CSV, &f.d), -1);
	free(path);
	free(csv);
	tu_rmtree(dir);
	free(dir);
	fixture_free(&f);
}

/* StayRTR loads vrps.json and serves it (rtrdump shows our VRPs). */
static void
test_output_stayrtr(void)
{
	struct fixture f;
	unsigned char *dump;
	char *dir, *path;
	int rc, port;

	if (getenv("REEF_TESTS_UNIT_ONLY") != NULL ||
	    tu_system("command -v stayrtr >/dev/null 2>&1 && "
	    "command -v rtrdump >/dev/null 2>&1") != 0) {
		printf("SKIPPED (stayrtr/rtrdump not installed) ");
		return;
	}
	/* StayRTR drops expired VRPs: make them current. */
	fixture_init_at(&f, (int64_t)time(NULL) + 86400);
	dir = tu_tmpdir("stayrtr");
	CU_ASSERT_EQUAL_FATAL(output_write_all(dir, OUTPUT_JSON, &f.d), 0);
	port = 20000 + (int)(getpid() % 20000);
	rc = tu_system("cd %s && (stayrtr -cache %s/vrps.json -checktime=false "
	    "-bind 127.0.0.1:%d -metrics.addr 127.0.0.1:%d >stayrtr.log 2>&1 &"
	    " echo $! > pid) && for i in 1 2 3 4 5 6 7 8 9 10; do "
	    "timeout 5 rtrdump -connect 127.0.0.1:%d -rtr.version 1 "
	    "-file dump.json >rtrdump.log 2>&1 && break; sleep 0.5; done; "
	    "r=$?; kill $(cat pid); exit $r", dir, dir, port, port + 1, port);
	CU_ASSERT_EQUAL(rc, 0);
	path = tu_asprintf("%s/dump.json", dir);
	dump = tu_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL(dump);
	if (dump != NULL) {
		CU_ASSERT_PTR_NOT_NULL(strstr((char *)dump, "192.0.2.0/25"));
		CU_ASSERT_PTR_NOT_NULL(strstr((char *)dump,
		    "2001:db8:0:1::/64"));
		CU_ASSERT_PTR_NOT_NULL(strstr((char *)dump, "4294967295"));
	}
	free(dump);
	free(path);
	tu_rmtree(dir);
	free(dir);
	fixture_free(&f);
}

/* Run reef validate with argv; its usage messages land in *msg. */
static int
run_validate(char **msg, const char *a1, const char *a2, const char *a3)
{
	char *argv[5] = { "validate", NULL, NULL, NULL, NULL };
	size_t len;
	FILE *err;
	int argc = 1, rc;

	if (a1 != NULL)
		argv[argc++] = (char *)a1;
	if (a2 != NULL)
		argv[argc++] = (char *)a2;
	if (a3 != NULL)
		argv[argc++] = (char *)a3;
	err = open_memstream(msg, &len);
	rc = cmd_validate_run(argc, argv, err);
	fclose(err);
	return rc;
}

static void
test_validate_usage(void)
{
	char *msg, *tdir, *missing;

	tdir = tu_tmpdir("validate");
	missing = tu_asprintf("%s/nonexistent", tdir);

	CU_ASSERT_EQUAL(run_validate(&msg, "--bogus", NULL, NULL), VALIDATE_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "--bogus"));
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "-x", NULL, NULL), VALIDATE_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "-x"));
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "-t", tdir, "--at=yesterday"), VALIDATE_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "--at"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "yesterday"));
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "--at", "2024-13-01", NULL), VALIDATE_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "--at"));
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "--at", NULL, NULL), VALIDATE_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "--at needs a value"));
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "-t", missing, NULL), VALIDATE_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "-t:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "nonexistent"));
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "--tal-dir", missing, NULL), VALIDATE_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "-t:"));
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "-t", tdir, "-j0"), VALIDATE_EXIT_USAGE);
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "-j", "0", NULL), VALIDATE_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "-j"));
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "-f", "csv,xml", NULL), VALIDATE_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "-f"));
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "--timeout", "-5", NULL), VALIDATE_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "--timeout"));
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "--offline=1", NULL, NULL), VALIDATE_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "--offline"));
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "-t", tdir, "stray"), VALIDATE_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "stray"));
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "--slurm", missing, NULL), VALIDATE_EXIT_USAGE);
	free(msg);
	CU_ASSERT_EQUAL(run_validate(&msg, "--help", NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "usage: reef validate"));
	free(msg);
	free(missing);
	tu_rmtree(tdir);
	free(tdir);
}

/* Does dir/metrics hold this exact line? */
static int
file_has_line(const char *dir, const char *line)
{
	char *path = tu_asprintf("%s/%s", dir, OUTPUT_METRICS_FILE);
	unsigned char *buf;
	const char *p;
	size_t n = strlen(line);
	int found = 0;

	if ((buf = tu_read_file(path, NULL)) != NULL)
		for (p = (char *)buf; (p = strstr(p, line)) != NULL; p++)
			if ((p == (char *)buf || p[-1] == '\n') &&
			    (p[n] == '\n' || p[n] == '\0')) {
				found = 1;
				break;
			}
	if (!found)
		printf("\n    no line \"%s\" in %s\n    ", line, path);
	free(buf);
	free(path);
	return found;
}

/* An empty TAL directory is a failed run (exit 1), not a usage error. */
static void
test_validate_no_tals(void)
{
	char *msg, *tdir, *odir, *cdir;

	tdir = tu_tmpdir("validate-tals");
	odir = tu_tmpdir("validate-out");
	cdir = tu_tmpdir("validate-cache");
	{
		/* As root, --user root: _reef would take the whole runner. */
		char *argv[] = { "validate", "--offline", "-t", tdir, "-o", odir,
		    "-d", cdir, "--user", "root", NULL };
		size_t len = 0;
		FILE *err = open_memstream(&msg, &len);

		CU_ASSERT_EQUAL(cmd_validate_run(geteuid() == 0 ? 10 : 8, argv,
		    err), 1);
		fclose(err);
		free(msg);
	}
	CU_ASSERT(!file_exists(odir, "vrps.csv"));
	/* The metrics of a failed run are written all the same. */
	CU_ASSERT(file_has_line(odir, "reef_validate_result{result=\"failed\"} 1"));
	CU_ASSERT(file_has_line(odir, "reef_validate_exit_status 1"));
	CU_ASSERT(file_has_line(odir,
	    "reef_validate_last_success_timestamp_seconds 0"));
	CU_ASSERT(file_has_line(odir, "reef_vrps 0"));
	/* The lock was taken and the PID of the run left in it. */
	CU_ASSERT(file_exists(cdir, ".lock"));
	tu_rmtree(tdir);
	tu_rmtree(odir);
	tu_rmtree(cdir);
	free(tdir);
	free(odir);
	free(cdir);
}

/* Is every line "# HELP ...", "# TYPE ..." or "name[{...}] number"? */
static int
exposition_ok(const char *text)
{
	const char *p = text, *nl;
	char *end;
	size_t n;

	for (; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			return 0;	/* the last line is ended too */
		if (strncmp(p, "# HELP ", 7) == 0 ||
		    strncmp(p, "# TYPE ", 7) == 0)
			continue;
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
		if (n == 0)
			return 0;
		if (p[n] == '{' && (p = memchr(p + n, '}', nl - p - n)) != NULL)
			n = 1;
		if (p == NULL || p[n] != ' ')
			return 0;
		(void)strtod(p + n + 1, &end);
		if (end != nl || end == p + n + 1)
			return 0;
	}
	return 1;
}

/* The metrics of a partial run: repositories, objects, per-TA payloads. */
static void
test_output_metrics(void)
{
	struct report_repo repos[3];
	struct metrics_data m;
	struct walk_stats ws;
	struct fixture f;
	char *text = NULL, *dir;
	size_t len = 0;
	FILE *fp;

	fixture_init(&f);
	memset(repos, 0, sizeof(repos));
	repos[0].uri = "rsync://a.example/repo/";
	repos[0].protocol = "rrdp";
	repos[0].result = "ok";
	repos[0].bytes = 12345;
	repos[0].objects = 7;
	repos[0].milliseconds = 250;
	repos[1].uri = "rsync://b.example/\"odd\\name/";
	repos[1].protocol = "rsync";
	repos[1].result = "ok";
	repos[2].uri = "rsync://c.example/gone/";
	repos[2].protocol = "none";
	repos[2].result = "stale";
	memset(&ws, 0, sizeof(ws));
	ws.roas = 5;
	ws.roas_failed = 1;
	ws.cas = 3;
	memset(&m, 0, sizeof(m));
	m.exit_status = VALIDATE_EXIT_PARTIAL;
	m.start = T0;
	m.duration = 1.5;
	m.last_success = T0;
	m.repos = repos;
	m.nrepos = 3;
	m.walk = &ws;
	m.vrps = f.vrps;
	m.aspas = f.aspas;
	m.rks = f.rks;
	m.ta_names = names;
	m.nta = 2;
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = open_memstream(&text, &len));
	CU_ASSERT_EQUAL(output_metrics(fp, &m), 0);
	fclose(fp);
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "reef_validate_result{result=\"ok\"} 0\n"
	    "reef_validate_result{result=\"partial\"} 1\n"
	    "reef_validate_result{result=\"failed\"} 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "\nreef_validate_duration_seconds 1.500\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "\nreef_repositories{protocol=\"rrdp\",result=\"ok\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "\nreef_repositories{protocol=\"none\",result=\"stale\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "\nreef_repositories{protocol=\"rsync\",result=\"failed\"} 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nreef_repository_fetch{"
	    "repository=\"rsync://c.example/gone/\",protocol=\"none\","
	    "result=\"stale\"} 1\n"));
	/* Label values escape quote and backslash. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nreef_repository_bytes{"
	    "repository=\"rsync://b.example/\\\"odd\\\\name/\"} 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nreef_repository_bytes{"
	    "repository=\"rsync://a.example/repo/\"} 12345\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "{repository=\"rsync://a.example/repo/\"} 0.250\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "\nreef_objects{type=\"roa\",state=\"accepted\"} 5\n"
	    "reef_objects{type=\"roa\",state=\"rejected\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    "\nreef_objects{type=\"cer\",state=\"accepted\"} 3\n"));
	/* Six VRPs, three per TA; one router key, of TA 1 (ripe). */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nreef_vrps 6\n"
	    "reef_vrps{ta=\"apnic\"} 3\nreef_vrps{ta=\"ripe\"} 3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nreef_router_keys 1\n"
	    "reef_router_keys{ta=\"apnic\"} 0\n"
	    "reef_router_keys{ta=\"ripe\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nreef_aspas 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "reef_profile_incidences{"
	    "incidence=\"ee-sia-rpkinotify\"} "));
	/* Every line is a comment or "name[{labels}] value". */
	CU_ASSERT(exposition_ok(text));
	free(text);

	/* Written atomically; the last success time is read back. */
	dir = tu_tmpdir("metrics");
	CU_ASSERT_EQUAL(output_metrics_last_success(dir), 0);
	m.last_success = T0 + 60;
	CU_ASSERT_EQUAL(output_write_metrics(dir, &m), 0);
	CU_ASSERT_EQUAL(output_metrics_last_success(dir), T0 + 60);
	CU_ASSERT(file_has_line(dir, "reef_validate_exit_status 2"));
	CU_ASSERT(!file_exists(dir, "metrics.tmp"));
	/* A failed run without walk or sets: zeros, not a crash. */
	memset(&m, 0, sizeof(m));
	m.exit_status = VALIDATE_EXIT_FAIL;
	CU_ASSERT_EQUAL(output_write_metrics(dir, &m), 0);
	CU_ASSERT(file_has_line(dir, "reef_vrps 0"));
	CU_ASSERT(file_has_line(dir,
	    "reef_objects{type=\"roa\",state=\"accepted\"} 0"));
	CU_ASSERT_EQUAL(output_metrics_last_success(dir), 0);
	CU_ASSERT_EQUAL(output_write_metrics("/nonexistent/dir", &m), -1);
	tu_rmtree(dir);
	free(dir);
	fixture_free(&f);
}

/* A cache locked by another run: exit 1 at once, naming the holder. */
static void
test_validate_locked(void)
{
	char *msg = NULL, *tdir, *odir, *cdir, *lock;
	size_t len = 0;
	FILE *err;
	int fd;

	tdir = tu_tmpdir("validate-tals");
	odir = tu_tmpdir("validate-out");
	cdir = tu_tmpdir("validate-cache");
	lock = tu_asprintf("%s/%s", cdir, VALIDATE_LOCK_FILE);
	fd = open(lock, O_RDWR | O_CREAT, 0644);
	CU_ASSERT_FATAL(fd != -1);
	/* flock(2) locks of two open files conflict within one process. */
	CU_ASSERT_EQUAL_FATAL(flock(fd, LOCK_EX | LOCK_NB), 0);
	CU_ASSERT_EQUAL(write(fd, "4242\n", 5), 5);
	{
		/* As root, --user root: _reef would take the whole runner. */
		char *argv[] = { "validate", "--offline", "-t", tdir, "-o", odir,
		    "-d", cdir, "--user", "root", NULL };

		char *logf = tu_asprintf("%s/stderr", odir);
		unsigned char *logged;
		int saved = dup(STDERR_FILENO), lfd;

		/* reef logs to fd 2: catch it in a file for a moment. */
		lfd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		CU_ASSERT_FATAL(saved != -1 && lfd != -1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(err = open_memstream(&msg, &len));
		dup2(lfd, STDERR_FILENO);
		CU_ASSERT_EQUAL(cmd_validate_run(geteuid() == 0 ? 10 : 8, argv,
		    err), 1);
		dup2(saved, STDERR_FILENO);
		close(saved);
		close(lfd);
		log_init(NULL);
		logged = tu_read_file(logf, NULL);
		CU_ASSERT(logged != NULL && strstr((char *)logged,
		    "PID 4242") != NULL && strstr((char *)logged,
		    VALIDATE_LOCK_FILE) != NULL);
		free(logged);
		unlink(logf);
		free(logf);
		fclose(err);
		free(msg);
	}
	/* The holder's metrics are not the loser's to write. */
	CU_ASSERT(!file_exists(odir, OUTPUT_METRICS_FILE));
	close(fd);
	tu_rmtree(tdir);
	tu_rmtree(odir);
	tu_rmtree(cdir);
	free(tdir);
	free(odir);
	free(cdir);
	free(lock);
}

REEF_SUITE(output,
    REEF_TEST(test_output_csv),
    REEF_TEST(test_output_bgpd),
    REEF_TEST(test_output_bird),
    REEF_TEST(test_output_text_many),
    REEF_TEST(test_output_json_many),
    REEF_TEST(test_output_write_error),
    REEF_TEST(test_output_json),
    REEF_TEST(test_output_handoff),
    REEF_TEST(test_output_formats),
    REEF_TEST(test_output_write_all),
    REEF_TEST(test_output_stayrtr),
    REEF_TEST(test_validate_usage),
    REEF_TEST(test_validate_no_tals),
    REEF_TEST(test_output_metrics),
    REEF_TEST(test_validate_locked))
