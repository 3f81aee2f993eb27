/* Patrol findings (the report every patrol piece appends to) and the thresholds file
 * data/patrol/thresholds.tsv ("key<TAB>value" lines, # comments). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "core/banned.h"

void pgd_patrol_add(struct pgd_patrol_report *r, const char *url, const char *target, const char *category,
	enum pgd_patrol_severity sev, unsigned line, const char *text, const char *fmt, ...)
{
	struct pgd_patrol_finding *f;
	va_list ap;
	char tmp[1024];

	if (r == NULL)
		return;
	PGD_GROW(r->items, r->n + 1, r->cap);
	f = &r->items[r->n++];
	memset(f, 0, sizeof(*f));
	f->url = pgd_strdup(url ? url : "");
	f->target = pgd_strdup(target);
	f->category = pgd_strdup(category ? category : "");
	f->severity = sev;
	f->line = line;
	f->text = pgd_strdup(text);
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(tmp)) {
		f->message = pgd_strdup(tmp);
	} else if (n >= 0) {
		/* a long message (a long URL quoted): format again into a buffer of the right size */
		f->message = pgd_malloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(f->message, (size_t)n + 1, fmt, ap);
		va_end(ap);
	} else {
		f->message = pgd_strdup("");
	}
	f->evidence = NULL;
}

void pgd_patrol_report_release(struct pgd_patrol_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct pgd_patrol_finding *f = &r->items[i];
		free(f->url);
		free(f->target);
		free(f->category);
		free(f->text);
		free(f->message);
		free(f->evidence);
	}
	free(r->items);
	for (size_t i = 0; i < r->n_columns; i++) {
		free(r->columns[i].url);
		free(r->columns[i].name);
	}
	free(r->columns);
	for (size_t i = 0; i < r->n_found; i++) {
		free(r->found[i].url);
		free(r->found[i].title);
	}
	free(r->found);
	for (size_t i = 0; i < r->n_evidence; i++) {
		struct pgd_patrol_evidence *e = &r->evidence[i];
		free(e->url);
		free(e->content_type);
		free(e->headers);
		free(e->of);
	}
	free(r->evidence);
	free(r->home.title);
	memset(r, 0, sizeof(*r));
}

const char *pgd_patrol_severity_name(enum pgd_patrol_severity s)
{
	switch (s) {
	case PGD_PATROL_INFO:
		return "info";
	case PGD_PATROL_REVIEW:
		return "review";
	case PGD_PATROL_BLOCK:
		return "block";
	}
	return "info";
}

/* Every threshold: its key in thresholds.tsv, its place in the struct and its default. */
static const struct {
	const char *key;
	size_t off;
	int def;
} keys[] = {
#define K(name, def) {#name, offsetof(struct pgd_patrol_thresholds, name), def}
	K(weekly_min_items, 1),
	K(zombie_days, 14),
	K(news_column_days, 14),
	K(notice_column_days, 180),
	K(slow_page_ms, 10000),
	K(unavailable_timeout_ms, 15000),
	K(probes_per_day, 20),
	K(unavailable_fail_pct, 5),
	K(unavailable_warn_pct, 3),
	K(empty_columns_fail, 5),
	K(stale_columns_fail, 5),
	K(tls_warn_days, 30),
	K(deface_simhash_bits, 24),
#undef K
};

const char *pgd_patrol_threshold_key(size_t i)
{
	return i < sizeof(keys) / sizeof(keys[0]) ? keys[i].key : NULL;
}

int *pgd_patrol_threshold_field(struct pgd_patrol_thresholds *t, const char *key)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i].key) == 0)
			return (int *)((char *)t + keys[i].off);
	return NULL;
}

void pgd_patrol_thresholds_default(struct pgd_patrol_thresholds *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		*(int *)((char *)t + keys[i].off) = keys[i].def;
}

static int *field(struct pgd_patrol_thresholds *t, const char *key)
{
	return pgd_patrol_threshold_field(t, key);
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

int pgd_patrol_thresholds_load(const char *path, struct pgd_patrol_thresholds *t, struct pgd_err *err)
{
	struct pgd_patrol_thresholds tmp = *t;
	FILE *f = NULL;
	char line[1024];
	size_t lineno = 0;
	int rc = 0;

	f = fopen(path, "r");
	if (f == NULL) {
		rc = pgd_err_set(err, PGD_ERR_IO, path, "无法打开阈值文件 %s：%s", path, strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			rc = pgd_err_set(err, PGD_ERR_RULES, path, "%s:%zu：行过长", path, lineno);
			goto out;
		}
		char *p = trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		char *sep = p + strcspn(p, "\t ");
		if (*sep == '\0') {
			rc = pgd_err_set(err, PGD_ERR_RULES, path, "%s:%zu：应为“名称<TAB>数值”", path, lineno);
			goto out;
		}
		*sep = '\0';
		char *val = trim(sep + 1);
		int *dst = field(&tmp, p);
		if (dst == NULL) {
			rc = pgd_err_set(err, PGD_ERR_RULES, path, "%s:%zu：无法识别的阈值名称“%s”", path,
			                 lineno, p);
			goto out;
		}
		char *end;
		errno = 0;
		long v = strtol(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' || v < 1 || v > 100000000) {
			rc = pgd_err_set(err, PGD_ERR_RULES, path, "%s:%zu：阈值 %s 的值“%s”应为正整数", path,
			                 lineno, p, val);
			goto out;
		}
		*dst = (int)v;
	}
	if (ferror(f)) {
		rc = pgd_err_set(err, PGD_ERR_IO, path, "读取阈值文件 %s 失败", path);
		goto out;
	}
	*t = tmp;
out:
	if (f)
		fclose(f);
	return rc;
}

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int pgd_patrol_thresholds_path(const char *dir, char *out, size_t n)
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
