/* Master key files and sealed secrets (SM4-CTR + HMAC-SM3, encrypt-then-MAC). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "core/banned.h"

#define IV_LEN 16
#define SM4_KEY_LEN 16

void pgd_key_wipe(struct pgd_key *key)
{
	if (key)
		OPENSSL_cleanse(key->bytes, sizeof(key->bytes));
}

void pgd_secret_free(void *p, size_t len)
{
	if (!p)
		return;
	OPENSSL_cleanse(p, len + 1);
	free(p);
}

int pgd_key_load(const char *path, struct pgd_key *key, struct pgd_err *err)
{
	unsigned char buf[PGD_KEY_LEN * 2 + 3];
	size_t n = 0;
	struct stat st;
	int fd = -1, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = pgd_err_set(err, PGD_ERR_IO, path, "无法打开密钥文件 %s：%s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = pgd_err_set(err, PGD_ERR_INVALID, path, "密钥文件 %s 不是普通文件", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = pgd_err_set(err, PGD_ERR_INVALID, path,
			"密钥文件 %s 的权限 %03o 过宽：同组或其他用户可访问，请执行 chmod 600", path,
			(unsigned)(st.st_mode & 0777));
		goto out;
	}
	for (;;) { /* read at most sizeof(buf): anything longer is wrong anyway */
		ssize_t r = read(fd, buf + n, sizeof(buf) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = pgd_err_set(err, PGD_ERR_IO, path, "读取密钥文件 %s 失败：%s", path, strerror(errno));
			goto out;
		}
		if (r == 0 || (n += (size_t)r) == sizeof(buf))
			break;
	}
	if (n == PGD_KEY_LEN) {
		memcpy(key->bytes, buf, PGD_KEY_LEN);
		goto out;
	}
	if (n == 2 * PGD_KEY_LEN + 1 && buf[n - 1] == '\n')
		n--;
	else if (n == 2 * PGD_KEY_LEN + 2 && buf[n - 2] == '\r' && buf[n - 1] == '\n')
		n -= 2;
	if (n != 2 * PGD_KEY_LEN || pgd_unhex((const char *)buf, n, key->bytes, PGD_KEY_LEN) != 0) {
		pgd_key_wipe(key);
		rc = pgd_err_set(err, PGD_ERR_FORMAT, path,
			"密钥文件 %s 格式错误：应为 32 字节原始密钥或 64 位十六进制数", path);
	}
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	return rc;
}

int pgd_key_generate(const char *path, struct pgd_key *key, struct pgd_err *err)
{
	struct pgd_key k;
	char hex[2 * PGD_KEY_LEN + 2];
	size_t off = 0;
	int fd = -1, rc = 0;

	if (RAND_priv_bytes(k.bytes, PGD_KEY_LEN) != 1) {
		rc = pgd_err_set(err, PGD_ERR_CRYPTO, path, "生成随机密钥失败：系统随机数源不可用");
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = pgd_err_set(err, PGD_ERR_IO, path, "无法创建密钥文件 %s：%s%s", path, strerror(errno),
			errno == EEXIST ? "（已有密钥不会被覆盖）" : "");
		goto out;
	}
	if (fchmod(fd, 0600) != 0)
		goto io_fail;
	pgd_hex(k.bytes, PGD_KEY_LEN, hex);
	hex[2 * PGD_KEY_LEN] = '\n';
	while (off < sizeof(hex) - 1) {
		ssize_t w = write(fd, hex + off, sizeof(hex) - 1 - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto io_fail;
		off += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto io_fail;
	if (close(fd) != 0) {
		fd = -1;
		goto io_fail;
	}
	fd = -1;
	if (key)
		*key = k;
	goto out;
io_fail:
	rc = pgd_err_set(err, PGD_ERR_IO, path, "写入密钥文件 %s 失败：%s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(path);
out:
	if (fd >= 0)
		close(fd);
	OPENSSL_cleanse(hex, sizeof(hex));
	pgd_key_wipe(&k);
	return rc;
}

/* HKDF-Expand(PRK = master, info = label, L = 32) is one HMAC block: T(1) = HMAC(PRK, info || 0x01). */
static int derive(const struct pgd_key *key, const char *label, unsigned char out[PGD_SM3_LEN],
	struct pgd_err *err)
{
	unsigned char info[64];
	size_t n = strlen(label);
	int rc;
	memcpy(info, label, n);
	info[n] = 0x01;
	rc = pgd_hmac_sm3(key->bytes, PGD_KEY_LEN, info, n + 1, out, err);
	return rc;
}

/* tag = HMAC-SM3(mac_key, version | IV | ciphertext | aad | u64be(aad_len)); blob excludes the tag. */
static int seal_tag(const unsigned char mac_key[PGD_SM3_LEN], const unsigned char *blob, size_t len,
	const void *aad, size_t aad_len, unsigned char tag[PGD_SM3_LEN], struct pgd_err *err)
{
	size_t total = len + aad_len + 8;
	unsigned char *msg = pgd_malloc(total);
	int rc;
	memcpy(msg, blob, len);
	if (aad_len)
		memcpy(msg + len, aad, aad_len);
	for (int i = 0; i < 8; i++)
		msg[len + aad_len + (size_t)i] = (unsigned char)((uint64_t)aad_len >> (56 - 8 * i));
	rc = pgd_hmac_sm3(mac_key, PGD_SM3_LEN, msg, total, tag, err);
	OPENSSL_cleanse(msg, total); /* ciphertext and aad only, but cheap */
	free(msg);
	return rc;
}

/* SM4-CTR is its own inverse. */
static int sm4_ctr(const unsigned char key[SM4_KEY_LEN], const unsigned char iv[IV_LEN],
	const unsigned char *in, size_t len, unsigned char *out, struct pgd_err *err)
{
	EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0, fin = 0, rc = PGD_ERR_CRYPTO;

	if (!ciph || !ctx || !EVP_EncryptInit_ex2(ctx, ciph, key, iv, NULL))
		goto out;
	if (len && !EVP_EncryptUpdate(ctx, out, &outl, in, (int)len))
		goto out;
	if (!EVP_EncryptFinal_ex(ctx, out + outl, &fin) || (size_t)outl + (size_t)fin != len)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(ciph);
	if (rc)
		pgd_err_set(err, rc, "SM4", "SM4-CTR 加解密失败（OpenSSL 未提供 SM4）");
	return rc;
}

int pgd_seal(const struct pgd_key *key, const void *aad, size_t aad_len,
	const void *plaintext, size_t len, unsigned char **blob, size_t *blob_len,
	struct pgd_err *err)
{
	unsigned char enc[PGD_SM3_LEN], mac[PGD_SM3_LEN];
	unsigned char *b = NULL;
	size_t body;
	int rc;

	*blob = NULL;
	*blob_len = 0;
	if (len > PGD_SEAL_MAX_PLAINTEXT) {
		rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, "secret", "待加密的秘密长 %zu 字节，超过上限 %u 字节",
			len, PGD_SEAL_MAX_PLAINTEXT);
		goto out;
	}
	if ((rc = derive(key, "pubguard seal v1 enc", enc, err)) != 0 ||
		(rc = derive(key, "pubguard seal v1 mac", mac, err)) != 0)
		goto out;
	body = 1 + IV_LEN + len;
	b = pgd_malloc(body + PGD_SM3_LEN);
	b[0] = PGD_SEAL_VERSION;
	if (RAND_bytes(b + 1, IV_LEN) != 1) {
		rc = pgd_err_set(err, PGD_ERR_CRYPTO, "secret", "生成随机 IV 失败：系统随机数源不可用");
		goto out;
	}
	if ((rc = sm4_ctr(enc, b + 1, plaintext, len, b + 1 + IV_LEN, err)) != 0)
		goto out;
	if ((rc = seal_tag(mac, b, body, aad, aad_len, b + body, err)) != 0)
		goto out;
	*blob = b;
	*blob_len = body + PGD_SM3_LEN;
	b = NULL;
out:
	free(b); /* holds ciphertext at most */
	OPENSSL_cleanse(enc, sizeof(enc));
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int pgd_unseal(const struct pgd_key *key, const void *aad, size_t aad_len,
	const unsigned char *blob, size_t blob_len, unsigned char **plaintext, size_t *len,
	struct pgd_err *err)
{
	unsigned char enc[PGD_SM3_LEN], mac[PGD_SM3_LEN], tag[PGD_SM3_LEN];
	unsigned char *p = NULL;
	size_t body, n;
	int rc;

	*plaintext = NULL;
	*len = 0;
	if (blob_len < PGD_SEAL_OVERHEAD || blob_len - PGD_SEAL_OVERHEAD > PGD_SEAL_MAX_PLAINTEXT ||
		blob[0] != PGD_SEAL_VERSION) {
		rc = pgd_err_set(err, PGD_ERR_INTEGRITY, "secret",
			"密文格式错误：长度 %zu 字节或版本号不符，无法解密", blob_len);
		goto out;
	}
	if ((rc = derive(key, "pubguard seal v1 enc", enc, err)) != 0 ||
		(rc = derive(key, "pubguard seal v1 mac", mac, err)) != 0)
		goto out;
	body = blob_len - PGD_SM3_LEN;
	if ((rc = seal_tag(mac, blob, body, aad, aad_len, tag, err)) != 0)
		goto out;
	if (CRYPTO_memcmp(tag, blob + body, PGD_SM3_LEN) != 0) {
		rc = pgd_err_set(err, PGD_ERR_INTEGRITY, "secret",
			"密文校验失败：数据被篡改、密钥不对或不属于此记录，拒绝解密");
		goto out;
	}
	n = body - 1 - IV_LEN;
	p = pgd_malloc(n + 1);
	if ((rc = sm4_ctr(enc, blob + 1, blob + 1 + IV_LEN, n, p, err)) != 0) {
		pgd_secret_free(p, n);
		p = NULL;
		goto out;
	}
	p[n] = '\0';
	*plaintext = p;
	*len = n;
out:
	OPENSSL_cleanse(enc, sizeof(enc));
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_cleanse(tag, sizeof(tag));
	return rc;
}
