/* pubguard user add: create a user account from the command line (the first administrators
 * of a new installation). pubguard user password: reset a password on the server itself (the
 * web API does not let one administrator reset another's). The password is read from --password-file or standard input, never
 * from the command line; it is checked against the password policy and hashed with Argon2id.
 * The creation is audited ("user.create", actor "cli"). */
#include <getopt.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "pubguard/accounts.h"
#include "pubguard/crypto.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/store.h"
#include "cli/cli.h"
#include "server/account_rules.h"
#include "core/banned.h"

static const char usage[] =
	"usage: pubguard user add --db PATH --username U --display-name NAME [--person-id ID]\n"
	"                         --role ROLE [--role ROLE...] [--password-file F]\n"
	"       pubguard user password --db PATH --username U [--password-file F]\n"
	"\n"
	"add creates a user; password sets a new password for an existing user (e.g. an administrator\n"
	"who forgot theirs), unlocks it and makes them change it at the next sign-in. The password is the first line of --password-file F, or of standard input\n"
	"(never an argument). Roles: author proofreader secrecy_reviewer review_responsible liaison\n"
	"principal_head supervising_leader office_operator office_admin secrecy_office egov_centre\n"
	"system_admin security_admin audit_admin. An administrator role is held alone; a unit role\n"
	"needs --person-id.\n";

enum { OPT_DB = 1, OPT_USERNAME, OPT_DISPLAY, OPT_PERSON, OPT_ROLE, OPT_PWFILE };

static const struct option options[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"username", required_argument, NULL, OPT_USERNAME},
	{"display-name", required_argument, NULL, OPT_DISPLAY},
	{"person-id", required_argument, NULL, OPT_PERSON},
	{"role", required_argument, NULL, OPT_ROLE},
	{"password-file", required_argument, NULL, OPT_PWFILE},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* First line of f (without the line end) into buf. 0, or -1 when empty or too long. */
static int read_line(FILE *f, char *buf, size_t cap)
{
	size_t n;
	if (fgets(buf, (int)cap, f) == NULL)
		return -1;
	n = strlen(buf);
	if (n == cap - 1 && buf[n - 1] != '\n')
		return -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return n > 0 ? 0 : -1;
}

static int read_password(const char *file, char *buf, size_t cap)
{
	int rc;
	if (file) {
		FILE *f = fopen(file, "r");
		if (f == NULL) {
			fprintf(stderr, "pubguard user: 无法读取密码文件 %s\n", file);
			return -1;
		}
		rc = read_line(f, buf, cap);
		fclose(f);
	} else if (isatty(STDIN_FILENO)) {
		struct termios old, quiet;
		int restore = tcgetattr(STDIN_FILENO, &old) == 0;
		fprintf(stderr, "密码：");
		if (restore) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
		}
		rc = read_line(stdin, buf, cap);
		if (restore)
			tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fprintf(stderr, "\n");
	} else {
		rc = read_line(stdin, buf, cap);
	}
	if (rc < 0)
		fprintf(stderr, "pubguard user: 没有读到密码（密码为空或超过 %d 字节）\n", PGD_PASSWORD_MAX);
	return rc;
}

static int user_add(int argc, char **argv)
{
	const char *db = NULL, *username = NULL, *display = NULL, *pwfile = NULL;
	int64_t person = 0, id = 0;
	uint32_t roles = 0;
	char password[PGD_PASSWORD_MAX + 2];
	char *hash = NULL;
	struct pgd_store *st = NULL;
	struct pgd_password_policy pol;
	struct pgd_user u = {0};
	struct pgd_err err = {0};
	int c, rc, status = 2;

	memset(password, 0, sizeof(password));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_DB: db = optarg; break;
		case OPT_USERNAME: username = optarg; break;
		case OPT_DISPLAY: display = optarg; break;
		case OPT_PWFILE: pwfile = optarg; break;
		case OPT_PERSON: {
			char *end = NULL;
			errno = 0;
			long long v = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end != '\0' || v < 1) {
				fprintf(stderr, "pubguard user: --person-id 必须是正整数（收到 '%s'）\n", optarg);
				return 2;
			}
			person = (int64_t)v;
			break;
		}
		case OPT_ROLE: {
			enum pgd_role r;
			if (pgd_role_parse(optarg, &r) < 0) {
				fprintf(stderr, "pubguard user: 未知的角色 '%s'\n", optarg);
				return 2;
			}
			roles |= 1u << r;
			break;
		}
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pubguard user: 多余的参数 '%s'（密码不能写在命令行上）\n", argv[optind]);
		return 2;
	}
	if (db == NULL || username == NULL || display == NULL) {
		fprintf(stderr, "pubguard user: 需要 --db、--username 和 --display-name\n%s", usage);
		return 2;
	}
	if (roles == 0) {
		fprintf(stderr, "pubguard user: 至少需要一个 --role\n");
		return 2;
	}
	if (pgd_roles_check(roles, person, &err) < 0) {
		fprintf(stderr, "pubguard user: %s\n", err.message);
		return 2;
	}
	if (read_password(pwfile, password, sizeof(password)) < 0)
		return 2;

	rc = pgd_store_open(&st, db, &err);
	if (rc == 0)
		rc = pgd_store_migrate(st, &err);
	if (rc == 0)
		rc = pgd_policy_load(st, &pol, &err);
	if (rc < 0) {
		fprintf(stderr, "pubguard user: %s\n", err.message);
		status = 1;
		goto out;
	}
	rc = pgd_policy_check(&pol, username, password, "password", &err);
	if (rc < 0) {
		fprintf(stderr, "pubguard user: %s\n", err.message);
		goto out;
	}
	rc = pgd_password_hash(NULL, password, &hash, &err);
	if (rc == 0) {
		u.username = (char *)username;
		u.display_name = (char *)display;
		u.person_id = person;
		u.password_hash = hash;
		u.roles = roles;
		rc = pgd_store_begin(st, &err);
	}
	if (rc == 0)
		rc = pgd_user_create(st, &u, &id, &err);
	memset(&u, 0, sizeof(u));
	if (rc == 0)
		rc = pgd_user_get(st, id, &u, &err);
	if (rc == 0) {
		json_t *after = pgd_json_user(&u, 0);
		char *text = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
		char subject[48];
		snprintf(subject, sizeof(subject), "user:%" PRId64, id);
		rc = pgd_audit_append(st, "cli", "user.create", subject, NULL, text, NULL, &err);
		free(text);
		json_decref(after);
	}
	if (rc == 0)
		rc = pgd_store_commit(st, &err);
	else
		pgd_store_rollback(st, NULL);
	if (rc < 0) {
		fprintf(stderr, "pubguard user: %s\n", err.message);
		status = rc == PGD_ERR_INVALID || rc == PGD_ERR_CONFLICT ? 2 : 1;
		goto out;
	}
	printf("已创建用户 %s（编号 %" PRId64 "）\n", username, id);
	status = 0;
out:
	pgd_wipe(password, sizeof(password));
	if (hash) {
		pgd_wipe(hash, strlen(hash));
		free(hash);
	}
	pgd_user_release(&u);
	pgd_store_close(st);
	return status;
}

static int user_password(int argc, char **argv)
{
	const char *db = NULL, *username = NULL, *pwfile = NULL;
	char password[PGD_PASSWORD_MAX + 2];
	char *hash = NULL, subject[48];
	struct pgd_store *st = NULL;
	struct pgd_password_policy pol;
	struct pgd_user u = {0};
	struct pgd_err err = {0};
	int c, rc, status = 2;

	memset(password, 0, sizeof(password));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_DB: db = optarg; break;
		case OPT_USERNAME: username = optarg; break;
		case OPT_PWFILE: pwfile = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pubguard user: 多余的参数 '%s'（密码不能写在命令行上）\n", argv[optind]);
		return 2;
	}
	if (db == NULL || username == NULL) {
		fprintf(stderr, "pubguard user: 需要 --db 和 --username\n%s", usage);
		return 2;
	}
	rc = pgd_store_open(&st, db, &err);
	if (rc == 0)
		rc = pgd_store_migrate(st, &err);
	if (rc == 0)
		rc = pgd_policy_load(st, &pol, &err);
	if (rc == 0)
		rc = pgd_user_get_by_username(st, username, &u, &err);
	if (rc < 0) {
		fprintf(stderr, "pubguard user: %s\n", err.message);
		status = rc == PGD_ERR_NOT_FOUND ? 2 : 1;
		goto out;
	}
	if (read_password(pwfile, password, sizeof(password)) < 0)
		goto out;
	rc = pgd_policy_check(&pol, username, password, "password", &err);
	if (rc == 0)
		rc = pgd_password_hash(NULL, password, &hash, &err);
	if (rc < 0) {
		fprintf(stderr, "pubguard user: %s\n", err.message);
		goto out;
	}
	snprintf(subject, sizeof(subject), "user:%" PRId64, u.id);
	rc = pgd_store_begin(st, &err);
	if (rc == 0)
		rc = pgd_user_set_password(st, u.id, hash, 1, &err);
	if (rc == 0)
		rc = pgd_session_delete_user(st, u.id, &err);
	if (rc == 0)
		rc = pgd_account_unlock(st, username, &err);
	if (rc == 0) {
		json_t *after = json_pack("{s:s, s:b}", "username", username, "must_change_password", 1);
		char *text = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
		rc = pgd_audit_append(st, "cli", "user.password_reset", subject, NULL, text, NULL, &err);
		free(text);
		json_decref(after);
	}
	if (rc == 0)
		rc = pgd_store_commit(st, &err);
	else
		pgd_store_rollback(st, NULL);
	if (rc < 0) {
		fprintf(stderr, "pubguard user: %s\n", err.message);
		status = 1;
		goto out;
	}
	printf("已为用户 %s 设置新密码（下次登录须修改）\n", username);
	status = 0;
out:
	pgd_wipe(password, sizeof(password));
	if (hash) {
		pgd_wipe(hash, strlen(hash));
		free(hash);
	}
	pgd_user_release(&u);
	pgd_store_close(st);
	return status;
}

int cmd_user(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "add") == 0)
		return user_add(argc - 1, argv + 1);
	if (strcmp(argv[1], "password") == 0)
		return user_password(argc - 1, argv + 1);
	fprintf(stderr, "pubguard user: 未知子命令 '%s'\n%s", argv[1], usage);
	return 2;
}
