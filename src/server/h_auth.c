/* Health, sign-in and the signed-in user's own account: login with lockout, logout, me,
 * own password change, and the role table. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <jansson.h>

#include "pubguard/accounts.h"
#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "server/account_rules.h"
#include "server/handlers.h"
#include "core/banned.h"

#define FAIL_WINDOW (15 * 60)  /* failures counted over this many seconds */
#define FAIL_LIMIT 5           /* ... lock at this many */
#define LOCK_SECONDS (30 * 60) /* ... for this long */
#define SESSION_IDLE (30 * 60)
#define SESSION_ABSOLUTE (12 * 60 * 60)

void h_health(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_json(rs, 200, json_pack("{s:s, s:s}", "status", "ok", "version", PGD_VERSION));
}

/* n random bytes as hex into out (2n+1). 0 or -1. */
static int random_hex(size_t n, char *out)
{
	unsigned char b[64];
	size_t got = 0;
	if (n > sizeof(b))
		return -1;
	while (got < n) {
		ssize_t r = getrandom(b + got, n - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	pgd_hex(b, n, out);
	pgd_wipe(b, sizeof(b));
	return 0;
}

/* A well-formed Argon2id hash of a random password, verified against when the username does
 * not exist, so that an unknown user costs the same time as a wrong password. */
static char *dummy_hash;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	char pw[65];
	if (random_hex(32, pw) == 0)
		pgd_password_hash(NULL, pw, &dummy_hash, NULL);
	pgd_wipe(pw, sizeof(pw));
}

/* Audit a sign-in event with the typed username as actor (no one is signed in yet). */
static int audit_login(struct pgd_req *rq, const char *username, const char *action, const char *reason,
	struct pgd_err *err)
{
	json_t *after = json_pack("{s:s, s:s?}", "remote", rq->remote, "reason", reason);
	char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char subject[320];
	int rc;
	snprintf(subject, sizeof(subject), "user:%s", username);
	rc = pgd_audit_append(rq->st, username, action, subject, NULL, a, NULL, err);
	free(a);
	json_decref(after);
	return rc;
}

static void reply_locked(struct pgd_resp *rs, time_t until, time_t now)
{
	long minutes = (long)((until - now + 59) / 60);
	if (minutes < 1)
		minutes = 1;
	pgd_reply_error(rs, 423, "locked", "username", "账户已锁定（连续登录失败次数过多），请 %ld 分钟后再试", minutes);
}

/* A wrong password (or unknown user): count it, lock at the limit, audit; reply 401 or 423. */
static void login_failed(struct pgd_req *rq, struct pgd_resp *rs, const char *username, time_t now)
{
	struct pgd_err err = {0};
	int64_t n = 0;
	int locked = 0;
	int rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_login_failure_add(rq->st, username, rq->remote, now, &err);
	if (rc == 0)
		rc = pgd_login_failure_count(rq->st, username, now - FAIL_WINDOW + 1, &n, &err);
	if (rc == 0)
		rc = audit_login(rq, username, "auth.login_failed", "wrong_password", &err);
	if (rc == 0 && n >= FAIL_LIMIT) {
		locked = 1;
		rc = pgd_account_lock(rq->st, username, now + LOCK_SECONDS, &err);
		if (rc == 0)
			rc = audit_login(rq, username, "auth.locked", "too_many_failures", &err);
	}
	if (rc == 0)
		rc = pgd_store_commit(rq->st, &err);
	else
		pgd_store_rollback(rq->st, NULL);
	if (rc < 0)
		pgd_reply_err(rs, rc, &err);
	else if (locked)
		reply_locked(rs, now + LOCK_SECONDS, now);
	else
		pgd_reply_error(rs, 401, "unauthenticated", NULL, "用户名或密码错误");
}

/* {"user": user + permissions, "csrf_token"} for user id with the given CSRF token. */
static void reply_me(struct pgd_req *rq, struct pgd_resp *rs, int64_t user_id, const char *csrf, int status)
{
	struct pgd_user u = {0};
	struct pgd_password_policy pol;
	struct pgd_err err = {0};
	json_t *j;
	int rc = pgd_user_get(rq->st, user_id, &u, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	pgd_policy_load(rq->st, &pol, NULL);
	if (pgd_policy_expired(&pol, u.password_changed_at))
		u.must_change_password = 1;
	j = pgd_json_user(&u, 1);
	pgd_reply_json(rs, status, json_pack("{s:o, s:s}", "user", j, "csrf_token", csrf));
	pgd_user_release(&u);
}

void h_login(struct pgd_req *rq, struct pgd_resp *rs)
{
	const char *username = NULL, *password = NULL;
	struct pgd_user u = {0};
	struct pgd_session sess;
	struct pgd_err err = {0};
	char token[65] = "";
	unsigned char h[PGD_SM3_LEN];
	time_t now = time(NULL), until = 0;
	int match = 0, found, rc;

	memset(&sess, 0, sizeof(sess));
	if (pgd_body_str(rq, rs, "username", 1, 256, &username) < 0 ||
	    pgd_body_str(rq, rs, "password", 1, PGD_PASSWORD_MAX, &password) < 0)
		return;
	rc = pgd_account_locked_until(rq->st, username, now, &until, &err);
	if (rc < 0)
		goto fail;
	if (until) {
		/* locked: the password is not even checked; the attempt is recorded */
		rc = audit_login(rq, username, "auth.login_failed", "locked", &err);
		if (rc < 0)
			goto fail;
		reply_locked(rs, until, now);
		goto out;
	}
	rc = pgd_user_get_by_username(rq->st, username, &u, &err);
	if (rc < 0 && rc != PGD_ERR_NOT_FOUND)
		goto fail;
	found = rc == 0;
	pgd_err_clear(&err);
	if (found) {
		pgd_password_verify(u.password_hash, password, &match, NULL);
	} else {
		pthread_once(&dummy_once, make_dummy);
		if (dummy_hash)
			pgd_password_verify(dummy_hash, password, &match, NULL);
		match = 0;
	}
	if (!match) {
		login_failed(rq, rs, username, now);
		goto out;
	}
	if (!u.active) {
		rc = audit_login(rq, username, "auth.login_failed", "disabled", &err);
		if (rc < 0)
			goto fail;
		pgd_reply_error(rs, 403, "forbidden", "username", "该账户已停用，请联系系统管理员");
		goto out;
	}

	/* signed in: a new session */
	if (random_hex(32, token) < 0 || random_hex(32, sess.csrf) < 0) {
		rc = pgd_err_set(&err, PGD_ERR_INTERNAL, NULL, "无法生成会话令牌");
		goto fail;
	}
	pgd_sm3(token, 64, h);
	pgd_hex(h, sizeof(h), sess.token_hash);
	sess.user_id = u.id;
	pgd_time_iso(now, sess.created_at);
	pgd_time_iso(now, sess.last_seen_at);
	snprintf(sess.remote, sizeof(sess.remote), "%s", rq->remote);
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_login_failures_clear(rq->st, username, &err);
	if (rc == 0)
		rc = pgd_user_touch_login(rq->st, u.id, &err);
	if (rc == 0)
		rc = pgd_session_purge(rq->st, now - SESSION_IDLE, now - SESSION_ABSOLUTE, NULL, &err);
	if (rc == 0)
		rc = pgd_session_create(rq->st, &sess, &err);
	if (rc == 0)
		rc = audit_login(rq, username, "auth.login", NULL, &err);
	if (rc == 0)
		rc = pgd_store_commit(rq->st, &err);
	else
		pgd_store_rollback(rq->st, NULL);
	if (rc < 0)
		goto fail;
	{
		char cookie[160];
		snprintf(cookie, sizeof(cookie), "pgd_session=%s; HttpOnly; SameSite=Strict; Path=/", token);
		rs->set_cookie[0] = pgd_strdup(cookie);
		pgd_wipe(cookie, sizeof(cookie));
	}
	reply_me(rq, rs, u.id, sess.csrf, 200);
	goto out;
fail:
	pgd_reply_err(rs, rc, &err);
out:
	pgd_wipe(token, sizeof(token));
	pgd_wipe(&sess, sizeof(sess));
	pgd_wipe(h, sizeof(h));
	pgd_user_release(&u);
}

void h_logout(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_err err = {0};
	int rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_session_delete(rq->st, rq->who->session, &err);
	if (rc == 0)
		rc = pgd_audit(rq, "auth.logout", NULL, NULL, NULL, &err);
	if (rc == 0)
		rc = pgd_store_commit(rq->st, &err);
	else
		pgd_store_rollback(rq->st, NULL);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	pgd_reply_json(rs, 204, NULL);
	rs->set_cookie[0] = pgd_strdup("pgd_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
}

void h_me(struct pgd_req *rq, struct pgd_resp *rs)
{
	reply_me(rq, rs, rq->who->user_id, rq->who->csrf, 200);
}

void h_password(struct pgd_req *rq, struct pgd_resp *rs)
{
	const char *oldpw = NULL, *newpw = NULL;
	struct pgd_user u = {0};
	struct pgd_password_policy pol;
	struct pgd_session cur;
	struct pgd_err err = {0};
	char *hash = NULL, subject[96];
	int match = 0, rc;

	memset(&cur, 0, sizeof(cur));
	if (pgd_body_str(rq, rs, "old_password", 1, PGD_PASSWORD_MAX, &oldpw) < 0 ||
	    pgd_body_str(rq, rs, "new_password", 1, PGD_PASSWORD_MAX, &newpw) < 0)
		return;
	rc = pgd_user_get(rq->st, rq->who->user_id, &u, &err);
	if (rc < 0)
		goto fail;
	pgd_password_verify(u.password_hash, oldpw, &match, NULL);
	if (!match) {
		pgd_reply_error(rs, 400, "invalid", "old_password", "原密码不正确");
		goto out;
	}
	if (strcmp(oldpw, newpw) == 0) {
		pgd_reply_error(rs, 400, "invalid", "new_password", "新密码不能与原密码相同");
		goto out;
	}
	rc = pgd_policy_load(rq->st, &pol, &err);
	if (rc == 0)
		rc = pgd_policy_check(&pol, u.username, newpw, "new_password", &err);
	if (rc == 0)
		rc = pgd_password_hash(NULL, newpw, &hash, &err);
	if (rc < 0)
		goto fail;
	/* every other session of the user ends; this one goes on */
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_session_get(rq->st, rq->who->session, &cur, &err);
	if (rc == 0)
		rc = pgd_user_set_password(rq->st, u.id, hash, 0, &err);
	if (rc == 0)
		rc = pgd_session_delete_user(rq->st, u.id, &err);
	if (rc == 0)
		rc = pgd_session_create(rq->st, &cur, &err);
	snprintf(subject, sizeof(subject), "user:%lld", (long long)u.id);
	if (rc == 0) {
		json_t *after = json_pack("{s:s}", "username", u.username);
		rc = pgd_audit(rq, "auth.password", subject, NULL, after, &err); /* borrows after */
		json_decref(after);
	}
	if (rc == 0)
		rc = pgd_store_commit(rq->st, &err);
	else
		pgd_store_rollback(rq->st, NULL);
	if (rc < 0)
		goto fail;
	pgd_reply_json(rs, 204, NULL);
	goto out;
fail:
	pgd_reply_err(rs, rc, &err);
out:
	pgd_wipe(&cur, sizeof(cur));
	if (hash) {
		pgd_wipe(hash, strlen(hash));
		free(hash);
	}
	pgd_user_release(&u);
}

void h_roles(struct pgd_req *rq, struct pgd_resp *rs)
{
	json_t *items = json_array();
	for (int i = 0; i < PGD_ROLE_COUNT; i++) {
		uint32_t perms = pgd_perms_of_roles(1u << i);
		json_t *p = json_array();
		for (int k = PGD_PERM_SIGNED_IN + 1; k < PGD_PERM_COUNT; k++)
			if (perms & (1u << k))
				json_array_append_new(p, json_string(pgd_perm_name((enum pgd_perm)k)));
		json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:b}", "name", pgd_role_name((enum pgd_role)i),
			"label", pgd_role_label((enum pgd_role)i), "permissions", p,
			"city_scope", pgd_roles_city_scope(1u << i)));
	}
	pgd_reply_json(rs, 200, json_pack("{s:o}", "items", items));
}
