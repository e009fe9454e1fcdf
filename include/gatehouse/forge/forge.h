/*
 * The forge interface: one ops table that every backend (GitHub now; GitLab
 * and Gitea/Forgejo next) implements, so nothing above forge/ knows which
 * forge it talks to.
 *
 * Operations are synchronous.  The app calls them from one worker thread per
 * forge, never from the UI thread, so a forge's writes are serialized by
 * construction; inside an operation independent reads may run concurrently.
 * Every operation takes an optional cancel flag (volatile int *, may be
 * NULL): when it becomes non-zero, transfers abort and waits end, and the
 * operation returns -GTH_E_CANCEL.  gth_forge_rate_budget() may be called
 * from any thread.
 *
 * Errors: 0 or a negative GTH_E_*; err (may be NULL) gets the HTTP status
 * and the forge's own message ("Can not approve your own pull request"),
 * never a bare "HTTP 422".  401 -> AUTH, 403/429 rate limits -> RATELIMIT
 * (message names the reset time), 404 -> NOTFOUND, 422 -> HTTP, 5xx after
 * retries -> AGAIN, oversized bodies -> TOOBIG, bad JSON -> PARSE.
 *
 * The token is resolved once by gth_forge_new(): from a configured command
 * (run without a shell), a token file (refused when group/others can read
 * it), an environment variable (GH_TOKEN, then GITHUB_TOKEN by default) or
 * `git credential fill`.  It never appears in argv, logs or errors, and is
 * zeroed when the forge is freed.
 */
#ifndef GATEHOUSE_FORGE_FORGE_H
#define GATEHOUSE_FORGE_FORGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/str.h"
#include "gatehouse/model/pr.h"

struct gth_forge;

struct gth_forge_config {
	char *name;		/* "github", "corp-ghes": shown to the user, stored in gth_pr.forge */
	enum gth_forge_kind kind;
	char *api_url;		/* REST base; NULL = https://api.github.com (GHES: https://HOST/api/v3) */
	char *graphql_url;	/* NULL = derived: api.github.com -> /graphql, GHES /api/v3 -> /api/graphql */
	char *web_url;		/* NULL = https://github.com (GHES: https://HOST); clone URLs are
				 * <web_url>/OWNER/REPO.git */
	char *token_env;	/* env var holding the token; NULL = GH_TOKEN then GITHUB_TOKEN */
	char *token_command;	/* e.g. "gh auth token": split on blanks (quotes allowed), no shell */
	char *token_file;	/* first line is the token; must not be group/other readable */
	bool credential_helper;	/* ask `git credential fill` for host of web_url */
	char *ca_bundle;	/* extra CA bundle file; NULL = system store.  Verification is always on */
	struct gth_strvec queries;	/* search queries; empty = the default two (see github.c) */
	struct gth_strvec agents;	/* logins treated as agents besides [bot] and Bot accounts */
	char *cache_dir;	/* ETag cache root; NULL = no cache */
	char *user_agent;	/* NULL = "gatehouse/VERSION" */
	long timeout_ms;	/* total per request; 0 = 30 s */
	long connect_timeout_ms;	/* 0 = 10 s */
	long page_size;		/* PRs per GraphQL request, 50-100; 0 = 100 */
	long queue_max_age_s;	/* serve the cached queue on all-304 only if younger; 0 = 300, <0 never */
	long max_wait_s;	/* longest single rate-limit/backoff wait; 0 = 60 */
	long write_spacing_ms;	/* minimum gap between writes; 0 = 1000 (GitHub's rule) */
	size_t max_body;	/* per-response cap in bytes; 0 = 32 MiB */
};

/* Free the strings a config owns (not the struct). */
void gth_forge_config_release(struct gth_forge_config *cfg);

/* The remaining budget of one rate-limit bucket, as the forge last reported it. */
struct gth_rate {
	long limit;		/* -1 = never reported */
	long remaining;
	long used;
	time_t reset;		/* epoch seconds; 0 = unknown */
	char resource[16];	/* "core", "graphql", "search" */
};

enum gth_review_event {
	GTH_REVIEW_APPROVE,
	GTH_REVIEW_REQUEST_CHANGES,
	GTH_REVIEW_COMMENT,
};

/* "APPROVE", "REQUEST_CHANGES", "COMMENT": GitHub's wire spelling. */
const char *gth_review_event_name(enum gth_review_event e);

enum gth_diff_side {
	GTH_SIDE_RIGHT,		/* additions and context (the default) */
	GTH_SIDE_LEFT,		/* deletions */
};

struct gth_review_comment {
	const char *path;
	long line;
	enum gth_diff_side side;
	const char *body;
};

struct gth_review_post {
	enum gth_review_event event;
	const char *commit_id;	/* required: the head the reviewer read */
	const char *body;	/* required for REQUEST_CHANGES and COMMENT */
	const struct gth_review_comment *comments;	/* may be NULL */
	size_t n_comments;
};

enum gth_status_state {
	GTH_STATUS_PENDING,
	GTH_STATUS_SUCCESS,
	GTH_STATUS_FAILURE,
	GTH_STATUS_ERROR,
};

/* "pending", "success", "failure", "error". */
const char *gth_status_state_name(enum gth_status_state s);

struct gth_status_post {
	const char *sha;
	enum gth_status_state state;
	const char *context;	/* NULL = "gatehouse/checkpoint" */
	const char *description;	/* truncated to 140 characters at a UTF-8 boundary */
	const char *target_url;	/* may be NULL */
};

/* Request counters of one forge instance (for `doctor` and the benchmark). */
struct gth_forge_stats {
	unsigned long requests;		/* transfers started, including retries */
	unsigned long not_modified;	/* 304s served from the ETag cache */
	unsigned long long bytes;	/* body bytes received over the wire */
	unsigned long retries;
};

struct gth_forge_ops {
	int (*list_queue)(struct gth_forge *f, struct gth_pr ***prs, size_t *n,
		volatile int *cancel, struct gth_err *err);
	int (*get_pr)(struct gth_forge *f, const char *repo, long number, struct gth_pr **out,
		volatile int *cancel, struct gth_err *err);
	int (*get_details)(struct gth_forge *f, struct gth_pr *pr, volatile int *cancel,
		struct gth_err *err);
	int (*post_review)(struct gth_forge *f, const char *repo, long number,
		const struct gth_review_post *rv, long long *review_id, volatile int *cancel,
		struct gth_err *err);
	int (*post_status)(struct gth_forge *f, const char *repo, const struct gth_status_post *st,
		volatile int *cancel, struct gth_err *err);
	int (*add_labels)(struct gth_forge *f, const char *repo, long number,
		const struct gth_strvec *labels, volatile int *cancel, struct gth_err *err);
	int (*request_reviewers)(struct gth_forge *f, const char *repo, long number,
		const struct gth_strvec *users, const struct gth_strvec *teams,
		volatile int *cancel, struct gth_err *err);
	int (*post_comment)(struct gth_forge *f, const char *repo, long number, const char *body,
		volatile int *cancel, struct gth_err *err);
	int (*list_reviews)(struct gth_forge *f, const char *repo, long number,
		struct gth_review **reviews, size_t *n, volatile int *cancel, struct gth_err *err);
	int (*whoami)(struct gth_forge *f, char **login, volatile int *cancel, struct gth_err *err);
	void (*free)(struct gth_forge *f);
};

/* Call once per process before any forge is created (curl_global_init). */
int gth_forge_global_init(struct gth_err *err);
void gth_forge_global_cleanup(void);

/*
 * A forge client for cfg (copied; cfg may be released afterwards).  Resolves
 * the token now.  *out is freed with gth_forge_free().
 */
int gth_forge_new(const struct gth_forge_config *cfg, struct gth_forge **out,
	struct gth_err *err);
void gth_forge_free(struct gth_forge *f);

/*
 * A twin of f for reads on another thread: the same configuration and token
 * (not resolved again), connections of its own, the same rate-limit budget
 * (gth_forge_rate_budget answers alike for both).  Writes stay with f, whose
 * lane spaces them.  Freed with gth_forge_free(), before or after f.
 */
struct gth_forge *gth_forge_twin(const struct gth_forge *f);

/* Borrowed secret for git's credential callback; valid until gth_forge_free. */
const char *gth_forge_token(const struct gth_forge *f);
/* The configured name and kind. */
const char *gth_forge_name(const struct gth_forge *f);
enum gth_forge_kind gth_forge_kind_of(const struct gth_forge *f);

/*
 * The PRs that need a checkpoint: every configured query merged, de-duplicated
 * by repo and number, with head/base SHAs, labels, checks and the task
 * template.  *prs is an array of *n owned PRs: free with gth_forge_prs_free().
 */
int gth_forge_list_queue(struct gth_forge *f, struct gth_pr ***prs, size_t *n,
	volatile int *cancel, struct gth_err *err);
void gth_forge_prs_free(struct gth_pr **prs, size_t n);

/* One PR by "owner/name" and number, as the queue would show it.  *out owned. */
int gth_forge_get_pr(struct gth_forge *f, const char *repo, long number, struct gth_pr **out,
	volatile int *cancel, struct gth_err *err);

/*
 * Fill pr's details: refreshed head SHA, check runs with output summaries and
 * annotations, commit statuses, reviews, requested reviewers, files, commit
 * messages.  Replaces pr->checks and the details; sets details_loaded.
 */
int gth_forge_get_details(struct gth_forge *f, struct gth_pr *pr, volatile int *cancel,
	struct gth_err *err);

/* Post a review pinned to rv->commit_id; *review_id (may be NULL) gets its id. Never retried. */
int gth_forge_post_review(struct gth_forge *f, const char *repo, long number,
	const struct gth_review_post *rv, long long *review_id, volatile int *cancel,
	struct gth_err *err);
int gth_forge_post_status(struct gth_forge *f, const char *repo, const struct gth_status_post *st,
	volatile int *cancel, struct gth_err *err);
int gth_forge_add_labels(struct gth_forge *f, const char *repo, long number,
	const struct gth_strvec *labels, volatile int *cancel, struct gth_err *err);
/* users and teams (team slugs) may be NULL or empty, not both. */
int gth_forge_request_reviewers(struct gth_forge *f, const char *repo, long number,
	const struct gth_strvec *users, const struct gth_strvec *teams, volatile int *cancel,
	struct gth_err *err);
int gth_forge_post_comment(struct gth_forge *f, const char *repo, long number, const char *body,
	volatile int *cancel, struct gth_err *err);
/* All reviews of a PR, oldest first.  *reviews is an owned array: gth_forge_reviews_free(). */
int gth_forge_list_reviews(struct gth_forge *f, const char *repo, long number,
	struct gth_review **reviews, size_t *n, volatile int *cancel, struct gth_err *err);
void gth_forge_reviews_free(struct gth_review *reviews, size_t n);
/* The token's login.  *login owned. */
int gth_forge_whoami(struct gth_forge *f, char **login, volatile int *cancel,
	struct gth_err *err);

/*
 * The last reported budget of resource ("core", "graphql", "search"; NULL =
 * the bucket seen last).  Thread-safe.  Returns -GTH_E_NOTFOUND if the forge
 * never reported it.
 */
int gth_forge_rate_budget(struct gth_forge *f, const char *resource, struct gth_rate *out);
/* Counters since creation (thread-safe). */
void gth_forge_stats(struct gth_forge *f, struct gth_forge_stats *out);

/*
 * Truncate s in place to at most max characters (code points), never
 * splitting a UTF-8 sequence; ends with "…" when cut.  For status descriptions.
 */
void gth_forge_truncate_utf8(char *s, size_t max);

#endif
