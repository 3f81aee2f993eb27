/* Normalisation: width, case, traditional->simplified, separators, boundaries, and the exact
 * mapping of every normalised character back to the original bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "check/normalise.h"
#include "core/banned.h"

static struct pgd_charmap *cm;

static int setup(void **state)
{
	struct pgd_err err;
	(void)state;
	memset(&err, 0, sizeof(err));
	if (pgd_charmap_build(NULL, &cm, &err) < 0) {
		fprintf(stderr, "charmap: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(cm);
	return 0;
}

/* Normalise s; new string (free()). */
static char *norm(const char *s)
{
	size_t len = strlen(s), nck;
	char *out = pgd_malloc(len + 1);
	struct pgd_nm_ckpt *ck = pgd_calloc(PGD_NM_CKPT_ROOM(len), sizeof(*ck));
	size_t n = pgd_normalise(cm, s, len, out, ck, &nck);
	out[n] = '\0';
	free(ck);
	return out;
}

#define ASSERT_NORM(in, want)                                                              \
	do {                                                                               \
		char *got_ = norm(in);                                                     \
		assert_string_equal(got_, want);                                           \
		free(got_);                                                                \
	} while (0)

static void test_width_and_case(void **state)
{
	(void)state;
	ASSERT_NORM("ＡＢＣ１２３ａｂｃ", "abc123abc");
	ASSERT_NORM("VPN翻墙", "vpn翻墙");
	ASSERT_NORM("ｖｐｎ翻墙", "vpn翻墙");
	ASSERT_NORM("Hello World", "helloworld");
}

static void test_traditional(void **state)
{
	(void)state;
	ASSERT_NORM("網絡賭博", "网络赌博");
	ASSERT_NORM("法輪功", "法轮功");
	ASSERT_NORM("國土資源局", "国土资源局");
	/* simplified text is unchanged */
	ASSERT_NORM("网络赌博", "网络赌博");
	ASSERT_NORM("自然资源局", "自然资源局");
}

static void test_separators_dropped(void **state)
{
	(void)state;
	ASSERT_NORM("法 轮 功", "法轮功");
	ASSERT_NORM("法\u3000轮\u3000功", "法轮功");
	ASSERT_NORM("法\u200b轮\u200c功\u200d", "法轮功");
	ASSERT_NORM("法\u2060轮\ufeff功", "法轮功");
	ASSERT_NORM("法★轮※功", "法轮功");
	ASSERT_NORM("法·轮•功●◆", "法轮功");
	ASSERT_NORM("法_轮-功*/.", "法轮功");
	ASSERT_NORM("法，轮、功", "法轮功");
	ASSERT_NORM("“法”（轮）《功》", "法轮功");
	ASSERT_NORM("法😀轮\U0001F525功", "法轮功");
	ASSERT_NORM("赌\t博", "赌博");
}

static void test_boundaries(void **state)
{
	(void)state;
	ASSERT_NORM("甲。乙\n丙！丁？戊；己!庚?辛;壬", "甲\n乙\n丙\n丁\n戊\n己\n庚\n辛\n壬");
	ASSERT_NORM("甲\r\n乙", "甲\n\n乙");
	/* invalid UTF-8 bytes are boundaries, never joined into a phrase */
	ASSERT_NORM("赌\xff博", "赌\n博");
	ASSERT_NORM("赌\xe8\xb5博", "赌\n\n博");
}

static void test_phrase(void **state)
{
	size_t n = 0;
	char *p;
	(void)state;
	p = pgd_normalise_phrase(cm, "法 輪 功", strlen("法 輪 功"), &n);
	assert_non_null(p);
	assert_string_equal(p, "法轮功");
	assert_int_equal(n, strlen("法轮功"));
	free(p);
	assert_null(pgd_normalise_phrase(cm, "赌博。网站", strlen("赌博。网站"), &n));
	p = pgd_normalise_phrase(cm, "★ ★", 7, &n);
	assert_non_null(p);
	assert_int_equal(n, 0);
	free(p);
}

/* Walk the whole text with the iterator: the characters it yields, concatenated, are the
 * normalised text; each one normalises from exactly its original bytes; seeking to any
 * character start yields that character. */
static void check_mapping(const char *s)
{
	size_t len = strlen(s), nck;
	char *out = pgd_malloc(len + 1);
	struct pgd_nm_ckpt *ck = pgd_calloc(PGD_NM_CKPT_ROOM(len), sizeof(*ck));
	size_t n = pgd_normalise(cm, s, len, out, ck, &nck);
	struct pgd_nm_iter it;
	struct pgd_nm_char c;
	size_t o = 0, last_orig_end = 0;

	pgd_nm_iter_seek(&it, cm, s, len, ck, nck, 0);
	while (pgd_nm_iter_next(&it, &c)) {
		assert_int_equal(c.norm, o);
		assert_true(c.norm + c.norm_len <= n);
		assert_true(c.orig >= last_orig_end);
		assert_true(c.orig + c.orig_len <= len);
		/* the original bytes of this character normalise to exactly its bytes */
		char one[8];
		struct pgd_nm_ckpt ck1[4];
		size_t n1, nck1;
		n1 = pgd_normalise(cm, s + c.orig, c.orig_len, one, ck1, &nck1);
		assert_int_equal(n1, c.norm_len);
		assert_memory_equal(one, out + c.norm, n1);
		/* seeking to it finds it again */
		struct pgd_nm_iter it2;
		struct pgd_nm_char c2;
		pgd_nm_iter_seek(&it2, cm, s, len, ck, nck, c.norm);
		assert_true(pgd_nm_iter_next(&it2, &c2));
		assert_int_equal(c2.orig, c.orig);
		assert_int_equal(c2.norm, c.norm);
		o += c.norm_len;
		last_orig_end = c.orig + c.orig_len;
	}
	assert_int_equal(o, n);
	free(out);
	free(ck);
}

static void test_offsets_exact(void **state)
{
	(void)state;
	check_mapping("法 轮 功");
	check_mapping("ＸＸ網絡賭博平台，欢迎！\n第二行　abc");
	check_mapping("赌\xff博\xe8\xb5x");
	check_mapping("");
	check_mapping("★★★");
}

/* Random mixtures long enough to cross many checkpoints. */
/* The fast path gives the same text and checkpoints as the reference loop. */
static void check_fast(const char *s, size_t len, const struct pgd_nm_enc *enc)
{
	char *a = pgd_malloc(len + 1), *b = pgd_malloc(len + 1);
	struct pgd_nm_ckpt *ca = pgd_calloc(PGD_NM_CKPT_ROOM(len), sizeof(*ca));
	struct pgd_nm_ckpt *cb = pgd_calloc(PGD_NM_CKPT_ROOM(len), sizeof(*cb));
	size_t na, nb, ka, kb;
	na = pgd_normalise(cm, s, len, a, ca, &ka);
	nb = pgd_normalise_fast(cm, enc, s, len, b, cb, &kb);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	assert_int_equal(ka, kb);
	assert_memory_equal(ca, cb, ka * sizeof(*ca));
	free(a);
	free(b);
	free(ca);
	free(cb);
}

static void test_offsets_random(void **state)
{
	static const char *const pool[] = { "法", "輪", "功", "Ａ", "b", "C", " ", "\u3000",
					    "\u200b", "，", "。", "\n", "★", "😀", "\xff", "網",
					    "1", "１", "·", "—", "é", "\xe8\xb5" };
	const size_t np = sizeof(pool) / sizeof(pool[0]);
	unsigned seed = 12345;
	struct pgd_nm_enc *enc = pgd_nm_enc_build(cm);
	(void)state;
	for (int round = 0; round < 60; round++) {
		char buf[4096];
		size_t len = 0;
		size_t parts = (size_t)(round * 13 % 700) + 1;
		for (size_t i = 0; i < parts; i++) {
			seed = seed * 1103515245u + 12345u;
			const char *p = pool[(seed >> 16) % np];
			size_t l = strlen(p);
			if (len + l >= sizeof(buf))
				break;
			memcpy(buf + len, p, l);
			len += l;
		}
		buf[len] = '\0';
		check_mapping(buf);
		check_fast(buf, len, enc);
		/* every prefix length exercises the tail */
		for (size_t cut = len > 8 ? len - 8 : 0; cut < len; cut++)
			check_fast(buf, cut, enc);
	}
	free(enc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width_and_case),
		cmocka_unit_test(test_traditional),
		cmocka_unit_test(test_separators_dropped),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_phrase),
		cmocka_unit_test(test_offsets_exact),
		cmocka_unit_test(test_offsets_random),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
