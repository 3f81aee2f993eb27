/* The website and feed patrols: crawl a site breadth-first from its entry page over the
 * fetcher, check every link and image once, judge pages and columns (site.* findings), run
 * the checker on page text, report columns, items (article pages), the home page and the
 * evidence of pages with findings; fetch and judge one feed (feed.* findings, its items).
 *
 * Memory stays nearly flat as a site grows: every distinct URL met is one 40-byte entry (the
 * XXH3 hash of the URL as its key, the page it was found on as an index, its link text only
 * until its verdict) and the URL itself is appended to an unlinked temporary file, read back
 * when needed (to fetch it, to name it in a finding); the fetcher's queue holds at most a few
 * times `concurrency` requests, the rest waits as entry indices in a FIFO (4 bytes each); page
 * bodies are never kept beyond their analysis, and no more bodies wait for the analysis
 * threads than they can take (evidence goes to files as pages arrive; the re-crawl state is
 * read and written a record at a time, see crawlcache.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xxhash.h>

#include "pubguard/buf.h"
#include "pubguard/check.h"
#include "pubguard/doc.h"
#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "patrol/crawlcache.h"
#include "patrol/fetch.h"
#include "core/banned.h"

#define DAY 86400
#define NONE UINT32_MAX
#define URL_MAX 65535        /* longer link targets are not checked (a finding says so) */
#define URL_BUF 65536        /* the URL store's write buffer */
#define URL_RING 4           /* URLs read back at once (see url_of) */
#define QUEUE_PER_SLOT 4      /* fetcher queue: at most this many requests per concurrency slot */
#define FIRST_DATE_SCAN 4096  /* bytes of an article's visible text searched for its date */
#define MAX_EVIDENCE 1000     /* evidence entries of a report (the worker protocol's cap) */
#define MAX_ANALYSERS 4       /* page analysis threads */
#define BACKLOG_BYTES ((size_t)32 << 20) /* bodies waiting for them: no request starts beyond */

void pgd_patrol_opts_default(struct pgd_patrol_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ms = 15000;
	o->concurrency = 10;
	o->per_host = 0; /* as many as concurrency: a site patrol talks to one host */
	o->max_pages = 5000;
	o->max_bytes = (size_t)8 << 20;
	o->max_redirects = 10;
}

/* One distinct URL met on the site: a page to crawl or a link to check. 40 bytes. The seen
 * set compares 64-bit XXH3 hashes, not strings: two of a site's URLs share one with odds of
 * about n^2 / 2^65 (1e-9 for 250,000 URLs), the trade every large crawler's seen set makes. */
struct entry {
	uint64_t h;        /* XXH3-64 of the URL */
	uint64_t url;      /* where the URL is in the URL store (offset << 16 | length) */
	uint32_t from;     /* entry of the page it was first found on; NONE for the entry page */
	uint32_t line;
	uint32_t page;     /* index into crawl.pages + 1 for pages, 0 for links */
	uint32_t text;     /* its link text where first found (a texts slot + 1), 0 none; freed after
	                      the verdict */
	uint32_t nav_text; /* text of a navigation link to it (column name), a texts slot + 1 */
	unsigned internal : 1, column : 1, rechecked : 1, home : 1, image : 1, processed : 1;
	unsigned suspect_error : 8;   /* first failure when it was suspect */
	unsigned suspect_status : 10; /* its HTTP status (< 1000) */
};

/* What is kept of a page crawled (only pages, not links). */
struct page_rec {
	unsigned char sha[32];
	time_t fetched_at;
	int64_t cache_off;   /* record in the old re-crawl state, -1 none */
	uint32_t pending;    /* entries first found on it whose verdict is not out yet */
	short status;
	unsigned has_sha : 1, file : 1, ours : 1, nocond : 1, had_finding : 1;
	unsigned applied : 1, finding : 1; /* its analysis applied; a finding may be on it */
};

/* The URLs of the crawl, appended to an unlinked temporary file through a write buffer; when
 * no file can be made (or written) they stay in the buffer, which then grows. */
struct urlstore {
	int fd;             /* -1: memory only */
	uint64_t flushed;   /* bytes in the file; buf holds the ones after */
	char *buf;
	size_t len, cap;
	char *ring[URL_RING];
	unsigned next;
};

struct pool;

struct fifo {
	uint32_t *v;
	size_t head, n, cap;
};

struct crawl {
	const struct pgd_patrol_opts *o;
	const struct pgd_patrol_thresholds *th;
	struct pgd_patrol_thresholds th_default;
	struct pgd_patrol_report *r;
	size_t r_first;        /* first finding of this site in r */
	struct pgd_fetcher *f;
	char *site;            /* the entry page's final URL: defines "internal" */
	struct entry *v;
	size_t n, cap;
	uint32_t *slots;       /* open-addressing hash on entry.h: index + 1, 0 empty */
	size_t nslots;
	struct urlstore us;
	char **texts;          /* link texts awaiting their verdict (slots; free ones listed in tfree) */
	uint32_t ntexts, captexts, *tfree, ntfree, captfree;
	struct page_rec *pages;
	size_t npages, cap_pages;
	struct fifo links;     /* entries waiting for the fetcher: links (served first), */
	struct fifo pagesq;    /* ... and pages */
	size_t pushes;         /* todo_push calls, and the entry of the last one */
	size_t last_pushed;
	uint64_t *shared;      /* evidence files two pages share (first 8 bytes of the SHA-256, 0 empty) */
	size_t spool;          /* bytes of the bodies this crawl keeps in evidence_dir now */
	size_t nshared, capshared;
	size_t queue_max;
	size_t done;
	uint32_t *suspects;
	size_t nsus, capsus;
	struct pgd_scanner *sc;
	struct pgd_crawlcache *cache;
	time_t as_of;
	int ev_done;
	struct pool *pool;     /* page analysis threads; NULL: analyse on the fetcher's thread */
	int cancelled;         /* o->cancel was seen: nothing more is started */
	int journal;           /* the re-crawl state holds the journal of an attempt to resume */
};

/* ---- the URL store ---- */

static void us_open(struct urlstore *u)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	memset(u, 0, sizeof(*u));
	u->fd = -1;
	snprintf(path, sizeof(path), "%s/pubguard-urls-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd >= 0) {
		unlink(path); /* gone with the process, whatever happens to it */
		u->fd = fd;
	}
	u->cap = URL_BUF;
	u->buf = pgd_malloc(u->cap);
}

static void us_close(struct urlstore *u)
{
	if (!u->buf)
		return; /* never opened */
	if (u->fd >= 0)
		close(u->fd);
	free(u->buf);
	for (int i = 0; i < URL_RING; i++)
		free(u->ring[i]);
	memset(u, 0, sizeof(*u));
	u->fd = -1;
}

static int us_flush(struct urlstore *u)
{
	size_t done = 0;
	while (done < u->len) {
		ssize_t w = pwrite(u->fd, u->buf + done, u->len - done, (off_t)(u->flushed + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	u->flushed += u->len;
	u->len = 0;
	return 0;
}

/* Append n bytes; their handle (offset << 16 | n). */
static uint64_t us_put(struct urlstore *u, const char *s, size_t n)
{
	uint64_t off = u->flushed + u->len;
	if (u->len + n > u->cap && u->fd >= 0 && us_flush(u) < 0) {
		close(u->fd); /* a full disk: the rest stays in memory */
		u->fd = -1;
	}
	if (u->len + n > u->cap) {
		while (u->len + n > u->cap)
			u->cap *= 2;
		u->buf = pgd_realloc(u->buf, u->cap);
	}
	memcpy(u->buf + u->len, s, n);
	u->len += n;
	return off << 16 | n;
}

/* The URL of entry idx, NUL-terminated, in one of URL_RING buffers: valid until URL_RING more
 * calls (callers hold at most two at once and copy what they keep). "" when it cannot be read
 * back (an I/O error on the temporary file). */
static const char *url_of(struct crawl *c, size_t idx)
{
	struct urlstore *u = &c->us;
	uint64_t h = c->v[idx].url, off = h >> 16;
	size_t n = (size_t)(h & 0xffff);
	char **slot = &u->ring[u->next++ % URL_RING];

	if (!*slot)
		*slot = pgd_malloc(URL_MAX + 1);
	if (off >= u->flushed) {
		memcpy(*slot, u->buf + (off - u->flushed), n);
	} else {
		size_t got = 0;
		while (got < n) {
			ssize_t r = pread(u->fd, *slot + got, n - got, (off_t)(off + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (got < n)
			n = 0;
	}
	(*slot)[n] = '\0';
	return *slot;
}

/* ---- link texts awaiting a verdict ---- */

static uint32_t text_put(struct crawl *c, const char *s)
{
	uint32_t i;
	if (!s)
		return 0;
	if (c->ntfree) {
		i = c->tfree[--c->ntfree];
	} else {
		PGD_GROW(c->texts, (size_t)c->ntexts + 1, c->captexts);
		i = c->ntexts++;
	}
	c->texts[i] = pgd_strdup(s);
	return i + 1;
}

static const char *text_get(const struct crawl *c, uint32_t t)
{
	return t ? c->texts[t - 1] : NULL;
}

static void text_drop(struct crawl *c, uint32_t *t)
{
	if (!*t)
		return;
	free(c->texts[*t - 1]);
	c->texts[*t - 1] = NULL;
	PGD_GROW(c->tfree, (size_t)c->ntfree + 1, c->captfree);
	c->tfree[c->ntfree++] = *t - 1;
	*t = 0;
}

/* ---- the seen-URL set ---- */

static uint64_t url_hash(const char *s)
{
	return XXH3_64bits(s, strlen(s));
}

static void rehash(struct crawl *c)
{
	size_t n = c->nslots ? c->nslots * 2 : 1024;
	free(c->slots);
	c->slots = pgd_calloc(n, sizeof(*c->slots));
	c->nslots = n;
	for (size_t i = 0; i < c->n; i++) {
		size_t k = (size_t)(c->v[i].h & (n - 1));
		while (c->slots[k])
			k = (k + 1) & (n - 1);
		c->slots[k] = (uint32_t)(i + 1);
	}
}

/* Index of url, or (size_t)-1 when absent. */
static size_t lookup(const struct crawl *c, const char *url)
{
	uint64_t h;
	size_t k;
	if (!c->nslots || !url)
		return (size_t)-1;
	h = url_hash(url);
	k = (size_t)(h & (c->nslots - 1));
	while (c->slots[k]) {
		if (c->v[c->slots[k] - 1].h == h)
			return c->slots[k] - 1;
		k = (k + 1) & (c->nslots - 1);
	}
	return (size_t)-1;
}

/* A new entry for url (not in the set; at most URL_MAX bytes, UINT32_MAX - 1 entries). */
static size_t insert(struct crawl *c, const char *url)
{
	size_t k, n = strlen(url);
	PGD_GROW(c->v, c->n + 1, c->cap);
	memset(&c->v[c->n], 0, sizeof(c->v[c->n]));
	c->v[c->n].h = url_hash(url);
	c->v[c->n].url = us_put(&c->us, url, n);
	c->v[c->n].from = NONE;
	c->n++;
	if ((c->n + 1) * 2 > c->nslots) {
		rehash(c);
	} else {
		k = (size_t)(c->v[c->n - 1].h & (c->nslots - 1));
		while (c->slots[k])
			k = (k + 1) & (c->nslots - 1);
		c->slots[k] = (uint32_t)c->n;
	}
	return c->n - 1;
}

static struct page_rec *page_of(struct crawl *c, size_t idx)
{
	return c->v[idx].page ? &c->pages[c->v[idx].page - 1] : NULL;
}

static void make_page(struct crawl *c, size_t idx)
{
	struct page_rec *p;
	PGD_GROW(c->pages, c->npages + 1, c->cap_pages);
	p = &c->pages[c->npages++];
	memset(p, 0, sizeof(*p));
	p->cache_off = -1;
	c->v[idx].page = (uint32_t)c->npages;
}

/* ---- the waiting FIFOs and the fetcher's bounded queue ----
 * Links wait in one FIFO and pages in another, and links go first: the links found on a page
 * are checked soon after it, so the page's body, kept on disk as evidence until no finding can
 * come to it any more, is released early (see page_release) instead of the whole site waiting
 * there until the end. */

static void fifo_push(struct fifo *q, uint32_t idx)
{
	/* slide to the front when at least half is free there, else grow: amortised O(1) */
	if (q->head > 0 && q->head + q->n == q->cap && q->head >= q->n) {
		memmove(q->v, q->v + q->head, q->n * sizeof(*q->v));
		q->head = 0;
	}
	PGD_GROW(q->v, q->head + q->n + 1, q->cap);
	q->v[q->head + q->n++] = idx;
}

static uint32_t fifo_pop(struct fifo *q)
{
	uint32_t idx = q->v[q->head++];
	if (--q->n == 0)
		q->head = 0;
	return idx;
}

static size_t todo_count(const struct crawl *c)
{
	return c->links.n + c->pagesq.n;
}

static void todo_push(struct crawl *c, size_t idx)
{
	fifo_push(c->v[idx].page ? &c->pagesq : &c->links, (uint32_t)idx);
	c->pushes++;
	c->last_pushed = idx;
}

static void dispatch(struct crawl *c, size_t idx)
{
	struct page_rec *p = page_of(c, idx);
	const char *url = url_of(c, idx);
	char h1[300], h2[100];
	const char *hv[3] = {NULL, NULL, NULL};
	size_t nh = 0;

	if (!p) {
		pgd_fetcher_add(c->f, url, PGD_FETCH_CHECK, (void *)(uintptr_t)idx);
		return;
	}
	if (c->cache && !p->nocond) {
		int had = 0;
		p->cache_off = pgd_crawlcache_find(c->cache, url, &had);
		p->had_finding = had ? 1 : 0;
		/* a page that carried a finding is fetched whole: its bytes are the evidence */
		if (p->cache_off >= 0 && !(had && c->o->evidence_dir)) {
			char etag[256], lm[64];
			struct pgd_page_analysis a;
			if (pgd_crawlcache_read(c->cache, p->cache_off, etag, lm, &a) == 0) {
				if (etag[0]) {
					snprintf(h1, sizeof(h1), "If-None-Match: %s", etag);
					hv[nh++] = h1;
				}
				if (lm[0]) {
					snprintf(h2, sizeof(h2), "If-Modified-Since: %s", lm);
					hv[nh++] = h2;
				}
				pgd_page_analysis_release(&a);
			}
		}
	}
	pgd_fetcher_add_hdr(c->f, url, PGD_FETCH_GET, nh ? hv : NULL, (void *)(uintptr_t)idx);
}

static int replay(struct crawl *c, size_t idx);

/* Hand waiting entries to the fetcher while its queue is below the bound (those in the journal
 * of an attempt before are replayed at once). */
static void pump(struct crawl *c)
{
	if (!c->cancelled && c->o->cancel && *c->o->cancel) {
		c->cancelled = 1;
		pgd_fetcher_drop_waiting(c->f);
	}
	if (c->cancelled)
		return;
	while (todo_count(c) > 0 && pgd_fetcher_pending(c->f) < c->queue_max) {
		size_t idx = fifo_pop(c->links.n ? &c->links : &c->pagesq);
		if (c->journal && replay(c, idx) == 0)
			continue;
		dispatch(c, idx);
	}
}

/* ---- small helpers ---- */

/* Day number of an instant in Beijing time. */
static long dayno(time_t t)
{
	long long x = (long long)t + 8 * 3600;
	return (long)(x >= 0 ? x / DAY : (x - DAY + 1) / DAY);
}

static void day_str(time_t t, char *out, size_t n)
{
	struct tm tm;
	time_t bj = t + 8 * 3600; /* dates are shown in Beijing time */
	gmtime_r(&bj, &tm);
	strftime(out, n, "%Y-%m-%d", &tm);
}

static void hex32(const unsigned char *d, char out[65])
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[64] = '\0';
}

static int unhex32(const char *s, unsigned char out[32])
{
	for (int i = 0; i < 32; i++) {
		int v = 0;
		for (int k = 0; k < 2; k++) {
			char ch = s[2 * i + k];
			int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
			if (d < 0)
				return -1;
			v = v * 16 + d;
		}
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* Files that are not HTML pages: checked, not crawled. */
static int looks_like_file(const char *url)
{
	static const char *const ext[] = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx",
		".zip", ".rar", ".7z", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".mp4", ".mp3", ".wps",
		".ofd", ".txt", ".css", ".js", ".ico", ".svg", ".webp", ".avi", ".flv", ".tif"};
	const char *end = url + strcspn(url, "?#");
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t l = strlen(ext[i]);
		if ((size_t)(end - url) > l && strncasecmp(end - l, ext[i], l) == 0)
			return 1;
	}
	return 0;
}

/* Case-insensitive search for an ASCII needle. */
static const char *ci_find(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

static int is_notice_column(const char *s)
{
	return s && (strstr(s, "通知") || strstr(s, "公告") || strstr(s, "政策") || strstr(s, "文件"));
}

static int is_news_column(const char *s)
{
	return s && (strstr(s, "动态") || strstr(s, "要闻") || strstr(s, "新闻") || strstr(s, "资讯") ||
		     strstr(s, "工作") || strstr(s, "信息") || strstr(s, "快讯") || strstr(s, "播报"));
}

/* charset=... from a Content-Type header, else from the first 2 KB of the page. */
static void charset_hint(const char *ct, const char *body, size_t len, char *out, size_t n)
{
	const char *p = NULL;
	size_t scan = len < 2048 ? len : 2048, i = 0;

	out[0] = '\0';
	if (ct)
		p = ci_find(ct, "charset=");
	if (!p && body) {
		for (size_t k = 0; k + 8 <= scan; k++)
			if (strncasecmp(body + k, "charset=", 8) == 0) {
				p = body + k;
				break;
			}
		if (p && p + 8 >= body + scan)
			p = NULL;
	}
	if (!p)
		return;
	p += 8;
	while (*p == '"' || *p == '\'' || *p == ' ')
		p++;
	while (i + 1 < n && ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
		out[i++] = *p++;
	out[i] = '\0';
}

static int is_html(const char *ct, const char *body, size_t len)
{
	if (ct)
		return ci_find(ct, "html") != NULL;
	for (size_t i = 0; i < len && i < 512; i++)
		if (body[i] == '<')
			return 1;
	return 0;
}

static enum pgd_patrol_severity sev_of(enum pgd_severity s)
{
	return s == PGD_SEV_BLOCK ? PGD_PATROL_BLOCK : s == PGD_SEV_REVIEW ? PGD_PATROL_REVIEW : PGD_PATROL_INFO;
}

/* ---- one page: analysis (fresh or from the re-crawl state) ---- */

struct first_date {
	time_t t;
};

static void on_date(void *arg, time_t t, size_t off)
{
	struct first_date *fd = arg;
	(void)off;
	if (!fd->t)
		fd->t = t;
}

/* Visible text of a parsed document: body, headings, table cells, captions (no meta values,
 * no image descriptions), one segment a line. new: free(). */
static char *visible_text(const struct pgd_doc *doc, size_t *len)
{
	struct pgd_buf b;
	char *s;

	pgd_buf_init(&b, doc->len + 1);
	for (size_t i = 0; i < doc->nsegs; i++) {
		const struct pgd_doc_seg *g = &doc->segs[i];
		if (g->kind == PGD_SEG_META || g->kind == PGD_SEG_IMAGE)
			continue;
		if (g->off + g->len > doc->len)
			continue;
		if (b.len)
			pgd_buf_addch(&b, '\n');
		pgd_buf_add(&b, doc->text + g->off, g->len);
	}
	s = pgd_buf_take(&b, len);
	if (!s) {
		s = pgd_strdup("");
		*len = 0;
	}
	return s;
}

/* The checker over the page's document; its findings go to a. */
static void content_check(struct pgd_scanner *sc, time_t as_of, const struct pgd_doc *doc,
	struct pgd_page_analysis *a)
{
	struct pgd_findings fs;
	struct pgd_check_opts co = {0};
	struct pgd_err err = {0};
	struct tm tm;
	time_t bj = as_of + 8 * 3600;

	pgd_findings_init(&fs);
	gmtime_r(&bj, &tm);
	co.as_of_year = tm.tm_year + 1900;
	co.as_of_month = tm.tm_mon + 1;
	co.as_of_day = tm.tm_mday;
	if (pgd_check_doc(sc, doc, &co, &fs, &err) < 0)
		goto out;
	for (size_t i = 0; i < fs.n; i++) {
		const struct pgd_finding *x = &fs.v[i];
		struct pgd_patrol_finding *f;
		PGD_GROW(a->f, a->nf + 1, a->capf);
		f = &a->f[a->nf++];
		memset(f, 0, sizeof(*f));
		f->category = pgd_strdup(x->category);
		f->severity = sev_of(x->severity);
		f->line = x->line;
		f->text = pgd_strdup(x->text);
		f->message = pgd_strdup(x->message ? x->message : "");
	}
out:
	pgd_findings_release(&fs);
}

/* Analyse a fetched body: touches nothing of the crawl, so it runs on the analysis threads
 * (sc is the thread's own scanner, NULL: no content checks). 0 with a filled, -1 when it is
 * not an HTML page (nothing to learn). */
static int analyse(struct pgd_scanner *sc, time_t as_of, const char *url, const char *base, int home,
	const char *content_type, const char *body, size_t len, const char *sha, struct pgd_page_analysis *a)
{
	char hint[32], cs[32];
	char *text = NULL, *vis = NULL;
	size_t tlen = 0, vlen = 0;
	struct pgd_err err = {0};
	struct pgd_doc doc;
	struct first_date fd = {0};
	int rc = -1;

	memset(a, 0, sizeof(*a));
	pgd_doc_init(&doc);
	snprintf(a->sha256, sizeof(a->sha256), "%s", sha);
	if (!is_html(content_type, body, len))
		goto out;
	charset_hint(content_type, body, len, hint, sizeof(hint));
	if (pgd_text_decode(url, body, len, hint[0] ? hint : NULL, 1, &text, &tlen, cs, &err) < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "页面编码无效（声明的编码：%s）：%s", hint[0] ? hint : "无", err.message);
		a->enc_error = pgd_strdup(msg);
		rc = 0;
		goto out;
	}
	/* list dates without a year ("11-30") take the year of as_of */
	if (pgd_page_parse_asof(text, tlen, base, as_of, &a->pg, &err) < 0)
		goto out;
	rc = 0;
	if (pgd_doc_parse(url, text, tlen, PGD_DOC_HTML, &doc, &err) < 0)
		goto out;
	vis = visible_text(&doc, &vlen);
	a->text_len = vlen;
	/* the SimHash and a date in the text serve items and the home page, not list pages */
	if (home || a->pg.pub_date || a->pg.n_list_items < 2)
		a->simhash = pgd_simhash(vis, vlen);
	if (!home && !a->pg.pub_date && a->pg.n_list_items < 2) {
		/* an article shows its date near the top */
		pgd_date_scan_asof(vis, vlen < FIRST_DATE_SCAN ? vlen : FIRST_DATE_SCAN, as_of, on_date, &fd);
		a->first_date = fd.t;
	}
	if (sc)
		content_check(sc, as_of, &doc, a);
out:
	if (rc < 0)
		pgd_page_analysis_release(a);
	pgd_doc_release(&doc);
	free(vis);
	free(text);
	return rc;
}

/* ---- evidence: page bodies as files named by their sha256, kept only when a finding needs them ---- */

static char *ev_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = pgd_malloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write data to dir/name atomically (temp + rename). excl: keep an existing file (returns 1). */
static int write_file(const char *dir, const char *name, const char *data, size_t len, int excl)
{
	char *path = ev_path(dir, name), *tmp = NULL;
	struct stat st;
	int fd = -1, rc = -1;
	size_t tl;

	if (excl && stat(path, &st) == 0) {
		rc = 1;
		goto out;
	}
	tl = strlen(path) + 16;
	tmp = pgd_malloc(tl);
	snprintf(tmp, tl, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		goto out;
	if (write_all(fd, data, len) < 0 || close(fd) != 0) {
		fd = -1;
		unlink(tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	free(path);
	return rc;
}

/* ---- evidence files two pages share: an open-addressing set of SHA-256 prefixes ---- */

static uint64_t sha_key(const unsigned char *sha)
{
	uint64_t k;
	memcpy(&k, sha, sizeof(k));
	return k ? k : 1;
}

static int shared_has(const struct crawl *c, const unsigned char *sha)
{
	uint64_t k = sha_key(sha);
	size_t i;
	if (!c->capshared)
		return 0;
	for (i = (size_t)(k & (c->capshared - 1)); c->shared[i]; i = (i + 1) & (c->capshared - 1))
		if (c->shared[i] == k)
			return 1;
	return 0;
}

static void shared_add(struct crawl *c, const unsigned char *sha)
{
	uint64_t k = sha_key(sha);
	if (shared_has(c, sha))
		return;
	if ((c->nshared + 1) * 2 > c->capshared) {
		size_t cap = c->capshared ? c->capshared * 2 : 64;
		uint64_t *old = c->shared, *v = pgd_calloc(cap, sizeof(*v));
		for (size_t j = 0; j < c->capshared; j++) {
			size_t i;
			if (!old[j])
				continue;
			for (i = (size_t)(old[j] & (cap - 1)); v[i]; i = (i + 1) & (cap - 1))
				;
			v[i] = old[j];
		}
		free(old);
		c->shared = v;
		c->capshared = cap;
	}
	{
		size_t i;
		for (i = (size_t)(k & (c->capshared - 1)); c->shared[i]; i = (i + 1) & (c->capshared - 1))
			;
		c->shared[i] = k;
		c->nshared++;
	}
}

/* Keep a page's body and its response metadata (".meta-<sha>": status, content type, headers)
 * until no finding can come to the page any more (page_release), or until the end of the crawl
 * decides whether a finding refers to it. */
static void evidence_write(struct crawl *c, struct page_rec *p, const struct pgd_fetch_result *res)
{
	char hex[65], name[80];
	struct pgd_buf m;
	int w;

	if (!c->o->evidence_dir || !p->has_sha)
		return;
	hex32(p->sha, hex);
	w = write_file(c->o->evidence_dir, hex, res->body, res->len, 1);
	if (w < 0)
		return; /* the directory is full or gone: the finding goes without evidence */
	p->file = 1;
	p->ours = w == 0;
	if (w == 1) /* another page's (or an earlier patrol's) file: never released early */
		shared_add(c, p->sha);
	if (w == 0) {
		c->spool += res->len;
		if (c->spool > c->r->spool_peak)
			c->r->spool_peak = c->spool;
	}
	pgd_buf_init(&m, (size_t)PGD_FETCH_HEADERS_MAX + 4096);
	pgd_buf_addf(&m, "%ld\n%zu\n", (long)res->status, res->len);
	pgd_buf_addstr(&m, res->content_type ? res->content_type : "");
	pgd_buf_addch(&m, '\n');
	pgd_buf_addstr(&m, res->headers ? res->headers : "");
	snprintf(name, sizeof(name), ".meta-%s", hex);
	if (write_file(c->o->evidence_dir, name, m.data ? m.data : "", m.len, 0) < 0)
		p->file = 0;
	pgd_buf_release(&m);
}

/* A page's body, kept as evidence, goes once its analysis is applied without a finding and every
 * entry first found on it has its verdict (a broken link's finding is on the page it sits on): no
 * finding can come to it any more. Links are checked before pages are fetched, so that happens
 * soon after the page, and the evidence directory holds the pages in progress, not the site. A
 * file another page shares is left for the end of the crawl. */
static void page_release(struct crawl *c, size_t idx)
{
	struct page_rec *p = page_of(c, idx);
	char hex[65], name[80], *path;
	struct stat st;

	if (!p || !p->applied || p->pending || p->finding || !p->file || !p->ours || !c->o->evidence_dir ||
	    shared_has(c, p->sha))
		return;
	hex32(p->sha, hex);
	path = ev_path(c->o->evidence_dir, hex);
	if (stat(path, &st) == 0)
		c->spool -= (size_t)st.st_size <= c->spool ? (size_t)st.st_size : c->spool;
	unlink(path);
	free(path);
	snprintf(name, sizeof(name), ".meta-%s", hex);
	path = ev_path(c->o->evidence_dir, name);
	unlink(path);
	free(path);
	p->file = 0;
}

/* Entry idx has its verdict (found: it added a finding, which is on the page it was found on). */
static void verdict_out(struct crawl *c, size_t idx, int found)
{
	uint32_t from = c->v[idx].from;
	struct page_rec *p = from != NONE ? page_of(c, from) : NULL;
	if (!p)
		return;
	p->finding |= found;
	if (p->pending)
		p->pending--;
	page_release(c, from);
}

/* ---- judging a page from its analysis ---- */

static void add_link(struct crawl *c, size_t page_idx, const struct pgd_page_link *l)
{
	size_t i = lookup(c, l->href);
	struct entry *e;

	if (i != (size_t)-1) {
		e = &c->v[i];
		if (l->nav && e->page && !e->home && !e->processed && !e->nav_text) {
			e->column = 1;
			e->nav_text = text_put(c, l->text);
		}
		return;
	}
	if (strlen(l->href) > URL_MAX) { /* no server takes such a URL; say so rather than skip it */
		pgd_patrol_add(c->r, url_of(c, page_idx), l->href, "site.broken_link_internal", PGD_PATROL_REVIEW,
			       l->line, l->text, "链接地址超过 %u 字节，无法访问", URL_MAX);
		return;
	}
	if (c->n >= NONE - 1)
		return; /* four billion distinct URLs: memory gives out long before */
	i = insert(c, l->href);
	e = &c->v[i];
	e->from = (uint32_t)page_idx;
	e->text = text_put(c, l->text);
	e->line = l->line;
	e->image = l->image ? 1 : 0;
	e->internal = pgd_url_same_host(l->href, c->site) ? 1 : 0;
	c->r->links++;
	if (e->internal && !l->image && !looks_like_file(l->href) && c->npages < c->o->max_pages) {
		make_page(c, i);
		if (l->nav) {
			e->column = 1;
			e->nav_text = text_put(c, l->text);
		}
	}
	if (page_of(c, page_idx)) /* after make_page: it may move the pages */
		page_of(c, page_idx)->pending++;
	todo_push(c, i);
}

static void add_column(struct crawl *c, const char *url, const char *name, const char *kind, time_t newest,
	size_t items, int stale, int empty)
{
	struct pgd_patrol_column *k;
	PGD_GROW(c->r->columns, c->r->n_columns + 1, c->r->cap_columns);
	k = &c->r->columns[c->r->n_columns++];
	k->url = pgd_strdup(url);
	k->name = pgd_strdup(name);
	k->kind = kind;
	k->newest = newest;
	k->items = items;
	k->stale = stale;
	k->empty = empty;
}

static void judge_column(struct crawl *c, size_t idx, const char *url, const struct pgd_page *pg)
{
	const struct pgd_patrol_thresholds *th = c->th;
	const char *nav = text_get(c, c->v[idx].nav_text);
	const char *name = pg->column_name ? pg->column_name : nav ? nav : pg->title;
	int notice = is_notice_column(pg->column_type) || is_notice_column(name) || is_notice_column(nav);
	int news = !notice && (is_news_column(pg->column_type) || is_news_column(name) || is_news_column(nav));
	/* other columns (overviews, personnel, planning ...): the lenient notice/policy period */
	int days = news ? th->news_column_days : th->notice_column_days;
	int stale = 0, empty = 0;
	char d[16];

	if (pg->n_list_items == 0) {
		empty = 1;
		pgd_patrol_add(c->r, url, NULL, "site.empty_column", PGD_PATROL_REVIEW, 0, name,
			       "栏目“%s”没有任何带日期的信息条目，属于空白栏目", name ? name : url);
	} else if (pg->newest_date > 0 && dayno(c->as_of) - dayno(pg->newest_date) > days) {
		stale = 1;
		day_str(pg->newest_date, d, sizeof(d));
		pgd_patrol_add(c->r, url, NULL, "site.stale_column", PGD_PATROL_REVIEW, 0, name,
			       "%s栏目“%s”已 %ld 天未更新（最近一次 %s），超过 %d 天",
			       notice ? "通知公告/政策文件类" : news ? "动态/要闻类" : "其他", name ? name : url,
			       dayno(c->as_of) - dayno(pg->newest_date), d, days);
	}
	add_column(c, url, name, notice ? "notice" : news ? "news" : "other", pg->newest_date,
		   pg->n_list_items, stale, empty);
}

/* The first link hidden on the page that leaves the site, NULL when none (borrowed). */
static const char *hidden_offsite(const struct crawl *c, const struct pgd_page *pg)
{
	for (size_t i = 0; i < pg->n_links; i++)
		if (pg->links[i].hidden && !pgd_url_same_host(pg->links[i].href, c->site))
			return pg->links[i].href;
	return NULL;
}

/* Defacement of the home page against the accepted baseline (site.defaced, block). */
static void judge_defaced(struct crawl *c, const char *url, const struct pgd_page_analysis *a)
{
	const struct pgd_patrol_home *b = c->o->home_baseline;
	const char *t0 = b->title ? b->title : "", *t1 = a->pg.title ? a->pg.title : "";
	int dist = pgd_simhash_distance(a->simhash, b->simhash), block = 0;
	const char *hidden;

	if (b->sha256[0] && strcmp(b->sha256, a->sha256) == 0)
		return; /* the very page accepted */
	if (strcmp(t0, t1) != 0 && dist >= c->th->deface_simhash_bits) {
		pgd_patrol_add(c->r, url, NULL, "site.defaced", PGD_PATROL_BLOCK, 0, a->pg.title,
			       "首页标题由“%s”变为“%s”，正文与基准差异 %d 位（阈值 %d 位），疑似被篡改", t0, t1, dist,
			       c->th->deface_simhash_bits);
		return;
	}
	if (b->text_len > 0 && a->text_len * 4 < b->text_len) {
		pgd_patrol_add(c->r, url, NULL, "site.defaced", PGD_PATROL_BLOCK, 0, a->pg.title,
			       "首页正文由基准的 %zu 字节减少到 %zu 字节（不足四分之一），疑似被篡改或清空", b->text_len,
			       a->text_len);
		return;
	}
	for (size_t i = 0; i < a->nf && !block; i++)
		block = a->f[i].severity == PGD_PATROL_BLOCK;
	if (block && (hidden = hidden_offsite(c, &a->pg)) != NULL)
		pgd_patrol_add(c->r, url, NULL, "site.defaced", PGD_PATROL_BLOCK, 0, a->pg.title,
			       "首页被植入指向站外的隐藏链接（%s）并含有严重违规内容，疑似被挂暗链篡改", hidden);
}

/* Everything a page's analysis tells: findings, column, item, home page, its links. */
static void apply(struct crawl *c, size_t idx, const struct pgd_page_analysis *a)
{
	struct entry *e = &c->v[idx];
	const struct pgd_page *pg = &a->pg;
	char d[16], *url = pgd_strdup(url_of(c, idx)); /* kept across add_link's reads */

	e->processed = 1;
	if (a->enc_error) {
		pgd_patrol_add(c->r, url, NULL, "site.encoding_invalid", PGD_PATROL_REVIEW, 0, NULL, "%s",
			       a->enc_error);
		free(url);
		return;
	}
	for (size_t i = 0; i < a->nf; i++) {
		const struct pgd_patrol_finding *x = &a->f[i];
		pgd_patrol_add(c->r, url, NULL, x->category, x->severity, x->line, x->text, "%s",
			       x->message ? x->message : "");
	}
	if (e->home) {
		time_t newest = pg->pub_date > pg->newest_date ? pg->pub_date : pg->newest_date;
		if (newest > 0 && dayno(c->as_of) - dayno(newest) > c->th->zombie_days) {
			day_str(newest, d, sizeof(d));
			pgd_patrol_add(c->r, url, NULL, "site.homepage_stale", PGD_PATROL_REVIEW, 0, NULL,
				       "首页已 %ld 天未更新（最近一次 %s），超过 %d 天", dayno(c->as_of) - dayno(newest), d,
				       c->th->zombie_days);
		}
		snprintf(c->r->home.sha256, sizeof(c->r->home.sha256), "%s", a->sha256);
		c->r->home.simhash = a->simhash;
		free(c->r->home.title);
		c->r->home.title = pgd_strdup(pg->title);
		c->r->home.text_len = a->text_len;
		if (c->o->home_baseline)
			judge_defaced(c, url, a);
	} else if (e->column || ((pg->column_name || pg->column_type) && !pg->pub_date && pg->n_list_items > 0)) {
		e->column = 1;
		judge_column(c, idx, url, pg);
	} else if (pg->pub_date || (pg->title && a->first_date && pg->n_list_items < 2)) {
		pgd_patrol_found_add(c->r, url, pg->title, pg->pub_date ? pg->pub_date : a->first_date, a->sha256, a->simhash);
	}
	for (size_t i = 0; i < pg->n_links; i++) {
		const struct pgd_page_link *l = &pg->links[i];
		int dup = 0;
		if (l->hidden) {
			for (size_t j = 0; j < i && !dup; j++)
				dup = pg->links[j].hidden && strcmp(pg->links[j].href, l->href) == 0;
			if (!dup)
				pgd_patrol_add(c->r, url, l->href, "site.hidden_link", PGD_PATROL_BLOCK,
					       l->line, l->text, "页面中有被样式隐藏的链接（暗链），指向 %s", l->href);
		}
		add_link(c, idx, l);
	}
	text_drop(c, &c->v[idx].nav_text); /* c->v[idx], not e: add_link may move the array */
	free(url);
}

/* A page's fetch is counted and its analysis (NULL: none) applied to the crawl; recorded in the
 * re-crawl state with how it came (final_url: after redirects) unless it is replayed from it. */
static void page_done(struct crawl *c, size_t idx, double time_ms, const char *etag, const char *lm,
	const struct pgd_page_analysis *a, const char *final_url, int replayed)
{
	size_t n0 = c->r->n;

	c->r->pages++;
	if (time_ms > (double)c->th->slow_page_ms)
		pgd_patrol_add(c->r, url_of(c, idx), NULL, "site.slow_page", PGD_PATROL_REVIEW, 0, NULL,
			       "页面响应用时 %.1f 秒，超过 %.1f 秒", time_ms / 1000.0, c->th->slow_page_ms / 1000.0);
	if (a && c->cache && !replayed) {
		const struct page_rec *p = page_of(c, idx);
		struct pgd_crawl_fetch ff = {0};
		ff.status = p && p->status ? p->status : 200;
		ff.time_ms = time_ms;
		ff.fetched_at = p ? p->fetched_at : 0;
		ff.final_url = (char *)final_url;
		pgd_crawlcache_put(c->cache, url_of(c, idx), etag, lm, a, &ff);
	}
	if (a)
		apply(c, idx, a);
	if (page_of(c, idx)) {
		struct page_rec *p = page_of(c, idx);
		p->applied = 1;
		p->finding |= c->r->n > n0;
		page_release(c, idx);
	}
}

/* ---- page analysis threads ----
 * Parsing, the checker and the fingerprints take most of a patrol's CPU (about 2 ms a page).
 * Done on the fetcher's thread they stall it: no answer is taken and no request started while
 * a page is analysed, and the patrol's wall time becomes latency plus CPU. So bodies go to a
 * few threads (each with its own scanner) and come back to the fetcher's thread, which alone
 * touches the crawl, through its idle hook. */

struct task {
	struct task *next;
	size_t idx;
	char *url, *base, *content_type, *etag, *lm, *body;
	size_t len;
	double time_ms;
	int home, have;
	char sha[65];
	struct pgd_page_analysis a;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct task *todo, *todo_tail, *done, *done_tail;
	int stop;
	size_t outstanding;   /* submitted, not yet applied (fetcher's thread only) */
	size_t max_outstanding; /* the fetcher starts no request at or above this many bodies */
	size_t bytes;           /* bytes of the bodies submitted and not yet analysed */
	struct pgd_fetcher *f;
	time_t as_of;
	int n;
	pthread_t th[MAX_ANALYSERS];
	struct pgd_scanner *sc[MAX_ANALYSERS];
	struct analyser {
		struct pool *pool;
		int i;
	} arg[MAX_ANALYSERS];
};

static void task_free(struct task *t)
{
	free(t->url);
	free(t->base);
	free(t->content_type);
	free(t->etag);
	free(t->lm);
	free(t->body);
	pgd_page_analysis_release(&t->a);
	free(t);
}

static void *analyser_main(void *arg)
{
	struct analyser *an = arg;
	struct pool *p = an->pool;

	for (;;) {
		struct task *t;
		pthread_mutex_lock(&p->mu);
		while (!p->todo && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		t = p->todo;
		if (t) {
			p->todo = t->next;
			if (!p->todo)
				p->todo_tail = NULL;
		}
		pthread_mutex_unlock(&p->mu);
		if (!t)
			return NULL; /* stopped and nothing left */
		t->have = analyse(p->sc[an->i], p->as_of, t->url, t->base, t->home, t->content_type, t->body, t->len,
				  t->sha, &t->a) == 0;
		free(t->body); /* the bytes are done with: only the analysis goes back */
		t->body = NULL;
		t->next = NULL;
		pthread_mutex_lock(&p->mu);
		if (p->done_tail)
			p->done_tail->next = t;
		else
			p->done = t;
		p->done_tail = t;
		pthread_mutex_unlock(&p->mu);
		pgd_fetcher_wakeup(p->f);
	}
}

static void submit(struct crawl *c, size_t idx, const char *base, struct pgd_fetch_result *res, const char *sha)
{
	struct pool *p = c->pool;
	struct task *t = pgd_calloc(1, sizeof(*t));

	t->idx = idx;
	t->url = pgd_strdup(url_of(c, idx));
	t->base = pgd_strdup(base);
	t->content_type = pgd_strdup(res->content_type);
	t->etag = pgd_strdup(res->etag);
	t->lm = pgd_strdup(res->last_modified);
	t->body = res->body; /* stolen */
	t->len = res->len;
	res->body = NULL;
	t->time_ms = res->time_ms;
	t->home = c->v[idx].home;
	snprintf(t->sha, sizeof(t->sha), "%s", sha);
	p->outstanding++;
	p->bytes += t->len;
	if (p->outstanding > c->r->peak_backlog)
		c->r->peak_backlog = p->outstanding;
	pthread_mutex_lock(&p->mu);
	if (p->todo_tail)
		p->todo_tail->next = t;
	else
		p->todo = t;
	p->todo_tail = t;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* The fetcher's idle hook: apply the analyses that came back; how many are still out. */
static size_t pool_idle(void *arg)
{
	struct crawl *c = arg;
	struct pool *p = c->pool;
	struct task *t;

	pthread_mutex_lock(&p->mu);
	t = p->done;
	p->done = p->done_tail = NULL;
	pthread_mutex_unlock(&p->mu);
	while (t) {
		struct task *next = t->next;
		page_done(c, t->idx, t->time_ms, t->etag, t->lm, t->have ? &t->a : NULL, t->base, 0);
		p->outstanding--;
		p->bytes -= t->len;
		task_free(t);
		t = next;
	}
	pump(c);
	return p->outstanding;
}

/* The fetcher's gate: on a fast site the fetcher outruns the analysis threads, and bodies
 * waiting for them (tens of KB each, up to max_bytes) would pile up without bound; so no
 * request starts while max_outstanding bodies or BACKLOG_BYTES wait. At most that plus the
 * requests in flight (concurrency) are ever held. The bound leaves room for a whole round of
 * answers arriving together: a tighter one (2 a thread) held requests back at every such burst
 * and cost 4 % of the wall time on the benchmark site. */
static int pool_gate(void *arg)
{
	const struct crawl *c = arg;
	return c->pool->outstanding < c->pool->max_outstanding && c->pool->bytes < BACKLOG_BYTES;
}

/* Threads as the machine has cores (at most MAX_ANALYSERS); NULL when none can be started. */
static struct pool *pool_new(struct pgd_fetcher *f, const struct pgd_rules *rules, time_t as_of, int concurrency)
{
	struct pool *p = pgd_calloc(1, sizeof(*p));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int want = cpus < 1 ? 1 : cpus > MAX_ANALYSERS ? MAX_ANALYSERS : (int)cpus;

	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->f = f;
	p->as_of = as_of;
	pgd_page_global_init(); /* libxml2's one-time set-up, before any thread parses */
	for (int i = 0; i < want; i++) {
		p->sc[i] = rules ? pgd_scanner_new(rules) : NULL;
		p->arg[i].pool = p;
		p->arg[i].i = i;
		if (pthread_create(&p->th[i], NULL, analyser_main, &p->arg[i]) != 0) {
			pgd_scanner_free(p->sc[i]);
			p->sc[i] = NULL;
			break;
		}
		p->n++;
	}
	/* each thread busy with one body and one more waiting, and a round of answers */
	p->max_outstanding = 2 * (size_t)p->n + (size_t)(concurrency > 0 ? concurrency : 1);
	if (p->n == 0) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		free(p);
		return NULL;
	}
	return p;
}

/* Stop the threads (each finishes its task) and free what is left unapplied. */
static void pool_free(struct pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->n; i++) {
		pthread_join(p->th[i], NULL);
		pgd_scanner_free(p->sc[i]);
	}
	while (p->todo) {
		struct task *t = p->todo;
		p->todo = t->next;
		task_free(t);
	}
	while (p->done) {
		struct task *t = p->done;
		p->done = t->next;
		task_free(t);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}

static void on_page(struct crawl *c, size_t idx, struct pgd_fetch_result *res)
{
	struct entry *e = &c->v[idx];
	struct page_rec *p = page_of(c, idx);
	const char *url = res->final_url ? res->final_url : url_of(c, idx);
	struct pgd_page_analysis a;
	char sha[65], etag[256], lm[64];
	int have = 0;

	memset(&a, 0, sizeof(a));
	if (e->home) {
		free(c->site);
		c->site = pgd_strdup(url);
	} else if (!pgd_url_same_host(url, c->site)) {
		c->r->pages++;
		return; /* redirected off the site: checked, not crawled */
	}
	if (res->status == 304) {
		/* not modified: the analysis of last time, unless it cannot be read (then fetch it whole) */
		if (p->cache_off < 0 || pgd_crawlcache_read(c->cache, p->cache_off, etag, lm, &a) < 0) {
			p->nocond = 1;
			todo_push(c, idx);
			return;
		}
		have = 1;
		c->r->pages_unchanged++;
		if (unhex32(a.sha256, p->sha) == 0)
			p->has_sha = 1;
	} else {
		pgd_sha256(res->body, res->len, p->sha);
		p->has_sha = 1;
		hex32(p->sha, sha);
		p->fetched_at = time(NULL);
		p->status = (short)res->status;
		evidence_write(c, p, res);
		if (p->cache_off >= 0 && pgd_crawlcache_read(c->cache, p->cache_off, etag, lm, &a) == 0) {
			if (strcmp(a.sha256, sha) == 0) { /* same bytes as last time */
				have = 1;
				c->r->pages_unchanged++;
			} else {
				pgd_page_analysis_release(&a);
			}
		}
		if (!have) {
			if (c->pool) { /* analysed on another thread; page_done runs when it is back */
				submit(c, idx, url, res, sha);
				return;
			}
			have = analyse(c->sc, c->as_of, url_of(c, idx), url, e->home, res->content_type, res->body, res->len,
				       sha, &a) == 0;
		}
	}
	page_done(c, idx, res->time_ms, res->status == 304 ? etag : res->etag,
		  res->status == 304 ? lm : res->last_modified, have ? &a : NULL, res->final_url, 0);
	pgd_page_analysis_release(&a);
}

static int suspect(const struct pgd_fetch_result *res)
{
	return res->error == PGD_FETCH_TIMEOUT || res->error == PGD_FETCH_DNS ||
	       (res->error == PGD_FETCH_OK && (res->status == 403 || res->status == 429));
}

static int broken(const struct pgd_fetch_result *res)
{
	if (res->error != PGD_FETCH_OK)
		return 1;
	return res->status == 404 || res->status == 410 || res->status >= 500 || res->status == 0;
}

static void describe(enum pgd_fetch_error err, long status, char *out, size_t n)
{
	if (err == PGD_FETCH_OK)
		snprintf(out, n, "HTTP %ld", status);
	else
		snprintf(out, n, "%s", pgd_fetch_error_name(err));
}

static void verdict(struct crawl *c, size_t idx, struct pgd_fetch_result *res)
{
	struct entry *e = &c->v[idx];
	const char *from, *url, *text;
	char why[96], first[192];

	if (!broken(res) && !(res->error == PGD_FETCH_OK && (res->status == 403 || res->status == 429))) {
		if (e->page && res->body)
			on_page(c, idx, res);
		return;
	}
	if (suspect(res) && !e->rechecked) { /* confirmed only by a second failure, later */
		e->suspect_error = (unsigned)res->error & 0xff;
		e->suspect_status = res->status > 0 && res->status < 1000 ? (unsigned)res->status : 0;
		PGD_GROW(c->suspects, c->nsus + 1, c->capsus);
		c->suspects[c->nsus++] = (uint32_t)idx;
		return;
	}
	from = e->from != NONE ? url_of(c, e->from) : NULL;
	url = url_of(c, idx);
	text = text_get(c, e->text);
	describe(res->error, res->status, why, sizeof(why));
	first[0] = '\0';
	if (e->rechecked) {
		char w0[64];
		describe((enum pgd_fetch_error)e->suspect_error, e->suspect_status, w0, sizeof(w0));
		snprintf(first, sizeof(first), "（首次检查：%s，复查仍失败，疑似问题已确认）", w0);
	}
	if (e->home) {
		pgd_patrol_add(c->r, url, NULL, "site.unavailable", PGD_PATROL_BLOCK, 0, NULL,
			       "网站首页无法访问：%s%s", why, first);
		return;
	}
	if (res->error == PGD_FETCH_TOO_LARGE) {
		pgd_patrol_add(c->r, url, NULL, "site.oversize_page", PGD_PATROL_REVIEW, 0, NULL,
			       "页面超过 %zu 字节的大小上限，已停止下载", c->o->max_bytes);
		return;
	}
	if (res->error == PGD_FETCH_REDIRECT_LOOP) {
		pgd_patrol_add(c->r, from, url, "site.redirect_loop", PGD_PATROL_REVIEW, e->line, text,
			       "链接重定向超过 %d 次或形成循环", c->o->max_redirects);
		return;
	}
	if (e->page && res->error == PGD_FETCH_OK && res->status >= 500)
		pgd_patrol_add(c->r, url, NULL, "site.server_error", PGD_PATROL_REVIEW, 0, NULL,
			       "页面返回服务器错误 HTTP %ld", res->status);
	if (e->page && res->error == PGD_FETCH_TIMEOUT)
		pgd_patrol_add(c->r, url, NULL, "site.slow_page", PGD_PATROL_REVIEW, 0, NULL,
			       "页面在 %.1f 秒内没有响应", c->o->timeout_ms / 1000.0);
	pgd_patrol_add(c->r, from, url, e->internal ? "site.broken_link_internal" : "site.broken_link_external",
		       PGD_PATROL_REVIEW, e->line, text, "%s%s无法访问：%s%s", e->internal ? "站内" : "外部",
		       e->image ? "图片" : "链接", why, first);
}

static void on_done(void *arg, void *user, struct pgd_fetch_result *res)
{
	struct crawl *c = arg;
	size_t idx = (size_t)(uintptr_t)user;
	size_t before = c->nsus, pushes = c->pushes, n0 = c->r->n;

	c->done++;
	verdict(c, idx, res);
	/* the verdict is out unless the entry waits for a re-check or a whole fetch */
	if (c->nsus == before && !(c->pushes > pushes && c->last_pushed == idx)) {
		const struct entry *e = &c->v[idx];
		text_drop(c, &c->v[idx].text);
		verdict_out(c, idx, c->r->n > n0);
		if (c->cache && !e->page) { /* a link's verdict, for a resumed attempt (pages: page_done) */
			struct pgd_crawl_fetch ff = {0};
			ff.error = (int)res->error;
			ff.status = res->status;
			ff.time_ms = res->time_ms;
			ff.rechecked = e->rechecked;
			ff.first_error = (int)e->suspect_error;
			ff.first_status = (long)e->suspect_status;
			pgd_crawlcache_verdict(c->cache, url_of(c, idx), &ff);
		}
	}
	pump(c);
	if (c->o->progress)
		c->o->progress(c->o->progress_arg, c->done, pgd_fetcher_pending(c->f) + todo_count(c));
}

/* ---- resuming: what the attempt before fetched, taken from its journal ---- */

/* A page replayed: its body, kept by the attempt before under its SHA-256 with its ".meta-",
 * is the evidence again. */
static void evidence_reuse(struct crawl *c, struct page_rec *p)
{
	char hex[65], name[80], *path;
	struct stat st;
	int ok;

	if (!c->o->evidence_dir || !p->has_sha)
		return;
	hex32(p->sha, hex);
	path = ev_path(c->o->evidence_dir, hex);
	ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	snprintf(name, sizeof(name), ".meta-%s", hex);
	path = ev_path(c->o->evidence_dir, name);
	ok = ok && stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	if (ok) {
		p->file = 1;
		p->ours = 1; /* this job's: deleted at the end when no finding needs it */
	}
}

/* Replay entry idx from the journal instead of fetching it: 0, or -1 when it must be fetched
 * (not in the journal, unreadable, or a page there that is a link here or the other way). */
static int replay(struct crawl *c, size_t idx)
{
	struct page_rec *p = page_of(c, idx);
	struct pgd_crawl_fetch ff;
	struct pgd_page_analysis a;
	char etag[256], lm[64];
	int page = 0;
	size_t n0 = c->r->n;

	if (pgd_crawlcache_replay(c->cache, url_of(c, idx), &page, &ff, etag, lm, &a) < 0)
		return -1;
	if (page != (p != NULL)) {
		pgd_page_analysis_release(&a);
		free(ff.final_url);
		return -1;
	}
	c->done++;
	c->r->resumed++;
	if (page) {
		const char *url = ff.final_url ? ff.final_url : url_of(c, idx);
		if (c->v[idx].home) {
			free(c->site);
			c->site = pgd_strdup(url);
		}
		if (unhex32(a.sha256, p->sha) == 0)
			p->has_sha = 1;
		p->fetched_at = ff.fetched_at;
		p->status = (short)ff.status;
		evidence_reuse(c, p);
		page_done(c, idx, ff.time_ms, etag, lm, &a, ff.final_url, 1);
	} else {
		struct pgd_fetch_result res;
		struct entry *e = &c->v[idx];
		memset(&res, 0, sizeof(res));
		res.error = (enum pgd_fetch_error)ff.error;
		res.status = ff.status;
		res.time_ms = ff.time_ms;
		if (ff.rechecked) { /* confirmed by a re-check then: the same words now */
			e->rechecked = 1;
			e->suspect_error = (unsigned)ff.first_error & 0xff;
			e->suspect_status = ff.first_status > 0 && ff.first_status < 1000 ? (unsigned)ff.first_status : 0;
		}
		verdict(c, idx, &res);
	}
	text_drop(c, &c->v[idx].text);
	verdict_out(c, idx, c->r->n > n0);
	pgd_page_analysis_release(&a);
	free(ff.final_url);
	if (c->o->progress)
		c->o->progress(c->o->progress_arg, c->done, pgd_fetcher_pending(c->f) + todo_count(c));
	return 0;
}

/* ---- the end of a crawl: which page bodies are evidence ---- */

static int cmp_sha(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

static int sha_in(const unsigned char (*set)[32], size_t n, const unsigned char *sha)
{
	return n && bsearch(sha, set, n, 32, cmp_sha) != NULL;
}

/* Read ".meta-<sha>" back into an evidence entry. */
static void evidence_meta(const char *dir, const char *hex, struct pgd_patrol_evidence *ev)
{
	char name[80], *path, *nl;
	FILE *f;
	struct pgd_buf b;
	char chunk[4096];
	size_t n;

	snprintf(name, sizeof(name), ".meta-%s", hex);
	path = ev_path(dir, name);
	f = fopen(path, "r");
	free(path);
	if (!f)
		return;
	pgd_buf_init(&b, (size_t)PGD_FETCH_HEADERS_MAX + 4096);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (pgd_buf_add(&b, chunk, n) < 0)
			break;
	fclose(f);
	if (!b.data)
		goto out;
	/* status \n size \n content type \n headers */
	ev->status = strtol(b.data, &nl, 10);
	nl = strchr(b.data, '\n');
	if (!nl)
		goto out;
	ev->size = (size_t)strtoull(nl + 1, NULL, 10);
	nl = strchr(nl + 1, '\n');
	if (!nl)
		goto out;
	{
		char *ct = nl + 1, *end = strchr(ct, '\n');
		if (!end)
			goto out;
		*end = '\0';
		ev->content_type = *ct ? pgd_strdup(ct) : NULL;
		ev->headers = end[1] ? pgd_strdup(end + 1) : NULL;
	}
out:
	pgd_buf_release(&b);
}

/* Each finding of this site refers to the body of the page it is on (when kept); the bodies no
 * finding refers to are deleted; report->evidence lists each kept body once. Also marks the
 * pages with findings in the re-crawl state. */
static void finish_evidence(struct crawl *c)
{
	const char *dir = c->o->evidence_dir;
	unsigned char (*kept)[32] = NULL;
	size_t nkept = 0, capk = 0;
	char hex[65], name[80];

	for (size_t i = c->r_first; i < c->r->n; i++) {
		struct pgd_patrol_finding *f = &c->r->items[i];
		size_t idx = lookup(c, f->url);
		struct page_rec *p = idx != (size_t)-1 ? page_of(c, idx) : NULL;
		if (!p)
			continue;
		if (c->cache && !p->had_finding) {
			pgd_crawlcache_mark(c->cache, f->url);
			p->had_finding = 1;
		}
		if (!dir || !p->file)
			continue;
		if (!sha_in((const unsigned char (*)[32])kept, nkept, p->sha) && c->r->n_evidence >= MAX_EVIDENCE)
			continue; /* past the cap: the finding goes without evidence */
		hex32(p->sha, hex);
		free(f->evidence);
		f->evidence = pgd_strdup(hex);
		if (!sha_in((const unsigned char (*)[32])kept, nkept, p->sha)) {
			struct pgd_patrol_evidence *ev;
			int dup = 0;
			for (size_t k = 0; k < c->r->n_evidence && !dup; k++)
				dup = strcmp(c->r->evidence[k].sha256, hex) == 0;
			PGD_GROW(kept, nkept + 1, capk);
			memcpy(kept[nkept++], p->sha, 32);
			qsort(kept, nkept, 32, cmp_sha);
			if (dup)
				continue;
			PGD_GROW(c->r->evidence, c->r->n_evidence + 1, c->r->cap_evidence);
			ev = &c->r->evidence[c->r->n_evidence++];
			memset(ev, 0, sizeof(*ev));
			memcpy(ev->sha256, hex, sizeof(ev->sha256));
			ev->kind = "page";
			ev->url = pgd_strdup(f->url);
			ev->fetched_at = p->fetched_at;
			ev->status = p->status;
			evidence_meta(dir, hex, ev);
		}
	}
	for (size_t i = 0; dir && i < c->npages; i++) {
		struct page_rec *p = &c->pages[i];
		char *path;
		if (!p->file)
			continue;
		hex32(p->sha, hex);
		snprintf(name, sizeof(name), ".meta-%s", hex);
		path = ev_path(dir, name);
		unlink(path);
		free(path);
		if (p->ours && !sha_in((const unsigned char (*)[32])kept, nkept, p->sha)) {
			path = ev_path(dir, hex);
			unlink(path);
			free(path);
		}
		p->file = 0;
	}
	free(kept);
}

int pgd_patrol_site(const char *url, const struct pgd_patrol_opts *o, struct pgd_patrol_report *r,
	struct pgd_err *err)
{
	struct crawl c;
	struct pgd_fetch_opts fo;
	size_t home;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	if (!url || !o || !r || (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)) {
		rc = pgd_err_set(err, PGD_ERR_INVALID, url ? url : "", "网站地址“%s”无效：应为 http:// 或 https:// 开头的网址",
				 url ? url : "");
		goto out;
	}
	if (strlen(url) >= URL_MAX) {
		rc = pgd_err_set(err, PGD_ERR_INVALID, "", "网站地址过长（超过 %u 字节）", URL_MAX - 1);
		goto out;
	}
	if (o->evidence_dir && mkdir(o->evidence_dir, 0700) < 0 && errno != EEXIST) {
		rc = pgd_err_set(err, PGD_ERR_IO, o->evidence_dir, "无法创建证据目录“%s”：%s", o->evidence_dir,
				 strerror(errno));
		goto out;
	}
	c.o = o;
	c.r = r;
	c.r_first = r->n;
	us_open(&c.us);
	pgd_patrol_thresholds_default(&c.th_default);
	c.th = o->th ? o->th : &c.th_default;
	c.as_of = o->as_of ? o->as_of : time(NULL);
	memset(&fo, 0, sizeof(fo));
	fo.ca_file = o->ca_file;
	fo.timeout_ms = o->timeout_ms;
	fo.concurrency = o->concurrency;
	fo.per_host = o->per_host > 0 && o->per_host < o->concurrency ? o->per_host : o->concurrency;
	fo.max_redirects = o->max_redirects;
	fo.max_bytes = o->max_bytes;
	c.queue_max = (size_t)(o->concurrency > 0 ? o->concurrency : 1) * QUEUE_PER_SLOT + 16;
	c.f = pgd_fetcher_new(&fo);
	if (!c.f) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, url, "无法初始化网络请求组件（libcurl）");
		goto out;
	}
	if (o->rules)
		c.sc = pgd_scanner_new(o->rules);
	c.pool = pool_new(c.f, o->rules, c.as_of, o->concurrency);
	if (c.pool) {
		pgd_fetcher_set_idle(c.f, pool_idle, &c);
		pgd_fetcher_set_gate(c.f, pool_gate, &c);
	}
	{ /* "http://host" is "http://host/" */
		const char *hostp = strstr(url, "://") + 3;
		size_t ul = strlen(url);
		char *u = pgd_malloc(ul + 2);
		memcpy(u, url, ul + 1);
		if (!strpbrk(hostp, "/?#")) {
			u[ul] = '/';
			u[ul + 1] = '\0';
		}
		c.site = u;
	}
	/* cached analyses hold the checker's findings: a state made without content checks (or with
	 * them) is no use for a patrol with (without) them */
	if (o->cache_dir && (rc = pgd_crawlcache_open_resume(o->cache_dir, c.site, c.sc ? "content" : "links",
							     o->resume_key, &c.cache, err)) < 0)
		goto out;
	c.journal = pgd_crawlcache_journal_count(c.cache) > 0;
	memset(r->home.sha256, 0, sizeof(r->home.sha256));
	r->home.simhash = 0;
	r->home.text_len = 0;
	free(r->home.title);
	r->home.title = NULL;
	home = insert(&c, c.site);
	c.v[home].home = 1;
	c.v[home].internal = 1;
	make_page(&c, home);
	todo_push(&c, home);
	for (;;) {
		pump(&c);
		if (pgd_fetcher_run(c.f, on_done, &c) < 0) {
			rc = pgd_err_set(err, PGD_ERR_INTERNAL, url, "巡查网站“%s”时网络请求组件出错", url);
			goto out;
		}
		if (c.cancelled || (o->cancel && *o->cancel)) {
			rc = pgd_err_set(err, PGD_ERR_CANCELLED, url, "巡查网站“%s”已取消", url);
			if (o->resume_key && c.cache)
				c.ev_done = 1; /* the bodies kept so far serve the next attempt */
			goto out;
		}
		if (todo_count(&c) > 0)
			continue;
		if (c.nsus == 0)
			break;
		for (size_t i = 0; i < c.nsus; i++) { /* the re-check, after all the others */
			c.v[c.suspects[i]].rechecked = 1;
			todo_push(&c, c.suspects[i]);
		}
		c.nsus = 0;
	}
	finish_evidence(&c);
	if (c.cache) { /* the state is an optimisation: failing to save it fails no patrol */
		struct pgd_err cerr = {0};
		(void)pgd_crawlcache_commit(c.cache, &cerr);
	}
	c.ev_done = 1;
out:
	pool_free(c.pool); /* before anything its tasks point into */
	c.pool = NULL;
	if (c.f && !c.ev_done && o && o->evidence_dir)
		finish_evidence(&c); /* an error: at least no stray files */
	for (uint32_t i = 0; i < c.ntexts; i++)
		free(c.texts[i]);
	free(c.texts);
	free(c.tfree);
	us_close(&c.us);
	free(c.v);
	free(c.slots);
	free(c.pages);
	free(c.links.v);
	free(c.pagesq.v);
	free(c.shared);
	free(c.suspects);
	free(c.site);
	pgd_crawlcache_free(c.cache);
	pgd_scanner_free(c.sc);
	pgd_fetcher_free(c.f);
	return rc;
}


/* ---- feeds ---- */

struct feed_fetch {
	char *body;
	size_t len;
	long status;
	char *content_type, *headers;
	time_t fetched_at;
	enum pgd_fetch_error error;
	char error_text[256];
};

static void on_feed(void *arg, void *user, struct pgd_fetch_result *res)
{
	struct feed_fetch *ff = arg;
	ff->status = res->status;
	ff->error = res->error;
	snprintf(ff->error_text, sizeof(ff->error_text), "%s", res->error_text ? res->error_text : "");
	ff->body = res->body;
	ff->len = res->len;
	res->body = NULL;
	ff->content_type = pgd_strdup(res->content_type);
	ff->headers = pgd_strdup(res->headers);
	ff->fetched_at = time(NULL);
}

/* Each entry of a feed is an item of the platform. */
static void feed_items(const struct pgd_feed *feed, struct pgd_patrol_report *r)
{
	for (size_t i = 0; i < feed->n; i++) {
		const struct pgd_feed_item *it = &feed->items[i];
		char sha[65] = "";
		uint64_t sh = 0;
		if (it->content && *it->content) {
			size_t n = strlen(it->content);
			pgd_sha256_hex(it->content, n, sha);
			sh = pgd_simhash(it->content, n);
		}
		pgd_patrol_found_add(r, it->link, it->title, it->published, sha, sh);
	}
}

/* The feed's body is the evidence of the findings on it. */
static void feed_evidence(const char *dir, const char *url, const struct feed_fetch *ff,
	struct pgd_patrol_report *r, size_t first)
{
	char hex[65];
	struct pgd_patrol_evidence *ev;
	int dup = 0;

	if (!dir || first >= r->n || !ff->body || r->n_evidence >= MAX_EVIDENCE)
		return;
	pgd_sha256_hex(ff->body, ff->len, hex);
	if (write_file(dir, hex, ff->body, ff->len, 1) < 0)
		return;
	for (size_t i = first; i < r->n; i++) {
		free(r->items[i].evidence);
		r->items[i].evidence = pgd_strdup(hex);
	}
	for (size_t k = 0; k < r->n_evidence && !dup; k++)
		dup = strcmp(r->evidence[k].sha256, hex) == 0;
	if (dup)
		return;
	PGD_GROW(r->evidence, r->n_evidence + 1, r->cap_evidence);
	ev = &r->evidence[r->n_evidence++];
	memset(ev, 0, sizeof(*ev));
	memcpy(ev->sha256, hex, sizeof(ev->sha256));
	ev->kind = "page";
	ev->url = pgd_strdup(url);
	ev->fetched_at = ff->fetched_at;
	ev->status = ff->status;
	ev->content_type = pgd_strdup(ff->content_type);
	ev->headers = ff->headers && *ff->headers ? pgd_strdup(ff->headers) : NULL;
	ev->size = ff->len;
}

int pgd_patrol_feed(const char *url, const struct pgd_patrol_opts *o, struct pgd_patrol_report *r,
	struct pgd_err *err)
{
	struct pgd_fetch_opts fo;
	struct pgd_fetcher *f = NULL;
	struct feed_fetch ff;
	struct pgd_feed feed;
	struct pgd_patrol_thresholds thd;
	struct pgd_err perr = {0};
	size_t first = r ? r->n : 0;
	int rc = 0;

	memset(&ff, 0, sizeof(ff));
	memset(&feed, 0, sizeof(feed));
	if (!url || !o || !r || (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)) {
		rc = pgd_err_set(err, PGD_ERR_INVALID, url ? url : "", "订阅源地址“%s”无效：应为 http:// 或 https:// 开头的网址",
				 url ? url : "");
		goto out;
	}
	pgd_patrol_thresholds_default(&thd);
	memset(&fo, 0, sizeof(fo));
	fo.ca_file = o->ca_file;
	fo.timeout_ms = o->timeout_ms;
	fo.concurrency = 1;
	fo.per_host = 1;
	fo.max_redirects = o->max_redirects;
	fo.max_bytes = PGD_FEED_MAX_BYTES;
	f = pgd_fetcher_new(&fo);
	if (!f) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, url, "无法初始化网络请求组件（libcurl）");
		goto out;
	}
	pgd_fetcher_add(f, url, PGD_FETCH_GET, NULL);
	if (pgd_fetcher_run(f, on_feed, &ff) < 0) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, url, "获取订阅源“%s”时网络请求组件出错", url);
		goto out;
	}
	r->feeds++;
	if (o->progress)
		o->progress(o->progress_arg, 1, 0);
	if (ff.error == PGD_FETCH_TOO_LARGE) {
		pgd_patrol_add(r, url, NULL, "feed.malformed", PGD_PATROL_REVIEW, 0, NULL,
			       "订阅源超过 %u 字节的大小上限", PGD_FEED_MAX_BYTES);
		goto out;
	}
	if (ff.error != PGD_FETCH_OK || ff.status >= 400 || !ff.body) {
		char why[96];
		describe(ff.error, ff.status, why, sizeof(why));
		pgd_patrol_add(r, url, NULL, "site.unavailable", PGD_PATROL_BLOCK, 0, NULL, "订阅源无法获取：%s", why);
		goto out;
	}
	if (o->evidence_dir && mkdir(o->evidence_dir, 0700) < 0 && errno != EEXIST) {
		rc = pgd_err_set(err, PGD_ERR_IO, o->evidence_dir, "无法创建证据目录“%s”：%s", o->evidence_dir,
				 strerror(errno));
		goto out;
	}
	if (pgd_feed_parse(ff.body, ff.len, url, &feed, &perr) < 0) {
		pgd_patrol_add(r, url, NULL, "feed.malformed", PGD_PATROL_REVIEW, 0, NULL, "%s", perr.message);
		feed_evidence(o->evidence_dir, url, &ff, r, first);
		goto out;
	}
	feed_items(&feed, r);
	pgd_feed_cadence(&feed, url, o->as_of ? o->as_of : time(NULL), o->th ? o->th : &thd, r);
	if (o->rules) { /* entries are checked like pages */
		struct pgd_scanner *sc = pgd_scanner_new(o->rules);
		struct pgd_err cerr = {0};
		if (sc && pgd_patrol_check_items(sc, &feed, url, o->as_of ? o->as_of : time(NULL), r, &cerr) < 0)
			rc = pgd_err_set(err, PGD_ERR_INTERNAL, url, "检查订阅源“%s”的内容时出错：%s", url, cerr.message);
		pgd_scanner_free(sc);
	}
	feed_evidence(o->evidence_dir, url, &ff, r, first);
out:
	pgd_feed_release(&feed);
	free(ff.body);
	free(ff.content_type);
	free(ff.headers);
	pgd_fetcher_free(f);
	return rc;
}
