/*
 * The services the command line and the console share: loading the queue,
 * preparing a PR for review (details, mirror fetch, diff, assessment) and
 * recording and delivering a decision.
 *
 * Each service is a plain synchronous function.  The command line calls them
 * directly; the console calls them from two worker lanes (app/worker.h): the
 * queue, decisions and deliveries on one, with the app's forges, so a
 * forge's writes never interleave and the outbox has one thread; preparing
 * and expanding a PR on the other, with the forges' reader twins
 * (gth_app_open_readers).  Logins are shared under a lock; the policy is
 * only read.  None of them touches the terminal.  Every one takes an
 * optional cancel flag.
 */
#ifndef GATEHOUSE_APP_SERVICES_H
#define GATEHOUSE_APP_SERVICES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gatehouse/app/app.h"
#include "gatehouse/base/err.h"
#include "gatehouse/model/assess.h"
#include "gatehouse/model/diff.h"
#include "gatehouse/model/queue.h"
#include "gatehouse/model/verdict.h"

struct gth_config;
struct gth_policy;
struct gth_forge;
struct gth_outbox;
struct gth_audit;
struct gth_outbox_report;

struct gth_app {
	struct gth_app_opts opts;
	struct gth_config *cfg;
	struct gth_policy *policy;
	struct gth_forge **forges;
	size_t n_forges;
	struct gth_forge **readers;	/* per forge: its twin for a second lane, or NULL */
	pthread_mutex_t login_lock;	/* logins are filled from either lane */
	char **logins;		/* per forge: whoami, filled on first need; never changes after */
	char *cache_dir;
	char *state_dir;
	struct gth_audit *audit;	/* opened by gth_app_open_outbox */
	struct gth_outbox *outbox;
	char **hosts;		/* per forge: host of its web URL, to match records */
	bool git_inited;	/* gth_git_init succeeded: shut it down once */
};

/* What gth_app_open sets up. */
#define GTH_APP_FORGES	0x01	/* create forge clients (resolves tokens) */
#define GTH_APP_POLICY	0x02	/* load the host policy */
#define GTH_APP_OUTBOX	0x04	/* open the outbox and audit log, recover cur/ */

/*
 * Load the configuration (opts->config_path or the XDG default, then -c
 * overrides), and what `what` asks for.  *out is freed with gth_app_free.
 * Errors: CONFIG/POLICY with file:line, AUTH (no token), IO.
 */
int gth_app_open(const struct gth_app_opts *opts, unsigned what, struct gth_app **out,
	struct gth_err *err);
void gth_app_free(struct gth_app *app);
int gth_app_open_outbox(struct gth_app *app, struct gth_err *err);

/* The forge named name (NULL: the first configured one), or NULL. */
struct gth_forge *gth_app_forge(const struct gth_app *app, const char *name);
/* Index of f (a forge or its reader twin) in app->forges. */
size_t gth_app_forge_index(const struct gth_app *app, const struct gth_forge *f);
/*
 * Make a reader twin of every forge (gth_forge_twin) for a second worker
 * lane, so that preparing a PR need not wait behind a queue refresh or a
 * decision on the first.  Idempotent.
 */
void gth_app_open_readers(struct gth_app *app);
/* The reader twin of f (one of app->forges), or f itself without readers. */
struct gth_forge *gth_app_reader(const struct gth_app *app, const struct gth_forge *f);
/* Our login on forge f (asks the forge once).  Borrowed. */
int gth_app_login(struct gth_app *app, struct gth_forge *f, const char **login,
	volatile int *cancel, struct gth_err *err);

/*
 * Load the queue of every forge into q (replacing what it had), assess each
 * PR with what the queue carries (labels, task type, size, files the forge
 * listed) and sort it for review.  A forge that fails is reported in err;
 * the others' PRs are still loaded (returns the first error).
 */
int gth_svc_load_queue(struct gth_app *app, struct gth_queue *q, volatile int *cancel,
	struct gth_err *err);

/* Find forge+PR by "owner/repo#N" (forge name may be NULL = search all). */
int gth_svc_get_pr(struct gth_app *app, const char *forge_name, const char *repo, long number,
	struct gth_forge **forge, struct gth_pr **out, volatile int *cancel, struct gth_err *err);

/* Progress of prepare: what (e.g. "fetching acme/api"), done and total (0 = unknown). */
typedef void gth_svc_progress_fn(const char *what, long done, long total, void *arg);

/* Result of preparing a PR for review. */
struct gth_prepared {
	struct gth_diff *diff;		/* owned; NULL only on error */
	struct gth_assessment *assess;	/* owned; with paths, repo policy and CODEOWNERS */
	bool partial;			/* diff from the forge's files API (no git access) */
	bool stale;			/* the mirror's head differs from the forge's */
	char mirror_head[41];
	char note[512];			/* why partial/stale, for the reviewer */
};

void gth_prepared_release(struct gth_prepared *p);

/*
 * Prepare pr (owned by the caller, updated in place with its details) for
 * review: details from the forge, fetch into the mirror, the full diff model,
 * repository policy and CODEOWNERS from the base commit, the assessment.
 * Falls back to the files API when git is not reachable.
 */
int gth_svc_prepare_pr(struct gth_app *app, struct gth_forge *f, struct gth_pr *pr,
	bool ignore_whitespace, gth_svc_progress_fn *progress, void *arg,
	volatile int *cancel, struct gth_prepared *out, struct gth_err *err);

/*
 * Whole-file context for one file of a PR prepared from git, built apart
 * from the PR's diff so that it may run on a worker while the view reads
 * that diff: opens the mirror (no fetch: the commits are there since the PR
 * was prepared) and a diff of its own with the same options, and rebuilds
 * the file whose old and new paths are old_path and new_path with every
 * line as context.  *out (owned, gth_diff_free) holds that file, at index
 * *index, as its only loaded one.  -GTH_E_NOTFOUND when the file is not in
 * the diff; else as gth_git_diff_load_file_full().
 */
int gth_svc_expand_file(struct gth_app *app, const struct gth_pr *pr, bool ignore_whitespace,
	const char *old_path, const char *new_path, struct gth_diff **out, size_t *index,
	struct gth_err *err);

/*
 * Point file i of d at the lines of file si of src (from gth_svc_expand_file),
 * appending them: the thread that owns d calls it.  The file's previous lines
 * stay in d's arena, unreferenced, as with gth_git_diff_load_file_full().
 */
void gth_svc_expand_apply(struct gth_diff *d, size_t i, const struct gth_diff *src, size_t si);

/* A decision the reviewer asked for. */
struct gth_decision_request {
	enum gth_verdict verdict;
	const char *reason;
	const char *override;		/* typed override of failing/missing gates, or NULL */
	const char *head_read;		/* the head SHA the reviewer read */
	/*
	 * Asked when the agent holds several keys and none is configured: set
	 * *index to the reviewer's pick among n keys (fingerprints fps[i],
	 * comments untrusted) and return 0, or non-zero to give up.  NULL: the
	 * decision stops with a message naming the keys.
	 */
	int (*choose_key)(void *arg, const char *const *fps, const char *const *comments,
		size_t n, size_t *index);
	void *choose_arg;
};

/* How far a decision got. */
struct gth_decision_outcome {
	char id[32];
	bool recorded;			/* durable in the outbox */
	bool delivered;			/* posted to the forge */
	bool dead;			/* the forge refused it for good */
	char detail[512];
};

/*
 * Check the head has not moved, check the policy allows the verdict, build
 * and sign the record, make it durable in the outbox, then deliver it.
 * waiting (may be NULL) is called when the agent takes a while (a prompt or
 * a touch).  Returns STALE when the head moved (err says from what to what),
 * POLICY when gates block an approval without override, AGENT/NOKEY for
 * signing trouble; delivery failures leave it recorded and are reported in
 * out, not as an error.
 */
int gth_svc_decide(struct gth_app *app, struct gth_forge *f, const struct gth_pr *pr,
	const struct gth_assessment *assess, const struct gth_decision_request *req,
	void (*waiting)(void *arg), void *arg, volatile int *cancel,
	struct gth_decision_outcome *out, struct gth_err *err);

/* Deliver what the outbox holds (id NULL = everything pending). */
int gth_svc_deliver(struct gth_app *app, const char *id, struct gth_outbox_report *rep,
	struct gth_err *err);

#endif
