/* The registry, dashboard and audit handlers (src/server/h_registry.c, h_dashboard.c,
 * h_audit.c) called directly with a request on a temporary database, without HTTP: the unit
 * scope (another unit's records read as 404, writing into another unit is 403), the contract's
 * refusal of a non-formal manager, PUT keeping the fields it is not given, every change audited
 * in its own transaction and rolled back when the audit fails, and the dashboard's figures.
 * (The HTTP layer, sign-in, CSRF and the route permissions are tested over HTTP elsewhere.) */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "pubguard/err.h"
#include "pubguard/reviews.h"
#include "pubguard/store.h"
#include "server/handlers.h"
#include "store/internal.h"
#include "core/banned.h"

#include "store_fixture.h"

/* The world of every test, counted by hand:
 *   unit A (教育局): people a_formal (formal), a_temp (临聘); platforms a_wx (wechat, manager
 *     a_formal), a_web (website, closed)
 *   unit B (卫健局): person b_formal; platform b_wx (wechat, manager b_formal) */
struct world {
	int64_t a, b, a_formal, a_temp, b_formal, a_wx, a_web, b_wx;
	struct pgd_principal unit_user, office, nobody;
};

static struct world w;

static void build_world(struct pgd_store *st)
{
	struct pgd_err err = {0};
	struct pgd_unit u = {.name = (char *)"市教育局", .kind = PGD_UNIT_DEPARTMENT};
	struct pgd_person p = {.name = (char *)"张伟", .staff_type = PGD_STAFF_FORMAL};
	struct pgd_platform pf = {.name = (char *)"盘州教育", .type = PGD_PLATFORM_WECHAT};

	memset(&w, 0, sizeof(w));
	assert_int_equal(pgd_unit_create(st, &u, &w.a, &err), 0);
	u.name = (char *)"市卫生健康局";
	assert_int_equal(pgd_unit_create(st, &u, &w.b, &err), 0);
	p.unit_id = w.a;
	assert_int_equal(pgd_person_create(st, &p, &w.a_formal, &err), 0);
	p.name = (char *)"李娜";
	p.staff_type = PGD_STAFF_TEMPORARY;
	assert_int_equal(pgd_person_create(st, &p, &w.a_temp, &err), 0);
	p.unit_id = w.b;
	p.name = (char *)"王强";
	p.staff_type = PGD_STAFF_FORMAL;
	assert_int_equal(pgd_person_create(st, &p, &w.b_formal, &err), 0);
	pf.unit_id = w.a;
	pf.url_or_account = (char *)"gh_jyj";
	pf.manager_person_id = w.a_formal;
	assert_int_equal(pgd_platform_create(st, &pf, &w.a_wx, &err), 0);
	pf.name = (char *)"盘州教育网";
	pf.type = PGD_PLATFORM_WEBSITE;
	pf.url_or_account = (char *)"https://jyj.example";
	assert_int_equal(pgd_platform_create(st, &pf, &w.a_web, &err), 0);
	assert_int_equal(pgd_platform_close(st, w.a_web, &err), 0);
	pf.unit_id = w.b;
	pf.name = (char *)"健康盘州";
	pf.type = PGD_PLATFORM_WECHAT;
	pf.url_or_account = (char *)"gh_wjj";
	pf.manager_person_id = w.b_formal;
	assert_int_equal(pgd_platform_create(st, &pf, &w.b_wx, &err), 0);

	snprintf(w.unit_user.username, sizeof(w.unit_user.username), "liaison_a");
	w.unit_user.user_id = 1;
	w.unit_user.person_id = w.a_formal;
	w.unit_user.unit_id = w.a;
	snprintf(w.office.username, sizeof(w.office.username), "office01");
	w.office.user_id = 2;
	w.office.city_scope = 1;
	snprintf(w.nobody.username, sizeof(w.nobody.username), "unbound");
	w.nobody.user_id = 3;
}

static int wsetup(void **state)
{
	int rc = setup(state);
	if (rc == 0)
		build_world(((struct fx *)*state)->st);
	return rc;
}

/* Call handler h as who, with path id (0: none) and a JSON body (NULL: none). Returns the
 * answer (new) and its status; checks that no transaction is left open. */
static json_t *call(struct fx *f, pgd_handler *h, struct pgd_principal *who, int64_t id, const char *body,
	int *status)
{
	struct pgd_req rq;
	struct pgd_resp rs;
	json_error_t je;

	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.method = body ? "POST" : "GET";
	rq.st = f->st;
	rq.who = who;
	if (id) {
		rq.id[0] = id;
		rq.n_id = 1;
	}
	if (body) {
		rq.json = json_loads(body, 0, &je);
		assert_non_null(rq.json);
		rq.body = body;
		rq.body_len = strlen(body);
	}
	h(&rq, &rs);
	json_decref(rq.json);
	assert_int_equal(f->st->in_tx, 0);
	assert_non_null(rs.json);
	*status = rs.status;
	free(rs.bytes);
	free(rs.filename);
	free(rs.set_cookie[0]);
	free(rs.set_cookie[1]);
	return rs.json;
}

static const char *err_code(json_t *j)
{
	return json_string_value(json_object_get(json_object_get(j, "error"), "code"));
}
static const char *err_field(json_t *j)
{
	return json_string_value(json_object_get(json_object_get(j, "error"), "field"));
}
static int64_t int_of(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);
	assert_true(json_is_integer(v));
	return (int64_t)json_integer_value(v);
}

static int64_t audit_count(struct pgd_store *st)
{
	int64_t n = -1;
	struct pgd_err err = {0};
	assert_int_equal(pgd_store_query_int(st, &n, &err, "SELECT COUNT(*) FROM audit_log", ""), 0);
	return n;
}

static void test_reads_are_scoped(void **state)
{
	struct fx *f = *state;
	json_t *j;
	int st;

	/* another unit's records do not exist for a unit's user */
	j = call(f, h_units_get, &w.unit_user, w.b, NULL, &st);
	assert_int_equal(st, 404);
	assert_string_equal(err_code(j), "not_found");
	json_decref(j);
	j = call(f, h_people_get, &w.unit_user, w.b_formal, NULL, &st);
	assert_int_equal(st, 404);
	json_decref(j);
	j = call(f, h_platforms_get, &w.unit_user, w.b_wx, NULL, &st);
	assert_int_equal(st, 404);
	json_decref(j);
	/* ... and the answer is the same as for an id that does not exist */
	j = call(f, h_platforms_get, &w.unit_user, 999, NULL, &st);
	assert_int_equal(st, 404);
	json_decref(j);

	/* their own are there, with the joined names */
	j = call(f, h_platforms_get, &w.unit_user, w.a_wx, NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(json_string_value(json_object_get(j, "unit_name")), "市教育局");
	assert_string_equal(json_string_value(json_object_get(j, "manager_name")), "张伟");
	assert_string_equal(json_string_value(json_object_get(j, "type")), "wechat");
	assert_true(json_is_true(json_object_get(j, "active")));
	assert_true(json_is_null(json_object_get(j, "site_code")));
	json_decref(j);

	/* lists: a unit's user sees their unit only; the office sees all */
	j = call(f, h_units_list, &w.unit_user, 0, NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(int_of(j, "total"), 1);
	assert_int_equal(int_of(json_array_get(json_object_get(j, "items"), 0), "id"), w.a);
	assert_int_equal(int_of(j, "page"), 1);
	assert_int_equal(int_of(j, "page_size"), 50);
	json_decref(j);
	j = call(f, h_units_list, &w.office, 0, NULL, &st);
	assert_int_equal(int_of(j, "total"), 2);
	json_decref(j);
	j = call(f, h_people_list, &w.unit_user, 0, NULL, &st);
	assert_int_equal(int_of(j, "total"), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "unit_name")),
		"市教育局");
	json_decref(j);
	j = call(f, h_people_list, &w.office, 0, NULL, &st);
	assert_int_equal(int_of(j, "total"), 3);
	json_decref(j);
	j = call(f, h_platforms_list, &w.unit_user, 0, NULL, &st);
	assert_int_equal(int_of(j, "total"), 1); /* the closed website is left out by default */
	json_decref(j);
	/* a user bound to no unit, without city scope, sees nothing (not everything) */
	j = call(f, h_platforms_list, &w.nobody, 0, NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(int_of(j, "total"), 0);
	json_decref(j);
	j = call(f, h_units_list, &w.nobody, 0, NULL, &st);
	assert_int_equal(int_of(j, "total"), 0);
	json_decref(j);
}

static void test_writes_are_scoped_and_audited(void **state)
{
	struct fx *f = *state;
	struct pgd_registry_stats s;
	struct pgd_err err = {0};
	struct pgd_audit_list al = {0};
	char body[256];
	int64_t before = audit_count(f->st), id;
	json_t *j;
	int st;

	/* creating into another unit: 403, nothing written */
	snprintf(body, sizeof(body), "{\"unit_id\":%" PRId64 ",\"name\":\"赵敏\",\"staff_type\":\"formal\"}", w.b);
	j = call(f, h_people_create, &w.unit_user, 0, body, &st);
	assert_int_equal(st, 403);
	assert_string_equal(err_code(j), "forbidden");
	assert_string_equal(err_field(j), "unit_id");
	json_decref(j);
	assert_int_equal(pgd_registry_stats(f->st, w.b, &s, &err), 0);
	assert_int_equal(s.people, 1);
	assert_int_equal(audit_count(f->st), before);

	/* into their own: 201, one audit entry with who, what and the record after */
	snprintf(body, sizeof(body), "{\"unit_id\":%" PRId64 ",\"name\":\"赵敏\",\"post\":\"科员\",\"staff_type\":\"formal\"}",
		w.a);
	j = call(f, h_people_create, &w.unit_user, 0, body, &st);
	assert_int_equal(st, 201);
	id = int_of(j, "id");
	assert_string_equal(json_string_value(json_object_get(j, "unit_name")), "市教育局");
	json_decref(j);
	assert_int_equal(audit_count(f->st), before + 1);
	assert_int_equal(pgd_audit_list(f->st, NULL, &al, &err), 0);
	assert_string_equal(al.items[0].actor, "liaison_a");
	assert_string_equal(al.items[0].action, "person.create");
	{
		char subject[32];
		snprintf(subject, sizeof(subject), "person:%" PRId64, id);
		assert_string_equal(al.items[0].subject, subject);
	}
	assert_null(al.items[0].before_json);
	assert_non_null(strstr(al.items[0].after_json, "\"name\":\"赵敏\""));
	pgd_audit_list_release(&al);

	/* another unit's person cannot be changed, moved to, or marked left: 404 / 403 */
	j = call(f, h_people_update, &w.unit_user, w.b_formal, "{\"name\":\"改名\"}", &st);
	assert_int_equal(st, 404);
	json_decref(j);
	j = call(f, h_people_leave, &w.unit_user, w.b_formal, NULL, &st);
	assert_int_equal(st, 404);
	json_decref(j);
	snprintf(body, sizeof(body), "{\"unit_id\":%" PRId64 "}", w.b);
	j = call(f, h_people_update, &w.unit_user, id, body, &st);
	assert_int_equal(st, 403);
	assert_string_equal(err_field(j), "unit_id");
	json_decref(j);

	/* PUT keeps what it is not given; null clears an optional field; before/after audited */
	j = call(f, h_people_update, &w.unit_user, id, "{\"phone\":\"13900000000\",\"post\":null}", &st);
	assert_int_equal(st, 200);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "赵敏");
	assert_string_equal(json_string_value(json_object_get(j, "staff_type")), "formal");
	assert_string_equal(json_string_value(json_object_get(j, "phone")), "13900000000");
	assert_true(json_is_null(json_object_get(j, "post")));
	json_decref(j);
	assert_int_equal(pgd_audit_list(f->st, NULL, &al, &err), 0);
	assert_string_equal(al.items[0].action, "person.update");
	assert_non_null(strstr(al.items[0].before_json, "\"post\":\"科员\""));
	assert_non_null(strstr(al.items[0].after_json, "\"post\":null"));
	pgd_audit_list_release(&al);

	/* bad input names the field */
	j = call(f, h_people_update, &w.unit_user, id, "{\"staff_type\":\"contract\"}", &st);
	assert_int_equal(st, 400);
	assert_string_equal(err_field(j), "staff_type");
	json_decref(j);
	j = call(f, h_people_update, &w.unit_user, id, "{\"name\":\"\"}", &st);
	assert_int_equal(st, 400);
	assert_string_equal(err_field(j), "name");
	json_decref(j);

	/* units are the office's: a unit's user cannot create one */
	j = call(f, h_units_create, &w.unit_user, 0, "{\"name\":\"新单位\",\"kind\":\"town\"}", &st);
	assert_int_equal(st, 403);
	json_decref(j);
	j = call(f, h_units_create, &w.office, 0, "{\"name\":\"新单位\",\"kind\":\"village\"}", &st);
	assert_int_equal(st, 400);
	assert_string_equal(err_field(j), "kind");
	json_decref(j);
	snprintf(body, sizeof(body), "{\"name\":\"红果街道\",\"kind\":\"town\",\"parent_id\":%" PRId64 "}", w.a);
	j = call(f, h_units_create, &w.office, 0, body, &st);
	assert_int_equal(st, 201);
	assert_string_equal(json_string_value(json_object_get(j, "parent_name")), "市教育局");
	json_decref(j);
	assert_int_equal(audit_count(f->st), before + 3);
}

static void test_platform_manager_rules(void **state)
{
	struct fx *f = *state;
	char body[300];
	int64_t before = audit_count(f->st);
	json_t *j;
	int st;

	/* Art. 12: a 临聘 person as manager: 403 forbidden, field and message as the contract says */
	snprintf(body, sizeof(body),
		"{\"unit_id\":%" PRId64 ",\"name\":\"盘州教育微博\",\"type\":\"weibo\",\"url_or_account\":\"https://weibo.com/jyj\","
		"\"manager_person_id\":%" PRId64 "}", w.a, w.a_temp);
	j = call(f, h_platforms_create, &w.unit_user, 0, body, &st);
	assert_int_equal(st, 403);
	assert_string_equal(err_code(j), "forbidden");
	assert_string_equal(err_field(j), "manager_person_id");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
		"临聘人员和公益性岗位人员不得担任平台管理员");
	json_decref(j);
	/* the same on an edit */
	snprintf(body, sizeof(body), "{\"manager_person_id\":%" PRId64 "}", w.a_temp);
	j = call(f, h_platforms_update, &w.unit_user, w.a_wx, body, &st);
	assert_int_equal(st, 403);
	assert_string_equal(err_field(j), "manager_person_id");
	json_decref(j);
	/* a manager of another unit: refused without saying who that person is */
	snprintf(body, sizeof(body), "{\"manager_person_id\":%" PRId64 "}", w.b_formal);
	j = call(f, h_platforms_update, &w.office, w.a_wx, body, &st);
	assert_int_equal(st, 400);
	assert_string_equal(err_field(j), "manager_person_id");
	assert_null(strstr(json_string_value(json_object_get(json_object_get(j, "error"), "message")), "王强"));
	json_decref(j);
	assert_int_equal(audit_count(f->st), before);

	/* a formal manager of the unit: created; then the manager cleared with null */
	snprintf(body, sizeof(body),
		"{\"unit_id\":%" PRId64 ",\"name\":\"盘州教育微博\",\"type\":\"weibo\",\"url_or_account\":\"https://weibo.com/jyj\","
		"\"manager_person_id\":%" PRId64 ",\"certified\":true}", w.a, w.a_formal);
	j = call(f, h_platforms_create, &w.unit_user, 0, body, &st);
	assert_int_equal(st, 201);
	assert_true(json_is_true(json_object_get(j, "certified")));
	{
		int64_t id = int_of(j, "id");
		json_decref(j);
		j = call(f, h_platforms_update, &w.unit_user, id, "{\"manager_person_id\":null}", &st);
		assert_int_equal(st, 200);
		assert_true(json_is_null(json_object_get(j, "manager_person_id")));
		assert_true(json_is_null(json_object_get(j, "manager_name")));
		assert_string_equal(json_string_value(json_object_get(j, "name")), "盘州教育微博");
		json_decref(j);
		j = call(f, h_platforms_close, &w.unit_user, id, NULL, &st);
		assert_int_equal(st, 200);
		assert_true(json_is_false(json_object_get(j, "active")));
	}
	json_decref(j);
	/* another unit's platform cannot be closed */
	j = call(f, h_platforms_close, &w.unit_user, w.b_wx, NULL, &st);
	assert_int_equal(st, 404);
	json_decref(j);
	assert_int_equal(audit_count(f->st), before + 3);
}

/* If the audit entry cannot be written, the change is not made. */
static void test_audit_failure_rolls_back(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	struct pgd_person p = {0};
	json_t *j;
	int st;

	assert_int_equal(pgd_store_execp(f->st, NULL, &err, "DELETE FROM audit_head", ""), 0);
	j = call(f, h_people_update, &w.unit_user, w.a_formal, "{\"name\":\"不该写入\"}", &st);
	assert_int_equal(st, 422);
	assert_string_equal(err_code(j), "integrity");
	json_decref(j);
	assert_int_equal(pgd_person_get(f->st, w.a_formal, &p, &err), 0);
	assert_string_equal(p.name, "张伟");
	pgd_person_release(&p);
	j = call(f, h_platforms_close, &w.unit_user, w.a_wx, NULL, &st);
	assert_int_equal(st, 422);
	json_decref(j);
	j = call(f, h_platforms_get, &w.unit_user, w.a_wx, NULL, &st);
	assert_true(json_is_true(json_object_get(j, "active")));
	json_decref(j);
}

static void test_dashboard(void **state)
{
	struct fx *f = *state;
	json_t *j, *top;
	int st;

	/* the whole city: 2 units, 3 people, open platforms a_wx and b_wx, closed a_web; no filing */
	j = call(f, h_dashboard, &w.office, 0, NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(int_of(j, "units"), 2);
	assert_int_equal(int_of(j, "people"), 3);
	assert_int_equal(int_of(j, "platforms"), 2);
	assert_int_equal(int_of(json_object_get(j, "platforms_by_type"), "wechat"), 2);
	assert_int_equal(int_of(json_object_get(j, "platforms_by_type"), "website"), 0);
	assert_int_equal(json_object_size(json_object_get(j, "platforms_by_type")), PGD_PLATFORM_TYPE_COUNT);
	assert_int_equal(int_of(json_object_get(j, "platforms_by_status"), "open"), 2);
	assert_int_equal(int_of(json_object_get(j, "platforms_by_status"), "closed"), 1);
	top = json_object_get(j, "platforms_by_unit");
	assert_int_equal(json_array_size(top), 2);
	assert_int_equal(int_of(json_array_get(top, 0), "unit_id"), w.a); /* 1 each: lower id first */
	assert_int_equal(int_of(json_array_get(top, 0), "count"), 1);
	assert_int_equal(int_of(j, "filings_missing"), 2);
	assert_int_equal(int_of(j, "filings_outdated"), 0);
	assert_int_equal(int_of(j, "custody_flagged"), 0);
	assert_int_equal(int_of(j, "handovers_pending"), 0);
	json_decref(j);

	/* unit A's user: unit A only */
	j = call(f, h_dashboard, &w.unit_user, 0, NULL, &st);
	assert_int_equal(int_of(j, "units"), 1);
	assert_int_equal(int_of(j, "people"), 2);
	assert_int_equal(int_of(j, "platforms"), 1);
	assert_int_equal(int_of(json_object_get(j, "platforms_by_status"), "closed"), 1);
	assert_int_equal(json_array_size(json_object_get(j, "platforms_by_unit")), 1);
	assert_int_equal(int_of(j, "filings_missing"), 1);
	json_decref(j);

	/* b_formal leaves: B's platform is flagged (city and B, not A) */
	{
		struct pgd_err err = {0};
		assert_int_equal(pgd_person_leave(f->st, w.b_formal, &err), 0);
	}
	j = call(f, h_dashboard, &w.office, 0, NULL, &st);
	assert_int_equal(int_of(j, "custody_flagged"), 1);
	assert_int_equal(int_of(j, "people"), 2);
	json_decref(j);
	j = call(f, h_dashboard, &w.unit_user, 0, NULL, &st);
	assert_int_equal(int_of(j, "custody_flagged"), 0);
	json_decref(j);

	/* bound to no unit: zeros, not the city's figures */
	j = call(f, h_dashboard, &w.nobody, 0, NULL, &st);
	assert_int_equal(int_of(j, "units"), 0);
	assert_int_equal(int_of(j, "platforms"), 0);
	assert_int_equal(int_of(j, "filings_missing"), 0);
	json_decref(j);
}

static void test_audit_handlers(void **state)
{
	struct fx *f = *state;
	struct pgd_err err = {0};
	json_t *j, *item;
	int st;

	assert_int_equal(pgd_audit_append(f->st, "office01", "unit.update", "unit:1", "{\"name\":\"旧\"}",
		"{\"name\":\"新\"}", NULL, &err), 0);
	assert_int_equal(pgd_audit_append(f->st, "office01", "user.login", NULL, NULL, NULL, NULL, &err), 0);
	j = call(f, h_audit_list, &w.office, 0, NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(int_of(j, "total"), 2);
	item = json_array_get(json_object_get(j, "items"), 1);
	assert_int_equal(int_of(item, "seq"), 1);
	/* before/after are parsed JSON, not strings */
	assert_string_equal(json_string_value(json_object_get(json_object_get(item, "before"), "name")), "旧");
	assert_string_equal(json_string_value(json_object_get(json_object_get(item, "after"), "name")), "新");
	item = json_array_get(json_object_get(j, "items"), 0);
	assert_true(json_is_null(json_object_get(item, "before")));
	assert_true(json_is_null(json_object_get(item, "subject")));
	json_decref(j);

	j = call(f, h_audit_verify, &w.office, 0, NULL, &st);
	assert_int_equal(st, 200);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_int_equal(int_of(j, "count"), 2);
	assert_true(json_is_null(json_object_get(j, "bad_seq")));
	json_decref(j);

	assert_int_equal(pgd_store_execp(f->st, NULL, &err, "UPDATE audit_log SET actor = 'x' WHERE seq = 1", ""), 0);
	j = call(f, h_audit_verify, &w.office, 0, NULL, &st);
	assert_int_equal(st, 200);
	assert_true(json_is_false(json_object_get(j, "ok")));
	assert_int_equal(int_of(j, "bad_seq"), 1);
	assert_int_equal(int_of(j, "count"), 2);
	assert_non_null(strstr(json_string_value(json_object_get(j, "message")), "第 1 条"));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reads_are_scoped, wsetup, teardown),
		cmocka_unit_test_setup_teardown(test_writes_are_scoped_and_audited, wsetup, teardown),
		cmocka_unit_test_setup_teardown(test_platform_manager_rules, wsetup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_failure_rolls_back, wsetup, teardown),
		cmocka_unit_test_setup_teardown(test_dashboard, wsetup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_handlers, wsetup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
