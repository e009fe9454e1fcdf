/*
 * The outbox: signed decisions waiting to reach the forge, kept durable
 * across crashes, delivered exactly once in effect.
 *
 * Layout ($XDG_STATE_HOME/gatehouse/outbox, maildir style, dirs 0700):
 *
 *	tmp/<id>          being written (never trusted; removed by recovery)
 *	new/<id>          recorded: durable, not yet tried
 *	cur/<id>:<steps>  being delivered; steps done so far, in the name:
 *	                  P a review post was sent (its outcome unknown until R;
 *	                  meanwhile the name ends ",<unix time of the post>"),
 *	                  R review posted (or found), E reviewers/label, S status
 *	done/<id>         delivered
 *	dead/<id>         permanently refused; dead/<id>.err says why
 *
 * gth_outbox_record() returns 0 only once the entry is in new/ and the
 * directory is fsync'd: only then may the UI say "recorded".  Entries are
 * self-validating (a header, lengths, and a trailing sha256), so a torn
 * file is recognised and moved to dead/, never delivered and never dropped.
 *
 * Delivery is exactly-once in effect although forges have no idempotency
 * keys: before posting a review, the PR's reviews are listed and searched
 * for this id, but only among reviews by our own account whose embedded
 * record equals ours and whose SSHSIG verifies with the record's key (agents
 * can paste markers).  A post whose answer was lost (P without R) may have
 * landed while the forge's list lags its writes, so when the list does not
 * show it, it is posted again only once the post is older than the settle
 * time (gth_outbox_set_settle).  Statuses, labels and requested reviewers are
 * idempotent by nature.  Every step is recorded (a rename + directory
 * fsync) before the next, so a kill -9 anywhere resumes at the right step.
 * One process delivers at a time (flock on the outbox directory).
 */
#ifndef GATEHOUSE_DECIDE_OUTBOX_H
#define GATEHOUSE_DECIDE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gatehouse/base/err.h"
#include "gatehouse/decide/audit.h"
#include "gatehouse/model/decision.h"
#include "gatehouse/model/pr.h"

/* Cap on an entry file: a record (64 KiB) plus its signature and framing. */
#define GTH_OUTBOX_ENTRY_MAX (160 * 1024)

/*
 * What delivery needs from the forge; app/ implements it over forge/.
 * Every function returns 0 or a negative GTH_E_* and fills err (with
 * err->status = the HTTP status when there was one).
 */
struct gth_delivery_sink_ops {
	/*
	 * The PR's reviews (author, body, commit, state), as an array the sink
	 * allocates with malloc and strdup: the outbox frees it with
	 * gth_outbox_reviews_free().
	 */
	int (*list_reviews)(void *ctx, const struct gth_decision *d, struct gth_review **out,
		size_t *n, struct gth_err *err);
	/* Our own account's login on d's forge (NULL while unknown: nothing is posted then). */
	const char *(*self_login)(void *ctx, const struct gth_decision *d);
	/* Post the review (APPROVE / REQUEST_CHANGES / COMMENT by d->verdict) pinned to d->head. */
	int (*post_review)(void *ctx, const struct gth_decision *d, const char *review_body,
		struct gth_err *err);
	/* Set gatehouse/checkpoint to success / failure / pending by d->verdict. */
	int (*post_status)(void *ctx, const struct gth_decision *d, struct gth_err *err);
	/* Escalations only: request d->escalate_to reviewers/teams and add the label. */
	int (*escalate)(void *ctx, const struct gth_decision *d, struct gth_err *err);
	/*
	 * Is this failure permanent (do not retry)?  NULL: permanent when
	 * err->status is 4xx other than 401, 403, 408 and 429 (token and rate
	 * limit trouble is fixed without touching the decision).
	 */
	bool (*is_permanent)(int code, const struct gth_err *err);
};

void gth_outbox_reviews_free(struct gth_review *v, size_t n);

enum gth_outbox_state {
	GTH_OUTBOX_NEW,
	GTH_OUTBOX_CUR,
	GTH_OUTBOX_DONE,
	GTH_OUTBOX_DEAD,
};

/* One parsed entry file. */
struct gth_outbox_entry {
	char id[GTH_DECISION_ID_LEN + 1];
	char *record;		/* canonical JSON, NUL-terminated */
	size_t record_len;
	char *armored;		/* SSHSIG armor */
};

/* Serialize / parse an entry (the parser is strict and capped; fuzzed). */
char *gth_outbox_entry_encode(const char *id, const char *record, size_t record_len,
	const char *armored, size_t *len);
int gth_outbox_entry_parse(const char *data, size_t len, struct gth_outbox_entry *out,
	struct gth_err *err);
void gth_outbox_entry_release(struct gth_outbox_entry *e);

struct gth_outbox;

/*
 * Open (creating the directories) the outbox at dir.  audit may be NULL;
 * when set, record/post/dead events are appended to it (borrowed).
 */
int gth_outbox_open(const char *dir, struct gth_audit *audit, struct gth_outbox **out,
	struct gth_err *err);
void gth_outbox_close(struct gth_outbox *ob);

#define GTH_OUTBOX_SETTLE_DEFAULT 60

/*
 * How long (seconds, >= 0; default GTH_OUTBOX_SETTLE_DEFAULT) a review post
 * whose answer was lost must be old before, not found on the forge, it is
 * posted again: the time the forge's review list may take to show a write.
 * 0 re-posts at once (for forges whose lists are strongly consistent).
 */
void gth_outbox_set_settle(struct gth_outbox *ob, long seconds);

/*
 * Make a signed decision durable in new/.  record_json must be the
 * canonical record of d and armored its signature, made by the key the
 * record names (checked: -GTH_E_INVAL / -GTH_E_SIG otherwise, since delivery
 * could never recognise such a review as delivered).  Returns 0 only when
 * durable; -GTH_E_EXISTS when the id is already queued; -GTH_E_IO on any
 * failed write or fsync (the decision is then NOT recorded).
 */
int gth_outbox_record(struct gth_outbox *ob, const struct gth_decision *d,
	const char *record_json, size_t record_len, const char *armored, struct gth_err *err);

/* Room for the step letters of a cur/ name and a NUL. */
#define GTH_OUTBOX_STEPS_MAX 8

struct gth_outbox_item {
	char id[GTH_DECISION_ID_LEN + 1];
	enum gth_outbox_state state;
	char steps[GTH_OUTBOX_STEPS_MAX];	/* "P", "PR", "PRES", "RES" ... for cur/ */
	time_t post_at;		/* P without R: when that post was sent; else 0 */
	struct gth_decision *d;	/* NULL when the entry is unreadable */
	char *error;		/* dead/: why; NULL otherwise */
};

/* Entries in one state, oldest first.  Free with gth_outbox_items_free. */
int gth_outbox_list(struct gth_outbox *ob, enum gth_outbox_state state,
	struct gth_outbox_item **items, size_t *n, struct gth_err *err);
void gth_outbox_items_free(struct gth_outbox_item *items, size_t n);

struct gth_outbox_result {
	char id[GTH_DECISION_ID_LEN + 1];
	enum gth_outbox_state state;	/* DONE, CUR (retry later) or DEAD */
	int code;		/* 0, or the error that stopped it (-GTH_E_AGAIN: a lost
				 * post is still settling; msg says until when) */
	bool found_posted;	/* the review was already on the forge (a retry) */
	char msg[256];
};

struct gth_outbox_report {
	struct gth_outbox_result *v;
	size_t n, cap;
	size_t delivered, retry, dead;
};

void gth_outbox_report_release(struct gth_outbox_report *rep);

/*
 * Deliver the entry id (NULL: every entry in cur/ and new/, oldest first).
 * Returns 0 when every entry was processed (each outcome is in rep;
 * transient failures stay in cur/ for the next call), -GTH_E_AGAIN when
 * another process is delivering, -GTH_E_IO on local failures.
 */
int gth_outbox_deliver(struct gth_outbox *ob, const struct gth_delivery_sink_ops *ops,
	void *ctx, const char *id, struct gth_outbox_report *rep, struct gth_err *err);

/*
 * Startup recovery: remove stale tmp/ files, check every new/ and cur/
 * entry and move unreadable ones to dead/ (with the reason).  *pending
 * (may be NULL) gets the number of entries awaiting delivery.
 */
int gth_outbox_recover(struct gth_outbox *ob, size_t *pending, struct gth_err *err);

/* Move dead/<id> back to new/ (the reviewer fixed the cause and retries). */
int gth_outbox_retry_dead(struct gth_outbox *ob, const char *id, struct gth_err *err);

/*
 * Is review r (posted by someone) the delivered form of this entry: by
 * self_login, carrying exactly this record, with a signature that verifies
 * with the record's key?  Used by delivery and by the kill -9 test's count.
 */
bool gth_outbox_review_is_ours(const struct gth_review *r, const char *self_login,
	const struct gth_decision *d, const char *record, size_t record_len);

#endif
