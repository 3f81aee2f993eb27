/* Password hashing with Argon2id (libargon2), PHC-encoded. */
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "core/banned.h"

#define SALT_MAX 64
#define M_COST_MAX (4u << 20) /* 4 GiB in KiB: refuse absurd configurations */

void pgd_argon2_defaults(struct pgd_argon2_params *p)
{
	p->t_cost = 3;
	p->m_cost_kib = 64 * 1024;
	p->parallelism = 1;
	p->salt_len = 16;
	p->hash_len = 32;
}

int pgd_password_hash(const struct pgd_argon2_params *params, const char *password,
	char **encoded, struct pgd_err *err)
{
	struct pgd_argon2_params p;
	unsigned char salt[SALT_MAX];
	size_t pwlen, enclen;
	char *out = NULL;
	int rc = 0, arc;

	*encoded = NULL;
	if (params)
		p = *params;
	else
		pgd_argon2_defaults(&p);
	pwlen = strlen(password);
	if (pwlen > PGD_PASSWORD_MAX) {
		rc = pgd_err_set(err, PGD_ERR_INVALID, "password", "口令过长：超过 %d 字节", PGD_PASSWORD_MAX);
		goto out;
	}
	if (p.t_cost < 1 || p.parallelism < 1 || p.parallelism > 64 || p.m_cost_kib < 8 * p.parallelism ||
		p.m_cost_kib > M_COST_MAX || p.salt_len < 8 || p.salt_len > SALT_MAX || p.hash_len < 16 ||
		p.hash_len > 64) {
		rc = pgd_err_set(err, PGD_ERR_INVALID, "argon2",
			"Argon2id 参数无效：t=%u m=%uKiB p=%u 盐长=%u 摘要长=%u", p.t_cost, p.m_cost_kib,
			p.parallelism, p.salt_len, p.hash_len);
		goto out;
	}
	if (RAND_bytes(salt, (int)p.salt_len) != 1) {
		rc = pgd_err_set(err, PGD_ERR_CRYPTO, "password", "生成随机盐失败：系统随机数源不可用");
		goto out;
	}
	enclen = argon2_encodedlen(p.t_cost, p.m_cost_kib, p.parallelism, p.salt_len, p.hash_len,
		Argon2_id);
	out = pgd_malloc(enclen);
	arc = argon2id_hash_encoded(p.t_cost, p.m_cost_kib, p.parallelism, password, pwlen, salt,
		p.salt_len, p.hash_len, out, enclen);
	if (arc != ARGON2_OK) {
		rc = pgd_err_set(err, PGD_ERR_CRYPTO, "password", "计算口令摘要失败：%s",
			argon2_error_message(arc));
		goto out;
	}
	*encoded = out;
	out = NULL;
out:
	free(out);
	OPENSSL_cleanse(salt, sizeof(salt));
	return rc;
}

int pgd_password_verify(const char *encoded, const char *password, int *match,
	struct pgd_err *err)
{
	size_t pwlen = strlen(password);
	int arc;

	*match = 0;
	if (strncmp(encoded, "$argon2id$", 10) != 0)
		return pgd_err_set(err, PGD_ERR_INVALID, "password_hash", "口令摘要不是 Argon2id 格式");
	if (pwlen > PGD_PASSWORD_MAX)
		return 0; /* could never have been set: a mismatch, without hashing 1 MB */
	arc = argon2id_verify(encoded, password, pwlen);
	if (arc == ARGON2_OK) {
		*match = 1;
		return 0;
	}
	if (arc == ARGON2_VERIFY_MISMATCH)
		return 0;
	return pgd_err_set(err, PGD_ERR_INVALID, "password_hash", "口令摘要格式错误：%s",
		argon2_error_message(arc));
}
