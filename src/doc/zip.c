/* The zip reader shared by the .docx and .xlsx readers: one entry at a time, within a
 * budget of uncompressed bytes for the whole archive (a zip bomb is refused, not inflated). */
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "doc/internal.h"
#include "core/banned.h"

/* Read one entry whole. PGD_ERR_NOT_FOUND (err untouched) when it is absent. new: *out. */
int pgd_zip_read_entry(struct pgd_zreader *z, const char *entry, char **out, size_t *out_len,
                      struct pgd_err *err)
{
	zip_int64_t idx = zip_name_locate(z->za, entry, 0);
	zip_stat_t st;
	zip_file_t *zf = NULL;
	char *buf = NULL;
	size_t len = 0, cap;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	if (idx < 0)
		return PGD_ERR_NOT_FOUND;
	zip_stat_init(&st);
	if (zip_stat_index(z->za, (zip_uint64_t)idx, 0, &st) < 0) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name, "不是有效的%s：无法读取 %s", z->label, entry);
		goto out;
	}
	if ((st.valid & ZIP_STAT_SIZE) && st.size > z->budget) {
		rc = pgd_err_set(
		    err, PGD_ERR_TOO_LARGE, z->name,
		    "%s解压后超过 %zu MB（%s 声称 %llu 字节，可能是压缩炸弹），已拒绝",
		    z->kind, z->max >> 20, entry, (unsigned long long)st.size);
		goto out;
	}
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name, "%s已加密，无法读取", z->kind);
		goto out;
	}
	zf = zip_fopen_index(z->za, (zip_uint64_t)idx, 0);
	if (zf == NULL) {
		rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name, "不是有效的%s：无法打开 %s（%s）", z->label, entry,
		                 zip_strerror(z->za));
		goto out;
	}
	cap = (st.valid & ZIP_STAT_SIZE) ? (size_t)st.size + 1 : 65536;
	if (cap > z->budget + 1)
		cap = z->budget + 1;
	buf = pgd_malloc(cap + 1);
	for (;;) {
		zip_int64_t n;
		if (len == cap) {
			if (cap > z->budget) {
				rc = pgd_err_set(
				    err, PGD_ERR_TOO_LARGE, z->name,
				    "%s解压后超过 %zu MB（可能是压缩炸弹），已拒绝",
				    z->kind, z->max >> 20);
				goto out;
			}
			cap = cap > z->budget / 2 ? z->budget + 1 : cap * 2;
			buf = pgd_realloc(buf, cap + 1);
		}
		n = zip_fread(zf, buf + len, cap - len);
		if (n < 0) {
			rc = pgd_err_set(err, PGD_ERR_FORMAT, z->name,
			                 "不是有效的%s：%s 已损坏或被截断（%s）", z->label, entry,
			                 zip_file_strerror(zf));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > z->budget) {
		rc = pgd_err_set(err, PGD_ERR_TOO_LARGE, z->name,
		                 "%s解压后超过 %zu MB（可能是压缩炸弹），已拒绝",
		                 z->kind, z->max >> 20);
		goto out;
	}
	z->budget -= len;
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	buf = NULL;
out:
	if (zf)
		zip_fclose(zf);
	free(buf);
	return rc;
}

