/* The lexicon engine's shared internals (lexicon.c loads, lexcache.c caches, lexscan.c scans,
 * context.c holds the context rules). The public face is in check/internal.h.
 *
 * A loaded lexicon is one flat, position-independent blob -- header, category table,
 * entries, exceptions, context rules, a string pool and the normalisation table -- plus the
 * compiled literal database. The blob is the body of the cache file, so a cached start maps
 * the file and points into it. */
#ifndef PGD_CHECK_LEXICON_H
#define PGD_CHECK_LEXICON_H
#include <stddef.h>
#include <stdint.h>

#include "pubguard/check.h"
#include "pubguard/err.h"
#include "check/matcher.h"
#include "check/normalise.h"

#define PGD_LEX_NONE UINT32_MAX
#define PGD_LEX_MAX_CATS 64
#define PGD_LEX_MAGIC "PGDLEX1"
#define PGD_LEX_VERSION 4u
/* Cap on one input file (a lexicon list can be large, but not unbounded). */
#define PGD_LEX_FILE_MAX ((size_t)256 << 20)

/* Strings are offsets into the pool (NUL-terminated there). */
struct pgd_lex_cat {
	uint32_t id, name, article, message, desc;
	uint32_t sev; /* enum pgd_severity: the default */
};

enum { PGD_LEX_ASCII_START = 1, PGD_LEX_ASCII_END = 2 };

struct pgd_lex_entry {
	uint32_t phrase, phrase_len; /* normalised */
	uint32_t nchars;             /* characters in the normalised phrase */
	uint32_t sugg;               /* suggestion or PGD_LEX_NONE */
	uint32_t exc, nexc;          /* range in the exception table */
	uint16_t cat;
	uint8_t sev;
	uint8_t flags;               /* PGD_LEX_ASCII_* */
};

/* A longer legitimate phrase holding the entry's phrase at byte pos (normalised). */
struct pgd_lex_exc {
	uint32_t str, len, pos;
};

enum {
	PGD_CTX_BEFORE = 1,
	PGD_CTX_AFTER = 2,
	PGD_CTX_INTRO = 4,
	PGD_CTX_LEGIT = 8,
	PGD_CTX_TITLE = 16,    /* in the document's title: the categories are quiet document-wide */
	PGD_CTX_SENTENCE = 32, /* anywhere in the same sentence */
	PGD_CTX_PROMO = 64,    /* a promotional signal in the sentence: lifts the title rule */
};

/* An opposing-context word: where it counts, within how many characters, for which
 * categories (bit i = category i). */
struct pgd_ctx_rule {
	uint32_t word, len; /* normalised */
	uint32_t where;     /* PGD_CTX_* bits */
	uint32_t window;    /* characters between the word and the phrase */
	uint64_t cats;
};

struct pgd_lex_header {
	char magic[8];
	uint32_t version;
	uint32_t ncats, nentries, nexcs, nctx, pool_len;
	uint32_t intro_lines;     /* how many list lines an introducing line governs */
	uint32_t max_window;      /* largest context window */
	uint64_t key;             /* hash of every input */
	uint64_t off_cats, off_entries, off_excs, off_ctx, off_pool, off_charmap;
	uint64_t off_db, len_db;  /* serialised database (cache file only) */
	uint64_t total;           /* bytes of header + arrays (without the database) */
};

struct pgd_lexicon {
	void *blob;               /* malloc'd (built) or mmap'd (cache) */
	size_t blob_len;
	int blob_mapped;
	const struct pgd_lex_header *h;
	const struct pgd_lex_cat *cats;
	const struct pgd_lex_entry *entries;
	const struct pgd_lex_exc *excs;
	const struct pgd_ctx_rule *ctx;
	const char *pool;
	const struct pgd_charmap *cm;
	struct pgd_matcher *matcher;
	uint64_t ctx_cats;        /* categories that any context rule concerns */
	struct pgd_ctx_index *ctx_index; /* context words by first character (context.c) */
	struct pgd_nm_enc *enc;   /* fast-path normalisation table, built from cm */
	double load_ms, compile_ms;
	int from_cache;
};

/* ---- building (lexicon.c, context.c) ---- */

struct pgd_lexb_exc {
	uint32_t entry;
	struct pgd_lex_exc x;
};

struct pgd_lexb {
	struct pgd_charmap *cm;
	struct pgd_lex_cat *cats;
	size_t ncats, cats_cap;
	struct pgd_lex_entry *entries;
	size_t nentries, entries_cap;
	struct pgd_lexb_exc *excs;
	size_t nexcs, excs_cap;
	struct pgd_ctx_rule *ctx;
	size_t nctx, ctx_cap;
	char *pool;
	size_t pool_len, pool_cap;
	uint32_t *slots;          /* phrase hash set: entry index + 1, 0 empty */
	size_t nslots;
	uint32_t intro_lines;
};

/* Append s[0..len) + NUL to the pool; returns its offset. */
uint32_t pgd_lexb_str(struct pgd_lexb *b, const char *s, size_t len);
/* Category index of id[0..len), or -1. */
int pgd_lexb_cat_find(const struct pgd_lexb *b, const char *id, size_t len);
/* Entry index of a normalised phrase, or -1. */
long pgd_lexb_phrase_find(const struct pgd_lexb *b, const char *p, size_t len);
/* Lines of a NUL-terminated text, modified in place ('\n' -> NUL). */
struct pgd_lex_lines {
	char *p, *end;
	size_t lineno; /* of the line last returned, 1-based */
};
char *pgd_lex_next_line(struct pgd_lex_lines *it);
/* Split a line into at most max TAB-separated fields (trimmed of spaces); returns how many. */
size_t pgd_lex_split(char *line, char sep, char **fields, size_t max);

/* Parse context.tsv (text[0..len), UTF-8) into b->ctx; legit words become exceptions of the
 * entries they contain, so call it after every lexicon is loaded. */
int pgd_context_parse(struct pgd_lexb *b, const char *path, const char *text, size_t len,
		      struct pgd_err *err);

/* ---- scanning (context.c) ---- */

struct pgd_ctx_index;
/* Build lex->ctx_index from lex->ctx (called by pgd_lex_attach). */
int pgd_context_index(struct pgd_lexicon *lex);
void pgd_context_index_free(struct pgd_ctx_index *ix); /* accepts NULL */

/* What the last list-item check learnt about one line of the document (per scan; start
 * with valid = 0). */
struct pgd_ctx_line {
	int valid, item;
	size_t ls, le; /* the line [ls, le) of doc_text */
};
/* 1 when a before/after context word suppresses a match of category cat over normalised
 * norm[s, e) (inside one chunk norm[0..nlen)). */
int pgd_context_near(const struct pgd_lexicon *lex, unsigned cat, const char *norm,
		     size_t nlen, size_t s, size_t e);
/* Categories that an opposing word in the document's title silences document-wide (title
 * rules): the title is the ArticleTitle meta, the first TITLE segment and the first line of
 * the text when it is short. */
struct pgd_doc;
uint64_t pgd_context_title_cats(const struct pgd_lexicon *lex, const struct pgd_doc *doc);
/* 1 when a word of a rule with a `where` bit (PGD_CTX_SENTENCE or PGD_CTX_PROMO) for category
 * cat stands in the sentence of norm[s, e) (the sentence ends at '\n'). */
int pgd_context_sentence(const struct pgd_lexicon *lex, unsigned cat, uint32_t where,
			 const char *norm, size_t nlen, size_t s, size_t e);
/* 1 when the match at doc_text[orig_s] is in a list item under an introducing line that
 * holds an intro word for cat. */
int pgd_context_intro(const struct pgd_lexicon *lex, unsigned cat, const char *doc_text,
		      size_t doc_len, size_t orig_s, struct pgd_ctx_line *line);

/* ---- cache (lexcache.c) ---- */

/* 64-bit content hash, chainable: h = pgd_lex_hash(h, data, len). */
uint64_t pgd_lex_hash(uint64_t h, const void *data, size_t len);
/* Map cache_dir/lexicon-<key>.bin into lex when it is valid for key; 0 on a hit, 1 on a miss
 * (never an error: a bad cache is a miss). */
int pgd_lexcache_load(const char *cache_dir, uint64_t key, struct pgd_lexicon *lex);
/* Write the lexicon (blob + database) to the cache; failures are ignored. */
void pgd_lexcache_save(const char *cache_dir, const struct pgd_lexicon *lex);
/* Point lex's arrays into its blob after checking every offset; -1 when inconsistent. */
int pgd_lex_attach(struct pgd_lexicon *lex);

#endif
