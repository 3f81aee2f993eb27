/* The assembled checker through its public API: one rule set shared read-only by several
 * threads gives every thread the same findings as a single-threaded run. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pubguard/check.h"
#include "pubguard/doc.h"
#include "core/banned.h"

#define NTHREADS 4
#define ROUNDS 20

static const char *const inputs[] = {
	"corpus/e08-evasion-combined.txt",  "corpus/h04-map-missing-number.html",
	"corpus/d02-docx-typo-pii.docx",    "corpus/g02-gbk-typo-outdated.txt",
	"corpus/p10-pii-id-unmasked.txt",   "corpus/seed-regulation.txt",
	"corpus/p01-repost-unauthorized.txt",
};
#define NINPUTS (sizeof(inputs) / sizeof(inputs[0]))

static struct pgd_rules *rules;
static struct pgd_doc docs[NINPUTS];
static const struct pgd_check_opts opts = {2026, 11, 30};

/* A findings list as one comparable string. */
static char *summarise(const struct pgd_findings *f)
{
	size_t cap = 64 + f->n * 512, len = 0;
	char *s = calloc(1, cap);
	for (size_t i = 0; i < f->n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s@%u:%u:%s|", f->v[i].category,
					f->v[i].line, f->v[i].column, f->v[i].text);
	return s;
}

static char *expected[NINPUTS];

static void *run(void *arg)
{
	struct pgd_scanner *sc = pgd_scanner_new(rules);
	long bad = 0;
	for (int r = 0; r < ROUNDS; r++)
		for (size_t i = 0; i < NINPUTS; i++) {
			struct pgd_findings f;
			struct pgd_err err;
			pgd_findings_init(&f);
			if (pgd_check_doc(sc, &docs[i], &opts, &f, &err) < 0)
				bad++;
			char *got = summarise(&f);
			if (strcmp(got, expected[i]) != 0)
				bad++;
			free(got);
			pgd_findings_release(&f);
		}
	pgd_scanner_free(sc);
	return (void *)bad;
}

static void test_threads_agree(void **state)
{
	struct pgd_scanner *sc = pgd_scanner_new(rules);
	pthread_t t[NTHREADS];
	size_t with_findings = 0;

	for (size_t i = 0; i < NINPUTS; i++) {
		struct pgd_findings f;
		struct pgd_err err;
		pgd_findings_init(&f);
		assert_int_equal(pgd_check_doc(sc, &docs[i], &opts, &f, &err), 0);
		with_findings += f.n > 0;
		expected[i] = summarise(&f);
		pgd_findings_release(&f);
	}
	pgd_scanner_free(sc);
	/* every input here carries at least one finding, so agreement is not vacuous */
	assert_int_equal(with_findings, NINPUTS);

	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, run, NULL), 0);
	for (int i = 0; i < NTHREADS; i++) {
		void *bad;
		pthread_join(t[i], &bad);
		assert_int_equal((long)bad, 0);
	}
	for (size_t i = 0; i < NINPUTS; i++)
		free(expected[i]);
}

static int setup(void **state)
{
	struct pgd_rules_opts ro = {0};
	struct pgd_err err;
	if (pgd_rules_load(&ro, &rules, &err) < 0) {
		fprintf(stderr, "rules: %s\n", err.message);
		return -1;
	}
	for (size_t i = 0; i < NINPUTS; i++)
		if (pgd_doc_load(inputs[i], PGD_DOC_AUTO, PGD_DOC_MAX_BYTES, &docs[i], &err) < 0) {
			fprintf(stderr, "%s: %s\n", inputs[i], err.message);
			return -1;
		}
	return 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < NINPUTS; i++)
		pgd_doc_release(&docs[i]);
	pgd_rules_free(rules);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_agree),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
