/*
 * GitHub backend internals: the JSON decoders (src/forge/github_json.c, the
 * jansson user) and the backend constructor (src/forge/github.c).  Only
 * forge.c and the tests include this; everything else goes through forge.h.
 *
 * Decoders take a body and its length, fill model structs and return 0 or
 * -GTH_E_PARSE with a message naming what was malformed ("line 1 column 17:
 * end of file expected"); they never keep a json_t past the call.
 */
#ifndef GATEHOUSE_FORGE_GITHUB_H
#define GATEHOUSE_FORGE_GITHUB_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehouse/base/err.h"
#include "gatehouse/forge/forge.h"
#include "gatehouse/model/pr.h"

/* What a decoded PR needs from the forge's configuration. */
struct gth_github_ctx {
	const char *forge;		/* config name */
	const char *host;		/* web host, for mirror paths */
	const char *web_url;		/* clone URL base */
	const struct gth_strvec *agents;	/* extra agent logins; may be NULL */
};

/* One page of the GatehouseQueue search, or the GatehousePull answer. */
struct gth_github_page {
	struct gth_pr **prs;	/* owned */
	size_t n, cap;
	bool has_next;
	char *end_cursor;	/* owned; NULL without a next page */
	long issue_count;
	bool rate_seen;
	struct gth_rate rate;	/* rateLimit { ... } of the answer */
};

void gth_github_page_release(struct gth_github_page *p);

/*
 * Decode a GraphQL answer (search page or single pull).  GraphQL reports
 * errors with HTTP 200: RATE_LIMITED -> -GTH_E_RATELIMIT, NOT_FOUND ->
 * -GTH_E_NOTFOUND, others -> -GTH_E_HTTP, each with the forge's messages.
 * Archived repositories and non-PR nodes are skipped.
 */
int gth_github_decode_graphql(const char *json, size_t len, const struct gth_github_ctx *ctx,
	struct gth_github_page *page, struct gth_err *err);

/* Map GitHub's check-run status/conclusion and status states (either case). */
enum gth_gate_state gth_github_check_state(const char *status, const char *conclusion);
enum gth_gate_state gth_github_status_state(const char *state);

/* True when login/typename make the author a bot or a configured agent. */
bool gth_github_is_bot(const char *typename_, const char *login, const struct gth_strvec *agents);

/* Parse a fenced ```json block carrying "task_type" out of a PR body; NULL if none. */
struct gth_task_template *gth_github_task_from_body(const char *body);

/* REST: GET pulls/{n}.  Refreshes head/base SHAs, title, body, draft, sizes, state. */
int gth_github_decode_pull(const char *json, size_t len, struct gth_pr *pr, bool *open,
	struct gth_err *err);
/* REST: one page of check runs for a ref; appends to pr->checks. *total may be NULL. */
int gth_github_decode_check_runs(const char *json, size_t len, struct gth_pr *pr, long *total,
	struct gth_err *err);
/* REST: combined status for a ref; appends statuses to pr->checks. */
int gth_github_decode_combined_status(const char *json, size_t len, struct gth_pr *pr,
	struct gth_err *err);
/* REST: one page of annotations for a check run; appends to c. */
int gth_github_decode_annotations(const char *json, size_t len, struct gth_check *c,
	struct gth_err *err);
/* REST: one page of reviews; appends to *arr. */
int gth_github_decode_reviews(const char *json, size_t len, struct gth_review **arr, size_t *n,
	size_t *cap, struct gth_err *err);
/* REST: requested_reviewers {users[], teams[]}; replaces pr's lists. */
int gth_github_decode_requested(const char *json, size_t len, struct gth_pr *pr,
	struct gth_err *err);

/*
 * GET /repos/{o}/{r}/branches/{b}: the status checks branch protection
 * requires (contexts and checks[].context) appended to *required.  A branch
 * without protection adds nothing.
 */
int gth_github_decode_branch_required(const char *json, size_t len, struct gth_strvec *required,
	struct gth_err *err);
/* REST: one page of files; appends to pr->files. */
int gth_github_decode_files(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err);
/* REST: one page of commits; appends messages to pr->commit_messages. */
int gth_github_decode_commits(const char *json, size_t len, struct gth_pr *pr,
	struct gth_err *err);
/* REST: an object's integer "id" (created review) and/or string "login" (GET /user). */
int gth_github_decode_id_login(const char *json, size_t len, long long *id, char **login,
	struct gth_err *err);
/* REST: /search/issues page: total_count and incomplete_results. */
int gth_github_decode_search(const char *json, size_t len, long *total, bool *incomplete,
	struct gth_err *err);

/*
 * Request bodies.  Strings are JSON-escaped by jansson; returned text is
 * owned.  Status descriptions are cut to 140 characters at a UTF-8 boundary.
 */
char *gth_github_review_json(const struct gth_review_post *rv);
char *gth_github_status_json(const struct gth_status_post *st);
char *gth_github_strings_json(const char *key, const struct gth_strvec *v, const char *key2,
	const struct gth_strvec *v2);
char *gth_github_comment_json(const char *body);
/* GraphQL variables of GatehouseQueue and GatehousePull. */
char *gth_github_queue_vars(const char *q, long first, const char *after);
char *gth_github_pull_vars(const char *owner, const char *name, long number);
/* {"query": doc, "operationName": op, "variables": {...}}; vars is a JSON object text. */
char *gth_github_graphql_json(const char *doc, const char *op, const char *vars_json);

/* The GitHub backend behind gth_forge_new(). */
int gth_github_new(const struct gth_forge_config *cfg, struct gth_forge **out,
	struct gth_err *err);

/* The embedded GraphQL document (src/forge/github_queue.graphql). */
extern const char gth_github_queue_graphql[];

#endif
