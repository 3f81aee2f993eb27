/* The registry: units, people and platforms (Art. 2, 3, 12, 13, 17). Validation with
 * Chinese messages happens here; the schema's constraints are the backstop. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/buf.h"
#include "pubguard/mem.h"
#include "store/internal.h"
#include "core/banned.h"


/* ---- enumerations ---- */

static const char *const unit_kind_names[PGD_UNIT_KIND_COUNT] = {
	"town", "department", "organ", "people_org", "park", "enterprise"};
static const char *const staff_type_names[PGD_STAFF_TYPE_COUNT] = {"formal", "temporary", "public_welfare"};
static const char *const staff_type_zh[PGD_STAFF_TYPE_COUNT] = {"正式", "临聘", "公益性岗位"};
static const char *const platform_type_names[PGD_PLATFORM_TYPE_COUNT] = {
	"website", "wechat", "weibo", "app", "douyin", "toutiao", "baijiahao", "yidian", "thepaper", "other"};

static int parse_name(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *pgd_unit_kind_name(enum pgd_unit_kind k)
{
	return (unsigned)k < PGD_UNIT_KIND_COUNT ? unit_kind_names[k] : NULL;
}

int pgd_unit_kind_parse(const char *s, enum pgd_unit_kind *out)
{
	int i = parse_name(unit_kind_names, PGD_UNIT_KIND_COUNT, s);
	if (i < 0)
		return PGD_ERR_INVALID;
	*out = (enum pgd_unit_kind)i;
	return 0;
}

const char *pgd_staff_type_name(enum pgd_staff_type t)
{
	return (unsigned)t < PGD_STAFF_TYPE_COUNT ? staff_type_names[t] : NULL;
}

int pgd_staff_type_parse(const char *s, enum pgd_staff_type *out)
{
	int i = parse_name(staff_type_names, PGD_STAFF_TYPE_COUNT, s);
	if (i < 0)
		return PGD_ERR_INVALID;
	*out = (enum pgd_staff_type)i;
	return 0;
}

const char *pgd_platform_type_name(enum pgd_platform_type t)
{
	return (unsigned)t < PGD_PLATFORM_TYPE_COUNT ? platform_type_names[t] : NULL;
}

int pgd_platform_type_parse(const char *s, enum pgd_platform_type *out)
{
	int i = parse_name(platform_type_names, PGD_PLATFORM_TYPE_COUNT, s);
	if (i < 0)
		return PGD_ERR_INVALID;
	*out = (enum pgd_platform_type)i;
	return 0;
}

/* ---- release ---- */

void pgd_unit_release(struct pgd_unit *u)
{
	if (u == NULL)
		return;
	free(u->name);
	free(u->party_body);
	free(u->parent_name);
	u->name = u->party_body = u->parent_name = NULL;
}

void pgd_person_release(struct pgd_person *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->post);
	free(p->phone);
	free(p->unit_name);
	p->name = p->post = p->phone = p->unit_name = NULL;
}

void pgd_platform_release(struct pgd_platform *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->url_or_account);
	free(p->site_code);
	free(p->entry_point);
	free(p->unit_name);
	free(p->manager_name);
	p->name = p->url_or_account = p->site_code = p->entry_point = p->unit_name = p->manager_name = NULL;
}

void pgd_unit_list_release(struct pgd_unit_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		pgd_unit_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void pgd_person_list_release(struct pgd_person_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		pgd_person_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void pgd_platform_list_release(struct pgd_platform_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		pgd_platform_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* ---- validation helpers ---- */

/* Unit id must exist (and be active when require_active). */
static int check_unit_ref(struct pgd_store *st, int64_t unit_id, int require_active, const char *field,
	const char *label, struct pgd_err *err)
{
	int64_t n = 0;
	int rc = pgd_store_query_int(st, &n, err,
		require_active ? "SELECT COUNT(*) FROM units WHERE id = $1 AND status = 'active'"
			       : "SELECT COUNT(*) FROM units WHERE id = $1", "i", unit_id);
	if (rc < 0)
		return rc;
	if (n == 0)
		return pgd_err_set(err, PGD_ERR_INVALID, field, "%s（单位编号 %" PRId64 "）不存在%s", label, unit_id,
			require_active ? "或已撤销" : "");
	return 0;
}

/* On update: the unit must exist, and must be active unless the row already belongs to it
 * (a retired unit's rows stay editable, but nothing moves into it). sql_current selects the
 * row's current unit_id by $1. */
static int check_unit_move(struct pgd_store *st, const char *sql_current, int64_t row_id, int64_t unit_id,
	const char *field, const char *label, struct pgd_err *err)
{
	int64_t current = 0;
	int rc = pgd_store_query_int(st, &current, err, sql_current, "i", row_id);
	if (rc < 0)
		return rc;
	return check_unit_ref(st, unit_id, current != unit_id, field, label, err);
}

/* UPDATE ... SET status = ..., updated_at = $2 WHERE id = $1: NOT_FOUND when no row. */
static int set_status(struct pgd_store *st, const char *sql, int64_t id, const char *what, struct pgd_err *err)
{
	char now[32];
	int64_t changes = 0;
	int rc;
	pgd_store_now(now);
	rc = pgd_store_execp(st, &changes, err, sql, "is", id, now);
	if (rc == 0 && changes == 0)
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "%s（编号 %" PRId64 "）不存在", what, id);
	return rc;
}

/* ---- units ---- */

/* u: the unit; pu: its parent (for parent_name) */
#define UNIT_COLS                                                                                  \
	"u.id, u.parent_id, u.name, u.kind, u.party_body, u.principal_head_person_id, u.status, u.created_at," \
	" u.updated_at, pu.name"
#define UNIT_FROM " FROM units u LEFT JOIN units pu ON pu.id = u.parent_id"

static void unit_read(struct pgd_store *st, struct pgd_stmt *s, struct pgd_unit *u)
{
	int k = parse_name(unit_kind_names, PGD_UNIT_KIND_COUNT, st->be->col_text(s, 3));
	const char *status = st->be->col_text(s, 6);
	u->id = st->be->col_int(s, 0);
	u->parent_id = st->be->col_int(s, 1);
	u->name = pgd_store_dup_col(st, s, 2);
	u->kind = k < 0 ? PGD_UNIT_ORGAN : (enum pgd_unit_kind)k;
	u->party_body = pgd_store_dup_col(st, s, 4);
	u->principal_head_person_id = st->be->col_int(s, 5);
	u->active = status && strcmp(status, "active") == 0;
	pgd_store_copy_ts(u->created_at, st->be->col_text(s, 7));
	pgd_store_copy_ts(u->updated_at, st->be->col_text(s, 8));
	u->parent_name = pgd_store_dup_col(st, s, 9);
}

static int unit_validate(struct pgd_store *st, const struct pgd_unit *u, struct pgd_err *err)
{
	int rc = pgd_store_check_text(u->name, 1, "name", "单位名称", err);
	if (rc == 0)
		rc = pgd_store_check_text(u->party_body, 0, "party_body", "责任党组织", err);
	if (rc == 0 && pgd_unit_kind_name(u->kind) == NULL)
		rc = pgd_err_set(err, PGD_ERR_INVALID, "kind", "单位类型无效");
	if (rc == 0 && u->parent_id < 0)
		rc = pgd_err_set(err, PGD_ERR_INVALID, "parent_id", "上级单位编号无效");
	if (rc == 0 && u->parent_id > 0)
		rc = check_unit_ref(st, u->parent_id, 0, "parent_id", "上级单位", err);
	if (rc == 0 && u->principal_head_person_id != 0) {
		int64_t n = 0;
		rc = pgd_store_query_int(st, &n, err,
			"SELECT COUNT(*) FROM people WHERE id = $1 AND unit_id = $2 AND status = 'active'", "ii",
			u->principal_head_person_id, u->id);
		if (rc == 0 && n == 0)
			rc = pgd_err_set(err, PGD_ERR_INVALID, "principal_head_person_id",
				"主要负责人（人员编号 %" PRId64 "）不是本单位在职人员", u->principal_head_person_id);
	}
	return rc;
}

static int name_conflict(int rc, struct pgd_err *err, const char *field, const char *label, const char *name)
{
	if (rc == PGD_ERR_CONFLICT)
		return pgd_err_set(err, rc, field, "%s「%s」已存在", label, name);
	return rc;
}

int pgd_unit_create(struct pgd_store *st, const struct pgd_unit *u, int64_t *id, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	char now[32];
	int own = 0, rc;

	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = unit_validate(st, u, err);
	if (rc < 0)
		goto out;
	pgd_store_now(now);
	rc = pgd_store_prep(st, &s, err,
		"INSERT INTO units (parent_id, name, kind, party_body, principal_head_person_id, status, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, 'active', $6, $6) RETURNING id", "IsssIs",
		u->parent_id, u->name, pgd_unit_kind_name(u->kind), u->party_body, u->principal_head_person_id, now);
	if (rc < 0)
		goto out;
	rc = st->be->step(s, err);
	if (rc == 1) {
		if (id)
			*id = st->be->col_int(s, 0);
		rc = st->be->step(s, err);
	}
	rc = name_conflict(rc, err, "name", "单位名称", u->name);
out:
	st->be->finalize(s);
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_unit_get(struct pgd_store *st, int64_t id, struct pgd_unit *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	rc = pgd_store_prep(st, &s, err, "SELECT " UNIT_COLS UNIT_FROM " WHERE u.id = $1", "i", id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		unit_read(st, s, out);
		rc = 0;
	} else if (rc == 0) {
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "单位（编号 %" PRId64 "）不存在", id);
	}
	st->be->finalize(s);
	return rc;
}

int pgd_unit_update(struct pgd_store *st, const struct pgd_unit *u, struct pgd_err *err)
{
	char now[32];
	int64_t changes = 0, cycle = 0;
	int own = 0, rc;

	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = unit_validate(st, u, err);
	/* the new parent must not be the unit itself or one of its descendants */
	if (rc == 0 && u->parent_id > 0) {
		rc = pgd_store_query_int(st, &cycle, err,
			"WITH RECURSIVE sub(id) AS (SELECT CAST($1 AS BIGINT)"
			" UNION ALL SELECT units.id FROM units JOIN sub ON units.parent_id = sub.id)"
			" SELECT COUNT(*) FROM sub WHERE id = $2", "ii", u->id, u->parent_id);
		if (rc == 0 && cycle)
			rc = pgd_err_set(err, PGD_ERR_INVALID, "parent_id", "上级单位不能是本单位或其下级单位");
	}
	if (rc < 0)
		goto out;
	pgd_store_now(now);
	rc = pgd_store_execp(st, &changes, err,
		"UPDATE units SET parent_id = $2, name = $3, kind = $4, party_body = $5,"
		" principal_head_person_id = $6, updated_at = $7 WHERE id = $1", "iIsssIs",
		u->id, u->parent_id, u->name, pgd_unit_kind_name(u->kind), u->party_body,
		u->principal_head_person_id, now);
	rc = name_conflict(rc, err, "name", "单位名称", u->name);
	if (rc == 0 && changes == 0)
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "单位（编号 %" PRId64 "）不存在", u->id);
out:
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_unit_retire(struct pgd_store *st, int64_t id, struct pgd_err *err)
{
	int64_t children = 0, platforms = 0;
	int own = 0, rc;

	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = pgd_store_query_int(st, &children, err,
		"SELECT COUNT(*) FROM units WHERE parent_id = $1 AND status = 'active'", "i", id);
	if (rc == 0)
		rc = pgd_store_query_int(st, &platforms, err,
			"SELECT COUNT(*) FROM platforms WHERE unit_id = $1 AND status = 'open'", "i", id);
	if (rc == 0 && (children > 0 || platforms > 0))
		rc = pgd_err_set(err, PGD_ERR_CONFLICT, "id",
			"单位（编号 %" PRId64 "）还有 %" PRId64 " 个未撤销的下级单位、%" PRId64 " 个未关闭的平台，"
			"请先撤销下级单位、关闭或移交平台", id, children, platforms);
	if (rc == 0)
		rc = set_status(st, "UPDATE units SET status = 'retired', updated_at = $2 WHERE id = $1", id, "单位",
			err);
	return pgd_store_tx_leave(st, own, rc, err);
}

/* A list: one table (alias), the conditions each filter adds, the columns and joins of a row.
 * The WHERE clause holds only the filters given, so an unfiltered list is a plain scan of an
 * index (the status indexes of migration 0005) instead of evaluating "$1 = 0 OR ..." on every
 * row. The page's ids are picked in a subquery over the one table, and names are joined onto
 * those rows only: with the joins outside, SQLite joins every row OFFSET steps over.
 * Parameters: $1 unit id, $2 LIKE pattern; unused ones are not referenced (binding them is a
 * no-op). */
struct list_spec {
	const char *table;   /* "platforms pl" */
	const char *id;      /* "pl.id" */
	const char *unit;    /* condition on $1 */
	const char *search;  /* condition on $2 */
	const char *active;  /* condition when inactive rows are left out */
	const char *cols;    /* row columns */
	const char *from;    /* " FROM ... JOIN ..." for a row */
};

struct list_ctx {
	void *items;
	size_t n, cap, size;
	void (*read)(struct pgd_store *st, struct pgd_stmt *s, void *item);
};

static void list_where(struct pgd_buf *w, const struct list_spec *ls, const struct pgd_list_query *q)
{
	const char *sep = " WHERE ";
	if (q && q->unit_id) {
		pgd_buf_addf(w, "%s%s", sep, ls->unit);
		sep = " AND ";
	}
	if (q && q->search && *q->search) {
		pgd_buf_addf(w, "%s%s", sep, ls->search);
		sep = " AND ";
	}
	if (!(q && q->include_inactive))
		pgd_buf_addf(w, "%s%s", sep, ls->active);
}

static int run_list(struct pgd_store *st, const struct pgd_list_query *q, const struct list_spec *ls,
	struct list_ctx *c, int64_t *total, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	struct pgd_buf where, sql;
	int64_t limit, offset;
	int64_t unit = q ? q->unit_id : 0;
	char *pat = pgd_store_like_pattern(q ? q->search : NULL);
	int rc;

	pgd_buf_init(&where, 4096);
	pgd_buf_init(&sql, 8192);
	pgd_store_page_bounds(q, &limit, &offset);
	list_where(&where, ls, q);
	if (pgd_buf_addf(&sql, "SELECT COUNT(*) FROM %s%s", ls->table, where.len ? where.data : "") < 0) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "列表查询过长");
		goto out;
	}
	rc = pgd_store_query_int(st, total, err, sql.data, "is", unit, pat);
	if (rc < 0)
		goto out;
	pgd_buf_reset(&sql);
	if (pgd_buf_addf(&sql,
		    "SELECT %s%s WHERE %s IN (SELECT %s FROM %s%s ORDER BY %s LIMIT %lld OFFSET %lld) ORDER BY %s",
		    ls->cols, ls->from, ls->id, ls->id, ls->table, where.len ? where.data : "", ls->id,
		    (long long)limit, (long long)offset, ls->id) < 0) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "列表查询过长");
		goto out;
	}
	rc = pgd_store_prep(st, &s, err, sql.data, "is", unit, pat);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 16;
			c->items = pgd_reallocarray(c->items, c->cap, c->size);
		}
		memset((char *)c->items + c->n * c->size, 0, c->size);
		c->read(st, s, (char *)c->items + c->n * c->size);
		c->n++;
	}
out:
	st->be->finalize(s);
	pgd_buf_release(&where);
	pgd_buf_release(&sql);
	free(pat);
	return rc;
}

static void unit_read_v(struct pgd_store *st, struct pgd_stmt *s, void *item)
{
	unit_read(st, s, item);
}

static const struct list_spec unit_list_spec = {
	.table = "units u",
	.id = "u.id",
	.unit = "u.id IN (WITH RECURSIVE sub(id) AS (SELECT CAST($1 AS BIGINT)"
		" UNION ALL SELECT units.id FROM units JOIN sub ON units.parent_id = sub.id) SELECT id FROM sub)",
	.search = "lower(u.name) LIKE lower($2) ESCAPE '\\'",
	.active = "u.status = 'active'",
	.cols = UNIT_COLS,
	.from = UNIT_FROM,
};

int pgd_unit_list(struct pgd_store *st, const struct pgd_list_query *q, struct pgd_unit_list *out,
	struct pgd_err *err)
{
	struct list_ctx c = {.size = sizeof(struct pgd_unit), .read = unit_read_v};
	int rc;
	memset(out, 0, sizeof(*out));
	rc = run_list(st, q, &unit_list_spec, &c, &out->total, err);
	out->items = c.items;
	out->n = c.n;
	if (rc < 0)
		pgd_unit_list_release(out);
	return rc;
}

/* ---- people ---- */

/* p: the person; un: their unit (for unit_name) */
#define PERSON_COLS                                                                                \
	"p.id, p.unit_id, p.name, p.post, p.staff_type, p.phone, p.status, p.created_at, p.updated_at, un.name"
#define PERSON_FROM " FROM people p JOIN units un ON un.id = p.unit_id"

static void person_read(struct pgd_store *st, struct pgd_stmt *s, struct pgd_person *p)
{
	int t = parse_name(staff_type_names, PGD_STAFF_TYPE_COUNT, st->be->col_text(s, 4));
	const char *status = st->be->col_text(s, 6);
	p->id = st->be->col_int(s, 0);
	p->unit_id = st->be->col_int(s, 1);
	p->name = pgd_store_dup_col(st, s, 2);
	p->post = pgd_store_dup_col(st, s, 3);
	/* an unreadable staff type is never treated as formal */
	p->staff_type = t < 0 ? PGD_STAFF_TEMPORARY : (enum pgd_staff_type)t;
	p->phone = pgd_store_dup_col(st, s, 5);
	p->active = status && strcmp(status, "active") == 0;
	pgd_store_copy_ts(p->created_at, st->be->col_text(s, 7));
	pgd_store_copy_ts(p->updated_at, st->be->col_text(s, 8));
	p->unit_name = pgd_store_dup_col(st, s, 9);
}

static int person_validate(struct pgd_store *st, const struct pgd_person *p, int creating, struct pgd_err *err)
{
	int rc = pgd_store_check_text(p->name, 1, "name", "姓名", err);
	if (rc == 0)
		rc = pgd_store_check_text(p->post, 0, "post", "职务", err);
	if (rc == 0)
		rc = pgd_store_check_text(p->phone, 0, "phone", "电话", err);
	if (rc == 0 && pgd_staff_type_name(p->staff_type) == NULL)
		rc = pgd_err_set(err, PGD_ERR_INVALID, "staff_type", "人员类型无效（应为正式、临聘或公益性岗位）");
	if (rc == 0 && creating)
		rc = check_unit_ref(st, p->unit_id, 1, "unit_id", "所在单位", err);
	else if (rc == 0)
		rc = check_unit_move(st, "SELECT unit_id FROM people WHERE id = $1", p->id, p->unit_id, "unit_id",
			"所在单位", err);
	return rc;
}

int pgd_person_create(struct pgd_store *st, const struct pgd_person *p, int64_t *id, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	char now[32];
	int own = 0, rc;

	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = person_validate(st, p, 1, err);
	if (rc < 0)
		goto out;
	pgd_store_now(now);
	rc = pgd_store_prep(st, &s, err,
		"INSERT INTO people (unit_id, name, post, staff_type, phone, status, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, 'active', $6, $6) RETURNING id", "isssss",
		p->unit_id, p->name, p->post, pgd_staff_type_name(p->staff_type), p->phone, now);
	if (rc < 0)
		goto out;
	rc = st->be->step(s, err);
	if (rc == 1) {
		if (id)
			*id = st->be->col_int(s, 0);
		rc = st->be->step(s, err);
	}
out:
	st->be->finalize(s);
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_person_get(struct pgd_store *st, int64_t id, struct pgd_person *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	rc = pgd_store_prep(st, &s, err, "SELECT " PERSON_COLS PERSON_FROM " WHERE p.id = $1", "i", id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		person_read(st, s, out);
		rc = 0;
	} else if (rc == 0) {
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "人员（编号 %" PRId64 "）不存在", id);
	}
	st->be->finalize(s);
	return rc;
}

int pgd_person_update(struct pgd_store *st, const struct pgd_person *p, struct pgd_err *err)
{
	char now[32];
	int64_t changes = 0, managed = 0;
	int own = 0, rc;

	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = person_validate(st, p, 0, err);
	/* Art. 17: a platform's manager is formal staff, so a manager cannot become non-formal */
	if (rc == 0 && p->staff_type != PGD_STAFF_FORMAL) {
		rc = pgd_store_query_int(st, &managed, err,
			"SELECT COUNT(*) FROM platforms WHERE manager_person_id = $1 AND status = 'open'", "i", p->id);
		if (rc == 0 && managed > 0)
			rc = pgd_err_set(err, PGD_ERR_FORBIDDEN, "staff_type",
				"「%s」是 %" PRId64 " 个平台的管理员，平台管理员只能由正式人员担任，"
				"不能改为%s人员；请先更换平台管理员", p->name, managed, staff_type_zh[p->staff_type]);
	}
	if (rc < 0)
		goto out;
	pgd_store_now(now);
	rc = pgd_store_execp(st, &changes, err,
		"UPDATE people SET unit_id = $2, name = $3, post = $4, staff_type = $5, phone = $6, updated_at = $7"
		" WHERE id = $1", "iisssss",
		p->id, p->unit_id, p->name, p->post, pgd_staff_type_name(p->staff_type), p->phone, now);
	if (rc == 0 && changes == 0)
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "人员（编号 %" PRId64 "）不存在", p->id);
out:
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_person_leave(struct pgd_store *st, int64_t id, struct pgd_err *err)
{
	return set_status(st, "UPDATE people SET status = 'left', updated_at = $2 WHERE id = $1", id, "人员", err);
}

static void person_read_v(struct pgd_store *st, struct pgd_stmt *s, void *item)
{
	person_read(st, s, item);
}

static const struct list_spec person_list_spec = {
	.table = "people p",
	.id = "p.id",
	.unit = "p.unit_id = $1",
	.search = "(lower(p.name) LIKE lower($2) ESCAPE '\\' OR lower(p.post) LIKE lower($2) ESCAPE '\\')",
	.active = "p.status = 'active'",
	.cols = PERSON_COLS,
	.from = PERSON_FROM,
};

int pgd_person_list(struct pgd_store *st, const struct pgd_list_query *q, struct pgd_person_list *out,
	struct pgd_err *err)
{
	struct list_ctx c = {.size = sizeof(struct pgd_person), .read = person_read_v};
	int rc;
	memset(out, 0, sizeof(*out));
	rc = run_list(st, q, &person_list_spec, &c, &out->total, err);
	out->items = c.items;
	out->n = c.n;
	if (rc < 0)
		pgd_person_list_release(out);
	return rc;
}

/* ---- platforms ---- */

/* pl: the platform; un: its unit; m: its manager (for unit_name, manager_name) */
#define PLATFORM_COLS                                                                                   \
	"pl.id, pl.unit_id, pl.name, pl.type, pl.url_or_account, pl.site_code, pl.certified, pl.entry_point," \
	" pl.manager_person_id, pl.status, pl.created_at, pl.updated_at, un.name, m.name"
#define PLATFORM_FROM \
	" FROM platforms pl JOIN units un ON un.id = pl.unit_id LEFT JOIN people m ON m.id = pl.manager_person_id"

static void platform_read(struct pgd_store *st, struct pgd_stmt *s, struct pgd_platform *p)
{
	int t = parse_name(platform_type_names, PGD_PLATFORM_TYPE_COUNT, st->be->col_text(s, 3));
	const char *status = st->be->col_text(s, 9);
	p->id = st->be->col_int(s, 0);
	p->unit_id = st->be->col_int(s, 1);
	p->name = pgd_store_dup_col(st, s, 2);
	p->type = t < 0 ? PGD_PLATFORM_OTHER : (enum pgd_platform_type)t;
	p->url_or_account = pgd_store_dup_col(st, s, 4);
	p->site_code = pgd_store_dup_col(st, s, 5);
	p->certified = st->be->col_int(s, 6) != 0;
	p->entry_point = pgd_store_dup_col(st, s, 7);
	p->manager_person_id = st->be->col_int(s, 8);
	p->active = status && strcmp(status, "open") == 0;
	pgd_store_copy_ts(p->created_at, st->be->col_text(s, 10));
	pgd_store_copy_ts(p->updated_at, st->be->col_text(s, 11));
	p->unit_name = pgd_store_dup_col(st, s, 12);
	p->manager_name = pgd_store_dup_col(st, s, 13);
}

/* Art. 17: a platform's manager must be an active person on formal staff. */
static int check_manager(struct pgd_store *st, int64_t person_id, struct pgd_err *err)
{
	struct pgd_person m;
	int rc;
	if (person_id == 0)
		return 0;
	rc = pgd_person_get(st, person_id, &m, err);
	if (rc == PGD_ERR_NOT_FOUND)
		return pgd_err_set(err, PGD_ERR_INVALID, "manager_person_id",
			"平台管理员（人员编号 %" PRId64 "）不存在", person_id);
	if (rc < 0)
		return rc;
	if (m.staff_type != PGD_STAFF_FORMAL)
		rc = pgd_err_set(err, PGD_ERR_FORBIDDEN, "manager_person_id",
			"「%s」为%s人员，不能担任平台管理员：平台管理员只能由正式人员担任", m.name,
			staff_type_zh[m.staff_type]);
	else if (!m.active)
		rc = pgd_err_set(err, PGD_ERR_INVALID, "manager_person_id", "「%s」已离职，不能担任平台管理员", m.name);
	pgd_person_release(&m);
	return rc;
}

static int platform_validate(struct pgd_store *st, const struct pgd_platform *p, int creating,
	struct pgd_err *err)
{
	int rc = pgd_store_check_text(p->name, 1, "name", "平台名称", err);
	if (rc == 0)
		rc = pgd_store_check_text(p->url_or_account, 1, "url_or_account", "网址或账号", err);
	if (rc == 0)
		rc = pgd_store_check_text(p->site_code, 0, "site_code", "网站标识码", err);
	if (rc == 0)
		rc = pgd_store_check_text(p->entry_point, 0, "entry_point", "采集入口", err);
	if (rc == 0 && pgd_platform_type_name(p->type) == NULL)
		rc = pgd_err_set(err, PGD_ERR_INVALID, "type", "平台类型无效");
	if (rc == 0 && creating)
		rc = check_unit_ref(st, p->unit_id, 1, "unit_id", "主办单位", err);
	else if (rc == 0)
		rc = check_unit_move(st, "SELECT unit_id FROM platforms WHERE id = $1", p->id, p->unit_id, "unit_id",
			"主办单位", err);
	if (rc == 0)
		rc = check_manager(st, p->manager_person_id, err);
	return rc;
}

static int account_conflict(int rc, const struct pgd_platform *p, struct pgd_err *err)
{
	if (rc == PGD_ERR_CONFLICT)
		return pgd_err_set(err, rc, "url_or_account", "%s类平台「%s」已登记", platform_type_names[p->type],
			p->url_or_account);
	return rc;
}

int pgd_platform_create(struct pgd_store *st, const struct pgd_platform *p, int64_t *id, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	char now[32];
	int own = 0, rc;

	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = platform_validate(st, p, 1, err);
	if (rc < 0)
		goto out;
	pgd_store_now(now);
	rc = pgd_store_prep(st, &s, err,
		"INSERT INTO platforms (unit_id, name, type, url_or_account, site_code, certified, entry_point,"
		" manager_person_id, status, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $9) RETURNING id", "issssisIs",
		p->unit_id, p->name, pgd_platform_type_name(p->type), p->url_or_account, p->site_code,
		(int64_t)(p->certified != 0), p->entry_point, p->manager_person_id, now);
	if (rc < 0)
		goto out;
	rc = st->be->step(s, err);
	if (rc == 1) {
		if (id)
			*id = st->be->col_int(s, 0);
		rc = st->be->step(s, err);
	}
	rc = account_conflict(rc, p, err);
out:
	st->be->finalize(s);
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_platform_get(struct pgd_store *st, int64_t id, struct pgd_platform *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	rc = pgd_store_prep(st, &s, err, "SELECT " PLATFORM_COLS PLATFORM_FROM " WHERE pl.id = $1", "i", id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		platform_read(st, s, out);
		rc = 0;
	} else if (rc == 0) {
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "平台（编号 %" PRId64 "）不存在", id);
	}
	st->be->finalize(s);
	return rc;
}

int pgd_platform_update(struct pgd_store *st, const struct pgd_platform *p, struct pgd_err *err)
{
	char now[32];
	int64_t changes = 0;
	int own = 0, rc;

	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = platform_validate(st, p, 0, err);
	if (rc < 0)
		goto out;
	pgd_store_now(now);
	rc = pgd_store_execp(st, &changes, err,
		"UPDATE platforms SET unit_id = $2, name = $3, type = $4, url_or_account = $5, site_code = $6,"
		" certified = $7, entry_point = $8, manager_person_id = $9, updated_at = $10 WHERE id = $1",
		"iissssisIs", p->id, p->unit_id, p->name, pgd_platform_type_name(p->type), p->url_or_account,
		p->site_code, (int64_t)(p->certified != 0), p->entry_point, p->manager_person_id, now);
	rc = account_conflict(rc, p, err);
	if (rc == 0 && changes == 0)
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "平台（编号 %" PRId64 "）不存在", p->id);
out:
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_platform_close(struct pgd_store *st, int64_t id, struct pgd_err *err)
{
	return set_status(st, "UPDATE platforms SET status = 'closed', updated_at = $2 WHERE id = $1", id, "平台", err);
}

static void platform_read_v(struct pgd_store *st, struct pgd_stmt *s, void *item)
{
	platform_read(st, s, item);
}

static const struct list_spec platform_list_spec = {
	.table = "platforms pl",
	.id = "pl.id",
	.unit = "pl.unit_id = $1",
	.search = "(lower(pl.name) LIKE lower($2) ESCAPE '\\' OR lower(pl.url_or_account) LIKE lower($2) ESCAPE '\\')",
	.active = "pl.status = 'open'",
	.cols = PLATFORM_COLS,
	.from = PLATFORM_FROM,
};

int pgd_platform_list(struct pgd_store *st, const struct pgd_list_query *q, struct pgd_platform_list *out,
	struct pgd_err *err)
{
	struct list_ctx c = {.size = sizeof(struct pgd_platform), .read = platform_read_v};
	int rc;
	memset(out, 0, sizeof(*out));
	rc = run_list(st, q, &platform_list_spec, &c, &out->total, err);
	out->items = c.items;
	out->n = c.n;
	if (rc < 0)
		pgd_platform_list_release(out);
	return rc;
}

/* ---- dashboard figures ---- */

int pgd_registry_stats(struct pgd_store *st, int64_t unit_id, struct pgd_registry_stats *out,
	struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pgd_store_query_int(st, &out->units, err,
		"SELECT COUNT(*) FROM units WHERE status = 'active' AND ($1 = 0 OR id = $1)", "i", unit_id);
	if (rc == 0)
		rc = pgd_store_query_int(st, &out->people, err,
			"SELECT COUNT(*) FROM people WHERE status = 'active' AND ($1 = 0 OR unit_id = $1)", "i", unit_id);
	if (rc == 0)
		rc = pgd_store_query_int(st, &out->closed, err,
			"SELECT COUNT(*) FROM platforms WHERE status = 'closed' AND ($1 = 0 OR unit_id = $1)", "i",
			unit_id);
	if (rc < 0)
		goto out;
	rc = pgd_store_prep(st, &s, err,
		"SELECT type, COUNT(*) FROM platforms WHERE status = 'open' AND ($1 = 0 OR unit_id = $1)"
		" GROUP BY type", "i", unit_id);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		int t = parse_name(platform_type_names, PGD_PLATFORM_TYPE_COUNT, st->be->col_text(s, 0));
		int64_t n = st->be->col_int(s, 1);
		out->by_type[t < 0 ? PGD_PLATFORM_OTHER : t] += n;
		out->platforms += n;
	}
out:
	st->be->finalize(s);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

void pgd_unit_count_list_release(struct pgd_unit_count_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].unit_name);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int pgd_platform_count_by_unit(struct pgd_store *st, int64_t unit_id, int limit,
	struct pgd_unit_count_list *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (limit < 1 || limit > 500)
		return pgd_err_set(err, PGD_ERR_INVALID, "limit", "统计行数应在 1 到 500 之间");
	rc = pgd_store_prep(st, &s, err,
		"SELECT u.id, u.name, COUNT(*) AS n FROM platforms pl JOIN units u ON u.id = pl.unit_id"
		" WHERE pl.status = 'open' AND ($1 = 0 OR u.id = $1)"
		" GROUP BY u.id, u.name ORDER BY n DESC, u.id LIMIT $2", "ii", unit_id, (int64_t)limit);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		struct pgd_unit_count *c;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->items = pgd_reallocarray(out->items, cap, sizeof(*out->items));
		}
		c = &out->items[out->n++];
		c->unit_id = st->be->col_int(s, 0);
		c->unit_name = pgd_store_dup_col(st, s, 1);
		c->count = st->be->col_int(s, 2);
	}
out:
	st->be->finalize(s);
	if (rc < 0)
		pgd_unit_count_list_release(out);
	return rc;
}
