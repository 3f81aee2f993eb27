/* The patrol's server-side store (issue 4, second slice): workers and their tokens, the job
 * queue with leases, ingestion of a worker's result, availability probes, findings, columns,
 * evidence blobs (zlib, verified by SHA-256) and the accepted home page baseline.
 * The job protocol is docs/patrol-protocol.md (the design: docs/ARCHITECTURE.md, "Patrol").
 *
 * Times: functions that depend on the clock take `now` (UTC seconds) so tests can move it.
 * Secrets (worker tokens, lease tokens) are stored only as their SM3 (lowercase hex, 64 chars);
 * the callers hash them (pgd_patrol_secret_hash). Fallible functions return 0 or a negative
 * PGD_ERR_* and fill err (Chinese message). Notable: PGD_ERR_CONFLICT with err->field
 * "lease_lost" when a lease is not the job's current one. */
#ifndef PUBGUARD_PATROL_STORE_H
#define PUBGUARD_PATROL_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pubguard/patrol.h"

struct pgd_err;
struct pgd_store;

#define PGD_PATROL_LEASE_ATTEMPTS 3          /* the third expired lease fails the job */
#define PGD_PATROL_EVIDENCE_MAX (16u << 20)  /* bytes of one evidence blob */

/* A fresh random secret (32 bytes) as 64 lowercase hex digits + NUL. */
void pgd_patrol_secret_new(char out[65]);
/* SM3 of a secret's text, lowercase hex. */
void pgd_patrol_secret_hash(const char *secret, char out[65]);

/* ---- workers ---- */
struct pgd_patrol_worker {
	int64_t id;
	char name[64];
	char created_at[32];
	char last_seen_at[32]; /* "" never */
	char revoked_at[32];   /* "" active */
};
/* Add a worker (name 1..60 bytes of letters, digits, '-', '_', '.'); CONFLICT when the name
 * exists. replace = 1: an existing worker of that name gets the new token and is un-revoked
 * (the server's "local" worker at every start). */
int pgd_patrol_worker_add(struct pgd_store *st, const char *name, const char *token_hash, int replace,
	int64_t *id, struct pgd_err *err);
/* new array: free(). */
int pgd_patrol_worker_list(struct pgd_store *st, struct pgd_patrol_worker **out, size_t *n, struct pgd_err *err);
int pgd_patrol_worker_revoke(struct pgd_store *st, const char *name, struct pgd_err *err); /* NOT_FOUND */
/* The active worker with this token hash (NOT_FOUND when none or revoked); touches last_seen_at. */
int pgd_patrol_worker_auth(struct pgd_store *st, const char *token_hash, struct pgd_patrol_worker *out,
	struct pgd_err *err);

/* ---- jobs ---- */
struct pgd_patrol_job {
	int64_t id;
	int64_t platform_id;
	char kind[8];          /* "patrol" | "probe" */
	char period[80];  /* "YYYY-MM-DD", "YYYY-MM-DDTHH:MM", "now:<unix>", "posts:<sha256>" */
	char requested_by[64];
	char status[8];        /* queued | leased | done | failed */
	int attempts;
	int64_t worker_id;
	char lease_expires_at[32];
	int64_t progress_done, progress_total, pages, links, findings;
	char *error;           /* may be NULL */
	char created_at[32], started_at[32], finished_at[32]; /* "" when unset */
	char *platform_name;   /* read only */
	int64_t unit_id;       /* read only: the platform's unit */
};
void pgd_patrol_job_release(struct pgd_patrol_job *j); /* NULL ok */
struct pgd_patrol_job_list { struct pgd_patrol_job *items; size_t n; int64_t total; };
void pgd_patrol_job_list_release(struct pgd_patrol_job_list *l);

/* Enqueue (platform, kind, period) unless it exists (INSERT ... ON CONFLICT DO NOTHING): *id gets
 * the new job's id, or 0 when it existed. */
int pgd_patrol_job_enqueue(struct pgd_store *st, int64_t platform_id, const char *kind, const char *period,
	const char *requested_by, time_t now, int64_t *id, struct pgd_err *err);
int pgd_patrol_job_get(struct pgd_store *st, int64_t id, struct pgd_patrol_job *out, struct pgd_err *err);
/* The queued or leased job of that kind of the platform, 0 when none. */
int pgd_patrol_job_active(struct pgd_store *st, int64_t platform_id, const char *kind, int64_t *id,
	struct pgd_err *err);
struct pgd_patrol_job_query {
	int page, page_size;
	int64_t platform_id, unit_id; /* 0: all */
	const char *status, *kind;    /* NULL: all */
};
int pgd_patrol_job_list(struct pgd_store *st, const struct pgd_patrol_job_query *q, struct pgd_patrol_job_list *out,
	struct pgd_err *err);
/* Lease the oldest queued job of the kinds (bit 0 patrol, bit 1 probe), or a leased one whose
 * lease expired (attempts < 3; one at 3 is marked failed "多次租约过期"). *out->id = 0 when none.
 * lease gets the fresh lease token (only its SM3 is stored; the caller wipes it). */
#define PGD_PATROL_KIND_PATROL 1u
#define PGD_PATROL_KIND_PROBE 2u
int pgd_patrol_job_lease(struct pgd_store *st, int64_t worker_id, unsigned kinds, int lease_seconds, time_t now,
	struct pgd_patrol_job *out, char lease[65], struct pgd_err *err);
/* CONFLICT (field "lease_lost") unless job id is leased with this lease and not expired. */
int pgd_patrol_job_check_lease(struct pgd_store *st, int64_t id, const char *lease, time_t now, struct pgd_err *err);
/* Progress: stores done/total and extends the lease to now + lease_seconds. */
int pgd_patrol_job_progress(struct pgd_store *st, int64_t id, const char *lease, int64_t done, int64_t total,
	int lease_seconds, time_t now, struct pgd_err *err);
int pgd_patrol_job_fail(struct pgd_store *st, int64_t id, const char *lease, const char *error, time_t now,
	struct pgd_err *err);

/* ---- a worker's result ---- */
/* Plain data; the server fills and frees it (the store does not link the patrol library). */
struct pgd_patrol_result {
	struct pgd_patrol_report rep;  /* findings (items, n), columns, found items, evidence, home, counts */
	char **screenshots;            /* rep.n entries (each NULL or a sha256), may be NULL */
	int has_home;
	int has_probe;
	struct pgd_patrol_probe probe;
};
/* Ingest a result in one transaction (the protocol's six steps). *already = 1 when the job is
 * already done with this same lease (nothing changes). unreviewed_since "YYYY-MM-DD" or NULL.
 * PGD_ERR_INVALID with field "evidence_missing" and the sha256 in the message when a referenced
 * blob was not uploaded. */
int pgd_patrol_ingest(struct pgd_store *st, int64_t job_id, const char *lease, const struct pgd_patrol_result *r,
	const struct pgd_patrol_thresholds *th, const char *unreviewed_since, time_t now, int *already,
	struct pgd_err *err);

/* ---- evidence blobs ---- */
/* Store bytes under sha256 (lowercase hex; INTEGRITY when SHA-256(bytes) differs). *created = 1
 * when stored now, 0 when it was already there. zlib-compressed unless that does not help. */
int pgd_patrol_blob_put(struct pgd_store *st, const char *sha256, const void *bytes, size_t len, int *created,
	struct pgd_err *err);
/* new bytes (free()); NOT_FOUND; INTEGRITY when the stored bytes do not hash to sha256. */
int pgd_patrol_blob_get(struct pgd_store *st, const char *sha256, unsigned char **out, size_t *len,
	struct pgd_err *err);
int pgd_patrol_blob_exists(struct pgd_store *st, const char *sha256, int *exists, struct pgd_err *err);

struct pgd_patrol_evidence_row {
	char sha256[65];
	char kind[16];
	char *url;
	char fetched_at[32];
	int64_t status;
	char *content_type, *headers, *of; /* may be NULL */
	int64_t size;
};
void pgd_patrol_evidence_row_release(struct pgd_patrol_evidence_row *e);
int pgd_patrol_evidence_get(struct pgd_store *st, const char *sha256, struct pgd_patrol_evidence_row *out,
	struct pgd_err *err);
/* unit ids of the platforms with a finding citing sha256 (as evidence or screenshot); new array. */
int pgd_patrol_evidence_units(struct pgd_store *st, const char *sha256, int64_t **units, size_t *n,
	struct pgd_err *err);

/* ---- findings ---- */
struct pgd_patrol_finding_row {
	int64_t id, platform_id, unit_id, line, times_seen;
	char *platform_name, *unit_name, *category, *url, *target, *text, *message;
	char severity[8], status[12];
	char evidence_sha256[65], screenshot_sha256[65];
	char first_seen_at[32], last_seen_at[32], handled_at[32], resolved_at[32];
	char *handled_by, *handle_note;
};
void pgd_patrol_finding_row_release(struct pgd_patrol_finding_row *f);
struct pgd_patrol_finding_list { struct pgd_patrol_finding_row *items; size_t n; int64_t total; };
void pgd_patrol_finding_list_release(struct pgd_patrol_finding_list *l);
struct pgd_patrol_finding_query {
	int page, page_size;
	int64_t platform_id, unit_id;
	const char *category, *severity, *search;
	const char *status; /* open|confirmed|dismissed|resolved|active (NULL: active) */
};
int pgd_patrol_finding_list(struct pgd_store *st, const struct pgd_patrol_finding_query *q,
	struct pgd_patrol_finding_list *out, struct pgd_err *err);
int pgd_patrol_finding_get(struct pgd_store *st, int64_t id, struct pgd_patrol_finding_row *out,
	struct pgd_err *err);
/* status "confirmed" or "dismissed" (dismissed needs a note: INVALID field "note"). */
int pgd_patrol_finding_handle(struct pgd_store *st, int64_t id, const char *status, const char *note,
	const char *by, time_t now, struct pgd_err *err);

/* ---- per platform ---- */
struct pgd_patrol_column_row {
	char *url, *name;
	char kind[8];
	char newest_at[32];
	int64_t items;
	int stale, empty;
};
struct pgd_patrol_probe_row {
	char at[32];
	int ok;
	int64_t status, ms;
	char *error;
};
struct pgd_patrol_summary {
	int64_t week_probes, week_failed;
	char tls_expires[32];
	struct pgd_patrol_probe_row *probes; size_t n_probes;
	struct pgd_patrol_column_row *columns; size_t n_columns;
	int64_t open_findings;
	struct { char *category; int64_t n; } *by_category; size_t n_categories;
	int64_t last_job_id, running_job_id; /* 0 none */
	char *feed_url;
};
void pgd_patrol_summary_release(struct pgd_patrol_summary *s);
int pgd_patrol_summary(struct pgd_store *st, int64_t platform_id, time_t now, struct pgd_patrol_summary *out,
	struct pgd_err *err);
/* The platform's feed URL (new, NULL when none) and setting it (NULL clears). */
int pgd_patrol_feed_get(struct pgd_store *st, int64_t platform_id, char **feed_url, struct pgd_err *err);
int pgd_patrol_feed_set(struct pgd_store *st, int64_t platform_id, const char *feed_url, struct pgd_err *err);

/* Home page baseline; *found = 0 when none. */
int pgd_patrol_baseline_get(struct pgd_store *st, int64_t platform_id, struct pgd_patrol_home *out, int *found,
	struct pgd_err *err);
/* Accept home as the baseline (replacing any). */
int pgd_patrol_baseline_set(struct pgd_store *st, int64_t platform_id, const struct pgd_patrol_home *home,
	const char *by, time_t now, struct pgd_err *err);
/* The home page of the latest done patrol of the platform (kept as setting
 * "patrol.home.<platform_id>"), *found = 0 when none. */
int pgd_patrol_latest_home(struct pgd_store *st, int64_t platform_id, struct pgd_patrol_home *out, int *found,
	struct pgd_err *err);

/* The open platforms to schedule: websites, and other types with a feed_url. */
struct pgd_patrol_target { int64_t id; int website; };
int pgd_patrol_targets(struct pgd_store *st, struct pgd_patrol_target **out, size_t *n, struct pgd_err *err);
/* Count findings / jobs for the weekly and monthly summaries since `since` (ISO). */
int pgd_patrol_counts_since(struct pgd_store *st, const char *since, int64_t *jobs_done, int64_t *findings_new,
	int64_t *findings_open, struct pgd_err *err);

#endif
