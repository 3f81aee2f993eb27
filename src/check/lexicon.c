/* Loading the lexicon engine's data: the category table, the lexicons, the wording lists,
 * extra phrase lists (--lexicon) and the context rules; compiling them; the compiled-rule
 * cache (lexcache.c) skips all of it when the inputs are unchanged.
 *
 * Lexicon format (data/lexicons/ *.tsv, data/wording/ *.tsv, and extra lists with TABs):
 *   phrase<TAB>category<TAB>severity<TAB>suggestion<TAB>exceptions
 * '#' starts a comment line; trailing columns may be omitted; severity empty or '-' takes the
 * category's default; exceptions are '|'-separated longer legitimate phrases that contain the
 * phrase (平台独立 for 台独). Extra lists may instead be one phrase per line, or CSV
 * "phrase,category[,severity[,suggestion[,exceptions]]]" (an optional header line is skipped),
 * in UTF-8, GBK/GB18030 or UTF-16; the category defaults to prohibited.other_illegal. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pubguard/check.h"
#include "pubguard/doc.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "check/internal.h"
#include "check/lexicon.h"
#include "core/banned.h"

#define DEFAULT_EXTRA_CATEGORY "prohibited.other_illegal"
#define OPENCC_DIR "/usr/share/opencc"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- input files ---- */

struct lex_input {
	char *path;    /* as opened */
	char *label;   /* for the cache key: path relative to the data dir, or as given */
	char *data;    /* raw bytes (NUL-terminated) */
	size_t len;
	int kind;      /* INPUT_* */
};

enum { INPUT_CATEGORIES, INPUT_CONTEXT, INPUT_LEXICON, INPUT_EXTRA, INPUT_OPENCC };

struct lex_inputs {
	struct lex_input *v;
	size_t n, cap;
};

static void inputs_release(struct lex_inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->v[i].path);
		free(in->v[i].label);
		free(in->v[i].data);
	}
	free(in->v);
}

/* Read a whole file (up to PGD_LEX_FILE_MAX). new: *data (free()), NUL-terminated. */
static int read_whole(const char *path, char **data, size_t *len, struct pgd_err *err)
{
	struct stat st;
	int fd = -1, rc = 0;
	char *buf = NULL;
	size_t got = 0;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = pgd_err_set(err, errno == ENOENT ? PGD_ERR_NOT_FOUND : PGD_ERR_IO, path,
				 "无法打开词库文件 %s：%s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = pgd_err_set(err, PGD_ERR_IO, path, "词库文件 %s 不是普通文件", path);
		goto out;
	}
	if ((size_t)st.st_size > PGD_LEX_FILE_MAX) {
		rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, path, "词库文件 %s 超过 %zu MB 上限", path,
				 PGD_LEX_FILE_MAX >> 20);
		goto out;
	}
	buf = pgd_malloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = pgd_err_set(err, PGD_ERR_IO, path, "读取词库文件 %s 失败：%s", path,
					 strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int add_input(struct lex_inputs *in, const char *path, const char *label, int kind,
		     struct pgd_err *err)
{
	struct lex_input x;
	int rc;

	memset(&x, 0, sizeof(x));
	rc = read_whole(path, &x.data, &x.len, err);
	if (rc < 0)
		return rc;
	x.path = pgd_strdup(path);
	x.label = pgd_strdup(label);
	x.kind = kind;
	PGD_GROW(in->v, in->n + 1, in->cap);
	in->v[in->n++] = x;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every dir/ *.tsv in name order (a missing directory is empty). */
static int add_dir(struct lex_inputs *in, const char *data_dir, const char *sub,
		   struct pgd_err *err)
{
	char dir[4096], path[4096 + 256], label[512];
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/%s", data_dir, sub);
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 5 || strcmp(de->d_name + l - 4, ".tsv") != 0)
			continue;
		PGD_GROW(names, n + 1, cap);
		names[n++] = pgd_strdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(label, sizeof(label), "%s/%s", sub, names[i]);
		rc = add_input(in, path, label, INPUT_LEXICON, err);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int collect_inputs(const char *data_dir, const char *const *extra, size_t nextra,
			  struct lex_inputs *in, struct pgd_err *err)
{
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/categories.tsv", data_dir);
	rc = add_input(in, path, "categories.tsv", INPUT_CATEGORIES, err);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/context.tsv", data_dir);
	if (access(path, F_OK) == 0) {
		rc = add_input(in, path, "context.tsv", INPUT_CONTEXT, err);
		if (rc < 0)
			return rc;
	}
	rc = add_dir(in, data_dir, "lexicons", err);
	if (rc == 0)
		rc = add_dir(in, data_dir, "wording", err);
	for (size_t i = 0; rc == 0 && i < nextra; i++)
		rc = add_input(in, extra[i], extra[i], INPUT_EXTRA, err);
	if (rc < 0)
		return rc;
	/* the traditional->simplified table is an input too */
	static const char *const oc[] = { "t2s.json", "TSCharacters.ocd2" };
	for (size_t i = 0; i < sizeof(oc) / sizeof(oc[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", OPENCC_DIR, oc[i]);
		if (access(path, R_OK) == 0) {
			rc = add_input(in, path, path, INPUT_OPENCC, err);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static uint64_t inputs_key(const struct lex_inputs *in)
{
	char tag[256];
	uint64_t h = pgd_lex_hash(0x70676c6578ULL, PGD_LEX_MAGIC, sizeof(PGD_LEX_MAGIC));
	uint32_t v = PGD_LEX_VERSION;

	h = pgd_lex_hash(h, &v, sizeof(v));
	pgd_matcher_engine_tag(tag, sizeof(tag));
	h = pgd_lex_hash(h, tag, strlen(tag));
	for (size_t i = 0; i < in->n; i++) {
		uint64_t meta[2] = { (uint64_t)in->v[i].kind, (uint64_t)in->v[i].len };
		h = pgd_lex_hash(h, in->v[i].label, strlen(in->v[i].label) + 1);
		h = pgd_lex_hash(h, meta, sizeof(meta));
		h = pgd_lex_hash(h, in->v[i].data, in->v[i].len);
	}
	return h;
}

/* ---- builder helpers ---- */

uint32_t pgd_lexb_str(struct pgd_lexb *b, const char *s, size_t len)
{
	uint32_t off = (uint32_t)b->pool_len;
	PGD_GROW(b->pool, b->pool_len + len + 1, b->pool_cap);
	memcpy(b->pool + b->pool_len, s, len);
	b->pool[b->pool_len + len] = '\0';
	b->pool_len += len + 1;
	return off;
}

int pgd_lexb_cat_find(const struct pgd_lexb *b, const char *id, size_t len)
{
	for (size_t i = 0; i < b->ncats; i++) {
		const char *c = b->pool + b->cats[i].id;
		if (strlen(c) == len && memcmp(c, id, len) == 0)
			return (int)i;
	}
	return -1;
}

long pgd_lexb_phrase_find(const struct pgd_lexb *b, const char *p, size_t len)
{
	if (b->nslots == 0)
		return -1;
	size_t mask = b->nslots - 1;
	size_t i = (size_t)pgd_lex_hash(0, p, len) & mask;
	while (b->slots[i]) {
		const struct pgd_lex_entry *e = &b->entries[b->slots[i] - 1];
		if (e->phrase_len == len && memcmp(b->pool + e->phrase, p, len) == 0)
			return (long)(b->slots[i] - 1);
		i = (i + 1) & mask;
	}
	return -1;
}

static void slots_insert(uint32_t *slots, size_t nslots, const struct pgd_lexb *b,
			 uint32_t idx)
{
	const struct pgd_lex_entry *e = &b->entries[idx];
	size_t mask = nslots - 1;
	size_t i = (size_t)pgd_lex_hash(0, b->pool + e->phrase, e->phrase_len) & mask;
	while (slots[i])
		i = (i + 1) & mask;
	slots[i] = idx + 1;
}

static void slots_reserve(struct pgd_lexb *b, size_t need)
{
	if (need * 2 <= b->nslots)
		return;
	size_t n = b->nslots ? b->nslots : 1024;
	while (n < need * 2)
		n *= 2;
	uint32_t *s = pgd_calloc(n, sizeof(*s));
	for (size_t i = 0; i < b->nentries; i++)
		slots_insert(s, n, b, (uint32_t)i);
	free(b->slots);
	b->slots = s;
	b->nslots = n;
}

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

size_t pgd_lex_split(char *line, char sep, char **fields, size_t max)
{
	size_t n = 0;
	char *p = line;
	while (n < max) {
		char *q = strchr(p, sep);
		if (q && n + 1 < max)
			*q = '\0';
		else
			q = NULL;
		fields[n++] = trim(p);
		if (!q)
			break;
		p = q + 1;
	}
	return n;
}

/* CSV fields with "..." quoting ("" is a quote); in place. */
static size_t csv_split(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *p = line;
	for (;;) {
		char *w, *start;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			start = w = ++p;
			while (*p) {
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*w++ = *p++;
				}
			}
			while (*p && *p != ',')
				p++;
			char c = *p;
			*w = '\0';
			if (n < max)
				fields[n++] = trim(start);
			if (c != ',')
				break;
			p++;
		} else {
			start = p;
			while (*p && *p != ',')
				p++;
			char c = *p;
			*p = '\0';
			if (n < max)
				fields[n++] = trim(start);
			if (c != ',')
				break;
			p++;
		}
	}
	return n;
}

static size_t count_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static int is_ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_ascii_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int ascii_edge(const char *p, size_t n, int at_end)
{
	unsigned char c = (unsigned char)p[at_end ? n - 1 : 0];
	unsigned char next = n > 1 ? (unsigned char)p[at_end ? n - 2 : 1] : 0;
	if (is_ascii_letter(c))
		return 1;
	return is_ascii_alnum(c) && (n == 1 || is_ascii_alnum(next));
}

/* Add one entry; a phrase already present (same normalised form) keeps its first entry. */
static int add_entry(struct pgd_lexb *b, const char *path, size_t lineno, const char *phrase,
		     int cat, int sev, const char *sugg, const char *exceptions,
		     struct pgd_err *err)
{
	size_t nl = 0, nxs = 0, xs_cap = 0;
	struct pgd_lexb_exc *xs = NULL;
	char *np = NULL;
	int rc = 0;

	if (*phrase == '\0') {
		rc = pgd_err_set(err, PGD_ERR_RULES, path, "%s:%zu：词语为空", path, lineno);
		goto out;
	}
	np = pgd_normalise_phrase(b->cm, phrase, strlen(phrase), &nl);
	if (np == NULL) {
		rc = pgd_err_set(err, PGD_ERR_RULES, path,
				 "%s:%zu：词语“%s”含有句末标点或换行，无法匹配", path, lineno, phrase);
		goto out;
	}
	if (nl == 0) {
		rc = pgd_err_set(err, PGD_ERR_RULES, path,
				 "%s:%zu：词语“%s”只有空白或符号，规范化后为空", path, lineno, phrase);
		goto out;
	}
	if (nl > 1024) {
		rc = pgd_err_set(err, PGD_ERR_RULES, path, "%s:%zu：词语过长（超过 1024 字节）",
				 path, lineno);
		goto out;
	}
	/* exceptions: validated even for a repeated phrase; every occurrence of the phrase
	 * inside each exception is recorded */
	if (exceptions && *exceptions) {
		char *ex = pgd_strdup(exceptions), *p = ex;
		while (rc == 0 && p) {
			char *bar = strchr(p, '|');
			if (bar)
				*bar = '\0';
			char *t = trim(p);
			if (*t) {
				size_t xl = 0;
				char *nx = pgd_normalise_phrase(b->cm, t, strlen(t), &xl);
				int found = 0;
				for (size_t k = 0; nx && xl >= nl && k + nl <= xl; k++) {
					if (memcmp(nx + k, np, nl) != 0)
						continue;
					PGD_GROW(xs, nxs + 1, xs_cap);
					xs[nxs].entry = (uint32_t)b->nentries;
					xs[nxs].x.str = PGD_LEX_NONE;
					xs[nxs].x.len = (uint32_t)xl;
					xs[nxs].x.pos = (uint32_t)k;
					if (!found)
						xs[nxs].x.str = pgd_lexb_str(b, nx, xl);
					else
						xs[nxs].x.str = xs[nxs - 1].x.str;
					nxs++;
					found = 1;
				}
				if (!found)
					rc = pgd_err_set(err, PGD_ERR_RULES, path,
							 "%s:%zu：例外词“%s”不包含词语“%s”", path,
							 lineno, t, phrase);
				free(nx);
			}
			p = bar ? bar + 1 : NULL;
		}
		free(ex);
		if (rc < 0)
			goto out;
	}
	if (pgd_lexb_phrase_find(b, np, nl) >= 0)
		goto out; /* the first definition wins */
	if (b->nentries >= (size_t)UINT32_MAX / 2) {
		rc = pgd_err_set(err, PGD_ERR_RULES, path, "%s:%zu：词库条目过多", path, lineno);
		goto out;
	}
	struct pgd_lex_entry e;
	memset(&e, 0, sizeof(e));
	e.phrase = pgd_lexb_str(b, np, nl);
	e.phrase_len = (uint32_t)nl;
	e.nchars = (uint32_t)count_chars(np, nl);
	e.sugg = (sugg && *sugg) ? pgd_lexb_str(b, sugg, strlen(sugg)) : PGD_LEX_NONE;
	e.cat = (uint16_t)cat;
	e.sev = (uint8_t)(sev >= 0 ? (unsigned)sev : b->cats[cat].sev);
	/* an ASCII word at an edge must not match inside a longer ASCII word (sb in usb); a
	 * lone digit after Chinese (截止2) is not a word and may be followed by more digits */
	if (ascii_edge(np, nl, 0))
		e.flags |= PGD_LEX_ASCII_START;
	if (ascii_edge(np, nl, 1))
		e.flags |= PGD_LEX_ASCII_END;
	uint32_t idx = (uint32_t)b->nentries;
	if (nxs) {
		PGD_GROW(b->excs, b->nexcs + nxs, b->excs_cap);
		memcpy(b->excs + b->nexcs, xs, nxs * sizeof(*xs));
		b->nexcs += nxs;
	}
	slots_reserve(b, b->nentries + 1);
	PGD_GROW(b->entries, b->nentries + 1, b->entries_cap);
	b->entries[b->nentries++] = e;
	slots_insert(b->slots, b->nslots, b, idx);
out:
	free(xs);
	free(np);
	return rc;
}

static int parse_sev(const char *s, int *out)
{
	enum pgd_severity sev;
	if (*s == '\0' || strcmp(s, "-") == 0) {
		*out = -1;
		return 0;
	}
	if (pgd_severity_parse(s, &sev) < 0)
		return -1;
	*out = (int)sev;
	return 0;
}

char *pgd_lex_next_line(struct pgd_lex_lines *it)
{
	char *line, *nl;
	if (it->p >= it->end)
		return NULL;
	line = it->p;
	nl = memchr(line, '\n', (size_t)(it->end - line));
	if (nl) {
		*nl = '\0';
		it->p = nl + 1;
	} else {
		it->p = it->end;
	}
	it->lineno++;
	return line;
}

static int is_blank_or_comment(const char *line)
{
	while (*line == ' ' || *line == '\t' || *line == '\r')
		line++;
	return *line == '\0' || *line == '#';
}

static int check_utf8(const char *path, const char *text, size_t len, struct pgd_err *err)
{
	if (pgd_utf8_valid(text, len))
		return 0;
	size_t line = 1;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = pgd_utf8_decode(text + i, len - i, &cp);
		if (n < 0)
			return pgd_err_set(err, PGD_ERR_ENCODING, path,
					   "%s:%zu：不是有效的 UTF-8 文本", path, line);
		if (text[i] == '\n')
			line++;
		i += (size_t)n;
	}
	return 0;
}

static int parse_categories(struct pgd_lexb *b, const struct lex_input *in, struct pgd_err *err)
{
	struct pgd_lex_lines it = { in->data, in->data + in->len, 0 };
	char *line;
	int rc = 0;

	rc = check_utf8(in->path, in->data, in->len, err);
	if (rc < 0)
		return rc;
	while ((line = pgd_lex_next_line(&it)) != NULL) {
		size_t lineno = it.lineno;
		char *f[6];
		int sev;
		if (is_blank_or_comment(line))
			continue;
		size_t nf = pgd_lex_split(line, '\t', f, 6);
		if (nf < 3 || *f[0] == '\0' || *f[1] == '\0')
			return pgd_err_set(err, PGD_ERR_RULES, in->path,
					   "%s:%zu：类别行应为“类别编号<TAB>中文名称<TAB>默认级别<TAB>条款<TAB>提示模板<TAB>说明”",
					   in->path, lineno);
		if (strlen(f[0]) >= sizeof(((struct pgd_finding *)0)->category))
			return pgd_err_set(err, PGD_ERR_RULES, in->path, "%s:%zu：类别编号“%s”过长",
					   in->path, lineno, f[0]);
		if (parse_sev(f[2], &sev) < 0 || sev < 0)
			return pgd_err_set(err, PGD_ERR_RULES, in->path,
					   "%s:%zu：未知级别“%s”（应为 block、review 或 info）",
					   in->path, lineno, f[2]);
		if (pgd_lexb_cat_find(b, f[0], strlen(f[0])) >= 0)
			return pgd_err_set(err, PGD_ERR_RULES, in->path, "%s:%zu：类别“%s”重复",
					   in->path, lineno, f[0]);
		if (b->ncats >= PGD_LEX_MAX_CATS)
			return pgd_err_set(err, PGD_ERR_RULES, in->path,
					   "%s:%zu：类别超过 %d 个", in->path, lineno,
					   PGD_LEX_MAX_CATS);
		struct pgd_lex_cat c;
		const char *art = nf > 3 ? f[3] : "";
		const char *msg = nf > 4 && *f[4] ? f[4] : "{name}";
		const char *desc = nf > 5 ? f[5] : "";
		c.id = pgd_lexb_str(b, f[0], strlen(f[0]));
		c.name = pgd_lexb_str(b, f[1], strlen(f[1]));
		c.article = pgd_lexb_str(b, art, strlen(art));
		c.message = pgd_lexb_str(b, msg, strlen(msg));
		c.desc = pgd_lexb_str(b, desc, strlen(desc));
		c.sev = (uint32_t)sev;
		PGD_GROW(b->cats, b->ncats + 1, b->cats_cap);
		b->cats[b->ncats++] = c;
	}
	if (b->ncats == 0)
		rc = pgd_err_set(err, PGD_ERR_RULES, in->path, "%s：类别表为空", in->path);
	return rc;
}

static int cat_of(struct pgd_lexb *b, const char *path, size_t lineno, const char *id,
		  int *out, struct pgd_err *err)
{
	*out = pgd_lexb_cat_find(b, id, strlen(id));
	if (*out < 0)
		return pgd_err_set(err, PGD_ERR_RULES, path,
				   "%s:%zu：未知类别“%s”（见 categories.tsv）", path, lineno, id);
	return 0;
}

/* One lexicon line split into fields: phrase, category, severity, suggestion, exceptions. */
static int add_fields(struct pgd_lexb *b, const char *path, size_t lineno, char **f, size_t nf,
		      int default_cat, struct pgd_err *err)
{
	int cat = default_cat, sev = -1, rc;

	if (nf >= 2 && *f[1]) {
		rc = cat_of(b, path, lineno, f[1], &cat, err);
		if (rc < 0)
			return rc;
	}
	if (cat < 0)
		return pgd_err_set(err, PGD_ERR_RULES, path, "%s:%zu：缺少类别", path, lineno);
	if (nf >= 3 && parse_sev(f[2], &sev) < 0)
		return pgd_err_set(err, PGD_ERR_RULES, path,
				   "%s:%zu：未知级别“%s”（应为 block、review、info 或留空）", path,
				   lineno, f[2]);
	return add_entry(b, path, lineno, f[0], cat, sev, nf >= 4 ? f[3] : NULL,
			 nf >= 5 ? f[4] : NULL, err);
}

static int parse_lexicon(struct pgd_lexb *b, const struct lex_input *in, struct pgd_err *err)
{
	struct pgd_lex_lines it = { in->data, in->data + in->len, 0 };
	char *line;
	int rc = check_utf8(in->path, in->data, in->len, err);

	if (rc < 0)
		return rc;
	while ((line = pgd_lex_next_line(&it)) != NULL) {
		char *f[5];
		if (is_blank_or_comment(line))
			continue;
		size_t nf = pgd_lex_split(line, '\t', f, 5);
		rc = add_fields(b, in->path, it.lineno, f, nf, -1, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int is_header(const char *f0)
{
	static const char *const names[] = { "phrase", "word", "keyword", "词语", "敏感词",
					     "关键词", "词条" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(f0, names[i]) == 0)
			return 1;
	return 0;
}

static int parse_extra(struct pgd_lexb *b, const struct lex_input *in, struct pgd_err *err)
{
	struct pgd_lex_lines it;
	char *text = NULL, *line;
	size_t len = 0;
	int first = 1, rc;
	int defcat = pgd_lexb_cat_find(b, DEFAULT_EXTRA_CATEGORY, strlen(DEFAULT_EXTRA_CATEGORY));

	rc = pgd_text_decode(in->path, in->data, in->len, NULL, 1, &text, &len, NULL, err);
	if (rc < 0)
		return rc;
	it.p = text;
	it.end = text + len;
	it.lineno = 0;
	while ((line = pgd_lex_next_line(&it)) != NULL) {
		char *f[5];
		size_t nf;
		if (is_blank_or_comment(line))
			continue;
		if (strchr(line, '\t'))
			nf = pgd_lex_split(line, '\t', f, 5);
		else if (strchr(line, ','))
			nf = csv_split(line, f, 5);
		else {
			f[0] = trim(line);
			nf = 1;
		}
		if (first && is_header(f[0])) {
			first = 0;
			continue;
		}
		first = 0;
		rc = add_fields(b, in->path, it.lineno, f, nf, defcat, err);
		if (rc < 0)
			break;
	}
	free(text);
	return rc;
}

/* ---- finishing: the flat blob ---- */

static int cmp_exc(const void *a, const void *b)
{
	const struct pgd_lexb_exc *x = a, *y = b;
	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	if (x->x.str != y->x.str)
		return x->x.str < y->x.str ? -1 : 1;
	return x->x.pos < y->x.pos ? -1 : x->x.pos > y->x.pos;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static void build_blob(struct pgd_lexb *b, uint64_t key, struct pgd_lexicon *lex)
{
	struct pgd_lex_header h;
	size_t off;
	char *blob;

	if (b->nexcs > 1)
		qsort(b->excs, b->nexcs, sizeof(*b->excs), cmp_exc);
	for (size_t i = 0; i < b->nentries; i++)
		b->entries[i].exc = b->entries[i].nexc = 0;
	for (size_t i = 0; i < b->nexcs; i++) {
		struct pgd_lex_entry *e = &b->entries[b->excs[i].entry];
		if (e->nexc == 0)
			e->exc = (uint32_t)i;
		e->nexc++;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, PGD_LEX_MAGIC, sizeof(PGD_LEX_MAGIC));
	h.version = PGD_LEX_VERSION;
	h.ncats = (uint32_t)b->ncats;
	h.nentries = (uint32_t)b->nentries;
	h.nexcs = (uint32_t)b->nexcs;
	h.nctx = (uint32_t)b->nctx;
	h.pool_len = (uint32_t)b->pool_len;
	h.intro_lines = b->intro_lines;
	for (size_t i = 0; i < b->nctx; i++)
		if (b->ctx[i].window > h.max_window)
			h.max_window = b->ctx[i].window;
	h.key = key;
	off = align8(sizeof(h));
	h.off_cats = off;
	off = align8(off + b->ncats * sizeof(struct pgd_lex_cat));
	h.off_entries = off;
	off = align8(off + b->nentries * sizeof(struct pgd_lex_entry));
	h.off_excs = off;
	off = align8(off + b->nexcs * sizeof(struct pgd_lex_exc));
	h.off_ctx = off;
	off = align8(off + b->nctx * sizeof(struct pgd_ctx_rule));
	h.off_pool = off;
	off = align8(off + b->pool_len);
	h.off_charmap = off;
	off = align8(off + sizeof(struct pgd_charmap));
	h.total = off;

	blob = pgd_calloc(1, off);
	memcpy(blob, &h, sizeof(h));
	if (b->ncats)
		memcpy(blob + h.off_cats, b->cats, b->ncats * sizeof(struct pgd_lex_cat));
	if (b->nentries)
		memcpy(blob + h.off_entries, b->entries, b->nentries * sizeof(struct pgd_lex_entry));
	for (size_t i = 0; i < b->nexcs; i++)
		memcpy(blob + h.off_excs + i * sizeof(struct pgd_lex_exc), &b->excs[i].x,
		       sizeof(struct pgd_lex_exc));
	if (b->nctx)
		memcpy(blob + h.off_ctx, b->ctx, b->nctx * sizeof(struct pgd_ctx_rule));
	if (b->pool_len)
		memcpy(blob + h.off_pool, b->pool, b->pool_len);
	memcpy(blob + h.off_charmap, b->cm, sizeof(struct pgd_charmap));
	lex->blob = blob;
	lex->blob_len = off;
	lex->blob_mapped = 0;
}

static int compile_matcher(struct pgd_lexicon *lex, struct pgd_err *err)
{
	size_t n = lex->h->nentries;
	const char **lits = pgd_calloc(n ? n : 1, sizeof(*lits));
	size_t *lens = pgd_calloc(n ? n : 1, sizeof(*lens));
	unsigned *ids = pgd_calloc(n ? n : 1, sizeof(*ids));
	double t0 = now_ms();
	int rc;

	for (size_t i = 0; i < n; i++) {
		lits[i] = lex->pool + lex->entries[i].phrase;
		lens[i] = lex->entries[i].phrase_len;
		ids[i] = (unsigned)i;
	}
	rc = pgd_matcher_compile(lits, lens, ids, n, &lex->matcher, err);
	lex->compile_ms = now_ms() - t0;
	free(lits);
	free(lens);
	free(ids);
	return rc;
}

static void lexb_release(struct pgd_lexb *b)
{
	free(b->cm);
	free(b->cats);
	free(b->entries);
	free(b->excs);
	free(b->ctx);
	free(b->pool);
	free(b->slots);
}

static int build(const struct lex_inputs *in, uint64_t key, struct pgd_lexicon *lex,
		 struct pgd_err *err)
{
	struct pgd_lexb b;
	int rc;

	memset(&b, 0, sizeof(b));
	b.intro_lines = 40;
	pgd_lexb_str(&b, "", 0); /* offset 0 is the empty string */
	rc = pgd_charmap_build(NULL, &b.cm, err);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < in->n && rc == 0; i++)
		if (in->v[i].kind == INPUT_CATEGORIES)
			rc = parse_categories(&b, &in->v[i], err);
	for (size_t i = 0; i < in->n && rc == 0; i++)
		if (in->v[i].kind == INPUT_LEXICON)
			rc = parse_lexicon(&b, &in->v[i], err);
	for (size_t i = 0; i < in->n && rc == 0; i++)
		if (in->v[i].kind == INPUT_EXTRA)
			rc = parse_extra(&b, &in->v[i], err);
	for (size_t i = 0; i < in->n && rc == 0; i++)
		if (in->v[i].kind == INPUT_CONTEXT)
			rc = pgd_context_parse(&b, in->v[i].path, in->v[i].data, in->v[i].len, err);
	if (rc < 0)
		goto out;
	build_blob(&b, key, lex);
	if (pgd_lex_attach(lex) < 0) {
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "词库数据内部不一致");
		goto out;
	}
	rc = compile_matcher(lex, err);
out:
	lexb_release(&b);
	return rc;
}

/* ---- public ---- */

int pgd_lexicon_load(const char *data_dir, const char *const *extra, size_t nextra,
		     const char *cache_dir, struct pgd_lexicon **out, struct pgd_err *err)
{
	struct pgd_lexicon *lex = pgd_calloc(1, sizeof(*lex));
	struct lex_inputs in;
	double t0 = now_ms();
	uint64_t key;
	int rc;

	*out = NULL;
	memset(&in, 0, sizeof(in));
	rc = collect_inputs(data_dir, extra, nextra, &in, err);
	if (rc < 0)
		goto out;
	key = inputs_key(&in);
	if (cache_dir && *cache_dir && pgd_lexcache_load(cache_dir, key, lex) == 0) {
		lex->from_cache = 1;
	} else {
		rc = build(&in, key, lex, err);
		if (rc < 0)
			goto out;
		if (cache_dir && *cache_dir)
			pgd_lexcache_save(cache_dir, lex);
	}
	lex->load_ms = now_ms() - t0;
	*out = lex;
	lex = NULL;
out:
	inputs_release(&in);
	pgd_lexicon_free(lex);
	return rc;
}

void pgd_lexicon_free(struct pgd_lexicon *lex)
{
	if (lex == NULL)
		return;
	pgd_matcher_free(lex->matcher);
	pgd_context_index_free(lex->ctx_index);
	free(lex->enc);
	if (lex->blob_mapped)
		munmap(lex->blob, lex->blob_len);
	else
		free(lex->blob);
	free(lex);
}

size_t pgd_lexicon_count(const struct pgd_lexicon *lex)
{
	return lex && lex->h ? lex->h->nentries : 0;
}

int pgd_lexicon_cache_hit(const struct pgd_lexicon *lex)
{
	return lex ? lex->from_cache : 0;
}

const char *pgd_lexicon_category_name(const struct pgd_lexicon *lex, const char *id)
{
	if (lex == NULL || lex->h == NULL || id == NULL)
		return NULL;
	for (uint32_t i = 0; i < lex->h->ncats; i++)
		if (strcmp(lex->pool + lex->cats[i].id, id) == 0)
			return lex->pool + lex->cats[i].name;
	return NULL;
}

void pgd_lexicon_stats(const struct pgd_lexicon *lex, struct pgd_lexicon_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (lex == NULL)
		return;
	st->phrases = pgd_lexicon_count(lex);
	st->load_ms = lex->load_ms;
	st->compile_ms = lex->compile_ms;
	st->from_cache = lex->from_cache;
	st->db_bytes = pgd_matcher_size(lex->matcher);
	st->table_bytes = lex->blob_len;
}
