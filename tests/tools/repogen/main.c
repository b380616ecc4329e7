/*
 * reef-repogen: write standards-conformant RPKI repositories for tests,
 * benchmarks and the demo.  See reef-repogen(1) for options and layout.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "repogen.h"
#include "rrdp_write.h"

enum { P_SESSION = 50 };

#define NFTW_FDS	32

enum {
	OPT_SEED = 256, OPT_SCALE, OPT_TAS, OPT_DEPTH, OPT_BREADTH, OPT_ROAS,
	OPT_REPOS, OPT_KEYCACHE, OPT_RSYNC, OPT_HTTPS, OPT_GENS, OPT_IPINH,
	OPT_DEFECT, OPT_TIME
};

struct preset {
	const char	*name;
	int		 tas, depth, breadth, roas, repos;
};

static const struct preset presets[] = {
	{ "tiny",	1, 2, 2, 12, 1 },
	{ "small",	2, 2, 3, 100, 3 },
	{ "medium",	4, 3, 6, 10000, 20 },
	{ "global",	5, 2, 89, 400000, 100 },
};

static void
usage(void)
{
	fprintf(stderr, "usage: reef-repogen -o OUTDIR [--seed N] "
	    "[--scale tiny|small|medium|global]\n"
	    "\t[--tas N] [--depth N] [--breadth N] [--roas N] [--repos N] "
	    "[-j N]\n"
	    "\t[--key-cache DIR] [--rsync-host HOST[:PORT]] "
	    "[--https-host HOST[:PORT]]\n"
	    "\t[--generations 1|2] [--ip-inherit] [--defect NAME]... "
	    "[--time EPOCH] [-v]\n");
	exit(2);
}

static long long
num_arg(const char *s, long long lo, long long hi, const char *what)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "reef-repogen: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

static void
copy_host(char *dst, size_t sz, const char *src)
{
	if (strlen(src) >= sz || strlen(src) == 0 ||
	    strpbrk(src, "/ ,;") != NULL) {
		fprintf(stderr, "reef-repogen: bad host: %s\n", src);
		exit(2);
	}
	strcpy(dst, src);
}

static void
add_defect(struct gen *g, const char *name)
{
	int	d;

	if (strcmp(name, "all") == 0) {
		g->defects = (1U << DEF__COUNT) - 1;
		return;
	}
	if ((d = rg_defect_lookup(name)) == -1) {
		fprintf(stderr, "reef-repogen: unknown defect: %s\n", name);
		exit(2);
	}
	g->defects |= 1U << d;
}

static void
parse(struct gen *g, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "scale", required_argument, NULL, OPT_SCALE },
		{ "tas", required_argument, NULL, OPT_TAS },
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ "breadth", required_argument, NULL, OPT_BREADTH },
		{ "roas", required_argument, NULL, OPT_ROAS },
		{ "repos", required_argument, NULL, OPT_REPOS },
		{ "key-cache", required_argument, NULL, OPT_KEYCACHE },
		{ "rsync-host", required_argument, NULL, OPT_RSYNC },
		{ "https-host", required_argument, NULL, OPT_HTTPS },
		{ "generations", required_argument, NULL, OPT_GENS },
		{ "ip-inherit", no_argument, NULL, OPT_IPINH },
		{ "defect", required_argument, NULL, OPT_DEFECT },
		{ "time", required_argument, NULL, OPT_TIME },
		{ NULL, 0, NULL, 0 }
	};
	struct preset	 p = presets[1], set = { NULL, -1, -1, -1, -1, -1 };
	const char	*env;
	int		 ch;
	size_t		 i;

	while ((ch = getopt_long(argc, argv, "o:j:v", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': g->outdir = optarg; break;
		case 'j': g->jobs = (int)num_arg(optarg, 1, 1024, "-j"); break;
		case 'v': g->verbose = 1; break;
		case OPT_SEED:
			g->seed = strtoull(optarg, NULL, 0);
			break;
		case OPT_SCALE:
			for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
				if (strcmp(presets[i].name, optarg) == 0)
					break;
			if (i == sizeof(presets) / sizeof(presets[0]))
				usage();
			p = presets[i];
			break;
		case OPT_TAS:
			set.tas = (int)num_arg(optarg, 1, RG_MAX_TAS, "--tas");
			break;
		case OPT_DEPTH:
			set.depth = (int)num_arg(optarg, 0, RG_MAX_DEPTH,
			    "--depth");
			break;
		case OPT_BREADTH:
			set.breadth = (int)num_arg(optarg, 0, 10000,
			    "--breadth");
			break;
		case OPT_ROAS:
			set.roas = (int)num_arg(optarg, 0, 50000000, "--roas");
			break;
		case OPT_REPOS:
			set.repos = (int)num_arg(optarg, 0, 100000, "--repos");
			break;
		case OPT_KEYCACHE:
			rg_uri_printf(g->keydir, sizeof(g->keydir), "%s", optarg);
			break;
		case OPT_RSYNC:
			copy_host(g->rsync_host, sizeof(g->rsync_host), optarg);
			break;
		case OPT_HTTPS:
			copy_host(g->https_host, sizeof(g->https_host), optarg);
			break;
		case OPT_GENS:
			g->generations = (int)num_arg(optarg, 1, RG_MAX_GENS,
			    "--generations");
			break;
		case OPT_IPINH: g->ip_inherit = 1; break;
		case OPT_DEFECT: add_defect(g, optarg); break;
		case OPT_TIME:
			g->base = num_arg(optarg, 0, 4102444800LL, "--time");
			break;
		default: usage();
		}
	}
	if (optind != argc || g->outdir == NULL)
		usage();
	g->tas = set.tas != -1 ? set.tas : p.tas;
	g->depth = set.depth != -1 ? set.depth : p.depth;
	g->breadth = set.breadth != -1 ? set.breadth : p.breadth;
	g->roas = set.roas != -1 ? set.roas : p.roas;
	g->repos = set.repos != -1 ? set.repos : p.repos;
	if (g->keydir[0] == '\0') {
		if ((env = getenv("REEF_KEY_CACHE")) != NULL && *env != '\0')
			rg_uri_printf(g->keydir, sizeof(g->keydir), "%s", env);
		else
			rg_uri_printf(g->keydir, sizeof(g->keydir),
			    "%s/.cache/reef/keys", (env = getenv("HOME")) ?
			    env : "/tmp");
	}
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

/* Remove a previous run's directory so no stale file survives. */
static int
rm_rf(const char *path)
{
	struct stat	st;

	if (lstat(path, &st) == -1)
		return 0;
	if (nftw(path, rm_entry, NFTW_FDS, FTW_DEPTH | FTW_PHYS) == -1) {
		fprintf(stderr, "reef-repogen: cannot remove %s\n", path);
		return -1;
	}
	return 0;
}

static uint64_t	 du_total;

static int
du_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)path;
	(void)f;
	if (flag == FTW_F)
		du_total += (uint64_t)st->st_size;
	return 0;
}

static int
pp_job(void *arg, size_t i)
{
	return rg_pubpoint_write(arg, (int)i);
}

/* A UUID (version 4 form) per repository, derived from the seed. */
static void
session_id(const struct gen *g, int module, char *out, size_t sz)
{
	struct prng	r;
	uint8_t		u[16];
	char		h[33];
	int		i;

	rg_prng_init(&r, g->seed, P_SESSION, (uint64_t)module);
	for (i = 0; i < 16; i++)
		u[i] = (uint8_t)rg_prng_next(&r);
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	rg_hexify(u, 16, h);
	rg_uri_printf(out, sz, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12,
	    h + 16, h + 20);
}

/* RRDP files of module m; modules are independent, so jobs run in parallel. */
static int
rrdp_job(void *arg, size_t mi)
{
	struct gen		*g = arg;
	struct rrdp_write_args	 a;
	char			 mod[64], tree[RG_MAX_PATH + 64];
	char			 prev[RG_MAX_PATH + 64], prrdp[RG_MAX_PATH + 64];
	char			 rs[512], hs[512], od[RG_MAX_PATH + 64];
	char			 sid[40];
	int			 m = (int)mi;

	rg_tree_module(g, m, mod, sizeof(mod));
	memset(&a, 0, sizeof(a));
	rg_uri_printf(tree, sizeof(tree), "%s/rsync/%s", g->gendir, mod);
	rg_uri_printf(rs, sizeof(rs), "rsync://%s/%s/", g->rsync_host, mod);
	rg_uri_printf(hs, sizeof(hs), "https://%s/rrdp/%s/", g->https_host, mod);
	rg_uri_printf(od, sizeof(od), "%s/rrdp/%s", g->gendir, mod);
	if (rg_mkdir_p(tree) == -1 || rg_mkdir_p(od) == -1)
		return -1;
	session_id(g, m, sid, sizeof(sid));
	a.tree = tree;
	a.rsync_base = rs;
	a.https_base = hs;
	a.outdir = od;
	a.session_id = sid;
	a.serial = (uint64_t)g->cur_gen;
	if (g->cur_gen > 1) {
		rg_uri_printf(prev, sizeof(prev), "%s/gen%d/rsync/%s", g->outdir,
		    g->cur_gen - 1, mod);
		rg_uri_printf(prrdp, sizeof(prrdp), "%s/gen%d/rrdp/%s", g->outdir,
		    g->cur_gen - 1, mod);
		a.prev_tree = prev;
		a.prev_rrdp = prrdp;
	}
	return rrdp_write(&a);
}

static void
reset_out(struct gen *g)
{
	int	i;
	size_t	k;

	for (i = 0; i < g->ncas; i++) {
		struct ca_out	*o = &g->cas[i].out;

		free(o->vrps);
		free(o->aspas);
		for (k = 0; k < o->nrks; k++)
			free(o->rks[k].spki_b64);
		free(o->rks);
		memset(o, 0, sizeof(*o));
	}
}

static double
now_secs(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
run_generation(struct gen *g, int gen)
{
	char	dir[RG_MAX_PATH + 32];
	int	i;
	double	t0 = now_secs();

	g->cur_gen = gen;
	rg_uri_printf(g->gendir, sizeof(g->gendir), "%s/gen%d", g->outdir, gen);
	if (rm_rf(g->gendir) == -1 || rg_mkdir_p(g->gendir) == -1)
		return -1;
	reset_out(g);
	for (i = 0; i < g->tas; i++)
		if (rg_ta_write(g, i) == -1)
			return -1;
	if (rg_work_run(g->jobs, (size_t)g->ncas, pp_job, g) == -1)
		return -1;
	if (g->verbose)
		printf("gen%d: repositories written at %.1f s\n", gen,
		    now_secs() - t0);
	if (rg_work_run(g->jobs, (size_t)g->nmodules, rrdp_job, g) == -1)
		return -1;
	if (g->verbose)
		printf("gen%d: RRDP written at %.1f s\n", gen, now_secs() - t0);
	rg_uri_printf(dir, sizeof(dir), "%s/expected", g->gendir);
	return rg_expected_write(g, dir);
}

int
main(int argc, char **argv)
{
	struct gen	 g;
	char		 tals[RG_MAX_PATH + 16];
	double		 t0 = now_secs(), t1;
	int		 gen, rc = 1, d, gi;
	long		 ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&g, 0, sizeof(g));
	g.seed = 1;
	g.jobs = ncpu > 0 ? (int)ncpu : 1;
	g.generations = 1;
	g.base = RG_DEFAULT_TIME;
	strcpy(g.rsync_host, "localhost");
	strcpy(g.https_host, "localhost");
	parse(&g, argc, argv);
	if ((g.defects & (1U << DEF_MFT_NUMBER_BACKWARDS)) &&
	    g.generations < 2)
		fprintf(stderr, "reef-repogen: manifest-number-backwards only "
		    "acts with --generations 2\n");
	if (rg_tree_build(&g) == -1 || rg_defects_choose(&g) == -1)
		goto out;
	if (g.verbose)
		printf("%d CAs; preparing keys in %s\n", g.ncas, g.keydir);
	if (rg_keys_prepare(&g) == -1)
		goto out;
	t1 = now_secs();
	if (g.verbose)
		printf("keys ready in %.1f s\n", t1 - t0);
	rg_uri_printf(tals, sizeof(tals), "%s/tals", g.outdir);
	if (rm_rf(tals) == -1 || rg_mkdir_p(tals) == -1)
		goto out;
	for (gen = 1; gen <= g.generations; gen++)
		if (run_generation(&g, gen) == -1)
			goto out;
	rg_uri_printf(tals, sizeof(tals), "%s/gen%d", g.outdir, g.generations + 1);
	rm_rf(tals);
	du_total = 0;
	nftw(g.outdir, du_entry, NFTW_FDS, FTW_PHYS);
	printf("done in %.1f s (keys %.1f s), output %.1f MB in %s\n",
	    now_secs() - t0, t1 - t0, du_total / 1e6, g.outdir);
	rc = 0;
 out:
	for (gi = 0; gi <= RG_MAX_GENS; gi++)
		for (d = 0; d < DEF__COUNT; d++)
			free(g.dinfo[gi][d].uri);
	rg_tree_free(&g);
	rg_keys_free(&g);
	return rc;
}
