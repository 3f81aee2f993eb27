/* struct pgd_doc: life cycle, the segment builder, locate, loading and format detection. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pubguard/buf.h"
#include "pubguard/doc.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "doc/internal.h"
#include "core/banned.h"

void pgd_doc_init(struct pgd_doc *doc)
{
	memset(doc, 0, sizeof(*doc));
}

void pgd_doc_release(struct pgd_doc *doc)
{
	if (doc == NULL)
		return;
	free(doc->name);
	free(doc->text);
	free(doc->segs);
	for (size_t i = 0; i < doc->nimages; i++) {
		free(doc->images[i].src);
		free(doc->images[i].alt);
		free(doc->images[i].title);
		free(doc->images[i].caption);
	}
	free(doc->images);
	for (size_t i = 0; i < doc->nlinks; i++) {
		free(doc->links[i].href);
		free(doc->links[i].text);
	}
	free(doc->links);
	for (size_t i = 0; i < doc->nmeta; i++) {
		free(doc->meta[i].key);
		free(doc->meta[i].value);
	}
	free(doc->meta);
	free(doc->anchors);
	pgd_doc_init(doc);
}

/* ---- lists ---- */

int pgd_doc_add_image(struct pgd_doc *doc, const char *src, const char *alt, const char *title,
                      unsigned line)
{
	struct pgd_doc_image *im;
	PGD_GROW(doc->images, doc->nimages + 1, doc->images_cap);
	im = &doc->images[doc->nimages];
	memset(im, 0, sizeof(*im));
	im->src = pgd_strdup(src);
	im->alt = pgd_strdup(alt);
	im->title = pgd_strdup(title);
	im->line = line;
	im->off = (size_t)-1;
	return (int)doc->nimages++;
}

int pgd_doc_add_link(struct pgd_doc *doc, const char *href, const char *text, unsigned line,
                     size_t off)
{
	struct pgd_doc_link *l;
	PGD_GROW(doc->links, doc->nlinks + 1, doc->links_cap);
	l = &doc->links[doc->nlinks];
	l->href = pgd_strdup(href ? href : "");
	l->text = pgd_strdup(text ? text : "");
	l->line = line;
	l->off = off;
	return (int)doc->nlinks++;
}

int pgd_doc_add_meta(struct pgd_doc *doc, const char *key, const char *value, unsigned line)
{
	struct pgd_doc_meta *m;
	PGD_GROW(doc->meta, doc->nmeta + 1, doc->meta_cap);
	m = &doc->meta[doc->nmeta];
	m->key = pgd_strdup(key ? key : "");
	m->value = pgd_strdup(value ? value : "");
	m->line = line;
	return (int)doc->nmeta++;
}

void pgd_doc_add_anchor(struct pgd_doc *doc, size_t off, unsigned line, unsigned col)
{
	struct pgd_doc_anchor *a;
	/* a later anchor at the same offset replaces the earlier one */
	if (doc->nanchors && doc->anchors[doc->nanchors - 1].off == off) {
		a = &doc->anchors[doc->nanchors - 1];
	} else {
		PGD_GROW(doc->anchors, doc->nanchors + 1, doc->anchors_cap);
		a = &doc->anchors[doc->nanchors++];
	}
	a->off = off;
	a->line = line;
	a->col = col;
}

void pgd_doc_add_seg(struct pgd_doc *doc, size_t off, size_t len, unsigned line, unsigned col,
                     enum pgd_seg_kind kind, int image)
{
	struct pgd_doc_seg *s;
	PGD_GROW(doc->segs, doc->nsegs + 1, doc->segs_cap);
	s = &doc->segs[doc->nsegs++];
	s->off = off;
	s->len = len;
	s->line = line;
	s->col = col;
	s->kind = kind;
	s->image = image;
}

/* ---- builder ---- */

void pgd_docb_init(struct pgd_docb *b, struct pgd_doc *doc, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->doc = doc;
	b->image = -1;
	pgd_buf_init(&b->text, max);
}

void pgd_docb_release(struct pgd_docb *b)
{
	if (b == NULL)
		return;
	pgd_buf_release(&b->text);
}

int pgd_docb_begin(struct pgd_docb *b, enum pgd_seg_kind kind, int image)
{
	if (b->open)
		pgd_docb_end(b);
	b->open = 1;
	b->started = 0;
	b->kind = kind;
	b->image = image;
	return 0;
}

char pgd_docb_last(const struct pgd_docb *b)
{
	if (!b->open || !b->started || b->text.len <= b->seg_off)
		return '\0';
	return b->text.data[b->text.len - 1];
}

int pgd_docb_put(struct pgd_docb *b, const char *p, size_t n, unsigned line, unsigned col)
{
	int rc = 0;
	int anchor = 0;

	if (!b->open)
		pgd_docb_begin(b, PGD_SEG_BODY, -1);
	if (!b->started) {
		b->sep_off = b->text.len;
		if (b->text.len > 0) {
			rc = pgd_buf_addch(&b->text, '\n');
			if (rc < 0)
				goto out;
		}
		b->seg_off = b->text.len;
		b->started = 1;
		anchor = 1;
	}
	if (line == 0) {
		line = b->nline ? b->nline : 1;
		col = b->nline ? b->ncol : 1;
	} else if (line != b->nline || col != b->ncol) {
		anchor = 1;
	}
	if (b->doc->nanchors == 0 ||
	    b->text.len - b->doc->anchors[b->doc->nanchors - 1].off >= PGD_DOC_ANCHOR_STEP)
		anchor = 1;
	if (anchor)
		pgd_doc_add_anchor(b->doc, b->text.len, line, col);
	rc = pgd_buf_add(&b->text, p, n);
	if (rc < 0)
		goto out;
	if (n == 1 && p[0] == '\n') {
		b->nline = line + 1;
		b->ncol = 1;
	} else {
		b->nline = line;
		b->ncol = col + 1;
	}
out:
	return rc;
}

int pgd_docb_end(struct pgd_docb *b)
{
	struct pgd_doc *doc = b->doc;
	size_t end;
	int idx = -1;

	if (!b->open)
		return -1;
	b->open = 0;
	if (!b->started)
		return -1;
	end = b->text.len;
	while (end > b->seg_off && (b->text.data[end - 1] == ' ' || b->text.data[end - 1] == '\t' ||
	                            b->text.data[end - 1] == '\n'))
		end--;
	if (end == b->seg_off) {
		/* nothing left: drop the separator and the anchors too */
		end = b->sep_off;
		while (doc->nanchors && doc->anchors[doc->nanchors - 1].off >= end)
			doc->nanchors--;
		b->text.len = end;
		if (b->text.data)
			b->text.data[end] = '\0';
		return -1;
	}
	while (doc->nanchors && doc->anchors[doc->nanchors - 1].off >= end)
		doc->nanchors--;
	b->text.len = end;
	b->text.data[end] = '\0';
	{
		/* the segment's position is its first anchor's */
		size_t lo = 0, hi = doc->nanchors;
		unsigned line = 1, col = 1;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (doc->anchors[mid].off < b->seg_off)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < doc->nanchors) {
			line = doc->anchors[lo].line;
			col = doc->anchors[lo].col;
		}
		pgd_doc_add_seg(doc, b->seg_off, end - b->seg_off, line, col, b->kind, b->image);
		idx = (int)doc->nsegs - 1;
	}
	return idx;
}

void pgd_docb_finish(struct pgd_docb *b)
{
	struct pgd_doc *doc = b->doc;
	pgd_docb_end(b);
	free(doc->text);
	doc->text = pgd_buf_take(&b->text, &doc->len);
	/* offsets taken while a segment was open may point past trimmed spaces */
	for (size_t i = 0; i < doc->nlinks; i++)
		if (doc->links[i].off > doc->len)
			doc->links[i].off = doc->len;
	for (size_t i = 0; i < doc->nimages; i++)
		if (doc->images[i].off > doc->len)
			doc->images[i].off = doc->len;
}

/* ---- queries ---- */

void pgd_doc_locate(const struct pgd_doc *doc, size_t off, unsigned *line, unsigned *col)
{
	size_t lo = 0, hi = doc->nanchors, i;
	unsigned l = 1, c = 1;
	size_t from = 0;

	if (off > doc->len)
		off = doc->len;
	/* last anchor with a.off <= off */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (doc->anchors[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0) {
		const struct pgd_doc_anchor *a = &doc->anchors[lo - 1];
		from = a->off;
		l = a->line;
		c = a->col;
	}
	for (i = from; i < off && doc->text; i++) {
		unsigned char ch = (unsigned char)doc->text[i];
		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c++;
		}
	}
	if (line)
		*line = l;
	if (col)
		*col = c;
}

const struct pgd_doc_seg *pgd_doc_seg_at(const struct pgd_doc *doc, size_t off)
{
	size_t lo = 0, hi = doc->nsegs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (doc->segs[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	if (off < doc->segs[lo - 1].off + doc->segs[lo - 1].len)
		return &doc->segs[lo - 1];
	return NULL;
}

const char *pgd_doc_meta_get(const struct pgd_doc *doc, const char *key)
{
	for (size_t i = 0; i < doc->nmeta; i++)
		if (strcasecmp(doc->meta[i].key, key) == 0)
			return doc->meta[i].value;
	return NULL;
}

int pgd_doc_caption_like(const char *s, size_t len)
{
	static const char *const prefixes[] = {"图", "审图号", "来源", "地图来源", "资料来源"};
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	/* U+3000 ideographic space */
	while (len >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0) {
		s += 3;
		len -= 3;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (len >= n && memcmp(s, prefixes[i], n) == 0)
			return 1;
	}
	return 0;
}

/* ---- format detection ---- */

static const char *file_ext(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *dot = strrchr(slash ? slash + 1 : name, '.');
	return dot ? dot + 1 : "";
}

/* Case-insensitive search for an ASCII tag needle ("<body") in the first max bytes; jumps
 * from '<' to '<' with memchr, so plain text without markup costs one memchr pass. */
static int has_ci(const char *s, size_t len, const char *needle, size_t max)
{
	size_t n = strlen(needle);
	const char *p = s, *end;

	if (len > max)
		len = max;
	end = s + len;
	while (p + n <= end && (p = memchr(p, needle[0], (size_t)(end - p))) != NULL) {
		if (p + n <= end && strncasecmp(p, needle, n) == 0)
			return 1;
		p++;
	}
	return 0;
}

/* Well-known binary formats, so the user hears what the file is. */
static const char *binary_kind(const unsigned char *d, size_t len)
{
	if (len >= 5 && memcmp(d, "%PDF-", 5) == 0)
		return "PDF 文件（请另存为 .docx 或文本再检查）";
	if (len >= 8 && memcmp(d, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
		return "旧版 Office 文档（.doc/.xls/.wps），请另存为 .docx 再检查";
	if (len >= 8 && memcmp(d, "\x89PNG\r\n\x1A\n", 8) == 0)
		return "PNG 图片";
	if (len >= 3 && memcmp(d, "\xFF\xD8\xFF", 3) == 0)
		return "JPEG 图片";
	if (len >= 4 && memcmp(d, "GIF8", 4) == 0)
		return "GIF 图片";
	if (len >= 2 && memcmp(d, "\x1F\x8B", 2) == 0)
		return "gzip 压缩文件";
	if (len >= 4 && memcmp(d, "Rar!", 4) == 0)
		return "RAR 压缩文件";
	if (len >= 6 && memcmp(d, "7z\xBC\xAF\x27\x1C", 6) == 0)
		return "7z 压缩文件";
	if (len >= 4 && memcmp(d,
	                       "\x7F"
	                       "ELF",
	                       4) == 0)
		return "可执行程序";
	return NULL;
}

static enum pgd_doc_format sniff(const char *name, const char *data, size_t len)
{
	const char *ext = file_ext(name);
	size_t i = 0;

	if (len >= 4 && (memcmp(data, "PK\x03\x04", 4) == 0 || memcmp(data, "PK\x05\x06", 4) == 0))
		return PGD_DOC_DOCX;
	if (strcasecmp(ext, "docx") == 0)
		return PGD_DOC_DOCX;
	if (strcasecmp(ext, "html") == 0 || strcasecmp(ext, "htm") == 0 ||
	    strcasecmp(ext, "shtml") == 0 || strcasecmp(ext, "xhtml") == 0)
		return PGD_DOC_HTML;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
		i++;
	if (len - i >= 14 && strncasecmp(data + i, "<!doctype html", 14) == 0)
		return PGD_DOC_HTML;
	if (len - i >= 5 && strncasecmp(data + i, "<html", 5) == 0)
		return PGD_DOC_HTML;
	if (len - i >= 5 && strncmp(data + i, "<?xml", 5) == 0 &&
	    has_ci(data + i, len - i, "<html", 4096))
		return PGD_DOC_HTML;
	if (has_ci(data, len, "<body", 1 << 16) || has_ci(data, len, "<p>", 1 << 16) ||
	    has_ci(data, len, "<div", 1 << 16))
		return PGD_DOC_HTML;
	return PGD_DOC_TEXT;
}

int pgd_doc_parse(const char *name, const void *data, size_t len, enum pgd_doc_format fmt,
                  struct pgd_doc *doc, struct pgd_err *err)
{
	int rc;
	const char *kind;

	pgd_doc_init(doc);
	if (name == NULL)
		name = "-";
	doc->name = pgd_strdup(name);
	if (data == NULL)
		data = "";
	if (fmt == PGD_DOC_AUTO) {
		fmt = sniff(name, data, len);
		if (fmt != PGD_DOC_DOCX && (kind = binary_kind(data, len)) != NULL) {
			rc = pgd_err_set(err, PGD_ERR_FORMAT, name,
			                 "不是文本、HTML 或 Word 文档：这是%s", kind);
			goto out;
		}
	}
	doc->format = fmt;
	switch (fmt) {
	case PGD_DOC_DOCX:
		rc = pgd_docx_parse(doc, data, len, err);
		break;
	case PGD_DOC_HTML:
		rc = pgd_html_parse(doc, data, len, err);
		break;
	case PGD_DOC_TEXT:
		rc = pgd_text_parse(doc, data, len, err);
		break;
	default:
		rc = pgd_err_set(err, PGD_ERR_INVALID, name, "未知的文档格式 %d", (int)fmt);
		break;
	}
out:
	if (rc < 0) {
		pgd_doc_release(doc);
		doc->name = pgd_strdup(name);
		doc->text = pgd_strdup("");
	} else if (doc->text == NULL) {
		doc->text = pgd_strdup("");
		doc->len = 0;
	}
	return rc;
}

/* ---- loading ---- */

/* Chinese for the errors a user meets when opening a file. */
static const char *errno_text(int e)
{
	switch (e) {
	case ENOENT:
		return "文件不存在";
	case EACCES:
	case EPERM:
		return "没有读取权限";
	case EISDIR:
		return "这是一个目录";
	case ENOTDIR:
		return "路径中有一部分不是目录";
	case ELOOP:
		return "符号链接层数过多";
	case ENAMETOOLONG:
		return "文件名过长";
	case EMFILE:
	case ENFILE:
		return "打开的文件过多";
	default:
		return "读写错误";
	}
}

/* "N MB" (or KB / bytes for small caps) into out. */
static const char *size_text(size_t n, char *out, size_t outlen)
{
	if (n >= ((size_t)1 << 20))
		snprintf(out, outlen, "%zu MB", n >> 20);
	else if (n >= 1024)
		snprintf(out, outlen, "%zu KB", n >> 10);
	else
		snprintf(out, outlen, "%zu 字节", n);
	return out;
}

static int too_large(struct pgd_err *err, const char *name, size_t max)
{
	char sz[32];
	return pgd_err_set(err, PGD_ERR_TOO_LARGE, name, "文件过大（超过 %s）",
	                   size_text(max, sz, sizeof(sz)));
}

static int read_capped(int fd, const char *name, size_t hint, size_t max, char **out,
                       size_t *out_len, struct pgd_err *err)
{
	size_t cap = hint < max ? hint + 1 : max + 1;
	size_t len = 0;
	char *p;
	int rc = 0;

	if (cap < 4096)
		cap = 4096;
	if (cap > max + 1)
		cap = max + 1;
	p = pgd_malloc(cap + 1);
	for (;;) {
		ssize_t n;
		if (len == cap) {
			if (cap > max) {
				rc = too_large(err, name, max);
				goto out;
			}
			cap = cap > max / 2 ? max + 1 : cap * 2;
			p = pgd_realloc(p, cap + 1);
		}
		n = read(fd, p + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			rc = pgd_err_set(err, PGD_ERR_IO, name, "读取失败：%s（%s）",
			                 e == EISDIR ? "这是一个目录" : "读写错误", strerror(e));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		rc = too_large(err, name, max);
		goto out;
	}
	p[len] = '\0';
	*out = p;
	*out_len = len;
	p = NULL;
out:
	free(p);
	return rc;
}

int pgd_doc_read_file(const char *path, size_t max_bytes, char **out, size_t *out_len, struct pgd_err *err)
{
	int fd = -1;
	char *data = NULL;
	size_t len = 0;
	struct stat st;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (max_bytes == 0)
		max_bytes = PGD_DOC_MAX_BYTES;
	if (strcmp(path, "-") == 0) {
		rc = read_capped(STDIN_FILENO, path, 1 << 16, max_bytes, &data, &len, err);
		if (rc < 0)
			goto out;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			int e = errno;
			rc = pgd_err_set(err, PGD_ERR_IO, path, "无法打开文件：%s（%s）",
			                 errno_text(e), strerror(e));
			goto out;
		}
		/* opened non-blocking so a FIFO without writer cannot hang us; read blocking */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		if (fstat(fd, &st) < 0) {
			rc = pgd_err_set(err, PGD_ERR_IO, path, "无法读取文件信息：%s",
			                 strerror(errno));
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = pgd_err_set(err, PGD_ERR_IO, path, "这是一个目录，不是文件");
			goto out;
		}
		if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max_bytes) {
			rc = too_large(err, path, max_bytes);
			goto out;
		}
		rc = read_capped(fd, path, S_ISREG(st.st_mode) ? (size_t)st.st_size : 1 << 16,
		                 max_bytes, &data, &len, err);
		if (rc < 0)
			goto out;
	}
	*out = data;
	*out_len = len;
	data = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(data);
	return rc;
}

int pgd_doc_load(const char *path, enum pgd_doc_format fmt, size_t max_bytes, struct pgd_doc *doc,
                 struct pgd_err *err)
{
	char *data = NULL;
	size_t len = 0;
	int rc;

	pgd_doc_init(doc);
	rc = pgd_doc_read_file(path, max_bytes, &data, &len, err);
	if (rc == 0)
		rc = pgd_doc_parse(path, data, len, fmt, doc, err);
	free(data);
	if (rc < 0 && doc->name == NULL) {
		doc->name = pgd_strdup(path);
		doc->text = pgd_strdup("");
	}
	return rc;
}
