/* The PDF module: layout API (pages, page breaks, tables whose header repeats) and the 附件1
 * form. Text is checked with pdftotext (poppler-utils) when it is installed. */
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
#include "pubguard/pdf.h"
#include "pubguard/reviews.h"
#include "core/banned.h"

#define S(lit) ((char *)(lit))

/* Under LeakSanitizer: cairo 1.16 leaks about 768 bytes per PDF inside cairo_surface_finish
 * (its font subsetter, whatever the font), and fontconfig keeps match caches that pango's
 * loader thread never frees. Third-party leaks, not ours: everything else is still checked. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:cairo_surface_finish\nleak:libfontconfig.so\n";
}
/* full stacks, so the suppression above sees cairo_surface_finish below cairo's own frames */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

/* Page objects: "/Type /Page" not followed by "s" (that is the /Pages tree). */
static int count_pages(const unsigned char *pdf, size_t len)
{
	static const char key[] = "/Type /Page";
	size_t k = sizeof(key) - 1;
	int n = 0;
	for (size_t i = 0; i + k < len; i++)
		if (memcmp(pdf + i, key, k) == 0 && pdf[i + k] != 's')
			n++;
	return n;
}

static int have_pdftotext(void)
{
	return access("/usr/bin/pdftotext", X_OK) == 0 || access("/usr/local/bin/pdftotext", X_OK) == 0;
}

/* Write pdf to a temporary file and return pdftotext's output without spaces (new), or NULL. */
static char *pdf_text(const unsigned char *pdf, size_t len)
{
	char path[64] = "/tmp/pgd_pdf_XXXXXX", cmd[160];
	char *out = NULL;
	size_t n = 0, cap = 0;
	FILE *f, *p;
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(pdf, 1, len, f), len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 %s - 2>/dev/null", path);
	p = popen(cmd, "r");
	if (p) {
		char chunk[4096];
		size_t got;
		while ((got = fread(chunk, 1, sizeof(chunk), p)) > 0) {
			if (n + got + 1 > cap) {
				cap = (n + got + 1) * 2;
				out = realloc(out, cap);
				assert_non_null(out);
			}
			memcpy(out + n, chunk, got);
			n += got;
		}
		pclose(p);
		if (out) { /* pdftotext keeps or drops spaces between glyphs at will: drop them all */
			size_t k = 0;
			for (size_t i = 0; i < n; i++)
				if (out[i] != ' ')
					out[k++] = out[i];
			out[k] = '\0';
		}
	}
	unlink(path);
	return out;
}

static int count_str(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void test_one_page(void **state)
{
	struct pgd_pdf *d = pgd_pdf_new(25, 20, 22, 20);
	struct pgd_err err = {0};
	unsigned char *pdf = NULL;
	size_t len = 0;
	int pages = 0;

	pgd_pdf_title(d, "测试标题", 0);
	pgd_pdf_text(d, NULL, "第一段正文。");
	assert_int_equal(pgd_pdf_render(d, &pdf, &len, &pages, &err), 0);
	assert_true(len > 5);
	assert_memory_equal(pdf, "%PDF-", 5);
	assert_int_equal(pages, 1);
	assert_int_equal(count_pages(pdf, len), 1);
	if (have_pdftotext()) {
		char *txt = pdf_text(pdf, len);
		assert_non_null(txt);
		assert_non_null(strstr(txt, "测试标题"));
		assert_non_null(strstr(txt, "第1页共1页"));
		free(txt);
	}
	free(pdf);
	pgd_pdf_free(d);
}

static void test_page_break_and_no_numbers(void **state)
{
	struct pgd_pdf *d = pgd_pdf_new(20, 20, 20, 20);
	struct pgd_err err = {0};
	unsigned char *pdf = NULL;
	size_t len = 0;
	int pages = 0;

	pgd_pdf_page_numbers(d, 0);
	pgd_pdf_text(d, NULL, "甲页");
	pgd_pdf_page_break(d);
	pgd_pdf_text(d, NULL, "乙页");
	pgd_pdf_page_break(d);
	pgd_pdf_text(d, NULL, "丙页");
	assert_int_equal(pgd_pdf_render(d, &pdf, &len, &pages, &err), 0);
	assert_int_equal(pages, 3);
	assert_int_equal(count_pages(pdf, len), 3);
	if (have_pdftotext()) {
		char *txt = pdf_text(pdf, len);
		assert_non_null(txt);
		assert_null(strstr(txt, "共3页"));
		assert_non_null(strstr(txt, "丙页"));
		free(txt);
	}
	free(pdf);
	pgd_pdf_free(d);
}

/* A paragraph longer than a page continues on the next one. */
static void test_long_paragraph_splits(void **state)
{
	struct pgd_pdf *d = pgd_pdf_new(25, 20, 22, 20);
	struct pgd_err err = {0};
	unsigned char *pdf = NULL;
	size_t len = 0;
	int pages = 0;
	/* 12 pt on 170 mm: about 40 characters a line, about 45 lines a page */
	size_t n = 3000 * 3;
	char *text = malloc(n + 1);
	assert_non_null(text);
	for (size_t i = 0; i < n; i += 3)
		memcpy(text + i, "字", 3);
	text[n] = '\0';
	pgd_pdf_text(d, NULL, text);
	assert_int_equal(pgd_pdf_render(d, &pdf, &len, &pages, &err), 0);
	/* 3000 / 40 = 75 lines: two pages, not one and not more than three */
	assert_true(pages >= 2 && pages <= 3);
	assert_int_equal(count_pages(pdf, len), pages);
	free(pdf);
	free(text);
	pgd_pdf_free(d);
}

/* 60 rows of at least 9 mm cannot fit on one 250 mm page: the header row repeats on every page. */
static void test_table_header_repeats(void **state)
{
	struct pgd_pdf *d = pgd_pdf_new(20, 20, 20, 20);
	struct pgd_err err = {0};
	struct pgd_pdf_table *t;
	unsigned char *pdf = NULL;
	size_t len = 0;
	int pages = 0;
	char cell[32];
	double w[3] = {1, 2, 1};

	t = pgd_pdf_table(d, 3, w, 1);
	pgd_pdf_cell(t, "表头甲");
	pgd_pdf_cell(t, "表头乙");
	pgd_pdf_cell(t, "表头丙");
	for (int r = 0; r < 60; r++) {
		snprintf(cell, sizeof(cell), "行%d", r + 1);
		pgd_pdf_cell(t, cell);
		pgd_pdf_cell_ex(t, "跨两列的单元格", 2, PGD_PDF_CENTER, 0);
	}
	assert_int_equal(pgd_pdf_render(d, &pdf, &len, &pages, &err), 0);
	/* 257 mm of content / 9 mm = 28 rows a page: 61 rows need 3 pages */
	assert_int_equal(pages, 3);
	assert_int_equal(count_pages(pdf, len), 3);
	if (have_pdftotext()) {
		char *txt = pdf_text(pdf, len);
		assert_non_null(txt);
		assert_int_equal(count_str(txt, "表头甲"), 3);
		assert_int_equal(count_str(txt, "跨两列的单元格"), 60);
		assert_non_null(strstr(txt, "行60"));
		assert_non_null(strstr(txt, "第3页共3页"));
		free(txt);
	}
	free(pdf);
	pgd_pdf_free(d);
}

/* A filing with n people: leader, responsible, liaison, then members. */
static void make_filing(struct pgd_filing *f, size_t n)
{
	static char names[64][32];
	memset(f, 0, sizeof(*f));
	f->id = 7;
	f->unit_id = 3;
	f->unit_name = S("青山区市场监督管理局");
	f->group_name = S("青山区市场监督管理局官方网络平台信息发布审核小组");
	f->filed_by = S("王联络");
	snprintf(f->filed_at, sizeof(f->filed_at), "2026-11-30T08:00:00Z");
	f->note = S("原联络员调离，重新备案");
	f->members = calloc(n, sizeof(*f->members));
	assert_non_null(f->members);
	f->n_members = n;
	for (size_t i = 0; i < n; i++) {
		f->members[i].duty = i < 3 ? (enum pgd_review_duty)i : PGD_DUTY_MEMBER;
		f->members[i].person_id = (int64_t)i + 1;
		snprintf(names[i], sizeof(names[i]), "成员%zu号", i + 1);
		f->members[i].name = names[i];
		f->members[i].post = S("科员");
		f->members[i].phone = S("0571-88880000");
	}
}

static void test_form_small(void **state)
{
	struct pgd_filing f;
	struct pgd_err err = {0};
	unsigned char *pdf = NULL;
	size_t len = 0;
	int pages = 0;
	FILE *out;

	make_filing(&f, 5);
	assert_int_equal(pgd_pdf_review_group_form(&f, &pdf, &len, &pages, &err), 0);
	assert_memory_equal(pdf, "%PDF-", 5);
	assert_int_equal(pages, 1);
	assert_int_equal(count_pages(pdf, len), 1);
	/* kept for a look: pdftoppm -png -r 60 /tmp/pgd-test-annex1.pdf /tmp/c-page */
	out = fopen("/tmp/pgd-test-annex1.pdf", "wb");
	if (out) {
		fwrite(pdf, 1, len, out);
		fclose(out);
	}
	if (have_pdftotext()) {
		char *txt = pdf_text(pdf, len);
		assert_non_null(txt);
		assert_non_null(strstr(txt, "青山区市场监督管理局"));
		assert_non_null(strstr(txt, "官方网络平台信息发布审核小组人员名单备案表"));
		assert_non_null(strstr(txt, "2026年11月30日"));
		assert_non_null(strstr(txt, "信息审核负责人"));
		assert_non_null(strstr(txt, "成员5号"));
		assert_non_null(strstr(txt, "王联络"));
		assert_non_null(strstr(txt, "原联络员调离"));
		free(txt);
	}
	free(pdf);
	free(f.members);
}

static void test_form_40_members_two_pages(void **state)
{
	struct pgd_filing f;
	struct pgd_err err = {0};
	unsigned char *pdf = NULL;
	size_t len = 0;
	int pages = 0;

	make_filing(&f, 40);
	assert_int_equal(pgd_pdf_review_group_form(&f, &pdf, &len, &pages, &err), 0);
	assert_memory_equal(pdf, "%PDF-", 5);
	assert_int_equal(pages, 2);
	assert_int_equal(count_pages(pdf, len), 2);
	if (have_pdftotext()) {
		char *txt = pdf_text(pdf, len);
		assert_non_null(txt);
		assert_non_null(strstr(txt, "青山区市场监督管理局"));
		assert_non_null(strstr(txt, "成员40号"));
		assert_int_equal(count_str(txt, "具体职责"), 2); /* header on both pages */
		assert_non_null(strstr(txt, "第2页共2页"));
		free(txt);
	}
	free(pdf);
	free(f.members);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_page),
		cmocka_unit_test(test_page_break_and_no_numbers),
		cmocka_unit_test(test_long_paragraph_splits),
		cmocka_unit_test(test_table_header_repeats),
		cmocka_unit_test(test_form_small),
		cmocka_unit_test(test_form_40_members_two_pages),
	};
	if (!have_pdftotext())
		fprintf(stderr, "pdftotext not installed: text checks skipped\n");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
