/* pubguard patrol: patrol websites and feeds once and print the findings (text or JSON lines).
 * Exit 0 when nothing was found, 1 when something was, 2 on bad usage or an error. */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
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
#include "pubguard/worker.h" /* pgd_worker_check_ca_file */
#include "cli/cli.h"
#include "core/banned.h"

static const char usage[] =
	"usage: pubguard patrol [--json] [--as-of YYYY-MM-DD] [--timeout S] [--concurrency N]\n"
	"                       [--per-host N] [--max-pages N] [--data-dir DIR] [--no-content] [--cache-dir DIR]\n"
	"                       [--evidence-dir DIR] [--baseline-file FILE] [--resume KEY] [--ca-file FILE]\n"
	"                       (--site URL | --feed URL)...\n"
	"\n"
	"Patrols websites (availability, broken links, columns, hidden links, content) and feeds of\n"
	"social accounts (RSS, Atom, JSON Feed: cadence, zombie accounts) once.\n"
	"\n"
	"  --json           one JSON object per finding per line, then one summary line\n"
	"                   {\"summary\",\"columns\",\"items\",\"home\",\"evidence\"}\n"
	"  --as-of DATE     the day the patrol is made for (default: today)\n"
	"  --timeout S      seconds per request (default 15)\n"
	"  --concurrency N  requests at once (default 10)\n"
	"  --per-host N     requests at once to one host (default: as --concurrency)\n"
	"  --max-pages N    pages crawled per site (default 5000)\n"
	"  --data-dir DIR   data (patrol/thresholds.tsv, checker rules; default: $PGD_DATA_DIR)\n"
	"  --no-content     do not run the content checker on pages\n"
	"  --cache-dir DIR  incremental re-crawl: keep per-site state (ETag, Last-Modified, page\n"
	"                   hashes and analyses) in DIR; unchanged pages are not analysed again\n"
	"  --evidence-dir DIR  keep the raw body of every page with a finding in DIR, named by its\n"
	"                   SHA-256 (findings name it in \"evidence\")\n"
	"  --baseline-file FILE  the accepted home page, JSON {\"sha256\",\"simhash\":\"<16 hex>\",\n"
	"                   \"title\",\"text_len\"}: a changed home page is judged for defacement\n"
	"  --resume KEY     with --cache-dir: journal each site's crawl under KEY ([A-Za-z0-9_-]); a\n"
	"                   crawl interrupted (Ctrl-C, SIGTERM, killed) goes on where it stopped when run\n"
	"                   again with the same KEY: what it fetched is not fetched again\n"
	"  --ca-file FILE   PEM file of CA certificates to trust besides the system's (sites with\n"
	"                   certificates of an intranet's own CA)\n"
	"\n"
	"exit status: 0 nothing found, 1 findings, 2 bad usage or an error\n";

struct target {
	const char *url;
	int feed;
};


static void progress(void *arg, size_t done, size_t queued)
{
	const char *url = arg;
	fprintf(stderr, "\r巡查 %s：已完成 %zu 个请求，待处理 %zu 个   ", url, done, queued);
	fflush(stderr);
}

/* One finding as `pubguard patrol` prints it: a line, or with json a JSON object (the issue's
 * format). Shared with `patrol items`. */
void pgd_cli_print_patrol_finding(const struct pgd_patrol_finding *f, int json)
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

static json_t *ts_json(time_t t)
{
	struct tm tm;
	char b[32];
	if (t <= 0)
		return json_null();
	gmtime_r(&t, &tm);
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(b);
}

static json_t *str_json(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *simhash_json(uint64_t h)
{
	char b[24];
	if (!h)
		return json_null();
	snprintf(b, sizeof(b), "%016" PRIx64, h);
	return json_string(b);
}

/* Write one JSON value compactly and free it: the summary line is streamed piece by piece, so
 * a site's thousands of items never sit in memory as one JSON tree (about 1.5 KB an item). */
static void emit(json_t *v)
{
	json_dumpf(v, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(v);
}

/* pgd_patrol_found_each callback: one item of the summary line (*arg counts them). */
static int print_item(void *arg, const struct pgd_patrol_item *it)
{
	size_t *n = arg;
	json_t *x = json_object();

	json_object_set_new(x, "url", str_json(it->url));
	json_object_set_new(x, "title", str_json(it->title));
	json_object_set_new(x, "published", ts_json(it->published));
	json_object_set_new(x, "sha256", it->sha256[0] ? json_string(it->sha256) : json_null());
	json_object_set_new(x, "simhash", simhash_json(it->simhash));
	if ((*n)++)
		putchar(',');
	emit(x);
	return 0;
}

/* The last line of --json: what the patrol saw besides its findings, in the shapes of the
 * worker protocol's RESULT (summary, columns, items, home, evidence). The items may come from
 * the report's spill file: 0, or PGD_ERR_IO with err set when they cannot be read back (the
 * line is then left unfinished). */
static int print_summary(const struct pgd_patrol_report *r, time_t started, time_t finished, struct pgd_err *err)
{
	json_t *sum = json_object();
	size_t n_items = 0;
	int rc;

	json_object_set_new(sum, "pages", json_integer((json_int_t)r->pages));
	json_object_set_new(sum, "links", json_integer((json_int_t)r->links));
	json_object_set_new(sum, "feeds", json_integer((json_int_t)r->feeds));
	json_object_set_new(sum, "pages_unchanged", json_integer((json_int_t)r->pages_unchanged));
	json_object_set_new(sum, "findings", json_integer((json_int_t)r->n));
	json_object_set_new(sum, "peak_backlog", json_integer((json_int_t)r->peak_backlog));
	json_object_set_new(sum, "resumed", json_integer((json_int_t)r->resumed));
	json_object_set_new(sum, "evidence_spool_peak", json_integer((json_int_t)r->spool_peak));
	json_object_set_new(sum, "started_at", ts_json(started));
	json_object_set_new(sum, "finished_at", ts_json(finished));
	fputs("{\"summary\":", stdout);
	emit(sum);
	fputs(",\"columns\":[", stdout);
	for (size_t i = 0; i < r->n_columns; i++) {
		const struct pgd_patrol_column *c = &r->columns[i];
		json_t *x = json_object();
		json_object_set_new(x, "url", json_string(c->url ? c->url : ""));
		json_object_set_new(x, "name", str_json(c->name));
		json_object_set_new(x, "kind", json_string(c->kind ? c->kind : "other"));
		json_object_set_new(x, "newest", ts_json(c->newest));
		json_object_set_new(x, "items", json_integer((json_int_t)c->items));
		json_object_set_new(x, "stale", json_boolean(c->stale));
		json_object_set_new(x, "empty", json_boolean(c->empty));
		if (i)
			putchar(',');
		emit(x);
	}
	fputs("],\"items\":[", stdout);
	rc = pgd_patrol_found_each(r, print_item, &n_items, err);
	if (rc < 0) {
		fputc('\n', stdout);
		fflush(stdout);
		return rc;
	}
	fputs("],\"home\":", stdout);
	if (r->home.sha256[0]) {
		json_t *h = json_object();
		char b[24];
		snprintf(b, sizeof(b), "%016" PRIx64, r->home.simhash);
		json_object_set_new(h, "sha256", json_string(r->home.sha256));
		json_object_set_new(h, "simhash", json_string(b));
		json_object_set_new(h, "title", str_json(r->home.title));
		json_object_set_new(h, "text_len", json_integer((json_int_t)r->home.text_len));
		emit(h);
	} else {
		fputs("null", stdout);
	}
	fputs(",\"evidence\":[", stdout);
	for (size_t i = 0; i < r->n_evidence; i++) {
		const struct pgd_patrol_evidence *e = &r->evidence[i];
		json_t *x = json_object();
		json_object_set_new(x, "sha256", json_string(e->sha256));
		json_object_set_new(x, "kind", json_string(e->kind ? e->kind : "page"));
		json_object_set_new(x, "url", json_string(e->url ? e->url : ""));
		json_object_set_new(x, "fetched_at", ts_json(e->fetched_at));
		json_object_set_new(x, "status", json_integer(e->status));
		json_object_set_new(x, "content_type", str_json(e->content_type));
		json_object_set_new(x, "headers", str_json(e->headers));
		json_object_set_new(x, "size", json_integer((json_int_t)e->size));
		json_object_set_new(x, "of", str_json(e->of));
		if (i)
			putchar(',');
		emit(x);
	}
	fputs("]}\n", stdout);
	return 0;
}

/* --baseline-file: {"sha256":"…","simhash":"<16 hex>","title":"…"|null,"text_len":N}. 0, or -1
 * with a message on stderr. b->title is new (free()). */
static int load_baseline(const char *path, struct pgd_patrol_home *b)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *v;
	const char *sha, *sh;
	char *end;
	int rc = -1;

	memset(b, 0, sizeof(*b));
	if (!j) {
		fprintf(stderr, "pubguard patrol: 无法读取首页基准文件“%s”：%s（第 %d 行）\n", path, je.text, je.line);
		goto out;
	}
	if (!json_is_object(j)) {
		fprintf(stderr, "pubguard patrol: 首页基准文件“%s”应为 JSON 对象\n", path);
		goto out;
	}
	v = json_object_get(j, "sha256");
	sha = json_string_value(v);
	if (v && !json_is_null(v) && (!sha || (strlen(sha) != 64 && *sha))) {
		fprintf(stderr, "pubguard patrol: 首页基准文件“%s”的 sha256 应为 64 位十六进制\n", path);
		goto out;
	}
	snprintf(b->sha256, sizeof(b->sha256), "%s", sha ? sha : "");
	sh = json_string_value(json_object_get(j, "simhash"));
	if (!sh || strlen(sh) != 16 || (b->simhash = strtoull(sh, &end, 16), *end)) {
		fprintf(stderr, "pubguard patrol: 首页基准文件“%s”的 simhash 应为 16 位十六进制\n", path);
		goto out;
	}
	v = json_object_get(j, "title");
	if (v && !json_is_null(v) && !json_is_string(v)) {
		fprintf(stderr, "pubguard patrol: 首页基准文件“%s”的 title 应为字符串\n", path);
		goto out;
	}
	v = json_object_get(j, "text_len");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		fprintf(stderr, "pubguard patrol: 首页基准文件“%s”的 text_len 应为非负整数\n", path);
		goto out;
	}
	b->text_len = (size_t)json_integer_value(v);
	b->title = pgd_strdup(json_string_value(json_object_get(j, "title")));
	rc = 0;
out:
	json_decref(j);
	return rc;
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

static volatile int interrupted; /* SIGINT / SIGTERM: the patrol stops, a --resume journal stays */

static void on_signal(int sig)
{
	if (interrupted) { /* asked twice: stop at once */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	interrupted = 1;
}

int cmd_patrol(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "now") == 0)
		return pgd_cmd_patrol_now(argc - 1, argv + 1);
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},           {"as-of", required_argument, NULL, 'a'},
		{"timeout", required_argument, NULL, 't'},  {"concurrency", required_argument, NULL, 'c'},
		{"per-host", required_argument, NULL, 'H'},
		{"max-pages", required_argument, NULL, 'm'}, {"data-dir", required_argument, NULL, 'd'},
		{"no-content", no_argument, NULL, 'n'},     {"site", required_argument, NULL, 's'},
		{"feed", required_argument, NULL, 'f'},     {"help", no_argument, NULL, 'h'},
		{"cache-dir", required_argument, NULL, 'C'}, {"evidence-dir", required_argument, NULL, 'E'},
		{"baseline-file", required_argument, NULL, 'B'}, {"resume", required_argument, NULL, 'R'},
		{"ca-file", required_argument, NULL, 'A'},
		{NULL, 0, NULL, 0},
	};
	struct pgd_patrol_opts o;
	struct pgd_patrol_thresholds th;
	struct pgd_patrol_report rep;
	struct pgd_patrol_home baseline;
	struct pgd_rules_opts ropts = {0};
	struct pgd_rules *rules = NULL;
	struct pgd_err err = {0};
	struct target *targets = NULL;
	size_t ntargets = 0, cap = 0;
	const char *data_dir = NULL;
	char path[PATH_MAX + 64], cbuf[PATH_MAX];
	int json = 0, content = 1, opt, status = 0;
	time_t started = time(NULL);
	long v;

	if (argc > 1 && strcmp(argv[1], "items") == 0) return pgd_cmd_patrol_items(argc - 1, argv + 1);
	memset(&rep, 0, sizeof(rep));
	rep.spill_found = 1; /* a 100,000-page site: items past the first few hundred wait in a temporary file */
	memset(&baseline, 0, sizeof(baseline));
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
			break;
		case 'H':
			if (parse_int("--per-host", optarg, 1, 256, &v) < 0) {
				status = 2;
				goto out;
			}
			o.per_host = (int)v;
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
		case 'C': o.cache_dir = optarg; break;
		case 'E': o.evidence_dir = optarg; break;
		case 'R': o.resume_key = optarg; break;
		case 'A': o.ca_file = optarg; break;
		case 'B':
			free(baseline.title);
			if (load_baseline(optarg, &baseline) < 0) {
				status = 2;
				goto out;
			}
			o.home_baseline = &baseline;
			break;
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
	if (o.resume_key && !o.cache_dir) {
		fprintf(stderr, "pubguard patrol: --resume 需要同时给出 --cache-dir（续巡记录保存在缓存目录中）\n");
		status = 2;
		goto out;
	}
	if (o.ca_file && pgd_worker_check_ca_file(o.ca_file, &err) < 0) {
		fprintf(stderr, "pubguard patrol: --ca-file：%s\n", err.message);
		status = 2;
		goto out;
	}
	if (pgd_patrol_thresholds_path(data_dir, path, sizeof(path)) == 0 &&
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
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		o.cancel = &interrupted;
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
		if (rc == PGD_ERR_CANCELLED && o.resume_key) {
			fprintf(stderr, "pubguard patrol: %s；用相同的 --resume %s 再次运行可从中断处继续\n", err.message,
				o.resume_key);
			status = 2;
			goto out;
		}
		if (rc < 0) {
			fprintf(stderr, "pubguard patrol: %s\n", err.message);
			status = 2;
			goto out;
		}
		for (size_t k = before; k < rep.n; k++)
			pgd_cli_print_patrol_finding(&rep.items[k], json);
		fflush(stdout);
	}
	if (json && print_summary(&rep, started, time(NULL), &err) < 0) {
		fprintf(stderr, "pubguard patrol: 无法输出巡查发现的条目：%s\n", err.message);
		status = 2;
		goto out;
	}
	fprintf(stderr, "巡查完成：%zu 个页面（%zu 个未变化），%zu 个链接，%zu 个订阅源，%zu 个问题\n", rep.pages,
		rep.pages_unchanged, rep.links, rep.feeds, rep.n);
	if (rep.resumed)
		fprintf(stderr, "其中 %zu 个页面和链接取自上次中断的巡查记录，未重新请求\n", rep.resumed);
	if (rep.n > 0)
		status = 1;
out:
	pgd_patrol_report_release(&rep);
	free(baseline.title);
	pgd_rules_free(rules);
	free(targets);
	return status;
}
