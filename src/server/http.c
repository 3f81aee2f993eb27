/* The HTTP server: the only libmicrohttpd user. A daemon with an internal thread pool listens
 * on the configured address; each request's body is accumulated under a cap, routed through
 * the route table (routes.c) with sign-in, CSRF and permission checks, handed to its handler
 * with that worker thread's own store handle, and the handler's struct pgd_resp is serialised
 * with the security headers. Paths outside /api are the built web app from web_root.
 * Routes flagged PGD_ROUTE_WORKER (the patrol worker API) authenticate a worker by its bearer
 * token instead (no cookie, no CSRF); untrusted bytes (evidence) go out with CSP sandbox. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "pubguard/accounts.h"
#include "pubguard/buf.h"
#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "pubguard/patrol_store.h"
#include "server/handlers.h"
#include "server/server.h"
#include "core/banned.h"

#define API_PREFIX "/api/"
#define SESSION_COOKIE "pgd_session"
#define IDLE_SECONDS (30 * 60)
#define IDLE_ADMIN_SECONDS (15 * 60)
#define ABSOLUTE_SECONDS (12 * 60 * 60)
#define TOUCH_EVERY 30 /* seconds: last_seen_at is written at most this often */
#define ADMIN_ROLES ((1u << PGD_ROLE_SYSTEM_ADMIN) | (1u << PGD_ROLE_SECURITY_ADMIN) | (1u << PGD_ROLE_AUDIT_ADMIN))

static const char csp[] = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

struct open_store {
	struct pgd_store *st;
	struct open_store *next;
};

struct pgd_server {
	struct MHD_Daemon *d;
	char *db_path;
	char *web_root;  /* NULL: no web app */
	struct pgd_key key;
	int port;
	unsigned long gen; /* distinguishes this server's thread-local store handles */
	pthread_mutex_t lock;
	struct open_store *stores; /* every worker's handle, closed at stop */
	struct pgd_scheduler *sched; /* NULL: no scheduler (--no-scheduler) */
};

static unsigned long server_gen;
static pthread_mutex_t gen_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local struct pgd_store *tl_store;
static _Thread_local unsigned long tl_gen;

/* One request in flight (MHD's per-connection request context). */
struct reqctx {
	struct pgd_buf body;
	int too_large;
	size_t cap;
};

/* ---- the worker thread's store handle ---- */

static struct pgd_store *thread_store(struct pgd_server *s, struct pgd_err *err)
{
	struct open_store *o;
	if (tl_store && tl_gen == s->gen)
		return tl_store;
	tl_store = NULL;
	if (pgd_store_open(&tl_store, s->db_path, err) < 0)
		return NULL;
	tl_gen = s->gen;
	o = pgd_calloc(1, sizeof(*o));
	o->st = tl_store;
	pthread_mutex_lock(&s->lock);
	o->next = s->stores;
	s->stores = o;
	pthread_mutex_unlock(&s->lock);
	return tl_store;
}

/* ---- query string (the one request-input helper that needs MHD) ---- */

const char *pgd_req_query(struct pgd_req *rq, const char *key)
{
	if (rq->conn == NULL)
		return NULL;
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *pgd_req_header(struct pgd_req *rq, const char *name)
{
	if (rq->conn == NULL)
		return NULL;
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

/* ---- responses ---- */

static void resp_release(struct pgd_resp *rs)
{
	json_decref(rs->json);
	free(rs->bytes);
	free(rs->filename);
	free(rs->set_cookie[0]);
	free(rs->set_cookie[1]);
	memset(rs, 0, sizeof(*rs));
}

static void add_security_headers(struct MHD_Response *r, int api, int untrusted)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	/* untrusted bytes (patrol evidence) run nothing, even if a browser renders them */
	MHD_add_response_header(r, "Content-Security-Policy", untrusted ? "sandbox" : csp);
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	if (api)
		MHD_add_response_header(r, "Cache-Control", "no-store");
}

/* filename as RFC 5987 ext-value (UTF-8 percent-encoded) */
static void content_disposition(struct MHD_Response *r, const char *filename)
{
	struct pgd_buf b;
	pgd_buf_init(&b, 4096);
	pgd_buf_addstr(&b, "attachment; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		    *p == '-' || *p == '_')
			pgd_buf_addch(&b, (char)*p);
		else
			pgd_buf_addf(&b, "%%%02X", *p);
	}
	if (b.data)
		MHD_add_response_header(r, "Content-Disposition", b.data);
	pgd_buf_release(&b);
}

/* JSON answers may carry a revealed custody secret: wipe the serialised text when MHD is done. */
static void wipe_free_text(void *text)
{
	pgd_wipe(text, strlen(text));
	free(text);
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct pgd_resp *rs, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *text = NULL;
	size_t len = 0;
	int status = rs->status ? rs->status : 500;

	if (status == 204 || status == 304) {
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else if (rs->json) {
		text = json_dumps(rs->json, JSON_COMPACT);
		if (text == NULL) {
			status = 500;
			text = pgd_strdup("{\"error\":{\"code\":\"internal\",\"message\":\"内部错误\",\"field\":null}}");
		}
		len = strlen(text);
		r = MHD_create_response_from_buffer_with_free_callback(len, text, wipe_free_text);
		if (r == NULL)
			wipe_free_text(text);
		else
			MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	} else if (rs->bytes) {
		r = MHD_create_response_from_buffer(rs->len, rs->bytes, MHD_RESPMEM_MUST_FREE);
		if (r)
			rs->bytes = NULL; /* MHD frees it */
		if (r)
			MHD_add_response_header(r, "Content-Type",
				rs->content_type ? rs->content_type : "application/octet-stream");
		if (r && rs->filename)
			content_disposition(r, rs->filename);
		else if (r && rs->untrusted)
			MHD_add_response_header(r, "Content-Disposition", "inline");
	} else {
		if (status == 200)
			status = 500; /* a handler that forgot to answer */
		text = pgd_strdup("{\"error\":{\"code\":\"internal\",\"message\":\"内部错误\",\"field\":null}}");
		r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
		if (r == NULL)
			free(text);
		else
			MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	}
	if (r == NULL)
		return MHD_NO;
	add_security_headers(r, 1, rs->untrusted && rs->json == NULL);
	for (int i = 0; i < 2; i++)
		if (rs->set_cookie[i])
			MHD_add_response_header(r, "Set-Cookie", rs->set_cookie[i]);
	if (allow)
		MHD_add_response_header(r, "Allow", allow);
	ret = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *code, const char *field,
	const char *msg, const char *allow)
{
	struct pgd_resp rs = {0};
	enum MHD_Result ret;
	pgd_reply_error(&rs, status, code, field, "%s", msg);
	ret = send_resp(c, &rs, allow);
	resp_release(&rs);
	return ret;
}

/* ---- routing ---- */

/* Positive decimal without leading zeros, at most 18 digits. */
static int parse_id(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	if (n == 0 || n > 18 || s[0] == '0')
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Match path against pattern; on success fill ids and word (copied into wordbuf). */
static int route_match(const char *pattern, const char *path, int64_t ids[3], int *n_id, char *wordbuf,
	size_t wordcap, int *has_word)
{
	const char *p = pattern, *u = path;
	*n_id = 0;
	*has_word = 0;
	while (*p && *u) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			size_t seg = strcspn(u, "/");
			if (pe == NULL)
				return 0;
			if (strncmp(p, "{id}", 4) == 0) {
				if (*n_id >= 3 || parse_id(u, seg, &ids[*n_id]) < 0)
					return 0;
				(*n_id)++;
			} else {
				if (seg == 0 || seg >= wordcap)
					return 0;
				for (size_t i = 0; i < seg; i++) {
					char ch = u[i];
					if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
						    ch == '_' || ch == '-'))
						return 0;
				}
				memcpy(wordbuf, u, seg);
				wordbuf[seg] = '\0';
				*has_word = 1;
			}
			p = pe + 1;
			u += seg;
			continue;
		}
		if (*p != *u)
			return 0;
		p++;
		u++;
	}
	/* a trailing slash is not the same path */
	return *p == '\0' && *u == '\0';
}

/* The route for method + path; *path_known says whether some route has the path. */
static const struct pgd_route *find_route(const char *method, const char *path, int64_t ids[3], int *n_id,
	char *wordbuf, size_t wordcap, int *has_word, struct pgd_buf *allow)
{
	const struct pgd_route *hit = NULL;
	for (size_t i = 0; i < pgd_route_count; i++) {
		const struct pgd_route *r = &pgd_routes[i];
		int64_t tid[3];
		int tn, tw;
		char tword[80];
		if (!route_match(r->pattern, path, tid, &tn, tword, sizeof(tword), &tw))
			continue;
		if (strcmp(r->method, method) == 0) {
			hit = r;
			memcpy(ids, tid, sizeof(tid));
			*n_id = tn;
			*has_word = tw;
			if (tw)
				snprintf(wordbuf, wordcap, "%s", tword);
			return hit;
		}
		if (allow->len)
			pgd_buf_addstr(allow, ", ");
		pgd_buf_addstr(allow, r->method);
	}
	return NULL;
}

/* ---- sign-in ---- */

static int hex64(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Constant-time comparison of two NUL-terminated strings of the same expected length. */
static int same_secret(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	unsigned char d = (unsigned char)(n != m);
	for (size_t i = 0; i < n && i < m; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* Load the principal of the session cookie into who. 0 when signed in; else 401 detail. */
static int load_principal(struct MHD_Connection *c, struct pgd_store *st, struct pgd_principal *who,
	const char **why)
{
	const char *tok = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, SESSION_COOKIE);
	struct pgd_session sess;
	struct pgd_user u = {0};
	unsigned char h[PGD_SM3_LEN];
	char hash[65];
	time_t now = time(NULL), created = 0, seen = 0;
	int rc = -1;
	long idle;

	*why = "请先登录";
	if (!hex64(tok))
		return -1;
	pgd_sm3(tok, 64, h);
	pgd_hex(h, sizeof(h), hash);
	if (pgd_session_get(st, hash, &sess, NULL) < 0)
		goto out;
	*why = "会话已过期，请重新登录";
	if (pgd_user_get(st, sess.user_id, &u, NULL) < 0 || !u.active)
		goto expired;
	idle = (u.roles & ADMIN_ROLES) ? IDLE_ADMIN_SECONDS : IDLE_SECONDS;
	if (pgd_time_parse_iso(sess.created_at, &created) < 0 || pgd_time_parse_iso(sess.last_seen_at, &seen) < 0 ||
	    now - seen > idle || now - created > ABSOLUTE_SECONDS)
		goto expired;
	if (now - seen >= TOUCH_EVERY)
		pgd_session_touch(st, hash, now, NULL);
	memset(who, 0, sizeof(*who));
	who->user_id = u.id;
	snprintf(who->username, sizeof(who->username), "%s", u.username);
	snprintf(who->display_name, sizeof(who->display_name), "%s", u.display_name);
	who->person_id = u.person_id;
	who->unit_id = u.unit_id;
	who->roles = u.roles;
	who->perms = pgd_perms_of_roles(u.roles);
	who->city_scope = pgd_roles_city_scope(u.roles);
	who->must_change_password = u.must_change_password;
	snprintf(who->csrf, sizeof(who->csrf), "%s", sess.csrf);
	snprintf(who->session, sizeof(who->session), "%s", hash);
	rc = 0;
	goto out;
expired:
	pgd_session_delete(st, hash, NULL);
out:
	pgd_user_release(&u);
	pgd_wipe(h, sizeof(h));
	return rc;
}

/* A worker route: "Authorization: Bearer <64 hex>" against workers.token_hash (SM3). */
static int load_worker(struct MHD_Connection *c, struct pgd_store *st, struct pgd_patrol_worker *w)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	char hash[65];
	int rc;
	if (h == NULL || strncmp(h, "Bearer ", 7) != 0 || !hex64(h + 7))
		return -1;
	pgd_patrol_secret_hash(h + 7, hash);
	rc = pgd_patrol_worker_auth(st, hash, w, NULL);
	pgd_wipe(hash, sizeof(hash));
	return rc < 0 ? -1 : 0;
}

/* ---- the web app ---- */

static const char *mime_of(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".jpg", "image/jpeg"},
		{".woff2", "font/woff2"},
		{".woff", "font/woff"},
		{".ico", "image/x-icon"},
		{".json", "application/json; charset=utf-8"},
		{".map", "application/json; charset=utf-8"},
		{".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	if (dot == NULL || (slash && dot < slash))
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* 1 when path has a "." or ".." segment, a backslash or a NUL-ish oddity. */
static int bad_path(const char *path)
{
	const char *p = path;
	if (path[0] != '/' || strchr(path, '\\'))
		return 1;
	while (*p) {
		size_t n;
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 1;
		p += n;
	}
	return 0;
}

static enum MHD_Result send_file(struct MHD_Connection *c, const char *file, const char *type, int immutable)
{
	struct MHD_Response *r;
	struct stat sb;
	enum MHD_Result ret;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return MHD_NO;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return MHD_NO;
	}
	r = MHD_create_response_from_fd64((uint64_t)sb.st_size, fd);
	if (r == NULL) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
	add_security_headers(r, 0, 0);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static int regular_file(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static enum MHD_Result serve_static(struct pgd_server *s, struct MHD_Connection *c, const char *method,
	const char *url)
{
	char file[4096];
	const char *type;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return send_error(c, 405, "method_not_allowed", NULL, "不支持该请求方法", "GET, HEAD");
	if (s->web_root == NULL)
		return send_error(c, 404, "not_found", NULL, "未配置网页应用目录", NULL);
	if (bad_path(url))
		return send_error(c, 400, "invalid", NULL, "路径无效", NULL);
	type = mime_of(url);
	if (strcmp(url, "/") != 0 && type != NULL) {
		if (snprintf(file, sizeof(file), "%s%s", s->web_root, url) >= (int)sizeof(file) || !regular_file(file))
			return send_error(c, 404, "not_found", NULL, "文件不存在", NULL);
		return send_file(c, file, type, strncmp(url, "/assets/", 8) == 0) == MHD_YES
			? MHD_YES
			: send_error(c, 404, "not_found", NULL, "文件不存在", NULL);
	}
	/* a client-side route: the app's index.html */
	snprintf(file, sizeof(file), "%s/index.html", s->web_root);
	if (!regular_file(file) || send_file(c, file, "text/html; charset=utf-8", 0) != MHD_YES)
		return send_error(c, 404, "not_found", NULL, "网页应用尚未构建", NULL);
	return MHD_YES;
}

/* ---- the request ---- */

static void remote_of(struct MHD_Connection *c, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	out[0] = '\0';
	if (ci == NULL || ci->client_addr == NULL)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, out,
			(socklen_t)cap);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr, out,
			(socklen_t)cap);
}

static enum MHD_Result run_api(struct pgd_server *s, struct MHD_Connection *c, const char *method,
	const char *url, struct reqctx *ctx)
{
	struct pgd_req rq;
	struct pgd_resp rs = {0};
	struct pgd_principal who;
	struct pgd_patrol_worker worker;
	struct pgd_err err = {0};
	struct pgd_buf allow;
	const struct pgd_route *route;
	char word[80] = "";
	int has_word = 0;
	json_t *json = NULL;
	enum MHD_Result ret;

	memset(&rq, 0, sizeof(rq));
	pgd_buf_init(&allow, 512);
	route = find_route(method, url, rq.id, &rq.n_id, word, sizeof(word), &has_word, &allow);
	if (route == NULL) {
		if (allow.len)
			ret = send_error(c, 405, "method_not_allowed", NULL, "该地址不支持此请求方法", allow.data);
		else
			ret = send_error(c, 404, "not_found", NULL, "接口不存在", NULL);
		goto out;
	}
	if (ctx->too_large) {
		ret = send_error(c, 413, "too_large", NULL,
			(route->flags & PGD_ROUTE_UPLOAD) ? "上传内容超过 16 MB 上限"
			: (route->flags & PGD_ROUTE_BIG)  ? "提交的内容超过 128 MB 上限"
			                                  : "请求内容超过 1 MB 上限",
			NULL);
		goto out;
	}
	rq.method = method;
	rq.path = url;
	rq.word = has_word ? word : NULL;
	rq.body = ctx->body.data;
	rq.body_len = ctx->body.len;
	rq.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	rq.key = &s->key;
	rq.conn = c;
	remote_of(c, rq.remote, sizeof(rq.remote));
	rq.st = thread_store(s, &err);
	if (rq.st == NULL) {
		ret = send_error(c, 500, "internal", NULL, "数据库不可用", NULL);
		goto out;
	}
	if (!(route->flags & PGD_ROUTE_UPLOAD) && ctx->body.len > 0) {
		json_error_t jerr;
		json = json_loadb(ctx->body.data, ctx->body.len, JSON_REJECT_DUPLICATES, &jerr);
		if (json == NULL) {
			char msg[256];
			snprintf(msg, sizeof(msg), "请求内容不是有效的 JSON（第 %d 行第 %d 列）", jerr.line, jerr.column);
			ret = send_error(c, 400, "invalid", NULL, msg, NULL);
			goto out;
		}
		rq.json = json;
	}
	if (route->flags & PGD_ROUTE_WORKER) {
		if (load_worker(c, rq.st, &worker) < 0) {
			ret = send_error(c, 401, "unauthenticated", NULL, "工作进程令牌无效或已吊销", NULL);
			goto out;
		}
		rq.worker_id = worker.id;
		rq.worker_name = worker.name;
	} else if (route->perm != PGD_PERM_PUBLIC) {
		const char *why = NULL;
		if (load_principal(c, rq.st, &who, &why) < 0) {
			ret = send_error(c, 401, "unauthenticated", NULL, why, NULL);
			goto out;
		}
		rq.who = &who;
		if (strcmp(method, "GET") != 0 && !(route->flags & PGD_ROUTE_NO_CSRF)) {
			const char *tok = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
			if (tok == NULL || !same_secret(tok, who.csrf)) {
				ret = send_error(c, 403, "csrf", NULL, "缺少或错误的 CSRF 令牌，请刷新页面后重试", NULL);
				goto out;
			}
		}
		if (!pgd_can(&rq, (enum pgd_perm)route->perm)) {
			ret = send_error(c, 403, "forbidden", NULL, "无权限执行此操作", NULL);
			goto out;
		}
		if (who.must_change_password && !(route->flags & PGD_ROUTE_BEFORE_PASSWORD_CHANGE)) {
			ret = send_error(c, 403, "password_change_required", NULL,
				"请先修改密码（初始密码、管理员重置的密码或已过期的密码须修改后才能继续使用）", NULL);
			goto out;
		}
	}
	route->fn(&rq, &rs);
	pgd_store_rollback(rq.st, NULL); /* a handler that left a transaction open changes nothing */
	ret = send_resp(c, &rs, NULL);
out:
	if (rq.who)
		pgd_wipe(&who, sizeof(who));
	resp_release(&rs);
	json_decref(json);
	pgd_buf_release(&allow);
	return ret;
}

/* The body cap of method + url: 16 MB for uploads, 128 MB for big JSON routes (a patrol RESULT),
 * else 1 MB. */
static size_t body_cap(const char *method, const char *url)
{
	struct pgd_buf allow;
	int64_t ids[3];
	int n_id, has_word;
	char word[80];
	const struct pgd_route *r;
	pgd_buf_init(&allow, 512);
	r = find_route(method, url, ids, &n_id, word, sizeof(word), &has_word, &allow);
	pgd_buf_release(&allow);
	if (r && (r->flags & PGD_ROUTE_UPLOAD))
		return PGD_UPLOAD_MAX;
	if (r && (r->flags & PGD_ROUTE_BIG))
		return PGD_BIG_BODY_MAX;
	return PGD_BODY_MAX;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct pgd_server *s = cls;
	struct reqctx *ctx = *con_cls;
	int api = strncmp(url, API_PREFIX, strlen(API_PREFIX)) == 0;

	if (ctx == NULL) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		ctx = pgd_calloc(1, sizeof(*ctx));
		ctx->cap = api ? body_cap(method, url) : PGD_BODY_MAX;
		pgd_buf_init(&ctx->body, ctx->cap);
		*con_cls = ctx;
		if (cl) {
			char *end = NULL;
			unsigned long long n = strtoull(cl, &end, 10);
			if (end && *end == '\0' && n > ctx->cap)
				ctx->too_large = 1;
		}
		if (ctx->too_large && api)
			return run_api(s, c, method, url, ctx); /* answers 413 without reading the body */
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!ctx->too_large && pgd_buf_add(&ctx->body, upload_data, *upload_data_size) < 0)
			ctx->too_large = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!api)
		return serve_static(s, c, method, url);
	return run_api(s, c, method, url, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct reqctx *ctx = *con_cls;
	if (ctx == NULL)
		return;
	if (ctx->body.data)
		pgd_wipe(ctx->body.data, ctx->body.len); /* may hold a password or a custody secret */
	pgd_buf_release(&ctx->body);
	free(ctx);
	*con_cls = NULL;
}

/* ---- start and stop ---- */

/* "127.0.0.1:8080", "[::1]:8080" or ":8080" (127.0.0.1). */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len, struct pgd_err *err)
{
	char host[128];
	const char *colon = listen ? strrchr(listen, ':') : NULL;
	char *end = NULL;
	long port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (colon == NULL)
		return pgd_err_set(err, PGD_ERR_INVALID, "listen", "监听地址「%s」无效，应为 地址:端口，如 127.0.0.1:8080",
			listen ? listen : "");
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno || port < 0 || port > 65535)
		return pgd_err_set(err, PGD_ERR_INVALID, "listen", "监听地址「%s」的端口无效（0-65535）", listen);
	hl = (size_t)(colon - listen);
	if (hl >= sizeof(host))
		return pgd_err_set(err, PGD_ERR_INVALID, "listen", "监听地址「%s」过长", listen);
	memcpy(host, listen, hl);
	host[hl] = '\0';
	if (hl == 0 || strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (host[0] == '[' && hl >= 2 && host[hl - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			return pgd_err_set(err, PGD_ERR_INVALID, "listen", "监听地址「%s」不是有效的 IPv6 地址", listen);
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return 0;
	}
	{
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return pgd_err_set(err, PGD_ERR_INVALID, "listen", "监听地址「%s」不是有效的 IPv4 地址", listen);
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
	}
	return 0;
}

static int write_port_file(const char *path, int port, struct pgd_err *err)
{
	char tmp[4096], text[16];
	int fd, n;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return pgd_err_set(err, PGD_ERR_INVALID, "port-file", "端口文件路径过长");
	n = snprintf(text, sizeof(text), "%d\n", port);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, (size_t)n) != n || close(fd) != 0 || rename(tmp, path) != 0) {
		if (fd >= 0)
			unlink(tmp);
		return pgd_err_set(err, PGD_ERR_IO, "port-file", "无法写入端口文件 %s", path);
	}
	return 0;
}

static int load_or_create_key(const char *path, struct pgd_key *key, struct pgd_err *err)
{
	struct stat sb;
	if (stat(path, &sb) != 0 && errno == ENOENT)
		return pgd_key_generate(path, key, err);
	return pgd_key_load(path, key, err);
}

int pgd_server_start(const struct pgd_server_config *cfg, struct pgd_server **out, struct pgd_err *err)
{
	struct pgd_server *s = NULL;
	struct pgd_store *st = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	const union MHD_DaemonInfo *info;
	char keypath[4096];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
	unsigned threads;
	long ncpu;
	int rc;

	*out = NULL;
	if (cfg == NULL || cfg->db_path == NULL || *cfg->db_path == '\0')
		return pgd_err_set(err, PGD_ERR_INVALID, "db", "未指定数据库文件");
	rc = parse_listen(cfg->listen ? cfg->listen : "127.0.0.1:8080", &ss, &sslen, err);
	if (rc < 0)
		return rc;
	s = pgd_calloc(1, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_lock(&gen_lock);
	s->gen = ++server_gen;
	pthread_mutex_unlock(&gen_lock);
	s->db_path = pgd_strdup(cfg->db_path);
	if (cfg->web_root && *cfg->web_root)
		s->web_root = pgd_strdup(cfg->web_root);

	rc = pgd_store_open(&st, cfg->db_path, err);
	if (rc == 0)
		rc = pgd_store_migrate(st, err);
	pgd_store_close(st);
	if (rc < 0)
		goto out;
	if (cfg->key_path)
		snprintf(keypath, sizeof(keypath), "%s", cfg->key_path);
	else
		snprintf(keypath, sizeof(keypath), "%s.key", cfg->db_path);
	rc = load_or_create_key(keypath, &s->key, err);
	if (rc < 0)
		goto out;

	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	threads = cfg->threads > 0 ? (unsigned)cfg->threads : (unsigned)(ncpu > 0 ? ncpu : 2);
	if (threads > 64)
		threads = 64;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_END);
	if (s->d == NULL) {
		rc = pgd_err_set(err, PGD_ERR_IO, "listen", "无法在 %s 上监听（端口可能已被占用）",
			cfg->listen ? cfg->listen : "127.0.0.1:8080");
		goto out;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? (int)info->port : 0;
	if (cfg->scheduler) {
		rc = pgd_scheduler_start(cfg->db_path, &s->sched, err);
		if (rc < 0)
			goto out;
	}
	if (cfg->port_file && *cfg->port_file) {
		rc = write_port_file(cfg->port_file, s->port, err);
		if (rc < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		pgd_server_stop(s);
		s = NULL;
	}
	*out = s;
	return rc;
}

int pgd_server_port(const struct pgd_server *s)
{
	return s ? s->port : 0;
}

void pgd_server_stop(struct pgd_server *s)
{
	struct open_store *o, *next;
	if (s == NULL)
		return;
	pgd_scheduler_stop(s->sched);
	if (s->d)
		MHD_stop_daemon(s->d); /* joins the worker threads */
	for (o = s->stores; o; o = next) {
		next = o->next;
		pgd_store_close(o->st);
		free(o);
	}
	pthread_mutex_destroy(&s->lock);
	pgd_key_wipe(&s->key);
	free(s->db_path);
	free(s->web_root);
	free(s);
}
