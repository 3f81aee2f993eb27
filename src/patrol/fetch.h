/* The patrol's fetcher (fetch.c, the only libcurl user): many HTTP(S) requests at once over
 * a libcurl multi handle, with a total and a per-host concurrency limit, a per-request
 * timeout, a redirect limit, a body cap enforced while receiving (never more is buffered)
 * and a HEAD-then-GET mode for link checks. Internal to src/patrol. */
#ifndef PGD_PATROL_FETCH_H
#define PGD_PATROL_FETCH_H

#include <stddef.h>

enum pgd_fetch_error {
	PGD_FETCH_OK = 0,        /* a response was received (any status) */
	PGD_FETCH_TIMEOUT,
	PGD_FETCH_DNS,
	PGD_FETCH_CONNECT,
	PGD_FETCH_TLS,
	PGD_FETCH_TOO_LARGE,     /* body over max_bytes (GET with body only) */
	PGD_FETCH_REDIRECT_LOOP, /* more than max_redirects redirects (loops included) */
	PGD_FETCH_OTHER,         /* reset, bad response, unsupported scheme ... */
	/* certificate failures (after OTHER: the numbers above are kept in re-crawl journals) */
	PGD_FETCH_TLS_UNTRUSTED, /* the certificate cannot be verified: self-signed, unknown CA */
	PGD_FETCH_TLS_EXPIRED,   /* the certificate has expired */
	PGD_FETCH_TLS_NOT_YET_VALID, /* the certificate is not valid yet (or this machine's clock is wrong) */
	PGD_FETCH_TLS_NAME,      /* the certificate is for another host name */
};

enum pgd_fetch_mode {
	PGD_FETCH_GET,   /* GET and keep the body (up to max_bytes) */
	PGD_FETCH_CHECK, /* link check: HEAD, then GET (body discarded) when HEAD is refused */
};

struct pgd_fetch_result {
	const char *url;          /* as requested; borrowed (valid during the callback) */
	long status;              /* HTTP status of the final response, 0 when none */
	const char *final_url;    /* after redirects; borrowed, may be NULL */
	double time_ms;           /* total time of the (last) request */
	const char *content_type; /* borrowed, may be NULL */
	char *body;               /* GET: NUL-terminated body, steal it (set to NULL) or it is freed */
	size_t len;
	enum pgd_fetch_error error;
	const char *error_text;   /* libcurl's description of the error (English), borrowed */
	/* GET only (NULL otherwise), borrowed: the last response's headers after redirects, CRLF
	 * lines as received, status line included, capped at PGD_FETCH_HEADERS_MAX bytes (lines past
	 * the cap are dropped); its ETag and Last-Modified values. A conditional request answered
	 * "not modified" is a result with status 304 and an empty body. */
	const char *headers;
	const char *etag;
	const char *last_modified;
};

#define PGD_FETCH_HEADERS_MAX 16384

struct pgd_fetch_opts {
	int timeout_ms;      /* per request */
	int concurrency;     /* requests at once */
	int per_host;        /* requests at once to one host */
	int max_redirects;
	size_t max_bytes;    /* body cap for GET */
	const char *ca_file; /* PEM file of CA certificates trusted besides the system's; NULL: the
	                        system's only (see pgd_fetch_tls_trust); copied by pgd_fetcher_new */
};

struct pgd_fetcher;

/* new: pgd_fetcher_free(). NULL when libcurl cannot be set up. */
struct pgd_fetcher *pgd_fetcher_new(const struct pgd_fetch_opts *o);
void pgd_fetcher_free(struct pgd_fetcher *f); /* NULL ok */
/* Queue a request (url copied); user is handed back with its result. */
void pgd_fetcher_add(struct pgd_fetcher *f, const char *url, enum pgd_fetch_mode mode, void *user);
/* The same with extra request headers ("If-None-Match: \"x\"", NULL-terminated list, may be
 * NULL; copied). Header lines holding CR or LF are dropped. */
void pgd_fetcher_add_hdr(struct pgd_fetcher *f, const char *url, enum pgd_fetch_mode mode,
	const char *const *headers, void *user);
/* Number of requests queued or running. */
size_t pgd_fetcher_pending(const struct pgd_fetcher *f);
/* Run until every request (including those added by done itself) has finished; done is
 * called once per request. Returns 0, or a negative PGD_ERR_INTERNAL when libcurl fails. */
int pgd_fetcher_run(struct pgd_fetcher *f,
	void (*done)(void *arg, void *user, struct pgd_fetch_result *res), void *arg);

/* Work that finishes outside the fetcher and may add requests (page analysis on other threads):
 * idle is called on every turn of pgd_fetcher_run, on the fetcher's thread; it returns how many
 * pieces of such work are still outstanding, and run does not return while any are. A thread
 * that finishes one calls pgd_fetcher_wakeup (thread-safe) to cut the fetcher's wait short. */
void pgd_fetcher_set_idle(struct pgd_fetcher *f, size_t (*idle)(void *arg), void *arg);
void pgd_fetcher_wakeup(struct pgd_fetcher *f);
/* Back-pressure from that work: while gate returns 0 no queued request is started (those in
 * flight finish). Checked on the fetcher's thread before each start; idle's turns re-check it. */
void pgd_fetcher_set_gate(struct pgd_fetcher *f, int (*gate)(void *arg), void *arg);
/* Drop every request not yet started (their done callbacks never run): a cancelled crawl. */
void pgd_fetcher_drop_waiting(struct pgd_fetcher *f);

/* Short Chinese name of an error kind ("超时", "域名解析失败" ...). */
const char *pgd_fetch_error_name(enum pgd_fetch_error e);

/* ---- TLS, shared by fetch.c and fetch_sync.c (easy is a libcurl easy handle, CURL *) ---- */

/* Trust ca_file (PEM) besides the system's CAs on easy; NULL or "": leave libcurl's defaults.
 * CURLOPT_CAINFO is one path and by default names the system bundle, so setting it REPLACES that
 * bundle (libcurl's CURLOPT_CAINFO(3)); with OpenSSL the certificates of CURLOPT_CAPATH are
 * searched as well (both are loaded into one store). Debian's libcurl has both defaults
 * (/etc/ssl/certs/ca-certificates.crt and the hashed directory /etc/ssl/certs holding the same
 * CAs), so CAPATH is set explicitly to the system's CA directory (pgd_fetch_system_ca_dir): the
 * system's CAs stay trusted through it whatever the build's defaults. */
void pgd_fetch_tls_trust(void *easy, const char *ca_file);
/* The system's CA directory: libcurl's built-in CAPATH (CURLINFO_CAPATH), else /etc/ssl/certs,
 * whichever is first a directory; NULL when neither is (then a ca_file replaces the system's
 * CAs: put them into the file too). */
const char *pgd_fetch_system_ca_dir(void *easy);
/* Tests only: take dir as the system's CA directory (NULL: back to the above). Not thread-safe:
 * set it before any request. */
void pgd_fetch_set_system_ca_dir(const char *dir);
/* The kind of a failed request from libcurl's code (CURLcode) and, for a certificate that failed
 * verification, the TLS library's verify result (OpenSSL's X509_V_ERR_*): PGD_FETCH_TLS_* for the
 * certificate failures, PGD_FETCH_TLS for other TLS failures, PGD_FETCH_OTHER for a code that is
 * not about TLS. */
enum pgd_fetch_error pgd_fetch_tls_error(void *easy, int code);

#endif
