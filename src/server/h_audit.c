/* GET /audit (the log, newest first, filtered by actor, action and time) and GET /audit/verify
 * (recompute the SM3 chain). Reading needs audit.read, which only the audit administrator
 * holds; nobody can change the log through the API. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "server/handlers.h"
#include "core/banned.h"

/* An entry's before/after: the stored JSON parsed, the raw text when it does not parse (an
 * entry written by hand), null when absent. */
static json_t *stored_json(const char *text)
{
	json_t *j;
	if (text == NULL)
		return json_null();
	j = json_loads(text, JSON_DECODE_ANY, NULL);
	if (j == NULL)
		j = json_string(text);
	return j ? j : json_null();
}

void h_audit_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_audit_query q;
	struct pgd_audit_list l = {0};
	struct pgd_list_query page = {0};
	struct pgd_err err = {0};
	int64_t n;
	json_t *items;
	int rc;

	memset(&q, 0, sizeof(q));
	if (pgd_req_query_int(rq, rs, "page", 1, &n) < 0)
		return;
	if (n < 1 || n > 1000000) {
		pgd_reply_error(rs, 400, "invalid", "page", "页码应在 1 到 1000000 之间");
		return;
	}
	q.page = (int)n;
	if (pgd_req_query_int(rq, rs, "page_size", 50, &n) < 0)
		return;
	if (n < 1 || n > 500) {
		pgd_reply_error(rs, 400, "invalid", "page_size", "每页条数应在 1 到 500 之间");
		return;
	}
	q.page_size = (int)n;
	q.actor = pgd_req_query(rq, "actor");
	q.action = pgd_req_query(rq, "action");
	q.since = pgd_req_query(rq, "since");
	q.until = pgd_req_query(rq, "until");
	rc = pgd_audit_list(rq->st, &q, &l, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < l.n; i++) {
		const struct pgd_audit_entry *e = &l.items[i];
		json_array_append_new(items, json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o}",
			"seq", (json_int_t)e->seq, "at", e->at, "actor", pgd_json_str_or_null(e->actor),
			"action", pgd_json_str_or_null(e->action), "subject", pgd_json_str_or_null(e->subject),
			"before", stored_json(e->before_json), "after", stored_json(e->after_json)));
	}
	page.page = q.page;
	page.page_size = q.page_size;
	pgd_reply_json(rs, 200, pgd_json_page(items, l.total, &page));
	pgd_audit_list_release(&l);
}

void h_audit_verify(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_audit_list all = {0};
	struct pgd_audit_query one = {.page = 1, .page_size = 1};
	struct pgd_err err = {0};
	int64_t bad = 0, count = 0;
	int rc = pgd_audit_verify(rq->st, &bad, &count, &err);

	if (rc == 0) {
		char msg[128];
		snprintf(msg, sizeof(msg), "审计日志完整：哈希链校验通过，共 %" PRId64 " 条记录", count);
		pgd_reply_json(rs, 200, json_pack("{s:b, s:I, s:n, s:s}", "ok", 1, "count", (json_int_t)count,
			"bad_seq", "message", msg));
		return;
	}
	if (rc != PGD_ERR_INTEGRITY) {
		pgd_reply_err(rs, rc, &err);
		return;
	}
	/* a broken chain is the answer, not an error of the request: report it with the number
	 * of entries present */
	if (pgd_audit_list(rq->st, &one, &all, NULL) == 0)
		count = all.total;
	pgd_audit_list_release(&all);
	pgd_reply_json(rs, 200, json_pack("{s:b, s:I, s:o, s:s}", "ok", 0, "count", (json_int_t)count, "bad_seq",
		bad > 0 ? json_integer((json_int_t)bad) : json_null(), "message", err.message));
}
