/* Accounts: users and their roles, login failures and locks, sessions, settings
 * (include/pubguard/accounts.h). Validation with Chinese messages happens here; the schema's
 * constraints (migration 0003) are the backstop. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pubguard/accounts.h"
#include "pubguard/mem.h"
#include "store/internal.h"
#include "core/banned.h"

#define DISPLAY_NAME_MAX 127 /* bytes */
#define SETTING_MAX 4096     /* bytes, key or value */

const char *const pgd_account_role_names[PGD_ACCOUNT_ROLE_COUNT] = {
	[PGD_ACCOUNT_ROLE_AUTHOR] = "author",
	[PGD_ACCOUNT_ROLE_PROOFREADER] = "proofreader",
	[PGD_ACCOUNT_ROLE_SECRECY_REVIEWER] = "secrecy_reviewer",
	[PGD_ACCOUNT_ROLE_REVIEW_RESPONSIBLE] = "review_responsible",
	[PGD_ACCOUNT_ROLE_LIAISON] = "liaison",
	[PGD_ACCOUNT_ROLE_PRINCIPAL_HEAD] = "principal_head",
	[PGD_ACCOUNT_ROLE_SUPERVISING_LEADER] = "supervising_leader",
	[PGD_ACCOUNT_ROLE_OFFICE_OPERATOR] = "office_operator",
	[PGD_ACCOUNT_ROLE_OFFICE_ADMIN] = "office_admin",
	[PGD_ACCOUNT_ROLE_SECRECY_OFFICE] = "secrecy_office",
	[PGD_ACCOUNT_ROLE_EGOV_CENTRE] = "egov_centre",
	[PGD_ACCOUNT_ROLE_SYSTEM_ADMIN] = "system_admin",
	[PGD_ACCOUNT_ROLE_SECURITY_ADMIN] = "security_admin",
	[PGD_ACCOUNT_ROLE_AUDIT_ADMIN] = "audit_admin",
};

int pgd_account_role_index(const char *name)
{
	for (int i = 0; name && i < PGD_ACCOUNT_ROLE_COUNT; i++)
		if (strcmp(pgd_account_role_names[i], name) == 0)
			return i;
	return -1;
}

void pgd_time_iso(time_t t, char out[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Digits s[0..n-1] as a number, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int pgd_time_parse_iso(const char *s, time_t *t)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return PGD_ERR_INVALID;
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
		return PGD_ERR_INVALID;
	*t = timegm(&tm);
	return 0;
}

/* ---- users ---- */

void pgd_user_release(struct pgd_user *u)
{
	if (u == NULL)
		return;
	free(u->username);
	free(u->display_name);
	free(u->unit_name);
	if (u->password_hash) {
		pgd_wipe(u->password_hash, strlen(u->password_hash));
		free(u->password_hash);
	}
	u->username = u->display_name = u->unit_name = u->password_hash = NULL;
}

void pgd_user_list_release(struct pgd_user_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		pgd_user_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int check_username(const char *u, struct pgd_err *err)
{
	size_t n = u ? strlen(u) : 0;
	if (n == 0)
		return pgd_err_set(err, PGD_ERR_INVALID, "username", "用户名不能为空");
	if (n >= PGD_USERNAME_MAX)
		return pgd_err_set(err, PGD_ERR_INVALID, "username", "用户名过长（不超过 %d 个字符）",
			PGD_USERNAME_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		char c = u[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			    c == '_' || c == '-'))
			return pgd_err_set(err, PGD_ERR_INVALID, "username",
				"用户名「%s」含有不允许的字符（只能使用字母、数字、点、下划线和连字符）", u);
	}
	return 0;
}

static int check_user_fields(struct pgd_store *st, const struct pgd_user *u, struct pgd_err *err)
{
	int64_t n = 0;
	int rc = 0;
	if (u->display_name == NULL || *u->display_name == '\0')
		return pgd_err_set(err, PGD_ERR_INVALID, "display_name", "姓名（显示名）不能为空");
	if (strlen(u->display_name) > DISPLAY_NAME_MAX)
		return pgd_err_set(err, PGD_ERR_INVALID, "display_name", "姓名（显示名）过长（不超过 %d 字节）",
			DISPLAY_NAME_MAX);
	if (u->person_id < 0)
		return pgd_err_set(err, PGD_ERR_INVALID, "person_id", "人员编号无效");
	if (u->person_id > 0) {
		rc = pgd_store_query_int(st, &n, err, "SELECT COUNT(*) FROM people WHERE id = $1", "i", u->person_id);
		if (rc == 0 && n == 0)
			rc = pgd_err_set(err, PGD_ERR_INVALID, "person_id", "人员（编号 %" PRId64 "）不存在",
				u->person_id);
	}
	return rc;
}

static int write_roles(struct pgd_store *st, int64_t id, uint32_t roles, struct pgd_err *err)
{
	int rc;
	if (roles & ~PGD_ACCOUNT_ROLES_ALL)
		return pgd_err_set(err, PGD_ERR_INVALID, "roles", "角色无效");
	rc = pgd_store_execp(st, NULL, err, "DELETE FROM user_roles WHERE user_id = $1", "i", id);
	for (int i = 0; rc == 0 && i < PGD_ACCOUNT_ROLE_COUNT; i++)
		if (roles & (1u << i))
			rc = pgd_store_execp(st, NULL, err, "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)", "is",
				id, pgd_account_role_names[i]);
	return rc;
}

int pgd_user_create(struct pgd_store *st, const struct pgd_user *u, int64_t *id, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	char now[32];
	int64_t new_id = 0;
	int own = 0, rc;

	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = check_username(u->username, err);
	if (rc == 0)
		rc = check_user_fields(st, u, err);
	if (rc == 0 && (u->password_hash == NULL || *u->password_hash == '\0'))
		rc = pgd_err_set(err, PGD_ERR_INVALID, "password", "密码不能为空");
	if (rc < 0)
		goto out;
	pgd_store_now(now);
	rc = pgd_store_prep(st, &s, err,
		"INSERT INTO users (username, display_name, person_id, password_hash, must_change_password, status,"
		" password_changed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'active', $6, $6, $6)"
		" RETURNING id", "ssIsis",
		u->username, u->display_name, u->person_id, u->password_hash, (int64_t)(u->must_change_password != 0),
		now);
	if (rc < 0)
		goto out;
	rc = st->be->step(s, err);
	if (rc == 1) {
		new_id = st->be->col_int(s, 0);
		rc = st->be->step(s, err);
	}
	if (rc == PGD_ERR_CONFLICT)
		rc = pgd_err_set(err, rc, "username", "用户名「%s」已存在", u->username);
	if (rc == 0)
		rc = write_roles(st, new_id, u->roles, err);
	if (rc == 0 && id)
		*id = new_id;
out:
	st->be->finalize(s);
	return pgd_store_tx_leave(st, own, rc, err);
}

/* u: the user; p: its person; un: the person's unit; l: a current lock ($1 = now) */
#define USER_COLS                                                                                   \
	"u.id, u.username, u.display_name, u.person_id, p.unit_id, un.name, u.must_change_password,"    \
	" u.status, l.locked_until, u.password_changed_at, u.last_login_at, u.created_at, u.updated_at," \
	" u.password_hash"
#define USER_FROM                                                                                 \
	" FROM users u LEFT JOIN people p ON p.id = u.person_id LEFT JOIN units un ON un.id = p.unit_id" \
	" LEFT JOIN account_locks l ON l.username = u.username AND l.locked_until > $1"

static void user_read(struct pgd_store *st, struct pgd_stmt *s, struct pgd_user *u, int with_hash)
{
	const char *status = st->be->col_text(s, 7);
	u->id = st->be->col_int(s, 0);
	u->username = pgd_store_dup_col(st, s, 1);
	u->display_name = pgd_store_dup_col(st, s, 2);
	u->person_id = st->be->col_int(s, 3);
	u->unit_id = st->be->col_int(s, 4);
	u->unit_name = pgd_store_dup_col(st, s, 5);
	u->must_change_password = st->be->col_int(s, 6) != 0;
	u->active = status && strcmp(status, "active") == 0;
	pgd_store_copy_ts(u->locked_until, st->be->col_text(s, 8));
	pgd_store_copy_ts(u->password_changed_at, st->be->col_text(s, 9));
	pgd_store_copy_ts(u->last_login_at, st->be->col_text(s, 10));
	pgd_store_copy_ts(u->created_at, st->be->col_text(s, 11));
	pgd_store_copy_ts(u->updated_at, st->be->col_text(s, 12));
	if (with_hash)
		u->password_hash = pgd_store_dup_col(st, s, 13);
}

static int read_roles(struct pgd_store *st, int64_t id, uint32_t *roles, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc = pgd_store_prep(st, &s, err, "SELECT role FROM user_roles WHERE user_id = $1", "i", id);
	*roles = 0;
	if (rc < 0)
		return rc;
	while ((rc = st->be->step(s, err)) == 1) {
		int i = pgd_account_role_index(st->be->col_text(s, 0));
		if (i >= 0)
			*roles |= 1u << i;
	}
	st->be->finalize(s);
	return rc;
}

/* by_name: look up by $2 = username, else by $2 = id. */
static int user_get(struct pgd_store *st, int64_t id, const char *username, struct pgd_user *out,
	struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	char now[32];
	int rc;
	memset(out, 0, sizeof(*out));
	pgd_store_now(now);
	if (username)
		rc = pgd_store_prep(st, &s, err, "SELECT " USER_COLS USER_FROM " WHERE u.username = $2", "ss", now,
			username);
	else
		rc = pgd_store_prep(st, &s, err, "SELECT " USER_COLS USER_FROM " WHERE u.id = $2", "si", now, id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		user_read(st, s, out, 1);
		rc = 0;
	} else if (rc == 0) {
		if (username)
			rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "username", "用户「%s」不存在", username);
		else
			rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "用户（编号 %" PRId64 "）不存在", id);
	}
	st->be->finalize(s);
	if (rc == 0)
		rc = read_roles(st, out->id, &out->roles, err);
	if (rc < 0)
		pgd_user_release(out);
	return rc;
}

int pgd_user_get(struct pgd_store *st, int64_t id, struct pgd_user *out, struct pgd_err *err)
{
	return user_get(st, id, NULL, out, err);
}

int pgd_user_get_by_username(struct pgd_store *st, const char *username, struct pgd_user *out,
	struct pgd_err *err)
{
	if (username == NULL) {
		memset(out, 0, sizeof(*out));
		return pgd_err_set(err, PGD_ERR_INVALID, "username", "用户名不能为空");
	}
	return user_get(st, 0, username, out, err);
}

int pgd_user_update(struct pgd_store *st, const struct pgd_user *u, struct pgd_err *err)
{
	char now[32];
	int64_t changes = 0;
	int own = 0, rc;

	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = check_user_fields(st, u, err);
	if (rc == 0) {
		pgd_store_now(now);
		rc = pgd_store_execp(st, &changes, err,
			"UPDATE users SET display_name = $2, person_id = $3, status = $4, updated_at = $5 WHERE id = $1",
			"isIss", u->id, u->display_name, u->person_id, u->active ? "active" : "disabled", now);
	}
	if (rc == 0 && changes == 0)
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "用户（编号 %" PRId64 "）不存在", u->id);
	return pgd_store_tx_leave(st, own, rc, err);
}

/* $1 now, $2 unit, $3 pattern, $4 include disabled, $5 limit, $6 offset */
#define USER_WHERE                                                                       \
	" WHERE ($2 = 0 OR p.unit_id = $2)"                                                  \
	" AND (lower(u.username) LIKE lower($3) ESCAPE '\\' OR lower(u.display_name) LIKE lower($3) ESCAPE '\\')" \
	" AND ($4 = 1 OR u.status = 'active')"

int pgd_user_list(struct pgd_store *st, const struct pgd_list_query *q, struct pgd_user_list *out,
	struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int page = q && q->page > 1 ? q->page : 1;
	int64_t size = q && q->page_size > 0 ? q->page_size : 50;
	int64_t unit = q ? q->unit_id : 0, inactive = q && q->include_inactive;
	char *pat = pgd_store_like_pattern(q ? q->search : NULL);
	char now[32];
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (size > 500)
		size = 500;
	pgd_store_now(now);
	rc = pgd_store_query_int(st, &out->total, err, "SELECT COUNT(*)" USER_FROM USER_WHERE, "sisi", now, unit,
		pat, inactive);
	if (rc < 0)
		goto out;
	rc = pgd_store_prep(st, &s, err, "SELECT " USER_COLS USER_FROM USER_WHERE " ORDER BY u.id LIMIT $5 OFFSET $6",
		"sisiii", now, unit, pat, inactive, size, (int64_t)(page - 1) * size);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		PGD_GROW(out->items, out->n + 1, cap);
		memset(&out->items[out->n], 0, sizeof(out->items[0]));
		user_read(st, s, &out->items[out->n], 0);
		out->n++;
	}
	st->be->finalize(s);
	s = NULL;
	for (size_t i = 0; rc == 0 && i < out->n; i++)
		rc = read_roles(st, out->items[i].id, &out->items[i].roles, err);
out:
	st->be->finalize(s);
	free(pat);
	if (rc < 0)
		pgd_user_list_release(out);
	return rc;
}

static int user_exists(struct pgd_store *st, int64_t id, struct pgd_err *err)
{
	int64_t n = 0;
	int rc = pgd_store_query_int(st, &n, err, "SELECT COUNT(*) FROM users WHERE id = $1", "i", id);
	if (rc == 0 && n == 0)
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "用户（编号 %" PRId64 "）不存在", id);
	return rc;
}

int pgd_user_set_roles(struct pgd_store *st, int64_t id, uint32_t roles, struct pgd_err *err)
{
	char now[32];
	int own = 0, rc;

	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = user_exists(st, id, err);
	if (rc == 0)
		rc = write_roles(st, id, roles, err);
	if (rc == 0) {
		pgd_store_now(now);
		rc = pgd_store_execp(st, NULL, err, "UPDATE users SET updated_at = $2 WHERE id = $1", "is", id, now);
	}
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_user_set_password(struct pgd_store *st, int64_t id, const char *password_hash, int must_change,
	struct pgd_err *err)
{
	char now[32];
	int64_t changes = 0;
	int rc;

	if (password_hash == NULL || *password_hash == '\0')
		return pgd_err_set(err, PGD_ERR_INVALID, "password", "密码不能为空");
	pgd_store_now(now);
	rc = pgd_store_execp(st, &changes, err,
		"UPDATE users SET password_hash = $2, must_change_password = $3, password_changed_at = $4,"
		" updated_at = $4 WHERE id = $1", "isis", id, password_hash, (int64_t)(must_change != 0), now);
	if (rc == 0 && changes == 0)
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "用户（编号 %" PRId64 "）不存在", id);
	return rc;
}

int pgd_user_touch_login(struct pgd_store *st, int64_t id, struct pgd_err *err)
{
	char now[32];
	int64_t changes = 0;
	int rc;
	pgd_store_now(now);
	rc = pgd_store_execp(st, &changes, err, "UPDATE users SET last_login_at = $2 WHERE id = $1", "is", id, now);
	if (rc == 0 && changes == 0)
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "用户（编号 %" PRId64 "）不存在", id);
	return rc;
}

int pgd_user_count(struct pgd_store *st, int64_t *n, struct pgd_err *err)
{
	return pgd_store_query_int(st, n, err, "SELECT COUNT(*) FROM users", "");
}

/* ---- login failures and locks ---- */

static int check_key_name(const char *username, struct pgd_err *err)
{
	if (username == NULL || *username == '\0')
		return pgd_err_set(err, PGD_ERR_INVALID, "username", "用户名不能为空");
	if (strlen(username) > 256)
		return pgd_err_set(err, PGD_ERR_INVALID, "username", "用户名过长");
	return 0;
}

int pgd_login_failure_add(struct pgd_store *st, const char *username, const char *remote, time_t at,
	struct pgd_err *err)
{
	char ts[32];
	int rc = check_key_name(username, err);
	if (rc < 0)
		return rc;
	pgd_time_iso(at, ts);
	return pgd_store_execp(st, NULL, err, "INSERT INTO login_failures (username, at, remote) VALUES ($1, $2, $3)",
		"sss", username, ts, remote && *remote ? remote : NULL);
}

int pgd_login_failure_count(struct pgd_store *st, const char *username, time_t since, int64_t *n,
	struct pgd_err *err)
{
	char ts[32];
	pgd_time_iso(since, ts);
	return pgd_store_query_int(st, n, err, "SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2",
		"ss", username ? username : "", ts);
}

int pgd_login_failures_clear(struct pgd_store *st, const char *username, struct pgd_err *err)
{
	return pgd_store_execp(st, NULL, err, "DELETE FROM login_failures WHERE username = $1", "s",
		username ? username : "");
}

int pgd_account_lock(struct pgd_store *st, const char *username, time_t until, struct pgd_err *err)
{
	char ts[32];
	int own = 0, rc = check_key_name(username, err);
	if (rc < 0)
		return rc;
	pgd_time_iso(until, ts);
	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = pgd_store_execp(st, NULL, err, "DELETE FROM account_locks WHERE username = $1", "s", username);
	if (rc == 0)
		rc = pgd_store_execp(st, NULL, err, "INSERT INTO account_locks (username, locked_until) VALUES ($1, $2)",
			"ss", username, ts);
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_account_locked_until(struct pgd_store *st, const char *username, time_t now, time_t *until,
	struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	char ts[32];
	int rc;
	*until = 0;
	pgd_time_iso(now, ts);
	rc = pgd_store_prep(st, &s, err, "SELECT locked_until FROM account_locks WHERE username = $1 AND locked_until > $2",
		"ss", username ? username : "", ts);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		time_t t = 0;
		rc = 0;
		if (pgd_time_parse_iso(st->be->col_text(s, 0), &t) == 0)
			*until = t;
		else /* unreadable: stay locked rather than open */
			*until = now + 1;
	}
	st->be->finalize(s);
	return rc;
}

int pgd_account_unlock(struct pgd_store *st, const char *username, struct pgd_err *err)
{
	int own = 0, rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = pgd_store_execp(st, NULL, err, "DELETE FROM account_locks WHERE username = $1", "s",
		username ? username : "");
	if (rc == 0)
		rc = pgd_login_failures_clear(st, username, err);
	return pgd_store_tx_leave(st, own, rc, err);
}

/* ---- sessions ---- */

static int check_hex64(const char *v, const char *field, struct pgd_err *err)
{
	size_t n = v ? strlen(v) : 0;
	if (n != 64)
		return pgd_err_set(err, PGD_ERR_INVALID, field, "会话令牌格式无效");
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
			return pgd_err_set(err, PGD_ERR_INVALID, field, "会话令牌格式无效");
	return 0;
}

int pgd_session_create(struct pgd_store *st, const struct pgd_session *s, struct pgd_err *err)
{
	int rc = check_hex64(s->token_hash, "token_hash", err);
	if (rc == 0)
		rc = check_hex64(s->csrf, "csrf", err);
	if (rc < 0)
		return rc;
	return pgd_store_execp(st, NULL, err,
		"INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, remote)"
		" VALUES ($1, $2, $3, $4, $5, $6)", "sissss",
		s->token_hash, s->user_id, s->csrf, s->created_at, s->last_seen_at, s->remote[0] ? s->remote : NULL);
}

int pgd_session_get(struct pgd_store *st, const char *token_hash, struct pgd_session *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	rc = pgd_store_prep(st, &s, err,
		"SELECT token_hash, user_id, csrf_token, created_at, last_seen_at, remote FROM sessions"
		" WHERE token_hash = $1", "s", token_hash ? token_hash : "");
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		snprintf(out->token_hash, sizeof(out->token_hash), "%s", st->be->col_text(s, 0));
		out->user_id = st->be->col_int(s, 1);
		snprintf(out->csrf, sizeof(out->csrf), "%s", st->be->col_text(s, 2));
		pgd_store_copy_ts(out->created_at, st->be->col_text(s, 3));
		pgd_store_copy_ts(out->last_seen_at, st->be->col_text(s, 4));
		const char *r = st->be->col_text(s, 5);
		snprintf(out->remote, sizeof(out->remote), "%s", r ? r : "");
		rc = 0;
	} else if (rc == 0) {
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "session", "会话不存在或已过期");
	}
	st->be->finalize(s);
	return rc;
}

int pgd_session_touch(struct pgd_store *st, const char *token_hash, time_t at, struct pgd_err *err)
{
	char ts[32];
	pgd_time_iso(at, ts);
	return pgd_store_execp(st, NULL, err, "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1", "ss",
		token_hash ? token_hash : "", ts);
}

int pgd_session_delete(struct pgd_store *st, const char *token_hash, struct pgd_err *err)
{
	return pgd_store_execp(st, NULL, err, "DELETE FROM sessions WHERE token_hash = $1", "s",
		token_hash ? token_hash : "");
}

int pgd_session_delete_user(struct pgd_store *st, int64_t user_id, struct pgd_err *err)
{
	return pgd_store_execp(st, NULL, err, "DELETE FROM sessions WHERE user_id = $1", "i", user_id);
}

int pgd_session_purge(struct pgd_store *st, time_t idle_before, time_t created_before, int64_t *n,
	struct pgd_err *err)
{
	char a[32], b[32];
	pgd_time_iso(idle_before, a);
	pgd_time_iso(created_before, b);
	return pgd_store_execp(st, n, err, "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2", "ss", a, b);
}

/* ---- settings ---- */

int pgd_setting_get(struct pgd_store *st, const char *key, char **value, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc;
	*value = NULL;
	rc = pgd_store_prep(st, &s, err, "SELECT value FROM settings WHERE key = $1", "s", key ? key : "");
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		*value = pgd_store_dup_col(st, s, 0);
		rc = 0;
	} else if (rc == 0) {
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, key, "设置项 %s 未设置", key ? key : "");
	}
	st->be->finalize(s);
	return rc;
}

int pgd_setting_set(struct pgd_store *st, const char *key, const char *value, struct pgd_err *err)
{
	char now[32];
	int own = 0, rc;
	if (key == NULL || *key == '\0' || strlen(key) > SETTING_MAX)
		return pgd_err_set(err, PGD_ERR_INVALID, "key", "设置项名称无效");
	if (value == NULL || strlen(value) > SETTING_MAX)
		return pgd_err_set(err, PGD_ERR_INVALID, key, "设置项 %s 的值无效或过长", key);
	pgd_store_now(now);
	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = pgd_store_execp(st, NULL, err, "DELETE FROM settings WHERE key = $1", "s", key);
	if (rc == 0)
		rc = pgd_store_execp(st, NULL, err, "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)",
			"sss", key, value, now);
	return pgd_store_tx_leave(st, own, rc, err);
}
