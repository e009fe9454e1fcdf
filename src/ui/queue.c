/*
 * The queue view: one line per PR, in policy's review order (breached SLA
 * first, then higher risk, then older; unassessed last: the order of
 * gth_policy_sort_queue, applied to an index so the app's queue stays
 * untouched), with filters and per-class counts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "internal.h"

struct sortkey {
	size_t idx;
	int breached;
	int risk;
	time_t deadline;
	time_t ready;
	const char *repo;
	long number;
};

static int
cmp_key(const void *pa, const void *pb)
{
	const struct sortkey *a = pa, *b = pb;
	int c;

	if (a->breached != b->breached)
		return b->breached - a->breached;
	if (a->risk != b->risk)
		return b->risk - a->risk;
	if (a->ready != b->ready)
		return a->ready < b->ready ? -1 : 1;
	c = strcmp(a->repo, b->repo);
	if (c != 0)
		return c;
	return a->number < b->number ? -1 : a->number > b->number;
}

static void
gate_counts(const struct gth_queue_item *it, size_t counts[GTH_GATE__COUNT])
{
	if (it->assess != NULL) {
		gth_assessment_gate_counts(it->assess, counts);
		return;
	}
	memset(counts, 0, sizeof(size_t) * GTH_GATE__COUNT);
	for (size_t i = 0; i < it->pr->n_checks; i++)
		if ((int)it->pr->checks[i].state >= 0 && it->pr->checks[i].state < GTH_GATE__COUNT)
			counts[it->pr->checks[i].state]++;
}

static bool
passes_filter(const struct gth_ui *ui, const struct gth_queue_item *it)
{
	const struct gth_pr *pr = it->pr;

	/* Unassessed PRs stay: their risk is unknown, not low. */
	if (ui->filter_risk > GTH_RISK_LOW && it->assess != NULL &&
			it->assess->risk < ui->filter_risk)
		return false;
	if (ui->filter_gate >= 0) {
		size_t counts[GTH_GATE__COUNT];

		gate_counts(it, counts);
		if (ui->filter_gate == GTH_GATE_PENDING) {
			if (counts[GTH_GATE_PENDING] + counts[GTH_GATE_AWAITING] == 0)
				return false;
		} else if (counts[ui->filter_gate] == 0) {
			return false;
		}
	}
	if (ui->filter_repo != NULL && !ui_contains_nocase(pr->repo, ui->filter_repo))
		return false;
	if (ui->filter_agent != NULL && !ui_contains_nocase(pr->author, ui->filter_agent))
		return false;
	if (ui->filter_text != NULL && !ui_contains_nocase(pr->title, ui->filter_text) &&
			!ui_contains_nocase(pr->repo, ui->filter_text) &&
			!ui_contains_nocase(pr->body, ui->filter_text))
		return false;
	return true;
}

void
queue_rebuild(struct gth_ui *ui)
{
	const struct gth_queue *q = ui->q;
	struct sortkey *keys;
	time_t now = ui_now(ui);
	size_t n = 0;

	ui->n_order = 0;
	if (q == NULL || q->n == 0) {
		ui->qcur = ui->qtop = 0;
		return;
	}
	keys = xcalloc(q->n, sizeof(*keys));
	for (size_t i = 0; i < q->n; i++) {
		const struct gth_queue_item *it = &q->items[i];
		struct sortkey *k;

		if (it->pr == NULL || !passes_filter(ui, it))
			continue;
		k = &keys[n++];
		k->idx = i;
		k->risk = it->assess != NULL ? (int)it->assess->risk : -1;
		k->deadline = it->assess != NULL && it->assess->sla_deadline != 0 ?
			it->assess->sla_deadline : (time_t)0x7fffffff;
		k->breached = it->assess != NULL && it->assess->sla_deadline != 0 &&
			it->assess->sla_deadline < now;
		k->ready = it->pr->ready_at != 0 ? it->pr->ready_at : it->pr->created_at;
		k->repo = it->pr->repo != NULL ? it->pr->repo : "";
		k->number = it->pr->number;
	}
	qsort(keys, n, sizeof(*keys), cmp_key);
	gth_grow(&ui->order, &ui->cap_order, n, sizeof(*ui->order));
	for (size_t i = 0; i < n; i++)
		ui->order[i] = keys[i].idx;
	ui->n_order = n;
	free(keys);
	/* Keep the cursor on the same PR across refreshes and filter changes. */
	if (ui->qcur_id.repo != NULL) {
		for (size_t i = 0; i < n; i++) {
			if (ui_ident_match(&ui->qcur_id, q->items[ui->order[i]].pr)) {
				ui->qcur = i;
				return;
			}
		}
	}
	if (ui->qcur >= n)
		ui->qcur = n > 0 ? n - 1 : 0;
	if (n > 0)
		ui_ident_set(&ui->qcur_id, q->items[ui->order[ui->qcur]].pr);
}

const struct gth_queue_item *
queue_current(const struct gth_ui *ui)
{
	if (ui->q == NULL || ui->n_order == 0 || ui->qcur >= ui->n_order)
		return NULL;
	return &ui->q->items[ui->order[ui->qcur]];
}

static void
remember_cursor(struct gth_ui *ui)
{
	const struct gth_queue_item *it = queue_current(ui);

	if (it != NULL)
		ui_ident_set(&ui->qcur_id, it->pr);
}

static void
move_cursor(struct gth_ui *ui, long delta)
{
	if (ui->n_order == 0)
		return;
	ui->qcur = ui_step(ui->qcur, delta, ui->n_order);
	remember_cursor(ui);
}

void
queue_filter_describe(const struct gth_ui *ui, char *out, size_t n)
{
	static const char *const gate_words[GTH_GATE__COUNT] = {
		[GTH_GATE_FAIL] = "failing", [GTH_GATE_PENDING] = "pending",
		[GTH_GATE_MISSING] = "missing",
	};
	size_t used = 0;

	out[0] = '\0';
	if (ui->filter_risk > GTH_RISK_LOW)
		used += (size_t)snprintf(out + used, n - used, " risk>=%s",
			gth_risk_name(ui->filter_risk));
	if (used < n && ui->filter_gate >= 0)
		used += (size_t)snprintf(out + used, n - used, " gate=%s",
			gate_words[ui->filter_gate]);
	if (used < n && ui->filter_repo != NULL)
		used += (size_t)snprintf(out + used, n - used, " repo=%s", ui->filter_repo);
	if (used < n && ui->filter_agent != NULL)
		used += (size_t)snprintf(out + used, n - used, " agent=%s", ui->filter_agent);
	if (used < n && ui->filter_text != NULL)
		used += (size_t)snprintf(out + used, n - used, " text=%s", ui->filter_text);
}

static void
clear_filters(struct gth_ui *ui)
{
	ui->filter_risk = GTH_RISK_LOW;
	ui->filter_gate = -1;
	free(ui->filter_repo);
	free(ui->filter_agent);
	free(ui->filter_text);
	ui->filter_repo = ui->filter_agent = ui->filter_text = NULL;
}

/* "risk=high repo=acme agent=copilot gate=fail text=migration"; empty clears. */
int
queue_filter_command(struct gth_ui *ui, const char *args)
{
	char *copy = xstrdup(args), *p = copy, *save = NULL;
	int r = 0;

	if (*args == '\0' || strcmp(args, "clear") == 0) {
		clear_filters(ui);
		goto out;
	}
	while (p != NULL && *p != '\0') {
		char *sp = strchr(p, ' '), *eq;

		if (sp != NULL)
			*sp = '\0';
		save = sp != NULL ? sp + 1 : NULL;
		if (*p == '\0') {
			p = save;
			continue;
		}
		eq = strchr(p, '=');
		if (eq == NULL) {
			/* A bare word filters on text. */
			free(ui->filter_text);
			ui->filter_text = xstrdup(p);
		} else {
			char *v = eq + 1;

			*eq = '\0';
			if (eq > p && eq[-1] == '>')
				eq[-1] = '\0';
			if (strcmp(p, "risk") == 0) {
				enum gth_risk rk;

				if (gth_risk_parse(v, &rk) < 0) {
					ui_msg(ui, GTH_MSG_ERROR, "risk is low, medium, high or critical");
					r = -1;
					goto out;
				}
				ui->filter_risk = rk;
			} else if (strcmp(p, "gate") == 0) {
				if (strcmp(v, "fail") == 0 || strcmp(v, "failing") == 0)
					ui->filter_gate = GTH_GATE_FAIL;
				else if (strcmp(v, "pending") == 0)
					ui->filter_gate = GTH_GATE_PENDING;
				else if (strcmp(v, "missing") == 0)
					ui->filter_gate = GTH_GATE_MISSING;
				else if (strcmp(v, "any") == 0)
					ui->filter_gate = -1;
				else {
					ui_msg(ui, GTH_MSG_ERROR, "gate is fail, pending, missing or any");
					r = -1;
					goto out;
				}
			} else if (strcmp(p, "repo") == 0 || strcmp(p, "agent") == 0 ||
					strcmp(p, "text") == 0) {
				char **slot = p[0] == 'r' ? &ui->filter_repo :
					p[0] == 'a' ? &ui->filter_agent : &ui->filter_text;

				free(*slot);
				*slot = *v != '\0' ? xstrdup(v) : NULL;
			} else {
				ui_msg(ui, GTH_MSG_ERROR, "filter on risk=, gate=, repo=, agent=, text=");
				r = -1;
				goto out;
			}
		}
		p = save;
	}
out:
	free(copy);
	queue_rebuild(ui);
	return r;
}

void
queue_search(struct gth_ui *ui, bool forward)
{
	for (size_t k = 1; k <= ui->n_order; k++) {
		size_t i = forward ? (ui->qcur + k) % ui->n_order :
			(ui->qcur + ui->n_order - k) % ui->n_order;
		const struct gth_pr *pr = ui->q->items[ui->order[i]].pr;
		char ref[32];

		snprintf(ref, sizeof(ref), "#%ld", pr->number);
		if (ui_contains_nocase(pr->title, ui->search) ||
				ui_contains_nocase(pr->repo, ui->search) ||
				ui_contains_nocase(pr->author, ui->search) ||
				strcmp(ref, ui->search) == 0) {
			ui->qcur = i;
			remember_cursor(ui);
			return;
		}
	}
	ui_msg(ui, GTH_MSG_WARN, "not found: %s", ui->search);
}

static int
copy_cmd(struct gth_ui *ui, const struct gth_queue_item *it, bool sha, struct gth_cmd *cmd)
{
	const char *s = it != NULL ? (sha ? it->pr->head_sha : it->pr->url) : NULL;

	if (s == NULL) {
		ui_msg(ui, GTH_MSG_WARN, "nothing to copy");
		return 0;
	}
	cmd->kind = GTH_CMD_COPY;
	cmd->item = it;
	/* The clipboard gets what the reviewer would see: sanitized. */
	cmd->text = gth_sanitize_str(s, strlen(s), GTH_SAN_NO_MIXED, NULL);
	ui_msg(ui, GTH_MSG_INFO, "copied %s", cmd->text);
	return 1;
}

int ui_copy(struct gth_ui *ui, const struct gth_queue_item *it, bool sha, struct gth_cmd *cmd);

int
ui_copy(struct gth_ui *ui, const struct gth_queue_item *it, bool sha, struct gth_cmd *cmd)
{
	return copy_cmd(ui, it, sha, cmd);
}

int
queue_action(struct gth_ui *ui, enum gth_action a, struct gth_cmd *cmd)
{
	const struct gth_queue_item *it = queue_current(ui);
	int page = ui->rows - 4;

	switch (a) {
	case GTH_ACTION_BACK:
		cmd->kind = GTH_CMD_QUIT;
		return 1;
	case GTH_ACTION_MOVE_DOWN:
		move_cursor(ui, 1);
		break;
	case GTH_ACTION_MOVE_UP:
		move_cursor(ui, -1);
		break;
	case GTH_ACTION_PAGE_DOWN:
		move_cursor(ui, page);
		break;
	case GTH_ACTION_PAGE_UP:
		move_cursor(ui, -page);
		break;
	case GTH_ACTION_HALF_PAGE_DOWN:
		move_cursor(ui, page / 2);
		break;
	case GTH_ACTION_HALF_PAGE_UP:
		move_cursor(ui, -page / 2);
		break;
	case GTH_ACTION_MOVE_FIRST:
		move_cursor(ui, -(long)ui->n_order);
		break;
	case GTH_ACTION_MOVE_LAST:
		move_cursor(ui, (long)ui->n_order);
		break;
	case GTH_ACTION_OPEN:
		if (it == NULL)
			break;
		pr_open(ui, it, NULL);
		ui->view = VIEW_PR;
		cmd->kind = GTH_CMD_OPEN_PR;
		cmd->item = it;
		return 1;
	case GTH_ACTION_APPROVE:
	case GTH_ACTION_REJECT:
	case GTH_ACTION_ESCALATE:
		if (it == NULL)
			break;
		/* Deciding from the queue: the prompt works on the current PR. */
		if (ui->pr.it != it)
			pr_open(ui, it, NULL);
		prompt_open(ui, a == GTH_ACTION_APPROVE ? GTH_VERDICT_APPROVE :
			a == GTH_ACTION_REJECT ? GTH_VERDICT_REJECT : GTH_VERDICT_ESCALATE);
		break;
	case GTH_ACTION_COPY_URL:
	case GTH_ACTION_COPY_SHA:
		return copy_cmd(ui, it, a == GTH_ACTION_COPY_SHA, cmd);
	case GTH_ACTION_RETRY_DELIVERY:
		if (it == NULL)
			break;
		cmd->kind = GTH_CMD_RETRY_DELIVERY;
		cmd->item = it;
		return 1;
	case GTH_ACTION_FILTER_RISK:
		ui->filter_risk = (enum gth_risk)((ui->filter_risk + 1) % GTH_RISK__COUNT);
		queue_rebuild(ui);
		break;
	case GTH_ACTION_FILTER_GATE:
		ui->filter_gate = ui->filter_gate < 0 ? GTH_GATE_FAIL :
			ui->filter_gate == GTH_GATE_FAIL ? GTH_GATE_MISSING :
			ui->filter_gate == GTH_GATE_MISSING ? GTH_GATE_PENDING : -1;
		queue_rebuild(ui);
		break;
	case GTH_ACTION_FILTER_CLEAR:
		clear_filters(ui);
		queue_rebuild(ui);
		break;
	default:
		break;
	}
	return 0;
}

/* --- drawing ------------------------------------------------------------- */

static const char *const risk_short[GTH_RISK__COUNT] = { "LOW", "MED", "HIGH", "CRIT" };

static void
draw_gates(struct gth_ui *ui, struct gth_screen *scr, int y, int x, int w,
	const struct gth_queue_item *it)
{
	static const enum gth_gate_state shown[] = {
		GTH_GATE_FAIL, GTH_GATE_MISSING, GTH_GATE_AWAITING, GTH_GATE_PENDING, GTH_GATE_PASS,
	};
	size_t counts[GTH_GATE__COUNT];
	int used = 0;

	gate_counts(it, counts);
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		enum gth_gate_state s = shown[i];
		char num[24];

		if (counts[s] == 0)
			continue;
		snprintf(num, sizeof(num), "%zu", counts[s]);
		if (used > 0)
			used++;
		if (used + 1 + (int)strlen(num) > w)
			break;
		used += gth_screen_puts(scr, y, x + used, ui_gate_role(s), ui_gate_glyph(ui, s), 2);
		used += gth_screen_puts(scr, y, x + used, ui_gate_role(s), num, w - used);
	}
	if (used == 0)
		gth_screen_puts(scr, y, x, GTH_ROLE_DIM, "no gates", w);
}

/* Column widths by terminal width: repo#number stays legible from 100 columns. */
static void
column_widths(int cols, int *w_pr, int *w_agent, int *w_gates)
{
	if (cols >= 140) {
		*w_pr = 30, *w_agent = 18, *w_gates = 14;
	} else if (cols >= 100) {
		*w_pr = 24, *w_agent = 12, *w_gates = 12;
	} else {
		*w_pr = 18, *w_agent = 9, *w_gates = 9;
	}
}

/* More than one forge in the queue: rows then say which forge each PR is on. */
static bool
queue_many_forges(const struct gth_queue *q)
{
	size_t i;

	for (i = 1; q != NULL && i < q->n; i++)
		if (!gth_str_eq(q->items[i].pr->forge, q->items[0].pr->forge))
			return true;
	return false;
}

static void
draw_row(struct gth_ui *ui, struct gth_screen *scr, int y, const struct gth_queue_item *it,
	bool many_forges)
{
	const struct gth_pr *pr = it->pr;
	const struct gth_assessment *as = it->assess;
	const struct delivery *dl;
	int w_pr, w_agent, w_gates;
	int x = 0, role;
	char tmp[64], *ref;
	time_t now = ui_now(ui);

	column_widths(scr->cols, &w_pr, &w_agent, &w_gates);

	if (as != NULL)
		gth_screen_puts(scr, y, x, ui_risk_role(as->risk), risk_short[as->risk], 4);
	else
		gth_screen_puts(scr, y, x, GTH_ROLE_DIM, "?", 4);
	x += 5;
	draw_gates(ui, scr, y, x, w_gates, it);
	x += w_gates + 1;
	/* SLA left, right-aligned in 5 columns. */
	if (as != NULL && as->sla_deadline != 0) {
		long long left = (long long)(as->sla_deadline - now);

		ui_format_duration(tmp, sizeof(tmp), left);
		role = left < 0 ? GTH_ROLE_SLA_BREACHED :
			(as->sla_hours > 0 && left < as->sla_hours * 900LL) ? GTH_ROLE_SLA_NEAR :
			GTH_ROLE_NORMAL;
		gth_screen_puts(scr, y, x + 5 - (int)strlen(tmp), role, tmp, 5);
	} else {
		gth_screen_puts(scr, y, x + 4, GTH_ROLE_DIM, "-", 1);
	}
	x += 6;
	ref = gth_pr_ref(pr);
	{
		/* Too long: cut the repository's start, never the number. */
		struct gth_sanitized san = { 0 };
		int wref, xr = x, w_ref = w_pr;

		gth_sanitize(ref, strlen(ref), GTH_SAN_NO_MIXED, &san);
		wref = (int)gth_text_width(san.text, san.len);
		/*
		 * "forge:" first, whole when forge and repo#number fit, else cut to
		 * a third of the column, so the forge is never the part lost.
		 */
		if (many_forges && pr->forge != NULL) {
			int room = w_pr - 1 - wref, c;

			c = gth_screen_put_untrusted(scr, y, xr, GTH_ROLE_DIM, pr->forge,
				strlen(pr->forge), GTH_SAN_NO_MIXED, room > w_pr / 3 ? room : w_pr / 3,
				NULL);
			c += gth_screen_puts(scr, y, xr + c, GTH_ROLE_DIM, ":", 1);
			xr += c;
			w_ref -= c;
		}
		if (wref > w_ref) {
			int c = gth_screen_puts(scr, y, xr, GTH_ROLE_DIM, ui_glyph(ui, G_ELLIPSIS), 3);

			gth_screen_put_sanitized(scr, y, xr + c, GTH_ROLE_NORMAL, &san,
				wref - (w_ref - c), w_ref - c);
		} else {
			gth_screen_put_sanitized(scr, y, xr, GTH_ROLE_NORMAL, &san, 0, w_ref);
		}
		gth_sanitized_release(&san);
	}
	x += w_pr + 1;
	if (pr->author != NULL)
		gth_screen_put_untrusted(scr, y, x, GTH_ROLE_DIM, pr->author, strlen(pr->author), 0,
			w_agent, NULL);
	x += w_agent + 1;
	if (pr->ready_at != 0 || pr->created_at != 0)
		ui_format_duration(tmp, sizeof(tmp),
			(long long)(now - (pr->ready_at != 0 ? pr->ready_at : pr->created_at)));
	else
		snprintf(tmp, sizeof(tmp), "-");
	gth_screen_puts(scr, y, x + 4 - (int)strlen(tmp), GTH_ROLE_DIM, tmp, 4);
	x += 5;
	dl = ui_delivery_for(ui, ref);
	if (dl != NULL) {
		static const char *const tag[] = { "[recorded]", "[posted]", "[retrying]", "[FAILED]" };
		static const int roles[] = { GTH_ROLE_DELIVERY_PENDING, GTH_ROLE_DELIVERY_OK,
			GTH_ROLE_DELIVERY_FAILED, GTH_ROLE_DELIVERY_FAILED };

		x += gth_screen_puts(scr, y, x, roles[dl->state], tag[dl->state], scr->cols - x) + 1;
	}
	if (pr->draft)
		x += gth_screen_puts(scr, y, x, GTH_ROLE_DIM, "[draft]", scr->cols - x) + 1;
	if (pr->title != NULL && x < scr->cols)
		gth_screen_put_untrusted(scr, y, x, GTH_ROLE_NORMAL, pr->title, strlen(pr->title), 0,
			scr->cols - x, NULL);
	free(ref);
}

void
queue_render(struct gth_ui *ui, struct gth_screen *scr, int top, int height)
{
	size_t counts[GTH_RISK__COUNT] = { 0 }, total = ui->q != NULL ? ui->q->n : 0, unknown = 0;
	char head[256], filt[200];
	bool wide = scr->cols >= 140, many_forges = queue_many_forges(ui->q);
	int x, list_h = height - 2, y;

	for (size_t i = 0; i < total; i++)
		if (ui->q->items[i].assess != NULL)
			counts[ui->q->items[i].assess->risk]++;
		else
			unknown++;
	gth_screen_fill(scr, top, 0, GTH_ROLE_TITLE, scr->cols);
	if (ui->n_order == total)
		snprintf(head, sizeof(head), " gatehouse %s checkpoint queue: %zu PR%s ",
			ui_glyph(ui, G_VBAR), total, total == 1 ? "" : "s");
	else
		snprintf(head, sizeof(head), " gatehouse %s checkpoint queue: %zu of %zu PRs ",
			ui_glyph(ui, G_VBAR), ui->n_order, total);
	x = gth_screen_puts(scr, top, 0, GTH_ROLE_TITLE, head, scr->cols);
	for (int r = GTH_RISK__COUNT - 1; r >= 0; r--) {
		char c[48];

		snprintf(c, sizeof(c), " %s %zu", wide ? gth_risk_name((enum gth_risk)r) : risk_short[r],
			counts[r]);
		x += gth_screen_puts(scr, top, x, ui_risk_role((enum gth_risk)r), c, scr->cols - x);
	}
	if (unknown > 0) {
		char c[48];

		snprintf(c, sizeof(c), " %s %zu", wide ? "unassessed" : "?", unknown);
		x += gth_screen_puts(scr, top, x, GTH_ROLE_TITLE, c, scr->cols - x);
	}
	queue_filter_describe(ui, filt, sizeof(filt));
	if (filt[0] != '\0' && x + 10 < scr->cols) {
		x += gth_screen_puts(scr, top, x, GTH_ROLE_TITLE, "  filter:", scr->cols - x);
		gth_screen_put_untrusted(scr, top, x, GTH_ROLE_TITLE, filt, strlen(filt), 0,
			scr->cols - x, NULL);
	}
	/* Column headings. */
	gth_screen_fill(scr, top + 1, 0, GTH_ROLE_HEADER, scr->cols);
	{
		int w_pr, w_agent, w_gates, hx = 0;

		column_widths(scr->cols, &w_pr, &w_agent, &w_gates);

		gth_screen_puts(scr, top + 1, hx, GTH_ROLE_HEADER, "RISK", 4);
		hx += 5;
		gth_screen_puts(scr, top + 1, hx, GTH_ROLE_HEADER, "GATES", w_gates);
		hx += w_gates + 1;
		gth_screen_puts(scr, top + 1, hx + 2, GTH_ROLE_HEADER, "SLA", 3);
		hx += 6;
		gth_screen_puts(scr, top + 1, hx, GTH_ROLE_HEADER, "PR", w_pr);
		hx += w_pr + 1;
		gth_screen_puts(scr, top + 1, hx, GTH_ROLE_HEADER, "AGENT", w_agent);
		hx += w_agent + 1;
		gth_screen_puts(scr, top + 1, hx + 1, GTH_ROLE_HEADER, "AGE", 3);
		hx += 5;
		gth_screen_puts(scr, top + 1, hx, GTH_ROLE_HEADER, "TITLE", scr->cols - hx);
	}
	if (ui->n_order == 0) {
		const char *why = ui->q == NULL || total == 0 ?
			(ui->status.sync == GTH_SYNC_RUNNING ? "Loading the queue..." :
			"No pull requests need a checkpoint.") :
			"No PR matches the filter (c clears it).";

		gth_screen_puts(scr, top + 3, 2, GTH_ROLE_DIM, why, scr->cols - 2);
		return;
	}
	if (ui->qcur < ui->qtop)
		ui->qtop = ui->qcur;
	if (list_h > 0 && ui->qcur >= ui->qtop + (size_t)list_h)
		ui->qtop = ui->qcur - (size_t)list_h + 1;
	for (y = 0; y < list_h && ui->qtop + (size_t)y < ui->n_order; y++) {
		size_t i = ui->qtop + (size_t)y;

		draw_row(ui, scr, top + 2 + y, &ui->q->items[ui->order[i]], many_forges);
		if (i == ui->qcur)
			gth_screen_mark(scr, top + 2 + y, 0, scr->cols, GTH_CELL_SELECTED);
	}
}
