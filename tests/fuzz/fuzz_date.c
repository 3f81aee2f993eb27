/* libFuzzer driver: pgd_date_parse and pgd_date_scan. A parsed date consumes at least one
 * byte and no more than given; scan offsets increase and every reported date re-parses; the
 * same with year-less dates (pgd_date_scan_asof). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pubguard/patrol.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	const char *s;
	size_t len;
	size_t last;
	size_t n;
};

static void on_date(void *arg, time_t t, size_t off)
{
	struct ctx *c = arg;
	time_t t2;
	size_t used;
	if (off >= c->len || (c->n > 0 && off <= c->last))
		abort();
	if (pgd_date_parse(c->s + off, c->len - off, &t2, &used) != 0 || t2 != t || used == 0)
		abort();
	c->last = off;
	c->n++;
}

#define AS_OF ((time_t)1796083200) /* 2026-12-01 00:00 UTC */

struct actx {
	const char *s;
	size_t len;
	size_t last;
	size_t n;
};

static void first_date(void *arg, time_t t, size_t off)
{
	time_t *out = arg;
	if (off == 0 && *out == (time_t)-1)
		*out = t;
}

static void on_date_asof(void *arg, time_t t, size_t off)
{
	struct actx *c = arg;
	time_t again = (time_t)-1;
	if (off >= c->len || (c->n > 0 && off <= c->last))
		abort();
	(void)pgd_date_scan_asof(c->s + off, c->len - off, AS_OF, first_date, &again);
	if (again != t)
		abort();
	/* a date without a year never lies more than 3 days + a day's time ahead */
	time_t t2;
	size_t used;
	if (pgd_date_parse(c->s + off, c->len - off, &t2, &used) != 0 && t > AS_OF + 4 * 86400)
		abort();
	c->last = off;
	c->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	time_t t;
	size_t used = 0;
	struct ctx c = { s, size, 0, 0 };

	if (pgd_date_parse(s, size, &t, &used) == 0 && (used == 0 || used > size))
		abort();
	size_t n = pgd_date_scan(s, size, on_date, &c);
	if (n != c.n)
		abort();
	/* with year-less dates: offsets increase, each date is found again at its offset, and a
	 * year-less one is at most 3 days (and a time of day) after as_of */
	struct actx a = { s, size, 0, 0 };
	if (pgd_date_scan_asof(s, size, AS_OF, on_date_asof, &a) != a.n || a.n < n)
		abort();
	return 0;
}
