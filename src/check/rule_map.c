/* Maps (Art. 9): a published map must carry its review number (审图号) and its source.
 *
 * An image is a map when a keyword (data/map/keywords.tsv: 地图, 区位图, 行政区划图, 示意图,
 * map, ditu …) occurs in its alt, title, caption or file name, unless an exception covers it
 * (流程示意图). A text that only mentions a map, with no image, is never a finding.
 *
 * The review number is looked for in the image's alt, title and caption and in the text
 * around its description segment (settings.tsv: lines before/after, capped in bytes; the
 * window never reaches into another image's segments nor past the next figure caption line
 * "图2 …", so one map's number or source does not cover its neighbour):
 *   [审图号[：:]] GS[省](yyyy)n号 | 省S(yyyy)n号
 * with ASCII or full-width parentheses and digits, optional spaces, a year from 1990 to the
 * as-of year and 1 to 6 digits before 号. 省 is a province abbreviation from
 * data/map/provinces.tsv. A candidate that starts like a review number (GS(, 黔S(, or the
 * label 审图号：) but does not parse is reported as malformed. The source is any phrase of
 * data/map/source_labels.tsv (来源, 资料来源, 制图单位, 自然资源部监制, 标准地图服务 …) in
 * the same places. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/docrules.h"
#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "core/banned.h"

#define TAG_MAP 1
#define TAG_NOT_MAP 0
#define NAME_CAP 60 /* bytes of an image's name quoted in a message */

struct pgd_rule_map {
	struct pgd_dr_lits keywords;  /* TAG_MAP / TAG_NOT_MAP */
	struct pgd_dr_lits sources;   /* source phrases */
	struct pgd_dr_strs provinces; /* one character each */
	unsigned lines_before, lines_after, window_bytes;
	enum pgd_severity sev_number, sev_source;
};

/* ---------------------------------------------------------------- data */

static int on_keyword(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_map *r = ctx;

	if (ln->nf != 2 || ln->f[0][0] == '\0' ||
	    (strcmp(ln->f[1], "map") != 0 && strcmp(ln->f[1], "not") != 0))
		return pgd_dr_bad_line(err, ln, "应为两列：关键词<TAB>map 或 not");
	pgd_dr_lits_add(&r->keywords, ln->f[0], strcmp(ln->f[1], "map") == 0 ? TAG_MAP : TAG_NOT_MAP);
	return 0;
}

static int on_source(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_map *r = ctx;

	if (ln->nf != 1 || ln->f[0][0] == '\0')
		return pgd_dr_bad_line(err, ln, "应为一列：表示地图来源的短语");
	pgd_dr_lits_add(&r->sources, ln->f[0], 1);
	return 0;
}

static int on_province(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_map *r = ctx;
	uint32_t cp;
	size_t n = strlen(ln->f[0]);

	if (ln->nf < 1 || ln->nf > 2 || n == 0 || pgd_utf8_decode(ln->f[0], n, &cp) != (int)n ||
	    cp < 0x80)
		return pgd_dr_bad_line(err, ln, "应为：一个汉字的省级简称[<TAB>全称]");
	pgd_dr_strs_add(&r->provinces, ln->f[0]);
	return 0;
}

static int on_setting(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_map *r = ctx;

	if (ln->nf != 2)
		return pgd_dr_bad_line(err, ln, "应为两列：设置项<TAB>值");
	if (strcmp(ln->f[0], "severity.missing_review_number") == 0)
		return pgd_dr_parse_severity(ln, ln->f[1], &r->sev_number, err);
	if (strcmp(ln->f[0], "severity.missing_source") == 0)
		return pgd_dr_parse_severity(ln, ln->f[1], &r->sev_source, err);
	if (strcmp(ln->f[0], "window.lines_before") == 0)
		return pgd_dr_parse_uint(ln, ln->f[1], &r->lines_before, err);
	if (strcmp(ln->f[0], "window.lines_after") == 0)
		return pgd_dr_parse_uint(ln, ln->f[1], &r->lines_after, err);
	if (strcmp(ln->f[0], "window.bytes") == 0)
		return pgd_dr_parse_uint(ln, ln->f[1], &r->window_bytes, err);
	return pgd_dr_bad_line(err, ln, "未知设置项");
}

void pgd_rule_map_free(struct pgd_rule_map *r)
{
	if (r == NULL)
		return;
	pgd_dr_lits_release(&r->keywords);
	pgd_dr_lits_release(&r->sources);
	pgd_dr_strs_release(&r->provinces);
	free(r);
}

int pgd_rule_map_load(const char *data_dir, struct pgd_rule_map **out, struct pgd_err *err)
{
	struct pgd_rule_map *r = pgd_calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	r->lines_before = 2;
	r->lines_after = 3;
	r->window_bytes = 600;
	r->sev_number = PGD_SEV_BLOCK;
	r->sev_source = PGD_SEV_REVIEW;
	rc = pgd_dr_read_tsv(data_dir, "map/keywords.tsv", 1, on_keyword, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "map/source_labels.tsv", 1, on_source, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "map/provinces.tsv", 1, on_province, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "map/settings.tsv", 0, on_setting, r, err);
	if (rc) {
		pgd_rule_map_free(r);
		return rc;
	}
	pgd_dr_lits_build(&r->keywords);
	pgd_dr_lits_build(&r->sources);
	*out = r;
	return 0;
}

/* ---------------------------------------------------------------- review numbers */

/* Match one of the alternatives (ASCII or full-width form) at s[i]; returns its width. */
static size_t eat(const char *s, size_t end, size_t i, const char *a, const char *b)
{
	size_t la = strlen(a), lb = b ? strlen(b) : 0;

	if (end - i >= la && memcmp(s + i, a, la) == 0)
		return la;
	if (b && end - i >= lb && memcmp(s + i, b, lb) == 0)
		return lb;
	return 0;
}

static size_t skip_sp(const char *s, size_t end, size_t i)
{
	size_t w;
	while (i < end && (w = pgd_dr_space(s, end, i)) != 0)
		i += w;
	return i;
}

static size_t province_at(const struct pgd_rule_map *r, const char *s, size_t end, size_t i)
{
	for (size_t k = 0; k < r->provinces.n; k++) {
		size_t l = strlen(r->provinces.v[k]);
		if (end - i >= l && memcmp(s + i, r->provinces.v[k], l) == 0)
			return l;
	}
	return 0;
}

/* The prefix GS / GS京 / 黔S at s[i]: its width or 0. */
static size_t prefix_at(const struct pgd_rule_map *r, const char *s, size_t end, size_t i)
{
	size_t j = i, w;

	if ((w = eat(s, end, j, "G", "Ｇ")) != 0 || (w = eat(s, end, j, "g", NULL)) != 0) {
		if (i > 0 && ((s[i - 1] >= 'A' && s[i - 1] <= 'Z') || (s[i - 1] >= 'a' && s[i - 1] <= 'z')))
			return 0;
		j += w;
		if ((w = eat(s, end, j, "S", "Ｓ")) == 0 && (w = eat(s, end, j, "s", NULL)) == 0)
			return 0;
		j += w;
		j += province_at(r, s, end, j);
		return j - i;
	}
	if ((w = province_at(r, s, end, j)) != 0) {
		j += w;
		if ((w = eat(s, end, j, "S", "Ｓ")) == 0)
			return 0;
		return j + w - i;
	}
	return 0;
}

/* Parse (yyyy)n号 at s[i]. Returns 1 when valid, -1 when malformed; *stop = end of what was
 * read (for quoting). */
static int parse_tail(const char *s, size_t end, size_t i, int max_year, size_t *stop)
{
	int year = 0, nd = 0, d;
	size_t w, j = skip_sp(s, end, i);

	*stop = j;
	if ((w = eat(s, end, j, "(", "（")) == 0)
		return -1;
	j = skip_sp(s, end, j + w);
	while (j < end && (d = pgd_dr_digit(s, end, j, &w)) >= 0 && nd < 5) {
		year = year * 10 + d;
		nd++;
		j += w;
	}
	*stop = j;
	if (nd != 4 || year < 1990 || year > max_year)
		goto bad;
	j = skip_sp(s, end, j);
	if ((w = eat(s, end, j, ")", "）")) == 0)
		goto bad;
	j = skip_sp(s, end, j + w);
	nd = 0;
	while (j < end && pgd_dr_digit(s, end, j, &w) >= 0 && nd < 7) {
		nd++;
		j += w;
	}
	*stop = j;
	if (nd < 1 || nd > 6)
		goto bad;
	j = skip_sp(s, end, j);
	if ((w = eat(s, end, j, "号", NULL)) == 0)
		goto bad;
	*stop = j + w;
	return 1;
bad:
	/* quote up to the next space or 号, for the message */
	for (size_t k = *stop; k < end && k < *stop + 24; k++) {
		if (s[k] == '\n' || pgd_dr_space(s, end, k))
			break;
		if ((w = eat(s, end, k, "号", NULL)) != 0) {
			*stop = k + w;
			break;
		}
		*stop = k + 1;
	}
	return -1;
}

struct number_scan {
	int valid;
	char bad[80]; /* first malformed candidate, quoted */
};

static void note_bad(struct number_scan *ns, const char *s, size_t a, size_t b)
{
	size_t n = b - a;

	if (ns->bad[0])
		return;
	if (n >= sizeof(ns->bad))
		n = sizeof(ns->bad) - 1;
	while (n > 0 && ((unsigned char)s[a + n] & 0xC0) == 0x80)
		n--; /* do not cut a character */
	memcpy(ns->bad, s + a, n);
	ns->bad[n] = '\0';
}

static void scan_numbers(const struct pgd_rule_map *r, const char *s, size_t a, size_t b,
			 int max_year, struct number_scan *ns)
{
	static const char label[] = "审图号";
	size_t i = a, stop, w;

	while (i < b && !ns->valid) {
		if (b - i >= sizeof(label) - 1 && memcmp(s + i, label, sizeof(label) - 1) == 0) {
			size_t j = skip_sp(s, b, i + sizeof(label) - 1);
			int colon = 0;
			if ((w = eat(s, b, j, ":", "：")) != 0) {
				j = skip_sp(s, b, j + w);
				colon = 1;
			}
			if ((w = prefix_at(r, s, b, j)) != 0) {
				int v = parse_tail(s, b, j + w, max_year, &stop);
				if (v > 0)
					ns->valid = 1;
				else
					note_bad(ns, s, i, stop);
				i = stop > i ? stop : i + 1;
				continue;
			}
			if (colon) { /* 审图号：<nothing like a number> */
				size_t e = j;
				while (e < b && s[e] != '\n' && !pgd_dr_space(s, b, e) && e - j < 24)
					e++;
				note_bad(ns, s, i, e);
			}
			i = j > i ? j : i + 1;
			continue;
		}
		if ((w = prefix_at(r, s, b, i)) != 0) {
			size_t j = skip_sp(s, b, i + w);
			if (eat(s, b, j, "(", "（")) {
				int v = parse_tail(s, b, j, max_year, &stop);
				if (v > 0)
					ns->valid = 1;
				else
					note_bad(ns, s, i, stop);
				i = stop > i ? stop : i + 1;
				continue;
			}
		}
		i++;
	}
}

/* ---------------------------------------------------------------- the check */

static int has_keyword(const struct pgd_dr_lits *l, const char *str)
{
	size_t pos = 0, n, len;
	int tag;

	if (str == NULL)
		return 0;
	len = strlen(str);
	while (pgd_dr_lits_next(l, str, len, &pos, &n, &tag)) {
		if (tag == TAG_MAP)
			return 1;
		pos += n;
	}
	return 0;
}

static int has_any(const struct pgd_dr_lits *l, const char *s, size_t a, size_t b)
{
	size_t pos = a, n;
	int tag;
	return pgd_dr_lits_next(l, s, b, &pos, &n, &tag);
}

static const char *base_name(const char *src)
{
	const char *p, *q;

	if (src == NULL)
		return NULL;
	q = src + strcspn(src, "?#");
	p = q;
	while (p > src && p[-1] != '/' && p[-1] != '\\')
		p--;
	return p;
}

/* A short name for the image in messages: alt, title, caption or file name. */
static void image_name(const struct pgd_doc_image *im, char *out, size_t cap)
{
	const char *n = im->alt && im->alt[0] ? im->alt
		      : im->title && im->title[0] ? im->title
		      : im->caption && im->caption[0] ? im->caption
		      : base_name(im->src);
	size_t l;

	out[0] = '\0';
	if (n == NULL)
		return;
	l = strcspn(n, "?#\n");
	if (l >= cap)
		l = cap - 1;
	while (l > 0 && ((unsigned char)n[l] & 0xC0) == 0x80)
		l--;
	memcpy(out, n, l);
	out[l] = '\0';
}

/* Segment of image i's description: [*so, *se). */
static void image_span(const struct pgd_doc *doc, size_t i, size_t *so, size_t *se)
{
	size_t off = doc->images[i].off;

	*so = off <= doc->len ? off : doc->len;
	*se = *so;
	for (size_t k = 0; k < doc->nsegs; k++) {
		const struct pgd_doc_seg *g = &doc->segs[k];
		if (g->off <= off && off < g->off + g->len) {
			*so = g->off;
			*se = g->off + g->len;
			return;
		}
	}
	/* no segment: the line holding off */
	if (doc->len)
		pgd_dr_line_bounds(doc->text, doc->len, *so, so, se);
}

/* Does the line at ls start a figure caption "图1"/"图２"/"图一"? */
static int figure_line(const char *s, size_t len, size_t ls)
{
	static const char *const cn[] = { "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", NULL };
	size_t i = ls, w;

	while (i < len && (w = pgd_dr_space(s, len, i)) != 0)
		i += w;
	if (len - i < 4 || memcmp(s + i, "图", 3) != 0)
		return 0;
	i += 3;
	if (pgd_dr_digit(s, len, i, &w) >= 0)
		return 1;
	for (size_t k = 0; cn[k]; k++)
		if (len - i >= 3 && memcmp(s + i, cn[k], 3) == 0)
			return 1;
	return 0;
}

/* Keep the window [*wa, *wb) of image i out of its neighbours: it stops at the segments of
 * other images (their descriptions and captions) and, after the image, at a second figure
 * caption line (图2 …) — the first one is the image's own unless it has a caption segment. */
static void clip_window(const struct pgd_doc *doc, size_t i, size_t so, size_t se, size_t *wa,
			size_t *wb)
{
	const char *s = doc->text;
	size_t own_end = se;
	int own_caption = 0, seen = 0;

	for (size_t k = 0; k < doc->nsegs; k++) {
		const struct pgd_doc_seg *g = &doc->segs[k];
		size_t end = g->off + g->len;
		if (g->image < 0 || (g->kind != PGD_SEG_IMAGE && g->kind != PGD_SEG_CAPTION))
			continue;
		if ((size_t)g->image == i) {
			if (end > own_end && end <= doc->len)
				own_end = end;
			own_caption |= g->kind == PGD_SEG_CAPTION;
			continue;
		}
		if (end <= so && end > *wa)
			*wa = end;
		if (g->off >= se && g->off < *wb)
			*wb = g->off;
	}
	for (size_t k = 0; k < doc->nimages; k++)
		if (k != i && doc->images[k].off >= se && doc->images[k].off < *wb)
			*wb = doc->images[k].off;
	/* figure caption lines after the image */
	for (size_t ls = se; ls < *wb;) {
		const char *nl;
		if (ls >= own_end && figure_line(s, *wb, ls)) {
			if (own_caption || seen) {
				*wb = ls;
				break;
			}
			seen = 1;
		}
		nl = memchr(s + ls, '\n', *wb - ls);
		if (nl == NULL)
			break;
		ls = (size_t)(nl - s) + 1;
	}
	if (*wb < se)
		*wb = se;
}

static size_t char_start(const char *s, size_t i, size_t len)
{
	while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
		i++;
	return i;
}

int pgd_rule_map_check(const struct pgd_rule_map *r, const struct pgd_doc *doc,
		       const struct pgd_check_opts *opts, struct pgd_findings *out,
		       struct pgd_err *err)
{
	const char *s = doc->text;
	int max_year = pgd_check_as_of(opts) / 10000;

	(void)err;
	if (r == NULL)
		return 0;
	for (size_t i = 0; i < doc->nimages; i++) {
		const struct pgd_doc_image *im = &doc->images[i];
		const char *fields[3] = { im->alt, im->title, im->caption };
		struct number_scan ns;
		size_t so, se, wa, wb;
		int source = 0;
		char name[NAME_CAP + 4], msg[400];

		if (!has_keyword(&r->keywords, im->alt) && !has_keyword(&r->keywords, im->title) &&
		    !has_keyword(&r->keywords, im->caption) &&
		    !has_keyword(&r->keywords, base_name(im->src)))
			continue;
		memset(&ns, 0, sizeof(ns));
		for (int k = 0; k < 3; k++) {
			if (fields[k] == NULL)
				continue;
			size_t fl = strlen(fields[k]);
			scan_numbers(r, fields[k], 0, fl, max_year, &ns);
			source |= has_any(&r->sources, fields[k], 0, fl);
		}
		image_span(doc, i, &so, &se);
		if (doc->len) {
			wa = pgd_dr_lines_back(s, doc->len, so, r->lines_before);
			wb = pgd_dr_lines_fwd(s, doc->len, se > so ? se - 1 : se, r->lines_after);
			if (so - wa > r->window_bytes)
				wa = char_start(s, so - r->window_bytes, doc->len);
			if (wb - se > r->window_bytes && wb > se)
				wb = se + r->window_bytes;
			clip_window(doc, i, so, se, &wa, &wb);
			scan_numbers(r, s, wa, wb, max_year, &ns);
			source |= has_any(&r->sources, s, wa, wb);
		}
		image_name(im, name, NAME_CAP);
		if (!ns.valid) {
			if (ns.bad[0])
				snprintf(msg, sizeof(msg), "地图「%s」的审图号「%s」格式不正确，视为未标注审图号（第九条）",
					 name, ns.bad);
			else
				snprintf(msg, sizeof(msg), "地图「%s」未标注审图号（第九条）", name);
			pgd_findings_add(out, doc, "map.missing_review_number", r->sev_number, so,
					 se - so, msg,
					 "使用审核通过的地图并在图注中标注审图号，如“审图号：GS(2019)1822号”");
		}
		if (!source) {
			snprintf(msg, sizeof(msg), "地图「%s」未注明地图来源（第九条）", name);
			pgd_findings_add(out, doc, "map.missing_source", r->sev_source, so, se - so, msg,
					 "在图注中注明地图来源，如“来源：自然资源部标准地图服务”");
		}
	}
	return 0;
}
