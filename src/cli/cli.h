/* The command table of the pubguard binary (git builtin/ style): each command is
 * cmd_<name>(argc, argv) in cmd_<name>.c and returns the process exit status. */
#ifndef PGD_CLI_H
#define PGD_CLI_H

#include <stddef.h>

int cmd_check(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_serve(int argc, char **argv);  /* cmd_serve.c */
int cmd_user(int argc, char **argv);   /* cmd_user.c: user add */
int cmd_db(int argc, char **argv);     /* cmd_db.c: db migrate, db backup */
int cmd_import(int argc, char **argv); /* cmd_import.c */
int cmd_patrol(int argc, char **argv); /* cmd_patrol.c: patrol sites and feeds once */
int pgd_cmd_patrol_now(int argc, char **argv); /* cmd_patrol_now.c: patrol now PLATFORM_ID */
int pgd_cmd_workers(int argc, char **argv);    /* cmd_workers.c: workers add|list|revoke */
int pgd_cmd_patrol_items(int argc, char **argv); /* cmd_patrol_items.c: patrol items FILE (posts export) */
int cmd_worker(int argc, char **argv); /* cmd_worker.c: take patrol jobs from a server */

/* The default cache directory for compiled rules (cmd_check.c): $PGD_CACHE_DIR, else
 * $XDG_CACHE_HOME/pubguard, else ~/.cache/pubguard. 0, or -1 when none can be named. */
int pgd_cli_cache_dir(char *out, size_t n);

/* Parse YYYY-MM-DD (a real calendar date). Returns 0 on success. */
int pgd_cli_parse_date(const char *s, int *y, int *m, int *d);

struct pgd_patrol_finding;
/* One patrol finding on stdout as `pubguard patrol` prints it (a line, or JSON with json). */
void pgd_cli_print_patrol_finding(const struct pgd_patrol_finding *f, int json);

#endif
