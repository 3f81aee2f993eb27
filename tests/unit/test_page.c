/* One HTML page (src/patrol/page.c): links and their lines, <base>, navigation, every form of
 * hidden link, column meta tags, list entries with their newest date (ul/li, table, div rows),
 * URL resolution (RFC 3986 section 5.4 examples), same-host test, malformed HTML; what the
 * streaming (SAX) parser could get wrong: implicitly closed elements, deep nesting, unclosed
 * rows, row siblings, text past the stream's compaction; year-less list dates (_asof).
 * Expected instants by hand: 2026-11-30 00:00 UTC is 1795996800; Beijing midnight of a day is
 * 8 h (28800 s) before UTC midnight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pubguard/buf.h"
#include "pubguard/err.h"
#include "pubguard/patrol.h"
#include "core/banned.h"

#define UTC_1130 1795996800L
#define DAY 86400L
#define BJ(days_before_1130) (UTC_1130 - (days_before_1130) * DAY - 28800L)

static void parse(const char *html, const char *base, struct pgd_page *p)
{
	struct pgd_err err = { 0 };
	int rc = pgd_page_parse(html, strlen(html), base, p, &err);
	if (rc != 0)
		fail_msg("pgd_page_parse failed: %d %s", rc, err.message);
}

static const struct pgd_page_link *find(const struct pgd_page *p, const char *href)
{
	for (size_t i = 0; i < p->n_links; i++)
		if (strcmp(p->links[i].href, href) == 0)
			return &p->links[i];
	fail_msg("link %s not found", href);
	return NULL;
}

/* ---- URLs ---- */

#define S(x) ((x) ? (x) : "(null)")

static void expect_url(const char *base, const char *ref, const char *want)
{
	char *got = pgd_url_resolve(base, ref);
	if (want == NULL) {
		if (got != NULL)
			fail_msg("%s + %s: want NULL, got %s", S(base), S(ref), got);
		return;
	}
	if (got == NULL)
		fail_msg("%s + %s: want %s, got NULL", S(base), S(ref), want);
	if (strcmp(got, want) != 0)
		fail_msg("%s + %s: want %s, got %s", S(base), S(ref), want, got);
	free(got);
}

static void test_rfc3986_normal(void **state)
{
	(void)state;
	const char *b = "http://a/b/c/d;p?q";
	expect_url(b, "g:h", NULL); /* not http(s) */
	expect_url(b, "g", "http://a/b/c/g");
	expect_url(b, "./g", "http://a/b/c/g");
	expect_url(b, "g/", "http://a/b/c/g/");
	expect_url(b, "/g", "http://a/g");
	expect_url(b, "//g", "http://g/"); /* empty path normalised to "/" */
	expect_url(b, "?y", "http://a/b/c/d;p?y");
	expect_url(b, "g?y", "http://a/b/c/g?y");
	expect_url(b, "#s", "http://a/b/c/d;p?q"); /* fragment dropped */
	expect_url(b, "g#s", "http://a/b/c/g");
	expect_url(b, "g?y#s", "http://a/b/c/g?y");
	expect_url(b, ";x", "http://a/b/c/;x");
	expect_url(b, "g;x", "http://a/b/c/g;x");
	expect_url(b, "g;x?y#s", "http://a/b/c/g;x?y");
	expect_url(b, "", "http://a/b/c/d;p?q");
	expect_url(b, ".", "http://a/b/c/");
	expect_url(b, "./", "http://a/b/c/");
	expect_url(b, "..", "http://a/b/");
	expect_url(b, "../", "http://a/b/");
	expect_url(b, "../g", "http://a/b/g");
	expect_url(b, "../..", "http://a/");
	expect_url(b, "../../", "http://a/");
	expect_url(b, "../../g", "http://a/g");
}

static void test_rfc3986_abnormal(void **state)
{
	(void)state;
	const char *b = "http://a/b/c/d;p?q";
	expect_url(b, "../../../g", "http://a/g");
	expect_url(b, "../../../../g", "http://a/g");
	expect_url(b, "/./g", "http://a/g");
	expect_url(b, "/../g", "http://a/g");
	expect_url(b, "g.", "http://a/b/c/g.");
	expect_url(b, ".g", "http://a/b/c/.g");
	expect_url(b, "g..", "http://a/b/c/g..");
	expect_url(b, "..g", "http://a/b/c/..g");
	expect_url(b, "./../g", "http://a/b/g");
	expect_url(b, "./g/.", "http://a/b/c/g/");
	expect_url(b, "g/./h", "http://a/b/c/g/h");
	expect_url(b, "g/../h", "http://a/b/c/h");
	expect_url(b, "g;x=1/./y", "http://a/b/c/g;x=1/y");
	expect_url(b, "g;x=1/../y", "http://a/b/c/y");
	expect_url(b, "g?y/./x", "http://a/b/c/g?y/./x");
	expect_url(b, "g?y/../x", "http://a/b/c/g?y/../x");
	expect_url(b, "g#s/./x", "http://a/b/c/g");
	expect_url(b, "g#s/../x", "http://a/b/c/g");
	expect_url(b, "http:g", NULL); /* strict parser: a scheme without a host is no http URL */
}

static void test_url_other(void **state)
{
	(void)state;
	const char *b = "https://www.example.gov.cn/col/index.html";
	expect_url(b, "javascript:void(0)", NULL);
	expect_url(b, "JavaScript:alert(1)", NULL);
	expect_url(b, "mailto:office@example.gov.cn", NULL);
	expect_url(b, "tel:0571-12345678", NULL);
	expect_url(b, "data:image/png;base64,AAAA", NULL);
	expect_url(b, "ftp://example.org/x", NULL);
	expect_url(b, "HTTP://Other.ORG/A?x=1#f", "http://Other.ORG/A?x=1");
	expect_url(b, "  art/1.html \n", "https://www.example.gov.cn/col/art/1.html");
	expect_url(b, "a b.html", "https://www.example.gov.cn/col/a%20b.html");
	expect_url(b, "/x\n/y.html", "https://www.example.gov.cn/x/y.html"); /* newline removed */
	expect_url(b, "//cdn.example.org/s.js", "https://cdn.example.org/s.js");
	expect_url(b, "http://", NULL);
	expect_url(NULL, "x.html", NULL);
	expect_url(NULL, "http://a.org/b/../c", "http://a.org/c");
	expect_url("mailto:x@y", "x.html", NULL);
	expect_url("http://a.org", "x.html", "http://a.org/x.html"); /* base without a path */
	expect_url("http://a.org/中文/", "页面.html", "http://a.org/中文/页面.html");
	assert_null(pgd_url_resolve(b, NULL));
}

static void test_same_host(void **state)
{
	(void)state;
	assert_int_equal(pgd_url_same_host("http://www.gov.cn/a", "https://WWW.gov.cn/b?x"), 1);
	assert_int_equal(pgd_url_same_host("http://a.gov.cn:8080/", "http://a.gov.cn/"), 0);
	assert_int_equal(pgd_url_same_host("http://a.gov.cn:80/", "http://a.gov.cn/x"), 1);
	assert_int_equal(pgd_url_same_host("https://a.gov.cn:443/", "https://a.gov.cn"), 1);
	assert_int_equal(pgd_url_same_host("http://user@a.gov.cn/", "http://a.gov.cn"), 1);
	assert_int_equal(pgd_url_same_host("http://a.gov.cn/", "http://b.gov.cn/"), 0);
	assert_int_equal(pgd_url_same_host("http://a.gov.cn/", "http://a.gov.cn.evil.org/"), 0);
	assert_int_equal(pgd_url_same_host(NULL, "http://a/"), 0);
	assert_int_equal(pgd_url_same_host("mailto:x@y", "mailto:x@y"), 0);
}

/* ---- links ---- */

static void test_links_lines(void **state)
{
	(void)state;
	struct pgd_page p;
	parse("<html><head><title> 测试  页面 </title></head>\n"    /* 1 */
	      "<body>\n"                                            /* 2 */
	      "<a href=\"/a.html\">甲</a>\n"                          /* 3 */
	      "<p><img src=\"img/x.png\" alt=\"图\"></p>\n"           /* 4 */
	      "<a href=\"javascript:void(0)\">js</a><a href=\"mailto:a@b\">m</a><a href=\"tel:1\">t</a>\n" /* 5 */
	      "<a href=\"#top\">top</a>\n"                            /* 6 */
	      "<map name=\"m\"><area href=\"b.html\" alt=\"区\"></map>\n" /* 7 */
	      "<a href=\"http://other.org/x#frag\">\n外  部\n</a>\n"   /* 8-10 */
	      "<a>no href</a><script>var a='<a href=\"/s\">';</script>\n" /* 11 */
	      "</body></html>\n",
	      "http://www.example.gov.cn/dir/index.html", &p);
	assert_string_equal(p.title, "测试 页面");
	assert_int_equal(p.n_links, 4);
	assert_string_equal(p.links[0].href, "http://www.example.gov.cn/a.html");
	assert_string_equal(p.links[0].text, "甲");
	assert_int_equal(p.links[0].line, 3);
	assert_int_equal(p.links[0].image, 0);
	assert_string_equal(p.links[1].href, "http://www.example.gov.cn/dir/img/x.png");
	assert_string_equal(p.links[1].text, "图");
	assert_int_equal(p.links[1].line, 4);
	assert_int_equal(p.links[1].image, 1);
	assert_string_equal(p.links[2].href, "http://www.example.gov.cn/dir/b.html");
	assert_string_equal(p.links[2].text, "区");
	assert_int_equal(p.links[2].line, 7);
	assert_string_equal(p.links[3].href, "http://other.org/x");
	assert_string_equal(p.links[3].text, "外 部");
	assert_int_equal(p.links[3].line, 8);
	for (size_t i = 0; i < p.n_links; i++)
		assert_int_equal(p.links[i].hidden + p.links[i].nav, 0);
	assert_null(p.column_name);
	assert_int_equal(p.pub_date, 0);
	pgd_page_release(&p);
	pgd_page_release(&p); /* twice is harmless */
	pgd_page_release(NULL);
}

static void test_base_and_duplicates(void **state)
{
	(void)state;
	struct pgd_page p;
	parse("<html><head><base href=\"/sub/\"><base href=\"http://ignored.org/\"></head><body>"
	      "<a href=\"p.html\">1</a><a href=\"p.html\">2</a><a href=\"../q.html\"><img src=\"i.gif\"></a>"
	      "</body></html>",
	      "http://www.example.gov.cn/dir/index.html", &p);
	assert_int_equal(p.n_links, 4);
	assert_string_equal(p.links[0].href, "http://www.example.gov.cn/sub/p.html");
	assert_string_equal(p.links[1].href, "http://www.example.gov.cn/sub/p.html"); /* not de-duplicated */
	assert_string_equal(p.links[2].href, "http://www.example.gov.cn/q.html");
	assert_null(p.links[2].text);
	assert_string_equal(p.links[3].href, "http://www.example.gov.cn/sub/i.gif");
	assert_int_equal(p.links[3].image, 1);
	pgd_page_release(&p);
}

/* the text is already UTF-8 (decoded by the doc layer): a charset declaration is ignored */
static void test_charset_ignored(void **state)
{
	(void)state;
	struct pgd_page p;
	parse("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
	      "<meta charset=\"gbk\"><title>政府门户</title></head>"
	      "<body><a href=\"/x\">政务公开</a></body></html>",
	      "http://s.org/", &p);
	assert_string_equal(p.title, "政府门户");
	assert_int_equal(p.n_links, 1);
	assert_string_equal(p.links[0].text, "政务公开");
	pgd_page_release(&p);
}

static void test_big_lines(void **state)
{
	(void)state;
	struct pgd_buf b;
	struct pgd_page p;
	struct pgd_err err;
	pgd_buf_init(&b, 1 << 20);
	(void)pgd_buf_addstr(&b, "<html><body>\n");
	for (int i = 0; i < 70000; i++)
		(void)pgd_buf_addstr(&b, "<br>\n");
	(void)pgd_buf_addstr(&b, "<a href=\"/far\">远</a></body></html>");
	assert_int_equal(pgd_page_parse(b.data, b.len, "http://a.org/", &p, &err), 0);
	assert_int_equal(p.n_links, 1);
	assert_int_equal(p.links[0].line, 70002);
	pgd_page_release(&p);
	pgd_buf_release(&b);
}

/* ---- navigation ---- */

static void test_nav(void **state)
{
	(void)state;
	struct pgd_page p;
	parse("<html><body>"
	      "<div id=\"header\"><a href=\"/logo\">logo</a><ul><li><a href=\"/n1\">首页</a></li></ul></div>"
	      "<nav><a href=\"/n2\">n</a></nav>"
	      "<div class=\"daohang\"><a href=\"/n3\">d</a></div>"
	      "<div class=\"topMenu clearfix\"><a href=\"/n4\">m</a></div>"
	      "<div id=\"lanmu_list\"><span><a href=\"/n5\">l</a></span></div>"
	      "<header><ol><li><a href=\"/n6\">h</a></li></ol></header>"
	      "<div class=\"content\"><ul><li><a href=\"/c1\">c</a></li></ul></div>"
	      "<div class=\"footer\"><a href=\"/c2\">f</a></div>"
	      "</body></html>",
	      "http://s.org/", &p);
	assert_int_equal(p.n_links, 9);
	for (size_t i = 0; i < p.n_links; i++) {
		int want = strstr(p.links[i].href, "/n") != NULL;
		if (p.links[i].nav != want)
			fail_msg("%s: nav %d, want %d", p.links[i].href, p.links[i].nav, want);
	}
	assert_int_equal(find(&p, "http://s.org/logo")->nav, 0); /* in the header but not in its list */
	pgd_page_release(&p);
}

/* ---- hidden links ---- */

static void test_hidden(void **state)
{
	(void)state;
	struct pgd_page p;
	parse("<html><body style=\"background:#fff\">"
	      "<div style=\"display:none\"><a href=\"/h1\">1</a></div>"
	      "<a href=\"/h2\" style=\"visibility: hidden\">2</a>"
	      "<div style=\"font-size:0px\"><a href=\"/h3\">3</a></div>"
	      "<span style=\"font-size:1px\"><a href=\"/h4\">4</a></span>"
	      "<p style=\"font-size:0.5px;\"><a href=\"/h5\">5</a></p>"
	      "<div style=\"height:0;overflow:hidden\"><a href=\"/h6\">6</a></div>"
	      "<div style=\"position:absolute; left:-9999px\"><a href=\"/h7\">7</a></div>"
	      "<div style=\"position:fixed;top:-1000px\"><a href=\"/h8\">8</a></div>"
	      "<a href=\"/h9\" style=\"color:#fff;background-color:#FFFFFF\">9</a>"
	      "<div style=\"background:white\"><a href=\"/h10\" style=\"color:rgb(255, 255, 255)\">10</a></div>"
	      "<a href=\"/h11\" hidden>11</a>"
	      "<div style=\"DISPLAY: NONE !important\"><div><p><a href=\"/h12\">12</a></p></div></div>"
	      "<div style=\"width:0px;overflow:hidden\"><img src=\"/h13.gif\"></div>"
	      "<a href=\"/h14\" style=\"color:#ffffff\">白字在白底上</a>"
	      /* visible ones */
	      "<a href=\"/v1\" style=\"color:#000;background:#fff\">v1</a>"
	      "<div style=\"height:0\"><a href=\"/v2\">v2</a></div>"
	      "<div style=\"position:absolute;left:-100px\"><a href=\"/v3\">v3</a></div>"
	      "<div style=\"font-size:0\"><a href=\"/v4\" style=\"font-size:14px\">v4</a></div>"
	      "<div style=\"font-size:12px\"><a href=\"/v5\">v5</a></div>"
	      "<div style=\"visibility:hidden\"><a href=\"/v6\" style=\"visibility:visible\">v6</a></div>"
	      "<div style=\"color:#fff;background:#000\"><a href=\"/v7\">v7</a></div>"
	      "<div style=\"position:relative;left:-9999px\"><a href=\"/v8\">v8</a></div>"
	      "<div style=\"displaynone; color\"><a href=\"/v9\">v9</a></div>"
	      "<div style=\"font-size:0\"><img src=\"/v10.gif\"><a href=\"/v11\"><img src=\"/v12.gif\"></a></div>"
	      "</body></html>",
	      "http://s.org/", &p);
	assert_int_equal(p.n_links, 26);
	for (size_t i = 0; i < p.n_links; i++) {
		int want = strstr(p.links[i].href, "/h") != NULL;
		if (p.links[i].hidden != want)
			fail_msg("%s: hidden %d, want %d", p.links[i].href, p.links[i].hidden, want);
	}
	assert_int_equal(find(&p, "http://s.org/h13.gif")->image, 1);
	pgd_page_release(&p);
}

/* ---- meta ---- */

static void test_meta(void **state)
{
	(void)state;
	struct pgd_page p;
	parse("<html><head><meta name=\"ColumnName\" content=\"通知公告\">"
	      "<meta name=\"columntype\" content=\"通知公告类\">"
	      "<META NAME=\"PubDate\" CONTENT=\"2026-11-20 10:30\">"
	      "<meta name=\"ColumnName\" content=\"second\"></head><body></body></html>",
	      "http://s.org/", &p);
	assert_string_equal(p.column_name, "通知公告");
	assert_string_equal(p.column_type, "通知公告类");
	/* 10:30 Beijing on 11-20 = 02:30 UTC; 11-20 is 10 days before 11-30 */
	assert_int_equal(p.pub_date, UTC_1130 - 10 * DAY + 2 * 3600 + 30 * 60);
	assert_int_equal(p.n_links, 0);
	assert_int_equal(p.n_list_items, 0);
	assert_int_equal(p.newest_date, 0);
	pgd_page_release(&p);

	parse("<meta name=\"publishdate\" content=\"2026年11月20日\"><p>x</p>", "http://s.org/", &p);
	assert_int_equal(p.pub_date, BJ(10));
	pgd_page_release(&p);

	parse("<meta name=\"pubdate\" content=\"不是日期\"><p>x</p>", "http://s.org/", &p);
	assert_int_equal(p.pub_date, 0);
	pgd_page_release(&p);
}

/* ---- list entries ---- */

static void test_list_ul(void **state)
{
	(void)state;
	struct pgd_page p;
	parse("<html><head><meta name=\"ColumnName\" content=\"工作动态\"></head><body>"
	      "<div class=\"nav\"><ul><li><a href=\"/\">首页</a></li><li><a href=\"/gk\">政务公开</a></li></ul></div>"
	      "<div class=\"list\"><ul>\n"
	      "<li><a href=\"/c/1.html\">关于开展安全检查的通知</a><span>2026-11-20</span></li>\n"
	      "<li><a href=\"/c/2.html\">第12期工作简报</a><span>2026-11-18</span></li>\n"
	      "<li><a href=\"/c/3.html\">旧闻</a><span>[2025-03-01]</span></li>\n"
	      "<li>没有链接 2026-11-29</li>\n"
	      "<li><a href=\"/c/4.html\">无日期</a></li>\n"
	      "<li><a href=\"/c/5.html\">〔2026〕19号文件</a> 电话 0571-87654321</li>\n"
	      "</ul>\n"
	      "<div class=\"page\"><a href=\"?page=2\">下一页</a></div></div>"
	      "<div class=\"footer\"><p>版权所有 2026 <a href=\"/about\">关于</a></p></div>"
	      "</body></html>",
	      "http://s.org/col/list.html", &p);
	assert_int_equal(p.n_list_items, 3);
	assert_int_equal(p.newest_date, BJ(10)); /* 2026-11-20 */
	assert_string_equal(find(&p, "http://s.org/col/list.html?page=2")->text, "下一页");
	pgd_page_release(&p);
}

static void test_list_table_and_divs(void **state)
{
	(void)state;
	struct pgd_page p;
	parse("<table><tr><th>标题</th><th>日期</th></tr>"
	      "<tr><td><a href=\"a.html\">公告一</a></td><td>2026年11月25日</td></tr>"
	      "<tr><td><a href=\"b.html\">公告二</a></td><td>2026/10/01</td></tr>"
	      "</table>",
	      "http://s.org/", &p);
	assert_int_equal(p.n_list_items, 2);
	assert_int_equal(p.newest_date, BJ(5)); /* 2026-11-25 */
	pgd_page_release(&p);

	/* div rows in a list container; 2026-11-02 is 28 days before 11-30 */
	parse("<div class=\"news\"><div class=\"item\"><a href=\"1\">一</a> 2026.11.01</div>"
	      "<div class=\"item\"><a href=\"2\">二</a> 2026.11.02</div></div>"
	      "<div class=\"info\">发布时间：2026-11-29 <a href=\"/print\">打印</a></div>",
	      "http://s.org/", &p);
	assert_int_equal(p.n_list_items, 2); /* the single info div is no row */
	assert_int_equal(p.newest_date, BJ(28));
	pgd_page_release(&p);

	/* nested lists: only the innermost rows count */
	parse("<ul><li>栏目<ul><li><a href=\"1\">一</a> 2026-11-01</li><li><a href=\"2\">二</a> 2026-11-03</li>"
	      "</ul></li></ul>",
	      "http://s.org/", &p);
	assert_int_equal(p.n_list_items, 2);
	assert_int_equal(p.newest_date, BJ(27));
	pgd_page_release(&p);
}

/* ---- malformed input ---- */

static void test_malformed(void **state)
{
	(void)state;
	static const char *const junk[] = {
		"",
		"<",
		"<a href=",
		"<a href=\"",
		"<<<<>>>><</a></a></li></tr>",
		"<!-- never closed <a href=\"/x\">",
		"<div style='color:'><a href='http://[::1'>x</a><a href='http://a.org:99999999/'>y",
		"<table><tr><td><li><a href=\"/x\">2026-13-45</a><tr><li>2026-11-30<a href=x>",
		"<a href=\"/a\"><a href=\"/b\"><a href=\"/c\">nested",
		"<div style=\"background:rgb(1,2\"><a href=\"/x\" style=\"color:#12;font-size:-;left:;position:absolute\">x</a>",
		"\xff\xfe\x00<\x00a\x00",
		"<html><head><base href=\"javascript:alert(1)\"></head><body><a href=\"x\">x</a>",
	};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		struct pgd_page p;
		struct pgd_err err;
		size_t len = i == 10 ? 6 : strlen(junk[i]);
		assert_int_equal(pgd_page_parse(junk[i], len, "http://s.org/d/", &p, &err), 0);
		for (size_t k = 0; k < p.n_links; k++)
			assert_true(strncmp(p.links[k].href, "http", 4) == 0);
		pgd_page_release(&p);
	}
	/* a javascript: <base> is ignored: the page's own URL is the base */
	struct pgd_page p;
	parse(junk[11], "http://s.org/d/", &p);
	assert_int_equal(p.n_links, 1);
	assert_string_equal(p.links[0].href, "http://s.org/d/x");
	pgd_page_release(&p);

	/* deep nesting */
	struct pgd_buf b;
	pgd_buf_init(&b, 1 << 20);
	for (int i = 0; i < 20000; i++)
		(void)pgd_buf_addstr(&b, "<div style=\"display:none\"><a href=\"/d\">");
	struct pgd_err err;
	assert_int_equal(pgd_page_parse(b.data, b.len, "http://s.org/", &p, &err), 0);
	assert_true(p.n_links >= 1);
	assert_int_equal(p.links[0].hidden, 1);
	pgd_page_release(&p);
	pgd_buf_release(&b);

	/* over 64 MB: refused before reading */
	static const char tiny[] = "<p>";
	assert_int_equal(pgd_page_parse(tiny, ((size_t)64 << 20) + 1, "http://s.org/", &p, &err), PGD_ERR_TOO_LARGE);
	assert_non_null(strstr(err.message, "http://s.org/"));
	assert_int_equal(p.n_links, 0);
}

/* ---- the streaming parser (second slice): what a SAX rewrite could break ---- */

/* Elements the parser closes implicitly take their hiding and navigation with them. */
static void test_implicit_close(void **state)
{
	(void)state;
	struct pgd_page p;
	parse("<html><body>\n"
	      "<p style=\"display:none\"><a href=\"/h1\">h1</a><div><a href=\"/v1\">v1</a></div>\n"
	      "<ul><li style=\"display:none\"><a href=\"/h2\">h2</a><li><a href=\"/v2\">v2</a></ul>\n"
	      "<table><tr style=\"display:none\"><td><a href=\"/h3\">h3</a><tr><td><a href=\"/v3\">v3</a></table>\n"
	      "<div class=\"menu\"><p><a href=\"/n1\">n1</a></div><p><a href=\"/v4\">v4</a>\n"
	      "<dl style=\"visibility:hidden\"><dt><a href=\"/h4\">h4</a><dd><a href=\"/h5\">h5</a></dl><a href=\"/v5\">v5</a>\n"
	      "</body></html>",
	      "http://s.org/", &p);
	assert_int_equal(p.n_links, 11);
	for (size_t i = 0; i < p.n_links; i++) {
		int hidden = strstr(p.links[i].href, "/h") != NULL, nav = strstr(p.links[i].href, "/n") != NULL;
		if (p.links[i].hidden != hidden || p.links[i].nav != nav)
			fail_msg("%s: hidden %d nav %d, want %d %d", p.links[i].href, p.links[i].hidden, p.links[i].nav,
			         hidden, nav);
	}
	assert_int_equal(find(&p, "http://s.org/v3")->line, 4);
	assert_int_equal(find(&p, "http://s.org/v5")->line, 6);
	pgd_page_release(&p);
}

/* Flags inherited through thousands of levels; the innermost of nested rows counts once. */
static void test_deep_nesting(void **state)
{
	(void)state;
	struct pgd_buf b;
	struct pgd_page p;
	struct pgd_err err;
	pgd_buf_init(&b, 1 << 22);
	(void)pgd_buf_addstr(&b, "<html><body><nav>");
	for (int i = 0; i < 3000; i++)
		(void)pgd_buf_addstr(&b, "<div><span style=\"color:#000\">");
	(void)pgd_buf_addstr(&b, "<a href=\"/deep\">深</a>");
	for (int i = 0; i < 3000; i++)
		(void)pgd_buf_addstr(&b, "</span></div>");
	(void)pgd_buf_addstr(&b, "</nav><a href=\"/after\">后</a>\n<div style=\"display:none\">");
	for (int i = 0; i < 2000; i++)
		(void)pgd_buf_addstr(&b, "<ul><li>");
	(void)pgd_buf_addstr(&b, "<a href=\"/row\">行</a> 2026-11-20");
	for (int i = 0; i < 2000; i++)
		(void)pgd_buf_addstr(&b, "</li></ul>");
	(void)pgd_buf_addstr(&b, "</div></body></html>");
	assert_int_equal(pgd_page_parse(b.data, b.len, "http://s.org/", &p, &err), 0);
	assert_int_equal(p.n_links, 3);
	assert_string_equal(p.links[0].href, "http://s.org/deep");
	assert_string_equal(p.links[0].text, "深");
	assert_int_equal(p.links[0].nav, 1);
	assert_int_equal(p.links[0].hidden, 0);
	assert_int_equal(p.links[1].nav, 0);
	assert_int_equal(p.links[2].hidden, 1);
	assert_int_equal(p.links[2].line, 2);
	assert_int_equal(p.n_list_items, 1);
	assert_int_equal(p.newest_date, BJ(10));
	pgd_page_release(&p);
	pgd_buf_release(&b);
}

/* Rows whose end tags are missing (the next <li>, the end of the page closes them). */
static void test_unclosed_rows(void **state)
{
	(void)state;
	struct pgd_page p;
	parse("<ul class=\"list\"><li><a href=\"1\">一</a> 2026-11-01<li><a href=\"2\">二</a> 2026-11-03"
	      "<li>无链接 2026-11-29</ul>",
	      "http://s.org/", &p);
	assert_int_equal(p.n_list_items, 2);
	assert_int_equal(p.newest_date, BJ(27)); /* 2026-11-03 */
	pgd_page_release(&p);

	/* the second row is still open when the page ends */
	parse("<div class=\"x\"><div class=\"r\"><a href=\"1\">a</a> 2026-11-05</div>"
	      "<div class=\"r\"><a href=\"2\">b</a> 2026-11-06",
	      "http://s.org/", &p);
	assert_int_equal(p.n_list_items, 2);
	assert_int_equal(p.newest_date, BJ(24));
	pgd_page_release(&p);
}

/* div / p / dd rows need a neighbouring element sibling with their name and class. */
static void test_row_siblings(void **state)
{
	(void)state;
	struct pgd_page p;
	parse("<div class=\"box\"><p><a href=\"1\">a</a> 2026-11-01</p><span>x</span>"
	      "<p><a href=\"2\">b</a> 2026-11-02</p></div>",
	      "http://s.org/", &p);
	assert_int_equal(p.n_list_items, 0); /* a span between them */
	pgd_page_release(&p);

	parse("<div><p class=\"a\"><a href=\"1\">a</a> 2026-11-01</p><p class=\"b\"><a href=\"2\">b</a> 2026-11-02</p></div>",
	      "http://s.org/", &p);
	assert_int_equal(p.n_list_items, 0); /* other classes */
	pgd_page_release(&p);

	parse("<div><p><a href=\"1\">a</a> 2026-11-01</p>文字<!-- c --><p><a href=\"2\">b</a> 2026-11-02</p></div>",
	      "http://s.org/", &p);
	assert_int_equal(p.n_list_items, 2); /* text and comments are no element siblings */
	assert_int_equal(p.newest_date, BJ(28));
	pgd_page_release(&p);

	parse("<dl><dd><a href=\"1\">a</a> 2026-11-01</dd><dd><a href=\"2\">b</a> 2026-11-07</dd><dt>x</dt></dl>"
	      "<div><p class=\"one\"><a href=\"3\">c</a> 2026-11-29</p></div>",
	      "http://s.org/", &p);
	assert_int_equal(p.n_list_items, 2); /* the lone p is no row */
	assert_int_equal(p.newest_date, BJ(23));
	pgd_page_release(&p);
}

/* Over 256 KB of text: windows of open elements survive the stream's compaction; a row's
 * date counts only in its first 4096 bytes; link text is cut at a character boundary. */
static void test_long_text(void **state)
{
	(void)state;
	struct pgd_buf b;
	struct pgd_page p;
	struct pgd_err err;
	pgd_buf_init(&b, 1 << 23);
	(void)pgd_buf_addstr(&b, "<html><head><title>长页面</title></head><body><div class=\"page\">\n<ul>"
	                         "<li><a href=\"/early\">早</a> 2026-11-20 ");
	for (int i = 0; i < 20000; i++) /* 20000 * 24 = 480,000 bytes */
		(void)pgd_buf_addstr(&b, "市政府召开常务会议。");
	(void)pgd_buf_addstr(&b, "</li><li><a href=\"/late\">晚</a> ");
	for (int i = 0; i < 2000; i++) /* 48,000 bytes: the date is past the row's 4096 bytes */
		(void)pgd_buf_addstr(&b, "研究部署安全生产工作。");
	(void)pgd_buf_addstr(&b, " 2026-11-29</li></ul><p><a href=\"/long\">a");
	for (int i = 0; i < 200; i++)
		(void)pgd_buf_addstr(&b, "政");
	(void)pgd_buf_addstr(&b, "</a></p></div></body></html>");
	assert_int_equal(pgd_page_parse(b.data, b.len, "http://s.org/", &p, &err), 0);
	assert_string_equal(p.title, "长页面");
	assert_int_equal(p.n_links, 3);
	assert_string_equal(p.links[0].text, "早");
	assert_int_equal(p.n_list_items, 1);
	assert_int_equal(p.newest_date, BJ(10));
	/* "a" and 99 whole characters (298 bytes): the 100th would end past byte 300 */
	const char *t = p.links[2].text;
	assert_int_equal(strlen(t), 298);
	assert_int_equal(t[0], 'a');
	assert_memory_equal(t + 295, "政", 3);
	pgd_page_release(&p);
	pgd_buf_release(&b);
}

/* Year-less list dates count only with the day the page is read for (2026-12-01). */
static void test_yearless_rows(void **state)
{
	(void)state;
	static const char html[] =
		"<ul class=\"list\">"
		"<li><a href=\"/1\">一</a><span>[11-28]</span></li>"
		"<li><a href=\"/2\">二</a><span>11-30</span></li>"
		"<li><a href=\"/3\">三</a><span>11月29日</span></li>"
		"<li><a href=\"/4\">四</a> 电话 0858-8221234</li>"
		"</ul><div class=\"page\"><ul><li><a href=\"?p=2\">第10-12页</a></li><li><a href=\"?p=3\">共3/12页</a></li></ul></div>";
	struct pgd_page p;
	struct pgd_err err;
	time_t as_of = UTC_1130 + DAY; /* 2026-12-01 00:00 UTC */
	assert_int_equal(pgd_page_parse_asof(html, strlen(html), "http://s.org/", as_of, &p, &err), 0);
	assert_int_equal(p.n_list_items, 3);
	assert_int_equal(p.newest_date, BJ(0)); /* 2026-11-30 */
	pgd_page_release(&p);
	parse(html, "http://s.org/", &p);
	assert_int_equal(p.n_list_items, 0);
	assert_int_equal(p.newest_date, 0);
	pgd_page_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3986_normal), cmocka_unit_test(test_rfc3986_abnormal),
		cmocka_unit_test(test_url_other),      cmocka_unit_test(test_same_host),
		cmocka_unit_test(test_links_lines),    cmocka_unit_test(test_base_and_duplicates),
		cmocka_unit_test(test_big_lines),      cmocka_unit_test(test_nav),
		cmocka_unit_test(test_charset_ignored),
		cmocka_unit_test(test_hidden),         cmocka_unit_test(test_meta),
		cmocka_unit_test(test_list_ul),        cmocka_unit_test(test_list_table_and_divs),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_implicit_close), cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_unclosed_rows),  cmocka_unit_test(test_row_siblings),
		cmocka_unit_test(test_long_text),      cmocka_unit_test(test_yearless_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
