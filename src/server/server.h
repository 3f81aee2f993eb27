/* The HTTP server's internal contract: request/response, the route table, permissions,
 * and helpers every handler uses. libmicrohttpd is used only by src/server/http.c; handlers
 * see struct pgd_req / struct pgd_resp and jansson, never MHD calls.
 *
 * A handler runs on one of the server's worker threads with that thread's own store handle
 * (rq->st). It validates input, checks scope (the route table already checked the
 * permission), changes the store inside pgd_store_begin/commit together with pgd_audit(),
 * and fills the response with one of the pgd_reply_* functions. Errors are
 * {"error":{"code","message","field"}} with a Chinese message and the real HTTP status. */
#ifndef PGD_SERVER_H
#define PGD_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "pubguard/crypto.h"
#include "pubguard/err.h"
#include "pubguard/store.h"

#define PGD_BODY_MAX (1u << 20)        /* JSON request bodies */
#define PGD_UPLOAD_MAX (16u << 20)     /* import files (routes with PGD_ROUTE_UPLOAD) */
/* JSON bodies of routes with PGD_ROUTE_BIG (only a worker's patrol RESULT): 100,000 items (the
 * protocol's cap) at about 600 bytes each with long titles are 60 MB, as many findings about as
 * much again, columns and evidence a few MB; workers stream it from a file */
#define PGD_BIG_BODY_MAX (128u << 20)

/* ---- roles (REGULATION.md roles table + the three separated 等保 administrators) ----
 * The names are stored in user_roles.role. */
enum pgd_role {
	PGD_ROLE_AUTHOR,             /* 信息发布人员 */
	PGD_ROLE_PROOFREADER,        /* 校对人员 */
	PGD_ROLE_SECRECY_REVIEWER,   /* 保密审查人员 */
	PGD_ROLE_REVIEW_RESPONSIBLE, /* 审核负责人 */
	PGD_ROLE_LIAISON,            /* 联络员 */
	PGD_ROLE_PRINCIPAL_HEAD,     /* 主要负责人 */
	PGD_ROLE_SUPERVISING_LEADER, /* 分管负责人 */
	PGD_ROLE_OFFICE_OPERATOR,    /* 网信办工作人员 */
	PGD_ROLE_OFFICE_ADMIN,       /* 网信办管理员 */
	PGD_ROLE_SECRECY_OFFICE,     /* 保密办 */
	PGD_ROLE_EGOV_CENTRE,        /* 电子政务服务中心 */
	PGD_ROLE_SYSTEM_ADMIN,       /* 系统管理员 */
	PGD_ROLE_SECURITY_ADMIN,     /* 安全管理员 */
	PGD_ROLE_AUDIT_ADMIN,        /* 审计管理员 */
	PGD_ROLE_COUNT
};

/* ---- permissions: declared per route in routes.c, granted to roles in perms.c ---- */
enum pgd_perm {
	PGD_PERM_WORKER = -2,     /* a patrol worker's bearer token (routes flagged PGD_ROUTE_WORKER) */
	PGD_PERM_PUBLIC = -1,     /* no login needed (health, login) */
	PGD_PERM_SIGNED_IN = 0,   /* any signed-in user (me, logout, own password, dashboard) */
	PGD_PERM_REGISTRY_READ,   /* read units, people, platforms, filings (scoped) */
	PGD_PERM_UNITS_WRITE,     /* create/edit/retire units: office only */
	PGD_PERM_RECORDS_WRITE,   /* create/edit people and platforms (unit roles: own unit only) */
	PGD_PERM_FILINGS_WRITE,   /* file a review group (unit roles: own unit only) */
	PGD_PERM_CUSTODY,         /* custody and handover (further limited to the manager in the handler) */
	PGD_PERM_IMPORT,          /* import rosters from CSV/XLSX: office only */
	PGD_PERM_USERS_MANAGE,    /* create/disable users, reset passwords: system admin */
	PGD_PERM_ROLES_ASSIGN,    /* assign roles, unlock accounts, password policy: security admin */
	PGD_PERM_AUDIT_READ,      /* read and verify the audit log: audit admin */
	PGD_PERM_USERS_READ,      /* list user accounts: system admin and security admin */
	PGD_PERM_PATROL_READ,     /* patrol results, findings, evidence (unit roles: own unit's platforms) */
	PGD_PERM_PATROL_RUN,      /* start a patrol now, set a platform's feed: office */
	PGD_PERM_PATROL_HANDLE,   /* confirm/dismiss findings, accept a home page baseline: office */
	PGD_PERM_WORKERS_MANAGE,  /* patrol workers and their tokens: system admin */
	PGD_PERM_COUNT
};

const char *pgd_role_name(enum pgd_role r);     /* "author" ... (static; NULL out of range) */
const char *pgd_role_label(enum pgd_role r);    /* Chinese label */
int pgd_role_parse(const char *s, enum pgd_role *out); /* 0 or PGD_ERR_INVALID */
const char *pgd_perm_name(enum pgd_perm p);     /* "registry.read" ... */
/* Permission bits (1u << perm) granted by a set of role bits (1u << role). */
uint32_t pgd_perms_of_roles(uint32_t roles);
/* 1 when the roles see every unit (office, secrecy office, e-gov centre, the admins). */
int pgd_roles_city_scope(uint32_t roles);

/* ---- the signed-in user of a request ---- */
struct pgd_principal {
	int64_t user_id;
	char username[64];
	char display_name[128];
	int64_t person_id; /* 0: not bound to a person */
	int64_t unit_id;   /* the person's unit; 0 when none */
	uint32_t roles;    /* 1u << enum pgd_role */
	uint32_t perms;    /* 1u << enum pgd_perm */
	int city_scope;    /* sees all units */
	int must_change_password;
	char csrf[65];     /* the session's CSRF token */
	char session[65];  /* SM3 hex of the session cookie token */
};

struct pgd_server; /* opaque: configuration, key, listener */

struct pgd_req {
	const char *method;      /* "GET", "POST", "PUT", "DELETE" */
	const char *path;        /* without the query string */
	int64_t id[3];           /* numeric path parameters ({id}) in order */
	int n_id;
	const char *word;        /* the {word} path parameter, if the route has one */
	const char *body;        /* raw body (NUL-terminated), NULL when none */
	size_t body_len;
	const char *content_type;
	json_t *json;            /* parsed body when it is JSON (borrowed), else NULL */
	struct pgd_store *st;    /* this worker thread's store handle */
	const struct pgd_key *key; /* master key for sealing custody secrets */
	struct pgd_principal *who; /* NULL on public routes and worker routes */
	int64_t worker_id;       /* worker routes (PGD_ROUTE_WORKER): the authenticated worker */
	const char *worker_name; /* borrowed, worker routes only */
	char remote[64];         /* client address */
	void *conn;              /* struct MHD_Connection *: http.c only */
};

struct pgd_resp {
	int status;
	json_t *json;            /* owned; serialised by http.c */
	unsigned char *bytes;    /* owned (free()); used when json is NULL */
	size_t len;
	const char *content_type;
	char *filename;          /* owned; Content-Disposition: attachment when set */
	char *set_cookie[2];     /* owned Set-Cookie values */
	int untrusted;           /* bytes are untrusted content (evidence): CSP sandbox, inline */
};

typedef void pgd_handler(struct pgd_req *rq, struct pgd_resp *rs);

enum {
	PGD_ROUTE_UPLOAD = 1u << 0, /* body may be up to PGD_UPLOAD_MAX and need not be JSON */
	PGD_ROUTE_NO_CSRF = 1u << 1, /* login only */
	PGD_ROUTE_BEFORE_PASSWORD_CHANGE = 1u << 2, /* open to a user who must change their password first */
	PGD_ROUTE_WORKER = 1u << 3, /* patrol worker API: Authorization: Bearer <token>, no cookie, no CSRF */
	PGD_ROUTE_BIG = 1u << 4     /* JSON body up to PGD_BIG_BODY_MAX */
};

struct pgd_route {
	const char *method;
	const char *pattern; /* "/api/v1/units/{id}/filings", "/api/v1/import/{word}" */
	int perm;            /* enum pgd_perm */
	unsigned flags;
	pgd_handler *fn;
};
extern const struct pgd_route pgd_routes[];
extern const size_t pgd_route_count;

/* ---- replies ---- */
void pgd_reply_json(struct pgd_resp *rs, int status, json_t *j); /* steals j */
/* code: short English word ("invalid", "not_found", "forbidden", "conflict", "locked", ...). */
void pgd_reply_error(struct pgd_resp *rs, int status, const char *code, const char *field,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* From a store/crypto error: status from pgd_err_http_status(rc), message from err. */
void pgd_reply_err(struct pgd_resp *rs, int rc, const struct pgd_err *err);
/* Bytes (owned, free()) with a content type; filename (may be NULL) is copied. */
void pgd_reply_bytes(struct pgd_resp *rs, int status, const char *content_type,
	unsigned char *bytes, size_t len, const char *filename);
/* Same bad-input message used everywhere: 403 "无权限..." */
void pgd_reply_forbidden(struct pgd_resp *rs);

/* ---- request input. Each returns 0, or replies 400 (naming the field) and returns -1. ---- */
const char *pgd_req_query(struct pgd_req *rq, const char *key); /* NULL when absent */
const char *pgd_req_header(struct pgd_req *rq, const char *name); /* NULL when absent */
int pgd_req_query_int(struct pgd_req *rq, struct pgd_resp *rs, const char *key, int64_t dflt,
	int64_t *out);
/* page, page_size, search, unit_id, include_inactive -> q (search borrowed from rq). */
int pgd_req_list_query(struct pgd_req *rq, struct pgd_resp *rs, struct pgd_list_query *q);
/* Body fields. A missing optional field leaves *out unchanged and returns 0. JSON null for an
 * optional string gives *out = NULL. Strings are checked for valid UTF-8, no control
 * characters, and at most maxlen bytes; the result is borrowed from rq->json. */
int pgd_body_str(struct pgd_req *rq, struct pgd_resp *rs, const char *field, int required,
	size_t maxlen, const char **out);
int pgd_body_int(struct pgd_req *rq, struct pgd_resp *rs, const char *field, int required,
	int64_t *out);
int pgd_body_bool(struct pgd_req *rq, struct pgd_resp *rs, const char *field, int required,
	int *out);

/* ---- permission and scope ---- */
int pgd_can(const struct pgd_req *rq, enum pgd_perm p);
/* 1 when the user may see records of unit_id (city scope, or their own unit). */
int pgd_unit_visible(const struct pgd_req *rq, int64_t unit_id);
/* Narrow a list query to what the user may see: city scope keeps q as it is; anyone else gets
 * q->unit_id = their unit. 0 when they see nothing (no unit, or a filter on another unit):
 * answer an empty page. */
int pgd_list_scope(const struct pgd_req *rq, struct pgd_list_query *q);

/* ---- audit: append who (rq->who->username, or "anonymous"), what, to what, before/after
 * (may be NULL; serialised compactly, keys sorted). Call inside the change's transaction;
 * when it fails, roll back and reply with the error: the action fails. */
int pgd_audit(struct pgd_req *rq, const char *action, const char *subject, json_t *before,
	json_t *after, struct pgd_err *err);
/* End a change's transaction and reply: with rc 0 commit, then reply status with body (stolen;
 * build it before, NULL when rc is not 0); else, or when the commit fails, roll back and reply
 * the error (body freed). */
void pgd_reply_commit(struct pgd_req *rq, struct pgd_resp *rs, int rc, int status, json_t *body,
	struct pgd_err *err);

/* ---- JSON of registry records (one shape everywhere; see docs/api) ---- */
json_t *pgd_json_unit(const struct pgd_unit *u);
json_t *pgd_json_person(const struct pgd_person *p);
json_t *pgd_json_platform(const struct pgd_platform *p);
/* Optional values: a string, or JSON null for NULL (and for text that is not UTF-8: never a
 * NULL that would make json_pack fail); text_or_null also maps "" (an unset timestamp) to
 * null; id_or_null maps 0 ("none") to null. new references. */
json_t *pgd_json_str_or_null(const char *s);
json_t *pgd_json_text_or_null(const char *s);
json_t *pgd_json_id_or_null(int64_t id);
/* {"items":[...],"total":n,"page":p,"page_size":s}; steals items. */
json_t *pgd_json_page(json_t *items, int64_t total, const struct pgd_list_query *q);

/* ---- running ---- */
struct pgd_server_config {
	const char *db_path;
	const char *listen;     /* "127.0.0.1:8080"; port 0 picks a free one */
	const char *web_root;   /* built web app (index.html); NULL serves none */
	const char *key_path;   /* master key file; created (0600) when missing */
	const char *port_file;  /* when set, the bound port is written here once listening */
	int threads;            /* 0: number of CPUs */
	int scheduler;          /* 1: run the patrol scheduler thread (scheduler.c) */
};

/* ---- the patrol scheduler (scheduler.c) ----
 * One pass: enqueue the daily patrols and the probe slots due at now, and the weekly / monthly
 * triggers, each keyed by its period so several servers never duplicate. */
int pgd_scheduler_tick(struct pgd_store *st, time_t now, struct pgd_err *err);
struct pgd_scheduler;
/* A thread that ticks every 30 s with its own store handle. */
int pgd_scheduler_start(const char *db_path, struct pgd_scheduler **out, struct pgd_err *err);
void pgd_scheduler_wake(struct pgd_scheduler *s);
void pgd_scheduler_stop(struct pgd_scheduler *s); /* NULL ok */

/* ---- patrol settings shared by the worker API and the scheduler (h_worker.c) ---- */
struct pgd_patrol_thresholds;
/* Defaults, then <data dir>/patrol/thresholds.tsv ($PGD_DATA_DIR), then settings
 * "patrol.threshold.<key>". Never fails: a bad value is skipped. */
void pgd_server_patrol_thresholds(struct pgd_store *st, struct pgd_patrol_thresholds *th);
/* Open the store (migrating it), load the key, listen; returns once listening. */
int pgd_server_start(const struct pgd_server_config *cfg, struct pgd_server **out, struct pgd_err *err);
int pgd_server_port(const struct pgd_server *s);
void pgd_server_stop(struct pgd_server *s); /* NULL ok */

#endif
