/* pubguard worker: take patrol jobs from a server and run them (pubguard/worker.h).
 * Exit 0 after stopping (SIGTERM/SIGINT) or, with --once, after one job; 3 when --once found
 * no job; 1 when the server refused the token or could not be reached; 2 on bad usage (an
 * unreadable --token-file or --ca-file included). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pubguard/mem.h"
#include "pubguard/worker.h"
#include "cli/cli.h"
#include "core/banned.h"

static const char usage[] =
	"usage: pubguard worker --server URL --token-file FILE [--once] [--kinds patrol,probe]\n"
	"                       [--work-dir DIR] [--data-dir DIR] [--cache-dir DIR]\n"
	"                       [--screenshots auto|off] [--poll S] [--ca-file FILE]\n"
	"\n"
	"Takes patrol jobs from a pubguard server (its worker API, with the worker token), runs\n"
	"them and returns the results with their evidence. One job at a time.\n"
	"\n"
	"  --server URL         the server, e.g. http://127.0.0.1:8080\n"
	"  --token-file FILE    the worker token (chmod 600; `pubguard workers add NAME` prints one)\n"
	"  --once               take at most one job, then exit (exit 3 when there was none)\n"
	"  --kinds LIST         job kinds to take: patrol, probe or both (default both)\n"
	"  --work-dir DIR       where per-job evidence is kept until uploaded (default $TMPDIR)\n"
	"  --data-dir DIR       checker rules and lexicons (default: $PGD_DATA_DIR, as for patrol)\n"
	"  --cache-dir DIR      re-crawl state, so that unchanged pages are not analysed again\n"
	"  --screenshots MODE   auto (headless chromium when installed and the job asks) or off\n"
	"  --poll S             seconds between asking for a job when there is none (default 5)\n"
	"  --ca-file FILE       PEM file of CA certificates to trust besides the system's: sites\n"
	"                       (and a server) with certificates of an intranet's own CA\n"
	"\n"
	"exit status: 0 stopped or done, 1 token refused or server unreachable, 2 bad usage (or a\n"
	"--token-file / --ca-file that cannot be used), 3 --once and no job\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void log_line(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "pubguard worker: %s\n", line);
	fflush(stderr);
}

/* Read the token: a regular file without group/other permissions, one line. new: wipe+free. */
static char *read_token(const char *path)
{
	struct stat st;
	char buf[1024];
	ssize_t n;
	size_t len;
	char *tok = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "pubguard worker: 无法打开令牌文件 %s：%s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "pubguard worker: 令牌文件 %s 不是普通文件\n", path);
		goto out;
	}
	if (st.st_mode & 077) {
		fprintf(stderr, "pubguard worker: 令牌文件 %s 的权限过宽（组或其他用户可访问），请先执行 chmod 600 %s\n",
		        path, path);
		goto out;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		fprintf(stderr, "pubguard worker: 读取令牌文件 %s 失败：%s\n", path, strerror(errno));
		goto out;
	}
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	if (len == 0 || (size_t)n == sizeof(buf) - 1) {
		fprintf(stderr, "pubguard worker: 令牌文件 %s 为空或过长\n", path);
		goto out;
	}
	tok = pgd_strndup(buf, len);
out:
	pgd_wipe(buf, sizeof(buf));
	close(fd);
	return tok;
}

static int parse_kinds(const char *s, int *kinds)
{
	*kinds = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n == 6 && strncmp(s, "patrol", 6) == 0)
			*kinds |= PGD_WORKER_KIND_PATROL;
		else if (n == 5 && strncmp(s, "probe", 5) == 0)
			*kinds |= PGD_WORKER_KIND_PROBE;
		else
			return -1;
		s += n;
		if (*s == ',')
			s++;
	}
	return *kinds ? 0 : -1;
}

int cmd_worker(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"server", required_argument, NULL, 's'},    {"token-file", required_argument, NULL, 't'},
		{"once", no_argument, NULL, 'o'},            {"kinds", required_argument, NULL, 'k'},
		{"data-dir", required_argument, NULL, 'd'},  {"cache-dir", required_argument, NULL, 'c'},
		{"work-dir", required_argument, NULL, 'w'},
		{"screenshots", required_argument, NULL, 'S'}, {"poll", required_argument, NULL, 'p'},
		{"ca-file", required_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
	};
	struct pgd_worker_opts o;
	struct pgd_err err = {0};
	struct sigaction sa;
	const char *token_file = NULL;
	char cbuf[PATH_MAX], *token = NULL;
	size_t jobs = 0;
	int opt, status = 0, rc;

	memset(&o, 0, sizeof(o));
	o.screenshots = 1;
	o.poll_s = 5;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': o.server = optarg; break;
		case 't': token_file = optarg; break;
		case 'o': o.once = 1; break;
		case 'k':
			if (parse_kinds(optarg, &o.kinds) < 0) {
				fprintf(stderr, "pubguard worker: --kinds '%s' 应为 patrol、probe 或 patrol,probe\n", optarg);
				status = 2;
				goto out;
			}
			break;
		case 'd': o.rules_data_dir = optarg; break;
		case 'w': o.work_dir = optarg; break;
		case 'c': o.cache_dir = optarg; break;
		case 'A': o.ca_file = optarg; break;
		case 'S':
			if (strcmp(optarg, "auto") == 0) {
				o.screenshots = 1;
			} else if (strcmp(optarg, "off") == 0) {
				o.screenshots = 0;
			} else {
				fprintf(stderr, "pubguard worker: --screenshots '%s' 应为 auto 或 off\n", optarg);
				status = 2;
				goto out;
			}
			break;
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 1 || v > 3600) {
				fprintf(stderr, "pubguard worker: --poll '%s' 应为 1 到 3600 的整数（秒）\n", optarg);
				status = 2;
				goto out;
			}
			o.poll_s = (int)v;
			break;
		}
		case 'h': fputs(usage, stdout); goto out;
		default: fputs(usage, stderr); status = 2; goto out;
		}
	}
	if (optind < argc || o.server == NULL || token_file == NULL) {
		if (optind < argc)
			fprintf(stderr, "pubguard worker: 多余的参数 '%s'\n", argv[optind]);
		else
			fprintf(stderr, "pubguard worker: 需要 --server 和 --token-file\n");
		fputs(usage, stderr);
		status = 2;
		goto out;
	}
	if (strncmp(o.server, "http://", 7) != 0 && strncmp(o.server, "https://", 8) != 0) {
		fprintf(stderr, "pubguard worker: --server '%s' 不是 http:// 或 https:// 开头的网址\n", o.server);
		status = 2;
		goto out;
	}
	if (o.ca_file && pgd_worker_check_ca_file(o.ca_file, &err) < 0) {
		fprintf(stderr, "pubguard worker: --ca-file：%s\n", err.message);
		status = 2;
		goto out;
	}
	token = read_token(token_file);
	if (token == NULL) {
		status = 2;
		goto out;
	}
	o.token = token;
	if (pgd_cli_cache_dir(cbuf, sizeof(cbuf)) == 0)
		o.rules_cache_dir = cbuf;
	o.stop = &stop_flag;
	o.log = log_line;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	rc = pgd_worker_run(&o, &jobs, &err);
	if (rc < 0) {
		fprintf(stderr, "pubguard worker: %s\n", err.message);
		status = 1;
	} else if (o.once && jobs == 0 && !stop_flag) {
		fprintf(stderr, "pubguard worker: 暂无可领取的任务\n");
		status = 3;
	}
out:
	if (token) {
		pgd_wipe(token, strlen(token));
		free(token);
	}
	return status;
}
