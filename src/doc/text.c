/* Charset decoding (BOM, hint, detection with uchardet, conversion with iconv) and the
 * plain-text reader. The only uchardet / iconv user. */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <uchardet.h>

#include "pubguard/doc.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "doc/internal.h"
#include "core/banned.h"

/* uchardet sees at most this much: enough to decide, cheap on 100 MB files. */
#define DETECT_MAX ((size_t)1 << 20)

struct utf8_stats {
	size_t first_bad; /* offset of the first invalid sequence, (size_t)-1 when none */
	size_t nbad;      /* invalid sequences */
	size_t nmulti;    /* valid multi-byte sequences */
	size_t nctrl;     /* C0 control bytes other than \t \n \v \f \r ESC and SUB */
	size_t first_nul; /* offset of the first NUL, (size_t)-1 when none */
};

static int is_ctrl(unsigned char c)
{
	return c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r' &&
	       c != 0x1B && c != 0x1A;
}

/* One pass over s: UTF-8 validity and binary signs. Bytes >= 0x80 that are not valid UTF-8
 * are counted in nbad (one per byte). */
static void utf8_scan(const unsigned char *s, size_t len, struct utf8_stats *st)
{
	size_t i = 0;

	memset(st, 0, sizeof(*st));
	st->first_bad = st->first_nul = (size_t)-1;
	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			/* 8 printable ASCII bytes at a time */
			if (i + 8 <= len) {
				uint64_t x;
				memcpy(&x, s + i, 8);
				if ((x & 0x8080808080808080ULL) == 0 &&
				    ((x - 0x2020202020202020ULL) & ~x & 0x8080808080808080ULL) ==
				        0) {
					i += 8;
					continue;
				}
			}
			if (c < 0x20) {
				if (c == 0 && st->first_nul == (size_t)-1)
					st->first_nul = i;
				if (is_ctrl(c))
					st->nctrl++;
			}
			i++;
			continue;
		}
		{
			size_t n;
			uint32_t cp;
			if (c >= 0xC2 && c <= 0xDF) {
				n = 2;
				cp = c & 0x1F;
			} else if (c >= 0xE0 && c <= 0xEF) {
				n = 3;
				cp = c & 0x0F;
			} else if (c >= 0xF0 && c <= 0xF4) {
				n = 4;
				cp = c & 0x07;
			} else {
				goto bad;
			}
			if (i + n > len)
				goto bad;
			for (size_t k = 1; k < n; k++) {
				if ((s[i + k] & 0xC0) != 0x80)
					goto bad;
				cp = (cp << 6) | (s[i + k] & 0x3F);
			}
			if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
			    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
				goto bad;
			st->nmulti++;
			i += n;
			continue;
		}
	bad:
		if (st->first_bad == (size_t)-1)
			st->first_bad = i;
		st->nbad++;
		i++;
	}
}

/* Canonical iconv name for a declared or detected charset ("" when unusable). GBK and
 * GB2312 are decoded as GB18030, their superset. */
static void canon_charset(const char *in, char out[32])
{
	char low[32];
	size_t n = 0;

	for (; in && *in && n < sizeof(low) - 1; in++) {
		char c = *in;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == '"' || c == '\'' || c == ' ' || c == ';')
			break;
		low[n++] = c;
	}
	low[n] = '\0';
	if (strcmp(low, "utf-8") == 0 || strcmp(low, "utf8") == 0 || strcmp(low, "ascii") == 0 ||
	    strcmp(low, "us-ascii") == 0 || strcmp(low, "unicode-1-1-utf-8") == 0)
		snprintf(out, 32, "UTF-8");
	else if (strcmp(low, "gb2312") == 0 || strcmp(low, "gbk") == 0 ||
	         strcmp(low, "gb18030") == 0 || strcmp(low, "x-gbk") == 0 ||
	         strcmp(low, "cp936") == 0 || strcmp(low, "gb_2312-80") == 0 ||
	         strcmp(low, "csgb2312") == 0 || strcmp(low, "euc-cn") == 0 ||
	         strcmp(low, "windows-936") == 0 || strcmp(low, "x-euc-cn") == 0)
		snprintf(out, 32, "GB18030");
	else if (strcmp(low, "big5") == 0 || strcmp(low, "big5-hkscs") == 0 ||
	         strcmp(low, "x-x-big5") == 0 || strcmp(low, "cp950") == 0)
		snprintf(out, 32, "BIG5-HKSCS");
	else if (strcmp(low, "utf-16") == 0 || strcmp(low, "unicode") == 0)
		snprintf(out, 32, "UTF-16");
	else if (strcmp(low, "utf-16le") == 0)
		snprintf(out, 32, "UTF-16LE");
	else if (strcmp(low, "utf-16be") == 0)
		snprintf(out, 32, "UTF-16BE");
	else if (n > 0)
		snprintf(out, 32, "%s", low);
	else
		out[0] = '\0';
}

static int ascii_compatible(const char *cs)
{
	return strncasecmp(cs, "UTF-16", 6) != 0 && strncasecmp(cs, "UTF-32", 6) != 0 &&
	       strncasecmp(cs, "UCS", 3) != 0;
}

/* 1-based line of byte offset off in an ASCII-compatible encoding. */
static size_t line_of(const char *d, size_t off)
{
	size_t line = 1;
	const char *p = d, *end = d + off;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p++;
	}
	return line;
}

/* Convert with iconv, strictly: any undecodable byte is an error naming its offset. */
static int convert(const char *name, const char *cs, const char *data, size_t len, size_t base,
                   const char *orig, char **out, size_t *out_len, struct pgd_err *err)
{
	iconv_t cd;
	char *buf = NULL, *in = (char *)data, *o;
	size_t inleft = len, cap, oleft;
	int rc = 0;

	cd = iconv_open("UTF-8", cs);
	if (cd == (iconv_t)-1)
		return pgd_err_set(err, PGD_ERR_ENCODING, name, "不支持的字符编码 %s", cs);
	cap = len + len / 2 + 64;
	buf = pgd_malloc(cap + 1);
	o = buf;
	oleft = cap;
	while (inleft > 0) {
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			size_t used = (size_t)(o - buf);
			cap = cap * 2 + 64;
			buf = pgd_realloc(buf, cap + 1);
			o = buf + used;
			oleft = cap - used;
			continue;
		}
		{
			size_t at = base + (size_t)(in - data);
			unsigned char b = (unsigned char)orig[at];
			if (errno == EINVAL)
				rc = pgd_err_set(
				    err, PGD_ERR_ENCODING, name,
				    "文本在结尾处被截断：偏移 %zu 起的字节不是完整的 %s 字符", at,
				    cs);
			else if (ascii_compatible(cs))
				rc = pgd_err_set(
				    err, PGD_ERR_ENCODING, name,
				    "无法按 %s 解码：第 %zu 行、偏移 %zu 处的字节 0x%02X "
				    "不是有效字符",
				    cs, line_of(orig, at), at, b);
			else
				rc = pgd_err_set(
				    err, PGD_ERR_ENCODING, name,
				    "无法按 %s 解码：偏移 %zu 处的字节 0x%02X 不是有效字符", cs, at,
				    b);
			goto out;
		}
	}
	/* flush the shift state (stateful encodings) */
	if (iconv(cd, NULL, NULL, &o, &oleft) == (size_t)-1 && errno == E2BIG) {
		size_t used = (size_t)(o - buf);
		cap += 64;
		buf = pgd_realloc(buf, cap + 1);
		o = buf + used;
		oleft = cap - used;
		iconv(cd, NULL, NULL, &o, &oleft);
	}
	*out_len = (size_t)(o - buf);
	buf[*out_len] = '\0';
	*out = buf;
	buf = NULL;
out:
	free(buf);
	iconv_close(cd);
	return rc;
}

/* UTF-16 without a BOM: ASCII characters leave NUL bytes on one side only. */
static const char *guess_utf16(const unsigned char *d, size_t len)
{
	size_t ze = 0, zo = 0, half = len / 2;
	size_t n = len > DETECT_MAX ? DETECT_MAX : len;
	if (len < 4 || len % 2)
		return NULL;
	n -= n % 2;
	half = n / 2;
	for (size_t i = 0; i < n; i += 2) {
		ze += d[i] == 0;
		zo += d[i + 1] == 0;
	}
	if (zo * 5 >= half && ze * 20 <= zo)
		return "UTF-16LE";
	if (ze * 5 >= half && zo * 20 <= ze)
		return "UTF-16BE";
	return NULL;
}

static void detect(const char *data, size_t len, char out[32])
{
	uchardet_t ud = uchardet_new();
	const char *cs;
	out[0] = '\0';
	if (ud == NULL)
		return;
	if (uchardet_handle_data(ud, data, len > DETECT_MAX ? DETECT_MAX : len) == 0) {
		uchardet_data_end(ud);
		cs = uchardet_get_charset(ud);
		if (cs && *cs)
			canon_charset(cs, out);
	}
	uchardet_delete(ud);
}

static int cjk_or_unicode(const char *cs)
{
	static const char *const p[] = {"GB",   "BIG5", "EUC", "ISO-2022", "SHIFT",
	                                "SJIS", "UTF",  "UCS", "HZ"};
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (strncasecmp(cs, p[i], strlen(p[i])) == 0)
			return 1;
	return 0;
}

/* 1 when all of data is valid GB18030 (checked with iconv, output discarded). */
static int gb18030_clean(const char *data, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	char out[4096];
	char *in = (char *)data;
	size_t inleft = len;
	int ok = 1;

	if (cd == (iconv_t)-1)
		return 0;
	while (inleft > 0) {
		char *o = out;
		size_t oleft = sizeof(out);
		if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 && errno != E2BIG) {
			ok = 0;
			break;
		}
	}
	iconv_close(cd);
	return ok;
}

/* CRLF and lone CR become LF, in place; returns the new length. */
static size_t normalise_eol(char *s, size_t len)
{
	char *r = memchr(s, '\r', len), *w, *end = s + len;
	if (r == NULL)
		return len;
	w = r;
	while (r < end) {
		if (*r == '\r') {
			*w++ = '\n';
			r++;
			if (r < end && *r == '\n')
				r++;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static int binary_error(struct pgd_err *err, const char *name, size_t nul)
{
	if (nul != (size_t)-1)
		return pgd_err_set(err, PGD_ERR_FORMAT, name,
		                   "不是文本文件：偏移 %zu 处有 NUL 字节（二进制数据）", nul);
	return pgd_err_set(err, PGD_ERR_FORMAT, name,
	                   "不是文本文件：含有大量控制字符（二进制数据）");
}

/* Too many control characters for text? */
static int too_many_ctrl(size_t nctrl, size_t len)
{
	return nctrl > 0 && nctrl * 50 > len + 50;
}

int pgd_text_decode(const char *name, const void *data_, size_t len, const char *hint,
                    int normalise_newlines, char **out, size_t *out_len, char *charset_out,
                    struct pgd_err *err)
{
	const char *data = data_ ? data_ : "";
	const unsigned char *u = (const unsigned char *)data;
	char cs[32] = "", hcs[32] = "";
	size_t skip = 0;
	struct utf8_stats st;
	char *buf = NULL;
	size_t blen = 0;
	int rc = 0;

	if (name == NULL)
		name = "-";
	*out = NULL;
	if (out_len)
		*out_len = 0;
	/* 1. byte order mark */
	if (len >= 3 && memcmp(u, "\xEF\xBB\xBF", 3) == 0) {
		snprintf(cs, sizeof(cs), "UTF-8");
		skip = 3;
	} else if (len >= 4 && memcmp(u, "\xFF\xFE\x00\x00", 4) == 0) {
		snprintf(cs, sizeof(cs), "UTF-32LE");
		skip = 4;
	} else if (len >= 4 && memcmp(u, "\x00\x00\xFE\xFF", 4) == 0) {
		snprintf(cs, sizeof(cs), "UTF-32BE");
		skip = 4;
	} else if (len >= 2 && memcmp(u, "\xFF\xFE", 2) == 0) {
		snprintf(cs, sizeof(cs), "UTF-16LE");
		skip = 2;
	} else if (len >= 2 && memcmp(u, "\xFE\xFF", 2) == 0) {
		snprintf(cs, sizeof(cs), "UTF-16BE");
		skip = 2;
	} else if (len >= 4 && memcmp(u, "\x84\x31\x95\x33", 4) == 0) {
		snprintf(cs, sizeof(cs), "GB18030");
		skip = 4;
	}

	if (cs[0] == '\0' || strcmp(cs, "UTF-8") == 0) {
		utf8_scan(u + skip, len - skip, &st);
		if (st.first_nul != (size_t)-1 && cs[0] == '\0' && guess_utf16(u, len)) {
			snprintf(cs, sizeof(cs), "%s", guess_utf16(u, len));
		} else if (st.first_nul != (size_t)-1 || too_many_ctrl(st.nctrl, len)) {
			rc = binary_error(err, name,
			                  st.first_nul == (size_t)-1 ? st.first_nul
			                                             : st.first_nul + skip);
			goto out;
		} else if (st.nbad == 0) {
			snprintf(cs, sizeof(cs), "UTF-8");
		} else if (strcmp(cs, "UTF-8") == 0 || st.nmulti >= 4 * st.nbad) {
			/* UTF-8 with a few bad bytes: say where, do not guess another charset */
			size_t at = skip + st.first_bad;
			rc = pgd_err_set(err, PGD_ERR_ENCODING, name,
			                 "无法按 UTF-8 解码：第 %zu 行、偏移 %zu 处的字节 0x%02X "
			                 "不是有效字符",
			                 line_of(data, at), at, u[at]);
			goto out;
		} else {
			/* 2. declared charset, 3. detection */
			canon_charset(hint, hcs);
			if (hcs[0] && strcmp(hcs, "UTF-8") != 0)
				snprintf(cs, sizeof(cs), "%s", hcs);
			else
				detect(data, len, cs);
			if (cs[0] == '\0' || strcmp(cs, "UTF-8") == 0)
				snprintf(cs, sizeof(cs), "GB18030");
			else if (!hcs[0] && !cjk_or_unicode(cs) && gb18030_clean(data, len))
				/* a single-byte guess (windows-1252 ...) for bytes that are valid
				 * GB18030: short Chinese text misread by the detector */
				snprintf(cs, sizeof(cs), "GB18030");
		}
	}

	if (strcmp(cs, "UTF-8") == 0) {
		buf = pgd_malloc(len - skip + 1);
		memcpy(buf, data + skip, len - skip);
		blen = len - skip;
		buf[blen] = '\0';
	} else {
		rc = convert(name, cs, data + skip, len - skip, skip, data, &buf, &blen, err);
		if (rc < 0 && strcmp(cs, "GB18030") != 0 && ascii_compatible(cs) && skip == 0) {
			/* the detector's guess failed: Chinese text that is not UTF-8 is GB18030 */
			struct pgd_err e2;
			if (convert(name, "GB18030", data, len, 0, data, &buf, &blen, &e2) == 0) {
				snprintf(cs, sizeof(cs), "GB18030");
				rc = 0;
				pgd_err_clear(err);
			}
		}
		if (rc < 0)
			goto out;
		/* a BOM that the converter passed through is not content */
		if (blen >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
			memmove(buf, buf + 3, blen - 3 + 1);
			blen -= 3;
		}
		utf8_scan((const unsigned char *)buf, blen, &st);
		if (st.first_nul != (size_t)-1 || too_many_ctrl(st.nctrl, blen)) {
			rc = pgd_err_set(
			    err, PGD_ERR_FORMAT, name,
			    "不是文本文件：按 %s 解码后含有 NUL 或大量控制字符（二进制数据）", cs);
			goto out;
		}
	}
	if (normalise_newlines)
		blen = normalise_eol(buf, blen);
	*out = buf;
	buf = NULL;
	if (out_len)
		*out_len = blen;
	if (charset_out)
		snprintf(charset_out, 32, "%s", cs);
out:
	free(buf);
	return rc;
}

void pgd_text_build(struct pgd_doc *doc, char *text, size_t len)
{
	size_t pos = 0;
	unsigned line = 1;

	free(doc->text);
	doc->text = text;
	doc->len = len;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		if (end > pos) {
			pgd_doc_add_seg(doc, pos, end - pos, line, 1, PGD_SEG_BODY, -1);
			pgd_doc_add_anchor(doc, pos, line, 1);
			if (end - pos > PGD_DOC_ANCHOR_STEP) {
				/* long line: an anchor every step, at a character boundary */
				size_t p = pos, col = 1;
				size_t next = pos + PGD_DOC_ANCHOR_STEP;
				while (next < end) {
					while (next < end &&
					       ((unsigned char)text[next] & 0xC0) == 0x80)
						next++;
					if (next >= end)
						break;
					for (; p < next; p++)
						col += ((unsigned char)text[p] & 0xC0) != 0x80;
					pgd_doc_add_anchor(doc, next, line, (unsigned)col);
					next += PGD_DOC_ANCHOR_STEP;
				}
			}
		}
		pos = end + 1;
		line++;
	}
}

int pgd_text_parse(struct pgd_doc *doc, const char *data, size_t len, struct pgd_err *err)
{
	char *text = NULL;
	size_t tlen = 0;
	int rc;

	rc = pgd_text_decode(doc->name, data, len, NULL, 1, &text, &tlen, doc->charset, err);
	if (rc < 0)
		goto out;
	pgd_text_build(doc, text, tlen);
	text = NULL;
out:
	free(text);
	return rc;
}
