/* The checker: compiled rules (lexicons, context rules, repost/map/secrecy/PII/wording data)
 * loaded once from a data directory and shared read-only between threads; a per-thread
 * scanner runs them over a struct pgd_doc and returns findings. */
#ifndef PUBGUARD_CHECK_H
#define PUBGUARD_CHECK_H
#include <stddef.h>

#include "pubguard/doc.h"
#include "pubguard/err.h"

enum pgd_severity { PGD_SEV_INFO = 0, PGD_SEV_REVIEW = 1, PGD_SEV_BLOCK = 2 };

struct pgd_finding {
	char category[48];        /* stable id, e.g. "prohibited.rumour", "pii.mobile" */
	enum pgd_severity severity;
	size_t off, len;          /* byte span in doc->text; len 0 for a document-level finding */
	unsigned line, column;    /* 1-based, in the original file */
	char *text;               /* new: the original text quoted */
	char *message;            /* new: Chinese */
	char *suggestion;         /* new, may be NULL */
};

struct pgd_findings {
	struct pgd_finding *v;
	size_t n, cap;
};

void pgd_findings_init(struct pgd_findings *f);
void pgd_findings_release(struct pgd_findings *f); /* accepts NULL */
/* Append a finding over doc->text[off, off+len): locates it in the original and quotes the
 * text. message/suggestion are copied. Returns the new finding (borrowed). */
struct pgd_finding *pgd_findings_add(struct pgd_findings *f, const struct pgd_doc *doc,
				     const char *category, enum pgd_severity sev, size_t off,
				     size_t len, const char *message, const char *suggestion);
/* Sort by position, drop exact duplicates (same category and span). */
void pgd_findings_sort(struct pgd_findings *f);
/* Worst severity present, or -1 when there is none. */
int pgd_findings_worst(const struct pgd_findings *f);

const char *pgd_severity_name(enum pgd_severity sev); /* "info" | "review" | "block" */
int pgd_severity_parse(const char *s, enum pgd_severity *out);

struct pgd_rules;   /* immutable once loaded; share between threads */
struct pgd_scanner; /* per thread */

struct pgd_rules_opts {
	const char *data_dir;          /* NULL: $PGD_DATA_DIR, then the installed data dir */
	const char *const *lexicons;   /* extra phrase lists (--lexicon), may be NULL */
	size_t nlexicons;
	const char *cache_dir;         /* compiled-rule cache directory (created with its parents); NULL: no cache */
};

int pgd_rules_load(const struct pgd_rules_opts *opts, struct pgd_rules **out, struct pgd_err *err);
void pgd_rules_free(struct pgd_rules *rules);
/* Number of lexicon phrases loaded (for diagnostics and benchmarks). */
size_t pgd_rules_phrase_count(const struct pgd_rules *rules);
/* 1 when the compiled rules came from the cache rather than a fresh compile. */
int pgd_rules_cache_hit(const struct pgd_rules *rules);
/* Chinese name of a category id from the category table (borrowed), or NULL. */
const char *pgd_rules_category_name(const struct pgd_rules *rules, const char *category);

struct pgd_check_opts {
	int as_of_year, as_of_month, as_of_day; /* 0: today */
};

struct pgd_scanner *pgd_scanner_new(const struct pgd_rules *rules);
void pgd_scanner_free(struct pgd_scanner *sc);
/* Run every check over doc; findings are appended to out, sorted. */
int pgd_check_doc(struct pgd_scanner *sc, const struct pgd_doc *doc,
		  const struct pgd_check_opts *opts, struct pgd_findings *out, struct pgd_err *err);

#endif
