/*
 * bench_parse: how fast reef parses and signature-checks a repository,
 * against the bound OpenSSL's RSA-2048 verification sets on this machine.
 *
 * Runs the validation walk (validator/walk.h) with one worker thread over
 * generation 1 of a reef-repogen output directory: every TA, CA and
 * router certificate, CRL, manifest, ROA and ASPA is read, hashed against
 * its manifest, parsed, and checked against its issuer exactly as "reef
 * validate" does.  Then it times EVP_DigestVerify() with a 2048-bit RSA
 * key over a message the size of a typical TBSCertificate.
 *
 * Every certificate and CRL costs one RSA verification, every signed
 * object two (the CMS signature with the EE key, the EE certificate with
 * the CA key), so the verification rate divided by the verifications per
 * object is the most a validator could reach on one core if parsing and
 * everything else were free.  The ratio to that bound says how much of
 * the time goes elsewhere.
 *
 *	usage: bench_parse [--at EPOCH] [--min-ratio PERCENT] REPOGEN_OUTDIR
 *	       bench_parse --corpus DIR
 *
 * With --corpus, it parses the real ROAs and manifests under DIR (the
 * shared corpus) over and over instead: roa_parse() and mft_parse() do
 * everything but the issuer checks, so each object costs one RSA
 * verification (the CMS signature) and the bound is the verification
 * rate itself.  It also times cms_parse() alone and d2i_X509() of the
 * EE certificates, to show where the time goes.  Objects that do not
 * parse are left out.
 *
 * Prints "name<TAB>value<TAB>unit" lines on stdout (tests/bench/run.sh
 * turns them into its table) and a summary on stderr.  Exits 1 if an
 * object was rejected (the figures would not be comparable), if the
 * ratio is below --min-ratio, or on error; 2 on a usage error.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "common/limits.h"
#include "common/log.h"
#include "validator/cms.h"
#include "validator/mft.h"
#include "validator/pubpoint.h"
#include "validator/roa.h"
#include "validator/tal.h"
#include "validator/walk.h"

/* reef-repogen's default base time (2026-01-01) plus a day. */
#define BENCH_DEFAULT_AT	(1767225600 + 86400)
/* The host part reef-repogen puts in every rsync URI by default. */
#define BENCH_RSYNC_HOST	"localhost"
/* Most TALs read (reef-repogen --scale global makes 5). */
#define BENCH_MAX_TALS		MAX_TALS
/* CPU seconds spent measuring the RSA verification rate. */
#define BENCH_RSA_SECONDS	2.0
/* RSA key size of resource certificates (RFC 7935 section 3). */
#define BENCH_RSA_BITS		2048
/* Bytes verified per signature: about one TBSCertificate. */
#define BENCH_RSA_MSG_LEN	1024

/* CPU seconds spent on each measurement of the --corpus mode. */
#define BENCH_CORPUS_SECONDS	2.0
/* Most objects of one type the --corpus mode loads. */
#define BENCH_CORPUS_MAX	4096
/* Deepest directory the --corpus mode descends into. */
#define BENCH_CORPUS_DEPTH	16

#define BENCH_USAGE	"usage: bench_parse [--at EPOCH] " \
			"[--min-ratio PERCENT] REPOGEN_OUTDIR\n" \
			"       bench_parse --corpus DIR\n"

static double
cpu_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
wall_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * RSA-2048 sha256WithRSAEncryption verifications per CPU second, the way
 * cert.c and cms.c call OpenSSL.  Returns the rate, or -1 on error.
 */
static double
rsa_verify_rate(void)
{
	unsigned char	 msg[BENCH_RSA_MSG_LEN], *sig = NULL;
	size_t		 siglen = 0;
	EVP_PKEY	*key;
	EVP_MD_CTX	*ctx = NULL;
	double		 start, rate = -1;
	long		 n = 0;

	memset(msg, 0x5a, sizeof(msg));
	if ((key = EVP_RSA_gen(BENCH_RSA_BITS)) == NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &siglen, msg, sizeof(msg)) != 1 ||
	    (sig = malloc(siglen)) == NULL ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, sizeof(msg)) != 1)
		goto out;
	start = cpu_seconds();
	do {
		if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
		    key) != 1 || EVP_DigestVerify(ctx, sig, siglen, msg,
		    sizeof(msg)) != 1)
			goto out;
		n++;
	} while (cpu_seconds() - start < BENCH_RSA_SECONDS);
	rate = (double)n / (cpu_seconds() - start);
 out:
	free(sig);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return rate;
}

/* Parse every OUTDIR/tals/NAME.tal into tals; returns how many, or -1. */
static int
load_tals(const char *outdir, struct tal **tals)
{
	char		 path[MAX_PATH_LENGTH + 1];
	unsigned char	*buf;
	size_t		 len, n;
	DIR		*d;
	struct dirent	*de;
	int		 ntals = 0;

	snprintf(path, sizeof(path), "%s/tals", outdir);
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "bench_parse: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL && ntals < BENCH_MAX_TALS) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".tal") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/tals/%s", outdir, de->d_name);
		if (pp_read_file(path, &buf, &len) == -1)
			continue;
		if ((tals[ntals] = tal_parse(path, (const char *)buf,
		    len)) != NULL)
			ntals++;
		free(buf);
	}
	closedir(d);
	return ntals;
}

/*
 * A cache directory (walk.h's cache contract) over the repository:
 * CACHE/rsync/HOST is a symbolic link to OUTDIR/gen1/rsync.  Returns
 * the new directory (caller removes and frees), or NULL.
 */
static char *
make_cache(const char *outdir)
{
	char	 target[MAX_PATH_LENGTH + 1], link[MAX_PATH_LENGTH + 1];
	char	*dir;
	const char *tmp = getenv("TMPDIR");

	if (asprintf(&dir, "%s/bench_parse.XXXXXX", tmp != NULL ? tmp :
	    "/tmp") == -1)
		return NULL;
	if (mkdtemp(dir) == NULL)
		goto fail;
	snprintf(link, sizeof(link), "%s/rsync", dir);
	if (mkdir(link, 0700) == -1)
		goto fail;
	if (outdir[0] == '/')
		snprintf(target, sizeof(target), "%s/gen1/rsync", outdir);
	else if (getcwd(target, sizeof(target)) != NULL)
		snprintf(target + strlen(target), sizeof(target) -
		    strlen(target), "/%s/gen1/rsync", outdir);
	snprintf(link, sizeof(link), "%s/rsync/%s", dir, BENCH_RSYNC_HOST);
	if (symlink(target, link) == -1)
		goto fail;
	return dir;
 fail:
	fprintf(stderr, "bench_parse: cache %s: %s\n", dir, strerror(errno));
	free(dir);
	return NULL;
}

static void
remove_cache(char *dir)
{
	char	path[MAX_PATH_LENGTH + 1];

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/rsync/%s", dir, BENCH_RSYNC_HOST);
	unlink(path);
	snprintf(path, sizeof(path), "%s/rsync", dir);
	rmdir(path);
	rmdir(dir);
	free(dir);
}

/* Objects of one type for the --corpus mode, DER as read. */
struct corpus_set {
	const char	*ext;		/* file name suffix: ".roa" */
	unsigned char	*der[BENCH_CORPUS_MAX];
	size_t		 len[BENCH_CORPUS_MAX];
	size_t		 n;
};

/* Parse one object; returns 0 if accepted.  Frees what it made. */
typedef int	(*corpus_fn)(const unsigned char *, size_t);

static int
corpus_roa(const unsigned char *der, size_t len)
{
	struct roa	*roa = roa_parse("bench.roa", der, len);

	roa_free(roa);
	return roa == NULL ? -1 : 0;
}

static int
corpus_mft(const unsigned char *der, size_t len)
{
	struct mft	*mft = mft_parse("bench.mft", der, len);

	mft_free(mft);
	return mft == NULL ? -1 : 0;
}

static int
corpus_cms_roa(const unsigned char *der, size_t len)
{
	struct cms_object *obj = cms_parse("bench.roa", der, len, OID_CT_ROA);

	cms_object_free(obj);
	return obj == NULL ? -1 : 0;
}

static int
corpus_cms_mft(const unsigned char *der, size_t len)
{
	struct cms_object *obj = cms_parse("bench.mft", der, len, OID_CT_MFT);

	cms_object_free(obj);
	return obj == NULL ? -1 : 0;
}

static int
corpus_x509(const unsigned char *der, size_t len)
{
	const unsigned char	*p = der;
	X509			*x = d2i_X509(NULL, &p, (long)len);

	X509_free(x);
	return x == NULL ? -1 : 0;
}

/* Add every file under dir (recursively) whose name ends in set->ext. */
static void
corpus_load(const char *dir, struct corpus_set *set, int depth)
{
	char		 path[MAX_PATH_LENGTH + 1];
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	size_t		 n, e = strlen(set->ext);

	if (depth > BENCH_CORPUS_DEPTH || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && set->n < BENCH_CORPUS_MAX) {
		n = strlen(de->d_name);
		if (de->d_name[0] == '.' || (size_t)snprintf(path,
		    sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path) ||
		    lstat(path, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode))
			corpus_load(path, set, depth + 1);
		else if (S_ISREG(st.st_mode) && n > e &&
		    strcmp(de->d_name + n - e, set->ext) == 0 &&
		    pp_read_file(path, &set->der[set->n],
		    &set->len[set->n]) == 0)
			set->n++;
	}
	closedir(d);
}

/* Keep only the objects fn accepts. */
static void
corpus_filter(struct corpus_set *set, corpus_fn fn)
{
	size_t	i, k = 0;

	for (i = 0; i < set->n; i++) {
		if (fn(set->der[i], set->len[i]) == 0) {
			set->der[k] = set->der[i];
			set->len[k++] = set->len[i];
		} else
			free(set->der[i]);
	}
	set->n = k;
}

static void
corpus_free(struct corpus_set *set)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		free(set->der[i]);
	set->n = 0;
}

/* The EE certificates of the signed objects in from, as DER, into to. */
static void
corpus_ees(const struct corpus_set *from, enum oid_id type,
    struct corpus_set *to)
{
	struct cms_object	*obj;
	size_t			 i;

	for (i = 0; i < from->n && to->n < BENCH_CORPUS_MAX; i++) {
		obj = cms_parse("bench", from->der[i], from->len[i], type);
		if (obj != NULL &&
		    (to->der[to->n] = malloc(obj->ee_der_len)) != NULL) {
			memcpy(to->der[to->n], obj->ee_der, obj->ee_der_len);
			to->len[to->n++] = obj->ee_der_len;
		}
		cms_object_free(obj);
	}
}

/* Calls of fn per CPU second, cycling through set; -1 if set is empty. */
static double
corpus_rate(const struct corpus_set *set, corpus_fn fn)
{
	double	start, t;
	long	n = 0;

	if (set->n == 0)
		return -1;
	start = cpu_seconds();
	do {
		(void)fn(set->der[n % set->n], set->len[n % set->n]);
		n++;
	} while ((t = cpu_seconds() - start) < BENCH_CORPUS_SECONDS);
	return (double)n / t;
}

/*
 * The --corpus mode: roa_parse()/mft_parse() rates on real objects
 * against the RSA-2048 verification rate (one verification each).
 */
static int
corpus_main(const char *dir)
{
	struct corpus_set	 roas = { ".roa", { 0 }, { 0 }, 0 };
	struct corpus_set	 mfts = { ".mft", { 0 }, { 0 }, 0 };
	struct corpus_set	 ees = { "", { 0 }, { 0 }, 0 };
	double			 roa, mft, cms_roa, cms_mft, x509, rate;

	corpus_load(dir, &roas, 0);
	corpus_load(dir, &mfts, 0);
	corpus_filter(&roas, corpus_roa);
	corpus_filter(&mfts, corpus_mft);
	corpus_ees(&roas, OID_CT_ROA, &ees);
	if (roas.n == 0 || mfts.n == 0 || (rate = rsa_verify_rate()) <= 0) {
		fprintf(stderr, "bench_parse: no ROA or manifest parses in "
		    "%s, or RSA measurement failed\n", dir);
		corpus_free(&roas);
		corpus_free(&mfts);
		corpus_free(&ees);
		return 1;
	}
	roa = corpus_rate(&roas, corpus_roa);
	mft = corpus_rate(&mfts, corpus_mft);
	cms_roa = corpus_rate(&roas, corpus_cms_roa);
	cms_mft = corpus_rate(&mfts, corpus_cms_mft);
	x509 = corpus_rate(&ees, corpus_x509);
	printf("corpus_roas\t%zu\tobjects\n", roas.n);
	printf("corpus_mfts\t%zu\tobjects\n", mfts.n);
	printf("roa_parse_per_cpu_s\t%.0f\tobjects/s\n", roa);
	printf("mft_parse_per_cpu_s\t%.0f\tobjects/s\n", mft);
	printf("cms_parse_roa_per_cpu_s\t%.0f\tobjects/s\n", cms_roa);
	printf("cms_parse_mft_per_cpu_s\t%.0f\tobjects/s\n", cms_mft);
	printf("d2i_x509_ee_per_cpu_s\t%.0f\tcertificates/s\n", x509);
	printf("rsa2048_verify_per_s\t%.0f\tverifies/s\n", rate);
	printf("roa_ratio_to_bound\t%.1f\t%%\n", 100.0 * roa / rate);
	printf("mft_ratio_to_bound\t%.1f\t%%\n", 100.0 * mft / rate);
	fprintf(stderr, "bench_parse: %zu ROAs %.0f/s, %zu manifests %.0f/s "
	    "(cms_parse %.0f/s and %.0f/s, EE d2i_X509 %.0f/s); RSA-2048 "
	    "verify %.0f/s: ROAs at %.1f%%, manifests at %.1f%% of it\n",
	    roas.n, roa, mfts.n, mft, cms_roa, cms_mft, x509, rate,
	    100.0 * roa / rate, 100.0 * mft / rate);
	corpus_free(&roas);
	corpus_free(&mfts);
	corpus_free(&ees);
	return 0;
}

struct bench_opts {
	int64_t		 at;
	double		 min_ratio;	/* percent; 0: no minimum */
	const char	*outdir;
	const char	*corpus;	/* --corpus DIR, or NULL */
};

static int
get_opts(int argc, char **argv, struct bench_opts *o)
{
	int	i;

	o->at = BENCH_DEFAULT_AT;
	o->min_ratio = 0;
	o->outdir = NULL;
	o->corpus = NULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--corpus") == 0 && i + 1 < argc)
			o->corpus = argv[++i];
		else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc)
			o->at = strtoll(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--min-ratio") == 0 && i + 1 < argc)
			o->min_ratio = strtod(argv[++i], NULL);
		else if (argv[i][0] != '-' && o->outdir == NULL)
			o->outdir = argv[i];
		else
			return -1;
	}
	return (o->outdir == NULL) == (o->corpus == NULL) ? -1 : 0;
}

/* Objects and RSA verifications the walk went through. */
static void
count(const struct walk_stats *s, size_t *objects, size_t *rejected,
    size_t *verifies)
{
	size_t	certs, signed_objs;

	certs = s->tas + s->cas + s->cas_failed + s->router_certs +
	    s->router_certs_failed;
	signed_objs = s->manifests + s->manifests_failed + s->roas +
	    s->roas_failed + s->aspas + s->aspas_failed;
	*objects = certs + s->crls + s->crls_failed + signed_objs;
	*rejected = s->tas_failed + s->cas_failed + s->router_certs_failed +
	    s->crls_failed + s->manifests_failed + s->roas_failed +
	    s->aspas_failed + s->files_failed + s->pubpoints_failed;
	*verifies = certs + s->crls + s->crls_failed + 2 * signed_objs;
}

int
main(int argc, char **argv)
{
	struct log_config	 logcfg = { NULL, LOG_LEVEL_ERROR, 0, 0, 2 };
	struct bench_opts	 o;
	struct tal		*tals[BENCH_MAX_TALS];
	struct walk_config	 cfg;
	struct walk_result	 res;
	char			*cache = NULL;
	double			 cpu, wall, rate, per_s, bound, ratio;
	size_t			 objects, rejected, verifies, i;
	int			 ntals, rc = 1;

	if (get_opts(argc, argv, &o) == -1) {
		fputs(BENCH_USAGE, stderr);
		return 2;
	}
	log_init(&logcfg);
	if (o.corpus != NULL)
		return corpus_main(o.corpus);
	memset(&res, 0, sizeof(res));
	if ((ntals = load_tals(o.outdir, tals)) <= 0) {
		fprintf(stderr, "bench_parse: no TAL in %s/tals\n", o.outdir);
		return 1;
	}
	if ((cache = make_cache(o.outdir)) == NULL)
		goto out;
	memset(&cfg, 0, sizeof(cfg));
	cfg.tals = tals;
	cfg.ntals = (size_t)ntals;
	cfg.cache_dir = cache;
	cfg.now = o.at;
	cfg.threads = 1;
	cfg.allow_dubious = 1;		/* rsync://localhost/... */

	cpu = cpu_seconds();
	wall = wall_seconds();
	if (walk_run(&cfg, &res) == -1) {
		fprintf(stderr, "bench_parse: walk failed\n");
		goto out;
	}
	cpu = cpu_seconds() - cpu;
	wall = wall_seconds() - wall;
	count(&res.stats, &objects, &rejected, &verifies);
	if ((rate = rsa_verify_rate()) <= 0) {
		fprintf(stderr, "bench_parse: RSA measurement failed\n");
		goto out;
	}
	per_s = (double)objects / cpu;
	bound = rate * (double)objects / (double)verifies;
	ratio = 100.0 * per_s / bound;

	printf("objects\t%zu\tobjects\n", objects);
	printf("rejected\t%zu\tobjects\n", rejected);
	printf("rsa_verifies\t%zu\tverifies\n", verifies);
	printf("cpu\t%.2f\ts\n", cpu);
	printf("wall\t%.2f\ts\n", wall);
	printf("objects_per_cpu_s\t%.0f\tobjects/s\n", per_s);
	printf("rsa2048_verify_per_s\t%.0f\tverifies/s\n", rate);
	printf("bound_objects_per_s\t%.0f\tobjects/s\n", bound);
	printf("ratio_to_bound\t%.1f\t%%\n", ratio);
	fprintf(stderr, "bench_parse: %zu objects (%zu RSA verifications) in "
	    "%.2f CPU s: %.0f objects/s; RSA-2048 verify %.0f/s bounds it "
	    "at %.0f objects/s: %.1f%%\n", objects, verifies, cpu, per_s,
	    rate, bound, ratio);
	rc = 0;
	if (rejected > 0) {
		fprintf(stderr, "bench_parse: %zu objects rejected: wrong "
		    "--at or a broken repository\n", rejected);
		rc = 1;
	}
	if (o.min_ratio > 0 && ratio < o.min_ratio) {
		fprintf(stderr, "bench_parse: below %.0f%% of the bound\n",
		    o.min_ratio);
		rc = 1;
	}
 out:
	walk_result_free(&res);
	remove_cache(cache);
	for (i = 0; i < (size_t)ntals; i++)
		tal_free(tals[i]);
	return rc;
}
