/*
 * GitLab decoding from fixture bodies (tests/fixtures/multiforge, shapes from
 * GitLab's API description and forge-api.md Part 2.1): the MR list and a
 * single MR into the model (nested group path, diff_refs, head pipeline),
 * jobs and external statuses as gates (a job listed again among the
 * statuses counts once), notes read back as reviews through the verdict
 * line, diffs, and the request bodies (nested position, GitLab's state words).
 */
#include "config.h"

#include <string.h>

#include "gatehouse/forge/gitea.h"
#include "gatehouse/forge/gitlab.h"
#include "test_gitea_fixture.h"

static const char head[] = "309c85b5fcc6a1b0b2c3d4e5f60718293a4b5c6d";

static void
test_list(void)
{
	struct gth_strvec paths = GTH_STRVEC_INIT;
	long *iids = NULL;
	size_t n = 0, cap = 0, len;
	struct gth_err err;
	char *json = mf_fixture("gitlab_mr_list.json", &len);

	memset(&err, 0, sizeof(err));
	is_int(gth_gitlab_decode_mr_list(json, len, &paths, &iids, &n, &cap, &err), 0,
	    "MR list decodes");
	is_int(n, 1, "one usable MR (one without references.full is skipped)");
	if (n == 1) {
		is_str(paths.v[0], "acme/platform/web-console", "the project path from references.full");
		is_int(iids[0], 3, "iid");
	}
	free(iids);
	gth_strvec_clear(&paths);
	free(json);
}

static void
test_mr(void)
{
	struct gth_gitlab_ctx ctx = { "corp-gitlab", "gitlab.example.org",
		"https://gitlab.example.org", NULL };
	struct gth_gitlab_mr_extra x;
	struct gth_pr *pr = NULL;
	struct gth_err err;
	size_t len;
	char *json = mf_fixture("gitlab_mr.json", &len);

	memset(&err, 0, sizeof(err));
	is_int(gth_gitlab_decode_mr(json, len, &ctx, &pr, &x, &err), 0, "MR decodes: %s", err.msg);
	free(json);
	if (pr == NULL)
		return;
	is_int(pr->forge_kind, GTH_FORGE_GITLAB, "kind gitlab");
	is_str(pr->repo, "acme/platform/web-console", "repo is the full project path");
	is_int(pr->number, 3, "number is the iid");
	is_str(pr->head_sha, head, "head from diff_refs");
	is_str(pr->base_sha, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "base from diff_refs");
	is_str(x.start_sha, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "start_sha kept for positions");
	is_int(x.pipeline_id, 991, "head pipeline id");
	ok(x.open, "opened is open");
	is_int(x.n_reviewers, 2, "reviewer ids");
	is_str(pr->clone_url, "https://gitlab.example.org/acme/platform/web-console.git", "clone URL");
	is_str(pr->author, "copilot", "author username");
	ok(pr->author_is_bot, "author.bot marks a bot");
	is_str(pr->base_ref, "main", "target_branch");
	is_int(pr->labels.n, 2, "labels are plain strings");
	is_str(pr->requested_users.n > 1 ? pr->requested_users.v[1] : NULL, "maria-sec", "reviewers");
	is_int(pr->changed_files, 2, "changes_count (a string) as a number");
	is_int(pr->updated_at, 1795170600, "updated_at with milliseconds");
	ok(pr->task != NULL && strcmp(pr->task->task_type, "test_generation") == 0,
	    "the task template from the description");

	json = mf_fixture("gitlab_jobs.json", &len);
	is_int(gth_gitlab_decode_jobs(json, len, pr, &err), 0, "jobs decode");
	free(json);
	json = mf_fixture("gitlab_statuses.json", &len);
	is_int(gth_gitlab_decode_statuses(json, len, pr, &err), 0, "statuses decode");
	free(json);
	is_int(pr->n_checks, 5, "four jobs and one external status (the job's status is not doubled)");
	if (pr->n_checks == 5) {
		is_int(pr->checks[0].state, GTH_GATE_FAIL, "a failed job fails");
		is_int(pr->checks[1].state, GTH_GATE_SKIPPED, "a failure allowed to fail is skipped");
		is_str(pr->checks[1].raw_state, "failed (allowed to fail)", "and says why");
		is_int(pr->checks[2].state, GTH_GATE_AWAITING, "a manual job awaits a human");
		is_int(pr->checks[3].state, GTH_GATE_PASS, "success passes");
		is_int(pr->checks[4].kind, GTH_CHECK_STATUS, "the external status is a status");
		is_int(pr->checks[4].state, GTH_GATE_PENDING, "running is pending");
		is_str(pr->checks[4].name, "sast", "its name");
	}
	json = mf_fixture("gitlab_diffs.json", &len);
	is_int(gth_gitlab_decode_diffs(json, len, pr, &err), 0, "diffs decode");
	free(json);
	is_int(pr->n_files, 3, "three files");
	if (pr->n_files == 3) {
		is_int(pr->files[0].additions, 2, "additions counted from the diff");
		is_int(pr->files[0].deletions, 1, "deletions counted from the diff");
		is_str(pr->files[1].status, "renamed", "renamed_file");
		is_str(pr->files[1].old_path, "docs/old.md", "old_path of a rename");
		is_str(pr->files[2].status, "removed", "deleted_file");
	}
	ok(pr->additions == 2 && pr->deletions == 2,
	    "the MR's line counts are the diffs' sums (+%ld -%ld), for the policy's size rules",
	    pr->additions, pr->deletions);
	gth_gitlab_mr_extra_release(&x);
	gth_pr_free(pr);
}

static void
test_notes(void)
{
	struct gth_review *rv = NULL;
	size_t n = 0, cap = 0, len;
	struct gth_err err;
	char *json = mf_fixture("gitlab_notes.json", &len), *text;

	memset(&err, 0, sizeof(err));
	is_int(gth_gitlab_decode_notes(json, len, &rv, &n, &cap, &err), 0, "notes decode");
	free(json);
	is_int(n, 3, "system notes are not reviews");
	if (n == 3) {
		is_str(rv[0].state, "APPROVED", "the approval line reads as APPROVED");
		is_str(rv[0].commit, head, "with its commit");
		is_str(rv[0].author, "reviewer", "author username");
		is_str(rv[1].state, "CHANGES_REQUESTED", "changes requested");
		is_str(rv[2].state, "COMMENTED", "a malformed verdict line is a plain comment");
		is_str(rv[2].commit, head, "a diff note's commit from its position");
	}
	gth_forge_reviews_free(rv, n);

	/* what gatehouse writes reads back as what it meant */
	text = gth_gitlab_note_text(GTH_REVIEW_REQUEST_CHANGES, head, "scope creep");
	json = gth_rjson_dump(json_pack("[{s:i, s:s, s:{s:s}, s:b}]", "id", 1, "body", text,
	    "author", "username", "me", "system", 0));
	rv = NULL;
	n = cap = 0;
	is_int(gth_gitlab_decode_notes(json, strlen(json), &rv, &n, &cap, &err), 0, "round trip");
	ok(n == 1 && strcmp(rv[0].state, "CHANGES_REQUESTED") == 0 &&
	    strcmp(rv[0].commit, head) == 0 && strstr(rv[0].body, "scope creep") != NULL,
	    "a request-changes note reads back with its state, commit and body");
	gth_forge_reviews_free(rv, n);
	free(json);
	free(text);
}

static void
test_bodies(void)
{
	struct gth_review_comment c = { "src/a.ts", 3, GTH_SIDE_RIGHT, "why?" };
	struct gth_status_post st = { head, GTH_STATUS_FAILURE, NULL, "rejected", NULL };
	struct gth_strvec labels = GTH_STRVEC_INIT;
	long long ids[2] = { 2, 7 };
	char *s;

	s = gth_gitlab_discussion_json(&c, "aaaa", "bbbb", head);
	ok(strstr(s, "\"position\":{") != NULL, "position is a nested object: %s", s);
	ok(strstr(s, "\"new_line\":3") != NULL && strstr(s, "old_line") == NULL,
	    "an added line has new_line only");
	ok(strstr(s, "\"position_type\":\"text\"") != NULL && strstr(s, "\"start_sha\":\"bbbb\"") != NULL,
	    "with position_type and the three SHAs");
	ok(strstr(s, "position[") == NULL, "never bracketed keys (GitLab ignores them in JSON)");
	free(s);
	c.side = GTH_SIDE_LEFT;
	s = gth_gitlab_discussion_json(&c, "aaaa", "bbbb", head);
	ok(strstr(s, "\"old_line\":3") != NULL && strstr(s, "new_line") == NULL,
	    "a removed line has old_line only");
	free(s);
	s = gth_gitlab_status_json(&st);
	ok(strstr(s, "\"state\":\"failed\"") != NULL, "failure is spelled failed: %s", s);
	ok(strstr(s, "\"name\":\"gatehouse/checkpoint\"") != NULL, "the default name");
	free(s);
	s = gth_gitlab_approve_json(head);
	ok(strstr(s, head) != NULL && strstr(s, "\"sha\"") != NULL, "approve carries the sha");
	free(s);
	gth_strvec_push(&labels, "escalated");
	gth_strvec_push(&labels, "security");
	s = gth_gitlab_labels_json(&labels);
	is_str(s, "{\"add_labels\":\"escalated,security\"}", "add_labels as a comma list");
	free(s);
	gth_strvec_clear(&labels);
	s = gth_gitlab_reviewers_json(ids, 2);
	is_str(s, "{\"reviewer_ids\":[2,7]}", "reviewer_ids");
	free(s);
}

int
main(void)
{
	test_list();
	test_mr();
	test_notes();
	test_bodies();
	return done_testing();
}
