/* Internal interfaces of the checker layer (src/check). Not installed; not for other layers.
 *
 * The checker is assembled in check.c from two engines:
 *   - the lexicon engine (lexicon.c, normalise.c, matcher.c, context.c): phrase lists with
 *     category, severity, suggestion and exception phrases -- prohibited content (Art. 10, 18),
 *     wording errors (typos, outdated institution names) -- matched evasion-resistantly over
 *     normalised text (width, case, traditional->simplified, separators), with context rules
 *     (opposing context such as 打击/严禁) that keep false alarms down. matcher.c is the only
 *     vectorscan user.
 *   - the document rules (docrules.c and rule_*.c): structural checks that need more than a
 *     phrase -- reposts (Art. 7), maps (Art. 9), classification marks (Art. 16), personal
 *     information (ID numbers, mobiles, bank cards).
 * Both read their data from files under the data directory and are immutable once loaded. */
#ifndef PGD_CHECK_INTERNAL_H
#define PGD_CHECK_INTERNAL_H
#include <stddef.h>

#include "pubguard/check.h"
#include "pubguard/doc.h"
#include "pubguard/err.h"

/* as_of as yyyymmdd (e.g. 20261130), resolved from opts (today when unset). */
int pgd_check_as_of(const struct pgd_check_opts *opts);

/* ---- lexicon engine ---- */
struct pgd_lexicon;          /* immutable; shared between threads */
struct pgd_lexicon_scratch;  /* per thread */

/* Load data_dir/categories.tsv, data_dir/context.tsv, every data_dir/lexicons/ *.tsv,
 * data_dir/wording/ *.tsv and the extra lists; compile (or load from cache_dir when the
 * inputs are unchanged). */
int pgd_lexicon_load(const char *data_dir, const char *const *extra, size_t nextra,
		     const char *cache_dir, struct pgd_lexicon **out, struct pgd_err *err);
void pgd_lexicon_free(struct pgd_lexicon *lex);
size_t pgd_lexicon_count(const struct pgd_lexicon *lex);
/* 1 when the compiled matcher was loaded from cache_dir rather than compiled. */
int pgd_lexicon_cache_hit(const struct pgd_lexicon *lex);
/* Chinese name of a category id (borrowed) or NULL. */
const char *pgd_lexicon_category_name(const struct pgd_lexicon *lex, const char *id);
struct pgd_lexicon_scratch *pgd_lexicon_scratch_new(const struct pgd_lexicon *lex);
void pgd_lexicon_scratch_free(struct pgd_lexicon_scratch *s);
int pgd_lexicon_scan(const struct pgd_lexicon *lex, struct pgd_lexicon_scratch *s,
		     const struct pgd_doc *doc, const struct pgd_check_opts *opts,
		     struct pgd_findings *out, struct pgd_err *err);

/* Figures about a loaded lexicon, for benchmarks and diagnostics. */
struct pgd_lexicon_stats {
	size_t phrases;        /* entries (distinct normalised phrases) */
	double load_ms;        /* whole pgd_lexicon_load(), including reading the inputs */
	double compile_ms;     /* vectorscan compile (0 when loaded from the cache) */
	int from_cache;        /* 1 when the compiled rules came from the cache */
	size_t db_bytes;       /* compiled database */
	size_t table_bytes;    /* entries, exceptions, context rules, strings, char table */
};
void pgd_lexicon_stats(const struct pgd_lexicon *lex, struct pgd_lexicon_stats *st);

/* ---- document rules ---- */
struct pgd_docrules;         /* immutable; shared between threads */

/* Load data_dir/repost/, data_dir/map/, data_dir/secrecy/, data_dir/pii/ data. */
int pgd_docrules_load(const char *data_dir, struct pgd_docrules **out, struct pgd_err *err);
void pgd_docrules_free(struct pgd_docrules *r);
int pgd_docrules_check(const struct pgd_docrules *r, const struct pgd_doc *doc,
		       const struct pgd_check_opts *opts, struct pgd_findings *out,
		       struct pgd_err *err);

#endif
