/* Approved items (Art. 14): the pure normalisers (src/core/match.c), the store (create,
 * validate, list scoped by unit, import all or nothing, match by URL / title / SimHash within
 * 3 bits, per platform), the import kind "approved_items" (src/import/import.c), and the
 * handlers of /approved-items (src/server/h_approved.c) called directly: another unit's
 * platform reads as 404, a unit role without records.write gets 403. Every expected value
 * below was worked out by hand. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "pubguard/approved.h"
#include "pubguard/err.h"
#include "pubguard/import.h"
#include "pubguard/match.h"
#include "pubguard/sheet.h"
#include "pubguard/store.h"
#include "server/server.h"
#include "store/internal.h"
#include "core/banned.h"

#include "store_fixture.h"

pgd_handler h_approved_list, h_approved_create; /* h_approved.c */

/* ---- normalisers ---- */

static void check_url(const char *in, const char *want)
{
	char *got = pgd_url_normalise(in);
	if (want == NULL) {
		assert_null(got);
	} else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	free(got);
}

static void test_url_normalise(void **state)
{
	(void)state;
	check_url("HTTP://WWW.Example.GOV.cn:80/a/b/index.html#top", "http://www.example.gov.cn/a/b");
	check_url("https://x.gov.cn:443/", "https://x.gov.cn");
	check_url("https://x.gov.cn", "https://x.gov.cn");
	check_url("https://x.gov.cn:8443/News/", "https://x.gov.cn:8443/News");
	check_url("http://x.gov.cn:443/a", "http://x.gov.cn:443/a"); /* 443 is not http's default */
	check_url("http://x.gov.cn/a?id=1#f", "http://x.gov.cn/a?id=1");
	check_url("http://x.gov.cn/a/?", "http://x.gov.cn/a");
	check_url("  http://x.gov.cn/INDEX.HTM  ", "http://x.gov.cn");
	check_url("http://x.gov.cn/a/index.html?p=2", "http://x.gov.cn/a?p=2");
	check_url("https://mp.weixin.qq.com/s/AbC", "https://mp.weixin.qq.com/s/AbC"); /* path case kept */
	check_url("http://x.gov.cn/myindex.html", "http://x.gov.cn/myindex.html");
	check_url("ftp://x.gov.cn/a", NULL);
	check_url("mp.weixin.qq.com/s/abc", NULL);
	check_url("http://", NULL);
	check_url("", NULL);
	check_url(NULL, NULL);
}

static void check_title(const char *in, const char *want)
{
	char *got = pgd_title_normalise(in);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_title_normalise(void **state)
{
	(void)state;
	check_title("关于2026年 “国庆节” 放假的通知！", "关于2026年国庆节放假的通知");
	check_title("ＡＢＣ　１２３，Test", "abc123test");
	check_title("——、。！ ", "");
	check_title("\xff" "a\xc3", "a"); /* invalid bytes dropped */
	check_title("【转载】《人民日报》评论：Go!", "转载人民日报评论go");
	assert_null(pgd_title_normalise(NULL));
}

static void test_match_item(void **state)
{
	(void)state;
	assert_int_equal(pgd_match_item("http://a", NULL, 0, "http://a", "x", 0, 3), 1);
	assert_int_equal(pgd_match_item(NULL, "标题", 0, NULL, "标题", 0, 3), 1);
	assert_int_equal(pgd_match_item(NULL, "", 0, NULL, "", 0, 3), 0); /* empty titles never match */
	assert_int_equal(pgd_match_item(NULL, NULL, 0xFF, NULL, NULL, 0xF8, 3), 1);  /* 3 bits */
	assert_int_equal(pgd_match_item(NULL, NULL, 0xFF, NULL, NULL, 0xF0, 3), 0);  /* 4 bits */
	assert_int_equal(pgd_match_item(NULL, NULL, 0, NULL, NULL, 0, 3), 0);        /* 0 never */
	assert_int_equal(pgd_match_item(NULL, NULL, 0x1, NULL, NULL, 0, 3), 0);
}

/* ---- the store ---- */

/* unit A: platform pa (wechat); unit B: platform pb (website). */
struct world {
	int64_t a, b, pa, pb;
	int64_t ap1, ap2, bp1;
	struct pgd_principal office, a_liaison, a_author, b_liaison;
};
static struct world w;

static void build_world(struct pgd_store *st)
{
	struct pgd_err err = {0};
	struct pgd_unit u = {.name = (char *)"市教育局", .kind = PGD_UNIT_DEPARTMENT};
	struct pgd_platform pf = {.name = (char *)"盘州教育", .type = PGD_PLATFORM_WECHAT};
	struct pgd_approved_item it = {0};

	memset(&w, 0, sizeof(w));
	assert_int_equal(pgd_unit_create(st, &u, &w.a, &err), 0);
	u.name = (char *)"市卫生健康局";
	assert_int_equal(pgd_unit_create(st, &u, &w.b, &err), 0);
	pf.unit_id = w.a;
	pf.url_or_account = (char *)"gh_jyj";
	assert_int_equal(pgd_platform_create(st, &pf, &w.pa, &err), 0);
	pf.unit_id = w.b;
	pf.name = (char *)"健康盘州网";
	pf.type = PGD_PLATFORM_WEBSITE;
	pf.url_or_account = (char *)"https://b.gov.cn";
	assert_int_equal(pgd_platform_create(st, &pf, &w.pb, &err), 0);

	it.platform_id = w.pa;
	it.title = (char *)"关于国庆节放假的通知";
	it.url = (char *)"http://a.gov.cn/tz/202609/t1.html";
	snprintf(it.approved_at, sizeof(it.approved_at), "2026-09-20");
	it.ref = (char *)"SQ-2026-001";
	assert_int_equal(pgd_store_approved_create(st, &it, "office01", "workflow", &w.ap1, &err), 0);
	it.title = (char *)"全市教育工作会议召开";
	it.url = NULL;
	it.ref = NULL;
	it.simhash = 0xFF;
	snprintf(it.approved_at, sizeof(it.approved_at), "2026-10-01");
	assert_int_equal(pgd_store_approved_create(st, &it, "office01", "import", &w.ap2, &err), 0);
	it.platform_id = w.pb;
	it.title = (char *)"卫生健康宣传周";
	it.url = (char *)"http://b.gov.cn/x.html";
	it.simhash = 0;
	snprintf(it.approved_at, sizeof(it.approved_at), "2026-08-01");
	assert_int_equal(pgd_store_approved_create(st, &it, "office01", "workflow", &w.bp1, &err), 0);
	assert_true(w.ap1 > 0 && w.ap2 > w.ap1 && w.bp1 > w.ap2);

	snprintf(w.office.username, sizeof(w.office.username), "office01");
	w.office.city_scope = 1;
	w.office.perms = 1u << PGD_PERM_RECORDS_WRITE | 1u << PGD_PERM_REGISTRY_READ;
	snprintf(w.a_liaison.username, sizeof(w.a_liaison.username), "liaison_a");
	w.a_liaison.unit_id = w.a;
	w.a_liaison.perms = 1u << PGD_PERM_RECORDS_WRITE | 1u << PGD_PERM_REGISTRY_READ;
	snprintf(w.a_author.username, sizeof(w.a_author.username), "author_a");
	w.a_author.unit_id = w.a;
	w.a_author.perms = 1u << PGD_PERM_REGISTRY_READ;
	snprintf(w.b_liaison.username, sizeof(w.b_liaison.username), "liaison_b");
	w.b_liaison.unit_id = w.b;
	w.b_liaison.perms = 1u << PGD_PERM_RECORDS_WRITE | 1u << PGD_PERM_REGISTRY_READ;
}

static int wsetup(void **state)
{
	int rc = setup(state);
	if (rc == 0)
		build_world(((struct fx *)*state)->st);
	return rc;
}

static int64_t match(struct pgd_store *st, int64_t platform, const char *url, const char *title, uint64_t sh)
{
	struct pgd_err err = {0};
	int64_t id = -1;
	assert_int_equal(pgd_store_approved_match(st, platform, url, title, sh, &id, &err), 0);
	return id;
}

static void test_store_match(void **state)
{
	struct fx *f = *state;
	struct pgd_store *st = f->st;

	/* by URL, normalised */
	assert_int_equal(match(st, w.pa, "HTTP://A.gov.cn:80/tz/202609/t1.html#x", "别的标题", 0), w.ap1);
	/* by title, normalised */
	assert_int_equal(match(st, w.pa, NULL, "关于 国庆节 放假的通知。", 0), w.ap1);
	assert_int_equal(match(st, w.pa, "http://a.gov.cn/other.html", "关于“国庆节”放假的通知", 0), w.ap1);
	/* by SimHash: 0xF8 is 3 bits from 0xFF, 0xF0 is 4 */
	assert_int_equal(match(st, w.pa, "http://a.gov.cn/other.html", "另一个标题", 0xF8), w.ap2);
	assert_int_equal(match(st, w.pa, "http://a.gov.cn/other.html", "另一个标题", 0xF0), 0);
	/* simhash 0 never matches (ap1 has none stored) */
	assert_int_equal(match(st, w.pa, NULL, "另一个标题", 0), 0);
	/* URL first: the URL is ap1's, the title ap2's */
	assert_int_equal(match(st, w.pa, "http://a.gov.cn/tz/202609/t1.html", "全市教育工作会议召开", 0), w.ap1);
	/* title before SimHash: the title is ap1's, the SimHash ap2's */
	assert_int_equal(match(st, w.pa, NULL, "关于国庆节放假的通知", 0xFF), w.ap1);
	/* scope: another platform's approved items do not count */
	assert_int_equal(match(st, w.pb, "http://a.gov.cn/tz/202609/t1.html", "关于国庆节放假的通知", 0xFF), 0);
	assert_int_equal(match(st, w.pb, "http://b.gov.cn/x.html", NULL, 0), w.bp1);
	/* nothing known */
	assert_int_equal(match(st, w.pa, NULL, NULL, 0), 0);
	assert_int_equal(match(st, w.pa, "not a url", "！！", 0), 0);
}

/* The batch form gives the same answers; with two approved items of the same title, the
 * older (lower id) one is the match, as in a scan in id order. */
static void test_store_match_set(void **state)
{
	struct fx *f = *state;
	struct pgd_approved_set *s = NULL;
	struct pgd_approved_item it = {0};
	struct pgd_err err = {0};
	int64_t dup = 0, fix = 0;

	it.platform_id = w.pa;
	it.title = (char *)"关于国庆节放假的通知（更正）"; /* a different title */
	snprintf(it.approved_at, sizeof(it.approved_at), "2026-09-21");
	assert_int_equal(pgd_store_approved_create(f->st, &it, "x", "workflow", &fix, &err), 0);
	it.title = (char *)"关于国庆节放假的通知"; /* the same title as ap1, newer */
	it.url = (char *)"http://a.gov.cn/tz/202609/t1.html"; /* and the same URL */
	assert_int_equal(pgd_store_approved_create(f->st, &it, "x", "workflow", &dup, &err), 0);
	assert_true(fix > w.bp1 && dup > fix);

	assert_int_equal(pgd_store_approved_load(f->st, w.pa, &s, &err), 0);
	assert_int_equal(pgd_approved_set_count(s), 4);
	assert_int_equal(pgd_approved_set_match(s, "http://A.gov.cn/tz/202609/t1.html", NULL, 0), w.ap1);
	assert_int_equal(pgd_approved_set_match(s, NULL, "关于国庆节放假的通知", 0), w.ap1);
	assert_int_equal(pgd_approved_set_match(s, NULL, "关于国庆节放假的通知 更正", 0), fix);
	assert_int_equal(pgd_approved_set_match(s, NULL, "无关", 0xFE), w.ap2);
	assert_int_equal(pgd_approved_set_match(s, NULL, "无关", 0), 0);
	assert_int_equal(pgd_approved_set_match(s, "http://a.gov.cn/zz", "关于", 0x0F00), 0);
	pgd_approved_set_free(s);
	assert_int_equal(pgd_store_approved_load(f->st, 9999, &s, &err), 0);
	assert_int_equal(pgd_approved_set_count(s), 0);
	assert_int_equal(pgd_approved_set_match(s, "http://a.gov.cn/tz/202609/t1.html", "关于国庆节放假的通知", 0xFF), 0);
	pgd_approved_set_free(s);
}

static void test_store_list_validate_import(void **state)
{
	struct fx *f = *state;
	struct pgd_store *st = f->st;
	struct pgd_approved_query q = {0};
	struct pgd_approved_list l = {0};
	struct pgd_approved_item it = {0}, items[2];
	struct pgd_err err = {0};
	size_t bad = 99;
	int64_t n = 0;

	/* unit A's: newest approved first */
	q.unit_id = w.a;
	assert_int_equal(pgd_store_approved_list(st, &q, &l, &err), 0);
	assert_int_equal(l.total, 2);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.items[0].id, w.ap2);
	assert_string_equal(l.items[0].approved_at, "2026-10-01");
	assert_string_equal(l.items[0].source, "import");
	assert_true(l.items[0].simhash == 0xFF);
	assert_null(l.items[0].url);
	assert_int_equal(l.items[1].id, w.ap1);
	assert_string_equal(l.items[1].platform_name, "盘州教育");
	assert_string_equal(l.items[1].ref, "SQ-2026-001");
	assert_string_equal(l.items[1].approved_by, "office01");
	assert_int_equal(l.items[1].unit_id, w.a);
	pgd_approved_list_release(&l);
	/* one platform; search */
	memset(&q, 0, sizeof(q));
	q.platform_id = w.pb;
	assert_int_equal(pgd_store_approved_list(st, &q, &l, &err), 0);
	assert_int_equal(l.total, 1);
	assert_int_equal(l.items[0].id, w.bp1);
	pgd_approved_list_release(&l);
	memset(&q, 0, sizeof(q));
	q.search = "国庆";
	assert_int_equal(pgd_store_approved_list(st, &q, &l, &err), 0);
	assert_int_equal(l.total, 1);
	pgd_approved_list_release(&l);
	/* get */
	assert_int_equal(pgd_store_approved_get(st, w.bp1, &it, &err), 0);
	assert_string_equal(it.title, "卫生健康宣传周");
	pgd_approved_item_release(&it);
	assert_int_equal(pgd_store_approved_get(st, 9999, &it, &err), PGD_ERR_NOT_FOUND);

	/* validation names the field */
	memset(&it, 0, sizeof(it));
	it.platform_id = w.pa;
	it.title = (char *)"标题";
	snprintf(it.approved_at, sizeof(it.approved_at), "2026-02-29"); /* 2026 is not a leap year */
	assert_int_equal(pgd_store_approved_create(st, &it, "x", "workflow", NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "approved_at");
	snprintf(it.approved_at, sizeof(it.approved_at), "2028-02-29");
	it.url = (char *)"ftp://a.gov.cn/x";
	assert_int_equal(pgd_store_approved_create(st, &it, "x", "workflow", NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "url");
	it.url = NULL;
	it.title = (char *)"";
	assert_int_equal(pgd_store_approved_create(st, &it, "x", "workflow", NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "title");
	it.title = (char *)"标题";
	it.platform_id = 9999;
	assert_int_equal(pgd_store_approved_create(st, &it, "x", "workflow", NULL, &err), PGD_ERR_NOT_FOUND);
	it.platform_id = w.pa;
	assert_int_equal(pgd_store_approved_create(st, &it, "x", "other", NULL, &err), PGD_ERR_INVALID);

	/* import: all or nothing */
	memset(items, 0, sizeof(items));
	items[0] = it;
	items[1] = it;
	snprintf(items[1].approved_at, sizeof(items[1].approved_at), "2026-13-01");
	assert_int_equal(pgd_store_approved_import(st, items, 2, "x", &bad, &err), PGD_ERR_INVALID);
	assert_int_equal(bad, 1);
	assert_int_equal(pgd_store_query_int(st, &n, &err, "SELECT COUNT(*) FROM approved_items", ""), 0);
	assert_int_equal(n, 3);
	snprintf(items[1].approved_at, sizeof(items[1].approved_at), "2026-12-01");
	assert_int_equal(pgd_store_approved_import(st, items, 2, "x", &bad, &err), 0);
	assert_int_equal(pgd_store_query_int(st, &n, &err,
		"SELECT COUNT(*) FROM approved_items WHERE source = 'import' AND approved_by = 'x'", ""), 0);
	assert_int_equal(n, 2);
}

/* ---- import kind approved_items ---- */

static int import_csv(struct pgd_store *st, const char *csv, struct pgd_import_result *res, struct pgd_err *err)
{
	struct pgd_sheet sh;
	int rc;
	pgd_sheet_init(&sh);
	assert_int_equal(pgd_sheet_parse("approved.csv", csv, strlen(csv), PGD_SHEET_CSV, NULL, &sh, err), 0);
	rc = pgd_import_sheet(st, PGD_IMPORT_APPROVED_ITEMS, &sh, "office01", "approved.csv", 0, res, err);
	pgd_sheet_release(&sh);
	return rc;
}

static void test_import_kind(void **state)
{
	struct fx *f = *state;
	struct pgd_import_result res;
	struct pgd_err err = {0};
	struct pgd_approved_query q = {0};
	struct pgd_approved_list l = {0};
	enum pgd_import_kind k;
	char csv[1024];
	int64_t n = 0;

	assert_int_equal(pgd_import_kind_parse("approved_items", &k), 0);
	assert_int_equal(k, PGD_IMPORT_APPROVED_ITEMS);
	assert_string_equal(pgd_import_kind_name(PGD_IMPORT_APPROVED_ITEMS), "approved_items");

	/* bad rows: every one reported by row and column, nothing imported */
	snprintf(csv, sizeof(csv),
		"平台ID,标题,链接,审核日期\n"
		"%" PRId64 ",好标题,ftp://x.gov.cn/a,2026-09-01\n" /* row 2: 链接 */
		"999,另一个,,2026-13-01\n"                          /* row 3: 平台ID and 审核日期 */
		"%" PRId64 ",,,2026-09-01\n",                       /* row 4: 标题 */
		w.pa, w.pa);
	assert_int_equal(import_csv(f->st, csv, &res, &err), PGD_ERR_FORMAT);
	assert_int_equal(res.nerrors, 4);
	assert_int_equal(res.errors[0].row, 2);
	assert_string_equal(res.errors[0].column, "链接");
	assert_int_equal(res.errors[1].row, 3);
	assert_int_equal(res.errors[2].row, 3);
	assert_true((strcmp(res.errors[1].column, "平台ID") == 0 && strcmp(res.errors[2].column, "审核日期") == 0) ||
		(strcmp(res.errors[2].column, "平台ID") == 0 && strcmp(res.errors[1].column, "审核日期") == 0));
	assert_int_equal(res.errors[3].row, 4);
	assert_string_equal(res.errors[3].column, "标题");
	pgd_import_result_release(&res);
	assert_int_equal(pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM approved_items", ""), 0);
	assert_int_equal(n, 3);

	/* a platform name that does not match, and a name with an id that disagrees */
	snprintf(csv, sizeof(csv),
		"平台ID,平台名称,标题,审核日期\n"
		",不存在的平台,标题一,2026-09-01\n"
		"%" PRId64 ",健康盘州网,标题二,2026-09-01\n",
		w.pa);
	assert_int_equal(import_csv(f->st, csv, &res, &err), PGD_ERR_FORMAT);
	assert_int_equal(res.nerrors, 2);
	assert_string_equal(res.errors[0].column, "平台名称");
	assert_string_equal(res.errors[1].column, "平台名称");
	pgd_import_result_release(&res);

	/* good: Chinese headers, dates in three forms (46266 is Excel's 2026-09-01) */
	assert_int_equal(import_csv(f->st,
		"平台名称,标题,链接,审核日期,审签单号\n"
		"盘州教育,关于开学的通知,http://a.gov.cn/k.html,2026/9/1,SQ-001\n"
		"盘州教育,秋季招生公告,,2026年9月2日,\n"
		"健康盘州网,义诊活动,,46266,\n",
		&res, &err), 0);
	assert_int_equal(res.imported, 3);
	pgd_import_result_release(&res);
	/* English headers */
	snprintf(csv, sizeof(csv), "platform_id,title,url,approved_at,ref\n%" PRId64 ",English,,2026-09-03,R1\n", w.pb);
	assert_int_equal(import_csv(f->st, csv, &res, &err), 0);
	assert_int_equal(res.imported, 1);
	pgd_import_result_release(&res);

	q.platform_id = w.pb;
	assert_int_equal(pgd_store_approved_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 3);
	assert_string_equal(l.items[0].title, "English");
	assert_string_equal(l.items[0].approved_at, "2026-09-03");
	assert_string_equal(l.items[1].title, "义诊活动");
	assert_string_equal(l.items[1].approved_at, "2026-09-01");
	assert_string_equal(l.items[1].source, "import");
	assert_string_equal(l.items[1].approved_by, "office01");
	pgd_approved_list_release(&l);
	assert_int_equal(pgd_store_query_int(f->st, &n, &err,
		"SELECT COUNT(*) FROM approved_items WHERE approved_at = '2026-09-02' AND title = '秋季招生公告'", ""), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pgd_store_query_int(f->st, &n, &err,
		"SELECT COUNT(*) FROM audit_log WHERE action = 'import.approved_items'", ""), 0);
	assert_int_equal(n, 2);
}

/* ---- handlers ---- */

static json_t *call(struct fx *f, pgd_handler *h, struct pgd_principal *who, const char *body, int *status)
{
	struct pgd_req rq;
	struct pgd_resp rs;
	json_error_t je;

	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.method = body ? "POST" : "GET";
	rq.st = f->st;
	rq.who = who;
	if (body) {
		rq.json = json_loads(body, 0, &je);
		assert_non_null(rq.json);
		rq.body = body;
		rq.body_len = strlen(body);
	}
	h(&rq, &rs);
	json_decref(rq.json);
	assert_int_equal(f->st->in_tx, 0);
	assert_non_null(rs.json);
	*status = rs.status;
	free(rs.bytes);
	free(rs.filename);
	return rs.json;
}

static void test_handlers(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	char body[512];
	json_t *j;
	int status = 0;
	int64_t n = 0;

	/* office: any platform */
	snprintf(body, sizeof(body),
		"{\"platform_id\":%" PRId64 ",\"title\":\"健康讲座\",\"url\":\"https://b.gov.cn/jk.html\","
		"\"approved_at\":\"2026-11-02\",\"ref\":null,\"simhash\":\"00000000000000ff\"}", w.pb);
	j = call(f, h_approved_create, &w.office, body, &status);
	assert_int_equal(status, 201);
	assert_string_equal(json_string_value(json_object_get(j, "title")), "健康讲座");
	assert_string_equal(json_string_value(json_object_get(j, "source")), "workflow");
	assert_string_equal(json_string_value(json_object_get(j, "approved_by")), "office01");
	assert_string_equal(json_string_value(json_object_get(j, "simhash")), "00000000000000ff");
	assert_string_equal(json_string_value(json_object_get(j, "platform_name")), "健康盘州网");
	assert_true(json_is_null(json_object_get(j, "ref")));
	json_decref(j);
	assert_int_equal(pgd_store_query_int(f->st, &n, &err,
		"SELECT COUNT(*) FROM audit_log WHERE action = 'approved_item.create'", ""), 0);
	assert_int_equal(n, 1);

	/* unit B's liaison on unit A's platform: 404 (not visible) */
	snprintf(body, sizeof(body), "{\"platform_id\":%" PRId64 ",\"title\":\"x\",\"approved_at\":\"2026-11-02\"}", w.pa);
	j = call(f, h_approved_create, &w.b_liaison, body, &status);
	assert_int_equal(status, 404);
	json_decref(j);
	/* unit A's author (no records.write) on their own platform: 403 */
	j = call(f, h_approved_create, &w.a_author, body, &status);
	assert_int_equal(status, 403);
	json_decref(j);
	/* unit A's liaison: 201; a bad date: 400 naming approved_at */
	j = call(f, h_approved_create, &w.a_liaison, body, &status);
	assert_int_equal(status, 201);
	json_decref(j);
	snprintf(body, sizeof(body), "{\"platform_id\":%" PRId64 ",\"title\":\"x\",\"approved_at\":\"2026-11-31\"}", w.pa);
	j = call(f, h_approved_create, &w.a_liaison, body, &status);
	assert_int_equal(status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "field")), "approved_at");
	json_decref(j);
	j = call(f, h_approved_create, &w.a_liaison, "{\"platform_id\":1,\"approved_at\":\"2026-11-01\"}", &status);
	assert_int_equal(status, 400);
	json_decref(j);
	assert_int_equal(pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM approved_items", ""), 0);
	assert_int_equal(n, 5);

	/* lists are scoped: unit A sees its 3, unit B its 2, the office all 5 */
	j = call(f, h_approved_list, &w.a_liaison, NULL, &status);
	assert_int_equal(status, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 3);
	json_decref(j);
	j = call(f, h_approved_list, &w.b_liaison, NULL, &status);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "title")),
		"健康讲座");
	json_decref(j);
	j = call(f, h_approved_list, &w.office, NULL, &status);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_normalise),
		cmocka_unit_test(test_title_normalise),
		cmocka_unit_test(test_match_item),
		cmocka_unit_test_setup_teardown(test_store_match, wsetup, teardown),
		cmocka_unit_test_setup_teardown(test_store_match_set, wsetup, teardown),
		cmocka_unit_test_setup_teardown(test_store_list_validate_import, wsetup, teardown),
		cmocka_unit_test_setup_teardown(test_import_kind, wsetup, teardown),
		cmocka_unit_test_setup_teardown(test_handlers, wsetup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
