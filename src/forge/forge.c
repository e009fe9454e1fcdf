/*
 * The forge interface: construction by kind, and one thin wrapper per
 * operation so that callers never touch the ops table.  Backends live in
 * github.c, gitlab.c and gitea.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/xalloc.h"
#include "gatehouse/forge/backend.h"
#include "gatehouse/forge/gitea.h"
#include "gatehouse/forge/github.h"
#include "gatehouse/forge/gitlab.h"

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
gth_forge_config_copy(struct gth_forge_config *dst, const struct gth_forge_config *src)
{
	*dst = *src;
	dst->name = dup_or_null(src->name);
	dst->api_url = dup_or_null(src->api_url);
	dst->graphql_url = dup_or_null(src->graphql_url);
	dst->web_url = dup_or_null(src->web_url);
	dst->token_env = dup_or_null(src->token_env);
	dst->token_command = dup_or_null(src->token_command);
	dst->token_file = dup_or_null(src->token_file);
	dst->ca_bundle = dup_or_null(src->ca_bundle);
	dst->cache_dir = dup_or_null(src->cache_dir);
	dst->user_agent = dup_or_null(src->user_agent);
	memset(&dst->queries, 0, sizeof(dst->queries));
	memset(&dst->agents, 0, sizeof(dst->agents));
	gth_strvec_extend(&dst->queries, &src->queries);
	gth_strvec_extend(&dst->agents, &src->agents);
}

void
gth_forge_config_release(struct gth_forge_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->name);
	free(cfg->api_url);
	free(cfg->graphql_url);
	free(cfg->web_url);
	free(cfg->token_env);
	free(cfg->token_command);
	free(cfg->token_file);
	free(cfg->ca_bundle);
	free(cfg->cache_dir);
	free(cfg->user_agent);
	gth_strvec_clear(&cfg->queries);
	gth_strvec_clear(&cfg->agents);
	memset(cfg, 0, sizeof(*cfg));
}

const char *
gth_review_event_name(enum gth_review_event e)
{
	switch (e) {
	case GTH_REVIEW_APPROVE: return "APPROVE";
	case GTH_REVIEW_REQUEST_CHANGES: return "REQUEST_CHANGES";
	case GTH_REVIEW_COMMENT: return "COMMENT";
	}
	return "COMMENT";
}

const char *
gth_status_state_name(enum gth_status_state s)
{
	switch (s) {
	case GTH_STATUS_PENDING: return "pending";
	case GTH_STATUS_SUCCESS: return "success";
	case GTH_STATUS_FAILURE: return "failure";
	case GTH_STATUS_ERROR: return "error";
	}
	return "pending";
}

void
gth_forge_truncate_utf8(char *s, size_t max)
{
	size_t i = 0, chars = 0, cut = 0;

	if (s == NULL || max == 0)
		return;
	while (s[i] != '\0') {
		size_t step = 1;
		unsigned char c = (unsigned char)s[i];

		if (c >= 0xf0)
			step = 4;
		else if (c >= 0xe0)
			step = 3;
		else if (c >= 0xc0)
			step = 2;
		/* a sequence cut short by NUL counts as its bytes so far */
		while (step > 1 && s[i + step - 1] == '\0')
			step--;
		if (chars == max - 1)
			cut = i;	/* where "…" goes if the text turns out too long */
		chars++;
		i += step;
		if (chars > max) {
			memcpy(s + cut, "\xe2\x80\xa6", 4);	/* U+2026 and the NUL */
			return;
		}
	}
}

int
gth_forge_global_init(struct gth_err *err)
{
	return gth_http_global_init(err);
}

void
gth_forge_global_cleanup(void)
{
	gth_http_global_cleanup();
}

int
gth_forge_new(const struct gth_forge_config *cfg, struct gth_forge **out, struct gth_err *err)
{
	*out = NULL;
	switch (cfg->kind) {
	case GTH_FORGE_GITHUB:
		return gth_github_new(cfg, out, err);
	case GTH_FORGE_GITEA:
		return gth_gitea_new(cfg, out, err);
	case GTH_FORGE_GITLAB:
		return gth_gitlab_new(cfg, out, err);
	}
	return gth_err_set(err, -GTH_E_UNSUPPORTED, "forge %s: unknown forge kind",
	    cfg->name != NULL ? cfg->name : "?");
}

void
gth_forge_free(struct gth_forge *f)
{
	if (f == NULL)
		return;
	if (f->ops != NULL && f->ops->free != NULL)
		f->ops->free(f);
	gth_http_free(f->http);
	gth_free_secret(f->token);
	free(f->host);
	gth_forge_config_release(&f->cfg);
	free(f);
}

struct gth_forge *
gth_forge_twin(const struct gth_forge *f)
{
	struct gth_forge *t = xcalloc(1, sizeof(*t));

	t->ops = f->ops;
	gth_forge_config_copy(&t->cfg, &f->cfg);
	t->host = f->host != NULL ? xstrdup(f->host) : NULL;
	t->token = f->token != NULL ? xstrdup(f->token) : NULL;
	t->http = gth_http_twin(f->http);
	return t;
}

const char *
gth_forge_token(const struct gth_forge *f)
{
	return f->token;
}

const char *
gth_forge_name(const struct gth_forge *f)
{
	return f->cfg.name;
}

enum gth_forge_kind
gth_forge_kind_of(const struct gth_forge *f)
{
	return f->cfg.kind;
}

void
gth_forge_prs_free(struct gth_pr **prs, size_t n)
{
	size_t i;

	for (i = 0; prs != NULL && i < n; i++)
		gth_pr_free(prs[i]);
	free(prs);
}

void
gth_forge_reviews_free(struct gth_review *reviews, size_t n)
{
	size_t i;

	for (i = 0; reviews != NULL && i < n; i++) {
		free(reviews[i].author);
		free(reviews[i].state);
		free(reviews[i].commit);
		free(reviews[i].body);
	}
	free(reviews);
}

int
gth_forge_list_queue(struct gth_forge *f, struct gth_pr ***prs, size_t *n, volatile int *cancel,
	struct gth_err *err)
{
	*prs = NULL;
	*n = 0;
	return f->ops->list_queue(f, prs, n, cancel, err);
}

int
gth_forge_get_pr(struct gth_forge *f, const char *repo, long number, struct gth_pr **out,
	volatile int *cancel, struct gth_err *err)
{
	*out = NULL;
	return f->ops->get_pr(f, repo, number, out, cancel, err);
}

int
gth_forge_get_details(struct gth_forge *f, struct gth_pr *pr, volatile int *cancel,
	struct gth_err *err)
{
	return f->ops->get_details(f, pr, cancel, err);
}

int
gth_forge_post_review(struct gth_forge *f, const char *repo, long number,
	const struct gth_review_post *rv, long long *review_id, volatile int *cancel,
	struct gth_err *err)
{
	return f->ops->post_review(f, repo, number, rv, review_id, cancel, err);
}

int
gth_forge_post_status(struct gth_forge *f, const char *repo, const struct gth_status_post *st,
	volatile int *cancel, struct gth_err *err)
{
	return f->ops->post_status(f, repo, st, cancel, err);
}

int
gth_forge_add_labels(struct gth_forge *f, const char *repo, long number,
	const struct gth_strvec *labels, volatile int *cancel, struct gth_err *err)
{
	return f->ops->add_labels(f, repo, number, labels, cancel, err);
}

int
gth_forge_request_reviewers(struct gth_forge *f, const char *repo, long number,
	const struct gth_strvec *users, const struct gth_strvec *teams, volatile int *cancel,
	struct gth_err *err)
{
	if ((users == NULL || users->n == 0) && (teams == NULL || teams->n == 0))
		return gth_err_set(err, -GTH_E_INVAL, "no reviewers to request");
	return f->ops->request_reviewers(f, repo, number, users, teams, cancel, err);
}

int
gth_forge_post_comment(struct gth_forge *f, const char *repo, long number, const char *body,
	volatile int *cancel, struct gth_err *err)
{
	return f->ops->post_comment(f, repo, number, body, cancel, err);
}

int
gth_forge_list_reviews(struct gth_forge *f, const char *repo, long number,
	struct gth_review **reviews, size_t *n, volatile int *cancel, struct gth_err *err)
{
	*reviews = NULL;
	*n = 0;
	return f->ops->list_reviews(f, repo, number, reviews, n, cancel, err);
}

int
gth_forge_whoami(struct gth_forge *f, char **login, volatile int *cancel, struct gth_err *err)
{
	*login = NULL;
	return f->ops->whoami(f, login, cancel, err);
}

int
gth_forge_rate_budget(struct gth_forge *f, const char *resource, struct gth_rate *out)
{
	return gth_http_rate(f->http, resource, out);
}

void
gth_forge_stats(struct gth_forge *f, struct gth_forge_stats *out)
{
	gth_http_stats(f->http, out);
}
