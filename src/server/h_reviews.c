/* Review groups and filings (Art. 13, 附件1): the status over units, a unit's filing history,
 * filing a new group, one filing as JSON and as a printable PDF. Users without city scope see
 * only their own unit (404 for others) and may file only for it (403). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pubguard/mem.h"
#include "pubguard/pdf.h"
#include "pubguard/reviews.h"
#include "server/handlers.h"
#include "core/banned.h"

#define FILING_MEMBERS_MAX 200

static json_t *member_json(const struct pgd_filing_member *m)
{
	return json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:b}", "duty", pgd_review_duty_name(m->duty),
		"duty_label", pgd_review_duty_label(m->duty), "person_id", (json_int_t)m->person_id,
		"name", pgd_json_str_or_null(m->name), "post", pgd_json_str_or_null(m->post), "phone", pgd_json_str_or_null(m->phone),
		"active", m->active);
}

static json_t *members_json(const struct pgd_filing_member *m, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, member_json(&m[i]));
	return a;
}

static json_t *filing_json(const struct pgd_filing *f)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:s, s:o, s:o}", "id", (json_int_t)f->id, "unit_id",
		(json_int_t)f->unit_id, "unit_name", pgd_json_str_or_null(f->unit_name), "group_name", pgd_json_str_or_null(f->group_name),
		"filed_by", pgd_json_str_or_null(f->filed_by), "filed_at", f->filed_at, "note", pgd_json_str_or_null(f->note),
		"members", members_json(f->members, f->n_members));
}

void h_review_groups(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_list_query q = {0};
	struct pgd_review_status_list l = {0};
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
	rc = pgd_review_status_list(rq->st, &q, &l, &err);
	if (rc < 0) {
		json_decref(items);
		pgd_reply_err(rs, rc, &err);
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct pgd_review_status *r = &l.items[i];
		json_array_append_new(items, json_pack("{s:I, s:o, s:o, s:o, s:s, s:o, s:o}", "unit_id",
			(json_int_t)r->unit_id, "unit_name", pgd_json_str_or_null(r->unit_name), "filing_id",
			r->filing_id ? json_integer(r->filing_id) : json_null(), "filed_at",
			r->filing_id ? json_string(r->filed_at) : json_null(), "state", pgd_review_state_name(r->state),
			"problem", pgd_json_str_or_null(r->problem), "members", members_json(r->members, r->n_members)));
	}
	pgd_reply_json(rs, 200, pgd_json_page(items, l.total, &q));
	pgd_review_status_list_release(&l);
}

/* The unit of path id 0 must exist and be visible: else 404 (reads) or 403 (writes). */
static int unit_in_scope(struct pgd_req *rq, struct pgd_resp *rs, int writing)
{
	struct pgd_unit u;
	struct pgd_err err = {0};
	int rc = pgd_unit_get(rq->st, rq->id[0], &u, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return -1;
	}
	pgd_unit_release(&u);
	if (!pgd_unit_visible(rq, rq->id[0])) {
		if (writing)
			pgd_reply_forbidden(rs);
		else
			pgd_reply_error(rs, 404, "not_found", "id", "单位（编号 %" PRId64 "）不存在", rq->id[0]);
		return -1;
	}
	return 0;
}

void h_filings_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_filing_list l = {0};
	struct pgd_err err = {0};
	json_t *items;
	int rc;

	if (unit_in_scope(rq, rs, 0) < 0)
		return;
	rc = pgd_filing_list_unit(rq->st, rq->id[0], &l, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, filing_json(&l.items[i]));
	pgd_reply_json(rs, 200, json_pack("{s:o}", "items", items));
	pgd_filing_list_release(&l);
}

/* members: [{"duty","person_id"}] -> f->members (new). Replies 400 and returns -1 on bad input. */
static int parse_members(struct pgd_req *rq, struct pgd_resp *rs, struct pgd_filing *f)
{
	json_t *a = rq->json ? json_object_get(rq->json, "members") : NULL, *e;
	size_t i;

	if (a == NULL || !json_is_array(a) || json_array_size(a) == 0) {
		pgd_reply_error(rs, 400, "invalid", "members", "审核小组成员（members）不能为空，应为数组");
		return -1;
	}
	if (json_array_size(a) > FILING_MEMBERS_MAX) {
		pgd_reply_error(rs, 400, "invalid", "members", "审核小组成员过多（不超过 %d 人）", FILING_MEMBERS_MAX);
		return -1;
	}
	f->members = pgd_calloc(json_array_size(a), sizeof(*f->members));
	json_array_foreach(a, i, e) {
		json_t *duty = json_object_get(e, "duty"), *pid = json_object_get(e, "person_id");
		enum pgd_review_duty d;
		if (!json_is_object(e) || !json_is_string(duty) || pgd_review_duty_parse(json_string_value(duty), &d) < 0) {
			pgd_reply_error(rs, 400, "invalid", "members",
				"第 %zu 名成员的职责（duty）无效：应为 leader、responsible、liaison 或 member", i + 1);
			return -1;
		}
		if (!json_is_integer(pid) || json_integer_value(pid) <= 0) {
			pgd_reply_error(rs, 400, "invalid", "members", "第 %zu 名成员的人员编号（person_id）无效", i + 1);
			return -1;
		}
		f->members[i].duty = d;
		f->members[i].person_id = json_integer_value(pid);
		f->n_members = i + 1;
	}
	return 0;
}

void h_filings_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_filing f = {0}, got = {0};
	struct pgd_err err = {0};
	const char *group_name = NULL, *note = NULL;
	char subject[64];
	int64_t id = 0;
	json_t *after = NULL;
	int rc;

	if (unit_in_scope(rq, rs, 1) < 0)
		return;
	if (pgd_body_str(rq, rs, "group_name", 1, 1000, &group_name) < 0 ||
	    pgd_body_str(rq, rs, "note", 0, 1000, &note) < 0)
		return;
	if (parse_members(rq, rs, &f) < 0)
		goto out;
	f.unit_id = rq->id[0];
	f.group_name = (char *)group_name;
	f.note = (char *)note;
	f.filed_by_user_id = rq->who->user_id;
	f.filed_by = rq->who->display_name[0] ? rq->who->display_name : rq->who->username;

	rc = pgd_store_begin(rq->st, &err);
	if (rc == 0)
		rc = pgd_filing_create(rq->st, &f, &id, &err);
	if (rc == 0)
		rc = pgd_filing_get(rq->st, id, &got, &err);
	if (rc == 0) {
		after = filing_json(&got);
		snprintf(subject, sizeof(subject), "filing:%" PRId64, id);
		rc = pgd_audit(rq, "filing.create", subject, NULL, after, &err);
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
	pgd_filing_release(&got);
out:
	/* strings of f are borrowed from the request; only the member array is ours */
	free(f.members);
}

/* Load filing path id 0 and check it is visible (404 otherwise). */
static int filing_in_scope(struct pgd_req *rq, struct pgd_resp *rs, struct pgd_filing *f)
{
	struct pgd_err err = {0};
	int rc = pgd_filing_get(rq->st, rq->id[0], f, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return -1;
	}
	if (!pgd_unit_visible(rq, f->unit_id)) {
		pgd_filing_release(f);
		pgd_reply_error(rs, 404, "not_found", "id", "审核小组备案（编号 %" PRId64 "）不存在", rq->id[0]);
		return -1;
	}
	return 0;
}

void h_filings_get(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_filing f;
	if (filing_in_scope(rq, rs, &f) < 0)
		return;
	pgd_reply_json(rs, 200, filing_json(&f));
	pgd_filing_release(&f);
}

void h_filings_pdf(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_filing f;
	struct pgd_err err = {0};
	unsigned char *pdf = NULL;
	size_t len = 0;
	char name[1200]; /* a unit name is at most 1000 bytes: never cut inside a character */
	int rc;

	if (filing_in_scope(rq, rs, &f) < 0)
		return;
	rc = pgd_pdf_review_group_form(&f, &pdf, &len, NULL, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
	} else {
		snprintf(name, sizeof(name), "附件1-%s-%.10s.pdf", f.unit_name ? f.unit_name : "", f.filed_at);
		for (char *c = name; *c; c++) /* keep the header and file systems happy */
			if (*c == '/' || *c == '\\' || *c == '"' || (unsigned char)*c < 0x20)
				*c = '_';
		pgd_reply_bytes(rs, 200, "application/pdf", pdf, len, name);
	}
	pgd_filing_release(&f);
}
