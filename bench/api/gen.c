/* Benchmark database generator for bench/api/run.sh: units, people, platforms and audit
 * entries written through the real store (pgd_store), so the audit log is a valid SM3 chain.
 *
 *   gen --db PATH [--units 1000] [--platforms 10000] [--people-per-unit 5] [--audit 1000000]
 *
 * Deterministic (a fixed LCG), not part of the product: built by bench/api/run.sh with cc
 * against the static libraries of a build directory. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pubguard/err.h"
#include "pubguard/store.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_rand(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static const char *const town_names[] = {"红果", "两河", "柏果", "羊场", "保基", "石桥", "坪地", "乐民",
	"盘关", "鸡场坪", "淤泥", "普古", "英武", "新民", "大山", "刘官"};
static const char *const dept_names[] = {"教育局", "卫生健康局", "融媒体中心", "财政局", "民政局",
	"自然资源局", "住房和城乡建设局", "交通运输局", "农业农村局", "文体广电旅游局", "市场监管局",
	"应急管理局", "医疗保障局", "生态环境分局"};
static const char *const surnames[] = {"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐",
	"孙", "胡", "朱", "高", "林"};
static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "勇", "军",
	"杰", "娟", "涛", "明", "超"};
static const char *const actions[] = {"platform.update", "person.update", "unit.update", "auth.login",
	"custody.reveal", "filing.create", "platform.create", "person.leave"};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static long arg_long(int argc, char **argv, const char *name, long dflt)
{
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0) {
			char *end = NULL;
			long v = strtol(argv[i + 1], &end, 10);
			if (end == argv[i + 1] || *end != '\0' || v < 0) {
				fprintf(stderr, "gen: bad value for %s: %s\n", name, argv[i + 1]);
				exit(2);
			}
			return v;
		}
	return dflt;
}

static const char *arg_str(int argc, char **argv, const char *name)
{
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static void die(const char *what, int rc, const struct pgd_err *err)
{
	fprintf(stderr, "gen: %s failed (%d): %s\n", what, rc, err->message);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *db = arg_str(argc, argv, "--db");
	long n_units = arg_long(argc, argv, "--units", 1000);
	long n_platforms = arg_long(argc, argv, "--platforms", 10000);
	long per_unit = arg_long(argc, argv, "--people-per-unit", 5);
	long n_audit = arg_long(argc, argv, "--audit", 1000000);
	struct pgd_store *st = NULL;
	struct pgd_err err = {0};
	int64_t *unit_ids, *person_ids;
	char name[256], buf[1024], subject[64];
	double t0 = now_s();
	int rc;

	if (db == NULL || n_units < 1 || per_unit < 1) {
		fprintf(stderr, "usage: gen --db PATH [--units N] [--platforms N] [--people-per-unit N] [--audit N]\n");
		return 2;
	}
	unit_ids = calloc((size_t)n_units, sizeof(*unit_ids));
	person_ids = calloc((size_t)(n_units * per_unit), sizeof(*person_ids));
	if (unit_ids == NULL || person_ids == NULL)
		return 1;
	if ((rc = pgd_store_open(&st, db, &err)) < 0)
		die("open", rc, &err);
	if ((rc = pgd_store_migrate(st, &err)) < 0)
		die("migrate", rc, &err);
	if ((rc = pgd_store_begin(st, &err)) < 0)
		die("begin", rc, &err);
	for (long i = 0; i < n_units; i++) {
		struct pgd_unit u = {0};
		if (i < 16 * 4) { /* towns and streets at the top, departments under them */
			snprintf(name, sizeof(name), "%s%s%ld", town_names[i % N_OF(town_names)],
				i % 2 ? "镇" : "街道", i / (long)N_OF(town_names) + 1);
			u.kind = PGD_UNIT_TOWN;
		} else {
			snprintf(name, sizeof(name), "%s第%ld分支", dept_names[i % N_OF(dept_names)], i);
			u.kind = (enum pgd_unit_kind)(1 + i % (PGD_UNIT_KIND_COUNT - 1));
			u.parent_id = unit_ids[i % 64];
		}
		u.name = name;
		snprintf(buf, sizeof(buf), "中共%s委员会", name);
		u.party_body = buf;
		if ((rc = pgd_unit_create(st, &u, &unit_ids[i], &err)) < 0)
			die("unit_create", rc, &err);
	}
	for (long i = 0; i < n_units * per_unit; i++) {
		struct pgd_person p = {0};
		char phone[32];
		p.unit_id = unit_ids[i / per_unit];
		snprintf(name, sizeof(name), "%s%s%s", surnames[next_rand() % N_OF(surnames)],
			given[next_rand() % N_OF(given)], given[next_rand() % N_OF(given)]);
		p.name = name;
		p.post = (char *)(i % per_unit == 0 ? "联络员" : "科员");
		p.staff_type = i % per_unit == per_unit - 1 && per_unit > 2 ? PGD_STAFF_TEMPORARY : PGD_STAFF_FORMAL;
		snprintf(phone, sizeof(phone), "139%08ld", i);
		p.phone = phone;
		if ((rc = pgd_person_create(st, &p, &person_ids[i], &err)) < 0)
			die("person_create", rc, &err);
	}
	for (long i = 0; i < n_platforms; i++) {
		struct pgd_platform p = {0};
		char url[128], code[32];
		long unit = i % n_units;
		p.unit_id = unit_ids[unit];
		p.type = (enum pgd_platform_type)(i % PGD_PLATFORM_TYPE_COUNT);
		snprintf(name, sizeof(name), "平台%ld（%s）", i, pgd_platform_type_name(p.type));
		p.name = name;
		if (p.type == PGD_PLATFORM_WEBSITE) {
			snprintf(url, sizeof(url), "https://site%ld.example.gov.cn/", i);
			snprintf(code, sizeof(code), "52028%05ld", i);
			p.site_code = code;
			p.entry_point = url;
		} else {
			snprintf(url, sizeof(url), "acct_%ld", i);
		}
		p.url_or_account = url;
		p.certified = (int)(i % 3 != 0);
		p.manager_person_id = person_ids[unit * per_unit]; /* the unit's formal liaison */
		if ((rc = pgd_platform_create(st, &p, NULL, &err)) < 0)
			die("platform_create", rc, &err);
	}
	if ((rc = pgd_store_commit(st, &err)) < 0)
		die("commit", rc, &err);
	fprintf(stderr, "gen: %ld units, %ld people, %ld platforms in %.1f s\n", n_units, n_units * per_unit,
		n_platforms, now_s() - t0);
	t0 = now_s();
	for (long i = 0; i < n_audit; i++) {
		const char *action = actions[i % N_OF(actions)];
		long id = (long)(next_rand() % (uint32_t)(n_platforms ? n_platforms : 1)) + 1;
		if (i % 10000 == 0 && (rc = pgd_store_begin(st, &err)) < 0)
			die("begin", rc, &err);
		snprintf(subject, sizeof(subject), "platform:%ld", id);
		snprintf(name, sizeof(name), "user%02ld", i % 37);
		snprintf(buf, sizeof(buf), "{\"certified\":%s,\"name\":\"平台%ld\",\"url_or_account\":\"acct_%ld\"}",
			i % 2 ? "true" : "false", id, id);
		rc = pgd_audit_append(st, name, action, subject, i % 8 == 3 ? NULL : buf, buf, NULL, &err);
		if (rc < 0)
			die("audit_append", rc, &err);
		if ((i % 10000 == 9999 || i == n_audit - 1) && (rc = pgd_store_commit(st, &err)) < 0)
			die("commit", rc, &err);
	}
	fprintf(stderr, "gen: %ld audit entries in %.1f s\n", n_audit, now_s() - t0);
	pgd_store_close(st);
	free(unit_ids);
	free(person_ids);
	return 0;
}
