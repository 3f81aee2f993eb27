/* One fetched HTML page (issue 4): links with their lines, whether they sit in the site's
 * navigation or are hidden by inline CSS (暗链), the column meta tags government CMSs emit
 * (ColumnName, ColumnType, PubDate), and the list entries of a column page (li / tr rows, or
 * repeated div / p rows, holding a link and a date) with the newest of their dates.
 * Also the URL helpers (RFC 3986 reference resolution).
 *
 * The page is parsed by libxml2's HTML parser in recover mode without network access; the
 * tree is walked iteratively (no recursion, so deeply nested junk cannot exhaust the stack).
 * Stylesheets are not evaluated: only inline style attributes and the `hidden` attribute. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "pubguard/buf.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "core/banned.h"

#define PAGE_MAX_BYTES ((size_t)64 << 20)
#define LINK_TEXT_MAX 300   /* bytes of link text kept */
#define ROW_TEXT_MAX 4096   /* bytes of a list row's text scanned for dates */
#define BUF_CAP ((size_t)256 << 20) /* cap of every scratch buffer (above any page) */

/* ====================================================================== URLs */

struct uri {
	const char *scheme; size_t scheme_len; int has_scheme;
	const char *auth; size_t auth_len; int has_auth;
	const char *path; size_t path_len;
	const char *query; size_t query_len; int has_query;
};

/* Split s (NUL-terminated) into its RFC 3986 components; the fragment is ignored. */
static void uri_split(const char *s, struct uri *u)
{
	const char *p = s;
	memset(u, 0, sizeof(*u));
	/* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (isalpha((unsigned char)*p)) {
		const char *q = p + 1;
		while (isalnum((unsigned char)*q) || *q == '+' || *q == '-' || *q == '.')
			q++;
		if (*q == ':') {
			u->scheme = p;
			u->scheme_len = (size_t)(q - p);
			u->has_scheme = 1;
			p = q + 1;
		}
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		u->auth = p;
		u->has_auth = 1;
		while (*p && *p != '/' && *p != '?' && *p != '#')
			p++;
		u->auth_len = (size_t)(p - u->auth);
	}
	u->path = p;
	while (*p && *p != '?' && *p != '#')
		p++;
	u->path_len = (size_t)(p - u->path);
	if (*p == '?') {
		p++;
		u->query = p;
		u->has_query = 1;
		while (*p && *p != '#')
			p++;
		u->query_len = (size_t)(p - u->query);
	}
}

/* RFC 3986 5.2.4 remove_dot_segments; appends the result to out. */
static void remove_dots(const char *in, size_t len, struct pgd_buf *out)
{
	size_t start = out->len;
	size_t i = 0;
	while (i < len) {
		const char *s = in + i;
		size_t left = len - i;
		if (left >= 3 && memcmp(s, "../", 3) == 0) {
			i += 3;
		} else if (left >= 2 && memcmp(s, "./", 2) == 0) {
			i += 2;
		} else if (left >= 3 && memcmp(s, "/./", 3) == 0) {
			i += 2; /* "/./" -> "/" */
		} else if (left == 2 && memcmp(s, "/.", 2) == 0) {
			i += 1; /* "/." -> "/" : replace by treating the '.' as consumed */
			(void)pgd_buf_addch(out, '/');
			i += 1;
		} else if ((left >= 4 && memcmp(s, "/../", 4) == 0) || (left == 3 && memcmp(s, "/..", 3) == 0)) {
			/* drop the last output segment */
			while (out->len > start && out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > start)
				out->len--;
			if (left == 3) {
				(void)pgd_buf_addch(out, '/');
				i += 3;
			} else {
				i += 3; /* leaves "/" at the head of the input */
			}
		} else if ((left == 1 && s[0] == '.') || (left == 2 && memcmp(s, "..", 2) == 0)) {
			i += left;
		} else {
			size_t j = (s[0] == '/') ? 1 : 0;
			while (j < left && s[j] != '/')
				j++;
			(void)pgd_buf_add(out, s, j);
			i += j;
		}
	}
	if (out->data != NULL)
		out->data[out->len] = '\0';
}

/* Copy a reference as written in a page into a clean form: leading/trailing whitespace
 * trimmed, tabs and newlines removed (as browsers do), spaces and other control bytes
 * percent-encoded. new. */
static char *clean_ref(const char *ref)
{
	struct pgd_buf b;
	size_t a = 0, n = strlen(ref);
	while (a < n && (unsigned char)ref[a] <= ' ')
		a++;
	while (n > a && (unsigned char)ref[n - 1] <= ' ')
		n--;
	pgd_buf_init(&b, BUF_CAP);
	(void)pgd_buf_add(&b, "", 0);
	for (size_t i = a; i < n; i++) {
		unsigned char c = (unsigned char)ref[i];
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c <= ' ' || c == 0x7f || c == '"' || c == '<' || c == '>')
			(void)pgd_buf_addf(&b, "%%%02X", c);
		else if (c == '\\')
			(void)pgd_buf_addch(&b, '/'); /* browsers treat \ as / in http(s) URLs */
		else
			(void)pgd_buf_addch(&b, (char)c);
	}
	return pgd_buf_take(&b, NULL);
}

static int is_http(const struct uri *u)
{
	return u->has_scheme && ((u->scheme_len == 4 && strncasecmp(u->scheme, "http", 4) == 0) ||
	                         (u->scheme_len == 5 && strncasecmp(u->scheme, "https", 5) == 0));
}

char *pgd_url_resolve(const char *base, const char *ref)
{
	struct uri b, r;
	struct pgd_buf out;
	char *clean = NULL, *cbase = NULL, *res = NULL;
	const struct uri *t_scheme, *t_auth;
	int path_from_ref;

	if (ref == NULL)
		return NULL;
	memset(&b, 0, sizeof(b));
	pgd_buf_init(&out, BUF_CAP);
	clean = clean_ref(ref);
	uri_split(clean, &r);
	if (r.has_scheme) {
		if (!is_http(&r))
			goto out;
		/* RFC 3986 5.2.2 strict: a reference with a scheme is absolute */
		t_scheme = &r;
		t_auth = &r;
		path_from_ref = 1;
	} else {
		if (base == NULL)
			goto out;
		cbase = clean_ref(base);
		uri_split(cbase, &b);
		if (!is_http(&b) || !b.has_auth)
			goto out;
		t_scheme = &b;
		t_auth = r.has_auth ? &r : &b;
		path_from_ref = r.has_auth;
	}
	if (!t_auth->has_auth || t_auth->auth_len == 0)
		goto out;
	for (size_t i = 0; i < t_scheme->scheme_len; i++)
		(void)pgd_buf_addch(&out, (char)tolower((unsigned char)t_scheme->scheme[i]));
	(void)pgd_buf_addstr(&out, "://");
	(void)pgd_buf_add(&out, t_auth->auth, t_auth->auth_len);
	if (path_from_ref) {
		if (r.path_len == 0)
			(void)pgd_buf_addch(&out, '/');
		else
			remove_dots(r.path, r.path_len, &out);
		if (r.has_query) {
			(void)pgd_buf_addch(&out, '?');
			(void)pgd_buf_add(&out, r.query, r.query_len);
		}
	} else if (r.path_len == 0) {
		/* same path; the reference's query if it has one, else the base's */
		if (b.path_len == 0)
			(void)pgd_buf_addch(&out, '/');
		else
			remove_dots(b.path, b.path_len, &out);
		const struct uri *q = r.has_query ? &r : &b;
		if (q->has_query) {
			(void)pgd_buf_addch(&out, '?');
			(void)pgd_buf_add(&out, q->query, q->query_len);
		}
	} else {
		struct pgd_buf merged;
		pgd_buf_init(&merged, BUF_CAP);
		if (r.path[0] == '/') {
			(void)pgd_buf_add(&merged, r.path, r.path_len);
		} else {
			/* merge: base path up to its last '/', or "/" when the base has no path */
			size_t k = b.path_len;
			while (k > 0 && b.path[k - 1] != '/')
				k--;
			if (k == 0)
				(void)pgd_buf_addch(&merged, '/');
			else
				(void)pgd_buf_add(&merged, b.path, k);
			(void)pgd_buf_add(&merged, r.path, r.path_len);
		}
		remove_dots(merged.data, merged.len, &out);
		pgd_buf_release(&merged);
		if (r.has_query) {
			(void)pgd_buf_addch(&out, '?');
			(void)pgd_buf_add(&out, r.query, r.query_len);
		}
	}
	res = pgd_buf_take(&out, NULL);
out:
	pgd_buf_release(&out);
	free(clean);
	free(cbase);
	return res;
}

/* Host[:port] of an http(s) URL without userinfo and without the scheme's default port. */
static int host_of(const char *url, const char **h, size_t *hl)
{
	struct uri u;
	if (url == NULL)
		return -1;
	uri_split(url, &u);
	if (!u.has_auth)
		return -1;
	const char *a = u.auth, *end = u.auth + u.auth_len;
	for (const char *p = a; p < end; p++)
		if (*p == '@')
			a = p + 1;
	size_t n = (size_t)(end - a);
	int https = u.has_scheme && u.scheme_len == 5;
	if (u.has_scheme && is_http(&u)) {
		const char *dp = https ? ":443" : ":80";
		size_t dl = strlen(dp);
		if (n > dl && memcmp(a + n - dl, dp, dl) == 0)
			n -= dl;
	}
	if (n > 0 && a[n - 1] == '.') /* "example.org." is example.org */
		n--;
	if (n == 0)
		return -1;
	*h = a;
	*hl = n;
	return 0;
}

int pgd_url_same_host(const char *a, const char *b)
{
	const char *ha, *hb;
	size_t la, lb;
	if (host_of(a, &ha, &la) < 0 || host_of(b, &hb, &lb) < 0)
		return 0;
	return la == lb && strncasecmp(ha, hb, la) == 0;
}

/* ====================================================================== inline CSS */

/* Colour as lower-case #rrggbb in out[8]; "" when not a colour we understand. */
static void norm_colour(const char *v, size_t n, char out[8])
{
	static const struct { const char *name, *hex; } names[] = {
		{ "white", "#ffffff" }, { "black", "#000000" }, { "red", "#ff0000" }, { "green", "#008000" },
		{ "blue", "#0000ff" },  { "yellow", "#ffff00" }, { "gray", "#808080" }, { "grey", "#808080" },
		{ "silver", "#c0c0c0" }, { "orange", "#ffa500" }, { "lime", "#00ff00" }, { "navy", "#000080" },
	};
	char s[64];
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && k + 1 < sizeof(s); i++)
		if (v[i] != ' ')
			s[k++] = (char)tolower((unsigned char)v[i]);
	s[k] = '\0';
	if (s[0] == '#') {
		size_t h = strspn(s + 1, "0123456789abcdef");
		if (h == 3 && s[4] == '\0')
			snprintf(out, 8, "#%c%c%c%c%c%c", s[1], s[1], s[2], s[2], s[3], s[3]);
		else if (h == 6 && s[7] == '\0')
			memcpy(out, s, 8);
		return;
	}
	if (strncmp(s, "rgb(", 4) == 0) {
		long c[3];
		const char *p = s + 4;
		for (int i = 0; i < 3; i++) {
			char *e;
			c[i] = strtol(p, &e, 10);
			if (e == p || c[i] < 0 || c[i] > 255 || *e != (i < 2 ? ',' : ')'))
				return;
			p = e + 1;
		}
		snprintf(out, 8, "#%02lx%02lx%02lx", c[0], c[1], c[2]);
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			memcpy(out, names[i].hex, 8);
			return;
		}
}

/* A CSS length: value and unit ("" when none). Returns 0 when v starts with a number. */
static int css_length(const char *v, size_t n, double *val, char unit[8])
{
	char s[64];
	size_t k = 0;
	char *e;
	for (size_t i = 0; i < n && k + 1 < sizeof(s); i++)
		if (v[i] != ' ')
			s[k++] = (char)tolower((unsigned char)v[i]);
	s[k] = '\0';
	if (s[0] == '\0' || !(isdigit((unsigned char)s[0]) || s[0] == '-' || s[0] == '+' || s[0] == '.'))
		return -1;
	*val = strtod(s, &e);
	if (e == s)
		return -1;
	size_t u = 0;
	while (isalpha((unsigned char)*e) && u + 1 < 8)
		unit[u++] = *e++;
	if (*e == '%' && u == 0)
		unit[u++] = '%';
	unit[u] = '\0';
	return 0;
}

struct style {
	int display_none, vis_hidden, vis_visible;
	int font_tiny, font_set;
	int zero_size, overflow_hidden;
	int positioned;
	double left, top; int has_left, has_top;
	char colour[8], bg[8];
};

static int eq_word(const char *v, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp(v, w, n) == 0;
}

/* Parse an inline style attribute into st. */
static void parse_style(const char *css, struct style *st)
{
	const char *p = css;
	memset(st, 0, sizeof(*st));
	while (*p) {
		const char *decl = p, *colon = NULL;
		while (*p && *p != ';') {
			if (*p == ':' && colon == NULL)
				colon = p;
			p++;
		}
		const char *end = p;
		if (*p == ';')
			p++;
		if (colon == NULL)
			continue;
		const char *ps = decl, *pe = colon, *vs = colon + 1, *ve = end;
		while (ps < pe && isspace((unsigned char)*ps))
			ps++;
		while (pe > ps && isspace((unsigned char)pe[-1]))
			pe--;
		while (vs < ve && isspace((unsigned char)*vs))
			vs++;
		while (ve > vs && isspace((unsigned char)ve[-1]))
			ve--;
		/* drop "!important" */
		for (const char *q = vs; q < ve; q++)
			if (*q == '!') {
				ve = q;
				while (ve > vs && isspace((unsigned char)ve[-1]))
					ve--;
				break;
			}
		size_t pl = (size_t)(pe - ps), vl = (size_t)(ve - vs);
		double num;
		char unit[8];
		if (eq_word(ps, pl, "display")) {
			st->display_none = eq_word(vs, vl, "none");
		} else if (eq_word(ps, pl, "visibility")) {
			st->vis_hidden = eq_word(vs, vl, "hidden") || eq_word(vs, vl, "collapse");
			st->vis_visible = eq_word(vs, vl, "visible");
		} else if (eq_word(ps, pl, "font-size")) {
			if (css_length(vs, vl, &num, unit) == 0) {
				st->font_set = 1;
				if (unit[0] == '\0' || strcmp(unit, "px") == 0 || strcmp(unit, "pt") == 0)
					st->font_tiny = num <= 1.0;
				else if (strcmp(unit, "em") == 0 || strcmp(unit, "rem") == 0)
					st->font_tiny = num < 0.2;
				else if (strcmp(unit, "%") == 0)
					st->font_tiny = num < 20.0;
				else
					st->font_tiny = num <= 0.0;
			}
		} else if (eq_word(ps, pl, "height") || eq_word(ps, pl, "width") ||
		           eq_word(ps, pl, "max-height") || eq_word(ps, pl, "max-width")) {
			if (css_length(vs, vl, &num, unit) == 0 && num <= 0.0)
				st->zero_size = 1;
		} else if (eq_word(ps, pl, "overflow") || eq_word(ps, pl, "overflow-x") ||
		           eq_word(ps, pl, "overflow-y")) {
			if (eq_word(vs, vl, "hidden") || eq_word(vs, vl, "clip"))
				st->overflow_hidden = 1;
		} else if (eq_word(ps, pl, "position")) {
			st->positioned = eq_word(vs, vl, "absolute") || eq_word(vs, vl, "fixed");
		} else if (eq_word(ps, pl, "left")) {
			st->has_left = css_length(vs, vl, &st->left, unit) == 0;
		} else if (eq_word(ps, pl, "top")) {
			st->has_top = css_length(vs, vl, &st->top, unit) == 0;
		} else if (eq_word(ps, pl, "color")) {
			norm_colour(vs, vl, st->colour);
		} else if (eq_word(ps, pl, "background-color")) {
			norm_colour(vs, vl, st->bg);
		} else if (eq_word(ps, pl, "background")) {
			/* shorthand: take the first word when it is a colour */
			size_t w = 0;
			while (w < vl && !isspace((unsigned char)vs[w]))
				w++;
			if (vs[0] == 'r' || vs[0] == 'R') /* rgb(...) may contain spaces */
				for (w = 0; w < vl && vs[w] != ')'; w++)
					;
			if (w < vl && vs[w] == ')')
				w++;
			norm_colour(vs, w, st->bg);
		}
	}
}

/* ====================================================================== the page walk */

struct state {
	int hidden;     /* sticky: display:none, off-screen, zero size, hidden attribute */
	int vis_hidden; /* visibility:hidden (a descendant may set visible) */
	int font_tiny;  /* font-size ~0 (a descendant may set a normal size) */
	int nav, header;
	char colour[8], bg[8];
	int descend;
	int has_link;   /* an <a href> in the subtree */
	int has_row;    /* a counted list row in the subtree */
};

struct walk {
	struct pgd_page *p;
	size_t cap_links;
	char *base_href; /* the first <base href>, new */
	struct state *st;
	size_t st_cap;
};

static int name_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->name && strcasecmp((const char *)n->name, name) == 0;
}

static char *attr(const xmlNode *n, const char *name) /* new or NULL */
{
	xmlChar *v = xmlGetProp((xmlNodePtr)n, (const xmlChar *)name);
	char *s = v ? pgd_strdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

/* The value of an attribute without copying (libxml2 keeps it as one text child); NULL when
 * absent or not a plain text value. borrowed. */
static const char *attr_ref(const xmlNode *n, const char *name)
{
	xmlAttrPtr a = xmlHasProp((xmlNodePtr)n, (const xmlChar *)name);
	if (a == NULL || a->type != XML_ATTRIBUTE_NODE || a->children == NULL ||
	    a->children->type != XML_TEXT_NODE || a->children->next != NULL)
		return NULL;
	return (const char *)a->children->content;
}

static int has_attr(const xmlNode *n, const char *name)
{
	return xmlHasProp((xmlNodePtr)n, (const xmlChar *)name) != NULL;
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t nl = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, nl) == 0)
			return 1;
	return 0;
}

/* id or class of n contains one of the words. */
static int id_class_has(const xmlNode *n, const char *const *words)
{
	static const char *const attrs[] = { "id", "class" };
	int found = 0;
	for (size_t a = 0; a < 2 && !found; a++) {
		const char *v = attr_ref(n, attrs[a]);
		if (v == NULL)
			continue;
		for (size_t i = 0; words[i] && !found; i++)
			found = contains_ci(v, words[i]);
	}
	return found;
}

/* Append the text of the subtree of n (script/style skipped) to b, whitespace collapsed,
 * a space between elements, at most max bytes. */
static void subtree_text(const xmlNode *top, struct pgd_buf *b, size_t max)
{
	const xmlNode *n = top;
	int space = b->len == 0 || b->data[b->len - 1] == ' ';
	for (;;) {
		int descend = 1;
		if (b->len >= max)
			break;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			const char *p = (const char *)n->content;
			while (p && *p && b->len < max) {
				size_t run = strcspn(p, " \t\r\n\f");
				if (run > 0) {
					if (run > max - b->len)
						run = max - b->len;
					(void)pgd_buf_add(b, p, run);
					p += run;
					space = 0;
				} else {
					if (!space)
						(void)pgd_buf_addch(b, ' ');
					space = 1;
					p++;
				}
			}
		} else if (n->type == XML_ELEMENT_NODE) {
			if (name_is(n, "script") || name_is(n, "style"))
				descend = 0;
			else if (!space) {
				(void)pgd_buf_addch(b, ' ');
				space = 1;
			}
		} else {
			descend = 0;
		}
		if (descend && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != top && n->next == NULL)
			n = n->parent;
		if (n == top)
			break;
		n = n->next;
	}
}

/* Trimmed text of a subtree, cut at a UTF-8 boundary; NULL when empty. new. */
static char *text_of(const xmlNode *n, size_t max)
{
	struct pgd_buf b;
	pgd_buf_init(&b, BUF_CAP);
	subtree_text(n, &b, max);
	size_t len = b.len;
	if (len >= max) {
		while (len > 0 && ((unsigned char)b.data[len] & 0xC0) == 0x80)
			len--;
	}
	while (len > 0 && b.data[len - 1] == ' ')
		len--;
	size_t a = 0;
	while (a < len && b.data[a] == ' ')
		a++;
	char *s = len > a ? pgd_strndup(b.data + a, len - a) : NULL;
	pgd_buf_release(&b);
	return s;
}

static void add_link(struct walk *w, const xmlNode *n, char *raw, char *text, int image, const struct state *s)
{
	struct pgd_page *p = w->p;
	PGD_GROW(p->links, p->n_links + 1, w->cap_links);
	struct pgd_page_link *l = &p->links[p->n_links++];
	long line = xmlGetLineNo((xmlNodePtr)n);
	l->href = raw; /* resolved after the walk (a <base> may come later) */
	l->text = text;
	l->line = line > 0 ? (unsigned)line : 0;
	l->image = image;
	l->nav = s->nav;
	/* a tiny font or text coloured like its background hides text, not images (font-size:0
	 * is also the usual fix for gaps between inline-block images) */
	int text_link = !image && text != NULL;
	l->hidden = s->hidden || s->vis_hidden ||
	            (text_link && (s->font_tiny || (s->colour[0] && strcmp(s->colour, s->bg) == 0)));
}

static const char *const nav_words[] = { "nav", "menu", "daohang", "lanmu", NULL };
static const char *const header_words[] = { "header", NULL };

static void meta(struct walk *w, const xmlNode *n)
{
	char *name = attr(n, "name");
	char *content = NULL;
	if (name == NULL)
		return;
	content = attr(n, "content");
	if (content == NULL)
		goto out;
	if (strcasecmp(name, "ColumnName") == 0 && w->p->column_name == NULL) {
		w->p->column_name = content;
		content = NULL;
	} else if (strcasecmp(name, "ColumnType") == 0 && w->p->column_type == NULL) {
		w->p->column_type = content;
		content = NULL;
	} else if ((strcasecmp(name, "PubDate") == 0 || strcasecmp(name, "publishdate") == 0) &&
	           w->p->pub_date == 0) {
		time_t t;
		size_t used;
		if (pgd_date_parse(content, strlen(content), &t, &used) == 0)
			w->p->pub_date = t;
	}
out:
	free(name);
	free(content);
}

static void enter(struct walk *w, const xmlNode *n, size_t d)
{
	PGD_GROW(w->st, d + 1, w->st_cap);
	struct state *s = &w->st[d];
	if (d > 0)
		*s = w->st[d - 1];
	else
		memset(s, 0, sizeof(*s));
	s->descend = 1;
	s->has_link = 0;
	s->has_row = 0;
	if (n->type != XML_ELEMENT_NODE) {
		s->descend = 0;
		return;
	}
	if (name_is(n, "script") || name_is(n, "style") || name_is(n, "template")) {
		s->descend = 0;
		return;
	}
	/* hiding by inline CSS / the hidden attribute */
	const char *css = attr_ref(n, "style");
	if (css != NULL) {
		struct style st;
		parse_style(css, &st);
		if (st.display_none || (st.zero_size && st.overflow_hidden) ||
		    (st.positioned && ((st.has_left && st.left < -500.0) || (st.has_top && st.top < -500.0))))
			s->hidden = 1;
		if (st.vis_hidden)
			s->vis_hidden = 1;
		else if (st.vis_visible)
			s->vis_hidden = 0;
		if (st.font_set)
			s->font_tiny = st.font_tiny;
		if (st.colour[0])
			memcpy(s->colour, st.colour, sizeof(s->colour));
		if (st.bg[0])
			memcpy(s->bg, st.bg, sizeof(s->bg));
	}
	if (has_attr(n, "hidden"))
		s->hidden = 1;
	/* navigation */
	if (name_is(n, "nav") || id_class_has(n, nav_words))
		s->nav = 1;
	if (name_is(n, "header") || id_class_has(n, header_words))
		s->header = 1;
	if (s->header && (name_is(n, "ul") || name_is(n, "ol")))
		s->nav = 1;
	/* links and the rest */
	if (name_is(n, "a") || name_is(n, "area")) {
		char *href = attr(n, "href");
		if (href != NULL) {
			s->has_link = 1;
			char *text = name_is(n, "a") ? text_of(n, LINK_TEXT_MAX) : attr(n, "alt");
			if (text == NULL && name_is(n, "a"))
				text = attr(n, "title");
			add_link(w, n, href, text, 0, s);
		}
	} else if (name_is(n, "img")) {
		char *src = attr(n, "src");
		if (src != NULL)
			add_link(w, n, src, attr(n, "alt"), 1, s);
	} else if (name_is(n, "base")) {
		if (w->base_href == NULL)
			w->base_href = attr(n, "href");
	} else if (name_is(n, "meta")) {
		meta(w, n);
	} else if (name_is(n, "title") && w->p->title == NULL) {
		w->p->title = text_of(n, 1024);
	}
}

/* x has n's element name and class (both without a class counts as the same). */
static int same_kind(const xmlNode *x, const xmlNode *n)
{
	if (!name_is(x, (const char *)n->name))
		return 0;
	const char *a = attr_ref(x, "class"), *b = attr_ref(n, "class");
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* A list row: li / tr, or a div / p / dd / dt repeated (same element and class) by the
 * neighbouring element sibling. */
static int row_candidate(const xmlNode *n)
{
	if (name_is(n, "li") || name_is(n, "tr"))
		return 1;
	if (!(name_is(n, "div") || name_is(n, "p") || name_is(n, "dd") || name_is(n, "dt")))
		return 0;
	for (const xmlNode *x = n->prev; x; x = x->prev)
		if (x->type == XML_ELEMENT_NODE) {
			if (same_kind(x, n))
				return 1;
			break;
		}
	for (const xmlNode *x = n->next; x; x = x->next)
		if (x->type == XML_ELEMENT_NODE)
			return same_kind(x, n);
	return 0;
}

static void on_date(void *arg, time_t t, size_t off)
{
	time_t *newest = arg;
	(void)off;
	if (*newest == 0 || t > *newest)
		*newest = t;
}

static void leave(struct walk *w, const xmlNode *n, size_t d)
{
	struct state *s = &w->st[d];
	if (n->type == XML_ELEMENT_NODE && s->has_link && !s->has_row && row_candidate(n)) {
		struct pgd_buf b;
		time_t newest = 0;
		pgd_buf_init(&b, BUF_CAP);
		subtree_text(n, &b, ROW_TEXT_MAX);
		/* Every date form has an ASCII digit or 年 (E5 B9 B4): skip the scan without either.
		 * Without 年 every date is ASCII, so runs of other characters become one space
		 * (the scanner is slow on CJK text and a CJK character is no date context). */
		int has_nian = b.len > 0 && strstr(b.data, "\xE5\xB9\xB4") != NULL;
		int maybe = has_nian || (b.len > 0 && strpbrk(b.data, "0123456789") != NULL);
		if (maybe && !has_nian) {
			size_t k = 0;
			for (size_t i = 0; i < b.len; i++) {
				if ((unsigned char)b.data[i] < 0x80)
					b.data[k++] = b.data[i];
				else if (k == 0 || b.data[k - 1] != ' ')
					b.data[k++] = ' ';
			}
			b.len = k;
			b.data[k] = '\0';
		}
		if (maybe && pgd_date_scan(b.data, b.len, on_date, &newest) > 0) {
			s->has_row = 1;
			w->p->n_list_items++;
			if (newest > w->p->newest_date)
				w->p->newest_date = newest;
		}
		pgd_buf_release(&b);
	}
	if (d > 0) {
		w->st[d - 1].has_link |= s->has_link;
		w->st[d - 1].has_row |= s->has_row;
	}
}

/* Resolve every raw href against the page's base; drop those that are not http(s). */
static void resolve_links(struct walk *w, const char *base_url)
{
	struct pgd_page *p = w->p;
	char *base = NULL;
	size_t k = 0;
	if (w->base_href != NULL)
		base = pgd_url_resolve(base_url, w->base_href);
	if (base == NULL)
		base = pgd_strdup(base_url);
	for (size_t i = 0; i < p->n_links; i++) {
		struct pgd_page_link *l = &p->links[i];
		const char *raw = l->href;
		while (*raw == ' ' || *raw == '\t' || *raw == '\r' || *raw == '\n')
			raw++;
		/* "#..." points into this very page: nothing to check */
		char *abs = (*raw == '#') ? NULL : pgd_url_resolve(base, raw);
		free(l->href);
		if (abs == NULL) {
			free(l->text);
			continue;
		}
		l->href = abs;
		p->links[k++] = *l;
	}
	p->n_links = k;
	free(base);
}

int pgd_page_parse(const char *html, size_t len, const char *base_url, struct pgd_page *out,
	struct pgd_err *err)
{
	struct walk w;
	htmlDocPtr doc = NULL;
	htmlParserCtxtPtr ctxt = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.p = out;
	if (len > PAGE_MAX_BYTES) {
		rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, base_url ? base_url : "",
		                 "页面 %s 大小 %zu 字节，超过上限 %zu 字节", base_url ? base_url : "",
		                 len, PAGE_MAX_BYTES);
		goto out;
	}
	if (html == NULL || len == 0)
		goto out;
	/* htmlReadMemory would drop XML_PARSE_BIG_LINES (libxml2 2.9): set it on the context so
	 * text nodes past line 65535 keep their line, which xmlGetLineNo finds for elements */
	ctxt = htmlCreateMemoryParserCtxt(html, (int)len);
	if (ctxt == NULL)
		goto out;
	htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	                                 HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC);
	ctxt->options |= XML_PARSE_BIG_LINES;
	xmlCharEncodingHandlerPtr utf8 = xmlFindCharEncodingHandler("UTF-8");
	if (utf8 != NULL)
		xmlSwitchToEncoding(ctxt, utf8);
	(void)htmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	if (doc == NULL)
		goto out;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (root == NULL)
		goto out;
	/* iterative pre/post-order walk; d is the depth of n */
	xmlNodePtr n = root;
	size_t d = 0;
	enter(&w, n, d);
	for (;;) {
		if (w.st[d].descend && n->children != NULL) {
			n = n->children;
			d++;
			enter(&w, n, d);
			continue;
		}
		for (;;) {
			leave(&w, n, d);
			if (n == root)
				goto walked;
			if (n->next != NULL) {
				n = n->next;
				enter(&w, n, d);
				break;
			}
			n = n->parent;
			d--;
		}
	}
walked:
	resolve_links(&w, base_url);
out:
	if (rc < 0)
		pgd_page_release(out);
	xmlFreeDoc(doc);
	if (ctxt != NULL)
		htmlFreeParserCtxt(ctxt);
	free(w.st);
	free(w.base_href);
	return rc;
}

void pgd_page_release(struct pgd_page *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_links; i++) {
		free(p->links[i].href);
		free(p->links[i].text);
	}
	free(p->links);
	free(p->title);
	free(p->column_name);
	free(p->column_type);
	memset(p, 0, sizeof(*p));
}
