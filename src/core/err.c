#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pubguard/err.h"
#include "core/banned.h"

const char *pgd_strerror(int code)
{
	switch (code) {
#define PGD_ERROR(name, num, http, msg) case (num): return msg;
#include "pubguard/errors.def"
#undef PGD_ERROR
	}
	return "未知错误";
}

int pgd_err_http_status(int code)
{
	switch (code) {
#define PGD_ERROR(name, num, http, msg) case (num): return (http);
#include "pubguard/errors.def"
#undef PGD_ERROR
	}
	return 500;
}

int pgd_err_set(struct pgd_err *err, int code, const char *field, const char *fmt, ...)
{
	if (err == NULL)
		return code;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	} else {
		snprintf(err->message, sizeof(err->message), "%s", pgd_strerror(code));
	}
	return code;
}

void pgd_err_clear(struct pgd_err *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}
