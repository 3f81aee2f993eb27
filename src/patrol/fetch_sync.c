/* Synchronous libcurl requests (see fetch_sync.h): the availability probe of a home page and
 * the worker's exchanges with the server. One easy handle per request; the worker runs one
 * request at a time, so there is nothing to share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "patrol/fetch.h"
#include "patrol/fetch_sync.h"
#include "core/banned.h"

#define USER_AGENT "pubguard-patrol/0.1"
#define PROBE_MAX_BODY (8u << 20) /* a probe reads at most this much of the page, then stops */

static int curl_ready;

static int sync_init(void)
{
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return -1;
		curl_ready = 1;
	}
	return 0;
}

static int is_http_url(const char *url)
{
	return url && (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0);
}

/* ---- certificate dates ---- */

static int valid_tm(int y, int mo, int d, int h, int mi, int s, time_t *t)
{
	struct tm tm;
	time_t v;

	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || s < 0 || s > 60)
		return PGD_ERR_INVALID;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s == 60 ? 59 : s;
	v = timegm(&tm);
	if (v == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1) /* Feb 30 normalised away */
		return PGD_ERR_INVALID;
	*t = v;
	return 0;
}

/* After the time: nothing, or " GMT" / " UTC" / "Z" (certificate times are UTC). */
static int utc_tail(const char *p)
{
	while (*p == ' ')
		p++;
	return *p == '\0' || strcmp(p, "GMT") == 0 || strcmp(p, "UTC") == 0 || strcmp(p, "Z") == 0;
}

int pgd_certinfo_parse_date(const char *s, time_t *t)
{
	static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int y, mo = 0, d, h, mi, sec, n = 0;
	char mon[4];

	if (s == NULL)
		return PGD_ERR_INVALID;
	while (*s == ' ')
		s++;
	/* OpenSSL's ASN1_TIME_print: "Mar  1 12:00:00 2027 GMT" */
	if (sscanf(s, "%3[A-Za-z] %2d %2d:%2d:%2d %4d%n", mon, &d, &h, &mi, &sec, &y, &n) == 6 && n > 0) {
		for (int i = 0; i < 12; i++)
			if (strcasecmp(mon, months[i]) == 0)
				mo = i + 1;
		if (mo == 0 || !utc_tail(s + n))
			return PGD_ERR_INVALID;
		return valid_tm(y, mo, d, h, mi, sec, t);
	}
	/* libcurl's own x509 decoder (GnuTLS, Schannel ...): "2027-03-01 12:00:00 GMT" */
	n = 0;
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6 && n > 0) {
		if (!utc_tail(s + n))
			return PGD_ERR_INVALID;
		return valid_tm(y, mo, d, h, mi, sec, t);
	}
	return PGD_ERR_INVALID;
}

/* ---- the probe ---- */

struct probe_sink {
	size_t got;
	int capped;
};

static size_t probe_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct probe_sink *s = arg;
	size_t n = size * nmemb;

	(void)ptr;
	if (s->got + n > PROBE_MAX_BODY) {
		s->capped = 1; /* enough to know a page arrived: stop reading */
		return 0;
	}
	s->got += n;
	return n;
}

static double elapsed_ms(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1000.0 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static time_t cert_expiry(CURL *e)
{
	struct curl_certinfo *ci = NULL;
	time_t t;

	if (curl_easy_getinfo(e, CURLINFO_CERTINFO, &ci) != CURLE_OK || ci == NULL || ci->num_of_certs < 1)
		return 0;
	/* certinfo[0] is the server's own certificate */
	for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next)
		if (strncmp(l->data, "Expire date:", 12) == 0 && pgd_certinfo_parse_date(l->data + 12, &t) == 0)
			return t;
	return 0;
}

void pgd_patrol_probe(const char *url, int timeout_ms, const char *ca_file, struct pgd_patrol_probe *out)
{
	struct probe_sink sink = {0, 0};
	struct timespec t0;
	CURL *e = NULL;
	CURLcode rc;
	long status = 0;
	double ms;

	memset(out, 0, sizeof(*out));
	out->at = time(NULL);
	if (timeout_ms <= 0)
		timeout_ms = 15000;
	if (!is_http_url(url)) {
		snprintf(out->error, sizeof(out->error), "网址无效：只能监测 http:// 或 https:// 开头的网址");
		goto out;
	}
	if (sync_init() < 0 || (e = curl_easy_init()) == NULL) {
		snprintf(out->error, sizeof(out->error), "内部错误：无法初始化网络库");
		goto out;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, probe_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
	pgd_fetch_tls_trust(e, ca_file); /* besides the system's CAs, not instead of them */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = curl_easy_perform(e);
	ms = elapsed_ms(&t0);
	out->ms = ms < 0 ? 0 : ms > 4e9 ? 4000000000u : (unsigned)ms;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	out->status = status;
	if (strncasecmp(url, "https://", 8) == 0)
		out->tls_expires = cert_expiry(e);
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && sink.capped)) {
		if (status >= 400)
			snprintf(out->error, sizeof(out->error), "首页返回 HTTP %ld 错误", status);
		else if (status <= 0)
			snprintf(out->error, sizeof(out->error), "服务器没有返回有效的 HTTP 响应");
		else if (out->ms > (unsigned)timeout_ms)
			snprintf(out->error, sizeof(out->error), "首页在 %d 毫秒内未能打开（用时 %u 毫秒）", timeout_ms,
			         out->ms);
		else
			out->ok = 1;
		goto out;
	}
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(out->error, sizeof(out->error), "超时：%d 毫秒内未能打开首页", timeout_ms);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(out->error, sizeof(out->error), "域名解析失败，无法打开首页");
		break;
	case CURLE_COULDNT_CONNECT:
		snprintf(out->error, sizeof(out->error), "无法连接服务器（连接被拒绝或网络不可达）");
		break;
	case CURLE_SSL_CACERT_BADFILE: /* this machine's problem, not the site's */
		snprintf(out->error, sizeof(out->error), "监测程序无法读取所信任的 CA 证书文件（--ca-file）");
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		switch (pgd_fetch_tls_error(e, (int)rc)) {
		case PGD_FETCH_TLS_EXPIRED:
			snprintf(out->error, sizeof(out->error), "证书已过期，无法建立安全连接");
			break;
		case PGD_FETCH_TLS_NOT_YET_VALID:
			snprintf(out->error, sizeof(out->error), "证书尚未生效（或监测机器的时间有误），无法建立安全连接");
			break;
		case PGD_FETCH_TLS_NAME:
			snprintf(out->error, sizeof(out->error), "证书与网站域名不符，无法建立安全连接");
			break;
		default:
			snprintf(out->error, sizeof(out->error),
			         "证书无法验证：签发机构不受信任（自签名证书或内网自建 CA 签发的证书）");
			break;
		}
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
		snprintf(out->error, sizeof(out->error), "TLS 握手失败，无法建立安全连接");
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		snprintf(out->error, sizeof(out->error), "重定向次数过多或重定向循环");
		break;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		snprintf(out->error, sizeof(out->error), "连接被服务器中断，未收到完整响应");
		break;
	default:
		snprintf(out->error, sizeof(out->error), "请求失败（网络库错误码 %d）", (int)rc);
		break;
	}
out:
	if (e)
		curl_easy_cleanup(e);
}

/* ---- worker API exchanges ---- */

struct sync_sink {
	struct pgd_buf *b;
	int over;
};

static size_t sync_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct sync_sink *s = arg;
	size_t n = size * nmemb;

	if (pgd_buf_add(s->b, ptr, n) < 0) {
		s->over = 1;
		return 0;
	}
	return n;
}

/* A request body read from a file (rq->body_file): libcurl pulls it in pieces, so a result of
 * many megabytes never sits in memory. */
struct sync_source {
	FILE *f;
	int failed; /* the file could not be read */
};

static size_t sync_read(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct sync_source *s = arg;
	size_t n = fread(ptr, 1, size * nmemb, s->f);

	if (n == 0 && ferror(s->f)) {
		s->failed = 1;
		return CURL_READFUNC_ABORT;
	}
	return n;
}

/* libcurl rewinds the body when it must send it again on the same handle (a connection reused
 * too late and closed by the server). */
static int sync_seek(void *arg, curl_off_t offset, int origin)
{
	struct sync_source *s = arg;

	clearerr(s->f);
	return fseeko(s->f, (off_t)offset, origin) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
}

/* Free a header list after wiping it: one line carries the bearer token. */
static void slist_wipe_free(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p; p = p->next)
		pgd_wipe(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

int pgd_http_sync(const struct pgd_http_req *rq, long *status, struct pgd_buf *resp, struct pgd_err *err)
{
	struct sync_sink sink = {resp, 0};
	struct sync_source src = {rq->body_file, 0};
	int has_body = rq->body != NULL || rq->body_file != NULL;
	struct curl_slist *hdrs = NULL, *tmp;
	struct pgd_buf auth;
	char ctype[256];
	CURL *e = NULL;
	CURLcode rc;
	int ret = 0;

	pgd_buf_init(&auth, 8192);
	*status = 0;
	{
		size_t cap = rq->max_response ? rq->max_response : PGD_HTTP_MAX_RESPONSE;
		if (cap > PGD_HTTP_MAX_DOWNLOAD)
			cap = PGD_HTTP_MAX_DOWNLOAD;
		if (resp->max == 0 || resp->max > cap)
			resp->max = cap;
	}
	if (!is_http_url(rq->url)) {
		ret = pgd_err_set(err, PGD_ERR_INVALID, "server", "服务器地址“%s”不是 http:// 或 https:// 网址",
		                  rq->url ? rq->url : "");
		goto out;
	}
	if (sync_init() < 0 || (e = curl_easy_init()) == NULL) {
		ret = pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "无法初始化网络库");
		goto out;
	}
	if (rq->bearer) {
		if (pgd_buf_addf(&auth, "Authorization: Bearer %s", rq->bearer) < 0) {
			ret = pgd_err_set(err, PGD_ERR_INVALID, "token", "工作进程令牌过长");
			goto out;
		}
		hdrs = curl_slist_append(hdrs, auth.data);
	}
	for (size_t i = 0; rq->headers && rq->headers[i]; i++)
		if ((tmp = curl_slist_append(hdrs, rq->headers[i])) != NULL)
			hdrs = tmp;
	if (rq->body_file) { /* from the start: a retry sends the whole body again */
		clearerr(rq->body_file);
		if (fseeko(rq->body_file, 0, SEEK_SET) != 0) {
			ret = pgd_err_set(err, PGD_ERR_IO, rq->url, "无法读取要发送给服务器 %s 的临时文件", rq->url);
			goto out;
		}
	}
	if (has_body) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s",
		         rq->content_type ? rq->content_type : "application/json");
		if ((tmp = curl_slist_append(hdrs, ctype)) != NULL)
			hdrs = tmp;
	}
	if ((tmp = curl_slist_append(hdrs, "Expect:")) != NULL) /* no 100-continue round trip */
		hdrs = tmp;
	curl_easy_setopt(e, CURLOPT_URL, rq->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(rq->timeout_ms > 0 ? rq->timeout_ms : 60000));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sync_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &sink);
	pgd_fetch_tls_trust(e, rq->ca_file);
	if (rq->body_file) {
		/* POST mechanics (Content-Length from the size, the body from the read callback);
		 * PUT through CURLOPT_CUSTOMREQUEST below, as with a body in memory */
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, sync_read);
		curl_easy_setopt(e, CURLOPT_READDATA, &src);
		curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, sync_seek);
		curl_easy_setopt(e, CURLOPT_SEEKDATA, &src);
	} else if (rq->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body);
	}
	if (rq->method && strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "POST") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
	else if (rq->method && strcmp(rq->method, "POST") == 0 && !has_body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
	}
	rc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	if (sink.over) {
		ret = pgd_err_set(err, PGD_ERR_TOO_LARGE, rq->url, "服务器 %s 的应答超过 %zu 字节上限", rq->url,
		                  resp->max);
		goto out;
	}
	if (src.failed) {
		ret = pgd_err_set(err, PGD_ERR_IO, rq->url, "读取要发送给服务器 %s 的临时文件失败", rq->url);
		goto out;
	}
	if (rc != CURLE_OK) {
		enum pgd_fetch_error tls = pgd_fetch_tls_error(e, (int)rc);
		ret = pgd_err_set(err, PGD_ERR_IO, rq->url, "无法与服务器 %s 通信：%s", rq->url,
		                  rc == CURLE_COULDNT_CONNECT          ? "无法连接"
		                  : rc == CURLE_OPERATION_TIMEDOUT     ? "超时"
		                  : rc == CURLE_COULDNT_RESOLVE_HOST   ? "域名解析失败"
		                  : tls != PGD_FETCH_OTHER             ? pgd_fetch_error_name(tls)
		                                                       : "连接中断");
		goto out;
	}
out:
	if (e)
		curl_easy_cleanup(e);
	slist_wipe_free(hdrs);
	if (auth.data)
		pgd_wipe(auth.data, auth.alloc);
	pgd_buf_release(&auth);
	return ret;
}
