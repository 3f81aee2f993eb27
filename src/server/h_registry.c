/* Placeholder: its owner replaces this file. Every handler answers 501 until then. */
#include "server/handlers.h"
#include "core/banned.h"

void h_units_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_units_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_units_get(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_units_update(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_units_retire(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_people_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_people_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_people_get(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_people_update(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_people_leave(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_platforms_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_platforms_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_platforms_get(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_platforms_update(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_platforms_close(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}
