/* Growable byte buffer with a mandatory cap (curl dynbuf): anything fed by the network
 * or a user stops at its cap with PGD_ERR_TOO_LARGE instead of growing without bound.
 * The content is always NUL-terminated (the NUL is not counted in len). */
#ifndef PUBGUARD_BUF_H
#define PUBGUARD_BUF_H
#include <stddef.h>

struct pgd_buf {
	char *data;   /* owned; NULL until the first append */
	size_t len;
	size_t alloc;
	size_t max;   /* cap on len */
};

void pgd_buf_init(struct pgd_buf *b, size_t max);
void pgd_buf_release(struct pgd_buf *b); /* accepts NULL; frees data */
void pgd_buf_reset(struct pgd_buf *b);   /* len = 0, keeps memory */
int pgd_buf_add(struct pgd_buf *b, const void *p, size_t n);
int pgd_buf_addstr(struct pgd_buf *b, const char *s);
int pgd_buf_addch(struct pgd_buf *b, char c);
int pgd_buf_addf(struct pgd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Give up ownership of the data (new: caller frees with free()); b is left empty. */
char *pgd_buf_take(struct pgd_buf *b, size_t *len);

#endif
