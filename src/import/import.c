/* Import of units, people and platforms from a roster table (see pubguard/import.h).
 *
 * Two passes. The first reads the header, then checks every row in memory against the
 * registry as it is (existing units and platforms are loaded once; people are looked up per
 * row) and against the other rows of the file, collecting every error. The second, only when
 * the first found none, creates the rows through the store's registry functions inside one
 * transaction, so the store's own rules apply too; it stops at the first refusal (PostgreSQL
 * aborts a transaction on any error) and rolls back. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pubguard/approved.h"
#include "pubguard/buf.h"
#include "pubguard/err.h"
#include "pubguard/import.h"
#include "pubguard/match.h"
#include "pubguard/mem.h"
#include "pubguard/sheet.h"
#include "pubguard/store.h"
#include "pubguard/utf8.h"
#include "core/banned.h"

#define TEXT_MAX 1000  /* the store's cap on any registry text field, bytes */
#define HEADER_SCAN 10 /* the header is among the first rows */

static const char *const kind_names[PGD_IMPORT_KIND_COUNT] = {"units", "people", "platforms",
                                                               "approved_items"};

const char *pgd_import_kind_name(enum pgd_import_kind k)
{
	return (unsigned)k < PGD_IMPORT_KIND_COUNT ? kind_names[k] : NULL;
}

int pgd_import_kind_parse(const char *word, enum pgd_import_kind *out)
{
	for (int i = 0; word && i < PGD_IMPORT_KIND_COUNT; i++)
		if (strcmp(word, kind_names[i]) == 0) {
			*out = (enum pgd_import_kind)i;
			return 0;
		}
	return PGD_ERR_INVALID;
}

void pgd_import_result_release(struct pgd_import_result *r)
{
	if (r == NULL)
		return;
	free(r->errors);
	memset(r, 0, sizeof(*r));
}

/* ---- columns ---- */

/* clang-format off */
enum field {
	F_NAME, F_KIND, F_PARENT, F_PARTY,                 /* units */
	F_UNIT, F_POST, F_STAFF, F_PHONE,                  /* people (+ F_NAME) */
	F_TYPE, F_URL, F_SITE, F_CERT, F_ENTRY, F_MANAGER, /* platforms (+ F_NAME, F_UNIT) */
	F_PID, F_TITLE, F_LINK, F_DATE, F_REF,             /* approved items (+ F_NAME) */
	F_COUNT
};
/* clang-format on */

struct colspec {
	enum field f;
	int required;
	const char *zh;          /* the name shown in messages */
	const char *names[7];    /* accepted headers (Chinese and English), NULL-terminated */
	const char *store_field; /* the store's err->field for this column */
};

static const struct colspec unit_cols[] = {
    {F_NAME, 1, "单位名称", {"单位名称", "名称", "name", NULL}, "name"},
    {F_KIND, 1, "单位类型", {"单位类型", "类型", "kind", NULL}, "kind"},
    {F_PARENT, 0, "上级单位", {"上级单位", "parent", "parent_name", NULL}, "parent_id"},
    {F_PARTY, 0, "党组织", {"党组织", "责任党组织", "party_body", NULL}, "party_body"},
};
static const struct colspec person_cols[] = {
    {F_NAME, 1, "姓名", {"姓名", "name", NULL}, "name"},
    {F_UNIT, 1, "单位", {"单位", "单位名称", "所在单位", "unit", "unit_name", NULL}, "unit_id"},
    {F_POST, 0, "职务", {"职务", "post", NULL}, "post"},
    {F_STAFF, 1, "人员类型", {"人员类型", "staff_type", NULL}, "staff_type"},
    {F_PHONE, 0, "联系电话", {"联系电话", "电话", "手机", "phone", NULL}, "phone"},
};
static const struct colspec platform_cols[] = {
    {F_NAME, 1, "平台名称", {"平台名称", "名称", "name", NULL}, "name"},
    {F_TYPE, 1, "平台类型", {"平台类型", "类型", "type", NULL}, "type"},
    {F_URL,
     1,
     "网址或账号",
     {"网址或账号", "网址", "账号", "url_or_account", NULL},
     "url_or_account"},
    {F_SITE, 0, "网站标识码", {"网站标识码", "标识码", "site_code", NULL}, "site_code"},
    {F_CERT, 0, "是否认证", {"是否认证", "认证", "certified", NULL}, "certified"},
    {F_ENTRY, 0, "采集入口", {"采集入口", "entry_point", NULL}, "entry_point"},
    {F_UNIT, 1, "所属单位", {"所属单位", "单位", "主办单位", "unit", "unit_name", NULL}, "unit_id"},
    {F_MANAGER, 0, "管理员", {"管理员", "manager", "manager_name", NULL}, "manager_person_id"},
};

static const struct colspec approved_cols[] = {
    {F_PID, 0, "平台ID", {"平台ID", "平台编号", "platform_id", NULL}, "platform_id"},
    {F_NAME, 0, "平台名称", {"平台名称", "平台", "platform_name", NULL}, "platform_name"},
    {F_TITLE, 1, "标题", {"标题", "title", NULL}, "title"},
    {F_LINK, 0, "链接", {"链接", "网址", "发布链接", "url", "link", NULL}, "url"},
    {F_DATE, 1, "审核日期", {"审核日期", "审核时间", "审签日期", "approved_at", NULL}, "approved_at"},
    {F_REF, 0, "审签单号", {"审签单号", "审签编号", "审核单号", "ref", NULL}, "ref"},
};

static const struct colspec *cols_of(enum pgd_import_kind k, size_t *n)
{
	switch (k) {
	case PGD_IMPORT_APPROVED_ITEMS:
		*n = sizeof(approved_cols) / sizeof(approved_cols[0]);
		return approved_cols;
	case PGD_IMPORT_UNITS:
		*n = sizeof(unit_cols) / sizeof(unit_cols[0]);
		return unit_cols;
	case PGD_IMPORT_PEOPLE:
		*n = sizeof(person_cols) / sizeof(person_cols[0]);
		return person_cols;
	default:
		*n = sizeof(platform_cols) / sizeof(platform_cols[0]);
		return platform_cols;
	}
}

/* ---- the import's state ---- */

struct ctx {
	struct pgd_store *st;
	enum pgd_import_kind kind;
	const struct pgd_sheet *sh;
	struct pgd_import_result *res;
	const struct colspec *cols;
	size_t ncols;
	long col_of[F_COUNT];        /* sheet column of each field, -1 absent */
	const char *header[F_COUNT]; /* header text as written (borrowed from the sheet) */
	size_t header_row;           /* index into sh->rows */
	unsigned header_line;
	/* registry loaded once */
	struct pgd_unit_list units;
	size_t units_cap;
	struct pgd_unit **ubyname; /* sorted by name */
	struct pgd_platform_list plats;
	size_t plats_cap;
	struct pgd_platform **pbykey;  /* sorted by type, then URL or account */
	struct pgd_person_list people; /* active people (platforms: managers) */
	size_t people_cap;
	struct pgd_person **pbyname; /* sorted by unit, then name */
	const char *actor;           /* approved items: recorded as approved_by */
};

static void add_error(struct ctx *c, unsigned row, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_error(struct ctx *c, unsigned row, const char *column, const char *fmt, ...)
{
	struct pgd_import_result *r = c->res;
	struct pgd_import_error *e;
	va_list ap;

	r->total_errors++;
	if (r->nerrors >= PGD_IMPORT_MAX_ERRORS)
		return;
	if (r->errors == NULL)
		r->errors = pgd_calloc(PGD_IMPORT_MAX_ERRORS, sizeof(*r->errors));
	e = &r->errors[r->nerrors++];
	e->row = row;
	snprintf(e->column, sizeof(e->column), "%s", column ? column : "");
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

/* ---- text helpers ---- */

/* Length of a space at s (ASCII space/tab, U+3000, U+00A0), 0 when none. */
static size_t space_at(const char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n'))
		return 1;
	if (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0)
		return 3;
	if (n >= 2 && memcmp(s, "\xC2\xA0", 2) == 0)
		return 2;
	return 0;
}

/* Trimmed copy. new. */
static char *trimmed(const char *s)
{
	size_t n = strlen(s), b = 0, k;
	while (b < n && (k = space_at(s + b, n - b)) > 0)
		b += k;
	for (;;) {
		size_t e = n;
		if (e > b &&
		    (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n'))
			n--;
		else if (e >= b + 3 && memcmp(s + e - 3, "\xE3\x80\x80", 3) == 0)
			n -= 3;
		else if (e >= b + 2 && memcmp(s + e - 2, "\xC2\xA0", 2) == 0)
			n -= 2;
		if (n == e)
			break;
	}
	return pgd_strndup(s + b, n - b);
}

/* Normalised form for matching words: no spaces, no '*', full-width brackets as ASCII,
 * ASCII lower case. new. */
static char *norm_word(const char *s)
{
	size_t n = strlen(s), k;
	char *o = pgd_malloc(n + 1), *w = o;
	for (size_t i = 0; i < n;) {
		if ((k = space_at(s + i, n - i)) > 0) {
			i += k;
		} else if (s[i] == '*') {
			i++;
		} else if (n - i >= 3 && memcmp(s + i, "\xEF\xBC\x88", 3) == 0) { /* （ */
			*w++ = '(';
			i += 3;
		} else if (n - i >= 3 && memcmp(s + i, "\xEF\xBC\x89", 3) == 0) { /* ） */
			*w++ = ')';
			i += 3;
		} else if (n - i >= 3 && memcmp(s + i, "\xEF\xBC\x8A", 3) == 0) { /* ＊ */
			i += 3;
		} else {
			char ch = s[i++];
			*w++ = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
		}
	}
	*w = '\0';
	return o;
}

struct word {
	const char *w;
	int v;
};

/* Look s up among words (compared in normalised form); -1 when none. */
static int match_word(const struct word *words, size_t n, const char *s)
{
	char *ns = norm_word(s);
	int v = -1;
	for (size_t i = 0; i < n && v < 0; i++) {
		char *nw = norm_word(words[i].w);
		if (strcmp(ns, nw) == 0)
			v = words[i].v;
		free(nw);
	}
	free(ns);
	return v;
}

static const struct word unit_kinds[] = {
    {"乡镇街道", PGD_UNIT_TOWN},
    {"乡镇(街道)", PGD_UNIT_TOWN},
    {"乡镇", PGD_UNIT_TOWN},
    {"街道", PGD_UNIT_TOWN},
    {"town", PGD_UNIT_TOWN},
    {"市直部门", PGD_UNIT_DEPARTMENT},
    {"部门", PGD_UNIT_DEPARTMENT},
    {"department", PGD_UNIT_DEPARTMENT},
    {"国家机关", PGD_UNIT_ORGAN},
    {"机关", PGD_UNIT_ORGAN},
    {"organ", PGD_UNIT_ORGAN},
    {"人民团体", PGD_UNIT_PEOPLE_ORG},
    {"people_org", PGD_UNIT_PEOPLE_ORG},
    {"园区", PGD_UNIT_PARK},
    {"park", PGD_UNIT_PARK},
    {"企事业单位", PGD_UNIT_ENTERPRISE},
    {"企业", PGD_UNIT_ENTERPRISE},
    {"事业单位", PGD_UNIT_ENTERPRISE},
    {"enterprise", PGD_UNIT_ENTERPRISE},
};
static const struct word staff_types[] = {
    {"正式", PGD_STAFF_FORMAL},
    {"正式人员", PGD_STAFF_FORMAL},
    {"在编", PGD_STAFF_FORMAL},
    {"formal", PGD_STAFF_FORMAL},
    {"临聘", PGD_STAFF_TEMPORARY},
    {"临聘人员", PGD_STAFF_TEMPORARY},
    {"temporary", PGD_STAFF_TEMPORARY},
    {"公益性岗位", PGD_STAFF_PUBLIC_WELFARE},
    {"公益性岗位人员", PGD_STAFF_PUBLIC_WELFARE},
    {"公益岗", PGD_STAFF_PUBLIC_WELFARE},
    {"public_welfare", PGD_STAFF_PUBLIC_WELFARE},
};
static const struct word platform_types[] = {
    {"网站", PGD_PLATFORM_WEBSITE},      {"政府网站", PGD_PLATFORM_WEBSITE},
    {"website", PGD_PLATFORM_WEBSITE},   {"微信公众号", PGD_PLATFORM_WECHAT},
    {"微信", PGD_PLATFORM_WECHAT},       {"公众号", PGD_PLATFORM_WECHAT},
    {"wechat", PGD_PLATFORM_WECHAT},     {"微博", PGD_PLATFORM_WEIBO},
    {"weibo", PGD_PLATFORM_WEIBO},       {"客户端(APP)", PGD_PLATFORM_APP},
    {"客户端", PGD_PLATFORM_APP},        {"app", PGD_PLATFORM_APP},
    {"抖音", PGD_PLATFORM_DOUYIN},       {"抖音号", PGD_PLATFORM_DOUYIN},
    {"douyin", PGD_PLATFORM_DOUYIN},     {"今日头条", PGD_PLATFORM_TOUTIAO},
    {"头条号", PGD_PLATFORM_TOUTIAO},    {"toutiao", PGD_PLATFORM_TOUTIAO},
    {"百家号", PGD_PLATFORM_BAIJIAHAO},  {"baijiahao", PGD_PLATFORM_BAIJIAHAO},
    {"一点资讯", PGD_PLATFORM_YIDIAN},   {"一点号", PGD_PLATFORM_YIDIAN},
    {"yidian", PGD_PLATFORM_YIDIAN},     {"澎湃", PGD_PLATFORM_THEPAPER},
    {"澎湃号", PGD_PLATFORM_THEPAPER},   {"澎湃新闻", PGD_PLATFORM_THEPAPER},
    {"thepaper", PGD_PLATFORM_THEPAPER}, {"其他", PGD_PLATFORM_OTHER},
    {"其它", PGD_PLATFORM_OTHER},        {"other", PGD_PLATFORM_OTHER},
};
static const struct word yes_no[] = {
    {"是", 1}, {"已认证", 1}, {"true", 1},  {"1", 1}, {"yes", 1}, {"y", 1},
    {"否", 0}, {"未认证", 0}, {"false", 0}, {"0", 0}, {"no", 0},  {"n", 0},
};
#define NWORDS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- header ---- */

/* Field of a header cell: F_COUNT for an ignored column, -1 for an unknown one. */
static int header_field(const struct ctx *c, const char *text)
{
	static const char *const ignored[] = {"序号", "备注", "说明", "编号"};
	char *n = norm_word(text);
	int f = -1;
	for (size_t i = 0; i < c->ncols && f < 0; i++)
		for (size_t k = 0; c->cols[i].names[k] && f < 0; k++) {
			char *h = norm_word(c->cols[i].names[k]);
			if (strcmp(n, h) == 0)
				f = (int)c->cols[i].f;
			free(h);
		}
	for (size_t i = 0; i < NWORDS(ignored) && f < 0; i++)
		if (strcmp(n, ignored[i]) == 0)
			f = F_COUNT;
	free(n);
	return f;
}

static const struct colspec *spec_of(const struct ctx *c, enum field f)
{
	for (size_t i = 0; i < c->ncols; i++)
		if (c->cols[i].f == f)
			return &c->cols[i];
	return NULL;
}

/* Find the header row and map its columns. 0, or -1 when the header is unusable (errors
 * recorded). */
static int read_header(struct ctx *c)
{
	const struct pgd_sheet *sh = c->sh;
	size_t best = (size_t)-1;
	int bad = 0;

	for (int f = 0; f < F_COUNT; f++)
		c->col_of[f] = -1;
	for (size_t r = 0; r < sh->nrows && r < HEADER_SCAN && best == (size_t)-1; r++) {
		int known = 0;
		for (size_t k = 0; k < sh->rows[r].ncells; k++) {
			int f = header_field(c, pgd_sheet_cell(sh, r, k));
			if (f >= 0 && f < F_COUNT)
				known++;
		}
		if (known >= 2)
			best = r;
	}
	if (best == (size_t)-1) {
		add_error(c, sh->nrows ? sh->rows[0].line : 1, "",
		          "找不到表头：表格前 %d 行中没有可识别的列名（应有「%s」「%s」等列）",
		          HEADER_SCAN, c->cols[0].zh, c->cols[1].zh);
		return -1;
	}
	c->header_row = best;
	c->header_line = sh->rows[best].line;
	for (size_t k = 0; k < sh->rows[best].ncells; k++) {
		const char *h = pgd_sheet_cell(sh, best, k);
		char *t = trimmed(h);
		int f = header_field(c, h);
		if (*t == '\0') {
			/* an empty header over data is a column nobody can name */
			for (size_t r = best + 1; r < sh->nrows; r++) {
				char *v = trimmed(pgd_sheet_cell(sh, r, k));
				int has = *v != '\0';
				free(v);
				if (has) {
					char cn[8];
					pgd_sheet_col_name(k, cn);
					add_error(c, c->header_line, cn, "%s 列有数据但没有列名",
					          cn);
					bad = 1;
					break;
				}
			}
		} else if (f < 0) {
			struct pgd_buf names;
			pgd_buf_init(&names, 1024);
			for (size_t i = 0; i < c->ncols; i++)
				pgd_buf_addf(&names, "%s%s", i ? "、" : "", c->cols[i].zh);
			add_error(c, c->header_line, h, "无法识别的列「%s」（可用的列：%s）", t,
			          names.data);
			pgd_buf_release(&names);
			bad = 1;
		} else if (f < F_COUNT) {
			if (c->col_of[f] >= 0) {
				add_error(c, c->header_line, h,
				          "列「%s」重复（与 %s 列表示同一项）", t, c->header[f]);
				bad = 1;
			} else {
				c->col_of[f] = (long)k;
				c->header[f] = h;
			}
		}
		free(t);
	}
	if (c->kind == PGD_IMPORT_APPROVED_ITEMS && c->col_of[F_PID] < 0 && c->col_of[F_NAME] < 0) {
		add_error(c, c->header_line, "平台ID", "缺少列「平台ID」或「平台名称」（至少要有一列）");
		bad = 1;
	}
	for (size_t i = 0; i < c->ncols; i++)
		if (c->cols[i].required && c->col_of[c->cols[i].f] < 0) {
			add_error(c, c->header_line, c->cols[i].zh, "缺少必填列「%s」",
			          c->cols[i].zh);
			bad = 1;
		}
	for (int f = 0; f < F_COUNT; f++)
		if (c->header[f] == NULL) {
			const struct colspec *s = spec_of(c, (enum field)f);
			c->header[f] = s ? s->zh : "";
		}
	return bad ? -1 : 0;
}

/* ---- per-row values ---- */

struct rowv {
	unsigned line;
	size_t idx;
	char *v[F_COUNT]; /* trimmed values ("" when absent) */
	int bad;          /* has an error */
	/* resolved */
	int kind; /* unit kind / staff type / platform type */
	int certified;
	int64_t unit_id;   /* people, platforms */
	int64_t parent_id; /* units: an existing parent */
	long parent_row;   /* units: index into rows of a parent in the file, -1 */
	int64_t manager_id;
	int64_t new_id; /* units: id created in pass 2 */
	int64_t platform_id; /* approved items */
	char date[16];       /* approved items: YYYY-MM-DD */
};

static void rowv_release(struct rowv *r)
{
	for (int f = 0; f < F_COUNT; f++)
		free(r->v[f]);
}

static void row_error(struct ctx *c, struct rowv *r, enum field f, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void row_error(struct ctx *c, struct rowv *r, enum field f, const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->bad = 1;
	add_error(c, r->line, c->header[f], "%s", msg);
}

/* A text value: no control characters, valid UTF-8, at most TEXT_MAX bytes; required ones
 * not empty. 0 when fine. */
static int check_text(struct ctx *c, struct rowv *r, enum field f, int required)
{
	const char *v = r->v[f];
	const char *label = c->header[f];
	if (*v == '\0') {
		if (required) {
			row_error(c, r, f, "「%s」不能为空", label);
			return -1;
		}
		return 0;
	}
	if (strlen(v) > TEXT_MAX) {
		row_error(c, r, f, "「%s」过长（不超过 %d 字节，约 %d 个汉字）", label, TEXT_MAX,
		          TEXT_MAX / 3);
		return -1;
	}
	if (!pgd_utf8_valid(v, strlen(v))) {
		row_error(c, r, f, "「%s」含有无效字符", label);
		return -1;
	}
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F) {
			row_error(c, r, f, "「%s」不能含有换行或控制字符", label);
			return -1;
		}
	return 0;
}

static int cmp_unit_ptr(const void *a, const void *b)
{
	const struct pgd_unit *x = *(const struct pgd_unit *const *)a,
	                      *y = *(const struct pgd_unit *const *)b;
	return strcmp(x->name, y->name);
}

static const struct pgd_unit *unit_by_name(const struct ctx *c, const char *name)
{
	struct pgd_unit key, *kp = &key, **hit;
	if (c->ubyname == NULL)
		return NULL;
	key.name = (char *)name;
	hit = bsearch(&kp, c->ubyname, c->units.n, sizeof(*c->ubyname), cmp_unit_ptr);
	return hit ? *hit : NULL;
}

static int cmp_platform_ptr(const void *a, const void *b)
{
	const struct pgd_platform *x = *(const struct pgd_platform *const *)a;
	const struct pgd_platform *y = *(const struct pgd_platform *const *)b;
	if (x->type != y->type)
		return (int)x->type - (int)y->type;
	return strcmp(x->url_or_account, y->url_or_account);
}

static int cmp_person_key(const struct pgd_person *p, int64_t unit_id, const char *name)
{
	if (p->unit_id != unit_id)
		return p->unit_id < unit_id ? -1 : 1;
	return strcmp(p->name, name);
}

static int cmp_person_ptr(const void *a, const void *b)
{
	const struct pgd_person *x = *(const struct pgd_person *const *)a;
	const struct pgd_person *y = *(const struct pgd_person *const *)b;
	int d = cmp_person_key(x, y->unit_id, y->name);
	return d ? d : (x->id > y->id) - (x->id < y->id);
}

/* Load every unit (retired ones too) and, for platforms, every platform. */
static int load_registry(struct ctx *c, struct pgd_err *err)
{
	struct pgd_list_query q = {0};
	int rc = 0;

	q.page_size = 500;
	q.include_inactive = 1;
	for (q.page = 1;; q.page++) {
		struct pgd_unit_list l = {0};
		rc = pgd_unit_list(c->st, &q, &l, err);
		if (rc < 0)
			return rc;
		PGD_GROW(c->units.items, c->units.n + l.n, c->units_cap);
		if (l.n)
			memcpy(c->units.items + c->units.n, l.items, l.n * sizeof(*l.items));
		c->units.n += l.n;
		free(l.items);
		if (l.n < (size_t)q.page_size)
			break;
	}
	if (c->units.n) {
		c->ubyname = pgd_reallocarray(NULL, c->units.n, sizeof(*c->ubyname));
		for (size_t i = 0; i < c->units.n; i++)
			c->ubyname[i] = &c->units.items[i];
		qsort(c->ubyname, c->units.n, sizeof(*c->ubyname), cmp_unit_ptr);
	}
	if (c->kind != PGD_IMPORT_PLATFORMS && c->kind != PGD_IMPORT_APPROVED_ITEMS)
		return 0;
	for (q.page = 1;; q.page++) {
		struct pgd_platform_list l = {0};
		rc = pgd_platform_list(c->st, &q, &l, err);
		if (rc < 0)
			return rc;
		PGD_GROW(c->plats.items, c->plats.n + l.n, c->plats_cap);
		if (l.n)
			memcpy(c->plats.items + c->plats.n, l.items, l.n * sizeof(*l.items));
		c->plats.n += l.n;
		free(l.items);
		if (l.n < (size_t)q.page_size)
			break;
	}
	q.include_inactive = 0;
	for (q.page = 1;; q.page++) {
		struct pgd_person_list l = {0};
		rc = pgd_person_list(c->st, &q, &l, err);
		if (rc < 0)
			return rc;
		PGD_GROW(c->people.items, c->people.n + l.n, c->people_cap);
		if (l.n)
			memcpy(c->people.items + c->people.n, l.items, l.n * sizeof(*l.items));
		c->people.n += l.n;
		free(l.items);
		if (l.n < (size_t)q.page_size)
			break;
	}
	if (c->people.n) {
		c->pbyname = pgd_reallocarray(NULL, c->people.n, sizeof(*c->pbyname));
		for (size_t i = 0; i < c->people.n; i++)
			c->pbyname[i] = &c->people.items[i];
		qsort(c->pbyname, c->people.n, sizeof(*c->pbyname), cmp_person_ptr);
	}
	if (c->plats.n) {
		c->pbykey = pgd_reallocarray(NULL, c->plats.n, sizeof(*c->pbykey));
		for (size_t i = 0; i < c->plats.n; i++)
			c->pbykey[i] = &c->plats.items[i];
		qsort(c->pbykey, c->plats.n, sizeof(*c->pbykey), cmp_platform_ptr);
	}
	return 0;
}

/* An existing platform of that type and URL or account, or NULL. */
static const struct pgd_platform *platform_by_key(const struct ctx *c, int type, const char *url)
{
	struct pgd_platform key, *kp = &key, **hit;
	if (c->pbykey == NULL)
		return NULL;
	key.type = (enum pgd_platform_type)type;
	key.url_or_account = (char *)url;
	hit = bsearch(&kp, c->pbykey, c->plats.n, sizeof(*c->pbykey), cmp_platform_ptr);
	return hit ? *hit : NULL;
}

/* Resolve a unit column to an active unit's id (0 with an error recorded when it cannot). */
static int64_t resolve_unit(struct ctx *c, struct rowv *r, enum field f)
{
	const struct pgd_unit *u = unit_by_name(c, r->v[f]);
	if (u == NULL) {
		row_error(c, r, f,
		          "单位「%s」不存在（请先导入或新建该单位，名称须与登记的完全一致）",
		          r->v[f]);
		return 0;
	}
	if (!u->active) {
		row_error(c, r, f, "单位「%s」已撤销，不能再登记%s", r->v[f],
		          c->kind == PGD_IMPORT_PEOPLE ? "人员" : "平台");
		return 0;
	}
	return u->id;
}

/* Index of rows sorted by a key, for duplicates within the file. */
struct keyed {
	const char *key;
	int type;
	size_t row; /* index into rows */
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int d = x->type - y->type;
	if (d)
		return d;
	d = strcmp(x->key, y->key);
	if (d)
		return d;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* ---- pass 1 per kind ---- */

static void check_units(struct ctx *c, struct rowv *rows, size_t n)
{
	struct keyed *idx = pgd_calloc(n ? n : 1, sizeof(*idx));
	size_t ni = 0;

	for (size_t i = 0; i < n; i++) {
		struct rowv *r = &rows[i];
		r->parent_row = -1;
		if (check_text(c, r, F_NAME, 1) == 0) {
			if (unit_by_name(c, r->v[F_NAME]))
				row_error(c, r, F_NAME, "单位「%s」已存在", r->v[F_NAME]);
			idx[ni].key = r->v[F_NAME];
			idx[ni].row = i;
			ni++;
		}
		if (check_text(c, r, F_KIND, 1) == 0) {
			r->kind = match_word(unit_kinds, NWORDS(unit_kinds), r->v[F_KIND]);
			if (r->kind < 0)
				row_error(c, r, F_KIND,
				          "单位类型「%"
				          "s」无效（应为乡镇街道、市直部门、国家机关、人民团体、园"
				          "区或企事业单位）",
				          r->v[F_KIND]);
		}
		check_text(c, r, F_PARTY, 0);
	}
	qsort(idx, ni, sizeof(*idx), cmp_keyed);
	for (size_t k = 1; k < ni; k++)
		if (strcmp(idx[k].key, idx[k - 1].key) == 0) {
			size_t first = k - 1;
			while (first > 0 && strcmp(idx[first - 1].key, idx[k].key) == 0)
				first--;
			row_error(c, &rows[idx[k].row], F_NAME, "单位名称「%s」与第 %u 行重复",
			          idx[k].key, rows[idx[first].row].line);
		}
	for (size_t i = 0; i < n; i++) {
		struct rowv *r = &rows[i];
		struct keyed key = {r->v[F_PARENT], 0, 0}, *hit;
		const struct pgd_unit *u;
		if (check_text(c, r, F_PARENT, 0) < 0 || *r->v[F_PARENT] == '\0')
			continue;
		if (strcmp(r->v[F_PARENT], r->v[F_NAME]) == 0) {
			row_error(c, r, F_PARENT, "上级单位不能是本单位");
			continue;
		}
		/* the first row of the file with that name */
		hit = NULL;
		for (size_t lo = 0, hi = ni; lo < hi;) {
			size_t mid = (lo + hi) / 2;
			int d = strcmp(idx[mid].key, key.key);
			if (d < 0) {
				lo = mid + 1;
			} else {
				if (d == 0)
					hit = &idx[mid];
				hi = mid;
			}
		}
		if (hit && hit->row < i) {
			r->parent_row = (long)hit->row;
		} else if ((u = unit_by_name(c, r->v[F_PARENT])) != NULL) {
			r->parent_id = u->id;
		} else if (hit) {
			row_error(c, r, F_PARENT, "上级单位「%s」在第 %u 行，须列在本行之前",
			          r->v[F_PARENT], rows[hit->row].line);
		} else {
			row_error(c, r, F_PARENT, "上级单位「%s」不存在", r->v[F_PARENT]);
		}
	}
	free(idx);
}

/* Phone: digits and the usual separators, at least 5 digits. */
static int phone_ok(const char *s)
{
	int digits = 0;
	for (const char *p = s; *p;) {
		if (*p >= '0' && *p <= '9') {
			digits++;
			p++;
		} else if (strchr("-+() /,", *p)) {
			p++;
		} else if (strncmp(p, "转", strlen("转")) == 0) {
			p += strlen("转");
		} else if (strncmp(p, "、", strlen("、")) == 0) {
			p += strlen("、");
		} else {
			return 0;
		}
	}
	return digits >= 5;
}

static void check_people(struct ctx *c, struct rowv *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct rowv *r = &rows[i];
		check_text(c, r, F_NAME, 1);
		if (check_text(c, r, F_UNIT, 1) == 0)
			r->unit_id = resolve_unit(c, r, F_UNIT);
		check_text(c, r, F_POST, 0);
		if (check_text(c, r, F_STAFF, 1) == 0) {
			r->kind = match_word(staff_types, NWORDS(staff_types), r->v[F_STAFF]);
			if (r->kind < 0)
				row_error(c, r, F_STAFF,
				          "人员类型「%s」无效（应为正式、临聘或公益性岗位）",
				          r->v[F_STAFF]);
		}
		if (check_text(c, r, F_PHONE, 0) == 0 && *r->v[F_PHONE] && !phone_ok(r->v[F_PHONE]))
			row_error(c, r, F_PHONE,
			          "联系电话「%s」格式不正确（应为数字，可含 - 和分机“转”）",
			          r->v[F_PHONE]);
	}
}

static const char *staff_zh(enum pgd_staff_type t)
{
	return t == PGD_STAFF_TEMPORARY        ? "临聘"
	       : t == PGD_STAFF_PUBLIC_WELFARE ? "公益性岗位"
	                                       : "正式";
}

/* The manager: exactly one active person of that name in the unit, on formal staff. */
static void resolve_manager(struct ctx *c, struct rowv *r)
{
	const char *name = r->v[F_MANAGER], *uname = r->v[F_UNIT];
	enum pgd_staff_type type = PGD_STAFF_FORMAL;
	int64_t id = 0;
	size_t nhit = 0, lo = 0, hi = c->people.n;

	/* the first active person of (unit, name), then the run of them */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cmp_person_key(c->pbyname[mid], r->unit_id, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->people.n && cmp_person_key(c->pbyname[i], r->unit_id, name) == 0;
	     i++)
		if (nhit++ == 0) {
			id = c->pbyname[i]->id;
			type = c->pbyname[i]->staff_type;
		}
	if (nhit == 0)
		row_error(c, r, F_MANAGER, "「%s」不是单位「%s」的在职人员（请先导入人员）", name,
		          uname);
	else if (nhit > 1)
		row_error(
		    c, r, F_MANAGER,
		    "单位「%s」有 %zu 名在职人员叫「%s」，无法确定管理员（请导入后在平台页面指定）",
		    uname, nhit, name);
	else if (type != PGD_STAFF_FORMAL)
		row_error(c, r, F_MANAGER,
		          "「%s」为%s人员，不能担任平台管理员：平台管理员只能由正式人员担任", name,
		          staff_zh(type));
	else
		r->manager_id = id;
}

static void check_platforms(struct ctx *c, struct rowv *rows, size_t n)
{
	struct keyed *idx = pgd_calloc(n ? n : 1, sizeof(*idx));
	size_t ni = 0;

	for (size_t i = 0; i < n; i++) {
		struct rowv *r = &rows[i];
		int type_ok = 0;
		check_text(c, r, F_NAME, 1);
		if (check_text(c, r, F_TYPE, 1) == 0) {
			r->kind = match_word(platform_types, NWORDS(platform_types), r->v[F_TYPE]);
			if (r->kind < 0)
				row_error(c, r, F_TYPE,
				          "平台类型「%s」无效（应为网站、微信公众号、微博、客户端("
				          "APP)、抖音、今日头条、"
				          "百家号、一点资讯、澎湃或其他）",
				          r->v[F_TYPE]);
			else
				type_ok = 1;
		}
		if (check_text(c, r, F_URL, 1) == 0 && type_ok) {
			const struct pgd_platform *old = platform_by_key(c, r->kind, r->v[F_URL]);
			if (old)
				row_error(c, r, F_URL, "%s「%s」已登记（平台「%s」）", r->v[F_TYPE],
				          r->v[F_URL], old->name);
			idx[ni].key = r->v[F_URL];
			idx[ni].type = r->kind;
			idx[ni].row = i;
			ni++;
		}
		if (check_text(c, r, F_SITE, 0) == 0) {
			for (const char *p = r->v[F_SITE]; *p; p++)
				if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
				      (*p >= 'a' && *p <= 'z'))) {
					row_error(c, r, F_SITE,
					          "网站标识码「%s」格式不正确（应为字母和数字）",
					          r->v[F_SITE]);
					break;
				}
		}
		if (*r->v[F_CERT]) {
			r->certified = match_word(yes_no, NWORDS(yes_no), r->v[F_CERT]);
			if (r->certified < 0)
				row_error(c, r, F_CERT, "「%s」应填“是”或“否”，不能是「%s」",
				          c->header[F_CERT], r->v[F_CERT]);
		}
		check_text(c, r, F_ENTRY, 0);
		if (check_text(c, r, F_UNIT, 1) == 0)
			r->unit_id = resolve_unit(c, r, F_UNIT);
		if (check_text(c, r, F_MANAGER, 0) == 0 && *r->v[F_MANAGER] && r->unit_id > 0)
			resolve_manager(c, r);
	}
	qsort(idx, ni, sizeof(*idx), cmp_keyed);
	for (size_t k = 1; k < ni; k++)
		if (idx[k].type == idx[k - 1].type && strcmp(idx[k].key, idx[k - 1].key) == 0) {
			size_t first = k - 1;
			while (first > 0 && idx[first - 1].type == idx[k].type &&
			       strcmp(idx[first - 1].key, idx[k].key) == 0)
				first--;
			row_error(c, &rows[idx[k].row], F_URL, "「%s」与第 %u 行重复", idx[k].key,
			          rows[idx[first].row].line);
		}
	free(idx);
}

/* ---- approved items ---- */

static int leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int y, int m)
{
	static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return md[m - 1] + (m == 2 && leap_year(y));
}

/* Read an unsigned number of at most maxd digits at *p; -1 when none. */
static long read_num(const char **p, int maxd)
{
	long v = 0;
	int d = 0;
	while (**p >= '0' && **p <= '9' && d < maxd) {
		v = v * 10 + (**p - '0');
		(*p)++;
		d++;
	}
	return d ? v : -1;
}

/* Skip one date separator of the given kind at *p: '-', '/', '.', or the Chinese unit word. */
static int skip_sep(const char **p, const char *word)
{
	if (**p == '-' || **p == '/' || **p == '.') {
		(*p)++;
		return 1;
	}
	if (strncmp(*p, word, strlen(word)) == 0) {
		*p += strlen(word);
		return 1;
	}
	return 0;
}

/* A review date: 2026-11-30, 2026/11/30, 2026.11.30, 2026年11月30日 (a time after a space
 * is ignored), or an Excel date serial (days since 1899-12-30). out "YYYY-MM-DD". 0 or -1. */
static int parse_review_date(const char *s, char out[16])
{
	const char *p = s;
	long y, m, d;
	int all_digits = *s != '\0';

	for (const char *q = s; *q; q++)
		if (*q < '0' || *q > '9')
			all_digits = 0;
	if (all_digits && strlen(s) <= 5) {
		/* Excel serial: 1 = 1900-01-01 (with Excel's phantom 1900-02-29, so count from 1899-12-30) */
		long serial = strtol(s, NULL, 10);
		if (serial < 18264 || serial > 99999) /* 1950-01-01 .. */
			return -1;
		long days = serial - 25569; /* days since 1970-01-01 */
		/* civil from days (H. Hinnant) */
		long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
		long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
		d = doy - (153 * mp + 2) / 5 + 1;
		m = mp < 10 ? mp + 3 : mp - 9;
		y = yoe + era * 400 + (m <= 2);
		goto done;
	}
	y = read_num(&p, 4);
	if (y < 1900 || !skip_sep(&p, "年"))
		return -1;
	m = read_num(&p, 2);
	if (m < 1 || m > 12 || !skip_sep(&p, "月"))
		return -1;
	d = read_num(&p, 2);
	if (d < 1 || d > days_in((int)y, (int)m))
		return -1;
	if (strncmp(p, "日", strlen("日")) == 0)
		p += strlen("日");
	if (*p != '\0' && *p != ' ' && *p != 'T')
		return -1;
done : {
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%04ld-%02ld-%02ld", y, m, d);
	memcpy(out, tmp, 10); /* y has 4 digits: read_num(4), or a serial below 100000 */
	out[10] = '\0';
}
	return 0;
}

static int cmp_platform_name_ptr(const void *a, const void *b)
{
	const struct pgd_platform *x = *(const struct pgd_platform *const *)a;
	const struct pgd_platform *y = *(const struct pgd_platform *const *)b;
	int d = strcmp(x->name, y->name);
	return d ? d : (x->id > y->id) - (x->id < y->id);
}

static const struct pgd_platform *platform_by_id(const struct ctx *c, int64_t id)
{
	for (size_t lo = 0, hi = c->plats.n; lo < hi;) { /* the list is ordered by id */
		size_t mid = (lo + hi) / 2;
		if (c->plats.items[mid].id == id)
			return &c->plats.items[mid];
		if (c->plats.items[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void check_approved(struct ctx *c, struct rowv *rows, size_t n)
{
	struct pgd_platform **byname = NULL;

	if (c->plats.n) {
		byname = pgd_reallocarray(NULL, c->plats.n, sizeof(*byname));
		for (size_t i = 0; i < c->plats.n; i++)
			byname[i] = &c->plats.items[i];
		qsort(byname, c->plats.n, sizeof(*byname), cmp_platform_name_ptr);
	}
	for (size_t i = 0; i < n; i++) {
		struct rowv *r = &rows[i];
		const struct pgd_platform *byid = NULL;
		int id_bad = 0;

		if (check_text(c, r, F_PID, 0) == 0 && *r->v[F_PID]) {
			const char *p = r->v[F_PID];
			long long id = 0;
			int ok = 1;
			for (const char *q = p; *q; q++)
				if (*q < '0' || *q > '9' || q - p >= 15)
					ok = 0;
			if (ok) {
				for (const char *q = p; *q; q++)
					id = id * 10 + (*q - '0');
				byid = platform_by_id(c, id);
			}
			if (!ok || id <= 0) {
				row_error(c, r, F_PID, "平台ID「%s」应为正整数", p);
				id_bad = 1;
			} else if (byid == NULL) {
				row_error(c, r, F_PID, "平台ID %lld 不存在", id);
				id_bad = 1;
			} else {
				r->platform_id = byid->id;
			}
		} else if (*r->v[F_PID]) {
			id_bad = 1;
		}
		if (check_text(c, r, F_NAME, 0) == 0 && *r->v[F_NAME] && !id_bad) {
			const char *name = r->v[F_NAME];
			if (byid) {
				if (strcmp(byid->name, name) != 0)
					row_error(c, r, F_NAME, "平台名称「%s」与平台ID %" PRId64 " 的名称「%s」不一致", name,
					          byid->id, byid->name);
			} else {
				size_t lo = 0, hi = c->plats.n, nhit = 0;
				while (lo < hi) {
					size_t mid = (lo + hi) / 2;
					if (strcmp(byname[mid]->name, name) < 0)
						lo = mid + 1;
					else
						hi = mid;
				}
				for (size_t k = lo; k < c->plats.n && strcmp(byname[k]->name, name) == 0; k++)
					if (nhit++ == 0)
						r->platform_id = byname[k]->id;
				if (nhit == 0)
					row_error(c, r, F_NAME, "平台「%s」不存在（名称须与登记的完全一致）", name);
				else if (nhit > 1) {
					r->platform_id = 0;
					row_error(c, r, F_NAME, "有 %zu 个平台名为「%s」，请填写平台ID", nhit, name);
				}
			}
		} else if (!*r->v[F_PID] && !*r->v[F_NAME]) {
			row_error(c, r, c->col_of[F_PID] >= 0 ? F_PID : F_NAME, "平台ID和平台名称不能都为空");
		}
		check_text(c, r, F_TITLE, 1);
		if (check_text(c, r, F_LINK, 0) == 0 && *r->v[F_LINK]) {
			char *norm = pgd_url_normalise(r->v[F_LINK]);
			if (norm == NULL || strlen(r->v[F_LINK]) > 4096)
				row_error(c, r, F_LINK, "链接「%s」不是有效的 http(s) 网址", r->v[F_LINK]);
			free(norm);
		}
		if (check_text(c, r, F_DATE, 1) == 0 && parse_review_date(r->v[F_DATE], r->date) < 0)
			row_error(c, r, F_DATE, "审核日期「%s」无效（应为 2026-11-30、2026/11/30 或 2026年11月30日 这样的日期）",
			          r->v[F_DATE]);
		if (check_text(c, r, F_REF, 0) == 0 && strlen(r->v[F_REF]) > 200)
			row_error(c, r, F_REF, "审签单号过长（不超过 200 字节）");
	}
	free(byname);
}

/* ---- pass 2 ---- */

static const char *opt(const char *v)
{
	return *v ? v : NULL;
}

/* Record a store refusal of row r against the column its err->field names. */
static void store_error(struct ctx *c, struct rowv *r, const struct pgd_err *e)
{
	enum field f = F_COUNT;
	for (size_t i = 0; i < c->ncols && f == F_COUNT; i++)
		if (strcmp(c->cols[i].store_field, e->field) == 0)
			f = c->cols[i].f;
	r->bad = 1;
	add_error(c, r->line, f == F_COUNT ? "" : c->header[f], "%s",
	          e->message[0] ? e->message : pgd_strerror(e->code));
}

/* Create one row. 0, or the store's code with e filled. */
static int write_row(struct ctx *c, struct rowv *rows, struct rowv *r, struct pgd_err *e)
{
	switch (c->kind) {
	case PGD_IMPORT_UNITS: {
		struct pgd_unit u = {0};
		u.name = r->v[F_NAME];
		u.kind = (enum pgd_unit_kind)r->kind;
		u.party_body = (char *)opt(r->v[F_PARTY]);
		u.parent_id = r->parent_row >= 0 ? rows[r->parent_row].new_id : r->parent_id;
		return pgd_unit_create(c->st, &u, &r->new_id, e);
	}
	case PGD_IMPORT_PEOPLE: {
		struct pgd_person p = {0};
		p.unit_id = r->unit_id;
		p.name = r->v[F_NAME];
		p.post = (char *)opt(r->v[F_POST]);
		p.staff_type = (enum pgd_staff_type)r->kind;
		p.phone = (char *)opt(r->v[F_PHONE]);
		return pgd_person_create(c->st, &p, &r->new_id, e);
	}
	case PGD_IMPORT_APPROVED_ITEMS: {
		struct pgd_approved_item a = {0};
		a.platform_id = r->platform_id;
		a.title = r->v[F_TITLE];
		a.url = (char *)opt(r->v[F_LINK]);
		a.ref = (char *)opt(r->v[F_REF]);
		snprintf(a.approved_at, sizeof(a.approved_at), "%s", r->date);
		return pgd_store_approved_create(c->st, &a, c->actor && *c->actor ? c->actor : "anonymous", "import",
		                                 &r->new_id, e);
	}
	default: {
		struct pgd_platform p = {0};
		p.unit_id = r->unit_id;
		p.name = r->v[F_NAME];
		p.type = (enum pgd_platform_type)r->kind;
		p.url_or_account = r->v[F_URL];
		p.site_code = (char *)opt(r->v[F_SITE]);
		p.certified = r->certified > 0;
		p.entry_point = (char *)opt(r->v[F_ENTRY]);
		p.manager_person_id = r->manager_id;
		return pgd_platform_create(c->st, &p, &r->new_id, e);
	}
	}
}

static int write_all(struct ctx *c, struct rowv *rows, size_t n, const char *actor,
                     const char *subject, int dry_run, struct pgd_err *err)
{
	struct pgd_err e = {0};
	int rc;

	rc = pgd_store_begin(c->st, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		rc = write_row(c, rows, &rows[i], &e);
		if (rc == PGD_ERR_INVALID || rc == PGD_ERR_CONFLICT || rc == PGD_ERR_FORBIDDEN ||
		    rc == PGD_ERR_NOT_FOUND) {
			store_error(c, &rows[i], &e);
			rc = PGD_ERR_FORMAT;
			goto out;
		}
		if (rc < 0) {
			*err = e;
			goto out;
		}
	}
	if (!dry_run) {
		char after[96];
		snprintf(after, sizeof(after), "{\"imported\":%zu,\"kind\":\"%s\"}", n,
		         kind_names[c->kind]);
		char action[32];
		snprintf(action, sizeof(action), "import.%s", kind_names[c->kind]);
		rc = pgd_audit_append(c->st, actor && *actor ? actor : "anonymous", action, subject,
		                      NULL, after, NULL, err);
		if (rc < 0)
			goto out;
		rc = pgd_store_commit(c->st, err);
		return rc;
	}
out:
	pgd_store_rollback(c->st, NULL);
	return rc;
}

int pgd_import_sheet(struct pgd_store *st, enum pgd_import_kind kind, const struct pgd_sheet *sheet,
                     const char *actor, const char *subject, int dry_run,
                     struct pgd_import_result *res, struct pgd_err *err)
{
	struct ctx c;
	struct rowv *rows = NULL;
	size_t n = 0;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.kind = kind;
	c.sh = sheet;
	c.res = res;
	c.actor = actor;
	if (pgd_import_kind_name(kind) == NULL) {
		rc = pgd_err_set(err, PGD_ERR_INVALID, "kind",
		                 "导入类型无效（应为 units、people、platforms 或 approved_items）");
		goto out;
	}
	c.cols = cols_of(kind, &c.ncols);
	if (read_header(&c) < 0)
		goto rows_bad;
	/* the data rows: every row below the header with something in it */
	rows = pgd_calloc(sheet->nrows ? sheet->nrows : 1, sizeof(*rows));
	for (size_t i = c.header_row + 1; i < sheet->nrows; i++) {
		struct rowv *r = &rows[n];
		int any = 0;
		r->line = sheet->rows[i].line;
		r->idx = i;
		for (int f = 0; f < F_COUNT; f++) {
			r->v[f] = trimmed(
			    c.col_of[f] >= 0 ? pgd_sheet_cell(sheet, i, (size_t)c.col_of[f]) : "");
			any |= *r->v[f] != '\0';
		}
		for (size_t k = 0; !any && k < sheet->rows[i].ncells; k++) {
			char *t = trimmed(pgd_sheet_cell(sheet, i, k));
			any = *t != '\0';
			free(t);
		}
		if (any) {
			n++;
		} else {
			rowv_release(r);
			memset(r, 0, sizeof(*r));
		}
	}
	if (n == 0) {
		add_error(&c, c.header_line, "", "表头下面没有数据行");
		goto rows_bad;
	}
	rc = load_registry(&c, err);
	if (rc < 0)
		goto out;
	if (kind == PGD_IMPORT_UNITS)
		check_units(&c, rows, n);
	else if (kind == PGD_IMPORT_PEOPLE)
		check_people(&c, rows, n);
	else if (kind == PGD_IMPORT_APPROVED_ITEMS)
		check_approved(&c, rows, n);
	else
		check_platforms(&c, rows, n);
	if (res->total_errors)
		goto rows_bad;
	rc = write_all(&c, rows, n, actor, subject, dry_run, err);
	if (rc == PGD_ERR_FORMAT)
		goto rows_bad;
	if (rc == 0)
		res->imported = n;
	goto out;
rows_bad:
	/* errors in row order (header errors first) */
	for (size_t i = 1; i < res->nerrors; i++)
		for (size_t k = i; k > 0 && res->errors[k - 1].row > res->errors[k].row; k--) {
			struct pgd_import_error t = res->errors[k];
			res->errors[k] = res->errors[k - 1];
			res->errors[k - 1] = t;
		}
	{
		char more[64] = "";
		if (res->total_errors > 1)
			snprintf(more, sizeof(more), "共 %zu 处错误，", res->total_errors);
		rc = pgd_err_set(err, PGD_ERR_FORMAT, subject,
		                 "第%u行: %s%s%s%s（%s未导入任何数据）", res->errors[0].row,
		                 res->errors[0].column[0] ? "列「" : "", res->errors[0].column,
		                 res->errors[0].column[0] ? "」: " : "", res->errors[0].message,
		                 more);
	}
out:
	for (size_t i = 0; rows && i < n; i++)
		rowv_release(&rows[i]);
	free(rows);
	free(c.ubyname);
	free(c.pbykey);
	free(c.pbyname);
	pgd_person_list_release(&c.people);
	pgd_unit_list_release(&c.units);
	pgd_platform_list_release(&c.plats);
	return rc;
}
