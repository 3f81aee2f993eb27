/* The demo city: a Panzhou-like county-level city with its cyberspace office (市委网信办),
 * departments, organs, people's organisations, streets and towns, parks and enterprises; people
 * in every role (formal staff, and some 临聘 / 公益性岗位 who never manage a platform); ~90
 * platforms of every Art. 2 type; one user per role; one review-group filing per unit except
 * two (missing) and two whose member later left (outdated); custody secrets for most
 * platforms, one platform whose manager left without a handover (flagged) and one pending
 * handover. Everything in one transaction, closed by one audit entry "demo.seed" by "demo".
 *
 * The data are invented; the names follow the pattern of real units so the screens look like
 * what the office works with. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "pubguard/accounts.h"
#include "pubguard/buf.h"
#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "pubguard/patrol_store.h"
#include "pubguard/reviews.h"
#include "server/demo.h"
#include "core/banned.h"

#define ACTOR "demo"

/* ---- the city ---- */

struct demo_unit {
	const char *name;
	const char *slug;  /* ASCII, for URLs and accounts */
	enum pgd_unit_kind kind;
	int parent;        /* index in units[], -1 top level */
	const char *brand; /* the name its accounts go by */
	const char *party; /* responsible party body */
	const char *head;  /* post of the principal head */
	const char *deputy; /* post of the supervising leader */
	const char *types; /* platforms: W website X wechat B weibo D douyin T toutiao J baijiahao
	                    * Y yidian P thepaper A app O other */
};

enum { U_OFFICE = 0, U_GOV = 2, U_MEDIA = 4, U_SECRECY = 5, U_EDU = 6, U_TRANSPORT = 18, U_EGOV = 23 };

static const struct demo_unit units[] = {
	{"市委网信办", "wxb", PGD_UNIT_ORGAN, -1, "盘州网信", "中共盘州市委网信办支部委员会", "主任", "副主任", "XBD"},
	{"市委办公室", "swbgs", PGD_UNIT_ORGAN, -1, "盘州市委", "中共盘州市委办公室支部委员会", "主任", "副主任", "X"},
	{"市人民政府办公室", "zfb", PGD_UNIT_ORGAN, -1, "盘州发布", "中共盘州市人民政府办公室党组", "主任", "副主任",
		"WXBDTJ"},
	{"市委宣传部", "xcb", PGD_UNIT_ORGAN, -1, "盘州宣传", "中共盘州市委宣传部部务会", "部长", "副部长", "X"},
	{"市融媒体中心", "rmt", PGD_UNIT_ENTERPRISE, 3, "盘州融媒", "中共盘州市融媒体中心支部委员会", "主任", "副主任",
		"WXBDTJYPAO"},
	{"市委保密办", "bmb", PGD_UNIT_ORGAN, -1, "盘州保密", "中共盘州市委保密办支部委员会", "主任", "副主任", ""},
	{"市教育局", "jyj", PGD_UNIT_DEPARTMENT, -1, "盘州教育", "中共盘州市教育局党组", "局长", "副局长", "WXDA"},
	{"市第一中学", "yz", PGD_UNIT_ENTERPRISE, 6, "盘州一中", "中共盘州市第一中学委员会", "校长", "副校长", "X"},
	{"市第二中学", "ez", PGD_UNIT_ENTERPRISE, 6, "盘州二中", "中共盘州市第二中学支部委员会", "校长", "副校长", "X"},
	{"市卫生健康局", "wjj", PGD_UNIT_DEPARTMENT, -1, "健康盘州", "中共盘州市卫生健康局党组", "局长", "副局长",
		"WXBDT"},
	{"市人民医院", "rmyy", PGD_UNIT_ENTERPRISE, 9, "盘州市人民医院", "中共盘州市人民医院委员会", "院长", "副院长",
		"XDO"},
	{"市疾病预防控制中心", "cdc", PGD_UNIT_ENTERPRISE, 9, "盘州疾控", "中共盘州市疾病预防控制中心支部委员会", "主任",
		"副主任", "X"},
	{"市公安局", "gaj", PGD_UNIT_DEPARTMENT, -1, "平安盘州", "中共盘州市公安局委员会", "局长", "副局长", "XBDTJ"},
	{"市财政局", "czj", PGD_UNIT_DEPARTMENT, -1, "盘州财政", "中共盘州市财政局党组", "局长", "副局长", "X"},
	{"市人力资源和社会保障局", "rsj", PGD_UNIT_DEPARTMENT, -1, "盘州人社", "中共盘州市人力资源和社会保障局党组",
		"局长", "副局长", "WX"},
	{"市自然资源局", "zrzyj", PGD_UNIT_DEPARTMENT, -1, "盘州自然资源", "中共盘州市自然资源局党组", "局长", "副局长",
		"X"},
	{"市生态环境局", "sthjj", PGD_UNIT_DEPARTMENT, -1, "盘州生态环境", "中共盘州市生态环境局支部委员会", "局长",
		"副局长", "XB"},
	{"市住房和城乡建设局", "zjj", PGD_UNIT_DEPARTMENT, -1, "盘州住建", "中共盘州市住房和城乡建设局党组", "局长",
		"副局长", "X"},
	{"市交通运输局", "jtj", PGD_UNIT_DEPARTMENT, -1, "盘州交通", "中共盘州市交通运输局党组", "局长", "副局长", "XD"},
	{"市农业农村局", "nyncj", PGD_UNIT_DEPARTMENT, -1, "盘州农业农村", "中共盘州市农业农村局党组", "局长", "副局长",
		"XT"},
	{"市文化广电旅游局", "wglj", PGD_UNIT_DEPARTMENT, -1, "乐游盘州", "中共盘州市文化广电旅游局党组", "局长",
		"副局长", "WXBDTY"},
	{"市市场监督管理局", "scjgj", PGD_UNIT_DEPARTMENT, -1, "盘州市场监管", "中共盘州市市场监督管理局党组", "局长",
		"副局长", "XB"},
	{"市应急管理局", "yjj", PGD_UNIT_DEPARTMENT, -1, "盘州应急", "中共盘州市应急管理局党组", "局长", "副局长", "XD"},
	{"市电子政务服务中心", "dzzw", PGD_UNIT_ENTERPRISE, 2, "盘州政务服务", "中共盘州市电子政务服务中心支部委员会",
		"主任", "副主任", "WX"},
	{"市总工会", "zgh", PGD_UNIT_PEOPLE_ORG, -1, "盘州工会", "中共盘州市总工会党组", "主席", "副主席", "X"},
	{"团市委", "tsw", PGD_UNIT_PEOPLE_ORG, -1, "青春盘州", "中共共青团盘州市委员会支部委员会", "书记", "副书记",
		"XBD"},
	{"市妇联", "fl", PGD_UNIT_PEOPLE_ORG, -1, "盘州女性", "中共盘州市妇女联合会党组", "主席", "副主席", "X"},
	{"红果街道", "hgjd", PGD_UNIT_TOWN, -1, "红果街道", "中共盘州市红果街道工作委员会", "党工委书记", "党工委副书记",
		"XDP"},
	{"两河街道", "lhjd", PGD_UNIT_TOWN, -1, "两河发布", "中共盘州市两河街道工作委员会", "党工委书记", "党工委副书记",
		"XP"},
	{"亦资街道", "yzjd", PGD_UNIT_TOWN, -1, "亦资街道", "中共盘州市亦资街道工作委员会", "党工委书记", "党工委副书记",
		"XD"},
	{"翰林街道", "hljd", PGD_UNIT_TOWN, -1, "翰林街道", "中共盘州市翰林街道工作委员会", "党工委书记", "党工委副书记",
		"X"},
	{"柏果镇", "bgz", PGD_UNIT_TOWN, -1, "柏果发布", "中共盘州市柏果镇委员会", "党委书记", "党委副书记", "XDT"},
	{"乐民镇", "lmz", PGD_UNIT_TOWN, -1, "乐民发布", "中共盘州市乐民镇委员会", "党委书记", "党委副书记", "XO"},
	{"红果经济开发区管委会", "kfq", PGD_UNIT_PARK, -1, "红果经开区", "中共盘州市红果经济开发区工作委员会",
		"管委会主任", "管委会副主任", "WXJ"},
	{"盘南产业园区管委会", "pnyq", PGD_UNIT_PARK, -1, "盘南产业园区", "中共盘州市盘南产业园区工作委员会",
		"管委会主任", "管委会副主任", "XJ"},
	{"市城市建设投资有限责任公司", "ctgs", PGD_UNIT_ENTERPRISE, -1, "盘州城投",
		"中共盘州市城市建设投资有限责任公司委员会", "董事长", "副总经理", "XO"},
};
#define N_UNITS (sizeof(units) / sizeof(units[0]))

/* the two units without a filing, and the two whose filed member later left */
static int missing_filing(size_t u)
{
	return u == 32 || u == 34;
}
static int member_leaves(size_t u)
{
	return u == 15 || u == 29;
}
/* platforms closed after registration: (unit, type letter) */
static int closed_platform(size_t u, char t)
{
	return (u == 16 && t == 'B') || (u == 21 && t == 'B') || (u == 31 && t == 'T');
}

/* Every unit's people, in this order (index into struct unit_people.id). */
enum {
	P_HEAD,        /* principal head */
	P_DEPUTY,      /* supervising leader: leader of the review group */
	P_RESPONSIBLE, /* review-responsible person */
	P_LIAISON,
	P_AUTHOR,      /* publisher; manages the unit's platforms */
	P_PROOF,
	P_SECRECY,
	P_TEMP,        /* 临聘 */
	P_WELFARE,     /* 公益性岗位 (every third unit) */
	P_EXTRA,       /* the office's and a few units' extra staff */
	P_COUNT = P_EXTRA
};

static const char *const fixed_posts[P_COUNT] = {
	NULL, NULL, "办公室主任（信息审核负责人）", "办公室科员（联络员）", "信息员", "宣传干事", "保密员",
	"新媒体编辑", "信息录入员"};

/* The office's extra staff, bound to the office users and the three administrators. */
static const char *const office_posts[] = {
	"网络综合治理科科员", "网络综合治理科科长", "信息化科系统管理员", "信息化科安全管理员", "信息化科审计员"};
#define N_OFFICE_EXTRA (sizeof(office_posts) / sizeof(office_posts[0]))

struct demo_user {
	const char *role;     /* pgd_account_role_names */
	const char *username;
	int unit;             /* index in units[] */
	int person;           /* P_* of that unit, or P_EXTRA + k for the office's extra staff */
};

static const struct demo_user users[] = {
	{"author", "author01", U_EDU, P_AUTHOR},
	{"proofreader", "proofreader01", U_EDU, P_PROOF},
	{"secrecy_reviewer", "secrecy01", U_EDU, P_SECRECY},
	{"review_responsible", "reviewer01", U_EDU, P_RESPONSIBLE},
	{"liaison", "liaison01", U_EDU, P_LIAISON},
	{"principal_head", "head01", U_EDU, P_HEAD},
	{"supervising_leader", "leader01", U_EDU, P_DEPUTY},
	{"office_operator", "office01", U_OFFICE, P_EXTRA + 0},
	{"office_admin", "officeadmin01", U_OFFICE, P_EXTRA + 1},
	{"secrecy_office", "secrecyoffice01", U_SECRECY, P_SECRECY},
	{"egov_centre", "egov01", U_EGOV, P_LIAISON},
	{"system_admin", "sysadmin", U_OFFICE, P_EXTRA + 2},
	{"security_admin", "secadmin", U_OFFICE, P_EXTRA + 3},
	{"audit_admin", "auditadmin", U_OFFICE, P_EXTRA + 4},
};
#define N_USERS (sizeof(users) / sizeof(users[0]))

struct unit_people {
	int64_t id[P_COUNT];
	int64_t extra[N_OFFICE_EXTRA];
	size_t n_extra;
};

struct seed {
	struct pgd_store *st;
	const struct pgd_key *key;
	int64_t unit_id[N_UNITS];
	struct unit_people people[N_UNITS];
	int64_t n_people, n_platforms, n_custody, n_filings;
	int64_t website_seq;
	int name_seq;
	int64_t flagged_platform, handover_id;
	time_t now; /* the demo's "now": patrol history is dated back from it */
	int64_t websites[16]; /* open websites, for the demo patrol */
	size_t n_websites;
	int64_t worker_id;
};

/* ---- invented names and numbers ---- */

static const char *const surnames[] = {
	"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭",
	"马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "董", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
	"彭", "吕", "苏", "卢", "蒋", "蔡", "丁", "魏", "叶", "余", "潘", "杜", "夏", "钟", "田", "任", "姚", "谭",
	"廖", "邹", "熊", "龙", "罗", "雷"};
static const char *const given[] = {
	"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀",
	"霞", "平", "刚", "桂", "英", "华", "玉", "兰", "飞", "鹏", "辉", "婷", "俊", "红", "斌", "燕", "琳", "宇",
	"浩", "凯", "佳", "欣", "雪", "梅", "琴", "云", "莉", "晨", "阳", "鑫", "倩", "波", "帆", "瑶", "蕾", "峰"};
#define N_SURNAMES (sizeof(surnames) / sizeof(surnames[0]))
#define N_GIVEN (sizeof(given) / sizeof(given[0]))

static void person_name(int i, char out[32])
{
	unsigned k = (unsigned)i;
	if (k % 3 == 0)
		snprintf(out, 32, "%s%s", surnames[(k * 7 + 3) % N_SURNAMES], given[(k * 11 + 5) % N_GIVEN]);
	else
		snprintf(out, 32, "%s%s%s", surnames[(k * 7 + 3) % N_SURNAMES], given[(k * 13 + 1) % N_GIVEN],
			given[(k * 5 + 17) % N_GIVEN]);
}

static void phone_number(int i, char out[16])
{
	static const char *const prefixes[] = {"138", "139", "158", "187", "135", "150"};
	unsigned k = (unsigned)i;
	/* a multiplicative hash spreads consecutive people over the number space */
	snprintf(out, 16, "%s%08u", prefixes[k % 6], (unsigned)(((k + 1u) * 2654435761u) % 100000000u));
}

/* A random password of len-1 characters (len >= 12) with upper, lower, digit and symbol. */
static int random_password(char *out, size_t len, struct pgd_err *err)
{
	static const char *const classes[] = {"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789",
		"@#%+=-_"};
	unsigned char r[64];
	size_t n = len - 1;
	if (n > sizeof(r) || n < 8)
		return pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "口令长度无效");
	if (getrandom(r, n, 0) != (ssize_t)n)
		return pgd_err_set(err, PGD_ERR_IO, NULL, "无法取得随机数：%s", strerror(errno));
	for (size_t i = 0; i < n; i++) {
		/* the first four cover every class; the rest mostly letters and digits */
		const char *c = classes[i < 4 ? i : (r[i] >> 6) % 3];
		out[i] = c[r[i] % strlen(c)];
	}
	/* move the fixed-class characters away from the front */
	for (size_t i = 0; i < 4; i++) {
		size_t j = 4 + r[i] % (n - 4);
		char t = out[i];
		out[i] = out[j];
		out[j] = t;
	}
	out[n] = '\0';
	pgd_wipe(r, sizeof(r));
	return 0;
}

/* ---- the steps ---- */

static int add_person(struct seed *sd, int64_t unit_id, const char *post, enum pgd_staff_type t, int64_t *id,
	struct pgd_err *err)
{
	char name[32], phone[16];
	struct pgd_person p = {0};
	int i = sd->name_seq++;
	person_name(i, name);
	phone_number(i, phone);
	p.unit_id = unit_id;
	p.name = name;
	p.post = (char *)post;
	p.staff_type = t;
	p.phone = phone;
	sd->n_people++;
	return pgd_person_create(sd->st, &p, id, err);
}

static int seed_units(struct seed *sd, struct pgd_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < N_UNITS && rc == 0; i++) {
		struct pgd_unit u = {0};
		u.name = (char *)units[i].name;
		u.kind = units[i].kind;
		u.parent_id = units[i].parent >= 0 ? sd->unit_id[units[i].parent] : 0;
		u.party_body = (char *)units[i].party;
		rc = pgd_unit_create(sd->st, &u, &sd->unit_id[i], err);
	}
	return rc;
}

static int seed_people(struct seed *sd, struct pgd_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < N_UNITS && rc == 0; i++) {
		struct unit_people *up = &sd->people[i];
		int64_t uid = sd->unit_id[i];
		for (int k = 0; k < P_COUNT && rc == 0; k++) {
			const char *post = k == P_HEAD ? units[i].head : k == P_DEPUTY ? units[i].deputy : fixed_posts[k];
			enum pgd_staff_type t = k == P_TEMP ? PGD_STAFF_TEMPORARY
				: k == P_WELFARE ? PGD_STAFF_PUBLIC_WELFARE : PGD_STAFF_FORMAL;
			if (k == P_WELFARE && i % 3 != 0)
				continue;
			rc = add_person(sd, uid, post, t, &up->id[k], err);
		}
		if (i == U_OFFICE)
			for (size_t k = 0; k < N_OFFICE_EXTRA && rc == 0; k++)
				rc = add_person(sd, uid, office_posts[k], PGD_STAFF_FORMAL, &up->extra[up->n_extra++], err);
		if (i == U_TRANSPORT) /* manages one platform, then leaves without a handover */
			rc = add_person(sd, uid, "原新媒体专员", PGD_STAFF_FORMAL, &up->extra[up->n_extra++], err);
		if (rc == 0) { /* the principal head */
			struct pgd_unit u = {0};
			u.id = uid;
			u.name = (char *)units[i].name;
			u.kind = units[i].kind;
			u.parent_id = units[i].parent >= 0 ? sd->unit_id[units[i].parent] : 0;
			u.party_body = (char *)units[i].party;
			u.principal_head_person_id = up->id[P_HEAD];
			rc = pgd_unit_update(sd->st, &u, err);
		}
	}
	return rc;
}

struct type_info {
	char letter;
	enum pgd_platform_type type;
};
static const struct type_info type_letters[] = {
	{'W', PGD_PLATFORM_WEBSITE}, {'X', PGD_PLATFORM_WECHAT}, {'B', PGD_PLATFORM_WEIBO},
	{'D', PGD_PLATFORM_DOUYIN}, {'T', PGD_PLATFORM_TOUTIAO}, {'J', PGD_PLATFORM_BAIJIAHAO},
	{'Y', PGD_PLATFORM_YIDIAN}, {'P', PGD_PLATFORM_THEPAPER}, {'A', PGD_PLATFORM_APP},
	{'O', PGD_PLATFORM_OTHER}};

/* Seal a fresh random password for platform id and put it in custody. */
static int seed_custody(struct seed *sd, int64_t pid, const char *account, struct pgd_err *err)
{
	char pw[17], aad[48];
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	char *hex = NULL;
	int rc = random_password(pw, sizeof(pw), err);
	if (rc < 0)
		goto out;
	snprintf(aad, sizeof(aad), "platform:%" PRId64, pid);
	rc = pgd_seal(sd->key, aad, strlen(aad), pw, strlen(pw), &blob, &blob_len, err);
	if (rc < 0)
		goto out;
	hex = pgd_malloc(2 * blob_len + 1);
	pgd_hex(blob, blob_len, hex);
	rc = pgd_custody_set(sd->st, pid, account, hex, ACTOR, err);
	if (rc == 0)
		sd->n_custody++;
out:
	pgd_wipe(pw, sizeof(pw));
	free(blob);
	free(hex);
	return rc;
}

static int seed_platform(struct seed *sd, size_t ui, char letter, enum pgd_platform_type type, int64_t manager,
	int64_t *pid, struct pgd_err *err)
{
	const struct demo_unit *u = &units[ui];
	char name[160], url[200], entry[240], code[32], account[80];
	struct pgd_platform p = {0};
	int rc;

	entry[0] = code[0] = '\0';
	switch (type) {
	case PGD_PLATFORM_WEBSITE:
		/* a reserved domain (RFC 2606): `serve --demo` runs workers and the scheduler, and the
		 * demo must never crawl or probe a real government website */
		if (ui == U_GOV) {
			snprintf(name, sizeof(name), "盘州市人民政府网");
			snprintf(url, sizeof(url), "https://www.panzhou-demo.example/");
		} else {
			snprintf(name, sizeof(name), "盘州%s网站", u->name + 3 * (strncmp(u->name, "市", 3) == 0));
			snprintf(url, sizeof(url), "https://%s.panzhou-demo.example/", u->slug);
		}
		snprintf(entry, sizeof(entry), "%sxwzx/", url);
		snprintf(code, sizeof(code), "520281%04" PRId64, ++sd->website_seq);
		break;
	case PGD_PLATFORM_WECHAT:
		snprintf(name, sizeof(name), "%s", u->brand);
		snprintf(url, sizeof(url), "gh_pz%s%02zu", u->slug, ui);
		break;
	case PGD_PLATFORM_WEIBO:
		snprintf(name, sizeof(name), "%s", u->brand);
		snprintf(url, sizeof(url), "https://weibo.com/pz%s", u->slug);
		snprintf(entry, sizeof(entry), "https://weibo.com/pz%s?tab=home", u->slug);
		break;
	case PGD_PLATFORM_DOUYIN:
		snprintf(name, sizeof(name), "%s", u->brand);
		snprintf(url, sizeof(url), "pz_%s", u->slug);
		break;
	case PGD_PLATFORM_TOUTIAO:
		snprintf(name, sizeof(name), "%s", u->brand);
		snprintf(url, sizeof(url), "https://www.toutiao.com/c/user/pz_%s/", u->slug);
		break;
	case PGD_PLATFORM_BAIJIAHAO:
		snprintf(name, sizeof(name), "%s", u->brand);
		snprintf(url, sizeof(url), "https://author.baidu.com/home/pz_%s", u->slug);
		break;
	case PGD_PLATFORM_YIDIAN:
		snprintf(name, sizeof(name), "%s", u->brand);
		snprintf(url, sizeof(url), "https://www.yidianzixun.com/channel/m/pz_%s", u->slug);
		break;
	case PGD_PLATFORM_THEPAPER:
		snprintf(name, sizeof(name), "%s（澎湃号）", u->brand);
		snprintf(url, sizeof(url), "https://www.thepaper.cn/gov/pz_%s", u->slug);
		break;
	case PGD_PLATFORM_APP:
		snprintf(name, sizeof(name), "%s", ui == U_MEDIA ? "爱盘州" : "盘州教育云");
		snprintf(url, sizeof(url), "cn.gov.panzhou.%s", u->slug);
		snprintf(entry, sizeof(entry), "https://app.panzhou-demo.example/%s/api/news", u->slug);
		break;
	default:
		snprintf(name, sizeof(name), "%s视频号", u->brand);
		snprintf(url, sizeof(url), "sph_pz_%s", u->slug);
		break;
	}
	p.unit_id = sd->unit_id[ui];
	p.name = name;
	p.type = type;
	p.url_or_account = url;
	p.site_code = code[0] ? code : NULL;
	p.certified = (ui + (size_t)type) % 5 != 0;
	p.entry_point = entry[0] ? entry : NULL;
	p.manager_person_id = manager;
	rc = pgd_platform_create(sd->st, &p, pid, err);
	if (rc < 0)
		return rc;
	sd->n_platforms++;
	if (closed_platform(ui, letter))
		return pgd_platform_close(sd->st, *pid, err);
	if (type == PGD_PLATFORM_WEBSITE && sd->n_websites < sizeof(sd->websites) / sizeof(sd->websites[0]))
		sd->websites[sd->n_websites++] = *pid;
	if ((sd->n_platforms % 9) == 4) /* a few open platforms have no secret in custody yet */
		return 0;
	snprintf(account, sizeof(account), "pz_%s_%s", u->slug, pgd_platform_type_name(type));
	return seed_custody(sd, *pid, account, err);
}

static int seed_platforms(struct seed *sd, struct pgd_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < N_UNITS && rc == 0; i++) {
		const struct unit_people *up = &sd->people[i];
		for (const char *t = units[i].types; *t && rc == 0; t++) {
			enum pgd_platform_type type = PGD_PLATFORM_OTHER;
			int64_t manager = up->id[P_AUTHOR], pid = 0;
			for (size_t k = 0; k < sizeof(type_letters) / sizeof(type_letters[0]); k++)
				if (type_letters[k].letter == *t)
					type = type_letters[k].type;
			if (i == U_MEDIA && (t - units[i].types) % 2 == 1)
				manager = up->id[P_LIAISON]; /* the media centre shares the work */
			if (i == U_TRANSPORT && *t == 'D')
				manager = up->extra[0];
			rc = seed_platform(sd, i, *t, type, manager, &pid, err);
			if (rc == 0 && i == U_TRANSPORT && *t == 'D')
				sd->flagged_platform = pid;
			if (rc == 0 && i == U_EDU && *t == 'X') /* handed over to the liaison, not yet confirmed */
				rc = pgd_handover_create(sd->st, pid, up->id[P_LIAISON], "信息员岗位调整，公众号交由联络员管理",
					ACTOR, &sd->handover_id, err);
		}
	}
	/* the flagged platform's manager leaves without a handover */
	if (rc == 0)
		rc = pgd_person_leave(sd->st, sd->people[U_TRANSPORT].extra[0], err);
	return rc;
}

static int seed_filings(struct seed *sd, struct pgd_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < N_UNITS && rc == 0; i++) {
		const struct unit_people *up = &sd->people[i];
		struct pgd_filing_member m[5] = {
			{.duty = PGD_DUTY_LEADER, .person_id = up->id[P_DEPUTY]},
			{.duty = PGD_DUTY_RESPONSIBLE, .person_id = up->id[P_RESPONSIBLE]},
			{.duty = PGD_DUTY_LIAISON, .person_id = up->id[P_LIAISON]},
			{.duty = PGD_DUTY_MEMBER, .person_id = up->id[P_SECRECY]},
			{.duty = PGD_DUTY_MEMBER, .person_id = up->id[P_PROOF]},
		};
		struct pgd_filing f = {0};
		char group[200];
		if (missing_filing(i))
			continue;
		snprintf(group, sizeof(group), "%s官方网络平台信息发布审核小组", units[i].name);
		f.unit_id = sd->unit_id[i];
		f.group_name = group;
		f.filed_by = (char *)ACTOR;
		f.note = (char *)"演示数据";
		f.members = m;
		f.n_members = 5;
		rc = pgd_filing_create(sd->st, &f, NULL, err);
		if (rc == 0)
			sd->n_filings++;
		if (rc == 0 && member_leaves(i)) /* filed, then the proofreader left: outdated */
			rc = pgd_person_leave(sd->st, up->id[P_PROOF], err);
	}
	return rc;
}

/* One user per role; each line "role username password" goes to out. */
static int seed_users(struct seed *sd, FILE *out, struct pgd_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < N_USERS && rc == 0; i++) {
		const struct demo_user *du = &users[i];
		const struct unit_people *up = &sd->people[du->unit];
		int64_t person = du->person >= P_EXTRA ? up->extra[du->person - P_EXTRA] : up->id[du->person];
		struct pgd_person p = {0};
		struct pgd_user u = {0};
		char pw[15];
		char *hash = NULL;
		int role = pgd_account_role_index(du->role);

		if (role < 0) {
			rc = pgd_err_set(err, PGD_ERR_INTERNAL, "role", "演示用户的角色「%s」未定义", du->role);
			break;
		}
		rc = pgd_person_get(sd->st, person, &p, err);
		if (rc == 0)
			rc = random_password(pw, sizeof(pw), err);
		if (rc == 0)
			rc = pgd_password_hash(NULL, pw, &hash, err);
		if (rc == 0) {
			u.username = (char *)du->username;
			u.display_name = p.name;
			u.person_id = person;
			u.password_hash = hash;
			u.roles = 1u << role;
			rc = pgd_user_create(sd->st, &u, NULL, err);
		}
		if (rc == 0 && fprintf(out, "%s %s %s\n", du->role, du->username, pw) < 0)
			rc = pgd_err_set(err, PGD_ERR_IO, "logins", "写入演示账号文件失败");
		pgd_wipe(pw, sizeof(pw));
		if (hash)
			pgd_wipe(hash, strlen(hash));
		free(hash);
		pgd_person_release(&p);
	}
	return rc;
}

/* ---- the demo patrol: a week of probes, one done patrol per website, open findings ----
 * Everything is dated back from the seeding instant (sd->now: the server's clock, a fixed instant
 * in tests), and today's daily patrol is among the done jobs, so the scheduler of a freshly seeded
 * demo does not patrol the (unreachable) demo sites again before tomorrow and the screens keep
 * the seeded findings. The evidence pages are generated from the site's name. */
#define DEMO_SITES 10
#define DEMO_PROBES (7 * 20)           /* a week at 20 a day: one every 72 minutes */

static void bj_period(time_t t, char out[32])
{
	time_t bj = t + 8 * 3600;
	struct tm tm;
	gmtime_r(&bj, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M", &tm);
}

/* Lease the job just queued (the only one) for the demo worker. */
static int demo_job(struct seed *sd, int64_t pid, const char *kind, const char *period, time_t at, int64_t *id,
	char lease[65], struct pgd_err *err)
{
	struct pgd_patrol_job j = {0};
	int rc = pgd_patrol_job_enqueue(sd->st, pid, kind, period, "scheduler", at, id, err);
	if (rc == 0)
		rc = pgd_patrol_job_lease(sd->st, sd->worker_id, strcmp(kind, "probe") == 0 ? PGD_PATROL_KIND_PROBE
											      : PGD_PATROL_KIND_PATROL,
			300, at, &j, lease, err);
	if (rc == 0 && j.id != *id)
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "演示巡查任务领取异常");
	pgd_patrol_job_release(&j);
	return rc;
}

static int demo_probes(struct seed *sd, size_t site, int64_t pid, const struct pgd_patrol_thresholds *th,
	struct pgd_err *err)
{
	int rc = 0;
	/* site 0: 5 of 140 probes failed (3.6 %: site.unavailable, review); site 1: 2 (1.4 %: none) */
	int fail_every = site == 0 ? 28 : site == 1 ? 70 : 0;
	for (int k = DEMO_PROBES - 1; k >= 0 && rc == 0; k--) {
		struct pgd_patrol_result r;
		char period[32], lease[65];
		int64_t id = 0;
		int already = 0;
		time_t at = sd->now - (time_t)k * 72 * 60 - (pid % 72) * 60;
		memset(&r, 0, sizeof(r));
		bj_period(at, period);
		r.has_probe = 1;
		r.probe.at = at;
		r.probe.ok = !(fail_every && k % fail_every == 3);
		r.probe.status = r.probe.ok ? 200 : 0;
		r.probe.ms = r.probe.ok ? 60u + (unsigned)((k * 37 + (int)site * 11) % 400) : 15000u;
		if (!r.probe.ok)
			snprintf(r.probe.error, sizeof(r.probe.error), "15 秒内未收到首页（连接超时）");
		/* site 2's certificate runs out in 20 days: site.tls_expiring */
		r.probe.tls_expires = sd->now + (site == 2 ? 20 : 60 + (time_t)site * 15) * 86400;
		rc = demo_job(sd, pid, "probe", period, at, &id, lease, err);
		if (rc == 0)
			rc = pgd_patrol_ingest(sd->st, id, lease, &r, th, NULL, at + 1, &already, err);
		pgd_wipe(lease, sizeof(lease));
	}
	return rc;
}

/* A few KB of the site's home page as the evidence of its findings. */
static char *demo_page(const char *name, const char *url, size_t site)
{
	struct pgd_buf b;
	char *out;
	pgd_buf_init(&b, 64 * 1024);
	pgd_buf_addf(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n"
			 "<meta name=\"SiteName\" content=\"%s\">\n</head>\n<body>\n<div class=\"nav\"><ul>\n"
			 "<li><a href=\"%sxwzx/\">工作动态</a></li>\n<li><a href=\"%stzgg/\">通知公告</a></li>\n"
			 "<li><a href=\"%szcwj/\">政策文件</a></li>\n<li><a href=\"%szwgk/\">政务公开</a></li>\n</ul></div>\n",
		name, name, url, url, url, url);
	for (int i = 0; i < 24; i++)
		pgd_buf_addf(&b, "<li><a href=\"%sxwzx/2026/11/%02d/art_%zu%02d.html\">%s召开2026年第%d次工作推进会</a>"
				 "<span>2026-11-%02d</span></li>\n",
			url, 30 - i, site, i, name, 24 - i, 30 - i);
	pgd_buf_addf(&b, "<p>联系电话：0858-3688%03zu　地址：盘州市亦资街道</p>\n", site);
	if (site == 0)
		pgd_buf_addf(&b, "<a href=\"%sxxgk/2019/ndbg.html\">2019年政府信息公开年度报告</a>\n", url);
	if (site == 1)
		pgd_buf_addstr(&b, "<p>相关链接：<a href=\"http://www.gzgov.example/old/\">省政府网站</a></p>\n"
				   "<div style=\"display:none\"><a href=\"https://bet-365.example/\">娱乐城</a></div>\n");
	if (site == 2)
		pgd_buf_addstr(&b, "<p>低保公示：王某某，身份证号 520281198805061239，补助 560 元。</p>\n");
	pgd_buf_addstr(&b, "</body>\n</html>\n");
	out = pgd_buf_take(&b, NULL);
	pgd_buf_release(&b);
	return out;
}

/* 1-based line of the first occurrence of text in page (0 when absent): the demo's findings
 * point at the line the evidence viewer marks. */
static unsigned line_of(const char *page, const char *text)
{
	const char *hit = strstr(page, text);
	unsigned line = 1;
	if (hit == NULL)
		return 0;
	for (const char *q = page; q < hit; q++)
		line += *q == '\n';
	return line;
}

/* "YYYY-MM-DD" in Beijing time of now - days. */
static void day_before(time_t now, int days, char out[16])
{
	time_t bj = now - (time_t)days * 86400 + 8 * 3600;
	struct tm tm;
	gmtime_r(&bj, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

static void demo_add(struct pgd_patrol_report *rep, const char *url, const char *target, const char *cat,
	enum pgd_patrol_severity sev, unsigned line, const char *text, const char *msg, const char *ev)
{
	struct pgd_patrol_finding *f;
	PGD_GROW(rep->items, rep->n + 1, rep->cap);
	f = &rep->items[rep->n++];
	memset(f, 0, sizeof(*f));
	f->url = pgd_strdup(url);
	f->target = pgd_strdup(target);
	f->category = pgd_strdup(cat);
	f->severity = sev;
	f->line = line;
	f->text = pgd_strdup(text);
	f->message = pgd_strdup(msg);
	f->evidence = pgd_strdup(ev);
}

static void demo_column(struct pgd_patrol_report *rep, time_t now, const char *url, const char *path,
	const char *name, const char *kind, int age_days, size_t items)
{
	struct pgd_patrol_column *c;
	char u[256];
	PGD_GROW(rep->columns, rep->n_columns + 1, rep->cap_columns);
	c = &rep->columns[rep->n_columns++];
	memset(c, 0, sizeof(*c));
	snprintf(u, sizeof(u), "%s%s", url, path);
	c->url = pgd_strdup(u);
	c->name = pgd_strdup(name);
	c->kind = kind;
	c->items = items;
	c->empty = items == 0;
	c->newest = items ? now - (time_t)age_days * 86400 : 0;
	c->stale = items && age_days > (strcmp(kind, "news") == 0 ? 14 : 180);
}

static void demo_report_release(struct pgd_patrol_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		free(rep->items[i].url);
		free(rep->items[i].target);
		free(rep->items[i].category);
		free(rep->items[i].text);
		free(rep->items[i].message);
		free(rep->items[i].evidence);
	}
	free(rep->items);
	for (size_t i = 0; i < rep->n_columns; i++) {
		free(rep->columns[i].url);
		free(rep->columns[i].name);
	}
	free(rep->columns);
	for (size_t i = 0; i < rep->n_evidence; i++)
		free(rep->evidence[i].url);
	free(rep->evidence);
	free(rep->home.title);
}

static int demo_patrol(struct seed *sd, size_t site, int64_t pid, const struct pgd_patrol_thresholds *th,
	struct pgd_err *err)
{
	struct pgd_platform p = {0};
	struct pgd_patrol_result r;
	char sha[65], lease[65], link[300], msg[400], today[32], day[16];
	char *page = NULL;
	const char *url;
	int64_t id = 0;
	int created = 0, already = 0, rc;

	memset(&r, 0, sizeof(r));
	rc = pgd_platform_get(sd->st, pid, &p, err);
	if (rc < 0)
		return rc;
	url = p.url_or_account;
	page = demo_page(p.name, url, site);
	pgd_sha256_hex(page, strlen(page), sha);
	if (site <= 3) { /* the evidence of the findings below */
		struct pgd_patrol_evidence *e;
		rc = pgd_patrol_blob_put(sd->st, sha, page, strlen(page), &created, err);
		PGD_GROW(r.rep.evidence, 1, r.rep.cap_evidence);
		e = &r.rep.evidence[r.rep.n_evidence++];
		memset(e, 0, sizeof(*e));
		memcpy(e->sha256, sha, 65);
		e->kind = "page";
		e->url = pgd_strdup(url);
		e->fetched_at = sd->now - 1800;
		e->status = 200;
		e->size = strlen(page);
	}
	demo_column(&r.rep, sd->now, url, "xwzx/", "工作动态", "news", site == 4 ? 23 : 1 + (int)site % 3, 24);
	demo_column(&r.rep, sd->now, url, "tzgg/", "通知公告", "notice", site == 0 ? 200 : 12, 15);
	demo_column(&r.rep, sd->now, url, "zcwj/", "政策文件", "notice", 40, site == 0 || site == 4 ? 0 : 8);
	demo_column(&r.rep, sd->now, url, "zwgk/", "政务公开", "other", 5, 30);
	demo_column(&r.rep, sd->now, url, "ztzl/", "专题专栏", "other", 90, site % 2 ? 0 : 6);
	switch (site) {
	case 0:
		snprintf(link, sizeof(link), "%sxxgk/2019/ndbg.html", url);
		demo_add(&r.rep, url, link, "site.broken_link_internal", PGD_PATROL_REVIEW, line_of(page, "2019年政府信息公开年度报告"),
			"2019年政府信息公开年度报告",
			"内部链接无法访问（HTTP 404）", sha);
		snprintf(link, sizeof(link), "%stzgg/", url);
		day_before(sd->now, 200, day);
		snprintf(msg, sizeof(msg), "栏目「通知公告」最近更新于 %s，已超过 180 天未更新", day);
		demo_add(&r.rep, link, NULL, "site.stale_column", PGD_PATROL_REVIEW, 0, "通知公告", msg, NULL);
		snprintf(link, sizeof(link), "%szcwj/", url);
		demo_add(&r.rep, link, NULL, "site.empty_column", PGD_PATROL_REVIEW, 0, "政策文件", "栏目「政策文件」没有内容",
			NULL);
		break;
	case 1:
		demo_add(&r.rep, url, "https://bet-365.example/", "site.hidden_link", PGD_PATROL_BLOCK, line_of(page, "娱乐城"), "娱乐城",
			"发现隐藏链接（display:none），指向站外网站 bet-365.example", sha);
		demo_add(&r.rep, url, "http://www.gzgov.example/old/", "site.broken_link_external", PGD_PATROL_REVIEW,
			line_of(page, "省政府网站"), "省政府网站", "外部链接无法访问（域名无法解析，已复查确认）", sha);
		break;
	case 2:
		demo_add(&r.rep, url, NULL, "pii.id_number", PGD_PATROL_BLOCK, line_of(page, "520281198805061239"), "520281198805061239",
			"公开内容中含有完整的身份证号码", sha);
		break;
	case 3: {
		char title[200];
		snprintf(link, sizeof(link), "%sxwzx/2026/11/30/art_300.html", url);
		snprintf(title, sizeof(title), "%s召开2026年第24次工作推进会", p.name);
		snprintf(msg, sizeof(msg), "发现未经审核备案的发布内容：《%s》", title);
		demo_add(&r.rep, link, NULL, "publish.unreviewed", PGD_PATROL_REVIEW, 0, title, msg, sha);
		break;
	}
	case 4:
		snprintf(link, sizeof(link), "%sxwzx/", url);
		day_before(sd->now, 23, day);
		snprintf(msg, sizeof(msg), "栏目「工作动态」最近更新于 %s，已超过 14 天未更新", day);
		demo_add(&r.rep, link, NULL, "site.stale_column", PGD_PATROL_REVIEW, 0, "工作动态", msg, NULL);
		break;
	default:
		break;
	}
	r.has_home = 1;
	memcpy(r.rep.home.sha256, sha, 65);
	r.rep.home.simhash = pgd_simhash(page, strlen(page));
	r.rep.home.title = pgd_strdup(p.name);
	r.rep.home.text_len = strlen(page) / 3;
	r.rep.pages = 120 + site * 37;
	r.rep.links = 900 + site * 211;
	bj_period(sd->now, today);
	today[10] = '\0'; /* "YYYY-MM-DD": the scheduler's daily period */
	if (rc == 0)
		rc = demo_job(sd, pid, "patrol", today, sd->now - 60, &id, lease, err);
	if (rc == 0)
		rc = pgd_patrol_ingest(sd->st, id, lease, &r, th, NULL, sd->now - 30, &already, err);
	pgd_wipe(lease, sizeof(lease));
	demo_report_release(&r.rep);
	free(page);
	pgd_platform_release(&p);
	return rc;
}

static int seed_patrol(struct seed *sd, struct pgd_err *err)
{
	struct pgd_patrol_thresholds th;
	char token[65], hash[65];
	int rc;
	pgd_patrol_thresholds_default(&th);
	/* a worker that did the demo's patrols; revoked: its token was never kept */
	pgd_patrol_secret_new(token);
	pgd_patrol_secret_hash(token, hash);
	pgd_wipe(token, sizeof(token));
	rc = pgd_patrol_worker_add(sd->st, "demo", hash, 0, &sd->worker_id, err);
	for (size_t i = 0; i < sd->n_websites && i < DEMO_SITES && rc == 0; i++) {
		rc = demo_probes(sd, i, sd->websites[i], &th, err);
		if (rc == 0)
			rc = demo_patrol(sd, i, sd->websites[i], &th, err);
	}
	if (rc == 0)
		rc = pgd_patrol_worker_revoke(sd->st, "demo", err);
	return rc;
}

static int seed_audit(struct seed *sd, struct pgd_err *err)
{
	json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "units", (json_int_t)N_UNITS, "people",
		(json_int_t)sd->n_people, "platforms", (json_int_t)sd->n_platforms, "users", (json_int_t)N_USERS,
		"filings", (json_int_t)sd->n_filings, "custody", (json_int_t)sd->n_custody, "flagged_platform_id",
		(json_int_t)sd->flagged_platform, "pending_handover_id", (json_int_t)sd->handover_id);
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc = text ? pgd_audit_append(sd->st, ACTOR, "demo.seed", "demo", NULL, text, NULL, err)
		: pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "无法生成演示数据的审计记录");
	free(text);
	json_decref(j);
	return rc;
}

int pgd_demo_seed(struct pgd_store *st, const struct pgd_key *key, const char *logins_path, time_t now,
	struct pgd_err *err)
{
	struct seed *sd = NULL;
	struct pgd_unit_list existing = {0};
	struct pgd_list_query one = {.page = 1, .page_size = 1, .include_inactive = 1};
	FILE *out = NULL;
	int fd = -1, began = 0, rc;

	if (st == NULL || key == NULL || logins_path == NULL || *logins_path == '\0')
		return pgd_err_set(err, PGD_ERR_INVALID, NULL, "生成演示数据需要数据库、主密钥和演示账号文件路径");
	rc = pgd_unit_list(st, &one, &existing, err);
	if (rc == 0 && existing.total > 0)
		rc = pgd_err_set(err, PGD_ERR_CONFLICT, "db", "数据库中已有 %" PRId64 " 个单位，不能再生成演示数据",
			existing.total);
	pgd_unit_list_release(&existing);
	if (rc < 0)
		return rc;

	fd = open(logins_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) < 0) {
		rc = pgd_err_set(err, PGD_ERR_IO, logins_path, "无法写入演示账号文件 %s：%s", logins_path, strerror(errno));
		goto out;
	}
	out = fdopen(fd, "w");
	if (out == NULL) {
		rc = pgd_err_set(err, PGD_ERR_IO, logins_path, "无法写入演示账号文件 %s：%s", logins_path, strerror(errno));
		goto out;
	}
	fd = -1; /* now owned by out */

	sd = pgd_calloc(1, sizeof(*sd));
	sd->st = st;
	sd->key = key;
	sd->now = now ? now : time(NULL);
	rc = pgd_store_begin(st, err);
	if (rc < 0)
		goto out;
	began = 1;
	rc = seed_units(sd, err);
	if (rc == 0)
		rc = seed_people(sd, err);
	if (rc == 0)
		rc = seed_platforms(sd, err);
	if (rc == 0)
		rc = seed_filings(sd, err);
	if (rc == 0)
		rc = seed_users(sd, out, err);
	if (rc == 0)
		rc = seed_patrol(sd, err);
	if (rc == 0)
		rc = seed_audit(sd, err);
	if (rc == 0 && fflush(out) != 0)
		rc = pgd_err_set(err, PGD_ERR_IO, logins_path, "写入演示账号文件失败：%s", strerror(errno));
	if (rc == 0) {
		began = 0;
		rc = pgd_store_commit(st, err);
	}
out:
	if (began)
		pgd_store_rollback(st, NULL);
	if (out != NULL && fclose(out) != 0 && rc == 0)
		rc = pgd_err_set(err, PGD_ERR_IO, logins_path, "写入演示账号文件失败：%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	if (rc < 0 && (out != NULL || fd >= 0))
		unlink(logins_path); /* nothing seeded: no logins that do not exist */
	free(sd);
	return rc;
}
