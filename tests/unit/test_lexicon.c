/* The lexicon engine: the default data, evasion forms, exact offsets and quotes, exceptions,
 * opposing context, the regulation's own text, wording lists, extra lists, the compiled-rule
 * cache, chunking of large documents and scanning from 4 threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pubguard/check.h"
#include "pubguard/doc.h"
#include "pubguard/mem.h"
#include "check/internal.h"
#include "core/banned.h"

static struct pgd_lexicon *lex; /* the default data, no cache */
static char tmpdir[256];

static const char *data_dir(void)
{
	const char *d = getenv("PGD_DATA_DIR");
	return d && *d ? d : "../data";
}

static void source_path(char *buf, size_t cap, const char *rel)
{
	const char *src = getenv("PGD_SOURCE_DIR");
	snprintf(buf, cap, "%s/%s", src && *src ? src : "..", rel);
}

static int setup(void **state)
{
	struct pgd_err err;
	(void)state;
	memset(&err, 0, sizeof(err));
	if (pgd_lexicon_load(data_dir(), NULL, 0, NULL, &lex, &err) < 0) {
		fprintf(stderr, "load: %s\n", err.message);
		return -1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pgd-test-lexicon-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static void rm_rf(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_rf(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int teardown(void **state)
{
	(void)state;
	pgd_lexicon_free(lex);
	rm_rf(tmpdir);
	return 0;
}

static void parse_doc(const char *text, size_t len, struct pgd_doc *doc)
{
	struct pgd_err err;
	memset(&err, 0, sizeof(err));
	pgd_doc_init(doc);
	int rc = pgd_doc_parse("test.txt", text, len, PGD_DOC_TEXT, doc, &err);
	if (rc < 0)
		fprintf(stderr, "parse: %s\n", err.message);
	assert_int_equal(rc, 0);
}

/* Scan text with l into f (initialised here); doc is kept for offset checks. */
static void scan_with(const struct pgd_lexicon *l, const char *text, struct pgd_doc *doc,
		      struct pgd_findings *f)
{
	struct pgd_err err;
	struct pgd_lexicon_scratch *s = pgd_lexicon_scratch_new(l);
	memset(&err, 0, sizeof(err));
	parse_doc(text, strlen(text), doc);
	pgd_findings_init(f);
	assert_int_equal(pgd_lexicon_scan(l, s, doc, NULL, f, &err), 0);
	pgd_findings_sort(f);
	pgd_lexicon_scratch_free(s);
}

/* Number of findings in text (default lexicon) of category cat (NULL: any). */
static size_t count(const char *text, const char *cat)
{
	struct pgd_doc doc;
	struct pgd_findings f;
	size_t n = 0;
	scan_with(lex, text, &doc, &f);
	for (size_t i = 0; i < f.n; i++)
		if (cat == NULL || strcmp(f.v[i].category, cat) == 0)
			n++;
	pgd_findings_release(&f);
	pgd_doc_release(&doc);
	return n;
}

/* Exactly one finding, of category cat, quoting exactly `quote` at the place where `quote`
 * first occurs in text; optional expected suggestion. */
static void expect_one(const char *text, const char *cat, const char *quote, const char *sugg)
{
	struct pgd_doc doc;
	struct pgd_findings f;
	scan_with(lex, text, &doc, &f);
	if (f.n != 1) {
		fprintf(stderr, "text: %s\n", text);
		for (size_t i = 0; i < f.n; i++)
			fprintf(stderr, "  finding %s «%s»\n", f.v[i].category, f.v[i].text);
	}
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].category, cat);
	assert_string_equal(f.v[0].text, quote);
	const char *where = strstr(doc.text, quote);
	assert_non_null(where);
	assert_int_equal(f.v[0].off, (size_t)(where - doc.text));
	assert_int_equal(f.v[0].len, strlen(quote));
	assert_memory_equal(doc.text + f.v[0].off, quote, f.v[0].len);
	if (sugg) {
		assert_non_null(f.v[0].suggestion);
		assert_string_equal(f.v[0].suggestion, sugg);
	}
	pgd_findings_release(&f);
	pgd_doc_release(&doc);
}

#define CULT "prohibited.cult_superstition"
#define GAMBLE "prohibited.obscene_gambling_violence_terror"

static void test_loaded(void **state)
{
	(void)state;
	assert_true(pgd_lexicon_count(lex) > 300);
	assert_string_equal(pgd_lexicon_category_name(lex, CULT),
			    "破坏国家宗教政策，宣扬邪教和封建迷信");
	assert_null(pgd_lexicon_category_name(lex, "no.such"));
	/* every category of the issue is in the table */
	static const char *const ids[] = {
		"prohibited.anti_constitution", "prohibited.state_security",
		"prohibited.national_honour", "prohibited.ethnic_hatred", CULT,
		"prohibited.rumour", GAMBLE, "prohibited.insult_defamation",
		"prohibited.ip_infringement", "prohibited.other_illegal",
		"content.vulgar_irrelevant", "content.low_red_high_black", "error.typo",
		"error.outdated_institution" };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		assert_non_null(pgd_lexicon_category_name(lex, ids[i]));
}

/* One plain example per category of the default lexicon is found. */
static void test_every_category(void **state)
{
	(void)state;
	expect_one("有人在群里说要推翻共产党", "prohibited.anti_constitution", "推翻共产党", NULL);
	expect_one("他公开支持台独", "prohibited.state_security", "台独", NULL);
	expect_one("评论区出现东亚病夫等字眼", "prohibited.national_honour", "东亚病夫", NULL);
	expect_one("帖子里骂人是黑鬼", "prohibited.ethnic_hatred", "黑鬼", NULL);
	expect_one("欢迎加入法轮功", CULT, "法轮功", NULL);
	expect_one("内部消息称明天放假", "prohibited.rumour", "内部消息称", NULL);
	expect_one("六合彩开奖结果", GAMBLE, "六合彩", NULL);
	expect_one("这个狗官", "prohibited.insult_defamation", "狗官", NULL);
	expect_one("提供盗版下载地址", "prohibited.ip_infringement", "盗版下载", NULL);
	expect_one("专业办理假证", "prohibited.other_illegal", "办理假证", NULL);
	expect_one("这活动真是卧槽了", "content.vulgar_irrelevant", "卧槽", NULL);
	expect_one("我国科技宇宙第一", "content.low_red_high_black", "宇宙第一", NULL);
}

static void test_evasions(void **state)
{
	(void)state;
	expect_one("欢迎加入法 轮 功修炼", CULT, "法 轮 功", NULL);
	expect_one("欢迎加入法\u3000轮\u3000功修炼", CULT, "法\u3000轮\u3000功", NULL);
	expect_one("欢迎加入法\u200b轮\u200d功修炼", CULT, "法\u200b轮\u200d功", NULL);
	expect_one("欢迎加入法\ufeff轮\u2060功修炼", CULT, "法\ufeff轮\u2060功", NULL);
	expect_one("欢迎加入法★轮※功修炼", CULT, "法★轮※功", NULL);
	expect_one("欢迎加入法·轮•功", CULT, "法·轮•功", NULL);
	expect_one("欢迎加入法_轮*功", CULT, "法_轮*功", NULL);
	expect_one("欢迎加入法.轮.功", CULT, "法.轮.功", NULL);
	expect_one("欢迎加入法/轮-功", CULT, "法/轮-功", NULL);
	expect_one("欢迎加入法，轮，功", CULT, "法，轮，功", NULL);
	expect_one("欢迎加入法輪功", CULT, "法輪功", NULL);
	expect_one("ＸＸ網絡賭博平台", GAMBLE, "網絡賭博", NULL);
	expect_one("来玩網 絡 賭 博吧", GAMBLE, "網 絡 賭 博", NULL);
	expect_one("推荐VPN翻墙工具", "prohibited.other_illegal", "VPN翻墙", NULL);
	expect_one("推荐ｖｐｎ翻墙工具", "prohibited.other_illegal", "ｖｐｎ翻墙", NULL);
	expect_one("推荐Vpn翻墙工具", "prohibited.other_illegal", "Vpn翻墙", NULL);
	expect_one("赌★博 网站大全", GAMBLE, "赌★博 网站", NULL);
}

/* Separators must not join words of a normal sentence into a false phrase. */
static void test_no_false_joins(void **state)
{
	(void)state;
	/* clause punctuation in only one gap: not an evasion */
	assert_int_equal(count("学习法轮，功课很多", CULT), 0);
	/* a two-character phrase never spans clause punctuation (香港，独…) */
	assert_int_equal(count("我们来到香港，独自出发", NULL), 0);
	/* hard boundaries are never spanned, whatever the separator */
	assert_int_equal(count("方法。轮功", NULL), 0);
	assert_int_equal(count("做法\n轮功", NULL), 0);
	assert_int_equal(count("法！轮！功", NULL), 0);
}

static void test_ascii_edges(void **state)
{
	(void)state;
	assert_int_equal(count("请使用USB接口充电", NULL), 0);
	expect_one("你个SB", "content.vulgar_irrelevant", "SB", NULL);
	expect_one("你个S B", "content.vulgar_irrelevant", "S B", NULL);
	/* a digit after Chinese is not an ASCII word: 截止2024 is found */
	expect_one("截止2024年底，全县共有", "error.typo", "截止2", "截至2");
}

static void test_exceptions(void **state)
{
	(void)state;
	assert_int_equal(count("本平台独立运营，欢迎投稿", NULL), 0);
	assert_int_equal(count("香港独特的城市风貌", NULL), 0);
	assert_int_equal(count("广东突发强降雨", NULL), 0);
	assert_int_equal(count("开展反洗钱宣传", NULL), 0);
	assert_int_equal(count("依法成立的注册机构", NULL), 0);
	assert_int_equal(count("发展畜牧业，推进畜生产", NULL), 0);
	assert_int_equal(count("通过互联网传播正能量", NULL), 0);
	assert_int_equal(count("认真学习反分裂国家法", NULL), 0);
	assert_int_equal(count("深刻领会新时代革命老区振兴发展", NULL), 0);
	/* the plain phrase next to the exception is still found */
	expect_one("他公开鼓吹台独主张", "prohibited.state_security", "台独", NULL);
	expect_one("网传明天停水", "prohibited.rumour", "网传", NULL);
}

static void test_opposing_context(void **state)
{
	(void)state;
	/* campaign news and warnings: clean */
	assert_int_equal(count("我县开展严厉打击网络赌博专项行动", NULL), 0);
	assert_int_equal(count("公安机关破获一起网络赌博案件，抓获嫌疑人5名", NULL), 0);
	assert_int_equal(count("提醒广大群众警惕网络赌博陷阱", NULL), 0);
	assert_int_equal(count("严禁任何单位和个人组织参与网络赌博", NULL), 0);
	assert_int_equal(count("坚决抵制法轮功等邪教组织", NULL), 0);
	assert_int_equal(count("组织开展揭批全能神邪教活动", NULL), 0);
	assert_int_equal(count("市公安局辟谣：网传地震消息不实", NULL), 0);
	assert_int_equal(count("六合彩等违法犯罪活动危害极大", NULL), 0);
	assert_int_equal(count("以煽动颠覆国家政权罪被判处有期徒刑", NULL), 0);
	/* advertisements: found */
	expect_one("网络赌博，注册就送888元", GAMBLE, "网络赌博", NULL);
	expect_one("最新六合彩开奖，稳赚不赔", GAMBLE, "六合彩", NULL);
	/* the opposing word must be in the same sentence */
	expect_one("严禁赌博。欢迎来到网络赌博平台", GAMBLE, "网络赌博", NULL);
	/* and within its window (打击: 20 characters) */
	expect_one("打击行动开始后，有人却在朋友圈和微信群里天天发布招揽广告宣传网络赌博",
		   GAMBLE, "网络赌博", NULL);
	/* context rules are per category: 打击 does not silence a typo */
	expect_one("严厉打击扫黑除黑", "error.typo", "扫黑除黑", "扫黑除恶");
}

static void test_list_intro(void **state)
{
	(void)state;
	/* a list under an introducing prohibition */
	assert_int_equal(count("下列行为一律禁止：\n（一）网络赌博；\n（二）传播六合彩信息；\n"
			       "3. 宣扬法轮功。\n",
			       NULL),
			 0);
	assert_int_equal(count("凡有下列情形的信息不得发布:\n(一)宣扬全能神的;\n\n(二)推广网赌的;\n",
			       NULL),
			 0);
	/* a list without such a line is reported */
	assert_int_equal(count("本期推荐：\n（一）网络赌博平台\n（二）六合彩\n", GAMBLE), 2);
	/* not a list item: the introducing line does not reach it */
	assert_int_equal(count("以下行为禁止：\n我们的网络赌博平台欢迎你\n", GAMBLE), 1);
}

static void test_collapse(void **state)
{
	(void)state;
	/* 网络赌博, 赌博网, 赌博网站 overlap: one finding */
	assert_int_equal(count("最新网络赌博网站", GAMBLE), 1);
	/* two separate occurrences: two findings */
	assert_int_equal(count("六合彩，六合彩", GAMBLE), 2);
	/* longest of the same category wins */
	expect_one("国家卫计委发布", "error.outdated_institution", "国家卫计委",
		   "国家卫生健康委员会");
}

static void test_messages(void **state)
{
	struct pgd_doc doc;
	struct pgd_findings f;
	(void)state;
	scan_with(lex, "欢迎加入法轮功", &doc, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].severity, PGD_SEV_BLOCK);
	assert_string_equal(f.v[0].message,
			    "疑似禁止内容：破坏国家宗教政策，宣扬邪教和封建迷信（第十条第五项）");
	assert_null(f.v[0].suggestion);
	assert_int_equal(f.v[0].line, 1);
	assert_int_equal(f.v[0].column, 5);
	pgd_findings_release(&f);
	pgd_doc_release(&doc);

	scan_with(lex, "第一行\n做好工作部暑", &doc, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].severity, PGD_SEV_REVIEW);
	assert_string_equal(f.v[0].text, "部暑");
	assert_string_equal(f.v[0].suggestion, "部署");
	assert_non_null(strstr(f.v[0].message, "应为“部署”"));
	assert_int_equal(f.v[0].line, 2);
	assert_int_equal(f.v[0].column, 5);
	pgd_findings_release(&f);
	pgd_doc_release(&doc);
}

static void test_wording(void **state)
{
	(void)state;
	expect_one("要再接再励，争取更大成绩", "error.typo", "再接再励", "再接再厉");
	expect_one("一如继往地支持", "error.typo", "一如继往", "一如既往");
	expect_one("深入推进扫黑出恶专项斗争", "error.typo", "扫黑出恶", "扫黑除恶");
	expect_one("认真贯切落实", "error.typo", "贯切", "贯彻");
	expect_one("既使困难再大", "error.typo", "既使", "即使");
	expect_one("截止目前，已完成", "error.typo", "截止目前", "截至目前");
	/* 截止 before a deadline is correct */
	assert_int_equal(count("报名截止日期为5月1日", NULL), 0);
	/* outdated institutions */
	expect_one("县国土资源局发布通知", "error.outdated_institution", "国土资源局", "自然资源局");
	expect_one("农业部发布通知", "error.outdated_institution", "农业部", "农业农村部");
	expect_one("市环保局开展检查", "error.outdated_institution", "环保局", "生态环境局");
	expect_one("县安监局检查", "error.outdated_institution", "安监局", "应急管理局");
	/* historical references and legitimate words are not findings */
	assert_int_equal(count("原国土资源部部长", NULL), 0);
	assert_int_equal(count("他曾任县环保局局长", NULL), 0);
	assert_int_equal(count("2018年机构改革前的县国土资源局", NULL), 0);
	assert_int_equal(count("县国土资源局更名为县自然资源局", NULL), 0);
	assert_int_equal(count("农业部门和文化部门联合开展", NULL), 0);
	assert_int_equal(count("请勿坐在床笫之上", NULL), 0);
	expect_one("笫十八条", "error.typo", "笫", "第");
}

/* Number of findings of category cat (NULL: any) in an HTML document. */
static size_t count_html(const char *html, const char *cat)
{
	struct pgd_err err;
	struct pgd_doc doc;
	struct pgd_findings f;
	struct pgd_lexicon_scratch *sc = pgd_lexicon_scratch_new(lex);
	size_t n = 0;

	memset(&err, 0, sizeof(err));
	pgd_doc_init(&doc);
	assert_int_equal(pgd_doc_parse("t.html", html, strlen(html), PGD_DOC_HTML, &doc, &err), 0);
	pgd_findings_init(&f);
	assert_int_equal(pgd_lexicon_scan(lex, sc, &doc, NULL, &f, &err), 0);
	for (size_t i = 0; i < f.n; i++)
		if (cat == NULL || strcmp(f.v[i].category, cat) == 0)
			n++;
	pgd_findings_release(&f);
	pgd_doc_release(&doc);
	pgd_lexicon_scratch_free(sc);
	return n;
}

/* Document-level context: an opposing word in the title quiets its categories in the whole
 * document, except in a sentence with a promotional signal. */
static void test_title_context(void **state)
{
	(void)state;
	static const char *const news =
		"盘州市公安局深入开展打击整治网络赌博专项行动\n"
		"今年以来，共侦破案件23起。\n"
		"据介绍，部分不法分子利用境外赌博网站、微信群等组织参赌，诱骗群众参与“六合彩”、"
		"百家乐等赌博活动，严重危害群众财产安全。\n";
	assert_int_equal(count(news, NULL), 0);
	/* the same description without the campaign title is reported */
	assert_int_equal(count("据介绍，部分不法分子利用境外赌博网站、微信群等组织参赌，诱骗群众参与"
			       "“六合彩”、百家乐等赌博活动，严重危害群众财产安全。\n",
			       GAMBLE),
			 3);
	/* an ad planted in the campaign news is still reported */
	{
		char buf[1024];
		snprintf(buf, sizeof(buf), "%s%s", news, "六合彩内部资料，加微信稳赚不赔。\n");
		assert_int_equal(count(buf, GAMBLE), 1);
		snprintf(buf, sizeof(buf), "%s%s", news, "百家乐在线玩，扫码下注。\n");
		assert_int_equal(count(buf, GAMBLE), 1);
	}
	/* the title quiets only its categories: a cult name in anti-drug news is reported */
	assert_int_equal(count("我县开展禁毒宣传月活动\n有人现场宣扬法轮功。\n", CULT), 1);
	assert_int_equal(count("我县开展禁毒宣传月活动\n群众了解了冰毒、海洛因的危害性。\n", NULL), 0);
	/* a first line that is a long paragraph is not a title */
	assert_int_equal(count("今年以来我县在打击整治工作中取得了很大成效，全县上下齐心协力，各部门通力"
			       "配合，各乡镇积极行动，各村组层层落实，广大群众踊跃参与，形成了全社会"
			       "共同参与的良好局面，得到了上级部门的充分肯定和广大群众的一致好评。\n"
			       "网络赌博平台注册就送88元。\n",
			       GAMBLE),
			 1);
	/* HTML: the ArticleTitle meta and the heading are titles */
	assert_int_equal(count_html("<html><head><meta name=\"ArticleTitle\" content=\"揭批全能神邪教"
				    "\"></head><body><p>全能神组织编造末日谎言。</p></body></html>",
				    NULL),
			 0);
	assert_int_equal(count_html("<html><head><title>森林防火工作会</title></head><body>"
				    "<p>全能神组织编造末日谎言。</p></body></html>",
				    CULT),
			 1);
}

/* Debunking: 辟谣 in the headline, 系谣言/不实 in the sentence, silence the rumour formulas. */
static void test_debunk(void **state)
{
	(void)state;
	assert_int_equal(count("辟谣！网传“盘州市部分路段将实行单双号限行”系谣言\n"
			       "近日，有网民在微信群发布消息。\n",
			       NULL),
			 0);
	assert_int_equal(count("网传明天全城停水的消息不实", NULL), 0);
	assert_int_equal(count("网传“明天全城停水”，经核实系谣言", NULL), 0);
	/* a 辟谣 headline does not quiet other categories */
	assert_int_equal(count("辟谣专栏\n欢迎加入法轮功。\n", CULT), 1);
	/* without a refutation the formula is reported */
	expect_one("网传明天全城停水，大家快囤水", "prohibited.rumour", "网传", NULL);
}

/* Entries added after the labelled corpus showed gaps. */
static void test_lexicon_gaps(void **state)
{
	(void)state;
	expect_one("同城上门提供色情服务", GAMBLE, "色情服务", NULL);
	expect_one("澳门网上赌场", GAMBLE, "网上赌场", NULL);
	expect_one("出售仿真枪支弹药，货到付款", GAMBLE, "枪支弹药", NULL);
	expect_one("留言：ｂｅｔ３６５官方入口", GAMBLE, "ｂｅｔ３６５", NULL);
	expect_one("留言：BeT365体育投注", GAMBLE, "BeT365", NULL);
	assert_int_equal(count("留言：xbet3650", GAMBLE), 0);
	expect_one("代开发票，保真可查", "prohibited.other_illegal", "代开发票", NULL);
	expect_one("出售公民个人信息", "prohibited.other_illegal", "出售公民个人信息", NULL);
	expect_one("贩卖公民个人信息", "prohibited.other_illegal", "贩卖公民个人信息", NULL);
	expect_one("买卖公民个人信息", "prohibited.other_illegal", "买卖公民个人信息", NULL);
	expect_one("全套教材盗版电子书免费下载", "prohibited.ip_infringement", "盗版电子书", NULL);
	expect_one("这里有盗版光碟", "prohibited.ip_infringement", "盗版", NULL);
	expect_one("干部都是一群败类", "prohibited.insult_defamation", "败类", NULL);
	expect_one("你这个刁民", "prohibited.insult_defamation", "刁民", NULL);
	expect_one("成效吊打全世界", "content.low_red_high_black", "吊打全世界", NULL);
	expect_one("群众纷纷跪谢党恩", "content.low_red_high_black", "跪谢党恩", NULL);
	/* legitimate uses */
	assert_int_equal(count("开展反盗版宣传，支持正版软件", NULL), 0);
	assert_int_equal(count("加强枪支弹药管理", NULL), 0);
	assert_int_equal(count("纳税人可到税务机关代开发票", NULL), 0);
	assert_int_equal(count("个体户可在电子税务局申请代开发票", NULL), 0);
}

/* Bug fixes (holdout): wording gaps and anti-fraud context. Corpus p31, c23; cases
 * typo-socialist-formulation, context-anti-fraud. */
static void test_holdout_gaps(void **state)
{
	(void)state;
	/* 注意 for 主义 in fixed formulations */
	expect_one("深入学习新时代中国特色社会注意思想", "error.typo", "特色社会注意", "特色社会主义");
	expect_one("践行社会注意核心价值观", "error.typo", "社会注意核心价值观",
		   "社会主义核心价值观");
	expect_one("树立共产注意远大理想", "error.typo", "共产注意", "共产主义");
	assert_int_equal(count("此事引起社会注意，请全社会注意防火。马克思注意到这一点", NULL), 0);
	/* 盘县 became 盘州市 in 2017: its bodies are outdated, a user name or history is not */
	expect_one("盘县人民政府发布通告", "error.outdated_institution", "盘县人民政府",
		   "盘州市人民政府");
	expect_one("盘县教育局组织开展", "error.outdated_institution", "盘县教育局", "盘州市教育局");
	assert_int_equal(count("原盘县人民政府旧址已改建", NULL), 0);
	assert_int_equal(count("网友盘县老张留言点赞", NULL), 0);
	/* anti-fraud news lists the fraud types it warns against */
	assert_int_equal(count("社区简讯\n民警介绍，常见诈骗手法有：兼职刷单、刷单返利、虚假贷款等。\n", NULL),
			 0);
	assert_int_equal(count("社区简讯\n警方提醒：凡是要求先垫资的兼职刷单都是诈骗。\n", NULL), 0);
	assert_int_equal(count("社区简讯\n民警提醒广大群众，网络赌博十赌九骗，切莫参与。\n", NULL), 0);
	assert_int_equal(count("社区简讯\n高发诈骗类型：\n1.刷单返利\n2.虚假投资理财\n", NULL), 0);
	/* ... but the ad itself is still reported */
	expect_one("招聘兼职刷单，日结，加微信abc123", "prohibited.other_illegal", "兼职刷单", NULL);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;
	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = pgd_malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

/* The regulation's own text lists every prohibited category in "不得…" sentences: nothing
 * there is prohibited content; its two typos are found. */
static void test_seed_regulation(void **state)
{
	char path[512];
	size_t len = 0;
	struct pgd_doc doc;
	struct pgd_findings f;
	(void)state;
	source_path(path, sizeof(path), "tests/fixtures/seed-regulation.txt");
	char *text = slurp(path, &len);
	assert_non_null(text);
	scan_with(lex, text, &doc, &f);
	for (size_t i = 0; i < f.n; i++)
		fprintf(stderr, "  seed finding %u:%u %s «%s»\n", f.v[i].line, f.v[i].column,
			f.v[i].category, f.v[i].text);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.v[0].category, "error.typo");
	assert_string_equal(f.v[0].text, "封建送信");
	assert_string_equal(f.v[0].suggestion, "封建迷信");
	assert_int_equal(f.v[0].line, 18);
	assert_string_equal(f.v[1].category, "error.typo");
	assert_string_equal(f.v[1].text, "笫");
	assert_string_equal(f.v[1].suggestion, "第");
	assert_int_equal(f.v[1].line, 32);
	assert_int_equal(f.v[1].column, 1);
	pgd_findings_release(&f);
	pgd_doc_release(&doc);
	free(text);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

static int load_extra(const char *content, size_t len, const char *cache,
		      struct pgd_lexicon **out, struct pgd_err *err)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/extra.txt", tmpdir);
	write_file(path, content, len);
	const char *extra[] = { path };
	memset(err, 0, sizeof(*err));
	return pgd_lexicon_load(data_dir(), extra, 1, cache, out, err);
}

static size_t count_with(const struct pgd_lexicon *l, const char *text, const char *cat)
{
	struct pgd_doc doc;
	struct pgd_findings f;
	size_t n = 0;
	scan_with(l, text, &doc, &f);
	for (size_t i = 0; i < f.n; i++)
		if (cat == NULL || strcmp(f.v[i].category, cat) == 0)
			n++;
	pgd_findings_release(&f);
	pgd_doc_release(&doc);
	return n;
}

static void test_extra_lists(void **state)
{
	struct pgd_lexicon *l = NULL;
	struct pgd_err err;
	(void)state;

	/* one phrase per line: default category prohibited.other_illegal */
	const char plain[] = "# imported list\n测试违禁词甲\n\n  测试违禁词乙  \n";
	assert_int_equal(load_extra(plain, strlen(plain), NULL, &l, &err), 0);
	assert_int_equal(pgd_lexicon_count(l), pgd_lexicon_count(lex) + 2);
	assert_int_equal(count_with(l, "这里有测试违禁词甲和测试违禁词乙", "prohibited.other_illegal"), 2);
	pgd_lexicon_free(l);

	/* CSV with a header, categories, quoting, a severity column */
	const char csv[] = "phrase,category,severity\n"
			   "测试谣言词,prohibited.rumour\n"
			   "\"测试,逗号词\",content.vulgar_irrelevant,info\n"
			   "测试无类别词\n";
	assert_int_equal(load_extra(csv, strlen(csv), NULL, &l, &err), 0);
	assert_int_equal(count_with(l, "据说测试谣言词", "prohibited.rumour"), 1);
	/* the comma inside the phrase is a separator; one filled gap is not an evasion */
	assert_int_equal(count_with(l, "测试，逗号词", "content.vulgar_irrelevant"), 0);
	assert_int_equal(count_with(l, "测试逗号词", "content.vulgar_irrelevant"), 1);
	assert_int_equal(count_with(l, "测试无类别词", "prohibited.other_illegal"), 1);
	pgd_lexicon_free(l);

	/* GBK-encoded list */
	const char gbk[] = "\xb2\xe2\xca\xd4\xce\xa5\xbd\xfb\xb4\xca\xb6\xa1\n" /* 测试违禁词丁 */
			   "\xb5\xd8\xcf\xc2\xc7\xae\xd7\xaf\xb6\xd2\xbb\xbb\xd2\xb5\xce\xf1\n" /* 地下钱庄兑换业务 */
			   "\xb7\xc7\xb7\xa8\xbc\xaf\xd7\xca\xc6\xbd\xcc\xa8\xcd\xc6\xb9\xe3\n"; /* 非法集资平台推广 */
	int rc = load_extra(gbk, strlen(gbk), NULL, &l, &err);
	if (rc < 0)
		fprintf(stderr, "gbk: %s\n", err.message);
	assert_int_equal(rc, 0);
	assert_int_equal(count_with(l, "他发了测试违禁词丁", "prohibited.other_illegal"), 1);
	assert_int_equal(count_with(l, "专做非法集资平台推广", "prohibited.other_illegal"), 1);
	pgd_lexicon_free(l);

	/* TSV lines in an extra list use the full format */
	const char tsv[] = "测试错词\terror.typo\t\t测试对词\n";
	assert_int_equal(load_extra(tsv, strlen(tsv), NULL, &l, &err), 0);
	assert_int_equal(count_with(l, "这是测试错词", "error.typo"), 1);
	pgd_lexicon_free(l);

	/* bad lines: the error names file:line and the problem */
	char want[600];
	const char bad1[] = "好词一,prohibited.rumour\n坏词二,no.such_category\n";
	assert_true(load_extra(bad1, strlen(bad1), NULL, &l, &err) < 0);
	assert_null(l);
	assert_int_equal(err.code, PGD_ERR_RULES);
	snprintf(want, sizeof(want), "%s/extra.txt:2：未知类别“no.such_category”", tmpdir);
	assert_non_null(strstr(err.message, want));

	const char bad2[] = "好词一\n,prohibited.rumour\n";
	assert_true(load_extra(bad2, strlen(bad2), NULL, &l, &err) < 0);
	snprintf(want, sizeof(want), "%s/extra.txt:2：词语为空", tmpdir);
	assert_non_null(strstr(err.message, want));

	const char bad3[] = "赌\t" GAMBLE "\tsevere\n";
	assert_true(load_extra(bad3, strlen(bad3), NULL, &l, &err) < 0);
	assert_non_null(strstr(err.message, "extra.txt:1：未知级别“severe”"));

	const char bad4[] = "台独\tprohibited.state_security\t\t\t平台建设\n";
	assert_true(load_extra(bad4, strlen(bad4), NULL, &l, &err) < 0);
	assert_non_null(strstr(err.message, "例外词“平台建设”不包含词语“台独”"));

	const char bad5[] = "好词。坏词\n";
	assert_true(load_extra(bad5, strlen(bad5), NULL, &l, &err) < 0);
	assert_non_null(strstr(err.message, "extra.txt:1："));

	/* a missing file */
	const char *missing[] = { "/nonexistent/list.txt" };
	assert_true(pgd_lexicon_load(data_dir(), missing, 1, NULL, &l, &err) < 0);
	assert_non_null(strstr(err.message, "/nonexistent/list.txt"));
}

struct snap {
	char cat[48];
	size_t off, len;
	char sugg[64];
};

static size_t snapshot(const struct pgd_lexicon *l, const char *text, struct snap *out, size_t cap)
{
	struct pgd_doc doc;
	struct pgd_findings f;
	scan_with(l, text, &doc, &f);
	assert_true(f.n <= cap);
	for (size_t i = 0; i < f.n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		snprintf(out[i].cat, sizeof(out[i].cat), "%s", f.v[i].category);
		out[i].off = f.v[i].off;
		out[i].len = f.v[i].len;
		snprintf(out[i].sugg, sizeof(out[i].sugg), "%s",
			 f.v[i].suggestion ? f.v[i].suggestion : "");
	}
	size_t n = f.n;
	pgd_findings_release(&f);
	pgd_doc_release(&doc);
	return n;
}

static size_t cache_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "lexicon-", 8) == 0)
			n++;
	closedir(d);
	return n;
}

static void test_cache(void **state)
{
	struct pgd_lexicon *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	struct pgd_lexicon_stats st;
	struct pgd_err err;
	char cache[300];
	struct snap sa[64], sb[64];
	const char *text = "欢迎加入法 轮 功。县国土资源局发布通知，截止目前网络赌博已整治。"
			   "最新网络赌博，缓存测试词一。原国土资源部";
	(void)state;

	snprintf(cache, sizeof(cache), "%s/cache", tmpdir);
	const char list1[] = "缓存测试词一\n";
	assert_int_equal(load_extra(list1, strlen(list1), cache, &a, &err), 0);
	pgd_lexicon_stats(a, &st);
	assert_int_equal(st.from_cache, 0);
	assert_int_equal(pgd_lexicon_cache_hit(a), 0);
	assert_int_equal(cache_files(cache), 1);

	assert_int_equal(load_extra(list1, strlen(list1), cache, &b, &err), 0);
	pgd_lexicon_stats(b, &st);
	assert_int_equal(st.from_cache, 1);
	assert_int_equal(pgd_lexicon_cache_hit(b), 1);
	assert_int_equal(st.compile_ms, 0.0);
	assert_int_equal(pgd_lexicon_count(a), pgd_lexicon_count(b));
	assert_string_equal(pgd_lexicon_category_name(b, CULT), pgd_lexicon_category_name(a, CULT));

	size_t na = snapshot(a, text, sa, 64), nb = snapshot(b, text, sb, 64);
	assert_int_equal(na, nb);
	assert_true(na >= 4);
	assert_memory_equal(sa, sb, na * sizeof(sa[0]));

	/* a changed list is a different key: compiled again, new phrase found */
	const char list2[] = "缓存测试词一\n缓存测试词二\n";
	assert_int_equal(load_extra(list2, strlen(list2), cache, &c, &err), 0);
	pgd_lexicon_stats(c, &st);
	assert_int_equal(st.from_cache, 0);
	assert_int_equal(cache_files(cache), 2);
	assert_int_equal(count_with(c, "缓存测试词二", NULL), 1);
	assert_int_equal(count_with(a, "缓存测试词二", NULL), 0);

	/* a damaged cache file is a miss, never a crash */
	DIR *dir = opendir(cache);
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "lexicon-", 8) != 0)
			continue;
		char p[600];
		snprintf(p, sizeof(p), "%s/%s", cache, de->d_name);
		FILE *fp = fopen(p, "r+b");
		assert_non_null(fp);
		fseek(fp, 200, SEEK_SET);
		fputs("garbage garbage garbage", fp);
		fclose(fp);
		assert_int_equal(truncate(p, 4096), 0);
	}
	closedir(dir);
	assert_int_equal(load_extra(list1, strlen(list1), cache, &d, &err), 0);
	pgd_lexicon_stats(d, &st);
	assert_int_equal(st.from_cache, 0);
	assert_int_equal(count_with(d, "缓存测试词一", NULL), 1);

	pgd_lexicon_free(a);
	pgd_lexicon_free(b);
	pgd_lexicon_free(c);
	pgd_lexicon_free(d);
}

/* Documents larger than one chunk (1 MiB): findings near the cuts, exact offsets. */
static void test_large_document(void **state)
{
	const char *filler = "县政府召开常务会议研究部署安全生产工作。\n"; /* 61 bytes */
	const char *bad = "欢迎加入法 轮 功\n";
	size_t fl = strlen(filler), bl = strlen(bad);
	size_t cap = (size_t)3 << 20;
	char *text = pgd_malloc(cap + 256);
	size_t len = 0, expected = 0;
	struct pgd_doc doc;
	struct pgd_findings f;
	struct pgd_err err;
	(void)state;

	while (len + fl + bl < cap) {
		memcpy(text + len, filler, fl);
		len += fl;
		if ((len / fl) % 997 == 0) {
			memcpy(text + len, bad, bl);
			len += bl;
			expected++;
		}
	}
	text[len] = '\0';
	memset(&err, 0, sizeof(err));
	parse_doc(text, len, &doc);
	struct pgd_lexicon_scratch *s = pgd_lexicon_scratch_new(lex);
	pgd_findings_init(&f);
	assert_int_equal(pgd_lexicon_scan(lex, s, &doc, NULL, &f, &err), 0);
	assert_int_equal(f.n, expected);
	for (size_t i = 0; i < f.n; i++)
		assert_memory_equal(doc.text + f.v[i].off, "法 轮 功", f.v[i].len);
	pgd_findings_release(&f);
	pgd_doc_release(&doc);

	/* one 3 MiB line without line ends: cut at 。 or a character boundary */
	len = 0;
	expected = 0;
	const char *chunk = "赌博网站。";
	size_t cl = strlen("网络"), k = 0;
	while (len + 64 < cap) {
		if (k++ % 50000 == 0) {
			memcpy(text + len, "网络", cl);
			len += cl;
			memcpy(text + len, chunk, strlen(chunk));
			len += strlen(chunk);
			expected++;
		} else {
			memcpy(text + len, "，", 3);
			len += 3;
		}
	}
	text[len] = '\0';
	parse_doc(text, len, &doc);
	pgd_findings_init(&f);
	assert_int_equal(pgd_lexicon_scan(lex, s, &doc, NULL, &f, &err), 0);
	assert_int_equal(f.n, expected);
	pgd_findings_release(&f);
	pgd_doc_release(&doc);
	pgd_lexicon_scratch_free(s);
	free(text);
}

struct job {
	const struct pgd_lexicon *lex;
	const struct pgd_doc *doc;
	size_t found;
	int failed;
};

static void *scan_thread(void *arg)
{
	struct job *j = arg;
	struct pgd_lexicon_scratch *s = pgd_lexicon_scratch_new(j->lex);
	struct pgd_err err;
	for (int round = 0; round < 10; round++) {
		struct pgd_findings f;
		pgd_findings_init(&f);
		memset(&err, 0, sizeof(err));
		if (pgd_lexicon_scan(j->lex, s, j->doc, NULL, &f, &err) < 0)
			j->failed = 1;
		if (round > 0 && f.n != j->found)
			j->failed = 1;
		j->found = f.n;
		pgd_findings_release(&f);
	}
	pgd_lexicon_scratch_free(s);
	return NULL;
}

static void test_threads(void **state)
{
	const char *sample = "欢迎加入法 轮 功，县国土资源局发布通知。严厉打击网络赌博。"
			     "最新六合彩开奖！截止目前共有。\n";
	size_t sl = strlen(sample), reps = 2000;
	char *text = pgd_malloc(sl * reps + 1);
	struct pgd_doc doc;
	pthread_t th[4];
	struct job jobs[4];
	(void)state;

	for (size_t i = 0; i < reps; i++)
		memcpy(text + i * sl, sample, sl);
	text[sl * reps] = '\0';
	parse_doc(text, sl * reps, &doc);
	for (int i = 0; i < 4; i++) {
		jobs[i].lex = lex;
		jobs[i].doc = &doc;
		jobs[i].found = 0;
		jobs[i].failed = 0;
		assert_int_equal(pthread_create(&th[i], NULL, scan_thread, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(jobs[i].failed, 0);
		assert_int_equal(jobs[i].found, 4 * reps);
	}
	pgd_doc_release(&doc);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loaded),
		cmocka_unit_test(test_every_category),
		cmocka_unit_test(test_evasions),
		cmocka_unit_test(test_no_false_joins),
		cmocka_unit_test(test_ascii_edges),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_opposing_context),
		cmocka_unit_test(test_list_intro),
		cmocka_unit_test(test_collapse),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_wording),
		cmocka_unit_test(test_title_context),
		cmocka_unit_test(test_debunk),
		cmocka_unit_test(test_lexicon_gaps),
		cmocka_unit_test(test_holdout_gaps),
		cmocka_unit_test(test_seed_regulation),
		cmocka_unit_test(test_extra_lists),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_large_document),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
