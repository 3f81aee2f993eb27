/* Placeholder: its owner replaces this file. Every handler answers 501 until then. */
#include "server/handlers.h"
#include "core/banned.h"

void h_health(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_login(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_logout(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_me(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_password(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_roles(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}
