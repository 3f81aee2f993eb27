/* Scanning a document with the lexicon engine: per chunk of the text (cut at line ends, so
 * memory stays bounded for very large documents), normalise, match every phrase with
 * vectorscan, then check each match -- exceptions, separator rule, ASCII word edges, context
 * -- map it back to the original bytes and report it. Overlapping matches of one category
 * collapse to the longest. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/buf.h"
#include "pubguard/check.h"
#include "pubguard/mem.h"
#include "check/internal.h"
#include "check/lexicon.h"
#include "check/matcher.h"
#include "check/normalise.h"
#include "core/banned.h"

#define CHUNK ((size_t)1 << 20)

struct cand {
	uint32_t entry;
	uint32_t cat;
	size_t s, e; /* span in doc->text */
};

struct pgd_lexicon_scratch {
	const struct pgd_lexicon *lex;
	struct pgd_matcher_scratch *ms;
	char *norm;
	size_t norm_cap;
	struct pgd_nm_ckpt *ck;
	size_t ck_cap;
	struct pgd_match_vec m;
	struct cand *c;
	size_t nc, cc;
	struct pgd_buf msg;
	struct pgd_ctx_line line;
	uint64_t title_cats; /* categories an opposing word in the title silences */
};

struct pgd_lexicon_scratch *pgd_lexicon_scratch_new(const struct pgd_lexicon *lex)
{
	struct pgd_lexicon_scratch *s = pgd_calloc(1, sizeof(*s));
	s->lex = lex;
	s->ms = pgd_matcher_scratch_new(lex->matcher);
	pgd_buf_init(&s->msg, 4096);
	return s;
}

void pgd_lexicon_scratch_free(struct pgd_lexicon_scratch *s)
{
	if (s == NULL)
		return;
	pgd_matcher_scratch_free(s->ms);
	free(s->norm);
	free(s->ck);
	free(s->m.v);
	free(s->c);
	pgd_buf_release(&s->msg);
	free(s);
}

/* End of the chunk starting at start: after a line end (or 。) in the second half of the
 * chunk when there is one, else at a character boundary. */
static size_t chunk_end(const char *t, size_t len, size_t start)
{
	size_t lim, p;

	if (len - start <= CHUNK)
		return len;
	lim = start + CHUNK;
	for (p = lim; p > start + CHUNK / 2; p--)
		if (t[p - 1] == '\n')
			return p;
	for (p = lim; p > start + CHUNK / 2 + 3; p--)
		if (memcmp(t + p - 3, "。", 3) == 0)
			return p;
	p = lim;
	while (p > start && ((unsigned char)t[p] & 0xC0) == 0x80)
		p--;
	return p;
}

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

struct chunk {
	const char *text; /* doc->text + base */
	size_t base, len;
	const char *norm;
	size_t nlen;
	const struct pgd_nm_ckpt *ck;
	size_t nck;
};

/* Check one match; fill *out and return 1 when it is a finding. */
static int verify(const struct pgd_lexicon *lex, const struct pgd_doc *doc,
		  const struct chunk *ch, const struct pgd_match *m, struct pgd_ctx_line *line,
		  uint64_t title_cats, struct cand *out)
{
	const struct pgd_lex_entry *ent = &lex->entries[m->id];
	size_t e = m->end, s = e - ent->phrase_len;
	struct pgd_nm_iter it;
	struct pgd_nm_char c;
	size_t os = 0, oe = 0;
	int first = 1, has_punct = 0, all_gaps = 1;

	/* a longer legitimate phrase around it */
	for (uint32_t i = 0; i < ent->nexc; i++) {
		const struct pgd_lex_exc *x = &lex->excs[ent->exc + i];
		if (s < x->pos)
			continue;
		size_t xs = s - x->pos;
		if (xs + x->len <= ch->nlen && memcmp(ch->norm + xs, lex->pool + x->str, x->len) == 0)
			return 0;
	}
	/* opposing words around it, in the same sentence */
	if (pgd_context_near(lex, ent->cat, ch->norm, ch->nlen, s, e))
		return 0;
	/* a refutation in the same sentence (网传……系谣言) */
	if (pgd_context_sentence(lex, ent->cat, PGD_CTX_SENTENCE, ch->norm, ch->nlen, s, e))
		return 0;
	/* the document's title opposes the category (打击整治网络赌博专项行动): quiet, unless
	 * the sentence advertises (加微信, 扫码, 下注 … an ad planted in the news) */
	if ((title_cats & (1ULL << ent->cat)) &&
	    !pgd_context_sentence(lex, ent->cat, PGD_CTX_PROMO, ch->norm, ch->nlen, s, e))
		return 0;
	/* back to the original characters, and what separated them */
	pgd_nm_iter_seek(&it, lex->cm, ch->text, ch->len, ch->ck, ch->nck, s);
	while (pgd_nm_iter_next(&it, &c) && c.norm < e) {
		if (first) {
			os = c.orig;
			first = 0;
		} else {
			if (c.dropped == 0)
				all_gaps = 0;
			if (c.dropped & (1u << PGD_NM_PUNCT))
				has_punct = 1;
		}
		oe = c.orig + c.orig_len;
	}
	if (first)
		return 0;
	if (has_punct && (!all_gaps || ent->nchars < 3))
		return 0;
	os += ch->base;
	oe += ch->base;
	if ((ent->flags & PGD_LEX_ASCII_START) && os > 0 && is_alnum((unsigned char)doc->text[os - 1]))
		return 0;
	if ((ent->flags & PGD_LEX_ASCII_END) && oe < doc->len && is_alnum((unsigned char)doc->text[oe]))
		return 0;
	if (pgd_context_intro(lex, ent->cat, doc->text, doc->len, os, line))
		return 0;
	out->entry = m->id;
	out->cat = ent->cat;
	out->s = os;
	out->e = oe;
	return 1;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->cat != y->cat)
		return x->cat < y->cat ? -1 : 1;
	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	if (x->e != y->e)
		return x->e > y->e ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* Expand the category's message template: {name} {article} {suggestion} {id}. */
static const char *format_message(struct pgd_lexicon_scratch *sc, const struct pgd_lex_cat *cat,
				  const char *sugg)
{
	const struct pgd_lexicon *lex = sc->lex;
	const char *t = lex->pool + cat->message;

	pgd_buf_reset(&sc->msg);
	while (*t) {
		const char *br = strchr(t, '{');
		if (br == NULL) {
			pgd_buf_addstr(&sc->msg, t);
			break;
		}
		pgd_buf_add(&sc->msg, t, (size_t)(br - t));
		const char *close = strchr(br, '}');
		if (close == NULL) {
			pgd_buf_addstr(&sc->msg, br);
			break;
		}
		size_t kl = (size_t)(close - br - 1);
		const char *val = NULL;
		if (kl == 4 && memcmp(br + 1, "name", 4) == 0)
			val = lex->pool + cat->name;
		else if (kl == 7 && memcmp(br + 1, "article", 7) == 0)
			val = lex->pool + cat->article;
		else if (kl == 10 && memcmp(br + 1, "suggestion", 10) == 0)
			val = sugg ? sugg : "";
		else if (kl == 2 && memcmp(br + 1, "id", 2) == 0)
			val = lex->pool + cat->id;
		if (val)
			pgd_buf_addstr(&sc->msg, val);
		else
			pgd_buf_add(&sc->msg, br, (size_t)(close - br + 1));
		t = close + 1;
	}
	return sc->msg.data ? sc->msg.data : "";
}

static void emit(struct pgd_lexicon_scratch *sc, const struct pgd_doc *doc,
		 const struct cand *c, struct pgd_findings *out)
{
	const struct pgd_lexicon *lex = sc->lex;
	const struct pgd_lex_entry *ent = &lex->entries[c->entry];
	const struct pgd_lex_cat *cat = &lex->cats[c->cat];
	const char *sugg = ent->sugg == PGD_LEX_NONE ? NULL : lex->pool + ent->sugg;

	pgd_findings_add(out, doc, lex->pool + cat->id, (enum pgd_severity)ent->sev, c->s,
			 c->e - c->s, format_message(sc, cat, sugg), sugg);
}

/* Collapse overlapping candidates of one category to the longest, then report. */
static void flush(struct pgd_lexicon_scratch *sc, const struct pgd_doc *doc,
		  struct pgd_findings *out)
{
	size_t i, keep;
	size_t group_end;

	if (sc->nc == 0)
		return;
	qsort(sc->c, sc->nc, sizeof(*sc->c), cmp_cand);
	keep = 0;
	group_end = sc->c[0].e;
	for (i = 1; i < sc->nc; i++) {
		const struct cand *x = &sc->c[i], *k = &sc->c[keep];
		if (x->cat == k->cat && x->s < group_end) {
			if (x->e - x->s > k->e - k->s)
				keep = i;
			if (x->e > group_end)
				group_end = x->e;
			continue;
		}
		emit(sc, doc, &sc->c[keep], out);
		keep = i;
		group_end = x->e;
	}
	emit(sc, doc, &sc->c[keep], out);
	sc->nc = 0;
}

int pgd_lexicon_scan(const struct pgd_lexicon *lex, struct pgd_lexicon_scratch *sc,
		     const struct pgd_doc *doc, const struct pgd_check_opts *opts,
		     struct pgd_findings *out, struct pgd_err *err)
{
	size_t base = 0;
	int rc = 0;

	(void)opts;
	memset(&sc->line, 0, sizeof(sc->line));
	if (doc->text == NULL || doc->len == 0 || lex->h->nentries == 0)
		return 0;
	sc->title_cats = pgd_context_title_cats(lex, doc);
	while (base < doc->len) {
		size_t end = chunk_end(doc->text, doc->len, base);
		struct chunk ch;

		ch.text = doc->text + base;
		ch.base = base;
		ch.len = end - base;
		if (ch.len > sc->norm_cap) {
			free(sc->norm);
			sc->norm = pgd_malloc(ch.len);
			sc->norm_cap = ch.len;
		}
		if (PGD_NM_CKPT_ROOM(ch.len) > sc->ck_cap) {
			free(sc->ck);
			sc->ck_cap = PGD_NM_CKPT_ROOM(ch.len);
			sc->ck = pgd_calloc(sc->ck_cap, sizeof(*sc->ck));
		}
		ch.nlen = pgd_normalise_fast(lex->cm, lex->enc, ch.text, ch.len, sc->norm, sc->ck,
					     &ch.nck);
		ch.norm = sc->norm;
		ch.ck = sc->ck;
		sc->m.n = 0;
		rc = pgd_matcher_scan(lex->matcher, sc->ms, sc->norm, ch.nlen, &sc->m, err);
		if (rc < 0)
			break;
		for (size_t i = 0; i < sc->m.n; i++) {
			struct cand c;
			if (!verify(lex, doc, &ch, &sc->m.v[i], &sc->line, sc->title_cats, &c))
				continue;
			PGD_GROW(sc->c, sc->nc + 1, sc->cc);
			sc->c[sc->nc++] = c;
		}
		flush(sc, doc, out);
		base = end;
	}
	sc->nc = 0;
	return rc;
}
