/* The SQLite backend: the only sqlite3 user. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "pubguard/mem.h"
#include "store/internal.h"
#include "core/banned.h"

/* Prepared statements are kept per connection and reused: the server runs the same few
 * queries (session, user, list pages) on every request, and preparing them each time cost
 * more than running them. A finalised statement that came from the cache is reset and
 * handed back; the least recently used free entry makes room for a new one. */
#define STMT_CACHE 48

struct cached_stmt {
	char *sql;        /* NULL: empty slot */
	uint64_t hash;
	sqlite3_stmt *s;
	int in_use;
	uint64_t used;    /* last use, for LRU */
};

struct sq_conn {
	sqlite3 *db;
	uint64_t clock;
	struct cached_stmt cache[STMT_CACHE];
};

struct pgd_stmt {
	sqlite3_stmt *s;
	sqlite3 *db;
	struct cached_stmt *entry; /* NULL: not cached, finalise it */
	int64_t changes;
};

static sqlite3 *conn_db(struct pgd_store *st)
{
	return st->conn ? ((struct sq_conn *)st->conn)->db : NULL;
}

static uint64_t sql_hash(const char *sql)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return h;
}

/* Map an (extended) SQLite result code to a PGD_ERR_* code with a Chinese message. */
static int map_error(sqlite3 *db, int rc, struct pgd_err *err)
{
	const char *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return pgd_err_set(err, PGD_ERR_CONFLICT, "", "数据重复，与已有记录冲突（%s）", detail);
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return pgd_err_set(err, PGD_ERR_INVALID, "", "引用的记录不存在或仍被引用（%s）", detail);
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
		return pgd_err_set(err, PGD_ERR_INVALID, "", "字段取值不符合要求（%s）", detail);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return pgd_err_set(err, PGD_ERR_IO, "", "数据库忙，请稍后重试（%s）", detail);
	default:
		return pgd_err_set(err, PGD_ERR_IO, "", "数据库操作失败（%s）", detail);
	}
}

static int sq_exec(struct pgd_store *st, const char *sql, struct pgd_err *err)
{
	sqlite3 *db = conn_db(st);
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return map_error(db, sqlite3_extended_errcode(db), err);
	return 0;
}

static int sq_open(struct pgd_store *st, const char *path, struct pgd_err *err)
{
	sqlite3 *db = NULL;
	int rc;
	char *mode = NULL;
	sqlite3_stmt *s = NULL;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = pgd_err_set(err, PGD_ERR_IO, path, "无法打开数据库 %s（%s）", path,
			db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 5000);
	st->conn = pgd_calloc(1, sizeof(struct sq_conn));
	((struct sq_conn *)st->conn)->db = db;
	rc = sq_exec(st, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA journal_mode = WAL;", err);
	if (rc < 0)
		goto out;
	/* journal_mode answers with the mode it actually got: refuse to run without WAL */
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		rc = map_error(db, sqlite3_extended_errcode(db), err);
		goto out;
	}
	mode = pgd_strdup((const char *)sqlite3_column_text(s, 0));
	if (strcmp(path, ":memory:") != 0 && (mode == NULL || sqlite3_stricmp(mode, "wal") != 0)) {
		rc = pgd_err_set(err, PGD_ERR_IO, path, "数据库 %s 无法启用 WAL 日志模式（当前为 %s）", path,
			mode ? mode : "未知");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	free(mode);
	if (rc < 0) {
		sqlite3_close(db);
		free(st->conn);
		st->conn = NULL;
	}
	return rc;
}

static void sq_close(struct pgd_store *st)
{
	struct sq_conn *c = st->conn;
	if (c == NULL)
		return;
	for (int i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(c->cache[i].s);
		free(c->cache[i].sql);
	}
	sqlite3_close(c->db);
	free(c);
	st->conn = NULL;
}

static int sq_begin(struct pgd_store *st, struct pgd_err *err)
{
	return sq_exec(st, "BEGIN IMMEDIATE", err);
}

static int sq_prepare(struct pgd_store *st, const char *sql, struct pgd_stmt **out, struct pgd_err *err)
{
	struct sq_conn *c = st->conn;
	struct cached_stmt *slot = NULL;
	sqlite3_stmt *s = NULL;
	uint64_t h = sql_hash(sql);

	*out = NULL;
	for (int i = 0; i < STMT_CACHE; i++) {
		struct cached_stmt *e = &c->cache[i];
		if (e->sql && !e->in_use && e->hash == h && strcmp(e->sql, sql) == 0) {
			e->in_use = 1;
			e->used = ++c->clock;
			*out = pgd_calloc(1, sizeof(**out));
			(*out)->s = e->s;
			(*out)->db = c->db;
			(*out)->entry = e;
			return 0;
		}
		if (!e->in_use && (slot == NULL || (slot->sql && (e->sql == NULL || e->used < slot->used))))
			slot = e;
	}
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		return map_error(c->db, sqlite3_extended_errcode(c->db), err);
	*out = pgd_calloc(1, sizeof(**out));
	(*out)->s = s;
	(*out)->db = c->db;
	if (slot) { /* evict the least recently used free statement */
		sqlite3_finalize(slot->s);
		free(slot->sql);
		slot->sql = pgd_strdup(sql);
		slot->hash = h;
		slot->s = s;
		slot->in_use = 1;
		slot->used = ++c->clock;
		(*out)->entry = slot;
	}
	return 0;
}

/* $n placeholders are named parameters to SQLite: find the index by name, so the
 * order in which they appear in the SQL does not matter. */
static int param_index(struct pgd_stmt *s, int idx)
{
	char name[16];
	snprintf(name, sizeof(name), "$%d", idx);
	return sqlite3_bind_parameter_index(s->s, name);
}

static int bind_result(struct pgd_stmt *s, int rc)
{
	return rc == SQLITE_OK ? 0 : map_error(s->db, rc, NULL);
}

static int sq_bind_int(struct pgd_stmt *s, int idx, int64_t v)
{
	int i = param_index(s, idx);
	return i ? bind_result(s, sqlite3_bind_int64(s->s, i, v)) : 0;
}

static int sq_bind_text(struct pgd_stmt *s, int idx, const char *text)
{
	int i = param_index(s, idx);
	if (!i)
		return 0;
	if (text == NULL)
		return bind_result(s, sqlite3_bind_null(s->s, i));
	return bind_result(s, sqlite3_bind_text(s->s, i, text, -1, SQLITE_TRANSIENT));
}

static int sq_bind_null(struct pgd_stmt *s, int idx)
{
	int i = param_index(s, idx);
	return i ? bind_result(s, sqlite3_bind_null(s->s, i)) : 0;
}

static int sq_bind_blob(struct pgd_stmt *s, int idx, const void *data, size_t len)
{
	int i = param_index(s, idx);
	if (!i)
		return 0;
	if (len > (size_t)INT32_MAX)
		return PGD_ERR_TOO_LARGE;
	return bind_result(s, sqlite3_bind_blob(s->s, i, len ? data : "", (int)len, SQLITE_TRANSIENT));
}

static int sq_step(struct pgd_stmt *s, struct pgd_err *err)
{
	int rc = sqlite3_step(s->s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		s->changes = sqlite3_changes64(s->db);
		return 0;
	}
	return map_error(s->db, sqlite3_extended_errcode(s->db), err);
}

static int64_t sq_col_int(struct pgd_stmt *s, int col)
{
	return sqlite3_column_int64(s->s, col);
}

static const char *sq_col_text(struct pgd_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s->s, col);
}

static const void *sq_col_blob(struct pgd_stmt *s, int col)
{
	return sqlite3_column_blob(s->s, col);
}

static size_t sq_col_len(struct pgd_stmt *s, int col)
{
	int n = sqlite3_column_bytes(s->s, col);
	return n > 0 ? (size_t)n : 0;
}

static int64_t sq_changes(struct pgd_stmt *s)
{
	return s->changes;
}

static void sq_finalize(struct pgd_stmt *s)
{
	if (s == NULL)
		return;
	if (s->entry) {
		sqlite3_reset(s->s);
		sqlite3_clear_bindings(s->s);
		s->entry->in_use = 0;
	} else {
		sqlite3_finalize(s->s);
	}
	free(s);
}

/* Online backup: copy every page in one read transaction (WAL lets writers go on), into a
 * temporary file beside dest (mode 0600), make it a self-contained rollback-journal
 * database, fsync, and link it to dest (never replacing an existing file). */
static int sq_backup(struct pgd_store *st, const char *dest, struct pgd_err *err)
{
	sqlite3 *db = NULL;
	sqlite3_backup *b = NULL;
	char tmp[4096];
	int rc, fd = -1, made = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", dest, (long)getpid()) >= (int)sizeof(tmp))
		return pgd_err_set(err, PGD_ERR_INVALID, dest, "备份文件路径过长");
	if (access(dest, F_OK) == 0)
		return pgd_err_set(err, PGD_ERR_CONFLICT, dest, "备份文件 %s 已存在，不会覆盖", dest);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = pgd_err_set(err, PGD_ERR_IO, dest, "无法创建备份文件 %s", tmp);
		goto out;
	}
	close(fd);
	fd = -1;
	made = 1;
	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = pgd_err_set(err, PGD_ERR_IO, dest, "无法打开备份文件 %s（%s）", tmp,
			db ? sqlite3_errmsg(db) : "内存不足");
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	b = sqlite3_backup_init(db, "main", conn_db(st), "main");
	if (b == NULL) {
		rc = pgd_err_set(err, PGD_ERR_IO, dest, "无法开始备份（%s）", sqlite3_errmsg(db));
		goto out;
	}
	for (int tries = 0;; tries++) {
		rc = sqlite3_backup_step(b, -1);
		if (rc == SQLITE_DONE)
			break;
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && tries < 100) {
			sqlite3_sleep(50);
			continue;
		}
		sqlite3_backup_finish(b);
		b = NULL;
		rc = pgd_err_set(err, PGD_ERR_IO, dest, "备份数据库失败（%s）", sqlite3_errstr(rc));
		goto out;
	}
	rc = sqlite3_backup_finish(b);
	b = NULL;
	if (rc != SQLITE_OK) {
		rc = pgd_err_set(err, PGD_ERR_IO, dest, "备份数据库失败（%s）", sqlite3_errmsg(db));
		goto out;
	}
	if (sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = pgd_err_set(err, PGD_ERR_IO, dest, "备份文件收尾失败（%s）", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_close(db);
	db = NULL;
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		rc = pgd_err_set(err, PGD_ERR_IO, dest, "无法写入备份文件 %s", tmp);
		goto out;
	}
	/* link() never replaces dest; a file system without hard links gets a checked rename() */
	if (link(tmp, dest) != 0 && (errno == EEXIST || access(dest, F_OK) == 0 || rename(tmp, dest) != 0)) {
		rc = access(dest, F_OK) == 0 ? pgd_err_set(err, PGD_ERR_CONFLICT, dest, "备份文件 %s 已存在，不会覆盖", dest)
					     : pgd_err_set(err, PGD_ERR_IO, dest, "无法创建备份文件 %s", dest);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (b)
		sqlite3_backup_finish(b);
	if (db)
		sqlite3_close(db);
	if (made) {
		char p[4200];
		unlink(tmp);
		snprintf(p, sizeof(p), "%s-journal", tmp);
		unlink(p);
		snprintf(p, sizeof(p), "%s-wal", tmp);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", tmp);
		unlink(p);
	}
	return rc;
}

const struct pgd_store_backend pgd_store_sqlite_backend = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.begin = sq_begin,
	.prepare = sq_prepare,
	.bind_int = sq_bind_int,
	.bind_text = sq_bind_text,
	.bind_null = sq_bind_null,
	.bind_blob = sq_bind_blob,
	.step = sq_step,
	.col_int = sq_col_int,
	.col_text = sq_col_text,
	.col_blob = sq_col_blob,
	.col_len = sq_col_len,
	.changes = sq_changes,
	.finalize = sq_finalize,
	.backup = sq_backup,
};
