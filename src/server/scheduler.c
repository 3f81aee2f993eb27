/* The patrol scheduler: one thread in the server that wakes every 30 s (or when woken) and
 * makes the jobs that are due. Every job is keyed by its period (INSERT ... ON CONFLICT DO
 * NOTHING), and the weekly / monthly triggers by a setting holding the last period handled, so
 * several servers on one database never duplicate work.
 *   daily patrol   each open website (and other platform with a feed) at patrol.daily_time
 *                  (HH:MM Beijing time, default 02:00): period "YYYY-MM-DD"
 *   probes         probes_per_day slots a day per open website, offset by platform id:
 *                  period "YYYY-MM-DDTHH:MM" of the slot (Beijing time)
 *   weekly summary Monday 08:00, monthly report trigger the 1st at 08:00: settings
 *                  patrol.last_weekly / patrol.last_monthly and an audit entry with counts */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pubguard/accounts.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "pubguard/patrol_store.h"
#include "server/server.h"
#include "core/banned.h"

#define TICK_SECONDS 30
#define BEIJING (8 * 3600)

/* HH:MM of the setting, default 02:00, as minutes after midnight. */
static int daily_minute(struct pgd_store *st)
{
	char *v = NULL;
	int h = 2, m = 0;
	if (pgd_setting_get(st, "patrol.daily_time", &v, NULL) == 0) {
		if (strlen(v) == 5 && v[2] == ':' && v[0] >= '0' && v[0] <= '2' && v[1] >= '0' && v[1] <= '9' && v[3] >= '0' &&
		    v[3] <= '5' && v[4] >= '0' && v[4] <= '9') {
			int hh = (v[0] - '0') * 10 + (v[1] - '0'), mm = (v[3] - '0') * 10 + (v[4] - '0');
			if (hh < 24) {
				h = hh;
				m = mm;
			}
		}
		free(v);
	}
	return h * 60 + m;
}

/* Audit entry and setting for a weekly / monthly period not handled yet. */
static int trigger(struct pgd_store *st, const char *key, const char *period, const char *since, const char *action,
	struct pgd_err *err)
{
	char *last = NULL, after[256];
	int64_t jobs = 0, fresh = 0, open = 0;
	int rc, done;
	if (pgd_setting_get(st, key, &last, NULL) < 0)
		last = NULL;
	done = last && strcmp(last, period) >= 0;
	free(last);
	if (done)
		return 0;
	rc = pgd_store_begin(st, err);
	if (rc < 0)
		return rc;
	/* re-read inside the write transaction: another server may have just done it */
	if (pgd_setting_get(st, key, &last, NULL) == 0) {
		done = strcmp(last, period) >= 0;
		free(last);
		if (done) {
			pgd_store_rollback(st, NULL);
			return 0;
		}
	}
	rc = pgd_patrol_counts_since(st, since, &jobs, &fresh, &open, err);
	snprintf(after, sizeof(after),
		"{\"period\":\"%s\",\"jobs_done\":%" PRId64 ",\"findings_new\":%" PRId64 ",\"findings_active\":%" PRId64 "}",
		period, jobs, fresh, open);
	if (rc == 0)
		rc = pgd_setting_set(st, key, period, err);
	if (rc == 0)
		rc = pgd_audit_append(st, "scheduler", action, period, NULL, after, NULL, err);
	if (rc == 0)
		rc = pgd_store_commit(st, err);
	else
		pgd_store_rollback(st, NULL);
	return rc;
}

int pgd_scheduler_tick(struct pgd_store *st, time_t now, struct pgd_err *err)
{
	struct pgd_patrol_target *t = NULL;
	struct pgd_patrol_thresholds th;
	struct tm bj;
	time_t local = now + BEIJING, midnight;
	char day[16], period[32], since[32];
	int minute, rc;
	size_t n = 0;

	gmtime_r(&local, &bj);
	strftime(day, sizeof(day), "%Y-%m-%d", &bj);
	minute = bj.tm_hour * 60 + bj.tm_min;
	midnight = now - (bj.tm_hour * 3600 + bj.tm_min * 60 + bj.tm_sec); /* UTC instant of Beijing 00:00 */
	pgd_server_patrol_thresholds(st, &th);
	rc = pgd_patrol_targets(st, &t, &n, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		int64_t id = 0;
		if (minute >= daily_minute(st))
			rc = pgd_patrol_job_enqueue(st, t[i].id, "patrol", day, "scheduler", now, &id, err);
		if (rc == 0 && t[i].website && th.probes_per_day > 0) {
			/* slots spread over the day, shifted by the platform id so probes do not all start at once */
			int per = th.probes_per_day > 1440 ? 1440 : th.probes_per_day;
			int step = 1440 / per, off = (int)(t[i].id % step);
			int slot = minute < off ? -1 : (minute - off) / step;
			if (slot >= 0 && slot < per) {
				int sm = off + slot * step;
				snprintf(period, sizeof(period), "%sT%02d:%02d", day, sm / 60, sm % 60);
				rc = pgd_patrol_job_enqueue(st, t[i].id, "probe", period, "scheduler", now, &id, err);
			}
		}
	}
	free(t);
	if (rc < 0)
		return rc;
	if (minute >= 8 * 60) {
		int wday = (bj.tm_wday + 6) % 7; /* Monday 0 */
		if (wday == 0) {
			pgd_time_iso(midnight - 7 * 86400, since);
			rc = trigger(st, "patrol.last_weekly", day, since, "patrol.weekly_summary", err);
		}
		if (rc == 0 && bj.tm_mday == 1) {
			char month[16];
			struct tm prev = bj;
			strftime(month, sizeof(month), "%Y-%m", &bj);
			prev.tm_mon -= 1;
			if (prev.tm_mon < 0) {
				prev.tm_mon = 11;
				prev.tm_year -= 1;
			}
			prev.tm_mday = 1;
			strftime(since, sizeof(since), "%Y-%m-01T00:00:00Z", &prev);
			rc = trigger(st, "patrol.last_monthly", month, since, "patrol.monthly_report", err);
		}
	}
	return rc;
}

/* ---- the thread ---- */

struct pgd_scheduler {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop, woken;
	char *db_path;
};

static void *run(void *arg)
{
	struct pgd_scheduler *s = arg;
	struct pgd_store *st = NULL;
	struct pgd_err err = {0};

	if (pgd_store_open(&st, s->db_path, &err) < 0) {
		fprintf(stderr, "pubguard serve: scheduler cannot open the database: %s\n", err.message);
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		struct timespec until;
		pthread_mutex_unlock(&s->lock);
		if (pgd_scheduler_tick(st, time(NULL), &err) < 0)
			fprintf(stderr, "pubguard serve: scheduler: %s\n", err.message);
		pthread_mutex_lock(&s->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += TICK_SECONDS;
		while (!s->stop && !s->woken)
			if (pthread_cond_timedwait(&s->cond, &s->lock, &until) != 0)
				break;
		s->woken = 0;
	}
	pthread_mutex_unlock(&s->lock);
	pgd_store_close(st);
	return NULL;
}

int pgd_scheduler_start(const char *db_path, struct pgd_scheduler **out, struct pgd_err *err)
{
	struct pgd_scheduler *s = pgd_calloc(1, sizeof(*s));
	*out = NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->db_path = pgd_strdup(db_path);
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->cond);
		free(s->db_path);
		free(s);
		return pgd_err_set(err, PGD_ERR_INTERNAL, "scheduler", "无法启动巡查调度线程");
	}
	*out = s;
	return 0;
}

void pgd_scheduler_wake(struct pgd_scheduler *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->woken = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void pgd_scheduler_stop(struct pgd_scheduler *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s->db_path);
	free(s);
}
