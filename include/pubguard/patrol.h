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

struct pgd_patrol_report {
	struct pgd_patrol_finding *items;
	size_t n, cap;
	size_t pages, links, feeds; /* counters for the summary line */
};

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
};
void pgd_patrol_thresholds_default(struct pgd_patrol_thresholds *t);
/* Read the file over the defaults; unknown keys and bad values are errors naming file:line. */
int pgd_patrol_thresholds_load(const char *path, struct pgd_patrol_thresholds *t, struct pgd_err *err);

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
	int per_host;                 /* parallel requests per host (default 6) */
	size_t max_pages;             /* pages crawled per site (default 5000) */
	size_t max_bytes;             /* per response body (default 8 MB); larger -> site.oversize_page */
	int max_redirects;            /* default 10; more or a loop -> site.redirect_loop */
	const struct pgd_patrol_thresholds *th;
	const struct pgd_rules *rules; /* NULL: no content checks */
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

#endif
