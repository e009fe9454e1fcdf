/*
 * Actions and key bindings.
 *
 * Every user action is one row of GTH_ACTION_INFO (name as written in the
 * config, and the help text shown by '?').  Bindings live in four keymaps
 * (global, queue, pr, prompt); a view looks in its own map, then in global.
 * The defaults are compiled in as config text (gth_keymap_default_text) and
 * read by the same code as the user's [keymap "<map>"] sections:
 *
 *	[keymap "queue"]
 *		bind = a approve
 *		bind = <C-d> half-page-down
 *		bind = x none		# unbind
 */
#ifndef GATEHOUSE_UI_KEYMAP_H
#define GATEHOUSE_UI_KEYMAP_H

#include <stddef.h>

#include "gatehouse/base/err.h"
#include "gatehouse/config/cfg.h"

#define GTH_ACTION_INFO(_) \
	_(NONE, "none", "Do nothing (unbinds a key)") \
	_(QUIT, "quit", "Quit gatehouse") \
	_(BACK, "back", "Close the current view (quit from the queue)") \
	_(HELP, "help", "Show this help") \
	_(COMMAND, "command", "Open the : command line") \
	_(SEARCH, "search", "Search forward in the queue or the diff") \
	_(SEARCH_NEXT, "search-next", "Next search match") \
	_(SEARCH_PREV, "search-prev", "Previous search match") \
	_(REFRESH, "refresh", "Refresh the queue from the forge") \
	_(REDRAW, "redraw", "Redraw the whole screen") \
	_(SUSPEND, "suspend", "Suspend to the shell") \
	_(MOVE_DOWN, "move-down", "Move down one line") \
	_(MOVE_UP, "move-up", "Move up one line") \
	_(PAGE_DOWN, "page-down", "Move down one page") \
	_(PAGE_UP, "page-up", "Move up one page") \
	_(HALF_PAGE_DOWN, "half-page-down", "Move down half a page") \
	_(HALF_PAGE_UP, "half-page-up", "Move up half a page") \
	_(MOVE_FIRST, "move-first", "Move to the first line") \
	_(MOVE_LAST, "move-last", "Move to the last line") \
	_(SCROLL_LEFT, "scroll-left", "Scroll the diff left") \
	_(SCROLL_RIGHT, "scroll-right", "Scroll the diff right") \
	_(OPEN, "open", "Open the selected PR / jump to the selected file") \
	_(APPROVE, "approve", "Approve: open the decision prompt") \
	_(REJECT, "reject", "Reject (request changes): open the decision prompt") \
	_(ESCALATE, "escalate", "Escalate to the risk class's route: open the decision prompt") \
	_(COPY_URL, "copy-url", "Copy the PR's URL to the clipboard (OSC 52)") \
	_(COPY_SHA, "copy-sha", "Copy the PR's head SHA to the clipboard (OSC 52)") \
	_(FILTER, "filter", "Filter the queue (:filter risk=high repo= agent= gate= text=)") \
	_(FILTER_RISK, "filter-risk", "Cycle the minimum risk shown") \
	_(FILTER_GATE, "filter-gate", "Cycle the gate-state filter (failing, pending, missing)") \
	_(FILTER_CLEAR, "filter-clear", "Clear all queue filters") \
	_(NEXT_FILE, "next-file", "Jump to the next file") \
	_(PREV_FILE, "prev-file", "Jump to the previous file") \
	_(NEXT_HUNK, "next-hunk", "Jump to the next hunk") \
	_(PREV_HUNK, "prev-hunk", "Jump to the previous hunk") \
	_(NEXT_ANNOTATION, "next-annotation", "Jump to the next check annotation") \
	_(PREV_ANNOTATION, "prev-annotation", "Jump to the previous check annotation") \
	_(NEXT_UNVIEWED, "next-unviewed", "Jump to the next file not marked viewed") \
	_(PREV_UNVIEWED, "prev-unviewed", "Jump to the previous file not marked viewed") \
	_(TOGGLE_VIEWED, "toggle-viewed", "Mark the current file viewed / not viewed") \
	_(TOGGLE_WHITESPACE, "toggle-whitespace", "Ignore whitespace changes on / off") \
	_(EXPAND_CONTEXT, "expand-context", "Show the whole current file as context") \
	_(TOGGLE_TABS, "toggle-tabs", "Wide screens: panels as tabs, diff full width / side by side") \
	_(FOCUS_NEXT, "focus-next", "Focus the next panel (or tab when narrow)") \
	_(FOCUS_PREV, "focus-prev", "Focus the previous panel") \
	_(FOCUS_DIFF, "focus-diff", "Show / focus the diff") \
	_(FOCUS_FILES, "focus-files", "Show / focus the file list") \
	_(FOCUS_RISK, "focus-risk", "Show / focus the risk panel") \
	_(FOCUS_GATES, "focus-gates", "Show / focus the gates panel") \
	_(FOCUS_RATIONALE, "focus-rationale", "Show / focus the rationale panel") \
	_(RETRY_DELIVERY, "retry-delivery", "Retry posting a failed decision") \
	_(CONFIRM, "confirm", "Prompt: go on / confirm") \
	_(CANCEL, "cancel", "Prompt: go back / cancel") \
	_(EDIT_REASON, "edit-reason", "Prompt: type the reason") \
	_(EDIT_OVERRIDE, "edit-override", "Prompt: type the gate override") \
	_(EXTERNAL_EDITOR, "external-editor", "Prompt: edit the reason in $EDITOR") \
	_(TEMPLATE_1, "template-1", "Prompt: use reason template 1") \
	_(TEMPLATE_2, "template-2", "Prompt: use reason template 2") \
	_(TEMPLATE_3, "template-3", "Prompt: use reason template 3") \
	_(TEMPLATE_4, "template-4", "Prompt: use reason template 4") \
	_(TEMPLATE_5, "template-5", "Prompt: use reason template 5") \
	_(TEMPLATE_6, "template-6", "Prompt: use reason template 6") \
	_(TEMPLATE_7, "template-7", "Prompt: use reason template 7") \
	_(TEMPLATE_8, "template-8", "Prompt: use reason template 8") \
	_(TEMPLATE_9, "template-9", "Prompt: use reason template 9")

enum gth_action {
#define GTH_ACTION_ENUM(id, name, help) GTH_ACTION_##id,
	GTH_ACTION_INFO(GTH_ACTION_ENUM)
#undef GTH_ACTION_ENUM
	GTH_ACTION__COUNT
};

const char *gth_action_name(enum gth_action a);
const char *gth_action_help(enum gth_action a);
/* -1 when name is not an action. */
int gth_action_lookup(const char *name);

enum gth_keymap_id {
	GTH_KEYMAP_GLOBAL,
	GTH_KEYMAP_QUEUE,
	GTH_KEYMAP_PR,
	GTH_KEYMAP_PROMPT,
	GTH_KEYMAP__COUNT
};

/* "global", "queue", "pr", "prompt". */
const char *gth_keymap_name(enum gth_keymap_id m);

struct gth_binding {
	int key;
	enum gth_action action;
};

struct gth_keymap {
	struct gth_binding *b[GTH_KEYMAP__COUNT];	/* in order read; later wins */
	size_t n[GTH_KEYMAP__COUNT];
	size_t cap[GTH_KEYMAP__COUNT];
};

/* The compiled-in defaults, as config text. */
extern const char gth_keymap_default_text[];

/* Load the defaults into km (which must be zeroed or released). Cannot fail. */
void gth_keymap_init(struct gth_keymap *km);
void gth_keymap_release(struct gth_keymap *km);
/* Deep copy. */
void gth_keymap_copy(struct gth_keymap *dst, const struct gth_keymap *src);

/*
 * Apply [keymap "<map>"] bind = KEY ACTION entries of cfg.  Stops at the
 * first bad entry with -GTH_E_CONFIG and file:line in err.
 */
int gth_keymap_apply_cfg(struct gth_keymap *km, const struct gth_cfg *cfg, struct gth_err *err);

/* Add one binding (action GTH_ACTION_NONE unbinds). */
void gth_keymap_bind(struct gth_keymap *km, enum gth_keymap_id m, int key, enum gth_action a);

/* The action for key in map m, falling back to global; GTH_ACTION_NONE if unbound. */
enum gth_action gth_keymap_lookup(const struct gth_keymap *km, enum gth_keymap_id m, int key);

/*
 * The keys that currently trigger a in map m (not counting global), written
 * as "j, <Down>" into out; returns the number of keys.
 */
int gth_keymap_keys_for(const struct gth_keymap *km, enum gth_keymap_id m, enum gth_action a,
	char *out, size_t n);

#endif
