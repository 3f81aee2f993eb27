/* Private to src/store: the backend vtable and helpers shared by the store's files.
 * A backend maps its own errors to PGD_ERR_* codes (unique violation -> CONFLICT,
 * foreign key / check violation -> INVALID, anything else -> IO), so the registry code
 * above it never sees backend-specific codes. SQL placeholders are PostgreSQL-style $1..$n. */
#ifndef PGD_STORE_INTERNAL_H
#define PGD_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pubguard/err.h"
#include "pubguard/store.h"

struct pgd_stmt; /* a backend's prepared statement; each backend defines it privately */

struct pgd_store_backend {
	const char *name;
	/* Open the connection into st->conn. */
	int (*open)(struct pgd_store *st, const char *target, struct pgd_err *err);
	void (*close)(struct pgd_store *st);
	/* Run a script of one or more statements without results (migrations, BEGIN ...). */
	int (*exec)(struct pgd_store *st, const char *sql, struct pgd_err *err);
	/* Start a write transaction (SQLite: BEGIN IMMEDIATE). */
	int (*begin)(struct pgd_store *st, struct pgd_err *err);
	int (*prepare)(struct pgd_store *st, const char *sql, struct pgd_stmt **out, struct pgd_err *err);
	/* Bind parameter $idx (1-based). text NULL binds SQL NULL. */
	int (*bind_int)(struct pgd_stmt *s, int idx, int64_t v);
	int (*bind_text)(struct pgd_stmt *s, int idx, const char *text);
	int (*bind_null)(struct pgd_stmt *s, int idx);
	/* Binary (PostgreSQL: bytea); the bytes are copied. */
	int (*bind_blob)(struct pgd_stmt *s, int idx, const void *data, size_t len);
	/* 1: a row is ready; 0: done; < 0: error code. */
	int (*step)(struct pgd_stmt *s, struct pgd_err *err);
	int64_t (*col_int)(struct pgd_stmt *s, int col);        /* NULL reads 0 */
	const char *(*col_text)(struct pgd_stmt *s, int col);   /* borrowed until next step; NULL for SQL NULL */
	const void *(*col_blob)(struct pgd_stmt *s, int col);   /* borrowed until next step; NULL when empty */
	size_t (*col_len)(struct pgd_stmt *s, int col);         /* bytes of col_blob (call after col_blob) */
	int64_t (*changes)(struct pgd_stmt *s);                  /* rows changed by the last step */
	void (*finalize)(struct pgd_stmt *s);                    /* NULL ok */
	/* Online, consistent copy of the whole database into the new file dest. */
	int (*backup)(struct pgd_store *st, const char *dest, struct pgd_err *err);
};

extern const struct pgd_store_backend pgd_store_sqlite_backend;

struct pgd_store {
	const struct pgd_store_backend *be;
	void *conn;
	int in_tx; /* an explicit pgd_store_begin() is open */
};

struct pgd_migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct pgd_migration pgd_store_migrations[];
extern const int pgd_store_migration_count;

/* Helpers (store.c). */
/* Prepare sql and bind n parameters described by fmt: 'i' int64_t, 'I' int64_t with 0 as NULL,
 * 's' const char * (NULL as NULL). */
int pgd_store_prep(struct pgd_store *st, struct pgd_stmt **out, struct pgd_err *err, const char *sql,
	const char *fmt, ...);
/* Run a prepared statement to completion, finalize it; *changes (may be NULL) gets the row count. */
int pgd_store_run(struct pgd_store *st, struct pgd_stmt *s, int64_t *changes, struct pgd_err *err);
/* One-shot: prepare, bind, run to completion. */
int pgd_store_execp(struct pgd_store *st, int64_t *changes, struct pgd_err *err, const char *sql,
	const char *fmt, ...);
/* One-shot query of a single integer (first column of the first row; *v = 0 if no row). */
int pgd_store_query_int(struct pgd_store *st, int64_t *v, struct pgd_err *err, const char *sql,
	const char *fmt, ...);
/* Begin/commit/rollback that join an explicit transaction when one is open. *own tells
 * whether this call opened it. */
int pgd_store_tx_enter(struct pgd_store *st, int *own, struct pgd_err *err);
int pgd_store_tx_leave(struct pgd_store *st, int own, int rc, struct pgd_err *err);
/* Record helpers shared by registry, accounts, reviews and custody. */
#define PGD_STORE_TEXT_MAX 1000 /* bytes, any free-text field of a record */
/* Empty or missing: INVALID "<label>不能为空" when required; longer than PGD_STORE_TEXT_MAX:
 * INVALID naming the field. */
int pgd_store_check_text(const char *v, int required, const char *field, const char *label, struct pgd_err *err);
char *pgd_store_dup_col(struct pgd_store *st, struct pgd_stmt *s, int col); /* new; NULL for SQL NULL */
void pgd_store_copy_ts(char dst[32], const char *src);                     /* NULL gives "" */
/* "%search%" for LIKE ... ESCAPE '\' with LIKE's wildcards escaped. new: free(). */
char *pgd_store_like_pattern(const char *search);
/* LIMIT and OFFSET of a list query: page >= 1, page_size 50 by default, at most 500. */
void pgd_store_page_bounds(const struct pgd_list_query *q, int64_t *limit, int64_t *offset);
/* Current time, ISO 8601 UTC. */
void pgd_store_now(char out[32]);

#endif
