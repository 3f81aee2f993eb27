/* POST /api/v1/import/{units|people|platforms|approved_items}[?dry_run=1][&filename=NAME]
 * The body is the file itself: XLSX when it starts with the zip magic "PK\x03\x04", else CSV
 * (any charset pgd_text_decode reads). filename (optional) names the file in messages and in
 * the audit entry. 200 {"imported":N,"dry_run":bool}; bad rows 422 with error.rows listing
 * every one (nothing imported); an unreadable file 422 (format) or 413 (too_large). */
#include <string.h>

#include <jansson.h>

#include "pubguard/import.h"
#include "pubguard/sheet.h"
#include "pubguard/utf8.h"
#include "server/handlers.h"
#include "core/banned.h"

/* The file name for messages and the audit entry: ?filename= when it is sane, else a
 * default by format. */
static void file_name(struct pgd_req *rq, int xlsx, char out[256])
{
	const char *q = pgd_req_query(rq, "filename");
	size_t n = q ? strlen(q) : 0;
	int ok = n > 0 && n < 256 && pgd_utf8_valid(q, n);
	for (size_t i = 0; ok && i < n; i++)
		if ((unsigned char)q[i] < 0x20 || q[i] == 0x7F || q[i] == '/' || q[i] == '\\')
			ok = 0;
	snprintf(out, 256, "%s", ok ? q : xlsx ? "上传的表格.xlsx" : "上传的表格.csv");
}

void h_import(struct pgd_req *rq, struct pgd_resp *rs)
{
	enum pgd_import_kind kind;
	struct pgd_sheet sheet;
	struct pgd_import_result res = {0};
	struct pgd_err err = {0};
	char name[256];
	int64_t dry = 0;
	int rc, xlsx;

	pgd_sheet_init(&sheet);
	if (pgd_import_kind_parse(rq->word, &kind) < 0) {
		pgd_reply_error(rs, 404, "not_found", NULL,
		                "没有「%s」这种导入类型（应为 units、people、platforms 或 approved_items）",
		                rq->word ? rq->word : "");
		goto out;
	}
	if (pgd_req_query_int(rq, rs, "dry_run", 0, &dry) < 0)
		goto out;
	if (dry != 0 && dry != 1) {
		pgd_reply_error(rs, 400, "invalid", "dry_run", "dry_run 只能是 0 或 1");
		goto out;
	}
	if (rq->body == NULL || rq->body_len == 0) {
		pgd_reply_error(rs, 400, "invalid", NULL,
		                "请求中没有文件：请把 CSV 或 XLSX 文件作为请求内容上传");
		goto out;
	}
	xlsx = rq->body_len >= 4 && memcmp(rq->body, "PK\x03\x04", 4) == 0;
	file_name(rq, xlsx, name);
	rc = pgd_sheet_parse(name, rq->body, rq->body_len, xlsx ? PGD_SHEET_XLSX : PGD_SHEET_AUTO,
	                     NULL, &sheet, &err);
	if (rc < 0) {
		err.field[0] = '\0'; /* the field is the file, not a JSON field */
		pgd_reply_err(rs, rc, &err);
		goto out;
	}
	rc = pgd_import_sheet(rq->st, kind, &sheet, rq->who ? rq->who->username : NULL, name,
	                      (int)dry, &res, &err);
	if (rc == 0) {
		pgd_reply_json(rs, 200,
		               json_pack("{s:I, s:b}", "imported", (json_int_t)res.imported,
		                         "dry_run", (int)dry));
	} else if (rc == PGD_ERR_FORMAT && res.nerrors > 0) {
		json_t *rows = json_array();
		for (size_t i = 0; i < res.nerrors; i++)
			json_array_append_new(rows, json_pack("{s:I, s:s, s:s}", "row",
			                                      (json_int_t)res.errors[i].row,
			                                      "column", res.errors[i].column,
			                                      "message", res.errors[i].message));
		pgd_reply_json(rs, 422,
		               json_pack("{s:{s:s, s:s, s:n, s:o, s:I}}", "error", "code", "format",
		                         "message", err.message, "field", "rows", rows, "total",
		                         (json_int_t)res.total_errors));
	} else {
		err.field[0] = '\0';
		pgd_reply_err(rs, rc, &err);
	}
out:
	pgd_import_result_release(&res);
	pgd_sheet_release(&sheet);
}
