/*
 * The HTTP client of the forge layer (src/forge/http.c, the only libcurl user).
 *
 * One struct gth_http per forge instance; instances are independent and may
 * be used from different threads, one thread per instance.  What it does for
 * every request: TLS verification (optionally with a custom CA bundle),
 * HTTP/2 when offered, compression, connect and total timeouts, User-Agent,
 * Accept and X-GitHub-Api-Version, the token in Authorization, a hard cap on
 * the body (the transfer is aborted when passed), x-ratelimit-* bookkeeping.
 *
 * Reads (GET, and POSTs flagged read-only such as GraphQL queries) are
 * retried with jittered exponential backoff on 5xx, dropped connections and
 * timeouts, and wait out Retry-After / x-ratelimit-reset when the wait is
 * short (max_wait_ms); longer waits end in -GTH_E_RATELIMIT naming the reset
 * time.  Writes are never retried, are serialized, and start at least
 * write_spacing_ms apart (monotonic clock).
 *
 * Conditional GETs: with a cache directory, a GET flagged `conditional`
 * stores ETag + body + next link under cache_dir/http/<sha256>, and sends
 * If-None-Match next time; a 304 is served from the cache (from_cache set).
 */
#ifndef GATEHOUSE_FORGE_HTTP_H
#define GATEHOUSE_FORGE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/err.h"
#include "gatehouse/forge/forge.h"

struct gth_http;

struct gth_http_config {
	const char *user_agent;		/* required */
	const char *token;		/* may be NULL; copied, zeroed on free */
	const char *auth_scheme;	/* "Bearer" (default), "token" */
	const char *ca_bundle;		/* may be NULL */
	const char *cache_dir;		/* may be NULL: no ETag cache */
	const char *api_version;	/* X-GitHub-Api-Version; NULL = none sent */
	const char *accept;		/* default Accept; NULL = application/vnd.github+json */
	long connect_timeout_ms;	/* 0 = 10 s */
	long timeout_ms;		/* 0 = 30 s */
	long max_wait_ms;		/* 0 = 60 s */
	long write_spacing_ms;		/* 0 = 1000; < 0 = none */
	long backoff_ms;		/* first retry delay; 0 = 500 */
	int max_tries;			/* reads; 0 = 4 */
	size_t max_body;		/* 0 = 32 MiB */
};

enum gth_http_method {
	GTH_HTTP_GET,
	GTH_HTTP_POST,
	GTH_HTTP_PUT,
	GTH_HTTP_PATCH,
	GTH_HTTP_DELETE,
};

struct gth_http_req {
	enum gth_http_method method;
	const char *url;		/* absolute */
	const char *body;		/* JSON; may be NULL */
	size_t body_len;
	bool read_only;			/* a POST that only reads (GraphQL query): retried, not spaced */
	bool conditional;		/* GET: use the ETag cache */
	const char *accept;		/* overrides the default Accept; may be NULL */
	volatile int *cancel;		/* may be NULL */
};

struct gth_http_resp {
	long status;			/* final HTTP status (200 for a cache hit), 0 if none */
	struct gth_buf body;		/* capped; the cached body on a 304 */
	char *next_url;			/* Link rel="next", verbatim; NULL on the last page */
	bool from_cache;		/* served from the ETag cache after a 304 */
	long retry_after_s;		/* Retry-After of the last answer, -1 if none */
	int tries;
};

/*
 * Release a response's contents.  Requests overwrite (never free) the
 * response they are given: release it before reusing it.
 */
void gth_http_resp_release(struct gth_http_resp *r);

/* Initialise libcurl once per process. */
int gth_http_global_init(struct gth_err *err);
void gth_http_global_cleanup(void);

struct gth_http *gth_http_new(const struct gth_http_config *cfg);
/*
 * A second client with h's settings and token and connections of its own,
 * for another thread.  It shares h's rate-limit book (the budget belongs to
 * the token) but not its write spacing: send writes through one client.
 * Either may be freed first.
 */
struct gth_http *gth_http_twin(struct gth_http *h);
void gth_http_free(struct gth_http *h);

/*
 * Perform one request.  0 for 2xx (and 304 served from cache); otherwise a
 * negative GTH_E_* with err->status and the forge's message.  resp is filled
 * in both cases (the error body is kept for callers that want more).
 */
int gth_http_request(struct gth_http *h, const struct gth_http_req *req,
	struct gth_http_resp *resp, struct gth_err *err);

/*
 * Perform n read requests concurrently (curl multi).  rcs[i] / errs[i] get
 * each request's outcome (errs may be NULL).  Returns 0 when every request
 * succeeded, else the first error code (in request order).
 */
int gth_http_request_many(struct gth_http *h, const struct gth_http_req *reqs,
	struct gth_http_resp *resps, int *rcs, struct gth_err *errs, size_t n);

/* Last budget for resource (NULL = most recent bucket); thread-safe. */
int gth_http_rate(struct gth_http *h, const char *resource, struct gth_rate *out);
/* Record a budget reported in a body (GraphQL rateLimit). */
void gth_http_rate_note(struct gth_http *h, const struct gth_rate *r);
void gth_http_stats(struct gth_http *h, struct gth_forge_stats *out);

/* "GET", "POST", ... */
const char *gth_http_method_name(enum gth_http_method m);

/* Percent-encode s for a query string or path segment (RFC 3986 unreserved kept).  Owned. */
char *gth_http_escape(const char *s);

/*
 * The forge's own message from an error body: "message" plus the `errors`
 * array joined (strings, or objects' "message"/"code field"), GitLab's
 * "error"/"message" shapes too.  Writes into buf (NUL-terminated); returns
 * false when the body carried nothing usable.  (src/forge/json.c)
 */
bool gth_forge_error_message(const char *body, size_t len, char *buf, size_t size);

#endif
