/* JSON of the registry records: one shape everywhere (api.md "Records"), used by the
 * registry handlers, the audit entries' before/after and the import answers. */
#include <stdint.h>

#include <jansson.h>

#include "server/server.h"
#include "core/banned.h"

json_t *pgd_json_str_or_null(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;
	return j ? j : json_null();
}

json_t *pgd_json_id_or_null(int64_t id)
{
	return id > 0 ? json_integer((json_int_t)id) : json_null();
}

json_t *pgd_json_text_or_null(const char *s)
{
	return pgd_json_str_or_null(s && *s ? s : NULL);
}

json_t *pgd_json_unit(const struct pgd_unit *u)
{
	const char *kind = pgd_unit_kind_name(u->kind);
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:b, s:s, s:s, s:o}",
		"id", (json_int_t)u->id,
		"parent_id", pgd_json_id_or_null(u->parent_id),
		"parent_name", pgd_json_str_or_null(u->parent_id > 0 ? u->parent_name : NULL),
		"name", pgd_json_str_or_null(u->name),
		"kind", pgd_json_str_or_null(kind),
		"party_body", pgd_json_str_or_null(u->party_body),
		"active", u->active != 0,
		"created_at", u->created_at,
		"updated_at", u->updated_at,
		"principal_head_person_id", pgd_json_id_or_null(u->principal_head_person_id));
}

json_t *pgd_json_person(const struct pgd_person *p)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:b, s:s, s:s}",
		"id", (json_int_t)p->id,
		"unit_id", (json_int_t)p->unit_id,
		"unit_name", pgd_json_str_or_null(p->unit_name),
		"name", pgd_json_str_or_null(p->name),
		"post", pgd_json_str_or_null(p->post),
		"staff_type", pgd_json_str_or_null(pgd_staff_type_name(p->staff_type)),
		"phone", pgd_json_str_or_null(p->phone),
		"active", p->active != 0,
		"created_at", p->created_at,
		"updated_at", p->updated_at);
}

json_t *pgd_json_platform(const struct pgd_platform *p)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:b, s:s, s:s}",
		"id", (json_int_t)p->id,
		"unit_id", (json_int_t)p->unit_id,
		"unit_name", pgd_json_str_or_null(p->unit_name),
		"name", pgd_json_str_or_null(p->name),
		"type", pgd_json_str_or_null(pgd_platform_type_name(p->type)),
		"url_or_account", pgd_json_str_or_null(p->url_or_account),
		"site_code", pgd_json_str_or_null(p->site_code),
		"certified", p->certified != 0,
		"entry_point", pgd_json_str_or_null(p->entry_point),
		"manager_person_id", pgd_json_id_or_null(p->manager_person_id),
		"manager_name", pgd_json_str_or_null(p->manager_person_id > 0 ? p->manager_name : NULL),
		"active", p->active != 0,
		"created_at", p->created_at,
		"updated_at", p->updated_at);
}

json_t *pgd_json_page(json_t *items, int64_t total, const struct pgd_list_query *q)
{
	int page = q && q->page > 1 ? q->page : 1;
	int size = q && q->page_size > 0 ? q->page_size : 50;
	if (size > 500)
		size = 500;
	return json_pack("{s:o, s:I, s:i, s:i}", "items", items ? items : json_array(), "total", (json_int_t)total,
		"page", page, "page_size", size);
}
