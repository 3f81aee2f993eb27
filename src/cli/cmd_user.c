/* Placeholder: its owner replaces this file. */
#include <stdio.h>

#include "cli/cli.h"
#include "core/banned.h"

int cmd_user(int argc, char **argv)
{
	fprintf(stderr, "pubguard user: 尚未实现\n");
	return 2;
}
