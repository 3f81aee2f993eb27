/* The patrol worker (src/patrol/worker.c; `pubguard worker`): leases jobs from the server's
 * worker API (/api/v1/worker, bearer token), runs the patrol library on them and returns the
 * results (evidence uploaded first, then RESULT). The protocol is in docs/ARCHITECTURE.md.
 * A worker holds no database credentials and parses untrusted pages: one job at a time.
 * Fallible functions return 0 or a negative PGD_ERR_* and fill err (Chinese message). */
#ifndef PUBGUARD_WORKER_H
#define PUBGUARD_WORKER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pubguard/err.h"
#include "pubguard/patrol.h"

#define PGD_WORKER_KIND_PATROL 1
#define PGD_WORKER_KIND_PROBE 2

/* A leased job, parsed from the lease answer's "job" object. */
struct pgd_worker_job {
	int64_t id;
	char lease[65];                  /* secret: never logged; wiped by _release */
	int lease_seconds;
	int kind;                        /* PGD_WORKER_KIND_* */
	int64_t platform_id;
	char *platform_name;             /* may be NULL */
	char *platform_type;             /* "website", "wechat", ... */
	char *url;                       /* platform.url: http(s) for websites (checked when run); may be NULL */
	char *feed_url;                  /* may be NULL */
	time_t as_of;
	struct pgd_patrol_opts opts;     /* as_of, timeouts, limits, th, home_baseline (pointers into this job) */
	int content_checks, screenshots; /* options.content_checks / options.screenshots */
	struct pgd_patrol_thresholds th;
	int has_baseline;
	struct pgd_patrol_home baseline; /* valid when has_baseline */
	char posts_sha256[65];           /* "": a crawl or feed patrol; else an uploaded export of posts */
};

/* Parse a JOB object (the value of "job"; the text is untrusted). Every field of the protocol is
 * required; unknown fields, wrong types and values out of range are errors (PGD_ERR_FORMAT, the
 * message names the field). On error, *id_out (may be NULL) and lease_out (may be NULL, 65 bytes)
 * receive the job's id and lease when those could be read (0 / "" otherwise), so that the job can
 * be failed through /fail. *job is new: pgd_worker_job_release(). */
int pgd_worker_job_parse(const char *json, size_t len, struct pgd_worker_job *job, int64_t *id_out,
	char *lease_out, struct pgd_err *err);
void pgd_worker_job_release(struct pgd_worker_job *job); /* NULL ok; wipes the lease */

/* What a finished job returns (RESULT of the protocol). */
struct pgd_worker_result {
	const char *lease;
	const struct pgd_patrol_report *report;  /* NULL: a probe job (empty lists) */
	const struct pgd_patrol_probe *probe;    /* NULL: a patrol job ("probe": null) */
	time_t started_at, finished_at;
	char *const *shots;                      /* per finding of report: screenshot sha256 or NULL; may be NULL */
	const unsigned char *evidence_ok;        /* per report->evidence: 1 when uploaded; NULL: the first 1000 */
};

/* The RESULT JSON text (new: free()). Evidence entries not uploaded are left out and findings
 * pointing at them get "evidence": null; strings over 8 KB are cut (at a UTF-8 boundary); lists
 * are cut at the protocol's caps. PGD_ERR_INTERNAL when JSON cannot be built, PGD_ERR_IO when items
 * spilled to a file (report->spill_found) cannot be read back. */
int pgd_worker_result_json(const struct pgd_worker_result *res, char **out, struct pgd_err *err);

/* TS of the protocol: "YYYY-MM-DDTHH:MM:SSZ" into out (>= 21 bytes). */
void pgd_worker_format_ts(time_t t, char *out, size_t n);
/* Parse a TS. 0, or PGD_ERR_INVALID. */
int pgd_worker_parse_ts(const char *s, time_t *t);

struct pgd_rules;

struct pgd_worker_opts {
	const char *server;          /* base URL, e.g. "http://127.0.0.1:8080" */
	const char *token;           /* borrowed; never logged */
	int kinds;                   /* PGD_WORKER_KIND_* mask; 0: both */
	int once;                    /* take at most one job, then return */
	const char *work_dir;        /* where per-job evidence dirs are made; NULL: $TMPDIR or /tmp */
	const char *cache_dir;       /* incremental re-crawl state; NULL: none */
	int screenshots;             /* 0: never; 1: when the job asks and chromium is installed */
	int poll_s;                  /* seconds between leases when there is no job (default 5) */
	const char *chromium;        /* chromium binary; NULL: `chromium` on PATH or /usr/bin/chromium */
	/* content checks: rules loaded lazily with this data dir (NULL: $PGD_DATA_DIR ...) */
	const char *rules_data_dir;
	const char *rules_cache_dir;
	const char *ca_file;         /* PEM file of CA certificates trusted besides the system's (an
	                                intranet's own CA): for the sites patrolled and probed, and for an
	                                https server; NULL: the system's only */
	volatile sig_atomic_t *stop; /* set (by a signal handler) to stop after the current job */
	/* log lines (English, no secrets); may be NULL */
	void (*log)(void *arg, const char *line);
	void *log_arg;
};

/* Check a CA file before a worker or `pubguard patrol` relies on it (--ca-file): a readable
 * regular file (symbolic links followed) of at most 16 MB holding at least one PEM certificate
 * ("-----BEGIN CERTIFICATE-----"). 0, or PGD_ERR_IO (cannot be read) / PGD_ERR_FORMAT (no PEM
 * certificate) / PGD_ERR_TOO_LARGE with a Chinese message naming the file. */
int pgd_worker_check_ca_file(const char *path, struct pgd_err *err);

/* Run the worker loop until *stop is set (or, with once, after one job or none). *jobs_done
 * (may be NULL) receives the number of jobs taken. Returns 0, or a negative code: the server
 * refused the token (PGD_ERR_FORBIDDEN), could not be reached in once mode (PGD_ERR_IO), or
 * bad options (PGD_ERR_INVALID; a ca_file refused: pgd_worker_check_ca_file's code). Before each
 * job the ca_file is checked again: a job is failed, not run, while it cannot be read (every
 * https site would look unavailable). */
int pgd_worker_run(const struct pgd_worker_opts *o, size_t *jobs_done, struct pgd_err *err);

#endif
