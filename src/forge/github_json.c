/*
 * JSON for the GitHub backend: decoding GraphQL and REST answers into model
 * structs, encoding request bodies, and reading forge error bodies (both
 * 422 shapes: `errors` as strings for reviews, as objects for statuses).
 *
 * Everything decoded here is untrusted text: it is copied as is (the UI
 * sanitizes at draw time); only lengths are bounded, by the HTTP body cap.
 */
#include "config.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/github.h"
#include "gatehouse/forge/http.h"
#include "gatehouse/model/rationale.h"

static json_t *
parse(const char *json, size_t len, const char *what, struct gth_err *err)
{
	json_error_t je;
	json_t *root;

	if (json == NULL || len == 0) {
		gth_err_set(err, -GTH_E_PARSE, "the forge sent an empty body for %s", what);
		return NULL;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (root == NULL)
		gth_err_set(err, -GTH_E_PARSE, "the forge sent malformed JSON for %s (line %d column %d: %s)",
		    what, je.line, je.column, je.text);
	return root;
}

/* A body that must be a JSON array (REST list endpoints). */
static json_t *
parse_array(const char *json, size_t len, const char *what, struct gth_err *err)
{
	json_t *root = parse(json, len, what, err);

	if (root != NULL && !json_is_array(root)) {
		json_decref(root);
		gth_err_set(err, -GTH_E_PARSE, "the forge's answer for %s is not a list", what);
		return NULL;
	}
	return root;
}

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static char *
jdup(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ?
	    gth_str_dup_nul_visible(json_string_value(v), json_string_length(v)) : NULL;
}

static long long
jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static json_t *
jpath(json_t *o, const char *a, const char *b)
{
	o = json_object_get(o, a);
	return b != NULL ? json_object_get(o, b) : o;
}

/* ISO 8601 UTC "2024-01-02T03:04:05Z" -> epoch; 0 if absent or malformed. */
static time_t
jtime(const json_t *o, const char *key)
{
	const char *s = jstr(o, key);
	struct tm tm;
	int y, mo, d, h, mi, se;

	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) != 6)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return timegm(&tm);
}

/* ---- errors ------------------------------------------------------------------------------------ */

bool
gth_forge_error_message(const char *body, size_t len, char *buf, size_t size)
{
	struct gth_buf b = GTH_BUF_INIT;
	json_t *root, *errs, *e;
	const char *m;
	size_t i;

	buf[0] = '\0';
	if (body == NULL || len == 0)
		return false;
	root = json_loadb(body, len, 0, NULL);
	if (root == NULL)
		return false;
	m = jstr(root, "message");
	if (m == NULL)
		m = jstr(root, "error");	/* GitLab, Gitea */
	if (m == NULL && json_is_object(json_object_get(root, "message")))
		m = "validation failed";
	if (m != NULL)
		gth_buf_adds(&b, m);
	errs = json_object_get(root, "errors");
	json_array_foreach(errs, i, e) {
		struct gth_buf one = GTH_BUF_INIT;

		if (json_is_string(e)) {
			gth_buf_adds(&one, json_string_value(e));
		} else if (json_is_object(e)) {
			if (jstr(e, "message") != NULL)
				gth_buf_adds(&one, jstr(e, "message"));
			else if (jstr(e, "code") != NULL)
				gth_buf_addf(&one, "%s%s%s is %s", jstr(e, "resource") ? jstr(e, "resource") : "",
				    jstr(e, "resource") ? "." : "",
				    jstr(e, "field") ? jstr(e, "field") : "value", jstr(e, "code"));
		}
		if (one.len > 0)
			gth_buf_addf(&b, "%s%s", b.len > 0 ? (i == 0 ? ": " : "; ") : "", one.data);
		gth_buf_release(&one);
	}
	json_decref(root);
	if (b.len == 0)
		return false;
	gth_strlcpy(buf, b.data, size);
	gth_buf_release(&b);
	return true;
}

/* ---- state mapping ------------------------------------------------------------------------------ */

enum gth_gate_state
gth_github_check_state(const char *status, const char *conclusion)
{
	if (status != NULL && strcasecmp(status, "completed") != 0) {
		if (strcasecmp(status, "waiting") == 0)
			return GTH_GATE_AWAITING;
		return GTH_GATE_PENDING;	/* queued, in_progress, pending, requested */
	}
	if (conclusion == NULL)
		return GTH_GATE_PENDING;
	if (strcasecmp(conclusion, "success") == 0 || strcasecmp(conclusion, "neutral") == 0)
		return GTH_GATE_PASS;
	if (strcasecmp(conclusion, "skipped") == 0)
		return GTH_GATE_SKIPPED;
	if (strcasecmp(conclusion, "action_required") == 0)
		return GTH_GATE_AWAITING;
	return GTH_GATE_FAIL;	/* failure, timed_out, cancelled, startup_failure, stale */
}

enum gth_gate_state
gth_github_status_state(const char *state)
{
	if (state == NULL)
		return GTH_GATE_PENDING;
	if (strcasecmp(state, "success") == 0)
		return GTH_GATE_PASS;
	if (strcasecmp(state, "failure") == 0 || strcasecmp(state, "error") == 0)
		return GTH_GATE_FAIL;
	return GTH_GATE_PENDING;	/* pending, expected */
}

bool
gth_github_is_bot(const char *typename_, const char *login, const struct gth_strvec *agents)
{
	if (typename_ != NULL && strcmp(typename_, "Bot") == 0)
		return true;
	if (login == NULL)
		return false;
	if (gth_str_has_suffix(login, "[bot]"))
		return true;
	return agents != NULL && gth_strvec_has(agents, login);
}

static char *
lower_dup(const char *s)
{
	char *d = xstrdup(s), *p;

	for (p = d; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

static char *
raw_check_state(const char *status, const char *conclusion)
{
	char *a = lower_dup(status != NULL ? status : "unknown"), *r;

	if (conclusion == NULL)
		return a;
	{
		char *b = lower_dup(conclusion);

		r = xasprintf("%s/%s", a, b);
		free(b);
	}
	free(a);
	return r;
}

/* ---- the task template --------------------------------------------------------------------------- */

static void
strvec_from(json_t *arr, struct gth_strvec *sv)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		if (json_is_string(v))
			gth_strvec_push(sv, json_string_value(v));
		else if (json_is_object(v) && jstr(v, "name") != NULL)
			gth_strvec_push(sv, jstr(v, "name"));
	}
}

struct gth_task_template *
gth_github_task_from_body(const char *body)
{
	struct gth_task_template *t = NULL;
	struct gth_rationale r;
	const char *text;
	size_t len;
	json_t *root;

	/*
	 * The rationale parser knows Markdown's fences; this only decodes what it found.  A
	 * template naming a key twice is no template: the reviewer reads the first task_type,
	 * jansson would keep the last, and the policy must not see what the reviewer did not.
	 */
	gth_rationale_parse(body, strlen(body), &r);
	if (gth_rationale_find_task_json(&r, &text, &len) == 0) {
		root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
		if (json_is_object(root) && json_is_string(json_object_get(root, "task_type"))) {
			t = xcalloc(1, sizeof(*t));
			t->task_type = jdup(root, "task_type");
			t->component = jdup(root, "component");
			t->module_path = jdup(root, "module_path");
			t->rollback_condition = jdup(root, "rollback_condition");
			strvec_from(json_object_get(root, "constraints"), &t->constraints);
			strvec_from(json_object_get(root, "test_cases"), &t->test_cases);
		}
		json_decref(root);
	}
	gth_rationale_release(&r);
	return t;
}

/* ---- GraphQL -------------------------------------------------------------------------------------- */

void
gth_github_page_release(struct gth_github_page *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		gth_pr_free(p->prs[i]);
	free(p->prs);
	free(p->end_cursor);
	memset(p, 0, sizeof(*p));
}

static void
decode_rollup_context(json_t *c, struct gth_pr *pr)
{
	const char *tn = jstr(c, "__typename");
	struct gth_check *ch;

	if (tn == NULL)
		return;
	if (strcmp(tn, "CheckRun") == 0) {
		ch = gth_pr_add_check(pr);
		ch->kind = GTH_CHECK_RUN;
		ch->name = jdup(c, "name");
		ch->state = gth_github_check_state(jstr(c, "status"), jstr(c, "conclusion"));
		ch->raw_state = raw_check_state(jstr(c, "status"), jstr(c, "conclusion"));
		ch->summary = jdup(c, "title");
		if (ch->summary == NULL)
			ch->summary = jdup(c, "summary");
		ch->url = jdup(c, "detailsUrl");
		ch->id = jint(c, "databaseId");
		ch->app = jdup(jpath(c, "checkSuite", "app"), "slug");
		ch->required = json_is_true(json_object_get(c, "isRequired"));
	} else if (strcmp(tn, "StatusContext") == 0) {
		ch = gth_pr_add_check(pr);
		ch->kind = GTH_CHECK_STATUS;
		ch->name = jdup(c, "context");
		ch->state = gth_github_status_state(jstr(c, "state"));
		ch->raw_state = jstr(c, "state") != NULL ? lower_dup(jstr(c, "state")) : NULL;
		ch->summary = jdup(c, "description");
		ch->url = jdup(c, "targetUrl");
		ch->required = json_is_true(json_object_get(c, "isRequired"));
	}
}

static struct gth_pr *
decode_pr_node(json_t *n, const struct gth_github_ctx *ctx)
{
	struct gth_pr *pr;
	json_t *v, *commit, *rr;
	const char *repo;
	size_t i;

	if (!json_is_object(n) || !gth_str_eq(jstr(n, "__typename"), "PullRequest"))
		return NULL;
	repo = jstr(jpath(n, "repository", NULL), "nameWithOwner");
	if (repo == NULL || json_is_true(json_object_get(json_object_get(n, "repository"),
	    "isArchived")))
		return NULL;
	pr = gth_pr_new();
	pr->forge = xstrdup(ctx->forge);
	pr->forge_kind = GTH_FORGE_GITHUB;
	pr->host = xstrdup(ctx->host);
	pr->repo = xstrdup(repo);
	pr->number = (long)jint(n, "number");
	pr->title = jdup(n, "title");
	pr->body = jdup(n, "body");
	pr->url = jdup(n, "url");
	pr->clone_url = xasprintf("%s/%s.git", ctx->web_url, repo);
	pr->author = jdup(json_object_get(n, "author"), "login");
	pr->author_is_bot = gth_github_is_bot(jstr(json_object_get(n, "author"), "__typename"),
	    pr->author, ctx->agents);
	pr->head_sha = jdup(n, "headRefOid");
	pr->base_sha = jdup(n, "baseRefOid");
	pr->head_ref = jdup(n, "headRefName");
	pr->base_ref = jdup(n, "baseRefName");
	pr->draft = json_is_true(json_object_get(n, "isDraft"));
	pr->additions = (long)jint(n, "additions");
	pr->deletions = (long)jint(n, "deletions");
	pr->changed_files = (long)jint(n, "changedFiles");
	pr->review_decision = jdup(n, "reviewDecision");
	pr->created_at = jtime(n, "createdAt");
	pr->updated_at = jtime(n, "updatedAt");
	pr->ready_at = pr->created_at;
	json_array_foreach(jpath(n, "timelineItems", "nodes"), i, v) {
		if (jtime(v, "createdAt") > 0)
			pr->ready_at = jtime(v, "createdAt");
	}
	json_array_foreach(jpath(n, "labels", "nodes"), i, v) {
		if (jstr(v, "name") != NULL)
			gth_strvec_push(&pr->labels, jstr(v, "name"));
	}
	json_array_foreach(jpath(n, "reviewRequests", "nodes"), i, v) {
		rr = json_object_get(v, "requestedReviewer");
		if (jstr(rr, "slug") != NULL)
			gth_strvec_push(&pr->requested_teams, jstr(rr, "slug"));
		else if (jstr(rr, "login") != NULL)
			gth_strvec_push(&pr->requested_users, jstr(rr, "login"));
	}
	/*
	 * The touched paths, so the queue's risk already sees CI config, auth
	 * code or a migration; the full list comes with the details.
	 */
	json_array_foreach(jpath(n, "files", "nodes"), i, v) {
		struct gth_file_change *fc;
		const char *path = jstr(v, "path"), *ct = jstr(v, "changeType");
		char *status;

		if (path == NULL)
			continue;
		fc = gth_pr_add_file(pr);
		fc->path = xstrdup(path);
		fc->additions = (long)jint(v, "additions");
		fc->deletions = (long)jint(v, "deletions");
		/* GraphQL's PatchStatus in the REST files API's words. */
		status = xstrdup(ct != NULL && strcmp(ct, "DELETED") == 0 ? "removed" :
		    ct != NULL ? ct : "modified");
		for (char *c = status; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		fc->status = status;
	}
	pr->files_complete = jint(jpath(n, "files", NULL), "totalCount") <= (long long)pr->n_files;
	commit = json_array_get(jpath(n, "commits", "nodes"), 0);
	commit = json_object_get(commit, "commit");
	json_array_foreach(jpath(json_object_get(commit, "statusCheckRollup"), "contexts", "nodes"),
	    i, v)
		decode_rollup_context(v, pr);
	if (pr->body != NULL)
		pr->task = gth_github_task_from_body(pr->body);
	return pr;
}

static int
graphql_errors(json_t *root, struct gth_err *err)
{
	json_t *errs = json_object_get(root, "errors"), *e;
	struct gth_buf b = GTH_BUF_INIT;
	int code = -GTH_E_HTTP;
	size_t i;

	if (!json_is_array(errs) || json_array_size(errs) == 0)
		return 0;
	json_array_foreach(errs, i, e) {
		const char *type = jstr(e, "type"), *m = jstr(e, "message");

		if (type != NULL && strcmp(type, "RATE_LIMITED") == 0)
			code = -GTH_E_RATELIMIT;
		else if (type != NULL && strcmp(type, "NOT_FOUND") == 0 && code == -GTH_E_HTTP)
			code = -GTH_E_NOTFOUND;
		if (m != NULL && i < 5)
			gth_buf_addf(&b, "%s%s", b.len > 0 ? "; " : "", m);
	}
	gth_err_set(err, code, "GraphQL: %s", b.len > 0 ? b.data : "error without a message");
	gth_buf_release(&b);
	return code;
}

int
gth_github_decode_graphql(const char *json, size_t len, const struct gth_github_ctx *ctx,
	struct gth_github_page *page, struct gth_err *err)
{
	json_t *root, *data, *search, *n, *rl;
	size_t i;
	int rc;

	root = parse(json, len, "the GraphQL queue query", err);
	if (root == NULL)
		return -GTH_E_PARSE;
	data = json_object_get(root, "data");
	rl = json_object_get(data, "rateLimit");
	if (json_is_object(rl)) {
		page->rate_seen = true;
		page->rate.limit = (long)jint(rl, "limit");
		page->rate.remaining = (long)jint(rl, "remaining");
		page->rate.used = (long)jint(rl, "used");
		page->rate.reset = jtime(rl, "resetAt");
		gth_strlcpy(page->rate.resource, "graphql", sizeof(page->rate.resource));
	}
	rc = graphql_errors(root, err);
	/* partial data with errors (a vanished repository) is still data; rate limits are not */
	if (rc != 0 && (rc == -GTH_E_RATELIMIT || !json_is_object(data))) {
		if (rc == -GTH_E_RATELIMIT && page->rate_seen && err != NULL) {
			char keep[sizeof(err->msg)];
			struct tm tm;

			gmtime_r(&page->rate.reset, &tm);
			gth_strlcpy(keep, err->msg, sizeof(keep));
			snprintf(err->msg, sizeof(err->msg), "%.900s (graphql limit; resets at %02d:%02d:%02d UTC)",
			    keep, tm.tm_hour, tm.tm_min, tm.tm_sec);
		}
		json_decref(root);
		return rc;
	}
	if (!json_is_object(data)) {
		json_decref(root);
		return gth_err_set(err, -GTH_E_PARSE, "the GraphQL answer has no data");
	}
	search = json_object_get(data, "search");
	if (json_is_object(search)) {
		page->issue_count = (long)jint(search, "issueCount");
		page->has_next = json_is_true(jpath(search, "pageInfo", "hasNextPage"));
		free(page->end_cursor);
		page->end_cursor = page->has_next ? jdup(json_object_get(search, "pageInfo"),
		    "endCursor") : NULL;
		if (page->has_next && page->end_cursor == NULL)
			page->has_next = false;
		json_array_foreach(json_object_get(search, "nodes"), i, n) {
			struct gth_pr *pr = decode_pr_node(n, ctx);

			if (pr != NULL)
				GTH_PUSH(page->prs, page->n, page->cap) = pr;
		}
	} else if (json_is_object(json_object_get(data, "repository"))) {
		struct gth_pr *pr = decode_pr_node(jpath(data, "repository", "pullRequest"), ctx);

		if (pr == NULL) {
			json_decref(root);
			return gth_err_set(err, -GTH_E_NOTFOUND, "no such pull request");
		}
		GTH_PUSH(page->prs, page->n, page->cap) = pr;
	} else if (rc != 0) {
		json_decref(root);
		return rc;
	} else {
		json_decref(root);
		return gth_err_set(err, -GTH_E_PARSE, "the GraphQL answer has neither search nor repository");
	}
	gth_err_clear(err);
	json_decref(root);
	return 0;
}

/* ---- REST ----------------------------------------------------------------------------------------- */

int
gth_github_decode_pull(const char *json, size_t len, struct gth_pr *pr, bool *open,
	struct gth_err *err)
{
	json_t *root = parse(json, len, "the pull request", err);
	const char *h;

	if (root == NULL)
		return -GTH_E_PARSE;
	h = jstr(jpath(root, "head", NULL), "sha");
	if (h == NULL || !json_is_integer(json_object_get(root, "number"))) {
		json_decref(root);
		return gth_err_set(err, -GTH_E_PARSE, "the pull request has no head.sha or number");
	}
	free(pr->head_sha);
	pr->head_sha = xstrdup(h);
	if (jstr(json_object_get(root, "base"), "sha") != NULL) {
		free(pr->base_sha);
		pr->base_sha = jdup(json_object_get(root, "base"), "sha");
	}
#define REPLACE(field, val) do { char *v_ = (val); if (v_ != NULL) { free(pr->field); pr->field = v_; } } while (0)
	REPLACE(head_ref, jdup(json_object_get(root, "head"), "ref"));
	REPLACE(base_ref, jdup(json_object_get(root, "base"), "ref"));
	REPLACE(title, jdup(root, "title"));
	REPLACE(body, jdup(root, "body"));
	REPLACE(url, jdup(root, "html_url"));
#undef REPLACE
	pr->draft = json_is_true(json_object_get(root, "draft"));
	if (json_is_integer(json_object_get(root, "additions"))) {
		pr->additions = (long)jint(root, "additions");
		pr->deletions = (long)jint(root, "deletions");
		pr->changed_files = (long)jint(root, "changed_files");
	}
	if (open != NULL)
		*open = gth_str_eq(jstr(root, "state"), "open");
	json_decref(root);
	return 0;
}

int
gth_github_decode_check_runs(const char *json, size_t len, struct gth_pr *pr, long *total,
	struct gth_err *err)
{
	json_t *root = parse(json, len, "check runs", err), *runs, *r, *out;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	runs = json_object_get(root, "check_runs");
	if (!json_is_array(runs)) {
		json_decref(root);
		return gth_err_set(err, -GTH_E_PARSE, "check runs answer has no check_runs array");
	}
	if (total != NULL)
		*total = (long)jint(root, "total_count");
	json_array_foreach(runs, i, r) {
		struct gth_check *c = gth_pr_add_check(pr);

		out = json_object_get(r, "output");
		c->kind = GTH_CHECK_RUN;
		c->name = jdup(r, "name");
		c->app = jdup(json_object_get(r, "app"), "slug");
		c->state = gth_github_check_state(jstr(r, "status"), jstr(r, "conclusion"));
		c->raw_state = raw_check_state(jstr(r, "status"), jstr(r, "conclusion"));
		if (jstr(out, "title") != NULL && jstr(out, "summary") != NULL)
			c->summary = xasprintf("%s\n%s", jstr(out, "title"), jstr(out, "summary"));
		else
			c->summary = jstr(out, "summary") != NULL ? jdup(out, "summary") : jdup(out, "title");
		c->url = jstr(r, "details_url") != NULL ? jdup(r, "details_url") : jdup(r, "html_url");
		c->id = jint(r, "id");
		c->annotations_count = (long)jint(out, "annotations_count");
	}
	json_decref(root);
	return 0;
}

int
gth_github_decode_combined_status(const char *json, size_t len, struct gth_pr *pr,
	struct gth_err *err)
{
	json_t *root = parse(json, len, "commit statuses", err), *sts, *s;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	sts = json_object_get(root, "statuses");
	if (!json_is_array(sts)) {
		json_decref(root);
		return gth_err_set(err, -GTH_E_PARSE, "combined status answer has no statuses array");
	}
	json_array_foreach(sts, i, s) {
		struct gth_check *c = gth_pr_add_check(pr);

		c->kind = GTH_CHECK_STATUS;
		c->name = jdup(s, "context");
		c->state = gth_github_status_state(jstr(s, "state"));
		c->raw_state = jdup(s, "state");
		c->summary = jdup(s, "description");
		c->url = jdup(s, "target_url");
		c->id = jint(s, "id");
		c->required = json_is_true(json_object_get(s, "required"));
	}
	json_decref(root);
	return 0;
}

int
gth_github_decode_annotations(const char *json, size_t len, struct gth_check *c,
	struct gth_err *err)
{
	json_t *root = parse_array(json, len, "check annotations", err), *a;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, a) {
		struct gth_annotation *an = gth_check_add_annotation(c);
		const char *lv = jstr(a, "annotation_level");

		an->path = jdup(a, "path");
		an->start_line = (long)jint(a, "start_line");
		an->end_line = (long)jint(a, "end_line");
		an->level = gth_str_eq(lv, "failure") ? GTH_ANNOTATION_FAILURE :
		    gth_str_eq(lv, "warning") ? GTH_ANNOTATION_WARNING : GTH_ANNOTATION_NOTICE;
		an->title = jdup(a, "title");
		an->message = jdup(a, "message");
	}
	json_decref(root);
	return 0;
}

int
gth_github_decode_reviews(const char *json, size_t len, struct gth_review **arr, size_t *n,
	size_t *cap, struct gth_err *err)
{
	json_t *root = parse_array(json, len, "reviews", err), *r;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, r) {
		struct gth_review *rv = &GTH_PUSH(*arr, *n, *cap);

		memset(rv, 0, sizeof(*rv));
		rv->id = jint(r, "id");
		rv->author = jdup(json_object_get(r, "user"), "login");
		rv->state = jdup(r, "state");
		rv->commit = jdup(r, "commit_id");
		rv->body = jdup(r, "body");
		rv->submitted_at = jtime(r, "submitted_at");
	}
	json_decref(root);
	return 0;
}

int
gth_github_decode_branch_required(const char *json, size_t len, struct gth_strvec *required,
	struct gth_err *err)
{
	json_t *root = parse(json, len, "branch", err), *rsc, *v;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	rsc = jpath(json_object_get(root, "protection"), "required_status_checks", NULL);
	json_array_foreach(json_object_get(rsc, "contexts"), i, v) {
		if (json_is_string(v) && !gth_strvec_has(required, json_string_value(v)))
			gth_strvec_push(required, json_string_value(v));
	}
	json_array_foreach(json_object_get(rsc, "checks"), i, v) {
		const char *c = jstr(v, "context");

		if (c != NULL && !gth_strvec_has(required, c))
			gth_strvec_push(required, c);
	}
	json_decref(root);
	return 0;
}

int
gth_github_decode_requested(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err)
{
	json_t *root = parse(json, len, "requested reviewers", err), *v;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	gth_strvec_clear(&pr->requested_users);
	gth_strvec_clear(&pr->requested_teams);
	json_array_foreach(json_object_get(root, "users"), i, v) {
		if (jstr(v, "login") != NULL)
			gth_strvec_push(&pr->requested_users, jstr(v, "login"));
	}
	json_array_foreach(json_object_get(root, "teams"), i, v) {
		if (jstr(v, "slug") != NULL)
			gth_strvec_push(&pr->requested_teams, jstr(v, "slug"));
	}
	json_decref(root);
	return 0;
}

int
gth_github_decode_files(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err)
{
	json_t *root = parse_array(json, len, "files", err), *f;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, f) {
		struct gth_file_change *fc = gth_pr_add_file(pr);

		fc->path = jdup(f, "filename");
		fc->old_path = jdup(f, "previous_filename");
		fc->status = jdup(f, "status");
		fc->additions = (long)jint(f, "additions");
		fc->deletions = (long)jint(f, "deletions");
		fc->patch = jdup(f, "patch");
	}
	json_decref(root);
	return 0;
}

int
gth_github_decode_commits(const char *json, size_t len, struct gth_pr *pr, struct gth_err *err)
{
	json_t *root = parse_array(json, len, "commits", err), *c;
	size_t i;

	if (root == NULL)
		return -GTH_E_PARSE;
	json_array_foreach(root, i, c) {
		const char *m = jstr(json_object_get(c, "commit"), "message");

		if (m != NULL)
			gth_strvec_push(&pr->commit_messages, m);
	}
	json_decref(root);
	return 0;
}

int
gth_github_decode_id_login(const char *json, size_t len, long long *id, char **login,
	struct gth_err *err)
{
	json_t *root = parse(json, len, "the answer", err);

	if (root == NULL)
		return -GTH_E_PARSE;
	if (id != NULL) {
		if (!json_is_integer(json_object_get(root, "id"))) {
			json_decref(root);
			return gth_err_set(err, -GTH_E_PARSE, "the answer has no numeric id");
		}
		*id = jint(root, "id");
	}
	if (login != NULL) {
		*login = jdup(root, "login");
		if (*login == NULL) {
			json_decref(root);
			return gth_err_set(err, -GTH_E_PARSE, "the answer has no login");
		}
	}
	json_decref(root);
	return 0;
}

int
gth_github_decode_search(const char *json, size_t len, long *total, bool *incomplete,
	struct gth_err *err)
{
	json_t *root = parse(json, len, "search results", err);

	if (root == NULL)
		return -GTH_E_PARSE;
	if (!json_is_integer(json_object_get(root, "total_count"))) {
		json_decref(root);
		return gth_err_set(err, -GTH_E_PARSE, "search answer has no total_count");
	}
	*total = (long)jint(root, "total_count");
	*incomplete = json_is_true(json_object_get(root, "incomplete_results"));
	json_decref(root);
	return 0;
}

/* ---- request bodies -------------------------------------------------------------------------------- */

/* A JSON string for s; bytes that are not UTF-8 are sanitized rather than dropped. */
static json_t *
jsafe(const char *s)
{
	json_t *v = json_string(s);
	char *clean;

	if (v != NULL)
		return v;
	clean = gth_sanitize_str(s, strlen(s), GTH_SAN_KEEP_NEWLINES | GTH_SAN_KEEP_TABS |
	    GTH_SAN_NO_MIXED, NULL);
	v = json_string(clean);
	free(clean);
	return v != NULL ? v : json_string("");
}

static char *
dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	if (s == NULL)
		abort();	/* only on allocation failure */
	{
		char *r = xstrdup(s);

		free(s);
		return r;
	}
}

char *
gth_github_review_json(const struct gth_review_post *rv)
{
	json_t *o = json_object(), *arr;
	size_t i;

	json_object_set_new(o, "event", json_string(gth_review_event_name(rv->event)));
	if (rv->commit_id != NULL)
		json_object_set_new(o, "commit_id", json_string(rv->commit_id));
	if (rv->body != NULL)
		json_object_set_new(o, "body", jsafe(rv->body));
	if (rv->n_comments > 0) {
		arr = json_array();
		for (i = 0; i < rv->n_comments; i++) {
			const struct gth_review_comment *c = &rv->comments[i];
			json_t *co = json_object();

			json_object_set_new(co, "path", json_string(c->path));
			json_object_set_new(co, "line", json_integer(c->line));
			json_object_set_new(co, "side", json_string(c->side == GTH_SIDE_LEFT ? "LEFT" : "RIGHT"));
			json_object_set_new(co, "body", jsafe(c->body != NULL ? c->body : ""));
			json_array_append_new(arr, co);
		}
		json_object_set_new(o, "comments", arr);
	}
	return dump(o);
}

char *
gth_github_status_json(const struct gth_status_post *st)
{
	json_t *o = json_object();

	json_object_set_new(o, "state", json_string(gth_status_state_name(st->state)));
	json_object_set_new(o, "context", json_string(st->context != NULL ? st->context :
	    "gatehouse/checkpoint"));
	if (st->description != NULL) {
		char *d = xstrdup(st->description);

		gth_forge_truncate_utf8(d, 140);
		json_object_set_new(o, "description", jsafe(d));
		free(d);
	}
	if (st->target_url != NULL)
		json_object_set_new(o, "target_url", json_string(st->target_url));
	return dump(o);
}

static json_t *
jarray_of(const struct gth_strvec *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; v != NULL && i < v->n; i++)
		json_array_append_new(a, jsafe(v->v[i]));
	return a;
}

char *
gth_github_strings_json(const char *key, const struct gth_strvec *v, const char *key2,
	const struct gth_strvec *v2)
{
	json_t *o = json_object();

	json_object_set_new(o, key, jarray_of(v));
	if (key2 != NULL && v2 != NULL && v2->n > 0)
		json_object_set_new(o, key2, jarray_of(v2));
	return dump(o);
}

char *
gth_github_comment_json(const char *body)
{
	json_t *o = json_object();

	json_object_set_new(o, "body", jsafe(body != NULL ? body : ""));
	return dump(o);
}

char *
gth_github_graphql_json(const char *doc, const char *op, const char *vars_json)
{
	json_t *o = json_object(), *vars;

	vars = json_loads(vars_json, 0, NULL);
	if (vars == NULL)
		vars = json_object();
	json_object_set_new(o, "query", json_string(doc));
	json_object_set_new(o, "operationName", json_string(op));
	json_object_set_new(o, "variables", vars);
	return dump(o);
}

char *
gth_github_queue_vars(const char *q, long first, const char *after)
{
	json_t *o = json_object();

	json_object_set_new(o, "q", jsafe(q));
	json_object_set_new(o, "first", json_integer(first));
	if (after != NULL)
		json_object_set_new(o, "after", jsafe(after));
	return dump(o);
}

char *
gth_github_pull_vars(const char *owner, const char *name, long number)
{
	json_t *o = json_object();

	json_object_set_new(o, "owner", jsafe(owner));
	json_object_set_new(o, "name", jsafe(name));
	json_object_set_new(o, "number", json_integer(number));
	return dump(o);
}
