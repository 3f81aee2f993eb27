/* Users, their roles and the password policy: the system admin manages users (create,
 * edit, disable, reset passwords); the security admin assigns roles, unlocks accounts and
 * sets the password policy (等保 三员分立). Every change is audited with before/after,
 * never a password or its hash. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pubguard/accounts.h"
#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "server/account_rules.h"
#include "server/handlers.h"
#include "core/banned.h"

static void subject_of(int64_t id, char out[48])
{
	snprintf(out, 48, "user:%" PRId64, id);
}

/* Load user rq->id[0] as JSON into *j (new) and u; replies 404 and returns -1 when absent. */
static int load_user(struct pgd_req *rq, struct pgd_resp *rs, struct pgd_user *u, json_t **j)
{
	struct pgd_err err = {0};
	int rc = pgd_user_get(rq->st, rq->id[0], u, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return -1;
	}
	if (j)
		*j = pgd_json_user(u, 0);
	return 0;
}

/* 三员分立: the system admin manages accounts, but not the other administrators' (that would
 * let one admin take over another's role by resetting its password). Replies 403. */
static int other_admin(struct pgd_req *rq, struct pgd_resp *rs, const struct pgd_user *u)
{
	if ((u->roles & PGD_ADMIN_ROLES) && u->id != rq->who->user_id) {
		pgd_reply_error(rs, 403, "forbidden", NULL,
			"不能修改其他管理员的账户（三员分立）；管理员忘记密码时请在服务器上运行 pubguard user password");
		return -1;
	}
	return 0;
}

/* Commit the open transaction (or roll back when rc < 0); reply the error, if any. */
static int finish(struct pgd_req *rq, struct pgd_resp *rs, int rc, struct pgd_err *err)
{
	if (rc == 0)
		rc = pgd_store_commit(rq->st, err);
	else
		pgd_store_rollback(rq->st, NULL);
	if (rc < 0)
		pgd_reply_err(rs, rc, err);
	return rc;
}

static void reply_user(struct pgd_req *rq, struct pgd_resp *rs, int64_t id, int status)
{
	struct pgd_user u = {0};
	struct pgd_err err = {0};
	int rc = pgd_user_get(rq->st, id, &u, &err);
	if (rc < 0)
		pgd_reply_err(rs, rc, &err);
	else
		pgd_reply_json(rs, status, pgd_json_user(&u, 0));
	pgd_user_release(&u);
}

void h_users_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_list_query q;
	struct pgd_user_list l = {0};
	struct pgd_err err = {0};
	json_t *items;
	int rc;

	if (pgd_req_list_query(rq, rs, &q) < 0)
		return;
	rc = pgd_user_list(rq->st, &q, &l, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, pgd_json_user(&l.items[i], 0));
	pgd_reply_json(rs, 200, json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total", (json_int_t)l.total,
		"page", q.page, "page_size", q.page_size));
	pgd_user_list_release(&l);
}

void h_users_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	const char *username = NULL, *display = NULL, *password = NULL;
	int64_t person = 0, id = 0;
	uint32_t roles = 0;
	struct pgd_password_policy pol;
	struct pgd_user u = {0};
	struct pgd_err err = {0};
	char *hash = NULL, subject[48];
	json_t *jroles;
	int rc;

	if (pgd_body_str(rq, rs, "username", 1, PGD_USERNAME_MAX - 1, &username) < 0 ||
	    pgd_body_str(rq, rs, "display_name", 1, 127, &display) < 0 ||
	    pgd_body_int(rq, rs, "person_id", 0, &person) < 0 ||
	    pgd_body_str(rq, rs, "password", 1, PGD_PASSWORD_MAX, &password) < 0)
		return;
	jroles = json_object_get(rq->json, "roles");
	if (jroles && !json_is_null(jroles)) {
		rc = pgd_roles_from_json(jroles, &roles, &err);
		if (rc < 0)
			goto fail;
	}
	if (person < 0) {
		pgd_reply_error(rs, 400, "invalid", "person_id", "人员编号无效");
		goto out;
	}
	if ((roles & PGD_ADMIN_ROLES) && !pgd_can(rq, PGD_PERM_ROLES_ASSIGN)) {
		pgd_reply_error(rs, 403, "forbidden", "roles", "授予管理员角色需要安全管理员权限");
		goto out;
	}
	rc = pgd_roles_check(roles, person, &err);
	if (rc == 0)
		rc = pgd_policy_load(rq->st, &pol, &err);
	if (rc == 0)
		rc = pgd_policy_check(&pol, username, password, "password", &err);
	if (rc == 0)
		rc = pgd_password_hash(NULL, password, &hash, &err);
	if (rc < 0)
		goto fail;
	u.username = (char *)username;
	u.display_name = (char *)display;
	u.person_id = person;
	u.password_hash = hash;
	u.roles = roles;
	u.must_change_password = 1; /* a password someone else chose */
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_user_create(rq->st, &u, &id, &err);
	memset(&u, 0, sizeof(u));
	if (rc == 0)
		rc = pgd_user_get(rq->st, id, &u, &err);
	subject_of(id, subject);
	if (rc == 0) {
		json_t *after = pgd_json_user(&u, 0);
		rc = pgd_audit(rq, "user.create", subject, NULL, after, &err);
		if (finish(rq, rs, rc, &err) == 0)
			pgd_reply_json(rs, 201, json_incref(after));
		json_decref(after);
	} else {
		finish(rq, rs, rc, &err);
	}
	goto out;
fail:
	pgd_reply_err(rs, rc, &err);
out:
	if (hash) {
		pgd_wipe(hash, strlen(hash));
		free(hash);
	}
	pgd_user_release(&u);
}

/* Audit a change of user id (before/after borrowed). */
static int audit_change(struct pgd_req *rq, const char *action, int64_t id, json_t *before, json_t *after,
	struct pgd_err *err)
{
	char subject[48];
	subject_of(id, subject);
	return pgd_audit(rq, action, subject, before, after, err);
}

void h_users_update(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_user u = {0}, v = {0};
	struct pgd_err err = {0};
	const char *display = NULL;
	int64_t person;
	int active, rc;
	json_t *before = NULL, *after = NULL;

	if (load_user(rq, rs, &u, &before) < 0)
		return;
	if (other_admin(rq, rs, &u) < 0)
		goto out;
	display = u.display_name;
	person = u.person_id;
	active = u.active;
	if (pgd_body_str(rq, rs, "display_name", 0, 127, &display) < 0 ||
	    pgd_body_int(rq, rs, "person_id", 0, &person) < 0 || pgd_body_bool(rq, rs, "active", 0, &active) < 0)
		goto out;
	if (display == NULL || *display == '\0') {
		pgd_reply_error(rs, 400, "invalid", "display_name", "姓名（显示名）不能为空");
		goto out;
	}
	if (person < 0) {
		pgd_reply_error(rs, 400, "invalid", "person_id", "人员编号无效");
		goto out;
	}
	if (!active && u.id == rq->who->user_id) {
		pgd_reply_error(rs, 400, "invalid", "active", "不能停用自己的账户");
		goto out;
	}
	rc = pgd_roles_check(u.roles, person, &err);
	if (rc < 0) {
		pgd_err_set(&err, rc, "person_id", "该用户有单位角色，必须绑定人员；请先由安全管理员调整角色");
		pgd_reply_err(rs, rc, &err);
		goto out;
	}
	v.id = u.id;
	v.display_name = (char *)display;
	v.person_id = person;
	v.active = active;
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_user_update(rq->st, &v, &err);
	if (rc == 0 && !active)
		rc = pgd_session_delete_user(rq->st, u.id, &err); /* a disabled user is signed out */
	memset(&v, 0, sizeof(v));
	if (rc == 0)
		rc = pgd_user_get(rq->st, u.id, &v, &err);
	if (rc == 0) {
		after = pgd_json_user(&v, 0);
		rc = audit_change(rq, "user.update", u.id, before, after, &err);
	}
	if (finish(rq, rs, rc, &err) == 0)
		pgd_reply_json(rs, 200, json_incref(after));
out:
	json_decref(before);
	json_decref(after);
	pgd_user_release(&u);
	pgd_user_release(&v);
}

void h_users_password(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_user u = {0};
	struct pgd_password_policy pol;
	struct pgd_err err = {0};
	const char *password = NULL;
	char *hash = NULL;
	int rc;

	if (load_user(rq, rs, &u, NULL) < 0)
		return;
	if (other_admin(rq, rs, &u) < 0 || pgd_body_str(rq, rs, "password", 1, PGD_PASSWORD_MAX, &password) < 0)
		goto out;
	rc = pgd_policy_load(rq->st, &pol, &err);
	if (rc == 0)
		rc = pgd_policy_check(&pol, u.username, password, "password", &err);
	if (rc == 0)
		rc = pgd_password_hash(NULL, password, &hash, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		goto out;
	}
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_user_set_password(rq->st, u.id, hash, 1, &err);
	if (rc == 0)
		rc = pgd_session_delete_user(rq->st, u.id, &err);
	if (rc == 0) {
		json_t *after = json_pack("{s:s, s:b}", "username", u.username, "must_change_password", 1);
		rc = audit_change(rq, "user.password_reset", u.id, NULL, after, &err);
		json_decref(after);
	}
	if (finish(rq, rs, rc, &err) == 0)
		pgd_reply_json(rs, 204, NULL);
out:
	if (hash) {
		pgd_wipe(hash, strlen(hash));
		free(hash);
	}
	pgd_user_release(&u);
}

void h_users_roles(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_user u = {0};
	struct pgd_err err = {0};
	uint32_t roles = 0;
	json_t *jroles, *before = NULL, *after = NULL;
	int rc;

	if (load_user(rq, rs, &u, NULL) < 0)
		return;
	jroles = json_object_get(rq->json, "roles");
	if (jroles == NULL) {
		pgd_reply_error(rs, 400, "invalid", "roles", "缺少字段 roles");
		goto out;
	}
	if (u.id == rq->who->user_id) {
		pgd_reply_error(rs, 403, "forbidden", "roles", "不能修改自己的角色");
		goto out;
	}
	rc = pgd_roles_from_json(jroles, &roles, &err);
	if (rc == 0)
		rc = pgd_roles_check(roles, u.person_id, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		goto out;
	}
	before = json_pack("{s:s, s:o}", "username", u.username, "roles", pgd_roles_to_json(u.roles));
	after = json_pack("{s:s, s:o}", "username", u.username, "roles", pgd_roles_to_json(roles));
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_user_set_roles(rq->st, u.id, roles, &err);
	if (rc == 0)
		rc = audit_change(rq, "user.roles", u.id, before, after, &err);
	if (finish(rq, rs, rc, &err) == 0)
		reply_user(rq, rs, u.id, 200);
out:
	json_decref(before);
	json_decref(after);
	pgd_user_release(&u);
}

void h_users_unlock(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_user u = {0};
	struct pgd_err err = {0};
	json_t *before = NULL, *after = NULL;
	int rc;

	if (load_user(rq, rs, &u, NULL) < 0)
		return;
	before = json_pack("{s:s, s:o}", "username", u.username, "locked_until",
		u.locked_until[0] ? json_string(u.locked_until) : json_null());
	after = json_pack("{s:s, s:n}", "username", u.username, "locked_until");
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_account_unlock(rq->st, u.username, &err);
	if (rc == 0)
		rc = audit_change(rq, "user.unlock", u.id, before, after, &err);
	if (finish(rq, rs, rc, &err) == 0)
		pgd_reply_json(rs, 204, NULL);
	json_decref(before);
	json_decref(after);
	pgd_user_release(&u);
}

void h_policy_get(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_password_policy p;
	struct pgd_err err = {0};
	int rc = pgd_policy_load(rq->st, &p, &err);
	if (rc < 0)
		pgd_reply_err(rs, rc, &err);
	else
		pgd_reply_json(rs, 200, pgd_policy_json(&p));
}

void h_policy_put(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_password_policy old, p;
	struct pgd_err err = {0};
	int64_t v[3];
	static const char *const names[3] = {"min_length", "require_classes", "max_age_days"};
	json_t *before = NULL, *after = NULL;
	int rc;

	for (int i = 0; i < 3; i++)
		if (pgd_body_int(rq, rs, names[i], 1, &v[i]) < 0)
			return;
	for (int i = 0; i < 3; i++) {
		if (v[i] < 0 || v[i] > 100000) {
			pgd_reply_error(rs, 400, "invalid", names[i], "字段 %s 超出范围", names[i]);
			return;
		}
	}
	p.min_length = (int)v[0];
	p.require_classes = (int)v[1];
	p.max_age_days = (int)v[2];
	rc = pgd_policy_validate(&p, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_policy_load(rq->st, &old, &err);
	if (rc == 0)
		rc = pgd_policy_save(rq->st, &p, &err);
	if (rc == 0) {
		before = pgd_policy_json(&old);
		after = pgd_policy_json(&p);
		rc = pgd_audit(rq, "settings.password_policy", "settings:password_policy", before, after, &err);
	}
	if (finish(rq, rs, rc, &err) == 0)
		pgd_reply_json(rs, 200, json_incref(after));
	json_decref(before);
	json_decref(after);
}
