/* libFuzzer driver: the table reader (CSV and XLSX).
 * Input starting with "PK" is a whole file (XLSX); input starting with 'X' has the rest taken
 * as xl/worksheets/sheet1.xml and packed with a small workbook and shared strings, so the
 * fuzzer reaches the worksheet walker without having to get zip CRCs right; anything else
 * is a CSV file. Checks the reader's promises: caps, row numbers, no empty trailing cells. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "pubguard/err.h"
#include "pubguard/sheet.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ct[] = "<?xml version=\"1.0\"?><Types "
                         "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
static const char top[] =
    "<?xml version=\"1.0\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
    "Target=\"xl/workbook.xml\"/></Relationships>";
static const char wb[] =
    "<?xml version=\"1.0\"?><workbook "
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
    "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char wbrels[] =
    "<?xml version=\"1.0\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
    "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" "
    "Target=\"sharedStrings.xml\"/></Relationships>";
static const char sst[] =
    "<?xml version=\"1.0\"?><sst "
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<si><t>单位名称</t></si><si><r><t>a</t></r><r><t>b</t></r></si><si><t/></si></sst>";

static int add(zip_t *za, const char *name, const void *p, size_t n)
{
	zip_source_t *s = zip_source_buffer(za, p, n, 0);
	if (s == NULL || zip_file_add(za, name, s, 0) < 0) {
		zip_source_free(s);
		return -1;
	}
	return 0;
}

/* Pack data as the worksheet of a minimal workbook. new: *out (free()). */
static int pack(const uint8_t *data, size_t size, void **out, size_t *out_len)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	zip_stat_t st;
	void *buf = NULL;
	int rc = -1;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	if (src == NULL)
		goto out;
	zip_source_keep(src);
	za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	if (za == NULL)
		goto free_src;
	if (add(za, "[Content_Types].xml", ct, sizeof(ct) - 1) < 0 ||
	    add(za, "_rels/.rels", top, sizeof(top) - 1) < 0 ||
	    add(za, "xl/workbook.xml", wb, sizeof(wb) - 1) < 0 ||
	    add(za, "xl/_rels/workbook.xml.rels", wbrels, sizeof(wbrels) - 1) < 0 ||
	    add(za, "xl/sharedStrings.xml", sst, sizeof(sst) - 1) < 0 ||
	    add(za, "xl/worksheets/sheet1.xml", data, size) < 0 || zip_close(za) < 0) {
		zip_discard(za);
		goto free_src;
	}
	if (zip_source_stat(src, &st) < 0 || zip_source_open(src) < 0)
		goto free_src;
	buf = malloc(st.size ? st.size : 1);
	if (buf && zip_source_read(src, buf, st.size) == (zip_int64_t)st.size) {
		*out = buf;
		*out_len = st.size;
		buf = NULL;
		rc = 0;
	}
	zip_source_close(src);
free_src:
	zip_source_free(src);
out:
	free(buf);
	zip_error_fini(&ze);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgd_err err;
	struct pgd_sheet s;
	void *packed = NULL;
	size_t plen = 0, ncols = 0;

	if (size >= 1 && data[0] == 'X') {
		if (pack(data + 1, size - 1, &packed, &plen) < 0)
			return 0;
		data = packed;
		size = plen;
	}
	if (pgd_sheet_parse("fuzz", data, size, PGD_SHEET_AUTO, NULL, &s, &err) == 0) {
		if (s.nrows > PGD_SHEET_MAX_ROWS)
			abort();
		for (size_t i = 0; i < s.nrows; i++) {
			const struct pgd_sheet_row *r = &s.rows[i];
			if (r->line == 0 || r->ncells == 0 || r->ncells > PGD_SHEET_MAX_COLS ||
			    r->cells[r->ncells - 1] == NULL)
				abort();
			if (s.format == PGD_SHEET_CSV && i > 0 && r->line <= s.rows[i - 1].line)
				abort();
			for (size_t k = 0; k < r->ncells; k++)
				if (r->cells[k] && (r->cells[k][0] == '\0' ||
				                    strlen(r->cells[k]) > PGD_SHEET_MAX_CELL))
					abort();
			if (r->ncells > ncols)
				ncols = r->ncells;
		}
		if (ncols != s.ncols)
			abort();
	}
	pgd_sheet_release(&s);
	free(packed);
	return 0;
}
