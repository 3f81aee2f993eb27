/* libFuzzer driver: the HTML reader; every segment offset is located. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/doc.h"
#include "pubguard/err.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgd_err err;
	struct pgd_doc doc;
	unsigned line, col;

	if (pgd_doc_parse("fuzz.html", data, size, PGD_DOC_HTML, &doc, &err) == 0) {
		if (doc.text[doc.len] != '\0')
			abort();
		for (size_t i = 0; i < doc.nsegs; i++) {
			const struct pgd_doc_seg *s = &doc.segs[i];
			if (s->off + s->len > doc.len || s->len == 0)
				abort();
			if (s->image >= (int)doc.nimages)
				abort();
			pgd_doc_locate(&doc, s->off, &line, &col);
			if (line == 0 || col == 0 || line != s->line || col != s->col)
				abort();
			pgd_doc_locate(&doc, s->off + s->len - 1, &line, &col);
			if (pgd_doc_seg_at(&doc, s->off) != s)
				abort();
		}
		for (size_t i = 1; i < doc.nanchors; i++)
			if (doc.anchors[i].off <= doc.anchors[i - 1].off)
				abort();
		for (size_t i = 0; i < doc.nlinks; i++)
			if (doc.links[i].off > doc.len)
				abort();
		pgd_doc_meta_get(&doc, "ArticleTitle");
	}
	pgd_doc_release(&doc);
	return 0;
}
