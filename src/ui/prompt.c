/*
 * The decision prompt: verdict, a reason (typed, from a template, or from
 * $EDITOR), a typed override when approving over failed or missing
 * required gates, a summary of what will be signed and posted, and a
 * confirmation.  From the queue, "a 1 <Enter> <Enter>" approves with the
 * first template.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "internal.h"

bool ui_edit_key(struct gth_buf *b, size_t *cur, int key, bool multiline);

#define REASON_ROWS	5

static const char *const verdict_titles[GTH_VERDICT__COUNT] = {
	"Approve", "Reject (request changes)", "Escalate",
};

bool
prompt_needs_override(const struct gth_ui *ui)
{
	const struct gth_queue_item *it = ui->pr.it;

	if (ui->verdict != GTH_VERDICT_APPROVE || it == NULL)
		return false;
	/* Not assessed means the gates are unknown: treat them as not green. */
	return it->assess == NULL || it->assess->gates_block_approval;
}

void
prompt_open(struct gth_ui *ui, enum gth_verdict v)
{
	if (ui->pr.it == NULL)
		return;
	ui->prompt = PROMPT_CHOOSE;
	ui->verdict = v;
	gth_buf_reset(&ui->reason);
	gth_buf_reset(&ui->override);
	ui->reason_cur = ui->override_cur = 0;
}

/* The n-th (1-based) template offered for the current verdict, or NULL. */
static const struct gth_ui_template *
template_nth(const struct gth_ui *ui, int n)
{
	for (size_t i = 0; i < ui->n_templates; i++) {
		const struct gth_ui_template *t = &ui->templates[i];

		if (t->verdict >= 0 && t->verdict != (int)ui->verdict)
			continue;
		if (--n == 0)
			return t;
	}
	return NULL;
}

static bool
blank(const struct gth_buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] != ' ' && b->data[i] != '\n' && b->data[i] != '\t')
			return false;
	return true;
}

static int
draft_cmd(struct gth_ui *ui, struct gth_cmd *cmd)
{
	cmd->kind = GTH_CMD_SAVE_DRAFT;
	cmd->item = ui->pr.it;
	cmd->verdict = ui->verdict;
	cmd->text = xstrdup(gth_buf_str(&ui->reason));
	return 1;
}

static int
submit(struct gth_ui *ui, struct gth_cmd *cmd)
{
	cmd->kind = GTH_CMD_SUBMIT_DECISION;
	cmd->item = ui->pr.it;
	cmd->verdict = ui->verdict;
	cmd->reason = xstrdup(gth_buf_str(&ui->reason));
	cmd->override = prompt_needs_override(ui) ? xstrdup(gth_buf_str(&ui->override)) : NULL;
	ui->prompt = PROMPT_CLOSED;
	ui_msg(ui, GTH_MSG_INFO, "%s: %s submitted, signing...", ui->pr.ref,
		gth_verdict_name(ui->verdict));
	return 1;
}

static int
edit_key(struct gth_ui *ui, int key, struct gth_cmd *cmd)
{
	bool reason = ui->prompt == PROMPT_REASON;
	struct gth_buf *b = reason ? &ui->reason : &ui->override;
	size_t *cur = reason ? &ui->reason_cur : &ui->override_cur;

	if (key == GTH_KEY_ESC || (!reason && key == GTH_KEY_ENTER)) {
		ui->prompt = PROMPT_CHOOSE;
		return 0;
	}
	if (key == GTH_KEY_CTRL('e') && reason) {
		cmd->kind = GTH_CMD_EDIT_EXTERNAL;
		cmd->item = ui->pr.it;
		cmd->verdict = ui->verdict;
		cmd->text = xstrdup(gth_buf_str(&ui->reason));
		return 1;
	}
	if (!ui_edit_key(b, cur, key, reason))
		return 0;
	return reason ? draft_cmd(ui, cmd) : 0;
}

int
prompt_key(struct gth_ui *ui, int key, struct gth_cmd *cmd)
{
	enum gth_action a;
	const struct gth_ui_template *t;

	if (ui->prompt == PROMPT_REASON || ui->prompt == PROMPT_OVERRIDE)
		return edit_key(ui, key, cmd);
	a = gth_keymap_lookup(&ui->km, GTH_KEYMAP_PROMPT, key);
	if (ui->prompt == PROMPT_CONFIRM) {
		if (a == GTH_ACTION_CONFIRM)
			return submit(ui, cmd);
		if (a == GTH_ACTION_CANCEL || key == GTH_KEY_ESC)
			ui->prompt = PROMPT_CHOOSE;
		return 0;
	}
	switch (a) {
	case GTH_ACTION_CONFIRM:
		if (blank(&ui->reason)) {
			ui_msg(ui, GTH_MSG_WARN, "a reason is needed: type one (i) or pick a template");
			return 0;
		}
		if (prompt_needs_override(ui) && blank(&ui->override)) {
			ui_msg(ui, GTH_MSG_WARN,
				"required gates are not green: type why you approve anyway");
			ui->prompt = PROMPT_OVERRIDE;
			return 0;
		}
		if (prompt_needs_override(ui) && ui->policy != NULL && ui->pr.it->assess != NULL) {
			struct gth_err err;

			memset(&err, 0, sizeof(err));
			if (gth_policy_approve_allowed(ui->policy, ui->pr.it->assess,
					gth_buf_str(&ui->override), &err) < 0) {
				ui_msg(ui, GTH_MSG_WARN, "%s", err.msg[0] != '\0' ? err.msg :
					"the override is not enough for the policy");
				ui->prompt = PROMPT_OVERRIDE;
				return 0;
			}
		}
		ui->prompt = PROMPT_CONFIRM;
		return 0;
	case GTH_ACTION_CANCEL:
		ui->prompt = PROMPT_CLOSED;
		ui_msg(ui, GTH_MSG_INFO, "decision cancelled");
		return 0;
	case GTH_ACTION_EDIT_REASON:
		ui->prompt = PROMPT_REASON;
		return 0;
	case GTH_ACTION_EDIT_OVERRIDE:
		if (!prompt_needs_override(ui)) {
			ui_msg(ui, GTH_MSG_INFO, "no override needed: the required gates are green");
			return 0;
		}
		ui->prompt = PROMPT_OVERRIDE;
		return 0;
	case GTH_ACTION_EXTERNAL_EDITOR:
		cmd->kind = GTH_CMD_EDIT_EXTERNAL;
		cmd->item = ui->pr.it;
		cmd->verdict = ui->verdict;
		cmd->text = xstrdup(gth_buf_str(&ui->reason));
		return 1;
	default:
		break;
	}
	if (a >= GTH_ACTION_TEMPLATE_1 && a <= GTH_ACTION_TEMPLATE_9) {
		t = template_nth(ui, (int)(a - GTH_ACTION_TEMPLATE_1) + 1);
		if (t == NULL) {
			ui_msg(ui, GTH_MSG_WARN, "no template %d for %s", (int)(a - GTH_ACTION_TEMPLATE_1) + 1,
				gth_verdict_name(ui->verdict));
			return 0;
		}
		gth_ui_set_reason(ui, t->text);
		return draft_cmd(ui, cmd);
	}
	/* Any other printable key starts the reason with that character. */
	if (key >= 0x20 && key < GTH_KEY__BASE && key != 0x7f) {
		ui->prompt = PROMPT_REASON;
		return edit_key(ui, key, cmd);
	}
	return 0;
}

/* --- drawing ------------------------------------------------------------- */

struct box {
	struct gth_screen *scr;
	int y, x, w;		/* inner area */
	int row;
};

static void
box_text(struct box *b, int indent, int role, const char *s)
{
	gth_screen_puts(b->scr, b->y + b->row, b->x + indent, role, s, b->w - indent);
	b->row++;
}

static void
box_untrusted(struct box *b, int indent, int role, const char *s, size_t len)
{
	gth_screen_put_untrusted(b->scr, b->y + b->row, b->x + indent, role, s, len, 0,
		b->w - indent, NULL);
	b->row++;
}

/*
 * Up to max rows of multi-line text: the lines around the cursor (a byte
 * offset; (size_t)-1 when this field is not being edited), the last ones
 * otherwise, with one row saying how many are not shown.
 */
static void
box_lines(struct box *b, int role, const char *s, int max, size_t cursor)
{
	size_t n = 1, cur_line = 0, line = 0, shown, first = 0;
	const char *p = s;

	for (const char *q = s; *q != '\0'; q++)
		if (*q == '\n')
			n++;
	for (const char *q = s; cursor != (size_t)-1 && *q != '\0' && (size_t)(q - s) < cursor; q++)
		cur_line += *q == '\n';
	shown = n > (size_t)max ? (size_t)max - 1 : n;
	if (n > shown) {
		char more[48];
		size_t anchor = cursor != (size_t)-1 ? cur_line : n - 1;

		first = anchor + 1 > shown ? anchor + 1 - shown : 0;
		snprintf(more, sizeof(more), "(%zu more line%s not shown)", n - shown,
			n - shown == 1 ? "" : "s");
		box_text(b, 2, GTH_ROLE_DIM, more);
	}
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (line >= first && line < first + shown) {
			gth_screen_put_untrusted(b->scr, b->y + b->row, b->x + 2, role, p, len,
				GTH_SAN_NO_MIXED, b->w - 3, NULL);
			if (cursor != (size_t)-1 && line == cur_line) {
				b->scr->cursor_y = b->y + b->row;
				b->scr->cursor_x = b->x + 2 +
					(int)gth_text_width(p, cursor - (size_t)(p - s));
			}
			b->row++;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
		line++;
	}
}

static void
summary(struct gth_ui *ui, struct box *b)
{
	const struct gth_queue_item *it = ui->pr.it;
	const struct gth_assessment *as = it->assess;
	const char *sha = it->pr->head_sha != NULL ? it->pr->head_sha : "?";
	struct gth_buf s = GTH_BUF_INIT;

	box_text(b, 0, GTH_ROLE_HEADER, "Will sign and post:");
	switch (ui->verdict) {
	case GTH_VERDICT_APPROVE:
		gth_buf_addf(&s, "approving review on %.12s, checkpoint status success", sha);
		break;
	case GTH_VERDICT_REJECT:
		gth_buf_addf(&s, "request-changes review on %.12s, checkpoint status failure", sha);
		break;
	default:
		gth_buf_addf(&s, "comment review on %.12s, checkpoint pending, to:", sha);
		if (as == NULL || as->escalate_users.n + as->escalate_teams.n == 0)
			gth_buf_adds(&s, " (no route configured)");
		for (size_t i = 0; as != NULL && i < as->escalate_users.n; i++)
			gth_buf_addf(&s, " @%s", as->escalate_users.v[i]);
		for (size_t i = 0; as != NULL && i < as->escalate_teams.n; i++)
			gth_buf_addf(&s, " team:%s", as->escalate_teams.v[i]);
		for (size_t i = 0; as != NULL && i < as->escalate_labels.n; i++)
			gth_buf_addf(&s, " +label:%s", as->escalate_labels.v[i]);
		break;
	}
	box_untrusted(b, 2, GTH_ROLE_NORMAL, s.data, s.len);
	box_text(b, 2, GTH_ROLE_DIM, "signed by your ssh-agent key: verdict, reason, risk, gates, head");
	gth_buf_release(&s);
}

void
ui_frame(const struct gth_ui *ui, struct gth_screen *scr, int w, int h, int *x0, int *y0)
{
	*x0 = (scr->cols - w) / 2;
	*y0 = (scr->rows - 2 - h) / 2;
	if (*y0 < 0)
		*y0 = 0;
	for (int y = *y0; y < *y0 + h; y++) {
		gth_screen_fill(scr, y, *x0, GTH_ROLE_NORMAL, w);
		gth_screen_puts(scr, y, *x0, GTH_ROLE_BORDER, ui_glyph(ui, G_VBAR), 1);
		gth_screen_puts(scr, y, *x0 + w - 1, GTH_ROLE_BORDER, ui_glyph(ui, G_VBAR), 1);
	}
	for (int x = *x0; x < *x0 + w; x++) {
		gth_screen_puts(scr, *y0, x, GTH_ROLE_BORDER, ui_glyph(ui, G_HBAR), 1);
		gth_screen_puts(scr, *y0 + h - 1, x, GTH_ROLE_BORDER, ui_glyph(ui, G_HBAR), 1);
	}
}

static int
count_lines(const char *s)
{
	int n = 1;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

void
prompt_render(struct gth_ui *ui, struct gth_screen *scr)
{
	const struct gth_queue_item *it = ui->pr.it;
	const struct gth_assessment *as;
	int w = scr->cols - 4 < 78 ? scr->cols - 4 : 78, h, x0, y0, role, reason_rows;
	struct box b;
	char buf[256];
	int ntemplates = 0, shown;
	bool need = prompt_needs_override(ui);

	if (it == NULL || w < 30)
		return;
	as = it->assess;
	while (template_nth(ui, ntemplates + 1) != NULL && ntemplates < 9)
		ntemplates++;
	reason_rows = count_lines(gth_buf_str(&ui->reason));
	if (reason_rows > REASON_ROWS)
		reason_rows = REASON_ROWS;
	/* Borders, info, blank, templates, reason, override, summary, footer. */
	h = 2 + 2 + 1 + reason_rows + (need ? 2 : 0) + 3 + 1;
	/* On a short terminal some templates stay off the list (their digits still work). */
	shown = ntemplates;
	if (shown > 0 && h + shown + 1 > scr->rows - 2)
		shown = scr->rows - 2 - h - 2;
	if (shown < 0)
		shown = 0;
	h += ntemplates > 0 ? shown + 1 + (shown < ntemplates) : 0;
	if (h > scr->rows - 2)
		h = scr->rows - 2;
	ui_frame(ui, scr, w, h, &x0, &y0);
	role = ui->verdict == GTH_VERDICT_APPROVE ? GTH_ROLE_GATE_PASS :
		ui->verdict == GTH_VERDICT_REJECT ? GTH_ROLE_GATE_FAIL : GTH_ROLE_PROMPT;
	snprintf(buf, sizeof(buf), " %s%s ", ui->prompt == PROMPT_CONFIRM ? "Confirm: " : "",
		verdict_titles[ui->verdict]);
	{
		int tx = x0 + 2 + gth_screen_puts(scr, y0, x0 + 2, role, buf, w - 4);

		tx += gth_screen_put_untrusted(scr, y0, tx, GTH_ROLE_TITLE, ui->pr.ref,
			strlen(ui->pr.ref), GTH_SAN_NO_MIXED, x0 + w - 3 - tx, NULL);
		gth_screen_puts(scr, y0, tx, GTH_ROLE_BORDER, " ", 1);
	}
	b = (struct box){ scr, y0 + 1, x0 + 2, w - 4, 0 };
	{
		struct gth_buf s = GTH_BUF_INIT;
		size_t counts[GTH_GATE__COUNT] = { 0 };
		static const enum gth_gate_state order[] = { GTH_GATE_FAIL, GTH_GATE_MISSING,
			GTH_GATE_AWAITING, GTH_GATE_PENDING, GTH_GATE_PASS };

		if (as != NULL)
			gth_assessment_gate_counts(as, counts);
		gth_buf_addf(&s, "head %.12s, risk %s, gates:",
			it->pr->head_sha != NULL ? it->pr->head_sha : "?",
			as != NULL ? gth_risk_name(as->risk) : "unknown");
		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
			if (counts[order[i]] > 0)
				gth_buf_addf(&s, " %zu %s", counts[order[i]],
					gth_gate_state_name(order[i]));
		if (as == NULL)
			gth_buf_adds(&s, " not assessed");
		box_untrusted(&b, 0, GTH_ROLE_DIM, s.data, s.len);
		gth_buf_release(&s);
	}
	b.row++;
	if (ntemplates > 0) {
		box_text(&b, 0, GTH_ROLE_HEADER, "Templates (press the digit):");
		for (int i = 1; i <= shown; i++) {
			const struct gth_ui_template *t = template_nth(ui, i);
			struct gth_buf s = GTH_BUF_INIT;

			gth_buf_addf(&s, "%d %s: %s", i, t->name, t->text);
			for (size_t k = 0; k < s.len; k++)
				if (s.data[k] == '\n')
					s.data[k] = ' ';
			box_untrusted(&b, 2, GTH_ROLE_NORMAL, s.data, s.len);
			gth_buf_release(&s);
		}
		if (shown < ntemplates) {
			snprintf(buf, sizeof(buf), "  (%d more: %d-%d)", ntemplates - shown, shown + 1,
				ntemplates);
			box_text(&b, 0, GTH_ROLE_DIM, buf);
		}
	}
	box_text(&b, 0, GTH_ROLE_HEADER, ui->prompt == PROMPT_REASON ?
		"Reason (typing; <Esc> done, <C-e> $EDITOR):" : "Reason:");
	if (ui->reason.len == 0 && ui->prompt != PROMPT_REASON)
		box_text(&b, 2, GTH_ROLE_DIM, "(none yet: i to type, or a template digit)");
	else
		box_lines(&b, GTH_ROLE_INPUT, gth_buf_str(&ui->reason), REASON_ROWS,
			ui->prompt == PROMPT_REASON ? ui->reason_cur : (size_t)-1);
	if (need) {
		struct gth_buf s = GTH_BUF_INIT;

		gth_buf_adds(&s, as == NULL ? "Override (gates not assessed):" : "Override (");
		for (size_t i = 0; as != NULL && i < as->n_gates; i++)
			if (as->gates[i].required && (as->gates[i].state == GTH_GATE_FAIL ||
					as->gates[i].state == GTH_GATE_MISSING))
				gth_buf_addf(&s, "%s%s %s", s.data[s.len - 1] == '(' ? "" : ", ",
					as->gates[i].name, gth_gate_state_name(as->gates[i].state));
		if (as != NULL)
			gth_buf_adds(&s, "; required):");
		box_untrusted(&b, 0, GTH_ROLE_GATE_FAIL, s.data, s.len);
		if (ui->override.len == 0 && ui->prompt != PROMPT_OVERRIDE)
			box_text(&b, 2, GTH_ROLE_DIM, "(needed to approve: o to type it)");
		else
			box_lines(&b, GTH_ROLE_INPUT, gth_buf_str(&ui->override), 1,
				ui->prompt == PROMPT_OVERRIDE ? ui->override_cur : (size_t)-1);
		gth_buf_release(&s);
	}
	b.row = h - 6;
	summary(ui, &b);
	switch (ui->prompt) {
	case PROMPT_CONFIRM:
		box_text(&b, 0, GTH_ROLE_PROMPT, "Sign and record this decision?  y/<Enter> yes   "
			"<Esc> back");
		break;
	case PROMPT_REASON:
	case PROMPT_OVERRIDE:
		box_text(&b, 0, GTH_ROLE_DIM, "<Esc> done   <Backspace> <C-u> <C-w> edit");
		break;
	default:
		box_text(&b, 0, GTH_ROLE_DIM, need ?
			"<Enter> continue  i reason  o override  E $EDITOR  <Esc> cancel" :
			"<Enter> continue  i reason  E $EDITOR  <Esc> cancel");
		break;
	}
}
