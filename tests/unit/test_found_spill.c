/* Items found by a patrol spilled to a temporary file (src/patrol/report.c, pgd_patrol_found_*):
 * 10,000 items come back identical and in order (NULL url/title, empty title and sha, long
 * titles), only PGD_PATROL_FOUND_INMEM stay in memory; spilling off keeps them all in memory;
 * fn's non-zero stops the walk; a damaged or cut spill file is PGD_ERR_IO; a file that cannot be
 * written (RLIMIT_FSIZE) or made (RLIMIT_NOFILE) loses nothing; posts.c's items go through it;
 * release frees everything (the ASan build checks). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "pubguard/crypto.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "core/banned.h"

#define N_ITEMS 10000
#define T0 1795996800L /* 2026-11-30 00:00 UTC */

/* The i-th test item: every shape an item can have. */
struct want {
	char url[256], title[6000], sha[65];
	int has_url, has_title, has_sha;
	time_t published;
	uint64_t simhash;
};

static void make_item(size_t i, struct want *w)
{
	memset(w, 0, sizeof(*w));
	w->has_url = i % 7 != 3;
	w->has_title = i % 11 != 5;
	w->has_sha = i % 5 != 0;
	if (w->has_url)
		snprintf(w->url, sizeof(w->url), "https://www.example.gov.cn/news/%zu/art_%zu.html?q=%%E4%%B8%%AD", i % 97, i);
	if (w->has_title) {
		if (i % 13 == 0) {
			w->title[0] = '\0'; /* an empty title is not a missing one */
		} else if (i % 997 == 1) {
			size_t k = 0; /* a long title: 1700 CJK characters, over the writer's stack buffer */
			for (; k < 1700; k++)
				memcpy(w->title + 3 * k, "政", 3);
			w->title[3 * k] = '\0';
		} else {
			snprintf(w->title, sizeof(w->title), "关于第%zu号文件的通知", i);
		}
	}
	if (w->has_sha)
		for (size_t k = 0; k < 64; k++)
			w->sha[k] = "0123456789abcdef"[(i * 31 + k * 7) % 16];
	w->published = i % 17 == 0 ? 0 : T0 + (time_t)i * 60;
	w->simhash = i % 19 == 0 ? 0 : (uint64_t)i * 0x9E3779B97F4A7C15ULL;
}

static void add_item(struct pgd_patrol_report *r, size_t i)
{
	struct want *w = pgd_malloc(sizeof(*w));
	make_item(i, w);
	/* sha256 "" and NULL both mean unknown */
	pgd_patrol_found_add(r, w->has_url ? w->url : NULL, w->has_title ? w->title : NULL, w->published,
	                     w->has_sha ? w->sha : (i % 10 == 0 ? NULL : ""), w->simhash);
	free(w);
}

/* Compare an item with the i-th. 0 when equal. */
static int same_item(size_t i, const struct pgd_patrol_item *it)
{
	struct want *w = pgd_malloc(sizeof(*w));
	int ok;

	make_item(i, w);
	ok = (w->has_url ? it->url && strcmp(it->url, w->url) == 0 : it->url == NULL) &&
	     (w->has_title ? it->title && strcmp(it->title, w->title) == 0 : it->title == NULL) &&
	     strcmp(it->sha256, w->sha) == 0 && it->published == w->published && it->simhash == w->simhash;
	free(w);
	return ok ? 0 : -1;
}

struct walk {
	size_t next;     /* index expected next (in order) */
	size_t stop_at;  /* return 7 on this item (SIZE_MAX: never) */
	int bad;
};

static int check_in_order(void *arg, const struct pgd_patrol_item *it)
{
	struct walk *wk = arg;
	if (same_item(wk->next, it) != 0 && !wk->bad) {
		wk->bad = 1;
		print_error("item %zu differs (url %s, title %.40s)\n", wk->next, it->url ? it->url : "(null)",
		            it->title ? it->title : "(null)");
	}
	if (wk->next++ == wk->stop_at)
		return 7;
	return 0;
}

static void test_spill_roundtrip(void **state)
{
	struct pgd_patrol_report r;
	struct pgd_err err = {0};
	struct walk wk = {0, SIZE_MAX, 0};
	(void)state;

	memset(&r, 0, sizeof(r));
	r.spill_found = 1;
	for (size_t i = 0; i < N_ITEMS; i++)
		add_item(&r, i);
	assert_int_equal(pgd_patrol_found_count(&r), N_ITEMS);
	assert_int_equal(r.n_found, PGD_PATROL_FOUND_INMEM);
	assert_int_equal(r.n_found_spilled, N_ITEMS - PGD_PATROL_FOUND_INMEM);
	assert_non_null(r.found_spill);
	assert_int_equal(r.spill_found, 1);
	assert_int_equal(pgd_patrol_found_each(&r, check_in_order, &wk, &err), 0);
	assert_int_equal(wk.bad, 0);
	assert_int_equal(wk.next, N_ITEMS);
	/* a second walk, then more items after it: appended at the end, still in order */
	wk.next = 0;
	assert_int_equal(pgd_patrol_found_each(&r, check_in_order, &wk, &err), 0);
	assert_int_equal(wk.next, N_ITEMS);
	for (size_t i = N_ITEMS; i < N_ITEMS + 10; i++)
		add_item(&r, i);
	wk.next = 0;
	assert_int_equal(pgd_patrol_found_each(&r, check_in_order, &wk, &err), 0);
	assert_int_equal(wk.bad, 0);
	assert_int_equal(wk.next, N_ITEMS + 10);
	pgd_patrol_report_release(&r);
	assert_null(r.found_spill);
	assert_int_equal(pgd_patrol_found_count(&r), 0);
	pgd_patrol_report_release(&r); /* twice: nothing left */
	pgd_patrol_report_release(NULL);
}

static void test_spill_off(void **state)
{
	struct pgd_patrol_report r;
	struct pgd_err err = {0};
	struct walk wk = {0, SIZE_MAX, 0};
	(void)state;

	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < N_ITEMS; i++)
		add_item(&r, i);
	assert_int_equal(r.n_found, N_ITEMS);
	assert_int_equal(r.n_found_spilled, 0);
	assert_null(r.found_spill);
	assert_int_equal(pgd_patrol_found_count(&r), N_ITEMS);
	for (size_t i = 0; i < N_ITEMS; i += 1111)
		assert_int_equal(same_item(i, &r.found[i]), 0);
	assert_int_equal(pgd_patrol_found_each(&r, check_in_order, &wk, &err), 0);
	assert_int_equal(wk.bad, 0);
	assert_int_equal(wk.next, N_ITEMS);
	pgd_patrol_report_release(&r);
}

static void test_walk_stops(void **state)
{
	struct pgd_patrol_report r;
	struct pgd_err err = {0};
	struct walk wk = {0, 10, 0};
	(void)state;

	memset(&r, 0, sizeof(r));
	r.spill_found = 1;
	for (size_t i = 0; i < 1000; i++)
		add_item(&r, i);
	/* in memory */
	assert_int_equal(pgd_patrol_found_each(&r, check_in_order, &wk, &err), 7);
	assert_int_equal(wk.next, 11);
	/* among the spilled */
	wk.next = 0;
	wk.stop_at = 700;
	assert_int_equal(pgd_patrol_found_each(&r, check_in_order, &wk, &err), 7);
	assert_int_equal(wk.next, 701);
	assert_int_equal(wk.bad, 0);
	/* the next walk starts from the beginning again */
	wk.next = 0;
	wk.stop_at = SIZE_MAX;
	assert_int_equal(pgd_patrol_found_each(&r, check_in_order, &wk, &err), 0);
	assert_int_equal(wk.next, 1000);
	assert_int_equal(wk.bad, 0);
	pgd_patrol_report_release(&r);
}

static int count_items(void *arg, const struct pgd_patrol_item *it)
{
	(void)it;
	(*(size_t *)arg)++;
	return 0;
}

static void test_damaged_file(void **state)
{
	struct pgd_patrol_report r;
	struct pgd_err err = {0};
	uint32_t huge = 0xfffffff0u, small = 3;
	size_t n = 0;
	FILE *f;
	(void)state;

	memset(&r, 0, sizeof(r));
	r.spill_found = 1;
	for (size_t i = 0; i < 300; i++)
		add_item(&r, i);
	f = r.found_spill;
	assert_non_null(f);
	/* the first spilled record claims 4 GB: refused, not allocated */
	assert_int_equal(fseeko(f, 0, SEEK_SET), 0);
	assert_int_equal(fwrite(&huge, 1, 4, f), 4);
	assert_int_equal(fflush(f), 0);
	assert_int_equal(pgd_patrol_found_each(&r, count_items, &n, &err), PGD_ERR_IO);
	assert_non_null(strstr(err.message, "损坏"));
	assert_int_equal(n, PGD_PATROL_FOUND_INMEM); /* those in memory came first */
	/* a length too short for a record */
	assert_int_equal(fseeko(f, 0, SEEK_SET), 0);
	assert_int_equal(fwrite(&small, 1, 4, f), 4);
	assert_int_equal(fflush(f), 0);
	n = 0;
	assert_int_equal(pgd_patrol_found_each(&r, count_items, &n, &err), PGD_ERR_IO);
	assert_non_null(strstr(err.message, "损坏"));
	pgd_patrol_report_release(&r);

	/* a file cut short: fewer records than counted */
	memset(&r, 0, sizeof(r));
	r.spill_found = 1;
	for (size_t i = 0; i < 300; i++)
		add_item(&r, i);
	f = r.found_spill;
	assert_int_equal(fflush(f), 0);
	assert_int_equal(ftruncate(fileno(f), 200), 0);
	n = 0;
	memset(&err, 0, sizeof(err));
	assert_int_equal(pgd_patrol_found_each(&r, count_items, &n, &err), PGD_ERR_IO);
	assert_non_null(strstr(err.message, "不完整"));
	assert_int_equal(err.code, PGD_ERR_IO);
	pgd_patrol_report_release(&r);
}

/* Every index 0..n-1 exactly once, in whatever order (items kept in memory after a failure come
 * before the spilled ones). */
struct seen {
	unsigned char *hit;
	size_t n, got;
	int bad;
};

/* Items with a title naming their index (for mark_seen). */
static void add_named(struct pgd_patrol_report *r, size_t i)
{
	struct want w;
	char title[64];
	make_item(i, &w);
	snprintf(title, sizeof(title), "第%zu条", i);
	pgd_patrol_found_add(r, w.url, title, w.published, w.sha, w.simhash);
}

static int same_named(size_t i, const struct pgd_patrol_item *it);

static int mark_named(void *arg, const struct pgd_patrol_item *it)
{
	struct seen *s = arg;
	size_t i;

	s->got++;
	if (it->title == NULL || sscanf(it->title, "第%zu条", &i) != 1 || i >= s->n || s->hit[i] ||
	    same_named(i, it) != 0) {
		s->bad = 1;
		return 0;
	}
	s->hit[i] = 1;
	return 0;
}

static int same_named(size_t i, const struct pgd_patrol_item *it)
{
	struct want w;
	make_item(i, &w);
	return strcmp(it->url ? it->url : "", w.url) == 0 && strcmp(it->sha256, w.sha) == 0 &&
	       it->published == w.published && it->simhash == w.simhash ? 0 : -1;
}

static void check_all_named(struct pgd_patrol_report *r, size_t n)
{
	struct pgd_err err = {0};
	struct seen s = {pgd_calloc(n, 1), n, 0, 0};

	assert_int_equal(pgd_patrol_found_each(r, mark_named, &s, &err), 0);
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.got, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(s.hit[i], 1);
	free(s.hit);
}

static void test_write_fails(void **state)
{
	struct pgd_patrol_report r;
	struct rlimit old, lim;
	void (*oldsig)(int);
	size_t spilled;
	(void)state;

	/* files may grow to 32 KB: the spill file fills up after about 200 records, then writes
	 * fail with EFBIG (SIGXFSZ ignored) */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	oldsig = signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 32 * 1024;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	memset(&r, 0, sizeof(r));
	r.spill_found = 1;
	for (size_t i = 0; i < 2000; i++)
		add_named(&r, i);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	spilled = r.n_found_spilled;
	assert_true(spilled > 0 && spilled < 2000 - PGD_PATROL_FOUND_INMEM);
	assert_int_equal(r.spill_found, 0); /* spilling stopped at the failure */
	assert_int_equal(r.n_found + spilled, 2000);
	assert_int_equal(pgd_patrol_found_count(&r), 2000);
	check_all_named(&r, 2000);
	/* items added later stay in memory (the file may end in a half-written record) */
	add_named(&r, 2000);
	assert_int_equal(r.n_found_spilled, spilled);
	check_all_named(&r, 2001);
	pgd_patrol_report_release(&r);
}

static void test_tmpfile_fails(void **state)
{
	struct pgd_patrol_report r;
	struct rlimit old, lim;
	int fd;
	(void)state;

	/* no descriptor left: tmpfile() fails, every item stays in memory */
	fd = dup(0);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)fd; /* fd is the lowest free descriptor */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	memset(&r, 0, sizeof(r));
	r.spill_found = 1;
	for (size_t i = 0; i < 600; i++)
		add_named(&r, i);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_null(r.found_spill);
	assert_int_equal(r.n_found, 600);
	assert_int_equal(r.n_found_spilled, 0);
	check_all_named(&r, 600);
	pgd_patrol_report_release(&r);
}

/* The i-th post of test_posts_spill, in order. */
static int mark_posts(void *arg, const struct pgd_patrol_item *it)
{
	struct seen *s = arg;
	size_t i = s->got++;
	char want[128], sha[65];
	int was_bad = s->bad;

	snprintf(want, sizeof(want), "第%zu条", i);
	if (it->title == NULL || strcmp(it->title, want) != 0)
		s->bad = 1;
	snprintf(want, sizeof(want), "https://mp.example/s/%zu", i);
	if (it->url == NULL || strcmp(it->url, want) != 0)
		s->bad = 1;
	snprintf(want, sizeof(want), "正文%zu", i);
	pgd_sha256_hex(want, strlen(want), sha);
	if (strcmp(it->sha256, sha) != 0 || it->simhash != pgd_simhash(want, strlen(want)))
		s->bad = 1;
	if (s->bad && !was_bad) /* the first difference */
		print_error("post %zu differs: %s %s %s\n", i, it->title ? it->title : "(null)",
		            it->url ? it->url : "(null)", it->sha256);
	return 0;
}

/* posts.c: an export's entries are found items, spilled past the first PGD_PATROL_FOUND_INMEM. */
static void test_posts_spill(void **state)
{
	struct pgd_patrol_report r;
	struct pgd_patrol_opts o;
	struct pgd_err err = {0};
	struct seen s = {NULL, 600, 0, 0}; /* hit unused: the posts come in order */
	char *csv = pgd_malloc(600 * 128 + 64);
	size_t len = 0;
	(void)state;

	len += (size_t)snprintf(csv, 64, "发布时间,标题,链接,正文\n");
	for (size_t i = 0; i < 600; i++)
		len += (size_t)snprintf(csv + len, 128, "2026-11-%02zu 10:00,第%zu条,https://mp.example/s/%zu,正文%zu\n",
		                        i % 28 + 1, i, i, i);
	memset(&r, 0, sizeof(r));
	r.spill_found = 1;
	pgd_patrol_opts_default(&o);
	o.as_of = T0;
	assert_int_equal(pgd_patrol_posts(csv, len, "posts.csv", "https://mp.example/", &o, &r, &err), 0);
	assert_int_equal(pgd_patrol_found_count(&r), 600);
	assert_int_equal(r.n_found, PGD_PATROL_FOUND_INMEM);
	assert_int_equal(r.n_found_spilled, 600 - PGD_PATROL_FOUND_INMEM);
	assert_int_equal(pgd_patrol_found_each(&r, mark_posts, &s, &err), 0);
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.got, 600);
	free(csv);
	pgd_patrol_report_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spill_roundtrip),
		cmocka_unit_test(test_spill_off),
		cmocka_unit_test(test_walk_stops),
		cmocka_unit_test(test_damaged_file),
		cmocka_unit_test(test_write_fails),
		cmocka_unit_test(test_tmpfile_fails),
		cmocka_unit_test(test_posts_spill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
