/* Pure normalisers for matching published items to approved items (Art. 14): the store
 * (pgd_store_approved_match) and the CLI (`pubguard patrol items --approved`) use the same
 * rules, so an item matches the same approved item wherever it is checked. No I/O. */
#ifndef PUBGUARD_MATCH_H
#define PUBGUARD_MATCH_H

#include <stddef.h>
#include <stdint.h>

/* Normalise a URL for comparison: surrounding spaces trimmed, scheme and host lower-cased,
 * the default port (:80 for http, :443 for https) dropped, the fragment dropped, a trailing
 * "/index.html" (also index.htm, index.shtml, index.php, default.html, default.htm, default.aspx)
 * or "/" of the path dropped (so "http://A.gov.cn/x/index.html#top" and "http://a.gov.cn/x" are
 * the same), an empty path and an empty query ("?") dropped. Path and query otherwise kept
 * as written (case included). Only http and https: anything else (and NULL, "") gives NULL.
 * new: free(). */
char *pgd_url_normalise(const char *url);

/* Normalise a title: only its letters and digits (any script, CJK included), full-width ASCII
 * folded to ASCII, ASCII lower-cased; spaces, punctuation (ASCII and CJK) and symbols dropped.
 * Invalid UTF-8 bytes are dropped. "" when nothing is left (an empty title never matches).
 * NULL in gives NULL. new: free(). */
char *pgd_title_normalise(const char *title);

/* A published item and an approved one match (same rules as the store): the same normalised
 * URL (both non-NULL), else the same non-empty normalised title, else both SimHashes non-zero
 * and within bits bits. Normalised strings may be NULL (unknown). Returns 1 or 0. */
int pgd_match_item(const char *norm_url, const char *norm_title, uint64_t simhash,
	const char *appr_norm_url, const char *appr_norm_title, uint64_t appr_simhash, int bits);

#endif
