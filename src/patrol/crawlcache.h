/* The incremental re-crawl state of one site (crawlcache.c), internal to src/patrol.
 *
 * One file per site in the cache dir, named by the SHA-256 of the entry URL. It holds, per page
 * analysed last time: URL, ETag, Last-Modified, SHA-256 of the body and the page's analysis
 * (title, column meta, dates, list entries, links with text/line/flags, visible-text SimHash
 * and length, the checker's findings, an encoding failure), and the pages that carried a
 * finding. Text lines, tab-separated fields with \\ \t \n \r escaped ("\-" is NULL):
 *   pubguard-crawlcache<TAB>2<TAB><entry url><TAB><mode>
 *   P url etag last_modified sha256 simhash(16 hex) text_len first_date     a page
 *   E message | T title | M column_name column_type pub_date newest n_items
 *   L href text line flags(1 image, 2 nav, 4 hidden) | F category severity line text message
 *   D error status time_ms fetched_at final_url   (how the page came; ends its record)
 *   V url error status time_ms rechecked first_error first_status   a link's final verdict
 *   K url            (after all pages: a page that carried a finding)
 *   Z n_pages        (end: a file without it is incomplete and ignored)
 * Only an index (hash of the URL -> file offset) is kept in memory; a record is read when its
 * page is met. The new state is written to a temporary file as pages are analysed and renamed
 * over the old one at commit (a killed patrol leaves the old file). A missing, corrupt or
 * foreign-version file is ignored: a full crawl, never an error.
 *
 * Resuming (a patrol job killed or cancelled, then run again): opened with a resume key, the new
 * state is "<name>.crawl.<key>", flushed a record at a time and kept when not committed. Opened
 * again with the same key, its complete records (a torn last one is cut off) are the journal of
 * the attempt before: each page and link in it is replayed instead of fetched, and the file is
 * appended to. Leftovers older than a day are removed, like every temporary file here. */
#ifndef PGD_PATROL_CRAWLCACHE_H
#define PGD_PATROL_CRAWLCACHE_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "pubguard/err.h"
#include "pubguard/patrol.h"

/* What the site patrol learns from one page: re-used as is when the page did not change. */
struct pgd_page_analysis {
	struct pgd_page pg;       /* links, title, column meta, dates */
	char sha256[65];          /* of the body as received (after content decoding) */
	uint64_t simhash;         /* of the visible text */
	size_t text_len;          /* bytes of visible text */
	time_t first_date;        /* first date in the visible text, 0 none */
	char *enc_error;          /* the body could not be decoded: Chinese reason; then pg is empty */
	struct pgd_patrol_finding *f; /* the checker's findings (url, target, evidence unused) */
	size_t nf, capf;
};
void pgd_page_analysis_release(struct pgd_page_analysis *a); /* NULL ok */

struct pgd_crawlcache;

/* Open the state of site_url in dir (created if missing). mode names what an analysis depends
 * on besides the page (e.g. whether content checks ran): a state written in another mode is
 * ignored. new: pgd_crawlcache_free(). PGD_ERR_IO only when the directory cannot be created or
 * written. */
int pgd_crawlcache_open(const char *dir, const char *site_url, const char *mode, struct pgd_crawlcache **out,
	struct pgd_err *err);
void pgd_crawlcache_free(struct pgd_crawlcache *cc); /* NULL ok; not committed: the old file stays */

/* Offset of url's record in the old state, -1 when none; *had_finding: the page carried one. */
int64_t pgd_crawlcache_find(struct pgd_crawlcache *cc, const char *url, int *had_finding);
/* Read the record at off: validators (etag/last_modified may be "") and the analysis (new:
 * pgd_page_analysis_release). -1 when the record cannot be read (then nothing is filled). */
int pgd_crawlcache_read(struct pgd_crawlcache *cc, int64_t off, char etag[256], char last_modified[64],
	struct pgd_page_analysis *a);
/* How a page or a link was fetched: the journal's part of a record. */
struct pgd_crawl_fetch {
	int error;              /* enum pgd_fetch_error */
	long status;
	double time_ms;
	time_t fetched_at;
	char *final_url;        /* a page's URL after redirects, NULL: none (borrowed when written) */
	int rechecked;          /* a link confirmed by a re-check: its first failure */
	int first_error;
	long first_status;
};

/* Record a page of this crawl in the new state (etag / last_modified / ff may be NULL). */
void pgd_crawlcache_put(struct pgd_crawlcache *cc, const char *url, const char *etag,
	const char *last_modified, const struct pgd_page_analysis *a, const struct pgd_crawl_fetch *ff);
/* Record a link's final verdict (resume only: nothing is written without a resume key). */
void pgd_crawlcache_verdict(struct pgd_crawlcache *cc, const char *url, const struct pgd_crawl_fetch *ff);

/* pgd_crawlcache_open with a resume key ([A-Za-z0-9_-], at most 64): see the head. key NULL
 * is pgd_crawlcache_open. */
int pgd_crawlcache_open_resume(const char *dir, const char *site_url, const char *mode, const char *key,
	struct pgd_crawlcache **out, struct pgd_err *err);
/* Records in the journal being resumed (0: a fresh start). */
size_t pgd_crawlcache_journal_count(const struct pgd_crawlcache *cc);
/* What the journal holds for url. 0 with *page 1 (a page: ff, etag, last_modified, analysis
 * a filled; a new: pgd_page_analysis_release, ff->final_url new: free) or 0 (a link: ff
 * filled); -1 when url is not in the journal or its record cannot be read. */
int pgd_crawlcache_replay(struct pgd_crawlcache *cc, const char *url, int *page, struct pgd_crawl_fetch *ff,
	char etag[256], char last_modified[64], struct pgd_page_analysis *a);
/* Record that url carried a finding in this crawl. */
void pgd_crawlcache_mark(struct pgd_crawlcache *cc, const char *url);
/* Make the new state the current one (fsync + rename). PGD_ERR_IO on failure. */
int pgd_crawlcache_commit(struct pgd_crawlcache *cc, struct pgd_err *err);

#endif
