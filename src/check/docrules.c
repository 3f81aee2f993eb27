/* The document rules: loading their data, the shared scanning helpers, and running them.
 * See docrules.h for the helpers and rule_*.c for the rules themselves. */
#define _GNU_SOURCE /* memmem, memrchr */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/docrules.h"
#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "core/banned.h"

#define TSV_MAX_BYTES ((size_t)4 << 20)
#define TSV_MAX_FIELDS 16

struct pgd_docrules {
	struct pgd_rule_repost *repost;
	struct pgd_rule_map *map;
	struct pgd_rule_secrecy *secrecy;
	struct pgd_rule_pii *pii;
};

/* ---------------------------------------------------------------- data files */

int pgd_dr_bad_line(struct pgd_err *err, const struct pgd_dr_line *ln, const char *what)
{
	return pgd_err_set(err, PGD_ERR_RULES, ln->path, "规则数据文件有误：%s:%u：%s", ln->path,
			   ln->lineno, what);
}

int pgd_dr_parse_severity(const struct pgd_dr_line *ln, const char *s, enum pgd_severity *out,
			  struct pgd_err *err)
{
	if (pgd_severity_parse(s, out) != 0)
		return pgd_dr_bad_line(err, ln, "严重程度应为 block、review 或 info");
	return 0;
}

int pgd_dr_parse_uint(const struct pgd_dr_line *ln, const char *s, unsigned *out,
		      struct pgd_err *err)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 9)
			return pgd_dr_bad_line(err, ln, "应为非负整数");
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (i == 0)
		return pgd_dr_bad_line(err, ln, "应为非负整数");
	*out = v;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int read_all(const char *path, char **out, size_t *out_len, struct pgd_err *err)
{
	FILE *fp = NULL;
	char *data = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		rc = pgd_err_set(err, errno == ENOENT ? PGD_ERR_NOT_FOUND : PGD_ERR_IO, path,
				 "无法打开规则数据文件 %s：%s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		size_t got;
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 16384;
			data = pgd_realloc(data, cap + 1);
		}
		got = fread(data + len, 1, cap - len, fp);
		len += got;
		if (len > TSV_MAX_BYTES) {
			rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, path,
					 "规则数据文件 %s 超过 4 MiB 上限", path);
			goto out;
		}
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		rc = pgd_err_set(err, PGD_ERR_IO, path, "读取规则数据文件 %s 失败", path);
		goto out;
	}
	data[len] = '\0';
	*out = data;
	*out_len = len;
	data = NULL;
out:
	if (fp)
		fclose(fp);
	free(data);
	return rc;
}

int pgd_dr_read_tsv(const char *dir, const char *name, int required, pgd_dr_line_fn fn,
		    void *ctx, struct pgd_err *err)
{
	char *path = NULL, *data = NULL, *p, *end;
	char *fields[TSV_MAX_FIELDS];
	size_t len = 0, plen;
	unsigned lineno = 0;
	int rc = 0;

	plen = strlen(dir) + strlen(name) + 2;
	path = pgd_malloc(plen);
	snprintf(path, plen, "%s/%s", dir, name);
	rc = read_all(path, &data, &len, err);
	if (rc == PGD_ERR_NOT_FOUND && !required) {
		pgd_err_clear(err);
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	if (memchr(data, '\0', len) != NULL || !pgd_utf8_valid(data, len)) {
		rc = pgd_err_set(err, PGD_ERR_RULES, path, "规则数据文件 %s 不是有效的 UTF-8 文本",
				 path);
		goto out;
	}
	p = data;
	end = data + len;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line = p, *t;
		struct pgd_dr_line ln;
		size_t nf = 0;

		if (nl) {
			*nl = '\0';
			p = nl + 1;
		} else {
			p = end;
		}
		lineno++;
		t = line;
		while (*t == ' ' || *t == '\t' || *t == '\r')
			t++;
		if (*t == '\0' || *t == '#')
			continue;
		/* split at tabs */
		for (char *f = line;;) {
			char *tab = strchr(f, '\t');
			if (nf == TSV_MAX_FIELDS) {
				ln.path = path;
				ln.lineno = lineno;
				rc = pgd_dr_bad_line(err, &ln, "字段过多");
				goto out;
			}
			if (tab)
				*tab = '\0';
			fields[nf++] = trim(f);
			if (!tab)
				break;
			f = tab + 1;
		}
		while (nf > 1 && fields[nf - 1][0] == '\0')
			nf--; /* trailing empty fields */
		ln.path = path;
		ln.lineno = lineno;
		ln.f = fields;
		ln.nf = nf;
		rc = fn(ctx, &ln, err);
		if (rc)
			goto out;
	}
out:
	free(data);
	free(path);
	return rc;
}

/* ---------------------------------------------------------------- strings */

void pgd_dr_strs_add(struct pgd_dr_strs *s, const char *str)
{
	PGD_GROW(s->v, s->n + 1, s->cap);
	s->v[s->n++] = pgd_strdup(str);
}

void pgd_dr_strs_release(struct pgd_dr_strs *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* ---------------------------------------------------------------- literal finder */

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Code point starting at s[i] for first-character lookup (no validation needed: a wrong
 * guess only means a failed comparison); *n gets the step. */
static uint32_t peek_cp(const char *s, size_t end, size_t i, size_t *n)
{
	unsigned char b = (unsigned char)s[i];

	if (b < 0x80) {
		*n = 1;
		return lower(b);
	}
	if ((b & 0xE0) == 0xC0 && i + 1 < end) {
		*n = 2;
		return ((uint32_t)(b & 0x1F) << 6) | ((unsigned char)s[i + 1] & 0x3F);
	}
	if ((b & 0xF0) == 0xE0 && i + 2 < end) {
		*n = 3;
		return ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)((unsigned char)s[i + 1] & 0x3F) << 6) |
		       ((unsigned char)s[i + 2] & 0x3F);
	}
	if ((b & 0xF8) == 0xF0 && i + 3 < end) {
		*n = 4;
		return ((uint32_t)(b & 0x07) << 18) |
		       ((uint32_t)((unsigned char)s[i + 1] & 0x3F) << 12) |
		       ((uint32_t)((unsigned char)s[i + 2] & 0x3F) << 6) |
		       ((unsigned char)s[i + 3] & 0x3F);
	}
	*n = 1;
	return 0xFFFD;
}

void pgd_dr_lits_add(struct pgd_dr_lits *l, const char *pat, int tag)
{
	struct pgd_dr_lit *x;
	size_t n;

	PGD_GROW(l->v, l->n + 1, l->cap);
	x = &l->v[l->n++];
	x->pat = pgd_strdup(pat);
	x->len = strlen(pat);
	for (size_t i = 0; i < x->len; i++)
		x->pat[i] = (char)lower((unsigned char)x->pat[i]);
	x->tag = tag;
	x->first = x->len ? peek_cp(x->pat, x->len, 0, &n) : 0;
}

static int cmp_lit(const void *a, const void *b)
{
	const struct pgd_dr_lit *x = a, *y = b;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return 0;
}

static void set_bit(uint64_t *set, uint32_t c)
{
	set[c >> 6] |= (uint64_t)1 << (c & 63);
}

static int get_bit(const uint64_t *set, uint32_t c)
{
	return (int)((set[c >> 6] >> (c & 63)) & 1);
}

/* 16-bit hash of a (first, second) code point pair. */
static uint32_t pair_hash(uint32_t a, uint32_t b)
{
	return ((a * 0x9E3779B1u) ^ (b * 0x85EBCA77u)) >> 16;
}

/* Step over the character whose lead byte is b at s[i] (1 for ASCII, stray or cut bytes),
 * exactly as peek_cp() steps. */
static size_t step_at(unsigned char b, size_t i, size_t end)
{
	if ((b & 0xE0) == 0xC0 && i + 1 < end)
		return 2;
	if ((b & 0xF0) == 0xE0 && i + 2 < end)
		return 3;
	if ((b & 0xF8) == 0xF0 && i + 3 < end)
		return 4;
	return 1;
}

void pgd_dr_lits_build(struct pgd_dr_lits *l)
{
	free(l->bits);
	free(l->nopair);
	free(l->pairs);
	l->bits = pgd_calloc(65536 / 64, sizeof(uint64_t));
	l->nopair = pgd_calloc(65536 / 64, sizeof(uint64_t));
	l->pairs = pgd_calloc(65536 / 64, sizeof(uint64_t));
	memset(l->lead, 0, sizeof(l->lead));
	l->astral = 0;
	if (l->n)
		qsort(l->v, l->n, sizeof(l->v[0]), cmp_lit);
	for (size_t i = 0; i < l->n; i++) {
		const struct pgd_dr_lit *x = &l->v[i];
		uint32_t c = x->first, c2;
		size_t n1, n2;

		if (x->len == 0)
			continue;
		l->lead[(unsigned char)x->pat[0]] = 1;
		if (c == 0xFFFD) /* cut or stray bytes decode to U+FFFD: no lead-byte filter */
			memset(l->lead, 1, sizeof(l->lead));
		if (c >= 0x10000) {
			l->astral = 1;
			continue;
		}
		set_bit(l->bits, c);
		if (c < 0x80 && is_alpha((unsigned char)c)) {
			set_bit(l->bits, c - 32);
			l->lead[c - 32] = 1;
		}
		/* the second character, when it is a plain one (not ' ' nor '：') */
		peek_cp(x->pat, x->len, 0, &n1);
		if (n1 >= x->len || x->pat[n1] == ' ' ||
		    (x->len - n1 >= 3 && memcmp(x->pat + n1, "：", 3) == 0)) {
			set_bit(l->nopair, c);
			if (c < 0x80 && is_alpha((unsigned char)c))
				set_bit(l->nopair, c - 32);
			continue;
		}
		c2 = peek_cp(x->pat, x->len, n1, &n2);
		set_bit(l->pairs, pair_hash(c, c2));
		if (c < 0x80 && is_alpha((unsigned char)c))
			set_bit(l->pairs, pair_hash(c - 32, c2));
	}
}

void pgd_dr_lits_release(struct pgd_dr_lits *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].pat);
	free(l->v);
	free(l->bits);
	free(l->nopair);
	free(l->pairs);
	memset(l, 0, sizeof(*l));
}

/* Width of a pattern-' ' separator at s[i], 0 when none. */
static size_t sep_width(const char *s, size_t end, size_t i)
{
	size_t w = pgd_dr_space(s, end, i);
	if (w)
		return w;
	if (s[i] == ',')
		return 1;
	if (end - i >= 3 && (memcmp(s + i, "，", 3) == 0 || memcmp(s + i, "、", 3) == 0))
		return 3;
	if (end - i >= 2 && memcmp(s + i, "·", 2) == 0)
		return 2;
	return 0;
}

size_t pgd_dr_lits_match_at(const struct pgd_dr_lits *l, size_t i, const char *s, size_t end,
			    size_t pos)
{
	const struct pgd_dr_lit *x = &l->v[i];
	size_t j = 0, t = pos;

	if (x->len == 0)
		return 0;
	if (is_alpha((unsigned char)x->pat[0]) && pos > 0 && is_alpha((unsigned char)s[pos - 1]))
		return 0;
	while (j < x->len) {
		if (x->pat[j] == ' ') {
			size_t w;
			while (t < end && (w = sep_width(s, end, t)) != 0)
				t += w;
			j++;
			continue;
		}
		if (x->len - j >= 3 && memcmp(x->pat + j, "：", 3) == 0) {
			if (t < end && s[t] == ':')
				t += 1;
			else if (end - t >= 3 && memcmp(s + t, "：", 3) == 0)
				t += 3;
			else
				return 0;
			j += 3;
			continue;
		}
		if (t >= end || lower((unsigned char)s[t]) != (unsigned char)x->pat[j])
			return 0;
		t++;
		j++;
	}
	if (is_alpha((unsigned char)x->pat[x->len - 1]) && t < end && is_alpha((unsigned char)s[t]))
		return 0;
	return t - pos;
}

/* Matches at s[i] whose first character is c: the longest, 0 when none. */
static size_t best_at(const struct pgd_dr_lits *l, uint32_t c, const char *s, size_t end,
		      size_t i, int *tag)
{
	size_t lo = 0, hi = l->n, best = 0;

	while (lo < hi) { /* lower bound of first == c */
		size_t mid = (lo + hi) / 2;
		if (l->v[mid].first < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < l->n && l->v[k].first == c; k++) {
		size_t m = pgd_dr_lits_match_at(l, k, s, end, i);
		if (m > best) {
			best = m;
			*tag = l->v[k].tag;
		}
	}
	return best;
}

/* Is a pattern possible at s[i] (a character start)? Filters by the first character and the
 * hashed (first, second) pair, then compares the patterns. Returns the match length (0: none)
 * and sets *n to the width of the character at i. */
static size_t try_at(const struct pgd_dr_lits *l, const char *s, size_t end, size_t i, size_t *n,
		     int *tag)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char b = u[i];
	size_t n2;
	uint32_t c, c2;

	/* fast path: the three-byte characters of Chinese text */
	if ((b & 0xF0) == 0xE0 && end - i >= 3) {
		c = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(u[i + 1] & 0x3F) << 6) |
		    (u[i + 2] & 0x3F);
		*n = 3;
	} else if (b < 0x80) {
		c = lower(b);
		*n = 1;
	} else {
		c = peek_cp(s, end, i, n);
	}
	if (c >= 0x10000) {
		if (!l->astral)
			return 0;
	} else {
		if (!get_bit(l->bits, c))
			return 0;
		if (!get_bit(l->nopair, c)) {
			/* every pattern starting with c has a plain second character */
			if (i + *n >= end)
				return 0;
			c2 = peek_cp(s, end, i + *n, &n2);
			if (!get_bit(l->pairs, pair_hash(c, c2)))
				return 0;
		}
	}
	return best_at(l, c, s, end, i, tag);
}

int pgd_dr_lits_next(const struct pgd_dr_lits *l, const char *s, size_t end, size_t *pos,
		     size_t *mlen, int *tag)
{
	const unsigned char *u = (const unsigned char *)s;
	const unsigned char *lead = l->lead;
	size_t i = *pos, n, best;

	if (l->n == 0 || l->bits == NULL)
		return 0;
	/* One pass, character by character: a character that is no pattern's first character
	 * (by its code point for Chinese, by its lead byte otherwise) is stepped over at once;
	 * otherwise try_at() tests its code point against the set of first
	 * characters and the hashed (first, second) pair before any pattern is compared. */
	while (i < end) {
		unsigned char b = u[i];
		/* the three-byte characters of Chinese text: straight to the first-character set */
		if ((b & 0xF0) == 0xE0 && end - i >= 3) {
			uint32_t c = ((uint32_t)(b & 0x0F) << 12) |
				     ((uint32_t)(u[i + 1] & 0x3F) << 6) | (u[i + 2] & 0x3F);
			if (!get_bit(l->bits, c)) {
				i += 3;
				continue;
			}
		} else if (!lead[b]) {
			i += b < 0x80 ? 1 : step_at(b, i, end);
			continue;
		}
		if ((best = try_at(l, s, end, i, &n, tag)) != 0) {
			*pos = i;
			*mlen = best;
			return 1;
		}
		i += n;
	}
	return 0;
}

/* ---------------------------------------------------------------- text helpers */

void pgd_dr_line_bounds(const char *s, size_t len, size_t off, size_t *ls, size_t *le)
{
	const char *p;

	if (off > len)
		off = len;
	p = off ? memrchr(s, '\n', off) : NULL;
	*ls = p ? (size_t)(p - s) + 1 : 0;
	p = memchr(s + off, '\n', len - off);
	*le = p ? (size_t)(p - s) : len;
}

size_t pgd_dr_lines_back(const char *s, size_t len, size_t off, unsigned k)
{
	size_t ls, le;

	pgd_dr_line_bounds(s, len, off, &ls, &le);
	while (k-- > 0 && ls > 0)
		pgd_dr_line_bounds(s, len, ls - 1, &ls, &le);
	return ls;
}

size_t pgd_dr_lines_fwd(const char *s, size_t len, size_t off, unsigned k)
{
	size_t ls, le;

	pgd_dr_line_bounds(s, len, off, &ls, &le);
	while (k-- > 0 && le < len)
		pgd_dr_line_bounds(s, len, le + 1, &ls, &le);
	return le;
}

int pgd_dr_digit(const char *s, size_t len, size_t i, size_t *n)
{
	unsigned char b = (unsigned char)s[i];

	if (b >= '0' && b <= '9') {
		*n = 1;
		return b - '0';
	}
	/* full-width U+FF10..U+FF19 = EF BC 90..99 */
	if (b == 0xEF && len - i >= 3 && (unsigned char)s[i + 1] == 0xBC &&
	    (unsigned char)s[i + 2] >= 0x90 && (unsigned char)s[i + 2] <= 0x99) {
		*n = 3;
		return (unsigned char)s[i + 2] - 0x90;
	}
	return -1;
}

size_t pgd_dr_space(const char *s, size_t len, size_t i)
{
	unsigned char b = (unsigned char)s[i];

	if (b == ' ' || b == '\t' || b == '\r')
		return 1;
	if (b == 0xE3 && len - i >= 3 && memcmp(s + i, "\xE3\x80\x80", 3) == 0)
		return 3;
	if (b == 0xC2 && len - i >= 2 && (unsigned char)s[i + 1] == 0xA0)
		return 2;
	return 0;
}

int pgd_dr_contains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* Value of a run of 1..maxd digits at s[*i] (ASCII or full-width); -1 when none.
 * *i advances past the run; *nd gets the number of digits. */
static int read_num(const char *s, size_t n, size_t *i, int maxd, int *nd)
{
	int v = 0, k = 0, d;
	size_t w;

	while (*i < n && (d = pgd_dr_digit(s, n, *i, &w)) >= 0) {
		if (k == maxd)
			return -1;
		v = v * 10 + d;
		k++;
		*i += w;
	}
	*nd = k;
	return k ? v : -1;
}

/* Step over one of the given separators at s[*i]; 1 when one was there. */
static int eat_any(const char *s, size_t n, size_t *i, const char *const *seps)
{
	for (size_t k = 0; seps[k]; k++) {
		size_t l = strlen(seps[k]);
		if (n - *i >= l && memcmp(s + *i, seps[k], l) == 0) {
			*i += l;
			return 1;
		}
	}
	return 0;
}

static int cn_digit(const char *s, size_t n, size_t i)
{
	static const char *const d[] = { "〇", "一", "二", "三", "四", "五", "六", "七", "八", "九",
					 "零", "○", "０" };
	for (size_t k = 0; k < sizeof(d) / sizeof(d[0]); k++)
		if (n - i >= strlen(d[k]) && memcmp(s + i, d[k], strlen(d[k])) == 0)
			return (int)strlen(d[k]);
	return 0;
}

int pgd_dr_has_date(const char *s, size_t n)
{
	static const char *const ysep[] = { "-", "/", ".", "年", "－", "／", "．", NULL };
	static const char *const msep[] = { "-", "/", ".", "月", "－", "／", "．", NULL };

	for (size_t i = 0; i < n;) {
		size_t w, j = i;
		int nd, y, m, d;

		if (pgd_dr_digit(s, n, i, &w) >= 0) {
			/* only at the start of a digit run */
			y = read_num(s, n, &j, 4, &nd);
			if (y >= 1949 && y <= 2099 && nd == 4 && eat_any(s, n, &j, ysep)) {
				m = read_num(s, n, &j, 2, &nd);
				if (m >= 1 && m <= 12 && eat_any(s, n, &j, msep)) {
					d = read_num(s, n, &j, 2, &nd);
					if (d >= 1 && d <= 31)
						return 1;
				}
			}
			/* skip the rest of this digit run */
			while (i < n && pgd_dr_digit(s, n, i, &w) >= 0)
				i += w;
			continue;
		}
		if ((w = (size_t)cn_digit(s, n, i)) != 0) {
			/* 二〇二四年一月 */
			int k = 0;
			j = i;
			while (j < n && (w = (size_t)cn_digit(s, n, j)) != 0) {
				j += w;
				k++;
			}
			if (k == 4 && n - j >= 3 && memcmp(s + j, "年", 3) == 0) {
				j += 3;
				int mk = 0;
				while (j < n && ((w = (size_t)cn_digit(s, n, j)) != 0 ||
						 (n - j >= 3 && memcmp(s + j, "十", 3) == 0))) {
					j += w ? w : 3;
					mk++;
				}
				if (mk >= 1 && mk <= 3 && n - j >= 3 && memcmp(s + j, "月", 3) == 0)
					return 1;
			}
			i = j > i ? j : i + 1;
			continue;
		}
		i++;
	}
	return 0;
}

int pgd_dr_has_url(const char *s, size_t n)
{
	const char *p = s, *e = s + n;

	while ((p = memmem(p, (size_t)(e - p), "://", 3)) != NULL) {
		size_t before = (size_t)(p - s);
		if (before >= 4 && strncasecmp(p - 4, "http", 4) == 0 && e - p > 3)
			return 1;
		if (before >= 5 && strncasecmp(p - 5, "https", 5) == 0 && e - p > 3)
			return 1;
		p += 3;
	}
	return 0;
}

/* ---------------------------------------------------------------- the rule set */

void pgd_docrules_free(struct pgd_docrules *r)
{
	if (r == NULL)
		return;
	pgd_rule_repost_free(r->repost);
	pgd_rule_map_free(r->map);
	pgd_rule_secrecy_free(r->secrecy);
	pgd_rule_pii_free(r->pii);
	free(r);
}

int pgd_docrules_load(const char *data_dir, struct pgd_docrules **out, struct pgd_err *err)
{
	struct pgd_docrules *r = pgd_calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	rc = pgd_rule_repost_load(data_dir, &r->repost, err);
	if (rc == 0)
		rc = pgd_rule_map_load(data_dir, &r->map, err);
	if (rc == 0)
		rc = pgd_rule_secrecy_load(data_dir, &r->secrecy, err);
	if (rc == 0)
		rc = pgd_rule_pii_load(data_dir, &r->pii, err);
	if (rc) {
		pgd_docrules_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int pgd_docrules_check(const struct pgd_docrules *r, const struct pgd_doc *doc,
		       const struct pgd_check_opts *opts, struct pgd_findings *out,
		       struct pgd_err *err)
{
	int rc;

	if (r == NULL || doc == NULL || doc->text == NULL)
		return 0;
	rc = pgd_rule_repost_check(r->repost, doc, opts, out, err);
	if (rc == 0)
		rc = pgd_rule_map_check(r->map, doc, opts, out, err);
	if (rc == 0)
		rc = pgd_rule_secrecy_check(r->secrecy, doc, opts, out, err);
	if (rc == 0)
		rc = pgd_rule_pii_check(r->pii, doc, opts, out, err);
	return rc;
}
