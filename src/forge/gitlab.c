/*
 * GitLab backend (REST API v4; gitlab.com or a self-managed base URL).
 *
 * The queue is the union of MR lists (GET /merge_requests; the defaults:
 * open MRs labelled needs-checkpoint, and open MRs whose reviewer is me),
 * then each MR (diff_refs, head pipeline) and its gates, read concurrently.
 * Configured queries are extra query strings for that list
 * ("scope=all&state=opened&labels=x").  Projects are addressed by their
 * URL-encoded full path.  The token goes as "Authorization: Bearer", which
 * GitLab accepts for personal, project and OAuth tokens alike.
 *
 * Verdicts: see gitlab.h (approval with sha + a note carrying the body).
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/log.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/gitea.h"
#include "gatehouse/forge/gitlab.h"

#define MAX_LIST_PAGES 20
#define MAX_DIFF_PAGES 30
#define REPO_DEPTH 21		/* GitLab nests groups 20 deep */

static const char *const default_queries[] = {
	"scope=all&state=opened&labels=needs-checkpoint",
	"scope=reviews_for_me&state=opened",
};

static struct gth_gitlab_ctx
ctx_of(const struct gth_forge *f)
{
	struct gth_gitlab_ctx c = { f->cfg.name, f->host, f->cfg.web_url, &f->cfg.agents };

	return c;
}

/* "<api>/projects/<encoded path><tail>", owned. */
static char *
proj_url(const struct gth_forge *f, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static char *
proj_url(const struct gth_forge *f, const char *path, const char *fmt, ...)
{
	char *id = gth_http_escape(path), *tail, *url;
	va_list ap;

	va_start(ap, fmt);
	tail = xvasprintf(fmt, ap);
	va_end(ap);
	url = gth_rest_url(f, "/projects/%s%s", id, tail);
	free(id);
	free(tail);
	return url;
}

/* ---- reads ---------------------------------------------------------------------------------------- */

struct found {
	struct gth_strvec paths;
	long *iids;
	size_t n, cap;
};

static int
page_list(const char *j, size_t l, void *arg, struct gth_err *e)
{
	struct found *fd = arg;

	return gth_gitlab_decode_mr_list(j, l, &fd->paths, &fd->iids, &fd->n, &fd->cap, e);
}

static int
page_jobs(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_gitlab_decode_jobs(j, l, arg, e);
}

static int
page_statuses(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_gitlab_decode_statuses(j, l, arg, e);
}

static int
page_diffs(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_gitlab_decode_diffs(j, l, arg, e);
}

static int
page_commits(const char *j, size_t l, void *arg, struct gth_err *e)
{
	return gth_gitlab_decode_commits(j, l, arg, e);
}

struct review_list {
	struct gth_review *v;
	size_t n, cap;
};

static int
page_notes(const char *j, size_t l, void *arg, struct gth_err *e)
{
	struct review_list *rl = arg;

	return gth_gitlab_decode_notes(j, l, &rl->v, &rl->n, &rl->cap, e);
}

/* One MR and all its gates (pipeline jobs, then external statuses).  x may be NULL. */
static int
read_mr(struct gth_forge *f, const char *path, long iid, struct gth_pr **out,
	struct gth_gitlab_mr_extra *x, volatile int *cancel, struct gth_err *err)
{
	struct gth_gitlab_ctx ctx = ctx_of(f);
	struct gth_gitlab_mr_extra ex;
	struct gth_http_resp resp;
	char *url = proj_url(f, path, "/merge_requests/%ld", iid);
	int rc;

	memset(&ex, 0, sizeof(ex));
	*out = NULL;
	rc = gth_rest_call(f, GTH_HTTP_GET, url, NULL, cancel, &resp, err);
	free(url);
	if (rc == 0)
		rc = gth_gitlab_decode_mr(resp.body.data, resp.body.len, &ctx, out, &ex, err);
	gth_http_resp_release(&resp);
	if (rc == -GTH_E_NOTFOUND)
		gth_err_set(err, rc, "%s!%ld: no such merge request (or no access)", path, iid);
	if (rc == 0 && ex.pipeline_id > 0)
		rc = gth_rest_get_pages(f, proj_url(f, path, "/pipelines/%lld/jobs?per_page=100",
		    ex.pipeline_id), page_jobs, *out, 5, NULL, cancel, err);
	if (rc == 0)
		rc = gth_rest_get_pages(f, proj_url(f, path, "/repository/commits/%s/statuses?"
		    "per_page=100", (*out)->head_sha), page_statuses, *out, 5, NULL, cancel, err);
	if (rc != 0) {
		gth_pr_free(*out);
		*out = NULL;
	}
	if (x != NULL)
		*x = ex;
	else
		gth_gitlab_mr_extra_release(&ex);
	return rc;
}

/* One read of the queue's second round. */
struct slot {
	enum { SLOT_JOBS, SLOT_STATUSES, SLOT_DIFFS } what;
	size_t mr;
};

static void
get_req(struct gth_http_req *r, char *url, volatile int *cancel)
{
	memset(r, 0, sizeof(*r));
	r->method = GTH_HTTP_GET;
	r->url = url;
	r->conditional = true;
	r->cancel = cancel;
}

/* Note the first failure of a batch. */
static void
first_error(int r, const struct gth_err *e, int *rc, struct gth_err *err)
{
	if (r != 0 && *rc == 0) {
		*rc = r;
		if (err != NULL)
			*err = *e;
	}
}

/*
 * The queue's reads for n MRs in two concurrent rounds: the MRs, then the
 * first page of each one's pipeline jobs, statuses and diffs (statuses
 * decoded after jobs, so that a job listed among them counts once).  On
 * success out[i] gets MR i (owned); on failure nothing is kept.
 */
static int
read_mrs(struct gth_forge *f, char **paths, const long *iids, size_t n, struct gth_pr **out,
	volatile int *cancel, struct gth_err *err)
{
	size_t max = 3 * n + 1, i, k, m = 0;
	struct gth_http_req *reqs = xcalloc(max, sizeof(*reqs));
	struct gth_http_resp *resps = xcalloc(max, sizeof(*resps));
	struct gth_err *errs = xcalloc(max, sizeof(*errs));
	struct slot *slots = xcalloc(max, sizeof(*slots));
	int *rcs = xcalloc(max, sizeof(*rcs));
	long long *pipes = xcalloc(n + 1, sizeof(*pipes));
	struct gth_gitlab_ctx ctx = ctx_of(f);
	int rc = 0;

	for (i = 0; i < n; i++)
		get_req(&reqs[i], proj_url(f, paths[i], "/merge_requests/%ld", iids[i]), cancel);
	if (n > 0)
		gth_http_request_many(f->http, reqs, resps, rcs, errs, n);
	for (i = 0; i < n; i++) {
		struct gth_gitlab_mr_extra x;
		int r = rcs[i];

		memset(&x, 0, sizeof(x));
		if (r == 0)
			r = gth_gitlab_decode_mr(resps[i].body.data, resps[i].body.len, &ctx, &out[i], &x,
			    &errs[i]);
		first_error(r, &errs[i], &rc, err);
		free((char *)reqs[i].url);
		gth_http_resp_release(&resps[i]);
		pipes[i] = x.pipeline_id;
		gth_gitlab_mr_extra_release(&x);
	}
	/* the second round's requests, now that the first round's slots are free */
	for (i = 0; i < n && rc == 0; i++) {
		if (pipes[i] > 0) {
			slots[m] = (struct slot){ SLOT_JOBS, i };
			get_req(&reqs[m++], proj_url(f, paths[i], "/pipelines/%lld/jobs?per_page=100",
			    pipes[i]), cancel);
		}
		slots[m] = (struct slot){ SLOT_STATUSES, i };
		get_req(&reqs[m++], proj_url(f, paths[i], "/repository/commits/%s/statuses?"
		    "per_page=100", out[i]->head_sha), cancel);
		slots[m] = (struct slot){ SLOT_DIFFS, i };
		get_req(&reqs[m++], proj_url(f, paths[i], "/merge_requests/%ld/diffs?per_page=100",
		    iids[i]), cancel);
	}
	if (rc == 0 && m > 0)
		gth_http_request_many(f->http, reqs, resps, rcs, errs, m);
	for (k = 0; k < m; k++) {
		struct gth_pr *pr = out[slots[k].mr];
		const char *b = resps[k].body.data;
		size_t len = resps[k].body.len;
		int r = rc == 0 ? rcs[k] : 0;

		if (rc == 0 && r == 0 && slots[k].what == SLOT_JOBS)
			r = gth_gitlab_decode_jobs(b, len, pr, &errs[k]);
		else if (rc == 0 && r == 0 && slots[k].what == SLOT_STATUSES)
			r = gth_gitlab_decode_statuses(b, len, pr, &errs[k]);
		else if (rc == 0 && r == 0) {
			r = gth_gitlab_decode_diffs(b, len, pr, &errs[k]);
			pr->files_complete = resps[k].next_url == NULL;
		}
		first_error(r, &errs[k], &rc, err);
		free((char *)reqs[k].url);
		gth_http_resp_release(&resps[k]);
	}
	if (rc == 0 && cancel != NULL && *cancel)
		rc = gth_err_set(err, -GTH_E_CANCEL, "cancelled");
	for (i = 0; rc != 0 && i < n; i++) {
		gth_pr_free(out[i]);
		out[i] = NULL;
	}
	free(reqs);
	free(resps);
	free(errs);
	free(slots);
	free(rcs);
	free(pipes);
	return rc;
}

static int
gl_list_queue(struct gth_forge *f, struct gth_pr ***prs, size_t *n, volatile int *cancel,
	struct gth_err *err)
{
	struct gth_strvec queries = GTH_STRVEC_INIT, uniq = GTH_STRVEC_INIT;
	struct gth_pr **got;
	struct found fd;
	size_t i, j, k = 0, cap = 0;
	long *iids;
	int rc = 0;

	memset(&fd, 0, sizeof(fd));
	if (f->cfg.queries.n > 0)
		gth_strvec_extend(&queries, &f->cfg.queries);
	else
		for (i = 0; i < sizeof(default_queries) / sizeof(default_queries[0]); i++)
			gth_strvec_push(&queries, default_queries[i]);
	for (i = 0; i < queries.n && rc == 0; i++)
		rc = gth_rest_get_pages(f, gth_rest_url(f, "/merge_requests?%s&per_page=%ld",
		    queries.v[i], f->cfg.page_size), page_list, &fd, MAX_LIST_PAGES, NULL, cancel, err);
	/* de-duplicate across queries, keeping the first query's order */
	iids = xcalloc(fd.n + 1, sizeof(*iids));
	for (i = 0; i < fd.n && rc == 0; i++) {
		bool dup = false;

		for (j = 0; j < k && !dup; j++)
			dup = iids[j] == fd.iids[i] && strcmp(uniq.v[j], fd.paths.v[i]) == 0;
		if (!dup) {
			gth_strvec_push(&uniq, fd.paths.v[i]);
			iids[k++] = fd.iids[i];
		}
	}
	got = xcalloc(k + 1, sizeof(*got));
	if (rc == 0)
		rc = read_mrs(f, uniq.v, iids, k, got, cancel, err);
	for (i = 0; rc == 0 && i < k; i++)
		GTH_PUSH(*prs, *n, cap) = got[i];
	free(got);
	free(iids);
	gth_strvec_clear(&uniq);
	free(fd.iids);
	gth_strvec_clear(&fd.paths);
	gth_strvec_clear(&queries);
	return rc;
}

static int
gl_get_pr(struct gth_forge *f, const char *repo, long number, struct gth_pr **out,
	volatile int *cancel, struct gth_err *err)
{
	int rc;

	if ((rc = gth_rest_check_repo(repo, REPO_DEPTH, err)) < 0)
		return rc;
	rc = read_mrs(f, (char **)&repo, &number, 1, out, cancel, err);
	if (rc == -GTH_E_NOTFOUND)
		gth_err_set(err, rc, "%s!%ld: no such merge request (or no access)", repo, number);
	return rc;
}

static int
gl_get_details(struct gth_forge *f, struct gth_pr *pr, volatile int *cancel, struct gth_err *err)
{
	struct review_list rl = { NULL, 0, 0 };
	struct gth_gitlab_mr_extra x;
	struct gth_pr *fresh = NULL;
	bool truncated = false;
	int rc;

	memset(&x, 0, sizeof(x));
	if ((rc = gth_rest_check_repo(pr->repo, REPO_DEPTH, err)) < 0)
		return rc;
	rc = read_mr(f, pr->repo, pr->number, &fresh, &x, cancel, err);
	if (rc != 0)
		goto out;
	if (!x.open)
		gth_info("forge %s: %s!%ld is no longer open", f->cfg.name, pr->repo, pr->number);
	rc = gth_rest_get_pages(f, proj_url(f, pr->repo, "/merge_requests/%ld/notes?sort=asc&"
	    "order_by=created_at&per_page=100", pr->number), page_notes, &rl, 20, NULL, cancel, err);
	if (rc == 0)
		rc = gth_rest_get_pages(f, proj_url(f, pr->repo, "/merge_requests/%ld/diffs?"
		    "per_page=100", pr->number), page_diffs, fresh, MAX_DIFF_PAGES, &truncated,
		    cancel, err);
	if (rc == 0)
		rc = gth_rest_get_pages(f, proj_url(f, pr->repo, "/merge_requests/%ld/commits?"
		    "per_page=100", pr->number), page_commits, fresh, 3, NULL, cancel, err);
	if (rc != 0)
		goto out;

	gth_rest_adopt_details(pr, fresh, &rl.v, rl.n, rl.cap, !truncated);
	rl.n = 0;
out:
	gth_forge_reviews_free(rl.v, rl.n);
	gth_gitlab_mr_extra_release(&x);
	gth_pr_free(fresh);
	return rc;
}

/* ---- writes ------------------------------------------------------------------------------------- */

/* One write; url and body are taken.  id (may be NULL) gets the created object's id. */
static int
write_req(struct gth_forge *f, enum gth_http_method m, char *url, char *body,
	volatile int *cancel, long long *id, struct gth_err *err)
{
	struct gth_http_resp resp;
	int rc = gth_rest_call(f, m, url, body, cancel, &resp, err);

	if (rc == 0 && id != NULL)
		rc = gth_gitlab_decode_id(resp.body.data, resp.body.len, id, err);
	gth_http_resp_release(&resp);
	free(url);
	free(body);
	return rc;
}

static int
post_discussions(struct gth_forge *f, const char *repo, long number,
	const struct gth_review_post *rv, volatile int *cancel, struct gth_err *err)
{
	struct gth_gitlab_mr_extra x;
	struct gth_pr *pr = NULL;
	size_t i;
	int rc;

	rc = read_mr(f, repo, number, &pr, &x, cancel, err);
	if (rc != 0)
		return rc;
	for (i = 0; i < rv->n_comments && rc == 0; i++)
		rc = write_req(f, GTH_HTTP_POST, proj_url(f, repo, "/merge_requests/%ld/discussions",
		    number), gth_gitlab_discussion_json(&rv->comments[i], pr->base_sha != NULL ?
		    pr->base_sha : rv->commit_id, x.start_sha != NULL ? x.start_sha : pr->base_sha,
		    rv->commit_id), cancel, NULL, err);
	gth_gitlab_mr_extra_release(&x);
	gth_pr_free(pr);
	return rc;
}

static int
gl_post_review(struct gth_forge *f, const char *repo, long number,
	const struct gth_review_post *rv, long long *review_id, volatile int *cancel,
	struct gth_err *err)
{
	long long id = 0;
	char *text;
	size_t i;
	int rc;

	if ((rc = gth_rest_check_repo(repo, REPO_DEPTH, err)) < 0)
		return rc;
	if (rv->commit_id == NULL || strspn(rv->commit_id, "0123456789abcdef") < 40)
		return gth_err_set(err, -GTH_E_INVAL, "a review must be pinned to a commit");
	if (rv->event != GTH_REVIEW_APPROVE && (rv->body == NULL || *rv->body == '\0'))
		return gth_err_set(err, -GTH_E_INVAL, "%s needs a body", gth_review_event_name(rv->event));
	for (i = 0; i < rv->n_comments; i++)
		if (rv->comments[i].path == NULL || rv->comments[i].line <= 0)
			return gth_err_set(err, -GTH_E_INVAL, "inline comment %zu has no path or line", i);

	if (rv->event == GTH_REVIEW_APPROVE) {
		/* the approval first: a 409 (head moved) must leave no note claiming it */
		rc = write_req(f, GTH_HTTP_POST, proj_url(f, repo, "/merge_requests/%ld/approve",
		    number), gth_gitlab_approve_json(rv->commit_id), cancel, NULL, err);
		if (rc != 0 && err != NULL && err->status == 409)
			return gth_err_set(err, -GTH_E_STALE, "%s!%ld: the head is no longer %.12s; "
			    "GitLab refused the approval", repo, number, rv->commit_id);
		if (rc != 0)
			return rc;
	} else if (rv->event == GTH_REVIEW_REQUEST_CHANGES) {
		struct gth_err uerr;

		/* withdraw our earlier approval, if any; none is not an error */
		memset(&uerr, 0, sizeof(uerr));
		if (write_req(f, GTH_HTTP_POST, proj_url(f, repo, "/merge_requests/%ld/unapprove",
		    number), NULL, cancel, NULL, &uerr) != 0)
			gth_debug("forge %s: unapprove %s!%ld: %s", f->cfg.name, repo, number, uerr.msg);
	}
	if (rv->n_comments > 0 && (rc = post_discussions(f, repo, number, rv, cancel, err)) != 0)
		return rc;
	text = gth_gitlab_note_text(rv->event, rv->commit_id, rv->body);
	rc = write_req(f, GTH_HTTP_POST, proj_url(f, repo, "/merge_requests/%ld/notes", number),
	    gth_gitlab_note_json(text), cancel, &id, err);
	free(text);
	if (rc == 0 && review_id != NULL)
		*review_id = id;
	return rc;
}

static int
gl_post_status(struct gth_forge *f, const char *repo, const struct gth_status_post *st,
	volatile int *cancel, struct gth_err *err)
{
	size_t n;
	int rc;

	if ((rc = gth_rest_check_repo(repo, REPO_DEPTH, err)) < 0)
		return rc;
	n = st->sha != NULL ? strspn(st->sha, "0123456789abcdef") : 0;
	if (st->sha == NULL || st->sha[n] != '\0' || (n != 40 && n != 64))
		return gth_err_set(err, -GTH_E_INVAL, "not a commit id: %.80s", st->sha ? st->sha : "");
	return write_req(f, GTH_HTTP_POST, proj_url(f, repo, "/statuses/%s", st->sha),
	    gth_gitlab_status_json(st), cancel, NULL, err);
}

static int
gl_add_labels(struct gth_forge *f, const char *repo, long number, const struct gth_strvec *labels,
	volatile int *cancel, struct gth_err *err)
{
	int rc;

	if ((rc = gth_rest_check_repo(repo, REPO_DEPTH, err)) < 0)
		return rc;
	if (labels == NULL || labels->n == 0)
		return 0;
	return write_req(f, GTH_HTTP_PUT, proj_url(f, repo, "/merge_requests/%ld", number),
	    gth_gitlab_labels_json(labels), cancel, NULL, err);
}

static int
gl_request_reviewers(struct gth_forge *f, const char *repo, long number,
	const struct gth_strvec *users, const struct gth_strvec *teams, volatile int *cancel,
	struct gth_err *err)
{
	struct gth_gitlab_mr_extra x;
	struct gth_http_resp resp;
	struct gth_pr *pr = NULL;
	long long *ids = NULL;
	size_t i, n = 0, cap = 0;
	int rc;

	if ((rc = gth_rest_check_repo(repo, REPO_DEPTH, err)) < 0)
		return rc;
	if (teams != NULL && teams->n > 0)
		gth_info("forge %s: GitLab has no team reviewers; %zu team(s) not requested on %s!%ld "
		    "(the escalation label and note still say who should look)", f->cfg.name,
		    teams->n, repo, number);
	if (users == NULL || users->n == 0)
		return 0;
	/* reviewer_ids replaces the list: keep the current reviewers */
	if ((rc = read_mr(f, repo, number, &pr, &x, cancel, err)) != 0)
		return rc;
	for (i = 0; i < x.n_reviewers; i++)
		GTH_PUSH(ids, n, cap) = x.reviewer_ids[i];
	for (i = 0; i < users->n && rc == 0; i++) {
		char *u = gth_http_escape(users->v[i]), *url = gth_rest_url(f, "/users?username=%s", u);
		long long id = 0;

		rc = gth_rest_call(f, GTH_HTTP_GET, url, NULL, cancel, &resp, err);
		if (rc == 0)
			rc = gth_gitlab_decode_user_id(resp.body.data, resp.body.len, &id, err);
		if (rc == 0 && id == 0)
			rc = gth_err_set(err, -GTH_E_NOTFOUND, "no GitLab user %.100s", users->v[i]);
		if (rc == 0)
			GTH_PUSH(ids, n, cap) = id;
		gth_http_resp_release(&resp);
		free(url);
		free(u);
	}
	if (rc == 0)
		rc = write_req(f, GTH_HTTP_PUT, proj_url(f, repo, "/merge_requests/%ld", number),
		    gth_gitlab_reviewers_json(ids, n), cancel, NULL, err);
	free(ids);
	gth_gitlab_mr_extra_release(&x);
	gth_pr_free(pr);
	return rc;
}

static int
gl_post_comment(struct gth_forge *f, const char *repo, long number, const char *body,
	volatile int *cancel, struct gth_err *err)
{
	int rc;

	if ((rc = gth_rest_check_repo(repo, REPO_DEPTH, err)) < 0)
		return rc;
	if (body == NULL || *body == '\0')
		return gth_err_set(err, -GTH_E_INVAL, "empty comment");
	return write_req(f, GTH_HTTP_POST, proj_url(f, repo, "/merge_requests/%ld/notes", number),
	    gth_gitlab_note_json(body), cancel, NULL, err);
}

static int
gl_list_reviews(struct gth_forge *f, const char *repo, long number, struct gth_review **reviews,
	size_t *n, volatile int *cancel, struct gth_err *err)
{
	struct review_list rl = { NULL, 0, 0 };
	int rc;

	if ((rc = gth_rest_check_repo(repo, REPO_DEPTH, err)) < 0)
		return rc;
	rc = gth_rest_get_pages(f, proj_url(f, repo, "/merge_requests/%ld/notes?sort=asc&"
	    "order_by=created_at&per_page=100", number), page_notes, &rl, 40, NULL, cancel, err);
	if (rc != 0) {
		gth_forge_reviews_free(rl.v, rl.n);
		return rc;
	}
	*reviews = rl.v;
	*n = rl.n;
	return 0;
}

static int
gl_whoami(struct gth_forge *f, char **login, volatile int *cancel, struct gth_err *err)
{
	struct gth_http_resp resp;
	char *url = gth_rest_url(f, "/user");
	int rc;

	rc = gth_rest_call(f, GTH_HTTP_GET, url, NULL, cancel, &resp, err);
	free(url);
	if (rc == 0)
		rc = gth_gitlab_decode_username(resp.body.data, resp.body.len, login, err);
	gth_http_resp_release(&resp);
	return rc;
}

static const struct gth_forge_ops gitlab_ops = {
	.list_queue = gl_list_queue,
	.get_pr = gl_get_pr,
	.get_details = gl_get_details,
	.post_review = gl_post_review,
	.post_status = gl_post_status,
	.add_labels = gl_add_labels,
	.request_reviewers = gl_request_reviewers,
	.post_comment = gl_post_comment,
	.list_reviews = gl_list_reviews,
	.whoami = gl_whoami,
	.free = NULL,
};

int
gth_gitlab_new(const struct gth_forge_config *cfg, struct gth_forge **out, struct gth_err *err)
{
	static const struct gth_rest_kind kind = { "gitlab", "/api/v4", "Bearer", &gitlab_ops };

	return gth_rest_forge_new(cfg, &kind, out, err);
}
