/* Synchronous libcurl requests (fetch_sync.c, beside fetch.c the only libcurl user): the
 * availability probe of a home page (pgd_patrol_probe in pubguard/patrol.h) and one
 * request/response exchange with the server's worker API. Internal to src/patrol. */
#ifndef PGD_PATROL_FETCH_SYNC_H
#define PGD_PATROL_FETCH_SYNC_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "pubguard/buf.h"
#include "pubguard/err.h"

#define PGD_HTTP_MAX_RESPONSE (1u << 20) /* worker API answers are capped at 1 MB */

struct pgd_http_req {
	const char *method;          /* "GET", "POST", "PUT" */
	const char *url;
	const char *bearer;          /* token for "Authorization: Bearer ..."; NULL: none. Never logged. */
	const char *const *headers;  /* extra "Name: value" lines, NULL-terminated; may be NULL */
	const void *body;            /* may be NULL (no body) */
	size_t body_len;             /* of body, or of body_file */
	FILE *body_file;             /* borrowed: the body is read from this file (from its start, every
	                                time: a retried request sends it whole again) instead of body;
	                                body_len bytes of it. NULL: body */
	const char *content_type;    /* of the body; NULL: application/json when there is a body */
	int timeout_ms;              /* whole exchange; <= 0: 60 s */
	size_t max_response;         /* answer cap; 0: PGD_HTTP_MAX_RESPONSE; at most PGD_HTTP_MAX_DOWNLOAD */
	const char *ca_file;         /* PEM CA certificates trusted besides the system's (an https server
	                                with an intranet CA's certificate); NULL: the system's only */
};

#define PGD_HTTP_MAX_DOWNLOAD (16u << 20) /* e.g. an uploaded export of posts */

/* Send rq and read the answer: *status gets the HTTP status, resp (initialised by the caller;
 * its cap is lowered to PGD_HTTP_MAX_RESPONSE if higher) the body. No redirects are followed.
 * Returns 0 when an answer arrived (any status); PGD_ERR_IO when the server could not be
 * reached or the exchange broke (err names the URL), or rq->body_file could not be read;
 * PGD_ERR_TOO_LARGE when the answer is over the cap (rq->max_response, default
 * PGD_HTTP_MAX_RESPONSE). */
int pgd_http_sync(const struct pgd_http_req *rq, long *status, struct pgd_buf *resp, struct pgd_err *err);

/* The "Expire date" of libcurl's certificate info: "Mar  1 12:00:00 2027 GMT" (OpenSSL) or
 * "2027-03-01 12:00:00 GMT" (the other backends). 0 with *t (UTC), or PGD_ERR_INVALID. */
int pgd_certinfo_parse_date(const char *s, time_t *t);

#endif
