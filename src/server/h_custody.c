/* Placeholder: its owner replaces this file. Every handler answers 501 until then. */
#include "server/handlers.h"
#include "core/banned.h"

void h_custody_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_custody_set(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_custody_reveal(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_handover_create(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_handovers_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_handover_confirm(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}
