/* Shared internals of the document rules (docrules.c, rule_repost.c, rule_map.c,
 * rule_secrecy.c, rule_pii.c). Not for other parts of the checker: they use internal.h.
 *
 * Every rule loads its data from data_dir/<rule>/ when the rules are loaded and is immutable
 * afterwards, so one struct pgd_docrules is shared read-only between threads. The scanners are
 * hand-written and linear over doc->text: a small literal finder (struct pgd_dr_lits) keyed by
 * the first character of each pattern (one pass, character by character: a lead-byte table,
 * then a first-character set, then a hashed first+second character filter before any pattern
 * is compared), digit-run scanning
 * for personal information. */
#ifndef PGD_CHECK_DOCRULES_H
#define PGD_CHECK_DOCRULES_H
#include <stddef.h>
#include <stdint.h>

#include "check/internal.h"

/* ---- data files ---- */

/* One non-comment line of a TSV data file, split at tabs (fields are NUL-terminated and
 * trimmed of surrounding spaces; borrowed, valid during the callback only). */
struct pgd_dr_line {
	const char *path;   /* file name for messages */
	unsigned lineno;    /* 1-based */
	char **f;           /* fields */
	size_t nf;
};

/* Called for every data line; return 0 or a negative PGD_ERR_* after pgd_dr_bad_line(). */
typedef int (*pgd_dr_line_fn)(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err);

/* Read dir/name (UTF-8, '#' comment lines and blank lines skipped, CRLF tolerated, at most
 * 4 MiB). A missing file is an error when required, else 0 with no callback. */
int pgd_dr_read_tsv(const char *dir, const char *name, int required, pgd_dr_line_fn fn,
		    void *ctx, struct pgd_err *err);
/* Set err to PGD_ERR_RULES naming path:line and what is wrong (Chinese). Returns the code. */
int pgd_dr_bad_line(struct pgd_err *err, const struct pgd_dr_line *ln, const char *what);
/* Parse a severity field ("block"/"review"/"info") or fail naming path:line. */
int pgd_dr_parse_severity(const struct pgd_dr_line *ln, const char *s, enum pgd_severity *out,
			  struct pgd_err *err);
/* Parse a non-negative decimal (at most 9 digits) or fail naming path:line. */
int pgd_dr_parse_uint(const struct pgd_dr_line *ln, const char *s, unsigned *out,
		      struct pgd_err *err);

/* ---- strings ---- */
struct pgd_dr_strs {
	char **v;           /* owned */
	size_t n, cap;
};
void pgd_dr_strs_add(struct pgd_dr_strs *s, const char *str); /* copies */
void pgd_dr_strs_release(struct pgd_dr_strs *s);              /* accepts NULL */

/* ---- literal finder ----
 * A set of UTF-8 patterns, each with an integer tag. Matching is leftmost-longest, ASCII
 * case-insensitive (patterns are stored lowercase). In a pattern, ' ' stands for zero or more
 * separators (whitespace, U+3000, U+00A0, '，', ',', '、', '·') and '：' matches ':' or '：'.
 * An ASCII-letter pattern edge must not touch another ASCII letter in the text (so "map"
 * does not match inside "sitemap"). Patterns must not start with ' '. */
struct pgd_dr_lit {
	char *pat;          /* owned */
	size_t len;
	int tag;
	uint32_t first;     /* first code point (lowercase) */
};
struct pgd_dr_lits {
	struct pgd_dr_lit *v;
	size_t n, cap;
	uint64_t *bits;     /* 65536-bit set of first code points (BMP); NULL until built */
	uint64_t *nopair;   /* 65536-bit set: a pattern with this first code point has no plain
			     * second character (one character long, or ' '/'：' second) */
	uint64_t *pairs;    /* 65536-bit set of hashed (first, second) code point pairs */
	unsigned char lead[256]; /* 1: a first code point's UTF-8 encoding starts with this byte */
	int astral;         /* some pattern starts outside the BMP */
};
void pgd_dr_lits_add(struct pgd_dr_lits *l, const char *pat, int tag); /* copies */
void pgd_dr_lits_build(struct pgd_dr_lits *l);                         /* after all adds */
void pgd_dr_lits_release(struct pgd_dr_lits *l);                       /* accepts NULL */
/* Find the leftmost-longest match in s[*pos, end). On success returns 1 and sets *pos to its
 * start, *mlen to its length in the text and *tag; 0 when there is none. */
int pgd_dr_lits_next(const struct pgd_dr_lits *l, const char *s, size_t end, size_t *pos,
		     size_t *mlen, int *tag);
/* Length of a match of pattern index i at s[pos, end), 0 when it does not match. */
size_t pgd_dr_lits_match_at(const struct pgd_dr_lits *l, size_t i, const char *s, size_t end,
			    size_t pos);

/* ---- text helpers ---- */
/* Bounds of the line holding off: [*ls, *le), *le at the '\n' or the end. */
void pgd_dr_line_bounds(const char *s, size_t len, size_t off, size_t *ls, size_t *le);
/* Start of the line k lines before the line of off / end of the line k lines after. */
size_t pgd_dr_lines_back(const char *s, size_t len, size_t off, unsigned k);
size_t pgd_dr_lines_fwd(const char *s, size_t len, size_t off, unsigned k);
/* Digit value of an ASCII or full-width digit at s[i] (0-9) with its byte length in *n,
 * or -1 when s[i] starts no digit. */
int pgd_dr_digit(const char *s, size_t len, size_t i, size_t *n);
/* Width in bytes of a separator character at s[i] (whitespace, U+3000, U+00A0), else 0. */
size_t pgd_dr_space(const char *s, size_t len, size_t i);
/* 1 when s[0..n) contains needle (plain bytes). */
int pgd_dr_contains(const char *s, size_t n, const char *needle);
/* 1 when a yyyy-mm-dd / yyyy年m月d日 / 二〇二四年一月五日 style date occurs in s[0..n). */
int pgd_dr_has_date(const char *s, size_t n);
/* 1 when an http:// or https:// URL occurs in s[0..n). */
int pgd_dr_has_url(const char *s, size_t n);

/* ---- the rules ---- */
struct pgd_rule_repost;
struct pgd_rule_map;
struct pgd_rule_secrecy;
struct pgd_rule_pii;

int pgd_rule_repost_load(const char *data_dir, struct pgd_rule_repost **out, struct pgd_err *err);
void pgd_rule_repost_free(struct pgd_rule_repost *r);
int pgd_rule_repost_check(const struct pgd_rule_repost *r, const struct pgd_doc *doc,
			  const struct pgd_check_opts *opts, struct pgd_findings *out,
			  struct pgd_err *err);

int pgd_rule_map_load(const char *data_dir, struct pgd_rule_map **out, struct pgd_err *err);
void pgd_rule_map_free(struct pgd_rule_map *r);
int pgd_rule_map_check(const struct pgd_rule_map *r, const struct pgd_doc *doc,
		       const struct pgd_check_opts *opts, struct pgd_findings *out,
		       struct pgd_err *err);

int pgd_rule_secrecy_load(const char *data_dir, struct pgd_rule_secrecy **out,
			  struct pgd_err *err);
void pgd_rule_secrecy_free(struct pgd_rule_secrecy *r);
int pgd_rule_secrecy_check(const struct pgd_rule_secrecy *r, const struct pgd_doc *doc,
			   const struct pgd_check_opts *opts, struct pgd_findings *out,
			   struct pgd_err *err);

int pgd_rule_pii_load(const char *data_dir, struct pgd_rule_pii **out, struct pgd_err *err);
void pgd_rule_pii_free(struct pgd_rule_pii *r);
int pgd_rule_pii_check(const struct pgd_rule_pii *r, const struct pgd_doc *doc,
		       const struct pgd_check_opts *opts, struct pgd_findings *out,
		       struct pgd_err *err);

/* PII validators, exposed for tests. digits are ASCII. */
/* 1 when id (18 chars: 17 digits + digit/X/x) has the right GB 11643 check character. */
int pgd_pii_id_checksum_ok(const char *id);
/* 1 when yyyymmdd is a real calendar date in [19000101, as_of]. */
int pgd_pii_date_ok(int yyyymmdd, int as_of);
/* 1 when the digits pass the Luhn check. */
int pgd_pii_luhn_ok(const char *digits, size_t n);

#endif
