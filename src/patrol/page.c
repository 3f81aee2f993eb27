/* One fetched HTML page (issue 4): links with their lines, whether they sit in the site's
 * navigation or are hidden by inline CSS (暗链), the column meta tags government CMSs emit
 * (ColumnName, ColumnType, PubDate), and the list entries of a column page (li / tr rows, or
 * repeated div / p rows, holding a link and a date) with the newest of their dates.
 * Also the URL helpers (RFC 3986 reference resolution).
 *
 * The page is read by libxml2's HTML push parser (recover mode, no network access) with SAX
 * callbacks: no tree, no recursion, memory a small multiple of the deepest nesting rather than
 * of the page. Stylesheets are not evaluated: only inline style attributes and the `hidden`
 * attribute. Dates without a year ("11-30", "11月30日") count in list rows only when the
 * caller gives the day the page is read for (pgd_page_parse_asof). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/parserInternals.h>

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

/* The page is read by libxml2's HTML push parser with SAX callbacks: no tree is built, so the
 * memory of a parse is the parser's input window plus one frame per open element, not the
 * ~18x the page a libxml2 tree costs. Each open element has a frame with the flags it
 * inherits (hidden, navigation, font, colours) and what its subtree showed (a link, a
 * counted list row). A list row needs its neighbouring element siblings (div / p / dd / dt
 * rows repeat their name and class): the previous one is known at the start of an element,
 * the next one only when it starts, so such a row waits in its parent ("pending") until the
 * next sibling starts (then it counts if that sibling has its name and class) or the parent
 * ends (then it does not).
 *
 * Text (link text, the title, a row's text) comes from one stream of the page's text:
 * script and style skipped, whitespace runs collapsed to one space, a space at the start of
 * each element. A collector is a window of that stream [start, start + max) opened at an
 * element's start and read at its end; the stream keeps only what open windows still need. */

enum coll_kind { COLL_NONE, COLL_LINK, COLL_TITLE, COLL_ROW };

struct frame {
	const xmlChar *name;  /* interned by the parser's dictionary: valid during the parse */
	uint64_t cls;         /* hash of the class attribute, 0 when absent or empty */
	int hidden;           /* sticky: display:none, off-screen, zero size, hidden attribute */
	int vis_hidden;       /* visibility:hidden (a descendant may set visible) */
	int font_tiny;        /* font-size ~0 (a descendant may set a normal size) */
	int nav, header;
	char colour[8], bg[8];
	unsigned skip : 1;      /* script / style / template or inside one: children not analysed */
	unsigned has_link : 1;  /* an <a href> in the subtree */
	unsigned has_row : 1;   /* a counted list row in the subtree */
	unsigned row_kind : 2;  /* 1: li / tr; 2: div / p / dd / dt (a row when repeated) */
	unsigned prev_same : 1; /* the previous element sibling has this name and class */
	unsigned pending : 1;   /* the last child is a dated row waiting for its next sibling */
	const xmlChar *last_name; /* the last child element started here (NULL: none yet) */
	uint64_t last_cls;
	time_t pending_newest;
	enum coll_kind coll;
	size_t coll_start, coll_max;
	unsigned copied : 1;  /* the window was complete when the stream was compacted: */
	unsigned row_found : 1; /* COLL_ROW: its dates were read then (row_found, row_newest); */
	time_t row_newest;
	char *coll_copy;      /* COLL_LINK / COLL_TITLE: its text then, new (may be NULL) */
	size_t link;          /* COLL_LINK: index in p->links */
	int link_base_hidden, link_text_hidden;
};

struct walk {
	struct pgd_page *p;
	size_t cap_links;
	char *base_href;      /* the first <base href>, new */
	struct frame *st;     /* st[0 .. depth) open elements */
	size_t depth, st_cap;
	htmlParserCtxtPtr ctxt;
	time_t as_of;
	struct pgd_buf text;  /* the text stream; text.data[0] is at stream offset text_base */
	size_t text_base;
	int space;            /* the stream ends in a space (or nothing is collected) */
	size_t open_colls;    /* frames with a collector that is not copied out */
};

#define TEXT_COMPACT ((size_t)256 << 10) /* compact the stream beyond this */

static uint64_t hash_cls(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h | 1; /* never 0 */
}

static int eq_name(const xmlChar *n, const char *name)
{
	return n != NULL && strcasecmp((const char *)n, name) == 0;
}

/* Element names from the parser are lower case; implied ones ("html", "p") are literals. */
static int same_name(const xmlChar *a, const xmlChar *b)
{
	return a != NULL && b != NULL && strcmp((const char *)a, (const char *)b) == 0;
}

/* The value of an attribute (NULL when absent; "" for an attribute without a value). borrowed. */
static const char *att(const xmlChar **atts, const char *name)
{
	if (atts == NULL)
		return NULL;
	for (size_t i = 0; atts[i] != NULL; i += 2)
		if (strcasecmp((const char *)atts[i], name) == 0)
			return atts[i + 1] ? (const char *)atts[i + 1] : "";
	return NULL;
}

/* As att, but NULL also for an empty value (libxml2 keeps no text child for those). */
static const char *att_ref(const xmlChar **atts, const char *name)
{
	const char *v = att(atts, name);
	return v && *v ? v : NULL;
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t nl = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, nl) == 0)
			return 1;
	return 0;
}

/* id or class contains one of the words. */
static int id_class_has(const xmlChar **atts, const char *const *words)
{
	static const char *const attrs[] = { "id", "class" };
	int found = 0;
	for (size_t a = 0; a < 2 && !found; a++) {
		const char *v = att_ref(atts, attrs[a]);
		if (v == NULL)
			continue;
		for (size_t i = 0; words[i] && !found; i++)
			found = contains_ci(v, words[i]);
	}
	return found;
}

/* ---- the text stream ---- */

static size_t text_pos(const struct walk *w)
{
	return w->text_base + w->text.len;
}

static void text_add(struct walk *w, const char *s, size_t n)
{
	if (w->open_colls == 0) {
		w->space = 1;
		return;
	}
	size_t i = 0;
	while (i < n) {
		size_t run = 0;
		while (i + run < n && !strchr(" \t\r\n\f", s[i + run]) && s[i + run] != '\0')
			run++;
		if (run > 0) {
			(void)pgd_buf_add(&w->text, s + i, run);
			i += run;
			w->space = 0;
		} else {
			if (!w->space)
				(void)pgd_buf_addch(&w->text, ' ');
			w->space = 1;
			i++;
		}
	}
}

/* An element starts: a space in the text of the open collectors. */
static void text_element(struct walk *w)
{
	if (w->open_colls == 0)
		w->space = 1;
	else if (!w->space) {
		(void)pgd_buf_addch(&w->text, ' ');
		w->space = 1;
	}
}

/* The window of f: its first byte is not the space the stream may have had at its start. */
static const char *coll_window(struct walk *w, const struct frame *f, size_t *len)
{
	size_t start = f->coll_start, end = text_pos(w);
	if (start < end && w->text.data[start - w->text_base] == ' ')
		start++;
	if (end > start + f->coll_max)
		end = start + f->coll_max;
	*len = end > start ? end - start : 0;
	return *len ? w->text.data + (start - w->text_base) : "";
}

static int row_dates(struct walk *w, const char *win, size_t len, time_t *newest);
static char *window_text(const char *s, size_t len, size_t max);

/* Read the windows that are complete (a row's dates, a link's or the title's text: they
 * cannot change any more) and drop the stream before the first window still filling. */
static void text_compact(struct walk *w)
{
	size_t pos = text_pos(w), keep = pos;
	for (size_t i = 0; i < w->depth; i++) {
		struct frame *f = &w->st[i];
		if (f->coll == COLL_NONE || f->copied)
			continue;
		size_t start = f->coll_start;
		if (start < pos && w->text.data[start - w->text_base] == ' ')
			start++;
		if (pos >= start + f->coll_max) {
			size_t len;
			const char *win = coll_window(w, f, &len);
			if (f->coll == COLL_ROW) {
				time_t t;
				f->row_found = row_dates(w, win, len, &t) != 0;
				f->row_newest = t;
			} else {
				f->coll_copy = window_text(win, len, f->coll_max);
			}
			f->copied = 1;
			w->open_colls--;
		} else if (f->coll_start < keep) {
			keep = f->coll_start;
		}
	}
	size_t drop = keep - w->text_base;
	if (drop > 0) {
		memmove(w->text.data, w->text.data + drop, w->text.len - drop);
		w->text.len -= drop;
		w->text.data[w->text.len] = '\0';
		w->text_base = keep;
	}
}

static void coll_open(struct walk *w, struct frame *f, enum coll_kind kind, size_t max)
{
	f->coll = kind;
	f->coll_start = text_pos(w);
	f->coll_max = max;
	f->copied = 0;
	f->coll_copy = NULL;
	w->open_colls++;
}

static void coll_close(struct walk *w, struct frame *f)
{
	if (f->coll == COLL_NONE)
		return;
	if (!f->copied)
		w->open_colls--;
	free(f->coll_copy);
	f->coll_copy = NULL;
	f->copied = 0;
	f->coll = COLL_NONE;
	if (w->open_colls == 0) {
		/* nobody reads the stream: start it again */
		w->text_base = text_pos(w);
		pgd_buf_reset(&w->text);
		w->space = 1;
	}
}

/* The trimmed text of a window, cut back to a whole UTF-8 character; NULL when empty. new. */
static char *window_text(const char *s, size_t len, size_t max)
{
	if (len >= max && len > 0) {
		/* the window may end inside a character: drop an incomplete last sequence */
		size_t k = len;
		while (k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0x80 && len - k < 3)
			k--;
		if (k > 0) {
			unsigned char lead = (unsigned char)s[k - 1];
			size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
			if (len - (k - 1) < need)
				len = k - 1;
		}
	}
	while (len > 0 && s[len - 1] == ' ')
		len--;
	size_t a = 0;
	while (a < len && s[a] == ' ')
		a++;
	return len > a ? pgd_strndup(s + a, len - a) : NULL;
}

/* ---- links, meta ---- */

static const char *const nav_words[] = { "nav", "menu", "daohang", "lanmu", NULL };
static const char *const header_words[] = { "header", NULL };

static unsigned cur_line(const struct walk *w)
{
	int line = (w->ctxt && w->ctxt->input) ? w->ctxt->input->line : 0;
	return line > 0 ? (unsigned)line : 0;
}

/* Append a link; its hidden flag is final unless it is an <a> whose text is still to come. */
static size_t add_link(struct walk *w, const char *raw, char *text, int image, const struct frame *s)
{
	struct pgd_page *p = w->p;
	PGD_GROW(p->links, p->n_links + 1, w->cap_links);
	struct pgd_page_link *l = &p->links[p->n_links];
	l->href = pgd_strdup(raw); /* resolved after the parse (a <base> may come later) */
	l->text = text;
	l->line = cur_line(w);
	l->image = image;
	l->nav = s->nav;
	/* a tiny font or text coloured like its background hides text, not images (font-size:0
	 * is also the usual fix for gaps between inline-block images) */
	int text_link = !image && text != NULL;
	l->hidden = s->hidden || s->vis_hidden ||
	            (text_link && (s->font_tiny || (s->colour[0] && strcmp(s->colour, s->bg) == 0)));
	return p->n_links++;
}

static void meta(struct walk *w, const xmlChar **atts)
{
	const char *name = att(atts, "name"), *content = att(atts, "content");
	if (name == NULL || content == NULL)
		return;
	if (strcasecmp(name, "ColumnName") == 0 && w->p->column_name == NULL) {
		w->p->column_name = pgd_strdup(content);
	} else if (strcasecmp(name, "ColumnType") == 0 && w->p->column_type == NULL) {
		w->p->column_type = pgd_strdup(content);
	} else if ((strcasecmp(name, "PubDate") == 0 || strcasecmp(name, "publishdate") == 0) &&
	           w->p->pub_date == 0) {
		time_t t;
		size_t used;
		if (pgd_date_parse(content, strlen(content), &t, &used) == 0)
			w->p->pub_date = t;
	}
}

static void on_date(void *arg, time_t t, size_t off)
{
	time_t *newest = arg;
	(void)off;
	if (*newest == 0 || t > *newest)
		*newest = t;
}

/* Dates in a row's text: the newest in *newest; 1 when there is one. */
static int row_dates(struct walk *w, const char *win, size_t len, time_t *newest)
{
	/* Every date form has an ASCII digit or 年 (E5 B9 B4): skip the scan without either.
	 * Without 年 every dated form is ASCII, so runs of other characters become one space (a
	 * CJK character is no date context) -- except when year-less dates are read: "第10-12页"
	 * is no date only while 第 and 页 are there. */
	char *b = pgd_strndup(win, len);
	int found = 0;
	int has_nian = strstr(b, "\xE5\xB9\xB4") != NULL;
	int maybe = has_nian || strpbrk(b, "0123456789") != NULL;
	if (maybe && !has_nian && w->as_of == 0) {
		size_t k = 0;
		for (size_t i = 0; i < len; i++) {
			if ((unsigned char)b[i] < 0x80)
				b[k++] = b[i];
			else if (k == 0 || b[k - 1] != ' ')
				b[k++] = ' ';
		}
		len = k;
		b[k] = '\0';
	}
	*newest = 0;
	if (maybe)
		found = pgd_date_scan_asof(b, len, w->as_of, on_date, newest) > 0;
	free(b);
	return found;
}

static void count_row(struct walk *w, time_t newest)
{
	w->p->n_list_items++;
	if (newest > w->p->newest_date)
		w->p->newest_date = newest;
}

/* ---- SAX callbacks ---- */

static void sax_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct walk *w = ctx;
	struct frame *parent = w->depth > 0 ? &w->st[w->depth - 1] : NULL;
	struct frame *s;
	int script = eq_name(name, "script") || eq_name(name, "style");

	/* a space in the text of open collectors (script and style add none) */
	if (!script)
		text_element(w);
	if (parent != NULL && !parent->skip) {
		uint64_t cls = hash_cls(att_ref(atts, "class"));
		if (parent->pending) {
			/* the pending row counts when this next sibling repeats its name and class */
			if (same_name(parent->last_name, name) && parent->last_cls == cls) {
				count_row(w, parent->pending_newest);
				parent->has_row = 1;
			}
			parent->pending = 0;
		}
	}
	PGD_GROW(w->st, w->depth + 1, w->st_cap);
	s = &w->st[w->depth++];
	parent = w->depth > 1 ? &w->st[w->depth - 2] : NULL;
	if (parent != NULL) {
		*s = *parent;
	} else {
		memset(s, 0, sizeof(*s));
	}
	s->name = name;
	s->cls = 0;
	s->has_link = 0;
	s->has_row = 0;
	s->row_kind = 0;
	s->prev_same = 0;
	s->pending = 0;
	s->last_name = NULL;
	s->last_cls = 0;
	s->coll = COLL_NONE;
	s->copied = 0;
	s->coll_copy = NULL;
	if (s->skip) /* inside script / style / template: nothing is analysed */
		return;
	s->cls = hash_cls(att_ref(atts, "class"));
	if (parent != NULL) {
		s->prev_same = same_name(parent->last_name, name) && parent->last_cls == s->cls;
		parent->last_name = name;
		parent->last_cls = s->cls;
	}
	if (script || eq_name(name, "template")) {
		s->skip = 1;
		return;
	}
	/* hiding by inline CSS / the hidden attribute */
	const char *css = att_ref(atts, "style");
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
	if (att(atts, "hidden") != NULL)
		s->hidden = 1;
	/* navigation */
	if (eq_name(name, "nav") || id_class_has(atts, nav_words))
		s->nav = 1;
	if (eq_name(name, "header") || id_class_has(atts, header_words))
		s->header = 1;
	if (s->header && (eq_name(name, "ul") || eq_name(name, "ol")))
		s->nav = 1;
	/* list rows */
	if (eq_name(name, "li") || eq_name(name, "tr"))
		s->row_kind = 1;
	else if (eq_name(name, "div") || eq_name(name, "p") || eq_name(name, "dd") || eq_name(name, "dt"))
		s->row_kind = 2;
	if (s->row_kind)
		coll_open(w, s, COLL_ROW, ROW_TEXT_MAX);
	/* links and the rest; an element collects one kind of text (a row li holding an <a> is two
	 * frames, so this never competes with the row's collector) */
	if (eq_name(name, "a") || eq_name(name, "area")) {
		const char *href = att(atts, "href");
		if (href != NULL) {
			s->has_link = 1;
			if (eq_name(name, "a")) {
				s->link = add_link(w, href, NULL, 0, s);
				s->link_base_hidden = s->hidden || s->vis_hidden;
				s->link_text_hidden = s->font_tiny || (s->colour[0] && strcmp(s->colour, s->bg) == 0);
				coll_open(w, s, COLL_LINK, LINK_TEXT_MAX);
			} else {
				const char *alt = att(atts, "alt");
				(void)add_link(w, href, alt ? pgd_strdup(alt) : NULL, 0, s);
			}
		}
	} else if (eq_name(name, "img")) {
		const char *src = att(atts, "src");
		if (src != NULL) {
			const char *alt = att(atts, "alt");
			(void)add_link(w, src, alt ? pgd_strdup(alt) : NULL, 1, s);
		}
	} else if (eq_name(name, "base")) {
		const char *href = att(atts, "href");
		if (w->base_href == NULL && href != NULL)
			w->base_href = pgd_strdup(href);
	} else if (eq_name(name, "meta")) {
		meta(w, atts);
	} else if (eq_name(name, "title") && w->p->title == NULL) {
		coll_open(w, s, COLL_TITLE, 1024);
	}
	/* an <a> without text is named by its title attribute: kept now, replaced at the end
	 * when the element has text */
	if (s->coll == COLL_LINK) {
		const char *title = att(atts, "title");
		if (title != NULL)
			w->p->links[s->link].text = pgd_strdup(title);
	}
}

static void frame_end(struct walk *w)
{
	struct frame *s = &w->st[w->depth - 1];
	struct frame *parent = w->depth > 1 ? &w->st[w->depth - 2] : NULL;
	size_t len;
	const char *win;

	if (s->coll == COLL_LINK) {
		struct pgd_page_link *l = &w->p->links[s->link];
		char *text;
		if (s->copied) {
			text = s->coll_copy;
			s->coll_copy = NULL;
		} else {
			win = coll_window(w, s, &len);
			text = window_text(win, len, LINK_TEXT_MAX);
		}
		if (text != NULL) {
			free(l->text);
			l->text = text;
		}
		l->hidden = s->link_base_hidden || (l->text != NULL && s->link_text_hidden);
	} else if (s->coll == COLL_TITLE && w->p->title == NULL) {
		if (s->copied) {
			w->p->title = s->coll_copy;
			s->coll_copy = NULL;
		} else {
			win = coll_window(w, s, &len);
			w->p->title = window_text(win, len, 1024);
		}
	} else if (s->coll == COLL_ROW && s->has_link && !s->has_row) {
		time_t newest = s->row_newest;
		int found = s->row_found;
		if (!s->copied) {
			win = coll_window(w, s, &len);
			found = row_dates(w, win, len, &newest);
		}
		if (found) {
			if (s->row_kind == 1 || s->prev_same) {
				count_row(w, newest);
				s->has_row = 1;
			} else if (parent != NULL) {
				/* a div / p / dd / dt row without a twin before it: wait for the next sibling */
				parent->pending = 1;
				parent->pending_newest = newest;
			}
		}
	}
	coll_close(w, s);
	if (parent != NULL) {
		parent->has_link |= s->has_link;
		parent->has_row |= s->has_row;
	}
	w->depth--;
	if (w->text.len > TEXT_COMPACT)
		text_compact(w);
}

static void sax_end(void *ctx, const xmlChar *name)
{
	struct walk *w = ctx;
	(void)name;
	if (w->depth > 0)
		frame_end(w);
}

static void sax_chars(void *ctx, const xmlChar *ch, int len)
{
	struct walk *w = ctx;
	if (len <= 0)
		return;
	if (w->depth > 0 && w->st[w->depth - 1].skip && (eq_name(w->st[w->depth - 1].name, "script") ||
	                                                  eq_name(w->st[w->depth - 1].name, "style")))
		return;
	text_add(w, (const char *)ch, (size_t)len);
	if (w->text.len > TEXT_COMPACT)
		text_compact(w);
}

static void sax_ignore(void *ctx, const xmlChar *ch, int len)
{
	(void)ctx;
	(void)ch;
	(void)len;
}

static void sax_error(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
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

#define PARSE_CHUNK ((size_t)64 << 10)

void pgd_page_global_init(void)
{
	xmlInitParser();
}

int pgd_page_parse_asof(const char *html, size_t len, const char *base_url, time_t as_of,
	struct pgd_page *out, struct pgd_err *err)
{
	struct walk w;
	htmlSAXHandler sax;
	htmlParserCtxtPtr ctxt = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.p = out;
	w.as_of = as_of;
	w.space = 1;
	pgd_buf_init(&w.text, BUF_CAP);
	if (len > PAGE_MAX_BYTES) {
		rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, base_url ? base_url : "",
		                 "页面 %s 大小 %zu 字节，超过上限 %zu 字节", base_url ? base_url : "",
		                 len, PAGE_MAX_BYTES);
		goto out;
	}
	if (html == NULL || len == 0)
		goto out;
	memset(&sax, 0, sizeof(sax));
	sax.startElement = sax_start;
	sax.endElement = sax_end;
	sax.characters = sax_chars;
	sax.cdataBlock = sax_ignore;           /* script and style content */
	sax.ignorableWhitespace = sax_ignore;
	sax.warning = sax_error;
	sax.error = sax_error;
	sax.fatalError = sax_error;
	ctxt = htmlCreatePushParserCtxt(&sax, &w, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
	if (ctxt == NULL)
		goto out;
	w.ctxt = ctxt;
	htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	                                 HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC);
	for (size_t off = 0; off < len;) {
		size_t n = len - off < PARSE_CHUNK ? len - off : PARSE_CHUNK;
		int last = off + n == len;
		(void)htmlParseChunk(ctxt, html + off, (int)n, last);
		off += n;
	}
	/* elements the parser left open end here */
	while (w.depth > 0)
		frame_end(&w);
	resolve_links(&w, base_url);
out:
	if (rc < 0)
		pgd_page_release(out);
	if (ctxt != NULL)
		htmlFreeParserCtxt(ctxt);
	while (w.depth > 0) {
		free(w.st[w.depth - 1].coll_copy);
		w.depth--;
	}
	free(w.st);
	free(w.base_href);
	pgd_buf_release(&w.text);
	return rc;
}

int pgd_page_parse(const char *html, size_t len, const char *base_url, struct pgd_page *out,
	struct pgd_err *err)
{
	return pgd_page_parse_asof(html, len, base_url, 0, out, err);
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
