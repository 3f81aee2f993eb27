/* Tables from CSV and .xlsx (see pubguard/sheet.h).
 *
 * CSV is decoded whole to UTF-8 with LF line ends (pgd_text_decode), then split by RFC 4180.
 * XLSX is read with libzip over the bytes in memory and libxml2's streaming reader (a
 * 100,000-row sheet never becomes a DOM). The zip and XML safety copies the .docx reader's
 * (src/doc/docx.c keeps its helpers static): a cap on the total uncompressed size checked
 * against the central directory and again while reading, encrypted entries refused, parts
 * with a DOCTYPE refused before and while parsing, no network, no entity substitution. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <zip.h>

#include "pubguard/buf.h"
#include "pubguard/doc.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/sheet.h"
#include "doc/internal.h"
#include "core/banned.h"

/* Cap on everything read from one .xlsx, uncompressed (as for .docx). */
#define XLSX_MAX_UNCOMPRESSED ((size_t)64 << 20)
#define XLSX_MAX_ENTRIES 20000
#define XLSX_MAX_SHARED 2000000 /* shared strings */
#define XLSX_MAX_ROW 1048576    /* Excel's last row */

#define BAD_XLSX "不是有效的 Excel 工作簿（.xlsx）："

void pgd_sheet_init(struct pgd_sheet *s)
{
	memset(s, 0, sizeof(*s));
}

void pgd_sheet_release(struct pgd_sheet *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nrows; i++) {
		for (size_t k = 0; k < s->rows[i].ncells; k++)
			free(s->rows[i].cells[k]);
		free(s->rows[i].cells);
	}
	free(s->rows);
	free(s->name);
	free(s->sheet_name);
	memset(s, 0, sizeof(*s));
}

const char *pgd_sheet_cell(const struct pgd_sheet *s, size_t row, size_t col)
{
	if (s == NULL || row >= s->nrows || col >= s->rows[row].ncells ||
	    s->rows[row].cells[col] == NULL)
		return "";
	return s->rows[row].cells[col];
}

void pgd_sheet_col_name(size_t col, char out[8])
{
	char tmp[8];
	size_t n = 0, k = 0;
	col++;
	while (col > 0 && n < 7) {
		col--;
		tmp[n++] = (char)('A' + col % 26);
		col /= 26;
	}
	while (n > 0)
		out[k++] = tmp[--n];
	out[k] = '\0';
}

/* ---- the row under construction ---- */

struct rowb {
	char **cells;
	size_t n, cap;
};

static void rowb_clear(struct rowb *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->cells[i]);
	r->n = 0;
}

/* Put value (copied; "" stored as NULL) at column col; a later cell for the same column wins. */
static void rowb_put(struct rowb *r, size_t col, const char *v, size_t len)
{
	if (col >= r->n) {
		PGD_GROW(r->cells, col + 1, r->cap);
		for (size_t i = r->n; i <= col; i++)
			r->cells[i] = NULL;
		r->n = col + 1;
	}
	free(r->cells[col]);
	r->cells[col] = len ? pgd_strndup(v, len) : NULL;
}

/* Move the row into s as Excel row line (dropping trailing empty cells; nothing when empty). */
static void rowb_commit(struct rowb *r, struct pgd_sheet *s, unsigned line)
{
	struct pgd_sheet_row *row;
	while (r->n > 0 && r->cells[r->n - 1] == NULL)
		r->n--;
	if (r->n == 0)
		return;
	PGD_GROW(s->rows, s->nrows + 1, s->rows_cap);
	row = &s->rows[s->nrows++];
	row->line = line;
	row->ncells = r->n;
	row->cells = pgd_reallocarray(NULL, r->n, sizeof(char *));
	memcpy(row->cells, r->cells, r->n * sizeof(char *));
	if (r->n > s->ncols)
		s->ncols = r->n;
	r->n = 0;
}

static void rowb_release(struct rowb *r)
{
	rowb_clear(r);
	free(r->cells);
	memset(r, 0, sizeof(*r));
}

static int too_many_rows(struct pgd_sheet *s, struct pgd_err *err)
{
	return pgd_err_set(err, PGD_ERR_TOO_LARGE, s->name, "表格超过 %d 行，请拆分后分批导入",
	                   PGD_SHEET_MAX_ROWS);
}

static int too_many_cols(struct pgd_sheet *s, unsigned line, struct pgd_err *err)
{
	return pgd_err_set(err, PGD_ERR_TOO_LARGE, s->name, "第 %u 行超过 %d 列，已拒绝", line,
	                   PGD_SHEET_MAX_COLS);
}

static int cell_too_large(struct pgd_sheet *s, unsigned line, size_t col, struct pgd_err *err)
{
	char c[8];
	pgd_sheet_col_name(col, c);
	return pgd_err_set(err, PGD_ERR_TOO_LARGE, s->name,
	                   "第 %u 行 %s 列的单元格超过 %zu KB，已拒绝", line, c,
	                   PGD_SHEET_MAX_CELL >> 10);
}

/* ---- CSV ---- */

static int csv_parse(struct pgd_sheet *s, const char *data, size_t len, struct pgd_err *err)
{
	char *text = NULL;
	size_t n = 0, i = 0;
	struct rowb r = {0};
	struct pgd_buf f;
	unsigned rec = 0;
	char sep = ',';
	int rc;

	pgd_buf_init(&f, PGD_SHEET_MAX_CELL);
	rc = pgd_text_decode(s->name, data, len, NULL, 1, &text, &n, s->charset, err);
	if (rc < 0)
		goto out;
	{
		/* tab-separated (Excel's "Unicode text"): tabs and no comma on the first line */
		const char *nl = memchr(text, '\n', n);
		size_t l1 = nl ? (size_t)(nl - text) : n;
		if (memchr(text, '\t', l1) && !memchr(text, ',', l1))
			sep = '\t';
	}
	while (i < n) {
		size_t col = 0;
		unsigned start = ++rec;
		if (rec > PGD_SHEET_MAX_ROWS) {
			rc = too_many_rows(s, err);
			goto out;
		}
		for (;;) {
			pgd_buf_reset(&f);
			if (i < n && text[i] == '"') {
				i++;
				for (;;) {
					if (i >= n) {
						rc = pgd_err_set(
						    err, PGD_ERR_FORMAT, s->name,
						    "CSV 格式错误：第 %u 行的引号没有闭合", start);
						goto out;
					}
					if (text[i] == '"') {
						if (i + 1 < n && text[i + 1] == '"') {
							i += 2;
							rc = pgd_buf_addch(&f, '"');
						} else {
							i++;
							break;
						}
					} else {
						rc = pgd_buf_addch(&f, text[i++]);
					}
					if (rc < 0) {
						rc = cell_too_large(s, start, col, err);
						goto out;
					}
				}
				if (i < n && text[i] != sep && text[i] != '\n') {
					char c[8];
					pgd_sheet_col_name(col, c);
					rc = pgd_err_set(
					    err, PGD_ERR_FORMAT, s->name,
					    "CSV 格式错误：第 %u 行 %s 列的右引号后面还有字符"
					    "（字段中的引号应写成两个引号 \"\"）",
					    start, c);
					goto out;
				}
			} else {
				size_t b = i;
				while (i < n && text[i] != sep && text[i] != '\n')
					i++;
				if (pgd_buf_add(&f, text + b, i - b) < 0) {
					rc = cell_too_large(s, start, col, err);
					goto out;
				}
			}
			if (col < PGD_SHEET_MAX_COLS) {
				rowb_put(&r, col, f.data, f.len);
			} else if (f.len) { /* empty fields past the cap are harmless */
				rc = too_many_cols(s, start, err);
				goto out;
			}
			col++;
			if (i >= n)
				break;
			if (text[i] == sep) {
				i++;
				continue;
			}
			i++; /* '\n' */
			break;
		}
		rowb_commit(&r, s, start);
		rowb_clear(&r);
	}
out:
	pgd_buf_release(&f);
	rowb_release(&r);
	free(text);
	return rc;
}

/* ---- XLSX: zip ---- */

/* ---- XLSX: streaming XML ---- */

struct xr {
	xmlTextReaderPtr r;
	const char *part;
	int err_line; /* line of the first parse error */
	char *buf;    /* the part's bytes (owned) */
};

static void xr_error(void *arg, const char *msg, xmlParserSeverities sev,
                     xmlTextReaderLocatorPtr loc)
{
	struct xr *x = arg;
	if (sev != XML_PARSER_SEVERITY_ERROR && sev != XML_PARSER_SEVERITY_VALIDITY_ERROR)
		return;
	if (x->err_line == 0 && loc)
		x->err_line = xmlTextReaderLocatorLineNumber(loc);
	if (x->err_line == 0)
		x->err_line = -1;
}

static void xr_close(struct xr *x)
{
	if (x->r)
		xmlFreeTextReader(x->r);
	free(x->buf);
	memset(x, 0, sizeof(*x));
}

/* Read part and open a reader over it. NOT_FOUND (err untouched) when absent. */
static int xr_open(struct pgd_zreader *z, const char *part, struct xr *x, struct pgd_err *err)
{
	size_t len = 0;
	int rc;

	memset(x, 0, sizeof(*x));
	x->part = part;
	rc = pgd_zip_read_entry(z, part, &x->buf, &len, err);
	if (rc < 0)
		return rc;
	if (len > INT_MAX)
		return pgd_err_set(err, PGD_ERR_TOO_LARGE, z->name, BAD_XLSX "%s 过大", part);
	for (size_t i = 0; i + 9 <= len; i++) {
		const char *p = memchr(x->buf + i, '<', len - i);
		if (p == NULL)
			break;
		i = (size_t)(p - x->buf);
		if (len - i >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0)
			return pgd_err_set(
			    err, PGD_ERR_FORMAT, z->name,
			    BAD_XLSX "%s 含有 DTD 声明（Excel 工作簿不会有），已拒绝", part);
	}
	x->r = xmlReaderForMemory(x->buf, (int)len, part, NULL,
	                          XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (x->r == NULL)
		return pgd_err_set(err, PGD_ERR_INTERNAL, z->name, "无法创建 XML 解析器");
	xmlTextReaderSetErrorHandler(x->r, xr_error, x);
	return 0;
}

/* Next node: 1, or 0 at the end, or a negative error (bad XML, DTD). */
static int xr_next(struct pgd_zreader *z, struct xr *x, struct pgd_err *err)
{
	int r = xmlTextReaderRead(x->r);
	if (r == 1 && xmlTextReaderNodeType(x->r) == XML_READER_TYPE_DOCUMENT_TYPE)
		return pgd_err_set(err, PGD_ERR_FORMAT, z->name,
		                   BAD_XLSX "%s 含有 DTD 声明（Excel 工作簿不会有），已拒绝",
		                   x->part);
	if (r < 0 || x->err_line != 0)
		return pgd_err_set(
		    err, PGD_ERR_FORMAT, z->name,
		    BAD_XLSX "%s 不是格式正确的 XML（第 %d 行出错，文件已损坏或被截断）", x->part,
		    x->err_line > 0 ? x->err_line : xmlTextReaderGetParserLineNumber(x->r));
	return r;
}

static int x_is(struct xr *x, const char *local)
{
	const xmlChar *n = xmlTextReaderConstLocalName(x->r);
	return n && strcmp((const char *)n, local) == 0;
}

static int x_start(struct xr *x)
{
	return xmlTextReaderNodeType(x->r) == XML_READER_TYPE_ELEMENT;
}

static int x_end(struct xr *x)
{
	int t = xmlTextReaderNodeType(x->r);
	return t == XML_READER_TYPE_END_ELEMENT ||
	       (t == XML_READER_TYPE_ELEMENT && xmlTextReaderIsEmptyElement(x->r) == 1);
}

static int x_text(struct xr *x)
{
	int t = xmlTextReaderNodeType(x->r);
	return t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
	       t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || t == XML_READER_TYPE_WHITESPACE;
}

/* Attribute by local name (any namespace). new, NULL when absent. */
static char *x_attr(struct xr *x, const char *local, int need_prefix)
{
	char *v = NULL;
	if (xmlTextReaderMoveToFirstAttribute(x->r) != 1)
		return NULL;
	do {
		const xmlChar *ln = xmlTextReaderConstLocalName(x->r);
		const xmlChar *pf = xmlTextReaderConstPrefix(x->r);
		if (ln && strcmp((const char *)ln, local) == 0 && (!need_prefix || pf)) {
			const xmlChar *val = xmlTextReaderConstValue(x->r);
			v = pgd_strdup(val ? (const char *)val : "");
			break;
		}
	} while (xmlTextReaderMoveToNextAttribute(x->r) == 1);
	xmlTextReaderMoveToElement(x->r);
	return v;
}

/* ---- XLSX: relationships, workbook, shared strings ---- */

struct rel {
	char *id, *target, *type;
};

struct rels {
	struct rel *v;
	size_t n, cap;
};

static void rels_release(struct rels *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].target);
		free(r->v[i].type);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int load_rels(struct pgd_zreader *z, const char *part, struct rels *out, struct pgd_err *err)
{
	struct xr x;
	int rc = xr_open(z, part, &x, err);
	if (rc == PGD_ERR_NOT_FOUND) {
		rc = 0;
		goto out;
	}
	while (rc >= 0 && (rc = xr_next(z, &x, err)) == 1) {
		struct rel *e;
		if (!x_start(&x) || !x_is(&x, "Relationship"))
			continue;
		PGD_GROW(out->v, out->n + 1, out->cap);
		e = &out->v[out->n];
		e->id = x_attr(&x, "Id", 0);
		e->target = x_attr(&x, "Target", 0);
		e->type = x_attr(&x, "Type", 0);
		if (e->id && e->target && e->type) {
			out->n++;
		} else {
			free(e->id);
			free(e->target);
			free(e->type);
		}
	}
out:
	xr_close(&x);
	return rc < 0 ? rc : 0;
}

/* Target of a relationship by id, or by type suffix ("/sharedStrings") when id is NULL. */
static const char *rel_find(const struct rels *r, const char *id, const char *type_suffix)
{
	for (size_t i = 0; i < r->n; i++) {
		if (id && strcmp(r->v[i].id, id) == 0)
			return r->v[i].target;
		if (!id && type_suffix) {
			size_t tl = strlen(r->v[i].type), sl = strlen(type_suffix);
			if (tl >= sl && strcmp(r->v[i].type + tl - sl, type_suffix) == 0)
				return r->v[i].target;
		}
	}
	return NULL;
}

/* Resolve a relationship target against the directory of the part holding it ("xl/").
 * new. */
static char *resolve(const char *dir, const char *target)
{
	size_t dl = strlen(dir), tl;
	char *p;
	if (target[0] == '/') {
		while (*target == '/')
			target++;
		return pgd_strdup(target);
	}
	tl = strlen(target);
	p = pgd_malloc(dl + tl + 1);
	memcpy(p, dir, dl);
	memcpy(p + dl, target, tl + 1);
	return p;
}

struct sst {
	char **v;
	size_t *len;
	size_t n, cap, lcap;
};

static void sst_release(struct sst *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	free(t->len);
	memset(t, 0, sizeof(*t));
}

/* Text of <t> runs inside <si> (phonetic <rPh> runs skipped). Strings longer than a cell may
 * be are kept cut at the cap + 1 byte, so that using one is refused. */
static int load_sst(struct pgd_zreader *z, const char *part, struct sst *t, struct pgd_err *err)
{
	struct xr x;
	struct pgd_buf b;
	int rc, in_si = 0, in_t = 0, in_rph = 0;

	pgd_buf_init(&b, PGD_SHEET_MAX_CELL + 1);
	rc = xr_open(z, part, &x, err);
	if (rc == PGD_ERR_NOT_FOUND) {
		rc = 0;
		goto out;
	}
	while (rc >= 0 && (rc = xr_next(z, &x, err)) == 1) {
		if (x_start(&x) && x_is(&x, "si")) {
			in_si = 1;
			pgd_buf_reset(&b);
		} else if (in_si && x_start(&x) && x_is(&x, "rPh")) {
			in_rph = !xmlTextReaderIsEmptyElement(x.r);
		} else if (in_si && x_end(&x) && x_is(&x, "rPh")) {
			in_rph = 0;
		} else if (in_si && x_start(&x) && x_is(&x, "t")) {
			in_t = !xmlTextReaderIsEmptyElement(x.r);
		} else if (x_end(&x) && x_is(&x, "t")) {
			in_t = 0;
		} else if (in_si && in_t && !in_rph && x_text(&x)) {
			const xmlChar *v = xmlTextReaderConstValue(x.r);
			if (v && b.len <= PGD_SHEET_MAX_CELL) {
				size_t vl = strlen((const char *)v),
				       room = PGD_SHEET_MAX_CELL + 1 - b.len;
				pgd_buf_add(&b, v, vl < room ? vl : room);
			}
		}
		if (in_si && x_end(&x) && x_is(&x, "si")) {
			if (t->n >= XLSX_MAX_SHARED) {
				rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, z->name,
				                 BAD_XLSX "%s 中的共享字符串超过 %d 个", part,
				                 XLSX_MAX_SHARED);
				goto out;
			}
			PGD_GROW(t->v, t->n + 1, t->cap);
			PGD_GROW(t->len, t->n + 1, t->lcap);
			t->len[t->n] = b.len;
			t->v[t->n++] = b.len ? pgd_strndup(b.data, b.len) : NULL;
			in_si = in_t = in_rph = 0;
		}
	}
out:
	pgd_buf_release(&b);
	xr_close(&x);
	return rc < 0 ? rc : 0;
}

/* The worksheet part for sheet (NULL: the first) from the workbook; *name_out the sheet's
 * name. new: both. */
static int find_sheet(struct pgd_zreader *z, const char *wb_part, const char *wb_dir, const char *sheet,
                      const struct rels *wrels, char **part_out, char **name_out,
                      struct pgd_err *err)
{
	struct xr x;
	struct pgd_buf names;
	char *rid = NULL, *name = NULL;
	int rc, count = 0;

	*part_out = *name_out = NULL;
	pgd_buf_init(&names, 4096);
	rc = xr_open(z, wb_part, &x, err);
	if (rc == PGD_ERR_NOT_FOUND) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name, BAD_XLSX "缺少 %s", wb_part);
		goto out;
	}
	while (rc >= 0 && (rc = xr_next(z, &x, err)) == 1) {
		char *n;
		if (!x_start(&x) || !x_is(&x, "sheet"))
			continue;
		n = x_attr(&x, "name", 0);
		if (n == NULL)
			continue;
		if (count++ > 0)
			pgd_buf_addstr(&names, "、");
		pgd_buf_addstr(&names, n);
		if (name == NULL && (sheet == NULL || strcmp(sheet, n) == 0)) {
			name = n;
			rid = x_attr(&x, "id", 1);
		} else {
			free(n);
		}
	}
	if (rc < 0)
		goto out;
	if (name == NULL) {
		if (sheet)
			rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name,
			                 "Excel 工作簿中没有名为「%s」的工作表（有：%s）", sheet,
			                 names.len ? names.data : "无");
		else
			rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name, BAD_XLSX "%s 中没有工作表",
			                 wb_part);
		goto out;
	}
	{
		const char *target = rid ? rel_find(wrels, rid, NULL) : NULL;
		if (target == NULL) {
			rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name,
			                 BAD_XLSX "工作表「%s」在 %s_rels 中没有对应的部件", name,
			                 wb_dir);
			goto out;
		}
		*part_out = resolve(wb_dir, target);
		*name_out = name;
		name = NULL;
	}
out:
	free(rid);
	free(name);
	pgd_buf_release(&names);
	xr_close(&x);
	return rc < 0 ? rc : 0;
}

/* "C7" -> column 2; -1 when it does not start with letters. */
static long ref_col(const char *ref)
{
	long c = 0;
	int n = 0;
	for (; *ref >= 'A' && *ref <= 'Z'; ref++, n++) {
		if (n >= 3)
			return -1;
		c = c * 26 + (*ref - 'A' + 1);
	}
	return n ? c - 1 : -1;
}

struct wsctx {
	struct pgd_sheet *s;
	const struct sst *sst;
	struct rowb r;
	struct pgd_buf v;  /* <v> text */
	struct pgd_buf is; /* inline string text */
	unsigned line;     /* current row */
	long col;          /* current cell's column */
	char type[16];     /* current cell's t attribute */
	char ref[16];
	int over; /* value longer than a cell may be */
};

/* Finish the current cell into the row. */
static int ws_cell(struct wsctx *c, struct pgd_zreader *z, struct pgd_err *err)
{
	const char *val = c->v.data ? c->v.data : "";
	size_t len = c->v.len;

	if (strcmp(c->type, "s") == 0) {
		char *end;
		unsigned long k;
		if (len == 0)
			goto put;
		errno = 0;
		k = strtoul(val, &end, 10);
		if (errno || *end || k >= c->sst->n)
			return pgd_err_set(err, PGD_ERR_FORMAT, z->name,
			                   BAD_XLSX "单元格 %s 引用的共享字符串（%s）不存在",
			                   c->ref, val);
		val = c->sst->v[k] ? c->sst->v[k] : "";
		len = c->sst->len[k];
	} else if (strcmp(c->type, "inlineStr") == 0) {
		val = c->is.data ? c->is.data : "";
		len = c->is.len;
	} else if (strcmp(c->type, "b") == 0) {
		if (len) {
			val = strcmp(val, "0") == 0 ? "FALSE" : "TRUE";
			len = strlen(val);
		}
	}
put:
	if (c->over || len > PGD_SHEET_MAX_CELL)
		return cell_too_large(c->s, c->line, (size_t)c->col, err);
	if (len == 0)
		return 0; /* an empty (formatted) cell: wherever it is */
	if (c->col >= PGD_SHEET_MAX_COLS)
		return too_many_cols(c->s, c->line, err);
	rowb_put(&c->r, (size_t)c->col, val, len);
	return 0;
}

static int load_sheet(struct pgd_zreader *z, const char *part, struct wsctx *c, struct pgd_err *err)
{
	struct xr x;
	int rc, in_data = 0, in_cell = 0, in_v = 0, in_is = 0, in_t = 0, in_rph = 0, in_row = 0;
	unsigned last_line = 0;

	rc = xr_open(z, part, &x, err);
	if (rc == PGD_ERR_NOT_FOUND) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name, BAD_XLSX "缺少工作表部件 %s", part);
		goto out;
	}
	while (rc >= 0 && (rc = xr_next(z, &x, err)) == 1) {
		int start = x_start(&x), end = x_end(&x);
		if (!in_data) {
			if (start && x_is(&x, "sheetData"))
				in_data = !xmlTextReaderIsEmptyElement(x.r);
			continue;
		}
		if (start && x_is(&x, "row") && !in_row) {
			char *r = x_attr(&x, "r", 0);
			if (r) {
				char *e;
				long v;
				errno = 0;
				v = strtol(r, &e, 10);
				if (errno || *e || v < 1 || v > XLSX_MAX_ROW) {
					rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name,
					                 BAD_XLSX "%s 中的行号「%s」无效", part, r);
					free(r);
					goto out;
				}
				c->line = (unsigned)v;
				free(r);
			} else {
				c->line = last_line + 1;
			}
			last_line = c->line;
			c->col = -1;
			in_row = 1;
			rowb_clear(&c->r);
		} else if (start && in_row && x_is(&x, "c") && !in_cell) {
			char *r = x_attr(&x, "r", 0), *t = x_attr(&x, "t", 0);
			long col = r ? ref_col(r) : -1;
			if (r && col < 0) {
				rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name,
				                 BAD_XLSX "%s 中的单元格引用「%s」无效", part, r);
				free(r);
				free(t);
				goto out;
			}
			c->col = r ? col : c->col + 1;
			snprintf(c->ref, sizeof(c->ref), "%s", r ? r : "?");
			snprintf(c->type, sizeof(c->type), "%s", t ? t : "n");
			free(r);
			free(t);
			pgd_buf_reset(&c->v);
			pgd_buf_reset(&c->is);
			c->over = 0;
			in_cell = 1;
		} else if (in_cell && start && x_is(&x, "v")) {
			in_v = 1;
		} else if (in_cell && start && x_is(&x, "is")) {
			in_is = 1;
		} else if (in_is && start && x_is(&x, "rPh")) {
			in_rph = 1;
		} else if (in_is && end && x_is(&x, "rPh")) {
			in_rph = 0;
		} else if (in_is && start && x_is(&x, "t")) {
			in_t = 1;
		} else if (in_cell && x_text(&x) && (in_v || (in_is && in_t && !in_rph))) {
			const xmlChar *v = xmlTextReaderConstValue(x.r);
			if (v && pgd_buf_addstr(in_v ? &c->v : &c->is, (const char *)v) < 0)
				c->over = 1;
		}
		/* ends (an empty element is its own end) */
		if (end && in_cell) {
			if (x_is(&x, "v"))
				in_v = 0;
			else if (x_is(&x, "t"))
				in_t = 0;
			else if (x_is(&x, "is"))
				in_is = in_t = in_rph = 0;
		}
		if (end && in_cell && x_is(&x, "c")) {
			in_cell = in_v = in_is = in_t = in_rph = 0;
			rc = ws_cell(c, z, err);
			if (rc < 0)
				goto out;
		} else if (end && in_row && !in_cell && x_is(&x, "row")) {
			in_row = 0;
			rowb_commit(&c->r, c->s, c->line);
			if (c->s->nrows > PGD_SHEET_MAX_ROWS) {
				rc = too_many_rows(c->s, err);
				goto out;
			}
		} else if (end && !in_row && x_is(&x, "sheetData")) {
			in_data = 0;
		}
	}
out:
	xr_close(&x);
	return rc < 0 ? rc : 0;
}

static int xlsx_parse(struct pgd_sheet *s, const char *data, size_t len, const char *sheet,
                      struct pgd_err *err)
{
	zip_error_t zerr;
	zip_source_t *src = NULL;
	struct pgd_zreader z = {NULL, XLSX_MAX_UNCOMPRESSED, XLSX_MAX_UNCOMPRESSED, s->name, "Excel 工作簿",
		"Excel 工作簿（.xlsx）"};
	struct rels top = {0}, wrels = {0};
	struct sst sst = {0};
	struct wsctx c;
	char *wb = NULL, *wb_dir = NULL, *wrels_part = NULL, *ws = NULL, *sst_part = NULL;
	int rc = 0;

	pgd_doc_xml_init();
	memset(&c, 0, sizeof(c));
	pgd_buf_init(&c.v, PGD_SHEET_MAX_CELL);
	pgd_buf_init(&c.is, PGD_SHEET_MAX_CELL);
	snprintf(s->charset, sizeof(s->charset), "UTF-8");
	zip_error_init(&zerr);
	if (len < 22 || memcmp(data, "PK", 2) != 0) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, s->name, BAD_XLSX "不是 zip 压缩包");
		goto out;
	}
	src = zip_source_buffer_create(data, len, 0, &zerr);
	if (src == NULL) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, s->name, "无法读取 zip：%s",
		                 zip_error_strerror(&zerr));
		goto out;
	}
	z.za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	if (z.za == NULL) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, s->name,
		                 BAD_XLSX "zip 结构损坏或文件被截断（%s）",
		                 zip_error_strerror(&zerr));
		zip_source_free(src);
		goto out;
	}
	if (zip_get_num_entries(z.za, 0) > XLSX_MAX_ENTRIES) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, s->name, BAD_XLSX "zip 条目过多");
		goto out;
	}
	/* the workbook: from the package relationships, else the usual place */
	rc = load_rels(&z, "_rels/.rels", &top, err);
	if (rc < 0)
		goto out;
	{
		const char *t = rel_find(&top, NULL, "/officeDocument");
		wb = t ? resolve("", t) : NULL;
		if (wb == NULL || zip_name_locate(z.za, wb, 0) < 0) {
			free(wb);
			wb = pgd_strdup("xl/workbook.xml");
		}
	}
	if (zip_name_locate(z.za, wb, 0) < 0) {
		if (zip_name_locate(z.za, "word/document.xml", 0) >= 0)
			rc = pgd_err_set(err, PGD_ERR_FORMAT, s->name,
			                 BAD_XLSX "这是 Word 文档（.docx），不是 Excel 工作簿");
		else
			rc = pgd_err_set(err, PGD_ERR_FORMAT, s->name,
			                 BAD_XLSX "缺少 xl/workbook.xml");
		goto out;
	}
	{
		const char *slash = strrchr(wb, '/');
		size_t dl = slash ? (size_t)(slash - wb) + 1 : 0;
		const char *base = wb + dl;
		size_t pl = dl + strlen("_rels/") + strlen(base) + strlen(".rels") + 1;
		wb_dir = pgd_strndup(wb, dl);
		wrels_part = pgd_malloc(pl);
		snprintf(wrels_part, pl, "%s_rels/%s.rels", wb_dir, base);
	}
	rc = load_rels(&z, wrels_part, &wrels, err);
	if (rc < 0)
		goto out;
	rc = find_sheet(&z, wb, wb_dir, sheet, &wrels, &ws, &s->sheet_name, err);
	if (rc < 0)
		goto out;
	{
		const char *t = rel_find(&wrels, NULL, "/sharedStrings");
		sst_part = t ? resolve(wb_dir, t) : resolve(wb_dir, "sharedStrings.xml");
	}
	rc = load_sst(&z, sst_part, &sst, err);
	if (rc < 0)
		goto out;
	c.s = s;
	c.sst = &sst;
	rc = load_sheet(&z, ws, &c, err);
out:
	rowb_release(&c.r);
	pgd_buf_release(&c.v);
	pgd_buf_release(&c.is);
	sst_release(&sst);
	rels_release(&top);
	rels_release(&wrels);
	free(wb);
	free(wb_dir);
	free(wrels_part);
	free(ws);
	free(sst_part);
	if (z.za)
		zip_discard(z.za);
	zip_error_fini(&zerr);
	return rc;
}

/* ---- entry points ---- */

int pgd_sheet_parse(const char *name, const void *data_, size_t len, enum pgd_sheet_format fmt,
                    const char *sheet, struct pgd_sheet *s, struct pgd_err *err)
{
	const char *data = data_ ? data_ : "";
	int rc;

	pgd_sheet_init(s);
	s->name = pgd_strdup(name ? name : "-");
	if (len > PGD_SHEET_MAX_BYTES) {
		rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, s->name, "表格文件超过 %zu MB，已拒绝",
		                 PGD_SHEET_MAX_BYTES >> 20);
		goto out;
	}
	if (fmt == PGD_SHEET_AUTO) {
		if (len >= 8 && memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
			rc = pgd_err_set(err, PGD_ERR_FORMAT, s->name,
			                 "这是旧版 Excel 文件（.xls），请在 Excel 中另存为 .xlsx "
			                 "或 CSV 后再导入");
			goto out;
		}
		fmt =
		    len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0 ? PGD_SHEET_XLSX : PGD_SHEET_CSV;
	}
	s->format = fmt;
	if (fmt == PGD_SHEET_XLSX)
		rc = xlsx_parse(s, data, len, sheet, err);
	else
		rc = csv_parse(s, data, len, err);
out:
	if (rc < 0) {
		char *n = s->name;
		s->name = NULL;
		pgd_sheet_release(s);
		s->name = n;
	}
	return rc;
}

int pgd_sheet_load(const char *path, enum pgd_sheet_format fmt, const char *sheet,
                   struct pgd_sheet *s, struct pgd_err *err)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 65536;
	int rc = 0, is_stdin = strcmp(path, "-") == 0;
	struct stat sb;

	pgd_sheet_init(s);
	f = is_stdin ? stdin : fopen(path, "rb");
	if (f == NULL) {
		rc = pgd_err_set(err, PGD_ERR_IO, path, "无法打开文件 %s：%s", path,
		                 strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode)) {
		if ((uint64_t)sb.st_size > PGD_SHEET_MAX_BYTES) {
			rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, path,
			                 "表格文件 %s 超过 %zu MB，已拒绝", path,
			                 PGD_SHEET_MAX_BYTES >> 20);
			goto out;
		}
		cap = (size_t)sb.st_size + 1;
	} else if (!is_stdin && fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		rc = pgd_err_set(err, PGD_ERR_IO, path, "%s 是目录，不是表格文件", path);
		goto out;
	}
	buf = pgd_malloc(cap);
	for (;;) {
		size_t n;
		if (len == cap) {
			if (cap > PGD_SHEET_MAX_BYTES) {
				rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, path,
				                 "表格文件 %s 超过 %zu MB，已拒绝", path,
				                 PGD_SHEET_MAX_BYTES >> 20);
				goto out;
			}
			cap *= 2;
			buf = pgd_realloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		rc = pgd_err_set(err, PGD_ERR_IO, path, "读取文件 %s 失败", path);
		goto out;
	}
	rc = pgd_sheet_parse(path, buf, len, fmt, sheet, s, err);
out:
	if (f && !is_stdin)
		fclose(f);
	free(buf);
	return rc;
}
