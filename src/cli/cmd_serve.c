/* pubguard serve: run the web server until SIGINT or SIGTERM.
 *   pubguard serve [--db PATH] [--listen ADDR] [--web DIR] [--key PATH] [--port-file F]
 *                  [--threads N] [--demo] [--logins FILE] */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pubguard/crypto.h"
#include "pubguard/err.h"
#include "pubguard/store.h"
#include "cli/cli.h"
#include "server/demo.h"
#include "server/server.h"
#include "core/banned.h"

static const char usage[] =
	"usage: pubguard serve [--db PATH] [--listen ADDR] [--web DIR] [--key PATH] [--port-file F]\n"
	"                      [--threads N] [--demo] [--logins FILE]\n"
	"\n"
	"Runs the pubguard web server (JSON API under /api/v1 and the web app) until SIGINT/SIGTERM.\n"
	"\n"
	"  --db PATH        the database (SQLite file; created and migrated), default var/pubguard.db\n"
	"  --listen ADDR    address:port to listen on, default 127.0.0.1:8080 (port 0: any free port)\n"
	"  --web DIR        the built web app, default web/dist when it exists\n"
	"  --key PATH       master key for account custody, default <db>.key (created 0600 if missing)\n"
	"  --port-file F    write the bound port to F once listening\n"
	"  --threads N      worker threads, default the number of CPUs\n"
	"  --demo           seed a demo city into a database that has no units yet\n"
	"  --logins FILE    where --demo writes the demo logins, default <db dir>/demo-logins.txt\n";

enum { OPT_DB = 1, OPT_LISTEN, OPT_WEB, OPT_KEY, OPT_PORT_FILE, OPT_THREADS, OPT_DEMO, OPT_LOGINS };

static const struct option options[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"web", required_argument, NULL, OPT_WEB},
	{"key", required_argument, NULL, OPT_KEY},
	{"port-file", required_argument, NULL, OPT_PORT_FILE},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"demo", no_argument, NULL, OPT_DEMO},
	{"logins", required_argument, NULL, OPT_LOGINS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* mkdir -p of the directory part of path. */
static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -1;
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(dir, 0755) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Migrate, make sure the key exists, and seed the demo city when asked and the database has
 * no units. Returns 0, or 1 with a message printed. */
static int prepare(const char *db, const char *key_path, int demo, const char *logins)
{
	struct pgd_store *st = NULL;
	struct pgd_key key;
	struct pgd_err err = {0};
	struct stat sb;
	int rc, status = 1;

	memset(&key, 0, sizeof(key));
	rc = pgd_store_open(&st, db, &err);
	if (rc == 0)
		rc = pgd_store_migrate(st, &err);
	if (rc < 0) {
		fprintf(stderr, "pubguard serve: %s\n", err.message);
		goto out;
	}
	if (stat(key_path, &sb) != 0 && errno == ENOENT)
		rc = pgd_key_generate(key_path, &key, &err);
	else
		rc = pgd_key_load(key_path, &key, &err);
	if (rc < 0) {
		fprintf(stderr, "pubguard serve: 主密钥 %s：%s\n", key_path, err.message);
		goto out;
	}
	if (demo) {
		struct pgd_list_query q = {.page = 1, .page_size = 1, .include_inactive = 1};
		struct pgd_unit_list l = {0};
		rc = pgd_unit_list(st, &q, &l, &err);
		int64_t total = l.total;
		pgd_unit_list_release(&l);
		if (rc < 0) {
			fprintf(stderr, "pubguard serve: %s\n", err.message);
			goto out;
		}
		if (total == 0) {
			rc = pgd_demo_seed(st, &key, logins, &err);
			if (rc < 0)
				fprintf(stderr, "pubguard serve: 未能生成演示数据（%s），继续以空数据库运行\n", err.message);
			else
				fprintf(stderr, "pubguard serve: 已生成演示数据\n");
		}
	}
	status = 0;
out:
	pgd_key_wipe(&key);
	pgd_store_close(st);
	return status;
}

static void print_logins(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	printf("demo logins (%s):\n", path);
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
}

int cmd_serve(int argc, char **argv)
{
	const char *db = "var/pubguard.db", *listen = "127.0.0.1:8080", *web = NULL, *key = NULL,
		   *port_file = NULL, *logins = NULL;
	char keybuf[PATH_MAX], loginsbuf[PATH_MAX], host[128];
	struct pgd_server_config cfg;
	struct pgd_server *srv = NULL;
	struct pgd_err err = {0};
	sigset_t set;
	int c, demo = 0, threads = 0, sig = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_DB: db = optarg; break;
		case OPT_LISTEN: listen = optarg; break;
		case OPT_WEB: web = optarg; break;
		case OPT_KEY: key = optarg; break;
		case OPT_PORT_FILE: port_file = optarg; break;
		case OPT_LOGINS: logins = optarg; break;
		case OPT_DEMO: demo = 1; break;
		case OPT_THREADS: {
			char *end = NULL;
			long n;
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end != '\0' || n < 1 || n > 64) {
				fprintf(stderr, "pubguard serve: --threads 必须是 1 到 64 之间的整数（收到 '%s'）\n", optarg);
				return 2;
			}
			threads = (int)n;
			break;
		}
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pubguard serve: 多余的参数 '%s'\n", argv[optind]);
		return 2;
	}
	if (*db == '\0') {
		fprintf(stderr, "pubguard serve: --db 不能为空\n");
		return 2;
	}
	if (make_parent(db) != 0) {
		fprintf(stderr, "pubguard serve: 无法创建数据库所在目录（%s）\n", db);
		return 1;
	}
	if (key == NULL) {
		snprintf(keybuf, sizeof(keybuf), "%s.key", db);
		key = keybuf;
	}
	if (logins == NULL) {
		const char *slash = strrchr(db, '/');
		if (slash)
			snprintf(loginsbuf, sizeof(loginsbuf), "%.*s/demo-logins.txt", (int)(slash - db), db);
		else
			snprintf(loginsbuf, sizeof(loginsbuf), "demo-logins.txt");
		logins = loginsbuf;
	}
	if (web == NULL && is_dir("web/dist"))
		web = "web/dist";
	else if (web && !is_dir(web)) {
		fprintf(stderr, "pubguard serve: 网页应用目录 %s 不存在\n", web);
		return 2;
	}
	if (prepare(db, key, demo, logins) != 0)
		return 1;

	/* the workers inherit this mask: only this thread takes the signals */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&cfg, 0, sizeof(cfg));
	cfg.db_path = db;
	cfg.listen = listen;
	cfg.web_root = web;
	cfg.key_path = key;
	cfg.port_file = port_file;
	cfg.threads = threads;
	if (pgd_server_start(&cfg, &srv, &err) < 0) {
		fprintf(stderr, "pubguard serve: %s\n", err.message);
		return 1;
	}
	{
		const char *colon = strrchr(listen, ':');
		size_t hl = colon ? (size_t)(colon - listen) : 0;
		if (hl == 0 || hl >= sizeof(host) || strncmp(listen, "localhost", hl) == 0)
			snprintf(host, sizeof(host), "127.0.0.1");
		else
			snprintf(host, sizeof(host), "%.*s", (int)hl, listen);
	}
	printf("pubguard %s listening on http://%s:%d\n", PGD_VERSION, host, pgd_server_port(srv));
	if (web == NULL)
		printf("(no web app: build it into web/dist or pass --web DIR)\n");
	if (demo)
		print_logins(logins);
	fflush(stdout);

	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "pubguard serve: stopping (signal %d)\n", sig);
	pgd_server_stop(srv);
	return 0;
}
