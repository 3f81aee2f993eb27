/* Placeholder: its owner replaces this file. */
#include "server/demo.h"
#include "core/banned.h"

int pgd_demo_seed(struct pgd_store *st, const struct pgd_key *key, const char *logins_path,
	struct pgd_err *err)
{
	return pgd_err_set(err, PGD_ERR_INTERNAL, NULL, "演示数据尚未实现");
}
