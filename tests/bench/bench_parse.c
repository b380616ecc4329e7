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
#include "validator/pubpoint.h"
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

#define BENCH_USAGE	"usage: bench_parse [--at EPOCH] " \
			"[--min-ratio PERCENT] REPOGEN_OUTDIR\n"

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

struct bench_opts {
	int64_t		 at;
	double		 min_ratio;	/* percent; 0: no minimum */
	const char	*outdir;
};

static int
get_opts(int argc, char **argv, struct bench_opts *o)
{
	int	i;

	o->at = BENCH_DEFAULT_AT;
	o->min_ratio = 0;
	o->outdir = NULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--at") == 0 && i + 1 < argc)
			o->at = strtoll(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--min-ratio") == 0 && i + 1 < argc)
			o->min_ratio = strtod(argv[++i], NULL);
		else if (argv[i][0] != '-' && o->outdir == NULL)
			o->outdir = argv[i];
		else
			return -1;
	}
	return o->outdir == NULL ? -1 : 0;
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
