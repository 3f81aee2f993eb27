/* Approved items (Art. 14): create, list, import and the match used when a patrol's items are
 * ingested (see pubguard/approved.h). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/approved.h"
#include "pubguard/buf.h"
#include "pubguard/match.h"
#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "store/internal.h"
#include "core/banned.h"

#define URL_MAX 4096
#define REF_MAX 200

void pgd_approved_item_release(struct pgd_approved_item *a)
{
	if (a == NULL)
		return;
	free(a->title);
	free(a->url);
	free(a->approved_by);
	free(a->ref);
	free(a->platform_name);
	memset(a, 0, sizeof(*a));
}

void pgd_approved_list_release(struct pgd_approved_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		pgd_approved_item_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* "YYYY-MM-DD", a real calendar date. */
static int date_ok(const char *s)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, leap;
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 1;
	return 0;
}

int pgd_approved_validate(const struct pgd_approved_item *a, struct pgd_err *err)
{
	char *norm = NULL;
	int rc = 0;

	if (a->platform_id <= 0)
		rc = pgd_err_set(err, PGD_ERR_INVALID, "platform_id", "未指定平台");
	else if (a->title == NULL || *a->title == '\0')
		rc = pgd_err_set(err, PGD_ERR_INVALID, "title", "标题不能为空");
	else if (strlen(a->title) > PGD_STORE_TEXT_MAX)
		rc = pgd_err_set(err, PGD_ERR_INVALID, "title", "标题过长（不超过 %d 字节）", PGD_STORE_TEXT_MAX);
	else if (!pgd_utf8_valid(a->title, strlen(a->title)) || has_control(a->title))
		rc = pgd_err_set(err, PGD_ERR_INVALID, "title", "标题含有无效字符或换行");
	if (rc == 0 && a->url && *a->url) {
		if (strlen(a->url) > URL_MAX)
			rc = pgd_err_set(err, PGD_ERR_INVALID, "url", "链接过长（不超过 %d 字节）", URL_MAX);
		else if (has_control(a->url) || (norm = pgd_url_normalise(a->url)) == NULL)
			rc = pgd_err_set(err, PGD_ERR_INVALID, "url", "链接「%.200s」不是有效的 http(s) 网址", a->url);
	}
	if (rc == 0 && !date_ok(a->approved_at))
		rc = pgd_err_set(err, PGD_ERR_INVALID, "approved_at", "审核日期「%.20s」无效（应为 YYYY-MM-DD）",
			a->approved_at);
	if (rc == 0 && a->ref && *a->ref) {
		if (strlen(a->ref) > REF_MAX)
			rc = pgd_err_set(err, PGD_ERR_INVALID, "ref", "审签单号过长（不超过 %d 字节）", REF_MAX);
		else if (!pgd_utf8_valid(a->ref, strlen(a->ref)) || has_control(a->ref))
			rc = pgd_err_set(err, PGD_ERR_INVALID, "ref", "审签单号含有无效字符或换行");
	}
	free(norm);
	return rc;
}

static void hex16(uint64_t v, char out[17])
{
	snprintf(out, 17, "%016" PRIx64, v);
}

/* 16 hex digits, else 0. */
static uint64_t parse_hex16(const char *s)
{
	uint64_t v = 0;
	if (s == NULL || strlen(s) != 16)
		return 0;
	for (int i = 0; i < 16; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return 0;
		v = v << 4 | (uint64_t)d;
	}
	return v;
}

/* Insert, the caller's transaction (if any) joined. */
static int insert_one(struct pgd_store *st, const struct pgd_approved_item *a, const char *by, const char *source,
	int64_t *id_out, struct pgd_err *err)
{
	char now[32], sh[17];
	int64_t n = 0;
	int rc;

	rc = pgd_approved_validate(a, err);
	if (rc == 0 && (source == NULL || (strcmp(source, "workflow") != 0 && strcmp(source, "import") != 0)))
		rc = pgd_err_set(err, PGD_ERR_INVALID, "source", "来源无效（应为 workflow 或 import）");
	if (rc == 0)
		rc = pgd_store_query_int(st, &n, err, "SELECT COUNT(*) FROM platforms WHERE id = $1", "i", a->platform_id);
	if (rc == 0 && n == 0)
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "platform_id", "平台（编号 %" PRId64 "）不存在", a->platform_id);
	if (rc < 0)
		return rc;
	pgd_store_now(now);
	hex16(a->simhash, sh);
	rc = pgd_store_query_int(st, &n, err,
		"INSERT INTO approved_items (platform_id, title, url, simhash, approved_at, approved_by, source, ref,"
		" created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
		"issssssss", a->platform_id, a->title, a->url && *a->url ? a->url : NULL, a->simhash ? sh : NULL,
		a->approved_at, by && *by ? by : "anonymous", source, a->ref && *a->ref ? a->ref : NULL, now);
	if (rc == 0 && id_out)
		*id_out = n;
	return rc;
}

int pgd_store_approved_create(struct pgd_store *st, const struct pgd_approved_item *a, const char *by,
	const char *source, int64_t *id_out, struct pgd_err *err)
{
	int own = 0;
	int rc = pgd_store_tx_enter(st, &own, err);
	if (rc == 0)
		rc = insert_one(st, a, by, source, id_out, err);
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_store_approved_import(struct pgd_store *st, const struct pgd_approved_item *items, size_t n,
	const char *by, size_t *bad_index, struct pgd_err *err)
{
	int own = 0;
	int rc = pgd_store_tx_enter(st, &own, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = insert_one(st, &items[i], by, "import", NULL, err);
		if (rc < 0 && bad_index)
			*bad_index = i;
	}
	return pgd_store_tx_leave(st, own, rc, err);
}

#define APPROVED_COLS                                                                                      \
	"a.id, a.platform_id, a.title, a.url, a.simhash, a.approved_at, a.approved_by, a.source, a.ref,"  \
	" a.created_at, p.name, p.unit_id"
#define APPROVED_FROM " FROM approved_items a JOIN platforms p ON p.id = a.platform_id"
#define APPROVED_WHERE                                                                                     \
	" WHERE ($1 = 0 OR a.platform_id = $1) AND ($2 = 0 OR p.unit_id = $2)"                             \
	" AND ($3 IS NULL OR lower(a.title) LIKE lower($3) ESCAPE '\\' OR lower(a.url) LIKE lower($3) ESCAPE '\\'" \
	" OR lower(a.ref) LIKE lower($3) ESCAPE '\\')"

static void approved_read(struct pgd_store *st, struct pgd_stmt *s, struct pgd_approved_item *a)
{
	a->id = st->be->col_int(s, 0);
	a->platform_id = st->be->col_int(s, 1);
	a->title = pgd_store_dup_col(st, s, 2);
	a->url = pgd_store_dup_col(st, s, 3);
	a->simhash = parse_hex16(st->be->col_text(s, 4));
	snprintf(a->approved_at, sizeof(a->approved_at), "%s", st->be->col_text(s, 5) ? st->be->col_text(s, 5) : "");
	a->approved_by = pgd_store_dup_col(st, s, 6);
	snprintf(a->source, sizeof(a->source), "%s", st->be->col_text(s, 7) ? st->be->col_text(s, 7) : "");
	a->ref = pgd_store_dup_col(st, s, 8);
	pgd_store_copy_ts(a->created_at, st->be->col_text(s, 9));
	a->platform_name = pgd_store_dup_col(st, s, 10);
	a->unit_id = st->be->col_int(s, 11);
}

int pgd_store_approved_get(struct pgd_store *st, int64_t id, struct pgd_approved_item *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pgd_store_prep(st, &s, err, "SELECT " APPROVED_COLS APPROVED_FROM " WHERE a.id = $1", "i", id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		approved_read(st, s, out);
		rc = 0;
	} else if (rc == 0) {
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "审核备案记录（编号 %" PRId64 "）不存在", id);
	}
	st->be->finalize(s);
	return rc;
}

int pgd_store_approved_list(struct pgd_store *st, const struct pgd_approved_query *q,
	struct pgd_approved_list *out, struct pgd_err *err)
{
	struct pgd_list_query lq = {0};
	struct pgd_stmt *s = NULL;
	struct pgd_buf sql;
	int64_t limit, offset, platform = q ? q->platform_id : 0, unit = q ? q->unit_id : 0;
	char *pat = NULL;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	pgd_buf_init(&sql, 4096);
	if (q && q->search && *q->search)
		pat = pgd_store_like_pattern(q->search);
	lq.page = q ? q->page : 1;
	lq.page_size = q ? q->page_size : 0;
	pgd_store_page_bounds(&lq, &limit, &offset);
	rc = pgd_store_query_int(st, &out->total, err, "SELECT COUNT(*)" APPROVED_FROM APPROVED_WHERE, "iis",
		platform, unit, pat);
	if (rc < 0)
		goto out;
	if (pgd_buf_addf(&sql, "SELECT " APPROVED_COLS APPROVED_FROM APPROVED_WHERE
		" ORDER BY a.approved_at DESC, a.id DESC LIMIT %lld OFFSET %lld", (long long)limit,
		(long long)offset) < 0) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "列表查询过长");
		goto out;
	}
	rc = pgd_store_prep(st, &s, err, sql.data, "iis", platform, unit, pat);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		PGD_GROW(out->items, out->n + 1, cap);
		memset(&out->items[out->n], 0, sizeof(out->items[0]));
		approved_read(st, s, &out->items[out->n]);
		out->n++;
	}
out:
	st->be->finalize(s);
	pgd_buf_release(&sql);
	free(pat);
	if (rc < 0)
		pgd_approved_list_release(out);
	return rc;
}

/* ---- matching ---- */

struct approved_ent {
	int64_t id;
	char *url;   /* normalised; NULL when none */
	char *title; /* normalised; NULL when empty */
	uint64_t simhash;
};

struct pgd_approved_set {
	struct approved_ent *v; /* in id order */
	size_t n;
	struct approved_ent **by_url, **by_title; /* entries with one, sorted by (key, id) */
	size_t n_url, n_title;
};

static int cmp_url(const void *a, const void *b)
{
	const struct approved_ent *x = *(const struct approved_ent *const *)a, *y = *(const struct approved_ent *const *)b;
	int d = strcmp(x->url, y->url);
	return d ? d : (x->id > y->id) - (x->id < y->id);
}

static int cmp_title(const void *a, const void *b)
{
	const struct approved_ent *x = *(const struct approved_ent *const *)a, *y = *(const struct approved_ent *const *)b;
	int d = strcmp(x->title, y->title);
	return d ? d : (x->id > y->id) - (x->id < y->id);
}

void pgd_approved_set_free(struct pgd_approved_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].url);
		free(s->v[i].title);
	}
	free(s->v);
	free(s->by_url);
	free(s->by_title);
	free(s);
}

size_t pgd_approved_set_count(const struct pgd_approved_set *s)
{
	return s ? s->n : 0;
}

int pgd_store_approved_load(struct pgd_store *st, int64_t platform_id, struct pgd_approved_set **out,
	struct pgd_err *err)
{
	struct pgd_approved_set *s = pgd_calloc(1, sizeof(*s));
	struct pgd_stmt *q = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	rc = pgd_store_prep(st, &q, err, "SELECT id, url, title, simhash FROM approved_items WHERE platform_id = $1"
		" ORDER BY id", "i", platform_id);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(q, err)) == 1) {
		struct approved_ent *e;
		PGD_GROW(s->v, s->n + 1, cap);
		e = &s->v[s->n++];
		e->id = st->be->col_int(q, 0);
		e->url = pgd_url_normalise(st->be->col_text(q, 1));
		e->title = pgd_title_normalise(st->be->col_text(q, 2));
		if (e->title && *e->title == '\0') {
			free(e->title);
			e->title = NULL;
		}
		e->simhash = parse_hex16(st->be->col_text(q, 3));
	}
	if (rc < 0)
		goto out;
	rc = 0;
	if (s->n) {
		s->by_url = pgd_reallocarray(NULL, s->n, sizeof(*s->by_url));
		s->by_title = pgd_reallocarray(NULL, s->n, sizeof(*s->by_title));
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].url)
			s->by_url[s->n_url++] = &s->v[i];
		if (s->v[i].title)
			s->by_title[s->n_title++] = &s->v[i];
	}
	if (s->n_url)
		qsort(s->by_url, s->n_url, sizeof(*s->by_url), cmp_url);
	if (s->n_title)
		qsort(s->by_title, s->n_title, sizeof(*s->by_title), cmp_title);
out:
	st->be->finalize(q);
	if (rc < 0)
		pgd_approved_set_free(s);
	else
		*out = s;
	return rc;
}

/* The lowest id whose key (the title when by_title, else the URL) equals key; 0 when none. */
static int64_t lookup(struct approved_ent *const *v, size_t n, int by_title, const char *key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(by_title ? v[mid]->title : v[mid]->url, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && strcmp(by_title ? v[lo]->title : v[lo]->url, key) == 0)
		return v[lo]->id;
	return 0;
}

int64_t pgd_approved_set_match(const struct pgd_approved_set *s, const char *url, const char *title,
	uint64_t simhash)
{
	char *nurl, *ntitle;
	int64_t id = 0;

	if (s == NULL || s->n == 0)
		return 0;
	nurl = pgd_url_normalise(url);
	ntitle = pgd_title_normalise(title);
	if (nurl)
		id = lookup(s->by_url, s->n_url, 0, nurl);
	if (id == 0 && ntitle && *ntitle)
		id = lookup(s->by_title, s->n_title, 1, ntitle);
	for (size_t i = 0; id == 0 && simhash != 0 && i < s->n; i++)
		if (pgd_match_item(NULL, NULL, simhash, NULL, NULL, s->v[i].simhash, PGD_APPROVED_SIMHASH_BITS))
			id = s->v[i].id;
	free(nurl);
	free(ntitle);
	return id;
}

int pgd_store_approved_match(struct pgd_store *st, int64_t platform_id, const char *url, const char *title,
	uint64_t simhash, int64_t *approved_id, struct pgd_err *err)
{
	struct pgd_approved_set *s = NULL;
	int rc;

	*approved_id = 0;
	rc = pgd_store_approved_load(st, platform_id, &s, err);
	if (rc == 0)
		*approved_id = pgd_approved_set_match(s, url, title, simhash);
	pgd_approved_set_free(s);
	return rc;
}
