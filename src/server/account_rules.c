/* Account rules shared by the handlers and the CLI: role sets, password policy, user JSON. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "server/account_rules.h"
#include "core/banned.h"

#define POLICY_KEY "password_policy"

int pgd_roles_from_json(const json_t *arr, uint32_t *roles, struct pgd_err *err)
{
	size_t i;
	json_t *v;
	*roles = 0;
	if (!json_is_array(arr))
		return pgd_err_set(err, PGD_ERR_INVALID, "roles", "角色必须是角色名称的数组");
	json_array_foreach(arr, i, v) {
		enum pgd_role r;
		if (!json_is_string(v))
			return pgd_err_set(err, PGD_ERR_INVALID, "roles", "第 %zu 个角色不是字符串", i + 1);
		if (pgd_role_parse(json_string_value(v), &r) < 0)
			return pgd_err_set(err, PGD_ERR_INVALID, "roles", "未知的角色「%.64s」", json_string_value(v));
		*roles |= 1u << r;
	}
	return 0;
}

json_t *pgd_roles_to_json(uint32_t roles)
{
	json_t *a = json_array();
	for (int i = 0; i < PGD_ROLE_COUNT; i++)
		if (roles & (1u << i))
			json_array_append_new(a, json_string(pgd_role_name((enum pgd_role)i)));
	return a;
}

int pgd_roles_check(uint32_t roles, int64_t person_id, struct pgd_err *err)
{
	uint32_t admin = roles & PGD_ADMIN_ROLES;
	if (admin & (admin - 1))
		return pgd_err_set(err, PGD_ERR_INVALID, "roles",
			"系统管理员、安全管理员、审计管理员三者互相分离，同一用户最多担任其中一个");
	if (admin && (roles & ~PGD_ADMIN_ROLES))
		return pgd_err_set(err, PGD_ERR_INVALID, "roles", "管理员角色不能与其他角色同时授予同一用户");
	if (person_id <= 0 && roles && !pgd_roles_city_scope(roles))
		return pgd_err_set(err, PGD_ERR_INVALID, "roles", "单位角色需要先为用户绑定人员（以确定所属单位）");
	return 0;
}

void pgd_policy_defaults(struct pgd_password_policy *p)
{
	p->min_length = 10;
	p->require_classes = 3;
	p->max_age_days = 90;
}

int pgd_policy_validate(const struct pgd_password_policy *p, struct pgd_err *err)
{
	if (p->min_length < 8 || p->min_length > 128)
		return pgd_err_set(err, PGD_ERR_INVALID, "min_length", "密码最小长度必须在 8 到 128 之间");
	if (p->require_classes < 1 || p->require_classes > 4)
		return pgd_err_set(err, PGD_ERR_INVALID, "require_classes", "字符类别要求必须在 1 到 4 之间");
	if (p->max_age_days < 0 || p->max_age_days > 3650)
		return pgd_err_set(err, PGD_ERR_INVALID, "max_age_days", "密码有效期必须在 0（不过期）到 3650 天之间");
	return 0;
}

json_t *pgd_policy_json(const struct pgd_password_policy *p)
{
	return json_pack("{s:i, s:i, s:i}", "min_length", p->min_length, "require_classes", p->require_classes,
		"max_age_days", p->max_age_days);
}

int pgd_policy_load(struct pgd_store *st, struct pgd_password_policy *p, struct pgd_err *err)
{
	char *v = NULL;
	json_t *j = NULL;
	int rc;
	pgd_policy_defaults(p);
	rc = pgd_setting_get(st, POLICY_KEY, &v, err);
	if (rc == PGD_ERR_NOT_FOUND) {
		pgd_err_clear(err);
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	j = json_loads(v, 0, NULL);
	if (j == NULL || json_unpack(j, "{s:i, s:i, s:i}", "min_length", &p->min_length, "require_classes",
			     &p->require_classes, "max_age_days", &p->max_age_days) != 0 ||
	    pgd_policy_validate(p, NULL) < 0) {
		pgd_policy_defaults(p); /* unreadable: the defaults, never a weaker policy */
		rc = pgd_err_set(err, PGD_ERR_INTERNAL, "password_policy", "密码策略设置已损坏");
	}
out:
	json_decref(j);
	free(v);
	return rc;
}

int pgd_policy_save(struct pgd_store *st, const struct pgd_password_policy *p, struct pgd_err *err)
{
	json_t *j;
	char *text;
	int rc = pgd_policy_validate(p, err);
	if (rc < 0)
		return rc;
	j = pgd_policy_json(p);
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	rc = pgd_setting_set(st, POLICY_KEY, text, err);
	free(text);
	json_decref(j);
	return rc;
}

int pgd_policy_check(const struct pgd_password_policy *p, const char *username, const char *password,
	const char *field, struct pgd_err *err)
{
	size_t n = password ? strlen(password) : 0, chars;
	int lower = 0, upper = 0, digit = 0, other = 0, classes;

	if (n == 0)
		return pgd_err_set(err, PGD_ERR_INVALID, field, "密码不能为空");
	if (n > PGD_PASSWORD_MAX)
		return pgd_err_set(err, PGD_ERR_INVALID, field, "密码过长（不超过 %d 字节）", PGD_PASSWORD_MAX);
	if (!pgd_utf8_valid(password, n))
		return pgd_err_set(err, PGD_ERR_INVALID, field, "密码不是有效的 UTF-8 文本");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)password[i];
		if (c < 0x20 || c == 0x7f)
			return pgd_err_set(err, PGD_ERR_INVALID, field, "密码不能含有控制字符");
		if (c >= 'a' && c <= 'z')
			lower = 1;
		else if (c >= 'A' && c <= 'Z')
			upper = 1;
		else if (c >= '0' && c <= '9')
			digit = 1;
		else
			other = 1;
	}
	chars = pgd_utf8_count(password, n);
	if (chars < (size_t)p->min_length)
		return pgd_err_set(err, PGD_ERR_INVALID, field, "密码至少需要 %d 个字符（当前 %zu 个）", p->min_length,
			chars);
	classes = lower + upper + digit + other;
	if (classes < p->require_classes)
		return pgd_err_set(err, PGD_ERR_INVALID, field,
			"密码需要包含小写字母、大写字母、数字、其他符号四类中的至少 %d 类（当前 %d 类）",
			p->require_classes, classes);
	if (username && *username && strcasecmp(username, password) == 0)
		return pgd_err_set(err, PGD_ERR_INVALID, field, "密码不能与用户名相同");
	return 0;
}

int pgd_policy_expired(const struct pgd_password_policy *p, const char *password_changed_at)
{
	time_t t = 0;
	if (p->max_age_days <= 0)
		return 0;
	if (pgd_time_parse_iso(password_changed_at, &t) < 0)
		return 1;
	return time(NULL) - t > (time_t)p->max_age_days * 86400;
}

json_t *pgd_json_user(const struct pgd_user *u, int with_permissions)
{
	json_t *j = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:b, s:o, s:o}",
		"id", (json_int_t)u->id,
		"username", pgd_json_text_or_null(u->username),
		"display_name", pgd_json_text_or_null(u->display_name),
		"person_id", pgd_json_id_or_null(u->person_id),
		"unit_id", pgd_json_id_or_null(u->unit_id),
		"unit_name", pgd_json_text_or_null(u->unit_name),
		"roles", pgd_roles_to_json(u->roles),
		"active", u->active != 0,
		"locked", u->locked_until[0] != '\0',
		"locked_until", pgd_json_text_or_null(u->locked_until),
		"must_change_password", u->must_change_password != 0,
		"last_login_at", pgd_json_text_or_null(u->last_login_at),
		"created_at", pgd_json_text_or_null(u->created_at));
	if (j && with_permissions) {
		uint32_t perms = pgd_perms_of_roles(u->roles);
		json_t *a = json_array();
		for (int i = PGD_PERM_SIGNED_IN + 1; i < PGD_PERM_COUNT; i++)
			if (perms & (1u << i))
				json_array_append_new(a, json_string(pgd_perm_name((enum pgd_perm)i)));
		json_object_set_new(j, "permissions", a);
	}
	return j;
}
