/* Units, people and platforms (Art. 2, 3, 12, 17) over HTTP: list, get, create, edit, and
 * retire / leave / close. The route table has checked the permission; here the unit scope is
 * enforced: a user without city scope sees and changes only their own unit's records. Another
 * unit's record reads as 404 (its existence is not revealed); writing into another unit is
 * 403. Every change and its audit entry commit together or not at all.
 *
 * PUT takes the fields it is given and keeps the others (a field sent as null clears an
 * optional value). */
#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pubguard/mem.h"
#include "server/handlers.h"
#include "core/banned.h"

#define NAME_MAX_BYTES 200  /* names of units, people, platforms */
#define TEXT_MAX_BYTES 1000 /* URLs, entry points, party bodies (the store's cap) */

#define NON_FORMAL_MANAGER "临聘人员和公益性岗位人员不得担任平台管理员"

/* ---- small helpers ---- */

/* The unit a scoped user is limited to: 0 for city scope (all), else their unit, or -1 (no
 * unit: sees nothing; never 0, which would mean "all"). */
static int64_t scope_unit(const struct pgd_req *rq)
{
	if (rq->who == NULL)
		return -1;
	if (rq->who->city_scope)
		return 0;
	return rq->who->unit_id > 0 ? rq->who->unit_id : -1;
}

static int require_object(struct pgd_req *rq, struct pgd_resp *rs)
{
	if (json_is_object(rq->json))
		return 0;
	pgd_reply_error(rs, 400, "invalid", NULL, "请求体应为 JSON 对象");
	return -1;
}

/* An id field: a positive integer, or null / 0 for "none" (when not required). Missing leaves
 * *out unchanged. Replies 400 and returns -1 on bad input. */
static int body_id(struct pgd_req *rq, struct pgd_resp *rs, const char *field, const char *label, int required,
	int64_t *out)
{
	json_t *v = json_object_get(rq->json, field);
	int64_t id = *out;
	if (v == NULL || json_is_null(v)) {
		if (required) {
			pgd_reply_error(rs, 400, "invalid", field, "%s不能为空", label);
			return -1;
		}
		if (v != NULL)
			*out = 0;
		return 0;
	}
	if (pgd_body_int(rq, rs, field, required, &id) < 0)
		return -1;
	if (id < 0 || (required && id == 0)) {
		pgd_reply_error(rs, 400, "invalid", field, "%s编号无效：应为正整数", label);
		return -1;
	}
	*out = id;
	return 0;
}

/* ASCII-case-insensitive substring (Chinese text compares byte for byte). */
static int contains_ci(const char *hay, const char *needle)
{
	size_t n, m;
	if (needle == NULL || *needle == '\0')
		return 1;
	if (hay == NULL)
		return 0;
	n = strlen(hay);
	m = strlen(needle);
	for (size_t i = 0; i + m <= n; i++) {
		size_t k = 0;
		while (k < m && tolower((unsigned char)hay[i + k]) == tolower((unsigned char)needle[k]))
			k++;
		if (k == m)
			return 1;
	}
	return 0;
}

/* Begin the change's transaction; replies and returns -1 when the database refuses. */
static int begin(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_err err = {0};
	int rc = pgd_store_begin(rq->st, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return -1;
	}
	return 0;
}

/* Inside the transaction begun by begin(): when rc is 0, append the audit entry ("unit:42",
 * before/after borrowed) and commit; otherwise, or when either fails, roll back. */
static int audit_commit(struct pgd_req *rq, int rc, const char *action, const char *kind, int64_t id,
	json_t *before, json_t *after, struct pgd_err *err)
{
	char subject[64];
	snprintf(subject, sizeof(subject), "%s:%" PRId64, kind, id);
	if (rc == 0 && (after == NULL || (before == NULL && strstr(action, ".create") == NULL)))
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "无法生成审计记录内容");
	if (rc == 0)
		rc = pgd_audit(rq, action, subject, before, after, err);
	if (rc == 0)
		rc = pgd_store_commit(rq->st, err); /* rolls back itself when the commit fails */
	else
		pgd_store_rollback(rq->st, NULL);
	return rc;
}

/* Reply with the changed record (after, borrowed) or the error. */
static void finish(struct pgd_resp *rs, int rc, int status, json_t *after, const struct pgd_err *err)
{
	if (rc == 0)
		pgd_reply_json(rs, status, json_incref(after));
	else
		pgd_reply_err(rs, rc, err);
}

static void reply_empty_page(struct pgd_resp *rs, const struct pgd_list_query *q)
{
	pgd_reply_json(rs, 200, pgd_json_page(json_array(), 0, q));
}

/* ---- units ---- */

static const char unit_kinds_zh[] = "town、department、organ、people_org、park 或 enterprise";

/* Read the editable fields of a unit from the body over *u (whose strings stay owned by
 * whoever owns them; the new ones are borrowed from rq->json). */
static int read_unit(struct pgd_req *rq, struct pgd_resp *rs, int creating, struct pgd_unit *u)
{
	const char *name = u->name, *party = u->party_body, *kind = pgd_unit_kind_name(u->kind);
	enum pgd_unit_kind k;

	if (require_object(rq, rs) < 0 || pgd_body_str(rq, rs, "name", creating, NAME_MAX_BYTES, &name) < 0 ||
		pgd_body_str(rq, rs, "kind", creating, 32, &kind) < 0 ||
		pgd_body_str(rq, rs, "party_body", 0, TEXT_MAX_BYTES, &party) < 0 ||
		body_id(rq, rs, "parent_id", "上级单位", 0, &u->parent_id) < 0 ||
		body_id(rq, rs, "principal_head_person_id", "主要负责人", 0, &u->principal_head_person_id) < 0)
		return -1;
	if (kind == NULL || pgd_unit_kind_parse(kind, &k) < 0) {
		pgd_reply_error(rs, 400, "invalid", "kind", "单位类型无效：应为 %s", unit_kinds_zh);
		return -1;
	}
	u->name = (char *)name;
	u->party_body = (char *)party;
	u->kind = k;
	return 0;
}

void h_units_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_list_query q;
	struct pgd_unit_list l = {0};
	struct pgd_unit own = {0};
	struct pgd_err err = {0};
	int64_t scope = scope_unit(rq);
	json_t *items;
	int rc;

	memset(&q, 0, sizeof(q));
	if (pgd_req_list_query(rq, rs, &q) < 0)
		return;
	if (scope == 0) {
		rc = pgd_unit_list(rq->st, &q, &l, &err);
		if (rc < 0) {
			pgd_reply_err(rs, rc, &err);
			return;
		}
		items = json_array();
		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(items, pgd_json_unit(&l.items[i]));
		pgd_reply_json(rs, 200, pgd_json_page(items, l.total, &q));
		pgd_unit_list_release(&l);
		return;
	}
	/* a unit's user: their own unit alone, when it matches the filters */
	if (scope < 0 || (q.unit_id != 0 && q.unit_id != scope)) {
		reply_empty_page(rs, &q);
		return;
	}
	rc = pgd_unit_get(rq->st, scope, &own, &err);
	if (rc == PGD_ERR_NOT_FOUND || (rc == 0 && ((!own.active && !q.include_inactive) ||
		!contains_ci(own.name, q.search)))) {
		reply_empty_page(rs, &q);
	} else if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
	} else {
		items = json_array();
		if (q.page <= 1)
			json_array_append_new(items, pgd_json_unit(&own));
		pgd_reply_json(rs, 200, pgd_json_page(items, 1, &q));
	}
	pgd_unit_release(&own);
}

/* Load unit id for the request: 404 when it does not exist or is outside the user's scope. */
static int load_unit(struct pgd_req *rq, struct pgd_resp *rs, int64_t id, struct pgd_unit *u)
{
	struct pgd_err err = {0};
	int rc;
	memset(u, 0, sizeof(*u));
	if (!pgd_unit_visible(rq, id)) {
		pgd_reply_error(rs, 404, "not_found", "id", "单位（编号 %" PRId64 "）不存在", id);
		return -1;
	}
	rc = pgd_unit_get(rq->st, id, u, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return -1;
	}
	return 0;
}

void h_units_get(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_unit u;
	if (load_unit(rq, rs, rq->id[0], &u) < 0)
		return;
	pgd_reply_json(rs, 200, pgd_json_unit(&u));
	pgd_unit_release(&u);
}

void h_units_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_unit in = {.kind = PGD_UNIT_KIND_COUNT}, out = {0};
	struct pgd_err err = {0};
	json_t *after = NULL;
	int64_t id = 0;
	int rc;

	if (scope_unit(rq) != 0) { /* units are the office's to create */
		pgd_reply_forbidden(rs);
		return;
	}
	if (read_unit(rq, rs, 1, &in) < 0 || begin(rq, rs) < 0)
		return;
	rc = pgd_unit_create(rq->st, &in, &id, &err);
	if (rc == 0)
		rc = pgd_unit_get(rq->st, id, &out, &err);
	if (rc == 0)
		after = pgd_json_unit(&out);
	rc = audit_commit(rq, rc, "unit.create", "unit", id, NULL, after, &err);
	finish(rs, rc, 201, after, &err);
	json_decref(after);
	pgd_unit_release(&out);
}

/* Shared by update and retire: the transaction, the audit entry, the reply. */
static void unit_change(struct pgd_req *rq, struct pgd_resp *rs, int retire)
{
	struct pgd_unit cur = {0}, view, out = {0};
	struct pgd_err err = {0};
	json_t *before = NULL, *after = NULL;
	int64_t id = rq->id[0];
	int rc;

	if (!pgd_unit_visible(rq, id)) {
		pgd_reply_error(rs, 404, "not_found", "id", "单位（编号 %" PRId64 "）不存在", id);
		return;
	}
	if (scope_unit(rq) != 0) {
		pgd_reply_forbidden(rs);
		return;
	}
	if (!retire && require_object(rq, rs) < 0)
		return;
	if (begin(rq, rs) < 0)
		return;
	rc = pgd_unit_get(rq->st, id, &cur, &err);
	if (rc < 0)
		goto out;
	before = pgd_json_unit(&cur);
	if (retire) {
		rc = pgd_unit_retire(rq->st, id, &err);
	} else {
		view = cur;
		if (read_unit(rq, rs, 0, &view) < 0) {
			pgd_store_rollback(rq->st, NULL);
			goto done; /* replied */
		}
		rc = pgd_unit_update(rq->st, &view, &err);
	}
	if (rc == 0)
		rc = pgd_unit_get(rq->st, id, &out, &err);
	if (rc == 0)
		after = pgd_json_unit(&out);
out:
	rc = audit_commit(rq, rc, retire ? "unit.retire" : "unit.update", "unit", id, before, after, &err);
	finish(rs, rc, 200, after, &err);
done:
	json_decref(before);
	json_decref(after);
	pgd_unit_release(&cur);
	pgd_unit_release(&out);
}

void h_units_update(struct pgd_req *rq, struct pgd_resp *rs)
{
	unit_change(rq, rs, 0);
}

void h_units_retire(struct pgd_req *rq, struct pgd_resp *rs)
{
	unit_change(rq, rs, 1);
}

/* ---- people ---- */

static int read_person(struct pgd_req *rq, struct pgd_resp *rs, int creating, struct pgd_person *p)
{
	const char *name = p->name, *post = p->post, *phone = p->phone;
	const char *type = creating ? NULL : pgd_staff_type_name(p->staff_type);
	enum pgd_staff_type t;

	if (require_object(rq, rs) < 0 || body_id(rq, rs, "unit_id", "所在单位", creating, &p->unit_id) < 0 ||
		pgd_body_str(rq, rs, "name", creating, NAME_MAX_BYTES, &name) < 0 ||
		pgd_body_str(rq, rs, "post", 0, NAME_MAX_BYTES, &post) < 0 ||
		pgd_body_str(rq, rs, "staff_type", creating, 32, &type) < 0 ||
		pgd_body_str(rq, rs, "phone", 0, 64, &phone) < 0)
		return -1;
	if (!creating && p->unit_id == 0) {
		pgd_reply_error(rs, 400, "invalid", "unit_id", "所在单位不能为空");
		return -1;
	}
	if (type == NULL || pgd_staff_type_parse(type, &t) < 0) {
		pgd_reply_error(rs, 400, "invalid", "staff_type",
			"人员类型无效：应为 formal（正式）、temporary（临聘）或 public_welfare（公益性岗位）");
		return -1;
	}
	p->name = (char *)name;
	p->post = (char *)post;
	p->phone = (char *)phone;
	p->staff_type = t;
	return 0;
}

void h_people_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_list_query q;
	struct pgd_person_list l = {0};
	struct pgd_err err = {0};
	json_t *items;
	int rc;

	memset(&q, 0, sizeof(q));
	if (pgd_req_list_query(rq, rs, &q) < 0)
		return;
	if (!pgd_list_scope(rq, &q)) {
		reply_empty_page(rs, &q);
		return;
	}
	rc = pgd_person_list(rq->st, &q, &l, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, pgd_json_person(&l.items[i]));
	pgd_reply_json(rs, 200, pgd_json_page(items, l.total, &q));
	pgd_person_list_release(&l);
}

/* Load person id: 404 when missing or of a unit outside the user's scope. */
static int load_person(struct pgd_req *rq, struct pgd_resp *rs, int64_t id, struct pgd_person *p)
{
	struct pgd_err err = {0};
	int rc = pgd_person_get(rq->st, id, p, &err);
	if (rc == 0 && !pgd_unit_visible(rq, p->unit_id)) {
		pgd_person_release(p);
		rc = pgd_err_set(&err, PGD_ERR_NOT_FOUND, "id", "人员（编号 %" PRId64 "）不存在", id);
	}
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return -1;
	}
	return 0;
}

void h_people_get(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_person p;
	if (load_person(rq, rs, rq->id[0], &p) < 0)
		return;
	pgd_reply_json(rs, 200, pgd_json_person(&p));
	pgd_person_release(&p);
}

void h_people_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_person in = {0}, out = {0};
	struct pgd_err err = {0};
	json_t *after = NULL;
	int64_t id = 0;
	int rc;

	if (read_person(rq, rs, 1, &in) < 0)
		return;
	if (!pgd_unit_visible(rq, in.unit_id)) {
		pgd_reply_error(rs, 403, "forbidden", "unit_id", "无权在其他单位登记人员");
		return;
	}
	if (begin(rq, rs) < 0)
		return;
	rc = pgd_person_create(rq->st, &in, &id, &err);
	if (rc == 0)
		rc = pgd_person_get(rq->st, id, &out, &err);
	if (rc == 0)
		after = pgd_json_person(&out);
	rc = audit_commit(rq, rc, "person.create", "person", id, NULL, after, &err);
	finish(rs, rc, 201, after, &err);
	json_decref(after);
	pgd_person_release(&out);
}

static void person_change(struct pgd_req *rq, struct pgd_resp *rs, int leave)
{
	struct pgd_person cur = {0}, view, out = {0};
	struct pgd_err err = {0};
	json_t *before = NULL, *after = NULL;
	int64_t id = rq->id[0];
	int rc;

	if (!leave && require_object(rq, rs) < 0)
		return;
	if (begin(rq, rs) < 0)
		return;
	if (load_person(rq, rs, id, &cur) < 0) {
		pgd_store_rollback(rq->st, NULL);
		return;
	}
	before = pgd_json_person(&cur);
	if (leave) {
		rc = pgd_person_leave(rq->st, id, &err);
	} else {
		view = cur;
		if (read_person(rq, rs, 0, &view) < 0) {
			pgd_store_rollback(rq->st, NULL);
			goto done;
		}
		if (view.unit_id != cur.unit_id && !pgd_unit_visible(rq, view.unit_id)) {
			pgd_store_rollback(rq->st, NULL);
			pgd_reply_error(rs, 403, "forbidden", "unit_id", "无权把人员调入其他单位");
			goto done;
		}
		rc = pgd_person_update(rq->st, &view, &err);
	}
	if (rc == 0)
		rc = pgd_person_get(rq->st, id, &out, &err);
	if (rc == 0)
		after = pgd_json_person(&out);
	rc = audit_commit(rq, rc, leave ? "person.leave" : "person.update", "person", id, before, after, &err);
	finish(rs, rc, 200, after, &err);
done:
	json_decref(before);
	json_decref(after);
	pgd_person_release(&cur);
	pgd_person_release(&out);
}

void h_people_update(struct pgd_req *rq, struct pgd_resp *rs)
{
	person_change(rq, rs, 0);
}

void h_people_leave(struct pgd_req *rq, struct pgd_resp *rs)
{
	person_change(rq, rs, 1);
}

/* ---- platforms ---- */

static int read_platform(struct pgd_req *rq, struct pgd_resp *rs, int creating, struct pgd_platform *p)
{
	const char *name = p->name, *url = p->url_or_account, *code = p->site_code, *entry = p->entry_point;
	const char *type = creating ? NULL : pgd_platform_type_name(p->type);
	enum pgd_platform_type t;
	int certified = p->certified;

	if (require_object(rq, rs) < 0 || body_id(rq, rs, "unit_id", "主办单位", creating, &p->unit_id) < 0 ||
		pgd_body_str(rq, rs, "name", creating, NAME_MAX_BYTES, &name) < 0 ||
		pgd_body_str(rq, rs, "type", creating, 32, &type) < 0 ||
		pgd_body_str(rq, rs, "url_or_account", creating, TEXT_MAX_BYTES, &url) < 0 ||
		pgd_body_str(rq, rs, "site_code", 0, 64, &code) < 0 ||
		pgd_body_bool(rq, rs, "certified", 0, &certified) < 0 ||
		pgd_body_str(rq, rs, "entry_point", 0, TEXT_MAX_BYTES, &entry) < 0 ||
		body_id(rq, rs, "manager_person_id", "平台管理员", 0, &p->manager_person_id) < 0)
		return -1;
	if (!creating && p->unit_id == 0) {
		pgd_reply_error(rs, 400, "invalid", "unit_id", "主办单位不能为空");
		return -1;
	}
	if (type == NULL || pgd_platform_type_parse(type, &t) < 0) {
		pgd_reply_error(rs, 400, "invalid", "type",
			"平台类型无效：应为 website、wechat、weibo、app、douyin、toutiao、baijiahao、yidian、thepaper 或 other");
		return -1;
	}
	p->name = (char *)name;
	p->url_or_account = (char *)url;
	p->site_code = (char *)code;
	p->entry_point = (char *)entry;
	p->certified = certified != 0;
	p->type = t;
	return 0;
}

/* Art. 12, 17: the manager is a person of the platform's own unit on formal staff. Checked when
 * the manager or the unit changes (old_* 0 on create). Replies and returns -1 when refused;
 * a person that does not exist or has left is left to the store's message. */
static int check_manager(struct pgd_req *rq, struct pgd_resp *rs, const struct pgd_platform *p,
	int64_t old_manager, int64_t old_unit)
{
	struct pgd_person m = {0};
	struct pgd_err err = {0};
	int rc;

	if (p->manager_person_id == 0 || (p->manager_person_id == old_manager && p->unit_id == old_unit))
		return 0;
	rc = pgd_person_get(rq->st, p->manager_person_id, &m, &err);
	if (rc == PGD_ERR_NOT_FOUND)
		return 0;
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return -1;
	}
	rc = 0;
	if (m.unit_id != p->unit_id) { /* say nothing about another unit's person */
		pgd_reply_error(rs, 400, "invalid", "manager_person_id",
			"平台管理员（人员编号 %" PRId64 "）不是主办单位的人员", p->manager_person_id);
		rc = -1;
	} else if (m.staff_type != PGD_STAFF_FORMAL) {
		pgd_reply_error(rs, 403, "forbidden", "manager_person_id", NON_FORMAL_MANAGER);
		rc = -1;
	}
	pgd_person_release(&m);
	return rc;
}

/* The store's own refusal of a non-formal manager, in the contract's words. */
static void reply_platform_err(struct pgd_resp *rs, int rc, const struct pgd_err *err)
{
	if (rc == PGD_ERR_FORBIDDEN && strcmp(err->field, "manager_person_id") == 0)
		pgd_reply_error(rs, 403, "forbidden", "manager_person_id", NON_FORMAL_MANAGER);
	else
		pgd_reply_err(rs, rc, err);
}

void h_platforms_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_list_query q;
	struct pgd_platform_list l = {0};
	struct pgd_err err = {0};
	json_t *items;
	int rc;

	memset(&q, 0, sizeof(q));
	if (pgd_req_list_query(rq, rs, &q) < 0)
		return;
	if (!pgd_list_scope(rq, &q)) {
		reply_empty_page(rs, &q);
		return;
	}
	rc = pgd_platform_list(rq->st, &q, &l, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, pgd_json_platform(&l.items[i]));
	pgd_reply_json(rs, 200, pgd_json_page(items, l.total, &q));
	pgd_platform_list_release(&l);
}

static int load_platform(struct pgd_req *rq, struct pgd_resp *rs, int64_t id, struct pgd_platform *p)
{
	struct pgd_err err = {0};
	int rc = pgd_platform_get(rq->st, id, p, &err);
	if (rc == 0 && !pgd_unit_visible(rq, p->unit_id)) {
		pgd_platform_release(p);
		rc = pgd_err_set(&err, PGD_ERR_NOT_FOUND, "id", "平台（编号 %" PRId64 "）不存在", id);
	}
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return -1;
	}
	return 0;
}

void h_platforms_get(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_platform p;
	if (load_platform(rq, rs, rq->id[0], &p) < 0)
		return;
	pgd_reply_json(rs, 200, pgd_json_platform(&p));
	pgd_platform_release(&p);
}

void h_platforms_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_platform in = {0}, out = {0};
	struct pgd_err err = {0};
	json_t *after = NULL;
	int64_t id = 0;
	int rc;

	if (read_platform(rq, rs, 1, &in) < 0)
		return;
	if (!pgd_unit_visible(rq, in.unit_id)) {
		pgd_reply_error(rs, 403, "forbidden", "unit_id", "无权为其他单位登记平台");
		return;
	}
	if (begin(rq, rs) < 0)
		return;
	if (check_manager(rq, rs, &in, 0, 0) < 0) {
		pgd_store_rollback(rq->st, NULL);
		return;
	}
	rc = pgd_platform_create(rq->st, &in, &id, &err);
	if (rc == 0)
		rc = pgd_platform_get(rq->st, id, &out, &err);
	if (rc == 0)
		after = pgd_json_platform(&out);
	rc = audit_commit(rq, rc, "platform.create", "platform", id, NULL, after, &err);
	if (rc == 0)
		pgd_reply_json(rs, 201, json_incref(after));
	else
		reply_platform_err(rs, rc, &err);
	json_decref(after);
	pgd_platform_release(&out);
}

static void platform_change(struct pgd_req *rq, struct pgd_resp *rs, int close)
{
	struct pgd_platform cur = {0}, view, out = {0};
	struct pgd_err err = {0};
	json_t *before = NULL, *after = NULL;
	int64_t id = rq->id[0];
	int rc;

	if (!close && require_object(rq, rs) < 0)
		return;
	if (begin(rq, rs) < 0)
		return;
	if (load_platform(rq, rs, id, &cur) < 0) {
		pgd_store_rollback(rq->st, NULL);
		return;
	}
	before = pgd_json_platform(&cur);
	if (close) {
		rc = pgd_platform_close(rq->st, id, &err);
	} else {
		view = cur;
		if (read_platform(rq, rs, 0, &view) < 0) {
			pgd_store_rollback(rq->st, NULL);
			goto done;
		}
		if (view.unit_id != cur.unit_id && !pgd_unit_visible(rq, view.unit_id)) {
			pgd_store_rollback(rq->st, NULL);
			pgd_reply_error(rs, 403, "forbidden", "unit_id", "无权把平台移交其他单位");
			goto done;
		}
		if (check_manager(rq, rs, &view, cur.manager_person_id, cur.unit_id) < 0) {
			pgd_store_rollback(rq->st, NULL);
			goto done;
		}
		rc = pgd_platform_update(rq->st, &view, &err);
	}
	if (rc == 0)
		rc = pgd_platform_get(rq->st, id, &out, &err);
	if (rc == 0)
		after = pgd_json_platform(&out);
	rc = audit_commit(rq, rc, close ? "platform.close" : "platform.update", "platform", id, before, after,
		&err);
	if (rc == 0)
		pgd_reply_json(rs, 200, json_incref(after));
	else
		reply_platform_err(rs, rc, &err);
done:
	json_decref(before);
	json_decref(after);
	pgd_platform_release(&cur);
	pgd_platform_release(&out);
}

void h_platforms_update(struct pgd_req *rq, struct pgd_resp *rs)
{
	platform_change(rq, rs, 0);
}

void h_platforms_close(struct pgd_req *rq, struct pgd_resp *rs)
{
	platform_change(rq, rs, 1);
}
