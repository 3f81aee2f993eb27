/* The checker assembled: rules = lexicon engine + document rules, loaded from one data
 * directory; a scanner per thread runs both over a document and sorts the findings. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pubguard/check.h"
#include "pubguard/mem.h"
#include "check/internal.h"
#include "core/banned.h"

struct pgd_rules {
	char *data_dir;
	struct pgd_lexicon *lexicon;
	struct pgd_docrules *docrules;
};

struct pgd_scanner {
	const struct pgd_rules *rules;
	struct pgd_lexicon_scratch *lex_scratch;
};

static int is_dir(const char *p)
{
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The data directory: explicit, $PGD_DATA_DIR, <exe dir>/../data, <exe dir>/../share/pubguard,
 * then the source tree's data/ (for a build that was never installed). new: free(). */
static char *resolve_data_dir(const char *explicit_dir)
{
	const char *env = getenv("PGD_DATA_DIR");
	char exe[PATH_MAX];
	char cand[PATH_MAX + 32];
	ssize_t n;

	if (explicit_dir)
		return pgd_strdup(explicit_dir);
	if (env && *env)
		return pgd_strdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(cand, sizeof(cand), "%s/../data", exe);
			if (is_dir(cand))
				return pgd_strdup(cand);
			snprintf(cand, sizeof(cand), "%s/../share/pubguard", exe);
			if (is_dir(cand))
				return pgd_strdup(cand);
		}
	}
#ifdef PGD_SOURCE_DATA_DIR
	return pgd_strdup(PGD_SOURCE_DATA_DIR);
#else
	return pgd_strdup("data");
#endif
}

int pgd_rules_load(const struct pgd_rules_opts *opts, struct pgd_rules **out,
		   struct pgd_err *err)
{
	struct pgd_rules *r = pgd_calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	r->data_dir = resolve_data_dir(opts ? opts->data_dir : NULL);
	if (!is_dir(r->data_dir)) {
		rc = pgd_err_set(err, PGD_ERR_NOT_FOUND, r->data_dir,
				 "规则数据目录不存在：%s", r->data_dir);
		goto out;
	}
	rc = pgd_lexicon_load(r->data_dir, opts ? opts->lexicons : NULL, opts ? opts->nlexicons : 0,
			      opts ? opts->cache_dir : NULL, &r->lexicon, err);
	if (rc < 0)
		goto out;
	rc = pgd_docrules_load(r->data_dir, &r->docrules, err);
	if (rc < 0)
		goto out;
	*out = r;
	r = NULL;
out:
	pgd_rules_free(r);
	return rc;
}

void pgd_rules_free(struct pgd_rules *r)
{
	if (r == NULL)
		return;
	pgd_lexicon_free(r->lexicon);
	pgd_docrules_free(r->docrules);
	free(r->data_dir);
	free(r);
}

size_t pgd_rules_phrase_count(const struct pgd_rules *r)
{
	return pgd_lexicon_count(r->lexicon);
}

int pgd_rules_cache_hit(const struct pgd_rules *r)
{
	return pgd_lexicon_cache_hit(r->lexicon);
}

const char *pgd_rules_category_name(const struct pgd_rules *r, const char *category)
{
	return pgd_lexicon_category_name(r->lexicon, category);
}

struct pgd_scanner *pgd_scanner_new(const struct pgd_rules *rules)
{
	struct pgd_scanner *sc = pgd_calloc(1, sizeof(*sc));
	sc->rules = rules;
	sc->lex_scratch = pgd_lexicon_scratch_new(rules->lexicon);
	return sc;
}

void pgd_scanner_free(struct pgd_scanner *sc)
{
	if (sc == NULL)
		return;
	pgd_lexicon_scratch_free(sc->lex_scratch);
	free(sc);
}

int pgd_check_as_of(const struct pgd_check_opts *opts)
{
	if (opts && opts->as_of_year > 0)
		return opts->as_of_year * 10000 + opts->as_of_month * 100 + opts->as_of_day;
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int pgd_check_doc(struct pgd_scanner *sc, const struct pgd_doc *doc,
		  const struct pgd_check_opts *opts, struct pgd_findings *out, struct pgd_err *err)
{
	int rc;

	rc = pgd_lexicon_scan(sc->rules->lexicon, sc->lex_scratch, doc, opts, out, err);
	if (rc < 0)
		return rc;
	rc = pgd_docrules_check(sc->rules->docrules, doc, opts, out, err);
	if (rc < 0)
		return rc;
	pgd_findings_sort(out);
	return 0;
}
