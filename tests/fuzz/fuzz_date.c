/* libFuzzer driver: pgd_date_parse and pgd_date_scan. A parsed date consumes at least one
 * byte and no more than given; scan offsets increase and every reported date re-parses. */
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
	return 0;
}
