/*
 * The console: the event loop that joins the terminal, the views and the
 * services.
 *
 * The UI thread polls the terminal and the worker pool's self-pipe; it never
 * waits on the network, git or the agent.  Work runs on two lanes.  The
 * forge lane holds the queue refresh, decisions and deliveries, in order, so
 * a forge's writes never interleave (they are also spaced by the forge
 * layer) and the outbox is touched by one thread.  The review lane prepares
 * the PR the reviewer opens (reads through each forge's reader twin, the
 * mirror, the diff) and expands whole-file context, so that opening a PR
 * never waits behind a refresh of a long queue or a decision being posted.
 * The PR under review is an owned copy: a background queue refresh replaces
 * the queue without pulling the PR out from under the reviewer.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gatehouse/app/cli.h"
#include "gatehouse/app/services.h"
#include "gatehouse/app/worker.h"
#include "gatehouse/base/log.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/config/config.h"
#include "gatehouse/decide/draft.h"
#include "gatehouse/decide/outbox.h"
#include "gatehouse/decide/viewed.h"
#include "gatehouse/forge/forge.h"
#include "gatehouse/sign/agent.h"
#include "gatehouse/term/term.h"
#include "gatehouse/ui/ui.h"

#include "app_internal.h"

#define LANE_FORGE 0	/* refresh, decisions, deliveries: the writes */
#define LANE_REVIEW 1	/* preparing the open PR, whole-file context: reads, git */
#define N_LANES 2

static volatile sig_atomic_t got_term_signal;

static void
on_term_signal(int sig)
{
	got_term_signal = sig;
	gth_draft_note_signal();
}

/* Progress reported by a worker, read by the UI thread. */
struct progress {
	pthread_mutex_t lock;
	char what[128];
	long done, total;
	bool changed;
};

struct console {
	struct gth_app *app;
	struct gth_ui *ui;
	struct gth_screen *scr;
	struct gth_pool *pool;
	struct gth_queue queue;
	bool refreshing;
	bool refresh_again;		/* R while refreshing: one more when this one ends */
	time_t next_refresh;

	/* The PR under review: owned, independent of the queue. */
	struct gth_queue_item open;
	struct gth_prepared prep;
	struct gth_job *loading;	/* the prepare job in flight, for cancel */
	bool expanding;			/* a whole-file context job is on its way */
	bool ignore_whitespace;
	unsigned long generation;	/* bumps on every open/close: stale jobs are dropped */

	struct progress progress;
	atomic_int signing_waiting;
	long outbox_pending, outbox_dead;
	struct gth_ui_status status;
	char sync_detail[256];
	bool quit;

	/*
	 * The reason is saved as it is typed, but every save is fsync'd: keep
	 * the newest text and write it at most once a second (and at once on
	 * SIGHUP/SIGTERM, when the PR closes, and when gatehouse quits).
	 */
	char *draft_text;
	enum gth_verdict draft_verdict;
	time_t draft_saved_at;

	struct gth_strvec deciding;	/* PRs with a decision in flight: one at a time each */
	char *login;			/* our login on the first forge, once known */
	struct gth_strvec logins;	/* per forge, "" until known */
	char *sign_fp;			/* the key picked for this session, or NULL */
	struct work *awaiting_key;	/* a decision waiting for the key picker */
};

/* A job and what it carries both ways. */
struct work {
	struct gth_job job;	/* first: the pool hands back this pointer */
	struct console *c;
	unsigned long generation;
	struct gth_forge *forge;
	struct gth_queue queue;			/* refresh */
	struct gth_pr *pr;			/* prepare: owned copy, updated */
	struct gth_prepared prep;		/* prepare */
	struct gth_decision_request req;	/* decide */
	char *reason, *override, *head;
	struct gth_assessment *assess;		/* decide: owned copy (the view may close) */
	bool ignore_whitespace;			/* prepare, expand */
	struct gth_diff *diff;			/* expand: the file with whole-file context */
	size_t file_index, src_index;		/* expand: in the PR's diff, in diff */
	char *old_path, *new_path;		/* expand: which file */
	char *login;				/* refresh: our login, for the status bar */
	struct gth_strvec logins;		/* refresh: per forge, "" when unknown */
	struct gth_decision_outcome outcome;	/* decide */
	struct gth_outbox_report report;	/* deliver */
	char *ref;
	long pending, dead;
	char *key_fp;				/* decide: the session's key, or NULL */
	struct gth_strvec key_types, key_fps, key_comments;	/* decide: the agent's keys */
};

static void work_free(struct work *w);

static void
forget_keys(struct work *w)
{
	gth_strvec_clear(&w->key_types);
	gth_strvec_clear(&w->key_fps);
	gth_strvec_clear(&w->key_comments);
}

static void
work_discard(struct gth_job *job)
{
	work_free((struct work *)job);
}

static struct work *
work_new(struct console *c, void (*run)(struct gth_job *), void (*done)(struct gth_job *))
{
	struct work *w = xcalloc(1, sizeof(*w));

	w->job.run = run;
	w->job.done = done;
	w->job.discard = work_discard;
	w->c = c;
	w->generation = c->generation;
	gth_queue_init(&w->queue);
	return w;
}

static void
work_free(struct work *w)
{
	/* assess is either prep's (freed with it) or the job's own copy. */
	if (w->assess != w->prep.assess)
		gth_assessment_free(w->assess);
	gth_queue_release(&w->queue);
	gth_pr_free(w->pr);
	gth_prepared_release(&w->prep);
	gth_outbox_report_release(&w->report);
	free(w->login);
	gth_strvec_clear(&w->logins);
	free(w->reason);
	free(w->override);
	free(w->head);
	free(w->ref);
	free(w->key_fp);
	forget_keys(w);
	free(w->old_path);
	free(w->new_path);
	gth_diff_free(w->diff);
	free(w);
}

/* Count what the outbox still holds (on the worker: the outbox is the lane's). */
static void
count_outbox(struct gth_app *app, long *pending, long *dead)
{
	struct gth_outbox_item *items = NULL;
	size_t n = 0;

	*pending = *dead = 0;
	if (app->outbox == NULL)
		return;
	if (gth_outbox_list(app->outbox, GTH_OUTBOX_NEW, &items, &n, NULL) == 0) {
		*pending += (long)n;
		gth_outbox_items_free(items, n);
	}
	if (gth_outbox_list(app->outbox, GTH_OUTBOX_CUR, &items, &n, NULL) == 0) {
		*pending += (long)n;
		gth_outbox_items_free(items, n);
	}
	if (gth_outbox_list(app->outbox, GTH_OUTBOX_DEAD, &items, &n, NULL) == 0) {
		*dead = (long)n;
		gth_outbox_items_free(items, n);
	}
}

static void
update_status(struct console *c)
{
	struct gth_rate rate;
	struct gth_forge *f = gth_app_forge(c->app, NULL);
	struct gth_ui_forge_status *fs = NULL;
	size_t n = c->app->n_forges;

	c->status.rate_remaining = -1;
	if (f != NULL && gth_forge_rate_budget(f, NULL, &rate) == 0) {
		c->status.rate_remaining = rate.remaining;
		c->status.rate_limit = rate.limit;
		c->status.rate_reset = rate.reset;
	}
	/* Several forges: each one's budget and login (the UI copies them). */
	if (n > 1) {
		fs = xcalloc(n, sizeof(*fs));
		for (size_t i = 0; i < n; i++) {
			fs[i].name = gth_forge_name(c->app->forges[i]);
			fs[i].rate_remaining = -1;
			if (gth_forge_rate_budget(c->app->forges[i], NULL, &rate) == 0 &&
			    rate.limit >= 0) {
				fs[i].rate_remaining = rate.remaining;
				fs[i].rate_limit = rate.limit;
				fs[i].rate_reset = rate.reset;
			}
			if (i < c->logins.n && c->logins.v[i][0] != '\0')
				fs[i].login = c->logins.v[i];
		}
	}
	c->status.forges = fs;
	c->status.n_forges = fs != NULL ? n : 0;
	c->status.outbox_pending = c->outbox_pending;
	c->status.outbox_dead = c->outbox_dead;
	c->status.sync_detail = c->sync_detail[0] ? c->sync_detail : NULL;
	c->status.login = c->login;
	gth_ui_set_status(c->ui, &c->status);
	c->status.forges = NULL;
	c->status.n_forges = 0;
	free(fs);
}

/* ---- refresh ---------------------------------------------------------- */

static void
refresh_run(struct gth_job *job)
{
	struct work *w = (struct work *)job;

	const char *login = NULL;

	job->result = gth_svc_load_queue(w->c->app, &w->queue, (volatile int *)&job->cancel,
	    &job->err);
	/* app->logins belongs to this lane: hand the UI thread copies. */
	for (size_t i = 0; i < w->c->app->n_forges; i++) {
		login = NULL;
		if (gth_app_login(w->c->app, w->c->app->forges[i], &login, NULL, NULL) != 0)
			login = NULL;
		if (i == 0 && login != NULL)
			w->login = xstrdup(login);
		gth_strvec_push(&w->logins, login != NULL ? login : "");
	}
	/* Deliver what an earlier run left behind while we are at it. */
	if (gth_app_open_outbox(w->c->app, NULL) == 0) {
		(void)gth_svc_deliver(w->c->app, NULL, &w->report, NULL);
		count_outbox(w->c->app, &w->pending, &w->dead);
	}
}

static void start_refresh(struct console *c);

static void
refresh_done(struct gth_job *job)
{
	struct work *w = (struct work *)job;
	struct console *c = w->c;

	c->refreshing = false;
	if (w->login != NULL) {
		free(c->login);
		c->login = w->login;
		w->login = NULL;
	}
	if (w->logins.n > 0) {
		gth_strvec_clear(&c->logins);
		c->logins = w->logins;
		memset(&w->logins, 0, sizeof(w->logins));
	}
	c->outbox_pending = w->pending;
	c->outbox_dead = w->dead;
	if (job->result == 0 || w->queue.n > 0) {
		/* The UI keeps the cursor on the same PR by identity. */
		gth_queue_release(&c->queue);
		c->queue = w->queue;
		gth_queue_init(&w->queue);
		gth_ui_set_queue(c->ui, &c->queue);
		/*
		 * Building the new queue beside the old one took tens of MB at
		 * 10,000 PRs (pages, JSON, PRs) that are free now: give them back
		 * rather than keep them resident until the next refresh.
		 */
		gth_xalloc_trim();
		gth_debug("refresh: %zu PRs, %lld bytes allocated", c->queue.n, gth_xalloc_in_use());
		c->status.sync = job->result == 0 ? GTH_SYNC_OK : GTH_SYNC_FAILED;
		c->status.synced_at = time(NULL);
	} else {
		c->status.sync = job->result == -GTH_E_NET || job->result == -GTH_E_TIMEOUT ?
		    GTH_SYNC_OFFLINE : GTH_SYNC_FAILED;
	}
	if (job->result != 0) {
		gth_strlcpy(c->sync_detail, gth_err_text(&job->err, job->result),
		    sizeof(c->sync_detail));
		gth_ui_message(c->ui, GTH_MSG_ERROR, "refresh: %s", c->sync_detail);
	} else {
		c->sync_detail[0] = '\0';
	}
	update_status(c);
	work_free(w);
	/* The reviewer asked for fresher data than this refresh began with. */
	if (c->refresh_again) {
		c->refresh_again = false;
		start_refresh(c);
	}
}

static void
start_refresh(struct console *c)
{
	struct work *w;

	if (c->refreshing || c->quit)
		return;
	c->refreshing = true;
	c->status.sync = GTH_SYNC_RUNNING;
	update_status(c);
	c->next_refresh = time(NULL) + c->app->cfg->refresh_ms / 1000;
	w = work_new(c, refresh_run, refresh_done);
	gth_pool_submit(c->pool, LANE_FORGE, &w->job);
}

/* ---- opening a PR ----------------------------------------------------- */

static void
on_progress(const char *what, long done, long total, void *arg)
{
	struct progress *p = arg;

	pthread_mutex_lock(&p->lock);
	gth_strlcpy(p->what, what, sizeof(p->what));
	p->done = done;
	p->total = total;
	p->changed = true;
	pthread_mutex_unlock(&p->lock);
}

static struct gth_forge *
forge_of(struct console *c, const struct gth_pr *pr)
{
	struct gth_forge *f = gth_app_forge(c->app, pr->forge);

	return f != NULL ? f : gth_app_forge(c->app, NULL);
}

static void
prepare_run(struct gth_job *job)
{
	struct work *w = (struct work *)job;

	job->result = gth_svc_prepare_pr(w->c->app, w->forge, w->pr, w->ignore_whitespace,
	    on_progress, &w->c->progress, (volatile int *)&job->cancel, &w->prep, &job->err);
}

static void save_draft_now(struct console *c);

static void
close_pr(struct console *c)
{
	save_draft_now(c);
	if (c->loading != NULL)
		atomic_store(&c->loading->cancel, 1);
	/* The cancelled job's done() drops its result unseen: its progress bar goes now. */
	if ((c->loading != NULL || c->expanding) && c->ui != NULL)
		gth_ui_set_progress(c->ui, NULL, 0, 0);
	c->loading = NULL;
	c->expanding = false;
	c->generation++;
	gth_prepared_release(&c->prep);
	gth_pr_free(c->open.pr);
	c->open.pr = NULL;
	c->open.assess = NULL;
}

/* The draft is stored as its verdict on the first line, then the text. */
static void
restore_draft(struct console *c)
{
	const struct gth_pr *pr = c->open.pr;
	enum gth_verdict v = GTH_VERDICT_APPROVE;
	char *text = NULL, *nl;

	if (gth_draft_load(c->app->state_dir, pr->forge, pr->repo, pr->number, &text, NULL) != 0)
		return;
	nl = strchr(text, '\n');
	if (nl != NULL) {
		*nl = '\0';
		if (gth_verdict_parse(text, &v) == 0) {
			gth_ui_restore_draft(c->ui, v, nl + 1);
			gth_ui_message(c->ui, GTH_MSG_INFO, "restored your draft reason");
		}
	}
	free(text);
}

/* The blob that identifies a file's content at the head ("" when unknown). */
static const char *
file_blob(const struct gth_diff_file *f)
{
	return f->status == GTH_DIFF_DELETED ? f->old_oid : f->new_oid;
}

/*
 * Marks made on this head, or on an earlier one where the file had the same
 * blob, come back; a push that changed a file drops its mark.
 */
static void
restore_viewed(struct console *c)
{
	const struct gth_pr *pr = c->open.pr;
	const struct gth_diff *d = c->prep.diff;
	struct gth_viewed v;
	struct gth_err err;
	int r;

	if (d == NULL)
		return;
	gth_err_clear(&err);
	/* A damaged file still gives the marks read before the damage. */
	if ((r = gth_viewed_load(c->app->state_dir, pr->forge, pr->repo, pr->number, &v,
	    &err)) != 0)
		gth_warn("viewed marks of %s#%ld: %s", pr->repo, pr->number, gth_err_text(&err, r));
	for (size_t f = 0; f < d->n_files; f++)
		if (gth_viewed_holds(&v, d->files[f].new_path, d->head_sha, file_blob(&d->files[f])))
			gth_ui_set_viewed(c->ui, d->files[f].new_path, true);
	gth_viewed_release(&v);
}

static void
mark_viewed(struct console *c, const struct gth_cmd *cmd)
{
	const struct gth_pr *pr = c->open.pr;
	const struct gth_diff *d = c->prep.diff;
	const struct gth_diff_file *f;
	struct gth_err err;
	int r;

	if (pr == NULL || d == NULL || cmd->file_index >= d->n_files)
		return;
	f = &d->files[cmd->file_index];
	gth_err_clear(&err);
	r = gth_viewed_set(c->app->state_dir, pr->forge, pr->repo, pr->number, f->new_path,
	    d->head_sha, file_blob(f), cmd->flag, &err);
	if (r != 0)
		gth_ui_message(c->ui, GTH_MSG_WARN, "the viewed mark is not saved: %s",
		    gth_err_text(&err, r));
}

static void
prepare_done(struct gth_job *job)
{
	struct work *w = (struct work *)job;
	struct console *c = w->c;

	if (w->generation != c->generation) {
		work_free(w);	/* the reviewer moved on */
		return;
	}
	c->loading = NULL;
	gth_ui_set_progress(c->ui, NULL, 0, 0);
	if (job->result != 0) {
		gth_ui_message(c->ui, job->result == -GTH_E_CANCEL ? GTH_MSG_INFO : GTH_MSG_ERROR,
		    "%s#%ld: %s", w->pr->repo, w->pr->number, gth_err_text(&job->err, job->result));
		close_pr(c);
		gth_ui_set_pr(c->ui, NULL, NULL);
		work_free(w);
		return;
	}
	gth_prepared_release(&c->prep);
	gth_pr_free(c->open.pr);
	c->prep = w->prep;
	memset(&w->prep, 0, sizeof(w->prep));
	c->open.pr = w->pr;
	w->pr = NULL;
	c->open.assess = c->prep.assess;
	gth_ui_set_pr(c->ui, &c->open, c->prep.diff);
	gth_ui_set_diff_note(c->ui, c->prep.note);
	restore_draft(c);
	restore_viewed(c);
	work_free(w);
}

static void
open_pr(struct console *c, const struct gth_queue_item *it)
{
	/* Copies first: it may point into what close_pr() frees. */
	struct gth_pr *pr = gth_pr_dup(it->pr);
	struct gth_assessment *as = gth_assessment_dup(it->assess);
	struct work *w;

	close_pr(c);
	c->open.pr = pr;
	/* The queue's verdict, copied, until the full one is ready. */
	c->prep.assess = as;
	c->open.assess = as;
	gth_ui_set_pr(c->ui, &c->open, NULL);
	w = work_new(c, prepare_run, prepare_done);
	w->pr = gth_pr_dup(pr);
	w->forge = gth_app_reader(c->app, forge_of(c, pr));
	w->ignore_whitespace = c->ignore_whitespace;
	c->loading = &w->job;
	gth_ui_set_progress(c->ui, "loading", 0, 0);
	gth_pool_submit(c->pool, LANE_REVIEW, &w->job);
}

/* ---- whole-file context ------------------------------------------------- */

/*
 * Built on the worker lane from the job's own copies (the PR, the file's
 * paths) into a diff of its own; the PR's diff, which the view reads, is
 * only touched back on the UI thread.
 */
static void
expand_run(struct gth_job *job)
{
	struct work *w = (struct work *)job;

	job->result = gth_svc_expand_file(w->c->app, w->pr, w->ignore_whitespace, w->old_path,
	    w->new_path, &w->diff, &w->src_index, &job->err);
}

static void
expand_done(struct gth_job *job)
{
	struct work *w = (struct work *)job;
	struct console *c = w->c;
	struct gth_diff *d = c->prep.diff;

	if (w->generation != c->generation) {
		work_free(w);	/* the PR closed or was rebuilt meanwhile */
		return;
	}
	c->expanding = false;
	gth_ui_set_progress(c->ui, NULL, 0, 0);
	if (job->result != 0) {
		gth_ui_message(c->ui, GTH_MSG_ERROR, "whole file: %s",
		    gth_err_text(&job->err, job->result));
	} else if (d != NULL && w->file_index < d->n_files &&
	    gth_str_eq(d->files[w->file_index].new_path, w->new_path)) {
		gth_svc_expand_apply(d, w->file_index, w->diff, w->src_index);
		gth_ui_set_pr(c->ui, &c->open, d);
	}
	work_free(w);
}

static void
expand_context(struct console *c, size_t index)
{
	const struct gth_diff *d = c->prep.diff;
	const struct gth_diff_file *f;
	struct work *w;
	char *what;

	if (d == NULL || c->prep.partial || c->loading != NULL || index >= d->n_files)
		return;
	f = &d->files[index];
	if (f->binary || f->submodule) {
		gth_ui_message(c->ui, GTH_MSG_INFO, "binary files and submodules have no lines to show");
		return;
	}
	if (c->expanding) {
		gth_ui_message(c->ui, GTH_MSG_INFO, "whole-file context is already on its way");
		return;
	}
	w = work_new(c, expand_run, expand_done);
	w->pr = gth_pr_dup(c->open.pr);
	w->ignore_whitespace = d->ignore_whitespace;
	w->file_index = index;
	w->old_path = xstrdup(f->old_path != NULL ? f->old_path : "");
	w->new_path = xstrdup(f->new_path != NULL ? f->new_path : "");
	c->expanding = true;
	what = xasprintf("whole file %s", w->new_path);
	gth_ui_set_progress(c->ui, what, 0, 0);
	free(what);
	gth_pool_submit(c->pool, LANE_REVIEW, &w->job);
}

/* ---- deciding ----------------------------------------------------------- */

static void
on_signing_waiting(void *arg)
{
	struct console *c = arg;

	atomic_store(&c->signing_waiting, 1);
}

/*
 * Several keys in the agent and none configured (on the worker): the key
 * picked earlier in this session signs; else give up, keeping the keys with
 * their types for the picker, and the decision comes back to ask.
 */
static int
choose_session_key(void *arg, const char *const *fps, const char *const *comments, size_t n,
	size_t *index)
{
	struct work *w = arg;
	struct gth_agent *agent = NULL;
	struct gth_agent_identities ids;
	size_t i, j;

	for (i = 0; w->key_fp != NULL && i < n; i++) {
		if (strcmp(fps[i], w->key_fp) == 0) {
			*index = i;
			return 0;
		}
	}
	/* The callback has fingerprints and comments; the picker shows types too. */
	memset(&ids, 0, sizeof(ids));
	if (gth_agent_open(NULL, &agent, NULL) != 0 || gth_agent_list(agent, &ids, NULL) != 0)
		ids.n = 0;
	forget_keys(w);
	for (i = 0; i < n; i++) {
		const char *type = "?";

		for (j = 0; j < ids.n; j++)
			if (strcmp(ids.v[j].fp, fps[i]) == 0 && ids.v[j].type != NULL)
				type = ids.v[j].type;
		gth_strvec_push(&w->key_types, type);
		gth_strvec_push(&w->key_fps, fps[i]);
		gth_strvec_push(&w->key_comments, comments[i] != NULL ? comments[i] : "");
	}
	gth_agent_identities_release(&ids);
	gth_agent_close(agent);
	return -1;
}

static void
decide_run(struct gth_job *job)
{
	struct work *w = (struct work *)job;

	/* Decided from the queue: assess with the paths first, as the open PR would be. */
	if (w->assess == NULL) {
		job->result = gth_svc_prepare_pr(w->c->app, w->forge, w->pr, false, NULL, NULL,
		    (volatile int *)&job->cancel, &w->prep, &job->err);
		if (job->result != 0)
			return;
		w->assess = w->prep.assess;
	}
	job->result = gth_svc_decide(w->c->app, w->forge, w->pr, w->assess, &w->req,
	    on_signing_waiting, w->c, (volatile int *)&job->cancel, &w->outcome, &job->err);
	count_outbox(w->c->app, &w->pending, &w->dead);
}

static void
forget_deciding(struct console *c, const char *ref)
{
	size_t i;

	for (i = 0; i < c->deciding.n; i++) {
		if (strcmp(c->deciding.v[i], ref) == 0) {
			free(c->deciding.v[i]);
			c->deciding.v[i] = c->deciding.v[--c->deciding.n];
			return;
		}
	}
}

static void
decide_done(struct gth_job *job)
{
	struct work *w = (struct work *)job;
	struct console *c = w->c;
	enum gth_delivery state;

	atomic_store(&c->signing_waiting, 0);
	/* Nothing was recorded yet: ask which key, then send the same decision again. */
	if (job->result == -GTH_E_CONFLICT && w->key_fps.n > 0 && c->awaiting_key == NULL &&
	    !c->quit) {
		struct gth_ui_key *keys = xcalloc(w->key_fps.n, sizeof(*keys));

		for (size_t i = 0; i < w->key_fps.n; i++) {
			keys[i].type = w->key_types.v[i];
			keys[i].fp = w->key_fps.v[i];
			keys[i].comment = w->key_comments.v[i][0] != '\0' ? w->key_comments.v[i] : NULL;
		}
		gth_ui_pick_key(c->ui, w->ref, keys, w->key_fps.n);
		free(keys);
		c->awaiting_key = w;
		return;
	}
	forget_deciding(c, w->ref);
	c->outbox_pending = w->pending;
	c->outbox_dead = w->dead;
	if (job->result != 0) {
		/* Refused before anything was recorded: nothing will be retried. */
		gth_ui_message(c->ui, GTH_MSG_ERROR, "%s: not recorded: %s", w->ref,
		    gth_err_text(&job->err, job->result));
	} else {
		state = w->outcome.delivered ? GTH_DELIVERY_POSTED : w->outcome.dead ?
		    GTH_DELIVERY_DEAD : GTH_DELIVERY_RECORDED;
		gth_ui_set_delivery(c->ui, w->ref, state, w->outcome.detail);
		(void)gth_draft_remove(c->app->state_dir, w->pr->forge, w->pr->repo,
		    w->pr->number, NULL);
		/* The queue no longer needs this PR: refresh in the background. */
		start_refresh(c);
	}
	update_status(c);
	work_free(w);
}

static void
submit_decision(struct console *c, struct gth_cmd *cmd)
{
	const struct gth_pr *pr;
	struct work *w;
	const struct gth_pr *asked = cmd->item != NULL ? cmd->item->pr : NULL;
	/* By identity, not by pointer: the queue may hold a newer copy of the same PR. */
	bool from_open = c->open.pr != NULL && (asked == NULL ||
	    (asked->number == c->open.pr->number && gth_str_eq(asked->repo, c->open.pr->repo) &&
	    gth_str_eq(asked->forge, c->open.pr->forge)));

	if (from_open && (c->loading != NULL || c->prep.assess == NULL)) {
		gth_ui_message(c->ui, GTH_MSG_WARN, "wait for the PR to load before deciding");
		return;
	}
	if (!from_open && asked == NULL)
		return;
	pr = from_open ? c->open.pr : asked;
	{
		char *ref = gth_pr_ref(pr);
		bool busy = gth_strvec_has(&c->deciding, ref);

		free(ref);
		if (busy) {
			gth_ui_message(c->ui, GTH_MSG_WARN, "a decision on this PR is already on its way");
			return;
		}
	}
	/* The decision supersedes the draft: nothing pending may bring it back. */
	free(c->draft_text);
	c->draft_text = NULL;
	w = work_new(c, decide_run, decide_done);
	w->pr = gth_pr_dup(pr);
	w->forge = forge_of(c, pr);
	/* NULL: decide_run assesses with the diff's paths before it decides. */
	w->assess = from_open ? gth_assessment_dup(c->prep.assess) : NULL;
	w->reason = cmd->reason;
	w->override = cmd->override;
	cmd->reason = cmd->override = NULL;
	/* The head the reviewer read: the open PR's, or the one the queue showed. */
	w->head = xstrdup(pr->head_sha != NULL ? pr->head_sha : "");
	w->req.verdict = cmd->verdict;
	w->req.reason = w->reason;
	w->req.override = w->override;
	w->req.head_read = w->head;
	w->req.choose_key = choose_session_key;
	w->req.choose_arg = w;
	w->key_fp = c->sign_fp != NULL ? xstrdup(c->sign_fp) : NULL;
	w->ref = gth_pr_ref(pr);
	gth_strvec_push(&c->deciding, w->ref);
	gth_ui_message(c->ui, GTH_MSG_INFO, "%s: signing the decision...", w->ref);
	gth_pool_submit(c->pool, LANE_FORGE, &w->job);
}

/* The reviewer picked a key (or gave up) for the decision waiting for one. */
static void
key_picked(struct console *c, const struct gth_cmd *cmd)
{
	struct work *w = c->awaiting_key;

	if (w == NULL)
		return;
	c->awaiting_key = NULL;
	if (!cmd->flag || cmd->text == NULL) {
		forget_deciding(c, w->ref);
		work_free(w);
		return;
	}
	/* Kept for the session: later decisions sign with it without asking. */
	free(c->sign_fp);
	c->sign_fp = xstrdup(cmd->text);
	free(w->key_fp);
	w->key_fp = xstrdup(cmd->text);
	forget_keys(w);
	w->job.result = 0;
	gth_err_clear(&w->job.err);
	atomic_store(&w->job.cancel, 0);
	gth_pool_submit(c->pool, LANE_FORGE, &w->job);
}

static void
deliver_run(struct gth_job *job)
{
	struct work *w = (struct work *)job;

	job->result = gth_svc_deliver(w->c->app, NULL, &w->report, &job->err);
	count_outbox(w->c->app, &w->pending, &w->dead);
}

static void
deliver_done(struct gth_job *job)
{
	struct work *w = (struct work *)job;

	w->c->outbox_pending = w->pending;
	w->c->outbox_dead = w->dead;
	if (job->result == 0)
		gth_ui_message(w->c->ui, GTH_MSG_INFO, "outbox: %zu delivered, %zu to retry, %zu dead",
		    w->report.delivered, w->report.retry, w->report.dead);
	else
		gth_ui_message(w->c->ui, GTH_MSG_ERROR, "outbox: %s",
		    gth_err_text(&job->err, job->result));
	update_status(w->c);
	work_free(w);
}

/* ---- the reason in $EDITOR ---------------------------------------------- */

static void
edit_external(struct console *c, const char *text)
{
	const char *editor = getenv("VISUAL"), *tmp = getenv("TMPDIR");
	char *cmdline;
	char path[512];
	char buf[16384];
	FILE *fp;
	size_t n;
	pid_t pid;
	int fd, status;

	if (editor == NULL || *editor == '\0')
		editor = getenv("EDITOR");
	if (editor == NULL || *editor == '\0')
		editor = "vi";
	snprintf(path, sizeof(path), "%s/gatehouse-reason-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0) {
		gth_ui_message(c->ui, GTH_MSG_ERROR, "cannot create a temporary file: %s",
		    strerror(errno));
		return;
	}
	if (text != NULL && write(fd, text, strlen(text)) < 0)
		gth_warn("writing the draft for the editor: %s", strerror(errno));
	close(fd);
	/*
	 * As git runs it: the value is a shell command ("code -w", "vim -c 'set
	 * tw=72'"), given the file as "$1".  It is the reviewer's own setting.
	 */
	cmdline = xasprintf("%s \"$@\"", editor);
	gth_term_suspend();
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmdline, editor, path, (char *)NULL);
		_exit(127);
	}
	free(cmdline);
	status = -1;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	gth_term_resume();
	gth_term_invalidate();
	/* As git does: an editor that failed leaves the reason as it was. */
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		gth_ui_message(c->ui, GTH_MSG_ERROR, "the editor failed (%s %d); the reason is unchanged",
		    status != -1 && WIFSIGNALED(status) ? "signal" : "exit",
		    status == -1 ? -1 : WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		fp = NULL;
	} else {
		fp = fopen(path, "r");
	}
	if (fp != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		buf[n] = '\0';
		fclose(fp);
		gth_ui_set_reason(c->ui, buf);
	}
	unlink(path);
}

/* ---- commands ----------------------------------------------------------- */

static void
save_draft_now(struct console *c)
{
	char *stored;

	if (c->draft_text == NULL || c->open.pr == NULL)
		return;
	stored = xasprintf("%s\n%s", gth_verdict_name(c->draft_verdict), c->draft_text);
	if (gth_draft_save(c->app->state_dir, c->open.pr->forge, c->open.pr->repo,
	    c->open.pr->number, stored, NULL) != 0)
		gth_warn("could not save the draft of %s#%ld", c->open.pr->repo, c->open.pr->number);
	free(stored);
	free(c->draft_text);
	c->draft_text = NULL;
	c->draft_saved_at = time(NULL);
}

static void
save_draft(struct console *c, enum gth_verdict v, const char *text)
{
	if (c->open.pr == NULL || text == NULL)
		return;
	free(c->draft_text);
	c->draft_text = xstrdup(text);
	c->draft_verdict = v;
	if (time(NULL) > c->draft_saved_at)
		save_draft_now(c);
}

static void
handle(struct console *c, struct gth_cmd *cmd)
{
	switch (cmd->kind) {
	case GTH_CMD_NONE:
		break;
	case GTH_CMD_QUIT:
		c->quit = true;
		break;
	case GTH_CMD_REFRESH:
		if (c->refreshing && !c->refresh_again) {
			/* What changed since this one began may not be in it: one more follows. */
			c->refresh_again = true;
			gth_ui_message(c->ui, GTH_MSG_INFO, "a refresh is running: another follows it");
		}
		start_refresh(c);
		break;
	case GTH_CMD_OPEN_PR:
		if (cmd->item != NULL)
			open_pr(c, cmd->item);
		break;
	case GTH_CMD_CLOSE_PR:
		close_pr(c);
		break;
	case GTH_CMD_SUBMIT_DECISION:
		submit_decision(c, cmd);
		break;
	case GTH_CMD_SAVE_DRAFT:
		save_draft(c, cmd->verdict, cmd->text);
		break;
	case GTH_CMD_EDIT_EXTERNAL:
		edit_external(c, cmd->text);
		break;
	case GTH_CMD_COPY:
		if (cmd->text != NULL && gth_term_osc52(cmd->text) == 0)
			gth_ui_message(c->ui, GTH_MSG_INFO, "copied to your clipboard (OSC 52)");
		break;
	case GTH_CMD_LOAD_FILE:
		/* Every file is built when the PR opens; nothing is left to load. */
		break;
	case GTH_CMD_EXPAND_CONTEXT:
		expand_context(c, cmd->file_index);
		break;
	case GTH_CMD_TOGGLE_WHITESPACE:
		c->ignore_whitespace = cmd->flag;
		if (c->open.pr != NULL) {
			struct gth_queue_item it = c->open;

			open_pr(c, &it);	/* copies before it closes the old view */
		}
		break;
	case GTH_CMD_SUSPEND:
		gth_term_suspend();
		kill(getpid(), SIGTSTP);
		gth_term_resume();
		gth_term_invalidate();
		break;
	case GTH_CMD_RETRY_DELIVERY: {
		struct work *w = work_new(c, deliver_run, deliver_done);

		gth_pool_submit(c->pool, LANE_FORGE, &w->job);
		break;
	}
	case GTH_CMD_REDRAW:
		gth_term_invalidate();
		break;
	case GTH_CMD_MARK_VIEWED:
		mark_viewed(c, cmd);
		break;
	case GTH_CMD_PICK_KEY:
		key_picked(c, cmd);
		break;
	}
	gth_cmd_release(cmd);
}

static void
flush_progress(struct console *c)
{
	struct progress *p = &c->progress;

	pthread_mutex_lock(&p->lock);
	if (p->changed && c->loading != NULL)
		gth_ui_set_progress(c->ui, p->what, p->done, p->total);
	p->changed = false;
	pthread_mutex_unlock(&p->lock);
	if (atomic_exchange(&c->signing_waiting, 0))
		gth_ui_message(c->ui, GTH_MSG_WARN, "waiting for the ssh-agent: confirm the "
		    "signature or touch your security key");
}

static int
setup_ui(struct console *c, struct gth_theme *theme, struct gth_keymap *km,
	struct gth_ui_template **tpl, size_t *n_tpl, struct gth_err *err)
{
	struct gth_ui_options uo;
	char *user_themes = xasprintf("%s/themes", c->app->cfg->config_dir);
	const char *dirs[] = { user_themes, GTH_DATADIR "/themes", NULL };
	int r;

	gth_theme_init_default(theme);
	if (c->app->cfg->theme != NULL &&
	    (r = gth_theme_load(theme, c->app->cfg->theme, dirs, err)) != 0)
		goto out;
	if ((r = gth_theme_apply_cfg(theme, &c->app->cfg->raw, err)) != 0)
		goto out;
	gth_keymap_init(km);
	if ((r = gth_keymap_apply_cfg(km, &c->app->cfg->raw, err)) != 0)
		goto out;
	if ((r = gth_ui_templates_from_cfg(&c->app->cfg->raw, tpl, n_tpl, err)) != 0)
		goto out;
	memset(&uo, 0, sizeof(uo));
	uo.keymap = km;
	uo.theme = theme;
	uo.templates = *tpl;
	uo.n_templates = *n_tpl;
	uo.ascii = c->app->cfg->ascii;
	uo.tabs = c->app->cfg->tabs;
	uo.policy = c->app->policy;
	c->ui = gth_ui_new(&uo);
out:
	free(user_themes);
	return r;
}

static void
loop(struct console *c)
{
	struct pollfd fds[2];
	struct gth_cmd cmd;
	int rows, cols, key, timeout;
	bool interrupted;

	while (!c->quit) {
		if (got_term_signal != 0) {
			enum gth_verdict v;
			const char *draft = gth_ui_draft(c->ui, &v);

			/* A dropped connection loses nothing: keep the reason being typed. */
			if (draft != NULL && *draft != '\0') {
				save_draft(c, v, draft);
				save_draft_now(c);
			}
			break;
		}
		flush_progress(c);
		if (c->draft_text != NULL && time(NULL) > c->draft_saved_at)
			save_draft_now(c);
		gth_ui_render(c->ui, c->scr);
		gth_term_blit(c->scr);
		memset(&cmd, 0, sizeof(cmd));
		while (gth_ui_poll(c->ui, &cmd) == 1) {
			handle(c, &cmd);
			memset(&cmd, 0, sizeof(cmd));
		}

		fds[0].fd = gth_term_fd();
		fds[0].events = POLLIN;
		fds[1].fd = gth_pool_fd(c->pool);
		fds[1].events = POLLIN;
		timeout = c->loading != NULL ? 100 : 1000;
		interrupted = false;
		if (poll(fds, 2, timeout) < 0) {
			if (errno != EINTR)
				break;
			interrupted = true;
			fds[0].revents = fds[1].revents = 0;
		}
		if (fds[1].revents & POLLIN)
			gth_pool_reap(c->pool);
		/* A signal (SIGWINCH) may have a KEY_RESIZE waiting with no byte to read. */
		if ((fds[0].revents & (POLLIN | POLLHUP)) || interrupted) {
			while ((key = gth_term_read_key(0)) != GTH_KEY_NONE) {
				if (key == GTH_KEY_RESIZE) {
					gth_term_size(&rows, &cols);
					gth_screen_resize(c->scr, rows, cols);
					gth_ui_resize(c->ui, rows, cols);
					continue;
				}
				memset(&cmd, 0, sizeof(cmd));
				if (gth_ui_key(c->ui, key, &cmd) == 1 || cmd.kind != GTH_CMD_NONE)
					handle(c, &cmd);
				if (c->quit)
					break;
			}
			if (fds[0].revents & POLLHUP)
				got_term_signal = SIGHUP;
		}
		if (!c->refreshing && time(NULL) >= c->next_refresh)
			start_refresh(c);
	}
}

int
gth_cli_console(const struct gth_app_opts *opts, int argc, char **argv)
{
	struct console c;
	struct gth_theme theme;
	struct gth_keymap km;
	struct gth_ui_template *tpl = NULL;
	struct gth_term_options to;
	struct gth_term_caps caps;
	struct sigaction sa;
	struct gth_err err;
	size_t n_tpl = 0;
	int rows, cols, r, rc = GTH_EXIT_OK;

	(void)argc;
	(void)argv;
	memset(&c, 0, sizeof(c));
	memset(&km, 0, sizeof(km));
	pthread_mutex_init(&c.progress.lock, NULL);
	gth_queue_init(&c.queue);
	gth_err_clear(&err);
	/* Everything that can fail with a message fails before curses takes the screen. */
	r = gth_app_open(opts, GTH_APP_FORGES | GTH_APP_POLICY | GTH_APP_OUTBOX, &c.app, &err);
	if (r == 0)
		r = setup_ui(&c, &theme, &km, &tpl, &n_tpl, &err);
	if (r != 0) {
		gth_app_complain(&err, r);
		rc = gth_app_exit_for(r);
		goto out;
	}
	gth_app_open_readers(c.app);
	if ((c.pool = gth_pool_new(N_LANES)) == NULL) {
		fprintf(stderr, "gatehouse: cannot start a worker thread\n");
		rc = GTH_EXIT_FAIL;
		goto out;
	}
	memset(&to, 0, sizeof(to));
	to.theme = &theme;
	to.ascii = c.app->cfg->ascii;
	if ((r = gth_term_init(&to, &caps, &err)) != 0) {
		gth_app_complain(&err, r);
		rc = GTH_EXIT_FAIL;
		goto out;
	}
	gth_xalloc_set_fatal_hook(gth_term_restore);
	/* Line drawing and glyphs fall back to ASCII where the locale is not UTF-8. */
	if (!caps.utf8)
		gth_ui_set_ascii(c.ui, true);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	gth_term_size(&rows, &cols);
	c.scr = gth_screen_new(rows, cols);
	gth_ui_resize(c.ui, rows, cols);
	gth_ui_set_queue(c.ui, &c.queue);
	start_refresh(&c);
	loop(&c);
	c.quit = true;
	gth_term_end();
	gth_xalloc_set_fatal_hook(NULL);
	/* One waiting for its key was never recorded: nothing to finish. */
	if (c.awaiting_key != NULL) {
		forget_deciding(&c, c.awaiting_key->ref);
		work_free(c.awaiting_key);
		c.awaiting_key = NULL;
	}
	/* A PR being prepared is not waited for. */
	if (c.loading != NULL)
		atomic_store(&c.loading->cancel, 1);
	/* A decision on its way is finished, not dropped: it may be mid-signature. */
	if (c.deciding.n > 0) {
		fprintf(stderr, "gatehouse: finishing %zu decision(s) on their way...\n",
		    c.deciding.n);
		gth_pool_drain(c.pool);
	}
out:
	/* Stop the workers before what they use goes away. */
	if (c.loading != NULL)
		atomic_store(&c.loading->cancel, 1);
	gth_pool_free(c.pool);
	close_pr(&c);
	gth_ui_free(c.ui);
	gth_screen_free(c.scr);
	gth_queue_release(&c.queue);
	gth_ui_templates_free(tpl, n_tpl);
	gth_keymap_release(&km);
	gth_strvec_clear(&c.deciding);
	free(c.login);
	gth_strvec_clear(&c.logins);
	free(c.sign_fp);
	free(c.draft_text);
	gth_app_free(c.app);
	pthread_mutex_destroy(&c.progress.lock);
	if (got_term_signal != 0)
		rc = 128 + got_term_signal;
	return rc;
}
