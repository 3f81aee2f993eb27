/* Approved items (Art. 14: nothing is published without review). Each row records that a piece
 * of content was reviewed and approved for one platform: its title, the URL it was published
 * under (when known), the SimHash of its text (when known), the date and the sign-off number.
 * Rows come from the review workflow (source "workflow") or from an import (source "import").
 *
 * The patrol matches every item found on a platform against these (pgd_store_approved_match);
 * an item matching none is a publish.unreviewed finding. The matching rules are shared with the
 * CLI `pubguard patrol items --approved` through the pure normalisers in pubguard/match.h.
 *
 * Fallible functions return 0 or a negative PGD_ERR_* and fill err (Chinese message). */
#ifndef PUBGUARD_APPROVED_H
#define PUBGUARD_APPROVED_H

#include <stddef.h>
#include <stdint.h>

struct pgd_err;
struct pgd_store;

struct pgd_approved_item {
	int64_t id;
	int64_t platform_id;
	char *title;             /* required */
	char *url;               /* may be NULL */
	uint64_t simhash;        /* 0: unknown (never matches) */
	char approved_at[16];    /* "YYYY-MM-DD" */
	char *approved_by;       /* who recorded it (login name); the store sets it on create */
	char source[16];         /* "workflow" or "import" */
	char *ref;               /* 审签单号, may be NULL */
	char created_at[32];
	/* read only, from list: */
	char *platform_name;
	int64_t unit_id;
};
void pgd_approved_item_release(struct pgd_approved_item *a); /* frees the strings; NULL ok */

/* Check the fields of a to-be-created item (platform_id > 0, title non-empty and <= 1000 bytes,
 * url NULL or an http(s) URL <= 4096 bytes, approved_at a valid YYYY-MM-DD, ref <= 200 bytes).
 * 0 or PGD_ERR_INVALID with err->field the field's API name. Does not touch the database. */
int pgd_approved_validate(const struct pgd_approved_item *a, struct pgd_err *err);

/* Create one item (a->id, created_at, approved_by, source are ignored: by and source given;
 * source "workflow" or "import"). When a->simhash is 0 the title's SimHash is not stored: a
 * simhash is only recorded when the caller knows the content's. Joins an open transaction.
 * PGD_ERR_INVALID (field), PGD_ERR_NOT_FOUND when the platform does not exist. *id_out may be NULL. */
int pgd_store_approved_create(struct pgd_store *st, const struct pgd_approved_item *a, const char *by,
	const char *source, int64_t *id_out, struct pgd_err *err);

/* One item by id (with platform_name, unit_id). PGD_ERR_NOT_FOUND when none. *out is new. */
int pgd_store_approved_get(struct pgd_store *st, int64_t id, struct pgd_approved_item *out, struct pgd_err *err);

struct pgd_approved_query {
	int page;            /* 1-based; < 1 means 1 */
	int page_size;       /* 0 means 50; capped at 500 */
	int64_t platform_id; /* 0: all */
	int64_t unit_id;     /* 0: all; else only platforms of that unit (a unit user's scope) */
	const char *search;  /* substring of title, URL or ref; NULL or "" for all */
};
struct pgd_approved_list { struct pgd_approved_item *items; size_t n; int64_t total; };
void pgd_approved_list_release(struct pgd_approved_list *l); /* NULL ok */

/* One page, newest first (approved_at desc, id desc), and the total. *out is new. */
int pgd_store_approved_list(struct pgd_store *st, const struct pgd_approved_query *q,
	struct pgd_approved_list *out, struct pgd_err *err);

/* Insert every item in one transaction (or joining the caller's): all or nothing. On a refused
 * row, *bad_index (may be NULL) is its index and err names the problem. */
int pgd_store_approved_import(struct pgd_store *st, const struct pgd_approved_item *items, size_t n,
	const char *by, size_t *bad_index, struct pgd_err *err);

/* Match an item seen on platform_id (url, title may be NULL; simhash 0 = unknown) against the
 * approved items of that platform: same normalised URL (pgd_url_normalise), else same
 * normalised title (pgd_title_normalise, non-empty), else a SimHash within
 * PGD_APPROVED_SIMHASH_BITS bits (0 never matches). 0 with *approved_id = the match's id, or 0
 * when none. Read only. */
#define PGD_APPROVED_SIMHASH_BITS 3
int pgd_store_approved_match(struct pgd_store *st, int64_t platform_id, const char *url, const char *title,
	uint64_t simhash, int64_t *approved_id, struct pgd_err *err);

/* The same match for many items of one platform (a patrol's items): the platform's approved
 * items loaded and indexed once (sorted normalised URLs and titles), then each match is
 * O(log n) for URL and title plus a scan of the SimHashes. pgd_store_approved_match is this
 * with a set of one use. *out is new: pgd_approved_set_free(). */
struct pgd_approved_set;
int pgd_store_approved_load(struct pgd_store *st, int64_t platform_id, struct pgd_approved_set **out,
	struct pgd_err *err);
/* The matching approved item's id, or 0 when none (same rules and order as above). */
int64_t pgd_approved_set_match(const struct pgd_approved_set *s, const char *url, const char *title,
	uint64_t simhash);
size_t pgd_approved_set_count(const struct pgd_approved_set *s);
void pgd_approved_set_free(struct pgd_approved_set *s); /* NULL ok */

#endif
