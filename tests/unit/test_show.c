/*
 * Tests for "reef show" (validator/cmd_show.c, show_text.c, show_json.c,
 * show_rrdp.c) and the Ghostbusters parser (validator/gbr.c):
 * cmd_show_run() is called in-process with output going to temporary
 * files, over corpus objects at fixed times.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "common/log.h"
#include "validator/cmd_show.h"
#include "validator/gbr.h"

#include "suite.h"
#include "util.h"

#define SHOW_MAX_ARGS	16
#define SHOW_CAP_MAX	65536

#define C_ROA	"rpki-commons/conformance/root/goodEESIA2Rsync.roa"
#define C_ROOT	"rpki-commons/conformance/root.cer"
#define C_CRL	"rpki-commons/conformance/root/root.crl"
#define C_MFT	"rpki-client-regress/mft/ripe-ncc-ta.mft"
#define C_TA	"rpki-client-regress/ta/ripe-ncc-ta.cer"
#define C_TAL	"rpki-client-regress/tal/ripe.tal"
#define C_ASPA	"rpki-client-regress/aspa/AS1000.asa"
#define C_RSC	"rpki-client-regress/rsc/rsc-deployment-test-3.sig"
#define C_HRSC	"rpki-client-regress/historic/rsc/checklist.sig"
#define C_GBR	"rpki-commons/conformance/root/goodGBRNothingWrong.gbr"
#define C_GBRX	"rpki-commons/conformance/root/badGBRExtraProperty.gbr"
#define C_GBRIN	"rpki-commons/conformance/root/badGBRIPv4NotInherit.gbr"
#define C_NOTIF	"rpki-client-regress/rrdp/notification.xml"
#define C_DELTA	"rpki-client-regress/rrdp/delta.xml"
#define C_SNAP	"rpki-client-regress/rrdp/snapshot.xml"
#define C_RSNAP	"rpki-rs/rrdp/ripe-snapshot.xml"
#define C_LOL	"rpki-client-regress/rrdp/billion_lol.xml"
#define C_XXE	"rpki-client-regress/rrdp/xxe.xml"
#define C_NOTRRDP "rpki-rs/ca/rfc8181/list.xml"
/* The publication point of the objects in C_DELTA. */
#define DLT_PUB	"rsync://rpki.example.com/repository/DEFAULT/95/" \
		"d58727-d970-44d9-abdc-93b3ad12d2f3/1/"

struct run {
	int	rc;
	char	out[SHOW_CAP_MAX];	/* objects printed */
	char	err[SHOW_CAP_MAX];	/* usage errors, then log lines */
};

static void
slurp(FILE *f, char *buf, size_t size)
{
	size_t	n;

	fflush(f);
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/*
 * Run "show" with the NULL-terminated arguments; "@/" in an argument is
 * replaced by the corpus directory.  Returns r (static, overwritten by
 * the next call).
 */
static struct run *
run(const char *arg, ...)
{
	static struct run	 r;
	char			*argv[SHOW_MAX_ARGS + 1];
	const char		*log;
	FILE			*out, *err;
	va_list			 ap;
	size_t			 n;
	int			 argc = 0, i;

	argv[argc++] = strdup("show");
	va_start(ap, arg);
	for (; arg != NULL && argc < SHOW_MAX_ARGS; arg = va_arg(ap,
	    const char *)) {
		if (strncmp(arg, "@/", 2) == 0)
			argv[argc++] = tu_asprintf("%s/%s", tu_corpusdir(),
			    arg + 2);
		else
			argv[argc++] = strdup(arg);
	}
	va_end(ap);
	argv[argc] = NULL;
	CU_ASSERT_FATAL((out = tmpfile()) != NULL);
	CU_ASSERT_FATAL((err = tmpfile()) != NULL);
	tu_log_capture_begin(LOG_LEVEL_WARNING);
	r.rc = cmd_show_run(argc, argv, out, err);
	log = tu_log_capture_end();
	slurp(out, r.out, sizeof(r.out));
	slurp(err, r.err, sizeof(r.err));
	n = strlen(r.err);
	snprintf(r.err + n, sizeof(r.err) - n, "%s", log);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return &r;
}

#define HAS(hay, needle)	do {					\
	if (strstr((hay), (needle)) == NULL)				\
		fprintf(stderr, "missing \"%s\" in:\n%s\n", (needle),	\
		    (hay));						\
	CU_ASSERT_PTR_NOT_NULL(strstr((hay), (needle)));		\
} while (0)

/*
 * A small JSON syntax check: returns the end of one value at p, or NULL.
 * Enough to prove the output parses; the writer is tested elsewhere.
 */
static const char *json_value(const char *p, int depth);

static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *
json_str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (*p == '\0' || (unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\' && *++p == '\0')
			return NULL;
	}
	return p + 1;
}

static const char *
json_seq(const char *p, int depth, char close, int members)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (members) {
			if ((p = json_str(json_ws(p))) == NULL)
				return NULL;
			if (*(p = json_ws(p)) != ':')
				return NULL;
			p++;
		}
		if ((p = json_value(p, depth + 1)) == NULL)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *
json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (depth > 64)
		return NULL;
	if (*p == '{')
		return json_seq(p, depth, '}', 1);
	if (*p == '[')
		return json_seq(p, depth, ']', 0);
	if (*p == '"')
		return json_str(p);
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
		return p;
	}
	return NULL;
}

static void
assert_json(const char *s)
{
	const char	*end = json_value(s, 0);

	CU_ASSERT_PTR_NOT_NULL(end);
	if (end != NULL)
		CU_ASSERT_EQUAL(*json_ws(end), '\0');
}

static void
test_show_json_checker(void)
{
	/* The checker itself must reject what it is there to catch. */
	CU_ASSERT_PTR_NOT_NULL(json_value("[{\"a\": [1, true]}]", 0));
	CU_ASSERT_PTR_NULL(json_value("[{\"a\" 1}]", 0));
	CU_ASSERT_PTR_NULL(json_value("[1,]", 0));
	CU_ASSERT_PTR_NULL(json_value("{\"a\": \"x}", 0));
}

static void
test_show_roa_text(void)
{
	struct run	*r = run("--at", "2024-01-01", "@/" C_ROA, NULL);

	TU_NEED_CORPUS();
	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "Type:                roa\n");
	HAS(r->out, "EE certificate:\n");
	HAS(r->out, "Subject:             CN=goodEESIA2Rsync.ee\n");
	HAS(r->out, "SKI:                 a1edb2dee40d2eff8962f8c4da37bb30"
	    "ae1c0911\n");
	HAS(r->out, "Not after:           2046-05-15T18:59:28Z\n");
	HAS(r->out, "Signed object:       rsync://rpki.bbn.com/conformance/"
	    "root/goodEESIA2Rsync.roa\n");
	HAS(r->out, "AS:                  AS1-AS256\n");
	HAS(r->out, "asID:                AS8\n");
	HAS(r->out, "Prefixes:            1.1.0.0/16 maxlen 16\n"
	    "                     102:100::/24 maxlen 24\n");
	HAS(r->out, "Validity:            valid at 2024-01-01T00:00:00Z\n");
	CU_ASSERT_PTR_NULL(strstr(r->out, "Issuer check"));
	CU_ASSERT_STRING_EQUAL(r->err, "");
}

static void
test_show_roa_json(void)
{
	TU_NEED_CORPUS();
	struct run	*r = run("--json", "--at=@1704067200", "@/" C_ROA,
			    NULL);

	CU_ASSERT_EQUAL(r->rc, 0);
	assert_json(r->out);
	CU_ASSERT_EQUAL(r->out[0], '[');
	HAS(r->out, "\"type\": \"roa\"");
	HAS(r->out, "\"ee\": {");
	HAS(r->out, "\"purpose\": \"EE\"");
	HAS(r->out, "\"asid\": 8");
	HAS(r->out, "\"prefix\": \"102:100::/24\",\n"
	    "          \"max_length\": 24");
	HAS(r->out, "\"asn\": [\n          {\n            \"min\": 1,\n"
	    "            \"max\": 256");
	HAS(r->out, "\"at\": \"2024-01-01T00:00:00Z\"");
	HAS(r->out, "\"valid\": true");
}

static void
test_show_ta_tal(void)
{
	TU_NEED_CORPUS();
	struct run	*r = run("--at", "2024-01-01", "@/" C_TA, "@/" C_TAL,
			    NULL);

	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "Type:                ta\n");
	HAS(r->out, "IPv4:                0.0.0.0/0\n");
	HAS(r->out, "IPv6:                ::/0\n");
	HAS(r->out, "AS:                  AS0-AS4294967295\n");
	HAS(r->out, "RRDP notify:         https://rrdp.ripe.net/"
	    "notification.xml\n");
	/* Objects are separated by one blank line. */
	HAS(r->out, "2024-01-01T00:00:00Z\n\nFile:");
	HAS(r->out, "Type:                tal\n");
	HAS(r->out, "URIs:                rsync://rpki.ripe.net/ta/"
	    "ripe-ncc-ta.cer\n");
	HAS(r->out, "Key:                 MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A");

	r = run("--json", "--at", "2024-01-01", "@/" C_TA, "@/" C_TAL, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	assert_json(r->out);
	HAS(r->out, "\"certificate\": {");
	HAS(r->out, "\"purpose\": \"TA\"");
	HAS(r->out, "\"ipv4\": [\n          \"0.0.0.0/0\"");
	HAS(r->out, "\"tal\": {\n      \"name\": \"ripe\"");
}

static void
test_show_mft_issuer(void)
{
	struct run	*r;

	TU_NEED_CORPUS();
	r = run("--json", "--at", "2019-06-01", "--issuer", "@/" C_TA,
	    "@/" C_MFT, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	assert_json(r->out);
	HAS(r->out, "\"number\": \"33\"");
	HAS(r->out, "\"this_update\": \"2019-05-15T12:24:36Z\"");
	HAS(r->out, "\"name\": \"ripe-ncc-ta.crl\",\n"
	    "          \"hash\": \"a6ef40d14a8ba36eb18405a6561f38ad36c8fd3cc4d"
	    "cc1e36f0fc0eb9deed874\"");
	HAS(r->out, "\"ipv4\": \"inherit\"");
	HAS(r->out, "\"signing_time\": \"2019-05-15T12:24:36Z\"");
	HAS(r->out, "\"issuer\": {\n        \"file\": ");
	CU_ASSERT_PTR_NULL(strstr(r->out, "\"valid\": false"));
	CU_ASSERT_STRING_EQUAL(r->err, "");

	/* The display keeps the EE's inherit, not the issuer's resources. */
	r = run("--at", "2019-06-01", "--issuer", "@/" C_TA, "@/" C_MFT, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "IPv4:                inherit\n");
	HAS(r->out, "Issuer check:        ");
	HAS(r->out, "ripe-ncc-ta.cer: ok\n");
	HAS(r->out, "Files:               2a7dd1d787d793e4c8af56e197d4eed92af6"
	    "ba13.cer c15146e04d0ebc835413cd94d8ff3abe1efe24261e8a11e4f88aea18"
	    "16607f12\n");

	/* Wrong issuer: printed, reason in the output and on stderr. */
	r = run("--at", "2019-06-01", "--issuer", "@/" C_ROOT, "@/" C_MFT,
	    NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	HAS(r->out, "root.cer: failed: RFC 6487 section 4.4: issuer name "
	    "differs");
	HAS(r->err, "issuer name differs");

	/* Stale: the manifest's EE expired. */
	r = run("--json", "--at", "2024-01-01", "@/" C_MFT, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	assert_json(r->out);
	HAS(r->out, "\"valid\": false,\n      \"reason\": \"RFC 5280 section "
	    "6.1.3: certificate expired at 2019-08-15T12:24:36Z\"");
	HAS(r->err, "warning: ");
	HAS(r->err, "certificate expired at 2019-08-15T12:24:36Z");
}

static void
test_show_crl(void)
{
	struct run	*r;

	TU_NEED_CORPUS();
	r = run("--at", "2024-01-01", "--issuer", "@/" C_ROOT, "@/" C_CRL,
	    NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "Type:                crl\n");
	HAS(r->out, "Issuer:              CN=root\n");
	HAS(r->out, "CRL number:          01\n");
	HAS(r->out, "Next update:         2049-04-19T20:02:10Z\n");
	HAS(r->out, "Revoked:             0\n");
	HAS(r->out, "root.cer: ok\n");

	r = run("--at", "2024-01-01", "--issuer", "@/" C_TA, "@/" C_CRL, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	HAS(r->err, "RFC 5280 section 6.3.3: CRL issuer differs");

	/* Before thisUpdate: not current. */
	r = run("--json", "--at", "2000-01-01", "@/" C_CRL, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	assert_json(r->out);
	HAS(r->out, "\"number\": \"01\"");
	HAS(r->out, "\"revoked\": []");
	HAS(r->out, "CRL not current (thisUpdate 2011-04-19T20:02:10Z)");
}

static void
test_show_aspa_rsc(void)
{
	struct run	*r;

	TU_NEED_CORPUS();
	r = run("--at", "2024-01-01", "@/" C_ASPA, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "Customer:            AS1000\n");
	HAS(r->out, "Providers:           AS1025\n");
	r = run("--json", "--at", "2024-01-01", "@/" C_ASPA, NULL);
	assert_json(r->out);
	HAS(r->out, "\"customer\": 1000,\n      \"providers\": [\n"
	    "        1025\n      ]");

	r = run("--at", "2026-01-01", "@/" C_RSC, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "Type:                rsc\n");
	HAS(r->out, "Signed resources:\nIPv4:                "
	    "203.176.189.0/24\n");
	HAS(r->out, "Checklist:           test.txt f2ca1bb6c7e907d06dafe4687e"
	    "579fce76b37e4e93b7605022da52e6ccc26fd2\n");
	r = run("--json", "--at", "2026-01-01", "@/" C_RSC, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	assert_json(r->out);
	HAS(r->out, "\"rsc\": {");
	HAS(r->out, "\"name\": \"test.txt\"");
	CU_ASSERT_PTR_NULL(strstr(r->out, "\"signed_object\""));
}

static void
test_show_malformed(void)
{
	struct run	*r;
	char		*dir, *junk;

	TU_NEED_CORPUS();
	/* A pre-RFC checklist: nothing printed, the reason logged. */
	r = run("--at", "2024-01-01", "@/" C_HRSC, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	CU_ASSERT_STRING_EQUAL(r->out, "");
	HAS(r->err, "not an RFC 9323 checklist");

	/* One bad file among good ones: the good ones still print. */
	r = run("--json", "--at", "2024-01-01", "@/" C_HRSC, "@/" C_ROA,
	    NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	assert_json(r->out);
	HAS(r->out, "\"type\": \"roa\"");
	CU_ASSERT_PTR_NULL(strstr(r->out, "checklist.sig"));

	dir = tu_tmpdir("show");
	junk = tu_asprintf("%s/junk.bin", dir);
	CU_ASSERT(tu_write_file(junk, "\x30\x03\x02\x01\x05", 5) == 0);
	r = run(junk, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	HAS(r->err, "unknown object type");
	free(junk);

	junk = tu_asprintf("%s/missing.roa", dir);
	r = run(junk, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	HAS(r->err, "missing.roa");
	free(junk);

	/* A bad issuer file fails before any object. */
	r = run("--issuer", "@/" C_TAL, "@/" C_ROA, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	CU_ASSERT_STRING_EQUAL(r->out, "");
	tu_rmtree(dir);
	free(dir);
}

static void
test_show_sniff(void)
{
	struct run	*r;
	unsigned char	*buf;
	size_t		 len;
	char		*dir, *path;

	TU_NEED_CORPUS();
	dir = tu_tmpdir("show");
	CU_ASSERT_FATAL((buf = tu_corpus_load(C_ROA, &len)) != NULL);
	path = tu_asprintf("%s/object", dir);
	CU_ASSERT(tu_write_file(path, buf, len) == 0);
	r = run("--at", "2024-01-01", path, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "Type:                roa\n");
	free(buf);
	free(path);

	CU_ASSERT_FATAL((buf = tu_corpus_load(C_CRL, &len)) != NULL);
	path = tu_asprintf("%s/object.der", dir);
	CU_ASSERT(tu_write_file(path, buf, len) == 0);
	r = run("--at", "2024-01-01", path, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "Type:                crl\n");
	free(buf);
	free(path);

	CU_ASSERT_FATAL((buf = tu_corpus_load(C_TA, &len)) != NULL);
	path = tu_asprintf("%s/ta.der", dir);
	CU_ASSERT(tu_write_file(path, buf, len) == 0);
	r = run("--at", "2024-01-01", path, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "Type:                ta\n");
	free(buf);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* A Ghostbusters record: EE checked against its issuer, vCard printed. */
static void
test_show_gbr(void)
{
	struct run	*r;

	TU_NEED_CORPUS();
	r = run("--at", "2024-01-01", "--issuer", "@/" C_ROOT, "@/" C_GBR,
	    NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "Type:                gbr\n");
	HAS(r->out, "EE certificate:\n");
	HAS(r->out, "vCard:               BEGIN:VCARD\n"
	    "                     VERSION:4.0\n"
	    "                     FN:Human's Name\n");
	HAS(r->out, "                     EMAIL:human@example.com\n"
	    "                     END:VCARD\n");
	HAS(r->out, "Issuer check:        ");
	HAS(r->out, ": ok\n");

	r = run("--json", "--at", "2024-01-01", "@/" C_GBR, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	assert_json(r->out);
	HAS(r->out, "\"type\": \"gbr\"");
	HAS(r->out, "\"fn\": \"Human's Name\"");
	HAS(r->out, "\"org\": \"Organizational Entity\"");
	HAS(r->out, "\"email\": \"human@example.com\"");
	HAS(r->out, "\"tel\": \"tel:+1-666-555-1212\"");
	HAS(r->out, "\"vcard\": \"BEGIN:VCARD\\r\\nVERSION:4.0\\r\\n");

	/* RFC 6493 section 5: no other property; EE resources inherit. */
	r = run("--at", "2024-01-01", "@/" C_GBRX, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	CU_ASSERT_STRING_EQUAL(r->out, "");
	HAS(r->err, "property TITLE not allowed");
	r = run("--at", "2024-01-01", "@/" C_GBRIN, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	HAS(r->err, "must use inherit");
}

/* Parse text as a vCard; returns the gbr (caller frees) or NULL. */
static struct gbr *
vcard(const char *text)
{
	return gbr_parse_vcard("test.gbr", (const unsigned char *)text,
	    strlen(text));
}

#define VC_HEAD	"BEGIN:VCARD\r\nVERSION:4.0\r\n"
#define VC_TAIL	"END:VCARD\r\n"

/* The RFC 6493 section 5 profile, edge by edge. */
static void
test_show_gbr_vcard(void)
{
	static const char *const bad[] = {
		"",
		VC_HEAD VC_TAIL,				/* no FN */
		VC_HEAD "FN:x\r\n" VC_TAIL,			/* no contact */
		VC_HEAD "FN:x\r\nFN:y\r\nEMAIL:a@b\r\n" VC_TAIL,
		VC_HEAD "FN:x\r\nORG:a\r\nORG:b\r\nEMAIL:a@b\r\n" VC_TAIL,
		VC_HEAD "FN:x\r\nEMAIL:a@b\r\nNOTE:hi\r\n" VC_TAIL,
		VC_HEAD "FN:x\r\nN:;;;;\r\nN:;;;;\r\nEMAIL:a@b\r\n" VC_TAIL,
		"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:x\r\nEMAIL:a@b\r\n" VC_TAIL,
		"BEGIN:VCARD\r\nFN:x\r\nVERSION:4.0\r\nEMAIL:a@b\r\n" VC_TAIL,
		VC_HEAD "FN:x\r\nEMAIL:a@b\r\n",		/* no END */
		VC_HEAD "FN:x\r\nEMAIL:a@b\r\n" VC_TAIL "FN:y\r\n",
		VC_HEAD "FN:x\rEMAIL:a@b\r\n" VC_TAIL,		/* bare CR */
		VC_HEAD "FN:x\x01\r\nEMAIL:a@b\r\n" VC_TAIL,	/* control */
		VC_HEAD "FN:\xc3\x28\r\nEMAIL:a@b\r\n" VC_TAIL, /* not UTF-8 */
		VC_HEAD "FN:\xe0\x80\xaf\r\nEMAIL:a@b\r\n" VC_TAIL, /* overlong */
		VC_HEAD "FN x\r\nEMAIL:a@b\r\n" VC_TAIL,	/* no colon */
		VC_HEAD "F_N:x\r\nEMAIL:a@b\r\n" VC_TAIL,	/* bad name */
	};
	struct gbr	*g;
	char		*big;
	size_t		 i;

	tu_log_capture_begin(LOG_LEVEL_WARNING);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if ((g = vcard(bad[i])) != NULL)
			fprintf(stderr, "accepted bad vCard %zu\n", i);
		CU_ASSERT_PTR_NULL(g);
		gbr_free(g);
	}
	big = malloc(GBR_VCARD_MAX_LEN + 2);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'a', GBR_VCARD_MAX_LEN + 1);
	big[GBR_VCARD_MAX_LEN + 1] = '\0';
	CU_ASSERT_PTR_NULL(vcard(big));
	free(big);
	CU_ASSERT(tu_logged("RFC 6493 section 5"));
	tu_log_capture_end();

	/* Folded lines, a group, a quoted colon, LF lines, lower case. */
	g = vcard(VC_HEAD "FN:Ann\r\n  Example\r\nitem1.EMAIL;TYPE=work:"
	    "a@b\r\nADR;LABEL=\"x:y\";TYPE=work:;;1 Main St\r\n"
	    "tel:+1 555\r\n" VC_TAIL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_STRING_EQUAL(g->fn, "Ann Example");
	CU_ASSERT_STRING_EQUAL(g->email, "a@b");
	CU_ASSERT_STRING_EQUAL(g->adr, ";;1 Main St");
	CU_ASSERT_STRING_EQUAL(g->tel, "+1 555");
	CU_ASSERT_PTR_NULL(g->org);
	gbr_free(g);
	g = vcard("BEGIN:VCARD\nVERSION:4.0\nFN:x\nEMAIL:a@b\nEND:VCARD");
	CU_ASSERT_PTR_NOT_NULL(g);
	gbr_free(g);
	/* Tolerated: vCard 3.0 and one empty N, as real records have. */
	g = vcard("BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:x\r\n"
	    "EMAIL:a@b\r\nEMAIL:c@d\r\n" VC_TAIL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_STRING_EQUAL(g->email, "a@b");	/* the first one */
	gbr_free(g);
}

/* A notification: session, serial, snapshot and delta references. */
static void
test_show_rrdp_notification(void)
{
	struct run	*r;

	TU_NEED_CORPUS();
	r = run("@/" C_NOTIF, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "Type:                rrdp-notification\n");
	HAS(r->out, "Size:                18803 bytes\n");
	HAS(r->out, "Session:             8fe05c2e-047d-49e7-8398-"
	    "cd4250a572b1\nSerial:              50550\n");
	HAS(r->out, "Snapshot:            https://rpki.example.com/8fe05c2e-"
	    "047d-49e7-8398-cd4250a572b1/50550/snapshot.xml\n"
	    "                     sha256 ae52f78bcb1b258a1da924122971b0fdd"
	    "fce4c01b2b2dba59c9b28ef1d94c02b\n");
	HAS(r->out, "Deltas:              101\n");
	/* Listed in ascending serial order, whatever the file's order. */
	HAS(r->out, "                     50550 https://rpki.example.com/"
	    "8fe05c2e-047d-49e7-8398-cd4250a572b1/50550/delta.xml sha256 "
	    "e99cc80cb36259e73ec1ffed5a0cfbaf27d345800da18147dbdf8316b28e027c"
	    "\n");
	CU_ASSERT_STRING_EQUAL(r->err, "");

	r = run("--json", "@/" C_NOTIF, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	assert_json(r->out);
	HAS(r->out, "\"type\": \"rrdp-notification\"");
	HAS(r->out, "\"serial\": 50550");
	HAS(r->out, "\"deltas\": [");
	HAS(r->out, "\"sha256\": \"e99cc80cb36259e73ec1ffed5a0cfbaf27d345800"
	    "da18147dbdf8316b28e027c\"");
}

/* A delta: publish (new and replacing) and withdraw, hashed, in file order. */
static void
test_show_rrdp_delta(void)
{
	struct run	*r;

	TU_NEED_CORPUS();
	r = run("@/" C_DELTA, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "Type:                rrdp-delta\n");
	HAS(r->out, "SHA-256:             75416a54d1bb47f4f4dec7696bd33f77aa3a"
	    "4a09a295b7f1a027841af0b50c1b\n");
	HAS(r->out, "Session:             9b3f7e31-4979-4f8c-9818-73e4dadc3e6b"
	    "\nSerial:              13755\n");
	HAS(r->out, "Objects:             3 published, 1 withdrawn\n");
	HAS(r->out, "Publish:             " DLT_PUB "nBETmuVT1txzB4h_Rn5CB4gARes"
	    ".crl\n                     528 bytes, sha256 27b240ccb4adefc4438a"
	    "0b0c94cf995fed9e1a227987e31b7fde9b67209e04c7\n"
	    "                     replaces sha256 9aaf87b277efb7e47ab00a4a86c"
	    "ad1cd132d8a06a782d9b54202c4bffede347b\n");
	HAS(r->out, DLT_PUB "x7OkhL6fs-x6CQ4Kqd5jOkkB4pY.roa\n"
	    "                     1969 bytes, sha256 28b761092849ea963824de57"
	    "bd8b0bef1de6f467b91af51c2d847fa5ae90c6dc\n");
	HAS(r->out, "Withdraw:            " DLT_PUB "gSk6an-JyWyxV5LYX0AB2BOJb7I"
	    ".roa\n                     sha256 6f19c7760d83b12e259f35924f40be"
	    "76c6a9c963db23a692ce192c2faef94271\nPublish:");

	r = run("--json", "@/" C_DELTA, "@/" C_SNAP, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	assert_json(r->out);
	HAS(r->out, "\"size\": 2689");
	HAS(r->out, "\"replaces\": \"b45fa2daaeeda2b37bff1a039ada2c299dc6ace"
	    "28ca16dbc22664e3d89b8d556\"");
	HAS(r->out, "\"withdraw\": [");
	HAS(r->out, "\"type\": \"rrdp-snapshot\"");
	HAS(r->out, "\"serial\": 28483");
}

/* A snapshot is streamed: every publish counted, none held. */
static void
test_show_rrdp_snapshot(void)
{
	struct run	*r;

	TU_NEED_CORPUS();
	r = run("@/" C_RSNAP, "@/" C_SNAP, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
	HAS(r->out, "Type:                rrdp-snapshot\n");
	HAS(r->out, "Session:             a2d845c4-5b91-4015-a2b7-988c03ce232a"
	    "\n");
	HAS(r->out, "Objects:             277 published, 0 withdrawn\n");
	HAS(r->out, "Objects:             3 published, 0 withdrawn\n");
	CU_ASSERT_PTR_NULL(strstr(r->out, "Withdraw:"));
}

/* Hostile or foreign XML is refused, naming why. */
static void
test_show_rrdp_bad(void)
{
	struct run	*r;

	TU_NEED_CORPUS();
	r = run("@/" C_LOL, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	CU_ASSERT_STRING_EQUAL(r->out, "");
	CU_ASSERT(r->err[0] != '\0');
	r = run("@/" C_XXE, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	CU_ASSERT(r->err[0] != '\0');
	r = run("@/" C_NOTRRDP, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	HAS(r->err, "not an RRDP notification, snapshot or delta");
	/* One bad file does not stop the others. */
	r = run("@/" C_NOTRRDP, "@/" C_DELTA, NULL);
	CU_ASSERT_EQUAL(r->rc, 1);
	HAS(r->out, "Type:                rrdp-delta\n");
}

static void
test_show_usage(void)
{
	struct run	*r;

	TU_NEED_CORPUS();
	r = run(NULL);
	CU_ASSERT_EQUAL(r->rc, 2);
	HAS(r->err, "no FILE given");
	HAS(r->err, "usage: reef show");
	r = run("--bogus", "x.roa", NULL);
	CU_ASSERT_EQUAL(r->rc, 2);
	HAS(r->err, "unknown option --bogus");
	r = run("-j", "x.roa", NULL);
	CU_ASSERT_EQUAL(r->rc, 2);
	r = run("x.roa", "--at", NULL);
	/* Options come first: "--at" here is a file name. */
	CU_ASSERT_EQUAL(r->rc, 1);
	r = run("--at", NULL);
	CU_ASSERT_EQUAL(r->rc, 2);
	HAS(r->err, "--at needs a value");
	r = run("--issuer", NULL);
	CU_ASSERT_EQUAL(r->rc, 2);
	r = run("--at", "yesterday", "x.roa", NULL);
	CU_ASSERT_EQUAL(r->rc, 2);
	HAS(r->err, "bad time \"yesterday\"");
	r = run("--json", NULL);
	CU_ASSERT_EQUAL(r->rc, 2);
	CU_ASSERT_STRING_EQUAL(r->out, "");
	/* "--" ends the options. */
	r = run("--at", "2024-01-01", "--", "@/" C_ROA, NULL);
	CU_ASSERT_EQUAL(r->rc, 0);
}

REEF_SUITE(show,
    REEF_TEST(test_show_json_checker),
    REEF_TEST(test_show_roa_text),
    REEF_TEST(test_show_roa_json),
    REEF_TEST(test_show_ta_tal),
    REEF_TEST(test_show_mft_issuer),
    REEF_TEST(test_show_crl),
    REEF_TEST(test_show_aspa_rsc),
    REEF_TEST(test_show_malformed),
    REEF_TEST(test_show_sniff),
    REEF_TEST(test_show_gbr),
    REEF_TEST(test_show_gbr_vcard),
    REEF_TEST(test_show_rrdp_notification),
    REEF_TEST(test_show_rrdp_delta),
    REEF_TEST(test_show_rrdp_snapshot),
    REEF_TEST(test_show_rrdp_bad),
    REEF_TEST(test_show_usage))
