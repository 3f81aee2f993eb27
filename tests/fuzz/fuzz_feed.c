/* libFuzzer driver: the feed parser (RSS, Atom, JSON Feed) and the cadence rules on its result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/err.h"
#include "pubguard/patrol.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgd_err err;
	struct pgd_feed f;
	struct pgd_patrol_report r;

	memset(&r, 0, sizeof(r));
	if (pgd_feed_parse((const char *)data, size, "fuzz", &f, &err) == 0) {
		if (f.n > PGD_FEED_MAX_ITEMS || (f.n > 0 && f.items == NULL))
			abort();
		for (size_t i = 0; i < f.n; i++) {
			const struct pgd_feed_item *it = &f.items[i];
			if ((it->title && !it->title[0]) || (it->link && !it->link[0]) ||
			    (it->content && !it->content[0]))
				abort(); /* empty strings are NULL */
		}
		pgd_feed_cadence(&f, "fuzz", 1796000000, NULL, &r);
		if (r.n > 3)
			abort();
		for (size_t i = 0; i < r.n; i++)
			if (r.items[i].message == NULL || r.items[i].category == NULL)
				abort();
	} else if (err.message[0] == '\0' || f.n != 0 || f.items != NULL) {
		abort();
	}
	pgd_patrol_report_release(&r);
	pgd_feed_release(&f);
	return 0;
}
