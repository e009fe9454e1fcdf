/*
 * Error codes and error detail.
 *
 * Fallible functions return int: 0 on success or a negative GTH_E_* code.
 * Functions that cross a layer also take an optional struct gth_err * that
 * receives the human detail (the forge's own message, libgit2's message,
 * file:line of a config error).  Every code has one message, from the table
 * below, through gth_strerror().
 */
#ifndef GATEHOUSE_BASE_ERR_H
#define GATEHOUSE_BASE_ERR_H

#include <stddef.h>

#define GTH_ERR_TABLE(_) \
	_(OK,          "success") \
	_(NOMEM,       "out of memory") \
	_(INVAL,       "invalid argument") \
	_(IO,          "input/output error") \
	_(PARSE,       "malformed input") \
	_(NOTFOUND,    "not found") \
	_(EXISTS,      "already exists") \
	_(PERM,        "permission denied") \
	_(AUTH,        "authentication refused") \
	_(NET,         "network error") \
	_(TIMEOUT,     "timed out") \
	_(HTTP,        "the forge answered with an error") \
	_(RATELIMIT,   "rate limit exhausted") \
	_(TOOBIG,      "input exceeds a size limit") \
	_(PROTO,       "protocol violation") \
	_(CONFIG,      "configuration error") \
	_(POLICY,      "policy error") \
	_(GIT,         "git error") \
	_(STALE,       "the pull request head moved") \
	_(AGENT,       "ssh-agent error") \
	_(NOKEY,       "no usable signing key") \
	_(REFUSED,     "request refused") \
	_(SIG,         "signature error") \
	_(VERIFY,      "signature does not verify") \
	_(CONFLICT,    "conflicting state") \
	_(CORRUPT,     "stored data is corrupt") \
	_(CANCEL,      "cancelled") \
	_(AGAIN,       "temporary failure, try again") \
	_(UNSUPPORTED, "not supported") \
	_(INTERNAL,    "internal error")

enum gth_errcode {
#define GTH_ERR_ENUM(name, msg) GTH_E_##name,
	GTH_ERR_TABLE(GTH_ERR_ENUM)
#undef GTH_ERR_ENUM
	GTH_E_COUNT_
};

/* Human detail for an error.  Embedded by callers; no allocation. */
struct gth_err {
	int code;		/* negative GTH_E_* or 0 */
	long status;		/* HTTP status, or 0 */
	char msg[1024];		/* detail, NUL-terminated, already sanitized for display */
};

/* Static message for a (negative or positive) error code; never NULL. */
const char *gth_strerror(int code);

/* Short symbolic name ("NOTFOUND") for logs and JSON output; never NULL. */
const char *gth_errname(int code);

/*
 * Set err (may be NULL) to code with a printf-style detail and return code,
 * so that callers can write: return gth_err_set(err, -GTH_E_PARSE, "...").
 * Control characters in the formatted detail are replaced by '?'.
 */
int gth_err_set(struct gth_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clear err (may be NULL). */
void gth_err_clear(struct gth_err *err);

/*
 * Text for a user: the detail when there is one, else gth_strerror(code).
 * Returns a pointer into err or a static string.
 */
const char *gth_err_text(const struct gth_err *err, int code);

#endif
