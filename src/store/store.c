/* The store handle: open/close over a backend, migrations, transactions, and the small
 * helpers the registry code uses to prepare/bind/run statements. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pubguard/accounts.h"
#include "pubguard/mem.h"
#include "store/internal.h"
#include "core/banned.h"

void pgd_store_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int bind_va(struct pgd_store *st, struct pgd_stmt *s, const char *fmt, va_list ap)
{
	int idx = 1, rc = 0;
	for (const char *f = fmt; f && *f && rc == 0; f++, idx++) {
		switch (*f) {
		case 'i':
			rc = st->be->bind_int(s, idx, va_arg(ap, int64_t));
			break;
		case 'I': {
			int64_t v = va_arg(ap, int64_t);
			rc = v ? st->be->bind_int(s, idx, v) : st->be->bind_null(s, idx);
			break;
		}
		case 's':
			rc = st->be->bind_text(s, idx, va_arg(ap, const char *));
			break;
		default:
			rc = PGD_ERR_INTERNAL;
		}
	}
	return rc;
}

static int prep_va(struct pgd_store *st, struct pgd_stmt **out, struct pgd_err *err, const char *sql,
	const char *fmt, va_list ap)
{
	int rc = st->be->prepare(st, sql, out, err);
	if (rc < 0)
		return rc;
	rc = bind_va(st, *out, fmt, ap);
	if (rc < 0) {
		st->be->finalize(*out);
		*out = NULL;
		return pgd_err_set(err, rc, "", "数据库参数绑定失败");
	}
	return 0;
}

int pgd_store_prep(struct pgd_store *st, struct pgd_stmt **out, struct pgd_err *err, const char *sql,
	const char *fmt, ...)
{
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = prep_va(st, out, err, sql, fmt, ap);
	va_end(ap);
	return rc;
}

int pgd_store_run(struct pgd_store *st, struct pgd_stmt *s, int64_t *changes, struct pgd_err *err)
{
	int rc;
	while ((rc = st->be->step(s, err)) == 1)
		;
	if (rc == 0 && changes)
		*changes = st->be->changes(s);
	st->be->finalize(s);
	return rc;
}

int pgd_store_execp(struct pgd_store *st, int64_t *changes, struct pgd_err *err, const char *sql,
	const char *fmt, ...)
{
	struct pgd_stmt *s = NULL;
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = prep_va(st, &s, err, sql, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	return pgd_store_run(st, s, changes, err);
}

int pgd_store_query_int(struct pgd_store *st, int64_t *v, struct pgd_err *err, const char *sql,
	const char *fmt, ...)
{
	struct pgd_stmt *s = NULL;
	va_list ap;
	int rc;
	*v = 0;
	va_start(ap, fmt);
	rc = prep_va(st, &s, err, sql, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 1) {
		*v = st->be->col_int(s, 0);
		rc = 0;
	}
	st->be->finalize(s);
	return rc;
}

int pgd_store_tx_enter(struct pgd_store *st, int *own, struct pgd_err *err)
{
	*own = 0;
	if (st->in_tx)
		return 0;
	int rc = st->be->begin(st, err);
	if (rc == 0)
		*own = 1;
	return rc;
}

int pgd_store_tx_leave(struct pgd_store *st, int own, int rc, struct pgd_err *err)
{
	if (!own)
		return rc;
	if (rc < 0) {
		st->be->exec(st, "ROLLBACK", NULL); /* keep the first error */
		return rc;
	}
	rc = st->be->exec(st, "COMMIT", err);
	if (rc < 0)
		st->be->exec(st, "ROLLBACK", NULL);
	return rc;
}

int pgd_store_open(struct pgd_store **out, const char *path, struct pgd_err *err)
{
	struct pgd_store *st;
	int rc;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return pgd_err_set(err, PGD_ERR_INVALID, "db", "未指定数据库文件路径");
	st = pgd_calloc(1, sizeof(*st));
	st->be = &pgd_store_sqlite_backend;
	rc = st->be->open(st, path, err);
	if (rc < 0) {
		free(st);
		return rc;
	}
	*out = st;
	return 0;
}

void pgd_store_close(struct pgd_store *st)
{
	if (st == NULL)
		return;
	if (st->in_tx)
		st->be->exec(st, "ROLLBACK", NULL);
	st->be->close(st);
	free(st);
}

int pgd_store_begin(struct pgd_store *st, struct pgd_err *err)
{
	if (st->in_tx)
		return pgd_err_set(err, PGD_ERR_INTERNAL, "", "事务已经开始，不能嵌套");
	int rc = st->be->begin(st, err);
	if (rc == 0)
		st->in_tx = 1;
	return rc;
}

int pgd_store_commit(struct pgd_store *st, struct pgd_err *err)
{
	if (!st->in_tx)
		return pgd_err_set(err, PGD_ERR_INTERNAL, "", "没有进行中的事务可提交");
	int rc = st->be->exec(st, "COMMIT", err);
	if (rc < 0)
		st->be->exec(st, "ROLLBACK", NULL);
	st->in_tx = 0;
	return rc;
}

int pgd_store_rollback(struct pgd_store *st, struct pgd_err *err)
{
	if (!st->in_tx)
		return pgd_err_set(err, PGD_ERR_INTERNAL, "", "没有进行中的事务可回滚");
	st->in_tx = 0;
	return st->be->exec(st, "ROLLBACK", err);
}

int pgd_store_latest_version(void)
{
	return pgd_store_migrations[pgd_store_migration_count - 1].version;
}

static int ensure_migrations_table(struct pgd_store *st, struct pgd_err *err)
{
	return st->be->exec(st,
		"CREATE TABLE IF NOT EXISTS schema_migrations (\n"
		"  version INTEGER PRIMARY KEY,\n"
		"  applied_at TEXT NOT NULL\n"
		")", err);
}

int pgd_store_schema_version(struct pgd_store *st, int *applied, struct pgd_err *err)
{
	int64_t v = 0;
	int rc = ensure_migrations_table(st, err);
	if (rc == 0)
		rc = pgd_store_query_int(st, &v, err, "SELECT MAX(version) FROM schema_migrations", "");
	*applied = (int)v;
	return rc;
}

int pgd_store_migrate(struct pgd_store *st, struct pgd_err *err)
{
	int applied = 0, rc;

	if (st->in_tx)
		return pgd_err_set(err, PGD_ERR_INTERNAL, "", "不能在事务中执行数据库迁移");
	rc = pgd_store_schema_version(st, &applied, err);
	if (rc < 0)
		return rc;
	if (applied > pgd_store_latest_version())
		return pgd_err_set(err, PGD_ERR_INVALID, "db",
			"数据库结构版本 %d 高于本程序支持的版本 %d，请升级程序", applied, pgd_store_latest_version());
	for (int i = 0; i < pgd_store_migration_count; i++) {
		const struct pgd_migration *m = &pgd_store_migrations[i];
		int64_t done = 0;
		char now[32];
		int own = 0;

		rc = pgd_store_tx_enter(st, &own, err);
		if (rc < 0)
			return rc;
		/* checked again inside the write transaction: another process may have migrated */
		rc = pgd_store_query_int(st, &done, err,
			"SELECT COUNT(*) FROM schema_migrations WHERE version = $1", "i", (int64_t)m->version);
		if (rc == 0 && !done) {
			rc = st->be->exec(st, m->sql, err);
			if (rc < 0) {
				char msg[512];
				snprintf(msg, sizeof(msg), "%s", err ? err->message : "");
				pgd_err_set(err, rc, "db", "数据库迁移 %04d_%s 失败：%s", m->version, m->name, msg);
			}
		}
		if (rc == 0 && !done) {
			pgd_store_now(now);
			rc = pgd_store_execp(st, NULL, err,
				"INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", "is",
				(int64_t)m->version, now);
		}
		rc = pgd_store_tx_leave(st, own, rc, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int pgd_store_backup(struct pgd_store *st, const char *dest_path, struct pgd_err *err)
{
	if (dest_path == NULL || *dest_path == '\0')
		return pgd_err_set(err, PGD_ERR_INVALID, "file", "未指定备份文件路径");
	if (st->in_tx)
		return pgd_err_set(err, PGD_ERR_INTERNAL, "", "不能在事务中备份数据库");
	return st->be->backup(st, dest_path, err);
}

/* ---- record helpers ---- */

int pgd_store_check_text(const char *v, int required, const char *field, const char *label, struct pgd_err *err)
{
	if (v == NULL || *v == '\0') {
		if (required)
			return pgd_err_set(err, PGD_ERR_INVALID, field, "%s不能为空", label);
		return 0;
	}
	if (strlen(v) > PGD_STORE_TEXT_MAX)
		return pgd_err_set(err, PGD_ERR_INVALID, field, "%s过长（不超过 %d 字节）", label, PGD_STORE_TEXT_MAX);
	return 0;
}

char *pgd_store_dup_col(struct pgd_store *st, struct pgd_stmt *s, int col)
{
	return pgd_strdup(st->be->col_text(s, col));
}

void pgd_store_copy_ts(char dst[32], const char *src)
{
	snprintf(dst, 32, "%s", src ? src : "");
}

char *pgd_store_like_pattern(const char *search)
{
	size_t n = search ? strlen(search) : 0;
	char *p = pgd_malloc(2 * n + 3), *o = p;
	*o++ = '%';
	for (size_t i = 0; i < n; i++) {
		if (search[i] == '%' || search[i] == '_' || search[i] == '\\')
			*o++ = '\\';
		*o++ = search[i];
	}
	*o++ = '%';
	*o = '\0';
	return p;
}

void pgd_store_page_bounds(const struct pgd_list_query *q, int64_t *limit, int64_t *offset)
{
	int page = q && q->page > 1 ? q->page : 1;
	int size = q && q->page_size > 0 ? q->page_size : 50;
	if (size > 500)
		size = 500;
	*limit = size;
	*offset = (int64_t)(page - 1) * size;
}
