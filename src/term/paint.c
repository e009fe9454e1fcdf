/*
 * The painter.  See paint.h for what it does and why.
 *
 * The state it keeps is the terminal's: the cells shown, the cursor and the
 * current style, each "unknown" until a sequence makes it known.  A frame
 * is painted in three passes: (1) the best vertical move of whole rows, if
 * moving them costs less than redrawing them, done with a scroll region that
 * is reset at once (so a shell or curses never inherits it); (2) every cell
 * that still differs from what is shown, row by row; (3) the cursor.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/xalloc.h"

#include "paint.h"

#define ROLE_ERASED	0xff	/* a shown cell erased by the terminal: blank, default colours */
#define PEN_UNKNOWN	(-1)
#define PEN_DEFAULT	(-2)	/* after SGR 0 */
#define SCROLL_COST	16	/* bytes: region, scroll, region reset, a cursor move */

void
gth_paint_init(struct gth_paint *p, bool utf8, bool scroll_n)
{
	memset(p, 0, sizeof(*p));
	p->utf8 = utf8;
	p->scroll_n = scroll_n;
	gth_paint_invalidate(p);
}

void
gth_paint_release(struct gth_paint *p)
{
	free(p->shown);
	p->shown = NULL;
}

void
gth_paint_invalidate(struct gth_paint *p)
{
	free(p->shown);
	p->shown = NULL;
	p->rows = p->cols = 0;
	p->cy = p->cx = -1;
	p->pen_role = PEN_UNKNOWN;
	p->pen_sel = 0;
	p->cursor_shown = true;
}

void
gth_paint_set_pen(struct gth_paint *p, int role, bool selected, const struct gth_pen *pen)
{
	if (role < 0 || role >= GTH_ROLE__COUNT)
		return;
	p->pens[role][selected] = *pen;
	p->blank_safe[role][selected] = pen->bg[0] == '\0' &&
	    !(pen->attrs & (GTH_ATTR_REVERSE | GTH_ATTR_UNDERLINE | GTH_ATTR_STANDOUT));
}

void
gth_paint_color_param(int value, bool rgb, bool background, char out[20])
{
	int base = background ? 40 : 30;

	if (value < 0)
		out[0] = '\0';
	else if (rgb)
		snprintf(out, 20, "%d;2;%d;%d;%d", base + 8, (value >> 16) & 0xff,
		    (value >> 8) & 0xff, value & 0xff);
	else if (value < 8)
		snprintf(out, 20, "%d", base + value);
	else if (value < 16)
		snprintf(out, 20, "%d", base + 60 + value - 8);
	else
		snprintf(out, 20, "%d;5;%d", base + 8, value & 0xff);
}

uint32_t
gth_paint_ascii_for(uint32_t cp)
{
	static const struct {
		uint32_t cp;
		char c;
	} map[] = {
		{ 0x2502, '|' }, { 0x2500, '-' }, { 0x2713, '+' }, { 0x2717, 'x' }, { 0x25cb, 'o' },
		{ 0x2192, '>' }, { 0x2026, '~' }, { 0x25b2, '^' }, { 0x2022, '*' }, { 0x2588, '#' },
		{ 0x2591, '.' }, { 0x2714, 'v' }, { 0x25b6, '>' },
	};

	if (gth_cp_width(cp) == 0)
		return 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].cp == cp)
			return (uint32_t)map[i].c;
	return '?';
}

/* ---- cells ---------------------------------------------------------------- */

static int
cell_role(const struct gth_cell *c)
{
	return c->role < GTH_ROLE__COUNT ? c->role : 0;
}

static bool
same_cell(const struct gth_cell *a, const struct gth_cell *b)
{
	return a->len == b->len && a->width == b->width && a->role == b->role &&
	    a->flags == b->flags && memcmp(a->ch, b->ch, a->len) == 0;
}

static bool
is_blank(const struct gth_cell *c)
{
	return c->width == 1 && c->len == 1 && c->ch[0] == ' ';
}

static bool
blank_safe(const struct gth_paint *p, const struct gth_cell *c)
{
	if (c->role == ROLE_ERASED)
		return true;
	return p->blank_safe[cell_role(c)][(c->flags & GTH_CELL_SELECTED) != 0];
}

/* Whether the terminal showing `shown` already looks like `want`. */
static bool
looks_same(const struct gth_paint *p, const struct gth_cell *want, const struct gth_cell *shown)
{
	if (same_cell(want, shown))
		return true;
	return is_blank(want) && is_blank(shown) && blank_safe(p, want) && blank_safe(p, shown);
}

static void
erase_cell(struct gth_cell *c)
{
	memset(c, 0, sizeof(*c));
	c->ch[0] = ' ';
	c->len = 1;
	c->width = 1;
	c->role = ROLE_ERASED;
}

/* ---- what the terminal is told ------------------------------------------ */

/* Reverse and standout are one SGR attribute here. */
static unsigned
norm_attrs(unsigned a)
{
	return a & GTH_ATTR_STANDOUT ? (a & ~GTH_ATTR_STANDOUT) | GTH_ATTR_REVERSE : a;
}

static void
put_attrs(struct gth_buf *b, unsigned attrs)
{
	static const struct {
		unsigned bit;
		const char *sgr;
	} codes[] = {
		{ GTH_ATTR_BOLD, "1" }, { GTH_ATTR_DIM, "2" }, { GTH_ATTR_ITALIC, "3" },
		{ GTH_ATTR_UNDERLINE, "4" }, { GTH_ATTR_BLINK, "5" }, { GTH_ATTR_REVERSE, "7" },
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (norm_attrs(attrs) & codes[i].bit)
			gth_buf_addf(b, ";%s", codes[i].sgr);
	}
}

/* SGR's own "off" for each attribute (bold and dim share one). */
static void
put_attrs_off(struct gth_buf *b, unsigned off)
{
	if (off & (GTH_ATTR_BOLD | GTH_ATTR_DIM))
		gth_buf_adds(b, ";22");
	if (off & GTH_ATTR_ITALIC)
		gth_buf_adds(b, ";23");
	if (off & GTH_ATTR_UNDERLINE)
		gth_buf_adds(b, ";24");
	if (off & GTH_ATTR_BLINK)
		gth_buf_adds(b, ";25");
	if (off & (GTH_ATTR_REVERSE | GTH_ATTR_STANDOUT))
		gth_buf_adds(b, ";27");
}

/* One SGR that turns the current style into role's (selected or not). */
static void
set_pen(struct gth_paint *p, struct gth_buf *out, int role, int sel)
{
	static const struct gth_pen none;
	const struct gth_pen *a, *b = &p->pens[role][sel];
	struct gth_buf params = GTH_BUF_INIT;
	unsigned aa, ba, off;

	if (p->pen_role == role && p->pen_sel == sel)
		return;
	a = p->pen_role >= 0 ? &p->pens[p->pen_role][p->pen_sel] : &none;
	aa = norm_attrs(a->attrs);
	ba = norm_attrs(b->attrs);
	off = aa & ~ba;
	if (p->pen_role == PEN_UNKNOWN) {
		gth_buf_adds(&params, ";0");
		put_attrs(&params, ba);
		if (b->fg[0] != '\0')
			gth_buf_addf(&params, ";%s", b->fg);
		if (b->bg[0] != '\0')
			gth_buf_addf(&params, ";%s", b->bg);
	} else {
		put_attrs_off(&params, off);
		/* Turning bold off turns dim off too, and the other way round: put back the one kept. */
		put_attrs(&params, (ba & ~aa) | (off & (GTH_ATTR_BOLD | GTH_ATTR_DIM) ?
		    ba & (GTH_ATTR_BOLD | GTH_ATTR_DIM) : 0));
		if (strcmp(a->fg, b->fg) != 0)
			gth_buf_addf(&params, ";%s", b->fg[0] != '\0' ? b->fg : "39");
		if (strcmp(a->bg, b->bg) != 0)
			gth_buf_addf(&params, ";%s", b->bg[0] != '\0' ? b->bg : "49");
	}
	if (params.len > 0) {
		/* ";0" alone is the plain reset, ESC [ m. */
		if (strcmp(params.data, ";0") == 0)
			gth_buf_adds(out, "\033[m");
		else
			gth_buf_addf(out, "\033[%sm", params.data + 1);
	}
	gth_buf_release(&params);
	p->pen_role = role;
	p->pen_sel = sel;
}

static void
reset_pen(struct gth_paint *p, struct gth_buf *out)
{
	if (p->pen_role != PEN_DEFAULT)
		gth_buf_adds(out, "\033[m");
	p->pen_role = PEN_DEFAULT;
	p->pen_sel = 0;
}

static bool
pen_bg_default(const struct gth_paint *p)
{
	return p->pen_role == PEN_DEFAULT || (p->pen_role >= 0 &&
	    p->pens[p->pen_role][p->pen_sel].bg[0] == '\0' &&
	    !(p->pens[p->pen_role][p->pen_sel].attrs &
	    (GTH_ATTR_REVERSE | GTH_ATTR_STANDOUT | GTH_ATTR_UNDERLINE)));
}

/* The bytes of one cell: its UTF-8 (or ASCII stand-ins), '?' for anything that is not text. */
static void
put_cell(struct gth_paint *p, struct gth_buf *out, const struct gth_cell *c)
{
	size_t i = 0, start = out->len;

	while (i < c->len) {
		uint32_t cp;
		int k = gth_utf8_decode(c->ch + i, c->len - i, &cp);

		if (k <= 0) {
			gth_buf_addc(out, '?');
			i++;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			gth_buf_addc(out, '?');
		else if (cp < 0x80 || p->utf8)
			gth_buf_add(out, c->ch + i, (size_t)k);
		else if ((cp = gth_paint_ascii_for(cp)) != 0)
			gth_buf_addc(out, (char)cp);
		i += (size_t)k;
	}
	if (out->len == start)
		gth_buf_addc(out, ' ');
	if (!p->utf8 && c->width == 2)
		gth_buf_addc(out, '?');
}

/*
 * Whether cells from..to-1 of row y, already right on screen, can be written
 * again as they are with the current pen: plain ASCII, and either in this
 * pen or blanks that look the same in it.
 */
static bool
rewritable(const struct gth_paint *p, const struct gth_screen *s, int y, int from, int to)
{
	const struct gth_cell *row = s->cells + (size_t)y * (size_t)s->cols;

	for (int i = from; i < to; i++) {
		const struct gth_cell *c = &row[i];
		bool same_pen = cell_role(c) == p->pen_role &&
		    ((c->flags & GTH_CELL_SELECTED) != 0) == p->pen_sel;

		if (c->width != 1 || c->len != 1 || (unsigned char)c->ch[0] >= 0x80 ||
		    (unsigned char)c->ch[0] < 0x20 ||
		    !(same_pen || (is_blank(c) && blank_safe(p, c) && pen_bg_default(p))) ||
		    !same_cell(c, &p->shown[(size_t)y * (size_t)p->cols + (size_t)i]))
			return false;
	}
	return true;
}

static int
digits(int n)
{
	return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : 4;
}

static void
rewrite(const struct gth_screen *s, struct gth_buf *out, int y, int from, int to)
{
	const struct gth_cell *row = s->cells + (size_t)y * (size_t)s->cols;

	for (int i = from; i < to; i++)
		gth_buf_addc(out, row[i].ch[0]);
}

/*
 * Move the cursor to y, x the cheapest way we know: along the row by writing
 * again what is there or with HPA, to the next row with CR LF (never at the
 * bottom, where LF would scroll) and then along it, or with CUP.
 */
static void
move_to(struct gth_paint *p, struct gth_buf *out, const struct gth_screen *s, int y, int x)
{
	int cup = x == 0 ? 3 + digits(y + 1) : 4 + digits(y + 1) + digits(x + 1);
	int hpa = 3 + digits(x + 1);

	if (p->cy == y && p->cx == x)
		return;
	if (p->cy == y && p->cx >= 0) {
		if (x > p->cx && x - p->cx < hpa && rewritable(p, s, y, p->cx, x))
			rewrite(s, out, y, p->cx, x);
		else if (x == 0)
			gth_buf_addc(out, '\r');
		else
			gth_buf_addf(out, "\033[%dG", x + 1);
	} else if (p->cy >= 0 && p->cx >= 0 && y == p->cy + 1 && p->cy < p->rows - 1 &&
	    (x == 0 || (x + 2 < cup && rewritable(p, s, y, 0, x)))) {
		gth_buf_adds(out, "\r\n");
		rewrite(s, out, y, 0, x);
	} else if (x == 0) {
		gth_buf_addf(out, "\033[%dH", y + 1);
	} else {
		gth_buf_addf(out, "\033[%d;%dH", y + 1, x + 1);
	}
	p->cy = y;
	p->cx = x;
}

/*
 * Get to y, x with the pen for role: the move first or the pen first,
 * whichever is shorter (with the new pen a move may write blanks again
 * instead of addressing; with the old one it may write what is there).
 */
static void
go(struct gth_paint *p, const struct gth_screen *s, struct gth_buf *out, int y, int x, int role,
	int sel)
{
	struct gth_buf a = GTH_BUF_INIT, b = GTH_BUF_INIT;
	int pen_role = p->pen_role, pen_sel = p->pen_sel, cy = p->cy, cx = p->cx;

	move_to(p, &a, s, y, x);
	set_pen(p, &a, role, sel);
	p->pen_role = pen_role;
	p->pen_sel = pen_sel;
	p->cy = cy;
	p->cx = cx;
	set_pen(p, &b, role, sel);
	move_to(p, &b, s, y, x);
	if (a.len <= b.len && a.len > 0)
		gth_buf_add(out, a.data, a.len);
	else if (b.len > 0 && b.len < a.len)
		gth_buf_add(out, b.data, b.len);
	gth_buf_release(&a);
	gth_buf_release(&b);
}

/* ---- pass 1: rows that moved ---------------------------------------------- */

static uint64_t
row_hash(const struct gth_cell *row, int cols)
{
	uint64_t h = 1469598103934665603ULL;

	for (int x = 0; x < cols; x++) {
		const struct gth_cell *c = &row[x];
		unsigned char head[4] = { c->len, c->width, c->role, c->flags };

		for (int i = 0; i < 4; i++)
			h = (h ^ head[i]) * 1099511628211ULL;
		for (int i = 0; i < c->len && i < GTH_CELL_BYTES; i++)
			h = (h ^ (unsigned char)c->ch[i]) * 1099511628211ULL;
	}
	return h;
}

static bool
rows_equal(const struct gth_cell *a, const struct gth_cell *b, int cols)
{
	for (int x = 0; x < cols; x++)
		if (!same_cell(&a[x], &b[x]))
			return false;
	return true;
}

/*
 * Roughly what turning row `shown` (NULL: an erased row) into row `want`
 * costs: the bytes of the cells that differ, and a cursor move per run.
 */
static long
row_cost(const struct gth_paint *p, const struct gth_cell *want, const struct gth_cell *shown,
	int cols)
{
	struct gth_cell erased;
	bool in_run = false;
	long cost = 0;

	erase_cell(&erased);
	for (int x = 0; x < cols; x++) {
		if (looks_same(p, &want[x], shown != NULL ? &shown[x] : &erased)) {
			in_run = false;
			continue;
		}
		if (!in_run)
			cost += 6;
		in_run = true;
		cost += want[x].len;
	}
	return cost;
}

struct move {
	int k;			/* > 0: rows move up by k; < 0: down */
	int top, bot;		/* the region, inclusive */
	long gain;
};

/* What moving region top..bot by k saves over drawing it in place. */
static long
move_gain(const struct gth_paint *p, const struct gth_screen *s, int k, int top, int bot)
{
	size_t cols = (size_t)s->cols;
	long gain = -SCROLL_COST;

	for (int y = top; y <= bot; y++) {
		const struct gth_cell *want = s->cells + (size_t)y * cols;
		int from = y + k;

		gain += row_cost(p, want, p->shown + (size_t)y * cols, s->cols);
		gain -= row_cost(p, want, from >= top && from <= bot ?
		    p->shown + (size_t)from * cols : NULL, s->cols);
	}
	return gain;
}

/*
 * The move that saves most: for each distance k at which some row of the
 * frame is a row shown now, the span of such rows, widened over neighbours
 * that are nearer to their moved source than to what is in place (a cursor
 * line that moved with its mark, say), then the region it scrolls.
 */
static struct move
best_move(const struct gth_paint *p, const struct gth_screen *s, const uint64_t *hn,
	const uint64_t *hs, const bool *right)
{
	struct move best = { 0, 0, 0, 0 };
	int rows = s->rows;
	size_t cols = (size_t)s->cols;

	for (int step = 1; step < rows; step++) {
		for (int sign = 1; sign >= -1; sign -= 2) {
			int k = step * sign, top = -1, bot = -1, rtop, rbot;
			long gain;

			for (int y = 0; y < rows; y++) {
				int o = y + k;

				if (o < 0 || o >= rows || right[y] || hn[y] != hs[o])
					continue;
				if (!rows_equal(s->cells + (size_t)y * cols,
				    p->shown + (size_t)o * cols, s->cols))
					continue;
				if (top < 0)
					top = y;
				bot = y;
			}
			if (top < 0)
				continue;
			while (bot + 1 + k >= 0 && bot + 1 + k < rows && bot + 1 < rows &&
			    !right[bot + 1] &&
			    row_cost(p, s->cells + (size_t)(bot + 1) * cols,
			    p->shown + (size_t)(bot + 1 + k) * cols, s->cols) <
			    row_cost(p, s->cells + (size_t)(bot + 1) * cols,
			    p->shown + (size_t)(bot + 1) * cols, s->cols))
				bot++;
			while (top - 1 + k >= 0 && top - 1 + k < rows && top - 1 >= 0 &&
			    !right[top - 1] &&
			    row_cost(p, s->cells + (size_t)(top - 1) * cols,
			    p->shown + (size_t)(top - 1 + k) * cols, s->cols) <
			    row_cost(p, s->cells + (size_t)(top - 1) * cols,
			    p->shown + (size_t)(top - 1) * cols, s->cols))
				top--;
			rtop = k > 0 ? top : top + k;
			rbot = k > 0 ? bot + k : bot;
			if (rtop < 0 || rbot >= rows)
				continue;
			gain = move_gain(p, s, k, rtop, rbot);
			if (gain > best.gain) {
				best.k = k;
				best.top = rtop;
				best.bot = rbot;
				best.gain = gain;
			}
		}
	}
	return best;
}

static void
apply_move(struct gth_paint *p, struct gth_buf *out, const struct move *m)
{
	size_t w = (size_t)p->cols;
	int n = m->k > 0 ? m->k : -m->k;

	/* Lines scrolled in take the current background: make it the default. */
	if (!pen_bg_default(p))
		reset_pen(p, out);
	gth_buf_addf(out, "\033[%d;%dr", m->top + 1, m->bot + 1);
	if (p->scroll_n) {
		if (n == 1)
			gth_buf_adds(out, m->k > 0 ? "\033[S" : "\033[T");
		else
			gth_buf_addf(out, "\033[%d%c", n, m->k > 0 ? 'S' : 'T');
	} else {
		/* IND at the region's bottom, RI at its top, once per row. */
		gth_buf_addf(out, "\033[%dH", (m->k > 0 ? m->bot : m->top) + 1);
		for (int i = 0; i < n; i++)
			gth_buf_adds(out, m->k > 0 ? "\033D" : "\033M");
	}
	/* The whole screen again: nothing that comes after inherits a region. */
	gth_buf_adds(out, "\033[r");
	p->cy = p->cx = -1;	/* both DECSTBMs moved the cursor home */
	if (m->k > 0) {
		memmove(p->shown + (size_t)m->top * w, p->shown + (size_t)(m->top + n) * w,
		    (size_t)(m->bot - m->top + 1 - n) * w * sizeof(*p->shown));
		for (size_t i = (size_t)(m->bot + 1 - n) * w; i < (size_t)(m->bot + 1) * w; i++)
			erase_cell(&p->shown[i]);
	} else {
		memmove(p->shown + (size_t)(m->top + n) * w, p->shown + (size_t)m->top * w,
		    (size_t)(m->bot - m->top + 1 - n) * w * sizeof(*p->shown));
		for (size_t i = (size_t)m->top * w; i < (size_t)(m->top + n) * w; i++)
			erase_cell(&p->shown[i]);
	}
}

static void
scroll_pass(struct gth_paint *p, const struct gth_screen *s, struct gth_buf *out)
{
	size_t rows = (size_t)s->rows, cols = (size_t)s->cols;
	uint64_t *hn = xcalloc(rows * 2, sizeof(*hn)), *hs = hn + rows;
	bool *right = xcalloc(rows, sizeof(*right));
	struct move m;

	for (size_t y = 0; y < rows; y++) {
		hn[y] = row_hash(s->cells + y * cols, s->cols);
		hs[y] = row_hash(p->shown + y * cols, s->cols);
		right[y] = hn[y] == hs[y] && rows_equal(s->cells + y * cols, p->shown + y * cols,
		    s->cols);
	}
	m = best_move(p, s, hn, hs, right);
	if (m.k != 0)
		apply_move(p, out, &m);
	free(hn);
	free(right);
}

/* ---- pass 2: cells -------------------------------------------------------- */

/* From x to the row's end: blanks that EL can draw, and at least one of them differs. */
static bool
blank_tail(const struct gth_paint *p, const struct gth_cell *row, const struct gth_cell *shown,
	int x, int cols)
{
	int differ = 0;

	for (int i = x; i < cols; i++) {
		if (!is_blank(&row[i]) || !blank_safe(p, &row[i]))
			return false;
		if (!looks_same(p, &row[i], &shown[i]))
			differ++;
	}
	return differ > 3;
}

static void
paint_row(struct gth_paint *p, const struct gth_screen *s, struct gth_buf *out, int y)
{
	const struct gth_cell *row = s->cells + (size_t)y * (size_t)s->cols;
	struct gth_cell *shown = p->shown + (size_t)y * (size_t)s->cols;
	int cols = s->cols;

	for (int x = 0; x < cols;) {
		const struct gth_cell *c = &row[x];
		int w = c->width == 2 && x + 1 < cols ? 2 : 1;
		bool differs = !looks_same(p, c, &shown[x]) ||
		    (w == 2 && !same_cell(&row[x + 1], &shown[x + 1]));

		if (c->width == 0) {
			/* A right half whose left half is not there: a blank. */
			struct gth_cell blank = *c;

			if (!differs) {
				shown[x] = *c;
				x++;
				continue;
			}
			erase_cell(&blank);
			blank.role = c->role;
			blank.flags = c->flags;
			move_to(p, out, s, y, x);
			set_pen(p, out, cell_role(&blank), (blank.flags & GTH_CELL_SELECTED) != 0);
			gth_buf_addc(out, ' ');
			shown[x] = *c;
			p->cx = x + 1 < cols ? x + 1 : -1;
			x++;
			continue;
		}
		if (!differs) {
			/* It looks the same (blank for blank): remember it as the frame has it. */
			shown[x] = *c;
			if (w == 2)
				shown[x + 1] = row[x + 1];
			x += w;
			continue;
		}
		if (blank_tail(p, row, shown, x, cols)) {
			move_to(p, out, s, y, x);
			if (!pen_bg_default(p))
				reset_pen(p, out);
			gth_buf_adds(out, "\033[K");
			memcpy(&shown[x], &row[x], (size_t)(cols - x) * sizeof(*shown));
			return;
		}
		go(p, s, out, y, x, cell_role(c), (c->flags & GTH_CELL_SELECTED) != 0);
		if (c->width == 2 && w == 1) {
			gth_buf_addc(out, ' ');	/* a wide character cut at the right edge */
		} else {
			put_cell(p, out, c);
		}
		shown[x] = *c;
		if (w == 2)
			shown[x + 1] = row[x + 1];
		x += w;
		/* At the right edge the cursor waits to wrap: where it is next is not ours to guess. */
		p->cx = x < cols ? x : -1;
		if (p->cx < 0)
			p->cy = -1;
	}
}

static void
paint(struct gth_paint *p, const struct gth_screen *s, struct gth_buf *out)
{
	size_t n = (size_t)s->rows * (size_t)s->cols;

	if (p->shown == NULL || p->rows != s->rows || p->cols != s->cols) {
		free(p->shown);
		p->shown = xcalloc(n, sizeof(*p->shown));
		for (size_t i = 0; i < n; i++)
			erase_cell(&p->shown[i]);
		p->rows = s->rows;
		p->cols = s->cols;
		gth_buf_adds(out, "\033[m\033[r\033[?25l\033[H\033[2J");
		p->pen_role = PEN_DEFAULT;
		p->pen_sel = 0;
		p->cy = p->cx = 0;
		p->cursor_shown = false;
	} else {
		scroll_pass(p, s, out);
	}
	for (int y = 0; y < s->rows; y++)
		paint_row(p, s, out, y);
	if (s->cursor_y >= 0 && s->cursor_x >= 0 && s->cursor_y < s->rows &&
	    s->cursor_x < s->cols) {
		move_to(p, out, s, s->cursor_y, s->cursor_x);
		if (!p->cursor_shown)
			gth_buf_adds(out, "\033[?25h");
		p->cursor_shown = true;
	} else if (p->cursor_shown) {
		gth_buf_adds(out, "\033[?25l");
		p->cursor_shown = false;
	}
}

void
gth_paint_frame(struct gth_paint *p, const struct gth_screen *s, struct gth_buf *out)
{
	struct gth_buf fresh = GTH_BUF_INIT;
	struct gth_paint q;
	size_t start = out->len;

	paint(p, s, out);
	/* A frame that changed most of the screen may cost less cleared and painted afresh. */
	if (out->len - start < (size_t)s->rows * (size_t)s->cols / 8)
		return;
	q = *p;
	q.shown = NULL;
	gth_paint_invalidate(&q);
	paint(&q, s, &fresh);
	if (fresh.len < out->len - start) {
		out->len = start;
		gth_buf_add(out, fresh.data, fresh.len);
		gth_paint_release(p);
		*p = q;
	} else {
		gth_paint_release(&q);
	}
	gth_buf_release(&fresh);
}
