/* Posts of accounts without a feed (issue 4: "CSV/JSON import where no feed exists"): an export
 * of an account's posts read into a struct pgd_feed, and the Art. 14 check of such items against
 * approved items without the store (see pubguard/patrol.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "pubguard/approved.h" /* PGD_APPROVED_SIMHASH_BITS only */
#include "pubguard/check.h"
#include "pubguard/crypto.h"
#include "pubguard/doc.h"
#include "pubguard/match.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "pubguard/sheet.h"
#include "pubguard/utf8.h"
#include "core/banned.h"

#define HEADER_SCAN 10
#define BAD "帖子文件 %s 格式错误："

enum post_field { P_PUBLISHED, P_TITLE, P_LINK, P_CONTENT, P_COUNT };

static const char *const field_zh[P_COUNT] = {"发布时间", "标题", "链接", "正文"};

/* Accepted column headers / JSON keys per field (compared without spaces, ASCII case folded). */
static const char *const field_names[P_COUNT][10] = {
	{"发布时间", "发布日期", "时间", "日期", "published", "date", "time", "pubdate", "publish_time", "date_published"},
	{"标题", "title", NULL},
	{"链接", "网址", "link", "url", NULL},
	{"正文", "内容", "content", "text", "content_text", NULL},
};

/* Field of a header or key; -1 when unknown. */
static int field_of(const char *h)
{
	char norm[128];
	size_t n = 0;
	for (const char *p = h; *p && n + 1 < sizeof(norm); p++) {
		if (*p == ' ' || *p == '\t' || *p == '*')
			continue;
		norm[n++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
	}
	norm[n] = '\0';
	if (strncmp(norm, "\xEF\xBB\xBF", 3) == 0) /* a BOM left on the first header */
		memmove(norm, norm + 3, n - 2);
	for (int f = 0; f < P_COUNT; f++)
		for (size_t k = 0; k < 10 && field_names[f][k]; k++)
			if (strcmp(norm, field_names[f][k]) == 0)
				return f;
	return -1;
}

/* Trimmed copy, NULL when empty. new. */
static char *tidy_dup(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return n ? pgd_strndup(s, n) : NULL;
}

/* A post's date: any form pgd_date_parse reads (the rest only spaces), Unix seconds (10
 * digits) or milliseconds (13), or an Excel date serial (days since 1899-12-30, Beijing
 * time, with an optional fraction of a day). 0 or -1. */
static int post_date(const char *s, time_t *t)
{
	size_t len = strlen(s), used = 0, digits = 0, dots = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.')
			dots++;
		else
			break;
	}
	if (len > 0 && digits + dots == len && dots <= 1) {
		if (dots == 0 && (len == 10 || len == 13)) {
			long long v = strtoll(s, NULL, 10);
			*t = (time_t)(len == 13 ? v / 1000 : v);
			return 0;
		}
		if (digits >= 5 && (dots == 0 ? len : (size_t)(strchr(s, '.') - s)) == 5) {
			double serial = strtod(s, NULL);
			if (serial < 18264 || serial >= 100000) /* 1950 .. */
				return -1;
			/* 25569 = 1970-01-01; the serial is Beijing local time */
			*t = (time_t)((serial - 25569.0) * 86400.0 + 0.5) - 8 * 3600;
			return 0;
		}
		/* other bare numbers (2026.11.30 has two dots) are not dates */
	}
	if (pgd_date_parse(s, len, t, &used) < 0)
		return -1;
	while (used < len && (s[used] == ' ' || s[used] == '\t'))
		used++;
	return used == len ? 0 : -1;
}

struct collect {
	const char *name;
	struct pgd_feed *f;
	size_t cap;
	size_t nbad;
	struct pgd_err first; /* the first bad row */
	int json;             /* rows are JSON items (messages say 第N条 and the key) */
};

static void bad_row(struct collect *c, unsigned row, const char *column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void bad_row(struct collect *c, unsigned row, const char *column, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	if (c->nbad++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pgd_err_set(&c->first, PGD_ERR_FORMAT, c->name, BAD "第%u%s「%s」%s：%s", c->name, row, c->json ? "条" : "行",
		column, c->json ? "" : "列", msg);
}

/* Add one post from its four values (borrowed, may be NULL); row and names for messages. */
static void add_post(struct collect *c, unsigned row, const char *const v[P_COUNT], const char *const col[P_COUNT])
{
	struct pgd_feed_item it = {0};
	time_t t = 0;
	char *pub = v[P_PUBLISHED] ? tidy_dup(v[P_PUBLISHED], strlen(v[P_PUBLISHED])) : NULL;
	int ok = 1;

	for (int k = 0; k < P_COUNT; k++)
		if (v[k] && !pgd_utf8_valid(v[k], strlen(v[k]))) {
			bad_row(c, row, col[k], "含有无效的 UTF-8 字符");
			ok = 0;
		}
	if (!ok)
		goto out;
	if (pub == NULL) {
		bad_row(c, row, col[P_PUBLISHED], "发布时间不能为空");
		goto out;
	}
	if (post_date(pub, &t) < 0 || t <= 0) {
		bad_row(c, row, col[P_PUBLISHED], "「%.60s」不是可识别的日期", pub);
		goto out;
	}
	it.title = v[P_TITLE] ? tidy_dup(v[P_TITLE], strlen(v[P_TITLE])) : NULL;
	it.link = v[P_LINK] ? tidy_dup(v[P_LINK], strlen(v[P_LINK])) : NULL;
	it.content = v[P_CONTENT] ? tidy_dup(v[P_CONTENT], strlen(v[P_CONTENT])) : NULL;
	it.published = t;
	if (it.link) {
		char *norm = pgd_url_normalise(it.link);
		if (norm == NULL) {
			bad_row(c, row, col[P_LINK], "「%.100s」不是 http:// 或 https:// 开头的网址", it.link);
			ok = 0;
		}
		free(norm);
	}
	if (ok && it.title == NULL && it.link == NULL && it.content == NULL) {
		bad_row(c, row, col[P_TITLE], "只有发布时间，没有标题、链接或正文");
		ok = 0;
	}
	if (!ok) {
		free(it.title);
		free(it.link);
		free(it.content);
		goto out;
	}
	if (c->f->n >= PGD_FEED_MAX_ITEMS) {
		c->nbad++;
		if (c->first.code == 0)
			pgd_err_set(&c->first, PGD_ERR_TOO_LARGE, c->name, "帖子文件 %s 超过 %d 条的上限", c->name,
				PGD_FEED_MAX_ITEMS);
		free(it.title);
		free(it.link);
		free(it.content);
		goto out;
	}
	PGD_GROW(c->f->items, c->f->n + 1, c->cap);
	c->f->items[c->f->n++] = it;
out:
	free(pub);
}

static int parse_sheet(const char *buf, size_t len, struct collect *c, struct pgd_err *err)
{
	struct pgd_sheet sh;
	long col_of[P_COUNT];
	const char *colname[P_COUNT];
	size_t header = (size_t)-1;
	int rc;

	pgd_sheet_init(&sh);
	rc = pgd_sheet_parse(c->name, buf, len, PGD_SHEET_AUTO, NULL, &sh, err);
	if (rc < 0)
		goto out;
	for (size_t r = 0; r < sh.nrows && r < HEADER_SCAN && header == (size_t)-1; r++) {
		int known = 0;
		for (int f = 0; f < P_COUNT; f++)
			col_of[f] = -1;
		for (size_t k = 0; k < sh.rows[r].ncells; k++) {
			int f = field_of(pgd_sheet_cell(&sh, r, k));
			if (f >= 0 && col_of[f] < 0) {
				col_of[f] = (long)k;
				known++;
			}
		}
		if (known >= 2 && col_of[P_PUBLISHED] >= 0)
			header = r;
	}
	if (header == (size_t)-1) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, c->name,
			BAD "表格前 %d 行中找不到表头（应有「发布时间」列和「标题」「链接」「正文」中的至少一列）", c->name,
			HEADER_SCAN);
		goto out;
	}
	for (int f = 0; f < P_COUNT; f++)
		colname[f] = col_of[f] >= 0 ? pgd_sheet_cell(&sh, header, (size_t)col_of[f]) : field_zh[f];
	for (size_t r = header + 1; r < sh.nrows; r++) {
		const char *v[P_COUNT];
		int any = 0;
		for (size_t k = 0; k < sh.rows[r].ncells && !any; k++)
			for (const char *p = pgd_sheet_cell(&sh, r, k); *p && !any; p++)
				any = !(*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n');
		if (!any)
			continue;
		for (int f = 0; f < P_COUNT; f++)
			v[f] = col_of[f] >= 0 ? pgd_sheet_cell(&sh, r, (size_t)col_of[f]) : NULL;
		add_post(c, sh.rows[r].line, v, colname);
	}
out:
	pgd_sheet_release(&sh);
	return rc;
}

/* A JSON value as text for a field: strings as they are, numbers (dates as Unix times) printed. */
static const char *json_text(json_t *v, char *num, size_t n)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(num, n, "%lld", (long long)json_integer_value(v));
		return num;
	}
	return NULL;
}

static int parse_json(const char *buf, size_t len, struct collect *c, struct pgd_err *err)
{
	json_error_t je;
	json_t *root, *arr = NULL;
	int rc = 0;

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, c->name, BAD "不是格式正确的 JSON（第 %d 行出错）", c->name, je.line);
		goto out;
	}
	if (json_is_array(root)) {
		arr = root;
	} else if (json_is_object(root)) {
		static const char *const keys[] = {"items", "posts", "data", "list"};
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && arr == NULL; i++)
			if (json_is_array(json_object_get(root, keys[i])))
				arr = json_object_get(root, keys[i]);
	}
	if (arr == NULL) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, c->name, BAD "应为帖子数组，或含 items 数组的对象", c->name);
		goto out;
	}
	c->json = 1;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *o = json_array_get(arr, i);
		const char *v[P_COUNT] = {NULL, NULL, NULL, NULL}, *col[P_COUNT];
		char num[P_COUNT][32];
		const char *key;
		json_t *val;
		unsigned row = (unsigned)(i + 1);
		int bad = 0;

		for (int f = 0; f < P_COUNT; f++)
			col[f] = field_zh[f];
		if (!json_is_object(o)) {
			bad_row(c, row, "", "应为对象");
			continue;
		}
		json_object_foreach(o, key, val) {
			int f = field_of(key);
			if (f < 0 || v[f] != NULL)
				continue;
			col[f] = key;
			if (json_is_null(val))
				continue;
			v[f] = json_text(val, num[f], sizeof(num[f]));
			if (v[f] == NULL) {
				bad_row(c, row, key, "应为字符串");
				bad = 1;
			}
		}
		if (!bad)
			add_post(c, row, v, col);
	}
out:
	json_decref(root);
	return rc;
}

int pgd_posts_parse(const char *buf, size_t len, const char *name, struct pgd_feed *out, struct pgd_err *err)
{
	struct collect c;
	size_t i = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.name = name ? name : "";
	c.f = out;
	if (buf == NULL && len > 0)
		return pgd_err_set(err, PGD_ERR_INVALID, c.name, "没有提供帖子文件内容");
	if (len > PGD_FEED_MAX_BYTES)
		return pgd_err_set(err, PGD_ERR_TOO_LARGE, c.name, "帖子文件 %s 超过 %u 字节的大小上限", c.name,
			PGD_FEED_MAX_BYTES);
	out->kind = PGD_FEED_JSON;
	out->title = pgd_strdup(c.name);
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i < len && (buf[i] == '[' || buf[i] == '{'))
		rc = parse_json(buf + i, len - i, &c, err);
	else
		rc = parse_sheet(buf, len, &c, err);
	if (rc == 0 && c.nbad > 0) {
		if (err) {
			*err = c.first;
			if (c.nbad > 1 && c.first.code == PGD_ERR_FORMAT) {
				size_t l = strlen(err->message);
				snprintf(err->message + l, sizeof(err->message) - l, "（共 %zu 处错误）", c.nbad);
			}
		}
		rc = c.first.code ? c.first.code : PGD_ERR_FORMAT;
	}
	if (rc < 0)
		pgd_feed_release(out);
	return rc;
}

size_t pgd_patrol_items_unreviewed(const struct pgd_feed *f, const char *url, const struct pgd_approved_ref *appr,
	size_t n, time_t since, struct pgd_patrol_report *r)
{
	char **aurl = NULL, **atitle = NULL;
	size_t added = 0;

	if (f == NULL || r == NULL)
		return 0;
	if (n) {
		aurl = pgd_calloc(n, sizeof(*aurl));
		atitle = pgd_calloc(n, sizeof(*atitle));
	}
	for (size_t k = 0; k < n; k++) {
		aurl[k] = pgd_url_normalise(appr[k].url);
		atitle[k] = pgd_title_normalise(appr[k].title);
	}
	for (size_t i = 0; i < f->n; i++) {
		const struct pgd_feed_item *it = &f->items[i];
		char *nurl, *ntitle;
		uint64_t sh;
		int matched = 0;

		if (since && it->published && it->published < since)
			continue;
		nurl = pgd_url_normalise(it->link);
		ntitle = pgd_title_normalise(it->title);
		sh = it->content ? pgd_simhash(it->content, strlen(it->content)) : 0;
		/* the store's order: URL, then title, then SimHash — any match is a match */
		for (size_t k = 0; k < n && !matched; k++)
			matched = pgd_match_item(nurl, ntitle, sh, aurl[k], atitle[k], appr[k].simhash,
				PGD_APPROVED_SIMHASH_BITS);
		if (!matched) {
			pgd_patrol_add(r, it->link ? it->link : url, NULL, "publish.unreviewed", PGD_PATROL_REVIEW, 0, it->title,
				"发现未经审核备案的发布内容：《%s》", it->title ? it->title : "（无标题）");
			added++;
		}
		free(nurl);
		free(ntitle);
	}
	for (size_t k = 0; k < n; k++) {
		free(aurl[k]);
		free(atitle[k]);
	}
	free(aurl);
	free(atitle);
	return added;
}

/* ---- content checks of feed entries and posts ---- */

static enum pgd_patrol_severity sev_of(enum pgd_severity sv)
{
	return sv == PGD_SEV_BLOCK ? PGD_PATROL_BLOCK : sv == PGD_SEV_REVIEW ? PGD_PATROL_REVIEW : PGD_PATROL_INFO;
}

/* The item as a text document: its title on the first line, then its content. */
static int check_item(struct pgd_scanner *sc, const struct pgd_feed_item *it, const char *where, time_t as_of,
	struct pgd_patrol_report *r, struct pgd_err *err)
{
	struct pgd_doc doc;
	struct pgd_findings fs;
	struct pgd_check_opts co = {0};
	struct tm tm;
	time_t bj = as_of + 8 * 3600;
	char *text;
	size_t tl = it->title ? strlen(it->title) : 0, cl = it->content ? strlen(it->content) : 0;
	int rc;

	pgd_doc_init(&doc);
	pgd_findings_init(&fs);
	gmtime_r(&bj, &tm);
	co.as_of_year = tm.tm_year + 1900;
	co.as_of_month = tm.tm_mon + 1;
	co.as_of_day = tm.tm_mday;
	text = pgd_malloc(tl + cl + 2);
	memcpy(text, it->title ? it->title : "", tl);
	text[tl] = '\n';
	memcpy(text + tl + 1, it->content ? it->content : "", cl);
	text[tl + 1 + cl] = '\0';
	rc = pgd_doc_parse(where, text, tl + 1 + cl, PGD_DOC_TEXT, &doc, err);
	if (rc == 0)
		rc = pgd_check_doc(sc, &doc, &co, &fs, err);
	for (size_t i = 0; rc == 0 && i < fs.n; i++) {
		const struct pgd_finding *x = &fs.v[i];
		pgd_patrol_add(r, where, NULL, x->category, sev_of(x->severity), x->line, x->text, "%s",
			x->message ? x->message : "");
	}
	pgd_findings_release(&fs);
	pgd_doc_release(&doc);
	free(text);
	return rc;
}

int pgd_patrol_check_items(struct pgd_scanner *sc, const struct pgd_feed *f, const char *url, time_t as_of,
	struct pgd_patrol_report *r, struct pgd_err *err)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct pgd_feed_item *it = &f->items[i];
		int rc = check_item(sc, it, it->link && *it->link ? it->link : url, as_of, r, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- an uploaded export as a patrol (the worker's "posts" jobs) ---- */

static void add_found(struct pgd_patrol_report *r, const struct pgd_feed_item *it)
{
	char sha[65] = "";
	uint64_t simhash = 0;

	if (it->content && *it->content) {
		size_t n = strlen(it->content);
		pgd_sha256_hex(it->content, n, sha);
		simhash = pgd_simhash(it->content, n);
	}
	pgd_patrol_found_add(r, it->link, it->title, it->published, sha, simhash);
}

/* The export itself is the evidence of the findings on it: a file named by its SHA-256. */
static int keep_export(const char *dir, const char *url, const char *buf, size_t len, size_t first,
	struct pgd_patrol_report *r, struct pgd_err *err)
{
	struct pgd_patrol_evidence *e;
	char sha[65], path[4200];
	FILE *fp;
	int ok;

	pgd_sha256_hex(buf, len, sha);
	if (snprintf(path, sizeof(path), "%s/%s", dir, sha) >= (int)sizeof(path))
		return pgd_err_set(err, PGD_ERR_INVALID, dir, "证据目录路径过长");
	fp = fopen(path, "wb");
	if (fp == NULL)
		return pgd_err_set(err, PGD_ERR_IO, dir, "无法写入证据目录 %s", dir);
	ok = fwrite(buf, 1, len, fp) == len;
	ok = fclose(fp) == 0 && ok;
	if (!ok) {
		remove(path);
		return pgd_err_set(err, PGD_ERR_IO, dir, "无法写入证据目录 %s", dir);
	}
	PGD_GROW(r->evidence, r->n_evidence + 1, r->cap_evidence);
	e = &r->evidence[r->n_evidence++];
	memset(e, 0, sizeof(*e));
	memcpy(e->sha256, sha, sizeof(sha));
	e->kind = "page";
	e->url = pgd_strdup(url);
	e->fetched_at = time(NULL);
	e->status = 200;
	e->size = len;
	for (size_t i = first; i < r->n; i++) {
		free(r->items[i].evidence);
		r->items[i].evidence = pgd_strdup(sha);
	}
	return 0;
}

int pgd_patrol_posts(const char *buf, size_t len, const char *name, const char *url, const struct pgd_patrol_opts *o,
	struct pgd_patrol_report *r, struct pgd_err *err)
{
	struct pgd_feed feed;
	struct pgd_patrol_thresholds thd;
	struct pgd_scanner *sc = NULL;
	time_t as_of = o->as_of ? o->as_of : time(NULL);
	size_t first = r->n;
	int rc;

	memset(&feed, 0, sizeof(feed));
	pgd_patrol_thresholds_default(&thd);
	rc = pgd_posts_parse(buf, len, name, &feed, err);
	if (rc < 0)
		goto out;
	r->feeds++;
	for (size_t i = 0; i < feed.n; i++)
		add_found(r, &feed.items[i]);
	pgd_feed_cadence(&feed, url, as_of, o->th ? o->th : &thd, r);
	if (o->rules) { /* posts are checked like pages */
		sc = pgd_scanner_new(o->rules);
		if (sc)
			rc = pgd_patrol_check_items(sc, &feed, url, as_of, r, err);
	}
	if (rc == 0 && o->evidence_dir && r->n > first)
		rc = keep_export(o->evidence_dir, url, buf, len, first, r, err);
	if (o->progress)
		o->progress(o->progress_arg, 1, 0);
out:
	pgd_scanner_free(sc);
	pgd_feed_release(&feed);
	return rc;
}
