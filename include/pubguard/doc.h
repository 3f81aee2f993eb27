/* Input documents: plain text (UTF-8, GBK/GB18030, UTF-16; BOM, charset hints, detection),
 * HTML and Word .docx, read into one UTF-8 text the checker scans, with a map from every
 * byte of that text back to the line and column of the original file.
 *
 * The text (doc->text) is built from segments, each on its own line(s) and separated by '\n':
 * body paragraphs, headings, table cells, image descriptions (alt/title/file name), captions
 * and <meta> values. Line ends are LF; a BOM is never content. Plain text: one BODY segment
 * per non-empty line. */
#ifndef PUBGUARD_DOC_H
#define PUBGUARD_DOC_H
#include <stddef.h>

#include "pubguard/err.h"

enum pgd_doc_format { PGD_DOC_AUTO = 0, PGD_DOC_TEXT, PGD_DOC_HTML, PGD_DOC_DOCX };

enum pgd_seg_kind {
	PGD_SEG_BODY = 0, /* paragraph / visible text */
	PGD_SEG_TITLE,    /* <title>, heading */
	PGD_SEG_META,     /* <meta> value (ArticleTitle, ContentSource, ...) */
	PGD_SEG_IMAGE,    /* image alt / title / file name */
	PGD_SEG_CAPTION,  /* figure caption, table caption */
	PGD_SEG_TABLE,    /* table cell */
};

/* A run of doc->text that came from one place of the original file. */
struct pgd_doc_seg {
	size_t off, len;        /* byte range in doc->text */
	unsigned line, col;     /* 1-based position in the original file of text[off] */
	enum pgd_seg_kind kind;
	int image;              /* index into doc->images for IMAGE/CAPTION segments, else -1 */
};

struct pgd_doc_image {
	char *src;              /* as written (may be NULL) */
	char *alt, *title;      /* may be NULL */
	char *caption;          /* figure caption / nearby 图注, may be NULL */
	unsigned line;          /* line of the <img> (or the drawing) in the original */
	size_t off;             /* offset in doc->text of its description segment */
};

struct pgd_doc_link {
	char *href;             /* as written */
	char *text;             /* anchor text, may be empty */
	unsigned line;
	size_t off;             /* offset in doc->text of the anchor text */
};

/* Position index used by pgd_doc_locate (maintained by src/doc): from text[off] on, the text
 * maps to the original at (line, col), advancing one column per character and to the next
 * line at each '\n', until the next anchor. Sorted by off; one at every segment start. */
struct pgd_doc_anchor {
	size_t off;
	unsigned line, col;
};

struct pgd_doc_meta {
	char *key;              /* e.g. "ArticleTitle", "PubDate", "ContentSource", "title" */
	char *value;
	unsigned line;
};

struct pgd_doc {
	char *name;             /* file name as given ("-" for stdin) */
	enum pgd_doc_format format;
	char charset[32];       /* source charset as detected/declared, e.g. "UTF-8", "GB18030" */
	char *text;             /* UTF-8, NUL-terminated */
	size_t len;
	struct pgd_doc_seg *segs;
	size_t nsegs, segs_cap;
	struct pgd_doc_image *images;
	size_t nimages, images_cap;
	struct pgd_doc_link *links;
	size_t nlinks, links_cap;
	struct pgd_doc_meta *meta;
	size_t nmeta, meta_cap;
	struct pgd_doc_anchor *anchors; /* see struct pgd_doc_anchor */
	size_t nanchors, anchors_cap;
};

/* Default cap on an input file (bytes). Larger files are refused with PGD_ERR_TOO_LARGE. */
#define PGD_DOC_MAX_BYTES ((size_t)256 << 20)

void pgd_doc_init(struct pgd_doc *doc);
void pgd_doc_release(struct pgd_doc *doc); /* accepts NULL */

/* Read and parse a file ("-" = stdin). fmt AUTO decides by content (zip magic -> docx,
 * markup -> HTML) and by extension. Files over max_bytes are refused without being read
 * whole. On error doc is left empty and err says what is wrong with which file. */
int pgd_doc_load(const char *path, enum pgd_doc_format fmt, size_t max_bytes,
		 struct pgd_doc *doc, struct pgd_err *err);
/* Read a whole file ("-" = stdin) of at most max_bytes (0: PGD_DOC_MAX_BYTES) as pgd_doc_load
 * does: directories refused, a FIFO cannot hang it, a larger file refused without being read
 * whole. *data is new (free()), NUL-terminated. */
int pgd_doc_read_file(const char *path, size_t max_bytes, char **data, size_t *len, struct pgd_err *err);
/* Parse bytes already in memory; name is used for messages and format detection. */
int pgd_doc_parse(const char *name, const void *data, size_t len, enum pgd_doc_format fmt,
		  struct pgd_doc *doc, struct pgd_err *err);

/* Map a byte offset of doc->text to a 1-based line and column (in characters) of the original.
 * O(log n): a binary search over doc->anchors, then a walk of at most a few KB.
 * Text and HTML: line and column of the original file (HTML positions come from the source
 * itself, entities and multi-line text included). .docx: line = paragraph number (every w:p
 * of the body in order, table cells included; headers, footers and footnotes follow the body
 * and continue the count), column = character within the paragraph. */
void pgd_doc_locate(const struct pgd_doc *doc, size_t off, unsigned *line, unsigned *col);
/* The segment holding offset off (NULL when none). borrowed. */
const struct pgd_doc_seg *pgd_doc_seg_at(const struct pgd_doc *doc, size_t off);
/* First meta value with that key, case-insensitive; borrowed, NULL when absent. */
const char *pgd_doc_meta_get(const struct pgd_doc *doc, const char *key);

/* Decode bytes of unknown charset to UTF-8: BOM first, then hint (e.g. from an HTTP header
 * or <meta charset>), then detection (uchardet). Output has no BOM and LF line ends when
 * normalise_newlines is set. charset_out (>= 32 bytes, may be NULL) receives the charset used.
 * GBK / GB2312 are decoded as GB18030. Bytes that are valid UTF-8 are UTF-8 whatever the hint
 * says (GB pages that declare gb2312 but were saved as UTF-8 are common; GBK text is almost
 * never valid UTF-8). Strict: an undecodable byte is PGD_ERR_ENCODING naming its offset (and
 * line), never replaced; NULs or many control characters are PGD_ERR_FORMAT (binary).
 * new: *out is malloc'd (free()), NUL-terminated. */
int pgd_text_decode(const char *name, const void *data, size_t len, const char *hint,
		    int normalise_newlines, char **out, size_t *out_len, char *charset_out,
		    struct pgd_err *err);

#endif
