/* vectorscan wrapper: literal database in block mode. See matcher.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "check/matcher.h"
#include "core/banned.h"

struct pgd_matcher {
	hs_database_t *db; /* NULL: matches nothing */
};

struct pgd_matcher_scratch {
	hs_scratch_t *hs;
};

int pgd_matcher_compile(const char *const *lits, const size_t *lens, const unsigned *ids,
			size_t n, struct pgd_matcher **out, struct pgd_err *err)
{
	struct pgd_matcher *m = pgd_calloc(1, sizeof(*m));
	hs_compile_error_t *ce = NULL;
	unsigned *flags = NULL;
	int rc = 0;

	*out = NULL;
	if (n > UINT_MAX) {
		rc = pgd_err_set(err, PGD_ERR_RULES, NULL, "词库条目过多（%zu）", n);
		goto out;
	}
	if (n > 0) {
		flags = pgd_calloc(n, sizeof(*flags));
		if (hs_compile_lit_multi(lits, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL,
					 &m->db, &ce) != HS_SUCCESS) {
			rc = pgd_err_set(err, PGD_ERR_RULES, NULL, "词库编译失败（vectorscan）：%s",
					 ce && ce->message ? ce->message : "未知原因");
			goto out;
		}
	}
	*out = m;
	m = NULL;
out:
	if (ce)
		hs_free_compile_error(ce);
	free(flags);
	pgd_matcher_free(m);
	return rc;
}

int pgd_matcher_serialize(const struct pgd_matcher *m, char **bytes, size_t *len,
			  struct pgd_err *err)
{
	*bytes = NULL;
	*len = 0;
	if (m->db == NULL)
		return 0;
	if (hs_serialize_database(m->db, bytes, len) != HS_SUCCESS)
		return pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "无法序列化词库（vectorscan）");
	return 0;
}

int pgd_matcher_deserialize(const char *bytes, size_t len, struct pgd_matcher **out,
			    struct pgd_err *err)
{
	struct pgd_matcher *m = pgd_calloc(1, sizeof(*m));

	*out = NULL;
	if (len > 0 && hs_deserialize_database(bytes, len, &m->db) != HS_SUCCESS) {
		free(m);
		return pgd_err_set(err, PGD_ERR_RULES, NULL, "已编译词库缓存无效（vectorscan）");
	}
	*out = m;
	return 0;
}

void pgd_matcher_free(struct pgd_matcher *m)
{
	if (m == NULL)
		return;
	if (m->db)
		hs_free_database(m->db);
	free(m);
}

size_t pgd_matcher_size(const struct pgd_matcher *m)
{
	size_t n = 0;
	if (m && m->db && hs_database_size(m->db, &n) != HS_SUCCESS)
		n = 0;
	return n;
}

void pgd_matcher_engine_tag(char *buf, size_t cap)
{
	hs_platform_info_t pl;
	memset(&pl, 0, sizeof(pl));
	if (hs_populate_platform(&pl) != HS_SUCCESS)
		memset(&pl, 0, sizeof(pl));
	snprintf(buf, cap, "vectorscan %s tune=%u features=%llx", hs_version(), pl.tune,
		 (unsigned long long)pl.cpu_features);
}

struct pgd_matcher_scratch *pgd_matcher_scratch_new(const struct pgd_matcher *m)
{
	struct pgd_matcher_scratch *s = pgd_calloc(1, sizeof(*s));
	if (m->db && hs_alloc_scratch(m->db, &s->hs) != HS_SUCCESS)
		abort(); /* only fails on allocation failure or a corrupt database */
	return s;
}

void pgd_matcher_scratch_free(struct pgd_matcher_scratch *s)
{
	if (s == NULL)
		return;
	if (s->hs)
		hs_free_scratch(s->hs);
	free(s);
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
		    unsigned flags, void *ctx)
{
	struct pgd_match_vec *out = ctx;
	(void)from;
	(void)flags;
	PGD_GROW(out->v, out->n + 1, out->cap);
	out->v[out->n].id = id;
	out->v[out->n].end = (uint32_t)to;
	out->n++;
	return 0;
}

int pgd_matcher_scan(const struct pgd_matcher *m, struct pgd_matcher_scratch *s,
		     const char *text, size_t len, struct pgd_match_vec *out, struct pgd_err *err)
{
	if (m->db == NULL || len == 0)
		return 0;
	if (len > UINT_MAX)
		return pgd_err_set(err, PGD_ERR_TOO_LARGE, NULL, "单次扫描的文本过长");
	if (hs_scan(m->db, text, (unsigned)len, 0, s->hs, on_match, out) != HS_SUCCESS)
		return pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "词库扫描失败（vectorscan）");
	return 0;
}
