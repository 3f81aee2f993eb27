/* Internal interfaces of the document layer (src/doc). Not installed; not for other layers.
 *
 * doc.c   struct pgd_doc life cycle, the segment builder below, locate, load (file / stdin,
 *         size cap) and format detection;
 * text.c  charset decoding (BOM, hint, uchardet, iconv) and the plain-text reader;
 * html.c  the HTML reader (libxml2's HTML parser, positions recovered from the source);
 * docx.c  the Word .docx reader (libzip + libxml2);
 * sheet.c the CSV and .xlsx table reader;
 * zip.c   the capped zip entry reader both zip formats use. */
#ifndef PGD_DOC_INTERNAL_H
#define PGD_DOC_INTERNAL_H
#include <stddef.h>

#include "pubguard/buf.h"
#include "pubguard/doc.h"
#include "pubguard/err.h"

/* Anchor spacing: pgd_doc_locate never walks more than about this many bytes. */
#define PGD_DOC_ANCHOR_STEP 2048

/* Builds doc->text segment by segment. Every character is put with its position in the
 * original (line 0 = unknown: continue from the previous character); an anchor is recorded
 * wherever the position does not follow from the previous one, at each segment start and
 * every PGD_DOC_ANCHOR_STEP bytes. Segments are separated by one '\n'. */
struct pgd_docb {
	struct pgd_doc *doc;
	struct pgd_buf text;
	int open;    /* a segment has been begun */
	int started; /* ... and has received its first character */
	enum pgd_seg_kind kind;
	int image;
	size_t seg_off;       /* text offset of the open segment's first byte */
	size_t sep_off;       /* text length before the open segment's separator */
	unsigned nline, ncol; /* predicted position of the next character (0: none) */
	size_t last_anchor;
};

void pgd_docb_init(struct pgd_docb *b, struct pgd_doc *doc, size_t max);
void pgd_docb_release(struct pgd_docb *b); /* accepts NULL */
/* Begin a segment (ends the open one first). Nothing is written until the first put. */
int pgd_docb_begin(struct pgd_docb *b, enum pgd_seg_kind kind, int image);
/* Append one character (n bytes of UTF-8) at (line, col) of the original; line 0: unknown.
 * Begins a BODY segment when none is open. */
int pgd_docb_put(struct pgd_docb *b, const char *p, size_t n, unsigned line, unsigned col);
/* End the open segment, dropping trailing spaces, tabs and newlines. Returns the index of
 * the new segment in doc->segs, or -1 when it was empty (then nothing of it remains). */
int pgd_docb_end(struct pgd_docb *b);
/* Last character put in the open segment ('\0' when none). */
char pgd_docb_last(const struct pgd_docb *b);
/* End the open segment and move the text into doc->text / doc->len. */
void pgd_docb_finish(struct pgd_docb *b);

/* Append to the document's lists; strings are copied (NULL stays NULL). Return the index. */
int pgd_doc_add_image(struct pgd_doc *doc, const char *src, const char *alt, const char *title,
                      unsigned line);
int pgd_doc_add_link(struct pgd_doc *doc, const char *href, const char *text, unsigned line,
                     size_t off);
int pgd_doc_add_meta(struct pgd_doc *doc, const char *key, const char *value, unsigned line);
void pgd_doc_add_anchor(struct pgd_doc *doc, size_t off, unsigned line, unsigned col);
void pgd_doc_add_seg(struct pgd_doc *doc, size_t off, size_t len, unsigned line, unsigned col,
                     enum pgd_seg_kind kind, int image);

/* 1 when text (UTF-8) starts like a caption: 图, 图片来源, 来源, 审图号 (after spaces). */
int pgd_doc_caption_like(const char *s, size_t len);

/* Initialise libxml2 once (thread-safe); html.c and docx.c call it before parsing. */
void pgd_doc_xml_init(void);

/* Readers: doc->name is set; on error the caller empties doc. data is not modified. */
int pgd_text_parse(struct pgd_doc *doc, const char *data, size_t len, struct pgd_err *err);
int pgd_html_parse(struct pgd_doc *doc, const char *data, size_t len, struct pgd_err *err);
int pgd_docx_parse(struct pgd_doc *doc, const char *data, size_t len, struct pgd_err *err);

/* Plain-text reader over text already decoded to UTF-8 with LF line ends: takes ownership
 * of text (steals; malloc'd, NUL-terminated). One BODY segment per non-empty line. */
void pgd_text_build(struct pgd_doc *doc, char *text, size_t len);

/* One open zip archive being read: budget counts down the uncompressed bytes still allowed
 * (start it at max). kind ("Word 文档") and label ("Word 文档（.docx）") name the format in
 * messages; name is the input file. */
struct pgd_zreader {
	struct zip *za;
	size_t budget;
	size_t max;
	const char *name;
	const char *kind;
	const char *label;
};
/* Read one entry whole into *out (new, NUL-terminated). PGD_ERR_NOT_FOUND (err untouched)
 * when absent; TOO_LARGE past the budget; FORMAT when encrypted, corrupt or truncated. */
int pgd_zip_read_entry(struct pgd_zreader *z, const char *entry, char **out, size_t *out_len,
	struct pgd_err *err);

#endif
