/* Helpers every handler uses: replies, request input with validation, permission and scope,
 * and the audit entry of a change. (The query string itself is read in http.c, the only
 * libmicrohttpd user: see pgd_req_query there.) */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "server/server.h"
#include "core/banned.h"

/* ---- replies ---- */

static void resp_clear_body(struct pgd_resp *rs)
{
	json_decref(rs->json);
	rs->json = NULL;
	free(rs->bytes);
	rs->bytes = NULL;
	rs->len = 0;
	free(rs->filename);
	rs->filename = NULL;
	rs->content_type = NULL;
}

void pgd_reply_json(struct pgd_resp *rs, int status, json_t *j)
{
	resp_clear_body(rs);
	rs->status = status;
	rs->json = j;
	rs->content_type = "application/json; charset=utf-8";
}

void pgd_reply_error(struct pgd_resp *rs, int status, const char *code, const char *field, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pgd_reply_json(rs, status,
		json_pack("{s:{s:s, s:o, s:o}}", "error", "code", code ? code : "internal", "message",
			pgd_json_text_or_null(msg), "field", pgd_json_text_or_null(field)));
}

static const char *code_word(int rc)
{
	switch (rc) {
	case PGD_ERR_INVALID: return "invalid";
	case PGD_ERR_NOT_FOUND: return "not_found";
	case PGD_ERR_TOO_LARGE: return "too_large";
	case PGD_ERR_ENCODING:
	case PGD_ERR_FORMAT: return "format";
	case PGD_ERR_CONFLICT: return "conflict";
	case PGD_ERR_FORBIDDEN: return "forbidden";
	case PGD_ERR_INTEGRITY: return "integrity";
	default: return "internal";
	}
}

void pgd_reply_err(struct pgd_resp *rs, int rc, const struct pgd_err *err)
{
	const char *msg = err && err->message[0] ? err->message : pgd_strerror(rc);
	const char *field = err && err->field[0] ? err->field : NULL;
	pgd_reply_error(rs, pgd_err_http_status(rc), code_word(rc), field, "%s", msg);
}

void pgd_reply_bytes(struct pgd_resp *rs, int status, const char *content_type, unsigned char *bytes, size_t len,
	const char *filename)
{
	resp_clear_body(rs);
	rs->status = status;
	rs->bytes = bytes;
	rs->len = len;
	rs->content_type = content_type;
	rs->filename = filename ? pgd_strdup(filename) : NULL;
}

void pgd_reply_forbidden(struct pgd_resp *rs)
{
	pgd_reply_error(rs, 403, "forbidden", NULL, "无权限执行此操作");
}

/* ---- request input ---- */

/* Whole decimal integer with no junk; 0 or -1. */
static int parse_i64(const char *s, int64_t *out)
{
	char *end = NULL;
	long long v;
	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return -1;
	*out = (int64_t)v;
	return 0;
}

int pgd_req_query_int(struct pgd_req *rq, struct pgd_resp *rs, const char *key, int64_t dflt, int64_t *out)
{
	const char *v = pgd_req_query(rq, key);
	*out = dflt;
	if (v == NULL || *v == '\0')
		return 0;
	if (parse_i64(v, out) < 0) {
		*out = dflt;
		pgd_reply_error(rs, 400, "invalid", key, "查询参数 %s 必须是整数", key);
		return -1;
	}
	return 0;
}

int pgd_req_list_query(struct pgd_req *rq, struct pgd_resp *rs, struct pgd_list_query *q)
{
	int64_t page = 1, size = 50, unit = 0, inactive = 0;
	const char *search;

	memset(q, 0, sizeof(*q));
	if (pgd_req_query_int(rq, rs, "page", 1, &page) < 0 || pgd_req_query_int(rq, rs, "page_size", 50, &size) < 0 ||
	    pgd_req_query_int(rq, rs, "unit_id", 0, &unit) < 0 ||
	    pgd_req_query_int(rq, rs, "include_inactive", 0, &inactive) < 0)
		return -1;
	if (page < 1 || page > 1000000) {
		pgd_reply_error(rs, 400, "invalid", "page", "页码必须在 1 到 1000000 之间");
		return -1;
	}
	if (size < 1 || size > 500) {
		pgd_reply_error(rs, 400, "invalid", "page_size", "每页条数必须在 1 到 500 之间");
		return -1;
	}
	if (unit < 0) {
		pgd_reply_error(rs, 400, "invalid", "unit_id", "单位编号无效");
		return -1;
	}
	if (inactive != 0 && inactive != 1) {
		pgd_reply_error(rs, 400, "invalid", "include_inactive", "include_inactive 只能是 0 或 1");
		return -1;
	}
	search = pgd_req_query(rq, "search");
	if (search && (strlen(search) > 200 || !pgd_utf8_valid(search, strlen(search)))) {
		pgd_reply_error(rs, 400, "invalid", "search", "搜索词过长或不是有效的 UTF-8 文本");
		return -1;
	}
	q->page = (int)page;
	q->page_size = (int)size;
	q->unit_id = unit;
	q->include_inactive = (int)inactive;
	q->search = search && *search ? search : NULL;
	return 0;
}

static json_t *body_field(struct pgd_req *rq, const char *field)
{
	return rq->json && json_is_object(rq->json) ? json_object_get(rq->json, field) : NULL;
}

static int missing(struct pgd_resp *rs, const char *field, int required)
{
	if (required) {
		pgd_reply_error(rs, 400, "invalid", field, "缺少字段 %s", field);
		return -1;
	}
	return 0;
}

int pgd_body_str(struct pgd_req *rq, struct pgd_resp *rs, const char *field, int required, size_t maxlen,
	const char **out)
{
	json_t *v = body_field(rq, field);
	const char *s;
	size_t n;

	if (v == NULL)
		return missing(rs, field, required);
	if (json_is_null(v)) {
		if (required) {
			pgd_reply_error(rs, 400, "invalid", field, "字段 %s 不能为空", field);
			return -1;
		}
		*out = NULL;
		return 0;
	}
	if (!json_is_string(v)) {
		pgd_reply_error(rs, 400, "invalid", field, "字段 %s 必须是字符串", field);
		return -1;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	if (strlen(s) != n || !pgd_utf8_valid(s, n)) {
		pgd_reply_error(rs, 400, "invalid", field, "字段 %s 不是有效的 UTF-8 文本", field);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f) {
			pgd_reply_error(rs, 400, "invalid", field, "字段 %s 含有控制字符", field);
			return -1;
		}
	}
	if (n > maxlen) {
		pgd_reply_error(rs, 400, "invalid", field, "字段 %s 过长（不超过 %zu 字节）", field, maxlen);
		return -1;
	}
	if (required && n == 0) {
		pgd_reply_error(rs, 400, "invalid", field, "字段 %s 不能为空", field);
		return -1;
	}
	*out = s;
	return 0;
}

int pgd_body_int(struct pgd_req *rq, struct pgd_resp *rs, const char *field, int required, int64_t *out)
{
	json_t *v = body_field(rq, field);
	if (v == NULL)
		return missing(rs, field, required);
	if (json_is_null(v) && !required) {
		*out = 0;
		return 0;
	}
	if (!json_is_integer(v)) {
		pgd_reply_error(rs, 400, "invalid", field, "字段 %s 必须是整数", field);
		return -1;
	}
	*out = (int64_t)json_integer_value(v);
	return 0;
}

int pgd_body_bool(struct pgd_req *rq, struct pgd_resp *rs, const char *field, int required, int *out)
{
	json_t *v = body_field(rq, field);
	if (v == NULL)
		return missing(rs, field, required);
	if (!json_is_boolean(v)) {
		pgd_reply_error(rs, 400, "invalid", field, "字段 %s 必须是 true 或 false", field);
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

/* ---- permission and scope ---- */

int pgd_can(const struct pgd_req *rq, enum pgd_perm p)
{
	if (p == PGD_PERM_PUBLIC)
		return 1;
	if (rq->who == NULL || (unsigned)p >= PGD_PERM_COUNT)
		return 0;
	return (rq->who->perms & (1u << p)) != 0;
}

int pgd_unit_visible(const struct pgd_req *rq, int64_t unit_id)
{
	if (rq->who == NULL)
		return 0;
	if (rq->who->city_scope)
		return 1;
	return unit_id > 0 && rq->who->unit_id == unit_id;
}

int pgd_list_scope(const struct pgd_req *rq, struct pgd_list_query *q)
{
	if (rq->who && rq->who->city_scope)
		return 1;
	if (rq->who == NULL || rq->who->unit_id <= 0 || (q->unit_id != 0 && q->unit_id != rq->who->unit_id))
		return 0;
	q->unit_id = rq->who->unit_id;
	return 1;
}

void pgd_reply_commit(struct pgd_req *rq, struct pgd_resp *rs, int rc, int status, json_t *body,
	struct pgd_err *err)
{
	if (rc == 0)
		rc = pgd_store_commit(rq->st, err); /* rolls back itself when the commit fails */
	else
		pgd_store_rollback(rq->st, NULL);
	if (rc == 0) {
		pgd_reply_json(rs, status, body);
	} else {
		json_decref(body);
		pgd_reply_err(rs, rc, err);
	}
}

/* ---- audit ---- */

int pgd_audit(struct pgd_req *rq, const char *action, const char *subject, json_t *before, json_t *after,
	struct pgd_err *err)
{
	char *b = NULL, *a = NULL;
	const char *actor = rq->who && rq->who->username[0] ? rq->who->username : "anonymous";
	int rc;

	if (before)
		b = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS);
	if (after)
		a = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
	if ((before && b == NULL) || (after && a == NULL)) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "无法生成审计记录");
		goto out;
	}
	rc = pgd_audit_append(rq->st, actor, action, subject, b, a, NULL, err);
out:
	free(b);
	free(a);
	return rc;
}
