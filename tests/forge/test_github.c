/*
 * GitHub decoding from fixture bodies (tests/forge/fixtures, shapes from
 * GitHub's OpenAPI examples and forge-api.md): a GraphQL queue page, REST
 * details, both 422 error shapes, state mapping, the task template block,
 * bot detection, request bodies and the 140-character status description.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/github.h"
#include "gatehouse/forge/http.h"
#include "tap.h"

static char *
fixture(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/tests/forge/fixtures/%s", top != NULL ? top : ".", name);
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL) {
		diag("cannot open %s", path);
		free(path);
		*len = 0;
		return xstrdup("");
	}
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = xmalloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, fp);
	buf[*len] = '\0';
	fclose(fp);
	free(path);
	return buf;
}

static const struct gth_check *
check_named(const struct gth_pr *pr, const char *name)
{
	size_t i;

	for (i = 0; i < pr->n_checks; i++)
		if (strcmp(pr->checks[i].name, name) == 0)
			return &pr->checks[i];
	return NULL;
}

static void
test_queue_page(void)
{
	struct gth_strvec agents = GTH_STRVEC_INIT;
	struct gth_github_ctx ctx = { "github", "github.com", "https://github.com", &agents };
	struct gth_github_page page;
	struct gth_err err;
	const struct gth_pr *pr;
	const struct gth_check *c;
	size_t len;
	char *json = fixture("queue_page.json", &len);
	int rc;

	gth_strvec_push(&agents, "devin-ai");
	memset(&page, 0, sizeof(page));
	rc = gth_github_decode_graphql(json, len, &ctx, &page, &err);
	is_int(rc, 0, "queue page decodes");
	is_int(page.n, 3, "three PRs: the Issue and the archived repository's PR are skipped");
	ok(page.has_next, "hasNextPage read");
	is_str(page.end_cursor, "Y3Vyc29yOjEwMA==", "endCursor read");
	ok(page.rate_seen && page.rate.remaining == 4994 && page.rate.limit == 5000 &&
	    strcmp(page.rate.resource, "graphql") == 0, "rateLimit block read as the graphql budget");
	if (page.n < 3)
		goto out;
	pr = page.prs[0];
	is_str(pr->repo, "acme/infra", "repo");
	is_int(pr->number, 301, "number");
	is_str(pr->forge, "github", "forge name");
	is_str(pr->host, "github.com", "host");
	is_str(pr->clone_url, "https://github.com/acme/infra.git", "clone URL from web_url");
	is_str(pr->head_sha, "000000000000000000000000000000000000a12d", "head SHA");
	is_str(pr->base_sha, "000000000000000000000000000000000000b12d", "base SHA");
	is_str(pr->head_ref, "agent/fix-301", "head ref");
	is_str(pr->author, "claude", "author login");
	ok(pr->author_is_bot, "a Bot __typename is a bot");
	is_str(pr->review_decision, "REVIEW_REQUIRED", "review decision");
	ok(pr->additions == 120 && pr->deletions == 30 && pr->changed_files == 4, "size");
	ok(!pr->draft, "not a draft");
	ok(pr->labels.n == 2 && strcmp(pr->labels.v[1], "security") == 0, "labels");
	ok(pr->requested_users.n == 1 && strcmp(pr->requested_users.v[0], "reviewer") == 0,
	    "requested user");
	ok(pr->requested_teams.n == 1 && strcmp(pr->requested_teams.v[0], "security") == 0,
	    "requested team (slug)");
	ok(pr->ready_at > pr->created_at && pr->ready_at == 1795176000,
	    "ready_at from ReadyForReviewEvent");
	is_int(pr->n_checks, 9, "nine checks from the rollup");
	c = check_named(pr, "build");
	ok(c != NULL && c->state == GTH_GATE_PASS && c->kind == GTH_CHECK_RUN &&
	    gth_str_eq(c->app, "github-actions") && c->id == 11, "CheckRun SUCCESS -> pass, app, id");
	c = check_named(pr, "test");
	ok(c != NULL && c->state == GTH_GATE_FAIL && gth_str_eq(c->raw_state, "completed/timed_out"),
	    "TIMED_OUT -> fail, raw state kept");
	ok(c != NULL && gth_str_eq(c->summary, "3 failed"), "summary when there is no title");
	c = check_named(pr, "lint");
	ok(c != NULL && c->state == GTH_GATE_PENDING, "IN_PROGRESS -> pending");
	c = check_named(pr, "deploy-preview");
	ok(c != NULL && c->state == GTH_GATE_AWAITING, "WAITING -> awaiting-approval");
	c = check_named(pr, "docs");
	ok(c != NULL && c->state == GTH_GATE_SKIPPED, "SKIPPED -> skipped");
	c = check_named(pr, "e2e");
	ok(c != NULL && c->state == GTH_GATE_AWAITING, "ACTION_REQUIRED -> awaiting-approval");
	c = check_named(pr, "ci/legacy");
	ok(c != NULL && c->kind == GTH_CHECK_STATUS && c->state == GTH_GATE_FAIL &&
	    gth_str_eq(c->raw_state, "error") && gth_str_eq(c->url, "https://legacy/1"),
	    "StatusContext ERROR -> fail");
	c = check_named(pr, "coverage");
	ok(c != NULL && c->state == GTH_GATE_PASS, "StatusContext SUCCESS -> pass");
	c = check_named(pr, "security/scan");
	ok(c != NULL && c->state == GTH_GATE_PENDING, "StatusContext EXPECTED -> pending");
	ok(pr->task != NULL, "task template found in the body");
	if (pr->task != NULL) {
		is_str(pr->task->task_type, "security_critical", "task_type");
		is_str(pr->task->module_path, "src/auth/", "module_path");
		ok(pr->task->constraints.n == 2 &&
		    strcmp(pr->task->constraints.v[1], "keep old key for 24h") == 0, "constraints");
		is_str(pr->task->rollback_condition, "login failures > 1%", "rollback_condition");
	}

	pr = page.prs[1];
	ok(pr->author_is_bot, "a configured agent login counts as an agent");
	ok(pr->draft, "draft state");
	is_int(pr->n_checks, 0, "no rollup: no checks");
	ok(pr->task == NULL, "no task template in a plain body");
	ok(pr->ready_at == pr->created_at, "ready_at defaults to created_at");
	pr = page.prs[2];
	ok(pr->author_is_bot, "a login ending in [bot] is a bot");
out:
	gth_github_page_release(&page);
	gth_strvec_clear(&agents);
	free(json);
}

static void
test_task_block(void)
{
	struct gth_task_template *t;

	t = gth_github_task_from_body("Intro\n\n```json\n{\"other\": 1}\n```\n\n"
	    "```JSON\n{\"task_type\": \"test_generation\", \"test_cases\": [\"a\", \"b\"]}\n```\n");
	ok(t != NULL && gth_str_eq(t->task_type, "test_generation") && t->test_cases.n == 2,
	    "the json block carrying task_type is used, not the first json block");
	gth_task_template_free(t);
	t = gth_github_task_from_body("```\n{\"task_type\": \"docs\"}\n```\n");
	ok(t == NULL, "an untagged fence is not a task template");
	gth_task_template_free(t);
	t = gth_github_task_from_body("```json\n{\"task_type\": \"docs\", \n```\n");
	ok(t == NULL, "a malformed task block gives no template (and no crash)");
	gth_task_template_free(t);
	t = gth_github_task_from_body("```json\n{\"task_type\": \"security_critical\", "
	    "\"task_type\": \"documentation\"}\n```\n");
	ok(t == NULL, "a task block naming task_type twice gives no template (neither value is "
	    "trusted)");
	gth_task_template_free(t);
}

static void
test_graphql_errors(void)
{
	struct gth_github_ctx ctx = { "github", "github.com", "https://github.com", NULL };
	struct gth_github_page page;
	struct gth_err err;
	size_t len;
	char *json;
	int rc;

	json = fixture("graphql_rate_limited.json", &len);
	memset(&page, 0, sizeof(page));
	rc = gth_github_decode_graphql(json, len, &ctx, &page, &err);
	is_int(rc, -GTH_E_RATELIMIT, "GraphQL RATE_LIMITED (HTTP 200) -> RATELIMIT");
	ok(strstr(err.msg, "API rate limit exceeded") != NULL && strstr(err.msg, "05:00:00 UTC") != NULL,
	    "message has the forge's words and the reset: %s", err.msg);
	gth_github_page_release(&page);
	free(json);
	json = fixture("graphql_not_found.json", &len);
	memset(&page, 0, sizeof(page));
	rc = gth_github_decode_graphql(json, len, &ctx, &page, &err);
	is_int(rc, -GTH_E_NOTFOUND, "GraphQL NOT_FOUND -> NOTFOUND");
	ok(strstr(err.msg, "Could not resolve to a Repository") != NULL, "with the message");
	gth_github_page_release(&page);
	free(json);
	memset(&page, 0, sizeof(page));
	rc = gth_github_decode_graphql("{\"data\": {\"search\": [", 21, &ctx, &page, &err);
	is_int(rc, -GTH_E_PARSE, "truncated GraphQL -> PARSE");
	gth_github_page_release(&page);
}

static void
test_rest(void)
{
	struct gth_pr *pr = gth_pr_new();
	struct gth_review *rv = NULL;
	size_t nrv = 0, caprv = 0, len;
	struct gth_err err;
	long total = 0;
	char *json;
	int rc;

	json = fixture("check_runs.json", &len);
	rc = gth_github_decode_check_runs(json, len, pr, &total, &err);
	ok(rc == 0 && total == 2 && pr->n_checks == 2, "check runs page decodes");
	if (pr->n_checks == 2) {
		ok(pr->checks[0].state == GTH_GATE_PASS &&
		    gth_str_eq(pr->checks[0].raw_state, "completed/neutral"), "neutral -> pass");
		ok(strstr(pr->checks[0].summary, "Mighty Readme report") != NULL &&
		    strstr(pr->checks[0].summary, "2 warnings") != NULL, "output title + summary");
		is_int(pr->checks[0].annotations_count, 2, "annotations_count");
		ok(pr->checks[1].state == GTH_GATE_PENDING, "queued -> pending");
		json = (free(json), fixture("annotations.json", &len));
		rc = gth_github_decode_annotations(json, len, &pr->checks[0], &err);
		ok(rc == 0 && pr->checks[0].n_annotations == 2, "annotations decode");
		ok(pr->checks[0].n_annotations == 2 &&
		    pr->checks[0].annotations[0].level == GTH_ANNOTATION_WARNING &&
		    pr->checks[0].annotations[1].level == GTH_ANNOTATION_FAILURE &&
		    pr->checks[0].annotations[1].start_line == 10 &&
		    gth_str_eq(pr->checks[0].annotations[0].path, "README.md"),
		    "annotation level, path and lines");
	}
	free(json);
	json = fixture("combined_status.json", &len);
	rc = gth_github_decode_combined_status(json, len, pr, &err);
	ok(rc == 0 && pr->n_checks == 4, "combined status appends two statuses");
	ok(pr->n_checks == 4 && pr->checks[3].state == GTH_GATE_FAIL &&
	    pr->checks[2].state == GTH_GATE_PASS && pr->checks[3].kind == GTH_CHECK_STATUS,
	    "status error -> fail, success -> pass");
	free(json);
	json = fixture("reviews.json", &len);
	rc = gth_github_decode_reviews(json, len, &rv, &nrv, &caprv, &err);
	ok(rc == 0 && nrv == 2, "reviews decode");
	ok(nrv == 2 && rv[0].id == 80 && gth_str_eq(rv[0].state, "APPROVED") &&
	    gth_str_eq(rv[0].commit, "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091") &&
	    gth_str_eq(rv[0].author, "octocat") && rv[0].submitted_at == 1574012623,
	    "review id, state, commit, author, time");
	ok(nrv == 2 && rv[1].commit == NULL, "a review without commit_id has none");
	free(json);
	json = fixture("requested_reviewers.json", &len);
	rc = gth_github_decode_requested(json, len, pr, &err);
	ok(rc == 0 && pr->requested_users.n == 1 && pr->requested_teams.n == 1 &&
	    strcmp(pr->requested_teams.v[0], "justice-league") == 0, "requested users and teams");
	free(json);
	json = fixture("files.json", &len);
	rc = gth_github_decode_files(json, len, pr, &err);
	ok(rc == 0 && pr->n_files == 2 && pr->files[0].additions == 103 && pr->files[0].patch != NULL,
	    "files decode with patch");
	ok(pr->n_files == 2 && pr->files[1].patch == NULL &&
	    gth_str_eq(pr->files[1].old_path, "old.png"), "withheld patch is NULL; rename kept");
	free(json);
	json = fixture("commits.json", &len);
	rc = gth_github_decode_commits(json, len, pr, &err);
	ok(rc == 0 && pr->commit_messages.n == 2 &&
	    strncmp(pr->commit_messages.v[0], "Fix all the bugs", 16) == 0, "commit messages");
	free(json);
	rc = gth_github_decode_check_runs("[]", 2, pr, NULL, &err);
	is_int(rc, -GTH_E_PARSE, "a check runs answer without check_runs -> PARSE");
	{
		long long id = 0;
		char *login = NULL;

		ok(gth_github_decode_id_login("{\"id\": 80, \"login\": \"x\"}", 24, &id, &login, &err) == 0 &&
		    id == 80 && gth_str_eq(login, "x"), "id and login");
		free(login);
	}
	{
		long n = 0;
		bool inc = false;

		json = fixture("search_incomplete.json", &len);
		ok(gth_github_decode_search(json, len, &n, &inc, &err) == 0 && n == 2 && inc,
		    "search total_count and incomplete_results");
		free(json);
	}
	gth_forge_reviews_free(rv, nrv);
	gth_pr_free(pr);
}

static void
test_errors(void)
{
	char msg[512];
	size_t len;
	char *json;

	json = fixture("error_422_review.json", &len);
	ok(gth_forge_error_message(json, len, msg, sizeof(msg)), "422 with string errors understood");
	is_str(msg, "Unprocessable Entity: Can not approve your own pull request", "joined message");
	free(json);
	json = fixture("error_422_status.json", &len);
	ok(gth_forge_error_message(json, len, msg, sizeof(msg)), "422 with object errors understood");
	is_str(msg, "Validation Failed: description is too long (maximum is 140 characters)",
	    "object errors use their message");
	free(json);
	json = fixture("error_422_label.json", &len);
	gth_forge_error_message(json, len, msg, sizeof(msg));
	is_str(msg, "Validation Failed: Label.color is invalid", "object errors without message");
	free(json);
	ok(!gth_forge_error_message("<html>", 6, msg, sizeof(msg)), "a non-JSON body has no message");
}

static void
test_state_maps(void)
{
	static const struct {
		const char *status, *conclusion;
		enum gth_gate_state want;
	} cr[] = {
		{ "completed", "success", GTH_GATE_PASS },
		{ "completed", "neutral", GTH_GATE_PASS },
		{ "completed", "failure", GTH_GATE_FAIL },
		{ "completed", "cancelled", GTH_GATE_FAIL },
		{ "completed", "timed_out", GTH_GATE_FAIL },
		{ "completed", "startup_failure", GTH_GATE_FAIL },
		{ "completed", "stale", GTH_GATE_FAIL },
		{ "completed", "skipped", GTH_GATE_SKIPPED },
		{ "completed", "action_required", GTH_GATE_AWAITING },
		{ "queued", NULL, GTH_GATE_PENDING },
		{ "in_progress", NULL, GTH_GATE_PENDING },
		{ "requested", NULL, GTH_GATE_PENDING },
		{ "pending", NULL, GTH_GATE_PENDING },
		{ "waiting", NULL, GTH_GATE_AWAITING },
		{ "COMPLETED", "SUCCESS", GTH_GATE_PASS },
	};
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(cr) / sizeof(cr[0]); i++)
		if (gth_github_check_state(cr[i].status, cr[i].conclusion) != cr[i].want) {
			diag("%s/%s", cr[i].status, cr[i].conclusion ? cr[i].conclusion : "-");
			bad++;
		}
	is_int(bad, 0, "every check-run status/conclusion maps to the right gate state");
	ok(gth_github_status_state("failure") == GTH_GATE_FAIL &&
	    gth_github_status_state("error") == GTH_GATE_FAIL &&
	    gth_github_status_state("pending") == GTH_GATE_PENDING &&
	    gth_github_status_state("success") == GTH_GATE_PASS, "status states map");
	ok(!gth_github_is_bot("User", "alice", NULL), "a user is not a bot");
	ok(gth_github_is_bot("User", "dependabot[bot]", NULL), "REST bot login is a bot");
	ok(gth_github_is_bot("Bot", "copilot-swe-agent", NULL), "GraphQL Bot type is a bot");
}

static void
test_bodies(void)
{
	struct gth_review_comment cm[] = {
		{ "src/a.c", 12, GTH_SIDE_RIGHT, "nit" },
		{ "src/b.c", 3, GTH_SIDE_LEFT, "why \"removed\"?" },
	};
	struct gth_review_post rv = { GTH_REVIEW_REQUEST_CHANGES,
		"ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091", "needs work", cm, 2 };
	struct gth_status_post st;
	struct gth_strvec u = GTH_STRVEC_INIT, t = GTH_STRVEC_INIT;
	char desc[400], *s;
	int i;

	s = gth_github_review_json(&rv);
	is_str(s, "{\"event\":\"REQUEST_CHANGES\",\"commit_id\":\"ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091\","
	    "\"body\":\"needs work\",\"comments\":[{\"path\":\"src/a.c\",\"line\":12,\"side\":\"RIGHT\","
	    "\"body\":\"nit\"},{\"path\":\"src/b.c\",\"line\":3,\"side\":\"LEFT\","
	    "\"body\":\"why \\\"removed\\\"?\"}]}", "review body: event, commit_id, inline comments");
	free(s);
	is_str(gth_review_event_name(GTH_REVIEW_APPROVE), "APPROVE", "APPROVE spelling (not APPROVED)");

	/* 139 ASCII + a 3-byte character straddling the limit */
	for (i = 0; i < 139; i++)
		desc[i] = 'a';
	memcpy(desc + 139, "\xe2\x9c\x93\xe2\x9c\x93tail", 11);
	memset(&st, 0, sizeof(st));
	st.sha = "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091";
	st.state = GTH_STATUS_SUCCESS;
	st.description = desc;
	s = gth_github_status_json(&st);
	ok(strstr(s, "\"context\":\"gatehouse/checkpoint\"") != NULL, "default context");
	ok(strstr(s, "\"state\":\"success\"") != NULL, "state spelled as GitHub wants");
	ok(strstr(s, "aaa\xe2\x80\xa6\"") != NULL, "long description cut with an ellipsis");
	free(s);
	{
		char x[300];

		memset(x, 0, sizeof(x));
		for (i = 0; i < 100; i++)
			memcpy(x + 2 * i, "\xc3\xa9", 2);	/* 100 x é = 200 bytes */
		gth_forge_truncate_utf8(x, 140);
		is_int(strlen(x), 200, "100 two-byte characters fit in 140 characters");
		for (i = 0; i < 145; i++)
			memcpy(x + 2 * i, "\xc3\xa9", 2);
		x[290] = '\0';
		gth_forge_truncate_utf8(x, 140);
		is_int(strlen(x), 139 * 2 + 3, "145 characters cut to 139 + ellipsis, on a boundary");
	}
	gth_strvec_push(&u, "alice");
	gth_strvec_push(&t, "security");
	s = gth_github_strings_json("reviewers", &u, "team_reviewers", &t);
	is_str(s, "{\"reviewers\":[\"alice\"],\"team_reviewers\":[\"security\"]}", "reviewers body");
	free(s);
	gth_strvec_clear(&u);
	gth_strvec_clear(&t);
}

/* The hostile corpus's protocol cases, decoded as the forge layer sees them. */
#define SHA_A "1111111111111111111111111111111111111111"
#define SHA_B "2222222222222222222222222222222222222222"

static void
test_hostile_json(void)
{
	static const char nul[] = "{\"number\": 403, \"head\": {\"sha\": \"" SHA_A "\"}, "
	    "\"title\": \"t\\u0000itle\", \"body\": \"Notes:\\u0000 hidden after a NUL\"}";
	static const char dup[] = "{\"number\": 403, \"head\": {\"sha\": \"" SHA_A "\", "
	    "\"sha\": \"" SHA_B "\"}, \"title\": \"t\"}";
	struct gth_pr *pr = gth_pr_new();
	struct gth_err err;
	struct gth_buf deep = GTH_BUF_INIT;
	int i, rc;

	rc = gth_github_decode_pull(nul, sizeof(nul) - 1, pr, NULL, &err);
	is_int(rc, 0, "a pull request with NUL bytes in its text decodes");
	is_str(pr->body, "Notes:^@ hidden after a NUL", "the body keeps what follows a NUL, shown as ^@");
	is_str(pr->title, "t^@itle", "so does the title");
	rc = gth_github_decode_pull(dup, sizeof(dup) - 1, pr, NULL, &err);
	is_int(rc, -GTH_E_PARSE, "a head with two \"sha\" members is refused, not resolved");
	ok(strstr(err.msg, "duplicate") != NULL, "and the message says why: %s", err.msg);
	is_str(pr->head_sha, SHA_A, "the PR decoded before keeps its head");
	for (i = 0; i < 100000; i++)
		gth_buf_addc(&deep, '[');
	for (i = 0; i < 100000; i++)
		gth_buf_addc(&deep, ']');
	rc = gth_github_decode_pull(deep.data, deep.len, pr, NULL, &err);
	is_int(rc, -GTH_E_PARSE, "JSON nested 100,000 deep is refused without a crash");
	gth_buf_release(&deep);
	gth_pr_free(pr);
}

int
main(void)
{
	test_hostile_json();
	test_queue_page();
	test_task_block();
	test_graphql_errors();
	test_rest();
	test_errors();
	test_state_maps();
	test_bodies();
	return done_testing();
}
