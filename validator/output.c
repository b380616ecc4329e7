/*
 * The table of output writers, format selection and the all-or-nothing
 * replacement of the output files as a set (output.h, outdir.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fdread.h"
#include "common/gtime.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/outdir.h"
#include "validator/outkeep.h"
#include "validator/output.h"
#include "validator/report.h"
#include "validator/reportidx.h"
#include "validator/reportpatch.h"

/* Longest format name accepted by output_parse_formats(). */
#define OUTPUT_FORMAT_NAME_MAX	32

const struct output_writer output_writers[] = {
	{ OUTPUT_CSV,	  "csv",	"vrps.csv",	output_csv,
	    output_csv_inputs, NULL, NULL, NULL, 0, NULL, NULL },
	{ OUTPUT_JSON,	  "json",	"vrps.json",	output_json, NULL,
	    output_json_body_inputs, output_json_split, output_json_head, 0,
	    NULL, NULL },
	{ OUTPUT_BGPD,	  "bgpd",	"openbgpd",	output_bgpd, NULL, NULL,
	    NULL, NULL, 0, NULL, NULL },
	{ OUTPUT_BIRD,	  "bird",	"bird",		output_bird2, NULL, NULL,
	    NULL, NULL, 0, NULL, NULL },
	{ OUTPUT_BIRD1,	  "bird1",	"bird1v4",	output_bird1v4, NULL,
	    NULL, NULL, NULL, 0, NULL, NULL },
	{ OUTPUT_BIRD1,	  "bird1",	"bird1v6",	output_bird1v6, NULL,
	    NULL, NULL, NULL, 0, NULL, NULL },
	{ OUTPUT_HANDOFF, "handoff",	"reef.handoff",	output_handoff, NULL,
	    output_handoff_body_inputs, output_handoff_split,
	    output_handoff_head, HASH_SHA256_LEN, NULL, NULL },
	{ OUTPUT_REPORT,  "report",	"report.json",	output_report,
	    output_report_inputs, NULL, NULL, NULL, 0, output_report_run,
	    REPORTIDX_FILE },
	{ 0,		  NULL,		NULL,		NULL,	NULL, NULL, NULL,
	    NULL, 0, NULL, NULL }
};

/* Spellings accepted besides the names in the table. */
static const struct {
	const char	*name;
	unsigned int	 flags;
} format_aliases[] = {
	{ "openbgpd",	OUTPUT_BGPD },
	{ "bird2",	OUTPUT_BIRD },
	{ "all",	OUTPUT_ALL },
};

/*
 * The name of TA index ta, or "unknown"; owned by d.
 */
const char *
output_ta_name(const struct output_data *d, uint32_t ta)
{
	if (d->ta_names == NULL || ta >= d->nta || d->ta_names[ta] == NULL)
		return "unknown";
	return d->ta_names[ta];
}

static unsigned int
format_flag(const char *name)
{
	size_t i;

	for (i = 0; output_writers[i].name != NULL; i++)
		if (strcmp(name, output_writers[i].name) == 0)
			return output_writers[i].flag;
	for (i = 0; i < sizeof(format_aliases) / sizeof(format_aliases[0]); i++)
		if (strcmp(name, format_aliases[i].name) == 0)
			return format_aliases[i].flags;
	return 0;
}

/*
 * Parse "csv,json,..." into OUTPUT_* flags.  Returns 0 or -1.
 */
int
output_parse_formats(const char *list, unsigned int *flags)
{
	char name[OUTPUT_FORMAT_NAME_MAX + 1];
	const char *p = list, *end;
	unsigned int f = 0, one;
	size_t len;

	if (list == NULL || *list == '\0')
		return -1;
	for (;;) {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len == 0 || len > OUTPUT_FORMAT_NAME_MAX)
			return -1;
		memcpy(name, p, len);
		name[len] = '\0';
		if ((one = format_flag(name)) == 0)
			return -1;
		f |= one;
		if (end == NULL)
			break;
		p = end + 1;
	}
	*flags = f;
	return 0;
}

/* Number of output files, the table's end marker excluded. */
#define OUTPUT_NFILES	(sizeof(output_writers) / sizeof(output_writers[0]) - 1)

/* The size of what fp holds once flushed; UINT64_MAX if unknown. */
static uint64_t
stream_size(FILE *fp)
{
	struct stat st;

	if (fflush(fp) != 0 || fstat(fileno(fp), &st) == -1)
		return UINT64_MAX;
	return (uint64_t)st.st_size;
}

/*
 * Append len bytes of fd from offset off to fp (flushed first), through
 * copy_file_range(2) where the file system allows it.  0 or -1.
 */
static int
copy_tail(FILE *fp, int fd, uint64_t off, uint64_t len)
{
	if (fflush(fp) != 0)
		return -1;
	return fd_copy_range(fileno(fp), fd, off, len);
}

/* Add len bytes of fd from offset off to ctx.  0 or -1. */
static int
digest_range(struct hash_sha256_ctx *ctx, int fd, uint64_t off,
    uint64_t len)
{
	unsigned char buf[65536];
	ssize_t n;

	while (len > 0) {
		n = pread(fd, buf, len < sizeof(buf) ? (size_t)len :
		    sizeof(buf), (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || hash_sha256_update(ctx, buf, (size_t)n) == -1)
			return -1;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

/*
 * The file of w with the body, len bytes at off in fd, of the run in
 * use: w's head for d, the body copied, the trailer digest if w has one.
 * Returns the file's size, or 0 on failure.
 */
static uint64_t
write_with_body(FILE *fp, const struct output_writer *w,
    const struct output_data *d, int fd, uint64_t off, uint64_t len,
    uint64_t *body)
{
	unsigned char md[HASH_SHA256_LEN];
	struct hash_sha256_ctx ctx;
	char *head = NULL;
	size_t hlen = 0;
	FILE *m;
	int rc;

	if ((m = open_memstream(&head, &hlen)) == NULL)
		return 0;
	rc = w->write_head(m, d);
	if (fclose(m) != 0 || rc != 0 || hlen == 0 ||
	    fwrite(head, 1, hlen, fp) != hlen ||
	    copy_tail(fp, fd, off, len) == -1) {
		free(head);
		return 0;
	}
	if (w->body_trailer > 0) {
		memset(&ctx, 0, sizeof(ctx));
		rc = hash_sha256_init(&ctx) == -1 ||
		    hash_sha256_update(&ctx, head, hlen) == -1 ||
		    digest_range(&ctx, fd, off, len) == -1 ||
		    hash_sha256_final(&ctx, md) == -1 ||
		    write(fileno(fp), md, sizeof(md)) != (ssize_t)sizeof(md);
		hash_sha256_cleanup(&ctx);
		if (rc) {
			free(head);
			return 0;
		}
	}
	free(head);
	*body = hlen;
	return hlen + len + w->body_trailer;
}

/*
 * Write w's file to fp: with an unchanged body (outkeep.h), the head
 * and the run in use's body; else in full.  *size and *body get the
 * file's length and its body's offset (UINT64_MAX, 0 when there is no
 * digest to note).  0 or -1.
 */
static int
write_body_kept(FILE *fp, struct outdir_run *run, const struct output_writer *w,
    const struct output_data *d, struct outkeep *keep, unsigned char *md,
    uint64_t *size, uint64_t *body)
{
	uint64_t off, len;
	int fd, rc;

	*size = UINT64_MAX;
	*body = 0;
	if (keep == NULL || d->program == NULL || w->body_inputs(d, md) != 0)
		return w->write(fp, d);
	if ((fd = outkeep_try_body(keep, run, w->filename, md, &off, &len)) !=
	    -1) {
		if (len >= w->body_trailer &&
		    (*size = write_with_body(fp, w, d, fd, off,
		    len - w->body_trailer, body)) != 0) {
			close(fd);
			return 0;
		}
		close(fd);
		*size = UINT64_MAX;
		*body = 0;
		/* Write it all instead, from the start. */
		if (fflush(fp) != 0 || ftruncate(fileno(fp), 0) == -1 ||
		    lseek(fileno(fp), 0, SEEK_SET) == -1 ||
		    fseeko(fp, 0, SEEK_SET) == -1)
			return -1;
		clearerr(fp);
	}
	if ((rc = w->write_split(fp, d, body)) == 0)
		*size = stream_size(fp);
	return rc;
}

/*
 * Give the run directory the file of writer w: kept from the run in use
 * when its inputs are unchanged (outkeep.h), else written.  0, or -1
 * logged.
 */
static int
write_one(struct outdir_run *run, const char *outdir,
    const struct output_writer *w, const struct output_data *d,
    struct outkeep *keep)
{
	unsigned char md[HASH_SHA256_LEN];
	uint64_t size = UINT64_MAX, body = 0;
	FILE *fp;
	int rc, have;

	have = keep != NULL && d->program != NULL && w->inputs != NULL &&
	    w->inputs(d, md) == 0;
	if (have && outkeep_try(keep, run, w->filename, md) == 0) {
		if (w->companion != NULL)
			(void)outdir_run_keep(run, w->companion);
		return 0;
	}
	if ((fp = outdir_run_create(run, w->filename)) == NULL)
		return -1;
	if (w->body_inputs != NULL)
		rc = write_body_kept(fp, run, w, d, keep, md, &size, &body);
	else {
		rc = w->write_run != NULL ? w->write_run(fp, run, d) :
		    w->write(fp, d);
		if (rc == 0 && have)
			size = stream_size(fp);
	}
	if (outdir_run_close(run, fp) != 0 || rc != 0) {
		log_msg_errno(LOG_LEVEL_ERROR, outdir, "%s output failed",
		    w->name);
		return -1;
	}
	if (size != UINT64_MAX && body != 0)
		outkeep_note_body(keep, w->filename, md, size, body);
	else if (size != UINT64_MAX)
		outkeep_note(keep, w->filename, md, size);
	return 0;
}

/* The files of one output_write_all(), shared by its writer threads. */
struct write_set {
	struct outdir_run	*run;
	const char		*outdir;
	struct outkeep		*keep;		/* NULL: write every file */
	const struct output_data *d;
	size_t			 todo[OUTPUT_NFILES];	/* writer indices */
	size_t			 ntodo;
	size_t			 next;		/* under lock */
	int			 failed;	/* under lock */
	pthread_mutex_t		 lock;
};

/* Write files of ws until none is left or one failed. */
static void *
write_files(void *arg)
{
	struct write_set *ws = arg;
	size_t i;
	int rc;

	for (;;) {
		pthread_mutex_lock(&ws->lock);
		i = ws->failed || ws->next == ws->ntodo ? OUTPUT_NFILES :
		    ws->todo[ws->next++];
		pthread_mutex_unlock(&ws->lock);
		if (i == OUTPUT_NFILES)
			return NULL;
		rc = write_one(ws->run, ws->outdir, &output_writers[i], ws->d,
		    ws->keep);
		if (rc != 0) {
			pthread_mutex_lock(&ws->lock);
			ws->failed = 1;
			pthread_mutex_unlock(&ws->lock);
		}
	}
}

/*
 * Run write_files() on d->jobs threads (this one included), at most one
 * per file.  Returns 0, or -1 when a file could not be written.
 */
static int
write_parallel(struct write_set *ws)
{
	pthread_t tids[OUTPUT_NFILES];
	size_t i, nthreads, started = 0;

	nthreads = ws->d->jobs > 1 ? ws->d->jobs : 1;
	if (nthreads > ws->ntodo)
		nthreads = ws->ntodo;
	/* A thread that cannot start leaves its share to the others. */
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&tids[started], NULL, write_files, ws) == 0)
			started++;
	(void)write_files(ws);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	return ws->failed ? -1 : 0;
}

/*
 * Write every selected file into a new run directory, then switch the
 * outputs to it at once (outdir.h).  Returns 0 or -1 (see output.h).
 */
int
output_write_all(const char *outdir, unsigned int flags,
    const struct output_data *d)
{
	const char *names[OUTPUT_NFILES];
	struct write_set ws;
	size_t i;
	int rc;

	memset(&ws, 0, sizeof(ws));
	if ((ws.run = outdir_run_begin(outdir)) == NULL)
		return -1;
	ws.outdir = outdir;
	ws.d = d;
	/* Without memory for it, every file is written. */
	if (d->program != NULL)
		ws.keep = outkeep_open(ws.run);
	/* The biggest first (report.json is last in the table). */
	for (i = OUTPUT_NFILES; i-- > 0; ) {
		names[i] = output_writers[i].filename;
		if ((flags & output_writers[i].flag) != 0)
			ws.todo[ws.ntodo++] = i;
	}
	pthread_mutex_init(&ws.lock, NULL);
	rc = write_parallel(&ws);
	pthread_mutex_destroy(&ws.lock);
	/* Without the digests the next run writes every file: no failure. */
	if (rc == 0 && ws.keep != NULL)
		(void)outkeep_save(ws.keep, ws.run);
	outkeep_free(ws.keep);
	if (rc != 0) {
		outdir_run_abort(ws.run);
		return -1;
	}
	/* Every file is complete: now, and only now, replace the old ones. */
	if (outdir_run_publish(ws.run, names, OUTPUT_NFILES) != 0)
		return -1;
	log_info_obj(outdir, "%zu output files written", ws.ntodo);
	return 0;
}

/*
 * report.json: the report of the run, or an empty one.
 */
int
output_report(FILE *fp, const struct output_data *d)
{
	if (d->report_fill != NULL && d->report_fill(d->report_fill_arg) != 0)
		return -1;
	return report_write_file(d->report, fp);
}

_Static_assert(OUTPUT_PROGRAM_LEN == REPORTIDX_PROGRAM_LEN,
    "report.json's index names the build as the outputs do");

/* The context of report.json's index: the build and the TA names. */
static int
report_context(const struct output_data *d, unsigned char *md)
{
	static const char what[] = "reef report index 1";
	struct hash_sha256_ctx h;
	uint64_t n = d->nta;
	size_t i;
	int rc = 0;

	if (hash_sha256_init(&h) == -1)
		return -1;
	rc |= hash_sha256_update(&h, what, sizeof(what));
	rc |= hash_sha256_update(&h, d->program, OUTPUT_PROGRAM_LEN);
	rc |= hash_sha256_update(&h, &n, sizeof(n));
	for (i = 0; i < d->nta; i++) {
		const char *name = output_ta_name(d, i);

		rc |= hash_sha256_update(&h, name, strlen(name) + 1);
	}
	if (hash_sha256_final(&h, md) == -1 || rc != 0)
		return -1;
	return 0;
}

/*
 * The run in use's report.json index for context ctx into *ix, and its
 * report.json, open, in *fd: 0, or -1 when either is missing or they
 * do not belong together (nothing to free then).
 */
static int
previous_index(struct outdir_run *run, const unsigned char *ctx,
    struct reportidx *ix, int *fd)
{
	unsigned char *buf = NULL;
	struct stat st;
	ssize_t n;
	int ifd;

	*fd = -1;
	if ((ifd = outdir_run_open_previous(run, REPORTIDX_FILE)) == -1)
		return -1;
	if (fstat(ifd, &st) == -1 || st.st_size <= 0 ||
	    (uint64_t)st.st_size > REPORTIDX_MAX_SIZE ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL ||
	    (n = fd_read_full(ifd, buf, (size_t)st.st_size + 1)) !=
	    st.st_size) {
		free(buf);
		close(ifd);
		return -1;
	}
	close(ifd);
	if (reportidx_parse(ix, buf, (size_t)n) == -1)
		return -1;
	if (memcmp(ix->context, ctx, HASH_SHA256_LEN) == 0 &&
	    (*fd = outdir_run_open_previous(run, "report.json")) != -1 &&
	    fstat(*fd, &st) == 0 && (uint64_t)st.st_size == ix->size)
		return 0;
	if (*fd != -1)
		close(*fd);
	*fd = -1;
	reportidx_free(ix);
	return -1;
}

/* Write ix, the index of a report.json of size bytes, into run. */
static void
save_index(struct outdir_run *run, struct reportidx *ix, uint64_t size)
{
	unsigned char *buf;
	size_t len;
	FILE *fp;

	if (size == UINT64_MAX || reportidx_encode(ix, size, &buf, &len) == -1)
		return;
	if ((fp = outdir_run_create(run, REPORTIDX_FILE)) != NULL) {
		if (fwrite(buf, 1, len, fp) != len)
			log_warnx_obj(REPORTIDX_FILE, "not written: the next "
			    "run writes report.json in full");
		(void)outdir_run_close(run, fp);
	}
	free(buf);
}

/*
 * report.json patched from the run in use's where d has its points
 * (reportpatch.h), with its index; else output_report().
 */
int
output_report_run(FILE *fp, struct outdir_run *run,
    const struct output_data *d)
{
	unsigned char ctx[HASH_SHA256_LEN];
	struct reportidx old, ix;
	uint64_t copied = 0, size;
	int fd = -1, rc;

	if (d->report_points == NULL || d->program == NULL ||
	    report_context(d, ctx) == -1)
		return output_report(fp, d);
	if (!d->report_patch || previous_index(run, ctx, &old, &fd) == -1)
		memset(&old, 0, sizeof(old));
	reportidx_init(&ix, d->program, ctx);
	rc = report_patch_write(d->report, d->report_points, fd != -1 ?
	    &old : NULL, fd, fp, &ix, &copied);
	if (rc == -1 && fd != -1) {
		/* The old file failed us: write it all (points filled stay). */
		log_warnx_obj("report.json", "previous file unusable; "
		    "written in full");
		reportidx_free(&ix);
		reportidx_init(&ix, d->program, ctx);
		if (fflush(fp) == 0 && ftruncate(fileno(fp), 0) == 0 &&
		    lseek(fileno(fp), 0, SEEK_SET) == 0 &&
		    fseeko(fp, 0, SEEK_SET) == 0) {
			clearerr(fp);
			rc = report_patch_write(d->report, d->report_points,
			    NULL, -1, fp, &ix, &copied);
		}
	}
	if (rc == 0) {
		size = stream_size(fp);
		save_index(run, &ix, size);
		if (copied > 0)
			log_info_obj("report.json", "%llu of %llu bytes copied "
			    "from the previous run", (unsigned long long)copied,
			    (unsigned long long)size);
	}
	if (fd != -1)
		close(fd);
	reportidx_free(&old);
	reportidx_free(&ix);
	return rc;
}

/*
 * What report.json is written from: the report (report_digest()), or
 * what the caller says when part of it is kept apart.
 */
int
output_report_inputs(const struct output_data *d, unsigned char *md)
{
	if (d->report_inputs != NULL)
		return d->report_inputs(d->report_fill_arg, md);
	return report_digest(d->report, d->program, OUTPUT_PROGRAM_LEN, md);
}

/* "Thu Jan  1 00:00:00 UTC 1970", as strftime "%a %b %e %H:%M:%S UTC %Y". */
static int
format_ctime(int64_t t, char *buf, size_t len)
{
	static const char *const days[] = {
		"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	struct gtime_tm tm;
	int64_t day;
	int n;

	if (gtime_split(t, &tm) != 0)
		return -1;
	/* 1970-01-01 was a Thursday; floor division for times before it. */
	day = (t >= 0 ? t / 86400 : -((-t + 86399) / 86400)) % 7;
	if (day < 0)
		day += 7;
	n = snprintf(buf, len, "%s %s %2d %02d:%02d:%02d UTC %d", days[day],
	    months[tm.mon - 1], tm.day, tm.hour, tm.min, tm.sec, tm.year);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * The "# ..." lines opening the bgpd and BIRD files.  Returns 0 or -1.
 */
int
output_text_header(FILE *fp, const struct output_data *d)
{
	const struct output_stats *st = &d->stats;
	char when[64];
	size_t i;

	if (format_ctime(d->buildtime, when, sizeof(when)) != 0)
		return -1;
	if (fprintf(fp,
	    "# Generated on host %s at %s\n"
	    "# Processing time %lld seconds (%llds user, %llds system)\n"
	    "# Route Origin Authorizations: %zu (%zu failed parse, 0 invalid)\n"
	    "# BGPsec Router Certificates: %zu\n"
	    "# Certificates: %zu (%zu invalid)\n"
	    "# Trust Anchor Locators: %zu (%zu invalid) [",
	    d->hostname != NULL ? d->hostname : "localhost", when,
	    (long long)d->elapsed, (long long)d->usertime,
	    (long long)d->systemtime, st->roas, st->roas_failed,
	    st->router_certs, st->certs, st->certs_failed,
	    st->tals, st->tals_failed) < 0)
		return -1;
	for (i = 0; i < d->nta; i++)
		if (fprintf(fp, " %s", output_ta_name(d, i)) < 0)
			return -1;
	if (fprintf(fp, " ]\n"
	    "# Manifests: %zu (%zu failed parse)\n"
	    "# Certificate revocation lists: %zu\n"
	    "# Repositories: %zu\n"
	    "# VRP Entries: %zu (%zu unique)\n",
	    st->manifests, st->manifests_failed, st->crls, st->repositories,
	    st->vrps, d->vrps != NULL ? vrpset_count(d->vrps) : 0) < 0)
		return -1;
	return 0;
}

/* Unlink the files matching pattern (a glob(3) pattern). */
static void
unlink_matching(const char *pattern)
{
	glob_t g;
	size_t i;

	if (glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
		return;
	for (i = 0; i < g.gl_pathc; i++)
		if (unlink(g.gl_pathv[i]) == 0)
			log_info_obj(g.gl_pathv[i], "removed the temporary of "
			    "an interrupted run");
	globfree(&g);
}

/*
 * Remove what an interrupted run left in outdir: its run directory and
 * the temporaries of its links (and of an older version's files).
 */
void
output_clean_temps(const char *outdir)
{
	char pat[MAX_PATH_LENGTH + 1];
	size_t i;
	int len;

	outdir_clean(outdir);

	for (i = 0; output_writers[i].name != NULL; i++) {
		len = snprintf(pat, sizeof(pat), "%s/.%s.??????", outdir,
		    output_writers[i].filename);
		if (len > 0 && (size_t)len < sizeof(pat))
			unlink_matching(pat);
	}
	len = snprintf(pat, sizeof(pat), "%s/.%s.??????", outdir,
	    OUTPUT_METRICS_FILE);
	if (len > 0 && (size_t)len < sizeof(pat))
		unlink_matching(pat);
}
