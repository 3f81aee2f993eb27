/* pubguard audit: check the audit log's hash chain.
 *   verify --db PATH   exit 0 intact, 1 broken (the message names the entry), 2 bad database
 *   append ...         developer/test tool: write one entry (no command writes entries yet) */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "pubguard/err.h"
#include "pubguard/store.h"
#include "cli/cli.h"
#include "core/banned.h"

static const char usage[] =
	"usage: pubguard audit verify --db PATH\n"
	"\n"
	"Recomputes the SM3 hash chain of the audit log and compares it with the stored links and\n"
	"the head record; names the first entry that was changed or deleted.\n"
	"\n"
	"  --db PATH   the pubguard database (SQLite file)\n"
	"\n"
	"exit status: 0 intact, 1 the log was tampered with, 2 bad usage or database\n"
	"\n"
	"developer/test tool (not for production use): append one entry, migrating the database:\n"
	"  pubguard audit append --db PATH --actor A --action X [--subject S] [--before JSON] [--after JSON]\n";

enum { OPT_DB = 1, OPT_ACTOR, OPT_ACTION, OPT_SUBJECT, OPT_BEFORE, OPT_AFTER };

static const struct option options[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"actor", required_argument, NULL, OPT_ACTOR},
	{"action", required_argument, NULL, OPT_ACTION},
	{"subject", required_argument, NULL, OPT_SUBJECT},
	{"before", required_argument, NULL, OPT_BEFORE},
	{"after", required_argument, NULL, OPT_AFTER},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int cmd_audit(int argc, char **argv)
{
	const char *sub, *db = NULL, *actor = NULL, *action = NULL, *subject = NULL, *before = NULL,
			  *after = NULL;
	struct pgd_store *st = NULL;
	struct pgd_err err = {0};
	struct stat sb;
	int c, rc, applied = 0, status = 2;

	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(sub, "verify") != 0 && strcmp(sub, "append") != 0) {
		fprintf(stderr, "pubguard audit: 未知子命令 '%s'\n%s", sub, usage);
		return 2;
	}
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_DB: db = optarg; break;
		case OPT_ACTOR: actor = optarg; break;
		case OPT_ACTION: action = optarg; break;
		case OPT_SUBJECT: subject = optarg; break;
		case OPT_BEFORE: before = optarg; break;
		case OPT_AFTER: after = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc - 1) {
		fprintf(stderr, "pubguard audit: 多余的参数 '%s'\n", argv[optind + 1]);
		return 2;
	}
	if (db == NULL) {
		fprintf(stderr, "pubguard audit: 请用 --db 指定数据库文件\n");
		return 2;
	}
	if (strcmp(sub, "verify") == 0 && (stat(db, &sb) != 0 || !S_ISREG(sb.st_mode))) {
		fprintf(stderr, "pubguard audit: 数据库文件 %s 不存在或不是普通文件\n", db);
		return 2;
	}
	rc = pgd_store_open(&st, db, &err);
	if (rc < 0)
		goto db_error;
	if (strcmp(sub, "append") == 0) {
		int64_t seq = 0;
		rc = pgd_store_migrate(st, &err);
		if (rc == 0)
			rc = pgd_audit_append(st, actor, action, subject, before, after, &seq, &err);
		if (rc < 0)
			goto db_error;
		printf("已追加审计记录第 %" PRId64 " 条\n", seq);
		status = 0;
		goto out;
	}
	rc = pgd_store_schema_version(st, &applied, &err);
	if (rc < 0)
		goto db_error;
	if (applied < 2) {
		fprintf(stderr, "pubguard audit: 数据库 %s 没有审计日志（数据库结构版本 %d，尚未迁移）\n", db, applied);
		goto out;
	}
	{
		int64_t bad = 0, n = 0;
		rc = pgd_audit_verify(st, &bad, &n, &err);
		if (rc == 0) {
			printf("审计日志完整：%" PRId64 " 条记录\n", n);
			status = 0;
		} else if (rc == PGD_ERR_INTEGRITY) {
			printf("审计日志校验失败：%s\n", err.message);
			status = 1;
		} else {
			goto db_error;
		}
	}
	goto out;
db_error:
	fprintf(stderr, "pubguard audit: %s：%s\n", db, err.message[0] ? err.message : pgd_strerror(rc));
	status = 2;
out:
	pgd_store_close(st);
	return status;
}
