/* GET /dashboard: the figures of the home screen, for the whole city (city scope) or for the
 * user's own unit. Registry counts come from the store's pgd_registry_stats and
 * pgd_platform_count_by_unit; review-group, custody and handover figures from reviews.h. */
#include <stdint.h>

#include <jansson.h>

#include "pubguard/reviews.h"
#include "server/handlers.h"
#include "core/banned.h"

#define TOP_UNITS 10

void h_dashboard(struct pgd_req *rq, struct pgd_resp *rs)
{
	struct pgd_registry_stats s;
	struct pgd_unit_count_list top = {0};
	struct pgd_err err = {0};
	/* city scope: 0 (all); a unit's user: their unit; a user bound to no unit: -1, which
	 * matches nothing (0 would mean the whole city) */
	int64_t unit = rq->who && rq->who->city_scope ? 0 : (rq->who && rq->who->unit_id > 0 ? rq->who->unit_id : -1);
	int64_t missing = 0, outdated = 0, flagged = 0, pending = 0;
	json_t *by_type = NULL, *by_unit = NULL;
	int rc;

	rc = pgd_registry_stats(rq->st, unit, &s, &err);
	if (rc == 0)
		rc = pgd_platform_count_by_unit(rq->st, unit, TOP_UNITS, &top, &err);
	if (rc == 0)
		rc = pgd_review_counts(rq->st, unit, &missing, &outdated, &err);
	if (rc == 0)
		rc = pgd_custody_count_flagged(rq->st, unit, &flagged, &err);
	if (rc == 0)
		rc = pgd_handover_count_pending(rq->st, unit, &pending, &err);
	if (rc < 0) {
		pgd_reply_err(rs, rc, &err);
		goto out;
	}
	by_type = json_object();
	for (int t = 0; t < PGD_PLATFORM_TYPE_COUNT; t++)
		json_object_set_new(by_type, pgd_platform_type_name((enum pgd_platform_type)t),
			json_integer((json_int_t)s.by_type[t]));
	by_unit = json_array();
	for (size_t i = 0; i < top.n; i++)
		json_array_append_new(by_unit, json_pack("{s:I, s:s?, s:I}", "unit_id", (json_int_t)top.items[i].unit_id,
			"unit_name", top.items[i].unit_name, "count", (json_int_t)top.items[i].count));
	pgd_reply_json(rs, 200, json_pack("{s:I, s:I, s:I, s:o, s:{s:I, s:I}, s:o, s:I, s:I, s:I, s:I}",
		"units", (json_int_t)s.units,
		"people", (json_int_t)s.people,
		"platforms", (json_int_t)s.platforms,
		"platforms_by_type", by_type,
		"platforms_by_status", "open", (json_int_t)s.platforms, "closed", (json_int_t)s.closed,
		"platforms_by_unit", by_unit,
		"filings_missing", (json_int_t)missing,
		"filings_outdated", (json_int_t)outdated,
		"custody_flagged", (json_int_t)flagged,
		"handovers_pending", (json_int_t)pending));
out:
	pgd_unit_count_list_release(&top);
}
