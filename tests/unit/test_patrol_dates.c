/* Dates (src/patrol/dates.c): every accepted form, invalid calendar dates, zones, and what
 * pgd_date_scan must not take for a date (文号, phone numbers, bare years, longer numbers);
 * dates without a year (pgd_date_scan_asof) and the ranges, counts and page numbers that
 * look like them.
 * Expected instants worked out by hand: 2026-11-30 00:00 UTC is 1795996800 (20787 days after
 * 1970-01-01); Beijing midnight of that day is 8 h earlier, 1795968000. Also the thresholds
 * file loader and the report helpers (src/patrol/report.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pubguard/err.h"
#include "pubguard/patrol.h"
#include "core/banned.h"

#define UTC_1130 1795996800L           /* 2026-11-30 00:00:00 UTC */
#define BJ_1130 (UTC_1130 - 8 * 3600L) /* 2026-11-30 00:00:00 +08:00 */

static time_t ok(const char *s, size_t want_used)
{
	time_t t = -1;
	size_t used = 0;
	int rc = pgd_date_parse(s, strlen(s), &t, &used);
	if (rc != 0)
		fail_msg("not parsed: %s", s);
	if (want_used)
		assert_int_equal(used, want_used);
	return t;
}

static void bad(const char *s)
{
	time_t t;
	size_t used;
	if (pgd_date_parse(s, strlen(s), &t, &used) == 0)
		fail_msg("parsed but should not: %s", s);
}

static void test_numeric_forms(void **state)
{
	(void)state;
	assert_int_equal(ok("2026-11-30", 10), BJ_1130);
	assert_int_equal(ok("2026/11/30", 10), BJ_1130);
	assert_int_equal(ok("2026.11.30", 10), BJ_1130);
	assert_int_equal(ok("  2026-11-30 后", 12), BJ_1130);
	/* 10:20 Beijing = 02:20 UTC */
	assert_int_equal(ok("2026-11-30 10:20:00", 19), UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(ok("2026-11-30 10:20", 16), UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(ok("2026年11月30日", 0), BJ_1130);
	assert_int_equal(ok("2026年11月30日 10:20", 0), UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(ok("2026年1月5日", 0), ok("2026-01-05", 10));
	assert_int_equal(ok("2026 年 11 月 30 日", 0), BJ_1130);
}

static void test_jan5(void **state)
{
	(void)state;
	/* 2026-01-05 is 329 days before 2026-11-30 (26 rest of Jan + 28+31+30+31+30+31+31+30+31 + 29) */
	assert_int_equal(ok("2026-01-05", 10), BJ_1130 - 329 * 86400L);
}

static void test_iso_rfc3339(void **state)
{
	(void)state;
	assert_int_equal(ok("2026-11-30T10:20:00+08:00", 25), UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(ok("2026-11-30T02:20:00Z", 20), UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(ok("2026-11-30T02:20:00.123Z", 24), UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(ok("2026-11-30T00:00:00-05:00", 25), UTC_1130 + 5 * 3600);
	assert_int_equal(ok("2026-11-30T10:20:00+0800", 24), UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(ok("2026-11-30T10:20:00", 19), UTC_1130 + 2 * 3600 + 20 * 60); /* no zone: Beijing */
	/* a time range is not a zone: 10:20 Beijing, the "-11:30" left over */
	assert_int_equal(ok("2026-11-30 10:20-11:30 会议", 16), UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(ok("2026-11-30 10:20:00 -05:00", 26), UTC_1130 + 15 * 3600 + 20 * 60);
}

static void test_rfc822(void **state)
{
	(void)state;
	assert_int_equal(ok("Mon, 30 Nov 2026 10:20:00 +0800", 0), UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(ok("Mon, 30 Nov 2026 02:20:00 GMT", 0), UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(ok("30 Nov 2026 02:20 Z", 0), UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(ok("Sun, 29 Nov 2026 21:20:00 EST", 0), UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(ok("30 Nov 2026", 0), BJ_1130);
	bad("Mon, 31 Nov 2026 10:20:00 +0800");
	bad("Mon, 30 Foo 2026 10:20:00 +0800");
}

static void test_chinese_numerals(void **state)
{
	(void)state;
	assert_int_equal(ok("二〇二六年十一月三十日", 0), BJ_1130);
	assert_int_equal(ok("二〇二六年一月五日", 0), BJ_1130 - 329 * 86400L);
	assert_int_equal(ok("二○二六年十二月二十一日", 0), BJ_1130 + 21 * 86400L);
	bad("二〇二六年十三月一日");
	bad("二〇二六年二月三十日");
	bad("二〇二六年十一月");
}

static void test_calendar(void **state)
{
	(void)state;
	assert_int_equal(ok("2024-02-29", 10), 1709164800L - 8 * 3600L);
	bad("2026-02-29"); /* 2026 is not a leap year */
	bad("1900-02-29"); /* century, not divisible by 400 */
	ok("2000-02-29", 10);
	bad("2026-13-01");
	bad("2026-00-10");
	bad("2026-11-31");
	bad("2026-11-00");
	bad("2026年2月30日");
	bad("2026-11-30 25:00");
	bad("2026-11-30 10:61");
	bad("2026-11-301");
	bad("2026-11/30"); /* mixed separators */
	bad("2026年11月");
	bad("2026");
	bad("");
	bad("hello");
	bad("0571-8888-1234");
}

struct hits {
	time_t t[16];
	size_t off[16];
	size_t n;
};

static void hit(void *arg, time_t t, size_t off)
{
	struct hits *h = arg;
	if (h->n < 16) {
		h->t[h->n] = t;
		h->off[h->n] = off;
	}
	h->n++;
}

static size_t scan(const char *s, struct hits *h)
{
	memset(h, 0, sizeof(*h));
	size_t n = pgd_date_scan(s, strlen(s), hit, h);
	assert_int_equal(n, h->n);
	return n;
}

static void test_scan(void **state)
{
	struct hits h;
	(void)state;
	const char *list = "<li><a href=a.html>通知一</a><span>2026-11-30</span></li>"
	                   "<li><a>通知二</a>[2026/11/02]</li><li>二〇二六年十月一日 印发</li>";
	assert_int_equal(scan(list, &h), 3);
	assert_int_equal(h.t[0], BJ_1130);
	assert_int_equal(h.off[0], strstr(list, "2026-11-30") - list);
	assert_int_equal(h.t[1], BJ_1130 - 28 * 86400L);
	assert_int_equal(h.t[2], BJ_1130 - 60 * 86400L); /* Oct 1 = 30 + 30 days before Nov 30 */
	assert_int_equal(h.off[2], strstr(list, "二〇") - list);

	assert_int_equal(scan("会议时间：2026-11-30 10:20-11:30", &h), 1);
	assert_int_equal(h.t[0], UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(scan("发布时间：2026-11-30 10:20:00 来源：本站", &h), 1);
	assert_int_equal(h.t[0], UTC_1130 + 2 * 3600 + 20 * 60);
}

static void test_scan_non_dates(void **state)
{
	struct hits h;
	(void)state;
	assert_int_equal(scan("国办秘函〔2019〕19号", &h), 0);
	assert_int_equal(scan("浙政办发[2026]11号、杭政〔2026〕3号", &h), 0);
	assert_int_equal(scan("联系电话：0571-87654321，13800138000", &h), 0);
	assert_int_equal(scan("010-2026-1130", &h), 0);
	assert_int_equal(scan("2019年度工作报告；2026年工作要点；2026年11月计划", &h), 0);
	assert_int_equal(scan("版本 1.2026.11.30；IP 2026.11.30.5；编号 12026-11-30", &h), 0);
	assert_int_equal(scan("共 2026 条，第 11 页", &h), 0);
	assert_int_equal(scan("", &h), 0);
	/* the 文号 next to a real date: only the date */
	assert_int_equal(scan("杭政〔2026〕3号 2026年11月30日印发", &h), 1);
	assert_int_equal(h.t[0], BJ_1130);
}

/* ---- dates without a year (pgd_date_scan_asof) ---- */

static size_t scan_asof(const char *s, time_t as_of, struct hits *h)
{
	memset(h, 0, sizeof(*h));
	size_t n = pgd_date_scan_asof(s, strlen(s), as_of, hit, h);
	assert_int_equal(n, h->n);
	return n;
}

#define ASOF_1201 (UTC_1130 + 86400L) /* 2026-12-01 00:00 UTC = 08:00 in Beijing */

static void test_scan_yearless(void **state)
{
	struct hits h;
	(void)state;
	const char *list = "<li><a>通知一</a><span>11-30</span></li><li><a>通知二</a>[11-28]</li>"
	                   "<li><a>通知三</a>11月29日</li><li><a>通知四</a> 2026-11-01</li>";
	assert_int_equal(scan_asof(list, ASOF_1201, &h), 4);
	assert_int_equal(h.t[0], BJ_1130);
	assert_int_equal(h.off[0], strstr(list, "11-30") - list);
	assert_int_equal(h.t[1], BJ_1130 - 2 * 86400L);
	assert_int_equal(h.t[2], BJ_1130 - 86400L);
	assert_int_equal(h.t[3], BJ_1130 - 29 * 86400L);
	/* without as_of only the dated one */
	assert_int_equal(scan_asof(list, 0, &h), 1);
	assert_int_equal(h.t[0], BJ_1130 - 29 * 86400L);
	assert_int_equal(scan(list, &h), 1);

	/* a time; 10:20 Beijing = 02:20 UTC */
	assert_int_equal(scan_asof("11月30日 10:20 发布", ASOF_1201, &h), 1);
	assert_int_equal(h.t[0], UTC_1130 + 2 * 3600 + 20 * 60);
	assert_int_equal(scan_asof("[11-30 10:20]", ASOF_1201, &h), 1);
	assert_int_equal(h.t[0], UTC_1130 + 2 * 3600 + 20 * 60);
	/* up to 3 days ahead stays this year; further ahead is last year:
	 * 2025-12-05 is 360 days before 2026-11-30 (365 - 5) */
	assert_int_equal(scan_asof("12-03", ASOF_1201, &h), 1);
	assert_int_equal(h.t[0], BJ_1130 + 3 * 86400L);
	assert_int_equal(scan_asof("12-05", ASOF_1201, &h), 1);
	assert_int_equal(h.t[0], BJ_1130 - 360 * 86400L);
	/* the year is Beijing's: 2026-01-01 01:00 in Beijing is still 2025 in UTC.
	 * 2026-01-01 is day 20454 (56 * 365 + 14 leap days): 00:00 Beijing = 1767196800 */
	assert_int_equal(scan_asof("01-01", 1767196800L + 3600, &h), 1);
	assert_int_equal(h.t[0], 1767196800L);
	assert_int_equal(scan_asof("12-31", 1767196800L + 3600, &h), 1);
	assert_int_equal(h.t[0], 1767196800L - 86400L);
	/* 2024-02-29 (day 19782) exists; in 2025 there is none */
	assert_int_equal(scan_asof("02-29", 19783L * 86400L, &h), 1);
	assert_int_equal(h.t[0], 19782L * 86400L - 8 * 3600L);
	assert_int_equal(scan_asof("02-29", 20148L * 86400L, &h), 0);
}

static void test_scan_yearless_non_dates(void **state)
{
	struct hits h;
	(void)state;
	static const char *const not_dates[] = {
		"第1-2条", "1-2", "3-5日", "共 3/12 页", "11/30", "第10-12页", "10-12月", "10-12 期",
		"联系电话：0571-87654321", "138-1234-5678", "0858-8221234", "12-31-2026", "11-30-1",
		"13-01", "02-30", "11-31", "00-12", "11-00", "1130", "11-3", "1-30",
		"26年11月30日", "二〇二六年11月30日", "11月", "11月30", "3月32日", "P11-30", "v11-30",
		"11-30%", "比分 11-30 页",
	};
	for (size_t i = 0; i < sizeof(not_dates) / sizeof(not_dates[0]); i++)
		if (scan_asof(not_dates[i], ASOF_1201, &h) != 0)
			fail_msg("taken for a date: %s", not_dates[i]);
	/* a year-less date next to a full one: both, each once */
	assert_int_equal(scan_asof("2026-11-20 至 11-25", ASOF_1201, &h), 2);
	assert_int_equal(h.t[0], BJ_1130 - 10 * 86400L);
	assert_int_equal(h.t[1], BJ_1130 - 5 * 86400L);
}

static void test_thresholds(void **state)
{
	struct pgd_patrol_thresholds t;
	struct pgd_err err;
	char path[] = "/tmp/pgd_th_XXXXXX";
	(void)state;

	pgd_patrol_thresholds_default(&t);
	assert_int_equal(t.weekly_min_items, 1);
	assert_int_equal(t.zombie_days, 14);
	assert_int_equal(t.news_column_days, 14);
	assert_int_equal(t.notice_column_days, 180);
	assert_int_equal(t.slow_page_ms, 10000);
	assert_int_equal(t.unavailable_timeout_ms, 15000);

	/* the shipped file says the same */
	char shipped[1024];
	const char *root = getenv("PGD_SOURCE_DIR");
	snprintf(shipped, sizeof(shipped), "%s/data/patrol/thresholds.tsv", root ? root : "..");
	memset(&t, 0, sizeof(t));
	pgd_patrol_thresholds_default(&t);
	t.zombie_days = 99;
	assert_int_equal(pgd_patrol_thresholds_load(shipped, &t, &err), 0);
	assert_int_equal(t.zombie_days, 14);
	assert_int_equal(t.notice_column_days, 180);

	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("# office settings\n\nzombie_days\t10\nslow_page_ms 8000\n", f);
	fclose(f);
	pgd_patrol_thresholds_default(&t);
	assert_int_equal(pgd_patrol_thresholds_load(path, &t, &err), 0);
	assert_int_equal(t.zombie_days, 10);
	assert_int_equal(t.slow_page_ms, 8000);
	assert_int_equal(t.weekly_min_items, 1);

	f = fopen(path, "w");
	fputs("zombie_days\t7\nzombi_days\t3\n", f);
	fclose(f);
	pgd_patrol_thresholds_default(&t);
	assert_int_equal(pgd_patrol_thresholds_load(path, &t, &err), PGD_ERR_RULES);
	assert_non_null(strstr(err.message, ":2："));
	assert_non_null(strstr(err.message, "zombi_days"));
	assert_int_equal(t.zombie_days, 14); /* nothing half-applied */

	f = fopen(path, "w");
	fputs("zombie_days\t-3\n", f);
	fclose(f);
	assert_int_equal(pgd_patrol_thresholds_load(path, &t, &err), PGD_ERR_RULES);
	assert_non_null(strstr(err.message, ":1："));
	f = fopen(path, "w");
	fputs("zombie_days\t14天\n", f);
	fclose(f);
	assert_int_equal(pgd_patrol_thresholds_load(path, &t, &err), PGD_ERR_RULES);
	f = fopen(path, "w");
	fputs("zombie_days\n", f);
	fclose(f);
	assert_int_equal(pgd_patrol_thresholds_load(path, &t, &err), PGD_ERR_RULES);
	unlink(path);
	assert_int_equal(pgd_patrol_thresholds_load(path, &t, &err), PGD_ERR_IO);
}

static void test_report(void **state)
{
	struct pgd_patrol_report r;
	char longurl[3000];
	(void)state;
	memset(&r, 0, sizeof(r));
	assert_string_equal(pgd_patrol_severity_name(PGD_PATROL_INFO), "info");
	assert_string_equal(pgd_patrol_severity_name(PGD_PATROL_REVIEW), "review");
	assert_string_equal(pgd_patrol_severity_name(PGD_PATROL_BLOCK), "block");
	for (int i = 0; i < 20; i++)
		pgd_patrol_add(&r, "http://a/", i % 2 ? "http://b/" : NULL, "site.broken_link_internal",
		               PGD_PATROL_REVIEW, (unsigned)i, NULL, "链接 %d 无法打开", i);
	assert_int_equal(r.n, 20);
	assert_string_equal(r.items[7].message, "链接 7 无法打开");
	assert_string_equal(r.items[7].target, "http://b/");
	assert_null(r.items[8].target);
	assert_int_equal(r.items[7].line, 7);
	memset(longurl, 'x', sizeof(longurl) - 1);
	longurl[sizeof(longurl) - 1] = '\0';
	pgd_patrol_add(&r, longurl, NULL, "site.slow_page", PGD_PATROL_INFO, 0, "t", "页面 %s 很慢", longurl);
	assert_int_equal(strlen(r.items[20].message), strlen(longurl) + strlen("页面  很慢"));
	pgd_patrol_report_release(&r);
	assert_int_equal(r.n, 0);
	pgd_patrol_report_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numeric_forms), cmocka_unit_test(test_jan5),
		cmocka_unit_test(test_iso_rfc3339),   cmocka_unit_test(test_rfc822),
		cmocka_unit_test(test_chinese_numerals), cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_scan),          cmocka_unit_test(test_scan_non_dates),
		cmocka_unit_test(test_scan_yearless), cmocka_unit_test(test_scan_yearless_non_dates),
		cmocka_unit_test(test_thresholds),    cmocka_unit_test(test_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
