/* Crypto layer: SM3/SM4/HMAC-SM3 known answers, sealing, key files, Argon2id, audit chain. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pubguard/crypto.h"
#include "pubguard/err.h"
#include "core/banned.h"

static void unhex_or_die(const char *hex, unsigned char *out, size_t n)
{
	assert_int_equal(pgd_unhex(hex, strlen(hex), out, n), 0);
}

static void assert_hex(const unsigned char *got, size_t n, const char *want)
{
	char buf[256];
	assert_true(2 * n + 1 <= sizeof(buf));
	pgd_hex(got, n, buf);
	assert_string_equal(buf, want);
}

static void test_sm3_vectors(void **state)
{
	unsigned char d[PGD_SM3_LEN];
	char abcd[65];
	struct pgd_sm3_ctx *c;

	/* GB/T 32905-2016 Appendix A, examples 1 and 2 */
	pgd_sm3("abc", 3, d);
	assert_hex(d, 32, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
	for (int i = 0; i < 16; i++)
		memcpy(abcd + 4 * i, "abcd", 4);
	pgd_sm3(abcd, 64, d);
	assert_hex(d, 32, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");

	/* incremental, split at odd places, and reusable after final */
	c = pgd_sm3_new();
	pgd_sm3_update(c, abcd, 7);
	pgd_sm3_update(c, abcd + 7, 0);
	pgd_sm3_update(c, abcd + 7, 57);
	pgd_sm3_final(c, d);
	assert_hex(d, 32, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
	pgd_sm3_update(c, "a", 1);
	pgd_sm3_update(c, "bc", 2);
	pgd_sm3_final(c, d);
	assert_hex(d, 32, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
	pgd_sm3_free(c);
	pgd_sm3_free(NULL);
}

static void test_hex(void **state)
{
	unsigned char b[4];
	assert_int_equal(pgd_unhex("00fFa5", 6, b, 3), 0);
	assert_int_equal(b[0], 0x00);
	assert_int_equal(b[1], 0xff);
	assert_int_equal(b[2], 0xa5);
	assert_int_equal(pgd_unhex("00fFa", 5, b, 3), PGD_ERR_INVALID);
	assert_int_equal(pgd_unhex("00fga5", 6, b, 3), PGD_ERR_INVALID);
}

static void test_hmac_sm3(void **state)
{
	unsigned char t[PGD_SM3_LEN];
	const char *msg = "The quick brown fox jumps over the lazy dog";
	/* expected from the OpenSSL command line, independently of this code:
	 * printf %s "$msg" | openssl mac -digest SM3 -macopt key:key HMAC */
	assert_int_equal(pgd_hmac_sm3("key", 3, msg, strlen(msg), t, NULL), 0);
	assert_hex(t, 32, "bd4a34077888162b210645b8ebf74b9af357303789357a27c7fc457244ebd398");
}

static void test_sm4_ecb_vector(void **state)
{
	unsigned char k[16], out[16];
	/* GB/T 32907-2016 Appendix A example 1: key = plaintext */
	unhex_or_die("0123456789abcdeffedcba9876543210", k, 16);
	assert_int_equal(pgd_sm4_encrypt_block(k, k, out, NULL), 0);
	assert_hex(out, 16, "681edf34d206965e86b3e94f536e4246");
}

static void test_key(struct pgd_key *k)
{
	for (int i = 0; i < PGD_KEY_LEN; i++)
		k->bytes[i] = (unsigned char)(i * 7 + 1);
}

static void test_seal_round_trip(void **state)
{
	struct pgd_key k;
	struct pgd_err err;
	unsigned char *blob = NULL, *blob2 = NULL, *pt = NULL;
	size_t blen, blen2, plen;
	const char *secret = "Platform-密码#2026";

	test_key(&k);
	assert_int_equal(pgd_seal(&k, "platform:42", 11, secret, strlen(secret), &blob, &blen, &err), 0);
	assert_int_equal(blen, strlen(secret) + PGD_SEAL_OVERHEAD);
	assert_int_equal(blob[0], 1);
	/* the plaintext does not appear in the blob */
	for (size_t i = 0; i + 8 <= blen; i++)
		assert_memory_not_equal(blob + i, "Platform", 8);
	assert_int_equal(pgd_unseal(&k, "platform:42", 11, blob, blen, &pt, &plen, &err), 0);
	assert_int_equal(plen, strlen(secret));
	assert_string_equal((char *)pt, secret);
	pgd_secret_free(pt, plen);

	/* a fresh IV each time: same input, different blob */
	assert_int_equal(pgd_seal(&k, "platform:42", 11, secret, strlen(secret), &blob2, &blen2, &err), 0);
	assert_int_equal(blen2, blen);
	assert_memory_not_equal(blob + 1, blob2 + 1, 16);
	free(blob2);

	/* other aad (the blob moved to another record) fails */
	pt = (unsigned char *)"x";
	assert_int_equal(pgd_unseal(&k, "platform:43", 11, blob, blen, &pt, &plen, &err), PGD_ERR_INTEGRITY);
	assert_null(pt);
	assert_int_equal(pgd_unseal(&k, NULL, 0, blob, blen, &pt, &plen, &err), PGD_ERR_INTEGRITY);
	free(blob);

	/* empty secret, no aad */
	assert_int_equal(pgd_seal(&k, NULL, 0, "", 0, &blob, &blen, NULL), 0);
	assert_int_equal(blen, PGD_SEAL_OVERHEAD);
	assert_int_equal(pgd_unseal(&k, NULL, 0, blob, blen, &pt, &plen, NULL), 0);
	assert_int_equal(plen, 0);
	assert_string_equal((char *)pt, "");
	pgd_secret_free(pt, plen);
	free(blob);
	pgd_secret_free(NULL, 0);

	/* over the cap */
	assert_int_equal(pgd_seal(&k, NULL, 0, "", (size_t)PGD_SEAL_MAX_PLAINTEXT + 1, &blob, &blen, &err),
		PGD_ERR_TOO_LARGE);
	assert_null(blob);
}

/* Rebuild the blob format from the primitives (HKDF-Expand-SM3, SM4 block, HMAC-SM3) and
 * compare byte for byte: the documented format is what pgd_seal writes. */
static void test_seal_known_answer(void **state)
{
	struct pgd_key k;
	unsigned char enc[32], mac[32], ks[16], ctr[16], tag[32];
	unsigned char *blob = NULL, msg[512];
	size_t blen, mlen = 0;
	const char *pt = "0123456789abcdefXYZW!"; /* 21 bytes: two counter blocks */
	const char *aad = "platform:7";
	size_t n = strlen(pt);

	test_key(&k);
	assert_int_equal(pgd_hmac_sm3(k.bytes, 32, "pubguard seal v1 enc\x01", 21, enc, NULL), 0);
	assert_int_equal(pgd_hmac_sm3(k.bytes, 32, "pubguard seal v1 mac\x01", 21, mac, NULL), 0);
	assert_int_equal(pgd_seal(&k, aad, strlen(aad), pt, n, &blob, &blen, NULL), 0);
	assert_int_equal(blen, 1 + 16 + n + 32);

	memcpy(ctr, blob + 1, 16);
	for (size_t i = 0; i < n; i++) {
		if (i % 16 == 0) {
			assert_int_equal(pgd_sm4_encrypt_block(enc, ctr, ks, NULL), 0);
			for (int j = 15; j >= 0 && ++ctr[j] == 0; j--) /* 128-bit big-endian increment */
				;
		}
		assert_int_equal(blob[17 + i] ^ ks[i % 16], (unsigned char)pt[i]);
	}
	memcpy(msg, blob, 17 + n);
	mlen = 17 + n;
	memcpy(msg + mlen, aad, strlen(aad));
	mlen += strlen(aad);
	memset(msg + mlen, 0, 7);
	msg[mlen + 7] = (unsigned char)strlen(aad);
	mlen += 8;
	assert_int_equal(pgd_hmac_sm3(mac, 32, msg, mlen, tag, NULL), 0);
	assert_memory_equal(tag, blob + 17 + n, 32);
	free(blob);
}

static void test_seal_tamper_every_byte(void **state)
{
	struct pgd_key k, k2;
	struct pgd_err err;
	unsigned char *blob = NULL, *pt = NULL;
	size_t blen, plen;
	const char *secret = "hunter2-账号口令";

	test_key(&k);
	assert_int_equal(pgd_seal(&k, "a", 1, secret, strlen(secret), &blob, &blen, NULL), 0);
	for (size_t i = 0; i < blen; i++) {
		for (int bit = 0; bit < 8; bit += 7) { /* low and high bit of every byte */
			blob[i] ^= (unsigned char)(1u << bit);
			pgd_err_clear(&err);
			assert_int_equal(pgd_unseal(&k, "a", 1, blob, blen, &pt, &plen, &err), PGD_ERR_INTEGRITY);
			assert_null(pt);
			assert_int_equal(plen, 0);
			assert_int_equal(err.code, PGD_ERR_INTEGRITY);
			blob[i] ^= (unsigned char)(1u << bit);
		}
	}
	/* truncated and extended blobs */
	for (size_t cut = 0; cut < blen; cut++)
		assert_int_equal(pgd_unseal(&k, "a", 1, blob, cut, &pt, &plen, NULL), PGD_ERR_INTEGRITY);
	/* wrong key: one bit different */
	k2 = k;
	k2.bytes[31] ^= 1;
	assert_int_equal(pgd_unseal(&k2, "a", 1, blob, blen, &pt, &plen, &err), PGD_ERR_INTEGRITY);
	assert_null(pt);
	assert_non_null(strstr(err.message, "密文校验失败"));
	/* the untouched blob still opens */
	assert_int_equal(pgd_unseal(&k, "a", 1, blob, blen, &pt, &plen, NULL), 0);
	assert_memory_equal(pt, secret, strlen(secret));
	pgd_secret_free(pt, plen);
	free(blob);
	pgd_key_wipe(&k2);
	for (int i = 0; i < PGD_KEY_LEN; i++)
		assert_int_equal(k2.bytes[i], 0);
	pgd_key_wipe(NULL);
}

static void write_file(const char *path, const void *data, size_t n, mode_t mode)
{
	int fd;
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_key_files(void **state)
{
	char dir[] = "/tmp/pgd_crypto_XXXXXX";
	char path[128], path2[128];
	struct pgd_key k, k2, want;
	struct pgd_err err;
	struct stat st;
	unsigned char raw[32];
	char hex[80];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/master.key", dir);
	snprintf(path2, sizeof(path2), "%s/raw.key", dir);

	/* generate: mode 0600 whatever the umask, loads back to the same key */
	umask(022);
	assert_int_equal(pgd_key_generate(path, &k, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 65);
	assert_int_equal(pgd_key_load(path, &k2, &err), 0);
	assert_memory_equal(k.bytes, k2.bytes, 32);
	/* never overwrites an existing key */
	assert_int_equal(pgd_key_generate(path, NULL, &err), PGD_ERR_IO);
	assert_int_equal(pgd_key_load(path, &k2, &err), 0);
	assert_memory_equal(k.bytes, k2.bytes, 32);

	/* group or world access is refused, naming the file */
	for (mode_t m = 0; m < 3; m++) {
		static const mode_t bad[] = {0640, 0604, 0660};
		assert_int_equal(chmod(path, bad[m]), 0);
		pgd_err_clear(&err);
		assert_int_equal(pgd_key_load(path, &k2, &err), PGD_ERR_INVALID);
		assert_string_equal(err.field, path);
		assert_non_null(strstr(err.message, "chmod 600"));
	}
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(pgd_key_load(path, &k2, &err), 0);

	/* raw 32 bytes; hex with CRLF; upper case hex */
	test_key(&want);
	memcpy(raw, want.bytes, 32);
	write_file(path2, raw, 32, 0600);
	assert_int_equal(pgd_key_load(path2, &k2, &err), 0);
	assert_memory_equal(k2.bytes, want.bytes, 32);
	pgd_hex(want.bytes, 32, hex);
	for (int i = 0; i < 64; i++)
		if (hex[i] >= 'a')
			hex[i] = (char)(hex[i] - 32);
	hex[64] = '\r';
	hex[65] = '\n';
	write_file(path2, hex, 66, 0600);
	memset(k2.bytes, 0, 32);
	assert_int_equal(pgd_key_load(path2, &k2, &err), 0);
	assert_memory_equal(k2.bytes, want.bytes, 32);

	/* bad content */
	write_file(path2, hex, 63, 0600);
	assert_int_equal(pgd_key_load(path2, &k2, &err), PGD_ERR_FORMAT);
	write_file(path2, raw, 31, 0600);
	assert_int_equal(pgd_key_load(path2, &k2, &err), PGD_ERR_FORMAT);
	hex[10] = 'g';
	write_file(path2, hex, 64, 0600);
	assert_int_equal(pgd_key_load(path2, &k2, &err), PGD_ERR_FORMAT);
	{
		char big[200];
		memset(big, 'a', sizeof(big));
		write_file(path2, big, sizeof(big), 0600);
		assert_int_equal(pgd_key_load(path2, &k2, &err), PGD_ERR_FORMAT);
	}
	/* missing file; directory; symlink not followed */
	unlink(path2);
	assert_int_equal(pgd_key_load(path2, &k2, &err), PGD_ERR_IO);
	assert_int_not_equal(pgd_key_load(dir, &k2, &err), 0);
	assert_int_equal(symlink(path, path2), 0);
	assert_int_not_equal(pgd_key_load(path2, &k2, &err), 0);

	unlink(path2);
	unlink(path);
	rmdir(dir);
	pgd_key_wipe(&k);
	pgd_key_wipe(&k2);
}

static void test_password(void **state)
{
	struct pgd_argon2_params p;
	struct pgd_err err;
	char *h = NULL, *h2 = NULL;
	int match = -1;

	pgd_argon2_defaults(&p);
	assert_int_equal(p.t_cost, 3);
	assert_int_equal(p.m_cost_kib, 65536);
	assert_int_equal(p.parallelism, 1);
	p.m_cost_kib = 256; /* small for test speed */
	p.t_cost = 1;
	assert_int_equal(pgd_password_hash(&p, "正确的口令 correct horse", &h, &err), 0);
	assert_non_null(strstr(h, "$argon2id$v=19$m=256,t=1,p=1$"));
	assert_int_equal(pgd_password_verify(h, "正确的口令 correct horse", &match, &err), 0);
	assert_int_equal(match, 1);
	assert_int_equal(pgd_password_verify(h, "正确的口令 correct hors", &match, &err), 0);
	assert_int_equal(match, 0);
	assert_int_equal(pgd_password_verify(h, "", &match, &err), 0);
	assert_int_equal(match, 0);
	/* salted: same password, different string, both verify */
	assert_int_equal(pgd_password_hash(&p, "正确的口令 correct horse", &h2, &err), 0);
	assert_string_not_equal(h, h2);
	assert_int_equal(pgd_password_verify(h2, "正确的口令 correct horse", &match, &err), 0);
	assert_int_equal(match, 1);
	/* a changed hash character no longer verifies */
	h2[strlen(h2) - 2] = h2[strlen(h2) - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(pgd_password_verify(h2, "正确的口令 correct horse", &match, NULL), 0);
	assert_int_equal(match, 0);
	free(h2);
	/* malformed or other algorithm */
	assert_int_equal(pgd_password_verify("$argon2i$v=19$m=256,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "x", &match, &err),
		PGD_ERR_INVALID);
	assert_int_equal(pgd_password_verify("$argon2id$garbage", "x", &match, &err), PGD_ERR_INVALID);
	assert_int_equal(match, 0);
	/* bad parameters */
	p.t_cost = 0;
	assert_int_equal(pgd_password_hash(&p, "x", &h2, &err), PGD_ERR_INVALID);
	assert_null(h2);
	free(h);
}

#define NENT 6

static void test_chain(void **state)
{
	char data[NENT][64];
	unsigned char links[NENT][PGD_SM3_LEN], prev[PGD_SM3_LEN] = {0}, manual[PGD_SM3_LEN], buf[64];
	struct pgd_chain_entry e[NENT];
	struct pgd_err err;
	size_t bad = 99;

	for (int i = 0; i < NENT; i++) {
		snprintf(data[i], sizeof(data[i]), "{\"seq\":%d,\"who\":\"user%d\",\"what\":\"login\"}", i, i);
		assert_int_equal(pgd_chain_hash(prev, data[i], strlen(data[i]), links[i], NULL), 0);
		memcpy(prev, links[i], PGD_SM3_LEN);
		e[i].data = data[i];
		e[i].len = strlen(data[i]);
		e[i].hash = links[i];
	}
	/* link 1 by the definition: SM3(link0 || SM3(entry1)) */
	memcpy(buf, links[0], 32);
	pgd_sm3(data[1], strlen(data[1]), buf + 32);
	pgd_sm3(buf, 64, manual);
	assert_memory_equal(manual, links[1], 32);

	assert_int_equal(pgd_chain_verify(NULL, e, NENT, links[NENT - 1], &bad, &err), 0);
	assert_int_equal(pgd_chain_verify(NULL, e, 0, NULL, &bad, &err), 0);

	/* change any byte of any entry: verify fails and names that entry */
	for (int i = 0; i < NENT; i++) {
		for (size_t j = 0; j < e[i].len; j++) {
			data[i][j] ^= 0x20;
			bad = 99;
			assert_int_equal(pgd_chain_verify(NULL, e, NENT, NULL, &bad, &err), PGD_ERR_INTEGRITY);
			assert_int_equal(bad, (size_t)i);
			data[i][j] ^= 0x20;
		}
		/* or of its stored link */
		links[i][5] ^= 1;
		assert_int_equal(pgd_chain_verify(NULL, e, NENT, NULL, &bad, &err), PGD_ERR_INTEGRITY);
		assert_int_equal(bad, (size_t)i);
		links[i][5] ^= 1;
	}
	pgd_err_clear(&err);
	data[3][0] = 'X';
	assert_int_equal(pgd_chain_verify(NULL, e, NENT, NULL, &bad, &err), PGD_ERR_INTEGRITY);
	assert_string_equal(err.field, "entry 3");
	assert_non_null(strstr(err.message, "第 3 条"));
	data[3][0] = '{';

	/* delete entry 2: entry 3 (the one after it) is named */
	{
		struct pgd_chain_entry d[NENT - 1];
		memcpy(d, e, 2 * sizeof(e[0]));
		memcpy(d + 2, e + 3, (NENT - 3) * sizeof(e[0]));
		assert_int_equal(pgd_chain_verify(NULL, d, NENT - 1, NULL, &bad, &err), PGD_ERR_INTEGRITY);
		assert_int_equal(bad, 2);
	}
	/* cut the tail: only the recorded head notices */
	assert_int_equal(pgd_chain_verify(NULL, e, NENT - 1, NULL, &bad, &err), 0);
	assert_int_equal(pgd_chain_verify(NULL, e, NENT - 1, links[NENT - 1], &bad, &err), PGD_ERR_INTEGRITY);
	assert_int_equal(bad, NENT - 1);
	/* another genesis breaks the first link */
	prev[0] = 1;
	assert_int_equal(pgd_chain_verify(prev, e, NENT, NULL, &bad, &err), PGD_ERR_INTEGRITY);
	assert_int_equal(bad, 0);
}

static void test_error_codes(void **state)
{
	assert_string_equal(pgd_strerror(PGD_ERR_CRYPTO), "加解密失败");
	assert_string_equal(pgd_strerror(PGD_ERR_INTEGRITY), "数据完整性校验失败");
	assert_int_equal(pgd_err_http_status(PGD_ERR_INTEGRITY), 422);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sm3_vectors),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_hmac_sm3),
		cmocka_unit_test(test_sm4_ecb_vector),
		cmocka_unit_test(test_seal_round_trip),
		cmocka_unit_test(test_seal_known_answer),
		cmocka_unit_test(test_seal_tamper_every_byte),
		cmocka_unit_test(test_key_files),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_error_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
