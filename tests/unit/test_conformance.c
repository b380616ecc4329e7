/*
 * The BBN RPKI syntax-conformance suite (../shared/corpus/rpki-commons/
 * conformance): every object named good* must be accepted and every one
 * named bad* rejected, except for the known exceptions listed below, each
 * with its reason.  The exceptions are asserted too, so that a parser
 * change that moves one of them is noticed and the table (and the "BBN
 * conformance score" section of tests/corpus-audit.md) gets updated.
 *
 * Faults that only show against the issuer (signature, AKI, validity,
 * resources, revocation) are found by checking each object against its
 * issuer, as the tree walk would: a top-level certificate is its own
 * trust anchor, root/NAME.ext is issued by root.cer (whose CRL is
 * root/root.crl), root/X/NAME.ext by root/X.cer, whose CRL sits in
 * root/X/.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <CUnit/CUnit.h>

#include "common/log.h"
#include "validator/cert.h"
#include "validator/crl.h"
#include "validator/gbr.h"
#include "validator/mft.h"
#include "validator/roa.h"
#include "validator/validate.h"

#include "suite.h"
#include "util.h"

#define CONF_DIR	"rpki-commons/conformance"
/* 2020-01-01T00:00:00Z: inside the 2011..2046 validity of the suite. */
#define CONF_NOW	1577836800
/* Objects in the suite (484 files today), with room to grow. */
#define CONF_MAX_FILES	2048
#define CONF_WHY_LEN	512
/* The CRL of root.cer, for the objects directly below it. */
#define CONF_ROOT_CRL	"root/root.crl"

/*
 * Known exceptions: objects whose name says one verdict while reef gives
 * the other, on purpose.  accepted is what reef does.
 */
struct conf_exception {
	const char	*file;		/* below CONF_DIR */
	int		 accepted;
	const char	*reason;
};

#define CONF_UTF8	"UTF8String name: RFC 6487 sections 4.4/4.5 want " \
			"PrintableString, but AFRINIC, APNIC and Krill issued " \
			"UTF8String; accepted as the incidence name-utf8string"

static const struct conf_exception conf_exceptions[] = {
	{ "root/CRLIssuerUTF/badCRLIssuerUTF.crl", 1, CONF_UTF8 },
	{ "root/badCertIssuerUtf.cer", 1, CONF_UTF8 },
	{ "root/badCertSubjectUtf.cer", 1, CONF_UTF8 },
	{ "root/badCMSSigInfoWrongSigAlg.roa", 1,
	    "signerInfo signatureAlgorithm rsaEncryption: the 2011 suite "
	    "follows RFC 6485, but RFC 7935 section 2 (which obsoletes it) "
	    "lets it be rsaEncryption or sha256WithRSAEncryption, and most "
	    "real signed objects use rsaEncryption" },
	{ "root/goodCertCRLDP2DistPt.cer", 0,
	    "two DistributionPoints: RFC 6487 section 4.8.6 says the CRLDP "
	    "\"MUST contain only a single DistributionPoint\" (more URIs go "
	    "in that one point); rpki-client rejects it too" },
	{ NULL, 0, NULL }
};

/*
 * Objects placed in the suite without their issuer (a real record a CA
 * published): judged by the parser alone.
 */
static const char *const conf_foreign[] = {
	"root/goodRealGbrNothingIsWrong.gbr",	/* issued by an RGnet CA */
	NULL
};

struct conf_score {
	size_t	good, good_ok;		/* good* seen, accepted */
	size_t	bad, bad_ok;		/* bad* seen, rejected */
	size_t	exceptions;		/* objects matching an exception */
};

/* The exception for rel, or NULL. */
static const struct conf_exception *
conf_exception(const char *rel)
{
	const struct conf_exception	*e;

	for (e = conf_exceptions; e->file != NULL; e++)
		if (strcmp(e->file, rel) == 0)
			return e;
	return NULL;
}

static int
conf_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the object files below dir (relative path rel) to files. */
static void
conf_collect(const char *top, const char *rel, char **files, size_t *n)
{
	char		*path, *sub;
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;

	path = tu_asprintf("%s/%s", top, rel);
	d = opendir(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		sub = rel[0] == '\0' ? tu_asprintf("%s", de->d_name) :
		    tu_asprintf("%s/%s", rel, de->d_name);
		free(path);
		path = tu_asprintf("%s/%s", top, sub);
		if (stat(path, &st) == -1) {
			free(sub);
			continue;
		}
		if (S_ISDIR(st.st_mode))
			conf_collect(top, sub, files, n);
		if (S_ISREG(st.st_mode) && (strncmp(de->d_name, "good",
		    4) == 0 || strncmp(de->d_name, "bad", 3) == 0) &&
		    *n < CONF_MAX_FILES) {
			files[(*n)++] = sub;
			continue;
		}
		free(sub);
	}
	closedir(d);
	free(path);
}

static unsigned char *
conf_load(const char *rel, size_t *len)
{
	char		*p = tu_asprintf("%s/%s", CONF_DIR, rel);
	unsigned char	*buf = tu_corpus_load(p, len);

	free(p);
	return buf;
}

static struct cert *
conf_load_cert(const char *rel)
{
	unsigned char	*buf;
	size_t		 len;
	struct cert	*c;

	if ((buf = conf_load(rel, &len)) == NULL)
		return NULL;
	c = cert_parse(rel, buf, len);
	free(buf);
	return c;
}

/* A top-level certificate is a trust anchor of its own key. */
static int
conf_check_ta(const struct cert *c, char *why, size_t whylen)
{
	struct tal	tal;

	memset(&tal, 0, sizeof(tal));
	tal.name = (char *)"conformance";
	tal.spki = c->spki;
	tal.spki_len = c->spki_len;
	return cert_check_ta(c, &tal, CONF_NOW, why, whylen);
}

/*
 * The issuing context of the object rel: root.cer for root/NAME, the
 * validated root/X.cer and the CRL of root/X/ (other than rel itself)
 * for root/X/NAME.  Returns 0, or -1 if the context itself is broken.
 */
static int
conf_context(const struct cert *root, const char *rel, struct cert **issuer,
    struct crl **crl)
{
	char		 dir[CONF_WHY_LEN], why[CONF_WHY_LEN], *p, *crlrel;
	char		*full;
	DIR		*d;
	struct dirent	*de;
	unsigned char	*buf;
	size_t		 len;
	int		 rc = -1;

	*issuer = NULL;
	*crl = NULL;
	snprintf(dir, sizeof(dir), "%s", rel);
	*strrchr(dir, '/') = '\0';
	p = tu_asprintf("%s.cer", dir);
	if ((*issuer = conf_load_cert(p)) == NULL ||
	    valid_cert(*issuer, root, NULL, CONF_NOW, why, sizeof(why)) == -1)
		goto out;
	full = tu_asprintf("%s/%s/%s", tu_corpusdir(), CONF_DIR, dir);
	d = opendir(full);
	free(full);
	if (d == NULL)
		goto out;
	while ((de = readdir(d)) != NULL && *crl == NULL) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 4, ".crl") != 0)
			continue;
		crlrel = tu_asprintf("%s/%s", dir, de->d_name);
		if (strcmp(crlrel, rel) != 0 &&
		    (buf = conf_load(crlrel, &len)) != NULL) {
			*crl = crl_parse(crlrel, buf, len);
			free(buf);
		}
		free(crlrel);
	}
	closedir(d);
	if (*crl != NULL && valid_crl(*crl, *issuer, CONF_NOW, why,
	    sizeof(why)) == -1) {
		crl_free(*crl);
		*crl = NULL;
	}
	rc = 0;
 out:
	free(p);
	if (rc == -1) {
		fprintf(stderr, "conformance: context of %s broken: %s\n",
		    rel, why);
		cert_free(*issuer);
		*issuer = NULL;
	}
	return rc;
}

/* The object rel (len bytes at buf) against issuer and crl. */
static int
conf_check(const char *rel, const unsigned char *buf, size_t len,
    const struct cert *issuer, const struct crl *crl, char *why,
    size_t whylen)
{
	const char	*ext = strrchr(rel, '.');
	struct cert	*c;
	struct crl	*l;
	struct mft	*m;
	struct roa	*r;
	struct gbr	*g;
	int		 rc = -1;

	if (strcmp(ext, ".cer") == 0 && (c = cert_parse(rel, buf, len))) {
		rc = valid_cert(c, issuer, crl, CONF_NOW, why, whylen);
		cert_free(c);
	} else if (strcmp(ext, ".crl") == 0 && (l = crl_parse(rel, buf,
	    len))) {
		rc = valid_crl(l, issuer, CONF_NOW, why, whylen);
		crl_free(l);
	} else if (strcmp(ext, ".mft") == 0 && (m = mft_parse(rel, buf,
	    len))) {
		rc = valid_mft(m, issuer, crl, CONF_NOW, why, whylen);
		mft_free(m);
	} else if (strcmp(ext, ".roa") == 0 && (r = roa_parse(rel, buf,
	    len))) {
		rc = valid_roa(r, issuer, crl, CONF_NOW, why, whylen);
		roa_free(r);
	} else if (strcmp(ext, ".gbr") == 0 && (g = gbr_parse(rel, buf,
	    len))) {
		rc = valid_cert(g->ee, issuer, crl, CONF_NOW, why, whylen);
		gbr_free(g);
	}
	return rc;
}

static int
conf_is_foreign(const char *rel)
{
	size_t	i;

	for (i = 0; conf_foreign[i] != NULL; i++)
		if (strcmp(conf_foreign[i], rel) == 0)
			return 1;
	return 0;
}

/* 1 if the parser of a foreign object accepts it, else 0. */
static int
conf_parse_only(const char *rel, const unsigned char *buf, size_t len)
{
	struct gbr	*g;

	if ((g = gbr_parse(rel, buf, len)) == NULL)
		return 0;
	gbr_free(g);
	return 1;
}

/* root/root.crl, checked against root; NULL if unusable (reported). */
static struct crl *
conf_root_crl(const struct cert *root)
{
	unsigned char	*buf;
	size_t		 len;
	struct crl	*crl = NULL;
	char		 why[CONF_WHY_LEN] = "unreadable";

	if ((buf = conf_load(CONF_ROOT_CRL, &len)) != NULL &&
	    (crl = crl_parse(CONF_ROOT_CRL, buf, len)) != NULL &&
	    valid_crl(crl, root, CONF_NOW, why, sizeof(why)) == -1) {
		crl_free(crl);
		crl = NULL;
	}
	if (crl == NULL)
		fprintf(stderr, "conformance: %s: %s\n", CONF_ROOT_CRL, why);
	free(buf);
	return crl;
}

/*
 * Judge the object rel: 1 if accepted, 0 if rejected (why says why),
 * -1 if its context could not be set up.
 */
static int
conf_judge(const struct cert *root, const char *rel, char *why,
    size_t whylen)
{
	unsigned char	*buf;
	size_t		 len;
	struct cert	*issuer = NULL, *c;
	struct crl	*crl = NULL;
	const char	*slash = strchr(rel, '/');
	int		 rc = -1;

	why[0] = '\0';
	if ((buf = conf_load(rel, &len)) == NULL)
		return -1;
	tu_log_capture_start(LOG_LEVEL_WARNING);
	if (conf_is_foreign(rel))
		rc = conf_parse_only(rel, buf, len);
	else if (slash == NULL) {
		if ((c = cert_parse(rel, buf, len)) != NULL) {
			rc = conf_check_ta(c, why, whylen) == 0;
			cert_free(c);
		} else
			rc = 0;
	} else if (strchr(slash + 1, '/') == NULL) {
		if ((crl = conf_root_crl(root)) != NULL)
			rc = conf_check(rel, buf, len, root, crl, why,
			    whylen) == 0;
	} else if (conf_context(root, rel, &issuer, &crl) == 0)
		rc = conf_check(rel, buf, len, issuer, crl, why, whylen) == 0;
	if (rc == 0 && why[0] == '\0')
		snprintf(why, whylen, "%.*s", (int)strcspn(tu_log_captured(),
		    "\n"), tu_log_captured());
	tu_log_capture_end();
	cert_free(issuer);
	crl_free(crl);
	free(buf);
	return rc;
}

/* Judge one file and compare with its name and the exception table. */
static void
conf_one(const struct cert *root, const char *rel, struct conf_score *s)
{
	const char			*base = strrchr(rel, '/');
	const struct conf_exception	*e = conf_exception(rel);
	char				 why[CONF_WHY_LEN];
	int				 good, accepted;

	base = base == NULL ? rel : base + 1;
	good = strncmp(base, "good", 4) == 0;
	accepted = conf_judge(root, rel, why, sizeof(why));
	CU_ASSERT(accepted != -1);
	if (accepted == -1)
		return;
	if (good) {
		s->good++;
		s->good_ok += accepted;
	} else {
		s->bad++;
		s->bad_ok += !accepted;
	}
	if (e != NULL) {
		s->exceptions++;
		if (accepted != e->accepted || accepted == good)
			fprintf(stderr, "conformance: exception %s no longer "
			    "holds (reef now %s it): update the table\n", rel,
			    accepted ? "accepts" : "rejects");
		CU_ASSERT_EQUAL(accepted, e->accepted);
		CU_ASSERT_NOT_EQUAL(accepted, good);
		return;
	}
	if (accepted != good)
		fprintf(stderr, "conformance: %s %s%s%s\n", rel,
		    accepted ? "accepted" : "rejected", why[0] ? ": " : "",
		    why);
	CU_ASSERT_EQUAL(accepted, good);
}

/* Every good* accepted, every bad* rejected, bar the listed exceptions. */
static void
test_conformance_suite(void)
{
	char			*files[CONF_MAX_FILES], *top, why[CONF_WHY_LEN];
	struct cert		*root;
	struct conf_score	 s;
	size_t			 n = 0, i, nexc = 0;

	TU_NEED_CORPUS();
	memset(&s, 0, sizeof(s));
	root = conf_load_cert("root.cer");
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_EQUAL_FATAL(conf_check_ta(root, why, sizeof(why)), 0);
	top = tu_asprintf("%s/%s", tu_corpusdir(), CONF_DIR);
	conf_collect(top, "", files, &n);
	CU_ASSERT(n > 0 && n < CONF_MAX_FILES);
	qsort(files, n, sizeof(files[0]), conf_strcmp);
	for (i = 0; i < n; i++)
		conf_one(root, files[i], &s);
	while (conf_exceptions[nexc].file != NULL)
		nexc++;
	/* A stale exception (file renamed or gone) is an error too. */
	CU_ASSERT_EQUAL(s.exceptions, nexc);
	/* Not one unexplained verdict. */
	CU_ASSERT_EQUAL(s.good_ok + s.bad_ok + nexc, s.good + s.bad);
	printf("\n  BBN conformance: %zu of %zu good accepted, %zu of %zu "
	    "bad rejected, %zu known exceptions\n", s.good_ok, s.good,
	    s.bad_ok, s.bad, nexc);
	for (i = 0; nexc > 0 && conf_exceptions[i].file != NULL; i++)
		printf("  exception: %s %s: %s\n", conf_exceptions[i].file,
		    conf_exceptions[i].accepted ? "accepted" : "rejected",
		    conf_exceptions[i].reason);
	for (i = 0; i < n; i++)
		free(files[i]);
	free(top);
	cert_free(root);
}

/* The issuer checks find faults the parsers cannot see on their own. */
static void
test_conformance_issuer_faults(void)
{
	static const char *const faults[] = {
		"badRootBadSig.cer",		/* self-signature */
		"root/badCertBadSig.cer",	/* signature by root */
		"root/badEEBadSig.roa",		/* EE signature by root */
	};
	struct cert	*root;
	char		 why[CONF_WHY_LEN];
	size_t		 i;

	TU_NEED_CORPUS();
	root = conf_load_cert("root.cer");
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		CU_ASSERT_EQUAL(conf_judge(root, faults[i], why, sizeof(why)),
		    0);
		CU_ASSERT(why[0] != '\0');
	}
	cert_free(root);
}

REEF_SUITE(conformance, REEF_TEST(test_conformance_suite),
    REEF_TEST(test_conformance_issuer_faults))
