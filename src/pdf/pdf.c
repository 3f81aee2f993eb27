/* The PDF layout module: blocks (title, text, space, page break, table) collected by the
 * builder, laid out on A4 portrait pages by render (twice: the first pass counts the pages
 * for "第 N 页 共 M 页"), drawn with pango on a cairo PDF surface that writes to memory.
 * Lengths inside are PDF points (1/72 inch); the API speaks millimetres and font points. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "pubguard/buf.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/pdf.h"
#include "core/banned.h"

#define MM(x) ((x) * 72.0 / 25.4)
#define PAGE_W MM(210.0)
#define PAGE_H MM(297.0)
#define PDF_MAX (256u << 20) /* bytes of output */
#define CELL_PAD_X MM(1.8)
#define CELL_PAD_Y MM(1.2)
#define EPS 0.01

static const char *const font_family[] = {"Noto Serif CJK SC", "Noto Sans CJK SC"};

enum blk_kind { BLK_TEXT, BLK_SPACE, BLK_BREAK, BLK_TABLE };

struct cell {
	char *text;
	size_t col, span;
	enum pgd_pdf_align align;
	int has_align;
	int bold;
};

struct row {
	struct cell *cells;
	size_t n, cap;
	size_t filled; /* columns used so far */
};

struct pgd_pdf_table {
	size_t ncols;
	double *weights;
	enum pgd_pdf_align *col_align;
	size_t header_rows;
	enum pgd_pdf_font font;
	double size_pt;
	double min_row_mm;
	int borders;
	struct row *rows;
	size_t nrows, cap;
};

struct block {
	enum blk_kind kind;
	struct pgd_pdf_style style;
	char *text;
	double mm;
	struct pgd_pdf_table *table;
};

struct pgd_pdf {
	double mt, mr, mb, ml; /* points */
	int page_numbers;
	char *title, *author;
	struct block *blocks;
	size_t n, cap;
};

/* ---- builder ---- */

struct pgd_pdf *pgd_pdf_new(double top_mm, double right_mm, double bottom_mm, double left_mm)
{
	struct pgd_pdf *d = pgd_calloc(1, sizeof(*d));
	d->mt = MM(top_mm > 0 ? top_mm : 0);
	d->mr = MM(right_mm > 0 ? right_mm : 0);
	d->mb = MM(bottom_mm > 0 ? bottom_mm : 0);
	d->ml = MM(left_mm > 0 ? left_mm : 0);
	/* keep at least 20 mm of content in each direction */
	if (d->ml + d->mr > PAGE_W - MM(20))
		d->ml = d->mr = MM(20);
	if (d->mt + d->mb > PAGE_H - MM(20))
		d->mt = d->mb = MM(20);
	d->page_numbers = 1;
	return d;
}

static void table_free(struct pgd_pdf_table *t)
{
	if (t == NULL)
		return;
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->rows[r].n; c++)
			free(t->rows[r].cells[c].text);
		free(t->rows[r].cells);
	}
	free(t->rows);
	free(t->weights);
	free(t->col_align);
	free(t);
}

void pgd_pdf_free(struct pgd_pdf *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->blocks[i].text);
		table_free(d->blocks[i].table);
	}
	free(d->blocks);
	free(d->title);
	free(d->author);
	free(d);
}

void pgd_pdf_meta(struct pgd_pdf *d, const char *title, const char *author)
{
	free(d->title);
	free(d->author);
	d->title = pgd_strdup(title);
	d->author = pgd_strdup(author);
}

void pgd_pdf_page_numbers(struct pgd_pdf *d, int on)
{
	d->page_numbers = on != 0;
}

static struct block *add_block(struct pgd_pdf *d, enum blk_kind kind)
{
	struct block *b;
	PGD_GROW(d->blocks, d->n + 1, d->cap);
	b = &d->blocks[d->n++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	return b;
}

void pgd_pdf_title(struct pgd_pdf *d, const char *text, double size_pt)
{
	struct block *b = add_block(d, BLK_TEXT);
	b->style.font = PGD_PDF_SERIF;
	b->style.size_pt = size_pt > 0 ? size_pt : 18;
	b->style.bold = 1;
	b->style.align = PGD_PDF_CENTER;
	b->style.space_before_mm = 2;
	b->style.space_after_mm = 6;
	b->text = pgd_strdup(text ? text : "");
}

void pgd_pdf_text(struct pgd_pdf *d, const struct pgd_pdf_style *style, const char *text)
{
	struct block *b = add_block(d, BLK_TEXT);
	if (style)
		b->style = *style;
	else
		b->style.font = PGD_PDF_SERIF;
	if (b->style.size_pt <= 0)
		b->style.size_pt = 12;
	b->text = pgd_strdup(text ? text : "");
}

void pgd_pdf_space(struct pgd_pdf *d, double mm)
{
	add_block(d, BLK_SPACE)->mm = mm > 0 ? mm : 0;
}

void pgd_pdf_page_break(struct pgd_pdf *d)
{
	add_block(d, BLK_BREAK);
}

struct pgd_pdf_table *pgd_pdf_table(struct pgd_pdf *d, size_t ncols, const double *widths, size_t header_rows)
{
	struct pgd_pdf_table *t = pgd_calloc(1, sizeof(*t));
	if (ncols == 0)
		ncols = 1;
	t->ncols = ncols;
	t->weights = pgd_calloc(ncols, sizeof(*t->weights));
	t->col_align = pgd_calloc(ncols, sizeof(*t->col_align));
	for (size_t i = 0; i < ncols; i++)
		t->weights[i] = widths && widths[i] > 0 ? widths[i] : 1.0;
	t->header_rows = header_rows;
	t->font = PGD_PDF_SANS;
	t->size_pt = 11;
	t->min_row_mm = 9;
	t->borders = 1;
	add_block(d, BLK_TABLE)->table = t;
	return t;
}

void pgd_pdf_table_font(struct pgd_pdf_table *t, enum pgd_pdf_font font, double size_pt)
{
	t->font = font;
	t->size_pt = size_pt > 0 ? size_pt : 11;
}

void pgd_pdf_table_min_row(struct pgd_pdf_table *t, double mm)
{
	t->min_row_mm = mm > 0 ? mm : 0;
}

void pgd_pdf_table_borders(struct pgd_pdf_table *t, int on)
{
	t->borders = on != 0;
}

void pgd_pdf_table_align(struct pgd_pdf_table *t, size_t col, enum pgd_pdf_align a)
{
	if (col < t->ncols)
		t->col_align[col] = a;
}

static void add_cell(struct pgd_pdf_table *t, const char *text, size_t span, int has_align,
	enum pgd_pdf_align align, int bold)
{
	struct row *r;
	struct cell *c;
	if (t->nrows == 0 || t->rows[t->nrows - 1].filled >= t->ncols) {
		PGD_GROW(t->rows, t->nrows + 1, t->cap);
		memset(&t->rows[t->nrows], 0, sizeof(t->rows[t->nrows]));
		t->nrows++;
	}
	r = &t->rows[t->nrows - 1];
	if (span < 1)
		span = 1;
	if (span > t->ncols - r->filled)
		span = t->ncols - r->filled;
	PGD_GROW(r->cells, r->n + 1, r->cap);
	c = &r->cells[r->n++];
	c->text = pgd_strdup(text ? text : "");
	c->col = r->filled;
	c->span = span;
	c->has_align = has_align;
	c->align = align;
	c->bold = bold;
	r->filled += span;
}

void pgd_pdf_cell(struct pgd_pdf_table *t, const char *text)
{
	add_cell(t, text, 1, 0, PGD_PDF_LEFT, 0);
}

void pgd_pdf_cell_ex(struct pgd_pdf_table *t, const char *text, size_t colspan, enum pgd_pdf_align align, int bold)
{
	add_cell(t, text, colspan, 1, align, bold);
}

/* ---- layout ---- */

struct lay {
	const struct pgd_pdf *d;
	cairo_t *cr;
	PangoContext *pc;
	int draw;  /* second pass: draw and emit pages */
	int page;  /* current page, 1-based */
	int total; /* pages (known in the second pass) */
	double y;  /* current position */
	double top, bottom, left, width;
};

static PangoLayout *make_layout(struct lay *l, const char *text, enum pgd_pdf_font font, double size_pt, int bold,
	enum pgd_pdf_align align, double width, double indent)
{
	PangoLayout *pl = pango_layout_new(l->pc);
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, font_family[font == PGD_PDF_SANS]);
	pango_font_description_set_absolute_size(fd, size_pt * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(pl, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(pl, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(pl, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(pl, align == PGD_PDF_CENTER ? PANGO_ALIGN_CENTER
				       : align == PGD_PDF_RIGHT ? PANGO_ALIGN_RIGHT
								: PANGO_ALIGN_LEFT);
	if (indent > 0)
		pango_layout_set_indent(pl, (int)(indent * PANGO_SCALE));
	pango_layout_set_text(pl, text, -1);
	return pl;
}

static double layout_height(PangoLayout *pl)
{
	int w = 0, h = 0;
	pango_layout_get_size(pl, &w, &h);
	return (double)h / PANGO_SCALE;
}

static void draw_footer(struct lay *l)
{
	char s[96];
	PangoLayout *pl;
	double h;
	if (!l->d->page_numbers)
		return;
	snprintf(s, sizeof(s), "第 %d 页 共 %d 页", l->page, l->total);
	pl = make_layout(l, s, PGD_PDF_SANS, 9, 0, PGD_PDF_CENTER, l->width, 0);
	h = layout_height(pl);
	cairo_move_to(l->cr, l->left, PAGE_H - l->d->mb / 2 - h / 2);
	pango_cairo_show_layout(l->cr, pl);
	g_object_unref(pl);
}

static void end_page(struct lay *l)
{
	if (l->draw) {
		draw_footer(l);
		cairo_show_page(l->cr);
	}
}

static void new_page(struct lay *l)
{
	end_page(l);
	l->page++;
	l->y = l->top;
}

static int at_top(const struct lay *l)
{
	return l->y <= l->top + EPS;
}

/* A paragraph, line by line: a line that does not fit goes to the next page. */
static void lay_text(struct lay *l, const struct block *b)
{
	const struct pgd_pdf_style *s = &b->style;
	PangoLayout *pl = make_layout(l, b->text, s->font, s->size_pt, s->bold, s->align, l->width,
		s->indent ? 2 * s->size_pt : 0);
	PangoLayoutIter *it = pango_layout_get_iter(pl);
	double origin;

	if (!at_top(l))
		l->y += MM(s->space_before_mm);
	origin = l->y;
	do {
		PangoRectangle r;
		double top, h;
		pango_layout_iter_get_line_extents(it, NULL, &r);
		top = origin + (double)r.y / PANGO_SCALE;
		h = (double)r.height / PANGO_SCALE;
		if (top + h > l->bottom + EPS && top > l->top + EPS) {
			new_page(l);
			origin = l->top - (double)r.y / PANGO_SCALE;
			top = l->top;
		}
		if (l->draw) {
			cairo_move_to(l->cr, l->left + (double)r.x / PANGO_SCALE,
				origin + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE);
			pango_cairo_show_layout_line(l->cr, pango_layout_iter_get_line_readonly(it));
		}
		l->y = top + h;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	g_object_unref(pl);
	l->y += MM(s->space_after_mm);
}

static int is_header(const struct pgd_pdf_table *t, size_t r)
{
	return r < t->header_rows;
}

static enum pgd_pdf_align cell_align(const struct pgd_pdf_table *t, size_t r, const struct cell *c)
{
	if (c->has_align)
		return c->align;
	return is_header(t, r) ? PGD_PDF_CENTER : t->col_align[c->col];
}

/* x and width of a cell from the column positions. */
static void cell_box(const double *colx, const struct cell *c, double *x, double *w)
{
	*x = colx[c->col];
	*w = colx[c->col + c->span] - colx[c->col];
}

static double row_height(struct lay *l, const struct pgd_pdf_table *t, size_t r, const double *colx)
{
	double h = MM(t->min_row_mm);
	for (size_t i = 0; i < t->rows[r].n; i++) {
		const struct cell *c = &t->rows[r].cells[i];
		double x, w, ch;
		PangoLayout *pl;
		cell_box(colx, c, &x, &w);
		pl = make_layout(l, c->text, t->font, t->size_pt, c->bold || is_header(t, r), cell_align(t, r, c),
			w - 2 * CELL_PAD_X, 0);
		ch = layout_height(pl) + 2 * CELL_PAD_Y;
		g_object_unref(pl);
		if (ch > h)
			h = ch;
	}
	return h;
}

static void draw_row(struct lay *l, const struct pgd_pdf_table *t, size_t r, const double *colx, double h)
{
	for (size_t i = 0; l->draw && i < t->rows[r].n; i++) {
		const struct cell *c = &t->rows[r].cells[i];
		double x, w, th;
		PangoLayout *pl;
		cell_box(colx, c, &x, &w);
		if (is_header(t, r) && t->borders) {
			cairo_rectangle(l->cr, x, l->y, w, h);
			cairo_set_source_rgb(l->cr, 0.92, 0.92, 0.92);
			cairo_fill(l->cr);
		}
		if (t->borders) {
			cairo_rectangle(l->cr, x, l->y, w, h);
			cairo_set_source_rgb(l->cr, 0, 0, 0);
			cairo_set_line_width(l->cr, 0.6);
			cairo_stroke(l->cr);
		}
		cairo_set_source_rgb(l->cr, 0, 0, 0);
		pl = make_layout(l, c->text, t->font, t->size_pt, c->bold || is_header(t, r), cell_align(t, r, c),
			w - 2 * CELL_PAD_X, 0);
		th = layout_height(pl);
		cairo_move_to(l->cr, x + CELL_PAD_X, l->y + (h - th) / 2);
		pango_cairo_show_layout(l->cr, pl);
		g_object_unref(pl);
	}
	l->y += h;
}

static void lay_table(struct lay *l, const struct pgd_pdf_table *t)
{
	double *colx = pgd_calloc(t->ncols + 1, sizeof(*colx));
	double *rh = pgd_calloc(t->nrows ? t->nrows : 1, sizeof(*rh));
	double sum = 0, head_h = 0;
	size_t nhead = t->header_rows < t->nrows ? t->header_rows : t->nrows;

	for (size_t i = 0; i < t->ncols; i++)
		sum += t->weights[i];
	colx[0] = l->left;
	for (size_t i = 0; i < t->ncols; i++)
		colx[i + 1] = colx[i] + l->width * t->weights[i] / sum;
	for (size_t r = 0; r < t->nrows; r++)
		rh[r] = row_height(l, t, r, colx);
	for (size_t r = 0; r < nhead; r++)
		head_h += rh[r];

	/* the header and the first body row start together */
	if (!at_top(l) && l->y + head_h + (nhead < t->nrows ? rh[nhead] : 0) > l->bottom + EPS)
		new_page(l);
	for (size_t r = 0; r < nhead; r++)
		draw_row(l, t, r, colx, rh[r]);
	for (size_t r = nhead; r < t->nrows; r++) {
		if (l->y + rh[r] > l->bottom + EPS && l->y > l->top + head_h + EPS) {
			new_page(l);
			for (size_t hr = 0; hr < nhead; hr++)
				draw_row(l, t, hr, colx, rh[hr]);
		}
		draw_row(l, t, r, colx, rh[r]);
	}
	free(colx);
	free(rh);
}

static void lay_out(struct lay *l)
{
	l->page = 1;
	l->y = l->top;
	for (size_t i = 0; i < l->d->n; i++) {
		const struct block *b = &l->d->blocks[i];
		switch (b->kind) {
		case BLK_TEXT:
			lay_text(l, b);
			break;
		case BLK_SPACE:
			if (!at_top(l))
				l->y += MM(b->mm);
			if (l->y > l->bottom)
				new_page(l);
			break;
		case BLK_BREAK:
			new_page(l);
			break;
		case BLK_TABLE:
			lay_table(l, b->table);
			break;
		}
	}
	end_page(l);
}

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int len)
{
	return pgd_buf_add(closure, data, len) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int pgd_pdf_render(struct pgd_pdf *d, unsigned char **out, size_t *len, int *pages, struct pgd_err *err)
{
	struct pgd_buf b;
	cairo_surface_t *surf;
	struct lay l = {0};
	cairo_status_t cs;
	int rc = 0;

	*out = NULL;
	*len = 0;
	pgd_buf_init(&b, PDF_MAX);
	surf = cairo_pdf_surface_create_for_stream(write_buf, &b, PAGE_W, PAGE_H);
	/* PDF 1.4: no compressed object streams, so pages stay countable as plain objects */
	cairo_pdf_surface_restrict_to_version(surf, CAIRO_PDF_VERSION_1_4);
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "pubguard");
	if (d->title)
		cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, d->title);
	if (d->author)
		cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_AUTHOR, d->author);
	l.d = d;
	l.cr = cairo_create(surf);
	l.pc = pango_cairo_create_context(l.cr);
	l.top = d->mt;
	l.bottom = PAGE_H - d->mb;
	l.left = d->ml;
	l.width = PAGE_W - d->ml - d->mr;

	lay_out(&l); /* pass 1: count the pages */
	l.total = l.page;
	l.draw = 1;
	lay_out(&l); /* pass 2: draw */

	g_object_unref(l.pc);
	cs = cairo_status(l.cr);
	cairo_destroy(l.cr);
	cairo_surface_finish(surf);
	if (cs == CAIRO_STATUS_SUCCESS)
		cs = cairo_surface_status(surf);
	cairo_surface_destroy(surf);
	if (cs != CAIRO_STATUS_SUCCESS) {
		rc = pgd_err_set(err, cs == CAIRO_STATUS_WRITE_ERROR ? PGD_ERR_TOO_LARGE : PGD_ERR_INTERNAL, NULL,
			"生成 PDF 失败（%s）", cairo_status_to_string(cs));
		pgd_buf_release(&b);
		goto out;
	}
	*out = (unsigned char *)pgd_buf_take(&b, len);
	if (pages)
		*pages = l.total;
out:
	return rc;
}
