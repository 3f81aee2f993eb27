/* Allocation wrappers that abort on out-of-memory: no OOM branches elsewhere. */
#ifndef PUBGUARD_MEM_H
#define PUBGUARD_MEM_H
#include <stddef.h>

void *pgd_malloc(size_t n);              /* new: free with free() */
void *pgd_calloc(size_t n, size_t size); /* new; aborts on overflow */
void *pgd_realloc(void *p, size_t n);
void *pgd_reallocarray(void *p, size_t n, size_t size); /* aborts on overflow */
char *pgd_strdup(const char *s);         /* new; NULL in, NULL out */
char *pgd_strndup(const char *s, size_t n);
/* Wipe a secret before it is freed (not optimised away). */
void pgd_wipe(void *p, size_t n);

/* Grow *v (element size sz) so that it holds at least need elements; *cap is updated. */
#define PGD_GROW(v, need, cap)                                                   \
	do {                                                                         \
		if ((need) > (cap)) {                                                    \
			size_t pgd_nc_ = (cap) ? (cap) * 2 : 8;                              \
			while (pgd_nc_ < (need)) pgd_nc_ *= 2;                               \
			(v) = pgd_reallocarray((v), pgd_nc_, sizeof(*(v)));                  \
			(cap) = pgd_nc_;                                                     \
		}                                                                        \
	} while (0)

#endif
