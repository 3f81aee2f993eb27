/* The demo city (src/server/demo.c) seeded into a temporary database: its size, every
 * platform type, a login line per role that really logs in, no non-formal manager, the
 * review-group and custody problems it is meant to show, and an intact audit chain. */
#include <inttypes.h>
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

#include "pubguard/accounts.h"
#include "pubguard/crypto.h"
#include "pubguard/err.h"
#include "pubguard/reviews.h"
#include "pubguard/store.h"
#include "server/demo.h"
#include "core/banned.h"

#include "store_fixture.h"

#define DEMO_NOW ((time_t)1796090400) /* 2026-12-01T02:00:00Z, 10:00 in Beijing: the seeded patrol history ends here */

static void test_key(struct pgd_key *k)
{
	for (int i = 0; i < PGD_KEY_LEN; i++)
		k->bytes[i] = (unsigned char)(i * 37 + 11);
}

/* Every platform, closed ones too (the demo has fewer than 500). */
static void all_platforms(struct pgd_store *st, struct pgd_platform_list *l)
{
	struct pgd_list_query q = {.page = 1, .page_size = 500, .include_inactive = 1};
	struct pgd_err err = {0};
	assert_int_equal(pgd_platform_list(st, &q, l, &err), 0);
	assert_int_equal((int64_t)l->n, l->total);
}

static int64_t unit_id_by_name(struct pgd_store *st, const char *name)
{
	struct pgd_list_query q = {.page = 1, .page_size = 500, .include_inactive = 1};
	struct pgd_unit_list l = {0};
	struct pgd_err err = {0};
	int64_t id = 0;
	assert_int_equal(pgd_unit_list(st, &q, &l, &err), 0);
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.items[i].name, name) == 0)
			id = l.items[i].id;
	pgd_unit_list_release(&l);
	assert_true(id > 0);
	return id;
}

/* The city is seeded once for the read-only tests (seeding hashes 14 passwords with Argon2id). */
static char seeded_logins[160];

static int group_setup(void **state)
{
	struct pgd_key key;
	struct pgd_err err = {0};
	struct fx *f;
	if (setup(state) != 0)
		return -1;
	f = *state;
	test_key(&key);
	snprintf(seeded_logins, sizeof(seeded_logins), "%s/demo-logins.txt", f->dir);
	if (pgd_demo_seed(f->st, &key, seeded_logins, DEMO_NOW, &err) != 0) {
		fprintf(stderr, "seed: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	unlink(seeded_logins);
	return teardown(state);
}

static void seed(struct fx *f, char *logins, size_t n)
{
	(void)f;
	snprintf(logins, n, "%s", seeded_logins);
}

static void test_demo_sizes_and_types(void **state)
{
	struct fx *f = *state;
	struct pgd_list_query all = {.page = 1, .page_size = 500, .include_inactive = 1};
	struct pgd_unit_list ul = {0};
	struct pgd_platform_list pl = {0};
	struct pgd_err err = {0};
	char logins[160];
	int seen[PGD_PLATFORM_TYPE_COUNT] = {0}, kinds[PGD_UNIT_KIND_COUNT] = {0};
	int64_t closed = 0, websites_with_code = 0, children = 0;

	seed(f, logins, sizeof(logins));
	assert_int_equal(pgd_unit_list(f->st, &all, &ul, &err), 0);
	assert_true(ul.total >= 30);
	for (size_t i = 0; i < ul.n; i++) {
		kinds[ul.items[i].kind]++;
		assert_true(ul.items[i].active);
		assert_non_null(ul.items[i].party_body);
		assert_true(ul.items[i].principal_head_person_id > 0); /* every unit has its head */
		if (ul.items[i].parent_id > 0)
			children++;
	}
	for (int k = 0; k < PGD_UNIT_KIND_COUNT; k++)
		assert_true(kinds[k] > 0); /* units of every kind */
	assert_true(children >= 3);    /* a hierarchy, not a flat list */
	pgd_unit_list_release(&ul);

	all_platforms(f->st, &pl);
	assert_true(pl.total >= 80);
	for (size_t i = 0; i < pl.n; i++) {
		const struct pgd_platform *p = &pl.items[i];
		seen[p->type]++;
		if (!p->active)
			closed++;
		if (p->type == PGD_PLATFORM_WEBSITE) {
			assert_non_null(p->site_code);
			assert_int_equal(strlen(p->site_code), 10);
			assert_memory_equal(p->site_code, "520281", 6);
			websites_with_code++;
		}
	}
	for (int t = 0; t < PGD_PLATFORM_TYPE_COUNT; t++)
		if (seen[t] == 0)
			fail_msg("no platform of type %s", pgd_platform_type_name((enum pgd_platform_type)t));
	assert_true(closed >= 2 && closed <= 5); /* "a few closed" */
	assert_true(websites_with_code >= 2);
	pgd_platform_list_release(&pl);
}

static void test_demo_no_non_formal_manager(void **state)
{
	struct fx *f = *state;
	struct pgd_platform_list pl = {0};
	struct pgd_list_query q = {.page = 1, .page_size = 500, .include_inactive = 1};
	struct pgd_person_list people = {0};
	struct pgd_err err = {0};
	char logins[160];
	int64_t temporary = 0, welfare = 0;

	seed(f, logins, sizeof(logins));
	all_platforms(f->st, &pl);
	for (size_t i = 0; i < pl.n; i++) {
		struct pgd_person m = {0};
		assert_true(pl.items[i].manager_person_id > 0);
		assert_int_equal(pgd_person_get(f->st, pl.items[i].manager_person_id, &m, &err), 0);
		assert_int_equal(m.staff_type, PGD_STAFF_FORMAL);
		assert_int_equal(m.unit_id, pl.items[i].unit_id); /* the platform's own unit's staff */
		pgd_person_release(&m);
	}
	pgd_platform_list_release(&pl);
	/* but non-formal people exist: the rule is kept, not avoided */
	assert_int_equal(pgd_person_list(f->st, &q, &people, &err), 0);
	for (size_t i = 0; i < people.n; i++) {
		temporary += people.items[i].staff_type == PGD_STAFF_TEMPORARY;
		welfare += people.items[i].staff_type == PGD_STAFF_PUBLIC_WELFARE;
	}
	assert_true(temporary >= 10);
	assert_true(welfare >= 5);
	pgd_person_list_release(&people);
}

static void test_demo_logins(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct stat sb;
	char logins[160], line[256];
	int roles_seen[PGD_ACCOUNT_ROLE_COUNT] = {0}, lines = 0;
	int64_t edu = 0, office = 0;
	FILE *in;

	seed(f, logins, sizeof(logins));
	assert_int_equal(stat(logins, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	edu = unit_id_by_name(f->st, "市教育局");
	office = unit_id_by_name(f->st, "市委网信办");
	in = fopen(logins, "r");
	assert_non_null(in);
	while (fgets(line, sizeof(line), in)) {
		char role[64], username[64], password[64];
		struct pgd_user u = {0};
		int r, match = 0;
		assert_int_equal(sscanf(line, "%63s %63s %63s", role, username, password), 3);
		r = pgd_account_role_index(role);
		assert_true(r >= 0);
		roles_seen[r]++;
		lines++;
		assert_true(strlen(password) >= 10);
		assert_int_equal(pgd_user_get_by_username(f->st, username, &u, &err), 0);
		assert_int_equal(u.roles, 1u << r);
		assert_true(u.active);
		assert_true(u.person_id > 0);
		assert_memory_equal(u.password_hash, "$argon2id$", 10);
		/* the line really logs in (a few roles: each check costs an Argon2id hash) */
		if (strcmp(role, "liaison") == 0 || strcmp(role, "office_operator") == 0 ||
			strcmp(role, "audit_admin") == 0) {
			assert_int_equal(pgd_password_verify(u.password_hash, password, &match, &err), 0);
			assert_int_equal(match, 1);
			assert_int_equal(pgd_password_verify(u.password_hash, "wrong-password-1A", &match, &err), 0);
			assert_int_equal(match, 0);
		}
		if (strcmp(role, "liaison") == 0 || strcmp(role, "author") == 0 || strcmp(role, "principal_head") == 0)
			assert_int_equal(u.unit_id, edu);
		if (strcmp(role, "office_operator") == 0 || strcmp(role, "office_admin") == 0)
			assert_int_equal(u.unit_id, office);
		if (strcmp(role, "liaison") == 0)
			assert_string_equal(username, "liaison01");
		if (strcmp(role, "system_admin") == 0)
			assert_string_equal(username, "sysadmin");
		pgd_user_release(&u);
	}
	fclose(in);
	assert_int_equal(lines, PGD_ACCOUNT_ROLE_COUNT);
	for (int r = 0; r < PGD_ACCOUNT_ROLE_COUNT; r++)
		if (roles_seen[r] != 1)
			fail_msg("role %s has %d login lines", pgd_account_role_names[r], roles_seen[r]);
}

static void test_demo_problems_and_audit(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_key key;
	struct pgd_custody_status_list cl = {0};
	struct pgd_list_query q = {.page = 1, .page_size = 500};
	char logins[160];
	int64_t missing = -1, outdated = -1, flagged = -1, pending = -1, count = 0, bad = 0, units = 0;
	int64_t secrets = 0, open = 0;
	struct pgd_registry_stats s;

	seed(f, logins, sizeof(logins));
	assert_int_equal(pgd_review_counts(f->st, 0, &missing, &outdated, &err), 0);
	assert_int_equal(missing, 2);
	assert_int_equal(outdated, 2);
	assert_int_equal(pgd_custody_count_flagged(f->st, 0, &flagged, &err), 0);
	assert_int_equal(flagged, 1);
	assert_int_equal(pgd_handover_count_pending(f->st, 0, &pending, &err), 0);
	assert_int_equal(pending, 1);

	/* most open platforms hold a sealed secret, and it opens with the key and its own aad */
	test_key(&key);
	assert_int_equal(pgd_custody_status_list(f->st, &q, &cl, &err), 0);
	for (size_t i = 0; i < cl.n; i++) {
		open++;
		if (!cl.items[i].has_secret)
			continue;
		secrets++;
		if (secrets <= 3) {
			struct pgd_custody c = {0};
			unsigned char blob[512], *plain = NULL;
			char aad[48];
			size_t len = 0, hl;
			assert_int_equal(pgd_custody_get(f->st, cl.items[i].platform_id, &c, &err), 0);
			hl = strlen(c.secret_hex);
			assert_true(hl / 2 <= sizeof(blob));
			assert_int_equal(pgd_unhex(c.secret_hex, hl, blob, hl / 2), 0);
			snprintf(aad, sizeof(aad), "platform:%" PRId64, cl.items[i].platform_id);
			assert_int_equal(pgd_unseal(&key, aad, strlen(aad), blob, hl / 2, &plain, &len, &err), 0);
			assert_true(len >= 10);
			pgd_secret_free(plain, len);
			pgd_custody_release(&c);
		}
	}
	assert_true(secrets * 4 >= open * 3); /* "most" */
	assert_true(secrets < open);          /* and a few not yet */
	pgd_custody_status_list_release(&cl);

	/* the seed is one audit entry by "demo", and the chain verifies */
	assert_int_equal(pgd_audit_verify(f->st, &bad, &count, &err), 0);
	assert_int_equal(count, 1);
	{
		struct pgd_audit_list al = {0};
		struct pgd_audit_query aq = {.page = 1};
		assert_int_equal(pgd_audit_list(f->st, &aq, &al, &err), 0);
		assert_int_equal(al.total, 1);
		assert_string_equal(al.items[0].actor, "demo");
		assert_string_equal(al.items[0].action, "demo.seed");
		assert_non_null(strstr(al.items[0].after_json, "\"platforms\":"));
		pgd_audit_list_release(&al);
	}
	assert_int_equal(pgd_registry_stats(f->st, 0, &s, &err), 0);
	units = s.units;
	assert_true(units >= 30);

	/* a second seed is refused and changes nothing, the logins file included */
	assert_int_equal(pgd_demo_seed(f->st, &key, logins, DEMO_NOW, &err), PGD_ERR_CONFLICT);
	assert_int_equal(pgd_registry_stats(f->st, 0, &s, &err), 0);
	assert_int_equal(s.units, units);
	{
		FILE *in = fopen(logins, "r");
		char line[256];
		int n = 0;
		assert_non_null(in);
		while (fgets(line, sizeof(line), in))
			n++;
		fclose(in);
		assert_int_equal(n, PGD_ACCOUNT_ROLE_COUNT);
	}
}

static void test_demo_failure_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_key key;
	struct pgd_registry_stats s;
	char bad[200];
	int64_t n = -1;

	test_key(&key);
	snprintf(bad, sizeof(bad), "%s/no-such-dir/logins.txt", f->dir);
	assert_int_equal(pgd_demo_seed(f->st, &key, bad, DEMO_NOW, &err), PGD_ERR_IO);
	assert_non_null(strstr(err.message, "演示账号文件"));
	assert_int_equal(pgd_registry_stats(f->st, 0, &s, &err), 0);
	assert_int_equal(s.units, 0);
	assert_int_equal(s.people, 0);
	assert_int_equal(pgd_user_count(f->st, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pgd_demo_seed(f->st, NULL, bad, DEMO_NOW, &err), PGD_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_sizes_and_types),
		cmocka_unit_test(test_demo_no_non_formal_manager),
		cmocka_unit_test(test_demo_logins),
		cmocka_unit_test(test_demo_problems_and_audit),
		cmocka_unit_test_setup_teardown(test_demo_failure_leaves_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
