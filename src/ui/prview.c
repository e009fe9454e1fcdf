/*
 * The PR view: the diff on one side and the Risk, Gates and Rationale
 * panels (plus the file list) on the other from 140 columns up; below that
 * the same panels as tabs, one at a time, so nothing is lost at 80x24.
 *
 * The diff is addressed as (file, row in that file's block): row 0 is the
 * file header, then the file's lines with check annotations inserted after
 * the line they point at.  Moving and drawing walk rows one at a time from
 * a known position, so a screen costs O(screen) whatever the diff's size.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gatehouse/base/str.h"
#include "gatehouse/base/xalloc.h"
#include "internal.h"

#define PAIR_SCAN_MAX	256	/* lines looked at to pair a -/+ line for intraline highlights */
#define INTRALINE_MAX	16

int ui_copy(struct gth_ui *ui, const struct gth_queue_item *it, bool sha, struct gth_cmd *cmd);

enum rowkind { ROW_NONE, ROW_HEADER, ROW_LINE, ROW_ANNOT, ROW_NOTE };

struct row {
	enum rowkind kind;
	size_t f;
	size_t line;			/* ROW_LINE: global index into d->lines */
	const struct anchor *an;	/* ROW_ANNOT */
};

/* --- model helpers ------------------------------------------------------- */

static size_t
file_rows(const struct pr_state *p, size_t f)
{
	const struct gth_diff_file *df = &p->d->files[f];
	size_t n;

	if (!df->loaded)
		return 2;
	n = df->n_lines + p->anchors[f].n;
	return 1 + (n > 0 ? n : 1);
}

static struct row
row_at(const struct pr_state *p, struct pos pos)
{
	struct row row = { ROW_NONE, pos.f, 0, NULL };
	const struct gth_diff_file *df;
	const struct file_anchors *fa;
	size_t rem;

	if (p->d == NULL || pos.f >= p->n_files)
		return row;
	df = &p->d->files[pos.f];
	if (pos.r == 0) {
		row.kind = ROW_HEADER;
		return row;
	}
	if (!df->loaded || df->n_lines + p->anchors[pos.f].n == 0) {
		row.kind = ROW_NOTE;
		return row;
	}
	fa = &p->anchors[pos.f];
	rem = pos.r - 1;
	/* Anchor k sits on row line_k + k + 1 (k annotations come before it). */
	for (size_t k = fa->n; k-- > 0;) {
		size_t at = fa->v[k].line + k + 1;

		if (at == rem) {
			row.kind = ROW_ANNOT;
			row.an = &fa->v[k];
			return row;
		}
		if (at < rem) {
			row.kind = ROW_LINE;
			row.line = df->first_line + rem - (k + 1);
			return row;
		}
	}
	row.kind = ROW_LINE;
	row.line = df->first_line + rem;
	return row;
}

/* The row of local line L of file f. */
static size_t
row_of_line(const struct pr_state *p, size_t f, size_t L)
{
	size_t before = 0;

	for (size_t k = 0; k < p->anchors[f].n && p->anchors[f].v[k].line < L; k++)
		before++;
	return 1 + L + before;
}

static bool
pos_next(const struct pr_state *p, struct pos *pos)
{
	if (p->d == NULL || p->n_files == 0)
		return false;
	if (pos->r + 1 < file_rows(p, pos->f)) {
		pos->r++;
		return true;
	}
	if (pos->f + 1 < p->n_files) {
		pos->f++;
		pos->r = 0;
		return true;
	}
	return false;
}

static bool
pos_prev(const struct pr_state *p, struct pos *pos)
{
	if (p->d == NULL || p->n_files == 0)
		return false;
	if (pos->r > 0) {
		pos->r--;
		return true;
	}
	if (pos->f > 0) {
		pos->f--;
		pos->r = file_rows(p, pos->f) - 1;
		return true;
	}
	return false;
}

static int
pos_cmp(struct pos a, struct pos b)
{
	if (a.f != b.f)
		return a.f < b.f ? -1 : 1;
	return a.r < b.r ? -1 : a.r > b.r;
}

/* Keep the cursor on screen, moving the top as little as possible. */
static void
clamp_top(struct pr_state *p)
{
	struct pos t = p->cur;
	int h = p->diff_height > 0 ? p->diff_height : 1;

	if (p->d == NULL)
		return;
	if (p->cur.f >= p->n_files)
		p->cur = (struct pos){ 0, 0 };
	if (p->cur.r >= file_rows(p, p->cur.f))
		p->cur.r = file_rows(p, p->cur.f) - 1;
	if (p->top.f >= p->n_files || p->top.r >= file_rows(p, p->top.f))
		p->top = p->cur;
	if (pos_cmp(p->cur, p->top) < 0) {
		p->top = p->cur;
		return;
	}
	for (int i = 0; i < h - 1; i++) {
		if (pos_cmp(t, p->top) <= 0)
			return;
		pos_prev(p, &t);
	}
	if (pos_cmp(t, p->top) > 0)
		p->top = t;
}

static void
sync_file_cursor(struct pr_state *p)
{
	p->file_cur = p->cur.f;
}

static int
want_file(struct gth_ui *ui, size_t f, struct gth_cmd *cmd)
{
	struct pr_state *p = &ui->pr;

	if (p->d == NULL || f >= p->n_files || p->d->files[f].loaded || p->load_asked[f])
		return 0;
	p->load_asked[f] = true;
	cmd->kind = GTH_CMD_LOAD_FILE;
	cmd->item = p->it;
	cmd->file_index = f;
	return 1;
}

static int
goto_pos(struct gth_ui *ui, struct pos pos, struct gth_cmd *cmd)
{
	struct pr_state *p = &ui->pr;

	p->cur = pos;
	p->focus = PANEL_DIFF;
	clamp_top(p);
	sync_file_cursor(p);
	return want_file(ui, pos.f, cmd);
}

/* --- opening and closing ------------------------------------------------- */

static void
add_warn(struct gth_text_warnings *w, const char *s)
{
	struct gth_text_warnings one;
	char *t;

	if (s == NULL)
		return;
	memset(&one, 0, sizeof(one));
	t = gth_sanitize_str(s, strlen(s), GTH_SAN_KEEP_NEWLINES | GTH_SAN_KEEP_TABS, &one);
	free(t);
	gth_text_warnings_add(w, &one);
}

static void
count_file(struct gth_sanitized *san, struct gth_text_warnings *w, const struct gth_diff *d,
	size_t f)
{
	const struct gth_diff_file *df = &d->files[f];

	memset(w, 0, sizeof(*w));
	add_warn(w, df->new_path);
	if (df->old_path != NULL && !gth_str_eq(df->old_path, df->new_path))
		add_warn(w, df->old_path);
	if (!df->loaded)
		return;
	for (size_t i = df->first_line; i < df->first_line + df->n_lines && i < d->n_lines; i++) {
		const struct gth_diff_line *l = &d->lines[i];

		gth_sanitize(gth_diff_line_text(d, l), l->len, GTH_SAN_KEEP_TABS, san);
		gth_text_warnings_add(w, &san->warn);
	}
}

static void
count_warnings(struct gth_ui *ui, struct pr_state *p)
{
	const struct gth_pr *pr = p->it->pr;

	memset(&p->warn, 0, sizeof(p->warn));
	add_warn(&p->warn, pr->title);
	add_warn(&p->warn, pr->body);
	add_warn(&p->warn, pr->author);
	add_warn(&p->warn, pr->head_ref);
	add_warn(&p->warn, pr->base_ref);
	for (size_t i = 0; i < pr->labels.n; i++)
		add_warn(&p->warn, pr->labels.v[i]);
	for (size_t i = 0; i < pr->commit_messages.n; i++)
		add_warn(&p->warn, pr->commit_messages.v[i]);
	for (size_t i = 0; i < pr->n_checks; i++) {
		const struct gth_check *c = &pr->checks[i];

		add_warn(&p->warn, c->name);
		add_warn(&p->warn, c->summary);
		for (size_t j = 0; j < c->n_annotations; j++) {
			add_warn(&p->warn, c->annotations[j].title);
			add_warn(&p->warn, c->annotations[j].message);
			add_warn(&p->warn, c->annotations[j].path);
		}
	}
	if (pr->task != NULL) {
		add_warn(&p->warn, pr->task->task_type);
		for (size_t i = 0; i < pr->task->constraints.n; i++)
			add_warn(&p->warn, pr->task->constraints.v[i]);
	}
	/* A loaded file is read once, not again on every set_pr of the same diff. */
	for (size_t f = 0; f < p->n_files; f++) {
		if (!p->file_counted[f]) {
			count_file(&ui->scratch, &p->file_warn[f], p->d, f);
			p->file_counted[f] = p->d->files[f].loaded;
		}
		gth_text_warnings_add(&p->warn, &p->file_warn[f]);
	}
}

static int
cmp_anchor(const void *pa, const void *pb)
{
	const struct anchor *a = pa, *b = pb;

	return a->line < b->line ? -1 : a->line > b->line;
}

static void
place_annotations(struct pr_state *p)
{
	const struct gth_pr *pr = p->it->pr;

	for (size_t f = 0; f < p->n_files; f++)
		p->anchors[f].n = 0;
	p->n_loose = 0;
	for (size_t i = 0; i < pr->n_checks; i++) {
		const struct gth_check *c = &pr->checks[i];

		for (size_t j = 0; j < c->n_annotations; j++) {
			const struct gth_annotation *a = &c->annotations[j];
			bool placed = false;

			for (size_t f = 0; f < p->n_files && !placed; f++) {
				const struct gth_diff_file *df = &p->d->files[f];

				if (!df->loaded || !gth_str_eq(df->new_path, a->path))
					continue;
				for (size_t L = 0; L < df->n_lines; L++) {
					const struct gth_diff_line *l = &p->d->lines[df->first_line + L];

					if (l->new_no != 0 && (long)l->new_no == a->start_line &&
							l->kind != GTH_DIFF_HUNK) {
						struct anchor *an = &GTH_PUSH(p->anchors[f].v,
							p->anchors[f].n, p->anchors[f].cap);

						an->line = L;
						an->a = a;
						an->c = c;
						placed = true;
						break;
					}
				}
			}
			if (!placed) {
				struct anchor *an = &GTH_PUSH(p->loose, p->n_loose, p->cap_loose);

				an->line = 0;
				an->a = a;
				an->c = c;
			}
		}
	}
	for (size_t f = 0; f < p->n_files; f++)
		if (p->anchors[f].n > 1)
			qsort(p->anchors[f].v, p->anchors[f].n, sizeof(struct anchor), cmp_anchor);
}

void
pr_close(struct gth_ui *ui)
{
	struct pr_state *p = &ui->pr;

	for (size_t f = 0; p->anchors != NULL && f < p->n_files; f++)
		free(p->anchors[f].v);
	free(p->anchors);
	free(p->viewed);
	free(p->load_asked);
	free(p->loose);
	free(p->file_warn);
	free(p->file_counted);
	free(p->ref);
	free(p->diff_note);
	gth_rationale_release(&p->rat);
	gth_rat_lines_release(&p->rat_lines);
	ui_ident_clear(&p->id);
	memset(p, 0, sizeof(*p));
	p->focus = PANEL_DIFF;
}

void
pr_open(struct gth_ui *ui, const struct gth_queue_item *it, const struct gth_diff *d)
{
	struct pr_state *p = &ui->pr;
	bool same = p->it != NULL && ui_ident_match(&p->id, it->pr);
	size_t n = d != NULL ? d->n_files : 0;

	if (!same) {
		pr_close(ui);
		ui_ident_set(&p->id, it->pr);
		p->ref = gth_pr_ref(it->pr);
	}
	if (it != p->it)
		p->body = NULL;
	/* Until the first render, assume the layout the current size will give. */
	if (p->diff_height == 0)
		p->diff_height = ui->rows > 6 ? ui->rows - 5 : 1;
	p->it = it;
	if (d != p->d || n != p->n_files) {
		bool keep = same && n == p->n_files;
		bool *viewed = xcalloc(n + 1, sizeof(bool)), *asked = xcalloc(n + 1, sizeof(bool));

		free(p->file_warn);
		free(p->file_counted);
		p->file_warn = xcalloc(n + 1, sizeof(*p->file_warn));
		p->file_counted = xcalloc(n + 1, sizeof(bool));

		for (size_t f = 0; keep && f < n; f++) {
			viewed[f] = p->viewed[f];
			asked[f] = p->load_asked[f] && !d->files[f].loaded;
		}
		for (size_t f = 0; p->anchors != NULL && f < p->n_files; f++)
			free(p->anchors[f].v);
		free(p->anchors);
		free(p->viewed);
		free(p->load_asked);
		p->viewed = viewed;
		p->load_asked = asked;
		p->anchors = xcalloc(n + 1, sizeof(*p->anchors));
		p->n_files = n;
		if (!keep) {
			p->cur = p->top = (struct pos){ 0, 0 };
			p->file_cur = p->file_top = 0;
		}
	}
	p->d = d;
	for (size_t f = 0; f < n; f++)
		if (d->files[f].loaded)
			p->load_asked[f] = false;
	if (d != NULL)
		place_annotations(p);
	else
		p->n_loose = 0;	/* they point into the PR copy it replaced, which is freed */
	count_warnings(ui, p);
	memset(p->meas_w, 0, sizeof(p->meas_w));
	clamp_top(p);
}

/* --- actions ------------------------------------------------------------- */

static void
scroll_panel(struct pr_state *p, enum panel pn, int delta)
{
	int max = p->total[pn] - p->page[pn];

	p->scroll[pn] += delta;
	if (p->scroll[pn] > max)
		p->scroll[pn] = max;
	if (p->scroll[pn] < 0)
		p->scroll[pn] = 0;
}

static void
move_files(struct pr_state *p, long delta)
{
	p->file_cur = ui_step(p->file_cur, delta, p->n_files);
}

static void
move_diff(struct pr_state *p, long delta, bool with_top)
{
	for (long i = 0; i < (delta < 0 ? -delta : delta); i++) {
		if (!(delta > 0 ? pos_next(p, &p->cur) : pos_prev(p, &p->cur)))
			break;
		if (with_top)
			(void)(delta > 0 ? pos_next(p, &p->top) : pos_prev(p, &p->top));
	}
	clamp_top(p);
	sync_file_cursor(p);
}

static int
move(struct gth_ui *ui, long delta, bool page, struct gth_cmd *cmd)
{
	struct pr_state *p = &ui->pr;

	switch (p->focus) {
	case PANEL_DIFF:
		move_diff(p, delta, page);
		return want_file(ui, p->cur.f, cmd);
	case PANEL_FILES:
		move_files(p, delta);
		return 0;
	default:
		scroll_panel(p, p->focus, (int)delta);
		return 0;
	}
}

static bool
is_hunk(const struct pr_state *p, struct pos pos)
{
	struct row row = row_at(p, pos);

	return row.kind == ROW_LINE && p->d->lines[row.line].kind == GTH_DIFF_HUNK;
}

static int
jump_hunk(struct gth_ui *ui, bool forward, struct gth_cmd *cmd)
{
	struct pr_state *p = &ui->pr;
	struct pos pos = p->cur;

	/* A user-requested scan: linear in the diff, not per frame. */
	while (forward ? pos_next(p, &pos) : pos_prev(p, &pos)) {
		if (is_hunk(p, pos) || (pos.r == 0 && !p->d->files[pos.f].loaded))
			return goto_pos(ui, pos, cmd);
	}
	ui_msg(ui, GTH_MSG_INFO, forward ? "no more hunks" : "no earlier hunk");
	return 0;
}

static int
jump_annotation(struct gth_ui *ui, bool forward)
{
	struct pr_state *p = &ui->pr;
	struct pos best = { 0, 0 };
	bool found = false;

	for (size_t f = 0; f < p->n_files; f++) {
		for (size_t k = 0; k < p->anchors[f].n; k++) {
			struct pos at = { f, p->anchors[f].v[k].line + k + 1 + 1 };
			int c = pos_cmp(at, p->cur);

			if (forward && c > 0 && (!found || pos_cmp(at, best) < 0)) {
				best = at;
				found = true;
			}
			if (!forward && c < 0 && (!found || pos_cmp(at, best) > 0)) {
				best = at;
				found = true;
			}
		}
	}
	if (!found) {
		ui_msg(ui, GTH_MSG_INFO, "no %s annotation%s", forward ? "further" : "earlier",
			p->n_loose ? " in the diff (see Gates for the others)" : "");
		return 0;
	}
	p->cur = best;
	p->focus = PANEL_DIFF;
	clamp_top(p);
	sync_file_cursor(p);
	return 0;
}

static int
jump_file(struct gth_ui *ui, long delta, bool unviewed, struct gth_cmd *cmd)
{
	struct pr_state *p = &ui->pr;
	size_t f = p->focus == PANEL_FILES ? p->file_cur : p->cur.f;

	if (p->n_files == 0)
		return 0;
	if (unviewed) {
		for (size_t k = 1; k <= p->n_files; k++) {
			size_t g = delta > 0 ? (f + k) % p->n_files : (f + p->n_files - k) % p->n_files;

			if (!p->viewed[g])
				return goto_pos(ui, (struct pos){ g, 0 }, cmd);
		}
		ui_msg(ui, GTH_MSG_INFO, "every file is marked viewed");
		return 0;
	}
	if ((delta > 0 && f + 1 >= p->n_files) || (delta < 0 && f == 0 && p->cur.r == 0)) {
		ui_msg(ui, GTH_MSG_INFO, delta > 0 ? "last file" : "first file");
		return 0;
	}
	if (delta < 0 && p->cur.r > 0 && p->focus == PANEL_DIFF)
		return goto_pos(ui, (struct pos){ f, 0 }, cmd);
	return goto_pos(ui, (struct pos){ delta > 0 ? f + 1 : f - 1, 0 }, cmd);
}

int
pr_action(struct gth_ui *ui, enum gth_action a, struct gth_cmd *cmd)
{
	struct pr_state *p = &ui->pr;
	int page = p->focus == PANEL_DIFF ? p->diff_height : p->page[p->focus];
	size_t f;

	if (page < 1)
		page = 1;
	if (p->d == NULL && a >= GTH_ACTION_NEXT_FILE && a <= GTH_ACTION_EXPAND_CONTEXT) {
		ui_msg(ui, GTH_MSG_INFO, "the diff is still loading");
		return 0;
	}
	switch (a) {
	case GTH_ACTION_BACK:
		cmd->kind = GTH_CMD_CLOSE_PR;
		cmd->item = p->it;
		pr_close(ui);
		ui->view = VIEW_QUEUE;
		return 1;
	case GTH_ACTION_MOVE_DOWN:
		return move(ui, 1, false, cmd);
	case GTH_ACTION_MOVE_UP:
		return move(ui, -1, false, cmd);
	case GTH_ACTION_PAGE_DOWN:
		return move(ui, page, true, cmd);
	case GTH_ACTION_PAGE_UP:
		return move(ui, -page, true, cmd);
	case GTH_ACTION_HALF_PAGE_DOWN:
		return move(ui, page / 2, true, cmd);
	case GTH_ACTION_HALF_PAGE_UP:
		return move(ui, -(page / 2), true, cmd);
	case GTH_ACTION_MOVE_FIRST:
		if (p->focus == PANEL_DIFF) {
			p->cur = p->top = (struct pos){ 0, 0 };
			sync_file_cursor(p);
		} else if (p->focus == PANEL_FILES) {
			p->file_cur = 0;
		} else {
			p->scroll[p->focus] = 0;
		}
		return 0;
	case GTH_ACTION_MOVE_LAST:
		if (p->focus == PANEL_DIFF && p->n_files > 0) {
			p->cur.f = p->n_files - 1;
			p->cur.r = file_rows(p, p->cur.f) - 1;
			clamp_top(p);
			sync_file_cursor(p);
			return want_file(ui, p->cur.f, cmd);
		} else if (p->focus == PANEL_FILES) {
			p->file_cur = p->n_files > 0 ? p->n_files - 1 : 0;
		} else {
			scroll_panel(p, p->focus, p->total[p->focus]);
		}
		return 0;
	case GTH_ACTION_OPEN:
		if (p->focus == PANEL_FILES && p->n_files > 0)
			return goto_pos(ui, (struct pos){ p->file_cur, 0 }, cmd);
		if (p->focus == PANEL_DIFF)
			return want_file(ui, p->cur.f, cmd);
		return 0;
	case GTH_ACTION_NEXT_FILE:
	case GTH_ACTION_PREV_FILE:
		return jump_file(ui, a == GTH_ACTION_NEXT_FILE ? 1 : -1, false, cmd);
	case GTH_ACTION_NEXT_UNVIEWED:
	case GTH_ACTION_PREV_UNVIEWED:
		return jump_file(ui, a == GTH_ACTION_NEXT_UNVIEWED ? 1 : -1, true, cmd);
	case GTH_ACTION_NEXT_HUNK:
	case GTH_ACTION_PREV_HUNK:
		return jump_hunk(ui, a == GTH_ACTION_NEXT_HUNK, cmd);
	case GTH_ACTION_NEXT_ANNOTATION:
	case GTH_ACTION_PREV_ANNOTATION:
		return jump_annotation(ui, a == GTH_ACTION_NEXT_ANNOTATION);
	case GTH_ACTION_TOGGLE_VIEWED:
		if (p->n_files == 0)
			return 0;
		f = p->focus == PANEL_FILES ? p->file_cur : p->cur.f;
		p->viewed[f] = !p->viewed[f];
		cmd->kind = GTH_CMD_MARK_VIEWED;
		cmd->item = p->it;
		cmd->file_index = f;
		cmd->flag = p->viewed[f];
		cmd->text = xstrdup(p->d->files[f].new_path != NULL ? p->d->files[f].new_path : "");
		return 1;
	case GTH_ACTION_TOGGLE_WHITESPACE:
		cmd->kind = GTH_CMD_TOGGLE_WHITESPACE;
		cmd->item = p->it;
		cmd->flag = !p->d->ignore_whitespace;
		ui_msg(ui, GTH_MSG_INFO, cmd->flag ? "ignoring whitespace changes" :
			"showing whitespace changes");
		return 1;
	case GTH_ACTION_EXPAND_CONTEXT:
		if (p->n_files == 0)
			return 0;
		cmd->kind = GTH_CMD_EXPAND_CONTEXT;
		cmd->item = p->it;
		cmd->file_index = p->focus == PANEL_FILES ? p->file_cur : p->cur.f;
		return 1;
	case GTH_ACTION_TOGGLE_TABS:
		/* Over a slow link the side panels cost: a terminal can scroll only
		 * full-width rows (tmux and most emulators lack left/right margins),
		 * so beside panels every line scrolled repaints the diff pane. */
		if (ui->cols < UI_WIDE_COLS) {
			ui_msg(ui, GTH_MSG_INFO, "panels are tabs below %d columns", UI_WIDE_COLS);
			return 0;
		}
		ui->tabs = !ui->tabs;
		ui_msg(ui, GTH_MSG_INFO, ui->tabs ? "panels as tabs, the diff full width" :
			"panels beside the diff");
		return 0;
	case GTH_ACTION_SCROLL_LEFT:
		p->hscroll = p->hscroll >= 8 ? p->hscroll - 8 : 0;
		return 0;
	case GTH_ACTION_SCROLL_RIGHT:
		p->hscroll += 8;
		return 0;
	case GTH_ACTION_FOCUS_NEXT:
		p->focus = (enum panel)((p->focus + 1) % PANEL__COUNT);
		return 0;
	case GTH_ACTION_FOCUS_PREV:
		p->focus = (enum panel)((p->focus + PANEL__COUNT - 1) % PANEL__COUNT);
		return 0;
	case GTH_ACTION_FOCUS_DIFF:
	case GTH_ACTION_FOCUS_FILES:
	case GTH_ACTION_FOCUS_RISK:
	case GTH_ACTION_FOCUS_GATES:
	case GTH_ACTION_FOCUS_RATIONALE:
		p->focus = (enum panel)(a - GTH_ACTION_FOCUS_DIFF);
		if (p->focus == PANEL_FILES)
			p->file_cur = p->cur.f;
		return 0;
	case GTH_ACTION_APPROVE:
	case GTH_ACTION_REJECT:
	case GTH_ACTION_ESCALATE:
		prompt_open(ui, a == GTH_ACTION_APPROVE ? GTH_VERDICT_APPROVE :
			a == GTH_ACTION_REJECT ? GTH_VERDICT_REJECT : GTH_VERDICT_ESCALATE);
		return 0;
	case GTH_ACTION_COPY_URL:
	case GTH_ACTION_COPY_SHA:
		return ui_copy(ui, p->it, a == GTH_ACTION_COPY_SHA, cmd);
	case GTH_ACTION_RETRY_DELIVERY:
		cmd->kind = GTH_CMD_RETRY_DELIVERY;
		cmd->item = p->it;
		return 1;
	default:
		return 0;
	}
}

int
pr_goto_line(struct gth_ui *ui, long line)
{
	struct pr_state *p = &ui->pr;
	const struct gth_diff_file *df;

	if (p->d == NULL || p->n_files == 0)
		return 0;
	df = &p->d->files[p->cur.f];
	for (size_t L = 0; df->loaded && L < df->n_lines; L++) {
		if ((long)p->d->lines[df->first_line + L].new_no == line) {
			p->cur = (struct pos){ p->cur.f, row_of_line(p, p->cur.f, L) };
			p->focus = PANEL_DIFF;
			clamp_top(p);
			return 0;
		}
	}
	ui_msg(ui, GTH_MSG_WARN, "line %ld is not in this file's diff", line);
	return 0;
}

static bool
line_matches(const struct gth_diff *d, const struct gth_diff_line *l, const char *needle)
{
	const char *t = gth_diff_line_text(d, l);
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= l->len; i++)
		if (strncasecmp(t + i, needle, n) == 0)
			return true;
	return false;
}

void
pr_search(struct gth_ui *ui, bool forward)
{
	struct pr_state *p = &ui->pr;
	const struct gth_diff *d = p->d;
	struct row cur;
	size_t n, start;

	if (d == NULL || d->n_lines == 0) {
		ui_msg(ui, GTH_MSG_WARN, "nothing to search yet");
		return;
	}
	n = d->n_lines;
	cur = row_at(p, p->cur);
	start = cur.kind == ROW_LINE ? cur.line : d->files[p->cur.f].first_line;
	for (size_t k = 1; k <= n; k++) {
		size_t i = forward ? (start + k) % n : (start + n - k) % n;

		if (!line_matches(d, &d->lines[i], ui->search))
			continue;
		for (size_t f = 0; f < p->n_files; f++) {
			const struct gth_diff_file *df = &d->files[f];

			if (df->loaded && i >= df->first_line && i < df->first_line + df->n_lines) {
				p->cur = (struct pos){ f, row_of_line(p, f, i - df->first_line) };
				p->focus = PANEL_DIFF;
				clamp_top(p);
				sync_file_cursor(p);
				return;
			}
		}
	}
	ui_msg(ui, GTH_MSG_WARN, "not found: %s", ui->search);
}

int
pr_poll(struct gth_ui *ui, struct gth_cmd *cmd)
{
	struct pr_state *p = &ui->pr;
	struct pos pos = p->top;

	if (p->d == NULL || p->n_files == 0)
		return 0;
	for (int i = 0; i < p->diff_height; i++) {
		if (want_file(ui, pos.f, cmd))
			return 1;
		if (!pos_next(p, &pos))
			break;
	}
	return 0;
}

void
pr_position(const struct gth_ui *ui, char *out, size_t n)
{
	const struct pr_state *p = &ui->pr;
	struct row row;

	if (p->d == NULL) {
		snprintf(out, n, "loading");
		return;
	}
	if (p->n_files == 0) {
		snprintf(out, n, "no files");
		return;
	}
	/* No line number here: the gutter has it, and a status bar that changes on every
	 * line would cost bytes on every scroll. */
	(void)row;
	snprintf(out, n, "file %zu/%zu", p->cur.f + 1, p->n_files);
}

/* --- drawing helpers ----------------------------------------------------- */

/* A panel being drawn: rows are counted from 0, shown from top for h rows. */
struct pw {
	struct gth_ui *ui;
	struct gth_screen *scr;
	int y, x, h, w;
	int top;
	int row;
};

static int
pw_y(const struct pw *pw)
{
	int r = pw->row - pw->top;

	return r >= 0 && r < pw->h ? pw->y + r : -1;
}

static void
pw_text(struct pw *pw, int indent, int role, const char *s)
{
	int y = pw_y(pw);

	if (y >= 0)
		gth_screen_puts(pw->scr, y, pw->x + indent, role, s, pw->w - indent);
	pw->row++;
}

/* Column boundaries for wrapping sanitized text to width w, preferring blanks. */
static size_t
wrap_next(const char *t, size_t len, size_t *i, int w)
{
	int col = 0, brk_col = -1;
	size_t brk_i = 0, j = *i;

	while (j < len) {
		uint32_t cp;
		int n = gth_utf8_decode(t + j, len - j, &cp), cw;

		if (n < 0)
			n = 1, cp = '?';
		cw = gth_cp_width(cp);
		if (col + cw > w && col > 0) {
			if (brk_col > w / 2) {
				*i = brk_i;
				return (size_t)brk_col;
			}
			*i = j;
			return (size_t)col;
		}
		col += cw;
		j += (size_t)n;
		if (cp == ' ') {
			brk_col = col;
			brk_i = j;
		}
	}
	*i = j;
	return (size_t)col;
}

static void pw_untrusted_line(struct pw *pw, int indent, int hang, int role, const char *s,
	size_t len);

/*
 * Untrusted text, wrapped; a hanging indent for continuation rows.  Each
 * line of multi-line text (check summaries, messages) starts a row of its
 * own rather than showing as ^J; a trailing newline adds nothing.
 */
static void
pw_untrusted(struct pw *pw, int indent, int hang, int role, const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	for (;;) {
		const char *nl = memchr(s, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - s) : len;

		pw_untrusted_line(pw, indent, hang, role, s, n > 0 && s[n - 1] == '\r' ? n - 1 : n);
		if (nl == NULL)
			break;
		len -= n + 1;
		s = nl + 1;
	}
}

static void
pw_untrusted_line(struct pw *pw, int indent, int hang, int role, const char *s, size_t len)
{
	struct gth_sanitized san = { 0 };
	struct gth_buf tmp = GTH_BUF_INIT;
	size_t i = 0;
	int col = 0, first = 1;

	/* Drawing, and already past the bottom: nothing more to see (sizes are measured apart). */
	if (pw->h > 0 && pw->row >= pw->top + pw->h) {
		pw->row++;
		return;
	}

	/* Tabs become spaces so that wrapped columns are plain to count. */
	for (size_t k = 0; k < len; k++) {
		if (s[k] == '\t')
			gth_buf_adds(&tmp, "    ");
		else
			gth_buf_addc(&tmp, s[k]);
	}
	gth_sanitize(gth_buf_str(&tmp), tmp.len, 0, &san);
	do {
		int in = first ? indent : indent + hang;
		int w = pw->w - in;
		size_t used;
		int y = pw_y(pw);

		if (w < 4)
			w = 4;
		used = wrap_next(san.text, san.len, &i, w);
		if (y >= 0)
			gth_screen_put_sanitized(pw->scr, y, pw->x + in, role, &san, col,
				(int)used);
		col += (int)used;
		pw->row++;
		first = 0;
	} while (i < san.len);
	gth_sanitized_release(&san);
	gth_buf_release(&tmp);
}

static void
pw_heading(struct pw *pw, const char *title, bool focused)
{
	int y = pw_y(pw);

	if (y >= 0) {
		int x = gth_screen_puts(pw->scr, y, pw->x, GTH_ROLE_BORDER,
			ui_glyph(pw->ui, G_HBAR), 1);

		x += gth_screen_puts(pw->scr, y, pw->x + x, focused ? GTH_ROLE_TAB_ACTIVE :
			GTH_ROLE_HEADER, title, pw->w - x);
		while (x < pw->w)
			x += gth_screen_puts(pw->scr, y, pw->x + x, GTH_ROLE_BORDER,
				ui_glyph(pw->ui, G_HBAR), 1);
	}
	pw->row++;
}

/* --- the diff ------------------------------------------------------------ */

static int
digits(unsigned long v)
{
	int d = 1;

	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

static int
gutter_digits(const struct gth_diff *d, const struct gth_diff_file *df)
{
	unsigned long m = 0;

	if (df->loaded && df->n_lines > 0) {
		const struct gth_diff_line *l = &d->lines[df->first_line + df->n_lines - 1];

		m = l->old_no > l->new_no ? l->old_no : l->new_no;
		/* The last line may be a deletion late in a long file; hunk headers know more. */
		if (m < df->n_lines)
			m = df->n_lines;
	}
	return digits(m) < 4 ? 4 : digits(m);
}

static char
status_letter(enum gth_diff_status s)
{
	static const char letters[] = "ADMRCT";

	return (int)s >= 0 && (size_t)s < sizeof(letters) - 1 ? letters[s] : '?';
}

static void
draw_header(struct gth_ui *ui, struct gth_screen *scr, int y, int x, int w, size_t f)
{
	const struct pr_state *p = &ui->pr;
	const struct gth_diff_file *df = &p->d->files[f];
	int role = p->viewed[f] ? GTH_ROLE_VIEWED : GTH_ROLE_DIFF_FILE;
	char stat[96];
	int c = 0;

	gth_screen_fill(scr, y, x, role, w);
	snprintf(stat, sizeof(stat), "%s %c ", p->viewed[f] ? ui_glyph(ui, G_VIEWED) : " ",
		status_letter(df->status));
	c += gth_screen_puts(scr, y, x + c, role, stat, w - c);
	if (df->old_path != NULL && !gth_str_eq(df->old_path, df->new_path) &&
			df->status != GTH_DIFF_ADDED) {
		c += gth_screen_put_untrusted(scr, y, x + c, role, df->old_path,
			strlen(df->old_path), 0, w - c, NULL);
		c += gth_screen_puts(scr, y, x + c, role, " ", w - c);
		c += gth_screen_puts(scr, y, x + c, role, ui_glyph(ui, G_ARROW), w - c);
		c += gth_screen_puts(scr, y, x + c, role, " ", w - c);
	}
	if (df->new_path != NULL)
		c += gth_screen_put_untrusted(scr, y, x + c, role, df->new_path,
			strlen(df->new_path), 0, w - c, NULL);
	snprintf(stat, sizeof(stat), "  +%ld -%ld", df->additions, df->deletions);
	c += gth_screen_puts(scr, y, x + c, role, stat, w - c);
	if (df->old_mode != 0 && df->new_mode != 0 && df->old_mode != df->new_mode) {
		snprintf(stat, sizeof(stat), "  mode %o %s %o", df->old_mode, ui_glyph(ui, G_ARROW),
			df->new_mode);
		c += gth_screen_puts(scr, y, x + c, role, stat, w - c);
	}
	if (p->viewed[f])
		gth_screen_puts(scr, y, x + c, role, "  (viewed)", w - c);
}

static void
draw_note(struct gth_ui *ui, struct gth_screen *scr, int y, int x, int w, size_t f)
{
	const struct pr_state *p = &ui->pr;
	const struct gth_diff_file *df = &p->d->files[f];
	char note[160];

	if (!df->loaded)
		snprintf(note, sizeof(note), "    %s", p->load_asked[f] ? "loading the hunks..." :
			"hunks not loaded yet (<Enter> loads them)");
	else if (df->submodule)
		snprintf(note, sizeof(note), "    submodule %.12s %s %.12s", df->old_oid,
			ui_glyph(ui, G_ARROW), df->new_oid);
	else if (df->binary)
		snprintf(note, sizeof(note), "    binary file, %lld %s %lld bytes",
			(long long)df->old_size, ui_glyph(ui, G_ARROW), (long long)df->new_size);
	else if (df->patch_missing)
		snprintf(note, sizeof(note), "    the forge withheld this file's patch (too large)");
	else
		snprintf(note, sizeof(note), "    no line changes");
	gth_screen_puts(scr, y, x, GTH_ROLE_DIFF_META, note, w);
}

/* The paired line of a -/+ line at global index i, or (size_t)-1. */
static size_t
pair_of(const struct gth_diff *d, const struct gth_diff_file *df, size_t i)
{
	size_t lo = df->first_line, hi = df->first_line + df->n_lines;
	enum gth_diff_line_kind k = d->lines[i].kind;
	size_t s = i, e = i, j, k2;

	if (k == GTH_DIFF_DEL) {
		while (s > lo && i - s < PAIR_SCAN_MAX && d->lines[s - 1].kind == GTH_DIFF_DEL)
			s--;
		while (e + 1 < hi && e - i < PAIR_SCAN_MAX && d->lines[e + 1].kind == GTH_DIFF_DEL)
			e++;
		j = i - s;
		k2 = e + 1 + j;
		for (size_t t = e + 1; t <= k2; t++)
			if (t >= hi || d->lines[t].kind != GTH_DIFF_ADD)
				return (size_t)-1;
		return k2;
	}
	if (k == GTH_DIFF_ADD) {
		while (s > lo && i - s < PAIR_SCAN_MAX && d->lines[s - 1].kind == GTH_DIFF_ADD)
			s--;
		j = i - s;
		if (s == lo || s - lo <= j)
			return (size_t)-1;
		for (size_t t = s - 1 - j; t < s; t++)
			if (d->lines[t].kind != GTH_DIFF_DEL)
				return (size_t)-1;
		/* The run of deletions must start where we think it does. */
		e = s - 1;
		while (e > lo && s - e < PAIR_SCAN_MAX && d->lines[e - 1].kind == GTH_DIFF_DEL)
			e--;
		return e + j < s ? e + j : (size_t)-1;
	}
	return (size_t)-1;
}

/* Column of byte offset off in text drawn from its start (tabs to multiples of 8). */
static int
col_of(const char *t, size_t len, size_t off)
{
	int col = 0;
	size_t i = 0;

	while (i < len && i < off) {
		uint32_t cp;
		int n;

		if (t[i] == '\t') {
			col = (col / 8 + 1) * 8;
			i++;
			continue;
		}
		n = gth_utf8_decode(t + i, len - i, &cp);
		if (n < 0) {
			col++;
			i++;
			continue;
		}
		col += gth_cp_width(cp);
		i += (size_t)n;
	}
	return col;
}

/* Re-role the columns [c0, c1) of text drawn at x with horizontal offset skip. */
static void
recolor(struct gth_screen *scr, int y, int x, int w, int skip, int c0, int c1, int role)
{
	for (int c = c0; c < c1; c++) {
		int sx = c - skip;
		struct gth_cell *cell;

		if (sx < 0 || sx >= w)
			continue;
		cell = gth_screen_cell(scr, y, x + sx);
		/* Tokens keep their own colours. */
		if (cell != NULL && cell->role < GTH_ROLE_TOKEN_CONTROL)
			cell->role = (uint8_t)role;
	}
}

static void
draw_line(struct gth_ui *ui, struct gth_screen *scr, int y, int x, int w, size_t f, size_t i)
{
	struct pr_state *p = &ui->pr;
	const struct gth_diff *d = p->d;
	const struct gth_diff_file *df = &d->files[f];
	const struct gth_diff_line *l = &d->lines[i];
	const char *t = gth_diff_line_text(d, l);
	int nd = gutter_digits(d, df), gx = 0, tw, role = GTH_ROLE_NORMAL, hi_role = 0;
	const char *marker = " ";
	char num[24];
	struct gth_sanitized *san = &ui->scratch;
	bool plain;

	switch (l->kind) {
	case GTH_DIFF_ADD:
		role = GTH_ROLE_DIFF_ADD;
		hi_role = GTH_ROLE_INTRALINE_ADD;
		marker = "+";
		break;
	case GTH_DIFF_DEL:
		role = GTH_ROLE_DIFF_DEL;
		hi_role = GTH_ROLE_INTRALINE_DEL;
		marker = "-";
		break;
	case GTH_DIFF_HUNK:
		role = GTH_ROLE_DIFF_HUNK;
		marker = "";
		break;
	case GTH_DIFF_META:
	case GTH_DIFF_NO_EOL:
		role = GTH_ROLE_DIFF_META;
		marker = "";
		break;
	default:
		break;
	}
	if (l->kind != GTH_DIFF_HUNK && l->kind != GTH_DIFF_META && l->kind != GTH_DIFF_NO_EOL) {
		if (l->old_no != 0) {
			snprintf(num, sizeof(num), "%*u", nd, l->old_no);
			gth_screen_puts(scr, y, x, GTH_ROLE_LINE_NUMBER, num, w);
		}
		if (l->new_no != 0) {
			snprintf(num, sizeof(num), "%*u", nd, l->new_no);
			gth_screen_puts(scr, y, x + nd + 1, GTH_ROLE_LINE_NUMBER, num, w - nd - 1);
		}
		gx = 2 * nd + 2;
		gx += gth_screen_puts(scr, y, x + gx, role, marker, w - gx);
	}
	tw = w - gx;
	if (tw <= 0)
		return;
	gth_sanitize(t, l->len, GTH_SAN_KEEP_TABS, san);
	gth_screen_put_sanitized(scr, y, x + gx, role, san, p->hscroll, tw);
	/* git/ strips the \r of CRLF lines; the reviewer still sees that it was there. */
	if (l->flags & GTH_DIFF_LINE_CRLF) {
		int end = col_of(san->text, san->len, san->len) - p->hscroll;

		if (end >= 0 && end + 2 <= tw)
			gth_screen_puts(scr, y, x + gx + end, GTH_ROLE_TOKEN_CONTROL, "^M", 2);
	}
	plain = san->len == l->len && san->n_runs <= 1 &&
		(san->n_runs == 0 || san->runs[0].cls == GTH_TEXT_PLAIN);
	if (hi_role != 0 && plain) {
		size_t j = pair_of(d, df, i);

		if (j != (size_t)-1) {
			const struct gth_diff_line *o = &d->lines[j];
			struct gth_diff_range ra[INTRALINE_MAX], rb[INTRALINE_MAX];
			size_t na = 0, nb = 0;
			const struct gth_diff_line *del = l->kind == GTH_DIFF_DEL ? l : o;
			const struct gth_diff_line *add = l->kind == GTH_DIFF_DEL ? o : l;

			if (gth_diff_intraline(gth_diff_line_text(d, del), del->len,
					gth_diff_line_text(d, add), add->len, ra, &na, rb, &nb,
					INTRALINE_MAX) == 0) {
				struct gth_diff_range *rr = l->kind == GTH_DIFF_DEL ? ra : rb;
				size_t nr = l->kind == GTH_DIFF_DEL ? na : nb;

				for (size_t k = 0; k < nr; k++)
					recolor(scr, y, x + gx, tw, p->hscroll,
						col_of(t, l->len, rr[k].start),
						col_of(t, l->len, rr[k].end), hi_role);
			}
		}
	}
	if (ui->search != NULL && ui->search[0] != '\0') {
		size_t n = strlen(ui->search);

		for (size_t k = 0; k + n <= san->len; k++) {
			if (strncasecmp(san->text + k, ui->search, n) == 0) {
				recolor(scr, y, x + gx, tw, p->hscroll, col_of(san->text, san->len, k),
					col_of(san->text, san->len, k + n), GTH_ROLE_SEARCH_MATCH);
				k += n - 1;
			}
		}
	}
}

static void
draw_annotation(struct gth_ui *ui, struct gth_screen *scr, int y, int x, int w,
	const struct anchor *an, size_t f)
{
	const struct gth_annotation *a = an->a;
	int role = a->level == GTH_ANNOTATION_FAILURE ? GTH_ROLE_ANNOTATION_FAILURE :
		a->level == GTH_ANNOTATION_WARNING ? GTH_ROLE_ANNOTATION_WARNING :
		GTH_ROLE_ANNOTATION_NOTICE;
	int nd = gutter_digits(ui->pr.d, &ui->pr.d->files[f]), c = 2 * nd + 2;
	struct gth_buf msg = GTH_BUF_INIT;

	gth_screen_fill(scr, y, x, role, w);
	c += gth_screen_puts(scr, y, x + c, role, ui_glyph(ui, G_ANNOT), w - c);
	/* One row: newlines in the message become spaces (the sanitizer would show ^J). */
	gth_buf_addf(&msg, " %s %s: ", gth_annotation_level_name(a->level),
		an->c->name != NULL ? an->c->name : "check");
	if (a->title != NULL)
		gth_buf_addf(&msg, "%s: ", a->title);
	if (a->message != NULL)
		gth_buf_adds(&msg, a->message);
	for (size_t k = 0; k < msg.len; k++)
		if (msg.data[k] == '\n' || msg.data[k] == '\r')
			msg.data[k] = ' ';
	/* Long messages scroll sideways with the diff (h / l). */
	gth_sanitize(msg.data, msg.len, 0, &ui->scratch);
	gth_screen_put_sanitized(scr, y, x + c, role, &ui->scratch, ui->pr.hscroll, w - c);
	gth_buf_release(&msg);
}

static void
render_diff(struct gth_ui *ui, struct gth_screen *scr, int y0, int x, int h, int w)
{
	struct pr_state *p = &ui->pr;
	struct pos pos;

	p->diff_height = h;
	if (p->d == NULL) {
		gth_screen_puts(scr, y0 + 1, x + 2, GTH_ROLE_DIM, "Loading the diff...", w - 2);
		return;
	}
	if (p->n_files == 0) {
		gth_screen_puts(scr, y0 + 1, x + 2, GTH_ROLE_DIM, "This PR changes no files.", w - 2);
		return;
	}
	clamp_top(p);
	pos = p->top;
	/*
	 * The cursor is a marker in a column of its own, not a highlighted row:
	 * moving or scrolling by a line then rewrites one new row and two marker
	 * cells, which keeps a line scroll over SSH under ~100 bytes.
	 */
	x++;
	w--;
	for (int r = 0; r < h; r++) {
		struct row row = row_at(p, pos);
		int y = y0 + r;

		switch (row.kind) {
		case ROW_HEADER:
			draw_header(ui, scr, y, x, w, pos.f);
			break;
		case ROW_NOTE:
			draw_note(ui, scr, y, x, w, pos.f);
			break;
		case ROW_LINE:
			draw_line(ui, scr, y, x, w, pos.f, row.line);
			break;
		case ROW_ANNOT:
			draw_annotation(ui, scr, y, x, w, row.an, pos.f);
			break;
		default:
			break;
		}
		if (pos_cmp(pos, p->cur) == 0)
			gth_screen_puts(scr, y, x - 1, p->focus == PANEL_DIFF ? GTH_ROLE_NORMAL :
				GTH_ROLE_DIM, ui_glyph(ui, G_CURSOR), 1);
		if (!pos_next(p, &pos))
			break;
	}
}

/* --- side panels --------------------------------------------------------- */

static void
panel_files(struct gth_ui *ui, struct pw *pw, bool focused)
{
	struct pr_state *p = &ui->pr;
	char line[64];

	if (p->d == NULL) {
		pw_text(pw, 1, GTH_ROLE_DIM, "loading...");
		return;
	}
	if (focused) {
		if (p->file_cur < p->file_top)
			p->file_top = p->file_cur;
		if (pw->h > 0 && p->file_cur >= p->file_top + (size_t)pw->h)
			p->file_top = p->file_cur - (size_t)pw->h + 1;
	} else {
		/* Follow the diff's file when the list is not in use. */
		if (p->cur.f < p->file_top)
			p->file_top = p->cur.f;
		if (pw->h > 0 && p->cur.f >= p->file_top + (size_t)pw->h)
			p->file_top = p->cur.f - (size_t)pw->h + 1;
	}
	pw->top += (int)p->file_top;
	pw->row += (int)p->file_top;
	for (size_t f = p->file_top; f < p->n_files && pw->row - pw->top < pw->h; f++) {
		const struct gth_diff_file *df = &p->d->files[f];
		int y = pw_y(pw), c = 0;
		int role = p->viewed[f] ? GTH_ROLE_VIEWED : GTH_ROLE_NORMAL;

		char add[24], del[24];

		snprintf(add, sizeof(add), "+%ld", df->additions);
		snprintf(del, sizeof(del), "-%ld", df->deletions);
		snprintf(line, sizeof(line), "%s %c %5s %5s ",
			p->viewed[f] ? ui_glyph(ui, G_VIEWED) : " ", status_letter(df->status), add, del);
		c += gth_screen_puts(pw->scr, y, pw->x + c, role, line, pw->w - c);
		if (df->new_path != NULL)
			gth_screen_put_untrusted(pw->scr, y, pw->x + c, role, df->new_path,
				strlen(df->new_path), 0, pw->w - c, NULL);
		if (f == (focused ? p->file_cur : p->cur.f))
			gth_screen_mark(pw->scr, y, pw->x, pw->w,
				focused ? GTH_CELL_SELECTED : 0);
		if (!focused && f == p->cur.f)
			gth_screen_puts(pw->scr, y, pw->x, GTH_ROLE_PROMPT, ">", 1);
		pw->row++;
	}
	pw->row = (int)p->n_files;
	pw->top -= (int)p->file_top;
}

/* Where the change is: the top-level directories with the most lines changed. */
#define DIRS_SHOWN 4

static void
panel_dirs(struct pw *pw, const struct gth_diff *d)
{
	struct gth_buf b = GTH_BUF_INIT;

	if (d == NULL || d->n_dirs == 0)
		return;
	for (size_t i = 0; i < d->n_dirs && i < DIRS_SHOWN; i++) {
		const struct gth_diff_dirstat *ds = &d->dirs[i];

		gth_buf_reset(&b);
		gth_buf_addf(&b, "%s%s  +%ld -%ld in %ld file%s",
		    ds->dir[0] != '\0' ? ds->dir : "(top level)", ds->dir[0] != '\0' ? "/" : "",
		    ds->additions, ds->deletions, ds->files, ds->files == 1 ? "" : "s");
		pw_untrusted(pw, 1, 2, GTH_ROLE_DIM, b.data, b.len);
	}
	if (d->n_dirs > DIRS_SHOWN) {
		gth_buf_reset(&b);
		gth_buf_addf(&b, "and %zu more director%s", d->n_dirs - DIRS_SHOWN,
		    d->n_dirs - DIRS_SHOWN == 1 ? "y" : "ies");
		pw_untrusted(pw, 1, 2, GTH_ROLE_DIM, b.data, b.len);
	}
	gth_buf_release(&b);
}

static void
panel_risk(struct gth_ui *ui, struct pw *pw)
{
	const struct gth_queue_item *it = ui->pr.it;
	const struct gth_assessment *as = it->assess;
	const struct gth_pr *pr = it->pr;
	time_t now = ui_now(ui);
	char buf[256], dur[32];

	if (as == NULL) {
		pw_text(pw, 1, GTH_ROLE_DIM, "not assessed yet");
	} else {
		int y = pw_y(pw), c = 1;

		snprintf(buf, sizeof(buf), "%s risk", gth_risk_name(as->risk));
		if (y >= 0) {
			c += gth_screen_puts(pw->scr, y, pw->x + c, ui_risk_role(as->risk), buf,
				pw->w - c);
			if (as->sla_deadline != 0) {
				long long left = (long long)(as->sla_deadline - now);

				ui_format_duration(dur, sizeof(dur), left < 0 ? -left : left);
				snprintf(buf, sizeof(buf), left < 0 ? "  SLA breached %s ago" :
					"  SLA %s left", dur);
				c += gth_screen_puts(pw->scr, y, pw->x + c, left < 0 ?
					GTH_ROLE_SLA_BREACHED : GTH_ROLE_NORMAL, buf, pw->w - c);
				snprintf(buf, sizeof(buf), " (%ldh)", as->sla_hours);
				gth_screen_puts(pw->scr, y, pw->x + c, GTH_ROLE_DIM, buf, pw->w - c);
			}
		}
		pw->row++;
		if (as->approvals_needed > 0) {
			snprintf(buf, sizeof(buf), "needs %d approval%s", as->approvals_needed,
				as->approvals_needed == 1 ? "" : "s");
			pw_text(pw, 1, GTH_ROLE_NORMAL, buf);
		}
		for (size_t i = 0; i < as->n_reasons; i++) {
			const struct gth_risk_reason *r = &as->reasons[i];
			struct gth_buf b = GTH_BUF_INIT;
			int yy = pw_y(pw);

			if (yy >= 0) {
				gth_screen_puts(pw->scr, yy, pw->x + 1, GTH_ROLE_NORMAL,
					ui_glyph(ui, G_BULLET), 1);
				gth_screen_puts(pw->scr, yy, pw->x + 3, ui_risk_role(r->risk),
					gth_risk_name(r->risk), 8);
			}
			gth_buf_addf(&b, "%s: %s", r->rule != NULL ? r->rule : "?",
				r->what != NULL ? r->what : "");
			pw_untrusted(pw, 12, 0, GTH_ROLE_NORMAL, b.data, b.len);
			gth_buf_release(&b);
		}
		for (size_t i = 0; i < as->flags.n; i++) {
			pw_text(pw, 1, GTH_ROLE_PROMPT, ui_glyph(ui, G_WARN));
			pw->row--;
			pw_untrusted(pw, 4, 0, GTH_ROLE_PROMPT, as->flags.v[i], strlen(as->flags.v[i]));
		}
		if (as->escalate_users.n + as->escalate_teams.n + as->escalate_labels.n > 0) {
			struct gth_buf b = GTH_BUF_INIT;

			gth_buf_adds(&b, "escalates to:");
			for (size_t i = 0; i < as->escalate_users.n; i++)
				gth_buf_addf(&b, " @%s", as->escalate_users.v[i]);
			for (size_t i = 0; i < as->escalate_teams.n; i++)
				gth_buf_addf(&b, " team:%s", as->escalate_teams.v[i]);
			for (size_t i = 0; i < as->escalate_labels.n; i++)
				gth_buf_addf(&b, " label:%s", as->escalate_labels.v[i]);
			pw_untrusted(pw, 1, 2, GTH_ROLE_DIM, b.data, b.len);
			gth_buf_release(&b);
		}
	}
	{
		struct gth_buf b = GTH_BUF_INIT;

		gth_buf_addf(&b, "agent: %s%s", pr->author != NULL ? pr->author : "?",
			pr->author_is_bot ? " (bot)" : "");
		if (pr->task_requester != NULL)
			gth_buf_addf(&b, ", requested by %s", pr->task_requester);
		pw_untrusted(pw, 1, 2, GTH_ROLE_DIM, b.data, b.len);
		gth_buf_reset(&b);
		gth_buf_addf(&b, "%s %s %s, head %.12s", pr->head_ref ? pr->head_ref : "?",
			ui_glyph(ui, G_ARROW), pr->base_ref ? pr->base_ref : "?",
			pr->head_sha ? pr->head_sha : "?");
		pw_untrusted(pw, 1, 2, GTH_ROLE_DIM, b.data, b.len);
		gth_buf_reset(&b);
		gth_buf_addf(&b, "+%ld -%ld in %ld files", pr->additions, pr->deletions,
			pr->changed_files);
		for (size_t i = 0; i < pr->labels.n; i++)
			gth_buf_addf(&b, "%s[%s]", i == 0 ? "  " : " ", pr->labels.v[i]);
		pw_untrusted(pw, 1, 2, GTH_ROLE_DIM, b.data, b.len);
		gth_buf_release(&b);
	}
	panel_dirs(pw, ui->pr.d);
}

static void
gate_row(struct gth_ui *ui, struct pw *pw, enum gth_gate_state st, const char *name,
	bool required, long annotations, const char *summary)
{
	int y = pw_y(pw), c = 1;
	char buf[96];

	if (y >= 0) {
		c += gth_screen_puts(pw->scr, y, pw->x + c, ui_gate_role(st), ui_gate_glyph(ui, st), 2);
		c += 1;
		snprintf(buf, sizeof(buf), "%-8s", gth_gate_state_name(st));
		c += gth_screen_puts(pw->scr, y, pw->x + c, ui_gate_role(st), buf, pw->w - c) + 1;
		if (name != NULL)
			c += gth_screen_put_untrusted(pw->scr, y, pw->x + c, GTH_ROLE_NORMAL, name,
				strlen(name), 0, pw->w - c - 1, NULL);
		buf[0] = '\0';
		if (required)
			snprintf(buf, sizeof(buf), " required");
		if (annotations > 0)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " (%ld annotation%s)",
				annotations, annotations == 1 ? "" : "s");
		gth_screen_puts(pw->scr, y, pw->x + c, GTH_ROLE_DIM, buf, pw->w - c);
	}
	pw->row++;
	if (summary != NULL && summary[0] != '\0')
		pw_untrusted(pw, 6, 0, GTH_ROLE_DIM, summary, strlen(summary));
}

static void
panel_gates(struct gth_ui *ui, struct pw *pw)
{
	const struct gth_queue_item *it = ui->pr.it;
	const struct gth_assessment *as = it->assess;
	const struct gth_pr *pr = it->pr;

	if (as != NULL) {
		size_t counts[GTH_GATE__COUNT];
		char buf[160];

		gth_assessment_gate_counts(as, counts);
		snprintf(buf, sizeof(buf), "%zu pass, %zu fail, %zu pending, %zu missing",
			counts[GTH_GATE_PASS], counts[GTH_GATE_FAIL],
			counts[GTH_GATE_PENDING] + counts[GTH_GATE_AWAITING], counts[GTH_GATE_MISSING]);
		pw_text(pw, 1, GTH_ROLE_NORMAL, buf);
		if (as->gates_block_approval)
			pw_text(pw, 1, GTH_ROLE_GATE_FAIL,
				"required gates not green: approving needs a typed override");
		/* policy/ orders them: failed and missing required gates first. */
		for (size_t i = 0; i < as->n_gates; i++) {
			const struct gth_gate_verdict *g = &as->gates[i];

			gate_row(ui, pw, g->state, g->name, g->required, g->annotations, g->summary);
		}
		if (as->n_gates == 0)
			pw_text(pw, 1, GTH_ROLE_DIM, "no gates configured for this class");
	} else {
		pw_text(pw, 1, GTH_ROLE_DIM, "checks as reported (not assessed yet):");
		for (size_t i = 0; i < pr->n_checks; i++)
			gate_row(ui, pw, pr->checks[i].state, pr->checks[i].name,
				pr->checks[i].required, pr->checks[i].annotations_count,
				pr->checks[i].summary);
	}
	if (ui->pr.n_loose > 0) {
		pw_text(pw, 1, GTH_ROLE_HEADER, "annotations outside the diff:");
		for (size_t i = 0; i < ui->pr.n_loose; i++) {
			const struct gth_annotation *a = ui->pr.loose[i].a;
			struct gth_buf b = GTH_BUF_INIT;

			gth_buf_addf(&b, "%s %s:%ld %s%s%s", gth_annotation_level_name(a->level),
				a->path != NULL ? a->path : "?", a->start_line,
				a->title != NULL ? a->title : "", a->title != NULL ? ": " : "",
				a->message != NULL ? a->message : "");
			for (size_t k = 0; k < b.len; k++)
				if (b.data[k] == '\n')
					b.data[k] = ' ';
			pw_untrusted(pw, 2, 2, a->level == GTH_ANNOTATION_FAILURE ?
				GTH_ROLE_ANNOTATION_FAILURE : a->level == GTH_ANNOTATION_WARNING ?
				GTH_ROLE_ANNOTATION_WARNING : GTH_ROLE_ANNOTATION_NOTICE, b.data, b.len);
			gth_buf_release(&b);
		}
	}
}

static int
rat_role(enum gth_rat_role r)
{
	switch (r) {
	case GTH_RAT_ROLE_HEADING:
		return GTH_ROLE_HEADING;
	case GTH_RAT_ROLE_CODE:
		return GTH_ROLE_CODE;
	case GTH_RAT_ROLE_QUOTE:
		return GTH_ROLE_QUOTE;
	case GTH_RAT_ROLE_RULE:
		return GTH_ROLE_BORDER;
	case GTH_RAT_ROLE_COMMENT:
		return GTH_ROLE_DIM;
	case GTH_RAT_ROLE_WARNING:
		return GTH_ROLE_PROMPT;
	case GTH_RAT_ROLE_SUMMARY:
		return GTH_ROLE_HEADER;
	case GTH_RAT_ROLE_LINK:
		return GTH_ROLE_LINK;
	default:
		return GTH_ROLE_NORMAL;
	}
}

static void
draw_rat_lines(struct gth_ui *ui, struct pw *pw, const struct gth_rat_lines *lines)
{
	for (size_t i = 0; i < lines->n; i++) {
		const struct gth_rat_line *l = &lines->v[i];
		int y = pw_y(pw);

		if (y >= 0)
			gth_screen_put_sanitized(pw->scr, y, pw->x + 1, rat_role(l->role), &l->s,
				l->role == GTH_RAT_ROLE_CODE ? ui->pr.hscroll : 0, pw->w - 1);
		pw->row++;
	}
}

/* A commit message, laid out like the body (commits are few: no caching). */
static void
commit_lines(struct gth_ui *ui, struct pw *pw, const char *msg)
{
	struct gth_rationale r;
	struct gth_rat_lines lines = GTH_RAT_LINES_INIT;

	gth_rationale_parse(msg, strlen(msg), &r);
	gth_rationale_wrap(&r, pw->w - 1, GTH_RAT_WRAP_NO_LINKS, &lines, NULL);
	draw_rat_lines(ui, pw, &lines);
	gth_rat_lines_release(&lines);
	gth_rationale_release(&r);
}

/* The body through the rationale layout (parsed once per body, wrapped once per width). */
static void
rationale_lines(struct gth_ui *ui, struct pw *pw)
{
	struct pr_state *p = &ui->pr;
	const char *body = p->it->pr->body;

	if (p->body != body) {
		gth_rationale_release(&p->rat);
		gth_rationale_parse(body, strlen(body), &p->rat);
		p->body = body;
		p->rat_cols = 0;
	}
	if (p->rat_cols != pw->w - 1) {
		gth_rationale_wrap(&p->rat, pw->w - 1, 0, &p->rat_lines, NULL);
		p->rat_cols = pw->w - 1;
	}
	draw_rat_lines(ui, pw, &p->rat_lines);
}

static void
panel_rationale(struct gth_ui *ui, struct pw *pw)
{
	const struct gth_pr *pr = ui->pr.it->pr;
	const struct gth_task_template *task = pr->task;

	if (pr->title != NULL)
		pw_untrusted(pw, 1, 2, GTH_ROLE_HEADING, pr->title, strlen(pr->title));
	if (task != NULL) {
		struct gth_buf b = GTH_BUF_INIT;

		pw_text(pw, 1, GTH_ROLE_HEADER, "Task template");
		gth_buf_addf(&b, "type: %s  component: %s  path: %s",
			task->task_type ? task->task_type : "-", task->component ? task->component : "-",
			task->module_path ? task->module_path : "-");
		pw_untrusted(pw, 2, 2, GTH_ROLE_NORMAL, b.data, b.len);
		gth_buf_release(&b);
		for (size_t i = 0; i < task->constraints.n; i++) {
			pw_text(pw, 2, GTH_ROLE_NORMAL, "[ ]");
			pw->row--;
			pw_untrusted(pw, 6, 0, GTH_ROLE_NORMAL, task->constraints.v[i],
				strlen(task->constraints.v[i]));
		}
		for (size_t i = 0; i < task->test_cases.n; i++) {
			pw_text(pw, 2, GTH_ROLE_DIM, "test:");
			pw->row--;
			pw_untrusted(pw, 8, 0, GTH_ROLE_NORMAL, task->test_cases.v[i],
				strlen(task->test_cases.v[i]));
		}
		if (task->rollback_condition != NULL) {
			pw_text(pw, 2, GTH_ROLE_DIM, "rollback:");
			pw->row--;
			pw_untrusted(pw, 12, 0, GTH_ROLE_NORMAL, task->rollback_condition,
				strlen(task->rollback_condition));
		}
	}
	pw->row++;
	if (pr->body == NULL || pr->body[0] == '\0')
		pw_text(pw, 1, GTH_ROLE_DIM, "(the agent wrote no description)");
	else
		rationale_lines(ui, pw);
	if (pr->commit_messages.n > 0) {
		pw->row++;
		pw_text(pw, 1, GTH_ROLE_HEADER, "Commits");
		for (size_t i = 0; i < pr->commit_messages.n; i++) {
			pw_text(pw, 1, GTH_ROLE_DIM, ui_glyph(ui, G_BULLET));
			pw->row--;
			{
				struct pw sub = { pw->ui, pw->scr, pw->y, pw->x + 2, pw->h, pw->w - 2,
					pw->top, pw->row };

				commit_lines(ui, &sub, pr->commit_messages.v[i]);
				pw->row = sub.row;
			}
		}
	}
}

static const char *const panel_titles[PANEL__COUNT] = {
	"Diff", "Files", "Risk", "Gates", "Rationale",
};

/* Rows a side panel's content takes at width w (remembered until the PR data changes). */
static int
measure_panel(struct gth_ui *ui, struct gth_screen *scr, enum panel pn, int w)
{
	struct pw m = { ui, scr, 0, 0, 0, w, 0, 0 };
	struct pr_state *p = &ui->pr;

	if (p->meas_w[pn] == w)
		return p->meas[pn];
	p->meas_w[pn] = w;
	p->meas[pn] = 0;
	if (pn == PANEL_RISK)
		panel_risk(ui, &m);
	else if (pn == PANEL_GATES)
		panel_gates(ui, &m);
	else
		panel_rationale(ui, &m);
	p->meas[pn] = m.row;
	return m.row;
}

static void
draw_panel(struct gth_ui *ui, struct gth_screen *scr, enum panel pn, int y, int x, int h, int w)
{
	struct pr_state *p = &ui->pr;
	struct pw pw = { ui, scr, y, x, h, w, 0, 0 };

	if (pn == PANEL_DIFF) {
		render_diff(ui, scr, y, x, h, w);
		return;
	}
	p->page[pn] = h;
	if (pn != PANEL_FILES) {
		/* Measure, then clamp the scroll so the panel never shows past its end. */
		p->total[pn] = measure_panel(ui, scr, pn, w);
		scroll_panel(p, pn, 0);
		pw.top = p->scroll[pn];
	}
	switch (pn) {
	case PANEL_FILES:
		panel_files(ui, &pw, p->focus == PANEL_FILES);
		p->total[pn] = (int)p->n_files;
		break;
	case PANEL_RISK:
		panel_risk(ui, &pw);
		break;
	case PANEL_GATES:
		panel_gates(ui, &pw);
		break;
	default:
		panel_rationale(ui, &pw);
		break;
	}
}

static void
draw_title(struct gth_ui *ui, struct gth_screen *scr, int y)
{
	const struct gth_queue_item *it = ui->pr.it;
	const struct gth_pr *pr = it->pr;
	char right[128];
	int x = 1, rw;

	gth_screen_fill(scr, y, 0, GTH_ROLE_TITLE, scr->cols);
	x += gth_screen_put_untrusted(scr, y, x, GTH_ROLE_TITLE, ui->pr.ref, strlen(ui->pr.ref),
		GTH_SAN_NO_MIXED, scr->cols - x, NULL) + 1;
	if (it->assess != NULL) {
		char r[16];

		snprintf(r, sizeof(r), " %s ", gth_risk_name(it->assess->risk));
		x += gth_screen_puts(scr, y, x, ui_risk_role(it->assess->risk), r, scr->cols - x) + 1;
	}
	snprintf(right, sizeof(right), " +%ld -%ld  head %.7s ", pr->additions, pr->deletions,
		pr->head_sha != NULL ? pr->head_sha : "?");
	rw = (int)strlen(right);
	if (pr->title != NULL && scr->cols - rw - x > 4)
		gth_screen_put_untrusted(scr, y, x, GTH_ROLE_TITLE, pr->title, strlen(pr->title), 0,
			scr->cols - rw - x - 1, NULL);
	if (scr->cols - rw > x)
		gth_screen_puts(scr, y, scr->cols - rw, GTH_ROLE_TITLE, right, rw);
}

static int
draw_banners(struct gth_ui *ui, struct gth_screen *scr, int y)
{
	const struct gth_text_warnings *w = &ui->pr.warn;
	const struct delivery *dl = ui_delivery_for(ui, ui->pr.ref);
	int rows = 0;

	if (gth_text_warnings_total(w) > 0) {
		static const char *const what[GTH_TEXT__COUNT] = {
			NULL, "control", "bad byte", "bidi", "invisible", "mixed-script",
		};
		struct gth_buf b = GTH_BUF_INIT;

		gth_buf_addf(&b, " %s untrusted text:", ui_glyph(ui, G_WARN));
		for (int c = 1; c < GTH_TEXT__COUNT; c++)
			if (w->count[c] > 0)
				gth_buf_addf(&b, " %zu %s,", w->count[c], what[c]);
		b.data[--b.len] = '\0';
		gth_buf_adds(&b, " (highlighted)");
		gth_screen_fill(scr, y + rows, 0, GTH_ROLE_WARNING_BANNER, scr->cols);
		gth_screen_puts(scr, y + rows, 0, GTH_ROLE_WARNING_BANNER, b.data, scr->cols);
		gth_buf_release(&b);
		rows++;
	}
	if (ui->pr.diff_note != NULL) {
		char buf[600];

		snprintf(buf, sizeof(buf), " %s diff: %s", ui_glyph(ui, G_WARN), ui->pr.diff_note);
		gth_screen_fill(scr, y + rows, 0, GTH_ROLE_WARNING_BANNER, scr->cols);
		gth_screen_puts(scr, y + rows, 0, GTH_ROLE_WARNING_BANNER, buf, scr->cols);
		rows++;
	}
	if (dl != NULL) {
		static const char *const words[] = { "recorded, signed, waiting in the outbox",
			"posted to the forge", "posting failed, will retry",
			"posting failed permanently (D retries)" };
		static const int roles[] = { GTH_ROLE_DELIVERY_PENDING, GTH_ROLE_DELIVERY_OK,
			GTH_ROLE_DELIVERY_FAILED, GTH_ROLE_DELIVERY_FAILED };
		char buf[512];

		snprintf(buf, sizeof(buf), " decision: %s%s%s", words[dl->state],
			dl->detail ? ": " : "", dl->detail ? dl->detail : "");
		gth_screen_fill(scr, y + rows, 0, roles[dl->state], scr->cols);
		gth_screen_puts(scr, y + rows, 0, roles[dl->state], buf, scr->cols);
		rows++;
	}
	return rows;
}

static void
draw_tabs(struct gth_ui *ui, struct gth_screen *scr, int y)
{
	struct pr_state *p = &ui->pr;
	int x = 0;

	gth_screen_fill(scr, y, 0, GTH_ROLE_TAB, scr->cols);
	for (int pn = 0; pn < PANEL__COUNT; pn++) {
		char label[48];

		if (pn == PANEL_FILES)
			snprintf(label, sizeof(label), " %d %s(%zu) ", pn + 1, panel_titles[pn],
				p->n_files);
		else if (pn == PANEL_GATES && p->it->assess != NULL &&
				p->it->assess->gates_block_approval)
			snprintf(label, sizeof(label), " %d %s%s ", pn + 1, panel_titles[pn],
				ui_glyph(ui, G_FAIL));
		else
			snprintf(label, sizeof(label), " %d %s ", pn + 1, panel_titles[pn]);
		x += gth_screen_puts(scr, y, x, pn == (int)p->focus ? GTH_ROLE_TAB_ACTIVE : GTH_ROLE_TAB,
			label, scr->cols - x);
	}
}

void
pr_render(struct gth_ui *ui, struct gth_screen *scr, int top, int height)
{
	struct pr_state *p = &ui->pr;
	int y = top, h;

	draw_title(ui, scr, y++);
	y += draw_banners(ui, scr, y);
	h = top + height - y;
	if (scr->cols < UI_WIDE_COLS || ui->tabs) {
		draw_tabs(ui, scr, y++);
		h--;
		if (h > 0)
			draw_panel(ui, scr, p->focus, y, 0, h, scr->cols);
		return;
	}
	{
		int sw = scr->cols * 2 / 5, dw, sx, hs[PANEL__COUNT] = { 0 }, sy = y;
		int avail;

		if (sw > 72)
			sw = 72;
		dw = scr->cols - sw - 1;
		sx = dw + 1;
		for (int r = 0; r < h; r++)
			gth_screen_puts(scr, y + r, dw, GTH_ROLE_BORDER, ui_glyph(ui, G_VBAR), 1);
		draw_panel(ui, scr, PANEL_DIFF, y, 0, h, dw);
		/* Side panel: four stacked sections, each with a heading row, sized to fit. */
		avail = h - 4;
		hs[PANEL_FILES] = (int)p->n_files < avail / 5 ? (int)p->n_files : avail / 5;
		if (hs[PANEL_FILES] < 1)
			hs[PANEL_FILES] = 1;
		for (int pn = PANEL_RISK; pn <= PANEL_GATES; pn++) {
			int need = measure_panel(ui, scr, (enum panel)pn, sw);

			hs[pn] = need < avail / 3 ? need : avail / 3;
		}
		hs[PANEL_RATIONALE] = avail - hs[PANEL_FILES] - hs[PANEL_RISK] - hs[PANEL_GATES];
		for (int pn = PANEL_FILES; pn < PANEL__COUNT; pn++) {
			struct pw head = { ui, scr, sy, sx, 1, sw, 0, 0 };
			char title[48];

			if (pn == PANEL_FILES)
				snprintf(title, sizeof(title), " %d %s (%zu) ", pn + 1, panel_titles[pn],
					p->n_files);
			else
				snprintf(title, sizeof(title), " %d %s ", pn + 1, panel_titles[pn]);
			pw_heading(&head, title, p->focus == (enum panel)pn);
			sy++;
			if (hs[pn] > 0)
				draw_panel(ui, scr, (enum panel)pn, sy, sx, hs[pn], sw);
			sy += hs[pn];
		}
	}
}
