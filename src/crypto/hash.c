/* SM3, SHA-256, HMAC-SM3, the raw SM4 block (for known-answer tests) and the SM3 audit chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "core/banned.h"

struct pgd_sm3_ctx {
	EVP_MD_CTX *md;
	EVP_MD *sm3;
};

/* A missing SM3 is a broken OpenSSL install, like OOM: abort rather than add error paths. */
static void sm3_check(int ok)
{
	if (!ok)
		abort();
}

struct pgd_sm3_ctx *pgd_sm3_new(void)
{
	struct pgd_sm3_ctx *c = pgd_calloc(1, sizeof(*c));
	c->md = EVP_MD_CTX_new();
	c->sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
	sm3_check(c->md && c->sm3);
	sm3_check(EVP_DigestInit_ex2(c->md, c->sm3, NULL));
	return c;
}

void pgd_sm3_update(struct pgd_sm3_ctx *c, const void *data, size_t len)
{
	if (len)
		sm3_check(EVP_DigestUpdate(c->md, data, len));
}

void pgd_sm3_final(struct pgd_sm3_ctx *c, unsigned char out[PGD_SM3_LEN])
{
	unsigned int n = 0;
	sm3_check(EVP_DigestFinal_ex(c->md, out, &n) && n == PGD_SM3_LEN);
	sm3_check(EVP_DigestInit_ex2(c->md, c->sm3, NULL));
}

void pgd_sm3_free(struct pgd_sm3_ctx *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
	EVP_MD_free(c->sm3);
	free(c);
}

void pgd_sm3(const void *data, size_t len, unsigned char out[PGD_SM3_LEN])
{
	EVP_MD *sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
	unsigned int n = 0;
	sm3_check(sm3 != NULL);
	sm3_check(EVP_Digest(len ? data : "", len, out, &n, sm3, NULL) && n == PGD_SM3_LEN);
	EVP_MD_free(sm3);
}

void pgd_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int pgd_unhex(const char *hex, size_t hexlen, unsigned char *out, size_t n)
{
	if (hexlen != 2 * n)
		return PGD_ERR_INVALID;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return PGD_ERR_INVALID;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int pgd_hmac_sm3(const void *key, size_t keylen, const void *data, size_t len,
	unsigned char out[PGD_SM3_LEN], struct pgd_err *err)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t outl = 0;
	int rc = PGD_ERR_CRYPTO;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SM3", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!mac || !(ctx = EVP_MAC_CTX_new(mac)))
		goto out;
	if (!EVP_MAC_init(ctx, key, keylen, params))
		goto out;
	if (len && !EVP_MAC_update(ctx, data, len))
		goto out;
	if (!EVP_MAC_final(ctx, out, &outl, PGD_SM3_LEN) || outl != PGD_SM3_LEN)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	if (rc)
		pgd_err_set(err, rc, "HMAC-SM3", "计算 HMAC-SM3 失败（OpenSSL 未提供 SM3 或 HMAC）");
	return rc;
}

int pgd_sm4_encrypt_block(const unsigned char key[16], const unsigned char in[16],
	unsigned char out[16], struct pgd_err *err)
{
	EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, "SM4-ECB", NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0, rc = PGD_ERR_CRYPTO;

	if (!ciph || !ctx || !EVP_EncryptInit_ex2(ctx, ciph, key, NULL, NULL))
		goto out;
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	if (!EVP_EncryptUpdate(ctx, out, &outl, in, 16) || outl != 16)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(ciph);
	if (rc)
		pgd_err_set(err, rc, "SM4", "SM4 分组加密失败（OpenSSL 未提供 SM4）");
	return rc;
}

int pgd_chain_hash(const unsigned char prev[PGD_SM3_LEN], const void *entry, size_t len,
	unsigned char out[PGD_SM3_LEN], struct pgd_err *err)
{
	unsigned char buf[2 * PGD_SM3_LEN];
	memcpy(buf, prev, PGD_SM3_LEN);
	pgd_sm3(entry, len, buf + PGD_SM3_LEN);
	pgd_sm3(buf, sizeof(buf), out);
	return 0;
}

int pgd_chain_verify(const unsigned char *genesis, const struct pgd_chain_entry *entries,
	size_t n, const unsigned char *head, size_t *first_bad, struct pgd_err *err)
{
	static const unsigned char zeros[PGD_SM3_LEN];
	unsigned char link[PGD_SM3_LEN];
	char field[32];

	memcpy(link, genesis ? genesis : zeros, PGD_SM3_LEN);
	for (size_t i = 0; i < n; i++) {
		pgd_chain_hash(link, entries[i].data, entries[i].len, link, err);
		if (!entries[i].hash || CRYPTO_memcmp(link, entries[i].hash, PGD_SM3_LEN) != 0) {
			if (first_bad)
				*first_bad = i;
			snprintf(field, sizeof(field), "entry %zu", i);
			return pgd_err_set(err, PGD_ERR_INTEGRITY, field,
				"审计链在第 %zu 条记录处断开：该记录或其前一条记录被修改或删除", i);
		}
	}
	if (head && CRYPTO_memcmp(link, head, PGD_SM3_LEN) != 0) {
		if (first_bad)
			*first_bad = n;
		return pgd_err_set(err, PGD_ERR_INTEGRITY, "head",
			"审计链末尾与记录的链头不符：共 %zu 条记录，末尾的记录可能被删除", n);
	}
	return 0;
}

void pgd_sha256(const void *data, size_t len, unsigned char out[PGD_SHA256_LEN])
{
	unsigned int n = 0;
	sm3_check(EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 && n == PGD_SHA256_LEN);
}

void pgd_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[PGD_SHA256_LEN];
	pgd_sha256(data, len, md);
	pgd_hex(md, sizeof(md), out);
}
