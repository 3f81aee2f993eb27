/* Feeds (src/patrol/feed.c): RSS 2.0, Atom, JSON Feed and a GBK-declared RSS from hand-written
 * fixtures in tests/fixtures/feeds/, malformed and hostile input (DTD, entities, wrong root,
 * missing parts), and the Art. 6 cadence rules at a fixed "as of" date. Instants worked out by
 * hand from 2026-11-30 00:00 UTC = 1795996800. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "core/banned.h"

#define UTC_1130 1795996800L
#define BJ_1130 (UTC_1130 - 8 * 3600L)
#define DAY 86400L

static char *slurp(const char *name, size_t *len)
{
	const char *root = getenv("PGD_SOURCE_DIR");
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/fixtures/feeds/%s", root ? root : "..", name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	char *buf = pgd_malloc(1 << 16);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static int parse_file(const char *name, struct pgd_feed *f, struct pgd_err *err)
{
	size_t len;
	char *buf = slurp(name, &len);
	pgd_err_clear(err);
	int rc = pgd_feed_parse(buf, len, name, f, err);
	free(buf);
	return rc;
}

static void test_rss(void **state)
{
	struct pgd_feed f;
	struct pgd_err err;
	(void)state;
	assert_int_equal(parse_file("rss.xml", &f, &err), 0);
	assert_int_equal(f.kind, PGD_FEED_RSS);
	assert_string_equal(f.title, "某某区人民政府 - 微信公众号");
	assert_string_equal(f.link, "https://mp.weixin.qq.com/example");
	assert_int_equal(f.n, 3);
	assert_string_equal(f.items[0].title, "关于开展冬季安全检查的通知");
	assert_string_equal(f.items[0].link, "https://mp.weixin.qq.com/s/aaa");
	assert_string_equal(f.items[0].id, "wx-001");
	assert_int_equal(f.items[0].published, UTC_1130 + 2 * 3600 + 20 * 60);
	/* content:encoded wins over description; tags and the script gone, paragraphs on lines */
	assert_string_equal(f.items[0].content, "各单位：\n请于12月5日前完成检查。");
	assert_null(f.items[1].id);
	assert_int_equal(f.items[1].published, UTC_1130 - 10 * DAY + 8 * 3600); /* dc:date */
	assert_string_equal(f.items[1].content, "转义的 HTML & 文本");
	assert_string_equal(f.items[2].title, "没有日期");
	assert_null(f.items[2].link);
	assert_int_equal(f.items[2].published, 0);
	assert_null(f.items[2].content);
	pgd_feed_release(&f);
	assert_int_equal(f.n, 0);
	pgd_feed_release(NULL);
}

static void test_atom(void **state)
{
	struct pgd_feed f;
	struct pgd_err err;
	(void)state;
	assert_int_equal(parse_file("atom.xml", &f, &err), 0);
	assert_int_equal(f.kind, PGD_FEED_ATOM);
	assert_string_equal(f.title, "某某市发布 - 微博");
	assert_string_equal(f.link, "https://weibo.com/123"); /* not rel=self */
	assert_int_equal(f.n, 2);
	assert_string_equal(f.items[0].title, "今日天气");
	assert_string_equal(f.items[0].link, "https://weibo.com/123/A1");
	assert_string_equal(f.items[0].id, "urn:weibo:A1");
	assert_int_equal(f.items[0].published, UTC_1130 + 2 * 3600 + 20 * 60); /* published, not updated */
	assert_string_equal(f.items[0].content, "晴，\n最高 12 度");
	assert_null(f.items[1].link); /* rel=enclosure is not the entry's page */
	assert_int_equal(f.items[1].published, BJ_1130 - 29 * DAY); /* falls back to updated */
	assert_string_equal(f.items[1].content, "仅摘要");
	pgd_feed_release(&f);
}

static void test_json(void **state)
{
	struct pgd_feed f;
	struct pgd_err err;
	(void)state;
	assert_int_equal(parse_file("feed.json", &f, &err), 0);
	assert_int_equal(f.kind, PGD_FEED_JSON);
	assert_string_equal(f.title, "某某县融媒体 - 抖音");
	assert_string_equal(f.link, "https://www.douyin.com/user/x");
	assert_int_equal(f.n, 2);
	assert_string_equal(f.items[0].id, "dy-1");
	assert_string_equal(f.items[0].link, "https://www.douyin.com/video/1");
	assert_string_equal(f.items[0].title, "视频一");
	assert_int_equal(f.items[0].published, BJ_1130 - 5 * DAY + 9 * 3600);
	assert_string_equal(f.items[0].content, "第一段\n第二段 & 更多");
	assert_string_equal(f.items[1].id, "42");
	assert_int_equal(f.items[1].published, UTC_1130 - 20 * DAY + 12 * 3600); /* date_modified */
	assert_string_equal(f.items[1].content, "纯文本");
	pgd_feed_release(&f);
}

static void test_gbk(void **state)
{
	struct pgd_feed f;
	struct pgd_err err;
	(void)state;
	assert_int_equal(parse_file("rss-gbk.xml", &f, &err), 0);
	assert_string_equal(f.title, "某某镇政务公开");
	assert_int_equal(f.n, 1);
	assert_string_equal(f.items[0].title, "关于征求意见的公告");
	assert_int_equal(f.items[0].published, UTC_1130 - 6 * DAY);
	pgd_feed_release(&f);
}

static void test_rdf_and_fallbacks(void **state)
{
	struct pgd_feed f;
	struct pgd_err err;
	(void)state;
	assert_int_equal(parse_file("rdf.xml", &f, &err), 0);
	assert_int_equal(f.kind, PGD_FEED_RSS);
	assert_string_equal(f.title, "RSS 1.0 频道");
	assert_int_equal(f.n, 1);
	assert_string_equal(f.items[0].title, "旧格式条目");
	assert_string_equal(f.items[0].link, "https://example.gov.cn/1");
	assert_int_equal(f.items[0].published, BJ_1130);
	pgd_feed_release(&f);

	/* RSS: a permalink guid stands in for a missing link; media:title is not the title */
	const char *rss = "<rss xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><item>"
	                  "<media:title>媒体</media:title><title>正题</title>"
	                  "<guid>https://w.example/p/9</guid></item></channel></rss>";
	assert_int_equal(pgd_feed_parse(rss, strlen(rss), "g", &f, &err), 0);
	assert_string_equal(f.items[0].title, "正题");
	assert_string_equal(f.items[0].link, "https://w.example/p/9");
	pgd_feed_release(&f);

	/* Atom: a type="text" title is text even when it looks like markup */
	const char *atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"
	                   "<title>a &lt;b&gt; c</title><content type=\"html\">&lt;i&gt;x&lt;/i&gt;</content>"
	                   "</entry></feed>";
	assert_int_equal(pgd_feed_parse(atom, strlen(atom), "a", &f, &err), 0);
	assert_string_equal(f.items[0].title, "a <b> c");
	assert_string_equal(f.items[0].content, "x");
	pgd_feed_release(&f);
}

static void bad_file(const char *name, const char *needle)
{
	struct pgd_feed f;
	struct pgd_err err;
	assert_int_equal(parse_file(name, &f, &err), PGD_ERR_FORMAT);
	char head[256];
	snprintf(head, sizeof(head), "订阅源 %s 格式错误：", name);
	if (strstr(err.message, head) != err.message || strstr(err.message, needle) == NULL)
		fail_msg("%s: unexpected message %s", name, err.message);
	assert_int_equal(f.n, 0);
	assert_null(f.items);
}

static void bad_text(const char *text, const char *needle)
{
	struct pgd_feed f;
	struct pgd_err err;
	pgd_err_clear(&err);
	assert_int_equal(pgd_feed_parse(text, strlen(text), "t", &f, &err), PGD_ERR_FORMAT);
	if (strstr(err.message, "订阅源 t 格式错误：") != err.message || strstr(err.message, needle) == NULL)
		fail_msg("%s: unexpected message %s", text, err.message);
}

static void test_malformed(void **state)
{
	(void)state;
	bad_file("truncated.xml", "不是格式正确的 XML");
	bad_file("dtd-entity.xml", "DTD");
	bad_file("wrong-root.xml", "<html>");
	bad_file("no-channel.xml", "<channel>");
	bad_text("", "内容为空");
	bad_text("   \n", "内容为空");
	bad_text("hello", "既不是");
	bad_text("<!doctype rss><rss/>", "DTD");
	/* an entity that is not declared is not expanded: a format error, not an empty title */
	bad_text("<rss><channel><title>a&nbsp;b</title></channel></rss>", "未声明的实体");
	bad_text("{", "不是格式正确的 JSON");
	bad_text("[1,2]", "顶层应为对象");
	bad_text("{\"items\": []}", "version");
	bad_text("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": 3}", "items");
	bad_text("{\"version\": \"https://jsonfeed.org/version/1\", \"items\": [1]}", "第 1 个条目");
	bad_text("{\"version\": \"https://jsonfeed.org/version/1\", \"items\": [], \"items\": []}", "JSON");
}

static void test_too_large(void **state)
{
	struct pgd_feed f;
	struct pgd_err err;
	(void)state;
	char *big = pgd_calloc(PGD_FEED_MAX_BYTES + 1, 1);
	big[0] = '<';
	assert_int_equal(pgd_feed_parse(big, PGD_FEED_MAX_BYTES + 1, "big", &f, &err), PGD_ERR_TOO_LARGE);
	free(big);

	/* more items than the cap */
	struct pgd_buf_like { char *p; size_t n; } b = { NULL, 0 };
	size_t cap = 40u * (PGD_FEED_MAX_ITEMS + 1) + 64;
	b.p = pgd_malloc(cap);
	b.n = (size_t)snprintf(b.p, cap, "<rss><channel>");
	for (int i = 0; i <= PGD_FEED_MAX_ITEMS; i++)
		b.n += (size_t)snprintf(b.p + b.n, cap - b.n, "<item><title>x</title></item>");
	b.n += (size_t)snprintf(b.p + b.n, cap - b.n, "</channel></rss>");
	assert_int_equal(pgd_feed_parse(b.p, b.n, "many", &f, &err), PGD_ERR_TOO_LARGE);
	assert_non_null(strstr(err.message, "10000"));
	free(b.p);
}

/* ---- cadence ---- */

static const time_t AS_OF = BJ_1130 + 12 * 3600; /* 2026-11-30 noon, Beijing */

static void feed_of(struct pgd_feed *f, const time_t *dates, size_t n)
{
	memset(f, 0, sizeof(*f));
	f->items = pgd_calloc(n ? n : 1, sizeof(*f->items));
	f->n = n;
	for (size_t i = 0; i < n; i++)
		f->items[i].published = dates[i];
}

static void cadence(const time_t *dates, size_t n, const struct pgd_patrol_thresholds *t,
		    struct pgd_patrol_report *r)
{
	struct pgd_feed f;
	feed_of(&f, dates, n);
	memset(r, 0, sizeof(*r));
	pgd_feed_cadence(&f, "https://rsshub.example/x", AS_OF, t, r);
	pgd_feed_release(&f);
}

static void test_cadence_weekly_ok(void **state)
{
	struct pgd_patrol_thresholds t;
	struct pgd_patrol_report r;
	(void)state;
	pgd_patrol_thresholds_default(&t);
	time_t d1[] = { BJ_1130 - 2 * DAY, BJ_1130 - 40 * DAY };
	cadence(d1, 2, &t, &r);
	assert_int_equal(r.n, 0);
	pgd_patrol_report_release(&r);
	/* Nov 24 00:30 Beijing (Nov 23 16:30 UTC) is the first day of the 7-day window */
	time_t d2[] = { BJ_1130 - 6 * DAY + 30 * 60 };
	cadence(d2, 1, &t, &r);
	assert_int_equal(r.n, 0);
	pgd_patrol_report_release(&r);
}

static void test_cadence_not_weekly(void **state)
{
	struct pgd_patrol_thresholds t;
	struct pgd_patrol_report r;
	(void)state;
	pgd_patrol_thresholds_default(&t);
	/* Nov 23 23:30 Beijing: one day outside the window */
	time_t d1[] = { BJ_1130 - 6 * DAY - 30 * 60, 0 };
	cadence(d1, 2, &t, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.items[0].category, "feed.not_weekly");
	assert_int_equal(r.items[0].severity, PGD_PATROL_REVIEW);
	assert_string_equal(r.items[0].url, "https://rsshub.example/x");
	assert_string_equal(r.items[0].message,
	                    "最近 7 天（截至 2026-11-30）没有发布信息，未达到每周至少 1 条的要求（第六条）");
	pgd_patrol_report_release(&r);

	t.weekly_min_items = 3;
	time_t d2[] = { BJ_1130, BJ_1130 - 3 * DAY, BJ_1130 - 9 * DAY };
	cadence(d2, 3, &t, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.items[0].message,
	                    "最近 7 天（截至 2026-11-30）只发布了 2 条信息，未达到每周至少 3 条的要求（第六条）");
	pgd_patrol_report_release(&r);
}

static void test_cadence_zombie(void **state)
{
	struct pgd_patrol_thresholds t;
	struct pgd_patrol_report r;
	(void)state;
	pgd_patrol_thresholds_default(&t);
	time_t d1[] = { BJ_1130 - 20 * DAY + 10 * 3600, BJ_1130 - 30 * DAY };
	cadence(d1, 2, &t, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.items[0].category, "feed.not_weekly");
	assert_string_equal(r.items[1].category, "feed.zombie");
	assert_int_equal(r.items[1].severity, PGD_PATROL_BLOCK);
	assert_string_equal(r.items[1].message, "已 20 天未更新（最近一次 2026-11-10），超过 14 天，属于“僵尸”账号");
	pgd_patrol_report_release(&r);

	/* exactly 14 days: not yet a zombie; 15 days: a zombie */
	time_t d2[] = { BJ_1130 - 14 * DAY };
	cadence(d2, 1, &t, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.items[0].category, "feed.not_weekly");
	pgd_patrol_report_release(&r);
	time_t d3[] = { BJ_1130 - 15 * DAY };
	cadence(d3, 1, &t, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.items[1].category, "feed.zombie");
	pgd_patrol_report_release(&r);

	/* an item dated after the patrol date does not count */
	time_t d4[] = { BJ_1130 + 5 * DAY, BJ_1130 - 29 * DAY };
	cadence(d4, 2, &t, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.items[1].message, "已 29 天未更新（最近一次 2026-11-01），超过 14 天，属于“僵尸”账号");
	pgd_patrol_report_release(&r);
}

static void test_cadence_empty(void **state)
{
	struct pgd_patrol_report r;
	(void)state;
	cadence(NULL, 0, NULL, &r); /* NULL thresholds: the defaults */
	assert_int_equal(r.n, 1);
	assert_string_equal(r.items[0].category, "feed.empty");
	assert_non_null(strstr(r.items[0].message, "2026-11-30"));
	pgd_patrol_report_release(&r);
	time_t d[] = { 0, 0 };
	cadence(d, 2, NULL, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.items[0].category, "feed.malformed");
	pgd_patrol_report_release(&r);
}

static void test_cadence_parsed_fixture(void **state)
{
	struct pgd_feed f;
	struct pgd_err err;
	struct pgd_patrol_report r;
	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(parse_file("empty.xml", &f, &err), 0);
	assert_int_equal(f.n, 0);
	pgd_feed_cadence(&f, "u", AS_OF, NULL, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.items[0].category, "feed.empty");
	assert_string_equal(r.items[0].text, "空账号");
	pgd_feed_release(&f);
	pgd_patrol_report_release(&r);
	/* the JSON feed's newest item is Nov 25: within the week, no findings */
	assert_int_equal(parse_file("feed.json", &f, &err), 0);
	pgd_feed_cadence(&f, "u", AS_OF, NULL, &r);
	assert_int_equal(r.n, 0);
	pgd_feed_release(&f);
	pgd_patrol_report_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss),
		cmocka_unit_test(test_atom),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_gbk),
		cmocka_unit_test(test_rdf_and_fallbacks),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_cadence_weekly_ok),
		cmocka_unit_test(test_cadence_not_weekly),
		cmocka_unit_test(test_cadence_zombie),
		cmocka_unit_test(test_cadence_empty),
		cmocka_unit_test(test_cadence_parsed_fixture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
