/*
 * Services shared by the command line and the console: the queue, a PR
 * prepared for review, and a decision from the reviewer's words to the forge.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gatehouse/app/services.h"
#include "gatehouse/base/buf.h"
#include "gatehouse/base/log.h"
#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/decide/audit.h"
#include "gatehouse/decide/body.h"
#include "gatehouse/decide/outbox.h"
#include "gatehouse/decide/record.h"
#include "gatehouse/forge/forge.h"
#include "gatehouse/git/diff.h"
#include "gatehouse/git/mirror.h"
#include "gatehouse/model/decision.h"
#include "gatehouse/policy/codeowners.h"
#include "gatehouse/policy/policy.h"
#include "gatehouse/sign/agent.h"
#include "gatehouse/sign/signer.h"
#include "gatehouse/sign/sshkey.h"

#include "app_internal.h"

/* Repository files read from the base commit: small by nature, capped all the same. */
#define REPO_FILE_MAX (256 * 1024)

int
gth_svc_load_queue(struct gth_app *app, struct gth_queue *q, volatile int *cancel,
	struct gth_err *err)
{
	struct gth_queue fresh;
	time_t now = time(NULL);
	int first = 0;
	size_t i, j;

	gth_queue_init(&fresh);
	for (i = 0; i < app->n_forges; i++) {
		struct gth_forge *f = app->forges[i];
		struct gth_err ferr;
		struct gth_pr **prs = NULL;
		const char *login = NULL;
		size_t n = 0;
		int r;

		gth_err_clear(&ferr);
		r = gth_forge_list_queue(f, &prs, &n, cancel, &ferr);
		if (r != 0) {
			gth_warn("queue of %s: %s", gth_forge_name(f), gth_err_text(&ferr, r));
			if (first == 0) {
				first = r;
				if (err != NULL) {
					*err = ferr;
					if (app->n_forges > 1)
						gth_err_set(err, r, "%s: %s", gth_forge_name(f),
						    gth_err_text(&ferr, r));
					err->status = ferr.status;
				}
			}
			continue;
		}
		(void)gth_app_login(app, f, &login, cancel, NULL);
		for (j = 0; j < n; j++) {
			struct gth_queue_item *it = gth_queue_put(&fresh, prs[j]);

			gth_policy_assess(app->policy, it->pr, NULL, NULL, login, now, &it->assess);
			prs[j] = NULL;
		}
		free(prs);
	}
	if (first != 0 && fresh.n == 0) {
		gth_queue_release(&fresh);
		return first;
	}
	gth_policy_sort_queue(&fresh, now);
	fresh.fetched_at = now;
	gth_queue_release(q);
	*q = fresh;
	return first;
}

int
gth_svc_get_pr(struct gth_app *app, const char *forge_name, const char *repo, long number,
	struct gth_forge **forge, struct gth_pr **out, volatile int *cancel, struct gth_err *err)
{
	int r = -GTH_E_NOTFOUND;
	size_t i;

	*out = NULL;
	*forge = NULL;
	for (i = 0; i < app->n_forges; i++) {
		struct gth_forge *f = app->forges[i];

		if (forge_name != NULL && strcmp(forge_name, gth_forge_name(f)) != 0)
			continue;
		r = gth_forge_get_pr(f, repo, number, out, cancel, err);
		if (r == 0) {
			*forge = f;
			return 0;
		}
		if (r != -GTH_E_NOTFOUND)
			return r;
	}
	if (forge_name != NULL && i == app->n_forges && *forge == NULL && r == -GTH_E_NOTFOUND &&
	    gth_app_forge(app, forge_name) == NULL)
		return gth_err_set(err, -GTH_E_CONFIG, "no forge named \"%s\" is configured",
		    forge_name);
	if (r == -GTH_E_NOTFOUND)
		gth_err_set(err, r, "%s#%ld: no such pull request", repo, number);
	return r;
}

void
gth_prepared_release(struct gth_prepared *p)
{
	gth_diff_free(p->diff);
	gth_assessment_free(p->assess);
	memset(p, 0, sizeof(*p));
}

struct fetch_progress {
	gth_svc_progress_fn *fn;
	void *arg;
	const char *repo;
	char what[160];
};

/* "fetching acme/api, 3.4 MiB": the bar counts objects, the words say bytes. */
static int
on_fetch_progress(const struct gth_fetch_progress *p, void *arg)
{
	struct fetch_progress *fp = arg;
	double b = (double)p->received_bytes;

	if (fp->fn == NULL)
		return 0;
	if (b >= 1024.0 * 1024.0)
		snprintf(fp->what, sizeof(fp->what), "fetching %s, %.1f MiB", fp->repo,
		    b / (1024.0 * 1024.0));
	else
		snprintf(fp->what, sizeof(fp->what), "fetching %s, %zu KiB", fp->repo,
		    p->received_bytes / 1024);
	fp->fn(fp->what, (long)p->received_objects, (long)p->total_objects, fp->arg);
	return 0;
}

static void
on_diff_progress(size_t done, size_t total, void *arg)
{
	struct fetch_progress *fp = arg;

	if (fp->fn != NULL)
		fp->fn("building the diff", (long)done, (long)total, fp->arg);
}

/* Add to what the reviewer is told about this diff: every part stays visible. */
static void
note_add(struct gth_prepared *out, const char *fmt, ...)
{
	size_t used = strlen(out->note);
	va_list ap;

	if (used > 0) {
		if (used + 2 >= sizeof(out->note) - 1)
			return;		/* full: what is there stays whole */
		memcpy(out->note + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out->note + used, sizeof(out->note) - used, fmt, ap);
	va_end(ap);
}

/* "refs/pull" or "refs/merge-requests": where the forge keeps PR heads. */
static const char *
pr_ref_prefix(const struct gth_pr *pr)
{
	return pr->forge_kind == GTH_FORGE_GITLAB ? "refs/merge-requests" : "refs/pull";
}

/*
 * Fetch and diff from the mirror.  Leaves *diff NULL and returns the error
 * when git cannot be used; the caller then falls back to the files API.
 */
static int
diff_from_git(struct gth_app *app, struct gth_forge *f, const struct gth_pr *pr,
	bool ignore_whitespace, struct fetch_progress *fp, volatile int *cancel,
	struct gth_prepared *out, struct gth_codeowners **owners, struct gth_policy **repo_policy,
	struct gth_err *err)
{
	struct gth_mirror *m = NULL;
	struct gth_strvec refspecs = GTH_STRVEC_INIT;
	struct gth_fetch_opts fo;
	struct gth_diff_opts dopt;
	struct gth_err ferr;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (pr->clone_url == NULL || pr->host == NULL || pr->head_sha == NULL ||
	    pr->base_sha == NULL || pr->base_ref == NULL)
		return gth_err_set(err, -GTH_E_INVAL, "the forge gave no clone URL or SHAs");
	r = gth_mirror_open(app->cache_dir, pr->host, pr->repo, &m, err);
	if (r != 0)
		goto out;
	gth_mirror_pr_refspecs(pr->base_ref, pr->number, pr_ref_prefix(pr), &refspecs);
	memset(&fo, 0, sizeof(fo));
	fo.url = pr->clone_url;
	fo.token = gth_forge_token(f);
	fo.refspecs = (const char *const *)refspecs.v;
	fo.n_refspecs = refspecs.n;
	fp->repo = pr->repo;
	fo.progress = on_fetch_progress;
	fo.progress_arg = fp;
	fo.cancel = cancel;
	r = gth_mirror_fetch(m, &fo, err);
	if (r != 0)
		goto out;
	gth_err_clear(&ferr);
	if (gth_mirror_check_head(m, pr->number, pr_ref_prefix(pr), pr->head_sha,
	    out->mirror_head, &ferr) == -GTH_E_STALE) {
		out->stale = true;
		note_add(out, "stale: %s", gth_err_text(&ferr, -GTH_E_STALE));
	}
	memset(&dopt, 0, sizeof(dopt));
	dopt.ignore_whitespace = ignore_whitespace;
	dopt.context_lines = -1;
	/* Review what the forge says the head is: that is what the decision pins. */
	r = gth_git_diff_open(m, pr->base_sha, pr->head_sha, &dopt, &out->diff, err);
	if (r != 0)
		goto out;
	r = gth_git_diff_load_all(out->diff, on_diff_progress, fp, cancel, err);
	if (r != 0)
		goto out;

	/* Repository rules and owners come from the base commit, never from the PR. */
	if (gth_git_read_file_at(m, pr->base_sha, ".gatehouse/policy", REPO_FILE_MAX, &text, &len,
	    NULL) == 0) {
		char *origin = xasprintf("%s@%.12s:.gatehouse/policy", pr->repo, pr->base_sha);

		r = gth_policy_add_repo_rules(app->policy, text, len, origin, repo_policy, &ferr);
		if (r != 0) {
			/* A broken repo policy cannot lower anything: note it and go on. */
			gth_warn("%s", gth_err_text(&ferr, r));
			note_add(out, "repository policy ignored: %s", gth_err_text(&ferr, r));
			r = 0;
		}
		free(origin);
		free(text);
		text = NULL;
	}
	{
		static const char *const places[] = { ".github/CODEOWNERS", "CODEOWNERS",
			"docs/CODEOWNERS", ".gitlab/CODEOWNERS" };
		size_t i;

		for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
			if (gth_git_read_file_at(m, pr->base_sha, places[i], REPO_FILE_MAX, &text,
			    &len, NULL) != 0)
				continue;
			if (gth_codeowners_parse(text, len, owners, NULL, NULL) != 0)
				*owners = NULL;
			free(text);
			text = NULL;
			break;
		}
	}
out:
	if (r != 0) {
		gth_diff_free(out->diff);
		out->diff = NULL;
	}
	gth_strvec_clear(&refspecs);
	gth_mirror_free(m);
	return r;
}

int
gth_svc_expand_file(struct gth_app *app, const struct gth_pr *pr, bool ignore_whitespace,
	const char *old_path, const char *new_path, struct gth_diff **out, size_t *index,
	struct gth_err *err)
{
	struct gth_mirror *m = NULL;
	struct gth_diff *d = NULL;
	struct gth_diff_opts dopt;
	size_t i;
	int r;

	*out = NULL;
	if (pr->host == NULL || pr->head_sha == NULL || pr->base_sha == NULL)
		return gth_err_set(err, -GTH_E_INVAL, "the PR has no commits to diff");
	if ((r = gth_mirror_open(app->cache_dir, pr->host, pr->repo, &m, err)) != 0)
		goto out;
	/* The options the PR's diff was built with, so the same files come out. */
	memset(&dopt, 0, sizeof(dopt));
	dopt.ignore_whitespace = ignore_whitespace;
	dopt.context_lines = -1;
	if ((r = gth_git_diff_open(m, pr->base_sha, pr->head_sha, &dopt, &d, err)) != 0)
		goto out;
	for (i = 0; i < d->n_files; i++)
		if (gth_str_eq(d->files[i].old_path, old_path) &&
		    gth_str_eq(d->files[i].new_path, new_path))
			break;
	if (i == d->n_files) {
		r = gth_err_set(err, -GTH_E_NOTFOUND, "%s is not in the diff", new_path);
		goto out;
	}
	if ((r = gth_git_diff_load_file_full(d, i, err)) != 0)
		goto out;
	*index = i;
	*out = d;
	d = NULL;
out:
	gth_diff_free(d);
	gth_mirror_free(m);
	return r;
}

void
gth_svc_expand_apply(struct gth_diff *d, size_t i, const struct gth_diff *src, size_t si)
{
	struct gth_diff_file *f = &d->files[i];
	const struct gth_diff_file *sf = &src->files[si];
	size_t base = d->n_lines;

	gth_diff_append(d, src);
	f->first_line = base + sf->first_line;
	f->n_lines = sf->n_lines;
	f->additions = sf->additions;
	f->deletions = sf->deletions;
	f->old_size = sf->old_size;
	f->new_size = sf->new_size;
	f->binary = sf->binary;
	f->loaded = true;
}

int
gth_svc_prepare_pr(struct gth_app *app, struct gth_forge *f, struct gth_pr *pr,
	bool ignore_whitespace, gth_svc_progress_fn *progress, void *arg, volatile int *cancel,
	struct gth_prepared *out, struct gth_err *err)
{
	struct fetch_progress fp = { progress, arg, "", "" };
	struct gth_codeowners *owners = NULL;
	struct gth_policy *repo_policy = NULL;
	struct gth_err gerr;
	const char *login = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (progress != NULL)
		progress("loading checks and reviews", 0, 0, arg);
	r = gth_forge_get_details(f, pr, cancel, err);
	if (r != 0)
		return r;
	gth_err_clear(&gerr);
	r = diff_from_git(app, f, pr, ignore_whitespace, &fp, cancel, out, &owners, &repo_policy,
	    &gerr);
	if (r == -GTH_E_CANCEL) {
		if (err != NULL)
			*err = gerr;
		return r;
	}
	if (r != 0) {
		/* No git access (token scope, network): the files API, said plainly. */
		gth_warn("git for %s#%ld: %s", pr->repo, pr->number, gth_err_text(&gerr, r));
		r = gth_diff_from_files(pr, &out->diff);
		if (r != 0)
			return gth_err_set(err, r, "no diff: git failed (%s) and the files API gave "
			    "nothing usable", gth_err_text(&gerr, -GTH_E_GIT));
		out->partial = true;
		note_add(out, "diff from the forge's files API, may be partial: %s",
		    gth_err_text(&gerr, -GTH_E_GIT));
	}
	(void)gth_app_login(app, f, &login, cancel, NULL);
	gth_policy_assess(repo_policy != NULL ? repo_policy : app->policy, pr, out->diff, owners,
	    login, time(NULL), &out->assess);
	gth_codeowners_free(owners);
	gth_policy_free(repo_policy);
	return 0;
}

/* "tests:pass sast:missing": the gate summary that goes into the record. */
static char *
gate_summary(const struct gth_assessment *a)
{
	struct gth_buf b = GTH_BUF_INIT;
	size_t i;

	for (i = 0; i < a->n_gates; i++)
		gth_buf_addf(&b, "%s%s:%s%s", i ? " " : "", a->gates[i].name,
		    gth_gate_state_name(a->gates[i].state), a->gates[i].required ? "" : "(optional)");
	return gth_buf_take(&b, NULL);
}

static void
fill_decision(struct gth_decision *d, const struct gth_pr *pr, const struct gth_assessment *a,
	const struct gth_decision_request *req, const char *host, const char *login, const char *fp,
	const char *hash)
{
	size_t i;

	d->forge = xstrdup(host);
	d->repo = xstrdup(pr->repo);
	d->number = pr->number;
	d->head = xstrdup(req->head_read);
	d->base = xstrdup(pr->base_sha);
	d->verdict = req->verdict;
	d->reason = xstrdup(req->reason);
	d->risk = xstrdup(gth_risk_name(a->risk));
	for (i = 0; i < a->n_reasons; i++)
		gth_strvec_push_take(&d->risk_reasons, xasprintf("%s: %s (%s)",
		    gth_risk_name(a->reasons[i].risk), a->reasons[i].what, a->reasons[i].rule));
	d->gates = gate_summary(a);
	if (req->override != NULL && *req->override != '\0')
		d->override = xstrdup(req->override);
	d->policy = xstrdup(hash);
	d->reviewer = xstrdup(login);
	d->key = xstrdup(fp);
	gth_decision_set_time(d, time(NULL));
	if (req->verdict == GTH_VERDICT_ESCALATE) {
		gth_strvec_extend(&d->escalate_to, &a->escalate_users);
		gth_strvec_extend(&d->escalate_to, &a->escalate_teams);
		for (i = 0; i < a->escalate_labels.n; i++)
			gth_strvec_push_take(&d->escalate_to,
			    xasprintf("label:%s", a->escalate_labels.v[i]));
	}
}

/*
 * Open the agent and pick the signing key: the record names the key's
 * fingerprint, so this comes before the record is encoded.
 */
static int
pick_key(struct gth_app *app, const struct gth_decision_request *req, struct gth_agent **agent,
	struct gth_agent_identities *ids, size_t *idx, char fp[GTH_SSHKEY_FP_MAX],
	struct gth_err *err)
{
	int r;

	if ((r = gth_agent_open(NULL, agent, err)) != 0)
		return r;
	if ((r = gth_agent_list(*agent, ids, err)) != 0)
		return r;
	r = gth_sign_choose_key(ids, app_sign_key(app), app_git_signingkey(app),
	    app_git_gpg_format(app), idx, err);
	if (r == -GTH_E_CONFLICT && req->choose_key != NULL) {
		const char **fps = xcalloc(ids->n, sizeof(*fps));
		const char **comments = xcalloc(ids->n, sizeof(*comments));
		size_t i;

		for (i = 0; i < ids->n; i++) {
			fps[i] = ids->v[i].fp;
			comments[i] = ids->v[i].comment != NULL ? ids->v[i].comment : "";
		}
		if (req->choose_key(req->choose_arg, fps, comments, ids->n, idx) == 0 &&
		    *idx < ids->n) {
			gth_err_clear(err);
			r = 0;
		}
		free(fps);
		free(comments);
	}
	if (r == -GTH_E_CONFLICT) {
		struct gth_buf fps = GTH_BUF_INIT;
		size_t i;

		for (i = 0; i < ids->n && i < 8; i++)
			gth_buf_addf(&fps, "%s%s", i ? ", " : "", ids->v[i].fp);
		gth_err_set(err, r, "the agent holds %zu keys (%s%s): name the one to sign with in "
		    "sign.key, e.g. gatehouse -c sign.key=%s ...", ids->n, gth_buf_str(&fps),
		    ids->n > 8 ? ", ..." : "", ids->v[0].fp);
		gth_buf_release(&fps);
	}
	if (r != 0)
		return r;
	gth_sshkey_fingerprint(ids->v[*idx].blob, ids->v[*idx].len, fp);
	return 0;
}

int
gth_svc_decide(struct gth_app *app, struct gth_forge *f, const struct gth_pr *pr,
	const struct gth_assessment *assess, const struct gth_decision_request *req,
	void (*waiting)(void *arg), void *warg, volatile int *cancel,
	struct gth_decision_outcome *out, struct gth_err *err)
{
	struct gth_decision *d = NULL;
	struct gth_agent *agent = NULL;
	struct gth_agent_identities ids;
	size_t idx = 0;
	struct gth_outbox_report rep;
	struct gth_pr *now = NULL;
	const char *login = NULL;
	char fp[GTH_SSHKEY_FP_MAX] = "", hash[65];
	char *record = NULL, *armored = NULL;
	size_t record_len = 0;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&rep, 0, sizeof(rep));
	memset(&ids, 0, sizeof(ids));
	if (req->reason == NULL || *req->reason == '\0')
		return gth_err_set(err, -GTH_E_INVAL, "a decision needs a reason");
	if (req->head_read == NULL)
		return gth_err_set(err, -GTH_E_INVAL, "no head commit was read");

	/* The decision binds to what the reviewer read: refuse if the head moved. */
	r = gth_forge_get_pr(f, pr->repo, pr->number, &now, cancel, err);
	if (r != 0)
		goto out;
	if (now->head_sha == NULL || strcmp(now->head_sha, req->head_read) != 0) {
		r = gth_err_set(err, -GTH_E_STALE, "the head moved from %.12s to %.12s since you "
		    "opened %s#%ld: reopen it to review what changed", req->head_read,
		    now->head_sha != NULL ? now->head_sha : "?", pr->repo, pr->number);
		goto out;
	}
	/* A PR retargeted to another branch shows another diff: also a moved PR. */
	if (pr->base_ref != NULL && now->base_ref != NULL && strcmp(pr->base_ref, now->base_ref) != 0) {
		r = gth_err_set(err, -GTH_E_STALE, "%s#%ld now targets %s, not %s: reopen it to review "
		    "the new diff", pr->repo, pr->number, now->base_ref, pr->base_ref);
		goto out;
	}
	if (pr->base_sha == NULL) {
		r = gth_err_set(err, -GTH_E_INVAL, "%s#%ld: the forge gave no base commit", pr->repo,
		    pr->number);
		goto out;
	}
	if (req->verdict == GTH_VERDICT_APPROVE &&
	    (r = gth_policy_approve_allowed(app->policy, assess, req->override, err)) != 0)
		goto out;
	if ((r = gth_app_login(app, f, &login, cancel, err)) != 0)
		goto out;
	if ((r = gth_app_open_outbox(app, err)) != 0)
		goto out;

	d = gth_decision_new();
	if ((r = gth_decision_new_id(d->id)) != 0) {
		gth_err_set(err, r, "could not make a decision id");
		goto out;
	}
	/* The hash of the policy this PR was judged under, repository rules included. */
	gth_strlcpy(hash, assess->policy_hash, sizeof(hash));
	if ((r = pick_key(app, req, &agent, &ids, &idx, fp, err)) != 0)
		goto out;
	fill_decision(d, pr, assess, req, app->hosts[gth_app_forge_index(app, f)], login, fp, hash);
	if ((r = gth_record_encode(d, &record, &record_len, err)) != 0)
		goto out;
	r = gth_sign_agent(agent, ids.v[idx].blob, ids.v[idx].len, "gatehouse-decision", record,
	    record_len, GTH_SIGN_WAITING_MS, waiting, warg, &armored, err);
	if (r != 0)
		goto out;
	r = gth_outbox_record(app->outbox, d, record, record_len, armored, err);
	if (r != 0)
		goto out;
	out->recorded = true;
	gth_strlcpy(out->id, d->id, sizeof(out->id));

	/* Delivery failures keep the decision recorded: they are reported, not returned. */
	{
		struct gth_err derr;
		int dr;

		gth_err_clear(&derr);
		dr = gth_svc_deliver(app, d->id, &rep, &derr);
		if (dr == 0 && rep.delivered > 0) {
			out->delivered = true;
			snprintf(out->detail, sizeof(out->detail), "posted to %s#%ld", pr->repo,
			    pr->number);
		} else if (rep.dead > 0) {
			out->dead = true;
			snprintf(out->detail, sizeof(out->detail), "refused by the forge: %s",
			    rep.n > 0 ? rep.v[0].msg : gth_err_text(&derr, dr));
		} else {
			snprintf(out->detail, sizeof(out->detail), "recorded; delivery will be "
			    "retried: %s", rep.n > 0 && rep.v[0].msg[0] ? rep.v[0].msg :
			    gth_err_text(&derr, dr ? dr : -GTH_E_AGAIN));
		}
	}
out:
	gth_agent_identities_release(&ids);
	gth_agent_close(agent);
	gth_outbox_report_release(&rep);
	gth_pr_free(now);
	gth_decision_free(d);
	free(record);
	free(armored);
	return r;
}

int
gth_svc_deliver(struct gth_app *app, const char *id, struct gth_outbox_report *rep,
	struct gth_err *err)
{
	int r;

	if ((r = gth_app_open_outbox(app, err)) != 0)
		return r;
	return gth_outbox_deliver(app->outbox, &app_sink_ops, app, id, rep, err);
}
