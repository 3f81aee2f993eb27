#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/mem.h"
#include "core/banned.h"

static void oom(size_t n)
{
	fprintf(stderr, "pubguard: out of memory allocating %zu bytes\n", n);
	abort();
}

void *pgd_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom(n);
	return p;
}

void *pgd_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		oom(n * size);
	return p;
}

void *pgd_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		oom(n);
	return q;
}

void *pgd_reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	return pgd_realloc(p, n * size);
}

char *pgd_strdup(const char *s)
{
	return s ? pgd_strndup(s, strlen(s)) : NULL;
}

char *pgd_strndup(const char *s, size_t n)
{
	char *p;
	if (s == NULL)
		return NULL;
	n = strnlen(s, n);
	p = pgd_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void pgd_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;
	while (n--)
		*v++ = 0;
}
