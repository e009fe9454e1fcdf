/*
 * The UI core: key dispatch, the : command line, / search input, help
 * generated from the live keymap, the status bar and the message line.
 * The views themselves live in queue.c, prview.c and prompt.c.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "internal.h"

#define LINE_MAX_BYTES	1024
#define WIDE_HINT_COLS	120

static const char *const glyphs_utf8[G__COUNT] = {
	"│", "─", "✓", "✗", "○", "?", "-", "!", "→", "…", "▲", "•", "!!", "█", "░", "✔", "▶",
	"·", "–",
};
static const char *const glyphs_ascii[G__COUNT] = {
	"|", "-", "+", "x", "o", "?", "-", "!", "->", "...", "^", "*", "!!", "#", ".", "v", ">",
	",", "-",
};

const char *
ui_glyph(const struct gth_ui *ui, enum glyph g)
{
	return ui->ascii ? glyphs_ascii[g] : glyphs_utf8[g];
}

time_t
ui_now(const struct gth_ui *ui)
{
	return ui->now != NULL ? ui->now(ui->now_arg) : time(NULL);
}

static void
status_forges_free(struct gth_ui *ui)
{
	for (size_t i = 0; ui->status_forges != NULL && i < ui->status.n_forges; i++) {
		free((char *)ui->status_forges[i].name);
		free((char *)ui->status_forges[i].login);
	}
	free(ui->status_forges);
	ui->status_forges = NULL;
	ui->status.forges = NULL;
	ui->status.n_forges = 0;
}

static void
vmsg(struct gth_ui *ui, enum gth_msg_level level, const char *fmt, va_list ap)
{
	vsnprintf(ui->message, sizeof(ui->message), fmt, ap);
	ui->message_level = level;
}

void
gth_ui_message(struct gth_ui *ui, enum gth_msg_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(ui, level, fmt, ap);
	va_end(ap);
}

int
ui_risk_role(enum gth_risk r)
{
	switch (r) {
	case GTH_RISK_LOW:
		return GTH_ROLE_RISK_LOW;
	case GTH_RISK_MEDIUM:
		return GTH_ROLE_RISK_MEDIUM;
	case GTH_RISK_HIGH:
		return GTH_ROLE_RISK_HIGH;
	default:
		return GTH_ROLE_RISK_CRITICAL;
	}
}

int
ui_gate_role(enum gth_gate_state s)
{
	static const int roles[GTH_GATE__COUNT] = {
		GTH_ROLE_GATE_PASS, GTH_ROLE_GATE_FAIL, GTH_ROLE_GATE_PENDING,
		GTH_ROLE_GATE_MISSING, GTH_ROLE_GATE_SKIPPED, GTH_ROLE_GATE_AWAITING,
	};

	return (int)s >= 0 && s < GTH_GATE__COUNT ? roles[s] : GTH_ROLE_NORMAL;
}

const char *
ui_gate_glyph(const struct gth_ui *ui, enum gth_gate_state s)
{
	static const enum glyph g[GTH_GATE__COUNT] = {
		G_PASS, G_FAIL, G_PENDING, G_MISSING, G_SKIPPED, G_AWAITING,
	};

	return (int)s >= 0 && s < GTH_GATE__COUNT ? ui_glyph(ui, g[s]) : "?";
}

void
ui_format_duration(char *out, size_t n, long long secs)
{
	long long a = secs < 0 ? -secs : secs;
	const char *sign = secs < 0 ? "-" : "";

	if (a < 3600)
		snprintf(out, n, "%s%lldm", sign, a / 60);
	else if (a < 2 * 86400)
		snprintf(out, n, "%s%lldh", sign, a / 3600);
	else if (a < 14 * 86400)
		snprintf(out, n, "%s%lldd", sign, a / 86400);
	else
		snprintf(out, n, "%s%lldw", sign, a / (7 * 86400));
}

const struct delivery *
ui_delivery_for(const struct gth_ui *ui, const char *ref)
{
	for (size_t i = 0; ref != NULL && i < ui->n_deliveries; i++)
		if (strcmp(ui->deliveries[i].ref, ref) == 0)
			return &ui->deliveries[i];
	return NULL;
}

bool
ui_ident_match(const struct ident *id, const struct gth_pr *pr)
{
	return id->repo != NULL && pr != NULL && id->number == pr->number &&
		gth_str_eq(id->repo, pr->repo) && gth_str_eq(id->forge, pr->forge);
}

void
ui_ident_set(struct ident *id, const struct gth_pr *pr)
{
	ui_ident_clear(id);
	if (pr == NULL)
		return;
	id->forge = pr->forge != NULL ? xstrdup(pr->forge) : NULL;
	id->repo = xstrdup(pr->repo != NULL ? pr->repo : "");
	id->number = pr->number;
}

void
ui_ident_clear(struct ident *id)
{
	free(id->forge);
	free(id->repo);
	memset(id, 0, sizeof(*id));
}

bool
ui_contains_nocase(const char *hay, const char *needle)
{
	size_t n;

	if (needle == NULL || needle[0] == '\0')
		return true;
	if (hay == NULL)
		return false;
	n = strlen(needle);
	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

size_t
ui_step(size_t cur, long delta, size_t n)
{
	long c = (long)cur + delta;

	if (n == 0 || c < 0)
		return 0;
	return c >= (long)n ? n - 1 : (size_t)c;
}

void
gth_cmd_release(struct gth_cmd *cmd)
{
	if (cmd == NULL)
		return;
	free(cmd->reason);
	free(cmd->override);
	free(cmd->text);
	memset(cmd, 0, sizeof(*cmd));
}

static void
copy_templates(struct gth_ui *ui, const struct gth_ui_template *t, size_t n)
{
	ui->templates = n > 0 ? xcalloc(n, sizeof(*ui->templates)) : NULL;
	for (size_t i = 0; i < n; i++) {
		ui->templates[i].name = xstrdup(t[i].name != NULL ? t[i].name : "");
		ui->templates[i].verdict = t[i].verdict;
		ui->templates[i].text = xstrdup(t[i].text != NULL ? t[i].text : "");
	}
	ui->n_templates = n;
}

struct gth_ui *
gth_ui_new(const struct gth_ui_options *o)
{
	struct gth_ui *ui = xcalloc(1, sizeof(*ui));

	if (o != NULL && o->keymap != NULL)
		gth_keymap_copy(&ui->km, o->keymap);
	else
		gth_keymap_init(&ui->km);
	if (o != NULL && o->theme != NULL)
		ui->theme = *o->theme;
	else
		gth_theme_init_default(&ui->theme);
	if (o != NULL)
		copy_templates(ui, o->templates, o->n_templates);
	ui->ascii = o != NULL && o->ascii;
	ui->tabs = o != NULL && o->tabs;
	ui->now = o != NULL ? o->now : NULL;
	ui->now_arg = o != NULL ? o->now_arg : NULL;
	ui->policy = o != NULL ? o->policy : NULL;
	ui->rows = 24;
	ui->cols = 80;
	ui->filter_gate = -1;
	ui->status.rate_remaining = -1;
	ui->pr.focus = PANEL_DIFF;
	gth_buf_init(&ui->reason, 16 * 1024);
	gth_buf_init(&ui->override, 1024);
	gth_buf_init(&ui->line, LINE_MAX_BYTES);
	return ui;
}

void
gth_ui_templates_free(struct gth_ui_template *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)v[i].name);
		free((char *)v[i].text);
	}
	free(v);
}

void
gth_ui_free(struct gth_ui *ui)
{
	if (ui == NULL)
		return;
	keypick_close(ui);
	pr_close(ui);
	gth_keymap_release(&ui->km);
	gth_ui_templates_free(ui->templates, ui->n_templates);
	free(ui->order);
	ui_ident_clear(&ui->qcur_id);
	free(ui->filter_repo);
	free(ui->filter_agent);
	free(ui->filter_text);
	gth_buf_release(&ui->reason);
	gth_buf_release(&ui->override);
	gth_buf_release(&ui->line);
	free(ui->search);
	free(ui->status_sync_detail);
	free(ui->status_login);
	status_forges_free(ui);
	free(ui->progress_what);
	gth_sanitized_release(&ui->scratch);
	for (size_t i = 0; i < ui->n_deliveries; i++) {
		free(ui->deliveries[i].ref);
		free(ui->deliveries[i].detail);
	}
	free(ui->deliveries);
	free(ui);
}

int
gth_ui_templates_from_cfg(const struct gth_cfg *cfg, struct gth_ui_template **v, size_t *n,
	struct gth_err *err)
{
	size_t cap = *n;

	for (size_t i = 0; i < cfg->n; i++) {
		const struct gth_cfg_entry *e = &cfg->v[i];
		struct gth_ui_template *t = NULL;

		if (strcmp(e->section, "template") != 0)
			continue;
		if (e->subsection == NULL)
			return gth_cfg_error(err, e, "templates are [template \"name\"] sections");
		for (size_t j = 0; j < *n; j++)
			if (strcmp((*v)[j].name, e->subsection) == 0)
				t = &(*v)[j];
		if (t == NULL) {
			t = &GTH_PUSH(*v, *n, cap);
			t->name = xstrdup(e->subsection);
			t->verdict = -1;
			t->text = xstrdup("");
		}
		if (strcmp(e->key, "text") == 0) {
			free((char *)t->text);
			t->text = xstrdup(e->value != NULL ? e->value : "");
		} else if (strcmp(e->key, "verdict") == 0) {
			const char *s = e->value != NULL ? e->value : "";

			if (strcmp(s, "approve") == 0)
				t->verdict = GTH_VERDICT_APPROVE;
			else if (strcmp(s, "reject") == 0)
				t->verdict = GTH_VERDICT_REJECT;
			else if (strcmp(s, "escalate") == 0)
				t->verdict = GTH_VERDICT_ESCALATE;
			else if (strcmp(s, "any") == 0)
				t->verdict = -1;
			else
				return gth_cfg_error(err, e, "verdict is approve, reject, escalate or any");
		} else {
			return gth_cfg_error(err, e, "unknown template setting '%s' (verdict, text)",
				e->key);
		}
	}
	return 0;
}

void
gth_ui_set_queue(struct gth_ui *ui, const struct gth_queue *q)
{
	bool found = false;

	ui->q = q;
	/*
	 * A prompt opened from the queue follows its PR's identity into the new
	 * queue.  The PR view's item belongs to the app (the PR as the reviewer
	 * read it, with its own head and assessment) and stays put: a refresh
	 * must never swap in a newer head under a review in progress.
	 */
	if (ui->pr.it != NULL && q != NULL && ui->view != VIEW_PR) {
		for (size_t i = 0; i < q->n && !found; i++) {
			if (ui_ident_match(&ui->pr.id, q->items[i].pr)) {
				ui->pr.it = &q->items[i];
				ui->pr.body = NULL;
				memset(ui->pr.meas_w, 0, sizeof(ui->pr.meas_w));
				found = true;
			}
		}
	}
	/*
	 * A PR decided from the queue view has no PR view keeping it alive: once
	 * it leaves the queue its item may be gone, so forget it.
	 */
	if (ui->pr.it != NULL && !found && ui->view == VIEW_QUEUE) {
		if (ui->prompt != PROMPT_CLOSED)
			ui_msg(ui, GTH_MSG_WARN, "%s left the queue: decision prompt closed",
				ui->pr.ref);
		ui->prompt = PROMPT_CLOSED;
		pr_close(ui);
	}
	queue_rebuild(ui);
}

void
gth_ui_set_pr(struct gth_ui *ui, const struct gth_queue_item *it, const struct gth_diff *d)
{
	if (it == NULL) {
		pr_close(ui);
		ui->prompt = PROMPT_CLOSED;
		ui->view = VIEW_QUEUE;
		return;
	}
	pr_open(ui, it, d);
	ui->view = VIEW_PR;
}

void
gth_ui_set_diff_note(struct gth_ui *ui, const char *note)
{
	free(ui->pr.diff_note);
	ui->pr.diff_note = note != NULL && note[0] != '\0' && ui->pr.it != NULL ?
		gth_sanitize_str(note, strlen(note), 0, NULL) : NULL;
}

void
gth_ui_set_progress(struct gth_ui *ui, const char *what, long done, long total)
{
	free(ui->progress_what);
	ui->progress_what = what != NULL ? gth_sanitize_str(what, strlen(what), 0, NULL) : NULL;
	ui->progress_done = done;
	ui->progress_total = total;
}

static char *
sanitized_copy(const char *s)
{
	return s != NULL ? gth_sanitize_str(s, strlen(s), 0, NULL) : NULL;
}

void
gth_ui_set_status(struct gth_ui *ui, const struct gth_ui_status *s)
{
	free(ui->status_sync_detail);
	free(ui->status_login);
	status_forges_free(ui);
	ui->status = *s;
	ui->status_sync_detail = sanitized_copy(s->sync_detail);
	ui->status_login = sanitized_copy(s->login);
	ui->status.sync_detail = ui->status_sync_detail;
	ui->status.login = ui->status_login;
	ui->status.n_forges = s->forges != NULL ? s->n_forges : 0;
	if (ui->status.n_forges > 0)
		ui->status_forges = xcalloc(ui->status.n_forges, sizeof(*ui->status_forges));
	for (size_t i = 0; i < ui->status.n_forges; i++) {
		ui->status_forges[i] = s->forges[i];
		ui->status_forges[i].name = sanitized_copy(s->forges[i].name != NULL ?
			s->forges[i].name : "?");
		ui->status_forges[i].login = sanitized_copy(s->forges[i].login);
	}
	ui->status.forges = ui->status_forges;
}

void
gth_ui_set_delivery(struct gth_ui *ui, const char *pr_ref, enum gth_delivery state,
	const char *detail)
{
	struct delivery *dl = (struct delivery *)ui_delivery_for(ui, pr_ref);
	static const char *const words[] = { "recorded (signed, in the outbox)", "posted",
		"delivery failed, will retry", "delivery failed permanently" };

	if (pr_ref == NULL)
		return;
	if (dl == NULL) {
		dl = &GTH_PUSH(ui->deliveries, ui->n_deliveries, ui->cap_deliveries);
		dl->ref = xstrdup(pr_ref);
		dl->detail = NULL;
	}
	free(dl->detail);
	dl->state = state;
	dl->detail = detail != NULL ? gth_sanitize_str(detail, strlen(detail), 0, NULL) : NULL;
	ui_msg(ui, state >= GTH_DELIVERY_FAILED ? GTH_MSG_ERROR : GTH_MSG_INFO, "%s: %s%s%s",
		dl->ref, words[state], dl->detail != NULL ? ": " : "",
		dl->detail != NULL ? dl->detail : "");
}

void
gth_ui_resize(struct gth_ui *ui, int rows, int cols)
{
	ui->rows = rows < 1 ? 1 : rows;
	ui->cols = cols < 1 ? 1 : cols;
}

void
gth_ui_set_ascii(struct gth_ui *ui, bool ascii)
{
	ui->ascii = ascii;
}

const char *
gth_ui_view_name(const struct gth_ui *ui)
{
	if (ui->keypick.n > 0)
		return "keys";
	if (ui->help)
		return "help";
	if (ui->prompt != PROMPT_CLOSED)
		return "prompt";
	return ui->view == VIEW_PR ? "pr" : "queue";
}

const char *
gth_ui_draft(const struct gth_ui *ui, enum gth_verdict *verdict)
{
	if (ui->prompt == PROMPT_CLOSED)
		return NULL;
	if (verdict != NULL)
		*verdict = ui->verdict;
	return gth_buf_str(&ui->reason);
}

void
gth_ui_set_reason(struct gth_ui *ui, const char *text)
{
	gth_buf_reset(&ui->reason);
	/* Over the cap, keep what fits: the editor's file may be anything. */
	if (text != NULL && gth_buf_adds(&ui->reason, text) < 0)
		gth_buf_add(&ui->reason, text, ui->reason.max - 1);
	while (ui->reason.len > 0 && ui->reason.data[ui->reason.len - 1] == '\n')
		ui->reason.data[--ui->reason.len] = '\0';
	ui->reason_cur = ui->reason.len;
}

void
gth_ui_restore_draft(struct gth_ui *ui, enum gth_verdict v, const char *text)
{
	prompt_open(ui, v);
	gth_ui_set_reason(ui, text);
}

void
gth_ui_set_viewed(struct gth_ui *ui, const char *path, bool viewed)
{
	const struct gth_diff *d = ui->pr.d;

	for (size_t i = 0; d != NULL && path != NULL && i < ui->pr.n_files; i++)
		if (gth_str_eq(d->files[i].new_path, path))
			ui->pr.viewed[i] = viewed;
}

/* --- help ---------------------------------------------------------------- */

static int
help_lines(const struct gth_ui *ui, struct gth_screen *scr, int top, int height)
{
	int cols = ui->cols;
	static const enum gth_keymap_id order[] = {
		GTH_KEYMAP_QUEUE, GTH_KEYMAP_PR, GTH_KEYMAP_GLOBAL, GTH_KEYMAP_PROMPT,
	};
	static const char *const titles[] = {
		"Queue", "PR view", "Everywhere", "Decision prompt",
	};
	int row = 0;

	for (size_t m = 0; m < sizeof(order) / sizeof(order[0]); m++) {
		if (row > 0)
			row++;
		if (scr != NULL && row - ui->help_top >= 0 && row - ui->help_top < height)
			gth_screen_puts(scr, top + row - ui->help_top, 1, GTH_ROLE_HEADING, titles[m],
				scr->cols - 1);
		row++;
		for (int a = 1; a < GTH_ACTION__COUNT; a++) {
			char keys[128];
			const char *help = gth_action_help((enum gth_action)a);
			int y = top + row - ui->help_top, hw = cols - 37;

			if (gth_keymap_keys_for(&ui->km, order[m], (enum gth_action)a, keys,
					sizeof(keys)) == 0)
				continue;
			if (scr != NULL && y >= top && y < top + height) {
				gth_screen_puts(scr, y, 3, GTH_ROLE_PROMPT, keys, 14);
				gth_screen_puts(scr, y, 18, GTH_ROLE_NORMAL,
					gth_action_name((enum gth_action)a), 18);
			}
			/* The help text wraps at blanks under its own column. */
			do {
				size_t n = strlen(help), cut = n;

				if (hw > 8 && n > (size_t)hw) {
					cut = (size_t)hw;
					while (cut > 0 && help[cut] != ' ')
						cut--;
					if (cut == 0)
						cut = (size_t)hw;
				}
				y = top + row - ui->help_top;
				if (scr != NULL && y >= top && y < top + height)
					gth_screen_put(scr, y, 37, GTH_ROLE_DIM, help, cut, hw);
				help += cut;
				while (*help == ' ')
					help++;
				row++;
			} while (*help != '\0' && hw > 8);
		}
	}
	if (scr != NULL) {
		int y = top + row + 1 - ui->help_top;

		if (y >= top && y < top + height)
			gth_screen_puts(scr, y, 1, GTH_ROLE_DIM,
				"Reason editor: <Esc> done, <Enter> new line, arrows <Home> <End> <Del> "
				"<Backspace>,", scr->cols - 1);
		if (y + 1 >= top && y + 1 < top + height)
			gth_screen_puts(scr, y + 1, 1, GTH_ROLE_DIM,
				"<C-u> to line start, <C-w> word, <C-e> $EDITOR.  :open R#N :filter :N :quit",
				scr->cols - 1);
	}
	return row + 3;
}

static void
help_render(struct gth_ui *ui, struct gth_screen *scr, int top, int height)
{
	gth_screen_fill(scr, top - 1, 0, GTH_ROLE_TITLE, scr->cols);
	gth_screen_puts(scr, top - 1, 1, GTH_ROLE_TITLE,
		"gatehouse help: keys as bound now (q or <Esc> closes)", scr->cols - 1);
	ui->help_total = help_lines(ui, NULL, top, height);
	if (ui->help_top > ui->help_total - height)
		ui->help_top = ui->help_total - height;
	if (ui->help_top < 0)
		ui->help_top = 0;
	help_lines(ui, scr, top, height);
}

static void
help_action(struct gth_ui *ui, enum gth_action a, int key)
{
	int page = ui->rows - 3;

	switch (a) {
	case GTH_ACTION_MOVE_DOWN:
		ui->help_top++;
		break;
	case GTH_ACTION_MOVE_UP:
		ui->help_top--;
		break;
	case GTH_ACTION_PAGE_DOWN:
	case GTH_ACTION_HALF_PAGE_DOWN:
		ui->help_top += a == GTH_ACTION_PAGE_DOWN ? page : page / 2;
		break;
	case GTH_ACTION_PAGE_UP:
	case GTH_ACTION_HALF_PAGE_UP:
		ui->help_top -= a == GTH_ACTION_PAGE_UP ? page : page / 2;
		break;
	case GTH_ACTION_MOVE_FIRST:
		ui->help_top = 0;
		break;
	case GTH_ACTION_MOVE_LAST:
		ui->help_top = ui->help_total;
		break;
	case GTH_ACTION_BACK:
	case GTH_ACTION_HELP:
	case GTH_ACTION_QUIT:
		ui->help = false;
		break;
	default:
		if (key == GTH_KEY_ESC)
			ui->help = false;
		break;
	}
	if (ui->help_top > ui->help_total - page)
		ui->help_top = ui->help_total - page;
	if (ui->help_top < 0)
		ui->help_top = 0;
}

/* --- line input (: and /) ------------------------------------------------ */

/* Insert n bytes at *cur (keeping the buffer's cap) and move the cursor past them. */
static void
insert_at(struct gth_buf *b, size_t *cur, const char *p, size_t n)
{
	size_t at = *cur > b->len ? b->len : *cur;

	if (gth_buf_add(b, p, n) < 0)
		return;
	memmove(b->data + at + n, b->data + at, b->len - n - at);
	memcpy(b->data + at, p, n);
	*cur = at + n;
}

/* Delete bytes [from, to) and leave the cursor at from. */
static void
delete_range(struct gth_buf *b, size_t *cur, size_t from, size_t to)
{
	memmove(b->data + from, b->data + to, b->len - to);
	b->len -= to - from;
	*cur = from;
}

static size_t
prev_cp(const struct gth_buf *b, size_t i)
{
	while (i > 0 && ((unsigned char)b->data[--i] & 0xc0) == 0x80)
		;
	return i;
}

static size_t
next_cp(const struct gth_buf *b, size_t i)
{
	if (i < b->len)
		i++;
	while (i < b->len && ((unsigned char)b->data[i] & 0xc0) == 0x80)
		i++;
	return i;
}

/*
 * Shared editing keys for every text field, at the cursor *cur (a byte
 * offset): <Left> <Right> <Home> <End> <Backspace> <Del>, <C-u> (to the start
 * of the line), <C-w> (word before), <Enter> (new line when multiline), and
 * printable characters.  Returns true when key was one of them.
 */
bool ui_edit_key(struct gth_buf *b, size_t *cur, int key, bool multiline);

bool
ui_edit_key(struct gth_buf *b, size_t *cur, int key, bool multiline)
{
	size_t i;
	char u[4];

	if (*cur > b->len)
		*cur = b->len;
	i = *cur;
	switch (key) {
	case GTH_KEY_LEFT:
		*cur = prev_cp(b, i);
		return true;
	case GTH_KEY_RIGHT:
		*cur = next_cp(b, i);
		return true;
	case GTH_KEY_HOME:
		while (*cur > 0 && b->data[*cur - 1] != '\n')
			(*cur)--;
		return true;
	case GTH_KEY_END:
		while (*cur < b->len && b->data[*cur] != '\n')
			(*cur)++;
		return true;
	case GTH_KEY_BACKSPACE:
		if (i > 0)
			delete_range(b, cur, prev_cp(b, i), i);
		break;
	case GTH_KEY_DELETE:
		if (i < b->len)
			delete_range(b, cur, i, next_cp(b, i));
		break;
	case GTH_KEY_CTRL('u'):
		while (i > 0 && b->data[i - 1] != '\n')
			i--;
		delete_range(b, cur, i, *cur);
		break;
	case GTH_KEY_CTRL('w'):
		while (i > 0 && b->data[i - 1] == ' ')
			i--;
		while (i > 0 && b->data[i - 1] != ' ' && b->data[i - 1] != '\n')
			i--;
		delete_range(b, cur, i, *cur);
		break;
	case GTH_KEY_TAB:
		insert_at(b, cur, " ", 1);
		break;
	default:
		if (key == GTH_KEY_ENTER && multiline) {
			insert_at(b, cur, "\n", 1);
			break;
		}
		if (key < 0x20 || key >= GTH_KEY__BASE || key == 0x7f || (key >= 0x80 && key < 0xa0))
			return false;
		insert_at(b, cur, u, ui_utf8_encode((uint32_t)key, u));
		break;
	}
	if (b->data != NULL)
		b->data[b->len] = '\0';
	return true;
}

static int
run_command(struct gth_ui *ui, const char *line, struct gth_cmd *cmd)
{
	char word[32];
	size_t n = 0;
	const char *args;
	long num;

	while (*line == ' ')
		line++;
	while (line[n] != '\0' && line[n] != ' ' && n + 1 < sizeof(word)) {
		word[n] = line[n];
		n++;
	}
	word[n] = '\0';
	args = line + n;
	while (*args == ' ')
		args++;
	if (word[0] == '\0')
		return 0;
	if (strcmp(word, "q") == 0 || strcmp(word, "quit") == 0) {
		cmd->kind = GTH_CMD_QUIT;
		return 1;
	}
	if (strcmp(word, "help") == 0) {
		ui->help = true;
		ui->help_top = 0;
		return 0;
	}
	if (strcmp(word, "refresh") == 0) {
		cmd->kind = GTH_CMD_REFRESH;
		return 1;
	}
	if (strcmp(word, "filter") == 0) {
		(void)queue_filter_command(ui, args);
		return 0;
	}
	if (strcmp(word, "approve") == 0 || strcmp(word, "reject") == 0 ||
			strcmp(word, "escalate") == 0) {
		enum gth_action a = word[0] == 'a' ? GTH_ACTION_APPROVE :
			word[0] == 'r' ? GTH_ACTION_REJECT : GTH_ACTION_ESCALATE;

		return ui->view == VIEW_PR ? pr_action(ui, a, cmd) : queue_action(ui, a, cmd);
	}
	if (strcmp(word, "open") == 0) {
		char *repo = NULL;
		long number;

		if (gth_parse_pr_ref(args, &repo, &number) < 0) {
			ui_msg(ui, GTH_MSG_ERROR, "open OWNER/REPO#N");
			return 0;
		}
		for (size_t i = 0; i < ui->n_order; i++) {
			const struct gth_pr *pr = ui->q->items[ui->order[i]].pr;

			if (pr->number == number && gth_str_eq(pr->repo, repo)) {
				free(repo);
				if (ui->view == VIEW_PR) {
					ui_msg(ui, GTH_MSG_WARN, "close this PR first (q)");
					return 0;
				}
				ui->qcur = i;
				ui_ident_set(&ui->qcur_id, pr);
				return queue_action(ui, GTH_ACTION_OPEN, cmd);
			}
		}
		ui_msg(ui, GTH_MSG_ERROR, "%s#%ld is not in the queue (or is filtered out)", repo,
			number);
		free(repo);
		return 0;
	}
	if (gth_parse_long(word, 1, 1L << 30, &num) == 0) {
		if (ui->view == VIEW_PR)
			return pr_goto_line(ui, num);
		if ((size_t)num <= ui->n_order)
			ui->qcur = (size_t)num - 1;
		return 0;
	}
	ui_msg(ui, GTH_MSG_ERROR, "unknown command '%s' (quit, help, refresh, filter, open, "
		"approve, reject, escalate, N)", word);
	return 0;
}

static int
input_key(struct gth_ui *ui, int key, struct gth_cmd *cmd)
{
	enum input which = ui->input;
	char *text;
	int r = 0;

	if (key == GTH_KEY_ESC) {
		ui->input = INPUT_NONE;
		return 0;
	}
	if (key == GTH_KEY_BACKSPACE && ui->line.len == 0) {
		ui->input = INPUT_NONE;
		return 0;
	}
	if (key != GTH_KEY_ENTER) {
		if (key != GTH_KEY_TAB)
			ui_edit_key(&ui->line, &ui->line_cur, key, false);
		return 0;
	}
	ui->input = INPUT_NONE;
	text = xstrdup(gth_buf_str(&ui->line));
	if (which == INPUT_COMMAND) {
		r = run_command(ui, text, cmd);
	} else if (text[0] != '\0') {
		free(ui->search);
		ui->search = text;
		text = NULL;
		if (ui->view == VIEW_PR)
			pr_search(ui, true);
		else
			queue_search(ui, true);
	}
	free(text);
	return r;
}

static void
start_input(struct gth_ui *ui, enum input which, const char *prefill)
{
	ui->input = which;
	gth_buf_reset(&ui->line);
	if (prefill != NULL)
		gth_buf_adds(&ui->line, prefill);
	ui->line_cur = ui->line.len;
}

int
gth_ui_key(struct gth_ui *ui, int key, struct gth_cmd *cmd)
{
	enum gth_action a;
	int r = 0;

	memset(cmd, 0, sizeof(*cmd));
	ui->message[0] = '\0';
	if (key == GTH_KEY_RESIZE || key == GTH_KEY_NONE)
		return 0;
	/* A decision waits for its key: the picker answers first. */
	if (ui->keypick.n > 0) {
		r = keypick_key(ui, key, cmd);
		goto out;
	}
	if (ui->input != INPUT_NONE) {
		r = input_key(ui, key, cmd);
		goto out;
	}
	if (ui->prompt != PROMPT_CLOSED) {
		r = prompt_key(ui, key, cmd);
		goto out;
	}
	a = gth_keymap_lookup(&ui->km, ui->view == VIEW_PR ? GTH_KEYMAP_PR : GTH_KEYMAP_QUEUE, key);
	if (ui->help) {
		help_action(ui, a, key);
		return 0;
	}
	switch (a) {
	case GTH_ACTION_NONE:
		return 0;
	case GTH_ACTION_QUIT:
		cmd->kind = GTH_CMD_QUIT;
		r = 1;
		break;
	case GTH_ACTION_HELP:
		ui->help = true;
		ui->help_top = 0;
		break;
	case GTH_ACTION_COMMAND:
		start_input(ui, INPUT_COMMAND, NULL);
		break;
	case GTH_ACTION_FILTER:
		start_input(ui, INPUT_COMMAND, "filter ");
		break;
	case GTH_ACTION_SEARCH:
		start_input(ui, INPUT_SEARCH, NULL);
		break;
	case GTH_ACTION_SEARCH_NEXT:
	case GTH_ACTION_SEARCH_PREV:
		if (ui->search == NULL)
			ui_msg(ui, GTH_MSG_INFO, "no search yet: / to search");
		else if (ui->view == VIEW_PR)
			pr_search(ui, a == GTH_ACTION_SEARCH_NEXT);
		else
			queue_search(ui, a == GTH_ACTION_SEARCH_NEXT);
		break;
	case GTH_ACTION_REFRESH:
		cmd->kind = GTH_CMD_REFRESH;
		r = 1;
		break;
	case GTH_ACTION_REDRAW:
		cmd->kind = GTH_CMD_REDRAW;
		r = 1;
		break;
	case GTH_ACTION_SUSPEND:
		cmd->kind = GTH_CMD_SUSPEND;
		r = 1;
		break;
	default:
		r = ui->view == VIEW_PR ? pr_action(ui, a, cmd) : queue_action(ui, a, cmd);
		break;
	}
out:
	if (cmd->kind == GTH_CMD_NONE)
		r = 0;
	return r;
}

int
gth_ui_poll(struct gth_ui *ui, struct gth_cmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	if (ui->view == VIEW_PR)
		return pr_poll(ui, cmd);
	return 0;
}

/* --- status bar and message line ----------------------------------------- */

/* Nearly out of budget: say when it comes back. */
static void
rate_reset_note(struct gth_buf *b, const struct gth_ui *ui, long remaining, long limit,
	time_t reset, bool compact)
{
	time_t now = ui_now(ui);
	char tmp[64];

	if (reset > now && remaining * 10 < limit) {
		ui_format_duration(tmp, sizeof(tmp), (long long)(reset - now));
		gth_buf_addf(b, compact ? " (%s)" : " (resets in %s)", tmp);
	}
}

/* The forge whose budget is the smallest share of its limit (known ones first). */
static const struct gth_ui_forge_status *
lowest_budget(const struct gth_ui_status *s)
{
	const struct gth_ui_forge_status *low = NULL;

	for (size_t i = 0; i < s->n_forges; i++) {
		const struct gth_ui_forge_status *f = &s->forges[i];

		if (f->rate_remaining < 0 || f->rate_limit <= 0)
			continue;
		if (low == NULL || (double)f->rate_remaining / (double)f->rate_limit <
		    (double)low->rate_remaining / (double)low->rate_limit)
			low = f;
	}
	return low;
}

/*
 * Several forges: "rate github 4821/5000 · gitlab 1900/2000 · gitea –" in
 * full, "github 4821 · gitlab 1900 · gitea –" compact, and when even that
 * does not fit, the lowest budget alone with its forge's name.
 */
static void
forges_budget(const struct gth_ui *ui, int level, struct gth_buf *b)
{
	const struct gth_ui_status *s = &ui->status;
	const struct gth_ui_forge_status *low;
	const char *sep = ui_glyph(ui, G_VBAR);

	if (level >= 2) {
		if ((low = lowest_budget(s)) != NULL) {
			gth_buf_addf(b, " %s %s %ld/%ld", sep, low->name, low->rate_remaining,
				low->rate_limit);
			rate_reset_note(b, ui, low->rate_remaining, low->rate_limit, low->rate_reset,
				true);
		}
		return;
	}
	gth_buf_addf(b, level == 0 ? " %s rate" : " %s", sep);
	for (size_t i = 0; i < s->n_forges; i++) {
		const struct gth_ui_forge_status *f = &s->forges[i];

		if (i > 0)
			gth_buf_addf(b, " %s", ui_glyph(ui, G_MIDDOT));
		gth_buf_addf(b, " %s ", f->name);
		if (f->rate_remaining < 0)
			gth_buf_adds(b, ui_glyph(ui, G_UNKNOWN));
		else if (level == 0)
			gth_buf_addf(b, "%ld/%ld", f->rate_remaining, f->rate_limit);
		else
			gth_buf_addf(b, "%ld", f->rate_remaining);
		rate_reset_note(b, ui, f->rate_remaining, f->rate_limit, f->rate_reset, level > 0);
	}
}

/* Several forges: "alice" when the login is the same everywhere, else "alice@github bob@gitlab". */
static void
forges_logins(const struct gth_ui *ui, struct gth_buf *b)
{
	const struct gth_ui_status *s = &ui->status;
	const char *one = NULL;
	bool same = true;

	for (size_t i = 0; i < s->n_forges; i++) {
		if (s->forges[i].login == NULL)
			continue;
		if (one != NULL && strcmp(one, s->forges[i].login) != 0)
			same = false;
		if (one == NULL)
			one = s->forges[i].login;
	}
	if (one == NULL)
		return;
	gth_buf_addf(b, " %s", ui_glyph(ui, G_VBAR));
	for (size_t i = 0; i < s->n_forges; i++) {
		if (s->forges[i].login == NULL)
			continue;
		if (same) {
			gth_buf_addf(b, " %s", one);
			break;
		}
		gth_buf_addf(b, " %s@%s", s->forges[i].login, s->forges[i].name);
	}
}

/*
 * The right half of the status bar: sync state, rate budget, outbox, login.
 * Level 0 is in full; 1 drops the words and the login so that everything
 * still fits in 80 columns (the sync error itself goes to the message
 * line); 2, with several forges, keeps only the lowest budget.
 */
static void
status_right(const struct gth_ui *ui, int level, char *out, size_t n)
{
	const struct gth_ui_status *s = &ui->status;
	const char *sep = ui_glyph(ui, G_VBAR);
	time_t now = ui_now(ui);
	struct gth_buf b = GTH_BUF_INIT;
	bool compact = level > 0, many = s->n_forges > 1;
	char tmp[64];

	switch (s->sync) {
	case GTH_SYNC_RUNNING:
		gth_buf_adds(&b, "syncing");
		break;
	case GTH_SYNC_OK:
		ui_format_duration(tmp, sizeof(tmp), (long long)(now - s->synced_at));
		gth_buf_addf(&b, compact ? "synced %s" : "synced %s ago", tmp);
		break;
	case GTH_SYNC_FAILED:
		gth_buf_adds(&b, "sync failed");
		if (!compact && s->sync_detail != NULL)
			gth_buf_addf(&b, ": %s", s->sync_detail);
		break;
	case GTH_SYNC_OFFLINE:
		gth_buf_adds(&b, "offline");
		break;
	default:
		gth_buf_adds(&b, "not synced");
		break;
	}
	if (many) {
		forges_budget(ui, level, &b);
	} else if (s->rate_remaining >= 0) {
		gth_buf_addf(&b, compact ? " %s %ld/%ld" : " %s rate %ld/%ld", sep, s->rate_remaining,
			s->rate_limit);
		rate_reset_note(&b, ui, s->rate_remaining, s->rate_limit, s->rate_reset, compact);
	}
	gth_buf_addf(&b, " %s outbox %ld", sep, s->outbox_pending);
	if (s->outbox_dead > 0)
		gth_buf_addf(&b, " (%ld dead)", s->outbox_dead);
	if (!compact && many)
		forges_logins(ui, &b);
	else if (!compact && s->login != NULL)
		gth_buf_addf(&b, " %s %s", sep, s->login);
	snprintf(out, n, "%s", gth_buf_str(&b));
	gth_buf_release(&b);
}

static void
status_render(struct gth_ui *ui, struct gth_screen *scr, int y)
{
	char left[256], right[256];
	int lw, rw, x;

	gth_screen_fill(scr, y, 0, GTH_ROLE_STATUS, scr->cols);
	if (ui->view == VIEW_PR && ui->pr.ref != NULL) {
		char posn[96];

		pr_position(ui, posn, sizeof(posn));
		snprintf(left, sizeof(left), "[pr] %s %s", ui->pr.ref, posn);
	} else {
		snprintf(left, sizeof(left), "[queue] %zu/%zu", ui->n_order ? ui->qcur + 1 : 0,
			ui->n_order);
	}
	lw = (int)gth_text_width(left, strlen(left));
	/* The fullest form that leaves the left half some room. */
	for (int level = 0; level <= 2; level++) {
		status_right(ui, level, right, sizeof(right));
		rw = (int)gth_text_width(right, strlen(right));
		if (lw + 1 + rw + 1 <= scr->cols)
			break;
	}
	/* The right half is the one that must be seen whole; a long PR name gives way. */
	x = scr->cols - rw - 1;
	if (x < 1)
		x = 1;
	gth_screen_puts(scr, y, 0, GTH_ROLE_STATUS, left, x - 1);
	gth_screen_puts(scr, y, x, GTH_ROLE_STATUS, right, scr->cols - x);
}

/* "fetching acme/api [#######.......] 45%" across the bottom line. */
static void
progress_render(struct gth_ui *ui, struct gth_screen *scr, int y)
{
	int x = gth_screen_puts(scr, y, 0, GTH_ROLE_PROMPT, ui->progress_what, scr->cols / 2);
	int bar = scr->cols - x - 8, fill;
	char pct[24];

	if (bar > 40)
		bar = 40;
	if (bar < 4)
		return;
	fill = ui->progress_total > 0 ?
		(int)((long long)bar * ui->progress_done / ui->progress_total) : 0;
	if (fill > bar)
		fill = bar;
	x++;
	for (int i = 0; i < bar; i++)
		x += gth_screen_puts(scr, y, x, i < fill ? GTH_ROLE_PROMPT : GTH_ROLE_DIM,
			ui_glyph(ui, i < fill ? G_BAR_FULL : G_BAR_EMPTY), 1);
	if (ui->progress_total > 0)
		snprintf(pct, sizeof(pct), " %ld%%", ui->progress_done * 100 / ui->progress_total);
	else
		snprintf(pct, sizeof(pct), " %ld", ui->progress_done);
	gth_screen_puts(scr, y, x, GTH_ROLE_PROMPT, pct, scr->cols - x);
}

static void
message_render(struct gth_ui *ui, struct gth_screen *scr, int y)
{
	gth_screen_fill(scr, y, 0, GTH_ROLE_NORMAL, scr->cols);
	if (ui->input != INPUT_NONE) {
		int x = gth_screen_puts(scr, y, 0, GTH_ROLE_PROMPT,
			ui->input == INPUT_COMMAND ? ":" : "/", 1);

		gth_screen_put(scr, y, x, GTH_ROLE_INPUT, gth_buf_str(&ui->line), ui->line.len,
			scr->cols - x - 1);
		scr->cursor_y = y;
		scr->cursor_x = x + (int)gth_text_width(gth_buf_str(&ui->line), ui->line_cur);
		if (scr->cursor_x >= scr->cols)
			scr->cursor_x = scr->cols - 1;
		return;
	}
	if (ui->message[0] != '\0') {
		gth_screen_puts(scr, y, 0, ui->message_level == GTH_MSG_ERROR ? GTH_ROLE_ERROR :
			ui->message_level == GTH_MSG_WARN ? GTH_ROLE_PROMPT : GTH_ROLE_MESSAGE,
			ui->message, scr->cols);
		return;
	}
	if (ui->progress_what != NULL) {
		progress_render(ui, scr, y);
		return;
	}
	if (ui->view == VIEW_QUEUE && !ui->help)
		gth_screen_puts(scr, y, 0, GTH_ROLE_DIM,
			"<Enter> open  a approve  r reject  e escalate  / search  f filter  ? help",
			scr->cols);
	else if (ui->view == VIEW_PR && !ui->help)
		gth_screen_puts(scr, y, 0, GTH_ROLE_DIM, scr->cols >= UI_WIDE_COLS ?
			"} file  ] hunk  > annotation  u unviewed  v viewed  <Tab> panel  "
			"z tabs  a approve  r reject  e escalate  q back  ? help" :
			scr->cols >= WIDE_HINT_COLS ?
			"} file  ] hunk  > annotation  u unviewed  v viewed  <Tab> panel  "
			"a approve  r reject  e escalate  q back  ? help" :
			"} file ] hunk > note v viewed <Tab> panel a/r/e decide q back ? help",
			scr->cols);
}

void
gth_ui_render(struct gth_ui *ui, struct gth_screen *scr)
{
	int body;

	if (scr->rows != ui->rows || scr->cols != ui->cols)
		gth_screen_resize(scr, ui->rows, ui->cols);
	gth_screen_clear(scr);
	scr->ascii = ui->ascii;
	body = scr->rows - 2;
	if (scr->rows < 4 || scr->cols < 20) {
		gth_screen_puts(scr, 0, 0, GTH_ROLE_ERROR, "terminal too small", scr->cols);
		return;
	}
	if (ui->help)
		help_render(ui, scr, 1, body - 1);
	else if (ui->view == VIEW_PR && ui->pr.it != NULL)
		pr_render(ui, scr, 0, body);
	else
		queue_render(ui, scr, 0, body);
	status_render(ui, scr, scr->rows - 2);
	message_render(ui, scr, scr->rows - 1);
	if (ui->prompt != PROMPT_CLOSED && !ui->help)
		prompt_render(ui, scr);
	keypick_render(ui, scr);
}
