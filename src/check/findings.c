#include <stdlib.h>
#include <string.h>

#include "pubguard/check.h"
#include "pubguard/mem.h"
#include "pubguard/utf8.h"
#include "core/banned.h"

/* Quotes longer than this are cut at a character boundary and end with "…". */
#define QUOTE_MAX 240

void pgd_findings_init(struct pgd_findings *f)
{
	f->v = NULL;
	f->n = f->cap = 0;
}

void pgd_findings_release(struct pgd_findings *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].text);
		free(f->v[i].message);
		free(f->v[i].suggestion);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

static char *quote(const struct pgd_doc *doc, size_t off, size_t len)
{
	size_t n;
	uint32_t cp;
	char *q;

	if (off > doc->len)
		return pgd_strdup("");
	if (len > doc->len - off)
		len = doc->len - off;
	if (len <= QUOTE_MAX)
		return pgd_strndup(doc->text + off, len);
	/* cut at the last complete character within QUOTE_MAX */
	n = 0;
	while (n < QUOTE_MAX) {
		int k = pgd_utf8_decode(doc->text + off + n, len - n, &cp);
		if (k < 0)
			k = 1;
		if (n + (size_t)k > QUOTE_MAX)
			break;
		n += (size_t)k;
	}
	q = pgd_malloc(n + sizeof("…"));
	memcpy(q, doc->text + off, n);
	memcpy(q + n, "…", sizeof("…"));
	return q;
}

struct pgd_finding *pgd_findings_add(struct pgd_findings *f, const struct pgd_doc *doc,
				     const char *category, enum pgd_severity sev, size_t off,
				     size_t len, const char *message, const char *suggestion)
{
	struct pgd_finding *x;

	PGD_GROW(f->v, f->n + 1, f->cap);
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	size_t cl = strlen(category);
	if (cl >= sizeof(x->category))
		cl = sizeof(x->category) - 1;
	memcpy(x->category, category, cl);
	x->category[cl] = '\0';
	x->severity = sev;
	x->off = off;
	x->len = len;
	pgd_doc_locate(doc, off, &x->line, &x->column);
	x->text = quote(doc, off, len);
	x->message = pgd_strdup(message ? message : "");
	x->suggestion = pgd_strdup(suggestion);
	return x;
}

static int cmp_finding(const void *a, const void *b)
{
	const struct pgd_finding *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return strcmp(x->category, y->category);
}

void pgd_findings_sort(struct pgd_findings *f)
{
	size_t w = 0;

	if (f->n < 2)
		return;
	qsort(f->v, f->n, sizeof(f->v[0]), cmp_finding);
	for (size_t r = 0; r < f->n; r++) {
		if (w > 0 && f->v[w - 1].off == f->v[r].off && f->v[w - 1].len == f->v[r].len &&
		    strcmp(f->v[w - 1].category, f->v[r].category) == 0) {
			free(f->v[r].text);
			free(f->v[r].message);
			free(f->v[r].suggestion);
			continue;
		}
		f->v[w++] = f->v[r];
	}
	f->n = w;
}

int pgd_findings_worst(const struct pgd_findings *f)
{
	int worst = -1;
	for (size_t i = 0; i < f->n; i++)
		if ((int)f->v[i].severity > worst)
			worst = (int)f->v[i].severity;
	return worst;
}

const char *pgd_severity_name(enum pgd_severity sev)
{
	switch (sev) {
	case PGD_SEV_BLOCK: return "block";
	case PGD_SEV_REVIEW: return "review";
	case PGD_SEV_INFO: return "info";
	}
	return "info";
}

int pgd_severity_parse(const char *s, enum pgd_severity *out)
{
	if (strcmp(s, "block") == 0)
		*out = PGD_SEV_BLOCK;
	else if (strcmp(s, "review") == 0)
		*out = PGD_SEV_REVIEW;
	else if (strcmp(s, "info") == 0)
		*out = PGD_SEV_INFO;
	else
		return -1;
	return 0;
}
