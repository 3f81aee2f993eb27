/* libFuzzer driver: the .docx reader (zip + WordprocessingML).
 * Input starting with "PK" is a whole .docx; anything else is taken as word/document.xml
 * and packed into a minimal .docx first, so the fuzzer reaches the XML walker without
 * having to get zip CRCs right. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "pubguard/doc.h"
#include "pubguard/err.h"
#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rels[] =
    "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/"
    "2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
    "officeDocument/2006/relationships/image\" Target=\"media/image1.png\"/><Relationship "
    "Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    "hyperlink\" Target=\"https://www.gov.cn/\" TargetMode=\"External\"/></Relationships>";

/* Pack data as word/document.xml into a stored zip. new: *out (free()). */
static int pack(const uint8_t *data, size_t size, void **out, size_t *out_len)
{
	zip_error_t ze;
	zip_source_t *src, *part;
	zip_t *za;
	zip_stat_t st;
	void *buf = NULL;
	int rc = -1;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	if (src == NULL)
		goto out;
	zip_source_keep(src);
	za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	if (za == NULL)
		goto free_src;
	part = zip_source_buffer(za, data, size, 0);
	if (part == NULL || zip_file_add(za, "word/document.xml", part, 0) < 0) {
		zip_source_free(part);
		zip_discard(za);
		goto free_src;
	}
	part = zip_source_buffer(za, rels, sizeof(rels) - 1, 0);
	if (part == NULL || zip_file_add(za, "word/_rels/document.xml.rels", part, 0) < 0) {
		zip_source_free(part);
		zip_discard(za);
		goto free_src;
	}
	if (zip_close(za) < 0) {
		zip_discard(za);
		goto free_src;
	}
	if (zip_source_stat(src, &st) < 0 || zip_source_open(src) < 0)
		goto free_src;
	buf = malloc(st.size ? st.size : 1);
	if (buf && zip_source_read(src, buf, st.size) == (zip_int64_t)st.size) {
		*out = buf;
		*out_len = st.size;
		buf = NULL;
		rc = 0;
	}
	zip_source_close(src);
free_src:
	zip_source_free(src);
out:
	free(buf);
	zip_error_fini(&ze);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgd_err err;
	struct pgd_doc doc;
	unsigned line, col;
	void *packed = NULL;
	size_t plen = 0;

	if (size < 2 || memcmp(data, "PK", 2) != 0) {
		if (pack(data, size, &packed, &plen) < 0)
			return 0;
		data = packed;
		size = plen;
	}
	if (pgd_doc_parse("fuzz.docx", data, size, PGD_DOC_DOCX, &doc, &err) == 0) {
		for (size_t i = 0; i < doc.nsegs; i++) {
			const struct pgd_doc_seg *s = &doc.segs[i];
			if (s->off + s->len > doc.len || s->len == 0)
				abort();
			if (s->image >= (int)doc.nimages)
				abort();
			pgd_doc_locate(&doc, s->off, &line, &col);
			if (line != s->line || col != s->col)
				abort();
		}
		for (size_t i = 0; i < doc.nimages; i++)
			if (doc.images[i].off > doc.len)
				abort();
		for (size_t i = 0; i < doc.nlinks; i++)
			if (doc.links[i].off > doc.len)
				abort();
	}
	pgd_doc_release(&doc);
	free(packed);
	return 0;
}
