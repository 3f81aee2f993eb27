/* Placeholder: its owner replaces this file. Every handler answers 501 until then. */
#include "server/handlers.h"
#include "core/banned.h"

void h_users_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_users_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_users_update(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_users_password(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_users_roles(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_users_unlock(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_policy_get(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_policy_put(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}
