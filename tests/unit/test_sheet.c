/* The table reader: CSV edge cases (RFC 4180, BOM, CRLF, GBK, tabs), XLSX (shared and inline
 * strings, sparse cells, booleans, formulas, named sheets), caps and corrupt input.
 * XLSX expectations are read by hand off tests/fixtures/import/make_xlsx.py. */
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
#include "pubguard/sheet.h"
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

static int csv(const char *text, struct pgd_sheet *s, struct pgd_err *err)
{
	pgd_err_clear(err);
	return pgd_sheet_parse("t.csv", text, strlen(text), PGD_SHEET_AUTO, NULL, s, err);
}

static int load(const char *fix, const char *sheet, struct pgd_sheet *s, struct pgd_err *err)
{
	char *p = fixture(fix);
	int rc;
	pgd_err_clear(err);
	rc = pgd_sheet_load(p, PGD_SHEET_AUTO, sheet, s, err);
	free(p);
	return rc;
}

#define CELL(s, r, c, want) assert_string_equal(pgd_sheet_cell((s), (r), (c)), (want))

static void test_csv_rfc4180(void **state)
{
	struct pgd_sheet s;
	struct pgd_err err;
	/* record 2 holds a quoted comma, doubled quotes and a quoted CRLF; record 3 is empty;
	 * record 4 ends without a newline and has an empty middle field */
	const char *in = "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"line1\r\nline2\"\r\n\r\nlast,,end";

	assert_int_equal(csv(in, &s, &err), 0);
	assert_int_equal(s.format, PGD_SHEET_CSV);
	assert_string_equal(s.charset, "UTF-8");
	assert_int_equal(s.nrows, 3); /* the empty record is not stored */
	assert_int_equal(s.rows[0].line, 1);
	CELL(&s, 0, 0, "a");
	CELL(&s, 0, 2, "c");
	assert_int_equal(s.rows[1].line, 2);
	CELL(&s, 1, 0, "x,1");
	CELL(&s, 1, 1, "say \"hi\"");
	CELL(&s, 1, 2, "line1\nline2");
	assert_int_equal(s.rows[2].line, 4); /* the quoted line break did not start a row */
	CELL(&s, 2, 0, "last");
	CELL(&s, 2, 1, "");
	CELL(&s, 2, 2, "end");
	CELL(&s, 2, 7, ""); /* out of range */
	CELL(&s, 9, 0, "");
	assert_int_equal(s.ncols, 3);
	pgd_sheet_release(&s);
	assert_null(s.rows);
}

static void test_csv_bom_and_trailing(void **state)
{
	struct pgd_sheet s;
	struct pgd_err err;

	/* BOM not content; trailing empty cells dropped; LF-only line ends; final newline adds no
	 * row */
	assert_int_equal(csv("\xEF\xBB\xBF单位名称,类型,,\n城关街道,乡镇街道,,\n", &s, &err), 0);
	assert_int_equal(s.nrows, 2);
	CELL(&s, 0, 0, "单位名称");
	assert_int_equal(s.rows[0].ncells, 2);
	assert_int_equal(s.rows[1].line, 2);
	CELL(&s, 1, 1, "乡镇街道");
	pgd_sheet_release(&s);

	/* tab-separated when the first line has tabs and no comma */
	assert_int_equal(csv("姓名\t单位\n张三\t城关街道,东区\n", &s, &err), 0);
	CELL(&s, 1, 1, "城关街道,东区");
	pgd_sheet_release(&s);

	/* an empty file is an empty table */
	assert_int_equal(csv("", &s, &err), 0);
	assert_int_equal(s.nrows, 0);
	pgd_sheet_release(&s);
}

static void test_csv_errors(void **state)
{
	struct pgd_sheet s;
	struct pgd_err err;

	/* an unclosed quote names the row where it opened */
	assert_int_equal(csv("a,b\nc,\"open\nmore\n", &s, &err), PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, "第 2 行的引号没有闭合"));
	assert_string_equal(err.field, "t.csv");
	assert_int_equal(s.nrows, 0);
	pgd_sheet_release(&s);

	/* text after a closing quote */
	assert_int_equal(csv("a,\"b\"x,c\n", &s, &err), PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, "第 1 行 B 列"));
	pgd_sheet_release(&s);

	/* binary */
	assert_int_equal(pgd_sheet_parse("t.csv", "a,b\0c", 5, PGD_SHEET_CSV, NULL, &s, &err),
	                 PGD_ERR_FORMAT);
	pgd_sheet_release(&s);

	/* an old .xls */
	assert_int_equal(pgd_sheet_parse("t.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", 12,
	                                 PGD_SHEET_AUTO, NULL, &s, &err),
	                 PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, ".xls"));
	pgd_sheet_release(&s);
}

static void test_csv_gbk(void **state)
{
	struct pgd_sheet s;
	struct pgd_err err;

	/* people_gbk.csv: GBK, CRLF, a quoted comma (see make_xlsx.py) */
	assert_int_equal(load("people_gbk.csv", NULL, &s, &err), 0);
	assert_string_equal(s.charset, "GB18030");
	assert_int_equal(s.nrows, 3);
	CELL(&s, 0, 0, "姓名");
	CELL(&s, 0, 4, "联系电话");
	CELL(&s, 1, 0, "张三");
	CELL(&s, 1, 2, "党工委委员");
	CELL(&s, 2, 2, "宣传干事,兼联络员");
	CELL(&s, 2, 3, "临聘");
	CELL(&s, 2, 4, "0571-87000000");
	assert_int_equal(s.rows[2].line, 3);
	pgd_sheet_release(&s);
}

static void test_csv_caps(void **state)
{
	struct pgd_sheet s;
	struct pgd_err err;
	size_t n;
	char *big;

	/* 201 non-empty columns */
	big = pgd_malloc(201 * 2 + 2);
	n = 0;
	for (int i = 0; i < 201; i++) {
		big[n++] = 'x';
		big[n++] = i == 200 ? '\n' : ',';
	}
	big[n] = '\0';
	assert_int_equal(csv(big, &s, &err), PGD_ERR_TOO_LARGE);
	assert_non_null(strstr(err.message, "200 列"));
	pgd_sheet_release(&s);
	/* exactly 200 columns, then many empty ones: fine */
	big[199 * 2 + 1] = '\n';
	big[199 * 2 + 2] = '\0';
	assert_int_equal(csv(big, &s, &err), 0);
	assert_int_equal(s.ncols, 200);
	pgd_sheet_release(&s);
	free(big);

	/* a cell of 32 KB + 1 */
	n = PGD_SHEET_MAX_CELL + 1;
	big = pgd_malloc(n + 8);
	memset(big, 'a', n);
	memcpy(big + n, ",b\n", 4);
	assert_int_equal(csv(big, &s, &err), PGD_ERR_TOO_LARGE);
	assert_non_null(strstr(err.message, "第 1 行 A 列"));
	pgd_sheet_release(&s);
	big[1] = ','; /* now the first cell is 1 byte and the second 32 KB - 1 */
	assert_int_equal(csv(big, &s, &err), 0);
	pgd_sheet_release(&s);
	free(big);

	/* 100,001 rows */
	n = (PGD_SHEET_MAX_ROWS + 1) * 2;
	big = pgd_malloc(n + 1);
	for (size_t i = 0; i < n; i += 2) {
		big[i] = '1';
		big[i + 1] = '\n';
	}
	big[n] = '\0';
	assert_int_equal(csv(big, &s, &err), PGD_ERR_TOO_LARGE);
	assert_non_null(strstr(err.message, "100000 行"));
	pgd_sheet_release(&s);
	big[n - 2] = '\0'; /* 100,000 rows */
	assert_int_equal(csv(big, &s, &err), 0);
	assert_int_equal(s.nrows, PGD_SHEET_MAX_ROWS);
	pgd_sheet_release(&s);
	free(big);

	/* 16 MB + 1 */
	n = PGD_SHEET_MAX_BYTES + 1;
	big = pgd_malloc(n);
	memset(big, 'a', n);
	assert_int_equal(pgd_sheet_parse("t.csv", big, n, PGD_SHEET_AUTO, NULL, &s, &err),
	                 PGD_ERR_TOO_LARGE);
	assert_non_null(strstr(err.message, "16 MB"));
	pgd_sheet_release(&s);
	free(big);
}

static void test_xlsx_basic(void **state)
{
	struct pgd_sheet s;
	struct pgd_err err;

	assert_int_equal(load("basic.xlsx", NULL, &s, &err), 0);
	assert_int_equal(s.format, PGD_SHEET_XLSX);
	assert_string_equal(s.sheet_name, "名单");
	assert_int_equal(s.nrows, 3); /* rows 1, 2, 5; the empty row 6 is not stored */
	assert_int_equal(s.rows[0].line, 1);
	CELL(&s, 0, 0, "单位名称"); /* shared */
	CELL(&s, 0, 1, "类型");     /* inline */
	CELL(&s, 0, 2, "电话");
	assert_int_equal(s.rows[1].line, 2);
	CELL(&s, 1, 0, "市委宣传部");  /* rich text, two runs */
	CELL(&s, 1, 1, "");            /* B2 absent: C2 keeps its column */
	CELL(&s, 1, 2, "13800138000"); /* a number as written */
	assert_int_equal(s.rows[2].line, 5);
	CELL(&s, 2, 0, "东京"); /* phonetic run skipped */
	CELL(&s, 2, 1, "FALSE");
	CELL(&s, 2, 2, "");
	CELL(&s, 2, 3, "TRUE");
	CELL(&s, 2, 4, "合计");                /* formula: cached value */
	CELL(&s, 2, 5, "a&b<c>");              /* entities decoded */
	assert_int_equal(s.rows[2].ncells, 6); /* the empty styled G5 is dropped */
	assert_int_equal(s.ncols, 6);
	pgd_sheet_release(&s);

	/* a named sheet */
	assert_int_equal(load("basic.xlsx", "第二页", &s, &err), 0);
	assert_string_equal(s.sheet_name, "第二页");
	assert_int_equal(s.nrows, 1);
	CELL(&s, 0, 0, "第二页");
	pgd_sheet_release(&s);

	/* a sheet that does not exist names the ones that do */
	assert_int_equal(load("basic.xlsx", "第三页", &s, &err), PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, "没有名为「第三页」的工作表"));
	assert_non_null(strstr(err.message, "名单、第二页"));
	pgd_sheet_release(&s);

	/* no references: cells and rows by position */
	assert_int_equal(load("norefs.xlsx", NULL, &s, &err), 0);
	assert_int_equal(s.nrows, 2);
	CELL(&s, 0, 0, "a");
	CELL(&s, 0, 1, "b");
	assert_int_equal(s.rows[1].line, 2);
	CELL(&s, 1, 0, "");
	CELL(&s, 1, 1, "c");
	pgd_sheet_release(&s);
}

static void test_xlsx_corrupt(void **state)
{
	static const struct {
		const char *file;
		int rc;
		const char *needle;
	} cases[] = {
	    {"badxml.xlsx", PGD_ERR_FORMAT, "xl/worksheets/sheet1.xml 不是格式正确的 XML"},
	    {"doctype.xlsx", PGD_ERR_FORMAT, "xl/worksheets/sheet1.xml 含有 DTD 声明"},
	    {"nosheetpart.xlsx", PGD_ERR_FORMAT, "缺少工作表部件 xl/worksheets/sheet9.xml"},
	    {"badsst.xlsx", PGD_ERR_FORMAT, "单元格 A1 引用的共享字符串（5）不存在"},
	    {"truncated.xlsx", PGD_ERR_FORMAT, "zip"},
	    {"bomb.xlsx", PGD_ERR_TOO_LARGE, "压缩炸弹"},
	    {"wide.xlsx", PGD_ERR_TOO_LARGE, "第 2 行超过 200 列"},
	    {"bigcell.xlsx", PGD_ERR_TOO_LARGE, "第 1 行 A 列的单元格超过 32 KB"},
	};
	struct pgd_sheet s;
	struct pgd_err err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = load(cases[i].file, NULL, &s, &err);
		if (rc != cases[i].rc || strstr(err.message, cases[i].needle) == NULL)
			fail_msg("%s: rc %d (want %d), message: %s", cases[i].file, rc, cases[i].rc,
			         err.message);
		assert_int_equal(s.nrows, 0);
		pgd_sheet_release(&s);
	}

	/* zip magic, then garbage */
	assert_int_equal(pgd_sheet_parse("x.xlsx", "PK\x03\x04garbagegarbagegarbagegarbage", 32,
	                                 PGD_SHEET_AUTO, NULL, &s, &err),
	                 PGD_ERR_FORMAT);
	assert_non_null(strstr(err.message, "Excel"));
	pgd_sheet_release(&s);
	/* a missing file */
	assert_int_equal(pgd_sheet_load("/nonexistent/roster.csv", PGD_SHEET_AUTO, NULL, &s, &err),
	                 PGD_ERR_IO);
	assert_non_null(strstr(err.message, "/nonexistent/roster.csv"));
	pgd_sheet_release(&s);
}

static void test_col_name(void **state)
{
	char c[8];
	pgd_sheet_col_name(0, c);
	assert_string_equal(c, "A");
	pgd_sheet_col_name(25, c);
	assert_string_equal(c, "Z");
	pgd_sheet_col_name(26, c);
	assert_string_equal(c, "AA");
	pgd_sheet_col_name(199, c);
	assert_string_equal(c, "GR"); /* 7*26 + 18 = 200th column */
	pgd_sheet_col_name(16383, c);
	assert_string_equal(c, "XFD");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_rfc4180),  cmocka_unit_test(test_csv_bom_and_trailing),
	    cmocka_unit_test(test_csv_errors),   cmocka_unit_test(test_csv_gbk),
	    cmocka_unit_test(test_csv_caps),     cmocka_unit_test(test_xlsx_basic),
	    cmocka_unit_test(test_xlsx_corrupt), cmocka_unit_test(test_col_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
