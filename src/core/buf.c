#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubguard/buf.h"
#include "pubguard/err.h"
#include "pubguard/mem.h"
#include "core/banned.h"

void pgd_buf_init(struct pgd_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

void pgd_buf_release(struct pgd_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

void pgd_buf_reset(struct pgd_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

int pgd_buf_add(struct pgd_buf *b, const void *p, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return PGD_ERR_TOO_LARGE;
	if (b->len + n + 1 > b->alloc) {
		size_t na = b->alloc ? b->alloc : 64;
		while (na < b->len + n + 1)
			na *= 2;
		b->data = pgd_realloc(b->data, na);
		b->alloc = na;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int pgd_buf_addstr(struct pgd_buf *b, const char *s)
{
	return pgd_buf_add(b, s, strlen(s));
}

int pgd_buf_addch(struct pgd_buf *b, char c)
{
	return pgd_buf_add(b, &c, 1);
}

int pgd_buf_addf(struct pgd_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;
	int rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return PGD_ERR_INVALID;
	if ((size_t)n < sizeof(small))
		return pgd_buf_add(b, small, (size_t)n);
	{
		char *big = pgd_malloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		rc = pgd_buf_add(b, big, (size_t)n);
		free(big);
	}
	return rc;
}

char *pgd_buf_take(struct pgd_buf *b, size_t *len)
{
	char *d = b->data;
	if (d == NULL)
		d = pgd_strdup("");
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->alloc = 0;
	return d;
}
