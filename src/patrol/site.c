/* The website and feed patrols: crawl a site breadth-first from its entry page over the
 * fetcher, check every link and image once, judge pages and columns (site.* findings), run
 * the checker on page text; fetch and judge one feed (feed.* findings). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "pubguard/check.h"
#include "pubguard/doc.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "patrol/fetch.h"
#include "core/banned.h"

#define DAY 86400

void pgd_patrol_opts_default(struct pgd_patrol_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ms = 15000;
	o->concurrency = 10;
	o->per_host = 6;
	o->max_pages = 5000;
	o->max_bytes = (size_t)8 << 20;
	o->max_redirects = 10;
}

/* One distinct URL met on the site: a page to crawl or a link to check. */
struct entry {
	char *url;
	char *from;        /* first page it was found on (NULL for the entry page) */
	char *text;        /* link text there, may be NULL */
	char *nav_text;    /* text of a navigation link to it (column name), may be NULL */
	unsigned line;
	unsigned internal : 1, page : 1, column : 1, rechecked : 1, home : 1, image : 1;
	enum pgd_fetch_error suspect_error; /* first failure when it was suspect */
	long suspect_status;
};

struct crawl {
	const struct pgd_patrol_opts *o;
	const struct pgd_patrol_thresholds *th;
	struct pgd_patrol_thresholds th_default;
	struct pgd_patrol_report *r;
	struct pgd_fetcher *f;
	char *site;            /* the entry page's final URL: defines "internal" */
	struct entry *v;
	size_t n, cap;
	size_t *slots;         /* open-addressing hash: index + 1, 0 empty */
	size_t nslots;
	size_t pages_queued, done;
	size_t *suspects;
	size_t nsus, capsus;
	struct pgd_scanner *sc;
	time_t as_of;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void rehash(struct crawl *c)
{
	size_t n = c->nslots ? c->nslots * 2 : 1024;
	free(c->slots);
	c->slots = pgd_calloc(n, sizeof(*c->slots));
	c->nslots = n;
	for (size_t i = 0; i < c->n; i++) {
		size_t k = (size_t)(hash_str(c->v[i].url) & (n - 1));
		while (c->slots[k])
			k = (k + 1) & (n - 1);
		c->slots[k] = i + 1;
	}
}

/* Index of url, or (size_t)-1 when absent. */
static size_t lookup(const struct crawl *c, const char *url)
{
	size_t k;
	if (!c->nslots)
		return (size_t)-1;
	k = (size_t)(hash_str(url) & (c->nslots - 1));
	while (c->slots[k]) {
		if (strcmp(c->v[c->slots[k] - 1].url, url) == 0)
			return c->slots[k] - 1;
		k = (k + 1) & (c->nslots - 1);
	}
	return (size_t)-1;
}

static size_t insert(struct crawl *c, const char *url)
{
	size_t k;
	PGD_GROW(c->v, c->n + 1, c->cap);
	memset(&c->v[c->n], 0, sizeof(c->v[c->n]));
	c->v[c->n].url = pgd_strdup(url);
	c->n++;
	if ((c->n + 1) * 2 > c->nslots) {
		rehash(c);
	} else {
		k = (size_t)(hash_str(url) & (c->nslots - 1));
		while (c->slots[k])
			k = (k + 1) & (c->nslots - 1);
		c->slots[k] = c->n;
	}
	return c->n - 1;
}

/* Day number of an instant in Beijing time. */
static long dayno(time_t t)
{
	long long x = (long long)t + 8 * 3600;
	return (long)(x >= 0 ? x / DAY : (x - DAY + 1) / DAY);
}

static void day_str(time_t t, char *out, size_t n)
{
	struct tm tm;
	time_t bj = t + 8 * 3600; /* dates are shown in Beijing time */
	gmtime_r(&bj, &tm);
	strftime(out, n, "%Y-%m-%d", &tm);
}

/* Files that are not HTML pages: checked, not crawled. */
static int looks_like_file(const char *url)
{
	static const char *const ext[] = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx",
		".zip", ".rar", ".7z", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".mp4", ".mp3", ".wps",
		".ofd", ".txt", ".css", ".js", ".ico", ".svg", ".webp", ".avi", ".flv", ".tif"};
	const char *end = url + strcspn(url, "?#");
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t l = strlen(ext[i]);
		if ((size_t)(end - url) > l && strncasecmp(end - l, ext[i], l) == 0)
			return 1;
	}
	return 0;
}

/* Case-insensitive search for an ASCII needle. */
static const char *ci_find(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

static int is_notice_column(const char *s)
{
	return s && (strstr(s, "通知") || strstr(s, "公告") || strstr(s, "政策") || strstr(s, "文件"));
}

/* charset=... from a Content-Type header, else from the first 2 KB of the page. */
static void charset_hint(const char *ct, const char *body, size_t len, char *out, size_t n)
{
	const char *p = NULL;
	size_t scan = len < 2048 ? len : 2048, i = 0;

	out[0] = '\0';
	if (ct)
		p = ci_find(ct, "charset=");
	if (!p && body) {
		for (size_t k = 0; k + 8 <= scan; k++)
			if (strncasecmp(body + k, "charset=", 8) == 0) {
				p = body + k;
				break;
			}
		if (p && p + 8 >= body + scan)
			p = NULL;
	}
	if (!p)
		return;
	p += 8;
	while (*p == '"' || *p == '\'' || *p == ' ')
		p++;
	while (i + 1 < n && ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
		out[i++] = *p++;
	out[i] = '\0';
}

static int is_html(const char *ct, const char *body, size_t len)
{
	if (ct)
		return ci_find(ct, "html") != NULL;
	for (size_t i = 0; i < len && i < 512; i++)
		if (body[i] == '<')
			return 1;
	return 0;
}

static void add_link(struct crawl *c, const char *page, const struct pgd_page_link *l)
{
	size_t i = lookup(c, l->href);
	struct entry *e;

	if (i != (size_t)-1) {
		e = &c->v[i];
		if (l->nav && e->page && !e->home && !e->nav_text) {
			e->column = 1;
			e->nav_text = pgd_strdup(l->text);
		}
		return;
	}
	i = insert(c, l->href);
	e = &c->v[i];
	e->from = pgd_strdup(page);
	e->text = pgd_strdup(l->text);
	e->line = l->line;
	e->image = l->image ? 1 : 0;
	e->internal = pgd_url_same_host(l->href, c->site) ? 1 : 0;
	c->r->links++;
	if (e->internal && !l->image && !looks_like_file(l->href) && c->pages_queued < c->o->max_pages) {
		e->page = 1;
		c->pages_queued++;
		if (l->nav) {
			e->column = 1;
			e->nav_text = pgd_strdup(l->text);
		}
		pgd_fetcher_add(c->f, e->url, PGD_FETCH_GET, (void *)(uintptr_t)i);
	} else {
		pgd_fetcher_add(c->f, e->url, PGD_FETCH_CHECK, (void *)(uintptr_t)i);
	}
}

static enum pgd_patrol_severity sev_of(enum pgd_severity s)
{
	return s == PGD_SEV_BLOCK ? PGD_PATROL_BLOCK : s == PGD_SEV_REVIEW ? PGD_PATROL_REVIEW : PGD_PATROL_INFO;
}

static void content_check(struct crawl *c, const char *url, const char *html, size_t len)
{
	struct pgd_doc doc;
	struct pgd_findings fs;
	struct pgd_check_opts co = {0};
	struct pgd_err err = {0};
	struct tm tm;
	time_t bj = c->as_of + 8 * 3600;

	pgd_doc_init(&doc);
	pgd_findings_init(&fs);
	gmtime_r(&bj, &tm);
	co.as_of_year = tm.tm_year + 1900;
	co.as_of_month = tm.tm_mon + 1;
	co.as_of_day = tm.tm_mday;
	if (pgd_doc_parse(url, html, len, PGD_DOC_HTML, &doc, &err) < 0)
		goto out;
	if (pgd_check_doc(c->sc, &doc, &co, &fs, &err) < 0)
		goto out;
	for (size_t i = 0; i < fs.n; i++) {
		const struct pgd_finding *x = &fs.v[i];
		pgd_patrol_add(c->r, url, NULL, x->category, sev_of(x->severity), x->line, x->text, "%s",
			       x->message ? x->message : "");
	}
out:
	pgd_findings_release(&fs);
	pgd_doc_release(&doc);
}

static void judge_page(struct crawl *c, struct entry *e, const char *url, const struct pgd_page *pg)
{
	const struct pgd_patrol_thresholds *th = c->th;
	char d[16];

	if (e->home) {
		time_t newest = pg->pub_date > pg->newest_date ? pg->pub_date : pg->newest_date;
		if (newest > 0 && dayno(c->as_of) - dayno(newest) > th->zombie_days) {
			day_str(newest, d, sizeof(d));
			pgd_patrol_add(c->r, url, NULL, "site.homepage_stale", PGD_PATROL_REVIEW, 0, NULL,
				       "首页已 %ld 天未更新（最近一次 %s），超过 %d 天",
				       dayno(c->as_of) - dayno(newest), d, th->zombie_days);
		}
	}
	if (e->column) {
		const char *name = pg->column_name ? pg->column_name : e->nav_text ? e->nav_text : pg->title;
		int notice = is_notice_column(pg->column_type) || is_notice_column(name) ||
			     is_notice_column(e->nav_text);
		int days = notice ? th->notice_column_days : th->news_column_days;
		if (pg->n_list_items == 0) {
			pgd_patrol_add(c->r, url, NULL, "site.empty_column", PGD_PATROL_REVIEW, 0, name,
				       "栏目“%s”没有任何带日期的信息条目，属于空白栏目", name ? name : url);
		} else if (pg->newest_date > 0 && dayno(c->as_of) - dayno(pg->newest_date) > days) {
			day_str(pg->newest_date, d, sizeof(d));
			pgd_patrol_add(c->r, url, NULL, "site.stale_column", PGD_PATROL_REVIEW, 0, name,
				       "%s栏目“%s”已 %ld 天未更新（最近一次 %s），超过 %d 天",
				       notice ? "通知公告/政策文件类" : "动态/要闻类", name ? name : url,
				       dayno(c->as_of) - dayno(pg->newest_date), d, days);
		}
	}
}

static void on_page(struct crawl *c, size_t idx, struct pgd_fetch_result *res)
{
	struct entry *e = &c->v[idx];
	const char *url = res->final_url ? res->final_url : e->url;
	char hint[32], cs[32];
	char *text = NULL;
	size_t tlen = 0;
	struct pgd_err err = {0};
	struct pgd_page pg;

	memset(&pg, 0, sizeof(pg));
	c->r->pages++;
	if (res->time_ms > (double)c->th->slow_page_ms)
		pgd_patrol_add(c->r, e->url, NULL, "site.slow_page", PGD_PATROL_REVIEW, 0, NULL,
			       "页面响应用时 %.1f 秒，超过 %.1f 秒", res->time_ms / 1000.0,
			       c->th->slow_page_ms / 1000.0);
	if (e->home) {
		free(c->site);
		c->site = pgd_strdup(url);
	} else if (!pgd_url_same_host(url, c->site)) {
		goto out; /* redirected off the site: checked, not crawled */
	}
	if (!is_html(res->content_type, res->body, res->len))
		goto out;
	charset_hint(res->content_type, res->body, res->len, hint, sizeof(hint));
	if (pgd_text_decode(e->url, res->body, res->len, hint[0] ? hint : NULL, 1, &text, &tlen, cs,
			    &err) < 0) {
		pgd_patrol_add(c->r, e->url, NULL, "site.encoding_invalid", PGD_PATROL_REVIEW, 0, NULL,
			       "页面编码无效（声明的编码：%s）：%s", hint[0] ? hint : "无", err.message);
		goto out;
	}
	if (pgd_page_parse(text, tlen, url, &pg, &err) < 0)
		goto out;
	judge_page(c, e, e->url, &pg);
	if (c->sc)
		content_check(c, e->url, text, tlen);
	for (size_t i = 0; i < pg.n_links; i++) {
		const struct pgd_page_link *l = &pg.links[i];
		int dup = 0;
		if (l->hidden) {
			for (size_t j = 0; j < i && !dup; j++)
				dup = pg.links[j].hidden && strcmp(pg.links[j].href, l->href) == 0;
			if (!dup)
				pgd_patrol_add(c->r, e->url, l->href, "site.hidden_link", PGD_PATROL_BLOCK, l->line,
					       l->text, "页面中有被样式隐藏的链接（暗链），指向 %s", l->href);
		}
		add_link(c, e->url, l);
		e = &c->v[idx]; /* add_link may move the array */
	}
out:
	pgd_page_release(&pg);
	free(text);
}

static int suspect(const struct pgd_fetch_result *res)
{
	return res->error == PGD_FETCH_TIMEOUT || res->error == PGD_FETCH_DNS ||
	       (res->error == PGD_FETCH_OK && (res->status == 403 || res->status == 429));
}

static int broken(const struct pgd_fetch_result *res)
{
	if (res->error != PGD_FETCH_OK)
		return 1;
	return res->status == 404 || res->status == 410 || res->status >= 500 || res->status == 0;
}

static void describe(enum pgd_fetch_error err, long status, char *out, size_t n)
{
	if (err == PGD_FETCH_OK)
		snprintf(out, n, "HTTP %ld", status);
	else
		snprintf(out, n, "%s", pgd_fetch_error_name(err));
}

static void on_done(void *arg, void *user, struct pgd_fetch_result *res)
{
	struct crawl *c = arg;
	size_t idx = (size_t)(uintptr_t)user;
	struct entry *e = &c->v[idx];
	char why[96], first[192];

	c->done++;
	if (c->o->progress)
		c->o->progress(c->o->progress_arg, c->done, pgd_fetcher_pending(c->f));
	if (!broken(res) && !(res->error == PGD_FETCH_OK && (res->status == 403 || res->status == 429))) {
		if (e->page && res->body)
			on_page(c, idx, res);
		return;
	}
	if (suspect(res) && !e->rechecked) { /* confirmed only by a second failure, later */
		e->suspect_error = res->error;
		e->suspect_status = res->status;
		PGD_GROW(c->suspects, c->nsus + 1, c->capsus);
		c->suspects[c->nsus++] = idx;
		return;
	}
	describe(res->error, res->status, why, sizeof(why));
	first[0] = '\0';
	if (e->rechecked) {
		char w0[64];
		describe(e->suspect_error, e->suspect_status, w0, sizeof(w0));
		snprintf(first, sizeof(first), "（首次检查：%s，复查仍失败，疑似问题已确认）", w0);
	}
	if (e->home) {
		pgd_patrol_add(c->r, e->url, NULL, "site.unavailable", PGD_PATROL_BLOCK, 0, NULL,
			       "网站首页无法访问：%s%s", why, first);
		return;
	}
	if (res->error == PGD_FETCH_TOO_LARGE) {
		pgd_patrol_add(c->r, e->url, NULL, "site.oversize_page", PGD_PATROL_REVIEW, 0, NULL,
			       "页面超过 %zu 字节的大小上限，已停止下载", c->o->max_bytes);
		return;
	}
	if (res->error == PGD_FETCH_REDIRECT_LOOP) {
		pgd_patrol_add(c->r, e->from, e->url, "site.redirect_loop", PGD_PATROL_REVIEW, e->line, e->text,
			       "链接重定向超过 %d 次或形成循环", c->o->max_redirects);
		return;
	}
	if (e->page && res->error == PGD_FETCH_OK && res->status >= 500)
		pgd_patrol_add(c->r, e->url, NULL, "site.server_error", PGD_PATROL_REVIEW, 0, NULL,
			       "页面返回服务器错误 HTTP %ld", res->status);
	if (e->page && res->error == PGD_FETCH_TIMEOUT)
		pgd_patrol_add(c->r, e->url, NULL, "site.slow_page", PGD_PATROL_REVIEW, 0, NULL,
			       "页面在 %.1f 秒内没有响应", c->o->timeout_ms / 1000.0);
	pgd_patrol_add(c->r, e->from, e->url,
		       e->internal ? "site.broken_link_internal" : "site.broken_link_external",
		       PGD_PATROL_REVIEW, e->line, e->text, "%s%s无法访问：%s%s",
		       e->internal ? "站内" : "外部", e->image ? "图片" : "链接", why, first);
}

int pgd_patrol_site(const char *url, const struct pgd_patrol_opts *o, struct pgd_patrol_report *r,
	struct pgd_err *err)
{
	struct crawl c;
	struct pgd_fetch_opts fo;
	size_t home;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	if (!url || !o || !r || (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)) {
		rc = pgd_err_set(err, PGD_ERR_INVALID, url ? url : "", "网站地址“%s”无效：应为 http:// 或 https:// 开头的网址",
				 url ? url : "");
		goto out;
	}
	c.o = o;
	c.r = r;
	pgd_patrol_thresholds_default(&c.th_default);
	c.th = o->th ? o->th : &c.th_default;
	c.as_of = o->as_of ? o->as_of : time(NULL);
	fo.timeout_ms = o->timeout_ms;
	fo.concurrency = o->concurrency;
	fo.per_host = o->per_host;
	fo.max_redirects = o->max_redirects;
	fo.max_bytes = o->max_bytes;
	c.f = pgd_fetcher_new(&fo);
	if (!c.f) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, url, "无法初始化网络请求组件（libcurl）");
		goto out;
	}
	if (o->rules)
		c.sc = pgd_scanner_new(o->rules);
	{ /* "http://host" is "http://host/" */
		const char *hostp = strstr(url, "://") + 3;
		size_t ul = strlen(url);
		char *u = pgd_malloc(ul + 2);
		memcpy(u, url, ul + 1);
		if (!strpbrk(hostp, "/?#")) {
			u[ul] = '/';
			u[ul + 1] = '\0';
		}
		c.site = u;
	}
	home = insert(&c, c.site);
	c.v[home].home = 1;
	c.v[home].page = 1;
	c.v[home].internal = 1;
	c.pages_queued = 1;
	pgd_fetcher_add(c.f, c.site, PGD_FETCH_GET, (void *)(uintptr_t)home);
	for (;;) {
		if (pgd_fetcher_run(c.f, on_done, &c) < 0) {
			rc = pgd_err_set(err, PGD_ERR_INTERNAL, url, "巡查网站“%s”时网络请求组件出错", url);
			goto out;
		}
		if (c.nsus == 0)
			break;
		for (size_t i = 0; i < c.nsus; i++) { /* the re-check, after all the others */
			struct entry *e = &c.v[c.suspects[i]];
			e->rechecked = 1;
			pgd_fetcher_add(c.f, e->url, e->page ? PGD_FETCH_GET : PGD_FETCH_CHECK,
					(void *)(uintptr_t)c.suspects[i]);
		}
		c.nsus = 0;
	}
out:
	for (size_t i = 0; i < c.n; i++) {
		free(c.v[i].url);
		free(c.v[i].from);
		free(c.v[i].text);
		free(c.v[i].nav_text);
	}
	free(c.v);
	free(c.slots);
	free(c.suspects);
	free(c.site);
	pgd_scanner_free(c.sc);
	pgd_fetcher_free(c.f);
	return rc;
}

struct feed_fetch {
	char *body;
	size_t len;
	long status;
	enum pgd_fetch_error error;
	char error_text[256];
};

static void on_feed(void *arg, void *user, struct pgd_fetch_result *res)
{
	struct feed_fetch *ff = arg;
	ff->status = res->status;
	ff->error = res->error;
	snprintf(ff->error_text, sizeof(ff->error_text), "%s", res->error_text ? res->error_text : "");
	ff->body = res->body;
	ff->len = res->len;
	res->body = NULL;
}

int pgd_patrol_feed(const char *url, const struct pgd_patrol_opts *o, struct pgd_patrol_report *r,
	struct pgd_err *err)
{
	struct pgd_fetch_opts fo;
	struct pgd_fetcher *f = NULL;
	struct feed_fetch ff;
	struct pgd_feed feed;
	struct pgd_patrol_thresholds thd;
	struct pgd_err perr = {0};
	int rc = 0;

	memset(&ff, 0, sizeof(ff));
	memset(&feed, 0, sizeof(feed));
	if (!url || !o || !r || (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)) {
		rc = pgd_err_set(err, PGD_ERR_INVALID, url ? url : "", "订阅源地址“%s”无效：应为 http:// 或 https:// 开头的网址",
				 url ? url : "");
		goto out;
	}
	pgd_patrol_thresholds_default(&thd);
	fo.timeout_ms = o->timeout_ms;
	fo.concurrency = 1;
	fo.per_host = 1;
	fo.max_redirects = o->max_redirects;
	fo.max_bytes = PGD_FEED_MAX_BYTES;
	f = pgd_fetcher_new(&fo);
	if (!f) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, url, "无法初始化网络请求组件（libcurl）");
		goto out;
	}
	pgd_fetcher_add(f, url, PGD_FETCH_GET, NULL);
	if (pgd_fetcher_run(f, on_feed, &ff) < 0) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, url, "获取订阅源“%s”时网络请求组件出错", url);
		goto out;
	}
	r->feeds++;
	if (o->progress)
		o->progress(o->progress_arg, 1, 0);
	if (ff.error == PGD_FETCH_TOO_LARGE) {
		pgd_patrol_add(r, url, NULL, "feed.malformed", PGD_PATROL_REVIEW, 0, NULL,
			       "订阅源超过 %u 字节的大小上限", PGD_FEED_MAX_BYTES);
		goto out;
	}
	if (ff.error != PGD_FETCH_OK || ff.status >= 400 || !ff.body) {
		char why[96];
		describe(ff.error, ff.status, why, sizeof(why));
		pgd_patrol_add(r, url, NULL, "site.unavailable", PGD_PATROL_BLOCK, 0, NULL, "订阅源无法获取：%s", why);
		goto out;
	}
	if (pgd_feed_parse(ff.body, ff.len, url, &feed, &perr) < 0) {
		pgd_patrol_add(r, url, NULL, "feed.malformed", PGD_PATROL_REVIEW, 0, NULL, "%s", perr.message);
		goto out;
	}
	pgd_feed_cadence(&feed, url, o->as_of ? o->as_of : time(NULL), o->th ? o->th : &thd, r);
out:
	pgd_feed_release(&feed);
	free(ff.body);
	pgd_fetcher_free(f);
	return rc;
}
