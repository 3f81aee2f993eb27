/* The patrol for the office and the units: a platform's patrol page (availability, columns,
 * jobs, findings by category), patrol now, a platform's feed, the findings list and their
 * handling, the home page baseline, and the evidence behind findings. The route table has
 * checked the permission; here the unit scope: a unit user sees only their own unit's platforms
 * (another's reads as 404). Evidence bytes are untrusted: served as text/plain (pages) or
 * image/png (screenshots) with CSP sandbox (http.c). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "pubguard/accounts.h"
#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "pubguard/patrol_store.h"
#include "server/handlers.h"
#include "core/banned.h"

/* ---- helpers ---- */

/* Load a platform the user may see; replies 404 (also for another unit's) and returns -1. */
static int load_platform(struct pgd_req *rq, struct pgd_resp *rs, int64_t id, struct pgd_platform *p)
{
	struct pgd_err err = {0};
	int rc = pgd_platform_get(rq->st, id, p, &err);
	if (rc == 0 && !pgd_unit_visible(rq, p->unit_id)) {
		pgd_platform_release(p);
		rc = PGD_ERR_NOT_FOUND;
		pgd_err_set(&err, rc, "id", "平台不存在");
	}
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return -1;
	}
	return 0;
}

json_t *pgd_json_patrol_job(const struct pgd_patrol_job *j)
{
	return json_pack("{s:I, s:I, s:o, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:s, s:o, s:o}",
		"id", (json_int_t)j->id, "platform_id", (json_int_t)j->platform_id,
		"platform_name", pgd_json_str_or_null(j->platform_name), "kind", j->kind, "status", j->status,
		"requested_by", j->requested_by, "progress_done", (json_int_t)j->progress_done,
		"progress_total", (json_int_t)j->progress_total, "pages", (json_int_t)j->pages,
		"links", (json_int_t)j->links, "findings", (json_int_t)j->findings, "error", pgd_json_str_or_null(j->error),
		"created_at", j->created_at, "started_at", pgd_json_text_or_null(j->started_at),
		"finished_at", pgd_json_text_or_null(j->finished_at));
}

static json_t *finding_json(const struct pgd_patrol_finding_row *f)
{
	json_t *j = json_pack("{s:I, s:I, s:o, s:I, s:o, s:o, s:s, s:o, s:o, s:I, s:o, s:o}",
		"id", (json_int_t)f->id, "platform_id", (json_int_t)f->platform_id,
		"platform_name", pgd_json_str_or_null(f->platform_name), "unit_id", (json_int_t)f->unit_id,
		"unit_name", pgd_json_str_or_null(f->unit_name), "category", pgd_json_str_or_null(f->category),
		"severity", f->severity, "url", pgd_json_str_or_null(f->url), "target", pgd_json_str_or_null(f->target),
		"line", (json_int_t)f->line, "text", pgd_json_str_or_null(f->text),
		"message", pgd_json_str_or_null(f->message));
	if (j == NULL)
		return NULL;
	json_object_set_new(j, "evidence_sha256", pgd_json_text_or_null(f->evidence_sha256));
	json_object_set_new(j, "screenshot_sha256", pgd_json_text_or_null(f->screenshot_sha256));
	json_object_set_new(j, "first_seen_at", json_string(f->first_seen_at));
	json_object_set_new(j, "last_seen_at", json_string(f->last_seen_at));
	json_object_set_new(j, "times_seen", json_integer(f->times_seen));
	json_object_set_new(j, "status", json_string(f->status));
	json_object_set_new(j, "handled_by", pgd_json_str_or_null(f->handled_by));
	json_object_set_new(j, "handled_at", pgd_json_text_or_null(f->handled_at));
	json_object_set_new(j, "handle_note", pgd_json_str_or_null(f->handle_note));
	json_object_set_new(j, "resolved_at", pgd_json_text_or_null(f->resolved_at));
	return j;
}

static json_t *job_or_null(struct pgd_store *st, int64_t id)
{
	struct pgd_patrol_job j = {0};
	json_t *out;
	if (id <= 0 || pgd_patrol_job_get(st, id, &j, NULL) < 0)
		return json_null();
	out = pgd_json_patrol_job(&j);
	pgd_patrol_job_release(&j);
	return out ? out : json_null();
}

/* ---- GET /platforms/{id}/patrol ---- */

void h_platform_patrol(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_platform p;
	struct pgd_patrol_summary s;
	struct pgd_err err = {0};
	json_t *probes, *columns, *cats, *out;
	int rc;

	if (load_platform(rq, rs, rq->id[0], &p) < 0)
		return;
	rc = pgd_patrol_summary(rq->st, p.id, time(NULL), &s, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		pgd_platform_release(&p);
		return;
	}
	probes = json_array();
	for (size_t i = 0; i < s.n_probes; i++)
		json_array_append_new(probes, json_pack("{s:s, s:b, s:I, s:I, s:o}", "at", s.probes[i].at,
			"ok", s.probes[i].ok, "status", (json_int_t)s.probes[i].status, "ms", (json_int_t)s.probes[i].ms,
			"error", pgd_json_str_or_null(s.probes[i].error)));
	columns = json_array();
	for (size_t i = 0; i < s.n_columns; i++)
		json_array_append_new(columns, json_pack("{s:o, s:o, s:s, s:o, s:I, s:b, s:b}",
			"url", pgd_json_str_or_null(s.columns[i].url), "name", pgd_json_str_or_null(s.columns[i].name),
			"kind", s.columns[i].kind, "newest", pgd_json_text_or_null(s.columns[i].newest_at),
			"items", (json_int_t)s.columns[i].items, "stale", s.columns[i].stale, "empty", s.columns[i].empty));
	cats = json_object();
	for (size_t i = 0; i < s.n_categories; i++)
		if (s.by_category[i].category)
			json_object_set_new(cats, s.by_category[i].category, json_integer(s.by_category[i].n));
	out = json_pack("{s:{s:I, s:o, s:o, s:I, s:o, s:o, s:o}, s:{s:I, s:I, s:o, s:o, s:o}, s:o, s:o, s:o, s:I, s:o}",
		"platform", "id", (json_int_t)p.id, "name", pgd_json_str_or_null(p.name),
		"type", pgd_json_str_or_null(pgd_platform_type_name(p.type)), "unit_id", (json_int_t)p.unit_id,
		"unit_name", pgd_json_str_or_null(p.unit_name), "url_or_account", pgd_json_str_or_null(p.url_or_account),
		"feed_url", pgd_json_str_or_null(s.feed_url),
		"availability", "week_probes", (json_int_t)s.week_probes, "week_failed", (json_int_t)s.week_failed,
		"week_ratio", s.week_probes > 0 ? json_real((double)s.week_failed / (double)s.week_probes) : json_null(),
		"tls_expires", pgd_json_text_or_null(s.tls_expires), "probes", probes,
		"columns", columns, "last_job", job_or_null(rq->st, s.last_job_id),
		"running_job", job_or_null(rq->st, s.running_job_id), "open_findings", (json_int_t)s.open_findings,
		"findings_by_category", cats);
	if (out)
		pgd_reply_json(rs, 200, out);
	else
		pgd_reply_error(rs, 500, "internal", NULL, "无法生成巡查概况");
	pgd_patrol_summary_release(&s);
	pgd_platform_release(&p);
}

/* ---- PUT /platforms/{id}/feed ---- */

void h_platform_feed(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_platform p;
	struct pgd_err err = {0};
	const char *feed = NULL;
	char *before = NULL, subject[64];
	json_t *after = NULL, *reply = NULL;
	int rc;

	if (!json_is_object(rq->json) || json_object_get(rq->json, "feed_url") == NULL) {
		pgd_reply_error(rs, 400, "invalid", "feed_url", "请提供 feed_url（订阅源地址，或 null 清除）");
		return;
	}
	if (pgd_body_str(rq, rs, "feed_url", 0, 4096, &feed) < 0)
		return;
	if (load_platform(rq, rs, rq->id[0], &p) < 0)
		return;
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_patrol_feed_get(rq->st, p.id, &before, &err);
	if (rc == 0)
		rc = pgd_patrol_feed_set(rq->st, p.id, feed, &err);
	if (rc == 0) {
		json_t *b = json_pack("{s:o}", "feed_url", pgd_json_str_or_null(before));
		after = json_pack("{s:o}", "feed_url", pgd_json_str_or_null(feed && *feed ? feed : NULL));
		snprintf(subject, sizeof(subject), "platform:%" PRId64, p.id);
		rc = pgd_audit(rq, "platform.feed", subject, b, after, &err);
		json_decref(b);
	}
	if (rc == 0) {
		reply = pgd_json_platform(&p);
		json_object_set_new(reply, "feed_url", pgd_json_str_or_null(feed && *feed ? feed : NULL));
	}
	pgd_reply_commit(rq, rs, rc, 200, reply, &err);
	json_decref(after);
	free(before);
	pgd_platform_release(&p);
}

/* ---- POST /platforms/{id}/patrol ---- */

void h_platform_patrol_now(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_platform p;
	struct pgd_patrol_job job = {0};
	struct pgd_err err = {0};
	char *feed = NULL, period[48], subject[64];
	int64_t active = 0, id = 0;
	time_t now = time(NULL);
	int rc;

	if (load_platform(rq, rs, rq->id[0], &p) < 0)
		return;
	rc = pgd_patrol_feed_get(rq->st, p.id, &feed, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		goto out;
	}
	if (!p.active) {
		pgd_reply_error(rs, 422, "invalid", "id", "平台「%s」已关停，不能巡查", p.name);
		goto out;
	}
	if (p.type != PGD_PLATFORM_WEBSITE && (feed == NULL || *feed == '\0')) {
		pgd_reply_error(rs, 422, "invalid", "feed_url", "平台「%s」不是网站且未设置订阅源地址，无法巡查", p.name);
		goto out;
	}
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_patrol_job_active(rq->st, p.id, "patrol", &active, &err);
	if (rc == 0 && active) {
		pgd_store_rollback(rq->st, NULL);
		pgd_reply_error(rs, 409, "conflict", NULL, "平台「%s」已有进行中的巡查任务（编号 %" PRId64 "）", p.name, active);
		goto out;
	}
	snprintf(period, sizeof(period), "now:%lld", (long long)now);
	if (rc == 0)
		rc = pgd_patrol_job_enqueue(rq->st, p.id, "patrol", period, rq->who->username, now, &id, &err);
	if (rc == 0 && id == 0)
		rc = pgd_err_set(&err, PGD_ERR_CONFLICT, NULL, "本秒内已创建过该平台的巡查任务，请稍后再试");
	if (rc == 0)
		rc = pgd_patrol_job_get(rq->st, id, &job, &err);
	if (rc == 0) {
		json_t *after = pgd_json_patrol_job(&job);
		snprintf(subject, sizeof(subject), "platform:%" PRId64, p.id);
		rc = pgd_audit(rq, "patrol.run", subject, NULL, after, &err);
		json_decref(after);
	}
	pgd_reply_commit(rq, rs, rc, 202, rc == 0 ? json_pack("{s:o}", "job", pgd_json_patrol_job(&job)) : NULL,
			 &err);
out:
	pgd_patrol_job_release(&job);
	free(feed);
	pgd_platform_release(&p);
}

/* POST /platforms/{id}/posts: an export of an account's posts (CSV/XLSX/JSON, as `pubguard patrol
 * items` reads) for a platform without a feed. The bytes are stored as a blob under their
 * SHA-256 and a patrol job keyed "posts:<sha256>" hands them to a worker, which parses them
 * (untrusted input is parsed in workers, not here) and returns cadence, content and items like
 * a feed patrol. The same file twice is one job: 409. */
void h_platform_posts(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_platform p;
	struct pgd_patrol_job job = {0};
	struct pgd_err err = {0};
	char sha[65], period[80], subject[64];
	int64_t active = 0, id = 0;
	time_t now = time(NULL);
	int created = 0, rc;

	if (load_platform(rq, rs, rq->id[0], &p) < 0)
		return;
	if (!p.active) {
		pgd_reply_error(rs, 422, "invalid", "id", "平台「%s」已关停，不能导入发布记录", p.name);
		goto out;
	}
	if (rq->body == NULL || rq->body_len == 0) {
		pgd_reply_error(rs, 400, "invalid", "file", "没有收到发布记录文件（请上传 CSV、XLSX 或 JSON 导出文件）");
		goto out;
	}
	pgd_sha256_hex(rq->body, rq->body_len, sha);
	snprintf(period, sizeof(period), "posts:%s", sha);
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_patrol_job_active(rq->st, p.id, "patrol", &active, &err);
	if (rc == 0 && active) {
		pgd_store_rollback(rq->st, NULL);
		pgd_reply_error(rs, 409, "conflict", NULL, "平台「%s」已有进行中的巡查任务（编号 %" PRId64 "），请稍后再导入", p.name,
			active);
		goto out;
	}
	if (rc == 0)
		rc = pgd_patrol_blob_put(rq->st, sha, rq->body, rq->body_len, &created, &err);
	if (rc == 0)
		rc = pgd_patrol_job_enqueue(rq->st, p.id, "patrol", period, rq->who->username, now, &id, &err);
	if (rc == 0 && id == 0)
		rc = pgd_err_set(&err, PGD_ERR_CONFLICT, "file", "这份发布记录文件已经导入过（内容相同），无需重复导入");
	if (rc == 0)
		rc = pgd_patrol_job_get(rq->st, id, &job, &err);
	if (rc == 0) {
		json_t *after = pgd_json_patrol_job(&job);
		snprintf(subject, sizeof(subject), "platform:%" PRId64, p.id);
		json_object_set_new(after, "posts_sha256", json_string(sha));
		json_object_set_new(after, "filename", pgd_json_str_or_null(pgd_req_query(rq, "filename")));
		rc = pgd_audit(rq, "patrol.posts_import", subject, NULL, after, &err);
		json_decref(after);
	}
	pgd_reply_commit(rq, rs, rc, 202, rc == 0 ? json_pack("{s:o}", "job", pgd_json_patrol_job(&job)) : NULL,
			 &err);
out:
	pgd_patrol_job_release(&job);
	pgd_platform_release(&p);
}

/* ---- patrol settings: GET/PUT /settings/patrol ----
 * The office's knobs over the scheduler and the rules, kept in settings: patrol.daily_time (HH:MM,
 * Beijing time), patrol.unreviewed_since (YYYY-MM-DD; "" none), patrol.lease_seconds, and
 * patrol.threshold.<key> overriding data/patrol/thresholds.tsv. */

static char *setting_or(struct pgd_store *st, const char *key, const char *dflt)
{
	char *v = NULL;
	if (pgd_setting_get(st, key, &v, NULL) < 0 || v == NULL)
		return pgd_strdup(dflt);
	return v;
}

static json_t *patrol_settings_json(struct pgd_store *st)
{
	struct pgd_patrol_thresholds th;
	char *daily = setting_or(st, "patrol.daily_time", "02:00"), *since = setting_or(st, "patrol.unreviewed_since", "");
	char *lease = setting_or(st, "patrol.lease_seconds", "300");
	json_t *thj = json_object(), *j;
	long ls = strtol(lease, NULL, 10);

	pgd_server_patrol_thresholds(st, &th);
	for (size_t i = 0; pgd_patrol_threshold_key(i); i++) {
		int *f = pgd_patrol_threshold_field(&th, pgd_patrol_threshold_key(i));
		json_object_set_new(thj, pgd_patrol_threshold_key(i), json_integer(f ? *f : 0));
	}
	j = json_pack("{s:s, s:o, s:i, s:o}", "daily_time", daily, "unreviewed_since",
		*since ? json_string(since) : json_null(), "lease_seconds", (int)(ls >= 1 && ls <= 86400 ? ls : 300),
		"thresholds", thj);
	free(daily);
	free(since);
	free(lease);
	return j;
}

void h_patrol_settings_get(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_json(rs, 200, patrol_settings_json(rq->st));
}

static int valid_hhmm(const char *v)
{
	return strlen(v) == 5 && v[2] == ':' && v[0] >= '0' && v[0] <= '2' && v[1] >= '0' && v[1] <= '9' &&
	       (v[0] - '0') * 10 + (v[1] - '0') < 24 && v[3] >= '0' && v[3] <= '5' && v[4] >= '0' && v[4] <= '9';
}

static int valid_day(const char *v)
{
	time_t t;
	size_t used = 0;
	return strlen(v) == 10 && v[4] == '-' && v[7] == '-' && pgd_date_parse(v, 10, &t, &used) == 0 && used == 10;
}

void h_patrol_settings_put(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_patrol_thresholds probe;
	struct pgd_err err = {0};
	json_t *b = rq->json, *v, *before = NULL, *after = NULL;
	const char *k;
	char buf[64], key[128];
	int rc = 0;

	if (!json_is_object(b)) {
		pgd_reply_error(rs, 400, "invalid", NULL, "请求内容应为 JSON 对象");
		return;
	}
	json_object_foreach(b, k, v) { /* validate everything before writing anything */
		if (strcmp(k, "daily_time") == 0) {
			if (!json_is_string(v) || !valid_hhmm(json_string_value(v))) {
				pgd_reply_error(rs, 400, "invalid", "daily_time", "每日巡查时间应为 HH:MM（北京时间，如 02:00）");
				return;
			}
		} else if (strcmp(k, "unreviewed_since") == 0) {
			if (!json_is_null(v) && (!json_is_string(v) || !valid_day(json_string_value(v)))) {
				pgd_reply_error(rs, 400, "invalid", "unreviewed_since", "未审核发布的比对起始日期应为 YYYY-MM-DD，或为空");
				return;
			}
		} else if (strcmp(k, "lease_seconds") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 86400) {
				pgd_reply_error(rs, 400, "invalid", "lease_seconds", "任务租约时长应为 1 到 86400 的整数（秒）");
				return;
			}
		} else if (strcmp(k, "thresholds") == 0) {
			const char *tk;
			json_t *tv;
			if (!json_is_object(v)) {
				pgd_reply_error(rs, 400, "invalid", "thresholds", "thresholds 应为对象");
				return;
			}
			json_object_foreach(v, tk, tv) {
				snprintf(key, sizeof(key), "thresholds.%.100s", tk);
				if (pgd_patrol_threshold_field(&probe, tk) == NULL) {
					pgd_reply_error(rs, 400, "invalid", key, "没有名为 %.100s 的巡查阈值", tk);
					return;
				}
				if (!json_is_integer(tv) || json_integer_value(tv) < 0 || json_integer_value(tv) > 1000000000) {
					pgd_reply_error(rs, 400, "invalid", key, "巡查阈值 %.100s 应为 0 到 1000000000 的整数", tk);
					return;
				}
			}
		} else {
			snprintf(key, sizeof(key), "%.100s", k);
			pgd_reply_error(rs, 400, "invalid", key, "无法识别的巡查设置 %.100s", k);
			return;
		}
	}
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		before = patrol_settings_json(rq->st);
	json_object_foreach(b, k, v) {
		if (rc < 0)
			break;
		if (strcmp(k, "daily_time") == 0) {
			rc = pgd_setting_set(rq->st, "patrol.daily_time", json_string_value(v), &err);
		} else if (strcmp(k, "unreviewed_since") == 0) {
			rc = pgd_setting_set(rq->st, "patrol.unreviewed_since", json_is_null(v) ? "" : json_string_value(v), &err);
		} else if (strcmp(k, "lease_seconds") == 0) {
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
			rc = pgd_setting_set(rq->st, "patrol.lease_seconds", buf, &err);
		} else {
			const char *tk;
			json_t *tv;
			json_object_foreach(v, tk, tv) {
				snprintf(key, sizeof(key), "patrol.threshold.%.100s", tk);
				snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(tv));
				if (rc == 0)
					rc = pgd_setting_set(rq->st, key, buf, &err);
			}
		}
	}
	if (rc == 0) {
		after = patrol_settings_json(rq->st);
		rc = pgd_audit(rq, "settings.patrol", "settings:patrol", before, after, &err);
	}
	pgd_reply_commit(rq, rs, rc, 200, rc == 0 ? json_incref(after) : NULL, &err);
	json_decref(before);
	json_decref(after);
}

/* ---- jobs ---- */

void h_patrol_job_get(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_patrol_job j = {0};
	struct pgd_err err = {0};
	int rc = pgd_patrol_job_get(rq->st, rq->id[0], &j, &err);
	if (rc == 0 && !pgd_unit_visible(rq, j.unit_id))
		rc = pgd_err_set(&err, PGD_ERR_NOT_FOUND, "id", "巡查任务不存在");
	if (rc < 0)
		pgd_reply_err(rs, rc, &err);
	else
		pgd_reply_json(rs, 200, pgd_json_patrol_job(&j));
	pgd_patrol_job_release(&j);
}

static int query_id(struct pgd_req *rq, struct pgd_resp *rs, const char *key, int64_t *out)
{
	if (pgd_req_query_int(rq, rs, key, 0, out) < 0)
		return -1;
	if (*out < 0) {
		pgd_reply_error(rs, 400, "invalid", key, "%s 应为正整数", key);
		return -1;
	}
	return 0;
}

/* The unit a list is limited to: 0 all (city scope or unit filter), -1 nothing. */
void h_patrol_jobs_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_list_query lq = {0};
	struct pgd_patrol_job_query q = {0};
	struct pgd_patrol_job_list l = {0};
	struct pgd_err err = {0};
	json_t *items;
	int rc;

	if (pgd_req_list_query(rq, rs, &lq) < 0 || query_id(rq, rs, "platform_id", &q.platform_id) < 0)
		return;
	q.page = lq.page;
	q.page_size = lq.page_size;
	q.status = pgd_req_query(rq, "status");
	q.kind = pgd_req_query(rq, "kind");
	if (!pgd_list_scope(rq, &lq)) {
		pgd_reply_json(rs, 200, pgd_json_page(json_array(), 0, &lq));
		return;
	}
	q.unit_id = lq.unit_id;
	rc = pgd_patrol_job_list(rq->st, &q, &l, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, pgd_json_patrol_job(&l.items[i]));
	pgd_reply_json(rs, 200, pgd_json_page(items, l.total, &lq));
	pgd_patrol_job_list_release(&l);
}

/* ---- findings ---- */

void h_patrol_findings(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_list_query lq = {0};
	struct pgd_patrol_finding_query q = {0};
	struct pgd_patrol_finding_list l = {0};
	struct pgd_err err = {0};
	json_t *items;
	int rc;

	if (pgd_req_list_query(rq, rs, &lq) < 0 || query_id(rq, rs, "platform_id", &q.platform_id) < 0)
		return;
	q.page = lq.page;
	q.page_size = lq.page_size;
	q.search = lq.search;
	q.category = pgd_req_query(rq, "category");
	q.severity = pgd_req_query(rq, "severity");
	q.status = pgd_req_query(rq, "status");
	if (!pgd_list_scope(rq, &lq)) {
		pgd_reply_json(rs, 200, pgd_json_page(json_array(), 0, &lq));
		return;
	}
	q.unit_id = lq.unit_id;
	rc = pgd_patrol_finding_list(rq->st, &q, &l, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, finding_json(&l.items[i]));
	pgd_reply_json(rs, 200, pgd_json_page(items, l.total, &lq));
	pgd_patrol_finding_list_release(&l);
}

void h_patrol_finding_handle(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_patrol_finding_row before = {0}, after = {0};
	struct pgd_err err = {0};
	const char *status = NULL, *note = NULL;
	char subject[64];
	json_t *b = NULL, *a = NULL;
	int rc;

	if (!json_is_object(rq->json)) {
		pgd_reply_error(rs, 400, "invalid", NULL, "请求体应为 JSON 对象");
		return;
	}
	if (pgd_body_str(rq, rs, "status", 1, 16, &status) < 0 || pgd_body_str(rq, rs, "note", 0, 1000, &note) < 0)
		return;
	if (strcmp(status, "confirmed") != 0 && strcmp(status, "dismissed") != 0) {
		pgd_reply_error(rs, 400, "invalid", "status", "处理结果无效：应为 confirmed（确认）或 dismissed（排除）");
		return;
	}
	if (strcmp(status, "dismissed") == 0 && (note == NULL || *note == '\0')) {
		pgd_reply_error(rs, 400, "invalid", "note", "排除问题须填写说明");
		return;
	}
	rc = pgd_patrol_finding_get(rq->st, rq->id[0], &before, &err);
	if (rc == 0 && !pgd_unit_visible(rq, before.unit_id))
		rc = pgd_err_set(&err, PGD_ERR_NOT_FOUND, "id", "巡查问题不存在");
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		goto out;
	}
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_patrol_finding_handle(rq->st, before.id, status, note, rq->who->username, time(NULL), &err);
	if (rc == 0)
		rc = pgd_patrol_finding_get(rq->st, before.id, &after, &err);
	if (rc == 0) {
		b = json_pack("{s:s, s:o}", "status", before.status, "handle_note", pgd_json_str_or_null(before.handle_note));
		a = json_pack("{s:s, s:o}", "status", after.status, "handle_note", pgd_json_str_or_null(after.handle_note));
		snprintf(subject, sizeof(subject), "patrol_finding:%" PRId64, before.id);
		rc = pgd_audit(rq, "patrol.finding_handle", subject, b, a, &err);
	}
	pgd_reply_commit(rq, rs, rc, 200, rc == 0 ? finding_json(&after) : NULL, &err);
out:
	json_decref(b);
	json_decref(a);
	pgd_patrol_finding_row_release(&before);
	pgd_patrol_finding_row_release(&after);
}

/* ---- POST /platforms/{id}/patrol/baseline ---- */

void h_platform_baseline(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_platform p;
	struct pgd_patrol_home home = {0}, old = {0};
	struct pgd_err err = {0};
	char subject[64];
	json_t *b = NULL, *a = NULL;
	int found = 0, had = 0, rc;

	if (load_platform(rq, rs, rq->id[0], &p) < 0)
		return;
	rc = pgd_patrol_latest_home(rq->st, p.id, &home, &found, &err);
	if (rc == 0 && !found)
		rc = pgd_err_set(&err, PGD_ERR_CONFLICT, "id", "平台「%s」还没有完成过巡查，没有可接受的首页", p.name);
	if (rc == 0)
		rc = pgd_store_begin(rq->st, &err);
	if (rc == 0) {
		rc = pgd_patrol_baseline_get(rq->st, p.id, &old, &had, &err);
		if (rc == 0)
			rc = pgd_patrol_baseline_set(rq->st, p.id, &home, rq->who->username, time(NULL), &err);
		if (rc == 0) {
			b = had ? json_pack("{s:s, s:o}", "sha256", old.sha256, "title", pgd_json_str_or_null(old.title)) : NULL;
			a = json_pack("{s:s, s:o}", "sha256", home.sha256, "title", pgd_json_str_or_null(home.title));
			snprintf(subject, sizeof(subject), "platform:%" PRId64, p.id);
			rc = pgd_audit(rq, "patrol.baseline", subject, b, a, &err);
		}
		if (rc == 0)
			rc = pgd_store_commit(rq->st, &err);
		else
			pgd_store_rollback(rq->st, NULL);
	}
	if (rc == 0)
		pgd_reply_json(rs, 200, json_pack("{s:I, s:s, s:o, s:I}", "platform_id", (json_int_t)p.id, "sha256",
			home.sha256, "title", pgd_json_str_or_null(home.title), "text_len", (json_int_t)home.text_len));
	else
		pgd_reply_err(rs, rc, &err);
	json_decref(b);
	json_decref(a);
	free(home.title);
	free(old.title);
	pgd_platform_release(&p);
}

/* ---- evidence ---- */

/* 0 when the user may see evidence sha (a finding of a platform they may read cites it). */
static int evidence_visible(struct pgd_req *rq, struct pgd_resp *rs, const char *sha)
{
	struct pgd_err err = {0};
	int64_t *units = NULL;
	size_t n = 0;
	int ok = 0, rc;
	rc = pgd_patrol_evidence_units(rq->st, sha, &units, &n, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return -1;
	}
	for (size_t i = 0; i < n && !ok; i++)
		ok = pgd_unit_visible(rq, units[i]);
	free(units);
	if (!ok) {
		pgd_reply_error(rs, 404, "not_found", "sha256", "证据不存在");
		return -1;
	}
	return 0;
}

void h_evidence_get(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_patrol_evidence_row e = {0};
	struct pgd_err err = {0};
	unsigned char *bytes = NULL;
	size_t len = 0;
	int rc;
	const char *sha = rq->word ? rq->word : "";

	if (evidence_visible(rq, rs, sha) < 0)
		return;
	rc = pgd_patrol_evidence_get(rq->st, sha, &e, &err);
	if (rc == 0)
		rc = pgd_patrol_blob_get(rq->st, sha, &bytes, &len, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
	} else {
		/* never text/html: untrusted markup must not run in our origin */
		pgd_reply_bytes(rs, 200, strcmp(e.kind, "screenshot") == 0 ? "image/png" : "text/plain; charset=utf-8", bytes,
			len, NULL);
		rs->untrusted = 1;
	}
	pgd_patrol_evidence_row_release(&e);
}

void h_evidence_meta(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_patrol_evidence_row e = {0};
	struct pgd_err err = {0};
	const char *sha = rq->word ? rq->word : "";
	int rc;
	if (evidence_visible(rq, rs, sha) < 0)
		return;
	rc = pgd_patrol_evidence_get(rq->st, sha, &e, &err);
	if (rc < 0)
		pgd_reply_err(rs, rc, &err);
	else
		pgd_reply_json(rs, 200, json_pack("{s:s, s:s, s:o, s:s, s:I, s:o, s:o, s:I, s:o}", "sha256", e.sha256,
			"kind", e.kind, "url", pgd_json_str_or_null(e.url), "fetched_at", e.fetched_at,
			"status", (json_int_t)e.status, "content_type", pgd_json_str_or_null(e.content_type),
			"headers", pgd_json_str_or_null(e.headers), "size", (json_int_t)e.size, "of", pgd_json_str_or_null(e.of)));
	pgd_patrol_evidence_row_release(&e);
}
