/*
 * A small driver of the forge layer for shell tests and the benchmark.
 *
 *	forgecli [--api URL] [--graphql URL] [--web URL] [--cache DIR] [--query Q]...
 *	         [--token-env VAR] [--max-age S] [--stats] CMD ARGS...
 *
 *	queue                               one line per PR: repo#n head author bot labels checks task
 *	pr REPO N                           the same line for one PR (GraphQL)
 *	details REPO N                      head, checks (with annotations), reviews, files, commits
 *	review REPO N EVENT SHA BODY [PATH:LINE:SIDE:TEXT]...   prints the review id
 *	status REPO SHA STATE DESCRIPTION
 *	labels REPO N LABEL...
 *	reviewers REPO N [user...] [--team SLUG]...
 *	comment REPO N BODY
 *	reviews REPO N
 *	whoami
 *	naive                               the reference: search list + pull, check-runs and
 *	                                    status per PR over REST (1 + 3N requests)
 *
 * The token comes from the environment (GH_TOKEN by default), never argv.
 * --stats prints "stats requests=R not_modified=M bytes=B ms=T" on stderr.
 * Errors print "error CODE status: message" on stderr and exit 1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <jansson.h>

#include "gatehouse/base/log.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/backend.h"
#include "gatehouse/forge/forge.h"
#include "gatehouse/forge/github.h"
#include "gatehouse/forge/http.h"

static int
fail(int rc, const struct gth_err *err)
{
	fprintf(stderr, "error %s %ld: %s\n", gth_errname(rc), err->status, gth_err_text(err, rc));
	return 1;
}

static void
print_pr(const struct gth_pr *pr)
{
	size_t i;

	printf("%s#%ld head=%s base=%s author=%s bot=%d draft=%d", pr->repo, pr->number,
	    pr->head_sha ? pr->head_sha : "-", pr->base_sha ? pr->base_sha : "-",
	    pr->author ? pr->author : "-", pr->author_is_bot, pr->draft);
	printf(" labels=");
	for (i = 0; i < pr->labels.n; i++)
		printf("%s%s", i ? "," : "", pr->labels.v[i]);
	printf(" users=");
	for (i = 0; i < pr->requested_users.n; i++)
		printf("%s%s", i ? "," : "", pr->requested_users.v[i]);
	printf(" teams=");
	for (i = 0; i < pr->requested_teams.n; i++)
		printf("%s%s", i ? "," : "", pr->requested_teams.v[i]);
	printf(" checks=");
	for (i = 0; i < pr->n_checks; i++)
		printf("%s%s:%s", i ? "," : "", pr->checks[i].name,
		    gth_gate_state_name(pr->checks[i].state));
	printf(" task=%s clone=%s\n", pr->task ? pr->task->task_type : "-",
	    pr->clone_url ? pr->clone_url : "-");
}

static long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run urls 6 at a time (a browser's per-host width); bodies go to each's callback. */
static int
fetch_all(struct gth_forge *f, const struct gth_strvec *urls, void (*cb)(const char *, size_t,
	void *), void *arg, struct gth_err *err)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < urls->n && rc == 0; i += 6) {
		struct gth_http_req reqs[6];
		struct gth_http_resp resps[6];
		struct gth_err errs[6];
		int rcs[6];
		size_t k = urls->n - i < 6 ? urls->n - i : 6;

		memset(reqs, 0, sizeof(reqs));
		for (j = 0; j < k; j++) {
			reqs[j].method = GTH_HTTP_GET;
			reqs[j].url = urls->v[i + j];
		}
		rc = gth_http_request_many(f->http, reqs, resps, rcs, errs, k);
		for (j = 0; j < k; j++) {
			if (rcs[j] == 0 && cb != NULL)
				cb(resps[j].body.data, resps[j].body.len, arg);
			if (rcs[j] != 0 && err != NULL)
				*err = errs[j];
			gth_http_resp_release(&resps[j]);
		}
	}
	return rc;
}

struct naive_ctx {
	struct gth_forge *f;
	struct gth_strvec pulls;	/* "repo\tnumber" from the search pages */
	struct gth_strvec next;		/* URLs of the second round */
};

static void
on_search(const char *body, size_t len, void *arg)
{
	struct naive_ctx *c = arg;
	json_t *root = json_loadb(body, len, 0, NULL), *it;
	size_t i;

	json_array_foreach(json_object_get(root, "items"), i, it) {
		const char *ru = json_string_value(json_object_get(it, "repository_url"));
		const char *repo = ru != NULL ? strstr(ru, "/repos/") : NULL;

		if (repo != NULL)
			gth_strvec_push_take(&c->pulls, xasprintf("%s/repos/%s/pulls/%lld",
			    c->f->cfg.api_url, repo + 7,
			    (long long)json_integer_value(json_object_get(it, "number"))));
	}
	json_decref(root);
}

static void
on_pull(const char *body, size_t len, void *arg)
{
	struct naive_ctx *c = arg;
	json_t *root = json_loadb(body, len, 0, NULL);
	const char *sha = json_string_value(json_object_get(json_object_get(root, "head"), "sha"));
	const char *url = json_string_value(json_object_get(root, "url"));
	const char *r = url != NULL ? strstr(url, "/repos/") : NULL;

	if (sha != NULL && r != NULL) {
		char *repo = xstrndup(r + 7, (size_t)(strstr(r, "/pulls/") - r - 7));

		gth_strvec_push_take(&c->next, xasprintf("%s/repos/%s/commits/%s/check-runs",
		    c->f->cfg.api_url, repo, sha));
		gth_strvec_push_take(&c->next, xasprintf("%s/repos/%s/commits/%s/status",
		    c->f->cfg.api_url, repo, sha));
		free(repo);
	}
	json_decref(root);
}

/*
 * The reference client over REST only: the search list (1 request per 100
 * PRs), then per PR the pull (for the head SHA), its check runs and its
 * combined status: 1 + 3N requests in effect.
 */
static int
naive(struct gth_forge *f, const char *query, struct gth_err *err)
{
	struct naive_ctx c = { f, GTH_STRVEC_INIT, GTH_STRVEC_INIT };
	char *q = gth_http_escape(query), *url;
	size_t pages = 0;
	int rc = 0;

	url = xasprintf("%s/search/issues?q=%s&per_page=100", f->cfg.api_url, q);
	free(q);
	while (url != NULL && rc == 0) {
		struct gth_http_req req;
		struct gth_http_resp resp;

		memset(&req, 0, sizeof(req));
		req.method = GTH_HTTP_GET;
		req.url = url;
		rc = gth_http_request(f->http, &req, &resp, err);
		free(url);
		url = NULL;
		if (rc == 0) {
			on_search(resp.body.data, resp.body.len, &c);
			url = resp.next_url;
			resp.next_url = NULL;
			pages++;
		}
		gth_http_resp_release(&resp);
	}
	if (rc == 0)
		rc = fetch_all(f, &c.pulls, on_pull, &c, err);
	if (rc == 0)
		rc = fetch_all(f, &c.next, NULL, NULL, err);
	printf("naive prs=%zu search_pages=%zu rest_reads=%zu\n", c.pulls.n, pages,
	    c.pulls.n + c.next.n);
	gth_strvec_clear(&c.pulls);
	gth_strvec_clear(&c.next);
	return rc;
}

int
main(int argc, char **argv)
{
	struct gth_forge_config cfg;
	struct gth_forge *f = NULL;
	struct gth_err err;
	bool stats = false;
	long t0;
	int i, rc = 0;
	const char *cmd;

	/* tests read stdout and stderr as one stream (2>&1): whole lines, never a split one */
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&cfg, 0, sizeof(cfg));
	memset(&err, 0, sizeof(err));
	cfg.kind = GTH_FORGE_GITHUB;
	cfg.name = "test";
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--stats") == 0) {
			stats = true;
			continue;
		}
		if (v == NULL)
			break;
		i++;
		if (strcmp(o, "--api") == 0)
			cfg.api_url = (char *)v;
		else if (strcmp(o, "--graphql") == 0)
			cfg.graphql_url = (char *)v;
		else if (strcmp(o, "--web") == 0)
			cfg.web_url = (char *)v;
		else if (strcmp(o, "--cache") == 0)
			cfg.cache_dir = (char *)v;
		else if (strcmp(o, "--query") == 0)
			gth_strvec_push(&cfg.queries, v);
		else if (strcmp(o, "--token-env") == 0)
			cfg.token_env = (char *)v;
		else if (strcmp(o, "--max-age") == 0)
			cfg.queue_max_age_s = strtol(v, NULL, 10);
		else if (strcmp(o, "--agent") == 0)
			gth_strvec_push(&cfg.agents, v);
	}
	if (i >= argc) {
		fprintf(stderr, "usage: forgecli [options] CMD ARGS...\n");
		return 2;
	}
	cmd = argv[i++];
	gth_log_open_from_env();
	if ((rc = gth_forge_global_init(&err)) != 0 || (rc = gth_forge_new(&cfg, &f, &err)) != 0)
		return fail(rc, &err);
	t0 = ms_now();
	if (strcmp(cmd, "queue") == 0) {
		struct gth_pr **prs = NULL;
		size_t n = 0, k;

		rc = gth_forge_list_queue(f, &prs, &n, NULL, &err);
		for (k = 0; rc == 0 && k < n; k++)
			print_pr(prs[k]);
		if (rc == 0)
			printf("total %zu\n", n);
		gth_forge_prs_free(prs, n);
	} else if (strcmp(cmd, "pr") == 0 && argc - i >= 2) {
		struct gth_pr *pr = NULL;

		rc = gth_forge_get_pr(f, argv[i], strtol(argv[i + 1], NULL, 10), &pr, NULL, &err);
		if (rc == 0)
			print_pr(pr);
		gth_pr_free(pr);
	} else if (strcmp(cmd, "details") == 0 && argc - i >= 2) {
		struct gth_pr *pr = gth_pr_new();
		size_t k, ann = 0;

		pr->repo = xstrdup(argv[i]);
		pr->number = strtol(argv[i + 1], NULL, 10);
		rc = gth_forge_get_details(f, pr, NULL, &err);
		if (rc == 0) {
			for (k = 0; k < pr->n_checks; k++)
				ann += pr->checks[k].n_annotations;
			printf("head=%s checks=%zu annotations=%zu reviews=%zu files=%zu complete=%d "
			    "commits=%zu users=%zu teams=%zu\n", pr->head_sha, pr->n_checks, ann,
			    pr->n_reviews, pr->n_files, pr->files_complete, pr->commit_messages.n,
			    pr->requested_users.n, pr->requested_teams.n);
			for (k = 0; k < pr->n_checks; k++)
				printf("check %s %s %s\n", pr->checks[k].kind == GTH_CHECK_RUN ? "run" :
				    "status", pr->checks[k].name, gth_gate_state_name(pr->checks[k].state));
			for (k = 0; k < pr->n_reviews; k++)
				printf("review %lld %s %s %s\n", pr->reviews[k].id,
				    pr->reviews[k].author ? pr->reviews[k].author : "-",
				    pr->reviews[k].state ? pr->reviews[k].state : "-",
				    pr->reviews[k].commit ? pr->reviews[k].commit : "-");
		}
		gth_pr_free(pr);
	} else if (strcmp(cmd, "review") == 0 && argc - i >= 5) {
		struct gth_review_comment cm[16];
		struct gth_review_post rv;
		long long id = 0;
		int k, nc = 0;

		memset(&rv, 0, sizeof(rv));
		rv.event = strcmp(argv[i + 2], "APPROVE") == 0 ? GTH_REVIEW_APPROVE :
		    strcmp(argv[i + 2], "REQUEST_CHANGES") == 0 ? GTH_REVIEW_REQUEST_CHANGES :
		    GTH_REVIEW_COMMENT;
		rv.commit_id = argv[i + 3];
		rv.body = argv[i + 4];
		for (k = i + 5; k < argc && nc < 16; k++) {
			char *s = xstrdup(argv[k]), *a = strchr(s, ':'), *b, *c;

			if (a == NULL || (b = strchr(a + 1, ':')) == NULL ||
			    (c = strchr(b + 1, ':')) == NULL)
				continue;
			*a = *b = *c = '\0';
			cm[nc].path = s;
			cm[nc].line = strtol(a + 1, NULL, 10);
			cm[nc].side = strcmp(b + 1, "LEFT") == 0 ? GTH_SIDE_LEFT : GTH_SIDE_RIGHT;
			cm[nc].body = c + 1;
			nc++;
		}
		rv.comments = cm;
		rv.n_comments = (size_t)nc;
		rc = gth_forge_post_review(f, argv[i], strtol(argv[i + 1], NULL, 10), &rv, &id, NULL,
		    &err);
		if (rc == 0)
			printf("review %lld\n", id);
		for (k = 0; k < nc; k++)
			free((char *)cm[k].path);
	} else if (strcmp(cmd, "status") == 0 && argc - i >= 4) {
		struct gth_status_post st;

		memset(&st, 0, sizeof(st));
		st.sha = argv[i + 1];
		st.state = strcmp(argv[i + 2], "success") == 0 ? GTH_STATUS_SUCCESS :
		    strcmp(argv[i + 2], "failure") == 0 ? GTH_STATUS_FAILURE :
		    strcmp(argv[i + 2], "error") == 0 ? GTH_STATUS_ERROR : GTH_STATUS_PENDING;
		st.description = argv[i + 3];
		rc = gth_forge_post_status(f, argv[i], &st, NULL, &err);
		if (rc == 0)
			printf("status posted\n");
	} else if ((strcmp(cmd, "labels") == 0 || strcmp(cmd, "reviewers") == 0) && argc - i >= 3) {
		struct gth_strvec a = GTH_STRVEC_INIT, t = GTH_STRVEC_INIT;
		int k;

		for (k = i + 2; k < argc; k++) {
			if (strcmp(argv[k], "--team") == 0 && k + 1 < argc)
				gth_strvec_push(&t, argv[++k]);
			else
				gth_strvec_push(&a, argv[k]);
		}
		if (cmd[0] == 'l')
			rc = gth_forge_add_labels(f, argv[i], strtol(argv[i + 1], NULL, 10), &a, NULL, &err);
		else
			rc = gth_forge_request_reviewers(f, argv[i], strtol(argv[i + 1], NULL, 10), &a, &t,
			    NULL, &err);
		if (rc == 0)
			printf("%s posted\n", cmd);
		gth_strvec_clear(&a);
		gth_strvec_clear(&t);
	} else if (strcmp(cmd, "comment") == 0 && argc - i >= 3) {
		rc = gth_forge_post_comment(f, argv[i], strtol(argv[i + 1], NULL, 10), argv[i + 2], NULL,
		    &err);
		if (rc == 0)
			printf("comment posted\n");
	} else if (strcmp(cmd, "reviews") == 0 && argc - i >= 2) {
		struct gth_review *rv = NULL;
		size_t n = 0, k;

		rc = gth_forge_list_reviews(f, argv[i], strtol(argv[i + 1], NULL, 10), &rv, &n, NULL,
		    &err);
		for (k = 0; rc == 0 && k < n; k++)
			printf("review %lld %s %s %s\n", rv[k].id, rv[k].author ? rv[k].author : "-",
			    rv[k].state ? rv[k].state : "-", rv[k].commit ? rv[k].commit : "-");
		gth_forge_reviews_free(rv, n);
	} else if (strcmp(cmd, "whoami") == 0) {
		char *login = NULL;

		rc = gth_forge_whoami(f, &login, NULL, &err);
		if (rc == 0)
			printf("login %s\n", login);
		free(login);
	} else if (strcmp(cmd, "naive") == 0) {
		rc = naive(f, cfg.queries.n > 0 ? cfg.queries.v[0] :
		    "is:pr is:open archived:false label:needs-checkpoint", &err);
	} else {
		fprintf(stderr, "forgecli: unknown command or missing arguments: %s\n", cmd);
		rc = -GTH_E_INVAL;
	}
	if (stats) {
		struct gth_forge_stats st;
		struct gth_rate r;
		struct rusage ru;

		gth_forge_stats(f, &st);
		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "stats requests=%lu not_modified=%lu bytes=%llu ms=%ld client_cpu_ms=%ld\n",
		    st.requests, st.not_modified, st.bytes, ms_now() - t0,
		    (long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
		    (long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000);
		if (gth_forge_rate_budget(f, "graphql", &r) == 0)
			fprintf(stderr, "rate graphql %ld/%ld\n", r.remaining, r.limit);
		if (gth_forge_rate_budget(f, "core", &r) == 0)
			fprintf(stderr, "rate core %ld/%ld\n", r.remaining, r.limit);
	}
	if (rc != 0)
		fail(rc, &err);
	gth_forge_free(f);
	gth_strvec_clear(&cfg.queries);
	gth_strvec_clear(&cfg.agents);
	gth_forge_global_cleanup();
	return rc != 0;
}
