/* The patrol's server-side store: workers, the job queue with leases, ingestion of results,
 * probes and the week's availability, findings, columns, feeds and the home page baseline
 * (pubguard/patrol_store.h). Evidence blobs are in evidence.c. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "pubguard/accounts.h"
#include "pubguard/approved.h"
#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "pubguard/patrol_store.h"
#include "store/internal.h"
#include "core/banned.h"

#define STR_MAX 8192

/* ---- small helpers ---- */

void pgd_patrol_secret_new(char out[65])
{
	unsigned char b[32];
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);
		if (r <= 0)
			abort(); /* no randomness: never hand out a guessable secret */
		got += (size_t)r;
	}
	pgd_hex(b, sizeof(b), out);
	pgd_wipe(b, sizeof(b));
}

void pgd_patrol_secret_hash(const char *secret, char out[65])
{
	unsigned char h[PGD_SM3_LEN];
	pgd_sm3(secret, strlen(secret), h);
	pgd_hex(h, sizeof(h), out);
}

static void iso(time_t t, char out[32])
{
	if (t <= 0)
		out[0] = '\0';
	else
		pgd_time_iso(t, out);
}

static void copy_col(struct pgd_store *st, struct pgd_stmt *s, int col, char *dst, size_t cap)
{
	const char *v = st->be->col_text(s, col);
	snprintf(dst, cap, "%s", v ? v : "");
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static void simhex(uint64_t v, char out[17])
{
	snprintf(out, 17, "%016" PRIx64, v);
}

static uint64_t parse_simhex(const char *s)
{
	return s ? strtoull(s, NULL, 16) : 0;
}

/* ---- workers ---- */

static int valid_worker_name(const char *n)
{
	size_t len = n ? strlen(n) : 0;
	if (len == 0 || len > 60)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			    c == '.'))
			return 0;
	}
	return 1;
}

int pgd_patrol_worker_add(struct pgd_store *st, const char *name, const char *token_hash, int replace,
	int64_t *id, struct pgd_err *err)
{
	char now[32];
	int64_t existing = 0;
	int own = 0, rc;

	if (!valid_worker_name(name))
		return pgd_err_set(err, PGD_ERR_INVALID, "name", "工作进程名称无效：应为 1-60 个字母、数字、-、_ 或 .");
	pgd_store_now(now);
	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = pgd_store_query_int(st, &existing, err, "SELECT id FROM workers WHERE name = $1", "s", name);
	if (rc == 0 && existing && !replace)
		rc = pgd_err_set(err, PGD_ERR_CONFLICT, "name", "工作进程「%s」已存在", name);
	else if (rc == 0 && existing)
		rc = pgd_store_execp(st, NULL, err,
			"UPDATE workers SET token_hash = $1, revoked_at = NULL WHERE id = $2", "si", token_hash, existing);
	else if (rc == 0)
		rc = pgd_store_execp(st, NULL, err,
			"INSERT INTO workers (name, token_hash, created_at) VALUES ($1, $2, $3)", "sss", name, token_hash, now);
	if (rc == 0 && !existing)
		rc = pgd_store_query_int(st, &existing, err, "SELECT id FROM workers WHERE name = $1", "s", name);
	rc = pgd_store_tx_leave(st, own, rc, err);
	if (rc == 0 && id)
		*id = existing;
	return rc;
}

static void worker_row(struct pgd_store *st, struct pgd_stmt *s, struct pgd_patrol_worker *w)
{
	memset(w, 0, sizeof(*w));
	w->id = st->be->col_int(s, 0);
	copy_col(st, s, 1, w->name, sizeof(w->name));
	copy_col(st, s, 2, w->created_at, sizeof(w->created_at));
	copy_col(st, s, 3, w->last_seen_at, sizeof(w->last_seen_at));
	copy_col(st, s, 4, w->revoked_at, sizeof(w->revoked_at));
}

int pgd_patrol_worker_list(struct pgd_store *st, struct pgd_patrol_worker **out, size_t *n, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	rc = pgd_store_prep(st, &s, err,
		"SELECT id, name, created_at, last_seen_at, revoked_at FROM workers ORDER BY id", "");
	if (rc < 0)
		return rc;
	while ((rc = st->be->step(s, err)) == 1) {
		PGD_GROW(*out, *n + 1, cap);
		worker_row(st, s, &(*out)[(*n)++]);
	}
	st->be->finalize(s);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int pgd_patrol_worker_revoke(struct pgd_store *st, const char *name, struct pgd_err *err)
{
	char now[32];
	int64_t changes = 0;
	int rc;
	pgd_store_now(now);
	rc = pgd_store_execp(st, &changes, err,
		"UPDATE workers SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL", "ss", now, name);
	if (rc == 0 && changes == 0)
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "name", "没有名为「%s」的有效工作进程", name);
	return rc;
}

int pgd_patrol_worker_auth(struct pgd_store *st, const char *token_hash, struct pgd_patrol_worker *out,
	struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	char now[32];
	int rc;
	rc = pgd_store_prep(st, &s, err,
		"SELECT id, name, created_at, last_seen_at, revoked_at FROM workers WHERE token_hash = $1 AND revoked_at IS NULL",
		"s", token_hash);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1)
		worker_row(st, s, out);
	st->be->finalize(s);
	if (rc == 0)
		return pgd_err_set(err, PGD_ERR_NOT_FOUND, "token", "工作进程令牌无效或已吊销");
	if (rc < 0)
		return rc;
	pgd_store_now(now);
	/* at most once a minute: a busy worker should not turn every request into a write */
	if (strncmp(out->last_seen_at, now, 16) != 0)
		pgd_store_execp(st, NULL, NULL, "UPDATE workers SET last_seen_at = $1 WHERE id = $2", "si", now, out->id);
	return 0;
}

/* ---- jobs ---- */

#define JOB_COLS                                                                                              \
	"j.id, j.platform_id, j.kind, j.period, j.requested_by, j.status, j.attempts, j.worker_id, "              \
	"j.lease_expires_at, j.progress_done, j.progress_total, j.pages, j.links, j.findings, j.error, "          \
	"j.created_at, j.started_at, j.finished_at, p.name, p.unit_id "                                           \
	"FROM patrol_jobs j JOIN platforms p ON p.id = j.platform_id "

void pgd_patrol_job_release(struct pgd_patrol_job *j)
{
	if (j == NULL)
		return;
	free(j->error);
	free(j->platform_name);
	memset(j, 0, sizeof(*j));
}

void pgd_patrol_job_list_release(struct pgd_patrol_job_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		pgd_patrol_job_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void job_row(struct pgd_store *st, struct pgd_stmt *s, struct pgd_patrol_job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = st->be->col_int(s, 0);
	j->platform_id = st->be->col_int(s, 1);
	copy_col(st, s, 2, j->kind, sizeof(j->kind));
	copy_col(st, s, 3, j->period, sizeof(j->period));
	copy_col(st, s, 4, j->requested_by, sizeof(j->requested_by));
	copy_col(st, s, 5, j->status, sizeof(j->status));
	j->attempts = (int)st->be->col_int(s, 6);
	j->worker_id = st->be->col_int(s, 7);
	copy_col(st, s, 8, j->lease_expires_at, sizeof(j->lease_expires_at));
	j->progress_done = st->be->col_int(s, 9);
	j->progress_total = st->be->col_int(s, 10);
	j->pages = st->be->col_int(s, 11);
	j->links = st->be->col_int(s, 12);
	j->findings = st->be->col_int(s, 13);
	j->error = pgd_store_dup_col(st, s, 14);
	copy_col(st, s, 15, j->created_at, sizeof(j->created_at));
	copy_col(st, s, 16, j->started_at, sizeof(j->started_at));
	copy_col(st, s, 17, j->finished_at, sizeof(j->finished_at));
	j->platform_name = pgd_store_dup_col(st, s, 18);
	j->unit_id = st->be->col_int(s, 19);
}

int pgd_patrol_job_enqueue(struct pgd_store *st, int64_t platform_id, const char *kind, const char *period,
	const char *requested_by, time_t now, int64_t *id, struct pgd_err *err)
{
	char ts[32];
	int64_t changes = 0;
	int rc;
	*id = 0;
	if (kind == NULL || (strcmp(kind, "patrol") != 0 && strcmp(kind, "probe") != 0))
		return pgd_err_set(err, PGD_ERR_INVALID, "kind", "任务类型无效：应为 patrol 或 probe");
	iso(now, ts);
	rc = pgd_store_execp(st, &changes, err,
		"INSERT INTO patrol_jobs (platform_id, kind, period, requested_by, created_at) VALUES ($1, $2, $3, $4, $5) "
		"ON CONFLICT (platform_id, kind, period) DO NOTHING",
		"issss", platform_id, kind, period, requested_by, ts);
	if (rc == 0 && changes > 0)
		rc = pgd_store_query_int(st, id, err,
			"SELECT id FROM patrol_jobs WHERE platform_id = $1 AND kind = $2 AND period = $3", "iss", platform_id,
			kind, period);
	return rc;
}

int pgd_patrol_job_get(struct pgd_store *st, int64_t id, struct pgd_patrol_job *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc = pgd_store_prep(st, &s, err, "SELECT " JOB_COLS "WHERE j.id = $1", "i", id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1)
		job_row(st, s, out);
	st->be->finalize(s);
	if (rc == 0)
		return pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "巡查任务 %" PRId64 " 不存在", id);
	return rc < 0 ? rc : 0;
}

int pgd_patrol_job_active(struct pgd_store *st, int64_t platform_id, const char *kind, int64_t *id,
	struct pgd_err *err)
{
	return pgd_store_query_int(st, id, err,
		"SELECT id FROM patrol_jobs WHERE platform_id = $1 AND kind = $2 AND status IN ('queued','leased') "
		"ORDER BY id LIMIT 1",
		"is", platform_id, kind);
}

int pgd_patrol_job_list(struct pgd_store *st, const struct pgd_patrol_job_query *q, struct pgd_patrol_job_list *out,
	struct pgd_err *err)
{
	struct pgd_list_query lq = {.page = q->page, .page_size = q->page_size};
	struct pgd_stmt *s = NULL;
	int64_t limit, offset;
	size_t cap = 0;
	int rc;
	const char *where = "WHERE ($1 = 0 OR j.platform_id = $1) AND ($2 = 0 OR p.unit_id = $2) "
			    "AND ($3 = '' OR j.status = $3) AND ($4 = '' OR j.kind = $4) ";
	char sql[1024];

	memset(out, 0, sizeof(*out));
	pgd_store_page_bounds(&lq, &limit, &offset);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM patrol_jobs j JOIN platforms p ON p.id = j.platform_id %s",
		where);
	rc = pgd_store_query_int(st, &out->total, err, sql, "iiss", q->platform_id, q->unit_id, or_empty(q->status),
		or_empty(q->kind));
	if (rc < 0)
		return rc;
	snprintf(sql, sizeof(sql), "SELECT " JOB_COLS "%s ORDER BY j.id DESC LIMIT $5 OFFSET $6", where);
	rc = pgd_store_prep(st, &s, err, sql, "iissii", q->platform_id, q->unit_id, or_empty(q->status),
		or_empty(q->kind), limit, offset);
	if (rc < 0)
		return rc;
	while ((rc = st->be->step(s, err)) == 1) {
		PGD_GROW(out->items, out->n + 1, cap);
		job_row(st, s, &out->items[out->n++]);
	}
	st->be->finalize(s);
	if (rc < 0)
		pgd_patrol_job_list_release(out);
	return rc;
}

int pgd_patrol_job_lease(struct pgd_store *st, int64_t worker_id, unsigned kinds, int lease_seconds, time_t now,
	struct pgd_patrol_job *out, char lease[65], struct pgd_err *err)
{
	char ts[32], exp[32], hash[65];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	lease[0] = '\0';
	iso(now, ts);
	iso(now + lease_seconds, exp);
	for (int tries = 0; tries < 50; tries++) {
		struct pgd_stmt *s = NULL;
		int64_t id, attempts, changes = 0;
		char status[16];
		rc = pgd_store_prep(st, &s, err,
			"SELECT id, status, attempts FROM patrol_jobs "
			"WHERE ((($1 & 1) <> 0 AND kind = 'patrol') OR (($1 & 2) <> 0 AND kind = 'probe')) "
			"AND (status = 'queued' OR (status = 'leased' AND lease_expires_at < $2)) "
			"ORDER BY created_at, id LIMIT 1",
			"is", (int64_t)kinds, ts);
		if (rc < 0)
			return rc;
		rc = st->be->step(s, err);
		if (rc <= 0) {
			st->be->finalize(s);
			return rc; /* 0: no job */
		}
		id = st->be->col_int(s, 0);
		copy_col(st, s, 1, status, sizeof(status));
		attempts = st->be->col_int(s, 2);
		st->be->finalize(s);
		if (strcmp(status, "leased") == 0 && attempts >= PGD_PATROL_LEASE_ATTEMPTS) {
			rc = pgd_store_execp(st, NULL, err,
				"UPDATE patrol_jobs SET status = 'failed', error = '多次租约过期', lease_hash = NULL, "
				"lease_expires_at = NULL, finished_at = $1 WHERE id = $2 AND status = 'leased' AND attempts = $3",
				"sii", ts, id, attempts);
			if (rc < 0)
				return rc;
			continue;
		}
		pgd_patrol_secret_new(lease);
		pgd_patrol_secret_hash(lease, hash);
		rc = pgd_store_execp(st, &changes, err,
			"UPDATE patrol_jobs SET status = 'leased', worker_id = $1, lease_hash = $2, lease_expires_at = $3, "
			"attempts = attempts + 1, started_at = COALESCE(started_at, $4), progress_done = 0, progress_total = 0 "
			"WHERE id = $5 AND status = $6 AND attempts = $7",
			"isssisi", worker_id, hash, exp, ts, id, status, attempts);
		if (rc < 0) {
			pgd_wipe(lease, 65);
			lease[0] = '\0';
			return rc;
		}
		if (changes == 0) { /* another server or thread took it first */
			pgd_wipe(lease, 65);
			lease[0] = '\0';
			continue;
		}
		return pgd_patrol_job_get(st, id, out, err);
	}
	return 0;
}

/* The lease check of every worker call: the job must be leased with this lease. A lease that
 * expired but was not taken by another worker still counts (nobody else is working on it). */
static int lease_ok(struct pgd_store *st, int64_t id, const char *lease, char status[16], char hash_out[65],
	int *same, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	char hash[65], stored[65];
	int rc;
	*same = 0;
	status[0] = '\0';
	if (lease == NULL || strlen(lease) != 64)
		return pgd_err_set(err, PGD_ERR_CONFLICT, "lease_lost", "租约无效");
	pgd_patrol_secret_hash(lease, hash);
	rc = pgd_store_prep(st, &s, err, "SELECT status, lease_hash FROM patrol_jobs WHERE id = $1", "i", id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		copy_col(st, s, 0, status, 16);
		copy_col(st, s, 1, stored, sizeof(stored));
	}
	st->be->finalize(s);
	if (rc == 0)
		return pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "巡查任务 %" PRId64 " 不存在", id);
	if (rc < 0)
		return rc;
	*same = strlen(stored) == 64 && memcmp(stored, hash, 64) == 0;
	if (hash_out)
		memcpy(hash_out, hash, 65);
	return 0;
}

int pgd_patrol_job_check_lease(struct pgd_store *st, int64_t id, const char *lease, time_t now, struct pgd_err *err)
{
	char status[16];
	int same = 0;
	int rc = lease_ok(st, id, lease, status, NULL, &same, err);
	(void)now;
	if (rc < 0)
		return rc;
	if (!same || strcmp(status, "leased") != 0)
		return pgd_err_set(err, PGD_ERR_CONFLICT, "lease_lost", "租约已失效（任务已被其他工作进程接手或已结束）");
	return 0;
}

int pgd_patrol_job_progress(struct pgd_store *st, int64_t id, const char *lease, int64_t done, int64_t total,
	int lease_seconds, time_t now, struct pgd_err *err)
{
	char exp[32], hash[65], status[16];
	int64_t changes = 0;
	int same = 0, rc;
	rc = lease_ok(st, id, lease, status, hash, &same, err);
	if (rc < 0)
		return rc;
	if (!same || strcmp(status, "leased") != 0)
		return pgd_err_set(err, PGD_ERR_CONFLICT, "lease_lost", "租约已失效（任务已被其他工作进程接手或已结束）");
	iso(now + lease_seconds, exp);
	rc = pgd_store_execp(st, &changes, err,
		"UPDATE patrol_jobs SET progress_done = $1, progress_total = $2, lease_expires_at = $3 "
		"WHERE id = $4 AND status = 'leased' AND lease_hash = $5",
		"iisis", done < 0 ? 0 : done, total < 0 ? 0 : total, exp, id, hash);
	if (rc == 0 && changes == 0)
		rc = pgd_err_set(err, PGD_ERR_CONFLICT, "lease_lost", "租约已失效（任务已被其他工作进程接手或已结束）");
	return rc;
}

int pgd_patrol_job_fail(struct pgd_store *st, int64_t id, const char *lease, const char *error, time_t now,
	struct pgd_err *err)
{
	char ts[32], hash[65], status[16];
	int64_t changes = 0;
	int same = 0, rc;
	rc = lease_ok(st, id, lease, status, hash, &same, err);
	if (rc < 0)
		return rc;
	if (!same || strcmp(status, "leased") != 0)
		return pgd_err_set(err, PGD_ERR_CONFLICT, "lease_lost", "租约已失效（任务已被其他工作进程接手或已结束）");
	iso(now, ts);
	rc = pgd_store_execp(st, &changes, err,
		"UPDATE patrol_jobs SET status = 'failed', error = $1, finished_at = $2, lease_expires_at = NULL "
		"WHERE id = $3 AND status = 'leased' AND lease_hash = $4",
		"ssis", error && *error ? error : "工作进程报告失败", ts, id, hash);
	if (rc == 0 && changes == 0)
		rc = pgd_err_set(err, PGD_ERR_CONFLICT, "lease_lost", "租约已失效（任务已被其他工作进程接手或已结束）");
	return rc;
}

/* ---- ingestion ---- */

static const char *severity_name(enum pgd_patrol_severity s)
{
	return s == PGD_PATROL_BLOCK ? "block" : s == PGD_PATROL_REVIEW ? "review" : "info";
}

static void fingerprint(const char *category, const char *url, const char *target, const char *text, char out[65])
{
	size_t a = strlen(category), b = strlen(url), c = strlen(or_empty(target)), d = strlen(or_empty(text));
	char *buf = pgd_malloc(a + b + c + d + 4);
	size_t n = 0;
	memcpy(buf + n, category, a), n += a, buf[n++] = '\n';
	memcpy(buf + n, url, b), n += b, buf[n++] = '\n';
	memcpy(buf + n, or_empty(target), c), n += c, buf[n++] = '\n';
	memcpy(buf + n, or_empty(text), d), n += d;
	pgd_sha256_hex(buf, n, out);
	free(buf);
}

struct finding_in {
	const char *category, *severity, *url, *target, *text, *message, *evidence, *screenshot;
	int64_t line;
};

/* Insert or update one finding of the job (step 2 of ingestion). */
static int upsert_finding(struct pgd_store *st, int64_t platform_id, int64_t job_id, const struct finding_in *f,
	const char *now, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	char fp[65], status[16] = "";
	int64_t id = 0;
	int rc;

	fingerprint(f->category, f->url, f->target, f->text, fp);
	rc = pgd_store_prep(st, &s, err, "SELECT id, status FROM patrol_findings WHERE platform_id = $1 AND fingerprint = $2",
		"is", platform_id, fp);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		id = st->be->col_int(s, 0);
		copy_col(st, s, 1, status, sizeof(status));
	}
	st->be->finalize(s);
	if (rc < 0)
		return rc;
	if (id == 0) {
		rc = pgd_store_prep(st, &s, err,
			"INSERT INTO patrol_findings (platform_id, fingerprint, category, severity, url, target, line, text, "
			"message, evidence_sha256, screenshot_sha256, first_seen_at, last_seen_at, last_job_id) "
			"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)",
			"isssssisssssi", platform_id, fp, f->category, f->severity, f->url, f->target, f->line, f->text,
			f->message, f->evidence, f->screenshot, now, job_id);
		return rc < 0 ? rc : pgd_store_run(st, s, NULL, err);
	}
	/* resolved -> reopened; dismissed stays dismissed; open/confirmed keep their status */
	return pgd_store_execp(st, NULL, err,
		"UPDATE patrol_findings SET last_seen_at = $1, "
		"times_seen = times_seen + CASE WHEN last_job_id = $2 THEN 0 ELSE 1 END, last_job_id = $2, "
		"evidence_sha256 = COALESCE($3, evidence_sha256), screenshot_sha256 = COALESCE($4, screenshot_sha256), "
		"message = $5, severity = $6, line = $7, "
		"status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END, "
		"resolved_at = CASE WHEN status = 'resolved' THEN NULL ELSE resolved_at END WHERE id = $8",
		"sissssii", now, job_id, f->evidence, f->screenshot, f->message, f->severity, f->line, id);
}

static int blob_needed(struct pgd_store *st, const char *sha, struct pgd_err *err)
{
	int exists = 0, rc;
	if (sha == NULL || *sha == '\0')
		return 0;
	rc = pgd_patrol_blob_exists(st, sha, &exists, err);
	if (rc == 0 && !exists)
		rc = pgd_err_set(err, PGD_ERR_INVALID, "evidence_missing", "证据 %s 的内容尚未上传", sha);
	return rc;
}

static int check_len(const char *v, const char *field, struct pgd_err *err)
{
	if (v && strlen(v) > STR_MAX)
		return pgd_err_set(err, PGD_ERR_INVALID, field, "字段 %s 超过 8 KB 上限", field);
	return 0;
}

static int ingest_probe(struct pgd_store *st, int64_t platform_id, int64_t job_id, const char *platform_url,
	const struct pgd_patrol_probe *p, const struct pgd_patrol_thresholds *th, const char *now, int64_t *nfind,
	struct pgd_err *err)
{
	char at[32], tls[32], from[32], msg[256];
	int64_t total = 0, failed = 0;
	int rc;

	iso(p->at, at);
	iso(p->tls_expires, tls);
	if (at[0] == '\0')
		snprintf(at, sizeof(at), "%s", now);
	rc = pgd_store_execp(st, NULL, err,
		"INSERT INTO patrol_probes (platform_id, job_id, at, ok, status, ms, error, tls_expires_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		"iisiiiss", platform_id, job_id, at, (int64_t)(p->ok != 0), (int64_t)p->status, (int64_t)p->ms,
		p->error[0] ? p->error : NULL, tls[0] ? tls : NULL);
	if (rc < 0)
		return rc;
	iso((p->at > 0 ? p->at : time(NULL)) - 7 * 86400, from);
	rc = pgd_store_query_int(st, &total, err,
		"SELECT COUNT(*) FROM patrol_probes WHERE platform_id = $1 AND at > $2 AND at <= $3", "iss", platform_id,
		from, at);
	if (rc == 0)
		rc = pgd_store_query_int(st, &failed, err,
			"SELECT COUNT(*) FROM patrol_probes WHERE platform_id = $1 AND at > $2 AND at <= $3 AND ok = 0", "iss",
			platform_id, from, at);
	if (rc < 0)
		return rc;
	if (total >= th->probes_per_day && total > 0) {
		int64_t f100 = failed * 100;
		const char *sev = f100 >= (int64_t)th->unavailable_fail_pct * total ? "block"
			: f100 >= (int64_t)th->unavailable_warn_pct * total      ? "review"
										      : NULL;
		if (sev) {
			struct finding_in f = {.category = "site.unavailable", .severity = sev, .url = platform_url,
				.text = "weekly", .message = msg};
			snprintf(msg, sizeof(msg), "近7天可用性监测 %" PRId64 " 次，其中 %" PRId64 " 次未能在 %d 秒内打开首页（%.1f%%）",
				total, failed, th->unavailable_timeout_ms / 1000, (double)f100 / (double)total);
			rc = upsert_finding(st, platform_id, job_id, &f, now, err);
			(*nfind)++;
		} else {
			char fp[65];
			fingerprint("site.unavailable", platform_url, NULL, "weekly", fp);
			rc = pgd_store_execp(st, NULL, err,
				"UPDATE patrol_findings SET status = 'resolved', resolved_at = $1 WHERE platform_id = $2 "
				"AND fingerprint = $3 AND status IN ('open','confirmed')",
				"sis", now, platform_id, fp);
		}
		if (rc < 0)
			return rc;
	}
	if (p->tls_expires > 0) {
		char fp[65];
		fingerprint("site.tls_expiring", platform_url, NULL, NULL, fp);
		if (p->tls_expires - (p->at > 0 ? p->at : time(NULL)) < (time_t)th->tls_warn_days * 86400) {
			time_t bj = p->tls_expires + 8 * 3600;
			struct tm tm;
			char day[16];
			struct finding_in f = {.category = "site.tls_expiring", .severity = "review", .url = platform_url,
				.message = msg};
			gmtime_r(&bj, &tm);
			strftime(day, sizeof(day), "%Y-%m-%d", &tm);
			snprintf(msg, sizeof(msg), "TLS 证书将于 %s 到期", day);
			rc = upsert_finding(st, platform_id, job_id, &f, now, err);
			(*nfind)++;
		} else {
			rc = pgd_store_execp(st, NULL, err,
				"UPDATE patrol_findings SET status = 'resolved', resolved_at = $1 WHERE platform_id = $2 "
				"AND fingerprint = $3 AND status IN ('open','confirmed')",
				"sis", now, platform_id, fp);
		}
	}
	return rc;
}

static int ingest_items(struct pgd_store *st, int64_t platform_id, int64_t job_id, const char *platform_url,
	const struct pgd_patrol_report *rep, const char *unreviewed_since, const char *now, int64_t *nfind,
	struct pgd_err *err)
{
	struct pgd_approved_set *approved_set = NULL;
	int rc = rep->n_found ? pgd_store_approved_load(st, platform_id, &approved_set, err) : 0;
	/* one load of the platform's approved items for the whole result, not one per item */
	for (size_t i = 0; i < rep->n_found && rc == 0; i++) {
		const struct pgd_patrol_item *it = &rep->found[i];
		char key[STR_MAX * 2 + 64], pub[32], sh[17];
		int64_t approved = 0;
		iso(it->published, pub);
		if (it->url && *it->url)
			snprintf(key, sizeof(key), "%s", it->url);
		else if (it->sha256[0])
			snprintf(key, sizeof(key), "sha256:%s", it->sha256);
		else
			snprintf(key, sizeof(key), "title:%s|%s", or_empty(it->title), pub);
		simhex(it->simhash, sh);
		approved = pgd_approved_set_match(approved_set, it->url, it->title, it->simhash);
		rc = pgd_store_execp(st, NULL, err,
			"INSERT INTO patrol_items (platform_id, key, url, title, published_at, sha256, simhash, approved_item_id, "
			"first_seen_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) "
			"ON CONFLICT (platform_id, key) DO UPDATE SET url = excluded.url, title = excluded.title, "
			"published_at = excluded.published_at, sha256 = excluded.sha256, simhash = excluded.simhash, "
			"approved_item_id = excluded.approved_item_id, last_seen_at = excluded.last_seen_at",
			"issssssIs", platform_id, key, it->url, it->title, pub[0] ? pub : NULL, it->sha256[0] ? it->sha256 : NULL,
			it->simhash ? sh : NULL, approved, now);
		if (rc == 0 && approved == 0 && unreviewed_since && *unreviewed_since && pub[0] &&
		    strcmp(pub, unreviewed_since) >= 0) {
			char msg[STR_MAX + 128];
			struct finding_in f = {.category = "publish.unreviewed", .severity = "review",
				.url = it->url && *it->url ? it->url : platform_url, .text = it->title, .message = msg};
			snprintf(msg, sizeof(msg), "发现未经审核备案的发布内容：《%s》", or_empty(it->title));
			rc = upsert_finding(st, platform_id, job_id, &f, now, err);
			(*nfind)++;
		}
	}
	pgd_approved_set_free(approved_set);
	return rc;
}

static int ingest_home(struct pgd_store *st, int64_t platform_id, const struct pgd_patrol_home *h, const char *now,
	struct pgd_err *err)
{
	char sh[17], key[64], *val;
	size_t vl;
	int rc;
	if (h->sha256[0] == '\0')
		return 0;
	simhex(h->simhash, sh);
	rc = pgd_store_execp(st, NULL, err,
		"INSERT INTO patrol_home_baseline (platform_id, sha256, simhash, title, text_len, accepted_by, accepted_at) "
		"VALUES ($1, $2, $3, $4, $5, 'patrol', $6) ON CONFLICT (platform_id) DO NOTHING",
		"isssis", platform_id, h->sha256, sh, h->title, (int64_t)h->text_len, now);
	if (rc < 0)
		return rc;
	/* the latest home page seen, for "accept as baseline" (no column for it in migration 0006) */
	snprintf(key, sizeof(key), "patrol.home.%" PRId64, platform_id);
	vl = strlen(or_empty(h->title)) + 128;
	val = pgd_malloc(vl);
	snprintf(val, vl, "%s|%s|%zu|%s", h->sha256, sh, h->text_len, or_empty(h->title));
	/* (not pgd_setting_set: it would open a transaction of its own inside this one) */
	rc = pgd_store_execp(st, NULL, err, "DELETE FROM settings WHERE key = $1", "s", key);
	if (rc == 0)
		rc = pgd_store_execp(st, NULL, err, "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)", "sss",
			key, val, now);
	free(val);
	return rc;
}

int pgd_patrol_ingest(struct pgd_store *st, int64_t job_id, const char *lease, const struct pgd_patrol_result *r,
	const struct pgd_patrol_thresholds *th, const char *unreviewed_since, time_t now_t, int *already,
	struct pgd_err *err)
{
	const struct pgd_patrol_report *rep = &r->rep;
	struct pgd_patrol_job job = {0};
	struct pgd_stmt *s = NULL;
	char status[16], hash[65], now[32], *purl = NULL;
	int64_t nfind = 0;
	int same = 0, own = 0, rc;

	*already = 0;
	iso(now_t, now);
	for (size_t i = 0; i < rep->n; i++) {
		const struct pgd_patrol_finding *f = &rep->items[i];
		if (f->url == NULL || f->category == NULL || f->message == NULL)
			return pgd_err_set(err, PGD_ERR_INVALID, "findings", "第 %zu 条问题缺少 url、category 或 message", i + 1);
		if ((rc = check_len(f->url, "findings.url", err)) < 0 || (rc = check_len(f->target, "findings.target", err)) < 0 ||
		    (rc = check_len(f->text, "findings.text", err)) < 0 ||
		    (rc = check_len(f->message, "findings.message", err)) < 0 ||
		    (rc = check_len(f->category, "findings.category", err)) < 0)
			return rc;
	}
	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	/* step 1: the lease */
	rc = lease_ok(st, job_id, lease, status, hash, &same, err);
	if (rc < 0)
		goto out;
	if (same && strcmp(status, "done") == 0) {
		*already = 1;
		goto out;
	}
	if (!same || strcmp(status, "leased") != 0) {
		rc = pgd_err_set(err, PGD_ERR_CONFLICT, "lease_lost", "租约已失效（任务已被其他工作进程接手或已结束）");
		goto out;
	}
	rc = pgd_patrol_job_get(st, job_id, &job, err);
	if (rc < 0)
		goto out;
	rc = pgd_store_prep(st, &s, err, "SELECT COALESCE(NULLIF(entry_point, ''), url_or_account) FROM platforms WHERE id = $1",
		"i", job.platform_id);
	if (rc < 0)
		goto out;
	if (st->be->step(s, err) == 1)
		purl = pgd_store_dup_col(st, s, 0);
	st->be->finalize(s);
	if (purl == NULL)
		purl = pgd_strdup("");
	for (size_t i = 0; i < rep->n_evidence && rc == 0; i++) {
		const struct pgd_patrol_evidence *e = &rep->evidence[i];
		char fat[32];
		rc = blob_needed(st, e->sha256, err);
		if (rc < 0)
			break;
		iso(e->fetched_at, fat);
		rc = pgd_store_execp(st, NULL, err,
			"INSERT INTO patrol_evidence (sha256, kind, url, fetched_at, status, content_type, headers, size, "
			"of_sha256, stored_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (sha256) DO NOTHING",
			"ssssississ", e->sha256, e->kind ? e->kind : "page", or_empty(e->url), fat[0] ? fat : now,
			(int64_t)e->status, e->content_type, e->headers, (int64_t)e->size, e->of, now);
	}
	/* step 2: findings */
	for (size_t i = 0; i < rep->n && rc == 0; i++) {
		const struct pgd_patrol_finding *f = &rep->items[i];
		struct finding_in in = {.category = f->category, .severity = severity_name(f->severity),
			.url = f->url, .target = f->target, .text = f->text, .message = f->message,
			.evidence = f->evidence && *f->evidence ? f->evidence : NULL,
			.screenshot = r->screenshots && r->screenshots[i] && *r->screenshots[i] ? r->screenshots[i] : NULL,
			.line = f->line};
		rc = blob_needed(st, in.evidence, err);
		if (rc == 0)
			rc = blob_needed(st, in.screenshot, err);
		if (rc == 0)
			rc = upsert_finding(st, job.platform_id, job_id, &in, now, err);
		nfind++;
	}
	if (rc == 0 && strcmp(job.kind, "patrol") == 0)
		rc = pgd_store_execp(st, NULL, err,
			"UPDATE patrol_findings SET status = 'resolved', resolved_at = $1 WHERE platform_id = $2 "
			"AND status IN ('open','confirmed') AND category <> 'site.unavailable' AND category <> 'site.tls_expiring' "
			"AND category NOT LIKE 'publish.%' AND (last_job_id IS NULL OR last_job_id <> $3)",
			"sii", now, job.platform_id, job_id);
	/* step 3: columns and items */
	for (size_t i = 0; i < rep->n_columns && rc == 0; i++) {
		const struct pgd_patrol_column *c = &rep->columns[i];
		char newest[32];
		const char *kind = c->kind && (strcmp(c->kind, "news") == 0 || strcmp(c->kind, "notice") == 0) ? c->kind : "other";
		iso(c->newest, newest);
		rc = pgd_store_execp(st, NULL, err,
			"INSERT INTO patrol_columns (platform_id, url, name, kind, newest_at, items, stale, empty, last_job_id, "
			"seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
			"ON CONFLICT (platform_id, url) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
			"newest_at = excluded.newest_at, items = excluded.items, stale = excluded.stale, empty = excluded.empty, "
			"last_job_id = excluded.last_job_id, seen_at = excluded.seen_at",
			"issssiiiis", job.platform_id, or_empty(c->url), c->name, kind, newest[0] ? newest : NULL, (int64_t)c->items,
			(int64_t)(c->stale != 0), (int64_t)(c->empty != 0), job_id, now);
	}
	if (rc == 0)
		rc = ingest_items(st, job.platform_id, job_id, purl, rep, unreviewed_since, now, &nfind, err);
	/* step 4: home */
	if (rc == 0 && r->has_home)
		rc = ingest_home(st, job.platform_id, &rep->home, now, err);
	/* step 5: probe */
	if (rc == 0 && r->has_probe && strcmp(job.kind, "probe") == 0)
		rc = ingest_probe(st, job.platform_id, job_id, purl, &r->probe, th, now, &nfind, err);
	/* step 6: done */
	if (rc == 0)
		rc = pgd_store_execp(st, NULL, err,
			"UPDATE patrol_jobs SET status = 'done', pages = $1, links = $2, findings = $3, finished_at = $4, "
			"lease_expires_at = NULL, error = NULL WHERE id = $5",
			"iiisi", (int64_t)rep->pages, (int64_t)rep->links, nfind, now, job_id);
out:
	rc = pgd_store_tx_leave(st, own, rc, err);
	pgd_patrol_job_release(&job);
	free(purl);
	return rc;
}

/* ---- findings ---- */

#define FINDING_COLS                                                                                          \
	"f.id, f.platform_id, p.unit_id, f.line, f.times_seen, p.name, u.name, f.category, f.url, f.target, f.text, " \
	"f.message, f.severity, f.status, f.evidence_sha256, f.screenshot_sha256, f.first_seen_at, f.last_seen_at, "  \
	"f.handled_at, f.resolved_at, f.handled_by, f.handle_note "                                               \
	"FROM patrol_findings f JOIN platforms p ON p.id = f.platform_id JOIN units u ON u.id = p.unit_id "

void pgd_patrol_finding_row_release(struct pgd_patrol_finding_row *f)
{
	if (f == NULL)
		return;
	free(f->platform_name);
	free(f->unit_name);
	free(f->category);
	free(f->url);
	free(f->target);
	free(f->text);
	free(f->message);
	free(f->handled_by);
	free(f->handle_note);
	memset(f, 0, sizeof(*f));
}

void pgd_patrol_finding_list_release(struct pgd_patrol_finding_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		pgd_patrol_finding_row_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void finding_row(struct pgd_store *st, struct pgd_stmt *s, struct pgd_patrol_finding_row *f)
{
	memset(f, 0, sizeof(*f));
	f->id = st->be->col_int(s, 0);
	f->platform_id = st->be->col_int(s, 1);
	f->unit_id = st->be->col_int(s, 2);
	f->line = st->be->col_int(s, 3);
	f->times_seen = st->be->col_int(s, 4);
	f->platform_name = pgd_store_dup_col(st, s, 5);
	f->unit_name = pgd_store_dup_col(st, s, 6);
	f->category = pgd_store_dup_col(st, s, 7);
	f->url = pgd_store_dup_col(st, s, 8);
	f->target = pgd_store_dup_col(st, s, 9);
	f->text = pgd_store_dup_col(st, s, 10);
	f->message = pgd_store_dup_col(st, s, 11);
	copy_col(st, s, 12, f->severity, sizeof(f->severity));
	copy_col(st, s, 13, f->status, sizeof(f->status));
	copy_col(st, s, 14, f->evidence_sha256, sizeof(f->evidence_sha256));
	copy_col(st, s, 15, f->screenshot_sha256, sizeof(f->screenshot_sha256));
	copy_col(st, s, 16, f->first_seen_at, sizeof(f->first_seen_at));
	copy_col(st, s, 17, f->last_seen_at, sizeof(f->last_seen_at));
	copy_col(st, s, 18, f->handled_at, sizeof(f->handled_at));
	copy_col(st, s, 19, f->resolved_at, sizeof(f->resolved_at));
	f->handled_by = pgd_store_dup_col(st, s, 20);
	f->handle_note = pgd_store_dup_col(st, s, 21);
}

int pgd_patrol_finding_list(struct pgd_store *st, const struct pgd_patrol_finding_query *q,
	struct pgd_patrol_finding_list *out, struct pgd_err *err)
{
	struct pgd_list_query lq = {.page = q->page, .page_size = q->page_size};
	struct pgd_stmt *s = NULL;
	const char *status = q->status && *q->status ? q->status : "active";
	char *like = NULL, sql[2048];
	int64_t limit, offset;
	size_t cap = 0;
	int rc;
	const char *where =
		"WHERE ($1 = 0 OR f.platform_id = $1) AND ($2 = 0 OR p.unit_id = $2) AND ($3 = '' OR f.category = $3) "
		"AND ($4 = '' OR f.severity = $4) "
		"AND (($5 = 'active' AND f.status IN ('open','confirmed')) OR f.status = $5) "
		"AND ($6 = '' OR f.message LIKE $6 ESCAPE '\\' OR f.url LIKE $6 ESCAPE '\\' OR f.text LIKE $6 ESCAPE '\\' "
		"OR f.target LIKE $6 ESCAPE '\\' OR p.name LIKE $6 ESCAPE '\\') ";

	memset(out, 0, sizeof(*out));
	if (strcmp(status, "active") != 0 && strcmp(status, "open") != 0 && strcmp(status, "confirmed") != 0 &&
	    strcmp(status, "dismissed") != 0 && strcmp(status, "resolved") != 0)
		return pgd_err_set(err, PGD_ERR_INVALID, "status",
			"状态筛选无效：应为 open、confirmed、dismissed、resolved 或 active");
	if (q->search && *q->search)
		like = pgd_store_like_pattern(q->search);
	pgd_store_page_bounds(&lq, &limit, &offset);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) %s", strstr(FINDING_COLS, "FROM"));
	snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), "%s", where);
	rc = pgd_store_query_int(st, &out->total, err, sql, "iissss", q->platform_id, q->unit_id, or_empty(q->category),
		or_empty(q->severity), status, or_empty(like));
	if (rc < 0)
		goto out;
	snprintf(sql, sizeof(sql), "SELECT " FINDING_COLS "%s ORDER BY f.last_seen_at DESC, f.id DESC LIMIT $7 OFFSET $8",
		where);
	rc = pgd_store_prep(st, &s, err, sql, "iissssii", q->platform_id, q->unit_id, or_empty(q->category),
		or_empty(q->severity), status, or_empty(like), limit, offset);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		PGD_GROW(out->items, out->n + 1, cap);
		finding_row(st, s, &out->items[out->n++]);
	}
	st->be->finalize(s);
	if (rc < 0)
		pgd_patrol_finding_list_release(out);
out:
	free(like);
	return rc;
}

int pgd_patrol_finding_get(struct pgd_store *st, int64_t id, struct pgd_patrol_finding_row *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc = pgd_store_prep(st, &s, err, "SELECT " FINDING_COLS "WHERE f.id = $1", "i", id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1)
		finding_row(st, s, out);
	st->be->finalize(s);
	if (rc == 0)
		return pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "巡查问题 %" PRId64 " 不存在", id);
	return rc < 0 ? rc : 0;
}

int pgd_patrol_finding_handle(struct pgd_store *st, int64_t id, const char *status, const char *note,
	const char *by, time_t now, struct pgd_err *err)
{
	char ts[32];
	int64_t changes = 0;
	int rc;
	if (status == NULL || (strcmp(status, "confirmed") != 0 && strcmp(status, "dismissed") != 0))
		return pgd_err_set(err, PGD_ERR_INVALID, "status", "处理结果无效：应为 confirmed（确认）或 dismissed（排除）");
	if (strcmp(status, "dismissed") == 0 && (note == NULL || *note == '\0'))
		return pgd_err_set(err, PGD_ERR_INVALID, "note", "排除问题须填写说明");
	if (note && strlen(note) > PGD_STORE_TEXT_MAX)
		return pgd_err_set(err, PGD_ERR_INVALID, "note", "说明超过 %d 字节上限", PGD_STORE_TEXT_MAX);
	iso(now, ts);
	rc = pgd_store_execp(st, &changes, err,
		"UPDATE patrol_findings SET status = $1, handle_note = $2, handled_by = $3, handled_at = $4 WHERE id = $5",
		"ssssi", status, note && *note ? note : NULL, by, ts, id);
	if (rc == 0 && changes == 0)
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "巡查问题 %" PRId64 " 不存在", id);
	return rc;
}

/* ---- evidence rows ---- */

void pgd_patrol_evidence_row_release(struct pgd_patrol_evidence_row *e)
{
	if (e == NULL)
		return;
	free(e->url);
	free(e->content_type);
	free(e->headers);
	free(e->of);
	memset(e, 0, sizeof(*e));
}

int pgd_patrol_evidence_get(struct pgd_store *st, const char *sha256, struct pgd_patrol_evidence_row *out,
	struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc = pgd_store_prep(st, &s, err,
		"SELECT sha256, kind, url, fetched_at, status, content_type, headers, size, of_sha256 FROM patrol_evidence "
		"WHERE sha256 = $1",
		"s", sha256);
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	rc = st->be->step(s, err);
	if (rc == 1) {
		copy_col(st, s, 0, out->sha256, sizeof(out->sha256));
		copy_col(st, s, 1, out->kind, sizeof(out->kind));
		out->url = pgd_store_dup_col(st, s, 2);
		copy_col(st, s, 3, out->fetched_at, sizeof(out->fetched_at));
		out->status = st->be->col_int(s, 4);
		out->content_type = pgd_store_dup_col(st, s, 5);
		out->headers = pgd_store_dup_col(st, s, 6);
		out->size = st->be->col_int(s, 7);
		out->of = pgd_store_dup_col(st, s, 8);
	}
	st->be->finalize(s);
	if (rc == 0)
		return pgd_err_set(err, PGD_ERR_NOT_FOUND, "sha256", "证据 %s 不存在", sha256);
	return rc < 0 ? rc : 0;
}

int pgd_patrol_evidence_units(struct pgd_store *st, const char *sha256, int64_t **units, size_t *n,
	struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	size_t cap = 0;
	int rc;
	*units = NULL;
	*n = 0;
	/* a screenshot is reachable through its page too (of_sha256) */
	rc = pgd_store_prep(st, &s, err,
		"SELECT DISTINCT p.unit_id FROM patrol_findings f JOIN platforms p ON p.id = f.platform_id "
		"WHERE f.evidence_sha256 = $1 OR f.screenshot_sha256 = $1 "
		"OR f.evidence_sha256 IN (SELECT of_sha256 FROM patrol_evidence WHERE sha256 = $1)",
		"s", sha256);
	if (rc < 0)
		return rc;
	while ((rc = st->be->step(s, err)) == 1) {
		PGD_GROW(*units, *n + 1, cap);
		(*units)[(*n)++] = st->be->col_int(s, 0);
	}
	st->be->finalize(s);
	return rc;
}

/* ---- per platform ---- */

void pgd_patrol_summary_release(struct pgd_patrol_summary *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_probes; i++)
		free(s->probes[i].error);
	free(s->probes);
	for (size_t i = 0; i < s->n_columns; i++) {
		free(s->columns[i].url);
		free(s->columns[i].name);
	}
	free(s->columns);
	for (size_t i = 0; i < s->n_categories; i++)
		free(s->by_category[i].category);
	free(s->by_category);
	free(s->feed_url);
	memset(s, 0, sizeof(*s));
}

int pgd_patrol_summary(struct pgd_store *st, int64_t platform_id, time_t now, struct pgd_patrol_summary *out,
	struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	char from[32];
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	iso(now - 7 * 86400, from);
	rc = pgd_store_prep(st, &s, err,
		"SELECT at, ok, status, ms, error, tls_expires_at FROM patrol_probes WHERE platform_id = $1 AND at > $2 "
		"ORDER BY at DESC, id DESC LIMIT 1000",
		"is", platform_id, from);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		struct pgd_patrol_probe_row *p;
		PGD_GROW(out->probes, out->n_probes + 1, cap);
		p = &out->probes[out->n_probes++];
		memset(p, 0, sizeof(*p));
		copy_col(st, s, 0, p->at, sizeof(p->at));
		p->ok = st->be->col_int(s, 1) != 0;
		p->status = st->be->col_int(s, 2);
		p->ms = st->be->col_int(s, 3);
		p->error = pgd_store_dup_col(st, s, 4);
		if (out->tls_expires[0] == '\0') /* newest probe that saw a certificate: a failed one sees none */
			copy_col(st, s, 5, out->tls_expires, sizeof(out->tls_expires));
	}
	st->be->finalize(s);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < out->n_probes / 2; i++) { /* oldest first */
		struct pgd_patrol_probe_row t = out->probes[i];
		out->probes[i] = out->probes[out->n_probes - 1 - i];
		out->probes[out->n_probes - 1 - i] = t;
	}
	rc = pgd_store_query_int(st, &out->week_probes, err,
		"SELECT COUNT(*) FROM patrol_probes WHERE platform_id = $1 AND at > $2", "is", platform_id, from);
	if (rc == 0)
		rc = pgd_store_query_int(st, &out->week_failed, err,
			"SELECT COUNT(*) FROM patrol_probes WHERE platform_id = $1 AND at > $2 AND ok = 0", "is", platform_id, from);
	if (rc < 0)
		goto out;
	cap = 0;
	rc = pgd_store_prep(st, &s, err,
		"SELECT url, name, kind, newest_at, items, stale, empty FROM patrol_columns WHERE platform_id = $1 "
		"ORDER BY id LIMIT 10000",
		"i", platform_id);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		struct pgd_patrol_column_row *c;
		PGD_GROW(out->columns, out->n_columns + 1, cap);
		c = &out->columns[out->n_columns++];
		memset(c, 0, sizeof(*c));
		c->url = pgd_store_dup_col(st, s, 0);
		c->name = pgd_store_dup_col(st, s, 1);
		copy_col(st, s, 2, c->kind, sizeof(c->kind));
		copy_col(st, s, 3, c->newest_at, sizeof(c->newest_at));
		c->items = st->be->col_int(s, 4);
		c->stale = st->be->col_int(s, 5) != 0;
		c->empty = st->be->col_int(s, 6) != 0;
	}
	st->be->finalize(s);
	if (rc < 0)
		goto out;
	cap = 0;
	rc = pgd_store_prep(st, &s, err,
		"SELECT category, COUNT(*) FROM patrol_findings WHERE platform_id = $1 AND status IN ('open','confirmed') "
		"GROUP BY category ORDER BY category",
		"i", platform_id);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		PGD_GROW(out->by_category, out->n_categories + 1, cap);
		out->by_category[out->n_categories].category = pgd_store_dup_col(st, s, 0);
		out->by_category[out->n_categories].n = st->be->col_int(s, 1);
		out->n_categories++;
	}
	st->be->finalize(s);
	if (rc < 0)
		goto out;
	rc = pgd_store_query_int(st, &out->open_findings, err,
		"SELECT COUNT(*) FROM patrol_findings WHERE platform_id = $1 AND status = 'open'", "i", platform_id);
	if (rc == 0)
		rc = pgd_store_query_int(st, &out->last_job_id, err,
			"SELECT id FROM patrol_jobs WHERE platform_id = $1 AND kind = 'patrol' AND status IN ('done','failed') "
			"ORDER BY finished_at DESC, id DESC LIMIT 1",
			"i", platform_id);
	if (rc == 0)
		rc = pgd_store_query_int(st, &out->running_job_id, err,
			"SELECT id FROM patrol_jobs WHERE platform_id = $1 AND kind = 'patrol' AND status IN ('queued','leased') "
			"ORDER BY id DESC LIMIT 1",
			"i", platform_id);
	if (rc == 0)
		rc = pgd_patrol_feed_get(st, platform_id, &out->feed_url, err);
out:
	if (rc < 0)
		pgd_patrol_summary_release(out);
	return rc;
}

int pgd_patrol_feed_get(struct pgd_store *st, int64_t platform_id, char **feed_url, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc = pgd_store_prep(st, &s, err, "SELECT feed_url FROM platforms WHERE id = $1", "i", platform_id);
	*feed_url = NULL;
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1)
		*feed_url = pgd_store_dup_col(st, s, 0);
	st->be->finalize(s);
	if (rc == 0)
		return pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "平台 %" PRId64 " 不存在", platform_id);
	return rc < 0 ? rc : 0;
}

int pgd_patrol_feed_set(struct pgd_store *st, int64_t platform_id, const char *feed_url, struct pgd_err *err)
{
	char now[32];
	int64_t changes = 0;
	int rc;
	if (feed_url && *feed_url) {
		if (strncmp(feed_url, "http://", 7) != 0 && strncmp(feed_url, "https://", 8) != 0)
			return pgd_err_set(err, PGD_ERR_INVALID, "feed_url", "订阅源地址应以 http:// 或 https:// 开头");
		if (strlen(feed_url) > 4096)
			return pgd_err_set(err, PGD_ERR_INVALID, "feed_url", "订阅源地址超过 4096 字节上限");
	}
	pgd_store_now(now);
	rc = pgd_store_execp(st, &changes, err, "UPDATE platforms SET feed_url = $1, updated_at = $2 WHERE id = $3", "ssi",
		feed_url && *feed_url ? feed_url : NULL, now, platform_id);
	if (rc == 0 && changes == 0)
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "平台 %" PRId64 " 不存在", platform_id);
	return rc;
}

int pgd_patrol_baseline_get(struct pgd_store *st, int64_t platform_id, struct pgd_patrol_home *out, int *found,
	struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc = pgd_store_prep(st, &s, err,
		"SELECT sha256, simhash, title, text_len FROM patrol_home_baseline WHERE platform_id = $1", "i", platform_id);
	memset(out, 0, sizeof(*out));
	*found = 0;
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		copy_col(st, s, 0, out->sha256, sizeof(out->sha256));
		out->simhash = parse_simhex(st->be->col_text(s, 1));
		out->title = pgd_store_dup_col(st, s, 2);
		out->text_len = (size_t)st->be->col_int(s, 3);
		*found = 1;
	}
	st->be->finalize(s);
	return rc < 0 ? rc : 0;
}

int pgd_patrol_baseline_set(struct pgd_store *st, int64_t platform_id, const struct pgd_patrol_home *home,
	const char *by, time_t now, struct pgd_err *err)
{
	char ts[32], sh[17];
	int own = 0, rc;
	iso(now, ts);
	simhex(home->simhash, sh);
	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = pgd_store_execp(st, NULL, err, "DELETE FROM patrol_home_baseline WHERE platform_id = $1", "i", platform_id);
	if (rc == 0)
		rc = pgd_store_execp(st, NULL, err,
			"INSERT INTO patrol_home_baseline (platform_id, sha256, simhash, title, text_len, accepted_by, accepted_at) "
			"VALUES ($1, $2, $3, $4, $5, $6, $7)",
			"isssiss", platform_id, home->sha256, sh, home->title, (int64_t)home->text_len, by, ts);
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_patrol_latest_home(struct pgd_store *st, int64_t platform_id, struct pgd_patrol_home *out, int *found,
	struct pgd_err *err)
{
	char key[64], *val = NULL, *p, *q, *r;
	int rc;
	memset(out, 0, sizeof(*out));
	*found = 0;
	snprintf(key, sizeof(key), "patrol.home.%" PRId64, platform_id);
	rc = pgd_setting_get(st, key, &val, err);
	if (rc == PGD_ERR_NOT_FOUND) {
		pgd_err_clear(err);
		return 0;
	}
	if (rc < 0)
		return rc;
	p = strchr(val, '|');
	q = p ? strchr(p + 1, '|') : NULL;
	r = q ? strchr(q + 1, '|') : NULL;
	if (p && q && r && p - val == 64) {
		memcpy(out->sha256, val, 64);
		out->sha256[64] = '\0';
		out->simhash = parse_simhex(p + 1);
		out->text_len = (size_t)strtoull(q + 1, NULL, 10);
		out->title = r[1] ? pgd_strdup(r + 1) : NULL;
		*found = 1;
	}
	free(val);
	return 0;
}

int pgd_patrol_targets(struct pgd_store *st, struct pgd_patrol_target **out, size_t *n, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	rc = pgd_store_prep(st, &s, err,
		"SELECT id, type FROM platforms WHERE status = 'open' AND (type = 'website' OR "
		"(feed_url IS NOT NULL AND feed_url <> '')) ORDER BY id",
		"");
	if (rc < 0)
		return rc;
	while ((rc = st->be->step(s, err)) == 1) {
		const char *type = st->be->col_text(s, 1);
		PGD_GROW(*out, *n + 1, cap);
		(*out)[*n].id = st->be->col_int(s, 0);
		(*out)[*n].website = type && strcmp(type, "website") == 0;
		(*n)++;
	}
	st->be->finalize(s);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int pgd_patrol_counts_since(struct pgd_store *st, const char *since, int64_t *jobs_done, int64_t *findings_new,
	int64_t *findings_open, struct pgd_err *err)
{
	int rc = pgd_store_query_int(st, jobs_done, err,
		"SELECT COUNT(*) FROM patrol_jobs WHERE status = 'done' AND finished_at >= $1", "s", since);
	if (rc == 0)
		rc = pgd_store_query_int(st, findings_new, err,
			"SELECT COUNT(*) FROM patrol_findings WHERE first_seen_at >= $1", "s", since);
	if (rc == 0)
		rc = pgd_store_query_int(st, findings_open, err,
			"SELECT COUNT(*) FROM patrol_findings WHERE status IN ('open','confirmed')", "");
	return rc;
}
