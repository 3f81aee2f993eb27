/* Classification marks (Art. 16): a piece that carries a secrecy level (绝密/机密/秘密 with or
 * without ★ and period), an internal-only mark (内部资料 注意保存, 此件不公开 …) or a 密级 label
 * must go to secrecy review before it is published.
 *
 * Data: data/secrecy/marks.tsv (pattern, kind), data/secrecy/not_marks.tsv (exceptions that
 * win over a mark they cover: leftmost-longest, e.g. 泄露国家秘密, 此件公开发布, 密级：无) and
 * data/secrecy/settings.tsv (severity). Kinds:
 *   anywhere  a mark wherever it stands (此件不公开, 仅供内部参考, 内部资料 注意保存)
 *   line      a mark only when it stands alone on its line (title/header/footer), possibly in
 *             brackets: 内部文件, 内部传阅, 涉密, 不宜公开
 *   level     绝密/机密/秘密: a mark next to ★/☆ (机密★1年, ★机密), or alone on its line
 *             (optionally with 文件/件/资料/材料) — never inside prose (泄露国家秘密)
 *   label     密级：<value> */
#define _GNU_SOURCE /* memrchr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/docrules.h"
#include "pubguard/mem.h"
#include "core/banned.h"

enum mark_kind { MK_ANYWHERE = 0, MK_LINE, MK_LEVEL, MK_LABEL };

#define TAG_NOT_MARK (-1)
#define QUOTE_CAP 90 /* bytes of a mark quoted in the message */

struct pgd_rule_secrecy {
	struct pgd_dr_lits lits; /* tag: enum mark_kind, or TAG_NOT_MARK */
	enum pgd_severity sev;
};

static int on_mark(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_secrecy *r = ctx;
	static const char *const kinds[] = { "anywhere", "line", "level", "label" };

	if (ln->nf != 2 || ln->f[0][0] == '\0' || ln->f[0][0] == ' ')
		return pgd_dr_bad_line(err, ln, "应为两列：标志<TAB>类型（anywhere/line/level/label）");
	for (int k = 0; k < 4; k++) {
		if (strcmp(ln->f[1], kinds[k]) == 0) {
			pgd_dr_lits_add(&r->lits, ln->f[0], k);
			return 0;
		}
	}
	return pgd_dr_bad_line(err, ln, "类型应为 anywhere、line、level 或 label");
}

static int on_not_mark(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_secrecy *r = ctx;

	if (ln->nf != 1 || ln->f[0][0] == '\0')
		return pgd_dr_bad_line(err, ln, "应为一列：不属于密级标志的短语");
	pgd_dr_lits_add(&r->lits, ln->f[0], TAG_NOT_MARK);
	return 0;
}

static int on_setting(void *ctx, const struct pgd_dr_line *ln, struct pgd_err *err)
{
	struct pgd_rule_secrecy *r = ctx;

	if (ln->nf != 2)
		return pgd_dr_bad_line(err, ln, "应为两列：设置项<TAB>值");
	if (strcmp(ln->f[0], "severity.classification_mark") == 0)
		return pgd_dr_parse_severity(ln, ln->f[1], &r->sev, err);
	return pgd_dr_bad_line(err, ln, "未知设置项");
}

void pgd_rule_secrecy_free(struct pgd_rule_secrecy *r)
{
	if (r == NULL)
		return;
	pgd_dr_lits_release(&r->lits);
	free(r);
}

int pgd_rule_secrecy_load(const char *data_dir, struct pgd_rule_secrecy **out,
			  struct pgd_err *err)
{
	struct pgd_rule_secrecy *r = pgd_calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	r->sev = PGD_SEV_REVIEW;
	rc = pgd_dr_read_tsv(data_dir, "secrecy/marks.tsv", 1, on_mark, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "secrecy/not_marks.tsv", 0, on_not_mark, r, err);
	if (rc == 0)
		rc = pgd_dr_read_tsv(data_dir, "secrecy/settings.tsv", 0, on_setting, r, err);
	if (rc) {
		pgd_rule_secrecy_free(r);
		return rc;
	}
	pgd_dr_lits_build(&r->lits);
	*out = r;
	return 0;
}

/* ---- context tests ---- */

static const char *const open_br[] = { "【", "[", "（", "(", "〔", "「", "《", "［", "★", NULL };
static const char *const close_br[] = { "】", "]", "）", ")", "〕", "」", "》", "］", NULL };

static size_t starts_with_any(const char *s, size_t i, size_t end, const char *const *set)
{
	for (size_t k = 0; set[k]; k++) {
		size_t l = strlen(set[k]);
		if (end - i >= l && memcmp(s + i, set[k], l) == 0)
			return l;
	}
	return 0;
}

static size_t ends_with_any(const char *s, size_t start, size_t i, const char *const *set)
{
	for (size_t k = 0; set[k]; k++) {
		size_t l = strlen(set[k]);
		if (i - start >= l && memcmp(s + i - l, set[k], l) == 0)
			return l;
	}
	return 0;
}

/* Only spaces and opening brackets between the line start ls and pos. */
static int alone_before(const char *s, size_t ls, size_t pos)
{
	size_t i = ls, w;

	while (i < pos) {
		if ((w = pgd_dr_space(s, pos, i)) != 0 || (w = starts_with_any(s, i, pos, open_br)) != 0)
			i += w;
		else
			return 0;
	}
	return 1;
}

/* Only spaces and closing brackets between pos and the line end le. */
static int alone_after(const char *s, size_t pos, size_t le)
{
	size_t i = pos, w;

	while (i < le) {
		if ((w = pgd_dr_space(s, le, i)) != 0 || (w = starts_with_any(s, i, le, close_br)) != 0)
			i += w;
		else
			return 0;
	}
	return 1;
}

static size_t skip_spaces(const char *s, size_t i, size_t end)
{
	size_t w;
	while (i < end && (w = pgd_dr_space(s, end, i)) != 0)
		i += w;
	return i;
}

/* After ★: a period such as 1年, 10年, 6个月, 长期. Returns the end of it (or i). */
static size_t period_end(const char *s, size_t i, size_t end)
{
	static const char *const units[] = { "年", "个月", "月", "天", "日", NULL };
	size_t j = skip_spaces(s, i, end), w, k;
	int digits = 0;

	if (end - j >= 6 && memcmp(s + j, "长期", 6) == 0)
		return j + 6;
	while (j < end && pgd_dr_digit(s, end, j, &w) >= 0) {
		j += w;
		digits++;
	}
	if (digits && (k = starts_with_any(s, j, end, units)) != 0)
		return j + k;
	return i;
}

/* Decide whether the level word at [pos, pos+n) is a mark; widen ms..me to the whole mark. */
static int level_mark(const char *s, size_t len, size_t pos, size_t n, size_t *ms, size_t *me)
{
	static const char *const stars[] = { "★", "☆", NULL };
	static const char *const suffix[] = { "文件", "件", "资料", "材料", NULL };
	size_t ls, le, j, k;

	pgd_dr_line_bounds(s, len, pos, &ls, &le);
	*ms = pos;
	*me = pos + n;
	/* ★机密 */
	j = pos;
	for (;;) {
		if (j > ls && (s[j - 1] == ' ' || s[j - 1] == '\t'))
			j--;
		else if (j - ls >= 3 && memcmp(s + j - 3, "\xE3\x80\x80", 3) == 0)
			j -= 3;
		else
			break;
	}
	if ((k = ends_with_any(s, ls, j, stars)) != 0) {
		*ms = j - k;
		return 1;
	}
	/* 机密★1年 */
	j = skip_spaces(s, pos + n, le);
	if ((k = starts_with_any(s, j, le, stars)) != 0) {
		*me = period_end(s, j + k, le);
		return 1;
	}
	/* alone on its line, optionally with a suffix */
	if (!alone_before(s, ls, pos))
		return 0;
	j = pos + n;
	if ((k = starts_with_any(s, j, le, suffix)) != 0)
		j += k;
	if (alone_after(s, j, le)) {
		*me = j;
		return 1;
	}
	return 0;
}

/* 密级：<value>: the value runs to a space or the line end (at most 30 bytes). */
static int label_mark(const char *s, size_t len, size_t pos, size_t n, size_t *me)
{
	size_t ls, le, j, w;

	pgd_dr_line_bounds(s, len, pos, &ls, &le);
	j = skip_spaces(s, pos + n, le);
	if (j >= le)
		return 0;
	while (j < le && pgd_dr_space(s, le, j) == 0 && j - pos < 30) {
		unsigned char b = (unsigned char)s[j]; /* step by the UTF-8 length */
		w = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
		if (j + w > le)
			break;
		j += w;
	}
	*me = j;
	return 1;
}

int pgd_rule_secrecy_check(const struct pgd_rule_secrecy *r, const struct pgd_doc *doc,
			   const struct pgd_check_opts *opts, struct pgd_findings *out,
			   struct pgd_err *err)
{
	const char *s = doc->text;
	size_t len = doc->len, pos = 0, n;
	int tag;

	(void)opts;
	(void)err;
	if (r == NULL)
		return 0;
	while (pgd_dr_lits_next(&r->lits, s, len, &pos, &n, &tag)) {
		size_t ms = pos, me = pos + n, ls, le;
		int hit = 0;

		switch (tag) {
		case MK_ANYWHERE:
			hit = 1;
			break;
		case MK_LINE:
			pgd_dr_line_bounds(s, len, pos, &ls, &le);
			hit = alone_before(s, ls, pos) && alone_after(s, pos + n, le);
			break;
		case MK_LEVEL:
			hit = level_mark(s, len, pos, n, &ms, &me);
			break;
		case MK_LABEL:
			hit = label_mark(s, len, pos, n, &me);
			break;
		default: /* TAG_NOT_MARK */
			break;
		}
		if (hit) {
			char msg[256];
			size_t ql = me - ms;
			if (ql > QUOTE_CAP)
				ql = QUOTE_CAP;
			snprintf(msg, sizeof(msg), "含%s「%.*s」，须送保密审查（第十六条）",
				 tag == MK_LEVEL || tag == MK_LABEL ? "密级标志" : "不公开标志", (int)ql,
				 s + ms);
			pgd_findings_add(out, doc, "secrecy.classification_mark", r->sev, ms, me - ms,
					 msg, "发布前送保密审查，确认可以公开并去除标志后再发布");
			pos = me;
		} else {
			pos += n;
		}
	}
	return 0;
}
