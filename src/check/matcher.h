/* Multi-literal matching: the only vectorscan (Hyperscan) user. Compiles a set of byte
 * literals (ids chosen by the caller) into a block-mode database that is immutable and shared
 * between threads; each thread scans with its own pgd_matcher_scratch. The database can be
 * serialised for the compiled-rule cache. */
#ifndef PGD_CHECK_MATCHER_H
#define PGD_CHECK_MATCHER_H
#include <stddef.h>
#include <stdint.h>

#include "pubguard/err.h"

struct pgd_matcher;         /* immutable after compile/deserialise */
struct pgd_matcher_scratch; /* per thread */

struct pgd_match {
	uint32_t id;  /* the literal's id */
	uint32_t end; /* offset just past the match; start = end - length of the literal */
};

struct pgd_match_vec {
	struct pgd_match *v;
	size_t n, cap;
};

/* Compile n literals lits[i] of lens[i] bytes (non-empty) with ids[i]. n may be 0 (a matcher
 * that never matches). new: *out, free with pgd_matcher_free(). */
int pgd_matcher_compile(const char *const *lits, const size_t *lens, const unsigned *ids,
			size_t n, struct pgd_matcher **out, struct pgd_err *err);
/* new: *bytes (free()) holds the serialised database; empty for an empty matcher. */
int pgd_matcher_serialize(const struct pgd_matcher *m, char **bytes, size_t *len,
			  struct pgd_err *err);
/* Rebuild a matcher from pgd_matcher_serialize() output (len 0: empty matcher). new. */
int pgd_matcher_deserialize(const char *bytes, size_t len, struct pgd_matcher **out,
			    struct pgd_err *err);
void pgd_matcher_free(struct pgd_matcher *m); /* accepts NULL */
/* Bytes held by the compiled database. */
size_t pgd_matcher_size(const struct pgd_matcher *m);
/* Text identifying the engine version and this CPU's platform, for cache keys. Writes at
 * most cap bytes (NUL-terminated). */
void pgd_matcher_engine_tag(char *buf, size_t cap);

/* new: free with pgd_matcher_scratch_free(). */
struct pgd_matcher_scratch *pgd_matcher_scratch_new(const struct pgd_matcher *m);
void pgd_matcher_scratch_free(struct pgd_matcher_scratch *s); /* accepts NULL */
/* Scan text[0..len) and append every match to out (in end order). */
int pgd_matcher_scan(const struct pgd_matcher *m, struct pgd_matcher_scratch *s,
		     const char *text, size_t len, struct pgd_match_vec *out, struct pgd_err *err);

#endif
