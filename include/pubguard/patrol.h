/* Patrol (issue 4): machine scanning of platforms — feeds of social accounts, websites
 * (availability, links, columns, content). This header is the contract between the pieces:
 *   dates.c    dates in their many Chinese and ISO forms
 *   feed.c     RSS 2.0 / Atom / JSON Feed parsing and the cadence rules (Art. 6)
 *   page.c     analysis of one fetched HTML page: links, columns, newest dates, hidden links
 *   fetch.c    the only libcurl user: a capped, concurrent fetcher
 *   site.c     the website patrol (crawl, link checks, column freshness) built on the above
 * Fallible functions return 0 or a negative PGD_ERR_* and fill err (Chinese message). */
#ifndef PUBGUARD_PATROL_H
#define PUBGUARD_PATROL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pubguard/err.h"

/* ---- findings ---- */

enum pgd_patrol_severity { PGD_PATROL_INFO, PGD_PATROL_REVIEW, PGD_PATROL_BLOCK };

struct pgd_patrol_finding {
	char *url;          /* the page or feed the finding is on */
	char *target;       /* a link finding: the link's absolute destination; else NULL */
	char *category;     /* "site.broken_link_internal", "feed.not_weekly", ... */
	enum pgd_patrol_severity severity;
	unsigned line;      /* line in the page, 0 when not applicable */
	char *text;         /* quoted text (link text, item title), may be NULL */
	char *message;      /* Chinese */
	char *evidence;     /* evidence reference (e.g. sha256 of the stored response), may be NULL */
};

/* What a patrol saw beyond its findings (second slice): the server keeps these per platform. */

/* A column of a website: a navigation target, or a page whose meta tags say it is a column. */
struct pgd_patrol_column {
	char *url;
	char *name;          /* may be NULL */
	const char *kind;    /* static: "news" (dynamic/news), "notice" (notice/policy), "other" */
	time_t newest;       /* newest item date on its list page, 0 when none */
	size_t items;        /* dated list entries */
	int stale, empty;    /* judged against the thresholds (site.stale_column / site.empty_column) */
};

/* An item published on a platform: an article page of a site (a page with a PubDate meta tag, or
 * a non-list page with a title and a date), a feed entry, or an imported post. The server matches
 * each to the approved items (Art. 14, publish.unreviewed). */
struct pgd_patrol_item {
	char *url;           /* may be NULL (imported post without a link) */
	char *title;         /* may be NULL */
	time_t published;    /* 0: unknown */
	char sha256[65];     /* lowercase hex of the page body / item content; "" unknown */
	uint64_t simhash;    /* pgd_simhash() of the item's text; 0 unknown */
};

/* A stored piece of evidence: the raw response of a page that carries a finding (kind "page"),
 * or a screenshot of it (kind "screenshot", PNG). The bytes are in a file named by sha256 in
 * the patrol's evidence_dir until the worker uploads them. */
struct pgd_patrol_evidence {
	char sha256[65];
	const char *kind;    /* static: "page" or "screenshot" */
	char *url;
	time_t fetched_at;
	long status;         /* HTTP status (page) */
	char *content_type;  /* may be NULL */
	char *headers;       /* response headers as received, CRLF lines; may be NULL */
	size_t size;         /* bytes */
	char *of;            /* screenshot: sha256 of the page it shows; NULL for a page */
};

/* The home page as seen (for defacement: the server keeps the accepted baseline). */
struct pgd_patrol_home {
	char sha256[65];     /* "" when the home page was not fetched */
	uint64_t simhash;    /* of its visible text */
	char *title;         /* may be NULL */
	size_t text_len;     /* bytes of visible text */
};

/* One availability probe of a home page. */
struct pgd_patrol_probe {
	time_t at;
	int ok;              /* a page (status < 400) arrived within the timeout */
	long status;         /* HTTP status, 0 when none */
	unsigned ms;         /* total time */
	char error[160];     /* Chinese reason when !ok, else "" */
	time_t tls_expires;  /* https: the server certificate's notAfter; 0 unknown / http */
};

struct pgd_patrol_report {
	struct pgd_patrol_finding *items;
	size_t n, cap;
	size_t pages, links, feeds; /* counters for the summary line */
	/* second slice: filled by the site / feed patrols; released by pgd_patrol_report_release */
	struct pgd_patrol_column *columns;
	size_t n_columns, cap_columns;
	struct pgd_patrol_item *found;
	size_t n_found, cap_found;
	struct pgd_patrol_evidence *evidence;
	size_t n_evidence, cap_evidence;
	struct pgd_patrol_home home;
	size_t pages_unchanged;     /* re-crawl: pages answered 304 or with the same hash as last time */
	size_t peak_backlog;        /* most page bodies waiting for analysis at once (bounded: see site.c) */
	size_t resumed;             /* pages and links taken from the journal of an attempt killed before */
	size_t spool_peak;          /* most bytes of page bodies kept in evidence_dir at once by a crawl */
	/* third slice: found items past PGD_PATROL_FOUND_INMEM go to an unlinked temporary file when
	 * spill_found is set by the caller (the CLI and the worker do), so a 100,000-page site does
	 * not keep 100,000 items in memory. Use the pgd_patrol_found_* functions, not found/n_found,
	 * where a report may have spilled. */
	int spill_found;
	void *found_spill;          /* FILE *, owned; NULL while nothing spilled */
	size_t n_found_spilled;
};

#define PGD_PATROL_FOUND_INMEM 256

/* Append a found item (strings copied; url/title/sha256 may be NULL). Spills as described
 * above; when the temporary file cannot be made or written the item stays in memory (never
 * lost, never an error). */
void pgd_patrol_found_add(struct pgd_patrol_report *r, const char *url, const char *title, time_t published,
	const char *sha256, uint64_t simhash);
/* Items in the report: in memory and spilled. */
size_t pgd_patrol_found_count(const struct pgd_patrol_report *r);
/* Call fn on every item: those in memory, then the spilled ones, each in the order added (the
 * item is borrowed for the call). Returns 0, fn's
 * first non-zero return (which stops the walk), or PGD_ERR_IO with err set when the spill file
 * cannot be read back. */
int pgd_patrol_found_each(const struct pgd_patrol_report *r, int (*fn)(void *arg, const struct pgd_patrol_item *it),
	void *arg, struct pgd_err *err);

/* Append a finding (strings copied; target/text/evidence may be NULL; message is a printf format). */
void pgd_patrol_add(struct pgd_patrol_report *r, const char *url, const char *target, const char *category,
	enum pgd_patrol_severity sev, unsigned line, const char *text, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
void pgd_patrol_report_release(struct pgd_patrol_report *r); /* NULL ok */
const char *pgd_patrol_severity_name(enum pgd_patrol_severity s); /* "info" "review" "block" */

/* ---- thresholds (data/patrol/thresholds.tsv: "key<TAB>value" lines, # comments) ---- */
struct pgd_patrol_thresholds {
	int weekly_min_items;        /* feed.not_weekly: fewer items than this in the 7 days before as_of (1) */
	int zombie_days;             /* feed.zombie / site.homepage_stale: no update for this many days (14) */
	int news_column_days;        /* dynamic/news columns stale after (14) */
	int notice_column_days;      /* notice/policy columns stale after (180) */
	int slow_page_ms;            /* site.slow_page (10000) */
	int unavailable_timeout_ms;  /* a probe without a page within this counts as unavailable (15000) */
	/* second slice */
	int probes_per_day;          /* availability probes of each home page a day (20) */
	int unavailable_fail_pct;    /* site.unavailable (block): week's failed probes >= this % (5) */
	int unavailable_warn_pct;    /* site.unavailable (review): >= this % (3) */
	int empty_columns_fail;      /* this many empty columns or more fail the site (5) */
	int stale_columns_fail;      /* this many stale columns or more fail the site (5) */
	int tls_warn_days;           /* certificate expiring within this many days: a finding (30) */
	int deface_simhash_bits;     /* home page text this many SimHash bits from the baseline, with a
	                                changed title: site.defaced (24) */
};
void pgd_patrol_thresholds_default(struct pgd_patrol_thresholds *t);
/* Read the file over the defaults; unknown keys and bad values are errors naming file:line. */
int pgd_patrol_thresholds_load(const char *path, struct pgd_patrol_thresholds *t, struct pgd_err *err);
/* Where thresholds.tsv is: <dir>/patrol/ when dir is given, else $PGD_DATA_DIR/patrol/, then
 * <exe>/../data/patrol/ and <exe>/../share/pubguard/patrol/. 0 with the path in out, or -1. */
int pgd_patrol_thresholds_path(const char *dir, char *out, size_t n);
/* The i-th threshold's key (NULL past the last): for sending thresholds with a job. */
const char *pgd_patrol_threshold_key(size_t i);
/* The field for key, NULL when unknown (borrowed: points into t). */
int *pgd_patrol_threshold_field(struct pgd_patrol_thresholds *t, const char *key);

/* ---- dates ---- */

/* Parse one date at the start of s (after leading spaces): 2026-11-30, 2026/11/30, 2026.11.30,
 * 2026年11月30日, 2026年11月30日 10:20, 二〇二六年十一月三十日, RFC 822 (RSS pubDate),
 * RFC 3339 / ISO 8601 (Atom, JSON Feed), with an optional time and zone; a date without a zone
 * is Beijing time (UTC+8). *t gets the instant (UTC seconds), *used the bytes consumed.
 * Returns 0, or PGD_ERR_INVALID when s does not start with a valid date (month 13, Feb 30 ...). */
int pgd_date_parse(const char *s, size_t len, time_t *t, size_t *used);
/* Find every date in a text (e.g. a column list page); calls fn for each in order. Returns
 * the number found. Numbers that are not dates (phone numbers, 文号 like 〔2019〕19号) are not dates. */
size_t pgd_date_scan(const char *s, size_t len, void (*fn)(void *arg, time_t t, size_t off), void *arg);

/* ---- feeds ---- */

enum pgd_feed_kind { PGD_FEED_RSS, PGD_FEED_ATOM, PGD_FEED_JSON };

struct pgd_feed_item {
	char *title;     /* may be NULL */
	char *link;      /* may be NULL */
	char *id;        /* guid / id, may be NULL */
	time_t published; /* 0: unknown */
	char *content;   /* text content (HTML stripped), may be NULL */
};

struct pgd_feed {
	enum pgd_feed_kind kind;
	char *title;
	char *link;
	struct pgd_feed_item *items;
	size_t n;
};

#define PGD_FEED_MAX_BYTES (16u << 20)
#define PGD_FEED_MAX_ITEMS 10000

/* Parse a feed (kind detected from content). name is used in messages. Malformed or
 * unknown content -> PGD_ERR_FORMAT with a Chinese message naming name and the problem;
 * DTDs refused. *out is new: pgd_feed_release(). */
int pgd_feed_parse(const char *buf, size_t len, const char *name, struct pgd_feed *out, struct pgd_err *err);
void pgd_feed_release(struct pgd_feed *f); /* NULL ok */
/* Art. 6 cadence on a parsed feed as of as_of: feed.empty (no items), feed.not_weekly (fewer
 * than weekly_min_items in the 7 days before as_of), feed.zombie (newest item older than
 * zombie_days; severity block). url names the feed in findings. */
void pgd_feed_cadence(const struct pgd_feed *f, const char *url, time_t as_of,
	const struct pgd_patrol_thresholds *t, struct pgd_patrol_report *r);

/* ---- one HTML page (page.c) ---- */

struct pgd_page_link {
	char *href;      /* absolute http(s) URL (fragment dropped) */
	char *text;      /* link text or img alt, may be NULL */
	unsigned line;   /* line of the element in the page */
	int image;       /* an <img src> rather than <a href> */
	int nav;         /* inside the site's navigation (<nav>, a menu/nav/daohang-like list) */
	int hidden;      /* hidden by inline CSS (display:none, visibility:hidden, font-size 0/1px,
	                    off-screen position, same colour as background) or an ancestor that is */
};

struct pgd_page {
	char *title;
	struct pgd_page_link *links;
	size_t n_links;
	char *column_name;     /* <meta name="ColumnName">, NULL when absent */
	char *column_type;     /* <meta name="ColumnType">, NULL when absent */
	time_t pub_date;       /* <meta name="PubDate"> (or "pubdate"), 0 when absent */
	time_t newest_date;    /* newest date among the page's list entries, 0 when none */
	size_t n_list_items;   /* list entries (li/tr with a link and a date) found */
};

/* Parse UTF-8 HTML (decode other charsets first with the doc layer) fetched from base_url.
 * *out is new: pgd_page_release(). Never fails on malformed HTML (libxml2 recovers); only
 * PGD_ERR_TOO_LARGE over 64 MB. */
int pgd_page_parse(const char *html, size_t len, const char *base_url, struct pgd_page *out,
	struct pgd_err *err);
void pgd_page_release(struct pgd_page *p); /* NULL ok */
/* libxml2's one-time set-up: call once before pages are parsed on several threads at once. */
void pgd_page_global_init(void);

/* URL helpers: resolve ref against base (RFC 3986), drop the fragment; NULL when the result is
 * not http(s) (mailto:, javascript:, ...). new: free(). */
char *pgd_url_resolve(const char *base, const char *ref);
/* 1 when both URLs have the same scheme-less host (case-insensitive, port included). */
int pgd_url_same_host(const char *a, const char *b);

/* ---- patrol runs (fetch.c + site.c; the CLI `pubguard patrol`) ---- */

struct pgd_rules; /* the checker's rules (pubguard/check.h), for content checks; may be NULL */

struct pgd_patrol_opts {
	time_t as_of;                 /* "today" for freshness rules */
	int timeout_ms;               /* per request (default 15000) */
	int concurrency;              /* parallel requests (default 10) */
	int per_host;                 /* parallel requests per host (default 0: as concurrency) */
	size_t max_pages;             /* pages crawled per site (default 5000) */
	size_t max_bytes;             /* per response body (default 8 MB); larger -> site.oversize_page */
	int max_redirects;            /* default 10; more or a loop -> site.redirect_loop */
	const struct pgd_patrol_thresholds *th;
	const struct pgd_rules *rules; /* NULL: no content checks */
	/* second slice */
	const char *cache_dir;        /* incremental re-crawl state per site (ETag, Last-Modified, hash,
	                                 page analysis, content findings); NULL: full crawl, no state */
	const char *evidence_dir;     /* raw bodies of pages with findings go here as files named by
	                                 their sha256 (listed in report->evidence); NULL: none kept */
	const struct pgd_patrol_home *home_baseline; /* accepted home page; NULL: no defacement check */
	/* third slice */
	const char *resume_key;       /* with cache_dir: journal the crawl under this key ([A-Za-z0-9_-],
	                                 at most 64) and, when an attempt with the same key was killed or
	                                 cancelled, resume it: what it fetched is replayed, not fetched */
	const volatile int *cancel;   /* when it becomes non-zero (any thread): no further request starts,
	                                 pgd_patrol_site returns PGD_ERR_CANCELLED once those in flight end */
	const char *ca_file;          /* PEM file of CA certificates trusted besides the system's (an
	                                 intranet's own CA); NULL: the system's only */
	/* progress on stderr: called after each finished request */
	void (*progress)(void *arg, size_t done, size_t queued);
	void *progress_arg;
};
void pgd_patrol_opts_default(struct pgd_patrol_opts *o);

/* Patrol one website from its entry URL / one feed. Findings go to r; a site that cannot be
 * reached at all is a finding (site.unavailable), not an error. Errors only for bad arguments
 * (PGD_ERR_INVALID) or the machine (PGD_ERR_IO/INTERNAL). */
int pgd_patrol_site(const char *url, const struct pgd_patrol_opts *o, struct pgd_patrol_report *r,
	struct pgd_err *err);
int pgd_patrol_feed(const char *url, const struct pgd_patrol_opts *o, struct pgd_patrol_report *r,
	struct pgd_err *err);

/* ---- second slice: probes, near-duplicates ---- */

/* Probe a home page once (fetch_sync.c): GET with the timeout, recording status, time and the
 * TLS certificate's expiry (ca_file as in pgd_patrol_opts, may be NULL). Never fails: an
 * unreachable page is a probe with ok = 0. */
void pgd_patrol_probe(const char *url, int timeout_ms, const char *ca_file, struct pgd_patrol_probe *out);

/* 64-bit SimHash of a text (simhash.c): character bigrams of its letters and digits (CJK
 * included; spaces, punctuation and markup-free case differences ignored). Texts that differ
 * in a few words are a few bits apart; 0 for a text with fewer than 2 such characters. */
uint64_t pgd_simhash(const char *text, size_t len);
/* Number of differing bits. */
int pgd_simhash_distance(uint64_t a, uint64_t b);

/* ---- posts of accounts without a feed (posts.c), unreviewed publication (Art. 14) ---- */

/* Parse an export of an account's posts into a feed, so pgd_feed_cadence and the content
 * checks apply unchanged: CSV or XLSX (through the doc layer's sheet reader: UTF-8, GBK,
 * UTF-16) with a header row naming 发布时间/published (required), 标题/title, 链接/link,
 * 正文/content (other columns ignored), or JSON (an array of objects, or an object whose
 * "items"/"posts"/"data" is one) with those keys. Dates in any form pgd_date_parse reads,
 * Unix seconds/milliseconds, or Excel date serials. A bad row (unreadable date, a link that
 * is not http(s), nothing but a date) -> PGD_ERR_FORMAT naming name, the row (as Excel shows
 * it; JSON: the item's number) and the column (key); over PGD_FEED_MAX_BYTES or
 * PGD_FEED_MAX_ITEMS -> PGD_ERR_TOO_LARGE. out->title is name. *out is new: pgd_feed_release(). */
int pgd_posts_parse(const char *buf, size_t len, const char *name, struct pgd_feed *out, struct pgd_err *err);

/* The checker on every entry of a feed or export (title, then content, as one text document);
 * findings on the entry's link, or url when it has none. sc: a scanner of the checker's rules
 * (pubguard/check.h). PGD_ERR_* only when the checker itself fails. */
struct pgd_scanner;
int pgd_patrol_check_items(struct pgd_scanner *sc, const struct pgd_feed *f, const char *url, time_t as_of,
	struct pgd_patrol_report *r, struct pgd_err *err);

/* Patrol an account from an export of its posts (bytes as pgd_posts_parse reads them; name for
 * messages): its entries become report->found, cadence findings go on url (the platform), with
 * o->rules every post is checked, and with o->evidence_dir the export is kept there under its
 * SHA-256 as the evidence of those findings. Bad exports -> PGD_ERR_FORMAT / TOO_LARGE. */
int pgd_patrol_posts(const char *buf, size_t len, const char *name, const char *url, const struct pgd_patrol_opts *o,
	struct pgd_patrol_report *r, struct pgd_err *err);

/* An approved item as the CLI reads it (borrowed strings; simhash 0 unknown). */
struct pgd_approved_ref {
	const char *url;
	const char *title;
	uint64_t simhash;
};

/* Art. 14 without the store: a publish.unreviewed finding (review) for every item of f
 * published on or after since (0: every item) that matches none of appr[0..n) by the store's
 * rules (pubguard/match.h: normalised URL, else normalised title, else a SimHash of the item's
 * content within 3 bits). url names the source for items without a link. Returns the number
 * of findings added. */
size_t pgd_patrol_items_unreviewed(const struct pgd_feed *f, const char *url, const struct pgd_approved_ref *appr,
	size_t n, time_t since, struct pgd_patrol_report *r);

/* ---- dates without a year (list pages showing "11-30" or "11月30日") ---- */

/* pgd_date_scan, and when as_of is not 0 also dates without a year: MM-DD or MM/DD (two digits
 * each) and M月D日 (or 号), with an optional time. Such a date takes the year of as_of in
 * Beijing time, or the year before when that would put it more than 3 days after as_of. Not
 * dates: one-digit forms and ranges ("1-2"), phone numbers, page numbers ("第10-12页", "3/12页"),
 * a month and day right after 年. as_of 0: exactly pgd_date_scan. */
size_t pgd_date_scan_asof(const char *s, size_t len, time_t as_of,
	void (*fn)(void *arg, time_t t, size_t off), void *arg);
/* pgd_page_parse with the dates of list rows read by pgd_date_scan_asof(as_of); as_of 0 is
 * exactly pgd_page_parse. */
int pgd_page_parse_asof(const char *html, size_t len, const char *base_url, time_t as_of,
	struct pgd_page *out, struct pgd_err *err);

#endif
