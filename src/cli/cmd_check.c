/* pubguard check: run the checker over files and print findings (text or JSON lines).
 * Exit 0 when nothing needs attention, 1 when something does, 2 on bad input or usage. */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "pubguard/check.h"
#include "pubguard/doc.h"
#include "pubguard/mem.h"
#include "cli/cli.h"
#include "core/banned.h"

static const char usage[] =
	"usage: pubguard check [--json] [--as-of YYYY-MM-DD] [--data-dir DIR] [--lexicon FILE]...\n"
	"                      [--cache-dir DIR] [--jobs N] [--stats] FILE...\n"
	"\n"
	"Checks text (UTF-8, GBK/GB18030, UTF-16), HTML and Word .docx files before publication:\n"
	"prohibited content, reposts, maps, classification marks, personal information, wording.\n"
	"FILE may be '-' for standard input.\n"
	"\n"
	"  --json           one JSON object per file per line\n"
	"  --as-of DATE     the date the check is made for (default: today)\n"
	"  --data-dir DIR   rule data (default: $PGD_DATA_DIR, then the installed data)\n"
	"  --lexicon FILE   add a phrase list: one phrase per line, or CSV 'phrase,category'\n"
	"  --cache-dir DIR  compiled-rule cache (default: $PGD_CACHE_DIR or ~/.cache/pubguard)\n"
	"  --jobs N         files checked in parallel (default: number of CPUs)\n"
	"  --stats          print timing figures as one JSON line on stderr\n"
	"\n"
	"exit status: 0 nothing needs attention, 1 findings need attention, 2 bad input\n";

struct file_result {
	const char *path;
	int rc;                  /* < 0: bad input */
	struct pgd_err err;
	struct pgd_findings findings;
	size_t bytes;
	double scan_ms;
};

struct job {
	const struct pgd_rules *rules;
	struct pgd_check_opts opts;
	struct file_result *results;
	size_t n;
	atomic_size_t next;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int pgd_cli_parse_date(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	char *end;
	long yy, mm, dd;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	yy = strtol(s, &end, 10);
	if (end != s + 4)
		return -1;
	mm = strtol(s + 5, &end, 10);
	if (end != s + 7)
		return -1;
	dd = strtol(s + 8, &end, 10);
	if (end != s + 10)
		return -1;
	if (yy < 1900 || yy > 9999 || mm < 1 || mm > 12 || dd < 1 || dd > mdays[mm - 1])
		return -1;
	if (mm == 2 && dd == 29 && !((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0))
		return -1;
	*y = (int)yy;
	*m = (int)mm;
	*d = (int)dd;
	return 0;
}

static void check_one(const struct job *job, struct pgd_scanner *sc, struct file_result *r)
{
	struct pgd_doc doc;
	double t0;

	pgd_doc_init(&doc);
	r->rc = pgd_doc_load(r->path, PGD_DOC_AUTO, PGD_DOC_MAX_BYTES, &doc, &r->err);
	if (r->rc < 0)
		goto out;
	r->bytes = doc.len;
	t0 = now_ms();
	r->rc = pgd_check_doc(sc, &doc, &job->opts, &r->findings, &r->err);
	r->scan_ms = now_ms() - t0;
out:
	pgd_doc_release(&doc);
}

static void *worker(void *arg)
{
	struct job *job = arg;
	struct pgd_scanner *sc = pgd_scanner_new(job->rules);
	size_t i;

	while ((i = atomic_fetch_add(&job->next, 1)) < job->n)
		check_one(job, sc, &job->results[i]);
	pgd_scanner_free(sc);
	return NULL;
}

static const char *verdict_of(const struct pgd_findings *f)
{
	int worst = pgd_findings_worst(f);
	if (worst == PGD_SEV_BLOCK)
		return "block";
	if (worst == PGD_SEV_REVIEW)
		return "review";
	return "pass";
}

static void print_json(const struct file_result *r)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "file", json_string(r->path));
	if (r->rc < 0) {
		json_t *e = json_object();
		json_object_set_new(e, "code", json_integer(r->err.code));
		json_object_set_new(e, "message", json_string(r->err.message));
		json_object_set_new(o, "error", e);
	} else {
		json_t *arr = json_array();
		json_object_set_new(o, "verdict", json_string(verdict_of(&r->findings)));
		for (size_t i = 0; i < r->findings.n; i++) {
			const struct pgd_finding *f = &r->findings.v[i];
			json_t *x = json_object();
			json_object_set_new(x, "category", json_string(f->category));
			json_object_set_new(x, "severity", json_string(pgd_severity_name(f->severity)));
			json_object_set_new(x, "line", json_integer(f->line));
			json_object_set_new(x, "column", json_integer(f->column));
			json_object_set_new(x, "text", json_string(f->text));
			json_object_set_new(x, "message", json_string(f->message));
			json_object_set_new(x, "suggestion",
					    f->suggestion ? json_string(f->suggestion) : json_null());
			json_array_append_new(arr, x);
		}
		json_object_set_new(o, "findings", arr);
	}
	s = json_dumps(o, JSON_COMPACT);
	if (s)
		puts(s);
	free(s);
	json_decref(o);
}

static void print_text(const struct file_result *r)
{
	for (size_t i = 0; i < r->findings.n; i++) {
		const struct pgd_finding *f = &r->findings.v[i];
		printf("%s:%u:%u: %s %s: %s", r->path, f->line, f->column,
		       pgd_severity_name(f->severity), f->category, f->message);
		if (f->text && *f->text)
			printf(" «%s»", f->text);
		if (f->suggestion && *f->suggestion)
			printf(" → %s", f->suggestion);
		putchar('\n');
	}
}

/* The compiled-rule cache: $PGD_CACHE_DIR, else $XDG_CACHE_HOME/pubguard, else ~/.cache/pubguard. */
int pgd_cli_cache_dir(char *out, size_t n)
{
	const char *env = getenv("PGD_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (env && *env)
		return snprintf(out, n, "%s", env) < (int)n ? 0 : -1;
	if (xdg && *xdg)
		return snprintf(out, n, "%s/pubguard", xdg) < (int)n ? 0 : -1;
	if (home && *home)
		return snprintf(out, n, "%s/.cache/pubguard", home) < (int)n ? 0 : -1;
	return -1;
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},      {"as-of", required_argument, NULL, 'a'},
		{"data-dir", required_argument, NULL, 'd'}, {"lexicon", required_argument, NULL, 'l'},
		{"cache-dir", required_argument, NULL, 'c'}, {"jobs", required_argument, NULL, 'J'},
		{"stats", no_argument, NULL, 's'},     {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct pgd_rules_opts ropts = {0};
	struct pgd_rules *rules = NULL;
	struct pgd_err err = {0};
	struct job job = {0};
	const char **lexicons = NULL;
	size_t nlex = 0, lexcap = 0;
	char cache_buf[4096];
	int json = 0, stats = 0, jobs = 0, opt, status = 0;
	double t0, rules_ms, wall0;
	pthread_t *threads = NULL;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = 1; break;
		case 's': stats = 1; break;
		case 'a':
			if (pgd_cli_parse_date(optarg, &job.opts.as_of_year, &job.opts.as_of_month,
					       &job.opts.as_of_day) < 0) {
				fprintf(stderr, "pubguard check: --as-of '%s' 不是有效日期（格式 YYYY-MM-DD）\n",
					optarg);
				status = 2;
				goto out;
			}
			break;
		case 'd': ropts.data_dir = optarg; break;
		case 'l':
			PGD_GROW(lexicons, nlex + 1, lexcap);
			lexicons[nlex++] = optarg;
			break;
		case 'c': ropts.cache_dir = optarg; break;
		case 'J': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 256) {
				fprintf(stderr, "pubguard check: --jobs '%s' 应为 1 到 256 的整数\n", optarg);
				status = 2;
				goto out;
			}
			jobs = (int)v;
			break;
		}
		case 'h': fputs(usage, stdout); goto out;
		default: fputs(usage, stderr); status = 2; goto out;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		status = 2;
		goto out;
	}
	if (ropts.cache_dir == NULL && pgd_cli_cache_dir(cache_buf, sizeof(cache_buf)) == 0)
		ropts.cache_dir = cache_buf;
	ropts.lexicons = lexicons;
	ropts.nlexicons = nlex;

	wall0 = t0 = now_ms();
	if (pgd_rules_load(&ropts, &rules, &err) < 0) {
		fprintf(stderr, "pubguard: %s%s%s\n", err.field[0] ? err.field : "",
			err.field[0] ? ": " : "", err.message);
		status = 2;
		goto out;
	}
	rules_ms = now_ms() - t0;

	job.rules = rules;
	job.n = (size_t)(argc - optind);
	job.results = pgd_calloc(job.n, sizeof(*job.results));
	for (size_t i = 0; i < job.n; i++) {
		job.results[i].path = argv[optind + (int)i];
		pgd_findings_init(&job.results[i].findings);
	}
	atomic_init(&job.next, 0);
	if (jobs == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = cpus > 0 ? (int)cpus : 1;
	}
	if ((size_t)jobs > job.n)
		jobs = (int)job.n;
	if (jobs <= 1) {
		worker(&job);
	} else {
		threads = pgd_calloc((size_t)jobs, sizeof(*threads));
		for (int i = 0; i < jobs; i++)
			if (pthread_create(&threads[i], NULL, worker, &job) != 0) {
				jobs = i;
				break;
			}
		if (jobs == 0)
			worker(&job);
		for (int i = 0; i < jobs; i++)
			pthread_join(threads[i], NULL);
	}

	size_t bytes = 0;
	double scan_ms = 0;
	for (size_t i = 0; i < job.n; i++) {
		struct file_result *r = &job.results[i];
		if (r->rc < 0) {
			fprintf(stderr, "pubguard: %s: %s\n", r->path, r->err.message);
			status = 2;
		} else if (pgd_findings_worst(&r->findings) >= PGD_SEV_REVIEW && status == 0) {
			status = 1;
		}
		if (json)
			print_json(r);
		else
			print_text(r);
		bytes += r->bytes;
		scan_ms += r->scan_ms;
	}
	fflush(stdout);
	if (stats)
		fprintf(stderr,
			"{\"phrases\":%zu,\"rules_ms\":%.1f,\"cache\":\"%s\",\"bytes\":%zu,"
			"\"scan_ms\":%.1f,\"wall_ms\":%.1f}\n",
			pgd_rules_phrase_count(rules), rules_ms,
			pgd_rules_cache_hit(rules) ? "hit" : "miss", bytes, scan_ms,
			now_ms() - wall0);
out:
	if (job.results) {
		for (size_t i = 0; i < job.n; i++)
			pgd_findings_release(&job.results[i].findings);
		free(job.results);
	}
	free(threads);
	free(lexicons);
	pgd_rules_free(rules);
	return status;
}
