/* pubguard patrol: patrol websites and feeds once and print the findings (text or JSON lines).
 * Exit 0 when nothing was found, 1 when something was, 2 on bad usage. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "pubguard/check.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "cli/cli.h"
#include "core/banned.h"

static const char usage[] =
	"usage: pubguard patrol [--json] [--as-of YYYY-MM-DD] [--timeout S] [--concurrency N]\n"
	"                       [--max-pages N] [--data-dir DIR] [--no-content] (--site URL | --feed URL)...\n"
	"\n"
	"Patrols websites (availability, broken links, columns, hidden links, content) and feeds of\n"
	"social accounts (RSS, Atom, JSON Feed: cadence, zombie accounts) once.\n"
	"\n"
	"  --json           one JSON object per finding per line\n"
	"  --as-of DATE     the day the patrol is made for (default: today)\n"
	"  --timeout S      seconds per request (default 15)\n"
	"  --concurrency N  requests at once (default 10)\n"
	"  --max-pages N    pages crawled per site (default 5000)\n"
	"  --data-dir DIR   data (patrol/thresholds.tsv, checker rules; default: $PGD_DATA_DIR)\n"
	"  --no-content     do not run the content checker on pages\n"
	"\n"
	"exit status: 0 nothing found, 1 findings, 2 bad usage\n";

struct target {
	const char *url;
	int feed;
};

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* <data dir>/patrol/thresholds.tsv: explicit dir, $PGD_DATA_DIR, <exe>/../data,
 * <exe>/../share/pubguard. 0 when found (path in out). */
static int thresholds_path(const char *dir, char *out, size_t n)
{
	const char *env = getenv("PGD_DATA_DIR");
	char exe[PATH_MAX];
	ssize_t len;

	if (dir) {
		snprintf(out, n, "%s/patrol/thresholds.tsv", dir);
		return is_file(out) ? 0 : -1;
	}
	if (env && *env) {
		snprintf(out, n, "%s/patrol/thresholds.tsv", env);
		if (is_file(out))
			return 0;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		char *slash;
		exe[len] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, n, "%s/../data/patrol/thresholds.tsv", exe);
			if (is_file(out))
				return 0;
			snprintf(out, n, "%s/../share/pubguard/patrol/thresholds.tsv", exe);
			if (is_file(out))
				return 0;
		}
	}
	return -1;
}

static void progress(void *arg, size_t done, size_t queued)
{
	const char *url = arg;
	fprintf(stderr, "\r巡查 %s：已完成 %zu 个请求，待处理 %zu 个   ", url, done, queued);
	fflush(stderr);
}

static void print_finding(const struct pgd_patrol_finding *f, int json)
{
	if (json) {
		json_t *o = json_object();
		char *s;
		json_object_set_new(o, "url", json_string(f->url ? f->url : ""));
		json_object_set_new(o, "category", json_string(f->category));
		json_object_set_new(o, "severity", json_string(pgd_patrol_severity_name(f->severity)));
		json_object_set_new(o, "line", json_integer(f->line));
		json_object_set_new(o, "text", f->text ? json_string(f->text) : json_null());
		json_object_set_new(o, "message", json_string(f->message ? f->message : ""));
		json_object_set_new(o, "evidence", f->evidence ? json_string(f->evidence) : json_null());
		if (f->target)
			json_object_set_new(o, "target", json_string(f->target));
		s = json_dumps(o, JSON_COMPACT);
		if (s)
			puts(s);
		free(s);
		json_decref(o);
		return;
	}
	printf("%s: %s %s: %s", f->url ? f->url : "", pgd_patrol_severity_name(f->severity), f->category,
	       f->message ? f->message : "");
	if (f->text && *f->text)
		printf(" «%s»", f->text);
	if (f->target)
		printf(" → %s", f->target);
	putchar('\n');
}

static int parse_int(const char *opt, const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "pubguard patrol: %s '%s' 应为 %ld 到 %ld 的整数\n", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int cmd_patrol(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},           {"as-of", required_argument, NULL, 'a'},
		{"timeout", required_argument, NULL, 't'},  {"concurrency", required_argument, NULL, 'c'},
		{"max-pages", required_argument, NULL, 'm'}, {"data-dir", required_argument, NULL, 'd'},
		{"no-content", no_argument, NULL, 'n'},     {"site", required_argument, NULL, 's'},
		{"feed", required_argument, NULL, 'f'},     {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct pgd_patrol_opts o;
	struct pgd_patrol_thresholds th;
	struct pgd_patrol_report rep;
	struct pgd_rules_opts ropts = {0};
	struct pgd_rules *rules = NULL;
	struct pgd_err err = {0};
	struct target *targets = NULL;
	size_t ntargets = 0, cap = 0;
	const char *data_dir = NULL;
	char path[PATH_MAX + 64], cbuf[PATH_MAX];
	int json = 0, content = 1, opt, status = 0;
	long v;

	memset(&rep, 0, sizeof(rep));
	pgd_patrol_opts_default(&o);
	pgd_patrol_thresholds_default(&th);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = 1; break;
		case 'a': {
			int y, m, d;
			struct tm tm;
			if (pgd_cli_parse_date(optarg, &y, &m, &d) < 0) {
				fprintf(stderr, "pubguard patrol: --as-of '%s' 不是有效日期（格式 YYYY-MM-DD）\n", optarg);
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
			o.as_of = timegm(&tm);
			break;
		}
		case 't':
			if (parse_int("--timeout", optarg, 1, 3600, &v) < 0) {
				status = 2;
				goto out;
			}
			o.timeout_ms = (int)v * 1000;
			break;
		case 'c':
			if (parse_int("--concurrency", optarg, 1, 256, &v) < 0) {
				status = 2;
				goto out;
			}
			o.concurrency = (int)v;
			if (o.per_host > o.concurrency)
				o.per_host = o.concurrency;
			break;
		case 'm':
			if (parse_int("--max-pages", optarg, 1, 10000000, &v) < 0) {
				status = 2;
				goto out;
			}
			o.max_pages = (size_t)v;
			break;
		case 'd': data_dir = optarg; break;
		case 'n': content = 0; break;
		case 's':
		case 'f':
			if (strncmp(optarg, "http://", 7) != 0 && strncmp(optarg, "https://", 8) != 0) {
				fprintf(stderr, "pubguard patrol: %s '%s' 不是 http:// 或 https:// 开头的网址\n",
					opt == 's' ? "--site" : "--feed", optarg);
				status = 2;
				goto out;
			}
			PGD_GROW(targets, ntargets + 1, cap);
			targets[ntargets].url = optarg;
			targets[ntargets].feed = opt == 'f';
			ntargets++;
			break;
		case 'h': fputs(usage, stdout); goto out;
		default: fputs(usage, stderr); status = 2; goto out;
		}
	}
	if (optind < argc || ntargets == 0) {
		if (optind < argc)
			fprintf(stderr, "pubguard patrol: 多余的参数 '%s'（网站用 --site，订阅源用 --feed）\n", argv[optind]);
		fputs(usage, stderr);
		status = 2;
		goto out;
	}
	if (thresholds_path(data_dir, path, sizeof(path)) == 0 &&
	    pgd_patrol_thresholds_load(path, &th, &err) < 0) {
		fprintf(stderr, "pubguard patrol: %s\n", err.message);
		status = 2;
		goto out;
	}
	o.th = &th;
	if (content) {
		for (size_t i = 0; i < ntargets && !ropts.data_dir; i++)
			if (!targets[i].feed)
				ropts.data_dir = data_dir ? data_dir : ""; /* mark: some site needs rules */
		if (ropts.data_dir) {
			ropts.data_dir = data_dir;
			if (pgd_cli_cache_dir(cbuf, sizeof(cbuf)) == 0)
				ropts.cache_dir = cbuf;
			if (pgd_rules_load(&ropts, &rules, &err) < 0) {
				fprintf(stderr, "pubguard patrol: %s\n", err.message);
				status = 2;
				goto out;
			}
			o.rules = rules;
		}
	}
	for (size_t i = 0; i < ntargets; i++) {
		size_t before = rep.n;
		int rc;
		int tty = isatty(2);
		fprintf(stderr, "巡查%s %s …\n", targets[i].feed ? "订阅源" : "网站", targets[i].url);
		o.progress = tty ? progress : NULL;
		o.progress_arg = (void *)targets[i].url;
		rc = targets[i].feed ? pgd_patrol_feed(targets[i].url, &o, &rep, &err)
				     : pgd_patrol_site(targets[i].url, &o, &rep, &err);
		if (tty)
			fputc('\n', stderr);
		if (rc < 0) {
			fprintf(stderr, "pubguard patrol: %s\n", err.message);
			status = 2;
			goto out;
		}
		for (size_t k = before; k < rep.n; k++)
			print_finding(&rep.items[k], json);
		fflush(stdout);
	}
	fprintf(stderr, "巡查完成：%zu 个页面，%zu 个链接，%zu 个订阅源，%zu 个问题\n", rep.pages, rep.links,
		rep.feeds, rep.n);
	if (rep.n > 0)
		status = 1;
out:
	pgd_patrol_report_release(&rep);
	pgd_rules_free(rules);
	free(targets);
	return status;
}
