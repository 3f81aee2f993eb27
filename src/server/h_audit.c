/* Placeholder: its owner replaces this file. Every handler answers 501 until then. */
#include "server/handlers.h"
#include "core/banned.h"

void h_audit_list(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}

void h_audit_verify(struct pgd_req *rq, struct pgd_resp *rs)
{
	pgd_reply_error(rs, 501, "not_implemented", NULL, "尚未实现");
}
