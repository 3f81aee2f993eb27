/* Raw vectorscan literal scan: the baseline a user would write by hand.
 *
 *   hs_raw LEXICON INPUT
 *
 * LEXICON: one phrase per line, an optional ",category" column is ignored.
 * INPUT:   a file, scanned as one block, or a directory whose *.txt files are each scanned as
 *          their own block (the ~2 KB review-workflow documents).
 *
 * Every phrase becomes one literal expression (each byte written as \xHH) compiled with
 * hs_compile_multi in block mode, flags 0, and every match is counted. Input is read into
 * memory before the clock starts; only hs_scan is timed for MB/s, hs_compile_multi separately.
 * Prints one JSON line on stdout:
 *   {"tool":"vectorscan-raw","phrases":N,"compile_ms":X,"db_bytes":D,"scratch_bytes":S,
 *    "files":F,"bytes":B,"scan_ms":Y,"matches":M}
 *
 * Benchmark helper only: not part of pubguard and not built by CMake (bench/run.sh builds it). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct blob {
	char *data;
	size_t len;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "hs_raw: out of memory\n");
		exit(2);
	}
	return q;
}

static int read_file(const char *path, struct blob *out)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, len = 0, n;
	char *buf = NULL;
	if (!f) {
		perror(path);
		return -1;
	}
	buf = xrealloc(NULL, cap);
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	fclose(f);
	out->data = buf;
	out->len = len;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read INPUT: a file (one blob) or a directory of *.txt files (one blob each, sorted). */
static int read_input(const char *path, struct blob **out, size_t *nout)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct blob *v;
	if (!d) {
		*out = xrealloc(NULL, sizeof **out);
		*nout = 1;
		return read_file(path, *out);
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".txt") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n] = xrealloc(NULL, strlen(path) + l + 2);
		snprintf(names[n], strlen(path) + l + 2, "%s/%s", path, e->d_name);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	v = xrealloc(NULL, n * sizeof *v);
	for (i = 0; i < n; i++) {
		if (read_file(names[i], &v[i]) < 0)
			return -1;
		free(names[i]);
	}
	free(names);
	*out = v;
	*nout = n;
	return 0;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
		    unsigned int flags, void *ctx)
{
	(void)id;
	(void)from;
	(void)to;
	(void)flags;
	(*(unsigned long long *)ctx)++;
	return 0;
}

int main(int argc, char **argv)
{
	struct blob lex, *in = NULL;
	size_t nin = 0, i, nphr = 0, cap = 0, bytes = 0;
	char **exprs = NULL;
	unsigned *ids = NULL, *flags = NULL;
	char *p, *end;
	hs_database_t *db = NULL;
	hs_scratch_t *scratch = NULL;
	hs_compile_error_t *cerr = NULL;
	size_t db_bytes = 0, scratch_bytes = 0;
	unsigned long long matches = 0;
	double t0, compile_ms, scan_ms;

	if (argc != 3) {
		fprintf(stderr, "usage: hs_raw LEXICON INPUT\n");
		return 2;
	}
	if (read_file(argv[1], &lex) < 0 || read_input(argv[2], &in, &nin) < 0)
		return 2;

	/* One literal expression per phrase: "\xHH" per byte, so nothing is a metacharacter. */
	for (p = lex.data, end = lex.data + lex.len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl ? nl : end, *comma, *e;
		size_t plen, k;
		comma = memchr(p, ',', (size_t)(le - p));
		if (comma)
			le = comma;
		if (le > p && le[-1] == '\r')
			le--;
		plen = (size_t)(le - p);
		if (plen > 0) {
			if (nphr == cap) {
				cap = cap ? cap * 2 : 1024;
				exprs = xrealloc(exprs, cap * sizeof *exprs);
			}
			e = exprs[nphr] = xrealloc(NULL, plen * 4 + 1);
			for (k = 0; k < plen; k++)
				snprintf(e + k * 4, 5, "\\x%02x", (unsigned char)p[k]);
			nphr++;
		}
		p = nl ? nl + 1 : end;
	}
	ids = xrealloc(NULL, nphr * sizeof *ids);
	flags = xrealloc(NULL, nphr * sizeof *flags);
	for (i = 0; i < nphr; i++) {
		ids[i] = (unsigned)i;
		flags[i] = 0;
	}

	t0 = now_ms();
	if (hs_compile_multi((const char *const *)exprs, flags, ids, (unsigned)nphr, HS_MODE_BLOCK,
			     NULL, &db, &cerr) != HS_SUCCESS) {
		fprintf(stderr, "hs_raw: compile failed: %s (expression %d)\n", cerr->message,
			cerr->expression);
		hs_free_compile_error(cerr);
		return 2;
	}
	if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
		fprintf(stderr, "hs_raw: cannot allocate scratch\n");
		return 2;
	}
	compile_ms = now_ms() - t0;
	hs_database_size(db, &db_bytes);
	hs_scratch_size(scratch, &scratch_bytes);

	t0 = now_ms();
	for (i = 0; i < nin; i++) {
		if (hs_scan(db, in[i].data, (unsigned)in[i].len, 0, scratch, on_match, &matches) !=
		    HS_SUCCESS) {
			fprintf(stderr, "hs_raw: scan failed\n");
			return 2;
		}
		bytes += in[i].len;
	}
	scan_ms = now_ms() - t0;

	printf("{\"tool\":\"vectorscan-raw\",\"phrases\":%zu,\"compile_ms\":%.1f,\"db_bytes\":%zu,"
	       "\"scratch_bytes\":%zu,\"files\":%zu,\"bytes\":%zu,\"scan_ms\":%.1f,\"matches\":%llu}\n",
	       nphr, compile_ms, db_bytes, scratch_bytes, nin, bytes, scan_ms, matches);

	hs_free_scratch(scratch);
	hs_free_database(db);
	for (i = 0; i < nphr; i++)
		free(exprs[i]);
	free(exprs);
	free(ids);
	free(flags);
	for (i = 0; i < nin; i++)
		free(in[i].data);
	free(in);
	free(lex.data);
	return 0;
}
