/* Loopback servers for the patrol benchmark (docs/BENCHMARKS.md, "Patrol").
 *
 *   patrol-serve SITE_DIR MAIN_PORT EXT_PORT [LATENCY_MS]     (prints "ready" when listening)
 *
 * MAIN (127.0.0.1:MAIN_PORT) serves the pre-generated files of gen_site.py under SITE_DIR; EXT
 * (127.0.0.1:EXT_PORT) is the "external" world: any path answers a small page, /gone/... 404,
 * /robots.txt allows everything. Every request waits LATENCY_MS (default 20) from the moment its
 * request line and headers were read before it is answered, all connections concurrently, without
 * spending CPU on the wait (one epoll loop, one timerfd; the waiting requests are a FIFO since they
 * all wait the same time). Answers carry "Server: bench" and "LinkChecker: bench": linkchecker's
 * documented opt-in for more than 10 requests per second to a host (its maxrequestspersecond).
 * HTTP/1.1 keep-alive (HTTP/1.0 or "Connection: close": the connection closes after the answer),
 * GET and HEAD (any other method is answered like GET). File bodies go out with sendfile.
 *
 * GET /__stats on MAIN answers at once (not counted, no latency):
 *   {"requests": n, "main": n, "ext": n, "cpu": seconds user+sys of this process, "late": seconds}
 * "late" sums, over the requests answered so far, the time from each one's deadline (read + LATENCY)
 * to its last byte handed to the kernel: what this server added to the latency, client excluded.
 *
 * Request handling follows the Python asyncio server it replaced byte for byte where a client
 * can tell: a request line of fewer than two words closes the connection without an answer; the
 * path is the request target's path (urllib.parse.urlsplit: query and fragment dropped, a scheme
 * and "//host" skipped) percent-decoded like urllib.parse.unquote (UTF-8, invalid sequences
 * replaced by U+FFFD); "/" ends are index.html; a path that normalises outside SITE_DIR, a
 * missing file or anything but a regular file answers the 404 page; a line longer than 64 KiB
 * closes the connection. Differences: /__stats has "late"; the file is opened when the request is
 * read (the Python server read it after the wait: the same answer on a site that does not change
 * while it is served), so that a deadline costs only the sending; the process runs at nice -10
 * when allowed, so that its wake-ups at the deadlines do not queue behind the tool measured.
 *
 * Benchmark helper only: not part of pubguard and not built by CMake (bench/patrol/run.sh builds it
 * into bench/work/patrol-serve). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define LINE_MAX_BYTES 65536 /* asyncio.StreamReader's default limit */
#define HEAD_MAX_BYTES (1 << 20)

enum kind { K_LISTEN_MAIN, K_LISTEN_EXT, K_TIMER, K_CONN };
enum state { ST_READ, ST_WAIT, ST_SEND, ST_DEAD };

struct conn {
	enum kind kind; /* first member: every epoll data pointer points at one of these */
	int fd;
	int ext;        /* 0: MAIN, 1: EXT */
	enum state state;
	char *in;       /* received bytes not yet consumed */
	size_t len, cap;
	int eof;        /* the peer closed its side */
	int last;       /* close after the answer being prepared or sent */
	/* the request waiting for its deadline */
	int close_after, is_head, timed; /* timed: waited (not /__stats) */
	int noanswer;   /* close at the deadline without an answer */
	struct timespec deadline;
	struct conn *qnext;
	/* the answer being sent */
	char hdr[512];
	size_t hlen, hoff;
	const char *body;
	char *body_owned;
	size_t blen, boff;
	int ffd;
	off_t foff, fend;
	struct conn *dnext; /* closed during this batch of events: freed after it */
};

static char root[PATH_MAX + 2];
static size_t root_len;
static long latency_ms = 20;
static int ep, tfd;
static long long n_main, n_ext;
static double late_s; /* summed over answered requests: deadline -> last byte handed to the kernel */
static struct conn *q_head, *q_tail, *dead;
static struct conn listen_main = {.kind = K_LISTEN_MAIN}, listen_ext = {.kind = K_LISTEN_EXT},
		   timer = {.kind = K_TIMER};

static const char EXT_PAGE[] = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>外部网站</title></head>"
			       "<body><p>外部网站页面</p></body></html>";
static const char NOT_FOUND[] = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head>"
				"<body><p>页面不存在</p></body></html>";
static const char ROBOTS[] = "User-agent: *\nDisallow:\n";
static const char HTML_UTF8[] = "text/html; charset=utf-8";

static const struct {
	const char *ext, *type;
} TYPES[] = {
	{".html", "text/html; charset=utf-8"},
	{".htm", "text/html; charset=gbk"},
	{".jpg", "image/jpeg"},
	{".png", "image/png"},
	{".pdf", "application/pdf"},
	{".doc", "application/msword"},
	{".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{".xls", "application/vnd.ms-excel"},
	{".css", "text/css"},
	{".txt", "text/plain"},
};

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("patrol-serve: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* str.isspace() of a latin-1 character (what str.split() and str.strip() split or strip on) */
static int py_space(unsigned char c)
{
	return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0;
}

static void ts_add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static int ts_le(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

/* a double as Python's repr() writes it: the shortest text that reads back the same */
static void py_float(char *out, size_t n, double v)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, n, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
	if (!strpbrk(out, ".e"))
		strncat(out, ".0", n - strlen(out) - 1);
}

/* ---- paths --------------------------------------------------------------------------------- */

/* bytes -> UTF-8 the way bytes.decode("utf-8", "replace") does: every maximal invalid subpart
 * becomes U+FFFD. out needs 3 * n bytes. */
static size_t utf8_replace(const unsigned char *s, size_t n, char *out)
{
	size_t i = 0, o = 0;
	while (i < n) {
		unsigned char b = s[i];
		size_t need;
		unsigned char lo = 0x80, hi = 0xbf;
		if (b < 0x80) {
			out[o++] = (char)b;
			i++;
			continue;
		}
		if (b >= 0xc2 && b <= 0xdf)
			need = 2;
		else if (b >= 0xe0 && b <= 0xef) {
			need = 3;
			if (b == 0xe0)
				lo = 0xa0;
			else if (b == 0xed)
				hi = 0x9f;
		} else if (b >= 0xf0 && b <= 0xf4) {
			need = 4;
			if (b == 0xf0)
				lo = 0x90;
			else if (b == 0xf4)
				hi = 0x8f;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		size_t k = 1;
		while (k < need && i + k < n) {
			unsigned char c = s[i + k];
			if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xbf))
				break;
			k++;
		}
		if (k == need) {
			memcpy(out + o, s + i, need);
			o += need;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		}
		i += k;
	}
	return o;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int scheme_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
	       c == '-' || c == '.';
}

/* urllib.parse.unquote(urllib.parse.urlsplit(target).path or "/") of a latin-1 request target,
 * as UTF-8 bytes (what open() would be given). Returns a malloc'ed string. */
static char *target_path(const unsigned char *t, size_t n, size_t *out_len)
{
	/* urlsplit: leading C0 controls and spaces stripped; tab, CR, LF removed anywhere */
	while (n && t[0] <= 0x20) {
		t++;
		n--;
	}
	unsigned char *u = malloc(n + 1);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (t[i] != '\t' && t[i] != '\r' && t[i] != '\n')
			u[m++] = t[i];
	size_t a = 0, b = m;
	const unsigned char *colon = memchr(u, ':', m);
	if (colon && colon > u && ((u[0] | 0x20) >= 'a' && (u[0] | 0x20) <= 'z')) {
		size_t i = 0, c = (size_t)(colon - u);
		while (i < c && scheme_char(u[i]))
			i++;
		if (i == c)
			a = c + 1;
	}
	if (b - a >= 2 && u[a] == '/' && u[a + 1] == '/') {
		size_t i = a + 2;
		while (i < b && u[i] != '/' && u[i] != '?' && u[i] != '#')
			i++;
		a = i;
	}
	for (size_t i = a; i < b; i++)
		if (u[i] == '#') {
			b = i;
			break;
		}
	for (size_t i = a; i < b; i++)
		if (u[i] == '?') {
			b = i;
			break;
		}
	if (a == b) {
		free(u);
		char *r = strdup("/");
		*out_len = 1;
		return r;
	}
	/* unquote: runs of ASCII are percent-decoded and decoded as UTF-8 (errors="replace"); other
	 * characters (latin-1 U+0080..U+00FF) stay themselves, i.e. two UTF-8 bytes each */
	char *out = malloc(3 * (b - a) + 1);
	unsigned char *run = malloc(b - a + 1);
	size_t o = 0, i = a;
	while (i < b) {
		if (u[i] >= 0x80) {
			out[o++] = (char)(0xc0 | (u[i] >> 6));
			out[o++] = (char)(0x80 | (u[i] & 0x3f));
			i++;
			continue;
		}
		size_t r = 0;
		while (i < b && u[i] < 0x80) {
			int h1, h2;
			if (u[i] == '%' && i + 2 < b && (h1 = hexval(u[i + 1])) >= 0 &&
			    (h2 = hexval(u[i + 2])) >= 0) {
				run[r++] = (unsigned char)(h1 * 16 + h2);
				i += 3;
			} else
				run[r++] = u[i++];
		}
		o += utf8_replace(run, r, out + o);
	}
	out[o] = 0;
	free(run);
	free(u);
	*out_len = o;
	return out;
}

/* posixpath.normpath of an absolute path, in place */
static size_t normpath(char *p, size_t n)
{
	size_t initial = 0;
	if (n && p[0] == '/')
		initial = (n >= 2 && p[1] == '/' && (n == 2 || p[2] != '/')) ? 2 : 1;
	/* components, with their start offsets kept on a stack */
	size_t *start = malloc((n / 2 + 2) * sizeof *start), *clen = malloc((n / 2 + 2) * sizeof *clen);
	size_t ncomp = 0, i = 0;
	while (i < n) {
		while (i < n && p[i] == '/')
			i++;
		size_t s = i;
		while (i < n && p[i] != '/')
			i++;
		size_t l = i - s;
		if (l == 0 || (l == 1 && p[s] == '.'))
			continue;
		if (l == 2 && p[s] == '.' && p[s + 1] == '.') {
			if ((!initial && ncomp == 0) || (ncomp && clen[ncomp - 1] == 2 && p[start[ncomp - 1]] == '.' &&
							  p[start[ncomp - 1] + 1] == '.')) {
				start[ncomp] = s;
				clen[ncomp++] = l;
			} else if (ncomp)
				ncomp--;
			continue;
		}
		start[ncomp] = s;
		clen[ncomp++] = l;
	}
	/* rebuild left to right: every component starts at or after where it is written */
	size_t o = 0;
	for (size_t k = 0; k < initial; k++)
		p[o++] = '/';
	for (size_t k = 0; k < ncomp; k++) {
		if (k)
			p[o++] = '/';
		memmove(p + o, p + start[k], clen[k]);
		o += clen[k];
	}
	if (o == 0)
		p[o++] = '.';
	p[o] = 0;
	free(start);
	free(clen);
	return o;
}

static const char *content_type(const char *full, size_t n)
{
	/* os.path.splitext: the last dot of the last component, leading dots not counting */
	const char *base = memrchr(full, '/', n);
	base = base ? base + 1 : full;
	const char *end = full + n, *b = base;
	while (b < end && *b == '.')
		b++;
	const char *dot = memrchr(b, '.', (size_t)(end - b));
	if (dot)
		for (size_t k = 0; k < sizeof TYPES / sizeof TYPES[0]; k++)
			if (strcmp(dot, TYPES[k].ext) == 0)
				return TYPES[k].type;
	return "application/octet-stream";
}

/* ---- connections ------------------------------------------------------------------------- */

static void conn_close(struct conn *c)
{
	if (c->state == ST_DEAD)
		return;
	char sink[4096];
	while (read(c->fd, sink, sizeof sink) > 0) /* no RST for unread bytes */
		;
	close(c->fd);
	if (c->ffd >= 0)
		close(c->ffd);
	c->ffd = -1;
	c->state = ST_DEAD;
	c->dnext = dead;
	dead = c;
}

static void conn_free(struct conn *c)
{
	free(c->in);
	free(c->body_owned);
	free(c);
}

static void conn_read(struct conn *c);

/* Send buf[*off, len) with flags; 0 when all went, -1 when the socket is full (EAGAIN) or the
 * connection was closed on an error. */
static int send_part(struct conn *c, const char *buf, size_t *off, size_t len, int flags)
{
	while (*off < len) {
		ssize_t k = send(c->fd, buf + *off, len - *off, MSG_NOSIGNAL | flags);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				conn_close(c);
			return -1;
		}
		*off += (size_t)k;
	}
	return 0;
}

static void conn_send(struct conn *c)
{
	int more = (c->boff < c->blen || c->foff < c->fend) ? MSG_MORE : 0;
	if (send_part(c, c->hdr, &c->hoff, c->hlen, more) < 0 || send_part(c, c->body, &c->boff, c->blen, 0) < 0)
		return;
	while (c->foff < c->fend) {
		ssize_t k = sendfile(c->fd, c->ffd, &c->foff, (size_t)(c->fend - c->foff));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				conn_close(c);
			return;
		}
		if (k == 0) { /* the file shrank under us: the promised length cannot be sent */
			conn_close(c);
			return;
		}
	}
	if (c->timed) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		late_s += (double)(now.tv_sec - c->deadline.tv_sec) + (now.tv_nsec - c->deadline.tv_nsec) / 1e9;
		c->timed = 0;
	}
	if (c->ffd >= 0) {
		close(c->ffd);
		c->ffd = -1;
	}
	free(c->body_owned);
	c->body_owned = NULL;
	c->body = NULL;
	c->blen = c->boff = c->hlen = c->hoff = 0;
	if (c->last) {
		conn_close(c);
		return;
	}
	c->state = ST_READ;
	conn_read(c); /* a pipelined request may be waiting (edge-triggered: no new event for it) */
}

static void answer_prepare(struct conn *c, int status, const char *ctype, off_t length)
{
	c->hlen = (size_t)snprintf(c->hdr, sizeof c->hdr,
				   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lld\r\nServer: bench\r\n"
				   "LinkChecker: bench\r\nConnection: %s\r\n\r\n",
				   status, status == 200 ? "OK" : "Not Found", ctype, (long long)length,
				   c->close_after ? "close" : "keep-alive");
	c->hoff = 0;
}

static void answer_mem(struct conn *c, int status, const char *ctype, const char *body, size_t n)
{
	answer_prepare(c, status, ctype, (off_t)n);
	if (!c->is_head) {
		c->body = body;
		c->blen = n;
		c->boff = 0;
	}
}

/* The answer to a request, prepared as soon as it is read (the file opened, the header written) so
 * that its deadline costs only the sending. Returns -1 when the Python server gave no answer. */
static int answer(struct conn *c, const char *p, size_t n)
{
	if (c->ext) {
		if (n >= 6 && memcmp(p, "/gone/", 6) == 0)
			answer_mem(c, 404, HTML_UTF8, NOT_FOUND, sizeof NOT_FOUND - 1);
		else if (n == 11 && memcmp(p, "/robots.txt", 11) == 0)
			answer_mem(c, 200, "text/plain", ROBOTS, sizeof ROBOTS - 1);
		else
			answer_mem(c, 200, HTML_UTF8, EXT_PAGE, sizeof EXT_PAGE - 1);
		return 0;
	}
	int trailing = n && p[n - 1] == '/';
	size_t fl = root_len + n + (trailing ? 10 : 0);
	char *full = malloc(fl + 2);
	memcpy(full, root, root_len);
	memcpy(full + root_len, p, n);
	if (trailing)
		memcpy(full + root_len + n, "index.html", 10);
	full[fl] = 0;
	fl = normpath(full, fl);
	int inside = fl > root_len && memcmp(full, root, root_len) == 0 && full[root_len] == '/';
	if (inside && memchr(full, 0, fl)) { /* Python's open(): ValueError (embedded null byte) */
		free(full);
		return -1;
	}
	int fd = inside ? open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		answer_mem(c, 404, HTML_UTF8, NOT_FOUND, sizeof NOT_FOUND - 1);
	else {
		answer_prepare(c, 200, content_type(full, fl), st.st_size);
		if (c->is_head)
			close(fd);
		else {
			c->ffd = fd;
			c->foff = 0;
			c->fend = st.st_size;
		}
	}
	free(full);
	return 0;
}

static void timer_arm(void)
{
	struct itimerspec its = {0};
	if (q_head)
		its.it_value = q_head->deadline;
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0 && q_head)
		its.it_value.tv_nsec = 1;
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) != 0)
		die("timerfd_settime: %s", strerror(errno));
}

static void timer_fire(void)
{
	uint64_t x;
	if (read(tfd, &x, sizeof x) < 0 && errno != EAGAIN)
		die("timerfd read: %s", strerror(errno));
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	while (q_head && ts_le(&q_head->deadline, &now)) {
		struct conn *c = q_head;
		q_head = c->qnext;
		if (!q_head)
			q_tail = NULL;
		c->qnext = NULL;
		if (c->noanswer)
			conn_close(c);
		else {
			c->state = ST_SEND;
			conn_send(c);
		}
	}
	timer_arm();
}

/* One request head is complete in c->in[0..end) (lines split on '\n'; at EOF the last line may
 * lack it). Consumes it and starts the wait, the stats answer, or closes. */
static void request(struct conn *c, size_t end)
{
	const unsigned char *s = (const unsigned char *)c->in;
	size_t le = 0;
	while (le < end && s[le] != '\n')
		le++;
	/* request line: words split on whitespace */
	const unsigned char *w[3];
	size_t wl[3], nw = 0, i = 0;
	size_t line_end = le < end ? le + 1 : end;
	while (i < line_end) {
		while (i < line_end && py_space(s[i]))
			i++;
		if (i >= line_end)
			break;
		size_t st = i;
		while (i < line_end && !py_space(s[i]))
			i++;
		if (nw < 3) {
			w[nw] = s + st;
			wl[nw] = i - st;
		}
		nw++;
	}
	int close_after = nw < 3 || (wl[2] == 8 && memcmp(w[2], "HTTP/1.0", 8) == 0);
	/* headers: the last Connection header decides */
	size_t p = line_end;
	while (p < end) {
		size_t q = p;
		while (q < end && s[q] != '\n')
			q++;
		size_t hl = (q < end ? q + 1 : end) - p;
		const unsigned char *h = s + p;
		p += hl;
		if ((hl == 1 && h[0] == '\n') || (hl == 2 && h[0] == '\r' && h[1] == '\n'))
			break;
		/* str.partition(":"): without a colon the whole line is the name, the value empty */
		const unsigned char *col = memchr(h, ':', hl);
		size_t ka = 0, kb = col ? (size_t)(col - h) : hl;
		while (ka < kb && py_space(h[ka]))
			ka++;
		while (kb > ka && py_space(h[kb - 1]))
			kb--;
		if (kb - ka != 10 || strncasecmp((const char *)h + ka, "connection", 10) != 0)
			continue;
		size_t va = col ? (size_t)(col - h) + 1 : hl, vb = hl;
		while (va < vb && py_space(h[va]))
			va++;
		while (vb > va && py_space(h[vb - 1]))
			vb--;
		close_after = vb - va == 5 && strncasecmp((const char *)h + va, "close", 5) == 0;
	}
	if (nw < 2) {
		conn_close(c);
		return;
	}
	c->close_after = close_after;
	c->last = close_after; /* at EOF: closed once the buffered requests are answered */
	c->is_head = wl[0] == 4 && memcmp(w[0], "HEAD", 4) == 0;
	size_t plen;
	char *path = target_path(w[1], wl[1], &plen);
	memmove(c->in, c->in + end, c->len - end);
	c->len -= end;
	if (!c->ext && plen == 8 && memcmp(path, "/__stats", 8) == 0) {
		free(path);
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
			     ru.ru_stime.tv_usec / 1e6;
		char num[40], late[40], buf[240];
		py_float(num, sizeof num, cpu);
		py_float(late, sizeof late, late_s);
		int k = snprintf(buf, sizeof buf,
				 "{\"requests\": %lld, \"main\": %lld, \"ext\": %lld, \"cpu\": %s, \"late\": %s}",
				 n_main + n_ext, n_main, n_ext, num, late);
		free(c->body_owned);
		c->body_owned = strdup(buf);
		answer_mem(c, 200, "application/json", c->body_owned, (size_t)k);
		c->state = ST_SEND;
		conn_send(c);
		return;
	}
	if (c->ext)
		n_ext++;
	else
		n_main++;
	c->noanswer = answer(c, path, plen) != 0;
	free(path);
	c->state = ST_WAIT;
	c->timed = 1;
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	ts_add_ms(&c->deadline, latency_ms);
	c->qnext = NULL;
	if (q_tail)
		q_tail->qnext = c;
	else
		q_head = c;
	q_tail = c;
	if (q_head == c)
		timer_arm();
}

/* Looks for a complete request head in c->in: returns its length, 0 if incomplete, -1 if a
 * line is too long. */
static long head_end(struct conn *c)
{
	const char *s = c->in;
	size_t i = 0, n = c->len;
	int first = 1;
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		if (!nl)
			return n - i > LINE_MAX_BYTES ? -1 : 0;
		size_t l = (size_t)(nl - (s + i)) + 1;
		if (l > LINE_MAX_BYTES)
			return -1;
		int blank = l == 1 || (l == 2 && s[i] == '\r');
		i += l;
		if (blank && !first)
			return (long)i;
		first = 0;
	}
	return 0;
}

static void conn_read(struct conn *c)
{
	for (;;) {
		if (c->state != ST_READ)
			return;
		long e = head_end(c);
		if (e < 0) {
			conn_close(c);
			return;
		}
		if (e > 0) {
			request(c, (size_t)e);
			continue;
		}
		if (c->eof) {
			if (c->len)
				request(c, c->len); /* readline() gives the partial line at EOF */
			else
				conn_close(c);
			if (c->state == ST_READ) /* a request line of < 2 words or an empty buffer */
				conn_close(c);
			return;
		}
		if (c->cap - c->len < 4096) {
			if (c->cap >= HEAD_MAX_BYTES) {
				conn_close(c);
				return;
			}
			c->cap = c->cap ? c->cap * 2 : 8192;
			c->in = realloc(c->in, c->cap);
		}
		ssize_t k = read(c->fd, c->in + c->len, c->cap - c->len);
		if (k > 0)
			c->len += (size_t)k;
		else if (k == 0)
			c->eof = 1;
		else if (errno == EINTR)
			continue;
		else {
			if (errno != EAGAIN)
				conn_close(c);
			return;
		}
	}
}

static void accept_all(int lfd, int ext)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN)
				fprintf(stderr, "patrol-serve: accept: %s\n", strerror(errno));
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct conn *c = calloc(1, sizeof *c);
		c->kind = K_CONN;
		c->fd = fd;
		c->ext = ext;
		c->ffd = -1;
		c->state = ST_READ;
		struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			free(c);
			continue;
		}
		conn_read(c);
	}
}

static int listen_on(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
		die("127.0.0.1:%d: %s", port, strerror(errno));
	if (listen(fd, 512) != 0)
		die("listen: %s", strerror(errno));
	return fd;
}

static int parse_int(const char *s, long lo, long hi, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("bad %s: %s", what, s);
	return (int)v;
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: patrol-serve SITE_DIR MAIN_PORT EXT_PORT [LATENCY_MS]\n");
		return 2;
	}
	if (!realpath(argv[1], root))
		die("%s: %s", argv[1], strerror(errno));
	root_len = strlen(root);
	int main_port = parse_int(argv[2], 0, 65535, "MAIN_PORT");
	int ext_port = parse_int(argv[3], 0, 65535, "EXT_PORT");
	if (argc > 4)
		latency_ms = parse_int(argv[4], 0, 3600 * 1000, "LATENCY_MS");
	signal(SIGPIPE, SIG_IGN);
	/* nice -10 when allowed (root): the wake-ups at the deadlines are not queued behind the tool
	 * being measured. The server's own CPU is a few percent of any tool's. */
	if (setpriority(PRIO_PROCESS, 0, -10) != 0 && errno != EACCES && errno != EPERM)
		fprintf(stderr, "patrol-serve: setpriority: %s\n", strerror(errno));
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ep < 0 || tfd < 0)
		die("epoll/timerfd: %s", strerror(errno));
	listen_main.fd = listen_on(main_port);
	listen_ext.fd = listen_on(ext_port);
	timer.fd = tfd;
	struct conn *fixed[] = {&listen_main, &listen_ext, &timer};
	for (int k = 0; k < 3; k++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = fixed[k]};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fixed[k]->fd, &ev) != 0)
			die("epoll_ctl: %s", strerror(errno));
	}
	printf("ready\n");
	fflush(stdout);

	struct epoll_event evs[256];
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait: %s", strerror(errno));
		}
		for (int k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			uint32_t e = evs[k].events;
			switch (c->kind) {
			case K_LISTEN_MAIN:
				accept_all(c->fd, 0);
				break;
			case K_LISTEN_EXT:
				accept_all(c->fd, 1);
				break;
			case K_TIMER:
				timer_fire();
				break;
			case K_CONN:
				if (c->state == ST_READ && (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
					conn_read(c);
				else if (c->state == ST_SEND && (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
					conn_send(c);
				/* ST_WAIT: bytes and EOF stay in the socket until the answer is out */
				break;
			}
		}
		while (dead) {
			struct conn *c = dead;
			dead = c->dnext;
			conn_free(c);
		}
	}
}
