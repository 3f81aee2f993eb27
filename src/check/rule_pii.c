/* Personal information: resident ID numbers (pii.id_number), mobile numbers (pii.mobile) and
 * bank card numbers (pii.bank_card), each reported with its masked form as the suggestion.
 *
 * The scanner looks only at digit runs (ASCII or full-width digits). Runs joined by a single
 * space or hyphen form a cluster (138 1234 5678, 6222-0212-3456-7890); within a cluster:
 *   - an 18-character run (17 digits + digit/X) is an ID when its region prefix is listed
 *     (data/pii/id_regions.tsv), its birth date is a real date in [1900-01-01, as-of] and its
 *     GB 11643 check character is right;
 *   - an 11-digit run (or 3-4-4 groups) with a listed mobile prefix is a mobile, also after
 *     86 / +86 / 0086; an 11-digit run inside a longer run is not (the run is maximal);
 *     landlines (0858-8221234) start with 0 and masked numbers (138****1234) are broken by
 *     '*', so neither ever forms a candidate;
 *   - 16..19 digits (one run, or groups of 4) that pass the Luhn check and start with a listed
 *     BIN prefix are a bank card, unless they are a valid ID.
 * A number stuck to letters or URL punctuation (a code, a file name, a query string) is not
 * PII, and neither is one that follows a label such as 文号/编号/订单号
 * (data/pii/labels.tsv "skip": the longest label wins, so 身份证编号 keeps the number).
 * After a phone label (电话/联系电话/传真/座机: "landline") only office landlines are meant;
 * a valid mobile number there is still a personal number published as a contact, so it is
 * reported (pii.mobile); IDs and cards after such a label are not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/docrules.h"
#include "pubguard/mem.h"
#include "core/banned.h"

#define MAX_RUN_DIGITS 19
#define MAX_RUNS 12
#define LABEL_LOOKBACK 80 /* bytes scanned back over a list of numbers to find its label */

enum { SEV_ID = 0, SEV_MOBILE, SEV_CARD, NSEV };
enum { LABEL_NONE = 0, LABEL_KEEP, LABEL_SKIP, LABEL_LANDLINE };

struct label {
	char *text;     /* owned */
	size_t len;
	int kind;       /* LABEL_KEEP (身份证号), LABEL_SKIP (文号) or LABEL_LANDLINE (电话) */
};

struct pgd_rule_pii {
	unsigned char prov[100];      /* listed 2-digit province codes */
	unsigned char prov_full[100]; /* province whose 4-digit codes are listed in full */
	unsigned char pref[10000];    /* listed 4-digit codes */
	struct pgd_dr_strs mobile;    /* mobile prefixes (ASCII digits) */
	struct pgd_dr_strs bins;      /* card BIN prefixes */
	struct label *labels;
	size_t nlabels, labels_cap;
	enum pgd_severity sev[NSEV];
};

/* ---------------------------------------------------------------- validators */

int pgd_pii_id_checksum_ok(const char *id)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	int sum = 0;
	char c;

	for (int i = 0; i < 17; i++) {
		if (id[i] < '0' || id[i] > '9')
			return 0;
		sum += (id[i] - '0') * w[i];
	}
	c = id[17] == 'x' ? 'X' : id[17];
	return c == check[sum % 11];
}

int pgd_pii_date_ok(int ymd, int as_of)
{
	static const int mdays[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;

	if (ymd < 19000101 || ymd > as_of || m < 1 || m > 12 || d < 1 || d > mdays[m])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}

int pgd_pii_luhn_ok(const char *digits, size_t n)
{
	int sum = 0, dbl = 0;

	for (size_t i = n; i-- > 0;) {
		int d = digits[i] - '0';
		if (d < 0 || d > 9)
			return 0;
		if (dbl) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
		dbl = !dbl;
	}
	return n > 0 && sum % 10 == 0;
}

/* ---------------------------------------------------------------- data */

static int all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int on_region(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_pii *r = ctx;
	const char *c = ln->f[0];
	size_t n = strlen(c);
	int v;

	if (ln->nf < 2 || ln->nf > 3 || !all_digits(c, 2, 6) || (n != 2 && n != 4 && n != 6))
		return pgd_dr_bad_line(err, ln, "应为：2、4 或 6 位行政区划代码<TAB>名称[<TAB>full]");
	if (ln->nf == 3 && (n != 2 || strcmp(ln->f[2], "full") != 0))
		return pgd_dr_bad_line(err, ln, "第三列只能是 full，且只用于 2 位省级代码");
	v = (c[0] - '0') * 10 + (c[1] - '0');
	if (n == 2) {
		r->prov[v] = 1;
		if (ln->nf == 3)
			r->prov_full[v] = 1;
	} else {
		r->pref[v * 100 + (c[2] - '0') * 10 + (c[3] - '0')] = 1;
	}
	return 0;
}

static int on_mobile(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_pii *r = ctx;

	if (ln->nf != 1 || !all_digits(ln->f[0], 2, 4) || ln->f[0][0] != '1')
		return pgd_dr_bad_line(err, ln, "应为以 1 开头的 2 至 4 位手机号段");
	pgd_dr_strs_add(&r->mobile, ln->f[0]);
	return 0;
}

static int on_bin(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_pii *r = ctx;

	if (ln->nf != 2 || !all_digits(ln->f[0], 1, 8))
		return pgd_dr_bad_line(err, ln, "应为：卡号前缀（1 至 8 位数字）<TAB>卡组织");
	pgd_dr_strs_add(&r->bins, ln->f[0]);
	return 0;
}

static int on_label(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_pii *r = ctx;
	struct label *l;

	int kind;

	if (ln->nf != 2 || ln->f[0][0] == '\0')
		return pgd_dr_bad_line(err, ln, "应为：标签<TAB>skip、keep 或 landline");
	if (strcmp(ln->f[1], "skip") == 0)
		kind = LABEL_SKIP;
	else if (strcmp(ln->f[1], "keep") == 0)
		kind = LABEL_KEEP;
	else if (strcmp(ln->f[1], "landline") == 0)
		kind = LABEL_LANDLINE;
	else
		return pgd_dr_bad_line(err, ln, "应为：标签<TAB>skip、keep 或 landline");
	PGD_GROW(r->labels, r->nlabels + 1, r->labels_cap);
	l = &r->labels[r->nlabels++];
	l->text = pgd_strdup(ln->f[0]);
	l->len = strlen(l->text);
	l->kind = kind;
	return 0;
}

static int on_setting(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_pii *r = ctx;
	static const char *const keys[NSEV] = { "severity.id_number", "severity.mobile",
						"severity.bank_card" };

	if (ln->nf != 2)
		return pgd_dr_bad_line(err, ln, "应为两列：设置项<TAB>值");
	for (int k = 0; k < NSEV; k++)
		if (strcmp(ln->f[0], keys[k]) == 0)
			return pgd_dr_parse_severity(ln, ln->f[1], &r->sev[k], err);
	return pgd_dr_bad_line(err, ln, "未知设置项");
}

void pgd_rule_pii_free(struct pgd_rule_pii *r)
{
	if (r == NULL)
		return;
	pgd_dr_strs_release(&r->mobile);
	pgd_dr_strs_release(&r->bins);
	for (size_t i = 0; i < r->nlabels; i++)
		free(r->labels[i].text);
	free(r->labels);
	free(r);
}

int pgd_rule_pii_load(const char *data_dir, struct pgd_rule_pii **out, struct pgd_err *err)
{
	struct pgd_rule_pii *r = pgd_calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	r->sev[SEV_ID] = PGD_SEV_BLOCK;
	r->sev[SEV_MOBILE] = PGD_SEV_REVIEW;
	r->sev[SEV_CARD] = PGD_SEV_REVIEW;
	rc = pgd_dr_read_tsv(data_dir, "pii/id_regions.tsv", 1, on_region, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "pii/mobile_prefixes.tsv", 1, on_mobile, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "pii/card_bins.tsv", 1, on_bin, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "pii/labels.tsv", 0, on_label, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "pii/settings.tsv", 0, on_setting, r, err);
	if (rc) {
		pgd_rule_pii_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* ---------------------------------------------------------------- scanning */

struct run {
	size_t start, end;              /* bytes in the text */
	char d[MAX_RUN_DIGITS + 2];     /* ASCII digits (+ 'X'), NUL-terminated */
	int nd;                         /* digits (> MAX_RUN_DIGITS: too long to matter) */
	int x;                          /* ends with X (after 17 digits) */
};

static int is_code_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '=' ||
	       c == '/' || c == '\\' || c == '%' || c == '&' || c == '#' || c == '@';
}

/* The number s[a, b) is stuck to a code, a URL or a decimal. */
static int in_code(const char *s, size_t len, size_t a, size_t b)
{
	if (a > 0) {
		unsigned char c = (unsigned char)s[a - 1];
		if (is_code_char(c))
			return 1;
		if (c == '.' && a >= 2 &&
		    (is_code_char((unsigned char)s[a - 2]) || (s[a - 2] >= '0' && s[a - 2] <= '9')))
			return 1;
	}
	if (b < len) {
		unsigned char c = (unsigned char)s[b];
		if (is_code_char(c))
			return 1;
		if (c == '.' && b + 1 < len &&
		    (is_code_char((unsigned char)s[b + 1]) ||
		     (s[b + 1] >= '0' && s[b + 1] <= '9')))
			return 1;
	}
	return 0;
}

/* Width of a joiner between two digit groups: one ASCII space/hyphen or a full-width one. */
static size_t joiner(const char *s, size_t len, size_t i)
{
	if (i >= len)
		return 0;
	if (s[i] == ' ' || s[i] == '-')
		return 1;
	if (len - i >= 3 && (memcmp(s + i, "－", 3) == 0 || memcmp(s + i, "\xE3\x80\x80", 3) == 0))
		return 3;
	return 0;
}

/* The label before the number at off (LABEL_NONE when there is none). */
static int label_kind(const struct pgd_rule_pii *r, const char *s, size_t off)
{
	static const char *const fill[] = { "：", "，", "、", "；", "（", "）", "－", "\xE3\x80\x80", NULL };
	size_t i = off, lim = off > LABEL_LOOKBACK ? off - LABEL_LOOKBACK : 0;
	const struct label *best = NULL;

	/* walk back over the numbers and punctuation of a list such as "电话：0858-1234、138…" */
	while (i > lim) {
		unsigned char c = (unsigned char)s[i - 1];
		int stepped = 0;
		if ((c >= '0' && c <= '9') || c == ' ' || c == ':' || c == '-' || c == ',' ||
		    c == ';' || c == '/' || c == '(' || c == ')' || c == '+' || c == '*' ||
		    c == '\t') {
			i--;
			continue;
		}
		if (i - lim >= 3 && (unsigned char)s[i - 3] == 0xEF && (unsigned char)s[i - 2] == 0xBC &&
		    c >= 0x90 && c <= 0x99) {
			i -= 3; /* full-width digit */
			continue;
		}
		for (size_t k = 0; fill[k]; k++) {
			size_t l = strlen(fill[k]);
			if (i - lim >= l && memcmp(s + i - l, fill[k], l) == 0) {
				i -= l;
				stepped = 1;
				break;
			}
		}
		if (!stepped)
			break;
	}
	for (size_t k = 0; k < r->nlabels; k++) {
		const struct label *l = &r->labels[k];
		if (i >= l->len && memcmp(s + i - l->len, l->text, l->len) == 0 &&
		    (best == NULL || l->len > best->len))
			best = l;
	}
	return best != NULL ? best->kind : LABEL_NONE;
}

/* Region and check character right: the number is ID-shaped (an 18-digit number with a
 * right check character and region but an impossible birth date is a wrong ID, not a card). */
static int id_shaped(const struct pgd_rule_pii *r, const char *d)
{
	int prov = (d[0] - '0') * 10 + (d[1] - '0');
	int pref = prov * 100 + (d[2] - '0') * 10 + (d[3] - '0');

	if (!r->prov[prov])
		return 0;
	if (r->prov_full[prov] && !r->pref[pref])
		return 0;
	return pgd_pii_id_checksum_ok(d);
}

static int id_valid(const struct pgd_rule_pii *r, const char *d, int as_of)
{
	int ymd = 0;

	if (!id_shaped(r, d))
		return 0;
	for (int i = 6; i < 14; i++)
		ymd = ymd * 10 + (d[i] - '0');
	return pgd_pii_date_ok(ymd, as_of);
}

static int has_prefix(const struct pgd_dr_strs *set, const char *d)
{
	for (size_t i = 0; i < set->n; i++)
		if (strncmp(d, set->v[i], strlen(set->v[i])) == 0)
			return 1;
	return 0;
}

static int mobile_valid(const struct pgd_rule_pii *r, const char *d)
{
	return d[0] == '1' && strlen(d) == 11 && has_prefix(&r->mobile, d);
}

static int card_valid(const struct pgd_rule_pii *r, const char *d, int as_of)
{
	size_t n = strlen(d);

	if (n < 16 || n > 19 || !has_prefix(&r->bins, d) || !pgd_pii_luhn_ok(d, n))
		return 0;
	return !(n == 18 && id_shaped(r, d));
}

static void report(const struct pgd_rule_pii *r, const struct pgd_doc *doc,
		   struct pgd_findings *out, int what, size_t a, size_t b, const char *d)
{
	static const char *const cat[NSEV] = { "pii.id_number", "pii.mobile", "pii.bank_card" };
	static const char *const msg[NSEV] = {
		"含有公民身份号码，发布前须删除或遮挡（如确需公示，只保留前 6 位和后 4 位）",
		"含有个人手机号码，发布前须删除或遮挡（确需公开联系方式的，请使用办公电话）",
		"含有银行卡号，发布前须删除或遮挡",
	};
	char mask[32];
	size_t n = strlen(d), k = 0;

	/* ID 520222********1234, mobile 138****5678, card 6222********1234 */
	size_t head = what == SEV_ID ? 6 : what == SEV_MOBILE ? 3 : 4;
	for (size_t i = 0; i < n && k + 1 < sizeof(mask); i++)
		mask[k++] = (i < head || i >= n - 4) ? d[i] : '*';
	mask[k] = '\0';
	pgd_findings_add(out, doc, cat[what], r->sev[what], a, b - a, msg[what], mask);
}

/* Look for PII in a cluster of runs; mark used runs in used[]. */
static void scan_cluster(const struct pgd_rule_pii *r, const struct pgd_doc *doc, int as_of,
			 struct run *ru, int nr, struct pgd_findings *out)
{
	const char *s = doc->text;
	size_t len = doc->len;
	int used[MAX_RUNS] = { 0 };

	for (int a = 0; a < nr; a++) {
		char cat[64];
		int b = -1, what = -1, k, lk;
		size_t start = ru[a].start;
		const char *num = NULL;

		if (used[a] || ru[a].nd > MAX_RUN_DIGITS)
			continue;
		/* one run */
		if (ru[a].nd == 18 || (ru[a].nd == 17 && ru[a].x)) {
			if (id_valid(r, ru[a].d, as_of)) {
				b = a, what = SEV_ID, num = ru[a].d;
			} else if (!ru[a].x && card_valid(r, ru[a].d, as_of)) {
				b = a, what = SEV_CARD, num = ru[a].d;
			}
		} else if (ru[a].nd >= 16 && ru[a].nd <= 19 && card_valid(r, ru[a].d, as_of)) {
			b = a, what = SEV_CARD, num = ru[a].d;
		} else if (ru[a].nd == 11 && mobile_valid(r, ru[a].d)) {
			b = a, what = SEV_MOBILE, num = ru[a].d;
		} else if ((ru[a].nd == 13 && strncmp(ru[a].d, "86", 2) == 0 &&
			    mobile_valid(r, ru[a].d + 2)) ||
			   (ru[a].nd == 15 && strncmp(ru[a].d, "0086", 4) == 0 &&
			    mobile_valid(r, ru[a].d + 4))) {
			b = a, what = SEV_MOBILE, num = ru[a].d + (ru[a].nd - 11);
		}
		/* 86 / 0086 then the number in one run or 3-4-4 */
		if (what < 0 && a + 1 < nr &&
		    ((ru[a].nd == 2 && memcmp(ru[a].d, "86", 2) == 0) ||
		     (ru[a].nd == 4 && memcmp(ru[a].d, "0086", 4) == 0))) {
			if (ru[a + 1].nd == 11 && mobile_valid(r, ru[a + 1].d)) {
				b = a + 1, what = SEV_MOBILE, num = ru[a + 1].d;
			} else if (a + 3 < nr && ru[a + 1].nd == 3 && ru[a + 2].nd == 4 &&
				   ru[a + 3].nd == 4) {
				snprintf(cat, sizeof(cat), "%s%s%s", ru[a + 1].d, ru[a + 2].d, ru[a + 3].d);
				if (mobile_valid(r, cat))
					b = a + 3, what = SEV_MOBILE, num = cat;
			}
		}
		/* 138 1234 5678 */
		if (what < 0 && a + 2 < nr && ru[a].nd == 3 && ru[a + 1].nd == 4 && ru[a + 2].nd == 4) {
			snprintf(cat, sizeof(cat), "%s%s%s", ru[a].d, ru[a + 1].d, ru[a + 2].d);
			if (mobile_valid(r, cat))
				b = a + 2, what = SEV_MOBILE, num = cat;
		}
		/* 6222 0212 3456 7890 [123] */
		if (what < 0 && ru[a].nd == 4) {
			size_t cl = 0;
			int last = -1;
			for (k = a; k < nr && cl + (size_t)ru[k].nd <= 19; k++) {
				if (ru[k].nd == 4 || (k - a >= 4 && ru[k].nd >= 1 && ru[k].nd <= 3)) {
					memcpy(cat + cl, ru[k].d, (size_t)ru[k].nd);
					cl += (size_t)ru[k].nd;
					last = k;
				}
				if (ru[k].nd != 4)
					break;
			}
			cat[cl] = '\0';
			if (last - a >= 3 && cl >= 16 && card_valid(r, cat, as_of))
				b = last, what = SEV_CARD, num = cat;
		}
		if (what < 0)
			continue;
		/* +86 */
		if (start > 0 && s[start - 1] == '+')
			start--;
		if (in_code(s, len, start, ru[b].end))
			continue;
		lk = label_kind(r, s, start);
		if (lk == LABEL_SKIP || (lk == LABEL_LANDLINE && what != SEV_MOBILE))
			continue;
		report(r, doc, out, what, start, ru[b].end, num);
		for (k = a; k <= b; k++)
			used[k] = 1;
	}
}

/* Read the digit run at i (a digit is there); returns its end. */
static size_t read_run(const char *s, size_t len, size_t i, struct run *ru)
{
	size_t w;
	int d;

	ru->start = i;
	ru->nd = 0;
	ru->x = 0;
	while (i < len && (d = pgd_dr_digit(s, len, i, &w)) >= 0) {
		if (ru->nd < MAX_RUN_DIGITS)
			ru->d[ru->nd] = (char)('0' + d);
		ru->nd++;
		i += w;
	}
	if (ru->nd == 17 && i < len) {
		if (s[i] == 'X' || s[i] == 'x') {
			ru->x = 1;
			i += 1;
		} else if (len - i >= 3 && (memcmp(s + i, "Ｘ", 3) == 0 || memcmp(s + i, "ｘ", 3) == 0)) {
			ru->x = 1;
			i += 3;
		}
		if (ru->x)
			ru->d[ru->nd] = 'X';
	}
	ru->d[ru->nd + ru->x <= MAX_RUN_DIGITS ? ru->nd + ru->x : MAX_RUN_DIGITS] = '\0';
	ru->end = i;
	return i;
}

static int starts_digit(const char *s, size_t len, size_t i)
{
	unsigned char b = (unsigned char)s[i];
	if (b >= '0' && b <= '9')
		return 1;
	return b == 0xEF && len - i >= 3 && (unsigned char)s[i + 1] == 0xBC &&
	       (unsigned char)s[i + 2] >= 0x90 && (unsigned char)s[i + 2] <= 0x99;
}

int pgd_rule_pii_check(const struct pgd_rule_pii *r, const struct pgd_doc *doc,
		       const struct pgd_check_opts *opts, struct pgd_findings *out,
		       struct pgd_err *err)
{
	const char *s = doc->text;
	size_t len = doc->len, i = 0;
	struct run ru[MAX_RUNS];
	int as_of = pgd_check_as_of(opts);

	(void)err;
	if (r == NULL)
		return 0;
	while (i < len) {
		int nr = 0;
		size_t j;

		/* jump to the next ASCII digit or 0xEF (the lead byte of full-width digits) */
		i += strcspn(s + i, "0123456789\xEF");
		if (i >= len)
			break;
		if (!starts_digit(s, len, i)) {
			i++; /* an embedded NUL, or 0xEF of other full-width characters */
			continue;
		}
		i = read_run(s, len, i, &ru[nr++]);
		/* more runs joined by one space or hyphen */
		while (nr < MAX_RUNS && (j = joiner(s, len, i)) != 0 && i + j < len &&
		       starts_digit(s, len, i + j))
			i = read_run(s, len, i + j, &ru[nr++]);
		scan_cluster(r, doc, as_of, ru, nr, out);
	}
	return 0;
}
