/*
 * JSON for the Gitea / Forgejo backend (API v1): pull objects, issue search,
 * combined statuses, Actions tasks, reviews, files, commits; the review body.
 * Field names follow Gitea's swagger (modules/structs).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/gitea.h"
#include "gatehouse/forge/github.h"

#define J gth_rjson_str
#define JD gth_rjson_dup

int
gth_gitea_decode_pull(const char *json, size_t len, const struct gth_gitea_ctx *ctx,
	struct gth_pr **out, bool *open, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, false, "the pull request", err);
	json_t *head, *base, *user;
	const char *full;
	struct gth_pr *pr;

	*out = NULL;
	if (root == NULL)
		return -GTH_E_PARSE;
	head = json_object_get(root, "head");
	base = json_object_get(root, "base");
	full = gth_rjson_str2(base, "repo", "full_name");
	if (J(head, "sha") == NULL || full == NULL ||
	    !json_is_integer(json_object_get(root, "number"))) {
		json_decref(root);
		return gth_err_set(err, -GTH_E_PARSE, "the pull request has no number, head.sha or "
		    "base.repo.full_name");
	}
	pr = gth_pr_new();
	pr->forge = xstrdup(ctx->forge);
	pr->forge_kind = GTH_FORGE_GITEA;
	pr->host = xstrdup(ctx->host);
	pr->repo = xstrdup(full);
	pr->number = (long)gth_rjson_int(root, "number");
	pr->title = JD(root, "title");
	pr->body = JD(root, "body");
	pr->url = JD(root, "html_url");
	pr->clone_url = xasprintf("%s/%s.git", ctx->web_url, full);
	user = json_object_get(root, "user");
	pr->author = JD(user, "login");
	pr->author_is_bot = gth_github_is_bot(NULL, pr->author, ctx->agents);
	pr->head_sha = JD(head, "sha");
	pr->base_sha = JD(base, "sha");
	pr->head_ref = JD(head, "ref");
	pr->base_ref = JD(base, "ref");
	pr->draft = json_is_true(json_object_get(root, "draft"));
	pr->additions = (long)gth_rjson_int(root, "additions");
	pr->deletions = (long)gth_rjson_int(root, "deletions");
	pr->changed_files = (long)gth_rjson_int(root, "changed_files");
	pr->created_at = gth_rjson_time(root, "created_at");
	pr->updated_at = gth_rjson_time(root, "updated_at");
	pr->ready_at = pr->created_at;
	gth_rjson_strings(json_object_get(root, "labels"), "name", &pr->labels);
	gth_rjson_strings(json_object_get(root, "requested_reviewers"), "login",
	    &pr->requested_users);
	gth_rjson_strings(json_object_get(root, "requested_reviewers_teams"), "name",
	    &pr->requested_teams);
	if (pr->body != NULL)
		pr->task = gth_github_task_from_body(pr->body);
	if (open != NULL)
		*open = J(root, "state") != NULL && strcmp(J(root, "state"), "open") == 0;
	json_decref(root);
	*out = pr;
	return 0;
}

int
gth_gitea_decode_issue_search(const char *json, size_t len, struct gth_strvec *repos,
	long **numbers, size_t *n, size_t *cap, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, true, "the issue search", err), *it;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, it) {
		const char *full = gth_rjson_str2(it, "repository", "full_name");
		long num = (long)gth_rjson_int(it, "number");

		if (full == NULL || num <= 0 || json_is_null(json_object_get(it, "pull_request")) ||
		    json_object_get(it, "pull_request") == NULL)
			continue;	/* issues, or items without a repository */
		gth_strvec_push(repos, full);
		GTH_PUSH(*numbers, *n, *cap) = num;
	}
	json_decref(root);
	return 0;
}

enum gth_gate_state
gth_gitea_status_state(const char *s)
{
	if (s == NULL)
		return GTH_GATE_PENDING;
	if (strcmp(s, "success") == 0 || strcmp(s, "warning") == 0)
		return GTH_GATE_PASS;
	if (strcmp(s, "failure") == 0 || strcmp(s, "error") == 0 || strcmp(s, "cancelled") == 0)
		return GTH_GATE_FAIL;
	if (strcmp(s, "skipped") == 0)
		return GTH_GATE_SKIPPED;
	if (strcmp(s, "blocked") == 0)
		return GTH_GATE_AWAITING;
	return GTH_GATE_PENDING;
}

int
gth_gitea_decode_combined_status(const char *json, size_t len, struct gth_pr *pr,
	struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, false, "the combined status", err), *st;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(json_object_get(root, "statuses"), i, st) {
		struct gth_check *c;
		/* CommitStatus carries its state as "status"; older servers also as "state" */
		const char *state = J(st, "status") != NULL ? J(st, "status") : J(st, "state");

		if (J(st, "context") == NULL)
			continue;
		c = gth_pr_add_check(pr);
		c->kind = GTH_CHECK_STATUS;
		c->name = JD(st, "context");
		c->state = gth_gitea_status_state(state);
		c->raw_state = state != NULL ? xstrdup(state) : NULL;
		c->summary = JD(st, "description");
		c->url = JD(st, "target_url");
		c->id = gth_rjson_int(st, "id");
	}
	json_decref(root);
	return 0;
}

int
gth_gitea_decode_action_tasks(const char *json, size_t len, struct gth_pr *pr,
	struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, false, "the Actions tasks", err), *t;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(json_object_get(root, "workflow_runs"), i, t) {
		struct gth_check *c;
		const char *sha = J(t, "head_sha");

		if (sha == NULL || pr->head_sha == NULL || strcmp(sha, pr->head_sha) != 0 ||
		    J(t, "name") == NULL)
			continue;
		c = gth_pr_add_check(pr);
		c->kind = GTH_CHECK_RUN;
		c->name = JD(t, "name");
		c->app = xstrdup("gitea-actions");
		c->state = gth_gitea_status_state(J(t, "status"));
		c->raw_state = JD(t, "status");
		c->summary = JD(t, "display_title");
		c->url = JD(t, "url");
		c->id = gth_rjson_int(t, "id");
	}
	json_decref(root);
	return 0;
}

/* Gitea's review states in GitHub's words, which the rest of gatehouse speaks. */
static const char *
review_state(const char *s)
{
	if (s == NULL)
		return "COMMENTED";
	if (strcmp(s, "REQUEST_CHANGES") == 0)
		return "CHANGES_REQUESTED";
	if (strcmp(s, "COMMENT") == 0)
		return "COMMENTED";
	if (strcmp(s, "REQUEST_REVIEW") == 0)
		return "PENDING";
	return s;
}

int
gth_gitea_decode_reviews(const char *json, size_t len, struct gth_review **arr, size_t *n,
	size_t *cap, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, true, "the reviews", err), *r;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, r) {
		struct gth_review *rv = &GTH_PUSH(*arr, *n, *cap);

		memset(rv, 0, sizeof(*rv));
		rv->id = gth_rjson_int(r, "id");
		rv->author = JD(json_object_get(r, "user"), "login");
		rv->state = xstrdup(review_state(J(r, "state")));
		if (json_is_true(json_object_get(r, "dismissed"))) {
			free(rv->state);
			rv->state = xstrdup("DISMISSED");
		}
		rv->commit = JD(r, "commit_id");
		rv->body = JD(r, "body");
		rv->submitted_at = gth_rjson_time(r, "submitted_at");
	}
	json_decref(root);
	return 0;
}

int
gth_gitea_decode_protections(const char *json, size_t len, const char *branch,
	struct gth_strvec *required, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, true, "the branch protections", err), *o;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, o) {
		const char *rule = J(o, "rule_name") != NULL ? J(o, "rule_name") : J(o, "branch_name");

		if (branch == NULL || rule == NULL || strcmp(rule, branch) != 0 ||
		    !json_is_true(json_object_get(o, "enable_status_check")))
			continue;
		gth_rjson_strings(json_object_get(o, "status_check_contexts"), NULL, required);
		break;
	}
	json_decref(root);
	return 0;
}

int
gth_gitea_decode_files(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, true, "the changed files", err), *f;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, f) {
		struct gth_file_change *fc;

		if (J(f, "filename") == NULL)
			continue;
		fc = gth_pr_add_file(pr);
		fc->path = JD(f, "filename");
		fc->old_path = JD(f, "previous_filename");
		fc->status = JD(f, "status");
		fc->additions = (long)gth_rjson_int(f, "additions");
		fc->deletions = (long)gth_rjson_int(f, "deletions");
	}
	json_decref(root);
	return 0;
}

int
gth_gitea_decode_commits(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, true, "the commits", err), *c;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, c) {
		const char *m = gth_rjson_str2(c, "commit", "message");

		if (m != NULL)
			gth_strvec_push(&pr->commit_messages, m);
	}
	json_decref(root);
	return 0;
}

int
gth_gitea_decode_created_review(const char *json, size_t len, long long *id, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, false, "the created review", err);
	const char *state;
	int rc = 0;

	if (root == NULL)
		return -GTH_E_PARSE;
	state = J(root, "state");
	if (id != NULL)
		*id = gth_rjson_int(root, "id");
	if (state == NULL || strcmp(state, "PENDING") == 0 || strcmp(state, "REQUEST_REVIEW") == 0)
		rc = gth_err_set(err, -GTH_E_PROTO, "the forge filed the review as %s instead of "
		    "submitting it (review %lld): an unknown event spelling?  Nothing was approved "
		    "or rejected", state != NULL ? state : "stateless", gth_rjson_int(root, "id"));
	json_decref(root);
	return rc;
}

int
gth_gitea_decode_login(const char *json, size_t len, char **login, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, false, "the user", err);

	if (root == NULL)
		return -GTH_E_PARSE;
	*login = JD(root, "login");
	json_decref(root);
	if (*login == NULL)
		return gth_err_set(err, -GTH_E_PARSE, "the user has no login");
	return 0;
}

const char *
gth_gitea_event_name(enum gth_review_event e)
{
	switch (e) {
	case GTH_REVIEW_APPROVE: return "APPROVED";
	case GTH_REVIEW_REQUEST_CHANGES: return "REQUEST_CHANGES";
	case GTH_REVIEW_COMMENT: return "COMMENT";
	}
	return "COMMENT";
}

char *
gth_gitea_review_json(const struct gth_review_post *rv)
{
	json_t *o = json_object(), *arr;
	size_t i;

	json_object_set_new(o, "event", json_string(gth_gitea_event_name(rv->event)));
	if (rv->commit_id != NULL)
		json_object_set_new(o, "commit_id", json_string(rv->commit_id));
	json_object_set_new(o, "body", gth_rjson_safe_string(rv->body != NULL ? rv->body : ""));
	if (rv->n_comments > 0) {
		arr = json_array();
		for (i = 0; i < rv->n_comments; i++) {
			const struct gth_review_comment *c = &rv->comments[i];
			json_t *co = json_object();
			bool left = c->side == GTH_SIDE_LEFT;

			json_object_set_new(co, "path", json_string(c->path));
			json_object_set_new(co, "body", gth_rjson_safe_string(c->body != NULL ?
			    c->body : ""));
			json_object_set_new(co, "new_position", json_integer(left ? 0 : c->line));
			json_object_set_new(co, "old_position", json_integer(left ? c->line : 0));
			json_array_append_new(arr, co);
		}
		json_object_set_new(o, "comments", arr);
	}
	return gth_rjson_dump(o);
}
