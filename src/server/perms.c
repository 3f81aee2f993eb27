/* Roles and permissions: one table says which permissions each role grants and whether it
 * sees the whole city. The route table (routes.c) names the permission every endpoint needs;
 * http.c checks it before a handler runs. */
#include <stddef.h>
#include <string.h>

#include "pubguard/accounts.h"
#include "server/server.h"
#include "core/banned.h"

/* The store keeps roles by name in the order of pgd_account_role_names (accounts.h), which
 * follows enum pgd_role; the names here come from that table, and the labels and grants below
 * are tied to the enum by designated initializers. */
#define SAME_ROLE(x) _Static_assert((int)PGD_ROLE_##x == (int)PGD_ACCOUNT_ROLE_##x, "role " #x " out of order")
SAME_ROLE(AUTHOR);
SAME_ROLE(PROOFREADER);
SAME_ROLE(SECRECY_REVIEWER);
SAME_ROLE(REVIEW_RESPONSIBLE);
SAME_ROLE(LIAISON);
SAME_ROLE(PRINCIPAL_HEAD);
SAME_ROLE(SUPERVISING_LEADER);
SAME_ROLE(OFFICE_OPERATOR);
SAME_ROLE(OFFICE_ADMIN);
SAME_ROLE(SECRECY_OFFICE);
SAME_ROLE(EGOV_CENTRE);
SAME_ROLE(SYSTEM_ADMIN);
SAME_ROLE(SECURITY_ADMIN);
SAME_ROLE(AUDIT_ADMIN);
SAME_ROLE(COUNT);
_Static_assert(PGD_ROLE_COUNT <= 32 && PGD_PERM_COUNT <= 32, "role and permission sets are uint32_t");

#define P(x) (1u << PGD_PERM_##x)
#define UNIT_BASE (P(SIGNED_IN) | P(REGISTRY_READ) | P(CUSTODY) | P(PATROL_READ))
#define OFFICE_PATROL (P(PATROL_RUN) | P(PATROL_HANDLE))

static const struct {
	const char *label;
	uint32_t perms;
	int city;
} roles[PGD_ROLE_COUNT] = {
	[PGD_ROLE_AUTHOR] = {"信息发布人员", UNIT_BASE, 0},
	[PGD_ROLE_PROOFREADER] = {"校对人员", UNIT_BASE, 0},
	[PGD_ROLE_SECRECY_REVIEWER] = {"保密审查人员", UNIT_BASE, 0},
	[PGD_ROLE_REVIEW_RESPONSIBLE] = {"审核负责人", UNIT_BASE | P(FILINGS_WRITE), 0},
	[PGD_ROLE_LIAISON] = {"联络员", UNIT_BASE | P(RECORDS_WRITE) | P(FILINGS_WRITE), 0},
	[PGD_ROLE_PRINCIPAL_HEAD] = {"主要负责人", UNIT_BASE | P(RECORDS_WRITE) | P(FILINGS_WRITE), 0},
	[PGD_ROLE_SUPERVISING_LEADER] = {"分管负责人", UNIT_BASE, 0},
	[PGD_ROLE_OFFICE_OPERATOR] = {"网信办工作人员",
		UNIT_BASE | P(UNITS_WRITE) | P(RECORDS_WRITE) | P(FILINGS_WRITE) | P(IMPORT) | OFFICE_PATROL, 1},
	[PGD_ROLE_OFFICE_ADMIN] = {"网信办管理员",
		UNIT_BASE | P(UNITS_WRITE) | P(RECORDS_WRITE) | P(FILINGS_WRITE) | P(IMPORT) | OFFICE_PATROL, 1},
	[PGD_ROLE_SECRECY_OFFICE] = {"保密办", P(SIGNED_IN) | P(REGISTRY_READ), 1},
	[PGD_ROLE_EGOV_CENTRE] = {"电子政务服务中心", P(SIGNED_IN) | P(REGISTRY_READ) | P(PATROL_READ), 1},
	[PGD_ROLE_SYSTEM_ADMIN] = {"系统管理员", P(SIGNED_IN) | P(USERS_MANAGE) | P(USERS_READ) | P(REGISTRY_READ) | P(WORKERS_MANAGE), 1},
	[PGD_ROLE_SECURITY_ADMIN] = {"安全管理员", P(SIGNED_IN) | P(ROLES_ASSIGN) | P(USERS_READ), 1},
	[PGD_ROLE_AUDIT_ADMIN] = {"审计管理员", P(SIGNED_IN) | P(AUDIT_READ), 1},
};

static const char *const perm_names[PGD_PERM_COUNT] = {
	[PGD_PERM_SIGNED_IN] = "signed_in",
	[PGD_PERM_REGISTRY_READ] = "registry.read",
	[PGD_PERM_UNITS_WRITE] = "units.write",
	[PGD_PERM_RECORDS_WRITE] = "records.write",
	[PGD_PERM_FILINGS_WRITE] = "filings.write",
	[PGD_PERM_CUSTODY] = "custody",
	[PGD_PERM_IMPORT] = "import",
	[PGD_PERM_USERS_MANAGE] = "users.manage",
	[PGD_PERM_ROLES_ASSIGN] = "roles.assign",
	[PGD_PERM_AUDIT_READ] = "audit.read",
	[PGD_PERM_USERS_READ] = "users.read",
	[PGD_PERM_PATROL_READ] = "patrol.read",
	[PGD_PERM_PATROL_RUN] = "patrol.run",
	[PGD_PERM_PATROL_HANDLE] = "patrol.handle",
	[PGD_PERM_WORKERS_MANAGE] = "workers.manage",
};

const char *pgd_role_name(enum pgd_role r)
{
	return (unsigned)r < PGD_ROLE_COUNT ? pgd_account_role_names[r] : NULL;
}

const char *pgd_role_label(enum pgd_role r)
{
	return (unsigned)r < PGD_ROLE_COUNT ? roles[r].label : NULL;
}

int pgd_role_parse(const char *s, enum pgd_role *out)
{
	int i = pgd_account_role_index(s);
	if (i < 0)
		return PGD_ERR_INVALID;
	*out = (enum pgd_role)i;
	return 0;
}

const char *pgd_perm_name(enum pgd_perm p)
{
	return (unsigned)p < PGD_PERM_COUNT ? perm_names[p] : NULL;
}

uint32_t pgd_perms_of_roles(uint32_t r)
{
	uint32_t perms = 0;
	for (int i = 0; i < PGD_ROLE_COUNT; i++)
		if (r & (1u << i))
			perms |= roles[i].perms;
	return perms;
}

int pgd_roles_city_scope(uint32_t r)
{
	for (int i = 0; i < PGD_ROLE_COUNT; i++)
		if ((r & (1u << i)) && roles[i].city)
			return 1;
	return 0;
}
