/*
 * State shared by the views of ui/ (not a public header).
 */
#ifndef GATEHOUSE_UI_INTERNAL_H
#define GATEHOUSE_UI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/sanitize.h"
#include "gatehouse/model/rationale.h"
#include "gatehouse/ui/ui.h"

enum view { VIEW_QUEUE, VIEW_PR };

enum panel { PANEL_DIFF, PANEL_FILES, PANEL_RISK, PANEL_GATES, PANEL_RATIONALE, PANEL__COUNT };

enum input { INPUT_NONE, INPUT_COMMAND, INPUT_SEARCH };

enum prompt_state { PROMPT_CLOSED, PROMPT_CHOOSE, PROMPT_REASON, PROMPT_OVERRIDE, PROMPT_CONFIRM };

/* A PR's identity, kept across queue refreshes. */
struct ident {
	char *forge;
	char *repo;
	long number;
};

/* A diff position: file f, row r inside that file's block (0 = its header). */
struct pos {
	size_t f;
	size_t r;
};

/* A check annotation placed at a diff line (index local to its file). */
struct anchor {
	size_t line;
	const struct gth_annotation *a;
	const struct gth_check *c;
};

struct file_anchors {
	struct anchor *v;
	size_t n, cap;
};

struct delivery {
	char *ref;
	enum gth_delivery state;
	char *detail;
};

struct pr_state {
	const struct gth_queue_item *it;	/* NULL when no PR is open */
	const struct gth_diff *d;
	struct ident id;
	char *ref;				/* "owner/repo#N" */
	size_t n_files;				/* of d, or 0 */
	struct pos top, cur;
	int hscroll;
	bool *viewed;
	bool *load_asked;
	struct file_anchors *anchors;		/* per file */
	struct anchor *loose;			/* annotations with no place in the diff */
	size_t n_loose, cap_loose;
	char *diff_note;			/* gth_ui_set_diff_note, sanitized */
	struct gth_text_warnings warn;		/* everything from the forge and the repo */
	struct gth_text_warnings *file_warn;	/* per file, cached once the file is loaded */
	bool *file_counted;
	const char *body;			/* the body rat was parsed from */
	struct gth_rationale rat;
	struct gth_rat_lines rat_lines;
	int rat_cols;				/* width rat_lines were wrapped for; 0 = stale */
	enum panel focus;
	size_t file_cur, file_top;
	int scroll[PANEL__COUNT];		/* risk, gates, rationale: first row shown */
	int total[PANEL__COUNT];		/* rows they had at the last render */
	int page[PANEL__COUNT];			/* rows they could show at the last render */
	int meas[PANEL__COUNT];			/* rows of content, measured at width meas_w */
	int meas_w[PANEL__COUNT];		/* 0: not measured since the data changed */
	int diff_height;
};

/* The key picker (keypick.c): open while n > 0. */
struct keypick {
	char *ref;			/* the PR whose decision waits for a key */
	struct gth_ui_key *keys;	/* owned strings */
	size_t n, cur;
};

struct gth_ui {
	struct gth_keymap km;
	struct gth_theme theme;
	struct gth_ui_template *templates;
	size_t n_templates;
	bool ascii;
	time_t (*now)(void *);
	void *now_arg;
	const struct gth_policy *policy;
	int rows, cols;
	bool tabs;			/* panels as tabs on a wide screen too (the session's choice) */

	enum view view;
	bool help;
	int help_top, help_total;

	const struct gth_queue *q;
	size_t *order;			/* indices into q->items, filtered and sorted */
	size_t n_order, cap_order;
	size_t qcur, qtop;
	struct ident qcur_id;		/* the PR under the cursor, to keep it on refresh */
	enum gth_risk filter_risk;	/* minimum risk shown */
	int filter_gate;		/* -1 any; else GTH_GATE_FAIL/PENDING/MISSING */
	char *filter_repo, *filter_agent, *filter_text;

	struct pr_state pr;

	enum prompt_state prompt;
	struct keypick keypick;
	enum gth_verdict verdict;
	struct gth_buf reason;
	struct gth_buf override;
	size_t reason_cur, override_cur;	/* editing cursors, byte offsets */

	enum input input;
	struct gth_buf line;		/* the : or / line being typed */
	size_t line_cur;
	char *search;

	struct gth_ui_status status;
	char *status_sync_detail, *status_login;
	struct gth_ui_forge_status *status_forges;	/* owned copies, status.n_forges */
	char *progress_what;
	long progress_done, progress_total;

	struct delivery *deliveries;
	size_t n_deliveries, cap_deliveries;

	struct gth_sanitized scratch;	/* reused for every diff line drawn */
	char message[512];
	enum gth_msg_level message_level;
};

/* Glyphs, UTF-8 or ASCII. */
enum glyph { G_VBAR, G_HBAR, G_PASS, G_FAIL, G_PENDING, G_MISSING, G_SKIPPED, G_AWAITING,
	G_ARROW, G_ELLIPSIS, G_ANNOT, G_BULLET, G_WARN, G_BAR_FULL, G_BAR_EMPTY, G_VIEWED, G_CURSOR,
	G_MIDDOT, G_UNKNOWN, G__COUNT };
const char *ui_glyph(const struct gth_ui *ui, enum glyph g);

time_t ui_now(const struct gth_ui *ui);
#define ui_msg gth_ui_message

/* From this width the PR view puts its panels beside the diff (unless ui->tabs). */
#define UI_WIDE_COLS	140

int ui_risk_role(enum gth_risk r);
int ui_gate_role(enum gth_gate_state s);
const char *ui_gate_glyph(const struct gth_ui *ui, enum gth_gate_state s);
void ui_format_duration(char *out, size_t n, long long secs);
const struct delivery *ui_delivery_for(const struct gth_ui *ui, const char *ref);
bool ui_ident_match(const struct ident *id, const struct gth_pr *pr);
void ui_ident_set(struct ident *id, const struct gth_pr *pr);
void ui_ident_clear(struct ident *id);
bool ui_contains_nocase(const char *hay, const char *needle);
/* cur moved by delta, kept inside [0, n) (0 when n is 0). */
size_t ui_step(size_t cur, long delta, size_t n);

/* UTF-8 bytes of code point cp (< 0x110000) into out; returns 1-4. */
size_t ui_utf8_encode(uint32_t cp, char out[4]);

/* queue.c */
void queue_rebuild(struct gth_ui *ui);
void queue_render(struct gth_ui *ui, struct gth_screen *scr, int top, int height);
int queue_action(struct gth_ui *ui, enum gth_action a, struct gth_cmd *cmd);
const struct gth_queue_item *queue_current(const struct gth_ui *ui);
void queue_search(struct gth_ui *ui, bool forward);
int queue_filter_command(struct gth_ui *ui, const char *args);
void queue_filter_describe(const struct gth_ui *ui, char *out, size_t n);

/* prview.c */
void pr_open(struct gth_ui *ui, const struct gth_queue_item *it, const struct gth_diff *d);
void pr_close(struct gth_ui *ui);
void pr_render(struct gth_ui *ui, struct gth_screen *scr, int top, int height);
int pr_action(struct gth_ui *ui, enum gth_action a, struct gth_cmd *cmd);
void pr_search(struct gth_ui *ui, bool forward);
int pr_goto_line(struct gth_ui *ui, long line);
int pr_poll(struct gth_ui *ui, struct gth_cmd *cmd);
void pr_position(const struct gth_ui *ui, char *out, size_t n);

/* prompt.c */
void prompt_open(struct gth_ui *ui, enum gth_verdict v);
int prompt_key(struct gth_ui *ui, int key, struct gth_cmd *cmd);
void prompt_render(struct gth_ui *ui, struct gth_screen *scr);
bool prompt_needs_override(const struct gth_ui *ui);
/* A w x h box with borders, centred above the status bar; *x0, *y0 its top left. */
void ui_frame(const struct gth_ui *ui, struct gth_screen *scr, int w, int h, int *x0, int *y0);

/* keypick.c: open while ui->keypick.n > 0 */
void keypick_close(struct gth_ui *ui);
int keypick_key(struct gth_ui *ui, int key, struct gth_cmd *cmd);
void keypick_render(struct gth_ui *ui, struct gth_screen *scr);

/* help in ui.c */

#endif
