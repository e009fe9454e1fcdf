/*
 * JSON for the GitLab backend (API v4): merge requests, jobs, commit
 * statuses, notes, diffs, commits; request bodies.  Field names follow
 * GitLab's API description (MergeRequestSchema, JobSchema,
 * CommitStatusSchema, NoteSchema, DiffSchema) and forge-api.md Part 2.1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/gitea.h"
#include "gatehouse/forge/github.h"
#include "gatehouse/forge/gitlab.h"

#define J gth_rjson_str
#define JD gth_rjson_dup

/* "group/sub/proj!12" -> "group/sub/proj"; NULL when it does not look like that. */
static char *
path_of_reference(const char *full)
{
	const char *bang = full != NULL ? strrchr(full, '!') : NULL;

	return bang != NULL && bang > full ? xstrndup(full, (size_t)(bang - full)) : NULL;
}

int
gth_gitlab_decode_mr_list(const char *json, size_t len, struct gth_strvec *paths, long **iids,
	size_t *n, size_t *cap, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, true, "the merge requests", err), *mr;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, mr) {
		char *path = path_of_reference(gth_rjson_str2(mr, "references", "full"));
		long iid = (long)gth_rjson_int(mr, "iid");

		if (path == NULL || iid <= 0) {
			free(path);
			continue;
		}
		gth_strvec_push_take(paths, path);
		GTH_PUSH(*iids, *n, *cap) = iid;
	}
	json_decref(root);
	return 0;
}

void
gth_gitlab_mr_extra_release(struct gth_gitlab_mr_extra *x)
{
	if (x == NULL)
		return;
	free(x->start_sha);
	free(x->reviewer_ids);
	memset(x, 0, sizeof(*x));
}

int
gth_gitlab_decode_mr(const char *json, size_t len, const struct gth_gitlab_ctx *ctx,
	struct gth_pr **out, struct gth_gitlab_mr_extra *x, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, false, "the merge request", err), *refs, *v;
	const char *head;
	struct gth_pr *pr;
	char *path;
	size_t i;

	*out = NULL;
	if (root == NULL)
		return -GTH_E_PARSE;
	refs = json_object_get(root, "diff_refs");
	head = J(refs, "head_sha") != NULL ? J(refs, "head_sha") : J(root, "sha");
	path = path_of_reference(gth_rjson_str2(root, "references", "full"));
	if (head == NULL || path == NULL || gth_rjson_int(root, "iid") <= 0) {
		free(path);
		json_decref(root);
		return gth_err_set(err, -GTH_E_PARSE, "the merge request has no iid, sha or "
		    "references.full");
	}
	pr = gth_pr_new();
	pr->forge = xstrdup(ctx->forge);
	pr->forge_kind = GTH_FORGE_GITLAB;
	pr->host = xstrdup(ctx->host);
	pr->repo = path;
	pr->number = (long)gth_rjson_int(root, "iid");
	pr->title = JD(root, "title");
	pr->body = JD(root, "description");
	pr->url = JD(root, "web_url");
	pr->clone_url = xasprintf("%s/%s.git", ctx->web_url, path);
	pr->author = JD(json_object_get(root, "author"), "username");
	pr->author_is_bot = gth_github_is_bot(NULL, pr->author, ctx->agents) ||
	    json_is_true(json_object_get(json_object_get(root, "author"), "bot"));
	pr->head_sha = xstrdup(head);
	pr->base_sha = JD(refs, "base_sha");
	pr->head_ref = JD(root, "source_branch");
	pr->base_ref = JD(root, "target_branch");
	pr->draft = json_is_true(json_object_get(root, "draft")) ||
	    json_is_true(json_object_get(root, "work_in_progress"));
	pr->created_at = gth_rjson_time(root, "created_at");
	pr->updated_at = gth_rjson_time(root, "updated_at");
	pr->ready_at = pr->created_at;
	/* changes_count is a string ("12", or "1000+" when capped) */
	if (J(root, "changes_count") != NULL)
		pr->changed_files = strtol(J(root, "changes_count"), NULL, 10);
	gth_rjson_strings(json_object_get(root, "labels"), NULL, &pr->labels);
	gth_rjson_strings(json_object_get(root, "reviewers"), "username", &pr->requested_users);
	if (pr->body != NULL)
		pr->task = gth_github_task_from_body(pr->body);
	if (x != NULL) {
		memset(x, 0, sizeof(*x));
		x->pipeline_id = gth_rjson_int(json_object_get(root, "head_pipeline"), "id");
		x->open = J(root, "state") != NULL && strcmp(J(root, "state"), "opened") == 0;
		x->start_sha = JD(refs, "start_sha");
		x->reviewer_ids = xcalloc(json_array_size(json_object_get(root, "reviewers")) + 1,
		    sizeof(*x->reviewer_ids));
		json_array_foreach(json_object_get(root, "reviewers"), i, v)
			x->reviewer_ids[x->n_reviewers++] = gth_rjson_int(v, "id");
	}
	json_decref(root);
	*out = pr;
	return 0;
}

enum gth_gate_state
gth_gitlab_state(const char *s, bool allow_failure)
{
	if (s == NULL)
		return GTH_GATE_PENDING;
	if (strcmp(s, "success") == 0)
		return GTH_GATE_PASS;
	if (strcmp(s, "failed") == 0 || strcmp(s, "canceled") == 0)
		return allow_failure ? GTH_GATE_SKIPPED : GTH_GATE_FAIL;
	if (strcmp(s, "skipped") == 0)
		return GTH_GATE_SKIPPED;
	if (strcmp(s, "manual") == 0)
		return GTH_GATE_AWAITING;
	return GTH_GATE_PENDING;	/* created, pending, running, preparing, scheduled, ... */
}

static void
add_gate(struct gth_pr *pr, json_t *o, enum gth_check_kind kind)
{
	struct gth_check *c = gth_pr_add_check(pr);
	bool allowed = json_is_true(json_object_get(o, "allow_failure"));
	const char *st = J(o, "status");

	c->kind = kind;
	c->name = JD(o, "name");
	c->state = gth_gitlab_state(st, allowed);
	c->raw_state = st != NULL ? xasprintf("%s%s", st, allowed ? " (allowed to fail)" : "") :
	    NULL;
	c->id = gth_rjson_int(o, "id");
	if (kind == GTH_CHECK_RUN) {
		c->app = xstrdup("gitlab-ci");
		c->summary = JD(o, "stage");
		c->url = JD(o, "web_url");
	} else {
		c->summary = JD(o, "description");
		c->url = JD(o, "target_url");
	}
}

int
gth_gitlab_decode_jobs(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, true, "the pipeline's jobs", err), *o;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, o)
		if (J(o, "name") != NULL)
			add_gate(pr, o, GTH_CHECK_RUN);
	json_decref(root);
	return 0;
}

int
gth_gitlab_decode_statuses(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, true, "the commit statuses", err), *o;
	size_t i, k;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, o) {
		long long id = gth_rjson_int(o, "id");
		bool seen = false;

		/* CI jobs are statuses too: those already read from the pipeline stay runs */
		for (k = 0; k < pr->n_checks && !seen; k++)
			seen = id != 0 && pr->checks[k].id == id && pr->checks[k].kind == GTH_CHECK_RUN;
		if (!seen && J(o, "name") != NULL)
			add_gate(pr, o, GTH_CHECK_STATUS);
	}
	json_decref(root);
	return 0;
}

static const struct {
	enum gth_review_event event;
	const char *head;	/* first words of the verdict line */
	const char *state;	/* as a review state */
} verdicts[] = {
	{ GTH_REVIEW_APPROVE, "**Approved** by gatehouse at `", "APPROVED" },
	{ GTH_REVIEW_REQUEST_CHANGES, "**Changes requested** by gatehouse at `", "CHANGES_REQUESTED" },
	{ GTH_REVIEW_COMMENT, "**Comment** from gatehouse at `", "COMMENTED" },
};

char *
gth_gitlab_note_text(enum gth_review_event e, const char *sha, const char *body)
{
	size_t i;

	for (i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		if (verdicts[i].event == e)
			return xasprintf("%s%s`\n\n%s", verdicts[i].head, sha, body != NULL ? body : "");
	return xstrdup(body != NULL ? body : "");
}

int
gth_gitlab_decode_notes(const char *json, size_t len, struct gth_review **arr, size_t *n,
	size_t *cap, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, true, "the notes", err), *o;
	size_t i, k;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, o) {
		const char *body = J(o, "body");
		struct gth_review *rv;

		if (json_is_true(json_object_get(o, "system")) || body == NULL)
			continue;
		rv = &GTH_PUSH(*arr, *n, *cap);
		memset(rv, 0, sizeof(*rv));
		rv->id = gth_rjson_int(o, "id");
		rv->author = JD(json_object_get(o, "author"), "username");
		rv->body = JD(o, "body");
		rv->submitted_at = gth_rjson_time(o, "created_at");
		for (k = 0; k < sizeof(verdicts) / sizeof(verdicts[0]) && rv->state == NULL; k++) {
			size_t hl = strlen(verdicts[k].head), sl;

			if (strncmp(body, verdicts[k].head, hl) != 0)
				continue;
			sl = strspn(body + hl, "0123456789abcdef");
			if ((sl == 40 || sl == 64) && body[hl + sl] == '`') {
				rv->state = xstrdup(verdicts[k].state);
				rv->commit = xstrndup(body + hl, sl);
			}
		}
		if (rv->state == NULL)
			rv->state = xstrdup("COMMENTED");
		if (rv->commit == NULL)
			rv->commit = JD(json_object_get(o, "position"), "head_sha");
	}
	json_decref(root);
	return 0;
}

int
gth_gitlab_decode_diffs(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, true, "the merge request diffs", err), *o;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, o) {
		struct gth_file_change *fc;
		const char *np = J(o, "new_path"), *op = J(o, "old_path"), *d = J(o, "diff");

		if (np == NULL)
			continue;
		fc = gth_pr_add_file(pr);
		fc->path = xstrdup(np);
		if (json_is_true(json_object_get(o, "renamed_file")) && op != NULL) {
			fc->old_path = xstrdup(op);
			fc->status = xstrdup("renamed");
		} else if (json_is_true(json_object_get(o, "new_file"))) {
			fc->status = xstrdup("added");
		} else if (json_is_true(json_object_get(o, "deleted_file"))) {
			fc->status = xstrdup("removed");
		} else {
			fc->status = xstrdup("modified");
		}
		if (d != NULL && *d != '\0') {
			const char *p;

			fc->patch = xstrdup(d);
			for (p = d; *p != '\0'; p = strchr(p, '\n') != NULL ? strchr(p, '\n') + 1 : "") {
				if (*p == '+' && strncmp(p, "+++", 3) != 0)
					fc->additions++;
				else if (*p == '-' && strncmp(p, "---", 3) != 0)
					fc->deletions++;
			}
			/*
			 * GitLab's MR answers carry no line counts: the size rules of the
			 * policy see the sum of the diffs read (a lower bound past a page).
			 */
			pr->additions += fc->additions;
			pr->deletions += fc->deletions;
		}
	}
	json_decref(root);
	return 0;
}

int
gth_gitlab_decode_commits(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, true, "the merge request commits", err), *o;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, o)
		if (J(o, "message") != NULL)
			gth_strvec_push(&pr->commit_messages, J(o, "message"));
	json_decref(root);
	return 0;
}

int
gth_gitlab_decode_username(const char *json, size_t len, char **login, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, false, "the user", err);

	if (root == NULL)
		return -GTH_E_PARSE;
	*login = JD(root, "username");
	json_decref(root);
	return *login != NULL ? 0 : gth_err_set(err, -GTH_E_PARSE, "the user has no username");
}

int
gth_gitlab_decode_user_id(const char *json, size_t len, long long *id, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, true, "the user search", err);

	if (root == NULL)
		return -GTH_E_PARSE;
	*id = gth_rjson_int(json_array_get(root, 0), "id");
	json_decref(root);
	return 0;
}

int
gth_gitlab_decode_id(const char *json, size_t len, long long *id, struct gth_err *err)
{
	json_t *root = gth_rjson_parse(json, len, false, "the created note", err);

	if (root == NULL)
		return -GTH_E_PARSE;
	*id = gth_rjson_int(root, "id");
	json_decref(root);
	return 0;
}

/* ---- request bodies ---------------------------------------------------------------------------- */

char *
gth_gitlab_note_json(const char *text)
{
	json_t *o = json_object();

	json_object_set_new(o, "body", gth_rjson_safe_string(text));
	return gth_rjson_dump(o);
}

char *
gth_gitlab_approve_json(const char *sha)
{
	json_t *o = json_object();

	json_object_set_new(o, "sha", json_string(sha));
	return gth_rjson_dump(o);
}

char *
gth_gitlab_status_json(const struct gth_status_post *st)
{
	static const char *const words[] = { "pending", "success", "failed", "failed" };
	json_t *o = json_object();

	json_object_set_new(o, "state", json_string(words[st->state]));
	json_object_set_new(o, "name", json_string(st->context != NULL ? st->context :
	    "gatehouse/checkpoint"));
	if (st->description != NULL) {
		char *d = xstrdup(st->description);

		gth_forge_truncate_utf8(d, 140);
		json_object_set_new(o, "description", gth_rjson_safe_string(d));
		free(d);
	}
	if (st->target_url != NULL)
		json_object_set_new(o, "target_url", json_string(st->target_url));
	return gth_rjson_dump(o);
}

char *
gth_gitlab_labels_json(const struct gth_strvec *labels)
{
	struct gth_buf b = GTH_BUF_INIT;
	json_t *o = json_object();
	size_t i;
	char *s;

	for (i = 0; i < labels->n; i++)
		gth_buf_addf(&b, "%s%s", i > 0 ? "," : "", labels->v[i]);
	json_object_set_new(o, "add_labels", gth_rjson_safe_string(b.data != NULL ? b.data : ""));
	gth_buf_release(&b);
	s = gth_rjson_dump(o);
	return s;
}

char *
gth_gitlab_reviewers_json(const long long *ids, size_t n)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	json_object_set_new(o, "reviewer_ids", a);
	return gth_rjson_dump(o);
}

char *
gth_gitlab_discussion_json(const struct gth_review_comment *c, const char *base_sha,
	const char *start_sha, const char *head_sha)
{
	json_t *o = json_object(), *pos = json_object();

	json_object_set_new(o, "body", gth_rjson_safe_string(c->body != NULL ? c->body : ""));
	json_object_set_new(pos, "position_type", json_string("text"));
	json_object_set_new(pos, "base_sha", json_string(base_sha));
	json_object_set_new(pos, "start_sha", json_string(start_sha));
	json_object_set_new(pos, "head_sha", json_string(head_sha));
	json_object_set_new(pos, "old_path", json_string(c->path));
	json_object_set_new(pos, "new_path", json_string(c->path));
	json_object_set_new(pos, c->side == GTH_SIDE_LEFT ? "old_line" : "new_line",
	    json_integer(c->line));
	json_object_set_new(o, "position", pos);
	return gth_rjson_dump(o);
}
