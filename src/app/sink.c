/*
 * The outbox's delivery sink, backed by the forges: how a recorded decision
 * becomes a review, a commit status and (for escalations) reviewer requests
 * and a label.  DESIGN.md §7 "Posted to the forge".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/log.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/outbox.h"
#include "gatehouse/forge/forge.h"
#include "gatehouse/model/decision.h"

#include "app_internal.h"

#define CHECKPOINT_CONTEXT "gatehouse/checkpoint"

/* The forge a decision goes to, by the host in its record. */
static struct gth_forge *
forge_for(struct gth_app *app, const struct gth_decision *d, struct gth_err *err)
{
	struct gth_forge *f = app_forge_for_host(app, d->forge);

	if (f == NULL)
		gth_err_set(err, -GTH_E_CONFIG, "no configured forge for host %s (decision %s)",
		    d->forge, d->id);
	return f;
}

static int
sink_list_reviews(void *ctx, const struct gth_decision *d, struct gth_review **out, size_t *n,
	struct gth_err *err)
{
	struct gth_forge *f = forge_for(ctx, d, err);

	if (f == NULL)
		return -GTH_E_CONFIG;
	return gth_forge_list_reviews(f, d->repo, d->number, out, n, NULL, err);
}

static const char *
sink_self_login(void *ctx, const struct gth_decision *d)
{
	struct gth_app *app = ctx;
	struct gth_forge *f = app_forge_for_host(app, d->forge);
	const char *login = NULL;

	if (f == NULL || gth_app_login(app, f, &login, NULL, NULL) != 0)
		return NULL;
	return login;
}

static enum gth_review_event
event_for(enum gth_verdict v)
{
	switch (v) {
	case GTH_VERDICT_APPROVE:
		return GTH_REVIEW_APPROVE;
	case GTH_VERDICT_REJECT:
		return GTH_REVIEW_REQUEST_CHANGES;
	default:
		return GTH_REVIEW_COMMENT;
	}
}

static int
sink_post_review(void *ctx, const struct gth_decision *d, const char *body, struct gth_err *err)
{
	struct gth_forge *f = forge_for(ctx, d, err);
	struct gth_review_post rv;

	if (f == NULL)
		return -GTH_E_CONFIG;
	memset(&rv, 0, sizeof(rv));
	rv.event = event_for(d->verdict);
	rv.commit_id = d->head;
	rv.body = body;
	return gth_forge_post_review(f, d->repo, d->number, &rv, NULL, NULL, err);
}

static int
sink_post_status(void *ctx, const struct gth_decision *d, struct gth_err *err)
{
	struct gth_forge *f = forge_for(ctx, d, err);
	struct gth_status_post st;
	char *desc;
	int r;

	if (f == NULL)
		return -GTH_E_CONFIG;
	memset(&st, 0, sizeof(st));
	st.sha = d->head;
	st.context = CHECKPOINT_CONTEXT;
	switch (d->verdict) {
	case GTH_VERDICT_APPROVE:
		st.state = GTH_STATUS_SUCCESS;
		desc = xasprintf("approved by %s (%s risk), signed decision %s", d->reviewer,
		    d->risk, d->id);
		break;
	case GTH_VERDICT_REJECT:
		st.state = GTH_STATUS_FAILURE;
		desc = xasprintf("changes requested by %s, signed decision %s", d->reviewer, d->id);
		break;
	default:
		st.state = GTH_STATUS_PENDING;
		desc = xasprintf("escalated by %s, signed decision %s", d->reviewer, d->id);
		break;
	}
	gth_forge_truncate_utf8(desc, 140);
	st.description = desc;
	r = gth_forge_post_status(f, d->repo, &st, NULL, err);
	free(desc);
	return r;
}

/*
 * Request one reviewer (user or team) at a time: the forge refuses the whole
 * request when any one of them cannot review (not a collaborator, a team
 * CODEOWNERS names but the forge does not know), and one stale name must not
 * keep the rest of the route from being asked.
 */
static size_t
request_each(struct gth_forge *f, const struct gth_decision *d, const struct gth_strvec *users,
	const struct gth_strvec *teams, struct gth_err *err)
{
	struct gth_strvec one = GTH_STRVEC_INIT, none = GTH_STRVEC_INIT;
	size_t i, asked = 0;

	for (i = 0; i < users->n + teams->n; i++) {
		bool is_user = i < users->n;
		const char *who = is_user ? users->v[i] : teams->v[i - users->n];
		struct gth_err e;

		gth_err_clear(&e);
		gth_strvec_push(&one, who);
		if (gth_forge_request_reviewers(f, d->repo, d->number, is_user ? &one : &none,
		    is_user ? &none : &one, NULL, &e) == 0)
			asked++;
		else
			gth_warn("escalation of %s: could not request %s: %s", d->id, who,
			    gth_err_text(&e, -GTH_E_HTTP));
		if (err != NULL && err->code == 0 && e.code != 0)
			*err = e;
		gth_strvec_clear(&one);
	}
	return asked;
}

static int
sink_escalate(void *ctx, const struct gth_decision *d, struct gth_err *err)
{
	struct gth_forge *f = forge_for(ctx, d, err);
	struct gth_strvec users = GTH_STRVEC_INIT, teams = GTH_STRVEC_INIT;
	struct gth_strvec labels = GTH_STRVEC_INIT;
	struct gth_err rerr;
	size_t i, done = 0;
	int r = 0;

	if (f == NULL)
		return -GTH_E_CONFIG;
	/* escalate_to: "login", "org/team", "label:name" (model/decision.h). */
	for (i = 0; i < d->escalate_to.n; i++) {
		const char *t = d->escalate_to.v[i];
		const char *slash = strchr(t, '/');

		if (gth_str_has_prefix(t, "label:"))
			gth_strvec_push(&labels, t + 6);
		else if (slash != NULL)
			gth_strvec_push(&teams, slash + 1);	/* GitHub takes team slugs */
		else
			gth_strvec_push(&users, t);
	}
	gth_err_clear(&rerr);
	if (users.n + teams.n > 0) {
		r = gth_forge_request_reviewers(f, d->repo, d->number, &users, &teams, NULL, &rerr);
		if (r == 0)
			done++;
		else if (r == -GTH_E_HTTP && rerr.status == 422 && users.n + teams.n > 1)
			done += request_each(f, d, &users, &teams, NULL);
	}
	if (labels.n > 0) {
		r = gth_forge_add_labels(f, d->repo, d->number, &labels, NULL, err);
		if (r != 0)
			goto out;
		done++;
	}
	/* Something of the route was asked: the escalation stands; the rest is in the log. */
	if (done > 0 || users.n + teams.n + labels.n == 0)
		r = 0;
	else if (err != NULL)
		*err = rerr;
out:
	gth_strvec_clear(&users);
	gth_strvec_clear(&teams);
	gth_strvec_clear(&labels);
	return r;
}

const struct gth_delivery_sink_ops app_sink_ops = {
	.list_reviews = sink_list_reviews,
	.self_login = sink_self_login,
	.post_review = sink_post_review,
	.post_status = sink_post_status,
	.escalate = sink_escalate,
	.is_permanent = NULL,
};
