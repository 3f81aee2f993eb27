/* Roster import: good imports of each kind (parent by name, title rows, XLSX and GBK CSV),
 * every kind of row error with its row, column and message, nothing half-imported, dry runs
 * writing nothing, the audit entry. Expected values are read off the inputs by hand. */
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
#include "pubguard/import.h"
#include "pubguard/mem.h"
#include "pubguard/sheet.h"
#include "pubguard/store.h"
#include "server/handlers.h"
#include "server/server.h"
#include "store_fixture.h"
#include "core/banned.h"

static char *fixture(const char *name)
{
	const char *root = getenv("PGD_SOURCE_DIR");
	size_t n = (root ? strlen(root) : 0) + strlen(name) + 64;
	char *p = pgd_malloc(n);
	if (root)
		snprintf(p, n, "%s/tests/fixtures/import/%s", root, name);
	else
		snprintf(p, n, "fixtures/import/%s", name);
	return p;
}

static int run_sheet(struct pgd_store *st, enum pgd_import_kind kind, struct pgd_sheet *sh, int dry,
                     struct pgd_import_result *res, struct pgd_err *err)
{
	int rc;
	pgd_err_clear(err);
	rc = pgd_import_sheet(st, kind, sh, "tester", sh->name, dry, res, err);
	pgd_sheet_release(sh);
	return rc;
}

static int import_csv(struct pgd_store *st, enum pgd_import_kind kind, const char *text, int dry,
                      struct pgd_import_result *res, struct pgd_err *err)
{
	struct pgd_sheet sh;
	assert_int_equal(
	    pgd_sheet_parse("roster.csv", text, strlen(text), PGD_SHEET_CSV, NULL, &sh, err), 0);
	return run_sheet(st, kind, &sh, dry, res, err);
}

static int import_file(struct pgd_store *st, enum pgd_import_kind kind, const char *fix, int dry,
                       struct pgd_import_result *res, struct pgd_err *err)
{
	struct pgd_sheet sh;
	char *p = fixture(fix);
	int rc = pgd_sheet_load(p, PGD_SHEET_AUTO, NULL, &sh, err);
	free(p);
	assert_int_equal(rc, 0);
	return run_sheet(st, kind, &sh, dry, res, err);
}

static int64_t count_units(struct pgd_store *st)
{
	int64_t n;
	struct pgd_list_query q = {0};
	struct pgd_unit_list l = {0};
	q.include_inactive = 1;
	assert_int_equal(pgd_unit_list(st, &q, &l, NULL), 0);
	n = l.total;
	pgd_unit_list_release(&l);
	return n;
}

static int64_t count_people(struct pgd_store *st)
{
	int64_t n;
	struct pgd_list_query q = {0};
	struct pgd_person_list l = {0};
	q.include_inactive = 1;
	assert_int_equal(pgd_person_list(st, &q, &l, NULL), 0);
	n = l.total;
	pgd_person_list_release(&l);
	return n;
}

static int64_t count_platforms(struct pgd_store *st)
{
	int64_t n;
	struct pgd_list_query q = {0};
	struct pgd_platform_list l = {0};
	q.include_inactive = 1;
	assert_int_equal(pgd_platform_list(st, &q, &l, NULL), 0);
	n = l.total;
	pgd_platform_list_release(&l);
	return n;
}

static int64_t count_audit(struct pgd_store *st)
{
	int64_t bad = 0, n = -1;
	assert_int_equal(pgd_audit_verify(st, &bad, &n, NULL), 0);
	return n;
}

/* The unit of that exact name (fails the test when absent); *u released by the caller. */
static void unit_named(struct pgd_store *st, const char *name, struct pgd_unit *out)
{
	struct pgd_list_query q = {0};
	struct pgd_unit_list l = {0};
	int found = 0;
	q.search = name;
	q.include_inactive = 1;
	q.page_size = 500;
	assert_int_equal(pgd_unit_list(st, &q, &l, NULL), 0);
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.items[i].name, name) == 0) {
			*out = l.items[i];
			memset(&l.items[i], 0, sizeof(l.items[i]));
			found = 1;
		}
	pgd_unit_list_release(&l);
	if (!found)
		fail_msg("no unit named %s", name);
}

static int64_t mk_unit(struct pgd_store *st, const char *name, enum pgd_unit_kind kind)
{
	struct pgd_unit u = {0};
	int64_t id = 0;
	u.name = (char *)name;
	u.kind = kind;
	assert_int_equal(pgd_unit_create(st, &u, &id, NULL), 0);
	return id;
}

static int64_t mk_person(struct pgd_store *st, int64_t unit, const char *name,
                         enum pgd_staff_type t)
{
	struct pgd_person p = {0};
	int64_t id = 0;
	p.unit_id = unit;
	p.name = (char *)name;
	p.staff_type = t;
	assert_int_equal(pgd_person_create(st, &p, &id, NULL), 0);
	return id;
}

/* Expect error i to be (row, column, message containing needle). */
static void expect_err(const struct pgd_import_result *r, size_t i, unsigned row,
                       const char *column, const char *needle)
{
	if (i >= r->nerrors)
		fail_msg("only %zu errors, want #%zu (row %u %s: %s)", r->nerrors, i, row, column,
		         needle);
	if (r->errors[i].row != row || strcmp(r->errors[i].column, column) != 0 ||
	    strstr(r->errors[i].message, needle) == NULL)
		fail_msg("error #%zu is (%u, %s, %s), want (%u, %s, ...%s...)", i, r->errors[i].row,
		         r->errors[i].column, r->errors[i].message, row, column, needle);
}

/* ---- good imports ---- */

static void test_units_good(void **state)
{
	struct fx *f = *state;
	struct pgd_import_result res;
	struct pgd_err err;
	struct pgd_unit u, p;
	int64_t city = mk_unit(f->st, "市委网信办", PGD_UNIT_DEPARTMENT);

	/* row 3 names row 2 (earlier in the file) as parent; row 4 an existing unit; English kind
	 */
	assert_int_equal(import_csv(f->st, PGD_IMPORT_UNITS,
	                            "单位名称,单位类型,上级单位,党组织\n"
	                            "城关街道, 乡镇街道 ,,中共城关街道工作委员会\n"
	                            "城关街道文化站,企事业单位,城关街道,\n"
	                            "网络安全中心,organ,市委网信办,\n",
	                            0, &res, &err),
	                 0);
	assert_int_equal(res.imported, 3);
	assert_int_equal(res.nerrors, 0);
	assert_int_equal(count_units(f->st), 4);
	unit_named(f->st, "城关街道", &p);
	assert_int_equal(p.kind, PGD_UNIT_TOWN); /* trimmed */
	assert_int_equal(p.parent_id, 0);
	assert_string_equal(p.party_body, "中共城关街道工作委员会");
	unit_named(f->st, "城关街道文化站", &u);
	assert_int_equal(u.kind, PGD_UNIT_ENTERPRISE);
	assert_int_equal(u.parent_id, p.id);
	assert_null(u.party_body);
	pgd_unit_release(&u);
	unit_named(f->st, "网络安全中心", &u);
	assert_int_equal(u.kind, PGD_UNIT_ORGAN);
	assert_int_equal(u.parent_id, city);
	pgd_unit_release(&u);
	pgd_unit_release(&p);
	assert_int_equal(count_audit(f->st), 1);
	pgd_import_result_release(&res);

	/* an .xlsx with a title row above the header (row 2) and a gap (row 5) */
	assert_int_equal(import_file(f->st, PGD_IMPORT_UNITS, "units.xlsx", 0, &res, &err),
	                 PGD_ERR_FORMAT);
	/* 城关街道 already exists now: rows 3 and 4 refer to it */
	expect_err(&res, 0, 3, "单位名称", "单位「城关街道」已存在");
	assert_int_equal(res.nerrors, 2); /* 城关街道文化站 too */
	expect_err(&res, 1, 4, "单位名称", "单位「城关街道文化站」已存在");
	pgd_import_result_release(&res);
}

static void test_units_xlsx(void **state)
{
	struct fx *f = *state;
	struct pgd_import_result res;
	struct pgd_err err;
	struct pgd_unit u, p;

	assert_int_equal(import_file(f->st, PGD_IMPORT_UNITS, "units.xlsx", 0, &res, &err), 0);
	assert_int_equal(res.imported, 3);
	unit_named(f->st, "城关街道", &p);
	assert_int_equal(p.kind, PGD_UNIT_TOWN);
	assert_string_equal(p.party_body, "中共城关街道工作委员会");
	unit_named(f->st, "城关街道文化站", &u);
	assert_int_equal(u.parent_id, p.id);
	pgd_unit_release(&u);
	unit_named(f->st, "市团委", &u);
	assert_int_equal(u.kind, PGD_UNIT_PEOPLE_ORG);
	pgd_unit_release(&u);
	pgd_unit_release(&p);
	pgd_import_result_release(&res);
}

static void test_people_and_platforms_good(void **state)
{
	struct fx *f = *state;
	struct pgd_import_result res;
	struct pgd_err err;
	struct pgd_list_query q = {0};
	struct pgd_person_list pl = {0};
	struct pgd_platform_list fl = {0};
	int64_t cg = mk_unit(f->st, "城关街道", PGD_UNIT_TOWN);

	/* GBK CSV from Excel */
	assert_int_equal(import_file(f->st, PGD_IMPORT_PEOPLE, "people_gbk.csv", 0, &res, &err), 0);
	assert_int_equal(res.imported, 2);
	pgd_import_result_release(&res);
	q.unit_id = cg;
	assert_int_equal(pgd_person_list(f->st, &q, &pl, NULL), 0);
	assert_int_equal(pl.n, 2);
	assert_string_equal(pl.items[0].name, "张三");
	assert_string_equal(pl.items[0].post, "党工委委员");
	assert_int_equal(pl.items[0].staff_type, PGD_STAFF_FORMAL);
	assert_string_equal(pl.items[0].phone, "13800138000");
	assert_string_equal(pl.items[1].name, "李四");
	assert_string_equal(pl.items[1].post, "宣传干事,兼联络员");
	assert_int_equal(pl.items[1].staff_type, PGD_STAFF_TEMPORARY);

	/* platforms.xlsx: manager 张三 (formal), a site code stored as a number, a boolean */
	assert_int_equal(import_file(f->st, PGD_IMPORT_PLATFORMS, "platforms.xlsx", 0, &res, &err),
	                 0);
	assert_int_equal(res.imported, 2);
	pgd_import_result_release(&res);
	assert_int_equal(pgd_platform_list(f->st, &q, &fl, NULL), 0);
	assert_int_equal(fl.n, 2);
	assert_string_equal(fl.items[0].name, "城关街道门户网站");
	assert_int_equal(fl.items[0].type, PGD_PLATFORM_WEBSITE);
	assert_string_equal(fl.items[0].url_or_account, "https://cg.example.gov.cn/");
	assert_string_equal(fl.items[0].site_code, "3301000001");
	assert_int_equal(fl.items[0].certified, 1);
	assert_int_equal(fl.items[0].manager_person_id, pl.items[0].id);
	assert_int_equal(fl.items[0].unit_id, cg);
	assert_string_equal(fl.items[1].name, "城关发布");
	assert_int_equal(fl.items[1].type, PGD_PLATFORM_WECHAT);
	assert_int_equal(fl.items[1].certified, 0);
	assert_int_equal(fl.items[1].manager_person_id, 0);
	assert_null(fl.items[1].site_code);
	pgd_platform_list_release(&fl);
	pgd_person_list_release(&pl);
	assert_int_equal(count_audit(f->st), 2);

	/* English headers and values */
	assert_int_equal(import_csv(f->st, PGD_IMPORT_PLATFORMS,
	                            "name,type,url_or_account,certified,unit_name\n城关抖音,douyin,"
	                            "cg_douyin,yes,城关街道\n"
	                            "城关客户端,客户端（APP）,cn.gov.cg,否,城关街道\n",
	                            0, &res, &err),
	                 0);
	assert_int_equal(res.imported, 2);
	assert_int_equal(count_platforms(f->st), 4);
	pgd_import_result_release(&res);
}

/* ---- errors ---- */

static void test_unit_row_errors(void **state)
{
	struct fx *f = *state;
	struct pgd_import_result res;
	struct pgd_err err;
	char *in;
	size_t n;
	char longname[1100];

	mk_unit(f->st, "市委网信办", PGD_UNIT_DEPARTMENT);
	memset(longname, 'x', 1001);
	longname[1001] = '\0';
	n = 4096;
	in = pgd_malloc(n);
	snprintf(in, n,
	         "序号,*单位名称,单位类型,上级单位,党组织\n" /* row 1: 序号 ignored, * stripped */
	         "1,城关街道,乡镇街道,,\n"                   /* 2: fine */
	         "2,,乡镇街道,,\n"                           /* 3: empty name */
	         "3,东区,县级市,,\n"                         /* 4: bad kind */
	         "4,城关街道,园区,,\n"                       /* 5: duplicate of row 2 */
	         "5,市委网信办,市直部门,,\n"                 /* 6: exists */
	         "6,南区,园区,北区,\n"                       /* 7: parent listed later (row 8) */
	         "7,北区,园区,西区,\n"                       /* 8: parent missing */
	         "8,中区,园区,中区,\n"                       /* 9: its own parent */
	         "9,%s,园区,,\n"                             /* 10: too long */
	         "10,\"换行\n单位\",园区,,\n",               /* 11: a line break */
	         longname);
	assert_int_equal(import_csv(f->st, PGD_IMPORT_UNITS, in, 0, &res, &err), PGD_ERR_FORMAT);
	free(in);
	assert_int_equal(res.imported, 0);
	expect_err(&res, 0, 3, "*单位名称", "「*单位名称」不能为空");
	expect_err(&res, 1, 4, "单位类型", "单位类型「县级市」无效");
	expect_err(&res, 2, 5, "*单位名称", "单位名称「城关街道」与第 2 行重复");
	expect_err(&res, 3, 6, "*单位名称", "单位「市委网信办」已存在");
	expect_err(&res, 4, 7, "上级单位", "上级单位「北区」在第 8 行，须列在本行之前");
	expect_err(&res, 5, 8, "上级单位", "上级单位「西区」不存在");
	expect_err(&res, 6, 9, "上级单位", "上级单位不能是本单位");
	expect_err(&res, 7, 10, "*单位名称", "过长");
	expect_err(&res, 8, 11, "*单位名称", "不能含有换行或控制字符");
	assert_int_equal(res.nerrors, 9);
	assert_int_equal(res.total_errors, 9);
	assert_non_null(strstr(err.message, "第3行: 列「*单位名称」: 「*单位名称」不能为空"));
	assert_non_null(strstr(err.message, "共 9 处错误"));
	/* nothing half-imported: row 2 was fine but is not there */
	assert_int_equal(count_units(f->st), 1);
	assert_int_equal(count_audit(f->st), 0);
	pgd_import_result_release(&res);
}

static void test_people_row_errors(void **state)
{
	struct fx *f = *state;
	struct pgd_import_result res;
	struct pgd_err err;
	int64_t old = mk_unit(f->st, "旧单位", PGD_UNIT_ORGAN);

	mk_unit(f->st, "城关街道", PGD_UNIT_TOWN);
	assert_int_equal(pgd_unit_retire(f->st, old, NULL), 0);
	assert_int_equal(import_csv(f->st, PGD_IMPORT_PEOPLE,
	                            "姓名,单位,职务,人员类型,联系电话\n"
	                            "张三,城关街道,科员,正式,0571-87000000转123\n" /* 2: fine */
	                            "李四,东区街道,,正式,\n"               /* 3: no such unit */
	                            "王五,旧单位,,正式,\n"                 /* 4: retired unit */
	                            "赵六,城关街道,,合同工,\n"             /* 5: bad staff type */
	                            "钱七,城关街道,,公益性岗位,电话坏了\n" /* 6: bad phone */
	                            ",城关街道,,,\n", /* 7: no name, no staff type */
	                            0, &res, &err),
	                 PGD_ERR_FORMAT);
	expect_err(&res, 0, 3, "单位", "单位「东区街道」不存在");
	expect_err(&res, 1, 4, "单位", "单位「旧单位」已撤销");
	expect_err(&res, 2, 5, "人员类型", "人员类型「合同工」无效");
	expect_err(&res, 3, 6, "联系电话", "联系电话「电话坏了」格式不正确");
	expect_err(&res, 4, 7, "姓名", "「姓名」不能为空");
	expect_err(&res, 5, 7, "人员类型", "「人员类型」不能为空");
	assert_int_equal(res.nerrors, 6);
	assert_int_equal(count_people(f->st), 0);
	pgd_import_result_release(&res);
}

static void test_platform_row_errors(void **state)
{
	struct fx *f = *state;
	struct pgd_import_result res;
	struct pgd_err err;
	struct pgd_platform p = {0};
	int64_t cg = mk_unit(f->st, "城关街道", PGD_UNIT_TOWN);

	mk_person(f->st, cg, "张三", PGD_STAFF_FORMAL);
	mk_person(f->st, cg, "李四", PGD_STAFF_FORMAL);
	mk_person(f->st, cg, "李四", PGD_STAFF_FORMAL);
	mk_person(f->st, cg, "王五", PGD_STAFF_TEMPORARY);
	mk_person(f->st, cg, "赵六", PGD_STAFF_PUBLIC_WELFARE);
	p.unit_id = cg;
	p.name = (char *)"城关发布";
	p.type = PGD_PLATFORM_WECHAT;
	p.url_or_account = (char *)"chengguan";
	assert_int_equal(pgd_platform_create(f->st, &p, NULL, NULL), 0);

	assert_int_equal(
	    import_csv(
	        f->st, PGD_IMPORT_PLATFORMS,
	        "平台名称,平台类型,网址或账号,网站标识码,是否认证,采集入口,所属单位,管理员\n"
	        "门户网站,网站,https://cg.example.gov.cn/,3301000001,是,,城关街道,张三\n" /* 2: fine
	                                                                                   */
	        "城关号,快手,cg_ks,,否,,城关街道,\n"                         /* 3: bad type */
	        "城关发布2,微信公众号,chengguan,,否,,城关街道,\n"            /* 4: registered */
	        "门户网站2,网站,https://cg.example.gov.cn/,,否,,城关街道,\n" /* 5: dup of row 2 */
	        "城关微博,微博,cgwb,,也许,,城关街道,\n" /* 6: bad 是否认证 */
	        "城关网,网站,https://x.example.gov.cn/,33-01,是,,城关街道,\n" /* 7: bad site code */
	        "城关头条,今日头条,cgtt,,否,,城关街道,孙八\n"             /* 8: no such person */
	        "城关百家,百家号,cgbj,,否,,城关街道,李四\n"               /* 9: ambiguous */
	        "城关抖音,抖音,cgdy,,否,,城关街道,王五\n"                 /* 10: temporary */
	        "城关澎湃,澎湃,cgpp,,否,,城关街道,赵六\n"                 /* 11: public welfare */
	        "东区网,网站,https://d.example.gov.cn/,,否,,东区,张三\n", /* 12: no such unit */
	        0, &res, &err),
	    PGD_ERR_FORMAT);
	expect_err(&res, 0, 3, "平台类型", "平台类型「快手」无效");
	expect_err(&res, 1, 4, "网址或账号", "微信公众号「chengguan」已登记（平台「城关发布」）");
	expect_err(&res, 2, 5, "网址或账号", "「https://cg.example.gov.cn/」与第 2 行重复");
	expect_err(&res, 3, 6, "是否认证", "应填“是”或“否”");
	expect_err(&res, 4, 7, "网站标识码", "网站标识码「33-01」格式不正确");
	expect_err(&res, 5, 8, "管理员", "「孙八」不是单位「城关街道」的在职人员");
	expect_err(&res, 6, 9, "管理员", "有 2 名在职人员叫「李四」");
	expect_err(&res, 7, 10, "管理员", "「王五」为临聘人员，不能担任平台管理员");
	expect_err(&res, 8, 11, "管理员", "「赵六」为公益性岗位人员，不能担任平台管理员");
	expect_err(&res, 9, 12, "所属单位", "单位「东区」不存在");
	assert_int_equal(res.nerrors, 10);
	assert_int_equal(count_platforms(f->st), 1);
	pgd_import_result_release(&res);
}

static void test_header_errors(void **state)
{
	struct fx *f = *state;
	struct pgd_import_result res;
	struct pgd_err err;

	/* missing required column, unknown column, duplicate column */
	assert_int_equal(import_csv(f->st, PGD_IMPORT_PEOPLE,
	                            "姓名,单位,部门,电话,手机\n张三,城关街道,办公室,1,2\n", 0, &res,
	                            &err),
	                 PGD_ERR_FORMAT);
	expect_err(&res, 0, 1, "部门", "无法识别的列「部门」");
	expect_err(&res, 1, 1, "手机", "列「手机」重复（与 电话 列表示同一项）");
	expect_err(&res, 2, 1, "人员类型", "缺少必填列「人员类型」");
	assert_int_equal(res.nerrors, 3);
	pgd_import_result_release(&res);

	/* no header at all */
	assert_int_equal(import_csv(f->st, PGD_IMPORT_UNITS, "城关街道,乡镇街道\n", 0, &res, &err),
	                 PGD_ERR_FORMAT);
	expect_err(&res, 0, 1, "", "找不到表头");
	pgd_import_result_release(&res);

	/* a header and no data */
	assert_int_equal(
	    import_csv(f->st, PGD_IMPORT_UNITS, "单位名称,单位类型\n,\n", 0, &res, &err),
	    PGD_ERR_FORMAT);
	expect_err(&res, 0, 1, "", "没有数据行");
	pgd_import_result_release(&res);
	assert_int_equal(count_units(f->st), 0);
}

static void test_error_cap(void **state)
{
	struct fx *f = *state;
	struct pgd_import_result res;
	struct pgd_err err;
	struct pgd_buf b;

	pgd_buf_init(&b, 1 << 20);
	pgd_buf_addstr(&b, "单位名称,单位类型\n");
	for (int i = 0; i < 250; i++)
		pgd_buf_addf(&b, "单位%d,坏类型\n", i);
	assert_int_equal(import_csv(f->st, PGD_IMPORT_UNITS, b.data, 0, &res, &err),
	                 PGD_ERR_FORMAT);
	assert_int_equal(res.nerrors, PGD_IMPORT_MAX_ERRORS);
	assert_int_equal(res.total_errors, 250);
	expect_err(&res, 199, 201, "单位类型", "单位类型「坏类型」无效");
	assert_non_null(strstr(err.message, "共 250 处错误"));
	pgd_import_result_release(&res);
	pgd_buf_release(&b);
}

static void test_dry_run(void **state)
{
	struct fx *f = *state;
	struct pgd_import_result res;
	struct pgd_err err;
	const char *in =
	    "单位名称,单位类型,上级单位\n城关街道,乡镇街道,\n文化站,企事业单位,城关街道\n";

	assert_int_equal(import_csv(f->st, PGD_IMPORT_UNITS, in, 1, &res, &err), 0);
	assert_int_equal(res.imported, 2);
	assert_int_equal(count_units(f->st), 0);
	assert_int_equal(count_audit(f->st), 0);
	pgd_import_result_release(&res);
	/* a dry run finds the same errors */
	assert_int_equal(
	    import_csv(f->st, PGD_IMPORT_UNITS, "单位名称,单位类型\n城关街道,镇\n", 1, &res, &err),
	    PGD_ERR_FORMAT);
	expect_err(&res, 0, 2, "单位类型", "单位类型「镇」无效");
	pgd_import_result_release(&res);
	/* and then the real one writes */
	assert_int_equal(import_csv(f->st, PGD_IMPORT_UNITS, in, 0, &res, &err), 0);
	assert_int_equal(count_units(f->st), 2);
	assert_int_equal(count_audit(f->st), 1);
	pgd_import_result_release(&res);
}

/* ---- POST /import/{word} (the handler called directly: no query string) ---- */

static int call_import(struct pgd_store *st, const char *word, const char *body, size_t len,
                       json_t **out)
{
	struct pgd_principal who = {0};
	struct pgd_req rq = {0};
	struct pgd_resp rs = {0};
	snprintf(who.username, sizeof(who.username), "office1");
	rq.method = "POST";
	rq.path = "/api/v1/import/x";
	rq.word = word;
	rq.body = body;
	rq.body_len = len;
	rq.st = st;
	rq.who = &who;
	h_import(&rq, &rs);
	*out = rs.json;
	assert_null(rs.bytes);
	return rs.status;
}

static char *slurp(const char *fix, size_t *len)
{
	char *p = fixture(fix), *buf = pgd_malloc(1 << 20);
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	free(p);
	return buf;
}

static void test_handler(void **state)
{
	struct fx *f = *state;
	json_t *j = NULL, *rows, *e;
	const char *bad = "单位名称,单位类型\n东区,园区\n西区,镇\n";
	size_t len;
	char *x;

	assert_int_equal(call_import(f->st, "persons", "a", 1, &j), 404);
	json_decref(j);
	assert_int_equal(call_import(f->st, "units", NULL, 0, &j), 400);
	json_decref(j);

	/* XLSX detected by the zip magic */
	x = slurp("units.xlsx", &len);
	assert_int_equal(call_import(f->st, "units", x, len, &j), 200);
	assert_int_equal(json_integer_value(json_object_get(j, "imported")), 3);
	assert_true(json_is_false(json_object_get(j, "dry_run")));
	json_decref(j);
	free(x);
	assert_int_equal(count_units(f->st), 3);

	/* bad rows: 422 with every row */
	assert_int_equal(call_import(f->st, "units", bad, strlen(bad), &j), 422);
	e = json_object_get(j, "error");
	assert_string_equal(json_string_value(json_object_get(e, "code")), "format");
	assert_non_null(strstr(json_string_value(json_object_get(e, "message")), "第3行: "));
	assert_true(json_is_null(json_object_get(e, "field")));
	rows = json_object_get(e, "rows");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "row")), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "column")),
	                    "单位类型");
	assert_non_null(strstr(
	    json_string_value(json_object_get(json_array_get(rows, 0), "message")), "「镇」"));
	json_decref(j);
	assert_int_equal(count_units(f->st), 3);

	/* an old .xls, a zip bomb */
	assert_int_equal(call_import(f->st, "units", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, &j),
	                 422);
	json_decref(j);
	x = slurp("bomb.xlsx", &len);
	assert_int_equal(call_import(f->st, "units", x, len, &j), 413);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
	                    "too_large");
	json_decref(j);
	free(x);
	assert_int_equal(count_audit(f->st), 1);
}

static void test_kind_names(void **state)
{
	enum pgd_import_kind k;
	assert_int_equal(pgd_import_kind_parse("people", &k), 0);
	assert_int_equal(k, PGD_IMPORT_PEOPLE);
	assert_int_equal(pgd_import_kind_parse("persons", &k), PGD_ERR_INVALID);
	assert_int_equal(pgd_import_kind_parse(NULL, &k), PGD_ERR_INVALID);
	assert_string_equal(pgd_import_kind_name(PGD_IMPORT_PLATFORMS), "platforms");
	assert_null(pgd_import_kind_name(PGD_IMPORT_KIND_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_units_good, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_units_xlsx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_people_and_platforms_good, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_row_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_people_row_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_platform_row_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_header_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_error_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handler, setup, teardown),
	    cmocka_unit_test(test_kind_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
