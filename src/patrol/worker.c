/* The patrol worker (see pubguard/worker.h): lease -> run -> upload evidence -> result.
 * Everything the server sends is untrusted input to this process and checked field by field;
 * everything it returns is capped to the protocol's limits. The token and leases are secrets:
 * they are never put into a log line and are wiped after use. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "pubguard/buf.h"
#include "pubguard/check.h"
#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "pubguard/utf8.h"
#include "pubguard/worker.h"
#include "patrol/fetch_sync.h"
#include "core/banned.h"

#define MAX_STR 8192                 /* strings in RESULT */
#define MAX_FINDINGS 100000
#define MAX_COLUMNS 10000
#define MAX_ITEMS 100000
#define MAX_EVIDENCE 1000
#define MAX_SHOTS 10
#define MAX_EVIDENCE_BYTES (16u << 20)
#define MAX_RESULT_BYTES (128u << 20) /* the server's cap on a RESULT body (PGD_BIG_BODY_MAX) */
#define SHOT_TIMEOUT_S 30

/* ---- timestamps ---- */

void pgd_worker_format_ts(time_t t, char *out, size_t n)
{
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, n, "1970-01-01T00:00:00Z");
}

int pgd_worker_parse_ts(const char *s, time_t *t)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0;
	time_t v;

	if (s == NULL || strlen(s) != 20 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 20)
		return PGD_ERR_INVALID;
	for (int i = 0; i < 20; i++) /* digits exactly where digits belong (sscanf skips signs/spaces) */
		if ((i == 4 || i == 7) ? s[i] != '-' : i == 10 ? s[i] != 'T' : (i == 13 || i == 16) ? s[i] != ':'
		    : i == 19 ? s[i] != 'Z' : (s[i] < '0' || s[i] > '9'))
			return PGD_ERR_INVALID;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
		return PGD_ERR_INVALID;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	v = timegm(&tm);
	if (v == (time_t)-1 || tm.tm_mday != d)
		return PGD_ERR_INVALID;
	*t = v;
	return 0;
}

/* ---- job parsing ---- */

static int is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

static int is_http(const char *s)
{
	return s && (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0) && strlen(s) <= MAX_STR;
}

/* obj must be an object holding exactly the keys in keys[] (NULL-terminated). */
static int exact_keys(json_t *obj, const char *where, const char *const *keys, struct pgd_err *err)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj))
		return pgd_err_set(err, PGD_ERR_FORMAT, where, "巡查任务格式错误：%s 应为对象", where);
	for (size_t i = 0; keys[i]; i++)
		if (json_object_get(obj, keys[i]) == NULL)
			return pgd_err_set(err, PGD_ERR_FORMAT, where, "巡查任务格式错误：缺少字段 %s%s%s",
			                   where, *where ? "." : "", keys[i]);
	json_object_foreach(obj, k, v) {
		size_t i;
		for (i = 0; keys[i]; i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (keys[i] == NULL)
			return pgd_err_set(err, PGD_ERR_FORMAT, where, "巡查任务格式错误：无法识别的字段 %s%s%.64s",
			                   where, *where ? "." : "", k);
	}
	return 0;
}

static int get_int(json_t *obj, const char *where, const char *key, long long lo, long long hi, long long *out,
	struct pgd_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return pgd_err_set(err, PGD_ERR_FORMAT, key, "巡查任务格式错误：字段 %s%s%s 应为 %lld 到 %lld 的整数",
		                   where, *where ? "." : "", key, lo, hi);
	*out = json_integer_value(v);
	return 0;
}

/* A string field (required; null allowed when nullable: *out = NULL). new: free(). */
static int get_str(json_t *obj, const char *where, const char *key, int nullable, char **out, struct pgd_err *err)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (nullable && json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) > MAX_STR ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return pgd_err_set(err, PGD_ERR_FORMAT, key, "巡查任务格式错误：字段 %s%s%s 应为%s字符串（不超过 %d 字节）",
		                   where, *where ? "." : "", key, nullable ? "空值或" : "", MAX_STR);
	*out = pgd_strdup(json_string_value(v));
	return 0;
}

static int get_bool(json_t *obj, const char *where, const char *key, int *out, struct pgd_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_boolean(v))
		return pgd_err_set(err, PGD_ERR_FORMAT, key, "巡查任务格式错误：字段 %s.%s 应为 true 或 false", where, key);
	*out = json_is_true(v);
	return 0;
}

static int parse_job(json_t *j, struct pgd_worker_job *job, int64_t *id_out, char *lease_out, struct pgd_err *err)
{
	static const char *const top[] = {"id", "lease", "lease_seconds", "kind", "platform", "as_of", "options",
	                                  "thresholds", "home_baseline", "posts", NULL};
	static const char *const plat[] = {"id", "name", "type", "url", "feed_url", NULL};
	static const char *const optk[] = {"timeout_ms", "concurrency", "per_host", "max_pages", "max_bytes",
	                                   "max_redirects", "content_checks", "screenshots", NULL};
	static const char *const basek[] = {"sha256", "simhash", "title", "text_len", NULL};
	const char *thk[64];
	json_t *v, *p, *op, *th, *hb;
	long long n;
	char *s = NULL;
	int rc = 0;

	memset(job, 0, sizeof(*job));
	if (!json_is_object(j)) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, "job", "巡查任务格式错误：任务应为 JSON 对象");
		goto out;
	}
	/* id and lease first, so that a job that is bad otherwise can still be failed */
	v = json_object_get(j, "id");
	if (json_is_integer(v) && json_integer_value(v) > 0)
		job->id = json_integer_value(v);
	v = json_object_get(j, "lease");
	if (json_is_string(v) && is_hex(json_string_value(v), 64))
		memcpy(job->lease, json_string_value(v), 65);
	if (id_out)
		*id_out = job->lease[0] ? job->id : 0;
	if (lease_out)
		memcpy(lease_out, job->id ? job->lease : "", job->id ? 65 : 1);
	if ((rc = exact_keys(j, "", top, err)) < 0)
		goto out;
	if (job->id == 0) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, "id", "巡查任务格式错误：字段 id 应为正整数");
		goto out;
	}
	if (job->lease[0] == '\0') {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, "lease", "巡查任务格式错误：字段 lease 应为 64 位十六进制字符串");
		goto out;
	}
	if ((rc = get_int(j, "", "lease_seconds", 1, 86400, &n, err)) < 0)
		goto out;
	job->lease_seconds = (int)n;
	if ((rc = get_str(j, "", "kind", 0, &s, err)) < 0)
		goto out;
	if (strcmp(s, "patrol") == 0) {
		job->kind = PGD_WORKER_KIND_PATROL;
	} else if (strcmp(s, "probe") == 0) {
		job->kind = PGD_WORKER_KIND_PROBE;
	} else {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, "kind", "巡查任务格式错误：无法识别的任务类型“%.64s”", s);
		goto out;
	}
	free(s);
	s = NULL;

	p = json_object_get(j, "platform");
	if ((rc = exact_keys(p, "platform", plat, err)) < 0 ||
	    (rc = get_int(p, "platform", "id", 1, INT64_MAX, &n, err)) < 0)
		goto out;
	job->platform_id = n;
	/* url is a web address for websites, but an account name may stand there for other types
	 * (patrolled through feed_url): it is checked when the job runs */
	if ((rc = get_str(p, "platform", "name", 1, &job->platform_name, err)) < 0 ||
	    (rc = get_str(p, "platform", "type", 0, &job->platform_type, err)) < 0 ||
	    (rc = get_str(p, "platform", "url", 1, &job->url, err)) < 0 ||
	    (rc = get_str(p, "platform", "feed_url", 1, &job->feed_url, err)) < 0)
		goto out;
	if (job->feed_url && !is_http(job->feed_url)) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, "platform.feed_url",
		                 "巡查任务格式错误：platform.feed_url 不是 http:// 或 https:// 网址");
		goto out;
	}

	if ((rc = get_str(j, "", "as_of", 0, &s, err)) < 0)
		goto out;
	if (pgd_worker_parse_ts(s, &job->as_of) < 0) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, "as_of", "巡查任务格式错误：as_of 应为 YYYY-MM-DDTHH:MM:SSZ 格式的时间");
		goto out;
	}
	free(s);
	s = NULL;

	pgd_patrol_opts_default(&job->opts);
	job->opts.as_of = job->as_of;
	op = json_object_get(j, "options");
	if ((rc = exact_keys(op, "options", optk, err)) < 0)
		goto out;
	if ((rc = get_int(op, "options", "timeout_ms", 100, 600000, &n, err)) < 0)
		goto out;
	job->opts.timeout_ms = (int)n;
	if ((rc = get_int(op, "options", "concurrency", 1, 256, &n, err)) < 0)
		goto out;
	job->opts.concurrency = (int)n;
	if ((rc = get_int(op, "options", "per_host", 1, 256, &n, err)) < 0)
		goto out;
	job->opts.per_host = (int)n;
	if ((rc = get_int(op, "options", "max_pages", 1, 10000000, &n, err)) < 0)
		goto out;
	job->opts.max_pages = (size_t)n;
	if ((rc = get_int(op, "options", "max_bytes", 1024, 1LL << 30, &n, err)) < 0)
		goto out;
	job->opts.max_bytes = (size_t)n;
	if ((rc = get_int(op, "options", "max_redirects", 0, 100, &n, err)) < 0)
		goto out;
	job->opts.max_redirects = (int)n;
	if ((rc = get_bool(op, "options", "content_checks", &job->content_checks, err)) < 0 ||
	    (rc = get_bool(op, "options", "screenshots", &job->screenshots, err)) < 0)
		goto out;

	pgd_patrol_thresholds_default(&job->th);
	th = json_object_get(j, "thresholds");
	{
		size_t k = 0;
		for (; pgd_patrol_threshold_key(k) && k + 1 < sizeof(thk) / sizeof(thk[0]); k++)
			thk[k] = pgd_patrol_threshold_key(k);
		thk[k] = NULL;
	}
	if ((rc = exact_keys(th, "thresholds", thk, err)) < 0)
		goto out;
	for (size_t k = 0; thk[k]; k++) {
		if ((rc = get_int(th, "thresholds", thk[k], 1, 100000000, &n, err)) < 0)
			goto out;
		*pgd_patrol_threshold_field(&job->th, thk[k]) = (int)n;
	}
	job->opts.th = &job->th;

	hb = json_object_get(j, "home_baseline");
	if (!json_is_null(hb)) {
		if ((rc = exact_keys(hb, "home_baseline", basek, err)) < 0 ||
		    (rc = get_str(hb, "home_baseline", "sha256", 0, &s, err)) < 0)
			goto out;
		if (!is_hex(s, 64)) {
			rc = pgd_err_set(err, PGD_ERR_FORMAT, "home_baseline.sha256",
			                 "巡查任务格式错误：home_baseline.sha256 应为 64 位十六进制字符串");
			goto out;
		}
		for (size_t i = 0; i < 64; i++)
			job->baseline.sha256[i] = (char)((s[i] >= 'A' && s[i] <= 'F') ? s[i] - 'A' + 'a' : s[i]);
		free(s);
		s = NULL;
		if ((rc = get_str(hb, "home_baseline", "simhash", 0, &s, err)) < 0)
			goto out;
		if (!is_hex(s, 16)) {
			rc = pgd_err_set(err, PGD_ERR_FORMAT, "home_baseline.simhash",
			                 "巡查任务格式错误：home_baseline.simhash 应为 16 位十六进制字符串");
			goto out;
		}
		job->baseline.simhash = strtoull(s, NULL, 16);
		free(s);
		s = NULL;
		if ((rc = get_str(hb, "home_baseline", "title", 1, &job->baseline.title, err)) < 0 ||
		    (rc = get_int(hb, "home_baseline", "text_len", 0, INT64_MAX, &n, err)) < 0)
			goto out;
		job->baseline.text_len = (size_t)n;
		job->has_baseline = 1;
		job->opts.home_baseline = &job->baseline;
	}
	hb = json_object_get(j, "posts"); /* an uploaded export of the account's posts, or null */
	if (!json_is_null(hb)) {
		static const char *const postk[] = {"sha256", NULL};
		if ((rc = exact_keys(hb, "posts", postk, err)) < 0 || (rc = get_str(hb, "posts", "sha256", 0, &s, err)) < 0)
			goto out;
		if (!is_hex(s, 64)) {
			rc = pgd_err_set(err, PGD_ERR_FORMAT, "posts.sha256", "巡查任务格式错误：posts.sha256 应为 64 位十六进制字符串");
			goto out;
		}
		memcpy(job->posts_sha256, s, 65);
	}
out:
	free(s);
	return rc;
}

int pgd_worker_job_parse(const char *json, size_t len, struct pgd_worker_job *job, int64_t *id_out,
	char *lease_out, struct pgd_err *err)
{
	json_error_t jerr;
	json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	if (id_out)
		*id_out = 0;
	if (lease_out)
		lease_out[0] = '\0';
	if (j == NULL) {
		memset(job, 0, sizeof(*job));
		return pgd_err_set(err, PGD_ERR_FORMAT, "job", "巡查任务不是有效的 JSON（第 %d 行：%.100s）", jerr.line,
		                   jerr.text);
	}
	rc = parse_job(j, job, id_out, lease_out, err);
	json_decref(j);
	if (rc < 0)
		pgd_worker_job_release(job);
	return rc;
}

void pgd_worker_job_release(struct pgd_worker_job *job)
{
	if (job == NULL)
		return;
	free(job->platform_name);
	free(job->platform_type);
	free(job->url);
	free(job->feed_url);
	free(job->baseline.title);
	pgd_wipe(job->lease, sizeof(job->lease));
	memset(job, 0, sizeof(*job));
}

/* ---- RESULT ---- */

/* A JSON string of at most MAX_STR bytes, cut at a UTF-8 boundary, invalid bytes as U+FFFD. */
static json_t *jstr(const char *s)
{
	struct pgd_buf b;
	json_t *v;
	size_t len, i = 0;

	if (s == NULL)
		return json_null();
	len = strlen(s);
	if (len <= MAX_STR && pgd_utf8_valid(s, len))
		return json_string(s);
	pgd_buf_init(&b, MAX_STR);
	while (i < len) {
		uint32_t cp;
		int k = pgd_utf8_decode(s + i, len - i, &cp);
		int ok = k > 0 ? pgd_buf_add(&b, s + i, (size_t)k) : pgd_buf_add(&b, "\xEF\xBF\xBD", 3);
		if (ok < 0)
			break;
		i += k > 0 ? (size_t)k : 1;
	}
	v = json_stringn(b.data ? b.data : "", b.len);
	pgd_buf_release(&b);
	return v ? v : json_string("");
}

static json_t *jts(time_t t)
{
	char ts[32];
	if (t == 0)
		return json_null();
	pgd_worker_format_ts(t, ts, sizeof(ts));
	return json_string(ts);
}

static json_t *jhash(uint64_t h)
{
	char hex[17];
	snprintf(hex, sizeof(hex), "%016" PRIx64, h);
	return json_string(hex);
}

static int long_url(const char *s)
{
	return s && strlen(s) > MAX_STR;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Is sha among the evidence of the result (kept: sorted)? */
static int evidence_kept(const char *const *kept, size_t nkept, const char *sha)
{
	return sha && nkept && bsearch(&sha, kept, nkept, sizeof(*kept), cmp_str) != NULL;
}

/* Evidence entry i goes into the result. */
static int evidence_in(const struct pgd_worker_result *res, size_t i)
{
	const struct pgd_patrol_evidence *e = &res->report->evidence[i];
	return (res->evidence_ok ? res->evidence_ok[i] : i < MAX_EVIDENCE) && !long_url(e->url) &&
	       is_hex(e->sha256, 64);
}

/* The RESULT is written piece by piece: each finding, column, item ... becomes a small JSON
 * value, is written and freed, and the items come through pgd_patrol_found_each (possibly from
 * the report's spill file), so a 100,000-item result never sits in memory as one tree (about
 * 1.5 KB an item) or one string. */
struct result_out {
	FILE *f;
	int bad;     /* a write failed */
	size_t n;    /* items written (the walk's count) */
};

static void out_str(struct result_out *o, const char *s)
{
	if (fputs(s, o->f) == EOF)
		o->bad = 1;
}

/* Write v compactly and free it. */
static void out_json(struct result_out *o, json_t *v)
{
	if (v == NULL || json_dumpf(v, o->f, JSON_COMPACT | JSON_ENCODE_ANY) < 0)
		o->bad = 1;
	json_decref(v);
}

/* pgd_patrol_found_each callback: one item, up to MAX_ITEMS (1 stops the walk there, 2 on a
 * write failure). */
static int out_item(void *arg, const struct pgd_patrol_item *it)
{
	struct result_out *o = arg;
	json_t *x;

	if (o->n >= MAX_ITEMS)
		return 1;
	if (long_url(it->url))
		return 0;
	x = json_object();
	json_object_set_new(x, "url", jstr(it->url));
	json_object_set_new(x, "title", jstr(it->title));
	json_object_set_new(x, "published", jts(it->published));
	json_object_set_new(x, "sha256", is_hex(it->sha256, 64) ? json_string(it->sha256) : json_null());
	json_object_set_new(x, "simhash", it->simhash ? jhash(it->simhash) : json_null());
	if (o->n)
		out_str(o, ",");
	out_json(o, x);
	o->n++;
	return o->bad ? 2 : 0;
}

/* Write the RESULT of res to f. *lease_at (may be NULL) gets the offset of the lease's first
 * character in what was written, so that a file holding it can be wiped. 0; PGD_ERR_IO when the
 * report's spilled items cannot be read back (err says why) or f cannot be written. */
static int result_write(const struct pgd_worker_result *res, FILE *f, long long *lease_at, struct pgd_err *err)
{
	const struct pgd_patrol_report *r = res->report;
	struct result_out o = {f, 0, 0};
	json_t *sum = json_object();
	const char **kept = NULL; /* sorted shas of evidence in the result, for references to it */
	size_t nkept = 0;
	off_t at;
	int rc = 0, first;

	out_str(&o, "{\"lease\":");
	at = ftello(f);
	if (lease_at)
		*lease_at = at < 0 ? -1 : (long long)at + 1; /* after the quote */
	out_json(&o, json_string(res->lease ? res->lease : ""));
	json_object_set_new(sum, "pages", json_integer(r ? (json_int_t)r->pages : 0));
	json_object_set_new(sum, "links", json_integer(r ? (json_int_t)r->links : 0));
	json_object_set_new(sum, "feeds", json_integer(r ? (json_int_t)r->feeds : 0));
	json_object_set_new(sum, "pages_unchanged", json_integer(r ? (json_int_t)r->pages_unchanged : 0));
	json_object_set_new(sum, "started_at", jts(res->started_at ? res->started_at : 1));
	json_object_set_new(sum, "finished_at", jts(res->finished_at ? res->finished_at : 1));
	out_str(&o, ",\"summary\":");
	out_json(&o, sum);

	if (r && r->n_evidence) {
		kept = pgd_calloc(r->n_evidence, sizeof(*kept));
		for (size_t i = 0; i < r->n_evidence; i++)
			if (evidence_in(res, i))
				kept[nkept++] = r->evidence[i].sha256;
		qsort(kept, nkept, sizeof(*kept), cmp_str);
	}

	out_str(&o, ",\"findings\":[");
	for (size_t i = 0, n = 0; r && i < r->n && n < MAX_FINDINGS && !o.bad; i++) {
		const struct pgd_patrol_finding *fi = &r->items[i];
		const char *shot = res->shots ? res->shots[i] : NULL;
		json_t *x;
		if (long_url(fi->url) || long_url(fi->target))
			continue;
		x = json_object();
		json_object_set_new(x, "url", jstr(fi->url ? fi->url : ""));
		json_object_set_new(x, "target", jstr(fi->target));
		json_object_set_new(x, "category", jstr(fi->category ? fi->category : ""));
		json_object_set_new(x, "severity", json_string(pgd_patrol_severity_name(fi->severity)));
		json_object_set_new(x, "line", json_integer(fi->line));
		json_object_set_new(x, "text", jstr(fi->text));
		json_object_set_new(x, "message", jstr(fi->message ? fi->message : ""));
		json_object_set_new(x, "evidence", evidence_kept(kept, nkept, fi->evidence) ? json_string(fi->evidence) : json_null());
		json_object_set_new(x, "screenshot", evidence_kept(kept, nkept, shot) ? json_string(shot) : json_null());
		if (n)
			out_str(&o, ",");
		out_json(&o, x);
		n++;
	}

	out_str(&o, "],\"columns\":[");
	for (size_t i = 0, n = 0; r && i < r->n_columns && n < MAX_COLUMNS && !o.bad; i++) {
		const struct pgd_patrol_column *c = &r->columns[i];
		const char *kind = c->kind && (strcmp(c->kind, "news") == 0 || strcmp(c->kind, "notice") == 0) ? c->kind
		                                                                                                : "other";
		json_t *x;
		if (c->url == NULL || long_url(c->url))
			continue;
		x = json_object();
		json_object_set_new(x, "url", jstr(c->url));
		json_object_set_new(x, "name", jstr(c->name));
		json_object_set_new(x, "kind", json_string(kind));
		json_object_set_new(x, "newest", jts(c->newest));
		json_object_set_new(x, "items", json_integer((json_int_t)c->items));
		json_object_set_new(x, "stale", json_boolean(c->stale));
		json_object_set_new(x, "empty", json_boolean(c->empty));
		if (n)
			out_str(&o, ",");
		out_json(&o, x);
		n++;
	}

	out_str(&o, "],\"items\":[");
	if (r && !o.bad) {
		rc = pgd_patrol_found_each(r, out_item, &o, err);
		if (rc > 0) /* stopped at MAX_ITEMS, or a write failed (o.bad) */
			rc = 0;
		if (rc < 0)
			goto out;
	}
	out_str(&o, "],\"home\":");
	if (r && is_hex(r->home.sha256, 64)) {
		json_t *h = json_object();
		json_object_set_new(h, "sha256", json_string(r->home.sha256));
		json_object_set_new(h, "simhash", jhash(r->home.simhash));
		json_object_set_new(h, "title", jstr(r->home.title));
		json_object_set_new(h, "text_len", json_integer((json_int_t)r->home.text_len));
		out_json(&o, h);
	} else {
		out_str(&o, "null");
	}
	out_str(&o, ",\"probe\":");
	if (res->probe) {
		const struct pgd_patrol_probe *p = res->probe;
		json_t *x = json_object();
		json_object_set_new(x, "at", jts(p->at ? p->at : 1));
		json_object_set_new(x, "ok", json_boolean(p->ok));
		json_object_set_new(x, "status", json_integer(p->status));
		json_object_set_new(x, "ms", json_integer(p->ms));
		json_object_set_new(x, "error", jstr(p->ok ? "" : p->error));
		json_object_set_new(x, "tls_expires", jts(p->tls_expires));
		out_json(&o, x);
	} else {
		out_str(&o, "null");
	}

	out_str(&o, ",\"evidence\":[");
	first = 1;
	for (size_t i = 0; r && i < r->n_evidence && !o.bad; i++) {
		const struct pgd_patrol_evidence *e = &r->evidence[i];
		json_t *x;
		if (!evidence_in(res, i))
			continue;
		x = json_object();
		json_object_set_new(x, "sha256", json_string(e->sha256));
		json_object_set_new(x, "kind", json_string(e->kind && strcmp(e->kind, "screenshot") == 0 ? "screenshot"
		                                                                                         : "page"));
		json_object_set_new(x, "url", jstr(e->url ? e->url : ""));
		json_object_set_new(x, "fetched_at", jts(e->fetched_at ? e->fetched_at : res->finished_at));
		json_object_set_new(x, "status", json_integer(e->status));
		json_object_set_new(x, "content_type", jstr(e->content_type));
		json_object_set_new(x, "headers", jstr(e->headers));
		json_object_set_new(x, "size", json_integer((json_int_t)e->size));
		json_object_set_new(x, "of", evidence_kept(kept, nkept, e->of) ? json_string(e->of) : json_null());
		if (!first)
			out_str(&o, ",");
		out_json(&o, x);
		first = 0;
	}
	out_str(&o, "]}");
	if (fflush(f) != 0)
		o.bad = 1;
	if (o.bad)
		rc = pgd_err_set(err, PGD_ERR_IO, "result", "无法写入巡查结果：%s", strerror(errno));
out:
	free(kept);
	return rc;
}

int pgd_worker_result_json(const struct pgd_worker_result *res, char **out, struct pgd_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	*out = NULL;
	if (f == NULL)
		return pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "无法生成巡查结果 JSON");
	rc = result_write(res, f, NULL, err);
	if (fclose(f) != 0 && rc == 0)
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "无法生成巡查结果 JSON");
	if (rc < 0 && buf) {
		pgd_wipe(buf, len); /* holds the lease */
		free(buf);
		buf = NULL;
	}
	*out = buf;
	return rc;
}

/* ---- the worker loop ---- */

struct worker {
	const struct pgd_worker_opts *o;
	char base[2048];           /* server URL without a trailing slash */
	struct pgd_rules *rules;   /* loaded on the first job with content checks */
	int rules_failed;
	char rules_error[512];
};

static void wlog(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wlog(struct worker *w, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (w->o->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	w->o->log(w->o->log_arg, line);
}

static int stopping(const struct worker *w)
{
	return w->o->stop && *w->o->stop;
}

/* Sleep for ms, waking early when asked to stop. */
static void nap(struct worker *w, long ms)
{
	while (ms > 0 && !stopping(w)) {
		struct timespec ts = {0, (ms > 100 ? 100 : ms) * 1000000L};
		nanosleep(&ts, NULL);
		ms -= 100;
	}
}

/* One exchange with the worker API. status 0 and PGD_ERR_IO when no answer arrived; code gets
 * the answer's error code ("lease_lost", "unauthenticated", ...) or "". *reply (may be NULL)
 * the parsed answer when it is JSON. */
struct api_answer {
	long status;
	char code[64];
	char message[512];
	json_t *json;
};

static int api(struct worker *w, const char *method, const char *path, const char *const *headers,
	const void *body, size_t len, FILE *file, const char *ctype, struct api_answer *ans, struct pgd_err *err)
{
	struct pgd_http_req rq = {0};
	struct pgd_buf resp;
	char url[4096];
	int rc;

	memset(ans, 0, sizeof(*ans));
	pgd_buf_init(&resp, PGD_HTTP_MAX_RESPONSE);
	snprintf(url, sizeof(url), "%s/api/v1/worker%s", w->base, path);
	rq.method = method;
	rq.url = url;
	rq.bearer = w->o->token;
	rq.ca_file = w->o->ca_file;
	rq.headers = headers;
	rq.body = body;
	rq.body_len = len;
	rq.body_file = file;
	rq.content_type = ctype;
	/* big bodies (evidence, a result of many items): 5 minutes, and a second more per 256 KB */
	rq.timeout_ms = len > (1u << 20) ? 300000 + (int)(len >> 18) * 1000 : 60000;
	rc = pgd_http_sync(&rq, &ans->status, &resp, err);
	if (rc == 0 && resp.len > 0) {
		ans->json = json_loadb(resp.data, resp.len, 0, NULL);
		json_t *e = json_object_get(ans->json, "error");
		const char *c = json_string_value(json_object_get(e, "code"));
		const char *m = json_string_value(json_object_get(e, "message"));
		if (c)
			snprintf(ans->code, sizeof(ans->code), "%s", c);
		if (m)
			snprintf(ans->message, sizeof(ans->message), "%s", m);
	}
	if (rc == 0 && ans->status == 401)
		rc = pgd_err_set(err, PGD_ERR_FORBIDDEN, "token",
		                 "服务器拒绝了工作进程令牌（HTTP 401）：令牌错误或已被吊销，请检查 --token-file");
	pgd_buf_release(&resp);
	return rc;
}

static void api_answer_release(struct api_answer *a)
{
	json_decref(a->json);
	a->json = NULL;
}

static int lease_lost(const struct api_answer *a)
{
	return a->status == 409 && strcmp(a->code, "lease_lost") == 0;
}

/* A transient failure worth retrying: no answer, or a 5xx/429. */
static int transient(int rc, const struct api_answer *a)
{
	return rc == PGD_ERR_IO || (rc == 0 && (a->status >= 500 || a->status == 429));
}

/* Retry an idempotent exchange with backoff (1, 2, 4, 8, 16 s) while it fails transiently. A
 * body from a file is sent from its start every time (pgd_http_sync rewinds it). */
static int api_retry(struct worker *w, const char *method, const char *path, const char *const *headers,
	const void *body, size_t len, FILE *file, const char *ctype, struct api_answer *ans, struct pgd_err *err)
{
	long wait_ms = 1000;
	int rc = 0;

	for (int attempt = 0; attempt < 6; attempt++) {
		if (attempt > 0) {
			api_answer_release(ans);
			wlog(w, "server busy or unreachable (%s %s), retrying in %ld s", method, path, wait_ms / 1000);
			nap(w, wait_ms);
			wait_ms *= 2;
		}
		rc = api(w, method, path, headers, body, len, file, ctype, ans, err);
		if (!transient(rc, ans) || stopping(w))
			break;
	}
	if (rc == 0 && transient(rc, ans))
		rc = pgd_err_set(err, PGD_ERR_IO, path, "服务器暂时无法处理请求（HTTP %ld）", ans->status);
	return rc;
}

/* POST /jobs/{id}/fail with a Chinese reason. Best effort. */
static void job_fail(struct worker *w, int64_t id, const char *lease, const char *reason)
{
	struct api_answer ans;
	struct pgd_err err = {0};
	char path[64];
	json_t *o = json_object();
	char *body;

	json_object_set_new(o, "lease", json_string(lease));
	json_object_set_new(o, "error", jstr(reason));
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	snprintf(path, sizeof(path), "/jobs/%" PRId64 "/fail", id);
	if (body && api_retry(w, "POST", path, NULL, body, strlen(body), NULL, NULL, &ans, &err) == 0)
		wlog(w, "job %" PRId64 " reported failed (HTTP %ld)", id, ans.status);
	else
		wlog(w, "job %" PRId64 ": could not report the failure", id);
	api_answer_release(&ans);
	if (body) {
		pgd_wipe(body, strlen(body));
		free(body);
	}
}

/* ---- per-job files ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	if (dir && *dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *temp_base(const struct worker *w)
{
	const char *t = getenv("TMPDIR");
	if (w->o->work_dir && *w->o->work_dir)
		return w->o->work_dir;
	return t && *t ? t : "/tmp";
}

/* The evidence directory of a job: "<work dir>/pgd-job-<id>", the same for every attempt, so that
 * an attempt resuming a killed or abandoned one finds the page bodies it kept (the crawl's
 * journal is in the cache dir). Made 0700; an existing one must be a directory of ours, not a
 * link and not open to others. 0, or -1 with errno. */
static int job_dir(const struct worker *w, int64_t id, char *out, size_t n)
{
	struct stat st;
	if (snprintf(out, n, "%s/pgd-job-%" PRId64, temp_base(w), id) >= (int)n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdir(out, 0700) == 0)
		return 0;
	if (errno != EEXIST || lstat(out, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* Job directories left by attempts that never came back (killed, or their job taken elsewhere),
 * once they are a day old. */
static void remove_stale_job_dirs(const struct worker *w)
{
	const char *base = temp_base(w);
	DIR *d = opendir(base);
	struct dirent *de;
	struct stat st;
	char path[4096];
	time_t now = time(NULL);

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "pgd-job-", 8) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() && st.st_mtime < now - 86400)
			rm_tree(path);
	}
	closedir(d);
}

/* Read a whole file of at most max bytes. new: free(). */
static int read_file(const char *path, size_t max, char **data, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t got = 0;
	int rc = -1;

	*data = NULL;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max)
		goto out;
	*data = pgd_malloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *data + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		got += (size_t)n;
	}
	*len = got;
	rc = 0;
out:
	if (rc < 0) {
		free(*data);
		*data = NULL;
	}
	close(fd);
	return rc;
}

/* ---- the CA file (--ca-file) ---- */

#define CA_FILE_MAX (16u << 20)
#define PEM_CERT "-----BEGIN CERTIFICATE-----"

int pgd_worker_check_ca_file(const char *path, struct pgd_err *err)
{
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	int fd, rc = 0;

	if (path == NULL || *path == '\0')
		return pgd_err_set(err, PGD_ERR_INVALID, "ca-file", "CA 证书文件名为空");
	fd = open(path, O_RDONLY | O_CLOEXEC); /* links followed: /etc/ssl/certs is made of them */
	if (fd < 0)
		return pgd_err_set(err, PGD_ERR_IO, path, "无法读取 CA 证书文件“%s”：%s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = pgd_err_set(err, PGD_ERR_IO, path, "CA 证书文件“%s”不是普通文件", path);
		goto out;
	}
	if ((size_t)st.st_size > CA_FILE_MAX) {
		rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, path, "CA 证书文件“%s”超过 %u MB，不像是证书文件", path,
		                 CA_FILE_MAX >> 20);
		goto out;
	}
	data = pgd_malloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = pgd_err_set(err, PGD_ERR_IO, path, "无法读取 CA 证书文件“%s”：%s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	data[got] = '\0';
	for (size_t i = 0; i < got; i++) /* a stray NUL must not hide what follows from strstr */
		if (data[i] == '\0')
			data[i] = ' ';
	if (strstr(data, PEM_CERT) == NULL)
		rc = pgd_err_set(err, PGD_ERR_FORMAT, path,
		                 "CA 证书文件“%s”中没有 PEM 格式的证书（应含 " PEM_CERT
		                 " 一行；DER 格式的证书请先用 openssl x509 -inform der 转换）",
		                 path);
out:
	free(data);
	close(fd);
	return rc;
}

/* A new temporary file for the RESULT in the work directory, unlinked at once (gone with the
 * process), 0600. NULL when it cannot be made. */
static FILE *result_file(const struct worker *w)
{
	char path[4200];
	FILE *f;
	int fd;

	if (snprintf(path, sizeof(path), "%s/pgd-result-XXXXXX", temp_base(w)) >= (int)sizeof(path))
		return NULL;
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	unlink(path);
	f = fdopen(fd, "w+b");
	if (f == NULL)
		close(fd);
	return f;
}

/* Close the RESULT file after overwriting the lease in it (a secret, wiped after use). */
static void result_file_close(FILE *f, long long lease_at, size_t lease_len)
{
	static const char zeros[128];

	if (lease_at >= 0 && lease_len <= sizeof(zeros) && fseeko(f, (off_t)lease_at, SEEK_SET) == 0)
		fwrite(zeros, 1, lease_len, f);
	fclose(f);
}

/* ---- screenshots (headless chromium, never through a shell) ---- */

static int find_chromium(const struct worker *w, char *out, size_t n)
{
	const char *path = getenv("PATH");

	if (w->o->chromium) {
		snprintf(out, n, "%s", w->o->chromium);
		return access(out, X_OK) == 0 ? 0 : -1;
	}
	while (path && *path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		if (len > 0 && len + 10 < n) {
			snprintf(out, n, "%.*s/chromium", (int)len, path);
			if (access(out, X_OK) == 0)
				return 0;
		}
		path = end ? end + 1 : NULL;
	}
	snprintf(out, n, "/usr/bin/chromium");
	return access(out, X_OK) == 0 ? 0 : -1;
}

/* Screenshot url into png (a path). 0 when a PNG was written. */
static int run_chromium(struct worker *w, const char *bin, const char *url, const char *png)
{
	char profile[4096], a_profile[4200], a_shot[4200];
	const char *argv[16];
	siginfo_t si;
	pid_t pid;
	int rc = -1, waited = 0, status;

	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
		return -1;
	if (snprintf(profile, sizeof(profile), "%s/pgd-chromium-XXXXXX", temp_base(w)) >= (int)sizeof(profile) ||
	    snprintf(a_shot, sizeof(a_shot), "--screenshot=%s", png) >= (int)sizeof(a_shot))
		return -1; /* paths that long are not ours */
	if (mkdtemp(profile) == NULL)
		return -1;
	snprintf(a_profile, sizeof(a_profile), "--user-data-dir=%s", profile);
	argv[0] = bin;
	argv[1] = "--headless";
	argv[2] = "--no-sandbox";
	argv[3] = "--disable-gpu";
	argv[4] = "--no-first-run";
	argv[5] = "--disable-background-networking";
	argv[6] = "--disable-component-update";
	argv[7] = "--disable-sync";
	argv[8] = a_profile;
	argv[9] = "--window-size=1280,2000";
	argv[10] = a_shot;
	argv[11] = "--";
	argv[12] = url;
	argv[13] = NULL;
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		setpgid(0, 0);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	setpgid(pid, pid); /* also from here: no race with the kill below */
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
			break;
		if (waited >= SHOT_TIMEOUT_S * 10 || stopping(w)) {
			wlog(w, "chromium did not finish a screenshot in %d s, killed", SHOT_TIMEOUT_S);
			break;
		}
		struct timespec ts = {0, 100000000L};
		nanosleep(&ts, NULL);
		waited++;
	}
	kill(-pid, SIGKILL); /* the group: chromium's helpers too (the child is not reaped yet) */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (si.si_pid == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 && access(png, R_OK) == 0)
		rc = 0;
out:
	rm_tree(profile);
	return rc;
}

/* Findings whose page did not load properly: a screenshot would show nothing useful. */
static int transport_finding(const char *cat)
{
	static const char *const cats[] = {"site.unavailable", "site.oversize_page", "site.redirect_loop",
	                                   "site.slow_page", "site.server_error", NULL};
	for (size_t i = 0; cats[i]; i++)
		if (strcmp(cat, cats[i]) == 0)
			return 1;
	return 0;
}

/* Up to MAX_SHOTS distinct pages with findings, most severe first: screenshot each, add the PNG
 * to r->evidence (kind "screenshot", of = the page's evidence) and shots[i] for its findings. */
struct run;
static int heartbeat(struct run *run);

static void screenshots(struct worker *w, const char *evdir, struct pgd_patrol_report *r, char **shots,
	struct run *run)
{
	char bin[4096], png[4200], final[4200];
	const char **pages = NULL;
	size_t npages = 0;

	if (r->n == 0 || find_chromium(w, bin, sizeof(bin)) < 0)
		return;
	pages = pgd_calloc(MAX_SHOTS, sizeof(*pages));
	for (int sev = PGD_PATROL_BLOCK; sev >= PGD_PATROL_INFO && npages < MAX_SHOTS; sev--)
		for (size_t i = 0; i < r->n && npages < MAX_SHOTS; i++) {
			const struct pgd_patrol_finding *f = &r->items[i];
			size_t k;
			if ((int)f->severity != sev || transport_finding(f->category) || !is_http(f->url))
				continue;
			for (k = 0; k < npages && strcmp(pages[k], f->url) != 0; k++)
				;
			if (k == npages)
				pages[npages++] = f->url;
		}
	for (size_t k = 0; k < npages && !stopping(w) && !heartbeat(run); k++) {
		const char *page = pages[k], *of = NULL;
		char sha[65], *data = NULL;
		size_t len = 0, e;
		long status = 0;

		snprintf(png, sizeof(png), "%s/shot-%zu.png", evdir, k);
		if (run_chromium(w, bin, page, png) < 0 || read_file(png, MAX_EVIDENCE_BYTES, &data, &len) < 0 ||
		    len < 8 || memcmp(data, "\x89PNG\r\n\x1a\n", 8) != 0) {
			wlog(w, "no screenshot of a page (chromium failed)");
			unlink(png);
			free(data);
			continue;
		}
		pgd_sha256_hex(data, len, sha);
		free(data);
		snprintf(final, sizeof(final), "%s/%s", evdir, sha);
		if (rename(png, final) < 0) {
			unlink(png);
			continue;
		}
		for (size_t i = 0; i < r->n; i++)
			if (strcmp(r->items[i].url, page) == 0 && r->items[i].evidence && !of)
				of = r->items[i].evidence;
		for (e = 0; e < r->n_evidence; e++)
			if (r->evidence[e].kind && strcmp(r->evidence[e].kind, "page") == 0 && r->evidence[e].url &&
			    (of ? strcmp(r->evidence[e].sha256, of) == 0 : strcmp(r->evidence[e].url, page) == 0)) {
				of = r->evidence[e].sha256;
				status = r->evidence[e].status;
				break;
			}
		for (e = 0; e < r->n_evidence && strcmp(r->evidence[e].sha256, sha) != 0; e++)
			;
		if (e == r->n_evidence) {
			char *of_copy = pgd_strdup(of); /* before the array moves */
			PGD_GROW(r->evidence, r->n_evidence + 1, r->cap_evidence);
			struct pgd_patrol_evidence *ev = &r->evidence[r->n_evidence++];
			memset(ev, 0, sizeof(*ev));
			memcpy(ev->sha256, sha, sizeof(ev->sha256));
			ev->kind = "screenshot";
			ev->url = pgd_strdup(page);
			ev->fetched_at = time(NULL);
			ev->status = status;
			ev->content_type = pgd_strdup("image/png");
			ev->size = len;
			ev->of = of_copy;
		}
		for (size_t i = 0; i < r->n; i++)
			if (strcmp(r->items[i].url, page) == 0 && shots[i] == NULL)
				shots[i] = pgd_strdup(sha);
	}
	free(pages);
}

/* ---- running one job ---- */

struct run {
	struct worker *w;
	struct pgd_worker_job *job;
	struct timespec last;
	int posted, lost;
	size_t done, queued; /* last progress seen */
};

static void on_progress(void *arg, size_t done, size_t queued)
{
	struct run *run = arg;
	struct api_answer ans;
	struct pgd_err err = {0};
	struct timespec now;
	char path[64], *body;
	json_t *o;

	run->done = done;
	run->queued = queued;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (run->lost || (run->posted && (now.tv_sec - run->last.tv_sec) * 1000 +
	                                         (now.tv_nsec - run->last.tv_nsec) / 1000000 < 1000))
		return;
	run->last = now;
	run->posted = 1;
	o = json_object();
	json_object_set_new(o, "lease", json_string(run->job->lease));
	json_object_set_new(o, "done", json_integer((json_int_t)done));
	json_object_set_new(o, "total", json_integer((json_int_t)(done + queued)));
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	snprintf(path, sizeof(path), "/jobs/%" PRId64 "/progress", run->job->id);
	if (body && api(run->w, "POST", path, NULL, body, strlen(body), NULL, NULL, &ans, &err) == 0 && lease_lost(&ans)) {
		run->lost = 1;
		wlog(run->w, "job %" PRId64 ": lease lost, abandoning", run->job->id);
	}
	api_answer_release(&ans);
	if (body) {
		pgd_wipe(body, strlen(body));
		free(body);
	}
}

/* Keep the lease alive during the steps after the patrol (screenshots, uploads): a progress
 * post at most once a second. 1 when the lease is lost. */
static int heartbeat(struct run *run)
{
	on_progress(run, run->done, run->queued);
	return run->lost;
}

/* Upload evidence file i; ok[i] = 1 when the server has it. Returns 0, 1 when the lease is
 * lost, or a negative code (the token was refused, or the server stayed unreachable). */
static int upload_one(struct worker *w, struct pgd_worker_job *job, const char *evdir,
	const struct pgd_patrol_evidence *e, unsigned char *ok, struct pgd_err *err)
{
	struct api_answer ans;
	char path[4300], sha[65], xlease[128], *data = NULL;
	const char *hdrs[2] = {xlease, NULL};
	size_t len = 0;
	int rc = 0;

	*ok = 0;
	memset(&ans, 0, sizeof(ans));
	if (!is_hex(e->sha256, 64))
		goto out;
	snprintf(path, sizeof(path), "%s/%s", evdir, e->sha256);
	if (read_file(path, MAX_EVIDENCE_BYTES, &data, &len) < 0)
		goto out; /* missing or too large: left out of the result */
	pgd_sha256_hex(data, len, sha);
	if (strcmp(sha, e->sha256) != 0)
		goto out;
	snprintf(xlease, sizeof(xlease), "X-Lease: %s", job->lease);
	snprintf(path, sizeof(path), "/jobs/%" PRId64 "/evidence/%s", job->id, e->sha256);
	rc = api_retry(w, "PUT", path, hdrs, data, len, NULL, "application/octet-stream", &ans, err);
	if (rc < 0)
		goto out;
	if (lease_lost(&ans))
		rc = 1;
	else if (ans.status == 200 || ans.status == 201)
		*ok = 1;
	else
		wlog(w, "job %" PRId64 ": evidence refused (HTTP %ld %s)", job->id, ans.status, ans.code);
out:
	pgd_wipe(xlease, sizeof(xlease));
	api_answer_release(&ans);
	free(data);
	return rc;
}

static struct pgd_rules *rules_for(struct worker *w, struct pgd_err *err)
{
	struct pgd_rules_opts ro = {0};

	if (w->rules || w->rules_failed) {
		if (w->rules_failed)
			pgd_err_set(err, PGD_ERR_RULES, NULL, "%s", w->rules_error);
		return w->rules;
	}
	ro.data_dir = w->o->rules_data_dir;
	ro.cache_dir = w->o->rules_cache_dir;
	if (pgd_rules_load(&ro, &w->rules, err) < 0) {
		w->rules = NULL;
		w->rules_failed = 1;
		snprintf(w->rules_error, sizeof(w->rules_error), "无法加载内容检查规则：%.400s", err->message);
		pgd_err_set(err, PGD_ERR_RULES, NULL, "%s", w->rules_error);
	}
	return w->rules;
}

/* Run a parsed job to its end: result stored, failed, or abandoned. Negative: fatal (401). */
/* A "posts" job: fetch the uploaded export from the server (it must hash to the job's sha256)
 * and patrol it like a feed. */
static int posts_patrol(struct worker *w, struct pgd_worker_job *job, struct pgd_patrol_report *rep,
	struct pgd_err *err)
{
	struct pgd_http_req rq = {0};
	struct pgd_buf resp;
	char url[4096], xlease[128], sha[65];
	const char *hdrs[2] = {xlease, NULL};
	const char *where = job->url && *job->url ? job->url : job->platform_name ? job->platform_name : "";
	long status = 0;
	int rc;

	pgd_buf_init(&resp, PGD_HTTP_MAX_DOWNLOAD);
	snprintf(url, sizeof(url), "%s/api/v1/worker/jobs/%" PRId64 "/posts", w->base, job->id);
	snprintf(xlease, sizeof(xlease), "X-Lease: %s", job->lease);
	rq.method = "GET";
	rq.url = url;
	rq.bearer = w->o->token;
	rq.ca_file = w->o->ca_file;
	rq.headers = hdrs;
	rq.timeout_ms = 300000;
	rq.max_response = PGD_HTTP_MAX_DOWNLOAD;
	rc = pgd_http_sync(&rq, &status, &resp, err);
	pgd_wipe(xlease, sizeof(xlease));
	if (rc == 0 && status != 200)
		rc = pgd_err_set(err, PGD_ERR_IO, "posts", "无法从服务器取得导入的发布记录文件（HTTP %ld）", status);
	if (rc == 0) {
		pgd_sha256_hex(resp.data ? resp.data : "", resp.len, sha);
		if (strcmp(sha, job->posts_sha256) != 0)
			rc = pgd_err_set(err, PGD_ERR_INTEGRITY, "posts", "服务器发来的发布记录文件与任务的 SHA-256 不符");
	}
	if (rc == 0)
		rc = pgd_patrol_posts(resp.data ? resp.data : "", resp.len, "导入的发布记录文件", where, &job->opts, rep, err);
	pgd_buf_release(&resp);
	return rc;
}

static int run_job(struct worker *w, struct pgd_worker_job *job, struct pgd_err *err)
{
	struct pgd_patrol_report rep;
	struct pgd_patrol_probe probe;
	struct pgd_worker_result res = {0};
	struct pgd_err perr = {0};
	struct run run = {0};
	struct api_answer ans;
	char evdir[4096] = "", path[64], key[32], **shots = NULL;
	unsigned char *ok = NULL;
	FILE *body = NULL; /* the RESULT, written to an unlinked temporary file */
	long long lease_at = -1;
	off_t size;
	int rc = 0, prc = 0;

	memset(&rep, 0, sizeof(rep));
	rep.spill_found = 1; /* items past PGD_PATROL_FOUND_INMEM wait in a temporary file */
	memset(&ans, 0, sizeof(ans));
	run.w = w;
	run.job = job;
	res.lease = job->lease;
	res.started_at = time(NULL);
	if ((job->kind == PGD_WORKER_KIND_PROBE || strcmp(job->platform_type, "website") == 0) &&
	    !is_http(job->url)) {
		job_fail(w, job->id, job->lease, "平台网址不是 http:// 或 https:// 开头的网址，无法监测或巡查");
		goto out;
	}
	if (w->o->ca_file && pgd_worker_check_ca_file(w->o->ca_file, &perr) < 0) {
		/* not the site's fault: every https request would fail on it */
		char why[600];
		snprintf(why, sizeof(why), "工作进程的 --ca-file 不可用，未执行：%s", perr.message);
		wlog(w, "job %" PRId64 ": the CA file cannot be used, job failed", job->id);
		job_fail(w, job->id, job->lease, why);
		goto out;
	}
	job->opts.ca_file = w->o->ca_file;
	if (job->kind == PGD_WORKER_KIND_PROBE) {
		wlog(w, "job %" PRId64 ": probe of platform %" PRId64, job->id, job->platform_id);
		pgd_patrol_probe(job->url, job->th.unavailable_timeout_ms, w->o->ca_file, &probe);
		res.probe = &probe;
	} else {
		int posts = job->posts_sha256[0] != '\0';
		int site = !posts && strcmp(job->platform_type, "website") == 0;
		if (!site && !posts && job->feed_url == NULL) {
			job_fail(w, job->id, job->lease, "该平台不是网站且没有登记订阅源地址，无法巡查");
			goto out;
		}
		if (job->content_checks) {
			job->opts.rules = rules_for(w, &perr);
			if (job->opts.rules == NULL) {
				job_fail(w, job->id, job->lease, perr.message);
				goto out;
			}
		}
		if (job_dir(w, job->id, evdir, sizeof(evdir)) < 0) {
			wlog(w, "job %" PRId64 ": cannot make %s: %s", job->id, evdir, strerror(errno));
			evdir[0] = '\0';
			job_fail(w, job->id, job->lease, "工作进程无法创建临时证据目录");
			goto out;
		}
		job->opts.evidence_dir = evdir;
		job->opts.cache_dir = w->o->cache_dir;
		/* with a cache dir the crawl keeps a journal: an attempt after this one, if this one is
		 * killed or loses its lease, goes on from it */
		snprintf(key, sizeof(key), "job-%" PRId64, job->id);
		job->opts.resume_key = w->o->cache_dir ? key : NULL;
		job->opts.cancel = &run.lost; /* a lost lease stops the crawl: another worker has the job */
		job->opts.progress = on_progress;
		job->opts.progress_arg = &run;
		wlog(w, "job %" PRId64 ": patrol of platform %" PRId64 " (%s)", job->id, job->platform_id,
		     site ? "website" : posts ? "posts" : "feed");
		if (posts)
			prc = posts_patrol(w, job, &rep, &perr);
		else
			prc = site ? pgd_patrol_site(job->url, &job->opts, &rep, &perr)
			           : pgd_patrol_feed(job->feed_url, &job->opts, &rep, &perr);
		if (run.lost)
			goto out;
		if (prc < 0) {
			job_fail(w, job->id, job->lease, perr.message);
			goto out;
		}
		res.report = &rep;
		shots = pgd_calloc(rep.n ? rep.n : 1, sizeof(*shots));
		if (w->o->screenshots && job->screenshots && site)
			screenshots(w, evdir, &rep, shots, &run);
		if (run.lost)
			goto out;
		res.shots = shots;
		ok = pgd_calloc(rep.n_evidence ? rep.n_evidence : 1, 1);
		for (size_t i = 0, sent = 0; i < rep.n_evidence; i++) {
			/* at most MAX_EVIDENCE in all, room kept for the screenshots (listed last) */
			int shot = rep.evidence[i].kind && strcmp(rep.evidence[i].kind, "screenshot") == 0;
			if (sent >= (shot ? MAX_EVIDENCE : MAX_EVIDENCE - MAX_SHOTS))
				continue;
			if (heartbeat(&run))
				goto out;
			rc = upload_one(w, job, evdir, &rep.evidence[i], &ok[i], err);
			sent += ok[i];
			if (rc < 0)
				goto out;
			if (rc == 1) {
				wlog(w, "job %" PRId64 ": lease lost during upload, abandoning", job->id);
				rc = 0;
				goto out;
			}
		}
		res.evidence_ok = ok;
	}
	res.finished_at = time(NULL);
	body = result_file(w);
	if (body == NULL) {
		job_fail(w, job->id, job->lease, "工作进程无法创建巡查结果临时文件");
		goto out;
	}
	if (result_write(&res, body, &lease_at, &perr) < 0) {
		job_fail(w, job->id, job->lease, perr.message);
		goto out;
	}
	size = ftello(body);
	if (size < 0) {
		job_fail(w, job->id, job->lease, "工作进程无法读取巡查结果临时文件");
		goto out;
	}
	if ((unsigned long long)size > MAX_RESULT_BYTES) {
		job_fail(w, job->id, job->lease, "巡查结果超过 128 MB 上限，无法提交（问题或条目过多）");
		goto out;
	}
	snprintf(path, sizeof(path), "/jobs/%" PRId64 "/result", job->id);
	rc = api_retry(w, "POST", path, NULL, NULL, (size_t)size, body, NULL, &ans, err);
	if (rc < 0) {
		if (rc == PGD_ERR_IO) { /* the lease will expire and the job run again */
			wlog(w, "job %" PRId64 ": result not delivered, giving up", job->id);
			rc = 0;
		}
		goto out;
	}
	if (ans.status == 200) {
		wlog(w, "job %" PRId64 ": result %s: %zu findings, %zu pages, %zu items, %zu evidence, %zu resumed",
		     job->id,
		     json_string_value(json_object_get(ans.json, "status")) ? json_string_value(json_object_get(ans.json, "status")) : "stored",
		     rep.n, rep.pages, pgd_patrol_found_count(&rep), rep.n_evidence, rep.resumed);
	} else if (lease_lost(&ans)) {
		wlog(w, "job %" PRId64 ": lease lost, result dropped", job->id);
	} else {
		char reason[700];
		wlog(w, "job %" PRId64 ": result refused (HTTP %ld %s)", job->id, ans.status, ans.code);
		snprintf(reason, sizeof(reason), "服务器拒绝了巡查结果（%s）：%s", ans.code, ans.message);
		job_fail(w, job->id, job->lease, reason);
	}
out:
	if (shots)
		for (size_t i = 0; i < rep.n; i++)
			free(shots[i]);
	free(shots);
	free(ok);
	if (body)
		result_file_close(body, lease_at, strlen(job->lease));
	api_answer_release(&ans);
	pgd_patrol_report_release(&rep);
	if (!run.lost) /* else the next attempt resumes from the bodies kept here */
		rm_tree(evdir);
	return rc;
}

/* Ask for a job. 1 with *job when one was leased, 0 when none, negative on errors. */
static int lease(struct worker *w, struct pgd_worker_job *job, struct pgd_err *err)
{
	struct api_answer ans;
	json_t *o = json_object(), *kinds = json_array();
	char *body, *text = NULL, lease_s[65];
	int64_t id = 0;
	int rc;

	if (w->o->kinds == 0 || (w->o->kinds & PGD_WORKER_KIND_PATROL))
		json_array_append_new(kinds, json_string("patrol"));
	if (w->o->kinds == 0 || (w->o->kinds & PGD_WORKER_KIND_PROBE))
		json_array_append_new(kinds, json_string("probe"));
	json_object_set_new(o, "kinds", kinds);
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	rc = api(w, "POST", "/lease", NULL, body, body ? strlen(body) : 0, NULL, NULL, &ans, err);
	free(body);
	if (rc < 0)
		goto out;
	if (ans.status == 204) {
		rc = 0;
		goto out;
	}
	if (ans.status != 200) {
		rc = pgd_err_set(err, ans.status >= 500 || ans.status == 429 ? PGD_ERR_IO : PGD_ERR_INVALID, "lease",
		                 "服务器拒绝分配任务（HTTP %ld %s）：%s", ans.status, ans.code, ans.message);
		goto out;
	}
	text = json_dumps(json_object_get(ans.json, "job"), JSON_COMPACT | JSON_ENCODE_ANY);
	if (text == NULL || pgd_worker_job_parse(text, strlen(text), job, &id, lease_s, err) < 0) {
		if (text == NULL)
			pgd_err_set(err, PGD_ERR_FORMAT, "job", "服务器的任务应答缺少 job 对象");
		wlog(w, "a leased job could not be read: %s", err->message);
		if (id > 0)
			job_fail(w, id, lease_s, err->message);
		pgd_wipe(lease_s, sizeof(lease_s));
		rc = 2;
		goto out;
	}
	rc = 1;
out:
	if (text) {
		pgd_wipe(text, strlen(text));
		free(text);
	}
	api_answer_release(&ans);
	return rc;
}

int pgd_worker_run(const struct pgd_worker_opts *o, size_t *jobs_done, struct pgd_err *err)
{
	struct worker w;
	long backoff = 1000;
	size_t taken = 0;
	int rc = 0, failures = 0;

	memset(&w, 0, sizeof(w));
	w.o = o;
	if (jobs_done)
		*jobs_done = 0;
	if (o->server == NULL || !is_http(o->server) || strlen(o->server) >= sizeof(w.base)) {
		rc = pgd_err_set(err, PGD_ERR_INVALID, "server", "服务器地址应为 http:// 或 https:// 开头的网址");
		goto out;
	}
	if (o->token == NULL || *o->token == '\0') {
		rc = pgd_err_set(err, PGD_ERR_INVALID, "token", "工作进程令牌为空");
		goto out;
	}
	if (o->ca_file && (rc = pgd_worker_check_ca_file(o->ca_file, err)) < 0)
		goto out;
	snprintf(w.base, sizeof(w.base), "%s", o->server);
	remove_stale_job_dirs(&w);
	for (size_t n = strlen(w.base); n > 0 && w.base[n - 1] == '/'; n--)
		w.base[n - 1] = '\0';
	while (!stopping(&w)) {
		struct pgd_worker_job job;
		int got;

		memset(&job, 0, sizeof(job));
		got = lease(&w, &job, err);
		if (got == PGD_ERR_FORBIDDEN) {
			rc = got;
			goto out;
		}
		if (got < 0) { /* server unreachable or busy: back off */
			if (o->once && ++failures >= 3) {
				rc = got;
				goto out;
			}
			wlog(&w, "cannot lease a job (%s), retrying in %ld s", got == PGD_ERR_IO ? "server unreachable" : "refused",
			     backoff / 1000);
			nap(&w, backoff);
			backoff = backoff < 60000 ? backoff * 2 : 60000;
			continue;
		}
		backoff = 1000;
		failures = 0;
		if (got == 0) {
			if (o->once)
				break;
			nap(&w, (long)(o->poll_s > 0 ? o->poll_s : 5) * 1000);
			continue;
		}
		taken++;
		if (got == 1) {
			rc = run_job(&w, &job, err);
			pgd_worker_job_release(&job);
			if (rc < 0)
				goto out;
		}
		if (o->once)
			break;
	}
out:
	if (jobs_done)
		*jobs_done = taken;
	pgd_rules_free(w.rules);
	return rc;
}
