/* libFuzzer driver: the posts export parser (CSV/XLSX/JSON, src/patrol/posts.c), the cadence
 * rules and the Art. 14 check against approved items on its result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/err.h"
#include "pubguard/match.h"
#include "pubguard/patrol.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pgd_approved_ref appr[] = {
		{"https://mp.weixin.qq.com/s/a1", "关于开展冬季防火安全检查的通知", 0},
		{NULL, "全市教育工作会议召开", 0xFF},
	};
	struct pgd_err err;
	struct pgd_feed f;
	struct pgd_patrol_report r;

	memset(&r, 0, sizeof(r));
	memset(&err, 0, sizeof(err));
	if (pgd_posts_parse((const char *)data, size, "fuzz", &f, &err) == 0) {
		if (f.n > PGD_FEED_MAX_ITEMS || (f.n > 0 && f.items == NULL))
			abort();
		for (size_t i = 0; i < f.n; i++) {
			const struct pgd_feed_item *it = &f.items[i];
			char *u;
			if (it->published <= 0 || (it->title == NULL && it->link == NULL && it->content == NULL))
				abort(); /* every post has a date and something dated */
			if (it->link) {
				u = pgd_url_normalise(it->link);
				if (u == NULL)
					abort(); /* links are http(s) */
				free(u);
			}
		}
		pgd_feed_cadence(&f, "fuzz", 1796000000, NULL, &r);
		if (pgd_patrol_items_unreviewed(&f, "fuzz", appr, 2, 0, &r) > f.n)
			abort();
	} else if (err.message[0] == '\0' || f.n != 0 || f.items != NULL) {
		abort();
	}
	pgd_patrol_report_release(&r);
	pgd_feed_release(&f);
	return 0;
}
