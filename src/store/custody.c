/* Account custody and handover (Art. 17): one sealed secret per platform (the store keeps the
 * sealed blob as hex and never sees plaintext), and handovers that move a platform's
 * management to another formal person of the same unit. */
#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "pubguard/reviews.h"
#include "store/internal.h"
#include "core/banned.h"

#define SECRET_HEX_MAX (2u * (PGD_SEAL_MAX_PLAINTEXT + PGD_SEAL_OVERHEAD))

static const char *const handover_status_names[] = {"pending", "confirmed", "cancelled"};

const char *pgd_handover_status_name(enum pgd_handover_status s)
{
	return (unsigned)s <= PGD_HANDOVER_CANCELLED ? handover_status_names[s] : NULL;
}

/* ---- custody ---- */

void pgd_custody_release(struct pgd_custody *c)
{
	if (c == NULL)
		return;
	free(c->account);
	free(c->secret_hex);
	free(c->set_by);
	memset(c, 0, sizeof(*c));
}

void pgd_custody_status_list_release(struct pgd_custody_status_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].platform_name);
		free(l->items[i].unit_name);
		free(l->items[i].manager_name);
		free(l->items[i].account);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* The platform must exist (NOT_FOUND) and be open (INVALID). */
static int check_open_platform(struct pgd_store *st, int64_t platform_id, struct pgd_platform *p,
	struct pgd_err *err)
{
	int rc = pgd_platform_get(st, platform_id, p, err);
	if (rc == 0 && !p->active)
		rc = pgd_err_set(err, PGD_ERR_INVALID, "platform_id", "平台「%s」已关闭", p->name);
	return rc;
}

int pgd_custody_set(struct pgd_store *st, int64_t platform_id, const char *account, const char *secret_hex,
	const char *set_by, struct pgd_err *err)
{
	struct pgd_platform p = {0};
	char now[32];
	size_t hl;
	int own = 0, rc;

	rc = pgd_store_check_text(account, 1, "account", "账号", err);
	if (rc == 0)
		rc = pgd_store_check_text(set_by, 1, "set_by", "设置人", err);
	if (rc == 0) {
		hl = secret_hex ? strlen(secret_hex) : 0;
		if (hl == 0 || hl % 2 != 0 || hl > SECRET_HEX_MAX || strspn(secret_hex, "0123456789abcdefABCDEF") != hl)
			rc = pgd_err_set(err, PGD_ERR_INVALID, "secret", "密文格式无效（应为十六进制）");
	}
	if (rc < 0)
		return rc;
	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = check_open_platform(st, platform_id, &p, err);
	if (rc < 0)
		goto out;
	pgd_store_now(now);
	rc = pgd_store_execp(st, NULL, err,
		"INSERT INTO custody (platform_id, account, secret_blob, set_by, set_at) VALUES ($1, $2, $3, $4, $5)"
		" ON CONFLICT (platform_id) DO UPDATE SET account = excluded.account,"
		" secret_blob = excluded.secret_blob, set_by = excluded.set_by, set_at = excluded.set_at",
		"issss", platform_id, account, secret_hex, set_by, now);
out:
	pgd_platform_release(&p);
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_custody_get(struct pgd_store *st, int64_t platform_id, struct pgd_custody *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	rc = pgd_store_prep(st, &s, err,
		"SELECT platform_id, account, secret_blob, set_by, set_at FROM custody WHERE platform_id = $1", "i",
		platform_id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		out->platform_id = st->be->col_int(s, 0);
		out->account = pgd_store_dup_col(st, s, 1);
		out->secret_hex = pgd_store_dup_col(st, s, 2);
		out->set_by = pgd_store_dup_col(st, s, 3);
		pgd_store_copy_ts(out->set_at, st->be->col_text(s, 4));
		rc = 0;
	} else if (rc == 0) {
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "platform_id", "平台（编号 %" PRId64 "）尚未托管账号", platform_id);
	}
	st->be->finalize(s);
	return rc;
}

/* Open platform whose manager left, with no confirmed handover away from that manager. */
#define FLAGGED_EXPR                                                                             \
	"(p.status = 'open' AND m.status = 'left' AND NOT EXISTS (SELECT 1 FROM handovers hc"     \
	" WHERE hc.platform_id = p.id AND hc.from_person_id = p.manager_person_id AND hc.status = 'confirmed'))"

#define CUSTODY_WHERE                                                                              \
	" WHERE ($1 = 0 OR p.unit_id = $1)"                                                            \
	" AND (lower(p.name) LIKE lower($2) ESCAPE '\\' OR lower(p.url_or_account) LIKE lower($2) ESCAPE '\\')" \
	" AND ($3 = 1 OR p.status = 'open')"

int pgd_custody_status_list(struct pgd_store *st, const struct pgd_list_query *q,
	struct pgd_custody_status_list *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int64_t limit, offset, unit = q ? q->unit_id : 0, inactive = q && q->include_inactive;
	char *pat = pgd_store_like_pattern(q ? q->search : NULL);
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	pgd_store_page_bounds(q, &limit, &offset);
	rc = pgd_store_query_int(st, &out->total, err, "SELECT COUNT(*) FROM platforms p" CUSTODY_WHERE, "isi", unit,
		pat, inactive);
	if (rc < 0)
		goto out;
	rc = pgd_store_prep(st, &s, err,
		"SELECT p.id, p.name, p.type, p.status, p.unit_id, u.name, p.manager_person_id, m.name, m.status,"
		" c.platform_id, c.account, c.set_at,"
		" (SELECT MAX(hp.id) FROM handovers hp WHERE hp.platform_id = p.id AND hp.status = 'pending'),"
		" CASE WHEN " FLAGGED_EXPR " THEN 1 ELSE 0 END"
		" FROM platforms p JOIN units u ON u.id = p.unit_id LEFT JOIN people m ON m.id = p.manager_person_id"
		" LEFT JOIN custody c ON c.platform_id = p.id" CUSTODY_WHERE " ORDER BY p.id LIMIT $4 OFFSET $5",
		"isiii", unit, pat, inactive, limit, offset);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		struct pgd_custody_status *r;
		const char *status = st->be->col_text(s, 3), *mstatus = st->be->col_text(s, 8);
		enum pgd_platform_type t = PGD_PLATFORM_OTHER;
		PGD_GROW(out->items, out->n + 1, cap);
		r = &out->items[out->n++];
		memset(r, 0, sizeof(*r));
		r->platform_id = st->be->col_int(s, 0);
		r->platform_name = pgd_store_dup_col(st, s, 1);
		(void)pgd_platform_type_parse(st->be->col_text(s, 2), &t);
		r->platform_type = t;
		r->platform_active = status && strcmp(status, "open") == 0;
		r->unit_id = st->be->col_int(s, 4);
		r->unit_name = pgd_store_dup_col(st, s, 5);
		r->manager_person_id = st->be->col_int(s, 6);
		r->manager_name = pgd_store_dup_col(st, s, 7);
		r->manager_active = mstatus && strcmp(mstatus, "active") == 0;
		r->has_secret = st->be->col_int(s, 9) != 0;
		r->account = pgd_store_dup_col(st, s, 10);
		pgd_store_copy_ts(r->set_at, st->be->col_text(s, 11));
		r->pending_handover_id = st->be->col_int(s, 12);
		r->flagged = st->be->col_int(s, 13) != 0;
	}
out:
	st->be->finalize(s);
	free(pat);
	if (rc < 0)
		pgd_custody_status_list_release(out);
	return rc;
}

int pgd_custody_count_flagged(struct pgd_store *st, int64_t unit_id, int64_t *n, struct pgd_err *err)
{
	return pgd_store_query_int(st, n, err,
		"SELECT COUNT(*) FROM platforms p JOIN people m ON m.id = p.manager_person_id"
		" WHERE ($1 = 0 OR p.unit_id = $1) AND " FLAGGED_EXPR, "i", unit_id);
}

/* ---- handovers ---- */

void pgd_handover_release(struct pgd_handover *h)
{
	if (h == NULL)
		return;
	free(h->platform_name);
	free(h->from_name);
	free(h->to_name);
	free(h->initiated_by);
	free(h->note);
	free(h->confirmed_by);
	memset(h, 0, sizeof(*h));
}

void pgd_handover_list_release(struct pgd_handover_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		pgd_handover_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

#define HANDOVER_SELECT                                                                          \
	"SELECT h.id, h.platform_id, p.name, p.unit_id, h.from_person_id, fp.name, h.to_person_id, tp.name," \
	" h.initiated_by, h.note, h.status, h.created_at, h.confirmed_by, h.confirmed_at"              \
	" FROM handovers h JOIN platforms p ON p.id = h.platform_id"                                   \
	" LEFT JOIN people fp ON fp.id = h.from_person_id LEFT JOIN people tp ON tp.id = h.to_person_id"

static void handover_read(struct pgd_store *st, struct pgd_stmt *s, struct pgd_handover *h)
{
	const char *status = st->be->col_text(s, 10);
	memset(h, 0, sizeof(*h));
	h->id = st->be->col_int(s, 0);
	h->platform_id = st->be->col_int(s, 1);
	h->platform_name = pgd_store_dup_col(st, s, 2);
	h->unit_id = st->be->col_int(s, 3);
	h->from_person_id = st->be->col_int(s, 4);
	h->from_name = pgd_store_dup_col(st, s, 5);
	h->to_person_id = st->be->col_int(s, 6);
	h->to_name = pgd_store_dup_col(st, s, 7);
	h->initiated_by = pgd_store_dup_col(st, s, 8);
	h->note = pgd_store_dup_col(st, s, 9);
	h->status = PGD_HANDOVER_CANCELLED;
	for (int i = 0; status && i < 3; i++)
		if (strcmp(status, handover_status_names[i]) == 0)
			h->status = (enum pgd_handover_status)i;
	pgd_store_copy_ts(h->created_at, st->be->col_text(s, 11));
	h->confirmed_by = pgd_store_dup_col(st, s, 12);
	pgd_store_copy_ts(h->confirmed_at, st->be->col_text(s, 13));
}

/* to_person must be an active formal person of unit_id other than the current manager. */
static int check_successor(struct pgd_store *st, const struct pgd_platform *p, int64_t to_person_id, int code,
	struct pgd_err *err)
{
	struct pgd_person to = {0};
	int rc = pgd_person_get(st, to_person_id, &to, err);
	if (rc == PGD_ERR_NOT_FOUND)
		return pgd_err_set(err, code ? code : PGD_ERR_INVALID, "to_person_id", "接收人（人员编号 %" PRId64 "）不存在",
			to_person_id);
	if (rc < 0)
		return rc;
	if (!to.active)
		rc = pgd_err_set(err, code ? code : PGD_ERR_INVALID, "to_person_id", "接收人「%s」已离职", to.name);
	else if (to.unit_id != p->unit_id)
		rc = pgd_err_set(err, code ? code : PGD_ERR_INVALID, "to_person_id",
			"接收人「%s」不是平台「%s」主办单位的人员", to.name, p->name);
	else if (to.staff_type != PGD_STAFF_FORMAL)
		rc = pgd_err_set(err, code ? code : PGD_ERR_FORBIDDEN, "to_person_id",
			"接收人「%s」不是正式人员：临聘人员和公益性岗位人员不得担任平台管理员", to.name);
	else if (to.id == p->manager_person_id)
		rc = pgd_err_set(err, code ? code : PGD_ERR_INVALID, "to_person_id", "「%s」已是平台「%s」的管理员", to.name,
			p->name);
	pgd_person_release(&to);
	return rc;
}

int pgd_handover_create(struct pgd_store *st, int64_t platform_id, int64_t to_person_id, const char *note,
	const char *initiated_by, int64_t *id, struct pgd_err *err)
{
	struct pgd_platform p = {0};
	struct pgd_stmt *s = NULL;
	int64_t pending = 0;
	char now[32];
	int own = 0, rc;

	rc = pgd_store_check_text(initiated_by, 1, "initiated_by", "发起人", err);
	if (rc == 0)
		rc = pgd_store_check_text(note, 0, "note", "备注", err);
	if (rc < 0)
		return rc;
	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = check_open_platform(st, platform_id, &p, err);
	if (rc == 0)
		rc = check_successor(st, &p, to_person_id, 0, err);
	if (rc == 0)
		rc = pgd_store_query_int(st, &pending, err,
			"SELECT COUNT(*) FROM handovers WHERE platform_id = $1 AND status = 'pending'", "i", platform_id);
	if (rc == 0 && pending > 0)
		rc = pgd_err_set(err, PGD_ERR_CONFLICT, "platform_id", "平台「%s」已有一项待确认的交接，请先确认或取消",
			p.name);
	if (rc < 0)
		goto out;
	pgd_store_now(now);
	rc = pgd_store_prep(st, &s, err,
		"INSERT INTO handovers (platform_id, from_person_id, to_person_id, initiated_by, note, status, created_at)"
		" VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id", "iIisss",
		platform_id, p.manager_person_id, to_person_id, initiated_by, note, now);
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
	pgd_platform_release(&p);
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_handover_get(struct pgd_store *st, int64_t id, struct pgd_handover *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	rc = pgd_store_prep(st, &s, err, HANDOVER_SELECT " WHERE h.id = $1", "i", id);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		handover_read(st, s, out);
		rc = 0;
	} else if (rc == 0) {
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "id", "交接（编号 %" PRId64 "）不存在", id);
	}
	st->be->finalize(s);
	return rc;
}

static int check_pending(const struct pgd_handover *h, struct pgd_err *err)
{
	if (h->status == PGD_HANDOVER_PENDING)
		return 0;
	return pgd_err_set(err, PGD_ERR_CONFLICT, "id", "交接（编号 %" PRId64 "）%s，不能再操作", h->id,
		h->status == PGD_HANDOVER_CONFIRMED ? "已确认" : "已取消");
}

int pgd_handover_confirm(struct pgd_store *st, int64_t id, int64_t by_person_id, const char *confirmed_by,
	struct pgd_err *err)
{
	struct pgd_handover h = {0};
	struct pgd_platform p = {0};
	char now[32];
	int own = 0, rc;

	rc = pgd_store_check_text(confirmed_by, 1, "confirmed_by", "确认人", err);
	if (rc < 0)
		return rc;
	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = pgd_handover_get(st, id, &h, err);
	if (rc == 0)
		rc = check_pending(&h, err);
	if (rc == 0 && by_person_id != h.to_person_id)
		rc = pgd_err_set(err, PGD_ERR_FORBIDDEN, "id", "只有接收人「%s」本人可以确认此交接",
			h.to_name ? h.to_name : "");
	if (rc == 0)
		rc = pgd_platform_get(st, h.platform_id, &p, err);
	if (rc == 0 && !p.active)
		rc = pgd_err_set(err, PGD_ERR_CONFLICT, "id", "平台「%s」已关闭，不能确认交接", p.name);
	if (rc == 0 && p.manager_person_id != h.from_person_id)
		rc = pgd_err_set(err, PGD_ERR_CONFLICT, "id", "平台「%s」的管理员在发起交接后已变更，请取消后重新发起",
			p.name);
	if (rc == 0)
		rc = check_successor(st, &p, h.to_person_id, PGD_ERR_CONFLICT, err);
	if (rc < 0)
		goto out;
	pgd_store_now(now);
	rc = pgd_store_execp(st, NULL, err,
		"UPDATE platforms SET manager_person_id = $2, updated_at = $3 WHERE id = $1", "iis",
		h.platform_id, h.to_person_id, now);
	if (rc == 0)
		rc = pgd_store_execp(st, NULL, err,
			"UPDATE handovers SET status = 'confirmed', confirmed_by = $2, confirmed_at = $3"
			" WHERE id = $1 AND status = 'pending'", "iss", id, confirmed_by, now);
out:
	pgd_handover_release(&h);
	pgd_platform_release(&p);
	return pgd_store_tx_leave(st, own, rc, err);
}

int pgd_handover_cancel(struct pgd_store *st, int64_t id, const char *cancelled_by, struct pgd_err *err)
{
	struct pgd_handover h = {0};
	char now[32];
	int own = 0, rc;

	rc = pgd_store_check_text(cancelled_by, 1, "cancelled_by", "取消人", err);
	if (rc < 0)
		return rc;
	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		return rc;
	rc = pgd_handover_get(st, id, &h, err);
	if (rc == 0)
		rc = check_pending(&h, err);
	if (rc == 0) {
		pgd_store_now(now);
		rc = pgd_store_execp(st, NULL, err,
			"UPDATE handovers SET status = 'cancelled', confirmed_by = $2, confirmed_at = $3"
			" WHERE id = $1 AND status = 'pending'", "iss", id, cancelled_by, now);
	}
	pgd_handover_release(&h);
	return pgd_store_tx_leave(st, own, rc, err);
}

#define HANDOVER_WHERE                                                                   \
	" WHERE ($1 = 0 OR p.unit_id = $1) AND lower(p.name) LIKE lower($2) ESCAPE '\\'" \
	" AND ($3 = 0 OR h.status = 'pending')"

int pgd_handover_list(struct pgd_store *st, const struct pgd_list_query *q, int only_pending,
	struct pgd_handover_list *out, struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	int64_t limit, offset, unit = q ? q->unit_id : 0, pend = only_pending != 0;
	char *pat = pgd_store_like_pattern(q ? q->search : NULL);
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	pgd_store_page_bounds(q, &limit, &offset);
	rc = pgd_store_query_int(st, &out->total, err,
		"SELECT COUNT(*) FROM handovers h JOIN platforms p ON p.id = h.platform_id" HANDOVER_WHERE, "isi", unit,
		pat, pend);
	if (rc < 0)
		goto out;
	rc = pgd_store_prep(st, &s, err, HANDOVER_SELECT HANDOVER_WHERE " ORDER BY h.id DESC LIMIT $4 OFFSET $5",
		"isiii", unit, pat, pend, limit, offset);
	if (rc < 0)
		goto out;
	while ((rc = st->be->step(s, err)) == 1) {
		PGD_GROW(out->items, out->n + 1, cap);
		handover_read(st, s, &out->items[out->n++]);
	}
out:
	st->be->finalize(s);
	free(pat);
	if (rc < 0)
		pgd_handover_list_release(out);
	return rc;
}

int pgd_handover_count_pending(struct pgd_store *st, int64_t unit_id, int64_t *n, struct pgd_err *err)
{
	return pgd_store_query_int(st, n, err,
		"SELECT COUNT(*) FROM handovers h JOIN platforms p ON p.id = h.platform_id"
		" WHERE ($1 = 0 OR p.unit_id = $1) AND h.status = 'pending'", "i", unit_id);
}
