/* pubguard patrol items FILE: patrol an account that has no feed from an export of its posts
 * (CSV/XLSX/JSON): cadence (Art. 6: feed.not_weekly, feed.zombie), the content checker on each
 * post, and with --approved the posts that match no approved item (Art. 14:
 * publish.unreviewed, by the store's matching rules). Output as `pubguard patrol`.
 * Exit 0 when nothing was found, 1 when something was, 2 on bad usage or bad input. */
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pubguard/check.h"
#include "pubguard/doc.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "pubguard/sheet.h"
#include "cli/cli.h"
#include "core/banned.h"

static const char usage[] =
	"usage: pubguard patrol items FILE [--approved FILE] [--as-of YYYY-MM-DD] [--json]\n"
	"                             [--data-dir DIR] [--no-content]\n"
	"\n"
	"Patrols an account without a feed from an export of its posts: a CSV (UTF-8 or GBK) or\n"
	"XLSX table with the columns 发布时间* 标题 链接 正文 (or published, title, link, content),\n"
	"or a JSON array of objects with those keys.\n"
	"\n"
	"  --approved FILE  approved items (CSV/XLSX: 标题 链接 审核日期 [正文]); posts matching none\n"
	"                   (same URL, same title, or near-identical content) are publish.unreviewed\n"
	"  --as-of DATE     the day the patrol is made for (default: today)\n"
	"  --json           one JSON object per finding per line\n"
	"  --data-dir DIR   data (patrol/thresholds.tsv, checker rules; default: $PGD_DATA_DIR)\n"
	"  --no-content     do not run the content checker on the posts\n"
	"\n"
	"exit status: 0 nothing found, 1 findings, 2 bad usage or input\n";

/* ---- the approved file ---- */

struct approved {
	struct pgd_sheet sh;
	struct pgd_approved_ref *v;
	size_t n;
};

static int header_col(const char *h, const char *const *names)
{
	char norm[64];
	size_t n = 0;
	for (const char *p = h; *p && n + 1 < sizeof(norm); p++)
		if (*p != ' ' && *p != '*')
			norm[n++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
	norm[n] = '\0';
	for (size_t i = 0; names[i]; i++)
		if (strcmp(norm, names[i]) == 0)
			return 1;
	return 0;
}

/* Load the approved items: header 标题 (or 链接) required; 审核日期 and other columns are read
 * for the eye only; 正文 gives the SimHash. 0, or -1 with a message printed. */
static int load_approved(const char *path, struct approved *a)
{
	static const char *const t_names[] = {"标题", "title", NULL};
	static const char *const l_names[] = {"链接", "网址", "url", "link", NULL};
	static const char *const c_names[] = {"正文", "内容", "content", NULL};
	struct pgd_err err = {0};
	long ct = -1, cl = -1, cc = -1;
	size_t header = (size_t)-1;
	int rc = 0;

	pgd_sheet_init(&a->sh);
	if (pgd_sheet_load(path, PGD_SHEET_AUTO, NULL, &a->sh, &err) < 0) {
		fprintf(stderr, "pubguard patrol items: %s\n", err.message);
		return -1;
	}
	for (size_t r = 0; r < a->sh.nrows && r < 10 && header == (size_t)-1; r++) {
		ct = cl = cc = -1;
		for (size_t k = 0; k < a->sh.rows[r].ncells; k++) {
			const char *h = pgd_sheet_cell(&a->sh, r, k);
			if (ct < 0 && header_col(h, t_names))
				ct = (long)k;
			else if (cl < 0 && header_col(h, l_names))
				cl = (long)k;
			else if (cc < 0 && header_col(h, c_names))
				cc = (long)k;
		}
		if (ct >= 0 || cl >= 0)
			header = r;
	}
	if (header == (size_t)-1) {
		fprintf(stderr, "pubguard patrol items: 审核备案文件 %s 的前 10 行中找不到表头（应有「标题」或「链接」列）\n",
			path);
		return -1;
	}
	a->v = pgd_calloc(a->sh.nrows ? a->sh.nrows : 1, sizeof(*a->v));
	for (size_t r = header + 1; r < a->sh.nrows && rc == 0; r++) {
		const char *t = ct >= 0 ? pgd_sheet_cell(&a->sh, r, (size_t)ct) : "";
		const char *l = cl >= 0 ? pgd_sheet_cell(&a->sh, r, (size_t)cl) : "";
		const char *c = cc >= 0 ? pgd_sheet_cell(&a->sh, r, (size_t)cc) : "";
		int any = 0;
		for (size_t k = 0; k < a->sh.rows[r].ncells && !any; k++)
			any = *pgd_sheet_cell(&a->sh, r, k) != '\0';
		if (!any)
			continue;
		if (*t == '\0' && *l == '\0') {
			fprintf(stderr, "pubguard patrol items: 审核备案文件 %s 第%u行：「标题」和「链接」不能都为空\n", path,
				a->sh.rows[r].line);
			rc = -1;
			break;
		}
		a->v[a->n].title = *t ? t : NULL;
		a->v[a->n].url = *l ? l : NULL;
		a->v[a->n].simhash = *c ? pgd_simhash(c, strlen(c)) : 0;
		a->n++;
	}
	return rc;
}

int pgd_cmd_patrol_items(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},         {"as-of", required_argument, NULL, 'a'},
		{"approved", required_argument, NULL, 'A'}, {"data-dir", required_argument, NULL, 'd'},
		{"no-content", no_argument, NULL, 'n'},   {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct pgd_patrol_thresholds th;
	struct pgd_patrol_report rep;
	struct pgd_feed feed;
	struct approved appr;
	struct pgd_rules_opts ropts = {0};
	struct pgd_rules *rules = NULL;
	struct pgd_scanner *sc = NULL;
	struct pgd_err err = {0};
	const char *data_dir = NULL, *approved_path = NULL, *file;
	char path[PATH_MAX + 64], cbuf[PATH_MAX];
	char *buf = NULL;
	size_t len = 0;
	time_t as_of = 0;
	int json = 0, content = 1, opt, status = 0;

	memset(&rep, 0, sizeof(rep));
	memset(&feed, 0, sizeof(feed));
	memset(&appr, 0, sizeof(appr));
	pgd_sheet_init(&appr.sh);
	pgd_patrol_thresholds_default(&th);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = 1; break;
		case 'a': {
			int y, m, d;
			struct tm tm;
			if (pgd_cli_parse_date(optarg, &y, &m, &d) < 0) {
				fprintf(stderr, "pubguard patrol items: --as-of '%s' 不是有效日期（格式 YYYY-MM-DD）\n", optarg);
				status = 2;
				goto out;
			}
			memset(&tm, 0, sizeof(tm));
			tm.tm_year = y - 1900;
			tm.tm_mon = m - 1;
			tm.tm_mday = d;
			tm.tm_hour = 15; /* the end of that day in Beijing time: 23:59:59 +08:00 */
			tm.tm_min = 59;
			tm.tm_sec = 59;
			as_of = timegm(&tm);
			break;
		}
		case 'A': approved_path = optarg; break;
		case 'd': data_dir = optarg; break;
		case 'n': content = 0; break;
		case 'h': fputs(usage, stdout); goto out;
		default: fputs(usage, stderr); status = 2; goto out;
		}
	}
	if (argc - optind != 1) {
		if (argc - optind > 1)
			fprintf(stderr, "pubguard patrol items: 多余的参数 '%s'\n", argv[optind + 1]);
		else
			fprintf(stderr, "pubguard patrol items: 需要一个帖子文件（CSV、XLSX 或 JSON）\n");
		fputs(usage, stderr);
		status = 2;
		goto out;
	}
	file = argv[optind];
	if (as_of == 0)
		as_of = time(NULL);
	if (pgd_patrol_thresholds_path(data_dir, path, sizeof(path)) == 0 && pgd_patrol_thresholds_load(path, &th, &err) < 0) {
		fprintf(stderr, "pubguard patrol items: %s\n", err.message);
		status = 2;
		goto out;
	}
	if (pgd_doc_read_file(file, PGD_FEED_MAX_BYTES, &buf, &len, &err) < 0) {
		fprintf(stderr, "pubguard patrol items: %s: %s\n", file, err.message);
		status = 2;
		goto out;
	}
	if (pgd_posts_parse(buf, len, file, &feed, &err) < 0) {
		fprintf(stderr, "pubguard patrol items: %s\n", err.message);
		status = 2;
		goto out;
	}
	if (approved_path && load_approved(approved_path, &appr) < 0) {
		status = 2;
		goto out;
	}
	if (content && feed.n > 0) {
		ropts.data_dir = data_dir;
		if (pgd_cli_cache_dir(cbuf, sizeof(cbuf)) == 0)
			ropts.cache_dir = cbuf;
		if (pgd_rules_load(&ropts, &rules, &err) < 0) {
			fprintf(stderr, "pubguard patrol items: %s\n", err.message);
			status = 2;
			goto out;
		}
		sc = pgd_scanner_new(rules);
	}
	fprintf(stderr, "巡查帖子文件 %s：%zu 条 …\n", file, feed.n);
	pgd_feed_cadence(&feed, file, as_of, &th, &rep);
	if (sc && pgd_patrol_check_items(sc, &feed, file, as_of, &rep, &err) < 0) {
		fprintf(stderr, "pubguard patrol items: %s\n", err.message);
		status = 2;
		goto out;
	}
	if (approved_path)
		pgd_patrol_items_unreviewed(&feed, file, appr.v, appr.n, 0, &rep);
	for (size_t k = 0; k < rep.n; k++)
		pgd_cli_print_patrol_finding(&rep.items[k], json);
	fflush(stdout);
	fprintf(stderr, "巡查完成：%zu 条帖子，%zu 条审核备案记录，%zu 个问题\n", feed.n, appr.n, rep.n);
	if (rep.n > 0)
		status = 1;
out:
	pgd_patrol_report_release(&rep);
	pgd_feed_release(&feed);
	free(appr.v);
	pgd_sheet_release(&appr.sh);
	pgd_scanner_free(sc);
	pgd_rules_free(rules);
	free(buf);
	return status;
}
