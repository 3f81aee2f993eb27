/* cmocka fixture shared by the store tests: a migrated database in a fresh temporary
 * directory per test, removed (with its WAL files) afterwards. Include after <cmocka.h>. */
#ifndef PGD_TEST_STORE_FIXTURE_H
#define PGD_TEST_STORE_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pubguard/store.h"

struct fx {
	char dir[64];
	char path[128];
	struct pgd_store *st;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct pgd_err err = {0};
	snprintf(f->dir, sizeof(f->dir), "/tmp/pgd_store_XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	if (pgd_store_open(&f->st, f->path, &err) != 0 || pgd_store_migrate(f->st, &err) != 0) {
		fprintf(stderr, "setup: %s\n", err.message);
		return -1;
	}
	*state = f;
	return 0;
}

/* Remove a database file and its -wal / -shm companions. */
static void rm_db(const char *path)
{
	char p[192]; /* a path of up to 160 bytes (struct fx) plus "-wal" */
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	pgd_store_close(f->st);
	rm_db(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

#endif
