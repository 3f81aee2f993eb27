/* Context rules that keep false alarms down (data/context.tsv).
 *
 * Format: word<TAB>where<TAB>window<TAB>categories, '#' comments, and settings "@name<TAB>value".
 *   where:      comma-separated: before | after | intro | legit | title | sentence | promo
 *     before    the word ends at most `window` characters before the phrase, in the same
 *               sentence (打击…赌博, 严禁…, 原国土资源局 for the historical-name rule);
 *     after     the word starts at most `window` characters after the phrase, in the same
 *               sentence (…赌博等违法犯罪活动);
 *     intro     the phrase is in a list item ((一)…, 1.…, ①…) governed by an introducing line
 *               that ends with a colon and holds the word (凡有下列情形的信息不得发布：);
 *     legit     the word is a legitimate longer phrase: every lexicon phrase inside it gets it
 *               as an exception (平台独立 keeps 台独 quiet);
 *     title     the word is in the document's title (ArticleTitle meta, first heading, or a
 *               short first line that is followed by more text, holds no 。 and does not end
 *               with a colon): the categories are quiet in the whole document (news of a
 *               campaign against gambling), except in a sentence with a promo word;
 *     sentence  the word is anywhere in the same sentence, outside the phrase (网传……系谣言);
 *     promo     a promotional signal (加微信, 扫码, 下注 …): a sentence holding one is reported
 *               even under a title rule (an ad planted in anti-gambling news);
 *   window:     characters of normalised text (separators do not count); ignored for
 *               intro/legit/title/sentence/promo;
 *   categories: comma-separated ids; "prefix.*" matches a prefix, "*" every category.
 * Settings: @intro_lines N -- how many list lines an introducing line governs (default 40).
 * Sentences end at hard boundaries (line ends, 。！？；), so a window never crosses one. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/doc.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "check/lexicon.h"
#include "check/normalise.h"
#include "core/banned.h"

#define MAX_WINDOW 200
#define INTRO_LINE_MAX 1024 /* bytes of an introducing line that are examined (its end) */
#define LINE_SCAN_MAX 4096  /* a list item longer than this is not looked into */

static int parse_cats(struct pgd_lexb *b, char *s, uint64_t *out, const char *path,
		      size_t lineno, struct pgd_err *err)
{
	char *f[PGD_LEX_MAX_CATS + 1];
	size_t nf = pgd_lex_split(s, ',', f, PGD_LEX_MAX_CATS + 1);

	*out = 0;
	for (size_t i = 0; i < nf; i++) {
		size_t l = strlen(f[i]);
		if (l == 0)
			continue;
		if (strcmp(f[i], "*") == 0) {
			for (size_t c = 0; c < b->ncats; c++)
				*out |= 1ULL << c;
		} else if (l >= 2 && f[i][l - 1] == '*') {
			uint64_t m = 0;
			for (size_t c = 0; c < b->ncats; c++)
				if (strncmp(b->pool + b->cats[c].id, f[i], l - 1) == 0)
					m |= 1ULL << c;
			if (m == 0)
				return pgd_err_set(err, PGD_ERR_RULES, path,
						   "%s:%zu：没有以“%.*s”开头的类别", path, lineno,
						   (int)(l - 1), f[i]);
			*out |= m;
		} else {
			int c = pgd_lexb_cat_find(b, f[i], l);
			if (c < 0)
				return pgd_err_set(err, PGD_ERR_RULES, path,
						   "%s:%zu：未知类别“%s”（见 categories.tsv）", path,
						   lineno, f[i]);
			*out |= 1ULL << c;
		}
	}
	if (*out == 0)
		return pgd_err_set(err, PGD_ERR_RULES, path, "%s:%zu：缺少适用类别", path, lineno);
	return 0;
}

static int parse_where(char *s, uint32_t *out)
{
	char *f[8];
	size_t nf = pgd_lex_split(s, ',', f, 8);
	*out = 0;
	for (size_t i = 0; i < nf; i++) {
		if (strcmp(f[i], "before") == 0)
			*out |= PGD_CTX_BEFORE;
		else if (strcmp(f[i], "after") == 0)
			*out |= PGD_CTX_AFTER;
		else if (strcmp(f[i], "intro") == 0)
			*out |= PGD_CTX_INTRO;
		else if (strcmp(f[i], "legit") == 0)
			*out |= PGD_CTX_LEGIT;
		else if (strcmp(f[i], "title") == 0)
			*out |= PGD_CTX_TITLE;
		else if (strcmp(f[i], "sentence") == 0)
			*out |= PGD_CTX_SENTENCE;
		else if (strcmp(f[i], "promo") == 0)
			*out |= PGD_CTX_PROMO;
		else
			return -1;
	}
	return *out ? 0 : -1;
}

/* A legitimate phrase: every entry whose phrase occurs in it (and whose category is in
 * cats) gets it as an exception. */
static void add_legit(struct pgd_lexb *b, const char *w, size_t wl, uint64_t cats)
{
	uint32_t str = PGD_LEX_NONE;
	for (size_t i = 0; i < wl; i++) {
		if (((unsigned char)w[i] & 0xC0) == 0x80)
			continue;
		for (size_t j = i + 1; j <= wl; j++) {
			if (j < wl && ((unsigned char)w[j] & 0xC0) == 0x80)
				continue;
			long e = pgd_lexb_phrase_find(b, w + i, j - i);
			if (e < 0 || !(cats & (1ULL << b->entries[e].cat)))
				continue;
			if (str == PGD_LEX_NONE)
				str = pgd_lexb_str(b, w, wl);
			struct pgd_lexb_exc r;
			r.entry = (uint32_t)e;
			r.x.str = str;
			r.x.len = (uint32_t)wl;
			r.x.pos = (uint32_t)i;
			PGD_GROW(b->excs, b->nexcs + 1, b->excs_cap);
			b->excs[b->nexcs++] = r;
		}
	}
}

int pgd_context_parse(struct pgd_lexb *b, const char *path, const char *text, size_t len,
		      struct pgd_err *err)
{
	char *copy = pgd_strndup(text, len);
	struct pgd_lex_lines it = { copy, copy + len, 0 };
	char *line;
	int rc = 0;

	if (!pgd_utf8_valid(text, len)) {
		rc = pgd_err_set(err, PGD_ERR_ENCODING, path, "%s：不是有效的 UTF-8 文本", path);
		goto out;
	}
	while (rc == 0 && (line = pgd_lex_next_line(&it)) != NULL) {
		char *f[4], *end;
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '\r' || *p == '#')
			continue;
		size_t nf = pgd_lex_split(line, '\t', f, 4);
		if (f[0][0] == '@') {
			long v = nf >= 2 ? strtol(f[1], &end, 10) : -1;
			if (strcmp(f[0], "@intro_lines") != 0 || nf < 2 || *end || v < 0 || v > 1000)
				rc = pgd_err_set(err, PGD_ERR_RULES, path, "%s:%zu：无法识别的设置“%s”",
						 path, it.lineno, f[0]);
			else
				b->intro_lines = (uint32_t)v;
			continue;
		}
		struct pgd_ctx_rule r;
		memset(&r, 0, sizeof(r));
		if (nf < 4) {
			rc = pgd_err_set(err, PGD_ERR_RULES, path,
					 "%s:%zu：应为“词语<TAB>位置<TAB>窗口<TAB>类别”", path,
					 it.lineno);
			break;
		}
		if (parse_where(f[1], &r.where) < 0) {
			rc = pgd_err_set(err, PGD_ERR_RULES, path,
					 "%s:%zu：位置“%s”应为 before、after、intro、legit、title、"
					 "sentence 或 promo",
					 path,
					 it.lineno, f[1]);
			break;
		}
		long w = *f[2] ? strtol(f[2], &end, 10) : 0;
		if ((*f[2] && *end) || w < 0 || w > MAX_WINDOW) {
			rc = pgd_err_set(err, PGD_ERR_RULES, path, "%s:%zu：窗口“%s”应为 0 到 %d",
					 path, it.lineno, f[2], MAX_WINDOW);
			break;
		}
		r.window = (uint32_t)w;
		rc = parse_cats(b, f[3], &r.cats, path, it.lineno, err);
		if (rc < 0)
			break;
		size_t nl = 0;
		char *nw = pgd_normalise_phrase(b->cm, f[0], strlen(f[0]), &nl);
		if (nw == NULL || nl == 0) {
			free(nw);
			rc = pgd_err_set(err, PGD_ERR_RULES, path, "%s:%zu：词语“%s”无效或为空", path,
					 it.lineno, f[0]);
			break;
		}
		if (r.where & PGD_CTX_LEGIT)
			add_legit(b, nw, nl, r.cats);
		r.where &= ~(uint32_t)PGD_CTX_LEGIT;
		if (r.where) {
			r.word = pgd_lexb_str(b, nw, nl);
			r.len = (uint32_t)nl;
			PGD_GROW(b->ctx, b->nctx + 1, b->ctx_cap);
			b->ctx[b->nctx++] = r;
		}
		free(nw);
	}
out:
	free(copy);
	return rc;
}

/* ---- evaluation ---- */

static size_t nchars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static int find_in(const char *hay, size_t hl, const char *needle, size_t nl)
{
	if (nl == 0 || nl > hl)
		return 0;
	const char *p = hay, *last = hay + hl - nl;
	while (p <= last) {
		p = memchr(p, needle[0], (size_t)(last - p) + 1);
		if (p == NULL)
			return 0;
		if (memcmp(p, needle, nl) == 0)
			return 1;
		p++;
	}
	return 0;
}

/* Decode at s[i]; returns the length (1 for invalid bytes). */
static size_t cp_at(const char *s, size_t len, size_t i, uint32_t *cp)
{
	int n = pgd_utf8_decode(s + i, len - i, cp);
	return n > 0 ? (size_t)n : 1;
}

static int is_num_char(uint32_t c)
{
	switch (c) {
	case 0x4E00: case 0x4E8C: case 0x4E09: case 0x56DB: case 0x4E94: /* 一二三四五 */
	case 0x516D: case 0x4E03: case 0x516B: case 0x4E5D: case 0x5341: /* 六七八九十 */
	case 0x767E: case 0x96F6: case 0x3007:                           /* 百零〇 */
		return 1;
	}
	return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19);
}

/* 1 when line [a, b) starts with a list marker: (一) （1） 一、 1. 1、 1） ① ⑴ ⒈ */
static int is_list_item(const char *t, size_t a, size_t b)
{
	uint32_t c;
	size_t i = a, k;
	int open = 0, digits = 0;

	while (i < b) {
		k = cp_at(t, b, i, &c);
		if (c != ' ' && c != '\t' && c != 0x3000)
			break;
		i += k;
	}
	if (i >= b)
		return 0;
	k = cp_at(t, b, i, &c);
	if (c >= 0x2460 && c <= 0x249B)
		return 1;
	if (c == '(' || c == 0xFF08) {
		open = 1;
		i += k;
	}
	while (i < b && digits < 5) {
		k = cp_at(t, b, i, &c);
		if (!is_num_char(c))
			break;
		digits++;
		i += k;
	}
	if (digits == 0 || i >= b)
		return 0;
	cp_at(t, b, i, &c);
	if (open)
		return c == ')' || c == 0xFF09;
	return c == 0x3001 || c == '.' || c == 0xFF0E || c == ')' || c == 0xFF09;
}

static int ends_with_colon(const char *t, size_t a, size_t b)
{
	while (b > a && (t[b - 1] == ' ' || t[b - 1] == '\t' || t[b - 1] == '\r'))
		b--;
	if (b > a && t[b - 1] == ':')
		return 1;
	return b >= a + 3 && memcmp(t + b - 3, "：", 3) == 0;
}

/* The phrase at doc_text[orig_s] is in a list item whose introducing line (ending with a
 * colon) holds an intro word for bit. */
static int intro_opposed(const struct pgd_lexicon *lex, uint64_t bit, const char *t,
			 size_t tlen, size_t orig_s, struct pgd_ctx_line *line)
{
	size_t ls, le;
	unsigned lines = 0;

	if (line->valid && orig_s >= line->ls && orig_s <= line->le) {
		if (!line->item)
			return 0;
		ls = line->ls;
	} else {
		const char *nl = memchr(t + orig_s, '\n', tlen - orig_s);
		le = nl ? (size_t)(nl - t) : tlen;
		if (line->valid && orig_s > line->le && orig_s - line->le <= LINE_SCAN_MAX) {
			/* matches come in text order: the line starts after the last one ended */
			ls = line->le + 1;
			while ((nl = memchr(t + ls, '\n', orig_s - ls)) != NULL)
				ls = (size_t)(nl - t) + 1;
		} else {
			ls = orig_s;
			while (ls > 0 && t[ls - 1] != '\n' && orig_s - ls <= LINE_SCAN_MAX)
				ls--;
		}
		line->valid = 1;
		line->ls = ls;
		line->le = le;
		line->item = (ls == 0 || t[ls - 1] == '\n') && is_list_item(t, ls, le);
		if (!line->item)
			return 0;
	}
	/* walk back over list items and blank lines to the introducing line */
	while (ls > 0 && lines++ < lex->h->intro_lines) {
		size_t pe = ls - 1, ps = pe; /* t[pe] == '\n' */
		while (ps > 0 && t[ps - 1] != '\n')
			ps--;
		ls = ps;
		size_t q = ps;
		while (q < pe && (t[q] == ' ' || t[q] == '\t' || t[q] == '\r'))
			q++;
		if (q == pe || is_list_item(t, ps, pe))
			continue;
		if (!ends_with_colon(t, ps, pe))
			return 0;
		/* normalise the end of the introducing line and look for an intro word */
		char norm[INTRO_LINE_MAX];
		struct pgd_nm_ckpt ck[PGD_NM_CKPT_ROOM(INTRO_LINE_MAX)];
		size_t nck, from = pe - ps > INTRO_LINE_MAX ? pe - INTRO_LINE_MAX : ps;
		while (from < pe && ((unsigned char)t[from] & 0xC0) == 0x80)
			from++;
		size_t nl = pgd_normalise(lex->cm, t + from, pe - from, norm, ck, &nck);
		for (uint32_t r = 0; r < lex->h->nctx; r++) {
			const struct pgd_ctx_rule *cr = &lex->ctx[r];
			if ((cr->where & PGD_CTX_INTRO) && (cr->cats & bit) &&
			    find_in(norm, nl, lex->pool + cr->word, cr->len))
				return 1;
		}
		return 0;
	}
	return 0;
}

/* ---- the index of context words, built when a lexicon is attached ---- */

struct pgd_ctx_index {
	uint64_t first[PGD_CHARMAP_SIZE / 64]; /* bit: some word starts with this code point */
	uint32_t bucket[257];                  /* rules by (first code point & 255) */
	uint32_t *order;
	uint32_t *nchars;                      /* characters of each rule's word */
	uint64_t before_cats, after_cats, intro_cats;
	uint64_t title_cats, sentence_cats, promo_cats;
	uint32_t reach_before, reach_after;    /* characters to walk each way */
};

static uint32_t first_cp(const char *w, size_t len)
{
	uint32_t cp;
	return pgd_utf8_decode(w, len, &cp) > 0 ? cp : 0;
}

int pgd_context_index(struct pgd_lexicon *lex)
{
	struct pgd_ctx_index *ix = pgd_calloc(1, sizeof(*ix));
	uint32_t n = lex->h->nctx, count[256] = { 0 }, fill[256];

	ix->order = pgd_calloc(n ? n : 1, sizeof(*ix->order));
	ix->nchars = pgd_calloc(n ? n : 1, sizeof(*ix->nchars));
	for (uint32_t r = 0; r < n; r++) {
		const struct pgd_ctx_rule *cr = &lex->ctx[r];
		const char *w = lex->pool + cr->word;
		uint32_t cp = first_cp(w, cr->len);
		ix->nchars[r] = (uint32_t)nchars(w, cr->len);
		if (cp < PGD_CHARMAP_SIZE)
			ix->first[cp >> 6] |= 1ULL << (cp & 63);
		count[cp & 255]++;
		if (cr->where & PGD_CTX_BEFORE) {
			ix->before_cats |= cr->cats;
			if (cr->window + ix->nchars[r] > ix->reach_before)
				ix->reach_before = cr->window + ix->nchars[r];
		}
		if (cr->where & PGD_CTX_AFTER) {
			ix->after_cats |= cr->cats;
			if (cr->window > ix->reach_after)
				ix->reach_after = cr->window;
		}
		if (cr->where & PGD_CTX_INTRO)
			ix->intro_cats |= cr->cats;
		if (cr->where & PGD_CTX_TITLE)
			ix->title_cats |= cr->cats;
		if (cr->where & PGD_CTX_SENTENCE)
			ix->sentence_cats |= cr->cats;
		if (cr->where & PGD_CTX_PROMO)
			ix->promo_cats |= cr->cats;
	}
	ix->bucket[0] = 0;
	for (int b = 0; b < 256; b++) {
		ix->bucket[b + 1] = ix->bucket[b] + count[b];
		fill[b] = ix->bucket[b];
	}
	for (uint32_t r = 0; r < n; r++) {
		uint32_t cp = first_cp(lex->pool + lex->ctx[r].word, lex->ctx[r].len);
		ix->order[fill[cp & 255]++] = r;
	}
	pgd_context_index_free(lex->ctx_index);
	lex->ctx_index = ix;
	return 0;
}

void pgd_context_index_free(struct pgd_ctx_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->order);
	free(ix->nchars);
	free(ix);
}

/* Code point at p of the normalised text (valid UTF-8 or '\n'). */
static inline uint32_t norm_cp(const char *norm, size_t nlen, size_t p, size_t *len)
{
	const unsigned char *u = (const unsigned char *)norm + p;
	uint32_t cp;
	if (u[0] < 0x80) {
		*len = 1;
		return u[0];
	}
	if ((u[0] & 0xF0) == 0xE0 && nlen - p >= 3) {
		*len = 3;
		return ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
	}
	int n = pgd_utf8_decode(norm + p, nlen - p, &cp);
	*len = n > 0 ? (size_t)n : 1;
	return n > 0 ? cp : 0xFFFD;
}

/* A word of a `where` rule for bit starting at norm[p], within [lo, hi)? j is the distance in
 * characters that the rule's window is compared with (before: j minus the word's length). */
static int word_at(const struct pgd_lexicon *lex, uint64_t bit, uint32_t where, const char *norm,
		   size_t p, size_t hi, uint32_t cp, size_t j)
{
	const struct pgd_ctx_index *ix = lex->ctx_index;

	if (cp >= PGD_CHARMAP_SIZE || !(ix->first[cp >> 6] & (1ULL << (cp & 63))))
		return 0;
	for (uint32_t k = ix->bucket[cp & 255]; k < ix->bucket[(cp & 255) + 1]; k++) {
		uint32_t r = ix->order[k];
		const struct pgd_ctx_rule *cr = &lex->ctx[r];
		if (!(cr->where & where) || !(cr->cats & bit) || p + cr->len > hi ||
		    memcmp(norm + p, lex->pool + cr->word, cr->len) != 0)
			continue;
		if (where == PGD_CTX_BEFORE) {
			if (j >= ix->nchars[r] && j - ix->nchars[r] <= cr->window)
				return 1;
		} else if (j <= cr->window) {
			return 1;
		}
	}
	return 0;
}

int pgd_context_near(const struct pgd_lexicon *lex, unsigned cat, const char *norm,
		     size_t nlen, size_t s, size_t e)
{
	const struct pgd_ctx_index *ix = lex->ctx_index;
	uint64_t bit = 1ULL << cat;
	size_t p, j, cl;

	if (!(lex->ctx_cats & bit))
		return 0;
	if (ix->before_cats & bit) {
		/* walk back from s, one character at a time, within the sentence */
		p = s;
		for (j = 1; j <= ix->reach_before && p > 0; j++) {
			size_t q = p - 1;
			while (q > 0 && ((unsigned char)norm[q] & 0xC0) == 0x80)
				q--;
			if (norm[q] == '\n')
				break;
			p = q;
			uint32_t cp = norm_cp(norm, nlen, p, &cl);
			if (word_at(lex, bit, PGD_CTX_BEFORE, norm, p, s, cp, j))
				return 1;
		}
	}
	if (ix->after_cats & bit) {
		size_t end = e;
		while (end < nlen && norm[end] != '\n')
			end++;
		p = e;
		for (j = 0; j <= ix->reach_after && p < end; j++) {
			uint32_t cp = norm_cp(norm, nlen, p, &cl);
			if (word_at(lex, bit, PGD_CTX_AFTER, norm, p, end, cp, j))
				return 1;
			p += cl;
		}
	}
	return 0;
}

int pgd_context_intro(const struct pgd_lexicon *lex, unsigned cat, const char *doc_text,
		      size_t doc_len, size_t orig_s, struct pgd_ctx_line *line)
{
	uint64_t bit = 1ULL << cat;
	return (lex->ctx_index->intro_cats & bit) &&
	       intro_opposed(lex, bit, doc_text, doc_len, orig_s, line);
}

/* ---- document-wide (title) and sentence-wide rules ---- */

#define TITLE_MAX 1024       /* bytes of a title that are examined */
#define FIRST_LINE_MAX 240   /* a first line longer than this is a paragraph, not a title */
#define SENTENCE_MAX 1024    /* bytes each side of a match that are examined */

static uint64_t title_words(const struct pgd_lexicon *lex, const char *t, size_t len)
{
	char norm[TITLE_MAX];
	struct pgd_nm_ckpt ck[PGD_NM_CKPT_ROOM(TITLE_MAX)];
	size_t nck, nl;
	uint64_t m = 0;

	if (t == NULL || len == 0)
		return 0;
	if (len > TITLE_MAX) {
		len = TITLE_MAX;
		while (len > 0 && ((unsigned char)t[len] & 0xC0) == 0x80)
			len--;
	}
	nl = pgd_normalise(lex->cm, t, len, norm, ck, &nck);
	for (uint32_t r = 0; r < lex->h->nctx; r++) {
		const struct pgd_ctx_rule *cr = &lex->ctx[r];
		if ((cr->where & PGD_CTX_TITLE) && (cr->cats & ~m) &&
		    find_in(norm, nl, lex->pool + cr->word, cr->len))
			m |= cr->cats;
	}
	return m;
}

uint64_t pgd_context_title_cats(const struct pgd_lexicon *lex, const struct pgd_doc *doc)
{
	uint64_t m = 0;
	const char *v;

	if (lex->ctx_index == NULL || lex->ctx_index->title_cats == 0 || doc->text == NULL)
		return 0;
	v = pgd_doc_meta_get(doc, "ArticleTitle");
	if (v)
		m |= title_words(lex, v, strlen(v));
	for (size_t i = 0; i < doc->nsegs; i++) {
		if (doc->segs[i].kind == PGD_SEG_TITLE) {
			m |= title_words(lex, doc->text + doc->segs[i].off, doc->segs[i].len);
			break;
		}
	}
	/* the first non-empty line of the text, when it is short enough to be a title */
	size_t a = 0;
	while (a < doc->len && (doc->text[a] == '\n' || doc->text[a] == '\r' || doc->text[a] == ' '))
		a++;
	const char *nl = memchr(doc->text + a, '\n', doc->len - a);
	size_t b = nl ? (size_t)(nl - doc->text) : doc->len;
	/* ... and looks like one: more text follows, and no full stop in it (a one-line
	 * message or a first sentence "严禁赌博。欢迎来到…" is not a headline) */
	size_t rest = b;
	while (rest < doc->len && (doc->text[rest] == '\n' || doc->text[rest] == '\r' ||
				   doc->text[rest] == ' '))
		rest++;
	size_t te = b;
	while (te > a && (doc->text[te - 1] == '\r' || doc->text[te - 1] == ' '))
		te--;
	int colon = te > a && (doc->text[te - 1] == ':' ||
			       (te - a >= 3 && memcmp(doc->text + te - 3, "：", 3) == 0));
	if (b > a && b - a <= FIRST_LINE_MAX && rest < doc->len && !colon &&
	    !find_in(doc->text + a, b - a, "。", 3))
		m |= title_words(lex, doc->text + a, b - a);
	return m;
}

int pgd_context_sentence(const struct pgd_lexicon *lex, unsigned cat, uint32_t where,
			 const char *norm, size_t nlen, size_t s, size_t e)
{
	const struct pgd_ctx_index *ix = lex->ctx_index;
	uint64_t bit = 1ULL << cat, cats;
	size_t a = s, b = e;

	cats = (where & PGD_CTX_SENTENCE ? ix->sentence_cats : 0) |
	       (where & PGD_CTX_PROMO ? ix->promo_cats : 0);
	if (!(cats & bit))
		return 0;
	while (a > 0 && norm[a - 1] != '\n' && s - a < SENTENCE_MAX)
		a--;
	while (b < nlen && norm[b] != '\n' && b - e < SENTENCE_MAX)
		b++;
	for (uint32_t r = 0; r < lex->h->nctx; r++) {
		const struct pgd_ctx_rule *cr = &lex->ctx[r];
		/* outside the phrase itself (a rumour phrase may hold 谣言) */
		if ((cr->where & where) && (cr->cats & bit) &&
		    (find_in(norm + a, s - a, lex->pool + cr->word, cr->len) ||
		     find_in(norm + e, b - e, lex->pool + cr->word, cr->len)))
			return 1;
	}
	return 0;
}
