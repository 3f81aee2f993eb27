/* The Word .docx reader: libzip over the bytes in memory, libxml2 for the XML parts.
 *
 * Safety: every part is read with a cap on the total uncompressed size (zip bombs are
 * refused from the sizes in the central directory and again while reading); XML is parsed
 * without network, DTD loading or entity substitution, and a part with a DOCTYPE is refused,
 * so XXE and entity expansion are impossible.
 *
 * Positions: "line" is the paragraph number (1-based, every w:p of the main document in
 * order, table cells included), "column" the character within the paragraph. Headers,
 * footers, footnotes and endnotes follow the body; their paragraphs continue the count. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include "pubguard/buf.h"
#include "pubguard/doc.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "doc/internal.h"
#include "core/banned.h"

/* Cap on everything read from one .docx, uncompressed. */
#define DOCX_MAX_UNCOMPRESSED ((size_t)64 << 20)
#define DOCX_MAX_ENTRIES 20000
#define DOCX_MAX_PARTS 64

#define BAD_DOCX "不是有效的 Word 文档（.docx）："

/* Parse an XML part safely. new: *out (xmlFreeDoc). */
static int parse_xml(struct pgd_zreader *z, const char *part, const char *buf, size_t len,
                     xmlDocPtr *out, struct pgd_err *err)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr x = NULL;
	int rc = 0;

	*out = NULL;
	if (len > INT_MAX) {
		rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, z->name, BAD_DOCX "%s 过大", part);
		goto out;
	}
	for (size_t i = 0; i + 9 <= len; i++) {
		const char *p = memchr(buf + i, '<', len - i);
		if (p == NULL)
			break;
		i = (size_t)(p - buf);
		if (len - i >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0) {
			rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name,
			                 BAD_DOCX "%s 含有 DTD 声明（Word 文档不会有），已拒绝",
			                 part);
			goto out;
		}
	}
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, z->name, "无法创建 XML 解析器");
		goto out;
	}
	x = xmlCtxtReadMemory(ctxt, buf, (int)len, part, NULL,
	                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (x == NULL || !ctxt->wellFormed) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name,
		                 BAD_DOCX
		                 "%s 不是格式正确的 XML（第 %d 行出错，文件已损坏或被截断）",
		                 part, ctxt->lastError.line);
		goto out;
	}
	if (x->intSubset || x->extSubset) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name,
		                 BAD_DOCX "%s 含有 DTD 声明（Word 文档不会有），已拒绝", part);
		goto out;
	}
	*out = x;
	x = NULL;
out:
	if (x)
		xmlFreeDoc(x);
	if (ctxt)
		xmlFreeParserCtxt(ctxt);
	return rc;
}

/* ---- relationships and styles ---- */

struct rel {
	char *id, *target;
	int external;
};

struct rels {
	struct rel *v;
	size_t n, cap;
};

static void rels_release(struct rels *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].target);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static char *prop(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = v ? pgd_strdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

static int is_el(const xmlNode *n, const char *local)
{
	return n->type == XML_ELEMENT_NODE && n->name && strcmp((const char *)n->name, local) == 0;
}

/* In the WordprocessingML namespace (transitional or strict)? DrawingML has its own p, t. */
static int w_ns(const xmlNode *n)
{
	return n->ns && n->ns->href && strstr((const char *)n->ns->href, "wordprocessingml/");
}

/* Next node in document order (descending when down), staying under root. */
static const xmlNode *next_node(const xmlNode *n, const xmlNode *root, int down)
{
	if (down && n->type == XML_ELEMENT_NODE && n->children)
		return n->children;
	while (n && n != root) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

/* Read the relationships of part (missing: none). officedoc: target of the officeDocument
 * relationship (new), when asked. */
static int load_rels(struct pgd_zreader *z, const char *relpath, struct rels *r, char **officedoc,
                     struct pgd_err *err)
{
	char *buf = NULL;
	size_t len;
	xmlDocPtr x = NULL;
	int rc;

	rc = pgd_zip_read_entry(z, relpath, &buf, &len, err);
	if (rc == PGD_ERR_NOT_FOUND) {
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = parse_xml(z, relpath, buf, len, &x, err);
	if (rc < 0)
		goto out;
	for (const xmlNode *n = xmlDocGetRootElement(x); n; n = next_node(n, NULL, 1)) {
		char *id, *target, *type, *mode;
		if (!is_el(n, "Relationship"))
			continue;
		id = prop(n, "Id");
		target = prop(n, "Target");
		type = prop(n, "Type");
		mode = prop(n, "TargetMode");
		if (id && target) {
			struct rel *e;
			PGD_GROW(r->v, r->n + 1, r->cap);
			e = &r->v[r->n++];
			e->id = id;
			e->target = target;
			e->external = mode && strcasecmp(mode, "External") == 0;
			if (officedoc && *officedoc == NULL && type) {
				size_t tl = strlen(type);
				if (tl >= 15 && strcmp(type + tl - 15, "/officeDocument") == 0)
					*officedoc = pgd_strdup(target);
			}
			id = target = NULL;
		}
		free(id);
		free(target);
		free(type);
		free(mode);
	}
out:
	if (x)
		xmlFreeDoc(x);
	free(buf);
	return rc;
}

static const struct rel *rel_get(const struct rels *r, const char *id)
{
	if (id == NULL)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].id, id) == 0)
			return &r->v[i];
	return NULL;
}

/* Style ids whose style is a caption (name "caption" / 题注). */
struct styles {
	char **ids;
	size_t n, cap;
};

static void styles_release(struct styles *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->ids[i]);
	free(s->ids);
	memset(s, 0, sizeof(*s));
}

static int load_styles(struct pgd_zreader *z, struct styles *s, struct pgd_err *err)
{
	char *buf = NULL;
	size_t len;
	xmlDocPtr x = NULL;
	int rc;

	rc = pgd_zip_read_entry(z, "word/styles.xml", &buf, &len, err);
	if (rc == PGD_ERR_NOT_FOUND) {
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	if (parse_xml(z, "word/styles.xml", buf, len, &x, NULL) < 0) {
		rc = 0; /* styles only help to find captions; a broken one is ignored */
		goto out;
	}
	for (const xmlNode *n = xmlDocGetRootElement(x); n; n = next_node(n, NULL, 1)) {
		if (!is_el(n, "style"))
			continue;
		for (const xmlNode *k = n->children; k; k = k->next) {
			char *v;
			if (!is_el(k, "name"))
				continue;
			v = prop(k, "val");
			if (v && (strcasecmp(v, "caption") == 0 || strcmp(v, "题注") == 0)) {
				char *id = prop(n, "styleId");
				if (id) {
					PGD_GROW(s->ids, s->n + 1, s->cap);
					s->ids[s->n++] = id;
				}
			}
			free(v);
		}
	}
out:
	if (x)
		xmlFreeDoc(x);
	free(buf);
	return rc;
}

/* ---- the walk over WordprocessingML ---- */

struct pimg {
	int image;
	unsigned col;
};

struct para {
	const xmlNode *node;
	unsigned no;  /* paragraph number */
	unsigned col; /* characters so far */
	int caption_style;
	struct pimg *imgs;
	size_t nimgs, imgs_cap;
};

struct dctx {
	struct pgd_doc *doc;
	struct pgd_docb b;
	const struct rels *rels;
	const struct styles *styles;
	unsigned npara;
	struct para *ps; /* open paragraphs (text boxes nest them) */
	size_t nps, ps_cap;
	unsigned cells;      /* open table cells */
	int cell_nl;         /* a cell's next paragraph needs a '\n' first */
	int last_image;      /* image of the last paragraph with one, until text follows */
	const xmlNode *link; /* open w:hyperlink */
	char *link_href;
	size_t link_start;
	unsigned link_line;
	int rc;
};

static int is_caption_style(const struct dctx *c, const char *id)
{
	if (id == NULL)
		return 0;
	if (strcasecmp(id, "caption") == 0 || strcmp(id, "题注") == 0)
		return 1;
	for (size_t i = 0; i < c->styles->n; i++)
		if (strcmp(c->styles->ids[i], id) == 0)
			return 1;
	return 0;
}

static struct para *cur_para(struct dctx *c)
{
	return c->nps ? &c->ps[c->nps - 1] : NULL;
}

static void put_text(struct dctx *c, const char *s, size_t len)
{
	struct para *p = cur_para(c);
	size_t i = 0;

	if (p == NULL || c->rc < 0)
		return;
	if (!c->b.open)
		pgd_docb_begin(&c->b,
		               c->cells && !p->caption_style ? PGD_SEG_TABLE
		               : p->caption_style            ? PGD_SEG_CAPTION
		                                             : PGD_SEG_BODY,
		               -1);
	if (c->cell_nl) {
		if (c->b.started)
			c->rc = pgd_docb_put(&c->b, "\n", 1, 0, 0);
		c->cell_nl = 0;
	}
	while (i < len && c->rc >= 0) {
		uint32_t cp;
		int k = pgd_utf8_decode(s + i, len - i, &cp);
		size_t n = k > 0 ? (size_t)k : 1;
		p->col++;
		if (k < 0)
			c->rc = pgd_docb_put(&c->b, "\xEF\xBF\xBD", 3, p->no, p->col);
		else
			c->rc = pgd_docb_put(&c->b, s + i, n, p->no, p->col);
		i += n;
	}
}

/* The segments of an image: description, title, file name; at (line, col). */
static void image_segments(struct dctx *c, int idx, unsigned line, unsigned col)
{
	struct pgd_doc_image *im = &c->doc->images[idx];
	const char *parts[3];
	char *file = NULL;
	int first = -1;

	parts[0] = im->alt;
	parts[1] =
	    im->title && (im->alt == NULL || strcmp(im->alt, im->title) != 0) ? im->title : NULL;
	if (im->src) {
		const char *b = strrchr(im->src, '/');
		file = pgd_strdup(b ? b + 1 : im->src);
	}
	parts[2] = file;
	for (int i = 0; i < 3 && c->rc >= 0; i++) {
		const char *s = parts[i];
		size_t len, k = 0;
		int seg;
		if (s == NULL || *s == '\0')
			continue;
		len = strlen(s);
		pgd_docb_begin(&c->b, PGD_SEG_IMAGE, idx);
		while (k < len && c->rc >= 0) {
			uint32_t cp;
			int n = pgd_utf8_decode(s + k, len - k, &cp);
			size_t step = n > 0 ? (size_t)n : 1;
			char ch = s[k];
			/* the description starts at the picture's place in the paragraph */
			unsigned l = k == 0 ? line : 0, cc = k == 0 ? col : 0;
			if (ch == '\n' || ch == '\r' || ch == '\t')
				c->rc = pgd_docb_put(&c->b, " ", 1, l, cc);
			else if (n < 0)
				c->rc = pgd_docb_put(&c->b, "\xEF\xBF\xBD", 3, l, cc);
			else
				c->rc = pgd_docb_put(&c->b, s + k, step, l, cc);
			k += step;
		}
		seg = pgd_docb_end(&c->b);
		if (first < 0 && seg >= 0)
			first = seg;
	}
	im->off = first >= 0 ? c->doc->segs[first].off : c->b.text.len;
	free(file);
}

/* A drawing (w:drawing) or VML picture (w:pict): record its image, if it is one. */
static void on_drawing(struct dctx *c, const xmlNode *d)
{
	char *descr = NULL, *title = NULL, *rid = NULL;
	const char *src = NULL;
	struct para *p = cur_para(c);
	int blip = 0, idx;

	for (const xmlNode *n = d; n; n = next_node(n, d, 1)) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(n, "docPr") && descr == NULL && title == NULL) {
			descr = prop(n, "descr");
			title = prop(n, "title");
		} else if (is_el(n, "blip") && rid == NULL) {
			rid = prop(n, "embed");
			if (rid == NULL)
				rid = prop(n, "link");
			blip = 1;
		} else if (is_el(n, "imagedata") && rid == NULL) {
			rid = prop(n, "id");
			if (title == NULL)
				title = prop(n, "title");
			blip = 1;
		} else if (is_el(n, "txbxContent")) {
			/* text box: not an image description */
		}
	}
	if (!blip && (descr == NULL || *descr == '\0') && (title == NULL || *title == '\0'))
		goto out;
	{
		const struct rel *r = rel_get(c->rels, rid);
		src = r ? r->target : NULL;
	}
	idx = pgd_doc_add_image(c->doc, src, descr && *descr ? descr : NULL,
	                        title && *title ? title : NULL, p ? p->no : c->npara);
	if (p) {
		PGD_GROW(p->imgs, p->nimgs + 1, p->imgs_cap);
		p->imgs[p->nimgs].image = idx;
		p->imgs[p->nimgs].col = p->col + 1;
		p->nimgs++;
		p->col++; /* the picture is one character of the paragraph */
	}
out:
	free(descr);
	free(title);
	free(rid);
}

static void end_segment(struct dctx *c, struct para *p)
{
	int idx = pgd_docb_end(&c->b);
	struct pgd_doc *doc = c->doc;
	int img;

	if (idx < 0)
		return;
	img = p && p->nimgs ? p->imgs[p->nimgs - 1].image : c->last_image;
	if (doc->segs[idx].kind == PGD_SEG_CAPTION ||
	    (doc->segs[idx].kind == PGD_SEG_BODY && img >= 0 &&
	     pgd_doc_caption_like(c->b.text.data + doc->segs[idx].off, doc->segs[idx].len))) {
		doc->segs[idx].kind = PGD_SEG_CAPTION;
		doc->segs[idx].image = img;
		if (img >= 0 && doc->images[img].caption == NULL)
			doc->images[img].caption =
			    pgd_strndup(c->b.text.data + doc->segs[idx].off, doc->segs[idx].len);
	}
	c->last_image = -1;
}

static void para_begin(struct dctx *c, const xmlNode *n)
{
	struct para *p;

	if (c->cells && c->nps == 0 && c->cell_nl) {
		/* the next paragraph of a table cell: same segment, after a '\n' */
	} else if (c->b.open && c->b.started) {
		end_segment(c, cur_para(c));
	} else if (c->b.open) {
		pgd_docb_end(&c->b);
	}
	PGD_GROW(c->ps, c->nps + 1, c->ps_cap);
	p = &c->ps[c->nps++];
	memset(p, 0, sizeof(*p));
	p->node = n;
	p->no = ++c->npara;
	for (const xmlNode *k = n->children; k; k = k->next) {
		if (!is_el(k, "pPr"))
			continue;
		for (const xmlNode *s = k->children; s; s = s->next) {
			if (is_el(s, "pStyle")) {
				char *v = prop(s, "val");
				p->caption_style = is_caption_style(c, v);
				free(v);
			}
		}
	}
}

static void para_end(struct dctx *c)
{
	struct para *p = cur_para(c);

	if (p == NULL)
		return;
	if (c->cells && c->nps == 1 && !p->nimgs && !p->caption_style) {
		/* paragraphs of a cell stay in the cell's segment */
		if (c->b.open && c->b.started)
			c->cell_nl = 1;
	} else if (c->b.open) {
		end_segment(c, p);
	}
	for (size_t i = 0; i < p->nimgs; i++)
		image_segments(c, p->imgs[i].image, p->no, p->imgs[i].col);
	if (p->nimgs)
		c->last_image = p->imgs[p->nimgs - 1].image;
	free(p->imgs);
	c->nps--;
}

/* Returns 1 to descend. */
static int d_enter(struct dctx *c, const xmlNode *n)
{
	const char *name;

	if (n->type != XML_ELEMENT_NODE)
		return 0;
	name = (const char *)n->name;
	if (name == NULL)
		return 0;
	if (!w_ns(n))
		return !is_el(n, "Fallback");
	switch (name[0]) {
	case 'p':
		if (strcmp(name, "p") == 0) {
			para_begin(c, n);
			return 1;
		}
		if (strcmp(name, "pPr") == 0)
			return 0;
		break;
	case 'r':
		if (strcmp(name, "rPr") == 0)
			return 0;
		break;
	case 't':
		if (strcmp(name, "t") == 0) {
			for (const xmlNode *k = n->children; k; k = k->next)
				if ((k->type == XML_TEXT_NODE ||
				     k->type == XML_CDATA_SECTION_NODE) &&
				    k->content)
					put_text(c, (const char *)k->content,
					         strlen((const char *)k->content));
			return 0;
		}
		if (strcmp(name, "tab") == 0) {
			if (n->parent && is_el(n->parent, "r"))
				put_text(c, "\t", 1);
			return 0;
		}
		if (strcmp(name, "tc") == 0) {
			if (c->b.open && c->b.started)
				end_segment(c, cur_para(c));
			else if (c->b.open)
				pgd_docb_end(&c->b);
			c->cells++;
			c->cell_nl = 0;
			return 1;
		}
		if (strcmp(name, "tblPr") == 0 || strcmp(name, "tcPr") == 0 ||
		    strcmp(name, "trPr") == 0 || strcmp(name, "tblGrid") == 0)
			return 0;
		break;
	case 'b':
		if (strcmp(name, "br") == 0) {
			put_text(c, "\n", 1);
			return 0;
		}
		break;
	case 'c':
		if (strcmp(name, "cr") == 0) {
			put_text(c, "\n", 1);
			return 0;
		}
		break;
	case 'n':
		if (strcmp(name, "noBreakHyphen") == 0) {
			put_text(c, "-", 1);
			return 0;
		}
		break;
	case 'd':
		if (strcmp(name, "delText") == 0 || strcmp(name, "delInstrText") == 0 ||
		    strcmp(name, "del") == 0)
			return 0;
		if (strcmp(name, "drawing") == 0) {
			on_drawing(c, n);
			return 1;
		}
		break;
	case 'i':
		if (strcmp(name, "instrText") == 0)
			return 0;
		break;
	case 's':
		if (strcmp(name, "sectPr") == 0)
			return 0;
		break;
	case 'h':
		if (strcmp(name, "hyperlink") == 0 && c->link == NULL) {
			char *rid = prop(n, "id");
			const struct rel *r = rel_get(c->rels, rid);
			free(rid);
			if (r) {
				const struct para *p = cur_para(c);
				c->link = n;
				c->link_href = pgd_strdup(r->target);
				c->link_start = c->b.text.len;
				c->link_line = p ? p->no : c->npara;
			}
			return 1;
		}
		break;
	default:
		break;
	}
	if (strcmp(name, "pict") == 0)
		on_drawing(c, n);
	return 1;
}

static void d_leave_link(struct dctx *c);

static void d_leave(struct dctx *c, const xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE || n->name == NULL)
		return;
	if (n == c->link) {
		d_leave_link(c);
		return;
	}
	if (!w_ns(n))
		return;
	if (is_el(n, "p")) {
		struct para *p = cur_para(c);
		if (p && p->node == n)
			para_end(c);
	} else if (is_el(n, "tc") && c->cells) {
		if (c->b.open)
			end_segment(c, cur_para(c));
		c->cells--;
		c->cell_nl = 0;
	}
}

static void d_leave_link(struct dctx *c)
{
	{
		size_t s = c->link_start, e = c->b.text.len, k;
		char *text;
		if (s > e)
			s = e;
		while (s < e && (c->b.text.data[s] == '\n' || c->b.text.data[s] == ' '))
			s++;
		while (e > s && (c->b.text.data[e - 1] == '\n' || c->b.text.data[e - 1] == ' '))
			e--;
		text = pgd_strndup(c->b.text.data ? c->b.text.data + s : "", e - s);
		for (k = 0; text[k]; k++)
			if (text[k] == '\n')
				text[k] = ' ';
		pgd_doc_add_link(c->doc, c->link_href, text, c->link_line, s);
		free(text);
		free(c->link_href);
		c->link_href = NULL;
		c->link = NULL;
	}
}

static void d_walk(struct dctx *c, const xmlNode *root)
{
	const xmlNode *n = root;

	while (n && c->rc >= 0) {
		if (d_enter(c, n) && n->children) {
			n = n->children;
			continue;
		}
		for (;;) {
			d_leave(c, n);
			if (n == root) {
				n = NULL;
				break;
			}
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (n == NULL) {
				break;
			}
		}
	}
	/* anything left open (malformed nesting cannot happen in XML, but be safe) */
	while (c->nps)
		para_end(c);
	if (c->b.open)
		end_segment(c, NULL);
	if (c->link) {
		free(c->link_href);
		c->link_href = NULL;
		c->link = NULL;
	}
	c->cells = 0;
}

/* "word/_rels/document.xml.rels" for "word/document.xml". new. */
static char *rels_path(const char *part)
{
	const char *slash = strrchr(part, '/');
	struct pgd_buf b;
	pgd_buf_init(&b, 4096);
	if (slash) {
		pgd_buf_add(&b, part, (size_t)(slash - part) + 1);
		pgd_buf_addf(&b, "_rels/%s.rels", slash + 1);
	} else {
		pgd_buf_addf(&b, "_rels/%s.rels", part);
	}
	return pgd_buf_take(&b, NULL);
}

/* Read, parse and walk one WordprocessingML part. */
static int do_part(struct dctx *c, struct pgd_zreader *z, const char *part, int required,
                   struct pgd_err *err)
{
	char *buf = NULL, *rp = NULL;
	size_t len;
	xmlDocPtr x = NULL;
	struct rels rels = {0};
	const struct rels *saved = c->rels;
	int rc;

	rc = pgd_zip_read_entry(z, part, &buf, &len, err);
	if (rc == PGD_ERR_NOT_FOUND) {
		rc = required ? pgd_err_set(err, PGD_ERR_FORMAT, z->name, BAD_DOCX "缺少 %s", part)
		              : 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = parse_xml(z, part, buf, len, &x, err);
	if (rc < 0)
		goto out;
	free(buf);
	buf = NULL;
	rp = rels_path(part);
	rc = load_rels(z, rp, &rels, NULL, err);
	if (rc < 0)
		goto out;
	c->rels = &rels;
	d_walk(c, xmlDocGetRootElement(x));
	c->rels = saved;
	rc = c->rc;
	if (rc < 0)
		pgd_err_set(err, rc, z->name, "Word 文档内容过大");
out:
	c->rels = saved;
	rels_release(&rels);
	if (x)
		xmlFreeDoc(x);
	free(buf);
	free(rp);
	return rc;
}

static int cmp_part(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int hx = strncmp(x, "word/header", 11) == 0, hy = strncmp(y, "word/header", 11) == 0;
	if (hx != hy)
		return hy - hx;
	return strcmp(x, y);
}

/* word/header*.xml, word/footer*.xml (sorted), then footnotes and endnotes. */
static size_t list_extra_parts(zip_t *za, char **out, size_t max)
{
	zip_int64_t n = zip_get_num_entries(za, 0);
	size_t k = 0;
	for (zip_int64_t i = 0; i < n && k < max; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
		size_t l;
		if (name == NULL)
			continue;
		l = strlen(name);
		if (l < 9 || strcmp(name + l - 4, ".xml") != 0)
			continue;
		if (strncmp(name, "word/header", 11) == 0 || strncmp(name, "word/footer", 11) == 0)
			out[k++] = pgd_strdup(name);
	}
	/* headers before footers, each in name order ("word/f" < "word/h", so sort by the
	 * name with the kind flipped) */
	qsort(out, k, sizeof(*out), cmp_part);
	if (k < max && zip_name_locate(za, "word/footnotes.xml", 0) >= 0)
		out[k++] = pgd_strdup("word/footnotes.xml");
	if (k < max && zip_name_locate(za, "word/endnotes.xml", 0) >= 0)
		out[k++] = pgd_strdup("word/endnotes.xml");
	return k;
}

static int read_core(struct dctx *c, struct pgd_zreader *z)
{
	char *buf = NULL;
	size_t len;
	xmlDocPtr x = NULL;

	if (pgd_zip_read_entry(z, "docProps/core.xml", &buf, &len, NULL) < 0)
		goto out;
	if (parse_xml(z, "docProps/core.xml", buf, len, &x, NULL) < 0)
		goto out;
	for (const xmlNode *n = xmlDocGetRootElement(x); n; n = next_node(n, NULL, 1)) {
		if (is_el(n, "title") && n->children && n->children->type == XML_TEXT_NODE &&
		    n->children->content && n->children->content[0]) {
			pgd_doc_add_meta(c->doc, "title", (const char *)n->children->content, 0);
			break;
		}
	}
out:
	if (x)
		xmlFreeDoc(x);
	free(buf);
	return 0;
}

int pgd_docx_parse(struct pgd_doc *doc, const char *data, size_t len, struct pgd_err *err)
{
	zip_error_t zerr;
	zip_source_t *src = NULL;
	struct pgd_zreader z = {NULL, DOCX_MAX_UNCOMPRESSED, DOCX_MAX_UNCOMPRESSED, doc->name, "Word 文档",
		"Word 文档（.docx）"};
	struct dctx c;
	struct rels top = {0};
	struct styles styles = {0};
	char *main_part = NULL;
	char *extra[DOCX_MAX_PARTS];
	size_t nextra = 0;
	int rc = 0;

	pgd_doc_xml_init();
	memset(&c, 0, sizeof(c));
	c.doc = doc;
	c.last_image = -1;
	c.styles = &styles;
	c.rels = &top;
	pgd_docb_init(&c.b, doc, DOCX_MAX_UNCOMPRESSED * 2);
	snprintf(doc->charset, sizeof(doc->charset), "UTF-8");
	zip_error_init(&zerr);
	if (len < 22 || memcmp(data, "PK", 2) != 0) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, doc->name, BAD_DOCX "不是 zip 压缩包");
		goto out;
	}
	src = zip_source_buffer_create(data, len, 0, &zerr);
	if (src == NULL) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, doc->name, "无法读取 zip：%s",
		                 zip_error_strerror(&zerr));
		goto out;
	}
	z.za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	if (z.za == NULL) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, doc->name,
		                 BAD_DOCX "zip 结构损坏或文件被截断（%s）",
		                 zip_error_strerror(&zerr));
		zip_source_free(src);
		goto out;
	}
	if (zip_get_num_entries(z.za, 0) > DOCX_MAX_ENTRIES) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, doc->name, BAD_DOCX "zip 条目过多");
		goto out;
	}
	rc = load_rels(&z, "_rels/.rels", &top, &main_part, err);
	if (rc < 0)
		goto out;
	if (main_part) {
		/* targets are relative to the package root; drop a leading '/' */
		char *p = main_part;
		while (*p == '/')
			p++;
		memmove(main_part, p, strlen(p) + 1);
	}
	if (main_part == NULL || strncmp(main_part, "word/", 5) != 0 ||
	    zip_name_locate(z.za, main_part, 0) < 0) {
		free(main_part);
		main_part = pgd_strdup("word/document.xml");
	}
	if (zip_name_locate(z.za, main_part, 0) < 0) {
		if (zip_name_locate(z.za, "xl/workbook.xml", 0) >= 0)
			rc = pgd_err_set(err, PGD_ERR_FORMAT, doc->name,
			                 BAD_DOCX "这是 Excel 工作簿（.xlsx），不是 Word 文档");
		else if (zip_name_locate(z.za, "ppt/presentation.xml", 0) >= 0)
			rc = pgd_err_set(err, PGD_ERR_FORMAT, doc->name,
			                 BAD_DOCX
			                 "这是 PowerPoint 演示文稿（.pptx），不是 Word 文档");
		else
			rc = pgd_err_set(err, PGD_ERR_FORMAT, doc->name,
			                 BAD_DOCX "缺少 word/document.xml");
		goto out;
	}
	rc = load_styles(&z, &styles, err);
	if (rc < 0)
		goto out;
	rc = do_part(&c, &z, main_part, 1, err);
	if (rc < 0)
		goto out;
	nextra = list_extra_parts(z.za, extra, DOCX_MAX_PARTS);
	for (size_t i = 0; i < nextra && rc >= 0; i++) {
		c.last_image = -1;
		rc = do_part(&c, &z, extra[i], 0, err);
	}
	if (rc < 0)
		goto out;
	read_core(&c, &z);
	pgd_docb_finish(&c.b);
out:
	for (size_t i = 0; i < nextra; i++)
		free(extra[i]);
	for (size_t i = 0; i < c.nps; i++)
		free(c.ps[i].imgs);
	free(c.ps);
	free(c.link_href);
	free(main_part);
	rels_release(&top);
	styles_release(&styles);
	pgd_docb_release(&c.b);
	if (z.za)
		zip_discard(z.za);
	zip_error_fini(&zerr);
	return rc;
}
