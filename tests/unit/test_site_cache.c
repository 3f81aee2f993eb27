/* The site patrol's helpers: SHA-256 (pgd_sha256 of the crypto layer, FIPS 180-4 known answers) and the
 * incremental re-crawl state (src/patrol/crawlcache.c): a page's analysis written and read back
 * field by field (escapes, NULL vs empty), pages marked with findings, the old state kept when a
 * crawl is not committed, and corrupt, truncated, foreign-version or other-site files ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "patrol/crawlcache.h"
#include "pubguard/crypto.h"
#include "core/banned.h"

static void test_sha256_known_answers(void **state)
{
	char hex[65];
	char *million = pgd_malloc(1000000);
	(void)state;
	pgd_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	pgd_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* 56 bytes: the length no longer fits in the first padding block */
	pgd_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', 1000000);
	pgd_sha256_hex(million, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pgd-crawlcache-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];
	(void)state;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	return 0;
}

static size_t files_in_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;
	while (d && (de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

#define SITE "http://example.gov.cn/"
#define A_URL "http://example.gov.cn/news/"
#define SHA_A "25a0cbb38ab9fd8802c9ce0c615763f67a41457fd91d3bafc13a66696485996b"

/* A page analysis with every kind of field, hostile strings included. */
static void fill(struct pgd_page_analysis *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->sha256, sizeof(a->sha256), "%s", SHA_A);
	a->simhash = 0x8b5da57e57d6b39eull;
	a->text_len = 354;
	a->first_date = 1795996800;
	a->pg.title = pgd_strdup("要闻\t动态\\n");
	a->pg.column_name = pgd_strdup("要闻动态");
	a->pg.column_type = NULL;
	a->pg.pub_date = 0;
	a->pg.newest_date = 1795910400;
	a->pg.n_list_items = 2;
	a->pg.links = pgd_calloc(2, sizeof(*a->pg.links));
	a->pg.n_links = 2;
	a->pg.links[0].href = pgd_strdup("http://example.gov.cn/a.html");
	a->pg.links[0].text = pgd_strdup("第一行\n第二行\r\\");
	a->pg.links[0].line = 12;
	a->pg.links[0].nav = 1;
	a->pg.links[1].href = pgd_strdup("http://bet.example/");
	a->pg.links[1].text = NULL;
	a->pg.links[1].line = 40;
	a->pg.links[1].hidden = 1;
	a->pg.links[1].image = 1;
	a->f = pgd_calloc(1, sizeof(*a->f));
	a->nf = a->capf = 1;
	a->f[0].category = pgd_strdup("prohibited.obscene_gambling_violence_terror");
	a->f[0].severity = PGD_PATROL_BLOCK;
	a->f[0].line = 41;
	a->f[0].text = pgd_strdup("");
	a->f[0].message = pgd_strdup("含有赌博内容：“澳门赌场”");
}

static void write_state(const char *etag, int mark, int commit)
{
	struct pgd_crawlcache *cc = NULL;
	struct pgd_err err = {0};
	struct pgd_page_analysis a;

	assert_int_equal(pgd_crawlcache_open(dir, SITE, "content", &cc, &err), 0);
	fill(&a);
	pgd_crawlcache_put(cc, A_URL, etag, "Tue, 01 Dec 2026 04:33:57 GMT", &a, NULL);
	pgd_page_analysis_release(&a);
	fill(&a);
	a.enc_error = pgd_strdup("页面编码无效（声明的编码：gbk）");
	pgd_crawlcache_put(cc, "http://example.gov.cn/bad.html", NULL, NULL, &a, NULL);
	pgd_page_analysis_release(&a);
	if (mark)
		pgd_crawlcache_mark(cc, "http://example.gov.cn/bad.html");
	if (commit)
		assert_int_equal(pgd_crawlcache_commit(cc, &err), 0);
	pgd_crawlcache_free(cc);
}

static void test_roundtrip(void **state)
{
	struct pgd_crawlcache *cc = NULL;
	struct pgd_err err = {0};
	struct pgd_page_analysis a;
	char etag[256], lm[64];
	int had = -1;
	int64_t off;
	(void)state;

	write_state("W/\"5f-1\"", 1, 1);
	assert_int_equal(files_in_dir(), 1); /* the temporary file renamed over: one file */
	assert_int_equal(pgd_crawlcache_open(dir, SITE, "content", &cc, &err), 0);
	assert_int_equal(pgd_crawlcache_find(cc, "http://example.gov.cn/other.html", &had), -1);
	off = pgd_crawlcache_find(cc, A_URL, &had);
	assert_true(off >= 0);
	assert_int_equal(had, 0);
	assert_int_equal(pgd_crawlcache_read(cc, off, etag, lm, &a), 0);
	assert_string_equal(etag, "W/\"5f-1\"");
	assert_string_equal(lm, "Tue, 01 Dec 2026 04:33:57 GMT");
	assert_string_equal(a.sha256, SHA_A);
	assert_true(a.simhash == 0x8b5da57e57d6b39eull);
	assert_int_equal(a.text_len, 354);
	assert_int_equal(a.first_date, 1795996800);
	assert_null(a.enc_error);
	assert_string_equal(a.pg.title, "要闻\t动态\\n");
	assert_string_equal(a.pg.column_name, "要闻动态");
	assert_null(a.pg.column_type);
	assert_int_equal(a.pg.pub_date, 0);
	assert_int_equal(a.pg.newest_date, 1795910400);
	assert_int_equal(a.pg.n_list_items, 2);
	assert_int_equal(a.pg.n_links, 2);
	assert_string_equal(a.pg.links[0].href, "http://example.gov.cn/a.html");
	assert_string_equal(a.pg.links[0].text, "第一行\n第二行\r\\");
	assert_int_equal(a.pg.links[0].line, 12);
	assert_true(a.pg.links[0].nav && !a.pg.links[0].hidden && !a.pg.links[0].image);
	assert_null(a.pg.links[1].text);
	assert_int_equal(a.pg.links[1].line, 40);
	assert_true(!a.pg.links[1].nav && a.pg.links[1].hidden && a.pg.links[1].image);
	assert_int_equal(a.nf, 1);
	assert_string_equal(a.f[0].category, "prohibited.obscene_gambling_violence_terror");
	assert_int_equal(a.f[0].severity, PGD_PATROL_BLOCK);
	assert_int_equal(a.f[0].line, 41);
	assert_string_equal(a.f[0].text, ""); /* empty stays empty, not NULL */
	assert_string_equal(a.f[0].message, "含有赌博内容：“澳门赌场”");
	pgd_page_analysis_release(&a);
	off = pgd_crawlcache_find(cc, "http://example.gov.cn/bad.html", &had);
	assert_true(off >= 0);
	assert_int_equal(had, 1);
	assert_int_equal(pgd_crawlcache_read(cc, off, etag, lm, &a), 0);
	assert_string_equal(etag, "");
	assert_string_equal(a.enc_error, "页面编码无效（声明的编码：gbk）");
	pgd_page_analysis_release(&a);
	/* a bad offset is no record */
	assert_int_equal(pgd_crawlcache_read(cc, 3, etag, lm, &a), -1);
	pgd_crawlcache_free(cc); /* not committed: the old state stays as it was */
	assert_int_equal(files_in_dir(), 1);
	assert_int_equal(pgd_crawlcache_open(dir, SITE, "content", &cc, &err), 0);
	assert_true(pgd_crawlcache_find(cc, A_URL, &had) >= 0);
	pgd_crawlcache_free(cc);
	/* a state made in another mode (without content checks) is not used */
	assert_int_equal(pgd_crawlcache_open(dir, SITE, "links", &cc, &err), 0);
	assert_int_equal(pgd_crawlcache_find(cc, A_URL, &had), -1);
	pgd_crawlcache_free(cc);
	/* another site has its own state: none yet */
	assert_int_equal(pgd_crawlcache_open(dir, "http://other.gov.cn/", "content", &cc, &err), 0);
	assert_int_equal(pgd_crawlcache_find(cc, A_URL, &had), -1);
	pgd_crawlcache_free(cc);
}

/* Rewrite the one state file with f applied to its bytes. */
static void mangle(void (*f)(char *data, size_t *len))
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512], *data = pgd_malloc(1 << 16);
	size_t len;
	FILE *fh;

	p[0] = '\0';
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".crawl"))
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
	closedir(d);
	fh = fopen(p, "rb");
	assert_non_null(fh);
	len = fread(data, 1, (1 << 16) - 1, fh);
	fclose(fh);
	data[len] = '\0';
	f(data, &len);
	fh = fopen(p, "wb");
	fwrite(data, 1, len, fh);
	fclose(fh);
	free(data);
}

static void truncate_half(char *data, size_t *len)
{
	(void)data;
	*len /= 2;
}

static void drop_end(char *data, size_t *len)
{
	char *z = strstr(data, "\nZ\t");
	*len = (size_t)(z - data) + 1;
}

static void other_version(char *data, size_t *len)
{
	(void)len;
	data[strlen("pubguard-crawlcache\t")] = '9';
}

static void bad_escape(char *data, size_t *len)
{
	char *t = strstr(data, "\nT\t");
	(void)len;
	t[3] = '\\';
	t[4] = 'q';
}

static void bad_number(char *data, size_t *len)
{
	char *m = strstr(data, "\nM\t");
	char *tab = strrchr(m + 3, '\t');
	(void)len;
	/* n_items "2" -> "x" */
	for (char *q = m + 3; q < data + *len && *q != '\n'; q++)
		tab = *q == '\t' ? q : tab;
	tab[1] = 'x';
}

static void test_ignored_when_damaged(void **state)
{
	void (*const damage[])(char *, size_t *) = {truncate_half, drop_end, other_version, bad_escape, bad_number};
	(void)state;
	for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
		struct pgd_crawlcache *cc = NULL;
		struct pgd_err err = {0};
		int had;
		write_state("\"e1\"", 0, 1);
		mangle(damage[i]);
		/* never an error: the state is just not there */
		assert_int_equal(pgd_crawlcache_open(dir, SITE, "content", &cc, &err), 0);
		assert_int_equal(pgd_crawlcache_find(cc, A_URL, &had), -1);
		assert_int_equal(pgd_crawlcache_find(cc, "http://example.gov.cn/bad.html", &had), -1);
		/* and a new crawl replaces it */
		assert_int_equal(pgd_crawlcache_commit(cc, &err), 0);
		pgd_crawlcache_free(cc);
		assert_int_equal(files_in_dir(), 1);
	}
}

/* The journal of a killed attempt: a page with how it came and a link's verdict come back from
 * a second open with the same key, a torn record is cut off, other keys and modes do not see it,
 * and a committed crawl leaves no journal behind. */
static void test_resume_journal(void **state)
{
	struct pgd_crawlcache *cc = NULL;
	struct pgd_err err = {0};
	struct pgd_page_analysis a, b;
	struct pgd_crawl_fetch ff = {0}, got;
	char etag[256], lm[64];
	int page = -1;
	FILE *fh;
	char path[512];
	DIR *d;
	struct dirent *de;
	(void)state;

	assert_int_equal(pgd_crawlcache_open_resume(dir, SITE, "content", "bad/key", &cc, &err), PGD_ERR_INVALID);
	assert_int_equal(pgd_crawlcache_open_resume(dir, SITE, "content", "job-7", &cc, &err), 0);
	assert_int_equal(pgd_crawlcache_journal_count(cc), 0);
	fill(&a);
	ff.status = 200;
	ff.time_ms = 1234;
	ff.fetched_at = 1796000000;
	ff.final_url = (char *)"http://example.gov.cn/news/index.html";
	pgd_crawlcache_put(cc, A_URL, "\"e1\"", "Tue, 01 Dec 2026 04:33:57 GMT", &a, &ff);
	pgd_page_analysis_release(&a);
	memset(&ff, 0, sizeof(ff));
	ff.error = 0;
	ff.status = 404;
	ff.time_ms = 21;
	ff.rechecked = 1;
	ff.first_error = 2;
	ff.first_status = 0;
	pgd_crawlcache_verdict(cc, "http://example.gov.cn/gone.pdf", &ff);
	pgd_crawlcache_free(cc); /* killed: no commit */

	/* a torn record at the end, as a SIGKILL in the middle of a write leaves it */
	path[0] = '\0';
	d = opendir(dir);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".crawl.job-7"))
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
	closedir(d);
	assert_true(path[0] != '\0');
	fh = fopen(path, "ab");
	fputs("P\thttp://example.gov.cn/torn.html\t\t\t" SHA_A "\t0000000000000001\t10\t0\nT\t半截", fh);
	fclose(fh);

	/* another key or mode: a fresh start */
	assert_int_equal(pgd_crawlcache_open_resume(dir, SITE, "content", "job-8", &cc, &err), 0);
	assert_int_equal(pgd_crawlcache_journal_count(cc), 0);
	pgd_crawlcache_free(cc);

	assert_int_equal(pgd_crawlcache_open_resume(dir, SITE, "content", "job-7", &cc, &err), 0);
	assert_int_equal(pgd_crawlcache_journal_count(cc), 2);
	assert_int_equal(pgd_crawlcache_replay(cc, A_URL, &page, &got, etag, lm, &b), 0);
	assert_int_equal(page, 1);
	assert_string_equal(etag, "\"e1\"");
	assert_string_equal(lm, "Tue, 01 Dec 2026 04:33:57 GMT");
	assert_int_equal(got.status, 200);
	assert_int_equal((long)got.time_ms, 1234);
	assert_int_equal((long long)got.fetched_at, 1796000000LL);
	assert_string_equal(got.final_url, "http://example.gov.cn/news/index.html");
	fill(&a);
	assert_string_equal(b.sha256, a.sha256);
	assert_string_equal(b.pg.title, a.pg.title);
	assert_int_equal(b.pg.n_links, 2);
	assert_string_equal(b.pg.links[0].text, a.pg.links[0].text);
	assert_int_equal(b.nf, 1);
	assert_string_equal(b.f[0].message, a.f[0].message);
	pgd_page_analysis_release(&a);
	pgd_page_analysis_release(&b);
	free(got.final_url);
	assert_int_equal(pgd_crawlcache_replay(cc, "http://example.gov.cn/gone.pdf", &page, &got, etag, lm, &b), 0);
	assert_int_equal(page, 0);
	assert_int_equal(got.status, 404);
	assert_int_equal(got.rechecked, 1);
	assert_int_equal(got.first_error, 2);
	assert_int_equal(pgd_crawlcache_replay(cc, "http://example.gov.cn/torn.html", &page, &got, etag, lm, &b), -1);
	assert_int_equal(pgd_crawlcache_replay(cc, "http://example.gov.cn/other.html", &page, &got, etag, lm, &b), -1);
	/* the resumed attempt appends; its commit is an ordinary state, and the journal is gone */
	memset(&ff, 0, sizeof(ff));
	ff.status = 500;
	pgd_crawlcache_verdict(cc, "http://example.gov.cn/err.html", &ff);
	assert_int_equal(pgd_crawlcache_commit(cc, &err), 0);
	pgd_crawlcache_free(cc);
	assert_int_equal(files_in_dir(), 1);
	assert_int_equal(pgd_crawlcache_open_resume(dir, SITE, "content", "job-7", &cc, &err), 0);
	assert_int_equal(pgd_crawlcache_journal_count(cc), 0);
	assert_true(pgd_crawlcache_find(cc, A_URL, NULL) >= 0); /* the page is in the committed state */
	pgd_crawlcache_free(cc);
}

static void test_unwritable_dir(void **state)
{
	struct pgd_crawlcache *cc = NULL;
	struct pgd_err err = {0};
	(void)state;
	assert_int_equal(pgd_crawlcache_open("/proc/no/such/dir", SITE, "content", &cc, &err), PGD_ERR_IO);
	assert_null(cc);
	assert_non_null(strstr(err.message, "/proc/no/such/dir"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_known_answers),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ignored_when_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_journal, setup, teardown),
		cmocka_unit_test(test_unwritable_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
