/* The patrol worker API (/api/v1/worker/...): lease a job, report progress, upload evidence,
 * deliver the result, or give up. http.c has authenticated the worker by its bearer token
 * (rq->worker_id); every call about a job carries the job's lease (only its SM3 is stored).
 * The protocol is docs/patrol-protocol.md (the design: docs/ARCHITECTURE.md, "Patrol"). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "pubguard/accounts.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "pubguard/patrol_store.h"
#include "server/handlers.h"
#include "core/banned.h"

#define STR_CAP 8192
#define MAX_FINDINGS 100000
#define MAX_COLUMNS 10000
#define MAX_ITEMS 100000
#define MAX_EVIDENCE 1000
#define LEASE_DEFAULT 300

/* ---- settings ---- */

static int setting_int(struct pgd_store *st, const char *key, int dflt, int lo, int hi)
{
	char *v = NULL, *end = NULL;
	long n;
	if (pgd_setting_get(st, key, &v, NULL) < 0)
		return dflt;
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || n < lo || n > hi)
		n = dflt;
	free(v);
	return (int)n;
}

void pgd_server_patrol_thresholds(struct pgd_store *st, struct pgd_patrol_thresholds *th)
{
	char path[4096];
	pgd_patrol_thresholds_default(th);
	if (pgd_patrol_thresholds_path(NULL, path, sizeof(path)) == 0) {
		struct pgd_patrol_thresholds t = *th;
		if (pgd_patrol_thresholds_load(path, &t, NULL) == 0)
			*th = t; /* a broken file leaves the defaults (the CLI reports it) */
	}
	for (size_t i = 0; pgd_patrol_threshold_key(i); i++) {
		char key[128];
		int *f = pgd_patrol_threshold_field(th, pgd_patrol_threshold_key(i));
		snprintf(key, sizeof(key), "patrol.threshold.%s", pgd_patrol_threshold_key(i));
		if (f)
			*f = setting_int(st, key, *f, 0, 1000000000);
	}
}

static int lease_seconds(struct pgd_store *st)
{
	return setting_int(st, "patrol.lease_seconds", LEASE_DEFAULT, 1, 86400);
}

static void iso_now(char out[32])
{
	pgd_time_iso(time(NULL), out);
}

/* ---- replies ---- */

static void reply_job_err(struct pgd_resp *rs, int rc, const struct pgd_err *err)
{
	if (rc == PGD_ERR_CONFLICT && strcmp(err->field, "lease_lost") == 0)
		pgd_reply_error(rs, 409, "lease_lost", NULL, "%s", err->message);
	else if (rc == PGD_ERR_INVALID && strcmp(err->field, "evidence_missing") == 0)
		pgd_reply_error(rs, 422, "evidence_missing", "evidence", "%s", err->message);
	else if (rc == PGD_ERR_INVALID)
		pgd_reply_error(rs, 422, "invalid", err->field[0] ? err->field : NULL, "%s", err->message);
	else if (rc == PGD_ERR_INTEGRITY)
		pgd_reply_error(rs, 422, "integrity", err->field[0] ? err->field : NULL, "%s", err->message);
	else
		pgd_reply_err(rs, rc, err);
}

static const char *body_lease(struct pgd_req *rq, struct pgd_resp *rs)
{
	const char *lease = NULL;
	if (!json_is_object(rq->json)) {
		pgd_reply_error(rs, 400, "invalid", NULL, "请求体应为 JSON 对象");
		return NULL;
	}
	if (pgd_body_str(rq, rs, "lease", 1, 64, &lease) < 0)
		return NULL;
	return lease;
}

/* ---- lease ---- */

static json_t *job_json(struct pgd_req *rq, const struct pgd_patrol_job *job, const char *lease, int ls)
{
	struct pgd_platform p = {0};
	struct pgd_patrol_thresholds th;
	struct pgd_patrol_home base = {0};
	char *feed = NULL, as_of[32], sh[17];
	json_t *j = NULL, *thj, *basej = json_null(), *postsj = json_null();
	int found = 0;

	if (pgd_platform_get(rq->st, job->platform_id, &p, NULL) < 0)
		goto out;
	pgd_patrol_feed_get(rq->st, job->platform_id, &feed, NULL);
	pgd_server_patrol_thresholds(rq->st, &th);
	thj = json_object();
	for (size_t i = 0; pgd_patrol_threshold_key(i); i++) {
		int *f = pgd_patrol_threshold_field(&th, pgd_patrol_threshold_key(i));
		json_object_set_new(thj, pgd_patrol_threshold_key(i), json_integer(f ? *f : 0));
	}
	if (pgd_patrol_baseline_get(rq->st, job->platform_id, &base, &found, NULL) == 0 && found) {
		json_decref(basej);
		snprintf(sh, sizeof(sh), "%016" PRIx64, base.simhash);
		basej = json_pack("{s:s, s:s, s:o, s:I}", "sha256", base.sha256, "simhash", sh, "title",
			pgd_json_str_or_null(base.title), "text_len", (json_int_t)base.text_len);
	}
	iso_now(as_of);
	if (strncmp(job->period, "posts:", 6) == 0) /* an uploaded export of the account's posts */
		postsj = json_pack("{s:s}", "sha256", job->period + 6);
	j = json_pack("{s:I, s:s, s:i, s:s, s:{s:I, s:o, s:o, s:o, s:o}, s:s, "
		      "s:{s:i, s:i, s:i, s:i, s:I, s:i, s:b, s:b}, s:o, s:o, s:o}",
		"id", (json_int_t)job->id, "lease", lease, "lease_seconds", ls, "kind", job->kind,
		"platform", "id", (json_int_t)p.id, "name", pgd_json_str_or_null(p.name),
		"type", pgd_json_str_or_null(pgd_platform_type_name(p.type)),
		"url", pgd_json_str_or_null(p.entry_point && *p.entry_point ? p.entry_point : p.url_or_account),
		"feed_url", pgd_json_str_or_null(feed && *feed ? feed : NULL),
		"as_of", as_of,
		"options", "timeout_ms", 15000, "concurrency", 10, "per_host", 10, "max_pages", 5000,
		"max_bytes", (json_int_t)8388608, "max_redirects", 10, "content_checks", 1, "screenshots", 1,
		"thresholds", thj, "home_baseline", basej, "posts", postsj);
	basej = NULL;
	postsj = NULL;
out:
	json_decref(basej);
	json_decref(postsj);
	pgd_platform_release(&p);
	free(base.title);
	free(feed);
	return j;
}

void h_worker_lease(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_patrol_job job = {0};
	struct pgd_err err = {0};
	char lease[65];
	unsigned kinds = PGD_PATROL_KIND_PATROL | PGD_PATROL_KIND_PROBE;
	int ls = lease_seconds(rq->st), rc;
	json_t *k = json_is_object(rq->json) ? json_object_get(rq->json, "kinds") : NULL, *v;
	size_t i;

	if (k) {
		if (!json_is_array(k)) {
			pgd_reply_error(rs, 400, "invalid", "kinds", "kinds 应为数组，如 [\"patrol\",\"probe\"]");
			return;
		}
		kinds = 0;
		json_array_foreach(k, i, v) {
			const char *s = json_string_value(v);
			if (s && strcmp(s, "patrol") == 0)
				kinds |= PGD_PATROL_KIND_PATROL;
			else if (s && strcmp(s, "probe") == 0)
				kinds |= PGD_PATROL_KIND_PROBE;
			else {
				pgd_reply_error(rs, 400, "invalid", "kinds", "任务类型无效：应为 patrol 或 probe");
				return;
			}
		}
	}
	rc = pgd_patrol_job_lease(rq->st, rq->worker_id, kinds, ls, time(NULL), &job, lease, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
	} else if (job.id == 0) {
		rs->status = 204;
	} else {
		json_t *j = job_json(rq, &job, lease, ls);
		if (j)
			pgd_reply_json(rs, 200, json_pack("{s:o}", "job", j));
		else
			pgd_reply_error(rs, 500, "internal", NULL, "无法读取任务的平台信息");
	}
	pgd_wipe(lease, sizeof(lease));
	pgd_patrol_job_release(&job);
}

/* ---- progress, fail ---- */

void h_worker_progress(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_err err = {0};
	const char *lease = body_lease(rq, rs);
	int64_t done = 0, total = 0;
	int rc;
	if (lease == NULL || pgd_body_int(rq, rs, "done", 0, &done) < 0 || pgd_body_int(rq, rs, "total", 0, &total) < 0)
		return;
	rc = pgd_patrol_job_progress(rq->st, rq->id[0], lease, done, total, lease_seconds(rq->st), time(NULL), &err);
	if (rc < 0)
		reply_job_err(rs, rc, &err);
	else
		rs->status = 204;
}

void h_worker_fail(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_err err = {0};
	const char *lease = body_lease(rq, rs), *msg = NULL;
	int rc;
	if (lease == NULL || pgd_body_str(rq, rs, "error", 0, 2000, &msg) < 0)
		return;
	rc = pgd_patrol_job_fail(rq->st, rq->id[0], lease, msg, time(NULL), &err);
	if (rc < 0)
		reply_job_err(rs, rc, &err);
	else
		rs->status = 204;
}

/* ---- evidence ---- */

void h_worker_evidence(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_err err = {0};
	const char *lease = pgd_req_header(rq, "X-Lease");
	int created = 0, rc;
	rc = pgd_patrol_job_check_lease(rq->st, rq->id[0], lease, time(NULL), &err);
	if (rc == 0)
		rc = pgd_patrol_blob_put(rq->st, rq->word ? rq->word : "", rq->body ? rq->body : "", rq->body_len, &created,
			&err);
	if (rc < 0)
		reply_job_err(rs, rc, &err);
	else
		pgd_reply_json(rs, created ? 201 : 200, json_pack("{s:s, s:b}", "sha256", rq->word, "stored", created));
}

/* GET /worker/jobs/{id}/posts (header X-Lease): the uploaded export a "posts:" job is about. */
void h_worker_posts(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_patrol_job job = {0};
	struct pgd_err err = {0};
	unsigned char *bytes = NULL;
	size_t len = 0;
	int rc = pgd_patrol_job_check_lease(rq->st, rq->id[0], pgd_req_header(rq, "X-Lease"), time(NULL), &err);

	if (rc == 0)
		rc = pgd_patrol_job_get(rq->st, rq->id[0], &job, &err);
	if (rc == 0 && strncmp(job.period, "posts:", 6) != 0)
		rc = pgd_err_set(&err, PGD_ERR_NOT_FOUND, "id", "该任务没有导入的发布记录文件");
	if (rc == 0)
		rc = pgd_patrol_blob_get(rq->st, job.period + 6, &bytes, &len, &err);
	if (rc < 0) {
		reply_job_err(rs, rc, &err);
	} else {
		rs->status = 200;
		rs->bytes = bytes;
		rs->len = len;
		rs->content_type = "application/octet-stream";
		bytes = NULL;
	}
	free(bytes);
	pgd_patrol_job_release(&job);
}

/* ---- workers.manage: the system admin registers and revokes workers (GET/POST /workers) ---- */

static json_t *worker_json(const struct pgd_patrol_worker *w)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:b}", "id", (json_int_t)w->id, "name", w->name, "created_at",
		w->created_at, "last_seen_at", w->last_seen_at[0] ? json_string(w->last_seen_at) : json_null(),
		"revoked_at", w->revoked_at[0] ? json_string(w->revoked_at) : json_null(), "active", !w->revoked_at[0]);
}

static int find_worker(struct pgd_store *st, int64_t id, const char *name, struct pgd_patrol_worker *out,
	struct pgd_err *err)
{
	struct pgd_patrol_worker *v = NULL;
	size_t n = 0;
	int rc = pgd_patrol_worker_list(st, &v, &n, err);
	if (rc == 0) {
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "工作进程不存在");
		for (size_t i = 0; i < n; i++)
			if ((name && strcmp(v[i].name, name) == 0) || (!name && v[i].id == id)) {
				*out = v[i];
				rc = 0;
				break;
			}
	}
	free(v);
	return rc;
}

void h_workers_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_patrol_worker *v = NULL;
	struct pgd_err err = {0};
	size_t n = 0;
	json_t *items;
	int rc = pgd_patrol_worker_list(rq->st, &v, &n, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, worker_json(&v[i]));
	free(v);
	pgd_reply_json(rs, 200, json_pack("{s:o}", "items", items));
}

/* POST /workers {"name"}: a new worker and its token, shown this once (only its SM3 is kept; the
 * token is neither logged nor audited). */
void h_workers_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_patrol_worker w = {0};
	struct pgd_err err = {0};
	const char *name = NULL;
	char token[65], hash[65], subject[96];
	int64_t id = 0;
	json_t *after = NULL;
	int rc;

	if (pgd_body_str(rq, rs, "name", 1, 60, &name) < 0)
		return;
	pgd_patrol_secret_new(token);
	pgd_patrol_secret_hash(token, hash);
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_patrol_worker_add(rq->st, name, hash, 0, &id, &err);
	if (rc == 0)
		rc = find_worker(rq->st, 0, name, &w, &err);
	if (rc == 0) {
		after = worker_json(&w);
		snprintf(subject, sizeof(subject), "worker:%" PRId64, w.id);
		rc = pgd_audit(rq, "worker.add", subject, NULL, after, &err);
	}
	pgd_reply_commit(rq, rs, rc, 201, rc == 0 ? json_pack("{s:O, s:s}", "worker", after, "token", token) : NULL,
			 &err);
	json_decref(after);
	pgd_wipe(token, sizeof(token));
	pgd_wipe(hash, sizeof(hash));
}

void h_workers_revoke(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_patrol_worker w = {0};
	struct pgd_err err = {0};
	char subject[96];
	json_t *before = NULL, *after = NULL;
	int rc = pgd_store_begin(rq->st, &err);

	if (rc == 0)
		rc = find_worker(rq->st, rq->id[0], NULL, &w, &err);
	if (rc == 0) {
		before = worker_json(&w);
		rc = pgd_patrol_worker_revoke(rq->st, w.name, &err);
	}
	if (rc == 0)
		rc = find_worker(rq->st, rq->id[0], NULL, &w, &err);
	if (rc == 0) {
		after = worker_json(&w);
		snprintf(subject, sizeof(subject), "worker:%" PRId64, w.id);
		rc = pgd_audit(rq, "worker.revoke", subject, before, after, &err);
	}
	pgd_reply_commit(rq, rs, rc, 200, rc == 0 ? json_incref(after) : NULL, &err);
	json_decref(before);
	json_decref(after);
}

/* ---- result ---- */

struct parse {
	struct pgd_resp *rs;
	char field[96];
	int bad;
};

static int bad(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct parse *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!p->bad)
		pgd_reply_error(p->rs, 422, "invalid", p->field, "字段 %s：%s", p->field, msg);
	p->bad = 1;
	return -1;
}

/* An optional string (null or absent -> NULL; new copy). */
static int get_str(struct parse *p, json_t *o, const char *key, const char *where, size_t i, int required, char **out)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (i != (size_t)-1)
		snprintf(p->field, sizeof(p->field), "%s[%zu].%s", where, i, key);
	else
		snprintf(p->field, sizeof(p->field), "%s%s%s", where, *where ? "." : "", key);
	if (v == NULL || json_is_null(v))
		return required ? bad(p, "不能为空") : 0;
	if (!json_is_string(v))
		return bad(p, "应为字符串");
	if (json_string_length(v) > STR_CAP)
		return bad(p, "超过 8 KB 上限");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return bad(p, "含有 NUL 字符");
	*out = pgd_strdup(json_string_value(v));
	return 0;
}

static int get_int(struct parse *p, json_t *o, const char *key, const char *where, size_t i, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	*out = 0;
	if (i != (size_t)-1)
		snprintf(p->field, sizeof(p->field), "%s[%zu].%s", where, i, key);
	else
		snprintf(p->field, sizeof(p->field), "%s.%s", where, key);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return bad(p, "应为非负整数");
	*out = json_integer_value(v);
	return 0;
}

static int get_ts(struct parse *p, json_t *o, const char *key, const char *where, size_t i, time_t *out)
{
	char *s = NULL;
	int rc = get_str(p, o, key, where, i, 0, &s);
	*out = 0;
	if (rc == 0 && s && pgd_time_parse_iso(s, out) < 0)
		rc = bad(p, "时间格式应为 YYYY-MM-DDTHH:MM:SSZ");
	free(s);
	return rc;
}

static int is_sha(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int get_sha(struct parse *p, json_t *o, const char *key, const char *where, size_t i, int required, char **out)
{
	int rc = get_str(p, o, key, where, i, required, out);
	if (rc == 0 && *out && !is_sha(*out)) {
		free(*out);
		*out = NULL;
		rc = bad(p, "应为 64 位小写十六进制 SHA-256");
	}
	return rc;
}

static int get_simhash(struct parse *p, json_t *o, const char *key, const char *where, size_t i, uint64_t *out)
{
	char *s = NULL, *end = NULL;
	int rc = get_str(p, o, key, where, i, 0, &s);
	*out = 0;
	if (rc == 0 && s) {
		*out = strtoull(s, &end, 16);
		if (strlen(s) != 16 || *end != '\0')
			rc = bad(p, "应为 16 位十六进制 SimHash");
	}
	free(s);
	return rc;
}

static json_t *get_array(struct parse *p, json_t *root, const char *key, size_t cap)
{
	json_t *a = json_object_get(root, key);
	snprintf(p->field, sizeof(p->field), "%s", key);
	if (a == NULL || json_is_null(a))
		return NULL;
	if (!json_is_array(a)) {
		bad(p, "应为数组");
		return NULL;
	}
	if (json_array_size(a) > cap) {
		bad(p, "超过 %zu 条上限", cap);
		return NULL;
	}
	return a;
}

static int parse_findings(struct parse *p, json_t *root, struct pgd_patrol_result *r)
{
	json_t *a = get_array(p, root, "findings", MAX_FINDINGS), *o;
	size_t i;
	if (p->bad || a == NULL)
		return p->bad ? -1 : 0;
	r->rep.items = pgd_calloc(json_array_size(a) + 1, sizeof(*r->rep.items));
	r->rep.cap = json_array_size(a) + 1;
	r->screenshots = pgd_calloc(json_array_size(a) + 1, sizeof(char *));
	json_array_foreach(a, i, o) {
		struct pgd_patrol_finding *f = &r->rep.items[i];
		char *sev = NULL;
		int64_t line = 0;
		r->rep.n = i + 1;
		if (!json_is_object(o)) {
			snprintf(p->field, sizeof(p->field), "findings[%zu]", i);
			return bad(p, "应为对象");
		}
		if (get_str(p, o, "url", "findings", i, 1, &f->url) < 0 || get_str(p, o, "target", "findings", i, 0, &f->target) < 0 ||
		    get_str(p, o, "category", "findings", i, 1, &f->category) < 0 ||
		    get_str(p, o, "text", "findings", i, 0, &f->text) < 0 ||
		    get_str(p, o, "message", "findings", i, 1, &f->message) < 0 ||
		    get_sha(p, o, "evidence", "findings", i, 0, &f->evidence) < 0 ||
		    get_sha(p, o, "screenshot", "findings", i, 0, &r->screenshots[i]) < 0 ||
		    get_int(p, o, "line", "findings", i, &line) < 0 || get_str(p, o, "severity", "findings", i, 1, &sev) < 0)
			return -1;
		f->line = (unsigned)(line > 0xffffffffLL ? 0 : line);
		if (strcmp(sev, "info") == 0)
			f->severity = PGD_PATROL_INFO;
		else if (strcmp(sev, "review") == 0)
			f->severity = PGD_PATROL_REVIEW;
		else if (strcmp(sev, "block") == 0)
			f->severity = PGD_PATROL_BLOCK;
		else {
			free(sev);
			snprintf(p->field, sizeof(p->field), "findings[%zu].severity", i);
			return bad(p, "应为 info、review 或 block");
		}
		free(sev);
	}
	return 0;
}

static int parse_columns(struct parse *p, json_t *root, struct pgd_patrol_result *r)
{
	json_t *a = get_array(p, root, "columns", MAX_COLUMNS), *o;
	size_t i;
	if (p->bad || a == NULL)
		return p->bad ? -1 : 0;
	r->rep.columns = pgd_calloc(json_array_size(a) + 1, sizeof(*r->rep.columns));
	r->rep.cap_columns = json_array_size(a) + 1;
	json_array_foreach(a, i, o) {
		struct pgd_patrol_column *c = &r->rep.columns[i];
		char *kind = NULL;
		int64_t items = 0;
		r->rep.n_columns = i + 1;
		if (!json_is_object(o)) {
			snprintf(p->field, sizeof(p->field), "columns[%zu]", i);
			return bad(p, "应为对象");
		}
		if (get_str(p, o, "url", "columns", i, 1, &c->url) < 0 || get_str(p, o, "name", "columns", i, 0, &c->name) < 0 ||
		    get_ts(p, o, "newest", "columns", i, &c->newest) < 0 || get_int(p, o, "items", "columns", i, &items) < 0 ||
		    get_str(p, o, "kind", "columns", i, 0, &kind) < 0)
			return -1;
		c->kind = kind && strcmp(kind, "news") == 0 ? "news" : kind && strcmp(kind, "notice") == 0 ? "notice" : "other";
		free(kind);
		c->items = (size_t)items;
		c->stale = json_is_true(json_object_get(o, "stale"));
		c->empty = json_is_true(json_object_get(o, "empty"));
	}
	return 0;
}

static int parse_items(struct parse *p, json_t *root, struct pgd_patrol_result *r)
{
	json_t *a = get_array(p, root, "items", MAX_ITEMS), *o;
	size_t i;
	if (p->bad || a == NULL)
		return p->bad ? -1 : 0;
	r->rep.found = pgd_calloc(json_array_size(a) + 1, sizeof(*r->rep.found));
	r->rep.cap_found = json_array_size(a) + 1;
	json_array_foreach(a, i, o) {
		struct pgd_patrol_item *it = &r->rep.found[i];
		char *sha = NULL;
		r->rep.n_found = i + 1;
		if (!json_is_object(o)) {
			snprintf(p->field, sizeof(p->field), "items[%zu]", i);
			return bad(p, "应为对象");
		}
		if (get_str(p, o, "url", "items", i, 0, &it->url) < 0 || get_str(p, o, "title", "items", i, 0, &it->title) < 0 ||
		    get_ts(p, o, "published", "items", i, &it->published) < 0 ||
		    get_sha(p, o, "sha256", "items", i, 0, &sha) < 0 ||
		    get_simhash(p, o, "simhash", "items", i, &it->simhash) < 0)
			return -1;
		if (sha)
			memcpy(it->sha256, sha, 65);
		free(sha);
	}
	return 0;
}

static int parse_evidence(struct parse *p, json_t *root, struct pgd_patrol_result *r)
{
	json_t *a = get_array(p, root, "evidence", MAX_EVIDENCE), *o;
	size_t i;
	if (p->bad || a == NULL)
		return p->bad ? -1 : 0;
	r->rep.evidence = pgd_calloc(json_array_size(a) + 1, sizeof(*r->rep.evidence));
	r->rep.cap_evidence = json_array_size(a) + 1;
	json_array_foreach(a, i, o) {
		struct pgd_patrol_evidence *e = &r->rep.evidence[i];
		char *sha = NULL, *kind = NULL;
		int64_t status = 0, size = 0;
		r->rep.n_evidence = i + 1;
		if (!json_is_object(o)) {
			snprintf(p->field, sizeof(p->field), "evidence[%zu]", i);
			return bad(p, "应为对象");
		}
		if (get_sha(p, o, "sha256", "evidence", i, 1, &sha) < 0)
			return -1;
		memcpy(e->sha256, sha, 65);
		free(sha);
		if (get_str(p, o, "kind", "evidence", i, 1, &kind) < 0)
			return -1;
		e->kind = strcmp(kind, "screenshot") == 0 ? "screenshot" : strcmp(kind, "page") == 0 ? "page" : NULL;
		free(kind);
		if (e->kind == NULL)
			return bad(p, "应为 page 或 screenshot");
		if (get_str(p, o, "url", "evidence", i, 1, &e->url) < 0 ||
		    get_ts(p, o, "fetched_at", "evidence", i, &e->fetched_at) < 0 ||
		    get_int(p, o, "status", "evidence", i, &status) < 0 ||
		    get_str(p, o, "content_type", "evidence", i, 0, &e->content_type) < 0 ||
		    get_str(p, o, "headers", "evidence", i, 0, &e->headers) < 0 ||
		    get_int(p, o, "size", "evidence", i, &size) < 0 || get_sha(p, o, "of", "evidence", i, 0, &e->of) < 0)
			return -1;
		e->status = (long)status;
		e->size = (size_t)size;
	}
	return 0;
}

static int parse_result(struct parse *p, json_t *root, struct pgd_patrol_result *r)
{
	json_t *sum = json_object_get(root, "summary"), *home = json_object_get(root, "home"),
	       *probe = json_object_get(root, "probe");
	int64_t v = 0;
	if (json_is_object(sum)) {
		if (get_int(p, sum, "pages", "summary", (size_t)-1, &v) < 0)
			return -1;
		r->rep.pages = (size_t)v;
		if (get_int(p, sum, "links", "summary", (size_t)-1, &v) < 0)
			return -1;
		r->rep.links = (size_t)v;
		if (get_int(p, sum, "feeds", "summary", (size_t)-1, &v) < 0)
			return -1;
		r->rep.feeds = (size_t)v;
		if (get_int(p, sum, "pages_unchanged", "summary", (size_t)-1, &v) < 0)
			return -1;
		r->rep.pages_unchanged = (size_t)v;
	}
	if (parse_findings(p, root, r) < 0 || parse_columns(p, root, r) < 0 || parse_items(p, root, r) < 0 ||
	    parse_evidence(p, root, r) < 0)
		return -1;
	if (json_is_object(home)) {
		char *sha = NULL;
		if (get_sha(p, home, "sha256", "home", (size_t)-1, 1, &sha) < 0)
			return -1;
		memcpy(r->rep.home.sha256, sha, 65);
		free(sha);
		if (get_simhash(p, home, "simhash", "home", (size_t)-1, &r->rep.home.simhash) < 0 ||
		    get_str(p, home, "title", "home", (size_t)-1, 0, &r->rep.home.title) < 0 ||
		    get_int(p, home, "text_len", "home", (size_t)-1, &v) < 0)
			return -1;
		r->rep.home.text_len = (size_t)v;
		r->has_home = 1;
	}
	if (json_is_object(probe)) {
		char *e = NULL;
		int64_t st = 0, ms = 0;
		if (get_ts(p, probe, "at", "probe", (size_t)-1, &r->probe.at) < 0 ||
		    get_int(p, probe, "status", "probe", (size_t)-1, &st) < 0 ||
		    get_int(p, probe, "ms", "probe", (size_t)-1, &ms) < 0 ||
		    get_ts(p, probe, "tls_expires", "probe", (size_t)-1, &r->probe.tls_expires) < 0 ||
		    get_str(p, probe, "error", "probe", (size_t)-1, 0, &e) < 0)
			return -1;
		if (r->probe.at == 0) {
			snprintf(p->field, sizeof(p->field), "probe.at");
			return bad(p, "不能为空");
		}
		r->probe.ok = json_is_true(json_object_get(probe, "ok"));
		r->probe.status = (long)st;
		r->probe.ms = (unsigned)(ms > 0xffffffffLL ? 0xffffffffu : (unsigned)ms);
		snprintf(r->probe.error, sizeof(r->probe.error), "%s", e ? e : "");
		free(e);
		r->has_probe = 1;
	}
	return 0;
}

static void result_release(struct pgd_patrol_result *r)
{
	if (r->screenshots)
		for (size_t i = 0; i < r->rep.n; i++)
			free(r->screenshots[i]);
	free(r->screenshots);
	free(r->rep.home.title);
	r->rep.home.title = NULL;
	pgd_patrol_report_release(&r->rep);
}

void h_worker_result(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_patrol_result r;
	struct pgd_patrol_thresholds th;
	struct pgd_err err = {0};
	struct parse p = {.rs = rs};
	const char *lease = body_lease(rq, rs);
	char *since = NULL;
	int already = 0, rc;

	memset(&r, 0, sizeof(r));
	if (lease == NULL)
		return;
	if (parse_result(&p, rq->json, &r) < 0)
		goto out;
	pgd_server_patrol_thresholds(rq->st, &th);
	if (pgd_setting_get(rq->st, "patrol.unreviewed_since", &since, NULL) < 0)
		since = NULL;
	rc = pgd_patrol_ingest(rq->st, rq->id[0], lease, &r, &th, since, time(NULL), &already, &err);
	if (rc < 0)
		reply_job_err(rs, rc, &err);
	else
		pgd_reply_json(rs, 200, json_pack("{s:s}", "status", already ? "already" : "stored"));
out:
	free(since);
	result_release(&r);
}
