/* Dates in their many forms: ISO 8601 / RFC 3339 (2026-11-30T10:20:00+08:00), 2026/11/30,
 * 2026.11.30, 2026年11月30日 [10:20[:00]], 二〇二六年十一月三十日, RFC 822 (RSS pubDate:
 * "Mon, 30 Nov 2026 10:20:00 +0800"). A date without a zone is Beijing time (UTC+8).
 * Every date is validated against the real calendar (no month 13, no Feb 30, leap years).
 * pgd_date_scan finds dates in running text but not 文号 (〔2019〕19号), phone numbers,
 * bare years or longer digit runs; pgd_date_scan_asof also dates without a year ("11-30",
 * "11月30日"), which take their year from the day the text is read for. */
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "pubguard/patrol.h"
#include "core/banned.h"

#define BEIJING_OFFSET (8 * 3600)

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int mdays(long y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int valid_ymd(long y, int m, int d)
{
	return y >= 1900 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 && d <= mdays(y, m);
}

/* Read 1..max ASCII digits at s[*i]; exactly that run (a longer run fails). */
static int digits(const char *s, size_t len, size_t *i, int min, int max, long *v)
{
	size_t j = *i;
	long x = 0;
	while (j < len && is_digit((unsigned char)s[j]) && (int)(j - *i) < max + 1) {
		x = x * 10 + (s[j] - '0');
		j++;
	}
	int n = (int)(j - *i);
	if (n < min || n > max)
		return -1;
	*v = x;
	*i = j;
	return 0;
}

static int lit(const char *s, size_t len, size_t *i, const char *w)
{
	size_t n = strlen(w);
	if (len - *i >= n && memcmp(s + *i, w, n) == 0) {
		*i += n;
		return 1;
	}
	return 0;
}

static void skip_spaces(const char *s, size_t len, size_t *i)
{
	for (;;) {
		if (*i < len && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n' || s[*i] == '\r'))
			(*i)++;
		else if (!lit(s, len, i, "\xe3\x80\x80") && !lit(s, len, i, "\xc2\xa0")) /* U+3000, NBSP */
			return;
	}
}

/* Optional zone: Z, +hh:mm, +hhmm, +hh, or (rfc822) GMT/UT/UTC and US names. *off in seconds;
 * returns 1 when a zone was read. */
static int zone(const char *s, size_t len, size_t *i, int named, long *off)
{
	size_t j = *i;
	if (j < len && (s[j] == 'Z' || s[j] == 'z') && (j + 1 >= len || !is_alpha((unsigned char)s[j + 1]))) {
		*off = 0;
		*i = j + 1;
		return 1;
	}
	if (j < len && (s[j] == '+' || s[j] == '-')) {
		int neg = s[j] == '-';
		long h, m = 0;
		j++;
		size_t k = j;
		if (digits(s, len, &k, 4, 4, &h) == 0) {
			m = h % 100;
			h /= 100;
		} else {
			k = j;
			if (digits(s, len, &k, 2, 2, &h) < 0)
				return 0;
			if (k < len && s[k] == ':') {
				size_t q = k + 1;
				if (digits(s, len, &q, 2, 2, &m) < 0)
					return 0;
				k = q;
			}
		}
		if (h > 14 || m > 59)
			return 0;
		*off = (neg ? -1 : 1) * (h * 3600 + m * 60);
		*i = k;
		return 1;
	}
	if (named) {
		static const struct { const char *n; int h; } names[] = {
			{ "GMT", 0 }, { "UTC", 0 }, { "UT", 0 }, { "EST", -5 }, { "EDT", -4 }, { "CST", -6 },
			{ "CDT", -5 }, { "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
		};
		for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
			size_t k = j;
			if (lit(s, len, &k, names[n].n) && (k >= len || !is_alpha((unsigned char)s[k]))) {
				*off = names[n].h * 3600L;
				*i = k;
				return 1;
			}
		}
	}
	return 0;
}

/* Optional time "HH:MM[:SS[.frac]]" (ASCII or full-width colon); fails only on a started but
 * invalid time (hour 25). Returns 2 read with seconds, 1 read without, 0 absent, -1 invalid. */
static int clock_time(const char *s, size_t len, size_t *i, long *secs)
{
	size_t j = *i;
	long h, m, sec = 0;
	int full = 1;
	if (digits(s, len, &j, 1, 2, &h) < 0)
		return 0;
	if (!lit(s, len, &j, ":") && !lit(s, len, &j, "\xef\xbc\x9a"))
		return 0;
	if (digits(s, len, &j, 2, 2, &m) < 0)
		return 0;
	size_t k = j;
	if (lit(s, len, &k, ":") || lit(s, len, &k, "\xef\xbc\x9a")) {
		if (digits(s, len, &k, 2, 2, &sec) == 0) {
			j = k;
			full = 2;
			if (j + 1 < len && (s[j] == '.' || s[j] == ',') && is_digit((unsigned char)s[j + 1])) {
				j++;
				while (j < len && is_digit((unsigned char)s[j]))
					j++;
			}
		}
	}
	if (h > 23 || m > 59 || sec > 60)
		return -1;
	*secs = h * 3600 + m * 60 + (sec == 60 ? 59 : sec);
	*i = j;
	return full;
}

/* Chinese numerals. */
static int cn_digit(const char *s, size_t len, size_t *i)
{
	static const char *const d[] = { "〇", "一", "二", "三", "四", "五", "六", "七", "八", "九" };
	for (int n = 0; n < 10; n++)
		if (lit(s, len, i, d[n]))
			return n;
	if (lit(s, len, i, "○") || lit(s, len, i, "零"))
		return 0;
	return -1;
}

/* 1..31 written 一 .. 十 .. 二十九 .. 三十一. */
static int cn_small(const char *s, size_t len, size_t *i, long *v)
{
	size_t j = *i;
	int a = cn_digit(s, len, &j);
	long x;
	if (a == 0)
		return -1;
	if (a > 0) {
		if (lit(s, len, &j, "十")) {
			size_t k = j;
			int b = cn_digit(s, len, &k);
			x = a * 10;
			if (b > 0) {
				x += b;
				j = k;
			}
		} else {
			x = a;
		}
	} else if (lit(s, len, &j, "十")) {
		size_t k = j;
		int b = cn_digit(s, len, &k);
		x = 10;
		if (b > 0) {
			x += b;
			j = k;
		}
	} else {
		return -1;
	}
	*v = x;
	*i = j;
	return 0;
}

static int finish(long y, long m, long d, long secs, long off, time_t *t)
{
	if (!valid_ymd(y, (int)m, (int)d))
		return -1;
	*t = (time_t)(days_from_civil(y, (int)m, (int)d) * 86400L + secs - off);
	return 0;
}

/* Time and zone after a date at *i (separator 'T' or spaces). */
static int tail(const char *s, size_t len, size_t *i, long *secs, long *off, int named)
{
	size_t j = *i;
	int iso = 0;
	*secs = 0;
	*off = BEIJING_OFFSET;
	if (j < len && (s[j] == 'T' || s[j] == 't')) {
		j++;
		iso = 1;
	} else {
		skip_spaces(s, len, &j);
	}
	int r = clock_time(s, len, &j, secs);
	if (r < 0)
		return -1;
	if (r == 0)
		return 0; /* date only */
	size_t k = j;
	skip_spaces(s, len, &k);
	long o;
	/* "10:20-11:30" is a time range, not a zone: a negative offset only after ISO 'T' or seconds */
	if (!iso && r < 2 && ((j < len && s[j] == '-') || (k < len && s[k] == '-'))) {
		*i = j;
		return 0;
	}
	if (zone(s, len, &j, named, &o) || (k != j && zone(s, len, &k, named, &o) && (j = k, 1)))
		*off = o;
	*i = j;
	return 0;
}

static int parse_numeric(const char *s, size_t len, size_t *i, time_t *t)
{
	size_t j = *i;
	long y, m, d, secs, off;
	int cn;
	char sep;

	if (digits(s, len, &j, 4, 4, &y) < 0)
		return -1;
	size_t k = j;
	skip_spaces(s, len, &k);
	cn = lit(s, len, &k, "年");
	if (cn)
		j = k;
	if (!cn) {
		if (j >= len || (s[j] != '-' && s[j] != '/' && s[j] != '.'))
			return -1;
		sep = s[j++];
	} else {
		sep = 0;
		skip_spaces(s, len, &j);
	}
	if (digits(s, len, &j, 1, 2, &m) < 0)
		return -1;
	if (cn) {
		skip_spaces(s, len, &j);
		if (!lit(s, len, &j, "月"))
			return -1;
		skip_spaces(s, len, &j);
	} else if (j >= len || s[j] != sep) {
		return -1;
	} else {
		j++;
	}
	if (digits(s, len, &j, 1, 2, &d) < 0)
		return -1;
	if (cn) {
		skip_spaces(s, len, &j);
		if (!lit(s, len, &j, "日") && !lit(s, len, &j, "号"))
			return -1;
	}
	if (tail(s, len, &j, &secs, &off, 0) < 0)
		return -1;
	if (finish(y, m, d, secs, off, t) < 0)
		return -1;
	*i = j;
	return 0;
}

static int parse_chinese(const char *s, size_t len, size_t *i, time_t *t)
{
	size_t j = *i;
	long y = 0, m, d, secs, off;
	for (int n = 0; n < 4; n++) {
		int c = cn_digit(s, len, &j);
		if (c < 0)
			return -1;
		y = y * 10 + c;
	}
	if (!lit(s, len, &j, "年") || cn_small(s, len, &j, &m) < 0 || !lit(s, len, &j, "月") ||
	    cn_small(s, len, &j, &d) < 0 || (!lit(s, len, &j, "日") && !lit(s, len, &j, "号")))
		return -1;
	if (tail(s, len, &j, &secs, &off, 0) < 0)
		return -1;
	if (finish(y, m, d, secs, off, t) < 0)
		return -1;
	*i = j;
	return 0;
}

static int month_name(const char *s, size_t len, size_t *i)
{
	static const char *const mn[] = { "jan", "feb", "mar", "apr", "may", "jun",
		                          "jul", "aug", "sep", "oct", "nov", "dec" };
	if (len - *i < 3)
		return -1;
	for (int n = 0; n < 12; n++) {
		int ok = 1;
		for (int k = 0; k < 3; k++) {
			char c = s[*i + (size_t)k];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != mn[n][k])
				ok = 0;
		}
		if (ok) {
			size_t j = *i + 3;
			while (j < len && is_alpha((unsigned char)s[j])) /* "November" */
				j++;
			*i = j;
			return n + 1;
		}
	}
	return -1;
}

/* RFC 822 / 1123 / 2822: [Wkd,] DD Mon YYYY [HH:MM[:SS]] [zone]. */
static int parse_rfc822(const char *s, size_t len, size_t *i, time_t *t)
{
	size_t j = *i;
	long y, m, d, secs = 0, off = 0;

	if (j < len && is_alpha((unsigned char)s[j])) {
		size_t k = j;
		while (k < len && is_alpha((unsigned char)s[k]))
			k++;
		if (k - j < 3 || k - j > 9)
			return -1;
		j = k;
		if (j < len && s[j] == ',')
			j++;
		skip_spaces(s, len, &j);
	}
	if (digits(s, len, &j, 1, 2, &d) < 0)
		return -1;
	skip_spaces(s, len, &j);
	if (j < len && s[j] == '-')
		j++;
	m = month_name(s, len, &j);
	if (m < 0)
		return -1;
	if (j < len && s[j] == '-')
		j++;
	skip_spaces(s, len, &j);
	if (digits(s, len, &j, 4, 4, &y) < 0)
		return -1;
	size_t k = j;
	skip_spaces(s, len, &k);
	int r = clock_time(s, len, &k, &secs);
	if (r < 0)
		return -1;
	if (r > 0) {
		j = k;
		size_t z = j;
		skip_spaces(s, len, &z);
		if (zone(s, len, &z, 1, &off))
			j = z;
		else
			off = BEIJING_OFFSET;
	} else {
		off = BEIJING_OFFSET;
	}
	if (finish(y, m, d, secs, off, t) < 0)
		return -1;
	*i = j;
	return 0;
}

int pgd_date_parse(const char *s, size_t len, time_t *t, size_t *used)
{
	size_t i = 0;
	time_t v = 0;
	int rc = PGD_ERR_INVALID;

	if (s == NULL)
		goto out;
	skip_spaces(s, len, &i);
	if (i >= len)
		goto out;
	size_t j = i;
	if (parse_numeric(s, len, &j, &v) == 0 || (j = i, parse_chinese(s, len, &j, &v)) == 0 ||
	    (j = i, parse_rfc822(s, len, &j, &v)) == 0) {
		/* a date glued to more digits ("2026-11-301") is not a date */
		if (j < len && is_digit((unsigned char)s[j]))
			goto out;
		if (t)
			*t = v;
		if (used)
			*used = j;
		rc = 0;
	}
out:
	return rc;
}

/* Could a date start at s[i]? A Chinese year digit (〇 E3 80 87, 一 E4 B8 80, ..., ○ E2 97 8B,
 * 零 E9 9B B6: every one starts with E2..E5 or E9). */
static int starts_cn(const char *s, size_t len, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	size_t j = i;
	if (!((c >= 0xE2 && c <= 0xE5) || c == 0xE9))
		return 0;
	return cn_digit(s, len, &j) >= 0;
}

/* ---- dates without a year ---- */

#define YEARLESS_AHEAD (3 * 86400L) /* a year-less date at most this far after as_of */

/* Year of a proleptic Gregorian day number (days since 1970-01-01; Hinnant's civil_from_days). */
static long year_of_days(long z)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long m = mp < 10 ? mp + 3 : mp - 9;
	return yoe + era * 400 + (m <= 2);
}

/* Does a word that makes a number a count or a range follow at s[i] ("10-12页", "10-12月")? */
static int counter_follows(const char *s, size_t len, size_t i)
{
	static const char *const words[] = { "页", "期", "号", "条", "版", "章", "节", "楼", "室", "次",
		"届", "层", "栋", "名", "岁", "人", "个", "元", "万", "亿", "件", "月", "日", "年", "天",
		"周", "时", "点", "分", "%", "％", NULL };
	size_t j = i;
	skip_spaces(s, len, &j);
	for (size_t k = 0; words[k]; k++) {
		size_t q = j;
		if (lit(s, len, &q, words[k]))
			return 1;
	}
	return 0;
}

/* Does the text before s[i] make a number there a count ("第", "共") or part of a date (年)? */
static int counter_precedes(const char *s, size_t i)
{
	static const char *const words[] = { "第", "共", "年", "至第", NULL };
	for (size_t k = 0; words[k]; k++) {
		size_t n = strlen(words[k]);
		if (i >= n && memcmp(s + i - n, words[k], n) == 0)
			return 1;
	}
	return 0;
}

/* MM-DD (two digits each) or M月D日 / M月D号, with an optional time, at s[*i]; the year from
 * as_of (Beijing), or the year before when the date would be more than YEARLESS_AHEAD after it. */
static int parse_yearless(const char *s, size_t len, size_t *i, time_t as_of, time_t *t)
{
	size_t j = *i;
	long m, d, secs, off;
	int cn = 0;

	if (digits(s, len, &j, 2, 2, &m) == 0 && j < len && s[j] == '-') {
		j++;
		if (digits(s, len, &j, 2, 2, &d) < 0)
			return -1;
	} else {
		j = *i;
		if (digits(s, len, &j, 1, 2, &m) < 0)
			return -1;
		skip_spaces(s, len, &j);
		if (!lit(s, len, &j, "月"))
			return -1;
		skip_spaces(s, len, &j);
		if (digits(s, len, &j, 1, 2, &d) < 0)
			return -1;
		skip_spaces(s, len, &j);
		if (!lit(s, len, &j, "日") && !lit(s, len, &j, "号"))
			return -1;
		cn = 1;
	}
	if (!cn && counter_follows(s, len, j))
		return -1;
	if (tail(s, len, &j, &secs, &off, 0) < 0)
		return -1;
	long now_days = (long)((as_of + BEIJING_OFFSET) / 86400);
	if (as_of + BEIJING_OFFSET < 0 && (as_of + BEIJING_OFFSET) % 86400 != 0)
		now_days--;
	long y = year_of_days(now_days);
	if (finish(y, m, d, secs, off, t) < 0)
		return -1;
	if (*t > as_of + YEARLESS_AHEAD && finish(y - 1, m, d, secs, off, t) < 0)
		return -1;
	*i = j;
	return 0;
}

size_t pgd_date_scan_asof(const char *s, size_t len, time_t as_of,
	void (*fn)(void *arg, time_t t, size_t off), void *arg)
{
	size_t i = 0, found = 0;

	if (s == NULL)
		return 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (is_digit(c) || (c >= 0x80 && starts_cn(s, len, i))) {
			size_t j = i;
			time_t t;
			size_t used;
			int prev_ok = i == 0 || !(is_digit((unsigned char)s[i - 1]) || is_alpha((unsigned char)s[i - 1]) ||
			                          s[i - 1] == '.' || s[i - 1] == '-' || s[i - 1] == '/' || s[i - 1] == '+');
			int ok = prev_ok && pgd_date_parse(s + i, len - i, &t, &used) == 0;
			if (!ok && prev_ok && as_of != 0 && is_digit(c) && !counter_precedes(s, i)) {
				size_t k = 0;
				ok = parse_yearless(s + i, len - i, &k, as_of, &t) == 0 &&
				     !(i + k < len && is_digit((unsigned char)s[i + k]));
				used = k;
			}
			if (ok) {
				size_t e = i + used;
				/* "2026.11.30.5", "2026-11-30-1234": part of a longer number (unless a
				 * time ended the match: "2026-11-30 10:20-11:30" is a date and a range) */
				int next_ok = memchr(s + i, ':', used) != NULL ||
				              !(e + 1 < len && (s[e] == '.' || s[e] == '-' || s[e] == '/') &&
				                is_digit((unsigned char)s[e + 1]));
				if (next_ok) {
					if (fn)
						fn(arg, t, i);
					found++;
					i = e;
					continue;
				}
			}
			if (is_digit(c)) {
				while (j < len && is_digit((unsigned char)s[j]))
					j++;
				i = j;
			} else {
				(void)cn_digit(s, len, &j);
				i = j;
			}
			continue;
		}
		i++;
	}
	return found;
}

size_t pgd_date_scan(const char *s, size_t len, void (*fn)(void *arg, time_t t, size_t off), void *arg)
{
	return pgd_date_scan_asof(s, len, 0, fn, arg);
}
