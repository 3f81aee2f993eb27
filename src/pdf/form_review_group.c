/* 附件1 官方网络平台信息发布审核小组人员名单备案表 (Art. 13): the unit, its review group,
 * the filing date, one row per person (组长（分管负责同志）, 信息审核负责人, 联络员, 成员) with
 * name, post, phone and duty, the filer, and the seal and date lines. Uses only the filing
 * struct (no store calls): the caller reads it with pgd_filing_get. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/err.h"
#include "pubguard/pdf.h"
#include "pubguard/reviews.h"
#include "core/banned.h"

static const char *const duty_label[PGD_DUTY_COUNT] = {"组长\n（分管负责同志）", "信息审核负责人", "联络员", "成员"};
/* The duties each place in the group carries (Art. 13, 14). */
static const char *const duty_text[PGD_DUTY_COUNT] = {
	"统筹本单位信息发布审核工作",
	"发布前审核把关，同意后发布",
	"与市委网信办日常工作联络",
	"做好信息校对、审核和监看",
};

/* "2026-12-01T08:00:00Z" -> "2026年12月01日" (the text as is when it is not a timestamp). */
static void zh_date(const char *ts, char *out, size_t n)
{
	int y = 0, m = 0, d = 0;
	if (ts && sscanf(ts, "%4d-%2d-%2d", &y, &m, &d) == 3)
		snprintf(out, n, "%04d年%02d月%02d日", y, m, d);
	else
		snprintf(out, n, "%s", ts ? ts : "");
}

int pgd_pdf_review_group_form(const struct pgd_filing *f, unsigned char **out, size_t *len, int *pages,
	struct pgd_err *err)
{
	static const double widths[6] = {12, 32, 20, 22, 34, 50}; /* mm of 170 */
	struct pgd_pdf_style label = {.font = PGD_PDF_SANS, .size_pt = 14};
	struct pgd_pdf_style line = {.font = PGD_PDF_SERIF, .size_pt = 12, .space_after_mm = 1.5};
	struct pgd_pdf_style right = {.font = PGD_PDF_SERIF, .size_pt = 12, .align = PGD_PDF_RIGHT,
		.space_after_mm = 3};
	struct pgd_pdf *d = pgd_pdf_new(25, 20, 22, 20);
	struct pgd_pdf_table *t;
	char buf[1200], date[64], num[24];
	int rc;

	pgd_pdf_meta(d, "官方网络平台信息发布审核小组人员名单备案表", f->filed_by);
	pgd_pdf_text(d, &label, "附件1");
	pgd_pdf_title(d, "官方网络平台信息发布审核小组人员名单备案表", 18);

	zh_date(f->filed_at, date, sizeof(date));
	snprintf(buf, sizeof(buf), "填报单位：%s", f->unit_name ? f->unit_name : "");
	pgd_pdf_text(d, &line, buf);
	snprintf(buf, sizeof(buf), "审核小组名称：%s", f->group_name ? f->group_name : "");
	pgd_pdf_text(d, &line, buf);
	snprintf(buf, sizeof(buf), "备案日期：%s", date);
	line.space_after_mm = 4;
	pgd_pdf_text(d, &line, buf);

	t = pgd_pdf_table(d, 6, widths, 1);
	pgd_pdf_table_align(t, 0, PGD_PDF_CENTER);
	pgd_pdf_table_align(t, 1, PGD_PDF_CENTER);
	pgd_pdf_table_align(t, 2, PGD_PDF_CENTER);
	pgd_pdf_table_align(t, 4, PGD_PDF_CENTER);
	pgd_pdf_table_font(t, PGD_PDF_SANS, 10);
	pgd_pdf_table_min_row(t, 8);
	pgd_pdf_cell(t, "序号");
	pgd_pdf_cell(t, "小组职务");
	pgd_pdf_cell(t, "姓名");
	pgd_pdf_cell(t, "单位职务");
	pgd_pdf_cell(t, "联系电话");
	pgd_pdf_cell(t, "具体职责");
	for (size_t i = 0; i < f->n_members; i++) {
		const struct pgd_filing_member *m = &f->members[i];
		unsigned dt = (unsigned)m->duty < PGD_DUTY_COUNT ? (unsigned)m->duty : PGD_DUTY_MEMBER;
		snprintf(num, sizeof(num), "%zu", i + 1);
		pgd_pdf_cell(t, num);
		pgd_pdf_cell(t, duty_label[dt]);
		pgd_pdf_cell(t, m->name);
		pgd_pdf_cell(t, m->post);
		pgd_pdf_cell(t, m->phone);
		pgd_pdf_cell(t, duty_text[dt]);
	}
	if (f->note && *f->note) {
		pgd_pdf_cell_ex(t, "备注", 2, PGD_PDF_CENTER, 1);
		pgd_pdf_cell_ex(t, f->note, 4, PGD_PDF_LEFT, 0);
	}

	pgd_pdf_space(d, 6);
	snprintf(buf, sizeof(buf), "填报人：%s", f->filed_by ? f->filed_by : "");
	line.space_after_mm = 8;
	pgd_pdf_text(d, &line, buf);
	pgd_pdf_text(d, &right, "单位（盖章）：____________________");
	pgd_pdf_text(d, &right, "日期：________年____月____日");
	label.size_pt = 10;
	label.space_before_mm = 4;
	pgd_pdf_text(d, &label,
		"说明：本表由各乡（镇、街道）各单位各部门填报，报市委网信办备案；审核小组人员发生变动调整时，"
		"应及时重新填报备案。");

	rc = pgd_pdf_render(d, out, len, pages, err);
	pgd_pdf_free(d);
	return rc;
}
