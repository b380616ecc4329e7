/*
 * Fixtures for the auditors' subcommand tests (audit_fixture.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common/handoff.h"
#include "common/jsonread.h"
#include "audit_fixture.h"
#include "util.h"

/* Most arguments a fixture run passes, and providers per ASPA line. */
#define FX_MAX_ARGS	32
#define FX_MAX_PROV	16
/* 2024-01-01T00:00:00Z. */
#define FX_CREATED	1704067200
#define FX_EXPIRES	1893456000

static char fx_ta0[] = "ripe", fx_ta1[] = "arin";
static char *fx_tas[FX_NTA] = { fx_ta0, fx_ta1 };

static int
add_vrps(struct vrpset *s, const char * const *lines)
{
	char pfx[PREFIX_STRLEN + 1];
	unsigned int maxlen, asn, ta;
	struct vrp v;
	size_t i;

	for (i = 0; lines != NULL && lines[i] != NULL; i++) {
		memset(&v, 0, sizeof(v));
		if (sscanf(lines[i], "%44s %u %u %u", pfx, &maxlen, &asn,
		    &ta) != 4 || prefix_parse(pfx, &v.prefix) != PREFIX_OK)
			return -1;
		v.maxlen = (uint8_t)maxlen;
		v.asn = asn;
		v.ta = ta;
		v.expires = FX_EXPIRES;
		if (vrpset_add(s, &v) != PAYLOAD_OK)
			return -1;
	}
	return vrpset_freeze(s);
}

static int
add_aspas(struct aspaset *s, const char * const *lines)
{
	uint32_t prov[FX_MAX_PROV];
	struct aspa a;
	const char *p;
	size_t i, n;
	int used;
	unsigned int v;

	for (i = 0; lines != NULL && lines[i] != NULL; i++) {
		memset(&a, 0, sizeof(a));
		p = lines[i];
		if (sscanf(p, "%u%n", &v, &used) != 1)
			return -1;
		a.customer = v;
		p += used;
		for (n = 0; n < FX_MAX_PROV &&
		    sscanf(p, "%u%n", &v, &used) == 1; n++, p += used)
			prov[n] = v;
		a.providers = prov;
		a.nproviders = n;
		a.expires = FX_EXPIRES;
		if (aspaset_add(s, &a) != PAYLOAD_OK)
			return -1;
	}
	return aspaset_freeze(s);
}

static int
add_keys(struct rkset *s, const char * const *lines)
{
	static const uint8_t spki[] = { 0x30, 0x03, 0x01, 0x01, 0xff };
	struct router_key k;
	unsigned int asn, byte, ta;
	size_t i;

	for (i = 0; lines != NULL && lines[i] != NULL; i++) {
		memset(&k, 0, sizeof(k));
		if (sscanf(lines[i], "%u %u %u", &asn, &byte, &ta) != 3)
			return -1;
		k.asn = asn;
		k.ta = ta;
		memset(k.ski, (int)byte, sizeof(k.ski));
		k.spki = spki;
		k.spki_len = sizeof(spki);
		k.expires = FX_EXPIRES;
		if (rkset_add(s, &k) != PAYLOAD_OK)
			return -1;
	}
	return rkset_freeze(s);
}

/*
 * A new output directory for run.  Returns its path (caller frees and
 * removes) or NULL.
 */
char *
fx_outdir(const char *tag, const struct fx_run *run)
{
	struct handoff_data d;
	char *dir, *path;
	int ok;

	memset(&d, 0, sizeof(d));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = tu_tmpdir(tag));
	d.created = FX_CREATED;
	d.ta_names = fx_tas;
	d.nta = FX_NTA;
	d.vrps = vrpset_new();
	d.aspas = aspaset_new();
	d.rks = rkset_new();
	ok = d.vrps != NULL && d.aspas != NULL && d.rks != NULL &&
	    add_vrps(d.vrps, run->vrps) == 0 &&
	    add_aspas(d.aspas, run->aspas) == 0 &&
	    add_keys(d.rks, run->keys) == 0;
	CU_ASSERT(ok);
	path = tu_asprintf("%s/%s", dir, HANDOFF_FILENAME);
	if (ok)
		CU_ASSERT((ok = handoff_write(path, &d) == 0));
	free(path);
	if (ok && run->report != NULL) {
		path = tu_asprintf("%s/report.json", dir);
		CU_ASSERT((ok = tu_write_file(path, run->report,
		    strlen(run->report)) == 0));
		free(path);
	}
	vrpset_free(d.vrps);
	aspaset_free(d.aspas);
	rkset_free(d.rks);
	if (!ok) {
		tu_rmtree(dir);
		free(dir);
		return NULL;
	}
	return dir;
}

static void
fx_vrun(fx_cmd_in cmd_in, fx_cmd cmd, const char *input,
    struct fx_result *res, const char *arg0, va_list ap)
{
	char *argv[FX_MAX_ARGS + 1];
	size_t outlen = 0, errlen = 0;
	FILE *in = NULL, *out, *err;
	int argc = 0;
	const char *a;

	memset(res, 0, sizeof(*res));
	argv[argc++] = (char *)arg0;
	while ((a = va_arg(ap, const char *)) != NULL && argc < FX_MAX_ARGS)
		argv[argc++] = (char *)a;
	argv[argc] = NULL;
	/* fmemopen() refuses an empty buffer. */
	if (input != NULL && input[0] == '\0')
		CU_ASSERT_PTR_NOT_NULL_FATAL(in = fopen("/dev/null", "r"));
	if (input != NULL && input[0] != '\0')
		CU_ASSERT_PTR_NOT_NULL_FATAL(in = fmemopen((void *)input,
		    strlen(input), "r"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(out = open_memstream(&res->out, &outlen));
	CU_ASSERT_PTR_NOT_NULL_FATAL(err = open_memstream(&res->err, &errlen));
	if (cmd_in != NULL)
		res->rc = cmd_in(argc, argv, in, out, err);
	else
		res->rc = cmd(argc, argv, out, err);
	fclose(out);
	fclose(err);
	if (in != NULL)
		fclose(in);
}

void
fx_run_in(fx_cmd_in cmd, const char *input, struct fx_result *res,
    const char *arg0, ...)
{
	va_list ap;

	va_start(ap, arg0);
	fx_vrun(cmd, NULL, input != NULL ? input : "", res, arg0, ap);
	va_end(ap);
}

void
fx_run(fx_cmd cmd, struct fx_result *res, const char *arg0, ...)
{
	va_list ap;

	va_start(ap, arg0);
	fx_vrun(NULL, cmd, NULL, res, arg0, ap);
	va_end(ap);
}

void
fx_result_free(struct fx_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}

/*
 * Walk json; for key, compare the string value with val (or accept any
 * value when val is NULL) and, for want_num, return the number.
 */
static long long
fx_scan(const char *json, const char *key, const char *val, int want_num)
{
	struct jsonread *jr;
	enum jr_token t;
	long long found = -1;
	int at_key = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(jr = jr_new(json, strlen(json), 32,
	    65536));
	while ((t = jr_next(jr)) != JR_END && t != JR_ERROR) {
		if (t == JR_KEY) {
			at_key = strcmp(jr_string(jr, NULL), key) == 0;
			continue;
		}
		if (at_key && found == -1) {
			if (want_num && t == JR_NUMBER)
				found = jr_number(jr)->i;
			else if (!want_num && val == NULL)
				found = 1;
			else if (!want_num && t == JR_STRING &&
			    strcmp(jr_string(jr, NULL), val) == 0)
				found = 1;
		}
		at_key = 0;
	}
	CU_ASSERT_EQUAL(t, JR_END);
	if (t != JR_END)
		fprintf(stderr, "bad JSON: %s\n", jr_error(jr));
	jr_free(jr);
	return found;
}

int
fx_json_has(const char *json, const char *key, const char *val)
{
	return fx_scan(json, key, val, 0) == 1;
}

long long
fx_json_uint(const char *json, const char *key)
{
	return fx_scan(json, key, NULL, 1);
}
