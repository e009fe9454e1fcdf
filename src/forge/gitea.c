/*
 * Gitea / Forgejo backend (API v1).
 *
 * The queue is the union of issue searches (GET /repos/issues/search with
 * type=pulls; the defaults: label needs-checkpoint, and review requested
 * from me), then each PR's pull object (head/base SHAs, labels, requested
 * reviewers) and combined status, read concurrently.  Configured queries are
 * extra query strings for that search ("type=pulls&state=open&labels=x").
 *
 * Reviews are sent with Gitea's event spelling (APPROVED, REQUEST_CHANGES,
 * COMMENT) pinned to commit_id, and the answer is checked: Gitea files an
 * unknown event as a PENDING review with HTTP 200, which must never pass
 * for an approval.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/log.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/gitea.h"
#include "gatehouse/forge/github.h"

#define MAX_SEARCH_PAGES 20
#define MAX_FILE_PAGES 60	/* 3,000 files at 50 per page */

static const char *const default_queries[] = {
	"type=pulls&state=open&labels=needs-checkpoint",
	"type=pulls&state=open&review_requested=true",
};

static struct gth_gitea_ctx
ctx_of(const struct gth_forge *f)
{
	struct gth_gitea_ctx c = { f->cfg.name, f->host, f->cfg.web_url, &f->cfg.agents };

	return c;
}

/* ---- reads ------------------------------------------------------------------------------------ */

struct found {
	struct gth_strvec repos;
	long *numbers;
	size_t n, cap;
};

static int
page_search(const char *j, size_t l, void *arg, struct gth_err *e)
{
	struct found *fd = arg;

	return gth_gitea_decode_issue_search(j, l, &fd->repos, &fd->numbers, &fd->n, &fd->cap, e);
}

static int
page_status(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_gitea_decode_combined_status(j, l, arg, e);
}

static int
page_tasks(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_gitea_decode_action_tasks(j, l, arg, e);
}

struct prot {
	const char *branch;
	struct gth_strvec *required;
};

static int
page_protections(const char *j, size_t l, void *arg, struct gth_err *e)
{
	struct prot *p = arg;

	return gth_gitea_decode_protections(j, l, p->branch, p->required, e);
}

static int
page_files(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_gitea_decode_files(j, l, arg, e);
}

static int
page_commits(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_gitea_decode_commits(j, l, arg, e);
}

struct review_list {
	struct gth_review *v;
	size_t n, cap;
};

static int
page_reviews(const char *j, size_t l, void *arg, struct gth_err *e)
{
	struct review_list *rl = arg;

	return gth_gitea_decode_reviews(j, l, &rl->v, &rl->n, &rl->cap, e);
}

/* One read of the queue's second round: what it is for and whose it is. */
struct slot {
	enum { SLOT_STATUS, SLOT_FILES, SLOT_TASKS } what;
	size_t pr;		/* index into the PRs (SLOT_TASKS: the first PR of that repo) */
};

/* Whether PR i is the first of its repository among the fetched ones. */
static bool
first_of_repo(char **repos, struct gth_pr **out, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (out[j] != NULL && strcmp(repos[j], repos[i]) == 0)
			return false;
	return true;
}

/*
 * Pull objects, then (second round, concurrent) each PR's combined status
 * and first page of files, and each repository's recent Actions runs.
 * out[i] gets PR i (owned) or stays NULL when it failed (rc says why).
 */
static int
fetch_pulls(struct gth_forge *f, char **repos, const long *numbers, size_t n,
	struct gth_pr **out, volatile int *cancel, struct gth_err *err)
{
	size_t max = 3 * n + 1, i, k, m = 0;
	struct gth_http_req *reqs = xcalloc(max, sizeof(*reqs));
	struct gth_http_resp *resps = xcalloc(max, sizeof(*resps));
	struct gth_err *errs = xcalloc(max, sizeof(*errs));
	struct slot *slots = xcalloc(max, sizeof(*slots));
	int *rcs = xcalloc(max, sizeof(*rcs));
	struct gth_gitea_ctx ctx = ctx_of(f);
	int rc = 0;

	for (i = 0; i < n; i++) {
		reqs[i].method = GTH_HTTP_GET;
		reqs[i].conditional = true;
		reqs[i].cancel = cancel;
		reqs[i].url = gth_rest_url(f, "/repos/%s/pulls/%ld", repos[i], numbers[i]);
	}
	if (n > 0)
		gth_http_request_many(f->http, reqs, resps, rcs, errs, n);
	for (i = 0; i < n; i++) {
		int r = rcs[i];

		if (r == 0)
			r = gth_gitea_decode_pull(resps[i].body.data, resps[i].body.len, &ctx, &out[i],
			    NULL, &errs[i]);
		if (r != 0 && rc == 0) {
			rc = r;
			if (err != NULL)
				*err = errs[i];
		}
		free((char *)reqs[i].url);
		gth_http_resp_release(&resps[i]);
	}

	memset(reqs, 0, max * sizeof(*reqs));
	for (i = 0; i < n && rc == 0; i++) {
		if (out[i] == NULL)
			continue;
		slots[m].what = SLOT_STATUS;
		slots[m].pr = i;
		reqs[m++].url = gth_rest_url(f, "/repos/%s/commits/%s/status?limit=50", repos[i],
		    out[i]->head_sha);
		slots[m].what = SLOT_FILES;
		slots[m].pr = i;
		reqs[m++].url = gth_rest_url(f, "/repos/%s/pulls/%ld/files?limit=50", repos[i],
		    numbers[i]);
		if (first_of_repo(repos, out, i)) {
			slots[m].what = SLOT_TASKS;
			slots[m].pr = i;
			reqs[m++].url = gth_rest_url(f, "/repos/%s/actions/tasks?limit=50", repos[i]);
		}
	}
	for (k = 0; k < m; k++) {
		reqs[k].method = GTH_HTTP_GET;
		reqs[k].conditional = true;
		reqs[k].cancel = cancel;
	}
	if (m > 0)
		gth_http_request_many(f->http, reqs, resps, rcs, errs, m);
	for (k = 0; k < m; k++) {
		struct gth_pr *pr = out[slots[k].pr];
		const char *b = resps[k].body.data;
		size_t len = resps[k].body.len;
		int r = rcs[k];

		if (slots[k].what == SLOT_TASKS) {
			/* Actions may be off or the server too old: then there are no runs */
			for (i = slots[k].pr; r == 0 && i < n; i++)
				if (out[i] != NULL && strcmp(repos[i], repos[slots[k].pr]) == 0)
					gth_gitea_decode_action_tasks(b, len, out[i], &errs[k]);
			r = 0;
		} else if (r == 0 && slots[k].what == SLOT_STATUS) {
			r = gth_gitea_decode_combined_status(b, len, pr, &errs[k]);
		} else if (r == 0) {
			r = gth_gitea_decode_files(b, len, pr, &errs[k]);
			pr->files_complete = resps[k].next_url == NULL;
		}
		if (r != 0 && rc == 0) {
			rc = r;
			if (err != NULL)
				*err = errs[k];
		}
		free((char *)reqs[k].url);
		gth_http_resp_release(&resps[k]);
	}
	if (rc == 0 && cancel != NULL && *cancel)
		rc = gth_err_set(err, -GTH_E_CANCEL, "cancelled");
	free(reqs);
	free(resps);
	free(errs);
	free(slots);
	free(rcs);
	return rc;
}

static int
gt_list_queue(struct gth_forge *f, struct gth_pr ***prs, size_t *n, volatile int *cancel,
	struct gth_err *err)
{
	struct found fd;
	struct gth_strvec queries = GTH_STRVEC_INIT, repos = GTH_STRVEC_INIT;
	long *numbers = NULL;
	size_t i, j, k = 0, cap = 0;
	struct gth_pr **got = NULL;
	int rc = 0;

	memset(&fd, 0, sizeof(fd));
	if (f->cfg.queries.n > 0)
		gth_strvec_extend(&queries, &f->cfg.queries);
	else
		for (i = 0; i < sizeof(default_queries) / sizeof(default_queries[0]); i++)
			gth_strvec_push(&queries, default_queries[i]);
	for (i = 0; i < queries.n && rc == 0; i++)
		rc = gth_rest_get_pages(f, gth_rest_url(f, "/repos/issues/search?%s&limit=%ld",
		    queries.v[i], f->cfg.page_size), page_search, &fd, MAX_SEARCH_PAGES, NULL, cancel,
		    err);
	if (rc != 0)
		goto out;
	/* de-duplicate across queries, keeping the first query's order */
	numbers = xcalloc(fd.n + 1, sizeof(*numbers));
	for (i = 0; i < fd.n; i++) {
		bool dup = false;

		for (j = 0; j < k && !dup; j++)
			dup = numbers[j] == fd.numbers[i] && strcmp(repos.v[j], fd.repos.v[i]) == 0;
		if (!dup) {
			gth_strvec_push(&repos, fd.repos.v[i]);
			numbers[k++] = fd.numbers[i];
		}
	}
	got = xcalloc(k + 1, sizeof(*got));
	rc = fetch_pulls(f, repos.v, numbers, k, got, cancel, err);
	for (i = 0; i < k; i++) {
		if (got[i] == NULL)
			continue;
		if (rc == 0)
			GTH_PUSH(*prs, *n, cap) = got[i];
		else
			gth_pr_free(got[i]);
	}
out:
	free(got);
	free(numbers);
	free(fd.numbers);
	gth_strvec_clear(&fd.repos);
	gth_strvec_clear(&repos);
	gth_strvec_clear(&queries);
	return rc;
}

static int
gt_get_pr(struct gth_forge *f, const char *repo, long number, struct gth_pr **out,
	volatile int *cancel, struct gth_err *err)
{
	char *r = (char *)repo;
	int rc;

	if ((rc = gth_rest_check_repo(repo, 2, err)) < 0)
		return rc;
	rc = fetch_pulls(f, &r, &number, 1, out, cancel, err);
	if (rc == -GTH_E_NOTFOUND)
		gth_err_set(err, rc, "%s#%ld: no such pull request (or no access)", repo, number);
	if (rc != 0 && *out != NULL) {
		gth_pr_free(*out);
		*out = NULL;
	}
	return rc;
}

static int
gt_get_details(struct gth_forge *f, struct gth_pr *pr, volatile int *cancel, struct gth_err *err)
{
	struct review_list rl = { NULL, 0, 0 };
	struct gth_pr *fresh = NULL;
	struct gth_http_resp resp;
	struct gth_gitea_ctx ctx = ctx_of(f);
	struct gth_err terr;
	bool open = true, truncated = false;
	char *url;
	int rc;

	if ((rc = gth_rest_check_repo(pr->repo, 2, err)) < 0)
		return rc;
	url = gth_rest_url(f, "/repos/%s/pulls/%ld", pr->repo, pr->number);
	rc = gth_rest_call(f, GTH_HTTP_GET, url, NULL, cancel, &resp, err);
	free(url);
	if (rc == 0)
		rc = gth_gitea_decode_pull(resp.body.data, resp.body.len, &ctx, &fresh, &open, err);
	gth_http_resp_release(&resp);
	if (rc != 0)
		goto out;
	if (!open)
		gth_info("forge %s: %s#%ld is no longer open", f->cfg.name, pr->repo, pr->number);

	/* fresh collects everything; it is swapped into pr only when all reads succeeded */
	rc = gth_rest_get_pages(f, gth_rest_url(f, "/repos/%s/commits/%s/status?limit=50",
	    pr->repo, fresh->head_sha), page_status, fresh, 10, NULL, cancel, err);
	if (rc == 0) {
		/* Actions may be disabled or the server too old: then there are just no runs */
		memset(&terr, 0, sizeof(terr));
		if (gth_rest_get_pages(f, gth_rest_url(f, "/repos/%s/actions/tasks?limit=50",
		    pr->repo), page_tasks, fresh, 2, NULL, cancel, &terr) != 0)
			gth_debug("forge %s: no Actions runs for %s (%s)", f->cfg.name, pr->repo,
			    terr.msg);
	}
	if (rc == 0) {
		struct gth_strvec required = GTH_STRVEC_INIT;
		struct prot p = { fresh->base_ref, &required };

		/* reading protections needs repo admin on some servers: then none are known */
		memset(&terr, 0, sizeof(terr));
		if (gth_rest_get_pages(f, gth_rest_url(f, "/repos/%s/branch_protections", pr->repo),
		    page_protections, &p, 1, NULL, cancel, &terr) != 0)
			gth_debug("forge %s: no branch protections for %s (%s)", f->cfg.name, pr->repo,
			    terr.msg);
		gth_rest_apply_required(fresh, &required);
		gth_strvec_clear(&required);
	}
	if (rc == 0)
		rc = gth_rest_get_pages(f, gth_rest_url(f, "/repos/%s/pulls/%ld/reviews?limit=50",
		    pr->repo, pr->number), page_reviews, &rl, 20, NULL, cancel, err);
	if (rc == 0)
		rc = gth_rest_get_pages(f, gth_rest_url(f, "/repos/%s/pulls/%ld/files?limit=50",
		    pr->repo, pr->number), page_files, fresh, MAX_FILE_PAGES, &truncated, cancel, err);
	if (rc == 0)
		rc = gth_rest_get_pages(f, gth_rest_url(f, "/repos/%s/pulls/%ld/commits?limit=50",
		    pr->repo, pr->number), page_commits, fresh, 5, NULL, cancel, err);
	if (rc != 0)
		goto out;

	gth_rest_adopt_details(pr, fresh, &rl.v, rl.n, rl.cap, !truncated);
	rl.n = 0;
out:
	gth_forge_reviews_free(rl.v, rl.n);
	gth_pr_free(fresh);
	return rc;
}

/* ---- writes ------------------------------------------------------------------------------------ */

static int
post_json(struct gth_forge *f, char *url, char *body, volatile int *cancel,
	struct gth_http_resp *resp, struct gth_err *err)
{
	int rc = gth_rest_call(f, GTH_HTTP_POST, url, body, cancel, resp, err);

	free(url);
	free(body);
	return rc;
}

static int
post_simple(struct gth_forge *f, char *url, char *body, volatile int *cancel, struct gth_err *err)
{
	struct gth_http_resp resp;
	int rc = post_json(f, url, body, cancel, &resp, err);

	gth_http_resp_release(&resp);
	return rc;
}

static int
post_del(struct gth_forge *f, char *url, volatile int *cancel, struct gth_err *err)
{
	struct gth_http_resp resp;
	int rc = gth_rest_call(f, GTH_HTTP_DELETE, url, NULL, cancel, &resp, err);

	gth_http_resp_release(&resp);
	free(url);
	return rc;
}

static int
gt_post_review(struct gth_forge *f, const char *repo, long number,
	const struct gth_review_post *rv, long long *review_id, volatile int *cancel,
	struct gth_err *err)
{
	struct gth_http_resp resp;
	long long id = 0;
	size_t i;
	int rc;

	if ((rc = gth_rest_check_repo(repo, 2, err)) < 0)
		return rc;
	if (rv->commit_id == NULL || *rv->commit_id == '\0')
		return gth_err_set(err, -GTH_E_INVAL, "a review must be pinned to a commit");
	if (rv->event != GTH_REVIEW_APPROVE && (rv->body == NULL || *rv->body == '\0'))
		return gth_err_set(err, -GTH_E_INVAL, "%s needs a body", gth_gitea_event_name(rv->event));
	for (i = 0; i < rv->n_comments; i++)
		if (rv->comments[i].path == NULL || rv->comments[i].line <= 0)
			return gth_err_set(err, -GTH_E_INVAL, "inline comment %zu has no path or line", i);
	rc = post_json(f, gth_rest_url(f, "/repos/%s/pulls/%ld/reviews", repo, number),
	    gth_gitea_review_json(rv), cancel, &resp, err);
	if (rc == 0)
		rc = gth_gitea_decode_created_review(resp.body.data, resp.body.len, &id, err);
	gth_http_resp_release(&resp);
	if (rc == -GTH_E_PROTO && id > 0) {
		struct gth_err derr;

		/*
		 * A pending review carries our signed record but approves nothing, and its
		 * owner sees it listed: delete it, so that no later look for the record can
		 * take it for a delivered decision.
		 */
		memset(&derr, 0, sizeof(derr));
		if (post_del(f, gth_rest_url(f, "/repos/%s/pulls/%ld/reviews/%lld", repo, number, id),
		    cancel, &derr) != 0)
			gth_info("forge %s: could not delete pending review %lld on %s#%ld: %s",
			    f->cfg.name, id, repo, number, derr.msg);
	}
	if (rc == 0 && review_id != NULL)
		*review_id = id;
	return rc;
}

static int
gt_post_status(struct gth_forge *f, const char *repo, const struct gth_status_post *st,
	volatile int *cancel, struct gth_err *err)
{
	size_t n;
	int rc;

	if ((rc = gth_rest_check_repo(repo, 2, err)) < 0)
		return rc;
	n = st->sha != NULL ? strspn(st->sha, "0123456789abcdef") : 0;
	if (st->sha == NULL || st->sha[n] != '\0' || (n != 40 && n != 64))
		return gth_err_set(err, -GTH_E_INVAL, "not a commit id: %.80s", st->sha ? st->sha : "");
	return post_simple(f, gth_rest_url(f, "/repos/%s/statuses/%s", repo, st->sha),
	    gth_github_status_json(st), cancel, err);
}

static int
gt_add_labels(struct gth_forge *f, const char *repo, long number, const struct gth_strvec *labels,
	volatile int *cancel, struct gth_err *err)
{
	int rc;

	if ((rc = gth_rest_check_repo(repo, 2, err)) < 0)
		return rc;
	if (labels == NULL || labels->n == 0)
		return 0;
	/* names are accepted alongside ids since Gitea 1.19 / Forgejo */
	return post_simple(f, gth_rest_url(f, "/repos/%s/issues/%ld/labels", repo, number),
	    gth_github_strings_json("labels", labels, NULL, NULL), cancel, err);
}

static int
gt_request_reviewers(struct gth_forge *f, const char *repo, long number,
	const struct gth_strvec *users, const struct gth_strvec *teams, volatile int *cancel,
	struct gth_err *err)
{
	int rc;

	if ((rc = gth_rest_check_repo(repo, 2, err)) < 0)
		return rc;
	return post_simple(f, gth_rest_url(f, "/repos/%s/pulls/%ld/requested_reviewers", repo,
	    number), gth_github_strings_json("reviewers", users, "team_reviewers", teams), cancel,
	    err);
}

static int
gt_post_comment(struct gth_forge *f, const char *repo, long number, const char *body,
	volatile int *cancel, struct gth_err *err)
{
	int rc;

	if ((rc = gth_rest_check_repo(repo, 2, err)) < 0)
		return rc;
	if (body == NULL || *body == '\0')
		return gth_err_set(err, -GTH_E_INVAL, "empty comment");
	return post_simple(f, gth_rest_url(f, "/repos/%s/issues/%ld/comments", repo, number),
	    gth_github_comment_json(body), cancel, err);
}

static int
gt_list_reviews(struct gth_forge *f, const char *repo, long number, struct gth_review **reviews,
	size_t *n, volatile int *cancel, struct gth_err *err)
{
	struct review_list rl = { NULL, 0, 0 };
	int rc;

	if ((rc = gth_rest_check_repo(repo, 2, err)) < 0)
		return rc;
	rc = gth_rest_get_pages(f, gth_rest_url(f, "/repos/%s/pulls/%ld/reviews?limit=50", repo,
	    number), page_reviews, &rl, 40, NULL, cancel, err);
	if (rc != 0) {
		gth_forge_reviews_free(rl.v, rl.n);
		return rc;
	}
	*reviews = rl.v;
	*n = rl.n;
	return 0;
}

static int
gt_whoami(struct gth_forge *f, char **login, volatile int *cancel, struct gth_err *err)
{
	struct gth_http_resp resp;
	char *url = gth_rest_url(f, "/user");
	int rc;

	rc = gth_rest_call(f, GTH_HTTP_GET, url, NULL, cancel, &resp, err);
	free(url);
	if (rc == 0)
		rc = gth_gitea_decode_login(resp.body.data, resp.body.len, login, err);
	gth_http_resp_release(&resp);
	return rc;
}

static const struct gth_forge_ops gitea_ops = {
	.list_queue = gt_list_queue,
	.get_pr = gt_get_pr,
	.get_details = gt_get_details,
	.post_review = gt_post_review,
	.post_status = gt_post_status,
	.add_labels = gt_add_labels,
	.request_reviewers = gt_request_reviewers,
	.post_comment = gt_post_comment,
	.list_reviews = gt_list_reviews,
	.whoami = gt_whoami,
	.free = NULL,
};

int
gth_gitea_new(const struct gth_forge_config *cfg, struct gth_forge **out, struct gth_err *err)
{
	static const struct gth_rest_kind kind = { "gitea", "/api/v1", "token", &gitea_ops };

	return gth_rest_forge_new(cfg, &kind, out, err);
}
