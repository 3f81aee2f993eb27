/* The store: migrations, transactions and the registry of units, people and platforms,
 * on a temporary SQLite database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "pubguard/err.h"
#include "pubguard/store.h"
#include "store/internal.h"
#include "core/banned.h"

/* registry structs own their strings (char *); the store only reads them on create/update */
#define S(lit) ((char *)(lit))

#include "store_fixture.h"

static int64_t mk_unit(struct pgd_store *st, const char *name, int64_t parent)
{
	struct pgd_unit u = {.name = (char *)name, .kind = PGD_UNIT_DEPARTMENT, .parent_id = parent};
	struct pgd_err err = {0};
	int64_t id = 0;
	assert_int_equal(pgd_unit_create(st, &u, &id, &err), 0);
	assert_true(id > 0);
	return id;
}

static int64_t mk_person(struct pgd_store *st, int64_t unit, const char *name, enum pgd_staff_type t)
{
	struct pgd_person p = {.unit_id = unit, .name = (char *)name, .post = S("科员"), .staff_type = t,
		.phone = S("13800000000")};
	struct pgd_err err = {0};
	int64_t id = 0;
	assert_int_equal(pgd_person_create(st, &p, &id, &err), 0);
	assert_true(id > 0);
	return id;
}

static void test_open_pragmas_and_migrate_twice(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	int applied = -1;
	int64_t v = 0;
	struct stat sb;
	char wal[160];

	assert_int_equal(pgd_store_schema_version(f->st, &applied, &err), 0);
	assert_int_equal(applied, 6); /* 0001 registry, 0002 audit, 0003 accounts/reviews/custody, 0004-5 indexes, 0006 patrol */
	assert_int_equal(pgd_store_latest_version(), 6);
	/* second and third run: nothing to do, nothing recorded twice */
	assert_int_equal(pgd_store_migrate(f->st, &err), 0);
	assert_int_equal(pgd_store_migrate(f->st, &err), 0);
	assert_int_equal(pgd_store_query_int(f->st, &v, &err, "SELECT COUNT(*) FROM schema_migrations", ""), 0);
	assert_int_equal(v, 6);
	/* and after reopening */
	pgd_store_close(f->st);
	f->st = NULL;
	assert_int_equal(pgd_store_open(&f->st, f->path, &err), 0);
	assert_int_equal(pgd_store_migrate(f->st, &err), 0);
	assert_int_equal(pgd_store_query_int(f->st, &v, &err, "SELECT COUNT(*) FROM schema_migrations", ""), 0);
	assert_int_equal(v, 6);

	assert_int_equal(pgd_store_query_int(f->st, &v, &err, "PRAGMA foreign_keys", ""), 0);
	assert_int_equal(v, 1);
	assert_int_equal(pgd_store_query_int(f->st, &v, &err, "PRAGMA synchronous", ""), 0);
	assert_int_equal(v, 2); /* FULL */
	mk_unit(f->st, "写入测试单位", 0);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(stat(wal, &sb), 0); /* WAL journal in use */

	/* a database from a newer program is refused */
	assert_int_equal(pgd_store_execp(f->st, NULL, &err,
		"INSERT INTO schema_migrations (version, applied_at) VALUES (99, '2030-01-01T00:00:00Z')", ""), 0);
	assert_int_equal(pgd_store_migrate(f->st, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "99"));
}

static void test_open_bad_path(void **state)
{
	struct pgd_store *st = (struct pgd_store *)1;
	struct pgd_err err = {0};
	assert_int_equal(pgd_store_open(&st, "/nonexistent-dir/x/y.db", &err), PGD_ERR_IO);
	assert_null(st);
	assert_true(strlen(err.message) > 0);
	assert_int_equal(pgd_store_open(&st, "", &err), PGD_ERR_INVALID);
	/* in-memory, for other modules' tests */
	assert_int_equal(pgd_store_open(&st, ":memory:", &err), 0);
	assert_int_equal(pgd_store_migrate(st, &err), 0);
	mk_unit(st, "内存单位", 0);
	pgd_store_close(st);
}

static void test_unit_crud(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_unit u = {0}, got = {0};
	int64_t town, dept, head;

	u.name = S("城关镇");
	u.kind = PGD_UNIT_TOWN;
	u.party_body = S("城关镇党委");
	assert_int_equal(pgd_unit_create(f->st, &u, &town, &err), 0);
	dept = mk_unit(f->st, "城关镇党政办", town);

	assert_int_equal(pgd_unit_get(f->st, town, &got, &err), 0);
	assert_int_equal(got.id, town);
	assert_int_equal(got.parent_id, 0);
	assert_string_equal(got.name, "城关镇");
	assert_int_equal(got.kind, PGD_UNIT_TOWN);
	assert_string_equal(got.party_body, "城关镇党委");
	assert_int_equal(got.principal_head_person_id, 0);
	assert_int_equal(got.active, 1);
	assert_int_equal(strlen(got.created_at), 20);
	assert_int_equal(got.created_at[10], 'T');
	assert_int_equal(got.created_at[19], 'Z');
	pgd_unit_release(&got);

	assert_int_equal(pgd_unit_get(f->st, dept, &got, &err), 0);
	assert_int_equal(got.parent_id, town);
	pgd_unit_release(&got);

	/* principal head: must be an active person of that unit */
	head = mk_person(f->st, town, "张三", PGD_STAFF_FORMAL);
	assert_int_equal(pgd_unit_get(f->st, town, &got, &err), 0);
	got.principal_head_person_id = head;
	free(got.name);
	got.name = strdup("城关镇人民政府");
	assert_int_equal(pgd_unit_update(f->st, &got, &err), 0);
	pgd_unit_release(&got);
	assert_int_equal(pgd_unit_get(f->st, town, &got, &err), 0);
	assert_string_equal(got.name, "城关镇人民政府");
	assert_int_equal(got.principal_head_person_id, head);
	/* a person of another unit cannot be its head */
	{
		int64_t other = mk_person(f->st, dept, "李四", PGD_STAFF_FORMAL);
		got.principal_head_person_id = other;
		assert_int_equal(pgd_unit_update(f->st, &got, &err), PGD_ERR_INVALID);
		assert_string_equal(err.field, "principal_head_person_id");
		got.principal_head_person_id = head;
	}
	/* cycle: the town under its own department */
	got.parent_id = dept;
	assert_int_equal(pgd_unit_update(f->st, &got, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "parent_id");
	got.parent_id = town;
	assert_int_equal(pgd_unit_update(f->st, &got, &err), PGD_ERR_INVALID);
	pgd_unit_release(&got);

	/* duplicate name, empty name, bad kind, missing parent, missing id */
	u.name = S("城关镇党政办");
	assert_int_equal(pgd_unit_create(f->st, &u, NULL, &err), PGD_ERR_CONFLICT);
	assert_non_null(strstr(err.message, "城关镇党政办"));
	assert_non_null(strstr(err.message, "已存在"));
	u.name = S("");
	assert_int_equal(pgd_unit_create(f->st, &u, NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "name");
	u.name = S("新单位");
	u.kind = (enum pgd_unit_kind)42;
	assert_int_equal(pgd_unit_create(f->st, &u, NULL, &err), PGD_ERR_INVALID);
	u.kind = PGD_UNIT_PARK;
	u.parent_id = 9999;
	assert_int_equal(pgd_unit_create(f->st, &u, NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "parent_id");
	assert_int_equal(pgd_unit_get(f->st, 9999, &got, &err), PGD_ERR_NOT_FOUND);
	assert_null(got.name);
	u.parent_id = 0;
	u.id = 9999;
	assert_int_equal(pgd_unit_update(f->st, &u, &err), PGD_ERR_NOT_FOUND);
	assert_int_equal(pgd_unit_retire(f->st, 9999, &err), PGD_ERR_NOT_FOUND);
	/* a failed update inside its own transaction changed nothing */
	assert_int_equal(pgd_unit_get(f->st, town, &got, &err), 0);
	assert_string_equal(got.name, "城关镇人民政府");
	assert_int_equal(got.parent_id, 0);
	pgd_unit_release(&got);

	/* enum names round-trip */
	for (int k = 0; k < PGD_UNIT_KIND_COUNT; k++) {
		enum pgd_unit_kind back;
		assert_int_equal(pgd_unit_kind_parse(pgd_unit_kind_name((enum pgd_unit_kind)k), &back), 0);
		assert_int_equal(back, k);
	}
	{
		enum pgd_platform_type t;
		assert_int_equal(pgd_platform_type_parse("thepaper", &t), 0);
		assert_int_equal(t, PGD_PLATFORM_THEPAPER);
		assert_int_equal(pgd_platform_type_parse("tiktok", &t), PGD_ERR_INVALID);
		assert_null(pgd_staff_type_name(PGD_STAFF_TYPE_COUNT));
	}
}

static void test_list_paging_search(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_unit_list ul = {0};
	struct pgd_person_list pl = {0};
	struct pgd_platform_list fl = {0};
	struct pgd_list_query q = {0};
	int64_t ids[25], root, a, b;
	char name[64];

	root = mk_unit(f->st, "发改局", 0);
	for (int i = 0; i < 25; i++) {
		snprintf(name, sizeof(name), "测试单位%02d", i + 1);
		ids[i] = mk_unit(f->st, name, i < 3 ? root : 0);
	}
	mk_unit(f->st, "百分比%_单位", 0);

	q.search = "测试单位";
	q.page_size = 10;
	q.page = 3;
	assert_int_equal(pgd_unit_list(f->st, &q, &ul, &err), 0);
	assert_int_equal(ul.total, 25);
	assert_int_equal(ul.n, 5);
	assert_int_equal(ul.items[0].id, ids[20]);
	assert_string_equal(ul.items[0].name, "测试单位21");
	assert_string_equal(ul.items[4].name, "测试单位25");
	pgd_unit_list_release(&ul);

	q.page = 1;
	assert_int_equal(pgd_unit_list(f->st, &q, &ul, &err), 0);
	assert_int_equal(ul.n, 10);
	assert_string_equal(ul.items[0].name, "测试单位01");
	pgd_unit_list_release(&ul);

	/* page past the end: empty, total still right */
	q.page = 9;
	assert_int_equal(pgd_unit_list(f->st, &q, &ul, &err), 0);
	assert_int_equal(ul.total, 25);
	assert_int_equal(ul.n, 0);
	pgd_unit_list_release(&ul);

	/* LIKE wildcards in the search are literal */
	q.page = 1;
	q.search = "%";
	assert_int_equal(pgd_unit_list(f->st, &q, &ul, &err), 0);
	assert_int_equal(ul.total, 1);
	assert_string_equal(ul.items[0].name, "百分比%_单位");
	pgd_unit_list_release(&ul);
	q.search = "单位0_";
	assert_int_equal(pgd_unit_list(f->st, &q, &ul, &err), 0);
	assert_int_equal(ul.total, 0);
	pgd_unit_list_release(&ul);

	/* no search, no filter: everything (1 + 25 + 1), defaults page_size 50 */
	memset(&q, 0, sizeof(q));
	assert_int_equal(pgd_unit_list(f->st, &q, &ul, &err), 0);
	assert_int_equal(ul.total, 27);
	assert_int_equal(ul.n, 27);
	pgd_unit_list_release(&ul);
	assert_int_equal(pgd_unit_list(f->st, NULL, &ul, &err), 0);
	assert_int_equal(ul.total, 27);
	pgd_unit_list_release(&ul);

	/* unit filter on units: the unit and its descendants, grandchildren included */
	mk_unit(f->st, "测试单位01下属科室", ids[0]);
	q.unit_id = root;
	assert_int_equal(pgd_unit_list(f->st, &q, &ul, &err), 0);
	assert_int_equal(ul.total, 5); /* 发改局, 01, 02, 03, 01下属科室 */
	assert_int_equal(ul.items[0].id, root);
	pgd_unit_list_release(&ul);

	/* people: unit filter exact, search on name and post */
	a = mk_person(f->st, ids[0], "王五", PGD_STAFF_FORMAL);
	b = mk_person(f->st, ids[1], "赵六", PGD_STAFF_TEMPORARY);
	mk_person(f->st, ids[1], "钱七", PGD_STAFF_PUBLIC_WELFARE);
	memset(&q, 0, sizeof(q));
	q.unit_id = ids[1];
	assert_int_equal(pgd_person_list(f->st, &q, &pl, &err), 0);
	assert_int_equal(pl.total, 2);
	assert_int_equal(pl.items[0].id, b);
	assert_int_equal(pl.items[0].staff_type, PGD_STAFF_TEMPORARY);
	assert_string_equal(pl.items[1].name, "钱七");
	assert_int_equal(pl.items[1].staff_type, PGD_STAFF_PUBLIC_WELFARE);
	pgd_person_list_release(&pl);
	q.unit_id = 0;
	q.search = "王";
	assert_int_equal(pgd_person_list(f->st, &q, &pl, &err), 0);
	assert_int_equal(pl.total, 1);
	assert_int_equal(pl.items[0].id, a);
	assert_string_equal(pl.items[0].phone, "13800000000");
	pgd_person_list_release(&pl);
	q.search = "科员"; /* post */
	assert_int_equal(pgd_person_list(f->st, &q, &pl, &err), 0);
	assert_int_equal(pl.total, 3);
	pgd_person_list_release(&pl);

	/* platforms: search on account too */
	{
		struct pgd_platform p = {.unit_id = ids[0], .name = S("发改微信"), .type = PGD_PLATFORM_WECHAT,
			.url_or_account = S("gh_fagai01"), .manager_person_id = a};
		struct pgd_platform w = {.unit_id = ids[1], .name = S("门户网站"), .type = PGD_PLATFORM_WEBSITE,
			.url_or_account = S("https://www.example.gov.cn/"), .site_code = S("1234000001"), .certified = 1,
			.entry_point = S("https://www.example.gov.cn/sitemap.xml")};
		assert_int_equal(pgd_platform_create(f->st, &p, NULL, &err), 0);
		assert_int_equal(pgd_platform_create(f->st, &w, NULL, &err), 0);
		q.search = "EXAMPLE.gov"; /* case-insensitive */
		assert_int_equal(pgd_platform_list(f->st, &q, &fl, &err), 0);
		assert_int_equal(fl.total, 1);
		assert_string_equal(fl.items[0].name, "门户网站");
		assert_string_equal(fl.items[0].site_code, "1234000001");
		assert_int_equal(fl.items[0].certified, 1);
		assert_int_equal(fl.items[0].type, PGD_PLATFORM_WEBSITE);
		assert_int_equal(fl.items[0].manager_person_id, 0);
		pgd_platform_list_release(&fl);
		q.search = NULL;
		q.unit_id = ids[0];
		assert_int_equal(pgd_platform_list(f->st, &q, &fl, &err), 0);
		assert_int_equal(fl.total, 1);
		assert_string_equal(fl.items[0].url_or_account, "gh_fagai01");
		assert_int_equal(fl.items[0].manager_person_id, a);
		assert_null(fl.items[0].site_code);
		pgd_platform_list_release(&fl);
		/* same account of the same type twice: conflict */
		p.name = S("重复");
		assert_int_equal(pgd_platform_create(f->st, &p, NULL, &err), PGD_ERR_CONFLICT);
		assert_string_equal(err.field, "url_or_account");
		/* same id on another type is another platform */
		p.type = PGD_PLATFORM_WEIBO;
		assert_int_equal(pgd_platform_create(f->st, &p, NULL, &err), 0);
	}
	pgd_unit_list_release(NULL);
	pgd_person_list_release(NULL);
	pgd_platform_list_release(NULL);
}

static void test_foreign_keys(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_person p = {.unit_id = 9999, .name = S("无单位"), .staff_type = PGD_STAFF_FORMAL};
	struct pgd_platform pf = {.unit_id = 9999, .name = S("x"), .type = PGD_PLATFORM_APP, .url_or_account = S("x")};
	int64_t unit = mk_unit(f->st, "某单位", 0), v = 0;

	/* through the registry functions: a Chinese message naming the field */
	assert_int_equal(pgd_person_create(f->st, &p, NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "unit_id");
	assert_non_null(strstr(err.message, "9999"));
	assert_int_equal(pgd_platform_create(f->st, &pf, NULL, &err), PGD_ERR_INVALID);
	pf.unit_id = unit;
	pf.manager_person_id = 4242;
	assert_int_equal(pgd_platform_create(f->st, &pf, NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "manager_person_id");

	/* the schema is the backstop: raw statements that bypass the checks fail cleanly */
	assert_int_equal(pgd_store_execp(f->st, NULL, &err,
		"INSERT INTO people (unit_id, name, staff_type, status, created_at, updated_at)"
		" VALUES ($1, 'x', 'formal', 'active', 't', 't')", "i", (int64_t)9999), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "FOREIGN KEY"));
	assert_int_equal(pgd_store_execp(f->st, NULL, &err,
		"INSERT INTO people (unit_id, name, staff_type, status, created_at, updated_at)"
		" VALUES ($1, 'x', 'contractor', 'active', 't', 't')", "i", unit), PGD_ERR_INVALID);
	assert_int_equal(pgd_store_execp(f->st, NULL, &err,
		"INSERT INTO platforms (unit_id, name, type, url_or_account, created_at, updated_at)"
		" VALUES ($1, 'x', 'myspace', 'y', 't', 't')", "i", unit), PGD_ERR_INVALID);
	mk_person(f->st, unit, "有单位", PGD_STAFF_FORMAL);
	/* a unit with people cannot be deleted (there is no delete API; the FK still holds) */
	assert_int_equal(pgd_store_execp(f->st, NULL, &err, "DELETE FROM units WHERE id = $1", "i", unit),
		PGD_ERR_INVALID);
	assert_int_equal(pgd_store_query_int(f->st, &v, &err, "SELECT COUNT(*) FROM people", ""), 0);
	assert_int_equal(v, 1);
}

static void test_non_formal_manager_refused(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	int64_t unit = mk_unit(f->st, "网信办", 0);
	int64_t formal = mk_person(f->st, unit, "正式甲", PGD_STAFF_FORMAL);
	int64_t temp = mk_person(f->st, unit, "临聘乙", PGD_STAFF_TEMPORARY);
	int64_t welfare = mk_person(f->st, unit, "公益丙", PGD_STAFF_PUBLIC_WELFARE);
	struct pgd_platform p = {.unit_id = unit, .name = S("网信抖音"), .type = PGD_PLATFORM_DOUYIN,
		.url_or_account = S("dy_wangxin")};
	struct pgd_platform got = {0};
	struct pgd_person per = {0};
	int64_t pid = 0, v = 0;

	p.manager_person_id = temp;
	assert_int_equal(pgd_platform_create(f->st, &p, &pid, &err), PGD_ERR_FORBIDDEN);
	assert_string_equal(err.field, "manager_person_id");
	assert_non_null(strstr(err.message, "临聘乙"));
	assert_non_null(strstr(err.message, "正式人员"));
	p.manager_person_id = welfare;
	assert_int_equal(pgd_platform_create(f->st, &p, &pid, &err), PGD_ERR_FORBIDDEN);
	assert_non_null(strstr(err.message, "公益性岗位"));
	assert_int_equal(pgd_store_query_int(f->st, &v, &err, "SELECT COUNT(*) FROM platforms", ""), 0);
	assert_int_equal(v, 0); /* nothing half-written */

	p.manager_person_id = formal;
	assert_int_equal(pgd_platform_create(f->st, &p, &pid, &err), 0);
	/* update to a non-formal manager: refused, the formal one stays */
	assert_int_equal(pgd_platform_get(f->st, pid, &got, &err), 0);
	got.manager_person_id = temp;
	assert_int_equal(pgd_platform_update(f->st, &got, &err), PGD_ERR_FORBIDDEN);
	pgd_platform_release(&got);
	assert_int_equal(pgd_platform_get(f->st, pid, &got, &err), 0);
	assert_int_equal(got.manager_person_id, formal);

	/* the manager cannot be turned into non-formal staff behind the platform's back */
	assert_int_equal(pgd_person_get(f->st, formal, &per, &err), 0);
	per.staff_type = PGD_STAFF_TEMPORARY;
	assert_int_equal(pgd_person_update(f->st, &per, &err), PGD_ERR_FORBIDDEN);
	assert_string_equal(err.field, "staff_type");
	pgd_person_release(&per);
	assert_int_equal(pgd_person_get(f->st, formal, &per, &err), 0);
	assert_int_equal(per.staff_type, PGD_STAFF_FORMAL);
	/* other edits of the manager are fine */
	free(per.post);
	per.post = strdup("副主任");
	assert_int_equal(pgd_person_update(f->st, &per, &err), 0);
	pgd_person_release(&per);

	/* a non-formal person made formal may then manage */
	assert_int_equal(pgd_person_get(f->st, temp, &per, &err), 0);
	per.staff_type = PGD_STAFF_FORMAL;
	assert_int_equal(pgd_person_update(f->st, &per, &err), 0);
	pgd_person_release(&per);
	got.manager_person_id = temp;
	assert_int_equal(pgd_platform_update(f->st, &got, &err), 0);

	/* a person who left cannot be made manager */
	assert_int_equal(pgd_person_leave(f->st, formal, &err), 0);
	got.manager_person_id = formal;
	assert_int_equal(pgd_platform_update(f->st, &got, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "离职"));
	pgd_platform_release(&got);
}

static void test_retire_keeps_history(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	int64_t unit = mk_unit(f->st, "旧园区管委会", 0), keep = mk_unit(f->st, "新园区", 0);
	int64_t person = mk_person(f->st, unit, "老王", PGD_STAFF_FORMAL), pid = 0;
	struct pgd_platform p = {.unit_id = unit, .name = S("园区网站"), .type = PGD_PLATFORM_WEBSITE,
		.url_or_account = S("http://old.example.cn"), .manager_person_id = person};
	struct pgd_person np = {.unit_id = unit, .name = S("新人"), .staff_type = PGD_STAFF_FORMAL};
	struct pgd_unit u = {0};
	struct pgd_person per = {0};
	struct pgd_platform got = {0};
	struct pgd_unit_list ul = {0};
	struct pgd_person_list pl = {0};
	struct pgd_platform_list fl = {0};
	struct pgd_list_query q = {0};
	char created[32];

	assert_int_equal(pgd_platform_create(f->st, &p, &pid, &err), 0);
	assert_int_equal(pgd_unit_get(f->st, unit, &u, &err), 0);
	memcpy(created, u.created_at, sizeof(created));
	pgd_unit_release(&u);

	/* not while a platform is open or a sub-unit active */
	assert_int_equal(pgd_unit_retire(f->st, unit, &err), PGD_ERR_CONFLICT);
	assert_non_null(strstr(err.message, "1 个未关闭的平台"));
	{
		int64_t sub = mk_unit(f->st, "旧园区办公室", unit);
		assert_int_equal(pgd_platform_close(f->st, pid, &err), 0);
		assert_int_equal(pgd_unit_retire(f->st, unit, &err), PGD_ERR_CONFLICT);
		assert_non_null(strstr(err.message, "1 个未撤销的下级单位"));
		assert_int_equal(pgd_unit_retire(f->st, sub, &err), 0);
	}
	assert_int_equal(pgd_unit_get(f->st, unit, &u, &err), 0);
	assert_int_equal(u.active, 1); /* the refused retirements changed nothing */
	pgd_unit_release(&u);
	assert_int_equal(pgd_person_leave(f->st, person, &err), 0);
	assert_int_equal(pgd_unit_retire(f->st, unit, &err), 0);

	/* rows remain, marked */
	assert_int_equal(pgd_unit_get(f->st, unit, &u, &err), 0);
	assert_int_equal(u.active, 0);
	assert_string_equal(u.name, "旧园区管委会");
	assert_string_equal(u.created_at, created);
	pgd_unit_release(&u);
	assert_int_equal(pgd_person_get(f->st, person, &per, &err), 0);
	assert_int_equal(per.active, 0);
	assert_int_equal(per.unit_id, unit);
	pgd_person_release(&per);
	assert_int_equal(pgd_platform_get(f->st, pid, &got, &err), 0);
	assert_int_equal(got.active, 0);
	assert_int_equal(got.manager_person_id, person);
	pgd_platform_release(&got);

	/* lists hide them by default and show them on request */
	assert_int_equal(pgd_unit_list(f->st, &q, &ul, &err), 0);
	assert_int_equal(ul.total, 1);
	assert_int_equal(ul.items[0].id, keep);
	pgd_unit_list_release(&ul);
	assert_int_equal(pgd_person_list(f->st, &q, &pl, &err), 0);
	assert_int_equal(pl.total, 0);
	pgd_person_list_release(&pl);
	assert_int_equal(pgd_platform_list(f->st, &q, &fl, &err), 0);
	assert_int_equal(fl.total, 0);
	pgd_platform_list_release(&fl);
	q.include_inactive = 1;
	assert_int_equal(pgd_unit_list(f->st, &q, &ul, &err), 0);
	assert_int_equal(ul.total, 3);
	pgd_unit_list_release(&ul);
	assert_int_equal(pgd_person_list(f->st, &q, &pl, &err), 0);
	assert_int_equal(pl.total, 1);
	pgd_person_list_release(&pl);
	assert_int_equal(pgd_platform_list(f->st, &q, &fl, &err), 0);
	assert_int_equal(fl.total, 1);
	pgd_platform_list_release(&fl);

	/* nothing new goes into a retired unit */
	assert_int_equal(pgd_person_create(f->st, &np, NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "撤销"));
	p.url_or_account = S("http://new.example.cn");
	assert_int_equal(pgd_platform_create(f->st, &p, NULL, &err), PGD_ERR_INVALID);
	/* nor moves in; but the retired unit's own rows stay editable */
	{
		int64_t mover = mk_person(f->st, keep, "调动者", PGD_STAFF_FORMAL);
		assert_int_equal(pgd_person_get(f->st, mover, &per, &err), 0);
		per.unit_id = unit;
		assert_int_equal(pgd_person_update(f->st, &per, &err), PGD_ERR_INVALID);
		assert_string_equal(err.field, "unit_id");
		pgd_person_release(&per);
		assert_int_equal(pgd_person_get(f->st, person, &per, &err), 0);
		free(per.phone);
		per.phone = strdup("13900000000");
		assert_int_equal(pgd_person_update(f->st, &per, &err), 0);
		pgd_person_release(&per);
		assert_int_equal(pgd_platform_get(f->st, pid, &got, &err), 0);
		got.manager_person_id = 0; /* the manager left: the record is corrected */
		assert_int_equal(pgd_platform_update(f->st, &got, &err), 0);
		pgd_platform_release(&got);
	}
	assert_int_equal(pgd_person_leave(f->st, 777, &err), PGD_ERR_NOT_FOUND);
	assert_int_equal(pgd_platform_close(f->st, 777, &err), PGD_ERR_NOT_FOUND);
}

static void test_transactions(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_unit u = {.name = S("回滚单位"), .kind = PGD_UNIT_ORGAN};
	struct pgd_unit got = {0};
	int64_t id = 0, id2 = 0;

	assert_int_equal(pgd_store_begin(f->st, &err), 0);
	assert_int_equal(pgd_store_begin(f->st, &err), PGD_ERR_INTERNAL);
	assert_int_equal(pgd_unit_create(f->st, &u, &id, &err), 0);
	mk_person(f->st, id, "回滚人", PGD_STAFF_FORMAL);
	assert_int_equal(pgd_store_rollback(f->st, &err), 0);
	assert_int_equal(pgd_unit_get(f->st, id, &got, &err), PGD_ERR_NOT_FOUND);

	assert_int_equal(pgd_store_begin(f->st, &err), 0);
	assert_int_equal(pgd_unit_create(f->st, &u, &id2, &err), 0);
	/* a failing call inside an explicit transaction does not end it */
	assert_int_equal(pgd_unit_create(f->st, &u, NULL, &err), PGD_ERR_CONFLICT);
	assert_int_equal(pgd_store_commit(f->st, &err), 0);
	assert_int_equal(pgd_unit_get(f->st, id2, &got, &err), 0);
	assert_string_equal(got.name, "回滚单位");
	pgd_unit_release(&got);
	assert_int_equal(pgd_store_commit(f->st, &err), PGD_ERR_INTERNAL);
	assert_int_equal(pgd_store_rollback(f->st, &err), PGD_ERR_INTERNAL);
	pgd_unit_release(NULL);
	pgd_person_release(NULL);
	pgd_platform_release(NULL);
	pgd_store_close(NULL);
}

/* Two handles on one file (as two server threads or the CLI beside the server would have):
 * both migrate harmlessly, and each sees what the other committed. */
static void test_two_handles(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_store *other = NULL;
	struct pgd_unit got = {0};
	int64_t id, v = 0;

	assert_int_equal(pgd_store_open(&other, f->path, &err), 0);
	assert_int_equal(pgd_store_migrate(other, &err), 0);
	id = mk_unit(f->st, "甲句柄写入", 0);
	assert_int_equal(pgd_unit_get(other, id, &got, &err), 0);
	assert_string_equal(got.name, "甲句柄写入");
	pgd_unit_release(&got);
	/* an open write transaction on one handle: the other still reads the last commit */
	assert_int_equal(pgd_store_begin(f->st, &err), 0);
	mk_unit(f->st, "未提交", 0);
	assert_int_equal(pgd_store_query_int(other, &v, &err, "SELECT COUNT(*) FROM units", ""), 0);
	assert_int_equal(v, 1);
	assert_int_equal(pgd_store_commit(f->st, &err), 0);
	assert_int_equal(pgd_store_query_int(other, &v, &err, "SELECT COUNT(*) FROM units", ""), 0);
	assert_int_equal(v, 2);
	pgd_store_close(other);
}


static int64_t mk_platform(struct pgd_store *st, int64_t unit, const char *name, enum pgd_platform_type t,
	const char *account, int64_t manager)
{
	struct pgd_platform p = {.unit_id = unit, .name = (char *)name, .type = t, .url_or_account = (char *)account,
		.manager_person_id = manager};
	struct pgd_err err = {0};
	int64_t id = 0;
	assert_int_equal(pgd_platform_create(st, &p, &id, &err), 0);
	return id;
}

/* get and list carry the joined names: a unit's parent, a person's unit, a platform's unit
 * and manager (NULL when there is none). */
static void test_joined_names(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_unit u = {0};
	struct pgd_person p = {0};
	struct pgd_platform pf = {0};
	struct pgd_unit_list ul = {0};
	struct pgd_person_list pl = {0};
	struct pgd_platform_list fl = {0};
	struct pgd_list_query q = {0};
	int64_t top = mk_unit(f->st, "市卫生健康局", 0);
	int64_t child = mk_unit(f->st, "市人民医院", top);
	int64_t nurse = mk_person(f->st, child, "王芳", PGD_STAFF_FORMAL);
	int64_t with = mk_platform(f->st, child, "盘州市人民医院", PGD_PLATFORM_WECHAT, "gh_rmyy", nurse);
	int64_t without = mk_platform(f->st, child, "人民医院网站", PGD_PLATFORM_WEBSITE, "https://rmyy.example", 0);

	assert_int_equal(pgd_unit_get(f->st, child, &u, &err), 0);
	assert_string_equal(u.parent_name, "市卫生健康局");
	pgd_unit_release(&u);
	assert_int_equal(pgd_unit_get(f->st, top, &u, &err), 0);
	assert_null(u.parent_name);
	pgd_unit_release(&u);
	assert_int_equal(pgd_person_get(f->st, nurse, &p, &err), 0);
	assert_string_equal(p.unit_name, "市人民医院");
	pgd_person_release(&p);
	assert_int_equal(pgd_platform_get(f->st, with, &pf, &err), 0);
	assert_string_equal(pf.unit_name, "市人民医院");
	assert_string_equal(pf.manager_name, "王芳");
	pgd_platform_release(&pf);
	assert_int_equal(pgd_platform_get(f->st, without, &pf, &err), 0);
	assert_null(pf.manager_name);
	pgd_platform_release(&pf);

	/* lists: the names, and the filters still work over the joins (name columns are not
	 * ambiguous: searching "医院" must not match the unit's name for people) */
	q.unit_id = top;
	assert_int_equal(pgd_unit_list(f->st, &q, &ul, &err), 0);
	assert_int_equal(ul.total, 2);
	assert_null(ul.items[0].parent_name);
	assert_string_equal(ul.items[1].parent_name, "市卫生健康局");
	pgd_unit_list_release(&ul);
	q.unit_id = 0;
	q.search = "医院";
	assert_int_equal(pgd_person_list(f->st, &q, &pl, &err), 0);
	assert_int_equal(pl.total, 0);
	pgd_person_list_release(&pl);
	q.search = "王";
	assert_int_equal(pgd_person_list(f->st, &q, &pl, &err), 0);
	assert_int_equal(pl.total, 1);
	assert_string_equal(pl.items[0].unit_name, "市人民医院");
	pgd_person_list_release(&pl);
	q.search = "网站";
	assert_int_equal(pgd_platform_list(f->st, &q, &fl, &err), 0);
	assert_int_equal(fl.total, 1);
	assert_int_equal(fl.items[0].id, without);
	assert_string_equal(fl.items[0].unit_name, "市人民医院");
	assert_null(fl.items[0].manager_name);
	pgd_platform_list_release(&fl);
	q.search = NULL;
	q.unit_id = child;
	assert_int_equal(pgd_platform_list(f->st, &q, &fl, &err), 0);
	assert_int_equal(fl.total, 2);
	assert_string_equal(fl.items[0].manager_name, "王芳");
	pgd_platform_list_release(&fl);
}

/* Dashboard figures, counted by hand:
 *   A: 2 wechat open, 1 weibo closed; people 2 active + 1 left
 *   A1 (child of A): 1 website open
 *   B: 3 douyin open; 1 person
 *   D: 1 wechat open
 *   C: retired, nothing */
static void test_registry_stats(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_registry_stats s;
	struct pgd_unit_count_list top = {0};
	int64_t a = mk_unit(f->st, "甲局", 0), a1 = mk_unit(f->st, "甲局下属中心", a), b = mk_unit(f->st, "乙局", 0);
	int64_t c = mk_unit(f->st, "丙局", 0), d = mk_unit(f->st, "丁局", 0), left, weibo;

	mk_person(f->st, a, "甲一", PGD_STAFF_FORMAL);
	mk_person(f->st, a, "甲二", PGD_STAFF_TEMPORARY);
	left = mk_person(f->st, a, "甲三", PGD_STAFF_FORMAL);
	assert_int_equal(pgd_person_leave(f->st, left, &err), 0);
	mk_person(f->st, b, "乙一", PGD_STAFF_FORMAL);
	mk_platform(f->st, a, "甲局公众号", PGD_PLATFORM_WECHAT, "gh_a1", 0);
	mk_platform(f->st, a, "甲局服务号", PGD_PLATFORM_WECHAT, "gh_a2", 0);
	weibo = mk_platform(f->st, a, "甲局微博", PGD_PLATFORM_WEIBO, "weibo_a", 0);
	assert_int_equal(pgd_platform_close(f->st, weibo, &err), 0);
	mk_platform(f->st, a1, "甲中心网站", PGD_PLATFORM_WEBSITE, "https://a1.example", 0);
	mk_platform(f->st, b, "乙局抖音一", PGD_PLATFORM_DOUYIN, "dy_b1", 0);
	mk_platform(f->st, b, "乙局抖音二", PGD_PLATFORM_DOUYIN, "dy_b2", 0);
	mk_platform(f->st, b, "乙局抖音三", PGD_PLATFORM_DOUYIN, "dy_b3", 0);
	mk_platform(f->st, d, "丁局公众号", PGD_PLATFORM_WECHAT, "gh_d", 0);
	assert_int_equal(pgd_unit_retire(f->st, c, &err), 0);

	assert_int_equal(pgd_registry_stats(f->st, 0, &s, &err), 0);
	assert_int_equal(s.units, 4);
	assert_int_equal(s.people, 3);
	assert_int_equal(s.platforms, 7);
	assert_int_equal(s.closed, 1);
	assert_int_equal(s.by_type[PGD_PLATFORM_WECHAT], 3);
	assert_int_equal(s.by_type[PGD_PLATFORM_WEBSITE], 1);
	assert_int_equal(s.by_type[PGD_PLATFORM_DOUYIN], 3);
	assert_int_equal(s.by_type[PGD_PLATFORM_WEIBO], 0); /* closed ones are not counted by type */
	assert_int_equal(s.by_type[PGD_PLATFORM_APP], 0);

	/* one unit: itself only, not its sub-unit */
	assert_int_equal(pgd_registry_stats(f->st, a, &s, &err), 0);
	assert_int_equal(s.units, 1);
	assert_int_equal(s.people, 2);
	assert_int_equal(s.platforms, 2);
	assert_int_equal(s.closed, 1);
	assert_int_equal(s.by_type[PGD_PLATFORM_WECHAT], 2);
	assert_int_equal(s.by_type[PGD_PLATFORM_WEBSITE], 0);
	/* a retired unit is not counted; an unknown one gives zeros */
	assert_int_equal(pgd_registry_stats(f->st, c, &s, &err), 0);
	assert_int_equal(s.units, 0);
	assert_int_equal(pgd_registry_stats(f->st, 9999, &s, &err), 0);
	assert_int_equal(s.units + s.people + s.platforms + s.closed, 0);

	/* top units: B 3, A 2, then A1 and D with 1 each (lower id first); C has none */
	assert_int_equal(pgd_platform_count_by_unit(f->st, 0, 10, &top, &err), 0);
	assert_int_equal(top.n, 4);
	assert_int_equal(top.items[0].unit_id, b);
	assert_string_equal(top.items[0].unit_name, "乙局");
	assert_int_equal(top.items[0].count, 3);
	assert_int_equal(top.items[1].unit_id, a);
	assert_int_equal(top.items[1].count, 2);
	assert_int_equal(top.items[2].unit_id, a1);
	assert_int_equal(top.items[3].unit_id, d);
	assert_int_equal(top.items[3].count, 1);
	pgd_unit_count_list_release(&top);
	assert_int_equal(pgd_platform_count_by_unit(f->st, 0, 2, &top, &err), 0);
	assert_int_equal(top.n, 2);
	pgd_unit_count_list_release(&top);
	assert_int_equal(pgd_platform_count_by_unit(f->st, a, 10, &top, &err), 0);
	assert_int_equal(top.n, 1);
	assert_int_equal(top.items[0].count, 2);
	pgd_unit_count_list_release(&top);
	assert_int_equal(pgd_platform_count_by_unit(f->st, 0, 0, &top, &err), PGD_ERR_INVALID);
	assert_int_equal(pgd_platform_count_by_unit(f->st, 0, 501, &top, &err), PGD_ERR_INVALID);
	assert_int_equal(top.n, 0);
}

/* The audit list: newest first, paged, filtered by actor, action (exact or area), time. */
/* The SQLite backend reuses prepared statements: a reused one must come back with fresh
 * bindings and state, the same SQL may be open twice at once, and more distinct statements
 * than the cache holds still all work. */
static void test_statement_reuse(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_stmt *a = NULL, *b = NULL;
	int64_t v = 0;
	char sql[96];

	for (int64_t i = 1; i <= 3; i++) {
		assert_int_equal(pgd_store_query_int(f->st, &v, &err, "SELECT $1 * 10", "i", i), 0);
		assert_int_equal(v, i * 10);
	}
	/* a statement left half-stepped is reset when finalised: the next use starts over */
	assert_int_equal(pgd_store_prep(f->st, &a, &err, "SELECT 1 UNION ALL SELECT 2 ORDER BY 1", ""), 0);
	assert_int_equal(f->st->be->step(a, &err), 1);
	assert_int_equal(f->st->be->col_int(a, 0), 1);
	f->st->be->finalize(a);
	assert_int_equal(pgd_store_prep(f->st, &a, &err, "SELECT 1 UNION ALL SELECT 2 ORDER BY 1", ""), 0);
	assert_int_equal(f->st->be->step(a, &err), 1);
	assert_int_equal(f->st->be->col_int(a, 0), 1);
	/* the same SQL open twice at once: two statements, each with its own position */
	assert_int_equal(pgd_store_prep(f->st, &b, &err, "SELECT 1 UNION ALL SELECT 2 ORDER BY 1", ""), 0);
	assert_int_equal(f->st->be->step(b, &err), 1);
	assert_int_equal(f->st->be->step(a, &err), 1);
	assert_int_equal(f->st->be->col_int(a, 0), 2);
	assert_int_equal(f->st->be->col_int(b, 0), 1);
	f->st->be->finalize(a);
	f->st->be->finalize(b);
	/* an unbound parameter of a reused statement is NULL again, not the last value */
	assert_int_equal(pgd_store_query_int(f->st, &v, &err, "SELECT $1 IS NULL", "i", (int64_t)7), 0);
	assert_int_equal(v, 0);
	assert_int_equal(pgd_store_query_int(f->st, &v, &err, "SELECT $1 IS NULL", ""), 0);
	assert_int_equal(v, 1);
	/* more distinct statements than the cache holds, twice round */
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 200; i++) {
			snprintf(sql, sizeof(sql), "SELECT %d + $1", i);
			assert_int_equal(pgd_store_query_int(f->st, &v, &err, sql, "i", (int64_t)round), 0);
			assert_int_equal(v, i + round);
		}
}

static void test_audit_list(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_audit_list l = {0};
	struct pgd_audit_query q = {0};
	static const char *const entries[][2] = {
		{"office01", "unit.create"}, {"office01", "unit.update"}, {"liaison01", "platform.create"},
		{"liaison01", "unitx.create"}, {"office01", "unit_.odd"}, {"sysadmin", "user.create"}};

	for (size_t i = 0; i < 6; i++)
		assert_int_equal(pgd_audit_append(f->st, entries[i][0], entries[i][1], "unit:1", i == 1 ? "{\"a\":1}" : NULL,
			"{\"a\":2}", NULL, &err), 0);

	assert_int_equal(pgd_audit_list(f->st, NULL, &l, &err), 0);
	assert_int_equal(l.total, 6);
	assert_int_equal(l.n, 6);
	assert_int_equal(l.items[0].seq, 6); /* newest first */
	assert_string_equal(l.items[0].action, "user.create");
	assert_int_equal(l.items[5].seq, 1);
	assert_null(l.items[5].before_json);
	assert_string_equal(l.items[4].before_json, "{\"a\":1}");
	assert_string_equal(l.items[4].subject, "unit:1");
	assert_int_equal(strlen(l.items[0].at), 20);
	pgd_audit_list_release(&l);

	q.page = 2;
	q.page_size = 4;
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 6);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.items[0].seq, 2);
	pgd_audit_list_release(&l);

	memset(&q, 0, sizeof(q));
	q.actor = "office01";
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 3);
	pgd_audit_list_release(&l);
	q.page = 2; /* filtered pages step over the filtered rows: office01 wrote seq 5, 2, 1 */
	q.page_size = 2;
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].seq, 1);
	pgd_audit_list_release(&l);
	q.page = 0;
	q.page_size = 0;
	q.actor = "office"; /* exact, not a prefix */
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 0);
	pgd_audit_list_release(&l);

	memset(&q, 0, sizeof(q));
	q.action = "unit"; /* the area: unit.create, unit.update; not unitx.* nor unit_.* */
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 2);
	assert_int_equal(l.items[0].seq, 2);
	assert_int_equal(l.items[1].seq, 1);
	pgd_audit_list_release(&l);
	q.action = "unit.update";
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 1);
	pgd_audit_list_release(&l);
	q.action = "unit_"; /* '_' is literal: only "unit_.odd" */
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 1);
	assert_string_equal(l.items[0].action, "unit_.odd");
	pgd_audit_list_release(&l);
	q.action = "%";
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 0);
	pgd_audit_list_release(&l);

	memset(&q, 0, sizeof(q));
	q.since = "2000-01-01";
	q.until = "2999-12-31";
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 6);
	pgd_audit_list_release(&l);
	q.since = "2999-01-01T00:00:00Z";
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 0);
	pgd_audit_list_release(&l);
	q.since = NULL;
	q.until = "2000-01-01";
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 0);
	pgd_audit_list_release(&l);
	q.until = "yesterday";
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "until");
	assert_non_null(strstr(err.message, "yesterday"));
	q.until = NULL;
	q.since = "2026-01-01T00:00:00"; /* no Z */
	assert_int_equal(pgd_audit_list(f->st, &q, &l, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "since");
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_pragmas_and_migrate_twice, setup, teardown),
		cmocka_unit_test(test_open_bad_path),
		cmocka_unit_test_setup_teardown(test_statement_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unit_crud, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_paging_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_formal_manager_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retire_keeps_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_handles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_joined_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registry_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_list, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
