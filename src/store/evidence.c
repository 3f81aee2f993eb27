/* Evidence blobs of the patrol: the raw bytes of a fetched page or a screenshot, stored under
 * their SHA-256 (lowercase hex), zlib-compressed when that helps, verified on the way in and on
 * the way out. The only zlib user; SHA-256 from the crypto layer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "pubguard/patrol_store.h"
#include "store/internal.h"
#include "core/banned.h"

static int valid_sha(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int pgd_patrol_blob_exists(struct pgd_store *st, const char *sha256, int *exists, struct pgd_err *err)
{
	int64_t v = 0;
	int rc = pgd_store_query_int(st, &v, err, "SELECT COUNT(*) FROM patrol_evidence_blobs WHERE sha256 = $1", "s",
		sha256);
	*exists = rc == 0 && v > 0;
	return rc;
}

int pgd_patrol_blob_put(struct pgd_store *st, const char *sha256, const void *bytes, size_t len, int *created,
	struct pgd_err *err)
{
	char got[65], now[32];
	unsigned char *z = NULL;
	uLongf zlen;
	struct pgd_stmt *s = NULL;
	int rc, exists = 0, own = 0;
	int64_t changes = 0;

	*created = 0;
	if (!valid_sha(sha256))
		return pgd_err_set(err, PGD_ERR_INVALID, "sha256", "证据编号无效：应为 64 位小写十六进制 SHA-256");
	if (len > PGD_PATROL_EVIDENCE_MAX)
		return pgd_err_set(err, PGD_ERR_TOO_LARGE, "body", "证据超过 16 MB 上限");
	pgd_sha256_hex(bytes, len, got);
	if (strcmp(got, sha256) != 0)
		return pgd_err_set(err, PGD_ERR_INTEGRITY, "sha256", "证据内容的 SHA-256（%s）与编号 %s 不符", got, sha256);
	rc = pgd_patrol_blob_exists(st, sha256, &exists, err);
	if (rc < 0 || exists)
		return rc;
	zlen = compressBound((uLong)len);
	z = pgd_malloc(zlen ? zlen : 1);
	if (compress2(z, &zlen, bytes, (uLong)len, 6) != Z_OK)
		zlen = (uLongf)len + 1; /* store it as it is */
	pgd_store_now(now);
	rc = pgd_store_tx_enter(st, &own, err);
	if (rc < 0)
		goto out;
	rc = pgd_store_prep(st, &s, err,
		"INSERT INTO patrol_evidence_blobs (sha256, size, compression, body, stored_at) VALUES ($1, $2, $3, $4, $5) "
		"ON CONFLICT (sha256) DO NOTHING",
		"sis", sha256, (int64_t)len, zlen < len ? "zlib" : "none");
	if (rc == 0) {
		rc = st->be->bind_blob(s, 4, zlen < len ? (const void *)z : bytes, zlen < len ? (size_t)zlen : len);
		if (rc == 0)
			rc = st->be->bind_text(s, 5, now);
		if (rc < 0) {
			st->be->finalize(s);
			rc = pgd_err_set(err, rc, "body", "证据写入数据库失败");
		} else {
			rc = pgd_store_run(st, s, &changes, err);
		}
	}
	rc = pgd_store_tx_leave(st, own, rc, err);
	if (rc == 0)
		*created = changes > 0;
out:
	free(z);
	return rc;
}

int pgd_patrol_blob_get(struct pgd_store *st, const char *sha256, unsigned char **out, size_t *len,
	struct pgd_err *err)
{
	struct pgd_stmt *s = NULL;
	unsigned char *buf = NULL;
	char got[65];
	int rc;

	*out = NULL;
	*len = 0;
	rc = pgd_store_prep(st, &s, err,
		"SELECT size, compression, body FROM patrol_evidence_blobs WHERE sha256 = $1", "s", sha256);
	if (rc < 0)
		return rc;
	rc = st->be->step(s, err);
	if (rc == 0) {
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, "sha256", "证据 %s 不存在", sha256);
		goto out;
	}
	if (rc < 0)
		goto out;
	{
		int64_t size = st->be->col_int(s, 0);
		const char *comp = st->be->col_text(s, 1);
		int zlib = comp && strcmp(comp, "zlib") == 0;
		const void *body = st->be->col_blob(s, 2);
		size_t blen = st->be->col_len(s, 2);
		if (size < 0 || (uint64_t)size > PGD_PATROL_EVIDENCE_MAX) {
			rc = pgd_err_set(err, PGD_ERR_INTEGRITY, "sha256", "证据 %s 的记录大小异常", sha256);
			goto out;
		}
		buf = pgd_malloc((size_t)size + 1);
		if (zlib) {
			uLongf dl = (uLongf)size;
			if (uncompress(buf, &dl, body ? body : (const void *)"", (uLong)blen) != Z_OK || dl != (uLongf)size) {
				rc = pgd_err_set(err, PGD_ERR_INTEGRITY, "sha256", "证据 %s 无法解压，数据已损坏", sha256);
				goto out;
			}
		} else {
			if (blen != (size_t)size) {
				rc = pgd_err_set(err, PGD_ERR_INTEGRITY, "sha256", "证据 %s 的长度与记录不符", sha256);
				goto out;
			}
			if (blen)
				memcpy(buf, body, blen);
		}
		buf[size] = '\0';
		pgd_sha256_hex(buf, (size_t)size, got);
		if (strcmp(got, sha256) != 0) {
			rc = pgd_err_set(err, PGD_ERR_INTEGRITY, "sha256", "证据 %s 的内容校验失败（数据已被改动）", sha256);
			goto out;
		}
		*out = buf;
		*len = (size_t)size;
		buf = NULL;
		rc = 0;
	}
out:
	st->be->finalize(s);
	free(buf);
	return rc;
}
