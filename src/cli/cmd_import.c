/* pubguard import --db PATH (units|people|platforms|approved_items) FILE [--dry-run] [--sheet NAME]
 * Imports a roster (CSV or XLSX) into the registry: all rows or none. Bad rows are listed as
 * "FILE:ROW: 列「COLUMN」: message" on stderr. Exit 0 imported (or, dry run, would be),
 * 2 bad usage, bad file, bad rows or a database failure. */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pubguard/err.h"
#include "pubguard/import.h"
#include "pubguard/sheet.h"
#include "pubguard/store.h"
#include "cli/cli.h"
#include "core/banned.h"

static const char usage[] =
    "usage: pubguard import --db PATH (units|people|platforms|approved_items) FILE [--dry-run] [--sheet NAME]\n"
    "\n"
    "Imports units, people, platforms or approved items from a CSV file (UTF-8 or GBK, as Excel saves it) or an\n"
    "Excel .xlsx workbook (the first worksheet, or --sheet NAME). The first row that names known\n"
    "columns is the header:\n"
    "  units      单位名称* 单位类型* 上级单位 党组织\n"
    "  people     姓名* 单位* 职务 人员类型* 联系电话\n"
    "  platforms  平台名称* 平台类型* 网址或账号* 网站标识码 是否认证 采集入口 所属单位* 管理员\n"
    "(* required; the API's English field names are accepted too). Every row is checked; if any\n"
    "is wrong, each problem is listed as FILE:ROW: 列「COLUMN」: message and nothing is imported.\n"
    "\n"
    "  --db PATH     the pubguard database (created and migrated when needed)\n"
    "  --dry-run     check only: write nothing\n"
    "  --sheet NAME  the worksheet of an .xlsx file to read\n"
    "\n"
    "exit status: 0 imported, 2 bad usage, bad file or rows, or a database failure\n";

enum { OPT_DB = 1, OPT_DRY, OPT_SHEET };

static const struct option options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"dry-run", no_argument, NULL, OPT_DRY},
    {"sheet", required_argument, NULL, OPT_SHEET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_import(int argc, char **argv)
{
	const char *db = NULL, *sheet_name = NULL, *word, *file;
	enum pgd_import_kind kind;
	struct pgd_store *st = NULL;
	struct pgd_sheet sheet;
	struct pgd_import_result res = {0};
	struct pgd_err err = {0};
	struct passwd *pw;
	char actor[96];
	int c, rc, dry = 0, status = 2;

	pgd_sheet_init(&sheet);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db = optarg;
			break;
		case OPT_DRY:
			dry = 1;
			break;
		case OPT_SHEET:
			sheet_name = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr,
		        "pubguard import: 需要两个参数：导入类型（units、people 或 "
		        "platforms）和文件\n%s",
		        usage);
		return 2;
	}
	word = argv[optind];
	file = argv[optind + 1];
	if (pgd_import_kind_parse(word, &kind) < 0) {
		fprintf(stderr,
		        "pubguard import: 未知的导入类型 '%s'（应为 units、people、platforms 或 approved_items）\n",
		        word);
		return 2;
	}
	if (db == NULL) {
		fprintf(stderr, "pubguard import: 请用 --db 指定数据库文件\n");
		return 2;
	}
	rc = pgd_sheet_load(file, PGD_SHEET_AUTO, sheet_name, &sheet, &err);
	if (rc < 0) {
		fprintf(stderr, "pubguard import: %s: %s\n", file,
		        err.message[0] ? err.message : pgd_strerror(rc));
		goto out;
	}
	rc = pgd_store_open(&st, db, &err);
	if (rc == 0)
		rc = pgd_store_migrate(st, &err);
	if (rc < 0) {
		fprintf(stderr, "pubguard import: %s: %s\n", db,
		        err.message[0] ? err.message : pgd_strerror(rc));
		goto out;
	}
	pw = getpwuid(geteuid());
	snprintf(actor, sizeof(actor), "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
	rc = pgd_import_sheet(st, kind, &sheet, actor, file, dry, &res, &err);
	if (rc == PGD_ERR_FORMAT && res.nerrors > 0) {
		for (size_t i = 0; i < res.nerrors; i++) {
			const struct pgd_import_error *e = &res.errors[i];
			if (e->column[0])
				fprintf(stderr, "%s:%u: 列「%s」: %s\n", file, e->row, e->column,
				        e->message);
			else
				fprintf(stderr, "%s:%u: %s\n", file, e->row, e->message);
		}
		if (res.total_errors > res.nerrors)
			fprintf(stderr, "%s: 另有 %zu 处错误未列出\n", file,
			        res.total_errors - res.nerrors);
		fprintf(stderr, "pubguard import: %s 有 %zu 处错误，未导入任何数据\n", file,
		        res.total_errors);
		goto out;
	}
	if (rc < 0) {
		fprintf(stderr, "pubguard import: %s: %s\n", db,
		        err.message[0] ? err.message : pgd_strerror(rc));
		goto out;
	}
	if (dry)
		printf("检查通过：可导入 %zu 条（试运行，未写入）\n", res.imported);
	else
		printf("导入 %zu 条\n", res.imported);
	status = 0;
out:
	pgd_import_result_release(&res);
	pgd_sheet_release(&sheet);
	pgd_store_close(st);
	return status;
}
