/* Review groups and filings (Art. 13), custody and handover (Art. 17), on a temporary
 * SQLite database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pubguard/crypto.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/reviews.h"
#include "pubguard/store.h"
#include "store/internal.h"
#include "core/banned.h"

#define S(lit) ((char *)(lit))

#include "store_fixture.h"

static int64_t mk_unit(struct pgd_store *st, const char *name)
{
	struct pgd_unit u = {.name = (char *)name, .kind = PGD_UNIT_DEPARTMENT};
	struct pgd_err err = {0};
	int64_t id = 0;
	assert_int_equal(pgd_unit_create(st, &u, &id, &err), 0);
	return id;
}

static int64_t mk_person_t(struct pgd_store *st, int64_t unit, const char *name, const char *phone,
	enum pgd_staff_type t)
{
	struct pgd_person p = {.unit_id = unit, .name = (char *)name, .post = S("科员"), .staff_type = t,
		.phone = (char *)phone};
	struct pgd_err err = {0};
	int64_t id = 0;
	assert_int_equal(pgd_person_create(st, &p, &id, &err), 0);
	return id;
}

static int64_t mk_person(struct pgd_store *st, int64_t unit, const char *name)
{
	return mk_person_t(st, unit, name, "13900000000", PGD_STAFF_FORMAL);
}

static int64_t mk_platform(struct pgd_store *st, int64_t unit, const char *name, int64_t manager)
{
	struct pgd_platform p = {.unit_id = unit, .name = (char *)name, .type = PGD_PLATFORM_WECHAT,
		.url_or_account = (char *)name, .manager_person_id = manager};
	struct pgd_err err = {0};
	int64_t id = 0;
	assert_int_equal(pgd_platform_create(st, &p, &id, &err), 0);
	return id;
}

static int64_t count(struct pgd_store *st, const char *table)
{
	char sql[96];
	int64_t n = -1;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
	assert_int_equal(pgd_store_query_int(st, &n, NULL, sql, ""), 0);
	return n;
}

/* ---- filings ---- */

static int file_group(struct pgd_store *st, int64_t unit, const struct pgd_filing_member *m, size_t n,
	int64_t *id, struct pgd_err *err)
{
	struct pgd_filing f = {.unit_id = unit, .group_name = S("信息发布审核小组"), .filed_by = S("王备案"),
		.note = S("首次备案"), .members = (struct pgd_filing_member *)m, .n_members = n};
	return pgd_filing_create(st, &f, id, err);
}

static void test_filing_create_get(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_filing got;
	int64_t u = mk_unit(f->st, "青山区教育局");
	int64_t lead = mk_person(f->st, u, "张组长"), resp = mk_person(f->st, u, "李审核");
	int64_t liai = mk_person_t(f->st, u, "赵联络", "0571-1234", PGD_STAFF_FORMAL);
	int64_t m1 = mk_person_t(f->st, u, "钱成员", NULL, PGD_STAFF_TEMPORARY), m2 = mk_person(f->st, u, "孙成员");
	/* given out of order: stored leader, responsible, liaison, then members as given */
	struct pgd_filing_member m[5] = {{.duty = PGD_DUTY_MEMBER, .person_id = m2},
		{.duty = PGD_DUTY_LIAISON, .person_id = liai}, {.duty = PGD_DUTY_MEMBER, .person_id = m1},
		{.duty = PGD_DUTY_RESPONSIBLE, .person_id = resp}, {.duty = PGD_DUTY_LEADER, .person_id = lead}};
	int64_t id = 0;

	assert_int_equal(file_group(f->st, u, m, 5, &id, &err), 0);
	assert_true(id > 0);
	assert_int_equal(pgd_filing_get(f->st, id, &got, &err), 0);
	assert_int_equal(got.unit_id, u);
	assert_string_equal(got.unit_name, "青山区教育局");
	assert_string_equal(got.group_name, "信息发布审核小组");
	assert_string_equal(got.filed_by, "王备案");
	assert_string_equal(got.note, "首次备案");
	assert_int_equal(strlen(got.filed_at), 20);
	assert_int_equal(got.n_members, 5);
	assert_int_equal(got.members[0].duty, PGD_DUTY_LEADER);
	assert_string_equal(got.members[0].name, "张组长");
	assert_int_equal(got.members[1].duty, PGD_DUTY_RESPONSIBLE);
	assert_int_equal(got.members[1].person_id, resp);
	assert_int_equal(got.members[2].duty, PGD_DUTY_LIAISON);
	assert_string_equal(got.members[2].phone, "0571-1234");
	assert_string_equal(got.members[3].name, "孙成员");
	assert_string_equal(got.members[4].name, "钱成员");
	assert_null(got.members[4].phone);
	assert_string_equal(got.members[4].post, "科员");
	for (int i = 0; i < 5; i++)
		assert_int_equal(got.members[i].active, 1);
	pgd_filing_release(&got);
	assert_int_equal(pgd_filing_get(f->st, id + 100, &got, &err), PGD_ERR_NOT_FOUND);
}

/* Every refusal: the right code and field, a message naming the problem, nothing written. */
static void test_filing_refusals(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	int64_t u = mk_unit(f->st, "青山区财政局"), other = mk_unit(f->st, "青山区民政局"),
		gone = mk_unit(f->st, "已撤销的局");
	int64_t a = mk_person(f->st, u, "甲"), b = mk_person(f->st, u, "乙"), c = mk_person(f->st, u, "丙");
	int64_t left = mk_person(f->st, u, "丁已离职"), stranger = mk_person(f->st, other, "戊外单位");
	struct pgd_filing_member m[4];
	struct pgd_filing nameless = {.unit_id = u, .group_name = S(""), .filed_by = S("王"), .members = m,
		.n_members = 3};
	struct pgd_filing nofiler = {.unit_id = u, .group_name = S("小组"), .filed_by = NULL, .members = m,
		.n_members = 3};

	assert_int_equal(pgd_person_leave(f->st, left, &err), 0);
	assert_int_equal(pgd_unit_retire(f->st, gone, &err), 0);
#define SET3(x, y, z)                                                                   \
	do {                                                                                \
		m[0] = (struct pgd_filing_member){.duty = PGD_DUTY_LEADER, .person_id = (x)};      \
		m[1] = (struct pgd_filing_member){.duty = PGD_DUTY_RESPONSIBLE, .person_id = (y)}; \
		m[2] = (struct pgd_filing_member){.duty = PGD_DUTY_LIAISON, .person_id = (z)};     \
	} while (0)

	SET3(a, b, c);
	assert_int_equal(file_group(f->st, 9999, m, 3, NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "unit_id");
	assert_int_equal(file_group(f->st, gone, m, 3, NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "已撤销"));
	assert_int_equal(file_group(f->st, u, m, 0, NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "members");
	assert_int_equal(pgd_filing_create(f->st, &nameless, NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "group_name");
	assert_int_equal(pgd_filing_create(f->st, &nofiler, NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "filed_by");

	/* two leaders, no responsible */
	SET3(a, b, c);
	m[1].duty = PGD_DUTY_LEADER;
	assert_int_equal(file_group(f->st, u, m, 3, NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "组长"));
	assert_non_null(strstr(err.message, "2 名"));
	/* no liaison */
	SET3(a, b, c);
	m[2].duty = PGD_DUTY_MEMBER;
	assert_int_equal(file_group(f->st, u, m, 3, NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "联络员"));
	/* no responsible */
	SET3(a, b, c);
	m[1].duty = PGD_DUTY_MEMBER;
	assert_int_equal(file_group(f->st, u, m, 3, NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "信息审核负责人"));
	/* the same person twice (once as liaison, once as member) */
	SET3(a, b, c);
	m[3] = (struct pgd_filing_member){.duty = PGD_DUTY_MEMBER, .person_id = c};
	assert_int_equal(file_group(f->st, u, m, 4, NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "重复"));
	/* a person who left, one of another unit, one who does not exist */
	SET3(a, b, left);
	assert_int_equal(file_group(f->st, u, m, 3, NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "丁已离职"));
	assert_non_null(strstr(err.message, "已离职"));
	SET3(a, stranger, c);
	assert_int_equal(file_group(f->st, u, m, 3, NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "戊外单位"));
	assert_non_null(strstr(err.message, "不是本单位人员"));
	SET3(a, b, 777);
	assert_int_equal(file_group(f->st, u, m, 3, NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "777"));
	/* a bad duty value */
	SET3(a, b, c);
	m[0].duty = (enum pgd_review_duty)9;
	assert_int_equal(file_group(f->st, u, m, 3, NULL, &err), PGD_ERR_INVALID);
#undef SET3

	assert_int_equal(count(f->st, "review_filings"), 0);
	assert_int_equal(count(f->st, "review_filing_members"), 0);
}

/* Members are snapshotted: a later change of phone does not change the filing; the history
 * lists the newest first. */
static void test_filing_snapshot_and_history(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_filing_list l;
	struct pgd_person p;
	int64_t u = mk_unit(f->st, "青山区卫健委");
	int64_t a = mk_person(f->st, u, "甲"), b = mk_person(f->st, u, "乙"), c = mk_person(f->st, u, "丙");
	int64_t d = mk_person(f->st, u, "丁");
	struct pgd_filing_member m[3] = {{.duty = PGD_DUTY_LEADER, .person_id = a},
		{.duty = PGD_DUTY_RESPONSIBLE, .person_id = b}, {.duty = PGD_DUTY_LIAISON, .person_id = c}};
	int64_t first = 0, second = 0;

	assert_int_equal(file_group(f->st, u, m, 3, &first, &err), 0);
	assert_int_equal(pgd_person_get(f->st, c, &p, &err), 0);
	free(p.phone);
	p.phone = pgd_strdup("18800001111");
	assert_int_equal(pgd_person_update(f->st, &p, &err), 0);
	pgd_person_release(&p);
	m[2].person_id = d;
	assert_int_equal(file_group(f->st, u, m, 3, &second, &err), 0);
	assert_true(second > first);

	assert_int_equal(pgd_filing_list_unit(f->st, u, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.total, 2);
	assert_int_equal(l.items[0].id, second); /* newest first */
	assert_int_equal(l.items[1].id, first);
	assert_string_equal(l.items[1].members[2].name, "丙");
	assert_string_equal(l.items[1].members[2].phone, "13900000000"); /* as filed */
	assert_string_equal(l.items[0].members[2].name, "丁");
	pgd_filing_list_release(&l);

	assert_int_equal(pgd_filing_list_unit(f->st, mk_unit(f->st, "空单位"), &l, &err), 0);
	assert_int_equal(l.n, 0);
	pgd_filing_list_release(&l);
}

static const struct pgd_review_status *find_status(const struct pgd_review_status_list *l, int64_t unit)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].unit_id == unit)
			return &l->items[i];
	fail_msg("unit %lld not in the status list", (long long)unit);
	return NULL;
}

static void test_status_missing_outdated(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_review_status_list l;
	struct pgd_list_query q = {0};
	const struct pgd_review_status *r;
	struct pgd_person p;
	int64_t ok = mk_unit(f->st, "正常局"), missing = mk_unit(f->st, "未备案局"), left = mk_unit(f->st, "离职局"),
		moved = mk_unit(f->st, "调动局"), retired = mk_unit(f->st, "撤销局");
	int64_t ids[4][3];
	int64_t units[4] = {ok, left, moved, 0};
	int64_t nmiss = -1, nout = -1;
	char name[32];

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			snprintf(name, sizeof(name), "人%d%d", i, j);
			ids[i][j] = mk_person(f->st, units[i], name);
		}
	for (int i = 0; i < 3; i++) {
		struct pgd_filing_member m[3] = {{.duty = PGD_DUTY_LEADER, .person_id = ids[i][0]},
			{.duty = PGD_DUTY_RESPONSIBLE, .person_id = ids[i][1]},
			{.duty = PGD_DUTY_LIAISON, .person_id = ids[i][2]}};
		assert_int_equal(file_group(f->st, units[i], m, 3, NULL, &err), 0);
	}
	assert_int_equal(pgd_unit_retire(f->st, retired, &err), 0);
	/* all filed: only the unit without a filing is missing */
	assert_int_equal(pgd_review_counts(f->st, 0, &nmiss, &nout, &err), 0);
	assert_int_equal(nmiss, 1);
	assert_int_equal(nout, 0);

	assert_int_equal(pgd_person_leave(f->st, ids[1][2], &err), 0);      /* liaison of 离职局 leaves */
	assert_int_equal(pgd_person_get(f->st, ids[2][0], &p, &err), 0);   /* leader of 调动局 moves */
	p.unit_id = ok;
	assert_int_equal(pgd_person_update(f->st, &p, &err), 0);
	pgd_person_release(&p);

	assert_int_equal(pgd_review_counts(f->st, 0, &nmiss, &nout, &err), 0);
	assert_int_equal(nmiss, 1);
	assert_int_equal(nout, 2);
	assert_int_equal(pgd_review_counts(f->st, left, &nmiss, &nout, &err), 0);
	assert_int_equal(nmiss, 0);
	assert_int_equal(nout, 1);
	assert_int_equal(pgd_review_counts(f->st, missing, &nmiss, &nout, &err), 0);
	assert_int_equal(nmiss, 1);
	assert_int_equal(nout, 0);

	assert_int_equal(pgd_review_status_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 4); /* the retired unit is left out */
	assert_int_equal(l.n, 4);
	r = find_status(&l, ok);
	assert_int_equal(r->state, PGD_REVIEW_OK);
	assert_null(r->problem);
	assert_true(r->filing_id > 0);
	assert_int_equal(r->n_members, 3);
	r = find_status(&l, missing);
	assert_int_equal(r->state, PGD_REVIEW_MISSING);
	assert_int_equal(r->filing_id, 0);
	assert_string_equal(r->filed_at, "");
	assert_int_equal(r->n_members, 0);
	r = find_status(&l, left);
	assert_int_equal(r->state, PGD_REVIEW_OUTDATED);
	assert_string_equal(r->problem, "联络员 人12 已离职");
	assert_int_equal(r->members[2].active, 0);
	assert_int_equal(r->members[0].active, 1);
	r = find_status(&l, moved);
	assert_int_equal(r->state, PGD_REVIEW_OUTDATED);
	assert_string_equal(r->problem, "组长 人20 已调离本单位");
	pgd_review_status_list_release(&l);

	/* filters: one unit, a name search, retired units included */
	q.unit_id = left;
	assert_int_equal(pgd_review_status_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].unit_id, left);
	pgd_review_status_list_release(&l);
	q.unit_id = 0;
	q.search = "调动";
	assert_int_equal(pgd_review_status_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 1);
	assert_int_equal(l.items[0].unit_id, moved);
	pgd_review_status_list_release(&l);
	q.search = NULL;
	q.include_inactive = 1;
	q.page_size = 2;
	q.page = 3;
	assert_int_equal(pgd_review_status_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 5);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].unit_id, retired);
	pgd_review_status_list_release(&l);

	/* a new filing without the one who left puts 离职局 right again */
	{
		int64_t nl = mk_person(f->st, left, "新联络员");
		struct pgd_filing_member m[3] = {{.duty = PGD_DUTY_LEADER, .person_id = ids[1][0]},
			{.duty = PGD_DUTY_RESPONSIBLE, .person_id = ids[1][1]},
			{.duty = PGD_DUTY_LIAISON, .person_id = nl}};
		assert_int_equal(file_group(f->st, left, m, 3, NULL, &err), 0);
	}
	assert_int_equal(pgd_review_counts(f->st, 0, &nmiss, &nout, &err), 0);
	assert_int_equal(nout, 1);
	assert_int_equal(pgd_review_counts(f->st, left, NULL, &nout, &err), 0);
	assert_int_equal(nout, 0);
}

/* ---- custody ---- */

static void test_key(struct pgd_key *k)
{
	for (int i = 0; i < PGD_KEY_LEN; i++)
		k->bytes[i] = (unsigned char)(i * 7 + 1);
}

/* Seal secret for platform id and store it; returns nothing, asserts success. */
static void seal_and_set(struct pgd_store *st, const struct pgd_key *k, int64_t platform, const char *account,
	const char *secret)
{
	struct pgd_err err = {0};
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	char aad[32], *hex;
	snprintf(aad, sizeof(aad), "platform:%lld", (long long)platform);
	assert_int_equal(pgd_seal(k, aad, strlen(aad), secret, strlen(secret), &blob, &blob_len, &err), 0);
	hex = malloc(2 * blob_len + 1);
	assert_non_null(hex);
	pgd_hex(blob, blob_len, hex);
	assert_int_equal(pgd_custody_set(st, platform, account, hex, "网信办管理员", &err), 0);
	free(hex);
	free(blob);
}

/* Read the custody record of platform and unseal it with aad "platform:<aad_id>". */
static int get_and_unseal(struct pgd_store *st, const struct pgd_key *k, int64_t platform, int64_t aad_id,
	char **plain, size_t *plain_len)
{
	struct pgd_err err = {0};
	struct pgd_custody c;
	unsigned char *blob;
	size_t n;
	char aad[32];
	int rc;
	assert_int_equal(pgd_custody_get(st, platform, &c, &err), 0);
	n = strlen(c.secret_hex) / 2;
	blob = malloc(n);
	assert_non_null(blob);
	assert_int_equal(pgd_unhex(c.secret_hex, strlen(c.secret_hex), blob, n), 0);
	snprintf(aad, sizeof(aad), "platform:%lld", (long long)aad_id);
	rc = pgd_unseal(k, aad, strlen(aad), blob, n, (unsigned char **)plain, plain_len, &err);
	free(blob);
	pgd_custody_release(&c);
	return rc;
}

static void test_custody_round_trip(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_key k;
	struct pgd_custody c;
	int64_t u = mk_unit(f->st, "青山区文旅局"), mgr = mk_person(f->st, u, "管平台");
	int64_t p1 = mk_platform(f->st, u, "文旅青山", mgr), p2 = mk_platform(f->st, u, "文旅青山二号", mgr);
	char *plain = NULL;
	size_t plen = 0;

	test_key(&k);
	assert_int_equal(pgd_custody_get(f->st, p1, &c, &err), PGD_ERR_NOT_FOUND);
	seal_and_set(f->st, &k, p1, "wenlv_qs", "Pa55-word!");
	seal_and_set(f->st, &k, p2, "wenlv_qs2", "other-secret");
	assert_int_equal(get_and_unseal(f->st, &k, p1, p1, &plain, &plen), 0);
	assert_int_equal(plen, 10);
	assert_string_equal(plain, "Pa55-word!");
	pgd_secret_free(plain, plen);
	plain = NULL;
	/* a blob cannot be moved to another platform: the aad binds it */
	assert_int_equal(get_and_unseal(f->st, &k, p1, p2, &plain, &plen), PGD_ERR_INTEGRITY);
	assert_null(plain);

	/* replace: one row, the new account and secret */
	seal_and_set(f->st, &k, p1, "wenlv_new", "n3w");
	assert_int_equal(count(f->st, "custody"), 2);
	assert_int_equal(pgd_custody_get(f->st, p1, &c, &err), 0);
	assert_string_equal(c.account, "wenlv_new");
	assert_string_equal(c.set_by, "网信办管理员");
	assert_null(strstr(c.secret_hex, "n3w"));
	pgd_custody_release(&c);
	assert_int_equal(get_and_unseal(f->st, &k, p1, p1, &plain, &plen), 0);
	assert_string_equal(plain, "n3w");
	pgd_secret_free(plain, plen);

	/* refusals */
	assert_int_equal(pgd_custody_set(f->st, 999, "a", "00", "x", &err), PGD_ERR_NOT_FOUND);
	assert_int_equal(pgd_custody_set(f->st, p1, "a", "0g", "x", &err), PGD_ERR_INVALID);
	assert_int_equal(pgd_custody_set(f->st, p1, "a", "000", "x", &err), PGD_ERR_INVALID);
	assert_int_equal(pgd_custody_set(f->st, p1, "", "00", "x", &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "account");
	assert_int_equal(pgd_platform_close(f->st, p2, &err), 0);
	assert_int_equal(pgd_custody_set(f->st, p2, "a", "00", "x", &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "已关闭"));
}

static const struct pgd_custody_status *find_custody(const struct pgd_custody_status_list *l, int64_t platform)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].platform_id == platform)
			return &l->items[i];
	fail_msg("platform %lld not in the custody list", (long long)platform);
	return NULL;
}

static void test_flagged_and_handover(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_key k;
	struct pgd_custody_status_list l;
	struct pgd_list_query q = {0};
	const struct pgd_custody_status *r;
	struct pgd_handover h;
	struct pgd_platform pl;
	int64_t u = mk_unit(f->st, "青山区水利局"), other = mk_unit(f->st, "青山区林业局");
	int64_t old = mk_person(f->st, u, "老管理员"), heir = mk_person(f->st, u, "新管理员");
	int64_t temp = mk_person_t(f->st, u, "临聘人员", NULL, PGD_STAFF_TEMPORARY);
	int64_t stranger = mk_person(f->st, other, "外单位人员"), gone = mk_person(f->st, u, "早已离职");
	int64_t p = mk_platform(f->st, u, "水利青山", old), closed = mk_platform(f->st, u, "旧网站", old);
	int64_t steady = mk_platform(f->st, u, "水利微博", heir);
	int64_t n = -1, hid = 0, h2 = 0;
	char *plain = NULL;
	size_t plen = 0;

	test_key(&k);
	seal_and_set(f->st, &k, p, "shuili", "secret-1");
	assert_int_equal(pgd_platform_close(f->st, closed, &err), 0);
	assert_int_equal(pgd_person_leave(f->st, gone, &err), 0);
	assert_int_equal(pgd_custody_count_flagged(f->st, 0, &n, &err), 0);
	assert_int_equal(n, 0);

	/* the manager leaves: the open platform is flagged, the closed one is not */
	assert_int_equal(pgd_person_leave(f->st, old, &err), 0);
	assert_int_equal(pgd_custody_count_flagged(f->st, 0, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pgd_custody_count_flagged(f->st, other, &n, &err), 0);
	assert_int_equal(n, 0);
	q.include_inactive = 1;
	assert_int_equal(pgd_custody_status_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 3);
	r = find_custody(&l, p);
	assert_int_equal(r->flagged, 1);
	assert_int_equal(r->manager_active, 0);
	assert_string_equal(r->manager_name, "老管理员");
	assert_int_equal(r->has_secret, 1);
	assert_string_equal(r->account, "shuili");
	assert_string_equal(r->unit_name, "青山区水利局");
	assert_int_equal(r->platform_type, PGD_PLATFORM_WECHAT);
	assert_int_equal(r->pending_handover_id, 0);
	r = find_custody(&l, closed);
	assert_int_equal(r->flagged, 0);
	assert_int_equal(r->platform_active, 0);
	r = find_custody(&l, steady);
	assert_int_equal(r->flagged, 0);
	assert_int_equal(r->has_secret, 0);
	assert_null(r->account);
	pgd_custody_status_list_release(&l);

	/* handover refusals */
	assert_int_equal(pgd_handover_create(f->st, p, temp, NULL, "网信办", NULL, &err), PGD_ERR_FORBIDDEN);
	assert_string_equal(err.field, "to_person_id");
	assert_int_equal(pgd_handover_create(f->st, p, stranger, NULL, "网信办", NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "外单位人员"));
	assert_int_equal(pgd_handover_create(f->st, p, gone, NULL, "网信办", NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "已离职"));
	assert_int_equal(pgd_handover_create(f->st, p, 4242, NULL, "网信办", NULL, &err), PGD_ERR_INVALID);
	assert_int_equal(pgd_handover_create(f->st, steady, heir, NULL, "网信办", NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "已是"));
	assert_int_equal(pgd_handover_create(f->st, closed, heir, NULL, "网信办", NULL, &err), PGD_ERR_INVALID);
	assert_int_equal(pgd_handover_create(f->st, 5555, heir, NULL, "网信办", NULL, &err), PGD_ERR_NOT_FOUND);
	assert_int_equal(count(f->st, "handovers"), 0);

	/* one pending at a time; cancel frees the slot */
	assert_int_equal(pgd_handover_create(f->st, p, heir, "离职交接", "网信办", &hid, &err), 0);
	assert_int_equal(pgd_handover_create(f->st, p, heir, NULL, "网信办", NULL, &err), PGD_ERR_CONFLICT);
	assert_int_equal(pgd_handover_count_pending(f->st, 0, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pgd_handover_cancel(f->st, hid, "网信办", &err), 0);
	assert_int_equal(pgd_handover_cancel(f->st, hid, "网信办", &err), PGD_ERR_CONFLICT);
	assert_int_equal(pgd_handover_count_pending(f->st, 0, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pgd_handover_create(f->st, p, heir, "重新发起", "网信办", &h2, &err), 0);
	assert_true(h2 > hid);
	assert_int_equal(pgd_handover_get(f->st, h2, &h, &err), 0);
	assert_int_equal(h.status, PGD_HANDOVER_PENDING);
	assert_int_equal(h.from_person_id, old);
	assert_string_equal(h.from_name, "老管理员");
	assert_string_equal(h.to_name, "新管理员");
	assert_string_equal(h.platform_name, "水利青山");
	assert_int_equal(h.unit_id, u);
	assert_null(h.confirmed_by);
	pgd_handover_release(&h);
	assert_int_equal(pgd_custody_status_list(f->st, &q, &l, &err), 0);
	assert_int_equal(find_custody(&l, p)->pending_handover_id, h2);
	pgd_custody_status_list_release(&l);

	/* only the incoming person confirms; nothing changes on a refusal */
	assert_int_equal(pgd_handover_confirm(f->st, h2, temp, "临聘人员", &err), PGD_ERR_FORBIDDEN);
	assert_int_equal(pgd_platform_get(f->st, p, &pl, &err), 0);
	assert_int_equal(pl.manager_person_id, old);
	pgd_platform_release(&pl);
	assert_int_equal(pgd_handover_confirm(f->st, h2, heir, "新管理员", &err), 0);
	assert_int_equal(pgd_platform_get(f->st, p, &pl, &err), 0);
	assert_int_equal(pl.manager_person_id, heir);
	pgd_platform_release(&pl);
	assert_int_equal(pgd_handover_confirm(f->st, h2, heir, "新管理员", &err), PGD_ERR_CONFLICT);
	assert_int_equal(pgd_handover_get(f->st, h2, &h, &err), 0);
	assert_int_equal(h.status, PGD_HANDOVER_CONFIRMED);
	assert_string_equal(h.confirmed_by, "新管理员");
	assert_int_equal(strlen(h.confirmed_at), 20);
	pgd_handover_release(&h);

	/* no longer flagged; the secret still opens with the platform's aad */
	assert_int_equal(pgd_custody_count_flagged(f->st, 0, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pgd_handover_count_pending(f->st, u, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(get_and_unseal(f->st, &k, p, p, &plain, &plen), 0);
	assert_string_equal(plain, "secret-1");
	pgd_secret_free(plain, plen);

	/* the history, newest first; only_pending finds none */
	{
		struct pgd_handover_list hl;
		struct pgd_list_query hq = {0};
		assert_int_equal(pgd_handover_list(f->st, &hq, 0, &hl, &err), 0);
		assert_int_equal(hl.total, 2);
		assert_int_equal(hl.items[0].id, h2);
		assert_int_equal(hl.items[1].status, PGD_HANDOVER_CANCELLED);
		pgd_handover_list_release(&hl);
		assert_int_equal(pgd_handover_list(f->st, &hq, 1, &hl, &err), 0);
		assert_int_equal(hl.total, 0);
		pgd_handover_list_release(&hl);
		hq.unit_id = other;
		assert_int_equal(pgd_handover_list(f->st, &hq, 0, &hl, &err), 0);
		assert_int_equal(hl.total, 0);
		pgd_handover_list_release(&hl);
	}
}

/* A confirm whose platform changed manager meanwhile, or whose incoming person left, is refused. */
static void test_handover_stale(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_platform pl;
	int64_t u = mk_unit(f->st, "青山区交通局");
	int64_t a = mk_person(f->st, u, "甲"), b = mk_person(f->st, u, "乙"), c = mk_person(f->st, u, "丙");
	int64_t p = mk_platform(f->st, u, "交通青山", a);
	int64_t h = 0;

	assert_int_equal(pgd_handover_create(f->st, p, b, NULL, "甲", &h, &err), 0);
	assert_int_equal(pgd_person_leave(f->st, b, &err), 0);
	assert_int_equal(pgd_handover_confirm(f->st, h, b, "乙", &err), PGD_ERR_CONFLICT);
	assert_int_equal(pgd_handover_cancel(f->st, h, "甲", &err), 0);

	assert_int_equal(pgd_handover_create(f->st, p, c, NULL, "甲", &h, &err), 0);
	assert_int_equal(pgd_platform_get(f->st, p, &pl, &err), 0);
	pl.manager_person_id = 0; /* changed by a registry edit meanwhile */
	assert_int_equal(pgd_platform_update(f->st, &pl, &err), 0);
	pgd_platform_release(&pl);
	assert_int_equal(pgd_handover_confirm(f->st, h, c, "丙", &err), PGD_ERR_CONFLICT);
	assert_non_null(strstr(err.message, "已变更"));
	assert_int_equal(pgd_platform_get(f->st, p, &pl, &err), 0);
	assert_int_equal(pl.manager_person_id, 0);
	pgd_platform_release(&pl);
}

static void test_names(void **state)
{
	enum pgd_review_duty d;
	assert_string_equal(pgd_review_duty_name(PGD_DUTY_RESPONSIBLE), "responsible");
	assert_string_equal(pgd_review_duty_label(PGD_DUTY_LIAISON), "联络员");
	assert_null(pgd_review_duty_name(PGD_DUTY_COUNT));
	assert_int_equal(pgd_review_duty_parse("member", &d), 0);
	assert_int_equal(d, PGD_DUTY_MEMBER);
	assert_int_equal(pgd_review_duty_parse("boss", &d), PGD_ERR_INVALID);
	assert_string_equal(pgd_review_state_name(PGD_REVIEW_OUTDATED), "outdated");
	assert_string_equal(pgd_handover_status_name(PGD_HANDOVER_CANCELLED), "cancelled");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_filing_create_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filing_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filing_snapshot_and_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_missing_outdated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_custody_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flagged_and_handover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handover_stale, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
