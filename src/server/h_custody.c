/* Account custody and handover (Art. 17). Secrets are sealed with the server's master key
 * (pgd_seal, aad "platform:<id>") and revealed only to the platform's current manager; every
 * change and every reveal is audited, never with the secret. Users without city scope see only
 * their own unit's platforms. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "pubguard/reviews.h"
#include "server/handlers.h"
#include "core/banned.h"

#define ACCOUNT_MAX 1000

static json_t *handover_json(const struct pgd_handover *h)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:s, s:s, s:o, s:o}", "id", (json_int_t)h->id,
		"platform_id", (json_int_t)h->platform_id, "platform_name", pgd_json_str_or_null(h->platform_name),
		"from_person_id", pgd_json_id_or_null(h->from_person_id), "from_name", pgd_json_str_or_null(h->from_name),
		"to_person_id", (json_int_t)h->to_person_id, "to_name", pgd_json_str_or_null(h->to_name), "initiated_by",
		pgd_json_str_or_null(h->initiated_by), "note", pgd_json_str_or_null(h->note), "status", pgd_handover_status_name(h->status),
		"created_at", h->created_at, "confirmed_by", pgd_json_str_or_null(h->confirmed_by), "confirmed_at",
		pgd_json_text_or_null(h->confirmed_at));
}

static const char *actor_name(const struct pgd_req *rq)
{
	return rq->who->display_name[0] ? rq->who->display_name : rq->who->username;
}

void h_custody_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_list_query q = {0};
	struct pgd_custody_status_list l = {0};
	struct pgd_err err = {0};
	json_t *items;
	int rc;

	if (pgd_req_list_query(rq, rs, &q) < 0)
		return;
	items = json_array();
	if (!pgd_list_scope(rq, &q)) {
		pgd_reply_json(rs, 200, pgd_json_page(items, 0, &q));
		return;
	}
	rc = pgd_custody_status_list(rq->st, &q, &l, &err);
	if (rc < 0) {
		json_decref(items);
		pgd_reply_err(rs, rc, &err);
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct pgd_custody_status *c = &l.items[i];
		json_array_append_new(items,
			json_pack("{s:I, s:o, s:s, s:I, s:o, s:o, s:o, s:b, s:b, s:o, s:o, s:b, s:o, s:o}", "platform_id",
				(json_int_t)c->platform_id, "platform_name", pgd_json_str_or_null(c->platform_name), "platform_type",
				pgd_platform_type_name(c->platform_type), "unit_id", (json_int_t)c->unit_id, "unit_name",
				pgd_json_str_or_null(c->unit_name), "manager_person_id", pgd_json_id_or_null(c->manager_person_id),
				"manager_name", pgd_json_str_or_null(c->manager_name), "manager_active", c->manager_active,
				"has_secret", c->has_secret, "account", pgd_json_str_or_null(c->account), "set_at",
				pgd_json_text_or_null(c->set_at), "flagged", c->flagged, "flag_reason",
				c->flagged ? json_string("管理员已离职且未交接") : json_null(), "pending_handover_id",
				pgd_json_id_or_null(c->pending_handover_id)));
	}
	pgd_reply_json(rs, 200, pgd_json_page(items, l.total, &q));
	pgd_custody_status_list_release(&l);
}

/* Platform path id 0: 404 when missing or outside the user's scope, for reads and writes
 * alike, as the registry answers: another unit's platform is not shown to exist. */
static int platform_in_scope(struct pgd_req *rq, struct pgd_resp *rs, struct pgd_platform *p)
{
	struct pgd_err err = {0};
	int rc = pgd_platform_get(rq->st, rq->id[0], p, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return -1;
	}
	if (!pgd_unit_visible(rq, p->unit_id)) {
		pgd_platform_release(p);
		pgd_reply_error(rs, 404, "not_found", "id", "平台（编号 %" PRId64 "）不存在", rq->id[0]);
		return -1;
	}
	return 0;
}

static int is_manager(const struct pgd_req *rq, const struct pgd_platform *p)
{
	return rq->who->person_id > 0 && rq->who->person_id == p->manager_person_id;
}

void h_custody_set(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_platform p = {0};
	struct pgd_err err = {0};
	const char *account = NULL, *password = NULL;
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	char aad[48], *hex = NULL;
	json_t *after = NULL;
	int rc;

	if (platform_in_scope(rq, rs, &p) < 0)
		return;
	if (!is_manager(rq, &p) && !rq->who->city_scope) {
		pgd_reply_error(rs, 403, "forbidden", NULL, "只有平台「%s」的管理员或网信办可以托管其账号密码", p.name);
		goto out;
	}
	if (pgd_body_str(rq, rs, "account", 1, ACCOUNT_MAX, &account) < 0 ||
	    pgd_body_str(rq, rs, "password", 1, PGD_PASSWORD_MAX, &password) < 0)
		goto out;
	snprintf(aad, sizeof(aad), "platform:%" PRId64, p.id);
	rc = pgd_seal(rq->key, aad, strlen(aad), password, strlen(password), &blob, &blob_len, &err);
	if (rc == 0) {
		hex = pgd_malloc(2 * blob_len + 1);
		pgd_hex(blob, blob_len, hex);
		after = json_pack("{s:s, s:s}", "account", account, "set_by", actor_name(rq));
		rc = pgd_store_begin(rq->st, &err);
	}
	if (rc == 0)
		rc = pgd_custody_set(rq->st, p.id, account, hex, actor_name(rq), &err);
	if (rc == 0)
		rc = pgd_audit(rq, "custody.set", aad, NULL, after, &err);
	if (rc == 0)
		rc = pgd_store_commit(rq->st, &err);
	if (rc < 0) {
		pgd_store_rollback(rq->st, NULL);
		pgd_reply_err(rs, rc, &err);
	} else {
		rs->status = 204;
	}
out:
	json_decref(after);
	free(blob);
	free(hex);
	pgd_platform_release(&p);
}

void h_custody_reveal(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_platform p = {0};
	struct pgd_custody c = {0};
	struct pgd_err err = {0};
	unsigned char *blob = NULL, *plain = NULL;
	size_t blob_len = 0, plain_len = 0;
	char aad[48];
	json_t *reply;
	int rc;

	if (platform_in_scope(rq, rs, &p) < 0)
		return;
	if (!is_manager(rq, &p)) {
		pgd_reply_error(rs, 403, "forbidden", NULL, "只有平台「%s」的现任管理员本人可以查看托管的账号密码", p.name);
		goto out;
	}
	rc = pgd_custody_get(rq->st, p.id, &c, &err);
	if (rc == 0) {
		blob_len = strlen(c.secret_hex) / 2;
		blob = pgd_malloc(blob_len ? blob_len : 1);
		rc = pgd_unhex(c.secret_hex, strlen(c.secret_hex), blob, blob_len);
		if (rc < 0)
			rc = pgd_err_set(&err, PGD_ERR_INTEGRITY, NULL, "平台「%s」托管的密文已损坏", p.name);
	}
	snprintf(aad, sizeof(aad), "platform:%" PRId64, p.id);
	if (rc == 0)
		rc = pgd_unseal(rq->key, aad, strlen(aad), blob, blob_len, &plain, &plain_len, &err);
	/* the reveal is audited before anything is shown: no audit entry, no secret */
	if (rc == 0)
		rc = pgd_store_begin(rq->st, &err);
	if (rc == 0) {
		json_t *after = json_pack("{s:s}", "account", c.account);
		rc = pgd_audit(rq, "custody.reveal", aad, NULL, after, &err);
		json_decref(after);
	}
	if (rc == 0)
		rc = pgd_store_commit(rq->st, &err);
	if (rc < 0) {
		pgd_store_rollback(rq->st, NULL);
		pgd_reply_err(rs, rc, &err);
		goto out;
	}
	reply = json_object();
	json_object_set_new(reply, "account", json_string(c.account));
	json_object_set_new(reply, "password", json_stringn((const char *)plain, plain_len));
	pgd_reply_json(rs, 200, reply);
out:
	pgd_secret_free(plain, plain_len);
	free(blob);
	pgd_custody_release(&c);
	pgd_platform_release(&p);
}

void h_handover_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_platform p = {0};
	struct pgd_person mgr = {0};
	struct pgd_handover h = {0};
	struct pgd_err err = {0};
	const char *note = NULL;
	int64_t to = 0, id = 0;
	char subject[48];
	json_t *after = NULL;
	int rc, allowed;

	if (platform_in_scope(rq, rs, &p) < 0)
		return;
	allowed = is_manager(rq, &p);
	if (!allowed && rq->who->city_scope) {
		/* an office role may start it only when the manager has left (or there is none) */
		if (p.manager_person_id == 0)
			allowed = 1;
		else if (pgd_person_get(rq->st, p.manager_person_id, &mgr, &err) == 0)
			allowed = !mgr.active;
	}
	if (!allowed) {
		pgd_reply_error(rs, 403, "forbidden", NULL,
			"只有平台「%s」的现任管理员可以发起交接；管理员已离职时由网信办发起", p.name);
		goto out;
	}
	if (pgd_body_int(rq, rs, "to_person_id", 1, &to) < 0 || pgd_body_str(rq, rs, "note", 0, 1000, &note) < 0)
		goto out;
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_handover_create(rq->st, p.id, to, note, actor_name(rq), &id, &err);
	if (rc == 0)
		rc = pgd_handover_get(rq->st, id, &h, &err);
	if (rc == 0) {
		after = handover_json(&h);
		snprintf(subject, sizeof(subject), "platform:%" PRId64, p.id);
		rc = pgd_audit(rq, "handover.create", subject, NULL, after, &err);
	}
	if (rc == 0)
		rc = pgd_store_commit(rq->st, &err);
	if (rc < 0) {
		pgd_store_rollback(rq->st, NULL);
		pgd_reply_err(rs, rc, &err);
		json_decref(after);
	} else {
		pgd_reply_json(rs, 201, after);
	}
out:
	pgd_handover_release(&h);
	pgd_person_release(&mgr);
	pgd_platform_release(&p);
}

void h_handovers_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_list_query q = {0};
	struct pgd_handover_list l = {0};
	struct pgd_err err = {0};
	const char *status = pgd_req_query(rq, "status");
	json_t *items;
	int rc, only_pending = 0;

	if (pgd_req_list_query(rq, rs, &q) < 0)
		return;
	if (status && *status) {
		if (strcmp(status, "pending") != 0) {
			pgd_reply_error(rs, 400, "invalid", "status", "状态筛选（status）只能为 pending");
			return;
		}
		only_pending = 1;
	}
	items = json_array();
	if (!pgd_list_scope(rq, &q)) {
		pgd_reply_json(rs, 200, pgd_json_page(items, 0, &q));
		return;
	}
	rc = pgd_handover_list(rq->st, &q, only_pending, &l, &err);
	if (rc < 0) {
		json_decref(items);
		pgd_reply_err(rs, rc, &err);
		return;
	}
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, handover_json(&l.items[i]));
	pgd_reply_json(rs, 200, pgd_json_page(items, l.total, &q));
	pgd_handover_list_release(&l);
}

/* Confirm or cancel a pending handover: who may do it differs, the rest is one step — the
 * store change, the handover before and after in the audit log, one transaction. */
enum handover_step { STEP_CONFIRM, STEP_CANCEL };

/* 0 when the user may take the step on h, else replies 404/403 and returns -1. A user who
 * cannot see the platform's unit learns nothing about the handover (404). */
static int handover_step_allowed(struct pgd_req *rq, struct pgd_resp *rs, const struct pgd_handover *h,
	enum handover_step step)
{
	int64_t me = rq->who->person_id;
	if (step == STEP_CONFIRM && me > 0 && me == h->to_person_id)
		return 0; /* the incoming person, whatever unit their account sees */
	if (!pgd_unit_visible(rq, h->unit_id)) {
		pgd_reply_error(rs, 404, "not_found", "id", "交接（编号 %" PRId64 "）不存在", h->id);
		return -1;
	}
	if (step == STEP_CONFIRM) {
		pgd_reply_error(rs, 403, "forbidden", NULL, "只有接收人「%s」本人可以确认此交接",
			h->to_name ? h->to_name : "");
		return -1;
	}
	/* cancel: the outgoing manager who started it, or an office role (city scope with the
	 * custody permission, as for starting one when the manager left) */
	if (!rq->who->city_scope && (me <= 0 || me != h->from_person_id)) {
		pgd_reply_error(rs, 403, "forbidden", NULL, "只有移交人本人或网信办可以撤销此交接");
		return -1;
	}
	return 0;
}

static void handover_step(struct pgd_req *rq, struct pgd_resp *rs, enum handover_step step)
{
	struct pgd_handover h = {0}, done = {0};
	struct pgd_err err = {0};
	json_t *before = NULL, *after = NULL;
	char subject[48];
	int rc;

	rc = pgd_handover_get(rq->st, rq->id[0], &h, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	if (handover_step_allowed(rq, rs, &h, step) < 0)
		goto out;
	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = step == STEP_CONFIRM
			? pgd_handover_confirm(rq->st, h.id, rq->who->person_id, actor_name(rq), &err)
			: pgd_handover_cancel(rq->st, h.id, actor_name(rq), &err);
	if (rc == 0)
		rc = pgd_handover_get(rq->st, h.id, &done, &err);
	if (rc == 0) {
		before = handover_json(&h);
		after = handover_json(&done);
		snprintf(subject, sizeof(subject), "platform:%" PRId64, h.platform_id);
		rc = pgd_audit(rq, step == STEP_CONFIRM ? "handover.confirm" : "handover.cancel", subject, before,
			after, &err);
	}
	if (rc == 0)
		rc = pgd_store_commit(rq->st, &err);
	if (rc < 0) {
		pgd_store_rollback(rq->st, NULL);
		pgd_reply_err(rs, rc, &err);
		json_decref(after);
	} else {
		pgd_reply_json(rs, 200, after);
	}
	json_decref(before);
out:
	pgd_handover_release(&h);
	pgd_handover_release(&done);
}

void h_handover_confirm(struct pgd_req *rq, struct pgd_resp *rs)
{
	handover_step(rq, rs, STEP_CONFIRM);
}

void h_handover_cancel(struct pgd_req *rq, struct pgd_resp *rs)
{
	handover_step(rq, rs, STEP_CANCEL);
}
