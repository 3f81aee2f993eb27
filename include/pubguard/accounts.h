/* Accounts in the store: users bound to people, their roles, login failures and account
 * locks (keyed by the username as typed), sessions (only the SM3 hex of the cookie token is
 * stored), key/value settings, and an online backup of the whole database.
 *
 * Roles are passed as bit sets: bit i (1u << i) is the i-th name of pgd_account_role_names,
 * which has the SAME order as enum pgd_role in src/server/server.h (checked there with a
 * _Static_assert). The store keeps the names as text in user_roles.role.
 *
 * Every fallible function returns 0 or a negative enum pgd_errcode and fills err (may be
 * NULL) with a Chinese message. Timestamps are ISO 8601 UTC text "YYYY-MM-DDTHH:MM:SSZ";
 * an empty string means "none". Functions that take a time_t take it so tests can move the
 * clock; pass time(NULL) in real use. */
#ifndef PUBGUARD_ACCOUNTS_H
#define PUBGUARD_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct pgd_err;
struct pgd_store;
struct pgd_list_query;

/* ---- roles ---- */

/* Positions in pgd_account_role_names (the store's view of enum pgd_role; the server checks
 * each against its enum with a _Static_assert). */
enum pgd_account_role {
	PGD_ACCOUNT_ROLE_AUTHOR,
	PGD_ACCOUNT_ROLE_PROOFREADER,
	PGD_ACCOUNT_ROLE_SECRECY_REVIEWER,
	PGD_ACCOUNT_ROLE_REVIEW_RESPONSIBLE,
	PGD_ACCOUNT_ROLE_LIAISON,
	PGD_ACCOUNT_ROLE_PRINCIPAL_HEAD,
	PGD_ACCOUNT_ROLE_SUPERVISING_LEADER,
	PGD_ACCOUNT_ROLE_OFFICE_OPERATOR,
	PGD_ACCOUNT_ROLE_OFFICE_ADMIN,
	PGD_ACCOUNT_ROLE_SECRECY_OFFICE,
	PGD_ACCOUNT_ROLE_EGOV_CENTRE,
	PGD_ACCOUNT_ROLE_SYSTEM_ADMIN,
	PGD_ACCOUNT_ROLE_SECURITY_ADMIN,
	PGD_ACCOUNT_ROLE_AUDIT_ADMIN,
	PGD_ACCOUNT_ROLE_COUNT
};
extern const char *const pgd_account_role_names[PGD_ACCOUNT_ROLE_COUNT];
/* Index of a role name, or -1. */
int pgd_account_role_index(const char *name);
#define PGD_ACCOUNT_ROLES_ALL ((1u << PGD_ACCOUNT_ROLE_COUNT) - 1u)

/* ISO 8601 UTC text of t into out. */
void pgd_time_iso(time_t t, char out[32]);
/* Parse "YYYY-MM-DDTHH:MM:SSZ" into *t. 0, or PGD_ERR_INVALID. */
int pgd_time_parse_iso(const char *s, time_t *t);

/* ---- users ---- */

#define PGD_USERNAME_MAX 64 /* buffer size: a username has at most 63 bytes */

struct pgd_user {
	int64_t id;
	char *username;            /* unique; 1..63 bytes of [A-Za-z0-9._-] */
	char *display_name;        /* required, at most 127 bytes */
	int64_t person_id;         /* 0: not bound to a person */
	int64_t unit_id;           /* the person's unit (read only; 0 when none) */
	char *unit_name;           /* the person's unit's name (read only; NULL when none) */
	char *password_hash;       /* Argon2id PHC string; filled by get/get_by_username only */
	uint32_t roles;            /* bit i = pgd_account_role_names[i] */
	int active;                /* 1 active, 0 disabled */
	int must_change_password;  /* 1: must change at next login */
	char locked_until[32];     /* read only: set when the username is locked now, else "" */
	char password_changed_at[32];
	char last_login_at[32];    /* "" when never */
	char created_at[32];
	char updated_at[32];
};
/* Frees the strings (the hash is wiped first); NULL ok. */
void pgd_user_release(struct pgd_user *u);

struct pgd_user_list {
	struct pgd_user *items; /* password_hash is NULL in list items */
	size_t n;
	int64_t total;
};
void pgd_user_list_release(struct pgd_user_list *l);

/* Create from u: username, display_name, person_id (0 or an existing person), password_hash
 * (required), roles, must_change_password; active is 1. Duplicate username -> CONFLICT; bad
 * username or display name or unknown person -> INVALID. *id (may be NULL) gets the new id. */
int pgd_user_create(struct pgd_store *st, const struct pgd_user *u, int64_t *id, struct pgd_err *err);
/* *out is filled with new strings including password_hash: pgd_user_release(). NOT_FOUND. */
int pgd_user_get(struct pgd_store *st, int64_t id, struct pgd_user *out, struct pgd_err *err);
/* Exact username. NOT_FOUND when there is no such user. */
int pgd_user_get_by_username(struct pgd_store *st, const char *username, struct pgd_user *out,
	struct pgd_err *err);
/* Update display_name, person_id and active of user u->id. */
int pgd_user_update(struct pgd_store *st, const struct pgd_user *u, struct pgd_err *err);
/* Ordered by id. q->search matches username or display name; q->unit_id the person's unit;
 * disabled users only with q->include_inactive. *out is new: pgd_user_list_release(). */
int pgd_user_list(struct pgd_store *st, const struct pgd_list_query *q, struct pgd_user_list *out,
	struct pgd_err *err);
/* Replace the user's roles with the bit set (unknown bits -> INVALID). */
int pgd_user_set_roles(struct pgd_store *st, int64_t id, uint32_t roles, struct pgd_err *err);
/* Store a new password hash, set must_change_password and password_changed_at = now. */
int pgd_user_set_password(struct pgd_store *st, int64_t id, const char *password_hash,
	int must_change, struct pgd_err *err);
/* last_login_at = now. */
int pgd_user_touch_login(struct pgd_store *st, int64_t id, struct pgd_err *err);
/* Number of users (all statuses). */
int pgd_user_count(struct pgd_store *st, int64_t *n, struct pgd_err *err);

/* ---- login failures and locks (keyed by the username as typed, known or not) ---- */

int pgd_login_failure_add(struct pgd_store *st, const char *username, const char *remote, time_t at,
	struct pgd_err *err);
/* Failures of username at or after since. */
int pgd_login_failure_count(struct pgd_store *st, const char *username, time_t since, int64_t *n,
	struct pgd_err *err);
/* Forget the username's failures (after a good login or an unlock). */
int pgd_login_failures_clear(struct pgd_store *st, const char *username, struct pgd_err *err);
/* Lock username until the given time (replaces an existing lock). */
int pgd_account_lock(struct pgd_store *st, const char *username, time_t until, struct pgd_err *err);
/* *until = the lock's end when username is locked at now, else 0. */
int pgd_account_locked_until(struct pgd_store *st, const char *username, time_t now, time_t *until,
	struct pgd_err *err);
/* Remove the lock and the failures. */
int pgd_account_unlock(struct pgd_store *st, const char *username, struct pgd_err *err);

/* ---- sessions ---- */

struct pgd_session {
	char token_hash[65]; /* SM3 hex of the cookie token */
	int64_t user_id;
	char csrf[65];       /* CSRF token (hex) */
	char created_at[32];
	char last_seen_at[32];
	char remote[64];     /* may be "" */
};

/* Insert s (all fields as given). */
int pgd_session_create(struct pgd_store *st, const struct pgd_session *s, struct pgd_err *err);
/* NOT_FOUND when there is no such session. */
int pgd_session_get(struct pgd_store *st, const char *token_hash, struct pgd_session *out,
	struct pgd_err *err);
/* last_seen_at = at. */
int pgd_session_touch(struct pgd_store *st, const char *token_hash, time_t at, struct pgd_err *err);
int pgd_session_delete(struct pgd_store *st, const char *token_hash, struct pgd_err *err);
/* Every session of the user (password change, disable, role change). */
int pgd_session_delete_user(struct pgd_store *st, int64_t user_id, struct pgd_err *err);
/* Delete sessions last seen before idle_before or created before created_before;
 * *n (may be NULL) gets the number deleted. */
int pgd_session_purge(struct pgd_store *st, time_t idle_before, time_t created_before, int64_t *n,
	struct pgd_err *err);

/* ---- settings (key/value text) ---- */

/* *value is new (free()); NOT_FOUND when unset. */
int pgd_setting_get(struct pgd_store *st, const char *key, char **value, struct pgd_err *err);
int pgd_setting_set(struct pgd_store *st, const char *key, const char *value, struct pgd_err *err);

/* ---- backup ---- */

/* Copy the whole database, consistent, into dest_path (must not exist) while other
 * connections keep working; the copy is written to a temporary name and renamed. */
int pgd_store_backup(struct pgd_store *st, const char *dest_path, struct pgd_err *err);

#endif
