/* pubguard patrol now PLATFORM_ID [--db F] [--timeout S]: ask the workers to patrol one platform
 * at once (a job with period "now:<unix seconds>"), show its progress on stderr until it is done
 * or failed, then print its counts. Exit 0 done, 1 failed, 2 bad arguments, 4 when no worker
 * took the job within --timeout seconds (default 120). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/patrol_store.h"
#include "pubguard/store.h"
#include "cli/cli.h"
#include "core/banned.h"

static const char usage[] =
	"usage: pubguard patrol now PLATFORM_ID [--db PATH] [--timeout S]\n"
	"\n"
	"Queues a patrol of one platform for the workers (`pubguard serve --workers N` or\n"
	"`pubguard worker`), shows its progress and prints its counts when it is done.\n"
	"  --db PATH     the database, default var/pubguard.db\n"
	"  --timeout S   give up (exit 4) when no worker has taken the job after S seconds (default 120)\n"
	"exit status: 0 done, 1 failed, 2 bad arguments, 4 no worker took the job\n";

static const struct option options[] = {
	{"db", required_argument, NULL, 'd'},
	{"timeout", required_argument, NULL, 't'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int parse_pos(const char *s, long max, long *out)
{
	char *end = NULL;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 1 || v > max)
		return -1;
	*out = v;
	return 0;
}

static void bar(const struct pgd_patrol_job *j, int tty)
{
	int width = 30, filled = 0;
	if (j->progress_total > 0)
		filled = (int)(j->progress_done * width / (j->progress_total > j->progress_done ? j->progress_total
											: j->progress_done));
	fprintf(stderr, "%s[", tty ? "\r" : "");
	for (int i = 0; i < width; i++)
		fputc(i < filled ? '#' : '.', stderr);
	fprintf(stderr, "] %" PRId64 "/%" PRId64 " %s%s", j->progress_done, j->progress_total,
		strcmp(j->status, "queued") == 0 ? "等待工作进程" : "巡查中", tty ? "   " : "\n");
	fflush(stderr);
}

int pgd_cmd_patrol_now(int argc, char **argv)
{
	const char *db = "var/pubguard.db";
	struct pgd_store *st = NULL;
	struct pgd_platform p = {0};
	struct pgd_patrol_job job = {0};
	struct pgd_err err = {0};
	char *feed = NULL, period[48];
	long timeout = 120, pid = 0;
	int64_t id = 0;
	int c, status = 1, tty = isatty(2), rc;
	time_t start, last_print = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 't':
			if (parse_pos(optarg, 86400, &timeout) < 0) {
				fprintf(stderr, "pubguard patrol now: --timeout 应为 1 到 86400 之间的秒数（收到 '%s'）\n", optarg);
				return 2;
			}
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1 || parse_pos(argv[optind], 999999999L, &pid) < 0) {
		fprintf(stderr, "pubguard patrol now: 需要一个平台编号（正整数）\n%s", usage);
		return 2;
	}
	rc = pgd_store_open(&st, db, &err);
	if (rc == 0)
		rc = pgd_store_migrate(st, &err);
	if (rc == 0)
		rc = pgd_platform_get(st, pid, &p, &err);
	if (rc == 0)
		rc = pgd_patrol_feed_get(st, pid, &feed, &err);
	if (rc < 0) {
		fprintf(stderr, "pubguard patrol now: %s\n", err.message);
		status = rc == PGD_ERR_NOT_FOUND ? 2 : 1;
		goto out;
	}
	if (!p.active || (p.type != PGD_PLATFORM_WEBSITE && (feed == NULL || *feed == '\0'))) {
		fprintf(stderr, "pubguard patrol now: 平台「%s」%s，无法巡查\n", p.name,
			!p.active ? "已关停" : "不是网站且未设置订阅源地址");
		status = 2;
		goto out;
	}
	start = time(NULL);
	snprintf(period, sizeof(period), "now:%lld", (long long)start);
	rc = pgd_store_begin(st, &err);
	if (rc == 0)
		rc = pgd_patrol_job_active(st, pid, "patrol", &id, &err);
	if (rc == 0 && id == 0) {
		rc = pgd_patrol_job_enqueue(st, pid, "patrol", period, "cli", start, &id, &err);
		if (rc == 0 && id > 0) {
			char subject[64], after[160];
			snprintf(subject, sizeof(subject), "platform:%ld", pid);
			snprintf(after, sizeof(after), "{\"job_id\":%" PRId64 ",\"period\":\"%s\"}", id, period);
			rc = pgd_audit_append(st, "cli", "patrol.run", subject, NULL, after, NULL, &err);
		}
	} else if (rc == 0) {
		fprintf(stderr, "平台「%s」已有进行中的巡查任务（编号 %" PRId64 "），跟踪该任务\n", p.name, id);
	}
	rc = rc == 0 ? pgd_store_commit(st, &err) : (pgd_store_rollback(st, NULL), rc);
	if (rc == 0 && id == 0)
		rc = pgd_err_set(&err, PGD_ERR_CONFLICT, NULL, "本秒内已创建过该平台的巡查任务，请稍后再试");
	if (rc < 0) {
		fprintf(stderr, "pubguard patrol now: %s\n", err.message);
		goto out;
	}
	for (;;) {
		struct timespec ts = {0, 300 * 1000 * 1000};
		pgd_patrol_job_release(&job);
		rc = pgd_patrol_job_get(st, id, &job, &err);
		if (rc < 0) {
			fprintf(stderr, "\npubguard patrol now: %s\n", err.message);
			goto out;
		}
		if (strcmp(job.status, "done") == 0 || strcmp(job.status, "failed") == 0)
			break;
		if (strcmp(job.status, "queued") == 0 && time(NULL) - start >= timeout) {
			fprintf(stderr, "%spubguard patrol now: %ld 秒内没有工作进程接手巡查任务 %" PRId64
				"（任务仍在队列中）。请运行 `pubguard serve --workers N` 或 `pubguard worker`\n",
				tty ? "\n" : "", timeout, id);
			status = 4;
			goto out;
		}
		if (tty || time(NULL) - last_print >= 5) {
			bar(&job, tty);
			last_print = time(NULL);
		}
		nanosleep(&ts, NULL);
	}
	if (tty)
		fputc('\n', stderr);
	if (strcmp(job.status, "done") == 0) {
		printf("巡查完成：任务 %" PRId64 "，页面 %" PRId64 "，链接 %" PRId64 "，问题 %" PRId64 "\n", job.id, job.pages,
			job.links, job.findings);
		status = 0;
	} else {
		printf("巡查失败：任务 %" PRId64 "（%s）\n", job.id, job.error ? job.error : "原因不明");
		status = 1;
	}
out:
	pgd_patrol_job_release(&job);
	pgd_platform_release(&p);
	free(feed);
	pgd_store_close(st);
	return status;
}
