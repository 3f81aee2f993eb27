/* Reposts (Art. 7): a reposted piece must show its source, its repost time and a link to the
 * original, and party/government documents may only be reposted from the authorised sources.
 *
 * Recognising a repost (signals):
 *   - a source line: a label of data/repost/labels.tsv (来源, 稿件来源, 转载自, 转自 …) that
 *     stands at a line start or after a space/bracket/bar, followed by ：or : and a name. A
 *     label inside prose (资金来源, 转载来源、转载时间) is not one: the colon is required and
 *     the label must not follow another character of the sentence;
 *   - 原标题：;
 *   - a <meta> source (ContentSource);
 *   - a document number of a party/government issuer whose documents Art. 7 restricts
 *     (data/repost/doc_issuers.tsv: 国发, 国办发, 中办发, 黔府发, 六盘水府办发, 盘府发 …) standing
 *     on its own line (国发〔2024〕1号, 盘府办发[2024]5号, also after 文号：) — a citation inside
 *     a sentence (…的通知》（国发〔2024〕1号）要求) is not a repost, and neither is a unit's own
 *     number on its own notice (盘教发〔2026〕15号).
 * A source naming the platform itself (本网, 本站, 原创: data/repost/agency_sources.tsv "self")
 * is no signal. A "来源" line naming an agency (a name ending in 局/委/办/厅/部/中心 …, after
 * dropping platform words such as 网站/微信公众号: agency_sources.tsv "suffix"/"platform") is a
 * unit's own CMS header for its own piece, so it is no signal by itself either; with another
 * signal it is the source of the repost. An empty "来源：" (a CMS template) is no signal alone.
 * A 来源 that belongs to a map (in an image's description or caption segment, on the line right
 * after an image, or on a line with a map word of labels.tsv "map": 审图号, 标准地图服务, 制图,
 * 地图来源) is the map's source (Art. 9, rule_map.c), no signal. A source name ends at a
 * closing bracket it did not open: "（来源：某某管委会）" names 某某管委会.
 * A "name" that is the reposted piece's TITLE (转载：关于做好……工作的通知 -- it starts with a
 * title_start word or holds a title_word of agency_sources.tsv, or, not being an agency's, is
 * longer than settings.tsv title.min_chars) names no source: after 转载/转自 it is a repost
 * signal without a source (→ repost.missing_source), after 来源 no signal.
 *
 * For a repost:
 *   - no named source → repost.missing_source;
 *   - a source that is neither authorised (authorised_sources.tsv: names, aliases, domains) nor
 *     an agency's own platform → repost.unauthorized_source; an agency platform is accepted for
 *     other agencies' documents (Art. 7, second part) but not when the piece is a
 *     party/government document, recognised by its document number's issuer
 *     (data/repost/doc_issuers.tsv: 国发, 国办发, 中办发, 黔府发, 六盘水府办发, 盘府发 …);
 *   - no date (yyyy-mm-dd, yyyy年m月d日, 二〇二四年一月五日) on a signal line or after a time
 *     label (时间, 日期 …) on a line within the window of lines around a signal, none after a
 *     publication-time label (发布时间, 转载时间: labels.tsv "pubtime") anywhere, and no
 *     PubDate-like <meta> → repost.missing_time;
 *   - no http(s) URL within the window or after a link label (原文链接 …) anywhere, and no
 *     <a> whose text is a link label (阅读原文) or whose absolute href sits within the window
 *     → repost.missing_link.
 * Document-level findings point at the first signal (the source line, the document number). */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/docrules.h"
#include "pubguard/buf.h"
#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "core/banned.h"

enum label_kind { LK_SOURCE = 0, LK_REPOST, LK_TITLE, LK_TIME, LK_LINK, LK_META_SOURCE, LK_META_TIME,
		  LK_PUBTIME, LK_MAP, LK_N };
static const char *const kind_names[LK_N] = { "source", "repost", "title", "time",
					      "link", "meta_source", "meta_time", "pubtime",
					      "map" };

enum { C_REPOST_UNAUTH = 0, C_REPOST_SOURCE, C_REPOST_TIME, C_REPOST_LINK, NCAT };
static const char *const cat_names[NCAT] = { "repost.unauthorized_source", "repost.missing_source",
					     "repost.missing_time", "repost.missing_link" };

#define NAME_MAX_BYTES 120
#define DOCNO_LINE_MAX 160
#define MAX_SIGNALS 32

struct authorised {
	char *name;                 /* owned */
	struct pgd_dr_strs aliases; /* includes the name */
	struct pgd_dr_strs domains; /* lowercase, without "www." */
};

struct label {
	char *text;                 /* owned */
	size_t len;
	int kind;                   /* LK_SOURCE, LK_REPOST or LK_TITLE */
};

struct pgd_rule_repost {
	struct label *heads;        /* source/repost/title labels, found before a colon */
	size_t nheads, heads_cap;
	struct pgd_dr_lits time;    /* time labels (pubtime ones too, tag LK_PUBTIME) */
	int has_pubtime;
	struct pgd_dr_strs map_words; /* a line holding one is a map caption */
	struct pgd_dr_lits link;    /* link labels */
	struct pgd_dr_strs meta_source, meta_time;
	struct pgd_dr_strs stops;   /* words that end a source name (作者, 编辑, time labels …) */
	struct authorised *auth;
	size_t nauth, auth_cap;
	struct pgd_dr_strs suffix, platform, self;
	struct pgd_dr_strs title_start, title_word; /* what makes a "name" the piece's title */
	unsigned title_min_chars;   /* a longer name that is no agency's is a title; 0 = off */
	struct pgd_dr_strs issuers; /* party/government document issuers */
	struct pgd_dr_strs doc_labels; /* 文号 … before a document number */
	unsigned window_lines;
	enum pgd_severity sev[NCAT];
	char *auth_list;            /* "人民日报、新华社、…" for suggestions */
};

/* ---------------------------------------------------------------- data */

/* Split s at ',', '，' and '、' into out (trimmed); domains are lowercased without "www.". */
static void split_list(struct pgd_dr_strs *out, const char *s, int domain)
{
	static const char *const seps[] = { ",", "，", "、", NULL };

	while (*s) {
		size_t n = 0, w = 0;
		char item[256];
		const char *t;

		while (s[n]) {
			for (size_t k = 0; seps[k] && !w; k++)
				if (strncmp(s + n, seps[k], strlen(seps[k])) == 0)
					w = strlen(seps[k]);
			if (w)
				break;
			n++;
		}
		t = s;
		while (n > 0 && *t == ' ')
			t++, n--;
		while (n > 0 && t[n - 1] == ' ')
			n--;
		if (n > 0 && n < sizeof(item)) {
			memcpy(item, t, n);
			item[n] = '\0';
			if (domain) {
				for (size_t i = 0; i < n; i++)
					if (item[i] >= 'A' && item[i] <= 'Z')
						item[i] = (char)(item[i] + 32);
			}
			pgd_dr_strs_add(out, domain && strncmp(item, "www.", 4) == 0 ? item + 4 : item);
		}
		s = t + n;
		while (*s == ' ')
			s++;
		s += w;
	}
}

static int on_auth(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_repost *r = ctx;
	struct authorised *a;

	if (ln->nf < 1 || ln->nf > 3 || ln->f[0][0] == '\0')
		return pgd_dr_bad_line(err, ln, "应为：名称<TAB>别名（以、或,分隔）<TAB>域名（以,分隔）");
	PGD_GROW(r->auth, r->nauth + 1, r->auth_cap);
	a = &r->auth[r->nauth++];
	memset(a, 0, sizeof(*a));
	a->name = pgd_strdup(ln->f[0]);
	pgd_dr_strs_add(&a->aliases, ln->f[0]);
	if (ln->nf >= 2)
		split_list(&a->aliases, ln->f[1], 0);
	if (ln->nf >= 3)
		split_list(&a->domains, ln->f[2], 1);
	return 0;
}

static int on_label(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_repost *r = ctx;
	int k;

	if (ln->nf != 2 || ln->f[0][0] == '\0')
		return pgd_dr_bad_line(err, ln, "应为两列：标签<TAB>类型");
	for (k = 0; k < LK_N; k++)
		if (strcmp(ln->f[1], kind_names[k]) == 0)
			break;
	if (k == LK_N)
		return pgd_dr_bad_line(err, ln, "类型应为 source、repost、title、time、pubtime、link、meta_source、meta_time 或 map");
	switch (k) {
	case LK_SOURCE:
	case LK_REPOST:
	case LK_TITLE:
		PGD_GROW(r->heads, r->nheads + 1, r->heads_cap);
		r->heads[r->nheads].text = pgd_strdup(ln->f[0]);
		r->heads[r->nheads].len = strlen(ln->f[0]);
		r->heads[r->nheads].kind = k;
		r->nheads++;
		break;
	case LK_TIME:
	case LK_PUBTIME:
		pgd_dr_lits_add(&r->time, ln->f[0], k);
		pgd_dr_strs_add(&r->stops, ln->f[0]);
		r->has_pubtime |= k == LK_PUBTIME;
		break;
	case LK_MAP:
		pgd_dr_strs_add(&r->map_words, ln->f[0]);
		break;
	case LK_LINK:
		pgd_dr_lits_add(&r->link, ln->f[0], k);
		pgd_dr_strs_add(&r->stops, ln->f[0]);
		break;
	case LK_META_SOURCE:
		pgd_dr_strs_add(&r->meta_source, ln->f[0]);
		break;
	default:
		pgd_dr_strs_add(&r->meta_time, ln->f[0]);
		break;
	}
	return 0;
}

static int on_agency(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_repost *r = ctx;

	if (ln->nf != 2 || ln->f[1][0] == '\0')
		return pgd_dr_bad_line(err, ln, "应为两列：类型（suffix/platform/self/stop/title_start/title_word）<TAB>文字");
	if (strcmp(ln->f[0], "suffix") == 0)
		pgd_dr_strs_add(&r->suffix, ln->f[1]);
	else if (strcmp(ln->f[0], "platform") == 0)
		pgd_dr_strs_add(&r->platform, ln->f[1]);
	else if (strcmp(ln->f[0], "self") == 0)
		pgd_dr_strs_add(&r->self, ln->f[1]);
	else if (strcmp(ln->f[0], "stop") == 0)
		pgd_dr_strs_add(&r->stops, ln->f[1]);
	else if (strcmp(ln->f[0], "title_start") == 0)
		pgd_dr_strs_add(&r->title_start, ln->f[1]);
	else if (strcmp(ln->f[0], "title_word") == 0)
		pgd_dr_strs_add(&r->title_word, ln->f[1]);
	else
		return pgd_dr_bad_line(err, ln, "类型应为 suffix、platform、self、stop、title_start 或 title_word");
	return 0;
}

static int on_issuer(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_repost *r = ctx;

	if (ln->nf != 2 || ln->f[0][0] == '\0')
		return pgd_dr_bad_line(err, ln, "应为两列：发文机关代字<TAB>层级（或 label）");
	if (strcmp(ln->f[1], "label") == 0)
		pgd_dr_strs_add(&r->doc_labels, ln->f[0]);
	else
		pgd_dr_strs_add(&r->issuers, ln->f[0]);
	return 0;
}

static int on_setting(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_repost *r = ctx;

	if (ln->nf != 2)
		return pgd_dr_bad_line(err, ln, "应为两列：设置项<TAB>值");
	for (int k = 0; k < NCAT; k++) {
		char key[64];
		snprintf(key, sizeof(key), "severity.%s", cat_names[k] + strlen("repost."));
		if (strcmp(ln->f[0], key) == 0)
			return pgd_dr_parse_severity(ln, ln->f[1], &r->sev[k], err);
	}
	if (strcmp(ln->f[0], "window.lines") == 0)
		return pgd_dr_parse_uint(ln, ln->f[1], &r->window_lines, err);
	if (strcmp(ln->f[0], "title.min_chars") == 0)
		return pgd_dr_parse_uint(ln, ln->f[1], &r->title_min_chars, err);
	return pgd_dr_bad_line(err, ln, "未知设置项");
}

void pgd_rule_repost_free(struct pgd_rule_repost *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nheads; i++)
		free(r->heads[i].text);
	free(r->heads);
	pgd_dr_lits_release(&r->time);
	pgd_dr_lits_release(&r->link);
	pgd_dr_strs_release(&r->meta_source);
	pgd_dr_strs_release(&r->meta_time);
	pgd_dr_strs_release(&r->map_words);
	pgd_dr_strs_release(&r->stops);
	for (size_t i = 0; i < r->nauth; i++) {
		free(r->auth[i].name);
		pgd_dr_strs_release(&r->auth[i].aliases);
		pgd_dr_strs_release(&r->auth[i].domains);
	}
	free(r->auth);
	pgd_dr_strs_release(&r->suffix);
	pgd_dr_strs_release(&r->platform);
	pgd_dr_strs_release(&r->self);
	pgd_dr_strs_release(&r->title_start);
	pgd_dr_strs_release(&r->title_word);
	pgd_dr_strs_release(&r->issuers);
	pgd_dr_strs_release(&r->doc_labels);
	free(r->auth_list);
	free(r);
}

int pgd_rule_repost_load(const char *data_dir, struct pgd_rule_repost **out, struct pgd_err *err)
{
	struct pgd_rule_repost *r = pgd_calloc(1, sizeof(*r));
	struct pgd_buf b;
	int rc;

	*out = NULL;
	r->window_lines = 3;
	r->sev[C_REPOST_UNAUTH] = PGD_SEV_BLOCK;
	r->sev[C_REPOST_SOURCE] = PGD_SEV_REVIEW;
	r->sev[C_REPOST_TIME] = PGD_SEV_REVIEW;
	r->sev[C_REPOST_LINK] = PGD_SEV_REVIEW;
	rc = pgd_dr_read_tsv(data_dir, "repost/authorised_sources.tsv", 1, on_auth, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "repost/labels.tsv", 1, on_label, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "repost/agency_sources.tsv", 1, on_agency, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "repost/doc_issuers.tsv", 1, on_issuer, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "repost/settings.tsv", 0, on_setting, r, err);
	if (rc) {
		pgd_rule_repost_free(r);
		return rc;
	}
	pgd_dr_lits_build(&r->time);
	pgd_dr_lits_build(&r->link);
	pgd_buf_init(&b, 1 << 16);
	for (size_t i = 0; i < r->nauth; i++) {
		if (i)
			pgd_buf_addstr(&b, "、");
		pgd_buf_addstr(&b, r->auth[i].name);
	}
	r->auth_list = pgd_buf_take(&b, NULL);
	pgd_buf_release(&b);
	*out = r;
	return 0;
}

/* ---------------------------------------------------------------- source names */

enum src_class { SC_EMPTY = 0, SC_SELF, SC_AUTH, SC_AGENCY, SC_OTHER };

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t l = strlen(suf);
	return n >= l && memcmp(s + n - l, suf, l) == 0;
}

static int contains_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);
	for (; *s; s++)
		if (strncasecmp(s, needle, n) == 0)
			return 1;
	return 0;
}

static int is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-';
}

/* One of a's domains appears as a host in name. */
static int host_match(const struct authorised *a, const char *name)
{
	const char *p = name;

	while (*p) {
		char host[128];
		size_t n = 0;
		const char *h;
		if (!is_host_char(*p)) {
			p++;
			continue;
		}
		while (is_host_char(p[n]))
			n++;
		if (n < sizeof(host) && memchr(p, '.', n)) {
			for (size_t i = 0; i < n; i++)
				host[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
			host[n] = '\0';
			h = strncmp(host, "www.", 4) == 0 ? host + 4 : host;
			for (size_t k = 0; k < a->domains.n; k++)
				if (strcmp(h, a->domains.v[k]) == 0)
					return 1;
		}
		p += n;
	}
	return 0;
}

static enum src_class classify(const struct pgd_rule_repost *r, const char *name)
{
	char buf[NAME_MAX_BYTES + 1];
	size_t n;
	int again;

	if (name[0] == '\0')
		return SC_EMPTY;
	for (size_t i = 0; i < r->self.n; i++)
		if (strstr(name, r->self.v[i]))
			return SC_SELF;
	for (size_t i = 0; i < r->nauth; i++) {
		for (size_t k = 0; k < r->auth[i].aliases.n; k++)
			if (contains_ci(name, r->auth[i].aliases.v[k]))
				return SC_AUTH;
		if (host_match(&r->auth[i], name))
			return SC_AUTH;
	}
	/* drop platform words (网站, 微信公众号 …), then look for an agency suffix */
	n = strlen(name);
	if (n > NAME_MAX_BYTES)
		n = NAME_MAX_BYTES;
	memcpy(buf, name, n);
	buf[n] = '\0';
	do {
		again = 0;
		for (size_t i = 0; i < r->platform.n; i++) {
			size_t l = strlen(r->platform.v[i]);
			if (n > l && ends_with(buf, n, r->platform.v[i])) {
				n -= l;
				buf[n] = '\0';
				again = 1;
			}
		}
	} while (again);
	for (size_t i = 0; i < r->suffix.n; i++)
		if (n > strlen(r->suffix.v[i]) && ends_with(buf, n, r->suffix.v[i]))
			return SC_AGENCY;
	return SC_OTHER;
}

static size_t skip_ws(const char *s, size_t i, size_t le)
{
	size_t w;
	while (i < le && (w = pgd_dr_space(s, le, i)) != 0)
		i += w;
	return i;
}

/* Is name (read after a source/repost label) the title of the reposted piece rather than a
 * source (转载：关于做好……工作的通知)? It is when it starts with a title_start word (关于), or
 * holds a title_word (的通知, 实施方案 …) -- for a name holding an authorised source only when
 * it was quoted (《六盘水市人民政府办公室关于……的通知》; 中国政府网（国务院……的通知） stays a
 * source) -- or, naming no agency, has more than title.min_chars Chinese characters. quoted:
 * the name stood in 《》. */
static int title_like(const struct pgd_rule_repost *r, const char *name, enum src_class cls,
		      int quoted)
{
	size_t nchars = 0;

	if (cls == SC_EMPTY || cls == SC_SELF)
		return 0;
	for (size_t i = 0; i < r->title_start.n; i++)
		if (strncmp(name, r->title_start.v[i], strlen(r->title_start.v[i])) == 0)
			return 1;
	if (cls == SC_AUTH && !quoted)
		return 0;
	for (size_t i = 0; i < r->title_word.n; i++)
		if (strstr(name, r->title_word.v[i]))
			return 1;
	if (cls != SC_OTHER || r->title_min_chars == 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		nchars += *p >= 0xC0; /* lead bytes of multi-byte characters: no URL counts */
	return nchars > r->title_min_chars;
}

/* ---------------------------------------------------------------- signals */

enum sig_kind { SIG_SOURCE, SIG_TITLE, SIG_DOCNO, SIG_META };

struct signal {
	enum sig_kind kind;
	int strong;               /* a repost by itself */
	int has_pos;              /* off/len point into doc->text */
	size_t off, len;
	enum src_class cls;
	int party;                /* SIG_DOCNO: a party/government document */
	char name[NAME_MAX_BYTES + 1];
};

struct scan {
	struct signal v[MAX_SIGNALS];
	size_t n;
};

static struct signal *add_signal(struct scan *sc)
{
	if (sc->n == MAX_SIGNALS)
		return NULL;
	memset(&sc->v[sc->n], 0, sizeof(sc->v[0]));
	return &sc->v[sc->n++];
}

/* A label may follow only a line start, a space, an opening bracket or a bar. */
static int label_boundary(const char *s, size_t pos)
{
	static const char *const ok[] = { "【", "（", "〔", "｜", "，", "；", "。", "\xE3\x80\x80",
					  "\xC2\xA0", NULL };
	unsigned char c;

	if (pos == 0)
		return 1;
	c = (unsigned char)s[pos - 1];
	if (c == '\n' || c == ' ' || c == '\t' || c == '\r' || c == '[' || c == '(' || c == '|' ||
	    c == '>' || c == ';' || c == ',')
		return 1;
	for (size_t k = 0; ok[k]; k++) {
		size_t l = strlen(ok[k]);
		if (pos >= l && memcmp(s + pos - l, ok[k], l) == 0)
			return 1;
	}
	return 0;
}

/* Read the source name at s[i..le): up to a space, a bar, punctuation or a stop word. */
static size_t read_name(const struct pgd_rule_repost *r, const char *s, size_t i, size_t le,
			char *name)
{
	static const char *const stop[] = { "｜", "，", "；", "。", "】", "\xE3\x80\x80", "\xC2\xA0", NULL };
	static const char *const quotes[] = { "《", "》", "“", "”", "「", "」", "\"", NULL };
	size_t j = i, n = 0;
	int depth = 0; /* brackets opened inside the name: 新华社（北京） */

	while (j < le && (s[j] == ' ' || s[j] == '\t'))
		j++;
	i = j;
	while (j < le && j - i < NAME_MAX_BYTES) {
		unsigned char c = (unsigned char)s[j];
		size_t w;
		int hit = 0;
		if (c == ' ' || c == '\t' || c == '\r' || c == '|' || c == ',' || c == ';')
			break;
		/* a closing bracket that closes nothing of the name ends it: （来源：某某） */
		if (c == '(' || (le - j >= 3 && memcmp(s + j, "（", 3) == 0))
			depth++;
		else if (c == ')' || (le - j >= 3 && memcmp(s + j, "）", 3) == 0)) {
			if (depth == 0)
				break;
			depth--;
		}
		for (size_t k = 0; stop[k] && !hit; k++)
			hit = le - j >= strlen(stop[k]) && memcmp(s + j, stop[k], strlen(stop[k])) == 0;
		for (size_t k = 0; k < r->stops.n && !hit; k++)
			hit = le - j >= strlen(r->stops.v[k]) &&
			      memcmp(s + j, r->stops.v[k], strlen(r->stops.v[k])) == 0;
		if (hit)
			break;
		w = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
		if (j + w > le || j + w - i > NAME_MAX_BYTES)
			break;
		j += w;
	}
	/* copy without quotes */
	for (size_t k = i; k < j;) {
		int q = 0;
		for (size_t m = 0; quotes[m]; m++) {
			size_t l = strlen(quotes[m]);
			if (j - k >= l && memcmp(s + k, quotes[m], l) == 0) {
				k += l;
				q = 1;
				break;
			}
		}
		if (!q)
			name[n++] = s[k++];
	}
	name[n] = '\0';
	return j;
}

/* The longest label that ends (spaces aside) right before the colon at s[colon]. */
static const struct label *label_before(const struct pgd_rule_repost *r, const char *s,
					size_t ls, size_t colon, size_t *start)
{
	const struct label *best = NULL;
	size_t e = colon;

	while (e > ls && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	for (size_t k = 0; k < r->nheads; k++) {
		const struct label *l = &r->heads[k];
		if (e - ls >= l->len && memcmp(s + e - l->len, l->text, l->len) == 0 &&
		    (best == NULL || l->len > best->len))
			best = l;
	}
	if (best)
		*start = e - best->len;
	return best;
}

/* Is the source line [ls, le) holding pos a map's caption, so that its 来源 is the map's source
 * (Art. 9) and no repost source? That is: pos lies in an image's description or caption
 * segment, or the line comes right after an image's segments, or the line holds a map word
 * (labels.tsv "map": 审图号, 标准地图服务, 制图, 地图来源). */
static int map_caption(const struct pgd_rule_repost *r, const struct pgd_doc *doc, size_t pos,
		       size_t ls, size_t le)
{
	const struct pgd_doc_seg *g = pgd_doc_seg_at(doc, pos);

	if (g && (g->kind == PGD_SEG_IMAGE || g->kind == PGD_SEG_CAPTION))
		return 1;
	for (size_t k = 0; k < r->map_words.n; k++)
		if (memmem(doc->text + ls, le - ls, r->map_words.v[k], strlen(r->map_words.v[k])))
			return 1;
	if (ls == 0 || doc->nimages == 0)
		return 0;
	/* the line before ends an image's segment */
	g = pgd_doc_seg_at(doc, ls - 1);
	if (g == NULL && ls >= 2)
		g = pgd_doc_seg_at(doc, ls - 2);
	return g != NULL && (g->kind == PGD_SEG_IMAGE || g->kind == PGD_SEG_CAPTION);
}

/* Source lines are found from their colons (fewer than characters by far). */
static void find_source_lines(const struct pgd_rule_repost *r, const struct pgd_doc *doc,
			      struct scan *sc)
{
	const char *s = doc->text;
	size_t len = doc->len, i = 0;

	while (i < len) {
		const struct label *lb;
		struct signal *g;
		size_t ls, le, end, pos = 0, mlen;
		char name[NAME_MAX_BYTES + 1];

		i += strcspn(s + i, ":\xEF");
		if (i >= len)
			break;
		if (s[i] == ':')
			mlen = 1;
		else if (len - i >= 3 && memcmp(s + i, "：", 3) == 0)
			mlen = 3;
		else {
			i++;
			continue;
		}
		pgd_dr_line_bounds(s, len, i, &ls, &le);
		lb = label_before(r, s, ls, i, &pos);
		if (lb == NULL || !label_boundary(s, pos)) {
			i += mlen;
			continue;
		}
		mlen += i - pos; /* label, spaces and colon */
		if (lb->kind == LK_TITLE) {
			g = add_signal(sc);
			if (g == NULL)
				return;
			g->kind = SIG_TITLE;
			g->strong = 1;
			g->has_pos = 1;
			g->off = pos;
			g->len = mlen;
			g->cls = SC_EMPTY;
			i = pos + mlen;
			continue;
		}
		end = read_name(r, s, pos + mlen, le, name);
		enum src_class cls = classify(r, name);
		size_t q = skip_ws(s, pos + mlen, le);
		if (title_like(r, name, cls, le - q >= 3 && memcmp(s + q, "《", 3) == 0)) {
			/* the piece's title, no source: 转载 still signals a repost, 来源 does not */
			g = add_signal(sc);
			if (g == NULL)
				return;
			g->kind = SIG_TITLE;
			g->strong = lb->kind == LK_REPOST;
			g->has_pos = 1;
			g->off = pos;
			g->len = end - pos;
			g->cls = SC_EMPTY;
			i = end > pos + mlen ? end : pos + mlen;
			continue;
		}
		if (cls != SC_SELF && !(lb->kind == LK_SOURCE && map_caption(r, doc, pos, ls, le))) {
			g = add_signal(sc);
			if (g == NULL)
				return;
			g->kind = SIG_SOURCE;
			g->cls = cls;
			/* 转载自/转自 always; 来源 only with a name that is no agency's own */
			g->strong = lb->kind == LK_REPOST || cls == SC_AUTH || cls == SC_OTHER;
			g->has_pos = 1;
			g->off = pos;
			g->len = end - pos;
			memcpy(g->name, name, strlen(name) + 1);
		}
		i = end > pos + mlen ? end : pos + mlen;
	}
}

/* A document number at s[i..le) that fills the rest of the line (after trimming, optionally in
 * brackets or followed by spaces and more text such as 签发人). Sets *party; returns its end. */
static size_t parse_docno(const struct pgd_rule_repost *r, const char *s, size_t i, size_t le,
			  int *party)
{
	static const char *const open[] = { "〔", "[", "（", "(", "【", "［", "〖", NULL };
	static const char *const close[] = { "〕", "]", "）", ")", "】", "］", "〗", NULL };
	size_t is = i, ie, w = 0, k;
	int nd = 0, d, nchars = 0;

	/* issuer: CJK characters */
	while (i < le && nchars <= 12) {
		uint32_t cp;
		int n = pgd_utf8_decode(s + i, le - i, &cp);
		if (n != 3 || cp < 0x4E00 || cp > 0x9FFF)
			break;
		i += 3;
		nchars++;
	}
	if (nchars < 1 || nchars > 12)
		return 0;
	ie = i;
	for (k = 0; open[k]; k++)
		if (le - i >= (w = strlen(open[k])) && memcmp(s + i, open[k], w) == 0)
			break;
	if (!open[k])
		return 0;
	i += w;
	while (i < le && (d = pgd_dr_digit(s, le, i, &w)) >= 0 && nd < 5) {
		nd++;
		i += w;
	}
	if (nd != 4)
		return 0;
	for (k = 0; close[k]; k++)
		if (le - i >= (w = strlen(close[k])) && memcmp(s + i, close[k], w) == 0)
			break;
	if (!close[k])
		return 0;
	i += w;
	nd = 0;
	while (i < le && pgd_dr_digit(s, le, i, &w) >= 0 && nd < 6) {
		nd++;
		i += w;
	}
	if (nd < 1 || nd > 5 || le - i < 3 || memcmp(s + i, "号", 3) != 0)
		return 0;
	i += 3;
	*party = 0;
	for (k = 0; k < r->issuers.n; k++) {
		size_t l = strlen(r->issuers.v[k]);
		if (ie - is == l && memcmp(s + is, r->issuers.v[k], l) == 0)
			*party = 1;
	}
	return i;
}


static void find_doc_numbers(const struct pgd_rule_repost *r, const char *s, size_t len,
			     struct scan *sc)
{
	static const char *const br_open[] = { "（", "(", "【", NULL };
	static const char *const br_close[] = { "）", ")", "】", NULL };
	size_t ls = 0;

	while (ls < len) {
		const char *nl = memchr(s + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - s) : len, i, e, w;
		int party = 0, br = -1;

		if (le - ls <= DOCNO_LINE_MAX && memmem(s + ls, le - ls, "号", 3)) {
			i = skip_ws(s, ls, le);
			for (size_t k = 0; k < r->doc_labels.n; k++) {
				size_t l = strlen(r->doc_labels.v[k]);
				if (le - i >= l && memcmp(s + i, r->doc_labels.v[k], l) == 0) {
					i += l;
					i = skip_ws(s, i, le);
					if (i < le && s[i] == ':')
						i++;
					else if (le - i >= 3 && memcmp(s + i, "：", 3) == 0)
						i += 3;
					i = skip_ws(s, i, le);
					break;
				}
			}
			for (int k = 0; br_open[k]; k++)
				if (le - i >= (w = strlen(br_open[k])) && memcmp(s + i, br_open[k], w) == 0) {
					br = k;
					i += w;
					break;
				}
			size_t start = i;
			e = parse_docno(r, s, i, le, &party);
			if (e) {
				size_t t = e;
				if (br >= 0 && le - t >= strlen(br_close[br]) &&
				    memcmp(s + t, br_close[br], strlen(br_close[br])) == 0)
					t += strlen(br_close[br]);
				else if (br >= 0)
					t = 0; /* unbalanced: not a header line */
				/* the number ends the line, or is followed by spaces then more; a
				 * unit's own number (盘教发〔2026〕15号) is no repost */
				if (t && party && (skip_ws(s, t, le) == le || pgd_dr_space(s, le, t))) {
					struct signal *g = add_signal(sc);
					if (g == NULL)
						return;
					g->kind = SIG_DOCNO;
					g->strong = 1;
					g->has_pos = 1;
					g->off = start;
					g->len = e - start;
					g->party = party;
					g->cls = SC_EMPTY;
				}
			}
		}
		ls = le + 1;
	}
}

static const char *meta_get(const struct pgd_doc *doc, const struct pgd_dr_strs *keys)
{
	for (size_t i = 0; i < doc->nmeta; i++)
		for (size_t k = 0; k < keys->n; k++)
			if (doc->meta[i].key && doc->meta[i].value && doc->meta[i].value[0] &&
			    strcasecmp(doc->meta[i].key, keys->v[k]) == 0)
				return doc->meta[i].value;
	return NULL;
}

static void find_meta(const struct pgd_rule_repost *r, const struct pgd_doc *doc, struct scan *sc)
{
	const char *v = meta_get(doc, &r->meta_source);
	struct signal *g;
	size_t n;

	if (v == NULL)
		return;
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	while (n > 0 && (*v == ' ' || *v == '\t'))
		v++, n--;
	if (n > NAME_MAX_BYTES)
		return;
	g = add_signal(sc);
	if (g == NULL)
		return;
	memcpy(g->name, v, n);
	g->name[n] = '\0';
	g->cls = classify(r, g->name);
	if (g->cls == SC_SELF || g->cls == SC_EMPTY) {
		sc->n--;
		return;
	}
	g->kind = SIG_META;
	g->strong = g->cls == SC_AUTH || g->cls == SC_OTHER;
	/* point at the META segment carrying the value, when there is one */
	for (size_t i = 0; i < doc->nsegs; i++) {
		const struct pgd_doc_seg *sg = &doc->segs[i];
		if (sg->kind == PGD_SEG_META && sg->off + sg->len <= doc->len &&
		    memmem(doc->text + sg->off, sg->len, g->name, n)) {
			g->has_pos = 1;
			g->off = sg->off;
			g->len = sg->len;
			break;
		}
	}
}

/* ---------------------------------------------------------------- time and link */

static int window_has_time(const struct pgd_rule_repost *r, const char *s, size_t len,
			   const struct signal *g)
{
	size_t wa = pgd_dr_lines_back(s, len, g->off, r->window_lines);
	size_t wb = pgd_dr_lines_fwd(s, len, g->off, r->window_lines);
	size_t ls, le;

	/* the signal line itself */
	pgd_dr_line_bounds(s, len, g->off, &ls, &le);
	if (pgd_dr_has_date(s + ls, le - ls))
		return 1;
	/* lines with a time label and a date after it */
	for (size_t a = wa; a <= wb;) {
		size_t pos, mlen;
		int tag;
		pgd_dr_line_bounds(s, len, a, &ls, &le);
		pos = ls;
		if (pgd_dr_lits_next(&r->time, s, le, &pos, &mlen, &tag) &&
		    pgd_dr_has_date(s + pos + mlen, le - pos - mlen))
			return 1;
		if (le >= wb)
			break;
		a = le + 1;
	}
	return 0;
}

/* A publication/repost-time label (pubtime: 发布时间, 转载时间 …) with a date after it, anywhere
 * in the document: CMS pages put it at the top or the bottom, far from a document number. */
static int doc_has_pubtime(const struct pgd_rule_repost *r, const char *s, size_t len)
{
	size_t pos = 0, mlen, ls, le;
	int tag;

	if (!r->has_pubtime)
		return 0;
	while (pgd_dr_lits_next(&r->time, s, len, &pos, &mlen, &tag)) {
		if (tag == LK_PUBTIME) {
			pgd_dr_line_bounds(s, len, pos, &ls, &le);
			if (pgd_dr_has_date(s + pos + mlen, le - pos - mlen))
				return 1;
		}
		pos += mlen;
	}
	return 0;
}

static int window_has_link(const struct pgd_rule_repost *r, const struct pgd_doc *doc,
			   const struct signal *g)
{
	const char *s = doc->text;
	size_t len = doc->len;
	size_t wa = pgd_dr_lines_back(s, len, g->off, r->window_lines);
	size_t wb = pgd_dr_lines_fwd(s, len, g->off, r->window_lines);

	if (pgd_dr_has_url(s + wa, wb - wa))
		return 1;
	for (size_t i = 0; i < doc->nlinks; i++) {
		const struct pgd_doc_link *l = &doc->links[i];
		if (l->href && (strncasecmp(l->href, "http://", 7) == 0 ||
				strncasecmp(l->href, "https://", 8) == 0) &&
		    l->off >= wa && l->off <= wb)
			return 1;
	}
	return 0;
}

static int doc_has_link(const struct pgd_rule_repost *r, const struct pgd_doc *doc)
{
	const char *s = doc->text;
	size_t len = doc->len, pos = 0, mlen, ls, le;
	int tag;

	/* 原文链接：http://… anywhere */
	while (pgd_dr_lits_next(&r->link, s, len, &pos, &mlen, &tag)) {
		pgd_dr_line_bounds(s, len, pos, &ls, &le);
		if (pgd_dr_has_url(s + pos, le - pos))
			return 1;
		pos += mlen;
	}
	/* <a>阅读原文</a> */
	for (size_t i = 0; i < doc->nlinks; i++) {
		const struct pgd_doc_link *l = &doc->links[i];
		size_t p = 0;
		if (l->href == NULL || l->href[0] == '\0' || l->href[0] == '#' || l->text == NULL)
			continue;
		if (strncasecmp(l->href, "javascript:", 11) == 0)
			continue;
		if (pgd_dr_lits_next(&r->link, l->text, strlen(l->text), &p, &mlen, &tag))
			return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- the check */

static void add(const struct pgd_rule_repost *r, const struct pgd_doc *doc,
		struct pgd_findings *out, int cat, const struct signal *at, const char *msg,
		const char *sugg)
{
	size_t off = at && at->has_pos ? at->off : 0, len = at && at->has_pos ? at->len : 0;
	pgd_findings_add(out, doc, cat_names[cat], r->sev[cat], off, len, msg, sugg);
}

int pgd_rule_repost_check(const struct pgd_rule_repost *r, const struct pgd_doc *doc,
			  const struct pgd_check_opts *opts, struct pgd_findings *out,
			  struct pgd_err *err)
{
	struct scan *sc = NULL;
	const struct signal *anchor = NULL;
	const char *s = doc->text;
	size_t len = doc->len;
	int repost = 0, party = 0, named = 0, time_ok, link_ok;
	char msg[512];
	struct pgd_buf sugg;

	(void)opts;
	(void)err;
	if (r == NULL)
		return 0;
	pgd_buf_init(&sugg, 4096);
	sc = pgd_calloc(1, sizeof(*sc));
	find_source_lines(r, doc, sc);
	find_doc_numbers(r, s, len, sc);
	find_meta(r, doc, sc);
	for (size_t i = 0; i < sc->n; i++) {
		repost |= sc->v[i].strong;
		party |= sc->v[i].party;
		named |= sc->v[i].cls == SC_AUTH || sc->v[i].cls == SC_AGENCY ||
			 sc->v[i].cls == SC_OTHER;
	}
	if (!repost)
		goto out;
	/* anchor: the first source line, else the first positioned signal */
	for (size_t i = 0; i < sc->n && !anchor; i++)
		if (sc->v[i].kind == SIG_SOURCE && sc->v[i].cls != SC_EMPTY)
			anchor = &sc->v[i];
	for (size_t i = 0; i < sc->n && !anchor; i++)
		if (sc->v[i].has_pos)
			anchor = &sc->v[i];
	if (!anchor)
		anchor = &sc->v[0];

	if (!named)
		add(r, doc, out, C_REPOST_SOURCE, anchor, "转载内容未标注转载来源（第七条）",
		    "在转载页面准确标注转载来源，如“来源：新华网”");
	for (size_t i = 0; i < sc->n; i++) {
		const struct signal *g = &sc->v[i];
		int dup = 0;
		if (!(g->cls == SC_OTHER || (g->cls == SC_AGENCY && party)))
			continue;
		for (size_t k = 0; k < i; k++)
			dup |= strcmp(sc->v[k].name, g->name) == 0;
		if (dup)
			continue;
		pgd_buf_reset(&sugg);
		pgd_buf_addf(&sugg, "改从授权来源转载：%s", r->auth_list);
		if (g->cls == SC_AGENCY) {
			snprintf(msg, sizeof(msg),
				 "党委、政府文件只能从授权来源转载（第七条），「%s」不在授权转载来源范围内",
				 g->name);
		} else {
			snprintf(msg, sizeof(msg), "转载内容来源不在授权转载来源范围内（第七条）：「%s」",
				 g->name);
			pgd_buf_addstr(&sugg, "；其他机关、单位的文件应从制发机关、单位的官方网络平台或其授权的媒体转载");
		}
		add(r, doc, out, C_REPOST_UNAUTH, g, msg, sugg.data);
	}
	time_ok = meta_get(doc, &r->meta_time) != NULL || doc_has_pubtime(r, s, len);
	link_ok = doc_has_link(r, doc);
	for (size_t i = 0; i < sc->n && !(time_ok && link_ok); i++) {
		if (!sc->v[i].has_pos)
			continue;
		time_ok = time_ok || window_has_time(r, s, len, &sc->v[i]);
		link_ok = link_ok || window_has_link(r, doc, &sc->v[i]);
	}
	if (!time_ok)
		add(r, doc, out, C_REPOST_TIME, anchor, "转载内容未标注转载时间（第七条）",
		    "在来源旁标注转载时间，如“转载时间：2024年1月5日”");
	if (!link_ok)
		add(r, doc, out, C_REPOST_LINK, anchor, "转载内容未标注转载链接（第七条）",
		    "标注原文链接，如“原文链接：https://www.gov.cn/…”");
out:
	pgd_buf_release(&sugg);
	free(sc);
	return 0;
}
