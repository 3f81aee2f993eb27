#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/banned.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static int cmd_version(int argc, char **argv)
{
	printf("pubguard %s\n", PGD_VERSION);
	return 0;
}

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{"check", cmd_check, "check files before publication (text, HTML, .docx)"},
	{"audit", cmd_audit, "verify the audit log's hash chain"},
	{"serve", cmd_serve, "run the web server (--demo seeds a demo city)"},
	{"user", cmd_user, "add a user account (user add)"},
	{"db", cmd_db, "migrate or back up the database (db migrate, db backup)"},
	{"import", cmd_import, "import units, people or platforms from CSV or XLSX"},
	{"patrol", cmd_patrol, "patrol websites and feeds (availability, links, columns, cadence)"},
	{"worker", cmd_worker, "take patrol jobs from a server and run them"},
	{"workers", pgd_cmd_workers, "manage patrol workers and their tokens (workers add|list|revoke)"},
	{"version", cmd_version, "print the version"},
	{"help", cmd_help, "list the commands"},
};

static int cmd_help(int argc, char **argv)
{
	printf("usage: pubguard <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	printf("\n'pubguard <command> --help' describes a command.\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		cmd_help(0, NULL);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(0, NULL);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(0, NULL);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "pubguard: 未知命令 '%s'（运行 pubguard help 查看命令列表）\n", argv[1]);
	return 2;
}
