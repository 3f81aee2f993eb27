/* pubguard workers add|list|revoke: the patrol workers allowed to take jobs from the server's
 * worker API. add prints a new token once (only its SM3 is stored); give it to the worker as
 * its --token-file (chmod 600). revoke stops a token at once. Both are audited (actor "cli"). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/patrol_store.h"
#include "pubguard/store.h"
#include "cli/cli.h"
#include "core/banned.h"

static const char usage[] =
	"usage: pubguard workers add NAME [--db PATH]\n"
	"       pubguard workers list [--db PATH]\n"
	"       pubguard workers revoke NAME [--db PATH]\n"
	"\n"
	"add registers a patrol worker and prints its token (once: keep it in a file with chmod 600 and\n"
	"pass it as `pubguard worker --token-file`); list shows the workers; revoke withdraws a token.\n"
	"  --db PATH   the database, default var/pubguard.db\n";

static const struct option options[] = {
	{"db", required_argument, NULL, 'd'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int audit(struct pgd_store *st, const char *action, const char *name, struct pgd_err *err)
{
	char subject[96], after[160];
	snprintf(subject, sizeof(subject), "worker:%s", name);
	snprintf(after, sizeof(after), "{\"name\":\"%s\"}", name); /* names are [A-Za-z0-9._-] */
	return pgd_audit_append(st, "cli", action, subject, NULL, after, NULL, err);
}

int pgd_cmd_workers(int argc, char **argv)
{
	const char *db = "var/pubguard.db", *sub, *name = NULL;
	struct pgd_store *st = NULL;
	struct pgd_err err = {0};
	int c, rc, status = 1;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", options, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc - 1)
		name = argv[1 + optind++];
	if (optind < argc - 1) {
		fprintf(stderr, "pubguard workers: 多余的参数 '%s'\n", argv[1 + optind]);
		return 2;
	}
	if (strcmp(sub, "list") != 0 && strcmp(sub, "add") != 0 && strcmp(sub, "revoke") != 0) {
		fprintf(stderr, "pubguard workers: 未知子命令 '%s'（应为 add、list 或 revoke）\n", sub);
		return 2;
	}
	if (strcmp(sub, "list") != 0 && name == NULL) {
		fprintf(stderr, "pubguard workers %s: 需要工作进程名称\n", sub);
		return 2;
	}
	rc = pgd_store_open(&st, db, &err);
	if (rc == 0)
		rc = pgd_store_migrate(st, &err);
	if (rc < 0)
		goto fail;
	if (strcmp(sub, "add") == 0) {
		char token[65], hash[65];
		pgd_patrol_secret_new(token);
		pgd_patrol_secret_hash(token, hash);
		rc = pgd_store_begin(st, &err);
		if (rc == 0)
			rc = pgd_patrol_worker_add(st, name, hash, 0, NULL, &err);
		if (rc == 0)
			rc = audit(st, "worker.add", name, &err);
		rc = rc == 0 ? pgd_store_commit(st, &err) : (pgd_store_rollback(st, NULL), rc);
		if (rc == 0) {
			printf("%s\n", token);
			fflush(stdout);
			fprintf(stderr, "已登记工作进程「%s」；上面是它的令牌（只显示这一次），请存入权限为 600 的文件\n", name);
		}
		pgd_wipe(token, sizeof(token));
	} else if (strcmp(sub, "revoke") == 0) {
		rc = pgd_store_begin(st, &err);
		if (rc == 0)
			rc = pgd_patrol_worker_revoke(st, name, &err);
		if (rc == 0)
			rc = audit(st, "worker.revoke", name, &err);
		rc = rc == 0 ? pgd_store_commit(st, &err) : (pgd_store_rollback(st, NULL), rc);
		if (rc == 0)
			fprintf(stderr, "已吊销工作进程「%s」的令牌\n", name);
	} else {
		struct pgd_patrol_worker *w = NULL;
		size_t n = 0;
		rc = pgd_patrol_worker_list(st, &w, &n, &err);
		if (rc == 0) {
			printf("%-24s %-22s %-22s %s\n", "NAME", "CREATED", "LAST SEEN", "STATUS");
			for (size_t i = 0; i < n; i++)
				printf("%-24s %-22s %-22s %s\n", w[i].name, w[i].created_at, w[i].last_seen_at[0] ? w[i].last_seen_at : "-",
					w[i].revoked_at[0] ? "revoked" : "active");
		}
		free(w);
	}
	if (rc < 0)
		goto fail;
	status = 0;
	goto out;
fail:
	fprintf(stderr, "pubguard workers: %s\n", err.message);
	status = rc == PGD_ERR_INVALID ? 2 : 1;
out:
	pgd_store_close(st);
	return status;
}
