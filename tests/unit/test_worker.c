/* The patrol worker (src/patrol/worker.c, fetch_sync.c): job JSON -> opts/thresholds, bad jobs
 * with clear errors, a hand-filled report -> RESULT JSON checked field by field, the probe's
 * RESULT, a RESULT whose items were spilled to a file, a request body sent from a file (whole
 * again on a retry), SHA-256 (patrol/sha256.c, which names evidence) against the FIPS 180-4 examples, the certificate date parser and a probe of a
 * closed loopback port; TLS against `openssl s_server` on loopback with certificates made by the
 * openssl CLI: a CA file trusted besides (not instead of) the system's CA directory by the probe,
 * the fetcher and the worker's server requests, and certificate failures named in Chinese.
 * Instants worked out by hand from 2026-11-30 00:00 UTC = 1795996800. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "pubguard/worker.h"
#include "patrol/fetch.h"
#include "patrol/fetch_sync.h"
#include "pubguard/crypto.h"
#include "core/banned.h"

#define UTC_1130 1795996800L
#define DAY 86400L
#define LEASE "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

/* A complete job; %s slots: options extra, thresholds extra (to break it on purpose). */
static const char job_fmt[] =
	"{\"id\":12,\"lease\":\"" LEASE "\",\"lease_seconds\":300,\"kind\":\"patrol\","
	"\"platform\":{\"id\":3,\"name\":\"某市人民政府门户网站\",\"type\":\"website\","
	"\"url\":\"https://www.example.gov.cn/\",\"feed_url\":null},"
	"\"as_of\":\"2026-12-01T02:00:00Z\","
	"\"options\":{\"timeout_ms\":15000,\"concurrency\":10,\"per_host\":6,\"max_pages\":5000,"
	"\"max_bytes\":8388608,\"max_redirects\":10,\"content_checks\":true,\"screenshots\":false%s},"
	"\"thresholds\":{\"weekly_min_items\":2,\"zombie_days\":15,\"news_column_days\":16,"
	"\"notice_column_days\":170,\"slow_page_ms\":9000,\"unavailable_timeout_ms\":14000,"
	"\"probes_per_day\":24,\"unavailable_fail_pct\":6,\"unavailable_warn_pct\":4,"
	"\"empty_columns_fail\":7,\"stale_columns_fail\":8%s,\"deface_simhash_bits\":20},"
	"\"home_baseline\":{\"sha256\":\"" SHA_A "\",\"simhash\":\"00ff00ff00ff00ff\",\"title\":\"首页\","
	"\"text_len\":1234},\"posts\":null}";

static char *make_job(const char *opt_extra, const char *th_extra)
{
	size_t n = sizeof(job_fmt) + strlen(opt_extra) + strlen(th_extra) + 16;
	char *s = pgd_malloc(n);
	snprintf(s, n, job_fmt, opt_extra, th_extra);
	return s;
}

static void test_job_parse(void **state)
{
	struct pgd_worker_job job;
	struct pgd_err err = {0};
	char *s = make_job("", ",\"tls_warn_days\":31");
	int64_t id = -1;
	char lease[65] = "x";

	assert_int_equal(pgd_worker_job_parse(s, strlen(s), &job, &id, lease, &err), 0);
	assert_int_equal(id, 12);
	assert_string_equal(lease, LEASE);
	assert_int_equal(job.id, 12);
	assert_string_equal(job.lease, LEASE);
	assert_int_equal(job.lease_seconds, 300);
	assert_int_equal(job.kind, PGD_WORKER_KIND_PATROL);
	assert_int_equal(job.platform_id, 3);
	assert_string_equal(job.platform_name, "某市人民政府门户网站");
	assert_string_equal(job.platform_type, "website");
	assert_string_equal(job.url, "https://www.example.gov.cn/");
	assert_null(job.feed_url);
	/* 2026-12-01 02:00 UTC */
	assert_int_equal(job.as_of, UTC_1130 + DAY + 2 * 3600);
	assert_int_equal(job.opts.as_of, job.as_of);
	assert_int_equal(job.opts.timeout_ms, 15000);
	assert_int_equal(job.opts.concurrency, 10);
	assert_int_equal(job.opts.per_host, 6);
	assert_int_equal(job.opts.max_pages, 5000);
	assert_int_equal(job.opts.max_bytes, 8388608);
	assert_int_equal(job.opts.max_redirects, 10);
	assert_int_equal(job.content_checks, 1);
	assert_int_equal(job.screenshots, 0);
	assert_ptr_equal(job.opts.th, &job.th);
	assert_int_equal(job.th.weekly_min_items, 2);
	assert_int_equal(job.th.zombie_days, 15);
	assert_int_equal(job.th.news_column_days, 16);
	assert_int_equal(job.th.notice_column_days, 170);
	assert_int_equal(job.th.slow_page_ms, 9000);
	assert_int_equal(job.th.unavailable_timeout_ms, 14000);
	assert_int_equal(job.th.probes_per_day, 24);
	assert_int_equal(job.th.unavailable_fail_pct, 6);
	assert_int_equal(job.th.unavailable_warn_pct, 4);
	assert_int_equal(job.th.empty_columns_fail, 7);
	assert_int_equal(job.th.stale_columns_fail, 8);
	assert_int_equal(job.th.tls_warn_days, 31);
	assert_int_equal(job.th.deface_simhash_bits, 20);
	assert_int_equal(job.has_baseline, 1);
	assert_string_equal(job.posts_sha256, ""); /* a crawl, not an uploaded export */
	assert_ptr_equal(job.opts.home_baseline, &job.baseline);
	assert_string_equal(job.baseline.sha256, SHA_A);
	assert_true(job.baseline.simhash == 0x00ff00ff00ff00ffULL);
	assert_string_equal(job.baseline.title, "首页");
	assert_int_equal(job.baseline.text_len, 1234);
	assert_null(job.opts.rules);
	assert_null(job.opts.evidence_dir);
	pgd_worker_job_release(&job);
	assert_int_equal(job.lease[0], 0);
	free(s);
}

static void test_job_probe_and_feed(void **state)
{
	static const char probe[] =
		"{\"id\":7,\"lease\":\"" LEASE "\",\"lease_seconds\":60,\"kind\":\"probe\","
		"\"platform\":{\"id\":9,\"name\":\"公众号\",\"type\":\"wechat\",\"url\":\"http://a.example/\","
		"\"feed_url\":\"https://rsshub.example/wechat/1\"},\"as_of\":\"2026-11-30T00:00:00Z\","
		"\"options\":{\"timeout_ms\":2000,\"concurrency\":1,\"per_host\":1,\"max_pages\":1,"
		"\"max_bytes\":1024,\"max_redirects\":0,\"content_checks\":false,\"screenshots\":true},"
		"\"thresholds\":{\"weekly_min_items\":1,\"zombie_days\":14,\"news_column_days\":14,"
		"\"notice_column_days\":180,\"slow_page_ms\":10000,\"unavailable_timeout_ms\":15000,"
		"\"probes_per_day\":20,\"unavailable_fail_pct\":5,\"unavailable_warn_pct\":3,"
		"\"empty_columns_fail\":5,\"stale_columns_fail\":5,\"tls_warn_days\":30,"
		"\"deface_simhash_bits\":24},\"home_baseline\":null,"
		"\"posts\":{\"sha256\":\"" SHA_A "\"}}";
	struct pgd_worker_job job;
	struct pgd_err err = {0};

	assert_int_equal(pgd_worker_job_parse(probe, strlen(probe), &job, NULL, NULL, &err), 0);
	assert_int_equal(job.kind, PGD_WORKER_KIND_PROBE);
	assert_string_equal(job.feed_url, "https://rsshub.example/wechat/1");
	assert_int_equal(job.as_of, UTC_1130);
	assert_int_equal(job.opts.max_redirects, 0);
	assert_int_equal(job.screenshots, 1);
	assert_int_equal(job.has_baseline, 0);
	assert_null(job.opts.home_baseline);
	assert_int_equal(job.th.unavailable_timeout_ms, 15000);
	assert_string_equal(job.posts_sha256, SHA_A); /* an uploaded export of posts */
	pgd_worker_job_release(&job);
}

/* A bad job: error code FORMAT, message naming what is wrong; id and lease still read. */
static void expect_bad(const char *json, const char *needle, int64_t want_id)
{
	struct pgd_worker_job job;
	struct pgd_err err = {0};
	int64_t id = -1;
	char lease[65];

	assert_int_equal(pgd_worker_job_parse(json, strlen(json), &job, &id, lease, &err), PGD_ERR_FORMAT);
	if (strstr(err.message, needle) == NULL)
		fail_msg("message '%s' does not name '%s'", err.message, needle);
	assert_int_equal(id, want_id);
	if (want_id)
		assert_string_equal(lease, LEASE);
	else
		assert_string_equal(lease, "");
	assert_null(job.url);
}

static void test_job_bad(void **state)
{
	char *s;

	s = make_job("", ""); /* thresholds.tls_warn_days missing */
	expect_bad(s, "缺少字段 thresholds.tls_warn_days", 12);
	free(s);
	s = make_job(",\"bogus\":1", ",\"tls_warn_days\":30");
	expect_bad(s, "无法识别的字段 options.bogus", 12);
	free(s);
	s = make_job("", ",\"tls_warn_days\":0");
	expect_bad(s, "thresholds.tls_warn_days 应为 1 到", 12);
	free(s);
	s = make_job("", ",\"tls_warn_days\":\"30\"");
	expect_bad(s, "thresholds.tls_warn_days", 12);
	free(s);
	expect_bad("{\"id\":5,\"lease\":\"" LEASE "\"}", "缺少字段 lease_seconds", 5);
	expect_bad("{\"id\":5,\"lease\":\"short\"}", "缺少字段", 0);
	expect_bad("[1,2]", "任务应为 JSON 对象", 0);
	expect_bad("{\"id\":5,", "不是有效的 JSON", 0);
	s = make_job("", ",\"tls_warn_days\":30");
	char *k = strstr(s, "\"kind\":\"patrol\"");
	assert_non_null(k);
	memcpy(k + 8, "crawlx", 6);
	expect_bad(s, "无法识别的任务类型", 12);
	free(s);
	s = make_job("", ",\"tls_warn_days\":30");
	k = strstr(s, "2026-12-01T02:00:00Z");
	memcpy(k, "2026-02-30", 10);
	expect_bad(s, "as_of", 12);
	free(s);
	s = make_job("", ",\"tls_warn_days\":30");
	k = strstr(s, "\"https://www.example.gov.cn/\"");
	memcpy(k, "12345                        ", 29); /* a number */
	expect_bad(s, "platform.url", 12);
	free(s);
}

/* ---- RESULT ---- */

static void add_evidence(struct pgd_patrol_report *r, const char *sha, const char *kind, const char *url,
	const char *of)
{
	PGD_GROW(r->evidence, r->n_evidence + 1, r->cap_evidence);
	struct pgd_patrol_evidence *e = &r->evidence[r->n_evidence++];
	memset(e, 0, sizeof(*e));
	snprintf(e->sha256, sizeof(e->sha256), "%s", sha);
	e->kind = kind;
	e->url = pgd_strdup(url);
	e->fetched_at = UTC_1130 + 3600; /* 2026-11-30T01:00:00Z */
	e->status = 200;
	e->content_type = pgd_strdup(strcmp(kind, "page") == 0 ? "text/html; charset=utf-8" : "image/png");
	e->headers = strcmp(kind, "page") == 0 ? pgd_strdup("HTTP/1.1 200 OK\r\nServer: x\r\n") : NULL;
	e->size = 1234;
	e->of = pgd_strdup(of);
}

static json_t *get(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (v == NULL)
		fail_msg("key %s missing", k);
	return v;
}

static void test_result_json(void **state)
{
	struct pgd_patrol_report r;
	struct pgd_worker_result res = {0};
	struct pgd_err err = {0};
	char shot_b[] = SHA_B;
	char *shots[2] = {shot_b, NULL};
	unsigned char ok[3] = {1, 1, 0};
	char *text = NULL;
	json_t *j, *a, *o;

	memset(&r, 0, sizeof(r));
	pgd_patrol_add(&r, "http://a.gov.cn/", "http://a.gov.cn/missing.html", "site.broken_link_internal",
	               PGD_PATROL_REVIEW, 17, "办事指南", "链接无法打开：HTTP %d", 404);
	r.items[0].evidence = pgd_strdup(SHA_A);
	pgd_patrol_add(&r, "http://a.gov.cn/x", NULL, "site.slow_page", PGD_PATROL_INFO, 0, NULL, "慢");
	r.items[1].evidence = pgd_strdup(SHA_C); /* its evidence was not uploaded */
	r.pages = 5;
	r.links = 40;
	r.feeds = 0;
	r.pages_unchanged = 2;
	PGD_GROW(r.columns, 1, r.cap_columns);
	r.n_columns = 1;
	r.columns[0].url = pgd_strdup("http://a.gov.cn/news/");
	r.columns[0].name = pgd_strdup("要闻动态");
	r.columns[0].kind = "news";
	r.columns[0].newest = UTC_1130 - 2 * DAY; /* 2026-11-28T00:00:00Z */
	r.columns[0].items = 12;
	r.columns[0].stale = 1;
	r.columns[0].empty = 0;
	PGD_GROW(r.found, 2, r.cap_found);
	r.n_found = 2;
	memset(r.found, 0, 2 * sizeof(*r.found));
	r.found[0].url = pgd_strdup("http://a.gov.cn/news/a1.html");
	r.found[0].title = pgd_strdup("市政府召开常务会议");
	r.found[0].published = UTC_1130 + 90; /* 2026-11-30T00:01:30Z */
	snprintf(r.found[0].sha256, sizeof(r.found[0].sha256), "%s", SHA_C);
	r.found[0].simhash = 0x0123456789abcdefULL;
	r.found[1].title = pgd_strdup("无链接的帖子");
	snprintf(r.home.sha256, sizeof(r.home.sha256), "%s", SHA_A);
	r.home.simhash = 0xabcULL;
	r.home.title = pgd_strdup("某市政府");
	r.home.text_len = 4321;
	add_evidence(&r, SHA_A, "page", "http://a.gov.cn/", NULL);
	add_evidence(&r, SHA_B, "screenshot", "http://a.gov.cn/", SHA_A);
	add_evidence(&r, SHA_C, "page", "http://a.gov.cn/x", NULL);

	res.lease = LEASE;
	res.report = &r;
	res.started_at = UTC_1130;
	res.finished_at = UTC_1130 + 61;
	res.shots = shots;
	res.evidence_ok = ok;
	assert_int_equal(pgd_worker_result_json(&res, &text, &err), 0);
	j = json_loads(text, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 8);
	assert_string_equal(json_string_value(get(j, "lease")), LEASE);
	o = get(j, "summary");
	assert_int_equal(json_object_size(o), 6);
	assert_int_equal(json_integer_value(get(o, "pages")), 5);
	assert_int_equal(json_integer_value(get(o, "links")), 40);
	assert_int_equal(json_integer_value(get(o, "feeds")), 0);
	assert_int_equal(json_integer_value(get(o, "pages_unchanged")), 2);
	assert_string_equal(json_string_value(get(o, "started_at")), "2026-11-30T00:00:00Z");
	assert_string_equal(json_string_value(get(o, "finished_at")), "2026-11-30T00:01:01Z");

	a = get(j, "findings");
	assert_int_equal(json_array_size(a), 2);
	o = json_array_get(a, 0);
	assert_int_equal(json_object_size(o), 9);
	assert_string_equal(json_string_value(get(o, "url")), "http://a.gov.cn/");
	assert_string_equal(json_string_value(get(o, "target")), "http://a.gov.cn/missing.html");
	assert_string_equal(json_string_value(get(o, "category")), "site.broken_link_internal");
	assert_string_equal(json_string_value(get(o, "severity")), "review");
	assert_int_equal(json_integer_value(get(o, "line")), 17);
	assert_string_equal(json_string_value(get(o, "text")), "办事指南");
	assert_string_equal(json_string_value(get(o, "message")), "链接无法打开：HTTP 404");
	assert_string_equal(json_string_value(get(o, "evidence")), SHA_A);
	assert_string_equal(json_string_value(get(o, "screenshot")), SHA_B);
	o = json_array_get(a, 1);
	assert_true(json_is_null(get(o, "target")));
	assert_true(json_is_null(get(o, "text")));
	assert_string_equal(json_string_value(get(o, "severity")), "info");
	assert_int_equal(json_integer_value(get(o, "line")), 0);
	assert_true(json_is_null(get(o, "evidence"))); /* SHA_C was not uploaded */
	assert_true(json_is_null(get(o, "screenshot")));

	a = get(j, "columns");
	assert_int_equal(json_array_size(a), 1);
	o = json_array_get(a, 0);
	assert_int_equal(json_object_size(o), 7);
	assert_string_equal(json_string_value(get(o, "url")), "http://a.gov.cn/news/");
	assert_string_equal(json_string_value(get(o, "name")), "要闻动态");
	assert_string_equal(json_string_value(get(o, "kind")), "news");
	assert_string_equal(json_string_value(get(o, "newest")), "2026-11-28T00:00:00Z");
	assert_int_equal(json_integer_value(get(o, "items")), 12);
	assert_true(json_is_true(get(o, "stale")));
	assert_true(json_is_false(get(o, "empty")));

	a = get(j, "items");
	assert_int_equal(json_array_size(a), 2);
	o = json_array_get(a, 0);
	assert_int_equal(json_object_size(o), 5);
	assert_string_equal(json_string_value(get(o, "url")), "http://a.gov.cn/news/a1.html");
	assert_string_equal(json_string_value(get(o, "title")), "市政府召开常务会议");
	assert_string_equal(json_string_value(get(o, "published")), "2026-11-30T00:01:30Z");
	assert_string_equal(json_string_value(get(o, "sha256")), SHA_C);
	assert_string_equal(json_string_value(get(o, "simhash")), "0123456789abcdef");
	o = json_array_get(a, 1);
	assert_true(json_is_null(get(o, "url")));
	assert_string_equal(json_string_value(get(o, "title")), "无链接的帖子");
	assert_true(json_is_null(get(o, "published")));
	assert_true(json_is_null(get(o, "sha256")));
	assert_true(json_is_null(get(o, "simhash")));

	o = get(j, "home");
	assert_int_equal(json_object_size(o), 4);
	assert_string_equal(json_string_value(get(o, "sha256")), SHA_A);
	assert_string_equal(json_string_value(get(o, "simhash")), "0000000000000abc");
	assert_string_equal(json_string_value(get(o, "title")), "某市政府");
	assert_int_equal(json_integer_value(get(o, "text_len")), 4321);
	assert_true(json_is_null(get(j, "probe")));

	a = get(j, "evidence");
	assert_int_equal(json_array_size(a), 2); /* SHA_C left out: not uploaded */
	o = json_array_get(a, 0);
	assert_int_equal(json_object_size(o), 9);
	assert_string_equal(json_string_value(get(o, "sha256")), SHA_A);
	assert_string_equal(json_string_value(get(o, "kind")), "page");
	assert_string_equal(json_string_value(get(o, "url")), "http://a.gov.cn/");
	assert_string_equal(json_string_value(get(o, "fetched_at")), "2026-11-30T01:00:00Z");
	assert_int_equal(json_integer_value(get(o, "status")), 200);
	assert_string_equal(json_string_value(get(o, "content_type")), "text/html; charset=utf-8");
	assert_string_equal(json_string_value(get(o, "headers")), "HTTP/1.1 200 OK\r\nServer: x\r\n");
	assert_int_equal(json_integer_value(get(o, "size")), 1234);
	assert_true(json_is_null(get(o, "of")));
	o = json_array_get(a, 1);
	assert_string_equal(json_string_value(get(o, "sha256")), SHA_B);
	assert_string_equal(json_string_value(get(o, "kind")), "screenshot");
	assert_string_equal(json_string_value(get(o, "of")), SHA_A);
	assert_true(json_is_null(get(o, "headers")));
	json_decref(j);
	free(text);
	pgd_patrol_report_release(&r);
}

static void test_result_probe_and_caps(void **state)
{
	struct pgd_patrol_probe p;
	struct pgd_patrol_report r;
	struct pgd_worker_result res = {0};
	struct pgd_err err = {0};
	char *text = NULL, *longtext;
	json_t *j, *o;
	const char *m;

	memset(&p, 0, sizeof(p));
	p.at = UTC_1130 + 59;
	p.ok = 0;
	p.status = 0;
	p.ms = 15003;
	snprintf(p.error, sizeof(p.error), "超时：15000 毫秒内未能打开首页");
	p.tls_expires = UTC_1130 + 30 * DAY; /* 2026-12-30 */
	res.lease = LEASE;
	res.probe = &p;
	res.started_at = UTC_1130;
	res.finished_at = UTC_1130 + 60;
	assert_int_equal(pgd_worker_result_json(&res, &text, &err), 0);
	j = json_loads(text, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(get(j, "findings")), 0);
	assert_int_equal(json_array_size(get(j, "columns")), 0);
	assert_int_equal(json_array_size(get(j, "items")), 0);
	assert_int_equal(json_array_size(get(j, "evidence")), 0);
	assert_true(json_is_null(get(j, "home")));
	assert_int_equal(json_integer_value(get(get(j, "summary"), "pages")), 0);
	o = get(j, "probe");
	assert_int_equal(json_object_size(o), 6);
	assert_string_equal(json_string_value(get(o, "at")), "2026-11-30T00:00:59Z");
	assert_true(json_is_false(get(o, "ok")));
	assert_int_equal(json_integer_value(get(o, "status")), 0);
	assert_int_equal(json_integer_value(get(o, "ms")), 15003);
	assert_string_equal(json_string_value(get(o, "error")), "超时：15000 毫秒内未能打开首页");
	assert_string_equal(json_string_value(get(o, "tls_expires")), "2026-12-30T00:00:00Z");
	json_decref(j);
	free(text);

	/* a finding text of 3000 CJK characters (9000 bytes) is cut to at most 8192 bytes of valid
	 * UTF-8: 2730 characters = 8190 bytes; an invalid byte becomes U+FFFD */
	memset(&r, 0, sizeof(r));
	longtext = pgd_malloc(9000 + 2);
	for (size_t i = 0; i < 3000; i++)
		memcpy(longtext + 3 * i, "中", 3);
	longtext[9000] = '\0';
	pgd_patrol_add(&r, "http://a/", NULL, "x.y", PGD_PATROL_BLOCK, 1, longtext, "bad \xff byte");
	res.probe = NULL;
	res.report = &r;
	assert_int_equal(pgd_worker_result_json(&res, &text, &err), 0);
	j = json_loads(text, 0, NULL);
	assert_non_null(j);
	o = json_array_get(get(j, "findings"), 0);
	assert_int_equal(strlen(json_string_value(get(o, "text"))), 8190);
	m = json_string_value(get(o, "message"));
	assert_string_equal(m, "bad \xEF\xBF\xBD byte");
	assert_string_equal(json_string_value(get(o, "severity")), "block");
	assert_true(json_is_null(get(j, "home"))); /* home.sha256 "" */
	json_decref(j);
	free(text);
	free(longtext);
	pgd_patrol_report_release(&r);
}

/* A report whose items went to the spill file: the RESULT (written piece by piece, the items read
 * back from the file) holds every one, in order, with NULL url/title and unknown sha256/simhash
 * as null; an item whose URL is over 8 KB is left out, as before. */
static void test_result_spilled_items(void **state)
{
	enum { N = 3 * PGD_PATROL_FOUND_INMEM + 17 };
	struct pgd_patrol_report r;
	struct pgd_worker_result res = {0};
	struct pgd_err err = {0};
	char url[128], title[128], sha[65], *text = NULL, *longurl;
	json_t *j, *a, *o;

	memset(&r, 0, sizeof(r));
	r.spill_found = 1;
	for (size_t i = 0; i < N; i++) {
		snprintf(url, sizeof(url), "http://a.gov.cn/news/%zu.html", i);
		snprintf(title, sizeof(title), "第%zu条：市政府召开常务会议", i);
		for (size_t k = 0; k < 64; k++)
			sha[k] = "0123456789abcdef"[(i + k) % 16];
		sha[64] = '\0';
		pgd_patrol_found_add(&r, i % 9 == 4 ? NULL : url, i % 10 == 7 ? NULL : title, UTC_1130 + (time_t)i,
		                     i % 8 == 0 ? "" : sha, i % 6 == 0 ? 0 : 0x0123456789abcdefULL + i);
	}
	longurl = pgd_malloc(9000);
	memset(longurl, 'x', 8999);
	memcpy(longurl, "http://a.gov.cn/", 16);
	longurl[8999] = '\0';
	pgd_patrol_found_add(&r, longurl, "太长的网址", 0, NULL, 0); /* spilled, then left out */
	free(longurl);
	assert_int_equal(r.n_found, PGD_PATROL_FOUND_INMEM);
	assert_int_equal(r.n_found_spilled, N + 1 - PGD_PATROL_FOUND_INMEM);

	res.lease = LEASE;
	res.report = &r;
	res.started_at = UTC_1130;
	res.finished_at = UTC_1130 + 61;
	assert_int_equal(pgd_worker_result_json(&res, &text, &err), 0);
	j = json_loads(text, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 8);
	assert_string_equal(json_string_value(get(j, "lease")), LEASE);
	assert_int_equal(json_array_size(get(j, "findings")), 0);
	a = get(j, "items");
	assert_int_equal(json_array_size(a), N);
	for (size_t i = 0; i < N; i++) {
		char ts[32], hex[17];
		o = json_array_get(a, i);
		assert_int_equal(json_object_size(o), 5);
		snprintf(url, sizeof(url), "http://a.gov.cn/news/%zu.html", i);
		snprintf(title, sizeof(title), "第%zu条：市政府召开常务会议", i);
		for (size_t k = 0; k < 64; k++)
			sha[k] = "0123456789abcdef"[(i + k) % 16];
		sha[64] = '\0';
		if (i % 9 == 4)
			assert_true(json_is_null(get(o, "url")));
		else
			assert_string_equal(json_string_value(get(o, "url")), url);
		if (i % 10 == 7)
			assert_true(json_is_null(get(o, "title")));
		else
			assert_string_equal(json_string_value(get(o, "title")), title);
		pgd_worker_format_ts(UTC_1130 + (time_t)i, ts, sizeof(ts));
		if (i == 0)
			assert_string_equal(json_string_value(get(o, "published")), "2026-11-30T00:00:00Z");
		assert_string_equal(json_string_value(get(o, "published")), ts);
		if (i % 8 == 0)
			assert_true(json_is_null(get(o, "sha256")));
		else
			assert_string_equal(json_string_value(get(o, "sha256")), sha);
		snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)(0x0123456789abcdefULL + i));
		if (i % 6 == 0)
			assert_true(json_is_null(get(o, "simhash")));
		else
			assert_string_equal(json_string_value(get(o, "simhash")), hex);
	}
	assert_true(json_is_null(get(j, "home")));
	assert_true(json_is_null(get(j, "probe")));
	assert_int_equal(json_array_size(get(j, "evidence")), 0);
	json_decref(j);
	pgd_wipe(text, strlen(text));
	free(text);

	/* a spill file that cannot be read back: an error naming it, no RESULT */
	assert_int_equal(fflush(r.found_spill), 0);
	assert_int_equal(ftruncate(fileno(r.found_spill), 10), 0);
	assert_int_equal(pgd_worker_result_json(&res, &text, &err), PGD_ERR_IO);
	assert_null(text);
	assert_non_null(strstr(err.message, "临时文件"));
	pgd_patrol_report_release(&r);
}

/* ---- a request body read from a file (fetch_sync.c) ---- */

/* A loopback HTTP server in a child process: answers `n` requests, each with its method (4
 * bytes: "POST", "PUT ") and its body echoed back (Content-Length requests only), then exits. */
static pid_t echo_server(int n, unsigned short *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid > 0) {
		close(fd);
		return pid;
	}
	for (int k = 0; k < n; k++) {
		static char head[8192], reply[256];
		char *body = NULL, *end, *cl;
		size_t got = 0, want = 0, hl;
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			_exit(1);
		while (got < sizeof(head) - 1) { /* the head */
			ssize_t r = read(c, head + got, sizeof(head) - 1 - got);
			if (r <= 0)
				_exit(2);
			got += (size_t)r;
			head[got] = '\0';
			if (strstr(head, "\r\n\r\n"))
				break;
		}
		end = strstr(head, "\r\n\r\n");
		cl = strstr(head, "\r\nContent-Length:");
		if (end == NULL || cl == NULL)
			_exit(3);
		want = strtoul(cl + 17, NULL, 10);
		hl = (size_t)(end + 4 - head);
		body = malloc(want + 1);
		if (body == NULL)
			_exit(4);
		got -= hl;
		memcpy(body, end + 4, got);
		while (got < want) {
			ssize_t r = read(c, body + got, want - got);
			if (r <= 0)
				_exit(5);
			got += (size_t)r;
		}
		snprintf(reply, sizeof(reply), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%.4s",
		         want + 4, head);
		if (write(c, reply, strlen(reply)) < 0 || write(c, body, want) < 0)
			_exit(6);
		free(body);
		close(c);
	}
	_exit(0);
}

static void test_http_body_file(void **state)
{
	enum { SIZE = 300000 }; /* several of libcurl's upload buffers */
	struct pgd_http_req rq = {0};
	struct pgd_buf resp;
	struct pgd_err err = {0};
	unsigned short port;
	char url[64], *data = pgd_malloc(SIZE);
	long status = 0;
	int wst = 0;
	pid_t pid;
	FILE *f = tmpfile();

	assert_non_null(f);
	for (size_t i = 0; i < SIZE; i++)
		data[i] = (char)('a' + (i * 7 + i / 1000) % 26);
	assert_int_equal(fwrite(data, 1, SIZE, f), SIZE); /* the position is left at the end */
	assert_int_equal(fflush(f), 0);
	pid = echo_server(2, &port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/worker/jobs/1/result", port);
	rq.method = "POST";
	rq.url = url;
	rq.body_file = f;
	rq.body_len = SIZE;
	rq.timeout_ms = 20000;
	pgd_buf_init(&resp, PGD_HTTP_MAX_RESPONSE);
	assert_int_equal(pgd_http_sync(&rq, &status, &resp, &err), 0);
	assert_int_equal(status, 200);
	assert_int_equal(resp.len, SIZE + 4);
	assert_memory_equal(resp.data, "POST", 4);
	assert_memory_equal(resp.data + 4, data, SIZE); /* read from the start, not from the position */
	/* a retry after a broken exchange: the file was partly read; it is sent whole again */
	assert_int_equal(fseeko(f, 12345, SEEK_SET), 0);
	pgd_buf_reset(&resp);
	rq.method = "PUT";
	assert_int_equal(pgd_http_sync(&rq, &status, &resp, &err), 0);
	assert_int_equal(status, 200);
	assert_int_equal(resp.len, SIZE + 4);
	assert_memory_equal(resp.data, "PUT ", 4);
	assert_memory_equal(resp.data + 4, data, SIZE);
	assert_int_equal(waitpid(pid, &wst, 0), pid);
	assert_true(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
	pgd_buf_release(&resp);
	fclose(f);
	free(data);
}

/* ---- primitives ---- */

static void test_sha256(void **state)
{
	char hex[65];
	/* FIPS 180-4 / NIST examples */
	pgd_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	pgd_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	pgd_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_ts(void **state)
{
	char buf[32];
	time_t t;

	pgd_worker_format_ts(UTC_1130 + DAY + 2 * 3600 + 5, buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-01T02:00:05Z");
	assert_int_equal(pgd_worker_parse_ts("2026-12-01T02:00:05Z", &t), 0);
	assert_int_equal(t, UTC_1130 + DAY + 2 * 3600 + 5);
	assert_int_equal(pgd_worker_parse_ts("2026-12-01 02:00:05Z", &t), PGD_ERR_INVALID);
	assert_int_equal(pgd_worker_parse_ts("2026-12-01T02:00:05", &t), PGD_ERR_INVALID);
	assert_int_equal(pgd_worker_parse_ts("2026-13-01T02:00:05Z", &t), PGD_ERR_INVALID);
	assert_int_equal(pgd_worker_parse_ts("2026-12- 1T02:00:05Z", &t), PGD_ERR_INVALID);
}

static void test_certinfo_date(void **state)
{
	/* 2027-03-01 12:00:00 UTC: 2027-01-01 = 1795996800 + 32 days = 1798761600; + 59 days + 12 h */
	const time_t want = 1803902400;
	time_t t = 0;

	assert_int_equal(pgd_certinfo_parse_date("Mar  1 12:00:00 2027 GMT", &t), 0);
	assert_int_equal(t, want);
	t = 0;
	assert_int_equal(pgd_certinfo_parse_date("Mar 01 12:00:00 2027 GMT", &t), 0);
	assert_int_equal(t, want);
	t = 0;
	assert_int_equal(pgd_certinfo_parse_date("2027-03-01 12:00:00 GMT", &t), 0);
	assert_int_equal(t, want);
	assert_int_equal(pgd_certinfo_parse_date("Feb 30 12:00:00 2027 GMT", &t), PGD_ERR_INVALID);
	assert_int_equal(pgd_certinfo_parse_date("Foo  1 12:00:00 2027 GMT", &t), PGD_ERR_INVALID);
	assert_int_equal(pgd_certinfo_parse_date("Mar  1 12:00:00 2027 PST", &t), PGD_ERR_INVALID);
	assert_int_equal(pgd_certinfo_parse_date("", &t), PGD_ERR_INVALID);
	assert_int_equal(pgd_certinfo_parse_date(NULL, &t), PGD_ERR_INVALID);
}

static void test_probe_closed_port(void **state)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct pgd_patrol_probe p;
	char url[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd); /* nothing listens there now: refused */
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", ntohs(sa.sin_port));
	pgd_patrol_probe(url, 2000, NULL, &p);
	assert_int_equal(p.ok, 0);
	assert_int_equal(p.status, 0);
	assert_int_equal(p.tls_expires, 0);
	assert_non_null(strstr(p.error, "无法连接"));
	assert_true(p.at > UTC_1130 - 365 * DAY);

	pgd_patrol_probe("ftp://127.0.0.1/", 2000, NULL, &p);
	assert_int_equal(p.ok, 0);
	assert_non_null(strstr(p.error, "网址无效"));
}

/* ---- TLS: a CA file besides the system's, certificate failures (fetch.c, fetch_sync.c) ---- */

/* Run `openssl args...` in dir, output discarded; asserts it succeeded. */
static void openssl_in(const char *dir, const char *const *args)
{
	const char *argv[32] = {"openssl"};
	size_t n = 1;
	int st = 0;
	pid_t pid;

	for (; args[n - 1] && n < 31; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (chdir(dir) != 0 || null < 0)
			_exit(126);
		dup2(null, 1);
		dup2(null, 2);
		execvp("openssl", (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("openssl %s exited %d in %s (is the openssl CLI installed? scripts/install-deps.sh)", args[0],
		         WIFEXITED(st) ? WEXITSTATUS(st) : -1, dir);
}

/* A CA (name.pem, name.key) valid for 30 days. */
static void make_ca(const char *dir, const char *name, const char *cn)
{
	char key[64], pem[64], subj[128];
	snprintf(key, sizeof(key), "%s.key", name);
	snprintf(pem, sizeof(pem), "%s.pem", name);
	snprintf(subj, sizeof(subj), "/CN=%s", cn);
	const char *args[] = {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", key, "-out", pem, "-days", "30", "-subj", subj,
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL};
	openssl_in(dir, args);
}

/* A server certificate for 127.0.0.1 (name.pem, name.key) signed by ca, valid for 10 days. */
static void make_server_cert(const char *dir, const char *name, const char *ca)
{
	char key[64], pem[64], csr[64], cap[64], cak[64], path[512];
	FILE *f;
	snprintf(key, sizeof(key), "%s.key", name);
	snprintf(pem, sizeof(pem), "%s.pem", name);
	snprintf(csr, sizeof(csr), "%s.csr", name);
	snprintf(cap, sizeof(cap), "%s.pem", ca);
	snprintf(cak, sizeof(cak), "%s.key", ca);
	snprintf(path, sizeof(path), "%s/server.ext", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n", f);
	fclose(f);
	const char *req[] = {"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1", NULL};
	const char *sign[] = {"x509", "-req", "-in", csr, "-CA", cap, "-CAkey", cak, "-set_serial", "4242",
		"-days", "10", "-extfile", "server.ext", "-out", pem, NULL};
	openssl_in(dir, req);
	openssl_in(dir, sign);
}

/* `openssl s_server -www` with cert/key on 127.0.0.1 (any port: read from its "ACCEPT" line). */
static pid_t tls_server(const char *dir, const char *name, unsigned short *port)
{
	char cert[64], key[64], line[256];
	int fds[2];
	FILE *out;
	pid_t pid;

	snprintf(cert, sizeof(cert), "%s.pem", name);
	snprintf(key, sizeof(key), "%s.key", name);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* a failed assertion must not leave it running */
		if (chdir(dir) != 0 || null < 0)
			_exit(126);
		dup2(fds[1], 1);
		dup2(null, 2);
		close(fds[0]);
		execlp("openssl", "openssl", "s_server", "-accept", "127.0.0.1:0", "-www", "-cert", cert, "-key", key,
		       (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	assert_non_null(out);
	*port = 0;
	while (*port == 0 && fgets(line, sizeof(line), out)) {
		char *colon = strrchr(line, ':');
		if (strncmp(line, "ACCEPT", 6) == 0 && colon)
			*port = (unsigned short)strtoul(colon + 1, NULL, 10);
	}
	fclose(out); /* s_server writes little more; a closed pipe does not stop it serving */
	assert_true(*port > 0);
	return pid;
}

static void stop_server(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

struct fetched {
	enum pgd_fetch_error error;
	long status;
};

static void on_fetched(void *arg, void *user, struct pgd_fetch_result *res)
{
	struct fetched *out = arg;
	size_t i = (size_t)(uintptr_t)user;
	out[i].error = res->error;
	out[i].status = res->status;
}

/* One GET per url with a fetcher trusting ca_file (NULL: none). */
static void fetch_all(const char *ca_file, const char *const *urls, size_t n, struct fetched *out)
{
	struct pgd_fetch_opts fo = {.timeout_ms = 10000, .concurrency = 2, .per_host = 1, .max_redirects = 2,
		.max_bytes = 1 << 20, .ca_file = ca_file};
	struct pgd_fetcher *f = pgd_fetcher_new(&fo);
	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		out[i].error = PGD_FETCH_OTHER;
		out[i].status = -1;
		pgd_fetcher_add(f, urls[i], PGD_FETCH_GET, (void *)(uintptr_t)i);
	}
	assert_int_equal(pgd_fetcher_run(f, on_fetched, out), 0);
	pgd_fetcher_free(f);
}

static void test_tls_ca_file(void **state)
{
	char dir[] = "/tmp/pgd-test-tls-XXXXXX", path[512], sysdir[512], nodir[512], ca2[512], key2[512];
	char url1[64], url2[64], name2[64], missing[512];
	unsigned short p1, p2;
	struct pgd_patrol_probe pr;
	struct fetched got[2];
	struct pgd_err err = {0};
	time_t now = time(NULL);
	pid_t s1, s2;
	CURL *e;
	const char *sys;
	struct stat sb;

	assert_non_null(mkdtemp(dir));
	/* ca1 plays the system's CA (a hashed directory, like /etc/ssl/certs), ca2 an intranet's own */
	make_ca(dir, "ca1", "Test System CA");
	make_ca(dir, "ca2", "Test Intranet CA");
	make_server_cert(dir, "srv1", "ca1");
	make_server_cert(dir, "srv2", "ca2");
	snprintf(sysdir, sizeof(sysdir), "%s/system", dir);
	snprintf(nodir, sizeof(nodir), "%s/empty", dir);
	assert_int_equal(mkdir(sysdir, 0700), 0);
	assert_int_equal(mkdir(nodir, 0700), 0);
	snprintf(path, sizeof(path), "%s/ca1.pem", dir);
	{
		char dst[600];
		FILE *in = fopen(path, "r"), *o;
		char buf[4096];
		size_t n;
		snprintf(dst, sizeof(dst), "%s/ca1.pem", sysdir);
		o = fopen(dst, "w");
		assert_non_null(in);
		assert_non_null(o);
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			assert_int_equal(fwrite(buf, 1, n, o), n);
		fclose(in);
		fclose(o);
		const char *rehash[] = {"rehash", "system", NULL};
		openssl_in(dir, rehash);
	}
	snprintf(ca2, sizeof(ca2), "%s/ca2.pem", dir);
	snprintf(key2, sizeof(key2), "%s/srv2.key", dir);
	snprintf(missing, sizeof(missing), "%s/missing.pem", dir);
	s1 = tls_server(dir, "srv1", &p1);
	s2 = tls_server(dir, "srv2", &p2);
	snprintf(url1, sizeof(url1), "https://127.0.0.1:%u/", p1);
	snprintf(url2, sizeof(url2), "https://127.0.0.1:%u/", p2);
	snprintf(name2, sizeof(name2), "https://localhost:%u/", p2);

	/* the system's CA directory on this machine (Debian: libcurl's CAPATH, /etc/ssl/certs) */
	e = curl_easy_init();
	assert_non_null(e);
	sys = pgd_fetch_system_ca_dir(e);
	assert_non_null(sys);
	assert_true(stat(sys, &sb) == 0 && S_ISDIR(sb.st_mode));
	curl_easy_cleanup(e);

	/* an intranet CA's site: unverifiable without the CA, a page with it, its expiry seen */
	pgd_patrol_probe(url2, 10000, NULL, &pr);
	assert_int_equal(pr.ok, 0);
	assert_int_equal(pr.status, 0);
	assert_non_null(strstr(pr.error, "证书无法验证"));
	pgd_patrol_probe(url2, 10000, ca2, &pr);
	assert_string_equal(pr.error, "");
	assert_int_equal(pr.ok, 1);
	assert_int_equal(pr.status, 200);
	assert_true(pr.tls_expires > now + 10 * DAY - 300 && pr.tls_expires < now + 10 * DAY + 300);
	/* the right CA, the wrong name */
	pgd_patrol_probe(name2, 10000, ca2, &pr);
	assert_int_equal(pr.ok, 0);
	assert_non_null(strstr(pr.error, "证书与网站域名不符"));

	/* besides, not instead of: with ca2 given, a site of the "system" CA still verifies through
	 * the system's CA directory; with an empty directory in its place it does not (so it is the
	 * directory that trusts it: CURLOPT_CAINFO alone replaces libcurl's bundle) */
	pgd_fetch_set_system_ca_dir(sysdir);
	pgd_patrol_probe(url1, 10000, ca2, &pr);
	assert_string_equal(pr.error, "");
	assert_int_equal(pr.ok, 1);
	pgd_patrol_probe(url2, 10000, ca2, &pr);
	assert_int_equal(pr.ok, 1);
	{
		const char *urls[] = {url1, url2};
		fetch_all(ca2, urls, 2, got);
		assert_int_equal(got[0].error, PGD_FETCH_OK);
		assert_int_equal(got[0].status, 200);
		assert_int_equal(got[1].error, PGD_FETCH_OK);
		assert_int_equal(got[1].status, 200);
		fetch_all(NULL, urls + 1, 1, got);
		assert_int_equal(got[0].error, PGD_FETCH_TLS_UNTRUSTED);
		assert_int_equal(got[0].status, 0);
		assert_non_null(strstr(pgd_fetch_error_name(got[0].error), "证书无法验证"));
	}
	pgd_fetch_set_system_ca_dir(nodir);
	pgd_patrol_probe(url1, 10000, ca2, &pr);
	assert_int_equal(pr.ok, 0);
	assert_non_null(strstr(pr.error, "证书无法验证"));
	{
		const char *urls[] = {url1};
		fetch_all(ca2, urls, 1, got);
		assert_int_equal(got[0].error, PGD_FETCH_TLS_UNTRUSTED);
	}
	pgd_fetch_set_system_ca_dir(NULL);

	/* the worker's own requests (an https server with an intranet certificate) */
	{
		struct pgd_http_req rq = {0};
		struct pgd_buf resp;
		long status = 0;
		pgd_buf_init(&resp, PGD_HTTP_MAX_RESPONSE);
		rq.method = "GET";
		rq.url = url2;
		rq.timeout_ms = 10000;
		assert_int_equal(pgd_http_sync(&rq, &status, &resp, &err), PGD_ERR_IO);
		assert_non_null(strstr(err.message, "证书无法验证"));
		pgd_buf_reset(&resp);
		rq.ca_file = ca2;
		assert_int_equal(pgd_http_sync(&rq, &status, &resp, &err), 0);
		assert_int_equal(status, 200);
		pgd_buf_release(&resp);
	}

	/* --ca-file checks */
	assert_int_equal(pgd_worker_check_ca_file(ca2, &err), 0);
	assert_int_equal(pgd_worker_check_ca_file(missing, &err), PGD_ERR_IO);
	assert_non_null(strstr(err.message, missing));
	assert_int_equal(pgd_worker_check_ca_file(key2, &err), PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, "PEM"));
	assert_int_equal(pgd_worker_check_ca_file(dir, &err), PGD_ERR_IO);

	stop_server(s1);
	stop_server(s2);
	{
		const char *rm[] = {"rm", "-rf", dir, NULL};
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			execvp("rm", (char *const *)rm);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_parse),
		cmocka_unit_test(test_job_probe_and_feed),
		cmocka_unit_test(test_job_bad),
		cmocka_unit_test(test_result_json),
		cmocka_unit_test(test_result_probe_and_caps),
		cmocka_unit_test(test_result_spilled_items),
		cmocka_unit_test(test_http_body_file),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_ts),
		cmocka_unit_test(test_certinfo_date),
		cmocka_unit_test(test_probe_closed_port),
		cmocka_unit_test(test_tls_ca_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
