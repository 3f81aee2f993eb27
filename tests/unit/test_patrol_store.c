/* The patrol's server-side store: leases (expiry, re-lease, the third expiry fails the job, two
 * claimants never share a job), idempotent results, finding fingerprints (dedupe, reopen,
 * dismissed stays dismissed, resolution of what a patrol no longer sees), the week's
 * availability against the thresholds (ratios computed by hand), evidence blobs (round trip,
 * compression, integrity refusals). Times are passed in, so nothing depends on the clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pubguard/accounts.h"
#include "pubguard/crypto.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "pubguard/patrol_store.h"
#include "pubguard/store.h"
#include "server/demo.h"
#include "server/server.h"
#include "store/internal.h"
#include "store_fixture.h"

#define T0 ((time_t)1796083200) /* 2026-12-01T00:00:00Z */
#define LS 10                   /* lease seconds in these tests */

static int64_t platform(struct pgd_store *st, const char *url)
{
	struct pgd_err err = {0};
	struct pgd_unit u = {.name = (char *)"巡查测试局", .kind = PGD_UNIT_DEPARTMENT};
	struct pgd_platform pf = {.name = (char *)"巡查测试网", .type = PGD_PLATFORM_WEBSITE};
	int64_t unit = 0, id = 0;
	pgd_store_query_int(st, &unit, &err, "SELECT id FROM units WHERE name = $1", "s", u.name);
	if (unit == 0)
		assert_int_equal(pgd_unit_create(st, &u, &unit, &err), 0);
	pf.unit_id = unit;
	pf.url_or_account = (char *)url;
	assert_int_equal(pgd_platform_create(st, &pf, &id, &err), 0);
	return id;
}

static int64_t worker(struct pgd_store *st, const char *name)
{
	struct pgd_err err = {0};
	char tok[65], hash[65];
	int64_t id = 0;
	pgd_patrol_secret_new(tok);
	pgd_patrol_secret_hash(tok, hash);
	assert_int_equal(pgd_patrol_worker_add(st, name, hash, 0, &id, &err), 0);
	return id;
}

/* Enqueue and lease one job; its lease goes to lease. */
static int64_t leased_job(struct pgd_store *st, int64_t pid, int64_t wid, const char *kind, const char *period,
	time_t now, char lease[65])
{
	struct pgd_err err = {0};
	struct pgd_patrol_job j;
	int64_t id = 0;
	assert_int_equal(pgd_patrol_job_enqueue(st, pid, kind, period, "test", now, &id, &err), 0);
	assert_true(id > 0);
	assert_int_equal(pgd_patrol_job_lease(st, wid, 3, LS, now, &j, lease, &err), 0);
	assert_int_equal(j.id, id);
	pgd_patrol_job_release(&j);
	return id;
}

static void test_lease_expiry(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_patrol_job j;
	char l1[65], l2[65], l3[65], l4[65];
	int64_t pid = platform(f->st, "https://a.example"), w = worker(f->st, "w1"), id = 0, again = 0;

	assert_int_equal(pgd_patrol_job_enqueue(f->st, pid, "patrol", "2026-12-01", "scheduler", T0, &id, &err), 0);
	assert_true(id > 0);
	/* the same period again: nothing new */
	assert_int_equal(pgd_patrol_job_enqueue(f->st, pid, "patrol", "2026-12-01", "scheduler", T0, &again, &err), 0);
	assert_int_equal(again, 0);

	assert_int_equal(pgd_patrol_job_lease(f->st, w, PGD_PATROL_KIND_PATROL, LS, T0, &j, l1, &err), 0);
	assert_int_equal(j.id, id);
	assert_int_equal(j.attempts, 1);
	assert_string_equal(j.status, "leased");
	assert_string_equal(j.lease_expires_at, "2026-12-01T00:00:10Z");
	assert_int_equal(strlen(l1), 64);
	pgd_patrol_job_release(&j);
	/* a probe-only worker does not see it; nobody gets it before the lease expires */
	assert_int_equal(pgd_patrol_job_lease(f->st, w, PGD_PATROL_KIND_PROBE, LS, T0 + 100, &j, l2, &err), 0);
	assert_int_equal(j.id, 0);
	assert_int_equal(pgd_patrol_job_lease(f->st, w, 3, LS, T0 + 5, &j, l2, &err), 0);
	assert_int_equal(j.id, 0);
	/* progress extends the lease: at T0 + 12 it is still held (until T0 + 8 + 10) */
	assert_int_equal(pgd_patrol_job_progress(f->st, id, l1, 3, 9, LS, T0 + 8, &err), 0);
	assert_int_equal(pgd_patrol_job_lease(f->st, w, 3, LS, T0 + 12, &j, l2, &err), 0);
	assert_int_equal(j.id, 0);
	/* expired at T0 + 18: re-leased, attempts 2; the old lease is lost */
	assert_int_equal(pgd_patrol_job_lease(f->st, w, 3, LS, T0 + 19, &j, l2, &err), 0);
	assert_int_equal(j.id, id);
	assert_int_equal(j.attempts, 2);
	assert_string_equal(j.started_at, "2026-12-01T00:00:00Z"); /* the first time */
	pgd_patrol_job_release(&j);
	assert_string_not_equal(l1, l2);
	assert_int_equal(pgd_patrol_job_progress(f->st, id, l1, 4, 9, LS, T0 + 20, &err), PGD_ERR_CONFLICT);
	assert_string_equal(err.field, "lease_lost");
	assert_int_equal(pgd_patrol_job_check_lease(f->st, id, l2, T0 + 20, &err), 0);
	/* third lease, then its expiry fails the job */
	assert_int_equal(pgd_patrol_job_lease(f->st, w, 3, LS, T0 + 30, &j, l3, &err), 0);
	assert_int_equal(j.attempts, 3);
	pgd_patrol_job_release(&j);
	assert_int_equal(pgd_patrol_job_lease(f->st, w, 3, LS, T0 + 41, &j, l4, &err), 0);
	assert_int_equal(j.id, 0);
	assert_int_equal(pgd_patrol_job_get(f->st, id, &j, &err), 0);
	assert_string_equal(j.status, "failed");
	assert_string_equal(j.error, "多次租约过期");
	pgd_patrol_job_release(&j);
	assert_int_equal(pgd_patrol_job_fail(f->st, id, l3, "x", T0 + 42, &err), PGD_ERR_CONFLICT);
}

static void test_two_claims(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_store *other = NULL;
	struct pgd_patrol_job a, b, c;
	char la[65], lb[65], lc[65];
	int64_t pid = platform(f->st, "https://b.example"), w1 = worker(f->st, "w1"), w2 = worker(f->st, "w2"), id;

	assert_int_equal(pgd_patrol_job_enqueue(f->st, pid, "probe", "2026-12-01T00:00", "s", T0, &id, &err), 0);
	assert_int_equal(pgd_patrol_job_enqueue(f->st, pid, "probe", "2026-12-01T01:12", "s", T0 + 1, &id, &err), 0);
	assert_int_equal(pgd_store_open(&other, f->path, &err), 0);
	assert_int_equal(pgd_patrol_job_lease(f->st, w1, 3, LS, T0 + 2, &a, la, &err), 0);
	assert_int_equal(pgd_patrol_job_lease(other, w2, 3, LS, T0 + 2, &b, lb, &err), 0);
	assert_true(a.id > 0 && b.id > 0);
	assert_int_not_equal(a.id, b.id);
	assert_string_equal(a.period, "2026-12-01T00:00"); /* the oldest first */
	assert_int_equal(pgd_patrol_job_lease(other, w2, 3, LS, T0 + 3, &c, lc, &err), 0);
	assert_int_equal(c.id, 0);
	/* one worker's lease is no good for the other's job */
	assert_int_equal(pgd_patrol_job_check_lease(f->st, b.id, la, T0 + 3, &err), PGD_ERR_CONFLICT);
	pgd_patrol_job_release(&a);
	pgd_patrol_job_release(&b);
	pgd_store_close(other);
}

/* ---- results ---- */

static void add(struct pgd_patrol_result *r, const char *cat, const char *url, const char *target, const char *ev)
{
	PGD_GROW(r->rep.items, r->rep.n + 1, r->rep.cap);
	memset(&r->rep.items[r->rep.n], 0, sizeof(r->rep.items[0]));
	r->rep.items[r->rep.n].category = (char *)cat;
	r->rep.items[r->rep.n].url = (char *)url;
	r->rep.items[r->rep.n].target = (char *)target;
	r->rep.items[r->rep.n].severity = PGD_PATROL_REVIEW;
	r->rep.items[r->rep.n].message = (char *)"链接无法访问";
	r->rep.items[r->rep.n].evidence = (char *)ev;
	r->rep.n++;
}

static void clear(struct pgd_patrol_result *r)
{
	free(r->rep.items);
	memset(r, 0, sizeof(*r));
}

static const char *status_of(struct pgd_store *st, int64_t pid, const char *target, int64_t *times)
{
	static char s[16];
	struct pgd_stmt *q = NULL;
	struct pgd_err err = {0};
	s[0] = '\0';
	assert_int_equal(pgd_store_prep(st, &q, &err,
				 "SELECT status, times_seen, resolved_at FROM patrol_findings WHERE platform_id = $1 AND target = $2",
				 "is", pid, target),
		0);
	if (st->be->step(q, &err) == 1) {
		snprintf(s, sizeof(s), "%s", st->be->col_text(q, 0));
		if (times)
			*times = st->be->col_int(q, 1);
	}
	st->be->finalize(q);
	return s;
}

static void ingest(struct pgd_store *st, int64_t job, const char *lease, struct pgd_patrol_result *r, time_t now,
	int want_already)
{
	struct pgd_err err = {0};
	struct pgd_patrol_thresholds th;
	int already = -1;
	pgd_patrol_thresholds_default(&th);
	assert_int_equal(pgd_patrol_ingest(st, job, lease, r, &th, NULL, now, &already, &err), 0);
	assert_int_equal(already, want_already);
}

static void test_findings_lifecycle(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_patrol_result r;
	struct pgd_patrol_job j;
	char l[65];
	int64_t pid = platform(f->st, "https://c.example"), w = worker(f->st, "w"), job, times = 0, fid = 0;
	const char *page = "https://c.example/";

	memset(&r, 0, sizeof(r));
	job = leased_job(f->st, pid, w, "patrol", "d1", T0, l);
	add(&r, "site.broken_link_internal", page, "https://c.example/a", NULL);
	add(&r, "site.broken_link_internal", page, "https://c.example/b", NULL);
	add(&r, "site.broken_link_external", page, "https://x.example/c", NULL);
	r.rep.pages = 7;
	r.rep.links = 30;
	r.has_home = 1;
	snprintf(r.rep.home.sha256, sizeof(r.rep.home.sha256), "%064d", 7);
	r.rep.home.simhash = 0xabcdef;
	r.rep.home.title = (char *)"首页";
	r.rep.home.text_len = 321;
	ingest(f->st, job, l, &r, T0 + 60, 0);
	{ /* the first home page seen becomes the baseline, and is the latest */
		struct pgd_patrol_home h;
		int found = 0;
		assert_int_equal(pgd_patrol_baseline_get(f->st, pid, &h, &found, &err), 0);
		assert_true(found);
		assert_int_equal(h.simhash, 0xabcdef);
		assert_int_equal(h.text_len, 321);
		assert_string_equal(h.title, "首页");
		free(h.title);
		assert_int_equal(pgd_patrol_latest_home(f->st, pid, &h, &found, &err), 0);
		assert_true(found);
		assert_string_equal(h.sha256, "0000000000000000000000000000000000000000000000000000000000000007");
		free(h.title);
		r.has_home = 0;
	}
	/* the same result with the same lease: "already", nothing changes */
	ingest(f->st, job, l, &r, T0 + 61, 1);
	assert_string_equal(status_of(f->st, pid, "https://c.example/a", &times), "open");
	assert_int_equal(times, 1);
	assert_int_equal(pgd_patrol_job_get(f->st, job, &j, &err), 0);
	assert_string_equal(j.status, "done");
	assert_int_equal(j.pages, 7);
	assert_int_equal(j.links, 30);
	assert_int_equal(j.findings, 3);
	assert_string_equal(j.finished_at, "2026-12-01T00:01:00Z");
	pgd_patrol_job_release(&j);
	/* progress on a done job: the lease is gone */
	assert_int_equal(pgd_patrol_job_progress(f->st, job, l, 1, 1, LS, T0 + 62, &err), PGD_ERR_CONFLICT);

	/* dismiss b (a note is required) */
	pgd_store_query_int(f->st, &fid, &err, "SELECT id FROM patrol_findings WHERE target = 'https://c.example/b'", "");
	assert_int_equal(pgd_patrol_finding_handle(f->st, fid, "dismissed", "", "office1", T0 + 70, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "note");
	assert_int_equal(pgd_patrol_finding_handle(f->st, fid, "dismissed", "误报：页面需登录", "office1", T0 + 70, &err), 0);

	/* second patrol sees a and b: a seen twice, b stays dismissed, c (unseen) resolved */
	clear(&r);
	job = leased_job(f->st, pid, w, "patrol", "d2", T0 + 86400, l);
	add(&r, "site.broken_link_internal", page, "https://c.example/a", NULL);
	add(&r, "site.broken_link_internal", page, "https://c.example/b", NULL);
	ingest(f->st, job, l, &r, T0 + 86460, 0);
	assert_string_equal(status_of(f->st, pid, "https://c.example/a", &times), "open");
	assert_int_equal(times, 2);
	assert_string_equal(status_of(f->st, pid, "https://c.example/b", &times), "dismissed");
	assert_int_equal(times, 2);
	assert_string_equal(status_of(f->st, pid, "https://x.example/c", NULL), "resolved");

	/* third patrol sees a and c: c reopened, b (dismissed, unseen) stays dismissed */
	clear(&r);
	job = leased_job(f->st, pid, w, "patrol", "d3", T0 + 2 * 86400, l);
	add(&r, "site.broken_link_internal", page, "https://c.example/a", NULL);
	add(&r, "site.broken_link_external", page, "https://x.example/c", NULL);
	ingest(f->st, job, l, &r, T0 + 2 * 86400 + 60, 0);
	assert_string_equal(status_of(f->st, pid, "https://x.example/c", &times), "open");
	assert_int_equal(times, 2);
	assert_string_equal(status_of(f->st, pid, "https://c.example/b", NULL), "dismissed");
	assert_string_equal(status_of(f->st, pid, "https://c.example/a", &times), "open");
	assert_int_equal(times, 3);
	/* one row per fingerprint */
	pgd_store_query_int(f->st, &times, &err, "SELECT COUNT(*) FROM patrol_findings WHERE platform_id = $1", "i", pid);
	assert_int_equal(times, 3);
	clear(&r);
}

static void test_evidence_missing_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_patrol_result r;
	struct pgd_patrol_thresholds th;
	char l[65];
	int already = 0;
	int64_t pid = platform(f->st, "https://d.example"), w = worker(f->st, "w"), job, n = 0;
	const char *sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"; /* "hello" */
	int created = 0;

	memset(&r, 0, sizeof(r));
	pgd_patrol_thresholds_default(&th);
	job = leased_job(f->st, pid, w, "patrol", "d1", T0, l);
	add(&r, "site.hidden_link", "https://d.example/", "https://bet.example/", NULL);
	add(&r, "site.broken_link_internal", "https://d.example/", "https://d.example/x", sha);
	assert_int_equal(pgd_patrol_ingest(f->st, job, l, &r, &th, NULL, T0 + 5, &already, &err), PGD_ERR_INVALID);
	assert_string_equal(err.field, "evidence_missing");
	assert_non_null(strstr(err.message, sha));
	pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM patrol_findings", "");
	assert_int_equal(n, 0); /* the first finding was rolled back with the rest */
	/* upload the bytes, then the same result goes in */
	assert_int_equal(pgd_patrol_blob_put(f->st, sha, "hello", 5, &created, &err), 0);
	assert_int_equal(pgd_patrol_ingest(f->st, job, l, &r, &th, NULL, T0 + 6, &already, &err), 0);
	pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM patrol_findings", "");
	assert_int_equal(n, 2);
	clear(&r);
}

/* One probe job at T0 + hour hours; ok or not. */
static void probe(struct pgd_store *st, int64_t pid, int64_t w, int hour, int ok, time_t tls)
{
	struct pgd_patrol_result r;
	char period[32], l[65];
	int64_t job;
	memset(&r, 0, sizeof(r));
	snprintf(period, sizeof(period), "p%d", hour);
	job = leased_job(st, pid, w, "probe", period, T0 + hour * 3600, l);
	r.has_probe = 1;
	r.probe.at = T0 + hour * 3600;
	r.probe.ok = ok;
	r.probe.status = ok ? 200 : 0;
	r.probe.ms = ok ? 120 : 15000;
	r.probe.tls_expires = tls;
	if (!ok)
		snprintf(r.probe.error, sizeof(r.probe.error), "连接超时");
	ingest(st, job, l, &r, T0 + hour * 3600 + 1, 0);
}

static int unavailable(struct pgd_store *st, int64_t pid, char sev[16], char msg[256])
{
	struct pgd_stmt *q = NULL;
	struct pgd_err err = {0};
	int found = 0;
	sev[0] = msg[0] = '\0';
	pgd_store_prep(st, &q, &err,
		"SELECT severity, message FROM patrol_findings WHERE platform_id = $1 AND category = 'site.unavailable' "
		"AND status = 'open'",
		"i", pid);
	if (st->be->step(q, &err) == 1) {
		snprintf(sev, 16, "%s", st->be->col_text(q, 0));
		snprintf(msg, 256, "%s", st->be->col_text(q, 1));
		found = 1;
	}
	st->be->finalize(q);
	return found;
}

static void test_week_availability(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_patrol_summary s;
	char sev[16], msg[256];
	int64_t pid = platform(f->st, "https://e.example"), w = worker(f->st, "w"), n = 0;
	int h = 0;

	/* probes_per_day 20, fail 5 %, warn 3 % (the defaults). Probe 0 fails, the rest succeed. */
	probe(f->st, pid, w, h++, 0, 0);
	while (h < 19)
		probe(f->st, pid, w, h++, 1, 0);
	assert_false(unavailable(f->st, pid, sev, msg)); /* 19 probes: fewer than a day's worth, no verdict */
	probe(f->st, pid, w, h++, 1, 0);                 /* 20 probes, 1 failed: 1/20 = 5.0 % >= 5 */
	assert_true(unavailable(f->st, pid, sev, msg));
	assert_string_equal(sev, "block");
	assert_string_equal(msg, "近7天可用性监测 20 次，其中 1 次未能在 15 秒内打开首页（5.0%）");
	while (h < 25)
		probe(f->st, pid, w, h++, 1, 0); /* 25 probes: 1/25 = 4.0 %: below 5, at least 3 */
	assert_true(unavailable(f->st, pid, sev, msg));
	assert_string_equal(sev, "review");
	assert_string_equal(msg, "近7天可用性监测 25 次，其中 1 次未能在 15 秒内打开首页（4.0%）");
	while (h < 34)
		probe(f->st, pid, w, h++, 1, 0); /* 34 probes: 1/34 = 2.9 % < 3: resolved */
	assert_false(unavailable(f->st, pid, sev, msg));
	pgd_store_query_int(f->st, &n, &err,
		"SELECT COUNT(*) FROM patrol_findings WHERE platform_id = $1 AND status = 'resolved'", "i", pid);
	assert_int_equal(n, 1);
	/* a certificate that expires on 2026-12-20 (Beijing), seen on 2026-12-02: within 30 days */
	probe(f->st, pid, w, h++, 1, (time_t)1797724800 - 8 * 3600);
	pgd_store_query_int(f->st, &n, &err,
		"SELECT COUNT(*) FROM patrol_findings WHERE platform_id = $1 AND category = 'site.tls_expiring' AND "
		"message = 'TLS 证书将于 2026-12-20 到期' AND status = 'open'",
		"i", pid);
	assert_int_equal(n, 1);
	/* the platform's page: 35 probes in the 7 days before T0 + 35 h, 1 failed */
	assert_int_equal(pgd_patrol_summary(f->st, pid, T0 + 35 * 3600, &s, &err), 0);
	assert_int_equal(s.week_probes, 35);
	assert_int_equal(s.week_failed, 1);
	assert_int_equal(s.n_probes, 35);
	assert_string_equal(s.probes[0].at, "2026-12-01T00:00:00Z"); /* oldest first */
	assert_false(s.probes[0].ok);
	assert_string_equal(s.tls_expires, "2026-12-19T16:00:00Z");
	pgd_patrol_summary_release(&s);
	/* a later probe that got no page saw no certificate: the expiry shown is still the last one seen */
	probe(f->st, pid, w, h++, 0, 0);
	assert_int_equal(pgd_patrol_summary(f->st, pid, T0 + 36 * 3600, &s, &err), 0);
	assert_int_equal(s.week_probes, 36);
	assert_false(s.probes[s.n_probes - 1].ok);
	assert_string_equal(s.tls_expires, "2026-12-19T16:00:00Z");
	pgd_patrol_summary_release(&s);
}

static void test_blobs(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	unsigned char *out = NULL;
	size_t len = 0;
	int created = -1;
	int64_t n = 0;
	char big_sha[65], *big = pgd_malloc(10000);
	const char *sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

	/* a wrong name is refused */
	assert_int_equal(pgd_patrol_blob_put(f->st, sha, "hellO", 5, &created, &err), PGD_ERR_INTEGRITY);
	assert_int_equal(pgd_patrol_blob_put(f->st, "abc", "hello", 5, &created, &err), PGD_ERR_INVALID);
	assert_int_equal(pgd_patrol_blob_put(f->st, sha, "hello", 5, &created, &err), 0);
	assert_int_equal(created, 1);
	assert_int_equal(pgd_patrol_blob_put(f->st, sha, "hello", 5, &created, &err), 0);
	assert_int_equal(created, 0);
	assert_int_equal(pgd_patrol_blob_get(f->st, sha, &out, &len, &err), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(out, "hello", 5);
	free(out);
	/* 5 bytes do not compress; 10000 'a' do */
	pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM patrol_evidence_blobs WHERE sha256 = $1 AND compression = 'none'",
		"s", sha);
	assert_int_equal(n, 1);
	memset(big, 'a', 10000);
	pgd_sha256_hex(big, 10000, big_sha);
	assert_string_equal(big_sha, "27dd1f61b867b6a0f6e9d8a41c43231de52107e53ae424de8f847b821db4b711");
	assert_int_equal(pgd_patrol_blob_put(f->st, big_sha, big, 10000, &created, &err), 0);
	pgd_store_query_int(f->st, &n, &err,
		"SELECT COUNT(*) FROM patrol_evidence_blobs WHERE sha256 = $1 AND compression = 'zlib' AND length(body) < 200",
		"s", big_sha);
	assert_int_equal(n, 1);
	assert_int_equal(pgd_patrol_blob_get(f->st, big_sha, &out, &len, &err), 0);
	assert_int_equal(len, 10000);
	assert_memory_equal(out, big, 10000);
	free(out);
	/* tampered bytes in the database are refused on the way out */
	assert_int_equal(pgd_store_execp(f->st, NULL, &err,
				 "UPDATE patrol_evidence_blobs SET body = CAST('jello' AS BLOB) WHERE sha256 = $1", "s", sha),
		0);
	assert_int_equal(pgd_patrol_blob_get(f->st, sha, &out, &len, &err), PGD_ERR_INTEGRITY);
	assert_null(out);
	assert_int_equal(pgd_patrol_blob_get(f->st, "0000000000000000000000000000000000000000000000000000000000000000", &out,
				 &len, &err),
		PGD_ERR_NOT_FOUND);
	free(big);
}

static void test_workers(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_patrol_worker w;
	char tok[65], hash[65], tok2[65], hash2[65];
	pgd_patrol_secret_new(tok);
	pgd_patrol_secret_hash(tok, hash);
	assert_int_equal(pgd_patrol_worker_add(f->st, "remote-1", hash, 0, NULL, &err), 0);
	assert_int_equal(pgd_patrol_worker_add(f->st, "remote-1", hash, 0, NULL, &err), PGD_ERR_CONFLICT);
	assert_int_equal(pgd_patrol_worker_add(f->st, "bad name", hash, 0, NULL, &err), PGD_ERR_INVALID);
	assert_int_equal(pgd_patrol_worker_auth(f->st, hash, &w, &err), 0);
	assert_string_equal(w.name, "remote-1");
	assert_int_equal(pgd_patrol_worker_revoke(f->st, "remote-1", &err), 0);
	assert_int_equal(pgd_patrol_worker_auth(f->st, hash, &w, &err), PGD_ERR_NOT_FOUND);
	/* replace = 1 (the server's "local" worker): a new token, un-revoked */
	pgd_patrol_secret_new(tok2);
	pgd_patrol_secret_hash(tok2, hash2);
	assert_int_equal(pgd_patrol_worker_add(f->st, "remote-1", hash2, 1, NULL, &err), 0);
	assert_int_equal(pgd_patrol_worker_auth(f->st, hash2, &w, &err), 0);
	assert_int_equal(pgd_patrol_worker_auth(f->st, hash, &w, &err), PGD_ERR_NOT_FOUND);
}

static void test_scheduler(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	int64_t pid = platform(f->st, "https://f.example"), n = 0;
	char *v = NULL;
	/* 2026-12-01 01:59 Beijing (Tuesday): before the daily 02:00, probe slot 1 of 20 */
	time_t before = (time_t)1796083200 - 8 * 3600 + 119 * 60;

	assert_int_equal(pid, 1); /* probe slots of platform 1 are offset by 1 % 72 = 1 minute */
	assert_int_equal(pgd_scheduler_tick(f->st, before, &err), 0);
	pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM patrol_jobs WHERE kind = 'patrol'", "");
	assert_int_equal(n, 0);
	/* 1440 / 20 = 72-minute slots from 00:01: 00:01, 01:13, 02:25 ... */
	pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM patrol_jobs WHERE kind = 'probe' AND period = '2026-12-01T01:13'", "");
	assert_int_equal(n, 1);
	assert_int_equal(pgd_scheduler_tick(f->st, before + 60, &err), 0); /* 02:00 */
	assert_int_equal(pgd_scheduler_tick(f->st, before + 90, &err), 0); /* again: keyed by period */
	pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM patrol_jobs WHERE kind = 'patrol' AND period = '2026-12-01'", "");
	assert_int_equal(n, 1);
	pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM patrol_jobs", "");
	assert_int_equal(n, 2);
	/* Monday 2026-12-07 08:00 Beijing = 00:00Z: the weekly summary, once */
	assert_int_equal(pgd_scheduler_tick(f->st, (time_t)1796083200 + 6 * 86400, &err), 0);
	assert_int_equal(pgd_scheduler_tick(f->st, (time_t)1796083200 + 6 * 86400 + 30, &err), 0);
	assert_int_equal(pgd_setting_get(f->st, "patrol.last_weekly", &v, &err), 0);
	assert_string_equal(v, "2026-12-07");
	free(v);
	pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM audit_log WHERE action = 'patrol.weekly_summary'", "");
	assert_int_equal(n, 1);
	/* 2027-01-01 08:00 Beijing: the monthly trigger for January */
	assert_int_equal(pgd_scheduler_tick(f->st, (time_t)1798761600, &err), 0);
	assert_int_equal(pgd_setting_get(f->st, "patrol.last_monthly", &v, &err), 0);
	assert_string_equal(v, "2027-01");
	free(v);
	pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM audit_log WHERE action = 'patrol.monthly_report'", "");
	assert_int_equal(n, 1);
}

/* The demo city's patrol (demo.c): a week of probes on the websites, one done patrol each,
 * findings whose evidence reads back intact. Site 0 fails 5 of its 140 probes (k = 3, 31, 59,
 * 87, 115): 3.6 %, at least 3 and under 5: site.unavailable, review. */
static void test_demo_patrol(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_key key;
	struct pgd_stmt *q = NULL;
	char logins[192];
	int64_t n = 0;
	int rows = 0;

	memset(&key, 7, sizeof(key));
	snprintf(logins, sizeof(logins), "%s/logins.txt", f->dir);
	assert_int_equal(pgd_demo_seed(f->st, &key, logins, (time_t)1796090400, &err), 0);
	unlink(logins);
	pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM patrol_jobs WHERE kind = 'patrol' AND status = 'done'", "");
	assert_true(n >= 5 && n <= 10);
	pgd_store_query_int(f->st, &n, &err,
		"SELECT COUNT(*) FROM patrol_findings WHERE category = 'site.unavailable' AND severity = 'review' AND status = 'open' "
		"AND message = '近7天可用性监测 140 次，其中 5 次未能在 15 秒内打开首页（3.6%）'",
		"");
	assert_int_equal(n, 1);
	pgd_store_query_int(f->st, &n, &err,
		"SELECT COUNT(DISTINCT category) FROM patrol_findings WHERE status = 'open'", "");
	assert_true(n >= 6);
	pgd_store_query_int(f->st, &n, &err, "SELECT COUNT(*) FROM patrol_findings WHERE category = 'publish.unreviewed'", "");
	assert_int_equal(n, 1);
	assert_int_equal(pgd_store_prep(f->st, &q, &err,
				 "SELECT DISTINCT evidence_sha256 FROM patrol_findings WHERE evidence_sha256 IS NOT NULL", ""),
		0);
	while (f->st->be->step(q, &err) == 1) {
		struct pgd_store *other = NULL;
		unsigned char *bytes = NULL;
		size_t len = 0;
		char sha[65];
		snprintf(sha, sizeof(sha), "%s", f->st->be->col_text(q, 0));
		assert_int_equal(pgd_store_open(&other, f->path, &err), 0);
		assert_int_equal(pgd_patrol_blob_get(other, sha, &bytes, &len, &err), 0);
		assert_true(len > 2000 && len < 16000); /* a few KB of HTML */
		assert_non_null(strstr((const char *)bytes, "<html"));
		free(bytes);
		pgd_store_close(other);
		rows++;
	}
	f->st->be->finalize(q);
	assert_true(rows >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lease_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_claims, setup, teardown),
		cmocka_unit_test_setup_teardown(test_findings_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_missing_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_week_availability, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scheduler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_demo_patrol, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
