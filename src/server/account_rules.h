/* Rules about accounts shared by the HTTP handlers (h_auth.c, h_users.c) and the CLI
 * (cmd_user.c): which role sets a user may hold, the password policy, and the JSON of a user.
 * Owner: account_rules.c. */
#ifndef PGD_SERVER_ACCOUNT_RULES_H
#define PGD_SERVER_ACCOUNT_RULES_H

#include <stdint.h>

#include <jansson.h>

#include "pubguard/accounts.h"
#include "pubguard/err.h"
#include "pubguard/store.h"
#include "server/server.h"

#define PGD_ADMIN_ROLES \
	((1u << PGD_ROLE_SYSTEM_ADMIN) | (1u << PGD_ROLE_SECURITY_ADMIN) | (1u << PGD_ROLE_AUDIT_ADMIN))

/* Role names (a JSON array of strings) -> bits. 0, or PGD_ERR_INVALID naming the bad entry
 * (field "roles"). */
int pgd_roles_from_json(const json_t *arr, uint32_t *roles, struct pgd_err *err);
/* JSON array of the role names in bits (new). */
json_t *pgd_roles_to_json(uint32_t roles);
/* Separation of duties (等保 三员分立): at most one of the three admin roles, and an admin role
 * alone; a role that is scoped to a unit needs a person (person_id > 0) to give it the unit.
 * 0 or PGD_ERR_INVALID (field "roles"). */
int pgd_roles_check(uint32_t roles, int64_t person_id, struct pgd_err *err);

struct pgd_password_policy {
	int min_length;      /* characters; 8..128 */
	int require_classes; /* of lower case, upper case, digits, other; 1..4 */
	int max_age_days;    /* 0: never expires; at most 3650 */
};
/* Defaults: 10, 3, 90. */
void pgd_policy_defaults(struct pgd_password_policy *p);
/* From settings (defaults when unset). */
int pgd_policy_load(struct pgd_store *st, struct pgd_password_policy *p, struct pgd_err *err);
int pgd_policy_save(struct pgd_store *st, const struct pgd_password_policy *p, struct pgd_err *err);
/* Ranges of the fields; 0 or PGD_ERR_INVALID naming the field. */
int pgd_policy_validate(const struct pgd_password_policy *p, struct pgd_err *err);
json_t *pgd_policy_json(const struct pgd_password_policy *p); /* new */
/* Check a new password against the policy (and that it is not the username). field names
 * the input in err. 0 or PGD_ERR_INVALID with a Chinese message. */
int pgd_policy_check(const struct pgd_password_policy *p, const char *username, const char *password,
	const char *field, struct pgd_err *err);
/* 1 when the password was changed more than max_age_days ago. */
int pgd_policy_expired(const struct pgd_password_policy *p, const char *password_changed_at);

/* The user record of api.md (new); with_permissions adds "permissions". Never the hash. */
json_t *pgd_json_user(const struct pgd_user *u, int with_permissions);

#endif
