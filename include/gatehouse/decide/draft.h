/*
 * Drafts of a reason, so that a dropped SSH connection loses nothing.
 *
 * One file per PR: <state_dir>/drafts/<forge>/<owner>/<repo>/<number>,
 * replaced atomically (tmp, fsync, rename, fsync dir) on every save.
 *
 * What app/ must do:
 *   - call gth_draft_save() as the reviewer types (e.g. on each change,
 *     debounced to once a second) and gth_draft_remove() once the decision
 *     is recorded;
 *   - install SIGHUP and SIGTERM handlers that call only
 *     gth_draft_note_signal() (async-signal-safe: it sets a flag);
 *   - in the event loop, when gth_draft_flush_requested() returns true,
 *     save the draft being edited, restore the terminal and exit.
 *   - on opening a PR, gth_draft_load() to restore what was typed.
 */
#ifndef GATEHOUSE_DECIDE_DRAFT_H
#define GATEHOUSE_DECIDE_DRAFT_H

#include <stdbool.h>

#include "gatehouse/base/err.h"

#define GTH_DRAFT_MAX (64 * 1024)

/* Save text (may be empty) durably.  -GTH_E_INVAL for unsafe path parts. */
int gth_draft_save(const char *state_dir, const char *forge, const char *repo, long number,
	const char *text, struct gth_err *err);
/* *text newly allocated; -GTH_E_NOTFOUND when there is no draft. */
int gth_draft_load(const char *state_dir, const char *forge, const char *repo, long number,
	char **text, struct gth_err *err);
/* Remove the draft (no error when there is none). */
int gth_draft_remove(const char *state_dir, const char *forge, const char *repo, long number,
	struct gth_err *err);

/* Async-signal-safe: remember that a flush was asked for. */
void gth_draft_note_signal(void);
/* True once after gth_draft_note_signal(); clears the flag. */
bool gth_draft_flush_requested(void);

#endif
