/* The compiled-rule cache: cache_dir/lexicon-<key>.bin holds the lexicon blob followed by
 * the serialised vectorscan database. The key hashes the content of every input (data files,
 * extra lists, the OpenCC table, the engine version and CPU platform), never modification
 * times, so a changed lexicon gets a new file and an unchanged one is mapped as it is. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pubguard/mem.h"
#include "check/lexicon.h"
#include "check/matcher.h"
#include "core/banned.h"

/* mkdir -p: ~/.cache may not exist yet on a fresh machine. */
static void mkdir_parents(const char *dir)
{
	char p[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(p))
		return;
	memcpy(p, dir, n + 1);
	for (size_t i = 1; i < n; i++)
		if (p[i] == '/') {
			p[i] = '\0';
			mkdir(p, 0755);
			p[i] = '/';
		}
	mkdir(p, 0755);
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint64_t pgd_lex_hash(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t a = h ^ 0x9e3779b97f4a7c15ULL, b = h + len;
	size_t i = 0;

	for (; i + 16 <= len; i += 16) {
		uint64_t x, y;
		memcpy(&x, p + i, 8);
		memcpy(&y, p + i + 8, 8);
		a = (a ^ x) * 0x87c37b91114253d5ULL;
		a = (a << 31) | (a >> 33);
		b = (b ^ y) * 0x4cf5ad432745937fULL;
		b = (b << 29) | (b >> 35);
	}
	uint64_t t[2] = { 0, 0 };
	memcpy(t, p + i, len - i);
	a = (a ^ t[0]) * 0x87c37b91114253d5ULL;
	b = (b ^ t[1]) * 0x4cf5ad432745937fULL;
	return mix(a ^ mix(b));
}

static int range_ok(uint64_t off, uint64_t n, uint64_t size, uint64_t total)
{
	return off % 8 == 0 && off <= total && (size == 0 || n <= (total - off) / size);
}

int pgd_lex_attach(struct pgd_lexicon *lex)
{
	const struct pgd_lex_header *h = lex->blob;
	const char *base = lex->blob;
	uint64_t total;

	if (lex->blob_len < sizeof(*h) || memcmp(h->magic, PGD_LEX_MAGIC, sizeof(PGD_LEX_MAGIC)) ||
	    h->version != PGD_LEX_VERSION || h->total > lex->blob_len)
		return -1;
	total = h->total;
	if (!range_ok(h->off_cats, h->ncats, sizeof(struct pgd_lex_cat), total) ||
	    !range_ok(h->off_entries, h->nentries, sizeof(struct pgd_lex_entry), total) ||
	    !range_ok(h->off_excs, h->nexcs, sizeof(struct pgd_lex_exc), total) ||
	    !range_ok(h->off_ctx, h->nctx, sizeof(struct pgd_ctx_rule), total) ||
	    !range_ok(h->off_pool, h->pool_len, 1, total) ||
	    !range_ok(h->off_charmap, 1, sizeof(struct pgd_charmap), total) || h->pool_len == 0 ||
	    h->ncats == 0 || h->ncats > PGD_LEX_MAX_CATS)
		return -1;
	lex->h = h;
	lex->cats = (const void *)(base + h->off_cats);
	lex->entries = (const void *)(base + h->off_entries);
	lex->excs = (const void *)(base + h->off_excs);
	lex->ctx = (const void *)(base + h->off_ctx);
	lex->pool = base + h->off_pool;
	lex->cm = (const void *)(base + h->off_charmap);
	if (lex->pool[h->pool_len - 1] != '\0')
		return -1;
	/* every string offset inside the pool, every index inside its table */
#define STR_OK(o) ((o) < h->pool_len)
	for (uint32_t i = 0; i < h->ncats; i++) {
		const struct pgd_lex_cat *c = &lex->cats[i];
		if (!STR_OK(c->id) || !STR_OK(c->name) || !STR_OK(c->article) ||
		    !STR_OK(c->message) || !STR_OK(c->desc) || c->sev > PGD_SEV_BLOCK)
			return -1;
	}
	for (uint32_t i = 0; i < h->nentries; i++) {
		const struct pgd_lex_entry *e = &lex->entries[i];
		if (e->phrase_len == 0 || e->phrase >= h->pool_len ||
		    e->phrase_len > h->pool_len - e->phrase || e->cat >= h->ncats ||
		    (e->sugg != PGD_LEX_NONE && !STR_OK(e->sugg)) || e->exc > h->nexcs ||
		    e->nexc > h->nexcs - e->exc || e->sev > PGD_SEV_BLOCK)
			return -1;
	}
	for (uint32_t i = 0; i < h->nexcs; i++) {
		const struct pgd_lex_exc *x = &lex->excs[i];
		if (x->str >= h->pool_len || x->len > h->pool_len - x->str || x->pos > x->len)
			return -1;
	}
	lex->ctx_cats = 0;
	for (uint32_t i = 0; i < h->nctx; i++) {
		const struct pgd_ctx_rule *r = &lex->ctx[i];
		if (r->len == 0 || r->word >= h->pool_len || r->len > h->pool_len - r->word)
			return -1;
		lex->ctx_cats |= r->cats;
	}
#undef STR_OK
	free(lex->enc);
	lex->enc = pgd_nm_enc_build(lex->cm);
	return pgd_context_index(lex);
}

static void cache_path(char *buf, size_t cap, const char *dir, uint64_t key)
{
	snprintf(buf, cap, "%s/lexicon-%016llx.bin", dir, (unsigned long long)key);
}

int pgd_lexcache_load(const char *cache_dir, uint64_t key, struct pgd_lexicon *lex)
{
	char path[4096];
	struct stat st;
	void *map = MAP_FAILED;
	int fd, rc = 1;

	cache_path(path, sizeof(path), cache_dir, key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(struct pgd_lex_header))
		goto out;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		goto out;
	lex->blob = map;
	lex->blob_len = (size_t)st.st_size;
	lex->blob_mapped = 1;
	const struct pgd_lex_header *h = map;
	if (pgd_lex_attach(lex) < 0 || h->key != key || h->off_db < h->total ||
	    h->off_db > (uint64_t)st.st_size || h->len_db > (uint64_t)st.st_size - h->off_db)
		goto fail;
	if (pgd_matcher_deserialize((const char *)map + h->off_db, (size_t)h->len_db,
				    &lex->matcher, NULL) < 0)
		goto fail;
	rc = 0;
	map = MAP_FAILED;
	goto out;
fail:
	pgd_matcher_free(lex->matcher);
	lex->matcher = NULL;
	pgd_context_index_free(lex->ctx_index);
	lex->ctx_index = NULL;
	free(lex->enc);
	lex->enc = NULL;
	lex->blob = NULL;
	lex->blob_len = 0;
	lex->blob_mapped = 0;
	lex->h = NULL;
out:
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	close(fd);
	return rc;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

void pgd_lexcache_save(const char *cache_dir, const struct pgd_lexicon *lex)
{
	char path[4096], tmp[4200];
	char *db = NULL;
	size_t dblen = 0;
	struct pgd_lex_header h;
	int fd = -1;
	static const char zeros[8] = { 0 };

	if (pgd_matcher_serialize(lex->matcher, &db, &dblen, NULL) < 0)
		return;
	mkdir_parents(cache_dir); /* existing directories are fine; failure just means no cache */
	cache_path(path, sizeof(path), cache_dir, lex->h->key);
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out;
	memcpy(&h, lex->h, sizeof(h));
	h.off_db = (h.total + 7) & ~(uint64_t)7;
	h.len_db = dblen;
	if (write_all(fd, &h, sizeof(h)) < 0 ||
	    write_all(fd, (const char *)lex->blob + sizeof(h), (size_t)h.total - sizeof(h)) < 0 ||
	    write_all(fd, zeros, (size_t)(h.off_db - h.total)) < 0 ||
	    (dblen && write_all(fd, db, dblen) < 0) || fsync(fd) < 0) {
		close(fd);
		fd = -1;
		unlink(tmp);
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path) < 0)
		unlink(tmp);
out:
	free(db);
}
