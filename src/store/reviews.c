/* Review groups and their filings (Art. 13, 附件1): a unit files the people of its
 * information-release review group; each change is a new, immutable filing whose members are
 * snapshotted. A group is outdated when a person of the latest filing has left or moved. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/buf.h"
#include "pubguard/mem.h"
#include "pubguard/reviews.h"
#include "store/internal.h"
#include "core/banned.h"

#define MEMBERS_MAX 200 /* people in one filing */

static const char *const duty_names[PGD_DUTY_COUNT] = {"leader", "responsible", "liaison", "member"};
static const char *const duty_labels[PGD_DUTY_COUNT] = {"组长（分管负责同志）", "信息审核负责人", "联络员", "成员"};
static const char *const duty_short[PGD_DUTY_COUNT] = {"组长", "审核负责人", "联络员", "成员"};
static const char *const state_names[] = {"ok", "missing", "outdated"};

const char *pgd_review_duty_name(enum pgd_review_duty d)
{
	return (unsigned)d < PGD_DUTY_COUNT ? duty_names[d] : NULL;
}

const char *pgd_review_duty_label(enum pgd_review_duty d)
{
	return (unsigned)d < PGD_DUTY_COUNT ? duty_labels[d] : NULL;
}

const char *pgd_review_duty_short(enum pgd_review_duty d)
{
	return (unsigned)d < PGD_DUTY_COUNT ? duty_short[d] : NULL;
}

int pgd_review_duty_parse(const char *s, enum pgd_review_duty *out)
{
	for (int i = 0; s && i < PGD_DUTY_COUNT; i++)
		if (strcmp(s, duty_names[i]) == 0) {
			*out = (enum pgd_review_duty)i;
			return 0;
		}
	return PGD_ERR_INVALID;
}

const char *pgd_review_state_name(enum pgd_review_state s)
{
	return (unsigned)s <= PGD_REVIEW_OUTDATED ? state_names[s] : NULL;
}

/* ---- release ---- */

static void members_free(struct pgd_filing_member *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].name);
		free(m[i].post);
		free(m[i].phone);
	}
	free(m);
}

void pgd_filing_release(struct pgd_filing *f)
{
	if (f == NULL)
		return;
	free(f->unit_name);
	free(f->group_name);
	free(f->filed_by);
	free(f->note);
	members_free(f->members, f->n_members);
	memset(f, 0, sizeof(*f));
}

void pgd_filing_list_release(struct pgd_filing_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		pgd_filing_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void pgd_review_status_list_release(struct pgd_review_status_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].unit_name);
		free(l->items[i].problem);
		members_free(l->items[i].members, l->items[i].n_members);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* ---- helpers ---- */

/* Load the members of a filing in filing order, with .active from the people table (active and
 * still in unit_id). When problem is not NULL, *problem gets a new Chinese description of the
 * members who left or moved (NULL when none). */
static int load_members(struct pgd_store *st, int64_t filing_id, int64_t unit_id,
	struct pgd_filing_member **out, size_t *n_out, char **problem, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	struct pgd_filing_member *m = NULL;
	struct pgd_buf pb;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	pgd_buf_init(&pb, 64u << 10);
	if (problem)
		*problem = NULL;
	rc = pgd_store_prep(st, &s, err,
		"SELECT m.duty, m.person_id, m.name, m.post, m.phone, p.status, p.unit_id"
		" FROM review_filing_members m LEFT JOIN people p ON p.id = m.person_id"
		" WHERE m.filing_id = $1 ORDER BY m.position", "i", filing_id);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		enum pgd_review_duty d = PGD_DUTY_MEMBER;
		const char *status = st->be->col_text(s, 5);
		int left = status == NULL || strcmp(status, "active") != 0;
		int moved = !left && st->be->col_int(s, 6) != unit_id;
		PGD_GROW(m, n + 1, cap);
		memset(&m[n], 0, sizeof(m[n]));
		(void)pgd_review_duty_parse(st->be->col_text(s, 0), &d);
		m[n].duty = d;
		m[n].person_id = st->be->col_int(s, 1);
		m[n].name = pgd_store_dup_col(st, s, 2);
		m[n].post = pgd_store_dup_col(st, s, 3);
		m[n].phone = pgd_store_dup_col(st, s, 4);
		m[n].active = !left && !moved;
		if (problem && (left || moved)) {
			if (pb.len)
				pgd_buf_addstr(&pb, "；");
			pgd_buf_addf(&pb, "%s %s %s", duty_short[d], m[n].name ? m[n].name : "",
				left ? "已离职" : "已调离本单位");
		}
		n++;
	}
out:
	st->be->finalize(s);
	if (rc < 0) {
		members_free(m, n);
		pgd_buf_release(&pb);
		return rc;
	}
	*out = m;
	*n_out = n;
	if (problem && pb.len)
		*problem = pgd_buf_take(&pb, NULL);
	pgd_buf_release(&pb);
	return 0;
}

/* ---- filings ---- */

/* Check and snapshot one member. Fills name/post/phone of *m (new strings). */
static int member_check(struct pgd_store *st, int64_t unit_id, struct pgd_filing_member *m, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc = pgd_store_prep(st, &s, err, "SELECT name, post, phone, unit_id, status FROM people WHERE id = $1",
		"i", m->person_id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 0) {
		rc = pgd_err_set(err, PGD_ERR_INVALID, "members", "人员（编号 %" PRId64 "）不存在", m->person_id);
	} else if (rc == 1) {
		const char *name = st->be->col_text(s, 0), *status = st->be->col_text(s, 4);
		rc = 0;
		if (status == NULL || strcmp(status, "active") != 0)
			rc = pgd_err_set(err, PGD_ERR_INVALID, "members", "「%s」已离职，不能列入审核小组", name ? name : "");
		else if (st->be->col_int(s, 3) != unit_id)
			rc = pgd_err_set(err, PGD_ERR_INVALID, "members", "「%s」不是本单位人员，不能列入本单位审核小组",
				name ? name : "");
		if (rc == 0) {
			m->name = pgd_store_dup_col(st, s, 0);
			m->post = pgd_store_dup_col(st, s, 1);
			m->phone = pgd_store_dup_col(st, s, 2);
		}
	}
	st->be->finalize(s);
	return rc;
}

static int filing_validate(struct pgd_store *st, const struct pgd_filing *f, struct pgd_err *err)
{
	static const char *const need[3] = {"组长（分管负责同志）", "信息审核负责人", "联络员"};
	size_t count[PGD_DUTY_COUNT] = {0};
	struct pgd_stmt *s = NULL;
	int rc;

	rc = pgd_store_check_text(f->group_name, 1, "group_name", "审核小组名称", err);
	if (rc == 0)
		rc = pgd_store_check_text(f->note, 0, "note", "备注", err);
	if (rc == 0)
		rc = pgd_store_check_text(f->filed_by, 1, "filed_by", "备案人", err);
	if (rc < 0)
		return rc;
	rc = pgd_store_prep(st, &s, err, "SELECT name, status FROM units WHERE id = $1", "i", f->unit_id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 0)
		rc = pgd_err_set(err, PGD_ERR_INVALID, "unit_id", "单位（编号 %" PRId64 "）不存在", f->unit_id);
	else if (rc == 1) {
		const char *status = st->be->col_text(s, 1);
		rc = 0;
		if (status == NULL || strcmp(status, "active") != 0)
			rc = pgd_err_set(err, PGD_ERR_INVALID, "unit_id", "单位「%s」已撤销，不能备案审核小组",
				st->be->col_text(s, 0) ? st->be->col_text(s, 0) : "");
	}
	st->be->finalize(s);
	if (rc < 0)
		return rc;

	if (f->n_members == 0 || f->members == NULL)
		return pgd_err_set(err, PGD_ERR_INVALID, "members", "审核小组成员不能为空");
	if (f->n_members > MEMBERS_MAX)
		return pgd_err_set(err, PGD_ERR_INVALID, "members", "审核小组成员过多（不超过 %d 人）", MEMBERS_MAX);
	for (size_t i = 0; i < f->n_members; i++) {
		if ((unsigned)f->members[i].duty >= PGD_DUTY_COUNT)
			return pgd_err_set(err, PGD_ERR_INVALID, "members", "第 %zu 名成员的职责无效", i + 1);
		if (f->members[i].person_id <= 0)
			return pgd_err_set(err, PGD_ERR_INVALID, "members", "第 %zu 名成员的人员编号无效", i + 1);
		for (size_t j = 0; j < i; j++)
			if (f->members[j].person_id == f->members[i].person_id)
				return pgd_err_set(err, PGD_ERR_INVALID, "members",
					"人员（编号 %" PRId64 "）重复列入审核小组：每人只能列入一次", f->members[i].person_id);
		count[f->members[i].duty]++;
	}
	for (int d = 0; d < 3; d++)
		if (count[d] != 1)
			return pgd_err_set(err, PGD_ERR_INVALID, "members", "审核小组须有且只有一名%s（现有 %zu 名）",
				need[d], count[d]);
	return 0;
}

int pgd_filing_create(struct pgd_store *st, const struct pgd_filing *f, int64_t *id, struct pgd_err *err)
{
	struct pgd_filing_member *m = NULL;
	struct pgd_stmt *s = NULL;
	size_t n = 0;
	int64_t fid = 0;
	char now[32];
	int own = 0, rc;

	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = filing_validate(st, f, err);
	if (rc < 0)
		goto out;
	/* leader, responsible, liaison, then members in the given order */
	m = pgd_calloc(f->n_members, sizeof(*m));
	for (int d = 0; d < PGD_DUTY_COUNT && rc == 0; d++)
		for (size_t i = 0; i < f->n_members && rc == 0; i++)
			if ((int)f->members[i].duty == d) {
				m[n].duty = f->members[i].duty;
				m[n].person_id = f->members[i].person_id;
				rc = member_check(st, f->unit_id, &m[n], err);
				n++;
			}
	if (rc < 0)
		goto out;
	pgd_store_now(now);
	rc = pgd_store_prep(st, &s, err,
		"INSERT INTO review_filings (unit_id, group_name, filed_by_user_id, filed_by, filed_at, note)"
		" VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", "isIsss",
		f->unit_id, f->group_name, f->filed_by_user_id, f->filed_by, now, f->note);
	if (rc < 0)
		goto out;
	rc = st->be->step(s, err);
	if (rc == 1) {
		fid = st->be->col_int(s, 0);
		rc = st->be->step(s, err);
	}
	st->be->finalize(s);
	s = NULL;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = pgd_store_execp(st, NULL, err,
			"INSERT INTO review_filing_members (filing_id, position, duty, person_id, name, post, phone)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7)", "iisisss",
			fid, (int64_t)(i + 1), duty_names[m[i].duty], m[i].person_id, m[i].name, m[i].post, m[i].phone);
	if (rc == 0 && id)
		*id = fid;
out:
	st->be->finalize(s);
	members_free(m, n);
	return pgd_store_tx_leave(st, own, rc, err);
}

#define FILING_COLS "f.id, f.unit_id, u.name, f.group_name, f.filed_by_user_id, f.filed_by, f.filed_at, f.note"

static void filing_read(struct pgd_store *st, struct pgd_stmt *s, struct pgd_filing *f)
{
	memset(f, 0, sizeof(*f));
	f->id = st->be->col_int(s, 0);
	f->unit_id = st->be->col_int(s, 1);
	f->unit_name = pgd_store_dup_col(st, s, 2);
	f->group_name = pgd_store_dup_col(st, s, 3);
	f->filed_by_user_id = st->be->col_int(s, 4);
	f->filed_by = pgd_store_dup_col(st, s, 5);
	pgd_store_copy_ts(f->filed_at, st->be->col_text(s, 6));
	f->note = pgd_store_dup_col(st, s, 7);
}

int pgd_filing_get(struct pgd_store *st, int64_t id, struct pgd_filing *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	rc = pgd_store_prep(st, &s, err,
		"SELECT " FILING_COLS " FROM review_filings f JOIN units u ON u.id = f.unit_id WHERE f.id = $1", "i", id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		filing_read(st, s, out);
		rc = 0;
	} else if (rc == 0) {
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "审核小组备案（编号 %" PRId64 "）不存在", id);
	}
	st->be->finalize(s);
	if (rc == 0)
		rc = load_members(st, out->id, out->unit_id, &out->members, &out->n_members, NULL, err);
	if (rc < 0)
		pgd_filing_release(out);
	return rc;
}

int pgd_filing_list_unit(struct pgd_store *st, int64_t unit_id, struct pgd_filing_list *out,
	struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	size_t cap = 0;
	int rc;
	memset(out, 0, sizeof(*out));
	rc = pgd_store_prep(st, &s, err,
		"SELECT " FILING_COLS " FROM review_filings f JOIN units u ON u.id = f.unit_id"
		" WHERE f.unit_id = $1 ORDER BY f.filed_at DESC, f.id DESC", "i", unit_id);
	if (rc < 0)
		return rc;
	while ((rc = st->be->step(s, err)) == 1) {
		PGD_GROW(out->items, out->n + 1, cap);
		filing_read(st, s, &out->items[out->n]);
		out->n++;
	}
	st->be->finalize(s);
	for (size_t i = 0; rc == 0 && i < out->n; i++)
		rc = load_members(st, out->items[i].id, out->items[i].unit_id, &out->items[i].members,
			&out->items[i].n_members, NULL, err);
	out->total = (int64_t)out->n;
	if (rc < 0)
		pgd_filing_list_release(out);
	return rc;
}

/* ---- status over units ---- */

/* The latest filing of a unit: the highest id (filings are immutable and ids increase). */
#define LATEST_FILING "(SELECT MAX(f2.id) FROM review_filings f2 WHERE f2.unit_id = u.id)"

#define STATUS_WHERE                                                                 \
	" WHERE ($1 = 0 OR u.id = $1) AND lower(u.name) LIKE lower($2) ESCAPE '\\'" \
	" AND ($3 = 1 OR u.status = 'active')"

int pgd_review_status_list(struct pgd_store *st, const struct pgd_list_query *q,
	struct pgd_review_status_list *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int64_t limit, offset, unit = q ? q->unit_id : 0, inactive = q && q->include_inactive;
	char *pat = pgd_store_like_pattern(q ? q->search : NULL);
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	pgd_store_page_bounds(q, &limit, &offset);
	rc = pgd_store_query_int(st, &out->total, err, "SELECT COUNT(*) FROM units u" STATUS_WHERE, "isi", unit,
		pat, inactive);
	if (rc < 0)
		goto out;
	rc = pgd_store_prep(st, &s, err,
		"SELECT u.id, u.name, f.id, f.filed_at FROM units u"
		" LEFT JOIN review_filings f ON f.id = " LATEST_FILING STATUS_WHERE
		" ORDER BY u.id LIMIT $4 OFFSET $5", "isiii", unit, pat, inactive, limit, offset);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		struct pgd_review_status *r;
		PGD_GROW(out->items, out->n + 1, cap);
		r = &out->items[out->n++];
		memset(r, 0, sizeof(*r));
		r->unit_id = st->be->col_int(s, 0);
		r->unit_name = pgd_store_dup_col(st, s, 1);
		r->filing_id = st->be->col_int(s, 2);
		pgd_store_copy_ts(r->filed_at, st->be->col_text(s, 3));
	}
	st->be->finalize(s);
	s = NULL;
	for (size_t i = 0; rc == 0 && i < out->n; i++) {
		struct pgd_review_status *r = &out->items[i];
		if (r->filing_id == 0) {
			r->state = PGD_REVIEW_MISSING;
			r->problem = pgd_strdup("未备案审核小组");
			continue;
		}
		rc = load_members(st, r->filing_id, r->unit_id, &r->members, &r->n_members, &r->problem, err);
		r->state = r->problem ? PGD_REVIEW_OUTDATED : PGD_REVIEW_OK;
	}
out:
	st->be->finalize(s);
	free(pat);
	if (rc < 0)
		pgd_review_status_list_release(out);
	return rc;
}

int pgd_review_counts(struct pgd_store *st, int64_t unit_id, int64_t *missing, int64_t *outdated,
	struct pgd_err *err)
{
	int rc = 0;
	if (missing)
		rc = pgd_store_query_int(st, missing, err,
			"SELECT COUNT(*) FROM units u WHERE u.status = 'active' AND ($1 = 0 OR u.id = $1)"
			" AND NOT EXISTS (SELECT 1 FROM review_filings f WHERE f.unit_id = u.id)", "i", unit_id);
	if (rc == 0 && outdated)
		rc = pgd_store_query_int(st, outdated, err,
			"SELECT COUNT(*) FROM units u WHERE u.status = 'active' AND ($1 = 0 OR u.id = $1)"
			" AND EXISTS (SELECT 1 FROM review_filing_members m JOIN people p ON p.id = m.person_id"
			" WHERE m.filing_id = " LATEST_FILING " AND (p.status <> 'active' OR p.unit_id <> u.id))",
			"i", unit_id);
	return rc;
}
