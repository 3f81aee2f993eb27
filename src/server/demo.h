/* The demo city: about 30 units of every kind, 80 platforms of every Art. 2 type, people in
 * every role (formal and not), one user per role, one review-group filing per unit, custody
 * secrets for the platforms whose manager has one. Used by `pubguard serve --demo` on a
 * database with no units yet. Owner: demo.c. */
#ifndef PGD_SERVER_DEMO_H
#define PGD_SERVER_DEMO_H

#include "pubguard/crypto.h"
#include "pubguard/err.h"
#include <time.h>

#include "pubguard/store.h"

/* Seed st (migrated, empty) in one transaction. Writes logins_path (created 0600, replaced
 * if present) with one "role username password" line per demo user; the passwords are
 * random per seed. The patrol history (probes, a done patrol today, findings) is dated back
 * from now (0: the clock). Returns 0, or a negative PGD_ERR_* with nothing seeded. */
int pgd_demo_seed(struct pgd_store *st, const struct pgd_key *key, const char *logins_path, time_t now,
	struct pgd_err *err);

#endif
