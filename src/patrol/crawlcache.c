/* The incremental re-crawl state of one site: see crawlcache.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "patrol/crawlcache.h"
#include "core/banned.h"

#define MAGIC "pubguard-crawlcache"
#define VERSION "2"
#define MAX_FIELDS 10
#define MAX_LINKS 100000      /* per page, as a sanity bound on a record */
#define MAX_FINDINGS 10000

struct slot {
	uint64_t h;
	int64_t off;
	int had_finding;
};

struct pgd_crawlcache {
	char *path, *tmp_path;
	char *site, *mode;
	FILE *old;                /* the previous state, NULL when none or ignored */
	struct slot *idx;
	size_t n, cap;
	FILE *out;                /* the new state being written */
	size_t n_out;
	char *key;                /* resume key, NULL none: then out is flushed a record at a time */
	FILE *jr;                 /* the journal being resumed (records before the resume), NULL none */
	struct slot *jidx;        /* its index, sorted */
	size_t jn, jcap;
	size_t n_verdicts;        /* V records written by this attempt */
	int failed;               /* a write failed: do not commit */
	char *line;
	size_t line_cap;
};

static uint64_t url_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

void pgd_page_analysis_release(struct pgd_page_analysis *a)
{
	if (!a)
		return;
	pgd_page_release(&a->pg);
	free(a->enc_error);
	for (size_t i = 0; i < a->nf; i++) {
		free(a->f[i].url);
		free(a->f[i].target);
		free(a->f[i].category);
		free(a->f[i].text);
		free(a->f[i].message);
		free(a->f[i].evidence);
	}
	free(a->f);
	memset(a, 0, sizeof(*a));
}

/* ---- fields ---- */

static void put_field(FILE *f, const char *s)
{
	if (!s) {
		fputs("\\-", f);
		return;
	}
	for (; *s; s++) {
		switch (*s) {
		case '\\': fputs("\\\\", f); break;
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		default: fputc(*s, f);
		}
	}
}

/* Split a line (its '\n' removed) into fields unescaped in place; NULL for "\-". Returns the
 * number of fields, or -1 for a bad escape. */
static int split(char *line, char **fv, int max)
{
	int n = 0;
	char *r = line, *w = line;

	fv[n++] = w;
	for (;;) {
		char c = *r++;
		if (c == '\0' || c == '\t') {
			*w++ = '\0';
			if (c == '\0')
				break;
			if (n == max)
				return -1;
			fv[n++] = w;
			continue;
		}
		if (c != '\\') {
			*w++ = c;
			continue;
		}
		c = *r++;
		switch (c) {
		case '\\': *w++ = '\\'; break;
		case 't': *w++ = '\t'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case '-':
			if (w != fv[n - 1] || (*r != '\t' && *r != '\0'))
				return -1;
			fv[n - 1] = NULL;
			w++; /* keeps the next field's start distinct */
			break;
		default: return -1;
		}
	}
	return n;
}

static int parse_i64(const char *s, int64_t *v)
{
	char *end;
	long long x;
	if (!s || !*s)
		return -1;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (*end || errno)
		return -1;
	*v = x;
	return 0;
}

static int parse_hex64(const char *s, uint64_t *v)
{
	char *end;
	if (!s || strlen(s) != 16)
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 16);
	return *end || errno ? -1 : 0;
}

static int is_sha(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/* Next line of f without its '\n' into cc->line; -1 at EOF or on a line without '\n'. */
static int next_line(struct pgd_crawlcache *cc, FILE *f)
{
	ssize_t n = getline(&cc->line, &cc->line_cap, f);
	if (n <= 0 || cc->line[n - 1] != '\n')
		return -1;
	cc->line[n - 1] = '\0';
	return 0;
}

/* ---- the index of the old state ---- */

static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	return x->h < y->h ? -1 : x->h > y->h ? 1 : x->off < y->off ? -1 : x->off > y->off;
}

/* The first slot of v[0..n) (sorted by hash) with hash h or above. */
static size_t first_slot(const struct slot *v, size_t n, uint64_t h)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct slot *find_slot(struct pgd_crawlcache *cc, const char *url, int verify)
{
	uint64_t h = url_hash(url);
	size_t lo = first_slot(cc->idx, cc->n, h);

	for (; lo < cc->n && cc->idx[lo].h == h; lo++) {
		char *fv[MAX_FIELDS];
		if (!verify)
			return &cc->idx[lo];
		if (fseeko(cc->old, (off_t)cc->idx[lo].off, SEEK_SET) != 0 || next_line(cc, cc->old) < 0)
			continue;
		if (split(cc->line, fv, MAX_FIELDS) >= 2 && fv[1] && strcmp(fv[1], url) == 0)
			return &cc->idx[lo];
	}
	return NULL;
}

/* Read the whole old file once, checking every line; any problem: the index is dropped. */
static void load_index(struct pgd_crawlcache *cc)
{
	char *fv[MAX_FIELDS];
	size_t pages = 0, links = 0, fnd = 0;
	int nf, ok = 0, seen_k = 0, in_page = 0;
	off_t off;

	if (!cc->old)
		return;
	if (next_line(cc, cc->old) < 0 || split(cc->line, fv, MAX_FIELDS) != 4 || !fv[0] || !fv[1] || !fv[2] ||
	    !fv[3] || strcmp(fv[0], MAGIC) != 0 || strcmp(fv[1], VERSION) != 0 || strcmp(fv[2], cc->site) != 0 ||
	    strcmp(fv[3], cc->mode) != 0)
		goto out;
	for (;;) {
		int64_t v;
		off = ftello(cc->old);
		if (next_line(cc, cc->old) < 0)
			goto out; /* no Z: incomplete */
		if (cc->line[0] == '\0' || cc->line[1] != '\t')
			goto out;
		nf = split(cc->line, fv, MAX_FIELDS);
		switch (cc->line[0]) {
		case 'P':
			if (seen_k || nf != 8 || !fv[1] || !is_sha(fv[4]) || parse_i64(fv[6], &v) < 0 ||
			    parse_i64(fv[7], &v) < 0) 
				goto out;
			{
				uint64_t sh;
				if (parse_hex64(fv[5], &sh) < 0)
					goto out;
			}
			PGD_GROW(cc->idx, cc->n + 1, cc->cap);
			cc->idx[cc->n].h = url_hash(fv[1]);
			cc->idx[cc->n].off = (int64_t)off;
			cc->idx[cc->n].had_finding = 0;
			cc->n++;
			pages++;
			links = fnd = 0;
			in_page = 1;
			break;
		case 'D':
			if (seen_k || !in_page || nf != 6 || parse_i64(fv[1], &v) < 0 || parse_i64(fv[2], &v) < 0)
				goto out;
			in_page = 0;
			break;
		case 'V':
			if (seen_k || in_page || nf != 8 || !fv[1])
				goto out;
			break;
		case 'E': case 'T':
			if (seen_k || !in_page || nf != 2)
				goto out;
			break;
		case 'M':
			if (seen_k || !in_page || nf != 6 || parse_i64(fv[3], &v) < 0 || parse_i64(fv[4], &v) < 0 ||
			    parse_i64(fv[5], &v) < 0 || v < 0)
				goto out;
			break;
		case 'L':
			if (seen_k || !in_page || nf != 5 || !fv[1] || parse_i64(fv[3], &v) < 0 || parse_i64(fv[4], &v) < 0 ||
			    ++links > MAX_LINKS)
				goto out;
			break;
		case 'F':
			if (seen_k || !in_page || nf != 6 || !fv[1] || parse_i64(fv[2], &v) < 0 || v < 0 || v > 2 ||
			    parse_i64(fv[3], &v) < 0 || ++fnd > MAX_FINDINGS)
				goto out;
			break;
		case 'K':
			if (in_page || nf != 2 || !fv[1])
				goto out;
			if (!seen_k) {
				if (cc->n)
					qsort(cc->idx, cc->n, sizeof(*cc->idx), cmp_slot);
				seen_k = 1;
			}
			{
				/* the url is in cc->line, which find_slot reuses: copy it */
				char *u = pgd_strdup(fv[1]);
				struct slot *s = find_slot(cc, u, 1);
				if (s)
					s->had_finding = 1;
				free(u);
				if (fseeko(cc->old, off, SEEK_SET) != 0 || next_line(cc, cc->old) < 0)
					goto out;
			}
			break;
		case 'Z':
			if (nf != 2 || parse_i64(fv[1], &v) < 0 || (size_t)v != pages)
				goto out;
			ok = 1;
			goto out;
		default: goto out;
		}
	}
out:
	if (!ok) {
		cc->n = 0;
		fclose(cc->old);
		cc->old = NULL;
	} else if (!seen_k && cc->n) {
		qsort(cc->idx, cc->n, sizeof(*cc->idx), cmp_slot);
	}
}

/* Temporary files of this site left by killed patrols (older than a day: not a running one). */
static void remove_stale(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char prefix[80], path[4096];
	size_t pl;
	time_t now = time(NULL);
	struct stat st;

	if (!d)
		return;
	snprintf(prefix, sizeof(prefix), "%s.crawl.", name);
	pl = strlen(prefix);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, pl) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < now - 86400)
			unlink(path);
	}
	closedir(d);
}

/* The D line of a page record into ff (fv: its fields). -1 when malformed. */
static int parse_fetch(char **fv, int nf, struct pgd_crawl_fetch *ff)
{
	int64_t e, st, ms, at;
	if (nf != 6 || parse_i64(fv[1], &e) < 0 || parse_i64(fv[2], &st) < 0 || parse_i64(fv[3], &ms) < 0 ||
	    parse_i64(fv[4], &at) < 0)
		return -1;
	if (ff) {
		memset(ff, 0, sizeof(*ff));
		ff->error = (int)e;
		ff->status = (long)st;
		ff->time_ms = (double)ms;
		ff->fetched_at = (time_t)at;
		ff->final_url = pgd_strdup(fv[5]);
	}
	return 0;
}

static void write_header(struct pgd_crawlcache *cc)
{
	fputs(MAGIC "\t" VERSION "\t", cc->out);
	put_field(cc->out, cc->site);
	fputc('\t', cc->out);
	put_field(cc->out, cc->mode);
	fputc('\n', cc->out);
	fflush(cc->out);
}

static int valid_key(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > 64)
		return 0;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || *k == '-' ||
		      *k == '_'))
			return 0;
	return 1;
}

static void journal_add(struct pgd_crawlcache *cc, const char *url, off_t off)
{
	PGD_GROW(cc->jidx, cc->jn + 1, cc->jcap);
	cc->jidx[cc->jn].h = url_hash(url);
	cc->jidx[cc->jn].off = (int64_t)off;
	cc->jidx[cc->jn].had_finding = 0;
	cc->jn++;
}

/* The journal of the attempt before (cc->out, opened "r+" at its start): index its complete
 * records, cut a torn tail off and leave out positioned at the end. A file that is not a
 * journal of this site and mode is started afresh. */
static void scan_journal(struct pgd_crawlcache *cc)
{
	char *fv[MAX_FIELDS];
	off_t good = 0, page_off = 0;
	int nf, in_page = 0;
	char *page_url = NULL;
	int64_t v;

	if (next_line(cc, cc->out) < 0 || split(cc->line, fv, MAX_FIELDS) != 4 || !fv[0] || !fv[1] || !fv[2] ||
	    !fv[3] || strcmp(fv[0], MAGIC) != 0 || strcmp(fv[1], VERSION) != 0 || strcmp(fv[2], cc->site) != 0 ||
	    strcmp(fv[3], cc->mode) != 0)
		goto restart;
	good = ftello(cc->out);
	for (;;) {
		off_t off = ftello(cc->out);
		if (next_line(cc, cc->out) < 0 || cc->line[0] == '\0' || cc->line[1] != '\t')
			break;
		nf = split(cc->line, fv, MAX_FIELDS);
		if (nf < 0)
			break;
		if (cc->line[0] == 'P') {
			if (in_page || nf != 8 || !fv[1] || !is_sha(fv[4]))
				break;
			free(page_url);
			page_url = pgd_strdup(fv[1]);
			page_off = off;
			in_page = 1;
		} else if (cc->line[0] == 'D') {
			if (!in_page || parse_fetch(fv, nf, NULL) < 0)
				break;
			journal_add(cc, page_url, page_off);
			cc->n_out++; /* the Z line counts the pages of the whole file */
			in_page = 0;
			good = ftello(cc->out);
		} else if (cc->line[0] == 'V') {
			if (in_page || nf != 8 || !fv[1] || parse_i64(fv[2], &v) < 0 || parse_i64(fv[3], &v) < 0)
				break;
			journal_add(cc, fv[1], off);
			good = ftello(cc->out);
		} else if (!in_page || !strchr("ETMLF", cc->line[0])) {
			break;
		}
	}
	free(page_url);
	if (cc->jn)
		qsort(cc->jidx, cc->jn, sizeof(*cc->jidx), cmp_slot);
	if (fflush(cc->out) != 0 || ftruncate(fileno(cc->out), good) != 0 || fseeko(cc->out, good, SEEK_SET) != 0)
		goto restart;
	cc->jr = fopen(cc->tmp_path, "r");
	if (!cc->jr)
		cc->jn = 0;
	return;
restart:
	cc->jn = 0;
	cc->n_out = 0;
	if (ftruncate(fileno(cc->out), 0) == 0 && fseeko(cc->out, 0, SEEK_SET) == 0)
		write_header(cc);
	else
		cc->failed = 1;
}

int pgd_crawlcache_open(const char *dir, const char *site_url, const char *mode, struct pgd_crawlcache **out,
	struct pgd_err *err)
{
	return pgd_crawlcache_open_resume(dir, site_url, mode, NULL, out, err);
}

int pgd_crawlcache_open_resume(const char *dir, const char *site_url, const char *mode, const char *key,
	struct pgd_crawlcache **out, struct pgd_err *err)
{
	struct pgd_crawlcache *cc = NULL;
	char name[65];
	size_t dl = strlen(dir);
	int fd, rc = 0;

	*out = NULL;
	if (key && !valid_key(key))
		return pgd_err_set(err, PGD_ERR_INVALID, "resume", "续巡标识“%s”无效", key);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		rc = pgd_err_set(err, PGD_ERR_IO, dir, "无法创建巡查缓存目录“%s”：%s", dir, strerror(errno));
		goto out;
	}
	cc = pgd_calloc(1, sizeof(*cc));
	cc->site = pgd_strdup(site_url);
	cc->mode = pgd_strdup(mode ? mode : "");
	pgd_sha256_hex(site_url, strlen(site_url), name);
	remove_stale(dir, name);
	cc->path = pgd_malloc(dl + 80);
	snprintf(cc->path, dl + 80, "%s/%s.crawl", dir, name);
	cc->tmp_path = pgd_malloc(dl + 160);
	if (key) { /* a fixed name: the next attempt of the same job finds it */
		cc->key = pgd_strdup(key);
		snprintf(cc->tmp_path, dl + 160, "%s/%s.crawl.%s", dir, name, key);
		fd = open(cc->tmp_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	} else {
		snprintf(cc->tmp_path, dl + 160, "%s/%s.crawl.XXXXXX", dir, name);
		fd = mkstemp(cc->tmp_path);
	}
	if (fd < 0 || !(cc->out = fdopen(fd, key ? "r+" : "w"))) {
		rc = pgd_err_set(err, PGD_ERR_IO, dir, "无法在巡查缓存目录“%s”中写入文件：%s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(cc->tmp_path);
		cc->tmp_path = NULL;
		pgd_crawlcache_free(cc);
		cc = NULL;
		goto out;
	}
	if (key)
		scan_journal(cc);
	else
		write_header(cc);
	cc->old = fopen(cc->path, "r");
	load_index(cc);
	*out = cc;
out:
	return rc;
}

void pgd_crawlcache_free(struct pgd_crawlcache *cc)
{
	if (!cc)
		return;
	if (cc->out) {
		fclose(cc->out);
		if (!cc->key || (cc->n_out == 0 && cc->jn == 0 && !cc->n_verdicts))
			unlink(cc->tmp_path); /* a journal with records stays for the next attempt */
	}
	if (cc->old)
		fclose(cc->old);
	if (cc->jr)
		fclose(cc->jr);
	free(cc->jidx);
	free(cc->key);
	free(cc->idx);
	free(cc->path);
	free(cc->tmp_path);
	free(cc->site);
	free(cc->mode);
	free(cc->line);
	free(cc);
}

int64_t pgd_crawlcache_find(struct pgd_crawlcache *cc, const char *url, int *had_finding)
{
	struct slot *s;

	if (had_finding)
		*had_finding = 0;
	if (!cc || !cc->old || !cc->n)
		return -1;
	s = find_slot(cc, url, 1);
	if (!s)
		return -1;
	if (had_finding)
		*had_finding = s->had_finding;
	return s->off;
}

static void copy_str(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

/* The page record at off of f (the old state or the journal); url, when given, must be its URL. */
static int read_page(struct pgd_crawlcache *cc, FILE *fp, int64_t off, const char *url, char etag[256],
	char last_modified[64], struct pgd_page_analysis *a, struct pgd_crawl_fetch *ff)
{
	char *fv[MAX_FIELDS];
	int nf, rc = -1;
	int64_t v;
	size_t capl = 0;

	memset(a, 0, sizeof(*a));
	if (ff)
		memset(ff, 0, sizeof(*ff));
	if (!cc || !fp || off < 0 || fseeko(fp, (off_t)off, SEEK_SET) != 0 || next_line(cc, fp) < 0)
		goto out;
	if (cc->line[0] != 'P' || split(cc->line, fv, MAX_FIELDS) != 8 || (url && (!fv[1] || strcmp(fv[1], url) != 0)))
		goto out;
	copy_str(etag, 256, fv[2]);
	copy_str(last_modified, 64, fv[3]);
	copy_str(a->sha256, sizeof(a->sha256), fv[4]);
	if (parse_hex64(fv[5], &a->simhash) < 0 || parse_i64(fv[6], &v) < 0)
		goto out;
	a->text_len = (size_t)v;
	if (parse_i64(fv[7], &v) < 0)
		goto out;
	a->first_date = (time_t)v;
	for (;;) {
		if (next_line(cc, fp) < 0)
			goto out;
		if (strchr("PKZV", cc->line[0]))
			break;
		nf = split(cc->line, fv, MAX_FIELDS);
		if (cc->line[0] == 'D') { /* the end of the record */
			if (parse_fetch(fv, nf, ff) < 0)
				goto out;
			break;
		}
		switch (cc->line[0]) {
		case 'E':
			if (nf != 2)
				goto out;
			a->enc_error = pgd_strdup(fv[1] ? fv[1] : "");
			break;
		case 'T':
			if (nf != 2)
				goto out;
			free(a->pg.title);
			a->pg.title = pgd_strdup(fv[1]);
			break;
		case 'M':
			if (nf != 6)
				goto out;
			a->pg.column_name = pgd_strdup(fv[1]);
			a->pg.column_type = pgd_strdup(fv[2]);
			if (parse_i64(fv[3], &v) < 0)
				goto out;
			a->pg.pub_date = (time_t)v;
			if (parse_i64(fv[4], &v) < 0)
				goto out;
			a->pg.newest_date = (time_t)v;
			if (parse_i64(fv[5], &v) < 0 || v < 0)
				goto out;
			a->pg.n_list_items = (size_t)v;
			break;
		case 'L': {
			struct pgd_page_link *l;
			int64_t line, flags;
			if (nf != 5 || !fv[1] || parse_i64(fv[3], &line) < 0 || parse_i64(fv[4], &flags) < 0)
				goto out;
			PGD_GROW(a->pg.links, a->pg.n_links + 1, capl);
			l = &a->pg.links[a->pg.n_links++];
			memset(l, 0, sizeof(*l));
			l->href = pgd_strdup(fv[1]);
			l->text = pgd_strdup(fv[2]);
			l->line = (unsigned)line;
			l->image = (flags & 1) != 0;
			l->nav = (flags & 2) != 0;
			l->hidden = (flags & 4) != 0;
			break;
		}
		case 'F': {
			struct pgd_patrol_finding *f;
			int64_t sev, line;
			if (nf != 6 || !fv[1] || parse_i64(fv[2], &sev) < 0 || sev < 0 || sev > 2 ||
			    parse_i64(fv[3], &line) < 0)
				goto out;
			PGD_GROW(a->f, a->nf + 1, a->capf);
			f = &a->f[a->nf++];
			memset(f, 0, sizeof(*f));
			f->category = pgd_strdup(fv[1]);
			f->severity = (enum pgd_patrol_severity)sev;
			f->line = (unsigned)line;
			f->text = pgd_strdup(fv[4]);
			f->message = pgd_strdup(fv[5] ? fv[5] : "");
			break;
		}
		default: goto out;
		}
	}
	rc = 0;
out:
	if (rc < 0) {
		pgd_page_analysis_release(a);
		if (ff) {
			free(ff->final_url);
			ff->final_url = NULL;
		}
	}
	return rc;
}

int pgd_crawlcache_read(struct pgd_crawlcache *cc, int64_t off, char etag[256], char last_modified[64],
	struct pgd_page_analysis *a)
{
	return read_page(cc, cc ? cc->old : NULL, off, NULL, etag, last_modified, a, NULL);
}

void pgd_crawlcache_put(struct pgd_crawlcache *cc, const char *url, const char *etag,
	const char *last_modified, const struct pgd_page_analysis *a, const struct pgd_crawl_fetch *ff)
{
	const struct pgd_page *pg = &a->pg;
	FILE *f;

	if (!cc || !cc->out || !is_sha(a->sha256))
		return;
	f = cc->out;
	fputs("P\t", f);
	put_field(f, url);
	fputc('\t', f);
	put_field(f, etag ? etag : "");
	fputc('\t', f);
	put_field(f, last_modified ? last_modified : "");
	fprintf(f, "\t%s\t%016" PRIx64 "\t%zu\t%lld\n", a->sha256, a->simhash, a->text_len,
		(long long)a->first_date);
	if (a->enc_error) {
		fputs("E\t", f);
		put_field(f, a->enc_error);
		fputc('\n', f);
	}
	if (pg->title) {
		fputs("T\t", f);
		put_field(f, pg->title);
		fputc('\n', f);
	}
	fputs("M\t", f);
	put_field(f, pg->column_name);
	fputc('\t', f);
	put_field(f, pg->column_type);
	fprintf(f, "\t%lld\t%lld\t%zu\n", (long long)pg->pub_date, (long long)pg->newest_date, pg->n_list_items);
	for (size_t i = 0; i < pg->n_links && i < MAX_LINKS; i++) {
		const struct pgd_page_link *l = &pg->links[i];
		fputs("L\t", f);
		put_field(f, l->href);
		fputc('\t', f);
		put_field(f, l->text);
		fprintf(f, "\t%u\t%d\n", l->line, (l->image ? 1 : 0) | (l->nav ? 2 : 0) | (l->hidden ? 4 : 0));
	}
	for (size_t i = 0; i < a->nf && i < MAX_FINDINGS; i++) {
		const struct pgd_patrol_finding *x = &a->f[i];
		fputs("F\t", f);
		put_field(f, x->category);
		fprintf(f, "\t%d\t%u\t", (int)x->severity, x->line);
		put_field(f, x->text);
		fputc('\t', f);
		put_field(f, x->message);
		fputc('\n', f);
	}
	fprintf(f, "D\t%d\t%ld\t%lld\t%lld\t", ff ? ff->error : 0, ff ? ff->status : 200,
		ff ? (long long)ff->time_ms : 0LL, ff ? (long long)ff->fetched_at : 0LL);
	put_field(f, ff ? ff->final_url : NULL);
	fputc('\n', f);
	if (cc->key) /* a journal: a killed patrol loses at most the record being written */
		fflush(f);
	if (ferror(f))
		cc->failed = 1;
	cc->n_out++;
}

void pgd_crawlcache_verdict(struct pgd_crawlcache *cc, const char *url, const struct pgd_crawl_fetch *ff)
{
	if (!cc || !cc->out || !cc->key || !url || !ff)
		return;
	fputs("V\t", cc->out);
	put_field(cc->out, url);
	fprintf(cc->out, "\t%d\t%ld\t%lld\t%d\t%d\t%ld\n", ff->error, ff->status, (long long)ff->time_ms,
		ff->rechecked ? 1 : 0, ff->first_error, ff->first_status);
	fflush(cc->out);
	cc->n_verdicts++;
	if (ferror(cc->out))
		cc->failed = 1;
}

void pgd_crawlcache_mark(struct pgd_crawlcache *cc, const char *url)
{
	if (!cc || !cc->out)
		return;
	fputs("K\t", cc->out);
	put_field(cc->out, url);
	fputc('\n', cc->out);
}

int pgd_crawlcache_commit(struct pgd_crawlcache *cc, struct pgd_err *err)
{
	int rc = 0;

	if (!cc || !cc->out)
		goto out;
	fprintf(cc->out, "Z\t%zu\n", cc->n_out);
	if (cc->failed || fflush(cc->out) != 0 || ferror(cc->out) || fsync(fileno(cc->out)) != 0) {
		rc = pgd_err_set(err, PGD_ERR_IO, cc->tmp_path, "写入巡查缓存文件“%s”失败：%s", cc->tmp_path,
				 strerror(errno));
		goto out;
	}
	if (fclose(cc->out) != 0) {
		cc->out = NULL;
		unlink(cc->tmp_path);
		rc = pgd_err_set(err, PGD_ERR_IO, cc->tmp_path, "写入巡查缓存文件“%s”失败：%s", cc->tmp_path,
				 strerror(errno));
		goto out;
	}
	cc->out = NULL;
	if (rename(cc->tmp_path, cc->path) != 0) {
		unlink(cc->tmp_path);
		rc = pgd_err_set(err, PGD_ERR_IO, cc->path, "无法更新巡查缓存文件“%s”：%s", cc->path, strerror(errno));
	}
out:
	return rc;
}

/* ---- resuming ---- */

size_t pgd_crawlcache_journal_count(const struct pgd_crawlcache *cc)
{
	return cc ? cc->jn : 0;
}

/* A link's verdict: the V line in cc->line (split into fv). */
static int parse_verdict(char **fv, int nf, struct pgd_crawl_fetch *ff)
{
	int64_t e, st, ms, re, fe, fs;
	if (nf != 8 || parse_i64(fv[2], &e) < 0 || parse_i64(fv[3], &st) < 0 || parse_i64(fv[4], &ms) < 0 ||
	    parse_i64(fv[5], &re) < 0 || parse_i64(fv[6], &fe) < 0 || parse_i64(fv[7], &fs) < 0)
		return -1;
	memset(ff, 0, sizeof(*ff));
	ff->error = (int)e;
	ff->status = (long)st;
	ff->time_ms = (double)ms;
	ff->rechecked = re != 0;
	ff->first_error = (int)fe;
	ff->first_status = (long)fs;
	return 0;
}

int pgd_crawlcache_replay(struct pgd_crawlcache *cc, const char *url, int *page, struct pgd_crawl_fetch *ff,
	char etag[256], char last_modified[64], struct pgd_page_analysis *a)
{
	uint64_t h;
	size_t lo;

	memset(a, 0, sizeof(*a));
	memset(ff, 0, sizeof(*ff));
	etag[0] = last_modified[0] = '\0';
	if (!cc || !cc->jr || !cc->jn || !url)
		return -1;
	h = url_hash(url);
	for (lo = first_slot(cc->jidx, cc->jn, h); lo < cc->jn && cc->jidx[lo].h == h; lo++) {
		char *fv[MAX_FIELDS];
		int nf;
		if (fseeko(cc->jr, (off_t)cc->jidx[lo].off, SEEK_SET) != 0 || next_line(cc, cc->jr) < 0)
			continue;
		if (cc->line[0] == 'P') {
			if (read_page(cc, cc->jr, cc->jidx[lo].off, url, etag, last_modified, a, ff) == 0) {
				*page = 1;
				return 0;
			}
			continue;
		}
		nf = split(cc->line, fv, MAX_FIELDS);
		if (cc->line[0] == 'V' && nf == 8 && fv[1] && strcmp(fv[1], url) == 0 && parse_verdict(fv, nf, ff) == 0) {
			*page = 0;
			return 0;
		}
	}
	return -1;
}
