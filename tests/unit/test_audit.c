/* The audit log's hash chain (store + crypto), on a temporary SQLite database: every byte of
 * every column of every entry is covered by the chain, deletions in the middle and at the
 * tail are detected, and an append rolled back with its transaction leaves nothing. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/store.h"
#include "store/internal.h"
#include "core/banned.h"

#define N_ENTRIES 5

#include "store_fixture.h"

static void append_n(struct pgd_store *st, int n)
{
	struct pgd_err err = {0};
	for (int i = 1; i <= n; i++) {
		char actor[32], subject[32], before[64], after[64];
		int64_t seq = 0;
		snprintf(actor, sizeof(actor), "管理员%d", i);
		snprintf(subject, sizeof(subject), "unit:%d", i);
		snprintf(before, sizeof(before), "{\"name\":\"旧名称%d\"}", i);
		snprintf(after, sizeof(after), "{\"name\":\"新名称%d\"}", i);
		assert_int_equal(pgd_audit_append(st, actor, "unit.update", subject, before, after, &seq, &err), 0);
		assert_int_equal(seq, i);
	}
}

static void expect_bad(struct pgd_store *st, int64_t want_seq, const char *ctx)
{
	struct pgd_err err = {0};
	int64_t bad = -1, n = -1;
	char name[64];
	int rc = pgd_audit_verify(st, &bad, &n, &err);
	if (rc != PGD_ERR_INTEGRITY || bad != want_seq)
		fail_msg("%s: verify rc=%d bad=%" PRId64 ", want INTEGRITY naming %" PRId64 " (%s)", ctx, rc, bad,
			want_seq, err.message);
	snprintf(name, sizeof(name), "第 %" PRId64 " 条", want_seq);
	if (strstr(err.message, name) == NULL)
		fail_msg("%s: message does not name entry %" PRId64 ": %s", ctx, want_seq, err.message);
}

static void expect_ok(struct pgd_store *st, int64_t want_n)
{
	struct pgd_err err = {0};
	int64_t bad = -1, n = -1;
	int rc = pgd_audit_verify(st, &bad, &n, &err);
	if (rc != 0)
		fail_msg("verify failed: rc=%d bad=%" PRId64 ": %s", rc, bad, err.message);
	assert_int_equal(n, want_n);
	assert_int_equal(bad, 0);
}

static void test_empty_log_is_intact(void **state)
{
	struct fx *f = *state;
	expect_ok(f->st, 0);
}

static void test_append_and_verify(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	int64_t head = 0, links = 0;
	append_n(f->st, N_ENTRIES);
	expect_ok(f->st, N_ENTRIES);
	/* the head follows the last entry, and each entry links to the one before */
	assert_int_equal(pgd_store_query_int(f->st, &head, &err, "SELECT seq FROM audit_head WHERE id = 1", ""), 0);
	assert_int_equal(head, N_ENTRIES);
	assert_int_equal(pgd_store_query_int(f->st, &links, &err,
		"SELECT COUNT(*) FROM audit_log a JOIN audit_log b ON b.seq = a.seq + 1 WHERE b.prev_hash = a.hash", ""), 0);
	assert_int_equal(links, N_ENTRIES - 1);
	assert_int_equal(pgd_store_query_int(f->st, &links, &err,
		"SELECT COUNT(*) FROM audit_log WHERE seq = 1 AND prev_hash = $1", "s",
		"0000000000000000000000000000000000000000000000000000000000000000"), 0);
	assert_int_equal(links, 1);
}

static void test_required_fields(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	assert_int_equal(pgd_audit_append(f->st, NULL, "x", NULL, NULL, NULL, NULL, &err), PGD_ERR_INVALID);
	assert_non_null(strstr(err.message, "操作人"));
	assert_int_equal(pgd_audit_append(f->st, "a", "", NULL, NULL, NULL, NULL, &err), PGD_ERR_INVALID);
	expect_ok(f->st, 0);
}

/* Read column col of entry seq (new string, NULL for SQL NULL). */
static char *get_col(struct pgd_store *st, const char *col, int64_t seq)
{
	struct pgd_stmt *s = NULL;
	struct pgd_err err = {0};
	char sql[128], *v = NULL;
	snprintf(sql, sizeof(sql), "SELECT %s FROM audit_log WHERE seq = $1", col);
	assert_int_equal(pgd_store_prep(st, &s, &err, sql, "i", seq), 0);
	assert_int_equal(st->be->step(s, &err), 1);
	v = pgd_strdup(st->be->col_text(s, 0));
	st->be->finalize(s);
	return v;
}

static void set_col(struct pgd_store *st, const char *col, int64_t seq, const char *v)
{
	struct pgd_err err = {0};
	char sql[128];
	int64_t changes = 0;
	snprintf(sql, sizeof(sql), "UPDATE audit_log SET %s = $1 WHERE seq = $2", col);
	assert_int_equal(pgd_store_execp(st, &changes, &err, sql, "si", v, seq), 0);
	assert_int_equal(changes, 1);
}

static void test_any_byte_of_any_column(void **state)
{
	static const char *const cols[] = {"at", "actor", "action", "subject", "before_json", "after_json",
		"prev_hash", "hash"};
	struct fx *f = *state;
	int cases = 0;
	append_n(f->st, N_ENTRIES);
	for (int64_t seq = 1; seq <= N_ENTRIES; seq++) {
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			char *orig = get_col(f->st, cols[c], seq);
			size_t len;
			assert_non_null(orig);
			len = strlen(orig);
			assert_true(len > 0);
			for (size_t i = 0; i < len; i++) {
				char ctx[96], *mod = pgd_strdup(orig);
				/* flip the low bit (never yields NUL: no byte of the fixture is 0x01) */
				mod[i] = (char)(mod[i] ^ 0x01);
				set_col(f->st, cols[c], seq, mod);
				snprintf(ctx, sizeof(ctx), "entry %" PRId64 " column %s byte %zu", seq, cols[c], i);
				expect_bad(f->st, seq, ctx);
				set_col(f->st, cols[c], seq, orig);
				free(mod);
				cases++;
			}
			/* appending a byte is caught too */
			{
				size_t n = len + 2;
				char *longer = pgd_malloc(n);
				snprintf(longer, n, "%s ", orig);
				set_col(f->st, cols[c], seq, longer);
				expect_bad(f->st, seq, cols[c]);
				set_col(f->st, cols[c], seq, orig);
				free(longer);
			}
			free(orig);
		}
	}
	/* an optional field set to NULL (or NULL set to "") is a change as well */
	{
		char *orig = get_col(f->st, "subject", 3);
		set_col(f->st, "subject", 3, NULL);
		expect_bad(f->st, 3, "subject NULL");
		set_col(f->st, "subject", 3, orig);
		free(orig);
	}
	assert_true(cases > 1000);
	expect_ok(f->st, N_ENTRIES); /* everything restored */
}

static void test_seq_renumbered(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	append_n(f->st, N_ENTRIES);
	/* move the last entry to another number: a gap, named by the moved entry */
	assert_int_equal(pgd_store_execp(f->st, NULL, &err, "UPDATE audit_log SET seq = 9 WHERE seq = 5", ""), 0);
	expect_bad(f->st, 9, "renumbered");
}

static void test_delete_middle(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	append_n(f->st, N_ENTRIES);
	assert_int_equal(pgd_store_execp(f->st, NULL, &err, "DELETE FROM audit_log WHERE seq = 3", ""), 0);
	expect_bad(f->st, 4, "middle deleted");
}

static void test_delete_first(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	append_n(f->st, N_ENTRIES);
	assert_int_equal(pgd_store_execp(f->st, NULL, &err, "DELETE FROM audit_log WHERE seq = 1", ""), 0);
	expect_bad(f->st, 2, "first deleted");
}

static void test_delete_last_detected_by_head(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	append_n(f->st, N_ENTRIES);
	assert_int_equal(pgd_store_execp(f->st, NULL, &err, "DELETE FROM audit_log WHERE seq = 5", ""), 0);
	expect_bad(f->st, 5, "last deleted");
	/* cutting two entries: the head still says 5 */
	assert_int_equal(pgd_store_execp(f->st, NULL, &err, "DELETE FROM audit_log WHERE seq = 4", ""), 0);
	expect_bad(f->st, 5, "two last deleted");
}

static void test_head_tampered(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	append_n(f->st, N_ENTRIES);
	assert_int_equal(pgd_store_execp(f->st, NULL, &err,
		"UPDATE audit_head SET hash = $1 WHERE id = 1", "s",
		"1111111111111111111111111111111111111111111111111111111111111111"), 0);
	expect_bad(f->st, 5, "head hash");
	/* head removed altogether */
	assert_int_equal(pgd_store_execp(f->st, NULL, &err, "DELETE FROM audit_head", ""), 0);
	expect_bad(f->st, 5, "head deleted");
	assert_int_equal(pgd_audit_append(f->st, "a", "b", NULL, NULL, NULL, NULL, &err), PGD_ERR_INTEGRITY);
}

static void test_rollback_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	int64_t rows = 0, seq = 0;
	append_n(f->st, 2);
	assert_int_equal(pgd_store_begin(f->st, &err), 0);
	assert_int_equal(pgd_audit_append(f->st, "审核员", "platform.close", "platform:7", NULL, NULL, &seq, &err), 0);
	assert_int_equal(seq, 3);
	assert_int_equal(pgd_store_rollback(f->st, &err), 0);
	assert_int_equal(pgd_store_query_int(f->st, &rows, &err, "SELECT COUNT(*) FROM audit_log", ""), 0);
	assert_int_equal(rows, 2);
	expect_ok(f->st, 2);
	/* the next append continues the chain at 3 */
	assert_int_equal(pgd_audit_append(f->st, "审核员", "platform.close", "platform:7", NULL, NULL, &seq, &err), 0);
	assert_int_equal(seq, 3);
	expect_ok(f->st, 3);
}

static void test_change_and_audit_commit_together(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_unit u = {.name = (char *)"盘州市教育局", .kind = PGD_UNIT_DEPARTMENT};
	int64_t id = 0, rows = 0;
	/* a failing audit append (empty actor) makes the caller roll back its change too */
	assert_int_equal(pgd_store_begin(f->st, &err), 0);
	assert_int_equal(pgd_unit_create(f->st, &u, &id, &err), 0);
	assert_int_equal(pgd_audit_append(f->st, "", "unit.create", "unit", NULL, NULL, NULL, &err), PGD_ERR_INVALID);
	assert_int_equal(pgd_store_rollback(f->st, &err), 0);
	assert_int_equal(pgd_store_query_int(f->st, &rows, &err, "SELECT COUNT(*) FROM units", ""), 0);
	assert_int_equal(rows, 0);
	/* and a good one commits with it */
	assert_int_equal(pgd_store_begin(f->st, &err), 0);
	assert_int_equal(pgd_unit_create(f->st, &u, &id, &err), 0);
	assert_int_equal(pgd_audit_append(f->st, "admin", "unit.create", "unit:1", NULL, "{}", NULL, &err), 0);
	assert_int_equal(pgd_store_commit(f->st, &err), 0);
	assert_int_equal(pgd_store_query_int(f->st, &rows, &err, "SELECT COUNT(*) FROM units", ""), 0);
	assert_int_equal(rows, 1);
	expect_ok(f->st, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_log_is_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_required_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any_byte_of_any_column, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_renumbered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_last_detected_by_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_and_audit_commit_together, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
