/* The patrol's fetcher: the only libcurl user (see fetch.h). One multi handle; requests wait
 * in a FIFO until the total and per-host limits allow them to start, so that the per-request
 * timeout only runs while a request really runs. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "patrol/fetch.h"
#include "core/banned.h"

#define USER_AGENT "pubguard-patrol/0.1"
#define HOST_MAX 256

struct req {
	struct req *next;
	char *url;
	char host[HOST_MAX];
	enum pgd_fetch_mode mode;
	void *user;
	int head;          /* CHECK mode: this is the HEAD phase */
	int overflow;      /* body went over the cap */
	int check_abort;   /* CHECK GET: stopped on purpose at the first body byte */
	CURL *easy;
	char *body;
	size_t len, cap;
	size_t max_bytes;
	struct curl_slist *req_headers; /* extra request headers, may be NULL */
	char *hdr;         /* GET: response headers of the last response (capped) */
	size_t hdr_len, hdr_cap;
	char etag[256], last_modified[64];
	char errbuf[CURL_ERROR_SIZE];
};

struct host_count {
	char host[HOST_MAX];
	int n;
};

struct pgd_fetcher {
	struct pgd_fetch_opts o;
	CURLM *multi;
	CURLSH *share;
	char *ca_file;            /* o.ca_file's copy, owned */
	struct req *head, *tail; /* waiting */
	size_t waiting, running;
	struct host_count *hosts; /* one per running request at most */
	size_t nhosts;
	size_t started;           /* requests started so far */
	size_t (*idle)(void *arg);
	void *idle_arg;
	int (*gate)(void *arg);
	void *gate_arg;
};

static int curl_inited;

const char *pgd_fetch_error_name(enum pgd_fetch_error e)
{
	switch (e) {
	case PGD_FETCH_OK: return "成功";
	case PGD_FETCH_TIMEOUT: return "请求超时";
	case PGD_FETCH_DNS: return "域名解析失败";
	case PGD_FETCH_CONNECT: return "无法连接";
	case PGD_FETCH_TLS: return "TLS/证书错误";
	case PGD_FETCH_TLS_UNTRUSTED: return "证书无法验证（自签名或签发机构不受信任）";
	case PGD_FETCH_TLS_EXPIRED: return "证书已过期";
	case PGD_FETCH_TLS_NOT_YET_VALID: return "证书尚未生效";
	case PGD_FETCH_TLS_NAME: return "证书与网站域名不符";
	case PGD_FETCH_TOO_LARGE: return "响应超过大小上限";
	case PGD_FETCH_REDIRECT_LOOP: return "重定向循环或次数过多";
	case PGD_FETCH_OTHER: break;
	}
	return "请求失败";
}

/* The host[:port] part of an http(s) URL, lower-cased. */
static void host_of(const char *url, char *out, size_t n)
{
	const char *p = strstr(url, "://");
	size_t i = 0;

	p = p ? p + 3 : url;
	while (*p && *p != '/' && *p != '?' && *p != '#' && i + 1 < n) {
		char c = *p++;
		out[i++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[i] = '\0';
}

static struct host_count *host_slot(struct pgd_fetcher *f, const char *host, int create)
{
	for (size_t i = 0; i < f->nhosts; i++)
		if (strcmp(f->hosts[i].host, host) == 0)
			return &f->hosts[i];
	if (!create)
		return NULL;
	/* nhosts <= running < concurrency, allocated for concurrency + 1 */
	snprintf(f->hosts[f->nhosts].host, HOST_MAX, "%s", host);
	f->hosts[f->nhosts].n = 0;
	return &f->hosts[f->nhosts++];
}

static void host_release(struct pgd_fetcher *f, const char *host)
{
	struct host_count *h = host_slot(f, host, 0);
	if (!h)
		return;
	if (--h->n <= 0) {
		*h = f->hosts[f->nhosts - 1];
		f->nhosts--;
	}
}

struct pgd_fetcher *pgd_fetcher_new(const struct pgd_fetch_opts *o)
{
	struct pgd_fetcher *f = NULL;

	if (!curl_inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			goto out;
		curl_inited = 1;
	}
	f = pgd_calloc(1, sizeof(*f));
	f->o = *o;
	f->ca_file = o->ca_file && *o->ca_file ? pgd_strdup(o->ca_file) : NULL;
	f->o.ca_file = f->ca_file;
	if (f->o.concurrency < 1)
		f->o.concurrency = 1;
	if (f->o.per_host < 1)
		f->o.per_host = 1;
	if (f->o.timeout_ms < 1)
		f->o.timeout_ms = 15000;
	if (f->o.max_redirects < 0)
		f->o.max_redirects = 0;
	f->hosts = pgd_calloc((size_t)f->o.concurrency + 1, sizeof(*f->hosts));
	f->multi = curl_multi_init();
	f->share = curl_share_init();
	if (!f->multi || !f->share) {
		pgd_fetcher_free(f);
		f = NULL;
		goto out;
	}
	curl_share_setopt(f->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)f->o.per_host);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)f->o.concurrency);
	curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
out:
	return f;
}

static void req_free(struct req *q)
{
	if (!q)
		return;
	free(q->url);
	free(q->body);
	free(q->hdr);
	curl_slist_free_all(q->req_headers);
	free(q);
}

void pgd_fetcher_free(struct pgd_fetcher *f)
{
	struct req *q, *next;

	if (!f)
		return;
	for (q = f->head; q; q = next) {
		next = q->next;
		req_free(q);
	}
	if (f->multi)
		curl_multi_cleanup(f->multi);
	if (f->share)
		curl_share_cleanup(f->share);
	free(f->ca_file);
	free(f->hosts);
	free(f);
}

void pgd_fetcher_add(struct pgd_fetcher *f, const char *url, enum pgd_fetch_mode mode, void *user)
{
	pgd_fetcher_add_hdr(f, url, mode, NULL, user);
}

void pgd_fetcher_add_hdr(struct pgd_fetcher *f, const char *url, enum pgd_fetch_mode mode,
	const char *const *headers, void *user)
{
	struct req *q = pgd_calloc(1, sizeof(*q));

	for (size_t i = 0; headers && headers[i]; i++) {
		struct curl_slist *l;
		if (strpbrk(headers[i], "\r\n"))
			continue; /* no header injection */
		l = curl_slist_append(q->req_headers, headers[i]);
		if (!l)
			abort(); /* out of memory: as pgd_malloc */
		q->req_headers = l;
	}
	q->url = pgd_strdup(url);
	host_of(url, q->host, sizeof(q->host));
	q->mode = mode;
	q->user = user;
	q->head = mode == PGD_FETCH_CHECK;
	q->max_bytes = f->o.max_bytes;
	if (f->tail)
		f->tail->next = q;
	else
		f->head = q;
	f->tail = q;
	f->waiting++;
}

size_t pgd_fetcher_pending(const struct pgd_fetcher *f)
{
	return f->waiting + f->running;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct req *q = arg;
	size_t n = size * nmemb;

	if (q->mode == PGD_FETCH_CHECK) { /* the status is all a link check needs */
		if (n == 0)
			return 0;
		q->check_abort = 1;
		return 0;
	}
	if (n > q->max_bytes || q->len > q->max_bytes - n) {
		q->overflow = 1;
		return 0; /* aborts the transfer: never buffer past the cap */
	}
	if (q->len + n + 1 > q->cap) {
		size_t nc = q->cap ? q->cap : 16384;
		while (nc < q->len + n + 1)
			nc *= 2;
		q->body = pgd_realloc(q->body, nc);
		q->cap = nc;
	}
	memcpy(q->body + q->len, data, n);
	q->len += n;
	q->body[q->len] = '\0';
	return n;
}

/* Copy a header's value (after "Name:") without surrounding spaces and the line end. */
static void header_value(const char *line, size_t n, size_t name_len, char *out, size_t cap)
{
	size_t a = name_len, b = n, k = 0;

	while (a < b && (line[a] == ' ' || line[a] == '\t'))
		a++;
	while (b > a && (line[b - 1] == '\r' || line[b - 1] == '\n' || line[b - 1] == ' ' || line[b - 1] == '\t'))
		b--;
	for (; a < b && k + 1 < cap; a++)
		out[k++] = line[a];
	out[k] = '\0';
}

/* GET: keep the headers of the last response (a status line starts a new one: redirects,
 * 100-continue), capped; pick ETag and Last-Modified. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct req *q = arg;
	size_t n = size * nmemb;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		q->hdr_len = 0;
		q->etag[0] = q->last_modified[0] = '\0';
	}
	if (n > 5 && strncasecmp(data, "ETag:", 5) == 0)
		header_value(data, n, 5, q->etag, sizeof(q->etag));
	else if (n > 14 && strncasecmp(data, "Last-Modified:", 14) == 0)
		header_value(data, n, 14, q->last_modified, sizeof(q->last_modified));
	if (q->hdr_len + n <= PGD_FETCH_HEADERS_MAX) {
		if (q->hdr_len + n + 1 > q->hdr_cap) {
			size_t nc = q->hdr_cap ? q->hdr_cap : 1024;
			while (nc < q->hdr_len + n + 1)
				nc *= 2;
			q->hdr = pgd_realloc(q->hdr, nc);
			q->hdr_cap = nc;
		}
		memcpy(q->hdr + q->hdr_len, data, n);
		q->hdr_len += n;
		q->hdr[q->hdr_len] = '\0';
	}
	return n;
}

static int start(struct pgd_fetcher *f, struct req *q)
{
	CURL *e = curl_easy_init();

	if (!e)
		return -1;
	f->started++;
	q->easy = e;
	q->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, q->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, q);
	curl_easy_setopt(e, CURLOPT_SHARE, f->share);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)f->o.max_redirects);
	curl_easy_setopt(e, CURLOPT_AUTOREFERER, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)f->o.timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)f->o.timeout_ms);
	curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, q->errbuf);
	pgd_fetch_tls_trust(e, f->o.ca_file);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, q);
	if (q->mode == PGD_FETCH_GET) {
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)q->max_bytes);
		curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(e, CURLOPT_HEADERDATA, q);
		q->hdr_len = 0;
		q->etag[0] = q->last_modified[0] = '\0';
	}
	if (q->req_headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, q->req_headers);
	if (q->head)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	if (curl_multi_add_handle(f->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		q->easy = NULL;
		return -1;
	}
	host_slot(f, q->host, 1)->n++;
	f->running++;
	return 0;
}

/* Start waiting requests while the limits allow; looks at most 64 entries deep for one whose
 * host is below its limit. */
static int fill(struct pgd_fetcher *f)
{
	while (f->head && f->running < (size_t)f->o.concurrency && (!f->gate || f->gate(f->gate_arg))) {
		struct req *prev = NULL, *q = f->head;
		int depth = 0;
		for (; q && depth < 64; prev = q, q = q->next, depth++) {
			struct host_count *h = host_slot(f, q->host, 0);
			if (!h || h->n < f->o.per_host)
				break;
		}
		if (!q || depth >= 64)
			break;
		if (prev)
			prev->next = q->next;
		else
			f->head = q->next;
		if (f->tail == q)
			f->tail = prev;
		q->next = NULL;
		f->waiting--;
		if (start(f, q) < 0) {
			req_free(q);
			return -1;
		}
	}
	return 0;
}

static enum pgd_fetch_error map_error(CURLcode c, const struct req *q, CURL *e)
{
	switch (c) {
	case CURLE_OK: return PGD_FETCH_OK;
	case CURLE_OPERATION_TIMEDOUT: return PGD_FETCH_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY: return PGD_FETCH_DNS;
	case CURLE_COULDNT_CONNECT: return PGD_FETCH_CONNECT;
	case CURLE_TOO_MANY_REDIRECTS: return PGD_FETCH_REDIRECT_LOOP;
	case CURLE_FILESIZE_EXCEEDED: return PGD_FETCH_TOO_LARGE;
	case CURLE_WRITE_ERROR:
		if (q->overflow)
			return PGD_FETCH_TOO_LARGE;
		if (q->check_abort)
			return PGD_FETCH_OK;
		return PGD_FETCH_OTHER;
	default: return pgd_fetch_tls_error(e, (int)c); /* PGD_FETCH_OTHER when not about TLS */
	}
}

/* A certificate that failed verification (PGD_FETCH_TLS_*). */
static int cert_error(enum pgd_fetch_error e)
{
	return e == PGD_FETCH_TLS_UNTRUSTED || e == PGD_FETCH_TLS_EXPIRED || e == PGD_FETCH_TLS_NOT_YET_VALID ||
	       e == PGD_FETCH_TLS_NAME;
}

static int finish(struct pgd_fetcher *f, CURL *e, CURLcode code,
	void (*done)(void *arg, void *user, struct pgd_fetch_result *res), void *arg)
{
	struct req *q = NULL;
	struct pgd_fetch_result res;
	char *ct = NULL, *eff = NULL;
	double secs = 0;
	long status = 0;
	int rc = 0;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&q);
	curl_multi_remove_handle(f->multi, e);
	f->running--;
	host_release(f, q->host);
	memset(&res, 0, sizeof(res));
	res.error = map_error(code, q, e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	/* many servers mishandle HEAD: anything but a clean answer below 400 is asked again by GET
	 * (not a certificate that failed: the same certificate answers a GET) */
	if (q->head && (status == 0 || status >= 400) && res.error != PGD_FETCH_DNS &&
	    res.error != PGD_FETCH_CONNECT && res.error != PGD_FETCH_TIMEOUT &&
	    res.error != PGD_FETCH_REDIRECT_LOOP && !cert_error(res.error)) {
		curl_easy_cleanup(e);
		q->easy = NULL;
		q->head = 0;
		q->next = f->head; /* first in line: it already waited its turn */
		f->head = q;
		if (!f->tail)
			f->tail = q;
		f->waiting++;
		goto out;
	}
	curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
	curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff);
	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &secs);
	res.url = q->url;
	res.status = res.error == PGD_FETCH_OK || res.error == PGD_FETCH_TOO_LARGE ? status : 0;
	res.final_url = eff;
	res.time_ms = secs * 1000.0;
	res.content_type = ct;
	res.error_text = res.error == PGD_FETCH_OK ? "" : q->errbuf[0] ? q->errbuf : curl_easy_strerror(code);
	if (res.error == PGD_FETCH_OK && q->mode == PGD_FETCH_GET) {
		res.body = q->body ? q->body : pgd_strdup("");
		res.len = q->len;
		q->body = NULL;
	}
	if (q->mode == PGD_FETCH_GET) {
		res.headers = q->hdr ? q->hdr : "";
		res.etag = q->etag[0] ? q->etag : NULL;
		res.last_modified = q->last_modified[0] ? q->last_modified : NULL;
	}
	done(arg, q->user, &res);
	free(res.body);
	curl_easy_cleanup(e);
	req_free(q);
out:
	return rc;
}

/* ---- TLS (fetch.h) ---- */

static const char *system_ca_dir_test; /* pgd_fetch_set_system_ca_dir */

void pgd_fetch_set_system_ca_dir(const char *dir)
{
	system_ca_dir_test = dir;
}

const char *pgd_fetch_system_ca_dir(void *easy)
{
	struct stat st;

	if (system_ca_dir_test)
		return system_ca_dir_test;
#if LIBCURL_VERSION_NUM >= 0x075400 /* CURLINFO_CAPATH: 7.84.0 */
	{
		char *dir = NULL;
		if (curl_easy_getinfo(easy, CURLINFO_CAPATH, &dir) == CURLE_OK && dir && *dir && stat(dir, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return dir;
	}
#else
	(void)easy;
#endif
	if (stat("/etc/ssl/certs", &st) == 0 && S_ISDIR(st.st_mode))
		return "/etc/ssl/certs";
	return NULL;
}

void pgd_fetch_tls_trust(void *easy, const char *ca_file)
{
	const char *dir;

	if (!ca_file || !*ca_file)
		return;
	curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file);
	dir = pgd_fetch_system_ca_dir(easy);
	if (dir)
		curl_easy_setopt(easy, CURLOPT_CAPATH, dir);
}

/* libcurl's TLS library is OpenSSL: its verify result is an X509_V_ERR_* code. */
static int tls_is_openssl(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	return v && v->ssl_version && strncmp(v->ssl_version, "OpenSSL/", 8) == 0;
}

enum pgd_fetch_error pgd_fetch_tls_error(void *easy, int code)
{
	long vr = -1;

	switch ((CURLcode)code) {
	case CURLE_PEER_FAILED_VERIFICATION:
		if (tls_is_openssl() && curl_easy_getinfo(easy, CURLINFO_SSL_VERIFYRESULT, &vr) == CURLE_OK) {
			/* OpenSSL's X509_V_ERR_* numbers (openssl/x509_vfy.h; stable; the header is not
			 * included here: crypto/ is this program's only OpenSSL user) */
			switch (vr) {
			case 9: return PGD_FETCH_TLS_NOT_YET_VALID; /* X509_V_ERR_CERT_NOT_YET_VALID */
			case 10: return PGD_FETCH_TLS_EXPIRED;      /* X509_V_ERR_CERT_HAS_EXPIRED */
			case 0:  /* the chain verified: libcurl's own host name check failed, */
			case 1:  /* ... which leaves its "!X509_V_OK" placeholder here (libcurl 7.88) */
			case 62: /* X509_V_ERR_HOSTNAME_MISMATCH */
			case 64: /* X509_V_ERR_IP_ADDRESS_MISMATCH */
				return PGD_FETCH_TLS_NAME;
			default: break;
			}
		}
		return PGD_FETCH_TLS_UNTRUSTED; /* unknown issuer, self-signed, bad chain */
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS: return PGD_FETCH_TLS;
	default: return PGD_FETCH_OTHER;
	}
}

void pgd_fetcher_set_idle(struct pgd_fetcher *f, size_t (*idle)(void *arg), void *arg)
{
	f->idle = idle;
	f->idle_arg = arg;
}

void pgd_fetcher_set_gate(struct pgd_fetcher *f, int (*gate)(void *arg), void *arg)
{
	f->gate = gate;
	f->gate_arg = arg;
}

void pgd_fetcher_drop_waiting(struct pgd_fetcher *f)
{
	while (f->head) {
		struct req *q = f->head;
		f->head = q->next;
		req_free(q);
	}
	f->tail = NULL;
	f->waiting = 0;
}

void pgd_fetcher_wakeup(struct pgd_fetcher *f)
{
	curl_multi_wakeup(f->multi);
}

int pgd_fetcher_run(struct pgd_fetcher *f,
	void (*done)(void *arg, void *user, struct pgd_fetch_result *res), void *arg)
{
	int rc = 0;

	for (;;) {
		int still = 0, left = 0;
		size_t outstanding, started;
		CURLMsg *m;

		if (fill(f) < 0) {
			rc = PGD_ERR_INTERNAL;
			break;
		}
		if (curl_multi_perform(f->multi, &still) != CURLM_OK) {
			rc = PGD_ERR_INTERNAL;
			break;
		}
		while ((m = curl_multi_info_read(f->multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE)
				finish(f, m->easy_handle, m->data.result, done, arg);
		outstanding = f->idle ? f->idle(f->idle_arg) : 0;
		if (f->running == 0 && f->waiting == 0 && outstanding == 0)
			break;
		started = f->started;
		if (fill(f) < 0) {
			rc = PGD_ERR_INTERNAL;
			break;
		}
		if (f->started != started)
			continue; /* new requests: set them going before waiting */
		/* wait for the network, or for a wakeup from finished outside work */
		if (curl_multi_poll(f->multi, NULL, 0, 200, NULL) != CURLM_OK) {
			rc = PGD_ERR_INTERNAL;
			break;
		}
	}
	return rc;
}
