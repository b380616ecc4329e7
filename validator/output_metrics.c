/*
 * OUTDIR/metrics: one run of reef validate in the Prometheus text
 * exposition format (version 0.0.4), for node_exporter's textfile
 * collector or any scraper of plain files.  See reef-formats(5).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic.h"
#include "common/limits.h"
#include "common/log.h"
#include "validator/cmd_validate.h"
#include "validator/incidence.h"
#include "validator/output.h"
#include "validator/report.h"
#include "validator/walk.h"

/* The metric that carries the last success time from run to run. */
#define LAST_SUCCESS_METRIC	"reef_validate_last_success_timestamp_seconds"

/* One counter pair of struct walk_stats for reef_objects. */
struct obj_count {
	const char	*type;
	size_t		 offset_ok;
	size_t		 offset_bad;
};

#define WS(f)	offsetof(struct walk_stats, f)
static const struct obj_count obj_counts[] = {
	{ "ta",		WS(tas),		WS(tas_failed) },
	{ "cer",	WS(cas),		WS(cas_failed) },
	{ "mft",	WS(manifests),		WS(manifests_failed) },
	{ "crl",	WS(crls),		WS(crls_failed) },
	{ "roa",	WS(roas),		WS(roas_failed) },
	{ "asa",	WS(aspas),		WS(aspas_failed) },
	{ "router",	WS(router_certs),	WS(router_certs_failed) },
};
#undef WS

/* The label value s with \, " and newline escaped (Prometheus rules). */
static int
put_label(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if ((*s == '\\' || *s == '"') && fputc('\\', fp) == EOF)
			return -1;
		if (*s == '\n') {
			if (fputs("\\n", fp) == EOF)
				return -1;
		} else if (fputc(*s, fp) == EOF)
			return -1;
	}
	return 0;
}

static int
help(FILE *fp, const char *name, const char *type, const char *text)
{
	return fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, text, name,
	    type) < 0 ? -1 : 0;
}

static const char *
result_name(int status)
{
	switch (status) {
	case VALIDATE_EXIT_OK:
		return "ok";
	case VALIDATE_EXIT_PARTIAL:
		return "partial";
	default:
		return "failed";
	}
}

static int
write_run(FILE *fp, const struct metrics_data *m)
{
	static const int states[] = {
		VALIDATE_EXIT_OK, VALIDATE_EXIT_PARTIAL, VALIDATE_EXIT_FAIL
	};
	size_t i;

	if (help(fp, "reef_validate_result", "gauge", "1 for the outcome of "
	    "the last run (ok, partial: some repositories not fetched, "
	    "failed: outputs not replaced)") == -1)
		return -1;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (fprintf(fp, "reef_validate_result{result=\"%s\"} %d\n",
		    result_name(states[i]), states[i] == m->exit_status) < 0)
			return -1;
	if (help(fp, "reef_validate_exit_status", "gauge", "exit status of "
	    "the last run") == -1 ||
	    fprintf(fp, "reef_validate_exit_status %d\n", m->exit_status) < 0 ||
	    help(fp, "reef_validate_start_timestamp_seconds", "gauge",
	    "when the last run started") == -1 ||
	    fprintf(fp, "reef_validate_start_timestamp_seconds %lld\n",
	    (long long)m->start) < 0 ||
	    help(fp, "reef_validate_duration_seconds", "gauge", "wall-clock "
	    "time of the last run") == -1 ||
	    fprintf(fp, "reef_validate_duration_seconds %.3f\n",
	    m->duration) < 0 ||
	    help(fp, LAST_SUCCESS_METRIC, "gauge", "when a run last replaced "
	    "the outputs (0: never)") == -1 ||
	    fprintf(fp, LAST_SUCCESS_METRIC " %lld\n",
	    (long long)m->last_success) < 0)
		return -1;
	return 0;
}

/* Number of repositories with this protocol and result. */
static size_t
repo_count(const struct metrics_data *m, const char *proto,
    const char *result)
{
	size_t i, n = 0;

	for (i = 0; i < m->nrepos; i++)
		if (strcmp(m->repos[i].protocol, proto) == 0 &&
		    strcmp(m->repos[i].result, result) == 0)
			n++;
	return n;
}

/* One per-repository sample: name{repository="uri"} value. */
static int
repo_sample(FILE *fp, const char *name, const struct report_repo *r,
    int decimals, double v)
{
	if (fprintf(fp, "%s{repository=\"", name) < 0 ||
	    put_label(fp, r->uri) == -1 || fputs("\"} ", fp) == EOF ||
	    fprintf(fp, "%.*f\n", decimals, v) < 0)
		return -1;
	return 0;
}

static int
write_repos(FILE *fp, const struct metrics_data *m)
{
	static const char *const protos[] = { "rrdp", "rsync", "none" };
	static const char *const results[] = { "ok", "stale", "failed" };
	const struct report_repo *r;
	size_t i, k;

	if (help(fp, "reef_repositories", "gauge", "repositories by the "
	    "protocol that brought their content and the fetch result") == -1)
		return -1;
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		for (k = 0; k < sizeof(results) / sizeof(results[0]); k++)
			if (fprintf(fp, "reef_repositories{protocol=\"%s\","
			    "result=\"%s\"} %zu\n", protos[i], results[k],
			    repo_count(m, protos[i], results[k])) < 0)
				return -1;
	if (help(fp, "reef_repository_fetch", "gauge", "1 per repository, "
	    "labelled with its protocol and fetch result") == -1)
		return -1;
	for (i = 0; i < m->nrepos; i++) {
		r = &m->repos[i];
		if (fputs("reef_repository_fetch{repository=\"", fp) == EOF ||
		    put_label(fp, r->uri) == -1 ||
		    fprintf(fp, "\",protocol=\"%s\",result=\"%s\"} 1\n",
		    r->protocol, r->result) < 0)
			return -1;
	}
	if (help(fp, "reef_repository_bytes", "gauge", "bytes received this "
	    "run") == -1)
		return -1;
	for (i = 0; i < m->nrepos; i++)
		if (repo_sample(fp, "reef_repository_bytes", &m->repos[i],
		    0, (double)m->repos[i].bytes) == -1)
			return -1;
	if (help(fp, "reef_repository_objects", "gauge", "objects written or "
	    "deleted this run") == -1)
		return -1;
	for (i = 0; i < m->nrepos; i++)
		if (repo_sample(fp, "reef_repository_objects", &m->repos[i],
		    0, (double)m->repos[i].objects) == -1)
			return -1;
	if (help(fp, "reef_repository_fetch_duration_seconds", "gauge",
	    "wall-clock time of the fetch") == -1)
		return -1;
	for (i = 0; i < m->nrepos; i++)
		if (repo_sample(fp, "reef_repository_fetch_duration_seconds",
		    &m->repos[i], 3,
		    (double)m->repos[i].milliseconds / 1000) == -1)
			return -1;
	return 0;
}

static int
write_objects(FILE *fp, const struct metrics_data *m)
{
	const unsigned char *ws = (const unsigned char *)m->walk;
	const struct obj_count *o;
	size_t i, ok, bad;

	if (help(fp, "reef_objects", "gauge", "objects of the last walk by "
	    "type and fate") == -1)
		return -1;
	for (i = 0; i < sizeof(obj_counts) / sizeof(obj_counts[0]); i++) {
		o = &obj_counts[i];
		ok = bad = 0;
		if (ws != NULL) {
			memcpy(&ok, ws + o->offset_ok, sizeof(ok));
			memcpy(&bad, ws + o->offset_bad, sizeof(bad));
		}
		if (fprintf(fp, "reef_objects{type=\"%s\",state=\"accepted\"} "
		    "%zu\nreef_objects{type=\"%s\",state=\"rejected\"} %zu\n",
		    o->type, ok, o->type, bad) < 0)
			return -1;
	}
	return 0;
}

/*
 * Publication points of the last walk: validated in full, reused from the
 * memo (incremental validation), failed, replaced by the store's copy.
 */
static int
write_pubpoints(FILE *fp, const struct metrics_data *m)
{
	const struct walk_stats *w = m->walk;
	size_t total = w != NULL ? w->pubpoints : 0;
	size_t reused = w != NULL ? w->pubpoints_reused : 0;

	if (help(fp, "reef_publication_points", "gauge", "publication "
	    "points of the last walk by outcome") == -1)
		return -1;
	if (fprintf(fp, "reef_publication_points{state=\"validated\"} %zu\n"
	    "reef_publication_points{state=\"reused\"} %zu\n"
	    "reef_publication_points{state=\"failed\"} %zu\n"
	    "reef_publication_points{state=\"stored\"} %zu\n",
	    total - (reused > total ? total : reused), reused,
	    w != NULL ? w->pubpoints_failed : 0,
	    w != NULL ? w->pubpoints_stored : 0) < 0)
		return -1;
	return 0;
}

/* The TA index of element i of the set kind k. */
static uint32_t
payload_ta(const struct metrics_data *m, int k, size_t i)
{
	struct router_key rk;
	struct aspa a;

	if (k == 0)
		return vrpset_get(m->vrps, i)->ta;
	if (k == 1)
		return aspaset_get(m->aspas, i, &a) == 1 ? a.ta : UINT32_MAX;
	return rkset_get(m->rks, i, &rk) == 1 ? rk.ta : UINT32_MAX;
}

static int
write_payloads(FILE *fp, const struct metrics_data *m)
{
	static const char *const names[] = {
		"reef_vrps", "reef_aspas", "reef_router_keys"
	};
	size_t count[3], *per = NULL, i, t;
	int k, rc = -1;

	count[0] = m->vrps != NULL ? vrpset_count(m->vrps) : 0;
	count[1] = m->aspas != NULL ? aspaset_count(m->aspas) : 0;
	count[2] = m->rks != NULL ? rkset_count(m->rks) : 0;
	if ((per = calloc(m->nta + 1, sizeof(*per))) == NULL)
		return -1;
	for (k = 0; k < 3; k++) {
		if (help(fp, names[k], "gauge", "validated payloads written, "
		    "in all and per Trust Anchor") == -1 ||
		    fprintf(fp, "%s %zu\n", names[k], count[k]) < 0)
			goto out;
		memset(per, 0, (m->nta + 1) * sizeof(*per));
		for (i = 0; i < count[k]; i++)
			if ((t = payload_ta(m, k, i)) < m->nta)
				per[t]++;
		for (t = 0; t < m->nta; t++) {
			if (fprintf(fp, "%s{ta=\"", names[k]) < 0 ||
			    put_label(fp, m->ta_names[t]) == -1 ||
			    fprintf(fp, "\"} %zu\n", per[t]) < 0)
				goto out;
		}
	}
	rc = 0;
 out:
	free(per);
	return rc;
}

static int
write_incidences(FILE *fp)
{
	int id;

	if (help(fp, "reef_profile_incidences", "gauge", "objects accepted "
	    "despite a known deviation from the RPKI profiles, by "
	    "incidence") == -1)
		return -1;
	for (id = 0; id < INCIDENCE_COUNT; id++)
		if (fprintf(fp, "reef_profile_incidences{incidence=\"%s\"} "
		    "%llu\n", incidence_name(id),
		    (unsigned long long)incidence_count(id)) < 0)
			return -1;
	return 0;
}

/*
 * Print the metrics of m to fp.  Returns 0 or -1.
 */
int
output_metrics(FILE *fp, const struct metrics_data *m)
{
	if (write_run(fp, m) == -1 || write_repos(fp, m) == -1 ||
	    write_objects(fp, m) == -1 || write_pubpoints(fp, m) == -1 ||
	    write_payloads(fp, m) == -1 ||
	    write_incidences(fp) == -1)
		return -1;
	return 0;
}

/*
 * OUTDIR/metrics, replaced atomically.  Returns 0 or -1 (logged).
 */
int
output_write_metrics(const char *outdir, const struct metrics_data *m)
{
	char path[MAX_PATH_LENGTH + 1];
	struct atomic_file *af;
	FILE *fp;
	int len;

	len = snprintf(path, sizeof(path), "%s/%s", outdir,
	    OUTPUT_METRICS_FILE);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		log_errorx_obj(outdir, "metrics path too long");
		return -1;
	}
	if ((af = atomic_begin(path, 0644)) == NULL) {
		log_msg_errno(LOG_LEVEL_ERROR, path, "cannot create");
		return -1;
	}
	fp = atomic_stream(af);
	if (output_metrics(fp, m) != 0 || fflush(fp) != 0 || ferror(fp)) {
		log_msg_errno(LOG_LEVEL_ERROR, path, "metrics output failed");
		atomic_abort(af);
		return -1;
	}
	if (atomic_commit(af) != 0) {
		log_msg_errno(LOG_LEVEL_ERROR, path, "cannot replace");
		return -1;
	}
	return 0;
}

/*
 * The LAST_SUCCESS_METRIC value of OUTDIR/metrics, or 0.
 */
int64_t
output_metrics_last_success(const char *outdir)
{
	char path[MAX_PATH_LENGTH + 1], line[MAX_URI_LENGTH];
	long long v;
	int64_t t = 0;
	FILE *fp;
	int len, bol = 1;

	len = snprintf(path, sizeof(path), "%s/%s", outdir,
	    OUTPUT_METRICS_FILE);
	if (len < 0 || (size_t)len >= sizeof(path) ||
	    (fp = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		/* Only at the start of a line, not in the rest of a long one. */
		if (bol && strncmp(line, LAST_SUCCESS_METRIC " ",
		    sizeof(LAST_SUCCESS_METRIC)) == 0 &&
		    sscanf(line + sizeof(LAST_SUCCESS_METRIC), "%lld",
		    &v) == 1 && v > 0) {
			t = v;
			break;
		}
		bol = strchr(line, '\n') != NULL;
	}
	fclose(fp);
	return t;
}
