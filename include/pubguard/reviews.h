/* Review groups and their filings (Art. 13, 附件1), account custody and handover (Art. 17).
 * Part of the store (src/store/reviews.c, src/store/custody.c): the only SQL is there.
 *
 * A filing is immutable once written: every change of people is a new filing. Members are
 * snapshotted (name, post, phone) as filed. A unit's review group is "outdated" when a person
 * of its latest filing has left or moved to another unit, "missing" when it has no filing.
 *
 * Custody keeps one sealed secret per platform (the caller seals it with pgd_seal, aad
 * "platform:<id>", and passes the blob as hex: the store never sees plaintext). A handover
 * moves a platform's management from its manager to another formal person of the same unit;
 * confirming it sets platforms.manager_person_id in the same transaction.
 *
 * Conventions as in pubguard/store.h: 0 or a negative PGD_ERR_*, err (may be NULL) gets a
 * Chinese message and the field concerned; structs own their strings (release functions);
 * inputs are only read. Joins an open pgd_store_begin() transaction. */
#ifndef PUBGUARD_REVIEWS_H
#define PUBGUARD_REVIEWS_H

#include <stddef.h>
#include <stdint.h>

#include "pubguard/store.h"

struct pgd_err;
struct pgd_store;

/* ---- review groups and filings ---- */

enum pgd_review_duty {
	PGD_DUTY_LEADER,      /* 组长（分管负责同志）: exactly one */
	PGD_DUTY_RESPONSIBLE, /* 信息审核负责人: exactly one */
	PGD_DUTY_LIAISON,     /* 联络员: exactly one */
	PGD_DUTY_MEMBER,      /* 成员: any number */
	PGD_DUTY_COUNT
};
/* "leader" "responsible" "liaison" "member" (static; NULL out of range). */
const char *pgd_review_duty_name(enum pgd_review_duty d);
/* Chinese label: "组长（分管负责同志）" "信息审核负责人" "联络员" "成员" (static; NULL out of range). */
const char *pgd_review_duty_label(enum pgd_review_duty d);
/* Short label used in problem texts: "组长" "审核负责人" "联络员" "成员". */
const char *pgd_review_duty_short(enum pgd_review_duty d);
int pgd_review_duty_parse(const char *s, enum pgd_review_duty *out); /* 0 or PGD_ERR_INVALID */

struct pgd_filing_member {
	enum pgd_review_duty duty;
	int64_t person_id;
	char *name;  /* snapshot as filed */
	char *post;  /* snapshot; may be NULL */
	char *phone; /* snapshot; may be NULL */
	int active;  /* read: the person is still active AND still in the filing's unit */
};

struct pgd_filing {
	int64_t id;
	int64_t unit_id;
	char *unit_name;          /* read only (ignored on create) */
	char *group_name;         /* required, e.g. "某某局官方网络平台信息发布审核小组" */
	int64_t filed_by_user_id; /* 0: none (CLI, seed) */
	char *filed_by;           /* required: who filed (display name or username) */
	char filed_at[32];        /* set by the store */
	char *note;               /* optional */
	struct pgd_filing_member *members; /* in filing order: leader, responsible, liaison, members */
	size_t n_members;
};
void pgd_filing_release(struct pgd_filing *f); /* frees strings and members; NULL ok */

struct pgd_filing_list {
	struct pgd_filing *items;
	size_t n;
	int64_t total;
};
void pgd_filing_list_release(struct pgd_filing_list *l);

/* Create from f: reads unit_id, group_name, filed_by, filed_by_user_id, note and members[i]
 * .duty/.person_id (names are snapshotted from people, the given ones are ignored). Refuses
 * with PGD_ERR_INVALID (field "members" or "unit_id", message naming the person): a unit that
 * does not exist or is retired; no members; not exactly one leader, one responsible and one
 * liaison; a person that does not exist, has left, or belongs to another unit; the same person
 * twice. Members are stored leader, responsible, liaison, then members in the given order.
 * *id (may be NULL) gets the new filing's id. */
int pgd_filing_create(struct pgd_store *st, const struct pgd_filing *f, int64_t *id, struct pgd_err *err);
/* *out is new: pgd_filing_release(). NOT_FOUND when no such filing. */
int pgd_filing_get(struct pgd_store *st, int64_t id, struct pgd_filing *out, struct pgd_err *err);
/* Every filing of a unit, newest first, with members. *out is new. */
int pgd_filing_list_unit(struct pgd_store *st, int64_t unit_id, struct pgd_filing_list *out,
	struct pgd_err *err);

enum pgd_review_state {
	PGD_REVIEW_OK,       /* latest filing's people all still active in the unit */
	PGD_REVIEW_MISSING,  /* no filing */
	PGD_REVIEW_OUTDATED  /* a person of the latest filing has left or moved unit */
};
const char *pgd_review_state_name(enum pgd_review_state s); /* "ok" "missing" "outdated" */

struct pgd_review_status {
	int64_t unit_id;
	char *unit_name;
	int64_t filing_id;  /* latest filing; 0 when missing */
	char filed_at[32];  /* "" when missing */
	enum pgd_review_state state;
	char *problem;      /* NULL when ok; e.g. "成员 张三 已离职；联络员 李四 已调离本单位"; missing: "未备案审核小组" */
	struct pgd_filing_member *members; /* of the latest filing (with .active); NULL when missing */
	size_t n_members;
};
struct pgd_review_status_list {
	struct pgd_review_status *items;
	size_t n;
	int64_t total;
};
void pgd_review_status_list_release(struct pgd_review_status_list *l);

/* One row per unit (active units; retired too with q->include_inactive), ordered by unit id.
 * q->search matches the unit name; q->unit_id (0 all) restricts to that one unit. */
int pgd_review_status_list(struct pgd_store *st, const struct pgd_list_query *q,
	struct pgd_review_status_list *out, struct pgd_err *err);
/* Active units without a filing, and active units whose latest filing is outdated.
 * unit_id 0: all units; else only that unit (dashboard scope). Either out may be NULL. */
int pgd_review_counts(struct pgd_store *st, int64_t unit_id, int64_t *missing, int64_t *outdated,
	struct pgd_err *err);

/* ---- custody (Art. 17) ---- */

struct pgd_custody {
	int64_t platform_id;
	char *account;     /* the platform account name (not secret) */
	char *secret_hex;  /* hex of the pgd_seal blob (not a secret by itself) */
	char *set_by;
	char set_at[32];
};
void pgd_custody_release(struct pgd_custody *c);

/* Set or replace the custody record of an open platform. account and secret_hex required
 * (secret_hex: even-length hex); set_by required. NOT_FOUND no platform; INVALID closed. */
int pgd_custody_set(struct pgd_store *st, int64_t platform_id, const char *account, const char *secret_hex,
	const char *set_by, struct pgd_err *err);
/* *out is new. NOT_FOUND when the platform has no custody record. */
int pgd_custody_get(struct pgd_store *st, int64_t platform_id, struct pgd_custody *out, struct pgd_err *err);

struct pgd_custody_status {
	int64_t platform_id;
	char *platform_name;
	enum pgd_platform_type platform_type;
	int platform_active;        /* open */
	int64_t unit_id;
	char *unit_name;
	int64_t manager_person_id;  /* 0: none */
	char *manager_name;         /* NULL when none */
	int manager_active;         /* the manager has not left */
	int has_secret;
	char *account;              /* NULL without a custody record */
	char set_at[32];            /* "" without a custody record */
	int flagged;                /* open platform, manager left, no confirmed handover away from them */
	int64_t pending_handover_id; /* 0: none */
};
struct pgd_custody_status_list {
	struct pgd_custody_status *items;
	size_t n;
	int64_t total;
};
void pgd_custody_status_list_release(struct pgd_custody_status_list *l);

/* One row per platform (open ones; closed too with q->include_inactive), ordered by id.
 * q->search matches the platform name or account/URL; q->unit_id (0 all): that unit's. */
int pgd_custody_status_list(struct pgd_store *st, const struct pgd_list_query *q,
	struct pgd_custody_status_list *out, struct pgd_err *err);
/* Flagged platforms (see above); unit_id 0 all, else that unit's. */
int pgd_custody_count_flagged(struct pgd_store *st, int64_t unit_id, int64_t *n, struct pgd_err *err);

/* ---- handovers ---- */

enum pgd_handover_status { PGD_HANDOVER_PENDING, PGD_HANDOVER_CONFIRMED, PGD_HANDOVER_CANCELLED };
const char *pgd_handover_status_name(enum pgd_handover_status s); /* "pending" "confirmed" "cancelled" */

struct pgd_handover {
	int64_t id;
	int64_t platform_id;
	char *platform_name;
	int64_t unit_id;          /* the platform's unit */
	int64_t from_person_id;   /* the manager when it was created; 0 none */
	char *from_name;          /* NULL when none */
	int64_t to_person_id;
	char *to_name;
	char *initiated_by;
	char *note;               /* may be NULL */
	enum pgd_handover_status status;
	char created_at[32];
	char *confirmed_by;       /* who confirmed or cancelled; NULL while pending */
	char confirmed_at[32];    /* "" while pending */
};
void pgd_handover_release(struct pgd_handover *h);
struct pgd_handover_list {
	struct pgd_handover *items;
	size_t n;
	int64_t total;
};
void pgd_handover_list_release(struct pgd_handover_list *l);

/* Start a handover of platform_id to to_person_id (from = the current manager). Refuses:
 * NOT_FOUND no platform; INVALID closed platform, to_person missing/left/of another unit or
 * already the manager (field "to_person_id"); FORBIDDEN to_person not formal staff;
 * CONFLICT a pending handover of this platform exists. initiated_by required. */
int pgd_handover_create(struct pgd_store *st, int64_t platform_id, int64_t to_person_id, const char *note,
	const char *initiated_by, int64_t *id, struct pgd_err *err);
int pgd_handover_get(struct pgd_store *st, int64_t id, struct pgd_handover *out, struct pgd_err *err);
/* Confirm a pending handover. by_person_id must be its to_person (else FORBIDDEN); the
 * to_person must still be active formal staff of the platform's unit and the platform's manager
 * unchanged since it was created (else CONFLICT). Sets platforms.manager_person_id = to_person.
 * Custody stays as it is (sealed to the platform id). */
int pgd_handover_confirm(struct pgd_store *st, int64_t id, int64_t by_person_id, const char *confirmed_by,
	struct pgd_err *err);
/* Cancel a pending handover (CONFLICT when not pending). Who may cancel is the caller's rule. */
int pgd_handover_cancel(struct pgd_store *st, int64_t id, const char *cancelled_by, struct pgd_err *err);
/* Newest first. q->unit_id (0 all): platforms of that unit; q->search: platform name;
 * only_pending: only pending ones. */
int pgd_handover_list(struct pgd_store *st, const struct pgd_list_query *q, int only_pending,
	struct pgd_handover_list *out, struct pgd_err *err);
/* Pending handovers; unit_id 0 all, else of that unit's platforms. */
int pgd_handover_count_pending(struct pgd_store *st, int64_t unit_id, int64_t *n, struct pgd_err *err);

#endif
