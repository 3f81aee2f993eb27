/* libFuzzer driver: one HTML page (links, navigation, hidden links, meta, list rows) and the
 * URL helpers. Every link must be an absolute http(s) URL without a fragment, on a line of
 * the input; the first input line is also tried as a base URL and a reference. Parsed again
 * with year-less dates (pgd_page_parse_asof): the same links, no fewer list rows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "pubguard/patrol.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_url(const char *u)
{
	if (u == NULL)
		return;
	if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
		abort();
	if (strchr(u, '#') != NULL || strchr(u, ' ') != NULL || strchr(u, '\n') != NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgd_err err;
	struct pgd_page p;
	size_t lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (pgd_page_parse((const char *)data, size, "http://fuzz.example/dir/page.html", &p, &err) != 0)
		abort(); /* never fails below 64 MB */
	for (size_t i = 0; i < p.n_links; i++) {
		check_url(p.links[i].href);
		if (p.links[i].line > lines)
			abort();
		if ((p.links[i].hidden | p.links[i].nav | p.links[i].image) > 1)
			abort();
		(void)pgd_url_same_host(p.links[i].href, "http://fuzz.example/");
	}
	if (p.n_list_items == 0 && p.newest_date != 0)
		abort();
	/* with year-less dates (as of 2026-12-01): the same links, at least as many rows */
	struct pgd_page q;
	if (pgd_page_parse_asof((const char *)data, size, "http://fuzz.example/dir/page.html", 1796083200, &q,
	                        &err) != 0)
		abort();
	if (q.n_links != p.n_links || q.n_list_items < p.n_list_items || (q.n_list_items == 0 && q.newest_date != 0))
		abort();
	for (size_t i = 0; i < q.n_links; i++)
		if (strcmp(q.links[i].href, p.links[i].href) != 0 || q.links[i].hidden != p.links[i].hidden)
			abort();
	pgd_page_release(&q);
	pgd_page_release(&p);

	/* first line as a base, the rest of that line after a tab as a reference */
	const uint8_t *nl = memchr(data, '\n', size);
	size_t l1 = nl ? (size_t)(nl - data) : size;
	char *line = pgd_strndup((const char *)data, l1);
	char *tab = strchr(line, '\t');
	const char *ref = "../x/./y?q#f";
	if (tab != NULL) {
		*tab = '\0';
		ref = tab + 1;
	}
	char *u = pgd_url_resolve(line, ref);
	check_url(u);
	char *again = u ? pgd_url_resolve(u, "") : NULL; /* resolving a result against itself is stable */
	if (u != NULL && (again == NULL || strcmp(u, again) != 0))
		abort();
	free(again);
	free(u);
	u = pgd_url_resolve("http://fuzz.example/a/b", line);
	check_url(u);
	free(u);
	(void)pgd_url_same_host(line, ref);
	free(line);
	return 0;
}
