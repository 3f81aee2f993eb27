/* Normalisers for matching published items to approved items (see pubguard/match.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pubguard/match.h"
#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "core/banned.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Index pages a CMS serves for a directory: dropped from the end of a path. */
static const char *const index_names[] = {"index.html", "index.htm", "index.shtml", "index.php",
	"index.jsp", "index.asp", "index.aspx", "default.html", "default.htm", "default.aspx", "default.asp"};

char *pgd_url_normalise(const char *url)
{
	const char *b, *e, *p, *auth, *auth_end, *path_end, *q_end;
	char *out = NULL, *w;
	size_t scheme_len, auth_len, path_len, q_len;
	int https;

	if (url == NULL)
		return NULL;
	b = url;
	while (*b && is_space(*b))
		b++;
	e = b + strlen(b);
	while (e > b && is_space(e[-1]))
		e--;
	if (e - b > 5 && strncasecmp(b, "http:", 5) == 0)
		https = 0;
	else if (e - b > 6 && strncasecmp(b, "https:", 6) == 0)
		https = 1;
	else
		return NULL;
	scheme_len = https ? 5 : 4;
	p = b + scheme_len + 1;
	if (e - p < 2 || p[0] != '/' || p[1] != '/')
		return NULL;
	auth = p + 2;
	auth_end = auth;
	while (auth_end < e && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
		auth_end++;
	auth_len = (size_t)(auth_end - auth);
	if (auth_len == 0)
		return NULL;
	/* default port, or an empty one */
	if (auth_len >= 3 && !https && memcmp(auth_end - 3, ":80", 3) == 0)
		auth_len -= 3;
	else if (auth_len >= 4 && https && memcmp(auth_end - 4, ":443", 4) == 0)
		auth_len -= 4;
	else if (auth_len >= 1 && auth[auth_len - 1] == ':')
		auth_len -= 1;
	if (auth_len == 0)
		return NULL;
	/* path up to '?' or '#', query up to '#' */
	path_end = auth_end;
	while (path_end < e && *path_end != '?' && *path_end != '#')
		path_end++;
	q_end = path_end;
	if (q_end < e && *q_end == '?')
		while (q_end < e && *q_end != '#')
			q_end++;
	path_len = (size_t)(path_end - auth_end);
	/* a trailing index page, then trailing slashes */
	for (size_t i = 0; i < sizeof(index_names) / sizeof(index_names[0]); i++) {
		size_t n = strlen(index_names[i]);
		if (path_len >= n + 1 && auth_end[path_len - n - 1] == '/' &&
			strncasecmp(auth_end + path_len - n, index_names[i], n) == 0) {
			path_len -= n;
			break;
		}
	}
	while (path_len > 0 && auth_end[path_len - 1] == '/')
		path_len--;
	q_len = (size_t)(q_end - path_end);
	if (q_len == 1) /* a bare "?" */
		q_len = 0;

	out = pgd_malloc(scheme_len + 3 + auth_len + path_len + q_len + 1);
	w = out;
	memcpy(w, https ? "https://" : "http://", scheme_len + 3);
	w += scheme_len + 3;
	for (size_t i = 0; i < auth_len; i++)
		*w++ = lower(auth[i]);
	memcpy(w, auth_end, path_len);
	w += path_len;
	memcpy(w, path_end, q_len);
	w += q_len;
	*w = '\0';
	return out;
}

/* Letters and digits, the same classes pgd_simhash counts. */
static int title_char(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	if (c == 0xFFFD || c < 0xC0 || c == 0xD7 || c == 0xF7)
		return 0;
	if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE4F) ||
		(c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
		(c >= 0xFF5B && c <= 0xFF65) || (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xFE00 && c <= 0xFE0F) ||
		c == 0xFEFF)
		return 0;
	return 1;
}

static uint32_t title_fold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xFF21 && c <= 0xFF3A)
		return c - 0xFF21 + 'a';
	if (c >= 0xFF41 && c <= 0xFF5A)
		return c - 0xFF41 + 'a';
	if (c >= 0xFF10 && c <= 0xFF19)
		return c - 0xFF10 + '0';
	return c;
}

char *pgd_title_normalise(const char *title)
{
	size_t len, i = 0;
	char *out, *w;

	if (title == NULL)
		return NULL;
	len = strlen(title);
	out = pgd_malloc(len + 1); /* folding never grows a character */
	w = out;
	while (i < len) {
		uint32_t c;
		int n = pgd_utf8_decode(title + i, len - i, &c);
		if (n < 0) {
			i++;
			continue;
		}
		i += (size_t)n;
		if (!title_char(c))
			continue;
		w += pgd_utf8_encode(title_fold(c), w);
	}
	*w = '\0';
	return out;
}

int pgd_match_item(const char *norm_url, const char *norm_title, uint64_t simhash,
	const char *appr_norm_url, const char *appr_norm_title, uint64_t appr_simhash, int bits)
{
	if (norm_url && appr_norm_url && strcmp(norm_url, appr_norm_url) == 0)
		return 1;
	if (norm_title && appr_norm_title && *norm_title && strcmp(norm_title, appr_norm_title) == 0)
		return 1;
	if (simhash != 0 && appr_simhash != 0)
		return __builtin_popcountll((unsigned long long)(simhash ^ appr_simhash)) <= bits;
	return 0;
}
