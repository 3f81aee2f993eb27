/* Core primitives: capped buffers, UTF-8, the error table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pubguard/buf.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "core/banned.h"

static void test_buf_cap(void **state)
{
	struct pgd_buf b;
	pgd_buf_init(&b, 10);
	assert_int_equal(pgd_buf_addstr(&b, "12345"), 0);
	assert_int_equal(pgd_buf_addstr(&b, "67890"), 0);
	assert_int_equal(b.len, 10);
	/* one more byte is over the cap: refused, content unchanged */
	assert_int_equal(pgd_buf_addch(&b, 'x'), PGD_ERR_TOO_LARGE);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "1234567890");
	/* a length that would overflow size_t arithmetic is refused too */
	assert_int_equal(pgd_buf_add(&b, "", SIZE_MAX), PGD_ERR_TOO_LARGE);
	pgd_buf_release(&b);
	pgd_buf_release(NULL);
}

static void test_buf_addf_and_take(void **state)
{
	struct pgd_buf b;
	char big[600];
	size_t len;
	char *s;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pgd_buf_init(&b, 1 << 20);
	assert_int_equal(pgd_buf_addf(&b, "%d-%s", 42, "x"), 0);
	assert_int_equal(pgd_buf_addf(&b, "%s", big), 0); /* longer than the small stack buffer */
	assert_int_equal(b.len, 4 + 599);
	s = pgd_buf_take(&b, &len);
	assert_int_equal(len, 603);
	assert_memory_equal(s, "42-x", 4);
	assert_null(b.data);
	free(s);
}

static void test_utf8_decode(void **state)
{
	uint32_t cp;
	assert_int_equal(pgd_utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 0x41);
	assert_int_equal(pgd_utf8_decode("\xe4\xb8\xad", 3, &cp), 3); /* 中 */
	assert_int_equal(cp, 0x4E2D);
	assert_int_equal(pgd_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4); /* U+1F600 */
	assert_int_equal(cp, 0x1F600);
	/* truncated, overlong, surrogate, stray continuation */
	assert_int_equal(pgd_utf8_decode("\xe4\xb8", 2, &cp), -1);
	assert_int_equal(pgd_utf8_decode("\xc0\x80", 2, &cp), -1);
	assert_int_equal(pgd_utf8_decode("\xed\xa0\x80", 3, &cp), -1);
	assert_int_equal(pgd_utf8_decode("\x80", 1, &cp), -1);
	assert_int_equal(cp, 0xFFFD);
}

static void test_utf8_roundtrip(void **state)
{
	static const uint32_t cps[] = {0x24, 0xA2, 0x20AC, 0x3000, 0x9FA5, 0x10348, 0x10FFFF};
	char out[4];
	uint32_t back;
	for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		int n = pgd_utf8_encode(cps[i], out);
		assert_true(n > 0);
		assert_int_equal(pgd_utf8_decode(out, (size_t)n, &back), n);
		assert_int_equal(back, cps[i]);
	}
	assert_int_equal(pgd_utf8_encode(0xD800, out), 0);
	assert_int_equal(pgd_utf8_encode(0x110000, out), 0);
	assert_true(pgd_utf8_valid("中文 ok", strlen("中文 ok")));
	assert_false(pgd_utf8_valid("ab\xff", 3));
	assert_int_equal(pgd_utf8_count("中文ok", strlen("中文ok")), 4);
}

static void test_err_table(void **state)
{
	struct pgd_err e;
	assert_int_equal(pgd_err_http_status(PGD_ERR_NOT_FOUND), 404);
	assert_int_equal(pgd_err_http_status(PGD_ERR_TOO_LARGE), 413);
	assert_int_equal(pgd_err_http_status(-999), 500);
	assert_string_equal(pgd_strerror(PGD_ERR_OK), "成功");
	assert_int_equal(pgd_err_set(&e, PGD_ERR_IO, "a.txt", "无法打开文件：%s", "权限不足"), PGD_ERR_IO);
	assert_string_equal(e.field, "a.txt");
	assert_string_equal(e.message, "无法打开文件：权限不足");
	pgd_err_set(&e, PGD_ERR_FORMAT, NULL, NULL);
	assert_string_equal(e.message, pgd_strerror(PGD_ERR_FORMAT));
	assert_int_equal(pgd_err_set(NULL, PGD_ERR_IO, NULL, "x"), PGD_ERR_IO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_buf_addf_and_take),
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_utf8_roundtrip),
		cmocka_unit_test(test_err_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
