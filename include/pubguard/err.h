/* Error codes and error detail. Fallible functions return 0 or a negative enum pgd_errcode
 * and put detail (a Chinese message a user can read, and the field or input it concerns)
 * into a caller-supplied struct pgd_err. Library layers never print or exit. */
#ifndef PUBGUARD_ERR_H
#define PUBGUARD_ERR_H

enum pgd_errcode {
#define PGD_ERROR(name, num, http, msg) PGD_ERR_##name = (num),
#include "pubguard/errors.def"
#undef PGD_ERROR
};

struct pgd_err {
	int code;          /* enum pgd_errcode */
	char field[128];   /* the input, file or field concerned; may be empty */
	char message[512]; /* Chinese, for the user */
};

/* Chinese text for a code (static storage). */
const char *pgd_strerror(int code);
/* HTTP status for a code (500 for unknown codes). */
int pgd_err_http_status(int code);
/* Fill err (may be NULL) and return code. message is a printf format. */
int pgd_err_set(struct pgd_err *err, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void pgd_err_clear(struct pgd_err *err);

#endif
