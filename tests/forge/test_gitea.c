/*
 * Gitea / Forgejo decoding from fixture bodies (tests/fixtures/multiforge,
 * shapes from Gitea's swagger): the pull object into the model, issue search
 * (issues skipped), combined status with Gitea's `status` key and `warning`,
 * Actions runs for the head only, review states in GitHub's words, and the
 * trap: a created review that came back PENDING is an error, never a success.
 */
#include "config.h"

#include <string.h>

#include "gatehouse/forge/gitea.h"
#include "test_gitea_fixture.h"

static const char head[] = "0e5cc79430e65b57b871cc41f7a36fba182df876";

static struct gth_pr *
pull(void)
{
	struct gth_gitea_ctx ctx = { "forgejo", "git.example.org", "https://git.example.org", NULL };
	struct gth_err err;
	struct gth_pr *pr = NULL;
	size_t len;
	char *json = mf_fixture("gitea_pull.json", &len);
	bool open = false;

	memset(&err, 0, sizeof(err));
	is_int(gth_gitea_decode_pull(json, len, &ctx, &pr, &open, &err), 0, "pull decodes: %s",
	    err.msg);
	free(json);
	ok(open, "state open is open");
	return pr;
}

static void
test_pull(void)
{
	struct gth_pr *pr = pull();

	if (pr == NULL)
		return;
	is_str(pr->forge, "forgejo", "forge name from the config");
	is_int(pr->forge_kind, GTH_FORGE_GITEA, "kind gitea");
	is_str(pr->repo, "acme/infra", "repo from base.repo.full_name");
	is_int(pr->number, 7, "number");
	is_str(pr->head_sha, head, "head.sha");
	is_str(pr->base_sha, "1ba4541eb87ecca8dae99adee4323eecb5f8b14a", "base.sha");
	is_str(pr->base_ref, "main", "base.ref");
	is_str(pr->clone_url, "https://git.example.org/acme/infra.git", "clone URL from web_url");
	is_str(pr->host, "git.example.org", "host");
	is_str(pr->author, "claude[bot]", "author login");
	ok(pr->author_is_bot, "a [bot] login is a bot");
	is_int(pr->labels.n, 2, "two labels");
	is_str(pr->labels.n > 0 ? pr->labels.v[0] : NULL, "needs-checkpoint", "label names");
	is_str(pr->requested_users.n > 0 ? pr->requested_users.v[0] : NULL, "reviewer",
	    "requested reviewer");
	is_str(pr->requested_teams.n > 0 ? pr->requested_teams.v[0] : NULL, "security",
	    "requested team");
	is_int(pr->changed_files, 1, "changed_files");
	ok(pr->task != NULL && pr->task->task_type != NULL &&
	    strcmp(pr->task->task_type, "infra_ci") == 0, "the task template block is read");
	is_int(pr->updated_at, 1795170600, "updated_at as UTC");

	{
		struct gth_err err;
		size_t len;
		char *json = mf_fixture("gitea_combined_status.json", &len);

		memset(&err, 0, sizeof(err));
		is_int(gth_gitea_decode_combined_status(json, len, pr, &err), 0, "status decodes");
		free(json);
		is_int(pr->n_checks, 3, "three statuses");
		if (pr->n_checks == 3) {
			is_str(pr->checks[1].name, "tests", "context is the name");
			is_int(pr->checks[1].state, GTH_GATE_FAIL, "`status: failure` fails");
			is_int(pr->checks[0].state, GTH_GATE_PASS, "success passes");
			is_int(pr->checks[2].state, GTH_GATE_PASS, "warning passes (Gitea counts it so)");
			is_str(pr->checks[0].url, "https://ci.example.org/1", "target_url");
		}
		json = mf_fixture("gitea_action_tasks.json", &len);
		is_int(gth_gitea_decode_action_tasks(json, len, pr, &err), 0, "Actions runs decode");
		free(json);
		is_int(pr->n_checks, 5, "two runs for this head (the other head's run is left out)");
		if (pr->n_checks == 5) {
			is_int(pr->checks[3].kind, GTH_CHECK_RUN, "a run");
			is_int(pr->checks[3].state, GTH_GATE_FAIL, "failed run");
			is_int(pr->checks[4].state, GTH_GATE_AWAITING, "blocked run awaits approval");
		}
		json = mf_fixture("gitea_files.json", &len);
		is_int(gth_gitea_decode_files(json, len, pr, &err), 0, "files decode");
		free(json);
		is_int(pr->n_files, 2, "two files");
		if (pr->n_files == 2) {
			is_str(pr->files[0].path, ".github/workflows/ci.yml", "filename");
			is_str(pr->files[1].old_path, "docs/old.md", "previous_filename of a rename");
			ok(pr->files[0].patch == NULL, "Gitea's files API has no patch");
		}
		json = mf_fixture("gitea_commits.json", &len);
		is_int(gth_gitea_decode_commits(json, len, pr, &err), 0, "commits decode");
		free(json);
		is_str(pr->commit_messages.n > 0 ? pr->commit_messages.v[0] : NULL,
		    "ci: cache dependencies\n\nSaves four minutes.", "commit message");
	}
	gth_pr_free(pr);
}

static void
test_search(void)
{
	struct gth_strvec repos = GTH_STRVEC_INIT;
	long *nums = NULL;
	size_t n = 0, cap = 0, len;
	struct gth_err err;
	char *json = mf_fixture("gitea_issue_search.json", &len);

	memset(&err, 0, sizeof(err));
	is_int(gth_gitea_decode_issue_search(json, len, &repos, &nums, &n, &cap, &err), 0,
	    "issue search decodes");
	is_int(n, 2, "two pulls; the plain issue is skipped");
	if (n == 2) {
		is_str(repos.v[1], "acme/web", "repository.full_name");
		is_int(nums[1], 12, "number");
	}
	free(nums);
	gth_strvec_clear(&repos);
	free(json);
	json = xstrdup("{\"message\":\"not a list\"}");
	is_int(gth_gitea_decode_issue_search(json, strlen(json), &repos, &nums, &n, &cap, &err),
	    -GTH_E_PARSE, "an object where a list belongs is a parse error");
	free(json);
}

static void
test_reviews(void)
{
	struct gth_review *rv = NULL;
	size_t n = 0, cap = 0, len;
	struct gth_err err;
	long long id = 0;
	char *json = mf_fixture("gitea_reviews.json", &len);

	memset(&err, 0, sizeof(err));
	is_int(gth_gitea_decode_reviews(json, len, &rv, &n, &cap, &err), 0, "reviews decode");
	free(json);
	is_int(n, 4, "four reviews");
	if (n == 4) {
		is_str(rv[0].state, "COMMENTED", "COMMENT reads as COMMENTED");
		is_str(rv[1].state, "CHANGES_REQUESTED", "REQUEST_CHANGES reads as CHANGES_REQUESTED");
		is_str(rv[2].state, "DISMISSED", "a dismissed approval is DISMISSED");
		is_str(rv[3].state, "APPROVED", "APPROVED");
		is_str(rv[3].commit, head, "commit_id");
		is_str(rv[3].author, "reviewer", "user.login");
	}
	gth_forge_reviews_free(rv, n);

	json = mf_fixture("gitea_review_pending.json", &len);
	is_int(gth_gitea_decode_created_review(json, len, &id, &err), -GTH_E_PROTO,
	    "a created review that came back PENDING is an error");
	ok(strstr(err.msg, "PENDING") != NULL, "which says so: %s", err.msg);
	free(json);
	json = mf_fixture("gitea_review_approved.json", &len);
	is_int(gth_gitea_decode_created_review(json, len, &id, &err), 0, "an APPROVED one is fine");
	is_int(id, 78, "and gives its id");
	free(json);
}

static void
test_bodies(void)
{
	struct gth_review_comment c[2] = {
		{ "a.c", 12, GTH_SIDE_RIGHT, "here" },
		{ "b.c", 3, GTH_SIDE_LEFT, "removed line" },
	};
	struct gth_review_post rv = { GTH_REVIEW_APPROVE, head, "ok", c, 2 };
	char *s = gth_gitea_review_json(&rv);

	ok(strstr(s, "\"event\":\"APPROVED\"") != NULL, "approve is spelled APPROVED: %s", s);
	ok(strstr(s, "\"commit_id\":\"0e5cc794") != NULL, "pinned by commit_id");
	ok(strstr(s, "\"new_position\":12") != NULL && strstr(s, "\"old_position\":3") != NULL,
	    "inline comments as new_position / old_position file lines");
	free(s);
	rv.event = GTH_REVIEW_REQUEST_CHANGES;
	s = gth_gitea_review_json(&rv);
	ok(strstr(s, "\"event\":\"REQUEST_CHANGES\"") != NULL, "REQUEST_CHANGES");
	free(s);
	rv.event = GTH_REVIEW_COMMENT;
	s = gth_gitea_review_json(&rv);
	ok(strstr(s, "\"event\":\"COMMENT\"") != NULL, "COMMENT");
	free(s);
	is_int(gth_gitea_status_state("skipped"), GTH_GATE_SKIPPED, "skipped status");
	is_int(gth_gitea_status_state("error"), GTH_GATE_FAIL, "error status fails");
	is_int(gth_gitea_status_state("pending"), GTH_GATE_PENDING, "pending status");
}

static void
test_protections(void)
{
	struct gth_strvec req = GTH_STRVEC_INIT;
	struct gth_pr *pr = gth_pr_new();
	struct gth_check *c = gth_pr_add_check(pr);
	struct gth_err err;
	size_t len;
	char *json = mf_fixture("gitea_branch_protections.json", &len);

	memset(&err, 0, sizeof(err));
	c->name = xstrdup("build");
	c->state = GTH_GATE_PASS;
	is_int(gth_gitea_decode_protections(json, len, "main", &req, &err), 0, "protections decode");
	is_int(req.n, 2, "the rule of the base branch only");
	gth_rest_apply_required(pr, &req);
	ok(pr->checks[0].required, "a reported required check is marked required");
	is_int(pr->n_checks, 2, "a required check that never reported is added");
	if (pr->n_checks == 2) {
		is_str(pr->checks[1].name, "integration", "by name");
		is_int(pr->checks[1].state, GTH_GATE_MISSING, "as missing");
	}
	gth_strvec_clear(&req);
	is_int(gth_gitea_decode_protections(json, len, "dev", &req, &err), 0, "dev decodes");
	is_int(req.n, 0, "a rule without enable_status_check requires nothing");
	free(json);
	gth_pr_free(pr);
}

static void
test_repo_paths(void)
{
	is_int(gth_rest_check_repo("acme/infra", 2, NULL), 0, "owner/name is a repo");
	is_int(gth_rest_check_repo("acme/infra/x", 2, NULL), -GTH_E_INVAL, "three parts are not");
	is_int(gth_rest_check_repo("group/sub/proj", 21, NULL), 0, "a GitLab nested path is");
	is_int(gth_rest_check_repo("acme/../x", 21, NULL), -GTH_E_INVAL, "dot segments are not");
	is_int(gth_rest_check_repo("acme/x?y", 21, NULL), -GTH_E_INVAL, "query characters are not");
}

int
main(void)
{
	test_pull();
	test_search();
	test_reviews();
	test_bodies();
	test_protections();
	test_repo_paths();
	return done_testing();
}
