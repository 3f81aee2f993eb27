/* Feeds of social accounts (as produced by RSSHub and similar bridges): RSS 2.0 (and RSS 1.0
 * RDF), Atom and JSON Feed 1.0/1.1, and the Art. 6 cadence rules on them. XML is read with
 * libxml2 without network, DTD loading or entity substitution; a document with a DOCTYPE is
 * refused. HTML in item content is reduced to text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "pubguard/buf.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "core/banned.h"

#define BAD "订阅源 %s 格式错误："

/* ---- text helpers ---- */

/* Trim ASCII whitespace; NULL for an empty result. Steals s. */
static char *tidy(char *s)
{
	if (s == NULL)
		return NULL;
	size_t a = 0, n = strlen(s);
	while (a < n && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r' || s[a] == '\n'))
		a++;
	while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n == a) {
		free(s);
		return NULL;
	}
	memmove(s, s + a, n - a);
	s[n - a] = '\0';
	return s;
}

static int is_block(const char *name)
{
	static const char *const b[] = { "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
		                         "section", "article", "blockquote", "pre", "table", "ul", "ol" };
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		if (strcasecmp(name, b[i]) == 0)
			return 1;
	return 0;
}

/* Text of an HTML fragment: tags dropped, script/style skipped, whitespace runs collapsed,
 * block elements separated by newlines. new (NULL when empty). */
static char *html_text(const char *html, size_t len)
{
	struct pgd_buf b;
	htmlDocPtr d = NULL;
	char *out = NULL;

	if (html == NULL || len == 0 || len > PGD_FEED_MAX_BYTES)
		return NULL;
	if (memchr(html, '<', len) == NULL && memchr(html, '&', len) == NULL)
		return tidy(pgd_strndup(html, len));
	pgd_buf_init(&b, PGD_FEED_MAX_BYTES);
	d = htmlReadMemory(html, (int)len, NULL, "UTF-8",
	                   HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
	if (d == NULL)
		goto out;
	xmlNodePtr root = xmlDocGetRootElement(d), n = root;
	int space = 1;
	while (n != NULL) {
		int descend = 1;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			for (const xmlChar *p = n->content; p && *p; p++) {
				if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
					if (!space)
						(void)pgd_buf_addch(&b, ' ');
					space = 1;
				} else {
					(void)pgd_buf_addch(&b, (char)*p);
					space = 0;
				}
			}
		} else if (n->type == XML_ELEMENT_NODE) {
			const char *name = (const char *)n->name;
			if (strcasecmp(name, "script") == 0 || strcasecmp(name, "style") == 0)
				descend = 0;
			else if (is_block(name) && b.len > 0) {
				while (b.len > 0 && b.data[b.len - 1] == ' ')
					b.len--;
				if (b.len > 0 && b.data[b.len - 1] != '\n')
					(void)pgd_buf_addch(&b, '\n');
				space = 1;
			}
		} else {
			descend = 0;
		}
		if (descend && n->children && n->type == XML_ELEMENT_NODE) {
			n = n->children;
			continue;
		}
		while (n != NULL && n != root && n->next == NULL)
			n = n->parent;
		if (n == NULL || n == root)
			break;
		n = n->next;
	}
	if (b.data)
		b.data[b.len] = '\0';
	out = tidy(pgd_buf_take(&b, NULL));
out:
	pgd_buf_release(&b);
	if (d)
		xmlFreeDoc(d);
	return out;
}

/* ---- XML ---- */

static int named(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Not from an extension namespace with a prefix (media:title, atom:link); the default
 * namespace of RSS 1.0 counts as plain. */
static int plain(xmlNodePtr n)
{
	return n->ns == NULL || n->ns->prefix == NULL;
}

static int ns_is(xmlNodePtr n, const char *prefix)
{
	return n->ns && n->ns->prefix && strcmp((const char *)n->ns->prefix, prefix) == 0;
}

/* Text content of an element, trimmed. new or NULL. */
static char *text_of(xmlNodePtr n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s = c ? pgd_strdup((const char *)c) : NULL;
	xmlFree(c);
	return tidy(s);
}

/* Text of an element holding (escaped) HTML. */
static char *html_of(xmlNodePtr n)
{
	char *raw = text_of(n);
	char *t = raw ? html_text(raw, strlen(raw)) : NULL;
	free(raw);
	return t;
}

static time_t date_of(xmlNodePtr n)
{
	char *s = text_of(n);
	time_t t = 0;
	size_t used;
	if (s == NULL || pgd_date_parse(s, strlen(s), &t, &used) < 0)
		t = 0;
	free(s);
	return t;
}

/* Atom <link rel="alternate" href> (rel absent means alternate). new or NULL. */
static char *atom_link(xmlNodePtr n)
{
	xmlChar *rel = xmlGetProp(n, (const xmlChar *)"rel");
	char *out = NULL;
	if (rel == NULL || strcmp((const char *)rel, "alternate") == 0) {
		xmlChar *h = xmlGetProp(n, (const xmlChar *)"href");
		if (h)
			out = tidy(pgd_strdup((const char *)h));
		xmlFree(h);
	}
	xmlFree(rel);
	return out;
}

static void set(char **dst, char *v)
{
	if (v == NULL)
		return;
	free(*dst);
	*dst = v;
}

static struct pgd_feed_item *new_item(struct pgd_feed *f, size_t *cap, const char *name, int *rc,
				      struct pgd_err *err)
{
	if (f->n >= PGD_FEED_MAX_ITEMS) {
		*rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, name, "订阅源 %s 的条目超过 %d 条上限", name,
		                  PGD_FEED_MAX_ITEMS);
		return NULL;
	}
	PGD_GROW(f->items, f->n + 1, *cap);
	struct pgd_feed_item *it = &f->items[f->n++];
	memset(it, 0, sizeof(*it));
	return it;
}

static void rss_item(xmlNodePtr item, struct pgd_feed_item *it)
{
	char *desc = NULL, *encoded = NULL;
	time_t dc = 0;
	for (xmlNodePtr c = item->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (named(c, "title") && plain(c))
			set(&it->title, text_of(c));
		else if (named(c, "link") && plain(c))
			set(&it->link, text_of(c));
		else if (named(c, "guid"))
			set(&it->id, text_of(c));
		else if (named(c, "pubDate"))
			it->published = date_of(c);
		else if (named(c, "date") && ns_is(c, "dc"))
			dc = date_of(c);
		else if (named(c, "description"))
			set(&desc, html_of(c));
		else if (named(c, "encoded"))
			set(&encoded, html_of(c));
	}
	if (it->published == 0)
		it->published = dc;
	/* a permalink guid stands in for a missing link */
	if (it->link == NULL && it->id &&
	    (strncmp(it->id, "http://", 7) == 0 || strncmp(it->id, "https://", 8) == 0))
		it->link = pgd_strdup(it->id);
	if (encoded) {
		it->content = encoded;
		free(desc);
	} else {
		it->content = desc;
	}
}

/* An Atom text construct: type="html" holds escaped HTML; text and xhtml are read as text. */
static char *atom_text(xmlNodePtr n)
{
	xmlChar *type = xmlGetProp(n, (const xmlChar *)"type");
	char *out = type && strcmp((const char *)type, "html") == 0 ? html_of(n) : text_of(n);
	xmlFree(type);
	return out;
}

static void atom_entry(xmlNodePtr e, struct pgd_feed_item *it)
{
	char *content = NULL, *summary = NULL;
	time_t published = 0, updated = 0;
	for (xmlNodePtr c = e->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (named(c, "title"))
			set(&it->title, atom_text(c));
		else if (named(c, "link") && it->link == NULL)
			it->link = atom_link(c);
		else if (named(c, "id"))
			set(&it->id, text_of(c));
		else if (named(c, "published"))
			published = date_of(c);
		else if (named(c, "updated"))
			updated = date_of(c);
		else if (named(c, "content"))
			set(&content, atom_text(c));
		else if (named(c, "summary"))
			set(&summary, atom_text(c));
	}
	it->published = published ? published : updated;
	if (content) {
		it->content = content;
		free(summary);
	} else {
		it->content = summary;
	}
}

static int parse_xml(const char *buf, size_t len, const char *name, struct pgd_feed *f, struct pgd_err *err)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr x = NULL;
	size_t cap = 0;
	int rc = 0;

	for (size_t i = 0; i + 9 <= len; i++) {
		const char *p = memchr(buf + i, '<', len - i);
		if (p == NULL)
			break;
		i = (size_t)(p - buf);
		if (len - i >= 9 && (strncasecmp(p, "<!DOCTYPE", 9) == 0 || strncasecmp(p, "<!ENTITY", 8) == 0)) {
			rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "含有 DTD 声明（订阅源不应有），已拒绝",
			                 name);
			goto out;
		}
	}
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, name, "无法创建 XML 解析器");
		goto out;
	}
	x = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
	                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (x == NULL || !ctxt->wellFormed) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "不是格式正确的 XML（第 %d 行出错：%s）", name,
		                 ctxt->lastError.line,
		                 ctxt->lastError.code == XML_ERR_UNDECLARED_ENTITY ? "未声明的实体"
		                                                                   : "文件已损坏或被截断");
		goto out;
	}
	if (x->intSubset || x->extSubset) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "含有 DTD 声明（订阅源不应有），已拒绝", name);
		goto out;
	}
	xmlNodePtr root = xmlDocGetRootElement(x);
	if (root == NULL) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "没有根元素", name);
		goto out;
	}
	if (named(root, "rss") || named(root, "RDF")) {
		xmlNodePtr ch = NULL;
		f->kind = PGD_FEED_RSS;
		for (xmlNodePtr c = root->children; c; c = c->next)
			if (named(c, "channel")) {
				ch = c;
				break;
			}
		if (ch == NULL) {
			rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "RSS 缺少 <channel> 元素", name);
			goto out;
		}
		for (xmlNodePtr c = ch->children; c; c = c->next) {
			if (named(c, "title") && plain(c) && f->title == NULL)
				f->title = text_of(c);
			else if (named(c, "link") && plain(c) && f->link == NULL)
				f->link = text_of(c);
		}
		/* RSS 2.0: items inside channel; RSS 1.0: items beside it */
		xmlNodePtr parent = named(root, "rss") ? ch : root;
		for (xmlNodePtr c = parent->children; c; c = c->next) {
			if (!named(c, "item"))
				continue;
			struct pgd_feed_item *it = new_item(f, &cap, name, &rc, err);
			if (it == NULL)
				goto out;
			rss_item(c, it);
		}
	} else if (named(root, "feed")) {
		f->kind = PGD_FEED_ATOM;
		for (xmlNodePtr c = root->children; c; c = c->next) {
			if (named(c, "title") && f->title == NULL) {
				f->title = atom_text(c);
			} else if (named(c, "link") && f->link == NULL) {
				f->link = atom_link(c);
			} else if (named(c, "entry")) {
				struct pgd_feed_item *it = new_item(f, &cap, name, &rc, err);
				if (it == NULL)
					goto out;
				atom_entry(c, it);
			}
		}
	} else {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "根元素 <%.64s> 不是 RSS（<rss>）或 Atom（<feed>）",
		                 name, (const char *)root->name);
		goto out;
	}
out:
	if (x)
		xmlFreeDoc(x);
	if (ctxt)
		xmlFreeParserCtxt(ctxt);
	return rc;
}

/* ---- JSON Feed ---- */

static char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? tidy(pgd_strndup(json_string_value(v), json_string_length(v))) : NULL;
}

static time_t jdate(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	time_t t = 0;
	size_t used;
	if (!json_is_string(v) || pgd_date_parse(json_string_value(v), json_string_length(v), &t, &used) < 0)
		return 0;
	return t;
}

static int parse_json(const char *buf, size_t len, const char *name, struct pgd_feed *f, struct pgd_err *err)
{
	json_error_t je;
	json_t *root = NULL;
	size_t cap = 0;
	int rc = 0;

	f->kind = PGD_FEED_JSON;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "不是格式正确的 JSON（第 %d 行出错）", name, je.line);
		goto out;
	}
	if (!json_is_object(root)) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "JSON Feed 的顶层应为对象", name);
		goto out;
	}
	json_t *ver = json_object_get(root, "version");
	if (!json_is_string(ver) || strncmp(json_string_value(ver), "https://jsonfeed.org/version/", 29) != 0) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "缺少 JSON Feed 版本（version）", name);
		goto out;
	}
	json_t *items = json_object_get(root, "items");
	if (!json_is_array(items)) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "缺少条目列表（items）", name);
		goto out;
	}
	f->title = jstr(root, "title");
	f->link = jstr(root, "home_page_url");
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *o = json_array_get(items, i);
		if (!json_is_object(o)) {
			rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "第 %zu 个条目不是对象", name, i + 1);
			goto out;
		}
		struct pgd_feed_item *it = new_item(f, &cap, name, &rc, err);
		if (it == NULL)
			goto out;
		it->title = jstr(o, "title");
		it->link = jstr(o, "url");
		json_t *id = json_object_get(o, "id");
		if (json_is_string(id))
			it->id = jstr(o, "id");
		else if (json_is_integer(id)) { /* 1.0 feeds in the wild use numbers */
			char tmp[32];
			snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(id));
			it->id = pgd_strdup(tmp);
		}
		it->published = jdate(o, "date_published");
		if (it->published == 0)
			it->published = jdate(o, "date_modified");
		it->content = jstr(o, "content_text");
		if (it->content == NULL) {
			json_t *h = json_object_get(o, "content_html");
			if (json_is_string(h))
				it->content = html_text(json_string_value(h), json_string_length(h));
		}
	}
out:
	json_decref(root);
	return rc;
}

int pgd_feed_parse(const char *buf, size_t len, const char *name, struct pgd_feed *out, struct pgd_err *err)
{
	size_t i = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (name == NULL)
		name = "";
	if (len > PGD_FEED_MAX_BYTES) {
		rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, name, "订阅源 %s 超过 %u MB 上限", name,
		                 PGD_FEED_MAX_BYTES >> 20);
		goto out;
	}
	if (buf == NULL)
		len = 0;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i >= len) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "内容为空", name);
		goto out;
	}
	if (buf[i] == '{')
		rc = parse_json(buf + i, len - i, name, out, err);
	else if (buf[i] == '<')
		rc = parse_xml(buf, len, name, out, err);
	else if (buf[i] == '[')
		rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "JSON Feed 的顶层应为对象", name);
	else
		rc = pgd_err_set(err, PGD_ERR_FORMAT, name, BAD "既不是 XML（RSS、Atom）也不是 JSON Feed", name);
out:
	if (rc < 0)
		pgd_feed_release(out);
	return rc;
}

void pgd_feed_release(struct pgd_feed *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->items[i].title);
		free(f->items[i].link);
		free(f->items[i].id);
		free(f->items[i].content);
	}
	free(f->items);
	free(f->title);
	free(f->link);
	memset(f, 0, sizeof(*f));
}

/* ---- cadence (Art. 6) ---- */

/* Calendar day number in Beijing time. */
static long bj_day(time_t t)
{
	long long s = (long long)t + 8 * 3600;
	return (long)(s >= 0 ? s / 86400 : -((-s + 86399) / 86400));
}

static void day_str(long day, char *out, size_t n)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, n, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void pgd_feed_cadence(const struct pgd_feed *f, const char *url, time_t as_of,
	const struct pgd_patrol_thresholds *t, struct pgd_patrol_report *r)
{
	struct pgd_patrol_thresholds def;
	char today[40], last[40]; /* room for any int fields, though dates are 10 bytes */
	long now = bj_day(as_of), newest = 0;
	size_t week = 0, dated = 0;

	if (f == NULL || r == NULL)
		return;
	if (t == NULL) {
		pgd_patrol_thresholds_default(&def);
		t = &def;
	}
	day_str(now, today, sizeof(today));
	if (f->n == 0) {
		pgd_patrol_add(r, url, NULL, "feed.empty", PGD_PATROL_REVIEW, 0, f->title,
		               "订阅源没有任何信息（截至 %s），无法确认账号是否按要求更新（第六条）", today);
		return;
	}
	for (size_t i = 0; i < f->n; i++) {
		if (f->items[i].published == 0)
			continue;
		long d = bj_day(f->items[i].published);
		if (d > now) /* dated after the patrol date: not counted */
			continue;
		if (dated == 0 || d > newest)
			newest = d;
		dated++;
		if (now - d < 7)
			week++;
	}
	if (dated == 0) {
		pgd_patrol_add(r, url, NULL, "feed.malformed", PGD_PATROL_REVIEW, 0, f->title,
		               "订阅源的 %zu 条信息都没有可识别的发布日期（截至 %s），无法判断更新频率", f->n, today);
		return;
	}
	if ((long)week < t->weekly_min_items) {
		if (week == 0)
			pgd_patrol_add(r, url, NULL, "feed.not_weekly", PGD_PATROL_REVIEW, 0, f->title,
			               "最近 7 天（截至 %s）没有发布信息，未达到每周至少 %d 条的要求（第六条）", today,
			               t->weekly_min_items);
		else
			pgd_patrol_add(r, url, NULL, "feed.not_weekly", PGD_PATROL_REVIEW, 0, f->title,
			               "最近 7 天（截至 %s）只发布了 %zu 条信息，未达到每周至少 %d 条的要求（第六条）",
			               today, week, t->weekly_min_items);
	}
	if (now - newest > t->zombie_days) {
		day_str(newest, last, sizeof(last));
		pgd_patrol_add(r, url, NULL, "feed.zombie", PGD_PATROL_BLOCK, 0, f->title,
		               "已 %ld 天未更新（最近一次 %s），超过 %d 天，属于“僵尸”账号", now - newest, last,
		               t->zombie_days);
	}
}
