/* pubguard db: database maintenance.
 *   db migrate --db PATH        apply pending migrations (creating the database)
 *   db backup --db PATH FILE    online, consistent copy into FILE (must not exist) */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "pubguard/accounts.h"
#include "pubguard/err.h"
#include "pubguard/store.h"
#include "cli/cli.h"
#include "core/banned.h"

static const char usage[] =
	"usage: pubguard db migrate --db PATH\n"
	"       pubguard db backup --db PATH FILE\n"
	"\n"
	"migrate applies every pending schema migration (creating the database if missing).\n"
	"backup copies the whole database into FILE (which must not exist) while the server keeps\n"
	"running; the copy is consistent (one read transaction).\n";

static const struct option options[] = {
	{"db", required_argument, NULL, 'd'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int cmd_db(int argc, char **argv)
{
	const char *sub, *db = NULL, *file = NULL;
	struct pgd_store *st = NULL;
	struct pgd_err err = {0};
	struct stat sb;
	int c, rc, status = 1, applied = 0;

	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(sub, "migrate") != 0 && strcmp(sub, "backup") != 0) {
		fprintf(stderr, "pubguard db: 未知子命令 '%s'\n%s", sub, usage);
		return 2;
	}
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", options, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (db == NULL) {
		fprintf(stderr, "pubguard db: 请用 --db 指定数据库文件\n");
		return 2;
	}
	if (strcmp(sub, "backup") == 0) {
		if (optind != argc - 2) {
			fprintf(stderr, "pubguard db: backup 需要且只需要一个目标文件\n%s", usage);
			return 2;
		}
		file = argv[optind + 1];
		if (stat(db, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			fprintf(stderr, "pubguard db: 数据库文件 %s 不存在或不是普通文件\n", db);
			return 2;
		}
	} else if (optind < argc - 1) {
		fprintf(stderr, "pubguard db: 多余的参数 '%s'\n", argv[optind + 1]);
		return 2;
	}
	rc = pgd_store_open(&st, db, &err);
	if (rc < 0)
		goto fail;
	if (file) {
		rc = pgd_store_backup(st, file, &err);
		if (rc < 0)
			goto fail;
		printf("已将数据库 %s 备份到 %s\n", db, file);
	} else {
		rc = pgd_store_migrate(st, &err);
		if (rc == 0)
			rc = pgd_store_schema_version(st, &applied, &err);
		if (rc < 0)
			goto fail;
		printf("数据库 %s 已迁移到结构版本 %d\n", db, applied);
	}
	status = 0;
	goto out;
fail:
	fprintf(stderr, "pubguard db: %s\n", err.message);
	status = rc == PGD_ERR_CONFLICT || rc == PGD_ERR_INVALID ? 2 : 1;
out:
	pgd_store_close(st);
	return status;
}
