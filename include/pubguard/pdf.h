/* Printable forms as PDF (cairo + pango, Debian's Noto CJK fonts): a small flow-layout API
 * every form uses, and the forms themselves.
 *
 * A document is built from blocks (title, paragraphs, spaces, tables, page breaks) and then
 * rendered in one call: A4 portrait, margins in millimetres, text wrapped to the content width,
 * tables with borders, column widths, wrapping cells, header rows repeated on every page a
 * table continues on, and "第 N 页 共 M 页" at the foot of every page. Rendering lays the blocks
 * out twice (the first pass counts the pages) and writes the PDF into memory.
 *
 * Text is plain UTF-8 (no markup). Builder calls copy their strings; they never fail (memory
 * errors abort), only pgd_pdf_render reports errors. A document is used by one thread at a
 * time; different documents may be rendered on different threads. */
#ifndef PUBGUARD_PDF_H
#define PUBGUARD_PDF_H

#include <stddef.h>

struct pgd_err;
struct pgd_filing;

enum pgd_pdf_align { PGD_PDF_LEFT, PGD_PDF_CENTER, PGD_PDF_RIGHT };
enum pgd_pdf_font {
	PGD_PDF_SERIF, /* Noto Serif CJK SC: titles and body text of official forms */
	PGD_PDF_SANS   /* Noto Sans CJK SC: labels, tables */
};

struct pgd_pdf_style {
	enum pgd_pdf_font font;
	double size_pt;          /* 0: 12 */
	int bold;
	enum pgd_pdf_align align;
	int indent;              /* first line indented by two characters */
	double space_before_mm;
	double space_after_mm;
};

struct pgd_pdf;       /* a document being built */
struct pgd_pdf_table; /* a table of a document (owned by the document) */

/* New A4 portrait document with margins (mm). new: pgd_pdf_free(). */
struct pgd_pdf *pgd_pdf_new(double top_mm, double right_mm, double bottom_mm, double left_mm);
void pgd_pdf_free(struct pgd_pdf *d); /* NULL ok */
/* PDF metadata (title, author); either may be NULL. */
void pgd_pdf_meta(struct pgd_pdf *d, const char *title, const char *author);
/* Page numbers "第 N 页 共 M 页" in the bottom margin: on by default. */
void pgd_pdf_page_numbers(struct pgd_pdf *d, int on);

/* A centred bold serif title (size_pt 0: 18 pt, 小二). */
void pgd_pdf_title(struct pgd_pdf *d, const char *text, double size_pt);
/* A wrapped paragraph; style NULL: serif 12 pt, left. "\n" breaks lines. */
void pgd_pdf_text(struct pgd_pdf *d, const struct pgd_pdf_style *style, const char *text);
/* Vertical space. */
void pgd_pdf_space(struct pgd_pdf *d, double mm);
/* Start the next block on a new page. */
void pgd_pdf_page_break(struct pgd_pdf *d);

/* A table of ncols columns. widths: ncols relative widths scaled to the content width (NULL:
 * equal). The first header_rows rows are the header: bold, shaded and repeated at the top of
 * every page the table continues on. Rows never split across pages. Returns a handle owned by
 * the document (valid until pgd_pdf_free). */
struct pgd_pdf_table *pgd_pdf_table(struct pgd_pdf *d, size_t ncols, const double *widths, size_t header_rows);
/* Cell text font and size for the whole table (default sans 11 pt), minimum row height (mm,
 * default 9) and borders (default on). */
void pgd_pdf_table_font(struct pgd_pdf_table *t, enum pgd_pdf_font font, double size_pt);
void pgd_pdf_table_min_row(struct pgd_pdf_table *t, double mm);
void pgd_pdf_table_borders(struct pgd_pdf_table *t, int on);
/* Default horizontal alignment of column col (default left; header cells are centred). */
void pgd_pdf_table_align(struct pgd_pdf_table *t, size_t col, enum pgd_pdf_align a);
/* Append the next cell (left to right, rows wrap after ncols columns). text NULL is empty. */
void pgd_pdf_cell(struct pgd_pdf_table *t, const char *text);
/* A cell spanning colspan columns (clamped to the row's end), with its own alignment and weight. */
void pgd_pdf_cell_ex(struct pgd_pdf_table *t, const char *text, size_t colspan, enum pgd_pdf_align align,
	int bold);

/* Lay out and write the PDF. *out is new (free()), *len its size, *pages (may be NULL) the
 * page count. PGD_ERR_INTERNAL when cairo fails. The document can be rendered again. */
int pgd_pdf_render(struct pgd_pdf *d, unsigned char **out, size_t *len, int *pages, struct pgd_err *err);

/* ---- forms ---- */

/* 附件1 官方网络平台信息发布审核小组人员名单备案表 of a filing (as read by pgd_filing_get: the
 * unit name, group name, filing time, filer and members are used). *out new (free()). */
int pgd_pdf_review_group_form(const struct pgd_filing *f, unsigned char **out, size_t *len, int *pages,
	struct pgd_err *err);

#endif
