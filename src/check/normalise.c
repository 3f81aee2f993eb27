/* Normalisation for evasion-resistant matching: one flat table, one pass. See normalise.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opencc/opencc.h>

#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "check/normalise.h"
#include "core/banned.h"

#define OPENCC_DEFAULT_DIR "/usr/share/opencc"

/* Decode one character at u[0..rem) (rem > 0). Returns its length, or 0 for an invalid byte
 * (the caller treats it as a one-byte boundary). Code points above the BMP that are
 * decoration (emoji, variation selectors, tags) come back as PGD_NM_SPACE via *v. */
static inline unsigned nm_decode(const struct pgd_charmap *cm, const unsigned char *u,
				 size_t rem, uint32_t *v)
{
	uint32_t cp;
	unsigned char b = u[0];

	if (b < 0x80) {
		*v = cm->map[b];
		return 1;
	}
	if (b >= 0xE0 && b < 0xF0 && rem >= 3 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
		cp = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
		if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		*v = cm->map[cp];
		return 3;
	}
	int n = pgd_utf8_decode((const char *)u, rem, &cp);
	if (n <= 0)
		return 0;
	if (cp < PGD_CHARMAP_SIZE)
		*v = cm->map[cp];
	else if ((cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0xE0000 && cp <= 0xE01EF))
		*v = PGD_NM_SPACE;
	else
		*v = cp;
	return (unsigned)n;
}

/* Normalise one character at u that the hot loops do not take (2- or 4-byte, invalid, or
 * the tail) into w at *o; returns the input bytes consumed. An invalid byte is a boundary. */
static inline size_t nm_slow_char(const struct pgd_charmap *cm, const unsigned char *u,
				  size_t len, unsigned char *w, size_t *o)
{
	uint32_t v;
	unsigned n = nm_decode(cm, u, len, &v);

	if (n == 0) {
		w[(*o)++] = '\n';
		return 1;
	}
	if (v > PGD_NM_BOUNDARY)
		*o += (size_t)pgd_utf8_encode(v, (char *)w + *o);
	else if (v == PGD_NM_BOUNDARY)
		w[(*o)++] = '\n';
	return n;
}

size_t pgd_normalise(const struct pgd_charmap *cm, const char *s, size_t len, char *out,
		     struct pgd_nm_ckpt *ckpt, size_t *nckpt)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char *w = (unsigned char *)out;
	const uint16_t *map = cm->map;
	size_t i = 0, o = 0, k = 0, next_ck = 0;
	size_t fast_end = len >= 4 ? len - 3 : 0; /* the hot loop needs 4 bytes left */
	uint32_t v;

	while (i < len) {
		if (o >= next_ck) {
			ckpt[k].i = (uint32_t)i;
			ckpt[k].o = (uint32_t)o;
			k++;
			next_ck = k << PGD_NM_CKPT_SHIFT;
		}
		/* hot loop: ASCII and three-byte characters (CJK), 4 bytes left at least */
		while (o < next_ck && i < fast_end) {
			uint32_t b0 = u[i];
			if (b0 < 0x80) {
				v = map[b0];
				if (v > PGD_NM_BOUNDARY)
					w[o++] = (unsigned char)v;
				else if (v == PGD_NM_BOUNDARY)
					w[o++] = '\n';
				i++;
				continue;
			}
			/* lead 1110xxxx and two 10xxxxxx continuations, in one test */
			uint32_t b1 = u[i + 1], b2 = u[i + 2];
			uint32_t x = b0 | (b1 << 8) | (b2 << 16);
			if ((x & 0xC0C0F0u) != 0x8080E0u)
				break;
			uint32_t cp = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
			if (cp < 0x800)
				break;
			v = map[cp];
			if (v == cp) {
				/* unchanged: copy 4 bytes (o <= i, so o + 4 <= len); the 4th is
				 * overwritten next */
				memcpy(w + o, u + i, 4);
				o += 3;
			} else if (v > PGD_NM_BOUNDARY) {
				o += (size_t)pgd_utf8_encode(v, (char *)w + o);
			} else if (v == PGD_NM_BOUNDARY) {
				w[o++] = '\n';
			}
			i += 3;
		}
		if (i >= len || o >= next_ck)
			continue; /* done, or at the next checkpoint */
		/* one character the hot loop does not take: 2- or 4-byte, invalid, or the tail */
		i += nm_slow_char(cm, u + i, len - i, w, &o);
	}
	if (k == 0) {
		ckpt[0].i = 0;
		ckpt[0].o = 0;
		k = 1;
	}
	*nckpt = k;
	return o;
}

struct pgd_nm_enc *pgd_nm_enc_build(const struct pgd_charmap *cm)
{
	struct pgd_nm_enc *t = pgd_malloc(sizeof(*t));
	for (uint32_t c = 0; c < PGD_CHARMAP_SIZE; c++) {
		uint32_t v = cm->map[c];
		char b[4] = { 0, 0, 0, 0 };
		int n;
		if (v == PGD_NM_BOUNDARY) {
			b[0] = '\n';
			n = 1;
		} else if (v < PGD_NM_BOUNDARY) {
			n = 0;
		} else {
			n = pgd_utf8_encode(v, b);
		}
		t->enc[c] = (uint32_t)(unsigned char)b[0] | ((uint32_t)(unsigned char)b[1] << 8) |
			    ((uint32_t)(unsigned char)b[2] << 16) | ((uint32_t)n << 24);
	}
	return t;
}

size_t pgd_normalise_fast(const struct pgd_charmap *cm, const struct pgd_nm_enc *enc,
			  const char *s, size_t len, char *out, struct pgd_nm_ckpt *ckpt,
			  size_t *nckpt)
{
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	(void)enc;
	return pgd_normalise(cm, s, len, out, ckpt, nckpt); /* the table is little-endian */
#endif
	const unsigned char *u = (const unsigned char *)s;
	unsigned char *w = (unsigned char *)out;
	const uint32_t *tab = enc->enc;
	size_t i = 0, o = 0, k = 0, next_ck = 0;
	size_t fast_end = len >= 4 ? len - 3 : 0;

	while (i < len) {
		if (o >= next_ck) {
			ckpt[k].i = (uint32_t)i;
			ckpt[k].o = (uint32_t)o;
			k++;
			next_ck = k << PGD_NM_CKPT_SHIFT;
		}
		/* branch-light hot loop: one table entry gives the bytes to write and how many;
		 * a 4-byte store is safe because o <= i and i + 4 <= len */
		while (o < next_ck && i < fast_end) {
			uint32_t b0 = u[i], e;
			if (b0 < 0x80) {
				e = tab[b0];
				i++;
			} else {
				uint32_t x = b0 | ((uint32_t)u[i + 1] << 8) | ((uint32_t)u[i + 2] << 16);
				if ((x & 0xC0C0F0u) != 0x8080E0u)
					break;
				uint32_t cp = ((b0 & 0x0F) << 12) | ((x >> 2) & 0x0FC0) |
					      ((x >> 16) & 0x3F);
				if (cp < 0x800)
					break;
				e = tab[cp];
				i += 3;
			}
			memcpy(w + o, &e, 4);
			o += e >> 24;
		}
		if (i >= len || o >= next_ck)
			continue;
		/* one character the hot loop does not take: 2- or 4-byte, invalid, or the tail */
		i += nm_slow_char(cm, u + i, len - i, w, &o);
	}
	if (k == 0) {
		ckpt[0].i = 0;
		ckpt[0].o = 0;
		k = 1;
	}
	*nckpt = k;
	return o;
}

void pgd_nm_iter_seek(struct pgd_nm_iter *it, const struct pgd_charmap *cm, const char *s,
		      size_t len, const struct pgd_nm_ckpt *ckpt, size_t nckpt, size_t norm_pos)
{
	size_t k = norm_pos >> PGD_NM_CKPT_SHIFT;
	struct pgd_nm_char c;

	if (k >= nckpt)
		k = nckpt - 1;
	while (k > 0 && ckpt[k].o > norm_pos)
		k--;
	it->cm = cm;
	it->s = s;
	it->len = len;
	it->i = ckpt[k].i;
	it->o = ckpt[k].o;
	for (;;) {
		size_t si = it->i, so = it->o;
		if (!pgd_nm_iter_next(it, &c) || c.norm + c.norm_len > norm_pos) {
			it->i = si;
			it->o = so;
			return;
		}
	}
}

int pgd_nm_iter_next(struct pgd_nm_iter *it, struct pgd_nm_char *c)
{
	const unsigned char *u = (const unsigned char *)it->s;
	unsigned dropped = 0;
	uint32_t v;

	while (it->i < it->len) {
		size_t i0 = it->i;
		unsigned n = nm_decode(it->cm, u + i0, it->len - i0, &v);
		if (n == 0) {
			n = 1;
			v = PGD_NM_BOUNDARY;
		}
		it->i += n;
		if (v == PGD_NM_SPACE || v == PGD_NM_PUNCT) {
			dropped |= 1u << v;
			continue;
		}
		c->orig = i0;
		c->orig_len = n;
		c->norm = it->o;
		if (v == PGD_NM_BOUNDARY) {
			c->cp = '\n';
			c->norm_len = 1;
		} else {
			c->cp = v;
			c->norm_len = v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4;
		}
		c->dropped = dropped;
		it->o += c->norm_len;
		return 1;
	}
	return 0;
}

char *pgd_normalise_phrase(const struct pgd_charmap *cm, const char *s, size_t len,
			   size_t *out_len)
{
	struct pgd_nm_ckpt *ck = pgd_calloc(PGD_NM_CKPT_ROOM(len), sizeof(*ck));
	char *out = pgd_malloc(len + 1);
	size_t nck, n;

	n = pgd_normalise(cm, s, len, out, ck, &nck);
	free(ck);
	out[n] = '\0';
	if (memchr(out, '\n', n) != NULL) {
		free(out);
		return NULL;
	}
	*out_len = n;
	return out;
}

/* ---- building the table ---- */

static void set_range(struct pgd_charmap *cm, uint32_t lo, uint32_t hi, uint16_t v)
{
	for (uint32_t c = lo; c <= hi; c++)
		cm->map[c] = v;
}

static void set_chars(struct pgd_charmap *cm, const char *utf8, uint16_t v)
{
	size_t len = strlen(utf8), i = 0;
	uint32_t cp;
	while (i < len) {
		int n = pgd_utf8_decode(utf8 + i, len - i, &cp);
		if (n <= 0)
			break;
		if (cp < PGD_CHARMAP_SIZE)
			cm->map[cp] = v;
		i += (size_t)n;
	}
}

static void build_static(struct pgd_charmap *cm)
{
	for (uint32_t c = 0; c < PGD_CHARMAP_SIZE; c++)
		cm->map[c] = (uint16_t)c;
	/* surrogates never decode; keep them harmless */
	set_range(cm, 0xD800, 0xDFFF, PGD_NM_BOUNDARY);

	/* ASCII */
	set_range(cm, 0x00, 0x1F, PGD_NM_SPACE);
	cm->map[0] = PGD_NM_BOUNDARY;
	set_chars(cm, "\n\r\v\f", PGD_NM_BOUNDARY);
	cm->map[0x7F] = PGD_NM_SPACE;
	for (uint32_t c = 'A'; c <= 'Z'; c++)
		cm->map[c] = (uint16_t)(c + 32);
	set_chars(cm, " *_~^`|#@$%&+=<>\\.-/", PGD_NM_SPACE);
	set_chars(cm, ",:'\"()[]{}", PGD_NM_PUNCT);
	set_chars(cm, "!?;", PGD_NM_BOUNDARY);

	/* Latin-1 and spacing modifiers: controls, spaces and symbols are invisible */
	set_range(cm, 0x80, 0x9F, PGD_NM_SPACE);
	cm->map[0x85] = PGD_NM_BOUNDARY;
	set_range(cm, 0xA0, 0xBF, PGD_NM_SPACE);
	cm->map[0xD7] = PGD_NM_SPACE;
	cm->map[0xF7] = PGD_NM_SPACE;
	set_range(cm, 0x2B0, 0x2FF, PGD_NM_SPACE);
	set_range(cm, 0x300, 0x36F, PGD_NM_SPACE); /* combining marks */

	/* general punctuation: spaces, zero-width, dashes, quotes, bullets, ※ */
	set_range(cm, 0x2000, 0x200F, PGD_NM_SPACE);
	set_range(cm, 0x2010, 0x2027, PGD_NM_PUNCT);
	set_chars(cm, "‐‑‒–•‣․‧", PGD_NM_SPACE);
	set_chars(cm, "\u2028\u2029", PGD_NM_BOUNDARY);
	set_range(cm, 0x202A, 0x206F, PGD_NM_SPACE);
	set_chars(cm, "‼⁇⁈⁉", PGD_NM_BOUNDARY);
	cm->map[0x1680] = PGD_NM_SPACE;
	cm->map[0x180E] = PGD_NM_SPACE;
	cm->map[0x034F] = PGD_NM_SPACE;

	/* symbols: arrows, maths, technical, enclosed, box drawing, shapes, dingbats */
	set_range(cm, 0x2190, 0x23FF, PGD_NM_SPACE);
	set_range(cm, 0x2500, 0x27BF, PGD_NM_SPACE);
	set_range(cm, 0x2900, 0x2BFF, PGD_NM_SPACE);

	/* CJK symbols and punctuation */
	set_chars(cm, "\u3000", PGD_NM_SPACE);
	set_chars(cm, "、〈〉《》「」『』【】〔〕〖〗〘〙〚〛〝〞〟〃", PGD_NM_PUNCT);
	set_chars(cm, "。", PGD_NM_BOUNDARY);
	set_chars(cm, "〜〰・", PGD_NM_SPACE);
	set_range(cm, 0xFE00, 0xFE0F, PGD_NM_SPACE); /* variation selectors */
	set_range(cm, 0xFE10, 0xFE19, PGD_NM_PUNCT);
	set_chars(cm, "︒︕︖", PGD_NM_BOUNDARY);
	set_range(cm, 0xFE30, 0xFE4F, PGD_NM_PUNCT);
	set_range(cm, 0xFE50, 0xFE6B, PGD_NM_PUNCT);
	set_chars(cm, "﹒﹔﹖﹗", PGD_NM_BOUNDARY);
	set_chars(cm, "﹡﹢﹣﹤﹥﹦﹨﹩﹪﹫", PGD_NM_SPACE);
	cm->map[0xFEFF] = PGD_NM_SPACE;
	set_range(cm, 0xFFF0, 0xFFFF, PGD_NM_SPACE);

	/* full-width ASCII behaves as ASCII */
	for (uint32_t c = 0xFF01; c <= 0xFF5E; c++)
		cm->map[c] = cm->map[c - 0xFEE0];
	set_chars(cm, "｟｠｢｣､", PGD_NM_PUNCT);
	set_chars(cm, "｡", PGD_NM_BOUNDARY);
	set_chars(cm, "･", PGD_NM_SPACE);
	set_range(cm, 0xFFE0, 0xFFEE, PGD_NM_SPACE); /* ￠￡￢￣￤￥￦ and friends */
}

static int in_cjk(uint32_t c)
{
	return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
	       (c >= 0xF900 && c <= 0xFAFF);
}

/* Traditional -> simplified, one character at a time: all CJK code points in one
 * newline-separated string through OpenCC; keep only one-to-one results. */
static int build_t2s(struct pgd_charmap *cm, const char *opencc_dir, struct pgd_err *err)
{
	char cfg[1024];
	opencc_t oc;
	char *in = NULL, *res = NULL;
	size_t n = 0, cap = 0x10000u * 4u;
	int rc = 0;

	snprintf(cfg, sizeof(cfg), "%s/t2s.json", opencc_dir ? opencc_dir : OPENCC_DEFAULT_DIR);
	oc = opencc_open(cfg);
	if (oc == (opencc_t)-1)
		return pgd_err_set(err, PGD_ERR_RULES, cfg,
				   "无法加载繁简转换表 %s（OpenCC）：%s", cfg, opencc_error());
	in = pgd_malloc(cap + 1);
	for (uint32_t c = 0x3400; c < PGD_CHARMAP_SIZE; c++) {
		if (!in_cjk(c))
			continue;
		n += (size_t)pgd_utf8_encode(c, in + n);
		in[n++] = '\n';
	}
	in[n] = '\0';
	res = opencc_convert_utf8(oc, in, n);
	if (res == NULL) {
		rc = pgd_err_set(err, PGD_ERR_RULES, cfg, "繁简转换失败（OpenCC）：%s",
				 opencc_error());
		goto out;
	}
	/* walk input and output line by line in step */
	const char *p = res;
	for (uint32_t c = 0x3400; c < PGD_CHARMAP_SIZE && *p; c++) {
		if (!in_cjk(c))
			continue;
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);
		uint32_t cp;
		int k = pgd_utf8_decode(p, ll, &cp);
		if (k > 0 && (size_t)k == ll && cp != c && cp >= 0x800 && cp < PGD_CHARMAP_SIZE &&
		    in_cjk(cp))
			cm->map[c] = (uint16_t)cp;
		if (!nl)
			break;
		p = nl + 1;
	}
out:
	if (res)
		opencc_convert_utf8_free(res);
	free(in);
	opencc_close(oc);
	return rc;
}

int pgd_charmap_build(const char *opencc_dir, struct pgd_charmap **out, struct pgd_err *err)
{
	struct pgd_charmap *cm = pgd_malloc(sizeof(*cm));
	int rc;

	*out = NULL;
	build_static(cm);
	rc = build_t2s(cm, opencc_dir, err);
	if (rc < 0) {
		free(cm);
		return rc;
	}
	*out = cm;
	return 0;
}
