/* Document readers: charsets, plain text, HTML, .docx, loading, and every bad input.
 * Expected positions were counted by hand from the inputs written here (and, for .docx,
 * from the description in tests/fixtures/doc/gen.py). */
#include <errno.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pubguard/buf.h"
#include "pubguard/doc.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "core/banned.h"

/* ---- helpers ---- */

static char *fixture(const char *name)
{
	const char *root = getenv("PGD_SOURCE_DIR");
	size_t n = (root ? strlen(root) : 0) + strlen(name) + 64;
	char *p = pgd_malloc(n);
	if (root)
		snprintf(p, n, "%s/tests/fixtures/doc/%s", root, name);
	else
		snprintf(p, n, "fixtures/doc/%s", name);
	return p;
}

static int parse(const char *name, const char *data, size_t len, enum pgd_doc_format fmt,
                 struct pgd_doc *doc, struct pgd_err *err)
{
	pgd_err_clear(err);
	return pgd_doc_parse(name, data, len, fmt, doc, err);
}

static int load(const char *fix, struct pgd_doc *doc, struct pgd_err *err)
{
	char *p = fixture(fix);
	int rc;
	pgd_err_clear(err);
	rc = pgd_doc_load(p, PGD_DOC_AUTO, PGD_DOC_MAX_BYTES, doc, err);
	free(p);
	return rc;
}

/* Offset of the nth (0-based) occurrence of needle in doc->text; fails the test if absent. */
static size_t find_nth(const struct pgd_doc *doc, const char *needle, int nth)
{
	const char *p = doc->text;
	for (;;) {
		const char *q = strstr(p, needle);
		if (q == NULL) {
			fail_msg("'%s' not in text: %s", needle, doc->text);
			return 0;
		}
		if (nth-- == 0)
			return (size_t)(q - doc->text);
		p = q + 1;
	}
}

#define assert_at(doc, needle, l, c) assert_at_nth((doc), (needle), 0, (l), (c))

static void assert_at_nth(const struct pgd_doc *doc, const char *needle, int nth, unsigned l,
                          unsigned c)
{
	unsigned line = 0, col = 0;
	pgd_doc_locate(doc, find_nth(doc, needle, nth), &line, &col);
	if (line != l || col != c)
		fail_msg("'%s' at %u:%u, expected %u:%u", needle, line, col, l, c);
}

static const struct pgd_doc_seg *seg_of(const struct pgd_doc *doc, const char *needle)
{
	const struct pgd_doc_seg *s = pgd_doc_seg_at(doc, find_nth(doc, needle, 0));
	assert_non_null(s);
	return s;
}

static int seg_is(const struct pgd_doc *doc, size_t i, enum pgd_seg_kind kind, const char *text)
{
	return i < doc->nsegs && doc->segs[i].kind == kind && doc->segs[i].len == strlen(text) &&
	       memcmp(doc->text + doc->segs[i].off, text, doc->segs[i].len) == 0;
}

#define assert_seg(d_, i_, k_, t_)                                                                 \
	do {                                                                                       \
		size_t n_ = (size_t)(i_);                                                          \
		if (!seg_is((d_), n_, (k_), (t_)))                                                 \
			fail_msg("segment %zu is not %d '%s' (have %d '%.*s')", n_, (int)(k_),     \
			         (t_), n_ < (d_)->nsegs ? (int)(d_)->segs[n_].kind : -1,           \
			         n_ < (d_)->nsegs ? (int)(d_)->segs[n_].len : 0,                   \
			         n_ < (d_)->nsegs ? (d_)->text + (d_)->segs[n_].off : "");         \
	} while (0)

/* Convert UTF-8 to another charset with iconv (test data). new. */
static char *to_charset(const char *cs, const char *s, size_t *out_len)
{
	iconv_t cd = iconv_open(cs, "UTF-8");
	size_t inleft = strlen(s), cap = inleft * 4 + 16, oleft = cap;
	char *out = pgd_malloc(cap), *o = out, *in = (char *)s;
	assert_true(cd != (iconv_t)-1);
	assert_true(iconv(cd, &in, &inleft, &o, &oleft) != (size_t)-1);
	iconv_close(cd);
	*out_len = cap - oleft;
	return out;
}

/* ---- plain text and charsets ---- */

static void test_text_utf8_crlf_bom(void **state)
{
	static const char in[] = "\xEF\xBB\xBF第一行\r\n第二行abc\r\n\r\n末行\r最后";
	struct pgd_doc doc;
	struct pgd_err err;

	assert_int_equal(parse("a.txt", in, sizeof(in) - 1, PGD_DOC_AUTO, &doc, &err), 0);
	assert_int_equal(doc.format, PGD_DOC_TEXT);
	assert_string_equal(doc.charset, "UTF-8");
	/* BOM gone, CRLF and CR are LF */
	assert_string_equal(doc.text, "第一行\n第二行abc\n\n末行\n最后");
	assert_int_equal(doc.len, strlen(doc.text));
	assert_at(&doc, "第一", 1, 1);
	assert_at(&doc, "c", 2, 6);
	assert_at(&doc, "末", 4, 1);
	assert_at(&doc, "后", 5, 2);
	/* one segment per non-empty line */
	assert_int_equal(doc.nsegs, 4);
	assert_seg(&doc, 1, PGD_SEG_BODY, "第二行abc");
	assert_int_equal(doc.segs[2].line, 4);
	assert_int_equal(seg_of(&doc, "最后")->line, 5);
	/* the newline between segments is in no segment */
	assert_null(pgd_doc_seg_at(&doc, find_nth(&doc, "\n", 0)));
	/* offsets past the end clamp */
	{
		unsigned l, c;
		pgd_doc_locate(&doc, doc.len + 100, &l, &c);
		assert_int_equal(l, 5);
		assert_int_equal(c, 3);
	}
	pgd_doc_release(&doc);
	pgd_doc_release(NULL);
}

static void test_text_long_line_locate(void **state)
{
	size_t n = 30000, len = n * 3 + 3;
	char *in = pgd_malloc(len + 1);
	struct pgd_doc doc;
	struct pgd_err err;
	unsigned l, c;

	in[0] = 'a';
	in[1] = '\n';
	for (size_t i = 0; i < n; i++)
		memcpy(in + 2 + i * 3, "中", 3);
	in[len - 1] = 'X';
	assert_int_equal(parse("long.txt", in, len, PGD_DOC_TEXT, &doc, &err), 0);
	/* anchors every few KB keep locate from walking the whole line */
	assert_true(doc.nanchors > 20);
	assert_at(&doc, "X", 2, (unsigned)n + 1);
	pgd_doc_locate(&doc, 2 + 3 * 12345, &l, &c);
	assert_int_equal(l, 2);
	assert_int_equal(c, 12346);
	pgd_doc_release(&doc);
	free(in);
}

static void test_text_gbk_and_hint(void **state)
{
	const char *u = "盘州市人民政府关于印发《管理办法》的通知，请认真贯彻执行。";
	size_t glen;
	char *g = to_charset("GBK", u, &glen);
	char *out = NULL, cs[32];
	size_t olen;
	struct pgd_doc doc;
	struct pgd_err err;

	/* detection (uchardet) */
	assert_int_equal(parse("g.txt", g, glen, PGD_DOC_AUTO, &doc, &err), 0);
	assert_string_equal(doc.text, u);
	assert_string_equal(doc.charset, "GB18030");
	pgd_doc_release(&doc);
	/* a declared gb2312 is decoded as GB18030 */
	assert_int_equal(pgd_text_decode("g.txt", g, glen, "gb2312", 1, &out, &olen, cs, &err), 0);
	assert_string_equal(out, u);
	assert_int_equal(olen, strlen(u));
	assert_string_equal(cs, "GB18030");
	free(out);
	free(g);
	/* a character outside GBK but in GB18030 (4-byte form) */
	g = to_charset("GB18030", "𠀀字", &glen);
	assert_int_equal(pgd_text_decode("g.txt", g, glen, "gbk", 0, &out, &olen, cs, &err), 0);
	assert_string_equal(out, "𠀀字");
	free(out);
	free(g);
	/* fixture: three lines, GB18030 */
	assert_int_equal(load("gbk.txt", &doc, &err), 0);
	assert_string_equal(doc.text,
	                    "盘州市人民政府\n关于印发《信息发布管理办法》的通知\n第三行 end\n");
	assert_at(&doc, "end", 3, 5);
	pgd_doc_release(&doc);
}

static void test_text_utf16(void **state)
{
	const char *expect = "盘州市人民政府\n关于印发《信息发布管理办法》的通知\n第三行 end\n";
	const char *names[] = {"utf16le-bom.txt", "utf16be-bom.txt", "utf8-bom-crlf.txt"};
	const char *cs[] = {"UTF-16LE", "UTF-16BE", "UTF-8"};
	struct pgd_doc doc;
	struct pgd_err err;
	size_t len;
	char *d;

	for (int i = 0; i < 3; i++) {
		assert_int_equal(load(names[i], &doc, &err), 0);
		assert_string_equal(doc.text, expect);
		assert_string_equal(doc.charset, cs[i]);
		assert_at(&doc, "关于", 2, 1);
		assert_at(&doc, "end", 3, 5);
		pgd_doc_release(&doc);
	}
	/* UTF-16LE without BOM, recognised by its NUL bytes */
	d = to_charset("UTF-16LE", "Notice 通知 2026\nline two\n", &len);
	assert_int_equal(parse("n.txt", d, len, PGD_DOC_AUTO, &doc, &err), 0);
	assert_string_equal(doc.text, "Notice 通知 2026\nline two\n");
	assert_string_equal(doc.charset, "UTF-16LE");
	pgd_doc_release(&doc);
	free(d);
	/* odd length: truncated UTF-16 */
	d = to_charset("UTF-16", "通知", &len);
	assert_int_equal(parse("t.txt", d, len - 1, PGD_DOC_AUTO, &doc, &err), PGD_ERR_ENCODING);
	assert_non_null(strstr(err.message, "截断"));
	pgd_doc_release(&doc);
	free(d);
}

static void test_text_bad_input(void **state)
{
	/* 20 good Chinese characters and one bad byte at offset 3 + 11 * 3 */
	static const char bad[] = "abc中华人民共和国中华人民\xFF共和国中华人民共和国\n";
	static const char nul[] = "text\0with NUL bytes in the middle of it";
	struct pgd_doc doc;
	struct pgd_err err;
	char junk[4096];
	uint32_t x = 12345;

	assert_int_equal(parse("bad.txt", bad, sizeof(bad) - 1, PGD_DOC_AUTO, &doc, &err),
	                 PGD_ERR_ENCODING);
	assert_int_equal(err.code, PGD_ERR_ENCODING);
	assert_string_equal(err.field, "bad.txt");
	assert_non_null(strstr(err.message, "偏移 36"));
	assert_non_null(strstr(err.message, "0xFF"));
	/* the doc is left empty */
	assert_int_equal(doc.len, 0);
	assert_int_equal(doc.nsegs, 0);
	pgd_doc_release(&doc);

	assert_int_equal(parse("nul.txt", nul, sizeof(nul) - 1, PGD_DOC_AUTO, &doc, &err),
	                 PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, "偏移 4"));
	assert_non_null(strstr(err.message, "二进制"));
	pgd_doc_release(&doc);

	/* random bytes (no NULs at all) */
	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (char)((x >> 16) % 255 + 1);
	}
	assert_true(parse("junk.bin", junk, sizeof(junk), PGD_DOC_AUTO, &doc, &err) < 0);
	assert_true(err.code == PGD_ERR_FORMAT || err.code == PGD_ERR_ENCODING);
	pgd_doc_release(&doc);

	/* well-known binary formats are named */
	assert_int_equal(parse("x.pdf", "%PDF-1.7\n%\xE2\xE3\n", 14, PGD_DOC_AUTO, &doc, &err),
	                 PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, "PDF"));
	pgd_doc_release(&doc);

	/* GBK bytes with a lead byte cut off at the end */
	{
		size_t glen;
		char *g = to_charset("GBK", "盘州市人民政府关于印发通知", &glen);
		assert_int_equal(parse("g.txt", g, glen - 1, PGD_DOC_AUTO, &doc, &err),
		                 PGD_ERR_ENCODING);
		pgd_doc_release(&doc);
		free(g);
	}

	/* empty input is an empty document */
	assert_int_equal(parse("e.txt", "", 0, PGD_DOC_AUTO, &doc, &err), 0);
	assert_int_equal(doc.len, 0);
	assert_string_equal(doc.text, "");
	assert_int_equal(doc.nsegs, 0);
	{
		unsigned l, c;
		pgd_doc_locate(&doc, 0, &l, &c);
		assert_int_equal(l, 1);
		assert_int_equal(c, 1);
	}
	pgd_doc_release(&doc);
}

/* ---- HTML ---- */

static const char html_page[] =
    "<!DOCTYPE html>\n"                                                       /* 1 */
    "<html>\n"                                                                /* 2 */
    "<head>\n"                                                                /* 3 */
    "<meta charset=\"utf-8\">\n"                                              /* 4 */
    "<meta name=\"ArticleTitle\" content=\"关于开展安全检查的通知\">\n"       /* 5 */
    "<meta name=\"PubDate\" content=\"2026-11-30 09:00\">\n"                  /* 6 */
    "<meta name=\"ContentSource\" content=\"盘州市应急管理局\">\n"            /* 7 */
    "<title>安全检查 &amp; 通知</title>\n"                                    /* 8 */
    "<style>p { color: red }</style>\n"                                       /* 9 */
    "<script>var s = \"<p>不应出现</p>\";</script>\n"                         /* 10 */
    "</head>\n"                                                               /* 11 */
    "<body>\n"                                                                /* 12 */
    "<div class=\"main\"><h1>盘州市\n"                                        /* 13 */
    "安全检查通知</h1>\n"                                                     /* 14 */
    "<p>各乡镇&nbsp;人民政府：请于<b>本周</b>内\n"                            /* 15 */
    "   完成检查。<a href=\"https://www.gov.cn/a.html\">中国政府网</a></p>\n" /* 16 */
    "<noscript>请启用脚本</noscript>\n"                                       /* 17 */
    "<p style=\"display:none\">隐藏文字</p>\n"                                /* 18 */
    "<figure><img src=\"/images/2026/%E5%9C%B0%E5%9B%BE.png\" alt=\"盘州市行政区划图\" "
    "title=\"区位图\"><figcaption>图1 盘州市行政区划图</figcaption></figure>\n" /* 19 */
    "<p><img src=\"photo.jpg\" alt=\"会议现场\"></p>\n"                         /* 20 */
    "<p>图片来源：盘州市融媒体中心</p>\n"                                       /* 21 */
    "<table><tr><td>单位</td><td>联系人</td></tr></table>\n"                    /* 22 */
    "<pre>第一行\n"                                                             /* 23 */
    "  第二行</pre>\n"                                                          /* 24 */
    "</div>\n"                                                                  /* 25 */
    "</body>\n"                                                                 /* 26 */
    "</html>\n";                                                                /* 27 */

static void test_html_page(void **state)
{
	struct pgd_doc doc;
	struct pgd_err err;
	size_t i = 0;

	assert_int_equal(
	    parse("page.html", html_page, sizeof(html_page) - 1, PGD_DOC_AUTO, &doc, &err), 0);
	assert_int_equal(doc.format, PGD_DOC_HTML);
	/* skipped: style, script, noscript */
	assert_null(strstr(doc.text, "不应出现"));
	assert_null(strstr(doc.text, "color"));
	assert_null(strstr(doc.text, "请启用脚本"));

	assert_seg(&doc, i++, PGD_SEG_META, "关于开展安全检查的通知");
	assert_seg(&doc, i++, PGD_SEG_META, "盘州市应急管理局");
	assert_seg(&doc, i++, PGD_SEG_TITLE, "安全检查 & 通知");
	assert_seg(&doc, i++, PGD_SEG_TITLE, "盘州市 安全检查通知");
	assert_seg(&doc, i++, PGD_SEG_BODY,
	           "各乡镇\xC2\xA0人民政府：请于本周内 完成检查。中国政府网");
	assert_seg(&doc, i++, PGD_SEG_BODY, "隐藏文字"); /* hidden text is still text */
	assert_seg(&doc, i++, PGD_SEG_IMAGE, "盘州市行政区划图");
	assert_seg(&doc, i++, PGD_SEG_IMAGE, "区位图");
	assert_seg(&doc, i++, PGD_SEG_IMAGE, "地图.png");
	assert_seg(&doc, i++, PGD_SEG_CAPTION, "图1 盘州市行政区划图");
	assert_seg(&doc, i++, PGD_SEG_IMAGE, "会议现场");
	assert_seg(&doc, i++, PGD_SEG_IMAGE, "photo.jpg");
	assert_seg(&doc, i++, PGD_SEG_CAPTION, "图片来源：盘州市融媒体中心");
	assert_seg(&doc, i++, PGD_SEG_TABLE, "单位");
	assert_seg(&doc, i++, PGD_SEG_TABLE, "联系人");
	assert_seg(&doc, i++, PGD_SEG_BODY, "第一行\n  第二行");
	assert_int_equal(doc.nsegs, i);

	/* positions in the original file, counted by hand */
	assert_at(&doc, "关于开展", 5, 36);
	assert_at(&doc, "盘州市应急", 7, 37);
	assert_at(&doc, "安全检查 &", 8, 8);
	assert_at(&doc, "&", 8, 13);
	assert_at_nth(&doc, "通知", 1, 8, 19); /* after the entity: &amp; is 5 source columns */
	assert_at(&doc, "盘州市 安全", 13, 23);
	assert_at(&doc, "安全检查通知", 14, 1);
	assert_at(&doc, "各乡镇", 15, 4);
	assert_at(&doc, "人民政府：", 15, 13);
	assert_at(&doc, "本周", 15, 23);
	assert_at(&doc, "完成检查", 16, 4);
	assert_at(&doc, "中国政府网", 16, 45);
	assert_at(&doc, "隐藏文字", 18, 25);
	assert_at(&doc, "盘州市行政区划图", 19, 61);
	assert_at(&doc, "区位图", 19, 78);
	assert_at(&doc, "地图.png", 19, 32);
	assert_at_nth(&doc, "图1 盘州市", 0, 19, 95);
	assert_at(&doc, "会议现场", 20, 30);
	assert_at(&doc, "photo.jpg", 20, 14);
	assert_at(&doc, "图片来源", 21, 4);
	assert_at(&doc, "单位", 22, 16);
	assert_at(&doc, "联系人", 22, 27);
	assert_at(&doc, "第一行", 23, 6);
	assert_at(&doc, "第二行", 24, 3);

	/* images, captions */
	assert_int_equal(doc.nimages, 2);
	assert_string_equal(doc.images[0].src, "/images/2026/%E5%9C%B0%E5%9B%BE.png");
	assert_string_equal(doc.images[0].alt, "盘州市行政区划图");
	assert_string_equal(doc.images[0].title, "区位图");
	assert_string_equal(doc.images[0].caption, "图1 盘州市行政区划图");
	assert_int_equal(doc.images[0].line, 19);
	assert_int_equal(doc.images[0].off, find_nth(&doc, "盘州市行政区划图", 0));
	assert_int_equal(seg_of(&doc, "图1 盘州市")->image, 0);
	assert_string_equal(doc.images[1].src, "photo.jpg");
	assert_null(doc.images[1].title);
	assert_string_equal(doc.images[1].caption, "图片来源：盘州市融媒体中心");
	assert_int_equal(doc.images[1].line, 20);
	assert_int_equal(seg_of(&doc, "图片来源")->image, 1);
	assert_int_equal(seg_of(&doc, "photo.jpg")->image, 1);
	assert_int_equal(seg_of(&doc, "单位")->image, -1);

	/* links */
	assert_int_equal(doc.nlinks, 1);
	assert_string_equal(doc.links[0].href, "https://www.gov.cn/a.html");
	assert_string_equal(doc.links[0].text, "中国政府网");
	assert_int_equal(doc.links[0].line, 16);
	assert_int_equal(doc.links[0].off, find_nth(&doc, "中国政府网", 0));

	/* meta, as written, case-insensitive lookup */
	assert_int_equal(doc.nmeta, 4);
	assert_string_equal(doc.meta[0].key, "ArticleTitle");
	assert_int_equal(doc.meta[0].line, 5);
	assert_string_equal(pgd_doc_meta_get(&doc, "pubdate"), "2026-11-30 09:00");
	assert_string_equal(pgd_doc_meta_get(&doc, "ContentSource"), "盘州市应急管理局");
	assert_string_equal(pgd_doc_meta_get(&doc, "title"), "安全检查 & 通知");
	assert_null(pgd_doc_meta_get(&doc, "Author"));
	pgd_doc_release(&doc);
}

static void test_html_gb2312_meta(void **state)
{
	struct pgd_doc doc;
	struct pgd_err err;

	assert_int_equal(load("gb2312.html", &doc, &err), 0);
	assert_int_equal(doc.format, PGD_DOC_HTML);
	assert_string_equal(doc.charset, "GB18030");
	assert_seg(&doc, 0, PGD_SEG_TITLE, "盘州市人民政府");
	assert_seg(&doc, 1, PGD_SEG_BODY, "关于开展“扫黑除恶”专项斗争的通知");
	assert_at(&doc, "盘州市", 2, 8);
	assert_at(&doc, "扫黑", 3, 15);
	pgd_doc_release(&doc);
}

static void test_html_malformed_and_detect(void **state)
{
	static const char broken[] =
	    "<div><p>未闭合的段落<b>粗体\n<p>第二段 &lt;注&gt; <img alt=\"示意图";
	static const char bare[] = "前言\n<p>正文第一段</p>\n";
	struct pgd_doc doc;
	struct pgd_err err;

	/* recovery mode still gives the text */
	assert_int_equal(parse("broken.htm", broken, sizeof(broken) - 1, PGD_DOC_AUTO, &doc, &err),
	                 0);
	assert_int_equal(doc.format, PGD_DOC_HTML);
	assert_non_null(strstr(doc.text, "未闭合的段落粗体"));
	assert_non_null(strstr(doc.text, "第二段 <注>"));
	assert_at(&doc, "第二段", 2, 4);
	assert_at(&doc, "<注>", 2, 8);
	pgd_doc_release(&doc);

	/* content sniffing: a .txt holding <p> is HTML; plain text with '<' is not */
	assert_int_equal(parse("x.txt", bare, sizeof(bare) - 1, PGD_DOC_AUTO, &doc, &err), 0);
	assert_int_equal(doc.format, PGD_DOC_HTML);
	assert_at(&doc, "正文", 2, 4);
	pgd_doc_release(&doc);
	assert_int_equal(parse("y.txt", "a < b 且 c > d\n", strlen("a < b 且 c > d\n"),
	                       PGD_DOC_AUTO, &doc, &err),
	                 0);
	assert_int_equal(doc.format, PGD_DOC_TEXT);
	pgd_doc_release(&doc);
	/* an explicit format wins */
	assert_int_equal(parse("z", "<p>x</p>", 8, PGD_DOC_TEXT, &doc, &err), 0);
	assert_string_equal(doc.text, "<p>x</p>");
	pgd_doc_release(&doc);
	/* binary is refused even with an .html name */
	assert_int_equal(parse("b.html", "<p>\0\0\0\0\x01\x02</p>", 13, PGD_DOC_AUTO, &doc, &err),
	                 PGD_ERR_FORMAT);
	pgd_doc_release(&doc);
}

static void test_html_many_lines(void **state)
{
	/* libxml2 keeps line numbers only up to 65535; ours come from the source */
	size_t n = 70000;
	struct pgd_buf b;
	struct pgd_doc doc;
	struct pgd_err err;

	pgd_buf_init(&b, 1 << 24);
	pgd_buf_addstr(&b, "<html><body>\n");
	for (size_t i = 0; i < n; i++)
		pgd_buf_addstr(&b, "<p>x</p>\n");
	pgd_buf_addstr(&b, "<p>目标文字 <a href=\"/t\">链接</a></p>\n</body></html>\n");
	assert_int_equal(parse("big.html", b.data, b.len, PGD_DOC_HTML, &doc, &err), 0);
	assert_int_equal(doc.nsegs, n + 1);
	assert_at(&doc, "目标文字", (unsigned)n + 2, 4);
	assert_int_equal(doc.links[0].line, n + 2);
	pgd_doc_release(&doc);
	pgd_buf_release(&b);
}

/* ---- .docx ---- */

static void test_docx_ok(void **state)
{
	struct pgd_doc doc;
	struct pgd_err err;
	size_t i = 0;

	assert_int_equal(load("ok.docx", &doc, &err), 0);
	assert_int_equal(doc.format, PGD_DOC_DOCX);
	assert_seg(&doc, i++, PGD_SEG_BODY, "盘州市人民政府办公室关于开展安全检查的通知");
	assert_seg(&doc, i++, PGD_SEG_TABLE, "单位");
	assert_seg(&doc, i++, PGD_SEG_TABLE, "联系人");
	assert_seg(&doc, i++, PGD_SEG_TABLE, "市应急局");
	assert_seg(&doc, i++, PGD_SEG_TABLE, "张三");
	assert_seg(&doc, i++, PGD_SEG_IMAGE, "盘州市行政区划图");
	assert_seg(&doc, i++, PGD_SEG_IMAGE, "区位图");
	assert_seg(&doc, i++, PGD_SEG_IMAGE, "map.png");
	assert_seg(&doc, i++, PGD_SEG_CAPTION, "图1 盘州市行政区划图");
	assert_seg(&doc, i++, PGD_SEG_BODY, "各乡镇人民政府：\t请于\n本周内完成。");
	assert_seg(&doc, i++, PGD_SEG_BODY, "中国政府网");
	assert_seg(&doc, i++, PGD_SEG_BODY, "盘州市人民政府"); /* header */
	assert_seg(&doc, i++, PGD_SEG_BODY, "第1页");          /* footer */
	assert_int_equal(doc.nsegs, i);
	/* line = paragraph number, column = character in the paragraph */
	assert_at(&doc, "关于", 1, 11);
	assert_at(&doc, "联系人", 3, 1);
	assert_at(&doc, "张三", 5, 1);
	assert_at(&doc, "区划图", 6, 6);
	assert_at(&doc, "图1", 7, 1);
	assert_at(&doc, "请于", 8, 10);
	assert_at(&doc, "本周", 8, 13);
	assert_at(&doc, "中国政府网", 9, 1);
	assert_at(&doc, "第1页", 11, 1);
	/* the image, its description, file and caption */
	assert_int_equal(doc.nimages, 1);
	assert_string_equal(doc.images[0].alt, "盘州市行政区划图");
	assert_string_equal(doc.images[0].title, "区位图");
	assert_string_equal(doc.images[0].src, "media/map.png");
	assert_string_equal(doc.images[0].caption, "图1 盘州市行政区划图");
	assert_int_equal(doc.images[0].line, 6);
	assert_int_equal(seg_of(&doc, "图1")->image, 0);
	assert_int_equal(seg_of(&doc, "map.png")->image, 0);
	/* hyperlink and title */
	assert_int_equal(doc.nlinks, 1);
	assert_string_equal(doc.links[0].href, "https://www.gov.cn/zhengce/a.html");
	assert_string_equal(doc.links[0].text, "中国政府网");
	assert_int_equal(doc.links[0].line, 9);
	assert_string_equal(pgd_doc_meta_get(&doc, "title"), "安全检查通知");
	pgd_doc_release(&doc);
}

static void test_docx_textbox_vml_cells(void **state)
{
	struct pgd_doc doc;
	struct pgd_err err;
	size_t i = 0;

	/* paragraphs: 1 前文[text box]后文, 2 the text box's, 3 picture, 4 caption, 5 甲, 6 乙,
	 * 7 内 (nested table), 8 链接... */
	assert_int_equal(load("textbox.docx", &doc, &err), 0);
	assert_seg(&doc, i++, PGD_SEG_BODY, "前文");
	assert_seg(&doc, i++, PGD_SEG_BODY, "文本框内文字"); /* once: mc:Fallback skipped */
	assert_seg(&doc, i++, PGD_SEG_BODY, "后文");
	assert_seg(&doc, i++, PGD_SEG_IMAGE, "区位示意图");
	assert_seg(&doc, i++, PGD_SEG_IMAGE, "image1.png");
	assert_seg(&doc, i++, PGD_SEG_CAPTION, "图2 区位示意图");
	assert_seg(&doc, i++, PGD_SEG_TABLE, "甲\n乙"); /* one cell, two paragraphs */
	assert_seg(&doc, i++, PGD_SEG_TABLE, "内");
	assert_seg(&doc, i++, PGD_SEG_BODY, "链接-\t\n 尾"); /* no 删除, no field code */
	assert_int_equal(doc.nsegs, i);
	assert_at(&doc, "文本框", 2, 1);
	assert_at(&doc, "后文", 1, 3);
	assert_at(&doc, "乙", 6, 1);
	assert_at_nth(&doc, "内", 1, 7, 1);
	assert_at(&doc, "尾", 8, 7);
	assert_int_equal(doc.nimages, 1);
	assert_null(doc.images[0].alt);
	assert_string_equal(doc.images[0].title, "区位示意图");
	assert_string_equal(doc.images[0].caption, "图2 区位示意图");
	assert_string_equal(doc.links[0].href, "https://www.gov.cn/");
	assert_string_equal(doc.links[0].text, "链接");
	pgd_doc_release(&doc);
}

static void test_docx_caption_style_footnote(void **state)
{
	struct pgd_doc doc;
	struct pgd_err err;

	/* the caption's style id is "a5"; styles.xml names it "caption" */
	assert_int_equal(load("styled.docx", &doc, &err), 0);
	assert_seg(&doc, 0, PGD_SEG_IMAGE, "办公楼");
	assert_seg(&doc, 1, PGD_SEG_IMAGE, "p.jpg");
	assert_seg(&doc, 2, PGD_SEG_CAPTION, "办公楼外景（摄影：李四）");
	assert_int_equal(doc.segs[2].image, 0);
	assert_string_equal(doc.images[0].caption, "办公楼外景（摄影：李四）");
	assert_seg(&doc, 3, PGD_SEG_BODY, "正文");
	/* the footnote follows the body; the separator footnote's paragraph counts too */
	assert_seg(&doc, 4, PGD_SEG_BODY, "脚注：资料来源于市统计局");
	assert_int_equal(doc.nsegs, 5);
	assert_at(&doc, "正文", 3, 1);
	assert_at(&doc, "脚注", 5, 1);
	pgd_doc_release(&doc);
}

static void test_docx_bad(void **state)
{
	static const struct {
		const char *file;
		int code;
		const char *says;
	} cases[] = {
	    {"truncated.docx", PGD_ERR_FORMAT, "截断"},
	    {"not-zip.docx", PGD_ERR_FORMAT, "不是 zip"},
	    {"sheet.xlsx", PGD_ERR_FORMAT, "Excel"},
	    {"plain-zip.docx", PGD_ERR_FORMAT, "缺少 word/document.xml"},
	    {"malformed.docx", PGD_ERR_FORMAT, "word/document.xml 不是格式正确的 XML"},
	    {"xxe.docx", PGD_ERR_FORMAT, "DTD"},
	    {"bomb.docx", PGD_ERR_TOO_LARGE, "压缩炸弹"},
	    {"liar.docx", PGD_ERR_TOO_LARGE, "压缩炸弹"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pgd_doc doc;
		struct pgd_err err;
		int rc = load(cases[i].file, &doc, &err);
		if (rc != cases[i].code || strstr(err.message, cases[i].says) == NULL)
			fail_msg("%s: rc %d (%s), expected %d and '%s'", cases[i].file, rc,
			         err.message, cases[i].code, cases[i].says);
		assert_non_null(strstr(err.field, cases[i].file));
		assert_int_equal(doc.len, 0);
		assert_int_equal(doc.nsegs, 0);
		pgd_doc_release(&doc);
	}
}

/* ---- loading ---- */

static void test_load_errors(void **state)
{
	struct pgd_doc doc;
	struct pgd_err err;
	char dir[] = "/tmp/pgd-test-doc-XXXXXX";
	char path[256];
	FILE *f;

	assert_int_equal(pgd_doc_load("/nonexistent/x.txt", PGD_DOC_AUTO, 0, &doc, &err),
	                 PGD_ERR_IO);
	assert_string_equal(err.field, "/nonexistent/x.txt");
	assert_non_null(strstr(err.message, "文件不存在"));
	pgd_doc_release(&doc);

	assert_non_null(mkdtemp(dir));
	assert_int_equal(pgd_doc_load(dir, PGD_DOC_AUTO, 0, &doc, &err), PGD_ERR_IO);
	assert_non_null(strstr(err.message, "目录"));
	pgd_doc_release(&doc);

	/* over the cap: refused from its size (stat), before reading */
	snprintf(path, sizeof(path), "%s/big.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 3000; i++)
		fputs("一段文字\n", f);
	fclose(f);
	assert_int_equal(pgd_doc_load(path, PGD_DOC_AUTO, 1 << 10, &doc, &err), PGD_ERR_TOO_LARGE);
	assert_non_null(strstr(err.message, "文件过大（超过 1 KB）"));
	pgd_doc_release(&doc);
	assert_int_equal(pgd_doc_load(path, PGD_DOC_AUTO, 1 << 20, &doc, &err), 0);
	assert_int_equal(doc.nsegs, 3000);
	assert_at_nth(&doc, "一段", 2999, 3000, 1);
	pgd_doc_release(&doc);
	unlink(path);
	rmdir(dir);
}

static void test_load_stdin(void **state)
{
	int fds[2], saved = dup(STDIN_FILENO);
	struct pgd_doc doc;
	struct pgd_err err;
	char big[5000];

	/* small enough for the pipe buffer: no writer thread needed */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "标准输入\r\n第二行", strlen("标准输入\r\n第二行")),
	                 (ssize_t)strlen("标准输入\r\n第二行"));
	close(fds[1]);
	dup2(fds[0], STDIN_FILENO);
	close(fds[0]);
	assert_int_equal(pgd_doc_load("-", PGD_DOC_AUTO, 0, &doc, &err), 0);
	assert_string_equal(doc.name, "-");
	assert_string_equal(doc.text, "标准输入\n第二行");
	pgd_doc_release(&doc);

	/* a pipe has no size: read with a cap */
	memset(big, 'a', sizeof(big));
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], big, sizeof(big)), (ssize_t)sizeof(big));
	close(fds[1]);
	dup2(fds[0], STDIN_FILENO);
	close(fds[0]);
	assert_int_equal(pgd_doc_load("-", PGD_DOC_AUTO, 4096, &doc, &err), PGD_ERR_TOO_LARGE);
	assert_string_equal(err.field, "-");
	pgd_doc_release(&doc);
	dup2(saved, STDIN_FILENO);
	close(saved);
}

static void test_text_speed(void **state)
{
	/* 32 MB here (the suite also runs under ASan); the 100 MB figure is in the report */
	size_t target = (size_t)32 << 20, len = 0;
	static const char line[] = "盘州市人民政府办公室关于进一步加强政务信息发布管理工作的通知，"
	                           "各乡镇人民政府、街道办事处。\r\n";
	char *big = pgd_malloc(target + sizeof(line));
	struct pgd_doc doc;
	struct pgd_err err;
	struct timespec t0, t1;
	unsigned l, c;
	double secs;

	while (len + sizeof(line) - 1 <= target) {
		memcpy(big + len, line, sizeof(line) - 1);
		len += sizeof(line) - 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(parse("big.txt", big, len, PGD_DOC_AUTO, &doc, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# 32 MB UTF-8 text parsed in %.3f s\n", secs);
	assert_int_equal(doc.len, len - len / (sizeof(line) - 1));
	pgd_doc_locate(&doc, doc.len - 1, &l, &c);
	assert_int_equal(l, len / (sizeof(line) - 1));
	pgd_doc_release(&doc);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_utf8_crlf_bom),
	    cmocka_unit_test(test_text_long_line_locate),
	    cmocka_unit_test(test_text_gbk_and_hint),
	    cmocka_unit_test(test_text_utf16),
	    cmocka_unit_test(test_text_bad_input),
	    cmocka_unit_test(test_html_page),
	    cmocka_unit_test(test_html_gb2312_meta),
	    cmocka_unit_test(test_html_malformed_and_detect),
	    cmocka_unit_test(test_html_many_lines),
	    cmocka_unit_test(test_docx_ok),
	    cmocka_unit_test(test_docx_textbox_vml_cells),
	    cmocka_unit_test(test_docx_caption_style_footnote),
	    cmocka_unit_test(test_docx_bad),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_load_stdin),
	    cmocka_unit_test(test_text_speed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
