/* The store: the only module that speaks SQL. An opaque handle over a backend (SQLite now,
 * PostgreSQL later), numbered migrations, transactions, and the registry of units, people and
 * platforms (Art. 2, 3, 12, 13, 17) as functions named for what they mean.
 *
 * Every fallible function returns 0 or a negative enum pgd_errcode and fills err (may be NULL)
 * with a Chinese message. Notable codes: PGD_ERR_NOT_FOUND (no such id), PGD_ERR_INVALID (bad
 * field value, or a referenced unit/person does not exist), PGD_ERR_CONFLICT (duplicate name or
 * account), PGD_ERR_FORBIDDEN (a rule of the regulation forbids it, e.g. a non-formal person as
 * platform manager), PGD_ERR_IO (the database failed).
 *
 * Timestamps are ISO 8601 UTC text "YYYY-MM-DDTHH:MM:SSZ". Ids are positive; 0 means "none".
 * A handle is not thread-safe: one per thread (SQLite WAL lets them share a file). */
#ifndef PUBGUARD_STORE_H
#define PUBGUARD_STORE_H

#include <stddef.h>
#include <stdint.h>

struct pgd_err;
struct pgd_store;

/* ---- handle, migrations, transactions ---- */

/* Open (creating if missing) the SQLite database at path, with WAL, foreign keys on,
 * synchronous=FULL and a busy timeout (":memory:" opens a private in-memory database, without
 * WAL, for tests). Does not migrate. *out is new: pgd_store_close(). */
int pgd_store_open(struct pgd_store **out, const char *path, struct pgd_err *err);
void pgd_store_close(struct pgd_store *st); /* NULL ok */

/* Apply every pending numbered migration, each in its own transaction. Idempotent.
 * Refuses (PGD_ERR_INVALID) a database migrated by a newer program. */
int pgd_store_migrate(struct pgd_store *st, struct pgd_err *err);
/* Highest applied migration (0 for a fresh database) and the highest this program knows. */
int pgd_store_schema_version(struct pgd_store *st, int *applied, struct pgd_err *err);
int pgd_store_latest_version(void);

/* Explicit transactions. While one is open, the registry functions join it instead of
 * opening their own, so several changes commit or roll back together. Not nestable. */
int pgd_store_begin(struct pgd_store *st, struct pgd_err *err);
int pgd_store_commit(struct pgd_store *st, struct pgd_err *err);
int pgd_store_rollback(struct pgd_store *st, struct pgd_err *err);

/* ---- enumerations (stored as their English names) ---- */

enum pgd_unit_kind {
	PGD_UNIT_TOWN,       /* town / street */
	PGD_UNIT_DEPARTMENT,
	PGD_UNIT_ORGAN,
	PGD_UNIT_PEOPLE_ORG, /* people's organisation */
	PGD_UNIT_PARK,
	PGD_UNIT_ENTERPRISE,
	PGD_UNIT_KIND_COUNT
};

enum pgd_staff_type {
	PGD_STAFF_FORMAL,         /* 正式 */
	PGD_STAFF_TEMPORARY,      /* 临聘 */
	PGD_STAFF_PUBLIC_WELFARE, /* 公益性岗位 */
	PGD_STAFF_TYPE_COUNT
};

enum pgd_platform_type { /* Art. 2 */
	PGD_PLATFORM_WEBSITE,
	PGD_PLATFORM_WECHAT,
	PGD_PLATFORM_WEIBO,
	PGD_PLATFORM_APP,
	PGD_PLATFORM_DOUYIN,
	PGD_PLATFORM_TOUTIAO,
	PGD_PLATFORM_BAIJIAHAO,
	PGD_PLATFORM_YIDIAN,
	PGD_PLATFORM_THEPAPER,
	PGD_PLATFORM_OTHER,
	PGD_PLATFORM_TYPE_COUNT
};

/* English name (static storage; NULL when out of range) and parse (0, or PGD_ERR_INVALID). */
const char *pgd_unit_kind_name(enum pgd_unit_kind k);
int pgd_unit_kind_parse(const char *s, enum pgd_unit_kind *out);
const char *pgd_staff_type_name(enum pgd_staff_type t);
int pgd_staff_type_parse(const char *s, enum pgd_staff_type *out);
const char *pgd_platform_type_name(enum pgd_platform_type t);
int pgd_platform_type_parse(const char *s, enum pgd_platform_type *out);

/* ---- records. String fields are owned by the struct (free with the _release function);
 * optional ones may be NULL. On create/update the store reads them and does not keep them. */

struct pgd_unit {
	int64_t id;
	int64_t parent_id;                /* 0: top level */
	char *name;                       /* unique */
	enum pgd_unit_kind kind;
	char *party_body;                 /* responsible party body; optional */
	int64_t principal_head_person_id; /* 0: none; must be an active person of this unit */
	int active;                       /* 1 active, 0 retired */
	char created_at[32];
	char updated_at[32];
	char *parent_name;                /* read only: the parent's name from get/list; NULL when none */
};

struct pgd_person {
	int64_t id;
	int64_t unit_id;
	char *name;
	char *post;  /* optional */
	enum pgd_staff_type staff_type;
	char *phone; /* optional */
	int active;  /* 1 active, 0 left */
	char created_at[32];
	char updated_at[32];
	char *unit_name; /* read only: the unit's name from get/list */
};

struct pgd_platform {
	int64_t id;
	int64_t unit_id;
	char *name;
	enum pgd_platform_type type;
	char *url_or_account;     /* URL or account id; unique per type */
	char *site_code;          /* 标识码 of a government website; optional */
	int certified;            /* 1 certified */
	char *entry_point;        /* feed / crawl entry point; optional */
	int64_t manager_person_id; /* 0: none; must be an active formal person */
	int active;               /* 1 open, 0 closed */
	char created_at[32];
	char updated_at[32];
	char *unit_name;          /* read only: the unit's name from get/list */
	char *manager_name;       /* read only: the manager's name from get/list; NULL when none */
};

void pgd_unit_release(struct pgd_unit *u);         /* frees the strings; NULL ok */
void pgd_person_release(struct pgd_person *p);
void pgd_platform_release(struct pgd_platform *p);

/* ---- list queries ---- */

struct pgd_list_query {
	int page;             /* 1-based; < 1 means 1 */
	int page_size;        /* 0 means 50; capped at 500 */
	const char *search;   /* case-insensitive substring of the name (people: also post; platforms: also URL/account); NULL or "" for all */
	int64_t unit_id;      /* 0 for all; units: that unit and its descendants; people/platforms: that unit */
	int include_inactive; /* also retired units, people who left, closed platforms */
};

struct pgd_unit_list     { struct pgd_unit *items; size_t n; int64_t total; };
struct pgd_person_list   { struct pgd_person *items; size_t n; int64_t total; };
struct pgd_platform_list { struct pgd_platform *items; size_t n; int64_t total; };
void pgd_unit_list_release(struct pgd_unit_list *l);
void pgd_person_list_release(struct pgd_person_list *l);
void pgd_platform_list_release(struct pgd_platform_list *l);

/* ---- units ---- */

/* Create from u (id, active and timestamps ignored); the new id goes to *id (may be NULL). */
int pgd_unit_create(struct pgd_store *st, const struct pgd_unit *u, int64_t *id, struct pgd_err *err);
/* *out is filled with new strings: pgd_unit_release(). */
int pgd_unit_get(struct pgd_store *st, int64_t id, struct pgd_unit *out, struct pgd_err *err);
/* Update the editable fields of unit u->id (not active). Refuses a parent that would make a cycle. */
int pgd_unit_update(struct pgd_store *st, const struct pgd_unit *u, struct pgd_err *err);
/* Mark retired; the row, its people and platforms stay for the record. Refused (CONFLICT)
 * while it has active sub-units or open platforms. Retired units take no new people or
 * platforms (create or move: INVALID); their existing rows stay editable. */
int pgd_unit_retire(struct pgd_store *st, int64_t id, struct pgd_err *err);
/* Ordered by id. *out is new: pgd_unit_list_release(). */
int pgd_unit_list(struct pgd_store *st, const struct pgd_list_query *q, struct pgd_unit_list *out,
	struct pgd_err *err);

/* ---- people ---- */

int pgd_person_create(struct pgd_store *st, const struct pgd_person *p, int64_t *id, struct pgd_err *err);
int pgd_person_get(struct pgd_store *st, int64_t id, struct pgd_person *out, struct pgd_err *err);
/* Refuses (FORBIDDEN) to make a non-formal person of someone who manages an open platform. */
int pgd_person_update(struct pgd_store *st, const struct pgd_person *p, struct pgd_err *err);
/* Mark left; the row stays. Platforms they manage keep the reference (flagged elsewhere). */
int pgd_person_leave(struct pgd_store *st, int64_t id, struct pgd_err *err);
int pgd_person_list(struct pgd_store *st, const struct pgd_list_query *q, struct pgd_person_list *out,
	struct pgd_err *err);

/* ---- platforms ---- */

/* A manager whose staff type is not formal is refused with PGD_ERR_FORBIDDEN; one who left,
 * or who does not exist, with PGD_ERR_INVALID. */
int pgd_platform_create(struct pgd_store *st, const struct pgd_platform *p, int64_t *id, struct pgd_err *err);
int pgd_platform_get(struct pgd_store *st, int64_t id, struct pgd_platform *out, struct pgd_err *err);
int pgd_platform_update(struct pgd_store *st, const struct pgd_platform *p, struct pgd_err *err);
/* Mark closed; the row stays. */
int pgd_platform_close(struct pgd_store *st, int64_t id, struct pgd_err *err);
int pgd_platform_list(struct pgd_store *st, const struct pgd_list_query *q, struct pgd_platform_list *out,
	struct pgd_err *err);

/* ---- dashboard figures ---- */

struct pgd_registry_stats {
	int64_t units;     /* active units */
	int64_t people;    /* active people */
	int64_t platforms; /* open platforms */
	int64_t closed;    /* closed platforms */
	int64_t by_type[PGD_PLATFORM_TYPE_COUNT]; /* open platforms per type */
};
/* Figures of one unit (unit_id > 0: that unit alone, not its sub-units) or of the whole city
 * (unit_id 0). A unit id that does not exist gives zeros. */
int pgd_registry_stats(struct pgd_store *st, int64_t unit_id, struct pgd_registry_stats *out,
	struct pgd_err *err);

struct pgd_unit_count {
	int64_t unit_id;
	char *unit_name;
	int64_t count;
};
struct pgd_unit_count_list { struct pgd_unit_count *items; size_t n; };
void pgd_unit_count_list_release(struct pgd_unit_count_list *l); /* NULL ok */
/* Units by number of open platforms, most first (ties: lower unit id first), units without
 * open platforms left out; at most limit rows (1..500). unit_id > 0 restricts to that unit.
 * *out is new: pgd_unit_count_list_release(). */
int pgd_platform_count_by_unit(struct pgd_store *st, int64_t unit_id, int limit,
	struct pgd_unit_count_list *out, struct pgd_err *err);

/* ---- audit log: an append-only SM3 hash chain (see src/store/audit.c) ---- */

#define PGD_AUDIT_TEXT_MAX (1u << 20) /* bytes, any one field */

/* Append one entry: who (actor, required), did what (action, required), to what (subject,
 * optional), with the state before and after as JSON text (optional). Joins the caller's
 * transaction when one is open, otherwise runs in its own. Wrap a change and its audit entry
 * in one pgd_store_begin/commit: if the append fails, roll back and the change fails too.
 * *seq (may be NULL) receives the new entry's number. */
int pgd_audit_append(struct pgd_store *st, const char *actor, const char *action, const char *subject,
	const char *before_json, const char *after_json, int64_t *seq, struct pgd_err *err);
/* Recompute the chain over every entry in seq order and compare with the stored links and the
 * head. 0 when intact (*count, may be NULL, gets the number of entries); PGD_ERR_INTEGRITY with
 * *bad_seq = the first entry whose content or link is wrong (a deleted entry names the one
 * after it; a cut-off tail names the head's seq) and a Chinese message naming it; other
 * negative codes when the database fails. */
int pgd_audit_verify(struct pgd_store *st, int64_t *bad_seq, int64_t *count, struct pgd_err *err);

struct pgd_audit_entry {
	int64_t seq;
	char at[32];
	char *actor;
	char *action;
	char *subject;     /* may be NULL */
	char *before_json; /* may be NULL */
	char *after_json;  /* may be NULL */
};
struct pgd_audit_list { struct pgd_audit_entry *items; size_t n; int64_t total; };
void pgd_audit_list_release(struct pgd_audit_list *l); /* NULL ok */

/* Filters of pgd_audit_list; NULL or "" leaves a filter out. */
struct pgd_audit_query {
	int page;           /* 1-based; < 1 means 1 */
	int page_size;      /* 0 means 50; capped at 500 */
	const char *actor;  /* exact user name */
	const char *action; /* exact action ("platform.create"), or its area ("platform" matches "platform.*") */
	const char *since;  /* entries at or after: "YYYY-MM-DD" (from 00:00:00) or "YYYY-MM-DDTHH:MM:SSZ" */
	const char *until;  /* entries at or before: "YYYY-MM-DD" (to 23:59:59) or a full timestamp */
};
/* One page of entries, newest first (seq descending), and the total that match (without any
 * filter: the head's seq, which is the number of entries of an intact log; pgd_audit_verify
 * says whether it is). A malformed since/until is refused with PGD_ERR_INVALID naming the
 * field. *out is new: pgd_audit_list_release(). */
int pgd_audit_list(struct pgd_store *st, const struct pgd_audit_query *q, struct pgd_audit_list *out,
	struct pgd_err *err);

#endif
