/*
 * bench_rrdp: RRDP snapshot ingest throughput and memory.
 *
 * usage: bench_rrdp [-m MiB] [-s seed] [-w writers] dir
 *
 * Writes dir/snapshot.xml, a synthetic RFC 8182 snapshot of about MiB
 * mebibytes (default 100) whose objects have the sizes of real RPKI
 * objects (mostly 1 to 4 KB, a few large manifests and CRLs), streamed
 * to disk in small buffers while its SHA-256 is computed.  Then a child
 * process ingests it exactly as the fetcher does: read in chunks, fed to
 * validator/rrdp.h's snapshot parser (XML, base64 and the SHA-256 of the
 * whole file checked against the expected hash) with the fetcher's sink,
 * validator/rrdp_stage.h (object URIs parsed, one file per object in an
 * RRDP stage of a cache in dir/cache, written by -w threads, default
 * RRDP_STAGE_WRITERS; 0 writes in order), then committed with
 * cache_rrdp_commit(): syncfs(2), renames.  "throughput" counts the
 * ingest up to the last file written, "throughput_durable" includes the
 * commit, i.e. the data on disk; "throughput_per_cpu_s" divides by the
 * CPU time (user and system, all threads) of the ingest instead, which a
 * busy machine disturbs much less.  The child's peak RSS comes from
 * wait4(2), so the generator's memory does not count.  The file is read
 * from the page cache, as right after a download.  A first pass with a
 * sink that drops the objects shows the parser's own speed apart from
 * the file system's.
 *
 * Results go to stdout, one "name<TAB>value<TAB>unit" line each (MB is
 * 10^6 bytes); exit status 0, or 1 on any failure.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "common/hash.h"
#include "validator/cache.h"
#include "validator/rrdp.h"
#include "validator/rrdp_stage.h"

#define DEFAULT_MIB		100
#define MAX_MIB			(MAX_RRDP_SNAPSHOT_SIZE / (1024 * 1024) - 1)
#define DEFAULT_SEED		1
#define MIB			(1024 * 1024)
#define MB			1e6
#define OUT_BUF			(1024 * 1024)	/* generator's write buffer */
#define READ_CHUNK		(64 * 1024)	/* as a network read delivers */
#define OBJECTS_PER_CA		40
#define SMALL_MIN		600		/* object sizes, bytes */
#define SMALL_SPREAD		3000
#define LARGE_EVERY		50		/* one object in 50 is large */
#define LARGE_MIN		10000
#define LARGE_SPREAD		30000
#define MAX_OBJECT		(LARGE_MIN + LARGE_SPREAD)
#define OBJECT_MODE		0644
#define SESSION_ID		"9df4b597-af9e-4dca-bdda-719cce2c4e28"
#define SNAPSHOT_URI		"https://rpki.example.net/rrdp/snapshot.xml"
#define NOTIFY_URI		"https://rpki.example.net/rrdp/notification.xml"
#define REPO_URI		"rsync://rpki.example.net/repo/"

static const char *const exts[] = { "roa", "roa", "roa", "cer", "crl",
    "mft", "asa" };
#define NEXTS	(sizeof(exts) / sizeof(exts[0]))

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_rrdp: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static void
result(const char *name, double value, const char *unit)
{
	printf("%s\t%.6g\t%s\n", name, value, unit);
	fflush(stdout);
}

/* User and system CPU seconds of this process (all its threads). */
static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- Generator ----------------------------------------------------------- */

struct out {
	int			 fd;
	char			*buf;
	size_t			 len;
	uint64_t		 total;
	struct hash_sha256_ctx	 sha;
};

static void
out_flush(struct out *o)
{
	size_t off = 0;
	ssize_t n;

	if (hash_sha256_update(&o->sha, o->buf, o->len) == -1)
		die("SHA-256 failed");
	while (off < o->len) {
		if ((n = write(o->fd, o->buf + off, o->len - off)) == -1) {
			if (errno == EINTR)
				continue;
			die("write: %s", strerror(errno));
		}
		off += (size_t)n;
	}
	o->total += o->len;
	o->len = 0;
}

/* Room for n more bytes in the buffer (n <= OUT_BUF). */
static char *
out_room(struct out *o, size_t n)
{
	if (o->len + n > OUT_BUF)
		out_flush(o);
	return o->buf + o->len;
}

static void
out_str(struct out *o, const char *s)
{
	size_t n = strlen(s);

	memcpy(out_room(o, n), s, n);
	o->len += n;
}

static uint64_t
xorshift(uint64_t *st)
{
	uint64_t x = *st;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *st = x;
}

/* n pseudo-random bytes, base64-encoded without line breaks. */
static void
out_b64_random(struct out *o, uint64_t *st, size_t n)
{
	unsigned char in[3];
	char *p;
	size_t i, k;
	uint64_t r = 0;

	for (i = 0; i < n; i += 3) {
		k = n - i < 3 ? n - i : 3;
		r = xorshift(st);
		memcpy(in, &r, 3);
		p = out_room(o, 4);
		p[0] = b64chars[in[0] >> 2];
		p[1] = b64chars[((in[0] & 3) << 4) | (k > 1 ? in[1] >> 4 : 0)];
		p[2] = k > 1 ? b64chars[((in[1] & 15) << 2) |
		    (k > 2 ? in[2] >> 6 : 0)] : '=';
		p[3] = k > 2 ? b64chars[in[2] & 63] : '=';
		o->len += 4;
	}
}

/*
 * Write the snapshot at path, about mib MiB.  Returns the number of
 * objects; hash receives the file's SHA-256.
 */
static size_t
generate(const char *path, size_t mib, uint64_t seed,
    unsigned char hash[HASH_SHA256_LEN], uint64_t *bytes)
{
	struct out o;
	uint64_t st = seed * 2 + 0x9e3779b97f4a7c15ULL, r;
	uint64_t want = (uint64_t)mib * MIB;
	size_t nobj = 0, size;
	char line[256];

	memset(&o, 0, sizeof(o));
	if ((o.buf = malloc(OUT_BUF)) == NULL)
		die("out of memory");
	if ((o.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    OBJECT_MODE)) == -1)
		die("%s: %s", path, strerror(errno));
	if (hash_sha256_init(&o.sha) == -1)
		die("SHA-256 failed");
	out_str(&o, "<snapshot xmlns=\"" RRDP_XMLNS "\" version=\"1\" "
	    "session_id=\"" SESSION_ID "\" serial=\"1\">\n");
	while (o.total + o.len < want) {
		r = xorshift(&st);
		size = r % LARGE_EVERY == 0 ?
		    LARGE_MIN + (r >> 8) % LARGE_SPREAD :
		    SMALL_MIN + (r >> 8) % SMALL_SPREAD;
		/* A CA directory per OBJECTS_PER_CA objects, as in a real repo. */
		snprintf(line, sizeof(line), "  <publish uri=\"" REPO_URI
		    "%016llx/%016llx.%s\">",
		    (unsigned long long)(nobj / OBJECTS_PER_CA) * 0x9e3779b1ULL,
		    (unsigned long long)r, exts[(r >> 40) % NEXTS]);
		out_str(&o, line);
		out_b64_random(&o, &st, size);
		out_str(&o, "</publish>\n");
		nobj++;
	}
	out_str(&o, "</snapshot>\n");
	out_flush(&o);
	if (hash_sha256_final(&o.sha, hash) == -1)
		die("SHA-256 failed");
	if (close(o.fd) == -1)
		die("%s: %s", path, strerror(errno));
	*bytes = o.total;
	free(o.buf);
	return nobj;
}

/* ---- Ingest ------------------------------------------------------------- */

struct sink_ctx {
	size_t		 objects;
	uint64_t	 written;
};

/* The parse-only pass: objects are decoded and dropped. */
static void *
null_publish_begin(void *arg, const char *uri, const unsigned char *hash)
{
	return arg;
}

static int
null_publish_write(void *arg, void *handle, const unsigned char *buf,
    size_t len)
{
	struct sink_ctx *ctx = arg;

	ctx->written += len;
	return 0;
}

static int
null_publish_end(void *arg, void *handle, int ok)
{
	struct sink_ctx *ctx = arg;

	if (ok)
		ctx->objects++;
	return 0;
}

/*
 * Feed the file at path to a snapshot parser with sink; *secs receives
 * the wall time.  Returns 0, or -1 after saying why.
 */
static int
feed_file(const char *path, const unsigned char hash[HASH_SHA256_LEN],
    const struct rrdp_sink *sink, double *secs)
{
	struct rrdp_session sess;
	struct rrdp_snapshot *s = NULL;
	unsigned char *buf = NULL;
	double t0 = now_s();
	ssize_t n;
	int fd = -1, rc = -1;

	memset(&sess, 0, sizeof(sess));
	snprintf(sess.id, sizeof(sess.id), "%s", SESSION_ID);
	sess.serial = 1;
	if ((buf = malloc(READ_CHUNK)) == NULL ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (s = rrdp_snapshot_new(SNAPSHOT_URI, &sess, hash, sink)) == NULL) {
		fprintf(stderr, "bench_rrdp: cannot start: %s\n",
		    strerror(errno));
		goto out;
	}
	while ((n = read(fd, buf, READ_CHUNK)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || rrdp_snapshot_feed(s, buf, (size_t)n) == -1)
			goto fail;
	}
	if (rrdp_snapshot_finish(s) == -1)
		goto fail;
	*secs = now_s() - t0;
	rc = 0;
	goto out;
 fail:
	fprintf(stderr, "bench_rrdp: %s\n", n == -1 ? strerror(errno) :
	    rrdp_snapshot_error(s));
 out:
	rrdp_snapshot_free(s);
	if (fd != -1)
		close(fd);
	free(buf);
	return rc;
}

/*
 * In the child: a parse-only pass, then the real ingest into a cache in
 * outdir.  Prints the results; returns the exit status.
 */
static int
ingest(const char *path, const char *outdir,
    const unsigned char hash[HASH_SHA256_LEN], size_t nobj, uint64_t bytes,
    unsigned int writers)
{
	struct rrdp_stage_config wc;
	struct rrdp_stage *ws = NULL;
	struct cache_stage *st = NULL;
	struct rrdp_sink sink;
	struct sink_ctx ctx;
	struct cache *c;
	char key[CACHE_KEY_LEN + 1];
	double dt, t0, tc, c0;

	xmlInitParser();
	memset(&ctx, 0, sizeof(ctx));
	memset(&sink, 0, sizeof(sink));
	sink.arg = &ctx;
	sink.publish_begin = null_publish_begin;
	sink.publish_write = null_publish_write;
	sink.publish_end = null_publish_end;
	if (feed_file(path, hash, &sink, &dt) == -1)
		return 1;
	result("parse_only", dt, "s");
	result("throughput_parse_only", (double)bytes / MB / dt, "MB/s");

	if ((c = cache_open(outdir, 1)) == NULL ||
	    cache_rrdp_key(NOTIFY_URI, key) == -1)
		return 1;
	t0 = now_s();
	c0 = cpu_s();
	if (cache_rrdp_stage_begin(c, key, 0, &st) == -1)
		return 1;
	memset(&wc, 0, sizeof(wc));
	wc.root = st->dir;
	wc.snapshot = 1;
	wc.writers = writers;
	if ((ws = rrdp_stage_new(&wc)) == NULL)
		return 1;
	rrdp_stage_sink(ws, &sink);
	if (feed_file(path, hash, &sink, &dt) == -1 ||
	    rrdp_stage_flush(ws) == -1) {
		fprintf(stderr, "bench_rrdp: %s\n", rrdp_stage_error(ws));
		return 1;
	}
	dt = now_s() - t0;
	c0 = cpu_s() - c0;
	if (rrdp_stage_objects(ws) != nobj) {
		fprintf(stderr, "bench_rrdp: %llu objects written, %zu "
		    "published\n", (unsigned long long)rrdp_stage_objects(ws),
		    nobj);
		return 1;
	}
	rrdp_stage_free(ws);
	tc = now_s();
	if (cache_rrdp_commit(c, st) == -1)
		return 1;
	tc = now_s() - tc;
	cache_close(c);
	result("snapshot_size", (double)bytes / MB, "MB");
	result("objects", (double)nobj, "count");
	result("writers", (double)writers, "threads");
	result("ingest", dt, "s");
	result("throughput", (double)bytes / MB / dt, "MB/s");
	/* Wall time depends on the load; CPU time much less. */
	result("ingest_cpu", c0, "s");
	result("throughput_per_cpu_s", (double)bytes / MB / c0, "MB/s");
	result("commit", tc, "s");
	result("throughput_durable", (double)bytes / MB / (dt + tc), "MB/s");
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned char hash[HASH_SHA256_LEN];
	struct rusage ru;
	char *snap, *outdir;
	unsigned long mib = DEFAULT_MIB, seed = DEFAULT_SEED;
	unsigned long writers = RRDP_STAGE_WRITERS;
	uint64_t bytes;
	size_t nobj;
	double t0;
	pid_t pid;
	int ch, status;

	while ((ch = getopt(argc, argv, "m:s:w:")) != -1) {
		switch (ch) {
		case 'm':
			mib = strtoul(optarg, NULL, 10);
			if (mib < 1 || mib > MAX_MIB)
				die("-m: 1 to %lld MiB", (long long)MAX_MIB);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 10);
			break;
		case 'w':
			writers = strtoul(optarg, NULL, 10);
			if (writers > 16)
				die("-w: 0 to 16 threads");
			break;
		default:
			fprintf(stderr, "usage: bench_rrdp [-m MiB] [-s seed] "
			    "[-w writers] dir\n");
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: bench_rrdp [-m MiB] [-s seed] "
		    "[-w writers] dir\n");
		return 2;
	}
	if (asprintf(&snap, "%s/snapshot.xml", argv[optind]) == -1 ||
	    asprintf(&outdir, "%s/cache", argv[optind]) == -1)
		die("out of memory");
	if (mkdir(argv[optind], 0755) == -1 && errno != EEXIST)
		die("%s: %s", argv[optind], strerror(errno));

	t0 = now_s();
	nobj = generate(snap, mib, seed, hash, &bytes);
	fprintf(stderr, "bench_rrdp: %zu objects, %.1f MB generated in "
	    "%.1f s\n", nobj, (double)bytes / MB, now_s() - t0);

	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(ingest(snap, outdir, hash, nobj, bytes,
		    (unsigned int)writers));
	if (wait4(pid, &status, 0, &ru) == -1)
		die("wait4: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("ingest failed");
	/* ru_maxrss is in kilobytes on Linux. */
	result("rss_peak", (double)ru.ru_maxrss / 1024, "MiB");
	free(snap);
	free(outdir);
	return 0;
}
