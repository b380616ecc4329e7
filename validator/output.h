/*
 * The outputs of "reef validate": the validated payloads in the formats
 * routers and other tools read, written into the output directory.
 *
 *	vrps.csv	rpki-client's CSV (output_csv.c)
 *	vrps.json	rpki-client's JSON, read by StayRTR (output_json.c)
 *	openbgpd	OpenBGPD roa-set / aspa-set (output_bgpd.c)
 *	bird		BIRD 2 roa4/roa6 tables (output_bird.c)
 *	bird1v4, bird1v6 BIRD 1 roa tables (output_bird.c)
 *	reef.handoff	binary hand-off for reef-rtrd (output_handoff.c)
 *	report.json	every object seen and its fate (report.c)
 *
 * Each writer prints one complete file to a stdio stream and returns 0,
 * or -1 when a write failed.  output_write_all() writes the selected
 * files into a new run directory and, only when every one succeeded,
 * switches the public names to it with one rename (outdir.h): a failed
 * run replaces no output at all, and readers never see the files of two
 * runs mixed.
 *
 * The order of entries is the order of the frozen sets (vrpset.h,
 * aspaset.h, rkset.h), which is rpki-client's, so the text outputs of the
 * two compare line by line.
 */
#ifndef REEF_VALIDATOR_OUTPUT_H
#define REEF_VALIDATOR_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/aspaset.h"
#include "common/rkset.h"
#include "common/vrpset.h"

struct report;
struct report_points;
struct outdir_run;

/* Output format flags (output_parse_formats()). */
#define OUTPUT_CSV	0x01
#define OUTPUT_JSON	0x02
#define OUTPUT_BGPD	0x04
#define OUTPUT_BIRD	0x08	/* BIRD 2 */
#define OUTPUT_BIRD1	0x10	/* BIRD 1: bird1v4 and bird1v6 */
#define OUTPUT_HANDOFF	0x20
#define OUTPUT_REPORT	0x40
#define OUTPUT_ALL	0x7f
/* What reef validate writes without -f. */
#define OUTPUT_DEFAULT	(OUTPUT_CSV | OUTPUT_JSON | OUTPUT_HANDOFF | \
			    OUTPUT_REPORT)

/* Longest host name kept for the metadata (NI_MAXHOST is 1025). */
#define OUTPUT_HOSTNAME_MAX	256
/* BIRD table name prefix (rpki-client's default, -B). */
#define OUTPUT_BIRD_TABLE	"ROAS"

/* Counters shown in the metadata of the outputs (rpki-client's names). */
struct output_stats {
	size_t	roas, roas_failed;
	size_t	aspas, aspas_failed;
	size_t	router_certs;
	size_t	certs, certs_failed;
	size_t	tals, tals_failed;
	size_t	manifests, manifests_failed;
	size_t	crls;
	size_t	repositories;
	size_t	vrps;		/* before de-duplication */
	size_t	slurm_filtered;	/* payloads removed by SLURM filters */
	size_t	slurm_asserted;	/* payloads added by SLURM assertions */
};

/*
 * Everything the writers print.  Nothing is owned: the caller keeps the
 * sets (frozen; NULL is taken as empty), the names and the report.
 * ta_names[i] is the name of TA index i; an index beyond nta prints as
 * "unknown" in the text formats (the hand-off writer refuses it).
 */
struct output_data {
	const struct vrpset	*vrps;
	const struct aspaset	*aspas;
	const struct rkset	*rks;
	const char * const	*ta_names;
	size_t			 nta;
	int64_t			 buildtime;	/* validation time (s since epoch) */
	int64_t			 elapsed;	/* wall-clock seconds of the run */
	int64_t			 usertime;	/* CPU seconds */
	int64_t			 systemtime;
	const char		*hostname;	/* NULL: "localhost" */
	struct output_stats	 stats;
	struct report		*report;	/* NULL: an empty report */
	unsigned int		 jobs;		/* files written at once; 0: 1 */
	/*
	 * OUTPUT_PROGRAM_LEN bytes naming this build of Reef (the memo's
	 * tag, ppmemo_program_tag()), part of every writer's inputs; NULL:
	 * every file is written (validator/outkeep.h).
	 */
	const unsigned char	*program;
	/*
	 * Entries of report.json kept apart from report (walk.h,
	 * report_defer): report_fill(report_fill_arg) adds them to report
	 * before it is written, and report_inputs(report_fill_arg, md)
	 * gives the digest of the report's inputs
	 * (output_report_inputs()).  NULL: report holds everything.
	 */
	int			(*report_fill)(void *arg);
	int			(*report_inputs)(void *arg, unsigned char *md);
	void			*report_fill_arg;
	/*
	 * Those entries as points (validator/reportpatch.h): report.json
	 * is then written by patching the run in use's where it can, and
	 * gets an index for the next run (validator/reportidx.h); NULL:
	 * report_fill as above.  Needs program.
	 */
	const struct report_points *report_points;
	/*
	 * With report_points: the report holds none of their entries yet,
	 * so the run in use's report.json may be patched.  0: written in
	 * full (with its index) from what report_points fills in.
	 */
	int			 report_patch;
};

#define OUTPUT_PROGRAM_LEN	32

/* One output file. */
struct output_writer {
	unsigned int	 flag;		/* OUTPUT_* */
	const char	*name;		/* format name for -f */
	const char	*filename;	/* file in the output directory */
	int		(*write)(FILE *, const struct output_data *);
	/*
	 * For a file whose text depends only on the data, not on the run's
	 * time: the SHA-256 of everything it is written from (d->program
	 * included), into md.  0, or -1 when it cannot be told.  NULL for
	 * the others, which are written every run.
	 */
	int		(*inputs)(const struct output_data *d, unsigned char *md);
	/*
	 * For a file whose head changes every run (its time) while the rest,
	 * its body, depends only on the data: body_inputs as inputs, for
	 * the body; write_split() as write, telling at which offset the
	 * body begins; write_head() writes the head alone, exactly as
	 * write_split() begins, so that an unchanged body can be copied
	 * after it.  NULL for the others.
	 */
	int		(*body_inputs)(const struct output_data *d,
			    unsigned char *md);
	int		(*write_split)(FILE *, const struct output_data *,
			    uint64_t *body);
	int		(*write_head)(FILE *, const struct output_data *);
	/*
	 * With body_inputs: the file ends with this many bytes (0: none),
	 * the SHA-256 of all before them, which a copied body gets anew.
	 */
	size_t		 body_trailer;
	/*
	 * NULL, or how to write the file with the run directory at hand
	 * (instead of write), and a file of that directory written with it
	 * and kept with it (NULL: none).
	 */
	int		(*write_run)(FILE *, struct outdir_run *,
			    const struct output_data *);
	const char	*companion;
};

/* The writers, ended by an entry with a NULL name. */
extern const struct output_writer output_writers[];

int	output_csv(FILE *, const struct output_data *);
int	output_json(FILE *, const struct output_data *);
int	output_bgpd(FILE *, const struct output_data *);
int	output_bird2(FILE *, const struct output_data *);
int	output_bird1v4(FILE *, const struct output_data *);
int	output_bird1v6(FILE *, const struct output_data *);
int	output_handoff(FILE *, const struct output_data *);
int	output_report(FILE *, const struct output_data *);
int	output_report_run(FILE *, struct outdir_run *,
	    const struct output_data *);

/* The writers' inputs and parts (struct output_writer). */
int	output_csv_inputs(const struct output_data *, unsigned char *);
int	output_report_inputs(const struct output_data *, unsigned char *);
int	output_json_body_inputs(const struct output_data *, unsigned char *);
int	output_json_split(FILE *, const struct output_data *, uint64_t *);
int	output_json_head(FILE *, const struct output_data *);
int	output_handoff_body_inputs(const struct output_data *, unsigned char *);
int	output_handoff_split(FILE *, const struct output_data *, uint64_t *);
int	output_handoff_head(FILE *, const struct output_data *);

/*
 * The comment lines ("# ...") that open the bgpd and BIRD files, as
 * rpki-client writes them: host, time, processing time and counters.
 * Returns 0 or -1 on a write error.
 */
int		 output_text_header(FILE *, const struct output_data *);

/*
 * The name of TA index ta: d->ta_names[ta], or "unknown" when out of
 * range.  The string belongs to d.
 */
const char	*output_ta_name(const struct output_data *d, uint32_t ta);

/*
 * Parse a comma-separated list of format names ("csv,json,bgpd", with
 * "openbgpd" for "bgpd", "bird2" for "bird" and "all" for every format)
 * into OUTPUT_* flags.  Returns 0 with *flags set, or -1 on an unknown or
 * empty name (the list is then not used).
 */
int		 output_parse_formats(const char *list, unsigned int *flags);

/*
 * Write the files selected by flags into a new run directory of the
 * existing directory outdir (mode 0644, each synced); only when every
 * one was written completely are the public names switched to them, all
 * at once (outdir.h).  Public names of formats not selected disappear.
 * The files are written by up to d->jobs threads at once, so writers
 * only read d.  Returns 0, or -1 after logging what failed (no output is
 * then replaced).
 */
int		 output_write_all(const char *outdir, unsigned int flags,
		    const struct output_data *d);

/*
 * OUTDIR/metrics: the run in Prometheus text format (reef-formats(5),
 * METRICS), written by output_metrics.c whatever the run's outcome, so
 * that a monitoring system sees failures too.  It describes the last
 * attempt, not the outputs in use, so it is not part of their set: a
 * plain file in outdir, replaced atomically on its own.
 */
#define OUTPUT_METRICS_FILE	"metrics"

struct report_repo;
struct walk_stats;

/* Everything the metrics file shows; nothing is owned. */
struct metrics_data {
	int			 exit_status;	/* VALIDATE_EXIT_* of the run */
	int64_t			 start;		/* s since epoch (wall clock) */
	double			 duration;	/* s */
	int64_t			 last_success;	/* s since epoch; 0: never */
	const struct report_repo *repos;	/* fetch results; NULL: offline */
	size_t			 nrepos;
	const struct walk_stats	*walk;		/* NULL: the walk did not run */
	const struct vrpset	*vrps;		/* final sets, NULL: none */
	const struct aspaset	*aspas;
	const struct rkset	*rks;
	const char * const	*ta_names;	/* nta names, for per-TA counts */
	size_t			 nta;
};

/*
 * Print the metrics to fp.  Returns 0, or -1 on a write error.
 */
int		 output_metrics(FILE *fp, const struct metrics_data *m);

/*
 * Write OUTDIR/metrics atomically (temporary file, then rename).
 * Returns 0, or -1 after logging.
 */
int		 output_write_metrics(const char *outdir,
		    const struct metrics_data *m);

/*
 * The last success time recorded in OUTDIR/metrics by a previous run,
 * or 0 when there is none (or it cannot be read).
 */
int64_t		 output_metrics_last_success(const char *outdir);

/*
 * Remove what a run killed while writing left in outdir: run directories
 * not in use and temporary links (outdir_clean()), and the temporaries
 * (".NAME.XXXXXX") of the links, of the metrics and of the plain output
 * files of older versions.  Call it only while holding the run lock.
 */
void		 output_clean_temps(const char *outdir);

#endif
