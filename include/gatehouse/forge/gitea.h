/*
 * Gitea / Forgejo backend internals (API v1), and the REST plumbing it
 * shares with the GitLab backend (src/forge/gitea_rest.c): construction
 * from a config, one-shot requests, Link-paginated reads, small jansson
 * accessors.  Only forge.c, the two backends and their tests include this;
 * everything else goes through forge.h.
 *
 * Decoders take a body and its length, fill model structs and return 0 or
 * -GTH_E_PARSE naming what was malformed; they never keep a json_t.
 * Everything decoded is untrusted text, copied as is (sanitized at display).
 */
#ifndef GATEHOUSE_FORGE_GITEA_H
#define GATEHOUSE_FORGE_GITEA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gatehouse/base/err.h"
#include "gatehouse/forge/backend.h"
#include "gatehouse/forge/forge.h"
#include "gatehouse/model/pr.h"

/* ---- shared REST plumbing (gitea_rest.c) ---- */

/* How a REST backend differs at construction. */
struct gth_rest_kind {
	const char *default_name;	/* "gitea", "gitlab" */
	const char *api_suffix;		/* "/api/v1", "/api/v4": web_url = api_url minus this */
	const char *auth_scheme;	/* "token" (Gitea), "Bearer" (GitLab PATs and OAuth) */
	const struct gth_forge_ops *ops;
};

/*
 * A forge instance for cfg: api_url is required (https, or http to
 * loopback); web_url defaults to api_url minus the suffix; the token is
 * resolved now.  *out is freed with gth_forge_free().
 */
int gth_rest_forge_new(const struct gth_forge_config *cfg, const struct gth_rest_kind *kind,
	struct gth_forge **out, struct gth_err *err);

/* "<api_url><formatted tail>", owned. */
char *gth_rest_url(const struct gth_forge *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * One request with a JSON body (may be NULL).  GETs are conditional (ETag
 * cache).  resp is always filled: release it.  0 or negative GTH_E_*.
 */
int gth_rest_call(struct gth_forge *f, enum gth_http_method m, const char *url, const char *body,
	volatile int *cancel, struct gth_http_resp *resp, struct gth_err *err);

/* Decode one page of a list answer into arg. */
typedef int (*gth_rest_page_fn)(const char *json, size_t len, void *arg, struct gth_err *err);

/*
 * GET url and follow Link rel="next" up to max_pages pages, decoding each.
 * *truncated (may be NULL) is set when pages were left.  Takes url (owned).
 */
int gth_rest_get_pages(struct gth_forge *f, char *url, gth_rest_page_fn fn, void *arg,
	int max_pages, bool *truncated, volatile int *cancel, struct gth_err *err);

/*
 * Move freshly read details into pr: SHAs (kept as the same strings while
 * unchanged, since callers may hold pr->head_sha), title, body, task,
 * labels, checks, files, commits, requested reviewers, draft, and the
 * reviews (taken: *reviews is set to NULL).  Sets details_loaded and
 * files_complete.  fresh is left with pr's old contents, for freeing.
 */
void gth_rest_adopt_details(struct gth_pr *pr, struct gth_pr *fresh, struct gth_review **reviews,
	size_t n_reviews, size_t cap_reviews, bool files_complete);

/*
 * Mark pr's checks named in required as required, and add a MISSING status
 * for each required name that never reported (so the policy sees a gate the
 * branch needs even when nothing ran).
 */
void gth_rest_apply_required(struct gth_pr *pr, const struct gth_strvec *required);

/* Parse a body; with want_array, it must be a JSON array.  NULL + err on failure. */
json_t *gth_rjson_parse(const char *json, size_t len, bool want_array, const char *what,
	struct gth_err *err);
const char *gth_rjson_str(const json_t *o, const char *key);
char *gth_rjson_dup(const json_t *o, const char *key);	/* owned or NULL */
long long gth_rjson_int(const json_t *o, const char *key);	/* 0 when absent */
/* "YYYY-MM-DDTHH:MM:SS..." read as UTC (offsets other than Z are ignored); 0 if absent. */
time_t gth_rjson_time(const json_t *o, const char *key);
/* o[a][b] as a string, or NULL. */
const char *gth_rjson_str2(const json_t *o, const char *a, const char *b);
/* An array of objects' `key` strings (or plain strings when key is NULL) appended to sv. */
void gth_rjson_strings(const json_t *arr, const char *key, struct gth_strvec *sv);
/* A JSON string for s; bytes that are not UTF-8 are sanitized rather than dropped. */
json_t *gth_rjson_safe_string(const char *s);
/* Compact text of o, owned; drops the reference to o. */
char *gth_rjson_dump(json_t *o);
/* Check that repo is a safe "a/b[/c...]" path (max_depth segments), else -GTH_E_INVAL. */
int gth_rest_check_repo(const char *repo, int max_depth, struct gth_err *err);

/* ---- Gitea ---- */

/* What a decoded PR needs from the forge's configuration. */
struct gth_gitea_ctx {
	const char *forge;
	const char *host;
	const char *web_url;		/* clone URLs are <web_url>/<repo>.git */
	const struct gth_strvec *agents;	/* may be NULL */
};

/*
 * A pull object (GET /repos/{o}/{r}/pulls/{n}): a new owned PR with repo
 * (base.repo.full_name), number, SHAs, refs, labels, requested reviewers,
 * draft, times, clone URL.  *open (may be NULL) gets state == "open".
 */
int gth_gitea_decode_pull(const char *json, size_t len, const struct gth_gitea_ctx *ctx,
	struct gth_pr **out, bool *open, struct gth_err *err);
/* /repos/issues/search?type=pulls page: appends "owner/name" and number pairs. */
int gth_gitea_decode_issue_search(const char *json, size_t len, struct gth_strvec *repos,
	long **numbers, size_t *n, size_t *cap, struct gth_err *err);
/* Combined status (GET /commits/{ref}/status): appends one check per status. */
int gth_gitea_decode_combined_status(const char *json, size_t len, struct gth_pr *pr,
	struct gth_err *err);
/* Actions tasks (GET /actions/tasks): appends runs whose head_sha is pr->head_sha. */
int gth_gitea_decode_action_tasks(const char *json, size_t len, struct gth_pr *pr,
	struct gth_err *err);
/*
 * One page of reviews: appends, with state spelled as GitHub's
 * (REQUEST_CHANGES -> CHANGES_REQUESTED, COMMENT -> COMMENTED).
 */
int gth_gitea_decode_reviews(const char *json, size_t len, struct gth_review **arr, size_t *n,
	size_t *cap, struct gth_err *err);
/*
 * Branch protections (GET /repos/{o}/{r}/branch_protections): the
 * status_check_contexts of the rule for branch, when enable_status_check.
 * Contexts are taken literally (newer Gitea allows glob patterns).
 */
int gth_gitea_decode_protections(const char *json, size_t len, const char *branch,
	struct gth_strvec *required, struct gth_err *err);
/* One page of changed files (no patches on Gitea). */
int gth_gitea_decode_files(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err);
/* One page of commits: appends commit.message. */
int gth_gitea_decode_commits(const char *json, size_t len, struct gth_pr *pr,
	struct gth_err *err);
/*
 * The answer to a created review: *id, and -GTH_E_PROTO when its state is
 * PENDING (Gitea files unknown events as pending reviews with HTTP 200).
 */
int gth_gitea_decode_created_review(const char *json, size_t len, long long *id,
	struct gth_err *err);
/* GET /user: login, owned. */
int gth_gitea_decode_login(const char *json, size_t len, char **login, struct gth_err *err);

/* "APPROVED", "REQUEST_CHANGES", "COMMENT": Gitea's wire spelling. */
const char *gth_gitea_event_name(enum gth_review_event e);
/* Gitea commit status state -> gate state (pending, success, error, failure, warning, skipped). */
enum gth_gate_state gth_gitea_status_state(const char *state);
/*
 * The create-review body, owned.  Inline comments go as new_position /
 * old_position file lines.  (Statuses, labels, reviewers and comments have
 * GitHub's shapes: github.h's encoders serve.)
 */
char *gth_gitea_review_json(const struct gth_review_post *rv);

int gth_gitea_new(const struct gth_forge_config *cfg, struct gth_forge **out,
	struct gth_err *err);

#endif
