/* Patrol findings (the report every patrol piece appends to), the items found (kept in memory
 * up to PGD_PATROL_FOUND_INMEM, then spilled to an unlinked temporary file) and the thresholds
 * file data/patrol/thresholds.tsv ("key<TAB>value" lines, # comments). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

/* ---- items found ----
 *
 * A spilled item is one record: a 4-byte length (host order: the file never leaves the process),
 * then published (8 bytes), simhash (8), flags (1: bit 0 url present, bit 1 title present), the
 * sha256's length (1, 0-64), the url's and the title's lengths (4 + 4), the sha256, the url and
 * its NUL, the title and its NUL. Every record is flushed as it is written: a write that fails
 * can then only lose the item being written, which stays in memory, and spilling stops (the
 * caller's spill_found is cleared: a half-written record may end the file, and nothing may
 * follow it). The walk reads n_found_spilled records back, one at a time through stdio's buffer;
 * fn must not add items to the report it walks. */

#define FOUND_FIXED 26                    /* bytes of a record after its length, before the strings */
#define FOUND_RECORD_MAX (16u << 20)      /* a longer record (a 16 MB title ...) stays in memory */

static void found_keep(struct pgd_patrol_report *r, const char *url, const char *title, time_t published,
	const char *sha256, uint64_t simhash)
{
	struct pgd_patrol_item *it;

	PGD_GROW(r->found, r->n_found + 1, r->cap_found);
	it = &r->found[r->n_found++];
	memset(it, 0, sizeof(*it));
	it->url = pgd_strdup(url);
	it->title = pgd_strdup(title);
	it->published = published;
	snprintf(it->sha256, sizeof(it->sha256), "%s", sha256 ? sha256 : "");
	it->simhash = simhash;
}

static void put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Write one record at the end of the spill file (made on first use). 0, 1 when the record is
 * too long to spill (keep it in memory, spilling goes on), or -1 when the file cannot be made or
 * written (keep it in memory, spilling stops). */
static int spill_write(struct pgd_patrol_report *r, const char *url, const char *title, time_t published,
	const char *sha256, uint64_t simhash)
{
	size_t url_len = url ? strlen(url) : 0, title_len = title ? strlen(title) : 0;
	size_t sha_len = sha256 ? strnlen(sha256, 64) : 0;
	size_t body, total, off;
	unsigned char stackbuf[1024], *rec, flags = 0;
	int64_t pub = (int64_t)published;
	FILE *f = r->found_spill;
	int rc = 0;

	if (url_len > FOUND_RECORD_MAX || title_len > FOUND_RECORD_MAX)
		return 1;
	body = FOUND_FIXED + sha_len + (url ? url_len + 1 : 0) + (title ? title_len + 1 : 0);
	if (body > FOUND_RECORD_MAX)
		return 1;
	if (f == NULL) {
		f = tmpfile(); /* unlinked: gone with the process */
		if (f == NULL)
			return -1;
		r->found_spill = f;
	}
	total = 4 + body;
	rec = total <= sizeof(stackbuf) ? stackbuf : pgd_malloc(total);
	put_u32(rec, (uint32_t)body);
	memcpy(rec + 4, &pub, 8);
	memcpy(rec + 12, &simhash, 8);
	flags = (unsigned char)((url ? 1 : 0) | (title ? 2 : 0));
	rec[20] = flags;
	rec[21] = (unsigned char)sha_len;
	put_u32(rec + 22, (uint32_t)url_len);
	put_u32(rec + 26, (uint32_t)title_len);
	off = 4 + FOUND_FIXED;
	memcpy(rec + off, sha256 ? sha256 : "", sha_len);
	off += sha_len;
	if (url) {
		memcpy(rec + off, url, url_len + 1);
		off += url_len + 1;
	}
	if (title) {
		memcpy(rec + off, title, title_len + 1);
		off += title_len + 1;
	}
	/* a walk may have moved the position: append at the end (also the switch from reading) */
	if (fseeko(f, 0, SEEK_END) != 0 || fwrite(rec, 1, total, f) != total || fflush(f) != 0)
		rc = -1;
	if (rec != stackbuf)
		free(rec);
	return rc;
}

void pgd_patrol_found_add(struct pgd_patrol_report *r, const char *url, const char *title, time_t published,
	const char *sha256, uint64_t simhash)
{
	int rc;

	if (r == NULL)
		return;
	if (!r->spill_found || r->n_found < PGD_PATROL_FOUND_INMEM) {
		found_keep(r, url, title, published, sha256, simhash);
		return;
	}
	rc = spill_write(r, url, title, published, sha256, simhash);
	if (rc == 0) {
		r->n_found_spilled++;
		return;
	}
	if (rc < 0)
		r->spill_found = 0; /* the file ends in a half-written record, or there is none */
	found_keep(r, url, title, published, sha256, simhash);
}

size_t pgd_patrol_found_count(const struct pgd_patrol_report *r)
{
	return r ? r->n_found + r->n_found_spilled : 0;
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* Read the spilled records back in order and call fn on each. */
static int found_walk_spill(const struct pgd_patrol_report *r,
	int (*fn)(void *arg, const struct pgd_patrol_item *it), void *arg, struct pgd_err *err)
{
	FILE *f = r->found_spill;
	unsigned char *buf = NULL, head[4];
	size_t cap = 0;
	int rc = 0;

	if (f == NULL) {
		rc = pgd_err_set(err, PGD_ERR_IO, "found", "巡查条目的临时文件丢失，无法读回已暂存的 %zu 条条目",
		                 r->n_found_spilled);
		goto out;
	}
	if (fflush(f) != 0 || fseeko(f, 0, SEEK_SET) != 0) {
		rc = pgd_err_set(err, PGD_ERR_IO, "found", "无法读回巡查条目的临时文件：%s", strerror(errno));
		goto out;
	}
	for (size_t k = 0; k < r->n_found_spilled; k++) {
		struct pgd_patrol_item it;
		size_t body, url_len, title_len, sha_len, need, off;
		unsigned flags;

		if (fread(head, 1, sizeof(head), f) != sizeof(head))
			goto short_read;
		body = get_u32(head);
		if (body < FOUND_FIXED || body > FOUND_RECORD_MAX) {
			rc = pgd_err_set(err, PGD_ERR_IO, "found",
			                 "巡查条目的临时文件已损坏：第 %zu 条记录的长度 %zu 不合理", k + 1, body);
			goto out;
		}
		if (body > cap) {
			free(buf);
			cap = body < 4096 ? 4096 : body;
			buf = pgd_malloc(cap);
		}
		if (fread(buf, 1, body, f) != body)
			goto short_read;
		flags = buf[16];
		sha_len = buf[17];
		url_len = get_u32(buf + 18);
		title_len = get_u32(buf + 22);
		need = FOUND_FIXED + sha_len + ((flags & 1) ? url_len + 1 : 0) + ((flags & 2) ? title_len + 1 : 0);
		if (flags > 3 || sha_len > 64 || url_len > body || title_len > body || need != body ||
		    (!(flags & 1) && url_len != 0) || (!(flags & 2) && title_len != 0) ||
		    ((flags & 1) && buf[FOUND_FIXED + sha_len + url_len] != '\0') || ((flags & 2) && buf[body - 1] != '\0')) {
			rc = pgd_err_set(err, PGD_ERR_IO, "found", "巡查条目的临时文件已损坏：第 %zu 条记录格式错误",
			                 k + 1);
			goto out;
		}
		memset(&it, 0, sizeof(it));
		{
			int64_t pub;
			memcpy(&pub, buf, 8);
			it.published = (time_t)pub;
		}
		memcpy(&it.simhash, buf + 8, 8);
		off = FOUND_FIXED;
		memcpy(it.sha256, buf + off, sha_len);
		it.sha256[sha_len] = '\0';
		off += sha_len;
		if (flags & 1) {
			it.url = (char *)buf + off;
			off += url_len + 1;
		}
		if (flags & 2)
			it.title = (char *)buf + off;
		rc = fn(arg, &it);
		if (rc != 0)
			goto out;
	}
	goto out;
short_read:
	if (ferror(f))
		rc = pgd_err_set(err, PGD_ERR_IO, "found", "读取巡查条目的临时文件失败：%s", strerror(errno));
	else
		rc = pgd_err_set(err, PGD_ERR_IO, "found", "巡查条目的临时文件不完整：应有 %zu 条记录", r->n_found_spilled);
	clearerr(f);
out:
	free(buf);
	return rc;
}

int pgd_patrol_found_each(const struct pgd_patrol_report *r, int (*fn)(void *arg, const struct pgd_patrol_item *it),
	void *arg, struct pgd_err *err)
{
	int rc;

	if (r == NULL)
		return 0;
	for (size_t i = 0; i < r->n_found; i++)
		if ((rc = fn(arg, &r->found[i])) != 0)
			return rc;
	if (r->n_found_spilled == 0)
		return 0;
	return found_walk_spill(r, fn, arg, err);
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
	if (r->found_spill)
		fclose(r->found_spill);
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
