/* Accounts in the store (users, roles, login failures and locks, sessions, settings, online
 * backup) and the account rules above them (role table, separation of duties, password
 * policy), on a temporary SQLite database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pubguard/accounts.h"
#include "pubguard/err.h"
#include "pubguard/store.h"
#include "server/account_rules.h"
#include "server/server.h"
#include "core/banned.h"

#include "store_fixture.h"

#define S(lit) ((char *)(lit))
#define BIT(r) (1u << (r))

static int64_t mk_unit(struct pgd_store *st, const char *name)
{
	struct pgd_unit u = {.name = S(name), .kind = PGD_UNIT_DEPARTMENT};
	struct pgd_err err = {0};
	int64_t id = 0;
	assert_int_equal(pgd_unit_create(st, &u, &id, &err), 0);
	return id;
}

static int64_t mk_person(struct pgd_store *st, int64_t unit, const char *name)
{
	struct pgd_person p = {.unit_id = unit, .name = S(name), .staff_type = PGD_STAFF_FORMAL};
	struct pgd_err err = {0};
	int64_t id = 0;
	assert_int_equal(pgd_person_create(st, &p, &id, &err), 0);
	return id;
}

static int64_t mk_user(struct pgd_store *st, const char *username, int64_t person, uint32_t roles)
{
	struct pgd_user u = {.username = S(username), .display_name = S("张三"), .person_id = person,
		.password_hash = S("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"),
		.roles = roles};
	struct pgd_err err = {0};
	int64_t id = 0;
	int rc = pgd_user_create(st, &u, &id, &err);
	if (rc != 0)
		fprintf(stderr, "mk_user: %s\n", err.message);
	assert_int_equal(rc, 0);
	assert_true(id > 0);
	return id;
}

static void test_role_tables_agree(void **state)
{
	(void)state;
	/* the store's names follow enum pgd_role, position by position */
	assert_string_equal(pgd_account_role_names[PGD_ROLE_AUTHOR], "author");
	assert_string_equal(pgd_account_role_names[PGD_ROLE_LIAISON], "liaison");
	assert_string_equal(pgd_account_role_names[PGD_ROLE_SUPERVISING_LEADER], "supervising_leader");
	assert_string_equal(pgd_account_role_names[PGD_ROLE_EGOV_CENTRE], "egov_centre");
	assert_string_equal(pgd_account_role_names[PGD_ROLE_AUDIT_ADMIN], "audit_admin");
	for (int i = 0; i < PGD_ROLE_COUNT; i++) {
		enum pgd_role r;
		assert_int_equal(pgd_role_parse(pgd_account_role_names[i], &r), 0);
		assert_int_equal((int)r, i);
		assert_non_null(pgd_role_label(r));
	}
	assert_string_equal(pgd_role_label(PGD_ROLE_LIAISON), "联络员");
	assert_null(pgd_role_name(PGD_ROLE_COUNT));
	enum pgd_role r;
	assert_int_equal(pgd_role_parse("superuser", &r), PGD_ERR_INVALID);
	assert_int_equal(pgd_account_role_index("nobody"), -1);
}

static void test_permissions(void **state)
{
	(void)state;
	uint32_t p;
	/* unit roles */
	p = pgd_perms_of_roles(BIT(PGD_ROLE_AUTHOR));
	assert_true(p & BIT(PGD_PERM_REGISTRY_READ));
	assert_true(p & BIT(PGD_PERM_CUSTODY));
	assert_false(p & BIT(PGD_PERM_RECORDS_WRITE));
	assert_false(p & BIT(PGD_PERM_FILINGS_WRITE));
	p = pgd_perms_of_roles(BIT(PGD_ROLE_REVIEW_RESPONSIBLE));
	assert_true(p & BIT(PGD_PERM_FILINGS_WRITE));
	assert_false(p & BIT(PGD_PERM_RECORDS_WRITE));
	p = pgd_perms_of_roles(BIT(PGD_ROLE_LIAISON));
	assert_true((p & BIT(PGD_PERM_RECORDS_WRITE)) && (p & BIT(PGD_PERM_FILINGS_WRITE)));
	assert_false(p & BIT(PGD_PERM_UNITS_WRITE));
	assert_false(p & BIT(PGD_PERM_IMPORT));
	/* office */
	p = pgd_perms_of_roles(BIT(PGD_ROLE_OFFICE_OPERATOR));
	assert_true((p & BIT(PGD_PERM_UNITS_WRITE)) && (p & BIT(PGD_PERM_IMPORT)));
	assert_false(p & BIT(PGD_PERM_USERS_MANAGE));
	p = pgd_perms_of_roles(BIT(PGD_ROLE_SECRECY_OFFICE));
	assert_int_equal(p, BIT(PGD_PERM_SIGNED_IN) | BIT(PGD_PERM_REGISTRY_READ));
	/* the three admins: nothing in common but signing in (and listing accounts, which the
	 * system admin needs to manage them and the security admin to assign roles) */
	uint32_t sys = pgd_perms_of_roles(BIT(PGD_ROLE_SYSTEM_ADMIN));
	uint32_t sec = pgd_perms_of_roles(BIT(PGD_ROLE_SECURITY_ADMIN));
	uint32_t aud = pgd_perms_of_roles(BIT(PGD_ROLE_AUDIT_ADMIN));
	assert_true(sys & BIT(PGD_PERM_USERS_MANAGE));
	assert_false(sys & BIT(PGD_PERM_ROLES_ASSIGN));
	assert_false(sys & BIT(PGD_PERM_AUDIT_READ));
	assert_int_equal(sec, BIT(PGD_PERM_SIGNED_IN) | BIT(PGD_PERM_ROLES_ASSIGN) | BIT(PGD_PERM_USERS_READ));
	assert_true(sys & BIT(PGD_PERM_USERS_READ));
	assert_int_equal(aud, BIT(PGD_PERM_SIGNED_IN) | BIT(PGD_PERM_AUDIT_READ));
	assert_int_equal(pgd_perms_of_roles(0), 0);
	/* scope */
	assert_true(pgd_roles_city_scope(BIT(PGD_ROLE_OFFICE_ADMIN)));
	assert_true(pgd_roles_city_scope(BIT(PGD_ROLE_EGOV_CENTRE)));
	assert_true(pgd_roles_city_scope(BIT(PGD_ROLE_AUDIT_ADMIN)));
	assert_false(pgd_roles_city_scope(BIT(PGD_ROLE_LIAISON) | BIT(PGD_ROLE_PRINCIPAL_HEAD)));
	assert_string_equal(pgd_perm_name(PGD_PERM_ROLES_ASSIGN), "roles.assign");
}

static void test_separation_of_duties(void **state)
{
	(void)state;
	struct pgd_err err = {0};
	assert_int_equal(pgd_roles_check(BIT(PGD_ROLE_SYSTEM_ADMIN), 0, &err), 0);
	assert_int_equal(pgd_roles_check(BIT(PGD_ROLE_SYSTEM_ADMIN) | BIT(PGD_ROLE_AUDIT_ADMIN), 0, &err),
		PGD_ERR_INVALID);
	assert_string_equal(err.field, "roles");
	assert_int_equal(pgd_roles_check(BIT(PGD_ROLE_SECURITY_ADMIN) | BIT(PGD_ROLE_LIAISON), 7, &err),
		PGD_ERR_INVALID);
	assert_int_equal(pgd_roles_check(BIT(PGD_ROLE_SECURITY_ADMIN) | BIT(PGD_ROLE_OFFICE_ADMIN), 7, &err),
		PGD_ERR_INVALID);
	/* unit roles need a person; city roles do not */
	assert_int_equal(pgd_roles_check(BIT(PGD_ROLE_LIAISON), 0, &err), PGD_ERR_INVALID);
	assert_int_equal(pgd_roles_check(BIT(PGD_ROLE_LIAISON) | BIT(PGD_ROLE_AUTHOR), 3, &err), 0);
	assert_int_equal(pgd_roles_check(BIT(PGD_ROLE_OFFICE_OPERATOR), 0, &err), 0);
}

static void test_password_policy(void **state)
{
	struct fx *f = *state;
	struct pgd_password_policy p, q;
	struct pgd_err err = {0};

	assert_int_equal(pgd_policy_load(f->st, &p, &err), 0);
	assert_int_equal(p.min_length, 10);
	assert_int_equal(p.require_classes, 3);
	assert_int_equal(p.max_age_days, 90);
	/* 9 characters: too short */
	assert_int_equal(pgd_policy_check(&p, "zs", "Abcdef12!", "password", &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "password");
	assert_non_null(strstr(err.message, "10"));
	/* 10 characters of 2 classes (lower, digit) */
	assert_int_equal(pgd_policy_check(&p, "zs", "abcdef1234", "password", &err), PGD_ERR_INVALID);
	/* 3 classes */
	assert_int_equal(pgd_policy_check(&p, "zs", "abcdef123X", "password", &err), 0);
	/* Chinese characters count as characters (and as "other") */
	assert_int_equal(pgd_policy_check(&p, "zs", "密码密码密码ab12", "password", &err), 0);
	assert_int_equal(pgd_policy_check(&p, "Abcdef123X", "abcdef123x", "password", &err), PGD_ERR_INVALID);
	assert_int_equal(pgd_policy_check(&p, "zs", "abcdef123X\t", "password", &err), PGD_ERR_INVALID);

	q.min_length = 12;
	q.require_classes = 4;
	q.max_age_days = 0;
	assert_int_equal(pgd_policy_save(f->st, &q, &err), 0);
	memset(&p, 0, sizeof(p));
	assert_int_equal(pgd_policy_load(f->st, &p, &err), 0);
	assert_int_equal(p.min_length, 12);
	assert_int_equal(p.require_classes, 4);
	assert_int_equal(p.max_age_days, 0);
	assert_int_equal(pgd_policy_expired(&p, "2000-01-01T00:00:00Z"), 0); /* never expires */
	q.min_length = 7;
	assert_int_equal(pgd_policy_save(f->st, &q, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "min_length");
	p.max_age_days = 90;
	assert_int_equal(pgd_policy_expired(&p, "2000-01-01T00:00:00Z"), 1);
	char now[32];
	pgd_time_iso(time(NULL) - 89 * 86400, now);
	assert_int_equal(pgd_policy_expired(&p, now), 0);
}

static void test_time_iso(void **state)
{
	(void)state;
	char buf[32];
	time_t t = 0;
	pgd_time_iso(0, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(pgd_time_parse_iso("2000-01-01T00:00:00Z", &t), 0);
	assert_int_equal((long long)t, 946684800LL);
	assert_int_equal(pgd_time_parse_iso("2000-01-01T00:01:05Z", &t), 0);
	assert_int_equal((long long)t, 946684865LL);
	assert_int_equal(pgd_time_parse_iso("2000-01-01 00:00:00Z", &t), PGD_ERR_INVALID);
	assert_int_equal(pgd_time_parse_iso("2000-13-01T00:00:00Z", &t), PGD_ERR_INVALID);
	assert_int_equal(pgd_time_parse_iso("", &t), PGD_ERR_INVALID);
}

static void test_users(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_user u = {0};
	int64_t unit_a = mk_unit(f->st, "甲局"), unit_b = mk_unit(f->st, "乙镇");
	int64_t pa = mk_person(f->st, unit_a, "张三"), pb = mk_person(f->st, unit_b, "李四");
	int64_t ua = mk_user(f->st, "zhangsan", pa, BIT(PGD_ROLE_LIAISON) | BIT(PGD_ROLE_AUTHOR));
	int64_t ub = mk_user(f->st, "lisi", pb, BIT(PGD_ROLE_PRINCIPAL_HEAD));
	int64_t uc = mk_user(f->st, "office.wang", 0, BIT(PGD_ROLE_OFFICE_OPERATOR));

	/* get: fields, joined unit, roles, hash */
	assert_int_equal(pgd_user_get(f->st, ua, &u, &err), 0);
	assert_string_equal(u.username, "zhangsan");
	assert_string_equal(u.display_name, "张三");
	assert_int_equal(u.person_id, pa);
	assert_int_equal(u.unit_id, unit_a);
	assert_string_equal(u.unit_name, "甲局");
	assert_int_equal(u.roles, BIT(PGD_ROLE_LIAISON) | BIT(PGD_ROLE_AUTHOR));
	assert_int_equal(u.active, 1);
	assert_int_equal(u.must_change_password, 0);
	assert_string_equal(u.last_login_at, "");
	assert_string_equal(u.locked_until, "");
	assert_non_null(u.password_hash);
	assert_int_equal(strncmp(u.password_hash, "$argon2id$", 10), 0);
	pgd_user_release(&u);

	assert_int_equal(pgd_user_get_by_username(f->st, "office.wang", &u, &err), 0);
	assert_int_equal(u.id, uc);
	assert_int_equal(u.unit_id, 0);
	assert_null(u.unit_name);
	pgd_user_release(&u);
	assert_int_equal(pgd_user_get_by_username(f->st, "ZHANGSAN", &u, &err), PGD_ERR_NOT_FOUND);
	assert_int_equal(pgd_user_get(f->st, 9999, &u, &err), PGD_ERR_NOT_FOUND);

	/* bad input */
	struct pgd_user bad = {.username = S("zhangsan"), .display_name = S("重名"), .password_hash = S("x")};
	assert_int_equal(pgd_user_create(f->st, &bad, NULL, &err), PGD_ERR_CONFLICT);
	assert_string_equal(err.field, "username");
	bad.username = S("has space");
	assert_int_equal(pgd_user_create(f->st, &bad, NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "username");
	bad.username = S("ok_name");
	bad.person_id = 4242;
	assert_int_equal(pgd_user_create(f->st, &bad, NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "person_id");
	bad.person_id = 0;
	bad.display_name = S("");
	assert_int_equal(pgd_user_create(f->st, &bad, NULL, &err), PGD_ERR_INVALID);
	bad.display_name = S("名");
	bad.roles = 1u << 20;
	assert_int_equal(pgd_user_create(f->st, &bad, NULL, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "roles");
	/* nothing half-written: the refused user does not exist */
	assert_int_equal(pgd_user_get_by_username(f->st, "ok_name", &u, &err), PGD_ERR_NOT_FOUND);

	/* roles replaced */
	assert_int_equal(pgd_user_set_roles(f->st, ub, BIT(PGD_ROLE_REVIEW_RESPONSIBLE), &err), 0);
	assert_int_equal(pgd_user_get(f->st, ub, &u, &err), 0);
	assert_int_equal(u.roles, BIT(PGD_ROLE_REVIEW_RESPONSIBLE));
	pgd_user_release(&u);
	assert_int_equal(pgd_user_set_roles(f->st, 9999, 0, &err), PGD_ERR_NOT_FOUND);

	/* password */
	assert_int_equal(pgd_user_set_password(f->st, ub, "$argon2id$new", 1, &err), 0);
	assert_int_equal(pgd_user_get(f->st, ub, &u, &err), 0);
	assert_string_equal(u.password_hash, "$argon2id$new");
	assert_int_equal(u.must_change_password, 1);
	pgd_user_release(&u);

	/* update + disable; list hides the disabled unless asked */
	struct pgd_user upd = {.id = ub, .display_name = S("李四（停用）"), .person_id = pb, .active = 0};
	assert_int_equal(pgd_user_update(f->st, &upd, &err), 0);
	upd.id = 9999;
	assert_int_equal(pgd_user_update(f->st, &upd, &err), PGD_ERR_NOT_FOUND);

	struct pgd_user_list l = {0};
	struct pgd_list_query q = {.page = 1, .page_size = 50};
	assert_int_equal(pgd_user_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 2);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].username, "zhangsan");
	assert_string_equal(l.items[0].unit_name, "甲局");
	assert_int_equal(l.items[0].roles, BIT(PGD_ROLE_LIAISON) | BIT(PGD_ROLE_AUTHOR));
	assert_null(l.items[0].password_hash);
	assert_string_equal(l.items[1].username, "office.wang");
	pgd_user_list_release(&l);
	q.include_inactive = 1;
	assert_int_equal(pgd_user_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 3);
	assert_string_equal(l.items[1].display_name, "李四（停用）");
	assert_int_equal(l.items[1].active, 0);
	pgd_user_list_release(&l);
	q.unit_id = unit_b;
	assert_int_equal(pgd_user_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 1);
	assert_string_equal(l.items[0].username, "lisi");
	pgd_user_list_release(&l);
	q.unit_id = 0;
	q.search = "WANG";
	assert_int_equal(pgd_user_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 1);
	assert_string_equal(l.items[0].username, "office.wang");
	pgd_user_list_release(&l);
	q.search = "张"; /* display names: zhangsan and office.wang are both 张三; lisi was renamed */
	assert_int_equal(pgd_user_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 2);
	pgd_user_list_release(&l);
	/* paging */
	q.search = NULL;
	q.page_size = 2;
	q.page = 2;
	assert_int_equal(pgd_user_list(f->st, &q, &l, &err), 0);
	assert_int_equal(l.total, 3);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].id, uc);
	pgd_user_list_release(&l);

	int64_t n = 0;
	assert_int_equal(pgd_user_count(f->st, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pgd_user_touch_login(f->st, ua, &err), 0);
	assert_int_equal(pgd_user_get(f->st, ua, &u, &err), 0);
	assert_int_equal(strlen(u.last_login_at), 20);
	pgd_user_release(&u);
}

static void test_lockout(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_user u = {0};
	time_t t0 = 1800000000, until = 0;
	int64_t n = -1;

	mk_user(f->st, "zs", 0, BIT(PGD_ROLE_OFFICE_OPERATOR));
	/* failures are keyed by the typed name, known or not */
	for (int i = 0; i < 4; i++)
		assert_int_equal(pgd_login_failure_add(f->st, "zs", "127.0.0.1", t0 + i * 60, &err), 0);
	assert_int_equal(pgd_login_failure_add(f->st, "ghost", NULL, t0, &err), 0);
	assert_int_equal(pgd_login_failure_count(f->st, "zs", t0 - 15 * 60, &n, &err), 0);
	assert_int_equal(n, 4);
	/* the window: only the last two are at or after t0 + 120 */
	assert_int_equal(pgd_login_failure_count(f->st, "zs", t0 + 120, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pgd_login_failure_count(f->st, "ghost", t0, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pgd_login_failure_add(f->st, "", NULL, t0, &err), PGD_ERR_INVALID);

	/* lock for 30 minutes */
	assert_int_equal(pgd_account_lock(f->st, "zs", t0 + 1800, &err), 0);
	assert_int_equal(pgd_account_locked_until(f->st, "zs", t0 + 60, &until, &err), 0);
	assert_int_equal((long long)until, (long long)(t0 + 1800));
	assert_int_equal(pgd_account_locked_until(f->st, "zs", t0 + 1800, &until, &err), 0);
	assert_int_equal((long long)until, 0); /* over at its end */
	assert_int_equal(pgd_account_locked_until(f->st, "ghost", t0, &until, &err), 0);
	assert_int_equal((long long)until, 0);
	/* a lock in the future shows in the user record */
	time_t now = time(NULL);
	assert_int_equal(pgd_account_lock(f->st, "zs", now + 600, &err), 0);
	assert_int_equal(pgd_user_get_by_username(f->st, "zs", &u, &err), 0);
	assert_int_equal(strlen(u.locked_until), 20);
	pgd_user_release(&u);
	/* unlock removes the lock and the failures */
	assert_int_equal(pgd_account_unlock(f->st, "zs", &err), 0);
	assert_int_equal(pgd_account_locked_until(f->st, "zs", now, &until, &err), 0);
	assert_int_equal((long long)until, 0);
	assert_int_equal(pgd_login_failure_count(f->st, "zs", 0, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pgd_login_failure_count(f->st, "ghost", 0, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pgd_login_failures_clear(f->st, "ghost", &err), 0);
	assert_int_equal(pgd_login_failure_count(f->st, "ghost", 0, &n, &err), 0);
	assert_int_equal(n, 0);
}

static void fill_session(struct pgd_session *s, char c, int64_t user, time_t created, time_t seen)
{
	memset(s, 0, sizeof(*s));
	memset(s->token_hash, c, 64);
	memset(s->csrf, 'f', 64);
	s->user_id = user;
	pgd_time_iso(created, s->created_at);
	pgd_time_iso(seen, s->last_seen_at);
}

static void test_sessions(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_session s, g;
	time_t t0 = 1800000000;
	int64_t n = 0;
	int64_t u1 = mk_user(f->st, "one", 0, 0), u2 = mk_user(f->st, "two", 0, 0);

	fill_session(&s, 'a', u1, t0, t0);
	snprintf(s.remote, sizeof(s.remote), "127.0.0.1");
	assert_int_equal(pgd_session_create(f->st, &s, &err), 0);
	assert_int_equal(pgd_session_create(f->st, &s, &err), PGD_ERR_CONFLICT);
	fill_session(&s, 'b', u1, t0 - 13 * 3600, t0); /* too old: absolute limit */
	assert_int_equal(pgd_session_create(f->st, &s, &err), 0);
	fill_session(&s, 'c', u2, t0 - 3600, t0 - 31 * 60); /* idle */
	assert_int_equal(pgd_session_create(f->st, &s, &err), 0);
	fill_session(&s, 'd', u2, t0, t0);
	assert_int_equal(pgd_session_create(f->st, &s, &err), 0);
	/* only hex hashes are stored */
	fill_session(&s, 'Z', u2, t0, t0);
	assert_int_equal(pgd_session_create(f->st, &s, &err), PGD_ERR_INVALID);

	char key[65];
	memset(key, 'a', 64);
	key[64] = '\0';
	assert_int_equal(pgd_session_get(f->st, key, &g, &err), 0);
	assert_int_equal(g.user_id, u1);
	assert_string_equal(g.remote, "127.0.0.1");
	assert_string_equal(g.created_at, "2027-01-15T08:00:00Z"); /* 1800000000 */
	assert_int_equal(pgd_session_touch(f->st, key, t0 + 65, &err), 0);
	assert_int_equal(pgd_session_get(f->st, key, &g, &err), 0);
	assert_string_equal(g.last_seen_at, "2027-01-15T08:01:05Z");

	/* purge: idle 30 min, absolute 12 h -> b and c go */
	assert_int_equal(pgd_session_purge(f->st, t0 - 30 * 60, t0 - 12 * 3600, &n, &err), 0);
	assert_int_equal(n, 2);
	memset(key, 'b', 64);
	assert_int_equal(pgd_session_get(f->st, key, &g, &err), PGD_ERR_NOT_FOUND);
	memset(key, 'd', 64);
	assert_int_equal(pgd_session_get(f->st, key, &g, &err), 0);
	/* delete all of a user; delete one */
	assert_int_equal(pgd_session_delete_user(f->st, u2, &err), 0);
	assert_int_equal(pgd_session_get(f->st, key, &g, &err), PGD_ERR_NOT_FOUND);
	memset(key, 'a', 64);
	assert_int_equal(pgd_session_delete(f->st, key, &err), 0);
	assert_int_equal(pgd_session_get(f->st, key, &g, &err), PGD_ERR_NOT_FOUND);
}

static void test_settings(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	char *v = NULL;
	assert_int_equal(pgd_setting_get(f->st, "k", &v, &err), PGD_ERR_NOT_FOUND);
	assert_null(v);
	assert_int_equal(pgd_setting_set(f->st, "k", "一", &err), 0);
	assert_int_equal(pgd_setting_set(f->st, "k", "二", &err), 0);
	assert_int_equal(pgd_setting_get(f->st, "k", &v, &err), 0);
	assert_string_equal(v, "二");
	free(v);
	assert_int_equal(pgd_setting_set(f->st, "", "x", &err), PGD_ERR_INVALID);
	assert_int_equal(pgd_setting_set(f->st, "k", NULL, &err), PGD_ERR_INVALID);
}

static void test_backup(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_store *copy = NULL;
	struct pgd_user u = {0};
	char dest[160];
	int64_t bad = 0, count = 0;

	mk_user(f->st, "kept", 0, BIT(PGD_ROLE_AUDIT_ADMIN));
	assert_int_equal(pgd_audit_append(f->st, "t", "user.create", "user:1", NULL, "{}", NULL, &err), 0);
	snprintf(dest, sizeof(dest), "%s/copy.db", f->dir);
	assert_int_equal(pgd_store_backup(f->st, dest, &err), 0);
	/* never over an existing file */
	assert_int_equal(pgd_store_backup(f->st, dest, &err), PGD_ERR_CONFLICT);
	/* writes after the backup do not reach it */
	mk_user(f->st, "later", 0, BIT(PGD_ROLE_AUDIT_ADMIN));
	assert_int_equal(pgd_store_open(&copy, dest, &err), 0);
	assert_int_equal(pgd_user_get_by_username(copy, "kept", &u, &err), 0);
	assert_int_equal(u.roles, BIT(PGD_ROLE_AUDIT_ADMIN));
	pgd_user_release(&u);
	assert_int_equal(pgd_user_get_by_username(copy, "later", &u, &err), PGD_ERR_NOT_FOUND);
	assert_int_equal(pgd_audit_verify(copy, &bad, &count, &err), 0);
	assert_int_equal(count, 1);
	pgd_store_close(copy);
	rm_db(dest);
	snprintf(dest, sizeof(dest), "%s/no/such/dir/copy.db", f->dir);
	assert_int_equal(pgd_store_backup(f->st, dest, &err), PGD_ERR_IO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_tables_agree),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_separation_of_duties),
		cmocka_unit_test(test_time_iso),
		cmocka_unit_test_setup_teardown(test_password_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_users, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
