/*
 * The reviewer console's views: queue, PR (diff + risk, gates, rationale,
 * file list), decision prompt, help, command line, status bar.
 *
 * Pure: the app owns the data and all I/O.  The UI owns view state only; it
 * reads borrowed model structs, answers each key with at most one command
 * for the app to carry out, and renders into a struct gth_screen.  Every
 * string that came from the forge or the repository is sanitized when drawn.
 * Rendering costs O(screen): the diff model's O(1) line access is used
 * directly, nothing is copied per diff line.
 */
#ifndef GATEHOUSE_UI_UI_H
#define GATEHOUSE_UI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gatehouse/model/diff.h"
#include "gatehouse/model/queue.h"
#include "gatehouse/model/verdict.h"
#include "gatehouse/policy/policy.h"
#include "gatehouse/ui/keymap.h"
#include "gatehouse/ui/keys.h"
#include "gatehouse/ui/screen.h"
#include "gatehouse/ui/theme.h"

enum gth_cmd_kind {
	GTH_CMD_NONE,
	GTH_CMD_QUIT,
	GTH_CMD_REFRESH,		/* re-list the queue */
	GTH_CMD_OPEN_PR,		/* item: fetch + diff + details, then gth_ui_set_pr */
	GTH_CMD_CLOSE_PR,		/* item: the PR view closed; the diff may be freed */
	GTH_CMD_SUBMIT_DECISION,	/* item, verdict, reason, override (NULL if none) */
	GTH_CMD_SAVE_DRAFT,		/* item, verdict, text = reason so far */
	GTH_CMD_EDIT_EXTERNAL,		/* item, text = reason so far: run $EDITOR, then gth_ui_set_reason */
	GTH_CMD_COPY,			/* text: put it on the reviewer's clipboard (OSC 52) */
	GTH_CMD_LOAD_FILE,		/* item, file_index: build that file's hunks, then gth_ui_set_pr */
	GTH_CMD_EXPAND_CONTEXT,		/* item, file_index: rebuild that file with whole-file context */
	GTH_CMD_TOGGLE_WHITESPACE,	/* item, flag: rebuild the diff ignoring whitespace (flag) or not */
	GTH_CMD_SUSPEND,		/* suspend to the shell (SIGTSTP after restoring the terminal) */
	GTH_CMD_RETRY_DELIVERY,		/* item: retry the outbox entry of this PR */
	GTH_CMD_REDRAW,			/* repaint the whole terminal (the screen may be garbled) */
	GTH_CMD_MARK_VIEWED,		/* item, file_index, flag, text = path: persist per head SHA */
	GTH_CMD_PICK_KEY,		/* flag: a key was picked (text = its fingerprint,
					 * file_index = its place in the list) or not (the
					 * reviewer gave up): see gth_ui_pick_key */
};

/* A command for the app.  Strings are owned: gth_cmd_release frees them. */
struct gth_cmd {
	enum gth_cmd_kind kind;
	const struct gth_queue_item *item;	/* borrowed from the queue / set_pr */
	size_t file_index;
	enum gth_verdict verdict;
	bool flag;
	char *reason;		/* SUBMIT_DECISION: never empty */
	char *override;		/* SUBMIT_DECISION: typed override, NULL when none was needed */
	char *text;
};

void gth_cmd_release(struct gth_cmd *cmd);

/* A reason template offered by the decision prompt (digits pick them). */
struct gth_ui_template {
	const char *name;
	int verdict;		/* enum gth_verdict, or -1 for any */
	const char *text;
};

struct gth_ui_options {
	const struct gth_keymap *keymap;	/* copied; NULL = defaults */
	const struct gth_theme *theme;		/* copied; NULL = default theme (used for nothing but names) */
	const struct gth_ui_template *templates;	/* copied */
	size_t n_templates;
	bool ascii;				/* no UTF-8 line drawing or glyphs */
	bool tabs;				/* PR view panels as tabs however wide (z toggles) */
	time_t (*now)(void *arg);		/* clock for SLA and age; NULL = time() */
	void *now_arg;
	const struct gth_policy *policy;	/* borrowed; judges overrides (NULL: any
						 * non-blank override is accepted) */
};

/*
 * Templates from config: [template "<name>"] verdict = approve|reject|escalate|any,
 * text = ... (in the order they appear).  Appends to *v / *n (owned strings;
 * free with gth_ui_templates_free).  -GTH_E_CONFIG with file:line on errors.
 */
int gth_ui_templates_from_cfg(const struct gth_cfg *cfg, struct gth_ui_template **v, size_t *n,
	struct gth_err *err);
void gth_ui_templates_free(struct gth_ui_template *v, size_t n);

enum gth_sync_state {
	GTH_SYNC_IDLE,
	GTH_SYNC_RUNNING,
	GTH_SYNC_OK,
	GTH_SYNC_FAILED,
	GTH_SYNC_OFFLINE,
};

/* One forge's rate budget and login, when the console works on several. */
struct gth_ui_forge_status {
	const char *name;	/* the forge's name in the config */
	long rate_remaining;	/* -1 unknown */
	long rate_limit;
	time_t rate_reset;	/* 0 unknown */
	const char *login;	/* reviewer's login there; may be NULL */
};

/* What the status bar shows.  Strings are copied. */
struct gth_ui_status {
	long rate_remaining;	/* -1 unknown */
	long rate_limit;
	time_t rate_reset;	/* 0 unknown */
	long outbox_pending;
	long outbox_dead;
	enum gth_sync_state sync;
	time_t synced_at;	/* 0 never */
	const char *sync_detail;	/* e.g. the last error; may be NULL */
	const char *login;	/* reviewer's forge login; may be NULL */
	/*
	 * With two or more forges: each one's budget and login (copied), shown
	 * instead of rate_* and login; NULL / 0 for one forge.
	 */
	const struct gth_ui_forge_status *forges;
	size_t n_forges;
};

enum gth_delivery {
	GTH_DELIVERY_RECORDED,	/* in the outbox, signed */
	GTH_DELIVERY_POSTED,	/* the forge has it */
	GTH_DELIVERY_FAILED,	/* will retry */
	GTH_DELIVERY_DEAD,	/* permanent failure, needs the reviewer */
};

enum gth_msg_level {
	GTH_MSG_INFO,
	GTH_MSG_WARN,
	GTH_MSG_ERROR,
};

struct gth_ui;

/* A new UI showing an empty queue at 24x80.  Free with gth_ui_free (NULL is fine). */
struct gth_ui *gth_ui_new(const struct gth_ui_options *o);
void gth_ui_free(struct gth_ui *ui);

/*
 * Show q (borrowed until the next gth_ui_set_queue; q may be NULL = empty).
 * The cursor stays on the same PR (forge, repo, number) when it is still
 * there.  An open PR view is re-pointed to the new item of the same PR; if
 * the PR left the queue, the item given to gth_ui_set_pr must stay valid
 * while the PR view shows it (a prompt opened from the queue view is closed).
 */
void gth_ui_set_queue(struct gth_ui *ui, const struct gth_queue *q);

/*
 * Open (or update) the PR view for it (borrowed) with diff d (borrowed; NULL
 * while loading).  Calling it again for the same PR keeps the position.
 */
void gth_ui_set_pr(struct gth_ui *ui, const struct gth_queue_item *it, const struct gth_diff *d);

/*
 * What the reviewer must know about the open PR's diff (stale mirror, files
 * API only, repository policy ignored): a banner above the diff while the PR
 * stays open.  NULL or "" removes it.  Call after gth_ui_set_pr.
 */
void gth_ui_set_diff_note(struct gth_ui *ui, const char *note);

/* Fetch progress in the status bar: what NULL clears it; total <= 0 = unknown. */
void gth_ui_set_progress(struct gth_ui *ui, const char *what, long done, long total);
void gth_ui_set_status(struct gth_ui *ui, const struct gth_ui_status *s);
/* Delivery state of the decision on pr_ref ("owner/repo#N"); detail may be NULL. */
void gth_ui_set_delivery(struct gth_ui *ui, const char *pr_ref, enum gth_delivery state,
	const char *detail);
/* A one-line message in the bottom line until the next key. */
void gth_ui_message(struct gth_ui *ui, enum gth_msg_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Answer one key (a code point or GTH_KEY_*).  Fills cmd (kind NONE when
 * there is nothing to do) and returns 1 when it holds a command, else 0.
 * The caller releases cmd with gth_cmd_release.
 */
int gth_ui_key(struct gth_ui *ui, int key, struct gth_cmd *cmd);

/*
 * A command the UI needs without a key (e.g. hunks of a file that scrolled
 * into view).  Call after each render; returns 1 when cmd holds one.
 */
int gth_ui_poll(struct gth_ui *ui, struct gth_cmd *cmd);

void gth_ui_resize(struct gth_ui *ui, int rows, int cols);
/* Switch plain-ASCII line drawing and glyphs on or off (e.g. !caps.utf8 after gth_term_init). */
void gth_ui_set_ascii(struct gth_ui *ui, bool ascii);
/* Draw everything into scr (resized to the UI's size when they differ). */
void gth_ui_render(struct gth_ui *ui, struct gth_screen *scr);

/* The reason typed so far in the decision prompt, or NULL when no prompt is open. */
const char *gth_ui_draft(const struct gth_ui *ui, enum gth_verdict *verdict);
/* Put a reason (a saved draft, or what $EDITOR returned) into the prompt. */
void gth_ui_set_reason(struct gth_ui *ui, const char *text);
/* Open the decision prompt for the current PR with a saved draft. */
void gth_ui_restore_draft(struct gth_ui *ui, enum gth_verdict v, const char *text);
/* Mark a file (by path) viewed, e.g. from persisted state after set_pr. */
void gth_ui_set_viewed(struct gth_ui *ui, const char *path, bool viewed);

/* An ssh-agent key offered by the key picker.  Strings are copied. */
struct gth_ui_key {
	const char *type;	/* "ssh-ed25519" */
	const char *fp;		/* "SHA256:..." */
	const char *comment;	/* from the agent (untrusted); may be NULL */
};

/*
 * Ask which of n keys signs the decision on pr_ref: a picker over whatever
 * view shows (j/k or arrows move, a digit or <Enter> picks, <Esc> gives
 * up).  It answers with one GTH_CMD_PICK_KEY.  Replaces a picker already open.
 */
void gth_ui_pick_key(struct gth_ui *ui, const char *pr_ref, const struct gth_ui_key *keys,
	size_t n);

/* Which view is showing: "queue", "pr", "prompt", "help", "keys" (for tests and the title). */
const char *gth_ui_view_name(const struct gth_ui *ui);

#endif
