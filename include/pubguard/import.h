/* Import of units, people and platforms from a roster table (CSV or XLSX, see sheet.h).
 *
 * The first row that names known columns is the header (title rows above it are skipped).
 * Columns are recognised by the Chinese names a roster has, or by the API's English field
 * names; "序号", "备注", "说明" are ignored; any other unknown column is an error.
 *   units:     单位名称* 单位类型* 上级单位 党组织
 *              (单位类型: 乡镇街道/市直部门/国家机关/人民团体/园区/企事业单位, or the English kind;
 *               上级单位 is a unit's name: an existing unit, or one listed earlier in the file)
 *   people:    姓名* 单位* 职务 人员类型* 联系电话   (人员类型: 正式/临聘/公益性岗位)
 *   platforms: 平台名称* 平台类型* 网址或账号* 网站标识码 是否认证 采集入口 所属单位* 管理员
 *              (平台类型: 网站/微信公众号/微博/客户端(APP)/抖音/今日头条/百家号/一点资讯/澎湃/其他;
 *               是否认证: 是/否; 管理员: the name of an active formal person of that unit)
 *
 * Every row is validated and every error collected (up to PGD_IMPORT_MAX_ERRORS) as (row
 * number as Excel shows it, column header as written in the file, Chinese message). Then, only
 * when there is none, all rows are written in one transaction through the store's registry
 * functions together with one audit entry ("import.units" / "import.people" /
 * "import.platforms", subject the file name, after {"imported":N,"kind":...}). Should the store
 * still refuse a row, that row is reported and everything is rolled back: nothing is ever
 * half-imported. A dry run does the same writes inside a transaction that is always rolled
 * back, so it finds everything a real import would, and writes nothing (and no audit entry). */
#ifndef PUBGUARD_IMPORT_H
#define PUBGUARD_IMPORT_H
#include <stddef.h>

#include "pubguard/err.h"
#include "pubguard/sheet.h"
#include "pubguard/store.h"

#define PGD_IMPORT_MAX_ERRORS 200

enum pgd_import_kind {
	PGD_IMPORT_UNITS,
	PGD_IMPORT_PEOPLE,
	PGD_IMPORT_PLATFORMS,
	PGD_IMPORT_APPROVED_ITEMS, /* Art. 14 review records: 平台ID|平台名称 标题* 链接 审核日期* 审签单号 */
	PGD_IMPORT_KIND_COUNT
};

/* "units" / "people" / "platforms" (static; NULL out of range) and parse (0 or PGD_ERR_INVALID). */
const char *pgd_import_kind_name(enum pgd_import_kind k);
int pgd_import_kind_parse(const char *word, enum pgd_import_kind *out);

struct pgd_import_error {
	unsigned row;      /* Excel row number; the header row for a missing or unknown column */
	char column[128];  /* header as written in the file (or the expected name when missing) */
	char message[384]; /* Chinese */
};

struct pgd_import_result {
	size_t imported;                 /* rows written (dry run: rows that would be) */
	struct pgd_import_error *errors; /* nerrors entries, in row order; owned */
	size_t nerrors;
	size_t total_errors; /* may exceed nerrors (only the first 200 are kept) */
};

void pgd_import_result_release(struct pgd_import_result *r); /* NULL ok */

/* Import the rows of sheet. actor: who (for the audit entry); subject: the file name.
 * Returns 0 when imported (or, dry run, when it would be); PGD_ERR_FORMAT when rows are bad
 * (res->errors lists them; err->message is "第3行: ...（共 N 处错误）"); other negative codes
 * when the database fails. res is filled in every case: pgd_import_result_release(). */
int pgd_import_sheet(struct pgd_store *st, enum pgd_import_kind kind, const struct pgd_sheet *sheet,
                     const char *actor, const char *subject, int dry_run,
                     struct pgd_import_result *res, struct pgd_err *err);

#endif
