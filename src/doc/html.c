/* The HTML reader: libxml2's HTML parser (recovering) over the source decoded to UTF-8.
 *
 * libxml2 gives a tree but only rough line numbers (a text node carries the line where it
 * ends, and only up to 65535), so positions are recovered from the decoded source itself:
 * a cursor walks the source in document order; each text node is aligned character by
 * character with the source after the cursor (skipping markup, decoding entities, matching
 * whitespace), which gives the exact line and column of every character even when the text
 * spans lines or holds entities. Attribute values (img alt, meta content) are aligned with
 * the value in their start tag the same way. Where alignment fails (recovered markup), the
 * position continues from the previous character. */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "pubguard/buf.h"
#include "pubguard/doc.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "doc/internal.h"
#include "core/banned.h"

/* How far ahead of the cursor a lost text or tag is searched for. */
#define SEARCH_WINDOW ((size_t)64 << 10)
/* How many tags are skipped looking for an element's start tag. */
#define TAG_SEARCH_MAX 64
#define MAX_ATTRS 24

/* ---- positions in the decoded source ---- */

struct spos {
	size_t off;
	unsigned line, col;
};

static void adv(const char *s, struct spos *p, size_t to)
{
	for (size_t i = p->off; i < to; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n') {
			p->line++;
			p->col = 1;
		} else if ((c & 0xC0) != 0x80) {
			p->col++;
		}
	}
	p->off = to;
}

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* ---- a small tokenizer for start tags in the source ---- */

struct sattr {
	size_t name, name_len;
	size_t val, val_len; /* val_len 0 and val 0: no value */
};

struct stag {
	size_t start, end; /* '<' and just after '>' */
	size_t name, name_len;
	int closing;
	struct sattr attrs[MAX_ATTRS];
	int nattrs;
};

static size_t find_str(const char *s, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);
	while (from + n <= len) {
		const char *p = memchr(s + from, needle[0], len - from);
		if (p == NULL)
			break;
		from = (size_t)(p - s);
		if (from + n <= len && memcmp(p, needle, n) == 0)
			return from;
		from++;
	}
	return len;
}

/* s[pos] == '<'. Returns 1 when it starts markup (tag, end tag, comment, doctype, PI) and
 * fills t (start/end/name); a '<' that is just text returns 0. */
static int parse_markup(const char *s, size_t len, size_t pos, struct stag *t)
{
	size_t i = pos + 1;
	unsigned char q = 0;

	memset(t, 0, sizeof(*t));
	t->start = pos;
	if (i >= len)
		return 0;
	if (s[i] == '!') {
		if (i + 2 < len && s[i + 1] == '-' && s[i + 2] == '-') {
			size_t e = find_str(s, len, i + 3, "-->");
			t->end = e < len ? e + 3 : len;
			return 1;
		}
		if (i + 7 < len && memcmp(s + i, "![CDATA[", 8) == 0) {
			size_t e = find_str(s, len, i + 8, "]]>");
			t->end = e < len ? e + 3 : len;
			return 1;
		}
		{
			const char *g = memchr(s + i, '>', len - i);
			t->end = g ? (size_t)(g - s) + 1 : len;
		}
		return 1;
	}
	if (s[i] == '?') {
		const char *g = memchr(s + i, '>', len - i);
		t->end = g ? (size_t)(g - s) + 1 : len;
		return 1;
	}
	if (s[i] == '/') {
		t->closing = 1;
		i++;
		if (i >= len || !is_alpha((unsigned char)s[i]))
			return 0;
	} else if (!is_alpha((unsigned char)s[i])) {
		return 0;
	}
	t->name = i;
	while (i < len && !is_ws((unsigned char)s[i]) && s[i] != '>' && s[i] != '/')
		i++;
	t->name_len = i - t->name;
	/* attributes */
	while (i < len) {
		struct sattr *a;
		while (i < len && (is_ws((unsigned char)s[i]) || s[i] == '/'))
			i++;
		if (i >= len)
			break;
		if (s[i] == '>') {
			t->end = i + 1;
			return 1;
		}
		a = t->nattrs < MAX_ATTRS ? &t->attrs[t->nattrs++] : NULL;
		if (a) {
			a->name = i;
			a->val = a->val_len = 0;
		}
		while (i < len && !is_ws((unsigned char)s[i]) && s[i] != '=' && s[i] != '>' &&
		       s[i] != '/')
			i++;
		if (a)
			a->name_len = i - a->name;
		while (i < len && is_ws((unsigned char)s[i]))
			i++;
		if (i < len && s[i] == '=') {
			i++;
			while (i < len && is_ws((unsigned char)s[i]))
				i++;
			if (i < len && (s[i] == '"' || s[i] == '\'')) {
				q = (unsigned char)s[i++];
				if (a)
					a->val = i;
				while (i < len && (unsigned char)s[i] != q)
					i++;
				if (a)
					a->val_len = i - a->val;
				if (i < len)
					i++;
			} else {
				if (a)
					a->val = i;
				while (i < len && !is_ws((unsigned char)s[i]) && s[i] != '>')
					i++;
				if (a)
					a->val_len = i - a->val;
			}
		}
	}
	t->end = len;
	return 1;
}

/* Position of an attribute's value in t, or (size_t)-1. */
static size_t tag_attr(const char *s, const struct stag *t, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < t->nattrs; i++)
		if (t->attrs[i].name_len == n && strncasecmp(s + t->attrs[i].name, name, n) == 0 &&
		    t->attrs[i].val)
			return t->attrs[i].val;
	return (size_t)-1;
}

/* ---- the walk ---- */

struct frame {
	const xmlNode *node;
	enum pgd_seg_kind kind;
	unsigned skip : 1, pre : 1, block : 1, figure : 1, title : 1;
	int fig_image;   /* figure: its first image, -1 */
	int fig_caption; /* figure: a figcaption segment waiting for an image, -1 */
	int link;        /* <a>: -1, or 1 with link_start / link_line set */
	size_t link_start;
	unsigned link_line;
	size_t title_start;
};

struct hctx {
	struct pgd_doc *doc;
	const char *src;
	size_t len;
	struct spos cur; /* everything before cur has been matched */
	struct pgd_docb b;
	struct frame *st;
	size_t nst, st_cap;
	int last_image; /* image whose caption may follow, -1 */
	int space;      /* a collapsed space is pending */
	int rc;
};

static const char *const block_tags[] = {
    "address",    "article", "aside",  "blockquote", "body",     "br",    "caption", "center",
    "dd",         "details", "dialog", "dir",        "div",      "dl",    "dt",      "fieldset",
    "figcaption", "figure",  "footer", "form",       "h1",       "h2",    "h3",      "h4",
    "h5",         "h6",      "head",   "header",     "hr",       "html",  "legend",  "li",
    "main",       "menu",    "nav",    "ol",         "option",   "p",     "pre",     "section",
    "summary",    "table",   "tbody",  "td",         "textarea", "tfoot", "th",      "thead",
    "title",      "tr",      "ul",
};

static const char *const skip_tags[] = {
    "script", "style",  "noscript", "template", "iframe", "object",
    "embed",  "applet", "noembed",  "noframes", "select",
};

static int in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

#define IN_LIST(name, list) in_list((name), (list), sizeof(list) / sizeof((list)[0]))

static struct frame *top(struct hctx *c)
{
	return c->nst ? &c->st[c->nst - 1] : NULL;
}

static int skipping(struct hctx *c)
{
	const struct frame *f = top(c);
	return f && f->skip;
}

static int in_pre(struct hctx *c)
{
	const struct frame *f = top(c);
	return f && f->pre;
}

static enum pgd_seg_kind cur_kind(struct hctx *c)
{
	const struct frame *f = top(c);
	return f ? f->kind : PGD_SEG_BODY;
}

/* The segment just ended: link captions to images. */
static void segment_done(struct hctx *c, int idx)
{
	struct pgd_doc *doc = c->doc;
	struct pgd_doc_seg *seg;
	const char *text;

	if (idx < 0)
		return;
	seg = &doc->segs[idx];
	text = c->b.text.data + seg->off;
	if (seg->kind == PGD_SEG_IMAGE)
		return;
	if (seg->kind == PGD_SEG_CAPTION) {
		/* figcaption: the figure's image, now or when it appears */
		for (size_t i = c->nst; i-- > 0;) {
			struct frame *f = &c->st[i];
			if (!f->figure)
				continue;
			if (f->fig_image >= 0) {
				seg->image = f->fig_image;
				if (doc->images[f->fig_image].caption == NULL)
					doc->images[f->fig_image].caption =
					    pgd_strndup(text, seg->len);
			} else {
				f->fig_caption = idx;
			}
			break;
		}
	} else if (seg->kind == PGD_SEG_BODY && c->last_image >= 0 &&
	           pgd_doc_caption_like(text, seg->len)) {
		seg->kind = PGD_SEG_CAPTION;
		seg->image = c->last_image;
		if (doc->images[c->last_image].caption == NULL)
			doc->images[c->last_image].caption = pgd_strndup(text, seg->len);
	}
	c->last_image = -1;
}

static void flush(struct hctx *c)
{
	int idx = pgd_docb_end(&c->b);
	c->space = 0;
	segment_done(c, idx);
}

static void put(struct hctx *c, const char *p, size_t n, unsigned line, unsigned col)
{
	if (c->rc < 0)
		return;
	if (!c->b.open)
		pgd_docb_begin(&c->b, cur_kind(c), -1);
	c->rc = pgd_docb_put(&c->b, p, n, line, col);
}

/* Skip whitespace and markup from pos; returns the first text position. */
static size_t skip_markup(const char *s, size_t len, size_t pos, size_t limit)
{
	struct stag t;
	while (pos < len && pos < limit) {
		if (is_ws((unsigned char)s[pos])) {
			pos++;
		} else if (s[pos] == '<' && parse_markup(s, len, pos, &t)) {
			if (t.end <= pos)
				break;
			pos = t.end;
			/* raw-text elements: their content is not markup */
			if (!t.closing && t.name_len &&
			    ((t.name_len == 6 && strncasecmp(s + t.name, "script", 6) == 0) ||
			     (t.name_len == 5 && strncasecmp(s + t.name, "style", 5) == 0)))
				break;
		} else {
			break;
		}
	}
	return pos;
}

/* Length of an entity reference at s[pos] == '&' (0 when it is not one). */
static size_t entity_len(const char *s, size_t len, size_t pos)
{
	size_t i = pos + 1;
	if (i < len && s[i] == '#') {
		i++;
		if (i < len && (s[i] == 'x' || s[i] == 'X'))
			i++;
		while (i < len && is_alnum((unsigned char)s[i]) && i - pos < 12)
			i++;
	} else {
		while (i < len && is_alnum((unsigned char)s[i]) && i - pos < 40)
			i++;
	}
	if (i == pos + 1)
		return 0;
	if (i < len && s[i] == ';')
		i++;
	return i - pos;
}

/* Emit the text t (libxml2's decoded content) aligned with the source from sp. With emit 0,
 * only the cursor moves (skipped content). entities 0: raw text (script, style, CDATA). Whitespace
 * collapses outside <pre>. Returns 1 when the whole text aligned. */
static int align_text(struct hctx *c, const char *t, size_t tlen, struct spos sp, int emit,
                      int collapse, int entities, struct spos *end)
{
	const char *s = c->src;
	size_t len = c->len;
	int lost = 0;
	size_t i = 0;

	while (i < tlen && c->rc >= 0) {
		unsigned char ch = (unsigned char)t[i];
		size_t n = 1;
		unsigned line = 0, col = 0;

		if (ch >= 0x80) {
			uint32_t cp;
			int k = pgd_utf8_decode(t + i, tlen - i, &cp);
			n = k > 0 ? (size_t)k : 1;
		}
		if (!lost) {
			size_t el = entities && sp.off < len && s[sp.off] == '&'
			                ? entity_len(s, len, sp.off)
			                : 0;
			/* "&amp;" is an entity even for a '&'; "a&b" is a literal '&' */
			if (el && (s[sp.off + el - 1] == ';' || ch != '&')) {
				line = sp.line;
				col = sp.col;
				adv(s, &sp, sp.off + el);
			} else if (sp.off + n <= len && memcmp(s + sp.off, t + i, n) == 0) {
				line = sp.line;
				col = sp.col;
				adv(s, &sp, sp.off + n);
			} else if (is_ws(ch) && sp.off < len && is_ws((unsigned char)s[sp.off])) {
				adv(s, &sp, sp.off + 1);
			} else {
				/* the first character that does not match is most likely where
				 * the source is (e.g. a percent-encoded file name); after it the
				 * positions are unknown */
				if (sp.off < len) {
					line = sp.line;
					col = sp.col;
				}
				lost = 1;
			}
		}
		if (emit) {
			if (collapse && is_ws(ch)) {
				if (c->b.open && c->b.started && pgd_docb_last(&c->b) != ' ')
					c->space = 1;
			} else {
				if (c->space && c->b.open && c->b.started)
					put(c, " ", 1, 0, 0);
				c->space = 0;
				if (ch == '\r' || ch == '\f')
					put(c, " ", 1, line, col);
				else
					put(c, t + i, n, line, col);
			}
		}
		i += n;
	}
	*end = sp;
	return !lost;
}

/* Find where text t begins in the source at or after the cursor. */
static int find_text(struct hctx *c, const char *t, size_t tlen, struct spos *at)
{
	size_t i = 0, n = 0, start, limit, hit;
	struct spos p = c->cur;

	while (i < tlen && is_ws((unsigned char)t[i]))
		i++;
	if (i == tlen)
		return 0;
	limit = c->len - c->cur.off > SEARCH_WINDOW ? c->cur.off + SEARCH_WINDOW : c->len;
	start = skip_markup(c->src, c->len, c->cur.off, limit);
	/* usual case: the text is the next thing in the source */
	if (start < c->len) {
		unsigned char s0 = (unsigned char)c->src[start];
		if (s0 == '&' || memcmp(c->src + start, t + i, 1) == 0) {
			adv(c->src, &p, start);
			*at = p;
			return 1;
		}
	}
	/* otherwise search a literal prefix of the text further on */
	while (i + n < tlen && n < 24) {
		unsigned char ch = (unsigned char)t[i + n];
		if (is_ws(ch) || ch == '&' || ch == '<' || ch == '>' || ch == '"' || ch == '\'' ||
		    (ch == 0xC2 && i + n + 1 < tlen && (unsigned char)t[i + n + 1] == 0xA0))
			break;
		n++;
	}
	while (n > 0 && i + n < tlen && ((unsigned char)t[i + n] & 0xC0) == 0x80)
		n--;
	if (n == 0)
		return 0;
	hit = start;
	while (hit + n <= limit) {
		const char *q = memchr(c->src + hit, t[i], limit - hit);
		if (q == NULL)
			return 0;
		hit = (size_t)(q - c->src);
		if (hit + n <= limit && memcmp(c->src + hit, t + i, n) == 0) {
			adv(c->src, &p, hit);
			*at = p;
			return 1;
		}
		hit++;
	}
	return 0;
}

static void on_text(struct hctx *c, const xmlNode *n)
{
	const char *t = (const char *)n->content;
	size_t tlen, i = 0;
	struct spos at, end;
	int emit = !skipping(c), collapse = !in_pre(c);
	int raw = n->type == XML_CDATA_SECTION_NODE;

	if (t == NULL)
		return;
	tlen = strlen(t);
	if (find_text(c, t, tlen, &at)) {
		/* drop the leading whitespace of the node on both sides */
		while (i < tlen && is_ws((unsigned char)t[i])) {
			if (emit && collapse && c->b.open && c->b.started &&
			    pgd_docb_last(&c->b) != ' ')
				c->space = 1;
			else if (emit && !collapse)
				break;
			i++;
		}
		if (align_text(c, t + i, tlen - i, at, emit, collapse, raw == 0, &end) ||
		    end.off > c->cur.off)
			c->cur = end;
	} else if (emit) {
		/* not found in the source: positions continue from the previous character */
		struct spos none = {c->len, 0, 0};
		align_text(c, t, tlen, none, emit, collapse, raw == 0, &end);
	}
}

/* Find the start tag of element name at or after the cursor; on success the cursor moves past
 * it. Text between is not skipped: a start tag is searched only across markup. */
static int find_tag(struct hctx *c, const char *name, struct stag *t, struct spos *at)
{
	size_t pos = c->cur.off, n = strlen(name);
	int tags = 0;

	while (pos < c->len && tags < TAG_SEARCH_MAX) {
		if (is_ws((unsigned char)c->src[pos])) {
			pos++;
			continue;
		}
		if (c->src[pos] != '<' || !parse_markup(c->src, c->len, pos, t) || t->end <= pos)
			return 0;
		if (!t->closing && t->name_len == n &&
		    strncasecmp(c->src + t->name, name, n) == 0) {
			struct spos p = c->cur;
			adv(c->src, &p, pos);
			*at = p;
			adv(c->src, &c->cur, t->end);
			return 1;
		}
		pos = t->end;
		tags++;
	}
	return 0;
}

static void attr_text(const xmlNode *n, const char *name, char **out)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	*out = v ? pgd_strdup((const char *)v) : NULL;
	xmlFree(v);
}

/* File name of an image URL: last path component, without query, percent-decoded when
 * that gives valid UTF-8. new. */
static char *url_file_name(const char *src)
{
	const char *end = src + strcspn(src, "?#");
	const char *b = end;
	char *out;
	size_t n = 0;

	while (b > src && b[-1] != '/' && b[-1] != '\\' && b[-1] != '=')
		b--;
	out = pgd_malloc((size_t)(end - b) + 1);
	for (const char *p = b; p < end; p++) {
		static const char hex[] = "0123456789abcdef0123456789ABCDEF";
		const char *h1, *h2;
		if (*p == '%' && end - p >= 3 && p[1] && p[2] && (h1 = strchr(hex, p[1])) != NULL &&
		    (h2 = strchr(hex, p[2])) != NULL) {
			out[n++] = (char)((((h1 - hex) & 15) << 4) | ((h2 - hex) & 15));
			p += 2;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	if (!pgd_utf8_valid(out, n) || memchr(out, '\0', n)) {
		free(out);
		out = pgd_strndup(b, (size_t)(end - b));
	}
	return out;
}

/* Align an attribute value with its place in the tag t (value at v) and emit it as one
 * segment of its own. Returns the segment index or -1. */
static int attr_segment(struct hctx *c, const char *val, enum pgd_seg_kind kind, int image,
                        const struct stag *t, const struct spos *tagpos, const char *attr,
                        int basename, unsigned fallback_line)
{
	struct spos sp, end;
	size_t i = 0, vlen;
	int idx;

	if (val == NULL)
		return -1;
	vlen = strlen(val);
	while (i < vlen && is_ws((unsigned char)val[i]))
		i++;
	if (i == vlen)
		return -1;
	if (c->b.open)
		flush(c);
	pgd_docb_begin(&c->b, kind, image);
	c->space = 0;
	sp.off = c->len; /* nothing to align with */
	sp.line = sp.col = 0;
	if (tagpos) {
		size_t v = tag_attr(c->src, t, attr);
		if (v != (size_t)-1) {
			sp = *tagpos;
			adv(c->src, &sp, v);
			while (sp.off < t->end && is_ws((unsigned char)c->src[sp.off]))
				adv(c->src, &sp, sp.off + 1);
			if (basename) {
				/* a file name: start after the value's last '/' */
				size_t e = sp.off, last = sp.off;
				while (e < t->end && c->src[e] != '"' && c->src[e] != '\'' &&
				       c->src[e] != '?' && c->src[e] != '#' && c->src[e] != '>' &&
				       !is_ws((unsigned char)c->src[e])) {
					if (c->src[e] == '/' || c->src[e] == '\\' ||
					    c->src[e] == '=')
						last = e + 1;
					e++;
				}
				adv(c->src, &sp, last);
			}
		}
	}
	if (sp.off >= c->len && fallback_line > 0) {
		/* unknown column: the start of the line libxml2 reports */
		uint32_t cp;
		int k = pgd_utf8_decode(val + i, vlen - i, &cp);
		size_t n = k > 0 ? (size_t)k : 1;
		put(c, val + i, n, fallback_line, 1);
		i += n;
	}
	align_text(c, val + i, vlen - i, sp, 1, 1, 1, &end);
	idx = pgd_docb_end(&c->b);
	c->space = 0;
	return idx;
}

static unsigned node_line(const xmlNode *n)
{
	long l = xmlGetLineNo(n);
	return l > 0 && l < 65535 ? (unsigned)l : 0;
}

static void on_img(struct hctx *c, const xmlNode *n)
{
	struct pgd_doc *doc = c->doc;
	struct stag t;
	struct spos at;
	int found = find_tag(c, "img", &t, &at);
	char *src = NULL, *alt = NULL, *title = NULL, *file = NULL;
	unsigned line = found ? at.line : node_line(n);
	int idx, s1, s2, s3;

	attr_text(n, "src", &src);
	attr_text(n, "alt", &alt);
	attr_text(n, "title", &title);
	if (src == NULL)
		attr_text(n, "data-src", &src);
	if (c->b.open)
		flush(c);
	idx = pgd_doc_add_image(doc, src, alt, title, line);
	s1 = attr_segment(c, alt, PGD_SEG_IMAGE, idx, &t, found ? &at : NULL, "alt", 0, line);
	s2 = -1;
	if (title && (alt == NULL || strcmp(alt, title) != 0))
		s2 = attr_segment(c, title, PGD_SEG_IMAGE, idx, &t, found ? &at : NULL, "title", 0,
		                  line);
	s3 = -1;
	if (src && strncmp(src, "data:", 5) != 0) {
		file = url_file_name(src);
		if (found && tag_attr(c->src, &t, "src") == (size_t)-1 &&
		    tag_attr(c->src, &t, "data-src") != (size_t)-1)
			s3 =
			    attr_segment(c, file, PGD_SEG_IMAGE, idx, &t, &at, "data-src", 1, line);
		else
			s3 = attr_segment(c, file, PGD_SEG_IMAGE, idx, &t, found ? &at : NULL,
			                  "src", 1, line);
	}
	{
		int first = s1 >= 0 ? s1 : s2 >= 0 ? s2 : s3;
		if (first >= 0)
			doc->images[idx].off = doc->segs[first].off;
		else
			doc->images[idx].off = c->b.text.len;
	}
	/* a figure's caption that came before the image */
	for (size_t i = c->nst; i-- > 0;) {
		struct frame *f = &c->st[i];
		if (!f->figure)
			continue;
		if (f->fig_image < 0)
			f->fig_image = idx;
		if (f->fig_caption >= 0) {
			struct pgd_doc_seg *seg = &doc->segs[f->fig_caption];
			seg->image = idx;
			if (doc->images[idx].caption == NULL)
				doc->images[idx].caption =
				    pgd_strndup(c->b.text.data + seg->off, seg->len);
			f->fig_caption = -1;
		}
		break;
	}
	c->last_image = idx;
	free(src);
	free(alt);
	free(title);
	free(file);
}

static int meta_is_text(const char *key)
{
	static const char *const keys[] = {"ArticleTitle",  "description", "Keywords",
	                                   "ContentSource", "og:title",    "og:description",
	                                   "SubTitle"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcasecmp(key, keys[i]) == 0)
			return 1;
	return 0;
}

static void on_meta(struct hctx *c, const xmlNode *n)
{
	struct stag t;
	struct spos at;
	int found = find_tag(c, "meta", &t, &at);
	char *key = NULL, *val = NULL;
	unsigned line = found ? at.line : node_line(n);

	attr_text(n, "name", &key);
	if (key == NULL)
		attr_text(n, "property", &key);
	attr_text(n, "content", &val);
	if (key && *key && val) {
		pgd_doc_add_meta(c->doc, key, val, line);
		if (meta_is_text(key)) {
			int idx = attr_segment(c, val, PGD_SEG_META, -1, &t, found ? &at : NULL,
			                       "content", 0, line);
			segment_done(c, idx);
		}
	}
	free(key);
	free(val);
}

static void push(struct hctx *c, const xmlNode *n)
{
	struct frame *f, *parent;
	PGD_GROW(c->st, c->nst + 1, c->st_cap);
	parent = top(c); /* after the grow: the array may have moved */
	f = &c->st[c->nst++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->kind = parent ? parent->kind : PGD_SEG_BODY;
	f->skip = parent ? parent->skip : 0;
	f->pre = parent ? parent->pre : 0;
	f->fig_image = f->fig_caption = -1;
	f->link = -1;
}

/* Returns 1 to descend into the children. */
static int enter(struct hctx *c, const xmlNode *n)
{
	const char *name;
	struct frame *f;

	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		on_text(c, n);
		return 0;
	case XML_ELEMENT_NODE:
		break;
	default:
		return 0;
	}
	name = (const char *)n->name;
	if (name == NULL)
		name = "";
	push(c, n);
	f = top(c);
	if (f->skip)
		return 1;
	if (IN_LIST(name, skip_tags)) {
		f->skip = 1;
		return 1;
	}
	if (IN_LIST(name, block_tags)) {
		f->block = 1;
		if (c->b.open)
			flush(c);
	}
	if (strcmp(name, "title") == 0) {
		f->kind = PGD_SEG_TITLE;
		f->title = 1;
	} else if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && name[2] == '\0') {
		f->kind = PGD_SEG_TITLE;
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		f->kind = PGD_SEG_TABLE;
	} else if (strcmp(name, "figcaption") == 0 || strcmp(name, "caption") == 0) {
		f->kind = PGD_SEG_CAPTION;
	} else if (strcmp(name, "pre") == 0 || strcmp(name, "textarea") == 0 ||
	           strcmp(name, "listing") == 0) {
		f->pre = 1;
	} else if (strcmp(name, "figure") == 0) {
		f->figure = 1;
	} else if (strcmp(name, "img") == 0 || strcmp(name, "image") == 0) {
		on_img(c, n);
	} else if (strcmp(name, "meta") == 0) {
		on_meta(c, n);
	} else if (strcmp(name, "a") == 0) {
		struct stag t;
		struct spos at;
		f->link = 1;
		f->link_line = find_tag(c, "a", &t, &at) ? at.line : node_line(n);
		f->link_start = c->b.text.len;
	} else if (strcmp(name, "br") == 0 || strcmp(name, "hr") == 0) {
		struct stag t;
		struct spos at;
		find_tag(c, name, &t, &at);
	}
	return 1;
}

static void leave(struct hctx *c, const xmlNode *n)
{
	struct frame *f;

	if (n->type != XML_ELEMENT_NODE)
		return;
	f = top(c);
	if (f == NULL || f->node != n)
		return;
	if (!f->skip) {
		if (f->link == 1) {
			char *href = NULL;
			size_t s = f->link_start, e = c->b.text.len, k;
			char *text;
			attr_text(n, "href", &href);
			if (s > e)
				s = e;
			while (s < e && (c->b.text.data[s] == '\n' || c->b.text.data[s] == ' '))
				s++;
			while (e > s &&
			       (c->b.text.data[e - 1] == '\n' || c->b.text.data[e - 1] == ' '))
				e--;
			text = pgd_strndup(c->b.text.data ? c->b.text.data + s : "", e - s);
			for (k = 0; text[k]; k++)
				if (text[k] == '\n')
					text[k] = ' ';
			if (href)
				pgd_doc_add_link(c->doc, href, text, f->link_line, s);
			free(text);
			free(href);
		}
		if (f->block && c->b.open) {
			int is_title = f->title;
			int idx = pgd_docb_end(&c->b);
			c->space = 0;
			if (is_title && idx >= 0) {
				char *v = pgd_strndup(c->b.text.data + c->doc->segs[idx].off,
				                      c->doc->segs[idx].len);
				pgd_doc_add_meta(c->doc, "title", v, c->doc->segs[idx].line);
				free(v);
			}
			segment_done(c, idx);
		}
	}
	c->nst--;
}

static void walk(struct hctx *c, const xmlNode *first)
{
	const xmlNode *n = first, *stop = first ? first->parent : NULL;

	while (n && c->rc >= 0) {
		if (enter(c, n) && n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		for (;;) {
			leave(c, n);
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (n == NULL || n == stop) {
				n = NULL;
				break;
			}
		}
	}
}

/* <meta charset=...>, <meta http-equiv content="...; charset=...">, <?xml encoding=...?> in
 * the first bytes. */
static void find_charset(const char *s, size_t len, char out[32])
{
	size_t lim = len < 16384 ? len : 16384, pos = 0;
	out[0] = '\0';
	while (pos < lim) {
		const char *lt = memchr(s + pos, '<', lim - pos);
		struct stag t;
		if (lt == NULL)
			break;
		pos = (size_t)(lt - s);
		if (!parse_markup(s, lim, pos, &t) || t.end <= pos) {
			pos++;
			continue;
		}
		if (!t.closing && t.name_len == 4 && strncasecmp(s + t.name, "meta", 4) == 0) {
			for (int i = 0; i < t.nattrs; i++) {
				const struct sattr *a = &t.attrs[i];
				const char *v = s + a->val;
				size_t vl = a->val_len, k = 0;
				if (a->val == 0)
					continue;
				if (a->name_len == 7 &&
				    strncasecmp(s + a->name, "charset", 7) == 0) {
					k = 0;
				} else if (a->name_len == 7 &&
				           strncasecmp(s + a->name, "content", 7) == 0) {
					for (k = 0; k + 7 <= vl; k++)
						if (strncasecmp(v + k, "charset", 7) == 0)
							break;
					if (k + 7 > vl)
						continue;
					k += 7;
					while (k < vl &&
					       (is_ws((unsigned char)v[k]) || v[k] == '='))
						k++;
				} else {
					continue;
				}
				{
					size_t e = k, o = 0;
					while (e < vl &&
					       (is_alnum((unsigned char)v[e]) || v[e] == '-' ||
					        v[e] == '_' || v[e] == '.' || v[e] == ':'))
						e++;
					for (; k < e && o < 31; k++)
						out[o++] = v[k];
					out[o] = '\0';
					if (o)
						return;
				}
			}
		} else if (t.name_len == 0 && pos + 5 < lim && memcmp(s + pos, "<?xml", 5) == 0) {
			size_t e = find_str(s, t.end, pos, "encoding=");
			if (e < t.end) {
				size_t k = e + 9, o = 0;
				if (k < t.end && (s[k] == '"' || s[k] == '\''))
					k++;
				while (
				    k < t.end && o < 31 &&
				    (is_alnum((unsigned char)s[k]) || s[k] == '-' || s[k] == '_'))
					out[o++] = s[k++];
				out[o] = '\0';
				if (o)
					return;
			}
		}
		pos = t.end;
	}
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

void pgd_doc_xml_init(void)
{
	/* libxml2 must be initialised once before threads use it */
	pthread_once(&xml_once, xml_init);
}

int pgd_html_parse(struct pgd_doc *doc, const char *data, size_t len, struct pgd_err *err)
{
	struct hctx c;
	char hint[32];
	char *src = NULL;
	size_t slen = 0;
	htmlDocPtr h = NULL;
	int rc;

	pgd_doc_xml_init();
	memset(&c, 0, sizeof(c));
	pgd_docb_init(&c.b, doc, 4 * len + 65536);
	find_charset(data, len, hint);
	rc = pgd_text_decode(doc->name, data, len, hint[0] ? hint : NULL, 1, &src, &slen,
	                     doc->charset, err);
	if (rc < 0)
		goto out;
	if (slen > INT_MAX) {
		rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, doc->name, "HTML 文件过大，无法解析");
		goto out;
	}
	if (slen == 0)
		goto done;
	h = htmlReadMemory(src, (int)slen, NULL, "UTF-8",
	                   HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	                       HTML_PARSE_NOWARNING);
	if (h == NULL) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, doc->name, "无法解析 HTML");
		goto out;
	}
	c.doc = doc;
	c.src = src;
	c.len = slen;
	c.cur.off = 0;
	c.cur.line = 1;
	c.cur.col = 1;
	c.last_image = -1;
	walk(&c, h->children);
	rc = c.rc;
	if (rc < 0) {
		pgd_err_set(err, rc, doc->name, "HTML 内容过大");
		goto out;
	}
done:
	pgd_docb_finish(&c.b);
out:
	if (h)
		xmlFreeDoc(h);
	free(c.st);
	pgd_docb_release(&c.b);
	free(src);
	return rc;
}
