/* Approved items (Art. 14): GET /approved-items (patrol.read, scoped by the platform's unit)
 * and POST /approved-items (records.write for the user's own unit's platforms; the office's
 * roles see every unit, which covers patrol.run). Import is /import/approved_items (h_import.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/approved.h"
#include "server/handlers.h"
#include "core/banned.h"

static json_t *approved_json(const struct pgd_approved_item *a)
{
	char sh[17];
	json_t *j;
	snprintf(sh, sizeof(sh), "%016" PRIx64, a->simhash);
	j = json_object();
	json_object_set_new(j, "id", json_integer(a->id));
	json_object_set_new(j, "platform_id", json_integer(a->platform_id));
	json_object_set_new(j, "platform_name", pgd_json_str_or_null(a->platform_name));
	json_object_set_new(j, "unit_id", pgd_json_id_or_null(a->unit_id));
	json_object_set_new(j, "title", pgd_json_str_or_null(a->title));
	json_object_set_new(j, "url", pgd_json_str_or_null(a->url));
	json_object_set_new(j, "simhash", a->simhash ? json_string(sh) : json_null());
	json_object_set_new(j, "approved_at", pgd_json_text_or_null(a->approved_at));
	json_object_set_new(j, "approved_by", pgd_json_str_or_null(a->approved_by));
	json_object_set_new(j, "source", pgd_json_text_or_null(a->source));
	json_object_set_new(j, "ref", pgd_json_str_or_null(a->ref));
	json_object_set_new(j, "created_at", pgd_json_text_or_null(a->created_at));
	return j;
}

/* The platform, when it exists and the user may see it; else replies 404 and returns -1. */
static int visible_platform(struct pgd_req *rq, struct pgd_resp *rs, int64_t id, struct pgd_platform *p)
{
	struct pgd_err err = {0};
	int rc = pgd_platform_get(rq->st, id, p, &err);
	if (rc == 0 && !pgd_unit_visible(rq, p->unit_id)) {
		pgd_platform_release(p);
		rc = pgd_err_set(&err, PGD_ERR_NOT_FOUND, "platform_id", "平台（编号 %" PRId64 "）不存在", id);
	}
	if (rc < 0) {
		if (rc == PGD_ERR_NOT_FOUND)
			snprintf(err.field, sizeof(err.field), "platform_id");
		pgd_reply_err(rs, rc, &err);
		return -1;
	}
	return 0;
}

void h_approved_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_list_query lq;
	struct pgd_approved_query q = {0};
	struct pgd_approved_list l = {0};
	struct pgd_err err = {0};
	int64_t platform_id = 0;
	json_t *items;
	int rc;

	memset(&lq, 0, sizeof(lq));
	if (pgd_req_list_query(rq, rs, &lq) < 0 || pgd_req_query_int(rq, rs, "platform_id", 0, &platform_id) < 0)
		return;
	if (platform_id < 0) {
		pgd_reply_error(rs, 400, "invalid", "platform_id", "平台编号无效");
		return;
	}
	if (platform_id > 0) {
		struct pgd_platform p = {0};
		if (visible_platform(rq, rs, platform_id, &p) < 0)
			return;
		pgd_platform_release(&p);
	}
	if (!pgd_list_scope(rq, &lq)) {
		pgd_reply_json(rs, 200, pgd_json_page(json_array(), 0, &lq));
		return;
	}
	q.page = lq.page;
	q.page_size = lq.page_size;
	q.unit_id = lq.unit_id;
	q.search = lq.search;
	q.platform_id = platform_id;
	rc = pgd_store_approved_list(rq->st, &q, &l, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, approved_json(&l.items[i]));
	pgd_reply_json(rs, 200, pgd_json_page(items, l.total, &lq));
	pgd_approved_list_release(&l);
}

/* 16 hex digits -> *v; 0 or -1. */
static int parse_simhash(const char *s, uint64_t *v)
{
	*v = 0;
	if (strlen(s) != 16)
		return -1;
	for (int i = 0; i < 16; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (uint64_t)d;
	}
	return 0;
}

void h_approved_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_approved_item in = {0};
	struct pgd_approved_item out = {0};
	struct pgd_platform p = {0};
	struct pgd_err err = {0};
	const char *title = NULL, *url = NULL, *date = NULL, *ref = NULL, *simhash = NULL;
	json_t *after = NULL;
	char subject[64];
	int64_t id = 0;
	int rc;

	if (rq->json == NULL || !json_is_object(rq->json)) {
		pgd_reply_error(rs, 400, "invalid", NULL, "请求内容应为 JSON 对象");
		return;
	}
	if (pgd_body_int(rq, rs, "platform_id", 1, &in.platform_id) < 0 ||
		pgd_body_str(rq, rs, "title", 1, 1000, &title) < 0 || pgd_body_str(rq, rs, "url", 0, 4096, &url) < 0 ||
		pgd_body_str(rq, rs, "approved_at", 1, 10, &date) < 0 || pgd_body_str(rq, rs, "ref", 0, 200, &ref) < 0 ||
		pgd_body_str(rq, rs, "simhash", 0, 16, &simhash) < 0)
		return;
	if (simhash && parse_simhash(simhash, &in.simhash) < 0) {
		pgd_reply_error(rs, 400, "invalid", "simhash", "simhash 应为 16 位十六进制数");
		return;
	}
	if (in.platform_id <= 0) {
		pgd_reply_error(rs, 400, "invalid", "platform_id", "平台编号无效");
		return;
	}
	if (visible_platform(rq, rs, in.platform_id, &p) < 0)
		return;
	pgd_platform_release(&p);
	if (!pgd_can(rq, PGD_PERM_RECORDS_WRITE)) {
		pgd_reply_error(rs, 403, "forbidden", NULL, "无权登记审核备案记录（需要本单位的登记权限或巡查权限）");
		return;
	}
	in.title = (char *)title;
	in.url = (char *)url;
	in.ref = (char *)ref;
	snprintf(in.approved_at, sizeof(in.approved_at), "%s", date ? date : "");
	rc = pgd_approved_validate(&in, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	rc = pgd_store_begin(rq->st, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	rc = pgd_store_approved_create(rq->st, &in, rq->who ? rq->who->username : NULL, "workflow", &id, &err);
	if (rc == 0)
		rc = pgd_store_approved_get(rq->st, id, &out, &err);
	if (rc == 0)
		after = approved_json(&out);
	snprintf(subject, sizeof(subject), "approved_item:%" PRId64, id);
	if (rc == 0)
		rc = pgd_audit(rq, "approved_item.create", subject, NULL, after, &err);
	pgd_reply_commit(rq, rs, rc, 201, rc == 0 ? json_incref(after) : NULL, &err);
	json_decref(after);
	pgd_approved_item_release(&out);
}
