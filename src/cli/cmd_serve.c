/* pubguard serve: run the web server until SIGINT or SIGTERM.
 *   pubguard serve [--db PATH] [--listen ADDR] [--web DIR] [--key PATH] [--port-file F]
 *                  [--threads N] [--demo] [--logins FILE] [--workers N] [--no-scheduler]
 *                  [--worker-ca-file FILE]
 * With --workers N it runs N `pubguard worker` processes on this machine (restarting one that
 * dies, at most once per 10 s; stopping them on shutdown). At every start the worker named
 * "local" gets a fresh token, written to <db>.worker-token (0600); the database keeps its SM3. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pubguard/crypto.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/patrol_store.h"
#include "pubguard/store.h"
#include "pubguard/worker.h" /* pgd_worker_check_ca_file */
#include "cli/cli.h"
#include "server/demo.h"
#include "server/server.h"
#include "core/banned.h"

static const char usage[] =
	"usage: pubguard serve [--db PATH] [--listen ADDR] [--web DIR] [--key PATH] [--port-file F]\n"
	"                      [--threads N] [--demo] [--logins FILE] [--workers N] [--no-scheduler]\n"
	"                      [--worker-ca-file FILE]\n"
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
	"  --logins FILE    where --demo writes the demo logins, default <db dir>/demo-logins.txt\n"
	"  --workers N      patrol worker processes to run on this machine (0-32), default 2 with\n"
	"                   --demo, else 0; their token is in <db>.worker-token, their re-crawl\n"
	"                   state in <db>.patrol-cache/\n"
	"  --no-scheduler   do not make patrol jobs on schedule (tests)\n"
	"  --worker-ca-file FILE  the local workers trust the CA certificates in FILE (PEM) besides\n"
	"                   the system's: sites with certificates of an intranet's own CA\n";

enum { OPT_DB = 1, OPT_LISTEN, OPT_WEB, OPT_KEY, OPT_PORT_FILE, OPT_THREADS, OPT_DEMO, OPT_LOGINS, OPT_WORKERS,
	OPT_NO_SCHEDULER, OPT_WORKER_CA_FILE };

static const struct option options[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"web", required_argument, NULL, OPT_WEB},
	{"key", required_argument, NULL, OPT_KEY},
	{"port-file", required_argument, NULL, OPT_PORT_FILE},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"demo", no_argument, NULL, OPT_DEMO},
	{"logins", required_argument, NULL, OPT_LOGINS},
	{"workers", required_argument, NULL, OPT_WORKERS},
	{"no-scheduler", no_argument, NULL, OPT_NO_SCHEDULER},
	{"worker-ca-file", required_argument, NULL, OPT_WORKER_CA_FILE},
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
			rc = pgd_demo_seed(st, &key, logins, 0, &err);
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

/* The "local" worker: a fresh token in <db>.worker-token (0600), its SM3 in the database. */
static int local_worker_token(const char *db, char *path, size_t cap)
{
	struct pgd_store *st = NULL;
	struct pgd_err err = {0};
	char token[65], hash[65], line[80];
	int fd = -1, rc, n;

	if (snprintf(path, cap, "%s.worker-token", db) >= (int)cap) {
		fprintf(stderr, "pubguard serve: 工作进程令牌文件路径过长\n");
		return 1;
	}
	pgd_patrol_secret_new(token);
	pgd_patrol_secret_hash(token, hash);
	rc = pgd_store_open(&st, db, &err);
	if (rc == 0)
		rc = pgd_patrol_worker_add(st, "local", hash, 1, NULL, &err);
	pgd_store_close(st);
	if (rc < 0) {
		fprintf(stderr, "pubguard serve: 无法登记本机工作进程（%s）\n", err.message);
		goto out;
	}
	unlink(path); /* a fresh file: never reuse one that someone else may have opened */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	n = snprintf(line, sizeof(line), "%s\n", token);
	if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, line, (size_t)n) != n) {
		fprintf(stderr, "pubguard serve: 无法写入工作进程令牌文件 %s\n", path);
		rc = -1;
	}
	pgd_wipe(line, sizeof(line));
out:
	if (fd >= 0)
		close(fd);
	pgd_wipe(token, sizeof(token));
	return rc < 0 ? 1 : 0;
}

/* ---- local worker processes ---- */

struct child {
	pid_t pid;       /* 0: not running */
	time_t started;  /* last start, for the restart limit */
};

/* The local workers' re-crawl state sits beside the token: <db>.patrol-cache for <db>.worker-token,
 * so that a daily patrol asks for unchanged pages conditionally and analyses only what changed. */
static void cache_dir_of(const char *token_file, char *out, size_t n)
{
	const char *suffix = ".worker-token";
	size_t tl = strlen(token_file), sl = strlen(suffix);
	if (tl > sl && strcmp(token_file + tl - sl, suffix) == 0)
		snprintf(out, n, "%.*s.patrol-cache", (int)(tl - sl), token_file);
	else
		snprintf(out, n, "%s.patrol-cache", token_file);
}

static pid_t spawn_worker(const char *server_url, const char *token_file, const char *ca_file)
{
	char cache[4200];
	cache_dir_of(token_file, cache, sizeof(cache));
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL); /* the server blocks these for sigwait */
		signal(SIGPIPE, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);     /* a server killed hard takes its workers along */
		if (ca_file)
			execl("/proc/self/exe", "pubguard", "worker", "--server", server_url, "--token-file", token_file,
				"--cache-dir", cache, "--ca-file", ca_file, (char *)NULL);
		else
			execl("/proc/self/exe", "pubguard", "worker", "--server", server_url, "--token-file", token_file,
				"--cache-dir", cache, (char *)NULL);
		_exit(127);
	}
	return pid < 0 ? 0 : pid;
}

/* Reap dead workers; restart each at most once per 10 s. */
static void tend_workers(struct child *kids, int n, const char *url, const char *token_file, const char *ca_file,
	int restart)
{
	pid_t pid;
	int status;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (int i = 0; i < n; i++)
			if (kids[i].pid == pid) {
				fprintf(stderr, "pubguard serve: worker %ld exited (status %d)\n", (long)pid,
					WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
				kids[i].pid = 0;
			}
	if (!restart)
		return;
	for (int i = 0; i < n; i++)
		if (kids[i].pid == 0 && time(NULL) - kids[i].started >= 10) {
			kids[i].started = time(NULL);
			kids[i].pid = spawn_worker(url, token_file, ca_file);
		}
}

static void stop_workers(struct child *kids, int n)
{
	int left = 0;
	for (int i = 0; i < n; i++)
		if (kids[i].pid > 0) {
			kill(kids[i].pid, SIGTERM);
			left++;
		}
	for (int t = 0; t < 150 && left > 0; t++) { /* up to 15 s to finish or abandon the job */
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		for (int i = 0; i < n; i++)
			if (kids[i].pid > 0 && waitpid(kids[i].pid, NULL, WNOHANG) == kids[i].pid) {
				kids[i].pid = 0;
				left--;
			}
	}
	for (int i = 0; i < n; i++)
		if (kids[i].pid > 0) {
			kill(kids[i].pid, SIGKILL);
			waitpid(kids[i].pid, NULL, 0);
			kids[i].pid = 0;
		}
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
	char keybuf[PATH_MAX], loginsbuf[PATH_MAX], host[128], token_file[PATH_MAX], url[256], cabuf[PATH_MAX];
	const char *ca_file = NULL;
	struct child kids[32];
	struct pgd_server_config cfg;
	struct pgd_server *srv = NULL;
	struct pgd_err err = {0};
	sigset_t set;
	int c, demo = 0, threads = 0, sig = 0, workers = -1, scheduler = 1;

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
		case OPT_NO_SCHEDULER: scheduler = 0; break;
		case OPT_WORKER_CA_FILE: ca_file = optarg; break;
		case OPT_WORKERS: {
			char *end = NULL;
			long n;
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end != '\0' || n < 0 || n > 32) {
				fprintf(stderr, "pubguard serve: --workers 必须是 0 到 32 之间的整数（收到 '%s'）\n", optarg);
				return 2;
			}
			workers = (int)n;
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
	if (workers < 0)
		workers = demo ? 2 : 0;
	if (ca_file) { /* checked now, not by each worker after the server is up */
		if (pgd_worker_check_ca_file(ca_file, &err) < 0) {
			fprintf(stderr, "pubguard serve: --worker-ca-file：%s\n", err.message);
			return 2;
		}
		if (realpath(ca_file, cabuf) != NULL)
			ca_file = cabuf;
	}
	if (prepare(db, key, demo, logins) != 0)
		return 1;
	if (local_worker_token(db, token_file, sizeof(token_file)) != 0)
		return 1;

	/* the workers inherit this mask: only this thread takes the signals */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&cfg, 0, sizeof(cfg));
	cfg.db_path = db;
	cfg.listen = listen;
	cfg.web_root = web;
	cfg.key_path = key;
	cfg.port_file = port_file;
	cfg.threads = threads;
	cfg.scheduler = scheduler;
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

	memset(kids, 0, sizeof(kids));
	{
		int v6 = strchr(host, ':') != NULL && host[0] != '[';
		snprintf(url, sizeof(url), "http://%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "", pgd_server_port(srv));
	}
	if (strcmp(host, "0.0.0.0") == 0)
		snprintf(url, sizeof(url), "http://127.0.0.1:%d", pgd_server_port(srv));
	for (int i = 0; i < workers; i++) {
		kids[i].started = time(NULL);
		kids[i].pid = spawn_worker(url, token_file, ca_file);
	}
	if (workers > 0)
		fprintf(stderr, "pubguard serve: %d patrol worker(s) started\n", workers);
	for (;;) {
		struct timespec wait = {1, 0};
		sig = sigtimedwait(&set, NULL, &wait);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		tend_workers(kids, workers, url, token_file, ca_file, 1);
	}
	fprintf(stderr, "pubguard serve: stopping (signal %d)\n", sig);
	stop_workers(kids, workers);
	tend_workers(kids, workers, url, token_file, ca_file, 0);
	pgd_server_stop(srv);
	return 0;
}
