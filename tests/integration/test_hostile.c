/*
 * Integration: `reef validate` against hostile repositories.
 *
 * Every class of relying-party vulnerability that has hit a real validator
 * gets one test here, end to end through the reef binary: a reef-repogen
 * repository (--scale small, five repositories under two TAs) is served
 * by tests/tools/serve.sh, one repository is made hostile, and the run
 * must end within its deadline, refuse the hostile data (or keep the last
 * good copy) and leave every other repository's VRPs exactly as the
 * generator expects.
 *
 * Two kinds of hostile repository are used:
 *  - repo0 of the generated tree, edited (RRDP XML via hostile/rrdp_edit.py,
 *    or taken away and brought back across runs);
 *  - an extra Trust Anchor ("evil...", its own TAL) crafted here with the
 *    generator's signing code and our own URIs: malformed objects signed
 *    properly so they reach the parsers, notification URIs on
 *    tests/tools/hostile_httpd.py, repository URIs on a dripping or
 *    flooding rsync server of our own, path traversal, symlinks, deep
 *    chains, loops, MAX_REPO_PER_TAL + 100 repositories and a TA with
 *    more prefixes than MAX_CERT_IP_ENTRIES.
 *    Payloads of an evil TA carry its name, so the generated TAs' payloads
 *    can be compared with expected/vrps.csv exactly.
 *
 * When rsync, nginx, python3 or the built programs are missing, or
 * REEF_TESTS_UNIT_ONLY is set, each test prints SKIPPED and passes.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <CUnit/CUnit.h>

#include "common/limits.h"
#include "validator/cmd_validate.h"
#include "tests/tools/repogen/repogen.h"
#include "tests/integration/validate_util.h"
#include "tests/unit/suite.h"
#include "tests/unit/util.h"

/* reef's own deadline (--timeout), and how much later a run may end. */
#define DEADLINE		6
#define GRACE			14
/*
 * Validation threads: fixed, so that a run does not depend on the
 * machine.  With a single worker, one repository that drips until the
 * deadline holds up the whole walk by design; two must not be held up.
 */
#define JOBS			2
/* Wall-clock cap of one reef run (timeout(1)); a hang shows as a failure. */
#define RUN_TIMEOUT		120
#define GEN_SEED		2207
/* The generated repository made hostile, and one it must not touch. */
#define HOSTILE_MOD		"repo0"
#define VICTIM_MOD		"repo1"
/* Wait for a helper server to come up: ticks of 100 ms. */
#define WAIT_TICKS		100
#define TICK_NS			100000000L
/* The dripping rsync server sends one byte per this many ms. */
#define DRIP_MS			1000
#define FLOOD_BLOCK		65536
#define MAX_CONNS		64
/* Crafted objects: validity around now, and the manifest's lifetime. */
#define CRAFT_BEFORE		(2 * 86400)
#define CRAFT_LIFE		(365LL * 86400)
/* Key slots of the key cache used for crafted CAs and EE certificates. */
#define CA_SLOTS		20
#define EE_SLOTS		RG_EE_POOL
/* Our one EE key: RFC 6487 does not forbid EE certificates sharing one. */
#define EE_KEY_SLOT		CA_SLOTS
/* Tree abuse: a chain past the depth limit, many repositories, a huge TA. */
#define DEEP_LEVELS		(MAX_CERT_DEPTH + 2)
#define WIDE_CAS		(MAX_REPO_PER_TAL + 100)
#define BIG_TA_PREFIXES		(MAX_CERT_IP_ENTRIES + 50000)
#define MAX_FILES		(WIDE_CAS + 16)
/* AS numbers of crafted ROAs; each names its case in the tests. */
#define AS_BASE			65000
/* Entries of a static table. */
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
/* Outputs written: all repositories fetched, or some from the cache. */
#define WRITTEN(st)	((st) == VALIDATE_EXIT_OK || (st) == VALIDATE_EXIT_PARTIAL)

static struct {
	struct vu_fix	 vu;	/* servers, scratch, clean repository */
	char	*keys;		/* reef-repogen's key cache */
	pid_t	 httpd;		/* hostile_httpd.py */
	int	 httpd_port;
	pid_t	 drip, flood;	/* our hostile rsync servers (group leaders) */
	int	 drip_port, flood_port;
	int64_t	 serial;	/* of crafted certificates */
	double	 t0;		/* when the suite started */
} fx;

/* What one reef run produced. */
struct run {
	int		 status;
	double		 secs;
	char		*log;
	struct vu_lines	 main;	/* VRPs of the generated TAs */
	struct vu_lines	 evil;	/* VRPs of crafted TAs */
};

/* A crafted file of a publication point. */
struct pfile {
	char		*name;
	size_t		 namelen;	/* may hold a NUL */
	struct buf	 der;
	int		 symlink;	/* der holds the link target */
};

/* A crafted CA: certificate, key and the publication point it writes. */
struct node {
	X509		*x;
	EVP_PKEY	*k;
	char		*name;		/* file names: name.mft, name.crl */
	char		*cert_uri;
	char		*dir_uri;	/* caRepository */
	char		*local;		/* where dir_uri is served from */
	struct pfile	*files;
	size_t		 nfiles;
	enum rg_cms_form mft_form;	/* how the manifest is encoded */
	int		 mft_empty;	/* its fileList left empty */
};

/* ---- small helpers -------------------------------------------------- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
nap(void)
{
	struct timespec ts = { 0, TICK_NS };

	nanosleep(&ts, NULL);
}

/* expected/vrps.csv of a generation, sorted, without its header. */
static void
expected(const char *gendir, struct vu_lines *l)
{
	CU_ASSERT_FATAL(vu_expected(gendir, "vrps.csv", l) == 0);
	vu_lines_sort(l);
}

/*
 * Split vrps.csv of out (Expires column dropped) into the generated TAs'
 * VRPs and those of crafted TAs (named evil...), each sorted.  Returns 0
 * or -1.
 */
static int
read_vrps(const char *out, struct vu_lines *main_l, struct vu_lines *evil_l)
{
	struct vu_lines all;
	const char *ta;
	size_t i;
	int rc;

	memset(&all, 0, sizeof(all));
	rc = vu_read_vrps(out, &all);
	for (i = 0; i < all.n; i++) {
		/* The line moves to its list, which frees it. */
		ta = strrchr(all.v[i], ',');
		vu_lines_add(ta != NULL && strncmp(ta + 1, "evil", 4) == 0 ?
		    evil_l : main_l, all.v[i]);
	}
	free(all.v);
	vu_lines_sort(main_l);
	vu_lines_sort(evil_l);
	return rc;
}

static void
run_free(struct run *r)
{
	free(r->log);
	vu_lines_free(&r->main);
	vu_lines_free(&r->evil);
	memset(r, 0, sizeof(*r));
}

/*
 * Run reef validate with the TALs in taldir on cache, output to a fresh
 * directory; fill r (run_free() it).  Sanitizer reports fail the test.
 */
static void
reef_run(const char *taldir, const char *cache, struct run *r)
{
	char *reef = vu_reef_path(), *out;

	memset(r, 0, sizeof(*r));
	r->log = vu_run_log(&fx.vu);
	out = tu_asprintf("%s/out%02d", fx.vu.dir, fx.vu.runs);
	r->secs = now_s();
	r->status = tu_system("timeout %d '%s' validate -v -j %d -t '%s' "
	    "-d '%s' -o '%s' -f csv --allow-dubious-hosts --ca-file '%s' "
	    "--timeout %d %s >'%s' 2>&1", RUN_TIMEOUT, reef, JOBS, taldir,
	    cache, out, fx.vu.ca_file, DEADLINE, vu_user_opt(), r->log);
	r->secs = now_s() - r->secs;
	if (getenv("REEF_TESTS_TIMES") != NULL)
		printf("\n    run %d: exit %d in %.1f s (at %.0f s)",
		    fx.vu.runs, r->status, r->secs, now_s() - fx.t0);
	vu_check_sanitizer(r->log);
	if (WRITTEN(r->status) && read_vrps(out, &r->main, &r->evil) != 0)
		CU_FAIL("no vrps.csv");
	free(out);
	free(reef);
}

/*
 * The checks every hostile run gets: outputs written within the deadline
 * and the generated TAs' VRPs exactly want.  Returns 1 when all hold.
 */
static int
run_ok(const char *what, const struct run *r, const struct vu_lines *want)
{
	int ok = 1;

	if (!WRITTEN(r->status)) {
		printf("\n    %s: exit %d", what, r->status);
		ok = 0;
	}
	if (r->secs >= DEADLINE + GRACE) {
		printf("\n    %s: took %.1f s, deadline %d s", what, r->secs,
		    DEADLINE);
		ok = 0;
	}
	if (ok && !vu_lines_same(what, &r->main, want, 1))
		ok = 0;
	CU_ASSERT(ok);
	if (!ok)
		vu_show_log(r->log);
	return ok;
}

/* ---- fixture ------------------------------------------------------ */

/* A listening socket on 127.0.0.1, a free port; fd or -1. */
static int
listen_any(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, MAX_CONNS) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

/*
 * One connection of a hostile rsync daemon: the greeting, then a message
 * of the day that never ends, one byte per DRIP_MS or as fast as the
 * client reads.  Ends when the client goes away.
 */
static void __attribute__((noreturn))
rsync_conn(int c, int flood)
{
	static const char greeting[] = "@RSYNCD: 31.0\n";
	char block[FLOOD_BLOCK];
	struct timespec ts = { DRIP_MS / 1000, 0 };

	memset(block, 'm', sizeof(block));
	if (write(c, greeting, sizeof(greeting) - 1) == -1)
		_exit(0);
	for (;;) {
		if (flood) {
			if (write(c, block, sizeof(block)) == -1)
				_exit(0);
		} else {
			if (write(c, "x", 1) == -1)
				_exit(0);
			nanosleep(&ts, NULL);
		}
	}
}

/* The accept loop, in its own process group so one kill ends it all. */
static void __attribute__((noreturn))
rsync_server(int lfd, int flood)
{
	int c;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);	/* no zombies */
	for (;;) {
		if ((c = accept(lfd, NULL, NULL)) == -1)
			continue;
		if (fork() == 0) {
			close(lfd);
			rsync_conn(c, flood);
		}
		close(c);
	}
}

static pid_t
rsync_server_start(int flood, int *port)
{
	pid_t pid;
	int lfd;

	if ((lfd = listen_any(port)) == -1)
		return -1;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		rsync_server(lfd, flood);
	}
	if (pid > 0)
		setpgid(pid, pid);
	close(lfd);
	return pid;
}

/* Start hostile_httpd.py with serve.sh's certificate; 0 or -1. */
static int
httpd_start(void)
{
	char *py = tu_asprintf("%s/tests/tools/hostile_httpd.py", tu_srcdir());
	char *cert = tu_asprintf("%s/server.pem", fx.vu.state);
	char *key = tu_asprintf("%s/server.key", fx.vu.state);
	char *pf = tu_asprintf("%s/httpd.port", fx.vu.dir);
	char *log = tu_asprintf("%s/httpd.out", fx.vu.dir);
	unsigned char *buf;
	int i, fd, rc = -1;

	fflush(NULL);
	if ((fx.httpd = fork()) == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("python3", "python3", py, "--cert", cert, "--key", key,
		    "--portfile", pf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; fx.httpd > 0 && i < WAIT_TICKS; i++) {
		if ((buf = tu_read_file(pf, NULL)) != NULL) {
			fx.httpd_port = atoi((char *)buf);
			free(buf);
			rc = fx.httpd_port > 0 ? 0 : -1;
			break;
		}
		nap();
	}
	free(py);
	free(cert);
	free(key);
	free(pf);
	free(log);
	return rc;
}

static int
setup(void)
{
	if (fx.vu.ready != 0)
		return fx.vu.ready;
	fx.t0 = now_s();
	if (vu_start(&fx.vu, "hostile", VU_TOOLS " python3", GEN_SEED,
	    "--scale small --generations 2") != 1)
		return fx.vu.ready;
	/* Skipped from here on if a helper server does not come up. */
	fx.vu.ready = -1;
	fx.keys = vu_key_cache();
	fx.serial = 1000;
	CU_ASSERT_FATAL(httpd_start() == 0);
	fx.drip = rsync_server_start(0, &fx.drip_port);
	fx.flood = rsync_server_start(1, &fx.flood_port);
	CU_ASSERT_FATAL(fx.drip > 0 && fx.flood > 0);
	fx.vu.ready = 1;
	return fx.vu.ready;
}

static void
stop_pid(pid_t *pid, int group)
{
	if (*pid <= 0)
		return;
	kill(group ? -*pid : *pid, group ? SIGKILL : SIGTERM);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

static int
cleanup(void)
{
	stop_pid(&fx.httpd, 0);
	stop_pid(&fx.drip, 1);
	stop_pid(&fx.flood, 1);
	vu_finish(&fx.vu);
	free(fx.keys);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

/* A hard-linked copy of generation gen named name; malloc'd path. */
static char *
variant(int gen, const char *name)
{
	char *dir = tu_asprintf("%s/%s", fx.vu.dir, name);

	CU_ASSERT_EQUAL_FATAL(tu_system("cp -al '%s/gen%d' '%s'", fx.vu.repo,
	    gen, dir), 0);
	return dir;
}

/* A new TAL directory holding the generated TALs; malloc'd path. */
static char *
taldir(const char *name)
{
	char *dir = tu_asprintf("%s/tals-%s", fx.vu.dir, name);

	CU_ASSERT_EQUAL_FATAL(tu_system("mkdir '%s' && cp '%s'/tals/*.tal "
	    "'%s'", dir, fx.vu.repo, dir), 0);
	return dir;
}

static char *
cache_dir(const char *name)
{
	return tu_asprintf("%s/cache-%s", fx.vu.dir, name);
}

/* ---- crafting --------------------------------------------------------- */

static EVP_PKEY *
read_key(const char *path)
{
	const unsigned char *p;
	unsigned char *der;
	EVP_PKEY *k = NULL;
	size_t len;

	if ((der = tu_read_file(path, &len)) != NULL) {
		p = der;
		k = d2i_AutoPrivateKey(NULL, &p, (long)len);
	}
	free(der);
	return k;
}

/*
 * Key slot of the key cache: "ee" keys are the generator's EE pool,
 * "hostile" ones are ours (crafted CAs must not share a key, hence an
 * SKI, with the generated tree), made on first use and kept.
 */
static EVP_PKEY *
load_key(const char *kind, int slot)
{
	char *path = tu_asprintf("%s/%s-%d.der", fx.keys, kind, slot);
	char *tmp = tu_asprintf("%s.%d.tmp", path, (int)getpid());
	unsigned char *der = NULL;
	EVP_PKEY *k;
	int len;

	if ((k = read_key(path)) == NULL &&
	    (k = EVP_RSA_gen(RG_RSA_BITS)) != NULL &&
	    (len = i2d_PrivateKey(k, &der)) > 0 &&
	    tu_write_file(tmp, der, (size_t)len) == 0)
		rename(tmp, path);
	CU_ASSERT_FATAL(k != NULL);
	OPENSSL_free(der);
	free(tmp);
	free(path);
	return k;
}

static void
node_add(struct node *n, const char *name, size_t namelen, struct buf *der)
{
	struct pfile *f;

	CU_ASSERT_FATAL(n->nfiles < MAX_FILES);
	if (n->files == NULL)
		n->files = calloc(MAX_FILES, sizeof(*n->files));
	CU_ASSERT_FATAL(n->files != NULL);
	f = &n->files[n->nfiles++];
	f->name = malloc(namelen + 1);
	CU_ASSERT_FATAL(f->name != NULL);
	memcpy(f->name, name, namelen);
	f->name[namelen] = '\0';
	f->namelen = namelen;
	f->der = *der;
	memset(der, 0, sizeof(*der));
}

static void
node_free(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nfiles; i++) {
		free(n->files[i].name);
		rg_buf_free(&n->files[i].der);
	}
	free(n->files);
	X509_free(n->x);
	EVP_PKEY_free(n->k);
	free(n->name);
	free(n->cert_uri);
	free(n->dir_uri);
	free(n->local);
	free(n);
}

/* Ways a crafted CA certificate departs from RFC 6487. */
enum ca_flaw {
	CA_GOOD,
	CA_NO_SIA,	/* required extension missing */
	CA_NO_AKI,
	CA_NO_CRLDP,
	CA_KU_LONG,	/* keyUsage BIT STRING of 6 bytes */
	CA_IP_EMPTY,	/* IPAddrBlocks an empty SEQUENCE, no AS */
	CA_AKI_NO_KEYID, /* authorityKeyIdentifier without keyIdentifier */
	CA_BAD_SPKI,	/* subjectPublicKey not an RSAPublicKey */
	CA_TA_PREFIXES	/* TA: BIG_TA_PREFIXES IPv4 entries */
};

static void
drop_ext(X509 *x, int nid)
{
	int loc;

	while ((loc = X509_get_ext_by_NID(x, nid, -1)) >= 0)
		X509_EXTENSION_free(X509_delete_ext(x, loc));
}

/* 10.0.0.0/8 and AS 65000-65535 for a TA, inherit below. */
static int
add_resources(X509 *x, int ta, enum ca_flaw flaw)
{
	struct range v4 = { 0x0a000000, 0x0affffff };
	struct range v6 = { 0x20010db800000000ULL, 0x20010db8ffffffffULL };
	struct range as = { AS_BASE, 65535 };
	IPAddrBlocks *blocks;
	unsigned char a[4], v6a[16];
	int i, ok;

	if (flaw == CA_IP_EMPTY) {
		blocks = sk_IPAddressFamily_new_null();
		ok = blocks != NULL && X509_add1_ext_i2d(x,
		    NID_sbgp_ipAddrBlock, blocks, 1, 0) == 1;
		sk_IPAddressFamily_free(blocks);
		return ok ? 0 : -1;
	}
	if (flaw == CA_TA_PREFIXES) {
		/* Every other /32, so nothing merges into a range. */
		if ((blocks = sk_IPAddressFamily_new_null()) == NULL)
			return -1;
		for (i = 0, ok = 1; i < BIG_TA_PREFIXES && ok; i++) {
			a[0] = 10;
			a[1] = (unsigned char)(i >> 15);
			a[2] = (unsigned char)(i >> 7);
			a[3] = (unsigned char)(i << 1);
			ok = X509v3_addr_add_prefix(blocks, 1, NULL, a, 32);
		}
		/* Room for the ROA the TA signs, were the TA accepted. */
		a[1] = (unsigned char)((AS_BASE + 1) % 256);
		a[2] = a[3] = 0;
		ok = ok && X509v3_addr_add_prefix(blocks, 1, NULL, a, 16);
		/* And IPv6, which the manifest's EE certificate inherits. */
		memset(v6a, 0, sizeof(v6a));
		v6a[0] = 0x20;
		v6a[1] = 0x01;
		v6a[2] = 0x0d;
		v6a[3] = 0xb8;
		ok = ok && X509v3_addr_add_prefix(blocks, 2, NULL, v6a, 32);
		ok = ok && X509v3_addr_canonize(blocks) &&
		    X509_add1_ext_i2d(x, NID_sbgp_ipAddrBlock, blocks, 1, 0);
		sk_IPAddressFamily_pop_free(blocks, IPAddressFamily_free);
		return ok && rg_res_add_as(x, &as, 0) == 0 ? 0 : -1;
	}
	if (!ta)
		return rg_res_add_ip_inherit(x) == 0 &&
		    rg_res_add_as(x, NULL, 1) == 0 ? 0 : -1;
	return rg_res_add_ip(x, &v4, &v6, NULL) == 0 &&
	    rg_res_add_as(x, &as, 0) == 0 ? 0 : -1;
}

/* keyUsage with bits past the end of the defined list. */
static int
add_long_ku(X509 *x)
{
	ASN1_BIT_STRING *bs;
	int ok;

	drop_ext(x, NID_key_usage);
	if ((bs = ASN1_BIT_STRING_new()) == NULL)
		return -1;
	ok = ASN1_BIT_STRING_set_bit(bs, 5, 1) &&
	    ASN1_BIT_STRING_set_bit(bs, 6, 1) &&
	    ASN1_BIT_STRING_set_bit(bs, 47, 1) &&
	    X509_add1_ext_i2d(x, NID_key_usage, bs, 1, 0);
	ASN1_BIT_STRING_free(bs);
	return ok ? 0 : -1;
}

/* An authorityKeyIdentifier that is an empty SEQUENCE. */
static int
add_empty_aki(X509 *x)
{
	AUTHORITY_KEYID *akid;
	int ok;

	drop_ext(x, NID_authority_key_identifier);
	if ((akid = AUTHORITY_KEYID_new()) == NULL)
		return -1;
	ok = X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0, 0);
	AUTHORITY_KEYID_free(akid);
	return ok == 1 ? 0 : -1;
}

/*
 * Replace the subjectPublicKey BIT STRING by a truncated RSAPublicKey,
 * with the subjectKeyIdentifier its SHA-1 hash (RFC 6487 section 4.8.2)
 * so that the key itself has to be decoded.
 */
static int
spoil_spki(X509 *x)
{
	static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01 };
	X509_PUBKEY *pk = X509_get_X509_PUBKEY(x);
	ASN1_OCTET_STRING *ski;
	unsigned char *p, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	int ok;

	if (pk == NULL || (p = OPENSSL_memdup(junk, sizeof(junk))) == NULL)
		return -1;
	if (!X509_PUBKEY_set0_param(pk, OBJ_nid2obj(NID_rsaEncryption),
	    V_ASN1_NULL, NULL, p, (int)sizeof(junk))) {
		OPENSSL_free(p);
		return -1;
	}
	if (!EVP_Digest(junk, sizeof(junk), md, &mdlen, EVP_sha1(), NULL) ||
	    (ski = ASN1_OCTET_STRING_new()) == NULL)
		return -1;
	drop_ext(x, NID_subject_key_identifier);
	ok = ASN1_OCTET_STRING_set(ski, md, (int)mdlen) &&
	    X509_add1_ext_i2d(x, NID_subject_key_identifier, ski, 0, 0) == 1;
	ASN1_OCTET_STRING_free(ski);
	return ok ? 0 : -1;
}

/*
 * The key of a crafted CA slot: our own keys first, then the EE pool
 * (distinct from every CA key of the generated tree); past both, slots
 * wrap round and the keys repeat.
 */
static EVP_PKEY *
ca_key(int slot)
{
	slot %= CA_SLOTS + EE_SLOTS;
	return slot < CA_SLOTS ? load_key("hostile", slot) :
	    load_key("ee", slot - CA_SLOTS);
}

/*
 * A CA certificate for key k, issued by parent (NULL: self-signed TA),
 * publishing at dir_uri with RRDP at notify.
 */
static X509 *
ca_cert(struct node *parent, EVP_PKEY *k, const char *cn,
    const char *dir_uri, const char *notify, enum ca_flaw flaw)
{
	struct cert_args a;
	char *mft = tu_asprintf("%s%s.mft", dir_uri, cn), *crldp = NULL;
	time_t now = time(NULL);
	X509 *x;

	memset(&a, 0, sizeof(a));
	a.subject_key = k;
	a.issuer_key = parent != NULL ? parent->k : k;
	a.issuer = parent != NULL ? parent->x : NULL;
	a.cn = cn;
	a.serial = (uint64_t)fx.serial++;
	a.not_before = now - CRAFT_BEFORE;
	a.not_after = now + CRAFT_LIFE;
	a.is_ca = 1;
	if (parent != NULL) {
		crldp = tu_asprintf("%s%s.crl", parent->dir_uri, parent->name);
		a.crldp = crldp;
		a.aia = parent->cert_uri;
	}
	a.sia_repo = dir_uri;
	a.sia_mft = mft;
	a.sia_notify = notify;
	x = rg_cert_build(&a);
	CU_ASSERT_FATAL(x != NULL);
	if (flaw == CA_NO_SIA)
		drop_ext(x, NID_sinfo_access);
	if (flaw == CA_NO_AKI)
		drop_ext(x, NID_authority_key_identifier);
	if (flaw == CA_NO_CRLDP)
		drop_ext(x, NID_crl_distribution_points);
	if (flaw == CA_KU_LONG)
		CU_ASSERT_FATAL(add_long_ku(x) == 0);
	if (flaw == CA_AKI_NO_KEYID)
		CU_ASSERT_FATAL(add_empty_aki(x) == 0);
	if (flaw == CA_BAD_SPKI)
		CU_ASSERT_FATAL(spoil_spki(x) == 0);
	CU_ASSERT_FATAL(add_resources(x, parent == NULL, flaw) == 0);
	CU_ASSERT_FATAL(rg_cert_sign(x, a.issuer_key) == 0);
	free(mft);
	free(crldp);
	return x;
}

static char *
notify_none(const char *cn)
{
	/* A 404 from nginx: the CA is fetched by rsync. */
	return tu_asprintf("https://localhost:%d/rrdp/none-%s/"
	    "notification.xml", fx.vu.hport, cn);
}

/*
 * A crafted TA named name (the TAL name and the rsync module) in tree
 * gendir, its TAL written to tals.  Returns the node (node_free()).
 */
static struct node *
craft_ta(const char *gendir, const char *tals, const char *name, int slot,
    enum ca_flaw flaw)
{
	struct node *n = calloc(1, sizeof(*n));
	struct buf der = { 0 };
	char *path, *tal, *b64, *notify;
	unsigned char *spki = NULL;
	int len;

	CU_ASSERT_FATAL(n != NULL);
	n->k = ca_key(slot);
	n->name = tu_asprintf("%s", name);
	n->cert_uri = tu_asprintf("rsync://localhost:%d/ta/%s.cer", fx.vu.rport,
	    name);
	n->dir_uri = tu_asprintf("rsync://localhost:%d/%s/ta/", fx.vu.rport,
	    name);
	n->local = tu_asprintf("%s/rsync/%s/ta", gendir, name);
	notify = notify_none(name);
	n->x = ca_cert(NULL, n->k, name, n->dir_uri, notify, flaw);
	CU_ASSERT_FATAL(rg_cert_der(n->x, &der) == 0);
	path = tu_asprintf("%s/rsync/ta/%s.cer", gendir, name);
	CU_ASSERT_FATAL(rg_write_file(path, der.p, der.len) == 0);

	len = i2d_PUBKEY(n->k, &spki);
	CU_ASSERT_FATAL(len > 0);
	b64 = rg_b64_encode(spki, (size_t)len);
	tal = tu_asprintf("https://localhost:%d/ta/%s.cer\n%s\n\n%s\n",
	    fx.vu.hport, name, n->cert_uri, b64);
	free(path);
	path = tu_asprintf("%s/%s.tal", tals, name);
	CU_ASSERT_FATAL(tu_write_file(path, tal, strlen(tal)) == 0);
	OPENSSL_free(spki);
	free(b64);
	free(tal);
	free(path);
	free(notify);
	rg_buf_free(&der);
	return n;
}

/*
 * A child CA of parent named cn: its certificate goes into the parent's
 * publication point.  dir_uri NULL: parent's module/cn/; notify NULL: a
 * 404.  local NULL: served from gendir/rsync/<module>/cn.
 */
static struct node *
craft_ca(struct node *parent, const char *gendir, const char *cn, int slot,
    const char *dir_uri, const char *notify, enum ca_flaw flaw)
{
	struct node *n = calloc(1, sizeof(*n));
	struct buf der = { 0 };
	char *file, *nn = NULL, *mod, *slash;

	CU_ASSERT_FATAL(n != NULL);
	n->k = ca_key(slot);
	n->name = tu_asprintf("%s", cn);
	n->cert_uri = tu_asprintf("%s%s.cer", parent->dir_uri, cn);
	/* parent->dir_uri: rsync://host/module/... */
	mod = tu_asprintf("%s", parent->dir_uri + strlen("rsync://"));
	slash = strchr(mod, '/');
	*strchr(slash + 1, '/') = '\0';
	n->dir_uri = dir_uri != NULL ? tu_asprintf("%s", dir_uri) :
	    tu_asprintf("rsync://%s/%s/", mod, cn);
	n->local = tu_asprintf("%s/rsync/%s/%s", gendir, slash + 1, cn);
	if (notify == NULL)
		notify = nn = notify_none(cn);
	n->x = ca_cert(parent, n->k, cn, n->dir_uri, notify, flaw);
	CU_ASSERT_FATAL(rg_cert_der(n->x, &der) == 0);
	file = tu_asprintf("%s.cer", cn);
	node_add(parent, file, strlen(file), &der);
	free(file);
	free(nn);
	free(mod);
	return n;
}

/* An EE certificate of n for the object file, resources inherit or pfx. */
static X509 *
ee_cert(struct node *n, EVP_PKEY *ek, const char *file,
    const struct pfx *pfx)
{
	struct cert_args a;
	char *crldp = tu_asprintf("%s%s.crl", n->dir_uri, n->name);
	char *obj = tu_asprintf("%s%s", n->dir_uri, file);
	time_t now = time(NULL);
	X509 *x;

	memset(&a, 0, sizeof(a));
	a.subject_key = ek;
	a.issuer_key = n->k;
	a.issuer = n->x;
	a.cn = "ee";
	a.serial = (uint64_t)fx.serial++;
	a.not_before = now - CRAFT_BEFORE;
	a.not_after = now + CRAFT_LIFE;
	a.crldp = crldp;
	a.aia = n->cert_uri;
	a.sia_object = obj;
	x = rg_cert_build(&a);
	CU_ASSERT_FATAL(x != NULL);
	if (pfx != NULL) {
		CU_ASSERT_FATAL(rg_res_add_ip_pfx(x, pfx, 1) == 0);
	} else {
		CU_ASSERT_FATAL(rg_res_add_ip_inherit(x) == 0);
		CU_ASSERT_FATAL(rg_res_add_as(x, NULL, 1) == 0);
	}
	CU_ASSERT_FATAL(rg_cert_sign(x, n->k) == 0);
	free(crldp);
	free(obj);
	return x;
}

/*
 * Sign econtent as oid with a new EE certificate of n, encoded as form;
 * the object into out.
 */
static void
sign_object(struct node *n, const char *file, const char *oid,
    const struct buf *econtent, const struct pfx *pfx,
    enum rg_cms_form form, struct buf *out)
{
	EVP_PKEY *ek = load_key("hostile", EE_KEY_SLOT);
	struct cms_args c;

	memset(&c, 0, sizeof(c));
	c.econtent_oid = oid;
	c.econtent = econtent->p != NULL ? econtent->p :
	    (const uint8_t *)"";
	c.econtent_len = econtent->len;
	c.ee = ee_cert(n, ek, file, pfx);
	c.ee_key = ek;
	c.signing_time = time(NULL) - CRAFT_BEFORE;
	c.form = form;
	CU_ASSERT_FATAL(rg_cms_sign(&c, out) == 0);
	X509_free(c.ee);
	EVP_PKEY_free(ek);
}

/*
 * Ways a crafted ROA departs from RFC 9582 (its eContent) or RFC 6488
 * (its CMS wrapping: the good eContent, signed as sent, encoded badly).
 */
enum roa_flaw {
	ROA_GOOD,
	ROA_EMPTY_BLOCKS,	/* ipAddrBlocks SEQUENCE {} */
	ROA_EMPTY_ADDRS,	/* a family with no addresses */
	ROA_LONG_BITS,		/* a 40-bit IPv4 prefix */
	ROA_NO_ECONTENT,	/* eContent of zero length */
	ROA_ATTRS_UNSORTED,	/* signedAttrs SET OF out of DER order */
	ROA_ATTRS_INDEFINITE,	/* signedAttrs in indefinite length */
	ROA_ATTRS_EMPTY,	/* signedAttrs SET {} */
	ROA_ECONTENT_ABSENT,	/* encapContentInfo without eContent */
	ROA_NO_CERTS		/* SignedData without certificates */
};

/* The CMS encoding of a ROA with flaw f. */
static enum rg_cms_form
roa_form(enum roa_flaw f)
{
	switch (f) {
	case ROA_ATTRS_UNSORTED:
		return RG_CMS_ATTRS_UNSORTED;
	case ROA_ATTRS_INDEFINITE:
		return RG_CMS_ATTRS_INDEFINITE;
	case ROA_ATTRS_EMPTY:
		return RG_CMS_ATTRS_EMPTY;
	case ROA_ECONTENT_ABSENT:
		return RG_CMS_NO_ECONTENT;
	case ROA_NO_CERTS:
		return RG_CMS_NO_CERTS;
	default:
		return RG_CMS_DER;
	}
}

/* 10.<asid % 256>.<b>.0/24 for a ROA of asid. */
static void
roa_pfx(uint32_t asid, int b, struct pfx *p)
{
	memset(p, 0, sizeof(*p));
	p->afi = 1;
	p->len = p->maxlen = 24;
	p->addr = 0x0a000000ULL | (uint64_t)(asid % 256) << 16 |
	    (uint64_t)b << 8;
}

/* "AS<asid>,10.x.y.0/24,24,ta" as vrps.csv shows the ROA. */
static char *
roa_vrp(uint32_t asid, const char *ta)
{
	return tu_asprintf("AS%u,10.%u.%u.0/24,24,%s", asid, asid % 256,
	    (unsigned)(asid % 7), ta);
}

static void
craft_roa(struct node *n, uint32_t asid, enum roa_flaw flaw)
{
	struct buf ec = { 0 }, seq = { 0 }, fam = { 0 }, addrs = { 0 };
	struct buf one = { 0 }, blocks = { 0 }, out = { 0 };
	static const uint8_t af[2] = { 0, 1 };
	static const uint8_t bits40[6] = { 0, 10, 1, 2, 3, 4 };
	struct roa_spec r;
	struct pfx p;
	char *file = tu_asprintf("%u.roa", asid);

	roa_pfx(asid, (int)(asid % 7), &p);
	memset(&r, 0, sizeof(r));
	r.asid = asid;
	r.npfx = 1;
	r.pfx[0] = p;
	switch (flaw) {
	case ROA_NO_ECONTENT:
		break;
	case ROA_EMPTY_BLOCKS:
	case ROA_EMPTY_ADDRS:
	case ROA_LONG_BITS:
		rg_der_uint(&seq, asid);
		if (flaw == ROA_LONG_BITS) {
			rg_der_tlv(&one, 0x03, bits40, sizeof(bits40));
			rg_der_wrap(&addrs, 0x30, &one);
		}
		if (flaw != ROA_EMPTY_BLOCKS) {
			rg_der_tlv(&fam, 0x04, af, sizeof(af));
			rg_der_wrap(&fam, 0x30, &addrs);
			rg_der_wrap(&blocks, 0x30, &fam);
		}
		rg_der_wrap(&seq, 0x30, &blocks);
		rg_der_wrap(&ec, 0x30, &seq);
		break;
	default:
		rg_roa_econtent(&r, &ec);
		break;
	}
	sign_object(n, file, OID_CT_ROA, &ec, &p, roa_form(flaw), &out);
	node_add(n, file, strlen(file), &out);
	rg_buf_free(&ec);
	rg_buf_free(&seq);
	rg_buf_free(&fam);
	rg_buf_free(&addrs);
	rg_buf_free(&one);
	rg_buf_free(&blocks);
	free(file);
}

/*
 * Move n's last file to stash (no manifest lists it) and leave in its
 * place a symbolic link to it; the manifest hash stays the file's.
 */
static void
make_link(struct node *n, const char *stash)
{
	struct pfile *f = &n->files[n->nfiles - 1];

	CU_ASSERT_FATAL(rg_write_file(stash, f->der.p, f->der.len) == 0);
	rg_buf_free(&f->der);
	rg_buf_add(&f->der, stash, strlen(stash) + 1);
	f->symlink = 1;
}

/*
 * The manifest eContent of RFC 9286 for n's files plus its CRL; written
 * here rather than by rg_mft_econtent() so a name may hold any byte.
 */
static void
mft_econtent(struct node *n, const struct buf *crl, const char *crlname,
    struct buf *out)
{
	struct buf seq = { 0 }, list = { 0 }, fah, hb;
	uint8_t h[33];
	time_t now = time(NULL);
	size_t i;

	rg_der_uint(&seq, (uint64_t)now);	/* manifestNumber */
	rg_der_gtime(&seq, now - CRAFT_BEFORE);
	rg_der_gtime(&seq, now + CRAFT_LIFE);
	rg_der_oid(&seq, OID_SHA256);
	/* RFC 9286 section 4.2: fileList is SEQUENCE SIZE (0..MAX). */
	for (i = 0; !n->mft_empty && i <= n->nfiles; i++) {
		memset(&fah, 0, sizeof(fah));
		memset(&hb, 0, sizeof(hb));
		h[0] = 0;
		if (i == n->nfiles) {
			rg_der_tlv(&fah, 0x16, (const uint8_t *)crlname,
			    strlen(crlname));
			rg_sha256(crl->p, crl->len, h + 1);
		} else {
			rg_der_tlv(&fah, 0x16, (const uint8_t *)n->files[i].name,
			    n->files[i].namelen);
			if (n->files[i].symlink) {
				/* The hash of what the link points to. */
				unsigned char *t;
				size_t tl;

				t = tu_read_file((char *)n->files[i].der.p,
				    &tl);
				CU_ASSERT_FATAL(t != NULL);
				rg_sha256(t, tl, h + 1);
				free(t);
			} else
				rg_sha256(n->files[i].der.p,
				    n->files[i].der.len, h + 1);
		}
		rg_der_tlv(&fah, 0x03, h, sizeof(h));
		rg_der_wrap(&list, 0x30, &fah);
	}
	rg_der_wrap(&seq, 0x30, &list);
	rg_der_wrap(out, 0x30, &seq);
}

/* Write n's publication point: its files, CRL and manifest. */
static void
publish(struct node *n)
{
	struct buf crl = { 0 }, ec = { 0 }, mft = { 0 };
	char *crlname = tu_asprintf("%s.crl", n->name);
	char *mftname = tu_asprintf("%s.mft", n->name), *path;
	time_t now = time(NULL);
	size_t i;

	CU_ASSERT_FATAL(rg_mkdir_p(n->local) == 0);
	CU_ASSERT_FATAL(rg_crl_build(n->x, n->k, now - CRAFT_BEFORE,
	    now + CRAFT_LIFE, 1, NULL, 0, 0, &crl) == 0);
	mft_econtent(n, &crl, crlname, &ec);
	sign_object(n, mftname, OID_CT_MFT, &ec, NULL, n->mft_form, &mft);
	for (i = 0; i < n->nfiles; i++) {
		/* A name with a NUL cannot be a file: the manifest lies. */
		if (strlen(n->files[i].name) != n->files[i].namelen)
			continue;
		path = tu_asprintf("%s/%s", n->local, n->files[i].name);
		if (n->files[i].symlink) {
			CU_ASSERT_FATAL(symlink((char *)n->files[i].der.p,
			    path) == 0);
		} else {
			CU_ASSERT_FATAL(rg_write_file(path, n->files[i].der.p,
			    n->files[i].der.len) == 0);
		}
		free(path);
	}
	path = tu_asprintf("%s/%s", n->local, crlname);
	CU_ASSERT_FATAL(rg_write_file(path, crl.p, crl.len) == 0);
	free(path);
	path = tu_asprintf("%s/%s", n->local, mftname);
	CU_ASSERT_FATAL(rg_write_file(path, mft.p, mft.len) == 0);
	free(path);
	rg_buf_free(&crl);
	rg_buf_free(&ec);
	rg_buf_free(&mft);
	free(crlname);
	free(mftname);
}

/* Publish and free. */
static void
finish(struct node *n)
{
	publish(n);
	node_free(n);
}

static int
setup_or_skip(void)
{
	return setup() == 1;
}

/* Generation g's expected VRPs. */
static void
expected_gen(int g, struct vu_lines *l)
{
	char *dir = tu_asprintf("%s/gen%d", fx.vu.repo, g);

	expected(dir, l);
	free(dir);
}

/* Does the crafted ROA of asid show up under TA ta? */
static int
has_roa(const struct run *r, uint32_t asid, const char *ta)
{
	char *v = roa_vrp(asid, ta);
	int has = vu_lines_has(&r->evil, v);

	free(v);
	return has;
}

/* ---- the tests -------------------------------------------------------- */

/*
 * 1. Malformed ASN.1 in each object type, signed so that it reaches the
 * parsers.  ROAs: an empty ipAddrBlocks, a family without addresses, a
 * 40-bit IPv4 prefix, an empty eContent; and, around a good eContent,
 * signed attributes that are BER (a SET OF out of DER order, an
 * indefinite length) or an empty SET, no eContent at all, no
 * certificates (FORT CVE-2024-45234, -45236, -45239).  CA certificates:
 * without SIA, AKI or CRL distribution point, an oversized keyUsage, an
 * empty IP resources SET, an AKI without keyIdentifier, a
 * subjectPublicKey that is no RSA key (FORT CVE-2024-45235, -45237,
 * -45238).  Manifests: naming files with a NUL, non-ASCII bytes or "../",
 * with BER signed attributes, without eContent, with an empty fileList
 * (FORT CVE-2024-56375).  A TA certificate without SIA.  Each is refused
 * (the CMS ones for the RFC 6488 rule they break, as logged), the good
 * ROA next to them is kept, and the generated TAs are untouched.
 */

/*
 * A ROA flaw, and what reef must say about the file: one of the
 * '|'-separated reasons, or NULL for no check.
 */
struct roa_case {
	enum roa_flaw	 flaw;
	const char	*why;
};

/* A manifest flaw of a CA with one good ROA, and reef's reason. */
struct mft_case {
	const char	*cn;
	enum rg_cms_form form;
	int		 empty;
	const char	*why;
};

static const struct roa_case asn1_roas[] = {
	{ ROA_EMPTY_BLOCKS, NULL },
	{ ROA_EMPTY_ADDRS, NULL },
	{ ROA_LONG_BITS, NULL },
	{ ROA_NO_ECONTENT, NULL },
	{ ROA_ATTRS_UNSORTED, "RFC 6488 section 2.1.6.4: signedAttrs" },
	/* The DER check of the whole file may see it first. */
	{ ROA_ATTRS_INDEFINITE, "RFC 6488 section 3: indefinite length|"
	    "RFC 6488 section 2.1.6.4: signedAttrs" },
	{ ROA_ATTRS_EMPTY, "RFC 6488 section 2.1.6.4: " },
	{ ROA_ECONTENT_ABSENT, "RFC 6488 section 2.1.3.2: eContent absent" },
	{ ROA_NO_CERTS, "RFC 6488 section 2.1.4: " },
};

/* A CA certificate flaw, and the rule reef must cite (as for ROAs). */
struct ca_case {
	enum ca_flaw	 flaw;
	const char	*why;
};

static const struct ca_case asn1_cas[] = {
	{ CA_NO_SIA, "RFC 6487 section 4.8.8" },
	{ CA_NO_AKI, "RFC 6487 section 4.8.3" },
	{ CA_NO_CRLDP, "RFC 6487 section 4.8.6" },
	{ CA_KU_LONG, "RFC 6487 section 4.8.4" },
	{ CA_IP_EMPTY, "RFC 6487 section 4.8.10|RFC 3779" },
	{ CA_AKI_NO_KEYID, "RFC 6487 section 4.8.3" },
	{ CA_BAD_SPKI, "RFC 6487 section 4.7|RFC 7935" },
};

static const struct mft_case asn1_mfts[] = {
	{ "mftunsorted", RG_CMS_ATTRS_UNSORTED, 0, "RFC 6488 section "
	    "2.1.6.4: signedAttrs" },
	{ "mftnoecontent", RG_CMS_NO_ECONTENT, 0, "RFC 6488 section "
	    "2.1.3.2: eContent absent" },
	/* An empty fileList cannot list the CRL (RFC 9286 section 6.4). */
	{ "mftempty", RG_CMS_DER, 1, "RFC 9286 section 6" },
};

/* AS numbers of the asn1 cases; each range fits its table. */
#define AS_ASN1_ROA		(AS_BASE + 10)
#define AS_ASN1_CA		(AS_BASE + 20)
#define AS_ASN1_NAME		(AS_BASE + 30)
#define AS_ASN1_MFT		(AS_BASE + 40)
/* ROAs of the named-file cases: nul, utf, dotdot and its "../up.roa". */
#define ASN1_NAME_ROAS		4
/* Key slots of the asn1 CAs (a slot is a key, hence an SKI). */
#define SLOT_ASN1_CA		1
#define SLOT_ASN1_NAME		(SLOT_ASN1_CA + (int)NELEM(asn1_cas))
#define SLOT_ASN1_MFT		(SLOT_ASN1_NAME + 3)
#define SLOT_ASN1_NOSIA		(SLOT_ASN1_MFT + (int)NELEM(asn1_mfts))

/* Does the log of r say "uri: why" for one of the '|'-separated whys? */
static int
logged(const struct run *r, const char *uri, const char *whys)
{
	const char *p = whys, *bar;
	char *line;
	int has = 0;

	while (!has && *p != '\0') {
		bar = strchr(p, '|');
		line = tu_asprintf("%s: %.*s", uri, bar != NULL ?
		    (int)(bar - p) : (int)strlen(p), p);
		has = vu_file_has(r->log, line);
		free(line);
		p = bar != NULL ? bar + 1 : p + strlen(p);
	}
	if (!has)
		printf("\n    not logged: %s: %s", uri, whys);
	return has;
}

/* A child of ta holding one good ROA and a junk file named name. */
static void
craft_named(struct node *ta, const char *g, const char *cn, int slot,
    uint32_t asid, const char *name, size_t namelen)
{
	struct node *ca = craft_ca(ta, g, cn, slot, NULL, NULL, CA_GOOD);
	struct buf b = { 0 };

	craft_roa(ca, asid, ROA_GOOD);
	rg_buf_add(&b, "junk", 4);
	node_add(ca, name, namelen, &b);
	finish(ca);
}

/*
 * A child of ta holding a good ROA (asid) and, as "../up.roa", a good ROA
 * of asid + 1 that lands in the module's root, outside the point.
 */
static void
craft_dotdot(struct node *ta, const char *g, int slot, uint32_t asid)
{
	struct node *ca = craft_ca(ta, g, "dotdot", slot, NULL, NULL,
	    CA_GOOD);
	struct pfile *f;

	craft_roa(ca, asid, ROA_GOOD);
	craft_roa(ca, asid + 1, ROA_GOOD);
	f = &ca->files[ca->nfiles - 1];
	free(f->name);
	f->name = tu_asprintf("../up.roa");
	f->namelen = strlen(f->name);
	finish(ca);
}

static void
test_hostile_asn1(void)
{
	struct node *ta, *ca;
	struct vu_lines want;
	struct run r;
	char *g, *tals, *cache, *uri, cn[32];
	size_t i;

	if (!setup_or_skip())
		return;
	memset(&want, 0, sizeof(want));
	expected_gen(1, &want);
	g = variant(1, "asn1");
	tals = taldir("asn1");
	ta = craft_ta(g, tals, "evil", 0, CA_GOOD);
	/* The good ROA, and each malformed one, in the TA's own point. */
	craft_roa(ta, AS_BASE + 1, ROA_GOOD);
	for (i = 0; i < NELEM(asn1_roas); i++)
		craft_roa(ta, AS_ASN1_ROA + (uint32_t)i, asn1_roas[i].flaw);
	/* Flawed CA certificates, each with a good ROA below. */
	for (i = 0; i < NELEM(asn1_cas); i++) {
		snprintf(cn, sizeof(cn), "flaw%zu", i);
		ca = craft_ca(ta, g, cn, SLOT_ASN1_CA + (int)i, NULL, NULL,
		    asn1_cas[i].flaw);
		craft_roa(ca, AS_ASN1_CA + (uint32_t)i, ROA_GOOD);
		finish(ca);
	}
	/* Manifests naming a file with a NUL, non-ASCII bytes, "../". */
	craft_named(ta, g, "nul", SLOT_ASN1_NAME, AS_ASN1_NAME, "a\0b.roa", 7);
	craft_named(ta, g, "utf", SLOT_ASN1_NAME + 1, AS_ASN1_NAME + 1,
	    "\xc3\xa9t\xc3\xa9.roa", 10);
	craft_dotdot(ta, g, SLOT_ASN1_NAME + 2, AS_ASN1_NAME + 2);
	/* Manifests that are malformed signed objects. */
	for (i = 0; i < NELEM(asn1_mfts); i++) {
		ca = craft_ca(ta, g, asn1_mfts[i].cn, SLOT_ASN1_MFT + (int)i,
		    NULL, NULL, CA_GOOD);
		craft_roa(ca, AS_ASN1_MFT + (uint32_t)i, ROA_GOOD);
		ca->mft_form = asn1_mfts[i].form;
		ca->mft_empty = asn1_mfts[i].empty;
		finish(ca);
	}
	finish(ta);
	/* A second TA whose certificate lacks its SIA. */
	node_free(craft_ta(g, tals, "evilnosia", SLOT_ASN1_NOSIA, CA_NO_SIA));

	vu_switch(&fx.vu, g);
	cache = cache_dir("asn1");
	reef_run(tals, cache, &r);
	if (run_ok("asn1", &r, &want)) {
		CU_ASSERT(has_roa(&r, AS_BASE + 1, "evil"));
		for (i = 0; i < NELEM(asn1_roas); i++) {
			CU_ASSERT(!has_roa(&r, AS_ASN1_ROA + (uint32_t)i,
			    "evil"));
			if (asn1_roas[i].why == NULL)
				continue;
			uri = tu_asprintf("rsync://localhost:%d/evil/ta/%u.roa",
			    fx.vu.rport, AS_ASN1_ROA + (unsigned)i);
			CU_ASSERT(logged(&r, uri, asn1_roas[i].why));
			free(uri);
		}
		for (i = 0; i < NELEM(asn1_cas); i++) {
			if (has_roa(&r, AS_ASN1_CA + (uint32_t)i, "evil")) {
				printf("\n    CA flaw %zu accepted", i);
				CU_FAIL("flawed CA certificate accepted");
			}
			uri = tu_asprintf("rsync://localhost:%d/evil/ta/"
			    "flaw%zu.cer", fx.vu.rport, i);
			CU_ASSERT(logged(&r, uri, asn1_cas[i].why));
			free(uri);
		}
		/* A manifest that lies about its names fails as a whole. */
		for (i = 0; i < ASN1_NAME_ROAS; i++)
			CU_ASSERT(!has_roa(&r, AS_ASN1_NAME + (uint32_t)i,
			    "evil"));
		for (i = 0; i < NELEM(asn1_mfts); i++) {
			CU_ASSERT(!has_roa(&r, AS_ASN1_MFT + (uint32_t)i,
			    "evil"));
			uri = tu_asprintf("rsync://localhost:%d/evil/%s/%s.mft",
			    fx.vu.rport, asn1_mfts[i].cn, asn1_mfts[i].cn);
			CU_ASSERT(logged(&r, uri, asn1_mfts[i].why));
			free(uri);
		}
		CU_ASSERT(r.evil.n == 1);
	}
	run_free(&r);
	vu_lines_free(&want);
	free(cache);
	free(tals);
	free(g);
}

/*
 * 2. RRDP abuse in repo0's snapshot: entity expansion, an external
 * entity, bad base64, a publish URI in another repository, a duplicate
 * publish, a wrong hash.  With rsync still there the payloads are all
 * complete (rsync fallback, and repo1 is untouched); without it, repo0's
 * payloads are simply absent: nothing of the hostile snapshot is used.
 */
static void
test_hostile_rrdp(void)
{
	static const char *const modes[] = { "laughs", "xxe", "badb64",
	    "cross", "dup", "wronghash" };
	struct vu_lines full, without;
	struct run r;
	char *g, *tals, *cache, *ed, *victim = NULL, *vfile = NULL, *what;
	char *cached, *state;
	size_t i;
	int norsync;

	if (!setup_or_skip())
		return;
	memset(&full, 0, sizeof(full));
	memset(&without, 0, sizeof(without));
	expected_gen(1, &full);
	tals = tu_asprintf("%s/tals", fx.vu.repo);
	ed = tu_asprintf("%s/tests/integration/hostile/rrdp_edit.py",
	    tu_srcdir());

	/* repo0 gone entirely: what the others give on their own. */
	g = variant(1, "norepo0");
	tu_system("rm -rf '%s/rsync/%s' '%s/rrdp/%s'", g, HOSTILE_MOD, g,
	    HOSTILE_MOD);
	vu_switch(&fx.vu, g);
	cache = cache_dir("norepo0");
	reef_run(tals, cache, &r);
	CU_ASSERT_FATAL(WRITTEN(r.status));
	for (i = 0; i < r.main.n; i++)
		vu_lines_add(&without, tu_asprintf("%s", r.main.v[i]));
	/* repo0 does matter, and losing it loses nothing else. */
	CU_ASSERT(without.n > 0 && without.n < full.n);
	for (i = 0; i < without.n; i++)
		CU_ASSERT(vu_lines_has(&full, without.v[i]));
	run_free(&r);
	free(cache);
	free(g);

	/* A file of repo1 for the cross-repository publish. */
	CU_ASSERT_FATAL(tu_system("cd '%s/gen1/rsync' && find %s -name "
	    "'*.roa' | LC_ALL=C sort | head -n 1 >'%s/victim'", fx.vu.repo,
	    VICTIM_MOD, fx.vu.dir) == 0);
	state = tu_asprintf("%s/victim", fx.vu.dir);
	victim = (char *)tu_read_file(state, NULL);
	free(state);
	CU_ASSERT_FATAL(victim != NULL && strchr(victim, '\n') != NULL);
	*strchr(victim, '\n') = '\0';
	vfile = tu_asprintf("rsync://localhost:%d/%s", fx.vu.rport, victim);

	for (norsync = 0; norsync <= 1; norsync++)
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			what = tu_asprintf("rrdp-%s%s", modes[i],
			    norsync ? "-norsync" : "");
			g = variant(1, what);
			CU_ASSERT_EQUAL_FATAL(tu_system("python3 '%s' %s '%s' "
			    "%s '%s'", ed, modes[i], g, HOSTILE_MOD, vfile),
			    0);
			if (norsync)
				tu_system("rm -rf '%s/rsync/%s'", g,
				    HOSTILE_MOD);
			vu_switch(&fx.vu, g);
			cache = cache_dir(what);
			reef_run(tals, cache, &r);
			run_ok(what, &r, norsync ? &without : &full);
			/* The snapshot was refused, not half applied. */
			state = tu_asprintf("%s/rsync/localhost:%d/%s/"
			    ".reef-state", cache, fx.vu.rport, HOSTILE_MOD);
			if (!norsync &&
			    !vu_file_has(state, "\nproto rsync\n")) {
				printf("\n    %s: %s not from rsync", what,
				    HOSTILE_MOD);
				CU_FAIL("hostile snapshot used");
			}
			cached = tu_asprintf("%s/rsync/localhost:%d/%s", cache,
			    fx.vu.rport, victim);
			if (strcmp(modes[i], "cross") == 0) {
				char *orig = tu_asprintf("%s/gen1/rsync/%s",
				    fx.vu.repo, victim);
				unsigned char *a, *b;
				size_t al, bl;

				a = tu_read_file(orig, &al);
				b = tu_read_file(cached, &bl);
				CU_ASSERT(a != NULL && b != NULL && al == bl &&
				    memcmp(a, b, al) == 0);
				free(a);
				free(b);
				free(orig);
			}
			free(cached);
			free(state);
			run_free(&r);
			free(cache);
			free(g);
			free(what);
		}
	free(victim);
	free(vfile);
	free(ed);
	free(tals);
	vu_lines_free(&full);
	vu_lines_free(&without);
}

/*
 * 3. HTTP abuse: CAs whose rpkiNotify is a server that drips, never ends
 * its body, sends a gzip bomb, redirects in a loop or away to another
 * origin, or never answers.  The run ends within its deadline and every
 * such CA is still fetched by rsync.
 */
static void
test_hostile_http(void)
{
	static const char *const paths[] = { "drip", "endless", "bomb",
	    "loop", "away", "silent" };
	struct node *ta, *ca;
	struct vu_lines want;
	struct run r;
	char *g, *tals, *cache, *notify, cn[32];
	size_t i;

	if (!setup_or_skip())
		return;
	memset(&want, 0, sizeof(want));
	expected_gen(1, &want);
	g = variant(1, "http");
	tals = taldir("http");
	ta = craft_ta(g, tals, "evil", 0, CA_GOOD);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(cn, sizeof(cn), "http-%s", paths[i]);
		notify = tu_asprintf("https://localhost:%d/%s",
		    fx.httpd_port, paths[i]);
		ca = craft_ca(ta, g, cn, 1 + (int)i, NULL, notify, CA_GOOD);
		craft_roa(ca, AS_BASE + 40 + (uint32_t)i, ROA_GOOD);
		finish(ca);
		free(notify);
	}
	finish(ta);
	vu_switch(&fx.vu, g);
	cache = cache_dir("http");
	reef_run(tals, cache, &r);
	if (run_ok("http", &r, &want))
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			if (!has_roa(&r, AS_BASE + 40 + (uint32_t)i, "evil")) {
				printf("\n    %s: no rsync fallback", paths[i]);
				CU_FAIL("CA lost to a hostile HTTP server");
			}
	run_free(&r);
	vu_lines_free(&want);
	free(cache);
	free(tals);
	free(g);
}

/*
 * Is there a symbolic link in the cache leading out of it, or anything
 * below root besides
 * root/a/b/cache (a URI climbing out of the cache would land there)?
 */
static int
escaped(const char *root, const char *cache)
{
	int links, extra;

	/* The cache links within itself (current copies, the store). */
	links = tu_system("find '%s' -type l | while read -r l; do "
	    "case $(readlink -f \"$l\") in '%s'/*) ;; *) echo \"$l\" ;; esac; "
	    "done | grep -q . && exit 1 || exit 0", cache, cache);
	extra = tu_system("[ -z \"$(find '%s' -mindepth 1 ! -path '%s/a' "
	    "! -path '%s/a/b' ! -path '%s' ! -path '%s/*' | head -n 1)\" ]",
	    root, root, root, cache, cache);
	if (links != 0)
		printf("\n    symbolic link out of %s", cache);
	if (extra != 0)
		printf("\n    something beside the cache in %s", root);
	return links != 0 || extra != 0;
}

/*
 * 4. rsync abuse: a repository server that drips its greeting, one that
 * floods a message of the day, symbolic links in a publication point,
 * and repository URIs that climb out through the host, the module or
 * the path.  The run ends within its deadline, nothing lands outside the
 * cache, no link is followed, the generated TAs are untouched.
 */
static void
test_hostile_rsync(void)
{
	struct node *ta, *ca;
	struct vu_lines want;
	struct run r;
	char *g, *tals, *root, *cache, *uri, *target;
	/* Each URI is split around the port number it needs. */
	static const struct { const char *pre, *post; } trav[] = {
		{ "rsync://localhost:", "/evil/../" HOSTILE_MOD "/" },
		{ "rsync://localhost:", "/../evil/up/" },
		{ "rsync://localhost:", "/evil/a/../../../../../tmp/" },
		{ "rsync://localhost:", "/evil/%2e%2e/%2e%2e/" },
		{ "rsync://../evil/x", "/" },
		{ "rsync://localhost:", "/./evil/" },
	};
	size_t i;

	if (!setup_or_skip())
		return;
	memset(&want, 0, sizeof(want));
	expected_gen(1, &want);
	g = variant(1, "rsync");
	tals = taldir("rsync");
	ta = craft_ta(g, tals, "evil", 0, CA_GOOD);
	uri = tu_asprintf("rsync://localhost:%d/mod/", fx.drip_port);
	ca = craft_ca(ta, g, "drip", 1, uri, NULL, CA_GOOD);
	finish(ca);
	free(uri);
	uri = tu_asprintf("rsync://localhost:%d/mod/", fx.flood_port);
	ca = craft_ca(ta, g, "flood", 2, uri, NULL, CA_GOOD);
	finish(ca);
	free(uri);
	for (i = 0; i < sizeof(trav) / sizeof(trav[0]); i++) {
		char cn[16];

		snprintf(cn, sizeof(cn), "trav%zu", i);
		uri = tu_asprintf("%s%d%s", trav[i].pre, fx.vu.rport,
		    trav[i].post);
		ca = craft_ca(ta, g, cn, 3 + (int)i, uri, NULL, CA_GOOD);
		craft_roa(ca, AS_BASE + 50 + (uint32_t)i, ROA_GOOD);
		finish(ca);
		free(uri);
	}
	/*
	 * Links: a ROA on the manifest that is a link to a valid ROA kept
	 * off every manifest, and a link to /etc.
	 */
	ca = craft_ca(ta, g, "links", 10, NULL, NULL, CA_GOOD);
	craft_roa(ca, AS_BASE + 60, ROA_GOOD);
	target = tu_asprintf("%s/rsync/evil/stash.roa", g);
	make_link(ca, target);
	uri = tu_asprintf("%s/etc", ca->local);
	finish(ca);
	CU_ASSERT_FATAL(symlink("/etc", uri) == 0);
	free(uri);
	finish(ta);

	vu_switch(&fx.vu, g);
	root = tu_asprintf("%s/rsync-root", fx.vu.dir);
	CU_ASSERT_FATAL(tu_system("mkdir -p '%s/a/b'", root) == 0);
	cache = tu_asprintf("%s/a/b/cache", root);
	reef_run(tals, cache, &r);
	run_ok("rsync", &r, &want);
	CU_ASSERT(!escaped(root, cache));
	/* Traversal URIs are refused, so their ROAs never appear. */
	for (i = 0; i < sizeof(trav) / sizeof(trav[0]); i++)
		if (has_roa(&r, AS_BASE + 50 + (uint32_t)i, "evil")) {
			printf("\n    %sPORT%s accepted", trav[i].pre,
			    trav[i].post);
			CU_FAIL("repository URI climbing out accepted");
		}
	/* Neither link was followed. */
	CU_ASSERT(!has_roa(&r, AS_BASE + 60, "evil"));
	CU_ASSERT(tu_system("[ ! -e '%s/rsync/localhost:%d/evil/links/"
	    "etc/passwd' ]", cache, fx.vu.rport) == 0);
	run_free(&r);
	vu_lines_free(&want);
	free(target);
	free(cache);
	free(root);
	free(tals);
	free(g);
}

/*
 * 5. Tree abuse, one evil TA per run: a CA chain past MAX_CERT_DEPTH, a
 * CA loop (A issues B, B issues A again), MAX_REPO_PER_TAL + 100 CAs each
 * in a repository of its own (only CA_SLOTS + EE_SLOTS distinct keys:
 * making a thousand RSA keys would take minutes, and the CAs past those
 * repeat an SKI, which must get them refused), and a TA whose certificate
 * lists more IP prefixes than MAX_CERT_IP_ENTRIES.  Each run ends within
 * its deadline with the generated TAs untouched.
 */
static void
test_hostile_tree(void)
{
	struct node *ta, *chain[DEEP_LEVELS + 1], *a, *b, *loop;
	struct vu_lines want;
	struct run r;
	char *g, *tals, *cache, cn[32], *uri, *notify;
	int i;

	if (!setup_or_skip())
		return;
	memset(&want, 0, sizeof(want));
	expected_gen(1, &want);

	/* Depth: every level has a ROA; the deepest ones must be refused. */
	g = variant(1, "deep");
	tals = taldir("deep");
	chain[0] = craft_ta(g, tals, "evil", 0, CA_GOOD);
	for (i = 1; i <= DEEP_LEVELS; i++) {
		snprintf(cn, sizeof(cn), "level%d", i);
		chain[i] = craft_ca(chain[i - 1], g, cn, i,
		    NULL, NULL, CA_GOOD);
		craft_roa(chain[i], AS_BASE + 100 + (uint32_t)i, ROA_GOOD);
	}
	for (i = DEEP_LEVELS; i >= 0; i--)
		finish(chain[i]);
	vu_switch(&fx.vu, g);
	cache = cache_dir("deep");
	reef_run(tals, cache, &r);
	if (run_ok("deep", &r, &want)) {
		CU_ASSERT(has_roa(&r, AS_BASE + 101, "evil"));
		CU_ASSERT(!has_roa(&r, AS_BASE + 100 + DEEP_LEVELS, "evil"));
		CU_ASSERT(r.evil.n < DEEP_LEVELS);
	}
	run_free(&r);
	free(cache);
	free(tals);
	free(g);

	/* Loop: B's point holds a certificate for A's key and point. */
	g = variant(1, "loop");
	tals = taldir("loop");
	ta = craft_ta(g, tals, "evil", 0, CA_GOOD);
	a = craft_ca(ta, g, "a", 1, NULL, NULL, CA_GOOD);
	b = craft_ca(a, g, "b", 2, NULL, NULL, CA_GOOD);
	craft_roa(a, AS_BASE + 201, ROA_GOOD);
	craft_roa(b, AS_BASE + 202, ROA_GOOD);
	uri = tu_asprintf("%s", a->dir_uri);
	notify = notify_none("a");
	loop = calloc(1, sizeof(*loop));
	CU_ASSERT_FATAL(loop != NULL);
	loop->k = ca_key(1);
	loop->name = tu_asprintf("a");
	loop->x = ca_cert(b, loop->k, "a", uri, notify, CA_GOOD);
	{
		struct buf der = { 0 };

		CU_ASSERT_FATAL(rg_cert_der(loop->x, &der) == 0);
		node_add(b, "a.cer", 5, &der);
	}
	node_free(loop);
	free(uri);
	free(notify);
	finish(b);
	finish(a);
	finish(ta);
	vu_switch(&fx.vu, g);
	cache = cache_dir("loop");
	reef_run(tals, cache, &r);
	if (run_ok("loop", &r, &want))
		CU_ASSERT(r.evil.n <= 2);
	run_free(&r);
	free(cache);
	free(tals);
	free(g);

	/* Wide: a repository per CA, more than a TAL may reach. */
	g = variant(1, "wide");
	tals = taldir("wide");
	ta = craft_ta(g, tals, "evil", 0, CA_GOOD);
	for (i = 0; i < WIDE_CAS; i++) {
		snprintf(cn, sizeof(cn), "w%d", i);
		uri = tu_asprintf("rsync://localhost:%d/w%d/", fx.vu.rport, i);
		notify = tu_asprintf("https://localhost:%d/rrdp/w%d/"
		    "notification.xml", fx.vu.hport, i);
		node_free(craft_ca(ta, g, cn, 1 + i, uri,
		    notify, CA_GOOD));
		free(uri);
		free(notify);
	}
	finish(ta);
	vu_switch(&fx.vu, g);
	cache = cache_dir("wide");
	reef_run(tals, cache, &r);
	run_ok("wide", &r, &want);
	run_free(&r);
	free(cache);
	free(tals);
	free(g);

	/* Big: a TA with more prefixes than any certificate may hold. */
	g = variant(1, "big");
	tals = taldir("big");
	ta = craft_ta(g, tals, "evil", 0, CA_TA_PREFIXES);
	craft_roa(ta, AS_BASE + 1, ROA_GOOD);
	finish(ta);
	vu_switch(&fx.vu, g);
	cache = cache_dir("big");
	reef_run(tals, cache, &r);
	if (run_ok("big", &r, &want))
		CU_ASSERT_EQUAL(r.evil.n, 0);
	run_free(&r);
	free(cache);
	free(tals);
	free(g);
	vu_lines_free(&want);
}

/*
 * 6. State abuse across runs on one cache: repo0 vanishes (its payloads
 * stay), comes back with generation 2, is replayed at generation 1 (older
 * manifests, lower numbers and dates, RRDP serial backwards: generation
 * 2 is kept); then, on another cache, generation 2 arrives with a
 * truncated delta for repo0 and the snapshot brings it anyway.
 */
static void
test_hostile_state(void)
{
	struct vu_lines e1, e2;
	struct run r;
	char *g1, *g2, *gone, *trunc, *tals, *cache, *state, *ed;

	if (!setup_or_skip())
		return;
	memset(&e1, 0, sizeof(e1));
	memset(&e2, 0, sizeof(e2));
	expected_gen(1, &e1);
	expected_gen(2, &e2);
	tals = tu_asprintf("%s/tals", fx.vu.repo);
	g1 = tu_asprintf("%s/gen1", fx.vu.repo);
	g2 = tu_asprintf("%s/gen2", fx.vu.repo);
	cache = cache_dir("state");

	vu_switch(&fx.vu, g1);
	reef_run(tals, cache, &r);
	run_ok("state gen1", &r, &e1);
	run_free(&r);

	gone = variant(1, "gone");
	tu_system("rm -rf '%s/rsync/%s' '%s/rrdp/%s'", gone, HOSTILE_MOD,
	    gone, HOSTILE_MOD);
	vu_switch(&fx.vu, gone);
	reef_run(tals, cache, &r);
	run_ok("state vanished", &r, &e1);
	run_free(&r);

	vu_switch(&fx.vu, g2);
	reef_run(tals, cache, &r);
	run_ok("state returned", &r, &e2);
	run_free(&r);

	vu_switch(&fx.vu, g1);
	reef_run(tals, cache, &r);
	run_ok("state replayed", &r, &e2);
	run_free(&r);
	free(cache);

	/* Truncated delta: a fresh cache at generation 1, then the delta. */
	cache = cache_dir("trunc");
	vu_switch(&fx.vu, g1);
	reef_run(tals, cache, &r);
	run_ok("trunc gen1", &r, &e1);
	run_free(&r);
	trunc = variant(2, "truncdelta");
	ed = tu_asprintf("%s/tests/integration/hostile/rrdp_edit.py",
	    tu_srcdir());
	CU_ASSERT_EQUAL_FATAL(tu_system("python3 '%s' truncdelta '%s' %s", ed,
	    trunc, HOSTILE_MOD), 0);
	/* Without rsync: only the RRDP snapshot can bring generation 2. */
	tu_system("rm -rf '%s/rsync/%s'", trunc, HOSTILE_MOD);
	vu_switch(&fx.vu, trunc);
	reef_run(tals, cache, &r);
	run_ok("truncated delta", &r, &e2);
	state = tu_asprintf("%s/rsync/localhost:%d/%s/.reef-state", cache,
	    fx.vu.rport, HOSTILE_MOD);
	CU_ASSERT(vu_file_has(state, "\nserial 2\n"));
	run_free(&r);
	free(state);
	free(ed);
	free(trunc);
	free(gone);
	free(cache);
	free(g1);
	free(g2);
	free(tals);
	vu_lines_free(&e1);
	vu_lines_free(&e2);
}

REEF_SUITE_FULL(integration_hostile, NULL, cleanup,
    REEF_TEST(test_hostile_asn1),
    REEF_TEST(test_hostile_rrdp),
    REEF_TEST(test_hostile_http),
    REEF_TEST(test_hostile_rsync),
    REEF_TEST(test_hostile_tree),
    REEF_TEST(test_hostile_state))
