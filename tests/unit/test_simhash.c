/* SimHash (src/patrol/simhash.c): what must not move the hash (spacing, punctuation, ASCII and
 * fullwidth case), what must move it a little (a changed word in a long text) and a lot (an
 * unrelated text), and the "unknown" value 0 for texts without two countable characters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pubguard/patrol.h"
#include "core/banned.h"

static uint64_t sh(const char *s)
{
	return pgd_simhash(s, strlen(s));
}

static const char notice[] =
	"关于开展2026年度政府网站和政务新媒体检查工作的通知。各区县人民政府，市政府各部门：为深入贯彻落实"
	"国务院办公厅关于政府网站与政务新媒体管理的有关要求，进一步提升政府网站和政务新媒体的建设管理水平，"
	"经研究，决定于2026年12月开展年度检查工作。现将有关事项通知如下：一、检查范围为全市各级行政机关主办的"
	"政府网站和政务新媒体；二、检查内容包括内容更新、互动回应、服务实用和安全保障等方面；三、请各单位于"
	"12月15日前完成自查并报送自查报告。";

static void test_formatting_does_not_move_it(void **state)
{
	(void)state;
	assert_int_equal(sh("政务公开 工作要点"), sh("政务公开，工作要点！"));
	assert_int_equal(sh("政务公开\n\t工作要点"), sh("政务公开工作要点"));
	assert_int_equal(sh("Annual Report 2026"), sh("annual-report 2026"));
	assert_int_equal(sh("ＡＢＣ１２３"), sh("abc123")); /* fullwidth letters and digits fold */
}

static void test_small_edit_is_near_unrelated_is_far(void **state)
{
	char edited[sizeof(notice) + 16];
	const char *p = strstr(notice, "12月15日");
	size_t pre;
	int near, far;

	(void)state;
	assert_non_null(p);
	pre = (size_t)(p - notice);
	memcpy(edited, notice, pre);
	memcpy(edited + pre, "12月20日", strlen("12月20日"));
	memcpy(edited + pre + strlen("12月20日"), p + strlen("12月15日"), strlen(p + strlen("12月15日")) + 1);
	near = pgd_simhash_distance(sh(notice), sh(edited));
	far = pgd_simhash_distance(sh(notice), sh("澳门赌场线上娱乐平台，注册即送彩金，真人荷官在线发牌，信誉保障日结。"));
	assert_true(near <= 6);
	assert_true(far >= 16);
	assert_true(near < far);
}

static void test_unknown_and_distance(void **state)
{
	(void)state;
	assert_int_equal(sh(""), 0);
	assert_int_equal(sh("，。！"), 0);
	assert_int_equal(sh("政"), 0);      /* one character: no bigram */
	assert_int_not_equal(sh("政务"), 0); /* one bigram */
	assert_int_equal(pgd_simhash(NULL, 5), 0);
	assert_int_equal(pgd_simhash_distance(0, 0), 0);
	assert_int_equal(pgd_simhash_distance(0, ~(uint64_t)0), 64);
	assert_int_equal(pgd_simhash_distance(0x5, 0x3), 2);
	/* invalid UTF-8 is skipped, not read past the end */
	assert_int_equal(sh("\xe6\x94"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formatting_does_not_move_it),
		cmocka_unit_test(test_small_edit_is_near_unrelated_is_far),
		cmocka_unit_test(test_unknown_and_distance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
