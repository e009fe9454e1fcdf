/*
 * GitLab backend internals (REST API v4, gitlab.com or self-managed): the
 * JSON decoders and encoders (src/forge/gitlab_json.c) and the constructor
 * (src/forge/gitlab.c).  Only forge.c and the tests include this.
 *
 * Mapping into the model: repo is the project's full path
 * ("group/sub/project", from references.full), number the MR iid, head/base
 * from diff_refs (sha when diff_refs is absent), gates from the head
 * pipeline's jobs and the commit's external statuses.
 *
 * GitLab has no review objects.  A verdict is an approval (POST /approve
 * with sha, 409 when the head moved) plus a note; the note's first line
 * names the verdict and the commit:
 *	**Approved** by gatehouse at `SHA`
 *	**Changes requested** by gatehouse at `SHA`
 *	**Comment** from gatehouse at `SHA`
 * and list_reviews returns the MR's notes as reviews with the state and
 * commit read back from that line (COMMENTED otherwise).  "Request changes"
 * is that blocking note plus the failed gatehouse/checkpoint external status
 * the caller posts (and an /unapprove of our earlier approval), which works
 * on every GitLab tier.
 */
#ifndef GATEHOUSE_FORGE_GITLAB_H
#define GATEHOUSE_FORGE_GITLAB_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehouse/base/err.h"
#include "gatehouse/forge/forge.h"
#include "gatehouse/model/pr.h"

struct gth_gitlab_ctx {
	const char *forge;
	const char *host;
	const char *web_url;		/* clone URLs are <web_url>/<path>.git */
	const struct gth_strvec *agents;	/* may be NULL */
};

/* One MR list page (GET /merge_requests): appends project paths and iids. */
int gth_gitlab_decode_mr_list(const char *json, size_t len, struct gth_strvec *paths,
	long **iids, size_t *n, size_t *cap, struct gth_err *err);
/* What a single MR says beyond the model. */
struct gth_gitlab_mr_extra {
	long long pipeline_id;		/* head_pipeline.id, 0 if none */
	bool open;			/* state == "opened" */
	char *start_sha;		/* diff_refs.start_sha (for inline positions), owned */
	long long *reviewer_ids;	/* reviewers[].id, owned */
	size_t n_reviewers;
};

void gth_gitlab_mr_extra_release(struct gth_gitlab_mr_extra *x);

/* A single MR (GET /projects/:id/merge_requests/:iid): a new owned PR; x may be NULL. */
int gth_gitlab_decode_mr(const char *json, size_t len, const struct gth_gitlab_ctx *ctx,
	struct gth_pr **out, struct gth_gitlab_mr_extra *x, struct gth_err *err);
/* A pipeline's jobs: appends one GTH_CHECK_RUN each. */
int gth_gitlab_decode_jobs(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err);
/* A commit's statuses: appends GTH_CHECK_STATUS, skipping ids already present as runs. */
int gth_gitlab_decode_statuses(const char *json, size_t len, struct gth_pr *pr,
	struct gth_err *err);
/* Job / status words (success, failed, canceled, skipped, manual, running...) -> gate. */
enum gth_gate_state gth_gitlab_state(const char *status, bool allow_failure);
/* Notes as reviews (system notes skipped), state and commit from the verdict line. */
int gth_gitlab_decode_notes(const char *json, size_t len, struct gth_review **arr, size_t *n,
	size_t *cap, struct gth_err *err);
/* MR diffs page: appends files with their patches. */
int gth_gitlab_decode_diffs(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err);
/* MR commits page: appends messages. */
int gth_gitlab_decode_commits(const char *json, size_t len, struct gth_pr *pr,
	struct gth_err *err);
/* GET /user -> username; GET /users?username= -> first id (0 if none). */
int gth_gitlab_decode_username(const char *json, size_t len, char **login, struct gth_err *err);
int gth_gitlab_decode_user_id(const char *json, size_t len, long long *id, struct gth_err *err);
/* A created note's id. */
int gth_gitlab_decode_id(const char *json, size_t len, long long *id, struct gth_err *err);

/* The note body for a verdict: the verdict line, a blank line, then body.  Owned. */
char *gth_gitlab_note_text(enum gth_review_event e, const char *sha, const char *body);
/* {"body": text} */
char *gth_gitlab_note_json(const char *text);
/* {"sha": sha} */
char *gth_gitlab_approve_json(const char *sha);
/* {"state", "name", "description", "target_url"}: GitLab's state words (failed, not failure). */
char *gth_gitlab_status_json(const struct gth_status_post *st);
/* {"add_labels": "a,b"} */
char *gth_gitlab_labels_json(const struct gth_strvec *labels);
/* {"reviewer_ids": [...]} */
char *gth_gitlab_reviewers_json(const long long *ids, size_t n);
/* An inline discussion: body plus the nested position object (never bracketed keys). */
char *gth_gitlab_discussion_json(const struct gth_review_comment *c, const char *base_sha,
	const char *start_sha, const char *head_sha);

int gth_gitlab_new(const struct gth_forge_config *cfg, struct gth_forge **out,
	struct gth_err *err);

#endif
