/* Posts of accounts without a feed (src/patrol/posts.c): CSV, GBK CSV and JSON exports read into
 * a struct pgd_feed, bad rows named by row and column, the cadence rules applied unchanged, and
 * pgd_patrol_items_unreviewed against approved items. Expected instants computed by hand
 * (Beijing = UTC+8; e.g. 2026-11-28 10:00 +08:00 = 1795831200). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "pubguard/patrol.h"
#include "core/banned.h"

static int parse(const char *text, struct pgd_feed *f, struct pgd_err *err)
{
	return pgd_posts_parse(text, strlen(text), "posts.csv", f, err);
}

static void test_csv(void **state)
{
	struct pgd_feed f;
	struct pgd_err err = {0};
	(void)state;

	assert_int_equal(parse("公众号文章导出\n"
			       "发布时间,标题,链接,正文,阅读数\n"
			       "2026-11-28 10:00,第一条,https://mp.weixin.qq.com/s/a1,正文一,100\n"
			       "\n"
			       "2026/11/20,第二条,,,5\n"
			       "46266.5,第三条,,,\n",
			 &f, &err), 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.title, "posts.csv");
	assert_int_equal((long long)f.items[0].published, 1795831200LL);
	assert_string_equal(f.items[0].title, "第一条");
	assert_string_equal(f.items[0].link, "https://mp.weixin.qq.com/s/a1");
	assert_string_equal(f.items[0].content, "正文一");
	assert_int_equal((long long)f.items[1].published, 1795104000LL); /* 2026-11-20 00:00 +08:00 */
	assert_null(f.items[1].link);
	assert_null(f.items[1].content);
	assert_int_equal((long long)f.items[2].published, 1788235200LL); /* Excel: 2026-09-01 12:00 +08:00 */
	pgd_feed_release(&f);
}

static void test_json(void **state)
{
	struct pgd_feed f;
	struct pgd_err err = {0};
	(void)state;

	assert_int_equal(parse("[{\"published\":\"2026-11-28T10:00:00+08:00\",\"title\":\"T1\","
			       "\"link\":\"https://x.gov.cn/1\",\"content\":\"c\",\"likes\":3},"
			       " {\"发布时间\":1764000000,\"标题\":\"T2\",\"链接\":null}]",
			 &f, &err), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal((long long)f.items[0].published, 1795831200LL);
	assert_string_equal(f.items[0].link, "https://x.gov.cn/1");
	assert_int_equal((long long)f.items[1].published, 1764000000LL);
	assert_string_equal(f.items[1].title, "T2");
	assert_null(f.items[1].link);
	pgd_feed_release(&f);

	assert_int_equal(parse("{\"items\":[{\"date\":\"2026年11月28日 10:00\",\"text\":\"只有正文\"}]}", &f, &err), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal((long long)f.items[0].published, 1795831200LL);
	assert_null(f.items[0].title);
	assert_string_equal(f.items[0].content, "只有正文");
	pgd_feed_release(&f);
}

static void test_bad_rows(void **state)
{
	struct pgd_feed f;
	struct pgd_err err = {0};
	(void)state;

	assert_int_equal(parse("发布时间,标题,链接\n"
			       "2026-11-28,好,https://a.gov.cn/1\n"
			       "昨天,坏日期,\n"
			       "2026-11-27,坏链接,javascript:alert(1)\n",
			 &f, &err), PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, "posts.csv"));
	assert_non_null(strstr(err.message, "第3行「发布时间」列"));
	assert_non_null(strstr(err.message, "共 2 处错误"));
	assert_int_equal(f.n, 0);
	assert_null(f.items);

	assert_int_equal(parse("发布时间,标题\n2026-02-30,二月三十日\n", &f, &err), PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, "第2行「发布时间」列"));
	assert_int_equal(parse("发布时间,标题\n2026-11-28,\n", &f, &err), PGD_ERR_FORMAT); /* only a date */
	assert_non_null(strstr(err.message, "第2行「标题」列"));
	assert_int_equal(parse("[{\"published\":\"x\",\"title\":\"a\"}]", &f, &err), PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, "第1条「published」"));
	assert_int_equal(parse("[{\"published\":\"2026-11-28\",\"title\":[1]}]", &f, &err), PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, "第1条「title」"));
	assert_int_equal(parse("[1,2", &f, &err), PGD_ERR_FORMAT);
	assert_int_equal(parse("{\"version\":1}", &f, &err), PGD_ERR_FORMAT);
	/* no header with a date column */
	assert_int_equal(parse("标题,正文\n甲,乙\n", &f, &err), PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, "表头"));
	assert_int_equal(parse("", &f, &err), PGD_ERR_FORMAT);
}

static void test_gbk(void **state)
{
	/* "发布时间,标题,正文" and two posts, in GBK as Excel saves a CSV in China */
	static const char gbk[] =
		"\xb7\xa2\xb2\xbc\xca\xb1\xbc\xe4,\xb1\xea\xcc\xe2,\xd5\xfd\xce\xc4\n"
		"2026-11-28,\xb9\xd8\xd3\xda\xbf\xaa\xd5\xb9\xb6\xac\xbc\xbe\xb7\xc0\xbb\xf0\xb0\xb2\xc8\xab\xbc\xec"
		"\xb2\xe9\xb5\xc4\xcd\xa8\xd6\xaa,\xb8\xf7\xcf\xe7\xd5\xf2\xbd\xd6\xb5\xc0\xa3\xba\xce\xaa\xc7\xd0"
		"\xca\xb5\xd7\xf6\xba\xc3\xb6\xac\xbc\xbe\xb7\xc0\xbb\xf0\xb9\xa4\xd7\xf7\xa3\xac\xcf\xd6\xbd\xab"
		"\xd3\xd0\xb9\xd8\xca\xc2\xcf\xee\xcd\xa8\xd6\xaa\xc8\xe7\xcf\xc2\xa1\xa3\n"
		"2026-11-21,\xc8\xab\xca\xd0\xbd\xcc\xd3\xfd\xb9\xa4\xd7\xf7\xbb\xe1\xd2\xe9\xd5\xd9\xbf\xaa,"
		"\xbb\xe1\xd2\xe9\xd7\xdc\xbd\xe1\xc1\xcb\xb1\xbe\xc4\xea\xb6\xc8\xbd\xcc\xd3\xfd\xb9\xa4\xd7\xf7"
		"\xa3\xac\xb2\xbf\xca\xf0\xc1\xcb\xc3\xf7\xc4\xea\xb5\xc4\xd6\xd8\xb5\xe3\xc8\xce\xce\xf1\xa1\xa3\n";
	struct pgd_feed f;
	struct pgd_err err = {0};
	(void)state;

	assert_int_equal(pgd_posts_parse(gbk, sizeof(gbk) - 1, "gbk.csv", &f, &err), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.items[0].title, "关于开展冬季防火安全检查的通知");
	assert_string_equal(f.items[1].title, "全市教育工作会议召开");
	assert_string_equal(f.items[1].content, "会议总结了本年度教育工作，部署了明年的重点任务。");
	pgd_feed_release(&f);
}

static int count_cat(const struct pgd_patrol_report *r, const char *cat)
{
	int n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += strcmp(r->items[i].category, cat) == 0;
	return n;
}

static void test_cadence_and_unreviewed(void **state)
{
	struct pgd_feed f;
	struct pgd_err err = {0};
	struct pgd_patrol_report r;
	struct pgd_patrol_thresholds th;
	/* approved: the first post by its link (written differently), the second by its title */
	struct pgd_approved_ref appr[] = {
		{"HTTPS://MP.weixin.qq.com/s/a1#x", "不相干", 0},
		{NULL, "第二条！", 0},
	};
	(void)state;

	pgd_patrol_thresholds_default(&th);
	assert_int_equal(parse("发布时间,标题,链接,正文\n"
			       "2026-11-28 10:00,第一条,https://mp.weixin.qq.com/s/a1,正文一\n"
			       "2026-11-20,第 二 条,,\n"
			       "2026-11-19,第三条,https://mp.weixin.qq.com/s/a3,\n",
			 &f, &err), 0);
	/* as of 2026-12-01 (end of the day, Beijing): newest 3 days ago, one post in the week */
	memset(&r, 0, sizeof(r));
	pgd_feed_cadence(&f, "posts.csv", 1796140799, &th, &r);
	assert_int_equal(r.n, 0);
	/* as of 2026-12-20: none in 7 days (not_weekly), newest 22 days ago > 14 (zombie) */
	pgd_feed_cadence(&f, "posts.csv", 1797782399, &th, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(count_cat(&r, "feed.not_weekly"), 1);
	assert_int_equal(count_cat(&r, "feed.zombie"), 1);
	pgd_patrol_report_release(&r);

	memset(&r, 0, sizeof(r));
	assert_int_equal(pgd_patrol_items_unreviewed(&f, "posts.csv", appr, 2, 0, &r), 1);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.items[0].category, "publish.unreviewed");
	assert_string_equal(r.items[0].url, "https://mp.weixin.qq.com/s/a3");
	assert_string_equal(r.items[0].text, "第三条");
	assert_int_equal(r.items[0].severity, PGD_PATROL_REVIEW);
	assert_string_equal(r.items[0].message, "发现未经审核备案的发布内容：《第三条》");
	pgd_patrol_report_release(&r);
	/* since 2026-11-20 00:00 +08:00: the third (11-19) is not looked at */
	memset(&r, 0, sizeof(r));
	assert_int_equal(pgd_patrol_items_unreviewed(&f, "posts.csv", appr, 2, 1795104000, &r), 0);
	/* no approved items: every post is unreviewed; a post without a link names the source */
	assert_int_equal(pgd_patrol_items_unreviewed(&f, "posts.csv", NULL, 0, 0, &r), 3);
	assert_string_equal(r.items[1].url, "posts.csv");
	pgd_patrol_report_release(&r);
	pgd_feed_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_gbk),
		cmocka_unit_test(test_cadence_and_unreviewed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
