/* The route table: every endpoint, the permission it needs, and its handler. The router
 * (http.c) checks sign-in, CSRF and the permission before a handler runs; handlers check the
 * unit scope of the records they touch. A user whose password must be changed (set by an
 * administrator, or older than the policy's max_age_days) reaches only the routes flagged
 * PGD_ROUTE_BEFORE_PASSWORD_CHANGE until they change it. docs/api/openapi.yaml documents each route. */
#include "server/handlers.h"
#include "core/banned.h"

#define V "/api/v1"

const struct pgd_route pgd_routes[] = {
	{"GET", V "/health", PGD_PERM_PUBLIC, 0, h_health},
	{"POST", V "/auth/login", PGD_PERM_PUBLIC, PGD_ROUTE_NO_CSRF, h_login},
	{"POST", V "/auth/logout", PGD_PERM_SIGNED_IN, PGD_ROUTE_BEFORE_PASSWORD_CHANGE, h_logout},
	{"GET", V "/auth/me", PGD_PERM_SIGNED_IN, PGD_ROUTE_BEFORE_PASSWORD_CHANGE, h_me},
	{"POST", V "/auth/password", PGD_PERM_SIGNED_IN, PGD_ROUTE_BEFORE_PASSWORD_CHANGE, h_password},
	{"GET", V "/roles", PGD_PERM_SIGNED_IN, 0, h_roles},
	{"GET", V "/dashboard", PGD_PERM_SIGNED_IN, 0, h_dashboard},

	{"GET", V "/units", PGD_PERM_REGISTRY_READ, 0, h_units_list},
	{"POST", V "/units", PGD_PERM_UNITS_WRITE, 0, h_units_create},
	{"GET", V "/units/{id}", PGD_PERM_REGISTRY_READ, 0, h_units_get},
	{"PUT", V "/units/{id}", PGD_PERM_UNITS_WRITE, 0, h_units_update},
	{"POST", V "/units/{id}/retire", PGD_PERM_UNITS_WRITE, 0, h_units_retire},
	{"GET", V "/people", PGD_PERM_REGISTRY_READ, 0, h_people_list},
	{"POST", V "/people", PGD_PERM_RECORDS_WRITE, 0, h_people_create},
	{"GET", V "/people/{id}", PGD_PERM_REGISTRY_READ, 0, h_people_get},
	{"PUT", V "/people/{id}", PGD_PERM_RECORDS_WRITE, 0, h_people_update},
	{"POST", V "/people/{id}/leave", PGD_PERM_RECORDS_WRITE, 0, h_people_leave},
	{"GET", V "/platforms", PGD_PERM_REGISTRY_READ, 0, h_platforms_list},
	{"POST", V "/platforms", PGD_PERM_RECORDS_WRITE, 0, h_platforms_create},
	{"GET", V "/platforms/{id}", PGD_PERM_REGISTRY_READ, 0, h_platforms_get},
	{"PUT", V "/platforms/{id}", PGD_PERM_RECORDS_WRITE, 0, h_platforms_update},
	{"POST", V "/platforms/{id}/close", PGD_PERM_RECORDS_WRITE, 0, h_platforms_close},

	{"GET", V "/review-groups", PGD_PERM_REGISTRY_READ, 0, h_review_groups},
	{"GET", V "/units/{id}/filings", PGD_PERM_REGISTRY_READ, 0, h_filings_list},
	{"POST", V "/units/{id}/filings", PGD_PERM_FILINGS_WRITE, 0, h_filings_create},
	{"GET", V "/filings/{id}", PGD_PERM_REGISTRY_READ, 0, h_filings_get},
	{"GET", V "/filings/{id}/pdf", PGD_PERM_REGISTRY_READ, 0, h_filings_pdf},

	{"GET", V "/custody", PGD_PERM_REGISTRY_READ, 0, h_custody_list},
	{"PUT", V "/platforms/{id}/custody", PGD_PERM_CUSTODY, 0, h_custody_set},
	{"POST", V "/platforms/{id}/custody/reveal", PGD_PERM_CUSTODY, 0, h_custody_reveal},
	{"POST", V "/platforms/{id}/handovers", PGD_PERM_CUSTODY, 0, h_handover_create},
	{"GET", V "/handovers", PGD_PERM_REGISTRY_READ, 0, h_handovers_list},
	{"POST", V "/handovers/{id}/confirm", PGD_PERM_CUSTODY, 0, h_handover_confirm},
	{"POST", V "/handovers/{id}/cancel", PGD_PERM_CUSTODY, 0, h_handover_cancel},

	{"GET", V "/users", PGD_PERM_USERS_READ, 0, h_users_list},
	{"POST", V "/users", PGD_PERM_USERS_MANAGE, 0, h_users_create},
	{"PUT", V "/users/{id}", PGD_PERM_USERS_MANAGE, 0, h_users_update},
	{"POST", V "/users/{id}/password", PGD_PERM_USERS_MANAGE, 0, h_users_password},
	{"PUT", V "/users/{id}/roles", PGD_PERM_ROLES_ASSIGN, 0, h_users_roles},
	{"POST", V "/users/{id}/unlock", PGD_PERM_ROLES_ASSIGN, 0, h_users_unlock},
	{"GET", V "/settings/password-policy", PGD_PERM_ROLES_ASSIGN, 0, h_policy_get},
	{"PUT", V "/settings/password-policy", PGD_PERM_ROLES_ASSIGN, 0, h_policy_put},

	{"GET", V "/audit", PGD_PERM_AUDIT_READ, 0, h_audit_list},
	{"GET", V "/audit/verify", PGD_PERM_AUDIT_READ, 0, h_audit_verify},

	{"POST", V "/import/{word}", PGD_PERM_IMPORT, PGD_ROUTE_UPLOAD, h_import},

	/* patrol (issue 4): office and unit screens */
	{"GET", V "/platforms/{id}/patrol", PGD_PERM_PATROL_READ, 0, h_platform_patrol},
	{"POST", V "/platforms/{id}/patrol", PGD_PERM_PATROL_RUN, 0, h_platform_patrol_now},
	{"POST", V "/platforms/{id}/posts", PGD_PERM_PATROL_RUN, PGD_ROUTE_UPLOAD, h_platform_posts},
	{"GET", V "/settings/patrol", PGD_PERM_PATROL_READ, 0, h_patrol_settings_get},
	{"PUT", V "/settings/patrol", PGD_PERM_PATROL_HANDLE, 0, h_patrol_settings_put},
	{"POST", V "/platforms/{id}/patrol/baseline", PGD_PERM_PATROL_HANDLE, 0, h_platform_baseline},
	{"PUT", V "/platforms/{id}/feed", PGD_PERM_RECORDS_WRITE, 0, h_platform_feed},
	{"GET", V "/patrol/jobs", PGD_PERM_PATROL_READ, 0, h_patrol_jobs_list},
	{"GET", V "/patrol/jobs/{id}", PGD_PERM_PATROL_READ, 0, h_patrol_job_get},
	{"GET", V "/patrol/findings", PGD_PERM_PATROL_READ, 0, h_patrol_findings},
	{"POST", V "/patrol/findings/{id}/handle", PGD_PERM_PATROL_HANDLE, 0, h_patrol_finding_handle},
	{"GET", V "/evidence/{word}", PGD_PERM_PATROL_READ, 0, h_evidence_get},
	{"GET", V "/evidence/{word}/meta", PGD_PERM_PATROL_READ, 0, h_evidence_meta},

	{"GET", V "/approved-items", PGD_PERM_PATROL_READ, 0, h_approved_list},
	{"POST", V "/approved-items", PGD_PERM_RECORDS_WRITE, 0, h_approved_create},

	/* registering workers (the system admin); a token is shown once */
	{"GET", V "/workers", PGD_PERM_WORKERS_MANAGE, 0, h_workers_list},
	{"POST", V "/workers", PGD_PERM_WORKERS_MANAGE, 0, h_workers_create},
	{"POST", V "/workers/{id}/revoke", PGD_PERM_WORKERS_MANAGE, 0, h_workers_revoke},
	/* patrol workers: bearer token, no session, no CSRF */
	{"POST", V "/worker/lease", PGD_PERM_WORKER, PGD_ROUTE_WORKER, h_worker_lease},
	{"POST", V "/worker/jobs/{id}/progress", PGD_PERM_WORKER, PGD_ROUTE_WORKER, h_worker_progress},
	{"PUT", V "/worker/jobs/{id}/evidence/{word}", PGD_PERM_WORKER, PGD_ROUTE_WORKER | PGD_ROUTE_UPLOAD,
		h_worker_evidence},
	{"POST", V "/worker/jobs/{id}/result", PGD_PERM_WORKER, PGD_ROUTE_WORKER | PGD_ROUTE_BIG, h_worker_result},
	{"POST", V "/worker/jobs/{id}/fail", PGD_PERM_WORKER, PGD_ROUTE_WORKER, h_worker_fail},
	{"GET", V "/worker/jobs/{id}/posts", PGD_PERM_WORKER, PGD_ROUTE_WORKER, h_worker_posts},
};
const size_t pgd_route_count = sizeof(pgd_routes) / sizeof(pgd_routes[0]);
