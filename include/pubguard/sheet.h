/* Tables read from CSV or Excel .xlsx files (the rosters offices keep): rows of UTF-8 cells,
 * each row numbered as the user sees it in Excel.
 *
 * CSV: RFC 4180 (quoted fields, doubled quotes, commas and line breaks inside quotes, CRLF or
 * LF), comma-separated (tab-separated when the first line has tabs and no comma); UTF-8 with
 * or without a BOM, GBK/GB18030 (what Excel saves in China) or UTF-16 with a BOM, through
 * pgd_text_decode. Row number = record number (a quoted line break does not start a row).
 *
 * XLSX: one worksheet (the first, or the one named), with shared strings, inline strings,
 * numbers (as written in the file, e.g. "13800138000"), booleans ("TRUE"/"FALSE"), formula
 * results and error values; cell references ("C7") place cells, so empty cells keep their
 * columns and missing rows keep their numbers. Dates stay the serial numbers Excel stores.
 * Read with the same zip and XML safety as the .docx reader: a cap on the uncompressed size
 * (zip bombs refused), no DTDs, no network, no entity expansion.
 *
 * Caps: PGD_SHEET_MAX_BYTES input, PGD_SHEET_MAX_ROWS rows, PGD_SHEET_MAX_COLS columns,
 * PGD_SHEET_MAX_CELL bytes per cell: beyond them PGD_ERR_TOO_LARGE. Damaged input is
 * PGD_ERR_FORMAT (naming the zip part or the CSV row), undecodable text PGD_ERR_ENCODING.
 * Messages are Chinese; err->field is the file name. */
#ifndef PUBGUARD_SHEET_H
#define PUBGUARD_SHEET_H
#include <stddef.h>

#include "pubguard/err.h"

#define PGD_SHEET_MAX_BYTES ((size_t)16 << 20)
#define PGD_SHEET_MAX_ROWS 100000
#define PGD_SHEET_MAX_COLS 200
#define PGD_SHEET_MAX_CELL ((size_t)32 << 10)

enum pgd_sheet_format { PGD_SHEET_AUTO = 0, PGD_SHEET_CSV, PGD_SHEET_XLSX };

struct pgd_sheet_row {
	unsigned line; /* row number as Excel shows it (1-based) */
	char **cells;  /* ncells entries; NULL for an empty cell. Trailing empty cells dropped */
	size_t ncells;
};

struct pgd_sheet {
	char *name; /* file name as given */
	enum pgd_sheet_format format;
	char charset[32]; /* CSV: the charset decoded ("UTF-8", "GB18030"); XLSX: "UTF-8" */
	char *sheet_name; /* XLSX: the worksheet read; NULL for CSV */
	struct pgd_sheet_row *rows; /* in file order; rows with no cells at all may be absent */
	size_t nrows, rows_cap;
	size_t ncols; /* widest row's ncells */
};

void pgd_sheet_init(struct pgd_sheet *s);
void pgd_sheet_release(struct pgd_sheet *s); /* frees everything; NULL ok; s is left empty */

/* Parse bytes in memory. fmt AUTO: the zip magic "PK\x03\x04" means XLSX, anything else CSV.
 * sheet: the XLSX worksheet's name (NULL: the first); ignored for CSV. name (for messages) is
 * copied. On error s is left empty and err says what is wrong. */
int pgd_sheet_parse(const char *name, const void *data, size_t len, enum pgd_sheet_format fmt,
                    const char *sheet, struct pgd_sheet *s, struct pgd_err *err);
/* Read a file ("-" = stdin) and parse it; files over PGD_SHEET_MAX_BYTES are refused without
 * being read whole. */
int pgd_sheet_load(const char *path, enum pgd_sheet_format fmt, const char *sheet,
                   struct pgd_sheet *s, struct pgd_err *err);

/* Cell (row index, column index), "" when absent or empty. borrowed. */
const char *pgd_sheet_cell(const struct pgd_sheet *s, size_t row, size_t col);
/* Column letters for a 0-based index ("A", "Z", "AA"); out has room for 8 bytes. */
void pgd_sheet_col_name(size_t col, char out[8]);

#endif
