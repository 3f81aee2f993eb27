/* Every handler of the route table (routes.c), grouped by the file that defines it. */
#ifndef PGD_SERVER_HANDLERS_H
#define PGD_SERVER_HANDLERS_H

#include "server/server.h"

/* h_auth.c */
pgd_handler h_health, h_login, h_logout, h_me, h_password, h_roles;
/* h_users.c */
pgd_handler h_users_list, h_users_create, h_users_update, h_users_password, h_users_roles,
	h_users_unlock, h_policy_get, h_policy_put;
/* h_registry.c */
pgd_handler h_units_list, h_units_create, h_units_get, h_units_update, h_units_retire,
	h_people_list, h_people_create, h_people_get, h_people_update, h_people_leave,
	h_platforms_list, h_platforms_create, h_platforms_get, h_platforms_update, h_platforms_close;
/* h_dashboard.c */
pgd_handler h_dashboard;
/* h_audit.c */
pgd_handler h_audit_list, h_audit_verify;
/* h_reviews.c */
pgd_handler h_review_groups, h_filings_list, h_filings_create, h_filings_get, h_filings_pdf;
/* h_custody.c */
pgd_handler h_custody_list, h_custody_set, h_custody_reveal, h_handover_create, h_handovers_list,
	h_handover_confirm, h_handover_cancel;
/* h_import.c */
pgd_handler h_import;
/* h_patrol.c */
pgd_handler h_platform_patrol, h_platform_patrol_now, h_platform_posts, h_patrol_settings_get, h_patrol_settings_put, h_platform_feed, h_platform_baseline, h_patrol_jobs_list,
	h_patrol_job_get, h_patrol_findings, h_patrol_finding_handle, h_evidence_get, h_evidence_meta;
struct pgd_patrol_job;
json_t *pgd_json_patrol_job(const struct pgd_patrol_job *j); /* JOBINFO; new reference */
/* h_approved.c (approved items, Art. 14) */
pgd_handler h_approved_list, h_approved_create;
/* h_worker.c: the worker API (bearer token) */
pgd_handler h_worker_lease, h_worker_progress, h_worker_evidence, h_worker_result, h_worker_fail, h_worker_posts, h_workers_list,
	h_workers_create, h_workers_revoke;

#endif
