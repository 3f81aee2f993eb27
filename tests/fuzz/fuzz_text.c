/* libFuzzer driver: the charset decoder and the plain-text reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/doc.h"
#include "pubguard/err.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hints[] = {NULL, "gb2312", "utf-16", "big5", "windows-1252"};
	struct pgd_err err;
	struct pgd_doc doc;
	char *out = NULL, cs[32];
	size_t out_len = 0;
	unsigned line, col;

	/* the first byte picks a charset hint */
	const char *hint = size ? hints[data[0] % 5] : NULL;
	if (pgd_text_decode("fuzz", data, size, hint, data && size > 1 && (data[1] & 1), &out,
	                    &out_len, cs, &err) == 0) {
		if (out[out_len] != '\0')
			abort();
		free(out);
	}
	if (pgd_doc_parse("fuzz.txt", data, size, PGD_DOC_TEXT, &doc, &err) == 0) {
		for (size_t i = 0; i < doc.nsegs; i++) {
			if (doc.segs[i].off + doc.segs[i].len > doc.len)
				abort();
			pgd_doc_locate(&doc, doc.segs[i].off, &line, &col);
			if (line != doc.segs[i].line || col != doc.segs[i].col)
				abort();
		}
		pgd_doc_locate(&doc, doc.len, &line, &col);
	}
	pgd_doc_release(&doc);
	return 0;
}
